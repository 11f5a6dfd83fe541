/* sql_plan_join.c: the order of inner joins, chosen by estimated cost.
 * (A tree of up to SQL_JOIN_DP_RELS_MAX relations with LEFT or RIGHT joins among its inner
 * ones is ordered as a whole by sql_plan_ojorder.c before this runs; what follows serves the
 * rest.)
 * sql_opt_reorder() flattens a tree of inner and cross joins (not LATERAL, not outer: those
 * keep their order and are relations of their own; but an inner join over a LEFT or RIGHT
 * JOIN whose nullable side it does not read is first turned round by the outer-join identity,
 * sql_opt_outer_pullup(), so it joins the outer join's preserved side's tree; outer joins a
 * condition above reduces to inner ones were made so before, sql_plan_outer.c) into relations,
 * each planned with the conditions that refer to it alone (its estimated rows from table
 * statistics), and
 * predicates, each with the set of relations it refers to and its selectivity (an equality of
 * two columns: 1 / the larger distinct count); sql_join_order() picks the join tree:
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
 * plans the query spells. The tree is then built bottom-up: each join gets the conditions that
 * first become evaluable there (hashed when they can be), its strategy (sql_plan_dist.c), and
 * a PROJECT on top gives the columns back in the written order. */
#include <math.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

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

double sql_opt_join_cost(double lrows, double rrows, double out, bool equi) {
    return equi ? lrows + SQL_JOIN_BUILD_WEIGHT * rrows + out : lrows * rrows + out;
}

