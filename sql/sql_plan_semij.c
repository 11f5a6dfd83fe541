/* sql_plan_semij.c: EXISTS, NOT EXISTS and IN (= ANY) subqueries of a filter as semi- and
 * anti-joins, as PostgreSQL's pull_up_sublinks converts them (convert_EXISTS_sublink_to_join,
 * convert_ANY_sublink_to_join).
 * A conjunct `EXISTS (SELECT ... FROM body WHERE w)` of a FILTER over `child` becomes
 * child SEMI JOIN FILTER(body, w's conjuncts that do not read the outer row) ON w's conjuncts
 * that do (outer columns then read the join's left side); `NOT EXISTS` an ANTI JOIN. Taken as
 * PostgreSQL takes it: only a correlated subquery without aggregation, grouping, window
 * functions, set-returning targets, OFFSET, CTEs or row locks whose correlation is only in its
 * WHERE (DISTINCT, ORDER BY, the targets and a constant positive LIMIT drop out) and whose
 * WHERE calls nothing volatile.
 * `x IN (SELECT y ...)` (and `(x1, x2) IN (SELECT y1, y2 ...)`, any `op ANY`) becomes
 * child SEMI JOIN (the subquery) ON x op y when the subquery does not read the outer row and
 * the tested expressions read the filter's row. NOT IN stays a subquery, as in PostgreSQL 15
 * (its NULL semantics are not an anti-join's).
 * The joins go above the filter's other conjuncts, in the written order, under a projection
 * of the filter's columns (a semi-join's row is its left row). sql_opt_join then plans each:
 * a hash join on the equality conditions, EXPLAIN's "Hash Semi Join" / "Hash Anti Join".
 * A filter over a locking read (FOR UPDATE / SHARE) keeps its subqueries, so the scan still
 * locks only the rows they pass.
 * The join order search (sql_plan_ojorder.c) then moves them among the inner and outer joins
 * below as PostgreSQL's join_is_legal allows.
 * A semi-join hash join all of whose conditions are hash keys runs as an inner join over its
 * inner side made unique on those keys (PostgreSQL's unique-ified inner path, a HashAggregate)
 * when the left side is a table read the keys look up by index and the distinct keys are few
 * (sql_opt_index_join's rule): a small IN list drives index lookups into a large table
 * instead of reading it whole (sql_opt_semi_unique).
 * Not done: a unique-ified inner side joined to other relations before the semi-join's left
 * side (PostgreSQL's JOIN_UNIQUE_INNER anywhere in the join order search). */
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"

/* What an expression of a subquery reads of the rows around it. */
typedef struct sql_semij_refs {
    bool outer;       /* a column of the enclosing row (SQL_X_OUTER depth 1) */
    bool outer_deep;  /* a column further out (depth > 1) */
    bool subquery;    /* a subquery of its own */
    bool correlated;  /* a subquery that reads some enclosing row */
    bool volatile_fn;
} sql_semij_refs;

static bool sql_semij_refs_fn(const sql_expr *e, void *arg) {
    sql_semij_refs *r = arg;
    if (e->kind == SQL_X_OUTER) {
        if (e->column.depth == 1) r->outer = true;
        else r->outer_deep = true;
    } else if (e->kind == SQL_X_SUBQUERY) {
        r->subquery = true;
        r->correlated |= e->sub.correlated;
    } else if (e->kind == SQL_X_FUNC && e->func.def != NULL &&
               (e->func.def->flags & SQL_F_VOLATILE)) {
        r->volatile_fn = true;
    }
    return true;
}

static sql_semij_refs sql_semij_refs_of(const sql_expr *e) {
    sql_semij_refs r = {0};
    sql_expr_walk(e, sql_semij_refs_fn, &r);
    return r;
}

/* Whether `e` reads no enclosing row (directly or through a subquery of its own). */
static bool sql_semij_local(const sql_expr *e) {
    sql_semij_refs r = sql_semij_refs_of(e);
    return !r.outer && !r.outer_deep && !r.correlated;
}

