/* test_sql_lex.c: the SQL lexer and its keyword table.
 * How: lexes strings and checks every token's kind, decoded text, value and byte span, and
 * the errors (SQLSTATE, message, 1-based character position) against what PostgreSQL 15's
 * psql reports for the same input (recorded from a PostgreSQL 15 server when the tests were
 * written). Covers identifiers (folding, quoting, U&"", truncation), keywords and their
 * classes, every literal form (strings with '' doubling and continuation lines, E'' escapes,
 * U&'' with UESCAPE, dollar quoting, B'' X'' N''), numbers and PostgreSQL 15's trailing-junk
 * rule, parameters, operators (the trailing +/- rule, comment starts) and comments. */
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_ast.h"
#include "sql/sql_lex.h"

#define LEX_TOKENS_MAX 64

typedef struct lex_result {
    sql_token toks[LEX_TOKENS_MAX];
    uint32_t count; /* EOF excluded */
    bool ok;
    rt_err err;
} lex_result;

static rt_arena *test_arena;

static int lex_setup(void **state) {
    test_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    return 0;
}

static int lex_teardown(void **state) {
    rt_arena_destroy(test_arena);
    return 0;
}

static void lex_all(const char *sql, lex_result *r) {
    sql_lexer lx;
    sql_lex_init(&lx, test_arena, sql, (uint32_t)strlen(sql));
    rt_err_clear(&r->err);
    r->count = 0;
    r->ok = true;
    for (;;) {
        sql_token t;
        if (!sql_lex_next(&lx, &t, &r->err)) {
            r->ok = false;
            return;
        }
        if (t.kind == SQL_TOK_EOF) return;
        assert_true(r->count < LEX_TOKENS_MAX);
        r->toks[r->count++] = t;
    }
}

/* Lexes a string that must hold exactly one token. */
static sql_token lex_one(const char *sql) {
    lex_result r;
    lex_all(sql, &r);
    if (!r.ok) fail_msg("lexing \"%s\": %s", sql, r.err.message);
    assert_int_equal(r.count, 1);
    return r.toks[0];
}

static void lex_expect_error(const char *sql, const char *sqlstate, const char *message,
                             uint32_t position) {
    lex_result r;
    lex_all(sql, &r);
    if (r.ok) fail_msg("\"%s\" lexed without error", sql);
    assert_string_equal(r.err.sqlstate, sqlstate);
    assert_string_equal(r.err.message, message);
    assert_int_equal(r.err.position, position);
}

static void lex_expect_string(const char *sql, const char *decoded) {
    sql_token t = lex_one(sql);
    assert_int_equal(t.kind, SQL_TOK_SCONST);
    assert_string_equal(t.str, decoded);
    assert_int_equal(t.str_len, strlen(decoded));
    assert_int_equal(t.start, 0);
    assert_int_equal(t.end, strlen(sql));
}

static void test_sql_lex_tokens_and_spans(void **state) {
    lex_result r;
    lex_all("SELECT a, \"B\" FROM t WHERE x >= $1;", &r);
    assert_true(r.ok);
    static const struct { uint16_t kind; uint32_t start, end; const char *str; } want[] = {
        {SQL_TOK_KEYWORD, 0, 6, "select"}, {SQL_TOK_IDENT, 7, 8, "a"}, {',', 8, 9, NULL},
        {SQL_TOK_IDENT, 10, 13, "B"}, {SQL_TOK_KEYWORD, 14, 18, "from"},
        {SQL_TOK_IDENT, 19, 20, "t"}, {SQL_TOK_KEYWORD, 21, 26, "where"},
        {SQL_TOK_IDENT, 27, 28, "x"}, {SQL_TOK_GREATER_EQUALS, 29, 31, NULL},
        {SQL_TOK_PARAM, 32, 34, NULL}, {';', 34, 35, NULL},
    };
    assert_int_equal(r.count, sizeof want / sizeof want[0]);
    for (uint32_t i = 0; i < r.count; i++) {
        assert_int_equal(r.toks[i].kind, want[i].kind);
        assert_int_equal(r.toks[i].start, want[i].start);
        assert_int_equal(r.toks[i].end, want[i].end);
        if (want[i].str != NULL) assert_string_equal(r.toks[i].str, want[i].str);
    }
    assert_int_equal(r.toks[0].kw, SQL_KW_SELECT);
    assert_int_equal(r.toks[9].ival, 1);
    assert_true(r.toks[3].quoted);
}

