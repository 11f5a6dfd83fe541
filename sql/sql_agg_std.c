/* sql_agg_std.c: the registry of aggregates and the standard aggregates that need no numeric
 * arithmetic: count, sum over small integers and floats, avg over floats, min, max, bool_and,
 * bool_or, every, string_agg, array_agg, bit_and, bit_or, stddev and variance over float8. */
#include <math.h>
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_array.h"
#include "sql/sql_types_int.h"

#define SQL_AGGS_MAX 512u

/* Names hash into buckets so a lookup (every function call the binder resolves asks whether
 * it is an aggregate) compares few names: a scan of all of them was the binder's biggest
 * cost (bench/plan_bench.c). Power of two. */
#define SQL_AGG_BUCKETS 256u

static const sql_agg_def *sql_agg_all[SQL_AGGS_MAX];
static uint32_t sql_agg_total;
/* Chains of registration indexes + 1 (0 ends a chain), in registration order. */
static uint16_t sql_agg_head[SQL_AGG_BUCKETS], sql_agg_tail[SQL_AGG_BUCKETS];
static uint16_t sql_agg_next[SQL_AGGS_MAX];
RT_STATIC_ASSERT((SQL_AGG_BUCKETS & (SQL_AGG_BUCKETS - 1)) == 0);
RT_STATIC_ASSERT(SQL_AGGS_MAX < UINT16_MAX);

static uint32_t sql_agg_hash(const char *name) {
    uint32_t h = 0x811c9dc5u;
    for (const char *p = name; *p != '\0'; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    return h & (SQL_AGG_BUCKETS - 1);
}

void sql_aggs_register(const sql_agg_def *defs, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        RT_ASSERT(sql_agg_total < SQL_AGGS_MAX);
        uint32_t h = sql_agg_hash(defs[i].name);
        uint16_t slot = (uint16_t)(sql_agg_total + 1);
        sql_agg_all[sql_agg_total++] = &defs[i];
        if (sql_agg_tail[h] == 0) sql_agg_head[h] = slot;
        else sql_agg_next[sql_agg_tail[h] - 1] = slot;
        sql_agg_tail[h] = slot;
    }
}

sql_agg_list sql_aggs_lookup(const char *name) {
    static _Thread_local const sql_agg_def *scratch[64];
    sql_agg_list out = {.items = scratch, .count = 0};
    for (uint16_t k = sql_agg_head[sql_agg_hash(name)]; k != 0; k = sql_agg_next[k - 1]) {
        if (strcmp(sql_agg_all[k - 1]->name, name) == 0 && out.count < 64) {
            scratch[out.count++] = sql_agg_all[k - 1];
        }
    }
    return out;
}

bool sql_is_aggregate_name(const char *name) {
    for (uint16_t k = sql_agg_head[sql_agg_hash(name)]; k != 0; k = sql_agg_next[k - 1]) {
        if (strcmp(sql_agg_all[k - 1]->name, name) == 0) return true;
    }
    return false;
}

uint32_t sql_aggs_count(void) { return sql_agg_total; }
const sql_agg_def *sql_aggs_at(uint32_t i) { return sql_agg_all[i]; }

void sql_aggs_init(void) {
    if (sql_agg_total > 0) return;
    sql_aggs_register_std();
    sql_aggs_register_numeric();
    sql_aggs_register_vector();
    sql_aggs_register_ordset();
    sql_aggs_register_range();
}

/* ---- count ---- */

static void sql_agg_zero(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(int64_t) * 2);
}

static bool sql_count_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    (void)args;
    (*(int64_t *)state)++;
    return true;
}

static bool sql_count_inverse(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    (void)args;
    (*(int64_t *)state)--;
    return true;
}

static bool sql_count_merge(sql_agg_ctx *c, void *state, const void *other) {
    (void)c;
    *(int64_t *)state += *(const int64_t *)other;
    return true;
}

static bool sql_count_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    out->is_null = false;
    out->i64 = *(const int64_t *)state;
    return true;
}

/* ---- sum over int2/int4 -> int8 (overflow-checked) ---- */

typedef struct sql_isum {
    int64_t sum;
    int64_t count;
} sql_isum;

static bool sql_isum_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_isum *s = state;
    if (__builtin_add_overflow(s->sum, args[0].i64, &s->sum)) {
        return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    }
    s->count++;
    return true;
}

/* int2 / int4 values: a frame's sum cannot overflow the int64 on the way back. */
static bool sql_isum_inverse(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    sql_isum *s = state;
    s->sum -= args[0].i64;
    s->count--;
    return true;
}

