/* sql_float_out.c: float4/float8 to text, as PostgreSQL 15 prints them.
 *
 * Shortest output uses the Schubfach method (R. Giulietti, "The Schubfach way to render
 * doubles", 2020), written from the paper. For v = c * 2^q with rounding interval R_v, pick k
 * with 10^k <= |R_v| < 10^(k+1); then R_v holds at most one multiple of 10^(k+1) and at least
 * one multiple of 10^k. One 128-bit multiplication per bound, by g ~ 10^-k * 2^-r, scales v
 * and both bounds; rounding the products "to odd" keeps every comparison against an even
 * integer exact, so the answer is found without any loop or big-number arithmetic.
 *
 * PostgreSQL uses Ryu, which treats both ends of R_v as excluded even when the significand is
 * even (so "1e23" prints as 9.999999999999999e+22: its double's upper bound is exactly 1e23).
 * We do the same, so our text is PostgreSQL's text, digit for digit.
 *
 * The table of g for every power of ten a double can need is computed once before main() with
 * a small exact big-number routine (no table is copied from anywhere). */
#include "sql/sql_float.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_assert.h"

/* Powers 10^e that a binary64 or binary32 value can need: e = -k for k from
 * floor(log10(2^-1074)) = -324 to floor(log10(2^971)) = 292, with one spare on each side for the
 * 3/4-interval case, which may lower k by one. */
#define FLOAT_G_E_MIN (-293)
#define FLOAT_G_E_MAX 325
#define FLOAT_G_COUNT (FLOAT_G_E_MAX - FLOAT_G_E_MIN + 1)

/* Big numbers used to build the table: 2^1210 / 10^325 needs 1211 bits. */
#define FLOAT_BIG_LIMBS 48

#define FLOAT_MASK63 ((UINT64_C(1) << 63) - 1)

/* g = hi * 2^63 + lo, 2^125 <= g < 2^126, g = floor(10^e * 2^-r) + 1 with
 * r = floor(e * log2(10)) - 125. Always above the real 10^e * 2^-r, never equal. */
typedef struct float_g {
    uint64_t hi;
    uint64_t lo;
} float_g;

static float_g float_g_table[FLOAT_G_COUNT];

/* ---- floor(log) helpers: exact over the ranges used (checked by the tests) -------------- */

/* floor(q * log10(2)) for |q| <= 2000; 661971961083 / 2^41 approximates log10(2). */
static inline int32_t float_flog10_pow2(int32_t q) {
    return (int32_t)(((int64_t)q * INT64_C(661971961083)) >> 41);
}

/* floor(log10(3/4 * 2^q)); 274743187321 / 2^41 approximates -log10(3/4). */
static inline int32_t float_flog10_three_quarters_pow2(int32_t q) {
    return (int32_t)(((int64_t)q * INT64_C(661971961083) - INT64_C(274743187321)) >> 41);
}

/* floor(e * log2(10)) for |e| <= 400; 913124641741 / 2^38 approximates log2(10). */
static inline int32_t float_flog2_pow10(int32_t e) {
    return (int32_t)(((int64_t)e * INT64_C(913124641741)) >> 38);
}

/* ---- building the table --------------------------------------------------------------- */

typedef struct float_big {
    uint32_t limb[FLOAT_BIG_LIMBS]; /* little-endian base 2^32 */
} float_big;

static void float_big_mul_small(float_big *b, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < FLOAT_BIG_LIMBS; i++) {
        uint64_t t = (uint64_t)b->limb[i] * m + carry;
        b->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    RT_ASSERT(carry == 0);
}

/* Floor division by a small divisor. */
static void float_big_div_small(float_big *b, uint32_t d) {
    uint64_t rem = 0;
    for (int i = FLOAT_BIG_LIMBS - 1; i >= 0; i--) {
        uint64_t t = (rem << 32) | b->limb[i];
        b->limb[i] = (uint32_t)(t / d);
        rem = t % d;
    }
}

/* b = floor(b * 2^shift) for shift > 0, floor(b / 2^-shift) for shift < 0. */
static void float_big_shift(float_big *b, int32_t shift) {
    float_big r;
    memset(&r, 0, sizeof r);
    int32_t limbs = shift >= 0 ? shift / 32 : -((-shift + 31) / 32);
    uint32_t bits = (uint32_t)(shift - limbs * 32); /* 0..31, shifting left */
    for (int32_t i = 0; i < FLOAT_BIG_LIMBS; i++) {
        uint64_t v = (uint64_t)b->limb[i] << bits;
        int32_t j = i + limbs;
        if (v == 0) continue;
        RT_ASSERT(j + 1 < FLOAT_BIG_LIMBS || (v >> 32) == 0);
        if (j >= 0 && j < FLOAT_BIG_LIMBS) r.limb[j] |= (uint32_t)v;
        if (j + 1 >= 0 && j + 1 < FLOAT_BIG_LIMBS) r.limb[j + 1] |= (uint32_t)(v >> 32);
    }
    *b = r;
}

