/* sql_numeric_int.h: private to the sql_numeric_*.c files.
 * Files:  codec (encoding, views, validation, wire format, keys, hash), var (exact base-10000
 *         arithmetic), text (input, output, typmod, int and float conversions), ops (public
 *         operators and rounding), math (sqrt, exp, ln), func (public sqrt/exp/ln/log/power),
 *         accum (sum/avg).
 * Shapes: num_view, a read-only look at an encoded value (digits stay in the encoded bytes),
 *         serves comparison, hashing, keys, output and send, which must not allocate.
 *         num_var, a writable base-10000 number (int32 digits, on the stack when few, else in
 *         the arena), serves arithmetic. Short-form values (int64 coefficient and scale) take
 *         128-bit fast paths before either is built.
 * Errors: var functions take a num_ctx (arena + error) and return false with the error set. */
#ifndef SQL_NUMERIC_INT_H
#define SQL_NUMERIC_INT_H

#include <string.h>

#include "sql/sql_numeric.h"

#define NUM_BASE 10000
#define NUM_BASE_DIGITS 4 /* decimal digits per base-10000 digit */

/* Encoding tags (byte 0). */
#define NUM_TAG_SHORT_MAX 0x3F /* 0x00..0x3F: short form, the tag is the display scale */
#define NUM_TAG_POS 0x40
#define NUM_TAG_NEG 0x41
#define NUM_TAG_NAN 0x42
#define NUM_TAG_PINF 0x43
#define NUM_TAG_NINF 0x44
#define NUM_SHORT_DSCALE_MAX NUM_TAG_SHORT_MAX
#define NUM_LONG_HEADER_BYTES 5

/* Wire-format sign words (numeric_send). */
#define NUM_WIRE_POS 0x0000
#define NUM_WIRE_NEG 0x4000
#define NUM_WIRE_NAN 0xC000
#define NUM_WIRE_PINF 0xD000
#define NUM_WIRE_NINF 0xF000

typedef enum num_kind { NUM_FINITE = 0, NUM_NAN, NUM_PINF, NUM_NINF } num_kind;
enum { NUM_POS = 0, NUM_NEG = 1 };

/* Digits on the stack for inputs decoded by operations: a short form needs at most 6
 * (2^63 * 10^3 < 10000^6); typical long values (up to ~120 decimal digits) fit too. */
#define NUM_STACK_DIGITS 32

/* Guard digits (base 10000) kept beyond the requested scale by truncated multiplication. */
#define NUM_MUL_GUARD_DIGITS 2

typedef struct num_view {
    num_kind kind;
    int32_t sign;
    int32_t weight; /* 0 for zero */
    int32_t dscale;
    int32_t ndigits;
    const uint8_t *digits; /* ndigits little-endian uint16 */
    uint8_t local[12];     /* the digits of a short form (the view must not be copied) */
} num_view;

typedef struct num_var {
    int32_t *digits; /* most significant first; normalized: no leading/trailing zero digit */
    int32_t ndigits;
    int32_t cap; /* digits writable at `digits` */
    int32_t weight; /* value = sum digits[i] * NUM_BASE^(weight - i); 0 for zero */
    int32_t dscale; /* display scale, >= 0 */
    int32_t sign;   /* NUM_POS or NUM_NEG; zero is NUM_POS */
} num_var;

typedef struct num_ctx {
    rt_arena *arena;
    rt_err *err;
    /* work space reused by every multiplication and division of one public call */
    uint32_t *scratch_mul;
    int32_t scratch_mul_cap;
    int32_t *scratch32;
    int32_t scratch32_cap;
} num_ctx;
#define NUM_CTX_INIT(arena, err) {(arena), (err), NULL, 0, NULL, 0}

/* A var with its first NUM_STACK_DIGITS digits on the stack. Do not copy. */
typedef struct num_local {
    num_var v;
    int32_t buf[NUM_STACK_DIGITS];
} num_local;

/* ---- small helpers ---- */
extern const int64_t num_pow10_64[19];    /* 10^0 .. 10^18 */
extern const __int128 num_pow10_128[39];  /* 10^0 .. 10^38 */

