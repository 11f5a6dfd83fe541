/* test_sql_fn_array.c: PostgreSQL 15's array functions and operators (sql_fn_array.c):
 * dimensions, append / prepend / concatenation and ||, searching, removing and replacing,
 * containment, x[i], array_fill, and the set-returning unnest, generate_series and
 * generate_subscripts, called through the function registry as a query runs them.
 * How: the case table holds calls and PostgreSQL 15's answers (tests/sql/gen-fn-cases wrote
 * it from a real server), with NULL arrays and elements, empty and multidimensional arrays,
 * lower bounds other than 1 and every error. Subscripts (which PostgreSQL writes as x[i]) and
 * large containment checks are written out here. */
#include "test_sql_fn_util.h"

static const tf_case array_cases[] = {
/* BEGIN CASES array */
    {"array_length", false, 2, {A(I4A, "{1,2,3}"), A(I4, "1")},
     "3"},
    {"array_length", false, 2, {A(I4A, "{1,2,3}"), A(I4, "2")},
     "<NULL>"},
    {"array_length", false, 2, {A(I4A, "{}"), A(I4, "1")},
     "<NULL>"},
    {"array_length", false, 2, {A(I4A, "{{1,2,3},{4,5,6}}"), A(I4, "2")},
     "3"},
    {"array_lower", false, 2, {A(I4A, "[2:4]={1,2,3}"), A(I4, "1")},
     "2"},
    {"array_upper", false, 2, {A(I4A, "[2:4]={1,2,3}"), A(I4, "1")},
     "4"},
    {"array_upper", false, 2, {A(I4A, "{1}"), A(I4, "0")},
     "<NULL>"},
    {"array_lower", false, 2, {A(I4A, "{1}"), A(I4, "-1")},
     "<NULL>"},
    {"array_ndims", false, 1, {A(I4A, "{}")},
     "<NULL>"},
    {"array_ndims", false, 1, {A(I4A, "{{1},{2}}")},
     "2"},
    {"array_dims", false, 1, {A(I4A, "{{1,2},{3,4}}")},
     "[1:2][1:2]"},
    {"array_dims", false, 1, {A(I4A, "{}")},
     "<NULL>"},
    {"array_dims", false, 1, {A(TA, "[-2:0]={a,b,c}")},
     "[-2:0]"},
    {"cardinality", false, 1, {A(I4A, "{{1,2},{3,4}}")},
     "4"},
    {"cardinality", false, 1, {A(I4A, "{}")},
     "0"},
    {"cardinality", false, 1, {A(TA, "{NULL}")},
     "1"},
    {"array_append", false, 2, {A(I4A, NULL), A(I4, "1")},
     "{1}"},
    {"array_append", false, 2, {A(I4A, "{1,NULL}"), A(I4, NULL)},
     "{1,NULL,NULL}"},
    {"array_append", false, 2, {A(I4A, "[0:1]={1,2}"), A(I4, "3")},
     "[0:2]={1,2,3}"},
    {"array_append", false, 2, {A(I4A, "{{1,2}}"), A(I4, "3")},
     "ERROR 22000: argument must be empty or one-dimensional array"},
    {"array_append", false, 2, {A(TA, "{}"), A(T, "é")},
     "{é}"},
    {"array_prepend", false, 2, {A(I4, "0"), A(I4A, "{1}")},
     "{0,1}"},
    {"array_prepend", false, 2, {A(I4, "0"), A(I4A, "[0:1]={1,2}")},
     "[0:2]={0,1,2}"},
    {"array_prepend", false, 2, {A(T, "x"), A(TA, NULL)},
     "{x}"},
    {"array_cat", false, 2, {A(I4A, "{1,2}"), A(I4A, "{3}")},
     "{1,2,3}"},
    {"array_cat", false, 2, {A(I4A, NULL), A(I4A, "{1}")},
     "{1}"},
    {"array_cat", false, 2, {A(I4A, NULL), A(I4A, NULL)},
     "<NULL>"},
    {"array_cat", false, 2, {A(I4A, "{{1,2}}"), A(I4A, "{3,4}")},
     "{{1,2},{3,4}}"},
    {"array_cat", false, 2, {A(I4A, "{1,2}"), A(I4A, "{{3,4}}")},
     "{{1,2},{3,4}}"},
    {"array_cat", false, 2, {A(I4A, "{{1,2}}"), A(I4A, "{{3,4}}")},
     "{{1,2},{3,4}}"},
    {"array_cat", false, 2, {A(I4A, "{}"), A(I4A, "{1}")},
     "{1}"},
    {"array_cat", false, 2, {A(I4A, "{1}"), A(I4A, "{}")},
     "{1}"},
    {"array_cat", false, 2, {A(I4A, "{{1,2}}"), A(I4A, "{3}")},
     "ERROR 2202E: cannot concatenate incompatible arrays"},
    {"array_cat", false, 2, {A(I4A, "{{{1}}}"), A(I4A, "{3}")},
     "ERROR 2202E: cannot concatenate incompatible arrays"},
    {"array_cat", false, 2, {A(I4A, "{{1,2}}"), A(I4A, "{{3}}")},
     "ERROR 2202E: cannot concatenate incompatible arrays"},
    {"array_cat", false, 2, {A(I4A, "[2:3]={1,2}"), A(I4A, "[5:6]={3,4}")},
     "[2:5]={1,2,3,4}"},
    {"array_cat", false, 2, {A(I4A, "[2:3][1:1]={{1},{2}}"), A(I4A, "{{3}}")},
     "[2:4][1:1]={{1},{2},{3}}"},
    {"array_cat", false, 2, {A(TA, "{a}"), A(TA, "{NULL,\"b c\"}")},
     "{a,NULL,\"b c\"}"},
    {"||", true, 2, {A(I4A, "{1}"), A(I4A, "{2}")},
     "{1,2}"},
    {"||", true, 2, {A(I4A, "{1}"), A(I4, "2")},
     "{1,2}"},
    {"||", true, 2, {A(I4, "0"), A(I4A, "{1}")},
     "{0,1}"},
    {"||", true, 2, {A(TA, "{a}"), A(T, NULL)},
     "{a,NULL}"},
    {"array_position", false, 2, {A(I4A, "{1,2,3,2}"), A(I4, "2")},
     "2"},
    {"array_position", false, 3, {A(I4A, "{1,2,3,2}"), A(I4, "2"), A(I4, "3")},
     "4"},
    {"array_position", false, 2, {A(I4A, "{1,NULL}"), A(I4, NULL)},
     "2"},
    {"array_position", false, 2, {A(I4A, "{1}"), A(I4, "5")},
     "<NULL>"},
    {"array_position", false, 2, {A(I4A, "[0:2]={5,6,7}"), A(I4, "6")},
     "1"},
    {"array_position", false, 2, {A(I4A, "{{1}}"), A(I4, "1")},
     "ERROR 0A000: searching for elements in multidimensional arrays is not supported"},
    {"array_position", false, 3, {A(I4A, "{1}"), A(I4, "1"), A(I4, NULL)},
     "ERROR 22004: initial position must not be null"},
    {"array_position", false, 3, {A(I4A, "{}"), A(I4, "1"), A(I4, NULL)},
     "<NULL>"},
    {"array_position", false, 3, {A(I4A, "{1}"), A(I4, NULL), A(I4, NULL)},
     "<NULL>"},
    {"array_position", false, 2, {A(TA, "{a,é}"), A(T, "é")},
     "2"},
    {"array_position", false, 2, {A(I4A, NULL), A(I4, "1")},
     "<NULL>"},
    {"array_positions", false, 2, {A(I4A, "{1,2,1}"), A(I4, "1")},
     "{1,3}"},
    {"array_positions", false, 2, {A(I4A, "{1}"), A(I4, "5")},
     "{}"},
    {"array_positions", false, 2, {A(I4A, NULL), A(I4, "1")},
     "<NULL>"},
    {"array_positions", false, 2, {A(I4A, "{NULL,1,NULL}"), A(I4, NULL)},
     "{1,3}"},
    {"array_remove", false, 2, {A(I4A, "{1,2,1,NULL}"), A(I4, "1")},
     "{2,NULL}"},
    {"array_remove", false, 2, {A(I4A, "{1,NULL}"), A(I4, NULL)},
     "{1}"},
    {"array_remove", false, 2, {A(I4A, "[2:4]={1,2,3}"), A(I4, "2")},
     "[2:3]={1,3}"},
    {"array_remove", false, 2, {A(I4A, "{{1}}"), A(I4, "1")},
     "ERROR 0A000: removing elements from multidimensional arrays is not supported"},
    {"array_remove", false, 2, {A(I4A, "{1,1}"), A(I4, "1")},
     "{}"},
    {"array_remove", false, 2, {A(TA, "{a,b}"), A(T, "a")},
     "{b}"},
    {"array_replace", false, 3, {A(I4A, "{1,2,1}"), A(I4, "1"), A(I4, "9")},
     "{9,2,9}"},
    {"array_replace", false, 3, {A(I4A, "{1,NULL}"), A(I4, NULL), A(I4, "0")},
     "{1,0}"},
    {"array_replace", false, 3, {A(I4A, "{{1,2},{1,3}}"), A(I4, "1"), A(I4, NULL)},
     "{{NULL,2},{NULL,3}}"},
    {"array_replace", false, 3, {A(I4A, NULL), A(I4, "1"), A(I4, "2")},
     "<NULL>"},
    {"@>", true, 2, {A(I4A, "{1,2,3}"), A(I4A, "{2,2}")},
     "t"},
    {"@>", true, 2, {A(I4A, "{1,NULL}"), A(I4A, "{NULL}")},
     "f"},
    {"<@", true, 2, {A(I4A, "{1}"), A(I4A, "{1,2}")},
     "t"},
    {"&&", true, 2, {A(I4A, "{1,2}"), A(I4A, "{2,3}")},
     "t"},
    {"@>", true, 2, {A(I4A, "{}"), A(I4A, "{}")},
     "t"},
    {"@>", true, 2, {A(I4A, "{{1,2},{3,4}}"), A(I4A, "{4}")},
     "t"},
    {"&&", true, 2, {A(I4A, "{1}"), A(I4A, "{}")},
     "f"},
    {"@>", true, 2, {A(TA, "{a,b}"), A(TA, "{b,a}")},
     "t"},
    {"<@", true, 2, {A(TA, "{a,c}"), A(TA, "{a,b}")},
     "f"},
    {"&&", true, 2, {A(TA, "{NULL}"), A(TA, "{NULL}")},
     "f"},
    {"@>", true, 2, {A(F8A, "{NaN,0}"), A(F8A, "{NaN,-0}")},
     "t"},
    {"array_fill", false, 2, {A(I4, "7"), A(I4A, "{2,2}")},
     "{{7,7},{7,7}}"},
    {"array_fill", false, 3, {A(I4, "7"), A(I4A, "{2}"), A(I4A, "{3}")},
     "[3:4]={7,7}"},
    {"array_fill", false, 2, {A(I4, NULL), A(I4A, "{2}")},
     "{NULL,NULL}"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, "{}")},
     "{}"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, NULL)},
     "ERROR 22004: dimension array or low bound array cannot be null"},
    {"array_fill", false, 3, {A(I4, "1"), A(I4A, "{2}"), A(I4A, "{1,2}")},
     "ERROR 2202E: wrong number of array subscripts"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, "{-1}")},
     "ERROR 54000: array size exceeds the maximum allowed (134217727)"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, "{{2}}")},
     "ERROR 2202E: wrong number of array subscripts"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, "{NULL}")},
     "ERROR 22004: dimension values cannot be null"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, "{1,1,1,1,1,1,1}")},
     "ERROR 54000: number of array dimensions (7) exceeds the maximum allowed (6)"},
    {"array_fill", false, 3, {A(T, "x"), A(I4A, "{2,1}"), A(I4A, "{0,5}")},
     "[0:1][5:5]={{x},{x}}"},
    {"array_fill", false, 2, {A(I4, "1"), A(I4A, "{0}")},
     "{}"},
    {"unnest", false, 1, {A(I4A, "{{1,2},{3,NULL}}")},
     "1;2;3;<NULL>"},
    {"unnest", false, 1, {A(I4A, "{}")},
     ""},
    {"unnest", false, 1, {A(TA, "{é,\"a b\"}")},
     "é;a b"},
    {"unnest", false, 1, {A(I4A, NULL)},
     ""},
    {"generate_series", false, 3, {A(I4, "1"), A(I4, "10"), A(I4, "4")},
     "1;5;9"},
    {"generate_series", false, 3, {A(I4, "5"), A(I4, "1"), A(I4, "-2")},
     "5;3;1"},
    {"generate_series", false, 3, {A(I4, "1"), A(I4, "3"), A(I4, "0")},
     "ERROR 22023: step size cannot equal zero"},
    {"generate_series", false, 2, {A(I4, "2147483646"), A(I4, "2147483647")},
     "2147483646;2147483647"},
    {"generate_series", false, 3, {A(I4, "-2147483647"), A(I4, "-2147483648"), A(I4, "-1")},
     "-2147483647;-2147483648"},
    {"generate_series", false, 2, {A(I4, "3"), A(I4, "1")},
     ""},
    {"generate_series", false, 2, {A(I8, "9223372036854775806"), A(I8, "9223372036854775807")},
     "9223372036854775806;9223372036854775807"},
    {"generate_series", false, 3, {
        A(I8, "-9223372036854775807"),
        A(I8, "-9223372036854775808"),
        A(I8, "-5"),
     },
     "-9223372036854775807"},
    {"generate_series", false, 2, {A(I4, "1"), A(I4, NULL)},
     ""},
    {"generate_series", false, 2, {A(I8, "1"), A(I8, "3")},
     "1;2;3"},
    {"generate_subscripts", false, 2, {A(I4A, "[2:4]={1,2,3}"), A(I4, "1")},
     "2;3;4"},
    {"generate_subscripts", false, 3, {A(I4A, "{1,2,3}"), A(I4, "1"), A(B, "true")},
     "3;2;1"},
    {"generate_subscripts", false, 2, {A(I4A, "{1,2,3}"), A(I4, "2")},
     ""},
    {"generate_subscripts", false, 2, {A(I4A, "{}"), A(I4, "1")},
     ""},
    {"generate_subscripts", false, 2, {A(I4A, "{{1,2,3},{4,5,6}}"), A(I4, "2")},
     "1;2;3"},