/* Cost of joining the (already planned) sides, output rows `out`. */
static double sql_jo_join_cost(const sql_jo *jo, uint32_t l, double lrows, uint32_t r,
                               double rrows, double out) {
    return sql_opt_join_cost(lrows, rrows, out, sql_jo_equi(jo, l, r));
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

/* ---- the optimiser's side: flatten, plan the relations, build the chosen tree ---- */

bool sql_is_reorderable(const sql_plan *p) {
    return p->kind == SQL_P_NESTLOOP && !p->join.lateral && !p->join.semi && !p->join.anti &&
           !p->join.ordered &&
           (p->join.join_type == SQL_JOIN_INNER || p->join.join_type == SQL_JOIN_CROSS);
}

/* ---- an outer join below an inner join ----
 * (L LEFT JOIN R ON p) JOIN D ON q  =  (L JOIN D ON q) LEFT JOIN R ON p  when q does not read
 * R (PostgreSQL's outer-join identity: the rows of L that D drops lose their R rows or NULLs
 * alike either way). Rewritten so, L's and D's inner joins form one tree whose order is
 * chosen by cost, the outer join applied above it; a PROJECT gives the written column order
 * back. The outer join may be on either side of the inner one (D JOIN (L LEFT JOIN R)), and
 * a RIGHT JOIN counts as the LEFT JOIN of its sides swapped (L RIGHT JOIN R: R preserved).
 * A condition of the inner join that reads R (a WHERE pushed into it: `r.x IS NULL`), or
 * that holds a subquery, keeps the written order. */

typedef struct sql_pullup_scan {
    uint32_t lo, hi;         /* R's columns in the inner join's row */
    bool blocked;
} sql_pullup_scan;

static bool sql_pullup_scan_fn(const sql_expr *e, void *arg) {
    sql_pullup_scan *ps = arg;
    if (e->kind == SQL_X_SUBQUERY) ps->blocked = true;
    if (e->kind == SQL_X_COLUMN && e->column.index >= ps->lo && e->column.index < ps->hi) {
        ps->blocked = true;
    }
    return !ps->blocked;
}

/* A NESTLOOP copied from `like` over left ++ right, its quals remapped through `map`. */
static sql_plan *sql_pullup_join(sql_opt *o, const sql_plan *like, sql_plan *left,
                                 sql_plan *right, const uint32_t *map, uint32_t map_len) {
    sql_plan *j = sql_plan_new(o->arena, SQL_P_NESTLOOP, left->ncols + right->ncols);
    if (j == NULL) return sql_opt_oom(o);
    sql_col *cols = j->cols;
    *j = *like;
    j->cols = cols;
    j->ncols = left->ncols + right->ncols;
    memcpy(cols, left->cols, sizeof(sql_col) * left->ncols);
    memcpy(cols + left->ncols, right->cols, sizeof(sql_col) * right->ncols);
    j->left = left;
    j->right = right;
    if (like->join.quals != NULL &&
        (j->join.quals = sql_expr_remap(o->arena, like->join.quals, map, map_len)) == NULL) {
        return sql_opt_oom(o);
    }
    return j;
}

/* Where the three inputs' columns sit: in the inner join's row (P, N and D in the order
 * written), in the new inner join's (P ++ D, or D ++ P when D was written first) and in the
 * new outer join's (that ++ N). */
typedef struct sql_pullup_at {
    uint32_t p, n, d;        /* first column in the written row */
    uint32_t np, nn, nd;
    uint32_t new_p, new_d;   /* in the new inner join's row; N follows it at np + nd */
} sql_pullup_at;

/* Maps `len` columns of a row whose P, N, D segments start at p, n, d (d UINT32_MAX: no D)
 * to their place in the new outer join's row; drop_n maps N's columns to UINT32_MAX. */
static uint32_t *sql_pullup_map(sql_opt *o, const sql_pullup_at *at, uint32_t len, uint32_t p,
                                uint32_t n, uint32_t d, bool drop_n) {
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (len + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < len; i++) map[i] = UINT32_MAX;
    for (uint32_t i = 0; i < at->np; i++) map[p + i] = at->new_p + i;
    for (uint32_t i = 0; i < at->nn && !drop_n; i++) map[n + i] = at->np + at->nd + i;
    for (uint32_t i = 0; i < at->nd && d != UINT32_MAX; i++) map[d + i] = at->new_d + i;
    return map;
}

/* The outer join below inner join j that may be pulled above it: a plain LEFT or RIGHT
 * NESTLOOP on either side (a RIGHT JOIN is a LEFT JOIN with its sides swapped). */
static sql_plan *sql_pullup_outer(const sql_plan *j, bool *on_left) {
    for (int side = 0; side < 2; side++) {
        sql_plan *x = side == 0 ? j->left : j->right;
        sql_plan *other = side == 0 ? j->right : j->left;
        bool plain = x->kind == SQL_P_NESTLOOP && !x->join.lateral && !x->join.semi &&
                     !x->join.anti && !x->join.ordered && other->ncols > 0;
        if (plain && (x->join.join_type == SQL_JOIN_LEFT ||
                      x->join.join_type == SQL_JOIN_RIGHT)) {
            *on_left = side == 0;
            return x;
        }
    }
    return NULL;
}

sql_plan *sql_opt_outer_pullup(sql_opt *o, sql_plan *j) {
    bool on_left = true;
    sql_plan *oj = sql_pullup_outer(j, &on_left);
    if (oj == NULL) return j;
    bool left = oj->join.join_type == SQL_JOIN_LEFT;
    sql_plan *pres = left ? oj->left : oj->right, *nul = left ? oj->right : oj->left;
    sql_plan *d = on_left ? j->right : j->left;
    uint32_t base = on_left ? 0 : d->ncols; /* the outer join's first column in j's row */
    sql_pullup_at at = {.np = pres->ncols, .nn = nul->ncols, .nd = d->ncols};
    at.p = base + (left ? 0 : nul->ncols);
    at.n = base + (left ? pres->ncols : 0);
    at.d = on_left ? oj->ncols : 0;
    at.new_p = on_left ? 0 : at.nd;
    at.new_d = on_left ? at.np : 0;
    sql_pullup_scan ps = {.lo = at.n, .hi = at.n + at.nn};
    sql_pullup_scan pp = {.lo = 0, .hi = 0}; /* the ON condition: only its subqueries */
    sql_expr_walk(j->join.quals, sql_pullup_scan_fn, &ps);
    sql_expr_walk(oj->join.quals, sql_pullup_scan_fn, &pp);
    if (ps.blocked || pp.blocked) return j;
    /* j's quals over P ++ D (or D ++ P); the ON condition over (that) ++ N. */
    uint32_t *qmap = sql_pullup_map(o, &at, j->ncols, at.p, at.n, at.d, true);
    uint32_t *pmap = sql_pullup_map(o, &at, oj->ncols, left ? 0 : at.nn, left ? at.np : 0,
                                    UINT32_MAX, false);
    uint32_t *out = sql_pullup_map(o, &at, j->ncols, at.p, at.n, at.d, false);
    sql_plan *proj = sql_plan_new(o->arena, SQL_P_PROJECT, j->ncols);
    if (qmap == NULL || pmap == NULL || out == NULL || proj == NULL) return sql_opt_oom(o);
    sql_plan *inner = on_left ? sql_pullup_join(o, j, pres, d, qmap, j->ncols)
                              : sql_pullup_join(o, j, d, pres, qmap, j->ncols);
    sql_plan *outer = inner != NULL ? sql_pullup_join(o, oj, inner, nul, pmap, oj->ncols) : NULL;
    if (outer == NULL) return NULL;
    outer->join.join_type = SQL_JOIN_LEFT;
    proj->left = outer;
    proj->cols = j->cols;
    proj->est_rows = j->est_rows;
    proj->project.exprs = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (j->ncols + 1u));
    if (proj->project.exprs == NULL) return sql_opt_oom(o);
    for (uint32_t k = 0; k < j->ncols; k++) { /* the written row from the new one */
        proj->project.exprs[k] = sql_expr_column(o->arena, out[k], j->cols[k].type_oid,
                                                 j->cols[k].typmod);
        if (proj->project.exprs[k] == NULL) return sql_opt_oom(o);
    }
    return proj;
}

