/* test_sql_types_range.c: the range types as registered (sql_types_range.c, sql_range.h) and
 * the engine's index key of them (eng_key.c).
 * How: values are read and written through the type registry as the wire layer does: text
 * input must come back in PostgreSQL 15's canonical text (discrete ranges as [), empty,
 * infinite bounds, quoted bounds), binary forms are compared byte for byte with what
 * PostgreSQL 15's range_send returns for the same values (taken from a real server), received
 * values are canonicalised and checked, bad text must fail with PostgreSQL's SQLSTATEs and
 * messages, and a list of values in PostgreSQL's order (ORDER BY on a real server) must compare
 * and key-sort the same way, ascending and descending, equal values hashing alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_key.h"
#include "sql/sql_range.h"
#include "sql/sql_types.h"
#include "test_sql_types_util.h"

static void assert_text(const sql_value *v, const char *text) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 16);
    assert_true(sql_value_out(&io, v, -1, &sb));
    sql_strbuf_putc(&sb, '\0');
    assert_string_equal(sb.data, text);
}

static void expect_error(const char *sqlstate, const char *message, const char *detail) {
    assert_string_equal(err.sqlstate, sqlstate);
    assert_string_equal(err.message, message);
    if (detail != NULL) assert_string_equal(err.detail, detail);
}

static void test_range_text_canonical_forms(void **state) {
    (void)state;
    static const struct { uint32_t type; const char *in, *out; } cases[] = {
        {SQL_T_INT4RANGE, "[1,5]", "[1,6)"},
        {SQL_T_INT4RANGE, "(1,5)", "[2,5)"},
        {SQL_T_INT4RANGE, "(1,2)", "empty"},
        {SQL_T_INT4RANGE, "[3,3)", "empty"},
        {SQL_T_INT4RANGE, "[3,3]", "[3,4)"},
        {SQL_T_INT4RANGE, "  EMPTY  ", "empty"},
        {SQL_T_INT4RANGE, "[,5]", "(,6)"},
        {SQL_T_INT4RANGE, "(,)", "(,)"},
        {SQL_T_INT4RANGE, " [ \"1\" , 5 ) ", "[1,5)"},
        {SQL_T_INT8RANGE, "(-9223372036854775808,0]", "[-9223372036854775807,1)"},
        {SQL_T_NUMRANGE, "(1.50,2]", "(1.50,2]"},
        {SQL_T_NUMRANGE, "[1,1]", "[1,1]"},
        {SQL_T_NUMRANGE, "(1,1]", "empty"},
        {SQL_T_DATERANGE, "(2020-01-01,2020-01-05]", "[2020-01-02,2020-01-06)"},
        {SQL_T_DATERANGE, "[-infinity,infinity]", "[-infinity,infinity]"},
        {SQL_T_TSRANGE, "[2020-01-01,2020-01-02)",
         "[\"2020-01-01 00:00:00\",\"2020-01-02 00:00:00\")"},
        {SQL_T_TSRANGE, "(,\"2020-01-01 10:00\"]", "(,\"2020-01-01 10:00:00\"]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = in_as(cases[i].type, cases[i].in, -1);
        assert_text(&v, cases[i].out);
    }
}

static void test_range_text_errors(void **state) {
    (void)state;
    static const struct {
        uint32_t type;
        const char *in, *sqlstate, *message, *detail;
    } cases[] = {
        {SQL_T_INT4RANGE, "[1,2", "22P02", "malformed range literal: \"[1,2\"",
         "Unexpected end of input."},
        {SQL_T_INT4RANGE, "1,2)", "22P02", "malformed range literal: \"1,2)\"",
         "Missing left parenthesis or bracket."},
        {SQL_T_INT4RANGE, "[1 2)", "22P02", "malformed range literal: \"[1 2)\"",
         "Missing comma after lower bound."},
        {SQL_T_INT4RANGE, "[1,2,3)", "22P02", "malformed range literal: \"[1,2,3)\"",
         "Too many commas."},
        {SQL_T_INT4RANGE, "[1,2) x", "22P02", "malformed range literal: \"[1,2) x\"",
         "Junk after right parenthesis or bracket."},
        {SQL_T_INT4RANGE, "empty x", "22P02", "malformed range literal: \"empty x\"",
         "Junk after \"empty\" key word."},
        {SQL_T_INT4RANGE, "[\"1,2)", "22P02", "malformed range literal: \"[\"1,2)\"",
         "Unexpected end of input."},
        {SQL_T_INT4RANGE, "[a,2)", "22P02", "invalid input syntax for type integer: \"a\"", NULL},
        {SQL_T_INT4RANGE, "[5,1)", "22000",
         "range lower bound must be less than or equal to range upper bound", NULL},
        {SQL_T_INT4RANGE, "[1,2147483647]", "22003", "integer out of range", NULL},
        {SQL_T_INT8RANGE, "(9223372036854775807,)", "22003", "bigint out of range", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = {.type_oid = cases[i].type};
        rt_err_clear(&err);
        assert_false(sql_value_in(&io, cases[i].type, cases[i].in,
                                  (uint32_t)strlen(cases[i].in), -1, &v));
        expect_error(cases[i].sqlstate, cases[i].message, cases[i].detail);
    }
}

/* SELECT range_send('[1,5)'::int4range), range_send('empty'::int4range),
 * range_send('(,5]'::int8range), range_send('[1.5,)'::numrange),
 * range_send('[2020-01-01,2020-01-02]'::daterange), range_send('(,)'::tsrange). */
