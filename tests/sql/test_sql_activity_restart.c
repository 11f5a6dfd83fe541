/* test_sql_activity_restart.c: pg_stat_user_tables' activity figures across restarts, as
 * PostgreSQL 15's cumulative statistics: an orderly stop keeps them (scans, ANALYZE and VACUUM
 * counts and times come back equal), a crash resets them (zero counts, NULL times), and they
 * count on from where they were after a clean restart; pg_stat_reset() zeroes them.
 * How: each run is a child process over one data directory (sh_run_forked); a run ends either
 * through the orderly stop (eng_shard_stop, eng_stop) or with SIGKILL from the middle of its
 * script (a real kill -9). A run writes the figures it saw to a file in the directory for the
 * next run to compare. The table says autovacuum_enabled = off, so no background ANALYZE or
 * VACUUM changes the figures between two looks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

static char test_dir[128];

#define FIGURES                                                                            \
    "SELECT seq_scan, idx_scan, vacuum_count, analyze_count, last_vacuum::text, "          \
    "last_analyze::text FROM pg_stat_user_tables WHERE relname = 'act'"
#define FIGURES_SET                                                                        \
    "SELECT seq_scan > 0 AND idx_scan > 0 AND vacuum_count > 0 AND analyze_count > 0 AND " \
    "last_vacuum IS NOT NULL AND last_analyze IS NOT NULL AS set FROM pg_stat_user_tables " \
    "WHERE relname = 'act'"
#define FIGURES_RESET                                                                      \
    "SELECT seq_scan = 0 AND idx_scan = 0 AND vacuum_count = 0 AND analyze_count = 0 AND " \
    "last_vacuum IS NULL AND last_analyze IS NULL AS reset FROM pg_stat_user_tables "      \
    "WHERE relname = 'act'"

static void saved_path(char *path, size_t size) {
    snprintf(path, size, "%s/figures.txt", test_dir);
}

/* Writes what FIGURES shows now for the next run. */
static void figures_save(capture *a) {
    char path[192];
    saved_path(path, sizeof path);
    FILE *f = fopen(path, "w");
    TEST_CHECK(f != NULL);
    if (f == NULL) return;
    fputs(run(a, FIGURES), f);
    fclose(f);
}

/* FIGURES must show what the last run saved. */
static void figures_expect_saved(capture *a) {
    char path[192], want[OUT_BYTES];
    saved_path(path, sizeof path);
    FILE *f = fopen(path, "r");
    TEST_CHECK(f != NULL);
    if (f == NULL) return;
    size_t n = fread(want, 1, sizeof want - 1, f);
    fclose(f);
    want[n] = '\0';
    expect(a, FIGURES, want);
}

/* Some of every kind of activity. */
static void work(capture *a) {
    expect(a, "SELECT count(*) FROM act", "count\n100\nSELECT 1\n");       /* seq_scan */
    expect(a, "SELECT v FROM act WHERE id = 7", "v\n14\nSELECT 1\n");      /* idx_scan */
    expect(a, "ANALYZE act", "ANALYZE\n");
    expect(a, "DELETE FROM act WHERE id > 90", "DELETE 10\n");
    expect(a, "VACUUM act", "VACUUM\n");
}

static void script_first(capture *a) {
    expect(a, "CREATE TABLE act (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = off)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO act SELECT g, 2 * g FROM generate_series(1, 100) g", "INSERT 0 100\n");
    work(a);
    expect(a, FIGURES_SET, "set\nt\nSELECT 1\n");
    figures_save(a);
}

/* After the orderly stop: the same figures; they count on from there. */
static void script_after_clean_stop(capture *a) {
    figures_expect_saved(a);
    expect(a, "INSERT INTO act SELECT g, 2 * g FROM generate_series(91, 100) g", "INSERT 0 10\n");
    work(a);
    expect(a, "SELECT seq_scan >= 2, idx_scan >= 2, vacuum_count, analyze_count "
              "FROM pg_stat_user_tables WHERE relname = 'act'",
           "?column?|?column?|vacuum_count|analyze_count\nt|t|2|2\nSELECT 1\n");
    figures_save(a);
}

/* After a second orderly stop: kept again; then more work and a kill -9. */
static void script_clean_then_crash(capture *a) {
    figures_expect_saved(a);
    expect(a, "INSERT INTO act SELECT g, 2 * g FROM generate_series(91, 100) g", "INSERT 0 10\n");
    work(a);
    sh_kill9_now(test_dir);
}

/* After the crash: every figure starts from zero (the rows are all there). */
static void script_after_crash(capture *a) {
    expect(a, FIGURES_RESET, "reset\nt\nSELECT 1\n");
    expect(a, "SELECT count(*) FROM act", "count\n90\nSELECT 1\n");
    expect(a, "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'act'",
           "seq_scan\n1\nSELECT 1\n");
}

/* An orderly stop after the crash keeps the figures counted since; pg_stat_reset() zeroes
 * them (superusers only), and an orderly stop keeps them zero. */
static void script_after_crash_clean(capture *a) {
    expect(a, "SELECT seq_scan, vacuum_count, last_vacuum IS NULL FROM pg_stat_user_tables "
              "WHERE relname = 'act'", "seq_scan|vacuum_count|?column?\n1|0|t\nSELECT 1\n");
    expect(a, "INSERT INTO act SELECT g, 2 * g FROM generate_series(91, 100) g", "INSERT 0 10\n");
    work(a);
    expect(a, FIGURES_SET, "set\nt\nSELECT 1\n");
    expect(a, "CREATE ROLE act_user LOGIN", "CREATE ROLE\n");
    expect(a, "SET ROLE act_user", "SET\n");
    expect(a, "SELECT pg_stat_reset()",
           "ERROR 42501: permission denied for function pg_stat_reset\n");
    expect(a, "RESET ROLE", "RESET\n");
    expect(a, "SELECT pg_stat_reset()", "pg_stat_reset\n\nSELECT 1\n");
    expect(a, FIGURES_RESET, "reset\nt\nSELECT 1\n");
}

static void script_after_reset(capture *a) {
    expect(a, FIGURES_RESET, "reset\nt\nSELECT 1\n");
}

static void test_activity_restarts(void **state) {
    (void)state;
    assert_true(sh_dir_fresh(test_dir, sizeof test_dir, "activity"));
    assert_int_equal(sh_run_forked(test_dir, 2, script_first, NULL), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_clean_stop, NULL), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_clean_then_crash, NULL), 1); /* SIGKILL */
    assert_true(sh_kill9_checks_held(test_dir));
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_crash, NULL), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_crash_clean, NULL), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_reset, NULL), 0);
    assert_true(sh_dir_remove(test_dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_activity_restarts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
