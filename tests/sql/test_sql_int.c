/* test_sql_int.c: smallint / integer / bigint input, output, arithmetic, shifts and casts.
 * How: expected values and error texts were taken from PostgreSQL 15 (psql on a scratch
 * cluster); output is also checked against snprintf over random values, and keys against
 * numeric order. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_int.h"

static const char *RANGE = SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE;
static const char *SYNTAX = SQLSTATE_INVALID_TEXT_REPRESENTATION;

static void test_expect_error(bool ok, rt_err *err, const char *state, const char *message) {
    assert_false(ok);
    assert_string_equal(err->sqlstate, state);
    assert_string_equal(err->message, message);
    rt_err_clear(err);
}

static void test_expect_int4(const char *text, int32_t expected) {
    rt_err err;
    rt_err_clear(&err);
    int32_t v = 0;
    if (!sql_int4_from_text(text, (uint32_t)strlen(text), &v, &err)) {
        fail_msg("'%s': %s", text, err.message);
    }
    assert_int_equal(v, expected);
}

static void test_expect_int4_error(const char *text, const char *state, const char *message) {
    rt_err err;
    rt_err_clear(&err);
    int32_t v;
    test_expect_error(sql_int4_from_text(text, (uint32_t)strlen(text), &v, &err), &err, state,
                      message);
}

static void test_sql_int_input(void **state) {
    test_expect_int4(" 12 ", 12);
    test_expect_int4("+12", 12);
    test_expect_int4("-0", 0);
    test_expect_int4("-2147483648", INT32_MIN);
    test_expect_int4("2147483647", INT32_MAX);
    test_expect_int4("00000000000000000001", 1);
    test_expect_int4("\t12\n", 12);
    test_expect_int4_error("1 2", SYNTAX, "invalid input syntax for type integer: \"1 2\"");
    test_expect_int4_error("", SYNTAX, "invalid input syntax for type integer: \"\"");
    test_expect_int4_error("x", SYNTAX, "invalid input syntax for type integer: \"x\"");
    test_expect_int4_error("0x10", SYNTAX, "invalid input syntax for type integer: \"0x10\"");
    test_expect_int4_error("1_000", SYNTAX, "invalid input syntax for type integer: \"1_000\"");
    test_expect_int4_error("1.0", SYNTAX, "invalid input syntax for type integer: \"1.0\"");
    test_expect_int4_error("+", SYNTAX, "invalid input syntax for type integer: \"+\"");
    test_expect_int4_error("-", SYNTAX, "invalid input syntax for type integer: \"-\"");
    test_expect_int4_error(" +  1", SYNTAX, "invalid input syntax for type integer: \" +  1\"");
    test_expect_int4_error("99999999999", RANGE,
                           "value \"99999999999\" is out of range for type integer");
    test_expect_int4_error(" 99999999999 ", RANGE,
                           "value \" 99999999999 \" is out of range for type integer");
    test_expect_int4_error("99999999999x", RANGE,
                           "value \"99999999999x\" is out of range for type integer");
    test_expect_int4_error("2147483648", RANGE,
                           "value \"2147483648\" is out of range for type integer");
    rt_err err;
    rt_err_clear(&err);
    int16_t s;
    int64_t l;
    assert_true(sql_int2_from_text("  -32768", 8, &s, &err) && s == INT16_MIN);
    test_expect_error(sql_int2_from_text("40000", 5, &s, &err), &err, RANGE,
                      "value \"40000\" is out of range for type smallint");
    test_expect_error(sql_int2_from_text("x", 1, &s, &err), &err, SYNTAX,
                      "invalid input syntax for type smallint: \"x\"");
    test_expect_error(sql_int2_from_text(" ", 1, &s, &err), &err, SYNTAX,
                      "invalid input syntax for type smallint: \" \"");
    assert_true(sql_int8_from_text("-9223372036854775808", 20, &l, &err) && l == INT64_MIN);
    assert_true(sql_int8_from_text("9223372036854775807", 19, &l, &err) && l == INT64_MAX);
    test_expect_error(sql_int8_from_text("9223372036854775808", 19, &l, &err), &err, RANGE,
                      "value \"9223372036854775808\" is out of range for type bigint");
    test_expect_error(sql_int8_from_text("x", 1, &l, &err), &err, SYNTAX,
                      "invalid input syntax for type bigint: \"x\"");
}

static void test_sql_int_output(void **state) {
    char buf[SQL_INT8_TEXT_BYTES_MAX], want[32];
    assert_int_equal(sql_int8_to_text(INT64_MIN, buf), 20);
    assert_string_equal(buf, "-9223372036854775808");
    assert_int_equal(sql_int8_to_text(0, buf), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(sql_uint64_to_text(UINT64_MAX, buf), 20);
    assert_string_equal(buf, "18446744073709551615");
    uint64_t x = 0x243f6a8885a308d3u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t v = (int64_t)(x >> (x % 64)) * ((x & 1) ? -1 : 1);
        uint32_t n = sql_int8_to_text(v, buf);
        snprintf(want, sizeof want, "%lld", (long long)v);
        assert_string_equal(buf, want);
        assert_int_equal(n, strlen(want));
    }
}

static void test_sql_int_arithmetic_errors(void **state) {
    rt_err err;
    rt_err_clear(&err);
    int16_t s;
    int32_t i;
    int64_t l;
    test_expect_error(sql_int4_add(INT32_MAX, 1, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_int2_add(32767, 1, &s, &err), &err, RANGE, "smallint out of range");
    test_expect_error(sql_int8_add(INT64_MAX, 1, &l, &err), &err, RANGE, "bigint out of range");
    test_expect_error(sql_int4_sub(INT32_MIN, 1, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_int4_mul(INT32_MAX, 2, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_int8_mul(INT64_MIN, -1, &l, &err), &err, RANGE, "bigint out of range");
    test_expect_error(sql_int4_div(INT32_MIN, -1, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_int2_div(INT16_MIN, -1, &s, &err), &err, RANGE, "smallint out of range");
    test_expect_error(sql_int4_div(1, 0, &i, &err), &err, SQLSTATE_DIVISION_BY_ZERO,
                      "division by zero");
    test_expect_error(sql_int4_mod(1, 0, &i, &err), &err, SQLSTATE_DIVISION_BY_ZERO,
                      "division by zero");
    test_expect_error(sql_int4_abs(INT32_MIN, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_int2_abs(INT16_MIN, &s, &err), &err, RANGE, "smallint out of range");
    test_expect_error(sql_int4_neg(INT32_MIN, &i, &err), &err, RANGE, "integer out of range");
    assert_true(sql_int4_mod(INT32_MIN, -1, &i, &err) && i == 0);
    assert_true(sql_int8_mod(INT64_MIN, -1, &l, &err) && l == 0);
    assert_true(sql_int2_mod(INT16_MIN, -1, &s, &err) && s == 0);
    assert_true(sql_int4_div(-7, 2, &i, &err) && i == -3);
    assert_true(sql_int4_mod(-7, 2, &i, &err) && i == -1);
    assert_true(sql_int4_mod(7, -2, &i, &err) && i == 1);
    assert_true(sql_int4_div(7, -1, &i, &err) && i == -7);
    assert_true(sql_int8_neg(5, &l, &err) && l == -5);
}

static void test_sql_int_gcd_lcm(void **state) {
    rt_err err;
    rt_err_clear(&err);
    int32_t i;
    int64_t l;
    assert_true(sql_int4_gcd(12, -18, &i, &err) && i == 6);
    assert_true(sql_int4_lcm(12, -18, &i, &err) && i == 36);
    assert_true(sql_int4_lcm(-3, 4, &i, &err) && i == 12);
    assert_true(sql_int4_gcd(0, 0, &i, &err) && i == 0);
    assert_true(sql_int4_lcm(0, 5, &i, &err) && i == 0);
    assert_true(sql_int4_gcd(INT32_MIN, 2, &i, &err) && i == 2);
    test_expect_error(sql_int4_gcd(INT32_MIN, 0, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_int4_gcd(INT32_MIN, INT32_MIN, &i, &err), &err, RANGE,
                      "integer out of range");
    test_expect_error(sql_int4_lcm(2147483647, 2147483646, &i, &err), &err, RANGE,
                      "integer out of range");
    test_expect_error(sql_int4_lcm(INT32_MIN, 1, &i, &err), &err, RANGE, "integer out of range");
    assert_true(sql_int8_gcd(INT64_MIN, 1, &l, &err) && l == 1);
    test_expect_error(sql_int8_gcd(INT64_MIN, 0, &l, &err), &err, RANGE, "bigint out of range");
    test_expect_error(sql_int8_lcm(INT64_MAX, INT64_MAX - 1, &l, &err), &err, RANGE,
                      "bigint out of range");
    assert_true(sql_int8_lcm(6000000000LL, 4000000000LL, &l, &err) && l == 12000000000LL);
}

static void test_sql_int_shifts_match_postgresql(void **state) {
    assert_int_equal(sql_int4_shl(1, 33), 2);
    assert_int_equal(sql_int4_shl(1, -1), INT32_MIN);
    assert_int_equal(sql_int4_shr(-8, 1), -4);
    assert_int_equal(sql_int2_shl(1, 17), 0);
    assert_int_equal(sql_int2_shl(-5, 15), -32768);
    assert_int_equal(sql_int2_shr(-5, 20), -1);
    assert_int_equal(sql_int8_shl(1, 65), 2);
    assert_int_equal(sql_int8_shr(INT64_MIN, 63), -1);
    assert_int_equal(5 ^ 3, 6); /* '#' is xor */
}