/* Bits [from, from + 63) of b. */
static uint64_t float_big_bits63(const float_big *b, int32_t from) {
    uint64_t v = 0;
    for (int32_t i = 62; i >= 0; i--) {
        int32_t j = from + i;
        v = (v << 1) | ((b->limb[j / 32] >> (j % 32)) & 1);
    }
    return v;
}

static void float_big_add_one(float_big *b) {
    for (int i = 0; i < FLOAT_BIG_LIMBS; i++) {
        if (++b->limb[i] != 0) return;
    }
    RT_UNREACHABLE();
}

/* g for 10^e: floor(10^e * 2^(125 - floor(e log2 10))) + 1, split into 63-bit halves.
 * `pow10` is 10^e for e >= 0 (the caller keeps it as it walks up). */
static float_g float_g_compute(int32_t e, const float_big *pow10) {
    float_big b;
    memset(&b, 0, sizeof b);
    int32_t shift = 125 - float_flog2_pow10(e); /* multiply by 2^shift */
    if (e >= 0) {
        b = *pow10;
        float_big_shift(&b, shift);
    } else {
        b.limb[shift / 32] = UINT32_C(1) << (shift % 32);
        int32_t left = -e;
        for (; left >= 9; left -= 9) float_big_div_small(&b, 1000000000u);
        for (; left > 0; left--) float_big_div_small(&b, 10);
    }
    float_big_add_one(&b);
    /* 2^125 <= g < 2^126: bit 125 set, nothing above. */
    RT_ASSERT(((b.limb[125 / 32] >> (125 % 32)) & 1) == 1);
    RT_ASSERT((b.limb[126 / 32] >> (126 % 32)) == 0);
    for (int i = 126 / 32 + 1; i < FLOAT_BIG_LIMBS; i++) RT_ASSERT(b.limb[i] == 0);
    return (float_g){.hi = float_big_bits63(&b, 63), .lo = float_big_bits63(&b, 0)};
}

/* Runs before main() (and before any shard exists), so readers never race the writer. */
__attribute__((constructor)) static void float_g_table_init(void) {
    float_big pow10;
    memset(&pow10, 0, sizeof pow10);
    pow10.limb[0] = 1;
    for (int32_t e = FLOAT_G_E_MIN; e <= FLOAT_G_E_MAX; e++) {
        float_g_table[e - FLOAT_G_E_MIN] = float_g_compute(e, &pow10);
        if (e >= 0) float_big_mul_small(&pow10, 10);
    }
}

/* ---- Schubfach --------------------------------------------------------------------------- */

/* g * cp / 2^127, rounded to odd: the integer part, with the low bit set when a fraction was
 * dropped. Comparisons of the result with even numbers are then exact. */
static inline uint64_t float_round_to_odd(const float_g *g, uint64_t cp) {
    unsigned __int128 x = (unsigned __int128)g->lo * cp;
    unsigned __int128 y = (unsigned __int128)g->hi * cp;
    uint64_t x1 = (uint64_t)(x >> 64);
    uint64_t y0 = (uint64_t)y;
    uint64_t y1 = (uint64_t)(y >> 64);
    uint64_t z = (y0 >> 1) + x1;
    uint64_t vbp = y1 + (z >> 63);
    return vbp | (((z & FLOAT_MASK63) + FLOAT_MASK63) >> 63);
}

/* The shortest decimal d * 10^k strictly inside the rounding interval of c * 2^q, closest to
 * c * 2^q (ties to even d). `lower_closer`: c is the smallest significand of its binade and a
 * smaller binade exists, so the gap below is half the gap above. d may end in zeros. */