/* A tree of inner joins flattened: its relations (with the column range each fills in the
 * tree's row) and every condition of its joins and of the filters between them, over that
 * row. */
typedef struct sql_jflat {
    sql_plan *rels[SQL_JOIN_RELS_MAX];
    uint32_t first[SQL_JOIN_RELS_MAX];
    uint32_t nrels;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t mask[SQL_PLAN_CONJUNCTS_MAX];   /* relations each conjunct refers to */
    uint32_t nconj;
    uint32_t ncols;                          /* the tree's row */
} sql_jflat;

/* Conjuncts of `e` (over a node whose columns start at `offset` of the tree's row) added to
 * the pool; false when they do not fit (then the node stays whole). */
static bool sql_jflat_conj(sql_opt *o, sql_jflat *fl, sql_expr *e, uint32_t offset,
                           uint32_t ncols, bool *fits) {
    sql_expr *c[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(e, c, SQL_PLAN_CONJUNCTS_MAX);
    *fits = fl->nconj + n <= SQL_PLAN_CONJUNCTS_MAX;
    if (!*fits) return true;
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (ncols + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < ncols; i++) map[i] = i + offset;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *s = offset == 0 ? c[i] : sql_expr_remap(o->arena, c[i], map, ncols);
        if (s == NULL) return sql_opt_oom(o);
        fl->conj[fl->nconj++] = s;
    }
    return true;
}

static bool sql_jflat_add(sql_opt *o, sql_jflat *fl, sql_plan *p, uint32_t offset) {
    sql_plan *j = p->kind == SQL_P_FILTER && sql_is_reorderable(p->left) ? p->left : p;
    bool join = sql_is_reorderable(j) && fl->nrels + 2 <= SQL_JOIN_RELS_MAX;
    uint32_t saved = fl->nconj;
    bool fits = true;
    if (join && j != p && !sql_jflat_conj(o, fl, p->filter.pred, offset, p->ncols, &fits)) {
        return false;
    }
    if (join && fits && j->join.quals != NULL &&
        !sql_jflat_conj(o, fl, j->join.quals, offset, j->ncols, &fits)) {
        return false;
    }
    if (!join || !fits) { /* a relation of its own */
        fl->nconj = saved;
        fl->rels[fl->nrels] = p;
        fl->first[fl->nrels++] = offset;
        return true;
    }
    return sql_jflat_add(o, fl, j->left, offset) &&
           sql_jflat_add(o, fl, j->right, offset + j->left->ncols);
}

