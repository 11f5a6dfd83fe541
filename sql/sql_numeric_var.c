/* sql_numeric_var.c: exact arithmetic on base-10000 vars (see sql_numeric_int.h).
 * Every operation leaves its result normalized (no leading or trailing zero digit, zero has
 * weight 0 and a positive sign) and writes it to a buffer that is not one of its inputs, so a
 * result may be the same var as an input. Buffers are reused when big enough, and division and
 * multiplication take their work space from the context, so loops (series, Euclid) do not
 * grow the arena with every step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sql/sql_numeric_int.h"

#define P18 1000000000000000000LL
const int64_t num_pow10_64[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL, P18};
const __int128 num_pow10_128[39] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL, P18,
    (__int128)P18 * 10, (__int128)P18 * 100, (__int128)P18 * 1000, (__int128)P18 * 10000,
    (__int128)P18 * 100000, (__int128)P18 * 1000000, (__int128)P18 * 10000000,
    (__int128)P18 * 100000000, (__int128)P18 * 1000000000, (__int128)P18 * 10000000000LL,
    (__int128)P18 * 100000000000LL, (__int128)P18 * 1000000000000LL,
    (__int128)P18 * 10000000000000LL, (__int128)P18 * 100000000000000LL,
    (__int128)P18 * 1000000000000000LL, (__int128)P18 * 10000000000000000LL,
    (__int128)P18 * 100000000000000000LL, (__int128)P18 * P18, (__int128)P18 * P18 * 10,
    (__int128)P18 * P18 * 100};

static const int32_t num_pow10_32[5] = {1, 10, 100, 1000, 10000};

int32_t num_u128_len(unsigned __int128 x) {
    int32_t n = 1;
    while (n < 39 && x >= (unsigned __int128)num_pow10_128[n]) n++;
    return n;
}

/* ---- basics ------------------------------------------------------------------------------ */

void num_var_init(num_local *loc) {
    loc->v.digits = loc->buf;
    loc->v.cap = NUM_STACK_DIGITS;
    num_var_zero(&loc->v);
    loc->v.dscale = 0;
}

void num_var_zero(num_var *v) {
    v->ndigits = 0;
    v->weight = 0;
    v->sign = NUM_POS;
}

bool num_var_alloc(num_ctx *c, num_var *v, int32_t ndigits) {
    if (ndigits <= v->cap) return true;
    int32_t cap = ndigits < 8 ? 8 : ndigits;
    int32_t *p = rt_arena_alloc(c->arena, (size_t)cap * sizeof(int32_t));
    if (p == NULL) return rt_arena_fail(c->arena, c->err);
    v->digits = p;
    v->cap = cap;
    return true;
}

/* A buffer of n digits for the result r that is neither a's nor b's (which r may be). */
static int32_t *num_result_buf(num_ctx *c, num_var *r, int32_t n, const num_var *a,
                               const num_var *b, int32_t *cap) {
    bool shared = (a != NULL && r->digits == a->digits) || (b != NULL && r->digits == b->digits);
    if (!shared && r->cap >= n) {
        *cap = r->cap;
        return r->digits;
    }
    *cap = n < 8 ? 8 : n;
    int32_t *p = rt_arena_alloc(c->arena, (size_t)*cap * sizeof(int32_t));
    if (p == NULL) rt_arena_fail(c->arena, c->err);
    return p;
}

static void num_result_set(num_var *r, int32_t *digits, int32_t n, int32_t weight, int32_t sign,
                           int32_t cap) {
    r->digits = digits;
    r->cap = cap;
    r->ndigits = n;
    r->weight = weight;
    r->sign = sign;
    num_var_strip(r);
}

