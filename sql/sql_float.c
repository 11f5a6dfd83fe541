/* sql_float.c: float4/float8 input, arithmetic, functions, comparison, hashing and keys, with
 * PostgreSQL 15's results and errors. Output lives in sql_float_out.c. */
#include "sql/sql_float.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_mem.h"

/* ---- input -------------------------------------------------------------------------------- */

/* isspace() in the C locale, which PostgreSQL's float and integer input use. */
static inline bool float_is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

typedef enum float_parse_result {
    FLOAT_PARSE_OK,
    FLOAT_PARSE_SYNTAX,
    FLOAT_PARSE_RANGE,
} float_parse_result;

/* strtod/strtof on text[start, len) copied into a NUL-terminated buffer. Sets *num_len to the
 * length of the number that was read (for PostgreSQL's float8 out-of-range message). */
static float_parse_result float_parse(const char *text, uint32_t len, bool single, double *out,
                                      uint32_t *start_out, uint32_t *num_len) {
    uint32_t start = 0;
    while (start < len && float_is_space(text[start])) start++;
    *start_out = start;
    *num_len = 0;
    if (start == len) return FLOAT_PARSE_SYNTAX;
    uint32_t n = len - start;
    char stack_buf[SQL_FLOAT_INPUT_STACK_BYTES];
    char *buf = n < sizeof stack_buf ? stack_buf : rt_xmalloc((size_t)n + 1);
    memcpy(buf, text + start, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = single ? (double)strtof(buf, &end) : strtod(buf, &end);
    int saved_errno = errno;
    uint32_t used = (uint32_t)(end - buf);
    if (buf != stack_buf) rt_free(buf);
    *num_len = used;
    if (used == 0) return FLOAT_PARSE_SYNTAX;
    /* Denormals come back with ERANGE too: only a result of zero or infinity is out of range. */
    if (saved_errno == ERANGE && (v == 0.0 || isinf(v))) return FLOAT_PARSE_RANGE;
    uint32_t i = start + used;
    while (i < len && float_is_space(text[i])) i++;
    if (i != len) return FLOAT_PARSE_SYNTAX;
    *out = v;
    return FLOAT_PARSE_OK;
}

bool sql_float8_from_text(const char *text, uint32_t len, double *out, rt_err *err) {
    uint32_t start, num_len;
    switch (float_parse(text, len, false, out, &start, &num_len)) {
    case FLOAT_PARSE_OK:
        return true;
    case FLOAT_PARSE_RANGE:
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "\"%.*s\" is out of range for type double precision", (int)num_len,
                          text + start);
    case FLOAT_PARSE_SYNTAX:
        break;
    }
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type double precision: \"%.*s\"", (int)len, text);
}

bool sql_float4_from_text(const char *text, uint32_t len, float *out, rt_err *err) {
    uint32_t start, num_len;
    double v;
    switch (float_parse(text, len, true, &v, &start, &num_len)) {
    case FLOAT_PARSE_OK:
        *out = (float)v;
        return true;
    case FLOAT_PARSE_RANGE:
        /* float4in quotes the whole input, spaces included (float8in only the number). */
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "\"%.*s\" is out of range for type real", (int)len, text);
    case FLOAT_PARSE_SYNTAX:
        break;
    }
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type real: \"%.*s\"", (int)len, text);
}

/* ---- arithmetic --------------------------------------------------------------------------- */

static bool float_overflow(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
}

static bool float_underflow(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
}

static bool float_zero_divide(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

/* An infinite result is an overflow only when no input was infinite; a zero result is an
 * underflow only when no input was zero (for division: the divisor was not infinite). */
bool sql_float8_add(double a, double b, double *out, rt_err *err) {
    double r = a + b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a) && !isinf(b)) return float_overflow(err);
    *out = r;
    return true;
}

bool sql_float8_sub(double a, double b, double *out, rt_err *err) {
    double r = a - b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a) && !isinf(b)) return float_overflow(err);
    *out = r;
    return true;
}

bool sql_float8_mul(double a, double b, double *out, rt_err *err) {
    double r = a * b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a) && !isinf(b)) return float_overflow(err);
    if (RT_UNLIKELY(r == 0.0) && a != 0.0 && b != 0.0) return float_underflow(err);
    *out = r;
    return true;
}

bool sql_float8_div(double a, double b, double *out, rt_err *err) {
    if (RT_UNLIKELY(b == 0.0) && !isnan(a)) return float_zero_divide(err);
    double r = a / b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a)) return float_overflow(err);
    if (RT_UNLIKELY(r == 0.0) && a != 0.0 && !isinf(b)) return float_underflow(err);
    *out = r;
    return true;
}

