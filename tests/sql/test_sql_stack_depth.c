/* test_sql_stack_depth.c: statements as long or as deep as generated SQL makes them, through a
 * session. Chains that PostgreSQL flattens (10,000-term AND / OR lists and IN lists, 10,000
 * UNION ALL branches: one Append) answer at any length; `+` chains, nested calls, CASEs,
 * parentheses and subqueries answer to a depth near PostgreSQL's (2 MiB stacks), and a
 * statement too deep for a fiber's stack fails with 54001 "stack depth limit exceeded" in the
 * parser, the binder or evaluation, never a crash, and the session goes on serving. Before the
 * guards such statements overflowed the stack and killed the server (1,000 `+` terms; 900
 * nested FROM subqueries slipped past the parser's depth count; EXPLAIN of 900 nested
 * subqueries overflowed in its own walk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define OUT_BYTES (1 << 20)
#include "tests/sql/sql_session_harness.h"

#define DEEP_SQL_BYTES (1u << 20)

static char sql[DEEP_SQL_BYTES];

/* `head` then `n` terms `i % 10` separated by `sep`, then `tail`. */
static const char *chain(const char *head, const char *sep, uint32_t n, const char *tail) {
    size_t len = (size_t)snprintf(sql, sizeof sql, "%s0", head);
    for (uint32_t i = 1; i < n && len + 64 < sizeof sql; i++) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%u", sep, i % 10);
    }
    snprintf(sql + len, sizeof sql - len, "%s", tail);
    return sql;
}

/* `head`, `open` n times, `mid`, `close` n times. */
static const char *nest(const char *head, const char *open, uint32_t n, const char *mid,
                        const char *close) {
    size_t len = (size_t)snprintf(sql, sizeof sql, "%s", head);
    for (uint32_t i = 0; i < n && len + 64 < sizeof sql; i++) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s", open);
    }
    len += (size_t)snprintf(sql + len, sizeof sql - len, "%s", mid);
    for (uint32_t i = 0; i < n && len + 64 < sizeof sql; i++) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s", close);
    }
    return sql;
}

static const char *too_deep = "ERROR 54001: stack depth limit exceeded\n";

static void script_chains(capture *c) {
    const char *g = "SELECT count(*) FROM generate_series(1, 20) g(a) WHERE a = ";
    expect(c, chain(g, " OR a = ", 10000, ""), "count\n9\nSELECT 1\n");
    expect(c, chain("SELECT count(*) FROM generate_series(10, 20) g(a) WHERE a <> ", " AND a <> ",
                    10000, ""), "count\n11\nSELECT 1\n");
    expect(c, chain("SELECT count(*) FROM generate_series(1, 20) g(a) WHERE a IN (", ", ", 10000,
                    ")"), "count\n9\nSELECT 1\n");
    expect(c, chain("SELECT count(*), sum(x) FROM (SELECT ", " UNION ALL SELECT ", 10000, ") s(x)"),
           "count|sum\n10000|45000\nSELECT 1\n");
    expect(c, chain("SELECT count(*) FROM (SELECT ", " UNION SELECT ", 10000, ") s(x)"),
           "count\n10\nSELECT 1\n");
    expect(c, chain("SELECT ", " + ", 2000, ""), "?column?\n9000\nSELECT 1\n");
    expect(c, chain("SELECT length('", "' || '", 2000, "')"), "length\n2000\nSELECT 1\n");
    expect(c, "SELECT 1", "?column?\n1\nSELECT 1\n");
}

static void script_nesting(capture *c) {
    expect(c, nest("SELECT ", "(", 2000, "1", ")"), "?column?\n1\nSELECT 1\n");
    expect(c, nest("SELECT ", "abs(", 1000, "-1", ")"), "abs\n1\nSELECT 1\n");
    expect(c, nest("SELECT ", "CASE WHEN true THEN ", 1000, "1", " END"), "case\n1\nSELECT 1\n");
    expect(c, nest("SELECT ", "(SELECT ", 300, "1", ")"), "?column?\n1\nSELECT 1\n");
    expect(c, nest("SELECT * FROM ", "(SELECT * FROM ", 300, "(SELECT 1) s", ") s"),
           "?column?\n1\nSELECT 1\n");
}

static void script_too_deep(capture *c) {
    expect(c, chain("SELECT ", " + ", 60000, ""), too_deep);
    expect(c, "SELECT 1", "?column?\n1\nSELECT 1\n");
    expect(c, chain("SELECT ", " || ", 60000, ""), too_deep);
    expect(c, nest("SELECT ", "(", 20000, "1", ")"), too_deep);
    expect(c, nest("SELECT ", "abs(", 20000, "1", ")"), too_deep);
    expect(c, nest("SELECT ", "CASE WHEN true THEN ", 20000, "1", " END"), too_deep);
    expect(c, nest("SELECT ", "(SELECT ", 10000, "1", ")"), too_deep);
    expect(c, nest("SELECT * FROM ", "(SELECT * FROM ", 10000, "(SELECT 1) s", ") s"), too_deep);
    expect(c, nest("SELECT ", "ARRAY[", 20000, "1", "]"), too_deep);
    /* EXPLAIN's walk takes more stack per level than binding (it crashed at 937 levels): at
     * every depth around where binding or EXPLAIN stops, a plan or 54001, never a crash. */
    for (uint32_t depth = 500; depth <= 2000; depth += 50) {
        const char *got = run(c, nest("EXPLAIN (VERBOSE, COSTS OFF) SELECT ", "(SELECT ", depth,
                                      "1", ")"));
        if (strncmp(got, "QUERY PLAN\n", 11) != 0 && strcmp(got, too_deep) != 0) {
            sh_check("EXPLAIN of nested subqueries", got, too_deep);
        }
        got = run(c, nest("EXPLAIN (FORMAT JSON) SELECT ", "(SELECT ", depth, "1", ")"));
        if (strncmp(got, "QUERY PLAN\n", 11) != 0 && strcmp(got, too_deep) != 0) {
            sh_check("EXPLAIN (FORMAT JSON) of nested subqueries", got, too_deep);
        }
    }
    expect(c, nest("EXPLAIN SELECT ", "(SELECT ", 10000, "1", ")"), too_deep);
    expect(c, "SELECT 2", "?column?\n2\nSELECT 1\n");
}

static void test_long_chains_answer(void **state) {
    (void)state;
    assert_int_equal(sh_run_forked(NULL, 2, script_chains, NULL), 0);
}

static void test_deep_nesting_answers(void **state) {
    (void)state;
    assert_int_equal(sh_run_forked(NULL, 2, script_nesting, NULL), 0);
}

static void test_too_deep_fails_cleanly(void **state) {
    (void)state;
    assert_int_equal(sh_run_forked(NULL, 2, script_too_deep, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_chains_answer),
        cmocka_unit_test(test_deep_nesting_answers),
        cmocka_unit_test(test_too_deep_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
