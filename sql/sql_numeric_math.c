/* sql_numeric_math.c: square root, exponential and logarithm of vars, with the checked
 * rounding that sql_numeric_func.c also uses for log and power. The result scales are the
 * callers' (PostgreSQL's rules); the digits are computed our own way and rounded correctly: sqrt is exact (integer square root, then
 * rounding); exp and ln run their series with guard digits and a known error bound, and the
 * rounding is checked against that bound (Ziv's method): if the bound straddles a rounding
 * boundary, the value is computed again with more digits. Argument reductions are the
 * classic ones (Smith's FM library, Algorithm 786): exp by halving then squaring, ln by
 * square roots into (0.9, 1.1) then the atanh series. */
#include <math.h>

#include "sql/sql_numeric_int.h"

#define NUM_LOG10_2 0.301029995663981
#define NUM_LOG10_E 0.434294481903252
#define NUM_LN_10 2.302585092994046

static bool num_set_int(num_ctx *c, num_var *v, int64_t value) {
    num_local loc;
    num_var_set_i128(&loc, value);
    return num_var_copy(c, &loc.v, v);
}

/* 10^-scale as a var (for error bounds). */
static bool num_set_ulp(num_ctx *c, num_var *v, int32_t scale) {
    int32_t w = num_floor_div(-scale, NUM_BASE_DIGITS);
    if (!num_var_alloc(c, v, 1)) return false;
    v->digits[0] = (int32_t)num_pow10_64[-scale - w * NUM_BASE_DIGITS];
    v->ndigits = 1;
    v->weight = w;
    v->sign = NUM_POS;
    v->dscale = num_max32(scale, 0);
    return true;
}

/* Rounds approx, whose error is below 10^-err_scale, to rscale into r; *sure is false when
 * approx - err and approx + err round differently (the digits cannot be trusted yet). */
bool num_round_checked(num_ctx *c, const num_var *approx, int32_t err_scale, int32_t rscale,
                       num_var *r, bool *sure) {
    num_local ulp, lo, hi;
    num_var_init(&ulp);
    num_var_init(&lo);
    num_var_init(&hi);
    if (!num_set_ulp(c, &ulp.v, err_scale) || !num_var_sub(c, approx, &ulp.v, &lo.v) ||
        !num_var_add(c, approx, &ulp.v, &hi.v) || !num_var_copy(c, approx, r)) {
        return false;
    }
    num_var_round(&lo.v, rscale);
    num_var_round(&hi.v, rscale);
    num_var_round(r, rscale);
    *sure = num_var_cmp(&lo.v, &hi.v) == 0;
    return true;
}

/* ---- sqrt -------------------------------------------------------------------------------- */

/* s = floor(sqrt(n)), r = n - s^2 for an integer n < 10^36, in 128-bit arithmetic (the long
 * double root is off by at most a few units, which the loops correct). */
static bool num_sqrtrem_small(num_ctx *c, const num_var *n, num_var *s, num_var *r) {
    unsigned __int128 v = 0;
    for (int32_t i = 0; i <= n->weight && n->ndigits > 0; i++) {
        v = v * NUM_BASE + (unsigned)(i < n->ndigits ? n->digits[i] : 0);
    }
    unsigned __int128 root = (unsigned __int128)sqrtl((long double)v);
    while (root * root > v) root--;
    while ((root + 1) * (root + 1) <= v) root++;
    num_local ls, lr;
    num_var_set_u128(&ls, root, NUM_POS);
    num_var_set_u128(&lr, v - root * root, NUM_POS);
    return num_var_copy(c, &ls.v, s) && num_var_copy(c, &lr.v, r);
}

/* The digits of the integer n of weights lo .. hi-1, as an integer. */
static bool num_int_slice(num_ctx *c, const num_var *n, int32_t lo, int32_t hi, num_var *out) {
    if (!num_var_alloc(c, out, hi - lo)) return false;
    for (int32_t w = hi - 1, i = 0; w >= lo; w--, i++) {
        int32_t at = n->weight - w;
        out->digits[i] = at >= 0 && at < n->ndigits ? n->digits[at] : 0;
    }
    out->ndigits = hi - lo;
    out->weight = hi - lo - 1;
    out->sign = NUM_POS;
    out->dscale = 0;
    num_var_strip(out);
    return true;
}

/* Multiplies an integer by NUM_BASE^k (k >= 0) in place. */
static void num_int_shift(num_var *v, int32_t k) {
    if (v->ndigits > 0) v->weight += k;
}

