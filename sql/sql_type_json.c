/* sql_type_json.c: json and jsonb in the registry. json values are their text as written
 * (checked on input); jsonb values are sql_jsonb.h's binary containers. Binary I/O: json is its
 * text, jsonb a version byte and the text, as PostgreSQL. json has no order (PostgreSQL has no
 * json comparison), so it compares and hashes as its bytes for internal uses only. */
#include <string.h>

#include "sql/sql_jsonb.h"
#include "sql/sql_types_int.h"

static bool sql_json_in_fn(sql_io_ctx *io, const char *s, uint32_t len, int32_t typmod,
                           sql_value *o) {
    (void)typmod;
    if (!sql_json_validate(s, len, io->err)) return false;
    if (!sql_bytes_dup(io->arena, s, len, &o->b)) return sql_io_alloc_fail(io);
    return true;
}

static bool sql_json_out_fn(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                            sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    sql_strbuf_append(sb, v->b.ptr, v->b.len);
    return true;
}

static bool sql_json_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                             sql_value *o) {
    if (!sql_text_check(io, p, len)) return false;
    return sql_json_in_fn(io, (const char *)p, len, typmod, o);
}

static bool sql_json_send_fn(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_strbuf_append(sb, v->b.ptr, v->b.len);
    return true;
}

static bool sql_jsonb_in_fn(sql_io_ctx *io, const char *s, uint32_t len, int32_t typmod,
                            sql_value *o) {
    (void)typmod;
    return sql_jsonb_from_text(io->arena, s, len, &o->b, io->err);
}

static bool sql_jsonb_out_fn(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                             sql_strbuf *sb) {
    (void)typmod;
    sql_bytes text;
    if (!sql_jsonb_to_text(io->arena, v->b, &text, io->err)) return false;
    sql_strbuf_append(sb, text.ptr, text.len);
    return true;
}

static bool sql_jsonb_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                              sql_value *o) {
    (void)typmod;
    sql_bytes wire = {.ptr = p, .len = len};
    return sql_jsonb_from_wire(io->arena, wire, &o->b, io->err);
}

static bool sql_jsonb_send_fn(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    sql_bytes wire;
    if (!sql_jsonb_to_wire(io->arena, v->b, &wire, io->err)) return false;
    sql_strbuf_append(sb, wire.ptr, wire.len);
    return true;
}

static int sql_jsonb_cmp_fn(const sql_value *a, const sql_value *b) {
    return sql_jsonb_cmp(a->b, b->b);
}
static uint64_t sql_jsonb_hash_fn(const sql_value *v) { return sql_jsonb_hash(v->b); }

void sql_types_json_register(sql_type_def *t) {
    if (t->oid == SQL_T_JSON) {
        t->in = sql_json_in_fn, t->out = sql_json_out_fn, t->recv = sql_json_recv_fn;
        t->send_fn = sql_json_send_fn;
        t->cmp = sql_cmp_bytes, t->hash = sql_hash_value_bytes;
    } else if (t->oid == SQL_T_JSONB) {
        t->in = sql_jsonb_in_fn, t->out = sql_jsonb_out_fn, t->recv = sql_jsonb_recv_fn;
        t->send_fn = sql_jsonb_send_fn;
        t->cmp = sql_jsonb_cmp_fn, t->hash = sql_jsonb_hash_fn;
    }
}
