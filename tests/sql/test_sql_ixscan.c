/* test_sql_ixscan.c: secondary-index scans give the same rows as sequential scans, and the
 * planner uses them only when selective.
 * How: a session over a real engine with two shards (sql_session_harness.h). Tables `t` (with
 * CREATE INDEX on b) and `u` (no index) receive the same writes: rows before and after CREATE
 * INDEX, NULLs, updates that move rows to other indexed values (and back), deletes, a
 * rolled-back insert and update. Every query runs on both tables and must print the same; a
 * table without a primary key and a DESC index, and a two-column index, get the same
 * treatment. EXPLAIN shows
 * "Index Scan using t_b_idx" for equality, IN and narrow ranges, "Seq Scan" for a wide range. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

static int compared, explained;

/* Runs `fmt` with %1$s = `a` and with %1$s = `b`: the outputs must match. */
static void same(capture *c, const char *fmt, const char *a, const char *b) {
    static char qa[2048], qb[2048], out[OUT_BYTES];
    snprintf(qa, sizeof qa, fmt, a, a, a);
    snprintf(qb, sizeof qb, fmt, b, b, b);
    snprintf(out, sizeof out, "%s", run(c, qa));
    const char *other = run(c, qb);
    compared++;
    if (strcmp(out, other) != 0 || strncmp(out, "ERROR", 5) == 0) {
        fprintf(stderr, "DIFFERENT for: %s\n--- %s:\n%s--- %s:\n%s---\n", qa, a, out, b, other);
        atomic_fetch_add(&mismatches, 1);
    }
}

/* Whether EXPLAIN of `sql` contains `want`. */
static void plan_has(capture *c, const char *sql, const char *want) {
    char q[1024];
    snprintf(q, sizeof q, "EXPLAIN (COSTS OFF) %s", sql);
    const char *out = run(c, q);
    explained++;
    if (strstr(out, want) == NULL) {
        fprintf(stderr, "PLAN of %s lacks \"%s\":\n%s", sql, want, out);
        atomic_fetch_add(&mismatches, 1);
    }
}

static const char *queries[] = {
    "SELECT id, b, c FROM %s WHERE b = 7 ORDER BY id",
    "SELECT id, b FROM %s WHERE 7 = b ORDER BY id",
    "SELECT id FROM %s WHERE b = 7 AND id > 1000 ORDER BY id",
    "SELECT id, b FROM %s WHERE b IN (3, 7, 7, NULL, 499, 1203) ORDER BY id",
    "SELECT id, b FROM %s WHERE b BETWEEN 10 AND 14 ORDER BY id",
    "SELECT id, b FROM %s WHERE b > 495 ORDER BY id",
    "SELECT id, b FROM %s WHERE b >= 495 AND b < 1000 ORDER BY id",
    "SELECT id, b FROM %s WHERE b < 2 ORDER BY id",
    "SELECT id, b FROM %s WHERE b <= 2 AND c LIKE '%%1' ORDER BY id",
    "SELECT count(*), sum(id), min(b), max(b) FROM %s WHERE b > 0",
    "SELECT count(*), sum(id) FROM %s WHERE b = NULL",
    "SELECT count(*), sum(id) FROM %s WHERE b IS NULL",
    "SELECT count(*), sum(id) FROM %s WHERE b >= 1000",
    "SELECT count(*), sum(id) FROM %s WHERE b = 5 OR b = 6",
    "SELECT b, count(*) FROM %s WHERE b BETWEEN 100 AND 110 GROUP BY b ORDER BY b",
    "SELECT id FROM %s WHERE b = 8 ORDER BY id LIMIT 2",
    "SELECT x.id FROM %s x JOIN %s y ON x.id = y.id WHERE x.b = 9 AND y.b = 9 ORDER BY 1",
};

static void compare_all(capture *c, const char *a, const char *b) {
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) same(c, queries[i], a, b);
}

