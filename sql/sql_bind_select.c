/* sql_bind_select.c: binding SELECT blocks, VALUES, set operations and WITH. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_record.h"

sql_qlevel *sql_qlevel_new(sql_binder *b, sql_qlevel *parent, sql_cte_def *ctes) {
    sql_qlevel *q = rt_arena_zalloc(b->arena, sizeof *q);
    if (q == NULL) return NULL;
    q->b = b;
    q->parent = parent;
    q->ctes = ctes;
    return q;
}

static sql_plan *sql_plan_alloc(sql_binder *b, sql_plan_kind kind, uint32_t ncols) {
    sql_plan *p = sql_plan_new(b->arena, kind, ncols);
    if (p == NULL) sql_bind_oom(b);
    return p;
}

/* ---- scopes ---- */

static sql_scope *sql_scope_new(sql_binder *b, uint32_t ncols, uint32_t nrtes) {
    sql_scope *s = rt_arena_zalloc(b->arena, sizeof *s);
    if (s == NULL) return NULL;
    s->cols = rt_arena_zalloc(b->arena, sizeof(sql_scope_col) * (ncols + 1u));
    s->rtes = rt_arena_zalloc(b->arena, sizeof(sql_rte) * (nrtes + 1u));
    if (s->cols == NULL || s->rtes == NULL) return NULL;
    return s;
}

/* A scope of one named relation whose columns are the plan's output columns. */
static sql_scope *sql_scope_of_plan(sql_binder *b, const sql_plan *p, const char *name,
                                    const char *schema, const eng_table *t) {
    sql_scope *s = sql_scope_new(b, p->ncols, 1);
    if (s == NULL) return NULL;
    for (uint32_t i = 0; i < p->ncols; i++) {
        s->cols[i] = (sql_scope_col){.name = p->cols[i].name, .type_oid = p->cols[i].type_oid,
                                     .typmod = p->cols[i].typmod,
                                     .table_oid = p->cols[i].table_oid,
                                     .attnum = p->cols[i].attnum};
        if (t != NULL && i < t->column_count && t->columns[i].dropped) s->cols[i].hidden = true;
    }
    s->ncols = p->ncols;
    s->rtes[0] = (sql_rte){.name = name, .schema = schema, .first = 0, .ncols = p->ncols,
                           .table = t};
    s->nrtes = 1;
    return s;
}

/* Two FROM items of one level may not have the same name (two tables of the same name in
 * different schemas may, when neither has an alias). */
static bool sql_scope_check_names(sql_binder *b, const sql_scope *l, const sql_scope *r,
                                  uint32_t loc) {
    for (uint32_t i = 0; i < r->nrtes; i++) {
        const sql_rte *x = &r->rtes[i];
        for (uint32_t k = 0; x->name != NULL && k < l->nrtes; k++) {
            const sql_rte *y = &l->rtes[k];
            if (y->name == NULL || strcmp(x->name, y->name) != 0) continue;
            if (x->schema != NULL && y->schema != NULL && x->table != NULL &&
                y->table != NULL && x->table != y->table) {
                continue;
            }
            return sql_bind_error(b, loc, SQLSTATE_DUPLICATE_ALIAS,
                                  "table name \"%s\" specified more than once", x->name);
        }
    }
    return true;
}

/* Column k of a bare `*` over scope s. */
static uint32_t sql_scope_star_at(const sql_scope *s, uint32_t k) {
    return s->star != NULL ? s->star[k] : k;
}

static sql_scope *sql_scope_concat(sql_binder *b, const sql_scope *l, const sql_scope *r) {
    sql_scope *s = sql_scope_new(b, l->ncols + r->ncols, l->nrtes + r->nrtes);
    if (s == NULL) return NULL;
    if (l->star != NULL || r->star != NULL) {
        s->star = rt_arena_alloc(b->arena, sizeof(uint32_t) * (l->ncols + r->ncols + 1u));
        if (s->star == NULL) return NULL;
        for (uint32_t k = 0; k < l->ncols; k++) s->star[k] = sql_scope_star_at(l, k);
        for (uint32_t k = 0; k < r->ncols; k++) {
            s->star[l->ncols + k] = l->ncols + sql_scope_star_at(r, k);
        }
    }
    memcpy(s->cols, l->cols, sizeof(sql_scope_col) * l->ncols);
    memcpy(s->cols + l->ncols, r->cols, sizeof(sql_scope_col) * r->ncols);
    s->ncols = l->ncols + r->ncols;
    memcpy(s->rtes, l->rtes, sizeof(sql_rte) * l->nrtes);
    for (uint32_t i = 0; i < r->nrtes; i++) {
        s->rtes[l->nrtes + i] = r->rtes[i];
        s->rtes[l->nrtes + i].first += l->ncols;
    }
    s->nrtes = l->nrtes + r->nrtes;
    return s;
}

/* ---- FROM items ---- */

sql_plan *sql_bind_table_plan(sql_binder *b, const eng_table *t, uint32_t loc) {
    (void)loc;
    sql_plan *p = sql_plan_alloc(b, SQL_P_SCAN, t->column_count);
    if (p == NULL) return NULL;
    p->scan.table = t;
    p->scan.natts = t->column_count;
    p->scan.attnums = rt_arena_alloc(b->arena, sizeof(uint16_t) * (t->column_count + 1u));
    if (p->scan.attnums == NULL) return NULL;
    for (uint32_t i = 0; i < t->column_count; i++) {
        const eng_column *c = &t->columns[i];
        p->scan.attnums[i] = c->attnum;
        p->cols[i] = (sql_col){.name = c->name, .type_oid = c->type_oid, .typmod = c->typmod,
                               .table_oid = t->oid, .attnum = (int16_t)c->attnum};
    }
    p->est_rows = 1000;
    return p;
}

static const sql_cte_def *sql_find_cte(const sql_qlevel *q, const char *name) {
    for (const sql_cte_def *c = q->ctes; c != NULL; c = c->next) {
        if (strcmp(c->name, name) == 0) return c;
    }
    return NULL;
}

static sql_plan *sql_bind_cte_ref(sql_qlevel *q, sql_cte_def *c, uint32_t loc) {
    sql_binder *b = q->b;
    if (c->dml && !c->returning) {
        sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "WITH query \"%s\" does not have a RETURNING clause", c->name);
        return NULL;
    }
    sql_plan *p = sql_plan_alloc(b, c->recursive_ref ? SQL_P_WORKTABLE : SQL_P_MATERIAL,
                                 c->ncols);
    if (p == NULL) return NULL;
    memcpy(p->cols, c->cols, sizeof(sql_col) * c->ncols);
    if (c->dml) { /* reads the rows the MODIFYCTE keeps; the body is run there */
        p->material = c->material->material;
        b->dml_refs[p->material.id]++;
    } else if (c->recursive_ref) {
        p->material.id = c->worktable_id;
        p->material.name = c->name;
    } else {
        p->material.id = c->material->material.id;
        p->material.name = c->name;
        p->material.level = c->material->material.level;
        p->material.pos = c->material->material.pos;
        p->left = c->material->left;
        if (!sql_cte_note_ref(q, c, p)) return NULL;
    }
    return p;
}

/* Applies column aliases `t(a, b)` to a plan's output names. */
static bool sql_apply_col_aliases(sql_binder *b, sql_plan *p, const sql_list *aliases,
                                  const char *relname, uint32_t loc) {
    if (aliases->count > p->ncols) {
        return sql_bind_error(b, loc, SQLSTATE_INVALID_COLUMN_REFERENCE,
                              "table \"%s\" has %u columns available but %u columns specified",
                              relname, p->ncols, aliases->count);
    }
    for (uint32_t i = 0; i < aliases->count; i++) p->cols[i].name = SQL_LIST_AT(*aliases, i);
    return true;
}

/* PostgreSQL's rules for a reference to a WITH RECURSIVE query from inside itself (42P19). */
static bool sql_check_recursive_ref(sql_qlevel *q, sql_cte_def *c, uint32_t loc) {
    sql_binder *b = q->b;
    const char *why = c->recursion_error;
    if (why == NULL && c->recursive_ref) {
        why = b->sublink_depth > c->sublink_base     ? "must not appear within a subquery"
              : b->nullable_depth > c->nullable_base ? "must not appear within an outer join"
              : ++c->nrefs > 1                       ? "must not appear more than once"
                                                     : NULL;
        q->selfref = true;
    }
    if (why == NULL) return true;
    if (strcmp(why, "dml") == 0) {
        return sql_bind_error(b, c->location, SQLSTATE_INVALID_RECURSION, "recursive query "
                              "\"%s\" must not contain data-modifying statements", c->name);
    }
    if (strncmp(why, "must", 4) != 0) {
        return sql_bind_error(b, loc, SQLSTATE_INVALID_RECURSION, "recursive query \"%s\" does "
                              "not have the form non-recursive-term UNION [ALL] recursive-term",
                              c->name);
    }
    return sql_bind_error(b, loc, SQLSTATE_INVALID_RECURSION,
                          "recursive reference to query \"%s\" %s", c->name, why);
}

/* A sequence in FROM: its one row (last_value, log_cnt, is_called) read when the query runs,
 * as PostgreSQL's sequence relation; needs SELECT on it. */
static sql_plan *sql_bind_sequence_plan(sql_binder *b, const eng_sequence *s, uint32_t loc) {
    if (!sql_bind_need_priv(b, s->oid, ENG_ACL_SELECT, true, false)) return NULL;
    sql_plan *res = sql_plan_alloc(b, SQL_P_RESULT, 0);
    sql_plan *p = res != NULL ? sql_plan_alloc(b, SQL_P_PROJECT, SQL_SEQ_ROW_COLS) : NULL;
    if (p == NULL) return NULL;
    p->left = res;
    p->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * SQL_SEQ_ROW_COLS);
    if (p->project.exprs == NULL) return NULL;
    sql_value oid = {.type_oid = SQL_T_OID, .i64 = s->oid};
    for (uint32_t k = 0; k < SQL_SEQ_ROW_COLS; k++) {
        const sql_func_def *def = &sql_seq_row_defs[k];
        sql_expr *c = sql_expr_new(b->arena, SQL_X_FUNC, def->ret, 1);
        if (c == NULL || (c->args[0] = sql_expr_const(b->arena, &oid, -1)) == NULL) return NULL;
        c->typmod = -1;
        c->func.def = def;
        c->location = loc;
        p->project.exprs[k] = c;
        p->cols[k] = (sql_col){.name = def->name, .type_oid = def->ret, .typmod = -1,
                               .table_oid = s->oid, .attnum = (int16_t)(k + 1)};
    }
    res->est_rows = p->est_rows = 1;
    return p;
}

static sql_plan *sql_bind_rangevar(sql_qlevel *q, const sql_rangevar *rv, sql_scope **scope) {
    sql_binder *b = q->b;
    const sql_name *nm = &rv->name;
    const char *name = nm->parts[nm->count - 1];
    const char *alias = rv->alias != NULL ? rv->alias : name;
    sql_plan *p = NULL;
    const eng_table *t = NULL;
    const eng_sequence *seq;
    const char *schema = nm->count >= 2 ? nm->parts[nm->count - 2] : NULL;
    sql_cte_def *cte = nm->count == 1 ? (sql_cte_def *)sql_find_cte(q, name) : NULL;
    if (cte != NULL && !sql_check_recursive_ref(q, cte, rv->hdr.location)) return NULL;
    if (cte != NULL) {
        p = sql_bind_cte_ref(q, cte, rv->hdr.location);
        bool cte_scan = p != NULL && (p->kind == SQL_P_MATERIAL || p->kind == SQL_P_WORKTABLE);
        if (cte_scan) p->material.alias = alias; /* else already inlined */
    } else if ((t = sql_bind_find_table(b->bc, nm)) != NULL) {
        if (t->kind == 'c') {
            sql_bind_error(b, rv->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                           "\"%s\" is a composite type", name);
            return NULL;
        }
        if (t->kind == 'v') {
            sql_bind_error(b, rv->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "views are not supported yet");
            return NULL;
        }
        if (!sql_bind_need_priv(b, t->oid, ENG_ACL_SELECT, false, false)) return NULL;
        p = sql_bind_table_plan(b, t, rv->hdr.location);
        if (p != NULL) p->scan.alias = alias;
        if (t->schema_oid != 0 && schema == NULL) schema = NULL;
    } else if ((seq = sql_bind_find_sequence(b->bc, nm)) != NULL) {
        p = sql_bind_sequence_plan(b, seq, rv->hdr.location);
    } else {
        const sql_pgcat_rel *rel = NULL;
        if (nm->count <= 2) rel = sql_pgcat_find(schema, name);
        if (rel == NULL) {
            if (rt_err_is_set(b->bc->err)) return NULL;
            if (nm->count >= 2) {
                sql_bind_error(b, rv->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                               "relation \"%s.%s\" does not exist", nm->parts[nm->count - 2],
                               name);
            } else {
                sql_bind_error(b, rv->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                               "relation \"%s\" does not exist", name);
            }
            return NULL;
        }
        p = sql_plan_alloc(b, SQL_P_CATALOG, rel->ncols);
        if (p == NULL) return NULL;
        p->catalog.rel_id = rel->id;
        for (uint32_t i = 0; i < rel->ncols; i++) {
            p->cols[i] = (sql_col){.name = rel->cols[i].name, .type_oid = rel->cols[i].type_oid,
                                   .typmod = -1, .table_oid = rel->id, .attnum = (int16_t)(i + 1)};
        }
        p->est_rows = 100;
    }
    if (p == NULL) return NULL;
    if (!sql_apply_col_aliases(b, p, &rv->col_aliases, alias, rv->hdr.location)) return NULL;
    *scope = sql_scope_of_plan(b, p, alias, rv->alias == NULL ? schema : NULL, t);
    return *scope != NULL ? p : NULL;
}

