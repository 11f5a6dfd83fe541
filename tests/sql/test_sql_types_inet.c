/* test_sql_types_inet.c: the inet and cidr types as registered (sql_types_inet.c) and the
 * engine's index key of them (eng_key.c).
 * How: values are read and written through the type registry as the wire layer does: the
 * binary forms are compared byte for byte with what PostgreSQL 15's inet_send / cidr_send
 * return for the same text (taken from a real server), bad text and binary input must fail
 * with PostgreSQL's SQLSTATEs, messages and details, abbrev()'s text of cidr values must be
 * PostgreSQL's (its quirks included), and the index keys of a list of values in PostgreSQL's
 * order must sort the same way under memcmp, for inet and cidr alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_key.h"
#include "sql/sql_inet.h"
#include "sql/sql_types.h"
#include "test_sql_types_util.h"

static sql_value in(const char *text) { return in_as(SQL_T_INET, text, -1); }

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

static void expect_recv_error_as(uint32_t type, const char *bytes, uint32_t len,
                                 const char *message) {
    sql_value v = {.type_oid = type};
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, type, (const uint8_t *)bytes, len, -1, &v));
    assert_string_equal(err.sqlstate, "22P03");
    assert_string_equal(err.message, message);
}

static void expect_recv_error(const char *bytes, uint32_t len, const char *message) {
    expect_recv_error_as(SQL_T_INET, bytes, len, message);
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

/* Binary forms from PostgreSQL 15: SELECT cidr_send('<text>'), is_cidr set; the same value as
 * inet (the binary-coercible cast) sends is_cidr 0, as inet_send('10.0.0.0/8'::cidr). */
