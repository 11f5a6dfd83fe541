/* sql_jsonb_num.c: jsonb numbers as decimal text.
 * jsonb keeps a number exactly, in the text PostgreSQL's numeric type would print for it: no
 * exponent, no leading zeros, no negative zero, and the scale the input implied
 * (digits after the point minus the exponent: "1.50e1" is 15.0, "1e2" is 100). Equality and
 * order are numeric ("1.0" = "1"), decided on the digit strings without converting. */
#include "sql/sql_jsonb_int.h"

/* Exponents this large overflow numeric before anything else is looked at (PostgreSQL reports
 * "value overflows numeric format" for them too). */
#define JB_NUMBER_EXPONENT_MAX 1073741822

static bool jb_number_overflow(rt_err *err) {
    return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

static inline bool jb_num_digit(char c) { return c >= '0' && c <= '9'; }

/* The parts of a decimal text: sign, integer digits, fraction digits, exponent. */
typedef struct jb_num_parts {
    bool negative;
    const char *int_digits;
    uint32_t int_len;
    const char *frac_digits;
    uint32_t frac_len;
    int64_t exponent;
    bool has_exponent;
} jb_num_parts;

static bool jb_num_split(const char *s, uint32_t len, jb_num_parts *n) {
    uint32_t i = 0;
    memset(n, 0, sizeof *n);
    if (i < len && (s[i] == '-' || s[i] == '+')) n->negative = s[i++] == '-';
    n->int_digits = s + i;
    while (i < len && jb_num_digit(s[i])) i++;
    n->int_len = (uint32_t)(s + i - n->int_digits);
    n->frac_digits = s + i;
    if (i < len && s[i] == '.') {
        n->frac_digits = s + ++i;
        while (i < len && jb_num_digit(s[i])) i++;
        n->frac_len = (uint32_t)(s + i - n->frac_digits);
    }
    if (n->int_len + n->frac_len == 0) return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        n->has_exponent = true;
        bool neg_exp = false;
        if (++i < len && (s[i] == '+' || s[i] == '-')) neg_exp = s[i++] == '-';
        if (i == len || !jb_num_digit(s[i])) return false;
        for (; i < len && jb_num_digit(s[i]); i++) {
            if (n->exponent <= JB_NUMBER_EXPONENT_MAX) n->exponent = n->exponent * 10 + s[i] - '0';
        }
        if (neg_exp) n->exponent = -n->exponent;
    }
    return i == len;
}

/* Digit k of int_digits ++ frac_digits, '0' outside them. */
static inline char jb_num_digit_at(const jb_num_parts *n, int64_t k) {
    if (k < 0) return '0';
    if (k < n->int_len) return n->int_digits[k];
    if (k < (int64_t)n->int_len + n->frac_len) return n->frac_digits[k - n->int_len];
    return '0';
}

/* Already in canonical form: no exponent, no leading zero, not a negative zero. */
static bool jb_num_is_canonical(const jb_num_parts *n) {
    if (n->has_exponent || n->int_len == 0) return false;
    if (n->int_len > 1 && n->int_digits[0] == '0') return false;
    if (n->int_len > SQL_JSONB_NUMBER_INT_DIGITS_MAX || n->frac_len > SQL_JSONB_NUMBER_SCALE_MAX) {
        return false;
    }
    if (!n->negative) return true;
    if (n->int_digits[0] != '0') return true;
    for (uint32_t i = 0; i < n->frac_len; i++) {
        if (n->frac_digits[i] != '0') return true;
    }
    return false; /* "-0.00" */
}

