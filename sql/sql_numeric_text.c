/* sql_numeric_text.c: text input and output, the typmod numeric(p,s), and conversions to and
 * from integers and floats, all as PostgreSQL 15 does them. Values that fit the short form
 * are parsed, rounded to a typmod and printed without building a var. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sql/sql_numeric_int.h"

/* Input text longer than one field can be is refused before it is scanned. */
#define NUM_TEXT_IN_BYTES_MAX SQL_VALUE_BYTES_MAX

/* PostgreSQL 15 bounds the exponent so that weights stay far from int overflow. */
#define NUM_EXPONENT_LIMIT (INT32_MAX / 2)

/* Decimal digits kept when a value goes to strtod: enough to round any decimal correctly
 * (halfway points between doubles have at most 767 significant digits), plus a sticky one. */
#define NUM_FLOAT_DIGITS_MAX 800

/* ---- typmod ------------------------------------------------------------------------------ */

bool sql_numeric_typmod_make(int32_t precision, int32_t scale, int32_t *typmod, rt_err *err) {
    if (precision < 1 || precision > SQL_NUMERIC_PRECISION_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "NUMERIC precision %d must be between 1 and %d", (int)precision,
                          SQL_NUMERIC_PRECISION_MAX);
    }
    if (scale < SQL_NUMERIC_TYPMOD_SCALE_MIN || scale > SQL_NUMERIC_TYPMOD_SCALE_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "NUMERIC scale %d must be between %d and %d", (int)scale,
                          SQL_NUMERIC_TYPMOD_SCALE_MIN, SQL_NUMERIC_TYPMOD_SCALE_MAX);
    }
    *typmod = sql_typmod_numeric(precision, scale);
    return true;
}

bool sql_numeric_typmod_is_valid(int32_t typmod) { return typmod >= SQL_TYPMOD_VARHDR; }

int32_t sql_numeric_typmod_precision(int32_t typmod) {
    return ((typmod - SQL_TYPMOD_VARHDR) >> 16) & 0xffff;
}

int32_t sql_numeric_typmod_scale(int32_t typmod) { /* sign-extends the 11-bit scale */
    return (((typmod - SQL_TYPMOD_VARHDR) & 0x7ff) ^ 1024) - 1024;
}

uint32_t sql_numeric_typmod_out(int32_t typmod, char buf[SQL_NUMERIC_TYPMOD_TEXT_BYTES_MAX]) {
    if (typmod < 0) {
        buf[0] = '\0';
        return 0;
    }
    int n = snprintf(buf, SQL_NUMERIC_TYPMOD_TEXT_BYTES_MAX, "(%d,%d)",
                     (int)sql_numeric_typmod_precision(typmod),
                     (int)sql_numeric_typmod_scale(typmod));
    return (uint32_t)n;
}

static bool num_field_overflow(num_ctx *c, int32_t typmod) {
    int32_t precision = sql_numeric_typmod_precision(typmod);
    int32_t scale = sql_numeric_typmod_scale(typmod);
    int32_t maxdigits = precision - scale;
    rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
    rt_err_detail(c->err, "A field with precision %d, scale %d must round to an absolute value "
                  "less than %s%d.", (int)precision, (int)scale, maxdigits ? "10^" : "",
                  maxdigits ? (int)maxdigits : 1);
    return false;
}

bool num_apply_typmod(num_ctx *c, num_var *v, int32_t typmod) {
    if (!sql_numeric_typmod_is_valid(typmod)) return true;
    int32_t scale = sql_numeric_typmod_scale(typmod);
    int32_t maxdigits = sql_numeric_typmod_precision(typmod) - scale;
    num_var_round(v, scale);
    if (v->ndigits > 0 && num_var_dweight(v) + 1 > maxdigits) return num_field_overflow(c, typmod);
    return true;
}

bool num_apply_typmod_special(num_ctx *c, num_kind kind, int32_t typmod) {
    if (kind == NUM_NAN || !sql_numeric_typmod_is_valid(typmod)) return true;
    rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
    rt_err_detail(c->err, "A field with precision %d, scale %d cannot hold an infinite value.",
                  (int)sql_numeric_typmod_precision(typmod), (int)sql_numeric_typmod_scale(typmod));
    return false;
}

/* numeric(p,s) on a short value without a var; false when the general path must do it
 * (negative or large scales, and every overflow, whose error the general path reports). */
