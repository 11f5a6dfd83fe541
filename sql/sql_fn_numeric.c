/* sql_fn_numeric.c: PostgreSQL 15's numeric operators and functions over sql_numeric.h:
 * + - * / % ^, unary - + @, abs, sign, ceil, floor, round, trunc, sqrt, exp, ln, log, log10,
 * power, mod, div, scale, min_scale, trim_scale, gcd, lcm, factorial, width_bucket and
 * generate_series over numeric.
 * Mixed integer/numeric/float expressions reach these through the binder's implicit casts
 * (int -> numeric, numeric -> float8), as PostgreSQL resolves them. */
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_numeric.h"

static bool sql_num_binary(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, sql_numeric_binary_fn op) {
    SQL_FOR_ACTIVE(i) {
        if (!op(f->arena, args[0]->b[i], args[1]->b[i], &out->b[i], f->err)) return false;
    }
    return true;
}

static bool sql_num_unary(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out, sql_numeric_unary_fn op) {
    SQL_FOR_ACTIVE(i) {
        if (!op(f->arena, args[0]->b[i], &out->b[i], f->err)) return false;
    }
    return true;
}

#define SQL_NUM_BIN(name, op)                                                                \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_num_binary(f, n, active, args, out, op);                                  \
    }
#define SQL_NUM_UN(name, op)                                                                 \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_num_unary(f, n, active, args, out, op);                                   \
    }

/* + - * take the batch kernels: int64 arithmetic on short-form values (sql_numeric_vec_*). */
#define SQL_NUM_VEC(name, op)                                                                \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return op(f->arena, n, active, args[0]->b, args[1]->b, out->b, f->err);              \
    }
SQL_NUM_VEC(sql_fn_num_add, sql_numeric_vec_add)
SQL_NUM_VEC(sql_fn_num_sub, sql_numeric_vec_sub)
SQL_NUM_VEC(sql_fn_num_mul, sql_numeric_vec_mul)

int sql_fn_numeric_lane_op(const sql_func_def *def) {
    if (def->fn == sql_fn_num_add) return SQL_NUMERIC_LANE_ADD;
    if (def->fn == sql_fn_num_sub) return SQL_NUMERIC_LANE_SUB;
    if (def->fn == sql_fn_num_mul) return SQL_NUMERIC_LANE_MUL;
    return -1;
}
SQL_NUM_BIN(sql_fn_num_div, sql_numeric_div)
SQL_NUM_BIN(sql_fn_num_mod, sql_numeric_mod)
SQL_NUM_BIN(sql_fn_num_div_trunc, sql_numeric_div_trunc)
SQL_NUM_BIN(sql_fn_num_power, sql_numeric_power)
SQL_NUM_BIN(sql_fn_num_log, sql_numeric_log)
SQL_NUM_BIN(sql_fn_num_gcd, sql_numeric_gcd)
SQL_NUM_BIN(sql_fn_num_lcm, sql_numeric_lcm)
SQL_NUM_UN(sql_fn_num_neg, sql_numeric_neg)
SQL_NUM_UN(sql_fn_num_abs, sql_numeric_abs)
SQL_NUM_UN(sql_fn_num_sign, sql_numeric_sign)
SQL_NUM_UN(sql_fn_num_ceil, sql_numeric_ceil)
SQL_NUM_UN(sql_fn_num_floor, sql_numeric_floor)
SQL_NUM_UN(sql_fn_num_sqrt, sql_numeric_sqrt)
SQL_NUM_UN(sql_fn_num_exp, sql_numeric_exp)
SQL_NUM_UN(sql_fn_num_ln, sql_numeric_ln)
SQL_NUM_UN(sql_fn_num_log10, sql_numeric_log10)
SQL_NUM_UN(sql_fn_num_trim_scale, sql_numeric_trim_scale)

static bool sql_fn_num_ident(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->b[i] = args[0]->b[i];
    return true;
}

/* round(x [, s]) and trunc(x [, s]); s defaults to 0. */
static bool sql_num_round_common(sql_fctx *f, uint32_t n, const uint8_t *active,
                                 sql_vec **args, sql_vec *out, bool is_round) {
    bool has_scale = f->call->nargs > 1;
    SQL_FOR_ACTIVE(i) {
        int64_t s = has_scale ? args[1]->i64[i] : 0;
        bool ok = is_round ? sql_numeric_round(f->arena, args[0]->b[i], (int32_t)s, &out->b[i],
                                               f->err)
                           : sql_numeric_trunc(f->arena, args[0]->b[i], (int32_t)s, &out->b[i],
                                               f->err);
        if (!ok) return false;
    }
    return true;
}
static bool sql_fn_num_round(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_num_round_common(f, n, active, args, out, true);
}
static bool sql_fn_num_trunc(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_num_round_common(f, n, active, args, out, false);
}

