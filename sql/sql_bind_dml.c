/* sql_bind_dml.c: binding INSERT, UPDATE and DELETE into plans. INSERT routes rows from its
 * source (VALUES or SELECT) to the owning shards; UPDATE and DELETE are fragments over a scan of
 * the target table with their WHERE clause pushed into it; UPDATE ... FROM and DELETE ... USING
 * join that scan with their other relations in the fragment (sql_bind_update_delete). */
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_plan.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_unique.h"

/* A level whose scope is the target table's full row (attnum order), named by `alias`; with
 * `excluded` the row again as "excluded" (ON CONFLICT), with `locator` a hidden column after
 * the row for the row locator the scan of UPDATE ... FROM / DELETE ... USING adds. */
static sql_qlevel *sql_dml_level(sql_binder *b, const eng_table *t, const char *alias,
                                 sql_cte_def *ctes, bool with_excluded, bool locator) {
    sql_qlevel *q = sql_qlevel_new(b, NULL, ctes);
    if (q == NULL) return NULL;
    uint32_t n = t->column_count, total = with_excluded ? 2 * n : n;
    sql_scope *s = rt_arena_zalloc(b->arena, sizeof *s);
    if (s == NULL) return NULL;
    s->cols = rt_arena_zalloc(b->arena, sizeof(sql_scope_col) * (total + 2u));
    s->rtes = rt_arena_zalloc(b->arena, sizeof(sql_rte) * 2);
    if (s->cols == NULL || s->rtes == NULL) return NULL;
    for (uint32_t i = 0; i < total; i++) {
        const eng_column *c = &t->columns[i % n];
        s->cols[i] = (sql_scope_col){.name = c->name, .type_oid = c->type_oid, .typmod = c->typmod,
                                     .table_oid = t->oid, .attnum = (int16_t)c->attnum,
                                     .hidden = c->dropped || i >= n};
    }
    if (locator) {
        s->cols[total++] = (sql_scope_col){.name = "?locator?", .type_oid = SQL_T_INT8,
                                           .typmod = -1, .hidden = true};
    }
    s->ncols = total;
    s->rtes[0] = (sql_rte){.name = alias, .first = 0, .ncols = n, .table = t};
    s->nrtes = 1;
    if (with_excluded) {
        s->rtes[1] = (sql_rte){.name = "excluded", .first = n, .ncols = n, .table = t};
        s->nrtes = 2;
    }
    q->scope = s;
    return q;
}

static const eng_table *sql_dml_target(sql_binder *b, const sql_rangevar *rv) {
    const eng_table *t = sql_bind_find_table(b->bc, &rv->name);
    if (t == NULL) {
        sql_bind_error(b, rv->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                       "relation \"%s\" does not exist", rv->name.parts[rv->name.count - 1]);
        return NULL;
    }
    if (t->kind == 'c') {
        sql_bind_error(b, rv->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "\"%s\" is a composite type", t->name);
        return NULL;
    }
    if (t->kind != 'r') {
        sql_bind_error(b, rv->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "cannot change %s \"%s\"", t->kind == 'v' ? "view" : "sequence", t->name);
        return NULL;
    }
    return t;
}

/* The scope columns a RETURNING `*` or `rel.*` lists: a bare `*` all but hidden ones in the
 * scope's order (the target's columns, then those of FROM / USING, as PostgreSQL lists them),
 * `rel.*` all of rel's but dropped ones. */
static bool sql_returning_star(sql_binder *b, const sql_scope *s, const sql_star *st,
                               uint32_t *idx, uint32_t *n) {
    uint32_t from = 0, to = s->ncols;
    bool qualified = st->qualifier.count > 0;
    const eng_table *t = NULL;
    if (qualified) {
        const char *rel = st->qualifier.parts[st->qualifier.count - 1];
        uint32_t r = 0;
        while (r < s->nrtes && (s->rtes[r].name == NULL || strcmp(s->rtes[r].name, rel) != 0)) r++;
        if (r == s->nrtes) {
            return sql_bind_error(b, st->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                                  "missing FROM-clause entry for table \"%s\"", rel);
        }
        from = s->rtes[r].first;
        to = from + s->rtes[r].ncols;
        t = s->rtes[r].table;
    }
    *n = 0;
    for (uint32_t k = from; k < to; k++) {
        uint32_t i = qualified || s->star == NULL ? k : s->star[k];
        /* rel.* still lists a column a JOIN USING hid on rel's side, not a dropped one */
        bool skip = qualified ? t != NULL && k - from < t->column_count &&
                                    t->columns[k - from].dropped
                              : s->cols[i].hidden;
        if (!skip) idx[(*n)++] = i;
    }
    return true;
}

/* Output columns and expressions of RETURNING over the scope of `q`: the table's full row, or
 * (UPDATE ... FROM / DELETE ... USING) the joined row. */
