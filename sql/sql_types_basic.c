/* sql_types_basic.c: text and binary I/O, comparison and hashing of the simple built-in types:
 * bool, "char", integers, oid, text-like types, bytea, uuid. Numbers, dates and JSON have their
 * own modules; arrays and vectors too. Binary formats are PostgreSQL's (network byte order). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_int.h"
#include "sql/sql_types_int.h"

/* ---- shared helpers ---- */

bool sql_bad_input(sql_io_ctx *io, const char *type_name, const char *text, uint32_t len) {
    return rt_err_set(io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type %s: \"%.*s\"", type_name, (int)len, text);
}

bool sql_bytes_dup(rt_arena *arena, const void *p, uint32_t len, sql_bytes *out) {
    uint8_t *copy = rt_arena_alloc(arena, len > 0 ? len : 1);
    if (copy == NULL) return false;
    if (len > 0) memcpy(copy, p, len);
    out->ptr = copy;
    out->len = len;
    return true;
}

bool sql_io_alloc_fail(sql_io_ctx *io) { return rt_arena_fail(io->arena, io->err); }

uint64_t sql_hash_bytes(const uint8_t *p, uint32_t len) {
    uint64_t h = 1469598103934665603ull ^ len;
    for (uint32_t i = 0; i < len; i++) h = (h ^ p[i]) * 1099511628211ull;
    h ^= h >> 32;
    return h * 0x9E3779B97F4A7C15ull;
}

uint64_t sql_hash_i64(int64_t v) {
    uint64_t h = (uint64_t)v * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

void sql_put_be16(sql_strbuf *sb, uint16_t v) {
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    sql_strbuf_append(sb, b, 2);
}

void sql_put_be32(sql_strbuf *sb, uint32_t v) {
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    sql_strbuf_append(sb, b, 4);
}

void sql_put_be64(sql_strbuf *sb, uint64_t v) {
    sql_put_be32(sb, (uint32_t)(v >> 32));
    sql_put_be32(sb, (uint32_t)v);
}

uint32_t sql_get_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t sql_get_be64(const uint8_t *p) {
    return (uint64_t)sql_get_be32(p) << 32 | sql_get_be32(p + 4);
}

static bool sql_bad_binary(sql_io_ctx *io, const char *what) {
    return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "incorrect binary data format in %s", what);
}

/* Trims ASCII whitespace from both ends (PostgreSQL accepts it around numbers and booleans). */
static void sql_trim(const char **s, uint32_t *len) {
    while (*len > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*s)[*len - 1])) (*len)--;
}

/* ---- bool ---- */

static bool sql_bool_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                        sql_value *out) {
    (void)typmod;
    const char *s = text;
    uint32_t n = len;
    sql_trim(&s, &n);
    static const struct { const char *word; bool value; uint32_t min; } words[] = {
        {"true", true, 1}, {"false", false, 1}, {"yes", true, 1}, {"no", false, 1},
        {"on", true, 2}, {"off", false, 2}, {"1", true, 1}, {"0", false, 1}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t wl = strlen(words[i].word);
        if (n >= words[i].min && n <= wl && strncasecmp(s, words[i].word, n) == 0) {
            out->i64 = words[i].value;
            return true;
        }
    }
    return sql_bad_input(io, "boolean", text, len);
}

static bool sql_bool_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    sql_strbuf_putc(sb, v->i64 ? 't' : 'f');
    return true;
}

static bool sql_bool_recv(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                          sql_value *out) {
    (void)typmod;
    if (len != 1) return sql_bad_binary(io, "boolean");
    out->i64 = p[0] != 0;
    return true;
}

static bool sql_bool_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_strbuf_putc(sb, v->i64 ? 1 : 0);
    return true;
}

/* ---- integers ---- */

/* Parses a decimal integer as PostgreSQL's int4in/int8in: spaces around, an optional sign,
 * digits; underscores are PostgreSQL 16, not accepted here. */
