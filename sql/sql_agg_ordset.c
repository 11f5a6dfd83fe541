/* sql_agg_ordset.c: the ordered-set aggregates (percentile_cont, percentile_disc, mode, each
 * called with WITHIN GROUP (ORDER BY x)) and the GROUPING() pseudo-aggregate.
 * The executor buffers an ordered-set call's rows and steps them sorted by x (sql_exec_agg.c),
 * so a state only collects the non-NULL x values in that order and remembers the direct
 * argument (the fraction or the array of fractions); final picks or interpolates, as
 * PostgreSQL 15 defines it:
 *   percentile_cont(f): at position f * (n - 1), interpolated linearly between its neighbours
 *     (lo + (hi - lo) * fraction) over float8 or interval;
 *   percentile_disc(f): the first value whose position (1-based) reaches f * n;
 *   mode(): the most frequent value, the first in sort order among equally frequent ones.
 * A NULL fraction gives NULL; one outside [0, 1] fails with 22003 "percentile value %g is not
 * between 0 and 1", checked before the rows (an empty group too); no rows give NULL.
 * Memory:  the collected values live in the aggregation's arena (not portable: these run on
 *          the coordinator). */
#include <math.h>
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_array.h"
#include "sql/sql_dt_int.h"

typedef struct sql_osa_state {
    sql_value direct;        /* the direct argument, once seen */
    bool have_direct;
    sql_value *vals;         /* the non-NULL sorted inputs */
    uint64_t count, cap;
} sql_osa_state;

static void sql_osa_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_osa_state));
}

static bool sql_osa_add(sql_agg_ctx *c, sql_osa_state *s, const sql_value *v) {
    if (v->is_null) return true;
    if (s->count == s->cap) {
        uint64_t cap = s->cap == 0 ? 16 : s->cap * 2;
        sql_value *n = rt_arena_grow(c->arena, s->vals, sizeof(sql_value) * s->cap,
                                     sizeof(sql_value) * cap);
        if (n == NULL) return rt_arena_fail(c->arena, c->err);
        s->vals = n;
        s->cap = cap;
    }
    s->vals[s->count++] = *v; /* its bytes are in the aggregation's arena already */
    return true;
}

/* percentile_*(fraction) WITHIN GROUP (ORDER BY x): args = fraction, x. */
static bool sql_pct_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_osa_state *s = state;
    if (!s->have_direct) {
        s->direct = args[0];
        s->have_direct = true;
    }
    return sql_osa_add(c, s, &args[1]);
}

static bool sql_pct_check(sql_agg_ctx *c, double f) {
    if (f >= 0 && f <= 1) return true;
    if (isnan(f)) {
        return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "percentile value NaN is not between 0 and 1");
    }
    return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "percentile value %g is not between 0 and 1", f);
}

/* The value at fraction f of the sorted values, interpolated (cont) or not (disc). */
static bool sql_pct_at(sql_agg_ctx *c, const sql_osa_state *s, double f, bool cont,
                       bool interval, sql_value *out) {
    uint64_t n = s->count;
    if (!cont) {
        double rownum = ceil(f * (double)n);
        uint64_t idx = rownum > 1 ? (uint64_t)rownum - 1 : 0;
        *out = s->vals[idx < n ? idx : n - 1];
        return true;
    }
    double pos = f * (double)(n - 1);
    uint64_t lo = (uint64_t)floor(pos), hi = (uint64_t)ceil(pos);
    double frac = pos - (double)lo;
    out->is_null = false;
    if (!interval) {
        double a = s->vals[lo].f64, b = s->vals[hi].f64;
        out->f64 = lo == hi ? a : a + frac * (b - a);
        return true;
    }
    sql_interval a = sql_dt_interval_get(s->vals[lo].b), r = a;
    if (lo != hi) {
        sql_interval diff, part;
        if (!sql_interval_mi(sql_dt_interval_get(s->vals[hi].b), a, &diff, c->err) ||
            !sql_interval_mul(diff, frac, &part, c->err) ||
            !sql_interval_pl(a, part, &r, c->err)) {
            return false;
        }
    }
    return sql_dt_interval_put(c->arena, r, &out->b, c->err);
}

static bool sql_pct_final(sql_agg_ctx *c, const void *state, sql_value *out, bool cont,
                          bool interval) {
    const sql_osa_state *s = state;
    out->is_null = true;
    if (!s->have_direct || s->direct.is_null) return true;
    double f = s->direct.f64;
    if (!sql_pct_check(c, f)) return false;
    if (s->count == 0) return true;
    uint32_t type = out->type_oid;
    if (!sql_pct_at(c, s, f, cont, interval, out)) return false;
    if (cont) out->type_oid = type;
    return true;
}

