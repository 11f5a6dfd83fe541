/* test_sql_types_record.c: composite values (sql_record.h, sql_type_record.c).
 * How: records are built from values and read back through the type registry as the wire
 * layer does: text output must quote fields as PostgreSQL 15's record_out does (the expected
 * strings were taken from a real server), record_in must read them back and refuse malformed
 * literals with PostgreSQL's SQLSTATE and details, record_send must give the column count and
 * per column OID, length (-1 for NULL) and value, and the order must be record_cmp's (column by
 * column, NULL after every value and equal to NULL) with equal records hashing alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_record.h"
#include "test_sql_types_util.h"

#define TEST_ROWTYPE 16500u /* a table's row type: any user OID */

static const uint32_t test_types[3] = {SQL_T_INT4, SQL_T_TEXT, SQL_T_FLOAT8};
static const int32_t test_typmods[3] = {-1, -1, -1};
static const char *const test_names[3] = {"a", "b", "c"};

static sql_value rec_of(uint32_t n, const sql_value *vals) {
    sql_value r = {.type_oid = SQL_T_RECORD};
    assert_true(sql_record_build(arena, SQL_T_RECORD, n, NULL, NULL, vals, &r.b));
    return r;
}

static sql_value int4(int64_t v) { return (sql_value){.type_oid = SQL_T_INT4, .i64 = v}; }
static sql_value null_of(uint32_t t) { return (sql_value){.type_oid = t, .is_null = true}; }
static sql_value text(const char *s) {
    return (sql_value){.type_oid = SQL_T_TEXT,
                       .b = {(const uint8_t *)s, (uint32_t)strlen(s)}};
}

static void assert_out(const sql_value *v, const char *want) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 16);
    rt_err_clear(&err);
    assert_true(sql_value_out(&io, v, -1, &sb));
    sql_strbuf_putc(&sb, '\0');
    assert_string_equal(sb.data, want);
}

static void test_record_out_quotes_as_postgresql(void **state) {
    (void)state;
    sql_value vals[5] = {int4(1), text("a b"), null_of(SQL_T_INT4), text(""), text("q\"\\(,)")};
    sql_value r = rec_of(5, vals);
    assert_out(&r, "(1,\"a b\",,\"\",\"q\"\"\\\\(,)\")");
    sql_value one_null[1] = {null_of(SQL_T_TEXT)};
    sql_value r1 = rec_of(1, one_null);
    assert_out(&r1, "()"); /* SELECT ROW(NULL) */
    sql_value nested[2] = {int4(7), r};
    sql_value r2 = rec_of(2, nested);
    assert_out(&r2, "(7,\"(1,\"\"a b\"\",,\"\"\"\",\"\"q\"\"\"\"\\\\\\\\(,)\"\")\")");
}

static void test_record_in_reads_back_and_names_columns(void **state) {
    (void)state;
    const char *lit = " (5,\"q r\",) ";
    sql_value v;
    rt_err_clear(&err);
    assert_true(sql_record_in(&io, lit, (uint32_t)strlen(lit), TEST_ROWTYPE, "t", 3, test_names,
                              test_types, test_typmods, &v));
    assert_int_equal(v.type_oid, TEST_ROWTYPE);
    assert_int_equal(sql_record_rowtype(v.b), TEST_ROWTYPE);
    assert_int_equal(sql_record_count(v.b), 3);
    assert_out(&v, "(5,\"q r\",)");
    sql_record_col col;
    assert_true(sql_record_field(v.b, 1, &col));
    assert_int_equal(col.name_len, 1);
    assert_memory_equal(col.name, "b", 1);
    assert_int_equal(col.value.b.len, 3);
    assert_memory_equal(col.value.b.ptr, "q r", 3);
    assert_true(sql_record_field(v.b, 2, &col));
    assert_true(col.value.is_null);
    assert_false(sql_record_field(v.b, 3, &col));
    const char *esc = "(1,\"x\"\"y\\\\z\",2.5)";
    assert_true(sql_record_in(&io, esc, (uint32_t)strlen(esc), TEST_ROWTYPE, "t", 3, test_names,
                              test_types, test_typmods, &v));
    assert_true(sql_record_field(v.b, 1, &col));
    assert_int_equal(col.value.b.len, 5);
    assert_memory_equal(col.value.b.ptr, "x\"y\\z", 5);
}

static void test_record_in_refuses_malformed_literals(void **state) {
    (void)state;
    static const struct { const char *text, *detail; } bad[] = {
        {"1,2,3", "Missing left parenthesis."},
        {"(1,2", "Unexpected end of input."},
        {"(1)", "Too few columns."},
        {"(1,2,3,4)", "Too many columns."},
        {"(1,2,3) x", "Junk after right parenthesis."},
        {"(1,\"2,3)", "Unexpected end of input."},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sql_value v;
        rt_err_clear(&err);
        assert_false(sql_record_in(&io, bad[i].text, (uint32_t)strlen(bad[i].text), TEST_ROWTYPE,
                                   "t", 3, test_names, test_types, test_typmods, &v));
        assert_string_equal(err.sqlstate, "22P02");
        assert_string_equal(err.detail, bad[i].detail);
    }
    sql_value v;
    rt_err_clear(&err);
    assert_false(sql_record_in(&io, "(x,2,3)", 7, TEST_ROWTYPE, "t", 3, test_names, test_types,
                               test_typmods, &v));
    assert_string_equal(err.message, "invalid input syntax for type integer: \"x\"");
}

static void test_record_send_gives_oids_and_lengths(void **state) {
    (void)state;
    sql_value vals[2] = {int4(258), null_of(SQL_T_TEXT)};
    sql_value r = rec_of(2, vals);
    r.type_oid = TEST_ROWTYPE; /* a table's row type is sent as a record */
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 16);
    rt_err_clear(&err);
    assert_true(sql_value_send(&io, &r, &sb));
    static const uint8_t want[] = {0, 0, 0, 2,  0, 0, 0, 23, 0, 0, 0, 4, 0, 0, 1, 2,
                                   0, 0, 0, 25, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(sb.len, sizeof want);
    assert_memory_equal(sb.data, want, sizeof want);
}

static void test_record_order_puts_nulls_last(void **state) {
    (void)state;
    /* SELECT s FROM (VALUES ...) s(x, y) ORDER BY s on PostgreSQL 15 */
    sql_value rows[4][2] = {{int4(0), int4(5)}, {int4(1), int4(2)},
                            {int4(1), null_of(SQL_T_INT4)}, {null_of(SQL_T_INT4), int4(1)}};
    sql_value r[4];
    for (int i = 0; i < 4; i++) r[i] = rec_of(2, rows[i]);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            int c = sql_value_cmp(&r[i], &r[j]);
            assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
        }
    }
    sql_value again = rec_of(2, rows[2]);
    assert_int_equal(sql_value_cmp(&again, &r[2]), 0); /* NULL fields compare equal */
    assert_true(sql_value_hash(&again) == sql_value_hash(&r[2]));
    assert_true(sql_value_hash(&r[0]) != sql_value_hash(&r[1]));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_out_quotes_as_postgresql),
        cmocka_unit_test(test_record_in_reads_back_and_names_columns),
        cmocka_unit_test(test_record_in_refuses_malformed_literals),
        cmocka_unit_test(test_record_send_gives_oids_and_lengths),
        cmocka_unit_test(test_record_order_puts_nulls_last),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
