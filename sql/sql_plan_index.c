/* sql_plan_index.c: secondary-index access paths.
 * A table read whose filter compares the leading column of a B-tree index with row-independent
 * values (`col = v`, `col IN (...)`, `col < v` and the other range operators, BETWEEN as its
 * two bounds; after `=` or IN, `=` on the next index columns too) reads that index instead of
 * every row when the condition is selective: the
 * estimated fraction of rows (sql_stats_selectivity; PostgreSQL's defaults without statistics
 * or with statistics of an empty table, so an equality qualifies and an open range does not) is
 * below SQL_IXSCAN_SELECTIVITY_MAX.
 * The scan keeps its whole filter, index conditions first (ix_nconj of them): the executor
 * re-checks it on the visible version of every candidate row, so the index only narrows. */
#include <string.h>

#include "engine/eng_key.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

/* Past this fraction of the table's rows a sequential scan is cheaper than random lookups. */
#define SQL_IXSCAN_SELECTIVITY_MAX 0.05

typedef struct sql_ix_free {
    bool bad;  /* a column, subquery, aggregate or volatile call */
} sql_ix_free;

static bool sql_ix_free_fn(const sql_expr *e, void *arg) {
    sql_ix_free *f = arg;
    switch (e->kind) {
    case SQL_X_COLUMN: case SQL_X_SUBQUERY: case SQL_X_AGGREF: case SQL_X_WINDOWREF:
        f->bad = true;
        break;
    case SQL_X_FUNC:
        if (e->func.def != NULL && (e->func.def->flags & SQL_F_VOLATILE)) f->bad = true;
        break;
    default: break;
    }
    return !f->bad;
}

/* A value known before the scan starts (constants, parameters, outer columns). */
static bool sql_ix_row_independent(const sql_expr *e) {
    sql_ix_free f = {false};
    sql_expr_walk(e, sql_ix_free_fn, &f);
    return !f.bad;
}

static bool sql_ix_int(uint32_t t) {
    return t == SQL_T_INT2 || t == SQL_T_INT4 || t == SQL_T_INT8;
}

static bool sql_ix_string(uint32_t t) {
    return t == SQL_T_TEXT || t == SQL_T_VARCHAR || t == SQL_T_BPCHAR || t == SQL_T_NAME;
}

/* Values of type `v` compared with column type `col` encode as the column's would. */
static bool sql_ix_types_match(uint32_t col, uint32_t v) {
    if (col == v) return true;
    if (sql_ix_int(col) && sql_ix_int(v)) return true;
    return (col == SQL_T_TEXT || col == SQL_T_VARCHAR) && (v == SQL_T_TEXT || v == SQL_T_VARCHAR);
}

/* Whether `e` is the scan column holding attnum `att`. */
static bool sql_ix_is_col(const sql_plan *scan, const sql_expr *e, uint16_t att) {
    return e->kind == SQL_X_COLUMN && e->column.index < scan->scan.natts &&
           scan->scan.attnums[e->column.index] == att;
}

typedef enum sql_ix_op { SQL_IX_NONE = 0, SQL_IX_EQ, SQL_IX_IN, SQL_IX_LO, SQL_IX_HI } sql_ix_op;

/* What conjunct `c` says about column `att` (of type `type`); *value the bound (EQ, LO, HI)
 * and *incl whether it is included. */