static void float_schubfach(uint64_t c, int32_t q, bool lower_closer, uint64_t *d_out,
                            int32_t *k_out) {
    uint64_t cb = c << 2;
    uint64_t cbr = cb + 2;
    uint64_t cbl;
    int32_t k;
    if (!lower_closer) {
        cbl = cb - 2;
        k = float_flog10_pow2(q);
    } else {
        cbl = cb - 1;
        k = float_flog10_three_quarters_pow2(q);
    }
    int32_t h = q + float_flog2_pow10(-k) + 2;
    RT_ASSERT(h >= 1 && h <= 5);
    RT_ASSERT(-k >= FLOAT_G_E_MIN && -k <= FLOAT_G_E_MAX);
    const float_g *g = &float_g_table[-k - FLOAT_G_E_MIN];
    /* vb ~ 4 v / 10^k; vbl, vbr the same for the bounds. */
    uint64_t vb = float_round_to_odd(g, cb << h);
    uint64_t vbl = float_round_to_odd(g, cbl << h);
    uint64_t vbr = float_round_to_odd(g, cbr << h);
    /* Bounds are excluded (PostgreSQL's Ryu does so): "+ 1" turns <= into <. */
    uint64_t s = vb >> 2;
    /* One digit shorter: a multiple of 10^(k+1) inside the interval is unique. Tried for every
     * s: tiny subnormals (s < 100) need it too (10 * 2^-1074 prints as 5e-323). */
    uint64_t sp10 = 10 * (s / 10);
    uint64_t tp10 = sp10 + 10;
    bool upin = vbl + 1 <= sp10 << 2;
    bool wpin = (tp10 << 2) + 1 <= vbr;
    if (upin != wpin) {
        *d_out = upin ? sp10 : tp10;
        *k_out = k;
        return;
    }
    uint64_t t = s + 1;
    bool uin = vbl + 1 <= s << 2;
    bool win = (t << 2) + 1 <= vbr;
    *k_out = k;
    if (uin != win) {
        *d_out = uin ? s : t;
        return;
    }
    /* Both inside: the closer one; vb against 4s + 2, the midpoint. */
    uint64_t mid = (s << 2) + 2;
    *d_out = (vb < mid || (vb == mid && (s & 1) == 0)) ? s : t;
}

/* Splits a finite nonzero double's magnitude into c * 2^q and runs Schubfach; trailing zeros
 * of the digits are removed. */
static void float8_decimal_bits(uint64_t bits, uint64_t *d_out, int32_t *k_out) {
    uint32_t bq = (uint32_t)(bits >> 52) & 0x7ff;
    uint64_t bc = bits & ((UINT64_C(1) << 52) - 1);
    uint64_t c;
    int32_t q;
    bool lower_closer = false;
    if (bq != 0) {
        c = bc | (UINT64_C(1) << 52);
        q = (int32_t)bq - 1075;
        lower_closer = bc == 0 && bq > 1;
        /* Small integers print exactly: c * 2^q with no fraction is its own shortest form. */
        if (q < 0 && q > -53 && (c & ((UINT64_C(1) << -q) - 1)) == 0) {
            *d_out = c >> -q;
            *k_out = 0;
            goto strip;
        }
    } else {
        c = bc;
        q = -1074;
    }
    float_schubfach(c, q, lower_closer, d_out, k_out);
strip:
    while (*d_out % 10 == 0) {
        *d_out /= 10;
        (*k_out)++;
    }
}

static void float4_decimal_bits(uint32_t bits, uint64_t *d_out, int32_t *k_out) {
    uint32_t bq = (bits >> 23) & 0xff;
    uint32_t bc = bits & ((UINT32_C(1) << 23) - 1);
    uint64_t c;
    int32_t q;
    bool lower_closer = false;
    if (bq != 0) {
        c = bc | (UINT32_C(1) << 23);
        q = (int32_t)bq - 150;
        lower_closer = bc == 0 && bq > 1;
    } else {
        c = bc;
        q = -149;
    }
    float_schubfach(c, q, lower_closer, d_out, k_out);
    while (*d_out % 10 == 0) {
        *d_out /= 10;
        (*k_out)++;
    }
}

void sql_float8_decimal(double v, uint64_t *digits, int32_t *exp10) {
    RT_ASSERT(isfinite(v) && v != 0);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    float8_decimal_bits(bits & ~(UINT64_C(1) << 63), digits, exp10);
}

/* ---- formatting --------------------------------------------------------------------------- */

