/* test_sql_jsonb.c: json and jsonb: parsing, printing, numbers, operators, edits, builders,
 * aggregates, ordering, hashing and the binary format's validation.
 * How: expected strings, truth values and errors were taken from PostgreSQL 15 (psql on a
 * scratch cluster) for the same inputs. Properties are checked on generated documents: print
 * and parse round trips, hash agreeing with equality, key order, and that validation rejects
 * (or safely accepts) randomly damaged binary values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_jsonb.h"

static rt_arena *test_arena;

static int test_setup(void **state) {
    test_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    return 0;
}

static int test_teardown(void **state) {
    rt_arena_destroy(test_arena);
    return 0;
}

static sql_bytes J(const char *text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes jb;
    if (!sql_jsonb_from_text(test_arena, text, (uint32_t)strlen(text), &jb, &err)) {
        fail_msg("'%s': %s (%s)", text, err.message, err.detail);
    }
    return jb;
}

/* Text of a result: "<NULL>" for SQL NULL; jsonb values (starting with a header) are printed. */
static const char *T(sql_bytes jb) {
    if (sql_jsonb_is_null(jb)) return "<NULL>";
    rt_err err;
    rt_err_clear(&err);
    sql_bytes text;
    if (!sql_jsonb_to_text(test_arena, jb, &text, &err)) fail_msg("%s", err.message);
    return (const char *)text.ptr;
}

static const char *S(sql_bytes text) {
    if (sql_jsonb_is_null(text)) return "<NULL>";
    return rt_arena_strndup(test_arena, (const char *)text.ptr, text.len);
}

static sql_bytes B(const char *s) { return (sql_bytes){(const uint8_t *)s, (uint32_t)strlen(s)}; }

/* A text[] argument: NULL pointers are SQL NULL elements. */
#define PATH(...)                                                                           \
    ((const char *[]){__VA_ARGS__}), sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)

static sql_bytes *test_path(const char **elems, size_t n) {
    sql_bytes *p = rt_arena_alloc(test_arena, sizeof(sql_bytes) * (n + 1));
    for (size_t i = 0; i < n; i++) p[i] = elems[i] == NULL ? (sql_bytes){NULL, 0} : B(elems[i]);
    return p;
}

static void test_expect_error(bool ok, rt_err *err, const char *state, const char *message,
                              const char *detail) {
    if (ok) fail_msg("expected error %s %s", state, message);
    assert_string_equal(err->sqlstate, state);
    assert_string_equal(err->message, message);
    if (detail != NULL) assert_string_equal(err->detail, detail);
    rt_err_clear(err);
}

/* ---- input and output ------------------------------------------------------------------- */

