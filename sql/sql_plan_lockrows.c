/* sql_plan_lockrows.c: where SELECT ... FOR UPDATE / SHARE locks its rows when a LIMIT cuts
 * them short.
 * A locking scan locks each row that passes its filter, which is what PostgreSQL does when
 * every such row is returned. Under a LIMIT PostgreSQL locks only the rows the LIMIT takes
 * (and those its OFFSET skips): its LockRows node sits between the Limit and the sort, and
 * pulls (and locks) one row at a time. So here: when a LIMIT sits over (PROJECT | SORT)* over
 * a GATHER of one locking scan, the scan stops locking and hands up each row's locator
 * (partition << 32 | slot) as its last column, the projections and the sort carry it, the
 * sort keeps every row (no top-k: a row SKIP LOCKED passes over, or one deleted meanwhile, is
 * replaced by the next), and a LOCKROWS node under the LIMIT locks rows in order on their
 * shards, stopping once LIMIT + OFFSET rows are locked (sql_exec_lockrows.c). The job queue's
 * `ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1` thus locks one row per worker.
 * Other shapes (joins, a filter the shards cannot evaluate, WITH TIES) keep locking in the
 * scan: every row that qualifies is locked, returned or not. */
#include <string.h>

#include "sql/sql_plan_int.h"

/* Nodes between a LIMIT and the GATHER it may take LOCKROWS under: sorts and projections
 * (which a row replaced by a newer version can go through again). */
#define SQL_LOCKROWS_CHAIN_MAX 8

/* The locking scan under `top` when the path from it is (PROJECT | SORT)* GATHER(scan);
 * chain[] gets the nodes from `top` down (not the GATHER). NULL otherwise. */
static sql_plan *sql_lockrows_find(sql_plan *top, sql_plan **chain, uint32_t *n) {
    sql_plan *p = top;
    *n = 0;
    while (p != NULL && (p->kind == SQL_P_SORT || p->kind == SQL_P_PROJECT)) {
        if (*n == SQL_LOCKROWS_CHAIN_MAX || p->left == NULL) return NULL;
        chain[(*n)++] = p;
        p = p->left;
    }
    if (p == NULL || p->kind != SQL_P_GATHER || !p->gather.writes || p->gather.merge_sorted) {
        return NULL;
    }
    sql_plan *scan = p->left;
    if (scan == NULL || (scan->kind != SQL_P_SCAN && scan->kind != SQL_P_PKGET) ||
        scan->scan.lock_strength == 0 || scan->scan.want_slots ||
        scan->ncols != scan->scan.natts) {
        return NULL;
    }
    chain[*n] = p; /* the GATHER, last */
    return scan;
}

/* `cols` plus the locator column. */
static sql_col *sql_lockrows_cols(rt_arena *arena, const sql_col *cols, uint32_t ncols) {
    sql_col *c = rt_arena_zalloc(arena, sizeof(sql_col) * (ncols + 1u));
    if (c == NULL) return NULL;
    memcpy(c, cols, sizeof(sql_col) * ncols);
    c[ncols] = (sql_col){.name = "?locator?", .type_oid = SQL_T_INT8, .typmod = -1};
    return c;
}

/* A PROJECT that also passes its input's last column (the locator) through, last. */
static bool sql_lockrows_project(rt_arena *arena, sql_plan *p) {
    sql_expr **exprs = rt_arena_alloc(arena, sizeof(sql_expr *) * (p->ncols + 1u));
    sql_col *cols = sql_lockrows_cols(arena, p->cols, p->ncols);
    sql_expr *loc = sql_expr_column(arena, p->left->ncols - 1u, SQL_T_INT8, -1);
    if (exprs == NULL || cols == NULL || loc == NULL) return false;
    memcpy(exprs, p->project.exprs, sizeof(sql_expr *) * p->ncols);
    exprs[p->ncols] = loc;
    p->project.exprs = exprs;
    p->cols = cols;
    p->ncols++;
    return true;
}

/* Rewrites the path under LIMIT `l` (scan: its locking scan; chain: the path, GATHER last). */
static bool sql_lockrows_rewrite(rt_arena *arena, sql_plan *l, sql_plan *scan, sql_plan **chain,
                                 uint32_t n) {
    sql_col *cols = sql_lockrows_cols(arena, scan->cols, scan->ncols);
    sql_plan *lr = sql_plan_new(arena, SQL_P_LOCKROWS, 0);
    sql_plan **projects = rt_arena_alloc(arena, sizeof(sql_plan *) * (n + 1u));
    if (cols == NULL || lr == NULL || projects == NULL) return false;
    lr->ncols = l->left->ncols;
    lr->cols = l->left->cols;
    lr->left = l->left;
    lr->est_rows = l->est_rows;
    scan->cols = cols;
    scan->ncols++;
    scan->scan.want_slots = true;
    scan->scan.lock_deferred = true;
    uint32_t np = 0;
    for (uint32_t i = n + 1; i-- > 0;) { /* bottom-up: the GATHER first */
        sql_plan *p = chain[i];
        if (p->kind == SQL_P_PROJECT) {
            if (!sql_lockrows_project(arena, p)) return false;
            projects[np++] = p;
            continue;
        }
        p->cols = p->left->cols; /* GATHER, SORT: their input's layout */
        p->ncols = p->left->ncols;
        if (p->kind == SQL_P_SORT) p->sort.limit = p->sort.offset = NULL;
    }
    lr->lockrows.scan = scan;
    lr->lockrows.projects = projects;
    lr->lockrows.nprojects = np;
    lr->lockrows.limit = l->limit.limit;
    lr->lockrows.offset = l->limit.offset;
    l->left = lr;
    return true;
}

bool sql_plan_lockrows(rt_arena *arena, sql_plan *p, rt_err *err) {
    if (p == NULL) return true;
    if (p->kind == SQL_P_LIMIT && p->limit.limit != NULL && !p->limit.with_ties) {
        sql_plan *chain[SQL_LOCKROWS_CHAIN_MAX + 1];
        uint32_t n;
        sql_plan *scan = sql_lockrows_find(p->left, chain, &n);
        if (scan != NULL) {
            if (!sql_lockrows_rewrite(arena, p, scan, chain, n)) return rt_arena_fail(arena, err);
            return true; /* nothing below locks rows any more */
        }
    }
    if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            if (!sql_plan_lockrows(arena, p->append.inputs[i], err)) return false;
        }
    }
    return sql_plan_lockrows(arena, p->left, err) && sql_plan_lockrows(arena, p->right, err);
}
