/* sql_fn_vector.c: pgvector's functions, operators and aggregates over `vector`:
 *   distances   l2_distance `<->`, cosine_distance `<=>`, inner_product and
 *               vector_negative_inner_product `<#>`, l1_distance `<+>`, and the support
 *               functions vector_l2_squared_distance and vector_spherical_distance;
 *   arithmetic  vector_add `+`, vector_sub `-`, vector_mul `*` (elementwise), vector_concat `||`;
 *   others      vector_dims, vector_norm, l2_normalize, subvector, vector_cmp and vector_lt..gt
 *               (the comparison operators themselves come with every ordered type in
 *               sql_fn_cmp.c, through the type's order: elements first, then dimensions);
 *               the cast functions vector(vector, int, bool), array_to_vector and
 *               vector_to_float4 (the casts themselves are sql_cast.c's);
 *   aggregates  avg(vector) (sums in double precision) and sum(vector) (sums in float32, as
 *               pgvector's vector_add), and avg's support functions over pgvector's float8[]
 *               state, callable by name: vector_accum, vector_combine, vector_avg.
 * Numbers follow pgvector: distances sum in float32 with the SIMD kernels of eng_dist.h and
 * finish in double (sqrt of the float sum, cosine's quotient), so `'[1,2,3]' <-> '[4,5,6]'`
 * prints 5.196152422706632 like pgvector; vector_norm and l2_normalize sum in double
 * (vector_norm('[3e37,4e37]') is finite). Results differ from pgvector's only by the order of
 * the float32 sum (lanes), never for sums that are exact.
 * Errors as pgvector 0.7: 22000 "different vector dimensions %d and %d", 22003 "value out of
 * range: overflow|underflow", 22000 "vector must have at least 1 dimension", 54000 past
 * ENG_VECTOR_DIMS_MAX (Dreambase's limit where pgvector has 16000). */
#include <math.h>
#include <stdalign.h>
#include <string.h>

#include "engine/eng_dist.h"
#include "sql/sql_agg.h"
#include "sql/sql_array.h"
#include "sql/sql_funcs_int.h"

/* sql_type_vector.c's element and dimension check (NaN, infinity, 1..ENG_VECTOR_DIMS_MAX). */
bool sql_vector_check(sql_io_ctx *io, const float *x, uint32_t dims, int32_t typmod);

#define SQL_VECFN_KERNEL(name)                                                                \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

/* The floats of a vector value, 4-byte aligned: values decoded into the arena and the column
 * store's chunks already are; anything else (a slice of a wire buffer) is copied once. */
static const float *sql_vecfn_floats(rt_arena *arena, const sql_bytes *b, uint32_t *dims) {
    *dims = b->len / (uint32_t)sizeof(float);
    if (((uintptr_t)b->ptr & (alignof(float) - 1)) == 0) return (const float *)b->ptr;
    float *copy = rt_arena_alloc(arena, b->len + 1);
    if (copy != NULL) memcpy(copy, b->ptr, b->len);
    return copy;
}

static bool sql_vecfn_dims_differ(rt_err *err, uint32_t a, uint32_t b) {
    return rt_err_set(err, SQLSTATE_DATA_EXCEPTION, "different vector dimensions %u and %u", a,
                      b);
}

/* Both arguments of row i, which must have the same dimensions. */
static bool sql_vecfn_pair(sql_fctx *f, sql_vec **args, uint32_t i, const float **x,
                           const float **y, uint32_t *dims) {
    uint32_t da, db;
    *x = sql_vecfn_floats(f->arena, &args[0]->b[i], &da);
    *y = sql_vecfn_floats(f->arena, &args[1]->b[i], &db);
    if (*x == NULL || *y == NULL) return rt_arena_fail(f->arena, f->err);
    if (da != db) return sql_vecfn_dims_differ(f->err, da, db);
    *dims = da;
    return true;
}

/* A result vector of `dims` floats in the arena (NULL past its budget). */
static float *sql_vecfn_new(rt_arena *arena, uint32_t dims) {
    float *r = rt_arena_alloc(arena, (size_t)dims * sizeof(float) + 1);
    if (r != NULL) memset(r, 0, (size_t)dims * sizeof(float));
    return r;
}

