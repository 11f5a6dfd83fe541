/* sql_numeric_func.c: the public sqrt, exp, ln, log, log10 and power: PostgreSQL 15's rules
 * for NaN and infinities (pow(3) of POSIX for power), its errors, and its result scales,
 * which are estimated from the inputs (base-10000 weights, double-precision logarithms) and
 * must be reproduced exactly because they decide how many digits are shown. */
#include <math.h>

#include "sql/sql_numeric_int.h"

/* power() gives up on e * ln(b) past this before computing it precisely: PostgreSQL's crude
 * test, exp()'s limit with a fuzz factor (2000 * 3.01). */
#define NUM_POWER_ESTIMATE_MAX 6020.0

static int32_t num_clamp_rscale(int32_t rscale) {
    return num_min32(num_max32(rscale, 0), SQL_NUMERIC_RESULT_SCALE_MAX);
}

static bool num_negative_sqrt(rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                      "cannot take square root of a negative number");
}

bool sql_numeric_sqrt(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_kind k = num_bytes_kind(a);
    if (k == NUM_NINF) return num_negative_sqrt(err);
    if (k != NUM_FINITE) return num_make_special(&c, k, out);
    num_local x, r;
    num_var_init(&r);
    if (!num_decode(&c, a, &x)) return false;
    if (x.v.sign == NUM_NEG && x.v.ndigits > 0) return num_negative_sqrt(err);
    /* about 16 significant digits: half the integer digits of the argument */
    int32_t sweight = (x.v.weight + 1) * NUM_BASE_DIGITS / 2 - 1;
    int32_t rscale = SQL_NUMERIC_MIN_SIG_DIGITS - sweight;
    rscale = num_clamp_rscale(num_max32(rscale, x.v.dscale));
    return num_var_sqrt(&c, &x.v, &r.v, rscale) && num_make(&c, &r.v, out);
}

bool sql_numeric_exp(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_kind k = num_bytes_kind(a);
    if (k == NUM_NINF) return num_short_make(&c, 0, 0, out);
    if (k != NUM_FINITE) return num_make_special(&c, k, out);
    num_local x, r;
    num_var_init(&r);
    if (!num_decode(&c, a, &x)) return false;
    /* decimal weight of e^x is x * log10(e) */
    double val = num_var_to_double(&x.v) * 0.434294481903252;
    val = fmax(fmin(val, SQL_NUMERIC_RESULT_SCALE_MAX * 2), -SQL_NUMERIC_RESULT_SCALE_MAX * 2);
    int32_t rscale = SQL_NUMERIC_MIN_SIG_DIGITS - (int32_t)val;
    rscale = num_clamp_rscale(num_max32(rscale, x.v.dscale));
    return num_var_exp(&c, &x.v, &r.v, rscale) && num_make(&c, &r.v, out);
}

bool sql_numeric_ln(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_kind k = num_bytes_kind(a);
    if (k == NUM_NINF) {
        return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                          "cannot take logarithm of a negative number");
    }
    if (k != NUM_FINITE) return num_make_special(&c, k, out);
    num_local x, r;
    num_var_init(&r);
    int32_t ln_dweight;
    if (!num_decode(&c, a, &x) || !num_estimate_ln_dweight(&c, &x.v, &ln_dweight)) return false;
    int32_t rscale = SQL_NUMERIC_MIN_SIG_DIGITS - ln_dweight;
    rscale = num_clamp_rscale(num_max32(rscale, x.v.dscale));
    return num_var_ln(&c, &x.v, &r.v, rscale) && num_make(&c, &r.v, out);
}

/* ---- log(b, x) --------------------------------------------------------------------------- */

static int num_sign3(const num_var *v) {
    return v->ndigits == 0 ? 0 : v->sign == NUM_NEG ? -1 : 1;
}

static int num_special_sign(num_kind k, const num_var *v) {
    return k == NUM_PINF ? 1 : k == NUM_NINF ? -1 : num_sign3(v);
}

