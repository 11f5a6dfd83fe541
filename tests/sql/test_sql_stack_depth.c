/* test_sql_stack_depth.c: a statement whose tree is too deep for a fiber's stack (a long chain
 * of `+`, of UNION ALL, of nested parentheses) fails with 54001 "stack depth limit exceeded"
 * and the session goes on serving; shallower ones still answer. Before the guard such a
 * statement overflowed the stack and killed the server (found by hand: 1,000 terms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define OUT_BYTES (1 << 20)
#include "tests/sql/sql_session_harness.h"

#define DEEP_SQL_BYTES (256u * 1024u)

/* SELECT `first` `sep` `first + 1` ... with `n` terms. */
static const char *chain(const char *head, const char *sep, uint32_t n) {
    static char sql[DEEP_SQL_BYTES];
    size_t len = (size_t)snprintf(sql, sizeof sql, "%s0", head);
    for (uint32_t i = 1; i < n && len + 32 < sizeof sql; i++) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%u", sep, i % 10);
    }
    return sql;
}

static void script_depth(capture *c) {
    expect(c, chain("SELECT ", " + ", 50), "?column?\n225\nSELECT 1\n");
    expect(c, chain("SELECT ", " + ", 5000), "ERROR 54001: stack depth limit exceeded\n");
    expect(c, "SELECT 1", "?column?\n1\nSELECT 1\n");
    expect(c, chain("SELECT ", " UNION ALL SELECT ", 3000),
           "ERROR 54001: stack depth limit exceeded\n");
    expect(c, chain("SELECT ", " UNION ALL SELECT ", 3), "?column?\n0\n1\n2\nSELECT 3\n");
    expect(c, "SELECT 2", "?column?\n2\nSELECT 1\n");
}

static void test_deep_statements_fail_cleanly(void **state) {
    (void)state;
    assert_int_equal(sh_run_forked(NULL, 2, script_depth, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_statements_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