static bool num_small_typmod(int64_t *coef, int32_t *dscale, int32_t typmod) {
    if (!sql_numeric_typmod_is_valid(typmod)) return true;
    int32_t p = sql_numeric_typmod_precision(typmod), s = sql_numeric_typmod_scale(typmod);
    if (s < 0 || s > NUM_SHORT_DSCALE_MAX) return false;
    __int128 q = *coef;
    if (s >= *dscale) {
        if (s - *dscale > 18) return false;
        q *= num_pow10_64[s - *dscale];
    } else {
        if (*dscale - s > 18) return false;
        int64_t unit = num_pow10_64[*dscale - s];
        __int128 rem = q % unit;
        q /= unit;
        if ((rem < 0 ? -rem : rem) * 2 >= unit) q += *coef < 0 ? -1 : 1; /* half away */
    }
    if (q <= INT64_MIN || q > INT64_MAX) return false;
    if (p <= 18 && (q < 0 ? -q : q) >= num_pow10_64[p]) return false;
    *coef = (int64_t)q;
    *dscale = s;
    return true;
}

bool sql_numeric_apply_typmod(rt_arena *arena, sql_bytes num, int32_t typmod, sql_bytes *out,
                              rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    num_kind kind = num_bytes_kind(num);
    if (kind != NUM_FINITE) {
        if (!num_apply_typmod_special(&c, kind, typmod)) return false;
        *out = num;
        return true;
    }
    int64_t coef;
    int32_t dscale;
    if (num_short_get(num, &coef, &dscale) && num_small_typmod(&coef, &dscale, typmod)) {
        return num_short_make(&c, coef, dscale, out);
    }
    num_local loc;
    if (!num_decode(&c, num, &loc) || !num_apply_typmod(&c, &loc.v, typmod)) return false;
    return num_make(&c, &loc.v, out);
}

/* ---- text input -------------------------------------------------------------------------- */

typedef struct num_parsed {
    int32_t sign;
    const char *int_digits; /* digits before the point */
    int64_t int_len;
    const char *frac_digits; /* digits after the point */
    int64_t frac_len;
    int64_t exponent;
} num_parsed;

static inline bool num_is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}
static inline bool num_is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static bool num_syntax_error(num_ctx *c, const char *text, size_t len) {
    return rt_err_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type numeric: \"%.*s\"", (int)len, text);
}

/* The exponent after 'e', read as strtol would (spaces, sign, digits); saturates. */
static bool num_parse_exponent(const char **cp, const char *end, int64_t *exponent) {
    const char *p = *cp;
    while (p < end && num_is_space(*p)) p++;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    if (p == end || !num_is_digit(*p)) return false;
    int64_t e = 0;
    while (p < end && num_is_digit(*p)) {
        if (e < INT32_MAX) e = e * 10 + (*p - '0');
        p++;
    }
    *exponent = neg ? -e : e;
    *cp = p;
    return true;
}

/* sign, digits with at most one point, optional exponent; then only spaces. */
static bool num_parse_number(num_ctx *c, const char *cp, const char *end, num_parsed *out,
                             bool *syntax_ok) {
    *syntax_ok = false;
    out->sign = NUM_POS;
    if (cp < end && (*cp == '+' || *cp == '-')) out->sign = *cp++ == '-' ? NUM_NEG : NUM_POS;
    out->int_digits = cp;
    while (cp < end && num_is_digit(*cp)) cp++;
    out->int_len = cp - out->int_digits;
    out->frac_digits = cp;
    out->frac_len = 0;
    if (cp < end && *cp == '.') {
        out->frac_digits = ++cp;
        while (cp < end && num_is_digit(*cp)) cp++;
        out->frac_len = cp - out->frac_digits;
    }
    if (out->int_len + out->frac_len == 0) return true;
    out->exponent = 0;
    if (cp < end && (*cp == 'e' || *cp == 'E')) {
        cp++;
        if (!num_parse_exponent(&cp, end, &out->exponent)) return true;
        if (out->exponent >= NUM_EXPONENT_LIMIT || out->exponent <= -NUM_EXPONENT_LIMIT) {
            return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "value overflows numeric format");
        }
    }
    while (cp < end && num_is_space(*cp)) cp++;
    *syntax_ok = cp == end;
    return true;
}

static inline char num_parsed_digit(const num_parsed *p, int64_t k) {
    return k < p->int_len ? p->int_digits[k] : p->frac_digits[k - p->int_len];
}

