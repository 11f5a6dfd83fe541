/* test_sql_fn_numeric.c: the numeric type as registered (sql_type_numeric.c), its operators
 * and functions (sql_fn_numeric.c), its casts (sql_cast_types.c) and the numeric aggregates
 * (sql_agg_numeric.c), called through the registries as a query calls them.
 * How: the case tables hold a call and PostgreSQL 15's answer (output text, NULL, or SQLSTATE
 * and message), written by tests/sql/gen-fn-cases from a real server: scales of results,
 * rounding, NaN and infinities, typmod rounding and overflow, every error. Other tests check
 * the binary wire format and the typmod text. */
#include "test_sql_fn_types_util.h"

static const tf_case numeric_cases[] = {
/* BEGIN CASES numeric */
    {"+", true, 2, {A(NU, "1.5"), A(NU, "2.25")},
     "3.75"},
    {"-", true, 2, {A(NU, "1"), A(NU, "3.000")},
     "-2.000"},
    {"*", true, 2, {A(NU, "1.5"), A(NU, "-2.5")},
     "-3.75"},
    {"/", true, 2, {A(NU, "1"), A(NU, "3")},
     "0.33333333333333333333"},
    {"/", true, 2, {A(NU, "10"), A(NU, "4")},
     "2.5000000000000000"},
    {"/", true, 2, {A(NU, "1"), A(NU, "0")},
     "ERROR 22012: division by zero"},
    {"%", true, 2, {A(NU, "10.5"), A(NU, "3")},
     "1.5"},
    {"%", true, 2, {A(NU, "-7"), A(NU, "2")},
     "-1"},
    {"^", true, 2, {A(NU, "2"), A(NU, "10")},
     "1024.0000000000000000"},
    {"^", true, 2, {A(NU, "2"), A(NU, "0.5")},
     "1.4142135623730950"},
    {"^", true, 2, {A(NU, "0"), A(NU, "-1")},
     "ERROR 2201F: zero raised to a negative power is undefined"},
    {"-", true, 1, {A(NU, "5.50")},
     "-5.50"},
    {"+", true, 2, {A(NU, "NaN"), A(NU, "1")},
     "NaN"},
    {"*", true, 2, {A(NU, "Infinity"), A(NU, "-2")},
     "-Infinity"},
    {"-", true, 2, {A(NU, "Infinity"), A(NU, "Infinity")},
     "NaN"},
    {"/", true, 2, {A(NU, "Infinity"), A(NU, "Infinity")},
     "NaN"},
    {"=", true, 2, {A(NU, "1.0"), A(NU, "1.00")},
     "t"},
    {"<", true, 2, {A(NU, "NaN"), A(NU, "1")},
     "f"},
    {"<", true, 2, {A(NU, "-Infinity"), A(NU, "-1e100")},
     "t"},
    {"abs", false, 1, {A(NU, "-3.14")},
     "3.14"},
    {"sign", false, 1, {A(NU, "-0.5")},
     "-1"},
    {"sign", false, 1, {A(NU, "0")},
     "0"},
    {"ceil", false, 1, {A(NU, "-1.5")},
     "-1"},
    {"ceiling", false, 1, {A(NU, "1.01")},
     "2"},
    {"floor", false, 1, {A(NU, "-1.5")},
     "-2"},
    {"round", false, 1, {A(NU, "2.5")},
     "3"},
    {"round", false, 1, {A(NU, "-2.5")},
     "-3"},
    {"round", false, 2, {A(NU, "1234.5678"), A(I4, "2")},
     "1234.57"},
    {"round", false, 2, {A(NU, "1234.5678"), A(I4, "-2")},
     "1200"},
    {"trunc", false, 1, {A(NU, "-1.99")},
     "-1"},
    {"trunc", false, 2, {A(NU, "1234.5678"), A(I4, "1")},
     "1234.5"},
    {"sqrt", false, 1, {A(NU, "2")},
     "1.414213562373095"},
    {"sqrt", false, 1, {A(NU, "-1")},
     "ERROR 2201F: cannot take square root of a negative number"},
    {"exp", false, 1, {A(NU, "1")},
     "2.7182818284590452"},
    {"ln", false, 1, {A(NU, "10")},
     "2.3025850929940457"},
    {"ln", false, 1, {A(NU, "0")},
     "ERROR 2201E: cannot take logarithm of zero"},
    {"log", false, 1, {A(NU, "1000")},
     "3.0000000000000000"},
    {"log10", false, 1, {A(NU, "0.01")},
     "-2.0000000000000000"},
    {"log", false, 2, {A(NU, "2"), A(NU, "1024")},
     "10.0000000000000000"},
    {"power", false, 2, {A(NU, "1.5"), A(NU, "3")},
     "3.3750000000000000"},
    {"mod", false, 2, {A(NU, "10"), A(NU, "3.3")},
     "0.1"},
    {"div", false, 2, {A(NU, "-7.5"), A(NU, "2")},
     "-3"},
    {"scale", false, 1, {A(NU, "1.500")},
     "3"},
    {"scale", false, 1, {A(NU, "NaN")},
     "<NULL>"},
    {"min_scale", false, 1, {A(NU, "1.500")},
     "1"},
    {"trim_scale", false, 1, {A(NU, "1.500")},
     "1.5"},
    {"gcd", false, 2, {A(NU, "12.0"), A(NU, "18")},
     "6.0"},
    {"lcm", false, 2, {A(NU, "4"), A(NU, "6")},
     "12"},
    {"factorial", false, 1, {A(I8, "20")},
     "2432902008176640000"},
    {"factorial", false, 1, {A(I8, "-1")},
     "ERROR 22003: factorial of a negative number is undefined"},
    {"width_bucket", false, 4, {A(NU, "5.35"), A(NU, "0.024"), A(NU, "10.06"), A(I4, "5")},
     "3"},
    {"width_bucket", false, 4, {A(NU, "-1"), A(NU, "0"), A(NU, "10"), A(I4, "5")},
     "0"},
    {"width_bucket", false, 4, {A(NU, "10"), A(NU, "0"), A(NU, "10"), A(I4, "5")},
     "6"},
    {"width_bucket", false, 4, {A(NU, "3"), A(NU, "10"), A(NU, "0"), A(I4, "4")},
     "3"},
    {"width_bucket", false, 4, {A(NU, "1"), A(NU, "1"), A(NU, "1"), A(I4, "4")},
     "ERROR 2201G: lower bound cannot equal upper bound"},
/* END CASES */
};

