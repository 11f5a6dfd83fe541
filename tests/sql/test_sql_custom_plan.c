/* test_sql_custom_plan.c: a prepared statement whose parameters are compared with columns is
 * planned for its bound values (a custom plan), as PostgreSQL plans its first executions:
 * on a skewed column (one value in 90% of the rows, the others rare; ANALYZE), EXPLAIN EXECUTE
 * shows an Index Scan for a rare value and a Seq Scan for the common one, with the value as
 * a constant, as PostgreSQL 15 does; a range on a clustered column gets the zone maps' skip
 * in its cost. PostgreSQL's switching rule: after five custom plans the generic plan ($1 in
 * EXPLAIN) is used when it costs less than the custom plans did on average with their
 * planning (the skewed column, the primary-key lookup), and never while it costs more (a
 * narrow range whose generic plan is a Seq Scan); pg_prepared_statements counts
 * generic_plans / custom_plans as PostgreSQL 15 (the figures were checked there). The
 * protocol's Parse/Bind/Execute follows the same rule (seen in pg_stat_user_tables' seq_scan
 * and idx_scan); plan_cache_mode = force_generic_plan keeps one plan for every value and
 * force_custom_plan plans for the values. Results are the same whatever the plan.
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
    /* The first five executions are planned for their values... */
    for (int i = 0; i < 5; i++) {
        bool rare = i % 2 == 0;
        long seq = scans(c, "seq_scan"), idx = scans(c, "idx_scan");
        run_extended(c, rare ? "50" : "1", rare ? "1\nSELECT 1\n" : "18000\nSELECT 1\n");
        TEST_CHECK(scans(c, rare ? "idx_scan" : "seq_scan") ==
                   (rare ? idx : seq) + 1);
        TEST_CHECK(scans(c, rare ? "seq_scan" : "idx_scan") == (rare ? seq : idx));
    }
    /* ... then the generic plan (an index scan) is cheaper than their average: the common
     * value reads the index too. */
    for (int i = 0; i < 2; i++) {
        long seq = scans(c, "seq_scan"), idx = scans(c, "idx_scan");
        run_extended(c, "1", "18000\nSELECT 1\n");
        TEST_CHECK(scans(c, "idx_scan") == idx + 1 && scans(c, "seq_scan") == seq);
    }
}

/* generic_plans and custom_plans of prepared statement `name`, as "g c". */
static void counts(capture *c, const char *name, const char *want) {
    char q[200], w[64];
    snprintf(q, sizeof q, "SELECT generic_plans || ' ' || custom_plans FROM "
                          "pg_prepared_statements WHERE name = '%s'", name);
    snprintf(w, sizeof w, "?column?\n%s\nSELECT 1\n", want);
    expect(c, q, w);
}

/* PostgreSQL's switch to the generic plan by cost, checked on PostgreSQL 15 with the same
 * table: q (cat = $1) goes generic after five custom plans, a primary-key lookup too, a
 * narrow range (ts > $1, generic plan a Seq Scan) keeps its custom plans. */
static void switching(capture *c) {
    expect(c, "PREPARE q(int) AS SELECT count(*) FROM sk WHERE cat = $1", "PREPARE\n");
    for (int i = 0; i < 5; i++) { /* custom plans, shown with the value (PostgreSQL 15) */
        if (i % 2 == 0) sh_plan_has(c, "EXECUTE q(1)", "Filter: (cat = 1)", "Index Scan");
        else sh_plan_has(c, "EXECUTE q(50)", "Index Cond: (cat = 50)", "Seq Scan");
    }
    counts(c, "q", "0 5");
    sh_plan_has(c, "EXECUTE q(1)", "Index Cond: (cat = $1)", "Seq Scan");
    sh_plan_has(c, "EXECUTE q(50)", "Index Cond: (cat = $1)", "Seq Scan");
    expect(c, "EXECUTE q(1)", "count\n18000\nSELECT 1\n");
    expect(c, "EXECUTE q(50)", "count\n1\nSELECT 1\n");
    counts(c, "q", "4 5");
    expect(c, "PREPARE k(int) AS SELECT note FROM sk WHERE id = $1", "PREPARE\n");
    sh_plan_has(c, "(VERBOSE) EXECUTE k(3)", "Index Cond: (sk.id = 3)", "$1");
    for (int i = 0; i < 4; i++) expect(c, "EXECUTE k(3)", "note\nn3\nSELECT 1\n");
    sh_plan_has(c, "EXECUTE k(3)", "Index Cond: (id = $1)", NULL);
    expect(c, "EXECUTE k(4)", "note\nn4\nSELECT 1\n");
    counts(c, "k", "2 5");
    expect(c, "PREPARE g(int) AS SELECT count(*) FROM sk WHERE ts > $1", "PREPARE\n");
    for (int i = 0; i < 7; i++) expect(c, "EXECUTE g(19990)", "count\n10\nSELECT 1\n");
    sh_plan_has(c, "EXECUTE g(19990)", "Index Cond: (ts > 19990)", "$1");
    counts(c, "g", "0 8");
    expect(c, "PREPARE z AS SELECT 1", "PREPARE\n");
    expect(c, "EXECUTE z", "?column?\n1\nSELECT 1\n");
    expect(c, "EXECUTE z", "?column?\n1\nSELECT 1\n");
    counts(c, "z", "2 0");
}

static void plan_cache_modes(capture *c) {
    expect(c, "SET plan_cache_mode = force_generic_plan", "SET\n");
    sh_plan_has(c, "EXECUTE g(19990)", "(ts > $1)", "19990"); /* PostgreSQL: Index Only */
    sh_plan_has(c, "EXECUTE q(1)", "Index Scan using sk_cat on sk", "Seq Scan");
    sh_plan_has(c, "EXECUTE q(50)", "Index Scan using sk_cat on sk", "Seq Scan");
    expect(c, "EXECUTE q(1)", "count\n18000\nSELECT 1\n");
    expect(c, "SET plan_cache_mode = force_custom_plan", "SET\n");
    for (int i = 0; i < 3; i++) { /* forced past the five as well */
        sh_plan_has(c, "EXECUTE q(1)", "Seq Scan on sk", "Index Scan");
        sh_plan_has(c, "EXECUTE q(50)", "Index Cond: (cat = 50)", "Seq Scan");
    }
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
    switching(c);
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