static bool num_log_special(num_ctx *c, num_kind kb, const num_var *b, num_kind kx,
                            const num_var *x, sql_bytes *out) {
    if (kb == NUM_NAN || kx == NUM_NAN) return num_make_special(c, NUM_NAN, out);
    int sb = num_special_sign(kb, b), sx = num_special_sign(kx, x);
    if (sb < 0 || sx < 0) {
        return rt_err_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                          "cannot take logarithm of a negative number");
    }
    if (sb == 0 || sx == 0) {
        return rt_err_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                          "cannot take logarithm of zero");
    }
    if (kb == NUM_PINF) { /* log(Inf, Inf) is Inf / Inf; log(Inf, finite) is 0 */
        return kx == NUM_PINF ? num_make_special(c, NUM_NAN, out) : num_short_make(c, 0, 0, out);
    }
    return num_make_special(c, NUM_PINF, out); /* log(finite, Inf) */
}

static bool num_is_one(const num_var *v) {
    return v->ndigits == 1 && v->weight == 0 && v->digits[0] == 1 && v->sign == NUM_POS;
}

/* ln(x) / ln(b) to rscale; the logarithms get enough digits for the quotient's error to stay
 * below 10^-(rscale + guard), judged from PostgreSQL's weight estimates plus a margin. */
static bool num_var_log(num_ctx *c, const num_var *b, const num_var *x, num_var *r) {
    int32_t wb, wx;
    if (!num_estimate_ln_dweight(c, b, &wb) || !num_estimate_ln_dweight(c, x, &wx)) return false;
    int32_t result_dweight = wx - wb;
    int32_t rscale = SQL_NUMERIC_MIN_SIG_DIGITS - result_dweight;
    rscale = num_clamp_rscale(num_max32(num_max32(rscale, b->dscale), x->dscale));
    if (b->ndigits == 0 || b->sign == NUM_NEG) return num_ln_arg_error(c, b);
    if (x->ndigits == 0 || x->sign == NUM_NEG) return num_ln_arg_error(c, x);
    if (num_is_one(b)) return rt_err_set(c->err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    num_local lb, lx, q;
    num_var_init(&lb);
    num_var_init(&lx);
    num_var_init(&q);
    for (int32_t guard = NUM_GUARD_FIRST;; guard += NUM_GUARD_STEP) {
        int32_t target = rscale + guard + 2 + num_max32(result_dweight, 0);
        bool sure;
        if (!num_ln_abs(c, b, target - wb + 4, &lb.v) ||
            !num_ln_abs(c, x, target - wx + 4, &lx.v) ||
            !num_var_div(c, &lx.v, &lb.v, &q.v, rscale + guard + 2, true) ||
            !num_round_checked(c, &q.v, rscale + guard, rscale, r, &sure)) {
            return false;
        }
        if (sure || guard >= NUM_GUARD_MAX) return true;
    }
}

bool sql_numeric_log(rt_arena *arena, sql_bytes base, sql_bytes x, sql_bytes *out,
                     rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_kind kb = num_bytes_kind(base), kx = num_bytes_kind(x);
    num_local lb, lx, r;
    num_var_init(&lb);
    num_var_init(&lx);
    num_var_init(&r);
    if (kb == NUM_FINITE && !num_decode(&c, base, &lb)) return false;
    if (kx == NUM_FINITE && !num_decode(&c, x, &lx)) return false;
    if (kb != NUM_FINITE || kx != NUM_FINITE) return num_log_special(&c, kb, &lb.v, kx, &lx.v, out);
    return num_var_log(&c, &lb.v, &lx.v, &r.v) && num_make(&c, &r.v, out);
}

bool sql_numeric_log10(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    uint8_t ten[SQL_NUMERIC_SMALL_BYTES_MAX]; /* log(x) is log(10, x) in PostgreSQL */
    sql_bytes base = {ten, num_short_put(ten, 10, 0)};
    return sql_numeric_log(arena, base, a, out, err);
}

/* ---- power ------------------------------------------------------------------------------- */

static bool num_power_zero_negative(rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                      "zero raised to a negative power is undefined");
}

static bool num_power_complex(rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                      "a negative number raised to a non-integer power yields a complex result");
}

static bool num_is_odd_integer(const num_var *v) {
    return v->ndigits > 0 && v->ndigits == v->weight + 1 && (v->digits[v->ndigits - 1] & 1);
}

