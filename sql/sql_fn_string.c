/* sql_fn_string.c: PostgreSQL 15's basic text functions: `||`, lengths, lower/upper/initcap,
 * substr, position, replace, split_part, trims, left/right, pads, repeat, reverse, ascii, chr,
 * starts_with, translate, overlay, and the bytea forms PostgreSQL has for some of them.
 * Positions and lengths count characters of UTF-8 text (bytes for bytea). This file also
 * registers the functions of the other string modules (sql_fn_string_int.h). */
#include <string.h>

#include "sql/sql_fn_string_int.h"

#define SQL_STR_KERNEL(name)                                                                  \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

uint32_t sql_utf8_encode(uint32_t cp, uint8_t *out) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

uint8_t *sql_str_alloc(sql_fctx *f, uint64_t len) {
    if (len > SQL_VALUE_BYTES_MAX) {
        rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
        return NULL;
    }
    uint8_t *p = rt_arena_alloc(f->arena, len > 0 ? len : 1);
    if (p == NULL) rt_arena_fail(f->arena, f->err);
    return p;
}

bool sql_str_of_value(sql_fctx *f, const sql_vec *v, uint32_t i, sql_strbuf *sb,
                      sql_bytes *out) {
    if (sql_type_is_string(v->type_oid) || v->type_oid == SQL_T_UNKNOWN) {
        *out = v->b[i];
        return true;
    }
    sql_strbuf_reset(sb);
    sql_value x;
    sql_vec_get(v, i, &x);
    if (!sql_value_out(f->io, &x, v->typmod, sb)) return false;
    if (sb->failed) return rt_arena_fail(f->arena, f->err);
    *out = (sql_bytes){.ptr = (const uint8_t *)sb->data, .len = sb->len};
    return true;
}

bool sql_str_cast_text(sql_fctx *f, const sql_vec *v, uint32_t i, sql_strbuf *sb,
                       sql_bytes *out) {
    if (v->type_oid == SQL_T_BOOL) {
        const char *word = v->i64[i] ? "true" : "false";
        *out = (sql_bytes){.ptr = (const uint8_t *)word, .len = (uint32_t)strlen(word)};
        return true;
    }
    if (!sql_str_of_value(f, v, i, sb, out)) return false;
    if (v->type_oid == SQL_T_BPCHAR) {
        while (out->len > 0 && out->ptr[out->len - 1] == ' ') out->len--;
    }
    return true;
}

/* Sets row i to the concatenation of a and b. */
static bool sql_str_concat2(sql_fctx *f, sql_vec *out, uint32_t i, sql_bytes a, sql_bytes b) {
    uint8_t *p = sql_str_alloc(f, (uint64_t)a.len + b.len);
    if (p == NULL) return false;
    if (a.len > 0) memcpy(p, a.ptr, a.len);
    if (b.len > 0) memcpy(p + a.len, b.ptr, b.len);
    sql_str_set(out, i, p, a.len + b.len);
    return true;
}

/* ---- || ---- */

/* text || text, bytea || bytea, and text || anynonarray / anynonarray || text: the non-text
 * side is cast to text. */
SQL_STR_KERNEL(sql_str_cat) {
    sql_strbuf sa, sb;
    sql_strbuf_init(&sa, f->arena, 32);
    sql_strbuf_init(&sb, f->arena, 32);
    bool bytea = args[0]->type_oid == SQL_T_BYTEA;
    SQL_FOR_ACTIVE(i) {
        /* only bytea reads the bytes as they are: a number's vector holds 8-byte values */
        sql_bytes a = bytea ? args[0]->b[i] : (sql_bytes){0};
        sql_bytes b = bytea ? args[1]->b[i] : (sql_bytes){0};
        if (!bytea && (!sql_str_cast_text(f, args[0], i, &sa, &a) ||
                       !sql_str_cast_text(f, args[1], i, &sb, &b))) {
            return false;
        }
        if (!sql_str_concat2(f, out, i, a, b)) return false;
    }
    return true;
}

/* text || anynonarray: PostgreSQL has no such operator for arrays (the binder's polymorphic
 * match does not exclude them), so say what PostgreSQL says. */
