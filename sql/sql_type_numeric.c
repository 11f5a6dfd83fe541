/* sql_type_numeric.c: the numeric type in the registry: text and binary I/O, order, hash,
 * numeric(p,s) typmods and the coercion to them, all through sql_numeric.h. */
#include <string.h>

#include "sql/sql_numeric.h"
#include "sql/sql_types_int.h"

static bool sql_numeric_in_fn(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                              sql_value *out) {
    /* The typmod is applied by the registry's coercion step (sql_value_in), once. */
    (void)typmod;
    return sql_numeric_in(io->arena, text, len, SQL_TYPMOD_NONE, &out->b, io->err);
}

static bool sql_numeric_out_fn(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                               sql_strbuf *sb) {
    (void)typmod;
    uint32_t len = sql_numeric_out_len(v->b);
    if (!sql_strbuf_reserve(sb, len)) return sql_io_alloc_fail(io);
    sb->len += sql_numeric_out_buf(v->b, sb->data + sb->len);
    return true;
}

static bool sql_numeric_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                                sql_value *out) {
    (void)typmod;
    uint32_t used = 0;
    sql_bytes data = {.ptr = p, .len = len};
    if (!sql_numeric_recv(io->arena, data, SQL_TYPMOD_NONE, &out->b, &used, io->err)) {
        return false;
    }
    if (used != len) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    }
    return true;
}

static bool sql_numeric_send_fn(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    uint32_t len = sql_numeric_send_len(v->b);
    if (!sql_strbuf_reserve(sb, len)) return sql_io_alloc_fail(io);
    sb->len += sql_numeric_send_buf(v->b, (uint8_t *)sb->data + sb->len);
    return true;
}

static int sql_numeric_cmp_fn(const sql_value *a, const sql_value *b) {
    return sql_numeric_cmp(a->b, b->b);
}

static uint64_t sql_numeric_hash_fn(const sql_value *v) { return sql_numeric_hash(v->b, 0); }

static bool sql_numeric_coerce_fn(sql_io_ctx *io, sql_value *v, int32_t typmod,
                                  bool is_explicit) {
    (void)is_explicit;
    if (!sql_numeric_typmod_is_valid(typmod)) return true;
    return sql_numeric_apply_typmod(io->arena, v->b, typmod, &v->b, io->err);
}

/* numeric(p) and numeric(p,s); PostgreSQL's numerictypmodin messages. */
static bool sql_numeric_typmod_in_fn(const int32_t *mods, uint32_t n, int32_t *typmod,
                                     rt_err *err) {
    if (n == 0 || n > 2) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid NUMERIC type modifier");
    }
    return sql_numeric_typmod_make(mods[0], n == 2 ? mods[1] : 0, typmod, err);
}

static void sql_numeric_typmod_out_fn(int32_t typmod, char *buf, uint32_t cap) {
    char tmp[SQL_NUMERIC_TYPMOD_TEXT_BYTES_MAX];
    uint32_t len = sql_numeric_typmod_out(typmod, tmp);
    if (cap == 0) return;
    if (len >= cap) len = cap - 1;
    memcpy(buf, tmp, len);
    buf[len] = '\0';
}

void sql_types_number_register(sql_type_def *t) {
    if (t->oid != SQL_T_NUMERIC) return;
    t->in = sql_numeric_in_fn, t->out = sql_numeric_out_fn;
    t->recv = sql_numeric_recv_fn, t->send_fn = sql_numeric_send_fn;
    t->cmp = sql_numeric_cmp_fn, t->hash = sql_numeric_hash_fn;
    t->coerce = sql_numeric_coerce_fn;
    t->typmod_in = sql_numeric_typmod_in_fn, t->typmod_out = sql_numeric_typmod_out_fn;
}