static bool sql_semij_local_list(sql_expr *const *list, uint32_t n) {
    for (uint32_t i = 0; list != NULL && i < n; i++) {
        if (!sql_semij_local(list[i])) return false;
    }
    return true;
}

/* Whether the FROM part of a subquery (below its WHERE) reads no enclosing row and is made
 * only of nodes a join's inner side may be: plain table reads (no row locks), joins that are
 * not LATERAL, filters, projections, functions and VALUES. */
static bool sql_semij_body_ok(const sql_plan *p) {
    switch (p->kind) {
    case SQL_P_SCAN:
        return p->scan.lock_strength == 0 && sql_semij_local(p->scan.filter);
    case SQL_P_FILTER:
        return sql_semij_local(p->filter.pred) && sql_semij_body_ok(p->left);
    case SQL_P_PROJECT:
        return sql_semij_local_list(p->project.exprs, p->ncols) && sql_semij_body_ok(p->left);
    case SQL_P_NESTLOOP:
        return !p->join.lateral && !p->join.semi && !p->join.anti &&
               sql_semij_local(p->join.quals) && sql_semij_body_ok(p->left) &&
               sql_semij_body_ok(p->right);
    case SQL_P_FUNCSCAN: return sql_semij_local_list(p->func.args, p->func.nargs);
    case SQL_P_VALUES:
        for (uint32_t r = 0; r < p->values.nrows; r++) {
            if (!sql_semij_local_list(p->values.rows[r], p->ncols)) return false;
        }
        return true;
    case SQL_P_RESULT: return true;
    default: return false;
    }
}

/* The WHERE filter of an EXISTS subquery's plan, past what EXISTS ignores (the targets,
 * DISTINCT, ORDER BY, a constant positive LIMIT: PostgreSQL's simplify_EXISTS_query); NULL
 * when there is something else on the way. */
static sql_plan *sql_semij_exists_where(sql_plan *p) {
    for (;;) {
        switch (p->kind) {
        case SQL_P_PROJECT: case SQL_P_DISTINCT: break;
        case SQL_P_SORT:
            if (p->sort.limit != NULL || p->sort.offset != NULL) return NULL;
            break;
        case SQL_P_LIMIT: {
            const sql_expr *l = p->limit.limit;
            /* LIMIT n: the constant under the binder's cast to bigint */
            if (l != NULL && l->kind == SQL_X_FUNC && l->nargs == 1 && l->func.def != NULL &&
                strcmp(l->func.def->name, "cast") == 0) {
                l = l->args[0];
            }
            if (p->limit.offset != NULL || l == NULL || l->kind != SQL_X_CONST ||
                l->constval.is_null || !sql_is_int_type(l->type_oid) || l->constval.i64 <= 0) {
                return NULL;
            }
            break;
        }
        case SQL_P_FILTER: return p;
        default: return NULL;
        }
        p = p->left;
    }
}

/* A copy of `e` (a conjunct of the subquery's WHERE) over the join's row: the subquery's own
 * columns follow the nleft columns of the enclosing row, which its outer references read. */
static sql_expr *sql_semij_lift(sql_opt *o, const sql_expr *e, uint32_t nleft) {
    sql_expr *c = sql_expr_copy_node(o->arena, e);
    if (c == NULL) return sql_opt_oom(o);
    if (e->kind == SQL_X_COLUMN) {
        c->column.index = nleft + e->column.index;
    } else if (e->kind == SQL_X_OUTER) {
        RT_ASSERT(e->column.depth == 1);
        RT_ASSERT(e->column.index < nleft);
        c->kind = SQL_X_COLUMN;
        c->column.depth = 0;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((c->args[i] = sql_semij_lift(o, e->args[i], nleft)) == NULL) return NULL;
    }
    return c;
}