static void test_sql_lex_identifiers(void **state) {
    assert_string_equal(lex_one("MixedCase").str, "mixedcase");
    assert_string_equal(lex_one("\"Mixed \"\"quote\"\" Case\"").str, "Mixed \"quote\" Case");
    assert_string_equal(lex_one("x$y_1").str, "x$y_1");
    assert_string_equal(lex_one("ÉtÉ").str, "ÉtÉ"); /* only ASCII folds (PostgreSQL in UTF8) */
    sql_token u = lex_one("U&\"d\\0061t\\+000061\"");
    assert_int_equal(u.kind, SQL_TOK_IDENT);
    assert_string_equal(u.str, "data");
    assert_string_equal(lex_one("U&\"d!0061t!+000061\" UESCAPE '!'").str, "data");
    /* longer than 63 bytes: truncated (PostgreSQL notices and truncates) */
    char longname[100];
    memset(longname, 'a', 80);
    longname[80] = '\0';
    sql_token t = lex_one(longname);
    assert_int_equal(t.str_len, SQL_IDENT_BYTES_MAX);
    /* a multi-byte character is never cut in half */
    char wide[100] = "";
    for (int i = 0; i < 40; i++) strcat(wide, "é");
    assert_int_equal(lex_one(wide).str_len, 62);
}

static void test_sql_lex_keywords(void **state) {
    sql_token t = lex_one("SeLeCt");
    assert_int_equal(t.kind, SQL_TOK_KEYWORD);
    assert_int_equal(t.kw, SQL_KW_SELECT);
    assert_int_equal(lex_one("\"select\"").kind, SQL_TOK_IDENT);
    assert_int_equal(sql_keyword_lookup("current_timestamp", 17), SQL_KW_CURRENT_TIMESTAMP);
    assert_int_equal(sql_keyword_lookup("NEAR", 4), SQL_KW_NEAR);
    assert_int_equal(sql_keyword_lookup("nearest", 7), SQL_KW_INVALID);
    assert_int_equal(sql_keyword_lookup("documents", 9), SQL_KW_INVALID);
    /* PostgreSQL 15's classes */
    assert_int_equal(sql_keyword_get(SQL_KW_SELECT)->category, SQL_KWCAT_RESERVED);
    assert_int_equal(sql_keyword_get(SQL_KW_POSITION)->category, SQL_KWCAT_COL_NAME);
    assert_int_equal(sql_keyword_get(SQL_KW_LEFT)->category, SQL_KWCAT_TYPE_FUNC_NAME);
    assert_int_equal(sql_keyword_get(SQL_KW_TYPE)->category, SQL_KWCAT_UNRESERVED);
    assert_int_equal(sql_keyword_get(SQL_KW_NEAR)->category, SQL_KWCAT_UNRESERVED);
    assert_false(sql_keyword_get(SQL_KW_YEAR)->bare_label);
    assert_true(sql_keyword_get(SQL_KW_VALUE)->bare_label);
    /* quote_ident quotes every keyword that is not unreserved */
    assert_true(sql_keyword_is_reserved("select"));
    assert_true(sql_keyword_is_reserved("POSITION"));
    assert_true(sql_keyword_is_reserved("left"));
    assert_false(sql_keyword_is_reserved("type"));
    assert_false(sql_keyword_is_reserved("near"));
    assert_false(sql_keyword_is_reserved("user_id"));
    /* every keyword is found through the hash under its own spelling */
    for (int kw = 1; kw < SQL_KW_COUNT; kw++) {
        const sql_keyword *k = sql_keyword_get((sql_kw)kw);
        assert_int_equal(sql_keyword_lookup(k->word, k->len), kw);
    }
}

