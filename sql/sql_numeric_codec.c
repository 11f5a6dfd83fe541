/* sql_numeric_codec.c: the byte forms of a numeric: the stored encoding (short and long
 * forms, see sql_numeric.h), validation of untrusted encodings, PostgreSQL's binary wire
 * format, the order-preserving key and the hash. Read-only paths work on a num_view and
 * never allocate. */
#include "sql/sql_numeric_int.h"

/* ---- stored encoding --------------------------------------------------------------------- */

num_kind num_bytes_kind(sql_bytes b) {
    RT_ASSERT(b.len > 0);
    switch (b.ptr[0]) {
    case NUM_TAG_NAN: return NUM_NAN;
    case NUM_TAG_PINF: return NUM_PINF;
    case NUM_TAG_NINF: return NUM_NINF;
    default: RT_ASSERT(b.ptr[0] <= NUM_TAG_NEG); return NUM_FINITE;
    }
}

uint32_t num_short_put(uint8_t *buf, int64_t coef, int32_t dscale) {
    RT_ASSERT(coef != INT64_MIN && dscale >= 0 && dscale <= NUM_SHORT_DSCALE_MAX);
    uint64_t u = (uint64_t)coef;
    uint32_t n = 0;
    if (coef != 0) { /* fewest bytes whose sign extension gives the value back */
        uint64_t mag = coef < 0 ? ~u : u; /* the bits below the sign */
        uint32_t bits = mag != 0 ? 64u - (uint32_t)__builtin_clzll(mag) : 0u;
        n = bits / 8u + 1u; /* those bits and a sign bit */
    }
    buf[0] = (uint8_t)dscale;
    for (uint32_t i = 0; i < n; i++) buf[1 + i] = (uint8_t)(u >> (8 * i));
    return 1 + n;
}

static bool num_alloc_bytes(num_ctx *c, uint32_t len, uint8_t **p) {
    *p = rt_arena_alloc(c->arena, len);
    if (*p == NULL) return rt_arena_fail(c->arena, c->err);
    return true;
}

bool num_short_make(num_ctx *c, int64_t coef, int32_t dscale, sql_bytes *out) {
    uint8_t tmp[SQL_NUMERIC_SMALL_BYTES_MAX];
    uint32_t len = num_short_put(tmp, coef, dscale);
    uint8_t *p;
    if (!num_alloc_bytes(c, len, &p)) return false;
    memcpy(p, tmp, len);
    *out = (sql_bytes){p, len};
    return true;
}

bool num_make_special(num_ctx *c, num_kind kind, sql_bytes *out) {
    uint8_t *p;
    if (!num_alloc_bytes(c, 1, &p)) return false;
    p[0] = kind == NUM_NAN ? NUM_TAG_NAN : kind == NUM_PINF ? NUM_TAG_PINF : NUM_TAG_NINF;
    *out = (sql_bytes){p, 1};
    return true;
}

static bool num_overflow(num_ctx *c) {
    return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value overflows numeric format");
}

/* The short-form coefficient of a normalized var, if it has one. */
static bool num_var_short_coef(const num_var *v, int64_t *coef) {
    /* 2^63 * 10^3 < 10000^6: a coefficient aligned to base 10000 has at most 6 digits */
    if (v->dscale > NUM_SHORT_DSCALE_MAX || v->ndigits > 6) return false;
    unsigned __int128 sum = 0;
    for (int32_t i = 0; i < v->ndigits; i++) {
        int32_t e = (v->weight - i) * NUM_BASE_DIGITS + v->dscale; /* power of 10 of digit i */
        if (e > 18) return false;
        RT_ASSERT(e > -NUM_BASE_DIGITS); /* no digit below the display scale */
        unsigned __int128 term = e >= 0 ? (unsigned __int128)v->digits[i] * num_pow10_64[e]
                                        : (unsigned __int128)(v->digits[i] / num_pow10_64[-e]);
        sum += term;
        if (sum > INT64_MAX) return false;
    }
    *coef = v->sign == NUM_NEG ? -(int64_t)sum : (int64_t)sum;
    return true;
}

