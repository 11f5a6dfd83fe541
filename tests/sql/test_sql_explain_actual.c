/* test_sql_explain_actual.c: EXPLAIN's estimates and EXPLAIN ANALYZE's per-node actual
 * figures, as PostgreSQL 15 prints them: "(cost=S..T rows=R width=W)" on every node by
 * default, " (actual time=A..B rows=R loops=L)" with TIMING (the default) and " (actual
 * rows=R loops=L)" with TIMING OFF after each node's line, "Rows Removed by Filter" / "Rows
 * Removed by Join Filter" under the nodes that filtered, the same as keys in the structured
 * formats. A node in the shards' fragments (below the Gather) is started once per fragment
 * and its rows are summed over them; R (and the rows removed) is per start, as PostgreSQL
 * divides a parallel node's figures by its loops.
 * What: a filtered scan, an aggregate and a join show the true row counts (R times L within
 * the rounding of the division, equal when L is 1); a node that never ran says so; every node
 * line carries an estimate with startup <= total; the rows removed by a scan's filter, a
 * nested loop's and a hash join's join filter and a HAVING are the counts the same queries'
 * complements return; times are non-negative, first row before the last, and a LATERAL
 * subquery's nodes run once per outer row.
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
    snprintf(q, sizeof q, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", sql);
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
    const char *text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                               "SELECT count(*) FROM t");
    TEST_CHECK(strstr(text, "Aggregate (actual rows=1 loops=1)\n") != NULL);
    /* LIMIT 0 starts no fragment: PostgreSQL 15 says "(never executed)" of the scan */
    text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM t LIMIT 0");
    TEST_CHECK(strstr(text, "Limit (actual rows=0 loops=1)\n") != NULL);
    TEST_CHECK(strstr(text, "Seq Scan on t (never executed)\n") != NULL);
    /* a Hash returns the rows of its input: u's 30 (the smaller side is built) or t's 1000 */
    text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                  "SELECT * FROM t JOIN u ON t.a = u.c");
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

/* The count(*) of `from_where` ("FROM ... WHERE ..."). */
static double count_of(capture *c, const char *from_where) {
    char q[512];
    snprintf(q, sizeof q, "SELECT count(*) %s", from_where);
    const char *got = run(c, q);
    TEST_CHECK(strncmp(got, "count\n", 6) == 0);
    return strncmp(got, "count\n", 6) == 0 ? strtod(got + 6, NULL) : -1;
}

/* "label: N" among the detail lines of the first node line of `text` containing `node` (up
 * to the next node line); false when it has none. */
static bool detail_of(const char *text, const char *node, const char *label, double *n) {
    const char *at = strstr(text, node);
    if (at == NULL) return false;
    for (const char *line = strchr(at, '\n'); line != NULL; line = strchr(line + 1, '\n')) {
        const char *eol = strchr(line + 1, '\n');
        size_t len = eol != NULL ? (size_t)(eol - line) : strlen(line);
        const char *arrow = strstr(line, "->");
        if (arrow != NULL && arrow < line + len) return false; /* the next node */
        const char *l = strstr(line, label);
        if (l != NULL && l < line + len) return sscanf(l + strlen(label), ": %lf", n) == 1;
    }
    return false;
}

/* Counts a mismatch unless `label` of `node` in EXPLAIN ANALYZE of `sql` times its loops is
 * `want` (within the rounding of the division by the loops). */
static void check_removed(capture *c, const char *sql, const char *node, const char *label,
                          double want) {
    char q[512];
    snprintf(q, sizeof q, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) %s", sql);
    const char *text = run(c, q);
    double rows, n = -1;
    unsigned loops = 0;
    bool ok = actual_of(text, node, &rows, &loops) && loops > 0 &&
              detail_of(text, node, label, &n);
    ok = ok && n * loops >= want - loops / 2.0 && n * loops <= want + loops / 2.0;
    if (!ok) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "%s: want %s %.0f in all on %s, got:\n%s", sql, label, want, node, text);
    }
}

