/* sql_plan_ojorder.c: the order of a tree of inner, LEFT and RIGHT joins, chosen by cost among
 * the orders PostgreSQL's outer-join identities allow (its optimizer README, "join order
 * restrictions"), as sql_plan_join.c chooses it for inner joins alone.
 * The tree is flattened into relations (anything that is not a plain inner/LEFT/RIGHT join: a
 * table read, a FULL or LATERAL join, a subquery), the outer joins (a RIGHT JOIN is the LEFT
 * JOIN of its sides swapped: its left input is the nullable side) and conditions:
 *   - a WHERE or inner-join conjunct needs the relations it reads; one that reads the nullable
 *     side of an outer join written below it (it is not strict there, or that join would
 *     have been reduced to an inner one) needs that whole outer join first;
 *   - an outer join's ON conjuncts are evaluated where it is performed (one that reads only
 *     one relation of its nullable side filters that relation first).
 * Outer join k has a preserved side lhs and a nullable side rhs as written; min_lhs, the
 * relations of lhs its ON condition reads; allowed, rhs plus the nullable sides of outer
 * joins that may live inside it by the associativity identity
 *     (A LEFT B ON pab) LEFT C ON pbc  =  A LEFT (B LEFT C ON pbc) ON pab
 * (pbc reads only relations of B's side and is strict in them; read from right to left,
 * such a join nested in rhs may also leave it: then it is not in min_rhs). A join of relation
 * sets L and R (R the right, build side) is valid when, for every outer join k:
 *   - if L ++ R holds min_lhs and min_rhs of k and neither L nor R does, it performs k:
 *     L holds min_lhs, R holds min_rhs and lies within allowed (at most one per join);
 *   - otherwise, if L ++ R meets rhs without performing k, it lies within allowed (nothing
 *     from outside joins the nullable side before the outer join: the identities that move
 *     inner joins and other LEFT JOINs across k all keep its nullable side whole);
 * and no conjunct written inside k's nullable side becomes evaluable only where k is performed.
 * Semi- and anti-joins (EXISTS / NOT EXISTS / IN, sql_plan_semij.c) are special joins of the
 * same kind, as PostgreSQL's join_is_legal takes them: the inner side stays one relation and
 * is its own min_rhs and allowed set (nothing joins it first: no unique-ified inner side);
 * min_lhs is what the condition reads, plus the whole of every outer join below whose
 * nullable side it reads; nothing lives inside the inner side and a semi-join never lives
 * inside an outer join's nullable side. So inner and outer joins go below or above a
 * semi-join wherever its condition's relations are there, and two semi-joins commute.
 * The written order is always valid; dynamic programming over every subset (up to
 * SQL_JOIN_DP_RELS_MAX relations) picks the cheapest valid tree, costed as inner joins are
 * (sql_opt_join_cost) with an outer join's rows at least its preserved side's. Up to
 * SQL_JOIN_RELS_MAX relations a greedy search pairs the cheapest valid join of two sets at a
 * time, as sql_plan_join.c does for inner joins; when it finds no valid tree, and past that
 * size, the tree keeps the per-join rewrites (sql_opt_outer_pullup, sql_opt_outer_assoc).
 * Conditions that hold a subquery or volatile call keep the written form, except at the top
 * of the tree. */
#include <math.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

#define SQL_OJ_RELS_MAX SQL_JOIN_RELS_MAX
RT_STATIC_ASSERT(SQL_OJ_RELS_MAX < 32); /* relation sets are uint32_t bitmasks */

typedef struct sql_ojc {
    sql_expr *e;             /* over the tree's row */
    uint32_t rels;           /* relations it reads */
    uint32_t need;           /* relations joined before it is evaluated (0: at the top) */
    uint32_t inside;         /* outer joins whose nullable side it is written in */
    uint32_t below;          /* outer joins written below it */
    int32_t owner;           /* -1: a WHERE or inner-join conjunct; k: outer join k's ON */
    double sel;
    bool equi;
} sql_ojc;

