/* test_sql_explain_actual.c: EXPLAIN ANALYZE's per-node actual figures, as PostgreSQL 15
 * prints them with TIMING OFF: " (actual rows=R loops=L)" after each node's line, "Actual
 * Rows" / "Actual Loops" in the structured formats. A node in the shards' fragments (below the
 * Gather) is started once per fragment and its rows are summed over them; R is the rows per
 * start, as PostgreSQL divides a parallel node's rows by its loops.
 * What: a filtered scan, an aggregate and a join show the true row counts (R times L within
 * the rounding of the division, equal when L is 1); a node that never ran says so.
 * How: real sessions over a real engine with two shards (sql_session_harness.h); the figures
 * are read back from the text and checked against the counts the same queries return. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

/* The figures on the first line of `text` that contains `node`; false when it has none. */
static bool actual_of(const char *text, const char *node, double *rows, unsigned *loops) {
    const char *at = strstr(text, node);
    if (at == NULL) return false;
    const char *eol = strchr(at, '\n');
    const char *a = strstr(at, "(actual rows=");
    if (a == NULL || (eol != NULL && a > eol)) return false;
    return sscanf(a, "(actual rows=%lf loops=%u)", rows, loops) == 2;
}

/* Counts a mismatch unless `node` in EXPLAIN ANALYZE of `sql` returned `want` rows in all. */
static void check_total(capture *c, const char *sql, const char *node, double want) {
    char q[512];
    snprintf(q, sizeof q, "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) %s", sql);
    const char *text = run(c, q);
    double rows = -1;
    unsigned loops = 0;
    bool ok = actual_of(text, node, &rows, &loops) && loops > 0;
    /* rows is rounded per loop: the total is within half a row per loop */
    ok = ok && rows * loops >= want - loops / 2.0 && rows * loops <= want + loops / 2.0;
    if (!ok) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "%s: want %.0f rows in all on %s, got:\n%s", sql, want, node, text);
    }
}

static void script_counts(capture *c) {
    expect(c, "CREATE TABLE t (a int PRIMARY KEY, b int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 1000) g", "INSERT 0 1000\n");
    expect(c, "CREATE TABLE u (a int PRIMARY KEY, c int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO u SELECT g, g FROM generate_series(1, 30) g", "INSERT 0 30\n");
    /* a filtered scan: 300 rows with b < 3, whichever partitions hold them */
    check_total(c, "SELECT * FROM t WHERE b < 3", "Seq Scan on t", 300);
    check_total(c, "SELECT * FROM t WHERE b < 3", "Gather", 300);
    /* an aggregate: 5 groups on top, from the 500 rows the scans pass up */
    check_total(c, "SELECT b, count(*) FROM t WHERE b < 5 GROUP BY b", "Aggregate", 5);
    check_total(c, "SELECT b, count(*) FROM t WHERE b < 5 GROUP BY b", "Seq Scan on t", 500);
    check_total(c, "SELECT count(*) FROM t", "Aggregate", 1);
    /* a join: the 30 rows of u each meet one row of t */
    check_total(c, "SELECT * FROM t JOIN u ON t.a = u.c", "Join", 30);
    check_total(c, "SELECT * FROM t JOIN u ON t.a = u.c WHERE t.b = 1", "Join", 3);
    /* the top node ran once on the coordinator */
    const char *text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) SELECT count(*) FROM t");
    TEST_CHECK(strstr(text, "Aggregate (actual rows=1 loops=1)\n") != NULL);
    /* LIMIT 0 starts no fragment: PostgreSQL 15 says "(never executed)" of the scan */
    text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) SELECT * FROM t LIMIT 0");
    TEST_CHECK(strstr(text, "Limit (actual rows=0 loops=1)\n") != NULL);
    TEST_CHECK(strstr(text, "Seq Scan on t (never executed)\n") != NULL);
    /* a Hash returns the rows of its input: u's 30 (the smaller side is built) or t's 1000 */
    text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) SELECT * FROM t JOIN u ON t.a = u.c");
    TEST_CHECK(strstr(text, "Hash (actual rows=30 loops=1)\n") != NULL ||
               strstr(text, "Hash (actual rows=1000 loops=1)\n") != NULL);
    text = run(c, "EXPLAIN (COSTS OFF) SELECT count(*) FROM t");
    TEST_CHECK(strstr(text, "actual") == NULL);
}

/* The structured formats: the same figures as keys. */
static void script_structured(capture *c) {
    const char *doc = run(c, "EXPLAIN (ANALYZE, SUMMARY OFF, FORMAT JSON) SELECT count(*) "
                             "FROM t");
    TEST_CHECK(strstr(doc, "\"Actual Rows\": 1,\n") != NULL);
    TEST_CHECK(strstr(doc, "\"Actual Loops\": 1") != NULL);
    doc = run(c, "EXPLAIN (ANALYZE, SUMMARY OFF, FORMAT XML) SELECT count(*) FROM t");
    TEST_CHECK(strstr(doc, "<Actual-Rows>1</Actual-Rows>") != NULL);
}

static void script(capture *c) {
    script_counts(c);
    script_structured(c);
}

static void test_explain_actual(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_explain_actual)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