/* pow(3) of POSIX for NaN and infinite operands, as PostgreSQL 15 applies it. */
static bool num_power_special(num_ctx *c, num_kind ka, const num_var *a, num_kind kb,
                              const num_var *b, sql_bytes *out) {
    if (ka == NUM_NAN || kb == NUM_NAN) { /* NaN ^ 0 = 1 and 1 ^ NaN = 1 */
        bool one = (ka == NUM_NAN && kb == NUM_FINITE && b->ndigits == 0) ||
                   (kb == NUM_NAN && ka == NUM_FINITE && num_is_one(a));
        return one ? num_short_make(c, 1, 0, out) : num_make_special(c, NUM_NAN, out);
    }
    int sa = num_special_sign(ka, a), sb = num_special_sign(kb, b);
    if (sa == 0 && sb < 0) return num_power_zero_negative(c->err);
    if (sa < 0 && kb == NUM_FINITE && !num_var_is_integral(b)) return num_power_complex(c->err);
    if ((ka == NUM_FINITE && num_is_one(a)) || sb == 0) return num_short_make(c, 1, 0, out);
    if (sa == 0) return num_short_make(c, 0, 0, out); /* 0 ^ positive */
    if (kb != NUM_FINITE) { /* |a| > 1: Inf ^ Inf = Inf, Inf ^ -Inf = 0; |a| < 1 reversed */
        if (ka == NUM_FINITE && a->ndigits == 1 && a->weight == 0 && a->digits[0] == 1) {
            return num_short_make(c, 1, 0, out); /* -1 ^ +-Inf */
        }
        num_var abs_a = *a;
        abs_a.sign = NUM_POS;
        num_local one;
        num_var_set_i128(&one, 1);
        bool gt_one = ka != NUM_FINITE || num_var_cmp(&abs_a, &one.v) > 0;
        return gt_one == (sb > 0) ? num_make_special(c, NUM_PINF, out)
                                  : num_short_make(c, 0, 0, out);
    }
    if (ka == NUM_PINF) {
        return sb > 0 ? num_make_special(c, NUM_PINF, out) : num_short_make(c, 0, 0, out);
    }
    if (sb < 0) return num_short_make(c, 0, 0, out); /* -Inf ^ negative */
    return num_make_special(c, num_is_odd_integer(b) ? NUM_NINF : NUM_PINF, out);
}

/* PostgreSQL's estimate of log10(|b| ^ n): from the first 16 or so digits of b. */
static double num_power_int_weight(const num_var *b, int32_t n) {
    if (b->ndigits == 0) return 0;
    double f = b->digits[0];
    int32_t p = b->weight * NUM_BASE_DIGITS;
    for (int32_t i = 1; i < b->ndigits && i * NUM_BASE_DIGITS < 16; i++) {
        f = f * NUM_BASE + b->digits[i];
        p -= NUM_BASE_DIGITS;
    }
    return n * (log10(f) + p);
}

/* x * y into r keeping about `sig` significant digits, exactly when that is no more than the
 * exact product has; clears *exact when digits were dropped. */
static bool num_mul_sig(num_ctx *c, const num_var *x, const num_var *y, num_var *r, int32_t sig,
                        bool *exact) {
    int32_t full = x->dscale + y->dscale;
    int32_t local = sig - (num_var_dweight(x) + num_var_dweight(y) + 1);
    if (local < full) *exact = false;
    return num_var_mul(c, x, y, r, num_min32(local, full));
}

/* |b| ^ |n| by squaring, with `sig` significant digits (exact when small enough). */
static bool num_power_abs(num_ctx *c, const num_var *b, uint32_t n, int32_t sig, num_var *r,
                          bool *exact, bool *overflow) {
    num_local prod, one;
    num_var_init(&prod);
    num_var_set_i128(&one, 1);
    if (!num_var_copy(c, b, &prod.v) || !num_var_copy(c, (n & 1) ? &prod.v : &one.v, r)) {
        return false;
    }
    prod.v.sign = NUM_POS;
    r->sign = NUM_POS;
    *exact = true;
    *overflow = false;
    while ((n >>= 1) > 0) {
        if (!num_mul_sig(c, &prod.v, &prod.v, &prod.v, sig, exact)) return false;
        if ((n & 1) && !num_mul_sig(c, &prod.v, r, r, sig, exact)) return false;
        if (prod.v.weight > SQL_NUMERIC_WEIGHT_MAX || r->weight > SQL_NUMERIC_WEIGHT_MAX) {
            *overflow = true; /* the result is certain to overflow (or underflow, if n < 0) */
            return true;
        }
    }
    return true;
}