/* Builds the var of a parsed number: n significant digits from index `first`, the first of
 * decimal exponent dweight. */
static bool num_parsed_var(num_ctx *c, const num_parsed *p, int64_t first, int64_t n,
                           int64_t dweight, num_var *v) {
    int32_t wfirst = num_floor_div((int32_t)dweight, NUM_BASE_DIGITS);
    int32_t wlast = num_floor_div((int32_t)(dweight - n + 1), NUM_BASE_DIGITS);
    int32_t nd = wfirst - wlast + 1;
    if (!num_var_alloc(c, v, nd)) return false;
    memset(v->digits, 0, (size_t)nd * sizeof(int32_t));
    for (int64_t k = 0; k < n; k++) {
        int32_t e = (int32_t)(dweight - k);
        int32_t w = num_floor_div(e, NUM_BASE_DIGITS);
        v->digits[wfirst - w] += (num_parsed_digit(p, first + k) - '0') *
                                 (int32_t)num_pow10_64[e - w * NUM_BASE_DIGITS];
    }
    v->ndigits = nd;
    v->weight = wfirst;
    v->sign = p->sign;
    num_var_strip(v);
    return true;
}

/* Turns a syntactically valid number into its value with the typmod applied. */
static bool num_parsed_make(num_ctx *c, const num_parsed *p, int32_t typmod, sql_bytes *out) {
    int64_t total = p->int_len + p->frac_len;
    int64_t first = 0, last = total;
    while (first < total && num_parsed_digit(p, first) == '0') first++;
    while (last > first && num_parsed_digit(p, last - 1) == '0') last--;
    int64_t n = last - first;
    int64_t dscale64 = p->frac_len - p->exponent;
    int32_t dscale = dscale64 < 0 ? 0 : (int32_t)(dscale64 > NUM_EXPONENT_LIMIT ? NUM_EXPONENT_LIMIT
                                                                               : dscale64);
    int64_t dweight = p->int_len - 1 - first + p->exponent;
    int64_t zeros = dweight - n + 1 + dscale; /* coefficient = digits * 10^zeros, zeros >= 0 */
    if (n > 0 && n <= 18 && dscale <= NUM_SHORT_DSCALE_MAX && zeros >= 0 && zeros <= 18 - n) {
        int64_t coef = 0;
        for (int64_t k = first; k < last; k++) coef = coef * 10 + (num_parsed_digit(p, k) - '0');
        coef *= num_pow10_64[zeros];
        if (p->sign == NUM_NEG) coef = -coef;
        if (num_small_typmod(&coef, &dscale, typmod)) return num_short_make(c, coef, dscale, out);
    }
    bool typmod_valid = sql_numeric_typmod_is_valid(typmod);
    /* Values no typmod can bring within the limits fail before digits are stored. */
    if (n > 0 && dweight >= SQL_NUMERIC_DIGITS_MAX) {
        if (typmod_valid) return num_field_overflow(c, typmod);
        return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value overflows numeric format");
    }
    if (!typmod_valid && dscale > SQL_NUMERIC_DSCALE_MAX) {
        return rt_err_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value overflows numeric format");
    }
    num_local loc;
    num_var_init(&loc);
    if (n > 0 && !num_parsed_var(c, p, first, n, dweight, &loc.v)) return false;
    loc.v.dscale = dscale;
    if (!num_apply_typmod(c, &loc.v, typmod)) return false;
    return num_make(c, &loc.v, out);
}

/* ASCII-only, whatever the locale (as pg_strncasecmp). */
static bool num_ascii_caseeq(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/* NaN, Infinity, inf with an optional sign (not for NaN), case-insensitive; *len = 0 if none. */
static num_kind num_parse_special(const char *cp, const char *end, size_t *len) {
    static const struct { const char *word; num_kind kind; } words[] = {
        {"NaN", NUM_NAN},       {"Infinity", NUM_PINF}, {"+Infinity", NUM_PINF},
        {"-Infinity", NUM_NINF}, {"inf", NUM_PINF},      {"+inf", NUM_PINF},
        {"-inf", NUM_NINF}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(end - cp) >= n && num_ascii_caseeq(cp, words[i].word, n)) {
            *len = n;
            return words[i].kind;
        }
    }
    *len = 0;
    return NUM_FINITE;
}