static void sql_vecfn_set(sql_vec *out, uint32_t i, const float *r, uint32_t dims) {
    out->b[i] = (sql_bytes){.ptr = (const uint8_t *)r, .len = dims * (uint32_t)sizeof(float)};
}

static bool sql_vecfn_overflow(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
}

static bool sql_vecfn_too_many(rt_err *err) {
    return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                      "vector cannot have more than %d dimensions", ENG_VECTOR_DIMS_MAX);
}

/* ---- distances ---- */

typedef double (*sql_vecfn_metric)(const float *a, const float *b, uint32_t dims);

static double sql_vecfn_l2(const float *a, const float *b, uint32_t dims) {
    return sqrt((double)eng_dist_l2sq(a, b, dims));
}
static double sql_vecfn_l2sq(const float *a, const float *b, uint32_t dims) {
    return (double)eng_dist_l2sq(a, b, dims);
}
static double sql_vecfn_dot(const float *a, const float *b, uint32_t dims) {
    return (double)eng_dist_dot(a, b, dims);
}
static double sql_vecfn_neg_dot(const float *a, const float *b, uint32_t dims) {
    return -(double)eng_dist_dot(a, b, dims);
}

/* 1 - cos: the three float sums, then sqrt(|a|^2 |b|^2) in double (one rounding less than
 * |a| |b|); NaN when a norm is zero or a sum overflowed, as pgvector; clamped to [0, 2]. */
static double sql_vecfn_cosine(const float *a, const float *b, uint32_t dims) {
    double dot = eng_dist_dot(a, b, dims);
    double na = eng_dist_norm_sq(a, dims), nb = eng_dist_norm_sq(b, dims);
    double sim = dot / sqrt(na * nb);
    if (isnan(sim)) return NAN;
    if (sim > 1) sim = 1;
    if (sim < -1) sim = -1;
    return 1.0 - sim;
}

/* Sum of |a_i - b_i| in float32 (no SIMD kernel exists for it; the loop auto-vectorises). */
static double sql_vecfn_l1(const float *a, const float *b, uint32_t dims) {
    float sum = 0;
    for (uint32_t i = 0; i < dims; i++) sum += fabsf(a[i] - b[i]);
    return (double)sum;
}

/* Angle / pi of two unit vectors (pgvector's spherical k-means distance). */
static double sql_vecfn_spherical(const float *a, const float *b, uint32_t dims) {
    double dot = eng_dist_dot(a, b, dims);
    if (dot > 1) dot = 1;
    if (dot < -1) dot = -1;
    return acos(dot) / M_PI;
}

static bool sql_vecfn_distance(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out, sql_vecfn_metric metric) {
    SQL_FOR_ACTIVE(i) {
        const float *x, *y;
        uint32_t dims;
        if (!sql_vecfn_pair(f, args, i, &x, &y, &dims)) return false;
        out->f64[i] = metric(x, y, dims);
    }
    return true;
}

#define SQL_VECFN_DISTANCE(name, metric)                                                      \
    SQL_VECFN_KERNEL(name) { return sql_vecfn_distance(f, n, active, args, out, metric); }
SQL_VECFN_DISTANCE(sql_vecfn_l2_k, sql_vecfn_l2)
SQL_VECFN_DISTANCE(sql_vecfn_l2sq_k, sql_vecfn_l2sq)
SQL_VECFN_DISTANCE(sql_vecfn_dot_k, sql_vecfn_dot)
SQL_VECFN_DISTANCE(sql_vecfn_neg_dot_k, sql_vecfn_neg_dot)
SQL_VECFN_DISTANCE(sql_vecfn_cosine_k, sql_vecfn_cosine)
SQL_VECFN_DISTANCE(sql_vecfn_l1_k, sql_vecfn_l1)
SQL_VECFN_DISTANCE(sql_vecfn_spherical_k, sql_vecfn_spherical)

/* ---- elementwise arithmetic ---- */

typedef enum sql_vecfn_op { VECFN_ADD, VECFN_SUB, VECFN_MUL } sql_vecfn_op;

