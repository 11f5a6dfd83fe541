/* test_sql_pg_stats.c: pg_stats of a table larger than ANALYZE's sample (what SQL logic tests
 * cannot pin down, as the sample is random): PostgreSQL 15's rules still show. A unique column
 * is n_distinct -1 with a histogram and no MCVs; a column one value fills half of is that
 * value first in the MCVs with a frequency near 0.5, while values no more common than the rest
 * stay out of the list (the significance test of a sampled table); a column of few values
 * is n_distinct their count; a column mostly NULL has null_frac near its share; values wider
 * than 1 kB are counted (avg_width) but are never MCVs nor histogram bounds; a column inserted
 * in order correlates 1. The histogram has PostgreSQL's 101 bounds. pg_stat_user_tables counts
 * each statement's scans once (not per shard): seq_scan for a scan of the whole table,
 * idx_scan for a lookup by the primary key.
 * How: a real engine driven by an SQL session in-process (sql_session_harness.h); the sampled
 * figures are checked with wide margins. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

#define ROWS 50000 /* more than SQL_STATS_SAMPLE_ROWS (30000) */

/* The one value `sql` returns (first column of the first row), as text. */
static const char *value_of(capture *c, const char *sql) {
    static char buf[8192];
    const char *out = run(c, sql);
    const char *row = strchr(out, '\n'); /* past the header */
    buf[0] = '\0';
    if (row == NULL) return buf;
    row++;
    size_t n = strcspn(row, "\n");
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, row, n);
    buf[n] = '\0';
    return buf;
}

static double number_of(capture *c, const char *sql) {
    return strtod(value_of(c, sql), NULL);
}

static void script(capture *c) {
    expect(c, "CREATE TABLE ps (id int PRIMARY KEY, half int, few int, sparse int, wide text, "
              "spread int)", "CREATE TABLE\n");
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO ps SELECT g, CASE WHEN g %% 2 = 0 THEN 7 ELSE g END, g %% 5, "
             "CASE WHEN g %% 10 = 0 THEN g END, CASE WHEN g %% 3 = 0 THEN repeat('w', 2000) "
             "ELSE 'n' || (g %% 4) END, g %% 1000 FROM generate_series(1, %d) g", ROWS);
    char want[64];
    snprintf(want, sizeof want, "INSERT 0 %d\n", ROWS);
    expect(c, sql, want);
    expect(c, "ANALYZE ps", "ANALYZE\n");
#define COL(what, att)                                                                     \
    "SELECT " what " FROM pg_stats WHERE tablename = 'ps' AND attname = '" att "'"
    TEST_CHECK(strcmp(value_of(c, COL("n_distinct", "id")), "-1") == 0);
    TEST_CHECK(strcmp(value_of(c, COL("most_common_vals IS NULL", "id")), "t") == 0);
    TEST_CHECK(number_of(c, COL("array_length(histogram_bounds::text::int[], 1)", "id")) == 101);
    TEST_CHECK(number_of(c, COL("correlation", "id")) > 0.999);
    /* half: 7 is half of the rows; the others are each seen once at most. */
    TEST_CHECK(strcmp(value_of(c, COL("most_common_vals::text", "half")), "{7}") == 0);
    double f7 = number_of(c, COL("most_common_freqs[1]", "half"));
    TEST_CHECK(f7 > 0.45 && f7 < 0.55);
    /* few: five values, each a fifth: all of them, n_distinct 5. */
    TEST_CHECK(strcmp(value_of(c, COL("n_distinct", "few")), "5") == 0);
    TEST_CHECK(number_of(c, COL("array_length(most_common_freqs, 1)", "few")) == 5);
    double nf = number_of(c, COL("null_frac", "sparse"));
    TEST_CHECK(nf > 0.85 && nf < 0.95);
    /* wide: a third of the values 2000 bytes (2004 stored), the rest 3 bytes: none of the wide
     * ones among the MCVs. */
    double w = number_of(c, COL("avg_width", "wide"));
    TEST_CHECK(w > 600 && w < 740);
    TEST_CHECK(strstr(value_of(c, COL("most_common_vals::text", "wide")), "{n") != NULL);
    TEST_CHECK(strstr(value_of(c, COL("most_common_vals::text", "wide")), "www") == NULL);
    /* spread: 1000 values equally common: none significantly more common than the others. */
    double mcvs = number_of(c, COL("coalesce(array_length(most_common_freqs, 1), 0)", "spread"));
    TEST_CHECK(mcvs < 1000);
    double nd = number_of(c, COL("n_distinct", "spread"));
    TEST_CHECK(nd > 900 && nd <= 1000);
#undef COL
#define SCANS "SELECT seq_scan || '/' || idx_scan FROM pg_stat_user_tables WHERE relname = 'ps'"
    char before[64], after[64];
    snprintf(before, sizeof before, "%s", value_of(c, SCANS));
    long seq0 = strtol(before, NULL, 10), idx0 = strtol(strchr(before, '/') + 1, NULL, 10);
    expect(c, "SELECT count(*) FROM ps WHERE few = 9", "count\n0\nSELECT 1\n");
    expect(c, "SELECT few FROM ps WHERE id = 12", "few\n2\nSELECT 1\n");
    expect(c, "SELECT few FROM ps WHERE id = 13", "few\n3\nSELECT 1\n");
    snprintf(after, sizeof after, "%s", value_of(c, SCANS));
    TEST_CHECK(strtol(after, NULL, 10) == seq0 + 1);
    TEST_CHECK(strtol(strchr(after, '/') + 1, NULL, 10) == idx0 + 2);
#undef SCANS
}

static void test_pg_stats_sampled(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_pg_stats_sampled)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
