/* sql_lex.c: tokens of the PostgreSQL dialect (see sql_lex.h for the rules it follows).
 * The lexer is pulled by the parser one token at a time, so that a syntax error before a
 * lexical one is reported first, as PostgreSQL does. Decoding (case folding, '' and escape
 * processing) happens here, once, into the arena. */
#include "sql/sql_lex.h"

#include <stdio.h>
#include <string.h>

#include "sql/sql_ast.h"

/* ---- keyword table ---- */

static const sql_keyword SQL_KEYWORDS[SQL_KW_COUNT] = {
#define SQL_KW_ENTRY(id, w, cat, bare) [SQL_KW_##id] = {w, sizeof(w) - 1, cat, bare},
    SQL_KEYWORD_LIST(SQL_KW_ENTRY)
#undef SQL_KW_ENTRY
};

/* The longest keyword ("current_timestamp") is 17 bytes; longer words skip the lookup. A
 * word is compared as three zero-padded 8-byte words (keywords hold no NUL bytes). */
#define SQL_KW_LEN_MAX 17
#define SQL_KW_WORDS 3
RT_STATIC_ASSERT(SQL_KW_LEN_MAX <= SQL_KW_WORDS * 8);
/* Open addressing at a load of 0.23 keeps nearly every lookup to one probe. */
#define SQL_KW_SLOTS 2048
RT_STATIC_ASSERT((SQL_KW_SLOTS & (SQL_KW_SLOTS - 1)) == 0);
RT_STATIC_ASSERT(SQL_KW_COUNT < SQL_KW_SLOTS / 2);

static uint16_t sql_kw_slots[SQL_KW_SLOTS];
static uint64_t sql_kw_padded[SQL_KW_COUNT][SQL_KW_WORDS];

/* Character classes of the lexer, one table lookup per byte in the hot loops. */
enum {
    LEX_IDENT_START = 1, /* [A-Za-z_\200-\377] */
    LEX_IDENT_CONT = 2,  /* ident start, digits, $ */
    LEX_DIGIT = 4,
    LEX_SPACE = 8,       /* [ \t\n\r\f]: PostgreSQL 15 does not count \v */
    LEX_OP_CHAR = 16,    /* ~ ! @ # ^ & | ` ? + - * / % < > = */
    LEX_HEX = 32,
};
static uint8_t lex_class[256];

/* Multiplicative hash of the padded words: no per-byte loop beyond the case folding. */
static inline uint32_t sql_kw_hash(const uint64_t w[SQL_KW_WORDS]) {
    uint64_t h = (w[0] * 0x9E3779B97F4A7C15ull) ^ (w[1] * 0xC2B2AE3D27D4EB4Full) ^
                 (w[2] * 0x165667B19E3779F9ull);
    return (uint32_t)(h >> 40);
}

/* Builds the keyword hash and the class table before main(), so lookups never race. */
__attribute__((constructor)) static void sql_lex_tables_init(void) {
    for (int kw = 1; kw < SQL_KW_COUNT; kw++) {
        const sql_keyword *k = &SQL_KEYWORDS[kw];
        RT_ASSERT(k->len <= SQL_KW_LEN_MAX);
        memcpy(sql_kw_padded[kw], k->word, k->len);
        uint32_t slot = sql_kw_hash(sql_kw_padded[kw]) & (SQL_KW_SLOTS - 1);
        while (sql_kw_slots[slot] != 0) slot = (slot + 1) & (SQL_KW_SLOTS - 1);
        sql_kw_slots[slot] = (uint16_t)kw;
    }
    for (int c = 0; c < 256; c++) {
        uint8_t k = 0;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
        bool digit = c >= '0' && c <= '9';
        if (alpha) k |= LEX_IDENT_START | LEX_IDENT_CONT;
        if (digit) k |= LEX_DIGIT | LEX_IDENT_CONT | LEX_HEX;
        if (c == '$') k |= LEX_IDENT_CONT;
        if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) k |= LEX_HEX;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') k |= LEX_SPACE;
        if (c != 0 && strchr("~!@#^&|`?+-*/%<>=", c) != NULL) k |= LEX_OP_CHAR;
        lex_class[c] = k;
    }
}

/* Up to 8 bytes of `s` as a little-endian word, zero-padded. Built in a register: bytes
 * stored one by one and read back as a word would stall store forwarding. */
static inline uint64_t sql_kw_word(const char *s, size_t n) {
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)(uint8_t)s[i] << (8 * i);
    return w;
}

/* ASCII upper case to lower case in all 8 bytes at once; other bytes are left alone. */
static inline uint64_t sql_kw_fold(uint64_t w) {
    const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    uint64_t seven = w & ~high;
    uint64_t ge_a = seven + ones * (0x80 - 'A');
    uint64_t gt_z = seven + ones * (0x7F - 'Z');
    uint64_t upper = (ge_a ^ gt_z) & ~w & high;
    return w | (upper >> 2);
}