/* The rows filters removed, against the counts of the rows they kept and of those they saw. */
static void script_removed(capture *c) {
    expect(c, "CREATE TABLE v (x int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO v SELECT g FROM generate_series(1, 10) g", "INSERT 0 10\n");
    /* a scan's filter: every row it read and did not return */
    check_removed(c, "SELECT * FROM t WHERE b < 3", "Seq Scan on t", "Rows Removed by Filter",
                  1000 - count_of(c, "FROM t WHERE b < 3"));
    /* a nested loop's join filter: the pairs it tested and rejected (300 pairs) */
    check_removed(c, "SELECT * FROM u JOIN v ON u.c > v.x", "Nested Loop",
                  "Rows Removed by Join Filter", 300 - count_of(c, "FROM u JOIN v ON u.c > v.x"));
    /* a hash join's join filter: the pairs the keys matched (30) that the rest rejected */
    check_removed(c, "SELECT * FROM t JOIN u ON t.a = u.c AND t.b < u.c - 25", "Hash Join",
                  "Rows Removed by Join Filter",
                  30 - count_of(c, "FROM t JOIN u ON t.a = u.c AND t.b < u.c - 25"));
    /* HAVING: the groups (10) the aggregate's filter dropped */
    check_removed(c, "SELECT b FROM t GROUP BY b HAVING sum(a) > 50000", "Aggregate",
                  "Rows Removed by Filter",
                  10 - count_of(c, "FROM (SELECT b FROM t GROUP BY b HAVING sum(a) > 50000) s"));
    /* nothing removed: no line in text, 0 in the structured formats */
    const char *text = run(c, "EXPLAIN (ANALYZE, SUMMARY OFF) SELECT * FROM t WHERE b < 100");
    TEST_CHECK(strstr(text, "Filter: (b < 100)") != NULL && strstr(text, "Removed") == NULL);
    text = run(c, "EXPLAIN (ANALYZE, SUMMARY OFF, FORMAT JSON) SELECT * FROM t WHERE b < 100");
    TEST_CHECK(strstr(text, "\"Rows Removed by Filter\": 0") != NULL);
    expect(c, "DROP TABLE v", "DROP TABLE\n");
}

/* Every node line of `text` (the first, and each "->  " line) carries "(cost=S..T rows=R
 * width=W)" with 0 <= S <= T and R >= 1 (0 for a ModifyTable returning nothing). */
static void check_costs(const char *sql, const char *text) {
    uint32_t nodes = 0, bad = 0;
    const char *line = strchr(text, '\n'); /* after "QUERY PLAN" */
    for (bool first = true; line != NULL && line[1] != '\0'; line = strchr(line + 1, '\n')) {
        const char *eol = strchr(line + 1, '\n');
        size_t len = eol != NULL ? (size_t)(eol - line) : strlen(line);
        const char *arrow = strstr(line + 1, "->  ");
        bool node = first || (arrow != NULL && arrow < line + len);
        first = false;
        if (!node || strncmp(line + 1, "EXPLAIN", 7) == 0) continue;
        nodes++;
        const char *cost = strstr(line, "  (cost=");
        double s = -1, t = -1, rows = -1;
        unsigned width = 0;
        bool ok = cost != NULL && cost < line + len &&
                  sscanf(cost, "  (cost=%lf..%lf rows=%lf width=%u)", &s, &t, &rows, &width) == 4;
        bool modify = strstr(line, "Insert on") != NULL && strstr(line, "Insert on") < line + len;
        if (!ok || s < 0 || s > t || rows < (modify ? 0 : 1)) bad++;
    }
    if (nodes == 0 || bad > 0) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "%s: %u of %u node lines lack a good estimate:\n%s", sql, bad, nodes,
                text);
    }
}