/* scale(x), min_scale(x): NULL for NaN and the infinities. */
static bool sql_num_scale_common(sql_fctx *f, uint32_t n, const uint8_t *active,
                                 sql_vec **args, sql_vec *out, bool min) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        int32_t s = 0;
        bool ok = min ? sql_numeric_min_scale(args[0]->b[i], &s)
                      : sql_numeric_scale(args[0]->b[i], &s);
        out->nulls[i] = !ok;
        out->i64[i] = s;
    }
    return true;
}
static bool sql_fn_num_scale(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_num_scale_common(f, n, active, args, out, false);
}
static bool sql_fn_num_min_scale(sql_fctx *f, uint32_t n, const uint8_t *active,
                                 sql_vec **args, sql_vec *out) {
    return sql_num_scale_common(f, n, active, args, out, true);
}

/* factorial(int8): PostgreSQL's messages for negative and huge arguments. */
#define SQL_FACTORIAL_ARG_MAX 32177 /* 32178! has more digits than numeric can hold */
static bool sql_fn_num_factorial(sql_fctx *f, uint32_t n, const uint8_t *active,
                                 sql_vec **args, sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        int64_t x = args[0]->i64[i];
        if (x < 0) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "factorial of a negative number is undefined");
        }
        if (x > SQL_FACTORIAL_ARG_MAX) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "value overflows numeric format");
        }
        sql_bytes acc;
        if (!sql_numeric_from_int64(f->arena, 1, &acc, f->err)) return false;
        for (int64_t k = 2; k <= x; k++) {
            uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX];
            sql_bytes kb = {.ptr = buf, .len = sql_numeric_from_int64_buf(k, buf)};
            if (!sql_numeric_mul(f->arena, acc, kb, &acc, f->err)) return false;
        }
        out->b[i] = acc;
    }
    return true;
}

/* width_bucket(x, low, high, count): the bucket of x among `count` equal buckets. */
static bool sql_num_bucket(sql_fctx *f, sql_bytes x, sql_bytes lo, sql_bytes hi, int64_t cnt,
                           int64_t *out) {
    if (cnt <= 0) {
        return rt_err_set(f->err, SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
                          "count must be greater than zero");
    }
    if (sql_numeric_is_nan(x) || sql_numeric_is_nan(lo) || sql_numeric_is_nan(hi)) {
        return rt_err_set(f->err, SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
                          "operand, lower bound, and upper bound cannot be NaN");
    }
    if (sql_numeric_is_inf(lo) || sql_numeric_is_inf(hi)) {
        return rt_err_set(f->err, SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
                          "lower and upper bounds must be finite");
    }
    int c = sql_numeric_cmp(lo, hi);
    if (c == 0) {
        return rt_err_set(f->err, SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
                          "lower bound cannot equal upper bound");
    }
    bool asc = c < 0;
    if (asc ? sql_numeric_cmp(x, lo) < 0 : sql_numeric_cmp(x, lo) > 0) {
        *out = 0;
        return true;
    }
    if (asc ? sql_numeric_cmp(x, hi) >= 0 : sql_numeric_cmp(x, hi) <= 0) {
        if (cnt == INT32_MAX) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "integer out of range");
        }
        *out = cnt + 1;
        return true;
    }
    /* bucket = floor((x - lo) * count / (hi - lo)) + 1, computed exactly. */
    uint8_t cb[SQL_NUMERIC_INT64_BYTES_MAX];
    sql_bytes cntb = {.ptr = cb, .len = sql_numeric_from_int64_buf(cnt, cb)}, num, den, q;
    if (!sql_numeric_sub(f->arena, x, lo, &num, f->err) ||
        !sql_numeric_sub(f->arena, hi, lo, &den, f->err) ||
        !sql_numeric_mul(f->arena, num, cntb, &num, f->err) ||
        !sql_numeric_div_trunc(f->arena, num, den, &q, f->err)) {
        return false;
    }
    int64_t b;
    if (!sql_numeric_to_int64(q, &b, f->err)) return false;
    *out = b + 1;
    return true;
}

