/* sql_agg_numeric.c: the aggregates whose results are numeric, interval or json: sum(int8)
 * and sum(numeric) -> numeric, avg over integers and numeric -> numeric, variance/stddev
 * (samp and pop) over integers and numeric -> numeric, sum/avg over interval, and
 * jsonb_agg/jsonb_object_agg/json_agg/json_object_agg.
 * Integer states are 128-bit sums without pointers, so they are portable (partial on each
 * shard, merged on the coordinator); numeric states keep sql_numeric_accum digit arrays in the
 * aggregation arena, so a partial state is sent flat (sql_num_flatten); json states keep a
 * builder, so those run where the rows meet.
 * variance = (N * Sxx - Sx * Sx) / (N * (N - 1)) (pop: N * N) with numeric division's scale
 * rule, and stddev its square root rounded to that scale, as PostgreSQL computes them. */
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_dt_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_jsonb.h"
#include "sql/sql_numeric.h"

/* Guard digits of stddev's square root before its final rounding. */
#define SQL_AGG_SQRT_EXTRA_DIGITS 16

/* ---- 128-bit integer states ---- */

typedef struct sql_i128_state {
    __int128 sx, sxx;
    int64_t n;
} sql_i128_state;

static void sql_i128_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_i128_state));
}

static bool sql_i128_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    sql_i128_state *s = state;
    __int128 x = args[0].i64;
    s->sx += x;
    s->sxx += x * x; /* only read for int2/int4, where it cannot overflow */
    s->n++;
    return true;
}

/* Integer sums in 128 bits take a row back exactly (sum(int8), avg and variance of
 * integers). */
static bool sql_i128_inverse(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    sql_i128_state *s = state;
    __int128 x = args[0].i64;
    s->sx -= x;
    s->sxx -= x * x;
    s->n--;
    return true;
}

static bool sql_i128_merge(sql_agg_ctx *c, void *state, const void *other) {
    (void)c;
    sql_i128_state *s = state;
    const sql_i128_state *o = other;
    s->sx += o->sx;
    s->sxx += o->sxx;
    s->n += o->n;
    return true;
}

static bool sql_num_from_i128(rt_arena *arena, __int128 v, sql_bytes *out, rt_err *err) {
    char buf[48];
    uint32_t len = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        buf[sizeof buf - 1 - len++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    if (neg) buf[sizeof buf - 1 - len++] = '-';
    return sql_numeric_in(arena, buf + sizeof buf - len, len, SQL_TYPMOD_NONE, out, err);
}

static bool sql_isum_final_num(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_i128_state *s = state;
    out->is_null = s->n == 0;
    return out->is_null || sql_num_from_i128(c->arena, s->sx, &out->b, c->err);
}

static bool sql_iavg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_i128_state *s = state;
    out->is_null = s->n == 0;
    if (out->is_null) return true;
    sql_bytes sum, cnt;
    return sql_num_from_i128(c->arena, s->sx, &sum, c->err) &&
           sql_numeric_from_int64(c->arena, s->n, &cnt, c->err) &&
           sql_numeric_div(c->arena, sum, cnt, &out->b, c->err);
}

/* variance/stddev from N, Sx, Sxx as numerics. */
typedef enum sql_var_kind { VAR_SAMP, VAR_POP, SD_SAMP, SD_POP } sql_var_kind;

static bool sql_var_finish(sql_agg_ctx *c, int64_t n, sql_bytes sx, sql_bytes sxx,
                           sql_var_kind kind, sql_value *out) {
    bool sample = kind == VAR_SAMP || kind == SD_SAMP;
    out->is_null = n == 0 || (sample && n == 1);
    if (out->is_null) return true;
    rt_arena *a = c->arena;
    rt_err *e = c->err;
    sql_bytes nb, num, sq, den, other;
    if (!sql_numeric_from_int64(a, n, &nb, e) || !sql_numeric_mul(a, nb, sxx, &num, e) ||
        !sql_numeric_mul(a, sx, sx, &sq, e) || !sql_numeric_sub(a, num, sq, &num, e) ||
        !sql_numeric_from_int64(a, sample ? n - 1 : n, &other, e) ||
        !sql_numeric_mul(a, nb, other, &den, e)) {
        return false;
    }
    uint8_t zero_buf[SQL_NUMERIC_INT64_BYTES_MAX];
    sql_bytes zero = {.ptr = zero_buf, .len = sql_numeric_from_int64_buf(0, zero_buf)};
    if (!sql_numeric_is_nan(num) && sql_numeric_cmp(num, zero) <= 0) {
        return sql_numeric_from_int64(a, 0, &out->b, e);
    }
    sql_bytes var;
    if (!sql_numeric_div(a, num, den, &var, e)) return false;
    if (kind == VAR_SAMP || kind == VAR_POP) {
        out->b = var;
        return true;
    }
    int32_t scale = 0;
    sql_bytes root, wide;
    if (!sql_numeric_scale(var, &scale)) return sql_numeric_sqrt(a, var, &out->b, e);
    /* PostgreSQL rounds the root once, at the variance's scale: take the root with extra
     * digits (sqrt keeps at least its argument's scale), then round. */
    if (!sql_numeric_round(a, var, scale + SQL_AGG_SQRT_EXTRA_DIGITS, &wide, e) ||
        !sql_numeric_sqrt(a, wide, &root, e)) {
        return false;
    }
    return sql_numeric_round(a, root, scale, &out->b, e);
}

