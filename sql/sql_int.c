/* sql_int.c: smallint/integer/bigint input, output, checked arithmetic and casts with
 * PostgreSQL 15's results and error messages. */
#include "sql/sql_int.h"

#include <math.h>
#include <string.h>

/* ---- input -------------------------------------------------------------------------------- */

static inline bool int_is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

typedef enum int_parse_result {
    INT_PARSE_OK,
    INT_PARSE_SYNTAX,
    INT_PARSE_RANGE,
} int_parse_result;

/* Parses into [min, max]. Digits accumulate as a negative number so that min (whose magnitude
 * is one more than max's) needs no special case; an overflow is reported as soon as it happens,
 * before trailing characters are looked at (so "99999999999x" is out of range, as in
 * PostgreSQL). */
static int_parse_result int_parse(const char *text, uint32_t len, int64_t min, int64_t max,
                                  int64_t *out) {
    uint32_t i = 0;
    while (i < len && int_is_space(text[i])) i++;
    bool negative = false;
    if (i < len && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    if (i == len || text[i] < '0' || text[i] > '9') return INT_PARSE_SYNTAX;
    int64_t acc = 0;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
        int64_t digit = text[i] - '0';
        if (acc < (min + digit) / 10) return INT_PARSE_RANGE;
        acc = acc * 10 - digit;
    }
    while (i < len && int_is_space(text[i])) i++;
    if (i != len) return INT_PARSE_SYNTAX;
    if (!negative) {
        if (acc < -max) return INT_PARSE_RANGE;
        acc = -acc;
    }
    *out = acc;
    return INT_PARSE_OK;
}

static bool int_from_text(const char *text, uint32_t len, int64_t min, int64_t max,
                          const char *type_name, int64_t *out, rt_err *err) {
    switch (int_parse(text, len, min, max, out)) {
    case INT_PARSE_OK:
        return true;
    case INT_PARSE_RANGE:
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value \"%.*s\" is out of range for type %s", (int)len, text, type_name);
    case INT_PARSE_SYNTAX:
        break;
    }
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type %s: \"%.*s\"", type_name, (int)len, text);
}

bool sql_int2_from_text(const char *text, uint32_t len, int16_t *out, rt_err *err) {
    int64_t v;
    if (!int_from_text(text, len, INT16_MIN, INT16_MAX, "smallint", &v, err)) return false;
    *out = (int16_t)v;
    return true;
}

bool sql_int4_from_text(const char *text, uint32_t len, int32_t *out, rt_err *err) {
    int64_t v;
    if (!int_from_text(text, len, INT32_MIN, INT32_MAX, "integer", &v, err)) return false;
    *out = (int32_t)v;
    return true;
}

bool sql_int8_from_text(const char *text, uint32_t len, int64_t *out, rt_err *err) {
    return int_from_text(text, len, INT64_MIN, INT64_MAX, "bigint", out, err);
}

/* ---- output ------------------------------------------------------------------------------- */

static const char int_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static uint32_t int_digit_count(uint64_t v) {
    uint32_t n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

/* Two digits per division, written backwards from the known end. */
uint32_t sql_uint64_to_text(uint64_t v, char *buf) {
    uint32_t n = int_digit_count(v);
    char *p = buf + n;
    *p = '\0';
    while (v >= 100) {
        uint32_t r = (uint32_t)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, &int_digit_pairs[r * 2], 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, &int_digit_pairs[v * 2], 2);
    } else {
        *--p = (char)('0' + v);
    }
    return n;
}

uint32_t sql_int8_to_text(int64_t v, char *buf) {
    if (v >= 0) return sql_uint64_to_text((uint64_t)v, buf);
    buf[0] = '-';
    /* The magnitude of INT64_MIN only fits unsigned. */
    return 1 + sql_uint64_to_text(0 - (uint64_t)v, buf + 1);
}

/* ---- arithmetic --------------------------------------------------------------------------- */

static bool int2_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range");
}

static bool int4_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
}

static bool int8_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
}