static bool sql_fn_num_width_bucket(sql_fctx *f, uint32_t n, const uint8_t *active,
                                    sql_vec **args, sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_num_bucket(f, args[0]->b[i], args[1]->b[i], args[2]->b[i], args[3]->i64[i],
                            &out->i64[i])) {
            return false;
        }
    }
    return true;
}

/* width_bucket(operand, thresholds[]): how many thresholds are <= operand, found by binary
 * search as PostgreSQL does (so an unsorted array gives its answer, not an error). */
static bool sql_bucket_thresholds(sql_fctx *f, const sql_value *x, sql_bytes arr,
                                  int64_t *out) {
    sql_array_view av;
    sql_array_view_of(&arr, &av);
    if (av.ndim > 1) {
        return rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                          "thresholds must be one-dimensional array");
    }
    sql_value *t = rt_arena_alloc(f->arena, sizeof(sql_value) * (av.nitems + 1));
    if (t == NULL) return rt_arena_fail(f->arena, f->err);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    uint32_t k = 0;
    while (sql_array_iter_next(&it, &t[k])) {
        if (t[k].is_null) {
            return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                              "thresholds array must not contain NULLs");
        }
        k++;
    }
    uint32_t lo = 0, hi = k;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sql_value_cmp(x, &t[mid]) < 0) hi = mid;
        else lo = mid + 1;
    }
    *out = lo;
    return true;
}

static bool sql_fn_width_bucket_array(sql_fctx *f, uint32_t n, const uint8_t *active,
                                      sql_vec **args, sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        sql_value x;
        sql_vec_get(args[0], i, &x);
        if (!sql_bucket_thresholds(f, &x, args[1]->b[i], &out->i64[i])) return false;
    }
    return true;
}

/* ---- generate_series(numeric, numeric [, numeric]) ---- */

#define SQL_NUM_SERIES_ROWS_MAX (UINT32_C(1) << 26) /* beyond this a series is a mistake */

static bool sql_num_series_check(struct sql_exec_ctx *x, sql_bytes v, const char *what) {
    if (sql_numeric_is_nan(v)) {
        return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE, "%s cannot be NaN", what);
    }
    if (sql_numeric_is_inf(v)) {
        return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE, "%s cannot be infinity",
                          what);
    }
    return true;
}

/* The first value keeps the start's scale; later ones are sums, as in PostgreSQL. */
static bool sql_num_series_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                               struct sql_rowset *out) {
    uint8_t one_buf[SQL_NUMERIC_INT64_BYTES_MAX];
    sql_bytes v = args[0].b, stop = args[1].b;
    sql_bytes step = {.ptr = one_buf, .len = sql_numeric_from_int64_buf(1, one_buf)};
    if (nargs > 2) step = args[2].b;
    if (!sql_num_series_check(x, v, "start value") ||
        !sql_num_series_check(x, stop, "stop value") ||
        (nargs > 2 && !sql_num_series_check(x, step, "step size"))) {
        return false;
    }
    uint8_t zero_buf[SQL_NUMERIC_INT64_BYTES_MAX];
    sql_bytes zero = {.ptr = zero_buf, .len = sql_numeric_from_int64_buf(0, zero_buf)};
    int dir = sql_numeric_cmp(step, zero);
    if (dir == 0) {
        return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "step size cannot equal zero");
    }
    for (uint32_t k = 0; dir > 0 ? sql_numeric_cmp(v, stop) <= 0
                                 : sql_numeric_cmp(v, stop) >= 0; k++) {
        if (k >= SQL_NUM_SERIES_ROWS_MAX) {
            return rt_err_set(x->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "generate_series would return more than %u rows",
                              (unsigned)SQL_NUM_SERIES_ROWS_MAX);
        }
        sql_value row = {.type_oid = SQL_T_NUMERIC, .is_null = false, .b = v};
        if (!sql_rowset_add_values(out, &row)) return rt_arena_fail(x->arena, x->err);
        if (!sql_numeric_add(x->arena, v, step, &v, x->err)) return false;
    }
    return true;
}

#define NM SQL_T_NUMERIC
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define OP2(sym, k, pro, com) {.name = sym, .is_operator = true, .nargs = 2, .args = {NM, NM}, \
                               .ret = NM, .flags = ST, .fn = k, .proname = pro,              \
                               .commutator = com}
#define OP1(sym, k, pro) {.name = sym, .is_operator = true, .nargs = 1, .args = {NM}, .ret = NM, \
                          .flags = ST, .fn = k, .proname = pro}
