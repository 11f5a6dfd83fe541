/* sql_plan_index.c: secondary-index access paths.
 * A table read whose filter compares the leading column of a B-tree index with row-independent
 * values (`col = v`, `col IN (...)`, `col < v` and the other range operators, BETWEEN as its
 * two bounds; after `=` or IN, `=` on the next index columns too) reads that index instead of
 * every row when the condition is selective: the
 * estimated rows it finds (sql_stats_selectivity; PostgreSQL's defaults without statistics
 * or with statistics of an empty table, so an equality qualifies and an open range does not),
 * at SQL_IXSCAN_ROW_COST each, cost less than the rows the scan reads. A scan reads only the
 * row groups whose zone maps admit its ranges (`col op const` on an integer-ordered column,
 * as the executor hands them to the store): ANALYZE's zone statistics estimate that share
 * (sql_stats_zone_fraction), so a narrow range on a clustered column makes the scan cheap and
 * it may beat the index.
 * An index column may be an expression: a conjunct's side matches it when it deparses over the
 * same table to the index's text (sql_ixexpr.h). A partial index is a candidate only when the
 * WHERE implies its predicate: each of the predicate's conjuncts is one of the query's (same
 * text, `b = true` read as `b`), or is `col IS NOT NULL` and the query compares col with a
 * constant through a strict operator, or is `col op c1` and the query's `col op c2` implies it
 * by the order of c1 and c2 (a > 1 gives a > 0).
 * The scan keeps its whole filter, index conditions first (ix_nconj of them): the executor
 * re-checks it on the visible version of every candidate row, so the index only narrows. */
#include <string.h>

#include "engine/eng_key.h"
#include "engine/eng_part.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

/* Work of one row found through a secondary index, in rows of a sequential scan (a B-tree
 * descent, a random visit of the row's version and its primary-key check): an index wins
 * below 5% of the rows a scan reads. */
#define SQL_IXSCAN_ROW_COST 20.0

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
    if ((col == SQL_T_INET || col == SQL_T_CIDR) && (v == SQL_T_INET || v == SQL_T_CIDR)) {
        return true; /* one key encoding (eng_key.c) */
    }
    return (col == SQL_T_TEXT || col == SQL_T_VARCHAR) && (v == SQL_T_TEXT || v == SQL_T_VARCHAR);
}

/* Key column k of an index: a table column, or an expression known by its text. */
typedef struct sql_ix_key {
    uint16_t att;        /* 0: an expression */
    const char *text;    /* the expression as the catalog prints it */
} sql_ix_key;

static sql_ix_key sql_ix_key_of(const eng_index *ix, uint32_t k) {
    return (sql_ix_key){ix->attnums[k], ix->attnums[k] == 0 ? ix->expr_text[k] : NULL};
}

/* Whether `e` is key column `key`: the scan column holding its attnum, or an expression that
 * deparses (over the same table) to the index's text. */
static bool sql_ix_is_col(const sql_plan *scan, const sql_expr *e, sql_ix_key key) {
    if (key.att != 0) {
        e = sql_expr_unrelabel(e);
        return e->kind == SQL_X_COLUMN && e->column.index < scan->scan.natts &&
               scan->scan.attnums[e->column.index] == key.att;
    }
    if (key.text == NULL || e->kind == SQL_X_CONST || e->kind == SQL_X_PARAM) return false;
    rt_arena *a = rt_arena_create(1u << 20);
    sql_strbuf sb;
    sql_strbuf_init(&sb, a, 64);
    bool same = sql_ixexpr_column_text(&sb, scan->scan.table, scan->scan.attnums,
                                       scan->scan.natts, e, false) &&
                sb.len == strlen(key.text) && memcmp(sb.data, key.text, sb.len) == 0;
    rt_arena_destroy(a);
    return same;
}

/* The type of key column k; false when the B-tree cannot search it. */
static bool sql_ix_key_type(const eng_table *t, const eng_index *ix, uint32_t k, uint32_t *type) {
    int32_t typmod;
    rt_err tmp;
    rt_err_clear(&tmp);
    if (ix->attnums[k] > t->column_count) return false;
    return sql_ixexpr_key_type(t, ix, k, type, &typmod, &tmp) && eng_key_type_supported(*type);
}

typedef enum sql_ix_op { SQL_IX_NONE = 0, SQL_IX_EQ, SQL_IX_IN, SQL_IX_LO, SQL_IX_HI } sql_ix_op;

