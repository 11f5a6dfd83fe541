/* test_sql_cte_inline.c: inlining WITH queries (sql_bind_cte.c) and what it opens to the
 * planner. The rule on its own (NOT MATERIALIZED, or neither keyword and one reference); then
 * through a session over a real engine with two shards (sql_session_harness.h) and the
 * clustered `items` table (sql_vector_items.h, 4,000 rows, a B-tree index on cat): an inlined
 * WITH query is read by primary key, by the secondary index and by the hybrid NEAR plan
 * (EXPLAIN and EXPLAIN HYBRID show the table read, no "CTE Scan"); MATERIALIZED, a second
 * reference, a volatile function and a data-modifying statement keep the "CTE Scan"; one
 * reading a column of an enclosing query is bound again at its reference; and every query shape returns the same rows inlined as
 * materialized (the same text with AS MATERIALIZED written in). */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define ROWS 4000
#define DIMS 16

#include "sql/sql_bind_int.h"
#include "tests/sql/sql_vector_items.h"

static void test_sql_cte_inline_rule(void **state) {
    (void)state;
    assert_true(sql_cte_inline_rule(SQL_CTE_DEFAULT, 1));
    assert_false(sql_cte_inline_rule(SQL_CTE_DEFAULT, 2));
    assert_false(sql_cte_inline_rule(SQL_CTE_DEFAULT, 0));
    assert_false(sql_cte_inline_rule(SQL_CTE_MATERIALIZED, 1));
    assert_false(sql_cte_inline_rule(SQL_CTE_MATERIALIZED, 3));
    assert_true(sql_cte_inline_rule(SQL_CTE_NOT_MATERIALIZED, 1));
    assert_true(sql_cte_inline_rule(SQL_CTE_NOT_MATERIALIZED, 5));
}

static int plans_ok, plans_total, same_ok, same_total;

/* EXPLAIN (or EXPLAIN HYBRID) of `sql` has `has` and lacks `lacks` (NULL: not checked). */
static void plan_is(capture *c, const char *sql, const char *has, const char *lacks) {
    const char *out = run(c, sql);
    bool ok = strstr(out, has) != NULL && (lacks == NULL || strstr(out, lacks) == NULL);
    plans_total++;
    plans_ok += ok;
    if (!ok) fprintf(stderr, "plan of %s: wants \"%s\", not \"%s\":\n%s", sql, has,
                     lacks != NULL ? lacks : "", out);
}

/* `fmt` with %s once as "" and once as "MATERIALIZED ": the same output. */
static void same_rows(capture *c, const char *fmt) {
    static char a[OUT_BYTES], sql[2048];
    snprintf(sql, sizeof sql, fmt, "");
    snprintf(a, sizeof a, "%s", run(c, sql));
    snprintf(sql, sizeof sql, fmt, "MATERIALIZED ");
    const char *b = run(c, sql);
    bool ok = strcmp(a, b) == 0 && strstr(a, "ERROR") == NULL;
    same_total++;
    same_ok += ok;
    if (!ok) fprintf(stderr, "inlined / materialized differ for %s:\n%s---\n%s", fmt, a, b);
}

static void check_plans(capture *c) {
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS (SELECT id, cat FROM items) SELECT cat FROM w WHERE id = 7",
            "Index Scan using items_pkey on items", "CTE Scan");
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS MATERIALIZED (SELECT id, cat FROM items) SELECT cat FROM w "
               "WHERE id = 7", "CTE Scan on w", "Index Scan");
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS (SELECT id, cat FROM items) SELECT count(*) FROM w "
               "WHERE cat = 7", "items_cat", "CTE Scan");
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS (SELECT * FROM items), x AS (SELECT id, cat FROM w) "
               "SELECT id FROM x WHERE id = 9", "Index Scan using items_pkey", "CTE Scan");
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS (SELECT id, cat FROM items) SELECT a.id FROM w a JOIN w b "
               "ON a.id = b.cat", "CTE Scan on w b", NULL);
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS NOT MATERIALIZED (SELECT id, cat FROM items) SELECT a.id "
               "FROM w a JOIN w b ON a.id = b.cat WHERE b.id = 3",
            "Index Scan using items_pkey on items items_1", "CTE Scan");
    plan_is(c, "EXPLAIN (COSTS OFF) WITH w AS (SELECT id, random() AS r FROM items) SELECT r FROM w "
               "WHERE id = 7", "CTE Scan on w", NULL);
    plan_is(c, "EXPLAIN (COSTS OFF) WITH d AS (UPDATE items SET cat = cat WHERE id = 1 RETURNING id) "
               "SELECT * FROM d", "CTE Scan on d", NULL);
    /* Correlated: bound again at its one reference, as a subquery in FROM there. */
    plan_is(c, "EXPLAIN (COSTS OFF) SELECT (WITH w AS (SELECT i.id + 1 AS n) SELECT n FROM w) FROM items i "
               "WHERE id = 1", "SubPlan 1\n    ->  Result", "CTE Scan");
    expect(c, "SELECT (WITH w AS (SELECT i.id + 1 AS n) SELECT n FROM w) FROM items i "
              "WHERE id < 3 ORDER BY id", "n\n2\n3\nSELECT 2\n");
    /* The hybrid NEAR plan through an inlined WITH query and a subquery in FROM. */
    char qv[400], sql[1200];
    query_vector(qv, sizeof qv, 3);
    snprintf(sql, sizeof sql, "EXPLAIN HYBRID WITH w AS (SELECT id, v FROM items) SELECT id "
                              "FROM w ORDER BY v NEAR %s LIMIT 10", qv);
    plan_is(c, sql, "Plan: ANN-first", "CTE Scan");
    snprintf(sql, sizeof sql, "EXPLAIN HYBRID WITH w AS (SELECT id, cat, v FROM items) SELECT "
                              "id FROM w WHERE cat = 7 ORDER BY v NEAR %s LIMIT 10", qv);
    plan_is(c, sql, "Plan: scalar-first", "CTE Scan");
    snprintf(sql, sizeof sql, "EXPLAIN HYBRID SELECT id FROM (SELECT id, v FROM items) s "
                              "ORDER BY v NEAR %s LIMIT 10", qv);
    plan_is(c, sql, "HNSW Index Scan on items", NULL);
    snprintf(sql, sizeof sql, "EXPLAIN HYBRID WITH w AS MATERIALIZED (SELECT id, v FROM items) "
                              "SELECT id FROM w ORDER BY v NEAR %s LIMIT 10", qv);
    plan_is(c, sql, "no vector ordering", NULL);
}

