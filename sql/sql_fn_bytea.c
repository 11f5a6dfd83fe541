/* sql_fn_bytea.c: PostgreSQL 15's byte-level bytea functions and the encoding conversions
 * between text and bytea: get_byte, set_byte, convert_to(text, name) and
 * convert_from(bytea, name). The server encoding is UTF8; the encodings converted to and from
 * are UTF8, SQL_ASCII and LATIN1 (names compared as PostgreSQL does: case and punctuation
 * ignored, so 'utf-8' is UTF8); other valid names are 0A000, unknown ones 22023.
 * Errors: 2202E index out of range, 22021 bytes that are not valid UTF-8, 22P05 a character
 * LATIN1 has not. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_fn_string_int.h"

#define SQL_BYTEA_KERNEL(name)                                                                \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

typedef enum sql_enc { SQL_ENC_UTF8, SQL_ENC_ASCII, SQL_ENC_LATIN1 } sql_enc;

/* ---- get_byte, set_byte ---- */

static bool sql_bytea_index(sql_fctx *f, sql_bytes b, int64_t at) {
    if (at >= 0 && at < (int64_t)b.len) return true;
    return rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                      "index %lld out of valid range, 0..%lld", (long long)at,
                      (long long)b.len - 1);
}

SQL_BYTEA_KERNEL(sql_bytea_get_byte) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes b = args[0]->b[i];
        if (!sql_bytea_index(f, b, args[1]->i64[i])) return false;
        out->i64[i] = b.ptr[args[1]->i64[i]];
        out->nulls[i] = 0;
    }
    return true;
}

SQL_BYTEA_KERNEL(sql_bytea_set_byte) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes b = args[0]->b[i];
        int64_t at = args[1]->i64[i];
        if (!sql_bytea_index(f, b, at)) return false;
        uint8_t *p = rt_arena_alloc(f->arena, b.len);
        if (p == NULL) return rt_arena_fail(f->arena, f->err);
        memcpy(p, b.ptr, b.len);
        p[at] = (uint8_t)args[2]->i64[i]; /* the low byte, as PostgreSQL stores it */
        out->b[i] = (sql_bytes){.ptr = p, .len = b.len};
        out->nulls[i] = 0;
    }
    return true;
}

/* ---- convert_to, convert_from ---- */

/* An encoding name as PostgreSQL matches it: letters and digits only, lower case. */
static bool sql_enc_of(sql_fctx *f, sql_bytes name, bool to, sql_enc *enc) {
    char k[32];
    uint32_t n = 0;
    for (uint32_t i = 0; i < name.len && n + 1 < sizeof k; i++) {
        if (isalnum(name.ptr[i])) k[n++] = (char)tolower(name.ptr[i]);
    }
    k[n] = '\0';
    static const struct { const char *name; int enc; } known[] = {
        {"utf8", SQL_ENC_UTF8}, {"unicode", SQL_ENC_UTF8}, {"sqlascii", SQL_ENC_ASCII},
        {"latin1", SQL_ENC_LATIN1}, {"iso88591", SQL_ENC_LATIN1},
        /* PostgreSQL's other server encodings: known names we cannot convert to */
        {"latin2", -1}, {"latin9", -1}, {"win1252", -1}, {"win1251", -1}, {"koi8r", -1},
        {"euckr", -1}, {"eucjp", -1}, {"euccn", -1}, {"sjis", -1}, {"big5", -1}, {"gbk", -1}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(k, known[i].name) != 0) continue;
        if (known[i].enc >= 0) {
            *enc = (sql_enc)known[i].enc;
            return true;
        }
        return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "conversion between UTF8 and %.*s is not supported yet",
                          (int)name.len, (const char *)name.ptr);
    }
    return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid %s encoding name \"%.*s\"",
                      to ? "destination" : "source", (int)name.len, (const char *)name.ptr);
}

/* Length of the valid UTF-8 sequence at p[0..len), 0 if it is not one. */
static uint32_t sql_utf8_seq_valid(const uint8_t *p, uint32_t len) {
    uint8_t c = p[0];
    uint32_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || c == 0 || n > len || (n == 2 && c < 0xC2)) return 0;
    for (uint32_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
    }
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))) return 0;
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || c > 0xF4 || (c == 0xF4 && p[1] >= 0x90))) {
        return 0;
    }
    return n;
}

/* 22021 naming the bytes of the bad sequence at p (as many as its first byte announces). */
static bool sql_utf8_bad(sql_fctx *f, const uint8_t *p, uint32_t len) {
    uint8_t c = p[0];
    uint32_t want = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    char hex[32];
    uint32_t o = 0;
    for (uint32_t k = 0; k < want && k < len; k++) {
        o += (uint32_t)snprintf(hex + o, sizeof hex - o, "%s0x%02x", k > 0 ? " " : "", p[k]);
    }
    return rt_err_set(f->err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                      "invalid byte sequence for encoding \"UTF8\": %s", hex);
}