/* One row of + - *: an infinite result is an overflow; a product that rounds to zero from
 * non-zero factors is an underflow (pgvector's checks). */
static bool sql_vecfn_arith_row(sql_fctx *f, const float *x, const float *y, uint32_t dims,
                                sql_vecfn_op op, float *r) {
    for (uint32_t k = 0; k < dims; k++) {
        r[k] = op == VECFN_ADD ? x[k] + y[k] : op == VECFN_SUB ? x[k] - y[k] : x[k] * y[k];
    }
    for (uint32_t k = 0; k < dims; k++) {
        if (isinf(r[k])) return sql_vecfn_overflow(f->err);
        if (op == VECFN_MUL && r[k] == 0 && x[k] != 0 && y[k] != 0) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "value out of range: underflow");
        }
    }
    return true;
}

static bool sql_vecfn_arith(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out, sql_vecfn_op op) {
    SQL_FOR_ACTIVE(i) {
        const float *x, *y;
        uint32_t dims;
        if (!sql_vecfn_pair(f, args, i, &x, &y, &dims)) return false;
        float *r = sql_vecfn_new(f->arena, dims);
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        if (!sql_vecfn_arith_row(f, x, y, dims, op, r)) return false;
        sql_vecfn_set(out, i, r, dims);
    }
    return true;
}

SQL_VECFN_KERNEL(sql_vecfn_add) { return sql_vecfn_arith(f, n, active, args, out, VECFN_ADD); }
SQL_VECFN_KERNEL(sql_vecfn_sub) { return sql_vecfn_arith(f, n, active, args, out, VECFN_SUB); }
SQL_VECFN_KERNEL(sql_vecfn_mul) { return sql_vecfn_arith(f, n, active, args, out, VECFN_MUL); }

SQL_VECFN_KERNEL(sql_vecfn_concat) {
    SQL_FOR_ACTIVE(i) {
        uint32_t da, db;
        const float *x = sql_vecfn_floats(f->arena, &args[0]->b[i], &da);
        const float *y = sql_vecfn_floats(f->arena, &args[1]->b[i], &db);
        if (x == NULL || y == NULL) return rt_arena_fail(f->arena, f->err);
        if (da + db > ENG_VECTOR_DIMS_MAX) return sql_vecfn_too_many(f->err);
        float *r = sql_vecfn_new(f->arena, da + db);
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        memcpy(r, x, (size_t)da * sizeof(float));
        memcpy(r + da, y, (size_t)db * sizeof(float));
        sql_vecfn_set(out, i, r, da + db);
    }
    return true;
}

/* ---- functions of one vector ---- */

SQL_VECFN_KERNEL(sql_vecfn_dims) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = args[0]->b[i].len / (uint32_t)sizeof(float);
    return true;
}

/* The Euclidean norm summed in double, so large elements do not overflow a float sum. */
static double sql_vecfn_norm_of(const float *x, uint32_t dims) {
    double sum = 0;
    for (uint32_t k = 0; k < dims; k++) sum += (double)x[k] * (double)x[k];
    return sqrt(sum);
}

SQL_VECFN_KERNEL(sql_vecfn_norm) {
    SQL_FOR_ACTIVE(i) {
        uint32_t dims;
        const float *x = sql_vecfn_floats(f->arena, &args[0]->b[i], &dims);
        if (x == NULL) return rt_arena_fail(f->arena, f->err);
        out->f64[i] = sql_vecfn_norm_of(x, dims);
    }
    return true;
}

/* x / |x|; the zero vector stays zero (pgvector's choice, not NaN). */
SQL_VECFN_KERNEL(sql_vecfn_normalize) {
    SQL_FOR_ACTIVE(i) {
        uint32_t dims;
        const float *x = sql_vecfn_floats(f->arena, &args[0]->b[i], &dims);
        float *r = x != NULL ? sql_vecfn_new(f->arena, dims) : NULL;
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        double norm = sql_vecfn_norm_of(x, dims);
        if (norm > 0) {
            for (uint32_t k = 0; k < dims; k++) r[k] = (float)(x[k] / norm);
            for (uint32_t k = 0; k < dims; k++) {
                if (isinf(r[k])) return sql_vecfn_overflow(f->err);
            }
        }
        sql_vecfn_set(out, i, r, dims);
    }
    return true;
}

