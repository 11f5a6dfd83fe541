/* test_sql_fn_json.c: json and jsonb as registered (sql_type_json.c), their operators and
 * functions (sql_fn_json.c), the jsonb casts (sql_cast_types.c) and json aggregates
 * (sql_agg_numeric.c), called through the registries as a query calls them.
 * How: the case tables hold a call and PostgreSQL 15's answer, written by tests/sql/gen-fn-cases
 * from a real server: accessors on both types, containment and existence, edits, builders of
 * every kind of SQL value, set-returning functions, casts of scalars and every error. Another
 * test checks jsonb's binary wire format (version byte 1 and the text). */
#include "test_sql_fn_types_util.h"

static const tf_case json_cases[] = {
/* BEGIN CASES json */
    {"->", true, 2, {A(JB, "{\"a\": {\"b\": [1, 2]}}"), A(T, "a")},
     "{\"b\": [1, 2]}"},
    {"->", true, 2, {A(JB, "{\"a\": 1}"), A(T, "z")},
     "<NULL>"},
    {"->", true, 2, {A(JB, "[1, \"x\", null]"), A(I4, "-2")},
     "\"x\""},
    {"->", true, 2, {A(JB, "[1]"), A(I4, "5")},
     "<NULL>"},
    {"->>", true, 2, {A(JB, "{\"a\": \"q\\\"x\"}"), A(T, "a")},
     "q\"x"},
    {"->>", true, 2, {A(JB, "[1, null]"), A(I4, "1")},
     "<NULL>"},
    {"->>", true, 2, {A(JB, "{\"a\": [1, {\"b\": 2}]}"), A(T, "a")},
     "[1, {\"b\": 2}]"},
    {"#>", true, 2, {A(JB, "{\"a\": {\"b\": [1, 2]}}"), A(TA, "{a,b,1}")},
     "2"},
    {"#>>", true, 2, {A(JB, "{\"a\": {\"b\": [\"x\"]}}"), A(TA, "{a,b,0}")},
     "x"},
    {"#>", true, 2, {A(JB, "{\"a\": 1}"), A(TA, "{}")},
     "{\"a\": 1}"},
    {"->", true, 2, {A(JS, "{\"a\": [1,  2]}"), A(T, "a")},
     "[1,  2]"},
    {"->>", true, 2, {A(JS, "{\"a\": \"\\u00e9\"}"), A(T, "a")},
     "é"},
    {"->", true, 2, {A(JS, "[1, 2, 3]"), A(I4, "-1")},
     "3"},
    {"#>>", true, 2, {A(JS, "{\"a\": {\"b\": true}}"), A(TA, "{a,b}")},
     "true"},
    {"@>", true, 2, {A(JB, "{\"a\": 1, \"b\": [1, 2]}"), A(JB, "{\"b\": [2]}")},
     "t"},
    {"<@", true, 2, {A(JB, "{\"a\": 1}"), A(JB, "{\"a\": 1, \"b\": 2}")},
     "t"},
    {"@>", true, 2, {A(JB, "[1, 2, [3]]"), A(JB, "[3]")},
     "f"},
    {"?", true, 2, {A(JB, "{\"a\": 1}"), A(T, "a")},
     "t"},
    {"?", true, 2, {A(JB, "[\"a\", \"b\"]"), A(T, "b")},
     "t"},
    {"?|", true, 2, {A(JB, "{\"a\": 1, \"b\": 2}"), A(TA, "{c,b}")},
     "t"},
    {"?&", true, 2, {A(JB, "{\"a\": 1, \"b\": 2}"), A(TA, "{a,c}")},
     "f"},
    {"?&", true, 2, {A(JB, "{\"a\": 1}"), A(TA, "{}")},
     "t"},
    {"||", true, 2, {A(JB, "{\"a\": 1}"), A(JB, "{\"b\": 2, \"a\": 3}")},
     "{\"a\": 3, \"b\": 2}"},
    {"||", true, 2, {A(JB, "[1]"), A(JB, "2")},
     "[1, 2]"},
    {"||", true, 2, {A(JB, "{\"a\": 1}"), A(JB, "[2]")},
     "[{\"a\": 1}, 2]"},
    {"-", true, 2, {A(JB, "{\"a\": 1, \"b\": 2}"), A(T, "a")},
     "{\"b\": 2}"},
    {"-", true, 2, {A(JB, "[\"a\", \"b\", \"a\"]"), A(T, "a")},
     "[\"b\"]"},
    {"-", true, 2, {A(JB, "{\"a\": 1, \"b\": 2, \"c\": 3}"), A(TA, "{a,c}")},
     "{\"b\": 2}"},
    {"-", true, 2, {A(JB, "[1, 2, 3]"), A(I4, "-1")},
     "[1, 2]"},
    {"-", true, 2, {A(JB, "{\"a\": 1}"), A(I4, "0")},
     "ERROR 22023: cannot delete from object using integer index"},
    {"#-", true, 2, {A(JB, "{\"a\": {\"b\": 1, \"c\": 2}}"), A(TA, "{a,b}")},
     "{\"a\": {\"c\": 2}}"},
    {"=", true, 2, {A(JB, "{\"a\": 1.0}"), A(JB, "{\"a\": 1}")},
     "t"},
    {"<", true, 2, {A(JB, "[]"), A(JB, "null")},
     "t"},
    {">", true, 2, {A(JB, "{}"), A(JB, "[1, 2]")},
     "t"},
    {"jsonb_typeof", false, 1, {A(JB, "1.5")},
     "number"},
    {"jsonb_typeof", false, 1, {A(JB, "{}")},
     "object"},
    {"json_typeof", false, 1, {A(JS, " \"x\" ")},
     "string"},
    {"jsonb_array_length", false, 1, {A(JB, "[1, [2, 3]]")},
     "2"},
    {"jsonb_array_length", false, 1, {A(JB, "{\"a\": 1}")},
     "ERROR 22023: cannot get array length of a non-array"},
    {"json_array_length", false, 1, {A(JS, "[1, 2]")},
     "2"},
    {"jsonb_set", false, 3, {A(JB, "{\"a\": {\"b\": 1}}"), A(TA, "{a,b}"), A(JB, "[2]")},
     "{\"a\": {\"b\": [2]}}"},
    {"jsonb_set", false, 4, {A(JB, "{\"a\": 1}"), A(TA, "{c}"), A(JB, "3"), A(B, "false")},
     "{\"a\": 1}"},
    {"jsonb_set", false, 3, {A(JB, "[1, 2]"), A(TA, "{5}"), A(JB, "3")},
     "[1, 2, 3]"},
    {"jsonb_insert", false, 3, {A(JB, "{\"a\": [0, 1]}"), A(TA, "{a,1}"), A(JB, "\"x\"")},
     "{\"a\": [0, \"x\", 1]}"},
    {"jsonb_insert", false, 4, {
        A(JB, "{\"a\": [0, 1]}"),
        A(TA, "{a,1}"),
        A(JB, "\"x\""),
        A(B, "true"),
     },
     "{\"a\": [0, 1, \"x\"]}"},
    {"jsonb_insert", false, 3, {A(JB, "{\"a\": 1}"), A(TA, "{a}"), A(JB, "2")},
     "ERROR 22023: cannot replace existing key"},
    {"jsonb_strip_nulls", false, 1, {A(JB, "{\"a\": null, \"b\": [null, {\"c\": null}]}")},
     "{\"b\": [null, {}]}"},
    {"jsonb_pretty", false, 1, {A(JB, "{\"a\": [1, {\"b\": null}], \"c\": {}}")},
     "{\n    \"a\": [\n        1,\n        {\n            \"b\": null\n        }\n    "
     "],\n    \"c\": {\n    }\n}"},
    {"jsonb_extract_path", false, 3, {A(JB, "{\"a\": {\"b\": [7]}}"), A(T, "a"), A(T, "b")},
     "[7]"},
    {"jsonb_extract_path_text", false, 3, {A(JB, "{\"a\": {\"b\": \"s\"}}"), A(T, "a"), A(T, "b")},
     "s"},
    {"to_jsonb", false, 1, {A(NU, "1.50")},
     "1.50"},
    {"to_jsonb", false, 1, {A(T, "a\"b")},
     "\"a\\\"b\""},
    {"to_jsonb", false, 1, {A(B, "true")},
     "true"},
    {"to_jsonb", false, 1, {A(TSZ, "2024-02-29 12:00:00+00")},
     "\"2024-02-29T12:00:00+00:00\""},
    {"to_jsonb", false, 1, {A(TS, "2024-02-29 12:00:00.5")},
     "\"2024-02-29T12:00:00.5\""},
    {"to_jsonb", false, 1, {A(DA, "2024-02-29")},
     "\"2024-02-29\""},
    {"to_jsonb", false, 1, {A(F8, "NaN")},
     "\"NaN\""},
    {"to_json", false, 1, {A(T, "x\ny")},
     "\"x\\ny\""},
    {"to_json", false, 1, {A(I4, "5")},
     "5"},
    {"to_jsonb", false, 1, {A(IV, "1 day")},
     "\"1 day\""},
    {"jsonb_build_object", false, 6, {
        A(T, "a"),
        A(I4, "1"),
        A(T, "b"),
        A(B, "false"),
        A(T, "c"),
        A(T, NULL),
     },
     "{\"a\": 1, \"b\": false, \"c\": null}"},
    {"jsonb_build_object", false, 1, {A(T, "a")},
     "ERROR 22023: argument list must have even number of elements"},
    {"jsonb_build_object", false, 2, {A(T, NULL), A(I4, "1")},
     "ERROR 22023: argument 1: key must not be null"},
    {"jsonb_build_object", false, 2, {A(I4, "1"), A(NU, "2.5")},
     "{\"1\": 2.5}"},
    {"jsonb_build_array", false, 4, {A(I4, "1"), A(T, "x"), A(JB, "{\"a\": null}"), A(T, NULL)},
     "[1, \"x\", {\"a\": null}, null]"},
    {"json_build_object", false, 4, {A(T, "a"), A(I4, "1"), A(T, "b"), A(JS, "[1,  2]")},
     "{\"a\" : 1, \"b\" : [1,  2]}"},
    {"json_build_array", false, 3, {A(I4, "1"), A(T, "x"), A(T, NULL)},
     "[1, \"x\", null]"},
    {"jsonb_build_object", false, 0, {},
     "{}"},
    {"jsonb_build_array", false, 0, {},
     "[]"},
    {"jsonb_object_keys", false, 1, {A(JB, "{\"b\": 1, \"a\": {\"c\": 2}}")},
     "a;b"},
    {"jsonb_object_keys", false, 1, {A(JB, "[1]")},
     "ERROR 22023: cannot call jsonb_object_keys on an array"},
    {"jsonb_array_elements", false, 1, {A(JB, "[1, \"x\", null, {\"a\": [2]}]")},
     "1;\"x\";null;{\"a\": [2]}"},
    {"jsonb_array_elements_text", false, 1, {A(JB, "[1, \"x\", null]")},
     "1;x;<NULL>"},
    {"jsonb_array_elements", false, 1, {A(JB, "{\"a\": 1}")},
     "ERROR 22023: cannot extract elements from an object"},
    {"to_jsonb", false, 1, {A(I4A, "{1,NULL,3}")},
     "[1, null, 3]"},
    {"to_jsonb", false, 1, {A(TA, "{a,\"b c\"}")},
     "[\"a\", \"b c\"]"},
    {"jsonb_build_array", false, 1, {A(I4A, "{{1,2},{3,4}}")},
     "[[[1, 2], [3, 4]]]"},
    {"to_json", false, 1, {A(I4A, "{{1,2},{3,4}}")},
     "[[1,2],[3,4]]"},
    {"to_json", false, 1, {A(TA, "{}")},
     "[]"},
    {"json_build_object", false, 2, {A(T, "a"), A(TA, "{x,NULL}")},
     "{\"a\" : [\"x\",null]}"},
    {"to_json", false, 1, {A(F8A, "{NaN,1.5}")},
     "[\"NaN\",1.5]"},
    {"to_jsonb", false, 1, {A(BOA, "{t,f}")},
     "[true, false]"},
    {"array_to_json", false, 1, {A(I4A, "{{1,NULL},{3,4}}")},
     "[[1,null],[3,4]]"},
    {"array_to_json", false, 1, {A(TA, "{\"a\\\"b\"}")},
     "[\"a\\\"b\"]"},
    {"array_subscript", false, 2, {A(JB, "[1, 2]"), A(T, "1")},
     "2"},
    {"array_subscript", false, 2, {A(JB, "{\"1\": 5}"), A(I4, "1")},
     "5"},
    {"array_subscript", false, 2, {A(JB, "[1, 2]"), A(T, "x")},
     "<NULL>"},
    {"array_subscript", false, 2, {A(JB, "{\"a\": {\"b\": 3}}"), A(T, "a")},
     "{\"b\": 3}"},
    {"array_subscript", false, 2, {A(JB, "[1, 2]"), A(I4, "-1")},
     "2"},
    {"array_subscript", false, 2, {A(JB, "\"s\""), A(T, "a")},
     "<NULL>"},
    {"array_subscript", false, 2, {A(JB, "[1, 2]"), A(I4, "0")},
     "1"},
    {"array_subscript", false, 2, {A(JB, "{\"a\": 1}"), A(T, "b")},
     "<NULL>"},
/* END CASES */
};