static inline int32_t num_floor_div(int32_t a, int32_t b) {
    int32_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline int32_t num_ceil_div(int32_t a, int32_t b) { return -num_floor_div(-a, b); }
static inline int32_t num_max32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t num_min32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline uint32_t num_get16(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static inline void num_put16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline int32_t num_view_digit(const num_view *v, int32_t i) {
    return (int32_t)num_get16(v->digits + 2 * i);
}
/* Decimal digits of 1..9999 (the first base digit of a value). */
static inline int32_t num_digit_len(int32_t d) {
    return d >= 1000 ? 4 : d >= 100 ? 3 : d >= 10 ? 2 : 1;
}
/* Number of decimal digits of x > 0. */
int32_t num_u128_len(unsigned __int128 x);

/* ---- encoding (sql_numeric_codec.c) ---- */
num_kind num_bytes_kind(sql_bytes b);
/* The coefficient and scale of a short-form value; false for any other form. */
static inline bool num_short_get(sql_bytes b, int64_t *coef, int32_t *dscale) {
    if (b.len == 0 || b.ptr[0] > NUM_TAG_SHORT_MAX) return false;
    uint64_t u = 0;
    uint32_t n = b.len - 1;
    for (uint32_t i = 0; i < n; i++) u |= (uint64_t)b.ptr[1 + i] << (8 * i);
    if (n > 0 && n < 8 && (b.ptr[n] & 0x80)) u |= ~(uint64_t)0 << (8 * n); /* sign-extend */
    *coef = (int64_t)u;
    *dscale = b.ptr[0];
    return true;
}
void num_view_init(num_view *v, sql_bytes b);
/* Writes a short form (coef != INT64_MIN, 0 <= dscale <= NUM_SHORT_DSCALE_MAX) into buf. */
uint32_t num_short_put(uint8_t *buf, int64_t coef, int32_t dscale);
bool num_short_make(num_ctx *c, int64_t coef, int32_t dscale, sql_bytes *out);
/* coef * 10^-dscale as a var (dscale >= 0). */
void num_var_set_scaled(num_local *loc, __int128 coef, int32_t dscale);
/* A value from a 128-bit coefficient and a scale (short form when it fits). */
bool num_make_i128(num_ctx *c, __int128 coef, int32_t dscale, sql_bytes *out);
bool num_make_special(num_ctx *c, num_kind kind, sql_bytes *out);
/* The var's value (normalized first); 22003 "value overflows numeric format" past limits. */
bool num_make(num_ctx *c, num_var *v, sql_bytes *out);
/* Decodes a finite value into a var whose digits are on the stack when they fit. */
bool num_decode(num_ctx *c, sql_bytes b, num_local *loc);
void num_var_from_view(const num_view *view, num_var *v, int32_t *digits);

/* ---- vars (sql_numeric_var.c) ---- */
void num_var_init(num_local *loc);
void num_var_zero(num_var *v);
bool num_var_alloc(num_ctx *c, num_var *v, int32_t ndigits);
bool num_var_copy(num_ctx *c, const num_var *from, num_var *to);
void num_var_strip(num_var *v);
void num_var_set_i128(num_local *loc, __int128 value);
void num_var_set_u128(num_local *loc, unsigned __int128 value, int32_t sign);
bool num_var_is_integral(const num_var *v);
/* Value as int64 after rounding to an integer; false on overflow. */
bool num_var_to_i64(const num_var *v, int64_t *out);
/* The decimal exponent of the first significant digit (0 for zero). */
int32_t num_var_dweight(const num_var *v);
/* Smallest scale showing the value exactly. */
int32_t num_var_min_scale(const num_var *v);
/* The value as PostgreSQL's strtod of its text gives it, for the estimates that decide result
 * scales and overflow (visible to users); +-HUGE_VAL past the range, no error. */
double num_var_to_double(const num_var *v);
/* A cheaper estimate for internal choices (loop counts, working precisions). */
double num_var_estimate(const num_var *v);
int num_var_cmp_abs(const num_var *a, const num_var *b);
int num_var_cmp(const num_var *a, const num_var *b);
bool num_var_add(num_ctx *c, const num_var *a, const num_var *b, num_var *r);
bool num_var_sub(num_ctx *c, const num_var *a, const num_var *b, num_var *r);
/* Product rounded to rscale; exact when rscale >= scale a + scale b. */
bool num_var_mul(num_ctx *c, const num_var *a, const num_var *b, num_var *r, int32_t rscale);
/* Quotient rounded (or truncated) to rscale; exact; b must not be zero. */
bool num_var_div(num_ctx *c, const num_var *a, const num_var *b, num_var *r, int32_t rscale,
                 bool round);
/* q = trunc(a / b), m = a - b * q (scale max); either may be NULL. */
bool num_var_div_mod(num_ctx *c, const num_var *a, const num_var *b, num_var *q, num_var *m);
/* In place; rscale may be negative; the display scale becomes max(rscale, 0). */
void num_var_round(num_var *v, int32_t rscale);
void num_var_trunc(num_var *v, int32_t rscale);
bool num_var_ceil_floor(num_ctx *c, num_var *v, bool ceil);
bool num_var_gcd(num_ctx *c, const num_var *a, const num_var *b, num_var *r);
int32_t num_div_scale(int32_t w1, int32_t f1, int32_t d1, int32_t w2, int32_t f2, int32_t d2);
int32_t num_select_div_scale(const num_var *a, const num_var *b);

/* ---- text and typmod (sql_numeric_text.c) ---- */
/* numeric(p,s) on a var: rounds to s, 22003 "numeric field overflow" with PostgreSQL's
 * detail when too many digits remain before the point. */
bool num_apply_typmod(num_ctx *c, num_var *v, int32_t typmod);
/* NaN passes any typmod; an infinity fails a valid one (22003). */
bool num_apply_typmod_special(num_ctx *c, num_kind kind, int32_t typmod);

/* ---- math (sql_numeric_math.c) ---- */
bool num_var_sqrt(num_ctx *c, const num_var *x, num_var *r, int32_t rscale);
bool num_var_exp(num_ctx *c, const num_var *x, num_var *r, int32_t rscale);
bool num_var_ln(num_ctx *c, const num_var *x, num_var *r, int32_t rscale);
bool num_estimate_ln_dweight(num_ctx *c, const num_var *x, int32_t *out);
/* e^x with relative error below 10^-sig; ln(x) (x > 0) with absolute error below 10^-scale. */
bool num_exp_sig(num_ctx *c, const num_var *x, int32_t sig, num_var *r);
bool num_ln_abs(num_ctx *c, const num_var *x, int32_t scale, num_var *r);
/* 2201E for ln of zero or of a negative number. */
bool num_ln_arg_error(num_ctx *c, const num_var *x);
/* Rounds approx (error below 10^-err_scale) to rscale; *sure tells whether the error bound
 * stays on one side of the rounding boundary. */
bool num_round_checked(num_ctx *c, const num_var *approx, int32_t err_scale, int32_t rscale,
                       num_var *r, bool *sure);
/* Guard digits of exp/ln/log/power: the first attempt's; each retry (when the error bound
 * straddles a rounding boundary, about once in 10^8) adds a step, up to the max. */
#define NUM_GUARD_FIRST 8
#define NUM_GUARD_STEP 24
#define NUM_GUARD_MAX 80

#endif