bool sql_parse_int(sql_io_ctx *io, const char *text, uint32_t len, int64_t min, int64_t max,
                   const char *type_name, int64_t *out) {
    const char *s = text;
    uint32_t n = len;
    sql_trim(&s, &n);
    bool neg = false;
    if (n > 0 && (*s == '-' || *s == '+')) {
        neg = *s == '-';
        s++;
        n--;
    }
    if (n == 0) return sql_bad_input(io, type_name, text, len);
    uint64_t acc = 0;
    bool overflow = false;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return sql_bad_input(io, type_name, text, len);
        if (acc > (UINT64_MAX - 9) / 10) overflow = true;
        acc = acc * 10 + (uint64_t)(s[i] - '0');
    }
    int64_t v;
    if (overflow || acc > (uint64_t)INT64_MAX + (neg ? 1 : 0)) {
        overflow = true;
        v = 0;
    } else {
        v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    }
    if (overflow || v < min || v > max) {
        return rt_err_set(io->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value \"%.*s\" is out of range for type %s", (int)len, text,
                          type_name);
    }
    *out = v;
    return true;
}

static bool sql_int2_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    int16_t v;
    if (!sql_int2_from_text(t, l, &v, io->err)) return false;
    o->i64 = v;
    return true;
}
static bool sql_int4_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    int32_t v;
    if (!sql_int4_from_text(t, l, &v, io->err)) return false;
    o->i64 = v;
    return true;
}
static bool sql_int8_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    return sql_int8_from_text(t, l, &o->i64, io->err);
}
static bool sql_oid_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    /* oid accepts negative input and wraps, as PostgreSQL's oidin does */
    if (!sql_parse_int(io, t, l, INT32_MIN, UINT32_MAX, "oid", &o->i64)) return false;
    o->i64 = (int64_t)(uint32_t)o->i64;
    return true;
}

/* Decimal text of an int64 (sql_int.h's fast conversion). */
uint32_t sql_i64_to_text(int64_t v, char *buf) { return sql_int8_to_text(v, buf); }

static bool sql_int_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    char buf[24];
    sql_strbuf_append(sb, buf, sql_i64_to_text(v->i64, buf));
    return true;
}

static bool sql_int_recv(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                         sql_value *out, uint32_t width, const char *name) {
    (void)typmod;
    if (len != width) return sql_bad_binary(io, name);
    if (width == 2) out->i64 = (int16_t)((uint16_t)p[0] << 8 | p[1]);
    else if (width == 4) out->i64 = (int32_t)sql_get_be32(p);
    else out->i64 = (int64_t)sql_get_be64(p);
    return true;
}
static bool sql_int2_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m, sql_value *o) {
    return sql_int_recv(io, p, l, m, o, 2, "smallint");
}
static bool sql_int4_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m, sql_value *o) {
    return sql_int_recv(io, p, l, m, o, 4, "integer");
}
static bool sql_int8_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m, sql_value *o) {
    return sql_int_recv(io, p, l, m, o, 8, "bigint");
}
static bool sql_oid_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    if (l != 4) return sql_bad_binary(io, "oid");
    o->i64 = sql_get_be32(p);
    return true;
}
static bool sql_int2_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_put_be16(sb, (uint16_t)v->i64);
    return true;
}
static bool sql_int4_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_put_be32(sb, (uint32_t)v->i64);
    return true;
}
static bool sql_int8_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_put_be64(sb, (uint64_t)v->i64);
    return true;
}

int sql_cmp_i64(const sql_value *a, const sql_value *b) {
    return a->i64 < b->i64 ? -1 : a->i64 > b->i64;
}
uint64_t sql_hash_value_i64(const sql_value *v) { return sql_hash_i64(v->i64); }

/* ---- "char" ---- */