static const tf_case cast_cases[] = {
/* BEGIN CASES casts */
    {"::jsonb", false, 1, {A(T, "{\"b\": 1, \"a\": [1.50, true, null], \"b\": 2}")},
     "{\"a\": [1.50, true, null], \"b\": 2}"},
    {"::jsonb", false, 1, {A(T, "{\"a\": }")},
     "ERROR 22P02: invalid input syntax for type json"},
    {"::jsonb", false, 1, {A(T, "\"\\u0000\"")},
     "ERROR 22P05: unsupported Unicode escape sequence"},
    {"::json", false, 1, {A(T, "{\"b\": 1,   \"b\": 2}")},
     "{\"b\": 1,   \"b\": 2}"},
    {"::json", false, 1, {A(T, "[1, 2")},
     "ERROR 22P02: invalid input syntax for type json"},
    {"::jsonb", false, 1, {A(JS, "{\"b\": 1,   \"a\": 2}")},
     "{\"a\": 2, \"b\": 1}"},
    {"::json", false, 1, {A(JB, "{\"b\": 1, \"a\": 2}")},
     "{\"a\": 2, \"b\": 1}"},
    {"::numeric", false, 1, {A(JB, "1.50")},
     "1.50"},
    {"::int4", false, 1, {A(JB, "2.5")},
     "3"},
    {"::int4", false, 1, {A(JB, "\"1\"")},
     "ERROR 22023: cannot cast jsonb string to type integer"},
    {"::int8", false, 1, {A(JB, "null")},
     "ERROR 22023: cannot cast jsonb null to type bigint"},
    {"::bool", false, 1, {A(JB, "true")},
     "t"},
    {"::bool", false, 1, {A(JB, "1")},
     "ERROR 22023: cannot cast jsonb numeric to type boolean"},
    {"::float8", false, 1, {A(JB, "1e300")},
     "1e+300"},
    {"::float4", false, 1, {A(JB, "{}")},
     "ERROR 22023: cannot cast jsonb object to type real"},
    {"::int2", false, 1, {A(JB, "[1]")},
     "ERROR 22023: cannot cast jsonb array to type smallint"},
    {"::text", false, 1, {A(JB, "{\"a\": \"x\"}")},
     "{\"a\": \"x\"}"},
    {"::jsonb", false, 1, {A(T, "1e2")},
     "100"},
    {"::jsonb", false, 1, {A(T, "-0.0")},
     "0.0"},
    {"::_jsonb", false, 1, {A(T, "{\"{\\\"a\\\": 1}\",NULL,\"[1, 2]\"}")},
     "{\"{\\\"a\\\": 1}\",NULL,\"[1, 2]\"}"},
    {"::_json", false, 1, {A(T, "{\"{\\\"a\\\":  1}\"}")},
     "{\"{\\\"a\\\":  1}\"}"},
/* END CASES */
};