static bool sql_str_anycat_prepare(rt_arena *arena, sql_expr *call, rt_err *err) {
    uint32_t l = call->args[0]->type_oid, r = call->args[1]->type_oid;
    if (sql_type_elem_of(l) == 0 && sql_type_elem_of(r) == 0) return true;
    sql_strbuf lb, rb;
    sql_strbuf_init(&lb, arena, 32);
    sql_strbuf_init(&rb, arena, 32);
    sql_type_format(l, -1, &lb);
    sql_type_format(r, -1, &rb);
    if (lb.failed || rb.failed) return rt_arena_fail(arena, err);
    rt_err_set(err, SQLSTATE_UNDEFINED_FUNCTION, "operator does not exist: %.*s || %.*s",
               (int)lb.len, lb.data, (int)rb.len, rb.data);
    rt_err_hint(err, "No operator matches the given name and argument types. You might need to "
                     "add explicit type casts.");
    return false;
}

/* ---- lengths ---- */

SQL_STR_KERNEL(sql_str_char_length) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = sql_utf8_chars(args[0]->b[i].ptr, args[0]->b[i].len);
    return true;
}

SQL_STR_KERNEL(sql_str_octet_length) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = args[0]->b[i].len;
    return true;
}

SQL_STR_KERNEL(sql_str_bit_length) {
    (void)f;
    SQL_FOR_ACTIVE(i) out->i64[i] = (int64_t)args[0]->b[i].len * 8;
    return true;
}

/* ---- case: ASCII letters only (LC_CTYPE=C); other bytes, multibyte ones included, stay ---- */

typedef enum sql_case_op { CASE_LOWER, CASE_UPPER, CASE_INITCAP } sql_case_op;

static inline bool sql_ascii_alnum(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool sql_str_case(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, sql_case_op op) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i];
        uint8_t *p = sql_str_alloc(f, s.len);
        if (p == NULL) return false;
        bool in_word = false;
        for (uint32_t k = 0; k < s.len; k++) {
            uint8_t c = s.ptr[k];
            if (op == CASE_LOWER) {
                p[k] = sql_ascii_lower(c);
            } else if (op == CASE_UPPER) {
                p[k] = sql_ascii_upper(c);
            } else {
                p[k] = in_word ? sql_ascii_lower(c) : sql_ascii_upper(c);
                in_word = sql_ascii_alnum(c);
            }
        }
        sql_str_set(out, i, p, s.len);
    }
    return true;
}

SQL_STR_KERNEL(sql_str_lower) { return sql_str_case(f, n, active, args, out, CASE_LOWER); }
SQL_STR_KERNEL(sql_str_upper) { return sql_str_case(f, n, active, args, out, CASE_UPPER); }
SQL_STR_KERNEL(sql_str_initcap) { return sql_str_case(f, n, active, args, out, CASE_INITCAP); }

/* ---- substr ---- */

static bool sql_str_negative_length(sql_fctx *f) {
    return rt_err_set(f->err, SQLSTATE_SUBSTRING_ERROR, "negative substring length not allowed");
}

/* Byte range of the characters (bytes, for bytea) [start, start + count) of s, 1-based,
 * clipped to the string; count < 0 means to the end. */
static void sql_str_substr_range(sql_bytes s, bool bytes, int64_t start, int64_t count,
                                 uint32_t *from, uint32_t *to) {
    int64_t end = count < 0 ? INT64_MAX : start + count;
    if (start < 1) start = 1;
    if (end <= start || (uint64_t)(start - 1) >= s.len) {
        *from = *to = 0;
        return;
    }
    if (bytes) {
        *from = (uint32_t)(start - 1);
        *to = end - 1 >= (int64_t)s.len ? s.len : (uint32_t)(end - 1);
        return;
    }
    *from = sql_str_char_offset(s.ptr, s.len, (uint64_t)(start - 1));
    *to = end == INT64_MAX ? s.len
                           : *from + sql_str_char_offset(s.ptr + *from, s.len - *from,
                                                         (uint64_t)(end - start));
}

SQL_STR_KERNEL(sql_str_substr) {
    bool bytes = args[0]->type_oid == SQL_T_BYTEA;
    bool has_count = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        int64_t count = has_count ? args[2]->i64[i] : -1;
        if (count < 0 && has_count) return sql_str_negative_length(f);
        uint32_t a, b;
        sql_str_substr_range(args[0]->b[i], bytes, args[1]->i64[i], count, &a, &b);
        if (!sql_fn_text(f, out, i, args[0]->b[i].ptr + a, b - a)) return false;
    }
    return true;
}