static void test_sql_int_casts(void **state) {
    rt_err err;
    rt_err_clear(&err);
    int16_t s;
    int32_t i;
    int64_t l;
    assert_true(sql_int8_to_int4(INT32_MAX, &i, &err) && i == INT32_MAX);
    test_expect_error(sql_int8_to_int4(2147483648LL, &i, &err), &err, RANGE,
                      "integer out of range");
    test_expect_error(sql_int4_to_int2(32768, &s, &err), &err, RANGE, "smallint out of range");
    assert_true(sql_float8_to_int4(2.5, &i, &err) && i == 2);
    assert_true(sql_float8_to_int4(3.5, &i, &err) && i == 4);
    assert_true(sql_float8_to_int4(-2.5, &i, &err) && i == -2);
    assert_true(sql_float8_to_int4(2147483647.4, &i, &err) && i == INT32_MAX);
    assert_true(sql_float8_to_int4(-2147483648.5, &i, &err) && i == INT32_MIN);
    test_expect_error(sql_float8_to_int4(2147483647.5, &i, &err), &err, RANGE,
                      "integer out of range");
    test_expect_error(sql_float8_to_int4(NAN, &i, &err), &err, RANGE, "integer out of range");
    test_expect_error(sql_float8_to_int8(9223372036854775807.0, &l, &err), &err, RANGE,
                      "bigint out of range");
    assert_true(sql_float8_to_int8(-9223372036854775808.0, &l, &err) && l == INT64_MIN);
    test_expect_error(sql_float8_to_int8(NAN, &l, &err), &err, RANGE, "bigint out of range");
    test_expect_error(sql_float8_to_int2(32767.5, &s, &err), &err, RANGE,
                      "smallint out of range");
    assert_true(sql_float4_to_int4(3.5f, &i, &err) && i == 4);
    assert_true(sql_float4_to_int8(1e10f, &l, &err) && l == 10000000000LL);
}

