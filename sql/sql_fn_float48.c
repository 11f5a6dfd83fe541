/* sql_fn_float48.c: PostgreSQL's operators between real and double precision (float48pl,
 * float84lt...). Besides computing in double precision, they steer overload resolution as in
 * PostgreSQL: real + integer, real * numeric and numeric + real are double precision there,
 * because these operators take the preferred type (float8) on one side; without them the
 * binder would pick real + real and round to single precision. */
#include "sql/sql_float.h"
#include "sql/sql_funcs_int.h"

typedef bool (*sql_f48_op)(double a, double b, double *out, rt_err *err);

static bool sql_f48_arith(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out, sql_f48_op op) {
    SQL_FOR_ACTIVE(i) {
        if (!op(args[0]->f64[i], args[1]->f64[i], &out->f64[i], f->err)) return false;
    }
    return true;
}
#define SQL_F48_ARITH(name, op)                                                              \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_f48_arith(f, n, active, args, out, op);                                   \
    }
SQL_F48_ARITH(sql_fn_f48_add, sql_float8_add)
SQL_F48_ARITH(sql_fn_f48_sub, sql_float8_sub)
SQL_F48_ARITH(sql_fn_f48_mul, sql_float8_mul)
SQL_F48_ARITH(sql_fn_f48_div, sql_float8_div)

typedef enum sql_f48_cmp { F48_EQ, F48_NE, F48_LT, F48_LE, F48_GT, F48_GE } sql_f48_cmp;

/* Comparisons in float8 with PostgreSQL's order (NaN equal to itself, above everything). */
static bool sql_f48_compare(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out, sql_f48_cmp op) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        int c = sql_float8_cmp(args[0]->f64[i], args[1]->f64[i]);
        bool r = false;
        switch (op) {
        case F48_EQ: r = c == 0; break;
        case F48_NE: r = c != 0; break;
        case F48_LT: r = c < 0; break;
        case F48_LE: r = c <= 0; break;
        case F48_GT: r = c > 0; break;
        case F48_GE: r = c >= 0; break;
        }
        out->i64[i] = r;
    }
    return true;
}
#define SQL_F48_CMP(name, op)                                                                \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_f48_compare(f, n, active, args, out, op);                                 \
    }
SQL_F48_CMP(sql_fn_f48_eq, F48_EQ)
SQL_F48_CMP(sql_fn_f48_ne, F48_NE)
SQL_F48_CMP(sql_fn_f48_lt, F48_LT)
SQL_F48_CMP(sql_fn_f48_le, F48_LE)
SQL_F48_CMP(sql_fn_f48_gt, F48_GT)
SQL_F48_CMP(sql_fn_f48_ge, F48_GE)

#define F4 SQL_T_FLOAT4
#define F8 SQL_T_FLOAT8
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define OP(sym, l, r, res, k, com, neg, pro)                                                 \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {l, r}, .ret = res, .flags = ST,  \
     .fn = k, .commutator = com, .negator = neg, .proname = pro}
#define BOTH(sym, res, k, com, neg, stem)                                                    \
    OP(sym, F4, F8, res, k, com, neg, "float48" stem),                                       \
    OP(sym, F8, F4, res, k, com, neg, "float84" stem)

static const sql_func_def sql_float48_defs[] = {
    BOTH("+", F8, sql_fn_f48_add, "+", NULL, "pl"),
    BOTH("-", F8, sql_fn_f48_sub, NULL, NULL, "mi"),
    BOTH("*", F8, sql_fn_f48_mul, "*", NULL, "mul"),
    BOTH("/", F8, sql_fn_f48_div, NULL, NULL, "div"),
    BOTH("=", SQL_T_BOOL, sql_fn_f48_eq, "=", "<>", "eq"),
    BOTH("<>", SQL_T_BOOL, sql_fn_f48_ne, "<>", "=", "ne"),
    BOTH("<", SQL_T_BOOL, sql_fn_f48_lt, ">", ">=", "lt"),
    BOTH("<=", SQL_T_BOOL, sql_fn_f48_le, ">=", ">", "le"),
    BOTH(">", SQL_T_BOOL, sql_fn_f48_gt, "<", "<=", "gt"),
    BOTH(">=", SQL_T_BOOL, sql_fn_f48_ge, "<=", "<", "ge"),
};

void sql_funcs_register_float48(void) {
    sql_funcs_register(sql_float48_defs, sizeof sql_float48_defs / sizeof sql_float48_defs[0]);
}
