/* test_sql_custom_plan.c: a prepared statement whose parameters are compared with columns is
 * planned for its bound values (a custom plan), as PostgreSQL plans its first executions:
 * on a skewed column (one value in 90% of the rows, the others rare; ANALYZE), EXPLAIN EXECUTE
 * shows an Index Scan for a rare value and a Seq Scan for the common one, as PostgreSQL 15
 * does; a range on a clustered column gets the zone maps' skip in its cost; the protocol's
 * Parse/Bind/Execute plans the same way (seen in pg_stat_user_tables' seq_scan and idx_scan);
 * plan_cache_mode = force_generic_plan keeps one plan for every value and force_custom_plan
 * plans for the values. Results are the same whatever the plan.
 * How: a real engine in a temporary directory driven by an SQL session in-process (the harness
 * of sql_session_harness.h); only plan shapes and wide cost ratios are asserted. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

#define ROWS 20000

/* pg_stat_user_tables' seq_scan or idx_scan of table sk. */
static long scans(capture *c, const char *which) {
    char q[160];
    snprintf(q, sizeof q, "SELECT %s FROM pg_stat_user_tables WHERE relname = 'sk'", which);
    const char *got = run(c, q);
    const char *nl = strchr(got, '\n');
    return nl != NULL ? strtol(nl + 1, NULL, 10) : -1;
}

/* Parse/Bind/Execute/Sync of "SELECT count(*) FROM sk WHERE cat = $1" with `value`. */
static void run_extended(capture *c, const char *value, const char *want) {
    rt_err err;
    rt_err_clear(&err);
    const uint8_t *vals[1] = {(const uint8_t *)value};
    uint32_t lens[1] = {(uint32_t)strlen(value)};
    int16_t fmts[1] = {0};
    sql_bind_args a = {.portal = "", .statement = "pe", .nparams = 1, .param_formats = fmts,
                       .values = vals, .lengths = lens};
    sql_sink sink = cap_sink_proto;
    sink.arg = c;
    c->len = 0;
    c->out[0] = '\0';
    bool suspended = false;
    TEST_CHECK(sql_session_bind(c->s, &a, &err));
    TEST_CHECK(sql_session_execute(c->s, "", 0, &sink, &suspended, &err));
    TEST_CHECK(sql_session_sync(c->s, &err));
    sh_check("extended count", c->out, want);
}

static void extended(capture *c) {
    const char *sql = "SELECT count(*) FROM sk WHERE cat = $1";
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(sql_session_parse(c->s, "pe", sql, (uint32_t)strlen(sql), 0, NULL, &err));
    TEST_CHECK(sql_session_sync(c->s, &err));
    /* Every execution is planned for its value, the seventh as the first. */
    for (int i = 0; i < 7; i++) {
        long seq = scans(c, "seq_scan"), idx = scans(c, "idx_scan");
        run_extended(c, "50", "1\nSELECT 1\n");
        TEST_CHECK(scans(c, "idx_scan") == idx + 1 && scans(c, "seq_scan") == seq);
        seq = scans(c, "seq_scan"), idx = scans(c, "idx_scan");
        run_extended(c, "1", "18000\nSELECT 1\n");
        TEST_CHECK(scans(c, "seq_scan") == seq + 1 && scans(c, "idx_scan") == idx);
    }
}

static void plan_cache_modes(capture *c) {
    expect(c, "SET plan_cache_mode = force_generic_plan", "SET\n");
    sh_plan_has(c, "EXECUTE q(1)", "Index Scan using sk_cat on sk", "Seq Scan");
    sh_plan_has(c, "EXECUTE q(50)", "Index Scan using sk_cat on sk", "Seq Scan");
    expect(c, "EXECUTE q(1)", "count\n18000\nSELECT 1\n");
    expect(c, "SET plan_cache_mode = force_custom_plan", "SET\n");
    sh_plan_has(c, "EXECUTE q(1)", "Seq Scan on sk", "Index Scan");
    sh_plan_has(c, "EXECUTE q(50)", "Index Scan using sk_cat on sk", "Seq Scan");
    expect(c, "RESET plan_cache_mode", "RESET\n");
}

static void script(capture *c) {
    expect(c, "CREATE TABLE sk (id int PRIMARY KEY, cat int, ts int, note text)",
           "CREATE TABLE\n");
    expect(c, "CREATE INDEX sk_cat ON sk (cat)", "CREATE INDEX\n");
    expect(c, "CREATE INDEX sk_ts ON sk (ts)", "CREATE INDEX\n");
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO sk SELECT g, CASE WHEN g %% 10 = 0 THEN g ELSE 1 END, "
                              "g, 'n' || g FROM generate_series(1, %d) g", ROWS);
    expect(c, sql, "INSERT 0 20000\n");
    expect(c, "ANALYZE sk", "ANALYZE\n");
    /* The literals' plans: what the custom plans must match. */
    sh_plan_has(c, "SELECT count(*) FROM sk WHERE cat = 1", "Seq Scan on sk", "Index Scan");
    sh_plan_has(c, "SELECT count(*) FROM sk WHERE cat = 50", "Index Scan using sk_cat", "Seq Scan");
    expect(c, "PREPARE q(int) AS SELECT count(*) FROM sk WHERE cat = $1", "PREPARE\n");
    /* Past PostgreSQL's five custom plans too: each value keeps its own plan. */
    for (int i = 0; i < 7; i++) {
        sh_plan_has(c, "EXECUTE q(1)", "Seq Scan on sk", "Index Scan");
        sh_plan_has(c, "EXECUTE q(50)", "Index Scan using sk_cat on sk", "Seq Scan");
    }
    expect(c, "EXECUTE q(1)", "count\n18000\nSELECT 1\n");
    expect(c, "EXECUTE q(50)", "count\n1\nSELECT 1\n");
    /* EXPLAIN ANALYZE runs it with its arguments. */
    const char *got = run(c, "EXPLAIN ANALYZE EXECUTE q(50)");
    TEST_CHECK(strstr(got, "Index Scan using sk_cat") != NULL && strstr(got, "ERROR") == NULL);
    /* Ranges: BETWEEN $1 AND $2 on the clustered column: a tiny range reads the index, a wide
     * one scans, and the zone maps' skip counts in the scan's cost. */
    expect(c, "PREPARE r(int, int) AS SELECT count(*) FROM sk WHERE ts BETWEEN $1 AND $2",
           "PREPARE\n");
    sh_plan_has(c, "EXECUTE r(1000, 1003)", "Index Scan using sk_ts on sk", "Seq Scan");
    sh_plan_has(c, "EXECUTE r(1, 20000)", "Seq Scan on sk", "Index Scan");
    double full = sh_plan_cost(c, "EXECUTE r(1, 20000)");
    double part = sh_plan_cost(c, "EXECUTE r(1000, 3000)");
    TEST_CHECK(full > 0 && part > 0 && part < full * 0.5);
    expect(c, "EXECUTE r(1000, 3000)", "count\n2001\nSELECT 1\n");
    plan_cache_modes(c);
    extended(c);
    expect(c, "DEALLOCATE ALL", "DEALLOCATE ALL\n");
    expect(c, "DROP TABLE sk", "DROP TABLE\n");
}

static void test_custom_plan(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_custom_plan)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
