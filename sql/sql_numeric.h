/* sql_numeric.h: PostgreSQL 15's exact decimal type `numeric`.
 * Owns:    the encoding of numeric values (an sql_bytes made only by this module), text and
 *          binary (wire) conversions, arithmetic with PostgreSQL's result scales, comparison,
 *          hashing, an order-preserving key encoding and sum/avg accumulators.
 * Core:    any; every function is pure apart from its arena (use an arena on its own core).
 * Memory:  results are allocated in the caller's arena, exactly as long as needed (a value
 *          like 12345.67 or an id takes 2..9 bytes), or are an input's bytes when the value is
 *          that input unchanged; inputs are never modified or retained. Intermediate digits
 *          of big values come from the same arena.
 * Errors:  return false and fill *err: 22P02 bad text, 22003 overflow (value overflows numeric
 *          format, numeric field overflow, smallint/integer/bigint out of range), 22012
 *          division by zero, 2201E/2201F bad logarithm/power/sqrt arguments, 0A000 NaN or
 *          infinity to integer, 22P03/08P01 bad binary input, 22023 bad typmod, XX001/XX002
 *          damaged encoding/key, 54000 input text longer than SQL_VALUE_BYTES_MAX, 53200 when
 *          the arena's budget is exhausted. Messages are PostgreSQL 15's, word for word.
 * Time:    linear in the digits, quadratic for *, /, %, sqrt and the series of exp/ln/power
 *          (as PostgreSQL); nothing yields, so callers bound the sizes they accept. On
 *          short-form values (up to 18 digits) input, output, comparison, hashing, keys and
 *          the operators + - * / % use 128-bit integer paths and allocate only the result.
 * Trust:   values passed to the operations must come from this module (text or binary input,
 *          an operation, or storage that checks its pages); sql_numeric_check() validates
 *          bytes of any other origin (XX001). Structural damage is asserted, never reported.
 * Limits:  SQL_NUMERIC_DIGITS_MAX digits before the point, SQL_NUMERIC_DSCALE_MAX after it
 *          (sql_type.h); computed scales are capped at SQL_NUMERIC_RESULT_SCALE_MAX; typmods
 *          at SQL_NUMERIC_PRECISION_MAX and SQL_NUMERIC_TYPMOD_SCALE_MIN..MAX.
 *
 * Encoding (stored as-is by the engine; self-describing; canonical, so equal values with
 * equal display scale have equal bytes):
 *   byte 0 in 0x00..0x3F  short form: display scale = byte 0, then the coefficient as a
 *                         minimal two's complement little-endian integer of 0..8 bytes;
 *                         value = coefficient * 10^-scale. Used whenever it fits.
 *   byte 0 = 0x40 / 0x41  long form, positive / negative: int16 weight, uint16 display scale,
 *                         then base-10000 digits as uint16, all little-endian; the first and
 *                         last digit are nonzero; value = sum digit[i] * 10000^(weight - i).
 *                         Zero with a scale over 63 is 0x40, weight 0 and no digits.
 *   byte 0 = 0x42/43/44   NaN / +Infinity / -Infinity (one byte). */
#ifndef SQL_NUMERIC_H
#define SQL_NUMERIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_type.h"

/* ---- limits (with SQL_NUMERIC_PRECISION_MAX, _DIGITS_MAX, _DSCALE_MAX of sql_type.h) ---- */

/* Base-10000 weight of the first digit: 32768 digits of 4 decimals = SQL_NUMERIC_DIGITS_MAX
 * before the point, PostgreSQL's int16 weight. */