bool num_make(num_ctx *c, num_var *v, sql_bytes *out) {
    num_var_strip(v);
    RT_ASSERT(v->dscale >= 0);
    if ((v->ndigits > 0 && v->weight > SQL_NUMERIC_WEIGHT_MAX) ||
        v->dscale > SQL_NUMERIC_DSCALE_MAX) {
        return num_overflow(c);
    }
    RT_VERIFY(num_var_min_scale(v) <= v->dscale);
    int64_t coef;
    if (num_var_short_coef(v, &coef)) return num_short_make(c, coef, v->dscale, out);
    uint32_t len = NUM_LONG_HEADER_BYTES + 2u * (uint32_t)v->ndigits;
    uint8_t *p;
    if (!num_alloc_bytes(c, len, &p)) return false;
    p[0] = v->sign == NUM_NEG ? NUM_TAG_NEG : NUM_TAG_POS;
    num_put16(p + 1, (uint32_t)(uint16_t)(int16_t)v->weight);
    num_put16(p + 3, (uint32_t)v->dscale);
    for (int32_t i = 0; i < v->ndigits; i++) num_put16(p + 5 + 2 * i, (uint32_t)v->digits[i]);
    *out = (sql_bytes){p, len};
    return true;
}

void num_var_set_scaled(num_local *loc, __int128 coef, int32_t dscale) {
    /* base-10000 digits of |coef| * 10^pad, where pad puts the point on a digit boundary */
    unsigned __int128 u = coef < 0 ? -(unsigned __int128)coef : (unsigned __int128)coef;
    int32_t pad = (NUM_BASE_DIGITS - dscale % NUM_BASE_DIGITS) % NUM_BASE_DIGITS;
    int32_t low_first[12];
    int32_t n = 0;
    while (u != 0) {
        low_first[n++] = (int32_t)(u % NUM_BASE);
        u /= NUM_BASE;
    }
    int32_t carry = 0, mul = (int32_t)num_pow10_64[pad];
    for (int32_t i = 0; i < n; i++) {
        int32_t t = low_first[i] * mul + carry;
        low_first[i] = t % NUM_BASE;
        carry = t / NUM_BASE;
    }
    if (carry != 0) low_first[n++] = carry;
    num_var_init(loc);
    for (int32_t i = 0; i < n; i++) loc->buf[i] = low_first[n - 1 - i];
    loc->v.ndigits = n;
    loc->v.weight = n - 1 - (dscale + pad) / NUM_BASE_DIGITS;
    loc->v.sign = coef < 0 ? NUM_NEG : NUM_POS;
    loc->v.dscale = dscale;
    num_var_strip(&loc->v);
}

bool num_make_i128(num_ctx *c, __int128 coef, int32_t dscale, sql_bytes *out) {
    if (coef > INT64_MIN && coef <= INT64_MAX && dscale <= NUM_SHORT_DSCALE_MAX) {
        return num_short_make(c, (int64_t)coef, dscale, out);
    }
    num_local loc;
    num_var_set_scaled(&loc, coef, dscale);
    return num_make(c, &loc.v, out);
}

/* ---- views ------------------------------------------------------------------------------- */

void num_view_init(num_view *v, sql_bytes b) {
    v->kind = num_bytes_kind(b);
    v->sign = NUM_POS;
    v->weight = 0;
    v->dscale = 0;
    v->ndigits = 0;
    v->digits = v->local;
    if (v->kind != NUM_FINITE) {
        if (v->kind == NUM_NINF) v->sign = NUM_NEG;
        return;
    }
    int64_t coef;
    int32_t dscale;
    if (!num_short_get(b, &coef, &dscale)) {
        RT_ASSERT(b.len >= NUM_LONG_HEADER_BYTES && (b.len - NUM_LONG_HEADER_BYTES) % 2 == 0);
        v->sign = b.ptr[0] == NUM_TAG_NEG ? NUM_NEG : NUM_POS;
        v->weight = (int16_t)num_get16(b.ptr + 1);
        v->dscale = (int32_t)num_get16(b.ptr + 3);
        v->ndigits = (int32_t)(b.len - NUM_LONG_HEADER_BYTES) / 2;
        v->digits = b.ptr + NUM_LONG_HEADER_BYTES;
        return;
    }
    v->dscale = dscale;
    if (coef == 0) return;
    v->sign = coef < 0 ? NUM_NEG : NUM_POS;
    int32_t pad = (NUM_BASE_DIGITS - dscale % NUM_BASE_DIGITS) % NUM_BASE_DIGITS;
    unsigned __int128 m = (unsigned __int128)(coef < 0 ? -(uint64_t)coef : (uint64_t)coef);
    m *= (unsigned __int128)num_pow10_64[pad];
    int32_t tmp[6] = {0};
    int32_t n = 0;
    while (m != 0) {
        tmp[n++] = (int32_t)(m % NUM_BASE);
        m /= NUM_BASE;
    }
    int32_t low = 0;
    while (tmp[low] == 0) low++; /* trailing zero digits are not kept */
    v->ndigits = n - low;
    v->weight = n - 1 - (dscale + pad) / NUM_BASE_DIGITS;
    for (int32_t i = 0; i < v->ndigits; i++) num_put16(v->local + 2 * i, (uint32_t)tmp[n - 1 - i]);
}