static void test_sql_int_keys_and_hash(void **state) {
    int64_t values[] = {INT64_MIN, -1000000000000LL, -2, -1, 0, 1, 2, 1000000000000LL, INT64_MAX};
    size_t n = sizeof values / sizeof values[0];
    for (size_t a = 0; a < n; a++) {
        uint8_t ka[SQL_INT8_KEY_BYTES], kb[SQL_INT8_KEY_BYTES];
        sql_int8_key_encode(values[a], ka);
        assert_true(sql_int8_key_decode(ka) == values[a]);
        for (size_t b = 0; b < n; b++) {
            sql_int8_key_encode(values[b], kb);
            int c = memcmp(ka, kb, SQL_INT8_KEY_BYTES);
            assert_int_equal((c > 0) - (c < 0), (values[a] > values[b]) - (values[a] < values[b]));
        }
    }
    uint8_t k4a[4], k4b[4], k2a[2], k2b[2];
    sql_int4_key_encode(-1, k4a);
    sql_int4_key_encode(0, k4b);
    assert_true(memcmp(k4a, k4b, 4) < 0);
    assert_int_equal(sql_int4_key_decode(k4a), -1);
    sql_int2_key_encode(INT16_MIN, k2a);
    sql_int2_key_encode(INT16_MAX, k2b);
    assert_true(memcmp(k2a, k2b, 2) < 0);
    assert_int_equal(sql_int2_key_decode(k2a), INT16_MIN);
    assert_true(sql_int8_hash(5) != sql_int8_hash(6));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_int_input),
        cmocka_unit_test(test_sql_int_output),
        cmocka_unit_test(test_sql_int_arithmetic_errors),
        cmocka_unit_test(test_sql_int_gcd_lcm),
        cmocka_unit_test(test_sql_int_shifts_match_postgresql),
        cmocka_unit_test(test_sql_int_casts),
        cmocka_unit_test(test_sql_int_keys_and_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
