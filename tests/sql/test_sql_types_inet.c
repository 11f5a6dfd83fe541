/* test_sql_types_inet.c: the inet type as registered (sql_types_inet.c) and the engine's index
 * key of it (eng_key.c).
 * How: values are read and written through the type registry as the wire layer does: the
 * binary form is compared byte for byte with what PostgreSQL 15's inet_send returns for the
 * same text (taken from a real server), bad binary input must fail with PostgreSQL's 22P03
 * messages, and the index keys of a list of values in PostgreSQL's order must sort the same
 * way under memcmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_key.h"
#include "sql/sql_inet.h"
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

static sql_value in(const char *text) {
    sql_value v = {.type_oid = SQL_T_INET};
    rt_err_clear(&err);
    assert_true(sql_value_in(&io, SQL_T_INET, text, (uint32_t)strlen(text), -1, &v));
    return v;
}

/* Binary forms from PostgreSQL 15: SELECT inet_send('<text>'). */
static void test_inet_send_matches_postgresql(void **state) {
    (void)state;
    static const struct { const char *text; uint32_t len; const char *bytes; } cases[] = {
        {"10.0.0.0/8", 8, "\x02\x08\x00\x04\x0a\x00\x00\x00"},
        {"192.168.1.5", 8, "\x02\x20\x00\x04\xc0\xa8\x01\x05"},
        {"::1", 20, "\x03\x80\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                    "\x01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = in(cases[i].text);
        sql_strbuf sb;
        sql_strbuf_init(&sb, arena, 16);
        assert_true(sql_value_send(&io, &v, &sb));
        assert_int_equal(sb.len, cases[i].len);
        assert_memory_equal(sb.data, cases[i].bytes, cases[i].len);
        sql_value back = {.type_oid = SQL_T_INET};
        assert_true(sql_value_recv(&io, SQL_T_INET, (const uint8_t *)sb.data, sb.len, -1, &back));
        assert_int_equal(sql_value_cmp(&v, &back), 0);
        sql_strbuf_reset(&sb);
        assert_true(sql_value_out(&io, &back, -1, &sb));
        assert_int_equal(sb.len, strlen(cases[i].text));
        assert_memory_equal(sb.data, cases[i].text, sb.len);
    }
}

static void expect_recv_error(const char *bytes, uint32_t len, const char *message) {
    sql_value v = {.type_oid = SQL_T_INET};
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_INET, (const uint8_t *)bytes, len, -1, &v));
    assert_string_equal(err.sqlstate, "22P03");
    assert_string_equal(err.message, message);
}

static void test_inet_recv_rejects_bad_bytes(void **state) {
    (void)state;
    expect_recv_error("\x04\x08\x00\x04\x0a\x00\x00\x00", 8,
                      "invalid address family in external \"inet\" value");
    expect_recv_error("\x02\x21\x00\x04\x0a\x00\x00\x00", 8,
                      "invalid bits in external \"inet\" value");
    expect_recv_error("\x02\x08\x00\x10\x0a\x00\x00\x00", 8,
                      "invalid length in external \"inet\" value");
    expect_recv_error("\x02\x08\x00\x04\x0a\x00\x00", 7,
                      "invalid length in external \"inet\" value");
    /* is_cidr set: accepted for inet, and sent back as inet (0) */
    sql_value v = {.type_oid = SQL_T_INET};
    assert_true(sql_value_recv(&io, SQL_T_INET, (const uint8_t *)"\x02\x08\x01\x04\x0a\x00\x00\x00",
                               8, -1, &v));
    assert_int_equal(v.b.ptr[2], 0);
}

/* In PostgreSQL's order (SELECT ... ORDER BY on a real server). */
static const char *const ordered[] = {
    "0.0.0.0/0", "10.0.0.0/8", "10.0.0.1/8", "10.0.0.1/16", "10.0.0.0", "10.0.0.1",
    "10.0.0.2", "10.1.0.0/16", "192.168.1.5", "255.255.255.255", "::/0", "::", "::1",
    "2001:db8::/32", "2001:db8::1", "ffff::a",
};

static void test_inet_order_and_index_keys(void **state) {
    (void)state;
    size_t n = sizeof ordered / sizeof ordered[0];
    for (size_t i = 0; i + 1 < n; i++) {
        sql_value a = in(ordered[i]), b = in(ordered[i + 1]);
        assert_true(sql_value_cmp(&a, &b) < 0);
        assert_true(sql_value_cmp(&b, &a) > 0);
        eng_codec_w wa, wb;
        eng_w_init(&wa);
        eng_w_init(&wb);
        assert_true(eng_key_append(&wa, &a, false, &err));
        assert_true(eng_key_append(&wb, &b, false, &err));
        size_t m = wa.len < wb.len ? wa.len : wb.len;
        int c = memcmp(wa.buf, wb.buf, m);
        assert_true(c < 0 || (c == 0 && wa.len < wb.len));
        rt_free(wa.buf);
        rt_free(wb.buf);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inet_send_matches_postgresql),
        cmocka_unit_test(test_inet_recv_rejects_bad_bytes),
        cmocka_unit_test(test_inet_order_and_index_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