void num_var_from_view(const num_view *view, num_var *v, int32_t *digits) {
    RT_ASSERT(view->kind == NUM_FINITE);
    for (int32_t i = 0; i < view->ndigits; i++) digits[i] = num_view_digit(view, i);
    v->digits = digits;
    v->ndigits = view->ndigits;
    v->weight = view->weight;
    v->dscale = view->dscale;
    v->sign = view->sign;
}

bool num_decode(num_ctx *c, sql_bytes b, num_local *loc) {
    num_var_init(loc);
    num_view view;
    num_view_init(&view, b);
    if (!num_var_alloc(c, &loc->v, view.ndigits)) return false;
    int32_t cap = loc->v.cap;
    num_var_from_view(&view, &loc->v, loc->v.digits);
    loc->v.cap = cap;
    return true;
}

/* ---- validation of untrusted encodings --------------------------------------------------- */

static bool num_check_long(sql_bytes b) {
    if (b.len < NUM_LONG_HEADER_BYTES || (b.len - NUM_LONG_HEADER_BYTES) % 2 != 0) return false;
    num_view v;
    num_view_init(&v, b);
    if (v.dscale > SQL_NUMERIC_DSCALE_MAX) return false;
    if (v.ndigits == 0) { /* zero with a scale the short form cannot hold */
        return b.ptr[0] == NUM_TAG_POS && v.weight == 0 && v.dscale > NUM_SHORT_DSCALE_MAX;
    }
    for (int32_t i = 0; i < v.ndigits; i++) {
        if (num_view_digit(&v, i) >= NUM_BASE) return false;
    }
    int32_t last = num_view_digit(&v, v.ndigits - 1);
    if (num_view_digit(&v, 0) == 0 || last == 0) return false;
    int32_t last_weight = v.weight - v.ndigits + 1;
    int32_t hidden = -last_weight * NUM_BASE_DIGITS - v.dscale; /* decimals past the scale */
    if (hidden >= NUM_BASE_DIGITS || (hidden > 0 && last % num_pow10_64[hidden] != 0)) {
        return false;
    }
    num_local loc; /* canonical: a value with a short form must use it */
    num_var_init(&loc);
    if (v.ndigits > NUM_STACK_DIGITS) return true;
    num_var_from_view(&v, &loc.v, loc.buf);
    int64_t coef;
    return !num_var_short_coef(&loc.v, &coef);
}

bool sql_numeric_check(sql_bytes num, rt_err *err) {
    bool ok = false;
    if (num.len > 0 && num.len <= SQL_NUMERIC_BYTES_MAX) {
        uint8_t tag = num.ptr[0];
        if (tag <= NUM_TAG_SHORT_MAX) {
            int64_t coef;
            int32_t dscale;
            uint8_t canon[SQL_NUMERIC_SMALL_BYTES_MAX];
            ok = num.len <= SQL_NUMERIC_SMALL_BYTES_MAX && num_short_get(num, &coef, &dscale) &&
                 coef != INT64_MIN && num_short_put(canon, coef, dscale) == num.len &&
                 memcmp(canon, num.ptr, num.len) == 0;
        } else if (tag == NUM_TAG_POS || tag == NUM_TAG_NEG) {
            ok = num_check_long(num);
        } else if (tag >= NUM_TAG_NAN && tag <= NUM_TAG_NINF) {
            ok = num.len == 1;
        }
    }
    if (!ok) return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "invalid numeric value");
    return true;
}