/* subvector(v, start, count): 1-based like substr; the range is clipped to the vector and
 * must keep at least one element. */
SQL_VECFN_KERNEL(sql_vecfn_subvector) {
    SQL_FOR_ACTIVE(i) {
        uint32_t dims;
        const float *x = sql_vecfn_floats(f->arena, &args[0]->b[i], &dims);
        if (x == NULL) return rt_arena_fail(f->arena, f->err);
        int64_t start = args[1]->i64[i], end = start + args[2]->i64[i];
        if (start < 1) start = 1;
        if (end > (int64_t)dims) end = (int64_t)dims + 1;
        if (end - start < 1) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION,
                              "vector must have at least 1 dimension");
        }
        float *r = sql_vecfn_new(f->arena, (uint32_t)(end - start));
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        memcpy(r, x + start - 1, (size_t)(end - start) * sizeof(float));
        sql_vecfn_set(out, i, r, (uint32_t)(end - start));
    }
    return true;
}

/* ---- comparison functions (the operators are sql_fn_cmp.c's, through the type's order) ---- */

typedef enum sql_vecfn_cmp_op { VCMP_CMP, VCMP_LT, VCMP_LE, VCMP_EQ, VCMP_NE, VCMP_GE, VCMP_GT }
    sql_vecfn_cmp_op;

static bool sql_vecfn_compare(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                              sql_vec *out, sql_vecfn_cmp_op op) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_value a, b;
        sql_vec_get(args[0], i, &a);
        sql_vec_get(args[1], i, &b);
        int c = sql_value_cmp(&a, &b);
        c = c < 0 ? -1 : c > 0;
        switch (op) {
        case VCMP_CMP: out->i64[i] = c; break;
        case VCMP_LT: out->i64[i] = c < 0; break;
        case VCMP_LE: out->i64[i] = c <= 0; break;
        case VCMP_EQ: out->i64[i] = c == 0; break;
        case VCMP_NE: out->i64[i] = c != 0; break;
        case VCMP_GE: out->i64[i] = c >= 0; break;
        case VCMP_GT: out->i64[i] = c > 0; break;
        }
    }
    return true;
}

#define SQL_VECFN_CMP(name, op)                                                               \
    SQL_VECFN_KERNEL(name) { return sql_vecfn_compare(f, n, active, args, out, op); }
SQL_VECFN_CMP(sql_vecfn_cmp, VCMP_CMP)
SQL_VECFN_CMP(sql_vecfn_lt, VCMP_LT)
SQL_VECFN_CMP(sql_vecfn_le, VCMP_LE)
SQL_VECFN_CMP(sql_vecfn_eq, VCMP_EQ)
SQL_VECFN_CMP(sql_vecfn_ne, VCMP_NE)
SQL_VECFN_CMP(sql_vecfn_ge, VCMP_GE)
SQL_VECFN_CMP(sql_vecfn_gt, VCMP_GT)

/* ---- cast functions, callable by name as in pgvector ---- */

/* Checks row i's dimensions against the typmod argument (-1: any). */
static bool sql_vecfn_typmod_check(sql_fctx *f, const sql_vec *v, const sql_vec *typmods,
                                   uint32_t i) {
    int64_t typmod = typmods->i64[i];
    uint32_t dims = v->b[i].len / (uint32_t)sizeof(float);
    if (typmod != -1 && typmod != (int64_t)dims) {
        return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION, "expected %lld dimensions, not %u",
                          (long long)typmod, dims);
    }
    return true;
}

/* vector(vector, typmod, explicit): the typmod coercion. */
SQL_VECFN_KERNEL(sql_vecfn_coerce) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_vecfn_typmod_check(f, args[0], args[1], i)) return false;
        out->b[i] = args[0]->b[i];
    }
    return true;
}

