/* sql_plan_outer.c: outer joins the optimiser may rewrite, by PostgreSQL's outer-join
 * identities, so that the cost-based join order sees more of the query.
 *   - Reduction (sql_opt_outer_reduce): a condition above an outer join that cannot be true
 *     when the join's nullable side is NULL-extended (it is "strict" there: `b.x = 1`, `b.x IS
 *     NOT NULL`, an inner join's `c.y = b.x`, `b.x = 1 OR b.y = 2`) removes every NULL-extended
 *     row the join would add, so the join is an inner one (LEFT, RIGHT), or a one-sided one
 *     (FULL with such a condition on one side only). Inner joins may then be reordered freely.
 *     The conditions that count are a WHERE (a FILTER), an inner join's quals, and an outer
 *     join's own ON condition for the subtree on its nullable side (a row of that side that
 *     fails it never matches, whatever the subtree adds). Strictness is kept per column; an OR
 *     rejects a NULL-extended side when each arm is strict in some column of one relation
 *     (a leaf of the join tree) of it, as PostgreSQL's find_nonnullable_rels: a NULL-extended
 *     side is a set of whole relations, all of whose columns are NULL at once. One walk from
 *     the topmost join or filter decides every join below it (each marked `reduced`).
 *   - Associativity (sql_opt_outer_assoc): (A LEFT JOIN B ON pab) LEFT JOIN C ON pbc equals
 *     A LEFT JOIN (B LEFT JOIN C ON pbc) ON pab when pbc does not read A and is strict in B
 *     (a NULL-extended B row never finds a C row either way). Both forms give the row A ++ B
 *     ++ C; whichever is written, the cheaper by estimated rows touched is built (each input
 *     planned on its own, so a chain of such joins is rewritten at every level).
 * A FULL JOIN is never reordered: only reduced when a condition above makes it one-sided.
 * Conditions that hold subqueries or volatile calls keep the written form (they must see
 * exactly the rows the written joins produce). */
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

/* ---- strictness ---- */

/* Marks in cols[] the columns `e` is strict in: when one of them is NULL, `e` is NULL (and,
 * at the top of a conjunct, `top`, also when it is false: AND, OR, IS NOT NULL). `leaf`
 * (NULL: every column its own) gives each column the first column of its relation: an OR is
 * strict in every column of a relation each of its arms is strict in some column of. */
static bool sql_strict_cols(rt_arena *arena, const sql_expr *e, bool top, bool *cols,
                            uint32_t ncols, const uint32_t *leaf) {
    switch (e->kind) {
    case SQL_X_COLUMN:
        if (e->column.depth == 0 && e->column.index < ncols) cols[e->column.index] = true;
        return true;
    case SQL_X_FUNC:
        if (e->func.def == NULL || !(e->func.def->flags & SQL_F_STRICT)) return true;
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (!sql_strict_cols(arena, e->args[i], false, cols, ncols, leaf)) return false;
        }
        return true;
    case SQL_X_COERCE:
    case SQL_X_IN_LIST: /* NULL IN (...) and NULL NOT IN (...) are NULL */
    case SQL_X_NOT:     /* NOT NULL is NULL; NOT false is true, so only the NULL-strict part */
        return sql_strict_cols(arena, e->args[0], false, cols, ncols, leaf);
    case SQL_X_NULLTEST:
        if (!top || !e->test.is_not || e->args[0]->kind == SQL_X_ROW) return true;
        return sql_strict_cols(arena, e->args[0], false, cols, ncols, leaf);
    case SQL_X_AND: /* false when any arm is false or NULL... at the top, where both reject */
        for (uint32_t i = 0; top && i < e->nargs; i++) {
            if (!sql_strict_cols(arena, e->args[i], true, cols, ncols, leaf)) return false;
        }
        return true;
    case SQL_X_OR: { /* rejected only when every arm is: the columns all arms are strict in */
        if (!top || e->nargs == 0) return true;
        bool *all = rt_arena_alloc(arena, ncols + 1u), *arm = rt_arena_alloc(arena, ncols + 1u);
        bool *rel = rt_arena_alloc(arena, ncols + 1u);
        if (all == NULL || arm == NULL || rel == NULL) return false;
        for (uint32_t i = 0; i < e->nargs; i++) {
            memset(arm, 0, ncols + 1u);
            if (!sql_strict_cols(arena, e->args[i], true, arm, ncols, leaf)) return false;
            if (leaf != NULL) { /* strict in a column: strict in its whole relation */
                memset(rel, 0, ncols + 1u);
                for (uint32_t c = 0; c < ncols; c++) rel[leaf[c]] |= arm[c];
                for (uint32_t c = 0; c < ncols; c++) arm[c] = rel[leaf[c]];
            }
            for (uint32_t c = 0; c < ncols; c++) all[c] = i == 0 ? arm[c] : all[c] && arm[c];
        }
        for (uint32_t c = 0; c < ncols; c++) cols[c] |= all[c];
        return true;
    }
    default: return true;
    }
}