bool num_var_copy(num_ctx *c, const num_var *from, num_var *to) {
    if (from == to) return true;
    int32_t cap;
    int32_t *d = num_result_buf(c, to, from->ndigits, from, NULL, &cap);
    if (d == NULL) return false;
    if (from->ndigits > 0) memmove(d, from->digits, (size_t)from->ndigits * sizeof(int32_t));
    num_result_set(to, d, from->ndigits, from->weight, from->sign, cap);
    to->dscale = from->dscale;
    return true;
}

void num_var_strip(num_var *v) {
    int32_t i = 0;
    while (i < v->ndigits && v->digits[i] == 0) i++;
    if (i == v->ndigits) {
        num_var_zero(v);
        return;
    }
    v->digits += i;
    v->cap -= i;
    v->ndigits -= i;
    v->weight -= i;
    while (v->digits[v->ndigits - 1] == 0) v->ndigits--;
}

void num_var_set_u128(num_local *loc, unsigned __int128 value, int32_t sign) {
    num_var_init(loc);
    int32_t tmp[12];
    int32_t n = 0;
    while (value != 0) {
        tmp[n++] = (int32_t)(value % NUM_BASE);
        value /= NUM_BASE;
    }
    for (int32_t i = 0; i < n; i++) loc->buf[i] = tmp[n - 1 - i];
    loc->v.ndigits = n;
    loc->v.weight = n - 1;
    loc->v.sign = sign;
    num_var_strip(&loc->v);
}

void num_var_set_i128(num_local *loc, __int128 value) {
    unsigned __int128 u = value < 0 ? -(unsigned __int128)value : (unsigned __int128)value;
    num_var_set_u128(loc, u, value < 0 ? NUM_NEG : NUM_POS);
}

bool num_var_is_integral(const num_var *v) { return v->ndigits <= v->weight + 1; }

bool num_var_to_i64(const num_var *v, int64_t *out) {
    if (v->ndigits == 0 || v->weight < -1) {
        *out = 0;
        return true;
    }
    if (v->weight > 4) return false; /* >= 10000^5 = 10^20 */
    unsigned __int128 mag = 0;
    for (int32_t w = v->weight, i = 0; w >= 0; w--, i++) {
        mag = mag * NUM_BASE + (unsigned)(i < v->ndigits ? v->digits[i] : 0);
    }
    int32_t frac_index = v->weight + 1; /* digit of weight -1 decides the rounding */
    if (frac_index < v->ndigits && v->digits[frac_index] >= NUM_BASE / 2) mag++;
    if (v->sign == NUM_NEG) {
        if (mag > (unsigned __int128)INT64_MAX + 1) return false;
        *out = (int64_t)(-(__int128)mag);
    } else {
        if (mag > (unsigned __int128)INT64_MAX) return false;
        *out = (int64_t)mag;
    }
    return true;
}

int32_t num_var_dweight(const num_var *v) {
    if (v->ndigits == 0) return 0;
    return v->weight * NUM_BASE_DIGITS + num_digit_len(v->digits[0]) - 1;
}

int32_t num_var_min_scale(const num_var *v) {
    if (v->ndigits == 0) return 0;
    int32_t last_weight = v->weight - v->ndigits + 1;
    if (last_weight >= 0) return 0;
    int32_t last = v->digits[v->ndigits - 1];
    int32_t zeros = 0;
    while (last % 10 == 0) {
        last /= 10;
        zeros++;
    }
    return -last_weight * NUM_BASE_DIGITS - zeros;
}

/* An estimate from the first 40 significant digits; used to choose scales, like PostgreSQL's
 * conversion through strtod. +-HUGE_VAL or 0 when out of the double range. */
double num_var_to_double(const num_var *v) {
    if (v->ndigits == 0) return 0.0;
    char buf[80];
    int32_t len = 0;
    if (v->sign == NUM_NEG) buf[len++] = '-';
    int32_t n = num_min32(v->ndigits, 10);
    for (int32_t i = 0; i < n; i++) len += snprintf(buf + len, 8, "%04d", (int)v->digits[i]);
    int32_t exp10 = (v->weight - n + 1) * NUM_BASE_DIGITS;
    snprintf(buf + len, sizeof buf - (size_t)len, "e%d", (int)exp10);
    return strtod(buf, NULL);
}