/* b ^ n for n in {0, 1, -1, 2} and for b = 0, as PostgreSQL special-cases them; *done tells
 * whether this was such a case. */
static bool num_power_int_simple(num_ctx *c, const num_var *b, int32_t n, int32_t rscale,
                                 num_var *r, bool *done) {
    num_local one;
    num_var_set_i128(&one, 1);
    *done = true;
    switch (n) {
    case 0: /* 0 ^ 0 = 1 too, as the SQL standard wants */
        if (!num_var_copy(c, &one.v, r)) return false;
        r->dscale = rscale;
        return true;
    case 1:
        if (!num_var_copy(c, b, r)) return false;
        num_var_round(r, rscale);
        return true;
    case -1: return num_var_div(c, &one.v, b, r, rscale, true);
    case 2: return num_var_mul(c, b, b, r, rscale);
    default: break;
    }
    *done = b->ndigits == 0; /* 0 ^ n, n > 2 (0 ^ negative was refused before) */
    if (*done) {
        num_var_zero(r);
        r->dscale = rscale;
    }
    return true;
}

/* One attempt at b ^ n with `guard` digits; *sure when the rounding could be trusted. */
static bool num_power_int_try(num_ctx *c, const num_var *b, int32_t n, int32_t rscale,
                              int32_t sig, int32_t guard, num_var *r, bool *sure) {
    num_local p, q, one;
    num_var_init(&p);
    num_var_init(&q);
    num_var_set_i128(&one, 1);
    bool exact, overflow;
    *sure = true;
    uint32_t mag = n < 0 ? -(uint32_t)n : (uint32_t)n;
    if (!num_power_abs(c, b, mag, sig, &p.v, &exact, &overflow)) return false;
    if (overflow) { /* past the weight limit: an error, or zero for a negative n */
        if (n > 0) {
            return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "value overflows numeric format");
        }
        num_var_zero(r);
        r->dscale = rscale;
        return true;
    }
    if (n < 0) {
        if (!num_var_div(c, &one.v, &p.v, &q.v, exact ? rscale : rscale + guard, true)) {
            return false;
        }
    } else if (!num_var_copy(c, &p.v, &q.v)) {
        return false;
    }
    if (!exact) return num_round_checked(c, &q.v, rscale + guard, rscale, r, sure);
    num_var_round(&q.v, rscale);
    return num_var_copy(c, &q.v, r);
}

/* b ^ n for an int32 n, rounded to rscale = max(16, scale of b) (PostgreSQL 15): exact
 * products while they are small, else enough significant digits for the rounding. */
static bool num_power_int(num_ctx *c, const num_var *b, int32_t n, num_var *r) {
    int32_t rscale = num_clamp_rscale(num_max32(SQL_NUMERIC_MIN_SIG_DIGITS, b->dscale));
    bool done;
    if (!num_power_int_simple(c, b, n, rscale, r, &done)) return false;
    if (done) return true;
    double f = num_power_int_weight(b, n); /* PostgreSQL's estimate of the result's weight */
    if (f > 3.0 * 32767 * NUM_BASE_DIGITS) {
        return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value overflows numeric format");
    }
    if (f + 1 < -rscale || f + 1 < -SQL_NUMERIC_RESULT_SCALE_MAX) {
        num_var_zero(r);
        r->dscale = rscale;
        return true;
    }
    int32_t shown = rscale + (int32_t)f + 1;
    int32_t extra = (int32_t)log10(fabs((double)n)) + 2; /* error grows with n */
    for (int32_t guard = NUM_GUARD_FIRST;; guard += NUM_GUARD_STEP) {
        bool sure;
        if (!num_power_int_try(c, b, n, rscale, shown + guard + extra, guard, r, &sure)) {
            return false;
        }
        if (b->sign == NUM_NEG && (n & 1) && r->ndigits > 0) r->sign = NUM_NEG;
        if (sure || guard >= NUM_GUARD_MAX) return true;
    }
}

/* r = 0 with the given scale: results too small to show. */
static bool num_power_zero(num_var *r, int32_t dscale) {
    num_var_zero(r);
    r->dscale = dscale;
    return true;
}