static void script_costs(capture *c) {
    static const char *queries[] = {
        "EXPLAIN SELECT b, count(*) FROM t JOIN u ON t.a = u.c WHERE t.b < 5 GROUP BY b "
        "ORDER BY b",
        "EXPLAIN SELECT * FROM t WHERE a = 5",
        "EXPLAIN SELECT a FROM t ORDER BY b DESC LIMIT 3 OFFSET 1",
        "EXPLAIN SELECT u.a, x.a FROM u, LATERAL (SELECT t.a FROM t WHERE t.a = u.c LIMIT 1) x",
        "EXPLAIN SELECT a FROM t UNION SELECT a FROM u",
        "EXPLAIN SELECT DISTINCT b FROM t WHERE a IN (SELECT c FROM u)",
        "EXPLAIN SELECT b, row_number() OVER (ORDER BY a) FROM t",
        "EXPLAIN WITH w AS MATERIALIZED (SELECT * FROM u) SELECT * FROM w",
        "EXPLAIN INSERT INTO u VALUES (100, 1)",
        "EXPLAIN VERBOSE SELECT count(*) FROM t",
        "EXPLAIN SELECT 1",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        check_costs(queries[i], run(c, queries[i]));
    }
    /* a ModifyTable returning nothing estimates no rows, as PostgreSQL's */
    TEST_CHECK(strstr(run(c, queries[8]), "Insert on u  (cost=") != NULL);
    TEST_CHECK(strstr(run(c, queries[8]), " rows=0 width=0)\n") != NULL);
    /* the structured formats: the four keys on every node */
    const char *doc = run(c, "EXPLAIN (FORMAT YAML) SELECT count(*) FROM t WHERE b = 1");
    const char *keys[] = {"Startup Cost: ", "Total Cost: ", "Plan Rows: ", "Plan Width: "};
    for (size_t k = 0; k < 4; k++) {
        uint32_t n = 0;
        for (const char *at = strstr(doc, keys[k]); at != NULL; at = strstr(at + 1, keys[k])) n++;
        TEST_CHECK(n == 4); /* Finalize Aggregate, Gather, Partial Aggregate, Seq Scan */
    }
    /* COSTS OFF: none */
    TEST_CHECK(strstr(run(c, "EXPLAIN (COSTS OFF) SELECT count(*) FROM t"), "cost=") == NULL);
}

/* " (actual time=A..B rows=R loops=L)" of the first line of `text` containing `node`. */
static bool timed_of(const char *text, const char *node, double *first, double *total,
                     unsigned *loops) {
    const char *at = strstr(text, node);
    if (at == NULL) return false;
    const char *eol = strchr(at, '\n');
    const char *a = strstr(at, "(actual time=");
    double rows;
    if (a == NULL || (eol != NULL && a > eol)) return false;
    return sscanf(a, "(actual time=%lf..%lf rows=%lf loops=%u)", first, total, &rows, loops) == 4;
}

static void script_timing(capture *c) {
    const char *sql = "EXPLAIN (ANALYZE, SUMMARY OFF) SELECT u.a, x.a FROM u, LATERAL (SELECT "
                      "t.a FROM t WHERE t.a = u.c LIMIT 1) x";
    const char *text = run(c, sql);
    static const char *nodes[] = {"Nested Loop", "Seq Scan on u", "Limit", "Index Scan"};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        double first = -1, total = -1;
        unsigned loops = 0;
        bool ok = timed_of(text, nodes[i], &first, &total, &loops) && first >= 0 &&
                  first <= total;
        if (ok && i == 0) ok = loops == 1;
        if (ok && i >= 2) ok = loops == 30; /* once per row of u */
        if (!ok) {
            atomic_fetch_add(&mismatches, 1);
            fprintf(stderr, "%s: bad times or loops on %s:\n%s", sql, nodes[i], text);
        }
    }
    /* the structured formats: the times as keys, with TIMING OFF none */
    const char *doc = run(c, "EXPLAIN (ANALYZE, SUMMARY OFF, FORMAT JSON) SELECT count(*) FROM t");
    TEST_CHECK(strstr(doc, "\"Actual Startup Time\": ") != NULL);
    TEST_CHECK(strstr(doc, "\"Actual Total Time\": ") != NULL);
    doc = run(c, "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT count(*) FROM t");
    TEST_CHECK(strstr(doc, "Time") == NULL);
    /* the summary: both times */
    text = run(c, "EXPLAIN ANALYZE SELECT count(*) FROM t");
    TEST_CHECK(strstr(text, "\nPlanning Time: ") != NULL);
    TEST_CHECK(strstr(text, "\nExecution Time: ") != NULL);
}

static void script(capture *c) {
    script_counts(c);
    script_structured(c);
    script_removed(c);
    script_costs(c);
    script_timing(c);
}

static void test_explain_actual(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_explain_actual)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