bool sql_numeric_is_nan(sql_bytes num) { return num_bytes_kind(num) == NUM_NAN; }

bool sql_numeric_is_inf(sql_bytes num) {
    num_kind k = num_bytes_kind(num);
    return k == NUM_PINF || k == NUM_NINF;
}

/* ---- comparison and hash ----------------------------------------------------------------- */

/* Rank of the classes in PostgreSQL's order: -Inf < negative < zero < positive < +Inf < NaN. */
static int num_view_class(const num_view *v) {
    switch (v->kind) {
    case NUM_NINF: return 0;
    case NUM_PINF: return 4;
    case NUM_NAN: return 5;
    default: return v->ndigits == 0 ? 2 : v->sign == NUM_NEG ? 1 : 3;
    }
}

static int num_view_cmp_abs(const num_view *a, const num_view *b) {
    if (a->weight != b->weight) return a->weight > b->weight ? 1 : -1;
    int32_t n = num_min32(a->ndigits, b->ndigits);
    for (int32_t i = 0; i < n; i++) {
        int32_t da = num_view_digit(a, i), db = num_view_digit(b, i);
        if (da != db) return da > db ? 1 : -1;
    }
    if (a->ndigits != b->ndigits) return a->ndigits > b->ndigits ? 1 : -1;
    return 0;
}

int sql_numeric_cmp(sql_bytes a, sql_bytes b) {
    int64_t ca, cb;
    int32_t da, db;
    if (num_short_get(a, &ca, &da) && num_short_get(b, &cb, &db) && da - db <= 19 &&
        db - da <= 19) { /* align the scales in 128 bits: 2^63 * 10^19 < 2^127 */
        __int128 x = ca, y = cb;
        if (da < db) x *= num_pow10_128[db - da];
        if (db < da) y *= num_pow10_128[da - db];
        return x < y ? -1 : x > y;
    }
    num_view va, vb;
    num_view_init(&va, a);
    num_view_init(&vb, b);
    int class_a = num_view_class(&va), class_b = num_view_class(&vb);
    if (class_a != class_b) return class_a < class_b ? -1 : 1;
    if (class_a != 1 && class_a != 3) return 0;
    int abs = num_view_cmp_abs(&va, &vb);
    return class_a == 1 ? -abs : abs;
}

static inline uint64_t num_hash_step(uint64_t h, uint64_t v) {
    h ^= v * 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

/* Hashes what equal values share: class, weight and digits (views are normalized). */
uint64_t sql_numeric_hash(sql_bytes num, uint64_t seed) {
    num_view v;
    num_view_init(&v, num);
    uint64_t h = num_hash_step(seed ^ 0x6E756D65726963ull, (uint64_t)num_view_class(&v));
    if (v.ndigits == 0) return num_hash_step(h, 0);
    h = num_hash_step(h, (uint64_t)(uint32_t)v.weight);
    uint64_t word = 0;
    int32_t i = 0;
    for (; i < v.ndigits; i++) {
        word = (word << 16) | (uint64_t)num_view_digit(&v, i);
        if ((i & 3) == 3) {
            h = num_hash_step(h, word);
            word = 0;
        }
    }
    if ((i & 3) != 0) h = num_hash_step(h, word);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    return h;
}

/* ---- binary wire format ------------------------------------------------------------------ */

static void num_put_be16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t num_get_be16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | p[1]; }

uint32_t sql_numeric_send_len(sql_bytes num) {
    num_view v;
    num_view_init(&v, num);
    return 8u + 2u * (uint32_t)v.ndigits;
}