bool sql_numeric_in(rt_arena *arena, const char *text, size_t len, int32_t typmod,
                    sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    if (len > NUM_TEXT_IN_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "numeric input text exceeds %u bytes", (unsigned)NUM_TEXT_IN_BYTES_MAX);
    }
    const char *cp = text, *end = text + len;
    while (cp < end && num_is_space(*cp)) cp++;
    size_t special_len;
    num_kind kind = num_parse_special(cp, end, &special_len);
    if (kind != NUM_FINITE) {
        cp += special_len;
        while (cp < end && num_is_space(*cp)) cp++;
        if (cp != end) return num_syntax_error(&c, text, len);
        if (!num_apply_typmod_special(&c, kind, typmod)) return false;
        return num_make_special(&c, kind, out);
    }
    num_parsed p;
    bool syntax_ok;
    if (!num_parse_number(&c, cp, end, &p, &syntax_ok)) return false;
    if (!syntax_ok) return num_syntax_error(&c, text, len);
    return num_parsed_make(&c, &p, typmod, out);
}

/* ---- text output ------------------------------------------------------------------------- */

/* Output goes through a sink that keeps the first `cap` bytes and counts them all, so one
 * writer serves exact-size buffers and the bounded text of error messages. */
typedef struct num_sink {
    char *buf;
    uint32_t cap;
    uint32_t len;
} num_sink;

static inline void num_sink_put(num_sink *s, char ch) {
    if (s->len < s->cap) s->buf[s->len] = ch;
    s->len++;
}

static void num_sink_digit(num_sink *s, int32_t d, int32_t ndec) {
    static const int32_t div[4] = {1000, 100, 10, 1};
    for (int32_t k = NUM_BASE_DIGITS - ndec; k < NUM_BASE_DIGITS; k++) {
        num_sink_put(s, (char)('0' + d / div[k] % 10));
    }
}

static void num_view_write(const num_view *v, num_sink *s) {
    static const char *const names[] = {"", "NaN", "Infinity", "-Infinity"};
    if (v->kind != NUM_FINITE) {
        for (const char *p = names[v->kind]; *p; p++) num_sink_put(s, *p);
        return;
    }
    if (v->sign == NUM_NEG && v->ndigits > 0) num_sink_put(s, '-');
    if (v->weight < 0) num_sink_put(s, '0');
    for (int32_t i = 0; i <= v->weight; i++) { /* integer digits, leading zeros suppressed */
        int32_t d = i < v->ndigits ? num_view_digit(v, i) : 0;
        num_sink_digit(s, d, i == 0 ? (d == 0 ? 1 : num_digit_len(d)) : NUM_BASE_DIGITS);
    }
    if (v->dscale == 0) return;
    num_sink_put(s, '.');
    for (int32_t i = v->weight + 1, done = 0; done < v->dscale; i++) {
        int32_t d = (i >= 0 && i < v->ndigits) ? num_view_digit(v, i) : 0;
        int32_t ndec = num_min32(NUM_BASE_DIGITS, v->dscale - done);
        int32_t full = d;
        for (int32_t k = ndec; k < NUM_BASE_DIGITS; k++) full /= 10; /* keep the top ndec */
        num_sink_digit(s, full, ndec);
        done += ndec;
    }
}

/* Short form: the coefficient's decimal digits with the point inserted. */
static uint32_t num_short_write(int64_t coef, int32_t dscale, char *buf) {
    char tmp[20];
    uint64_t u = coef < 0 ? -(uint64_t)coef : (uint64_t)coef;
    int32_t n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    uint32_t len = 0;
    if (coef < 0) buf[len++] = '-';
    if (n > dscale) {
        for (int32_t k = n - 1; k >= dscale; k--) buf[len++] = tmp[k];
    } else {
        buf[len++] = '0';
    }
    if (dscale > 0) {
        buf[len++] = '.';
        for (int32_t k = dscale - 1; k >= 0; k--) buf[len++] = k < n ? tmp[k] : '0';
    }
    return len;
}

uint32_t sql_numeric_out_len(sql_bytes num) {
    int64_t coef;
    int32_t dscale;
    if (num_short_get(num, &coef, &dscale)) {
        uint64_t u = coef < 0 ? -(uint64_t)coef : (uint64_t)coef;
        int32_t n = num_u128_len(u);
        return (uint32_t)((coef < 0) + num_max32(n - dscale, 1) + (dscale > 0 ? dscale + 1 : 0));
    }
    num_view v;
    num_view_init(&v, num);
    num_sink s = {NULL, 0, 0};
    num_view_write(&v, &s);
    return s.len;
}

