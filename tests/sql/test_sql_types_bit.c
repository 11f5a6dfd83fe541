/* test_sql_types_bit.c: the bit and varbit types as registered (sql_types_bit.c) and the
 * engine's index key of them (eng_key.c).
 * How: values are read and written through the type registry as the wire layer does: binary
 * forms are compared byte for byte with what PostgreSQL 15's bit_send / varbit_send return for
 * the same text (taken from a real server), received values get their pad bits cleared, bad
 * text, binary input and typmod lengths must fail with PostgreSQL's SQLSTATEs and messages, and
 * a list of values in PostgreSQL's order (ORDER BY on a real server) must compare and key-sort
 * the same way, ascending and descending. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_key.h"
#include "sql/sql_bit.h"
#include "sql/sql_types.h"
#include "test_sql_types_util.h"

static void assert_text(const sql_value *v, const char *text) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 16);
    assert_true(sql_value_out(&io, v, -1, &sb));
    assert_int_equal(sb.len, strlen(text));
    assert_memory_equal(sb.data, text, sb.len);
}

/* SELECT bit_send(B'1'), varbit_send(B'101100001'), varbit_send(''), bit_send(X'1F'). */
static void test_bit_send_matches_postgresql(void **state) {
    (void)state;
    static const struct {
        uint32_t type;
        const char *text, *out;
        uint32_t len;
        const char *bytes;
    } cases[] = {
        {SQL_T_BIT, "1", "1", 5, "\x00\x00\x00\x01\x80"},
        {SQL_T_VARBIT, "101100001", "101100001", 6, "\x00\x00\x00\x09\xb0\x80"},
        {SQL_T_VARBIT, "", "", 4, "\x00\x00\x00\x00"},
        {SQL_T_BIT, "x1F", "00011111", 5, "\x00\x00\x00\x08\x1f"},
        {SQL_T_BIT, "B01", "01", 5, "\x00\x00\x00\x02\x40"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = in_as(cases[i].type, cases[i].text, -1);
        sql_value back = send_recv_as(&v, cases[i].len, cases[i].bytes);
        assert_text(&back, cases[i].out);
    }
}

static void expect_error(const char *sqlstate, const char *message) {
    assert_string_equal(err.sqlstate, sqlstate);
    assert_string_equal(err.message, message);
}

static void test_bit_recv_checks_and_pads(void **state) {
    (void)state;
    sql_value v = {.type_oid = SQL_T_BIT};
    /* 3 bits sent as 0xff: the pad bits are cleared, as PostgreSQL's bit_recv does */
    assert_true(sql_value_recv(&io, SQL_T_BIT, (const uint8_t *)"\x00\x00\x00\x03\xff", 5, -1,
                               &v));
    assert_int_equal(v.b.ptr[4], 0xe0);
    assert_text(&v, "111");
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_BIT, (const uint8_t *)"\x80\x00\x00\x03\xff", 5, -1,
                                &v));
    expect_error("22P03", "invalid length in external bit string");
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_VARBIT, (const uint8_t *)"\x00\x00\x00\x09\xff", 5,
                                -1, &v));
    expect_error("08P01", "insufficient data left in message");
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_BIT, (const uint8_t *)"\x00\x00\x00\x03\xe0", 5, 4,
                                &v));
    expect_error("22026", "bit string length 3 does not match type bit(4)");
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_VARBIT, (const uint8_t *)"\x00\x00\x00\x03\xe0", 5,
                                2, &v));
    expect_error("22001", "bit string too long for type bit varying(2)");
}

static void test_bit_input_errors_and_typmods(void **state) {
    (void)state;
    sql_value v = {.type_oid = SQL_T_BIT};
    rt_err_clear(&err);
    assert_false(sql_value_in(&io, SQL_T_BIT, "10a", 3, -1, &v));
    expect_error("22P02", "\"a\" is not a valid binary digit");
    rt_err_clear(&err);
    assert_false(sql_value_in(&io, SQL_T_VARBIT, "x1\xc3\xa9", 4, -1, &v));
    expect_error("22P02", "\"\xc3\xa9\" is not a valid hexadecimal digit");
    rt_err_clear(&err);
    assert_false(sql_value_in(&io, SQL_T_BIT, "101", 3, 4, &v));
    expect_error("22026", "bit string length 3 does not match type bit(4)");
    /* an explicit cast pads bit(n) and cuts both */
    v = in_as(SQL_T_BIT, "101", -1);
    assert_true(sql_value_coerce(&io, &v, 12, true));
    assert_text(&v, "101000000000");
    assert_true(sql_value_coerce(&io, &v, 2, true));
    assert_text(&v, "10");
    v = in_as(SQL_T_VARBIT, "1011", 4);
    rt_err_clear(&err);
    assert_false(sql_value_coerce(&io, &v, 3, false));
    expect_error("22001", "bit string too long for type bit varying(3)");
    assert_true(sql_value_coerce(&io, &v, 9, false)); /* shorter than varbit(n): kept */
    assert_text(&v, "1011");
}

/* In PostgreSQL's order: SELECT ... ORDER BY of these varbit values on a real server. */
static const char *const ordered[] = {
    "", "0", "00", "000000000", "01", "1", "10", "100000000", "1000000001", "10000001", "11",
    "11111111", "111111111",
};

static void test_bit_order_and_index_keys(void **state) {
    (void)state;
    size_t n = sizeof ordered / sizeof ordered[0];
    for (size_t i = 0; i + 1 < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            sql_value a = in_as(SQL_T_VARBIT, ordered[i], -1);
            sql_value b = in_as(SQL_T_VARBIT, ordered[j], -1);
            assert_true(sql_value_cmp(&a, &b) < 0);
            assert_true(sql_value_cmp(&b, &a) > 0);
            assert_true(key_cmp(&a, &b, false) < 0);
            assert_true(key_cmp(&a, &b, true) > 0);
        }
        sql_value a = in_as(SQL_T_BIT, ordered[i], -1), same = in_as(SQL_T_BIT, ordered[i], -1);
        assert_int_equal(sql_value_cmp(&a, &same), 0);
        assert_int_equal(key_cmp(&a, &same, false), 0);
        assert_int_equal(sql_value_hash(&a), sql_value_hash(&same));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_send_matches_postgresql),
        cmocka_unit_test(test_bit_recv_checks_and_pads),
        cmocka_unit_test(test_bit_input_errors_and_typmods),
        cmocka_unit_test(test_bit_order_and_index_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