/* END CASES */
};

static void test_sql_fn_array_matches_postgresql(void **state) {
    (void)state;
    tf_run_cases(array_cases, sizeof array_cases / sizeof array_cases[0]);
}

/* x[i]: 1-based by the array's own lower bound; out of range or multidimensional -> NULL. */
static void test_sql_fn_array_subscript(void **state) {
    (void)state;
    assert_string_equal(FN("array_subscript", A(I4A, "{1,2,3}"), A(I4, "2")), "2");
    assert_string_equal(FN("array_subscript", A(I4A, "{1,2,3}"), A(I4, "0")), "<NULL>");
    assert_string_equal(FN("array_subscript", A(I4A, "{1,2,3}"), A(I4, "4")), "<NULL>");
    assert_string_equal(FN("array_subscript", A(I4A, "[0:2]={5,6,7}"), A(I4, "0")), "5");
    assert_string_equal(FN("array_subscript", A(I4A, "{{1,2},{3,4}}"), A(I4, "1")), "<NULL>");
    assert_string_equal(FN("array_subscript", A(I4A, "{1,NULL,3}"), A(I4, "2")), "<NULL>");
    assert_string_equal(FN("array_subscript", A(I4A, "{1,NULL,3}"), A(I4, "3")), "3");
    assert_string_equal(FN("array_subscript", A(TA, "{a,é,\"x y\"}"), A(I4, "3")), "x y");
    assert_string_equal(FN("array_subscript", A(F8A, "{1.5,-0}"), A(I4, "1")), "1.5");
    assert_string_equal(FN("array_subscript", A(I4A, "{}"), A(I4, "1")), "<NULL>");
    assert_string_equal(FN("array_subscript", A(I4A, NULL), A(I4, "1")), "<NULL>");
    assert_string_equal(FN("array_subscript", A(I8A, "{1,2}"), A(I4, "-2147483648")), "<NULL>");
}