/* A quick estimate from the first four digits (relative error about 1e-15), for choices
 * that PostgreSQL does not make visible: loop counts and working precisions. */
double num_var_estimate(const num_var *v) {
    double m = 0, unit = 1;
    for (int32_t i = 0; i < v->ndigits && i < 4; i++, unit /= NUM_BASE) m += v->digits[i] * unit;
    double e = m * pow(10.0, (double)v->weight * NUM_BASE_DIGITS);
    return v->sign == NUM_NEG ? -e : e;
}

/* ---- comparison -------------------------------------------------------------------------- */

int num_var_cmp_abs(const num_var *a, const num_var *b) {
    if (a->ndigits == 0) return b->ndigits == 0 ? 0 : -1;
    if (b->ndigits == 0) return 1;
    if (a->weight != b->weight) return a->weight > b->weight ? 1 : -1;
    int32_t n = num_min32(a->ndigits, b->ndigits);
    for (int32_t i = 0; i < n; i++) {
        if (a->digits[i] != b->digits[i]) return a->digits[i] > b->digits[i] ? 1 : -1;
    }
    if (a->ndigits != b->ndigits) return a->ndigits > b->ndigits ? 1 : -1;
    return 0;
}

int num_var_cmp(const num_var *a, const num_var *b) {
    int sa = a->ndigits == 0 ? 0 : a->sign == NUM_NEG ? -1 : 1;
    int sb = b->ndigits == 0 ? 0 : b->sign == NUM_NEG ? -1 : 1;
    if (sa != sb) return sa > sb ? 1 : -1;
    int abs = num_var_cmp_abs(a, b);
    return sa < 0 ? -abs : abs;
}

/* ---- addition ---------------------------------------------------------------------------- */

/* Digit of weight w of v (0 outside its digits). */
static inline int32_t num_digit_at(const num_var *v, int32_t w) {
    int32_t i = v->weight - w;
    return (i >= 0 && i < v->ndigits) ? v->digits[i] : 0;
}

static int32_t num_low_weight(const num_var *v) { return v->weight - v->ndigits + 1; }

/* r = |a| + |b| with the given sign; neither a nor b is zero. */
static bool num_add_abs(num_ctx *c, const num_var *a, const num_var *b, num_var *r,
                        int32_t sign) {
    int32_t top = num_max32(a->weight, b->weight) + 1;
    int32_t low = num_min32(num_low_weight(a), num_low_weight(b));
    int32_t n = top - low + 1;
    int32_t cap;
    int32_t *out = num_result_buf(c, r, n, a, b, &cap);
    if (out == NULL) return false;
    int32_t carry = 0;
    for (int32_t i = n - 1; i >= 0; i--) {
        int32_t s = num_digit_at(a, top - i) + num_digit_at(b, top - i) + carry;
        carry = s >= NUM_BASE;
        out[i] = carry ? s - NUM_BASE : s;
    }
    num_result_set(r, out, n, top, sign, cap);
    return true;
}

/* r = |a| - |b| with the given sign; |a| > |b| > 0. */
static bool num_sub_abs(num_ctx *c, const num_var *a, const num_var *b, num_var *r,
                        int32_t sign) {
    int32_t top = a->weight;
    int32_t low = num_min32(num_low_weight(a), num_low_weight(b));
    int32_t n = top - low + 1;
    int32_t cap;
    int32_t *out = num_result_buf(c, r, n, a, b, &cap);
    if (out == NULL) return false;
    int32_t borrow = 0;
    for (int32_t i = n - 1; i >= 0; i--) {
        int32_t s = num_digit_at(a, top - i) - num_digit_at(b, top - i) - borrow;
        borrow = s < 0;
        out[i] = borrow ? s + NUM_BASE : s;
    }
    RT_ASSERT(borrow == 0);
    num_result_set(r, out, n, top, sign, cap);
    return true;
}