/* LATERAL items (and every function in FROM, which PostgreSQL treats as LATERAL) are bound
 * with the earlier FROM items of this level visible as the enclosing row. When the item does
 * refer to them its join re-runs it per row of its left input (q->lateral_item, then
 * join.lateral). When it does not, it must not have been bound one level too deep: a
 * reference it makes to an enclosing query counted this level, so it is bound again as an
 * ordinary FROM item (sql_lateral_end returns false and the caller retries). */
static void sql_lateral_begin(sql_qlevel *q, bool lateral) {
    q->lateral = lateral;
    q->lateral_used = false;
    q->lateral_beyond = false;
    q->lateral_item = false;
}

/* False when the item must be bound again without LATERAL. */
static bool sql_lateral_end(sql_qlevel *q) {
    bool lateral = q->lateral, used = q->lateral_used, beyond = q->lateral_beyond;
    q->lateral = false;
    q->lateral_used = false;
    q->lateral_beyond = false;
    q->lateral_item = lateral && used;
    return !lateral || used || !beyond;
}

static sql_plan *sql_bind_rangesub_as(sql_qlevel *q, const sql_rangesub *rs, bool lateral,
                                      sql_scope **scope) {
    sql_binder *b = q->b;
    /* A subquery in FROM sees enclosing queries, and earlier FROM items only when LATERAL. */
    sql_qlevel *outer = lateral ? q : q->parent;
    sql_lateral_begin(q, lateral);
    const sql_scope *invisible = b->invisible;
    if (!lateral && q->scope != NULL) b->invisible = q->scope;
    sql_plan *p = sql_bind_select(outer, rs->subquery, q->ctes);
    b->invisible = invisible;
    if (p == NULL) {
        sql_lateral_begin(q, false);
        return NULL;
    }
    if (!sql_lateral_end(q)) return sql_bind_rangesub_as(q, rs, false, scope);
    if (rs->alias == NULL) {
        sql_bind_error(b, rs->hdr.location, SQLSTATE_SYNTAX_ERROR,
                       "subquery in FROM must have an alias");
        rt_err_hint(b->bc->err, "For example, FROM (SELECT ...) [AS] foo.");
        return NULL;
    }
    if (!sql_apply_col_aliases(b, p, &rs->col_aliases, rs->alias, rs->hdr.location)) return NULL;
    *scope = sql_scope_of_plan(b, p, rs->alias, NULL, NULL);
    return *scope != NULL ? p : NULL;
}

static sql_plan *sql_bind_rangesub(sql_qlevel *q, const sql_rangesub *rs, sql_scope **scope) {
    return sql_bind_rangesub_as(q, rs, rs->lateral, scope);
}

/* The arguments of a function in FROM, which is LATERAL whether or not the keyword is
 * written; returns the level they were bound in. */
static sql_qlevel *sql_bind_rangefunc_args(sql_qlevel *q, const sql_func *f, sql_expr **args) {
    sql_qlevel *argq = NULL;
    for (int lateral = 1; lateral >= 0; lateral--) {
        argq = sql_qlevel_new(q->b, lateral ? q : q->parent, q->ctes);
        if (argq == NULL) return NULL;
        argq->agg_forbidden = "functions in FROM";
        sql_lateral_begin(q, lateral != 0);
        for (uint32_t i = 0; i < f->args.count; i++) {
            if ((args[i] = sql_bind_expr(argq, SQL_LIST_AT(f->args, i))) == NULL) {
                sql_lateral_begin(q, false);
                return NULL;
            }
        }
        if (sql_lateral_end(q)) break;
    }
    return argq;
}

/* json[b]_populate_record[set] / json[b]_to_record[set] in FROM: a FUNCSCAN whose rows are
 * the records the call makes (one for the scalar forms), spread into the columns of their row
 * type. */
static sql_plan *sql_bind_rangefunc_jsonrec(sql_qlevel *q, sql_qlevel *argq,
                                            const sql_rangefunc *rf, sql_expr *call,
                                            sql_scope **scope) {
    sql_binder *b = q->b;
    const char *name = call->func.def->name;
    call = sql_bind_jsonrec(argq, call, &rf->col_defs, true, call->location);
    if (call == NULL) return NULL;
    sql_bytes shape = call->args[call->nargs - 1]->constval.b;
    uint32_t n = sql_record_count(shape);
    sql_plan *p = sql_plan_alloc(b, SQL_P_FUNCSCAN, n + (rf->with_ordinality ? 1u : 0u));
    if (p == NULL) return NULL;
    p->func.def = sql_jsonrec_from_def(call->func.def);
    p->func.nargs = call->nargs;
    p->func.args = call->args;
    p->func.ordinality = rf->with_ordinality;
    p->func.alias = rf->alias;
    if (rf->with_ordinality) {
        p->cols[n] = (sql_col){.name = "ordinality", .type_oid = SQL_T_INT8, .typmod = -1};
    }
    sql_record_iter it;
    sql_record_col col;
    sql_record_iter_init(&it, shape);
    for (uint32_t i = 0; sql_record_iter_next(&it, &col); i++) {
        char *fname = rt_arena_strndup(b->arena, col.name, col.name_len);
        if (fname == NULL) return NULL;
        p->cols[i] = (sql_col){.name = fname, .type_oid = col.value.type_oid,
                               .typmod = col.typmod};
    }
    const char *alias = rf->alias != NULL ? rf->alias : name;
    if (!sql_apply_col_aliases(b, p, &rf->col_aliases, alias, rf->hdr.location)) return NULL;
    *scope = sql_scope_of_plan(b, p, alias, NULL, NULL);
    return *scope != NULL ? p : NULL;
}

static sql_plan *sql_bind_rangefunc(sql_qlevel *q, const sql_rangefunc *rf, sql_scope **scope) {
    sql_binder *b = q->b;
    if (rf->funcs.count > 0 || rf->func == NULL) {
        sql_bind_error(b, rf->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "ROWS FROM is not supported yet");
        return NULL;
    }
    const sql_func *f = rf->func;
    const char *name = f->name.parts[f->name.count - 1];
    uint32_t n = f->args.count;
    sql_expr **args = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (n + 1u));
    if (args == NULL) return NULL;
    sql_qlevel *argq = sql_bind_rangefunc_args(q, f, args);
    if (argq == NULL) return NULL;
    /* unnest(outer.col) in a subquery: the subquery runs once per outer row. */
    if (argq->correlated && !q->lateral_item) q->correlated = true;
    sql_expr *call = sql_bind_call(argq, name, false, args, n, f->hdr.location);
    if (call == NULL) return NULL;
    const sql_func_def *d = call->func.def;
    if (rf->with_ordinality && rf->col_defs.count > 0) {
        const sql_columndef *cd = SQL_LIST_AT(rf->col_defs, 0);
        sql_bind_error(b, cd->hdr.location, SQLSTATE_SYNTAX_ERROR,
                       "WITH ORDINALITY cannot be used with a column definition list");
        rt_err_hint(b->bc->err, "Put the column definition list inside ROWS FROM().");
        return NULL;
    }
    if (call->kind == SQL_X_FUNC && sql_jsonrec_is(d)) {
        return sql_bind_rangefunc_jsonrec(q, argq, rf, call, scope);
    }
    if (rf->col_defs.count > 0) {
        const sql_columndef *cd = SQL_LIST_AT(rf->col_defs, 0);
        sql_bind_error(b, cd->hdr.location, SQLSTATE_SYNTAX_ERROR, "a column definition list "
                       "is only allowed for functions returning \"record\"");
        return NULL;
    }
    if (!(d->flags & SQL_F_SRF)) {
        /* A scalar function in FROM yields one row with one column. */
        sql_plan *res = sql_plan_alloc(b, SQL_P_RESULT, 0);
        sql_plan *p = sql_plan_alloc(b, SQL_P_PROJECT, 1);
        if (res == NULL || p == NULL) return NULL;
        p->left = res;
        p->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *));
        if (p->project.exprs == NULL) return NULL;
        p->project.exprs[0] = call;
        p->cols[0] = (sql_col){.name = name, .type_oid = call->type_oid, .typmod = call->typmod};
        const char *alias = rf->alias != NULL ? rf->alias : name;
        if (rf->alias != NULL && rf->col_aliases.count == 0) p->cols[0].name = rf->alias;
        if (!sql_apply_col_aliases(b, p, &rf->col_aliases, alias, rf->hdr.location)) return NULL;
        *scope = sql_scope_of_plan(b, p, alias, NULL, NULL);
        return *scope != NULL ? p : NULL;
    }
    uint32_t ncols = (d->srf_ncols > 0 ? d->srf_ncols : 1) + (rf->with_ordinality ? 1 : 0);
    sql_plan *p = sql_plan_alloc(b, SQL_P_FUNCSCAN, ncols);
    if (p == NULL) return NULL;
    p->func.def = d;
    p->func.nargs = n;
    p->func.args = call->args;
    p->func.ordinality = rf->with_ordinality;
    p->func.alias = rf->alias;
    if (d->srf_ncols > 0) {
        for (uint32_t i = 0; i < d->srf_ncols; i++) {
            p->cols[i] = (sql_col){.name = d->srf_names[i], .type_oid = d->srf_types[i],
                                   .typmod = -1};
        }
    } else {
        p->cols[0] = (sql_col){.name = rf->alias != NULL ? rf->alias : name,
                               .type_oid = call->type_oid, .typmod = call->typmod};
    }
    if (rf->with_ordinality) {
        p->cols[ncols - 1] = (sql_col){.name = "ordinality", .type_oid = SQL_T_INT8,
                                       .typmod = -1};
    }
    const char *alias = rf->alias != NULL ? rf->alias : name;
    if (!sql_apply_col_aliases(b, p, &rf->col_aliases, alias, rf->hdr.location)) return NULL;
    *scope = sql_scope_of_plan(b, p, alias, NULL, NULL);
    return *scope != NULL ? p : NULL;
}

static sql_plan *sql_bind_from_item(sql_qlevel *q, const sql_node *n, sql_scope **scope);

/* JOIN ... USING (a, b) / NATURAL: equality on the named columns; the duplicate columns of the
 * non-preserved side are hidden so that `a` means the merged column. */
static sql_expr *sql_bind_using(sql_qlevel *q, const sql_join *j, sql_scope *ls, sql_scope *rs,
                                sql_scope *combined, const sql_list *cols, uint32_t *pairs) {
    sql_binder *b = q->b;
    sql_expr *quals = NULL;
    for (uint32_t k = 0; k < cols->count; k++) {
        const char *name = SQL_LIST_AT(*cols, k);
        for (uint32_t m = 0; m < k; m++) {
            if (strcmp(SQL_LIST_AT(*cols, m), name) == 0) {
                sql_bind_error(b, j->hdr.location, SQLSTATE_DUPLICATE_COLUMN,
                               "column name \"%s\" appears more than once in USING clause",
                               name);
                return NULL;
            }
        }
        int64_t li = -1, ri = -1;
        for (uint32_t i = 0; i < ls->ncols; i++) {
            if (!ls->cols[i].hidden && strcmp(ls->cols[i].name, name) == 0) li = i;
        }
        for (uint32_t i = 0; i < rs->ncols; i++) {
            if (!rs->cols[i].hidden && strcmp(rs->cols[i].name, name) == 0) ri = i;
        }
        if (li < 0 || ri < 0) {
            sql_bind_error(b, j->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                           "column \"%s\" specified in USING clause does not exist in %s table",
                           name, li < 0 ? "left" : "right");
            return NULL;
        }
        uint32_t r_index = ls->ncols + (uint32_t)ri;
        /* The join compares both columns: both are read (PostgreSQL marks both). */
        if (!sql_bind_note_col(b, ls->cols[li].table_oid, ls->cols[li].attnum, ENG_ACL_SELECT) ||
            !sql_bind_note_col(b, rs->cols[ri].table_oid, rs->cols[ri].attnum, ENG_ACL_SELECT)) {
            return NULL;
        }
        sql_expr *l = sql_expr_column(b->arena, (uint32_t)li, ls->cols[li].type_oid, -1);
        sql_expr *r = sql_expr_column(b->arena, r_index, rs->cols[ri].type_oid, -1);
        if (l == NULL || r == NULL) return NULL;
        sql_expr *two[2] = {l, r};
        sql_expr *eq = sql_bind_call(q, "=", true, two, 2, j->hdr.location);
        if (eq == NULL) return NULL;
        pairs[2 * k] = (uint32_t)li;
        pairs[2 * k + 1] = r_index;
        bool hide_left = j->join_kind == SQL_JOIN_RIGHT;
        combined->cols[hide_left ? (uint32_t)li : r_index].hidden = true;
        if (quals == NULL) {
            quals = eq;
            continue;
        }
        sql_expr *and = sql_expr_new(b->arena, SQL_X_AND, SQL_T_BOOL, 2);
        if (and == NULL) return NULL;
        and->args[0] = quals;
        and->args[1] = eq;
        quals = and;
    }
    return quals;
}

