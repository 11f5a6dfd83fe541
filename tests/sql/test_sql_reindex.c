/* test_sql_reindex.c: REINDEX CONCURRENTLY and DROP INDEX CONCURRENTLY beside readers and
 * writers, as PostgreSQL 15 runs them, and after a crash in their middle.
 *   REINDEX TABLE CONCURRENTLY builds a _ccnew copy of each index while writers insert, update
 *   and delete on every partition and the old unique index keeps enforcing; an ALTER TABLE
 *   meanwhile waits for the whole command (55P03 under lock_timeout); afterwards the indexes
 *   have their names, the constraint its index, an index scan finds what a sequential scan
 *   finds and the keys written during the build are taken.
 *   DROP INDEX CONCURRENTLY waits for a transaction holding a write open, while a reader and
 *   another writer go on (the index is already not valid); it ends once the writer commits.
 *   A crash (the process ends with _exit, as a kill -9) in the middle of either leaves, after
 *   the restart, a consistent catalog: the original index valid and a _ccnew INVALID (or the
 *   index being dropped INVALID), which DROP INDEX removes, with every row intact.
 * How: a real engine with two shards, sessions in fibers on shard 0; each command stops at
 * sql_ddl_index_build_hook (REINDEX: after the wait, before the first row is read; DROP:
 * after its last wait, before the index goes) until the test lets it go, so what runs
 * meanwhile ran while it was in progress, with no timing involved; the crash runs are child
 * processes over one data directory. The checks that something is still waiting (100 ms
 * after) can only pass more surely on a slower machine. */
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

static const char *const rx_indexes =
    "SELECT indexrelid::regclass::text AS i, indisvalid, indisready FROM pg_index "
    "WHERE indrelid = 'rx'::regclass ORDER BY 1";

static void script_reindex_beside_writers(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE rx (id int PRIMARY KEY, a int, note text, CONSTRAINT rx_a_key "
              "UNIQUE (a))", "CREATE TABLE\n");
    expect(a, "CREATE INDEX rx_note_idx ON rx (note)", "CREATE INDEX\n");
    expect(a, "INSERT INTO rx SELECT g, g * 10, 'n' || g FROM generate_series(1, 200) g",
           "INSERT 0 200\n");
    hook_arm();
    bg.c = c, bg.sql = "REINDEX TABLE CONCURRENTLY rx", bg.done = false;
    test_spawn(sh_bg_fiber, &bg);
    hook_wait();
    /* The old unique index enforces while its copy is built. */
    expect(b, "INSERT INTO rx VALUES (201, 10, 'dup')",
           "ERROR 23505: duplicate key value violates unique constraint \"rx_a_key\"\n");
    expect(b, "INSERT INTO rx SELECT g, g * 10, 'w' || g FROM generate_series(201, 260) g",
           "INSERT 0 60\n");
    expect(b, "UPDATE rx SET a = a + 5000 WHERE id % 7 = 0", "UPDATE 37\n");
    expect(a, "DELETE FROM rx WHERE id % 11 = 0", "DELETE 23\n");
    expect(a, "SELECT count(*) FROM rx", "count\n237\nSELECT 1\n");
    expect(a, "SET lock_timeout = '50ms'", "SET\n");
    expect(a, "ALTER TABLE rx ADD COLUMN z int",
           "ERROR 55P03: canceling statement due to lock timeout\n");
    expect(a, "RESET lock_timeout", "RESET\n");
    TEST_CHECK(!bg.done);
    hook_release = true;
    sh_bg_wait(&bg);
    sql_ddl_index_build_hook = NULL;
    sh_check("REINDEX TABLE CONCURRENTLY beside writers", bg.out, "REINDEX\n");
    expect(a, rx_indexes, "i|indisvalid|indisready\nrx_a_key|t|t\nrx_note_idx|t|t\n"
                          "rx_pkey|t|t\nSELECT 3\n");
    expect(a, "SELECT conname, conindid::regclass::text FROM pg_constraint "
              "WHERE conrelid = 'rx'::regclass ORDER BY 1",
           "conname|conindid\nrx_a_key|rx_a_key\nrx_pkey|rx_pkey\nSELECT 2\n");
    const char *q = "SELECT id, note FROM rx WHERE a IN (20, 70, 2550, 5070, 5140) ORDER BY id";
    char *want = strdup(run(a, q));
    expect(a, "SET enable_seqscan = off", "SET\n");
    sh_plan_has(a, q, "rx_a_key", NULL);
    sh_check("index scan = seq scan after REINDEX CONCURRENTLY", run(a, q), want);
    free(want);
    expect(a, "SELECT id FROM rx WHERE note = 'w250'", "id\n250\nSELECT 1\n");
    expect(a, "RESET enable_seqscan", "RESET\n");
    expect(a, "INSERT INTO rx VALUES (300, 2550, 'x')",
           "ERROR 23505: duplicate key value violates unique constraint \"rx_a_key\"\n");
    expect(a, "INSERT INTO rx VALUES (301, 110, 'x')", "INSERT 0 1\n"); /* id 11 was deleted */
}