/* array_to_vector(int[] | real[] | double precision[] | numeric[], typmod, explicit). */
SQL_VECFN_KERNEL(sql_vecfn_from_array) {
    if (!sql_cast_vec(f, n, active, args[0], SQL_T_VECTOR, -1, true, out)) return false;
    SQL_FOR_ACTIVE(i) {
        if (!sql_vecfn_typmod_check(f, out, args[1], i)) return false;
    }
    return true;
}

/* vector_to_float4(vector, typmod, explicit) -> real[]. */
SQL_VECFN_KERNEL(sql_vecfn_to_float4) {
    return sql_cast_vec(f, n, active, args[0], SQL_T_FLOAT4_ARRAY, -1, true, out);
}

/* ---- pgvector's aggregate support functions over its float8[] state ----
 * The state is {count, sum_1, ..., sum_dims}; '{0}' is the empty state. avg(vector) itself
 * runs on sql_vecagg_* below, these are the same steps callable by name. */

/* The state array of row i as doubles (its element count in *count): one-dimensional, at
 * least one element, no NULLs, float8 (pgvector's check; an internal error there too). */
static const double *sql_vecfn_state(sql_fctx *f, const sql_bytes *b, const char *caller,
                                     uint32_t *count) {
    sql_array_view av;
    sql_array_view_of(b, &av);
    if (av.ndim != 1 || av.nitems < 1 || av.has_nulls || av.elem_oid != SQL_T_FLOAT8) {
        rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR, "%s: expected state array", caller);
        return NULL;
    }
    double *x = rt_arena_alloc(f->arena, (size_t)av.nitems * sizeof(double));
    if (x == NULL) {
        rt_arena_fail(f->arena, f->err);
        return NULL;
    }
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    for (uint32_t k = 0; sql_array_iter_next(&it, &e); k++) x[k] = e.f64;
    *count = av.nitems;
    return x;
}

static bool sql_vecfn_state_out(sql_fctx *f, const double *x, uint32_t count, sql_bytes *out) {
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, SQL_T_FLOAT8)) {
        return rt_arena_fail(f->arena, f->err);
    }
    for (uint32_t k = 0; k < count; k++) {
        sql_value e = {.type_oid = SQL_T_FLOAT8, .f64 = x[k]};
        if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(f->arena, f->err);
    }
    if (!sql_array_builder_finish(&b, out)) return rt_arena_fail(f->arena, f->err);
    return true;
}

/* vector_accum(state, vector): one more row. */
SQL_VECFN_KERNEL(sql_vecfn_accum) {
    SQL_FOR_ACTIVE(i) {
        uint32_t count, dims;
        const double *st = sql_vecfn_state(f, &args[0]->b[i], "vector_accum", &count);
        const float *x = st != NULL ? sql_vecfn_floats(f->arena, &args[1]->b[i], &dims) : NULL;
        if (st == NULL) return false;
        double *r = x != NULL ? rt_arena_alloc(f->arena, ((size_t)dims + 1) * sizeof(double))
                              : NULL;
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        bool fresh = count == 1;
        if (!fresh && count - 1 != dims) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION, "expected %u dimensions, not %u",
                              count - 1, dims);
        }
        r[0] = st[0] + 1.0;
        for (uint32_t k = 0; k < dims; k++) {
            r[k + 1] = fresh ? (double)x[k] : st[k + 1] + x[k];
            if (isinf(r[k + 1])) return sql_vecfn_overflow(f->err);
        }
        if (!sql_vecfn_state_out(f, r, dims + 1, &out->b[i])) return false;
    }
    return true;
}