static bool sql_isum_merge(sql_agg_ctx *c, void *state, const void *other) {
    sql_isum *s = state;
    const sql_isum *o = other;
    if (__builtin_add_overflow(s->sum, o->sum, &s->sum)) {
        return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    }
    s->count += o->count;
    return true;
}

static bool sql_isum_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    const sql_isum *s = state;
    out->is_null = s->count == 0;
    out->i64 = s->sum;
    return true;
}

/* ---- float sum / avg / variance: Youngs-Cramer as PostgreSQL (N, Sx, Sxx) ---- */

typedef struct sql_fsum {
    double n, sx, sxx;
} sql_fsum;

static bool sql_fsum_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)c;
    sql_fsum *s = state;
    double x = args[0].f64;
    double n = s->n + 1.0, sx = s->sx + x;
    if (s->n > 0) {
        double t = x * n - sx;
        s->sxx += t * t / (n * s->n);
    }
    s->n = n;
    s->sx = sx;
    return true;
}

static bool sql_fsum_merge(sql_agg_ctx *c, void *state, const void *other) {
    (void)c;
    sql_fsum *s = state;
    const sql_fsum *o = other;
    if (o->n == 0) return true;
    if (s->n == 0) {
        *s = *o;
        return true;
    }
    double n = s->n + o->n;
    double t = s->sx / s->n - o->sx / o->n;
    s->sxx += o->sxx + s->n * o->n * t * t / n;
    s->sx += o->sx;
    s->n = n;
    return true;
}

static bool sql_fsum_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_fsum *s = state;
    out->is_null = s->n == 0;
    out->f64 = c->result_type == SQL_T_FLOAT4 ? (double)(float)s->sx : s->sx;
    return true;
}

static bool sql_favg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    const sql_fsum *s = state;
    out->is_null = s->n == 0;
    out->f64 = s->n > 0 ? s->sx / s->n : 0;
    return true;
}

static bool sql_fvar_final_common(const sql_fsum *s, bool sample, bool root, sql_value *out) {
    double d = sample ? s->n - 1 : s->n;
    out->is_null = d <= 0;
    if (out->is_null) return true;
    double v = s->sxx / d;
    out->f64 = root ? sqrt(v) : v;
    return true;
}
static bool sql_var_samp_final(sql_agg_ctx *c, const void *st, sql_value *out) {
    (void)c;
    return sql_fvar_final_common(st, true, false, out);
}
static bool sql_var_pop_final(sql_agg_ctx *c, const void *st, sql_value *out) {
    (void)c;
    return sql_fvar_final_common(st, false, false, out);
}
static bool sql_stddev_samp_final(sql_agg_ctx *c, const void *st, sql_value *out) {
    (void)c;
    return sql_fvar_final_common(st, true, true, out);
}
static bool sql_stddev_pop_final(sql_agg_ctx *c, const void *st, sql_value *out) {
    (void)c;
    return sql_fvar_final_common(st, false, true, out);
}

/* ---- min / max over any ordered type ---- */

typedef struct sql_minmax {
    sql_value v;
    bool set;
} sql_minmax;

static void sql_minmax_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_minmax));
}

static bool sql_minmax_step(sql_agg_ctx *c, void *state, const sql_value *args, bool is_max) {
    sql_minmax *m = state;
    if (m->set) {
        int cmp = sql_value_cmp(&args[0], &m->v);
        if (is_max ? cmp <= 0 : cmp >= 0) return true;
    }
    m->v = args[0];
    m->set = true;
    if (!sql_value_copy(c->arena, &m->v)) return rt_arena_fail(c->arena, c->err);
    return true;
}
static bool sql_min_step(sql_agg_ctx *c, void *s, const sql_value *a) {
    return sql_minmax_step(c, s, a, false);
}
static bool sql_max_step(sql_agg_ctx *c, void *s, const sql_value *a) {
    return sql_minmax_step(c, s, a, true);
}
static bool sql_min_merge(sql_agg_ctx *c, void *s, const void *o) {
    const sql_minmax *m = o;
    return !m->set || sql_minmax_step(c, s, &m->v, false);
}
static bool sql_max_merge(sql_agg_ctx *c, void *s, const void *o) {
    const sql_minmax *m = o;
    return !m->set || sql_minmax_step(c, s, &m->v, true);
}

static bool sql_minmax_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    const sql_minmax *m = state;
    *out = m->v;
    out->is_null = !m->set;
    return true;
}

/* ---- bool_and / bool_or / every, bit_and / bit_or ---- */

