/* test_sql_grouping.c: grouping sets, GROUPING(), the ordered-set aggregates and the memory
 * budget of hash aggregation and hash join, end to end.
 * An in-process database (sql_test_db.h) with two shards runs statements through the parser,
 * binder, optimiser and executor over a table spread on four partitions, so every aggregation
 * here runs partially on both shards and is finished on the coordinator:
 *  - ROLLUP / GROUPING SETS results with GROUPING() bits, DISTINCT and FILTER aggregates, and
 *    the row an empty input still gives for the empty set; the answers are PostgreSQL 15's;
 *  - EXPLAIN shows the shards' partial aggregation by every column under the coordinator's
 *    grouping sets (MixedAggregate, one Hash Key per set, Group Key: ()), and for DISTINCT
 *    aggregates the shards' de-duplication of (group, argument) pairs;
 *  - percentile_cont / percentile_disc / mode, scalar and array forms, and the 22003 error;
 *  - with sql_exec_hash_bytes_max lowered, a GROUP BY with many groups and a hash join with
 *    a large inner side fail with 53200 "out of memory" naming the budget (the server goes
 *    on: the next statements run), and pass again under the default budget. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tests/sql/sql_test_db.h"

static sdb_result res;

#define CHECK_ROWS(sql, want) TEST_CHECK(sdb_expect(sql, want))
#define CHECK_ERROR(sql, state) TEST_CHECK(sdb_expect_error(sql, state))

static void grouping_setup(void) {
    TEST_CHECK(sdb_create_table("CREATE TABLE g (id int8 PRIMARY KEY, a int4, b text, x float8)",
                                4) != 0);
    TEST_CHECK(sdb_exec("INSERT INTO g SELECT i, i % 3, 'k' || (i % 4), i * 1.5 "
                        "FROM generate_series(1, 24) i", &res) && res.affected == 24);
}

static void grouping_sets(void) {
    CHECK_ROWS("SELECT a, b, count(*), sum(x), grouping(a, b) FROM g GROUP BY ROLLUP (a, b) "
               "ORDER BY 5, 1, 2",
               "0|k0|2|54|0\n0|k1|2|45|0\n0|k2|2|36|0\n0|k3|2|27|0\n"
               "1|k0|2|30|0\n1|k1|2|21|0\n1|k2|2|48|0\n1|k3|2|39|0\n"
               "2|k0|2|42|0\n2|k1|2|33|0\n2|k2|2|24|0\n2|k3|2|51|0\n"
               "0|NULL|8|162|1\n1|NULL|8|138|1\n2|NULL|8|150|1\nNULL|NULL|24|450|3\n");
    /* No rows: the empty set still gives its row, the others none. */
    CHECK_ROWS("SELECT a, count(*) FROM g WHERE id > 100 GROUP BY ROLLUP (a)", "NULL|0\n");
    CHECK_ROWS("SELECT a, b, count(DISTINCT x::int8 % 5), count(*) FILTER (WHERE x > 10) FROM g "
               "GROUP BY GROUPING SETS ((a), (b), ()) ORDER BY 1, 2",
               "0|NULL|4|6\n1|NULL|5|6\n2|NULL|5|6\nNULL|k0|5|5\nNULL|k1|5|4\nNULL|k2|5|4\n"
               "NULL|k3|5|5\nNULL|NULL|5|18\n");
    CHECK_ERROR("SELECT a, grouping(b) FROM g GROUP BY ROLLUP (a)", "42803");
    CHECK_ERROR("SELECT count(*) FROM g GROUP BY CUBE (a, a, a, a, a, a, a, a, a, a, a, a, a)",
                "54011");
}

/* The shards group by every column; the coordinator merges the states into each set. */
static void grouping_explain(void) {
    TEST_CHECK(sdb_exec("EXPLAIN (COSTS OFF) SELECT a, b, count(*) FROM g "
                        "GROUP BY ROLLUP (a, b)", &res));
    const char *want = "Finalize MixedAggregate\n"
                       "  Hash Key: a, b\n"
                       "  Hash Key: a\n"
                       "  Group Key: ()\n"
                       "  ->  Gather\n"
                       "        Partitions: 4\n"
                       "        ->  Partial HashAggregate\n"
                       "              Group Key: a, b\n";
    if (strncmp(res.text, want, strlen(want)) != 0) {
        rt_log(RT_LOG_ERROR, NULL, "EXPLAIN:\n%s\nwant it to start with:\n%s", res.text, want);
        TEST_CHECK(false);
    }
}

