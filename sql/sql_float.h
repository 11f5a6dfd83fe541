/* sql_float.h: the float4 (real) and float8 (double precision) types, as PostgreSQL 15 has them.
 * Owns:    text input and output, checked arithmetic, the math functions, comparison, hashing
 *          and an order-preserving key encoding of IEEE 754 binary32/binary64 values.
 * Core:    any; everything is a pure function. The shortest-output power-of-ten table is built
 *          once before main() (sql_float_out.c) and is read-only afterwards.
 * Memory:  text is written into caller buffers of SQL_FLOAT8_TEXT_BYTES_MAX /
 *          SQL_FLOAT4_TEXT_BYTES_MAX bytes; input never allocates unless the text is longer
 *          than SQL_FLOAT_INPUT_STACK_BYTES (then one short-lived heap copy).
 * Errors:  PostgreSQL's SQLSTATEs and wording: 22P02 invalid input syntax, 22003 out of range
 *          (input and "value out of range: overflow/underflow"), 22012 division by zero, 2201E
 *          logarithm, 2201F square root / power, 2201G width_bucket, 22003 "input is out of
 *          range" for trigonometry.
 * Output:  extra_float_digits > 0 (PostgreSQL's default is 1) gives the shortest text that
 *          reads back to the same bits (Schubfach algorithm, sql_float_out.c), in fixed
 *          notation when the decimal exponent is in [-4, 15) for float8 and [-4, 6) for float4,
 *          else "d.ddde+XX". extra_float_digits <= 0 gives "%.{15+efd}g" ("%.{6+efd}g").
 * Order:   NaN equals NaN and sorts above +Infinity; -0 equals 0 and hashes like it.
 * Limits:  SQL_EXTRA_FLOAT_DIGITS_MIN/MAX as PostgreSQL's GUC. */
#ifndef SQL_FLOAT_H
#define SQL_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

/* "-2.2250738585072014e-308" is 24 bytes; "%.18g" output is at most 25. */
#define SQL_FLOAT8_TEXT_BYTES_MAX 32
/* "-1.17549435e-38" is 15 bytes; "%.9g" output is at most 16. */
#define SQL_FLOAT4_TEXT_BYTES_MAX 24

/* The extra_float_digits setting: -15..3 as in PostgreSQL; 1 is its default (shortest). */
#define SQL_EXTRA_FLOAT_DIGITS_MIN (-15)
#define SQL_EXTRA_FLOAT_DIGITS_MAX 3
#define SQL_EXTRA_FLOAT_DIGITS_DEFAULT 1

/* Input text up to this size is copied to the stack for strtod (which needs a NUL); longer
 * text (legal: "0.000...1" may have any number of digits) takes one heap copy. */
#define SQL_FLOAT_INPUT_STACK_BYTES 128

/* Order-preserving key sizes (memcmp order equals PostgreSQL's sort order). */
#define SQL_FLOAT8_KEY_BYTES 8
#define SQL_FLOAT4_KEY_BYTES 4

/* ---- text ------------------------------------------------------------------------------ */

/* Writes `v` as PostgreSQL does for this extra_float_digits; returns the length (no NUL is
 * counted, one is written). `buf` holds SQL_FLOAT8_TEXT_BYTES_MAX bytes. */
uint32_t sql_float8_to_text(double v, int extra_float_digits, char *buf);
uint32_t sql_float4_to_text(float v, int extra_float_digits, char *buf);

/* The shortest round-trip text alone (what extra_float_digits >= 1 gives). */
uint32_t sql_float8_to_shortest(double v, char *buf);
uint32_t sql_float4_to_shortest(float v, char *buf);

/* Shortest decimal digits of a finite nonzero |v|: |v| = digits * 10^exp10, digits without
 * trailing zeros (what jsonb and numeric casts build on). */
void sql_float8_decimal(double v, uint64_t *digits, int32_t *exp10);

/* Parses text as float8in / float4in: surrounding spaces, strtod syntax (also hex floats),
 * NaN, [+-]Infinity, [+-]inf in any case. Denormal results are accepted; a result that
 * overflows or underflows to zero is 22003. */
bool sql_float8_from_text(const char *text, uint32_t len, double *out, rt_err *err);
bool sql_float4_from_text(const char *text, uint32_t len, float *out, rt_err *err);

/* ---- arithmetic (overflow 22003 "value out of range: overflow", underflow likewise) ----- */