typedef struct sql_jmask {
    const sql_jflat *fl;
    uint32_t mask;
    bool unsafe;             /* subquery, aggregate or volatile call: evaluate it last */
} sql_jmask;

static bool sql_jmask_fn(const sql_expr *e, void *arg) {
    sql_jmask *m = arg;
    if (e->kind == SQL_X_COLUMN) {
        for (uint32_t r = 0; r < m->fl->nrels; r++) {
            if (e->column.index >= m->fl->first[r] &&
                e->column.index < m->fl->first[r] + m->fl->rels[r]->ncols) {
                m->mask |= 1u << r;
            }
        }
    }
    return true;
}

const eng_table *sql_rel_table(const sql_plan *p) {
    while (p != NULL && (p->kind == SQL_P_FILTER || p->kind == SQL_P_PROJECT ||
                         p->kind == SQL_P_GATHER)) {
        p = p->left;
    }
    bool read = p != NULL && (p->kind == SQL_P_SCAN || p->kind == SQL_P_PKGET ||
                              p->kind == SQL_P_IXSCAN || p->kind == SQL_P_ANNSCAN);
    if (!read) return NULL;
    return p->kind == SQL_P_ANNSCAN ? p->ann.table : p->scan.table;
}

/* Distinct values of the tree's column `col` (relation r): statistics when the column comes
 * straight from an analysed table, else as many as the relation has rows (a key). */
static double sql_jcol_distinct(const sql_jflat *fl, const sql_plan *tree, const double *rows,
                                uint32_t r, uint32_t col, double *null_frac) {
    *null_frac = 0;
    const sql_col *c = &tree->cols[col];
    const eng_table *t = sql_rel_table(fl->rels[r]);
    double nd;
    if (t != NULL && c->table_oid == t->oid && c->attnum > 0 &&
        sql_stats_distinct(t, (uint16_t)c->attnum, &nd, null_frac)) {
        return nd < 1 ? 1 : nd;
    }
    return rows[r];
}

/* Selectivity of a conjunct that joins relations: `a = b` between columns of two relations
 * is 1 / max(distinct values) of the non-NULL rows; anything else PostgreSQL's default. */
static double sql_jconj_sel(const sql_jflat *fl, const sql_plan *tree, const double *rows,
                            const sql_expr *c, bool *equi) {
    *equi = false;
    if (!sql_is_join_key_operator(c)) return SQL_SEL_DEFAULT_INEQ;
    const sql_expr *a = c->args[0], *b = c->args[1];
    if (a->kind != SQL_X_COLUMN || b->kind != SQL_X_COLUMN) {
        *equi = true;
        return SQL_SEL_DEFAULT_EQ;
    }
    uint32_t ra = UINT32_MAX, rb = UINT32_MAX;
    for (uint32_t r = 0; r < fl->nrels; r++) {
        uint32_t lo = fl->first[r], hi = lo + fl->rels[r]->ncols;
        if (a->column.index >= lo && a->column.index < hi) ra = r;
        if (b->column.index >= lo && b->column.index < hi) rb = r;
    }
    if (ra == UINT32_MAX || rb == UINT32_MAX || ra == rb) return SQL_SEL_DEFAULT_EQ;
    *equi = true;
    double nfa, nfb;
    double nda = sql_jcol_distinct(fl, tree, rows, ra, a->column.index, &nfa);
    double ndb = sql_jcol_distinct(fl, tree, rows, rb, b->column.index, &nfb);
    return (1 - nfa) * (1 - nfb) / (nda > ndb ? nda : ndb);
}