static const tf_case agg_cases[] = {
/* BEGIN CASES aggs */
    {"jsonb_agg", false, 3, {A(I4, "1"), A(I4, NULL), A(I4, "3")},
     "[1, null, 3]"},
    {"jsonb_agg", false, 2, {A(T, "a"), A(T, "b\"")},
     "[\"a\", \"b\\\"\"]"},
    {"json_agg", false, 3, {A(I4, "1"), A(I4, NULL), A(I4, "3")},
     "[1, null, 3]"},
    {"jsonb_agg", false, 2, {A(JB, "{\"a\": 1}"), A(JB, "[2]")},
     "[{\"a\": 1}, [2]]"},
    {"jsonb_agg", false, 1, {A(NU, "1.50")},
     "[1.50]"},
    {"jsonb_agg", false, 1, {A(I4, NULL)},
     "[null]"},
    {"jsonb_agg", false, 2, {A(I4A, "{1,2}"), A(I4A, "{3}")},
     "[[1, 2], [3]]"},
    {"json_agg", false, 2, {A(TA, "{a}"), A(TA, NULL)},
     "[[\"a\"], null]"},
    {"jsonb_agg", false, 1, {A(TSZ, "2024-01-01 00:00+03")},
     "[\"2023-12-31T21:00:00+00:00\"]"},
    {"json_agg", false, 1, {A(DA, "2024-01-01")},
     "[\"2024-01-01\"]"},
/* END CASES */
};