/* The same writes to both tables. */
static void both(capture *c, const char *fmt) {
    char q[1024];
    const char *names[] = {"t", "u", "n"};
    for (int i = 0; i < 3; i++) {
        snprintf(q, sizeof q, fmt, names[i]);
        const char *out = run(c, q);
        if (strncmp(out, "ERROR", 5) == 0) {
            fprintf(stderr, "%s: %s", q, out);
            atomic_fetch_add(&mismatches, 1);
        }
    }
}

static void load(capture *c) {
    expect(c, "CREATE TABLE t (id int PRIMARY KEY, b int, c text)", "CREATE TABLE\n");
    expect(c, "CREATE TABLE u (id int PRIMARY KEY, b int, c text)", "CREATE TABLE\n");
    expect(c, "CREATE TABLE n (id int, b int, c text)", "CREATE TABLE\n");
    both(c, "INSERT INTO %s SELECT g, CASE WHEN g %% 97 = 0 THEN NULL ELSE g %% 500 END, "
            "'r' || g FROM generate_series(1, 2000) g");
    expect(c, "CREATE INDEX ON t (b)", "CREATE INDEX\n");
    expect(c, "CREATE INDEX n_b_idx ON n (b DESC)", "CREATE INDEX\n");
    both(c, "INSERT INTO %s SELECT g, CASE WHEN g %% 89 = 0 THEN NULL ELSE g %% 500 END, "
            "'s' || g FROM generate_series(2001, 3000) g");
}

static void modify(capture *c) {
    both(c, "UPDATE %s SET b = b + 1000 WHERE id %% 10 = 0");
    both(c, "UPDATE %s SET b = b - 1000 WHERE id %% 20 = 0"); /* back to the old value */
    both(c, "UPDATE %s SET c = c || 'x' WHERE b = 7");         /* same key, new version */
    both(c, "UPDATE %s SET b = NULL WHERE id %% 50 = 3");
    both(c, "UPDATE %s SET b = 7 WHERE id %% 97 = 0");        /* NULL -> a value */
    both(c, "DELETE FROM %s WHERE id %% 7 = 0");
    both(c, "BEGIN");
    both(c, "INSERT INTO %s VALUES (5001, 7, 'gone'), (5002, 12, 'gone')");
    both(c, "UPDATE %s SET b = 13 WHERE b = 14");
    both(c, "ROLLBACK");
}

static void plans(capture *c) {
    plan_has(c, "SELECT * FROM t WHERE b = 5", "Index Scan using t_b_idx on t");
    plan_has(c, "SELECT * FROM t WHERE b = 5", "Index Cond: (b = 5)");
    plan_has(c, "SELECT * FROM t WHERE b = 5 AND c = 'x'", "Filter: (c = 'x'");
    plan_has(c, "SELECT * FROM t WHERE b IN (1, 2)", "Index Scan using t_b_idx on t");
    plan_has(c, "SELECT * FROM t WHERE b BETWEEN 10 AND 12", "Index Scan using t_b_idx on t");
    plan_has(c, "SELECT * FROM t WHERE b > 0", "Seq Scan on t");
    plan_has(c, "SELECT * FROM t WHERE b IS NULL", "Seq Scan on t");
    plan_has(c, "SELECT * FROM t WHERE c = 'r5'", "Seq Scan on t");
    plan_has(c, "SELECT * FROM t WHERE id = 5 AND b = 5", "Index Scan using t_pkey on t");
    plan_has(c, "SELECT * FROM u WHERE b = 5", "Seq Scan on u");
    plan_has(c, "SELECT * FROM n WHERE b = 5", "Index Scan using n_b_idx on n");
}

/* Right after loading and CREATE INDEX, whatever auto-analyze has sampled meanwhile (nothing,
 * the empty table, or all of it), an equality uses the index. */
static void fresh_table(capture *c) {
    expect(c, "CREATE TABLE e (id int PRIMARY KEY, b int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO e SELECT g, g % 300 FROM generate_series(1, 3000) g",
           "INSERT 0 3000\n");
    expect(c, "CREATE INDEX ON e (b)", "CREATE INDEX\n");
    plan_has(c, "SELECT * FROM e WHERE b = 5", "Index Scan using e_b_idx on e");
    expect(c, "SELECT count(*), sum(id) FROM e WHERE b = 5", "count|sum\n10|13550\nSELECT 1\n");
}