/* e^(e ln b) rounded to rscale, with t = e ln b precise enough for the rounding check. */
static bool num_power_exp(num_ctx *c, const num_var *b, const num_var *e, int32_t rscale,
                          int32_t shown, num_var *r) {
    num_local lnb, t, approx;
    num_var_init(&lnb);
    num_var_init(&t);
    num_var_init(&approx);
    for (int32_t guard = NUM_GUARD_FIRST;; guard += NUM_GUARD_STEP) {
        int32_t sig = shown + guard + 2;
        bool sure;
        if (!num_ln_abs(c, b, sig + 3 + num_max32(num_var_dweight(e), 0), &lnb.v) ||
            !num_var_mul(c, &lnb.v, e, &t.v, sig + 2)) {
            return false;
        }
        double val = num_var_to_double(&t.v);
        if (fabs(val) >= SQL_NUMERIC_EXP_ARG_MAX) { /* PostgreSQL's exp() limits */
            if (val > 0) {
                return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                                  "value overflows numeric format");
            }
            return num_power_zero(r, rscale);
        }
        if (!num_exp_sig(c, &t.v, sig, &approx.v) ||
            !num_round_checked(c, &approx.v, rscale + guard, rscale, r, &sure)) {
            return false;
        }
        if (sure || guard >= NUM_GUARD_MAX) return true;
    }
}

/* b ^ e for an e that is not an int32: the scale comes from a low-precision e * ln(b), as in
 * PostgreSQL; a negative b needs an integral e (its parity gives the sign). */
static bool num_power_general(num_ctx *c, const num_var *b_in, const num_var *e, num_var *r) {
    if (b_in->ndigits == 0) return num_power_zero(r, SQL_NUMERIC_MIN_SIG_DIGITS);
    num_var b = *b_in;
    bool negative = false;
    if (b.sign == NUM_NEG) {
        if (!num_var_is_integral(e)) return num_power_complex(c->err);
        negative = num_is_odd_integer(e);
        b.sign = NUM_POS;
    }
    int32_t ln_dweight;
    if (!num_estimate_ln_dweight(c, &b, &ln_dweight)) return false;
    int32_t local = num_max32(8 - ln_dweight, 0);
    num_local lnb, lnn;
    num_var_init(&lnb);
    num_var_init(&lnn);
    if (!num_var_ln(c, &b, &lnb.v, local) || !num_var_mul(c, &lnb.v, e, &lnn.v, local)) {
        return false;
    }
    double val = num_var_to_double(&lnn.v);
    if (fabs(val) > NUM_POWER_ESTIMATE_MAX) {
        if (val > 0) {
            return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "value overflows numeric format");
        }
        return num_power_zero(r, SQL_NUMERIC_RESULT_SCALE_MAX);
    }
    val *= 0.434294481903252; /* decimal weight of the result */
    int32_t rscale = SQL_NUMERIC_MIN_SIG_DIGITS - (int32_t)val;
    rscale = num_clamp_rscale(num_max32(num_max32(rscale, b.dscale), e->dscale));
    int32_t shown = rscale + (int32_t)floor(val) + 1;
    if (shown < -2) return num_power_zero(r, rscale);
    if (!num_power_exp(c, &b, e, rscale, num_max32(shown, 1), r)) return false;
    if (negative && r->ndigits > 0) r->sign = NUM_NEG;
    return true;
}

bool sql_numeric_power(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_kind ka = num_bytes_kind(a), kb = num_bytes_kind(b);
    num_local la, lb, r;
    num_var_init(&la);
    num_var_init(&lb);
    num_var_init(&r);
    if (ka == NUM_FINITE && !num_decode(&c, a, &la)) return false;
    if (kb == NUM_FINITE && !num_decode(&c, b, &lb)) return false;
    if (ka != NUM_FINITE || kb != NUM_FINITE) {
        return num_power_special(&c, ka, &la.v, kb, &lb.v, out);
    }
    if (la.v.ndigits == 0 && lb.v.sign == NUM_NEG && lb.v.ndigits > 0) {
        return num_power_zero_negative(err);
    }
    int64_t n;
    bool ok;
    if (num_var_is_integral(&lb.v) && num_var_to_i64(&lb.v, &n) && n >= INT32_MIN &&
        n <= INT32_MAX) {
        ok = num_power_int(&c, &la.v, (int32_t)n, &r.v);
    } else {
        ok = num_power_general(&c, &la.v, &lb.v, &r.v);
    }
    return ok && num_make(&c, &r.v, out);
}