static bool sql_bind_returning(sql_binder *b, sql_qlevel *q, const sql_list *returning,
                               sql_plan *p, sql_query *qy) {
    if (returning->count == 0) return true;
    q->agg_forbidden = "RETURNING";
    q->win_forbidden = "RETURNING";
    const sql_scope *s = q->scope;
    uint32_t cap = 16, n = 0, nstar = 0;
    sql_expr **exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * cap);
    sql_col *cols = rt_arena_alloc(b->arena, sizeof(sql_col) * cap);
    uint32_t *star = rt_arena_alloc(b->arena, sizeof(uint32_t) * (s->ncols + 1u));
    if (exprs == NULL || cols == NULL || star == NULL) return sql_bind_oom(b);
    for (uint32_t i = 0; i < returning->count; i++) {
        const sql_target *tg = SQL_LIST_AT(*returning, i);
        bool is_star = SQL_NODE_KIND(tg->expr) == SQL_N_STAR;
        if (is_star && !sql_returning_star(b, s, (const sql_star *)tg->expr, star, &nstar)) {
            return false;
        }
        for (uint32_t c = 0; c < (is_star ? nstar : 1); c++) {
            if (n + 1 >= cap) {
                exprs = rt_arena_grow(b->arena, exprs, cap * sizeof(void *), cap * 2 * sizeof(void *));
                cols = rt_arena_grow(b->arena, cols, cap * sizeof(sql_col), cap * 2 * sizeof(sql_col));
                cap *= 2;
                if (exprs == NULL || cols == NULL) return sql_bind_oom(b);
            }
            const sql_scope_col *sc = is_star ? &s->cols[star[c]] : NULL;
            sql_expr *e = is_star ? sql_expr_column(b->arena, star[c], sc->type_oid, sc->typmod)
                                  : sql_bind_expr(q, tg->expr);
            if (e == NULL) return is_star ? sql_bind_oom(b) : false;
            if (is_star && !sql_bind_note_col(b, sc->table_oid, sc->attnum, ENG_ACL_SELECT)) {
                return false;
            }
            if (e->type_oid == SQL_T_UNKNOWN) {
                e = sql_bind_coerce(q, e, SQL_T_TEXT, -1, SQL_CAST_IMPLICIT, e->location, NULL);
                if (e == NULL) return false;
            }
            const char *name = is_star ? sc->name
                               : tg->alias != NULL ? tg->alias : sql_bind_colname(tg->expr);
            cols[n] = (sql_col){.name = name, .type_oid = e->type_oid, .typmod = e->typmod};
            if (e->kind == SQL_X_COLUMN) {
                sc = &s->cols[e->column.index];
                cols[n].table_oid = sc->table_oid;
                cols[n].attnum = sc->attnum;
            }
            exprs[n++] = e;
        }
    }
    p->modify.nreturning = n;
    p->modify.returning = exprs;
    p->ncols = n;
    p->cols = cols;
    qy->returns_rows = true;
    return true;
}

/* DEFAULT expressions and CHECK constraints of the table, bound for evaluation. */
/* An INSERT that leaves a serial / identity column to its default calls nextval as the
 * inserting role: it needs USAGE or UPDATE on the sequence, as in PostgreSQL. */
static bool sql_bind_default_seq_priv(sql_binder *b, const sql_plan *p, const eng_column *col,
                                      const sql_expr *e) {
    /* serial's int4 column casts nextval's int8: look through one-argument casts. */
    while ((e->kind == SQL_X_FUNC || e->kind == SQL_X_COERCE) && e->nargs == 1 &&
           !(e->kind == SQL_X_FUNC && e->func.def != NULL && e->func.def->oid == 1574)) {
        e = e->args[0];
    }
    if (p->kind != SQL_P_INSERT || e->kind != SQL_X_FUNC || e->func.def == NULL ||
        e->func.def->oid != 1574 || e->args[0]->kind != SQL_X_CONST) {
        return true;
    }
    for (uint32_t k = 0; k < p->modify.ncols; k++) {
        if (p->modify.attnums[k] == col->attnum) return true; /* given a value */
    }
    return sql_bind_need_priv(b, (uint32_t)e->args[0]->constval.i64,
                              ENG_ACL_USAGE | ENG_ACL_UPDATE, true, true);
}

/* The domain of column `col` (or of its elements: an array of the domain), to check its new
 * values; the domain's DEFAULT when the column has none (*def; not for an array). */
static bool sql_bind_column_domain(sql_binder *b, sql_plan *p, const eng_column *col,
                                   const char **def) {
    const eng_domain *d = eng_db_domain_by_oid(b->bc->db, col->domain_oid);
    if (d == NULL) {
        return rt_err_set(b->bc->err, SQLSTATE_INTERNAL_ERROR, "cache lookup failed for type %u",
                          col->domain_oid);
    }
    if (p->modify.domains == NULL) {
        p->modify.domains = rt_arena_zalloc(b->arena, sizeof(sql_domain_info *) *
                                                          (p->modify.table->column_count + 1u));
        if (p->modify.domains == NULL) return sql_bind_oom(b);
    }
    bool array = col->domain_oid == d->array_oid;
    p->modify.domains[col->attnum - 1] = array ? sql_domain_bind_array(b->bc, d)
                                               : sql_domain_bind(b->bc, d);
    if (p->modify.domains[col->attnum - 1] == NULL) return false;
    if (*def == NULL && !array) *def = sql_domain_default(b->bc->db, d);
    return true;
}

static bool sql_bind_defaults_checks(sql_binder *b, const eng_table *t, sql_plan *p) {
    p->modify.defaults = rt_arena_zalloc(b->arena, sizeof(sql_expr *) * (t->column_count + 1u));
    p->modify.checks = rt_arena_zalloc(b->arena, sizeof(sql_expr *) * (t->constraint_count + 1u));
    p->modify.check_names = rt_arena_zalloc(b->arena, sizeof(char *) * (t->constraint_count + 1u));
    if (p->modify.defaults == NULL || p->modify.checks == NULL || p->modify.check_names == NULL) {
        return sql_bind_oom(b);
    }
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        if (col->dropped) continue;
        const char *def = col->default_text;
        if (col->domain_oid != 0 && !sql_bind_column_domain(b, p, col, &def)) return false;
        if (def == NULL) continue;
        if (def == col->default_text
                ? !sql_bind_stored_default(b->bc, col, col->type_oid, col->typmod,
                                           &p->modify.defaults[c])
                : !sql_bind_stored_expr(b->bc, NULL, def, col->type_oid, col->typmod,
                                        &p->modify.defaults[c])) {
            return false;
        }
        if (p->modify.defaults[c]->kind == SQL_X_FUNC &&
            (p->modify.defaults[c]->func.def->flags & SQL_F_VOLATILE)) {
            b->volatile_funcs = true;
        }
        if (!sql_bind_default_seq_priv(b, p, col, p->modify.defaults[c])) return false;
    }
    for (uint32_t k = 0; k < t->constraint_count; k++) {
        const eng_constraint *con = &t->constraints[k];
        if (con->kind != 'c' || con->check_text == NULL) continue;
        uint32_t i = p->modify.nchecks++;
        if (!sql_bind_stored_expr(b->bc, t, con->check_text, SQL_T_BOOL, -1,
                                  &p->modify.checks[i])) {
            return false;
        }
        p->modify.check_names[i] = con->name;
    }
    return true;
}