static void test_cidr_send_matches_postgresql(void **state) {
    (void)state;
    static const struct { const char *text, *out; uint32_t len; const char *bytes; } cases[] = {
        {"10/8", "10.0.0.0/8", 8, "\x02\x08\x01\x04\x0a\x00\x00\x00"},
        {"192.168.1.0/24", "192.168.1.0/24", 8, "\x02\x18\x01\x04\xc0\xa8\x01\x00"},
        {"1.2.3.4", "1.2.3.4/32", 8, "\x02\x20\x01\x04\x01\x02\x03\x04"},
        {"2001:db8::/32", "2001:db8::/32", 20,
         "\x03\x20\x01\x10\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
        {"::/0", "::/0", 20,
         "\x03\x00\x01\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = in_as(SQL_T_CIDR, cases[i].text, -1);
        sql_strbuf sb;
        sql_strbuf_init(&sb, arena, 16);
        assert_true(sql_value_send(&io, &v, &sb));
        assert_int_equal(sb.len, cases[i].len);
        assert_memory_equal(sb.data, cases[i].bytes, cases[i].len);
        sql_value back = {.type_oid = SQL_T_CIDR};
        assert_true(sql_value_recv(&io, SQL_T_CIDR, (const uint8_t *)sb.data, sb.len, -1, &back));
        assert_int_equal(sql_value_cmp(&v, &back), 0);
        sql_strbuf_reset(&sb);
        assert_true(sql_value_out(&io, &back, -1, &sb));
        assert_int_equal(sb.len, strlen(cases[i].out));
        assert_memory_equal(sb.data, cases[i].out, sb.len);
        sql_value as_inet = v;
        as_inet.type_oid = SQL_T_INET;
        sql_strbuf_reset(&sb);
        assert_true(sql_value_send(&io, &as_inet, &sb));
        assert_int_equal(((const uint8_t *)sb.data)[2], 0);
        assert_memory_equal(sb.data + 3, cases[i].bytes + 3, cases[i].len - 3);
    }
}

static void expect_in_error(uint32_t type, const char *text, const char *message,
                            const char *detail) {
    sql_value v = {.type_oid = type};
    rt_err_clear(&err);
    assert_false(sql_value_in(&io, type, text, (uint32_t)strlen(text), -1, &v));
    assert_string_equal(err.sqlstate, "22P02");
    assert_string_equal(err.message, message);
    assert_string_equal(err.detail, detail);
}

static void test_cidr_rejects_host_bits_and_bad_input(void **state) {
    (void)state;
    expect_in_error(SQL_T_CIDR, "10.1.2.3/8", "invalid cidr value: \"10.1.2.3/8\"",
                    "Value has bits set to right of mask.");
    expect_in_error(SQL_T_CIDR, "::1/64", "invalid cidr value: \"::1/64\"",
                    "Value has bits set to right of mask.");
    expect_in_error(SQL_T_CIDR, "1/0", "invalid cidr value: \"1/0\"",
                    "Value has bits set to right of mask.");
    expect_in_error(SQL_T_CIDR, "1.2.3.4.5", "invalid input syntax for type cidr: \"1.2.3.4.5\"",
                    "");
    expect_in_error(SQL_T_CIDR, "10./8", "invalid input syntax for type cidr: \"10./8\"", "");
    expect_in_error(SQL_T_INET, "10", "invalid input syntax for type inet: \"10\"", "");
    /* from PostgreSQL's COPY ... (FORMAT binary) of hand-made bytes */
    expect_recv_error_as(SQL_T_CIDR, "\x02\x08\x01\x04\x0a\x01\x00\x00", 8,
                         "invalid external \"cidr\" value");
    assert_string_equal(err.detail, "Value has bits set to right of mask.");
    expect_recv_error_as(SQL_T_CIDR, "\x04\x08\x01\x04\x0a\x00\x00\x00", 8,
                         "invalid address family in external \"cidr\" value");
    expect_recv_error_as(SQL_T_CIDR, "\x03\x81\x01\x10", 4,
                         "invalid bits in external \"cidr\" value");
    expect_recv_error_as(SQL_T_CIDR, "\x03\x80\x01\x04\x00\x00\x00\x00", 8,
                         "invalid length in external \"cidr\" value");
}

/* SELECT abbrev('<text>'::cidr) on PostgreSQL 15, its IPv6 quirks included (a zero-run count
 * that is not restarted; '::102/128' dotted without its leading colon). */
static void test_cidr_abbrev_matches_postgresql(void **state) {
    (void)state;
    static const char *const cases[][2] = {
        {"10.1.0.0/16", "10.1/16"}, {"0.0.0.0/0", "0/0"}, {"10.1.1.0/25", "10.1.1.0/25"},
        {"10.0.0.0/9", "10.0/9"}, {"2001:db8::/32", "2001:db8/32"}, {"1::/16", "1::/16"},
        {"2001:db8:0:1::/64", "2001:db8::1/64"}, {"::ffff:1.2.3.0/120", "::ffff:1.2.3/120"},
        {"::ffff:0:0/96", "::ffff/96"}, {"0:0:1:0:1:0:0:0/128", "0:0:1::0/128"},
        {"::102/128", ":.1.2/128"}, {"::2:0/112", "::0.2/112"}, {"::/0", "::/0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = in_as(SQL_T_CIDR, cases[i][0], -1);
        char buf[SQL_INET_TEXT_BYTES_MAX];
        uint32_t len = sql_inet_format(v.b.ptr, SQL_INET_MASK_ABBREV, buf);
        assert_int_equal(len, strlen(cases[i][1]));
        assert_memory_equal(buf, cases[i][1], len);
    }
}

/* cidr values in PostgreSQL's order; their keys sort the same, and equal the inet keys of the
 * same networks (a cidr primary key is looked up with an inet value). */
static void test_cidr_order_and_index_keys(void **state) {
    (void)state;
    static const char *const nets[] = {"0/0", "10/8", "10.0/16", "10.1/16", "10.1.2.0/24",
                                       "192.168", "::/0", "2001:db8::/32"};
    size_t n = sizeof nets / sizeof nets[0];
    for (size_t i = 0; i < n; i++) {
        sql_value c = in_as(SQL_T_CIDR, nets[i], -1), as_inet = c;
        as_inet.type_oid = SQL_T_INET;
        eng_codec_w wc, wi;
        eng_w_init(&wc);
        eng_w_init(&wi);
        assert_true(eng_key_append(&wc, &c, false, &err));
        assert_true(eng_key_append(&wi, &as_inet, false, &err));
        assert_int_equal(wc.len, wi.len);
        assert_memory_equal(wc.buf, wi.buf, wc.len);
        if (i + 1 < n) {
            sql_value d = in_as(SQL_T_CIDR, nets[i + 1], -1);
            assert_true(sql_value_cmp(&c, &d) < 0);
            eng_codec_w wd;
            eng_w_init(&wd);
            assert_true(eng_key_append(&wd, &d, false, &err));
            size_t m = wc.len < wd.len ? wc.len : wd.len;
            int cmp = memcmp(wc.buf, wd.buf, m);
            assert_true(cmp < 0 || (cmp == 0 && wc.len < wd.len));
            rt_free(wd.buf);
        }
        rt_free(wc.buf);
        rt_free(wi.buf);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inet_send_matches_postgresql),
        cmocka_unit_test(test_inet_recv_rejects_bad_bytes),
        cmocka_unit_test(test_inet_order_and_index_keys),
        cmocka_unit_test(test_cidr_send_matches_postgresql),
        cmocka_unit_test(test_cidr_rejects_host_bits_and_bad_input),
        cmocka_unit_test(test_cidr_abbrev_matches_postgresql),
        cmocka_unit_test(test_cidr_order_and_index_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