static sql_list *sql_natural_cols(sql_binder *b, const sql_scope *ls, const sql_scope *rs) {
    sql_list *l = rt_arena_zalloc(b->arena, sizeof *l);
    if (l == NULL) return NULL;
    for (uint32_t i = 0; i < ls->ncols; i++) {
        if (ls->cols[i].hidden) continue;
        for (uint32_t k = 0; k < rs->ncols; k++) {
            if (!rs->cols[k].hidden && strcmp(ls->cols[i].name, rs->cols[k].name) == 0) {
                if (!sql_list_push(b->arena, l, (void *)ls->cols[i].name)) return NULL;
                break;
            }
        }
    }
    return l;
}

/* A bare `*` over a USING / NATURAL join lists the merged columns first, then the other
 * columns of the left and of the right side (PostgreSQL's order). */
static bool sql_using_star(sql_binder *b, sql_scope *s, const uint32_t *pairs, uint32_t n,
                           bool right) {
    uint32_t *star = rt_arena_alloc(b->arena, sizeof(uint32_t) * (s->ncols + 1u));
    bool *first = rt_arena_zalloc(b->arena, s->ncols + 1u);
    if (star == NULL || first == NULL) return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = pairs[2 * i + (right ? 1 : 0)];
        star[k++] = c;
        first[c] = true;
    }
    for (uint32_t i = 0; i < s->ncols; i++) {
        uint32_t c = sql_scope_star_at(s, i);
        if (!first[c]) star[k++] = c;
    }
    s->star = star;
    return true;
}

/* FULL JOIN USING: each merged column is COALESCE(left, right), computed above the join and
 * put first (PostgreSQL's order for `*`); both sides' own columns stay reachable qualified. */
static sql_plan *sql_bind_full_using(sql_qlevel *q, sql_plan *join, sql_scope **scope,
                                     const uint32_t *pairs, uint32_t n) {
    sql_binder *b = q->b;
    sql_scope *s = *scope;
    for (uint32_t k = 0; k < n; k++) { /* mixed types: keep the left column, as before */
        if (s->cols[pairs[2 * k]].type_oid != s->cols[pairs[2 * k + 1]].type_oid) return join;
    }
    sql_plan *p = sql_plan_alloc(b, SQL_P_PROJECT, n + join->ncols);
    sql_scope *ns = sql_scope_new(b, n + s->ncols, s->nrtes);
    if (p == NULL || ns == NULL) return NULL;
    p->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (n + join->ncols));
    if (p->project.exprs == NULL) return NULL;
    p->left = join;
    p->est_rows = join->est_rows;
    for (uint32_t k = 0; k < n; k++) {
        const sql_scope_col *lc = &s->cols[pairs[2 * k]], *rc = &s->cols[pairs[2 * k + 1]];
        sql_expr *c = sql_expr_new(b->arena, SQL_X_COALESCE, lc->type_oid, 2);
        if (c == NULL) return NULL;
        c->typmod = lc->typmod == rc->typmod ? lc->typmod : -1;
        c->location = UINT32_MAX;
        c->args[0] = sql_expr_column(b->arena, pairs[2 * k], lc->type_oid, lc->typmod);
        c->args[1] = sql_expr_column(b->arena, pairs[2 * k + 1], rc->type_oid, rc->typmod);
        if (c->args[0] == NULL || c->args[1] == NULL) return NULL;
        p->project.exprs[k] = c;
        p->cols[k] = (sql_col){.name = lc->name, .type_oid = c->type_oid, .typmod = c->typmod};
        ns->cols[k] = (sql_scope_col){.name = lc->name, .type_oid = c->type_oid,
                                      .typmod = c->typmod};
    }
    for (uint32_t i = 0; i < join->ncols; i++) {
        p->project.exprs[n + i] = sql_expr_column(b->arena, i, join->cols[i].type_oid,
                                                  join->cols[i].typmod);
        if (p->project.exprs[n + i] == NULL) return NULL;
        p->cols[n + i] = join->cols[i];
        ns->cols[n + i] = s->cols[i];
    }
    for (uint32_t k = 0; k < n; k++) ns->cols[n + pairs[2 * k]].hidden = true;
    ns->ncols = n + s->ncols;
    ns->star = rt_arena_alloc(b->arena, sizeof(uint32_t) * (ns->ncols + 1u));
    if (ns->star == NULL) return NULL;
    for (uint32_t k = 0; k < n; k++) ns->star[k] = k;
    for (uint32_t k = 0; k < s->ncols; k++) ns->star[n + k] = n + sql_scope_star_at(s, k);
    for (uint32_t r = 0; r < s->nrtes; r++) {
        ns->rtes[r] = s->rtes[r];
        ns->rtes[r].first += n;
    }
    ns->nrtes = s->nrtes;
    *scope = ns;
    return p;
}

