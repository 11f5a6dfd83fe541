/* sql_bind_row.c: row constructors in comparisons, expanded column by column as PostgreSQL
 * does:
 *   (a, b) = (c, d)          a = c AND b = d
 *   (a, b) <> (c, d)         a <> c OR b <> d
 *   (a, b) < (c, d)          a < c OR (a = c AND b < d): the first unequal pair decides, and a
 *                            NULL in that pair makes the result NULL (<=, >, >= alike);
 *   ROW(a, b) IS [NOT] NULL  every field IS [NOT] NULL;
 *   r IS [NOT] DISTINCT FROM s   any pair distinct (none distinct);
 *   (a, b) op (SELECT ...) and op ANY / ALL (SELECT ...)  the same, pair by pair, at run time.
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

/* Puts `col` where the placeholder `ph` is in `e` (a cast the operator applied to it). */
static bool sql_row_sub_replace(sql_expr *e, const sql_expr *ph, sql_expr *col) {
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (e->args[i] == ph) {
            e->args[i] = col;
            return true;
        }
        if (e->args[i] != NULL && sql_row_sub_replace(e->args[i], ph, col)) return true;
    }
    return false;
}

/* `left op <subquery column i>`, the column standing in as a typed placeholder. Returns the
 * operator; *left is the left side as the operator takes it, *col the column as it does
 * (column i itself, or a cast of it the caller projects over the subquery). */
static const sql_func_def *sql_row_sub_op(sql_qlevel *q, const char *op, sql_expr **left,
                                          uint32_t type, int32_t typmod, uint32_t i,
                                          uint32_t loc, sql_expr **col) {
    sql_binder *b = q->b;
    sql_expr *ph = sql_expr_new(b->arena, SQL_X_CONST, type, 0);
    if (ph == NULL) return NULL;
    ph->typmod = typmod;
    ph->constval = (sql_value){.type_oid = type, .is_null = true};
    sql_expr *two[2] = {*left, ph};
    sql_expr *cmp = sql_bind_call(q, op, true, two, 2, loc);
    if (cmp == NULL) return NULL;
    if (cmp->type_oid != SQL_T_BOOL) {
        sql_bind_error(b, loc, SQLSTATE_DATATYPE_MISMATCH, "row comparison operator must "
                       "yield type boolean, not type %s", sql_type_name(cmp->type_oid));
        return NULL;
    }
    if (cmp->kind != SQL_X_FUNC || cmp->nargs != 2) {
        sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "row comparison with %s against a subquery is not supported yet", op);
        return NULL;
    }
    *left = cmp->args[0];
    *col = sql_expr_column(b->arena, i, type, typmod);
    if (*col == NULL) return NULL;
    if (cmp->args[1] != ph) { /* the operator casts the column: the projection does */
        if (!sql_row_sub_replace(cmp->args[1], ph, *col)) {
            sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "row comparison with %s against a subquery is not supported yet",
                           op);
            return NULL;
        }
        *col = cmp->args[1];
    }
    return cmp->func.def;
}

/* A projection over the subquery computing `cols` (casts of its columns), when one is a cast. */
static sql_plan *sql_row_sub_project(sql_binder *b, sql_plan *plan, sql_expr **cols) {
    bool cast = false;
    for (uint32_t i = 0; i < plan->ncols; i++) cast |= cols[i]->kind != SQL_X_COLUMN;
    if (!cast) return plan;
    sql_plan *proj = sql_plan_new(b->arena, SQL_P_PROJECT, plan->ncols);
    if (proj == NULL) return NULL;
    proj->left = plan;
    proj->project.exprs = cols;
    proj->est_rows = plan->est_rows;
    for (uint32_t i = 0; i < plan->ncols; i++) {
        proj->cols[i] = (sql_col){.name = plan->cols[i].name, .type_oid = cols[i]->type_oid,
                                  .typmod = cols[i]->typmod};
    }
    return proj;
}

