/* test_sql_index_concurrently.c: CREATE UNIQUE INDEX CONCURRENTLY beside writers, as
 * PostgreSQL 15 runs it: it waits for a writer's transaction that was open when it started,
 * then lets inserts, updates (of the key and of other columns) and deletes on every partition
 * finish while it builds; afterwards the index holds exactly the table's rows (its companion
 * table, sql_unique.h, equals the table's keys; an index scan finds what a sequential scan
 * finds), enforces uniqueness for keys written before and during the build, and keeps no key
 * of a row deleted or moved during it. A duplicate written during the build fails the command
 * with 23505 and leaves the index INVALID (pg_index), unused and unenforced, until DROP INDEX.
 * How: a real engine with two shards; sessions run in fibers on shard 0. The build stops at
 * sql_ddl_index_build_hook (after its wait for earlier writers, before reading a row) until the
 * test lets it go: the writers' statements run and return while it is held there, which is
 * what "writers are not blocked" means, with no timing involved. The one timed check (the
 * build has not reached the hook 100 ms after it started, while an older writer's transaction
 * is open) can only pass more surely on a slower machine. */
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

#define OUT_BYTES 65536

#include "tests/sql/sql_session_harness.h"
#include "tests/sql/index_hook.h"

/* The companion's rows against the table's keys, and an index scan against a seq scan. */
static void check_index_matches(capture *a) {
    char comp[200], q[300];
    const char *oid = run(a, "SELECT 'cc_a_key'::regclass::oid");
    unsigned long o = strtoul(strchr(oid, '\n') + 1, NULL, 10);
    snprintf(comp, sizeof comp, "SELECT a, id FROM pg_uniq_%lu ORDER BY a", o);
    char *want = strdup(run(a, "SELECT a, id FROM cc WHERE a IS NOT NULL ORDER BY a"));
    sh_check("companion rows = table keys", run(a, comp), want);
    free(want);
    snprintf(q, sizeof q, "SELECT id FROM cc WHERE a IN (5, 10, 20, 30, 70, 110, 2550, 5070, "
                          "999999, 1000000) ORDER BY id");
    want = strdup(run(a, q));
    expect(a, "SET enable_seqscan = off", "SET\n");
    sh_plan_has(a, q, "cc_a_key", NULL);
    sh_check("index scan = seq scan", run(a, q), want);
    expect(a, "RESET enable_seqscan", "RESET\n");
    free(want);
}