static sql_plan *sql_bind_join(sql_qlevel *q, const sql_join *j, sql_scope **scope) {
    sql_binder *b = q->b;
    sql_scope *ls, *rs;
    /* The nullable sides of an outer join (a WITH RECURSIVE reference must not be there). */
    uint32_t lnull = j->join_kind == SQL_JOIN_RIGHT || j->join_kind == SQL_JOIN_FULL;
    uint32_t rnull = j->join_kind == SQL_JOIN_LEFT || j->join_kind == SQL_JOIN_FULL;
    b->nullable_depth += lnull;
    sql_plan *l = sql_bind_from_item(q, j->left, &ls);
    b->nullable_depth -= lnull;
    if (l == NULL) return NULL;
    /* The right side of a LATERAL join may refer to the left side. */
    sql_scope *saved = q->scope;
    q->scope = ls;
    q->lateral_item = false;
    b->nullable_depth += rnull;
    sql_plan *r = sql_bind_from_item(q, j->right, &rs);
    b->nullable_depth -= rnull;
    q->scope = saved;
    if (r == NULL) return NULL;
    bool lateral = q->lateral_item;
    q->lateral_item = false;
    if (lateral && (j->join_kind == SQL_JOIN_RIGHT || j->join_kind == SQL_JOIN_FULL)) {
        sql_bind_error(b, q->lateral_loc, SQLSTATE_INVALID_COLUMN_REFERENCE,
                       "invalid reference to FROM-clause entry for table \"%s\"",
                       q->lateral_rel != NULL ? q->lateral_rel : "?");
        rt_err_detail(b->bc->err,
                      "The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
        return NULL;
    }
    if (!sql_scope_check_names(b, ls, rs, ((const sql_node *)j->right)->location)) return NULL;
    sql_scope *s = sql_scope_concat(b, ls, rs);
    for (uint32_t i = 0; s != NULL && i < s->nrtes; i++) {
        s->rtes[i].nullable |= i < ls->nrtes ? lnull != 0 : rnull != 0;
    }
    sql_plan *p = sql_plan_alloc(b, SQL_P_NESTLOOP, l->ncols + r->ncols);
    if (s == NULL || p == NULL) return NULL;
    p->left = l;
    p->right = r;
    memcpy(p->cols, l->cols, sizeof(sql_col) * l->ncols);
    memcpy(p->cols + l->ncols, r->cols, sizeof(sql_col) * r->ncols);
    p->join.join_type = j->join_kind;
    p->join.lateral = lateral;
    p->est_rows = l->est_rows * r->est_rows;
    const sql_list *using_cols = &j->using_cols;
    if (j->natural && (using_cols = sql_natural_cols(b, ls, rs)) == NULL) return NULL;
    if (using_cols->count > 0) {
        uint32_t *pairs = rt_arena_alloc(b->arena, sizeof(uint32_t) * 2 * using_cols->count);
        if (pairs == NULL) return NULL;
        p->join.quals = sql_bind_using(q, j, ls, rs, s, using_cols, pairs);
        if (p->join.quals == NULL) return NULL;
        if (!sql_using_star(b, s, pairs, using_cols->count, j->join_kind == SQL_JOIN_RIGHT)) {
            return NULL;
        }
        if (j->join_kind == SQL_JOIN_FULL &&
            (p = sql_bind_full_using(q, p, &s, pairs, using_cols->count)) == NULL) {
            return NULL;
        }
    } else if (j->quals != NULL) {
        sql_scope *prev = q->scope;
        const char *prev_forbid = q->agg_forbidden;
        q->scope = s;
        q->agg_forbidden = "JOIN conditions";
        p->join.quals = sql_bind_fold_tree(q, sql_bind_condition(q, j->quals, "JOIN/ON"));
        q->scope = prev;
        q->agg_forbidden = prev_forbid;
        if (p->join.quals == NULL) return NULL;
    }
    if (j->alias != NULL) {
        s->nrtes = 1;
        s->rtes[0] = (sql_rte){.name = j->alias, .first = 0, .ncols = s->ncols};
    }
    *scope = s;
    return p;
}

static sql_plan *sql_bind_from_item(sql_qlevel *q, const sql_node *n, sql_scope **scope) {
    switch (SQL_NODE_KIND(n)) {
    case SQL_N_RANGEVAR: return sql_bind_rangevar(q, (const sql_rangevar *)n, scope);
    case SQL_N_RANGESUB: return sql_bind_rangesub(q, (const sql_rangesub *)n, scope);
    case SQL_N_RANGEFUNC: return sql_bind_rangefunc(q, (const sql_rangefunc *)n, scope);
    case SQL_N_JOIN: return sql_bind_join(q, (const sql_join *)n, scope);
    default:
        sql_bind_error(q->b, n->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "unsupported FROM item");
        return NULL;
    }
}

/* FROM a, b, c: a cross join of the items (later items may be LATERAL). */
static sql_plan *sql_bind_from(sql_qlevel *q, const sql_list *from) {
    sql_binder *b = q->b;
    if (from->count == 0) {
        q->scope = sql_scope_new(b, 0, 0);
        return q->scope != NULL ? sql_plan_alloc(b, SQL_P_RESULT, 0) : NULL;
    }
    sql_plan *plan = NULL;
    for (uint32_t i = 0; i < from->count; i++) {
        sql_scope *s;
        q->lateral_item = false;
        sql_plan *p = sql_bind_from_item(q, SQL_LIST_AT(*from, i), &s);
        if (p == NULL) return NULL;
        bool lateral = q->lateral_item;
        q->lateral_item = false;
        if (plan == NULL) {
            plan = p;
            q->scope = s;
            continue;
        }
        const sql_node *item = SQL_LIST_AT(*from, i);
        if (!sql_scope_check_names(b, q->scope, s, item->location)) return NULL;
        sql_plan *j = sql_plan_alloc(b, SQL_P_NESTLOOP, plan->ncols + p->ncols);
        sql_scope *c = sql_scope_concat(b, q->scope, s);
        if (j == NULL || c == NULL) return NULL;
        j->left = plan;
        j->right = p;
        memcpy(j->cols, plan->cols, sizeof(sql_col) * plan->ncols);
        memcpy(j->cols + plan->ncols, p->cols, sizeof(sql_col) * p->ncols);
        j->join.join_type = SQL_JOIN_CROSS;
        j->join.lateral = lateral;
        j->est_rows = plan->est_rows * p->est_rows;
        plan = j;
        q->scope = c;
    }
    return plan;
}

/* UPDATE ... FROM / DELETE ... USING: the FROM list joined to `target`, the target table's
 * scan whose scope q->scope already is. Target and items form one FROM list, as in
 * PostgreSQL: an unqualified name of both is ambiguous and a repeated name is 42712; the
 * items cannot refer to the target. An INNER join without condition yet (the caller binds
 * WHERE over q->scope, which then covers the target and the items). */
sql_plan *sql_bind_from_target(sql_qlevel *q, sql_plan *target, const sql_list *from) {
    sql_binder *b = q->b;
    RT_ASSERT(from->count > 0);
    sql_scope *ts = q->scope;
    /* Subqueries in FROM are bound below an enclosing level, as a SELECT's are. */
    if (q->parent == NULL && (q->parent = sql_qlevel_new(b, NULL, q->ctes)) == NULL) {
        sql_bind_oom(b);
        return NULL;
    }
    q->scope = NULL;
    /* A reference to the target from an item is PostgreSQL's "invalid reference". */
    const sql_scope *invisible = b->invisible;
    b->invisible = b->dml_target = ts;
    sql_plan *fp = sql_bind_from(q, from);
    b->invisible = invisible;
    b->dml_target = NULL;
    if (fp == NULL) return NULL;
    const sql_node *first = SQL_LIST_AT(*from, 0);
    if (!sql_scope_check_names(b, ts, q->scope, first->location)) return NULL;
    sql_plan *j = sql_plan_alloc(b, SQL_P_NESTLOOP, target->ncols + fp->ncols);
    sql_scope *c = sql_scope_concat(b, ts, q->scope);
    if (j == NULL || c == NULL) return NULL;
    j->left = target;
    j->right = fp;
    memcpy(j->cols, target->cols, sizeof(sql_col) * target->ncols);
    memcpy(j->cols + target->ncols, fp->cols, sizeof(sql_col) * fp->ncols);
    j->join.join_type = SQL_JOIN_INNER;
    j->est_rows = target->est_rows * fp->est_rows;
    q->scope = c;
    return j;
}

/* ---- target lists ---- */

typedef struct sql_targets {
    sql_expr **exprs;
    const char **names;
    sql_col *cols;          /* source table column info for RowDescription */
    uint32_t count, cap;
    uint32_t visible;       /* the first `visible` are output; the rest sort/group helpers */
} sql_targets;

static bool sql_targets_add(sql_binder *b, sql_targets *t, sql_expr *e, const char *name,
                            const sql_scope_col *src) {
    if (t->count == t->cap) {
        uint32_t cap = t->cap == 0 ? 16 : t->cap * 2;
        t->exprs = rt_arena_grow(b->arena, t->exprs, t->cap * sizeof(void *), cap * sizeof(void *));
        t->names = rt_arena_grow(b->arena, t->names, t->cap * sizeof(void *), cap * sizeof(void *));
        t->cols = rt_arena_grow(b->arena, t->cols, t->cap * sizeof(sql_col), cap * sizeof(sql_col));
        if (t->exprs == NULL || t->names == NULL || t->cols == NULL) return sql_bind_oom(b);
        t->cap = cap;
    }
    t->exprs[t->count] = e;
    t->names[t->count] = name;
    t->cols[t->count] = (sql_col){.name = name, .type_oid = e->type_oid, .typmod = e->typmod};
    if (src != NULL) {
        t->cols[t->count].table_oid = src->table_oid;
        t->cols[t->count].attnum = src->attnum;
    }
    t->count++;
    return true;
}

/* `*` or `t.*`: every visible column of the scope (or of relation t). */
static bool sql_expand_star(sql_qlevel *q, const sql_star *st, sql_targets *t) {
    sql_binder *b = q->b;
    const sql_scope *s = q->scope;
    uint32_t from = 0, to = s->ncols;
    if (st->qualifier.count > 0) {
        const char *rel = st->qualifier.parts[st->qualifier.count - 1];
        bool found = false;
        for (uint32_t r = 0; r < s->nrtes && !found; r++) {
            if (s->rtes[r].name != NULL && strcmp(s->rtes[r].name, rel) == 0) {
                from = s->rtes[r].first;
                to = from + s->rtes[r].ncols;
                found = true;
            }
        }
        if (!found) {
            return sql_bind_error(b, st->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                                  "missing FROM-clause entry for table \"%s\"", rel);
        }
    } else if (s->ncols == 0) {
        return sql_bind_error(b, st->hdr.location, SQLSTATE_SYNTAX_ERROR,
                              "SELECT * with no tables specified is not valid");
    }
    for (uint32_t k = from; k < to; k++) {
        uint32_t i = st->qualifier.count == 0 ? sql_scope_star_at(s, k) : k;
        /* t.* still shows a USING column hidden on t's side; a bare * does not. */
        if (s->cols[i].hidden && (st->qualifier.count == 0 ||
                                  (s->rtes[0].table != NULL && i < s->rtes[0].table->column_count &&
                                   s->rtes[0].table->columns[i].dropped))) {
            continue;
        }
        sql_expr *e = sql_expr_column(b->arena, i, s->cols[i].type_oid, s->cols[i].typmod);
        if (e == NULL || !sql_targets_add(b, t, e, s->cols[i].name, &s->cols[i]) ||
            !sql_bind_note_col(b, s->cols[i].table_oid, s->cols[i].attnum, ENG_ACL_SELECT)) {
            return false;
        }
    }
    return true;
}

static bool sql_bind_targets(sql_qlevel *q, const sql_list *targets, sql_targets *t) {
    for (uint32_t i = 0; i < targets->count; i++) {
        const sql_target *tg = SQL_LIST_AT(*targets, i);
        if (SQL_NODE_KIND(tg->expr) == SQL_N_STAR) {
            if (!sql_expand_star(q, (const sql_star *)tg->expr, t)) return false;
            continue;
        }
        if (SQL_NODE_KIND(tg->expr) == SQL_N_FIELD &&
            ((const sql_field *)tg->expr)->field == NULL) { /* (expr).*: its columns */
            sql_expr **cols;
            const char **names;
            uint32_t n;
            if (!sql_bind_field_star(q, (const sql_field *)tg->expr, &cols, &names, &n)) {
                return false;
            }
            for (uint32_t k = 0; k < n; k++) {
                if (!sql_targets_add(q->b, t, cols[k], names[k], NULL)) return false;
            }
            continue;
        }
        sql_expr *e = sql_bind_expr(q, tg->expr);
        if (e == NULL) return false;
        bool untyped = e->type_oid == SQL_T_UNKNOWN && e->kind == SQL_X_CONST;
        if (untyped) {
            /* An untyped literal in the select list becomes text, as PostgreSQL resolves it. */
            if ((e = sql_bind_coerce(q, e, SQL_T_TEXT, -1, SQL_CAST_IMPLICIT, e->location,
                                     NULL)) == NULL) {
                return false;
            }
        }
        const sql_scope_col *src = e->kind == SQL_X_COLUMN ? &q->scope->cols[e->column.index] : NULL;
        const char *name = tg->alias != NULL ? tg->alias : sql_bind_colname(tg->expr);
        if (!sql_targets_add(q->b, t, e, name, src)) return false;
        t->cols[t->count - 1].untyped = untyped;
    }
    t->visible = t->count;
    return true;
}

/* ---- grouping ---- */

typedef struct sql_group_ctx {
    sql_binder *b;
    const sql_qlevel *q;
    sql_expr **group;
    uint32_t ngroup;
    const sql_scope *scope;
    uint32_t loc;
} sql_group_ctx;

/* The name PostgreSQL gives column `col` of the scope in grouping errors: rel.col. */
static void sql_group_colname(const sql_scope *scope, uint32_t col, const char **rel,
                              const char **name) {
    *rel = NULL;
    *name = scope->cols[col].name;
    for (uint32_t r = 0; r < scope->nrtes && *rel == NULL; r++) {
        const sql_rte *rte = &scope->rtes[r];
        if (col >= rte->first && col < rte->first + rte->ncols) *rel = rte->name;
    }
}

/* A correlated subquery of a grouped query runs per group: the enclosing row it reads is
 * built from the AGG output by sub.outer_map. Every column of this level it refers to (outside
 * an aggregate of this level) must be a grouped column, as PostgreSQL requires. */
static bool sql_group_outer_map(sql_group_ctx *g, sql_expr *c) {
    uint32_t ncols = g->scope->ncols, len = ncols + g->q->naggs;
    uint32_t *map = rt_arena_alloc(g->b->arena, sizeof *map * (len + 1u));
    if (map == NULL) return sql_bind_oom(g->b);
    for (uint32_t i = 0; i < ncols; i++) {
        map[i] = UINT32_MAX;
        for (uint32_t k = 0; k < g->ngroup && map[i] == UINT32_MAX; k++) {
            if (g->group[k]->kind == SQL_X_COLUMN && g->group[k]->column.index == i) map[i] = k;
        }
    }
    for (uint32_t a = 0; a < g->q->naggs; a++) map[ncols + a] = g->ngroup + a;
    for (uint32_t u = c->sub.upref_first; u < c->sub.upref_end; u++) {
        const sql_upref *r = &g->b->uprefs[u];
        if (r->level != g->q || r->in_agg || r->col >= ncols || map[r->col] != UINT32_MAX) {
            continue;
        }
        const char *rel, *name;
        sql_group_colname(g->scope, r->col, &rel, &name);
        return sql_bind_error(g->b, r->loc, SQLSTATE_GROUPING_ERROR,
                              "subquery uses ungrouped column \"%s%s%s\" from outer query",
                              rel != NULL ? rel : "", rel != NULL ? "." : "", name);
    }
    c->sub.outer_map = map;
    c->sub.outer_map_len = len;
    return true;
}

/* Rewrites an expression over the FROM row into one over the AGG output (groups then
 * aggregates); a column that is neither grouped nor aggregated is an error. */
static sql_expr *sql_group_rewrite(sql_group_ctx *g, const sql_expr *e) {
    for (uint32_t i = 0; i < g->ngroup; i++) {
        if (sql_expr_equal(e, g->group[i])) {
            return sql_expr_column(g->b->arena, i, e->type_oid, e->typmod);
        }
    }
    if (e->kind == SQL_X_AGGREF) {
        return sql_expr_column(g->b->arena, g->ngroup + e->aggref.index, e->type_oid, e->typmod);
    }
    if (e->kind == SQL_X_COLUMN) {
        const sql_scope_col *c = &g->scope->cols[e->column.index];
        const char *rel = NULL; /* PostgreSQL names it as rel.col */
        for (uint32_t r = 0; r < g->scope->nrtes && rel == NULL; r++) {
            const sql_rte *rte = &g->scope->rtes[r];
            if (e->column.index >= rte->first && e->column.index < rte->first + rte->ncols) {
                rel = rte->name;
            }
        }
        sql_bind_error(g->b, e->location != UINT32_MAX ? e->location : g->loc,
                       SQLSTATE_GROUPING_ERROR, "column \"%s%s%s\" must appear in the GROUP BY "
                       "clause or be used in an aggregate function", rel != NULL ? rel : "",
                       rel != NULL ? "." : "", c->name);
        return NULL;
    }
    sql_expr *c = sql_expr_copy_node(g->b->arena, e);
    if (c == NULL) return NULL;
    if (e->kind == SQL_X_SUBQUERY && e->sub.correlated && !sql_group_outer_map(g, c)) return NULL;
    /* a subquery's own plan is its own level; its test (args) is ours */
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((c->args[i] = sql_group_rewrite(g, e->args[i])) == NULL) return NULL;
    }
    return c;
}

static sql_expr *sql_group_rewrite_cb(void *ctx, const sql_expr *e) {
    return sql_group_rewrite(ctx, e);
}

/* A GROUP BY / ORDER BY item that is a number or an output alias refers to a target. */
static sql_expr *sql_target_ref(sql_qlevel *q, const sql_node *n, const sql_targets *t,
                                const char *clause, bool prefer_alias) {
    if (SQL_NODE_KIND(n) == SQL_N_CONST && ((const sql_const *)n)->const_kind == SQL_CONST_INTEGER) {
        int64_t k = ((const sql_const *)n)->int_value;
        if (k < 1 || k > (int64_t)t->visible) {
            sql_bind_error(q->b, n->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                           "%s position %lld is not in select list", clause, (long long)k);
            return NULL;
        }
        return t->exprs[k - 1];
    }
    if (SQL_NODE_KIND(n) == SQL_N_COLUMNREF && ((const sql_columnref *)n)->name.count == 1) {
        const char *name = ((const sql_columnref *)n)->name.parts[0];
        int found = -1;
        /* GROUP BY takes an input column of that name before any output column. */
        for (uint32_t i = 0; !prefer_alias && q->scope != NULL && i < q->scope->ncols; i++) {
            if (!q->scope->cols[i].hidden && strcmp(q->scope->cols[i].name, name) == 0) {
                return NULL;
            }
        }
        for (uint32_t i = 0; i < t->visible; i++) {
            if (t->names[i] != NULL && strcmp(t->names[i], name) == 0) {
                if (found >= 0 && !sql_expr_equal(t->exprs[found], t->exprs[i])) {
                    sql_bind_error(q->b, n->location, SQLSTATE_AMBIGUOUS_COLUMN,
                                   "%s \"%s\" is ambiguous", clause, name);
                    return NULL;
                }
                found = (int)i;
            }
        }
        if (found >= 0) return t->exprs[found]; /* ORDER BY: the output column first */
    }
    return NULL;
}

/* ---- the SELECT block ---- */

typedef struct sql_sel_state {
    sql_qlevel *q;
    const sql_select *s;
    sql_plan *plan;
    sql_targets t;
    sql_expr **group;
    uint32_t ngroup;
    uint64_t *sets;          /* grouping sets over `group` (nsets 0: plain GROUP BY) */
    uint32_t nsets;
    bool aggregated;
    sql_expr *having;
    sql_sort_key *sort;
    uint32_t nsort;
    sql_expr **distinct_on;
    uint32_t ndistinct_on;
} sql_sel_state;

/* One GROUP BY expression: an output column's number or name, or an expression. */
static sql_expr *sql_bind_group_item(void *ctx, const sql_node *item) {
    sql_sel_state *st = ctx;
    sql_qlevel *q = st->q;
    sql_expr *e = sql_target_ref(q, item, &st->t, "GROUP BY", false);
    if (e == NULL && rt_err_is_set(q->b->bc->err)) return NULL;
    if (e != NULL && e->kind == SQL_X_AGGREF) {
        sql_bind_error(q->b, item->location, SQLSTATE_GROUPING_ERROR,
                       "aggregate functions are not allowed in GROUP BY");
        return NULL;
    }
    if (e != NULL && sql_expr_has_windowref(e)) {
        sql_bind_error(q->b, item->location, SQLSTATE_WINDOWING_ERROR,
                       "window functions are not allowed in GROUP BY");
        return NULL;
    }
    return e != NULL ? e : sql_bind_expr(q, item);
}