sql_kw sql_keyword_lookup(const char *word, size_t len) {
    if (len == 0 || len > SQL_KW_LEN_MAX) return SQL_KW_INVALID;
    uint64_t w[SQL_KW_WORDS];
    w[0] = sql_kw_fold(sql_kw_word(word, len < 8 ? len : 8));
    w[1] = len > 8 ? sql_kw_fold(sql_kw_word(word + 8, len < 16 ? len - 8 : 8)) : 0;
    w[2] = len > 16 ? sql_kw_fold(sql_kw_word(word + 16, len - 16)) : 0;
    uint32_t slot = sql_kw_hash(w) & (SQL_KW_SLOTS - 1);
    for (;;) {
        uint16_t kw = sql_kw_slots[slot];
        if (kw == 0) return SQL_KW_INVALID;
        const uint64_t *k = sql_kw_padded[kw];
        if (k[0] == w[0] && k[1] == w[1] && k[2] == w[2]) return (sql_kw)kw;
        slot = (slot + 1) & (SQL_KW_SLOTS - 1);
    }
}

const sql_keyword *sql_keyword_get(sql_kw kw) {
    RT_ASSERT(kw > SQL_KW_INVALID && kw < SQL_KW_COUNT);
    return &SQL_KEYWORDS[kw];
}

/* quote_ident quotes every keyword that is not unreserved: those are the ones that cannot be
 * a column name everywhere. */
bool sql_keyword_is_reserved(const char *word) {
    sql_kw kw = sql_keyword_lookup(word, strlen(word));
    return kw != SQL_KW_INVALID && SQL_KEYWORDS[kw].category != SQL_KWCAT_UNRESERVED;
}

/* ---- positions and errors ---- */

uint32_t sql_lex_position(const char *src, uint32_t offset) {
    uint32_t chars = 0;
    for (uint32_t i = 0; i < offset; i++) chars += ((uint8_t)src[i] & 0xC0) != 0x80;
    return chars + 1;
}

/* The "at or near" text is cut at a character boundary to fit the message buffer. */
#define LEX_NEAR_BYTES_MAX 384u

static uint32_t lex_clip_utf8(const char *s, uint32_t len, uint32_t max) {
    if (len <= max) return len;
    while (max > 0 && ((uint8_t)s[max] & 0xC0) == 0x80) max--;
    return max;
}

/* "<msg> at or near "<text>"" (or "at end of input") positioned at `start`. */
static bool lex_error_near(const sql_lexer *lx, rt_err *err, const char *sqlstate,
                           const char *msg, uint32_t start, uint32_t end) {
    if (start >= lx->len) {
        rt_err_set(err, sqlstate, "%s at end of input", msg);
    } else {
        uint32_t n = lex_clip_utf8(lx->src + start, end - start, LEX_NEAR_BYTES_MAX);
        rt_err_set(err, sqlstate, "%s at or near \"%.*s\"", msg, (int)n, lx->src + start);
    }
    err->position = sql_lex_position(lx->src, start);
    return false;
}

static bool lex_error_at(const sql_lexer *lx, rt_err *err, const char *sqlstate,
                         const char *msg, uint32_t at) {
    rt_err_set(err, sqlstate, "%s", msg);
    err->position = sql_lex_position(lx->src, at);
    return false;
}

/* Length of the UTF-8 sequence starting at s[0] if it is valid and within `len`, else 0.
 * NUL is refused: PostgreSQL's text cannot hold it. */
static uint32_t lex_utf8_valid_len(const uint8_t *s, uint32_t len) {
    uint8_t c = s[0];
    if (c >= 0x01 && c < 0x80) return 1;
    uint32_t n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (len < n || s[1] < lo || s[1] > hi) return 0;
    for (uint32_t i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
    }
    return n;
}

/* PostgreSQL's report of a bad sequence: the bytes of the character it started to read. */
static bool lex_encoding_error(const uint8_t *s, uint32_t len, rt_err *err) {
    uint32_t want = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF8 ? 4 : 1;
    if (want > len) want = len;
    char bytes[24];
    uint32_t used = 0;
    for (uint32_t i = 0; i < want; i++) {
        used += (uint32_t)snprintf(bytes + used, sizeof bytes - used, i ? " 0x%02x" : "0x%02x",
                                   s[i]);
    }
    return rt_err_set(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                      "invalid byte sequence for encoding \"UTF8\": %s", bytes);
}