uint32_t sql_numeric_send_buf(sql_bytes num, uint8_t *buf) {
    num_view v;
    num_view_init(&v, num);
    uint32_t sign = NUM_WIRE_POS;
    int32_t dscale = v.dscale;
    switch (v.kind) {
    case NUM_NAN: sign = NUM_WIRE_NAN; break;
    /* PostgreSQL 15 sends scale 32 for infinities: its header bits read as a scale */
    case NUM_PINF: sign = NUM_WIRE_PINF; dscale = 32; break;
    case NUM_NINF: sign = NUM_WIRE_NINF; dscale = 32; break;
    default: sign = v.sign == NUM_NEG ? NUM_WIRE_NEG : NUM_WIRE_POS; break;
    }
    num_put_be16(buf, (uint32_t)v.ndigits);
    num_put_be16(buf + 2, (uint32_t)(uint16_t)(int16_t)v.weight);
    num_put_be16(buf + 4, sign);
    num_put_be16(buf + 6, (uint32_t)dscale);
    for (int32_t i = 0; i < v.ndigits; i++) {
        num_put_be16(buf + 8 + 2 * i, (uint32_t)num_view_digit(&v, i));
    }
    return 8u + 2u * (uint32_t)v.ndigits;
}

bool sql_numeric_send(rt_arena *arena, sql_bytes num, sql_bytes *out, rt_err *err) {
    uint8_t *p = rt_arena_alloc(arena, sql_numeric_send_len(num));
    if (p == NULL) return rt_arena_fail(arena, err);
    *out = (sql_bytes){p, sql_numeric_send_buf(num, p)};
    return true;
}

static bool num_recv_short(rt_err *err) {
    return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "insufficient data left in message");
}

static bool num_recv_bad(rt_err *err, const char *what) {
    return rt_err_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "invalid %s in external \"numeric\" value", what);
}

/* The special value of a wire sign word (after validation). */
static num_kind num_wire_kind(uint32_t sign) {
    return sign == NUM_WIRE_NAN ? NUM_NAN : sign == NUM_WIRE_PINF ? NUM_PINF
         : sign == NUM_WIRE_NINF ? NUM_NINF : NUM_FINITE;
}

/* Reads the header and digits in PostgreSQL's order, so the same input gets the same error. */
static bool num_recv_parse(num_ctx *c, sql_bytes data, num_var *v, num_kind *kind,
                           uint32_t *used) {
    if (data.len < 6) return num_recv_short(c->err);
    int32_t ndigits = (int32_t)num_get_be16(data.ptr);
    int32_t weight = (int16_t)num_get_be16(data.ptr + 2);
    uint32_t sign = num_get_be16(data.ptr + 4);
    if (sign != NUM_WIRE_POS && sign != NUM_WIRE_NEG && num_wire_kind(sign) == NUM_FINITE) {
        return num_recv_bad(c->err, "sign");
    }
    if (data.len < 8) return num_recv_short(c->err);
    int32_t dscale = (int32_t)num_get_be16(data.ptr + 6);
    if (dscale > SQL_NUMERIC_DSCALE_MAX) return num_recv_bad(c->err, "scale");
    for (int32_t i = 0; i < ndigits; i++) { /* checked before anything is allocated */
        if (data.len < 10u + 2u * (uint32_t)i) return num_recv_short(c->err);
        int32_t d = (int16_t)num_get_be16(data.ptr + 8 + 2 * i);
        if (d < 0 || d >= NUM_BASE) return num_recv_bad(c->err, "digit");
    }
    if (!num_var_alloc(c, v, ndigits)) return false;
    for (int32_t i = 0; i < ndigits; i++) v->digits[i] = (int32_t)num_get_be16(data.ptr + 8 + 2 * i);
    v->ndigits = ndigits;
    v->weight = weight;
    v->sign = sign == NUM_WIRE_NEG ? NUM_NEG : NUM_POS;
    v->dscale = dscale;
    *kind = num_wire_kind(sign);
    *used = 8u + 2u * (uint32_t)ndigits;
    return true;
}

bool sql_numeric_recv(rt_arena *arena, sql_bytes data, int32_t typmod, sql_bytes *out,
                      uint32_t *used, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_local loc;
    num_var_init(&loc);
    num_kind kind = NUM_FINITE;
    if (!num_recv_parse(&c, data, &loc.v, &kind, used)) return false;
    if (kind != NUM_FINITE) {
        if (!num_apply_typmod_special(&c, kind, typmod)) return false;
        return num_make_special(&c, kind, out);
    }
    num_var_strip(&loc.v);
    num_var_trunc(&loc.v, loc.v.dscale); /* digits hidden by the scale are dropped */
    if (!num_apply_typmod(&c, &loc.v, typmod)) return false;
    return num_make(&c, &loc.v, out);
}