/* ---- position ---- */

/* Byte offset of the first occurrence of needle in hay, or -1. */
static int64_t sql_str_find(sql_bytes hay, sql_bytes needle, uint32_t from) {
    if (needle.len == 0) return from <= hay.len ? (int64_t)from : -1;
    if (from >= hay.len) return -1;
    const uint8_t *hit = memmem(hay.ptr + from, hay.len - from, needle.ptr, needle.len);
    return hit == NULL ? -1 : hit - hay.ptr;
}

SQL_STR_KERNEL(sql_str_position) {
    (void)f;
    bool bytes = args[0]->type_oid == SQL_T_BYTEA;
    SQL_FOR_ACTIVE(i) {
        int64_t at = sql_str_find(args[0]->b[i], args[1]->b[i], 0);
        if (at < 0) out->i64[i] = 0;
        else out->i64[i] = 1 + (bytes ? at : sql_utf8_chars(args[0]->b[i].ptr, (uint32_t)at));
    }
    return true;
}

SQL_STR_KERNEL(sql_str_starts_with) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i], p = args[1]->b[i];
        out->i64[i] = p.len <= s.len && (p.len == 0 || memcmp(s.ptr, p.ptr, p.len) == 0);
    }
    return true;
}

/* ---- replace, split_part ---- */

static bool sql_str_replace_row(sql_fctx *f, sql_vec *out, uint32_t i, sql_bytes s,
                                sql_bytes from, sql_bytes to) {
    if (from.len == 0) return sql_fn_text(f, out, i, s.ptr, s.len);
    uint64_t hits = 0;
    for (int64_t at = sql_str_find(s, from, 0); at >= 0;
         at = sql_str_find(s, from, (uint32_t)at + from.len)) {
        hits++;
    }
    if (hits == 0) return sql_fn_text(f, out, i, s.ptr, s.len);
    uint8_t *p = sql_str_alloc(f, s.len + hits * to.len - hits * from.len);
    if (p == NULL) return false;
    uint32_t w = 0, prev = 0;
    for (int64_t at = sql_str_find(s, from, 0); at >= 0;
         at = sql_str_find(s, from, prev)) {
        memcpy(p + w, s.ptr + prev, (uint32_t)at - prev);
        w += (uint32_t)at - prev;
        if (to.len > 0) memcpy(p + w, to.ptr, to.len);
        w += to.len;
        prev = (uint32_t)at + from.len;
    }
    memcpy(p + w, s.ptr + prev, s.len - prev);
    sql_str_set(out, i, p, w + s.len - prev);
    return true;
}

SQL_STR_KERNEL(sql_str_replace) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_str_replace_row(f, out, i, args[0]->b[i], args[1]->b[i], args[2]->b[i])) {
            return false;
        }
    }
    return true;
}

/* Field `field` (1-based; negative counts from the end) of s split at delim. */
static bool sql_str_split_row(sql_fctx *f, sql_vec *out, uint32_t i, sql_bytes s,
                              sql_bytes delim, int64_t field) {
    if (delim.len == 0 || s.len == 0) { /* one field: the whole string (none if empty) */
        bool whole = s.len > 0 && (field == 1 || field == -1);
        return sql_fn_text(f, out, i, s.ptr, whole ? s.len : 0);
    }
    if (field < 0) {
        int64_t fields = 1;
        for (int64_t at = sql_str_find(s, delim, 0); at >= 0;
             at = sql_str_find(s, delim, (uint32_t)at + delim.len)) {
            fields++;
        }
        field = fields + field + 1;
        if (field < 1) return sql_fn_text(f, out, i, s.ptr, 0);
    }
    uint32_t start = 0;
    for (int64_t k = 1; k < field; k++) {
        int64_t at = sql_str_find(s, delim, start);
        if (at < 0) return sql_fn_text(f, out, i, s.ptr, 0);
        start = (uint32_t)at + delim.len;
    }
    int64_t end = sql_str_find(s, delim, start);
    return sql_fn_text(f, out, i, s.ptr + start, (end < 0 ? s.len : (uint32_t)end) - start);
}

