/* test_sql_ixexpr.c: expression indexes and partial indexes (CREATE INDEX ... ((lower(name)))
 * WHERE ...): their definitions as pg_indexes and psql's pg_get_indexdef(oid, 0, true) print
 * them; 42P17 for functions that are not IMMUTABLE; ON CONFLICT inferring a unique partial
 * expression index only with a WHERE that implies its predicate (42P10 otherwise); UNIQUE
 * expression and partial indexes enforcing uniqueness only among the rows the predicate keeps
 * (23505 "Key (lower(name))=(x) already exists."), across INSERT, UPDATE and DELETE; the
 * planner reading an expression index for the same expression and a partial index when the
 * WHERE implies its predicate (also by the order of constants: id > 1500 gives id > 1000; and
 * not otherwise); index entries kept right through UPDATE and DELETE; and all of it after a
 * restart of the engine (a checkpoint holding part of the rows, the WAL the rest).
 * How: a real engine in a temporary data directory with two shards; a fiber on shard 0 opens a
 * session as the superuser and runs statements, comparing the exact text a client would see
 * (rows "a|b", command tags, "ERROR <sqlstate>: <message>" and "DETAIL: ...", as PostgreSQL 15
 * answers them) or, for EXPLAIN, whether the plan names the index. Phase 0 runs the scripts and
 * leaves a table; the engine stops and starts again; phase 1 checks that table. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define OUT_BYTES 16384

#include "tests/sql/sql_session_harness.h"

#define DUP(con, key)                                                                     \
    "ERROR 23505: duplicate key value violates unique constraint \"" con "\"\nDETAIL: Key " \
    key " already exists.\n"

/* The plan of `sql` mentions `want` (or, with want_absent, does not). */
static void expect_plan(capture *c, const char *sql, const char *want, bool want_absent) {
    const char *got = run(c, sql);
    bool found = strstr(got, want) != NULL;
    if (found == want_absent) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "PLAN MISMATCH for: %s\n--- %s: %s\n--- got:\n%s---\n", sql,
                want_absent ? "must not contain" : "must contain", want, got);
    }
}

/* Definitions and what CREATE INDEX refuses. */
static void script_defs(capture *c) {
    expect(c, "CREATE TABLE t (id int PRIMARY KEY, name text, active bool, v varchar(10), "
              "n numeric, b bigint)", "CREATE TABLE\n");
    expect(c, "CREATE INDEX t_lower_idx ON t (lower(name)) WHERE active = true",
           "CREATE INDEX\n");
    expect(c, "CREATE INDEX ON t ((id + 1), (b * 2)) WHERE n > 0", "CREATE INDEX\n");
    expect(c, "CREATE INDEX ON t (lower(v)) WHERE v = 'x' AND b > 42 OR NOT active",
           "CREATE INDEX\n");
    expect(c, "SELECT indexdef FROM pg_indexes WHERE tablename = 't' ORDER BY indexname",
           "indexdef\n"
           "CREATE INDEX t_expr_expr1_idx ON public.t USING btree (((id + 1)), ((b * 2))) "
           "WHERE (n > (0)::numeric)\n"
           "CREATE INDEX t_lower_idx ON public.t USING btree (lower(name)) "
           "WHERE (active = true)\n"
           "CREATE INDEX t_lower_idx1 ON public.t USING btree (lower((v)::text)) "
           "WHERE ((((v)::text = 'x'::text) AND (b > 42)) OR (NOT active))\n"
           "CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)\n"
           "SELECT 4\n");
    expect(c, "SELECT substr(d, position('USING' IN d)) FROM (SELECT pg_get_indexdef(indexrelid,"
              " 0, true) AS d FROM pg_index WHERE indrelid = 't'::regclass AND NOT indisprimary) "
              "s ORDER BY 1",
           "substr\n"
           "USING btree ((id + 1), (b * 2)) WHERE n > 0::numeric\n"
           "USING btree (lower(name)) WHERE active = true\n"
           "USING btree (lower(v::text)) WHERE v::text = 'x'::text AND b > 42 OR NOT active\n"
           "SELECT 3\n");
    expect(c, "SELECT indkey::text, pg_get_expr(indpred, indrelid) FROM pg_index "
              "WHERE indexrelid = 't_expr_expr1_idx'::regclass",
           "indkey|pg_get_expr\n0 0|(n > (0)::numeric)\nSELECT 1\n");
    expect(c, "SELECT pg_get_indexdef('t_expr_expr1_idx'::regclass, 1, true) AS a, "
              "pg_get_indexdef('t_expr_expr1_idx'::regclass, 2, false) AS b",
           "a|b\n(id + 1)|((b * 2))\nSELECT 1\n");
    expect(c, "CREATE INDEX ON t ((random()))",
           "ERROR 42P17: functions in index expression must be marked IMMUTABLE\n");
    expect(c, "CREATE INDEX ON t (id) WHERE now() > '2020-01-01'",
           "ERROR 42P17: functions in index predicate must be marked IMMUTABLE\n");
    expect(c, "INSERT INTO t VALUES (1, 'a', true) ON CONFLICT (lower(name)) DO NOTHING",
           "ERROR 42P10: there is no unique or exclusion constraint matching the ON CONFLICT "
           "specification\n");
    expect(c, "DROP TABLE t", "DROP TABLE\n");
}