static bool sql_ivar_final(sql_agg_ctx *c, const void *state, sql_value *out,
                           sql_var_kind kind) {
    const sql_i128_state *s = state;
    sql_bytes sx, sxx;
    if (s->n == 0) {
        out->is_null = true;
        return true;
    }
    return sql_num_from_i128(c->arena, s->sx, &sx, c->err) &&
           sql_num_from_i128(c->arena, s->sxx, &sxx, c->err) &&
           sql_var_finish(c, s->n, sx, sxx, kind, out);
}

/* ---- numeric states ---- */

typedef struct sql_num_state {
    sql_numeric_accum sx, sxx;
    int64_t n;
} sql_num_state;

static void sql_num_init(sql_agg_ctx *c, void *state) {
    sql_num_state *s = state;
    memset(s, 0, sizeof *s);
    sql_numeric_accum_init(&s->sx, c->arena);
    sql_numeric_accum_init(&s->sxx, c->arena);
}

/* The argument as a numeric: int8 arguments of variance are encoded into `buf` (the
 * accumulators copy what they add, so nothing is allocated per row for them). */
static sql_bytes sql_num_arg(const sql_value *v, uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX]) {
    if (v->type_oid == SQL_T_NUMERIC) return v->b;
    return (sql_bytes){.ptr = buf, .len = sql_numeric_from_int64_buf(v->i64, buf)};
}

static bool sql_num_sum_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_num_state *s = state;
    uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX];
    s->n++;
    return sql_numeric_accum_add(&s->sx, sql_num_arg(&args[0], buf), c->err);
}

static bool sql_num_sum_step_scaled(sql_agg_ctx *c, void *state, int64_t coef, int32_t scale) {
    sql_num_state *s = state;
    s->n++;
    return sql_numeric_accum_add_scaled(&s->sx, coef, scale, c->err);
}

/* Sxx needs x * x, allocated in the aggregation's arena: a few bytes per row. */
static bool sql_num_var_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_num_state *s = state;
    uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX];
    sql_bytes x = sql_num_arg(&args[0], buf), xx;
    if (!sql_numeric_mul(c->arena, x, x, &xx, c->err)) return false;
    s->n++;
    return sql_numeric_accum_add(&s->sx, x, c->err) &&
           sql_numeric_accum_add(&s->sxx, xx, c->err);
}

/* A PARTIAL node sends the state flat (the accumulators' digits live in its arena): the row
 * count, then Sx and Sxx as sql_numeric_accum_flatten writes them. */
static bool sql_num_flatten(sql_agg_ctx *c, const void *state, sql_bytes *out) {
    const sql_num_state *s = state;
    uint32_t lx = sql_numeric_accum_flat_len(&s->sx), lxx = sql_numeric_accum_flat_len(&s->sxx);
    uint32_t len = (uint32_t)sizeof s->n + lx + lxx;
    uint8_t *buf = rt_arena_alloc(c->arena, len);
    if (buf == NULL) return rt_arena_fail(c->arena, c->err);
    memcpy(buf, &s->n, sizeof s->n);
    sql_numeric_accum_flatten(&s->sx, buf + sizeof s->n);
    sql_numeric_accum_flatten(&s->sxx, buf + sizeof s->n + lx);
    *out = (sql_bytes){.ptr = buf, .len = len};
    return true;
}

/* Merges a state sql_num_flatten wrote (on any shard). */
static bool sql_num_merge(sql_agg_ctx *c, void *state, const void *other) {
    sql_num_state *s = state;
    const uint8_t *p = other;
    int64_t n;
    uint32_t used;
    memcpy(&n, p, sizeof n);
    s->n += n;
    p += sizeof n;
    if (!sql_numeric_accum_merge_flat(&s->sx, p, &used, c->err)) return false;
    return sql_numeric_accum_merge_flat(&s->sxx, p + used, &used, c->err);
}

/* Finals read a copy of the accumulator: the state may be read again (window frames). */
static bool sql_num_sum_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    sql_num_state s = *(const sql_num_state *)state;
    return sql_numeric_accum_sum(&s.sx, c->arena, &out->b, &out->is_null, c->err);
}

