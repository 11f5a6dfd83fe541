/* sql_bind_expr.c: binding expressions: literals, parameters, column references (through the
 * FROM scope and, for correlated subqueries, the enclosing ones), operators, functions,
 * aggregates, CASE and its relatives, IN, BETWEEN, LIKE, subqueries, arrays, casts. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_domain.h"

static sql_expr *sql_bind_expr_kind(sql_qlevel *q, const sql_node *n);

static bool sql_bind_fail(sql_qlevel *q, uint32_t loc, const char *state, const char *msg) {
    return sql_bind_error(q->b, loc, state, "%s", msg);
}

/* ---- constants and parameters ---- */

static sql_expr *sql_bind_const(sql_qlevel *q, const sql_const *c) {
    sql_value v = {.is_null = false};
    rt_arena *a = q->b->arena;
    switch (c->const_kind) {
    case SQL_CONST_NULL:
        v = (sql_value){.type_oid = SQL_T_UNKNOWN, .is_null = true};
        break;
    case SQL_CONST_BOOL:
        v.type_oid = SQL_T_BOOL;
        v.i64 = c->bool_value;
        break;
    case SQL_CONST_INTEGER:
        v.type_oid = c->int_value >= INT32_MIN && c->int_value <= INT32_MAX ? SQL_T_INT4
                                                                            : SQL_T_INT8;
        v.i64 = c->int_value;
        break;
    case SQL_CONST_NUMERIC: {
        sql_expr *u = sql_expr_new(a, SQL_X_CONST, SQL_T_UNKNOWN, 0);
        if (u == NULL) return NULL;
        u->constval = (sql_value){.type_oid = SQL_T_UNKNOWN,
                                  .b = {.ptr = (const uint8_t *)c->text, .len = c->text_len}};
        return sql_bind_coerce(q, u, SQL_T_NUMERIC, -1, SQL_CAST_EXPLICIT, c->hdr.location,
                               NULL);
    }
    case SQL_CONST_STRING:
        v.type_oid = SQL_T_UNKNOWN;
        v.b = (sql_bytes){.ptr = (const uint8_t *)c->text, .len = c->text_len};
        break;
    case SQL_CONST_BITSTRING: {
        sql_expr *u = sql_expr_new(a, SQL_X_CONST, SQL_T_UNKNOWN, 0);
        if (u == NULL) return NULL;
        u->constval = (sql_value){.type_oid = SQL_T_UNKNOWN,
                                  .b = {.ptr = (const uint8_t *)c->text, .len = c->text_len}};
        return sql_bind_coerce(q, u, SQL_T_BIT, -1, SQL_CAST_EXPLICIT, c->hdr.location, NULL);
    }
    }
    sql_expr *e = sql_expr_const(a, &v, -1);
    if (e != NULL) e->location = c->hdr.location;
    return e;
}

static sql_expr *sql_bind_param(sql_qlevel *q, const sql_param *p) {
    sql_binder *b = q->b;
    if (b->default_context != NULL) {
        sql_bind_error(b, p->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "cannot use parameters in %s", b->default_context);
        return NULL;
    }
    if (p->number == 0 || p->number > SQL_PARAMS_MAX) {
        sql_bind_error(b, p->hdr.location, SQLSTATE_UNDEFINED_PARAMETER,
                       "there is no parameter $%u", p->number);
        return NULL;
    }
    if (p->number > b->nparams) {
        uint32_t *types = rt_arena_alloc(b->arena, sizeof(uint32_t) * p->number);
        bool *used = rt_arena_zalloc(b->arena, sizeof(bool) * p->number);
        if (types == NULL || used == NULL) return NULL;
        for (uint32_t i = 0; i < p->number; i++) {
            types[i] = i < b->nparams ? b->param_types[i] : SQL_T_UNKNOWN;
            used[i] = i < b->nparams && b->param_used[i];
        }
        b->param_types = types;
        b->param_used = used;
        b->nparams = p->number;
    }
    b->param_used[p->number - 1] = true;
    sql_expr *e = sql_expr_new(b->arena, SQL_X_PARAM, b->param_types[p->number - 1], 0);
    if (e == NULL) return NULL;
    e->param = p->number;
    e->location = p->hdr.location;
    return e;
}

/* ---- column references ---- */

/* True if schema.table names `rte`: it was written with that schema, or it is a table written
 * without schema and alias that lives in it (INSERT INTO t ... RETURNING public.t.id, as
 * Prisma writes). */
static bool sql_rte_in_schema(const sql_rte *rte, const char *schema, const eng_database *db) {
    if (rte->schema != NULL) return strcmp(rte->schema, schema) == 0;
    if (rte->table == NULL || db == NULL || strcmp(rte->table->name, rte->name) != 0) return false;
    const eng_schema *sc = eng_db_schema_by_oid(db, rte->table->schema_oid);
    return sc != NULL && strcmp(sc->name, schema) == 0;
}

/* Finds `col` (optionally qualified by table/schema) in one scope; -1 none, -2 ambiguous. */
static int64_t sql_scope_find(const sql_scope *s, const char *schema, const char *table,
                              const char *col, const eng_database *db) {
    int64_t found = -1;
    if (table == NULL) {
        for (uint32_t i = 0; i < s->ncols; i++) {
            if (s->cols[i].hidden || strcmp(s->cols[i].name, col) != 0) continue;
            if (found >= 0) return -2;
            found = i;
        }
        return found;
    }
    for (uint32_t r = 0; r < s->nrtes; r++) {
        const sql_rte *rte = &s->rtes[r];
        if (rte->name == NULL || strcmp(rte->name, table) != 0) continue;
        if (schema != NULL && !sql_rte_in_schema(rte, schema, db)) continue;
        for (uint32_t i = rte->first; i < rte->first + rte->ncols; i++) {
            if (strcmp(s->cols[i].name, col) != 0) continue;
            if (found >= 0 && found != i) return -2;
            found = i;
        }
        if (found < 0) return -3; /* the table exists, the column does not */
    }
    return found;
}

static bool sql_scope_has_rte(const sql_scope *s, const char *table) {
    for (uint32_t r = 0; r < s->nrtes; r++) {
        if (s->rtes[r].name != NULL && strcmp(s->rtes[r].name, table) == 0) return true;
    }
    return false;
}

/* A FROM item of a visible level that is the table `name` under another alias. */
static const sql_rte *sql_aliased_rte(const sql_qlevel *q, const char *name) {
    for (const sql_qlevel *l = q; l != NULL; l = l->parent) {
        for (uint32_t r = 0; l->scope != NULL && r < l->scope->nrtes; r++) {
            const sql_rte *rte = &l->scope->rtes[r];
            if (rte->table != NULL && rte->name != NULL && strcmp(rte->table->name, name) == 0 &&
                strcmp(rte->name, name) != 0) {
                return rte;
            }
        }
    }
    return NULL;
}

/* Records that a subquery of `level` refers to its column `col`. */
static bool sql_bind_upref(sql_binder *b, const sql_qlevel *level, uint32_t col, uint32_t loc) {
    if (b->nuprefs == b->upref_cap) {
        uint32_t cap = b->upref_cap == 0 ? 16 : b->upref_cap * 2;
        sql_upref *u = rt_arena_grow(b->arena, b->uprefs, sizeof *u * b->upref_cap,
                                     sizeof *u * cap);
        if (u == NULL) return sql_bind_oom(b);
        b->uprefs = u;
        b->upref_cap = cap;
    }
    b->uprefs[b->nuprefs++] = (sql_upref){.level = level, .col = col, .loc = loc};
    return true;
}

static const sql_rte *sql_wholerow_rte(const sql_qlevel *q, const sql_columnref *c,
                                       const sql_scope **scope);

