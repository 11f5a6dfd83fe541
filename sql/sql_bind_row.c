/* sql_bind_row.c: row constructors in comparisons, expanded column by column as PostgreSQL
 * does:
 *   (a, b) = (c, d)          a = c AND b = d
 *   (a, b) <> (c, d)         a <> c OR b <> d
 *   (a, b) < (c, d)          a < c OR (a = c AND b < d): the first unequal pair decides, and a
 *                            NULL in that pair makes the result NULL (<=, >, >= alike);
 *   ROW(a, b) IS [NOT] NULL  every field IS [NOT] NULL;
 *   r IS [NOT] DISTINCT FROM s   any pair distinct (none distinct).
 * Rows elsewhere (a composite value in the select list) are not supported yet (0A000). */
#include <string.h>

#include "sql/sql_bind_int.h"

static sql_expr *sql_row_bool(sql_qlevel *q, sql_expr_kind kind, sql_expr *a, sql_expr *b) {
    if (a == NULL || b == NULL) return NULL;
    sql_expr *e = sql_expr_new(q->b->arena, kind, SQL_T_BOOL, 2);
    if (e == NULL) return NULL;
    e->args[0] = a;
    e->args[1] = b;
    return e;
}

static sql_expr *sql_row_pair(sql_qlevel *q, const char *op, const sql_node *l,
                              const sql_node *r, uint32_t loc) {
    sql_expr *two[2];
    if ((two[0] = sql_bind_expr(q, l)) == NULL || (two[1] = sql_bind_expr(q, r)) == NULL) {
        return NULL;
    }
    sql_expr *e = sql_bind_call(q, op, true, two, 2, loc);
    if (e != NULL && e->type_oid != SQL_T_BOOL) {
        sql_bind_error(q->b, loc, SQLSTATE_DATATYPE_MISMATCH, "row comparison operator must "
                       "yield type boolean, not type %s", sql_type_name(e->type_oid));
        return NULL;
    }
    return e;
}

static bool sql_row_sizes(sql_qlevel *q, const sql_row *l, const sql_row *r, uint32_t loc) {
    if (l->args.count == r->args.count) return true;
    return sql_bind_error(q->b, loc, SQLSTATE_SYNTAX_ERROR,
                          "unequal number of entries in row expressions");
}

/* a < c OR (a = c AND <the rest>), built from the last pair outward. */
static sql_expr *sql_row_order(sql_qlevel *q, const char *op, const sql_row *l, const sql_row *r,
                               uint32_t loc) {
    uint32_t n = l->args.count;
    sql_expr *acc = sql_row_pair(q, op, SQL_LIST_AT(l->args, n - 1),
                                 SQL_LIST_AT(r->args, n - 1), loc);
    char strict[2] = {op[0], '\0'}; /* <= decides earlier pairs by < */
    for (uint32_t i = n - 1; i-- > 0 && acc != NULL;) {
        const sql_node *a = SQL_LIST_AT(l->args, i), *b = SQL_LIST_AT(r->args, i);
        sql_expr *lt = sql_row_pair(q, strict, a, b, loc);
        sql_expr *eq = lt != NULL ? sql_row_pair(q, "=", a, b, loc) : NULL;
        acc = sql_row_bool(q, SQL_X_OR, lt, sql_row_bool(q, SQL_X_AND, eq, acc));
    }
    return acc;
}

sql_expr *sql_bind_row_compare(sql_qlevel *q, const char *op, const sql_row *l,
                               const sql_row *r, uint32_t loc) {
    if (!sql_row_sizes(q, l, r, loc)) return NULL;
    if (l->args.count == 0) {
        sql_bind_error(q->b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "cannot compare rows of zero length");
        return NULL;
    }
    bool ne = strcmp(op, "<>") == 0 || strcmp(op, "!=") == 0;
    if (strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
        strcmp(op, ">=") == 0) {
        return sql_row_order(q, op, l, r, loc);
    }
    if (!ne && strcmp(op, "=") != 0) {
        sql_bind_error(q->b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "could not determine interpretation of row comparison operator %s", op);
        return NULL;
    }
    sql_expr *e = sql_expr_new(q->b->arena, ne ? SQL_X_OR : SQL_X_AND, SQL_T_BOOL,
                               l->args.count);
    if (e == NULL) return NULL;
    for (uint32_t i = 0; i < l->args.count; i++) {
        e->args[i] = sql_row_pair(q, ne ? "<>" : "=", SQL_LIST_AT(l->args, i),
                                  SQL_LIST_AT(r->args, i), loc);
        if (e->args[i] == NULL) return NULL;
    }
    return e;
}

