/* test_sql_explain_summary.c: the summary EXPLAIN prints after the plan, as PostgreSQL 15
 * prints it. What: "Planning Time: x.xxx ms" then "Execution Time: x.xxx ms" in the text
 * format with ANALYZE; "Planning Time" alone with SUMMARY ON and no ANALYZE; neither with
 * SUMMARY OFF nor in a plain EXPLAIN; in JSON, YAML and XML the "Planning Time" key (XML's
 * <Planning-Time>) between the plan and the triggers, as PostgreSQL 15 orders them.
 * How: real sessions over a real engine with two shards (sql_session_harness.h); the times
 * vary from run to run, so each figure is checked to have PostgreSQL's form (digits, a point,
 * three decimals) and then masked to "N.NNN" before the whole text is compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

static char masked[OUT_BYTES];

/* `text` with every time after "Time" ("Time: 1.234", "Time\": 1.234", "Time>1.234") shown
 * as "N.NNN"; a time not of the form digits.ddd counts as a mismatch. */
static const char *mask_times(const char *text) {
    snprintf(masked, sizeof masked, "%s", text);
    for (char *p = strstr(masked, "Time"); p != NULL; p = strstr(p + 4, "Time")) {
        char *open = p;
        while (open > masked && open[-1] != '<' && open[-1] != '\n') open--;
        if (open[0] == '/') continue; /* XML's closing tag: no figure follows */
        char *v = p + 4;
        while (*v == ':' || *v == '"' || *v == ' ' || *v == '>') v++;
        char *d = v;
        while (*d >= '0' && *d <= '9') d++;
        bool ok = d > v && d[0] == '.';
        for (int i = 1; ok && i <= 3; i++) ok = d[i] >= '0' && d[i] <= '9';
        ok = ok && !(d[4] >= '0' && d[4] <= '9');
        if (!ok) {
            atomic_fetch_add(&mismatches, 1);
            fprintf(stderr, "time not of the form N.NNN at: %.20s\n", p);
            continue;
        }
        size_t tail = strlen(d + 4) + 1;
        memmove(v + 5, d + 4, tail); /* "N.NNN" is never longer than the figure it replaces */
        memcpy(v, "N.NNN", 5);
    }
    return masked;
}

static void expect_masked(capture *c, const char *sql, const char *want) {
    sh_check(sql, mask_times(run(c, sql)), want);
}

/* The text format: PostgreSQL 15 prints the same lines for SELECT 1 with COSTS OFF. */
static void script_text(capture *c) {
    expect_masked(c, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT 1",
                  "QUERY PLAN\n"
                  "Result (actual rows=1 loops=1)\n"
                  "Planning Time: N.NNN ms\n"
                  "Execution Time: N.NNN ms\n"
                  "EXPLAIN\n");
    expect_masked(c, "EXPLAIN (SUMMARY ON, COSTS OFF) SELECT 1",
                  "QUERY PLAN\n"
                  "Result\n"
                  "Planning Time: N.NNN ms\n"
                  "EXPLAIN\n");
    expect(c, "EXPLAIN (ANALYZE, SUMMARY OFF, COSTS OFF, TIMING OFF) SELECT 1",
           "QUERY PLAN\n"
           "Result (actual rows=1 loops=1)\n"
           "EXPLAIN\n");
    expect(c, "EXPLAIN (COSTS OFF) SELECT 1", "QUERY PLAN\nResult\nEXPLAIN\n");
    /* a plan over a table: the summary follows its last line */
    expect(c, "CREATE TABLE t (a int PRIMARY KEY, b int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 100) g", "INSERT 0 100\n");
    const char *text = mask_times(run(c, "EXPLAIN ANALYZE SELECT b, count(*) FROM t WHERE b < 5 "
                                         "GROUP BY b"));
    const char *tail = "\nPlanning Time: N.NNN ms\nExecution Time: N.NNN ms\nEXPLAIN\n";
    size_t n = strlen(text), k = strlen(tail);
    TEST_CHECK(n > k && strcmp(text + n - k, tail) == 0);
    TEST_CHECK(strstr(text, "Aggregate") != NULL);
}

/* The structured formats: the key between the plan and the triggers (PostgreSQL 15's order). */
static void script_structured(capture *c) {
    const char *doc = mask_times(run(c, "EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1"));
    TEST_CHECK(strstr(doc, "\n    },\n    \"Planning Time\": N.NNN,\n    \"Triggers\": [\n"
                           "    ],\n    \"Execution Time\": N.NNN\n  }\n]") != NULL);
    doc = mask_times(run(c, "EXPLAIN (SUMMARY ON, FORMAT JSON) SELECT 1"));
    TEST_CHECK(strstr(doc, "\n    },\n    \"Planning Time\": N.NNN\n  }\n]") != NULL);
    doc = run(c, "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT 1");
    TEST_CHECK(strstr(doc, "\n    },\n    \"Triggers\": [\n    ]\n  }\n]") != NULL);
    TEST_CHECK(strstr(doc, "Time") == NULL);
    doc = mask_times(run(c, "EXPLAIN (ANALYZE, FORMAT YAML) SELECT 1"));
    TEST_CHECK(strstr(doc, "\n  Planning Time: N.NNN\n  Triggers: \n"
                           "  Execution Time: N.NNN\n") != NULL);
    doc = mask_times(run(c, "EXPLAIN (ANALYZE, FORMAT XML) SELECT 1"));
    TEST_CHECK(strstr(doc, "    </Plan>\n    <Planning-Time>N.NNN</Planning-Time>\n"
                           "    <Triggers>\n    </Triggers>\n"
                           "    <Execution-Time>N.NNN</Execution-Time>\n  </Query>\n") != NULL);
    doc = run(c, "EXPLAIN (COSTS OFF, FORMAT XML) SELECT 1");
    TEST_CHECK(strstr(doc, "Time") == NULL);
}

static void script(capture *c) {
    script_text(c);
    script_structured(c);
}

static void test_explain_summary(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_explain_summary)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
