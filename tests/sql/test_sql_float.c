/* test_sql_float.c: float4 / float8 text input and output, arithmetic, functions, ordering.
 * How: expected strings and errors were taken from PostgreSQL 15 (psql on a scratch cluster;
 * doubles were fed in as C hex literals, which PostgreSQL's strtod accepts). The shortest
 * output is also checked as a property over millions of random bit patterns: the text reads
 * back to the same bits, no text with one digit fewer does, and among texts of its length it
 * is the one nearest the value. */
// ctest: TIMEOUT 300
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_float.h"

#ifdef DB_SANITIZE
#define TEST_RANDOM_DOUBLES 400000
#define TEST_RANDOM_FLOATS 200000
#else
#define TEST_RANDOM_DOUBLES 3000000
#define TEST_RANDOM_FLOATS 2000000
#endif

static uint64_t test_rng_state = 0x9e3779b97f4a7c15u;

static uint64_t test_rng(void) {
    uint64_t x = test_rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    test_rng_state = x;
    return x;
}

static double test_bits_to_double(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static uint64_t test_double_bits(double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

static void test_expect_float8(const char *hex, int efd, const char *expected) {
    char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
    double v = strtod(hex, NULL);
    uint32_t n = sql_float8_to_text(v, efd, buf);
    if (strcmp(buf, expected) != 0) fail_msg("%s efd=%d: got %s, want %s", hex, efd, buf, expected);
    assert_int_equal(n, strlen(expected));
}

static void test_expect_float4(const char *hex, int efd, const char *expected) {
    char buf[SQL_FLOAT4_TEXT_BYTES_MAX];
    float v = strtof(hex, NULL);
    uint32_t n = sql_float4_to_text(v, efd, buf);
    if (strcmp(buf, expected) != 0) fail_msg("%s efd=%d: got %s, want %s", hex, efd, buf, expected);
    assert_int_equal(n, strlen(expected));
}

/* ---- output: PostgreSQL's strings ---------------------------------------------------------- */

static void test_sql_float8_output_matches_postgresql(void **state) {
    static const char *cases[][2] = {
        {"-0x1.39e337695888ep-657", "-2.0503452357292855e-198"},
        {"0x1.de64bafb6e124p+178", "7.15953e+53"},
        {"0x0.fe0f51bf8043ep-1022", "2.208210589791194e-308"},
        {"0x1.bde77ba624549p+281", "6.7675334177569854e+84"},
        {"0x1.eb16f16c8196ap+234", "5.2958999999999997e+70"},
        {"0x1.4a183ea0ebfd5p-352", "1.4055300000000002e-106"},
        {"0x1.c14fb341e7f1cp+520", "6.0242800000000004e+156"},
        {"0x1.bb1df043c3017p+89", "1.0713910376372193e+27"},
        {"-0x0.11787918d72d7p-1022", "-1.518491032973386e-309"},
        {"-0x1.be7fc90d63b69p+454", "-8.11332202476822e+136"},
        {"0x1.a7f7f06eadc4p-915", "5.97926229867164e-276"},
        /* subnormals, including ones that need the one-digit-shorter step */
        {"0x0.0000000000001p-1022", "5e-324"},
        {"0x0.000000000000ap-1022", "5e-323"},
        {"0x0.0000000006782p-1022", "1.30918e-319"},
        {"0x0.0000000000884p-1022", "1.077e-320"},
        {"0x0.fffffffffa35bp-1022", "2.2250738584954836e-308"},
        /* powers of two and their neighbours: the interval below is half as wide */
        {"0x1.fffffffffffffp+963", "1.5592502418239997e+290"},
        {"0x1.0000000000000p-204", "3.8893845486632136e-62"},
        {"0x1.0000000000001p-31", "4.656612873077394e-10"},
        {"0x1.fffffffffffffp+1023", "1.7976931348623157e+308"},
        {"0x1p-1022", "2.2250738585072014e-308"},
        /* a bound of the rounding interval is exactly a short decimal: PostgreSQL excludes it */
        {"1e23", "9.999999999999999e+22"},
        {"8.41e21", "8.409999999999999e+21"},
        {"1e22", "1e+22"},
        /* fixed or exponential notation */
        {"1e15", "1e+15"},
        {"1e14", "100000000000000"},
        {"123456789012345", "123456789012345"},
        {"123456789012345678", "1.2345678901234568e+17"},
        {"0x1.c2cd0ea810974p+54", "3.1722300588172752e+16"},
        {"1e20", "1e+20"},
        {"1e-4", "0.0001"},
        {"1e-5", "1e-05"},
        {"1e-7", "1e-07"},
        {"1e100", "1e+100"},
        {"1e-310", "1e-310"},
        {"0.1", "0.1"},
        {"-1.5", "-1.5"},
        {"123.456", "123.456"},
        {"0.001234", "0.001234"},
        {"9007199254740993", "9.007199254740992e+15"},
        {"1125899906842624.25", "1.1258999068426242e+15"},
        {"0", "0"},
        {"-0", "-0"},
        {"nan", "NaN"},
        {"inf", "Infinity"},
        {"-inf", "-Infinity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_expect_float8(cases[i][0], 1, cases[i][1]);
        test_expect_float8(cases[i][0], 3, cases[i][1]);
    }
    char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
    sql_float8_to_shortest(M_PI, buf);
    assert_string_equal(buf, "3.141592653589793");
}

static void test_sql_float4_output_matches_postgresql(void **state) {
    static const char *cases[][2] = {
        {"-0x1.7b1d98p+104", "-3.0036632e+31"}, {"0x1.4b22f2p-36", "1.8822931e-11"},
        {"0x1.d32652p+47", "2.5681826e+14"},    {"0x1.7311ccp-127", "8.519338e-39"},
        {"0x1.01cb38p-18", "3.8414273e-06"},    {"-0x1.85067cp-13", "-0.00018550173"},
        {"0x1.e73e1p+63", "1.7554759e+19"},     {"0x1.3b5dp-132", "2.26262e-40"},
        {"0x1.8870p-137", "8.799e-42"},         {"0x1p-149", "1e-45"},
        {"0x1.fffffep+127", "3.4028235e+38"},   {"0x1.0000020p-45", "2.8421713e-14"},
        {"0x1p-44", "5.684342e-14"},            {"1e-5", "1e-05"},
        {"1e-4", "0.0001"},                     {"1e5", "100000"},
        {"123456", "123456"},                   {"1e6", "1e+06"},
        {"1234567", "1.234567e+06"},            {"12345678", "1.2345678e+07"},
        {"1.17549435e-38", "1.1754944e-38"},    {"0.1", "0.1"},
        {"-0", "-0"},                           {"nan", "NaN"},
        {"-inf", "-Infinity"},                  {"-0x1.d69d84p+25", "-6.1684488e+07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_expect_float4(cases[i][0], 1, cases[i][1]);
    }
}

/* extra_float_digits <= 0 is what pgbench and old drivers set. */
static void test_sql_float_output_with_extra_float_digits(void **state) {
    test_expect_float8("0x1.39e337695888ep-657", 0, "2.05034523572929e-198");
    test_expect_float8("1e23", 0, "1e+23");
    test_expect_float8("1e15", 0, "1e+15");
    test_expect_float8("100", 0, "100");
    test_expect_float8("1e16", 0, "1e+16");
    test_expect_float8("-0", 0, "-0");
    test_expect_float8("nan", 0, "NaN");
    test_expect_float8("0x1.921fb54442d18p+1", -15, "3");
    test_expect_float8("1234", -15, "1e+03");
    test_expect_float8("0.00012", -15, "0.0001");
    test_expect_float8("0x1.921fb54442d18p+1", -3, "3.14159265359");
    test_expect_float8("0x1.921fb54442d18p+1", 2, "3.141592653589793");
    test_expect_float4("0.1", 0, "0.1");
    test_expect_float4("1e-7", 0, "1e-07");
    test_expect_float4("0x1.921fb6p+1", 0, "3.14159");
    test_expect_float4("123456789", 0, "1.23457e+08");
    test_expect_float4("-inf", 0, "-Infinity");
    test_expect_float4("0x1.921fb6p+1", -3, "3.14");
    test_expect_float4("0x1.921fb6p+1", -4, "3.1");
    test_expect_float4("12345", -4, "1.2e+04");
    test_expect_float4("-0", -15, "-0");
}

/* ---- output: properties over random values ------------------------------------------------- */

/* Significant digits of `text` (no leading or trailing zeros) and the decimal exponent of its
 * first digit, so two texts can be compared as decimal numbers. */
static void test_decimal_of(const char *text, char *digits, int *exp10) {
    char all[64];
    int n = 0, int_len = -1;
    const char *p = text;
    if (*p == '-') p++;
    for (; *p != '\0' && *p != 'e'; p++) {
        if (*p == '.') {
            int_len = n;
        } else {
            all[n++] = *p;
        }
    }
    if (int_len < 0) int_len = n;
    int lead = 0;
    while (lead < n - 1 && all[lead] == '0') lead++;
    int end = n;
    while (end > lead + 1 && all[end - 1] == '0') end--;
    memcpy(digits, all + lead, (size_t)(end - lead));
    digits[end - lead] = '\0';
    *exp10 = int_len - 1 - lead + (*p == 'e' ? atoi(p + 1) : 0);
}

/* True if `text` reads back as v and lies strictly inside v's rounding interval: PostgreSQL
 * (Ryu) never picks a text that sits exactly on a bound, even when reading it would round to v.
 * A bound is the midpoint of v and a neighbour, exact in long double (64-bit significand). */
static bool test_reads_back_inside8(const char *text, double v) {
    if (strtod(text, NULL) != v) return false;
    long double t = strtold(text, NULL);
    long double up = ((long double)v + (long double)nextafter(v, INFINITY)) / 2;
    long double down = ((long double)v + (long double)nextafter(v, -INFINITY)) / 2;
    return t != up && t != down;
}

/* The same for float, whose bounds are exact in double. */
static bool test_reads_back_inside4(const char *text, float v) {
    if (strtof(text, NULL) != v) return false;
    double t = strtod(text, NULL);
    double up = ((double)v + (double)nextafterf(v, INFINITY)) / 2;
    double down = ((double)v + (double)nextafterf(v, -INFINITY)) / 2;
    return t != up && t != down;
}

/* Shortest: a text with one digit fewer, either neighbour of the value at that length, must
 * not read back to the value (the two neighbours bracket every such text). */
static void test_check_shorter_fails(double v, int digit_count) {
    if (digit_count <= 1) return;
    char exact[64];
    snprintf(exact, sizeof exact, "%.40e", fabs(v)); /* glibc prints the exact expansion */
    char mant[48];
    int m = 0;
    for (const char *p = exact; *p != 'e'; p++) {
        if (*p != '.') mant[m++] = *p;
    }
    int exp10 = atoi(strchr(exact, 'e') + 1);
    int keep = digit_count - 1;
    mant[keep] = '\0';
    char text[96];
    snprintf(text, sizeof text, "0.%se%d", mant, exp10 + 1); /* truncated: below the value */
    if (test_reads_back_inside8(text, fabs(v))) fail_msg("%a: shorter %s reads back", v, text);
    int i = keep - 1;
    while (i >= 0 && mant[i] == '9') mant[i--] = '0';
    if (i < 0) {
        snprintf(text, sizeof text, "1e%d", exp10 + 1);
    } else {
        mant[i]++;
        snprintf(text, sizeof text, "0.%se%d", mant, exp10 + 1);
    }
    if (test_reads_back_inside8(text, fabs(v))) fail_msg("%a: shorter %s reads back", v, text);
}

static void test_check_double(double v) {
    char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
    sql_float8_to_shortest(v, buf);
    double back = strtod(buf, NULL);
    if (test_double_bits(back) != test_double_bits(v)) fail_msg("%a printed as %s", v, buf);
    char digits[40], near_digits[40];
    int exp10, near_exp10;
    test_decimal_of(buf, digits, &exp10);
    int n = (int)strlen(digits);
    test_check_shorter_fails(v, n);
    /* Nearest: if the correctly rounded text of the same length reads back, it is ours. */
    char nearest[64];
    snprintf(nearest, sizeof nearest, "%.*e", n - 1, v);
    if (test_reads_back_inside8(nearest, v)) {
        test_decimal_of(nearest, near_digits, &near_exp10);
        if (strcmp(digits, near_digits) != 0 || exp10 != near_exp10) {
            fail_msg("%a printed as %s, nearer is %s", v, buf, nearest);
        }
    }
}

static void test_sql_float8_shortest_round_trips_random_bits(void **state) {
    for (int i = 0; i < TEST_RANDOM_DOUBLES; i++) {
        uint64_t bits = test_rng();
        if (i % 4 == 1) bits &= UINT64_C(0x800fffffffffffff); /* subnormals */
        if (i % 4 == 2) bits >>= test_rng() % 64;             /* small magnitudes, few bits */
        double v = test_bits_to_double(bits);
        if (!isfinite(v) || v == 0) continue;
        test_check_double(v);
    }
}

static void test_sql_float4_shortest_round_trips_random_bits(void **state) {
    for (int i = 0; i < TEST_RANDOM_FLOATS; i++) {
        uint32_t bits = (uint32_t)test_rng();
        if (i % 4 == 1) bits &= UINT32_C(0x807fffff);
        float v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v) || v == 0) continue;
        char buf[SQL_FLOAT4_TEXT_BYTES_MAX];
        sql_float4_to_shortest(v, buf);
        float back = strtof(buf, NULL);
        if (memcmp(&back, &v, sizeof v) != 0) fail_msg("%a printed as %s", (double)v, buf);
        char digits[40];
        int exp10;
        test_decimal_of(buf, digits, &exp10);
        int n = (int)strlen(digits);
        if (n > 1) {
            char shorter[32];
            snprintf(shorter, sizeof shorter, "%.*e", n - 2, (double)v);
            if (test_reads_back_inside4(shorter, v)) {
                fail_msg("%a: %s is shorter", (double)v, shorter);
            }
        }
    }
}

/* Every power of two and both neighbours: the asymmetric-interval case at every exponent. */
static void test_sql_float8_shortest_powers_of_two(void **state) {
    for (int e = -1074; e <= 1023; e++) {
        uint64_t bits = test_double_bits(ldexp(1.0, e));
        for (int d = -1; d <= 1; d++) {
            double v = test_bits_to_double(bits + (uint64_t)(int64_t)d);
            if (isfinite(v) && v != 0) test_check_double(v);
        }
    }
    for (uint64_t c = 1; c < 20000; c++) test_check_double(test_bits_to_double(c));
}

static void test_sql_float8_decimal_digits(void **state) {
    uint64_t digits;
    int32_t exp10;
    sql_float8_decimal(-1500.0, &digits, &exp10);
    assert_int_equal(digits, 15);
    assert_int_equal(exp10, 2);
    sql_float8_decimal(0.1, &digits, &exp10);
    assert_int_equal(digits, 1);
    assert_int_equal(exp10, -1);
    sql_float8_decimal(5e-324, &digits, &exp10);
    assert_int_equal(digits, 5);
    assert_int_equal(exp10, -324);
}

/* ---- input ---------------------------------------------------------------------------------- */

static void test_expect_in8(const char *text, double expected) {
    rt_err err;
    rt_err_clear(&err);
    double v = 0;
    if (!sql_float8_from_text(text, (uint32_t)strlen(text), &v, &err)) {
        fail_msg("'%s': %s", text, err.message);
    }
    if (isnan(expected)) {
        assert_true(isnan(v));
    } else {
        assert_memory_equal(&v, &expected, sizeof v);
    }
}

static void test_expect_in_error(bool single, const char *text, const char *state,
                                 const char *message) {
    rt_err err;
    rt_err_clear(&err);
    bool ok;
    if (single) {
        float f;
        ok = sql_float4_from_text(text, (uint32_t)strlen(text), &f, &err);
    } else {
        double d;
        ok = sql_float8_from_text(text, (uint32_t)strlen(text), &d, &err);
    }
    assert_false(ok);
    assert_string_equal(err.sqlstate, state);
    assert_string_equal(err.message, message);
}

static void test_sql_float_input_accepts_postgresql_forms(void **state) {
    test_expect_in8(" 12 ", 12);
    test_expect_in8(".5", 0.5);
    test_expect_in8("5.", 5);
    test_expect_in8("0x10", 16); /* strtod syntax, as PostgreSQL on glibc */
    test_expect_in8("nan(12)", NAN);
    test_expect_in8("   NaN  ", NAN);
    test_expect_in8("+NaN", NAN);
    test_expect_in8("-nan", NAN);
    test_expect_in8(" -INF ", -INFINITY);
    test_expect_in8("+inFinity", INFINITY);
    test_expect_in8("4.9e-324", 5e-324);
    test_expect_in8("0e-400", 0);
    test_expect_in8("-0", -0.0);
    test_expect_in8("1e-310", 1e-310);
    rt_err err;
    rt_err_clear(&err);
    float f;
    assert_true(sql_float4_from_text("1e-45", 5, &f, &err));
    assert_true(f == 0x1p-149f);
    assert_true(sql_float4_from_text("3.4028235e38", 12, &f, &err));
    assert_true(f == 0x1.fffffep+127f);
    /* Long inputs take the heap path. */
    char longtext[400];
    memset(longtext, '0', sizeof longtext);
    memcpy(longtext, "1.", 2);
    longtext[sizeof longtext - 2] = '1';
    longtext[sizeof longtext - 1] = '\0';
    double d;
    assert_true(sql_float8_from_text(longtext, (uint32_t)strlen(longtext), &d, &err));
    assert_true(d == 1.0);
}

static void test_sql_float_input_errors(void **state) {
    const char *syn = SQLSTATE_INVALID_TEXT_REPRESENTATION;
    const char *rng = SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE;
    test_expect_in_error(false, " 1e400 ", rng,
                         "\"1e400\" is out of range for type double precision");
    test_expect_in_error(false, "1e-400", rng,
                         "\"1e-400\" is out of range for type double precision");
    test_expect_in_error(false, "-1e400", rng,
                         "\"-1e400\" is out of range for type double precision");
    test_expect_in_error(false, "2e-324", rng,
                         "\"2e-324\" is out of range for type double precision");
    test_expect_in_error(false, "x", syn, "invalid input syntax for type double precision: \"x\"");
    test_expect_in_error(false, "", syn, "invalid input syntax for type double precision: \"\"");
    test_expect_in_error(false, "  ", syn,
                         "invalid input syntax for type double precision: \"  \"");
    test_expect_in_error(false, "infinityx", syn,
                         "invalid input syntax for type double precision: \"infinityx\"");
    test_expect_in_error(false, "1e", syn,
                         "invalid input syntax for type double precision: \"1e\"");
    test_expect_in_error(false, "1,5", syn,
                         "invalid input syntax for type double precision: \"1,5\"");
    test_expect_in_error(false, "1e308x", syn,
                         "invalid input syntax for type double precision: \"1e308x\"");
    /* float4 quotes the whole input in its range error */
    test_expect_in_error(true, " 1e40 ", rng, "\" 1e40 \" is out of range for type real");
    test_expect_in_error(true, "1e-50", rng, "\"1e-50\" is out of range for type real");
    test_expect_in_error(true, "7e-46", rng, "\"7e-46\" is out of range for type real");
    test_expect_in_error(true, "3.4028236e38", rng,
                         "\"3.4028236e38\" is out of range for type real");
    test_expect_in_error(true, "x", syn, "invalid input syntax for type real: \"x\"");
}

/* ---- arithmetic and functions ---------------------------------------------------------------- */

static void test_expect_err(bool ok, rt_err *err, const char *state, const char *message) {
    assert_false(ok);
    assert_string_equal(err->sqlstate, state);
    assert_string_equal(err->message, message);
    rt_err_clear(err);
}

static void test_sql_float_arithmetic_errors(void **state) {
    rt_err err;
    rt_err_clear(&err);
    double d;
    float f;
    const char *rng = SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE;
    test_expect_err(sql_float8_mul(1e308, 10, &d, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_err(sql_float8_mul(1e-308, 1e-308, &d, &err), &err, rng,
                    "value out of range: underflow");
    test_expect_err(sql_float8_add(1e308, 1e308, &d, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_err(sql_float8_sub(-1e308, 1e308, &d, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_err(sql_float8_div(1, 0, &d, &err), &err, SQLSTATE_DIVISION_BY_ZERO,
                    "division by zero");
    test_expect_err(sql_float8_div(0, 0, &d, &err), &err, SQLSTATE_DIVISION_BY_ZERO,
                    "division by zero");
    test_expect_err(sql_float8_div(5e-324, 2, &d, &err), &err, rng,
                    "value out of range: underflow");
    assert_true(sql_float8_div(NAN, 0, &d, &err) && isnan(d));
    assert_true(sql_float8_add(INFINITY, INFINITY, &d, &err) && d == INFINITY);
    assert_true(sql_float8_sub(INFINITY, INFINITY, &d, &err) && isnan(d));
    assert_true(sql_float8_mul(INFINITY, 0, &d, &err) && isnan(d));
    test_expect_err(sql_float4_add(3.4e38f, 3.4e38f, &f, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_err(sql_float4_mul(1e-30f, 1e-30f, &f, &err), &err, rng,
                    "value out of range: underflow");
    test_expect_err(sql_float4_div(1, 0, &f, &err), &err, SQLSTATE_DIVISION_BY_ZERO,
                    "division by zero");
    test_expect_err(sql_float8_to_float4(1e39, &f, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_err(sql_float8_to_float4(1e-50, &f, &err), &err, rng,
                    "value out of range: underflow");
    assert_true(sql_float8_to_float4(NAN, &f, &err) && isnan(f));
    assert_true(sql_float8_to_float4(-INFINITY, &f, &err) && f == -INFINITY);
}

/* The value of a function, printed as PostgreSQL prints it. */
static void test_expect_text(double v, const char *expected) {
    char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
    sql_float8_to_shortest(v, buf);
    assert_string_equal(buf, expected);
}

typedef bool (*test_fn1)(double, double *, rt_err *);

static void test_expect_fn(test_fn1 fn, double x, const char *expected) {
    rt_err err;
    rt_err_clear(&err);
    double r;
    if (!fn(x, &r, &err)) fail_msg("%g: %s", x, err.message);
    test_expect_text(r, expected);
}

static void test_expect_fn_err(test_fn1 fn, double x, const char *state, const char *message) {
    rt_err err;
    rt_err_clear(&err);
    double r;
    test_expect_err(fn(x, &r, &err), &err, state, message);
}

static void test_expect_pow(double x, double y, const char *expected) {
    rt_err err;
    rt_err_clear(&err);
    double r;
    if (!sql_float8_power(x, y, &r, &err)) fail_msg("%g^%g: %s", x, y, err.message);
    test_expect_text(r, expected);
}

static void test_sql_float8_power_and_logarithms(void **state) {
    const char *pw = SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION;
    const char *lg = SQLSTATE_INVALID_ARGUMENT_FOR_LOGARITHM;
    const char *rng = SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE;
    rt_err err;
    rt_err_clear(&err);
    double r;
    test_expect_err(sql_float8_power(0, -1, &r, &err), &err, pw,
                    "zero raised to a negative power is undefined");
    test_expect_err(sql_float8_power(-0.0, -1, &r, &err), &err, pw,
                    "zero raised to a negative power is undefined");
    test_expect_err(sql_float8_power(-8, 1.0 / 3, &r, &err), &err, pw,
                    "a negative number raised to a non-integer power yields a complex result");
    test_expect_err(sql_float8_power(-INFINITY, 0.5, &r, &err), &err, pw,
                    "a negative number raised to a non-integer power yields a complex result");
    test_expect_err(sql_float8_power(2, 1024, &r, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_err(sql_float8_power(2, -1075, &r, &err), &err, rng,
                    "value out of range: underflow");
    test_expect_err(sql_float8_power(-2, 1e300, &r, &err), &err, rng,
                    "value out of range: overflow");
    test_expect_pow(-2, 3, "-8");
    test_expect_pow(NAN, 0, "1");
    test_expect_pow(1, NAN, "1");
    test_expect_pow(NAN, 1, "NaN");
    test_expect_pow(-INFINITY, 3, "-Infinity");
    test_expect_pow(-INFINITY, -3, "-0");
    test_expect_pow(-INFINITY, 2, "Infinity");
    test_expect_pow(-INFINITY, -2, "0");
    test_expect_pow(-1, INFINITY, "1");
    test_expect_pow(0.5, -INFINITY, "Infinity");
    test_expect_pow(-0.5, INFINITY, "0");
    test_expect_pow(0, 0, "1");
    test_expect_pow(INFINITY, -1, "0");
    test_expect_pow(-2, -INFINITY, "0");
    test_expect_pow(10, -310, "1e-310");
    test_expect_pow(2, -1074, "5e-324");
    test_expect_pow(-1, 3e300, "1");
    test_expect_pow(-0.0, 3, "-0");
    test_expect_fn_err(sql_float8_sqrt, -1, pw, "cannot take square root of a negative number");
    test_expect_fn(sql_float8_sqrt, 2, "1.4142135623730951");
    test_expect_fn(sql_float8_sqrt, -0.0, "-0");
    test_expect_text(sql_float8_cbrt(-27), "-3.0000000000000004");
    test_expect_fn_err(sql_float8_exp, 1000, rng, "value out of range: overflow");
    test_expect_fn_err(sql_float8_exp, -1000, rng, "value out of range: underflow");
    test_expect_fn(sql_float8_exp, -INFINITY, "0");
    test_expect_fn(sql_float8_exp, NAN, "NaN");
    test_expect_fn(sql_float8_exp, -745, "5e-324");
    test_expect_fn(sql_float8_exp, 709, "8.218407461554972e+307");
    test_expect_fn_err(sql_float8_ln, 0, lg, "cannot take logarithm of zero");
    test_expect_fn_err(sql_float8_ln, -1, lg, "cannot take logarithm of a negative number");
    test_expect_fn_err(sql_float8_log10, 0, lg, "cannot take logarithm of zero");
    test_expect_fn_err(sql_float8_log10, -1, lg, "cannot take logarithm of a negative number");
    test_expect_fn(sql_float8_ln, 1, "0");
    test_expect_fn(sql_float8_ln, INFINITY, "Infinity");
    test_expect_fn(sql_float8_ln, 5e-324, "-744.4400719213812");
    test_expect_fn(sql_float8_log10, 1000, "3");
    test_expect_fn(sql_float8_log10, 1e-310, "-310");
}

/* Trigonometry in degrees and conversions, as PostgreSQL prints the results. */
typedef struct test_fn_case {
    test_fn1 fn;
    double x;
    const char *expected;
} test_fn_case;

static const test_fn_case test_trig_cases[] = {
    {sql_float8_sind, 30, "0.5"},
    {sql_float8_sind, 10, "0.17364817766693036"},
    {sql_float8_sind, -200, "0.34202014332566877"},
    {sql_float8_sind, 45, "0.7071067811865475"},
    {sql_float8_sind, 390, "0.5"},
    {sql_float8_sind, 12.5, "0.2164396139381029"},
    {sql_float8_sind, 1e300, "0"},
    {sql_float8_sind, -0.0, "-0"},
    {sql_float8_sind, -360, "-0"},
    {sql_float8_sind, 210, "-0.5"},
    {sql_float8_sind, 330, "-0.5"},
    {sql_float8_cosd, 60, "0.5"},
    {sql_float8_cosd, 10, "0.984807753012208"},
    {sql_float8_cosd, 100, "-0.17364817766693036"},
    {sql_float8_cosd, 77.7, "0.21303038627497653"},
    {sql_float8_cosd, 180, "-1"},
    {sql_float8_cosd, 270, "0"},
    {sql_float8_cosd, 240, "-0.5"},
    {sql_float8_tand, 45, "1"},
    {sql_float8_tand, 10, "0.176326980708465"},
    {sql_float8_tand, 33.3, "0.6568772224012792"},
    {sql_float8_tand, 90, "Infinity"},
    {sql_float8_tand, -90, "-Infinity"},
    {sql_float8_tand, 270, "-Infinity"},
    {sql_float8_tand, 180, "0"},
    {sql_float8_tand, -0.0, "0"},
    {sql_float8_tand, 135, "-1"},
    {sql_float8_tand, 60, "1.7320508075688774"},
    {sql_float8_tand, 30, "0.5773502691896257"},
    {sql_float8_cotd, 0, "Infinity"},
    {sql_float8_cotd, -0.0, "-Infinity"},
    {sql_float8_cotd, 45, "1"},
    {sql_float8_cotd, 10, "5.671281819617709"},
    {sql_float8_cotd, 123.4, "-0.6593785099157773"},
    {sql_float8_cotd, -90, "0"},
    {sql_float8_cotd, 180, "-Infinity"},
    {sql_float8_asind, 0.5, "30"},
    {sql_float8_asind, 0.3, "17.45760312372209"},
    {sql_float8_asind, -0.7, "-44.4270040008057"},
    {sql_float8_asind, -0.0, "-0"},
    {sql_float8_acosd, 0.5, "60"},
    {sql_float8_acosd, 0.3, "72.5423968762779"},
    {sql_float8_acosd, -0.3, "107.4576031237221"},
    {sql_float8_acosd, 0.99, "8.109614455994182"},
    {sql_float8_acosd, -1, "180"},
    {sql_float8_atand, 1, "45"},
    {sql_float8_atand, 0.3, "16.69924423399362"},
    {sql_float8_atand, -3, "-71.56505117707799"},
    {sql_float8_atand, 123, "89.53419091723501"},
    {sql_float8_atand, -0.0, "-0"},
    {sql_float8_degrees, M_PI, "180"},
    {sql_float8_degrees, 1, "57.29577951308232"},
    {sql_float8_radians, 180, "3.141592653589793"},
    {sql_float8_radians, 1e308, "1.7453292519943295e+306"},
};

static void test_sql_float8_trigonometry(void **state) {
    const char *rng = SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE;
    test_expect_fn_err(sql_float8_acos, 2, rng, "input is out of range");
    test_expect_fn(sql_float8_asin, NAN, "NaN");
    test_expect_fn_err(sql_float8_cos, INFINITY, rng, "input is out of range");
    test_expect_fn_err(sql_float8_sin, INFINITY, rng, "input is out of range");
    test_expect_fn_err(sql_float8_tan, INFINITY, rng, "input is out of range");
    test_expect_fn_err(sql_float8_cot, INFINITY, rng, "input is out of range");
    test_expect_fn(sql_float8_cot, 0, "Infinity");
    test_expect_fn(sql_float8_atan, INFINITY, "1.5707963267948966");
    for (size_t i = 0; i < sizeof test_trig_cases / sizeof test_trig_cases[0]; i++) {
        const test_fn_case *c = &test_trig_cases[i];
        rt_err err;
        rt_err_clear(&err);
        double r;
        assert_true(c->fn(c->x, &r, &err));
        char buf[SQL_FLOAT8_TEXT_BYTES_MAX];
        sql_float8_to_shortest(r, buf);
        if (strcmp(buf, c->expected) != 0) {
            fail_msg("case %zu (%g): got %s, want %s", i, c->x, buf, c->expected);
        }
    }
    test_expect_fn_err(sql_float8_sind, INFINITY, rng, "input is out of range");
    test_expect_fn_err(sql_float8_asind, 2, rng, "input is out of range");
    test_expect_fn_err(sql_float8_degrees, 1e308, rng, "value out of range: overflow");
    rt_err err;
    rt_err_clear(&err);
    double r;
    assert_true(sql_float8_atan2d(1, 1, &r, &err) && r == 45);
    assert_true(sql_float8_atan2d(-5, -5, &r, &err) && r == -135);
    assert_true(sql_float8_atan2d(-0.0, -1, &r, &err) && r == -180);
    assert_true(sql_float8_atan2d(0.3, -2, &r, &err));
    test_expect_text(r, "171.46923439005187");
    test_expect_text(sql_float8_sinh(1), "1.1752011936438014");
    test_expect_text(sql_float8_cosh(1000), "Infinity");
    test_expect_text(sql_float8_asinh(1), "0.881373587019543");
    test_expect_fn_err(sql_float8_acosh, 0.5, rng, "input is out of range");
    test_expect_fn_err(sql_float8_atanh, 2, rng, "input is out of range");
    test_expect_fn(sql_float8_atanh, 1, "Infinity");
}

static void test_sql_float8_rounding_and_buckets(void **state) {
    test_expect_text(sql_float8_round(2.5), "2");
    test_expect_text(sql_float8_round(-0.5), "-0");
    test_expect_text(sql_float8_trunc(-1.5), "-1");
    test_expect_text(sql_float8_trunc(-0.5), "-0");
    test_expect_text(sql_float8_ceil(-0.5), "-0");
    test_expect_text(sql_float8_floor(-0.5), "-1");
    test_expect_text(sql_float8_sign(NAN), "0");
    test_expect_text(sql_float8_sign(-0.0), "0");
    test_expect_text(sql_float8_sign(-2.5), "-1");
    test_expect_text(sql_float8_pi(), "3.141592653589793");
    static const struct {
        double operand, low, high;
        int32_t count, expected;
    } wb[] = {
        {5, 0, 10, 5, 3},           {10, 0, 10, 5, 6},         {-1, 0, 10, 5, 0},
        {5, 10, 0, 5, 3},           {10, 10, 0, 5, 1},         {0, 10, 0, 5, 6},
        {11, 10, 0, 5, 0},          {INFINITY, 0, 10, 5, 6},   {3.3, 0, 10, 3, 1},
        {0, -1e308, 1e308, 10, INT32_MIN},
        {9.999999999999999, 0, 10, INT32_MAX, INT32_MAX},
    };
    rt_err err;
    rt_err_clear(&err);
    for (size_t i = 0; i < sizeof wb / sizeof wb[0]; i++) {
        int32_t r;
        assert_true(sql_float8_width_bucket(wb[i].operand, wb[i].low, wb[i].high, wb[i].count,
                                            &r, &err));
        assert_int_equal(r, wb[i].expected);
    }
    int32_t r;
    const char *wbs = SQLSTATE_INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION;
    test_expect_err(sql_float8_width_bucket(1, 0, 10, 0, &r, &err), &err, wbs,
                    "count must be greater than zero");
    test_expect_err(sql_float8_width_bucket(NAN, 0, 10, 3, &r, &err), &err, wbs,
                    "operand, lower bound, and upper bound cannot be NaN");
    test_expect_err(sql_float8_width_bucket(1, INFINITY, 10, 3, &r, &err), &err, wbs,
                    "lower and upper bounds must be finite");
    test_expect_err(sql_float8_width_bucket(1, 1, 1, 3, &r, &err), &err, wbs,
                    "lower bound cannot equal upper bound");
    test_expect_err(sql_float8_width_bucket(20, 0, 10, INT32_MAX, &r, &err), &err,
                    SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
}

/* ---- ordering, hashing, keys ---------------------------------------------------------------- */

static void test_sql_float_compare_and_hash(void **state) {
    assert_int_equal(sql_float8_cmp(NAN, NAN), 0);
    assert_int_equal(sql_float8_cmp(NAN, INFINITY), 1);
    assert_int_equal(sql_float8_cmp(-INFINITY, NAN), -1);
    assert_int_equal(sql_float8_cmp(-0.0, 0.0), 0);
    assert_int_equal(sql_float8_cmp(1, 2), -1);
    assert_int_equal(sql_float4_cmp(NAN, 1), 1);
    assert_int_equal(sql_float4_cmp(-0.0f, 0.0f), 0);
    assert_true(sql_float8_hash(-0.0) == sql_float8_hash(0.0));
    assert_true(sql_float8_hash(NAN) == sql_float8_hash(-NAN));
    assert_true(sql_float8_hash(1.0) != sql_float8_hash(2.0));
    assert_true(sql_float4_hash(1.5f) == sql_float8_hash(1.5));
    assert_true(sql_float4_hash(NAN) == sql_float8_hash(NAN));
}

static void test_sql_float_keys_sort_like_values(void **state) {
    double special[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0, -0.0, 5e-324, -5e-324, 1, -1,
                        1.7976931348623157e308, -1.7976931348623157e308};
    double values[2000];
    size_t n = 0;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) values[n++] = special[i];
    while (n < sizeof values / sizeof values[0]) {
        double v = test_bits_to_double(test_rng());
        if (!isnan(v)) values[n++] = v;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t ki[SQL_FLOAT8_KEY_BYTES], kj[SQL_FLOAT8_KEY_BYTES];
        sql_float8_key_encode(values[i], ki);
        double back = sql_float8_key_decode(ki);
        assert_int_equal(sql_float8_cmp(back, values[i]), 0);
        for (size_t j = 0; j < 50; j++) {
            size_t other = (i * 31 + j * 17) % n;
            sql_float8_key_encode(values[other], kj);
            int c = memcmp(ki, kj, SQL_FLOAT8_KEY_BYTES);
            c = (c > 0) - (c < 0);
            assert_int_equal(c, sql_float8_cmp(values[i], values[other]));
        }
        float fi = (float)values[i], fo = (float)values[(i * 7) % n];
        uint8_t fki[SQL_FLOAT4_KEY_BYTES], fko[SQL_FLOAT4_KEY_BYTES];
        sql_float4_key_encode(fi, fki);
        sql_float4_key_encode(fo, fko);
        int c = memcmp(fki, fko, SQL_FLOAT4_KEY_BYTES);
        assert_int_equal((c > 0) - (c < 0), sql_float4_cmp(fi, fo));
        assert_int_equal(sql_float4_cmp(sql_float4_key_decode(fki), fi), 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_float8_output_matches_postgresql),
        cmocka_unit_test(test_sql_float4_output_matches_postgresql),
        cmocka_unit_test(test_sql_float_output_with_extra_float_digits),
        cmocka_unit_test(test_sql_float8_shortest_round_trips_random_bits),
        cmocka_unit_test(test_sql_float4_shortest_round_trips_random_bits),
        cmocka_unit_test(test_sql_float8_shortest_powers_of_two),
        cmocka_unit_test(test_sql_float8_decimal_digits),
        cmocka_unit_test(test_sql_float_input_accepts_postgresql_forms),
        cmocka_unit_test(test_sql_float_input_errors),
        cmocka_unit_test(test_sql_float_arithmetic_errors),
        cmocka_unit_test(test_sql_float8_power_and_logarithms),
        cmocka_unit_test(test_sql_float8_trigonometry),
        cmocka_unit_test(test_sql_float8_rounding_and_buckets),
        cmocka_unit_test(test_sql_float_compare_and_hash),
        cmocka_unit_test(test_sql_float_keys_sort_like_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