bool sql_lex_check_encoding(const char *src, uint32_t len, rt_err *err) {
    const uint8_t *s = (const uint8_t *)src;
    uint32_t i = 0;
    while (i < len) {
        /* ASCII runs, 8 bytes at a time: the common case for SQL text. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) != 0 ||
                ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0) {
                break;
            }
            i += 8;
        }
        if (i >= len) break;
        uint32_t n = lex_utf8_valid_len(s + i, len - i);
        if (n == 0) return lex_encoding_error(s + i, len - i, err);
        i += n;
    }
    return true;
}

/* ---- helpers ---- */

void sql_lex_init(sql_lexer *lx, rt_arena *arena, const char *src, uint32_t len) {
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->arena = arena;
}

static inline int lex_at(const sql_lexer *lx, uint32_t i) {
    return i < lx->len ? (uint8_t)lx->src[i] : -1;
}

static inline bool lex_is(const sql_lexer *lx, uint32_t i, uint8_t cls) {
    return i < lx->len && (lex_class[(uint8_t)lx->src[i]] & cls) != 0;
}

static char *lex_alloc(sql_lexer *lx, size_t size, rt_err *err) {
    char *p = rt_arena_alloc(lx->arena, size);
    if (p == NULL) rt_arena_fail(lx->arena, err);
    return p;
}

/* Skips whitespace, -- comments and nested slash-star comments. */
static bool lex_skip_space(sql_lexer *lx, rt_err *err) {
    const char *s = lx->src;
    uint32_t i = lx->pos, len = lx->len;
    for (;;) {
        while (i < len && (lex_class[(uint8_t)s[i]] & LEX_SPACE)) i++;
        if (i + 1 < len && s[i] == '-' && s[i + 1] == '-') {
            while (i < len && s[i] != '\n' && s[i] != '\r') i++;
            continue;
        }
        if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
            uint32_t start = i, depth = 1;
            i += 2;
            while (depth > 0) {
                if (i + 1 >= len) {
                    lx->pos = len;
                    return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                                          "unterminated /* comment", start, len);
                }
                if (s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                } else {
                    i++;
                }
            }
            continue;
        }
        break;
    }
    lx->pos = i;
    return true;
}

/* ---- identifiers and keywords ---- */

/* Copies an identifier, folding ASCII to lower case (if `fold`) and truncating it to
 * SQL_IDENT_BYTES_MAX bytes at a character boundary, as PostgreSQL does. */
static char *lex_ident_copy(sql_lexer *lx, const char *s, uint32_t len, bool fold,
                            uint32_t *out_len, rt_err *err) {
    if (len > SQL_IDENT_BYTES_MAX) len = lex_clip_utf8(s, len, SQL_IDENT_BYTES_MAX);
    char *p = lex_alloc(lx, len + 1, err);
    if (p == NULL) return NULL;
    for (uint32_t i = 0; i < len; i++) {
        char c = s[i];
        p[i] = (fold && c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
    }
    p[len] = '\0';
    *out_len = len;
    return p;
}

static bool lex_string(sql_lexer *lx, sql_token *tok, uint32_t quote, char mode, rt_err *err);
static bool lex_quoted_ident(sql_lexer *lx, sql_token *tok, uint32_t quote, bool unicode,
                             rt_err *err);

static bool lex_word(sql_lexer *lx, sql_token *tok, rt_err *err) {
    uint32_t start = lx->pos;
    int c = lex_at(lx, start) | 0x20, next = lex_at(lx, start + 1);
    if (next == '\'') {
        if (c == 'e' || c == 'b' || c == 'x') return lex_string(lx, tok, start + 1, (char)c, err);
        if (c == 'n') { /* N'..' is NCHAR '..': a typed literal of the national character type */
            tok->kind = SQL_TOK_KEYWORD;
            tok->kw = SQL_KW_NCHAR;
            tok->str = SQL_KEYWORDS[SQL_KW_NCHAR].word;
            tok->str_len = SQL_KEYWORDS[SQL_KW_NCHAR].len;
            tok->end = lx->pos = start + 1;
            return true;
        }
    }
    if (c == 'u' && next == '&') {
        int q = lex_at(lx, start + 2);
        if (q == '\'') return lex_string(lx, tok, start + 2, 'u', err);
        if (q == '"') return lex_quoted_ident(lx, tok, start + 2, true, err);
    }
    uint32_t i = start + 1;
    while (lex_is(lx, i, LEX_IDENT_CONT)) i++;
    tok->end = lx->pos = i;
    sql_kw kw = sql_keyword_lookup(lx->src + start, i - start);
    if (kw != SQL_KW_INVALID) {
        tok->kind = SQL_TOK_KEYWORD;
        tok->kw = (uint16_t)kw;
        tok->str = SQL_KEYWORDS[kw].word;
        tok->str_len = SQL_KEYWORDS[kw].len;
        return true;
    }
    tok->kind = SQL_TOK_IDENT;
    tok->str = lex_ident_copy(lx, lx->src + start, i - start, true, &tok->str_len, err);
    return tok->str != NULL;
}

/* ---- numbers and parameters ---- */

/* PostgreSQL 15 refuses a number running into identifier characters (123abc, 0x1F, 1_000). */
static bool lex_number_junk(sql_lexer *lx, uint32_t start, uint32_t i, const char *what,
                            rt_err *err) {
    while (lex_is(lx, i, LEX_IDENT_CONT)) i++;
    lx->pos = i;
    return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, what, start, i);
}

