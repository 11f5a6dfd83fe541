/* sql_numeric_ops.c: arithmetic operators and rounding functions with PostgreSQL 15's result
 * scales and NaN/Infinity rules. Each operation first tries 128-bit integer arithmetic on
 * short-form operands (money amounts, ids) and falls back to vars only when the operands or
 * the result do not fit. */
#include "sql/sql_numeric_int.h"

/* Scales of short operands are aligned by multiplying by at most 10^18: the aligned
 * coefficients stay below 2^63 * 10^18 < 2^126, so a sum cannot overflow 128 bits. */
#define NUM_ALIGN_DIGITS_MAX 18

static bool num_div_zero(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

static bool num_both_short(sql_bytes a, sql_bytes b, int64_t *ca, int32_t *da, int64_t *cb,
                           int32_t *db) {
    return num_short_get(a, ca, da) && num_short_get(b, cb, db);
}

/* Both coefficients at the larger scale *d; false if that needs more than 10^18. */
static bool num_align(int64_t ca, int32_t da, int64_t cb, int32_t db, __int128 *x, __int128 *y,
                      int32_t *d) {
    if (da - db > NUM_ALIGN_DIGITS_MAX || db - da > NUM_ALIGN_DIGITS_MAX) return false;
    *x = ca;
    *y = cb;
    if (da < db) *x *= num_pow10_64[db - da];
    if (db < da) *y *= num_pow10_64[da - db];
    *d = num_max32(da, db);
    return true;
}

/* -1, 0, 1 for finite values and infinities (NaN is the caller's). */
static int num_sign_of(sql_bytes b) {
    num_view v;
    num_view_init(&v, b);
    if (v.kind == NUM_PINF) return 1;
    if (v.kind == NUM_NINF) return -1;
    return v.ndigits == 0 ? 0 : v.sign == NUM_NEG ? -1 : 1;
}

static bool num_binary_vars(num_ctx *c, sql_bytes a, sql_bytes b, num_local *la,
                            num_local *lb) {
    return num_decode(c, a, la) && num_decode(c, b, lb);
}

/* ---- + - * ------------------------------------------------------------------------------- */

static bool num_add_special(num_ctx *c, num_kind ka, num_kind kb, bool sub, sql_bytes *out) {
    if (sub && kb != NUM_NAN && kb != NUM_FINITE) kb = kb == NUM_PINF ? NUM_NINF : NUM_PINF;
    if (ka == NUM_NAN || kb == NUM_NAN) return num_make_special(c, NUM_NAN, out);
    if (ka == NUM_FINITE) return num_make_special(c, kb, out);
    if (kb == NUM_FINITE || ka == kb) return num_make_special(c, ka, out);
    return num_make_special(c, NUM_NAN, out); /* Inf - Inf */
}

static bool num_add_sub(rt_arena *arena, sql_bytes a, sql_bytes b, bool sub, sql_bytes *out,
                        rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca, cb;
    int32_t da, db, d;
    __int128 x, y;
    if (num_both_short(a, b, &ca, &da, &cb, &db) && num_align(ca, da, cb, db, &x, &y, &d)) {
        return num_make_i128(&c, sub ? x - y : x + y, d, out);
    }
    num_kind ka = num_bytes_kind(a), kb = num_bytes_kind(b);
    if (ka != NUM_FINITE || kb != NUM_FINITE) return num_add_special(&c, ka, kb, sub, out);
    num_local la, lb;
    if (!num_binary_vars(&c, a, b, &la, &lb)) return false;
    bool ok = sub ? num_var_sub(&c, &la.v, &lb.v, &la.v) : num_var_add(&c, &la.v, &lb.v, &la.v);
    return ok && num_make(&c, &la.v, out);
}

bool sql_numeric_add(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    return num_add_sub(arena, a, b, false, out, err);
}

bool sql_numeric_sub(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    return num_add_sub(arena, a, b, true, out, err);
}

bool sql_numeric_mul(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca, cb;
    int32_t da, db;
    if (num_both_short(a, b, &ca, &da, &cb, &db)) { /* |product| < 2^126 */
        return num_make_i128(&c, (__int128)ca * cb, da + db, out);
    }
    num_kind ka = num_bytes_kind(a), kb = num_bytes_kind(b);
    if (ka == NUM_NAN || kb == NUM_NAN) return num_make_special(&c, NUM_NAN, out);
    if (ka != NUM_FINITE || kb != NUM_FINITE) { /* Inf * 0 is NaN, else the signs decide */
        int s = num_sign_of(a) * num_sign_of(b);
        return num_make_special(&c, s == 0 ? NUM_NAN : s > 0 ? NUM_PINF : NUM_NINF, out);
    }
    num_local la, lb;
    if (!num_binary_vars(&c, a, b, &la, &lb)) return false;
    /* the exact product, rounded when its scale exceeds what can be stored */
    int32_t rscale = la.v.dscale + lb.v.dscale;
    if (!num_var_mul(&c, &la.v, &lb.v, &la.v, rscale)) return false;
    if (la.v.dscale > SQL_NUMERIC_DSCALE_MAX) num_var_round(&la.v, SQL_NUMERIC_DSCALE_MAX);
    return num_make(&c, &la.v, out);
}

/* ---- / % div() --------------------------------------------------------------------------- */

/* Base-10000 weight and first digit of a short value (0, 0 for zero), for the scale rule. */
static void num_short_lead(int64_t coef, int32_t dscale, int32_t *weight, int32_t *first) {
    *weight = 0;
    *first = 0;
    if (coef == 0) return;
    uint64_t u = coef < 0 ? -(uint64_t)coef : (uint64_t)coef;
    int32_t dweight = num_u128_len(u) - 1 - dscale;
    *weight = num_floor_div(dweight, NUM_BASE_DIGITS);
    int32_t e = dscale + *weight * NUM_BASE_DIGITS; /* first digit = u / 10^e, -3 <= e <= 18 */
    *first = (int32_t)(e >= 0 ? u / (uint64_t)num_pow10_64[e] : u * (uint64_t)num_pow10_64[-e]);
}

/* ca / cb rounded to rscale in 128 bits; false if the scaled operands do not fit. */
static bool num_short_div(num_ctx *c, int64_t ca, int32_t da, int64_t cb, int32_t db,
                          int32_t rscale, sql_bytes *out) {
    unsigned __int128 n = ca < 0 ? -(uint64_t)ca : (uint64_t)ca;
    unsigned __int128 d = cb < 0 ? -(uint64_t)cb : (uint64_t)cb;
    int32_t e = rscale + db - da; /* quotient * 10^rscale = n * 10^e / d */
    if (e >= 0) {
        if (num_u128_len(n) + e > 38) return false;
        n *= (unsigned __int128)num_pow10_128[e];
    } else {
        if (num_u128_len(d) - e > 38) return false;
        d *= (unsigned __int128)num_pow10_128[-e];
    }
    unsigned __int128 q = n / d, rem = n % d;
    if (rem >= d - rem) q++; /* half away from zero */
    __int128 coef = (__int128)q;
    return num_make_i128(c, (ca < 0) != (cb < 0) ? -coef : coef, rscale, out);
}

static bool num_div_special(num_ctx *c, sql_bytes a, sql_bytes b, sql_bytes *out) {
    num_kind ka = num_bytes_kind(a), kb = num_bytes_kind(b);
    if (ka == NUM_NAN || kb == NUM_NAN) return num_make_special(c, NUM_NAN, out);
    if (ka != NUM_FINITE) { /* Inf / Inf is NaN, Inf / 0 an error, else signs */
        if (kb != NUM_FINITE) return num_make_special(c, NUM_NAN, out);
        int s = num_sign_of(b);
        if (s == 0) return num_div_zero(c->err);
        return num_make_special(c, (s > 0) == (ka == NUM_PINF) ? NUM_PINF : NUM_NINF, out);
    }
    return num_short_make(c, 0, 0, out); /* finite / Inf */
}

bool sql_numeric_div(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca, cb;
    int32_t da, db;
    if (num_both_short(a, b, &ca, &da, &cb, &db)) {
        if (cb == 0) return num_div_zero(err);
        int32_t w1, f1, w2, f2;
        num_short_lead(ca, da, &w1, &f1);
        num_short_lead(cb, db, &w2, &f2);
        int32_t rscale = num_div_scale(w1, f1, da, w2, f2, db);
        if (num_short_div(&c, ca, da, cb, db, rscale, out)) return true;
        if (rt_err_is_set(err)) return false;
    }
    if (num_bytes_kind(a) != NUM_FINITE || num_bytes_kind(b) != NUM_FINITE) {
        return num_div_special(&c, a, b, out);
    }
    num_local la, lb;
    if (!num_binary_vars(&c, a, b, &la, &lb)) return false;
    if (lb.v.ndigits == 0) return num_div_zero(err);
    int32_t rscale = num_select_div_scale(&la.v, &lb.v);
    return num_var_div(&c, &la.v, &lb.v, &la.v, rscale, true) && num_make(&c, &la.v, out);
}

/* % and div(): NaN in, NaN out; x op 0 is an error (also for Inf); Inf op x is NaN for %,
 * +-Inf for div(); x op Inf is x for % and 0 for div(). */
static bool num_mod_special(num_ctx *c, sql_bytes a, sql_bytes b, bool trunc, sql_bytes *out) {
    num_kind ka = num_bytes_kind(a), kb = num_bytes_kind(b);
    if (ka == NUM_NAN || kb == NUM_NAN) return num_make_special(c, NUM_NAN, out);
    if (ka != NUM_FINITE) {
        int s = num_sign_of(b);
        if (s == 0) return num_div_zero(c->err);
        if (!trunc || kb != NUM_FINITE) return num_make_special(c, NUM_NAN, out);
        return num_make_special(c, (s > 0) == (ka == NUM_PINF) ? NUM_PINF : NUM_NINF, out);
    }
    if (!trunc) {
        *out = a;
        return true;
    }
    return num_short_make(c, 0, 0, out);
}

static bool num_mod_trunc(rt_arena *arena, sql_bytes a, sql_bytes b, bool trunc, sql_bytes *out,
                          rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca, cb;
    int32_t da, db, d;
    __int128 x, y;
    if (num_both_short(a, b, &ca, &da, &cb, &db) && num_align(ca, da, cb, db, &x, &y, &d)) {
        if (y == 0) return num_div_zero(err);
        return trunc ? num_make_i128(&c, x / y, 0, out) : num_make_i128(&c, x % y, d, out);
    }
    if (num_bytes_kind(a) != NUM_FINITE || num_bytes_kind(b) != NUM_FINITE) {
        return num_mod_special(&c, a, b, trunc, out);
    }
    num_local la, lb;
    if (!num_binary_vars(&c, a, b, &la, &lb)) return false;
    if (lb.v.ndigits == 0) return num_div_zero(err);
    bool ok = trunc ? num_var_div(&c, &la.v, &lb.v, &la.v, 0, false)
                    : num_var_div_mod(&c, &la.v, &lb.v, NULL, &la.v);
    return ok && num_make(&c, &la.v, out);
}

bool sql_numeric_mod(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    return num_mod_trunc(arena, a, b, false, out, err);
}

bool sql_numeric_div_trunc(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out,
                           rt_err *err) {
    return num_mod_trunc(arena, a, b, true, out, err);
}

/* ---- gcd, lcm ---------------------------------------------------------------------------- */

static bool num_gcd_lcm(rt_arena *arena, sql_bytes a, sql_bytes b, bool lcm, sql_bytes *out,
                        rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    if (num_bytes_kind(a) != NUM_FINITE || num_bytes_kind(b) != NUM_FINITE) {
        return num_make_special(&c, NUM_NAN, out); /* NaN and infinities alike */
    }
    num_local la, lb, lr;
    num_var_init(&lr);
    if (!num_binary_vars(&c, a, b, &la, &lb)) return false;
    int32_t dscale = num_max32(la.v.dscale, lb.v.dscale);
    if (!lcm) {
        if (!num_var_gcd(&c, &la.v, &lb.v, &lr.v)) return false;
    } else if (la.v.ndigits > 0 && lb.v.ndigits > 0) { /* |a / gcd * b|, exact */
        if (!num_var_gcd(&c, &la.v, &lb.v, &lr.v)) return false;
        if (!num_var_div(&c, &la.v, &lr.v, &lr.v, 0, false)) return false;
        if (!num_var_mul(&c, &lb.v, &lr.v, &lr.v, lb.v.dscale)) return false;
        lr.v.sign = NUM_POS;
    }
    lr.v.dscale = dscale;
    return num_make(&c, &lr.v, out);
}

bool sql_numeric_gcd(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    return num_gcd_lcm(arena, a, b, false, out, err);
}

bool sql_numeric_lcm(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    return num_gcd_lcm(arena, a, b, true, out, err);
}

/* ---- sign, rounding ---------------------------------------------------------------------- */

static bool num_negate_abs(rt_arena *arena, sql_bytes a, bool abs, sql_bytes *out,
                           rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca;
    int32_t da;
    if (num_short_get(a, &ca, &da)) { /* short coefficients are never INT64_MIN */
        return num_short_make(&c, abs ? (ca < 0 ? -ca : ca) : -ca, da, out);
    }
    num_kind k = num_bytes_kind(a);
    if (k == NUM_NAN) return num_make_special(&c, NUM_NAN, out);
    if (k != NUM_FINITE) {
        return num_make_special(&c, abs || k == NUM_NINF ? NUM_PINF : NUM_NINF, out);
    }
    if (a.len == NUM_LONG_HEADER_BYTES) { /* a zero with a long scale has no sign */
        *out = a;
        return true;
    }
    uint8_t *p = rt_arena_alloc(arena, a.len); /* long form: flip the tag */
    if (p == NULL) return rt_arena_fail(arena, err);
    memcpy(p, a.ptr, a.len);
    p[0] = abs || a.ptr[0] == NUM_TAG_NEG ? NUM_TAG_POS : NUM_TAG_NEG;
    *out = (sql_bytes){p, a.len};
    return true;
}

bool sql_numeric_neg(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    return num_negate_abs(arena, a, false, out, err);
}

bool sql_numeric_abs(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    return num_negate_abs(arena, a, true, out, err);
}

bool sql_numeric_sign(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    if (num_bytes_kind(a) == NUM_NAN) return num_make_special(&c, NUM_NAN, out);
    return num_short_make(&c, num_sign_of(a), 0, out);
}

static bool num_ceil_floor(rt_arena *arena, sql_bytes a, bool ceil, sql_bytes *out,
                           rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca;
    int32_t da;
    if (num_short_get(a, &ca, &da) && da <= 18) {
        int64_t unit = num_pow10_64[da];
        int64_t q = ca / unit, rem = ca % unit;
        if (rem != 0 && (rem > 0) == ceil) q += ceil ? 1 : -1;
        return num_short_make(&c, q, 0, out);
    }
    num_kind k = num_bytes_kind(a);
    if (k != NUM_FINITE) return num_make_special(&c, k, out);
    num_local l;
    if (!num_decode(&c, a, &l) || !num_var_ceil_floor(&c, &l.v, ceil)) return false;
    return num_make(&c, &l.v, out);
}

bool sql_numeric_ceil(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    return num_ceil_floor(arena, a, true, out, err);
}

bool sql_numeric_floor(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    return num_ceil_floor(arena, a, false, out, err);
}

/* round/trunc of a short value to n >= 0 places in 128 bits; false to take the var path. */
static bool num_short_round(num_ctx *c, int64_t ca, int32_t da, int32_t n, bool round,
                            sql_bytes *out) {
    if (n < 0 || n > NUM_SHORT_DSCALE_MAX || n - da > 18 || da - n > 18) return false;
    __int128 q = ca;
    if (n >= da) {
        q *= num_pow10_64[n - da];
    } else {
        int64_t unit = num_pow10_64[da - n];
        int64_t rem = ca % unit;
        q /= unit;
        if (round && 2 * (rem < 0 ? -rem : rem) >= unit) q += ca < 0 ? -1 : 1;
    }
    return num_make_i128(c, q, n, out);
}

static bool num_round_trunc(rt_arena *arena, sql_bytes a, int32_t n, bool round, sql_bytes *out,
                            rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    n = num_max32(n, SQL_NUMERIC_ROUND_SCALE_MIN);
    n = num_min32(n, SQL_NUMERIC_ROUND_SCALE_MAX);
    int64_t ca;
    int32_t da;
    if (num_short_get(a, &ca, &da) && num_short_round(&c, ca, da, n, round, out)) return true;
    if (rt_err_is_set(err)) return false;
    num_kind k = num_bytes_kind(a);
    if (k != NUM_FINITE) return num_make_special(&c, k, out);
    num_local l;
    if (!num_decode(&c, a, &l)) return false;
    if (round) {
        num_var_round(&l.v, n);
    } else {
        num_var_trunc(&l.v, n);
    }
    return num_make(&c, &l.v, out);
}

bool sql_numeric_round(rt_arena *arena, sql_bytes a, int32_t n, sql_bytes *out, rt_err *err) {
    return num_round_trunc(arena, a, n, true, out, err);
}

bool sql_numeric_trunc(rt_arena *arena, sql_bytes a, int32_t n, sql_bytes *out, rt_err *err) {
    return num_round_trunc(arena, a, n, false, out, err);
}

/* ---- scale(), min_scale(), trim_scale() -------------------------------------------------- */

bool sql_numeric_scale(sql_bytes a, int32_t *scale) {
    if (num_bytes_kind(a) != NUM_FINITE) return false;
    num_view v;
    num_view_init(&v, a);
    *scale = v.dscale;
    return true;
}

bool sql_numeric_min_scale(sql_bytes a, int32_t *scale) {
    if (num_bytes_kind(a) != NUM_FINITE) return false;
    num_view v;
    num_view_init(&v, a);
    int32_t last_weight = v.weight - v.ndigits + 1;
    *scale = 0;
    if (v.ndigits > 0 && last_weight < 0) {
        int32_t last = num_view_digit(&v, v.ndigits - 1), zeros = 0;
        while (last % 10 == 0) {
            last /= 10;
            zeros++;
        }
        *scale = -last_weight * NUM_BASE_DIGITS - zeros;
    }
    return true;
}

bool sql_numeric_trim_scale(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    int64_t ca;
    int32_t da;
    if (num_short_get(a, &ca, &da)) {
        while (da > 0 && ca % 10 == 0) {
            ca /= 10;
            da--;
        }
        return num_short_make(&c, ca, da, out);
    }
    num_kind k = num_bytes_kind(a);
    if (k != NUM_FINITE) return num_make_special(&c, k, out);
    num_local l;
    if (!num_decode(&c, a, &l)) return false;
    l.v.dscale = num_var_min_scale(&l.v);
    return num_make(&c, &l.v, out);
}