static const tf_case cast_cases[] = {
/* BEGIN CASES casts */
    {"::numeric(5,2)", false, 1, {A(NU, "123.456")},
     "123.46"},
    {"::numeric(5,2)", false, 1, {A(NU, "1234.5")},
     "ERROR 22003: numeric field overflow"},
    {"::numeric(3)", false, 1, {A(NU, "-0.5")},
     "-1"},
    {"::numeric(4,-2)", false, 1, {A(NU, "123456")},
     "123500"},
    {"::numeric(3,5)", false, 1, {A(NU, "0.0012345")},
     "0.00123"},
    {"::numeric(5,2)", false, 1, {A(NU, "NaN")},
     "NaN"},
    {"::numeric(5,2)", false, 1, {A(NU, "Infinity")},
     "ERROR 22003: numeric field overflow"},
    {"::int4", false, 1, {A(NU, "2.5")},
     "3"},
    {"::int4", false, 1, {A(NU, "-2.5")},
     "-3"},
    {"::int2", false, 1, {A(NU, "40000")},
     "ERROR 22003: smallint out of range"},
    {"::int8", false, 1, {A(NU, "NaN")},
     "ERROR 0A000: cannot convert NaN to bigint"},
    {"::float8", false, 1, {A(NU, "0.1")},
     "0.1"},
    {"::float4", false, 1, {A(NU, "1e-50")},
     "ERROR 22003: \"0.00000000000000000000000000000000000000000000000001\" is out of "
     "range for type real"},
    {"::numeric", false, 1, {A(F8, "0.30000000000000004")},
     "0.3"},
    {"::numeric", false, 1, {A(F8, "1e20")},
     "100000000000000000000"},
    {"::numeric", false, 1, {A(F8, "NaN")},
     "NaN"},
    {"::numeric", false, 1, {A(F4, "3.14159")},
     "3.14159"},
    {"::numeric", false, 1, {A(I4, "-42")},
     "-42"},
    {"::numeric", false, 1, {A(I8, "9223372036854775807")},
     "9223372036854775807"},
    {"::text", false, 1, {A(NU, "1.50")},
     "1.50"},
    {"::numeric", false, 1, {A(T, " 1e3 ")},
     "1000"},
    {"::numeric", false, 1, {A(T, "abc")},
     "ERROR 22P02: invalid input syntax for type numeric: \"abc\""},
    {"::numeric(10,2)", false, 1, {A(I4, "7")},
     "7.00"},
    {"::_numeric", false, 1, {A(T, "{1.50,NULL,-2e3}")},
     "{1.50,NULL,-2000}"},
    {"::_numeric", false, 1, {A(I4A, "{1,2}")},
     "{1,2}"},
    {"::_int4", false, 1, {A(T, "{1.5,2.5}")},
     "ERROR 22P02: invalid input syntax for type integer: \"1.5\""},
    {"::numeric", false, 1, {A(T, "1e131072")},
     "ERROR 22003: value overflows numeric format"},
    {"::text", false, 1, {A(SQL_T_NUMERIC_ARRAY, "{NaN,1.0}")},
     "{NaN,1.0}"},
/* END CASES */
};