static bool sql_num_avg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    sql_num_state s = *(const sql_num_state *)state;
    return sql_numeric_accum_avg(&s.sx, c->arena, &out->b, &out->is_null, c->err);
}

static bool sql_num_var_final(sql_agg_ctx *c, const void *state, sql_value *out,
                              sql_var_kind kind) {
    sql_num_state s = *(const sql_num_state *)state;
    sql_bytes sx, sxx;
    bool null1, null2;
    if (s.n == 0) {
        out->is_null = true;
        return true;
    }
    return sql_numeric_accum_sum(&s.sx, c->arena, &sx, &null1, c->err) &&
           sql_numeric_accum_sum(&s.sxx, c->arena, &sxx, &null2, c->err) &&
           sql_var_finish(c, s.n, sx, sxx, kind, out);
}

#define SQL_VAR_FINALS(prefix, fn)                                                           \
    static bool prefix##_var_samp(sql_agg_ctx *c, const void *s, sql_value *o) {             \
        return fn(c, s, o, VAR_SAMP);                                                        \
    }                                                                                        \
    static bool prefix##_var_pop(sql_agg_ctx *c, const void *s, sql_value *o) {              \
        return fn(c, s, o, VAR_POP);                                                         \
    }                                                                                        \
    static bool prefix##_sd_samp(sql_agg_ctx *c, const void *s, sql_value *o) {              \
        return fn(c, s, o, SD_SAMP);                                                         \
    }                                                                                        \
    static bool prefix##_sd_pop(sql_agg_ctx *c, const void *s, sql_value *o) {               \
        return fn(c, s, o, SD_POP);                                                          \
    }
SQL_VAR_FINALS(sql_ivar, sql_ivar_final)
SQL_VAR_FINALS(sql_nvar, sql_num_var_final)

/* ---- interval sum / avg ---- */

typedef struct sql_iv_state {
    sql_interval sum;
    int64_t n;
} sql_iv_state;

static void sql_iv_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_iv_state));
}

static bool sql_iv_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_iv_state *s = state;
    s->n++;
    return sql_interval_pl(s->sum, sql_dt_interval_get(args[0].b), &s->sum, c->err);
}

static bool sql_iv_merge(sql_agg_ctx *c, void *state, const void *other) {
    sql_iv_state *s = state;
    const sql_iv_state *o = other;
    s->n += o->n;
    return sql_interval_pl(s->sum, o->sum, &s->sum, c->err);
}

static bool sql_iv_final(sql_agg_ctx *c, const void *state, sql_value *out, bool avg) {
    const sql_iv_state *s = state;
    out->is_null = s->n == 0;
    if (out->is_null) return true;
    sql_interval r = s->sum;
    if (avg && !sql_interval_div(s->sum, (double)s->n, &r, c->err)) return false;
    return sql_dt_interval_put(c->arena, r, &out->b, c->err);
}
static bool sql_iv_sum_final(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_iv_final(c, s, o, false);
}
static bool sql_iv_avg_final(sql_agg_ctx *c, const void *s, sql_value *o) {
    return sql_iv_final(c, s, o, true);
}

/* ---- json aggregates ---- */

typedef struct sql_jagg_state {
    sql_json_agg *agg;
} sql_jagg_state;

static void sql_jagg_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_jagg_state));
}

static bool sql_jagg_step_common(sql_agg_ctx *c, void *state, const sql_value *args,
                                 bool object, bool json) {
    sql_jagg_state *s = state;
    if (s->agg == NULL) {
        s->agg = sql_json_agg_create(c->arena, object, json);
        if (s->agg == NULL) return rt_arena_fail(c->arena, c->err);
    }
    sql_json_arg a0, a1;
    if (!sql_json_arg_of(c->io, &args[0], &a0)) return false;
    if (!object) return sql_json_agg_add(s->agg, &a0, c->err);
    return sql_json_arg_of(c->io, &args[1], &a1) && sql_json_agg_add_pair(s->agg, &a0, &a1, c->err);
}
static bool sql_jbagg_step(sql_agg_ctx *c, void *s, const sql_value *a) {
    return sql_jagg_step_common(c, s, a, false, false);
}
static bool sql_jbobj_step(sql_agg_ctx *c, void *s, const sql_value *a) {
    return sql_jagg_step_common(c, s, a, true, false);
}
static bool sql_jagg_step(sql_agg_ctx *c, void *s, const sql_value *a) {
    return sql_jagg_step_common(c, s, a, false, true);
}
static bool sql_jobj_step(sql_agg_ctx *c, void *s, const sql_value *a) {
    return sql_jagg_step_common(c, s, a, true, true);
}

static bool sql_jagg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_jagg_state *s = state;
    out->is_null = s->agg == NULL;
    if (out->is_null) return true;
    if (!sql_json_agg_finish(s->agg, &out->b, c->err)) return false;
    out->is_null = sql_jsonb_is_null(out->b);
    return true;
}