bool sql_opt_strict_cols(rt_arena *arena, const sql_expr *e, bool *cols, uint32_t ncols,
                         const uint32_t *leaf) {
    return sql_strict_cols(arena, e, true, cols, ncols, leaf);
}

static bool sql_strict_any(const bool *cols, uint32_t lo, uint32_t hi) {
    for (uint32_t c = lo; cols != NULL && c < hi; c++) {
        if (cols[c]) return true;
    }
    return false;
}

/* ---- reduction ---- */

/* Gives each column of p's row, placed from column `base` of leaf[], the first column of its
 * relation: a leaf of the tree of joins and filters (a table read, a subquery, anything else
 * the walk below does not enter), whose columns a NULL-extending join nulls all at once. */
static void sql_outer_leaves(const sql_plan *p, uint32_t base, uint32_t *leaf) {
    if (p->kind == SQL_P_FILTER && p->left != NULL && p->left->ncols == p->ncols) {
        sql_outer_leaves(p->left, base, leaf);
        return;
    }
    if ((p->kind == SQL_P_NESTLOOP || p->kind == SQL_P_HASHJOIN) && p->left != NULL &&
        p->right != NULL) {
        uint32_t nl = p->left->ncols;
        if (p->ncols == nl + p->right->ncols || p->ncols == nl) {
            sql_outer_leaves(p->left, base, leaf);
            if (p->ncols > nl) sql_outer_leaves(p->right, base + nl, leaf);
            return;
        }
    }
    for (uint32_t c = 0; c < p->ncols; c++) leaf[base + c] = base;
}

static bool sql_outer_reduce(sql_opt *o, sql_plan *p, const bool *strict, const uint32_t *leaf);

/* The columns [lo, hi) of the marks `a` (and `b`), as marks of their own (NULL for none). */
static bool *sql_outer_slice(sql_opt *o, const bool *a, const bool *b, uint32_t lo,
                             uint32_t hi) {
    bool *s = rt_arena_zalloc(o->arena, hi - lo + 1u);
    if (s == NULL) return sql_opt_oom(o);
    for (uint32_t c = lo; c < hi; c++) s[c - lo] = (a != NULL && a[c]) || (b != NULL && b[c]);
    return s;
}

/* The relations of columns [lo, hi) of `leaf`, numbered from lo. */
static uint32_t *sql_outer_leaf_slice(sql_opt *o, const uint32_t *leaf, uint32_t lo,
                                      uint32_t hi) {
    uint32_t *s = rt_arena_alloc(o->arena, sizeof(uint32_t) * (hi - lo + 1u));
    if (s == NULL) return sql_opt_oom(o);
    for (uint32_t c = lo; c < hi; c++) s[c - lo] = leaf[c] - lo;
    return s;
}