static void test_range_send_matches_postgresql(void **state) {
    (void)state;
    static const struct { uint32_t type; const char *text; uint32_t len; const char *bytes; }
        cases[] = {
        {SQL_T_INT4RANGE, "[1,5)", 17,
         "\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x05"},
        {SQL_T_INT4RANGE, "empty", 1, "\x01"},
        {SQL_T_INT8RANGE, "(,5]", 13, "\x08\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x06"},
        {SQL_T_NUMRANGE, "[1.5,)", 17,
         "\x12\x00\x00\x00\x0c\x00\x02\x00\x00\x00\x00\x00\x01\x00\x01\x13\x88"},
        {SQL_T_DATERANGE, "[2020-01-01,2020-01-02]", 17,
         "\x02\x00\x00\x00\x04\x00\x00\x1c\x89\x00\x00\x00\x04\x00\x00\x1c\x8b"},
        {SQL_T_TSRANGE, "(,)", 1, "\x18"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_value v = in_as(cases[i].type, cases[i].text, -1);
        sql_value back = send_recv_as(&v, cases[i].len, cases[i].bytes);
        assert_int_equal(sql_value_hash(&v), sql_value_hash(&back));
    }
}

static void test_range_recv_canonicalises_and_checks(void **state) {
    (void)state;
    sql_value v = {.type_oid = SQL_T_INT4RANGE};
    /* (1,5] with unknown flag bits set (0x20, 0x80): masked, then made [2,6) */
    rt_err_clear(&err);
    assert_true(sql_value_recv(&io, SQL_T_INT4RANGE,
                               (const uint8_t *)"\xa4\x00\x00\x00\x04\x00\x00\x00\x01"
                                                "\x00\x00\x00\x04\x00\x00\x00\x05", 17, -1, &v));
    assert_text(&v, "[2,6)");
    /* a lower bound above the upper one */
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_INT4RANGE,
                                (const uint8_t *)"\x02\x00\x00\x00\x04\x00\x00\x00\x09"
                                                 "\x00\x00\x00\x04\x00\x00\x00\x05", 17, -1, &v));
    expect_error("22000", "range lower bound must be less than or equal to range upper bound",
                 NULL);
    /* a bound longer than the message, and bytes after the last bound */
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_INT4RANGE,
                                (const uint8_t *)"\x02\x00\x00\x00\x09\x00", 6, -1, &v));
    expect_error("08P01", "insufficient data left in message", NULL);
    rt_err_clear(&err);
    assert_false(sql_value_recv(&io, SQL_T_INT4RANGE, (const uint8_t *)"\x18\x00", 2, -1, &v));
    expect_error("08P01", "invalid message format", NULL);
}

/* SELECT x FROM unnest(ARRAY['(,)'::int4range, ...]) x ORDER BY x on PostgreSQL 15. */
static const char *const ordered[] = {
    "empty", "(,0)", "(,1)", "(,)", "[-2147483648,0)", "[-5,1)", "[-5,)", "[0,1)", "[0,2)",
    "[0,)", "[1,2)",
};

static void test_range_order_and_index_keys(void **state) {
    (void)state;
    size_t n = sizeof ordered / sizeof ordered[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            sql_value a = in_as(SQL_T_INT4RANGE, ordered[i], -1);
            sql_value b = in_as(SQL_T_INT4RANGE, ordered[j], -1);
            assert_true(sql_value_cmp(&a, &b) < 0);
            assert_true(sql_value_cmp(&b, &a) > 0);
            assert_true(key_cmp(&a, &b, false) < 0);
            assert_true(key_cmp(&a, &b, true) > 0);
        }
    }
    /* equal values: [1.0,2.0) = [1.00,2) (numeric's equality), [1,5] = [1,6) */
    sql_value a = in_as(SQL_T_NUMRANGE, "[1.0,2.0)", -1);
    sql_value b = in_as(SQL_T_NUMRANGE, "[1.00,2)", -1);
    assert_int_equal(sql_value_cmp(&a, &b), 0);
    assert_int_equal(key_cmp(&a, &b, false), 0);
    assert_int_equal(sql_value_hash(&a), sql_value_hash(&b));
    a = in_as(SQL_T_INT4RANGE, "[1,5]", -1), b = in_as(SQL_T_INT4RANGE, "[1,6)", -1);
    assert_int_equal(sql_value_cmp(&a, &b), 0);
    assert_int_equal(key_cmp(&a, &b, false), 0);
    /* at one value: an inclusive lower bound sorts first, an exclusive upper bound first */
    a = in_as(SQL_T_NUMRANGE, "[1,2)", -1), b = in_as(SQL_T_NUMRANGE, "(1,2)", -1);
    assert_true(sql_value_cmp(&a, &b) < 0 && key_cmp(&a, &b, false) < 0);
    a = in_as(SQL_T_NUMRANGE, "[1,2)", -1), b = in_as(SQL_T_NUMRANGE, "[1,2]", -1);
    assert_true(sql_value_cmp(&a, &b) < 0 && key_cmp(&a, &b, false) < 0);
    b = in_as(SQL_T_NUMRANGE, "[1,)", -1);
    assert_true(sql_value_cmp(&a, &b) < 0 && key_cmp(&a, &b, false) < 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_text_canonical_forms),
        cmocka_unit_test(test_range_text_errors),
        cmocka_unit_test(test_range_send_matches_postgresql),
        cmocka_unit_test(test_range_recv_canonicalises_and_checks),
        cmocka_unit_test(test_range_order_and_index_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