/* ---- INSERT ---- */

static bool sql_insert_columns(sql_binder *b, const sql_insert *ins, const eng_table *t,
                               sql_plan *p) {
    uint32_t n = ins->columns.count;
    if (n == 0) {
        for (uint32_t c = 0; c < t->column_count; c++) n += !t->columns[c].dropped;
    }
    p->modify.attnums = rt_arena_alloc(b->arena, sizeof(uint16_t) * (n + 1u));
    if (p->modify.attnums == NULL) return sql_bind_oom(b);
    p->modify.ncols = n;
    if (ins->columns.count == 0) {
        uint32_t k = 0;
        for (uint32_t c = 0; c < t->column_count; c++) {
            if (!t->columns[c].dropped) p->modify.attnums[k++] = t->columns[c].attnum;
        }
        return true;
    }
    for (uint32_t i = 0; i < n; i++) {
        const sql_target *tg = SQL_LIST_AT(ins->columns, i);
        const eng_column *col = eng_table_column_by_name(t, tg->alias);
        if (col == NULL) {
            return sql_bind_error(b, tg->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                                  "column \"%s\" of relation \"%s\" does not exist", tg->alias,
                                  t->name);
        }
        for (uint32_t k = 0; k < i; k++) {
            if (p->modify.attnums[k] == col->attnum) {
                return sql_bind_error(b, tg->hdr.location, SQLSTATE_DUPLICATE_COLUMN,
                                      "column \"%s\" specified more than once", tg->alias);
            }
        }
        p->modify.attnums[i] = col->attnum;
    }
    return true;
}

/* GENERATED ALWAYS columns take only DEFAULT (unless OVERRIDING SYSTEM VALUE). */
static bool sql_insert_identity_check(sql_binder *b, const sql_insert *ins, const eng_table *t,
                                      const sql_plan *p, const sql_node *item, uint32_t k) {
    const eng_column *col = &t->columns[p->modify.attnums[k] - 1];
    if ((col->identity != 'a' && col->generated != 's') || SQL_NODE_KIND(item) == SQL_N_DEFAULT) {
        return true;
    }
    if (col->identity == 'a' && ins->overriding == SQL_OVERRIDING_SYSTEM) return true;
    sql_bind_error(b, item->location, SQLSTATE_GENERATED_ALWAYS,
                   "cannot insert a non-DEFAULT value into column \"%s\"", col->name);
    rt_err_detail(b->bc->err, "Column \"%s\" is an identity column defined as GENERATED "
                  "ALWAYS.", col->name);
    rt_err_hint(b->bc->err, "Use OVERRIDING SYSTEM VALUE to override.");
    return false;
}

/* VALUES rows of an INSERT: each item coerced to its column; DEFAULT becomes the default. */
static sql_plan *sql_insert_values(sql_binder *b, const sql_insert *ins, const eng_table *t,
                                   sql_plan *p, sql_cte_def *ctes) {
    const sql_select *s = ins->source;
    sql_qlevel *q = sql_qlevel_new(b, NULL, ctes);
    if (q == NULL) return NULL;
    q->win_forbidden = "VALUES";
    q->scope = rt_arena_zalloc(b->arena, sizeof(sql_scope));
    sql_plan *v = sql_plan_new(b->arena, SQL_P_VALUES, p->modify.ncols);
    if (q->scope == NULL || v == NULL) return NULL;
    /* Without a column list the rows fill the first columns (the rest get defaults). */
    const sql_list *first = s->values.count > 0 ? SQL_LIST_AT(s->values, 0) : NULL;
    uint32_t width = first != NULL ? first->count : 0;
    if (ins->columns.count == 0 && width < p->modify.ncols) v->ncols = p->modify.ncols = width;
    for (uint32_t r = 1; r < s->values.count; r++) {
        if (((const sql_list *)SQL_LIST_AT(s->values, r))->count != width) {
            sql_bind_error(b, s->hdr.location, SQLSTATE_SYNTAX_ERROR,
                           "VALUES lists must all be the same length");
            return NULL;
        }
    }
    v->values.nrows = s->values.count;
    v->values.rows = rt_arena_alloc(b->arena, sizeof(sql_expr **) * s->values.count);
    if (v->values.rows == NULL) return NULL;
    for (uint32_t r = 0; r < s->values.count; r++) {
        const sql_list *row = SQL_LIST_AT(s->values, r);
        if (row->count != p->modify.ncols) {
            sql_bind_error(b, s->hdr.location, SQLSTATE_SYNTAX_ERROR,
                           row->count > p->modify.ncols
                               ? "INSERT has more expressions than target columns"
                               : "INSERT has more target columns than expressions");
            return NULL;
        }
        v->values.rows[r] = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (row->count + 1u));
        if (v->values.rows[r] == NULL) return NULL;
        for (uint32_t k = 0; k < row->count; k++) {
            const sql_node *item = SQL_LIST_AT(*row, k);
            const eng_column *col = &t->columns[p->modify.attnums[k] - 1];
            if (!sql_insert_identity_check(b, ins, t, p, item, k)) return NULL;
            sql_expr *e;
            if (SQL_NODE_KIND(item) == SQL_N_DEFAULT) {
                e = p->modify.defaults[col->attnum - 1];
                if (e == NULL) {
                    sql_value nv = {.type_oid = col->type_oid, .is_null = true};
                    e = sql_expr_const(b->arena, &nv, col->typmod);
                }
            } else {
                char *what = rt_arena_sprintf(b->arena, "column \"%s\"", col->name);
                e = sql_bind_expr_as(q, item, col->type_oid, col->typmod, SQL_CAST_ASSIGNMENT,
                                     what);
            }
            if (e == NULL) return NULL;
            v->values.rows[r][k] = e;
        }
    }
    for (uint32_t k = 0; k < p->modify.ncols; k++) {
        const eng_column *col = &t->columns[p->modify.attnums[k] - 1];
        v->cols[k] = (sql_col){.name = col->name, .type_oid = col->type_oid, .typmod = col->typmod};
    }
    v->est_rows = s->values.count;
    return v;
}