/* DROP INDEX CONCURRENTLY waits for an open writer; readers and writers are not blocked. */
static void script_drop_beside_writer(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE dx (id int PRIMARY KEY, a int)", "CREATE TABLE\n");
    expect(a, "CREATE INDEX dx_a ON dx (a)", "CREATE INDEX\n");
    expect(a, "INSERT INTO dx SELECT g, g FROM generate_series(1, 100) g", "INSERT 0 100\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO dx VALUES (101, 5)", "INSERT 0 1\n");
    sh_bg_start(&bg, c, "DROP INDEX CONCURRENTLY dx_a"); /* waits for a's transaction */
    expect(b, "SELECT count(*) FROM dx WHERE a = 5", "count\n1\nSELECT 1\n");
    expect(b, "INSERT INTO dx VALUES (102, 5)", "INSERT 0 1\n");
    expect(b, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'dx_a'::regclass",
           "indisvalid\nf\nSELECT 1\n");
    TEST_CHECK(!bg.done);
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("DROP INDEX CONCURRENTLY after the writer", bg.out, "DROP INDEX\n");
    expect(b, "SELECT count(*) FROM pg_class WHERE relname = 'dx_a'", "count\n0\nSELECT 1\n");
    expect(b, "SELECT count(*) FROM dx WHERE a = 5", "count\n3\nSELECT 1\n");
}

static void sessions(capture *s[SH_SESSIONS]) {
    script_reindex_beside_writers(s[0], s[1], s[2]);
    script_drop_beside_writer(s[0], s[1], s[2]);
}

static void test_reindex_concurrently(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("reindex_cc", 2, sessions), 0);
}

/* ---- a crash in the middle ---- */

static void crash_hook(uint32_t index_oid) {
    (void)index_oid;
    fflush(NULL);
    _exit(atomic_load(&mismatches) + atomic_load(&test_check_failures) != 0);
}

static void script_crash_reindex(capture *a) {
    expect(a, "CREATE TABLE kx (id int PRIMARY KEY, a int UNIQUE)", "CREATE TABLE\n");
    expect(a, "INSERT INTO kx SELECT g, g FROM generate_series(1, 100) g", "INSERT 0 100\n");
    sql_ddl_index_build_hook = crash_hook;
    run(a, "REINDEX INDEX CONCURRENTLY kx_a_key");
    TEST_CHECK(false); /* not reached */
}

static void script_crash_drop(capture *a) {
    expect(a, "SELECT i, indisvalid, indisready FROM (SELECT indexrelid::regclass::text AS i, "
              "indisvalid, indisready FROM pg_index WHERE indrelid = 'kx'::regclass) s ORDER BY 1",
           "i|indisvalid|indisready\nkx_a_key|t|t\nkx_a_key_ccnew|f|t\nkx_pkey|t|t\nSELECT 3\n");
    expect(a, "INSERT INTO kx VALUES (101, 50)",
           "ERROR 23505: duplicate key value violates unique constraint \"kx_a_key\"\n");
    expect(a, "DROP INDEX kx_a_key_ccnew", "DROP INDEX\n");
    expect(a, "CREATE INDEX kx_b ON kx (a)", "CREATE INDEX\n");
    sql_ddl_index_build_hook = crash_hook;
    run(a, "DROP INDEX CONCURRENTLY kx_b");
    TEST_CHECK(false);
}

static void script_after_crashes(capture *a) {
    expect(a, "SELECT indexrelid::regclass::text AS i, indisvalid, indisready FROM pg_index "
              "WHERE indrelid = 'kx'::regclass ORDER BY 1",
           "i|indisvalid|indisready\nkx_a_key|t|t\nkx_b|f|f\nkx_pkey|t|t\nSELECT 3\n");
    expect(a, "DROP INDEX kx_b", "DROP INDEX\n");
    expect(a, "REINDEX TABLE CONCURRENTLY kx", "REINDEX\n");
    expect(a, "SELECT count(*), sum(a) FROM kx", "count|sum\n100|5050\nSELECT 1\n");
    expect(a, "INSERT INTO kx VALUES (101, 50)",
           "ERROR 23505: duplicate key value violates unique constraint \"kx_a_key\"\n");
}

static void test_crash_in_the_middle(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "reindex_crash"));
    assert_int_equal(sh_run_forked(dir, 2, script_crash_reindex, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_crash_drop, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_after_crashes, NULL), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    /* The crash runs first: each is a child process that must not inherit an engine. */
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crash_in_the_middle),
                                       cmocka_unit_test(test_reindex_concurrently)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