sql_expr *sql_bind_row_nulltest(sql_qlevel *q, const sql_row *row, bool is_not) {
    if (row->args.count == 0) { /* ROW() IS [NOT] NULL: true, as no field is anything */
        sql_value v = {.type_oid = SQL_T_UNKNOWN, .b = {(const uint8_t *)"t", 1}};
        sql_expr *t = sql_expr_const(q->b->arena, &v, -1);
        return sql_bind_coerce(q, t, SQL_T_BOOL, -1, SQL_CAST_IMPLICIT, UINT32_MAX, NULL);
    }
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_AND, SQL_T_BOOL, row->args.count);
    if (e == NULL) return NULL;
    for (uint32_t i = 0; i < row->args.count; i++) {
        sql_expr *t = sql_expr_new(q->b->arena, SQL_X_NULLTEST, SQL_T_BOOL, 1);
        if (t == NULL || (t->args[0] = sql_bind_expr(q, SQL_LIST_AT(row->args, i))) == NULL) {
            return NULL;
        }
        t->test.is_not = is_not;
        e->args[i] = t;
    }
    return e;
}

sql_expr *sql_bind_row_distinct(sql_qlevel *q, const sql_row *l, const sql_row *r, bool is_not,
                                uint32_t loc) {
    if (!sql_row_sizes(q, l, r, loc) || l->args.count == 0) {
        if (l->args.count == 0 && !rt_err_is_set(q->b->bc->err)) {
            sql_bind_error(q->b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "cannot compare rows of zero length");
        }
        return NULL;
    }
    sql_expr *e = sql_expr_new(q->b->arena, is_not ? SQL_X_AND : SQL_X_OR, SQL_T_BOOL,
                               l->args.count);
    if (e == NULL) return NULL;
    for (uint32_t i = 0; i < l->args.count; i++) {
        sql_expr *d = sql_expr_new(q->b->arena, SQL_X_DISTINCT, SQL_T_BOOL, 2);
        if (d == NULL || (d->args[0] = sql_bind_expr(q, SQL_LIST_AT(l->args, i))) == NULL ||
            (d->args[1] = sql_bind_expr(q, SQL_LIST_AT(r->args, i))) == NULL) {
            return NULL;
        }
        uint32_t type;
        int32_t typmod;
        if (!sql_bind_unify(q, d->args, 2, "IS DISTINCT FROM", loc, &type, &typmod)) {
            return NULL;
        }
        d->test.is_not = is_not;
        e->args[i] = d;
    }
    return e;
}

/* (a, b) op ANY / ALL (SELECT x, y ...): each pair is resolved as `a op x` with the subquery
 * column as a typed placeholder (as a one-column IN is), and the row result combines the pairs
 * as the row comparison above does: = is every pair equal, <> any pair differing. The ordering
 * operators compare rows lexicographically; that is not built for subqueries (0A000). */
sql_expr *sql_bind_row_sublink(sql_qlevel *q, const sql_sublink *s, const sql_row *row,
                               sql_plan *plan, bool correlated) {
    sql_binder *b = q->b;
    uint32_t n = row->args.count, loc = s->hdr.location;
    if (plan->ncols != n) {
        sql_bind_error(b, loc, SQLSTATE_SYNTAX_ERROR, plan->ncols > n
                       ? "subquery has too many columns" : "subquery has too few columns");
        return NULL;
    }
    const char *op = s->op != NULL ? s->op : "=";
    bool ne = strcmp(op, "<>") == 0 || strcmp(op, "!=") == 0;
    if (!ne && strcmp(op, "=") != 0) {
        sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "row comparison with %s against a subquery is not supported yet", op);
        return NULL;
    }
    sql_expr *e = sql_expr_new(b->arena, SQL_X_SUBQUERY, SQL_T_BOOL, n);
    const sql_func_def **ops = rt_arena_alloc(b->arena, sizeof *ops * n);
    if (e == NULL || ops == NULL) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *two[2] = {sql_bind_expr(q, SQL_LIST_AT(row->args, i)),
                            sql_expr_new(b->arena, SQL_X_CONST, plan->cols[i].type_oid, 0)};
        if (two[0] == NULL || two[1] == NULL) return NULL;
        two[1]->constval = (sql_value){.type_oid = plan->cols[i].type_oid, .is_null = true};
        sql_expr *cmp = sql_bind_call(q, op, true, two, 2, loc);
        if (cmp == NULL) return NULL;
        if (cmp->type_oid != SQL_T_BOOL) {
            sql_bind_error(b, loc, SQLSTATE_DATATYPE_MISMATCH, "row comparison operator must "
                           "yield type boolean, not type %s", sql_type_name(cmp->type_oid));
            return NULL;
        }
        if (cmp->kind != SQL_X_FUNC || cmp->args[1]->kind != SQL_X_CONST) {
            sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "a subquery whose column needs a cast for %s is not supported yet", op);
            return NULL;
        }
        ops[i] = cmp->func.def;
        e->args[i] = cmp->args[0];
    }
    e->location = loc;
    e->sub.plan = plan;
    e->sub.correlated = correlated;
    e->sub.id = b->nsubqueries++;
    e->sub.kind = s->sublink_kind == SQL_SUBLINK_ALL ? SQL_SUB_ALL : SQL_SUB_ANY;
    e->sub.op = ops[0];
    e->sub.row_ops = ops;
    e->sub.row_or = ne;
    return e;
}