/* A unique partial expression index: duplicates only among the rows it keeps. */
static void script_unique(capture *c) {
    expect(c, "CREATE TABLE u (id int PRIMARY KEY, email text, active bool)", "CREATE TABLE\n");
    expect(c, "INSERT INTO u VALUES (1, 'A@x', true), (2, 'a@X', false), (3, 'b@x', true)",
           "INSERT 0 3\n");
    expect(c, "CREATE UNIQUE INDEX u_email ON u (lower(email)) WHERE active",
           "CREATE INDEX\n");
    expect(c, "INSERT INTO u VALUES (4, 'a@x', true)", DUP("u_email", "(lower(email))=(a@x)"));
    expect(c, "INSERT INTO u VALUES (4, 'a@x', false), (5, 'B@X', NULL)", "INSERT 0 2\n");
    expect(c, "UPDATE u SET active = true WHERE id = 2", DUP("u_email", "(lower(email))=(a@x)"));
    expect(c, "UPDATE u SET email = 'B@x' WHERE id = 1", DUP("u_email", "(lower(email))=(b@x)"));
    expect(c, "UPDATE u SET active = false WHERE id = 1", "UPDATE 1\n");
    expect(c, "INSERT INTO u VALUES (6, 'B@x', true) ON CONFLICT (lower(email)) WHERE active "
              "DO NOTHING", "INSERT 0 0\n");
    expect(c, "INSERT INTO u VALUES (6, 'B@x', true) ON CONFLICT (lower(email)) DO NOTHING",
           "ERROR 42P10: there is no unique or exclusion constraint matching the ON CONFLICT "
           "specification\n");
    expect(c, "UPDATE u SET active = true WHERE id = 2", "UPDATE 1\n");
    expect(c, "DELETE FROM u WHERE id = 3", "DELETE 1\n");
    expect(c, "INSERT INTO u VALUES (6, 'b@x', true)", "INSERT 0 1\n");
    expect(c, "CREATE UNIQUE INDEX ON u (lower(email))",
           "ERROR 23505: could not create unique index \"u_lower_idx\"\n"
           "DETAIL: Key (lower(email))=(a@x) is duplicated.\n");
    expect(c, "SELECT id FROM u WHERE lower(email) = 'a@x' AND active ORDER BY id",
           "id\n2\nSELECT 1\n");
    expect(c, "DROP TABLE u", "DROP TABLE\n");
}

/* The planner's choices, and the rows read through the indexes after writes. */
static void script_plan(capture *c) {
    expect(c, "CREATE TABLE w (id int PRIMARY KEY, name text, active bool, st text)",
           "CREATE TABLE\n");
    expect(c, "INSERT INTO w SELECT g, 'N' || g, g % 2 = 0, CASE WHEN g % 3 = 0 THEN NULL "
              "ELSE 's' END FROM generate_series(1, 2000) g", "INSERT 0 2000\n");
    expect(c, "CREATE INDEX w_lower ON w (lower(name))", "CREATE INDEX\n");
    expect(c, "CREATE INDEX w_st ON w (name) WHERE st IS NOT NULL", "CREATE INDEX\n");
    expect(c, "CREATE INDEX w_act ON w (st) WHERE active", "CREATE INDEX\n");
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE lower(name) = 'n10'",
                "Index Scan using w_lower", false);
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE name = 'N5' AND st = 's'",
                "Index Scan using w_st", false);
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE name = 'N5'", "Index Scan", true);
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE st = 'q' AND active = true",
                "Index Scan using w_act", false);
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE st = 'q'", "Index Scan", true);
    expect(c, "CREATE INDEX w_hi ON w (lower(name)) WHERE id > 1000", "CREATE INDEX\n");
    expect(c, "DROP INDEX w_lower", "DROP INDEX\n");
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE lower(name) = 'n1600' AND id > 1500",
                "Index Scan using w_hi", false);
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM w WHERE lower(name) = 'n1600' AND id > 900",
                "Index Scan using w_hi", true);
    expect(c, "SELECT id FROM w WHERE lower(name) = 'n1600' AND id > 1500",
           "id\n1600\nSELECT 1\n");
    expect(c, "DROP INDEX w_hi", "DROP INDEX\n");
    expect(c, "CREATE INDEX w_lower ON w (lower(name))", "CREATE INDEX\n");
    expect(c, "SELECT id, name FROM w WHERE lower(name) = 'n10'", "id|name\n10|N10\nSELECT 1\n");
    expect(c, "UPDATE w SET name = 'Q10' WHERE id = 10", "UPDATE 1\n");
    expect(c, "SELECT id FROM w WHERE lower(name) = 'n10'", "id\nSELECT 0\n");
    expect(c, "SELECT id FROM w WHERE lower(name) = 'q10'", "id\n10\nSELECT 1\n");
    expect(c, "UPDATE w SET st = NULL WHERE id = 5", "UPDATE 1\n");
    expect(c, "SELECT id FROM w WHERE name = 'N5' AND st = 's'", "id\nSELECT 0\n");
    expect(c, "DELETE FROM w WHERE id = 10", "DELETE 1\n");
    expect(c, "SELECT id FROM w WHERE lower(name) = 'q10'", "id\nSELECT 0\n");
    expect(c, "DROP TABLE w", "DROP TABLE\n");
}

