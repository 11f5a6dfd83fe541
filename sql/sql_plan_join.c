/* sql_plan_join.c: the order of inner joins, chosen by estimated cost.
 * The optimiser (sql_plan.c) flattens a tree of inner and cross joins into relations (each with
 * its estimated rows after its own filters) and predicates (each with the set of relations it
 * refers to and its selectivity); this file picks the join tree:
 *   - up to SQL_JOIN_DP_RELS_MAX relations, dynamic programming over every subset (bushy trees
 *     included): the cheapest plan of a set is the cheapest split of it into two cheapest
 *     plans;
 *   - beyond, greedily: repeatedly join the two partial trees whose join is cheapest.
 * Cost model (in rows touched, the unit the executor spends time on):
 *   rows(S)      = product of the relations' rows * product of the selectivities of the
 *                  predicates inside S;
 *   hash join    = rows(probe) + SQL_JOIN_BUILD_WEIGHT * rows(build) + rows(out), when an
 *                  equality predicate connects the two sides; the build side is the right;
 *   nested loop  = rows(left) * rows(right) + rows(out) otherwise (a cross product).
 * Ties keep the written order (the first relation on the left), so equal estimates give the
 * plans the query spells. */
#include <math.h>
#include <string.h>

#include "sql/sql_plan_int.h"

/* Building a hash table costs more per row than probing it (allocation, copying the row). */
#define SQL_JOIN_BUILD_WEIGHT 2.0

typedef struct sql_jo {
    const double *rows;
    uint32_t nrels;
    const sql_join_pred *preds;
    uint32_t npreds;
} sql_jo;

/* Estimated rows of the join of the relations in `set`. */
static double sql_jo_rows(const sql_jo *jo, uint32_t set) {
    double rows = 1;
    for (uint32_t r = 0; r < jo->nrels; r++) {
        if (set & (1u << r)) rows *= jo->rows[r];
    }
    for (uint32_t i = 0; i < jo->npreds; i++) {
        uint32_t m = jo->preds[i].rels;
        if ((m & set) == m && (m & (m - 1)) != 0) rows *= jo->preds[i].selectivity;
    }
    return rows < 1 ? 1 : rows;
}

/* Whether an equality predicate joins a row of `l` to a row of `r` (a hash join can run). */
static bool sql_jo_equi(const sql_jo *jo, uint32_t l, uint32_t r) {
    for (uint32_t i = 0; i < jo->npreds; i++) {
        uint32_t m = jo->preds[i].rels;
        if (jo->preds[i].equi && (m & (l | r)) == m && (m & l) && (m & r)) return true;
    }
    return false;
}

/* Cost of joining the (already planned) sides, output rows `out`. */
static double sql_jo_join_cost(const sql_jo *jo, uint32_t l, double lrows, uint32_t r,
                               double rrows, double out) {
    if (sql_jo_equi(jo, l, r)) return lrows + SQL_JOIN_BUILD_WEIGHT * rrows + out;
    return lrows * rrows + out;
}

static uint32_t sql_jo_add(sql_join_tree *t, uint32_t set, int32_t left, int32_t right,
                           double rows, double cost) {
    uint32_t i = t->nnodes++;
    t->nodes[i] = (sql_join_node){.set = set, .left = left, .right = right, .rows = rows,
                                  .cost = cost};
    return i;
}

/* Exhaustive: best[set] for every subset, in increasing order of the set (a subset is
 * always smaller than its superset, so its plan is ready). */