static sql_ix_op sql_ix_classify(const sql_plan *scan, const sql_expr *c, uint16_t att,
                                 uint32_t type, sql_expr **value, bool *incl) {
    if (c->kind == SQL_X_IN_LIST) {
        if (c->test.is_not || !sql_ix_is_col(scan, c->args[0], att)) return SQL_IX_NONE;
        for (uint32_t k = 1; k < c->nargs; k++) {
            if (!sql_ix_row_independent(c->args[k]) ||
                !sql_ix_types_match(type, c->args[k]->type_oid)) {
                return SQL_IX_NONE;
            }
        }
        return SQL_IX_IN;
    }
    if (c->kind != SQL_X_FUNC || c->nargs != 2 || c->func.def == NULL ||
        !c->func.def->is_operator) {
        return SQL_IX_NONE;
    }
    static const char *ops[] = {"=", "<", "<=", ">", ">="};
    uint32_t op = 0;
    while (op < 5 && strcmp(c->func.def->name, ops[op]) != 0) op++;
    if (op == 5) return SQL_IX_NONE;
    for (uint32_t side = 0; side < 2; side++) {
        sql_expr *other = c->args[1 - side];
        if (!sql_ix_is_col(scan, c->args[side], att) || !sql_ix_row_independent(other) ||
            !sql_ix_types_match(type, other->type_oid)) {
            continue;
        }
        *value = other;
        if (op == 0) return SQL_IX_EQ;
        if (sql_ix_string(type)) return SQL_IX_NONE; /* collations may order otherwise */
        *incl = op == 2 || op == 4;
        bool less = op == 1 || op == 2;
        if (side == 1) less = !less; /* `v < col` bounds col from below */
        return less ? SQL_IX_HI : SQL_IX_LO;
    }
    return SQL_IX_NONE;
}

/* The chosen index condition of one index. */
typedef struct sql_ix_pick sql_ix_pick;
struct sql_ix_pick {
    const eng_index *index;
    int32_t eq, in, lo, hi;  /* conjunct positions, -1 = none */
    int32_t more[ENG_INDEX_COLUMNS_MAX]; /* with eq or in: `=` on the next columns */
    uint32_t nmore;
    double sel;
};

/* After `=` or IN on the leading column: `=` conjuncts on the following index columns, as
 * long as each next one has one. */
static void sql_ix_more(const sql_plan *scan, const eng_index *ix, sql_expr **conj, uint32_t n,
                        sql_ix_pick *pk) {
    const eng_table *t = scan->scan.table;
    for (uint32_t c = 1; c < ix->column_count; c++) {
        uint16_t att = ix->attnums[c];
        if (att == 0 || att > t->column_count) return;
        uint32_t type = t->columns[att - 1].type_oid;
        if (!eng_key_type_supported(type)) return;
        int32_t found = -1;
        for (uint32_t i = 0; i < n && found < 0; i++) {
            sql_expr *v;
            bool incl;
            if (sql_ix_classify(scan, conj[i], att, type, &v, &incl) == SQL_IX_EQ) {
                found = (int32_t)i;
            }
        }
        if (found < 0) return;
        pk->more[pk->nmore++] = found;
    }
}