static void test_sql_jsonb_output_matches_postgresql(void **state) {
    static const char *cases[][2] = {
        {"\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\""},
        {"\"\\u00e9\"", "\"\xc3\xa9\""},
        {"{\"b\":1, \"a\":2, \"aa\":3, \"b\":4}", "{\"a\": 2, \"b\": 4, \"aa\": 3}"},
        {"  {\"a\" : [1, {\"c\":null}] , \"b\":\"x\\ny\\u0001\\\"\\\\/\"}  ",
         "{\"a\": [1, {\"c\": null}], \"b\": \"x\\ny\\u0001\\\"\\\\/\"}"},
        {"\"\\/\"", "\"/\""},
        {"\"\\b\\f\\r\\t\"", "\"\\b\\f\\r\\t\""},
        {"\"\\u007f\\u001f\\u0080\"", "\"\x7f\\u001f\xc2\x80\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {"[[], {}, [[]]]", "[[], {}, [[]]]"},
        {" null ", "null"},
        {"true", "true"},
        {"\"a\"", "\"a\""},
        {"{\"a\":1, \"a\":2}", "{\"a\": 2}"},
        {"{\"\":1}", "{\"\": 1}"},
        {"[\"\\u0041\"]", "[\"A\"]"},
        {"[1,2] ", "[1, 2]"},
        {"[1,\n2]", "[1, 2]"},
        {"{\"a\":{\"b\":{\"c\":[1,2,{\"d\":[true,false,null]}]}},\"e\":-1.5e-3,"
         "\"f\":\"\\u00fc\\u4e2d\\ud83d\\ude00\"}",
         "{\"a\": {\"b\": {\"c\": [1, 2, {\"d\": [true, false, null]}]}}, \"e\": -0.0015, "
         "\"f\": \"\xc3\xbc\xe4\xb8\xad\xf0\x9f\x98\x80\"}"},
        {"{\"z\":1,\"y\":2,\"x\":3,\"zz\":4,\"yy\":5,\"a\":6,\"aaa\":7,\"b\":8,\"\":9}",
         "{\"\": 9, \"a\": 6, \"b\": 8, \"x\": 3, \"y\": 2, \"z\": 1, \"yy\": 5, \"zz\": 4, "
         "\"aaa\": 7}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(T(J(cases[i][0])), cases[i][1]);
    }
}

static void test_sql_jsonb_numbers_match_postgresql(void **state) {
    static const char *cases[][2] = {
        {"[1.0, 1.50e1, 1e2, 1E-2, -0, -0.0, 0.00, 1e-5, 0.000e2, 123e-5, 1.23e1, 12.30e-1, "
         "-1.5e0]",
         "[1.0, 15.0, 100, 0.01, 0, 0.0, 0.00, 0.00001, 0.0, 0.00123, 12.3, 1.230, -1.5]"},
        {"0e20000", "0"},
        {"1E+05", "100000"},
        {"-0e-0", "0"},
        {"123456789012345678901234567890.123456789012345678901234567890",
         "123456789012345678901234567890.123456789012345678901234567890"},
        {"-1E-2", "-0.01"},
        {"1e-7", "0.0000001"},
        {"0.1e1", "1"},
        {"10e-1", "1.0"},
        {"-0.000", "0.000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(T(J(cases[i][0])), cases[i][1]);
    }
    /* numeric's limits: 131072 digits before the point, 16383 after */
    assert_int_equal(strlen(T(J("1e131071"))), 131072);
    assert_int_equal(strlen(T(J("0.1e131072"))), 131072);
    assert_int_equal(strlen(T(J("1e-16383"))), 16385);
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    const char *overflow[] = {"1e131072", "1e-16384", "0e-20000", "1e99999999999999999999",
                              "0e99999999999999999999", "[1.0e-16383]", "1e1073741823"};
    for (size_t i = 0; i < sizeof overflow / sizeof overflow[0]; i++) {
        test_expect_error(sql_jsonb_from_text(test_arena, overflow[i],
                                              (uint32_t)strlen(overflow[i]), &out, &err),
                          &err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value overflows numeric format", NULL);
    }
    assert_int_equal(sql_jsonb_number_cmp("1.0", 3, "1", 1), 0);
    assert_int_equal(sql_jsonb_number_cmp("-1.5", 4, "-1.25", 5), -1);
    assert_int_equal(sql_jsonb_number_cmp("0.00", 4, "0", 1), 0);
    assert_int_equal(sql_jsonb_number_cmp("10", 2, "9.99", 4), 1);
    assert_int_equal(sql_jsonb_number_cmp("-10", 3, "-9.99", 5), -1);
    assert_int_equal(sql_jsonb_number_cmp("0.1", 3, "0.09", 4), 1);
    assert_int_equal(sql_jsonb_number_cmp("-0.5", 4, "0", 1), -1);
}

typedef struct test_parse_error {
    const char *input;
    bool json_ok; /* valid as json (which only checks syntax) */
    const char *state;
    const char *detail;
} test_parse_error;

static const test_parse_error test_parse_errors[] = {
    {"tru", false, "22P02", "Token \"tru\" is invalid."},
    {"1abc", false, "22P02", "Token \"1abc\" is invalid."},
    {"-", false, "22P02", "Token \"-\" is invalid."},
    {"01", false, "22P02", "Token \"01\" is invalid."},
    {"1.", false, "22P02", "Token \"1.\" is invalid."},
    {".1", false, "22P02", "Token \".\" is invalid."},
    {"1e", false, "22P02", "Token \"1e\" is invalid."},
    {"1e+", false, "22P02", "Token \"1e+\" is invalid."},
    {"-a", false, "22P02", "Token \"-a\" is invalid."},
    {"-.5", false, "22P02", "Token \"-.5\" is invalid."},
    {"1.5.3", false, "22P02", "Token \".\" is invalid."},
    {"[1.x5]", false, "22P02", "Token \"1.x5\" is invalid."},
    {"[1e5x]", false, "22P02", "Token \"1e5x\" is invalid."},
    {"1.5e+x", false, "22P02", "Token \"1.5e+x\" is invalid."},
    {"-01", false, "22P02", "Token \"-01\" is invalid."},
    {"[1,2", false, "22P02", "The input string ended unexpectedly."},
    {"", false, "22P02", "The input string ended unexpectedly."},
    {"  ", false, "22P02", "The input string ended unexpectedly."},
    {"{\"a\":1,}", false, "22P02", "Expected string, but found \"}\"."},
    {"{\"a\" 1}", false, "22P02", "Expected \":\", but found \"1\"."},
    {"{1:2}", false, "22P02", "Expected string or \"}\", but found \"1\"."},
    {"[1 2]", false, "22P02", "Expected \",\" or \"]\", but found \"2\"."},
    {"[1,]", false, "22P02", "Expected JSON value, but found \"]\"."},
    {"1 2", false, "22P02", "Expected end of input, but found \"2\"."},
    {"[1,2]]", false, "22P02", "Expected end of input, but found \"]\"."},
    {"{\"a\"}", false, "22P02", "Expected \":\", but found \"}\"."},
    {"{\"a\":}", false, "22P02", "Expected JSON value, but found \"}\"."},
    {"[:]", false, "22P02", "Expected JSON value, but found \":\"."},
    {"}", false, "22P02", "Expected JSON value, but found \"}\"."},
    {"{\"a\":1 \"b\":2}", false, "22P02", "Expected \",\" or \"}\", but found \"\"b\"\"."},
    {"[\"a\" : 1]", false, "22P02", "Expected \",\" or \"]\", but found \":\"."},
    {"{\"a\":1}:", false, "22P02", "Expected end of input, but found \":\"."},
    {"\"a\"\"b\"", false, "22P02", "Expected end of input, but found \"\"b\"\"."},
    {"{\"a\":[1,{\"b\":}]}", false, "22P02", "Expected JSON value, but found \"}\"."},
    {"\"abc", false, "22P02", "Token \"\"abc\" is invalid."},
    {"\"\\x\"", false, "22P02", "Escape sequence \"\\x\" is invalid."},
    {"\"\\\xc3\xa9\"", false, "22P02", "Escape sequence \"\\\xc3\xa9\" is invalid."},
    {"\"\\u12\"", false, "22P02", "\"\\u\" must be followed by four hexadecimal digits."},
    {"\"\\u12zz\"", false, "22P02", "\"\\u\" must be followed by four hexadecimal digits."},
    {"\"a\tb\"", false, "22P02", "Character with value 0x09 must be escaped."},
    {"\"a\x01z\"", false, "22P02", "Character with value 0x01 must be escaped."},
    {"nullx", false, "22P02", "Token \"nullx\" is invalid."},
    {"truefalse", false, "22P02", "Token \"truefalse\" is invalid."},
    {"[tRue]", false, "22P02", "Token \"tRue\" is invalid."},
    {"[1,2,3,@]", false, "22P02", "Token \"@\" is invalid."},
    {"$", false, "22P02", "Token \"$\" is invalid."},
    {"ab\"c", false, "22P02", "Token \"ab\" is invalid."},
    {"\xc3\xa9" "a", false, "22P02", "Token \"\xc3\xa9" "a\" is invalid."},
    {"1\xc3\xa9", false, "22P02", "Token \"1\xc3\xa9\" is invalid."},
    {"[1]x", false, "22P02", "Token \"x\" is invalid."},
    {"\"\\uD800", false, "22P02", "Token \"\"\\uD800\" is invalid."},
    /* only jsonb gives escapes a meaning, so only jsonb rejects these */
    {"\"\\ud800\"", true, "22P02", "Unicode low surrogate must follow a high surrogate."},
    {"\"\\udc00\"", true, "22P02", "Unicode low surrogate must follow a high surrogate."},
    {"\"\\ud800\\ud800\"", true, "22P02",
     "Unicode high surrogate must not follow a high surrogate."},
    {"\"\\ud800x\"", true, "22P02", "Unicode low surrogate must follow a high surrogate."},
    {"\"\\uD800\\u0041\"", true, "22P02",
     "Unicode low surrogate must follow a high surrogate."},
    {"\"\\uD800\\n\"", true, "22P02", "Unicode low surrogate must follow a high surrogate."},
    {"\"\\uD800\\u0000\"", true, "22P02",
     "Unicode low surrogate must follow a high surrogate."},
    {"\"\\u0000\"", true, "22P05", "\\u0000 cannot be converted to text."},
    {"\"\\u0000\\x\"", false, "22P05", "\\u0000 cannot be converted to text."},
    {"\"\\x\\u0000\"", false, "22P02", "Escape sequence \"\\x\" is invalid."},
};

static void test_sql_json_parse_errors_match_postgresql(void **state) {
    const char *syn = SQLSTATE_INVALID_TEXT_REPRESENTATION;
    for (size_t i = 0; i < sizeof test_parse_errors / sizeof test_parse_errors[0]; i++) {
        const test_parse_error *c = &test_parse_errors[i];
        uint32_t len = (uint32_t)strlen(c->input);
        rt_err err;
        rt_err_clear(&err);
        sql_bytes out;
        if (sql_jsonb_from_text(test_arena, c->input, len, &out, &err)) {
            fail_msg("jsonb accepted %s", c->input);
        }
        if (strcmp(err.sqlstate, c->state) != 0 || strcmp(err.detail, c->detail) != 0) {
            fail_msg("jsonb %s: got %s %s / %s", c->input, err.sqlstate, err.message, err.detail);
        }
        assert_string_equal(err.message, strcmp(c->state, "22P05") == 0
                                             ? "unsupported Unicode escape sequence"
                                             : "invalid input syntax for type json");
        rt_err_clear(&err);
        bool json_ok = sql_json_validate(c->input, len, &err);
        if (json_ok != c->json_ok) fail_msg("json %s: %s", c->input, err.detail);
        if (!json_ok && strcmp(c->state, syn) == 0) assert_string_equal(err.detail, c->detail);
    }
    /* bad UTF-8 inside a string */
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    test_expect_error(sql_jsonb_from_text(test_arena, "\"\xc3\x28\"", 4, &out, &err), &err,
                      SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                      "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28", NULL);
    test_expect_error(sql_jsonb_from_text(test_arena, "[\"\x80\"]", 4, &out, &err), &err,
                      SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                      "invalid byte sequence for encoding \"UTF8\": 0x80", NULL);
    /* many escaped strings: each unescaped copy is sized to its own string */
    char *many = rt_arena_alloc(test_arena, 20 * 10000 + 8);
    char *w = many;
    *w++ = '[';
    for (int i = 0; i < 10000; i++) w += sprintf(w, "%s\"a\\nb\"", i ? "," : "");
    *w++ = ']';
    *w = '\0';
    size_t before = rt_arena_used_bytes(test_arena);
    assert_true(sql_jsonb_from_text(test_arena, many, (uint32_t)strlen(many), &out, &err));
    assert_true(rt_arena_used_bytes(test_arena) - before < 4u << 20);
}

/* Nesting: SQL_JSONB_DEPTH_MAX levels parse, one more is 54001; every recursive function
 * copes with the deepest value. */
static void test_sql_jsonb_depth_limit(void **state) {
    uint32_t depth = SQL_JSONB_DEPTH_MAX;
    char *text = rt_arena_alloc(test_arena, 2 * depth + 8);
    for (uint32_t i = 0; i < depth; i++) text[i] = '[';
    for (uint32_t i = 0; i < depth; i++) text[depth + i] = ']';
    text[2 * depth] = '\0';
    sql_bytes deep = J(text);
    rt_err err;
    rt_err_clear(&err);
    assert_true(sql_json_validate(text, 2 * depth, &err));
    assert_true(sql_jsonb_validate(deep, &err));
    assert_true(strcmp(T(deep), text) == 0);
    assert_int_equal(sql_jsonb_cmp(deep, deep), 0);
    assert_true(sql_jsonb_contains(deep, deep));
    sql_bytes pretty, stripped;
    assert_true(sql_jsonb_pretty(test_arena, deep, &pretty, &err));
    assert_true(sql_jsonb_strip_nulls(test_arena, deep, &stripped, &err));
    (void)sql_jsonb_hash(deep);
    char *deeper = rt_arena_alloc(test_arena, 2 * depth + 8);
    deeper[0] = '[';
    memcpy(deeper + 1, text, 2 * depth);
    deeper[2 * depth + 1] = ']';
    deeper[2 * depth + 2] = '\0';
    sql_bytes out;
    test_expect_error(sql_jsonb_from_text(test_arena, deeper, 2 * depth + 2, &out, &err), &err,
                      SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded", NULL);
    test_expect_error(sql_json_validate(deeper, 2 * depth + 2, &err), &err,
                      SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded", NULL);
    /* Values built from deep values are held to the same limit. */
    sql_json_arg arg = {.type_oid = SQL_T_JSONB, .value = deep};
    test_expect_error(sql_jsonb_build_array(test_arena, &arg, 1, &out, &err), &err,
                      SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded", NULL);
    char *objects = rt_arena_alloc(test_arena, 6 * depth + 8);
    char *w = objects;
    for (uint32_t i = 0; i < depth; i++) w += sprintf(w, "{\"a\":");
    w += sprintf(w, "1");
    for (uint32_t i = 0; i < depth; i++) *w++ = '}';
    *w = '\0';
    test_expect_error(sql_jsonb_concat(test_arena, J(objects), J("1"), &out, &err), &err,
                      SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded", NULL);
    sql_bytes path[] = {B("0")};
    test_expect_error(sql_jsonb_set(test_arena, deep, path, 1, deep, true, &out, &err), &err,
                      SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded", NULL);
    assert_true(sql_jsonb_concat(test_arena, deep, J("[1]"), &out, &err)); /* same depth */
    assert_true(sql_jsonb_validate(out, &err));
}

static void test_sql_jsonb_wire_format(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes wire, back;
    assert_true(sql_jsonb_to_wire(test_arena, J("{\"b\":[1, 2.0],\"a\":null}"), &wire, &err));
    assert_int_equal(wire.ptr[0], 1);
    assert_memory_equal(wire.ptr + 1, "{\"a\": null, \"b\": [1, 2.0]}", wire.len - 1);
    assert_true(sql_jsonb_from_wire(test_arena, wire, &back, &err));
    assert_string_equal(T(back), "{\"a\": null, \"b\": [1, 2.0]}");
    uint8_t v2[] = {2, '1'};
    test_expect_error(sql_jsonb_from_wire(test_arena, (sql_bytes){v2, 2}, &back, &err), &err,
                      SQLSTATE_INTERNAL_ERROR, "unsupported jsonb version number 2", NULL);
    test_expect_error(sql_jsonb_from_wire(test_arena, (sql_bytes){v2, 0}, &back, &err), &err,
                      SQLSTATE_PROTOCOL_VIOLATION, "insufficient data left in message", NULL);
}

static void test_sql_jsonb_pretty(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_pretty(
        test_arena, J("{\"a\":1,\"b\":[1,2,{\"c\":[]}],\"d\":{},\"e\":{\"f\":[[]]}}"), &out, &err));
    assert_string_equal((const char *)out.ptr,
                        "{\n"
                        "    \"a\": 1,\n"
                        "    \"b\": [\n"
                        "        1,\n"
                        "        2,\n"
                        "        {\n"
                        "            \"c\": [\n"
                        "            ]\n"
                        "        }\n"
                        "    ],\n"
                        "    \"d\": {\n"
                        "    },\n"
                        "    \"e\": {\n"
                        "        \"f\": [\n"
                        "            [\n"
                        "            ]\n"
                        "        ]\n"
                        "    }\n"
                        "}");
    assert_true(sql_jsonb_pretty(test_arena, J("[]"), &out, &err));
    assert_string_equal((const char *)out.ptr, "[\n]");
    assert_true(sql_jsonb_pretty(test_arena, J("\"x\""), &out, &err));
    assert_string_equal((const char *)out.ptr, "\"x\"");
}

/* ---- accessors ---------------------------------------------------------------------------- */

static const char *field(const char *doc, const char *key, bool as_text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_object_field(test_arena, J(doc), key, (uint32_t)strlen(key), as_text,
                                       &out, &err));
    return as_text ? S(out) : T(out);
}

static const char *element(const char *doc, int32_t index, bool as_text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_array_element(test_arena, J(doc), index, as_text, &out, &err));
    return as_text ? S(out) : T(out);
}

static const char *path_get(const char *doc, const char **elems, size_t n, bool as_text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_extract_path(test_arena, J(doc), test_path(elems, n), (uint32_t)n,
                                       as_text, &out, &err));
    return as_text ? S(out) : T(out);
}

static void test_sql_jsonb_accessors_match_postgresql(void **state) {
    const char *d = "{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}],\"d\":null,\"e\":\"s\"}";
    assert_string_equal(field(d, "a", false), "1");
    assert_string_equal(field(d, "z", false), "<NULL>");
    assert_string_equal(field(d, "d", false), "null");
    assert_string_equal(field(d, "d", true), "<NULL>");
    assert_string_equal(field(d, "e", true), "s");
    assert_string_equal(field(d, "b", true), "[1, 2, {\"c\": \"x\"}]");
    assert_string_equal(field(d, "b", false), "[1, 2, {\"c\": \"x\"}]");
    assert_string_equal(field("1", "a", false), "<NULL>");
    assert_string_equal(field("[1]", "a", false), "<NULL>");
    assert_string_equal(field("{\"a\":\"\"}", "a", true), "");
    assert_string_equal(element(d, 0, false), "<NULL>");
    assert_string_equal(element("[1,2,3]", -1, false), "3");
    assert_string_equal(element("[1,2,3]", -4, false), "<NULL>");
    assert_string_equal(element("[1,2,3]", 3, false), "<NULL>");
    assert_string_equal(element("1", 0, false), "1"); /* a scalar acts as a 1-element array */
    assert_string_equal(element("\"x\"", 0, true), "x");
    assert_string_equal(element("[true,null,1.50]", 0, true), "true");
    assert_string_equal(element("[true,null,1.50]", 1, true), "<NULL>");
    assert_string_equal(element("[true,null,1.50]", 2, true), "1.50");
    assert_string_equal(path_get(d, PATH("b", "2", "c"), false), "\"x\"");
    assert_string_equal(path_get(d, PATH("b", "-1", "c"), false), "\"x\"");
    assert_string_equal(path_get(d, PATH("b", "2", "c"), true), "x");
    assert_string_equal(path_get(d, PATH("b"), true), "[1, 2, {\"c\": \"x\"}]");
    assert_string_equal(path_get(d, PATH("b", "x"), false), "<NULL>");
    assert_string_equal(path_get(d, PATH("b", "1.0"), false), "<NULL>");
    assert_string_equal(path_get(d, PATH("b", "01"), false), "2");
    assert_string_equal(path_get(d, PATH("b", " 1"), false), "2");
    assert_string_equal(path_get(d, PATH("b", "1 "), false), "<NULL>");
    assert_string_equal(path_get(d, PATH("b", "+1"), false), "2");
    assert_string_equal(path_get(d, PATH("a", "x"), false), "<NULL>");
    assert_string_equal(path_get(d, PATH("a", NULL), false), "<NULL>");
    assert_string_equal(path_get(d, PATH(NULL), false), "<NULL>");
    assert_string_equal(path_get("1", PATH("a"), false), "<NULL>");
    assert_string_equal(path_get("1", PATH("0"), false), "<NULL>");
    assert_string_equal(path_get("[1,2]", PATH("99999999999999"), false), "<NULL>");
    assert_string_equal(path_get("[1,2]", PATH("-3"), false), "<NULL>");
    assert_string_equal(path_get("[1]", PATH("0", "0"), false), "<NULL>");
    /* an empty path gives the value itself */
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_extract_path(test_arena, J(d), NULL, 0, false, &out, &err));
    assert_string_equal(T(out),
                        "{\"a\": 1, \"b\": [1, 2, {\"c\": \"x\"}], \"d\": null, \"e\": \"s\"}");
    assert_true(sql_jsonb_extract_path(test_arena, J("1"), NULL, 0, false, &out, &err));
    assert_string_equal(T(out), "1");
    assert_true(sql_jsonb_extract_path(test_arena, J("\"a\""), NULL, 0, true, &out, &err));
    assert_string_equal(S(out), "a");
}

static const char *jfield(const char *doc, const char *key, bool as_text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    if (!sql_json_object_field(test_arena, B(doc), key, (uint32_t)strlen(key), as_text, &out,
                               &err)) {
        return rt_arena_sprintf(test_arena, "ERROR %s: %s", err.sqlstate, err.message);
    }
    return S(out);
}

static const char *jelement(const char *doc, int32_t index, bool as_text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    if (!sql_json_array_element(test_arena, B(doc), index, as_text, &out, &err)) {
        return rt_arena_sprintf(test_arena, "ERROR %s: %s", err.sqlstate, err.message);
    }
    return S(out);
}

static const char *jpath(const char *doc, const char **elems, size_t n, bool as_text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_json_extract_path(test_arena, B(doc), test_path(elems, n), (uint32_t)n,
                                      as_text, &out, &err));
    return S(out);
}

/* json keeps its text: -> gives the member as written, the last of duplicate keys. */
static void test_sql_json_operators_match_postgresql(void **state) {
    assert_string_equal(jfield("{\"a\":1,\"a\":2}", "a", false), "2");
    assert_string_equal(jfield("{\"a\":1,\"a\":2}", "a", true), "2");
    assert_string_equal(jfield("{\"a\":1,\"b\":{\"a\":5}}", "a", false), "1");
    assert_string_equal(jfield("{\"a\": 1.50e1}", "a", true), "1.50e1");
    assert_string_equal(jfield("{\"a\": \"x\\u00e9\"}", "a", true), "x\xc3\xa9");
    assert_string_equal(jfield("{\"a\": \"x\\u00e9\"}", "a", false), "\"x\\u00e9\"");
    assert_string_equal(jfield("{\"a\": null}", "a", true), "<NULL>");
    assert_string_equal(jfield("{\"a\": null}", "a", false), "null");
    assert_string_equal(jfield("{\"a\": [1,  2] }", "a", false), "[1,  2]");
    assert_string_equal(jfield("1", "a", false), "<NULL>");
    assert_string_equal(jfield("{\"a\\u0062\":1}", "ab", false), "1");
    assert_string_equal(jfield("{\"a\":\"\\u0000\"}", "b", false),
                        "ERROR 22P05: unsupported Unicode escape sequence");
    assert_string_equal(jfield("{\"a\": \"\\ud800\"}", "a", true),
                        "ERROR 22P02: invalid input syntax for type json");
    assert_string_equal(jelement("[1, [2,  3] ,4]", 1, false), "[2,  3]");
    assert_string_equal(jelement("[1, [2,  3] ,4]", -1, false), "4");
    assert_string_equal(jelement("[1, [2,  3] ,4]", -3, false), "1");
    assert_string_equal(jelement("[1, [2,  3] ,4]", -4, false), "<NULL>");
    assert_string_equal(jelement("[1,2]", 5, true), "<NULL>");
    assert_string_equal(jelement("[]", 0, true), "<NULL>");
    assert_string_equal(jelement("\"x\"", 0, false), "<NULL>");
    assert_string_equal(jelement("[\"\\u0000\", 1]", 1, false),
                        "ERROR 22P05: unsupported Unicode escape sequence");
    const char *d = "{\"a\": {\"b\" : [1, {\"c\" :  true }]}}";
    assert_string_equal(jpath(d, PATH("a", "b", "1", "c"), false), "true");
    assert_string_equal(jpath(d, PATH("a", "b", "1"), true), "{\"c\" :  true }");
    assert_string_equal(jpath(d, PATH("a", "x"), true), "<NULL>");
    assert_string_equal(jpath(d, PATH("a", NULL), true), "<NULL>");
    assert_string_equal(jpath("[1,2]", PATH("-1"), false), "2");
    /* duplicate keys: the last value where the whole path matched */
    assert_string_equal(jpath("{\"a\":{\"b\":1},\"a\":{\"b\":2}}", PATH("a", "b"), false), "2");
    assert_string_equal(jpath("{\"a\":{\"b\":1},\"a\":{\"c\":2}}", PATH("a", "b"), false), "1");
    assert_string_equal(jpath("{\"a\":{\"b\":1},\"a\":3}", PATH("a", "b"), false), "1");
    assert_string_equal(jpath("{\"a\":{\"b\":1},\"a\":3}", PATH("a"), false), "3");
    assert_string_equal(jpath("{\"a\":[1,2],\"a\":[3]}", PATH("a", "1"), false), "2");
    assert_string_equal(jpath("[[5]]", PATH("0", "-1"), false), "5");
    assert_string_equal(jpath("[[5]]", PATH("0", "-2"), false), "<NULL>");
    assert_string_equal(jpath("[1,2]", PATH("x"), false), "<NULL>");
    assert_string_equal(jpath(" {\"a\": 1} ", NULL, 0, false), "{\"a\": 1}");
    assert_string_equal(jpath("\"x\"", NULL, 0, true), "x");
    assert_string_equal(sql_json_typeof(B(" [1] ")), "array");
    assert_string_equal(sql_json_typeof(B("\"x\"")), "string");
    assert_string_equal(sql_json_typeof(B("-1.5")), "number");
    assert_string_equal(sql_json_typeof(B("false")), "boolean");
    rt_err err;
    rt_err_clear(&err);
    int32_t n;
    assert_true(sql_json_array_length(B("[1,[2,3],{}]"), &n, &err));
    assert_int_equal(n, 3);
    assert_true(sql_json_array_length(B(" [ ] "), &n, &err));
    assert_int_equal(n, 0);
    test_expect_error(sql_json_array_length(B("{}"), &n, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE, "cannot get array length of a non-array",
                      NULL);
    test_expect_error(sql_json_array_length(B("1"), &n, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE, "cannot get array length of a scalar",
                      NULL);
}

static void test_sql_jsonb_typeof_and_length(void **state) {
    assert_string_equal(sql_jsonb_typeof(J("{}")), "object");
    assert_string_equal(sql_jsonb_typeof(J("[]")), "array");
    assert_string_equal(sql_jsonb_typeof(J("1.5")), "number");
    assert_string_equal(sql_jsonb_typeof(J("\"x\"")), "string");
    assert_string_equal(sql_jsonb_typeof(J("true")), "boolean");
    assert_string_equal(sql_jsonb_typeof(J("false")), "boolean");
    assert_string_equal(sql_jsonb_typeof(J("null")), "null");
    rt_err err;
    rt_err_clear(&err);
    int32_t n;
    assert_true(sql_jsonb_array_length(J("[1,2]"), &n, &err));
    assert_int_equal(n, 2);
    const char *inv = SQLSTATE_INVALID_PARAMETER_VALUE;
    test_expect_error(sql_jsonb_array_length(J("{}"), &n, &err), &err, inv,
                      "cannot get array length of a non-array", NULL);
    test_expect_error(sql_jsonb_array_length(J("1"), &n, &err), &err, inv,
                      "cannot get array length of a scalar", NULL);
}

/* ---- existence and containment -------------------------------------------------------------- */

static void test_sql_jsonb_exists_matches_postgresql(void **state) {
    assert_true(sql_jsonb_exists(J("\"ab\""), "ab", 2));
    assert_false(sql_jsonb_exists(J("[\"a\",1,[\"b\"]]"), "b", 1));
    assert_true(sql_jsonb_exists(J("[\"a\",1]"), "a", 1));
    assert_true(sql_jsonb_exists(J("{\"a\":1}"), "a", 1));
    assert_false(sql_jsonb_exists(J("{\"a\":1}"), "b", 1));
    assert_true(sql_jsonb_exists(J("[\"1\"]"), "1", 1));
    assert_false(sql_jsonb_exists(J("[1]"), "1", 1));
    sql_bytes ba[] = {B("b"), B("a")};
    sql_bytes a_null[] = {B("a"), {NULL, 0}};
    sql_bytes only_null[] = {{NULL, 0}};
    sql_bytes obj = J("{\"a\":1}");
    assert_true(sql_jsonb_exists_any(obj, ba, 2));
    assert_false(sql_jsonb_exists_all(obj, ba, 2));
    assert_false(sql_jsonb_exists_any(obj, NULL, 0));
    assert_true(sql_jsonb_exists_all(obj, NULL, 0));
    assert_true(sql_jsonb_exists_all(obj, a_null, 2));
    assert_false(sql_jsonb_exists_any(obj, only_null, 1));
}

static void test_sql_jsonb_containment_truth_table(void **state) {
    static const struct {
        const char *a, *b;
        bool contains;
    } cases[] = {
        {"1", "1", true},
        {"[1,2]", "1", true},
        {"1", "[1]", false},
        {"[1,[2,3]]", "[[3]]", true},
        {"[1,[2,3]]", "[3]", false},
        {"[1,1]", "[1,1,1]", true},
        {"{\"a\":{\"b\":1,\"c\":2}}", "{\"a\":{\"b\":1}}", true},
        {"{\"a\":[1,2]}", "{\"a\":[2]}", true},
        {"{\"a\":[1,2]}", "{\"a\":2}", false},
        {"{\"a\":1}", "{}", true},
        {"[]", "[]", true},
        {"{}", "[]", false},
        {"[]", "{}", false},
        {"[{\"a\":1}]", "[{}]", true},
        {"[{\"a\":1}]", "{\"a\":1}", false},
        {"1.0", "1", true},
        {"[1.0]", "[1.00]", true},
        {"\"a\"", "[\"a\"]", false},
        {"[\"a\"]", "\"a\"", true},
        {"[[1]]", "1", false},
        {"[[1]]", "[1]", false},
        {"{\"a\":null}", "{\"a\":null}", true},
        {"[null]", "null", true},
        {"[2,1,3]", "[1,2]", true},
        {"[true]", "[1]", false},
        {"{\"a\":[]}", "{\"a\":{}}", false},
        {"{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2,\"c\":3}", false},
        {"{\"a\":\"1\"}", "{\"a\":1}", false},
        {"[{\"a\":[1,{\"b\":2}]}]", "[{\"a\":[{\"b\":2}]}]", true},
        {"[{\"a\":[1,{\"b\":2}]}]", "[{\"a\":[{\"b\":3}]}]", false},
        {"{\"a\":1}", "[{\"a\":1}]", false},
        {"\"a\"", "\"a\"", true},
        {"\"a\"", "\"b\"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = sql_jsonb_contains(J(cases[i].a), J(cases[i].b));
        if (got != cases[i].contains) {
            fail_msg("%s @> %s: got %d", cases[i].a, cases[i].b, got);
        }
    }
}

/* ---- edits ---------------------------------------------------------------------------------- */

static const char *concat(const char *a, const char *b) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_concat(test_arena, J(a), J(b), &out, &err));
    return T(out);
}

static void test_sql_jsonb_concat_matches_postgresql(void **state) {
    assert_string_equal(concat("{\"a\":1,\"b\":2}", "{\"b\":3,\"c\":4}"),
                        "{\"a\": 1, \"b\": 3, \"c\": 4}");
    assert_string_equal(concat("[1]", "[2,3]"), "[1, 2, 3]");
    assert_string_equal(concat("1", "2"), "[1, 2]");
    assert_string_equal(concat("{}", "1"), "[{}, 1]");
    assert_string_equal(concat("[1]", "{\"a\":1}"), "[1, {\"a\": 1}]");
    assert_string_equal(concat("{\"a\":1}", "[1]"), "[{\"a\": 1}, 1]");
    assert_string_equal(concat("\"a\"", "{\"a\":1}"), "[\"a\", {\"a\": 1}]");
    assert_string_equal(concat("[]", "{\"a\":1}"), "[{\"a\": 1}]");
    assert_string_equal(concat("{}", "{\"a\":1}"), "{\"a\": 1}");
    assert_string_equal(concat("{\"aa\":1}", "{\"b\":[1]}"), "{\"b\": [1], \"aa\": 1}");
}

static void test_sql_jsonb_delete_matches_postgresql(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    const char *inv = SQLSTATE_INVALID_PARAMETER_VALUE;
    assert_true(sql_jsonb_delete_key(test_arena, J("{\"a\":1,\"b\":2}"), "a", 1, &out, &err));
    assert_string_equal(T(out), "{\"b\": 2}");
    assert_true(sql_jsonb_delete_key(test_arena, J("[\"a\",\"b\",\"a\",1]"), "a", 1, &out, &err));
    assert_string_equal(T(out), "[\"b\", 1]");
    assert_true(sql_jsonb_delete_key(test_arena, J("{\"a\":1}"), "z", 1, &out, &err));
    assert_string_equal(T(out), "{\"a\": 1}");
    test_expect_error(sql_jsonb_delete_key(test_arena, J("1"), "a", 1, &out, &err), &err, inv,
                      "cannot delete from scalar", NULL);
    test_expect_error(sql_jsonb_delete_key(test_arena, J("\"a\""), "a", 1, &out, &err), &err,
                      inv, "cannot delete from scalar", NULL);
    static const struct {
        const char *doc;
        int32_t index;
        const char *expected;
    } idx[] = {
        {"[1,2,3]", 1, "[1, 3]"},
        {"[1,2,3]", -1, "[1, 2]"},
        {"[1,2,3]", 5, "[1, 2, 3]"},
        {"[1,2,3]", -5, "[1, 2, 3]"},
        {"[]", 0, "[]"},
    };
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        assert_true(sql_jsonb_delete_index(test_arena, J(idx[i].doc), idx[i].index, &out, &err));
        assert_string_equal(T(out), idx[i].expected);
    }
    test_expect_error(sql_jsonb_delete_index(test_arena, J("{\"a\":1}"), 0, &out, &err), &err,
                      inv, "cannot delete from object using integer index", NULL);
    test_expect_error(sql_jsonb_delete_index(test_arena, J("1"), 0, &out, &err), &err, inv,
                      "cannot delete from scalar", NULL);
    sql_bytes ac[] = {B("a"), B("c")};
    sql_bytes a_null[] = {B("a"), {NULL, 0}};
    assert_true(sql_jsonb_delete_keys(test_arena, J("{\"a\":1,\"b\":2,\"c\":3}"), ac, 2, &out,
                                      &err));
    assert_string_equal(T(out), "{\"b\": 2}");
    assert_true(sql_jsonb_delete_keys(test_arena, J("[\"a\",\"b\"]"), a_null, 2, &out, &err));
    assert_string_equal(T(out), "[\"b\"]");
    test_expect_error(sql_jsonb_delete_keys(test_arena, J("1"), NULL, 0, &out, &err), &err, inv,
                      "cannot delete from scalar", NULL);
}

static const char *del_path(const char *doc, const char **elems, size_t n) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    if (!sql_jsonb_delete_path(test_arena, J(doc), test_path(elems, n), (uint32_t)n, &out,
                               &err)) {
        return rt_arena_sprintf(test_arena, "ERROR %s: %s", err.sqlstate, err.message);
    }
    return T(out);
}

static void test_sql_jsonb_delete_path_matches_postgresql(void **state) {
    const char *d = "{\"a\":{\"b\":[1,2]}}";
    assert_string_equal(del_path(d, PATH("a", "b", "0")), "{\"a\": {\"b\": [2]}}");
    assert_string_equal(del_path(d, PATH("a", "b", "x")),
                        "ERROR 22P02: path element at position 3 is not an integer: \"x\"");
    assert_string_equal(del_path(d, PATH("a", "b", "x", "y")),
                        "ERROR 22P02: path element at position 3 is not an integer: \"x\"");
    assert_string_equal(del_path(d, PATH("a", NULL)),
                        "ERROR 22004: path element at position 2 is null");
    assert_string_equal(del_path(d, PATH("z", "b")), "{\"a\": {\"b\": [1, 2]}}");
    assert_string_equal(del_path("{\"a\":[1,{\"b\":1}]}", PATH("a", "1", "b")),
                        "{\"a\": [1, {}]}");
    assert_string_equal(del_path("[1,[2,3]]", PATH("1", "x")),
                        "ERROR 22P02: path element at position 2 is not an integer: \"x\"");
    assert_string_equal(del_path("{\"a\":1}", PATH("a", "b")), "{\"a\": 1}");
    assert_string_equal(del_path("[1,2]", PATH("-1")), "[1]");
    assert_string_equal(del_path("[1,2]", PATH("5")), "[1, 2]");
    assert_string_equal(del_path("[1,2]", PATH("1 ")),
                        "ERROR 22P02: path element at position 1 is not an integer: \"1 \"");
    assert_string_equal(del_path("[1,2]", PATH(" 1")), "[1]");
    assert_string_equal(del_path("[[1]]", PATH("5", "x")), "[[1]]");
    assert_string_equal(del_path("{\"a\":1}", PATH("z", NULL)), "{\"a\": 1}");
    assert_string_equal(del_path("1", PATH("a")), "ERROR 22023: cannot delete path in scalar");
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_delete_path(test_arena, J(d), NULL, 0, &out, &err));
    assert_string_equal(T(out), "{\"a\": {\"b\": [1, 2]}}");
    test_expect_error(sql_jsonb_delete_path(test_arena, J("1"), NULL, 0, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE, "cannot delete path in scalar", NULL);
}

static const char *set_path(const char *doc, const char **elems, size_t n, const char *value,
                            int mode) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    bool ok;
    sql_bytes *path = test_path(elems, n);
    if (mode <= 1) {
        ok = sql_jsonb_set(test_arena, J(doc), path, (uint32_t)n, J(value), mode == 0, &out,
                           &err);
    } else {
        ok = sql_jsonb_insert(test_arena, J(doc), path, (uint32_t)n, J(value), mode == 3, &out,
                              &err);
    }
    if (!ok) {
        if (err.hint[0] != '\0') {
            return rt_arena_sprintf(test_arena, "ERROR %s: %s HINT %s", err.sqlstate,
                                    err.message, err.hint);
        }
        return rt_arena_sprintf(test_arena, "ERROR %s: %s", err.sqlstate, err.message);
    }
    return T(out);
}

/* mode: 0 jsonb_set, 1 jsonb_set(create_missing = false), 2 jsonb_insert, 3 insert after */
typedef struct test_set_case {
    const char *doc;
    const char *path[3];
    size_t path_len;
    const char *value;
    int mode;
    const char *expected;
} test_set_case;

static const test_set_case test_set_cases[] = {
    {"{\"a\":1}", {"b"}, 1, "2", 0, "{\"a\": 1, \"b\": 2}"},
    {"{\"a\":1}", {"b"}, 1, "2", 1, "{\"a\": 1}"},
    {"{\"a\":{\"x\":1}}", {"a", "y"}, 2, "2", 0, "{\"a\": {\"x\": 1, \"y\": 2}}"},
    {"{\"a\":1}", {"z", "y"}, 2, "2", 0, "{\"a\": 1}"},
    {"[1,2,3]", {"1"}, 1, "9", 0, "[1, 9, 3]"},
    {"[1,2,3]", {"-1"}, 1, "9", 0, "[1, 2, 9]"},
    {"[1,2,3]", {"5"}, 1, "9", 0, "[1, 2, 3, 9]"},
    {"[1,2,3]", {"3"}, 1, "9", 0, "[1, 2, 3, 9]"},
    {"[1,2,3]", {"-5"}, 1, "9", 0, "[9, 1, 2, 3]"},
    {"[1,2,3]", {"-5"}, 1, "9", 1, "[1, 2, 3]"},
    {"[1,2,3]", {"x"}, 1, "9", 0,
     "ERROR 22P02: path element at position 1 is not an integer: \"x\""},
    {"[1,2,3]", {NULL}, 1, "9", 0, "ERROR 22004: path element at position 1 is null"},
    {"1", {"a"}, 1, "9", 0, "ERROR 22023: cannot set path in scalar"},
    {"{\"a\":[1]}", {"a", "0", "b"}, 3, "9", 0, "{\"a\": [1]}"},
    {"{\"a\":1}", {"a", "b"}, 2, "9", 0, "{\"a\": 1}"},
    {"{\"a\":\"x\"}", {"a", "0"}, 2, "9", 0, "{\"a\": \"x\"}"},
    {"{\"a\":[]}", {"a", "0"}, 2, "9", 0, "{\"a\": [9]}"},
    {"[]", {"0"}, 1, "9", 0, "[9]"},
    {"{}", {"a"}, 1, "[1,{\"x\":null}]", 0, "{\"a\": [1, {\"x\": null}]}"},
    {"{\"a\":1}", {"z", NULL}, 2, "9", 0, "{\"a\": 1}"},
    {"[1]", {"0", "x"}, 2, "9", 0, "[1]"},
    {"[[1]]", {"5", "x"}, 2, "9", 0, "[[1]]"},
    {"{\"a\":1}", {"a"}, 1, "null", 0, "{\"a\": null}"},
    {"[1,2]", {"2147483648"}, 1, "9", 0,
     "ERROR 22P02: path element at position 1 is not an integer: \"2147483648\""},
    {"[1,2]", {" 1"}, 1, "9", 0, "[1, 9]"},
    {"[1,2]", {"1 "}, 1, "9", 0,
     "ERROR 22P02: path element at position 1 is not an integer: \"1 \""},
    {"[1,2]", {""}, 1, "9", 0,
     "ERROR 22P02: path element at position 1 is not an integer: \"\""},
    {"{\"a\":[1,2]}", {"a", "-3"}, 2, "9", 0, "{\"a\": [9, 1, 2]}"},
    {"[1,2]", {"-2147483648"}, 1, "9", 0, "[9, 1, 2]"},
    {"[1,2,3]", {"1"}, 1, "9", 2, "[1, 9, 2, 3]"},
    {"[1,2,3]", {"1"}, 1, "9", 3, "[1, 2, 9, 3]"},
    {"[1,2,3]", {"-1"}, 1, "9", 2, "[1, 2, 9, 3]"},
    {"[1,2,3]", {"-1"}, 1, "9", 3, "[1, 2, 3, 9]"},
    {"[1,2,3]", {"10"}, 1, "9", 2, "[1, 2, 3, 9]"},
    {"[1,2,3]", {"-10"}, 1, "9", 2, "[9, 1, 2, 3]"},
    {"{\"a\":1}", {"a"}, 1, "9", 2,
     "ERROR 22023: cannot replace existing key HINT Try using the function jsonb_set to "
     "replace key value."},
    {"{\"a\":1}", {"b"}, 1, "9", 2, "{\"a\": 1, \"b\": 9}"},
    {"{\"a\":1}", {"b"}, 1, "9", 3, "{\"a\": 1, \"b\": 9}"},
    {"1", {"0"}, 1, "9", 2, "ERROR 22023: cannot set path in scalar"},
    {"{\"a\":[1]}", {"a", "x"}, 2, "9", 2,
     "ERROR 22P02: path element at position 2 is not an integer: \"x\""},
    {"[]", {"0"}, 1, "9", 2, "[9]"},
    {"{\"a\":1}", {"z", NULL}, 2, "9", 2, "{\"a\": 1}"},
    {"[1,2]", {" 1"}, 1, "9", 2, "[1, 9, 2]"},
};

static void test_sql_jsonb_set_and_insert_match_postgresql(void **state) {
    for (size_t i = 0; i < sizeof test_set_cases / sizeof test_set_cases[0]; i++) {
        const test_set_case *c = &test_set_cases[i];
        const char *got = set_path(c->doc, (const char **)c->path, c->path_len, c->value, c->mode);
        if (strcmp(got, c->expected) != 0) {
            fail_msg("case %zu (%s): got %s, want %s", i, c->doc, got, c->expected);
        }
    }
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_set(test_arena, J("[1]"), NULL, 0, J("9"), true, &out, &err));
    assert_string_equal(T(out), "[1]");
    test_expect_error(sql_jsonb_set(test_arena, J("1"), NULL, 0, J("9"), true, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE, "cannot set path in scalar", NULL);
}

static void test_sql_jsonb_strip_nulls(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    assert_true(sql_jsonb_strip_nulls(
        test_arena, J("{\"a\":null,\"b\":[null,{\"c\":null,\"d\":1}],\"e\":{\"f\":null}}"), &out,
        &err));
    assert_string_equal(T(out), "{\"b\": [null, {\"d\": 1}], \"e\": {}}");
    assert_true(sql_jsonb_strip_nulls(test_arena, J("null"), &out, &err));
    assert_string_equal(T(out), "null");
    assert_true(sql_jsonb_strip_nulls(test_arena, J("[null]"), &out, &err));
    assert_string_equal(T(out), "[null]");
}

/* ---- iterators ------------------------------------------------------------------------------ */

static void test_sql_jsonb_iterators(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_jsonb_iter it;
    sql_bytes key, value;
    bool row;
    const char *inv = SQLSTATE_INVALID_PARAMETER_VALUE;
    assert_true(sql_jsonb_object_keys_begin(&it, J("{\"bb\":1,\"a\":2,\"c\":3}"), &err));
    const char *keys[] = {"a", "c", "bb"};
    for (int i = 0; i < 3; i++) {
        assert_true(sql_jsonb_object_keys_next(&it, &key));
        assert_string_equal(S(key), keys[i]);
    }
    assert_false(sql_jsonb_object_keys_next(&it, &key));
    test_expect_error(sql_jsonb_object_keys_begin(&it, J("1"), &err), &err, inv,
                      "cannot call jsonb_object_keys on a scalar", NULL);
    test_expect_error(sql_jsonb_object_keys_begin(&it, J("[1]"), &err), &err, inv,
                      "cannot call jsonb_object_keys on an array", NULL);
    assert_true(sql_jsonb_each_begin(&it, J("{\"a\":\"x\",\"b\":null,\"c\":[1]}"), true, &err));
    const char *each_text[][2] = {{"a", "x"}, {"b", "<NULL>"}, {"c", "[1]"}};
    for (int i = 0; i < 3; i++) {
        assert_true(sql_jsonb_each_next(test_arena, &it, &row, &key, &value, &err) && row);
        assert_string_equal(S(key), each_text[i][0]);
        assert_string_equal(S(value), each_text[i][1]);
    }
    assert_true(sql_jsonb_each_next(test_arena, &it, &row, &key, &value, &err) && !row);
    assert_true(sql_jsonb_each_begin(&it, J("{\"a\":\"x\",\"b\":null}"), false, &err));
    assert_true(sql_jsonb_each_next(test_arena, &it, &row, &key, &value, &err) && row);
    assert_string_equal(T(value), "\"x\"");
    assert_true(sql_jsonb_each_next(test_arena, &it, &row, &key, &value, &err) && row);
    assert_string_equal(T(value), "null");
    test_expect_error(sql_jsonb_each_begin(&it, J("1"), false, &err), &err, inv,
                      "cannot call jsonb_each on a non-object", NULL);
    test_expect_error(sql_jsonb_each_begin(&it, J("[1]"), true, &err), &err, inv,
                      "cannot call jsonb_each_text on a non-object", NULL);
    assert_true(sql_jsonb_array_elements_begin(&it, J("[1,\"a\",null,[1],true]"), true, &err));
    const char *texts[] = {"1", "a", "<NULL>", "[1]", "true"};
    for (int i = 0; i < 5; i++) {
        assert_true(sql_jsonb_array_elements_next(test_arena, &it, &row, &value, &err) && row);
        assert_string_equal(S(value), texts[i]);
    }
    assert_true(sql_jsonb_array_elements_next(test_arena, &it, &row, &value, &err) && !row);
    assert_true(sql_jsonb_array_elements_begin(&it, J("[{\"a\":1},2]"), false, &err));
    assert_true(sql_jsonb_array_elements_next(test_arena, &it, &row, &value, &err) && row);
    assert_string_equal(T(value), "{\"a\": 1}");
    test_expect_error(sql_jsonb_array_elements_begin(&it, J("{}"), false, &err), &err, inv,
                      "cannot extract elements from an object", NULL);
    test_expect_error(sql_jsonb_array_elements_begin(&it, J("1"), true, &err), &err, inv,
                      "cannot extract elements from a scalar", NULL);
}

/* ---- builders ----------------------------------------------------------------------------- */

static sql_json_arg A(uint32_t type, const char *text) {
    if (text == NULL) return (sql_json_arg){.type_oid = type, .is_null = true};
    if (type == SQL_T_JSONB) return (sql_json_arg){.type_oid = type, .value = J(text)};
    return (sql_json_arg){.type_oid = type, .value = B(text)};
}

static void test_sql_jsonb_build_matches_postgresql(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    sql_json_arg obj[] = {
        A(SQL_T_TEXT, "a"), A(SQL_T_INT4, "1"),          A(SQL_T_TEXT, "b"),
        A(SQL_T_NUMERIC, "2.50"),  A(SQL_T_TEXT, "c"),   A(SQL_T_BOOL, "t"),
        A(SQL_T_TEXT, "d"), A(SQL_T_TEXT, NULL),         A(SQL_T_TEXT, "e"),
        A(SQL_T_TEXT, "x"), A(SQL_T_TEXT, "f"),          A(SQL_T_FLOAT8, "1.5"),
        A(SQL_T_TEXT, "g"), A(SQL_T_FLOAT8, "NaN"),      A(SQL_T_TEXT, "h"),
        A(SQL_T_FLOAT4, "Infinity"), A(SQL_T_TEXT, "i"), A(SQL_T_JSONB, "{\"z\":1}"),
        A(SQL_T_TEXT, "j"), A(SQL_T_JSON, "[1]"),
    };
    assert_true(sql_jsonb_build_object(test_arena, obj, 20, &out, &err));
    assert_string_equal(T(out), "{\"a\": 1, \"b\": 2.50, \"c\": true, \"d\": null, \"e\": \"x\", "
                                "\"f\": 1.5, \"g\": \"NaN\", \"h\": \"Infinity\", \"i\": {\"z\": "
                                "1}, \"j\": [1]}");
    test_expect_error(sql_jsonb_build_object(test_arena, obj, 1, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE,
                      "argument list must have even number of elements", NULL);
    sql_json_arg null_key[] = {A(SQL_T_TEXT, NULL), A(SQL_T_INT4, "1")};
    test_expect_error(sql_jsonb_build_object(test_arena, null_key, 2, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE, "argument 1: key must not be null", NULL);
    test_expect_error(sql_json_build_object(test_arena, null_key, 2, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE, "argument 1 cannot be null", NULL);
    sql_json_arg keys[] = {A(SQL_T_INT4, "1"),    A(SQL_T_INT4, "2"), A(SQL_T_BOOL, "t"),
                           A(SQL_T_INT4, "3"),    A(SQL_T_FLOAT8, "1.5"), A(SQL_T_INT4, "4"),
                           A(SQL_T_TIMESTAMP, "2020-01-02 03:04:05"), A(SQL_T_INT4, "5")};
    assert_true(sql_jsonb_build_object(test_arena, keys, 8, &out, &err));
    assert_string_equal(T(out), "{\"1\": 2, \"1.5\": 4, \"true\": 3, \"2020-01-02T03:04:05\": 5}");
    sql_json_arg bad_key[] = {A(SQL_T_INT4_ARRAY, "{1}"), A(SQL_T_INT4, "1")};
    test_expect_error(sql_jsonb_build_object(test_arena, bad_key, 2, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE,
                      "key value must be scalar, not array, composite, or json", NULL);
    sql_json_arg jsonb_key[] = {A(SQL_T_JSONB, "{\"a\":1}"), A(SQL_T_INT4, "1")};
    test_expect_error(sql_jsonb_build_object(test_arena, jsonb_key, 2, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE,
                      "key value must be scalar, not array, composite, or json", NULL);
    sql_json_arg dup[] = {A(SQL_T_TEXT, "a"), A(SQL_T_INT4, "1"), A(SQL_T_TEXT, "a"),
                          A(SQL_T_INT4, "2")};
    assert_true(sql_jsonb_build_object(test_arena, dup, 4, &out, &err));
    assert_string_equal(T(out), "{\"a\": 2}");
    assert_true(sql_jsonb_build_object(test_arena, NULL, 0, &out, &err));
    assert_string_equal(T(out), "{}");
    assert_true(sql_jsonb_build_array(test_arena, NULL, 0, &out, &err));
    assert_string_equal(T(out), "[]");
    sql_json_arg arr[] = {A(SQL_T_INT4, "1"), A(SQL_T_TEXT, "a"), A(SQL_T_TEXT, NULL),
                          A(SQL_T_BOOL, "t"), A(SQL_T_JSONB, "[1]")};
    assert_true(sql_jsonb_build_array(test_arena, arr, 5, &out, &err));
    assert_string_equal(T(out), "[1, \"a\", null, true, [1]]");
}

static void test_sql_json_build_matches_postgresql(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    sql_json_arg obj[] = {A(SQL_T_TEXT, "a"), A(SQL_T_INT4, "1"),     A(SQL_T_TEXT, "b"),
                          A(SQL_T_TEXT, "x"), A(SQL_T_TEXT, "c"),     A(SQL_T_TEXT, NULL),
                          A(SQL_T_TEXT, "d"), A(SQL_T_FLOAT8, "1e+20"), A(SQL_T_TEXT, "e"),
                          A(SQL_T_JSON, "[1, 2]"), A(SQL_T_TEXT, "f"), A(SQL_T_FLOAT8, "NaN")};
    assert_true(sql_json_build_object(test_arena, obj, 12, &out, &err));
    assert_string_equal(S(out), "{\"a\" : 1, \"b\" : \"x\", \"c\" : null, \"d\" : 1e+20, "
                                "\"e\" : [1, 2], \"f\" : \"NaN\"}");
    sql_json_arg keys[] = {A(SQL_T_NUMERIC, "NaN"), A(SQL_T_INT4, "1"), A(SQL_T_FLOAT8, "1e+20"),
                           A(SQL_T_INT4, "2"), A(SQL_T_TIMESTAMP, "2020-01-02 03:04:05"),
                           A(SQL_T_INT4, "3")};
    assert_true(sql_json_build_object(test_arena, keys, 6, &out, &err));
    assert_string_equal(S(out), "{\"NaN\" : 1, \"1e+20\" : 2, \"2020-01-02T03:04:05\" : 3}");
    sql_json_arg spaced[] = {A(SQL_T_TEXT, "a"), A(SQL_T_JSON, " [1, 2] ")};
    assert_true(sql_json_build_object(test_arena, spaced, 2, &out, &err));
    assert_string_equal(S(out), "{\"a\" :  [1, 2] }");
    sql_json_arg arr[] = {A(SQL_T_TEXT, "a\"b"), A(SQL_T_TEXT, "x\ny"), A(SQL_T_NUMERIC, "1.50"),
                          A(SQL_T_NUMERIC, "NaN"), A(SQL_T_TEXT, NULL)};
    assert_true(sql_json_build_array(test_arena, arr, 5, &out, &err));
    assert_string_equal(S(out), "[\"a\\\"b\", \"x\\ny\", 1.50, \"NaN\", null]");
    assert_true(sql_json_build_object(test_arena, NULL, 0, &out, &err));
    assert_string_equal(S(out), "{}");
    assert_true(sql_json_build_array(test_arena, NULL, 0, &out, &err));
    assert_string_equal(S(out), "[]");
    test_expect_error(sql_json_build_object(test_arena, obj, 3, &out, &err), &err,
                      SQLSTATE_INVALID_PARAMETER_VALUE,
                      "argument list must have even number of elements", NULL);
}

static void test_sql_jsonb_to_jsonb_matches_postgresql(void **state) {
    static const struct {
        uint32_t type;
        const char *text;
        const char *expected;
    } cases[] = {
        {SQL_T_FLOAT8, "1e+20", "100000000000000000000"},
        {SQL_T_FLOAT8, "1.5e-07", "0.00000015"},
        {SQL_T_FLOAT8, "NaN", "\"NaN\""},
        {SQL_T_FLOAT8, "-Infinity", "\"-Infinity\""},
        {SQL_T_FLOAT8, "-0", "0"},
        {SQL_T_FLOAT4, "1.5", "1.5"},
        {SQL_T_NUMERIC, "Infinity", "\"Infinity\""},
        {SQL_T_TIMESTAMP, "2020-01-02 03:04:05", "\"2020-01-02T03:04:05\""},
        {SQL_T_TIMESTAMP, "2020-01-02 03:04:05 BC", "\"2020-01-02T03:04:05 BC\""},
        {SQL_T_TIMESTAMPTZ, "2020-01-01 21:34:05+00", "\"2020-01-01T21:34:05+00:00\""},
        {SQL_T_TIMESTAMPTZ, "2020-01-01 21:34:05.123456+05:30",
         "\"2020-01-01T21:34:05.123456+05:30\""},
        {SQL_T_TIMESTAMPTZ, "0044-03-15 12:00:00+00 BC", "\"0044-03-15T12:00:00+00:00 BC\""},
        {SQL_T_TIMESTAMPTZ, "-infinity", "\"-infinity\""},
        {SQL_T_DATE, "2020-01-02", "\"2020-01-02\""},
        {SQL_T_TIME, "12:00:00", "\"12:00:00\""},
        {SQL_T_TIMETZ, "12:00:00+03", "\"12:00:00+03\""},
        {SQL_T_TEXT, "a\"b", "\"a\\\"b\""},
        {SQL_T_BOOL, "t", "true"},
        {SQL_T_INT8, "12", "12"},
        {SQL_T_OID, "1", "\"1\""},
        {SQL_T_INTERVAL, "1 day", "\"1 day\""},
        {SQL_T_BYTEA, "\\x01", "\"\\\\x01\""},
        {SQL_T_BPCHAR, "abc  ", "\"abc  \""},
        {SQL_T_JSON, " {\"b\":1,\"a\":[1, 2]} ", "{\"a\": [1, 2], \"b\": 1}"},
    };
    rt_err err;
    rt_err_clear(&err);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_json_arg arg = A(cases[i].type, cases[i].text);
        sql_bytes out;
        assert_true(sql_jsonb_from_arg(test_arena, &arg, &out, &err));
        assert_string_equal(T(out), cases[i].expected);
    }
    sql_json_arg null_arg = A(SQL_T_INT4, NULL);
    sql_bytes out;
    assert_true(sql_jsonb_from_arg(test_arena, &null_arg, &out, &err));
    assert_string_equal(T(out), "null");
}

static void test_sql_jsonb_builder_api(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_jsonb_builder *b = sql_jsonb_builder_create(test_arena);
    sql_json_arg one = A(SQL_T_INT4, "1"), two = A(SQL_T_INT4, "2"), s = A(SQL_T_TEXT, "s");
    assert_true(sql_jsonb_builder_begin_object(b, &err));
    assert_true(sql_jsonb_builder_key(b, "list", 4, &err));
    assert_true(sql_jsonb_builder_begin_array(b, &err));
    assert_true(sql_jsonb_builder_value(b, &one, &err));
    assert_true(sql_jsonb_builder_begin_object(b, &err));
    assert_true(sql_jsonb_builder_end(b, &err));
    assert_true(sql_jsonb_builder_end(b, &err));
    assert_true(sql_jsonb_builder_key(b, "a", 1, &err));
    assert_true(sql_jsonb_builder_value(b, &s, &err));
    assert_true(sql_jsonb_builder_key(b, "a", 1, &err));
    assert_true(sql_jsonb_builder_value(b, &two, &err));
    assert_true(sql_jsonb_builder_end(b, &err));
    sql_bytes out;
    assert_true(sql_jsonb_builder_finish(b, &out, &err));
    assert_string_equal(T(out), "{\"a\": 2, \"list\": [1, {}]}");
    b = sql_jsonb_builder_create(test_arena);
    assert_true(sql_jsonb_builder_value(b, &s, &err));
    assert_true(sql_jsonb_builder_finish(b, &out, &err));
    assert_string_equal(T(out), "\"s\"");
}

static void test_sql_json_aggregates_match_postgresql(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes out;
    sql_json_arg rows[] = {A(SQL_T_INT4, "1"), A(SQL_T_INT4, NULL), A(SQL_T_INT4, "3")};
    for (int json = 0; json <= 1; json++) {
        sql_json_agg *agg = sql_json_agg_create(test_arena, false, json);
        for (int i = 0; i < 3; i++) assert_true(sql_json_agg_add(agg, &rows[i], &err));
        assert_true(sql_json_agg_finish(agg, &out, &err));
        assert_string_equal(json ? S(out) : T(out), "[1, null, 3]");
        agg = sql_json_agg_create(test_arena, false, json);
        assert_true(sql_json_agg_finish(agg, &out, &err));
        assert_true(sql_jsonb_is_null(out));
    }
    sql_json_arg keys[] = {A(SQL_T_TEXT, "a"), A(SQL_T_TEXT, "b"), A(SQL_T_TEXT, "a")};
    sql_json_agg *agg = sql_json_agg_create(test_arena, true, false);
    for (int i = 0; i < 3; i++) assert_true(sql_json_agg_add_pair(agg, &keys[i], &rows[i], &err));
    assert_true(sql_json_agg_finish(agg, &out, &err));
    assert_string_equal(T(out), "{\"a\": 3, \"b\": null}");
    agg = sql_json_agg_create(test_arena, true, true);
    for (int i = 0; i < 3; i++) assert_true(sql_json_agg_add_pair(agg, &keys[i], &rows[i], &err));
    assert_true(sql_json_agg_finish(agg, &out, &err));
    assert_string_equal(S(out), "{ \"a\" : 1, \"b\" : null, \"a\" : 3 }");
    sql_json_arg null_key = A(SQL_T_TEXT, NULL);
    for (int json = 0; json <= 1; json++) {
        agg = sql_json_agg_create(test_arena, true, json);
        test_expect_error(sql_json_agg_add_pair(agg, &null_key, &rows[0], &err), &err,
                          SQLSTATE_INVALID_PARAMETER_VALUE, "field name must not be null", NULL);
    }
    /* values are copied: the caller's buffers may be reused between rows */
    char buf[32];
    agg = sql_json_agg_create(test_arena, false, false);
    for (int i = 0; i < 3; i++) {
        snprintf(buf, sizeof buf, "v%d", i);
        sql_json_arg v = A(SQL_T_TEXT, buf);
        assert_true(sql_json_agg_add(agg, &v, &err));
    }
    memset(buf, 'x', sizeof buf);
    assert_true(sql_json_agg_finish(agg, &out, &err));
    assert_string_equal(T(out), "[\"v0\", \"v1\", \"v2\"]");
    sql_json_arg docs[] = {A(SQL_T_JSON, "{\"a\":  1}"), A(SQL_T_JSON, "[1,  2]")};
    agg = sql_json_agg_create(test_arena, false, true);
    for (int i = 0; i < 2; i++) assert_true(sql_json_agg_add(agg, &docs[i], &err));
    assert_true(sql_json_agg_finish(agg, &out, &err));
    assert_string_equal(S(out), "[{\"a\":  1}, [1,  2]]");
}

/* ---- ordering and hashing ------------------------------------------------------------------- */

static int test_cmp_jsonb(const void *a, const void *b) {
    return sql_jsonb_cmp(*(const sql_bytes *)a, *(const sql_bytes *)b);
}

static void test_sql_jsonb_order_matches_postgresql(void **state) {
    /* PostgreSQL's ORDER BY of these values (1.0 and 1 are equal; listed in input order). */
    static const char *sorted[] = {
        "[]", "null", "\"\"", "\"B\"", "\"a\"", "\"ab\"", "\"b\"", "\"z\"", "\"\xc3\xa9\"",
        "-1", "1.0", "1", "2", "10", "false", "true", "[null]", "[\"\"]", "[\"a\"]", "[1]",
        "[2]", "[false]", "[true]", "[[]]", "[[1, 2]]", "[{}]", "[1, 2]", "[1, []]", "[[], 1]",
        "[[1], [2]]", "[1, 2, 3]", "{}", "{\"a\": null}", "{\"a\": 1}", "{\"a\": 2}",
        "{\"a\": []}", "{\"a\": {}}", "{\"aa\": 1}", "{\"ab\": 1}", "{\"b\": 1}",
        "{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"c\": 1}", "{\"a\": 1, \"c\": 2}",
        "{\"a\": 2, \"b\": 1}", "{\"b\": 1, \"aa\": 2}", "{\"b\": 1, \"c\": 2}",
        "{\"c\": 1, \"ab\": 1}",
    };
    size_t n = sizeof sorted / sizeof sorted[0];
    sql_bytes *values = rt_arena_alloc(test_arena, sizeof(sql_bytes) * n);
    for (size_t i = 0; i < n; i++) values[(i * 7) % n] = J(sorted[i]); /* shuffled */
    qsort(values, n, sizeof values[0], test_cmp_jsonb);
    for (size_t i = 0; i < n; i++) {
        const char *got = T(values[i]);
        if (strcmp(got, sorted[i]) != 0 && sql_jsonb_cmp(values[i], J(sorted[i])) != 0) {
            fail_msg("position %zu: got %s, want %s", i, got, sorted[i]);
        }
        if (i > 0) assert_true(sql_jsonb_cmp(J(sorted[i - 1]), J(sorted[i])) <= 0);
    }
    assert_int_equal(sql_jsonb_cmp(J("1.0"), J("1")), 0);
    assert_int_equal(sql_jsonb_cmp(J("[1.0]"), J("[1]")), 0);
    assert_int_equal(sql_jsonb_cmp(J("{\"a\":1}"), J("{\"a\":1.00}")), 0);
    assert_int_equal(sql_jsonb_cmp(J("1"), J("[1]")), -1);
}

static void test_sql_jsonb_hash_agrees_with_equality(void **state) {
    static const char *equal_pairs[][2] = {
        {"1.0", "1"},
        {"[1.0, 2.50]", "[1, 2.5]"},
        {"{\"a\":1, \"b\":2}", "{\"b\":2.0, \"a\":1}"},
        {"{\"a\":1, \"a\":2}", "{\"a\":2}"},
        {"-0.0", "0"},
        {"[\"\\u0041\"]", "[\"A\"]"},
    };
    for (size_t i = 0; i < sizeof equal_pairs / sizeof equal_pairs[0]; i++) {
        sql_bytes a = J(equal_pairs[i][0]), b = J(equal_pairs[i][1]);
        assert_int_equal(sql_jsonb_cmp(a, b), 0);
        assert_true(sql_jsonb_hash(a) == sql_jsonb_hash(b));
    }
    assert_true(sql_jsonb_hash(J("1")) != sql_jsonb_hash(J("[1]")));
    assert_true(sql_jsonb_hash(J("\"1\"")) != sql_jsonb_hash(J("1")));
    assert_true(sql_jsonb_hash(J("{\"a\":1}")) != sql_jsonb_hash(J("{\"a\":2}")));
}

/* ---- generated documents ------------------------------------------------------------------ */

static uint64_t test_rng_state = 0x853c49e6748fea9bu;

static uint32_t test_rng(uint32_t bound) {
    uint64_t x = test_rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    test_rng_state = x;
    return (uint32_t)(x % bound);
}

static void test_gen_string(char **p) {
    static const char *pieces[] = {"a", "b", "ab", "k", "\\n", "\\u00e9", "\\ud83d\\ude00",
                                   "\\\"", " ", "\xc3\xbc", "z", "\\t", "\\/", "0"};
    *(*p)++ = '"';
    uint32_t n = test_rng(4);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = pieces[test_rng(sizeof pieces / sizeof pieces[0])];
        size_t len = strlen(s);
        memcpy(*p, s, len);
        *p += len;
    }
    *(*p)++ = '"';
}

static void test_gen_value(char **p, int depth) {
    static const char *scalars[] = {"null", "true", "false", "0", "-1", "1.50", "2e3", "-0.0",
                                    "123456789012345678901234567890", "1e-3", "7"};
    uint32_t kind = depth > 4 ? test_rng(3) : test_rng(5);
    if (kind == 0) {
        test_gen_string(p);
    } else if (kind <= 2) {
        const char *s = scalars[test_rng(sizeof scalars / sizeof scalars[0])];
        size_t len = strlen(s);
        memcpy(*p, s, len);
        *p += len;
    } else {
        bool object = kind == 4;
        *(*p)++ = object ? '{' : '[';
        uint32_t n = test_rng(5);
        for (uint32_t i = 0; i < n; i++) {
            if (i > 0) *(*p)++ = ',';
            if (test_rng(3) == 0) *(*p)++ = ' ';
            if (object) {
                test_gen_string(p);
                *(*p)++ = ':';
            }
            test_gen_value(p, depth + 1);
        }
        *(*p)++ = object ? '}' : ']';
    }
}

static const char *test_gen_doc(void) {
    char *buf = rt_arena_alloc(test_arena, 1 << 16);
    char *p = buf;
    test_gen_value(&p, 0);
    *p = '\0';
    return buf;
}

/* Printing then parsing gives the same value and the same text; equal values hash equal; a
 * value contains itself; every key is found. */
static void test_sql_jsonb_round_trips_generated(void **state) {
    rt_err err;
    rt_err_clear(&err);
    for (int i = 0; i < 3000; i++) {
        const char *doc = test_gen_doc();
        assert_true(sql_json_validate(doc, (uint32_t)strlen(doc), &err));
        sql_bytes a = J(doc);
        assert_true(sql_jsonb_validate(a, &err));
        const char *text = T(a);
        sql_bytes b = J(text);
        assert_string_equal(T(b), text);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.ptr, b.ptr, a.len);
        assert_int_equal(sql_jsonb_cmp(a, b), 0);
        assert_true(sql_jsonb_hash(a) == sql_jsonb_hash(b));
        assert_true(sql_jsonb_contains(a, b));
        sql_jsonb_iter it;
        if (strcmp(sql_jsonb_typeof(a), "object") == 0) {
            assert_true(sql_jsonb_object_keys_begin(&it, a, &err));
            sql_bytes key;
            while (sql_jsonb_object_keys_next(&it, &key)) {
                assert_true(sql_jsonb_exists(a, (const char *)key.ptr, key.len));
            }
        }
        /* a value concatenated with itself is itself for objects, twice as long for arrays */
        sql_bytes c;
        assert_true(sql_jsonb_concat(test_arena, a, a, &c, &err));
        if (strcmp(sql_jsonb_typeof(a), "object") == 0) assert_int_equal(sql_jsonb_cmp(a, c), 0);
        if (i % 100 == 0) rt_arena_reset(test_arena);
    }
}

/* Damaged binary values are rejected with XX001 or, if they still happen to be well formed,
 * every reader copes with them (ASan checks the reads). */
static void test_sql_jsonb_validate_rejects_damage(void **state) {
    rt_err err;
    rt_err_clear(&err);
    int rejected = 0;
    for (int i = 0; i < 3000; i++) {
        sql_bytes good = J(test_gen_doc());
        uint8_t *bad = rt_arena_alloc(test_arena, good.len);
        memcpy(bad, good.ptr, good.len);
        uint32_t flips = 1 + test_rng(3);
        for (uint32_t f = 0; f < flips; f++) {
            bad[test_rng(good.len)] ^= (uint8_t)(1u << test_rng(8));
        }
        uint32_t len = test_rng(4) == 0 ? test_rng(good.len + 1) : good.len;
        sql_bytes v = {bad, len};
        if (!sql_jsonb_validate(v, &err)) {
            assert_string_equal(err.sqlstate, SQLSTATE_DATA_CORRUPTED);
            rt_err_clear(&err);
            rejected++;
            continue;
        }
        sql_bytes out;
        assert_true(sql_jsonb_to_text(test_arena, v, &out, &err));
        (void)sql_jsonb_hash(v);
        (void)sql_jsonb_cmp(v, good);
        (void)sql_jsonb_contains(v, good);
        if (i % 100 == 0) rt_arena_reset(test_arena);
    }
    assert_true(rejected > 1000);
    uint8_t junk[3] = {1, 2, 3};
    test_expect_error(sql_jsonb_validate((sql_bytes){junk, 3}, &err), &err,
                      SQLSTATE_DATA_CORRUPTED, "invalid jsonb value", NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_jsonb_output_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_numbers_match_postgresql),
        cmocka_unit_test(test_sql_json_parse_errors_match_postgresql),
        cmocka_unit_test(test_sql_jsonb_depth_limit),
        cmocka_unit_test(test_sql_jsonb_wire_format),
        cmocka_unit_test(test_sql_jsonb_pretty),
        cmocka_unit_test(test_sql_jsonb_accessors_match_postgresql),
        cmocka_unit_test(test_sql_json_operators_match_postgresql),
        cmocka_unit_test(test_sql_jsonb_typeof_and_length),
        cmocka_unit_test(test_sql_jsonb_exists_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_containment_truth_table),
        cmocka_unit_test(test_sql_jsonb_concat_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_delete_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_delete_path_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_set_and_insert_match_postgresql),
        cmocka_unit_test(test_sql_jsonb_strip_nulls),
        cmocka_unit_test(test_sql_jsonb_iterators),
        cmocka_unit_test(test_sql_jsonb_build_matches_postgresql),
        cmocka_unit_test(test_sql_json_build_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_to_jsonb_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_builder_api),
        cmocka_unit_test(test_sql_json_aggregates_match_postgresql),
        cmocka_unit_test(test_sql_jsonb_order_matches_postgresql),
        cmocka_unit_test(test_sql_jsonb_hash_agrees_with_equality),
        cmocka_unit_test(test_sql_jsonb_round_trips_generated),
        cmocka_unit_test(test_sql_jsonb_validate_rejects_damage),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