bool sql_jsonb_number_canonical(rt_arena *arena, const char *text, uint32_t len, sql_bytes *out,
                                rt_err *err) {
    jb_num_parts n;
    if (!jb_num_split(text, len, &n)) {
        return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                          "invalid input syntax for type numeric: \"%.*s\"", (int)len, text);
    }
    if (n.exponent > JB_NUMBER_EXPONENT_MAX || n.exponent < -JB_NUMBER_EXPONENT_MAX) {
        return jb_number_overflow(err);
    }
    if (jb_num_is_canonical(&n)) {
        *out = (sql_bytes){(const uint8_t *)text, len};
        return true;
    }
    int64_t total = (int64_t)n.int_len + n.frac_len;
    int64_t point = n.int_len + n.exponent; /* digits before the decimal point */
    int64_t scale = (int64_t)n.frac_len - n.exponent;
    if (scale < 0) scale = 0;
    int64_t lead = 0;
    while (lead < total && jb_num_digit_at(&n, lead) == '0') lead++;
    bool zero = lead == total;
    int64_t int_digits = zero || point - lead <= 0 ? 0 : point - lead;
    if (scale > SQL_JSONB_NUMBER_SCALE_MAX || int_digits > SQL_JSONB_NUMBER_INT_DIGITS_MAX) {
        return jb_number_overflow(err);
    }
    size_t size = (size_t)(!zero && n.negative) + (size_t)(int_digits == 0 ? 1 : int_digits) +
                  (scale > 0 ? 1 + (size_t)scale : 0);
    char *p = rt_arena_alloc(arena, size + 1);
    if (p == NULL) return rt_arena_fail(arena, err);
    char *w = p;
    if (!zero && n.negative) *w++ = '-';
    if (int_digits == 0) *w++ = '0';
    for (int64_t k = point - int_digits; k < point; k++) *w++ = jb_num_digit_at(&n, k);
    if (scale > 0) {
        *w++ = '.';
        for (int64_t k = point; k < point + scale; k++) *w++ = jb_num_digit_at(&n, k);
    }
    *w = '\0';
    RT_ASSERT((size_t)(w - p) == size);
    *out = (sql_bytes){(const uint8_t *)p, (uint32_t)size};
    return true;
}

/* ---- comparison ------------------------------------------------------------------------- */

/* A canonical number as sign, integer digits (none for a zero integer part) and fraction
 * digits without trailing zeros. */
typedef struct jb_num_view {
    int sign;
    const char *int_digits;
    uint32_t int_len;
    const char *frac;
    uint32_t frac_len;
} jb_num_view;

static jb_num_view jb_num_view_of(const char *s, uint32_t len) {
    jb_num_view v = {.sign = 1};
    uint32_t i = 0;
    if (i < len && s[i] == '-') {
        v.sign = -1;
        i++;
    }
    v.int_digits = s + i;
    while (i < len && s[i] != '.') i++;
    v.int_len = (uint32_t)(s + i - v.int_digits);
    if (v.int_len == 1 && v.int_digits[0] == '0') v.int_len = 0;
    v.frac = s + (i < len ? i + 1 : i);
    v.frac_len = i < len ? len - i - 1 : 0;
    while (v.frac_len > 0 && v.frac[v.frac_len - 1] == '0') v.frac_len--;
    if (v.int_len == 0 && v.frac_len == 0) v.sign = 0;
    return v;
}

int sql_jsonb_number_cmp(const char *a, uint32_t a_len, const char *b, uint32_t b_len) {
    jb_num_view x = jb_num_view_of(a, a_len);
    jb_num_view y = jb_num_view_of(b, b_len);
    if (x.sign != y.sign) return x.sign < y.sign ? -1 : 1;
    if (x.sign == 0) return 0;
    int mag;
    if (x.int_len != y.int_len) {
        mag = x.int_len < y.int_len ? -1 : 1;
    } else {
        mag = memcmp(x.int_digits, y.int_digits, x.int_len);
        if (mag == 0) {
            uint32_t n = x.frac_len < y.frac_len ? x.frac_len : y.frac_len;
            mag = memcmp(x.frac, y.frac, n);
            if (mag == 0) mag = (x.frac_len > y.frac_len) - (x.frac_len < y.frac_len);
        }
    }
    mag = (mag > 0) - (mag < 0);
    return x.sign * mag;
}

uint32_t jb_number_hash_len(const uint8_t *text, uint32_t len) {
    if (memchr(text, '.', len) == NULL) return len;
    while (text[len - 1] == '0') len--;
    if (text[len - 1] == '.') len--;
    return len;
}
