/* test_sql_types_util.h: the set-up of the tests of one type's registration
 * (test_sql_types_bit.c, test_sql_types_inet.c, test_sql_types_record.c): the type registry,
 * one arena, an error and an I/O context over them as the wire layer builds it, text input
 * of a value that must succeed, and the order of two values' index keys. Include after
 * cmocka.h. */
#ifndef TEST_SQL_TYPES_UTIL_H
#define TEST_SQL_TYPES_UTIL_H

#include <string.h>

#include "engine/eng_key.h"
#include "sql/sql_types.h"

static rt_arena *arena;
static rt_err err;
static sql_io_ctx io;

static int setup(void **state) {
    (void)state;
    sql_types_init();
    arena = rt_arena_create(1u << 20);
    io = (sql_io_ctx){.arena = arena, .err = &err};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    rt_arena_destroy(arena);
    return 0;
}

/* `text` read as a value of `type` with `typmod` (-1: none). */
static inline sql_value in_as(uint32_t type, const char *text, int32_t typmod) {
    sql_value v = {.type_oid = type};
    rt_err_clear(&err);
    assert_true(sql_value_in(&io, type, text, (uint32_t)strlen(text), typmod, &v));
    return v;
}

/* `v` sent in the binary format must be the `len` bytes `bytes` (PostgreSQL's); read back, it
 * must compare equal to `v`. Returns what was read back. */
static inline sql_value send_recv_as(const sql_value *v, uint32_t len, const char *bytes) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 16);
    assert_true(sql_value_send(&io, v, &sb));
    assert_int_equal(sb.len, len);
    assert_memory_equal(sb.data, bytes, len);
    sql_value back = {.type_oid = v->type_oid};
    rt_err_clear(&err);
    assert_true(sql_value_recv(&io, v->type_oid, (const uint8_t *)sb.data, sb.len, -1, &back));
    assert_int_equal(sql_value_cmp(v, &back), 0);
    return back;
}

/* memcmp order of the engine's index keys of two values (desc: descending keys). */
static inline int key_cmp(const sql_value *a, const sql_value *b, bool desc) {
    eng_codec_w wa, wb;
    eng_w_init(&wa);
    eng_w_init(&wb);
    rt_err_clear(&err);
    assert_true(eng_key_append(&wa, a, desc, &err));
    assert_true(eng_key_append(&wb, b, desc, &err));
    size_t m = wa.len < wb.len ? wa.len : wb.len;
    int c = memcmp(wa.buf, wb.buf, m);
    if (c == 0) c = wa.len < wb.len ? -1 : wa.len > wb.len;
    rt_free(wa.buf);
    rt_free(wb.buf);
    return c;
}

#endif
