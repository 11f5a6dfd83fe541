/* sql_fn_arith.c: arithmetic on integers and floats with PostgreSQL's overflow and division
 * errors, and the float8 math functions. Numeric arithmetic is in sql_fn_numeric.c. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "sql/sql_float.h"
#include "sql/sql_funcs_int.h"

static bool sql_int_range(sql_fctx *f, uint32_t type) {
    const char *what = type == SQL_T_INT2 ? "smallint" : type == SQL_T_INT4 ? "integer" : "bigint";
    return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", what);
}

static bool sql_div_zero(sql_fctx *f) {
    return rt_err_set(f->err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

static inline bool sql_int_fits(int64_t v, uint32_t type) {
    if (type == SQL_T_INT2) return v >= INT16_MIN && v <= INT16_MAX;
    if (type == SQL_T_INT4) return v >= INT32_MIN && v <= INT32_MAX;
    return true;
}

/* Integer binary operators: the result type is the call's type (int2, int4 or int8). */
typedef enum sql_iop { IOP_ADD, IOP_SUB, IOP_MUL, IOP_DIV, IOP_MOD, IOP_AND, IOP_OR, IOP_XOR,
                       IOP_SHL, IOP_SHR } sql_iop;

static bool sql_int_binop(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out, sql_iop op) {
    uint32_t type = f->call->type_oid;
    const int64_t *a = args[0]->i64, *b = args[1]->i64;
    SQL_FOR_ACTIVE(i) {
        int64_t x = a[i], y = b[i], r = 0;
        bool ovf = false;
        switch (op) {
        case IOP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
        case IOP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
        case IOP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
        case IOP_DIV:
            if (y == 0) return sql_div_zero(f);
            if (y == -1) ovf = __builtin_sub_overflow((int64_t)0, x, &r);
            else r = x / y;
            break;
        case IOP_MOD:
            if (y == 0) return sql_div_zero(f);
            r = y == -1 ? 0 : x % y;
            break;
        case IOP_AND: r = x & y; break;
        case IOP_OR: r = x | y; break;
        case IOP_XOR: r = x ^ y; break;
        case IOP_SHL: r = (int64_t)((uint64_t)x << (y & 63)); break;
        case IOP_SHR: r = x >> (y & 63); break;
        }
        if (op == IOP_SHL && type != SQL_T_INT8) { /* wraps within the type, as in C */
            r = type == SQL_T_INT2 ? (int16_t)r : (int32_t)r;
        }
        if (ovf || !sql_int_fits(r, type)) return sql_int_range(f, type);
        out->i64[i] = r;
    }
    return true;
}

#define SQL_INT_KERNEL(name, op)                                                             \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_int_binop(f, n, active, args, out, op);                                   \
    }
SQL_INT_KERNEL(sql_int_add, IOP_ADD)
SQL_INT_KERNEL(sql_int_sub, IOP_SUB)
SQL_INT_KERNEL(sql_int_mul, IOP_MUL)
SQL_INT_KERNEL(sql_int_div, IOP_DIV)
SQL_INT_KERNEL(sql_int_mod, IOP_MOD)
SQL_INT_KERNEL(sql_int_and, IOP_AND)
SQL_INT_KERNEL(sql_int_or, IOP_OR)
SQL_INT_KERNEL(sql_int_xor, IOP_XOR)
SQL_INT_KERNEL(sql_int_shl, IOP_SHL)
SQL_INT_KERNEL(sql_int_shr, IOP_SHR)

static bool sql_int_neg(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out) {
    uint32_t type = f->call->type_oid;
    SQL_FOR_ACTIVE(i) {
        int64_t r;
        if (__builtin_sub_overflow((int64_t)0, args[0]->i64[i], &r) || !sql_int_fits(r, type)) {
            return sql_int_range(f, type);
        }
        out->i64[i] = r;
    }
    return true;
}

static bool sql_int_abs(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out) {
    uint32_t type = f->call->type_oid;
    SQL_FOR_ACTIVE(i) {
        int64_t x = args[0]->i64[i];
        if (x == INT64_MIN || !sql_int_fits(x < 0 ? -x : x, type)) return sql_int_range(f, type);
        out->i64[i] = x < 0 ? -x : x;
    }
    return true;
}