uint32_t sql_numeric_out_buf(sql_bytes num, char *buf) {
    int64_t coef;
    int32_t dscale;
    if (num_short_get(num, &coef, &dscale)) return num_short_write(coef, dscale, buf);
    num_view v;
    num_view_init(&v, num);
    num_sink s = {buf, UINT32_MAX, 0};
    num_view_write(&v, &s);
    return s.len;
}

bool sql_numeric_out(rt_arena *arena, sql_bytes num, char **text, rt_err *err) {
    uint32_t len = sql_numeric_out_len(num);
    char *p = rt_arena_alloc(arena, len + 1);
    if (p == NULL) return rt_arena_fail(arena, err);
    sql_numeric_out_buf(num, p);
    p[len] = '\0';
    *text = p;
    return true;
}

/* ---- integers ---------------------------------------------------------------------------- */

uint32_t sql_numeric_from_int64_buf(int64_t value, uint8_t buf[SQL_NUMERIC_INT64_BYTES_MAX]) {
    if (value != INT64_MIN) return num_short_put(buf, value, 0);
    /* -2^63 is the one int64 the short form cannot hold: long form, 5 digits */
    uint64_t mag = (uint64_t)1 << 63;
    buf[0] = NUM_TAG_NEG;
    num_put16(buf + 1, 4); /* weight */
    num_put16(buf + 3, 0); /* scale */
    for (int32_t i = 4; i >= 0; i--) {
        num_put16(buf + 5 + 2 * i, (uint32_t)(mag % NUM_BASE));
        mag /= NUM_BASE;
    }
    return NUM_LONG_HEADER_BYTES + 10;
}

bool sql_numeric_from_int64(rt_arena *arena, int64_t value, sql_bytes *out, rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    return num_make_i128(&c, value, 0, out);
}

static bool num_to_int_special(num_kind kind, const char *type_name, rt_err *err) {
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot convert %s to %s",
                      kind == NUM_NAN ? "NaN" : "infinity", type_name);
}

/* The value rounded half away from zero; false when it is outside int64. */
static bool num_round_i64(sql_bytes num, int64_t *out) {
    int64_t coef;
    int32_t dscale;
    if (num_short_get(num, &coef, &dscale)) {
        if (dscale <= 18) {
            int64_t unit = num_pow10_64[dscale];
            int64_t q = coef / unit, rem = coef % unit;
            if (2 * (rem < 0 ? -rem : rem) >= unit && unit > 1) q += coef < 0 ? -1 : 1;
            *out = q;
        } else { /* |value| < 0.93: only scale 19 can reach 0.5 */
            bool half = dscale == 19 && (coef >= 5000000000000000000LL ||
                                         coef <= -5000000000000000000LL);
            *out = half ? (coef < 0 ? -1 : 1) : 0;
        }
        return true;
    }
    num_view v;
    num_view_init(&v, num);
    if (v.weight > 4) return false; /* >= 10000^5 */
    v.ndigits = num_max32(0, num_min32(v.ndigits, v.weight + 2)); /* the rest cannot matter */
    int32_t digits[8];
    num_var var;
    num_var_from_view(&v, &var, digits);
    return num_var_to_i64(&var, out);
}

static bool num_to_int(sql_bytes num, int64_t min, int64_t max, const char *type_name,
                       const char *range_msg, int64_t *out, rt_err *err) {
    num_kind kind = num_bytes_kind(num);
    if (kind != NUM_FINITE) return num_to_int_special(kind, type_name, err);
    if (!num_round_i64(num, out) || *out < min || *out > max) {
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s", range_msg);
    }
    return true;
}

bool sql_numeric_to_int64(sql_bytes num, int64_t *out, rt_err *err) {
    return num_to_int(num, INT64_MIN, INT64_MAX, "bigint", "bigint out of range", out, err);
}

bool sql_numeric_to_int32(sql_bytes num, int32_t *out, rt_err *err) {
    int64_t v;
    if (!num_to_int(num, INT32_MIN, INT32_MAX, "integer", "integer out of range", &v, err)) {
        return false;
    }
    *out = (int32_t)v;
    return true;
}

bool sql_numeric_to_int16(sql_bytes num, int16_t *out, rt_err *err) {
    int64_t v;
    if (!num_to_int(num, INT16_MIN, INT16_MAX, "smallint", "smallint out of range", &v, err)) {
        return false;
    }
    *out = (int16_t)v;
    return true;
}