#define SQL_NUMERIC_WEIGHT_MAX 32767
RT_STATIC_ASSERT((SQL_NUMERIC_WEIGHT_MAX + 1) * 4 == SQL_NUMERIC_DIGITS_MAX);
/* Base-10000 digits of the largest value: 32768 before the point, 4096 after, one spare. */
#define SQL_NUMERIC_NDIGITS_MAX ((SQL_NUMERIC_DIGITS_MAX + SQL_NUMERIC_DSCALE_MAX + 3) / 4 + 1)
/* Longest encoding (long form): tag, weight, scale, digits. */
#define SQL_NUMERIC_BYTES_MAX (5u + 2u * SQL_NUMERIC_NDIGITS_MAX)
/* Longest short-form encoding (any int64 fits): tag and 8 coefficient bytes. */
#define SQL_NUMERIC_SMALL_BYTES_MAX 9u
/* Longest text output: sign, integer digits, point, fraction digits. */
#define SQL_NUMERIC_TEXT_BYTES_MAX (1u + SQL_NUMERIC_DIGITS_MAX + 1u + SQL_NUMERIC_DSCALE_MAX)
/* Longest binary (wire) form: four int16 header fields and the digits. */
#define SQL_NUMERIC_SEND_BYTES_MAX (8u + 2u * SQL_NUMERIC_NDIGITS_MAX)
/* Longest key: class byte, up to 3 weight bytes, 2 bytes per digit. */
#define SQL_NUMERIC_KEY_BYTES_MAX (4u + 2u * SQL_NUMERIC_NDIGITS_MAX)
/* Scale of computed results (division, sqrt, exp, ln, log, power) is capped here, as
 * PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE; they aim for SQL_NUMERIC_MIN_SIG_DIGITS digits. */
#define SQL_NUMERIC_RESULT_SCALE_MAX 1000
#define SQL_NUMERIC_MIN_SIG_DIGITS 16
/* round(x, n) and trunc(x, n) clamp n to this range, as PostgreSQL 15.18: one digit more
 * than a value can have before the point (a carry may still overflow), and the scale limit. */
#define SQL_NUMERIC_ROUND_SCALE_MIN (-(SQL_NUMERIC_WEIGHT_MAX + 1) * 4 - 1)
#define SQL_NUMERIC_ROUND_SCALE_MAX SQL_NUMERIC_DSCALE_MAX
/* exp(x) overflows at x >= this and underflows to zero at x <= -this. */
#define SQL_NUMERIC_EXP_ARG_MAX 6000
/* numeric(p,s): 1 <= p <= SQL_NUMERIC_PRECISION_MAX, s in this range (may exceed p or be
 * negative, as in PostgreSQL 15). */
#define SQL_NUMERIC_TYPMOD_SCALE_MIN (-1000)
#define SQL_NUMERIC_TYPMOD_SCALE_MAX 1000
/* Text output of a typmod, "(1000,-1000)" plus NUL. */
#define SQL_NUMERIC_TYPMOD_TEXT_BYTES_MAX 16u

/* ---- typmod: numeric(p,s) ------------------------------------------------------------- */

/* Builds the typmod of numeric(precision, scale) (22023 with PostgreSQL's message when out
 * of range). numeric(p) is scale 0. */
bool sql_numeric_typmod_make(int32_t precision, int32_t scale, int32_t *typmod, rt_err *err);
/* True for a typmod made by sql_numeric_typmod_make (SQL_TYPMOD_NONE is not). */
bool sql_numeric_typmod_is_valid(int32_t typmod);
int32_t sql_numeric_typmod_precision(int32_t typmod);
int32_t sql_numeric_typmod_scale(int32_t typmod);
/* "(p,s)" as format_type prints it, or "" for SQL_TYPMOD_NONE; returns the length. */
uint32_t sql_numeric_typmod_out(int32_t typmod, char buf[SQL_NUMERIC_TYPMOD_TEXT_BYTES_MAX]);
/* The cast numeric -> numeric(p,s): rounds to s (half away from zero), 22003 when the
 * rounded value has more than p - s integer digits or is infinite; NaN passes. */
bool sql_numeric_apply_typmod(rt_arena *arena, sql_bytes num, int32_t typmod, sql_bytes *out,
                              rt_err *err);

/* ---- text -------------------------------------------------------------------------------- */

/* numeric_in: leading/trailing spaces, sign, digits with one point, exponent ("1.5e3",
 * "1e-3"), NaN, [+-]Infinity, [+-]inf (case-insensitive). typmod SQL_TYPMOD_NONE or from
 * sql_numeric_typmod_make. */
bool sql_numeric_in(rt_arena *arena, const char *text, size_t len, int32_t typmod,
                    sql_bytes *out, rt_err *err);
/* Exact length of numeric_out's text (no NUL); never more than SQL_NUMERIC_TEXT_BYTES_MAX. */
uint32_t sql_numeric_out_len(sql_bytes num);
/* Writes numeric_out's text (display scale kept: 1.50 stays 1.50) into buf, which holds
 * sql_numeric_out_len(num) bytes; no NUL. Returns the length. */