/* Square root with remainder of an integer n >= 0, by Zimmermann's "Karatsuba Square Root"
 * (INRIA RR-3805): write n = a3 b^3 + a2 b^2 + a1 b + a0 with b = NUM_BASE^blen and
 * a3 >= b/4; from (s', r') = SqrtRem(a3 b + a2) and (q, u) = DivRem(r' b + a1, 2 s'), the
 * root is s' b + q and the remainder u b + a0 - q^2, corrected once if negative. */
static bool num_sqrtrem(num_ctx *c, const num_var *n, num_var *s, num_var *r) {
    int32_t nd = n->ndigits == 0 ? 0 : n->weight + 1;
    if (nd <= 9) return num_sqrtrem_small(c, n, s, r);
    int32_t blen = nd / 4;
    if (blen * 4 == nd && n->digits[0] < NUM_BASE / 4) blen--;
    num_local hi, a1, a0, s1, r1, q, u, one;
    num_local *locals[] = {&hi, &a1, &a0, &s1, &r1, &q, &u};
    for (size_t i = 0; i < sizeof locals / sizeof locals[0]; i++) num_var_init(locals[i]);
    num_var_set_i128(&one, 1);
    if (!num_int_slice(c, n, 2 * blen, nd, &hi.v) || !num_int_slice(c, n, blen, 2 * blen, &a1.v) ||
        !num_int_slice(c, n, 0, blen, &a0.v) || !num_sqrtrem(c, &hi.v, &s1.v, &r1.v)) {
        return false;
    }
    num_int_shift(&r1.v, blen);
    if (!num_var_add(c, &r1.v, &a1.v, &r1.v) || !num_var_add(c, &s1.v, &s1.v, &hi.v) ||
        !num_var_div_mod(c, &r1.v, &hi.v, &q.v, &u.v)) {
        return false;
    }
    num_int_shift(&s1.v, blen);
    num_int_shift(&u.v, blen);
    if (!num_var_add(c, &s1.v, &q.v, s) || !num_var_add(c, &u.v, &a0.v, &u.v) ||
        !num_var_mul(c, &q.v, &q.v, &q.v, 0) || !num_var_sub(c, &u.v, &q.v, r)) {
        return false;
    }
    if (r->sign == NUM_NEG && r->ndigits > 0) { /* s was one too big: r += 2s - 1, s -= 1 */
        if (!num_var_add(c, r, s, r) || !num_var_sub(c, s, &one.v, s) || !num_var_add(c, r, s, r)) {
            return false;
        }
    }
    return true;
}

/* sqrt(x) rounded to rscale (which may be negative), exactly: the integer square root of
 * x * 10^(2k), with k >= rscale + 1 a multiple of 4, holds every digit the rounding needs. */
bool num_var_sqrt(num_ctx *c, const num_var *x, num_var *r, int32_t rscale) {
    RT_ASSERT(x->sign == NUM_POS || x->ndigits == 0);
    int32_t k = NUM_BASE_DIGITS * num_ceil_div(rscale + 1, NUM_BASE_DIGITS);
    num_local n;
    num_var_init(&n);
    if (!num_var_copy(c, x, &n.v)) return false;
    n.v.weight += k / 2; /* times 10^(2k) = NUM_BASE^(k/2) */
    num_var_trunc(&n.v, 0);
    num_local rem;
    num_var_init(&rem);
    if (!num_sqrtrem(c, &n.v, r, &rem.v)) return false;
    if (r->ndigits > 0) r->weight -= k / NUM_BASE_DIGITS; /* divided by 10^k */
    num_var_round(r, rscale);
    return true;
}

/* ---- exp --------------------------------------------------------------------------------- */

/* e^x with relative error below 10^-sig (|x| < SQL_NUMERIC_EXP_ARG_MAX): x / 2^n with
 * |x / 2^n| <= 0.01, the Taylor series, then n squarings. */