SQL_STR_KERNEL(sql_str_split_part) {
    SQL_FOR_ACTIVE(i) {
        if (args[2]->i64[i] == 0) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "field position must not be zero");
        }
        if (!sql_str_split_row(f, out, i, args[0]->b[i], args[1]->b[i], args[2]->i64[i])) {
            return false;
        }
    }
    return true;
}

/* ---- trims ---- */

/* Is the character (or byte) at p, of clen bytes, one of those in set? */
static bool sql_str_in_set(sql_bytes set, const uint8_t *p, uint32_t clen, bool bytes) {
    for (uint32_t k = 0; k < set.len;) {
        uint32_t sl = bytes ? 1 : sql_utf8_seq_len(set.ptr[k]);
        if (sl == clen && memcmp(set.ptr + k, p, clen) == 0) return true;
        k += sl;
    }
    return false;
}

enum { TRIM_LEFT = 1, TRIM_RIGHT = 2, TRIM_BOTH = 3 };

static void sql_str_trim_range(sql_bytes s, sql_bytes set, bool bytes, int sides,
                               uint32_t *from, uint32_t *to) {
    uint32_t a = 0, b = s.len;
    while ((sides & TRIM_LEFT) && a < b) {
        uint32_t cl = bytes ? 1 : sql_utf8_seq_len(s.ptr[a]);
        if (!sql_str_in_set(set, s.ptr + a, cl, bytes)) break;
        a += cl;
    }
    while ((sides & TRIM_RIGHT) && b > a) {
        uint32_t start = b - 1;
        while (!bytes && start > a && (s.ptr[start] & 0xC0) == 0x80) start--;
        if (!sql_str_in_set(set, s.ptr + start, b - start, bytes)) break;
        b = start;
    }
    *from = a;
    *to = b;
}

static bool sql_str_trim(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, int sides) {
    static const uint8_t space = ' ';
    bool bytes = args[0]->type_oid == SQL_T_BYTEA;
    bool has_set = f->call->nargs > 1;
    SQL_FOR_ACTIVE(i) {
        sql_bytes set = has_set ? args[1]->b[i] : (sql_bytes){.ptr = &space, .len = 1};
        uint32_t a, b;
        sql_str_trim_range(args[0]->b[i], set, bytes, sides, &a, &b);
        if (!sql_fn_text(f, out, i, args[0]->b[i].ptr + a, b - a)) return false;
    }
    return true;
}

SQL_STR_KERNEL(sql_str_btrim) { return sql_str_trim(f, n, active, args, out, TRIM_BOTH); }
SQL_STR_KERNEL(sql_str_ltrim) { return sql_str_trim(f, n, active, args, out, TRIM_LEFT); }
SQL_STR_KERNEL(sql_str_rtrim) { return sql_str_trim(f, n, active, args, out, TRIM_RIGHT); }

/* ---- left, right ---- */

SQL_STR_KERNEL(sql_str_left) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i];
        int64_t k = args[1]->i64[i];
        uint32_t end;
        if (k >= 0) {
            end = sql_str_char_offset(s.ptr, s.len, (uint64_t)k);
        } else {
            int64_t keep = (int64_t)sql_utf8_chars(s.ptr, s.len) + k;
            end = keep <= 0 ? 0 : sql_str_char_offset(s.ptr, s.len, (uint64_t)keep);
        }
        if (!sql_fn_text(f, out, i, s.ptr, end)) return false;
    }
    return true;
}

SQL_STR_KERNEL(sql_str_right) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i];
        int64_t k = args[1]->i64[i], skip;
        if (k >= 0) {
            skip = (int64_t)sql_utf8_chars(s.ptr, s.len) - k;
            if (skip < 0) skip = 0;
        } else {
            skip = k == INT32_MIN ? 0 : -k; /* PostgreSQL's negation wraps: the whole string */
        }
        uint32_t start = sql_str_char_offset(s.ptr, s.len, (uint64_t)skip);
        if (!sql_fn_text(f, out, i, s.ptr + start, s.len - start)) return false;
    }
    return true;
}

/* ---- lpad, rpad, repeat ---- */

/* Pads s to `len` characters with `fill` repeated, on the left or the right; a longer s is
 * cut to `len` characters (on the right, for both), as PostgreSQL does. */
