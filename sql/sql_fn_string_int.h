/* sql_fn_string_int.h: private header of the string function modules, PostgreSQL 15's text
 * functions and operators:
 *   sql_fn_string.c  `||`, lengths, case, substrings, positions, trims, pads, repeat, reverse,
 *                    ascii/chr, translate, overlay, split_part, starts_with (registers all);
 *   sql_fn_strfmt.c  concat, concat_ws, format, quote_*, to_hex, md5/sha*, encode/decode,
 *                    string_to_array, array_to_string;
 *   sql_fn_like.c    LIKE / ILIKE (~~ !~~ ~~* !~~*), like_escape, similar_to_escape and the
 *                    SQL-regex substring;
 *   sql_fn_regex.c   PostgreSQL's ARE syntax translated to POSIX ERE for the C library's
 *                    regcomp, and the per-shard cache of compiled patterns;
 *   sql_fn_regexp.c  ~ !~ ~* !~*, substring(from pattern), regexp_* functions.
 * Core:    kernels run on any shard. The regex cache is per thread (each shard has its own),
 *          so compiled patterns are never shared between cores.
 * Memory:  results live in the call's arena (f->arena); nothing is malloc'd per row. Compiled
 *          patterns are long-lived per-shard memory (regcomp's own), at most SQL_RE_CACHE_SIZE
 *          of them, freed on eviction and when the thread exits.
 * Errors:  PostgreSQL 15's SQLSTATEs and messages: 22011 negative substring length, 2201B
 *          invalid regular expression, 22025 LIKE escapes, 22023 bad parameter values, 22003
 *          integer out of range, 54000 results longer than SQL_VALUE_BYTES_MAX.
 * Text:    UTF-8, validated on input, so character steps read lead bytes only. Case mapping
 *          and character classes are ASCII only, as PostgreSQL's with LC_CTYPE=C. */
#ifndef SQL_FN_STRING_INT_H
#define SQL_FN_STRING_INT_H

#include "sql/sql_funcs_int.h"

/* ---- UTF-8 ---- */