/* r = a + b where b's sign is taken as `bsign`. */
static bool num_add_signed(num_ctx *c, const num_var *a, const num_var *b, int32_t bsign,
                           num_var *r) {
    int32_t dscale = num_max32(a->dscale, b->dscale);
    if (b->ndigits == 0) {
        if (!num_var_copy(c, a, r)) return false;
    } else if (a->ndigits == 0) {
        if (!num_var_copy(c, b, r)) return false;
        r->sign = bsign;
    } else if (a->sign == bsign) {
        if (!num_add_abs(c, a, b, r, bsign)) return false;
    } else {
        int cmp = num_var_cmp_abs(a, b);
        if (cmp == 0) {
            num_var_zero(r);
        } else if (cmp > 0) {
            if (!num_sub_abs(c, a, b, r, a->sign)) return false;
        } else if (!num_sub_abs(c, b, a, r, bsign)) {
            return false;
        }
    }
    r->dscale = dscale;
    if (r->ndigits == 0) r->sign = NUM_POS;
    return true;
}

bool num_var_add(num_ctx *c, const num_var *a, const num_var *b, num_var *r) {
    return num_add_signed(c, a, b, b->sign, r);
}

bool num_var_sub(num_ctx *c, const num_var *a, const num_var *b, num_var *r) {
    return num_add_signed(c, a, b, b->sign == NUM_POS ? NUM_NEG : NUM_POS, r);
}

/* ---- multiplication ---------------------------------------------------------------------- */

/* Work space of the context: the product's columns, reused by every multiplication. */
static uint32_t *num_scratch_mul(num_ctx *c, int32_t n) {
    if (c->scratch_mul_cap < n) {
        int32_t cap = num_max32(n, c->scratch_mul_cap * 2);
        uint32_t *p = rt_arena_alloc(c->arena, (size_t)cap * sizeof(uint32_t));
        if (p == NULL) {
            rt_arena_fail(c->arena, c->err);
            return NULL;
        }
        c->scratch_mul = p;
        c->scratch_mul_cap = cap;
    }
    return c->scratch_mul;
}

/* A digit product is below 10^8, so a uint32 column holding a carried digit (< 10^4) takes
 * 42 more products: carries are propagated after every NUM_MUL_ROWS_PER_CARRY rows. */
#define NUM_MUL_ROWS_PER_CARRY 40
RT_STATIC_ASSERT(9999u + NUM_MUL_ROWS_PER_CARRY * 9999u * 9999u + 9999u <= UINT32_MAX);

/* Propagates the carries of n columns, leaving every column below NUM_BASE. */
static void num_mul_carry(uint32_t *acc, int32_t n) {
    uint32_t carry = 0;
    for (int32_t k = n - 1; k >= 0; k--) {
        uint32_t v = acc[k] + carry;
        acc[k] = v % NUM_BASE;
        carry = v / NUM_BASE;
    }
    RT_ASSERT(carry == 0); /* a partial product is no bigger than the product */
}

/* Release builds use -O2, whose vectorizer skips loops of unknown length: this one loop is
 * most of a long multiplication's time and runs 2x faster vectorized (GCC only). */
#if defined(__GNUC__) && !defined(__clang__)
#define NUM_VECTORIZE __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define NUM_VECTORIZE
#endif

/* One row of the schoolbook product: col[j] += ai * b[j]. */
NUM_VECTORIZE static void num_mul_row(uint32_t *restrict col, const uint32_t *restrict b, uint32_t ai,
                        int32_t n) {
    for (int32_t j = 0; j < n; j++) col[j] += ai * b[j];
}