typedef struct sql_bits {
    int64_t v;
    bool set;
} sql_bits;

static bool sql_band_step(sql_agg_ctx *c, void *state, const sql_value *a) {
    (void)c;
    sql_bits *b = state;
    b->v = b->set ? (b->v & a[0].i64) : a[0].i64;
    b->set = true;
    return true;
}
static bool sql_bor_step(sql_agg_ctx *c, void *state, const sql_value *a) {
    (void)c;
    sql_bits *b = state;
    b->v = b->set ? (b->v | a[0].i64) : a[0].i64;
    b->set = true;
    return true;
}
static bool sql_band_merge(sql_agg_ctx *c, void *s, const void *o) {
    const sql_bits *b = o;
    sql_value v = {.i64 = b->v};
    return !b->set || sql_band_step(c, s, &v);
}
static bool sql_bor_merge(sql_agg_ctx *c, void *s, const void *o) {
    const sql_bits *b = o;
    sql_value v = {.i64 = b->v};
    return !b->set || sql_bor_step(c, s, &v);
}
static bool sql_bits_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    const sql_bits *b = state;
    out->is_null = !b->set;
    out->i64 = b->v;
    return true;
}

/* ---- string_agg ---- */

typedef struct sql_stragg {
    uint8_t *buf;
    uint32_t len, cap;
    bool set;
} sql_stragg;

static bool sql_stragg_append(sql_agg_ctx *c, sql_stragg *s, const sql_bytes *b) {
    if (s->len + b->len > s->cap) {
        uint32_t cap = s->cap < 64 ? 64 : s->cap;
        while (cap < s->len + b->len) cap *= 2;
        uint8_t *p = rt_arena_grow(c->arena, s->buf, s->len, cap);
        if (p == NULL) return rt_arena_fail(c->arena, c->err);
        s->buf = p;
        s->cap = cap;
    }
    if (b->len > 0) memcpy(s->buf + s->len, b->ptr, b->len);
    s->len += b->len;
    return true;
}

/* string_agg(value, delimiter): NULL values skipped, a NULL delimiter counts as empty. */
static bool sql_stragg_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_stragg *s = state;
    if (args[0].is_null) return true;
    if (s->set && !args[1].is_null && !sql_stragg_append(c, s, &args[1].b)) return false;
    s->set = true;
    return sql_stragg_append(c, s, &args[0].b);
}

static bool sql_stragg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)c;
    const sql_stragg *s = state;
    out->is_null = !s->set;
    out->b = (sql_bytes){.ptr = s->buf, .len = s->len};
    return true;
}

/* ---- array_agg ---- */

typedef struct sql_arragg {
    sql_array_builder b;
    bool started;
} sql_arragg;

static bool sql_arragg_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_arragg *a = state;
    if (!a->started) {
        if (!sql_array_builder_init(&a->b, c->arena, c->arg_type)) {
            return rt_arena_fail(c->arena, c->err);
        }
        a->started = true;
    }
    sql_value v = args[0];
    v.type_oid = c->arg_type;
    if (!sql_array_builder_add(&a->b, &v)) {
        return rt_err_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "array size exceeds the "
                          "maximum allowed (%u)", SQL_ARRAY_ITEMS_MAX);
    }
    return true;
}

static bool sql_arragg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_arragg *a = state;
    out->is_null = !a->started;
    if (out->is_null) return true;
    sql_array_builder copy = a->b; /* finishing reads the builder without changing the state */
    int32_t dims[1] = {(int32_t)copy.count}, lb[1] = {1};
    return sql_array_builder_finish_dims(&copy, 1, dims, lb, &out->b, c->err);
}

#define AGG(nm, n, a0, a1, r, st, strict_, port, ini, stp, mrg, fin)                         \
    {.name = nm, .nargs = n, .args = {a0, a1}, .ret = r, .state_bytes = st, .strict = strict_, \
     .portable = port, .init = ini, .step = stp, .merge = mrg, .final = fin}
/* With an exact inverse (moving window frames). */
#define AGGI(nm, n, a0, r, stp, inv, mrg, fin)                                               \
    {.name = nm, .nargs = n, .args = {a0, 0}, .ret = r, .state_bytes = 16, .strict = n > 0,  \
     .portable = true, .init = sql_agg_zero, .step = stp, .merge = mrg, .final = fin,       \
     .inverse = inv}
#define AE SQL_T_ANYELEMENT
#define ANYA SQL_T_ANYARRAY