bool sql_float4_add(float a, float b, float *out, rt_err *err) {
    float r = a + b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a) && !isinf(b)) return float_overflow(err);
    *out = r;
    return true;
}

bool sql_float4_sub(float a, float b, float *out, rt_err *err) {
    float r = a - b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a) && !isinf(b)) return float_overflow(err);
    *out = r;
    return true;
}

bool sql_float4_mul(float a, float b, float *out, rt_err *err) {
    float r = a * b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a) && !isinf(b)) return float_overflow(err);
    if (RT_UNLIKELY(r == 0.0f) && a != 0.0f && b != 0.0f) return float_underflow(err);
    *out = r;
    return true;
}

bool sql_float4_div(float a, float b, float *out, rt_err *err) {
    if (RT_UNLIKELY(b == 0.0f) && !isnan(a)) return float_zero_divide(err);
    float r = a / b;
    if (RT_UNLIKELY(isinf(r)) && !isinf(a)) return float_overflow(err);
    if (RT_UNLIKELY(r == 0.0f) && a != 0.0f && !isinf(b)) return float_underflow(err);
    *out = r;
    return true;
}

bool sql_float8_to_float4(double v, float *out, rt_err *err) {
    float r = (float)v;
    if (RT_UNLIKELY(isinf(r)) && !isinf(v)) return float_overflow(err);
    if (RT_UNLIKELY(r == 0.0f) && v != 0.0) return float_underflow(err);
    *out = r;
    return true;
}

/* ---- powers and logarithms ---------------------------------------------------------------- */

bool sql_float8_sqrt(double x, double *out, rt_err *err) {
    if (x < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                          "cannot take square root of a negative number");
    }
    *out = sqrt(x);
    return true;
}

double sql_float8_cbrt(double x) { return cbrt(x); }

/* x^y where x or y is infinite (both are numbers, and a negative x has an integral y). */
static double float_power_infinite(double x, double y) {
    if (isinf(y)) {
        double ax = fabs(x);
        if (ax == 1.0) return 1.0;
        if (y > 0) return ax > 1.0 ? y : 0.0;
        return ax > 1.0 ? 0.0 : -y;
    }
    if (y == 0) return 1.0;
    if (x > 0) return y > 0 ? x : 0.0;
    /* -Infinity keeps its sign under odd powers. */
    bool odd = fmod(y, 2.0) != 0;
    if (y > 0) return odd ? x : -x;
    return odd ? -0.0 : 0.0;
}

bool sql_float8_power(double x, double y, double *out, rt_err *err) {
    /* SQL's power() follows POSIX pow() for NaN: 1 when the other side makes it 1. */
    if (isnan(x)) {
        *out = (isnan(y) || y != 0.0) ? x : 1.0;
        return true;
    }
    if (isnan(y)) {
        *out = x != 1.0 ? y : 1.0;
        return true;
    }
    if (x == 0 && y < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                          "zero raised to a negative power is undefined");
    }
    if (x < 0 && floor(y) != y) {
        return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                          "a negative number raised to a non-integer power yields a complex "
                          "result");
    }
    if (isinf(x) || isinf(y)) {
        *out = float_power_infinite(x, y);
        return true;
    }
    double r = pow(x, y);
    if (isinf(r)) return float_overflow(err);
    if (r == 0.0 && x != 0.0) return float_underflow(err);
    *out = r;
    return true;
}

bool sql_float8_exp(double x, double *out, rt_err *err) {
    if (isnan(x)) {
        *out = x;
        return true;
    }
    if (isinf(x)) {
        *out = x > 0 ? x : 0.0;
        return true;
    }
    double r = exp(x);
    if (isinf(r)) return float_overflow(err);
    if (r == 0.0) return float_underflow(err);
    *out = r;
    return true;
}

static bool float_log_check(double x, rt_err *err) {
    if (x == 0.0) {
        return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                          "cannot take logarithm of zero");
    }
    if (x < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM,
                          "cannot take logarithm of a negative number");
    }
    return true;
}

bool sql_float8_ln(double x, double *out, rt_err *err) {
    if (!float_log_check(x, err)) return false;
    *out = log(x);
    return true;
}

bool sql_float8_log10(double x, double *out, rt_err *err) {
    if (!float_log_check(x, err)) return false;
    *out = log10(x);
    return true;
}

/* ---- rounding ---------------------------------------------------------------------------- */

double sql_float8_round(double x) { return rint(x); }
double sql_float8_trunc(double x) { return x >= 0 ? floor(x) : -floor(-x); }
double sql_float8_ceil(double x) { return ceil(x); }
double sql_float8_floor(double x) { return floor(x); }

double sql_float8_sign(double x) {
    if (x > 0) return 1.0;
    if (x < 0) return -1.0;
    return 0.0;
}

