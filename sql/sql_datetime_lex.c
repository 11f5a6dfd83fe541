/* sql_datetime_lex.c: splitting date/time text into fields, and the keyword tables.
 *
 * Input like "Wed Jan 31 2024 13:45:00.5 +05:30" is first cut into typed fields (numbers,
 * dates, times, words, signed numbers), lower-cased; the decoders then give each field its
 * meaning from its kind, its neighbours and what was already seen. Character classes are
 * ASCII only, so the result does not depend on the C library's locale. */
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

static bool dt_digit(char c) { return c >= '0' && c <= '9'; }
static bool dt_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool dt_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static bool dt_punct(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}
static char dt_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 'a' - 'A') : c; }

/* Appends one character to the work buffer; the buffer is as large as the longest valid
 * input, so running out means the input cannot be a date/time. */
typedef struct dt_lexer {
    const char *p, *end;
    char *out, *out_end;
} dt_lexer;

static bool dt_put(dt_lexer *lx, char c) {
    if (lx->out + 1 >= lx->out_end) return false;
    *lx->out++ = c;
    return true;
}

static bool dt_at(const dt_lexer *lx, char c) { return lx->p < lx->end && *lx->p == c; }
static bool dt_at_digit(const dt_lexer *lx) { return lx->p < lx->end && dt_digit(*lx->p); }
static bool dt_at_alpha(const dt_lexer *lx) { return lx->p < lx->end && dt_alpha(*lx->p); }

static bool dt_take_digits(dt_lexer *lx) {
    while (dt_at_digit(lx)) {
        if (!dt_put(lx, *lx->p++)) return false;
    }
    return true;
}

/* A field that starts with a digit: number, time (has ':'), or date (has '-', '/' or '.';
 * the second part may be a month name: "31-jan-2024"). */
static int dt_lex_digits(dt_lexer *lx, uint8_t *kind) {
    if (!dt_take_digits(lx)) return DT_ERR_BAD_FORMAT;
    if (dt_at(lx, ':')) {
        *kind = DT_F_TIME;
        while (lx->p < lx->end && (dt_digit(*lx->p) || *lx->p == ':' || *lx->p == '.')) {
            if (!dt_put(lx, *lx->p++)) return DT_ERR_BAD_FORMAT;
        }
        return DT_OK;
    }
    if (!(dt_at(lx, '-') || dt_at(lx, '/') || dt_at(lx, '.'))) {
        *kind = DT_F_NUMBER;
        return DT_OK;
    }
    char delim = *lx->p;
    if (!dt_put(lx, *lx->p++)) return DT_ERR_BAD_FORMAT;
    if (dt_at_digit(lx)) {
        /* "12.5" is a number; "1.2.3", "2024-01-31" and "1/31" are dates. */
        *kind = delim == '.' ? DT_F_NUMBER : DT_F_DATE;
        if (!dt_take_digits(lx)) return DT_ERR_BAD_FORMAT;
        if (dt_at(lx, delim)) {
            *kind = DT_F_DATE;
            while (lx->p < lx->end && (dt_digit(*lx->p) || *lx->p == delim)) {
                if (!dt_put(lx, *lx->p++)) return DT_ERR_BAD_FORMAT;
            }
        }
        return DT_OK;
    }
    *kind = DT_F_DATE;
    while (lx->p < lx->end && (dt_digit(*lx->p) || dt_alpha(*lx->p) || *lx->p == delim)) {
        if (!dt_put(lx, dt_lower(*lx->p++))) return DT_ERR_BAD_FORMAT;
    }
    return DT_OK;
}

/* A field that starts with a letter: a word ("jan", "pst", "t"), or a date or zone name with
 * punctuation ("jan-31-2024", "america/new_york", "gmt+3"). A word followed by a digit or '+'
 * continues as a zone name unless the word is a known keyword ("t13:45" is "t", "13:45"). */
static int dt_lex_word(dt_lexer *lx, char *start, uint8_t *kind) {
    *kind = DT_F_STRING;
    while (dt_at_alpha(lx)) {
        if (!dt_put(lx, dt_lower(*lx->p++))) return DT_ERR_BAD_FORMAT;
    }
    bool is_date = false;
    if (dt_at(lx, '-') || dt_at(lx, '/') || dt_at(lx, '.')) {
        is_date = true;
    } else if (dt_at(lx, '+') || dt_at_digit(lx)) {
        *lx->out = '\0';
        int32_t value;
        is_date = sql_dt_keyword(start, &value) == DT_K_UNKNOWN;
    }
    if (!is_date) return DT_OK;
    *kind = DT_F_DATE;
    do {
        if (!dt_put(lx, dt_lower(*lx->p++))) return DT_ERR_BAD_FORMAT;
    } while (lx->p < lx->end && (*lx->p == '+' || *lx->p == '-' || *lx->p == '/' ||
                                 *lx->p == '_' || *lx->p == '.' || *lx->p == ':' ||
                                 dt_digit(*lx->p) || dt_alpha(*lx->p)));
    return DT_OK;
}