/* INSERT ... SELECT: the query's columns cast to the target columns. */
static sql_plan *sql_insert_select(sql_binder *b, const sql_insert *ins, const eng_table *t,
                                   sql_plan *p, sql_cte_def *ctes) {
    sql_qlevel *root = sql_qlevel_new(b, NULL, ctes);
    if (root == NULL) return NULL;
    b->select_keeps_unknown = true; /* an untyped $n it selects takes its column's type */
    sql_plan *src = sql_bind_select(root, ins->source, ctes);
    if (src == NULL) return NULL;
    if (ins->columns.count == 0 && src->ncols < p->modify.ncols) p->modify.ncols = src->ncols;
    if (src->ncols != p->modify.ncols) {
        sql_bind_error(b, ins->source->hdr.location, SQLSTATE_SYNTAX_ERROR,
                       src->ncols > p->modify.ncols
                           ? "INSERT has more expressions than target columns"
                           : "INSERT has more target columns than expressions");
        return NULL;
    }
    sql_plan *proj = sql_plan_new(b->arena, SQL_P_PROJECT, src->ncols);
    if (proj == NULL) return NULL;
    proj->left = src;
    proj->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (src->ncols + 1u));
    if (proj->project.exprs == NULL) return NULL;
    sql_qlevel *q = sql_qlevel_new(b, NULL, ctes);
    if (q == NULL) return NULL;
    for (uint32_t k = 0; k < src->ncols; k++) {
        const eng_column *col = &t->columns[p->modify.attnums[k] - 1];
        sql_expr *e = sql_expr_column(b->arena, k, src->cols[k].type_oid, src->cols[k].typmod);
        char *what = rt_arena_sprintf(b->arena, "column \"%s\"", col->name);
        if (e == NULL || what == NULL) return NULL;
        if (!sql_bind_plan_param_type(q, src, k, col->type_oid, SQL_CAST_ASSIGNMENT, what)) {
            return NULL;
        }
        e->type_oid = src->cols[k].type_oid;
        if (src->cols[k].type_oid == SQL_T_UNKNOWN) e->type_oid = SQL_T_TEXT;
        /* An untyped literal of the select list goes through the column type's input, as
         * PostgreSQL leaves it unknown here; one that DISTINCT, GROUP BY or ORDER BY may
         * have compared is text there (and a set operation's columns are typed). */
        bool untyped = src->cols[k].untyped && src->cols[k].type_oid == SQL_T_TEXT &&
                       !ins->source->distinct && ins->source->group_by.count == 0 &&
                       ins->source->order_by.count == 0;
        e = sql_bind_coerce(q, e, col->type_oid, col->typmod,
                            untyped ? SQL_CAST_EXPLICIT : SQL_CAST_ASSIGNMENT,
                            ins->source->hdr.location, what);
        if (e == NULL) return NULL;
        proj->project.exprs[k] = e;
        proj->cols[k] = (sql_col){.name = col->name, .type_oid = col->type_oid,
                                  .typmod = col->typmod};
    }
    proj->est_rows = src->est_rows;
    return proj;
}

/* ON CONFLICT's inference specification, bound: its plain columns, the text of its
 * expressions (as an index column's text is kept, sql_ixexpr.h) and its WHERE. */
typedef struct sql_conflict_spec {
    uint16_t atts[ENG_INDEX_COLUMNS_MAX];
    uint32_t natts;
    const char *texts[ENG_INDEX_COLUMNS_MAX];
    uint32_t ntexts;
    sql_expr *where;
} sql_conflict_spec;

/* The column of an element given as a name or as a parenthesised name ((a)): a plain column. */
static const char *sql_conflict_elem_column(const sql_index_elem *el) {
    if (el->column != NULL) return el->column;
    if (el->expr == NULL || SQL_NODE_KIND(el->expr) != SQL_N_COLUMNREF) return NULL;
    const sql_name *nm = &((const sql_columnref *)el->expr)->name;
    return nm->count == 1 ? nm->parts[0] : NULL;
}

/* The columns an inference expression or predicate (bound over the target's columns) reads
 * need SELECT, as PostgreSQL's inference marks them. */
typedef struct sql_conflict_reads {
    sql_binder *b;
    const eng_table *t;
} sql_conflict_reads;

static bool sql_conflict_note_read(const sql_expr *e, void *arg) {
    const sql_conflict_reads *r = arg;
    if (e->kind != SQL_X_COLUMN || e->column.index >= r->t->column_count) return true;
    return sql_bind_note_col(r->b, r->t->oid, r->t->columns[e->column.index].attnum,
                             ENG_ACL_SELECT);
}

static bool sql_conflict_note_reads(sql_binder *b, const eng_table *t, const sql_expr *e) {
    sql_conflict_reads r = {b, t};
    return sql_expr_walk(e, sql_conflict_note_read, &r);
}

static bool sql_conflict_bind_elem(sql_binder *b, const sql_index_elem *el, const eng_table *t,
                                   sql_conflict_spec *sp) {
    const char *name = sql_conflict_elem_column(el);
    if (sp->natts + sp->ntexts >= ENG_INDEX_COLUMNS_MAX) {
        return sql_bind_error(b, el->hdr.location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                              "there is no unique or exclusion constraint matching the ON "
                              "CONFLICT specification");
    }
    if (name != NULL) {
        const eng_column *col = eng_table_column_by_name(t, name);
        if (col == NULL) {
            return sql_bind_error(b, el->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                                  "column \"%s\" does not exist", name);
        }
        sp->atts[sp->natts++] = col->attnum;
        return sql_bind_note_col(b, t->oid, col->attnum, ENG_ACL_SELECT); /* as PostgreSQL */
    }
    sql_expr *e;
    if (!sql_bind_table_expr(b->bc, t, el->expr, SQL_T_ANY, -1, &e) ||
        !sql_conflict_note_reads(b, t, e)) {
        return false;
    }
    sql_strbuf sb;
    sql_strbuf_init(&sb, b->arena, 64);
    if (!sql_ixexpr_column_text(&sb, t, NULL, 0, e, false)) {
        /* No index can have an expression the deparser cannot print. */
        return sql_bind_error(b, el->hdr.location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                              "there is no unique or exclusion constraint matching the ON "
                              "CONFLICT specification");
    }
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return sql_bind_oom(b);
    sp->texts[sp->ntexts++] = sb.data;
    return true;
}