static bool sql_int_not(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out) {
    uint32_t type = f->call->type_oid;
    SQL_FOR_ACTIVE(i) {
        int64_t r = ~args[0]->i64[i];
        out->i64[i] = type == SQL_T_INT2 ? (int16_t)r : type == SQL_T_INT4 ? (int32_t)r : r;
    }
    return true;
}

static bool sql_identity(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = args[0]->i64[i];
    return true;
}

static int64_t sql_gcd64(int64_t a, int64_t b) {
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static bool sql_int_gcd(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out) {
    uint32_t type = f->call->type_oid;
    SQL_FOR_ACTIVE(i) {
        int64_t g = sql_gcd64(args[0]->i64[i], args[1]->i64[i]);
        if (g == INT64_MIN || !sql_int_fits(g < 0 ? -g : g, type)) return sql_int_range(f, type);
        out->i64[i] = g < 0 ? -g : g;
    }
    return true;
}

static bool sql_int_lcm(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out) {
    uint32_t type = f->call->type_oid;
    SQL_FOR_ACTIVE(i) {
        int64_t a = args[0]->i64[i], b = args[1]->i64[i], r = 0;
        if (a != 0 && b != 0) {
            int64_t g = sql_gcd64(a, b);
            if (__builtin_mul_overflow(a / g, b, &r)) return sql_int_range(f, type);
            if (r == INT64_MIN) return sql_int_range(f, type);
            r = r < 0 ? -r : r;
        }
        if (!sql_int_fits(r, type)) return sql_int_range(f, type);
        out->i64[i] = r;
    }
    return true;
}

/* ---- floats: the checked operations of sql_float.h (PostgreSQL's errors) ---- */

typedef bool (*sql_f8_binop)(double a, double b, double *out, rt_err *err);
typedef bool (*sql_f4_binop)(float a, float b, float *out, rt_err *err);

static bool sql_float_binop(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out, sql_f8_binop op8, sql_f4_binop op4) {
    bool f4 = f->call->type_oid == SQL_T_FLOAT4;
    SQL_FOR_ACTIVE(i) {
        if (f4) {
            float r;
            if (!op4((float)args[0]->f64[i], (float)args[1]->f64[i], &r, f->err)) return false;
            out->f64[i] = r;
        } else if (!op8(args[0]->f64[i], args[1]->f64[i], &out->f64[i], f->err)) {
            return false;
        }
    }
    return true;
}

#define SQL_FLOAT_KERNEL(name, op)                                                           \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_float_binop(f, n, active, args, out, sql_float8_##op, sql_float4_##op);   \
    }
SQL_FLOAT_KERNEL(sql_float_add, add)
SQL_FLOAT_KERNEL(sql_float_sub, sub)
SQL_FLOAT_KERNEL(sql_float_mul, mul)
SQL_FLOAT_KERNEL(sql_float_div, div)

static bool sql_float_neg(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->f64[i] = -args[0]->f64[i];
    return true;
}

static bool sql_float_abs(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->f64[i] = fabs(args[0]->f64[i]);
    return true;
}

static bool sql_float_pow(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_float8_power(args[0]->f64[i], args[1]->f64[i], &out->f64[i], f->err)) {
            return false;
        }
    }
    return true;
}

/* One-argument float8 functions: checked ones return bool, plain ones a double. */
typedef bool (*sql_f8_checked)(double x, double *out, rt_err *err);
typedef double (*sql_f8_plain)(double x);

static bool sql_f8_apply(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, sql_f8_checked checked, sql_f8_plain plain) {
    SQL_FOR_ACTIVE(i) {
        if (checked != NULL) {
            if (!checked(args[0]->f64[i], &out->f64[i], f->err)) return false;
        } else {
            out->f64[i] = plain(args[0]->f64[i]);
        }
    }
    return true;
}