static bool sql_str_pad_row(sql_fctx *f, sql_vec *out, uint32_t i, sql_bytes s, int64_t len,
                            sql_bytes fill, bool left) {
    if (len <= 0) return sql_fn_text(f, out, i, s.ptr, 0);
    uint32_t chars = sql_utf8_chars(s.ptr, s.len);
    if (chars >= len || fill.len == 0) {
        return sql_fn_text(f, out, i, s.ptr, sql_str_char_offset(s.ptr, s.len, (uint64_t)len));
    }
    uint64_t pad = (uint64_t)len - chars, fill_chars = sql_utf8_chars(fill.ptr, fill.len);
    uint64_t pad_bytes = pad / fill_chars * fill.len +
                         sql_str_char_offset(fill.ptr, fill.len, pad % fill_chars);
    uint8_t *p = sql_str_alloc(f, pad_bytes + s.len);
    if (p == NULL) return false;
    uint8_t *q = p + (left ? 0 : s.len);
    for (uint64_t w = 0; w < pad_bytes; w += fill.len) {
        uint64_t k = pad_bytes - w < fill.len ? pad_bytes - w : fill.len;
        memcpy(q + w, fill.ptr, k);
    }
    memcpy(p + (left ? pad_bytes : 0), s.ptr, s.len);
    sql_str_set(out, i, p, (uint32_t)(pad_bytes + s.len));
    return true;
}

static bool sql_str_pad(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out, bool left) {
    static const uint8_t space = ' ';
    bool has_fill = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        sql_bytes fill = has_fill ? args[2]->b[i] : (sql_bytes){.ptr = &space, .len = 1};
        if (!sql_str_pad_row(f, out, i, args[0]->b[i], args[1]->i64[i], fill, left)) {
            return false;
        }
    }
    return true;
}

SQL_STR_KERNEL(sql_str_lpad) { return sql_str_pad(f, n, active, args, out, true); }
SQL_STR_KERNEL(sql_str_rpad) { return sql_str_pad(f, n, active, args, out, false); }

SQL_STR_KERNEL(sql_str_repeat) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i];
        int64_t count = args[1]->i64[i] < 0 || s.len == 0 ? 0 : args[1]->i64[i];
        uint8_t *p = sql_str_alloc(f, (uint64_t)count * s.len);
        if (p == NULL) return false;
        for (int64_t k = 0; k < count; k++) memcpy(p + (uint64_t)k * s.len, s.ptr, s.len);
        sql_str_set(out, i, p, (uint32_t)((uint64_t)count * s.len));
    }
    return true;
}

/* ---- reverse, ascii, chr ---- */

SQL_STR_KERNEL(sql_str_reverse) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i];
        uint8_t *p = sql_str_alloc(f, s.len);
        if (p == NULL) return false;
        for (uint32_t k = 0; k < s.len;) {
            uint32_t cl = sql_utf8_seq_len(s.ptr[k]);
            memcpy(p + s.len - k - cl, s.ptr + k, cl);
            k += cl;
        }
        sql_str_set(out, i, p, s.len);
    }
    return true;
}

SQL_STR_KERNEL(sql_str_ascii) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        uint32_t cl;
        out->i64[i] = args[0]->b[i].len == 0 ? 0 : sql_utf8_decode(args[0]->b[i].ptr, &cl);
    }
    return true;
}

SQL_STR_KERNEL(sql_str_chr) {
    SQL_FOR_ACTIVE(i) {
        int64_t cp = args[0]->i64[i];
        if (cp == 0) {
            return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "null character not permitted");
        }
        if (cp < 0) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "character number must be positive");
        }
        if (cp > 0x10FFFF) {
            return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "requested character too large for encoding: %lld",
                              (long long)cp);
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "requested character not valid for encoding: %lld",
                              (long long)cp);
        }
        uint8_t buf[4];
        if (!sql_fn_text(f, out, i, buf, sql_utf8_encode((uint32_t)cp, buf))) return false;
    }
    return true;
}

/* ---- translate ---- */

/* Byte offsets of each character of s (plus the end), in the arena. */
static uint32_t *sql_str_char_starts(sql_fctx *f, sql_bytes s, uint32_t *count) {
    uint32_t *starts = rt_arena_alloc(f->arena, sizeof(uint32_t) * (s.len + 1));
    if (starts == NULL) {
        rt_arena_fail(f->arena, f->err);
        return NULL;
    }
    uint32_t k = 0;
    for (uint32_t b = 0; b < s.len; b += sql_utf8_seq_len(s.ptr[b])) starts[k++] = b;
    starts[k] = s.len;
    *count = k;
    return starts;
}