static bool int_zero_divide(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

/* Add, subtract and multiply for one type: the builtins report overflow of the exact result. */
#define INT_ARITH(prefix, type, range)                                                      \
    bool prefix##_add(type a, type b, type *out, rt_err *err) {                             \
        if (__builtin_add_overflow(a, b, out)) return range(err);                           \
        return true;                                                                        \
    }                                                                                       \
    bool prefix##_sub(type a, type b, type *out, rt_err *err) {                             \
        if (__builtin_sub_overflow(a, b, out)) return range(err);                           \
        return true;                                                                        \
    }                                                                                       \
    bool prefix##_mul(type a, type b, type *out, rt_err *err) {                             \
        if (__builtin_mul_overflow(a, b, out)) return range(err);                           \
        return true;                                                                        \
    }                                                                                       \
    bool prefix##_neg(type a, type *out, rt_err *err) {                                     \
        if (__builtin_sub_overflow((type)0, a, out)) return range(err);                     \
        return true;                                                                        \
    }                                                                                       \
    bool prefix##_abs(type a, type *out, rt_err *err) {                                     \
        if (a >= 0) {                                                                       \
            *out = a;                                                                       \
            return true;                                                                    \
        }                                                                                   \
        return prefix##_neg(a, out, err);                                                   \
    }

/* Division truncates toward zero; MIN / -1 overflows and MIN % -1 is 0 (C leaves both
 * undefined, so -1 is handled before dividing). */
#define INT_DIVIDE(prefix, type, min, range)                                                \
    bool prefix##_div(type a, type b, type *out, rt_err *err) {                             \
        if (b == 0) return int_zero_divide(err);                                            \
        if (b == -1) {                                                                      \
            if (a == min) return range(err);                                                \
            *out = (type)-a;                                                                \
            return true;                                                                    \
        }                                                                                   \
        *out = (type)(a / b);                                                               \
        return true;                                                                        \
    }                                                                                       \
    bool prefix##_mod(type a, type b, type *out, rt_err *err) {                             \
        if (b == 0) return int_zero_divide(err);                                            \
        *out = b == -1 ? 0 : (type)(a % b);                                                 \
        return true;                                                                        \
    }

INT_ARITH(sql_int2, int16_t, int2_range)
INT_ARITH(sql_int4, int32_t, int4_range)
INT_ARITH(sql_int8, int64_t, int8_range)
INT_DIVIDE(sql_int2, int16_t, INT16_MIN, int2_range)
INT_DIVIDE(sql_int4, int32_t, INT32_MIN, int4_range)
INT_DIVIDE(sql_int8, int64_t, INT64_MIN, int8_range)