/* ---- floats ------------------------------------------------------------------------------ */

static bool num_from_float_text(rt_arena *arena, double value, int digits, sql_bytes *out,
                                rt_err *err) {
    num_ctx c = NUM_CTX_INIT(arena, err);
    if (isnan(value)) return num_make_special(&c, NUM_NAN, out);
    if (isinf(value)) return num_make_special(&c, value > 0 ? NUM_PINF : NUM_NINF, out);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.*g", digits, value);
    return sql_numeric_in(arena, buf, (size_t)n, SQL_TYPMOD_NONE, out, err);
}

bool sql_numeric_from_float8(rt_arena *arena, double value, sql_bytes *out, rt_err *err) {
    return num_from_float_text(arena, value, 15, out, err); /* DBL_DIG */
}

bool sql_numeric_from_float4(rt_arena *arena, float value, sql_bytes *out, rt_err *err) {
    return num_from_float_text(arena, (double)value, 6, out, err); /* FLT_DIG */
}

/* "d.ddd...e<exp>" with the first NUM_FLOAT_DIGITS_MAX significant digits and a sticky 1 when
 * more were nonzero: strtod then rounds exactly as on the full text. */
static void num_view_float_text(const num_view *v, char *buf) {
    uint32_t len = 0;
    if (v->sign == NUM_NEG) buf[len++] = '-';
    buf[len++] = '0';
    buf[len++] = '.';
    int32_t written = 0;
    bool sticky = false;
    for (int32_t i = 0; i < v->ndigits; i++) {
        int32_t d = num_view_digit(v, i);
        for (int32_t k = 1000; k >= 1; k /= 10) {
            if (written < NUM_FLOAT_DIGITS_MAX) {
                buf[len++] = (char)('0' + d / k % 10);
                written++;
            } else if (d / k % 10 != 0) {
                sticky = true;
            }
        }
    }
    if (sticky) buf[len++] = '1';
    snprintf(buf + len, 16, "e%d", (int)((v->weight + 1) * NUM_BASE_DIGITS));
}

static bool num_float_range_error(sql_bytes num, const char *type_name, rt_err *err) {
    char text[RT_ERR_MESSAGE_BYTES_MAX];
    num_view v;
    num_view_init(&v, num);
    num_sink s = {text, sizeof text - 1, 0};
    num_view_write(&v, &s);
    text[s.len < s.cap ? s.len : s.cap] = '\0';
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "\"%s\" is out of range for type %s", text, type_name);
}

/* Converts through strtod (float8) or strtof (float4), as PostgreSQL's float8in/float4in on
 * the numeric's text: results that overflow or underflow to zero are errors. */
static bool num_to_float(sql_bytes num, bool single, double *out, rt_err *err) {
    num_view v;
    num_view_init(&v, num);
    if (v.kind != NUM_FINITE) {
        *out = v.kind == NUM_NAN ? NAN : v.kind == NUM_PINF ? INFINITY : -INFINITY;
        return true;
    }
    int64_t coef;
    int32_t dscale;
    if (!single && num_short_get(num, &coef, &dscale) && coef > -(1LL << 53) &&
        coef < (1LL << 53) && dscale <= 22) { /* exact operands, one correctly rounded op */
        static const double p10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                       1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                       1e20, 1e21, 1e22};
        *out = (double)coef / p10[dscale];
        return true;
    }
    if (v.ndigits == 0) {
        *out = 0.0;
        return true;
    }
    char buf[NUM_FLOAT_DIGITS_MAX + 32];
    num_view_float_text(&v, buf);
    errno = 0;
    double d = single ? (double)strtof(buf, NULL) : strtod(buf, NULL);
    bool range = errno == ERANGE;
    double huge = single ? (double)HUGE_VALF : HUGE_VAL;
    if (range && (d == 0.0 || d >= huge || d <= -huge)) {
        return num_float_range_error(num, single ? "real" : "double precision", err);
    }
    *out = d;
    return true;
}

bool sql_numeric_to_float8(sql_bytes num, double *out, rt_err *err) {
    return num_to_float(num, false, out, err);
}

bool sql_numeric_to_float4(sql_bytes num, float *out, rt_err *err) {
    double d;
    if (!num_to_float(num, true, &d, err)) return false;
    *out = (float)d;
    return true;
}