static const char float_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes the decimal digits of d (at most 20) into out; returns how many. */
static uint32_t float_write_digits(uint64_t d, char *out) {
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (d >= 100) {
        uint32_t r = (uint32_t)(d % 100);
        d /= 100;
        p -= 2;
        memcpy(p, &float_digit_pairs[r * 2], 2);
    }
    if (d >= 10) {
        p -= 2;
        memcpy(p, &float_digit_pairs[d * 2], 2);
    } else {
        *--p = (char)('0' + d);
    }
    uint32_t n = (uint32_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
    return n;
}

/* d * 10^k (d without trailing zeros) as PostgreSQL prints it: fixed notation when the
 * exponent of the leading digit is in [-4, fixed_max), else d.ddde[+-]XX. */
static uint32_t float_format(bool negative, uint64_t d, int32_t k, int32_t fixed_max, char *buf) {
    char digits[24];
    uint32_t n = float_write_digits(d, digits);
    int32_t x = k + (int32_t)n - 1;
    char *p = buf;
    if (negative) *p++ = '-';
    if (x < -4 || x >= fixed_max) {
        *p++ = digits[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, n - 1);
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = x < 0 ? '-' : '+';
        uint32_t ax = (uint32_t)(x < 0 ? -x : x);
        if (ax >= 100) *p++ = (char)('0' + ax / 100);
        memcpy(p, &float_digit_pairs[(ax % 100) * 2], 2);
        p += 2;
    } else if (x < 0) {
        /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int32_t i = -1; i > x; i--) *p++ = '0';
        memcpy(p, digits, n);
        p += n;
    } else if ((uint32_t)x + 1 >= n) {
        /* dddd000 */
        memcpy(p, digits, n);
        p += n;
        for (uint32_t i = n; i <= (uint32_t)x; i++) *p++ = '0';
    } else {
        /* ddd.ddd */
        memcpy(p, digits, (uint32_t)x + 1);
        p += x + 1;
        *p++ = '.';
        memcpy(p, digits + x + 1, n - (uint32_t)x - 1);
        p += n - (uint32_t)x - 1;
    }
    *p = '\0';
    return (uint32_t)(p - buf);
}

/* NaN and the infinities are spelled the PostgreSQL way; returns 0 for other values. */
static uint32_t float_special(double v, char *buf) {
    const char *s;
    if (isnan(v)) {
        s = "NaN";
    } else if (isinf(v)) {
        s = v > 0 ? "Infinity" : "-Infinity";
    } else {
        return 0;
    }
    size_t n = strlen(s);
    memcpy(buf, s, n + 1);
    return (uint32_t)n;
}

uint32_t sql_float8_to_shortest(double v, char *buf) {
    uint32_t n = float_special(v, buf);
    if (n > 0) return n;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bool negative = (bits >> 63) != 0;
    if ((bits << 1) == 0) {
        memcpy(buf, negative ? "-0" : "0", negative ? 3 : 2);
        return negative ? 2 : 1;
    }
    uint64_t d;
    int32_t k;
    float8_decimal_bits(bits & ~(UINT64_C(1) << 63), &d, &k);
    return float_format(negative, d, k, 15, buf);
}

uint32_t sql_float4_to_shortest(float v, char *buf) {
    uint32_t n = float_special(v, buf);
    if (n > 0) return n;
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    bool negative = (bits >> 31) != 0;
    if ((bits << 1) == 0) {
        memcpy(buf, negative ? "-0" : "0", negative ? 3 : 2);
        return negative ? 2 : 1;
    }
    uint64_t d;
    int32_t k;
    float4_decimal_bits(bits & ~(UINT32_C(1) << 31), &d, &k);
    return float_format(negative, d, k, 6, buf);
}

/* extra_float_digits <= 0: the historical "%.{DIG + efd}g" form, at least one digit. */
static uint32_t float_format_g(double v, int precision, char *buf, uint32_t buf_bytes) {
    uint32_t n = float_special(v, buf);
    if (n > 0) return n;
    if (precision < 1) precision = 1;
    int len = snprintf(buf, buf_bytes, "%.*g", precision, v);
    RT_ASSERT(len > 0 && (uint32_t)len < buf_bytes);
    return (uint32_t)len;
}

uint32_t sql_float8_to_text(double v, int extra_float_digits, char *buf) {
    if (extra_float_digits > 0) return sql_float8_to_shortest(v, buf);
    return float_format_g(v, 15 + extra_float_digits, buf, SQL_FLOAT8_TEXT_BYTES_MAX);
}

uint32_t sql_float4_to_text(float v, int extra_float_digits, char *buf) {
    if (extra_float_digits > 0) return sql_float4_to_shortest(v, buf);
    return float_format_g((double)v, 6 + extra_float_digits, buf, SQL_FLOAT4_TEXT_BYTES_MAX);
}