static bool lex_number(sql_lexer *lx, sql_token *tok, rt_err *err) {
    uint32_t start = lx->pos, i = start;
    bool integer = true;
    while (lex_is(lx, i, LEX_DIGIT)) i++;
    if (lex_at(lx, i) == '.' && lex_at(lx, i + 1) != '.') { /* "1..2" is 1 then .. */
        integer = false;
        i++;
        while (lex_is(lx, i, LEX_DIGIT)) i++;
    }
    if ((lex_at(lx, i) | 0x20) == 'e') {
        uint32_t e = i + 1;
        if (lex_at(lx, e) == '+' || lex_at(lx, e) == '-') e++;
        if (lex_is(lx, e, LEX_DIGIT)) {
            integer = false;
            i = e;
            while (lex_is(lx, i, LEX_DIGIT)) i++;
        } else if (e > i + 1) { /* "1e+" without digits */
            lx->pos = e;
            return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                                  "trailing junk after numeric literal", start, e);
        }
    }
    if (lex_is(lx, i, LEX_IDENT_START)) {
        return lex_number_junk(lx, start, i, "trailing junk after numeric literal", err);
    }
    tok->end = lx->pos = i;
    char *text = lex_alloc(lx, i - start + 1, err);
    if (text == NULL) return false;
    memcpy(text, lx->src + start, i - start);
    text[i - start] = '\0';
    tok->str = text;
    tok->str_len = i - start;
    tok->kind = SQL_TOK_FCONST;
    if (integer) {
        uint64_t v = 0;
        bool fits = true;
        for (uint32_t k = start; k < i && fits; k++) {
            uint64_t d = (uint64_t)(lx->src[k] - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10) fits = false;
            v = v * 10 + d;
        }
        if (fits) {
            tok->kind = SQL_TOK_ICONST;
            tok->ival = (int64_t)v;
        }
    }
    return true;
}

static bool lex_param(sql_lexer *lx, sql_token *tok, rt_err *err) {
    uint32_t start = lx->pos, i = start + 1;
    int64_t v = 0;
    while (lex_is(lx, i, LEX_DIGIT)) {
        int64_t d = lx->src[i] - '0';
        v = v > (INT64_MAX - d) / 10 ? INT64_MAX : v * 10 + d; /* saturates: refused later */
        i++;
    }
    if (lex_is(lx, i, LEX_IDENT_START)) {
        return lex_number_junk(lx, start, i, "trailing junk after parameter", err);
    }
    tok->kind = SQL_TOK_PARAM;
    tok->ival = v;
    tok->end = lx->pos = i;
    return true;
}

/* ---- quoted strings ---- */

/* After a closing quote at `q`: if only whitespace with a newline (and -- comments) separates
 * it from another quote, the literal goes on there (SQL's adjacent-literal rule). Returns the
 * index of that opening quote, or 0. */
static uint32_t lex_continuation(const sql_lexer *lx, uint32_t q) {
    const char *s = lx->src;
    uint32_t i = q + 1, len = lx->len;
    bool newline = false;
    for (;;) {
        if (i >= len) return 0;
        char c = s[i];
        if (c == '\n' || c == '\r') {
            newline = true;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\f') {
            i++;
        } else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
            while (i < len && s[i] != '\n' && s[i] != '\r') i++;
        } else {
            return (newline && c == '\'') ? i : 0;
        }
    }
}

/* Finds the end of a quoted literal whose first quote is at `quote`: the index just past its
 * last closing quote (continuations included), or 0 if it never ends. */
static uint32_t lex_string_end(const sql_lexer *lx, uint32_t quote, char mode) {
    const char *s = lx->src;
    uint32_t i = quote + 1, len = lx->len;
    bool doubling = mode != 'b' && mode != 'x';
    for (;;) {
        if (i >= len) return 0;
        char c = s[i];
        if (c == '\'') {
            if (doubling && i + 1 < len && s[i + 1] == '\'') {
                i += 2;
                continue;
            }
            uint32_t next = lex_continuation(lx, i);
            if (next == 0) return i + 1;
            i = next + 1;
        } else if (c == '\\' && mode == 'e') {
            i += 2;
        } else {
            i++;
        }
    }
}

/* Walks the body of a literal: returns the next body byte (after '' undoubling and across
 * continuations) with its source index, or -1 at the closing quote. */
typedef struct lex_body {
    const sql_lexer *lx;
    uint32_t i;
    bool doubling;
} lex_body;

static int lex_body_next(lex_body *b, uint32_t *at) {
    const char *s = b->lx->src;
    for (;;) {
        char c = s[b->i];
        if (c != '\'') {
            *at = b->i++;
            return (uint8_t)c;
        }
        if (b->doubling && b->i + 1 < b->lx->len && s[b->i + 1] == '\'') {
            *at = b->i;
            b->i += 2;
            return '\'';
        }
        uint32_t next = lex_continuation(b->lx, b->i);
        if (next == 0) return -1;
        b->i = next + 1;
    }
}