static sql_expr *sql_bind_columnref(sql_qlevel *q, const sql_columnref *c) {
    const sql_name *nm = &c->name;
    const char *col = nm->parts[nm->count - 1];
    const char *table = nm->count >= 2 ? nm->parts[nm->count - 2] : NULL;
    const char *schema = nm->count >= 3 ? nm->parts[nm->count - 3] : NULL;
    uint32_t depth = 0;
    bool table_seen = false;
    const sql_rte *whole;
    const sql_scope *whole_scope = NULL;
    for (sql_qlevel *l = q; l != NULL; l = l->parent, depth++) {
        if (l->scope == NULL) continue;
        int64_t i = sql_scope_find(l->scope, schema, table, col, q->b->bc->db);
        if (table != NULL && sql_scope_has_rte(l->scope, table)) table_seen = true;
        if (i == -2) {
            sql_bind_error(q->b, c->hdr.location, SQLSTATE_AMBIGUOUS_COLUMN,
                           "column reference \"%s\" is ambiguous", col);
            return NULL;
        }
        if (i < 0) continue;
        const sql_scope_col *sc = &l->scope->cols[i];
        if (!sql_bind_note_col(q->b, sc->table_oid, sc->attnum, ENG_ACL_SELECT)) return NULL;
        sql_expr *e = sql_expr_new(q->b->arena, depth == 0 ? SQL_X_COLUMN : SQL_X_OUTER,
                                   sc->type_oid, 0);
        if (e == NULL) return NULL;
        e->typmod = sc->typmod;
        e->column.index = (uint32_t)i;
        e->column.depth = depth;
        e->location = c->hdr.location;
        if (depth > 0 && !sql_bind_upref(q->b, l, (uint32_t)i, c->hdr.location)) return NULL;
        for (sql_qlevel *m = q; depth > 0 && m != l; m = m->parent) {
            m->correlated = true;
            if (m->lateral) m->lateral_beyond = true; /* passes the LATERAL level outwards */
        }
        if (depth > 0 && l->lateral && !l->lateral_used) {
            l->lateral_used = true;
            l->lateral_loc = c->hdr.location;
            l->lateral_rel = NULL;
            for (uint32_t r = 0; r < l->scope->nrtes; r++) {
                const sql_rte *rte = &l->scope->rtes[r];
                if ((uint32_t)i >= rte->first && (uint32_t)i < rte->first + rte->ncols) {
                    l->lateral_rel = rte->name;
                }
            }
        }
        return e;
    }
    const sql_rte *aliased = table != NULL && !table_seen ? sql_aliased_rte(q, table) : NULL;
    if (aliased != NULL) { /* FROM t AS m ... t.col */
        sql_bind_error(q->b, c->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                       "invalid reference to FROM-clause entry for table \"%s\"", table);
        rt_err_hint(q->b->bc->err, "Perhaps you meant to reference the table alias \"%s\".",
                    aliased->name);
    } else if (table != NULL && !table_seen && q->b->invisible != NULL &&
               sql_scope_has_rte(q->b->invisible, table)) { /* an earlier item, not LATERAL */
        bool lateral = false; /* ... or UPDATE's target, from a LATERAL item: 42P10 */
        for (const sql_qlevel *m = q; m != NULL; m = m->parent) lateral |= m->lateral;
        sql_bind_error(q->b, c->hdr.location,
                       lateral && q->b->invisible == q->b->dml_target
                           ? SQLSTATE_INVALID_COLUMN_REFERENCE : SQLSTATE_UNDEFINED_TABLE,
                       "invalid reference to FROM-clause entry for table \"%s\"", table);
        rt_err_hint(q->b->bc->err, "There is an entry for table \"%s\", but it cannot be "
                    "referenced from this part of the query.", table);
    } else if (table != NULL && !table_seen) {
        sql_bind_error(q->b, c->hdr.location, SQLSTATE_UNDEFINED_TABLE,
                       "missing FROM-clause entry for table \"%s\"", table);
    } else if (table != NULL) {
        sql_bind_error(q->b, c->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                       "column %s.%s does not exist", table, col);
    } else if ((whole = sql_wholerow_rte(q, c, &whole_scope)) != NULL) {
        return sql_bind_wholerow(q, whole, whole_scope, c->hdr.location);
    } else {
        sql_bind_error(q->b, c->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                       "column \"%s\" does not exist", col);
    }
    return NULL;
}

/* A bare name that is no column of any visible level but names a FROM item: PostgreSQL's
 * whole-row reference to it. Returns that item (the innermost of the name) and its scope in
 * *scope, or NULL. */
static const sql_rte *sql_wholerow_rte(const sql_qlevel *q, const sql_columnref *c,
                                       const sql_scope **scope) {
    if (c->name.count != 1) return NULL;
    const char *name = c->name.parts[0];
    for (const sql_qlevel *l = q; l != NULL; l = l->parent) {
        if (l->scope != NULL && sql_scope_find(l->scope, NULL, NULL, name, q->b->bc->db) != -1) {
            return NULL;
        }
    }
    for (const sql_qlevel *l = q; l != NULL; l = l->parent) {
        for (uint32_t r = 0; l->scope != NULL && r < l->scope->nrtes; r++) {
            const sql_rte *rte = &l->scope->rtes[r];
            if (rte->name == NULL || strcmp(rte->name, name) != 0) continue;
            if (scope != NULL) *scope = l->scope;
            return rte;
        }
    }
    return NULL;
}

/* `t.*` inside an expression (row_to_json(t.*)): the whole-row reference to t. */
static sql_expr *sql_bind_star_value(sql_qlevel *q, const sql_star *st) {
    if (st->qualifier.count == 1) {
        sql_columnref c = {.hdr = st->hdr, .name = {.count = 1,
                                                    .parts = {st->qualifier.parts[0]},
                                                    .location = st->hdr.location}};
        const sql_scope *scope = NULL;
        const sql_rte *rte = sql_wholerow_rte(q, &c, &scope);
        if (rte != NULL) return sql_bind_wholerow(q, rte, scope, st->hdr.location);
    }
    sql_bind_fail(q, st->hdr.location, SQLSTATE_SYNTAX_ERROR, "\"*\" is not allowed here");
    return NULL;
}

/* `rel IS [NOT] NULL` of a whole-row reference: ROW(rel.a, rel.b, ...) IS [NOT] NULL over
 * the item's visible columns (NULL when `n` is no whole-row reference). */
static sql_expr *sql_bind_wholerow_nulltest(sql_qlevel *q, const sql_node *n, bool is_not) {
    if (SQL_NODE_KIND(n) != SQL_N_COLUMNREF) return NULL;
    const sql_scope *scope = NULL;
    const sql_rte *rte = sql_wholerow_rte(q, (const sql_columnref *)n, &scope);
    if (rte == NULL) return NULL;
    rt_arena *a = q->b->arena;
    sql_row row = {.hdr = {.kind = SQL_N_ROW, .location = n->location}, .explicit_row = true};
    for (uint32_t i = rte->first; i < rte->first + rte->ncols; i++) {
        if (scope->cols[i].hidden) continue;
        sql_columnref *f = rt_arena_zalloc(a, sizeof *f);
        if (f == NULL) {
            sql_bind_oom(q->b);
            return NULL;
        }
        f->hdr = (sql_node){.kind = SQL_N_COLUMNREF, .location = n->location};
        f->name = (sql_name){.count = 2, .parts = {rte->name, scope->cols[i].name},
                             .location = n->location};
        if (!sql_list_push(a, &row.args, f)) return NULL;
    }
    return sql_bind_row_nulltest(q, &row, is_not);
}

/* ---- operators, booleans ---- */

static sql_expr *sql_bind_sublink(sql_qlevel *q, const sql_sublink *s);

static sql_expr *sql_bind_op(sql_qlevel *q, const sql_opexpr *op) {
    if (op->left != NULL && SQL_NODE_KIND(op->left) == SQL_N_ROW &&
        SQL_NODE_KIND(op->right) == SQL_N_ROW) {
        return sql_bind_row_compare(q, op->name, (const sql_row *)op->left,
                                    (const sql_row *)op->right, op->hdr.location);
    }
    if (op->left != NULL && SQL_NODE_KIND(op->left) == SQL_N_ROW &&
        SQL_NODE_KIND(op->right) == SQL_N_SUBLINK &&
        ((const sql_sublink *)op->right)->sublink_kind == SQL_SUBLINK_EXPR &&
        ((const sql_sublink *)op->right)->test_expr == NULL) {
        /* (a, b) op (SELECT x, y): PostgreSQL's row comparison sublink; errors point at the
           operator as there. */
        sql_sublink s = *(const sql_sublink *)op->right;
        s.hdr.location = op->hdr.location;
        s.test_expr = op->left;
        s.op = op->name;
        return sql_bind_sublink(q, &s);
    }
    sql_expr *args[2];
    uint32_t n = 0;
    if (op->left != NULL && (args[n++] = sql_bind_expr(q, op->left)) == NULL) return NULL;
    if ((args[n++] = sql_bind_expr(q, op->right)) == NULL) return NULL;
    return sql_bind_call(q, op->name, true, args, n, op->hdr.location);
}

sql_expr *sql_bind_condition(sql_qlevel *q, const sql_node *n, const char *clause) {
    sql_expr *e = sql_bind_expr(q, n);
    if (e == NULL) return NULL;
    if (e->type_oid == SQL_T_BOOL) return e;
    if (e->type_oid == SQL_T_UNKNOWN) {
        return sql_bind_coerce(q, e, SQL_T_BOOL, -1, SQL_CAST_IMPLICIT, e->location, NULL);
    }
    sql_bind_error(q->b, n->location, SQLSTATE_DATATYPE_MISMATCH,
                   "argument of %s must be type boolean, not type %s", clause,
                   sql_type_name(e->type_oid));
    return NULL;
}

static sql_expr *sql_bind_bool(sql_qlevel *q, const sql_bool *bn) {
    sql_expr_kind k = bn->bool_kind == SQL_BOOL_AND ? SQL_X_AND
                      : bn->bool_kind == SQL_BOOL_OR ? SQL_X_OR : SQL_X_NOT;
    sql_expr *e = sql_expr_new(q->b->arena, k, SQL_T_BOOL, bn->args.count);
    if (e == NULL) return NULL;
    const char *clause = k == SQL_X_AND ? "AND" : k == SQL_X_OR ? "OR" : "NOT";
    for (uint32_t i = 0; i < bn->args.count; i++) {
        e->args[i] = sql_bind_condition(q, SQL_LIST_AT(bn->args, i), clause);
        if (e->args[i] == NULL) return NULL;
    }
    return e;
}

/* ---- functions and aggregates ---- */