static bool sql_jo_dp(const sql_jo *jo, rt_arena *arena, sql_join_tree *t) {
    uint32_t n = jo->nrels, full = (1u << n) - 1u;
    double *cost = rt_arena_alloc(arena, sizeof(double) * (full + 1u));
    double *rows = rt_arena_alloc(arena, sizeof(double) * (full + 1u));
    uint32_t *split = rt_arena_alloc(arena, sizeof(uint32_t) * (full + 1u));
    if (cost == NULL || rows == NULL || split == NULL) return false;
    for (uint32_t s = 1; s <= full; s++) {
        rows[s] = sql_jo_rows(jo, s);
        split[s] = 0;
        if ((s & (s - 1)) == 0) { /* one relation */
            cost[s] = 0;
            continue;
        }
        cost[s] = INFINITY;
        for (uint32_t l = (s - 1) & s; l != 0; l = (l - 1) & s) {
            uint32_t r = s & ~l;
            double c = cost[l] + cost[r] + sql_jo_join_cost(jo, l, rows[l], r, rows[r], rows[s]);
            /* On a tie the right (build) side that starts later in the written order wins. */
            bool better = c < cost[s] ||
                          (c == cost[s] && __builtin_ctz(r) > __builtin_ctz(s & ~split[s]));
            if (better) {
                cost[s] = c;
                split[s] = l;
            }
        }
    }
    /* Emit the chosen tree bottom-up: leaves are nodes 0..n-1. */
    uint32_t stack[2 * SQL_JOIN_RELS_MAX], todo[2 * SQL_JOIN_RELS_MAX], nstack = 0, ntodo = 0;
    int32_t built[2 * SQL_JOIN_RELS_MAX];
    todo[ntodo++] = full;
    while (ntodo > 0) { /* pre-order, right first, so that popping gives post-order */
        uint32_t s = todo[--ntodo];
        stack[nstack++] = s;
        if ((s & (s - 1)) == 0) continue;
        todo[ntodo++] = split[s];
        todo[ntodo++] = s & ~split[s];
    }
    uint32_t nbuilt = 0;
    uint32_t sets[2 * SQL_JOIN_RELS_MAX];
    while (nstack > 0) {
        uint32_t s = stack[--nstack];
        int32_t node;
        if ((s & (s - 1)) == 0) {
            node = (int32_t)__builtin_ctz(s);
        } else {
            int32_t l = -1, r = -1;
            for (uint32_t i = 0; i < nbuilt; i++) {
                if (sets[i] == split[s]) l = built[i];
                if (sets[i] == (s & ~split[s])) r = built[i];
            }
            RT_ASSERT(l >= 0 && r >= 0);
            node = (int32_t)sql_jo_add(t, s, l, r, rows[s], cost[s]);
        }
        sets[nbuilt] = s;
        built[nbuilt++] = node;
    }
    return true;
}

/* Greedy: join the cheapest pair of partial trees until one is left. */
static void sql_jo_greedy(const sql_jo *jo, sql_join_tree *t) {
    uint32_t live[SQL_JOIN_RELS_MAX], nlive = jo->nrels;
    for (uint32_t i = 0; i < nlive; i++) live[i] = i;
    while (nlive > 1) {
        double best = INFINITY;
        uint32_t bi = 0, bj = 1;
        for (uint32_t i = 0; i < nlive; i++) {
            for (uint32_t j = 0; j < nlive; j++) {
                if (i == j) continue;
                const sql_join_node *a = &t->nodes[live[i]], *b = &t->nodes[live[j]];
                double out = sql_jo_rows(jo, a->set | b->set);
                double c = a->cost + b->cost +
                           sql_jo_join_cost(jo, a->set, a->rows, b->set, b->rows, out);
                if (c < best) {
                    best = c;
                    bi = i;
                    bj = j;
                }
            }
        }
        const sql_join_node *a = &t->nodes[live[bi]], *b = &t->nodes[live[bj]];
        uint32_t set = a->set | b->set;
        uint32_t node = sql_jo_add(t, set, (int32_t)live[bi], (int32_t)live[bj],
                                   sql_jo_rows(jo, set), best);
        live[bi < bj ? bi : bj] = node;
        live[bi < bj ? bj : bi] = live[--nlive];
    }
}

bool sql_join_order(rt_arena *arena, const double *rows, uint32_t nrels,
                    const sql_join_pred *preds, uint32_t npreds, sql_join_tree *out,
                    rt_err *err) {
    RT_ASSERT(nrels >= 1 && nrels <= SQL_JOIN_RELS_MAX);
    sql_jo jo = {.rows = rows, .nrels = nrels, .preds = preds, .npreds = npreds};
    out->nnodes = 0;
    for (uint32_t r = 0; r < nrels; r++) {
        sql_jo_add(out, 1u << r, -1, -1, rows[r] < 1 ? 1 : rows[r], 0);
    }
    if (nrels <= SQL_JOIN_DP_RELS_MAX) {
        if (!sql_jo_dp(&jo, arena, out)) return rt_arena_fail(arena, err);
    } else {
        sql_jo_greedy(&jo, out);
    }
    RT_ASSERT(out->nnodes == 2 * nrels - 1);
    return true;
}