static uint32_t lex_utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int lex_hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Reads `n` hex digits at s[i..]; -1 if any is missing. */
static int64_t lex_hex_digits(const sql_lexer *lx, uint32_t i, uint32_t n) {
    int64_t v = 0;
    for (uint32_t k = 0; k < n; k++) {
        int d = lex_hex_value(lex_at(lx, i + k));
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static inline bool lex_is_high_surrogate(uint32_t cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
static inline bool lex_is_low_surrogate(uint32_t cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

/* The text PostgreSQL quotes when a surrogate pair in E'' is broken at `i`: the next escape,
 * the closing quote or one character. */
static uint32_t lex_escape_text_end(const sql_lexer *lx, uint32_t i) {
    int c = lex_at(lx, i);
    if (c == '\\') {
        int e = lex_at(lx, i + 1);
        return i + (e == 'u' ? 6 : e == 'U' ? 10 : 2);
    }
    uint32_t n = 1;
    while (lex_at(lx, i + n) >= 0 && (lex_at(lx, i + n) & 0xC0) == 0x80) n++;
    return i + n;
}

/* Decodes one \u or \U escape of an E'' string at s[i] (the backslash) into `out`; `pending`
 * carries a high surrogate to the next escape. Returns the escape's length, 0 on error. */
static uint32_t lex_e_unicode(sql_lexer *lx, uint32_t i, uint32_t *pending, char *out,
                              uint32_t *out_len, rt_err *err) {
    uint32_t n = lx->src[i + 1] == 'u' ? 4 : 8;
    int64_t v = lex_hex_digits(lx, i + 2, n);
    if (v < 0) {
        lex_error_at(lx, err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "invalid Unicode escape", i);
        rt_err_hint(err, "Unicode escapes must be \\uXXXX or \\UXXXXXXXX.");
        return 0;
    }
    uint32_t cp = (uint32_t)v, len = n + 2;
    if (*pending != 0) {
        if (!lex_is_low_surrogate(cp)) {
            lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode surrogate pair", i,
                           i + len);
            return 0;
        }
        cp = 0x10000 + ((*pending - 0xD800) << 10) + (cp - 0xDC00);
        *pending = 0;
    } else if (lex_is_high_surrogate(cp)) {
        *pending = cp;
        return len;
    } else if (lex_is_low_surrogate(cp)) {
        lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode surrogate pair", i,
                       i + len);
        return 0;
    }
    if (cp == 0 || cp > 0x10FFFF) {
        lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode escape value", i,
                       i + len);
        return 0;
    }
    *out_len += lex_utf8_encode(cp, out + *out_len);
    return len;
}

/* Decodes one backslash escape (not \u/\U) of an E'' string; returns its length. */
static uint32_t lex_e_escape(const sql_lexer *lx, uint32_t i, char *out, uint32_t *out_len,
                             bool *raw_bytes) {
    int c = lex_at(lx, i + 1);
    uint32_t len = 2, v = 0;
    switch (c) {
    case 'b': out[(*out_len)++] = '\b'; return 2;
    case 'f': out[(*out_len)++] = '\f'; return 2;
    case 'n': out[(*out_len)++] = '\n'; return 2;
    case 'r': out[(*out_len)++] = '\r'; return 2;
    case 't': out[(*out_len)++] = '\t'; return 2;
    case 'x':
        if (lex_hex_value(lex_at(lx, i + 2)) < 0) break;
        v = (uint32_t)lex_hex_value(lex_at(lx, i + 2));
        len = 3;
        if (lex_hex_value(lex_at(lx, i + 3)) >= 0) {
            v = v * 16 + (uint32_t)lex_hex_value(lex_at(lx, i + 3));
            len = 4;
        }
        out[(*out_len)++] = (char)v;
        *raw_bytes = true;
        return len;
    default:
        if (c >= '0' && c <= '7') {
            v = (uint32_t)(c - '0');
            while (len < 4 && lex_at(lx, i + len) >= '0' && lex_at(lx, i + len) <= '7') {
                v = v * 8 + (uint32_t)(lex_at(lx, i + len) - '0');
                len++;
            }
            out[(*out_len)++] = (char)(v & 0xFF);
            *raw_bytes = true;
            return len;
        }
    }
    out[(*out_len)++] = (char)c; /* \q is q, \' is ', \\ is \ */
    return 2;
}

/* Decodes the body of E'..' (first quote at `quote`) into `out`. */
static bool lex_e_decode(sql_lexer *lx, uint32_t quote, char *out, uint32_t *out_len,
                         rt_err *err) {
    const char *s = lx->src;
    uint32_t i = quote + 1, pending = 0;
    bool raw_bytes = false;
    *out_len = 0;
    for (;;) {
        char c = s[i];
        bool at_quote = c == '\'' && !(i + 1 < lx->len && s[i + 1] == '\'');
        if (pending != 0 && !(c == '\\' && (s[i + 1] == 'u' || s[i + 1] == 'U'))) {
            return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                                  "invalid Unicode surrogate pair", i, lex_escape_text_end(lx, i));
        }
        if (at_quote) {
            uint32_t next = lex_continuation(lx, i);
            if (next == 0) break;
            i = next + 1;
        } else if (c == '\'') {
            out[(*out_len)++] = '\'';
            i += 2;
        } else if (c == '\\' && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            uint32_t n = lex_e_unicode(lx, i, &pending, out, out_len, err);
            if (n == 0) return false;
            i += n;
        } else if (c == '\\') {
            i += lex_e_escape(lx, i, out, out_len, &raw_bytes);
        } else {
            out[(*out_len)++] = c;
            i++;
        }
    }
    out[*out_len] = '\0';
    if (raw_bytes) return sql_lex_check_encoding(out, *out_len, err);
    return true;
}