bool sql_float8_add(double a, double b, double *out, rt_err *err);
bool sql_float8_sub(double a, double b, double *out, rt_err *err);
bool sql_float8_mul(double a, double b, double *out, rt_err *err);
bool sql_float8_div(double a, double b, double *out, rt_err *err); /* 22012 for b == 0 */
bool sql_float4_add(float a, float b, float *out, rt_err *err);
bool sql_float4_sub(float a, float b, float *out, rt_err *err);
bool sql_float4_mul(float a, float b, float *out, rt_err *err);
bool sql_float4_div(float a, float b, float *out, rt_err *err);
/* float8 -> float4 (the cast): overflow/underflow errors as PostgreSQL's dtof. */
bool sql_float8_to_float4(double v, float *out, rt_err *err);

/* ---- functions of double precision ------------------------------------------------------ */

bool sql_float8_sqrt(double x, double *out, rt_err *err);
double sql_float8_cbrt(double x);
bool sql_float8_power(double x, double y, double *out, rt_err *err);
bool sql_float8_exp(double x, double *out, rt_err *err);
bool sql_float8_ln(double x, double *out, rt_err *err);
bool sql_float8_log10(double x, double *out, rt_err *err);

/* Radians. */
bool sql_float8_sin(double x, double *out, rt_err *err);
bool sql_float8_cos(double x, double *out, rt_err *err);
bool sql_float8_tan(double x, double *out, rt_err *err);
bool sql_float8_cot(double x, double *out, rt_err *err);
bool sql_float8_asin(double x, double *out, rt_err *err);
bool sql_float8_acos(double x, double *out, rt_err *err);
bool sql_float8_atan(double x, double *out, rt_err *err);
bool sql_float8_atan2(double y, double x, double *out, rt_err *err);
/* Degrees: exact at the angles where the answer is exact (sind(30) = 0.5, tand(45) = 1). */
bool sql_float8_sind(double x, double *out, rt_err *err);
bool sql_float8_cosd(double x, double *out, rt_err *err);
bool sql_float8_tand(double x, double *out, rt_err *err);
bool sql_float8_cotd(double x, double *out, rt_err *err);
bool sql_float8_asind(double x, double *out, rt_err *err);
bool sql_float8_acosd(double x, double *out, rt_err *err);
bool sql_float8_atand(double x, double *out, rt_err *err);
bool sql_float8_atan2d(double y, double x, double *out, rt_err *err);
/* Hyperbolic. */
double sql_float8_sinh(double x);
double sql_float8_cosh(double x);
double sql_float8_tanh(double x);
double sql_float8_asinh(double x);
bool sql_float8_acosh(double x, double *out, rt_err *err);
bool sql_float8_atanh(double x, double *out, rt_err *err);

bool sql_float8_degrees(double radians, double *out, rt_err *err);
bool sql_float8_radians(double degrees, double *out, rt_err *err);
double sql_float8_pi(void);

double sql_float8_round(double x); /* half to even, as rint() */
double sql_float8_trunc(double x);
double sql_float8_ceil(double x);
double sql_float8_floor(double x);
double sql_float8_sign(double x); /* -1, 0 or 1; NaN gives 0 as in PostgreSQL */

/* width_bucket(operand, low, high, count): 2201G for a bad count or bounds, 22003 when
 * count + 1 overflows. Results outside int range come out as INT32_MIN, as PostgreSQL 15 does
 * on x86-64 (its double-to-int conversion of an infinite quotient). */
bool sql_float8_width_bucket(double operand, double low, double high, int32_t count,
                             int32_t *out, rt_err *err);

/* ---- comparison, hashing, keys ---------------------------------------------------------- */

/* -1, 0, 1 with NaN = NaN and NaN above everything; -0 = 0. */
int sql_float8_cmp(double a, double b);
int sql_float4_cmp(float a, float b);
/* Equal values (in sql_float8_cmp's sense) hash equal, and float4 hashes as its float8 value
 * so cross-type hash joins work. */
uint64_t sql_float8_hash(double v);
uint64_t sql_float4_hash(float v);

/* Big-endian keys whose memcmp order is sql_float*_cmp's order; -0 and 0 (and all NaNs) give
 * one key each, so decoding returns 0 and the canonical NaN. */
void sql_float8_key_encode(double v, uint8_t out[SQL_FLOAT8_KEY_BYTES]);
double sql_float8_key_decode(const uint8_t in[SQL_FLOAT8_KEY_BYTES]);
void sql_float4_key_encode(float v, uint8_t out[SQL_FLOAT4_KEY_BYTES]);
float sql_float4_key_decode(const uint8_t in[SQL_FLOAT4_KEY_BYTES]);

#endif