/* A sign: a numeric zone or signed number ("+05:30", "-1-2"), or a signed word
 * ("-infinity"). Blanks after the sign are skipped. */
static int dt_lex_sign(dt_lexer *lx, uint8_t *kind) {
    if (!dt_put(lx, *lx->p++)) return DT_ERR_BAD_FORMAT;
    while (lx->p < lx->end && dt_space(*lx->p)) lx->p++;
    if (dt_at_digit(lx)) {
        *kind = DT_F_TZ;
        while (lx->p < lx->end && (dt_digit(*lx->p) || *lx->p == ':' || *lx->p == '.' ||
                                   *lx->p == '-')) {
            if (!dt_put(lx, *lx->p++)) return DT_ERR_BAD_FORMAT;
        }
        return DT_OK;
    }
    if (!dt_at_alpha(lx)) return DT_ERR_BAD_FORMAT;
    *kind = DT_F_SPECIAL;
    while (dt_at_alpha(lx)) {
        if (!dt_put(lx, dt_lower(*lx->p++))) return DT_ERR_BAD_FORMAT;
    }
    return DT_OK;
}

int sql_dt_tokenize(const char *str, size_t len, dt_fields *out) {
    dt_lexer lx = {str, str + len, out->buf, out->buf + sizeof(out->buf)};
    out->count = 0;
    while (lx.p < lx.end) {
        char c = *lx.p;
        if (dt_space(c)) {
            lx.p++;
            continue;
        }
        if (dt_punct(c) && c != '.' && c != '+' && c != '-') {
            lx.p++; /* other punctuation only separates fields */
            continue;
        }
        if (out->count >= DT_FIELDS_MAX) return DT_ERR_BAD_FORMAT;
        char *start = lx.out;
        uint8_t kind;
        int rc;
        if (dt_digit(c)) {
            rc = dt_lex_digits(&lx, &kind);
        } else if (c == '.') {
            kind = DT_F_NUMBER;
            rc = dt_put(&lx, *lx.p++) && dt_take_digits(&lx) ? DT_OK : DT_ERR_BAD_FORMAT;
        } else if (dt_alpha(c)) {
            rc = dt_lex_word(&lx, start, &kind);
        } else if (c == '+' || c == '-') {
            rc = dt_lex_sign(&lx, &kind);
        } else {
            return DT_ERR_BAD_FORMAT; /* control characters, NUL, non-ASCII */
        }
        if (rc != DT_OK) return rc;
        *lx.out++ = '\0'; /* dt_put always leaves room for this */
        out->str[out->count] = start;
        out->kind[out->count] = kind;
        out->count++;
    }
    return DT_OK;
}

/* ---- keyword tables --------------------------------------------------------------------- */

typedef struct dt_keyword {
    const char *name;
    uint8_t klass;
    int32_t value;
} dt_keyword;