static bool sql_bind_group_by(sql_sel_state *st) {
    sql_qlevel *q = st->q;
    sql_group_spec spec;
    q->agg_forbidden = "GROUP BY";
    if (!sql_bind_group_spec(q, &st->s->group_by, st->s->group_distinct, sql_bind_group_item,
                             st, &spec)) {
        return false;
    }
    q->agg_forbidden = NULL;
    st->group = spec.exprs;
    st->ngroup = spec.nexprs;
    st->sets = spec.sets;
    st->nsets = spec.nsets;
    return true;
}

/* The distance operator of `v NEAR q`: the metric of the HNSW index on v's column (its
 * automatic index is cosine unless CREATE INDEX ... USING hnsw (v vector_l2_ops) said
 * otherwise), cosine for anything that is not a column. */
static const char *sql_near_operator(sql_qlevel *q, const sql_expr *e) {
    if (e->kind != SQL_X_COLUMN || e->column.depth != 0 || q->scope == NULL ||
        e->column.index >= q->scope->ncols) {
        return "<=>";
    }
    const sql_scope_col *c = &q->scope->cols[e->column.index];
    const eng_table *t = c->table_oid != 0 ? eng_db_table_by_oid(q->b->bc->db, c->table_oid)
                                           : NULL;
    eng_metric metric = ENG_METRIC_COSINE;
    for (uint32_t i = 0; t != NULL && i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (ix->method == ENG_INDEX_HNSW && ix->column_count > 0 && ix->attnums[0] == c->attnum &&
            ix->metric != 0 && (!ix->automatic || metric == ENG_METRIC_COSINE)) {
            metric = ix->metric;
        }
    }
    return metric == ENG_METRIC_L2 ? "<->" : metric == ENG_METRIC_IP ? "<#>" : "<=>";
}

/* ORDER BY items: references to targets, or extra hidden targets. */
static bool sql_bind_order_by(sql_sel_state *st, const sql_list *order, bool distinct) {
    sql_qlevel *q = st->q;
    st->nsort = order->count;
    st->sort = rt_arena_zalloc(q->b->arena, sizeof(sql_sort_key) * (order->count + 1u));
    if (st->sort == NULL) return sql_bind_oom(q->b);
    for (uint32_t i = 0; i < order->count; i++) {
        const sql_sortby *sb = SQL_LIST_AT(*order, i);
        if (sb->using_op != NULL) {
            return sql_bind_error(q->b, sb->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "ORDER BY ... USING is not supported yet");
        }
        sql_expr *e = NULL;
        if (sb->near == NULL) e = sql_target_ref(q, sb->expr, &st->t, "ORDER BY", true);
        if (e == NULL && rt_err_is_set(q->b->bc->err)) return false;
        if (e == NULL) {
            e = sql_bind_expr(q, sb->expr);
            if (e != NULL && sb->near != NULL) {
                sql_expr *target = sql_bind_expr(q, sb->near);
                sql_expr *two[2] = {e, target};
                e = target == NULL ? NULL : sql_bind_call(q, sql_near_operator(q, e), true,
                                                          two, 2, sb->hdr.location);
            }
            if (e == NULL) return false;
        }
        uint32_t idx = UINT32_MAX;
        for (uint32_t k = 0; k < st->t.count && idx == UINT32_MAX; k++) {
            if (sql_expr_equal(st->t.exprs[k], e)) idx = k;
        }
        if (idx == UINT32_MAX) {
            if (distinct) {
                return sql_bind_error(q->b, sb->hdr.location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                                      "for SELECT DISTINCT, ORDER BY expressions must appear in "
                                      "select list");
            }
            idx = st->t.count;
            if (!sql_targets_add(q->b, &st->t, e, "?sort?", NULL)) return false;
        }
        sql_sort_key *k = &st->sort[i];
        k->expr = sql_expr_column(q->b->arena, idx, e->type_oid, e->typmod);
        if (k->expr == NULL) return sql_bind_oom(q->b);
        k->desc = sb->dir == SQL_SORT_DESC;
        k->nulls_first = sb->nulls == SQL_NULLS_FIRST || (sb->nulls == SQL_NULLS_DEFAULT && k->desc);
    }
    return true;
}

static sql_plan *sql_bind_agg_plan(sql_sel_state *st) {
    sql_qlevel *q = st->q;
    sql_binder *b = q->b;
    sql_plan *agg = sql_plan_alloc(b, SQL_P_AGG, st->ngroup + q->naggs);
    if (agg == NULL) return NULL;
    agg->left = st->plan;
    agg->agg.ngroup = st->ngroup;
    agg->agg.group = st->group;
    agg->agg.nsets = st->nsets;
    agg->agg.sets = st->sets;
    if (!sql_bind_grouping_resolve(q, st->group, st->ngroup)) return NULL;
    agg->agg.naggs = q->naggs;
    agg->agg.aggs = q->aggs;
    for (uint32_t i = 0; i < st->ngroup; i++) {
        agg->cols[i] = (sql_col){.name = "?group?", .type_oid = st->group[i]->type_oid,
                                 .typmod = st->group[i]->typmod};
    }
    for (uint32_t a = 0; a < q->naggs; a++) {
        agg->cols[st->ngroup + a] = (sql_col){.name = q->aggs[a].def->name,
                                              .type_oid = q->aggs[a].type_oid,
                                              .typmod = q->aggs[a].typmod};
    }
    agg->est_rows = st->ngroup == 0 ? 1 : st->plan->est_rows / 10 + 1;
    sql_group_ctx g = {.b = b, .q = q, .group = st->group, .ngroup = st->ngroup, .scope = q->scope,
                       .loc = st->s->hdr.location};
    for (uint32_t i = 0; i < st->t.count; i++) {
        if ((st->t.exprs[i] = sql_group_rewrite(&g, st->t.exprs[i])) == NULL) return NULL;
    }
    for (uint32_t a = 0; a < q->naggs; a++) { /* percentile_cont(x) WITHIN GROUP: x grouped */
        for (uint32_t i = 0; q->aggs[a].def->ordered_set && i < q->aggs[a].nargs; i++) {
            if (sql_group_rewrite(&g, q->aggs[a].args[i]) == NULL) {
                rt_err_detail(b->bc->err, "Direct arguments of an ordered-set aggregate must use "
                              "only grouped columns.");
                return NULL;
            }
        }
    }
    if (!sql_bind_window_regroup(q, sql_group_rewrite_cb, &g)) return NULL;
    sql_plan *top = agg;
    if (st->having != NULL) {
        sql_plan *f = sql_plan_alloc(b, SQL_P_FILTER, agg->ncols);
        if (f == NULL) return NULL;
        memcpy(f->cols, agg->cols, sizeof(sql_col) * agg->ncols);
        f->left = agg;
        if ((f->filter.pred = sql_group_rewrite(&g, st->having)) == NULL) return NULL;
        top = f;
    }
    return top;
}

static sql_plan *sql_project(sql_binder *b, sql_plan *in, const sql_targets *t, uint32_t n) {
    sql_plan *p = sql_plan_alloc(b, SQL_P_PROJECT, n);
    if (p == NULL) return NULL;
    p->left = in;
    p->project.exprs = t->exprs;
    memcpy(p->cols, t->cols, sizeof(sql_col) * n);
    p->est_rows = in->est_rows;
    return p;
}

/* Keeps the first n columns of `in`. */
static sql_plan *sql_project_prefix(sql_binder *b, sql_plan *in, uint32_t n) {
    sql_plan *p = sql_plan_alloc(b, SQL_P_PROJECT, n);
    if (p == NULL) return NULL;
    p->left = in;
    p->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (n + 1u));
    if (p->project.exprs == NULL) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        p->project.exprs[i] = sql_expr_column(b->arena, i, in->cols[i].type_oid,
                                              in->cols[i].typmod);
        if (p->project.exprs[i] == NULL) return NULL;
        p->cols[i] = in->cols[i];
    }
    p->est_rows = in->est_rows;
    return p;
}

/* LIMIT / OFFSET / FETCH over `in`; `keys` are the ORDER BY keys below it (over the same
 * columns), which WITH TIES compares rows on. */
static sql_plan *sql_bind_limit(sql_qlevel *q, sql_plan *in, const sql_select *s,
                                sql_sort_key *keys, uint32_t nkeys) {
    sql_binder *b = q->b;
    if (s->limit == NULL && s->offset == NULL) return in;
    sql_plan *p = sql_plan_alloc(b, SQL_P_LIMIT, in->ncols);
    if (p == NULL) return NULL;
    memcpy(p->cols, in->cols, sizeof(sql_col) * in->ncols);
    p->left = in;
    sql_qlevel *lq = sql_qlevel_new(b, q->parent, q->ctes);
    if (lq == NULL) return NULL;
    lq->agg_forbidden = "LIMIT";
    if (s->limit != NULL && (p->limit.limit = sql_bind_expr_as(lq, s->limit, SQL_T_INT8, -1,
                                                              SQL_CAST_ASSIGNMENT, NULL)) == NULL) {
        return NULL;
    }
    if (s->offset != NULL && (p->limit.offset = sql_bind_expr_as(lq, s->offset, SQL_T_INT8, -1,
                                                                SQL_CAST_ASSIGNMENT, NULL)) == NULL) {
        return NULL;
    }
    p->limit.with_ties = s->limit_with_ties; /* the parser asked for ORDER BY (42601) */
    RT_ASSERT(!s->limit_with_ties || nkeys > 0);
    p->limit.ties = keys;
    p->limit.nties = s->limit_with_ties ? nkeys : 0;
    if (lq->correlated) q->correlated = true; /* OFFSET outer.col: the query runs per outer row */
    return p;
}

static sql_plan *sql_bind_sort(sql_binder *b, sql_plan *in, sql_sort_key *keys, uint32_t n) {
    if (n == 0) return in;
    sql_plan *p = sql_plan_alloc(b, SQL_P_SORT, in->ncols);
    if (p == NULL) return NULL;
    memcpy(p->cols, in->cols, sizeof(sql_col) * in->ncols);
    p->left = in;
    p->sort.keys = keys;
    p->sort.nkeys = n;
    p->est_rows = in->est_rows;
    return p;
}

/* ---- FOR UPDATE / SHARE ---- */

/* Locking clauses in one SELECT (FOR UPDATE OF a FOR SHARE OF b ...): PostgreSQL has no limit,
 * queries use one or two; a fixed bound keeps the binder's bookkeeping on the stack. */
#define SQL_LOCKING_CLAUSES_MAX 8

static const char *const sql_lock_names[] = {"", "FOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE",
                                             "FOR KEY SHARE"};

/* The query shapes PostgreSQL refuses to lock rows for (its order of checks). */
static bool sql_locking_allowed(sql_sel_state *st, const sql_locking *lk) {
    const sql_select *s = st->s;
    const char *what = s->distinct ? "DISTINCT clause"
                       : s->group_by.count > 0 ? "GROUP BY clause"
                       : s->having != NULL     ? "HAVING clause"
                       : st->q->naggs > 0      ? "aggregate functions"
                       : st->q->nwins > 0      ? "window functions"
                                               : NULL;
    if (what == NULL) return true;
    return sql_bind_error(st->q->b, UINT32_MAX, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "%s is not allowed with %s", sql_lock_names[lk->strength], what);
}

/* Whether locking clause `lk` names the table its scan `p` reads (every table without OF). */
static bool sql_locking_names(const sql_locking *lk, const sql_plan *p, bool *used) {
    if (lk->of.count == 0) return true;
    const char *alias = p->scan.alias != NULL ? p->scan.alias : p->scan.table->name;
    bool hit = false;
    for (uint32_t i = 0; i < lk->of.count; i++) {
        const sql_name *nm = SQL_LIST_AT(lk->of, i);
        if (nm->count == 1 && strcmp(nm->parts[0], alias) == 0) {
            used[i] = true;
            hit = true;
        }
    }
    return hit;
}

typedef struct sql_lock_walk {
    sql_sel_state *st;
    bool *used[SQL_LOCKING_CLAUSES_MAX]; /* per locking clause: which OF names matched a table */
    bool unsupported;                    /* met a subquery in FROM */
} sql_lock_walk;

/* Marks the scans of the FROM tree that the locking clauses name: the strongest strength and
 * the strictest wait policy among the clauses naming each (as PostgreSQL combines them). */
static bool sql_locking_walk(sql_lock_walk *w, sql_plan *p, bool nullable) {
    const sql_select *s = w->st->s;
    if (p->kind == SQL_P_FILTER) return sql_locking_walk(w, p->left, nullable);
    if (p->kind == SQL_P_NESTLOOP || p->kind == SQL_P_HASHJOIN) {
        uint32_t jt = p->join.join_type;
        if (!sql_locking_walk(w, p->left, nullable || jt == SQL_JOIN_RIGHT ||
                                             jt == SQL_JOIN_FULL)) {
            return false;
        }
        if (p->join.semi || p->join.anti) return true; /* EXISTS: not a FROM item */
        return sql_locking_walk(w, p->right, nullable || jt == SQL_JOIN_LEFT ||
                                                 jt == SQL_JOIN_FULL);
    }
    if (p->kind == SQL_P_FUNCSCAN || p->kind == SQL_P_VALUES || p->kind == SQL_P_RESULT ||
        p->kind == SQL_P_MATERIAL || p->kind == SQL_P_WORKTABLE) {
        return true; /* nothing to lock: PostgreSQL ignores functions and WITH queries */
    }
    if (p->kind != SQL_P_SCAN) {
        w->unsupported = true;
        return true;
    }
    for (uint32_t c = 0; c < s->locking.count; c++) {
        const sql_locking *lk = SQL_LIST_AT(s->locking, c);
        if (!sql_locking_names(lk, p, w->used[c])) continue;
        if (nullable) {
            return sql_bind_error(w->st->q->b, UINT32_MAX, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "%s cannot be applied to the nullable side of an outer join",
                                  sql_lock_names[lk->strength]);
        }
        if (p->scan.lock_strength == 0 || lk->strength < p->scan.lock_strength) {
            p->scan.lock_strength = lk->strength; /* lower is stronger */
        }
        if (lk->wait > p->scan.lock_wait) p->scan.lock_wait = lk->wait;
        w->st->q->b->for_update = true;
    }
    return true;
}