bool num_var_mul(num_ctx *c, const num_var *a, const num_var *b, num_var *r, int32_t rscale) {
    if (a->ndigits == 0 || b->ndigits == 0) {
        num_var_zero(r);
        r->dscale = num_max32(rscale, 0);
        return true;
    }
    if (a->ndigits > b->ndigits) { /* the shorter one drives the outer loop */
        const num_var *t = a;
        a = b;
        b = t;
    }
    int32_t sign = a->sign == b->sign ? NUM_POS : NUM_NEG;
    int32_t top = a->weight + b->weight + 1; /* weight of result digit 0 */
    /* Columns below rscale plus guard digits only feed rounding: skip them. */
    int32_t keep = top + 1 + num_ceil_div(rscale, NUM_BASE_DIGITS) + NUM_MUL_GUARD_DIGITS;
    int32_t n = num_min32(a->ndigits + b->ndigits, keep);
    if (n <= 1) {
        num_var_zero(r);
        r->dscale = num_max32(rscale, 0);
        return true;
    }
    int32_t cap;
    uint32_t *acc = num_scratch_mul(c, n);
    int32_t *out = num_result_buf(c, r, n, a, b, &cap);
    if (acc == NULL || out == NULL) return false;
    memset(acc, 0, (size_t)n * sizeof(uint32_t));
    const uint32_t *bd = (const uint32_t *)b->digits;
    for (int32_t i = 0, rows = 0; i < a->ndigits && i + 1 < n; i++) {
        uint32_t ai = (uint32_t)a->digits[i];
        if (ai == 0) continue;
        if (rows++ == NUM_MUL_ROWS_PER_CARRY) {
            num_mul_carry(acc, n);
            rows = 1;
        }
        int32_t jmax = num_min32(b->ndigits, n - 1 - i);
        num_mul_row(acc + i + 1, bd, ai, jmax);
    }
    num_mul_carry(acc, n);
    for (int32_t k = 0; k < n; k++) out[k] = (int32_t)acc[k];
    num_result_set(r, out, n, top, sign, cap);
    num_var_round(r, rscale);
    return true;
}

/* ---- division ---------------------------------------------------------------------------- */

static int32_t *num_scratch32(num_ctx *c, int32_t n) {
    if (c->scratch32_cap < n) {
        int32_t cap = num_max32(n, c->scratch32_cap * 2);
        int32_t *p = rt_arena_alloc(c->arena, (size_t)cap * sizeof(int32_t));
        if (p == NULL) {
            rt_arena_fail(c->arena, c->err);
            return NULL;
        }
        c->scratch32 = p;
        c->scratch32_cap = cap;
    }
    return c->scratch32;
}

/* One step of long division (Knuth's algorithm D): u[0..nd] / v[0..nd-1], v normalized
 * (v[0] >= NUM_BASE / 2), u[0..nd] < v * NUM_BASE; leaves the remainder in u[1..nd]. */
static int32_t num_div_step(int32_t *u, const int32_t *v, int32_t nd) {
    int64_t num = (int64_t)u[0] * NUM_BASE + u[1];
    int64_t qhat = num / v[0];
    int64_t rhat = num % v[0];
    while (qhat >= NUM_BASE || qhat * v[1] > rhat * NUM_BASE + u[2]) {
        qhat--;
        rhat += v[0];
        if (rhat >= NUM_BASE) break;
    }
    if (qhat == 0) return 0; /* nothing to subtract */
    /* u -= qhat * v: the product's carry and the subtraction's borrow are kept apart, so
     * each step is 32-bit arithmetic with a division by a constant */
    uint32_t q32 = (uint32_t)qhat, pcarry = 0;
    int32_t borrow = 0;
    for (int32_t i = nd - 1; i >= 0; i--) {
        uint32_t p = q32 * (uint32_t)v[i] + pcarry; /* < 9999 * 9999 + 10000 */
        pcarry = p / NUM_BASE;
        int32_t t = u[i + 1] - (int32_t)(p - pcarry * NUM_BASE) - borrow;
        borrow = t < 0;
        u[i + 1] = borrow ? t + NUM_BASE : t;
    }
    int64_t top = (int64_t)u[0] - pcarry - borrow;
    if (top < 0) { /* qhat was one too big (rare): add v back */
        qhat--;
        int32_t c2 = 0;
        for (int32_t i = nd - 1; i >= 0; i--) {
            int32_t s = u[i + 1] + v[i] + c2;
            c2 = s >= NUM_BASE;
            u[i + 1] = c2 ? s - NUM_BASE : s;
        }
        top += c2;
    }
    RT_ASSERT(top == 0);
    u[0] = 0;
    return (int32_t)qhat;
}