static bool sql_utf8_check(sql_fctx *f, sql_bytes b) {
    for (uint32_t i = 0; i < b.len;) {
        uint32_t n = sql_utf8_seq_valid(b.ptr + i, b.len - i);
        if (n == 0) return sql_utf8_bad(f, b.ptr + i, b.len - i);
        i += n;
    }
    return true;
}

/* UTF-8 text to LATIN1 bytes: code points above U+00FF have no equivalent (22P05). */
static bool sql_to_latin1(sql_fctx *f, sql_bytes t, sql_bytes *out) {
    uint8_t *p = rt_arena_alloc(f->arena, t.len + 1);
    if (p == NULL) return rt_arena_fail(f->arena, f->err);
    uint32_t o = 0;
    for (uint32_t i = 0; i < t.len;) {
        uint32_t n = sql_utf8_seq_len(t.ptr[i]);
        if (n == 1) {
            p[o++] = t.ptr[i];
        } else if (n == 2 && i + 1 < t.len && t.ptr[i] <= 0xC3) {
            p[o++] = (uint8_t)((t.ptr[i] & 0x1F) << 6 | (t.ptr[i + 1] & 0x3F));
        } else {
            char hex[32];
            uint32_t h = 0;
            for (uint32_t k = 0; k < n && i + k < t.len; k++) {
                h += (uint32_t)snprintf(hex + h, sizeof hex - h, "%s0x%02x", k > 0 ? " " : "",
                                        t.ptr[i + k]);
            }
            return rt_err_set(f->err, SQLSTATE_UNTRANSLATABLE_CHARACTER,
                              "character with byte sequence %s in encoding \"UTF8\" has no "
                              "equivalent in encoding \"LATIN1\"", hex);
        }
        i += n;
    }
    *out = (sql_bytes){.ptr = p, .len = o};
    return true;
}

SQL_BYTEA_KERNEL(sql_bytea_convert_to) {
    SQL_FOR_ACTIVE(i) {
        sql_enc enc;
        if (!sql_enc_of(f, args[1]->b[i], true, &enc)) return false;
        out->nulls[i] = 0;
        if (enc == SQL_ENC_LATIN1) {
            if (!sql_to_latin1(f, args[0]->b[i], &out->b[i])) return false;
        } else { /* the server's bytes already */
            if (!sql_fn_text(f, out, i, args[0]->b[i].ptr, args[0]->b[i].len)) return false;
        }
    }
    return true;
}

/* LATIN1 bytes to UTF-8: bytes from 0x80 take two. A zero byte is not valid text. */
static bool sql_from_latin1(sql_fctx *f, sql_bytes b, sql_bytes *out) {
    uint8_t *p = rt_arena_alloc(f->arena, 2 * (size_t)b.len + 1);
    if (p == NULL) return rt_arena_fail(f->arena, f->err);
    uint32_t o = 0;
    for (uint32_t i = 0; i < b.len; i++) {
        uint8_t c = b.ptr[i];
        if (c == 0) return sql_utf8_bad(f, b.ptr + i, b.len - i);
        if (c < 0x80) {
            p[o++] = c;
        } else {
            p[o++] = (uint8_t)(0xC0 | c >> 6);
            p[o++] = (uint8_t)(0x80 | (c & 0x3F));
        }
    }
    *out = (sql_bytes){.ptr = p, .len = o};
    return true;
}

SQL_BYTEA_KERNEL(sql_bytea_convert_from) {
    SQL_FOR_ACTIVE(i) {
        sql_enc enc;
        if (!sql_enc_of(f, args[1]->b[i], false, &enc)) return false;
        out->nulls[i] = 0;
        if (enc == SQL_ENC_LATIN1) {
            if (!sql_from_latin1(f, args[0]->b[i], &out->b[i])) return false;
        } else { /* UTF8 and SQL_ASCII: the bytes must be valid text of the server as they are */
            if (!sql_utf8_check(f, args[0]->b[i])) return false;
            if (!sql_fn_text(f, out, i, args[0]->b[i].ptr, args[0]->b[i].len)) return false;
        }
    }
    return true;
}

/* ---- registration ---- */

#define FN(nm, r, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,        \
                           .args = {__VA_ARGS__}, .ret = r, .flags = SQL_F_STRICT, .fn = k}

static const sql_func_def sql_bytea_defs[] = {
    FN("get_byte", SQL_T_INT4, sql_bytea_get_byte, SQL_T_BYTEA, SQL_T_INT4),
    FN("set_byte", SQL_T_BYTEA, sql_bytea_set_byte, SQL_T_BYTEA, SQL_T_INT4, SQL_T_INT4),
    FN("convert_to", SQL_T_BYTEA, sql_bytea_convert_to, SQL_T_TEXT, SQL_T_NAME),
    FN("convert_from", SQL_T_TEXT, sql_bytea_convert_from, SQL_T_BYTEA, SQL_T_NAME),
};

void sql_fn_bytea_register(void) {
    sql_funcs_register(sql_bytea_defs, sizeof sql_bytea_defs / sizeof sql_bytea_defs[0]);
}