/* The relations of join j's quals row (left ++ right) from those of its own row, `leaf`. */
static uint32_t *sql_outer_join_leaves(sql_opt *o, const sql_plan *j, const uint32_t *leaf) {
    uint32_t nl = j->left->ncols, n = nl + j->right->ncols;
    uint32_t *q = rt_arena_alloc(o->arena, sizeof(uint32_t) * (n + 1u));
    if (q == NULL) return sql_opt_oom(o);
    uint32_t have = j->ncols < n ? j->ncols : n;
    memcpy(q, leaf, sizeof(uint32_t) * have);
    if (have < n) sql_outer_leaves(j->right, nl, q); /* a semi or anti join's right side */
    return q;
}

/* Changes the join's type by what `strict` (over its row) rejects, then passes each side the
 * conditions that filter its rows: the join's own quals too when they filter that side. */
static bool sql_outer_reduce_join(sql_opt *o, sql_plan *j, const bool *strict,
                                  const uint32_t *leaf) {
    uint32_t nl = j->left->ncols, nr = j->right->ncols, n = nl + nr;
    uint32_t nout = j->ncols < n ? j->ncols : n;
    j->join.reduced = true;
    bool *local = rt_arena_zalloc(o->arena, n + 1u);
    uint32_t *qleaf = sql_outer_join_leaves(o, j, leaf);
    if (local == NULL || qleaf == NULL) return sql_opt_oom(o);
    if (j->join.quals != NULL &&
        !sql_strict_cols(o->arena, j->join.quals, true, local, n, qleaf)) {
        return sql_opt_oom(o);
    }
    bool on_left = sql_strict_any(strict, 0, nl < nout ? nl : nout);
    bool on_right = sql_strict_any(strict, nl, nout);
    uint32_t *jt = &j->join.join_type;
    bool plain = !j->join.lateral && !j->join.semi && !j->join.anti;
    if (plain && *jt == SQL_JOIN_LEFT && on_right) *jt = SQL_JOIN_INNER;
    if (plain && *jt == SQL_JOIN_RIGHT && on_left) *jt = SQL_JOIN_INNER;
    if (plain && *jt == SQL_JOIN_FULL && (on_left || on_right)) {
        *jt = on_left && on_right ? SQL_JOIN_INNER : on_left ? SQL_JOIN_LEFT : SQL_JOIN_RIGHT;
    }
    bool inner = plain && (*jt == SQL_JOIN_INNER || *jt == SQL_JOIN_CROSS);
    const bool *above = strict != NULL && nout == n ? strict : NULL;
    const bool *lup = *jt == SQL_JOIN_FULL || *jt == SQL_JOIN_RIGHT ? NULL : strict;
    const bool *lown = inner || (plain && *jt == SQL_JOIN_RIGHT) ? local : NULL;
    const bool *rup = inner || (plain && *jt == SQL_JOIN_RIGHT) ? above : NULL;
    const bool *rown = inner || (plain && *jt == SQL_JOIN_LEFT) ? local : NULL;
    bool *ls = sql_outer_slice(o, lup, lown, 0, nl);
    bool *rs = sql_outer_slice(o, rup, rown, nl, n);
    uint32_t *rleaf = sql_outer_leaf_slice(o, qleaf, nl, n);
    if (ls == NULL || rs == NULL || rleaf == NULL) return false;
    if (!sql_outer_reduce(o, j->left, ls, qleaf)) return false;
    return j->join.lateral || sql_outer_reduce(o, j->right, rs, rleaf);
}

/* strict: over p's columns, the ones a condition above p rejects NULL in (NULL: none); leaf:
 * the relation of each (sql_outer_leaves). */