/* Words of date/time input, sorted (strcmp). */
static const dt_keyword dt_date_words[] = {
    {"-infinity", DT_K_RESERV, DT_V_EARLY},
    {"ad", DT_K_ADBC, DT_V_AD},
    {"allballs", DT_K_RESERV, DT_V_ZULU},
    {"am", DT_K_AMPM, DT_V_AM},
    {"apr", DT_K_MONTH, 4},
    {"april", DT_K_MONTH, 4},
    {"at", DT_K_IGNORE, 0},
    {"aug", DT_K_MONTH, 8},
    {"august", DT_K_MONTH, 8},
    {"bc", DT_K_ADBC, DT_V_BC},
    {"d", DT_K_UNITS, DT_U_DAY},
    {"dec", DT_K_MONTH, 12},
    {"december", DT_K_MONTH, 12},
    {"dow", DT_K_UNITS, DT_U_DOW},
    {"doy", DT_K_UNITS, DT_U_DOY},
    {"dst", DT_K_DTZMOD, DT_SECS_PER_HOUR},
    {"epoch", DT_K_RESERV, DT_V_EPOCH},
    {"feb", DT_K_MONTH, 2},
    {"february", DT_K_MONTH, 2},
    {"fri", DT_K_DOW, 5},
    {"friday", DT_K_DOW, 5},
    {"h", DT_K_UNITS, DT_U_HOUR},
    {"infinity", DT_K_RESERV, DT_V_LATE},
    {"isodow", DT_K_UNITS, DT_U_ISODOW},
    {"isoyear", DT_K_UNITS, DT_U_ISOYEAR},
    {"j", DT_K_UNITS, DT_U_JULIAN},
    {"jan", DT_K_MONTH, 1},
    {"january", DT_K_MONTH, 1},
    {"jd", DT_K_UNITS, DT_U_JULIAN},
    {"jul", DT_K_MONTH, 7},
    {"julian", DT_K_UNITS, DT_U_JULIAN},
    {"july", DT_K_MONTH, 7},
    {"jun", DT_K_MONTH, 6},
    {"june", DT_K_MONTH, 6},
    {"m", DT_K_UNITS, DT_U_MONTH},
    {"mar", DT_K_MONTH, 3},
    {"march", DT_K_MONTH, 3},
    {"may", DT_K_MONTH, 5},
    {"mm", DT_K_UNITS, DT_U_MINUTE},
    {"mon", DT_K_DOW, 1},
    {"monday", DT_K_DOW, 1},
    {"nov", DT_K_MONTH, 11},
    {"november", DT_K_MONTH, 11},
    {"now", DT_K_RESERV, DT_V_NOW},
    {"oct", DT_K_MONTH, 10},
    {"october", DT_K_MONTH, 10},
    {"on", DT_K_IGNORE, 0},
    {"pm", DT_K_AMPM, DT_V_PM},
    {"s", DT_K_UNITS, DT_U_SECOND},
    {"sat", DT_K_DOW, 6},
    {"saturday", DT_K_DOW, 6},
    {"sep", DT_K_MONTH, 9},
    {"sept", DT_K_MONTH, 9},
    {"september", DT_K_MONTH, 9},
    {"sun", DT_K_DOW, 0},
    {"sunday", DT_K_DOW, 0},
    {"t", DT_K_ISOTIME, 0},
    {"thu", DT_K_DOW, 4},
    {"thur", DT_K_DOW, 4},
    {"thurs", DT_K_DOW, 4},
    {"thursday", DT_K_DOW, 4},
    {"today", DT_K_RESERV, DT_V_TODAY},
    {"tomorrow", DT_K_RESERV, DT_V_TOMORROW},
    {"tue", DT_K_DOW, 2},
    {"tues", DT_K_DOW, 2},
    {"tuesday", DT_K_DOW, 2},
    {"wed", DT_K_DOW, 3},
    {"wednesday", DT_K_DOW, 3},
    {"weds", DT_K_DOW, 3},
    {"y", DT_K_UNITS, DT_U_YEAR},
    {"yesterday", DT_K_RESERV, DT_V_YESTERDAY},
};

/* Words of interval input and unit names, sorted. Entries of 10 characters match longer
 * words too ("microseconds"), as PostgreSQL compares only the first 10. */