/* Whether index key column k is in the specification (as a column or an expression). */
static bool sql_conflict_has_key(const sql_conflict_spec *sp, const eng_index *ix, uint32_t k) {
    for (uint32_t i = 0; ix->attnums[k] != 0 && i < sp->natts; i++) {
        if (sp->atts[i] == ix->attnums[k]) return true;
    }
    for (uint32_t i = 0; ix->attnums[k] == 0 && i < sp->ntexts; i++) {
        if (ix->expr_text[k] != NULL && strcmp(sp->texts[i], ix->expr_text[k]) == 0) return true;
    }
    return false;
}

/* PostgreSQL's inference: a unique index is an arbiter when its columns are the specification's
 * columns and its expressions its expressions (as sets: repeats do not matter) and, if it is
 * partial, the specification's WHERE implies its predicate. */
static bool sql_conflict_matches(const sql_conflict_spec *sp, const eng_index *ix) {
    for (uint32_t k = 0; k < ix->column_count; k++) {
        if (!sql_conflict_has_key(sp, ix, k)) return false;
    }
    for (uint32_t i = 0; i < sp->natts; i++) {
        bool found = false;
        for (uint32_t k = 0; k < ix->column_count && !found; k++) {
            found = ix->attnums[k] == sp->atts[i];
        }
        if (!found) return false;
    }
    for (uint32_t i = 0; i < sp->ntexts; i++) {
        bool found = false;
        for (uint32_t k = 0; k < ix->column_count && !found; k++) {
            found = ix->attnums[k] == 0 && ix->expr_text[k] != NULL &&
                    strcmp(sp->texts[i], ix->expr_text[k]) == 0;
        }
        if (!found) return false;
    }
    return true;
}

/* Adds unique index `ix` to the plan's arbiters: its companion's oid, or the primary key when
 * the index contains it (the primary key then enforces it: it has no companion). */
static bool sql_conflict_add(sql_binder *b, const eng_table *t, const eng_index *ix,
                             sql_plan *p) {
    if (ix->primary || !sql_unique_needs_companion(t, ix)) {
        p->modify.conflict_pk = true;
        return true;
    }
    if (p->modify.conflict_ixs == NULL) {
        p->modify.conflict_ixs = rt_arena_alloc(b->arena, sizeof(uint32_t) * (t->index_count + 1u));
        if (p->modify.conflict_ixs == NULL) return sql_bind_oom(b);
    }
    p->modify.conflict_ixs[p->modify.nconflict_ixs++] = ix->oid;
    return true;
}

/* The arbiters named by an inference specification: as PostgreSQL, every unique index that
 * matches (a unique constraint and an equivalent index, partial indexes whose predicates the
 * WHERE implies, ...) and the primary key when it matches; 42P10 when none does. */
static bool sql_conflict_infer(sql_binder *b, const sql_insert *ins, const eng_table *t,
                               sql_plan *p) {
    const sql_on_conflict *oc = ins->on_conflict;
    sql_conflict_spec sp = {.natts = 0};
    for (uint32_t i = 0; i < oc->target_cols.count; i++) {
        if (!sql_conflict_bind_elem(b, SQL_LIST_AT(oc->target_cols, i), t, &sp)) return false;
    }
    if (oc->target_where != NULL &&
        (!sql_bind_table_expr(b->bc, t, oc->target_where, SQL_T_BOOL, -1, &sp.where) ||
         !sql_conflict_note_reads(b, t, sp.where))) {
        return false;
    }
    if (t->pk_count > 0 && sp.ntexts == 0) {
        eng_index pk = {.column_count = t->pk_count};
        memcpy(pk.attnums, t->pk_attnums, sizeof(uint16_t) * t->pk_count);
        p->modify.conflict_pk = sql_conflict_matches(&sp, &pk);
    }
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!ix->unique || ix->invalid || ix->method != ENG_INDEX_BTREE ||
            !sql_conflict_matches(&sp, ix) ||
            !sql_plan_index_pred_implied(t, ix, sp.where)) {
            continue;
        }
        if (!sql_conflict_add(b, t, ix, p)) return false;
    }
    if (p->modify.conflict_pk || p->modify.nconflict_ixs > 0) return true;
    /* PostgreSQL reports no position here */
    return sql_bind_error(b, UINT32_MAX, SQLSTATE_INVALID_COLUMN_REFERENCE,
                          "there is no unique or exclusion constraint matching the ON "
                          "CONFLICT specification");
}

/* The arbiters of ON CONFLICT (target columns or constraint name; without either, DO NOTHING
 * takes every unique key) into the plan; false with the error when nothing matches. */