static bool sql_str_translate_row(sql_fctx *f, sql_vec *out, uint32_t i, sql_bytes s,
                                  sql_bytes from, sql_bytes to) {
    uint32_t nfrom, nto;
    uint32_t *fs = sql_str_char_starts(f, from, &nfrom), *ts = sql_str_char_starts(f, to, &nto);
    /* Each character is replaced by at most one of `to`'s (4 bytes at most). */
    uint8_t *p = fs != NULL && ts != NULL ? sql_str_alloc(f, (uint64_t)s.len * 4) : NULL;
    if (p == NULL) return false;
    uint32_t w = 0;
    for (uint32_t b = 0; b < s.len;) {
        uint32_t cl = sql_utf8_seq_len(s.ptr[b]), k = 0;
        while (k < nfrom && (fs[k + 1] - fs[k] != cl || memcmp(from.ptr + fs[k], s.ptr + b, cl)))
            k++;
        if (k == nfrom) {
            memcpy(p + w, s.ptr + b, cl);
            w += cl;
        } else if (k < nto) {
            memcpy(p + w, to.ptr + ts[k], ts[k + 1] - ts[k]);
            w += ts[k + 1] - ts[k];
        }
        b += cl;
    }
    sql_str_set(out, i, p, w);
    return true;
}

SQL_STR_KERNEL(sql_str_translate) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_str_translate_row(f, out, i, args[0]->b[i], args[1]->b[i], args[2]->b[i])) {
            return false;
        }
    }
    return true;
}

/* ---- overlay ---- */

/* overlay(s placing r from start for count) = substr(s, 1, start - 1) || r ||
 * substr(s, start + count), with PostgreSQL's errors for each piece. */
SQL_STR_KERNEL(sql_str_overlay) {
    bool bytes = args[0]->type_oid == SQL_T_BYTEA;
    bool has_count = f->call->nargs > 3;
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i], r = args[1]->b[i];
        int64_t start = args[2]->i64[i];
        int64_t count = has_count ? args[3]->i64[i]
                                  : (bytes ? r.len : sql_utf8_chars(r.ptr, r.len));
        int64_t rest = start + count;
        if (start <= 0) return sql_str_negative_length(f);
        if (rest > INT32_MAX || rest < INT32_MIN) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "integer out of range");
        }
        uint32_t a0, a1, b0, b1;
        sql_str_substr_range(s, bytes, 1, start - 1, &a0, &a1);
        sql_str_substr_range(s, bytes, rest, -1, &b0, &b1);
        uint8_t *p = sql_str_alloc(f, (uint64_t)(a1 - a0) + r.len + (b1 - b0));
        if (p == NULL) return false;
        memcpy(p, s.ptr + a0, a1 - a0);
        if (r.len > 0) memcpy(p + (a1 - a0), r.ptr, r.len);
        memcpy(p + (a1 - a0) + r.len, s.ptr + b0, b1 - b0);
        sql_str_set(out, i, p, (a1 - a0) + r.len + (b1 - b0));
    }
    return true;
}

/* ---- registration ---- */

#define T SQL_T_TEXT
#define BA SQL_T_BYTEA
#define BP SQL_T_BPCHAR
#define I4 SQL_T_INT4
#define ST SQL_F_STRICT
#define LP (SQL_F_STRICT | SQL_F_LEAKPROOF) /* what PostgreSQL marks leakproof */
#define FN(nm, r, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,         \
                           .args = {__VA_ARGS__}, .ret = r, .flags = ST, .fn = k}
#define OP2(sym, l, r, res, k, pro) {.name = sym, .is_operator = true, .nargs = 2,              \
                                     .args = {l, r}, .ret = res, .flags = ST, .fn = k,          \
                                     .proname = pro}