static bool sql_bind_locking(sql_sel_state *st) {
    const sql_select *s = st->s;
    if (s->locking.count == 0) return true;
    const sql_locking *first = SQL_LIST_AT(s->locking, 0);
    if (s->locking.count > SQL_LOCKING_CLAUSES_MAX) {
        return sql_bind_error(st->q->b, first->hdr.location, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "too many locking clauses (at most %u)", SQL_LOCKING_CLAUSES_MAX);
    }
    if (!sql_locking_allowed(st, first)) return false;
    sql_lock_walk w = {.st = st};
    for (uint32_t c = 0; c < s->locking.count; c++) {
        const sql_locking *lk = SQL_LIST_AT(s->locking, c);
        w.used[c] = rt_arena_zalloc(st->q->b->arena, lk->of.count + 1u);
        if (w.used[c] == NULL) return sql_bind_oom(st->q->b);
    }
    if (!sql_locking_walk(&w, st->plan, false)) return false;
    for (uint32_t c = 0; c < s->locking.count; c++) {
        const sql_locking *lk = SQL_LIST_AT(s->locking, c);
        const sql_name *miss = NULL;
        for (uint32_t i = 0; i < lk->of.count && miss == NULL; i++) {
            if (!w.used[c][i]) miss = SQL_LIST_AT(lk->of, i);
        }
        if (miss != NULL && !w.unsupported) {
            return sql_bind_error(st->q->b, miss->location, SQLSTATE_UNDEFINED_TABLE,
                                  "relation \"%s\" in %s clause not found in FROM clause",
                                  miss->parts[miss->count - 1], sql_lock_names[lk->strength]);
        }
        if (w.unsupported && (lk->of.count == 0 || miss != NULL)) {
            return sql_bind_error(st->q->b, lk->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "%s is supported on tables only, not on subqueries in FROM",
                                  sql_lock_names[lk->strength]);
        }
    }
    return true;
}

/* DISTINCT ON (a, b) ... ORDER BY: the leading ORDER BY keys must be the DISTINCT ON
 * expressions (in any order) until all of them have appeared. They are the last targets. */
static bool sql_check_distinct_on(sql_sel_state *st) {
    uint32_t n = st->s->distinct_on.count, first = st->t.count - n, seen = 0;
    if (n == 0) return true;
    bool *used = rt_arena_zalloc(st->q->b->arena, n + 1u);
    if (used == NULL) return sql_bind_oom(st->q->b);
    for (uint32_t i = 0; i < st->nsort && seen < n; i++) {
        const sql_expr *key = st->t.exprs[st->sort[i].expr->column.index];
        bool match = false;
        for (uint32_t k = 0; k < n && !match; k++) {
            if (!sql_expr_equal(key, st->t.exprs[first + k])) continue;
            match = true;
            if (!used[k]) seen++;
            used[k] = true;
        }
        if (!match) {
            const sql_node *on = SQL_LIST_AT(st->s->distinct_on, 0);
            return sql_bind_error(st->q->b, on->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                                  "SELECT DISTINCT ON expressions must match initial ORDER BY "
                                  "expressions");
        }
    }
    return true;
}

/* PostgreSQL's resolveTargetListUnknowns and the start of addTargetToSortList: an untyped $n
 * of the select list becomes text, as does one that is sorted, grouped or made DISTINCT on
 * (where a use typed it otherwise since: 42P08, `SELECT $1 WHERE $1 = 1`). A set operation's
 * branch and INSERT's source keep the others untyped for what they feed to type them. */
static bool sql_targets_resolve_params(sql_sel_state *st, bool distinct) {
    sql_qlevel *q = st->q;
    sql_targets *t = &st->t;
    for (uint32_t k = 0; k < st->ngroup; k++) {
        sql_expr *e = st->group[k];
        if (e->kind == SQL_X_PARAM && e->type_oid == SQL_T_UNKNOWN &&
            sql_bind_coerce(q, e, SQL_T_TEXT, -1, SQL_CAST_IMPLICIT, e->location, NULL) == NULL) {
            return false;
        }
    }
    for (uint32_t k = 0; k < t->count; k++) {
        sql_expr *e = t->exprs[k];
        if (e->kind != SQL_X_PARAM || e->type_oid != SQL_T_UNKNOWN) continue;
        bool sorted = false;
        for (uint32_t i = 0; i < st->nsort; i++) sorted |= st->sort[i].expr->column.index == k;
        if (q->keep_unknown && !sorted && !distinct && k < t->visible) continue;
        if (sql_bind_coerce(q, e, SQL_T_TEXT, -1, SQL_CAST_IMPLICIT, e->location, NULL) == NULL) {
            return false;
        }
    }
    for (uint32_t k = 0; k < t->count; k++) t->cols[k].type_oid = t->exprs[k]->type_oid;
    for (uint32_t i = 0; i < st->nsort; i++) {
        st->sort[i].expr->type_oid = t->exprs[st->sort[i].expr->column.index]->type_oid;
    }
    return true;
}

/* SELECT with FROM/WHERE/GROUP BY/HAVING/targets/DISTINCT/ORDER BY/LIMIT. The clauses are
 * bound in PostgreSQL's order (transformSelectStmt): FROM, the select list,
 * WHERE, HAVING, ORDER BY, GROUP BY, DISTINCT ON, LIMIT. It decides which use of an untyped
 * $n types it (sql_bind_resolve_params): `SELECT a = $1 ... WHERE $1 IS NULL` prepares,
 * `SELECT $1 IS NULL ... WHERE a = $1` is 42P08. */
static sql_plan *sql_bind_simple_select(sql_qlevel *q, const sql_select *s) {
    sql_binder *b = q->b;
    sql_sel_state st = {.q = q, .s = s};
    if ((st.plan = sql_bind_from(q, &s->from)) == NULL) return NULL;
    q->win_allowed = true; /* in the select list, DISTINCT ON and ORDER BY */
    if (!sql_bind_window_clause(q, &s->windows)) return NULL;
    if (!sql_bind_targets(q, &s->targets, &st.t)) return NULL;
    if (s->where != NULL) {
        q->agg_forbidden = "WHERE";
        q->win_allowed = false;
        sql_expr *pred = sql_bind_fold_tree(q, sql_bind_condition(q, s->where, "WHERE"));
        q->agg_forbidden = NULL;
        q->win_allowed = true;
        if (pred == NULL) return NULL;
        sql_plan *f = sql_plan_alloc(b, SQL_P_FILTER, st.plan->ncols);
        if (f == NULL) return NULL;
        memcpy(f->cols, st.plan->cols, sizeof(sql_col) * st.plan->ncols);
        f->left = st.plan;
        f->filter.pred = pred;
        f->est_rows = st.plan->est_rows / 3;
        st.plan = f;
    }
    q->win_forbidden = "HAVING";
    if (s->having != NULL && (st.having = sql_bind_condition(q, s->having, "HAVING")) == NULL) {
        return NULL;
    }
    q->win_forbidden = NULL;
    bool distinct = s->distinct && s->distinct_on.count == 0;
    if (!sql_bind_order_by(&st, &s->order_by, distinct) || !sql_bind_group_by(&st)) return NULL;
    for (uint32_t i = 0; i < s->distinct_on.count; i++) { /* DISTINCT ON keys as targets */
        sql_expr *e = sql_target_ref(q, SQL_LIST_AT(s->distinct_on, i), &st.t, "DISTINCT ON", true);
        if (e == NULL && rt_err_is_set(b->bc->err)) return NULL;
        if (e == NULL && (e = sql_bind_expr(q, SQL_LIST_AT(s->distinct_on, i))) == NULL) return NULL;
        if (!sql_targets_add(b, &st.t, e, "?distinct?", NULL)) return NULL;
    }
    if (!sql_check_distinct_on(&st) || !sql_targets_resolve_params(&st, distinct)) return NULL;
    if (q->selfref && q->naggs > 0) {
        sql_bind_error(b, UINT32_MAX, SQLSTATE_INVALID_RECURSION,
                       "aggregate functions are not allowed in a recursive query's recursive "
                       "term");
        return NULL;
    }
    st.aggregated = st.ngroup > 0 || q->naggs > 0 || st.having != NULL || s->group_by.count > 0;
    if (st.aggregated && (st.plan = sql_bind_agg_plan(&st)) == NULL) return NULL;
    if (q->nwins > 0 &&
        (st.plan = sql_bind_window_plan(q, st.plan, st.t.exprs, st.t.count)) == NULL) {
        return NULL;
    }
    if (!sql_bind_locking(&st)) return NULL;
    if ((st.plan = sql_bind_project_set(q, st.plan, st.t.exprs, st.t.count)) == NULL) return NULL;
    sql_plan *p = sql_project(b, st.plan, &st.t, st.t.count);
    if (p == NULL) return NULL;
    if (s->distinct_on.count > 0) {
        uint32_t n = s->distinct_on.count, first = st.t.count - n;
        p = sql_bind_sort(b, p, st.sort, st.nsort);
        sql_plan *d = p != NULL ? sql_plan_alloc(b, SQL_P_DISTINCT, p->ncols) : NULL;
        if (d == NULL) return NULL;
        memcpy(d->cols, p->cols, sizeof(sql_col) * p->ncols);
        d->left = p;
        d->distinct.nkeys = n;
        d->distinct.keys = rt_arena_alloc(b->arena, sizeof(sql_expr *) * n);
        if (d->distinct.keys == NULL) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            d->distinct.keys[i] = sql_expr_column(b->arena, first + i, p->cols[first + i].type_oid,
                                                  -1);
        }
        p = d;
    } else if (distinct) {
        sql_plan *d = sql_plan_alloc(b, SQL_P_DISTINCT, p->ncols);
        if (d == NULL) return NULL;
        memcpy(d->cols, p->cols, sizeof(sql_col) * p->ncols);
        d->left = p;
        p = sql_bind_sort(b, d, st.sort, st.nsort);
    } else {
        p = sql_bind_sort(b, p, st.sort, st.nsort);
    }
    if (p == NULL || (p = sql_bind_limit(q, p, s, st.sort, st.nsort)) == NULL) return NULL;
    if (st.t.count > st.t.visible) p = sql_project_prefix(b, p, st.t.visible);
    return p;
}

/* ---- VALUES ---- */

static sql_plan *sql_bind_values(sql_qlevel *q, const sql_select *s) {
    sql_binder *b = q->b;
    uint32_t nrows = s->values.count;
    const sql_list *first = SQL_LIST_AT(s->values, 0);
    uint32_t ncols = first->count;
    sql_plan *p = sql_plan_alloc(b, SQL_P_VALUES, ncols);
    if (p == NULL) return NULL;
    p->values.nrows = nrows;
    p->values.rows = rt_arena_alloc(b->arena, sizeof(sql_expr **) * nrows);
    sql_expr **column = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (nrows + 1u));
    if (p->values.rows == NULL || column == NULL) return NULL;
    q->scope = sql_scope_new(b, 0, 0);
    q->win_forbidden = "VALUES";
    for (uint32_t r = 0; r < nrows; r++) {
        const sql_list *row = SQL_LIST_AT(s->values, r);
        if (row->count != ncols) {
            sql_bind_error(b, s->hdr.location, SQLSTATE_SYNTAX_ERROR,
                           "VALUES lists must all be the same length");
            return NULL;
        }
        p->values.rows[r] = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (ncols + 1u));
        if (p->values.rows[r] == NULL) return NULL;
        for (uint32_t c = 0; c < ncols; c++) {
            sql_expr *e = sql_bind_expr(q, SQL_LIST_AT(*row, c));
            if (e == NULL) return NULL;
            p->values.rows[r][c] = e;
        }
    }
    for (uint32_t c = 0; c < ncols; c++) {
        for (uint32_t r = 0; r < nrows; r++) column[r] = p->values.rows[r][c];
        uint32_t type;
        int32_t typmod;
        if (!sql_bind_common_type(q, column, nrows, "VALUES", s->hdr.location, &type, &typmod)) {
            return NULL;
        }
        for (uint32_t r = 0; r < nrows; r++) {
            p->values.rows[r][c] = sql_bind_coerce(q, column[r], type, -1, SQL_CAST_IMPLICIT,
                                                   column[r]->location, NULL);
            if (p->values.rows[r][c] == NULL) return NULL;
        }
        char *name = rt_arena_sprintf(b->arena, "column%u", c + 1);
        p->cols[c] = (sql_col){.name = name, .type_oid = type, .typmod = typmod};
    }
    p->est_rows = nrows;
    /* ORDER BY / LIMIT on VALUES refer to column1.. */
    if (s->order_by.count == 0 && s->limit == NULL && s->offset == NULL) return p;
    sql_sel_state st = {.q = q, .s = s, .plan = p};
    q->scope = sql_scope_of_plan(b, p, "*VALUES*", NULL, NULL);
    for (uint32_t c = 0; c < ncols; c++) {
        sql_expr *e = sql_expr_column(b->arena, c, p->cols[c].type_oid, -1);
        if (e == NULL || !sql_targets_add(b, &st.t, e, p->cols[c].name, NULL)) return NULL;
    }
    st.t.visible = ncols;
    if (!sql_bind_order_by(&st, &s->order_by, false)) return NULL;
    sql_plan *top = sql_project(b, p, &st.t, st.t.count);
    if (top == NULL || (top = sql_bind_sort(b, top, st.sort, st.nsort)) == NULL) return NULL;
    if ((top = sql_bind_limit(q, top, s, st.sort, st.nsort)) == NULL) return NULL;
    return st.t.count > ncols ? sql_project_prefix(b, top, ncols) : top;
}