static bool sql_outer_reduce(sql_opt *o, sql_plan *p, const bool *strict, const uint32_t *leaf) {
    if (p->kind == SQL_P_FILTER) {
        bool *s = sql_outer_slice(o, strict, NULL, 0, p->ncols);
        if (s == NULL) return false;
        if (!sql_strict_cols(o->arena, p->filter.pred, true, s, p->ncols, leaf)) {
            return sql_opt_oom(o);
        }
        /* the filter's row is its input's (planned filters only pass on their input) */
        return p->left->ncols != p->ncols || sql_outer_reduce(o, p->left, s, leaf);
    }
    if (p->kind != SQL_P_NESTLOOP || p->join.ordered) return true;
    return sql_outer_reduce_join(o, p, strict, leaf);
}

bool sql_opt_outer_reduce(sql_opt *o, sql_plan *p) {
    /* Once per tree: a walk from above already decided p and everything below it. */
    if (p->kind == SQL_P_NESTLOOP && p->join.reduced) return true;
    if (p->kind == SQL_P_FILTER && p->left->kind == SQL_P_NESTLOOP && p->left->join.reduced) {
        return true;
    }
    uint32_t *leaf = rt_arena_alloc(o->arena, sizeof(uint32_t) * (p->ncols + 1u));
    if (leaf == NULL) return sql_opt_oom(o);
    sql_outer_leaves(p, 0, leaf);
    return sql_outer_reduce(o, p, NULL, leaf);
}

/* ---- associativity of LEFT JOINs ---- */

/* A LEFT JOIN whose inputs may be rearranged: not LATERAL, not a semi or anti join, its
 * order not yet fixed, no subquery or volatile call in its condition. */
static bool sql_assoc_plain(const sql_plan *j) {
    if (j->kind != SQL_P_NESTLOOP || j->join.join_type != SQL_JOIN_LEFT || j->join.lateral ||
        j->join.semi || j->join.anti || j->join.ordered || j->join.quals == NULL) {
        return false;
    }
    sql_expr_info in = sql_expr_info_of(j->join.quals);
    return !in.subquery && !in.volatile_fn && !in.aggref;
}

/* Distinct values of a planned side's column: statistics when it is a column of the analysed
 * table the side reads, else as many as the side has rows (a key). */
static double sql_assoc_distinct(const sql_plan *side, uint32_t col, double *null_frac) {
    *null_frac = 0;
    const eng_table *t = sql_rel_table(side);
    const sql_col *c = &side->cols[col];
    double nd;
    if (t != NULL && c->table_oid == t->oid && c->attnum > 0 &&
        sql_stats_distinct(t, (uint16_t)c->attnum, &nd, null_frac)) {
        return nd < 1 ? 1 : nd;
    }
    return side->est_rows < 1 ? 1 : side->est_rows;
}

/* Selectivity of `l LEFT JOIN r ON quals` (quals over l ++ r) among the l x r pairs, and
 * whether an equality across the sides lets a hash join run. */
static double sql_assoc_sel(const sql_plan *l, const sql_plan *r, sql_expr *quals, bool *equi) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(quals, conj, SQL_PLAN_CONJUNCTS_MAX), nl = l->ncols;
    double sel = 1;
    *equi = false;
    for (uint32_t i = 0; i < n; i++) {
        const sql_expr *c = conj[i];
        bool eq = sql_is_eq_operator(c);
        int s0 = eq ? sql_conj_side(c->args[0], nl) : SQL_SIDE_NONE;
        int s1 = eq ? sql_conj_side(c->args[1], nl) : SQL_SIDE_NONE;
        bool across = (s0 == SQL_SIDE_LEFT && s1 == SQL_SIDE_RIGHT) ||
                      (s0 == SQL_SIDE_RIGHT && s1 == SQL_SIDE_LEFT);
        if (!across) {
            sel *= eq ? SQL_SEL_DEFAULT_EQ : SQL_SEL_DEFAULT_INEQ;
            continue;
        }
        *equi = true;
        const sql_expr *a = c->args[s0 == SQL_SIDE_LEFT ? 0 : 1];
        const sql_expr *b = c->args[s0 == SQL_SIDE_LEFT ? 1 : 0];
        if (a->kind != SQL_X_COLUMN || b->kind != SQL_X_COLUMN) {
            sel *= SQL_SEL_DEFAULT_EQ;
            continue;
        }
        double nfa, nfb;
        double nda = sql_assoc_distinct(l, a->column.index, &nfa);
        double ndb = sql_assoc_distinct(r, b->column.index - nl, &nfb);
        sel *= (1 - nfa) * (1 - nfb) / (nda > ndb ? nda : ndb);
    }
    return sel;
}