/* A semi- (or anti-) join of `left` and `right` on `quals`, to be planned by sql_opt_join. */
static sql_plan *sql_semij_join(sql_opt *o, sql_plan *left, sql_plan *right, sql_expr *quals,
                                bool anti) {
    double rows = left->est_rows / 2 + 1;
    sql_plan *j = sql_opt_join_pair(o, left, right, SQL_JOIN_INNER, rows);
    if (j == NULL) return NULL;
    j->join.ordered = false;
    j->join.semi = !anti;
    j->join.anti = anti;
    j->join.quals = quals;
    return j;
}

/* EXISTS (sub) / NOT EXISTS (sub) over `left` as a join, or `left` itself when PostgreSQL
 * would keep it a subquery. */
static sql_plan *sql_semij_exists(sql_opt *o, sql_plan *left, const sql_expr *e, bool anti) {
    if (e->sub.outer_map != NULL || !e->sub.correlated) return left;
    sql_plan *where = sql_semij_exists_where(e->sub.plan);
    if (where == NULL || !sql_semij_body_ok(where->left)) return left;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX], *local[SQL_PLAN_CONJUNCTS_MAX];
    sql_expr *quals[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(where->filter.pred, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t nlocal = 0, nquals = 0;
    for (uint32_t i = 0; i < n; i++) {
        sql_semij_refs r = sql_semij_refs_of(conj[i]);
        if (r.outer_deep || r.volatile_fn) return left;
        if (!r.outer && !r.correlated) {
            local[nlocal++] = conj[i];
            continue;
        }
        if (r.subquery) return left; /* a subquery reading the outer row stays a subquery */
        if ((quals[nquals] = sql_semij_lift(o, conj[i], left->ncols)) == NULL) return NULL;
        nquals++;
    }
    if (nquals == 0) return left; /* uncorrelated WHERE: an InitPlan in PostgreSQL */
    sql_plan *right = where->left;
    if (nlocal > 0) {
        sql_plan *f = sql_plan_new(o->arena, SQL_P_FILTER, right->ncols);
        if (f == NULL) return sql_opt_oom(o);
        memcpy(f->cols, right->cols, sizeof(sql_col) * right->ncols);
        f->left = right;
        f->est_rows = where->est_rows;
        if ((f->filter.pred = sql_opt_and(o, local, nlocal)) == NULL) return NULL;
        right = f;
    }
    sql_expr *q = sql_opt_and(o, quals, nquals);
    return q != NULL ? sql_semij_join(o, left, right, q, anti) : NULL;
}

/* x op ANY (sub) over `left` as a semi-join, or `left` itself when PostgreSQL would keep it a
 * subquery. */
static sql_plan *sql_semij_any(sql_opt *o, sql_plan *left, const sql_expr *e) {
    if (e->sub.outer_map != NULL || e->sub.correlated || e->nargs == 0) return left;
    if (e->sub.row_ops != NULL && (e->sub.row_or || e->sub.row_order != 0)) return left;
    if (e->sub.row_ops == NULL && (e->nargs != 1 || e->sub.op == NULL)) return left;
    sql_plan *right = e->sub.plan;
    if (right->ncols != e->nargs) return left;
    bool reads_row = false;
    for (uint32_t k = 0; k < e->nargs; k++) {
        sql_semij_refs r = sql_semij_refs_of(e->args[k]);
        if (r.outer || r.outer_deep || r.subquery || r.volatile_fn) return left;
        reads_row |= sql_expr_info_of(e->args[k]).min_col != UINT32_MAX;
    }
    if (!reads_row) return left; /* not a join: PostgreSQL keeps it a (hashed) SubPlan */
    sql_expr *quals[SQL_PLAN_CONJUNCTS_MAX];
    if (e->nargs > SQL_PLAN_CONJUNCTS_MAX) return left;
    uint32_t nl = left->ncols;
    for (uint32_t k = 0; k < e->nargs; k++) {
        sql_expr *c = sql_expr_new(o->arena, SQL_X_FUNC, SQL_T_BOOL, 2);
        sql_expr *v = sql_expr_column(o->arena, nl + k, right->cols[k].type_oid,
                                      right->cols[k].typmod);
        if (c == NULL || v == NULL) return sql_opt_oom(o);
        c->typmod = -1;
        c->location = UINT32_MAX;
        c->func.def = e->sub.row_ops != NULL ? e->sub.row_ops[k] : e->sub.op;
        c->args[0] = e->args[k];
        c->args[1] = v;
        quals[k] = c;
    }
    sql_expr *q = sql_opt_and(o, quals, e->nargs);
    return q != NULL ? sql_semij_join(o, left, right, q, false) : NULL;
}

/* The inner side of semi-join j made unique on its hash keys: HashAggregate over a projection
 * of them. */
static sql_plan *sql_semij_unique_keys(sql_opt *o, const sql_plan *j) {
    uint32_t nk = j->join.nkeys;
    sql_plan *p = sql_plan_new(o->arena, SQL_P_PROJECT, nk);
    sql_plan *d = sql_plan_new(o->arena, SQL_P_DISTINCT, nk);
    if (p == NULL || d == NULL) return sql_opt_oom(o);
    for (uint32_t k = 0; k < nk; k++) {
        const sql_expr *rk = j->join.right_keys[k];
        p->cols[k] = (sql_col){.name = "?column?", .type_oid = rk->type_oid, .typmod = rk->typmod};
        if (rk->kind == SQL_X_COLUMN) p->cols[k] = j->right->cols[rk->column.index];
    }
    p->project.exprs = j->join.right_keys;
    p->left = j->right;
    p->est_rows = j->right->est_rows;
    memcpy(d->cols, p->cols, sizeof(sql_col) * nk);
    d->left = p;
    d->est_rows = p->est_rows;
    return d;
}

sql_plan *sql_opt_semi_unique(sql_opt *o, sql_plan *j) {
    RT_ASSERT(j->join.semi);
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX], *quals[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
    /* Every condition a key (PostgreSQL's semi_can_hash), one per conjunct in order. */
    if (j->kind != SQL_P_HASHJOIN || j->join.merge || j->join.nulls_equal != 0 ||
        j->join.nkeys != n || sql_side_scan(j->left) == NULL) {
        return j;
    }
    uint32_t nl = j->left->ncols, nk = n;
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (nl + 1u));
    sql_plan *u = sql_semij_unique_keys(o, j);
    if (map == NULL || u == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < nl; i++) map[i] = nk + i;
    for (uint32_t k = 0; k < nk; k++) { /* left key = inner key, over (unique keys ++ left) */
        int side = sql_conj_side(conj[k]->args[0], nl);
        RT_ASSERT(conj[k]->nargs == 2 && side != SQL_SIDE_BOTH);
        uint32_t l = side == SQL_SIDE_LEFT ? 0 : 1;
        quals[k] = sql_expr_new(o->arena, SQL_X_FUNC, SQL_T_BOOL, 2);
        if (quals[k] == NULL) return sql_opt_oom(o);
        sql_expr **args = quals[k]->args;
        *quals[k] = *conj[k];
        quals[k]->args = args;
        args[l] = sql_expr_remap(o->arena, conj[k]->args[l], map, nl);
        args[1 - l] = sql_expr_column(o->arena, k, u->cols[k].type_oid, u->cols[k].typmod);
        if (args[0] == NULL || args[1] == NULL) return sql_opt_oom(o);
    }
    sql_plan *ij = sql_opt_join_pair(o, u, j->left, SQL_JOIN_INNER, j->est_rows);
    if (ij == NULL || (ij->join.quals = sql_opt_and(o, quals, nk)) == NULL) return NULL;
    if (!sql_opt_hash_keys(o, ij)) return NULL;
    if (ij->kind != SQL_P_HASHJOIN || ij->join.nkeys != nk) return j;
    sql_plan *r = sql_opt_index_join(o, ij);
    if (r == NULL) return NULL;
    if (r->join.strategy != SQL_JOIN_INDEX) return j;
    /* Back to the semi-join's columns: the left row, NULLs for the inner side's. */
    uint32_t *back = rt_arena_zalloc(o->arena, sizeof(uint32_t) * (j->ncols + 1u));
    if (back == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < nl; i++) back[i] = nk + i;
    sql_plan *p = sql_opt_project_to(o, r, j, back);
    if (p == NULL || !sql_opt_project_nulls(o, p, nl, j->ncols - nl)) return NULL;
    p->est_rows = j->est_rows;
    return p;
}