/* Left for the restart: rows before a checkpoint and after it (in the WAL only). */
static void script_before_restart(capture *c) {
    expect(c, "CREATE TABLE r (id int PRIMARY KEY, name text, active bool)", "CREATE TABLE\n");
    expect(c, "CREATE UNIQUE INDEX r_l ON r (lower(name)) WHERE active", "CREATE INDEX\n");
    expect(c, "CREATE INDEX r_x ON r ((id * 2)) WHERE id > 50", "CREATE INDEX\n");
    expect(c, "INSERT INTO r SELECT g, 'N' || g, g % 2 = 0 FROM generate_series(1, 100) g",
           "INSERT 0 100\n");
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
    expect(c, "INSERT INTO r VALUES (300, 'X300', true), (301, 'x300', false)",
           "INSERT 0 2\n");
    expect(c, "UPDATE r SET name = 'M60' WHERE id = 60", "UPDATE 1\n");
}

static void script_after_restart(capture *c) {
    expect(c, "SELECT indexdef FROM pg_indexes WHERE tablename = 'r' ORDER BY indexname",
           "indexdef\n"
           "CREATE UNIQUE INDEX r_l ON public.r USING btree (lower(name)) WHERE active\n"
           "CREATE UNIQUE INDEX r_pkey ON public.r USING btree (id)\n"
           "CREATE INDEX r_x ON public.r USING btree (((id * 2))) WHERE (id > 50)\n"
           "SELECT 3\n");
    expect(c, "INSERT INTO r VALUES (400, 'n4', true)", DUP("r_l", "(lower(name))=(n4)"));
    expect(c, "INSERT INTO r VALUES (401, 'x300', true)", DUP("r_l", "(lower(name))=(x300)"));
    expect(c, "INSERT INTO r VALUES (402, 'n60', true), (403, 'n3', true)", "INSERT 0 2\n");
    expect(c, "INSERT INTO r VALUES (404, 'm60', true)", DUP("r_l", "(lower(name))=(m60)"));
    expect_plan(c, "EXPLAIN (COSTS OFF) SELECT * FROM r WHERE id * 2 = 120 AND id > 50",
                "Index Scan using r_x", false);
    expect(c, "SELECT id, name FROM r WHERE id * 2 IN (120, 600, 8) AND id > 50 ORDER BY id",
           "id|name\n60|M60\n300|X300\nSELECT 2\n");
    expect(c, "DROP TABLE r", "DROP TABLE\n");
}

static int phase; /* 0: the scripts, then a table left for 1: after the restart */

static void session_fiber(void *arg) {
    (void)arg;
    static capture c;
    c.s = NULL;
    if (phase == 1 && sh_open(&c)) {
        script_after_restart(&c);
    } else if (phase == 0 && sh_open(&c)) {
        script_defs(&c);
        script_unique(&c);
        script_plan(&c);
        script_before_restart(&c);
    }
    if (c.s != NULL) sql_session_close(c.s);
    rt_runtime_stop();
}

static void test_ixexpr_scripts(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "ixexpr"));
    sh_show_detail = true; /* the expected errors carry PostgreSQL's DETAIL lines */
    for (phase = 0; phase < 2; phase++) assert_int_equal(sh_run_fiber(dir, 2, session_fiber), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ixexpr_scripts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