static void test_json_functions(void **state) {
    (void)state;
    tf_run_cases(json_cases, sizeof json_cases / sizeof json_cases[0]);
}

static void test_json_casts(void **state) {
    (void)state;
    tft_run(cast_cases, sizeof cast_cases / sizeof cast_cases[0], false);
}

static void test_json_aggregates(void **state) {
    (void)state;
    tft_run(agg_cases, sizeof agg_cases / sizeof agg_cases[0], true);
}

/* jsonb_send is a version byte (1) and the text; json_send the text as written. */
static void test_json_binary(void **state) {
    (void)state;
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    sql_value v = tf_value(&A(JB, "{\"b\":1,  \"a\":[true]}"));
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 16);
    assert_true(sql_value_send(&io, &v, &sb));
    const char want[] = "\001{\"a\": [true], \"b\": 1}";
    assert_int_equal(sb.len, sizeof want - 1);
    assert_memory_equal(sb.data, want, sizeof want - 1);
    sql_value back;
    assert_true(sql_value_recv(&io, JB, (const uint8_t *)sb.data, sb.len, -1, &back));
    assert_int_equal(sql_value_cmp(&v, &back), 0);
    assert_false(sql_value_recv(&io, JB, (const uint8_t *)"\002{}", 3, -1, &back));
    rt_err_clear(&err);
    v = tf_value(&A(JS, "{\"b\":1,  \"b\":2}"));
    sql_strbuf_reset(&sb);
    assert_true(sql_value_send(&io, &v, &sb));
    assert_int_equal(sb.len, 15);
    assert_false(sql_value_recv(&io, JS, (const uint8_t *)"{\"a\"", 4, -1, &back));
}