bool sql_opt_project_nulls(sql_opt *o, sql_plan *proj, uint32_t first, uint32_t n) {
    RT_ASSERT(proj->kind == SQL_P_PROJECT && first + n <= proj->ncols);
    for (uint32_t c = first; c < first + n; c++) {
        sql_value v = {.type_oid = proj->cols[c].type_oid, .is_null = true};
        proj->project.exprs[c] = sql_expr_const(o->arena, &v, proj->cols[c].typmod);
        if (proj->project.exprs[c] == NULL) return sql_opt_oom(o);
    }
    return true;
}

/* `left` under a projection of its first n columns. */
static sql_plan *sql_semij_project(sql_opt *o, sql_plan *left, uint32_t n) {
    sql_plan *p = sql_plan_new(o->arena, SQL_P_PROJECT, n);
    sql_expr **exprs = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (n + 1u));
    if (p == NULL || exprs == NULL) return sql_opt_oom(o);
    memcpy(p->cols, left->cols, sizeof(sql_col) * n);
    for (uint32_t i = 0; i < n; i++) {
        exprs[i] = sql_expr_column(o->arena, i, left->cols[i].type_oid, left->cols[i].typmod);
        if (exprs[i] == NULL) return sql_opt_oom(o);
    }
    p->project.exprs = exprs;
    p->left = left;
    p->est_rows = left->est_rows;
    return p;
}