static bool sql_char_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)io;
    (void)m;
    o->i64 = l > 0 ? (int8_t)t[0] : 0;
    return true;
}
static bool sql_char_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)io;
    (void)m;
    if (v->i64 != 0) sql_strbuf_putc(sb, (char)v->i64);
    return true;
}
static bool sql_char_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m, sql_value *o) {
    (void)io;
    (void)m;
    o->i64 = l > 0 ? (int8_t)p[0] : 0;
    return true;
}
static bool sql_char_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    if (v->i64 != 0) sql_strbuf_putc(sb, (char)v->i64);
    return true;
}

/* ---- text, varchar, bpchar, name ---- */

/* PostgreSQL accepts only valid UTF-8 (server_encoding UTF8). */
static bool sql_utf8_valid(const uint8_t *p, uint32_t len, uint32_t *bad_at) {
    uint32_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        uint32_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || c == 0 || i + n > len || (n == 2 && c < 0xC2)) goto bad;
        for (uint32_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) goto bad;
        }
        if (n == 3 && ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] >= 0xA0))) goto bad;
        if (n == 4 && ((c == 0xF0 && p[i + 1] < 0x90) || c > 0xF4 ||
                       (c == 0xF4 && p[i + 1] >= 0x90))) goto bad;
        i += n;
    }
    return true;
bad:
    *bad_at = i;
    return false;
}

bool sql_text_check(sql_io_ctx *io, const uint8_t *p, uint32_t len) {
    uint32_t at;
    if (sql_utf8_valid(p, len, &at)) return true;
    char hex[32];
    uint32_t n = 0;
    for (uint32_t i = at; i < len && i < at + 2; i++) n += (uint32_t)snprintf(hex + n, 8, "%s0x%02x",
                                                                   i > at ? " " : "", p[i]);
    return rt_err_set(io->err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                      "invalid byte sequence for encoding \"UTF8\": %s", hex);
}

static bool sql_text_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    if (!sql_text_check(io, (const uint8_t *)t, l)) return false;
    if (!sql_bytes_dup(io->arena, t, l, &o->b)) return sql_io_alloc_fail(io);
    return true;
}

static bool sql_name_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    if (l > 63) { /* truncated at a character boundary, as PostgreSQL's namein */
        l = 63;
        while (l > 0 && ((uint8_t)t[l] & 0xC0) == 0x80) l--;
    }
    return sql_text_in(io, t, l, -1, o);
}

static bool sql_text_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)io;
    (void)m;
    sql_strbuf_append(sb, v->b.ptr, v->b.len);
    return true;
}

static bool sql_text_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m, sql_value *o) {
    return sql_text_in(io, (const char *)p, l, m, o);
}

static bool sql_text_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_strbuf_append(sb, v->b.ptr, v->b.len);
    return true;
}

/* Characters (not bytes) of a UTF-8 string. */
uint32_t sql_utf8_chars(const uint8_t *p, uint32_t len) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++) n += (p[i] & 0xC0) != 0x80;
    return n;
}

/* Byte length of the first `chars` characters. */
uint32_t sql_utf8_prefix(const uint8_t *p, uint32_t len, uint32_t chars) {
    uint32_t i = 0, n = 0;
    while (i < len) {
        if ((p[i] & 0xC0) != 0x80) {
            if (n == chars) break;
            n++;
        }
        i++;
    }
    return i;
}

static bool sql_varchar_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    if (typmod < SQL_TYPMOD_VARHDR) return true;
    uint32_t max = (uint32_t)(typmod - SQL_TYPMOD_VARHDR);
    uint32_t chars = sql_utf8_chars(v->b.ptr, v->b.len);
    if (chars <= max) return true;
    uint32_t cut = sql_utf8_prefix(v->b.ptr, v->b.len, max);
    if (!is_explicit) { /* only trailing spaces may be cut silently */
        for (uint32_t i = cut; i < v->b.len; i++) {
            if (v->b.ptr[i] != ' ') {
                return rt_err_set(io->err, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION,
                                  "value too long for type character varying(%u)", max);
            }
        }
    }
    v->b.len = cut;
    return true;
}