/* What conjunct `c` says about column `att` (of type `type`); *value the bound (EQ, LO, HI)
 * and *incl whether it is included. */
static sql_ix_op sql_ix_classify(const sql_plan *scan, const sql_expr *c, sql_ix_key att,
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
        sql_ix_key att = sql_ix_key_of(ix, c);
        uint32_t type;
        if (!sql_ix_key_type(t, ix, c, &type)) return;
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
    sql_ix_key att = sql_ix_key_of(ix, 0);
    uint32_t type;
    if (!sql_ix_key_type(t, ix, 0, &type)) return;
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
        isnull->args[0] = c->args[sql_ix_is_col(scan, c->args[0], att) ? 0 : 1];
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
        bool incl;
        uint32_t type = 0;
        sql_ix_key_type(t, pk->index, i + 1, &type);
        sql_ix_classify(scan, conj[pk->more[i]], sql_ix_key_of(pk->index, i + 1), type,
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
        bool left = sql_ix_is_col(scan, c->args[0], sql_ix_key_of(pk->index, 0));
        for (uint32_t i = 0; i < scan->scan.ix_nvals; i++) {
            scan->scan.ix_vals[i] = in ? c->args[i + 1] : (left ? c->args[1] : c->args[0]);
        }
        used[pk->eq >= 0 ? pk->eq : pk->in] = true;
        if (!sql_ix_apply_more(arena, scan, pk, conj, used, err)) return false;
    } else {
        uint32_t type = 0;
        sql_ix_key_type(scan->scan.table, pk->index, 0, &type);
        int32_t pos[2] = {pk->lo, pk->hi};
        for (uint32_t b = 0; b < 2; b++) {
            if (pos[b] < 0) continue;
            sql_expr *v;
            bool incl;
            sql_ix_classify(scan, conj[pos[b]], sql_ix_key_of(pk->index, 0), type, &v, &incl);
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

/* `x = true` (either side). */
static bool sql_ix_true_eq(const sql_expr *e) {
    if (e->kind != SQL_X_FUNC || e->nargs != 2 || e->func.def == NULL ||
        !e->func.def->is_operator || strcmp(e->func.def->name, "=") != 0) {
        return false;
    }
    for (uint32_t i = 0; i < 2; i++) {
        const sql_expr *c = e->args[i];
        if (c->kind == SQL_X_CONST && c->type_oid == SQL_T_BOOL && !c->constval.is_null &&
            c->constval.i64 != 0) {
            return true;
        }
    }
    return false;
}

/* ---- partial indexes: does the query's WHERE imply the index's predicate? ---- */

/* A condition's text with `b = true` read as `b`, as PostgreSQL's planner simplifies it;
 * NULL if it cannot be printed. attnums NULL: table columns (a bound predicate). */
static const char *sql_ix_canon(rt_arena *a, const sql_plan *scan, const uint16_t *attnums,
                                const sql_expr *e) {
    if (sql_ix_true_eq(e)) e = e->args[0]->kind == SQL_X_CONST ? e->args[1] : e->args[0];
    sql_strbuf sb;
    sql_strbuf_init(&sb, a, 64);
    if (!sql_ixexpr_deparse(&sb, scan->scan.table, attnums, scan->scan.natts, e, false)) {
        return NULL;
    }
    sql_strbuf_putc(&sb, '\0');
    return sb.failed ? NULL : sb.data;
}

/* The attnum `e` reads when it is a plain column (scan columns, or table columns). */
static uint16_t sql_ix_attnum(const sql_plan *scan, const uint16_t *attnums, const sql_expr *e) {
    if (e->kind != SQL_X_COLUMN) return 0;
    if (attnums == NULL) return (uint16_t)(e->column.index + 1);
    return e->column.index < scan->scan.natts ? attnums[e->column.index] : 0;
}

/* `col IS NOT NULL` follows from a strict comparison of col with a non-NULL value, or from
 * `col IN (...)`. */
static bool sql_ix_implies_not_null(const sql_plan *scan, const sql_expr *q, uint16_t att) {
    const uint16_t *sa = scan->scan.attnums;
    if (q->kind == SQL_X_IN_LIST) {
        return !q->test.is_not && sql_ix_attnum(scan, sa, q->args[0]) == att;
    }
    if (q->kind != SQL_X_FUNC || q->nargs != 2 || q->func.def == NULL ||
        !q->func.def->is_operator || !(q->func.def->flags & SQL_F_STRICT)) {
        return false;
    }
    for (uint32_t side = 0; side < 2; side++) {
        const sql_expr *o = q->args[1 - side];
        if (sql_ix_attnum(scan, sa, q->args[side]) == att && o->kind == SQL_X_CONST &&
            !o->constval.is_null) {
            return true;
        }
    }
    return false;
}

/* `col op constant` in either order: the column, the operator with the column on the left
 * (SQL_IX_RANGE_OPS order) and the constant. attnums NULL: table columns. */
static bool sql_ix_col_op_const(const sql_plan *scan, const uint16_t *attnums, const sql_expr *e,
                                uint16_t *att, uint32_t *op, const sql_value **c) {
    static const char *const ops[] = {"=", "<", "<=", ">", ">=", "<>"};
    static const uint32_t flipped[] = {0, 3, 4, 1, 2, 5};
    if (e->kind != SQL_X_FUNC || e->nargs != 2 || e->func.def == NULL ||
        !e->func.def->is_operator) {
        return false;
    }
    uint32_t o = 0;
    while (o < 6 && strcmp(e->func.def->name, ops[o]) != 0) o++;
    for (uint32_t side = 0; o < 6 && side < 2; side++) {
        const sql_expr *k = e->args[1 - side];
        uint16_t a = sql_ix_attnum(scan, attnums, e->args[side]);
        if (a == 0 || k->kind != SQL_X_CONST || k->constval.is_null) continue;
        *att = a;
        *op = side == 0 ? o : flipped[o];
        *c = &k->constval;
        return true;
    }
    return false;
}

/* Whether the query's `col op2 c2` implies the predicate's `col op1 c1` by the order of the
 * constants (PostgreSQL's prover does the same for B-tree operators): a > 1 gives a > 0,
 * a = 5 gives a <> 0. Strings are left out (a collation may order them otherwise). */
static bool sql_ix_range_implies(const sql_plan *scan, const sql_expr *q, const sql_expr *p) {
    uint16_t qa, pa;
    uint32_t qo, po;
    const sql_value *qc, *pc;
    if (!sql_ix_col_op_const(scan, scan->scan.attnums, q, &qa, &qo, &qc) ||
        !sql_ix_col_op_const(scan, NULL, p, &pa, &po, &pc) || qa != pa ||
        qc->type_oid != pc->type_oid || sql_ix_string(qc->type_oid)) {
        return false;
    }
    int d = sql_value_cmp(qc, pc); /* c2 against c1 */
    switch (po) {
    case 0: return qo == 0 && d == 0;
    case 1: return (qo == 1 && d <= 0) || ((qo == 0 || qo == 2) && d < 0);
    case 2: return qo <= 2 && d <= 0;
    case 3: return (qo == 3 && d >= 0) || ((qo == 0 || qo == 4) && d > 0);
    case 4: return (qo == 0 || qo == 3 || qo == 4) && d >= 0;
    default:
        return (qo == 0 && d != 0) || (qo == 1 && d <= 0) || (qo == 2 && d < 0) ||
               (qo == 3 && d >= 0) || (qo == 4 && d > 0);
    }
}

static bool sql_ix_pred_one(rt_arena *a, const sql_plan *scan, const sql_expr *p,
                            const char **qtext, sql_expr **conj, uint32_t n) {
    const char *ptext = sql_ix_canon(a, scan, NULL, p);
    for (uint32_t i = 0; ptext != NULL && i < n; i++) {
        if (qtext[i] != NULL && strcmp(qtext[i], ptext) == 0) return true;
    }
    if (p->kind == SQL_X_NULLTEST && p->test.is_not && p->nargs == 1) {
        uint16_t att = sql_ix_attnum(scan, NULL, p->args[0]);
        for (uint32_t i = 0; att != 0 && i < n; i++) {
            if (sql_ix_implies_not_null(scan, conj[i], att)) return true;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (sql_ix_range_implies(scan, conj[i], p)) return true;
    }
    return false;
}

/* True when every conjunct of the index's predicate is one of the query's conjuncts (after
 * the same normalisation) or follows from one (IS NOT NULL from a strict comparison). */
static bool sql_ix_pred_implied(const sql_plan *scan, const eng_index *ix, sql_expr **conj,
                                uint32_t n) {
    if (ix->predicate_text == NULL) return true;
    rt_arena *a = rt_arena_create(1u << 20);
    rt_err tmp;
    rt_err_clear(&tmp);
    sql_expr *exprs[ENG_INDEX_COLUMNS_MAX], *pred;
    const char **qtext = rt_arena_zalloc(a, sizeof(char *) * (n + 1u));
    bool ok = qtext != NULL && sql_ixexpr_bind(a, scan->scan.table, ix, exprs, &pred, &tmp);
    sql_expr *pc[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t np = ok ? sql_plan_conjuncts(pred, pc, SQL_PLAN_CONJUNCTS_MAX) : 0;
    ok = ok && np < SQL_PLAN_CONJUNCTS_MAX;
    for (uint32_t i = 0; ok && i < n; i++) {
        qtext[i] = sql_ix_canon(a, scan, scan->scan.attnums, conj[i]);
    }
    for (uint32_t j = 0; ok && j < np; j++) ok = sql_ix_pred_one(a, scan, pc[j], qtext, conj, n);
    rt_arena_destroy(a);
    return ok;
}

bool sql_plan_index_pred_implied(const eng_table *t, const eng_index *ix, sql_expr *cond) {
    if (ix->predicate_text == NULL) return true;
    if (cond == NULL) return false;
    rt_arena *a = rt_arena_create(1u << 16);
    sql_plan *scan = sql_plan_new(a, SQL_P_SCAN, 0);
    uint16_t *attnums = rt_arena_alloc(a, sizeof(uint16_t) * (t->column_count + 1u));
    bool ok = scan != NULL && attnums != NULL;
    if (ok) {
        /* A scan of every column in table order: the bound condition's column numbers hold. */
        for (uint32_t c = 0; c < t->column_count; c++) attnums[c] = (uint16_t)(c + 1);
        scan->scan.table = t;
        scan->scan.attnums = attnums;
        scan->scan.natts = t->column_count;
        sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
        uint32_t n = sql_plan_conjuncts(cond, conj, SQL_PLAN_CONJUNCTS_MAX);
        ok = n < SQL_PLAN_CONJUNCTS_MAX && sql_ix_pred_implied(scan, ix, conj, n);
    }
    rt_arena_destroy(a);
    return ok;
}

/* Whether `e` is a range conjunct `col op const` the executor hands the store
 * (sql_exec_scan.c: op one of = < <= > >=, either side, both of one zone family, a constant
 * or a parameter): SQL_IX_ZONE_KNOWN with its column's attnum and [lo, hi] for a constant,
 * SQL_IX_ZONE_PARAM for a parameter or a text equality (the store gets it, the plan does not
 * count it). */
enum { SQL_IX_ZONE_NONE = 0, SQL_IX_ZONE_PARAM, SQL_IX_ZONE_KNOWN };
static int sql_ix_zone_range(const sql_plan *scan, const sql_expr *e, uint16_t *att,
                             int64_t *lo, int64_t *hi) {
    static const char *const ops[] = {"=", "<", "<=", ">", ">="};
    if (e->kind != SQL_X_FUNC || e->nargs != 2 || e->func.def == NULL ||
        !e->func.def->is_operator) {
        return SQL_IX_ZONE_NONE;
    }
    uint32_t op = 0;
    while (op < 5 && strcmp(e->func.def->name, ops[op]) != 0) op++;
    uint32_t col = e->args[0]->kind == SQL_X_COLUMN ? 0 : 1;
    const sql_expr *c = e->args[col], *k = e->args[1 - col];
    int fam = sql_stats_zone_family(c->type_oid);
    if (op == 5 || c->kind != SQL_X_COLUMN || c->column.depth != 0 ||
        c->column.index >= scan->scan.natts || scan->scan.attnums[c->column.index] == 0 ||
        fam == 0 || (k->kind != SQL_X_CONST && k->kind != SQL_X_PARAM) ||
        sql_stats_zone_family(k->type_oid) != fam) {
        return SQL_IX_ZONE_NONE;
    }
    /* A custom plan knows the parameter's value (sql_stats_plan_param): judged as a constant. */
    const sql_value *kv = k->kind == SQL_X_PARAM ? sql_stats_plan_param(k->param) : &k->constval;
    if (k->kind == SQL_X_PARAM && (kv == NULL || kv->type_oid != k->type_oid)) {
        return SQL_IX_ZONE_PARAM;
    }
    if (kv->is_null) return SQL_IX_ZONE_NONE; /* left to the filter */
    /* Equality on a byte-ordered type (text): the store skips by it all the same, but the
     * estimate leaves it out, as the dictionaries and indexes serve it and a value missing
     * from the sampled zones would price the scan at nothing against an index's few reads. */
    if (op == 0 && fam >= SQL_STATS_ZONE_BYTES_FAMILY) return SQL_IX_ZONE_PARAM;
    if (col == 1 && op >= 1) op = op <= 2 ? op + 2 : op - 2; /* const < col: col > const */
    bool exact;
    int64_t v = sql_stats_zone_key(kv, &exact);
    *att = scan->scan.attnums[c->column.index];
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    if (op == 0 || op == 3 || op == 4) *lo = exact && op == 3 && v < INT64_MAX ? v + 1 : v;
    if (op == 0 || op == 1 || op == 2) *hi = exact && op == 1 && v > INT64_MIN ? v - 1 : v;
    return SQL_IX_ZONE_KNOWN;
}

/* The estimated fraction of the table's rows in row groups the scan's ranges let the store
 * skip: the first ENG_SCAN_RANGES_MAX range conjuncts, as the executor takes them, merged per
 * column (a group whose zone misses one column's intersected range misses one of its ranges);
 * the columns' shares read may overlap, so the smallest counts. Parameters of a generic plan
 * are unknown here: their ranges skip nothing in the estimate. */
static double sql_ix_zone_skip(const sql_plan *scan, sql_expr **conj, uint32_t n) {
    uint16_t atts[ENG_SCAN_RANGES_MAX];
    int64_t los[ENG_SCAN_RANGES_MAX], his[ENG_SCAN_RANGES_MAX];
    uint32_t ncols = 0, nranges = 0;
    for (uint32_t i = 0; i < n && nranges < ENG_SCAN_RANGES_MAX; i++) {
        uint16_t att;
        int64_t lo, hi;
        int kind = sql_ix_zone_range(scan, conj[i], &att, &lo, &hi);
        nranges += kind != SQL_IX_ZONE_NONE;
        if (kind != SQL_IX_ZONE_KNOWN) continue;
        uint32_t k = 0;
        while (k < ncols && atts[k] != att) k++;
        if (k == ncols) {
            atts[ncols] = att, los[ncols] = lo, his[ncols++] = hi;
            continue;
        }
        if (lo > los[k]) los[k] = lo;
        if (hi < his[k]) his[k] = hi;
    }
    double read = 1;
    for (uint32_t k = 0; k < ncols; k++) {
        double f = sql_stats_zone_fraction(scan->scan.table, atts[k], los[k], his[k]);
        if (f < read) read = f;
    }
    return 1 - read;
}

bool sql_plan_ixscan(rt_arena *arena, sql_plan *scan, rt_err *err) {
    const eng_table *t = scan->scan.table;
    if (scan->kind != SQL_P_SCAN || t == NULL) return true;
    double rows = sql_stats_rows(t);
    if (rows < 0) rows = SQL_PLAN_DEFAULT_ROWS;
    scan->est_cost = rows;
    if (scan->scan.filter == NULL) return true;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(scan->scan.filter, conj, SQL_PLAN_CONJUNCTS_MAX);
    if (n >= SQL_PLAN_CONJUNCTS_MAX) return true; /* the last one may hold several */
    scan->scan.skip_frac = sql_ix_zone_skip(scan, conj, n);
    double read = 1 - scan->scan.skip_frac;
    scan->est_cost = rows * read;
    if (scan->scan.want_slots || scan->scan.lock_strength != 0 || t->index_count == 0) {
        return true;
    }
    sql_ix_pick best = {.sel = 2.0};
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (ix->method != ENG_INDEX_BTREE || ix->primary || ix->column_count == 0 ||
            ix->invalid || !sql_ix_pred_implied(scan, ix, conj, n)) {
            continue;
        }
        sql_ix_pick pk;
        sql_ix_consider(arena, scan, ix, conj, n, &pk);
        if (pk.sel < best.sel) best = pk;
    }
    if (best.index == NULL || best.sel * SQL_IXSCAN_ROW_COST >= read) return true;
    if (!sql_ix_apply(arena, scan, &best, conj, n, err)) return false;
    double known = sql_stats_rows(t);
    scan->est_rows = known >= 0 ? known * best.sel + 1 : 1;
    scan->est_cost = rows * best.sel * SQL_IXSCAN_ROW_COST;
    scan->scan.skip_frac = 0;
    return true;
}