/* ---- order-preserving key ---------------------------------------------------------------- */

enum {
    NUM_KEY_NINF = 0x01,
    NUM_KEY_NEG = 0x02,
    NUM_KEY_ZERO = 0x03,
    NUM_KEY_POS = 0x04,
    NUM_KEY_PINF = 0x05,
    NUM_KEY_NAN = 0x06,
    /* weight: one byte 0x40 + (w + 64) for -64..63; else a marker and a big-endian uint16 */
    NUM_KEY_WEIGHT_LOW = 0x3F,  /* then w + 32768 */
    NUM_KEY_WEIGHT_HIGH = 0xC0, /* then w */
    NUM_KEY_WEIGHT_SMALL_MIN = -64,
    NUM_KEY_WEIGHT_SMALL_MAX = 63,
};

static uint32_t num_key_weight_len(int32_t w) {
    return (w >= NUM_KEY_WEIGHT_SMALL_MIN && w <= NUM_KEY_WEIGHT_SMALL_MAX) ? 1 : 3;
}

uint32_t sql_numeric_key_len(sql_bytes num) {
    num_view v;
    num_view_init(&v, num);
    if (v.kind != NUM_FINITE || v.ndigits == 0) return 1;
    return 1 + num_key_weight_len(v.weight) + 2u * (uint32_t)v.ndigits;
}

/* Finite nonzero: class, weight, then each digit d as 2d+2 (more follow) or 2d+1 (last), so a
 * longer digit string sorts after its prefix and no key is a prefix of another. Negative
 * values complement everything after the class byte, which reverses their order. */
uint32_t sql_numeric_key_buf(sql_bytes num, uint8_t *buf) {
    num_view v;
    num_view_init(&v, num);
    static const uint8_t class_byte[] = {NUM_KEY_NINF, NUM_KEY_NEG, NUM_KEY_ZERO, NUM_KEY_POS,
                                         NUM_KEY_PINF, NUM_KEY_NAN};
    buf[0] = class_byte[num_view_class(&v)];
    if (v.kind != NUM_FINITE || v.ndigits == 0) return 1;
    uint32_t len = 1;
    if (num_key_weight_len(v.weight) == 1) {
        buf[len++] = (uint8_t)(0x40 + v.weight - NUM_KEY_WEIGHT_SMALL_MIN);
    } else if (v.weight < 0) {
        buf[len++] = NUM_KEY_WEIGHT_LOW;
        num_put_be16(buf + len, (uint32_t)(v.weight + 32768));
        len += 2;
    } else {
        buf[len++] = NUM_KEY_WEIGHT_HIGH;
        num_put_be16(buf + len, (uint32_t)v.weight);
        len += 2;
    }
    for (int32_t i = 0; i < v.ndigits; i++) {
        uint32_t d = (uint32_t)num_view_digit(&v, i);
        num_put_be16(buf + len, 2 * d + (i + 1 < v.ndigits ? 2 : 1));
        len += 2;
    }
    if (v.sign == NUM_NEG) {
        for (uint32_t i = 1; i < len; i++) buf[i] = (uint8_t)~buf[i];
    }
    return len;
}

bool sql_numeric_key(rt_arena *arena, sql_bytes num, sql_bytes *key, rt_err *err) {
    uint8_t *p = rt_arena_alloc(arena, sql_numeric_key_len(num));
    if (p == NULL) return rt_arena_fail(arena, err);
    *key = (sql_bytes){p, sql_numeric_key_buf(num, p)};
    return true;
}

static bool num_key_bad(rt_err *err) {
    return rt_err_set(err, SQLSTATE_INDEX_CORRUPTED, "invalid numeric key");
}

/* Byte i of a finite key, un-complemented for negative values. */
static inline uint8_t num_key_byte(sql_bytes key, uint32_t i, bool neg) {
    return neg ? (uint8_t)~key.ptr[i] : key.ptr[i];
}

