/* sql_plan_prune.c: column pruning over a whole optimised plan, so that scans read, and
 * fragments send, only the columns some expression above them uses.
 * prune(p, need) rebuilds p so that its output keeps (at least) the needed columns, in their
 * order, and returns the map old index -> new index (UINT32_MAX: dropped); NULL means the
 * layout did not change. Expressions above are remapped through that map.
 * A layout that a subquery may read through SQL_X_OUTER (the input of any node whose own
 * expressions contain a subquery) is never changed: those nodes ask for every input column,
 * which every node answers with its layout unchanged. Set operations, DISTINCT, CTEs, window
 * functions and data modification also keep their inputs whole. Subquery plans and CTE bodies
 * are pruned on their own (sql_plan_optimize calls sql_plan_prune for each). */
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"

typedef struct sql_prune {
    rt_arena *arena;
    rt_err *err;
} sql_prune;

static bool sql_prune_node(sql_prune *pr, sql_plan **pp, const bool *need, uint32_t **map);

static bool sql_prune_oom(sql_prune *pr) {
    if (!rt_err_is_set(pr->err)) rt_arena_fail(pr->arena, pr->err);
    return false;
}

typedef struct sql_prune_use {
    bool *used;
    uint32_t n;
    uint32_t offset;         /* column index `offset` is used[0] */
    bool subquery;
} sql_prune_use;

static bool sql_prune_use_fn(const sql_expr *e, void *arg) {
    sql_prune_use *u = arg;
    if (e->kind == SQL_X_SUBQUERY) u->subquery = true;
    if (e->kind == SQL_X_COLUMN && e->column.index >= u->offset &&
        e->column.index - u->offset < u->n) {
        u->used[e->column.index - u->offset] = true;
    }
    return true;
}

/* Marks the columns [offset, offset + n) that `e` uses; true if it holds a subquery. */
static bool sql_prune_mark(const sql_expr *e, bool *used, uint32_t n, uint32_t offset) {
    sql_prune_use u = {.used = used, .n = n, .offset = offset};
    sql_expr_walk(e, sql_prune_use_fn, &u);
    return u.subquery;
}

static bool *sql_prune_all(sql_prune *pr, uint32_t n) {
    bool *all = rt_arena_alloc(pr->arena, n + 1u);
    if (all == NULL) return NULL;
    memset(all, 1, n + 1u);
    return all;
}

/* A fresh copy of e with columns mapped (map NULL: a plain reference to e). */
static bool sql_prune_remap(sql_prune *pr, sql_expr **e, const uint32_t *map, uint32_t n) {
    if (*e == NULL || map == NULL) return true;
    sql_expr *r = sql_expr_remap(pr->arena, *e, map, n);
    if (r == NULL) return sql_prune_oom(pr);
    *e = r;
    return true;
}

/* A copy of the list with every expression remapped (lists may be shared between nodes). */
static bool sql_prune_remap_list(sql_prune *pr, sql_expr ***list, uint32_t count,
                                 const uint32_t *map, uint32_t n) {
    if (map == NULL || *list == NULL || count == 0) return true;
    sql_expr **copy = rt_arena_alloc(pr->arena, sizeof(sql_expr *) * count);
    if (copy == NULL) return sql_prune_oom(pr);
    for (uint32_t i = 0; i < count; i++) {
        copy[i] = (*list)[i];
        if (!sql_prune_remap(pr, &copy[i], map, n)) return false;
    }
    *list = copy;
    return true;
}

/* SCAN / PKGET: read only what is needed and what the filter uses (at least one column). */
static bool sql_prune_scan(sql_prune *pr, sql_plan *p, const bool *need, uint32_t **map) {
    uint32_t natts = p->scan.natts;
    bool *keep = rt_arena_alloc(pr->arena, natts + 1u);
    if (keep == NULL) return sql_prune_oom(pr);
    for (uint32_t c = 0; c < natts; c++) keep[c] = need[c];
    if (sql_prune_mark(p->scan.filter, keep, natts, 0)) return true;
    uint32_t kept = 0;
    for (uint32_t c = 0; c < natts; c++) kept += keep[c];
    if (kept == natts || natts == 0 || p->scan.want_slots) return true;
    if (kept == 0) keep[0] = true, kept = 1;
    uint32_t *m = rt_arena_alloc(pr->arena, sizeof(uint32_t) * natts);
    uint16_t *attnums = rt_arena_alloc(pr->arena, sizeof(uint16_t) * (kept + 1u));
    sql_col *cols = rt_arena_zalloc(pr->arena, sizeof(sql_col) * (kept + 1u));
    if (m == NULL || attnums == NULL || cols == NULL) return sql_prune_oom(pr);
    uint32_t k = 0;
    for (uint32_t c = 0; c < natts; c++) {
        m[c] = keep[c] ? k : UINT32_MAX;
        if (!keep[c]) continue;
        attnums[k] = p->scan.attnums[c];
        cols[k++] = p->cols[c];
    }
    if (!sql_prune_remap(pr, &p->scan.filter, m, natts)) return false;
    p->scan.attnums = attnums;
    p->scan.natts = kept;
    p->cols = cols;
    p->ncols = kept;
    *map = m;
    return true;
}