/* `n` hex digits of raw[from..], or -1 if any is missing. */
static int64_t lex_raw_hex(const char *raw, uint32_t len, uint32_t from, uint32_t n) {
    int64_t v = 0;
    for (uint32_t k = 0; k < n; k++) {
        int d = from + k < len ? lex_hex_value((uint8_t)raw[from + k]) : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* U&'..' and U&"..": applies Unicode escapes with escape character `esc` to `raw` (whose
 * bytes came from source offsets `at`, `at[len]` being the closing quote). */
static bool lex_u_decode(sql_lexer *lx, const char *raw, const uint32_t *at, uint32_t len,
                         char esc, char *out, uint32_t *out_len, rt_err *err) {
    uint32_t i = 0, pending = 0;
    *out_len = 0;
    while (i < len) {
        if (raw[i] != esc) {
            if (pending != 0) break;
            out[(*out_len)++] = raw[i++];
            continue;
        }
        if (i + 1 < len && raw[i + 1] == esc) {
            if (pending != 0) break;
            out[(*out_len)++] = esc;
            i += 2;
            continue;
        }
        bool plus = i + 1 < len && raw[i + 1] == '+'; /* \+XXXXXX or \XXXX */
        uint32_t n = plus ? 8 : 5;
        int64_t v = plus ? lex_raw_hex(raw, len, i + 2, 6) : lex_raw_hex(raw, len, i + 1, 4);
        if (v < 0) {
            lex_error_at(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode escape", at[i]);
            rt_err_hint(err, "Unicode escapes must be \\XXXX or \\+XXXXXX.");
            return false;
        }
        uint32_t cp = (uint32_t)v;
        if (pending != 0) {
            if (!lex_is_low_surrogate(cp)) break;
            cp = 0x10000 + ((pending - 0xD800) << 10) + (cp - 0xDC00);
            pending = 0;
        } else if (lex_is_high_surrogate(cp)) {
            pending = cp;
            i += n;
            continue;
        } else if (lex_is_low_surrogate(cp)) {
            return lex_error_at(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode surrogate pair",
                                at[i]);
        }
        if (cp == 0 || cp > 0x10FFFF) {
            return lex_error_at(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode escape value",
                                at[i]);
        }
        *out_len += lex_utf8_encode(cp, out + *out_len);
        i += n;
    }
    if (pending != 0) {
        uint32_t where = i < len ? at[i] : at[len]; /* where the low half should have been */
        return lex_error_at(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode surrogate pair",
                            where);
    }
    out[*out_len] = '\0';
    return true;
}

/* An escape character of UESCAPE: not a hex digit, '+', a quote or whitespace. */
static bool lex_uescape_ok(char c) {
    return lex_hex_value((uint8_t)c) < 0 && c != '+' && c != '\'' && c != '"' && c != ' ' &&
           c != '\t' && c != '\n' && c != '\r' && c != '\f';
}

/* After U&'..' or U&"..": an optional UESCAPE 'c'. Sets *esc and moves the token end. */
static bool lex_uescape(sql_lexer *lx, sql_token *tok, char *esc, rt_err *err) {
    *esc = '\\';
    uint32_t save = lx->pos;
    if (!lex_skip_space(lx, err)) return false;
    uint32_t w = lx->pos, i = w;
    while (lex_is(lx, i, LEX_IDENT_CONT)) i++;
    if (i - w != 7 || sql_keyword_lookup(lx->src + w, 7) != SQL_KW_UESCAPE) {
        lx->pos = save;
        return true;
    }
    lx->pos = i;
    if (!lex_skip_space(lx, err)) return false;
    sql_token lit;
    uint32_t at = lx->pos;
    if ((lex_at(lx, at) | 0x20) == 'u' && lex_at(lx, at + 1) == '&') {
        /* U&'..' is no simple literal; refusing it here also bounds the recursion. */
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                              "UESCAPE must be followed by a simple string literal", at, at + 2);
    }
    if (!sql_lex_next(lx, &lit, err)) return false;
    if (lit.kind != SQL_TOK_SCONST) {
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                              "UESCAPE must be followed by a simple string literal", lit.start,
                              lit.end);
    }
    if (lit.str_len != 1 || !lex_uescape_ok(lit.str[0])) {
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, "invalid Unicode escape character",
                              lit.start, lit.end);
    }
    *esc = lit.str[0];
    tok->end = lit.end;
    return true;
}