/* Rows of a LEFT JOIN: every left row at least once. */
static double sql_assoc_rows(double lrows, double rrows, double sel) {
    double rows = lrows * rrows * sel;
    return rows < lrows ? lrows : rows;
}

/* A planned LEFT JOIN of planned sides: hashed on its equalities, placed by
 * sql_opt_join_strategy; its order fixed. */
static sql_plan *sql_assoc_join(sql_opt *o, sql_plan *l, sql_plan *r, sql_expr *quals,
                                double rows) {
    sql_plan *j = sql_opt_join_pair(o, l, r, SQL_JOIN_LEFT, rows);
    if (j == NULL) return NULL;
    j->join.quals = quals;
    if (quals != NULL && !sql_opt_hash_keys(o, j)) return NULL;
    return sql_opt_join_strategy(o, j);
}

/* Splits a condition over a row into the conjuncts that read only columns [lo, ncols) (out
 * over those columns) and the others (rest over the whole row). */
static bool sql_assoc_split(sql_opt *o, sql_expr *quals, uint32_t lo, uint32_t ncols,
                            sql_expr **only, uint32_t *nonly, sql_expr **rest, uint32_t *nrest) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(quals, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (ncols + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < ncols; i++) map[i] = i < lo ? UINT32_MAX : i - lo;
    *nonly = *nrest = 0;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr_info in = sql_expr_info_of(conj[i]);
        if (in.min_col != UINT32_MAX && in.min_col >= lo) {
            if ((only[(*nonly)++] = sql_expr_remap(o->arena, conj[i], map, ncols)) == NULL) {
                return sql_opt_oom(o);
            }
        } else {
            rest[(*nrest)++] = conj[i];
        }
    }
    return true;
}

typedef struct sql_assoc {
    sql_plan *a, *b, *c;     /* planned, B and C with their ON conditions' own conjuncts */
    sql_expr *qab;           /* over A ++ B (a prefix of A ++ B ++ C) */
    sql_expr *qbc;           /* over A ++ B ++ C */
    sql_expr *qbc_own;       /* the same over B ++ C */
} sql_assoc;

/* Plans A, B and C, each with the conjuncts of the ON conditions that read it alone (the
 * nullable side's filter in both forms). */