/* vector_combine(state, state): two partial states merged. */
SQL_VECFN_KERNEL(sql_vecfn_combine) {
    SQL_FOR_ACTIVE(i) {
        uint32_t c1, c2;
        const double *s1 = sql_vecfn_state(f, &args[0]->b[i], "vector_combine", &c1);
        const double *s2 = s1 != NULL ? sql_vecfn_state(f, &args[1]->b[i], "vector_combine",
                                                        &c2) : NULL;
        if (s2 == NULL) return false;
        if (s1[0] == 0.0 || s2[0] == 0.0) { /* an empty side: the other one */
            const double *keep = s1[0] == 0.0 ? s2 : s1;
            if (!sql_vecfn_state_out(f, keep, keep == s1 ? c1 : c2, &out->b[i])) return false;
            continue;
        }
        if (c1 != c2) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION, "expected %u dimensions, not %u",
                              c1 - 1, c2 - 1);
        }
        double *r = rt_arena_alloc(f->arena, (size_t)c1 * sizeof(double));
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        for (uint32_t k = 0; k < c1; k++) {
            r[k] = s1[k] + s2[k];
            if (isinf(r[k])) return sql_vecfn_overflow(f->err);
        }
        if (!sql_vecfn_state_out(f, r, c1, &out->b[i])) return false;
    }
    return true;
}

/* vector_avg(state): the average vector, NULL for the empty state. */
SQL_VECFN_KERNEL(sql_vecfn_state_avg) {
    SQL_FOR_ACTIVE(i) {
        uint32_t count;
        const double *st = sql_vecfn_state(f, &args[0]->b[i], "vector_avg", &count);
        if (st == NULL) return false;
        if (st[0] == 0.0) {
            out->nulls[i] = 1;
            continue;
        }
        uint32_t dims = count - 1;
        if (dims < 1) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION,
                              "vector must have at least 1 dimension");
        }
        if (dims > ENG_VECTOR_DIMS_MAX) return sql_vecfn_too_many(f->err);
        float *r = sql_vecfn_new(f->arena, dims);
        if (r == NULL) return rt_arena_fail(f->arena, f->err);
        for (uint32_t k = 0; k < dims; k++) r[k] = (float)(st[k + 1] / st[0]);
        sql_io_ctx io = {.arena = f->arena, .err = f->err};
        if (!sql_vector_check(&io, r, dims, -1)) return false;
        sql_vecfn_set(out, i, r, dims);
    }
    return true;
}

/* ---- registration ---- */

#define V SQL_T_VECTOR
#define F8 SQL_T_FLOAT8
#define I4 SQL_T_INT4
#define B SQL_T_BOOL
#define FN(nm, r, k, ...)                                                                     \
    {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4, .args = {__VA_ARGS__},       \
     .ret = r, .flags = SQL_F_STRICT, .fn = k}
#define OP(sym, res, k, com, pro)                                                             \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {V, V}, .ret = res,                \
     .flags = SQL_F_STRICT, .fn = k, .commutator = com, .proname = pro}