/* Collects the raw body of a U& literal (quotes undoubled) with each byte's source offset. */
static bool lex_u_collect(sql_lexer *lx, uint32_t quote, uint32_t end, char quote_char,
                          char **raw, uint32_t **at, uint32_t *len, rt_err *err) {
    uint32_t cap = end - quote;
    *raw = lex_alloc(lx, cap + 1, err);
    *at = *raw == NULL ? NULL : (uint32_t *)(void *)lex_alloc(lx, (cap + 1) * 4, err);
    if (*at == NULL) return false;
    uint32_t n = 0, where = 0;
    if (quote_char == '\'') {
        lex_body b = {lx, quote + 1, true};
        int c;
        while ((c = lex_body_next(&b, &where)) >= 0) {
            (*raw)[n] = (char)c;
            (*at)[n++] = where;
        }
    } else {
        for (uint32_t i = quote + 1; i + 1 < end; i++) {
            (*raw)[n] = lx->src[i];
            (*at)[n++] = i;
            if (lx->src[i] == '"') i++;
        }
    }
    (*at)[n] = end - 1;
    *len = n;
    return true;
}

/* A quoted literal; `mode`: 's' plain, 'e' E'', 'b' B'', 'x' X'', 'u' U&''. */
static bool lex_string(sql_lexer *lx, sql_token *tok, uint32_t quote, char mode, rt_err *err) {
    uint32_t start = lx->pos;
    uint32_t end = lex_string_end(lx, quote, mode);
    if (end == 0) {
        lx->pos = lx->len;
        const char *what = mode == 'b'   ? "unterminated bit string literal"
                           : mode == 'x' ? "unterminated hexadecimal string literal"
                                         : "unterminated quoted string";
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, what, start, lx->len);
    }
    tok->end = lx->pos = end;
    char *out = lex_alloc(lx, end - start + 2, err);
    if (out == NULL) return false;
    uint32_t n = 0;
    if (mode == 'e') {
        if (!lex_e_decode(lx, quote, out, &n, err)) return false;
    } else if (mode == 'u') {
        char *raw, esc;
        uint32_t *at, raw_len;
        if (!lex_u_collect(lx, quote, end, '\'', &raw, &at, &raw_len, err)) return false;
        if (!lex_uescape(lx, tok, &esc, err)) return false;
        if (!lex_u_decode(lx, raw, at, raw_len, esc, out, &n, err)) return false;
    } else {
        if (mode == 'x') out[n++] = 'x';
        lex_body b = {lx, quote + 1, mode == 's'};
        uint32_t where;
        int c;
        while ((c = lex_body_next(&b, &where)) >= 0) out[n++] = (char)c;
    }
    out[n] = '\0';
    tok->kind = mode == 'b' ? SQL_TOK_BCONST : mode == 'x' ? SQL_TOK_XCONST : SQL_TOK_SCONST;
    tok->str = out;
    tok->str_len = n;
    return true;
}

/* "..." or U&"...": a delimited identifier, kept as written (truncated to 63 bytes). */
static bool lex_quoted_ident(sql_lexer *lx, sql_token *tok, uint32_t quote, bool unicode,
                             rt_err *err) {
    uint32_t start = lx->pos, i = quote + 1, len = lx->len, raw_len = 0;
    const char *s = lx->src;
    for (;;) {
        if (i >= len) {
            lx->pos = len;
            return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                                  "unterminated quoted identifier", start, len);
        }
        if (s[i] == '"') {
            if (i + 1 < len && s[i + 1] == '"') {
                i += 2;
                raw_len++;
                continue;
            }
            break;
        }
        i++;
        raw_len++;
    }
    tok->end = lx->pos = i + 1;
    if (raw_len == 0) {
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, "zero-length delimited identifier",
                              start, i + 1);
    }
    char *raw, esc;
    uint32_t *at, n;
    if (unicode) {
        char *out = lex_alloc(lx, raw_len + 1, err);
        if (out == NULL || !lex_u_collect(lx, quote, i + 1, '"', &raw, &at, &n, err)) return false;
        if (!lex_uescape(lx, tok, &esc, err)) return false;
        if (!lex_u_decode(lx, raw, at, n, esc, out, &n, err)) return false;
        raw = out;
    } else {
        raw = lex_alloc(lx, raw_len + 1, err);
        if (raw == NULL) return false;
        n = 0;
        for (uint32_t k = quote + 1; k < i; k++) {
            raw[n++] = s[k];
            if (s[k] == '"') k++;
        }
    }
    tok->kind = SQL_TOK_IDENT;
    tok->quoted = true;
    tok->str = lex_ident_copy(lx, raw, n, false, &tok->str_len, err);
    return tok->str != NULL;
}

/* $tag$...$tag$ (tag may be empty); a '$' that starts no delimiter is a '$' token. */
static bool lex_dollar(sql_lexer *lx, sql_token *tok, rt_err *err) {
    uint32_t start = lx->pos, i = start + 1;
    if (lex_is(lx, i, LEX_IDENT_START)) {
        while (lex_is(lx, i, LEX_IDENT_CONT) && lx->src[i] != '$') i++;
    }
    if (lex_at(lx, i) != '$') {
        tok->kind = '$';
        tok->end = lx->pos = start + 1;
        return true;
    }
    uint32_t delim_len = i + 1 - start, body = i + 1;
    const char *delim = lx->src + start;
    /* memmem is linear (two-way), so a long tag cannot make the search quadratic. */
    const char *hit = memmem(lx->src + body, lx->len - body, delim, delim_len);
    if (hit == NULL) {
        lx->pos = lx->len;
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR,
                              "unterminated dollar-quoted string", start, lx->len);
    }
    uint32_t k = (uint32_t)(hit - lx->src);
    char *out = lex_alloc(lx, k - body + 1, err);
    if (out == NULL) return false;
    memcpy(out, lx->src + body, k - body);
    out[k - body] = '\0';
    tok->kind = SQL_TOK_SCONST;
    tok->str = out;
    tok->str_len = k - body;
    tok->end = lx->pos = k + delim_len;
    return true;
}