#define SQL_F8_CHECKED(name, fn)                                                             \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_f8_apply(f, n, active, args, out, fn, NULL);                              \
    }
#define SQL_F8_PLAIN(name, fn)                                                               \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_f8_apply(f, n, active, args, out, NULL, fn);                              \
    }
SQL_F8_CHECKED(sql_f_sqrt, sql_float8_sqrt)
SQL_F8_PLAIN(sql_f_cbrt, sql_float8_cbrt)
SQL_F8_CHECKED(sql_f_exp, sql_float8_exp)
SQL_F8_CHECKED(sql_f_ln, sql_float8_ln)
SQL_F8_CHECKED(sql_f_log10, sql_float8_log10)
SQL_F8_PLAIN(sql_f_floor, sql_float8_floor)
SQL_F8_PLAIN(sql_f_ceil, sql_float8_ceil)
SQL_F8_PLAIN(sql_f_round, sql_float8_round)
SQL_F8_PLAIN(sql_f_trunc, sql_float8_trunc)
SQL_F8_PLAIN(sql_f_sign, sql_float8_sign)
SQL_F8_CHECKED(sql_f_degrees, sql_float8_degrees)
SQL_F8_CHECKED(sql_f_radians, sql_float8_radians)
SQL_F8_CHECKED(sql_f_sin, sql_float8_sin)
SQL_F8_CHECKED(sql_f_cos, sql_float8_cos)
SQL_F8_CHECKED(sql_f_tan, sql_float8_tan)
SQL_F8_CHECKED(sql_f_cot, sql_float8_cot)
SQL_F8_CHECKED(sql_f_asin, sql_float8_asin)
SQL_F8_CHECKED(sql_f_acos, sql_float8_acos)
SQL_F8_CHECKED(sql_f_atan, sql_float8_atan)
SQL_F8_CHECKED(sql_f_sind, sql_float8_sind)
SQL_F8_CHECKED(sql_f_cosd, sql_float8_cosd)
SQL_F8_CHECKED(sql_f_tand, sql_float8_tand)
SQL_F8_CHECKED(sql_f_asind, sql_float8_asind)
SQL_F8_CHECKED(sql_f_acosd, sql_float8_acosd)
SQL_F8_CHECKED(sql_f_atand, sql_float8_atand)
SQL_F8_PLAIN(sql_f_sinh, sql_float8_sinh)
SQL_F8_PLAIN(sql_f_cosh, sql_float8_cosh)
SQL_F8_PLAIN(sql_f_tanh, sql_float8_tanh)
SQL_F8_PLAIN(sql_f_asinh, sql_float8_asinh)
SQL_F8_CHECKED(sql_f_acosh, sql_float8_acosh)
SQL_F8_CHECKED(sql_f_atanh, sql_float8_atanh)

static bool sql_f_pi(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                     sql_vec *out) {
    (void)f;
    (void)args;
    SQL_FOR_ACTIVE(i) out->f64[i] = M_PI;
    return true;
}

static bool sql_f_atan2(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_float8_atan2(args[0]->f64[i], args[1]->f64[i], &out->f64[i], f->err)) {
            return false;
        }
    }
    return true;
}

/* random(): a per-shard xorshift generator seeded from the clock; setseed() reseeds it. */
static _Thread_local uint64_t sql_random_state;

static double sql_random_next(void) {
    if (sql_random_state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        sql_random_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ 0x9E3779B97F4A7C15ull;
    }
    uint64_t x = sql_random_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    sql_random_state = x;
    return (double)(x >> 11) / (double)(1ull << 53);
}

static bool sql_f_random(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out) {
    (void)f;
    (void)args;
    SQL_FOR_ACTIVE(i) out->f64[i] = sql_random_next();
    return true;
}

static bool sql_f_setseed(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        double s = args[0]->f64[i];
        if (s < -1 || s > 1) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "setseed parameter %g is out of allowed range [-1,1]", s);
        }
        sql_random_state = (uint64_t)((s + 1.0) * 4294967296.0) * 0x9E3779B97F4A7C15ull | 1;
        out->nulls[i] = 0;
    }
    return true;
}