/* Whether p reads a table with row locks (FOR UPDATE / SHARE). */
static bool sql_semij_locks(const sql_plan *p) {
    if (p == NULL) return false;
    if (p->kind == SQL_P_SCAN && p->scan.lock_strength != 0) return true;
    return sql_semij_locks(p->left) || sql_semij_locks(p->right);
}

sql_plan *sql_opt_semijoins(sql_opt *o, sql_plan *f) {
    RT_ASSERT(f->kind == SQL_P_FILTER);
    /* A locking read locks the rows its filter passes, below the joins: the subqueries stay
       in that filter so no row they reject is locked. */
    if (sql_semij_locks(f->left)) return f;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(f->filter.pred, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t keep = 0;
    sql_plan *left = f->left, *top = NULL;
    /* The other conjuncts filter the rows first: joins go above a FILTER of them. */
    sql_plan *base = sql_plan_new(o->arena, SQL_P_FILTER, f->ncols);
    if (base == NULL) return sql_opt_oom(o);
    *base = *f;
    for (uint32_t i = 0; i < n; i++) {
        const sql_expr *e = conj[i];
        bool anti = e->kind == SQL_X_NOT && e->nargs == 1 &&
                    e->args[0]->kind == SQL_X_SUBQUERY && e->args[0]->sub.kind == SQL_SUB_EXISTS;
        if (anti) e = e->args[0];
        sql_plan *j = top != NULL ? top : base;
        sql_plan *r = j;
        if (e->kind == SQL_X_SUBQUERY && e->sub.kind == SQL_SUB_EXISTS) {
            r = sql_semij_exists(o, j, e, anti);
        } else if (e->kind == SQL_X_SUBQUERY && e->sub.kind == SQL_SUB_ANY) {
            r = sql_semij_any(o, j, e);
        }
        if (r == NULL) return NULL;
        if (r == j) {
            conj[keep++] = conj[i];
        } else {
            top = r;
        }
    }
    if (top == NULL) return f;
    /* The bottom join's left side: the filter of the conjuncts that stayed, or its input. */
    sql_plan *j = top;
    while (j->left != base) j = j->left;
    if (keep == 0) j->left = left;
    else if ((base->filter.pred = sql_opt_and(o, conj, keep)) == NULL) return NULL;
    return sql_semij_project(o, top, f->ncols);
}