sql_expr *sql_bind_agg_filter(sql_qlevel *q, const sql_node *filter) {
    const char *prev_agg = q->agg_forbidden, *prev_win = q->win_forbidden;
    bool prev_args = q->in_agg_args, prev_win_args = q->in_win_args;
    q->agg_forbidden = q->win_forbidden = "FILTER";
    q->in_agg_args = q->in_win_args = false;
    sql_expr *e = sql_bind_condition(q, filter, "FILTER");
    q->agg_forbidden = prev_agg;
    q->win_forbidden = prev_win;
    q->in_agg_args = prev_args;
    q->in_win_args = prev_win_args;
    return e;
}

static bool sql_bind_agg_call(sql_qlevel *q, const sql_func *f, const char *name,
                              sql_agg_call *call) {
    sql_binder *b = q->b;
    memset(call, 0, sizeof *call);
    call->star = f->agg_star;
    call->distinct = f->agg_distinct;
    call->nargs = f->args.count;
    call->args = rt_arena_zalloc(b->arena, sizeof(sql_expr *) * (call->nargs + 1u));
    if (call->args == NULL) return false;
    bool prev = q->in_agg_args;
    q->in_agg_args = true;
    for (uint32_t i = 0; i < call->nargs; i++) {
        if ((call->args[i] = sql_bind_expr(q, SQL_LIST_AT(f->args, i))) == NULL) return false;
    }
    if (f->agg_filter != NULL && (call->filter = sql_bind_agg_filter(q, f->agg_filter)) == NULL) {
        return false;
    }
    call->norder = f->agg_order.count;
    call->order = rt_arena_zalloc(b->arena, sizeof(sql_sort_key) * (call->norder + 1u));
    if (call->order == NULL) return false;
    for (uint32_t i = 0; i < call->norder; i++) {
        const sql_sortby *sb = SQL_LIST_AT(f->agg_order, i);
        if ((call->order[i].expr = sql_bind_expr(q, sb->expr)) == NULL) return false;
        call->order[i].desc = sb->dir == SQL_SORT_DESC;
        call->order[i].nulls_first = sb->nulls == SQL_NULLS_FIRST ||
                                     (sb->nulls == SQL_NULLS_DEFAULT && call->order[i].desc);
    }
    q->in_agg_args = prev;
    if (f->agg_within_group) return sql_bind_ordset_resolve(q, name, f->hdr.location, call);
    return sql_bind_agg_resolve(q, name, f->hdr.location, call);
}

/* The type a polymorphic aggregate argument of type t is cast to: PostgreSQL has min and max
 * of inet, none of cidr, so a cidr reaches them through the binary-coercible cast (result
 * inet); everything else keeps its own type. */
static uint32_t sql_agg_poly_arg(const char *name, uint32_t t) {
    if (t == SQL_T_UNKNOWN) return SQL_T_TEXT;
    if (t == SQL_T_CIDR && (strcmp(name, "min") == 0 || strcmp(name, "max") == 0)) {
        return SQL_T_INET;
    }
    return t;
}

/* Picks the aggregate by the bound arguments' types and casts the arguments to it. */
bool sql_bind_agg_resolve(sql_qlevel *q, const char *name, uint32_t loc, sql_agg_call *call) {
    sql_binder *b = q->b;
    sql_agg_list list = sql_aggs_lookup(name);
    uint32_t nargs = call->star ? 0 : call->nargs;
    for (int pass = 0; pass < 3 && call->def == NULL; pass++) {
        for (uint32_t k = 0; k < list.count && call->def == NULL; k++) {
            const sql_agg_def *d = list.items[k];
            if (d->nargs != nargs || d->ordered_set) continue;
            bool ok = true;
            for (uint32_t i = 0; i < nargs && ok; i++) {
                uint32_t a = call->args[i]->type_oid, t = d->args[i];
                bool poly = t == SQL_T_ANY || t == SQL_T_ANYELEMENT;
                ok = pass == 0 ? (a == t || (poly && a != SQL_T_UNKNOWN))
                     : pass == 1 ? (a == t || poly || sql_cast_allowed(a, t, SQL_CAST_IMPLICIT))
                                 : (a == SQL_T_UNKNOWN || poly);
            }
            if (ok) call->def = d;
        }
    }
    for (uint32_t k = 0; call->def == NULL && k < list.count; k++) {
        if (list.items[k]->ordered_set && list.items[k]->nargs == nargs) { /* mode(x) */
            return sql_bind_error(b, loc, SQLSTATE_WRONG_OBJECT_TYPE,
                                  "WITHIN GROUP is required for ordered-set aggregate %s", name);
        }
    }
    if (call->def == NULL) {
        const char *types = ""; /* PostgreSQL lists every argument's type */
        for (uint32_t i = 0; i < nargs && types != NULL; i++) {
            types = rt_arena_sprintf(b->arena, "%s%s%s", types, i > 0 ? ", " : "",
                                     sql_type_name(call->args[i]->type_oid));
        }
        if (types == NULL) return sql_bind_oom(b);
        sql_bind_error(b, loc, SQLSTATE_UNDEFINED_FUNCTION, "function %s(%s) does not exist", name,
                       types);
        rt_err_hint(b->bc->err, "No function matches the given name and argument types. You "
                    "might need to add explicit type casts.");
        return false;
    }
    const sql_agg_def *d = call->def;
    for (uint32_t i = 0; i < nargs; i++) {
        uint32_t t = d->args[i];
        if (t == SQL_T_ANY) continue;
        if (t == SQL_T_ANYELEMENT) t = sql_agg_poly_arg(name, call->args[i]->type_oid);
        call->args[i] = sql_bind_coerce(q, call->args[i], t, -1, SQL_CAST_IMPLICIT,
                                        call->args[i]->location, NULL);
        if (call->args[i] == NULL) return false;
    }
    uint32_t first = nargs > 0 ? call->args[0]->type_oid : 0;
    call->type_oid = d->ret == SQL_T_ANYELEMENT ? first
                     : d->ret == SQL_T_ANYARRAY ? sql_type_array_of(first) : d->ret;
    call->typmod = d->ret == SQL_T_ANYELEMENT && nargs > 0 ? call->args[0]->typmod : -1;
    if (call->type_oid == 0) {
        return sql_bind_array_type_error(b, loc, SQLSTATE_UNDEFINED_FUNCTION, first);
    }
    return true;
}

/* Adds an aggregate call to level q's list (the same call twice shares one computation);
 * its index, or UINT32_MAX when memory ran out. */
static uint32_t sql_agg_register(sql_qlevel *q, const sql_agg_call *call) {
    for (uint32_t i = 0; i < q->naggs; i++) {
        const sql_agg_call *o = &q->aggs[i];
        if (o->def != call->def || o->nargs != call->nargs || o->distinct != call->distinct ||
            o->star != call->star || o->norder > 0 || call->norder > 0 || o->filter != NULL ||
            call->filter != NULL) {
            continue;
        }
        bool same = true;
        for (uint32_t k = 0; k < call->nargs && same; k++) {
            same = sql_expr_equal(o->args[k], call->args[k]);
        }
        if (same) return i;
    }
    if (q->naggs == q->agg_cap) {
        uint32_t cap = q->agg_cap == 0 ? 8 : q->agg_cap * 2;
        sql_agg_call *aggs = rt_arena_grow(q->b->arena, q->aggs, q->agg_cap * sizeof *aggs,
                                           cap * sizeof *aggs);
        if (aggs == NULL) return UINT32_MAX;
        q->aggs = aggs;
        q->agg_cap = cap;
    }
    q->aggs[q->naggs] = *call;
    return q->naggs++;
}

typedef struct sql_agg_levels {
    bool local;            /* a column of the level the call is written in, or a subquery */
    uint32_t min_outer;    /* the innermost enclosing level referred to (UINT32_MAX: none) */
} sql_agg_levels;

static bool sql_agg_levels_fn(const sql_expr *e, void *arg) {
    sql_agg_levels *l = arg;
    if (e->kind == SQL_X_COLUMN || e->kind == SQL_X_SUBQUERY) l->local = true;
    if (e->kind == SQL_X_OUTER && e->column.depth < l->min_outer) l->min_outer = e->column.depth;
    return true;
}

/* The level an aggregate call belongs to, as PostgreSQL decides it: that of the innermost
 * query whose columns its arguments use (0: the level it is written in, also when it uses
 * none). A subquery in the arguments keeps it local (its references are not followed). */
static uint32_t sql_agg_level(const sql_agg_call *call) {
    sql_agg_levels l = {.local = false, .min_outer = UINT32_MAX};
    for (uint32_t i = 0; i < call->nargs; i++) sql_expr_walk(call->args[i], sql_agg_levels_fn, &l);
    if (call->filter != NULL) sql_expr_walk(call->filter, sql_agg_levels_fn, &l);
    for (uint32_t i = 0; i < call->norder; i++) {
        sql_expr_walk(call->order[i].expr, sql_agg_levels_fn, &l);
    }
    return l.local || l.min_outer == UINT32_MAX ? 0 : l.min_outer;
}