static const sql_func_def sql_vector_defs[] = {
    FN("l2_distance", F8, sql_vecfn_l2_k, V, V),
    FN("inner_product", F8, sql_vecfn_dot_k, V, V),
    FN("cosine_distance", F8, sql_vecfn_cosine_k, V, V),
    FN("l1_distance", F8, sql_vecfn_l1_k, V, V),
    FN("vector_l2_squared_distance", F8, sql_vecfn_l2sq_k, V, V),
    FN("vector_negative_inner_product", F8, sql_vecfn_neg_dot_k, V, V),
    FN("vector_spherical_distance", F8, sql_vecfn_spherical_k, V, V),
    OP("<->", F8, sql_vecfn_l2_k, "<->", "l2_distance"),
    OP("<#>", F8, sql_vecfn_neg_dot_k, "<#>", "vector_negative_inner_product"),
    OP("<=>", F8, sql_vecfn_cosine_k, "<=>", "cosine_distance"),
    OP("<+>", F8, sql_vecfn_l1_k, "<+>", "l1_distance"),
    FN("vector_add", V, sql_vecfn_add, V, V),
    FN("vector_sub", V, sql_vecfn_sub, V, V),
    FN("vector_mul", V, sql_vecfn_mul, V, V),
    FN("vector_concat", V, sql_vecfn_concat, V, V),
    OP("+", V, sql_vecfn_add, "+", "vector_add"),
    OP("-", V, sql_vecfn_sub, NULL, "vector_sub"),
    OP("*", V, sql_vecfn_mul, "*", "vector_mul"),
    OP("||", V, sql_vecfn_concat, NULL, "vector_concat"),
    FN("vector_dims", I4, sql_vecfn_dims, V),
    FN("vector_norm", F8, sql_vecfn_norm, V),
    FN("l2_normalize", V, sql_vecfn_normalize, V),
    FN("subvector", V, sql_vecfn_subvector, V, I4, I4),
    FN("vector_cmp", I4, sql_vecfn_cmp, V, V),
    FN("vector_lt", B, sql_vecfn_lt, V, V),
    FN("vector_le", B, sql_vecfn_le, V, V),
    FN("vector_eq", B, sql_vecfn_eq, V, V),
    FN("vector_ne", B, sql_vecfn_ne, V, V),
    FN("vector_ge", B, sql_vecfn_ge, V, V),
    FN("vector_gt", B, sql_vecfn_gt, V, V),
    FN("vector", V, sql_vecfn_coerce, V, I4, B),
    FN("array_to_vector", V, sql_vecfn_from_array, SQL_T_INT4_ARRAY, I4, B),
    FN("array_to_vector", V, sql_vecfn_from_array, SQL_T_FLOAT4_ARRAY, I4, B),
    FN("array_to_vector", V, sql_vecfn_from_array, SQL_T_FLOAT8_ARRAY, I4, B),
    FN("array_to_vector", V, sql_vecfn_from_array, SQL_T_NUMERIC_ARRAY, I4, B),
    FN("vector_to_float4", SQL_T_FLOAT4_ARRAY, sql_vecfn_to_float4, V, I4, B),
    FN("vector_accum", SQL_T_FLOAT8_ARRAY, sql_vecfn_accum, SQL_T_FLOAT8_ARRAY, V),
    FN("vector_combine", SQL_T_FLOAT8_ARRAY, sql_vecfn_combine, SQL_T_FLOAT8_ARRAY,
       SQL_T_FLOAT8_ARRAY),
    FN("vector_avg", V, sql_vecfn_state_avg, SQL_T_FLOAT8_ARRAY),
};

void sql_funcs_register_vector(void) {
    sql_funcs_register(sql_vector_defs, sizeof sql_vector_defs / sizeof sql_vector_defs[0]);
}

/* ---- aggregates ----
 * The states point at arrays of `dims` sums in the aggregation's arena, so they are not
 * portable: a vector average is computed on the coordinator from the rows, not merged from
 * per-shard partials (a fixed-size state of ENG_VECTOR_DIMS_MAX sums would cost 32 KiB per
 * group). */

typedef struct sql_vecagg_avg {
    double *sums;
    uint32_t dims;
    int64_t count;
} sql_vecagg_avg;

typedef struct sql_vecagg_sum {
    float *sums;
    uint32_t dims;
    bool set;
} sql_vecagg_sum;

static void sql_vecagg_avg_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_vecagg_avg));
}

static void sql_vecagg_sum_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_vecagg_sum));
}

/* Adds `count` rows whose sums are `add` (doubles, or floats when `addf` is set). */
static bool sql_vecagg_avg_add(sql_agg_ctx *c, sql_vecagg_avg *s, const double *add,
                               const float *addf, uint32_t dims, int64_t count) {
    if (s->count == 0) {
        s->sums = rt_arena_alloc(c->arena, (size_t)dims * sizeof(double) + 1);
        if (s->sums == NULL) return rt_arena_fail(c->arena, c->err);
        for (uint32_t k = 0; k < dims; k++) s->sums[k] = addf != NULL ? addf[k] : add[k];
        s->dims = dims;
        s->count = count;
        return true;
    }
    if (dims != s->dims) {
        return rt_err_set(c->err, SQLSTATE_DATA_EXCEPTION, "expected %u dimensions, not %u",
                          s->dims, dims);
    }
    for (uint32_t k = 0; k < dims; k++) {
        s->sums[k] += addf != NULL ? addf[k] : add[k];
        if (isinf(s->sums[k])) return sql_vecfn_overflow(c->err);
    }
    s->count += count;
    return true;
}

static bool sql_vecagg_avg_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    uint32_t dims;
    const float *x = sql_vecfn_floats(c->arena, &args[0].b, &dims);
    if (x == NULL) return rt_arena_fail(c->arena, c->err);
    return sql_vecagg_avg_add(c, state, NULL, x, dims, 1);
}