static void check_same_rows(capture *c) {
    same_rows(c, "WITH w AS %s(SELECT id, cat FROM items) SELECT id, cat FROM w WHERE id IN "
                 "(3, 77, 3999) ORDER BY id");
    same_rows(c, "WITH w AS %s(SELECT id, cat FROM items WHERE id < 500) SELECT cat, count(*) "
                 "FROM w WHERE cat > 100 GROUP BY cat ORDER BY cat LIMIT 5");
    same_rows(c, "WITH w AS %s(SELECT id, cat, id * 2 AS d FROM items) SELECT a.id, b.d FROM "
                 "w a JOIN w b ON b.id = a.cat WHERE a.id BETWEEN 1990 AND 2010 ORDER BY 1");
    same_rows(c, "WITH w AS %s(SELECT id, cat FROM items) SELECT count(*) FROM items i WHERE "
                 "EXISTS (SELECT 1 FROM w WHERE w.id = i.cat AND w.cat < 50)");
    same_rows(c, "WITH w AS %s(SELECT cat, count(*) AS n FROM items GROUP BY cat) SELECT cat, n "
                 "FROM w WHERE cat IN (7, 8) ORDER BY cat");
    same_rows(c, "WITH w AS %s(SELECT id, cat FROM items ORDER BY id LIMIT 20) SELECT id FROM w "
                 "WHERE cat > 10 ORDER BY id");
    same_rows(c, "WITH w AS %s(SELECT i.id, j.cat FROM items i JOIN items j ON j.id = i.cat + 1) "
                 "SELECT id, cat FROM w WHERE id < 4 ORDER BY id");
    same_rows(c, "WITH w AS %s(SELECT id, cat FROM items) SELECT i.id FROM items i LEFT JOIN w "
                 "ON w.id = i.id + 3990 WHERE i.id < 15 AND w.id IS NULL ORDER BY 1");
    same_rows(c, "WITH w AS %s(SELECT id, cat FROM items) SELECT id FROM w WHERE w IS NOT NULL "
                 "AND cat = 5 ORDER BY id LIMIT 3");
    char qv[400], sql[1200];
    query_vector(qv, sizeof qv, 11);
    snprintf(sql, sizeof sql, "WITH w AS %%s(SELECT id, cat, v FROM items) SELECT id FROM w "
                              "WHERE cat < 900 ORDER BY v <=> %s, id LIMIT 5", qv);
    same_rows(c, sql);
    /* The ANN-first walk through the inlined query finds what it finds on the table. */
    long direct[10], through[10];
    snprintf(sql, sizeof sql, "SELECT id FROM items ORDER BY v NEAR %s LIMIT 10", qv);
    uint32_t nd = ids_of(c, sql, direct, 10);
    snprintf(sql, sizeof sql, "WITH w AS (SELECT id, v FROM items) SELECT id FROM w ORDER BY v "
                              "NEAR %s LIMIT 10", qv);
    uint32_t nt = ids_of(c, sql, through, 10);
    bool ok = nd == 10 && nt == 10 && memcmp(direct, through, sizeof direct) == 0;
    same_total++;
    same_ok += ok;
}

static void script(capture *c) {
    load(c);
    expect(c, "CREATE INDEX items_cat ON items (cat)", "CREATE INDEX\n");
    expect(c, "ANALYZE items", "ANALYZE\n");
    check_plans(c);
    check_same_rows(c);
}

static void test_sql_cte_inline_plans(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
    printf("plans %d/%d, same rows inlined and materialized %d/%d\n", plans_ok, plans_total,
           same_ok, same_total);
    assert_int_equal(plans_total, 13);
    assert_int_equal(plans_ok, plans_total);
    assert_int_equal(same_total, 11);
    assert_int_equal(same_ok, same_total);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_cte_inline_rule),
        cmocka_unit_test(test_sql_cte_inline_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