bool num_exp_sig(num_ctx *c, const num_var *x, int32_t sig, num_var *r) {
    double val = fabs(num_var_estimate(x));
    int32_t n = 0;
    while (val > 0.01) {
        val /= 2;
        n++;
    }
    int32_t work = sig + (int32_t)(n * NUM_LOG10_2) + 8; /* squaring doubles the error n times */
    num_local xr, term, pow2;
    num_var_init(&xr);
    num_var_init(&term);
    num_var_set_i128(&pow2, (__int128)1 << n);
    if (!num_var_div(c, x, &pow2.v, &xr.v, work + 2, true)) return false;
    /* series: |x| <= 0.01 so the sum is about 1 and an absolute scale is a relative one */
    int32_t scale = work + 4;
    num_local one;
    num_var_set_i128(&one, 1);
    if (!num_var_add(c, &one.v, &xr.v, r) || !num_var_copy(c, &xr.v, &term.v)) return false;
    for (int32_t i = 2; term.v.ndigits > 0; i++) {
        num_local div;
        num_var_set_i128(&div, i);
        if (!num_var_mul(c, &term.v, &xr.v, &term.v, scale + 2) ||
            !num_var_div(c, &term.v, &div.v, &term.v, scale, true) ||
            !num_var_add(c, r, &term.v, r)) {
            return false;
        }
    }
    for (int32_t i = 0; i < n; i++) { /* keep `work` significant digits while squaring */
        int32_t local = work + 2 - 2 * num_var_dweight(r);
        if (!num_var_mul(c, r, r, r, local)) return false;
    }
    return true;
}

/* e^x rounded to rscale; the caller checked |x| < SQL_NUMERIC_EXP_ARG_MAX. */
static bool num_var_exp_round(num_ctx *c, const num_var *x, num_var *r, int32_t rscale) {
    if (x->ndigits == 0) {
        if (!num_set_int(c, r, 1)) return false;
        r->dscale = rscale;
        return true;
    }
    /* decimal weight of the result, then the significant digits that rscale shows */
    int32_t dweight = (int32_t)floor(num_var_estimate(x) * NUM_LOG10_E);
    int32_t shown = dweight + 1 + rscale;
    if (shown < -2) { /* below half a unit of rscale whatever the last digits are */
        num_var_zero(r);
        r->dscale = rscale;
        return true;
    }
    num_local approx;
    num_var_init(&approx);
    for (int32_t guard = NUM_GUARD_FIRST;; guard += NUM_GUARD_STEP) {
        bool sure;
        int32_t sig = num_max32(shown, 1) + guard + 2; /* +2: dweight may be off by one */
        if (!num_exp_sig(c, x, sig, &approx.v)) return false;
        if (!num_round_checked(c, &approx.v, rscale + guard, rscale, r, &sure)) return false;
        if (sure || guard >= NUM_GUARD_MAX) return true;
    }
}

bool num_var_exp(num_ctx *c, const num_var *x, num_var *r, int32_t rscale) {
    double val = num_var_to_double(x);
    if (fabs(val) >= SQL_NUMERIC_EXP_ARG_MAX) { /* as PostgreSQL: overflow, or zero */
        if (val > 0) {
            return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "value overflows numeric format");
        }
        num_var_zero(r);
        r->dscale = rscale;
        return true;
    }
    return num_var_exp_round(c, x, r, rscale);
}

/* ---- ln ---------------------------------------------------------------------------------- */

/* log10(x) from the first digits, for x > 0 of any size (no double overflow). */
static double num_log10_estimate(const num_var *x) {
    double m = 0;
    for (int32_t i = 0; i < num_min32(x->ndigits, 3); i++) m = m * NUM_BASE + x->digits[i];
    int32_t used = num_min32(x->ndigits, 3);
    return log10(m) + (double)(x->weight - used + 1) * NUM_BASE_DIGITS;
}

static const int32_t num_const_09[1] = {9000};   /* 0.9 */
static const int32_t num_const_11[2] = {1, 1000}; /* 1.1 */

static bool num_in_ln_range(const num_var *x) { /* 0.9 < x < 1.1 */
    num_var lo = {(int32_t *)num_const_09, 1, 1, -1, 1, NUM_POS};
    num_var hi = {(int32_t *)num_const_11, 2, 2, 0, 1, NUM_POS};
    return num_var_cmp(x, &lo) > 0 && num_var_cmp(x, &hi) < 0;
}