static bool sql_vecagg_avg_merge(sql_agg_ctx *c, void *state, const void *other) {
    const sql_vecagg_avg *o = other;
    if (o->count == 0) return true;
    return sql_vecagg_avg_add(c, state, o->sums, NULL, o->dims, o->count);
}

static bool sql_vecagg_avg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_vecagg_avg *s = state;
    out->is_null = s->count == 0;
    if (out->is_null) return true;
    float *r = sql_vecfn_new(c->arena, s->dims);
    if (r == NULL) return rt_arena_fail(c->arena, c->err);
    for (uint32_t k = 0; k < s->dims; k++) {
        r[k] = (float)(s->sums[k] / (double)s->count);
        if (isinf(r[k])) {
            return rt_err_set(c->err, SQLSTATE_DATA_EXCEPTION,
                              "infinite value not allowed in vector");
        }
    }
    out->b = (sql_bytes){.ptr = (const uint8_t *)r, .len = s->dims * (uint32_t)sizeof(float)};
    return true;
}

/* sum(vector) is pgvector's vector_add applied row by row: float32 sums, overflow checked. */
static bool sql_vecagg_sum_add(sql_agg_ctx *c, sql_vecagg_sum *s, const float *x,
                               uint32_t dims) {
    if (!s->set) {
        s->sums = sql_vecfn_new(c->arena, dims);
        if (s->sums == NULL) return rt_arena_fail(c->arena, c->err);
        memcpy(s->sums, x, (size_t)dims * sizeof(float));
        s->dims = dims;
        s->set = true;
        return true;
    }
    if (dims != s->dims) return sql_vecfn_dims_differ(c->err, s->dims, dims);
    for (uint32_t k = 0; k < dims; k++) {
        s->sums[k] += x[k];
        if (isinf(s->sums[k])) return sql_vecfn_overflow(c->err);
    }
    return true;
}

static bool sql_vecagg_sum_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    uint32_t dims;
    const float *x = sql_vecfn_floats(c->arena, &args[0].b, &dims);
    if (x == NULL) return rt_arena_fail(c->arena, c->err);
    return sql_vecagg_sum_add(c, state, x, dims);
}

static bool sql_vecagg_sum_merge(sql_agg_ctx *c, void *state, const void *other) {
    const sql_vecagg_sum *o = other;
    return !o->set || sql_vecagg_sum_add(c, state, o->sums, o->dims);
}

static bool sql_vecagg_sum_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_vecagg_sum *s = state;
    out->is_null = !s->set;
    if (out->is_null) return true;
    float *r = sql_vecfn_new(c->arena, s->dims); /* the state may be read again (windows) */
    if (r == NULL) return rt_arena_fail(c->arena, c->err);
    memcpy(r, s->sums, (size_t)s->dims * sizeof(float));
    out->b = (sql_bytes){.ptr = (const uint8_t *)r, .len = s->dims * (uint32_t)sizeof(float)};
    return true;
}

static const sql_agg_def sql_vector_aggs[] = {
    {.name = "avg", .nargs = 1, .args = {SQL_T_VECTOR}, .ret = SQL_T_VECTOR,
     .state_bytes = sizeof(sql_vecagg_avg), .strict = true, .portable = false,
     .init = sql_vecagg_avg_init, .step = sql_vecagg_avg_step, .merge = sql_vecagg_avg_merge,
     .final = sql_vecagg_avg_final},
    {.name = "sum", .nargs = 1, .args = {SQL_T_VECTOR}, .ret = SQL_T_VECTOR,
     .state_bytes = sizeof(sql_vecagg_sum), .strict = true, .portable = false,
     .init = sql_vecagg_sum_init, .step = sql_vecagg_sum_step, .merge = sql_vecagg_sum_merge,
     .final = sql_vecagg_sum_final},
};

void sql_aggs_register_vector(void) {
    sql_aggs_register(sql_vector_aggs, sizeof sql_vector_aggs / sizeof sql_vector_aggs[0]);
}