static void sql_ix_consider(rt_arena *arena, const sql_plan *scan, const eng_index *ix,
                            sql_expr **conj, uint32_t n, sql_ix_pick *pk) {
    const eng_table *t = scan->scan.table;
    *pk = (sql_ix_pick){.index = ix, .eq = -1, .in = -1, .lo = -1, .hi = -1, .sel = 2.0};
    uint16_t att = ix->attnums[0];
    if (att == 0 || att > t->column_count) return;
    uint32_t type = t->columns[att - 1].type_oid;
    if (!eng_key_type_supported(type)) return;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *v;
        bool incl;
        switch (sql_ix_classify(scan, conj[i], att, type, &v, &incl)) {
        case SQL_IX_EQ: if (pk->eq < 0) pk->eq = (int32_t)i; break;
        case SQL_IX_IN: if (pk->in < 0) pk->in = (int32_t)i; break;
        case SQL_IX_LO: if (pk->lo < 0) pk->lo = (int32_t)i; break;
        case SQL_IX_HI: if (pk->hi < 0) pk->hi = (int32_t)i; break;
        default: break;
        }
    }
    if (pk->eq >= 0 || pk->in >= 0) sql_ix_more(scan, ix, conj, n, pk);
    sql_expr *cond[2];
    uint32_t nc = 0;
    if (pk->eq >= 0) {
        cond[nc++] = conj[pk->eq];
    } else if (pk->in >= 0) {
        cond[nc++] = conj[pk->in];
    } else {
        if (pk->lo >= 0) cond[nc++] = conj[pk->lo];
        if (pk->hi >= 0) cond[nc++] = conj[pk->hi];
    }
    if (nc == 0) return;
    bool stats = sql_stats_rows(t) > 0;
    double more = 1.0;
    for (uint32_t i = 0; i < pk->nmore; i++) {
        more *= stats ? sql_stats_selectivity(t, scan->scan.attnums, scan->scan.natts,
                                              conj[pk->more[i]])
                      : SQL_SEL_DEFAULT_EQ;
    }
    if (!stats) { /* none, or sampled while empty: PostgreSQL's defaults */
        pk->sel = pk->eq >= 0 ? SQL_SEL_DEFAULT_EQ * more
                  : pk->in >= 0 ? SQL_SEL_DEFAULT_EQ * (conj[pk->in]->nargs - 1) * more
                  : nc == 2 ? SQL_SEL_DEFAULT_EQ : SQL_SEL_DEFAULT_INEQ;
        return;
    }
    double sel = more;
    for (uint32_t i = 0; i < nc; i++) {
        sel *= sql_stats_selectivity(t, scan->scan.attnums, scan->scan.natts, cond[i]);
    }
    if (nc == 2) sel = 1.0;
    sql_expr *isnull = sql_expr_new(arena, SQL_X_NULLTEST, SQL_T_BOOL, 1);
    if (nc == 2 && isnull != NULL) { /* a closed range: the bounds overlap on the non-NULLs */
        const sql_expr *c = conj[pk->lo];
        isnull->args[0] = c->args[c->args[0]->kind == SQL_X_COLUMN ? 0 : 1];
        double nonnull = 1.0 - sql_stats_selectivity(t, scan->scan.attnums, scan->scan.natts,
                                                      isnull);
        double both = sql_stats_selectivity(t, scan->scan.attnums, scan->scan.natts,
                                            conj[pk->lo]) +
                      sql_stats_selectivity(t, scan->scan.attnums, scan->scan.natts,
                                            conj[pk->hi]) - nonnull;
        sel = both > 0 ? both : 0.0;
    }
    pk->sel = sel;
}

static sql_expr *sql_ix_and(rt_arena *arena, sql_expr **conj, uint32_t n) {
    sql_expr *acc = conj[0];
    for (uint32_t i = 1; i < n; i++) {
        sql_expr *a = sql_expr_new(arena, SQL_X_AND, SQL_T_BOOL, 2);
        if (a == NULL) return NULL;
        a->typmod = -1;
        a->location = UINT32_MAX;
        a->args[0] = acc;
        a->args[1] = conj[i];
        acc = a;
    }
    return acc;
}

/* The `=` values of the index columns after the leading one. */
static bool sql_ix_apply_more(rt_arena *arena, sql_plan *scan, const sql_ix_pick *pk,
                              sql_expr **conj, bool *used, rt_err *err) {
    const eng_table *t = scan->scan.table;
    scan->scan.ix_nmore = pk->nmore;
    scan->scan.ix_more = rt_arena_alloc(arena, sizeof(sql_expr *) * (pk->nmore + 1u));
    if (scan->scan.ix_more == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; i < pk->nmore; i++) {
        uint16_t att = pk->index->attnums[i + 1];
        bool incl;
        sql_ix_classify(scan, conj[pk->more[i]], att, t->columns[att - 1].type_oid,
                        &scan->scan.ix_more[i], &incl);
        used[pk->more[i]] = true;
    }
    return true;
}