/* The atanh series: ln(y) = 2 (z + z^3/3 + z^5/5 + ...), z = (y - 1) / (y + 1), at `scale`. */
static bool num_ln_series(num_ctx *c, const num_var *y, int32_t scale, num_var *r) {
    num_local one, z, zsq, term, part;
    num_var_set_i128(&one, 1);
    num_var_init(&z);
    num_var_init(&zsq);
    num_var_init(&term);
    num_var_init(&part);
    if (!num_var_sub(c, y, &one.v, &term.v) || !num_var_add(c, y, &one.v, &part.v) ||
        !num_var_div(c, &term.v, &part.v, &z.v, scale, true) ||
        !num_var_mul(c, &z.v, &z.v, &zsq.v, scale) || !num_var_copy(c, &z.v, r) ||
        !num_var_copy(c, &z.v, &term.v)) {
        return false;
    }
    for (int32_t k = 3;; k += 2) {
        num_local kv;
        num_var_set_i128(&kv, k);
        if (!num_var_mul(c, &term.v, &zsq.v, &term.v, scale + 2) ||
            !num_var_div(c, &term.v, &kv.v, &part.v, scale, true)) {
            return false;
        }
        if (part.v.ndigits == 0) break;
        if (!num_var_add(c, r, &part.v, r)) return false;
    }
    num_local two;
    num_var_set_i128(&two, 2);
    return num_var_mul(c, r, &two.v, r, scale);
}

/* ln(x) for x > 0 with absolute error below 10^-scale: square roots bring x into
 * (0.9, 1.1), each kept to enough significant digits that the 2^n factor of the end does
 * not reach the last digit. */
bool num_ln_abs(num_ctx *c, const num_var *x, int32_t scale, num_var *r) {
    double lnx = fabs(num_log10_estimate(x) * NUM_LN_10);
    int32_t nsqrt_est = lnx > 0.09 ? (int32_t)ceil(log2(lnx / 0.09)) + 1 : 1;
    int32_t guard = (int32_t)((nsqrt_est + 1) * NUM_LOG10_2) + 6;
    num_local y;
    num_var_init(&y);
    if (!num_var_copy(c, x, &y.v)) return false;
    int32_t nsqrt = 0;
    while (!num_in_ln_range(&y.v)) {
        int32_t local = scale + guard - num_floor_div(num_var_dweight(&y.v), 2);
        if (!num_var_sqrt(c, &y.v, &y.v, local)) return false;
        nsqrt++;
    }
    int32_t series_scale = scale + guard + (int32_t)(nsqrt * NUM_LOG10_2) + 4;
    if (!num_ln_series(c, &y.v, series_scale, r)) return false;
    num_local factor;
    num_var_set_i128(&factor, (__int128)1 << nsqrt);
    return num_var_mul(c, r, &factor.v, r, series_scale);
}

bool num_ln_arg_error(num_ctx *c, const num_var *x) {
    if (x->ndigits == 0) {
        return rt_err_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                          "cannot take logarithm of zero");
    }
    return rt_err_set(c->err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                      "cannot take logarithm of a negative number");
}

bool num_var_ln(num_ctx *c, const num_var *x, num_var *r, int32_t rscale) {
    if (x->ndigits == 0 || x->sign == NUM_NEG) return num_ln_arg_error(c, x);
    num_local approx;
    num_var_init(&approx);
    for (int32_t guard = NUM_GUARD_FIRST;; guard += NUM_GUARD_STEP) {
        bool sure;
        if (!num_ln_abs(c, x, rscale + guard, &approx.v)) return false;
        if (!num_round_checked(c, &approx.v, rscale + guard, rscale, r, &sure)) return false;
        if (sure || guard >= NUM_GUARD_MAX) return true;
    }
}

/* PostgreSQL's estimate of the decimal weight of ln(x), which decides ln's and log's scales:
 * from x - 1 near 1, else from the first two base-10000 digits in double precision. */
bool num_estimate_ln_dweight(num_ctx *c, const num_var *x, int32_t *out) {
    *out = 0;
    if (x->sign != NUM_POS) return true;
    num_var lo = {(int32_t *)num_const_09, 1, 1, -1, 1, NUM_POS};
    num_var hi = {(int32_t *)num_const_11, 2, 2, 0, 1, NUM_POS};
    if (num_var_cmp(x, &lo) >= 0 && num_var_cmp(x, &hi) <= 0) {
        num_local one, d;
        num_var_set_i128(&one, 1);
        num_var_init(&d);
        if (!num_var_sub(c, x, &one.v, &d.v)) return false;
        if (d.v.ndigits > 0) {
            *out = d.v.weight * NUM_BASE_DIGITS + (int32_t)log10(d.v.digits[0]);
        }
        return true;
    }
    if (x->ndigits == 0) return true;
    double digits = x->digits[0];
    int32_t dweight = x->weight * NUM_BASE_DIGITS;
    if (x->ndigits > 1) {
        digits = digits * NUM_BASE + x->digits[1];
        dweight -= NUM_BASE_DIGITS;
    }
    double ln_x = log(digits) + dweight * NUM_LN_10;
    *out = (int32_t)log10(fabs(ln_x));
    return true;
}