uint32_t sql_numeric_out_buf(sql_bytes num, char *buf);
/* The same text, NUL-terminated, in the arena. */
bool sql_numeric_out(rt_arena *arena, sql_bytes num, char **text, rt_err *err);

/* ---- conversions ------------------------------------------------------------------------- */

/* An int64's encoding written to buf without allocating (short form, but INT64_MIN needs
 * the long one); returns the length. */
#define SQL_NUMERIC_INT64_BYTES_MAX 15u
uint32_t sql_numeric_from_int64_buf(int64_t value, uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX]);
bool sql_numeric_from_int64(rt_arena *arena, int64_t value, sql_bytes *out, rt_err *err);
/* float8 -> numeric as PostgreSQL: 15 significant digits ("%.15g"); NaN and infinities map
 * to NaN and infinities. float4 uses 6 digits. */
bool sql_numeric_from_float8(rt_arena *arena, double value, sql_bytes *out, rt_err *err);
bool sql_numeric_from_float4(rt_arena *arena, float value, sql_bytes *out, rt_err *err);
/* Round half away from zero to an integer; 22003 "smallint/integer/bigint out of range",
 * 0A000 for NaN and infinities. */
bool sql_numeric_to_int16(sql_bytes num, int16_t *out, rt_err *err);
bool sql_numeric_to_int32(sql_bytes num, int32_t *out, rt_err *err);
bool sql_numeric_to_int64(sql_bytes num, int64_t *out, rt_err *err);
/* The nearest double (correctly rounded); 22003 when it overflows or underflows to zero, as
 * PostgreSQL's float8in on the numeric's text. */
bool sql_numeric_to_float8(sql_bytes num, double *out, rt_err *err);
bool sql_numeric_to_float4(sql_bytes num, float *out, rt_err *err);

/* ---- binary wire format (numeric_send / numeric_recv) ------------------------------------ */

/* int16 ndigits, int16 weight, uint16 sign (0x0000, 0x4000, NaN 0xC000, +Inf 0xD000, -Inf
 * 0xF000), uint16 display scale, then ndigits base-10000 digits, all big-endian. */
uint32_t sql_numeric_send_len(sql_bytes num);
uint32_t sql_numeric_send_buf(sql_bytes num, uint8_t *buf);
bool sql_numeric_send(rt_arena *arena, sql_bytes num, sql_bytes *out, rt_err *err);
/* Reads one value from the front of untrusted bytes and reports how many it used (the caller
 * checks they were all used, as PostgreSQL's bind does). Digits hidden by the display scale
 * are truncated away, then the typmod is applied. 08P01 "insufficient data left in message",
 * 22P03 bad sign, scale or digit. */
bool sql_numeric_recv(rt_arena *arena, sql_bytes data, int32_t typmod, sql_bytes *out,
                      uint32_t *used, rt_err *err);

/* ---- validation, comparison, hashing, keys ----------------------------------------------- */

/* Validates bytes of unknown origin as a canonical encoding (XX001 "invalid numeric value"). */
bool sql_numeric_check(sql_bytes num, rt_err *err);
bool sql_numeric_is_nan(sql_bytes num);
bool sql_numeric_is_inf(sql_bytes num); /* either infinity */
/* Total order of PostgreSQL: -Infinity < finite < +Infinity < NaN, NaN = NaN, 1.0 = 1.00.
 * Returns -1, 0 or 1. Never allocates. */
int sql_numeric_cmp(sql_bytes a, sql_bytes b);
/* Equal values hash equal (1.0 and 1.00 too, whatever their encoding). Never allocates. */
uint64_t sql_numeric_hash(sql_bytes num, uint64_t seed);
/* Order-preserving key: memcmp order of keys = sql_numeric_cmp order, equal values give
 * equal keys, and no key is a prefix of another (keys can be concatenated in composite
 * B-tree keys). The display scale is not kept. Writes at most SQL_NUMERIC_KEY_BYTES_MAX. */