/* A copy of e as level `d` up reads it: its depth-d outer references become its columns. */
static sql_expr *sql_expr_lower(rt_arena *arena, const sql_expr *e, uint32_t d) {
    if (e == NULL) return NULL;
    sql_expr *c = sql_expr_copy_node(arena, e);
    if (c == NULL) return NULL;
    if (e->kind == SQL_X_OUTER) {
        c->column.depth = e->column.depth - d;
        if (c->column.depth == 0) c->kind = SQL_X_COLUMN;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((c->args[i] = sql_expr_lower(arena, e->args[i], d)) == NULL) return NULL;
    }
    return c;
}

/* Moves a call bound in a subquery to the enclosing level d it belongs to. */
static bool sql_agg_lower(sql_qlevel *q, sql_agg_call *call, uint32_t d) {
    rt_arena *a = q->b->arena;
    for (uint32_t k = 0; k < call->nargs; k++) {
        if ((call->args[k] = sql_expr_lower(a, call->args[k], d)) == NULL) return false;
    }
    if (call->filter != NULL && (call->filter = sql_expr_lower(a, call->filter, d)) == NULL) {
        return false;
    }
    for (uint32_t k = 0; k < call->norder; k++) {
        if ((call->order[k].expr = sql_expr_lower(a, call->order[k].expr, d)) == NULL) {
            return false;
        }
    }
    return true;
}

static bool sql_agg_allowed(sql_qlevel *q, const char *forbidden, bool nested, uint32_t loc) {
    if (forbidden != NULL) {
        return sql_bind_error(q->b, loc, SQLSTATE_GROUPING_ERROR,
                              "aggregate functions are not allowed in %s", forbidden);
    }
    if (nested) {
        return sql_bind_error(q->b, loc, SQLSTATE_GROUPING_ERROR,
                              "aggregate function calls cannot be nested");
    }
    return true;
}

/* An aggregate call. Its arguments are bound first: they decide which query level it belongs
 * to (an outer one when they use only that level's columns), and that level's rules apply. In
 * a subquery, an outer level's aggregate reads as an outer reference to that level's row, past
 * its FROM columns (the level's grouping maps it to the aggregate's result). */
static sql_expr *sql_bind_aggregate(sql_qlevel *q, const sql_func *f, const char *name) {
    const char *forbidden = q->agg_forbidden;
    bool nested = q->in_agg_args;
    uint32_t mark = q->b->nuprefs, loc = f->hdr.location;
    sql_agg_call call;
    q->agg_forbidden = NULL;
    bool ok = sql_bind_agg_call(q, f, name, &call);
    q->agg_forbidden = forbidden;
    if (!ok) return NULL;
    /* Arguments run once per input row: compute their constant parts (1 - l_discount) once. */
    for (uint32_t k = 0; k < call.nargs; k++) call.args[k] = sql_bind_fold_tree(q, call.args[k]);
    uint32_t d = sql_agg_level(&call);
    sql_qlevel *l = q;
    for (uint32_t i = 0; i < d; i++) l = l->parent;
    if (d > 0 && l->lateral) {
        sql_bind_error(q->b, loc, SQLSTATE_GROUPING_ERROR,
                       "aggregate functions are not allowed in FROM clause of their own query "
                       "level");
        return NULL;
    }
    if (!sql_agg_allowed(q, d == 0 ? forbidden : l->agg_forbidden,
                         d == 0 ? nested : l->in_agg_args, loc)) {
        return NULL;
    }
    if (d > 0 && !sql_agg_lower(q, &call, d)) {
        sql_bind_oom(q->b);
        return NULL;
    }
    for (uint32_t i = mark; d > 0 && i < q->b->nuprefs; i++) {
        if (q->b->uprefs[i].level == l) q->b->uprefs[i].in_agg = true;
    }
    uint32_t idx = sql_agg_register(l, &call);
    sql_expr *e = idx != UINT32_MAX ? sql_expr_new(q->b->arena, d == 0 ? SQL_X_AGGREF
                                                   : SQL_X_OUTER, call.type_oid, 0) : NULL;
    if (e == NULL) {
        sql_bind_oom(q->b);
        return NULL;
    }
    e->typmod = call.typmod;
    e->location = loc;
    if (d == 0) {
        e->aggref.index = idx;
    } else {
        e->column.index = l->scope->ncols + idx;
        e->column.depth = d;
    }
    return e;
}

sql_expr *sql_bind_special_func(sql_qlevel *q, const sql_func *f, const char *name);

static sql_expr *sql_bind_func(sql_qlevel *q, const sql_func *f) {
    const sql_name *nm = &f->name;
    const char *name = nm->parts[nm->count - 1];
    if (nm->count > 1 && strcmp(nm->parts[nm->count - 2], "pg_catalog") != 0 &&
        strcmp(nm->parts[nm->count - 2], "public") != 0) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_UNDEFINED_FUNCTION,
                       "function %s.%s does not exist", nm->parts[nm->count - 2], name);
        return NULL;
    }
    if (f->over != NULL) return sql_bind_window_call(q, f, name);
    if (sql_window_func_is_named(name)) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "window function %s requires an OVER clause", name);
        return NULL;
    }
    if (sql_is_aggregate_name(name) || f->agg_within_group) {
        return sql_bind_aggregate(q, f, name);
    }
    if (f->agg_star || f->agg_distinct || f->agg_order.count > 0 || f->agg_filter != NULL) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "%s is not an aggregate function", name);
        return NULL;
    }
    sql_expr *special = sql_bind_special_func(q, f, name);
    if (special != NULL || rt_err_is_set(q->b->bc->err)) return special;
    uint32_t n = f->args.count;
    sql_expr **args = rt_arena_alloc(q->b->arena, sizeof(sql_expr *) *
                                                      (n + SQL_NAMED_PARAMS_MAX + 1u));
    if (args == NULL) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        if ((args[i] = sql_bind_expr(q, SQL_LIST_AT(f->args, i))) == NULL) return NULL;
    }
    if (f->arg_names.count > 0 &&
        !sql_bind_named_args(q, name, (const char *const *)f->arg_names.items, args, &n,
                             f->hdr.location)) {
        return NULL;
    }
    sql_expr *call = sql_bind_call(q, name, false, args, n, f->hdr.location);
    if (call != NULL && call->kind == SQL_X_FUNC && sql_jsonrec_is(call->func.def)) {
        call = sql_bind_jsonrec(q, call, NULL, false, f->hdr.location);
    }
    rt_err *err = q->b->bc->err;
    if (call == NULL && nm->count > 1 && rt_err_is(err, SQLSTATE_UNDEFINED_FUNCTION) &&
        strncmp(err->message, "function ", 9) == 0) {
        /* PostgreSQL names the function as written: pg_catalog.nosuch() */
        char *msg = rt_arena_sprintf(q->b->arena, "function %s.%s", nm->parts[nm->count - 2],
                                     err->message + 9);
        if (msg != NULL) {
            size_t len = strlen(msg);
            if (len >= sizeof err->message) len = sizeof err->message - 1;
            memcpy(err->message, msg, len);
            err->message[len] = '\0';
        }
    }
    return call;
}

/* Subscripts on one array value: PostgreSQL's MAXDIM. */
#define SQL_ARRAY_SUBSCRIPTS_MAX 6

/* ---- CASE, COALESCE and friends ---- */

/* Coerces every expression of `list` to their common type. */
bool sql_bind_unify(sql_qlevel *q, sql_expr **list, uint32_t n, const char *context,
                    uint32_t loc, uint32_t *type, int32_t *typmod) {
    if (!sql_bind_common_type(q, list, n, context, loc, type, typmod)) return false;
    for (uint32_t i = 0; i < n; i++) {
        list[i] = sql_bind_coerce(q, list[i], *type, -1, SQL_CAST_IMPLICIT, list[i]->location,
                                  NULL);
        if (list[i] == NULL) return false;
    }
    return true;
}

static sql_expr *sql_bind_case(sql_qlevel *q, const sql_case *c) {
    sql_binder *b = q->b;
    uint32_t pairs = c->whens.count / 2;
    sql_expr *e = sql_expr_new(b->arena, SQL_X_CASE, 0, pairs * 2 + (c->else_result ? 1 : 0));
    sql_expr **results = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (pairs + 2u));
    if (e == NULL || results == NULL) return NULL;
    sql_expr *arg = NULL;
    if (c->arg != NULL && (arg = sql_bind_expr(q, c->arg)) == NULL) return NULL;
    /* PostgreSQL resolves the ELSE result first: "CASE types text and integer" names it. */
    uint32_t first = c->else_result != NULL ? 1 : 0, nres = first;
    for (uint32_t w = 0; w < pairs; w++) {
        const sql_node *cond = SQL_LIST_AT(c->whens, 2 * w);
        sql_expr *ce;
        if (arg != NULL) { /* CASE x WHEN v: x = v */
            sql_expr *rhs = sql_bind_expr(q, cond);
            if (rhs == NULL) return NULL;
            sql_expr *two[2] = {arg, rhs};
            ce = sql_bind_call(q, "=", true, two, 2, cond->location);
        } else {
            ce = sql_bind_condition(q, cond, "CASE/WHEN");
        }
        if (ce == NULL) return NULL;
        e->args[2 * w] = ce;
        if ((results[nres++] = sql_bind_expr(q, SQL_LIST_AT(c->whens, 2 * w + 1))) == NULL) {
            return NULL;
        }
    }
    if (c->else_result != NULL && (results[0] = sql_bind_expr(q, c->else_result)) == NULL) {
        return NULL;
    }
    uint32_t type;
    int32_t typmod;
    if (!sql_bind_unify(q, results, nres, "CASE", c->hdr.location, &type, &typmod)) return NULL;
    for (uint32_t w = 0; w < pairs; w++) e->args[2 * w + 1] = results[first + w];
    if (c->else_result != NULL) e->args[2 * pairs] = results[0];
    e->type_oid = type;
    e->typmod = typmod;
    return e;
}