/* Containment of large arrays (hashed) gives the answers of the pairwise comparison. */
static void test_sql_fn_array_large_containment(void **state) {
    (void)state;
    sql_strbuf big, small, miss;
    sql_strbuf_init(&big, tf_arena, 64);
    sql_strbuf_init(&small, tf_arena, 64);
    sql_strbuf_init(&miss, tf_arena, 64);
    sql_strbuf_putc(&big, '{');
    sql_strbuf_putc(&small, '{');
    for (int k = 0; k < 5000; k++) sql_strbuf_printf(&big, "%s%d", k ? "," : "", k * 3);
    for (int k = 0; k < 300; k++) sql_strbuf_printf(&small, "%s%d", k ? "," : "", k * 15);
    sql_strbuf_puts(&big, ",NULL}");
    sql_strbuf_puts(&small, "}");
    sql_strbuf_puts(&miss, "{0,3,6,7}");
    sql_strbuf_putc(&big, '\0');
    sql_strbuf_putc(&small, '\0');
    sql_strbuf_putc(&miss, '\0');
    assert_string_equal(OP("@>", A(I4A, big.data), A(I4A, small.data)), "t");
    assert_string_equal(OP("<@", A(I4A, small.data), A(I4A, big.data)), "t");
    assert_string_equal(OP("@>", A(I4A, big.data), A(I4A, miss.data)), "f");
    assert_string_equal(OP("&&", A(I4A, miss.data), A(I4A, big.data)), "t");
    assert_string_equal(OP("&&", A(I4A, "{1,2,4,5}"), A(I4A, big.data)), "f");
}

/* The || operators and array_append over rows with NULL arrays and NULL elements. */
static void test_sql_fn_array_append_batch(void **state) {
    (void)state;
    const tf_arg types[] = {A(TA, ""), A(T, "")};
    const char *rows[] = {"{a}", "b", NULL, "c", "{}", NULL, NULL, NULL, "[3:3]={x}", "é"};
    const char *out[5];
    assert_null(tf_eval_rows("||", true, types, 2, rows, 5, out));
    assert_string_equal(out[0], "{a,b}");
    assert_string_equal(out[1], "{c}");
    assert_string_equal(out[2], "{NULL}");
    assert_string_equal(out[3], "{NULL}");
    assert_string_equal(out[4], "[3:4]={x,é}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_fn_array_matches_postgresql),
        cmocka_unit_test(test_sql_fn_array_subscript),
        cmocka_unit_test(test_sql_fn_array_large_containment),
        cmocka_unit_test(test_sql_fn_array_append_batch),
    };
    return cmocka_run_group_tests(tests, tf_setup, tf_teardown);
}