static const tf_case agg_cases[] = {
/* BEGIN CASES aggs */
    {"sum", false, 4, {A(NU, "1.5"), A(NU, "2.25"), A(NU, NULL), A(NU, "7")},
     "10.75"},
    {"avg", false, 3, {A(NU, "1.5"), A(NU, "2.25"), A(NU, "7")},
     "3.5833333333333333"},
    {"sum", false, 2, {A(I8, "9223372036854775807"), A(I8, "1")},
     "9223372036854775808"},
    {"avg", false, 2, {A(I4, "1"), A(I4, "2")},
     "1.5000000000000000"},
    {"avg", false, 3, {A(I2, "1"), A(I2, "2"), A(I2, "4")},
     "2.3333333333333333"},
    {"avg", false, 2, {A(I8, "-5"), A(I8, "6")},
     "0.50000000000000000000"},
    {"sum", false, 1, {A(NU, NULL)},
     "<NULL>"},
    {"var_samp", false, 3, {A(NU, "1.5"), A(NU, "2.25"), A(NU, "7")},
     "8.8958333333333333"},
    {"stddev_samp", false, 3, {A(NU, "1.5"), A(NU, "2.25"), A(NU, "7")},
     "2.9825883613622134"},
    {"var_pop", false, 3, {A(NU, "1.5"), A(NU, "2.25"), A(NU, "7")},
     "5.9305555555555556"},
    {"stddev_pop", false, 3, {A(NU, "1.5"), A(NU, "2.25"), A(NU, "7")},
     "2.4352731993670763"},
    {"variance", false, 3, {A(I4, "1"), A(I4, "2"), A(I4, "4")},
     "2.3333333333333333"},
    {"stddev", false, 3, {A(I4, "1"), A(I4, "2"), A(I4, "4")},
     "1.5275252316519467"},
    {"var_samp", false, 1, {A(I4, "5")},
     "<NULL>"},
    {"var_pop", false, 1, {A(I4, "5")},
     "0"},
    {"stddev_pop", false, 2, {A(I2, "1"), A(I2, "2")},
     "0.50000000000000000000"},
    {"variance", false, 3, {A(I8, "10"), A(I8, "20"), A(I8, "35")},
     "158.3333333333333333"},
    {"sum", false, 2, {A(NU, "NaN"), A(NU, "1")},
     "NaN"},
    {"avg", false, 2, {A(NU, "Infinity"), A(NU, "1")},
     "Infinity"},
    {"min", false, 3, {A(NU, "3"), A(NU, "1.5"), A(NU, "2")},
     "1.5"},
    {"max", false, 3, {A(NU, "3"), A(NU, "1.5"), A(NU, "NaN")},
     "NaN"},
/* END CASES */
};

static void test_numeric_functions(void **state) {
    (void)state;
    tf_run_cases(numeric_cases, sizeof numeric_cases / sizeof numeric_cases[0]);
}

static void test_numeric_casts(void **state) {
    (void)state;
    tft_run(cast_cases, sizeof cast_cases / sizeof cast_cases[0], false);
}

static void test_numeric_aggregates(void **state) {
    (void)state;
    tft_run(agg_cases, sizeof agg_cases / sizeof agg_cases[0], true);
}

/* numeric_send of 1234.5600 is ndigits 3, weight 0, sign 0, dscale 4, digits 1234 5600:
 * what drivers decode; receiving it gives the same value back. */
static void test_numeric_binary(void **state) {
    (void)state;
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    sql_value v = tf_value(&A(NU, "1234.5600"));
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 16);
    assert_true(sql_value_send(&io, &v, &sb));
    const uint8_t want[] = {0, 2, 0, 0, 0, 0, 0, 4, 0x04, 0xd2, 0x15, 0xe0};
    assert_int_equal(sb.len, sizeof want);
    assert_memory_equal(sb.data, want, sizeof want);
    sql_value back;
    assert_true(sql_value_recv(&io, NU, (const uint8_t *)sb.data, sb.len, -1, &back));
    assert_string_equal(tf_text(&back), "1234.5600");
    assert_false(sql_value_recv(&io, NU, (const uint8_t *)sb.data, sb.len - 1, -1, &back));
}

/* numeric(p,s) typmods as format_type prints them, and PostgreSQL's range errors. */
static void test_numeric_typmods(void **state) {
    (void)state;
    const sql_type_def *t = sql_type_by_oid(NU);
    int32_t tm;
    rt_err err;
    rt_err_clear(&err);
    assert_true(t->typmod_in((int32_t[]){10, 2}, 2, &tm, &err));
    assert_int_equal(tm, (10 << 16 | 2) + 4);
    char buf[32];
    t->typmod_out(tm, buf, sizeof buf);
    assert_string_equal(buf, "(10,2)");
    assert_true(t->typmod_in((int32_t[]){5, -2}, 2, &tm, &err));
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 32);
    sql_type_format(NU, tm, &sb);
    sql_strbuf_putc(&sb, '\0');
    assert_string_equal(sb.data, "numeric(5,-2)");
    assert_false(t->typmod_in((int32_t[]){1001}, 1, &tm, &err));
    assert_string_equal(err.sqlstate, "22023");
    assert_string_equal(err.message, "NUMERIC precision 1001 must be between 1 and 1000");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_functions), cmocka_unit_test(test_numeric_casts),
        cmocka_unit_test(test_numeric_aggregates), cmocka_unit_test(test_numeric_binary),
        cmocka_unit_test(test_numeric_typmods),
    };
    return cmocka_run_group_tests(tests, tft_setup, tf_teardown);
}
