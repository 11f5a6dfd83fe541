/* sql_type_float.c: the float4 and float8 types in the registry: text I/O through sql_float.h
 * (PostgreSQL's shortest output and extra_float_digits), binary I/O (IEEE bits, network order),
 * PostgreSQL's order (NaN above everything, -0 = 0) and hash. */
#include <string.h>

#include "sql/sql_float.h"
#include "sql/sql_types_int.h"

static bool sql_float8_in_fn(sql_io_ctx *io, const char *t, uint32_t l, int32_t m,
                             sql_value *o) {
    (void)m;
    return sql_float8_from_text(t, l, &o->f64, io->err);
}

static bool sql_float4_in_fn(sql_io_ctx *io, const char *t, uint32_t l, int32_t m,
                             sql_value *o) {
    (void)m;
    float f;
    if (!sql_float4_from_text(t, l, &f, io->err)) return false;
    o->f64 = f;
    return true;
}

static int sql_efd(const sql_io_ctx *io) {
    return io->fmt != NULL ? io->fmt->extra_float_digits : SQL_EXTRA_FLOAT_DIGITS_DEFAULT;
}

static bool sql_float8_out_fn(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)m;
    char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
    sql_strbuf_append(sb, buf, sql_float8_to_text(v->f64, sql_efd(io), buf));
    return true;
}

static bool sql_float4_out_fn(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)m;
    char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
    sql_strbuf_append(sb, buf, sql_float4_to_text((float)v->f64, sql_efd(io), buf));
    return true;
}

static bool sql_float_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                              sql_value *o, bool f4) {
    (void)m;
    if (l != (f4 ? 4u : 8u)) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    }
    if (f4) {
        uint32_t bits = sql_get_be32(p);
        float f;
        memcpy(&f, &bits, 4);
        o->f64 = f;
    } else {
        uint64_t bits = sql_get_be64(p);
        memcpy(&o->f64, &bits, 8);
    }
    return true;
}
static bool sql_float8_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                               sql_value *o) {
    return sql_float_recv_fn(io, p, l, m, o, false);
}
static bool sql_float4_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                               sql_value *o) {
    return sql_float_recv_fn(io, p, l, m, o, true);
}

static bool sql_float8_send_fn(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    uint64_t bits;
    memcpy(&bits, &v->f64, 8);
    sql_put_be64(sb, bits);
    return true;
}

static bool sql_float4_send_fn(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    float f = (float)v->f64;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    sql_put_be32(sb, bits);
    return true;
}

static int sql_float_cmp_fn(const sql_value *a, const sql_value *b) {
    return sql_float8_cmp(a->f64, b->f64);
}
static uint64_t sql_float_hash_fn(const sql_value *v) { return sql_float8_hash(v->f64); }

void sql_types_float_register(sql_type_def *t) {
    if (t->oid == SQL_T_FLOAT8) {
        t->in = sql_float8_in_fn, t->out = sql_float8_out_fn, t->recv = sql_float8_recv_fn;
        t->send_fn = sql_float8_send_fn;
    } else if (t->oid == SQL_T_FLOAT4) {
        t->in = sql_float4_in_fn, t->out = sql_float4_out_fn, t->recv = sql_float4_recv_fn;
        t->send_fn = sql_float4_send_fn;
    } else {
        return;
    }
    t->cmp = sql_float_cmp_fn;
    t->hash = sql_float_hash_fn;
}
