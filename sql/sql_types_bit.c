/* sql_types_bit.c: bit(n) and bit varying(n) (sql_bit.h): text and binary I/O, order, and the
 * length rules of their type modifiers as PostgreSQL 15 applies them:
 *   bit(n):    input of another length is 22026 "bit string length L does not match type
 *              bit(n)"; an explicit cast pads with zeros on the right or cuts;
 *   varbit(n): input or an assignment longer than n is 22001 "bit string too long for type bit
 *              varying(n)"; an explicit cast cuts.
 * Output is always binary digits (bit_out is varbit_out in PostgreSQL). */
#include <string.h>

#include "sql/sql_bit.h"
#include "sql/sql_types_int.h"

uint8_t *sql_bit_new(rt_arena *arena, uint32_t bits) {
    uint32_t len = SQL_BIT_HEADER_BYTES + sql_bit_bytes(bits);
    uint8_t *v = rt_arena_alloc(arena, len);
    if (v == NULL) return NULL;
    memset(v, 0, len);
    v[0] = (uint8_t)(bits >> 24), v[1] = (uint8_t)(bits >> 16);
    v[2] = (uint8_t)(bits >> 8), v[3] = (uint8_t)bits;
    return v;
}

/* The message of a digit that is none, naming the whole (UTF-8) character as PostgreSQL. */
static bool sql_bit_bad_digit(rt_err *err, const char *p, const char *end, bool hex) {
    int n = 1;
    while (p + n < end && ((uint8_t)p[n] & 0xC0) == 0x80) n++;
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "\"%.*s\" is not a valid %s digit",
                      n, p, hex ? "hexadecimal" : "binary");
}

bool sql_bit_parse(rt_arena *arena, const char *text, uint32_t len, sql_bytes *out, rt_err *err) {
    bool hex = len > 0 && (text[0] == 'x' || text[0] == 'X');
    uint32_t skip = len > 0 && (hex || text[0] == 'b' || text[0] == 'B');
    const char *p = text + skip, *end = text + len;
    uint64_t bits = (uint64_t)(len - skip) * (hex ? 4 : 1);
    if (bits > SQL_BIT_LENGTH_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "bit string length exceeds the maximum allowed (%u)",
                          SQL_BIT_LENGTH_MAX);
    }
    uint8_t *v = sql_bit_new(arena, (uint32_t)bits);
    if (v == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; p + i < end; i++) {
        char c = p[i];
        if (hex) {
            int d = sql_hexval(c);
            if (d < 0) return sql_bit_bad_digit(err, p + i, end, true);
            v[SQL_BIT_HEADER_BYTES + i / 2] |= (uint8_t)(i % 2 == 0 ? d << 4 : d);
        } else if (c == '1') {
            sql_bit_set(v, i, true);
        } else if (c != '0') {
            return sql_bit_bad_digit(err, p + i, end, false);
        }
    }
    *out = (sql_bytes){.ptr = v, .len = SQL_BIT_HEADER_BYTES + sql_bit_bytes((uint32_t)bits)};
    return true;
}

int sql_bit_cmp(const uint8_t *a, const uint8_t *b) {
    uint32_t la = sql_bit_length(a), lb = sql_bit_length(b);
    uint32_t nb = sql_bit_bytes(la < lb ? la : lb);
    int c = memcmp(a + SQL_BIT_HEADER_BYTES, b + SQL_BIT_HEADER_BYTES, nb);
    if (c != 0) return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

/* ---- length rules ---- */

/* The first `bits` bits of v, zero-padded on the right when longer than v. */
static bool sql_bit_resize(sql_io_ctx *io, sql_value *v, uint32_t bits) {
    uint32_t have = sql_bit_length(v->b.ptr);
    uint8_t *r = sql_bit_new(io->arena, bits);
    if (r == NULL) return sql_io_alloc_fail(io);
    uint32_t keep = have < bits ? have : bits;
    memcpy(r + SQL_BIT_HEADER_BYTES, v->b.ptr + SQL_BIT_HEADER_BYTES, sql_bit_bytes(keep));
    if (keep % 8 != 0) r[SQL_BIT_HEADER_BYTES + keep / 8] &= (uint8_t)(0xff00u >> (keep % 8));
    v->b = (sql_bytes){.ptr = r, .len = SQL_BIT_HEADER_BYTES + sql_bit_bytes(bits)};
    return true;
}

static bool sql_bit_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    uint32_t bits = sql_bit_length(v->b.ptr);
    if (typmod <= 0 || bits == (uint32_t)typmod) return true;
    if (!is_explicit) {
        return rt_err_set(io->err, SQLSTATE_STRING_DATA_LENGTH_MISMATCH,
                          "bit string length %u does not match type bit(%d)", bits, typmod);
    }
    return sql_bit_resize(io, v, (uint32_t)typmod);
}