/* q[0..nn-nd] = floor(n / d) for digit strings (d[0] != 0, nn >= nd), and the remainder in
 * rem[0..nd-1] when rem is not NULL; `work` holds nn + 1 + nd digits. */
static void num_div_digits(const int32_t *n, int32_t nn, const int32_t *d, int32_t nd,
                           int32_t *q, int32_t *rem, int32_t *work) {
    if (nd == 1) {
        int64_t r = 0;
        for (int32_t i = 0; i < nn; i++) {
            int64_t cur = r * NUM_BASE + n[i];
            q[i] = (int32_t)(cur / d[0]);
            r = cur % d[0];
        }
        if (rem != NULL) rem[0] = (int32_t)r;
        return;
    }
    int32_t *u = work;
    int32_t *v = work + nn + 1;
    int32_t f = NUM_BASE / (d[0] + 1); /* scale so that v[0] >= NUM_BASE / 2 */
    int32_t carry = 0;
    for (int32_t i = nd - 1; i >= 0; i--) {
        int32_t t = d[i] * f + carry;
        v[i] = t % NUM_BASE;
        carry = t / NUM_BASE;
    }
    RT_ASSERT(carry == 0 && v[0] >= NUM_BASE / 2);
    for (int32_t i = nn - 1; i >= 0; i--) {
        int32_t t = n[i] * f + carry;
        u[i + 1] = t % NUM_BASE;
        carry = t / NUM_BASE;
    }
    u[0] = carry;
    for (int32_t j = 0; j <= nn - nd; j++) q[j] = num_div_step(u + j, v, nd);
    if (rem == NULL) return;
    int32_t r = 0; /* the remainder is u's last nd digits divided by f */
    for (int32_t i = 0; i < nd; i++) {
        int32_t cur = r * NUM_BASE + u[nn - nd + 1 + i];
        rem[i] = cur / f;
        r = cur % f;
    }
    RT_ASSERT(r == 0);
}

bool num_var_div(num_ctx *c, const num_var *a, const num_var *b, num_var *r, int32_t rscale,
                 bool round) {
    RT_ASSERT(b->ndigits > 0);
    int32_t sign = a->sign == b->sign ? NUM_POS : NUM_NEG;
    /* Q = floor(|a / b| * NUM_BASE^k) holds every digit down to rscale (+1 to round). */
    int32_t k = num_ceil_div(rscale + (round ? 1 : 0), NUM_BASE_DIGITS);
    int32_t shift = num_low_weight(a) - num_low_weight(b) + k;
    int32_t nn = a->ndigits + shift; /* digits of the integer numerator */
    if (a->ndigits == 0 || nn < b->ndigits) {
        num_var_zero(r);
        r->dscale = num_max32(rscale, 0);
        return true;
    }
    int32_t nq = nn - b->ndigits + 1;
    int32_t nd = b->ndigits;
    int32_t *num = num_scratch32(c, nn + (nd > 1 ? nn + 1 + nd : 0));
    int32_t cap;
    int32_t *q = num_result_buf(c, r, nq, a, b, &cap);
    if (num == NULL || q == NULL) return false;
    /* numerator: a's digits shifted left (zeros appended) or right (low digits dropped) */
    int32_t ncopy = num_min32(a->ndigits, nn);
    memcpy(num, a->digits, (size_t)ncopy * sizeof(int32_t));
    if (nn > ncopy) memset(num + ncopy, 0, (size_t)(nn - ncopy) * sizeof(int32_t));
    num_div_digits(num, nn, b->digits, nd, q, NULL, num + nn);
    num_result_set(r, q, nq, nq - 1 - k, sign, cap);
    if (round) {
        num_var_round(r, rscale);
    } else {
        num_var_trunc(r, rscale);
    }
    return true;
}