/* ---- set operations ---- */

bool sql_bind_plan_param_type(sql_qlevel *q, sql_plan *p, uint32_t col, uint32_t type,
                              sql_cast_context ctx, const char *what) {
    sql_expr *e = p->kind == SQL_P_PROJECT ? p->project.exprs[col] : NULL;
    if (e == NULL || e->kind != SQL_X_PARAM || e->type_oid != SQL_T_UNKNOWN) return true;
    if (sql_bind_coerce(q, e, type, -1, ctx, e->location, what) == NULL) return false;
    p->cols[col].type_oid = type;
    return true;
}

/* Casts a plan's columns to the given types (a projection when anything changes). */
static sql_plan *sql_cast_plan(sql_qlevel *q, sql_plan *in, const uint32_t *types) {
    sql_binder *b = q->b;
    bool change = false;
    for (uint32_t c = 0; c < in->ncols; c++) change |= in->cols[c].type_oid != types[c];
    if (!change) return in;
    sql_plan *p = sql_plan_alloc(b, SQL_P_PROJECT, in->ncols);
    if (p == NULL) return NULL;
    p->left = in;
    p->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * in->ncols);
    if (p->project.exprs == NULL) return NULL;
    for (uint32_t c = 0; c < in->ncols; c++) {
        sql_expr *e = sql_expr_column(b->arena, c, in->cols[c].type_oid, in->cols[c].typmod);
        if (e == NULL) return NULL;
        if (in->cols[c].type_oid == SQL_T_UNKNOWN) { /* an untyped NULL/literal column */
            e = sql_expr_new(b->arena, SQL_X_CONST, SQL_T_UNKNOWN, 0);
            if (e == NULL) return NULL;
            e->constval = (sql_value){.type_oid = SQL_T_UNKNOWN, .is_null = true};
        }
        /* An untyped literal's text goes through the type's input, as the literal would. */
        bool untyped = in->cols[c].untyped && in->cols[c].type_oid == SQL_T_TEXT;
        p->project.exprs[c] = sql_bind_coerce(q, e, types[c], -1,
                                              untyped ? SQL_CAST_EXPLICIT : SQL_CAST_IMPLICIT,
                                              UINT32_MAX, NULL);
        if (p->project.exprs[c] == NULL) return NULL;
        p->cols[c] = in->cols[c];
        p->cols[c].untyped &= in->cols[c].type_oid == types[c];
        p->cols[c].type_oid = types[c];
        p->cols[c].typmod = -1;
    }
    p->est_rows = in->est_rows;
    return p;
}

/* A set operation with nothing of its own around it (no WITH, ORDER BY, LIMIT, OFFSET or
 * locking): one link of a chain bound in sql_bind_setop's loop, not by a recursive call. */
static bool sql_setop_bare(const sql_select *s) {
    return s->op != SQL_SETOP_NONE && s->with == NULL && s->order_by.count == 0 &&
           s->limit == NULL && s->offset == NULL && s->locking.count == 0;
}

/* The Append that a chain of UNIONs grows, as PostgreSQL flattens UNION [ALL] children of the
 * same column types into one Append: `top` is the Append or the DISTINCT over it. */
typedef struct sql_union_acc {
    sql_plan *append, *top;
    uint32_t cap;             /* slots of append->append.inputs */
} sql_union_acc;

static bool sql_union_push(sql_binder *b, sql_union_acc *u, sql_plan *in) {
    sql_plan *a = u->append;
    if (a->append.ninputs == u->cap) {
        uint32_t cap = u->cap * 2;
        sql_plan **inputs = rt_arena_alloc(b->arena, sizeof(sql_plan *) * cap);
        if (inputs == NULL) return false;
        memcpy(inputs, a->append.inputs, sizeof(sql_plan *) * a->append.ninputs);
        a->append.inputs = inputs;
        u->cap = cap;
    }
    a->append.inputs[a->append.ninputs++] = in;
    a->est_rows += in->est_rows;
    return true;
}

/* l UNION [ALL] r, both already cast to the result types. `l` joins the Append being grown
 * when it is that Append's result (unless a UNION ALL would take in a distinct UNION); `r`'s
 * inputs join it when `r_flat`: `r` is itself a plain UNION ALL, or a UNION under a UNION. */
static sql_plan *sql_bind_union(sql_binder *b, sql_union_acc *u, bool all, sql_plan *l,
                                sql_plan *r, bool r_flat) {
    if (u->top == NULL || l != u->top || (all && u->top != u->append)) {
        sql_plan *a = sql_plan_alloc(b, SQL_P_APPEND, l->ncols);
        if (a == NULL) return NULL;
        u->cap = 4;
        a->append.inputs = rt_arena_alloc(b->arena, sizeof(sql_plan *) * u->cap);
        if (a->append.inputs == NULL) return NULL;
        memcpy(a->cols, l->cols, sizeof(sql_col) * l->ncols);
        u->append = a;
        if (!sql_union_push(b, u, l)) return NULL;
    }
    const sql_plan *splice = NULL;
    if (r_flat) {
        splice = r->kind == SQL_P_APPEND ? r
                 : r->kind == SQL_P_DISTINCT && r->left->kind == SQL_P_APPEND ? r->left : NULL;
    }
    for (uint32_t i = 0; splice != NULL && i < splice->append.ninputs; i++) {
        if (!sql_union_push(b, u, splice->append.inputs[i])) return NULL;
    }
    if (splice == NULL && !sql_union_push(b, u, r)) return NULL;
    sql_plan *a = u->append;
    u->top = a;
    if (!all) {
        sql_plan *d = sql_plan_alloc(b, SQL_P_DISTINCT, a->ncols);
        if (d == NULL) return NULL;
        d->left = a;
        u->top = d;
    }
    for (uint32_t c = 0; c < a->ncols; c++) {
        a->cols[c].table_oid = 0;
        a->cols[c].attnum = 0;
        a->cols[c].untyped = false; /* sql_bind_setop_link */
    }
    if (u->top != a) memcpy(u->top->cols, a->cols, sizeof(sql_col) * a->ncols);
    return u->top;
}

/* l op r for one link `s` of a chain of set operations, the column types resolved pairwise,
 * link by link, as PostgreSQL resolves them. Only a leaf's untyped literal takes the other
 * side's type: a set operation's own columns are typed, two untyped ones as text (so SELECT
 * NULL UNION SELECT NULL UNION SELECT 1 is text against integer, 42804, as in PostgreSQL). */