/* Euclid on magnitudes, which fit unsigned even for the minimum value. */
static uint64_t int_gcd_u64(uint64_t a, uint64_t b) {
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t int_magnitude(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

/* gcd(MIN, 0) and gcd(MIN, MIN) are 2^31 (2^63), which does not fit: out of range. */
bool sql_int4_gcd(int32_t a, int32_t b, int32_t *out, rt_err *err) {
    uint64_t g = int_gcd_u64(int_magnitude(a), int_magnitude(b));
    if (g > INT32_MAX) return int4_range(err);
    *out = (int32_t)g;
    return true;
}

bool sql_int8_gcd(int64_t a, int64_t b, int64_t *out, rt_err *err) {
    uint64_t g = int_gcd_u64(int_magnitude(a), int_magnitude(b));
    if (g > INT64_MAX) return int8_range(err);
    *out = (int64_t)g;
    return true;
}

bool sql_int4_lcm(int32_t a, int32_t b, int32_t *out, rt_err *err) {
    if (a == 0 || b == 0) {
        *out = 0;
        return true;
    }
    int32_t g = 1;
    if (!sql_int4_gcd(a, b, &g, err)) return false;
    uint64_t l = int_magnitude(a) / (uint64_t)g * int_magnitude(b); /* < 2^62 */
    if (l > INT32_MAX) return int4_range(err);
    *out = (int32_t)l;
    return true;
}

bool sql_int8_lcm(int64_t a, int64_t b, int64_t *out, rt_err *err) {
    if (a == 0 || b == 0) {
        *out = 0;
        return true;
    }
    int64_t g = 1;
    if (!sql_int8_gcd(a, b, &g, err)) return false;
    unsigned __int128 l = (unsigned __int128)(int_magnitude(a) / (uint64_t)g) * int_magnitude(b);
    if (l > INT64_MAX) return int8_range(err);
    *out = (int64_t)l;
    return true;
}

/* ---- shifts ------------------------------------------------------------------------------- */

/* Shifting left happens on the unsigned pattern (a signed left shift into the sign bit is
 * undefined in C); int2 shifts as a 32-bit int and keeps the low 16 bits, as PostgreSQL's
 * int2shl does through C's integer promotion. */
int16_t sql_int2_shl(int16_t a, int32_t count) {
    return (int16_t)(uint16_t)((uint32_t)(int32_t)a << (count & 31));
}

int16_t sql_int2_shr(int16_t a, int32_t count) { return (int16_t)((int32_t)a >> (count & 31)); }

int32_t sql_int4_shl(int32_t a, int32_t count) {
    return (int32_t)((uint32_t)a << (count & 31));
}

int32_t sql_int4_shr(int32_t a, int32_t count) { return a >> (count & 31); }

int64_t sql_int8_shl(int64_t a, int32_t count) {
    return (int64_t)((uint64_t)a << (count & 63));
}

int64_t sql_int8_shr(int64_t a, int32_t count) { return a >> (count & 63); }

/* ---- casts -------------------------------------------------------------------------------- */

bool sql_int8_to_int4(int64_t v, int32_t *out, rt_err *err) {
    if (v < INT32_MIN || v > INT32_MAX) return int4_range(err);
    *out = (int32_t)v;
    return true;
}

bool sql_int8_to_int2(int64_t v, int16_t *out, rt_err *err) {
    if (v < INT16_MIN || v > INT16_MAX) return int2_range(err);
    *out = (int16_t)v;
    return true;
}

bool sql_int4_to_int2(int32_t v, int16_t *out, rt_err *err) {
    return sql_int8_to_int2(v, out, err);
}

/* After rint(), a value fits when MIN <= v < -MIN: both bounds are exact powers of two in
 * double, which MAX (for int8) is not. NaN fails both comparisons. */
bool sql_float8_to_int2(double v, int16_t *out, rt_err *err) {
    v = rint(v);
    if (!(v >= -32768.0 && v < 32768.0)) return int2_range(err);
    *out = (int16_t)v;
    return true;
}

bool sql_float8_to_int4(double v, int32_t *out, rt_err *err) {
    v = rint(v);
    if (!(v >= -2147483648.0 && v < 2147483648.0)) return int4_range(err);
    *out = (int32_t)v;
    return true;
}

bool sql_float8_to_int8(double v, int64_t *out, rt_err *err) {
    v = rint(v);
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return int8_range(err);
    *out = (int64_t)v;
    return true;
}

/* A float widens to double exactly, and rint gives the same integer either way. */
bool sql_float4_to_int2(float v, int16_t *out, rt_err *err) {
    return sql_float8_to_int2((double)v, out, err);
}

bool sql_float4_to_int4(float v, int32_t *out, rt_err *err) {
    return sql_float8_to_int4((double)v, out, err);
}

bool sql_float4_to_int8(float v, int64_t *out, rt_err *err) {
    return sql_float8_to_int8((double)v, out, err);
}

/* ---- hashing and keys --------------------------------------------------------------------- */

uint64_t sql_int8_hash(int64_t v) {
    uint64_t x = (uint64_t)v;
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

void sql_int2_key_encode(int16_t v, uint8_t out[SQL_INT2_KEY_BYTES]) {
    uint16_t u = (uint16_t)v ^ UINT16_C(0x8000);
    out[0] = (uint8_t)(u >> 8);
    out[1] = (uint8_t)u;
}

void sql_int4_key_encode(int32_t v, uint8_t out[SQL_INT4_KEY_BYTES]) {
    uint32_t u = (uint32_t)v ^ UINT32_C(0x80000000);
    for (int i = 0; i < SQL_INT4_KEY_BYTES; i++) out[i] = (uint8_t)(u >> (24 - 8 * i));
}

void sql_int8_key_encode(int64_t v, uint8_t out[SQL_INT8_KEY_BYTES]) {
    uint64_t u = (uint64_t)v ^ (UINT64_C(1) << 63);
    for (int i = 0; i < SQL_INT8_KEY_BYTES; i++) out[i] = (uint8_t)(u >> (56 - 8 * i));
}

int16_t sql_int2_key_decode(const uint8_t in[SQL_INT2_KEY_BYTES]) {
    return (int16_t)(uint16_t)((((uint16_t)in[0] << 8) | in[1]) ^ UINT16_C(0x8000));
}

int32_t sql_int4_key_decode(const uint8_t in[SQL_INT4_KEY_BYTES]) {
    uint32_t u = 0;
    for (int i = 0; i < SQL_INT4_KEY_BYTES; i++) u = (u << 8) | in[i];
    return (int32_t)(u ^ UINT32_C(0x80000000));
}

int64_t sql_int8_key_decode(const uint8_t in[SQL_INT8_KEY_BYTES]) {
    uint64_t u = 0;
    for (int i = 0; i < SQL_INT8_KEY_BYTES; i++) u = (u << 8) | in[i];
    return (int64_t)(u ^ (UINT64_C(1) << 63));
}