static void test_sql_lex_strings(void **state) {
    lex_expect_string("'it''s'", "it's");
    lex_expect_string("'a\\nb'", "a\\nb"); /* standard_conforming_strings: backslash literal */
    lex_expect_string("E'\\n\\t\\\\\\'\\x41\\101\\u263A\\U0001F600'",
                      "\n\t\\'AA\xe2\x98\xba\xf0\x9f\x98\x80");
    lex_expect_string("e'\\b\\f\\r\\q\\v'", "\b\f\rqv");
    lex_expect_string("E'a''b'", "a'b");
    lex_expect_string("E'\\uD83D\\uDE00'", "\xf0\x9f\x98\x80");
    lex_expect_string("E'\\x'", "x");
    lex_expect_string("U&'\\0041'", "A");
    lex_expect_string("U&'!0041' UESCAPE '!'", "A");
    lex_expect_string("U&'\\0041' UESCAPE 'g'", "\\0041");
    lex_expect_string("U&'\\\\ \\+01F600'", "\\ \xf0\x9f\x98\x80");
    lex_expect_string("U&'\\D83D\\DE00'", "\xf0\x9f\x98\x80");
    lex_expect_string("$$it's $1$$", "it's $1");
    lex_expect_string("$tag$ a $ b $$ c $tag$", " a $ b $$ c ");
    lex_expect_string("$_x$y$_x$", "y");
    /* adjacent literals separated by a newline are one literal */
    lex_expect_string("'a'\n'b'", "ab");
    lex_expect_string("'a' -- c\n  'b'", "ab");
    lex_expect_string("E'a\\n'\n'\\tb'", "a\n\tb");
    lex_result r;
    lex_all("'a' 'b'", &r); /* no newline: two tokens (a syntax error for the parser) */
    assert_int_equal(r.count, 2);
    lex_all("'a' /* c */\n'b'", &r); /* a slash-star comment does not join them */
    assert_int_equal(r.count, 2);
}

static void test_sql_lex_bit_strings(void **state) {
    sql_token b = lex_one("B'1010'");
    assert_int_equal(b.kind, SQL_TOK_BCONST);
    assert_string_equal(b.str, "1010");
    sql_token x = lex_one("x'1F'");
    assert_int_equal(x.kind, SQL_TOK_XCONST);
    assert_string_equal(x.str, "x1F");
    assert_string_equal(lex_one("B'10'\n'01'").str, "1001");
    lex_result r;
    lex_all("N'abc'", &r); /* NCHAR then the string: a typed literal */
    assert_int_equal(r.count, 2);
    assert_int_equal(r.toks[0].kw, SQL_KW_NCHAR);
    assert_string_equal(r.toks[1].str, "abc");
}

static void test_sql_lex_numbers(void **state) {
    sql_token t = lex_one("42");
    assert_int_equal(t.kind, SQL_TOK_ICONST);
    assert_int_equal(t.ival, 42);
    t = lex_one("9223372036854775807");
    assert_int_equal(t.kind, SQL_TOK_ICONST);
    assert_int_equal(t.ival, INT64_MAX);
    t = lex_one("9223372036854775808");
    assert_int_equal(t.kind, SQL_TOK_FCONST);
    assert_string_equal(t.str, "9223372036854775808");
    static const char *const fconsts[] = {"1.5", ".5", "5.", "1e10", "1E-3", "1.e10", "1.5e+2"};
    for (size_t i = 0; i < sizeof fconsts / sizeof fconsts[0]; i++) {
        t = lex_one(fconsts[i]);
        assert_int_equal(t.kind, SQL_TOK_FCONST);
        assert_string_equal(t.str, fconsts[i]);
    }
    lex_result r;
    lex_all("1..2", &r); /* 1 then .. then 2 */
    assert_int_equal(r.count, 3);
    assert_int_equal(r.toks[1].kind, SQL_TOK_DOT_DOT);
    lex_all("1.2.3", &r);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.toks[1].str, ".3");
    t = lex_one("$12");
    assert_int_equal(t.kind, SQL_TOK_PARAM);
    assert_int_equal(t.ival, 12);
}

static void test_sql_lex_operators(void **state) {
    static const char *const ops[] = {"->>", "@>", "<@", "?|", "?&", "#>>", "||", "~~*", "!~~",
                                      "<->", "<=>", "<#>", "|/", "~", "!", "@-"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        sql_token t = lex_one(ops[i]);
        assert_int_equal(t.kind, SQL_TOK_OP);
        assert_string_equal(t.str, ops[i]);
    }
    assert_int_equal(lex_one("::").kind, SQL_TOK_TYPECAST);
    assert_int_equal(lex_one("=>").kind, SQL_TOK_EQUALS_GREATER);
    assert_int_equal(lex_one(":=").kind, SQL_TOK_COLON_EQUALS);
    assert_int_equal(lex_one("<=").kind, SQL_TOK_LESS_EQUALS);
    assert_int_equal(lex_one(">=").kind, SQL_TOK_GREATER_EQUALS);
    assert_int_equal(lex_one("<>").kind, SQL_TOK_NOT_EQUALS);
    assert_int_equal(lex_one("!=").kind, SQL_TOK_NOT_EQUALS);
    assert_int_equal(lex_one("+").kind, '+');
    /* a trailing + or - leaves the operator unless it holds one of ~ ! @ # % ^ & | ` ? */
    lex_result r;
    lex_all("2 *-1", &r);
    assert_int_equal(r.count, 4);
    assert_int_equal(r.toks[1].kind, '*');
    assert_int_equal(r.toks[2].kind, '-');
    lex_all("a <-b", &r);
    assert_int_equal(r.toks[1].kind, '<');
    lex_all("a @-b", &r);
    assert_string_equal(r.toks[1].str, "@-");
    lex_all("a +++ b", &r);
    assert_int_equal(r.count, 5);
    /* a comment start ends an operator */
    lex_all("1 */* c */ 2", &r);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.toks[1].kind, '*');
    lex_all("1 +-- c\n2", &r);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.toks[1].kind, '+');
}