/* Writers on every partition while the build is held at its hook. */
static void writes_during_build(capture *a, capture *b) {
    expect(b, "INSERT INTO cc SELECT g, g * 10 FROM generate_series(201, 260) g",
           "INSERT 0 60\n");
    expect(b, "UPDATE cc SET a = a + 5000 WHERE id % 7 = 0", "UPDATE 37\n");
    expect(b, "UPDATE cc SET note = 'n' WHERE id % 5 = 0", "UPDATE 53\n");
    expect(a, "DELETE FROM cc WHERE id % 11 = 0", "DELETE 23\n");
    expect(a, "UPDATE cc SET a = NULL WHERE id IN (3, 4)", "UPDATE 2\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "UPDATE cc SET a = 999999 WHERE id = 1", "UPDATE 1\n");
    expect(b, "INSERT INTO cc VALUES (1000, 1000000)", "INSERT 0 1\n");
}

static void script_build_beside_writers(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE cc (id int PRIMARY KEY, a int, note text)", "CREATE TABLE\n");
    expect(a, "INSERT INTO cc SELECT g, g * 10, NULL FROM generate_series(1, 200) g",
           "INSERT 0 200\n");
    /* A writer's transaction open when the build starts: the build waits for it. */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO cc VALUES (500, 5)", "INSERT 0 1\n");
    hook_arm();
    sh_bg_start(&bg, c, "CREATE UNIQUE INDEX CONCURRENTLY cc_a_key ON cc (a)");
    TEST_CHECK(!hook_reached);
    expect(a, "COMMIT", "COMMIT\n");
    hook_wait();
    writes_during_build(a, b);
    TEST_CHECK(!bg.done);
    expect(a, "SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = 'cc_a_key'::regclass",
           "indisvalid|indisready\nf|t\nSELECT 1\n");
    hook_release = true;
    rt_fiber_sleep_ns(100 * RT_NS_PER_MS);
    TEST_CHECK(!bg.done); /* it waits for b's open transaction's row lock */
    expect(b, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("CREATE UNIQUE INDEX CONCURRENTLY beside writers", bg.out, "CREATE INDEX\n");
    sql_ddl_index_build_hook = NULL;
    expect(a, "SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = 'cc_a_key'::regclass",
           "indisvalid|indisready\nt|t\nSELECT 1\n");
    check_index_matches(a);
    /* Keys from before, from during the build: taken; keys freed during it: free. */
    expect(a, "INSERT INTO cc VALUES (2000, 20)",
           "ERROR 23505: duplicate key value violates unique constraint \"cc_a_key\"\n");
    expect(a, "INSERT INTO cc VALUES (2001, 2550)",
           "ERROR 23505: duplicate key value violates unique constraint \"cc_a_key\"\n");
    expect(a, "INSERT INTO cc VALUES (2002, 5070)",
           "ERROR 23505: duplicate key value violates unique constraint \"cc_a_key\"\n");
    expect(a, "INSERT INTO cc VALUES (2003, 1000000)",
           "ERROR 23505: duplicate key value violates unique constraint \"cc_a_key\"\n");
    expect(a, "INSERT INTO cc VALUES (2004, 5)",
           "ERROR 23505: duplicate key value violates unique constraint \"cc_a_key\"\n");
    expect(a, "INSERT INTO cc VALUES (2005, 70), (2006, 110), (2007, 30), (2008, 10)",
           "INSERT 0 4\n");
    check_index_matches(a);
}

/* A duplicate written during the build: 23505, and the index is left invalid. */
static void script_duplicate_during_build(capture *a, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE cd (id int PRIMARY KEY, a int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO cd SELECT g, g FROM generate_series(1, 100) g", "INSERT 0 100\n");
    hook_arm();
    bg.c = c, bg.sql = "CREATE UNIQUE INDEX CONCURRENTLY cd_a_key ON cd (a)", bg.done = false;
    test_spawn(sh_bg_fiber, &bg);
    hook_wait();
    expect(a, "INSERT INTO cd VALUES (101, 42)", "INSERT 0 1\n");
    hook_release = true;
    sh_bg_wait(&bg);
    sql_ddl_index_build_hook = NULL;
    sh_check("a duplicate written during the build", bg.out,
             "ERROR 23505: could not create unique index \"cd_a_key\"\n");
    expect(a, "SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = 'cd_a_key'::regclass",
           "indisvalid|indisready\nf|f\nSELECT 1\n");
    expect(a, "INSERT INTO cd VALUES (102, 42)", "INSERT 0 1\n");
    sh_plan_has(a, "SELECT * FROM cd WHERE a = 42", "Seq Scan", "cd_a_key");
    expect(a, "DROP INDEX cd_a_key", "DROP INDEX\n");
    expect(a, "DELETE FROM cd WHERE id > 100", "DELETE 2\n");
    expect(c, "CREATE UNIQUE INDEX CONCURRENTLY cd_a_key ON cd (a)", "CREATE INDEX\n");
    expect(a, "INSERT INTO cd VALUES (103, 42)",
           "ERROR 23505: duplicate key value violates unique constraint \"cd_a_key\"\n");
}

static void sessions(capture *s[SH_SESSIONS]) {
    script_build_beside_writers(s[0], s[1], s[2]);
    script_duplicate_during_build(s[0], s[2]);
}

static void test_index_concurrently(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("index_cc", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_index_concurrently)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