/* q = trunc(a / b) and m = a - b * q (sign of a, scale max) from one long division of the
 * two values as integers at their common lowest weight; q or m may be NULL. */
bool num_var_div_mod(num_ctx *c, const num_var *a, const num_var *b, num_var *q, num_var *m) {
    RT_ASSERT(b->ndigits > 0);
    int32_t dscale = num_max32(a->dscale, b->dscale);
    int32_t qsign = a->sign == b->sign ? NUM_POS : NUM_NEG, msign = a->sign;
    int32_t low = num_min32(num_low_weight(a), num_low_weight(b));
    int32_t nn = a->weight - low + 1, nd = b->weight - low + 1;
    if (a->ndigits == 0 || nn < nd) { /* |a| < |b|: q = 0, m = a */
        if (m != NULL && !num_var_copy(c, a, m)) return false;
        if (m != NULL) m->dscale = dscale;
        if (q != NULL) num_var_zero(q);
        return true;
    }
    int32_t nq = nn - nd + 1;
    int32_t *work = num_scratch32(c, nn + nd + nq + nd + nn + 1 + nd);
    if (work == NULL) return false;
    int32_t *num = work, *den = num + nn, *qd = den + nd, *rd = qd + nq;
    memset(work, 0, (size_t)(nn + nd) * sizeof(int32_t));
    memcpy(num, a->digits, (size_t)a->ndigits * sizeof(int32_t));
    memcpy(den, b->digits, (size_t)b->ndigits * sizeof(int32_t));
    num_div_digits(num, nn, den, nd, qd, rd, rd + nd);
    int32_t cap;
    if (q != NULL) {
        int32_t *out = num_result_buf(c, q, nq, a, b, &cap);
        if (out == NULL) return false;
        memcpy(out, qd, (size_t)nq * sizeof(int32_t));
        num_result_set(q, out, nq, nq - 1, qsign, cap);
        q->dscale = 0;
    }
    if (m != NULL) {
        int32_t *out = num_result_buf(c, m, nd, a, b, &cap);
        if (out == NULL) return false;
        memcpy(out, rd, (size_t)nd * sizeof(int32_t));
        num_result_set(m, out, nd, low + nd - 1, msign, cap);
        m->dscale = dscale;
    }
    return true;
}

/* ---- rounding ---------------------------------------------------------------------------- */

/* Shared by round and trunc: keeps the digits down to decimal position rscale. */
static void num_round_to(num_var *v, int32_t rscale, bool round) {
    v->dscale = num_max32(rscale, 0);
    if (v->ndigits == 0) return;
    int32_t frac_digits = num_ceil_div(rscale, NUM_BASE_DIGITS);
    int32_t keep = v->weight + 1 + frac_digits; /* digits of weight >= -frac_digits */
    int32_t drop = frac_digits * NUM_BASE_DIGITS - rscale; /* decimals cut in the last one */
    int32_t unit = num_pow10_32[drop];
    if (keep > v->ndigits || (keep == v->ndigits && drop == 0)) return;
    if (keep < 0) {
        num_var_zero(v);
        return;
    }
    bool up = false;
    if (keep == 0) { /* the last kept digit is an implicit zero above digits[0] */
        up = round && drop == 0 && v->digits[0] >= NUM_BASE / 2;
        if (!up) {
            num_var_zero(v);
            return;
        }
        v->digits[0] = 1;
        v->ndigits = 1;
        v->weight += 1;
        return;
    }
    if (drop > 0) {
        int32_t rem = v->digits[keep - 1] % unit;
        up = round && rem >= unit / 2;
        v->digits[keep - 1] -= rem;
    } else {
        up = round && v->digits[keep] >= NUM_BASE / 2;
    }
    v->ndigits = keep;
    int32_t i = keep - 1;
    int32_t add = up ? unit : 0;
    while (add != 0 && i >= 0) {
        v->digits[i] += add;
        add = v->digits[i] >= NUM_BASE;
        if (add) v->digits[i] -= NUM_BASE;
        i--;
    }
    if (add != 0) { /* every kept digit was 9999: the value is one unit of weight + 1 */
        v->digits[0] = 1;
        v->ndigits = 1;
        v->weight += 1;
    }
    num_var_strip(v);
}