static bool sql_conflict_arbiter(sql_binder *b, const sql_insert *ins, const eng_table *t,
                                 sql_plan *p) {
    const sql_on_conflict *oc = ins->on_conflict;
    if (oc->target_cols.count > 0) return sql_conflict_infer(b, ins, t, p);
    if (oc->constraint != NULL) {
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *c = &t->constraints[k];
            if ((c->kind != 'p' && c->kind != 'u') || strcmp(c->name, oc->constraint) != 0) {
                continue;
            }
            for (uint32_t i = 0; i < c->column_count; i++) { /* read, as PostgreSQL's are */
                if (!sql_bind_note_col(b, t->oid, c->attnums[i], ENG_ACL_SELECT)) return false;
            }
            const eng_index *ix = NULL;
            for (uint32_t i = 0; c->kind == 'u' && i < t->index_count; i++) {
                if (t->indexes[i].oid == c->index_oid) ix = &t->indexes[i];
            }
            if (ix != NULL) return sql_conflict_add(b, t, ix, p);
            p->modify.conflict_pk = true; /* the primary key's constraint */
            return true;
        }
        return sql_bind_error(b, UINT32_MAX, SQLSTATE_UNDEFINED_OBJECT,
                              "constraint \"%s\" for table \"%s\" does not exist",
                              oc->constraint, t->name);
    }
    if (oc->action == SQL_CONFLICT_UPDATE) {
        return sql_bind_error(b, ins->hdr.location, SQLSTATE_SYNTAX_ERROR,
                              "ON CONFLICT DO UPDATE requires inference specification or "
                              "constraint name");
    }
    p->modify.conflict_any = true;
    return true;
}

static bool sql_insert_on_conflict(sql_binder *b, const sql_insert *ins, const eng_table *t,
                                   sql_plan *p, const char *alias) {
    const sql_on_conflict *oc = ins->on_conflict;
    if (oc == NULL) return true;
    if (!sql_conflict_arbiter(b, ins, t, p)) return false;
    p->modify.on_conflict = oc->action == SQL_CONFLICT_NOTHING ? 1 : 2;
    if (oc->action != SQL_CONFLICT_UPDATE) return true;
    sql_qlevel *q = sql_dml_level(b, t, alias, NULL, true, false);
    if (q == NULL) return sql_bind_oom(b);
    p->modify.conflict_set = rt_arena_zalloc(b->arena, sizeof(sql_expr *) * (t->column_count + 1u));
    if (p->modify.conflict_set == NULL) return sql_bind_oom(b);
    for (uint32_t i = 0; i < oc->set.count; i++) {
        const sql_set_item *si = SQL_LIST_AT(oc->set, i);
        const eng_column *col = eng_table_column_by_name(t, si->column);
        if (col == NULL) {
            return sql_bind_error(b, si->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                                  "column \"%s\" of relation \"%s\" does not exist", si->column,
                                  t->name);
        }
        char *what = rt_arena_sprintf(b->arena, "column \"%s\"", col->name);
        sql_expr *e = SQL_NODE_KIND(si->value) == SQL_N_DEFAULT
                          ? p->modify.defaults[col->attnum - 1]
                          : sql_bind_expr_as(q, si->value, col->type_oid, col->typmod,
                                             SQL_CAST_ASSIGNMENT, what);
        if (e == NULL && SQL_NODE_KIND(si->value) == SQL_N_DEFAULT) {
            sql_value nv = {.type_oid = col->type_oid, .is_null = true};
            e = sql_expr_const(b->arena, &nv, col->typmod);
        }
        if (e == NULL || !sql_bind_note_col(b, t->oid, col->attnum, ENG_ACL_UPDATE)) return false;
        p->modify.conflict_set[col->attnum - 1] = e;
    }
    if (oc->where != NULL &&
        (p->modify.conflict_where = sql_bind_condition(q, oc->where, "WHERE")) == NULL) {
        return false;
    }
    return true;
}

static bool sql_insert_returning(sql_binder *b, const eng_table *t, const char *alias,
                                 const sql_list *returning, sql_plan *p, sql_query *qy) {
    if (returning->count == 0) return true;
    sql_qlevel *q = sql_dml_level(b, t, alias, NULL, false, false);
    return q != NULL ? sql_bind_returning(b, q, returning, p, qy) : sql_bind_oom(b);
}

sql_plan *sql_bind_insert(sql_binder *b, const sql_insert *ins, sql_query *qy,
                          sql_cte_def *outer) {
    const eng_table *t = sql_dml_target(b, ins->table);
    if (t == NULL) return NULL;
    /* ON CONFLICT DO UPDATE updates; the columns RETURNING, the arbiter and DO UPDATE's
     * expressions read need SELECT (sql_bind_note_col), as in PostgreSQL. */
    uint32_t need = ENG_ACL_INSERT;
    if (ins->on_conflict != NULL && ins->on_conflict->action != SQL_CONFLICT_NOTHING) {
        need |= ENG_ACL_UPDATE;
    }
    if (!sql_bind_need_priv(b, t->oid, need, false, false)) return NULL;
    sql_cte_def *ctes = outer;
    if (ins->with != NULL) {
        sql_qlevel *wq = sql_qlevel_new(b, NULL, NULL);
        if (wq == NULL || !sql_bind_with(wq, ins->with, &ctes)) return NULL;
    }
    sql_plan *p = sql_plan_new(b->arena, SQL_P_INSERT, 0);
    if (p == NULL) return NULL;
    p->modify.table = t;
    if (!sql_insert_columns(b, ins, t, p) || !sql_bind_defaults_checks(b, t, p)) return NULL;
    const sql_select *s = ins->source;
    if (s == NULL) {
        p->modify.ncols = 0;
        p->left = sql_plan_new(b->arena, SQL_P_RESULT, 0);
    } else if (s->op == SQL_SETOP_NONE && s->values.count > 0 && s->with == NULL &&
               s->order_by.count == 0 && s->limit == NULL) {
        p->left = sql_insert_values(b, ins, t, p, ctes);
    } else {
        for (uint32_t k = 0; k < p->modify.ncols; k++) {
            const eng_column *col = &t->columns[p->modify.attnums[k] - 1];
            if (col->identity == 'a' && ins->overriding != SQL_OVERRIDING_SYSTEM) {
                sql_bind_error(b, s->hdr.location, SQLSTATE_GENERATED_ALWAYS,
                               "cannot insert a non-DEFAULT value into column \"%s\"",
                               col->name);
                return NULL;
            }
        }
        p->left = sql_insert_select(b, ins, t, p, ctes);
    }
    if (p->left == NULL) return NULL;
    /* The columns given values need INSERT; those left to their defaults do not. */
    for (uint32_t k = 0; k < p->modify.ncols; k++) {
        if (!sql_bind_note_col(b, t->oid, p->modify.attnums[k], ENG_ACL_INSERT)) return NULL;
    }
    const char *alias = ins->table->alias != NULL ? ins->table->alias : t->name;
    if (!sql_insert_on_conflict(b, ins, t, p, alias) ||
        !sql_insert_returning(b, t, alias, &ins->returning, p, qy)) {
        return NULL;
    }
    p->est_rows = p->left->est_rows;
    qy->cmd = SQL_CMD_INSERT;
    qy->target = t;
    if (ins->with != NULL && !sql_cte_resolve(b, ctes, outer)) return NULL;
    return p;
}