#define FN1(nm, k) {.name = nm, .nargs = 1, .args = {NM}, .ret = NM, .flags = ST, .fn = k}
#define FN2(nm, k) {.name = nm, .nargs = 2, .args = {NM, NM}, .ret = NM, .flags = ST, .fn = k}

static const sql_func_def sql_numeric_defs[] = {
    OP2("+", sql_fn_num_add, "numeric_add", "+"), OP2("-", sql_fn_num_sub, "numeric_sub", NULL),
    OP2("*", sql_fn_num_mul, "numeric_mul", "*"), OP2("/", sql_fn_num_div, "numeric_div", NULL),
    OP2("%", sql_fn_num_mod, "numeric_mod", NULL),
    OP2("^", sql_fn_num_power, "numeric_power", NULL),
    OP1("-", sql_fn_num_neg, "numeric_uminus"), OP1("+", sql_fn_num_ident, "numeric_uplus"),
    OP1("@", sql_fn_num_abs, "numeric_abs"),
    FN1("abs", sql_fn_num_abs), FN1("sign", sql_fn_num_sign), FN1("ceil", sql_fn_num_ceil),
    FN1("ceiling", sql_fn_num_ceil), FN1("floor", sql_fn_num_floor),
    FN1("round", sql_fn_num_round), FN1("trunc", sql_fn_num_trunc),
    {.name = "round", .nargs = 2, .args = {NM, SQL_T_INT4}, .ret = NM, .flags = ST,
     .fn = sql_fn_num_round},
    {.name = "trunc", .nargs = 2, .args = {NM, SQL_T_INT4}, .ret = NM, .flags = ST,
     .fn = sql_fn_num_trunc},
    FN1("sqrt", sql_fn_num_sqrt), FN1("exp", sql_fn_num_exp), FN1("ln", sql_fn_num_ln),
    FN1("log", sql_fn_num_log10), FN1("log10", sql_fn_num_log10),
    FN2("log", sql_fn_num_log), FN2("power", sql_fn_num_power), FN2("pow", sql_fn_num_power),
    FN2("mod", sql_fn_num_mod), FN2("div", sql_fn_num_div_trunc), FN2("gcd", sql_fn_num_gcd),
    FN2("lcm", sql_fn_num_lcm), FN1("trim_scale", sql_fn_num_trim_scale),
    FN2("numeric_add", sql_fn_num_add), FN2("numeric_sub", sql_fn_num_sub),
    FN2("numeric_mul", sql_fn_num_mul), FN2("numeric_div", sql_fn_num_div),
    FN2("numeric_mod", sql_fn_num_mod), FN2("numeric_power", sql_fn_num_power),
    {.name = "scale", .nargs = 1, .args = {NM}, .ret = SQL_T_INT4, .flags = ST,
     .fn = sql_fn_num_scale},
    {.name = "min_scale", .nargs = 1, .args = {NM}, .ret = SQL_T_INT4, .flags = ST,
     .fn = sql_fn_num_min_scale},
    {.name = "factorial", .nargs = 1, .args = {SQL_T_INT8}, .ret = NM, .flags = ST,
     .fn = sql_fn_num_factorial},
    {.name = "width_bucket", .nargs = 4, .args = {NM, NM, NM, SQL_T_INT4}, .ret = SQL_T_INT4,
     .flags = ST, .fn = sql_fn_num_width_bucket},
    {.name = "width_bucket", .nargs = 2, .args = {SQL_T_ANYELEMENT, SQL_T_ANYARRAY},
     .ret = SQL_T_INT4, .flags = SQL_F_STRICT, .fn = sql_fn_width_bucket_array},
    {.name = "generate_series", .nargs = 2, .args = {NM, NM}, .ret = NM,
     .flags = SQL_F_STRICT | SQL_F_SRF, .fn = sql_func_srf_scalar, .srf = sql_num_series_srf},
    {.name = "generate_series", .nargs = 3, .args = {NM, NM, NM}, .ret = NM,
     .flags = SQL_F_STRICT | SQL_F_SRF, .fn = sql_func_srf_scalar, .srf = sql_num_series_srf},
};

void sql_funcs_register_numeric(void) {
    sql_funcs_register(sql_numeric_defs, sizeof sql_numeric_defs / sizeof sql_numeric_defs[0]);
    sql_funcs_register_type_conv();
    sql_funcs_register_float48();
    sql_funcs_register_numfmt();
}