static void test_sql_lex_comments(void **state) {
    lex_result r;
    lex_all("1 /* a /* nested */ still comment */ + -- line\n 2", &r);
    assert_true(r.ok);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.toks[2].start, 48);
    lex_all("-- only a comment", &r);
    assert_true(r.ok);
    assert_int_equal(r.count, 0);
}

/* The messages and positions psql shows for the same input on PostgreSQL 15. */
static void test_sql_lex_errors_match_postgres(void **state) {
    lex_expect_error("SELECT 'abc", "42601", "unterminated quoted string at or near \"'abc\"", 8);
    lex_expect_error("SELECT E'abc", "42601", "unterminated quoted string at or near \"E'abc\"",
                     8);
    lex_expect_error("SELECT /* abc", "42601", "unterminated /* comment at or near \"/* abc\"",
                     8);
    lex_expect_error("SELECT 1 /* a /* b */ c  + 1", "42601",
                     "unterminated /* comment at or near \"/* a /* b */ c  + 1\"", 10);
    lex_expect_error("SELECT \"\"", "42601", "zero-length delimited identifier at or near \"\"\"\"",
                     8);
    lex_expect_error("SELECT U&\"\"", "42601",
                     "zero-length delimited identifier at or near \"U&\"\"\"", 8);
    lex_expect_error("SELECT \"abc", "42601", "unterminated quoted identifier at or near \"\"abc\"",
                     8);
    lex_expect_error("SELECT $$abc", "42601",
                     "unterminated dollar-quoted string at or near \"$$abc\"", 8);
    lex_expect_error("SELECT B'abc", "42601",
                     "unterminated bit string literal at or near \"B'abc\"", 8);
    lex_expect_error("SELECT X'abc", "42601",
                     "unterminated hexadecimal string literal at or near \"X'abc\"", 8);
    lex_expect_error("SELECT 123abc FROM t", "42601",
                     "trailing junk after numeric literal at or near \"123abc\"", 8);
    lex_expect_error("SELECT 0x1F", "42601",
                     "trailing junk after numeric literal at or near \"0x1F\"", 8);
    lex_expect_error("SELECT 1_000", "42601",
                     "trailing junk after numeric literal at or near \"1_000\"", 8);
    lex_expect_error("SELECT 1e FROM t", "42601",
                     "trailing junk after numeric literal at or near \"1e\"", 8);
    lex_expect_error("SELECT 1e+x", "42601",
                     "trailing junk after numeric literal at or near \"1e+\"", 8);
    lex_expect_error("SELECT 1.5e3abc def", "42601",
                     "trailing junk after numeric literal at or near \"1.5e3abc\"", 8);
    lex_expect_error("SELECT 1.a", "42601",
                     "trailing junk after numeric literal at or near \"1.a\"", 8);
    lex_expect_error("SELECT $1abc + 1", "42601",
                     "trailing junk after parameter at or near \"$1abc\"", 8);
    char sql[160], msg[200];
    char tildes[89];
    memset(tildes, '~', 88);
    tildes[88] = '\0';
    snprintf(sql, sizeof sql, "SELECT 'a' %s 'b'", tildes);
    snprintf(msg, sizeof msg, "operator too long at or near \"%s\"", tildes);
    lex_expect_error(sql, "42601", msg, 12);
}