static void sql_agg_memzero_minmax(sql_agg_ctx *c, void *s) { sql_minmax_init(c, s); }
static void sql_agg_zero_big(sql_agg_ctx *c, void *s) {
    (void)c;
    memset(s, 0, sizeof(sql_arragg) > sizeof(sql_stragg) ? sizeof(sql_arragg)
                                                         : sizeof(sql_stragg));
}
static void sql_agg_zero_fsum(sql_agg_ctx *c, void *s) {
    (void)c;
    memset(s, 0, sizeof(sql_fsum));
}

static const sql_agg_def sql_std_aggs[] = {
    AGGI("count", 0, 0, SQL_T_INT8, sql_count_step, sql_count_inverse, sql_count_merge,
         sql_count_final),
    AGGI("count", 1, SQL_T_ANY, SQL_T_INT8, sql_count_step, sql_count_inverse, sql_count_merge,
         sql_count_final),
    AGGI("sum", 1, SQL_T_INT2, SQL_T_INT8, sql_isum_step, sql_isum_inverse, sql_isum_merge,
         sql_isum_final),
    AGGI("sum", 1, SQL_T_INT4, SQL_T_INT8, sql_isum_step, sql_isum_inverse, sql_isum_merge,
         sql_isum_final),
    AGG("sum", 1, SQL_T_FLOAT4, 0, SQL_T_FLOAT4, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_fsum_final),
    AGG("sum", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_fsum_final),
    AGG("avg", 1, SQL_T_FLOAT4, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_favg_final),
    AGG("avg", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_favg_final),
    AGG("variance", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_var_samp_final),
    AGG("var_samp", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_var_samp_final),
    AGG("var_pop", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_var_pop_final),
    AGG("stddev", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_stddev_samp_final),
    AGG("stddev_samp", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_stddev_samp_final),
    AGG("stddev_pop", 1, SQL_T_FLOAT8, 0, SQL_T_FLOAT8, 24, true, true, sql_agg_zero_fsum,
        sql_fsum_step, sql_fsum_merge, sql_stddev_pop_final),
    AGG("min", 1, AE, 0, AE, sizeof(sql_minmax), true, false, sql_agg_memzero_minmax,
        sql_min_step, sql_min_merge, sql_minmax_final),
    AGG("max", 1, AE, 0, AE, sizeof(sql_minmax), true, false, sql_agg_memzero_minmax,
        sql_max_step, sql_max_merge, sql_minmax_final),
    AGG("bool_and", 1, SQL_T_BOOL, 0, SQL_T_BOOL, 16, true, true, sql_agg_zero, sql_band_step,
        sql_band_merge, sql_bits_final),
    AGG("every", 1, SQL_T_BOOL, 0, SQL_T_BOOL, 16, true, true, sql_agg_zero, sql_band_step,
        sql_band_merge, sql_bits_final),
    AGG("bool_or", 1, SQL_T_BOOL, 0, SQL_T_BOOL, 16, true, true, sql_agg_zero, sql_bor_step,
        sql_bor_merge, sql_bits_final),
    AGG("bit_and", 1, SQL_T_INT4, 0, SQL_T_INT4, 16, true, true, sql_agg_zero, sql_band_step,
        sql_band_merge, sql_bits_final),
    AGG("bit_or", 1, SQL_T_INT4, 0, SQL_T_INT4, 16, true, true, sql_agg_zero, sql_bor_step,
        sql_bor_merge, sql_bits_final),
    AGG("bit_and", 1, SQL_T_INT8, 0, SQL_T_INT8, 16, true, true, sql_agg_zero, sql_band_step,
        sql_band_merge, sql_bits_final),
    AGG("bit_or", 1, SQL_T_INT8, 0, SQL_T_INT8, 16, true, true, sql_agg_zero, sql_bor_step,
        sql_bor_merge, sql_bits_final),
    AGG("string_agg", 2, SQL_T_TEXT, SQL_T_TEXT, SQL_T_TEXT, sizeof(sql_stragg), false, false,
        sql_agg_zero_big, sql_stragg_step, NULL, sql_stragg_final),
    AGG("string_agg", 2, SQL_T_BYTEA, SQL_T_BYTEA, SQL_T_BYTEA, sizeof(sql_stragg), false, false,
        sql_agg_zero_big, sql_stragg_step, NULL, sql_stragg_final),
    AGG("array_agg", 1, AE, 0, ANYA, sizeof(sql_arragg), false, false, sql_agg_zero_big,
        sql_arragg_step, NULL, sql_arragg_final),
};

void sql_aggs_register_std(void) {
    sql_aggs_register(sql_std_aggs, sizeof sql_std_aggs / sizeof sql_std_aggs[0]);
}