typedef struct sql_jbuild {
    sql_opt *o;
    sql_jflat *fl;
    sql_plan *tree;          /* the original join: its row layout is the conjuncts' */
    sql_join_tree jt;
    sql_plan *leaf[SQL_JOIN_RELS_MAX];
    bool placed[SQL_PLAN_CONJUNCTS_MAX];
} sql_jbuild;

uint32_t *sql_opt_order_map(sql_opt *o, uint32_t ncols, sql_plan *const *rels,
                            const uint32_t *first, const uint32_t *order, uint32_t n) {
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (ncols + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < ncols; i++) map[i] = UINT32_MAX;
    uint32_t pos = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = order[k];
        for (uint32_t c = 0; c < rels[r]->ncols; c++) map[first[r] + c] = pos++;
    }
    return map;
}

sql_plan *sql_opt_join_pair(sql_opt *o, sql_plan *l, sql_plan *r, uint32_t join_type,
                            double rows) {
    sql_plan *j = sql_plan_new(o->arena, SQL_P_NESTLOOP, 0);
    sql_col *cols = rt_arena_alloc(o->arena, sizeof(sql_col) * (l->ncols + r->ncols + 1u));
    if (j == NULL || cols == NULL) return sql_opt_oom(o);
    memcpy(cols, l->cols, sizeof(sql_col) * l->ncols);
    memcpy(cols + l->ncols, r->cols, sizeof(sql_col) * r->ncols);
    j->ncols = l->ncols + r->ncols;
    j->cols = cols;
    j->left = l;
    j->right = r;
    j->join.ordered = true;
    j->join.join_type = join_type;
    j->est_rows = rows;
    return j;
}