uint32_t sql_numeric_key_len(sql_bytes num);
uint32_t sql_numeric_key_buf(sql_bytes num, uint8_t *buf);
bool sql_numeric_key(rt_arena *arena, sql_bytes num, sql_bytes *key, rt_err *err);
/* Decodes the key at the front of `key` (untrusted: XX002 on garbage), reports the bytes it
 * used; the value comes back with the smallest display scale that shows it exactly. */
bool sql_numeric_key_decode(rt_arena *arena, sql_bytes key, sql_bytes *out, uint32_t *used,
                            rt_err *err);

/* ---- arithmetic (NaN and infinities as PostgreSQL 15) ------------------------------------ */

typedef bool (*sql_numeric_binary_fn)(rt_arena *arena, sql_bytes a, sql_bytes b,
                                      sql_bytes *out, rt_err *err);
typedef bool (*sql_numeric_unary_fn)(rt_arena *arena, sql_bytes a, sql_bytes *out,
                                     rt_err *err);

/* a + b, a - b: scale max(scale a, scale b). a * b: scale a + scale b (rounded to
 * SQL_NUMERIC_DSCALE_MAX when more). a / b: PostgreSQL's select_div_scale (at least 16
 * significant digits, no less than either scale, at most SQL_NUMERIC_RESULT_SCALE_MAX),
 * rounded. a % b: sign of a, scale max. div(a, b): quotient truncated toward zero. */