#define I2 SQL_T_INT2
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define F4 SQL_T_FLOAT4
#define F8 SQL_T_FLOAT8
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define OP2(sym, t, k, pro) {.name = sym, .is_operator = true, .nargs = 2, .args = {t, t},      \
                             .ret = t, .flags = ST, .fn = k, .proname = pro}
#define OP1(sym, t, k, pro) {.name = sym, .is_operator = true, .nargs = 1, .args = {t},         \
                             .ret = t, .flags = ST, .fn = k, .proname = pro}
#define FN1(nm, t, r, k) {.name = nm, .nargs = 1, .args = {t}, .ret = r, .flags = ST, .fn = k}
#define FN2(nm, t, r, k) {.name = nm, .nargs = 2, .args = {t, t}, .ret = r, .flags = ST, .fn = k}

static const sql_func_def sql_arith_defs[] = {
    OP2("+", I2, sql_int_add, "int2pl"), OP2("-", I2, sql_int_sub, "int2mi"),
    OP2("*", I2, sql_int_mul, "int2mul"), OP2("/", I2, sql_int_div, "int2div"),
    OP2("%", I2, sql_int_mod, "int2mod"), OP2("&", I2, sql_int_and, "int2and"),
    OP2("|", I2, sql_int_or, "int2or"), OP2("#", I2, sql_int_xor, "int2xor"),
    OP1("-", I2, sql_int_neg, "int2um"), OP1("+", I2, sql_identity, "int2up"),
    OP1("~", I2, sql_int_not, "int2not"),
    OP2("+", I4, sql_int_add, "int4pl"), OP2("-", I4, sql_int_sub, "int4mi"),
    OP2("*", I4, sql_int_mul, "int4mul"), OP2("/", I4, sql_int_div, "int4div"),
    OP2("%", I4, sql_int_mod, "int4mod"), OP2("&", I4, sql_int_and, "int4and"),
    OP2("|", I4, sql_int_or, "int4or"), OP2("#", I4, sql_int_xor, "int4xor"),
    OP1("-", I4, sql_int_neg, "int4um"), OP1("+", I4, sql_identity, "int4up"),
    OP1("~", I4, sql_int_not, "int4not"),
    OP2("+", I8, sql_int_add, "int8pl"), OP2("-", I8, sql_int_sub, "int8mi"),
    OP2("*", I8, sql_int_mul, "int8mul"), OP2("/", I8, sql_int_div, "int8div"),
    OP2("%", I8, sql_int_mod, "int8mod"), OP2("&", I8, sql_int_and, "int8and"),
    OP2("|", I8, sql_int_or, "int8or"), OP2("#", I8, sql_int_xor, "int8xor"),
    OP1("-", I8, sql_int_neg, "int8um"), OP1("+", I8, sql_identity, "int8up"),
    OP1("~", I8, sql_int_not, "int8not"),
    {.name = "<<", .is_operator = true, .nargs = 2, .args = {I4, I4}, .ret = I4, .flags = ST,
     .fn = sql_int_shl, .proname = "int4shl"},
    {.name = ">>", .is_operator = true, .nargs = 2, .args = {I4, I4}, .ret = I4, .flags = ST,
     .fn = sql_int_shr, .proname = "int4shr"},
    {.name = "<<", .is_operator = true, .nargs = 2, .args = {I8, I4}, .ret = I8, .flags = ST,
     .fn = sql_int_shl, .proname = "int8shl"},
    {.name = ">>", .is_operator = true, .nargs = 2, .args = {I8, I4}, .ret = I8, .flags = ST,
     .fn = sql_int_shr, .proname = "int8shr"},
    OP2("+", F4, sql_float_add, "float4pl"), OP2("-", F4, sql_float_sub, "float4mi"),
    OP2("*", F4, sql_float_mul, "float4mul"), OP2("/", F4, sql_float_div, "float4div"),
    OP1("-", F4, sql_float_neg, "float4um"), OP1("+", F4, sql_identity, "float4up"),
    OP2("+", F8, sql_float_add, "float8pl"), OP2("-", F8, sql_float_sub, "float8mi"),
    OP2("*", F8, sql_float_mul, "float8mul"), OP2("/", F8, sql_float_div, "float8div"),
    OP1("-", F8, sql_float_neg, "float8um"), OP1("+", F8, sql_identity, "float8up"),
    OP2("^", F8, sql_float_pow, "dpow"),
    FN1("abs", I2, I2, sql_int_abs), FN1("abs", I4, I4, sql_int_abs),
    FN1("abs", I8, I8, sql_int_abs), FN1("abs", F4, F4, sql_float_abs),
    FN1("abs", F8, F8, sql_float_abs), OP1("@", I4, sql_int_abs, "int4abs"),
    OP1("@", I8, sql_int_abs, "int8abs"), OP1("@", F8, sql_float_abs, "float8abs"),
    FN2("mod", I2, I2, sql_int_mod), FN2("mod", I4, I4, sql_int_mod),
    FN2("mod", I8, I8, sql_int_mod), FN2("gcd", I4, I4, sql_int_gcd),
    FN2("gcd", I8, I8, sql_int_gcd), FN2("lcm", I4, I4, sql_int_lcm),
    FN2("lcm", I8, I8, sql_int_lcm),
    FN1("sqrt", F8, F8, sql_f_sqrt), OP1("|/", F8, sql_f_sqrt, "dsqrt"),
    FN1("cbrt", F8, F8, sql_f_cbrt), OP1("||/", F8, sql_f_cbrt, "dcbrt"),
    FN1("exp", F8, F8, sql_f_exp), FN1("ln", F8, F8, sql_f_ln),
    FN1("log", F8, F8, sql_f_log10), FN1("log10", F8, F8, sql_f_log10),
    FN1("floor", F8, F8, sql_f_floor), FN1("ceil", F8, F8, sql_f_ceil),
    FN1("ceiling", F8, F8, sql_f_ceil), FN1("round", F8, F8, sql_f_round),
    FN1("trunc", F8, F8, sql_f_trunc), FN1("sign", F8, F8, sql_f_sign),
    FN1("degrees", F8, F8, sql_f_degrees), FN1("radians", F8, F8, sql_f_radians),
    FN1("sin", F8, F8, sql_f_sin), FN1("cos", F8, F8, sql_f_cos), FN1("tan", F8, F8, sql_f_tan),
    FN1("asin", F8, F8, sql_f_asin), FN1("acos", F8, F8, sql_f_acos),
    FN1("atan", F8, F8, sql_f_atan), FN2("atan2", F8, F8, sql_f_atan2),
    FN1("cot", F8, F8, sql_f_cot), FN1("sind", F8, F8, sql_f_sind),
    FN1("cosd", F8, F8, sql_f_cosd), FN1("tand", F8, F8, sql_f_tand),
    FN1("asind", F8, F8, sql_f_asind), FN1("acosd", F8, F8, sql_f_acosd),
    FN1("atand", F8, F8, sql_f_atand), FN1("sinh", F8, F8, sql_f_sinh),
    FN1("cosh", F8, F8, sql_f_cosh), FN1("tanh", F8, F8, sql_f_tanh),
    FN1("asinh", F8, F8, sql_f_asinh), FN1("acosh", F8, F8, sql_f_acosh),
    FN1("atanh", F8, F8, sql_f_atanh),
    FN2("power", F8, F8, sql_float_pow), FN2("pow", F8, F8, sql_float_pow),
    {.name = "pi", .nargs = 0, .ret = F8, .flags = ST, .fn = sql_f_pi},
    {.name = "random", .nargs = 0, .ret = F8, .flags = SQL_F_VOLATILE, .fn = sql_f_random},
    {.name = "setseed", .nargs = 1, .args = {F8}, .ret = SQL_T_VOID,
     .flags = SQL_F_VOLATILE | SQL_F_STRICT, .fn = sql_f_setseed},
};

void sql_funcs_register_arith(void) {
    sql_funcs_register(sql_arith_defs, sizeof sql_arith_defs / sizeof sql_arith_defs[0]);
}