static sql_expr *sql_bind_special(sql_qlevel *q, const sql_special *s) {
    sql_binder *b = q->b;
    static const sql_expr_kind kinds[] = {0, SQL_X_COALESCE, SQL_X_NULLIF, SQL_X_MINMAX,
                                          SQL_X_MINMAX};
    static const char *names[] = {"", "COALESCE", "NULLIF", "GREATEST", "LEAST"};
    sql_expr *e = sql_expr_new(b->arena, kinds[s->special_kind], 0, s->args.count);
    if (e == NULL) return NULL;
    for (uint32_t i = 0; i < s->args.count; i++) {
        if ((e->args[i] = sql_bind_expr(q, SQL_LIST_AT(s->args, i))) == NULL) return NULL;
    }
    uint32_t type;
    int32_t typmod;
    if (!sql_bind_unify(q, e->args, e->nargs, names[s->special_kind], s->hdr.location, &type,
                        &typmod)) {
        return NULL;
    }
    e->type_oid = type;
    e->typmod = typmod;
    e->minmax.greatest = s->special_kind == SQL_SPECIAL_GREATEST;
    if (e->kind != SQL_X_COALESCE && sql_type_for_values(type)->cmp == NULL) {
        sql_bind_error(b, s->hdr.location, SQLSTATE_UNDEFINED_FUNCTION,
                       "could not identify a comparison function for type %s",
                       sql_type_name(type));
        return NULL;
    }
    return e;
}

static sql_expr *sql_bind_nulltest(sql_qlevel *q, const sql_nulltest *t) {
    if (SQL_NODE_KIND(t->arg) == SQL_N_ROW) {
        return sql_bind_row_nulltest(q, (const sql_row *)t->arg, t->is_not);
    }
    sql_expr *row = sql_bind_wholerow_nulltest(q, t->arg, t->is_not);
    if (row != NULL || rt_err_is_set(q->b->bc->err)) return row;
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_NULLTEST, SQL_T_BOOL, 1);
    if (e == NULL || (e->args[0] = sql_bind_expr(q, t->arg)) == NULL) return NULL;
    e->test.is_not = t->is_not;
    if (e->args[0]->kind == SQL_X_PARAM && e->args[0]->type_oid == SQL_T_UNKNOWN &&
        !sql_bind_note_untyped_param(q->b, e->args[0])) {
        return NULL;
    }
    return e;
}

static sql_expr *sql_bind_booltest(sql_qlevel *q, const sql_booltest *t) {
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_BOOLTEST, SQL_T_BOOL, 1);
    if (e == NULL) return NULL;
    static const char *names[] = {"", "IS TRUE", "IS FALSE", "IS UNKNOWN"};
    if ((e->args[0] = sql_bind_condition(q, t->arg, names[t->test])) == NULL) return NULL;
    e->booltest.test = (uint8_t)t->test;
    e->booltest.is_not = t->is_not;
    return e;
}

static sql_expr *sql_bind_distinct(sql_qlevel *q, const sql_distinct *d) {
    if (SQL_NODE_KIND(d->left) == SQL_N_ROW && SQL_NODE_KIND(d->right) == SQL_N_ROW) {
        return sql_bind_row_distinct(q, (const sql_row *)d->left, (const sql_row *)d->right,
                                     d->is_not, d->hdr.location);
    }
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_DISTINCT, SQL_T_BOOL, 2);
    if (e == NULL) return NULL;
    if ((e->args[0] = sql_bind_expr(q, d->left)) == NULL ||
        (e->args[1] = sql_bind_expr(q, d->right)) == NULL) {
        return NULL;
    }
    uint32_t type;
    int32_t typmod;
    if (!sql_bind_unify(q, e->args, 2, "IS DISTINCT FROM", d->hdr.location, &type, &typmod)) {
        return NULL;
    }
    e->test.is_not = d->is_not;
    return e;
}

static sql_expr *sql_bind_in_list(sql_qlevel *q, const sql_in_list *in) {
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_IN_LIST, SQL_T_BOOL, in->values.count + 1);
    if (e == NULL || (e->args[0] = sql_bind_expr(q, in->arg)) == NULL) return NULL;
    for (uint32_t i = 0; i < in->values.count; i++) {
        if ((e->args[i + 1] = sql_bind_expr(q, SQL_LIST_AT(in->values, i))) == NULL) return NULL;
    }
    uint32_t type;
    int32_t typmod;
    if (!sql_bind_unify(q, e->args, e->nargs, "IN", in->hdr.location, &type, &typmod)) {
        return NULL;
    }
    e->test.is_not = in->is_not;
    return e;
}

static sql_expr *sql_bind_between(sql_qlevel *q, const sql_between *bt) {
    sql_expr *x = sql_bind_expr(q, bt->arg);
    sql_expr *lo = x != NULL ? sql_bind_expr(q, bt->low) : NULL;
    sql_expr *hi = lo != NULL ? sql_bind_expr(q, bt->high) : NULL;
    if (hi == NULL) return NULL;
    sql_expr *a[2] = {x, lo}, *c[2] = {x, hi};
    sql_expr *ge = sql_bind_call(q, ">=", true, a, 2, bt->hdr.location);
    sql_expr *le = ge != NULL ? sql_bind_call(q, "<=", true, c, 2, bt->hdr.location) : NULL;
    if (le == NULL) return NULL;
    sql_expr *and = sql_expr_new(q->b->arena, SQL_X_AND, SQL_T_BOOL, 2);
    if (and == NULL) return NULL;
    and->args[0] = ge;
    and->args[1] = le;
    sql_expr *result = and;
    if (bt->symmetric) { /* or the bounds swapped */
        sql_expr *a2[2] = {x, hi}, *c2[2] = {x, lo};
        sql_expr *ge2 = sql_bind_call(q, ">=", true, a2, 2, bt->hdr.location);
        sql_expr *le2 = ge2 != NULL ? sql_bind_call(q, "<=", true, c2, 2, bt->hdr.location)
                                    : NULL;
        sql_expr *and2 = sql_expr_new(q->b->arena, SQL_X_AND, SQL_T_BOOL, 2);
        sql_expr *or = sql_expr_new(q->b->arena, SQL_X_OR, SQL_T_BOOL, 2);
        if (le2 == NULL || and2 == NULL || or == NULL) return NULL;
        and2->args[0] = ge2;
        and2->args[1] = le2;
        or->args[0] = and;
        or->args[1] = and2;
        result = or;
    }
    if (!bt->is_not) return result;
    sql_expr *not = sql_expr_new(q->b->arena, SQL_X_NOT, SQL_T_BOOL, 1);
    if (not != NULL) not->args[0] = result;
    return not;
}

static sql_expr *sql_bind_like(sql_qlevel *q, const sql_like *l) {
    const char *op = l->like_kind == SQL_LIKE ? (l->is_not ? "!~~" : "~~")
                     : l->like_kind == SQL_ILIKE ? (l->is_not ? "!~~*" : "~~*")
                                                 : (l->is_not ? "!~" : "~");
    sql_expr *args[2];
    if ((args[0] = sql_bind_expr(q, l->arg)) == NULL) return NULL;
    if ((args[1] = sql_bind_expr(q, l->pattern)) == NULL) return NULL;
    if (l->like_kind == SQL_SIMILAR) { /* SIMILAR TO: translated to a regular expression */
        sql_expr *sargs[2] = {args[1], NULL};
        uint32_t n = 1;
        if (l->escape != NULL) {
            if ((sargs[1] = sql_bind_expr(q, l->escape)) == NULL) return NULL;
            n = 2;
        }
        if ((args[1] = sql_bind_call(q, "similar_to_escape", false, sargs, n,
                                     l->hdr.location)) == NULL) {
            return NULL;
        }
    } else if (l->escape != NULL) {
        sql_expr *eargs[2] = {args[1], sql_bind_expr(q, l->escape)};
        if (eargs[1] == NULL) return NULL;
        if ((args[1] = sql_bind_call(q, "like_escape", false, eargs, 2, l->hdr.location)) ==
            NULL) {
            return NULL;
        }
    }
    return sql_bind_call(q, op, true, args, 2, l->hdr.location);
}

/* ---- subqueries ---- */


/* oid and the reg* types: the same 4-byte value under other names. */
static bool sql_bind_oid_alias(uint32_t t) {
    return t == SQL_T_OID || t == SQL_T_REGCLASS || t == SQL_T_REGTYPE || t == SQL_T_REGPROC ||
           t == SQL_T_REGPROCEDURE || t == SQL_T_REGOPER || t == SQL_T_REGOPERATOR ||
           t == SQL_T_REGNAMESPACE || t == SQL_T_REGROLE || t == SQL_T_REGCOLLATION;
}