bool sql_numeric_add(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_sub(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_mul(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_div(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_mod(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_div_trunc(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out,
                           rt_err *err);
/* a ^ b (numeric_power), log(b, x), gcd(a, b), lcm(a, b). */
bool sql_numeric_power(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_log(rt_arena *arena, sql_bytes base, sql_bytes x, sql_bytes *out,
                     rt_err *err);
bool sql_numeric_gcd(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_numeric_lcm(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);

bool sql_numeric_neg(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_abs(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_sign(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_ceil(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_floor(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_sqrt(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_exp(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_ln(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
bool sql_numeric_log10(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
/* trim_scale(a): the same value with trailing fractional zeros removed. */
bool sql_numeric_trim_scale(rt_arena *arena, sql_bytes a, sql_bytes *out, rt_err *err);
/* round(a) / trunc(a) are scale 0; n may be negative (rounds left of the point). The result
 * scale is max(n, 0), n clamped to SQL_NUMERIC_ROUND_SCALE_MIN..MAX. */
bool sql_numeric_round(rt_arena *arena, sql_bytes a, int32_t n, sql_bytes *out, rt_err *err);
bool sql_numeric_trunc(rt_arena *arena, sql_bytes a, int32_t n, sql_bytes *out, rt_err *err);
/* scale(a) and min_scale(a); false (SQL NULL) for NaN and infinities. */
bool sql_numeric_scale(sql_bytes a, int32_t *scale);
bool sql_numeric_min_scale(sql_bytes a, int32_t *scale);

/* ---- batches (the vectorised executor) --------------------------------------------------- */

/* out[i] = a[i] + b[i] (- and * alike) for the rows with active[i] (every row when active is
 * NULL); the same values, scales, bytes and errors as sql_numeric_add/_sub/_mul row by row.
 * Short-form rows whose result fits an int64 are computed in int64 without a call or an
 * allocation each (the results share one block of n * SQL_NUMERIC_SMALL_BYTES_MAX bytes);
 * the others, and overflows, take the exact operator. Stops at the first error. */
bool sql_numeric_vec_add(rt_arena *arena, uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, sql_bytes *out, rt_err *err);
bool sql_numeric_vec_sub(rt_arena *arena, uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, sql_bytes *out, rt_err *err);
bool sql_numeric_vec_mul(rt_arena *arena, uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, sql_bytes *out, rt_err *err);
/* out[i] = sql_numeric_cmp(a[i], b[i]) for the active rows; never allocates. */
void sql_numeric_vec_cmp(uint32_t n, const uint8_t *active, const sql_bytes *a,
                         const sql_bytes *b, int8_t *out);

/* Lanes: a batch of finite values held as scaled int64 (value = coef * 10^-scale, the short
 * form), so an expression of + - * passes no encoded value between its operators. ok[i] = 0
 * marks a row the lane does not hold (NULL, inactive, not a short form, or a result that
 * would overflow int64 or is INT64_MIN or needs a scale over 63): the caller computes those
 * rows with the exact operators. A held row is exactly the short form the exact operators
 * give, so its value, scale and text are theirs. */
typedef enum sql_numeric_lane_op {
    SQL_NUMERIC_LANE_ADD, SQL_NUMERIC_LANE_SUB, SQL_NUMERIC_LANE_MUL
} sql_numeric_lane_op;
typedef struct sql_numeric_lane {
    int64_t *coef;
    uint8_t *scale;
    uint8_t *ok;
} sql_numeric_lane;
/* Arrays for n rows in the arena (false past its budget, 53200 in *err). */
bool sql_numeric_lane_alloc(rt_arena *arena, uint32_t n, sql_numeric_lane *lane, rt_err *err);
/* Loads values (nulls[i] != 0 or !active[i]: not held; either array may be NULL). */
void sql_numeric_lane_load(uint32_t n, const uint8_t *active, const uint8_t *nulls,
                           const sql_bytes *values, sql_numeric_lane *lane);
/* out = a op b row by row; out may be a or b. */
void sql_numeric_lane_apply(sql_numeric_lane_op op, uint32_t n, const sql_numeric_lane *a,
                            const sql_numeric_lane *b, sql_numeric_lane *out);

/* ---- sum/avg accumulation ---------------------------------------------------------------- */

/* Sums many values in time linear in their digits: values in short form add into a 128-bit
 * fixed-point sum; others into base-10000 digit arrays whose carries are propagated once per
 * SQL_NUMERIC_ACCUM_CARRY_EVERY additions. NaN and infinities are counted, as PostgreSQL's
 * aggregates do. The fields are private; the struct is public so aggregate states can hold
 * it inline. Its digit arrays grow in the arena given to sql_numeric_accum_init. */
#define SQL_NUMERIC_ACCUM_CARRY_EVERY 100000 /* 9999 * 100000 + carry fits a uint32 digit */
typedef struct sql_numeric_accum {
    rt_arena *arena;
    int64_t count; /* finite values added */
    int64_t nan_count, pinf_count, ninf_count;
    int32_t dscale; /* largest display scale added */
    int32_t small_scale; /* scale of small_sum */
    __int128 small_sum;
    /* big part: pos - neg, digit i has weight `weight - i`; digits < 10000 after a carry */
    uint32_t *pos, *neg;
    int32_t ndigits, cap, weight;
    uint32_t uncarried;
} sql_numeric_accum;

void sql_numeric_accum_init(sql_numeric_accum *acc, rt_arena *arena);
bool sql_numeric_accum_add(sql_numeric_accum *acc, sql_bytes num, rt_err *err);
/* Adds coef * 10^-scale with display scale `scale` (0..63), as sql_numeric_accum_add adds
 * the short form of that value (a lane's row). */
bool sql_numeric_accum_add_scaled(sql_numeric_accum *acc, int64_t coef, int32_t scale,
                                  rt_err *err);
/* Adds everything `other` accumulated (a partial aggregate from another fragment). */
bool sql_numeric_accum_merge(sql_numeric_accum *acc, const sql_numeric_accum *other,
                             rt_err *err);
/* sum(): SQL NULL (*is_null) when nothing was added; NaN if a NaN or both infinities were;
 * the scale is the largest added. avg(): sum / count with the division's scale rule. */
bool sql_numeric_accum_sum(sql_numeric_accum *acc, rt_arena *arena, sql_bytes *out,
                           bool *is_null, rt_err *err);
bool sql_numeric_accum_avg(sql_numeric_accum *acc, rt_arena *arena, sql_bytes *out,
                           bool *is_null, rt_err *err);
/* A flat copy of an accumulator (no pointers), so a partial sum made on one shard can be
 * merged on another: sql_numeric_accum_flat_len bytes written by sql_numeric_accum_flatten
 * (any alignment). sql_numeric_accum_merge_flat adds such a copy, made by this module on any
 * shard of this server (trusted bytes), and reports how many bytes it read. */
uint32_t sql_numeric_accum_flat_len(const sql_numeric_accum *acc);
void sql_numeric_accum_flatten(const sql_numeric_accum *acc, uint8_t *buf);
bool sql_numeric_accum_merge_flat(sql_numeric_accum *acc, const uint8_t *flat, uint32_t *used,
                                  rt_err *err);

#endif