/* PROJECT: keep the needed outputs (at least one: a row without columns is still a row);
 * the input gives what they use. */
static bool sql_prune_project(sql_prune *pr, sql_plan *p, const bool *need, uint32_t **map) {
    uint32_t nin = p->left->ncols, nout = p->ncols;
    bool *in_need = rt_arena_zalloc(pr->arena, nin + 1u);
    bool *keep = rt_arena_zalloc(pr->arena, nout + 1u);
    if (in_need == NULL || keep == NULL) return sql_prune_oom(pr);
    uint32_t kept = 0;
    for (uint32_t c = 0; c < nout; c++) kept += keep[c] = need[c];
    if (kept == 0 && nout > 0) keep[0] = true, kept = 1;
    bool sub = false;
    for (uint32_t c = 0; c < nout; c++) {
        if (keep[c]) sub |= sql_prune_mark(p->project.exprs[c], in_need, nin, 0);
    }
    if (sub) memset(in_need, 1, nin);
    uint32_t *in_map = NULL;
    if (!sql_prune_node(pr, &p->left, in_need, &in_map)) return false;
    if (kept == nout && in_map == NULL) return true;
    sql_expr **exprs = rt_arena_alloc(pr->arena, sizeof(sql_expr *) * (kept + 1u));
    sql_col *cols = rt_arena_zalloc(pr->arena, sizeof(sql_col) * (kept + 1u));
    uint32_t *m = rt_arena_alloc(pr->arena, sizeof(uint32_t) * (nout + 1u));
    if (exprs == NULL || cols == NULL || m == NULL) return sql_prune_oom(pr);
    uint32_t k = 0;
    for (uint32_t c = 0; c < nout; c++) {
        m[c] = keep[c] ? k : UINT32_MAX;
        if (!keep[c]) continue;
        exprs[k] = p->project.exprs[c];
        if (!sql_prune_remap(pr, &exprs[k], in_map, nin)) return false;
        cols[k++] = p->cols[c];
    }
    p->project.exprs = exprs;
    p->cols = cols;
    p->ncols = kept;
    *map = m;
    return true;
}

/* The combined map of a join's output from its sides' maps (NULL: unchanged). */
static uint32_t *sql_prune_join_map(sql_prune *pr, const uint32_t *lmap, uint32_t nl,
                                    const uint32_t *rmap, uint32_t nr, uint32_t new_nl) {
    uint32_t *m = rt_arena_alloc(pr->arena, sizeof(uint32_t) * (nl + nr + 1u));
    if (m == NULL) return NULL;
    for (uint32_t i = 0; i < nl; i++) m[i] = lmap != NULL ? lmap[i] : i;
    for (uint32_t i = 0; i < nr; i++) {
        uint32_t r = rmap != NULL ? rmap[i] : i;
        m[nl + i] = r == UINT32_MAX ? UINT32_MAX : new_nl + r;
    }
    return m;
}