typedef struct sql_ojt {
    sql_opt *o;
    sql_plan *tree;
    sql_plan *rels[SQL_OJ_RELS_MAX];
    uint32_t first[SQL_OJ_RELS_MAX];
    uint32_t nrels;
    sql_ojc c[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nc;
    sql_oj oj[SQL_OJ_RELS_MAX];
    uint32_t noj;
    bool fail;               /* not a tree this module orders */
    sql_plan *leaf[SQL_OJ_RELS_MAX];
    bool placed[SQL_PLAN_CONJUNCTS_MAX];
    double *cost, *rows;     /* per relation set: 1 << nrels entries */
    uint32_t *split;
    /* the greedy search's joins (probe side, build side), in order: those of its last run
       and of its run without estimates (always valid: validity does not depend on them) */
    uint32_t greedy_l[SQL_OJ_RELS_MAX], greedy_r[SQL_OJ_RELS_MAX];
    uint32_t valid_l[SQL_OJ_RELS_MAX], valid_r[SQL_OJ_RELS_MAX];
} sql_ojt;

static bool sql_ojt_flattenable(const sql_plan *j) {
    if (j->kind != SQL_P_NESTLOOP || j->join.lateral || j->join.ordered || j->left == NULL ||
        j->right == NULL || j->ncols != j->left->ncols + j->right->ncols) {
        return false;
    }
    bool semi = j->join.semi || j->join.anti;
    uint32_t jt = j->join.join_type;
    if (semi && (jt != SQL_JOIN_INNER || j->join.quals == NULL)) return false;
    if (!semi && (jt == SQL_JOIN_INNER || jt == SQL_JOIN_CROSS)) return true;
    if (!semi && jt != SQL_JOIN_LEFT && jt != SQL_JOIN_RIGHT) return false;
    if (j->join.quals == NULL) return true;
    sql_expr_info in = sql_expr_info_of(j->join.quals);
    return !in.subquery && !in.volatile_fn && !in.aggref;
}

/* Adds the conjuncts of `e` (over a node whose columns start at `offset`). */
static bool sql_ojt_conj(sql_ojt *t, sql_expr *e, uint32_t offset, uint32_t ncols, int32_t owner,
                         uint32_t inside, uint32_t below) {
    sql_expr *c[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(e, c, SQL_PLAN_CONJUNCTS_MAX);
    if (t->nc + n > SQL_PLAN_CONJUNCTS_MAX) {
        t->fail = true;
        return true;
    }
    uint32_t *map = rt_arena_alloc(t->o->arena, sizeof(uint32_t) * (ncols + 1u));
    if (map == NULL) return sql_opt_oom(t->o);
    for (uint32_t i = 0; i < ncols; i++) map[i] = i + offset;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *s = offset == 0 ? c[i] : sql_expr_remap(t->o->arena, c[i], map, ncols);
        if (s == NULL) return sql_opt_oom(t->o);
        t->c[t->nc++] = (sql_ojc){.e = s, .inside = inside, .below = below, .owner = owner};
    }
    return true;
}

static bool sql_ojt_rel(sql_ojt *t, sql_plan *p, uint32_t offset, uint32_t *rels) {
    if (t->nrels == SQL_OJ_RELS_MAX) {
        t->fail = true;
        return true;
    }
    t->rels[t->nrels] = p;
    t->first[t->nrels] = offset;
    *rels = 1u << t->nrels++;
    return true;
}

/* Flattens p (its columns from `offset` of the tree's row; written inside the nullable sides
 * of the outer joins `inside`) into t; rels and ojs: what it added. */
static bool sql_ojt_add(sql_ojt *t, sql_plan *p, uint32_t offset, uint32_t inside,
                        uint32_t *rels, uint32_t *ojs) {
    *rels = *ojs = 0;
    sql_plan *j = p;
    if (p->kind == SQL_P_FILTER && p->left != NULL && sql_ojt_flattenable(p->left) &&
        p->left->ncols == p->ncols) {
        j = p->left;
    }
    if (!sql_ojt_flattenable(j)) return sql_ojt_rel(t, p, offset, rels);
    uint32_t jt = j->join.join_type;
    bool semi = j->join.semi || j->join.anti;
    bool outer = semi || jt == SQL_JOIN_LEFT || jt == SQL_JOIN_RIGHT;
    if (outer && t->noj == SQL_OJ_RELS_MAX) {
        t->fail = true;
        return true;
    }
    int32_t k = outer ? (int32_t)t->noj++ : -1;
    uint32_t kbit = outer ? 1u << k : 0;
    uint32_t lr, lo, rr, ro = 0;
    if (!sql_ojt_add(t, j->left, offset, inside | (jt == SQL_JOIN_RIGHT ? kbit : 0), &lr, &lo)) {
        return false;
    }
    if (t->fail) return true;
    /* A semi- or anti-join's inner side stays one relation (nothing joins it first). */
    bool ok = semi ? sql_ojt_rel(t, j->right, offset + j->left->ncols, &rr)
                   : sql_ojt_add(t, j->right, offset + j->left->ncols,
                                 inside | (jt == SQL_JOIN_LEFT ? kbit : 0), &rr, &ro);
    if (!ok) return false;
    if (t->fail) return true;
    *rels = lr | rr;
    *ojs = lo | ro | kbit;
    if (outer) {
        t->oj[k].lhs = jt == SQL_JOIN_RIGHT ? rr : lr;
        t->oj[k].rhs = jt == SQL_JOIN_RIGHT ? lr : rr;
        t->oj[k].kind = !semi ? SQL_OJ_LEFT : j->join.anti ? SQL_OJ_ANTI : SQL_OJ_SEMI;
    }
    if (j != p && !sql_ojt_conj(t, p->filter.pred, offset, p->ncols, -1, inside, *ojs)) {
        return false;
    }
    return j->join.quals == NULL ||
           sql_ojt_conj(t, j->join.quals, offset, j->ncols, k, inside, lo | ro);
}

typedef struct sql_ojt_walk {
    const sql_ojt *t;
    uint32_t rels;
} sql_ojt_walk;

static bool sql_ojt_walk_fn(const sql_expr *e, void *arg) {
    sql_ojt_walk *w = arg;
    if (e->kind != SQL_X_COLUMN || e->column.depth != 0) return true;
    for (uint32_t r = 0; r < w->t->nrels; r++) {
        if (e->column.index >= w->t->first[r] &&
            e->column.index < w->t->first[r] + w->t->rels[r]->ncols) {
            w->rels |= 1u << r;
        }
    }
    return true;
}

static uint32_t sql_ojt_rel_of(const sql_ojt *t, uint32_t col) {
    for (uint32_t r = 0; r < t->nrels; r++) {
        if (col >= t->first[r] && col < t->first[r] + t->rels[r]->ncols) return r;
    }
    return UINT32_MAX;
}

/* Distinct values of the tree's column `col` of relation r, as sql_plan_join.c counts them. */
static double sql_ojt_distinct(const sql_ojt *t, uint32_t r, uint32_t col, double *null_frac) {
    *null_frac = 0;
    const sql_col *c = &t->tree->cols[col];
    const eng_table *tab = sql_rel_table(t->rels[r]);
    double nd;
    if (tab != NULL && c->table_oid == tab->oid && c->attnum > 0 &&
        sql_stats_distinct(tab, (uint16_t)c->attnum, &nd, null_frac)) {
        return nd < 1 ? 1 : nd;
    }
    return t->rows[1u << r];
}

/* Selectivity of a conjunct reading several relations: an equality of two columns of two
 * relations is 1 / the larger distinct count of the non-NULL rows; else the default. */
static void sql_ojt_sel(const sql_ojt *t, sql_ojc *c) {
    c->equi = false;
    c->sel = SQL_SEL_DEFAULT_INEQ;
    if (!sql_is_join_key_operator(c->e)) return;
    c->sel = SQL_SEL_DEFAULT_EQ;
    c->equi = true;
    const sql_expr *a = c->e->args[0], *b = c->e->args[1];
    if (a->kind != SQL_X_COLUMN || b->kind != SQL_X_COLUMN) return;
    uint32_t ra = sql_ojt_rel_of(t, a->column.index), rb = sql_ojt_rel_of(t, b->column.index);
    if (ra == UINT32_MAX || rb == UINT32_MAX || ra == rb) return;
    double nfa, nfb;
    double nda = sql_ojt_distinct(t, ra, a->column.index, &nfa);
    double ndb = sql_ojt_distinct(t, rb, b->column.index, &nfb);
    c->sel = (1 - nfa) * (1 - nfb) / (nda > ndb ? nda : ndb);
}

/* Relations each conjunct reads and needs; false on a conjunct the tree cannot order. */
static void sql_ojt_needs(sql_ojt *t) {
    for (uint32_t i = 0; i < t->nc; i++) {
        sql_ojc *c = &t->c[i];
        sql_ojt_walk w = {.t = t};
        sql_expr_walk(c->e, sql_ojt_walk_fn, &w);
        c->rels = c->need = w.rels;
        sql_expr_info in = sql_expr_info_of(c->e);
        bool unsafe = in.subquery || in.volatile_fn || in.aggref;
        if (c->owner >= 0) continue;
        if (unsafe || c->rels == 0) { /* only at the top: above every outer join */
            c->need = 0;
            if (c->inside != 0 || c->below != 0) t->fail = true;
            continue;
        }
        for (bool grew = true; grew;) { /* the whole of each outer join whose NULLs it reads */
            grew = false;
            for (uint32_t k = 0; k < t->noj; k++) {
                uint32_t all = t->oj[k].lhs | t->oj[k].rhs;
                if ((c->below & (1u << k)) && (c->need & t->oj[k].rhs) && (c->need & all) != all) {
                    c->need |= all;
                    grew = true;
                }
            }
        }
    }
}

/* The relations outer join k's ON condition reads and is strict in. */
static bool sql_ojt_on(sql_ojt *t, uint32_t k, const uint32_t *leaf, bool *cols) {
    sql_oj *oj = &t->oj[k];
    uint32_t reads = 0;
    for (uint32_t i = 0; i < t->nc; i++) {
        if (t->c[i].owner == (int32_t)k) reads |= t->c[i].rels;
    }
    oj->min_lhs = (reads & oj->lhs) != 0 ? reads & oj->lhs : oj->lhs;
    if (oj->kind != SQL_OJ_LEFT) sql_oj_semi_lhs(t->oj, t->noj, k);
    memset(cols, 0, t->tree->ncols + 1u);
    for (uint32_t i = 0; i < t->nc; i++) {
        if (t->c[i].owner != (int32_t)k) continue;
        if (!sql_opt_strict_cols(t->o->arena, t->c[i].e, cols, t->tree->ncols, leaf)) {
            return sql_opt_oom(t->o);
        }
    }
    oj->strict = 0;
    for (uint32_t c = 0; c < t->tree->ncols; c++) {
        uint32_t r = sql_ojt_rel_of(t, c);
        if (cols[c] && r != UINT32_MAX) oj->strict |= 1u << r;
    }
    oj->min_rhs = oj->allowed = oj->rhs;
    return true;
}

/* Whether outer join m may be performed inside outer join k's nullable side (never a semi-
 * or anti-join: it does not preserve the rows its condition rejects). */
static bool sql_ojt_lives(const sql_ojt *t, uint32_t m, uint32_t k) {
    const sql_oj *om = &t->oj[m], *ok = &t->oj[k];
    if (om->kind != SQL_OJ_LEFT || ok->kind != SQL_OJ_LEFT) return false;
    uint32_t all_k = ok->lhs | ok->rhs;
    bool above = (om->lhs & all_k) == all_k;
    bool nested = (om->rhs & ~ok->rhs) == 0 && (om->lhs & ~ok->rhs) == 0;
    if (!above && !nested) return false;
    if ((om->min_lhs & ~ok->allowed) != 0 || (om->strict & om->min_lhs) == 0) return false;
    for (uint32_t i = 0; i < t->nc; i++) {
        const sql_ojc *c = &t->c[i];
        if (c->owner == (int32_t)k && (c->rels & om->rhs)) return false;
        bool in_k_above_m = c->owner < 0 && (c->inside & (1u << k)) && !(c->inside & (1u << m));
        if (in_k_above_m && (c->need & om->rhs)) return false;
    }
    return true;
}

static bool sql_ojt_limits(sql_ojt *t) {
    uint32_t ncols = t->tree->ncols;
    uint32_t *leaf = rt_arena_alloc(t->o->arena, sizeof(uint32_t) * (ncols + 1u));
    bool *cols = rt_arena_alloc(t->o->arena, ncols + 1u);
    if (leaf == NULL || cols == NULL) return sql_opt_oom(t->o);
    for (uint32_t c = 0; c < ncols; c++) {
        uint32_t r = sql_ojt_rel_of(t, c);
        leaf[c] = r == UINT32_MAX ? c : t->first[r];
    }
    for (uint32_t k = 0; k < t->noj; k++) {
        if (!sql_ojt_on(t, k, leaf, cols)) return false;
    }
    for (uint32_t k = 0; k < t->noj; k++) {
        uint32_t done = 0;
        for (bool grew = true; grew;) {
            grew = false;
            for (uint32_t m = 0; m < t->noj; m++) {
                if (m == k || (done & (1u << m)) || !sql_ojt_lives(t, m, k)) continue;
                done |= 1u << m;
                t->oj[k].allowed |= t->oj[m].rhs;
                if ((t->oj[m].rhs & ~t->oj[k].rhs) == 0) t->oj[k].min_rhs &= ~t->oj[m].rhs;
                grew = true;
            }
        }
    }
    return true;
}

/* A semi- or anti-join whose condition reads the nullable side of an outer join below it keeps
 * that whole outer join below it, strict or not (PostgreSQL's make_outerjoininfo). */
void sql_oj_semi_lhs(sql_oj *oj, uint32_t noj, uint32_t k) {
    RT_ASSERT(k < noj && oj[k].kind != SQL_OJ_LEFT);
    for (bool grew = true; grew;) {
        grew = false;
        for (uint32_t m = 0; m < noj; m++) {
            uint32_t all = oj[m].lhs | oj[m].rhs;
            if ((all & ~oj[k].lhs) == 0 && (oj[k].min_lhs & oj[m].rhs) &&
                (oj[k].min_lhs & all) != all) {
                oj[k].min_lhs |= all;
                grew = true;
            }
        }
    }
}

/* The outer joins performed within relation set s. */
static uint32_t sql_oj_done(const sql_oj *oj, uint32_t noj, uint32_t s) {
    uint32_t d = 0;
    for (uint32_t k = 0; k < noj; k++) {
        uint32_t need = oj[k].min_lhs | oj[k].min_rhs;
        if ((s & need) == need) d |= 1u << k;
    }
    return d;
}

/* Whether a conjunct is evaluated at the join of l and r (not in a relation's own filter). */
static bool sql_ojt_here(const sql_ojc *c, uint32_t l, uint32_t r) {
    uint32_t s = l | r;
    return c->owner < 0 && c->need != 0 && (c->need & (c->need - 1)) != 0 &&
           (c->need & s) == c->need && (c->need & l) != c->need && (c->need & r) != c->need;
}

int32_t sql_oj_step(const sql_oj *ojs, uint32_t noj, uint32_t l, uint32_t r) {
    uint32_t s = l | r, done = sql_oj_done(ojs, noj, s);
    int32_t perf = -1;
    for (uint32_t k = 0; k < noj; k++) {
        const sql_oj *oj = &ojs[k];
        uint32_t need = oj->min_lhs | oj->min_rhs;
        if (!(done & (1u << k))) {
            if ((s & oj->rhs) && (s & ~oj->allowed)) return -2;
            continue;
        }
        if ((l & need) == need || (r & need) == need) continue;
        if (perf >= 0) return -2;
        if ((r & oj->min_rhs) != oj->min_rhs || (r & ~oj->allowed) ||
            (l & oj->min_lhs) != oj->min_lhs) {
            return -2;
        }
        perf = (int32_t)k;
    }
    return perf;
}

/* The outer join the join of l and r performs: -1 none, -2 the join is not valid (also when a
 * conjunct written inside an outer join's nullable side would be evaluated above it). */
static int32_t sql_ojt_step(const sql_ojt *t, uint32_t l, uint32_t r) {
    int32_t perf = sql_oj_step(t->oj, t->noj, l, r);
    if (perf == -2) return perf;
    uint32_t done = sql_oj_done(t->oj, t->noj, l | r);
    for (uint32_t i = 0; i < t->nc; i++) {
        if (sql_ojt_here(&t->c[i], l, r) && (t->c[i].inside & done)) return -2;
    }
    return perf;
}

/* Whether an outer join's ON conjunct filters its relation before the join: one relation of
 * its nullable side that no outer join inside that side NULL-extends (filtering those rows
 * first would NULL-extend them instead). */
static bool sql_ojt_on_leaf(const sql_ojt *t, const sql_ojc *c) {
    if (c->owner < 0 || c->rels == 0 || (c->rels & (c->rels - 1)) != 0) return false;
    uint32_t rhs = t->oj[c->owner].rhs;
    if ((c->rels & rhs) == 0) return false;
    for (uint32_t m = 0; m < t->noj; m++) {
        if (m != (uint32_t)c->owner && (t->oj[m].rhs & ~rhs) == 0 && (t->oj[m].rhs & c->rels)) {
            return false;
        }
    }
    return true;
}

/* Rows and cost of joining l and r (performing outer join k, or none: -1). */
static double sql_ojt_join_cost(const sql_ojt *t, uint32_t l, uint32_t r, int32_t k,
                                double *out) {
    double sel = 1, filt = 1;
    bool equi = false;
    for (uint32_t i = 0; i < t->nc; i++) {
        const sql_ojc *c = &t->c[i];
        bool on = k >= 0 && c->owner == k && !sql_ojt_on_leaf(t, c);
        if (!on && !sql_ojt_here(c, l, r)) continue;
        double cs = (c->rels & (c->rels - 1)) ? c->sel : SQL_SEL_DEFAULT_INEQ;
        if (on || k < 0) sel *= cs;
        else filt *= cs; /* above the outer join */
        equi |= (on || k < 0) && c->equi && (c->rels & l) && (c->rels & r);
    }
    double rows = t->rows[l] * t->rows[r] * sel;
    if (k >= 0 && t->oj[k].kind != SQL_OJ_LEFT) { /* the left rows with a match, or without */
        double match = t->rows[r] * sel < 1 ? t->rows[r] * sel : 1;
        rows = t->rows[l] * (t->oj[k].kind == SQL_OJ_SEMI ? match : 1 - match);
    } else if (k >= 0 && rows < t->rows[l]) {
        rows = t->rows[l];
    }
    rows *= filt;
    *out = rows < 1 ? 1 : rows;
    return sql_opt_join_cost(t->rows[l], t->rows[r], *out, equi);
}

static void sql_ojt_dp(sql_ojt *t) {
    uint32_t full = (1u << t->nrels) - 1u;
    for (uint32_t s = 1; s <= full; s++) {
        t->split[s] = 0;
        if ((s & (s - 1)) == 0) {
            t->cost[s] = 0;
            continue;
        }
        t->cost[s] = INFINITY;
        for (uint32_t l = (s - 1) & s; l != 0; l = (l - 1) & s) {
            uint32_t r = s & ~l;
            if (isinf(t->cost[l]) || isinf(t->cost[r])) continue;
            int32_t k = sql_ojt_step(t, l, r);
            if (k == -2) continue;
            double out, c = t->cost[l] + t->cost[r] + sql_ojt_join_cost(t, l, r, k, &out);
            /* On a tie the right (build) side that starts later in the written order wins. */
            bool better = c < t->cost[s] || (c == t->cost[s] && __builtin_ctz(r) >
                                                                __builtin_ctz(s & ~t->split[s]));
            if (better) {
                t->cost[s] = c;
                t->rows[s] = out;
                t->split[s] = l;
            }
        }
    }
}

/* Greedy search past SQL_JOIN_DP_RELS_MAX relations: from the relations, joins the two sets
 * (either one the build side) whose valid join costs the least in all, until one set is left;
 * the whole tree's cost stays infinite when no valid pair remains (the greedy choices may
 * leave none where the written order had one). */
static void sql_ojt_greedy(sql_ojt *t) {
    uint32_t sets[SQL_OJ_RELS_MAX], n = t->nrels;
    for (uint32_t r = 0; r < n; r++) {
        sets[r] = 1u << r;
        t->cost[sets[r]] = 0;
        t->split[sets[r]] = 0;
    }
    t->cost[(1u << t->nrels) - 1u] = INFINITY;
    while (n > 1) {
        double best = INFINITY, best_rows = 0;
        uint32_t bi = 0, bj = 0;
        for (uint32_t i = 0; i < n; i++) {
            for (uint32_t j = 0; j < n; j++) {
                uint32_t l = sets[i], r = sets[j];
                int32_t k = i == j ? -2 : sql_ojt_step(t, l, r);
                if (k == -2) continue;
                double out, c = t->cost[l] + t->cost[r] + sql_ojt_join_cost(t, l, r, k, &out);
                if (c < best) {
                    best = c;
                    best_rows = out;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (isinf(best)) return;
        uint32_t s = sets[bi] | sets[bj];
        t->cost[s] = best;
        t->rows[s] = best_rows;
        t->split[s] = sets[bi];
        t->greedy_l[t->nrels - n] = sets[bi];
        t->greedy_r[t->nrels - n] = sets[bj];
        sets[bi < bj ? bi : bj] = s;
        sets[bi < bj ? bj : bi] = sets[--n];
    }
}

/* The greedy search's joins without estimates again, with them (when its run with them found
 * no valid tree). */
static void sql_ojt_greedy_replay(sql_ojt *t) {
    for (uint32_t i = 0; i + 1 < t->nrels; i++) {
        uint32_t l = t->valid_l[i], r = t->valid_r[i];
        int32_t k = sql_ojt_step(t, l, r);
        RT_ASSERT(k != -2);
        double out, c = t->cost[l] + t->cost[r] + sql_ojt_join_cost(t, l, r, k, &out);
        t->cost[l | r] = c;
        t->rows[l | r] = out;
        t->split[l | r] = l;
    }
}

/* The cheapest valid tree: every subset up to SQL_JOIN_DP_RELS_MAX relations, else greedy. */
static void sql_ojt_search(sql_ojt *t) {
    if (t->nrels <= SQL_JOIN_DP_RELS_MAX) sql_ojt_dp(t);
    else sql_ojt_greedy(t);
}

/* Each relation planned with the conjuncts that read it alone. */
static bool sql_ojt_leaves(sql_ojt *t) {
    sql_opt *o = t->o;
    uint32_t ncols = t->tree->ncols;
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (ncols + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t r = 0; r < t->nrels; r++) {
        sql_expr *mine[SQL_PLAN_CONJUNCTS_MAX];
        uint32_t n = 0;
        for (uint32_t i = 0; i < ncols; i++) {
            bool in = i >= t->first[r] && i < t->first[r] + t->rels[r]->ncols;
            map[i] = in ? i - t->first[r] : UINT32_MAX;
        }
        for (uint32_t i = 0; i < t->nc; i++) {
            const sql_ojc *c = &t->c[i];
            bool own = (c->owner < 0 && c->need == 1u << r) ||
                       (sql_ojt_on_leaf(t, c) && c->rels == 1u << r);
            if (!own) continue;
            t->placed[i] = true;
            if ((mine[n++] = sql_expr_remap(o->arena, c->e, map, ncols)) == NULL) {
                return sql_opt_oom(o);
            }
        }
        sql_plan *leaf = sql_opt_filter_over(o, t->rels[r], mine, n);
        if (leaf == NULL || (leaf = sql_opt_node(o, leaf)) == NULL) return false;
        t->leaf[r] = leaf;
        t->rows[1u << r] = leaf->est_rows < 1 ? 1 : leaf->est_rows;
    }
    return true;
}

/* The join of planned sides for relation sets l and r: an outer join's ON conjuncts in its
 * quals and the conditions evaluable first here above it; an inner join's in its quals. */
static sql_plan *sql_ojt_join(sql_ojt *t, uint32_t l, uint32_t r, sql_plan *lp, sql_plan *rp,
                              const uint32_t *order, uint32_t n) {
    sql_opt *o = t->o;
    int32_t k = sql_ojt_step(t, l, r);
    RT_ASSERT(k != -2);
    sql_oj_kind kind = k >= 0 ? t->oj[k].kind : SQL_OJ_LEFT;
    uint32_t jt = k < 0 ? SQL_JOIN_CROSS : kind == SQL_OJ_LEFT ? SQL_JOIN_LEFT : SQL_JOIN_INNER;
    sql_plan *j = sql_opt_join_pair(o, lp, rp, jt, t->rows[l | r]);
    uint32_t *map = sql_opt_order_map(t->o, t->tree->ncols, t->rels, t->first, order, n);
    if (j == NULL || map == NULL) return NULL;
    j->join.semi = k >= 0 && kind == SQL_OJ_SEMI;
    j->join.anti = k >= 0 && kind == SQL_OJ_ANTI;
    sql_expr *quals[SQL_PLAN_CONJUNCTS_MAX], *filt[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nq = 0, nf = 0;
    for (uint32_t i = 0; i < t->nc; i++) {
        const sql_ojc *c = &t->c[i];
        bool on = k >= 0 && c->owner == k && !t->placed[i];
        if (!on && (t->placed[i] || !sql_ojt_here(c, l, r))) continue;
        t->placed[i] = true;
        if (!sql_opt_expr(o, c->e)) return NULL;
        sql_expr *e = sql_expr_remap(o->arena, c->e, map, t->tree->ncols);
        if (e == NULL) return sql_opt_oom(o);
        if (on || k < 0) quals[nq++] = e;
        else filt[nf++] = e;
    }
    if (nq > 0) {
        if (k < 0) j->join.join_type = SQL_JOIN_INNER;
        if ((j->join.quals = sql_opt_and(o, quals, nq)) == NULL) return NULL;
        if (!sql_opt_hash_keys(o, j)) return NULL;
    }
    if ((j = sql_opt_join_strategy(o, j)) == NULL) return NULL;
    sql_plan *f = sql_opt_filter_over(o, j, filt, nf);
    if (f != NULL && f != j) f->est_rows = t->rows[l | r];
    return f;
}

/* Plans relation set s by its chosen split; appends its relations to order[] in row order. */
static sql_plan *sql_ojt_build(sql_ojt *t, uint32_t s, uint32_t *order, uint32_t *n) {
    if ((s & (s - 1)) == 0) {
        order[(*n)++] = (uint32_t)__builtin_ctz(s);
        return t->leaf[__builtin_ctz(s)];
    }
    uint32_t n0 = *n, l = t->split[s], r = s & ~l;
    sql_plan *lp = sql_ojt_build(t, l, order, n);
    sql_plan *rp = lp != NULL ? sql_ojt_build(t, r, order, n) : NULL;
    if (rp == NULL) return NULL;
    return sql_ojt_join(t, l, r, lp, rp, order + n0, *n - n0);
}

/* The planned tree under a projection of the written columns and the top conditions. A semi-
 * or anti-join leaves its inner side's columns unset (nothing above reads them): the
 * projection gives NULLs there. */
static sql_plan *sql_ojt_finish(sql_ojt *t, sql_plan *root, const uint32_t *order, uint32_t n) {
    sql_opt *o = t->o;
    uint32_t *map = sql_opt_order_map(t->o, t->tree->ncols, t->rels, t->first, order, n);
    sql_plan *proj = map != NULL ? sql_opt_project_to(o, root, t->tree, map) : NULL;
    if (proj == NULL) return NULL;
    for (uint32_t k = 0; k < t->noj && proj != root; k++) {
        uint32_t r = (uint32_t)__builtin_ctz(t->oj[k].rhs);
        if (t->oj[k].kind != SQL_OJ_LEFT &&
            !sql_opt_project_nulls(o, proj, t->first[r], t->rels[r]->ncols)) {
            return NULL;
        }
    }
    root = proj;
    sql_expr *top[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t ntop = 0;
    for (uint32_t i = 0; i < t->nc; i++) {
        if (t->placed[i]) continue;
        RT_ASSERT(t->c[i].owner < 0 && t->c[i].need == 0);
        if (!sql_opt_expr(o, t->c[i].e)) return NULL;
        top[ntop++] = t->c[i].e;
    }
    return sql_opt_filter_over(o, root, top, ntop);
}

sql_plan *sql_opt_reorder_outer(sql_opt *o, sql_plan *j) {
    if (!sql_ojt_flattenable(j)) return j;
    sql_ojt *t = rt_arena_zalloc(o->arena, sizeof *t);
    if (t == NULL) return sql_opt_oom(o);
    t->o = o;
    t->tree = j;
    uint32_t rels, ojs;
    if (!sql_ojt_add(t, j, 0, 0, &rels, &ojs)) return NULL;
    if (t->fail || t->noj == 0 || t->nrels < 3) return j;
    size_t sets = (size_t)1 << t->nrels;
    t->cost = rt_arena_alloc(o->arena, sizeof(double) * sets);
    t->rows = rt_arena_alloc(o->arena, sizeof(double) * sets);
    t->split = rt_arena_alloc(o->arena, sizeof(uint32_t) * sets);
    if (t->cost == NULL || t->rows == NULL || t->split == NULL) return sql_opt_oom(o);
    sql_ojt_needs(t);
    if (t->fail) return j;
    if (!sql_ojt_limits(t)) return NULL;
    /* Validity does not depend on the estimates: with none yet, a tree these rules find no
     * order for (the written one always has one) keeps the per-join rewrites. */
    for (uint32_t r = 0; r < t->nrels; r++) t->rows[1u << r] = 1;
    sql_ojt_search(t);
    if (isinf(t->cost[(1u << t->nrels) - 1u])) return j;
    memcpy(t->valid_l, t->greedy_l, sizeof t->valid_l);
    memcpy(t->valid_r, t->greedy_r, sizeof t->valid_r);
    if (!sql_ojt_leaves(t)) return NULL;
    for (uint32_t i = 0; i < t->nc; i++) {
        if (t->c[i].rels & (t->c[i].rels - 1)) sql_ojt_sel(t, &t->c[i]);
    }
    sql_ojt_search(t);
    uint32_t full = (1u << t->nrels) - 1u, order[SQL_OJ_RELS_MAX], n = 0;
    RT_ASSERT(t->nrels > SQL_JOIN_DP_RELS_MAX || !isinf(t->cost[full])); /* valid above */
    if (isinf(t->cost[full])) sql_ojt_greedy_replay(t);
    sql_plan *root = sql_ojt_build(t, full, order, &n);
    return root != NULL ? sql_ojt_finish(t, root, order, n) : NULL;
}