/* The join of two planned sides with the conjuncts that first become evaluable there. */
static sql_plan *sql_jbuild_join(sql_jbuild *jb, const sql_join_node *nd, sql_plan *l,
                                 sql_plan *r, const uint32_t *order, uint32_t n) {
    sql_opt *o = jb->o;
    sql_plan *j = sql_opt_join_pair(o, l, r, SQL_JOIN_CROSS, nd->rows);
    if (j == NULL) return NULL;
    uint32_t *map = sql_opt_order_map(jb->o, jb->fl->ncols, jb->fl->rels, jb->fl->first, order, n);
    if (map == NULL) return sql_opt_oom(o);
    sql_expr *quals[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nq = 0;
    for (uint32_t i = 0; i < jb->fl->nconj; i++) {
        uint32_t m = jb->fl->mask[i];
        if (jb->placed[i] || m == 0 || (m & nd->set) != m) continue;
        jb->placed[i] = true;
        if (!sql_opt_expr(o, jb->fl->conj[i])) return NULL;
        quals[nq] = sql_expr_remap(o->arena, jb->fl->conj[i], map, jb->fl->ncols);
        if (quals[nq++] == NULL) return sql_opt_oom(o);
    }
    if (nq > 0) {
        j->join.join_type = SQL_JOIN_INNER;
        if ((j->join.quals = sql_opt_and(o, quals, nq)) == NULL) return NULL;
        if (!sql_opt_hash_keys(o, j)) return NULL;
    }
    return sql_opt_join_strategy(o, j);
}

/* Whether the node's conjuncts fix every primary-key column of the table relation-set
 * `side` reads with values from relation-set `other` (an index nested loop could run with
 * `side` as its inner input). */
static bool sql_jbuild_pk_fixed(sql_jbuild *jb, uint32_t side, uint32_t other,
                                const sql_plan *side_plan) {
    const sql_plan *scan = sql_side_scan(side_plan);
    if (scan == NULL || scan->kind != SQL_P_SCAN || (side & (side - 1)) != 0) return false;
    const eng_table *t = scan->scan.table;
    if (t->pk_count == 0) return false;
    for (uint32_t k = 0; k < t->pk_count; k++) {
        bool fixed = false;
        for (uint32_t i = 0; i < jb->fl->nconj && !fixed; i++) {
            const sql_expr *c = jb->fl->conj[i];
            uint32_t m = jb->fl->mask[i];
            if (jb->placed[i] || !sql_is_eq_operator(c) || (m & ~(side | other)) != 0 ||
                !(m & side) || !(m & other)) {
                continue;
            }
            for (uint32_t a = 0; a < 2 && !fixed; a++) {
                const sql_expr *col = c->args[a];
                if (col->kind != SQL_X_COLUMN || col->column.index >= jb->tree->ncols) continue;
                const sql_col *tc = &jb->tree->cols[col->column.index];
                sql_jmask om = {.fl = jb->fl};
                sql_expr_walk(c->args[1 - a], sql_jmask_fn, &om);
                fixed = tc->table_oid == t->oid && tc->attnum == t->pk_attnums[k] &&
                        om.mask != 0 && (om.mask & ~other) == 0;
            }
        }
        if (!fixed) return false;
    }
    return true;
}

/* An index nested loop needs the looked-up table on the right: swap the sides when the left
 * is such a table and the right has few enough rows to look each of them up. */
static bool sql_jbuild_swap(sql_jbuild *jb, const sql_join_node *nd, sql_plan *l, sql_plan *r) {
    const sql_join_node *ln = &jb->jt.nodes[nd->left], *rn = &jb->jt.nodes[nd->right];
    const sql_plan *scan = sql_side_scan(l);
    if (scan == NULL) return false;
    double table_rows = sql_stats_rows(scan->scan.table);
    if (table_rows < 0) table_rows = SQL_PLAN_DEFAULT_ROWS;
    return r->est_rows * SQL_JOIN_LOOKUP_ROWS < table_rows &&
           sql_jbuild_pk_fixed(jb, ln->set, rn->set, l);
}

/* Plans node `node` of the chosen tree; appends its relations to order[] in row order. */
static sql_plan *sql_jbuild_node(sql_jbuild *jb, int32_t node, uint32_t *order, uint32_t *n) {
    const sql_join_node *nd = &jb->jt.nodes[node];
    if (nd->left < 0) {
        order[(*n)++] = (uint32_t)node;
        return jb->leaf[node];
    }
    uint32_t n0 = *n;
    sql_plan *l = sql_jbuild_node(jb, nd->left, order, n);
    if (l == NULL) return NULL;
    uint32_t n1 = *n;
    sql_plan *r = sql_jbuild_node(jb, nd->right, order, n);
    if (r == NULL) return NULL;
    if (sql_jbuild_swap(jb, nd, l, r)) { /* the right's relations first in the row */
        uint32_t tmp[SQL_JOIN_RELS_MAX], k = 0;
        for (uint32_t i = n1; i < *n; i++) tmp[k++] = order[i];
        for (uint32_t i = n0; i < n1; i++) tmp[k++] = order[i];
        memcpy(order + n0, tmp, sizeof(uint32_t) * k);
        sql_plan *t = l;
        l = r;
        r = t;
    }
    return sql_jbuild_join(jb, nd, l, r, order + n0, *n - n0);
}

/* Each relation planned with the conjuncts that refer to it alone. */
static bool sql_jbuild_leaves(sql_jbuild *jb, double *rows) {
    sql_opt *o = jb->o;
    sql_jflat *fl = jb->fl;
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (fl->ncols + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t r = 0; r < fl->nrels; r++) {
        sql_expr *mine[SQL_PLAN_CONJUNCTS_MAX];
        uint32_t n = 0;
        for (uint32_t i = 0; i < fl->ncols; i++) {
            bool in = i >= fl->first[r] && i < fl->first[r] + fl->rels[r]->ncols;
            map[i] = in ? i - fl->first[r] : UINT32_MAX;
        }
        for (uint32_t i = 0; i < fl->nconj; i++) {
            if (fl->mask[i] != 1u << r) continue;
            jb->placed[i] = true;
            if ((mine[n++] = sql_expr_remap(o->arena, fl->conj[i], map, fl->ncols)) == NULL) {
                return sql_opt_oom(o);
            }
        }
        sql_plan *leaf = sql_opt_filter_over(o, fl->rels[r], mine, n);
        if (leaf == NULL || (leaf = sql_opt_node(o, leaf)) == NULL) return false;
        jb->leaf[r] = leaf;
        rows[r] = leaf->est_rows < 1 ? 1 : leaf->est_rows;
    }
    return true;
}

/* A tree of inner joins in the order the cost model prefers, under a projection that gives
 * the columns back in the written order (expressions above refer to them by position). */
sql_plan *sql_opt_reorder(sql_opt *o, sql_plan *j) {
    sql_jflat *fl = rt_arena_zalloc(o->arena, sizeof *fl);
    sql_jbuild *jb = rt_arena_zalloc(o->arena, sizeof *jb);
    if (fl == NULL || jb == NULL) return sql_opt_oom(o);
    fl->ncols = j->ncols;
    if (!sql_jflat_add(o, fl, j, 0)) return NULL;
    sql_expr *top[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t ntop = 0;
    for (uint32_t i = 0; i < fl->nconj; i++) {
        sql_jmask m = {.fl = fl};
        sql_expr_walk(fl->conj[i], sql_jmask_fn, &m);
        sql_expr_info in = sql_expr_info_of(fl->conj[i]);
        fl->mask[i] = in.subquery || in.volatile_fn || in.aggref ? 0 : m.mask;
        if (fl->mask[i] == 0) top[ntop++] = fl->conj[i]; /* above every join */
    }
    *jb = (sql_jbuild){.o = o, .fl = fl, .tree = j};
    double rows[SQL_JOIN_RELS_MAX];
    if (!sql_jbuild_leaves(jb, rows)) return NULL;
    sql_join_pred preds[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t npreds = 0;
    for (uint32_t i = 0; i < fl->nconj; i++) {
        uint32_t m = fl->mask[i];
        if (m == 0 || (m & (m - 1)) == 0) continue;
        preds[npreds].rels = m;
        preds[npreds].selectivity = sql_jconj_sel(fl, j, rows, fl->conj[i], &preds[npreds].equi);
        npreds++;
    }
    if (!sql_join_order(o->arena, rows, fl->nrels, preds, npreds, &jb->jt, o->err)) return NULL;
    uint32_t order[SQL_JOIN_RELS_MAX], n = 0;
    sql_plan *root = sql_jbuild_node(jb, (int32_t)jb->jt.nnodes - 1, order, &n);
    if (root == NULL) return NULL;
    for (uint32_t i = 0; i < ntop; i++) {
        if (!sql_opt_expr(o, top[i])) return NULL;
    }
    uint32_t *map = sql_opt_order_map(jb->o, jb->fl->ncols, jb->fl->rels, jb->fl->first, order, n);
    if (map == NULL) return NULL;
    if ((root = sql_opt_project_to(o, root, j, map)) == NULL) return NULL;
    return sql_opt_filter_over(o, root, top, ntop);
}

sql_plan *sql_opt_project_to(sql_opt *o, sql_plan *root, const sql_plan *j, const uint32_t *map) {
    bool same = true;
    for (uint32_t i = 0; i < j->ncols; i++) same &= map[i] == i;
    if (same) return root;
    sql_plan *p = sql_plan_new(o->arena, SQL_P_PROJECT, 0);
    sql_expr **exprs = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (j->ncols + 1u));
    if (p == NULL || exprs == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < j->ncols; i++) {
        exprs[i] = sql_expr_column(o->arena, map[i], j->cols[i].type_oid, j->cols[i].typmod);
        if (exprs[i] == NULL) return sql_opt_oom(o);
    }
    p->ncols = j->ncols;
    p->cols = j->cols;
    p->left = root;
    p->project.exprs = exprs;
    p->est_rows = root->est_rows;
    return p;
}