static bool sql_assoc_inputs(sql_opt *o, sql_plan *j, sql_assoc *as) {
    sql_plan *x = j->left;
    uint32_t na = x->left->ncols, nb = x->right->ncols, nabc = j->ncols;
    sql_expr *only[SQL_PLAN_CONJUNCTS_MAX], *rest[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nonly, nrest;
    if (!sql_assoc_split(o, x->join.quals, na, x->ncols, only, &nonly, rest, &nrest)) {
        return false;
    }
    if ((as->b = sql_opt_filter_over(o, x->right, only, nonly)) == NULL) return false;
    as->qab = nrest > 0 ? sql_opt_and(o, rest, nrest) : NULL;
    if (nrest > 0 && as->qab == NULL) return false;
    if (!sql_assoc_split(o, j->join.quals, na + nb, nabc, only, &nonly, rest, &nrest)) {
        return false;
    }
    if ((as->c = sql_opt_filter_over(o, j->right, only, nonly)) == NULL) return false;
    as->qbc = nrest > 0 ? sql_opt_and(o, rest, nrest) : NULL;
    if (nrest > 0 && as->qbc == NULL) return false;
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (nabc + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < nabc; i++) map[i] = i < na ? UINT32_MAX : i - na;
    if (as->qbc != NULL && (as->qbc_own = sql_expr_remap(o->arena, as->qbc, map, nabc)) == NULL) {
        return sql_opt_oom(o);
    }
    if ((as->a = sql_opt_node(o, x->left)) == NULL) return false;
    if ((as->b = sql_opt_node(o, as->b)) == NULL) return false;
    if ((as->c = sql_opt_node(o, as->c)) == NULL) return false;
    RT_ASSERT(as->a->ncols == na && as->b->ncols == nb && as->c->ncols == nabc - na - nb);
    return true;
}

/* Whether quals over a row of `ncols` columns (its relations from `side`) are strict in one
 * of columns [lo, hi). */
static bool sql_assoc_strict_in(sql_opt *o, const sql_expr *quals, const sql_plan *side,
                                uint32_t lo, uint32_t hi, bool *strict) {
    uint32_t ncols = side->ncols;
    bool *s = rt_arena_zalloc(o->arena, ncols + 1u);
    uint32_t *leaf = rt_arena_alloc(o->arena, sizeof(uint32_t) * (ncols + 1u));
    if (s == NULL || leaf == NULL) return sql_opt_oom(o);
    sql_outer_leaves(side, 0, leaf);
    if (!sql_strict_cols(o->arena, quals, true, s, ncols, leaf)) return sql_opt_oom(o);
    *strict = sql_strict_any(s, lo, hi);
    return true;
}

/* Whether j is (A LEFT JOIN B ON pab) LEFT JOIN C ON pbc with pbc strict in B and not
 * reading A: then it equals A LEFT JOIN (B LEFT JOIN C ON pbc) ON pab. */
static bool sql_assoc_applies(sql_opt *o, const sql_plan *j, bool *applies) {
    *applies = false;
    const sql_plan *x = j->left;
    if (!sql_assoc_plain(j) || !sql_assoc_plain(x) || x->ncols != x->left->ncols +
                                                                 x->right->ncols) {
        return true;
    }
    uint32_t na = x->left->ncols, nb = x->right->ncols;
    sql_expr_info in = sql_expr_info_of(j->join.quals);
    if (in.min_col != UINT32_MAX && in.min_col < na) return true;
    return sql_assoc_strict_in(o, j->join.quals, j, na, na + nb, applies);
}

/* Whether j is A LEFT JOIN (B LEFT JOIN C ON pbc) ON pab with pbc strict in B and pab not
 * reading C: then it equals (A LEFT JOIN B ON pab) LEFT JOIN C ON pbc (the same identity read
 * the other way). */
static bool sql_assoc_applies_nested(sql_opt *o, const sql_plan *j, bool *applies) {
    *applies = false;
    const sql_plan *y = j->right;
    if (!sql_assoc_plain(j) || !sql_assoc_plain(y) ||
        y->ncols != y->left->ncols + y->right->ncols ||
        j->ncols != j->left->ncols + y->ncols) {
        return true;
    }
    uint32_t na = j->left->ncols, nb = y->left->ncols;
    sql_expr_info in = sql_expr_info_of(j->join.quals);
    if (in.min_col <= in.max_col && in.max_col >= na + nb) return true;
    return sql_assoc_strict_in(o, y->join.quals, y, 0, nb, applies);
}

/* Plans A, B and C of the nested form j = A LEFT JOIN (B LEFT JOIN C ON pbc) ON pab, each
 * with the conjuncts of the ON conditions that read it alone, as sql_assoc_inputs. */
static bool sql_assoc_inputs_nested(sql_opt *o, sql_plan *j, sql_assoc *as) {
    sql_plan *y = j->right;
    uint32_t na = j->left->ncols, nb = y->left->ncols, nbc = y->ncols;
    sql_expr *only[SQL_PLAN_CONJUNCTS_MAX], *rest[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nonly, nrest;
    if (!sql_assoc_split(o, j->join.quals, na, na + nb, only, &nonly, rest, &nrest)) {
        return false;
    }
    if ((as->b = sql_opt_filter_over(o, y->left, only, nonly)) == NULL) return false;
    as->qab = nrest > 0 ? sql_opt_and(o, rest, nrest) : NULL;
    if (nrest > 0 && as->qab == NULL) return false;
    if (!sql_assoc_split(o, y->join.quals, nb, nbc, only, &nonly, rest, &nrest)) return false;
    if ((as->c = sql_opt_filter_over(o, y->right, only, nonly)) == NULL) return false;
    as->qbc_own = nrest > 0 ? sql_opt_and(o, rest, nrest) : NULL;
    if (nrest > 0 && as->qbc_own == NULL) return false;
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (nbc + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < nbc; i++) map[i] = i + na;
    if (as->qbc_own != NULL &&
        (as->qbc = sql_expr_remap(o->arena, as->qbc_own, map, nbc)) == NULL) {
        return sql_opt_oom(o);
    }
    if ((as->a = sql_opt_node(o, j->left)) == NULL) return false;
    if ((as->b = sql_opt_node(o, as->b)) == NULL) return false;
    if ((as->c = sql_opt_node(o, as->c)) == NULL) return false;
    RT_ASSERT(as->a->ncols == na && as->b->ncols == nb && as->c->ncols == nbc - nb);
    return true;
}

sql_plan *sql_opt_outer_assoc(sql_opt *o, sql_plan *j) {
    bool flat_written = false, nested_written = false;
    if (!sql_assoc_applies(o, j, &flat_written)) return NULL;
    if (!flat_written && !sql_assoc_applies_nested(o, j, &nested_written)) return NULL;
    if (!flat_written && !nested_written) return j;
    sql_assoc as = {0};
    if (flat_written ? !sql_assoc_inputs(o, j, &as) : !sql_assoc_inputs_nested(o, j, &as)) {
        return NULL;
    }
    double ra = as.a->est_rows < 1 ? 1 : as.a->est_rows;
    double rb = as.b->est_rows < 1 ? 1 : as.b->est_rows;
    double rc = as.c->est_rows < 1 ? 1 : as.c->est_rows;
    bool eq_ab = false, eq_bc = false;
    double sel_ab = as.qab != NULL ? sql_assoc_sel(as.a, as.b, as.qab, &eq_ab) : 1;
    double sel_bc = as.qbc != NULL ? sql_assoc_sel(as.b, as.c, as.qbc_own, &eq_bc) : 1;
    double ab = sql_assoc_rows(ra, rb, sel_ab), bc = sql_assoc_rows(rb, rc, sel_bc);
    double abc = sql_assoc_rows(ab, rc, sel_bc);
    /* Each form costs its two joins: A LEFT JOIN B first (flat) or B LEFT JOIN C first
     * (nested). On a tie, the written form. */
    double flat = sql_opt_join_cost(ra, rb, ab, eq_ab) + sql_opt_join_cost(ab, rc, abc, eq_bc);
    double nested = sql_opt_join_cost(rb, rc, bc, eq_bc) + sql_opt_join_cost(ra, bc, abc, eq_ab);
    if (flat_written ? nested < flat : nested <= flat) {
        sql_plan *r = sql_assoc_join(o, as.b, as.c, as.qbc_own, bc);
        return r != NULL ? sql_assoc_join(o, as.a, r, as.qab, abc) : NULL;
    }
    sql_plan *l = sql_assoc_join(o, as.a, as.b, as.qab, ab);
    return l != NULL ? sql_assoc_join(o, l, as.c, as.qbc, abc) : NULL;
}
