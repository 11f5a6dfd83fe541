/* sql_int.h: the integer types smallint (int2), integer (int4) and bigint (int8), as
 * PostgreSQL 15 has them.
 * Owns:    text input and output, checked arithmetic, bit operations, gcd/lcm, casts between the
 *          integer types and from float4/float8, hashing and order-preserving keys.
 * Core:    any; pure functions.
 * Memory:  output goes into caller buffers of SQL_INT8_TEXT_BYTES_MAX bytes; nothing allocates.
 * Errors:  22P02 `invalid input syntax for type integer: "x"`, 22003 `value "x" is out of range
 *          for type integer` (input); 22003 `smallint out of range` / `integer out of range` /
 *          `bigint out of range` (arithmetic and casts); 22012 `division by zero`.
 * Input:   leading and trailing whitespace, an optional sign, decimal digits only (PostgreSQL 15
 *          takes no hex, octal or underscores); the whole input text is quoted in errors.
 * Shifts:  the count is taken modulo the operand width (32 for int2 and int4, 64 for int8), which
 *          is what PostgreSQL's plain C shifts do on x86-64 (1 << 33 = 2, 1 << -1 = INT32_MIN).
 * Limits:  none beyond the types' own ranges. */
#ifndef SQL_INT_H
#define SQL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

/* "-9223372036854775808" is 20 bytes, plus the NUL. */
#define SQL_INT8_TEXT_BYTES_MAX 21

#define SQL_INT2_KEY_BYTES 2
#define SQL_INT4_KEY_BYTES 4
#define SQL_INT8_KEY_BYTES 8

/* ---- text ------------------------------------------------------------------------------ */

bool sql_int2_from_text(const char *text, uint32_t len, int16_t *out, rt_err *err);
bool sql_int4_from_text(const char *text, uint32_t len, int32_t *out, rt_err *err);
bool sql_int8_from_text(const char *text, uint32_t len, int64_t *out, rt_err *err);

/* Decimal text of v with a NUL; returns the length. `buf` holds SQL_INT8_TEXT_BYTES_MAX. */
uint32_t sql_int8_to_text(int64_t v, char *buf);
uint32_t sql_uint64_to_text(uint64_t v, char *buf);

/* ---- arithmetic ------------------------------------------------------------------------ */

bool sql_int2_add(int16_t a, int16_t b, int16_t *out, rt_err *err);
bool sql_int2_sub(int16_t a, int16_t b, int16_t *out, rt_err *err);
bool sql_int2_mul(int16_t a, int16_t b, int16_t *out, rt_err *err);
bool sql_int2_div(int16_t a, int16_t b, int16_t *out, rt_err *err); /* truncates toward zero */
bool sql_int2_mod(int16_t a, int16_t b, int16_t *out, rt_err *err); /* sign of a */
bool sql_int2_neg(int16_t a, int16_t *out, rt_err *err);
bool sql_int2_abs(int16_t a, int16_t *out, rt_err *err);

bool sql_int4_add(int32_t a, int32_t b, int32_t *out, rt_err *err);
bool sql_int4_sub(int32_t a, int32_t b, int32_t *out, rt_err *err);
bool sql_int4_mul(int32_t a, int32_t b, int32_t *out, rt_err *err);
bool sql_int4_div(int32_t a, int32_t b, int32_t *out, rt_err *err);
bool sql_int4_mod(int32_t a, int32_t b, int32_t *out, rt_err *err);
bool sql_int4_neg(int32_t a, int32_t *out, rt_err *err);
bool sql_int4_abs(int32_t a, int32_t *out, rt_err *err);
bool sql_int4_gcd(int32_t a, int32_t b, int32_t *out, rt_err *err); /* >= 0; gcd(0, 0) = 0 */
bool sql_int4_lcm(int32_t a, int32_t b, int32_t *out, rt_err *err); /* >= 0; 0 if a or b is 0 */

bool sql_int8_add(int64_t a, int64_t b, int64_t *out, rt_err *err);
bool sql_int8_sub(int64_t a, int64_t b, int64_t *out, rt_err *err);
bool sql_int8_mul(int64_t a, int64_t b, int64_t *out, rt_err *err);
bool sql_int8_div(int64_t a, int64_t b, int64_t *out, rt_err *err);
bool sql_int8_mod(int64_t a, int64_t b, int64_t *out, rt_err *err);
bool sql_int8_neg(int64_t a, int64_t *out, rt_err *err);
bool sql_int8_abs(int64_t a, int64_t *out, rt_err *err);
bool sql_int8_gcd(int64_t a, int64_t b, int64_t *out, rt_err *err);
bool sql_int8_lcm(int64_t a, int64_t b, int64_t *out, rt_err *err);

/* ---- bit operations (&, |, # and ~ are plain C; shifts need PostgreSQL's count rule) ---- */

int16_t sql_int2_shl(int16_t a, int32_t count);
int16_t sql_int2_shr(int16_t a, int32_t count); /* arithmetic: keeps the sign */
int32_t sql_int4_shl(int32_t a, int32_t count);
int32_t sql_int4_shr(int32_t a, int32_t count);
int64_t sql_int8_shl(int64_t a, int32_t count);
int64_t sql_int8_shr(int64_t a, int32_t count);

/* ---- casts ------------------------------------------------------------------------------ */

bool sql_int8_to_int4(int64_t v, int32_t *out, rt_err *err);
bool sql_int8_to_int2(int64_t v, int16_t *out, rt_err *err);
bool sql_int4_to_int2(int32_t v, int16_t *out, rt_err *err);
/* Round half to even (rint), then range-check; NaN is out of range. */
bool sql_float8_to_int2(double v, int16_t *out, rt_err *err);
bool sql_float8_to_int4(double v, int32_t *out, rt_err *err);
bool sql_float8_to_int8(double v, int64_t *out, rt_err *err);
bool sql_float4_to_int2(float v, int16_t *out, rt_err *err);
bool sql_float4_to_int4(float v, int32_t *out, rt_err *err);
bool sql_float4_to_int8(float v, int64_t *out, rt_err *err);

/* ---- hashing and keys -------------------------------------------------------------------- */

/* int2 and int4 values hash as the same int8 value, so cross-type hash joins work. */
uint64_t sql_int8_hash(int64_t v);

/* Big-endian with the sign bit flipped: memcmp order is numeric order. */
void sql_int2_key_encode(int16_t v, uint8_t out[SQL_INT2_KEY_BYTES]);
void sql_int4_key_encode(int32_t v, uint8_t out[SQL_INT4_KEY_BYTES]);
void sql_int8_key_encode(int64_t v, uint8_t out[SQL_INT8_KEY_BYTES]);
int16_t sql_int2_key_decode(const uint8_t in[SQL_INT2_KEY_BYTES]);
int32_t sql_int4_key_decode(const uint8_t in[SQL_INT4_KEY_BYTES]);
int64_t sql_int8_key_decode(const uint8_t in[SQL_INT8_KEY_BYTES]);

#endif