static bool sql_varbit_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    if (typmod <= 0 || sql_bit_length(v->b.ptr) <= (uint32_t)typmod) return true;
    if (!is_explicit) {
        return rt_err_set(io->err, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION,
                          "bit string too long for type bit varying(%d)", typmod);
    }
    return sql_bit_resize(io, v, (uint32_t)typmod);
}

/* ---- I/O ---- */

/* bit_in and varbit_in; a typmod's length rule is applied after (sql_value_in's coerce), with
 * the messages these input functions give. */
static bool sql_bit_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    return sql_bit_parse(io->arena, t, l, &o->b, io->err);
}

static bool sql_bit_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)m;
    uint32_t bits = sql_bit_length(v->b.ptr);
    if (!sql_strbuf_reserve(sb, bits)) return sql_io_alloc_fail(io);
    for (uint32_t i = 0; i < bits; i++) {
        sb->data[sb->len + i] = sql_bit_get(v->b.ptr, i) ? '1' : '0';
    }
    sb->len += bits;
    return true;
}

/* PostgreSQL's bit_recv / varbit_recv: the length checked, the pad bits cleared (the typmod as
 * for text input). */
static bool sql_bit_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                         sql_value *o) {
    (void)m;
    if (l < SQL_BIT_HEADER_BYTES) {
        return rt_err_set(io->err, SQLSTATE_PROTOCOL_VIOLATION,
                          "insufficient data left in message");
    }
    uint32_t bits = sql_bit_length(p);
    if (bits > SQL_BIT_LENGTH_MAX) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "invalid length in external bit string");
    }
    uint32_t len = SQL_BIT_HEADER_BYTES + sql_bit_bytes(bits);
    if (l < len) {
        return rt_err_set(io->err, SQLSTATE_PROTOCOL_VIOLATION,
                          "insufficient data left in message");
    }
    if (l > len) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    }
    uint8_t *v = rt_arena_alloc(io->arena, len);
    if (v == NULL) return sql_io_alloc_fail(io);
    memcpy(v, p, len);
    if (bits % 8 != 0) v[len - 1] &= (uint8_t)(0xff00u >> (bits % 8));
    o->b = (sql_bytes){.ptr = v, .len = len};
    return true;
}

static bool sql_bit_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_strbuf_append(sb, v->b.ptr, v->b.len);
    return true;
}

static int sql_bit_cmp_value(const sql_value *a, const sql_value *b) {
    return sql_bit_cmp(a->b.ptr, b->b.ptr);
}

/* bittypmodin / varbittypmodin (anybit_typmodin). */
static bool sql_bit_typmod_in_as(const int32_t *mods, uint32_t n, const char *type,
                                 int32_t *typmod, rt_err *err) {
    if (n != 1) return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
    if (mods[0] < 1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "length for type %s must be at least 1", type);
    }
    if (mods[0] > SQL_BIT_TYPMOD_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "length for type %s cannot exceed %d", type, SQL_BIT_TYPMOD_MAX);
    }
    *typmod = mods[0];
    return true;
}

static bool sql_bit_typmod_in(const int32_t *mods, uint32_t n, int32_t *typmod, rt_err *err) {
    return sql_bit_typmod_in_as(mods, n, "bit", typmod, err);
}

static bool sql_varbit_typmod_in(const int32_t *mods, uint32_t n, int32_t *typmod, rt_err *err) {
    return sql_bit_typmod_in_as(mods, n, "varbit", typmod, err);
}

void sql_types_bit_register(sql_type_def *t) {
    if (t->oid != SQL_T_BIT && t->oid != SQL_T_VARBIT) return;
    bool bit = t->oid == SQL_T_BIT;
    t->in = sql_bit_in, t->out = sql_bit_out, t->recv = sql_bit_recv, t->send_fn = sql_bit_send;
    t->cmp = sql_bit_cmp_value, t->hash = sql_hash_value_bytes;
    t->coerce = bit ? sql_bit_coerce : sql_varbit_coerce;
    t->typmod_in = bit ? sql_bit_typmod_in : sql_varbit_typmod_in;
}