/* Binds the subquery of `s` one level down; *correlated says whether it reads columns of
 * this level or above (q->correlated then carries that up to the levels it crosses). */
static sql_plan *sql_bind_sublink_plan(sql_qlevel *q, const sql_sublink *s, bool *correlated) {
    bool was = q->correlated;
    q->correlated = false;
    q->b->sublink_depth++;
    sql_plan *plan = sql_bind_select(q, s->subquery, q->ctes);
    q->b->sublink_depth--;
    *correlated = q->correlated;
    q->correlated = was || *correlated;
    return plan;
}

/* The type of `s`'s value: boolean for EXISTS, IN, ANY and ALL, the column's for a scalar
 * subquery, its array type for ARRAY(...); false after 42601 when the subquery returns other
 * than one column (EXISTS: any number) or 42704 when the column's type has no array type. */
static bool sql_bind_sublink_type(sql_binder *b, const sql_sublink *s, const sql_plan *plan,
                                  uint32_t *type, int32_t *typmod) {
    if (s->sublink_kind != SQL_SUBLINK_EXISTS && plan->ncols != 1) {
        sql_bind_error(b, s->hdr.location, SQLSTATE_SYNTAX_ERROR,
                       plan->ncols > 1 && s->sublink_kind != SQL_SUBLINK_EXPR &&
                               s->sublink_kind != SQL_SUBLINK_ARRAY
                           ? "subquery has too many columns"     /* IN, ANY, ALL */
                           : "subquery must return only one column");
        return false;
    }
    *type = SQL_T_BOOL;
    *typmod = -1;
    if (s->sublink_kind == SQL_SUBLINK_EXPR) {
        *type = plan->cols[0].type_oid;
        *typmod = plan->cols[0].typmod;
    } else if (s->sublink_kind == SQL_SUBLINK_ARRAY) {
        *type = sql_type_array_of(plan->cols[0].type_oid);
        if (*type == 0) {
            sql_bind_array_type_error(b, s->hdr.location, SQLSTATE_UNDEFINED_OBJECT,
                                      plan->cols[0].type_oid);
            return false;
        }
    }
    return true;
}

/* IN / ANY / ALL: resolves the comparison as `test op <column>`, the subquery's column the
 * right side, into e->sub.op and e->args[0] (the test, coerced as the operator wants it). */
static bool sql_bind_sublink_compare(sql_qlevel *q, const sql_sublink *s, sql_expr *test,
                                     sql_expr *e) {
    const char *op = s->op != NULL ? s->op : "=";
    uint32_t ctype = e->sub.plan->cols[0].type_oid;
    /* oid and the reg* types share one representation: compare without a cast (psql's \d
     * asks confrelid IN (SELECT pg_partition_ancestors(...)), a regclass). */
    if (sql_bind_oid_alias(test->type_oid) && sql_bind_oid_alias(ctype)) ctype = test->type_oid;
    sql_expr *col = sql_expr_new(q->b->arena, SQL_X_CONST, ctype, 0);
    if (col == NULL) return false;
    col->constval = (sql_value){.type_oid = ctype, .is_null = true};
    sql_expr *two[2] = {test, col};
    sql_expr *cmp = sql_bind_call(q, op, true, two, 2, s->hdr.location);
    if (cmp == NULL) return false;
    if (cmp->args[1]->kind != SQL_X_CONST) {
        sql_bind_error(q->b, s->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "a subquery whose column needs a cast for %s is not supported yet", op);
        return false;
    }
    e->sub.op = cmp->func.def;
    e->args[0] = cmp->args[0];
    return true;
}

/* A subquery in an expression: EXISTS, a scalar subquery, ARRAY(...), IN / ANY / ALL over a
 * value (sql_bind_sublink_compare) or over a row (sql_bind_row_sublink). */
static sql_expr *sql_bind_sublink_node(sql_qlevel *q, const sql_sublink *s) {
    sql_binder *b = q->b;
    if (b->default_context != NULL) {
        sql_bind_error(b, s->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "cannot use subquery in %s", b->default_context);
        return NULL;
    }
    const sql_row *row = s->test_expr != NULL && SQL_NODE_KIND(s->test_expr) == SQL_N_ROW
                             ? (const sql_row *)s->test_expr : NULL;
    sql_expr *test = NULL;
    if (row == NULL && s->test_expr != NULL && (test = sql_bind_expr(q, s->test_expr)) == NULL) {
        return NULL;
    }
    bool correlated;
    sql_plan *plan = sql_bind_sublink_plan(q, s, &correlated);
    if (plan == NULL) return NULL;
    if (row != NULL) return sql_bind_row_sublink(q, s, row, plan, correlated);
    uint32_t type;
    int32_t typmod;
    if (!sql_bind_sublink_type(b, s, plan, &type, &typmod)) return NULL;
    sql_expr *e = sql_expr_new(b->arena, SQL_X_SUBQUERY, type, test != NULL ? 1 : 0);
    if (e == NULL) return NULL;
    e->typmod = typmod;
    e->location = s->hdr.location;
    e->sub.plan = plan;
    e->sub.correlated = correlated;
    e->sub.id = b->nsubqueries++;
    static const uint8_t kinds[] = {0, SQL_SUB_EXISTS, SQL_SUB_SCALAR, SQL_SUB_ANY, SQL_SUB_ALL,
                                    SQL_SUB_ARRAY};
    e->sub.kind = kinds[s->sublink_kind];
    if (test != NULL && !sql_bind_sublink_compare(q, s, test, e)) return NULL;
    return e;
}

static sql_expr *sql_bind_sublink(sql_qlevel *q, const sql_sublink *s) {
    uint32_t mark = q->b->nuprefs;
    sql_expr *e = sql_bind_sublink_node(q, s);
    if (e != NULL) {
        e->sub.upref_first = mark;
        e->sub.upref_end = q->b->nuprefs;
    }
    return e;
}

static sql_expr *sql_bind_any_all(sql_qlevel *q, const sql_any_all *a) {
    sql_expr *left = sql_bind_expr(q, a->left);
    sql_expr *arr = left != NULL ? sql_bind_expr(q, a->array) : NULL;
    if (arr == NULL) return NULL;
    if (arr->type_oid == SQL_T_UNKNOWN) {
        uint32_t at = left->type_oid == SQL_T_UNKNOWN ? SQL_T_TEXT_ARRAY
                                                      : sql_type_array_of(left->type_oid);
        if ((arr = sql_bind_coerce(q, arr, at, -1, SQL_CAST_EXPLICIT, arr->location, NULL)) ==
            NULL) {
            return NULL;
        }
    }
    uint32_t elem = sql_type_elem_of(arr->type_oid);
    if (elem == 0) {
        sql_bind_error(q->b, a->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "op ANY/ALL (array) requires array on right side");
        return NULL;
    }
    sql_expr *ph = sql_expr_new(q->b->arena, SQL_X_CONST, elem, 0);
    if (ph == NULL) return NULL;
    ph->constval = (sql_value){.type_oid = elem, .is_null = true};
    sql_expr *two[2] = {left, ph};
    sql_expr *cmp = sql_bind_call(q, a->op, true, two, 2, a->hdr.location);
    if (cmp == NULL) return NULL;
    if (cmp->args[1] != ph) { /* the element needs a cast: cast the whole array */
        uint32_t want = sql_type_array_of(cmp->func.def->args[1]);
        if (want == 0 || (arr = sql_bind_coerce(q, arr, want, -1, SQL_CAST_IMPLICIT,
                                                arr->location, NULL)) == NULL) {
            if (!rt_err_is_set(q->b->bc->err)) {
                sql_bind_error(q->b, a->hdr.location, SQLSTATE_UNDEFINED_FUNCTION,
                               "operator does not exist: %s %s %s", sql_type_name(left->type_oid),
                               a->op, sql_type_name(elem));
            }
            return NULL;
        }
    }
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_ANY_ALL, SQL_T_BOOL, 2);
    if (e == NULL) return NULL;
    e->args[0] = cmp->args[0];
    e->args[1] = arr;
    e->anyall.op = cmp->func.def;
    e->anyall.is_all = a->is_all;
    return e;
}

/* ---- arrays, casts, subscripts, SQL value functions ---- */