static bool sql_bpchar_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    if (typmod < SQL_TYPMOD_VARHDR) return true;
    uint32_t max = (uint32_t)(typmod - SQL_TYPMOD_VARHDR);
    uint32_t chars = sql_utf8_chars(v->b.ptr, v->b.len);
    if (chars > max) {
        uint32_t cut = sql_utf8_prefix(v->b.ptr, v->b.len, max);
        for (uint32_t i = cut; !is_explicit && i < v->b.len; i++) {
            if (v->b.ptr[i] != ' ') {
                return rt_err_set(io->err, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION,
                                  "value too long for type character(%u)", max);
            }
        }
        v->b.len = cut;
        return true;
    }
    if (chars == max) return true;
    uint32_t pad = max - chars; /* char(n) is blank-padded to n characters */
    uint8_t *p = rt_arena_alloc(io->arena, v->b.len + pad);
    if (p == NULL) return sql_io_alloc_fail(io);
    memcpy(p, v->b.ptr, v->b.len);
    memset(p + v->b.len, ' ', pad);
    v->b = (sql_bytes){.ptr = p, .len = v->b.len + pad};
    return true;
}

static int sql_cmp_bytes_raw(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen) {
    uint32_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen;
}

int sql_cmp_bytes(const sql_value *a, const sql_value *b) {
    return sql_cmp_bytes_raw(a->b.ptr, a->b.len, b->b.ptr, b->b.len);
}

uint64_t sql_hash_value_bytes(const sql_value *v) { return sql_hash_bytes(v->b.ptr, v->b.len); }

/* char(n) compares and hashes without trailing spaces. */
static uint32_t sql_bpchar_len(const sql_value *v) {
    uint32_t n = v->b.len;
    while (n > 0 && v->b.ptr[n - 1] == ' ') n--;
    return n;
}
static int sql_cmp_bpchar(const sql_value *a, const sql_value *b) {
    return sql_cmp_bytes_raw(a->b.ptr, sql_bpchar_len(a), b->b.ptr, sql_bpchar_len(b));
}
static uint64_t sql_hash_bpchar(const sql_value *v) {
    return sql_hash_bytes(v->b.ptr, sql_bpchar_len(v));
}

static bool sql_charlen_typmod_in(const int32_t *mods, uint32_t n, int32_t *typmod, rt_err *err) {
    if (n != 1) return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
    if (mods[0] < 1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "length for type varchar must be at least 1");
    }
    if (mods[0] > 10485760) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "length for type varchar cannot exceed 10485760");
    }
    *typmod = mods[0] + SQL_TYPMOD_VARHDR;
    return true;
}

static void sql_charlen_typmod_out(int32_t typmod, char *buf, uint32_t cap) {
    if (typmod >= SQL_TYPMOD_VARHDR) snprintf(buf, cap, "(%d)", typmod - SQL_TYPMOD_VARHDR);
    else buf[0] = '\0';
}

/* ---- bytea ---- */

