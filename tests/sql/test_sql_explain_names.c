/* test_sql_explain_names.c: EXPLAIN's names where Dreambase's plan shape differs from
 * PostgreSQL's (a Gather over a table's partitions), so the SQL corpus cannot compare them
 * with PostgreSQL 15 (tests/sql/slt/explain_cte.slt covers the shapes that agree).
 * What: relation, alias, index and column names that need quotes printed as PostgreSQL's
 * quote_identifier prints them in the text format ("Mixed T", "select") and bare in the
 * structured formats' "Relation Name" / "Alias"; a table read again in a subquery (run once:
 * an InitPlan under the top node, its value $0) named "Mixed T_1" as PostgreSQL names the
 * second entry of its range table; UPDATE and DELETE ... RETURNING with their RETURNING
 * list as the ModifyTable's "Output:" (PostgreSQL 15's lines: "Output: id, \"Col A\",
 * \"select\"", "Output: (id + 1)"); EXPLAIN (ANALYZE, SUMMARY OFF) without "Execution Time"
 * (per-node actual figures: test_sql_explain_actual.c).
 * How: real sessions over a real engine with two shards (sql_session_harness.h); the whole
 * EXPLAIN text compared; the lines PostgreSQL 15 has too are its exact lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

static void script_quoted(capture *c) {
    expect(c, "CREATE TABLE \"Mixed T\" (id int PRIMARY KEY, \"Col A\" int, \"select\" text)",
           "CREATE TABLE\n");
    expect(c, "EXPLAIN (COSTS OFF) SELECT * FROM \"Mixed T\" WHERE \"Col A\" = 1",
           "QUERY PLAN\n"
           "Gather\n"
           "  Partitions: 2\n"
           "  ->  Seq Scan on \"Mixed T\"\n"
           "        Filter: (\"Col A\" = 1)\n"
           "EXPLAIN\n");
    expect(c, "EXPLAIN (COSTS OFF, VERBOSE) SELECT \"select\", \"Col A\" FROM \"Mixed T\" "
              "\"My Alias\"",
           "QUERY PLAN\n"
           "Gather\n"
           "  Output: \"select\", \"Col A\"\n"
           "  Partitions: 2\n"
           "  ->  Seq Scan on public.\"Mixed T\" \"My Alias\"\n"
           "        Output: \"select\", \"Col A\"\n"
           "EXPLAIN\n");
    /* the structured formats name the relation and the alias unquoted */
    const char *doc = run(c, "EXPLAIN (COSTS OFF, FORMAT JSON) SELECT \"Col A\" FROM \"Mixed T\" "
                             "\"My Alias\"");
    TEST_CHECK(strstr(doc, "\"Relation Name\": \"Mixed T\",") != NULL);
    TEST_CHECK(strstr(doc, "\"Alias\": \"My Alias\"") != NULL);
    /* the subquery's read of the same table: the range table's second "Mixed T"; PostgreSQL
     * shows the same InitPlan and Filter (on its Seq Scan, with no Gather) */
    expect(c, "EXPLAIN (COSTS OFF) SELECT * FROM \"Mixed T\" WHERE \"Col A\" = "
              "(SELECT max(\"Col A\") FROM \"Mixed T\")",
           "QUERY PLAN\n"
           "Gather\n"
           "  Partitions: 2\n"
           "  Filter: (\"Mixed T\".\"Col A\" = $0)\n"
           "  InitPlan 1 (returns $0)\n"
           "    ->  Aggregate\n"
           "          ->  Gather\n"
           "                Partitions: 2\n"
           "                ->  Seq Scan on \"Mixed T\" \"Mixed T_1\"\n"
           "  ->  Seq Scan on \"Mixed T\"\n"
           "EXPLAIN\n");
}

static void script_returning(capture *c) {
    expect(c, "EXPLAIN (COSTS OFF, VERBOSE) UPDATE \"Mixed T\" SET \"select\" = 'z' WHERE id = 1 "
              "RETURNING *",
           "QUERY PLAN\n"
           "Gather\n"
           "  Output: id, \"Col A\", \"select\"\n"
           "  Partitions: 1\n"
           "  ->  Update on public.\"Mixed T\"\n"
           "        Output: id, \"Col A\", \"select\"\n"
           "        ->  Index Scan using \"Mixed T_pkey\" on public.\"Mixed T\"\n"
           "              Output: id, \"Col A\", \"select\", ctid\n"
           "              Index Cond: (\"Mixed T\".id = 1)\n"
           "EXPLAIN\n");
    expect(c, "EXPLAIN (COSTS OFF, VERBOSE) DELETE FROM \"Mixed T\" WHERE \"Col A\" = 1 "
              "RETURNING id + 1",
           "QUERY PLAN\n"
           "Gather\n"
           "  Output: ((id + 1))\n"
           "  Partitions: 2\n"
           "  ->  Delete on public.\"Mixed T\"\n"
           "        Output: (id + 1)\n"
           "        ->  Seq Scan on public.\"Mixed T\"\n"
           "              Output: id, \"Col A\", \"select\", ctid\n"
           "              Filter: (\"Mixed T\".\"Col A\" = 1)\n"
           "EXPLAIN\n");
    /* without RETURNING: no Output on the ModifyTable, as PostgreSQL */
    const char *plan = run(c, "EXPLAIN (COSTS OFF, VERBOSE) DELETE FROM \"Mixed T\" WHERE id = 2");
    TEST_CHECK(strstr(plan, "  ->  Delete on public.\"Mixed T\"\n        ->  ") != NULL);
    expect(c, "DROP TABLE \"Mixed T\"", "DROP TABLE\n");
}

/* EXPLAIN (ANALYZE, SUMMARY OFF): no "Execution Time" (the JSON document's triggers end it). */
static void script_summary(capture *c) {
    const char *text = run(c, "EXPLAIN (ANALYZE, COSTS OFF, SUMMARY OFF) SELECT 1");
    TEST_CHECK(strstr(text, "Result") != NULL && strstr(text, "Execution Time") == NULL);
    text = run(c, "EXPLAIN (ANALYZE, COSTS OFF) SELECT 1");
    TEST_CHECK(strstr(text, "Execution Time: ") != NULL);
    const char *doc = run(c, "EXPLAIN (ANALYZE, SUMMARY OFF, FORMAT JSON) SELECT 1");
    TEST_CHECK(strstr(doc, "    \"Triggers\": [\n    ]\n  }\n]") != NULL);
    TEST_CHECK(strstr(doc, "Execution Time") == NULL);
}

static void script(capture *c) {
    script_quoted(c);
    script_returning(c);
    script_summary(c);
}

static void test_explain_names(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_explain_names)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