/* The array forms: one result per fraction, NULL for a NULL fraction, dimensions kept. */
static bool sql_pct_final_array(sql_agg_ctx *c, const void *state, sql_value *out, bool cont,
                                bool interval) {
    const sql_osa_state *s = state;
    out->is_null = true;
    if (!s->have_direct || s->direct.is_null) return true;
    sql_array_view v;
    sql_array_view_of(&s->direct.b, &v);
    sql_array_iter it;
    sql_value f;
    sql_array_iter_init(&it, &v);
    while (sql_array_iter_next(&it, &f)) {
        if (!f.is_null && !sql_pct_check(c, f.f64)) return false;
    }
    if (s->count == 0) return true;
    uint32_t elem = cont ? (interval ? SQL_T_INTERVAL : SQL_T_FLOAT8)
                         : sql_type_elem_of(c->result_type);
    sql_array_builder b;
    if (!sql_array_builder_init(&b, c->arena, elem)) return rt_arena_fail(c->arena, c->err);
    sql_array_iter_init(&it, &v);
    while (sql_array_iter_next(&it, &f)) {
        sql_value r = {.type_oid = elem, .is_null = true};
        if (!f.is_null && !sql_pct_at(c, s, f.f64, cont, interval, &r)) return false;
        r.type_oid = elem;
        if (!sql_array_builder_add(&b, &r)) return rt_arena_fail(c->arena, c->err);
    }
    out->is_null = false;
    if (v.ndim == 0) return sql_array_builder_finish(&b, &out->b) ||
                            rt_arena_fail(c->arena, c->err);
    return sql_array_builder_finish_dims(&b, v.ndim, v.dims, v.lbounds, &out->b, c->err);
}

static bool sql_pct_cont_f8(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_pct_final(c, s, o, true, false);
}
static bool sql_pct_cont_iv(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_pct_final(c, s, o, true, true);
}
static bool sql_pct_disc(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_pct_final(c, s, o, false, false);
}
static bool sql_pct_cont_f8_arr(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_pct_final_array(c, s, o, true, false);
}
static bool sql_pct_cont_iv_arr(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_pct_final_array(c, s, o, true, true);
}
static bool sql_pct_disc_arr(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_pct_final_array(c, s, o, false, false);
}

/* mode() WITHIN GROUP (ORDER BY x): args = x. */
static bool sql_mode_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    return sql_osa_add(c, state, &args[0]);
}

static bool sql_mode_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    const sql_osa_state *s = state;
    out->is_null = s->count == 0;
    if (out->is_null) return true;
    uint64_t best = 0, best_n = 0, run = 0, run_n = 0;
    for (uint64_t i = 0; i <= s->count; i++) {
        if (i < s->count && run_n > 0 && sql_value_cmp(&s->vals[run], &s->vals[i]) == 0) {
            run_n++;
            continue;
        }
        if (run_n > best_n) { /* strictly more: ties keep the earlier value */
            best = run;
            best_n = run_n;
        }
        run = i;
        run_n = 1;
    }
    uint32_t type = out->type_oid;
    *out = s->vals[best];
    out->type_oid = type;
    return true;
}

/* ---- GROUPING() ---- */

static void sql_grouping_init(sql_agg_ctx *c, void *state) {
    (void)c;
    (void)state;
}
static bool sql_grouping_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    (void)state;
    (void)args;
    return true;
}
static bool sql_grouping_merge(sql_agg_ctx *c, void *state, const void *other) {
    (void)c;
    (void)state;
    (void)other;
    return true;
}
static bool sql_grouping_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    (void)state;
    out->is_null = false;
    out->i64 = 0;
    return true;
}

static const sql_agg_def sql_grouping_def = {
    .name = "grouping", .ret = SQL_T_INT4, .state_bytes = 0, .portable = true,
    .init = sql_grouping_init, .step = sql_grouping_step, .merge = sql_grouping_merge,
    .final = sql_grouping_final};

const sql_agg_def *sql_agg_grouping(void) { return &sql_grouping_def; }

/* ---- registry ---- */

#define OSA(nm, n, a0, a1, r, fin, oid_)                                                      \
    {.name = nm, .nargs = n, .args = {a0, a1}, .ret = r, .oid = oid_,                        \
     .state_bytes = sizeof(sql_osa_state), .ordered_set = true,                                \
     .init = sql_osa_init, .step = (n) == 1 ? sql_mode_step : sql_pct_step, .final = fin}
#define F8 SQL_T_FLOAT8
#define F8A SQL_T_FLOAT8_ARRAY
#define IV SQL_T_INTERVAL

static const sql_agg_def sql_ordset_aggs[] = {
    OSA("percentile_disc", 2, F8, SQL_T_ANYELEMENT, SQL_T_ANYELEMENT, sql_pct_disc, 3972),
    OSA("percentile_cont", 2, F8, F8, F8, sql_pct_cont_f8, 3974),
    OSA("percentile_cont", 2, F8, IV, IV, sql_pct_cont_iv, 3976),
    OSA("percentile_disc", 2, F8A, SQL_T_ANYELEMENT, SQL_T_ANYARRAY, sql_pct_disc_arr, 3978),
    OSA("percentile_cont", 2, F8A, F8, F8A, sql_pct_cont_f8_arr, 3980),
    OSA("percentile_cont", 2, F8A, IV, SQL_T_INTERVAL_ARRAY, sql_pct_cont_iv_arr, 3982),
    OSA("mode", 1, SQL_T_ANYELEMENT, 0, SQL_T_ANYELEMENT, sql_mode_final, 3984),
};

void sql_aggs_register_ordset(void) {
    sql_aggs_register(sql_ordset_aggs, sizeof sql_ordset_aggs / sizeof sql_ordset_aggs[0]);
}