int sql_hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool sql_bytea_in_hex(sql_io_ctx *io, const char *t, uint32_t l, sql_value *o) {
    uint8_t *p = rt_arena_alloc(io->arena, l / 2 + 1);
    if (p == NULL) return sql_io_alloc_fail(io);
    uint32_t n = 0;
    for (uint32_t i = 2; i < l;) {
        if (isspace((unsigned char)t[i])) {
            i++;
            continue;
        }
        int hi = sql_hexval(t[i]);
        if (hi < 0) {
            return rt_err_set(io->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid hexadecimal digit: \"%c\"", t[i]);
        }
        if (i + 1 >= l) {
            return rt_err_set(io->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid hexadecimal data: odd number of digits");
        }
        int lo = sql_hexval(t[i + 1]);
        if (lo < 0) {
            return rt_err_set(io->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid hexadecimal digit: \"%c\"", t[i + 1]);
        }
        p[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    o->b = (sql_bytes){.ptr = p, .len = n};
    return true;
}

static bool sql_bytea_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    if (l >= 2 && t[0] == '\\' && t[1] == 'x') return sql_bytea_in_hex(io, t, l, o);
    uint8_t *p = rt_arena_alloc(io->arena, l + 1);
    if (p == NULL) return sql_io_alloc_fail(io);
    uint32_t n = 0;
    for (uint32_t i = 0; i < l;) { /* the escape format: \\ and \ooo */
        if (t[i] != '\\') {
            p[n++] = (uint8_t)t[i++];
        } else if (i + 1 < l && t[i + 1] == '\\') {
            p[n++] = '\\';
            i += 2;
        } else if (i + 3 < l + 0 && t[i + 1] >= '0' && t[i + 1] <= '3' && t[i + 2] >= '0' &&
                   t[i + 2] <= '7' && t[i + 3] >= '0' && t[i + 3] <= '7') {
            p[n++] = (uint8_t)((t[i + 1] - '0') << 6 | (t[i + 2] - '0') << 3 | (t[i + 3] - '0'));
            i += 4;
        } else { /* PostgreSQL's message names no value here */
            return rt_err_set(io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                              "invalid input syntax for type bytea");
        }
    }
    o->b = (sql_bytes){.ptr = p, .len = n};
    return true;
}

static bool sql_bytea_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)m;
    static const char hex[] = "0123456789abcdef";
    if (io->fmt != NULL && io->fmt->bytea_escape) {
        for (uint32_t i = 0; i < v->b.len; i++) {
            uint8_t c = v->b.ptr[i];
            if (c == '\\') {
                sql_strbuf_puts(sb, "\\\\");
            } else if (c < 0x20 || c > 0x7e) {
                sql_strbuf_printf(sb, "\\%03o", c);
            } else {
                sql_strbuf_putc(sb, (char)c);
            }
        }
        return true;
    }
    if (!sql_strbuf_reserve(sb, 2 + v->b.len * 2)) return true;
    sb->data[sb->len++] = '\\';
    sb->data[sb->len++] = 'x';
    for (uint32_t i = 0; i < v->b.len; i++) {
        sb->data[sb->len++] = hex[v->b.ptr[i] >> 4];
        sb->data[sb->len++] = hex[v->b.ptr[i] & 15];
    }
    return true;
}

static bool sql_bytea_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                           sql_value *o) {
    (void)m;
    if (!sql_bytes_dup(io->arena, p, l, &o->b)) return sql_io_alloc_fail(io);
    return true;
}

/* ---- uuid ---- */

static bool sql_uuid_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    uint8_t *u = rt_arena_alloc(io->arena, 16);
    if (u == NULL) return sql_io_alloc_fail(io);
    const char *s = t;
    uint32_t n = l;
    bool braces = n > 0 && s[0] == '{';
    if (braces) {
        if (n < 2 || s[n - 1] != '}') return sql_bad_input(io, "uuid", t, l);
        s++;
        n -= 2;
    }
    uint32_t digits = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* hyphens are allowed after any group of four hex digits, as PostgreSQL's uuid_in */
        if (s[i] == '-' && digits > 0 && digits % 4 == 0 && i + 1 < n && s[i + 1] != '-') continue;
        int h = sql_hexval(s[i]);
        if (h < 0 || digits >= 32) return sql_bad_input(io, "uuid", t, l);
        if (digits % 2 == 0) u[digits / 2] = (uint8_t)(h << 4);
        else u[digits / 2] |= (uint8_t)h;
        digits++;
    }
    if (digits != 32) return sql_bad_input(io, "uuid", t, l);
    o->b = (sql_bytes){.ptr = u, .len = 16};
    return true;
}

static bool sql_uuid_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)io;
    (void)m;
    static const char hex[] = "0123456789abcdef";
    char buf[36];
    uint32_t n = 0;
    for (uint32_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf[n++] = '-';
        buf[n++] = hex[v->b.ptr[i] >> 4];
        buf[n++] = hex[v->b.ptr[i] & 15];
    }
    sql_strbuf_append(sb, buf, n);
    return true;
}