static const dt_keyword dt_unit_words[] = {
    {"@", DT_K_IGNORE, 0},
    {"ago", DT_K_AGO, 0},
    {"c", DT_K_UNITS, DT_U_CENTURY},
    {"cent", DT_K_UNITS, DT_U_CENTURY},
    {"centuries", DT_K_UNITS, DT_U_CENTURY},
    {"century", DT_K_UNITS, DT_U_CENTURY},
    {"d", DT_K_UNITS, DT_U_DAY},
    {"day", DT_K_UNITS, DT_U_DAY},
    {"days", DT_K_UNITS, DT_U_DAY},
    {"dec", DT_K_UNITS, DT_U_DECADE},
    {"decade", DT_K_UNITS, DT_U_DECADE},
    {"decades", DT_K_UNITS, DT_U_DECADE},
    {"decs", DT_K_UNITS, DT_U_DECADE},
    {"h", DT_K_UNITS, DT_U_HOUR},
    {"hour", DT_K_UNITS, DT_U_HOUR},
    {"hours", DT_K_UNITS, DT_U_HOUR},
    {"hr", DT_K_UNITS, DT_U_HOUR},
    {"hrs", DT_K_UNITS, DT_U_HOUR},
    {"m", DT_K_UNITS, DT_U_MINUTE},
    {"microsecon", DT_K_UNITS, DT_U_MICROSEC},
    {"mil", DT_K_UNITS, DT_U_MILLENNIUM},
    {"millennia", DT_K_UNITS, DT_U_MILLENNIUM},
    {"millennium", DT_K_UNITS, DT_U_MILLENNIUM},
    {"millisecon", DT_K_UNITS, DT_U_MILLISEC},
    {"mils", DT_K_UNITS, DT_U_MILLENNIUM},
    {"min", DT_K_UNITS, DT_U_MINUTE},
    {"mins", DT_K_UNITS, DT_U_MINUTE},
    {"minute", DT_K_UNITS, DT_U_MINUTE},
    {"minutes", DT_K_UNITS, DT_U_MINUTE},
    {"mon", DT_K_UNITS, DT_U_MONTH},
    {"mons", DT_K_UNITS, DT_U_MONTH},
    {"month", DT_K_UNITS, DT_U_MONTH},
    {"months", DT_K_UNITS, DT_U_MONTH},
    {"ms", DT_K_UNITS, DT_U_MILLISEC},
    {"msec", DT_K_UNITS, DT_U_MILLISEC},
    {"msecond", DT_K_UNITS, DT_U_MILLISEC},
    {"mseconds", DT_K_UNITS, DT_U_MILLISEC},
    {"msecs", DT_K_UNITS, DT_U_MILLISEC},
    {"qtr", DT_K_UNITS, DT_U_QUARTER},
    {"quarter", DT_K_UNITS, DT_U_QUARTER},
    {"s", DT_K_UNITS, DT_U_SECOND},
    {"sec", DT_K_UNITS, DT_U_SECOND},
    {"second", DT_K_UNITS, DT_U_SECOND},
    {"seconds", DT_K_UNITS, DT_U_SECOND},
    {"secs", DT_K_UNITS, DT_U_SECOND},
    {"timezone", DT_K_UNITS, DT_U_TZ},
    {"timezone_h", DT_K_UNITS, DT_U_TZ_HOUR},
    {"timezone_m", DT_K_UNITS, DT_U_TZ_MINUTE},
    {"us", DT_K_UNITS, DT_U_MICROSEC},
    {"usec", DT_K_UNITS, DT_U_MICROSEC},
    {"usecond", DT_K_UNITS, DT_U_MICROSEC},
    {"useconds", DT_K_UNITS, DT_U_MICROSEC},
    {"usecs", DT_K_UNITS, DT_U_MICROSEC},
    {"w", DT_K_UNITS, DT_U_WEEK},
    {"week", DT_K_UNITS, DT_U_WEEK},
    {"weeks", DT_K_UNITS, DT_U_WEEK},
    {"y", DT_K_UNITS, DT_U_YEAR},
    {"year", DT_K_UNITS, DT_U_YEAR},
    {"years", DT_K_UNITS, DT_U_YEAR},
    {"yr", DT_K_UNITS, DT_U_YEAR},
    {"yrs", DT_K_UNITS, DT_U_YEAR},
};

/* PostgreSQL compares keywords on their first 10 characters only. */
#define DT_TOKEN_CHARS 10

static int dt_keyword_find(const dt_keyword *table, size_t n, const char *lower,
                           int32_t *value) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        RT_VERIFY(mid == 0 || strcmp(table[mid - 1].name, table[mid].name) < 0);
        int c = strncmp(lower, table[mid].name, DT_TOKEN_CHARS);
        if (c == 0) {
            *value = table[mid].value;
            return table[mid].klass;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    *value = 0;
    return DT_K_UNKNOWN;
}

int sql_dt_keyword(const char *lower, int32_t *value) {
    return dt_keyword_find(dt_date_words, sizeof(dt_date_words) / sizeof(dt_date_words[0]),
                           lower, value);
}

int sql_dt_unit_word(const char *lower, int32_t *value) {
    return dt_keyword_find(dt_unit_words, sizeof(dt_unit_words) / sizeof(dt_unit_words[0]),
                           lower, value);
}

/* Unit names of extract/date_trunc: interval units first, then date words ("dow", "j"). The
 * name is lower-cased and cut to 63 characters for messages, as PostgreSQL does. */
int sql_dt_unit_lookup(const char *unit, size_t len, char *lower, int32_t *value) {
    size_t n = len > 63 ? 63 : len;
    for (size_t i = 0; i < n; i++) lower[i] = dt_lower(unit[i]);
    lower[n] = '\0';
    if (memchr(unit, '\0', len) != NULL) {
        *value = 0;
        return DT_K_UNKNOWN;
    }
    int k = sql_dt_unit_word(lower, value);
    if (k == DT_K_UNKNOWN) k = sql_dt_keyword(lower, value);
    return k;
}