static sql_expr *sql_bind_array(sql_qlevel *q, const sql_array *a, uint32_t want_type) {
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_ARRAY, 0, a->elements.count);
    if (e == NULL) return NULL;
    uint32_t want_elem = want_type != 0 ? sql_type_elem_of(want_type) : 0;
    for (uint32_t i = 0; i < a->elements.count; i++) {
        const sql_node *n = SQL_LIST_AT(a->elements, i);
        e->args[i] = SQL_NODE_KIND(n) == SQL_N_ARRAY
                         ? sql_bind_array(q, (const sql_array *)n, want_type)
                         : sql_bind_expr(q, n);
        if (e->args[i] == NULL) return NULL;
    }
    uint32_t elem;
    int32_t typmod;
    if (a->elements.count == 0) {
        if (want_elem == 0) {
            sql_bind_error(q->b, a->hdr.location, SQLSTATE_INDETERMINATE_DATATYPE,
                           "cannot determine type of empty array");
            rt_err_hint(q->b->bc->err, "Explicitly cast to the desired type, for example "
                        "ARRAY[]::integer[].");
            return NULL;
        }
        e->type_oid = want_type;
        return e;
    }
    if (want_elem != 0) { /* ARRAY[...]::t[]: every element cast to t, as PostgreSQL does */
        for (uint32_t i = 0; i < e->nargs; i++) {
            const sql_node *n = SQL_LIST_AT(a->elements, i);
            bool sub = SQL_NODE_KIND(n) == SQL_N_ARRAY;
            e->args[i] = sql_bind_coerce(q, e->args[i], sub ? want_type : want_elem, -1,
                                         SQL_CAST_EXPLICIT, n->location, NULL);
            if (e->args[i] == NULL) return NULL;
        }
        e->type_oid = want_type;
        return e;
    }
    if (!sql_bind_unify(q, e->args, e->nargs, "ARRAY", a->hdr.location, &elem, &typmod)) {
        return NULL;
    }
    uint32_t base = sql_type_elem_of(elem) != 0 ? elem : sql_type_array_of(elem);
    e->type_oid = sql_type_elem_of(elem) != 0 ? elem : base;
    if (e->type_oid == 0) {
        sql_bind_array_type_error(q->b, a->hdr.location, SQLSTATE_UNDEFINED_OBJECT, elem);
        return NULL;
    }
    return e;
}

/* x::t; a cast to a domain casts to its base type, then checks the domain's constraints. */
static sql_expr *sql_bind_cast(sql_qlevel *q, const sql_cast *c) {
    uint32_t type;
    int32_t typmod;
    const eng_domain *domain;
    bool array;
    const eng_table *rowtype = sql_bind_rowtype_name(q, c->type);
    if (rowtype != NULL) {
        sql_expr *arg = sql_bind_expr(q, c->arg);
        return arg != NULL ? sql_bind_rowtype_cast(q, arg, rowtype, c->hdr.location) : NULL;
    }
    if (!sql_bind_typename_domain(q->b->bc, c->type, &type, &typmod, &domain, &array)) {
        return NULL;
    }
    sql_expr *arg = SQL_NODE_KIND(c->arg) == SQL_N_ARRAY
                        ? sql_bind_array(q, (const sql_array *)c->arg, type)
                        : sql_bind_expr(q, c->arg);
    if (arg == NULL) return NULL;
    sql_expr *e = sql_bind_coerce(q, arg, type, typmod, SQL_CAST_EXPLICIT, c->hdr.location, NULL);
    if (e == NULL || domain == NULL) return e;
    const sql_domain_info *di = array ? sql_domain_bind_array(q->b->bc, domain)
                                      : sql_domain_bind(q->b->bc, domain);
    return di != NULL ? sql_domain_wrap(q->b->arena, di, e) : NULL;
}

/* A missing slice bound (a[:2]) as the constant the slice kernel reads as open. */
static sql_expr *sql_bind_open_bound(sql_qlevel *q, bool low) {
    sql_value v = {.type_oid = SQL_T_INT4, .i64 = low ? INT32_MIN : INT32_MAX};
    return sql_expr_const(q->b->arena, &v, -1);
}

/* a[i][j] and a[lo:hi][lo:hi] apply all their subscripts at once, as PostgreSQL does: one
 * slice among them makes every subscript a slice (a plain i meaning 1:i). */
static sql_expr *sql_bind_array_subscripts(sql_qlevel *q, sql_expr *base,
                                           const sql_subscript **subs, uint32_t nsub,
                                           uint32_t loc) {
    bool slice = false;
    for (uint32_t k = 0; k < nsub; k++) slice |= subs[k]->is_slice;
    sql_expr **args = rt_arena_alloc(q->b->arena, sizeof(sql_expr *) * (2 * nsub + 1));
    if (args == NULL) return NULL;
    args[0] = base;
    uint32_t n = 1;
    for (uint32_t k = 0; k < nsub; k++) {
        const sql_subscript *s = subs[k];
        if (slice) {
            sql_expr *lo = !s->is_slice ? NULL
                           : s->lower != NULL ? sql_bind_expr(q, s->lower)
                                              : sql_bind_open_bound(q, true);
            if (!s->is_slice) { /* a[1:2][2]: the plain subscript means 1:2 */
                sql_value one = {.type_oid = SQL_T_INT4, .i64 = 1};
                lo = sql_expr_const(q->b->arena, &one, -1);
            }
            const sql_node *hn = s->is_slice ? s->upper : s->lower;
            sql_expr *hi = hn != NULL ? sql_bind_expr(q, hn) : sql_bind_open_bound(q, false);
            if (lo == NULL || hi == NULL) return NULL;
            args[n++] = lo;
            args[n++] = hi;
        } else if ((args[n++] = sql_bind_expr(q, s->lower)) == NULL) {
            return NULL;
        }
    }
    if (nsub > SQL_ARRAY_SUBSCRIPTS_MAX) {
        sql_bind_error(q->b, loc, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "number of array dimensions "
                       "(%u) exceeds the maximum allowed (%d)", nsub, SQL_ARRAY_SUBSCRIPTS_MAX);
        return NULL;
    }
    const char *fn = slice ? "array_slice" : nsub == 1 ? "array_subscript" : "array_subscripts";
    return sql_bind_call(q, fn, false, args, n, loc);
}

static sql_expr *sql_bind_subscript(sql_qlevel *q, const sql_subscript *s) {
    const sql_subscript *subs[SQL_ARRAY_SUBSCRIPTS_MAX + 1];
    uint32_t nsub = 0;
    const sql_node *base_node = &s->hdr;
    while (SQL_NODE_KIND(base_node) == SQL_N_SUBSCRIPT && nsub <= SQL_ARRAY_SUBSCRIPTS_MAX) {
        subs[nsub++] = (const sql_subscript *)base_node;
        base_node = ((const sql_subscript *)base_node)->arg;
    }
    sql_expr *base = sql_bind_expr(q, base_node);
    if (base == NULL) return NULL;
    if (sql_type_elem_of(base->type_oid) != 0) {
        for (uint32_t k = 0; k < nsub / 2; k++) { /* innermost first */
            const sql_subscript *t = subs[k];
            subs[k] = subs[nsub - 1 - k];
            subs[nsub - 1 - k] = t;
        }
        return sql_bind_array_subscripts(q, base, subs, nsub, s->hdr.location);
    }
    /* jsonb (and errors): one subscript at a time, innermost first. */
    sql_expr *args[2];
    if (s->is_slice) {
        sql_bind_error(q->b, s->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "jsonb subscript does not support slices");
        return NULL;
    }
    args[0] = nsub == 1 ? base : sql_bind_expr(q, s->arg);
    if (args[0] == NULL || (args[1] = sql_bind_expr(q, s->lower)) == NULL) return NULL;
    if (sql_type_elem_of(args[0]->type_oid) == 0 && args[0]->type_oid != SQL_T_JSONB) {
        sql_bind_error(q->b, s->hdr.location, SQLSTATE_DATATYPE_MISMATCH,
                       "cannot subscript type %s because it does not support subscripting",
                       sql_type_name(args[0]->type_oid));
        return NULL;
    }
    return sql_bind_call(q, "array_subscript", false, args, 2, s->hdr.location);
}

static sql_expr *sql_bind_sqlvalue(sql_qlevel *q, const sql_sqlvalue *v) {
    static const char *funcs[] = {"", "current_date", "current_time", "now", "localtime",
                                  "localtimestamp", "current_user", "current_user",
                                  "session_user", "current_user", "current_database",
                                  "current_schema"};
    return sql_bind_call(q, funcs[v->value_kind], false, NULL, 0, v->hdr.location);
}

/* ---- dispatch ---- */