static bool sql_uuid_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                          sql_value *o) {
    (void)m;
    if (l != 16) return sql_bad_binary(io, "uuid");
    if (!sql_bytes_dup(io->arena, p, 16, &o->b)) return sql_io_alloc_fail(io);
    return true;
}

/* void (functions that return nothing): no text, no bytes, as PostgreSQL prints it. */
static bool sql_void_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)io, (void)v, (void)m, (void)sb;
    return true;
}

static bool sql_void_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io, (void)v, (void)sb;
    return true;
}

/* ---- registration ---- */

void sql_types_basic_register(sql_type_def *t) {
    switch (t->oid) {
    case SQL_T_VOID: t->out = sql_void_out, t->send_fn = sql_void_send; break;
    case SQL_T_BOOL:
        t->in = sql_bool_in, t->out = sql_bool_out, t->recv = sql_bool_recv;
        t->send_fn = sql_bool_send, t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_CHAR:
        t->in = sql_char_in, t->out = sql_char_out, t->recv = sql_char_recv;
        t->send_fn = sql_char_send, t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_INT2:
        t->in = sql_int2_in, t->out = sql_int_out, t->recv = sql_int2_recv;
        t->send_fn = sql_int2_send, t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_INT4:
        t->in = sql_int4_in, t->out = sql_int_out, t->recv = sql_int4_recv;
        t->send_fn = sql_int4_send, t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_INT8:
        t->in = sql_int8_in, t->out = sql_int_out, t->recv = sql_int8_recv;
        t->send_fn = sql_int8_send, t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_OID: case SQL_T_XID: case SQL_T_CID: case SQL_T_REGCLASS: case SQL_T_REGTYPE:
    case SQL_T_REGPROC: case SQL_T_REGPROCEDURE: case SQL_T_REGOPER: case SQL_T_REGOPERATOR:
    case SQL_T_REGNAMESPACE: case SQL_T_REGROLE: case SQL_T_REGCOLLATION:
        t->in = sql_oid_in, t->out = sql_int_out, t->recv = sql_oid_recv;
        t->send_fn = sql_int4_send, t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_TEXT: case SQL_T_VARCHAR: case SQL_T_UNKNOWN: case SQL_T_PG_NODE_TREE:
    case SQL_T_CSTRING: case SQL_T_ACLITEM: case SQL_T_REFCURSOR: case SQL_T_XML:
    case SQL_T_BPCHAR: case SQL_T_NAME:
        t->in = t->oid == SQL_T_NAME ? sql_name_in : sql_text_in;
        t->out = sql_text_out, t->recv = sql_text_recv, t->send_fn = sql_text_send;
        t->cmp = t->oid == SQL_T_BPCHAR ? sql_cmp_bpchar : sql_cmp_bytes;
        t->hash = t->oid == SQL_T_BPCHAR ? sql_hash_bpchar : sql_hash_value_bytes;
        if (t->oid == SQL_T_VARCHAR) t->coerce = sql_varchar_coerce;
        if (t->oid == SQL_T_BPCHAR) t->coerce = sql_bpchar_coerce;
        if (t->oid == SQL_T_VARCHAR || t->oid == SQL_T_BPCHAR) {
            t->typmod_in = sql_charlen_typmod_in, t->typmod_out = sql_charlen_typmod_out;
        }
        break;
    case SQL_T_BYTEA:
        t->in = sql_bytea_in, t->out = sql_bytea_out, t->recv = sql_bytea_recv;
        t->send_fn = sql_text_send, t->cmp = sql_cmp_bytes, t->hash = sql_hash_value_bytes;
        break;
    case SQL_T_UUID:
        t->in = sql_uuid_in, t->out = sql_uuid_out, t->recv = sql_uuid_recv;
        t->send_fn = sql_text_send, t->cmp = sql_cmp_bytes, t->hash = sql_hash_value_bytes;
        break;
    default:
        break;
    }
}