static bool num_key_decode_weight(sql_bytes key, bool neg, uint32_t *pos, int32_t *weight) {
    if (*pos >= key.len) return false;
    uint8_t b0 = num_key_byte(key, (*pos)++, neg);
    if (b0 >= 0x40 && b0 < 0xC0) {
        *weight = (int32_t)b0 - 0x40 + NUM_KEY_WEIGHT_SMALL_MIN;
        return true;
    }
    if ((b0 != NUM_KEY_WEIGHT_LOW && b0 != NUM_KEY_WEIGHT_HIGH) || *pos + 2 > key.len) return false;
    uint32_t w = ((uint32_t)num_key_byte(key, *pos, neg) << 8) | num_key_byte(key, *pos + 1, neg);
    *pos += 2;
    *weight = b0 == NUM_KEY_WEIGHT_LOW ? (int32_t)w - 32768 : (int32_t)w;
    /* the 3-byte forms are only used outside the 1-byte range */
    return b0 == NUM_KEY_WEIGHT_LOW ? *weight < NUM_KEY_WEIGHT_SMALL_MIN
                                    : *weight > NUM_KEY_WEIGHT_SMALL_MAX;
}

/* Reads the digits of a finite key into v (digits < 10000, first and last nonzero): a first
 * pass finds and checks them, so the var gets exactly the digits it needs. */
static bool num_key_decode_digits(num_ctx *c, sql_bytes key, bool neg, uint32_t *pos,
                                  num_var *v) {
    int32_t n = 0;
    for (uint32_t p = *pos;; p += 2) {
        if (p + 2 > key.len || n >= SQL_NUMERIC_NDIGITS_MAX) return num_key_bad(c->err);
        uint32_t code = ((uint32_t)num_key_byte(key, p, neg) << 8) | num_key_byte(key, p + 1, neg);
        bool last = (code & 1) != 0;
        int32_t d = (int32_t)((code - (last ? 1 : 2)) / 2);
        if (code == 0 || d >= NUM_BASE || (n == 0 && d == 0) || (last && d == 0)) {
            return num_key_bad(c->err);
        }
        n++;
        if (last) break;
    }
    if (!num_var_alloc(c, v, n)) return false;
    for (int32_t i = 0; i < n; i++, *pos += 2) {
        uint32_t code = ((uint32_t)num_key_byte(key, *pos, neg) << 8) |
                        num_key_byte(key, *pos + 1, neg);
        v->digits[i] = (int32_t)((code - 1) / 2); /* (2d+1 or 2d+2 - 1) / 2 = d */
    }
    v->ndigits = n;
    return true;
}

bool sql_numeric_key_decode(rt_arena *arena, sql_bytes key, sql_bytes *out, uint32_t *used,
                            rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    if (key.len == 0) return num_key_bad(err);
    uint8_t cls = key.ptr[0];
    *used = 1;
    switch (cls) {
    case NUM_KEY_NINF: return num_make_special(&c, NUM_NINF, out);
    case NUM_KEY_PINF: return num_make_special(&c, NUM_PINF, out);
    case NUM_KEY_NAN: return num_make_special(&c, NUM_NAN, out);
    case NUM_KEY_ZERO: return num_short_make(&c, 0, 0, out);
    case NUM_KEY_NEG: case NUM_KEY_POS: break;
    default: return num_key_bad(err);
    }
    bool neg = cls == NUM_KEY_NEG;
    num_local loc;
    num_var_init(&loc);
    uint32_t pos = 1;
    if (!num_key_decode_weight(key, neg, &pos, &loc.v.weight) ||
        loc.v.weight > SQL_NUMERIC_WEIGHT_MAX) {
        return num_key_bad(err);
    }
    if (!num_key_decode_digits(&c, key, neg, &pos, &loc.v)) return false;
    loc.v.sign = neg ? NUM_NEG : NUM_POS;
    loc.v.dscale = num_var_min_scale(&loc.v);
    *used = pos;
    if (loc.v.dscale > SQL_NUMERIC_DSCALE_MAX) return num_key_bad(err);
    return num_make(&c, &loc.v, out);
}