/* ---- registration ---- */

#define AGG(nm, n, a0, a1, r, st, strict_, port, ini, stp, mrg, fin)                         \
    {.name = nm, .nargs = n, .args = {a0, a1}, .ret = r, .state_bytes = st, .strict = strict_, \
     .portable = port, .init = ini, .step = stp, .merge = mrg, .final = fin}
#define NM SQL_T_NUMERIC
#define I128 sizeof(sql_i128_state)
#define NUMST sizeof(sql_num_state)
#define IAGG(nm, t, fin)                                                                     \
    {.name = nm, .nargs = 1, .args = {t, 0}, .ret = NM, .state_bytes = I128, .strict = true,  \
     .portable = true, .init = sql_i128_init, .step = sql_i128_step, .merge = sql_i128_merge, \
     .final = fin, .inverse = sql_i128_inverse}
#define NAGG(nm, t, stp, fin)                                                                \
    {.name = nm, .nargs = 1, .args = {t, 0}, .ret = NM, .state_bytes = NUMST, .strict = true,  \
     .portable = true, .init = sql_num_init, .step = stp, .merge = sql_num_merge,             \
     .flatten = sql_num_flatten, .final = fin}
#define NSUM(nm, fin)                                                                        \
    {.name = nm, .nargs = 1, .args = {NM, 0}, .ret = NM, .state_bytes = NUMST, .strict = true, \
     .portable = true, .init = sql_num_init, .step = sql_num_sum_step,                        \
     .step_scaled = sql_num_sum_step_scaled, .merge = sql_num_merge,                          \
     .flatten = sql_num_flatten, .final = fin}
#define IVARS(t)                                                                             \
    IAGG("variance", t, sql_ivar_var_samp), IAGG("var_samp", t, sql_ivar_var_samp),          \
    IAGG("var_pop", t, sql_ivar_var_pop), IAGG("stddev", t, sql_ivar_sd_samp),               \
    IAGG("stddev_samp", t, sql_ivar_sd_samp), IAGG("stddev_pop", t, sql_ivar_sd_pop)
#define NVARS(t)                                                                             \
    NAGG("variance", t, sql_num_var_step, sql_nvar_var_samp),                                \
    NAGG("var_samp", t, sql_num_var_step, sql_nvar_var_samp),                                \
    NAGG("var_pop", t, sql_num_var_step, sql_nvar_var_pop),                                  \
    NAGG("stddev", t, sql_num_var_step, sql_nvar_sd_samp),                                   \
    NAGG("stddev_samp", t, sql_num_var_step, sql_nvar_sd_samp),                              \
    NAGG("stddev_pop", t, sql_num_var_step, sql_nvar_sd_pop)
#define JAGG(nm, n, a0, a1, r, stp)                                                          \
    AGG(nm, n, a0, a1, r, sizeof(sql_jagg_state), false, false, sql_jagg_init, stp, NULL,    \
        sql_jagg_final)

static const sql_agg_def sql_numeric_aggs[] = {
    IAGG("sum", SQL_T_INT8, sql_isum_final_num),
    IAGG("avg", SQL_T_INT2, sql_iavg_final), IAGG("avg", SQL_T_INT4, sql_iavg_final),
    IAGG("avg", SQL_T_INT8, sql_iavg_final),
    NSUM("sum", sql_num_sum_final), NSUM("avg", sql_num_avg_final),
    IVARS(SQL_T_INT2), IVARS(SQL_T_INT4), NVARS(SQL_T_INT8), NVARS(NM),
    AGG("sum", 1, SQL_T_INTERVAL, 0, SQL_T_INTERVAL, sizeof(sql_iv_state), true, true,
        sql_iv_init, sql_iv_step, sql_iv_merge, sql_iv_sum_final),
    AGG("avg", 1, SQL_T_INTERVAL, 0, SQL_T_INTERVAL, sizeof(sql_iv_state), true, true,
        sql_iv_init, sql_iv_step, sql_iv_merge, sql_iv_avg_final),
    JAGG("jsonb_agg", 1, SQL_T_ANYELEMENT, 0, SQL_T_JSONB, sql_jbagg_step),
    JAGG("jsonb_object_agg", 2, SQL_T_ANY, SQL_T_ANY, SQL_T_JSONB, sql_jbobj_step),
    JAGG("json_agg", 1, SQL_T_ANYELEMENT, 0, SQL_T_JSON, sql_jagg_step),
    JAGG("json_object_agg", 2, SQL_T_ANY, SQL_T_ANY, SQL_T_JSON, sql_jobj_step),
};

void sql_aggs_register_numeric(void) {
    sql_aggs_register(sql_numeric_aggs, sizeof sql_numeric_aggs / sizeof sql_numeric_aggs[0]);
}