/* Bytes of the character that starts with `lead` (valid UTF-8). */
static inline uint32_t sql_utf8_seq_len(uint8_t lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* The code point at p (valid UTF-8); *len gets its byte length. */
static inline uint32_t sql_utf8_decode(const uint8_t *p, uint32_t *len) {
    uint8_t c = p[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c < 0xE0) {
        *len = 2;
        return (uint32_t)(c & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if (c < 0xF0) {
        *len = 3;
        return (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    *len = 4;
    return (uint32_t)(c & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
           (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

/* Writes code point `cp` (<= 0x10FFFF) as UTF-8; returns the byte count (1..4). */
uint32_t sql_utf8_encode(uint32_t cp, uint8_t *out);

static inline uint8_t sql_ascii_lower(uint8_t c) {
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}
static inline uint8_t sql_ascii_upper(uint8_t c) {
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
}

/* ---- results ---- */

/* `len` bytes for a result in f->arena: 54000 "requested length too large" past
 * SQL_VALUE_BYTES_MAX, 53200 past the arena budget; NULL then (error set). */
uint8_t *sql_str_alloc(sql_fctx *f, uint64_t len);

static inline void sql_str_set(sql_vec *out, uint32_t i, const uint8_t *p, uint32_t len) {
    out->nulls[i] = 0;
    out->b[i] = (sql_bytes){.ptr = p, .len = len};
}

/* The text form of row i of v: string types as they are (char(n) with its padding, as its
 * output function prints it), other types by their output function into `sb` (reset first;
 * *out then points into it until sb is used again). False with f->err set on failure. */
bool sql_str_of_value(sql_fctx *f, const sql_vec *v, uint32_t i, sql_strbuf *sb, sql_bytes *out);

/* Row i of v as a cast to text makes it (PostgreSQL's `x::text`, used by text || anynonarray
 * and quote_literal(anyelement)): as sql_str_of_value, except that char(n) loses its
 * trailing spaces and booleans read true / false. */
bool sql_str_cast_text(sql_fctx *f, const sql_vec *v, uint32_t i, sql_strbuf *sb,
                       sql_bytes *out);

/* Byte offset in s[0, len) of character `chars` (0-based), or len if the string is shorter. */
static inline uint32_t sql_str_char_offset(const uint8_t *s, uint32_t len, uint64_t chars) {
    uint32_t i = 0;
    while (chars > 0 && i < len) {
        i += sql_utf8_seq_len(s[i]);
        chars--;
    }
    return i < len ? i : len;
}

/* ---- registration of the sub-modules (sql_funcs_register_string calls them) ---- */
void sql_fn_strfmt_register(void);
void sql_fn_like_register(void);
void sql_fn_regexp_register(void);
void sql_fn_bytea_register(void);

/* ---- LIKE (sql_fn_like.c), shared with the SQL-regex substring ---- */

/* SIMILAR TO's pattern as a POSIX regular expression, as similar_to_escape() returns it.
 * `esc`: NULL = the default escape '\', empty = no escape. */
bool sql_similar_translate(sql_fctx *f, sql_bytes pat, const sql_bytes *esc, sql_strbuf *out);

/* ---- regular expressions (sql_fn_regex.c) ---- */

#define SQL_RE_CACHE_SIZE 32       /* compiled patterns kept per shard (PostgreSQL keeps 32) */
#define SQL_RE_GROUPS_MAX 255      /* capturing groups in one pattern (regexp_match's array) */

/* Options, from a flags argument or the operator (~* is SQL_RE_ICASE). PostgreSQL's n (or m)
 * is NLSTOP | NLANCH, p is NLSTOP alone, w is NLANCH alone, s is neither. */
enum {
    SQL_RE_ICASE = 1u << 0,       /* i: ASCII letters match either case */
    SQL_RE_NLSTOP = 1u << 1,      /* . and [^...] do not match a newline */
    SQL_RE_NLANCH = 1u << 2,      /* ^ and $ also match after and before a newline */
    SQL_RE_EXPANDED = 1u << 3,    /* x: white space and #-comments ignored */
    SQL_RE_LITERAL = 1u << 4,     /* q: the whole pattern is literal text */
    SQL_RE_BASIC = 1u << 5,       /* b: POSIX basic syntax (not supported) */
    SQL_RE_GLOBAL = 1u << 6,      /* g: every match (functions only, not part of a pattern) */
};

typedef struct sql_regex sql_regex;

/* Parses a flags argument. `fn` names the function for "does not support the global option"
 * when `allow_global` is false (NULL: the option is rejected as unknown). */
bool sql_re_flags_parse(sql_fctx *f, sql_bytes flags, const char *fn, bool allow_global,
                        uint32_t *opts);

/* The compiled pattern for (pattern, opts) from this shard's cache, compiled on a miss; NULL
 * with 2201B "invalid regular expression: ..." (or 0A000 for ARE features the C library lacks).
 * Valid until the next sql_re_get on this thread. */
const sql_regex *sql_re_get(sql_fctx *f, sql_bytes pattern, uint32_t opts);
/* Checks a constant pattern at bind time (errors as sql_re_get); `arena` for temporaries. */
bool sql_re_check(rt_arena *arena, rt_err *err, sql_bytes pattern, uint32_t opts);

/* Capturing groups the pattern has (PostgreSQL's count: (?:...) excluded). */
uint32_t sql_re_groups(const sql_regex *re);

/* One match: byte offsets of the whole match ([0]) and of groups 1..groups (-1 = unset). */
typedef struct sql_re_match {
    int32_t so[SQL_RE_GROUPS_MAX + 1];
    int32_t eo[SQL_RE_GROUPS_MAX + 1];
} sql_re_match;

/* Finds the first match starting at or after byte `start` of s[0, len) (the text before
 * `start` still counts for anchors and word boundaries). Returns 1 with *m filled (the groups
 * only when `groups`: placing them costs more), 0 when there is none, -1 on error. */
int sql_re_exec(sql_fctx *f, const sql_regex *re, const uint8_t *s, uint32_t len, uint32_t start,
                bool groups, sql_re_match *m);

/* Does s[0, len) contain a match? 1 yes, 0 no, -1 error (f->err set). */
int sql_re_test(sql_fctx *f, const sql_regex *re, const uint8_t *s, uint32_t len);

/* Per-call pattern state built by prepare when the pattern (and flags) are constants. */
typedef struct sql_re_const {
    sql_bytes pattern;
    uint32_t opts;
} sql_re_const;

#endif