static const sql_func_def sql_string_defs[] = {
    OP2("||", T, T, T, sql_str_cat, "textcat"),
    {.name = "||", .is_operator = true, .nargs = 2, .args = {T, SQL_T_ANYNONARRAY}, .ret = T,
     .flags = SQL_F_STRICT | SQL_F_STABLE, .fn = sql_str_cat, .prepare = sql_str_anycat_prepare,
     .proname = "textanycat"},
    {.name = "||", .is_operator = true, .nargs = 2, .args = {SQL_T_ANYNONARRAY, T}, .ret = T,
     .flags = SQL_F_STRICT | SQL_F_STABLE, .fn = sql_str_cat, .prepare = sql_str_anycat_prepare,
     .proname = "anytextcat"},
    OP2("||", BA, BA, BA, sql_str_cat, "byteacat"),
    FN("textcat", T, sql_str_cat, T, T), FN("byteacat", BA, sql_str_cat, BA, BA),
    FN("length", I4, sql_str_char_length, T), FN("char_length", I4, sql_str_char_length, T),
    FN("character_length", I4, sql_str_char_length, T),
    FN("length", I4, sql_str_octet_length, BA), FN("octet_length", I4, sql_str_octet_length, T),
    FN("octet_length", I4, sql_str_octet_length, BP),
    FN("octet_length", I4, sql_str_octet_length, BA),
    FN("bit_length", I4, sql_str_bit_length, T), FN("bit_length", I4, sql_str_bit_length, BA),
    FN("lower", T, sql_str_lower, T), FN("upper", T, sql_str_upper, T),
    FN("initcap", T, sql_str_initcap, T),
    FN("substr", T, sql_str_substr, T, I4), FN("substr", T, sql_str_substr, T, I4, I4),
    FN("substring", T, sql_str_substr, T, I4), FN("substring", T, sql_str_substr, T, I4, I4),
    FN("substr", BA, sql_str_substr, BA, I4), FN("substr", BA, sql_str_substr, BA, I4, I4),
    FN("substring", BA, sql_str_substr, BA, I4),
    FN("substring", BA, sql_str_substr, BA, I4, I4),
    FN("strpos", I4, sql_str_position, T, T), FN("position", I4, sql_str_position, T, T),
    FN("position", I4, sql_str_position, BA, BA),
    {.name = "starts_with", .nargs = 2, .args = {T, T}, .ret = SQL_T_BOOL, .flags = LP,
     .fn = sql_str_starts_with},
    {.name = "^@", .is_operator = true, .nargs = 2, .args = {T, T}, .ret = SQL_T_BOOL,
     .flags = LP, .fn = sql_str_starts_with, .proname = "starts_with"},
    FN("replace", T, sql_str_replace, T, T, T),
    FN("split_part", T, sql_str_split_part, T, T, I4),
    FN("btrim", T, sql_str_btrim, T), FN("btrim", T, sql_str_btrim, T, T),
    FN("ltrim", T, sql_str_ltrim, T), FN("ltrim", T, sql_str_ltrim, T, T),
    FN("rtrim", T, sql_str_rtrim, T), FN("rtrim", T, sql_str_rtrim, T, T),
    FN("btrim", BA, sql_str_btrim, BA, BA), FN("ltrim", BA, sql_str_ltrim, BA, BA),
    FN("rtrim", BA, sql_str_rtrim, BA, BA),
    FN("left", T, sql_str_left, T, I4), FN("right", T, sql_str_right, T, I4),
    FN("lpad", T, sql_str_lpad, T, I4), FN("lpad", T, sql_str_lpad, T, I4, T),
    FN("rpad", T, sql_str_rpad, T, I4), FN("rpad", T, sql_str_rpad, T, I4, T),
    FN("repeat", T, sql_str_repeat, T, I4), FN("reverse", T, sql_str_reverse, T),
    FN("ascii", I4, sql_str_ascii, T), FN("chr", T, sql_str_chr, I4),
    FN("translate", T, sql_str_translate, T, T, T),
    FN("overlay", T, sql_str_overlay, T, T, I4), FN("overlay", T, sql_str_overlay, T, T, I4, I4),
    FN("overlay", BA, sql_str_overlay, BA, BA, I4),
    FN("overlay", BA, sql_str_overlay, BA, BA, I4, I4),
};

void sql_funcs_register_string(void) {
    sql_funcs_register(sql_string_defs, sizeof sql_string_defs / sizeof sql_string_defs[0]);
    sql_fn_strfmt_register();
    sql_fn_like_register();
    sql_fn_regexp_register();
    sql_fn_bytea_register();
}