static bool sql_prune_join(sql_prune *pr, sql_plan *p, const bool *need, uint32_t **map) {
    uint32_t nl = p->left->ncols, nr = p->right->ncols;
    bool *ln = rt_arena_zalloc(pr->arena, nl + 1u), *rn = rt_arena_zalloc(pr->arena, nr + 1u);
    if (ln == NULL || rn == NULL) return sql_prune_oom(pr);
    for (uint32_t i = 0; i < nl; i++) ln[i] = need[i];
    for (uint32_t i = 0; i < nr; i++) rn[i] = need[nl + i];
    bool sub = sql_prune_mark(p->join.quals, ln, nl, 0);
    sub |= sql_prune_mark(p->join.quals, rn, nr, nl);
    for (uint32_t k = 0; k < p->join.nkeys; k++) {
        sub |= sql_prune_mark(p->join.left_keys[k], ln, nl, 0);
        sub |= sql_prune_mark(p->join.right_keys[k], rn, nr, 0);
    }
    if (sub) {
        memset(ln, 1, nl);
        memset(rn, 1, nr);
    }
    if (p->join.lateral) memset(ln, 1, nl); /* the right side reads the left row by position */
    uint32_t *lmap = NULL, *rmap = NULL;
    if (!sql_prune_node(pr, &p->left, ln, &lmap) || !sql_prune_node(pr, &p->right, rn, &rmap)) {
        return false;
    }
    if (lmap == NULL && rmap == NULL) return true;
    uint32_t new_nl = p->left->ncols, new_nr = p->right->ncols;
    uint32_t *m = sql_prune_join_map(pr, lmap, nl, rmap, nr, new_nl);
    sql_col *cols = rt_arena_zalloc(pr->arena, sizeof(sql_col) * (new_nl + new_nr + 1u));
    if (m == NULL || cols == NULL) return sql_prune_oom(pr);
    if (!sql_prune_remap(pr, &p->join.quals, m, nl + nr) ||
        !sql_prune_remap_list(pr, &p->join.left_keys, p->join.nkeys, lmap, nl) ||
        !sql_prune_remap_list(pr, &p->join.right_keys, p->join.nkeys, rmap, nr)) {
        return false;
    }
    memcpy(cols, p->left->cols, sizeof(sql_col) * new_nl);
    memcpy(cols + new_nl, p->right->cols, sizeof(sql_col) * new_nr);
    p->cols = cols;
    p->ncols = new_nl + new_nr;
    *map = m;
    return true;
}

/* AGG: its output stays; its input gives what groups and aggregates read. */
static bool sql_prune_agg(sql_prune *pr, sql_plan *p) {
    uint32_t nin = p->left->ncols;
    bool *in = rt_arena_zalloc(pr->arena, nin + 1u);
    if (in == NULL) return sql_prune_oom(pr);
    bool sub = p->agg.mode == SQL_AGG_FINAL; /* the partial states: all of them */
    for (uint32_t g = 0; g < p->agg.ngroup; g++) {
        sub |= sql_prune_mark(p->agg.group[g], in, nin, 0);
    }
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *c = &p->agg.aggs[a];
        for (uint32_t i = 0; i < c->nargs; i++) sub |= sql_prune_mark(c->args[i], in, nin, 0);
        sub |= sql_prune_mark(c->filter, in, nin, 0);
        for (uint32_t k = 0; k < c->norder; k++) {
            sub |= sql_prune_mark(c->order[k].expr, in, nin, 0);
        }
    }
    if (sub) memset(in, 1, nin);
    uint32_t *m = NULL;
    if (!sql_prune_node(pr, &p->left, in, &m)) return false;
    if (m == NULL) return true;
    if (!sql_prune_remap_list(pr, &p->agg.group, p->agg.ngroup, m, nin)) return false;
    sql_agg_call *aggs = rt_arena_alloc(pr->arena, sizeof(sql_agg_call) * (p->agg.naggs + 1u));
    if (aggs == NULL) return sql_prune_oom(pr);
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        aggs[a] = p->agg.aggs[a];
        if (!sql_prune_remap_list(pr, &aggs[a].args, aggs[a].nargs, m, nin) ||
            !sql_prune_remap(pr, &aggs[a].filter, m, nin)) {
            return false;
        }
        if (aggs[a].norder == 0) continue;
        sql_sort_key *order = rt_arena_alloc(pr->arena, sizeof(sql_sort_key) * aggs[a].norder);
        if (order == NULL) return sql_prune_oom(pr);
        memcpy(order, aggs[a].order, sizeof(sql_sort_key) * aggs[a].norder);
        for (uint32_t k = 0; k < aggs[a].norder; k++) {
            if (!sql_prune_remap(pr, &order[k].expr, m, nin)) return false;
        }
        aggs[a].order = order;
    }
    p->agg.aggs = aggs;
    return true;
}

/* The sort keys a SORT orders by, or a LIMIT ... WITH TIES compares on. */
static sql_sort_key **sql_prune_keys(sql_plan *p, uint32_t *nkeys) {
    *nkeys = 0;
    if (p->kind == SQL_P_SORT) return *nkeys = p->sort.nkeys, &p->sort.keys;
    if (p->kind == SQL_P_LIMIT) return *nkeys = p->limit.nties, &p->limit.ties;
    return NULL;
}