static sql_plan *sql_bind_setop_link(sql_qlevel *q, sql_union_acc *u, const sql_select *s,
                                     sql_plan *l, sql_plan *r) {
    sql_binder *b = q->b;
    static const char *names[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    if (l->ncols != r->ncols) {
        sql_bind_error(b, s->hdr.location, SQLSTATE_SYNTAX_ERROR,
                       "each %s query must have the same number of columns", names[s->op]);
        return NULL;
    }
    uint32_t *types = rt_arena_alloc(b->arena, sizeof(uint32_t) * (l->ncols + 1u));
    if (types == NULL) return NULL;
    for (uint32_t c = 0; c < l->ncols; c++) {
        sql_expr le = {.kind = SQL_X_CONST, .type_oid = l->cols[c].type_oid, .typmod = -1,
                       .location = UINT32_MAX};
        sql_expr re = le;
        re.type_oid = r->cols[c].type_oid;
        /* Untyped literals take the other side's type (SELECT 1 UNION SELECT NULL). */
        if (l->cols[c].untyped && l->cols[c].type_oid == SQL_T_TEXT) le.type_oid = SQL_T_UNKNOWN;
        if (r->cols[c].untyped && r->cols[c].type_oid == SQL_T_TEXT) re.type_oid = SQL_T_UNKNOWN;
        sql_expr *two[2] = {&le, &re};
        int32_t typmod;
        if (!sql_bind_common_type(q, two, 2, names[s->op], s->hdr.location, &types[c], &typmod)) {
            return NULL;
        }
    }
    for (uint32_t c = 0; c < l->ncols; c++) {
        if (!sql_bind_plan_param_type(q, l, c, types[c], SQL_CAST_IMPLICIT, NULL) ||
            !sql_bind_plan_param_type(q, r, c, types[c], SQL_CAST_IMPLICIT, NULL)) {
            return NULL;
        }
    }
    sql_plan *lc = sql_cast_plan(q, l, types);
    sql_plan *rc = lc != NULL ? sql_cast_plan(q, r, types) : NULL;
    if (rc == NULL) return NULL;
    if (s->op == SQL_SETOP_UNION) {
        /* A cast in between ends the flattening, as in PostgreSQL (the types differ). */
        const sql_select *ra = s->right;
        bool r_flat = rc == r && sql_setop_bare(ra) && ra->op == SQL_SETOP_UNION &&
                      (ra->op_all || !s->op_all);
        return sql_bind_union(b, u, s->op_all, lc, rc, r_flat);
    }
    sql_plan *p = sql_plan_alloc(b, SQL_P_SETOP, lc->ncols);
    if (p == NULL) return NULL;
    p->left = lc;
    p->right = rc;
    p->setop.op = s->op;
    p->setop.all = s->op_all;
    memcpy(p->cols, lc->cols, sizeof(sql_col) * lc->ncols);
    p->est_rows = lc->est_rows;
    for (uint32_t c = 0; c < p->ncols; c++) {
        p->cols[c].table_oid = 0;
        p->cols[c].attnum = 0;
        p->cols[c].untyped = false;
    }
    u->top = NULL;
    return p;
}

/* A left-deep chain of set operations (a UNION ALL b UNION ALL c ..., how generated SQL
 * writes thousands of branches) is bound link by link in a loop: its length costs no stack. */
static sql_plan *sql_bind_setop(sql_qlevel *q, const sql_select *s) {
    sql_binder *b = q->b;
    uint32_t links = 1;
    for (const sql_select *x = s; sql_setop_bare(x->left); x = x->left) links++;
    const sql_select **chain = rt_arena_alloc(b->arena, sizeof(*chain) * links);
    if (chain == NULL) return NULL;
    chain[0] = s;
    for (uint32_t i = 1; i < links; i++) chain[i] = chain[i - 1]->left;
    sql_union_acc u = {0};
    b->select_keeps_unknown = true;
    sql_plan *p = sql_bind_select(q->parent, chain[links - 1]->left, q->ctes);
    for (uint32_t i = links; i-- > 0 && p != NULL;) {
        b->select_keeps_unknown = true;
        sql_plan *r = sql_bind_select(q->parent, chain[i]->right, q->ctes);
        p = r != NULL ? sql_bind_setop_link(q, &u, chain[i], p, r) : NULL;
    }
    if (p == NULL) return NULL;
    if (s->order_by.count == 0 && s->limit == NULL && s->offset == NULL) return p;
    sql_sel_state st = {.q = q, .s = s, .plan = p};
    q->scope = sql_scope_of_plan(b, p, NULL, NULL, NULL);
    for (uint32_t c = 0; c < p->ncols; c++) {
        sql_expr *e = sql_expr_column(b->arena, c, p->cols[c].type_oid, -1);
        if (e == NULL || !sql_targets_add(b, &st.t, e, p->cols[c].name, NULL)) return NULL;
    }
    st.t.visible = p->ncols;
    if (!sql_bind_order_by(&st, &s->order_by, false)) return NULL;
    if (st.t.count > p->ncols) {
        sql_bind_error(b, s->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
        rt_err_detail(b->bc->err, "Only result column names can be used, not expressions or "
                      "functions.");
        rt_err_hint(b->bc->err, "Add the expression/function to every SELECT, or move the "
                    "UNION into a FROM clause.");
        return NULL;
    }
    sql_plan *top = sql_bind_sort(b, p, st.sort, st.nsort);
    return top != NULL ? sql_bind_limit(q, top, s, st.sort, st.nsort) : NULL;
}

/* ---- WITH ---- */

/* A type as PostgreSQL names it in this error: with the length of varchar(n) / char(n). */
static const char *sql_recursive_type_name(sql_binder *b, uint32_t type, int32_t typmod) {
    if ((type == SQL_T_VARCHAR || type == SQL_T_BPCHAR) && typmod >= 4) {
        return rt_arena_sprintf(b->arena, "%s(%d)", sql_type_name(type), (int)(typmod - 4));
    }
    return sql_type_name(type);
}

/* PostgreSQL fixes a recursive query's column types by its non-recursive term: the UNION of
 * both terms must come out with the same type (and length), or it is an error (42804). */
static bool sql_recursive_types_match(sql_qlevel *q, const sql_cte *c, const sql_plan *seed,
                                      const sql_plan *rec, uint32_t i) {
    sql_binder *b = q->b;
    sql_expr *two[2] = {sql_expr_new(b->arena, SQL_X_CONST, seed->cols[i].type_oid, 0),
                        sql_expr_new(b->arena, SQL_X_CONST, rec->cols[i].type_oid, 0)};
    if (two[0] == NULL || two[1] == NULL) return sql_bind_oom(b);
    two[0]->typmod = seed->cols[i].typmod;
    two[1]->typmod = rec->cols[i].typmod;
    two[0]->location = two[1]->location = UINT32_MAX;
    uint32_t type;
    int32_t typmod;
    if (!sql_bind_common_type(q, two, 2, "UNION", c->hdr.location, &type, &typmod)) {
        rt_err_clear(b->bc->err); /* an untyped literal ('x') is text here: the cast decides */
        return true;
    }
    if (type == SQL_T_UNKNOWN || (type == seed->cols[i].type_oid &&
                                  typmod == seed->cols[i].typmod)) {
        return true;
    }
    const char *want = sql_recursive_type_name(b, seed->cols[i].type_oid, seed->cols[i].typmod);
    const char *got = sql_recursive_type_name(b, type, typmod);
    if (want == NULL || got == NULL) return sql_bind_oom(b);
    sql_bind_error(b, c->hdr.location, SQLSTATE_DATATYPE_MISMATCH, "recursive query \"%s\" "
                   "column %u has type %s in non-recursive term but type %s overall", c->name,
                   i + 1, want, got);
    rt_err_hint(b->bc->err, "Cast the output of the non-recursive term to the correct type.");
    return false;
}

static bool sql_bind_recursive_cte(sql_qlevel *q, const sql_cte *c, sql_cte_def *def,
                                   sql_cte_def *visible) {
    sql_binder *b = q->b;
    const sql_select *s = (const sql_select *)c->query;
    const char *clause = s->order_by.count > 0 ? "ORDER BY" : s->offset != NULL ? "OFFSET"
                         : s->limit != NULL ? "LIMIT" : s->locking.count > 0 ? "FOR UPDATE/SHARE"
                                                                             : NULL;
    if (clause != NULL) {
        return sql_bind_error(b, c->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "%s in a recursive query is not implemented", clause);
    }
    sql_cte_def self = {.name = c->name, .next = visible,
                        .recursion_error = "must not appear within its non-recursive term"};
    sql_plan *seed = sql_bind_select(q, s->left, &self);
    if (seed == NULL) return false;
    sql_cte_def *work = rt_arena_zalloc(b->arena, sizeof *work);
    if (work == NULL) return sql_bind_oom(b);
    work->name = c->name;
    work->recursive_ref = true;
    work->worktable_id = b->nmaterials++;
    work->ncols = seed->ncols;
    work->cols = rt_arena_alloc(b->arena, sizeof(sql_col) * seed->ncols);
    if (work->cols == NULL) return sql_bind_oom(b);
    memcpy(work->cols, seed->cols, sizeof(sql_col) * seed->ncols);
    for (uint32_t i = 0; i < c->col_aliases.count && i < seed->ncols; i++) {
        work->cols[i].name = SQL_LIST_AT(c->col_aliases, i);
    }
    work->next = visible;
    work->sublink_base = b->sublink_depth;
    work->nullable_base = b->nullable_depth;
    sql_plan *rec = sql_bind_select(q, s->right, work);
    if (rec == NULL) return false;
    if (rec->ncols != seed->ncols) {
        return sql_bind_error(b, c->hdr.location, SQLSTATE_SYNTAX_ERROR,
                              "each UNION query must have the same number of columns");
    }
    uint32_t *types = rt_arena_alloc(b->arena, sizeof(uint32_t) * seed->ncols);
    if (types == NULL) return sql_bind_oom(b);
    for (uint32_t i = 0; i < seed->ncols; i++) {
        if (!sql_recursive_types_match(q, c, seed, rec, i)) return false;
        types[i] = seed->cols[i].type_oid;
    }
    if ((rec = sql_cast_plan(q, rec, types)) == NULL) return false;
    sql_plan *r = sql_plan_alloc(b, SQL_P_RECURSIVE, seed->ncols);
    if (r == NULL) return false;
    memcpy(r->cols, work->cols, sizeof(sql_col) * seed->ncols);
    r->left = seed;
    r->right = rec;
    r->recursive.worktable_id = work->worktable_id;
    r->recursive.all = s->op_all;
    def->material->left = r;
    def->ncols = r->ncols;
    def->cols = r->cols;
    return true;
}

/* A data-modifying WITH query (PostgreSQL allows them only in the statement's own WITH):
 * its plan goes under a MATERIAL node the statement's MODIFYCTE runs (sql_bind_modifycte);
 * references read the RETURNING rows it keeps. */
static bool sql_bind_dml_cte(sql_qlevel *q, const sql_with *with, const sql_cte *c,
                             sql_cte_def *def, sql_cte_def *visible) {
    sql_binder *b = q->b;
    if (with != b->top_with) {
        return sql_bind_error(b, c->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "WITH clause containing a data-modifying statement must be at "
                              "the top level");
    }
    if (b->ndml_ctes == b->dml_cte_cap) {
        uint32_t cap = b->dml_cte_cap == 0 ? 4 : b->dml_cte_cap * 2;
        sql_plan **ctes = rt_arena_grow(b->arena, b->dml_ctes, sizeof(sql_plan *) * b->ndml_ctes,
                                        sizeof(sql_plan *) * cap);
        uint32_t *refs = rt_arena_grow(b->arena, b->dml_refs, sizeof(uint32_t) * b->ndml_ctes,
                                       sizeof(uint32_t) * cap);
        if (ctes == NULL || refs == NULL) return sql_bind_oom(b);
        b->dml_ctes = ctes;
        b->dml_refs = refs;
        b->dml_cte_cap = cap;
    }
    sql_query sub;
    memset(&sub, 0, sizeof sub);
    sql_plan *p;
    switch (SQL_NODE_KIND(c->query)) {
    case SQL_N_INSERT: p = sql_bind_insert(b, (const sql_insert *)c->query, &sub, visible); break;
    case SQL_N_UPDATE: p = sql_bind_update(b, (const sql_update *)c->query, &sub, visible); break;
    case SQL_N_DELETE: p = sql_bind_delete(b, (const sql_delete *)c->query, &sub, visible); break;
    default:
        return sql_bind_error(b, c->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "this statement is not supported in WITH");
    }
    if (p == NULL) return false;
    sql_plan *mat = def->material;
    mat->ncols = p->ncols;
    mat->cols = p->cols;
    mat->left = p;
    mat->material.id = b->ndml_ctes;
    mat->material.dml = true;
    mat->material.name = c->name;
    mat->material.table = sub.target;
    b->dml_ctes[b->ndml_ctes] = mat;
    b->dml_refs[b->ndml_ctes++] = 0;
    def->dml = true;
    def->returning = sub.returns_rows;
    def->ncols = p->ncols;
    def->cols = rt_arena_alloc(b->arena, sizeof(sql_col) * (p->ncols + 1u));
    if (def->cols == NULL) return sql_bind_oom(b);
    memcpy(def->cols, p->cols, sizeof(sql_col) * p->ncols);
    return true;
}

sql_plan *sql_bind_modifycte(sql_binder *b, sql_plan *main) {
    if (b->ndml_ctes == 0) return main;
    sql_plan *p = sql_plan_new(b->arena, SQL_P_MODIFYCTE, 0);
    if (p == NULL) return NULL;
    p->ncols = main->ncols;
    p->cols = main->cols;
    p->left = main;
    p->est_rows = main->est_rows;
    p->modifycte.nctes = b->ndml_ctes;
    p->modifycte.ctes = b->dml_ctes;
    /* Which run before the main query (read by something) is decided here, once. */
    for (uint32_t i = 0; i < b->ndml_ctes; i++) {
        b->dml_ctes[i]->material.read = b->dml_refs[i] > 0;
    }
    return p;
}

bool sql_bind_with(sql_qlevel *q, const sql_with *with, sql_cte_def **out) {
    sql_binder *b = q->b;
    sql_cte_def *visible = *out;
    for (uint32_t i = 0; i < with->ctes.count; i++) {
        const sql_cte *c = SQL_LIST_AT(with->ctes, i);
        for (uint32_t k = 0; k < i; k++) {
            const sql_cte *prev = SQL_LIST_AT(with->ctes, k);
            if (strcmp(prev->name, c->name) == 0) {
                return sql_bind_error(b, c->hdr.location, SQLSTATE_DUPLICATE_ALIAS,
                                      "WITH query name \"%s\" specified more than once",
                                      c->name);
            }
        }
        sql_cte_def *def = rt_arena_zalloc(b->arena, sizeof *def);
        sql_plan *mat = sql_plan_alloc(b, SQL_P_MATERIAL, 0);
        if (def == NULL || mat == NULL) return sql_bind_oom(b);
        def->name = c->name;
        def->material = mat;
        mat->material.level = b->sublink_depth;
        mat->material.pos = c->hdr.location;
        def->location = c->hdr.location;
        const sql_select *s = (const sql_select *)c->query;
        bool self_ref = with->recursive && SQL_NODE_KIND(c->query) == SQL_N_SELECT &&
                        s->op == SQL_SETOP_UNION;
        /* WITH RECURSIVE without the UNION form: an error if it refers to itself. */
        sql_cte_def self = {.name = c->name, .next = visible, .recursion_error = "form",
                            .location = c->hdr.location};
        if (SQL_NODE_KIND(c->query) != SQL_N_SELECT) {
            self.recursion_error = "dml";
            if (!sql_bind_dml_cte(q, with, c, def, with->recursive ? &self : visible)) {
                return false;
            }
        } else if (self_ref) {
            mat->material.id = b->nmaterials++;
            if (!sql_bind_recursive_cte(q, c, def, visible)) return false;
        } else {
            mat->material.id = b->nmaterials++;
            uint32_t first_upref = b->nuprefs;
            bool volatile_funcs = b->volatile_funcs;
            b->volatile_funcs = false;
            sql_plan *p = sql_bind_select(q, s, with->recursive ? &self : visible);
            if (p == NULL) return false;
            sql_cte_note_def(q, def, c, visible, first_upref, b->volatile_funcs);
            b->volatile_funcs |= volatile_funcs;
            mat->left = p;
            def->ncols = p->ncols;
            def->cols = rt_arena_alloc(b->arena, sizeof(sql_col) * (p->ncols + 1u));
            if (def->cols == NULL) return sql_bind_oom(b);
            memcpy(def->cols, p->cols, sizeof(sql_col) * p->ncols);
        }
        if (c->col_aliases.count > def->ncols) {
            return sql_bind_error(b, c->hdr.location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                                  "WITH query \"%s\" has %u columns available but %u columns "
                                  "specified", c->name, def->ncols, c->col_aliases.count);
        }
        for (uint32_t k = 0; k < c->col_aliases.count; k++) {
            def->cols[k].name = SQL_LIST_AT(c->col_aliases, k);
        }
        def->next = visible;
        visible = def;
    }
    *out = visible;
    return true;
}

/* ---- entry ---- */

sql_plan *sql_bind_select(sql_qlevel *parent, const sql_select *s, sql_cte_def *ctes) {
    sql_binder *b = parent != NULL ? parent->b : NULL;
    RT_ASSERT(b != NULL);
    bool keep_unknown = b->select_keeps_unknown;
    b->select_keeps_unknown = false; /* not for the subqueries inside */
    if (!sql_bind_stack_ok(b)) return NULL;
    sql_qlevel *q = sql_qlevel_new(b, parent, ctes);
    if (q == NULL) return NULL;
    q->keep_unknown = keep_unknown;
    if (s->with != NULL && !sql_bind_with(q, s->with, &q->ctes)) return NULL;
    sql_plan *p;
    if ((s->op != SQL_SETOP_NONE || s->values.count > 0) && s->locking.count > 0) {
        const sql_locking *lk = SQL_LIST_AT(s->locking, 0);
        sql_bind_error(b, UINT32_MAX, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       s->op != SQL_SETOP_NONE ? "%s is not allowed with UNION/INTERSECT/EXCEPT"
                                               : "%s cannot be applied to VALUES",
                       sql_lock_names[lk->strength]);
        return NULL;
    }
    if (s->op != SQL_SETOP_NONE) {
        p = sql_bind_setop(q, s);
    } else if (s->values.count > 0) {
        p = sql_bind_values(q, s);
    } else {
        p = sql_bind_simple_select(q, s);
    }
    if (p != NULL && parent != NULL && q->correlated) parent->correlated = true;
    if (p != NULL && s->with != NULL && !sql_cte_resolve(b, q->ctes, ctes)) return NULL;
    return p;
}