/* jsonb_each / jsonb_each_text return (key, value) rows: two columns, as the executor's
 * function scan asks for (PostgreSQL: keys in jsonb's order, JSON null as text is NULL). */
static const char *each_rows(const char *name, const char *doc) {
    sql_func_list l = sql_funcs_lookup(name, false);
    assert_int_equal(l.count, 1);
    const sql_func_def *d = l.items[0];
    assert_int_equal(d->srf_ncols, 2);
    rt_err err;
    rt_err_clear(&err);
    sql_value arg = tf_value(&A(JB, doc));
    sql_exec_ctx x;
    memset(&x, 0, sizeof x);
    x.arena = tf_arena;
    x.err = &err;
    x.fmt = tf_fmt;
    sql_rowset rs;
    sql_rowset_init(&rs, tf_arena, 2);
    if (!d->srf(&x, &arg, 1, &rs)) return tf_error(&err);
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 64);
    for (uint64_t r = 0; r < rs.count; r++) {
        const sql_value *row = sql_rowset_row(&rs, r);
        sql_strbuf_printf(&sb, "%s(%s,%s)", r > 0 ? ";" : "", tf_text(&row[0]), tf_text(&row[1]));
    }
    sql_strbuf_putc(&sb, '\0');
    return sb.data;
}

static void test_json_each(void **state) {
    (void)state;
    assert_string_equal(each_rows("jsonb_each", "{\"b\": 1, \"a\": [2], \"c\": null}"),
                        "(a,[2]);(b,1);(c,null)");
    assert_string_equal(each_rows("jsonb_each_text", "{\"a\": null, \"b\": \"x\"}"),
                        "(a,<NULL>);(b,x)");
    assert_string_equal(each_rows("jsonb_each", "[1]"),
                        "ERROR 22023: cannot call jsonb_each on a non-object");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_functions), cmocka_unit_test(test_json_casts),
        cmocka_unit_test(test_json_aggregates), cmocka_unit_test(test_json_binary),
        cmocka_unit_test(test_json_each),
    };
    return cmocka_run_group_tests(tests, tft_setup, tf_teardown);
}