/* A two-column index: `=` on both columns, IN then `=`, `=` then a range (only the first
 * column from the index), and the second column alone (no index). */
static void two_columns(capture *c) {
    const char *defs[] = {"m", "mu"};
    for (int i = 0; i < 2; i++) {
        char q[512];
        snprintf(q, sizeof q, "CREATE TABLE %s (id int PRIMARY KEY, a int, b int, c text)",
                 defs[i]);
        expect(c, q, "CREATE TABLE\n");
        snprintf(q, sizeof q, "INSERT INTO %s SELECT g, g %% 200, CASE WHEN g %% 31 = 0 THEN "
                 "NULL ELSE g %% 7 END, 'm' || g FROM generate_series(1, 4000) g", defs[i]);
        expect(c, q, "INSERT 0 4000\n");
    }
    expect(c, "CREATE INDEX m_ab ON m (a, b DESC)", "CREATE INDEX\n");
    expect(c, "UPDATE m SET b = b + 1 WHERE id % 5 = 0", "UPDATE 800\n");
    expect(c, "UPDATE mu SET b = b + 1 WHERE id % 5 = 0", "UPDATE 800\n");
    expect(c, "ANALYZE m", "ANALYZE\n");
    plan_has(c, "SELECT * FROM m WHERE a = 3 AND b = 4", "Index Cond: ((a = 3) AND (b = 4))");
    plan_has(c, "SELECT * FROM m WHERE b = 4", "Seq Scan on m");
    static const char *qs[] = {
        "SELECT id, a, b FROM %s WHERE a = 3 AND b = 4 ORDER BY id",
        "SELECT id, a, b FROM %s WHERE b = 6 AND a = 17 ORDER BY id",
        "SELECT id, a, b FROM %s WHERE a IN (3, 4, 5) AND b = 1 ORDER BY id",
        "SELECT id, a, b FROM %s WHERE a = 3 AND b > 4 ORDER BY id",
        "SELECT id, a, b FROM %s WHERE a = 3 AND b = NULL ORDER BY id",
        "SELECT id, a, b FROM %s WHERE a = 3 AND b IS NULL ORDER BY id",
        "SELECT count(*) FROM %s WHERE b = 4",
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) same(c, qs[i], "m", "mu");
}

static void script(capture *c) {
    fresh_table(c);
    two_columns(c);
    load(c);
    /* Fresh statistics: a background auto-analyze may have sampled the tables while empty. */
    expect(c, "ANALYZE t", "ANALYZE\n");
    expect(c, "ANALYZE n", "ANALYZE\n");
    plans(c);
    compare_all(c, "t", "u");
    compare_all(c, "n", "u");
    modify(c);
    compare_all(c, "t", "u");
    compare_all(c, "n", "u");
    expect(c, "ANALYZE t", "ANALYZE\n");
    expect(c, "ANALYZE n", "ANALYZE\n");
    plans(c);
    compare_all(c, "t", "u");
    compare_all(c, "n", "u");
    /* A transaction sees its own uncommitted changes through the index. */
    both(c, "BEGIN");
    both(c, "UPDATE %s SET b = 4242 WHERE id BETWEEN 100 AND 120");
    both(c, "INSERT INTO %s VALUES (6001, 4242, 'new')");
    same(c, "SELECT id, b FROM %s WHERE b = 4242 ORDER BY id", "t", "u");
    same(c, "SELECT id, b FROM %s WHERE b = 100 ORDER BY id", "t", "u");
    both(c, "COMMIT");
    compare_all(c, "t", "u");
    /* Parameters. */
    both(c, "PREPARE q%1$s (int) AS SELECT id, b FROM %1$s WHERE b = $1 ORDER BY id");
    same(c, "EXECUTE q%s (4242)", "t", "u");
    same(c, "EXECUTE q%s (7)", "t", "u");
    same(c, "EXECUTE q%s (NULL)", "n", "u");
}

static void test_index_scans(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
    printf("%d queries compared, %d plans checked\n", compared, explained);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_index_scans)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