/* Rewrites `scan` into an IXSCAN with the conditions of `pk`. */
static bool sql_ix_apply(rt_arena *arena, sql_plan *scan, const sql_ix_pick *pk,
                         sql_expr **conj, uint32_t n, rt_err *err) {
    sql_expr **order = rt_arena_alloc(arena, sizeof(sql_expr *) * (n + 1u));
    if (order == NULL) return rt_arena_fail(arena, err);
    bool *used = rt_arena_zalloc(arena, n + 1u);
    if (used == NULL) return rt_arena_fail(arena, err);
    uint32_t k = 0;
    scan->scan.ix_nvals = 0;
    scan->scan.ix_lo = scan->scan.ix_hi = NULL;
    if (pk->eq >= 0 || pk->in >= 0) {
        sql_expr *c = conj[pk->eq >= 0 ? pk->eq : pk->in];
        bool in = pk->eq < 0;
        scan->scan.ix_nvals = in ? c->nargs - 1 : 1;
        scan->scan.ix_vals = rt_arena_alloc(arena, sizeof(sql_expr *) * scan->scan.ix_nvals);
        if (scan->scan.ix_vals == NULL) return rt_arena_fail(arena, err);
        for (uint32_t i = 0; i < scan->scan.ix_nvals; i++) {
            scan->scan.ix_vals[i] = in ? c->args[i + 1]
                                       : (c->args[0]->kind == SQL_X_COLUMN ? c->args[1]
                                                                          : c->args[0]);
        }
        used[pk->eq >= 0 ? pk->eq : pk->in] = true;
        if (!sql_ix_apply_more(arena, scan, pk, conj, used, err)) return false;
    } else {
        const eng_table *t = scan->scan.table;
        uint32_t type = t->columns[pk->index->attnums[0] - 1].type_oid;
        int32_t pos[2] = {pk->lo, pk->hi};
        for (uint32_t b = 0; b < 2; b++) {
            if (pos[b] < 0) continue;
            sql_expr *v;
            bool incl;
            sql_ix_classify(scan, conj[pos[b]], pk->index->attnums[0], type, &v, &incl);
            if (b == 0) scan->scan.ix_lo = v, scan->scan.ix_lo_incl = incl;
            else scan->scan.ix_hi = v, scan->scan.ix_hi_incl = incl;
            used[pos[b]] = true;
        }
    }
    for (uint32_t i = 0; i < n; i++) if (used[i]) order[k++] = conj[i];
    scan->scan.ix_nconj = k;
    for (uint32_t i = 0; i < n; i++) if (!used[i]) order[k++] = conj[i];
    if ((scan->scan.filter = sql_ix_and(arena, order, k)) == NULL) {
        return rt_arena_fail(arena, err);
    }
    scan->scan.index = pk->index;
    scan->kind = SQL_P_IXSCAN;
    return true;
}

bool sql_plan_ixscan(rt_arena *arena, sql_plan *scan, rt_err *err) {
    const eng_table *t = scan->scan.table;
    if (scan->kind != SQL_P_SCAN || t == NULL || scan->scan.filter == NULL ||
        scan->scan.want_slots || scan->scan.lock_strength != 0 || t->index_count == 0) {
        return true;
    }
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(scan->scan.filter, conj, SQL_PLAN_CONJUNCTS_MAX);
    if (n >= SQL_PLAN_CONJUNCTS_MAX) return true; /* the last one may hold several */
    sql_ix_pick best = {.sel = 2.0};
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (ix->method != ENG_INDEX_BTREE || ix->predicate_text != NULL || ix->primary ||
            ix->column_count == 0) {
            continue;
        }
        sql_ix_pick pk;
        sql_ix_consider(arena, scan, ix, conj, n, &pk);
        if (pk.sel < best.sel) best = pk;
    }
    if (best.index == NULL || best.sel >= SQL_IXSCAN_SELECTIVITY_MAX) return true;
    if (!sql_ix_apply(arena, scan, &best, conj, n, err)) return false;
    double rows = sql_stats_rows(t);
    scan->est_rows = rows >= 0 ? rows * best.sel + 1 : 1;
    return true;
}