/* Nodes whose output is their input's layout (FILTER, SORT, LIMIT, GATHER): the input gives
 * what is needed plus what the node itself reads. */
static bool sql_prune_passthrough(sql_prune *pr, sql_plan *p, const bool *need,
                                  uint32_t **map) {
    uint32_t n = p->left->ncols, nkeys;
    sql_sort_key **keysp = sql_prune_keys(p, &nkeys);
    bool *in = rt_arena_alloc(pr->arena, n + 1u);
    if (in == NULL) return sql_prune_oom(pr);
    for (uint32_t c = 0; c < n; c++) in[c] = c < p->ncols ? need[c] : true;
    bool sub = false;
    if (p->kind == SQL_P_FILTER) sub |= sql_prune_mark(p->filter.pred, in, n, 0);
    if (p->kind == SQL_P_GATHER) sub |= sql_prune_mark(p->gather.share_key, in, n, 0);
    for (uint32_t k = 0; k < nkeys; k++) sub |= sql_prune_mark((*keysp)[k].expr, in, n, 0);
    if (sub) memset(in, 1, n);
    uint32_t *m = NULL;
    if (!sql_prune_node(pr, &p->left, in, &m)) return false;
    if (m == NULL) return true;
    if (p->kind == SQL_P_FILTER && !sql_prune_remap(pr, &p->filter.pred, m, n)) return false;
    if (p->kind == SQL_P_GATHER && !sql_prune_remap(pr, &p->gather.share_key, m, n)) {
        return false;
    }
    if (nkeys > 0) { /* a copy: a LIMIT's keys are its SORT's */
        sql_sort_key *keys = rt_arena_alloc(pr->arena, sizeof(sql_sort_key) * (nkeys + 1u));
        if (keys == NULL) return sql_prune_oom(pr);
        memcpy(keys, *keysp, sizeof(sql_sort_key) * nkeys);
        for (uint32_t k = 0; k < nkeys; k++) {
            if (!sql_prune_remap(pr, &keys[k].expr, m, n)) return false;
        }
        *keysp = keys;
    }
    p->cols = p->left->cols;
    p->ncols = p->left->ncols;
    *map = m;
    return true;
}

/* Everything else keeps its layout and reads all of its inputs. */
static bool sql_prune_whole(sql_prune *pr, sql_plan *p) {
    if (p->kind == SQL_P_MATERIAL) return true; /* a shared CTE body, pruned on its own */
    if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            bool *all = sql_prune_all(pr, p->append.inputs[i]->ncols);
            uint32_t *m = NULL;
            if (all == NULL) return sql_prune_oom(pr);
            if (!sql_prune_node(pr, &p->append.inputs[i], all, &m)) return false;
        }
        return true;
    }
    sql_plan **kids[2] = {&p->left, &p->right};
    for (uint32_t i = 0; i < 2; i++) {
        if (*kids[i] == NULL) continue;
        bool *all = sql_prune_all(pr, (*kids[i])->ncols);
        uint32_t *m = NULL;
        if (all == NULL) return sql_prune_oom(pr);
        if (!sql_prune_node(pr, kids[i], all, &m)) return false;
    }
    return true;
}

static bool sql_prune_node(sql_prune *pr, sql_plan **pp, const bool *need, uint32_t **map) {
    sql_plan *p = *pp;
    *map = NULL;
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN:
        return sql_prune_scan(pr, p, need, map);
    case SQL_P_PROJECT:
        if (p->left == NULL) return true;
        return sql_prune_project(pr, p, need, map);
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN: return sql_prune_join(pr, p, need, map);
    case SQL_P_AGG: return sql_prune_agg(pr, p);
    case SQL_P_FILTER: case SQL_P_SORT: case SQL_P_LIMIT:
        return sql_prune_passthrough(pr, p, need, map);
    case SQL_P_GATHER:
        if (p->gather.writes || p->left == NULL) return sql_prune_whole(pr, p);
        return sql_prune_passthrough(pr, p, need, map);
    default: return sql_prune_whole(pr, p);
    }
}

bool sql_plan_prune(rt_arena *arena, sql_plan *p, rt_err *err) {
    sql_prune pr = {.arena = arena, .err = err};
    bool *all = sql_prune_all(&pr, p->ncols);
    if (all == NULL) return sql_prune_oom(&pr);
    uint32_t *map = NULL;
    return sql_prune_node(&pr, &p, all, &map);
}
