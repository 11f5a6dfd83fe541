/* test_sql_zone_plan.c: the planner's cost of a scan counts the row groups its zone maps let
 * it skip. ANALYZE gathers the zone maps (per row group min and max) of integer-ordered
 * columns and of text (by the keys of its first 8 bytes, eng_zone_bytes_key), and
 * sql_stats_zone_fraction gives the share of the table a range leaves to read:
 * small for a narrow range on a clustered column, whole for a column whose values every group
 * spans, none for a range outside the values. The plan
 * follows: a narrow range on the clustered column scans (the skip costs less than the index's
 * lookups), a tiny range or an equality on the unclustered column reads the index, and both
 * give the same rows. EXPLAIN (COSTS ON) shows the scan's smaller cost and the share skipped;
 * plain EXPLAIN keeps PostgreSQL's COSTS OFF layout. A text range costs the share it reads.
 * How: a real engine in a temporary directory driven by an SQL session in-process (the harness
 * of sql_session_harness.h); estimates are checked with wide margins (they come from samples). */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sql/sql_stats.h"
#include "tests/sql/sql_session_harness.h"

#define ROWS 100000

/* The share of table zp that a scan for attnum in [lo, hi] reads, by the statistics. */
static double zone_read(uint16_t attnum, int64_t lo, int64_t hi) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, "zp");
    TEST_CHECK(t != NULL);
    double f = t != NULL ? sql_stats_zone_fraction(t, attnum, lo, hi) : -1;
    eng_catalog_unpin(&ref);
    return f;
}

static int64_t text_key(const char *s) {
    return eng_zone_bytes_key((const uint8_t *)s, (uint32_t)strlen(s));
}

static void script(capture *c) {
    expect(c, "CREATE TABLE zp (id int PRIMARY KEY, ts int, v int, d date, note text)",
           "CREATE TABLE\n");
    expect(c, "CREATE INDEX zp_ts ON zp (ts)", "CREATE INDEX\n");
    expect(c, "CREATE INDEX zp_v ON zp (v)", "CREATE INDEX\n");
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO zp SELECT g, g, g %% 1000, DATE '2000-01-01' + g / "
                              "100, 'n' || g FROM generate_series(1, %d) g", ROWS);
    expect(c, sql, "INSERT 0 100000\n");
    /* Before ANALYZE: nothing known, every row counts. */
    TEST_CHECK(zone_read(2, 1000, 2000) == 1.0);
    expect(c, "ANALYZE zp", "ANALYZE\n");
    double narrow = zone_read(2, 1000, 2000);
    TEST_CHECK(narrow > 0 && narrow < 0.3);               /* a few groups per partition */
    TEST_CHECK(zone_read(2, INT64_MIN, INT64_MAX) > 0.999); /* every group */
    TEST_CHECK(zone_read(2, -100, -1) < 0.001);              /* below every value */
    TEST_CHECK(zone_read(2, 5000, 4000) < 0.001);            /* an empty range */
    TEST_CHECK(zone_read(3, 5, 5) > 0.9);                    /* v: every group spans 0..999 */
    /* text: zone maps of keys (the first 8 bytes); 'n' || g is not clustered in byte order,
     * but a range below or above every value skips everything */
    TEST_CHECK(zone_read(5, INT64_MIN, INT64_MAX) > 0.999);
    TEST_CHECK(zone_read(5, text_key("a"), text_key("b")) < 0.001);
    TEST_CHECK(zone_read(5, text_key("n5000"), text_key("n5001")) < 0.3);
    TEST_CHECK(zone_read(4, 10957 + 100, 10957 + 110) < 0.3); /* dates: days since 2000 */
    /* The clustered range scans, skipping groups; before, its index won (1% of the rows). */
    const char *range = "SELECT count(*) FROM zp WHERE ts BETWEEN 1000 AND 2000";
    sh_plan_has(c, range, "Seq Scan on zp", "Index Scan");
    expect(c, range, "count\n1001\nSELECT 1\n");
    expect(c, "SELECT count(*) FROM zp WHERE ts + 0 BETWEEN 1000 AND 2000",
           "count\n1001\nSELECT 1\n");
    sh_plan_has(c, "SELECT * FROM zp WHERE d = DATE '2000-03-01'", "Seq Scan on zp", NULL);
    /* An index still wins where the skip cannot help or the index finds very few rows. */
    sh_plan_has(c, "SELECT * FROM zp WHERE v = 5", "Index Scan using zp_v on zp", NULL);
    sh_plan_has(c, "SELECT * FROM zp WHERE ts BETWEEN 1000 AND 1003", "Index Scan using zp_ts",
             NULL);
    expect(c, "SELECT count(*) FROM zp WHERE v = 5", "count\n100\nSELECT 1\n");
    /* A parameter's range is unknown to the plan: no skip is counted. */
    expect(c, "PREPARE q(int) AS SELECT count(*) FROM zp WHERE ts < $1", "PREPARE\n");
    expect(c, "EXECUTE q(500)", "count\n499\nSELECT 1\n");
    /* EXPLAIN (COSTS ON): the narrow range costs a fraction of a full scan. */
    double full = sh_plan_cost(c, "SELECT * FROM zp WHERE note = 'x'");
    double part = sh_plan_cost(c, "SELECT * FROM zp WHERE ts BETWEEN 1000 AND 2000");
    /* in PostgreSQL's units: about cpu_tuple_cost and a page's share per row read */
    TEST_CHECK(full > ROWS * 0.01 && full < ROWS * 0.1);
    TEST_CHECK(part > 0 && part < full * 0.3);
    /* A text range: the share its keys leave (here the values 'n5000', 'n50000'..'n50009' and
     * 'n5001' sort together though stored far apart) costs a fraction too. */
    const char *text_range = "SELECT count(*) FROM zp WHERE note BETWEEN 'n5000' AND 'n5001'";
    expect(c, text_range, "count\n12\nSELECT 1\n");
    double text_part = sh_plan_cost(c, text_range);
    TEST_CHECK(text_part > 0 && text_part < full * 0.3);
    const char *got = run(c, "EXPLAIN (COSTS ON) SELECT * FROM zp WHERE ts BETWEEN 1000 AND "
                             "2000");
    TEST_CHECK(strstr(got, "Zone Maps: est. ") != NULL);
    TEST_CHECK(strstr(got, "rows=") != NULL && strstr(got, "width=") != NULL);
    got = run(c, "EXPLAIN (COSTS OFF) SELECT * FROM zp WHERE ts BETWEEN 1000 AND 2000");
    TEST_CHECK(strstr(got, "cost=") == NULL && strstr(got, "Zone Maps") == NULL);
    expect(c, "DROP TABLE zp", "DROP TABLE\n");
}

static void test_zone_plan(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_zone_plan)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