void num_var_round(num_var *v, int32_t rscale) { num_round_to(v, rscale, true); }
void num_var_trunc(num_var *v, int32_t rscale) { num_round_to(v, rscale, false); }

bool num_var_ceil_floor(num_ctx *c, num_var *v, bool ceil) {
    bool fraction = !num_var_is_integral(v);
    int32_t sign = v->sign;
    num_var_trunc(v, 0);
    /* truncation moves toward zero: that is ceil for negatives and floor for positives */
    if (!fraction || (sign == NUM_NEG) == ceil) return true;
    num_local one;
    num_var_set_i128(&one, ceil ? 1 : -1);
    return num_var_add(c, v, &one.v, v);
}

/* ---- gcd, division scale ----------------------------------------------------------------- */

bool num_var_gcd(num_ctx *c, const num_var *a, const num_var *b, num_var *r) {
    int32_t dscale = num_max32(a->dscale, b->dscale);
    num_local xl, yl, zl;
    num_var *x = &xl.v, *y = &yl.v, *z = &zl.v;
    num_var_init(&xl);
    num_var_init(&yl);
    num_var_init(&zl);
    bool a_bigger = num_var_cmp_abs(a, b) >= 0;
    if (!num_var_copy(c, a_bigger ? a : b, x) || !num_var_copy(c, a_bigger ? b : a, y)) {
        return false;
    }
    x->sign = y->sign = NUM_POS;
    while (y->ndigits > 0) { /* Euclid: (x, y) <- (y, x mod y) */
        if (!num_var_div_mod(c, x, y, NULL, z)) return false;
        z->sign = NUM_POS;
        num_var *t = x;
        x = y;
        y = z;
        z = t;
    }
    if (!num_var_copy(c, x, r)) return false;
    r->dscale = dscale;
    return true;
}

/* PostgreSQL's select_div_scale: at least SQL_NUMERIC_MIN_SIG_DIGITS significant digits,
 * estimated from the base-10000 weights and first digits (0, 0 for zero), no less than
 * either scale. */
int32_t num_div_scale(int32_t w1, int32_t f1, int32_t d1, int32_t w2, int32_t f2, int32_t d2) {
    int32_t qweight = w1 - w2;
    if (f1 <= f2) qweight--; /* equal first digits: assume a < b */
    int32_t rscale = SQL_NUMERIC_MIN_SIG_DIGITS - qweight * NUM_BASE_DIGITS;
    rscale = num_max32(rscale, d1);
    rscale = num_max32(rscale, d2);
    rscale = num_max32(rscale, 0);
    return num_min32(rscale, SQL_NUMERIC_RESULT_SCALE_MAX);
}

int32_t num_select_div_scale(const num_var *a, const num_var *b) {
    return num_div_scale(a->weight, a->ndigits > 0 ? a->digits[0] : 0, a->dscale, b->weight,
                         b->ndigits > 0 ? b->digits[0] : 0, b->dscale);
}