/* ---- UPDATE and DELETE ---- */

/* SCAN of the whole row (all attnums) with the row locator, filtered by WHERE. */
static sql_plan *sql_dml_scan(sql_binder *b, const eng_table *t, sql_qlevel *q,
                              const sql_node *where) {
    sql_plan *scan = sql_bind_table_plan(b, t, UINT32_MAX);
    if (scan == NULL) return NULL;
    sql_col *cols = rt_arena_alloc(b->arena, sizeof(sql_col) * (scan->ncols + 1u));
    if (cols == NULL) return NULL;
    memcpy(cols, scan->cols, sizeof(sql_col) * scan->ncols);
    cols[scan->ncols] = (sql_col){.name = "?locator?", .type_oid = SQL_T_INT8, .typmod = -1};
    scan->cols = cols;
    scan->ncols++;
    scan->scan.want_slots = true;
    if (where != NULL) {
        q->agg_forbidden = "WHERE";
        scan->scan.filter = sql_bind_condition(q, where, "WHERE");
        q->agg_forbidden = NULL;
        if (scan->scan.filter == NULL) return NULL;
    }
    return scan;
}

/* SET a[i] = v: the column's array with element i replaced (array_assign). Slices, several
 * subscripts and fields (SET c.f = v) are not supported yet. */
static sql_expr *sql_update_subscript(sql_qlevel *q, const sql_set_item *si, const eng_table *t,
                                      const eng_column *col, const sql_node *value) {
    sql_binder *b = q->b;
    const sql_subscript *sub = SQL_LIST_AT(si->indirection, 0);
    uint32_t elem = sql_type_elem_of(col->type_oid);
    if (si->indirection.count != 1 || SQL_NODE_KIND(sub) != SQL_N_SUBSCRIPT || sub->is_slice ||
        elem == 0 || SQL_NODE_KIND(value) == SQL_N_DEFAULT) {
        if (elem == 0 && SQL_NODE_KIND(sub) == SQL_N_SUBSCRIPT) {
            sql_bind_error(b, si->hdr.location, SQLSTATE_DATATYPE_MISMATCH, "cannot subscript "
                           "type %s because it does not support subscripting",
                           sql_type_name(col->type_oid));
            return NULL;
        }
        sql_bind_error(b, si->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "this form of assignment to part of a column is not supported yet");
        return NULL;
    }
    sql_expr *args[3];
    if ((args[0] = sql_expr_new(b->arena, SQL_X_COLUMN, col->type_oid, 0)) == NULL) return NULL;
    args[0]->typmod = col->typmod;
    args[0]->column.index = (uint32_t)(col - t->columns);
    args[0]->column.depth = 0;
    char *what = rt_arena_sprintf(b->arena, "column \"%s\"", col->name);
    args[1] = sql_bind_expr_as(q, sub->lower, SQL_T_INT4, -1, SQL_CAST_IMPLICIT, NULL);
    args[2] = args[1] != NULL ? sql_bind_expr_as(q, value, elem, col->typmod, SQL_CAST_ASSIGNMENT,
                                                 what)
                              : NULL;
    if (args[2] == NULL) return NULL;
    return sql_bind_call(q, "array_assign", false, args, 3, si->hdr.location);
}

static bool sql_update_set(sql_binder *b, const sql_update *up, const eng_table *t,
                           sql_qlevel *q, sql_plan *p) {
    p->modify.set = rt_arena_zalloc(b->arena, sizeof(sql_expr *) * (t->column_count + 1u));
    if (p->modify.set == NULL) return sql_bind_oom(b);
    q->win_forbidden = "UPDATE";
    bool *by_field = rt_arena_zalloc(b->arena, sizeof(bool) * (t->column_count + 1u));
    if (by_field == NULL) return sql_bind_oom(b);
    for (uint32_t i = 0; i < up->set.count; i++) {
        const sql_set_item *si = SQL_LIST_AT(up->set, i);
        if (si->multi_source != NULL && SQL_NODE_KIND(si->multi_source) != SQL_N_ROW) {
            return sql_bind_error(b, si->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "UPDATE ... SET (...) = (SELECT ...) is not supported yet");
        }
        const eng_column *col = eng_table_column_by_name(t, si->column);
        if (col == NULL) {
            return sql_bind_error(b, si->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                                  "column \"%s\" of relation \"%s\" does not exist", si->column,
                                  t->name);
        }
        const sql_field *fld = si->indirection.count == 1 ? SQL_LIST_AT(si->indirection, 0) : NULL;
        if (fld != NULL && (SQL_NODE_KIND(fld) != SQL_N_FIELD || fld->field == NULL)) fld = NULL;
        if (p->modify.set[col->attnum - 1] != NULL && !(fld != NULL && by_field[col->attnum - 1])) {
            return sql_bind_error(b, si->hdr.location, SQLSTATE_DUPLICATE_COLUMN,
                                  "multiple assignments to same column \"%s\"", col->name);
        }
        const sql_node *value = si->value;
        if (si->multi_source != NULL) {
            const sql_row *row = (const sql_row *)si->multi_source;
            value = SQL_LIST_AT(row->args, (uint32_t)si->multi_index);
        }
        bool is_default = SQL_NODE_KIND(value) == SQL_N_DEFAULT;
        if ((col->identity == 'a' || col->generated == 's') && !is_default) {
            return sql_bind_error(b, si->hdr.location, SQLSTATE_GENERATED_ALWAYS,
                                  "column \"%s\" can only be updated to DEFAULT", col->name);
        }
        sql_expr *e;
        if (fld != NULL && !is_default) { /* SET c.f = v, also after SET c.g = w */
            sql_expr *base = p->modify.set[col->attnum - 1];
            if (base == NULL && (base = sql_expr_new(b->arena, SQL_X_COLUMN, col->type_oid, 0))) {
                base->typmod = col->typmod;
                base->column.index = (uint32_t)(col - t->columns);
            }
            e = base != NULL ? sql_bind_field_assign(q, base, col->name, fld->field, value,
                                                     si->hdr.location)
                             : NULL;
            by_field[col->attnum - 1] = true;
        } else if (si->indirection.count > 0) {
            e = sql_update_subscript(q, si, t, col, value);
        } else if (is_default) {
            e = p->modify.defaults[col->attnum - 1];
            if (e == NULL) {
                sql_value nv = {.type_oid = col->type_oid, .is_null = true};
                e = sql_expr_const(b->arena, &nv, col->typmod);
            }
        } else {
            char *what = rt_arena_sprintf(b->arena, "column \"%s\"", col->name);
            e = sql_bind_expr_as(q, value, col->type_oid, col->typmod, SQL_CAST_ASSIGNMENT, what);
        }
        if (e == NULL || !sql_bind_note_col(b, t->oid, col->attnum, ENG_ACL_UPDATE)) return false;
        p->modify.set[col->attnum - 1] = e;
    }
    return true;
}