static sql_expr *sql_bind_expr_kind(sql_qlevel *q, const sql_node *n) {
    switch (SQL_NODE_KIND(n)) {
    case SQL_N_CONST: return sql_bind_const(q, (const sql_const *)n);
    case SQL_N_PARAM: return sql_bind_param(q, (const sql_param *)n);
    case SQL_N_COLUMNREF: return sql_bind_columnref(q, (const sql_columnref *)n);
    case SQL_N_OP: return sql_bind_op(q, (const sql_opexpr *)n);
    case SQL_N_BOOL: return sql_bind_bool(q, (const sql_bool *)n);
    case SQL_N_FUNC: return sql_bind_func(q, (const sql_func *)n);
    case SQL_N_CAST: return sql_bind_cast(q, (const sql_cast *)n);
    case SQL_N_CASE: return sql_bind_case(q, (const sql_case *)n);
    case SQL_N_SPECIAL: return sql_bind_special(q, (const sql_special *)n);
    case SQL_N_NULLTEST: return sql_bind_nulltest(q, (const sql_nulltest *)n);
    case SQL_N_BOOLTEST: return sql_bind_booltest(q, (const sql_booltest *)n);
    case SQL_N_DISTINCT: return sql_bind_distinct(q, (const sql_distinct *)n);
    case SQL_N_IN_LIST: return sql_bind_in_list(q, (const sql_in_list *)n);
    case SQL_N_BETWEEN: return sql_bind_between(q, (const sql_between *)n);
    case SQL_N_LIKE: return sql_bind_like(q, (const sql_like *)n);
    case SQL_N_SUBLINK: return sql_bind_sublink(q, (const sql_sublink *)n);
    case SQL_N_ANY_ALL: return sql_bind_any_all(q, (const sql_any_all *)n);
    case SQL_N_ARRAY: return sql_bind_array(q, (const sql_array *)n, 0);
    case SQL_N_SUBSCRIPT: return sql_bind_subscript(q, (const sql_subscript *)n);
    case SQL_N_SQLVALUE: return sql_bind_sqlvalue(q, (const sql_sqlvalue *)n);
    case SQL_N_COLLATE: return sql_bind_expr(q, ((const sql_collate *)n)->arg);
    case SQL_N_DEFAULT:
        sql_bind_fail(q, n->location, SQLSTATE_SYNTAX_ERROR,
                      "DEFAULT is not allowed in this context");
        return NULL;
    case SQL_N_STAR: return sql_bind_star_value(q, (const sql_star *)n);
    case SQL_N_ROW: return sql_bind_row_value(q, (const sql_row *)n);
    case SQL_N_FIELD: return sql_bind_field(q, (const sql_field *)n);
    case SQL_N_GROUPING: return sql_bind_grouping_func(q, (const sql_grouping *)n);
    default:
        sql_bind_fail(q, n->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "this kind of expression is not supported");
        return NULL;
    }
}

sql_expr *sql_bind_expr(sql_qlevel *q, const sql_node *n) {
    if (rt_err_is_set(q->b->bc->err) || !sql_bind_stack_ok(q->b)) return NULL;
    sql_expr *e = sql_bind_expr_kind(q, n);
    if (e != NULL && e->location == UINT32_MAX) e->location = n->location;
    if (e == NULL && !rt_err_is_set(q->b->bc->err)) sql_bind_oom(q->b);
    return e;
}

sql_expr *sql_bind_expr_as(sql_qlevel *q, const sql_node *n, uint32_t type, int32_t typmod,
                           sql_cast_context ctx, const char *what) {
    /* Only a cast lends ARRAY[...] its element type (ARRAY['1']::int[]); in an assignment
     * ARRAY['1'] is text[], as in PostgreSQL. */
    sql_expr *e = SQL_NODE_KIND(n) == SQL_N_ARRAY
                      ? sql_bind_array(q, (const sql_array *)n,
                                       ctx == SQL_CAST_EXPLICIT ? type : 0)
                      : sql_bind_expr(q, n);
    if (e == NULL) return NULL;
    return sql_bind_coerce(q, e, type, typmod, ctx, n->location, what);
}

/* ---- names ---- */

/* A cast names its column after its type unless its argument gives a strong name
 * (PostgreSQL's FigureColname): a column, a function and the like are strong, CASE and a cast
 * of something nameless are weak, a constant has none. */
static const char *sql_bind_colname_weak(const sql_node *n, bool *weak) {
    *weak = false;
    switch (SQL_NODE_KIND(n)) {
    case SQL_N_COLUMNREF: {
        const sql_name *nm = &((const sql_columnref *)n)->name;
        return nm->parts[nm->count - 1];
    }
    case SQL_N_FUNC: {
        const sql_name *nm = &((const sql_func *)n)->name;
        return nm->parts[nm->count - 1];
    }
    case SQL_N_CAST: {
        const sql_cast *c = (const sql_cast *)n;
        bool inner_weak;
        const char *inner = sql_bind_colname_weak(c->arg, &inner_weak);
        if (!inner_weak && strcmp(inner, "?column?") != 0) return inner;
        *weak = true;
        return c->type->name.parts[c->type->name.count - 1];
    }
    case SQL_N_CASE:
        *weak = true;
        return "case";
    case SQL_N_SPECIAL: {
        static const char *names[] = {"?column?", "coalesce", "nullif", "greatest", "least"};
        return names[((const sql_special *)n)->special_kind];
    }
    case SQL_N_ARRAY: return "array";
    case SQL_N_ROW: return "row";
    case SQL_N_SUBLINK: {
        const sql_sublink *s = (const sql_sublink *)n;
        if (s->sublink_kind == SQL_SUBLINK_EXISTS) return "exists";
        if (s->sublink_kind == SQL_SUBLINK_ARRAY) return "array";
        if (s->sublink_kind == SQL_SUBLINK_EXPR && s->subquery->targets.count == 1) {
            const sql_target *t = SQL_LIST_AT(s->subquery->targets, 0);
            return t->alias != NULL ? t->alias : sql_bind_colname(t->expr);
        }
        return "?column?";
    }
    case SQL_N_SQLVALUE: {
        static const char *names[] = {"?column?", "current_date", "current_time",
                                      "current_timestamp", "localtime", "localtimestamp",
                                      "current_role", "current_user", "session_user", "user",
                                      "current_catalog", "current_schema"};
        return names[((const sql_sqlvalue *)n)->value_kind];
    }
    case SQL_N_COLLATE: return sql_bind_colname_weak(((const sql_collate *)n)->arg, weak);
    case SQL_N_GROUPING: return "grouping";
    case SQL_N_FIELD: { /* (x).f names its column f */
        const char *f = ((const sql_field *)n)->field;
        return f != NULL ? f : "?column?";
    }
    default: return "?column?";
    }
}

const char *sql_bind_colname(const sql_node *n) {
    bool weak;
    return sql_bind_colname_weak(n, &weak);
}

/* ---- structural helpers ---- */

bool sql_expr_equal(const sql_expr *a, const sql_expr *b) {
    if (a == b) return true;
    if (a == NULL || b == NULL || a->kind != b->kind || a->type_oid != b->type_oid ||
        a->nargs != b->nargs) {
        return false;
    }
    switch (a->kind) {
    case SQL_X_CONST:
        if (a->constval.is_null != b->constval.is_null) return false;
        if (a->constval.is_null) return true;
        if (a->type_oid == SQL_T_UNKNOWN) {
            return a->constval.b.len == b->constval.b.len &&
                   memcmp(a->constval.b.ptr, b->constval.b.ptr, a->constval.b.len) == 0;
        }
        return sql_type_for_values(a->type_oid) != NULL &&
               sql_type_for_values(a->type_oid)->cmp != NULL &&
               sql_value_cmp(&a->constval, &b->constval) == 0;
    case SQL_X_PARAM: return a->param == b->param;
    case SQL_X_COLUMN: case SQL_X_OUTER:
        return a->column.index == b->column.index && a->column.depth == b->column.depth;
    case SQL_X_FUNC: if (a->func.def != b->func.def) return false; break;
    case SQL_X_AGGREF: case SQL_X_WINDOWREF: return a->aggref.index == b->aggref.index;
    case SQL_X_SUBQUERY: return false;
    case SQL_X_NULLTEST: case SQL_X_DISTINCT: case SQL_X_IN_LIST:
        if (a->test.is_not != b->test.is_not) return false;
        break;
    case SQL_X_BOOLTEST:
        if (a->booltest.test != b->booltest.test || a->booltest.is_not != b->booltest.is_not) {
            return false;
        }
        break;
    case SQL_X_MINMAX: if (a->minmax.greatest != b->minmax.greatest) return false; break;
    case SQL_X_COERCE: if (a->typmod != b->typmod) return false; break;
    case SQL_X_FIELD: if (a->field.index != b->field.index) return false; break;
    case SQL_X_ROW:
        for (uint32_t i = 0; i < a->nargs; i++) {
            const char *x = a->row.names != NULL ? a->row.names[i] : NULL;
            const char *y = b->row.names != NULL ? b->row.names[i] : NULL;
            if ((x == NULL) != (y == NULL) || (x != NULL && strcmp(x, y) != 0)) return false;
        }
        break;
    case SQL_X_DOMAIN: if (a->domain.info->oid != b->domain.info->oid) return false; break;
    case SQL_X_ANY_ALL:
        if (a->anyall.op != b->anyall.op || a->anyall.is_all != b->anyall.is_all) return false;
        break;
    default: break;
    }
    for (uint32_t i = 0; i < a->nargs; i++) {
        if (!sql_expr_equal(a->args[i], b->args[i])) return false;
    }
    return true;
}

sql_expr *sql_expr_remap(rt_arena *arena, const sql_expr *e, const uint32_t *map,
                         uint32_t map_len) {
    sql_expr *c = sql_expr_copy_node(arena, e);
    if (c == NULL) return NULL;
    if (e->kind == SQL_X_COLUMN) {
        if (e->column.index >= map_len || map[e->column.index] == UINT32_MAX) return NULL;
        c->column.index = map[e->column.index];
        return c;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((c->args[i] = sql_expr_remap(arena, e->args[i], map, map_len)) == NULL) return NULL;
    }
    return c;
}

bool sql_expr_walk(const sql_expr *e, bool (*fn)(const sql_expr *e, void *arg), void *arg) {
    if (e == NULL) return true;
    if (!fn(e, arg)) return false;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!sql_expr_walk(e->args[i], fn, arg)) return false;
    }
    return true;
}