/* ---- operators ---- */

static bool lex_operator(sql_lexer *lx, sql_token *tok, rt_err *err) {
    const char *s = lx->src;
    uint32_t start = lx->pos, i = start;
    while (lex_is(lx, i, LEX_OP_CHAR)) {
        /* A comment start ends the operator: "*" then "/ * c * /". */
        if (i > start && ((s[i] == '*' && s[i - 1] == '/') || (s[i] == '-' && s[i - 1] == '-'))) {
            i--;
            break;
        }
        i++;
    }
    uint32_t n = i - start;
    if (n > 1 && (s[start + n - 1] == '+' || s[start + n - 1] == '-')) {
        bool keep = false;
        for (uint32_t k = start; k < start + n && !keep; k++) keep = strchr("~!@#^&|`?%", s[k]);
        while (!keep && n > 1 && (s[start + n - 1] == '+' || s[start + n - 1] == '-')) n--;
    }
    tok->end = lx->pos = start + n;
    if (n == 1 && strchr("+-*/%^<>=", s[start]) != NULL) {
        tok->kind = (uint8_t)s[start];
        return true;
    }
    if (n == 2) {
        char a = s[start], b = s[start + 1];
        if (a == '=' && b == '>') tok->kind = SQL_TOK_EQUALS_GREATER;
        if (a == '>' && b == '=') tok->kind = SQL_TOK_GREATER_EQUALS;
        if (a == '<' && b == '=') tok->kind = SQL_TOK_LESS_EQUALS;
        if ((a == '<' && b == '>') || (a == '!' && b == '=')) tok->kind = SQL_TOK_NOT_EQUALS;
        if (tok->kind != 0) return true;
    }
    if (n > SQL_LEX_OP_BYTES_MAX) {
        return lex_error_near(lx, err, SQLSTATE_SYNTAX_ERROR, "operator too long", start,
                              start + n);
    }
    char *text = lex_alloc(lx, n + 1, err);
    if (text == NULL) return false;
    memcpy(text, s + start, n);
    text[n] = '\0';
    tok->kind = SQL_TOK_OP;
    tok->str = text;
    tok->str_len = n;
    return true;
}

/* ---- the token loop ---- */

bool sql_lex_next(sql_lexer *lx, sql_token *tok, rt_err *err) {
    if (!lex_skip_space(lx, err)) return false;
    uint32_t pos = lx->pos;
    tok->kind = SQL_TOK_EOF;
    tok->kw = SQL_KW_INVALID;
    tok->start = pos;
    tok->str = NULL;
    tok->str_len = 0;
    tok->ival = 0;
    tok->quoted = false;
    if (pos >= lx->len) {
        tok->end = lx->len;
        return true;
    }
    uint8_t c = (uint8_t)lx->src[pos];
    uint8_t cls = lex_class[c];
    if (cls & LEX_IDENT_START) return lex_word(lx, tok, err);
    if (cls & LEX_DIGIT) return lex_number(lx, tok, err);
    switch (c) {
    case '\'':
        return lex_string(lx, tok, pos, 's', err);
    case '"':
        return lex_quoted_ident(lx, tok, pos, false, err);
    case '$':
        if (lex_is(lx, pos + 1, LEX_DIGIT)) return lex_param(lx, tok, err);
        return lex_dollar(lx, tok, err);
    case '.':
        if (lex_is(lx, pos + 1, LEX_DIGIT)) return lex_number(lx, tok, err);
        tok->kind = lex_at(lx, pos + 1) == '.' ? SQL_TOK_DOT_DOT : '.';
        tok->end = lx->pos = pos + (tok->kind == '.' ? 1 : 2);
        return true;
    case ':':
        tok->kind = lex_at(lx, pos + 1) == ':'   ? SQL_TOK_TYPECAST
                    : lex_at(lx, pos + 1) == '=' ? SQL_TOK_COLON_EQUALS
                                                 : ':';
        tok->end = lx->pos = pos + (tok->kind == ':' ? 1 : 2);
        return true;
    case 0:
        return lex_encoding_error((const uint8_t *)lx->src + pos, 1, err);
    default:
        break;
    }
    if (cls & LEX_OP_CHAR) return lex_operator(lx, tok, err);
    tok->kind = c; /* ( ) [ ] , ; and stray punctuation: the parser decides */
    tok->end = lx->pos = pos + 1;
    return true;
}
