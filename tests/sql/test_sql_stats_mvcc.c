/* test_sql_stats_mvcc.c: the column statistics of an ANALYZE inside a transaction are the
 * transaction's until it commits, as PostgreSQL's pg_statistic rows are MVCC: its own plans use
 * them at once, another session plans with the committed ones until the commit, and never with
 * those of an ANALYZE rolled back (wholly, to a savepoint, or by a failed statement). The row
 * count (pg_class.reltuples) is updated in place for everyone at once, as PostgreSQL's.
 * pg_stats shows each session what it plans with.
 * How: a real engine driven by two SQL sessions in-process (sql_session_harness.h). Column b
 * of a 1,000-row table first holds ten values equally often; then 900 rows are set to 3 (the
 * table has autovacuum_enabled = off, so no auto-analyze runs). The planner's estimate of
 * `b = 3` (EXPLAIN's rows=) is about 100 with the first statistics and about 900 with new
 * ones: the test only asks which side of 400 it is on. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

#define QUERY "SELECT * FROM smv WHERE b = 3"
#define OLD_AND_NEW_SPLIT 400.0

/* The rows EXPLAIN (COSTS ON) estimates for the scan of QUERY in session c (-1: none). */
static double estimate(capture *c) {
    const char *got = run(c, "EXPLAIN (COSTS ON) " QUERY);
    const char *at = strstr(got, "rows=");
    TEST_CHECK(at != NULL);
    return at != NULL ? strtod(at + 5, NULL) : -1;
}

/* Counts a mismatch unless session c plans with the new statistics (`fresh`) or the old. */
static void sees(capture *c, bool fresh, const char *when) {
    double rows = estimate(c);
    bool got_fresh = rows > OLD_AND_NEW_SPLIT;
    if (rows < 0 || got_fresh != fresh) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "%s: estimated %.0f rows, want the %s statistics\n", when, rows,
                fresh ? "new" : "old");
    }
}

static void setup(capture *a, capture *b) {
    expect(a, "CREATE TABLE smv (a int PRIMARY KEY, b int) WITH (autovacuum_enabled = off)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO smv SELECT g, g % 10 FROM generate_series(1, 1000) g",
           "INSERT 0 1000\n");
    expect(a, "ANALYZE smv", "ANALYZE\n");
    expect(a, "UPDATE smv SET b = 3 WHERE a <= 900", "UPDATE 900\n");
    sees(a, false, "a, after the first ANALYZE");
    sees(b, false, "b, after the first ANALYZE");
}

/* Rolled back, wholly or in part: b never sees them; a only until the rollback. */
static void script_rollbacks(capture *a, capture *b) {
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "ANALYZE smv", "ANALYZE\n");
    sees(a, true, "a, in its ANALYZE's transaction");
    sees(b, false, "b, while a's ANALYZE is not committed");
    expect(b, "SELECT count(*) FROM pg_stats WHERE tablename = 'smv' AND attname = 'b' "
              "AND most_common_freqs[1] > 0.5",
           "count\n0\nSELECT 1\n");
    expect(a, "SELECT count(*) FROM pg_stats WHERE tablename = 'smv' AND attname = 'b' "
              "AND most_common_freqs[1] > 0.5",
           "count\n1\nSELECT 1\n");
    /* reltuples is updated in place: b sees the count (the same 1000 here) at once */
    expect(b, "SELECT reltuples FROM pg_class WHERE relname = 'smv'",
           "reltuples\n1000\nSELECT 1\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    sees(a, false, "a, after ROLLBACK");
    sees(b, false, "b, after a's ROLLBACK");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "ANALYZE smv", "ANALYZE\n");
    sees(a, true, "a, after ANALYZE in a savepoint");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    sees(a, false, "a, after ROLLBACK TO SAVEPOINT");
    expect(a, "ANALYZE smv", "ANALYZE\n");
    expect(a, "SELECT 1 / 0", "ERROR 22012: division by zero\n");
    expect(a, "COMMIT", "ROLLBACK\n");
    sees(a, false, "a, after its failed transaction");
    sees(b, false, "b, after a's failed transaction");
}

/* Committed: b plans with them from the commit on (a savepoint released on the way). */
static void script_commit(capture *a, capture *b) {
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "ANALYZE smv", "ANALYZE\n");
    expect(a, "RELEASE SAVEPOINT s", "RELEASE\n");
    sees(b, false, "b, before a's COMMIT");
    expect(a, "COMMIT", "COMMIT\n");
    sees(b, true, "b, after a's COMMIT");
    sees(a, true, "a, after its COMMIT");
    expect(b, "SELECT count(*) FROM pg_stats WHERE tablename = 'smv' AND attname = 'b' "
              "AND most_common_freqs[1] > 0.5",
           "count\n1\nSELECT 1\n");
}

/* A later ANALYZE outside any transaction is everyone's at once; one in b's transaction does
 * not change what a sees, and a's own later plans keep b's committed ones. */
static void script_other_way(capture *a, capture *b) {
    expect(a, "UPDATE smv SET b = a % 10", "UPDATE 1000\n");
    expect(a, "ANALYZE smv", "ANALYZE\n");
    sees(b, false, "b, after a's ANALYZE outside a transaction");
    expect(a, "UPDATE smv SET b = 3 WHERE a <= 900", "UPDATE 900\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "ANALYZE smv", "ANALYZE\n");
    sees(b, true, "b, in its own ANALYZE's transaction");
    sees(a, false, "a, while b's ANALYZE is not committed");
    expect(b, "COMMIT", "COMMIT\n");
    sees(a, true, "a, after b's COMMIT");
}

static void sessions(capture *s[SH_SESSIONS]) {
    setup(s[0], s[1]);
    script_rollbacks(s[0], s[1]);
    script_commit(s[0], s[1]);
    script_other_way(s[0], s[1]);
}

static void test_stats_mvcc(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("stats_mvcc", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_stats_mvcc)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