/* Binds the pairs of a row against a subquery: ops[i] (`op`, or its strict form for an
 * ordering), eq_ops[i] (= after it, for an ordering; NULL otherwise), e->args[i] the left
 * sides; *plan gets a projection when the operators cast subquery columns. */
static bool sql_row_sub_pairs(sql_qlevel *q, const sql_row *row, const char *op, bool order,
                              sql_plan **plan, sql_expr *e, const sql_func_def **ops,
                              const sql_func_def **eq_ops, uint32_t loc) {
    sql_binder *b = q->b;
    uint32_t n = row->args.count;
    sql_expr **cols = rt_arena_alloc(b->arena, sizeof *cols * (n + 1u));
    if (cols == NULL) return false;
    char strict[2] = {op[0], '\0'}; /* <= decides an unequal pair by < */
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *left = sql_bind_expr(q, SQL_LIST_AT(row->args, i));
        if (left == NULL) return false;
        const sql_col *c = &(*plan)->cols[i];
        sql_expr *l0 = left, *c0;
        if (order && op[1] == '=' && /* a missing <= is reported as such, not as < */
            sql_row_sub_op(q, op, &l0, c->type_oid, c->typmod, i, loc, &c0) == NULL) {
            return false;
        }
        ops[i] = sql_row_sub_op(q, order ? strict : op, &left, c->type_oid, c->typmod, i, loc,
                                &cols[i]);
        if (ops[i] == NULL) return false;
        if (order) {
            sql_expr *l2 = left, *c2;
            eq_ops[i] = sql_row_sub_op(q, "=", &l2, cols[i]->type_oid, cols[i]->typmod, i,
                                       loc, &c2);
            if (eq_ops[i] == NULL) return false;
            if (l2 != left || c2->kind != SQL_X_COLUMN) {
                sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED, "row comparison with "
                               "%s against a subquery is not supported yet", op);
                return false;
            }
        }
        e->args[i] = left;
    }
    *plan = sql_row_sub_project(b, *plan, cols);
    return *plan != NULL;
}

/* (a, b) op ANY / ALL (SELECT x, y ...), and (a, b) op (SELECT x, y ...) (a row comparison
 * against the subquery's one row): each pair is resolved as `a op x` with the subquery column as
 * a typed placeholder (as a one-column IN is; a cast the operator needs on the column becomes a
 * projection over the subquery), and the row result combines the pairs as the row comparison
 * above does: = is every pair equal, <> any pair differing, and <, <=, >, >= compare the rows
 * lexicographically (the first unequal pair decides; a NULL before it makes the result NULL). */
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
    bool order = strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
                 strcmp(op, ">=") == 0;
    sql_expr *e = sql_expr_new(b->arena, SQL_X_SUBQUERY, SQL_T_BOOL, n);
    const sql_func_def **ops = rt_arena_alloc(b->arena, sizeof *ops * n);
    const sql_func_def **eq_ops = rt_arena_zalloc(b->arena, sizeof *eq_ops * n);
    if (e == NULL || ops == NULL || eq_ops == NULL) return NULL;
    if (!sql_row_sub_pairs(q, row, op, order, &plan, e, ops, eq_ops, loc)) return NULL;
    if (!ne && !order && strcmp(op, "=") != 0) {
        sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "could not determine interpretation of row comparison operator %s", op);
        return NULL;
    }
    e->location = loc;
    e->sub.plan = plan;
    e->sub.correlated = correlated;
    e->sub.id = b->nsubqueries++;
    e->sub.kind = s->sublink_kind == SQL_SUBLINK_ALL   ? SQL_SUB_ALL
                  : s->sublink_kind == SQL_SUBLINK_EXPR ? SQL_SUB_ROWCMP : SQL_SUB_ANY;
    e->sub.op = ops[0];
    e->sub.row_ops = ops;
    e->sub.row_or = ne;
    e->sub.row_order = order ? (op[1] == '=' ? 2 : 1) : 0;
    e->sub.row_eq_ops = order ? eq_ops : NULL;
    return e;
}