/* The quotient as PostgreSQL 15 converts it: a double outside int range (or NaN, from
 * Infinity / Infinity when the bounds are huge) becomes INT32_MIN, the x86-64 conversion result. */
static int32_t float_bucket_to_int(double v) {
    if (!(v >= -2147483648.0 && v < 2147483648.0)) return INT32_MIN;
    return (int32_t)v;
}

bool sql_float8_width_bucket(double operand, double low, double high, int32_t count,
                             int32_t *out, rt_err *err) {
    const char *state = SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION;
    if (count <= 0) return rt_err_set(err, state, "count must be greater than zero");
    if (isnan(operand) || isnan(low) || isnan(high)) {
        return rt_err_set(err, state, "operand, lower bound, and upper bound cannot be NaN");
    }
    if (isinf(low) || isinf(high)) {
        return rt_err_set(err, state, "lower and upper bounds must be finite");
    }
    if (low == high) return rt_err_set(err, state, "lower bound cannot equal upper bound");
    bool below, above;
    double fraction_num, fraction_den;
    if (low < high) {
        below = operand < low;
        above = operand >= high;
        fraction_num = operand - low;
        fraction_den = high - low;
    } else {
        below = operand > low;
        above = operand <= high;
        fraction_num = low - operand;
        fraction_den = low - high;
    }
    if (below) {
        *out = 0;
    } else if (above) {
        if (count == INT32_MAX) {
            return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
        }
        *out = count + 1;
    } else {
        *out = float_bucket_to_int((double)count * fraction_num / fraction_den + 1);
    }
    return true;
}

/* ---- comparison, hashing, keys ------------------------------------------------------------ */

int sql_float8_cmp(double a, double b) {
    if (RT_UNLIKELY(isnan(a))) return isnan(b) ? 0 : 1;
    if (RT_UNLIKELY(isnan(b))) return -1;
    return (a > b) - (a < b);
}

int sql_float4_cmp(float a, float b) {
    if (RT_UNLIKELY(isnan(a))) return isnan(b) ? 0 : 1;
    if (RT_UNLIKELY(isnan(b))) return -1;
    return (a > b) - (a < b);
}

/* One bit pattern per class of equal values: -0 becomes 0, every NaN the positive quiet NaN. */
static uint64_t float8_canonical_bits(double v) {
    if (v == 0.0) return 0;
    if (isnan(v)) return UINT64_C(0x7ff8000000000000);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static uint32_t float4_canonical_bits(float v) {
    if (v == 0.0f) return 0;
    if (isnan(v)) return UINT32_C(0x7fc00000);
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

/* A 64-bit finalizer (xor-shift-multiply rounds) spreads every input bit over the output. */
static uint64_t float_mix64(uint64_t x) {
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

uint64_t sql_float8_hash(double v) { return float_mix64(float8_canonical_bits(v)); }

/* A float4 widens exactly to float8, and NaN stays NaN, so equal values hash equal. */
uint64_t sql_float4_hash(float v) { return sql_float8_hash((double)v); }

/* Flipping all bits of negatives and the sign bit of positives makes unsigned order match
 * numeric order; the canonical NaN lands above +Infinity. */
void sql_float8_key_encode(double v, uint8_t out[SQL_FLOAT8_KEY_BYTES]) {
    uint64_t bits = float8_canonical_bits(v);
    bits = (bits >> 63) ? ~bits : bits ^ (UINT64_C(1) << 63);
    for (int i = 0; i < SQL_FLOAT8_KEY_BYTES; i++) out[i] = (uint8_t)(bits >> (56 - 8 * i));
}

double sql_float8_key_decode(const uint8_t in[SQL_FLOAT8_KEY_BYTES]) {
    uint64_t bits = 0;
    for (int i = 0; i < SQL_FLOAT8_KEY_BYTES; i++) bits = (bits << 8) | in[i];
    bits = (bits >> 63) ? bits ^ (UINT64_C(1) << 63) : ~bits;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

void sql_float4_key_encode(float v, uint8_t out[SQL_FLOAT4_KEY_BYTES]) {
    uint32_t bits = float4_canonical_bits(v);
    bits = (bits >> 31) ? ~bits : bits ^ (UINT32_C(1) << 31);
    for (int i = 0; i < SQL_FLOAT4_KEY_BYTES; i++) out[i] = (uint8_t)(bits >> (24 - 8 * i));
}

float sql_float4_key_decode(const uint8_t in[SQL_FLOAT4_KEY_BYTES]) {
    uint32_t bits = 0;
    for (int i = 0; i < SQL_FLOAT4_KEY_BYTES; i++) bits = (bits << 8) | in[i];
    bits = (bits >> 31) ? bits ^ (UINT32_C(1) << 31) : ~bits;
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}