static void test_sql_lex_escape_errors_match_postgres(void **state) {
    lex_expect_error("SELECT E'\\u00'", "22025", "invalid Unicode escape", 10);
    lex_expect_error("SELECT E'\\uD800'", "42601",
                     "invalid Unicode surrogate pair at or near \"'\"", 16);
    lex_expect_error("SELECT E'\\uD800x'", "42601",
                     "invalid Unicode surrogate pair at or near \"x\"", 16);
    lex_expect_error("SELECT E'\\uD83D\\u0041'", "42601",
                     "invalid Unicode surrogate pair at or near \"\\u0041\"", 16);
    lex_expect_error("SELECT E'\\uDE00'", "42601",
                     "invalid Unicode surrogate pair at or near \"\\uDE00\"", 10);
    lex_expect_error("SELECT E'\\U00110000'", "42601",
                     "invalid Unicode escape value at or near \"\\U00110000\"", 10);
    lex_expect_error("SELECT E'\\u0000'", "42601",
                     "invalid Unicode escape value at or near \"\\u0000\"", 10);
    lex_expect_error("SELECT E'\\0'", "22021", "invalid byte sequence for encoding \"UTF8\": 0x00",
                     0);
    lex_expect_error("SELECT E'\\xe2\\x82'", "22021",
                     "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82", 0);
    lex_expect_error("SELECT U&'\\004'", "42601", "invalid Unicode escape", 11);
    lex_expect_error("SELECT U&'\\D800'", "42601", "invalid Unicode surrogate pair", 16);
    lex_expect_error("SELECT U&'\\DE00'", "42601", "invalid Unicode surrogate pair", 11);
    lex_expect_error("SELECT U&'\\+110000'", "42601", "invalid Unicode escape value", 11);
    lex_expect_error("SELECT U&'\\0041' UESCAPE '+'", "42601",
                     "invalid Unicode escape character at or near \"'+'\"", 26);
    lex_expect_error("SELECT U&'\\0041' UESCAPE 'ab'", "42601",
                     "invalid Unicode escape character at or near \"'ab'\"", 26);
    lex_expect_error("SELECT U&'\\0041' UESCAPE", "42601",
                     "UESCAPE must be followed by a simple string literal at end of input", 25);
    lex_result r;
    lex_all("SELECT E'\\u00'", &r);
    assert_string_equal(r.err.hint, "Unicode escapes must be \\uXXXX or \\UXXXXXXXX.");
    lex_all("SELECT U&'\\004'", &r);
    assert_string_equal(r.err.hint, "Unicode escapes must be \\XXXX or \\+XXXXXX.");
}

/* Positions count characters, not bytes, as PostgreSQL does. */
static void test_sql_lex_positions_count_characters(void **state) {
    lex_expect_error("SELECT 'é', \"ü\" /* ñ", "42601",
                     "unterminated /* comment at or near \"/* ñ\"",
                     17);
    assert_int_equal(sql_lex_position("aé€😀b", 10), 5);
    assert_int_equal(sql_lex_position("abc", 0), 1);
}

static void test_sql_lex_encoding(void **state) {
    rt_err err;
    rt_err_clear(&err);
    const char *ok = "SELECT 'é€😀' -- ASCII runs longer than 8 bytes take the fast path";
    assert_true(sql_lex_check_encoding(ok, (uint32_t)strlen(ok), &err));
    assert_false(sql_lex_check_encoding("SELECT '\xff'", 10, &err));
    assert_string_equal(err.sqlstate, "22021");
    assert_string_equal(err.message, "invalid byte sequence for encoding \"UTF8\": 0xff");
    rt_err_clear(&err);
    assert_false(sql_lex_check_encoding("abc\0def", 7, &err));
    assert_string_equal(err.message, "invalid byte sequence for encoding \"UTF8\": 0x00");
    rt_err_clear(&err);
    assert_false(sql_lex_check_encoding("\xed\xa0\x80", 3, &err)); /* a UTF-16 surrogate */
    rt_err_clear(&err);
    assert_false(sql_lex_check_encoding("\xc0\x80", 2, &err)); /* overlong */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_lex_tokens_and_spans),
        cmocka_unit_test(test_sql_lex_identifiers),
        cmocka_unit_test(test_sql_lex_keywords),
        cmocka_unit_test(test_sql_lex_strings),
        cmocka_unit_test(test_sql_lex_bit_strings),
        cmocka_unit_test(test_sql_lex_numbers),
        cmocka_unit_test(test_sql_lex_operators),
        cmocka_unit_test(test_sql_lex_comments),
        cmocka_unit_test(test_sql_lex_errors_match_postgres),
        cmocka_unit_test(test_sql_lex_escape_errors_match_postgres),
        cmocka_unit_test(test_sql_lex_positions_count_characters),
        cmocka_unit_test(test_sql_lex_encoding),
    };
    return cmocka_run_group_tests(tests, lex_setup, lex_teardown);
}