/* count(DISTINCT b) cannot merge states; the shards drop their duplicate (a, b) pairs. */
static void grouping_distinct_pushdown(void) {
    TEST_CHECK(sdb_exec("EXPLAIN (COSTS OFF) SELECT a, count(DISTINCT b) FROM g GROUP BY a", &res));
    const char *want = "HashAggregate\n"
                       "  Group Key: a\n"
                       "  ->  Gather\n"
                       "        Partitions: 4\n"
                       "        ->  HashAggregate\n"
                       "              Group Key: a, b\n";
    if (strncmp(res.text, want, strlen(want)) != 0) {
        rt_log(RT_LOG_ERROR, NULL, "EXPLAIN:\n%s\nwant it to start with:\n%s", res.text, want);
        TEST_CHECK(false);
    }
    CHECK_ROWS("SELECT a, count(DISTINCT b), sum(DISTINCT length(b)), grouping(a) FROM g "
               "GROUP BY ROLLUP (a) ORDER BY 1",
               "0|4|2|0\n1|4|2|0\n2|4|2|0\nNULL|4|2|1\n");
    CHECK_ROWS("SELECT a, count(DISTINCT b) FROM g WHERE x > 30 GROUP BY CUBE (a) ORDER BY 1",
               "0|2\n1|1\n2|1\nNULL|4\n");
}

static void grouping_ordered_sets(void) {
    CHECK_ROWS("SELECT a, percentile_cont(0.5) WITHIN GROUP (ORDER BY x), "
               "percentile_disc(0.25) WITHIN GROUP (ORDER BY b), "
               "mode() WITHIN GROUP (ORDER BY b DESC) FROM g GROUP BY a ORDER BY a",
               "0|20.25|k0|k3\n1|17.25|k0|k3\n2|18.75|k0|k3\n");
    CHECK_ROWS("SELECT percentile_cont(ARRAY[0, 0.5, 1]) WITHIN GROUP (ORDER BY x) FROM g",
               "{1.5,18.75,36}\n");
    CHECK_ROWS("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM g WHERE id > 100",
               "NULL\n");
    CHECK_ERROR("SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY x) FROM g WHERE id > 100",
                "22003");
}

static bool grouping_oom(const char *sql, const char *what) {
    if (sdb_exec(sql, &res)) {
        rt_log(RT_LOG_ERROR, NULL, "%s: succeeded under a 256 KiB budget", sql);
        return false;
    }
    if (strcmp(res.err.sqlstate, "53200") != 0 || strcmp(res.err.message, "out of memory") != 0 ||
        strstr(res.err.detail, what) == NULL || strstr(res.err.detail, "262144 bytes") == NULL) {
        rt_log(RT_LOG_ERROR, NULL, "%s: %s %s (%s)", sql, res.err.sqlstate, res.err.message,
               res.err.detail);
        return false;
    }
    return true;
}

/* Past its budget a hash aggregation or hash join fails cleanly; smaller ones still run. */
static void grouping_memory_budget(void) {
    TEST_CHECK(sdb_create_table("CREATE TABLE big (id int8 PRIMARY KEY, k int4, s text)", 4) != 0);
    TEST_CHECK(sdb_exec("INSERT INTO big SELECT i, i % 7, repeat('x', 40) || i "
                        "FROM generate_series(1, 20000) i", &res) && res.affected == 20000);
    sql_exec_hash_bytes_max = 256u << 10;
    TEST_CHECK(grouping_oom("SELECT s, count(*) FROM big GROUP BY s", "aggregation"));
    TEST_CHECK(grouping_oom("SELECT k, count(DISTINCT s) FROM big GROUP BY k", "aggregation"));
    TEST_CHECK(grouping_oom("SELECT count(*) FROM big a JOIN big b ON a.s = b.s", "join"));
    CHECK_ROWS("SELECT k, count(*) FROM big GROUP BY ROLLUP (k) HAVING k IS NULL OR k = 0 "
               "ORDER BY 1", "0|2857\nNULL|20000\n");
    sql_exec_hash_bytes_max = SQL_EXEC_HASH_BYTES_MAX;
    CHECK_ROWS("SELECT count(*) FROM (SELECT s, count(*) FROM big GROUP BY s) t", "20000\n");
    CHECK_ROWS("SELECT count(*) FROM big a JOIN big b ON a.s = b.s", "20000\n");
}

static void grouping_fiber(void *arg) {
    (void)arg;
    grouping_setup();
    grouping_sets();
    grouping_explain();
    grouping_distinct_pushdown();
    grouping_ordered_sets();
    grouping_memory_budget();
    rt_runtime_stop();
}

static void test_sql_grouping_end_to_end(void **state) {
    (void)state;
    assert_int_equal(sdb_run(2, grouping_fiber, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_grouping_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