/* UPDATE ... FROM / DELETE ... USING: the target's scan joined with the relations of `from`,
 * WHERE the join's condition over the joined row (the target's columns, its locator, the
 * relations' columns; *cond for the READ COMMITTED re-check). */
static sql_plan *sql_dml_join(sql_binder *b, sql_qlevel *q, sql_plan *scan, const sql_list *from,
                              const sql_node *where, sql_expr **cond) {
    sql_plan *j = sql_bind_from_target(q, scan, from);
    if (j == NULL) return NULL;
    *cond = NULL;
    if (where == NULL) {
        j->join.join_type = SQL_JOIN_CROSS;
        return j;
    }
    q->agg_forbidden = "WHERE";
    *cond = sql_bind_condition(q, where, "WHERE");
    q->agg_forbidden = NULL;
    if (*cond == NULL) return NULL;
    j->join.quals = *cond;
    return j;
}

/* UPDATE and DELETE: a fragment over the target's scan, WHERE its filter. With FROM / USING
 * relations (`from` not empty) the scan is joined with them (sql_dml_join), planned like any
 * join (a hash join on WHERE's equalities) inside the target's fragment; SET, RETURNING and
 * the re-check read the joined row, whose relations' columns are modify.nfrom after the
 * target's. A target row that several joined rows match changes once, with one of them (the
 * executor skips the rest), as in PostgreSQL. */
static sql_plan *sql_bind_update_delete(sql_binder *b, const sql_rangevar *target,
                                        const sql_with *with, const sql_node *where,
                                        const char *current_of, const sql_list *returning,
                                        const sql_update *up, const sql_list *from,
                                        sql_query *qy, sql_cte_def *outer) {
    const eng_table *t = sql_dml_target(b, target);
    if (t == NULL) return NULL;
    /* The target's columns that WHERE, SET, RETURNING or a join read need SELECT too
     * (sql_bind_note_col), as in PostgreSQL. */
    uint32_t need = up != NULL ? ENG_ACL_UPDATE : ENG_ACL_DELETE;
    if (!sql_bind_need_priv(b, t->oid, need, false, false)) return NULL;
    if (current_of != NULL) {
        sql_bind_error(b, target->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "WHERE CURRENT OF is not supported yet");
        return NULL;
    }
    sql_cte_def *ctes = outer;
    if (with != NULL) {
        sql_qlevel *wq = sql_qlevel_new(b, NULL, NULL);
        if (wq == NULL || !sql_bind_with(wq, with, &ctes)) return NULL;
    }
    const char *alias = target->alias != NULL ? target->alias : t->name;
    bool join = from->count > 0;
    sql_qlevel *q = sql_dml_level(b, t, alias, ctes, false, join);
    if (q == NULL) return NULL;
    sql_plan *scan = sql_dml_scan(b, t, q, join ? NULL : where);
    if (scan == NULL) return NULL;
    sql_plan *child = scan;
    sql_expr *recheck = scan->scan.filter;
    if (join && (child = sql_dml_join(b, q, scan, from, where, &recheck)) == NULL) return NULL;
    sql_plan *p = sql_plan_new(b->arena, up != NULL ? SQL_P_UPDATE : SQL_P_DELETE, 0);
    if (p == NULL) return NULL;
    p->left = child;
    p->modify.table = t;
    p->modify.where = recheck;
    p->modify.nfrom = child->ncols - scan->ncols;
    if (up != NULL && (!sql_bind_defaults_checks(b, t, p) || !sql_update_set(b, up, t, q, p))) {
        return NULL;
    }
    if (!sql_bind_returning(b, q, returning, p, qy)) return NULL;
    p->est_rows = child->est_rows;
    qy->cmd = up != NULL ? SQL_CMD_UPDATE : SQL_CMD_DELETE;
    qy->target = t;
    if (with != NULL && !sql_cte_resolve(b, ctes, outer)) return NULL;
    return p;
}

sql_plan *sql_bind_update(sql_binder *b, const sql_update *up, sql_query *qy,
                          sql_cte_def *outer) {
    return sql_bind_update_delete(b, up->table, up->with, up->where, up->current_of,
                                  &up->returning, up, &up->from, qy, outer);
}

sql_plan *sql_bind_delete(sql_binder *b, const sql_delete *del, sql_query *qy,
                          sql_cte_def *outer) {
    return sql_bind_update_delete(b, del->table, del->with, del->where, del->current_of,
                                  &del->returning, NULL, &del->using_, qy, outer);
}
