/* test_sql_index_build.c: CREATE INDEX builds the index of every partition within the
 * statement (each shard its own partitions, in parallel), so the first query that uses it pays
 * nothing: plain, multi-column, expression, partial and UNIQUE indexes; an index created in a
 * transaction block is built by the statement too; a UNIQUE index over duplicates fails with
 * PostgreSQL's 23505, an expression's error with its own, a key past the B-tree's limit with
 * 54000, and nothing is left for a query to build. REINDEX keeps the index's OID, gives it a
 * new relfilenode and builds its trees in the statement the same way. After a
 * restart (from a checkpoint, and with the CREATE INDEX only in the WAL) the indexes are ready
 * before the first query.
 * How: eng_part_index_builds() counts partition index builds over stored rows: it must grow by
 * the table's partition count during the statement and not at all during the queries after it.
 * Answers through the index are compared with the same query forced to a sequential scan.
 * Restarts run each phase in a child process over one data directory. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define OUT_BYTES (1 << 20)
#include "tests/sql/sql_session_harness.h"

#define PARTS 4

static uint64_t builds(void) { return eng_part_index_builds(); }

/* `sql` through the index (EXPLAIN shows `scan`) equals it with index scans off. */
static void same_as_seqscan(capture *c, const char *sql, const char *scan) {
    sh_plan_has(c, sql, scan, NULL);
    char *via_index = strdup(run(c, sql));
    run(c, "SET enable_indexscan = off");
    run(c, "SET enable_bitmapscan = off");
    sh_check(sql, via_index, run(c, sql));
    run(c, "RESET enable_indexscan");
    run(c, "RESET enable_bitmapscan");
    free(via_index);
}

/* The statement builds exactly one index in every partition; the queries after it none. */
static void create_builds_once(capture *c, const char *create, const char *tag) {
    uint64_t before = builds();
    expect(c, create, tag);
    if (builds() - before != PARTS) {
        fprintf(stderr, "%s: %llu partition builds, want %d\n", create,
                (unsigned long long)(builds() - before), PARTS);
        atomic_fetch_add(&mismatches, 1);
    }
}

static void no_build_since(uint64_t before, const char *what) {
    if (builds() == before) return;
    fprintf(stderr, "%s: %llu lazy builds\n", what, (unsigned long long)(builds() - before));
    atomic_fetch_add(&mismatches, 1);
}

static void load_table(capture *c) {
    expect(c, "CREATE TABLE ib (id int PRIMARY KEY, a int, b text, c int) WITH (partitions = 4)",
           "CREATE TABLE\n");
    expect(c, "INSERT INTO ib SELECT g, g % 1000, 'v' || (g * 7 % 5003), g % 7 "
              "FROM generate_series(1, 20000) g", "INSERT 0 20000\n");
    /* versions beside the live ones: updated and deleted rows */
    expect(c, "UPDATE ib SET a = a + 1 WHERE id % 10 = 0", "UPDATE 2000\n");
    expect(c, "DELETE FROM ib WHERE id % 10 = 5", "DELETE 2000\n");
    run(c, "ANALYZE ib");
}

/* REINDEX keeps the index's OID, gives it a new relfilenode and builds its trees in the
 * statement: the queries after it build nothing. */
static void script_reindex(capture *c) {
    const char *ids = "SELECT oid, relfilenode FROM pg_class WHERE relname = 'ib_expr'";
    char *was = strdup(run(c, ids));
    create_builds_once(c, "REINDEX INDEX ib_expr", "REINDEX\n");
    char *now = strdup(run(c, ids));
    size_t oid_len = strcspn(strchr(was, '\n') + 1, "|") + (size_t)(strchr(was, '\n') + 1 - was);
    if (strncmp(was, now, oid_len) != 0 || strcmp(was, now) == 0) {
        fprintf(stderr, "REINDEX: before %s after %s: want the oid kept, the filenode new\n",
                was, now);
        atomic_fetch_add(&mismatches, 1);
    }
    free(was);
    free(now);
    /* a plain column list: no expression to check over the rows first */
    create_builds_once(c, "REINDEX INDEX ib_cb", "REINDEX\n");
    uint64_t before = builds();
    same_as_seqscan(c, "SELECT id FROM ib WHERE a * 2 + c = 1005 ORDER BY id", "using ib_expr");
    same_as_seqscan(c, "SELECT id FROM ib WHERE c = 2 AND b = 'v1234' ORDER BY id", "using ib_cb");
    no_build_since(before, "queries after REINDEX INDEX");
    /* REINDEX TABLE: each of the six secondary B-trees in every partition, once */
    before = builds();
    expect(c, "REINDEX TABLE ib", "REINDEX\n");
    if (builds() - before != 6u * PARTS) {
        fprintf(stderr, "REINDEX TABLE: %llu partition builds, want %d\n",
                (unsigned long long)(builds() - before), 6 * PARTS);
        atomic_fetch_add(&mismatches, 1);
    }
    before = builds();
    same_as_seqscan(c, "SELECT id, a FROM ib WHERE a = 501 ORDER BY id", "using ib_a");
    same_as_seqscan(c, "SELECT id FROM ib WHERE b = 'v12' AND a < 100 ORDER BY id",
                    "using ib_part");
    expect(c, "INSERT INTO ib VALUES (20001, 1, 'v7', 1)",
           "ERROR 23505: duplicate key value violates unique constraint \"ib_pkey\"\n");
    expect(c, "INSERT INTO ib VALUES (20002, 1, 'v7', 1)", "INSERT 0 1\n");
    no_build_since(before, "queries after REINDEX TABLE");
}

static void script_kinds(capture *c) {
    load_table(c);
    create_builds_once(c, "CREATE INDEX ib_a ON ib (a)", "CREATE INDEX\n");
    create_builds_once(c, "CREATE INDEX ib_cb ON ib (c, b)", "CREATE INDEX\n");
    create_builds_once(c, "CREATE INDEX ib_expr ON ib ((a * 2 + c))", "CREATE INDEX\n");
    create_builds_once(c, "CREATE INDEX ib_part ON ib (b) WHERE a < 100", "CREATE INDEX\n");
    create_builds_once(c, "CREATE UNIQUE INDEX ib_uniq ON ib (b, id)", "CREATE INDEX\n");
    uint64_t before = builds();
    same_as_seqscan(c, "SELECT id, a FROM ib WHERE a = 501 ORDER BY id", "using ib_a");
    same_as_seqscan(c, "SELECT id FROM ib WHERE c = 2 AND b = 'v1234' ORDER BY id", "using ib_cb");
    same_as_seqscan(c, "SELECT id FROM ib WHERE a * 2 + c = 1005 ORDER BY id", "using ib_expr");
    same_as_seqscan(c, "SELECT id FROM ib WHERE b = 'v12' AND a < 100 ORDER BY id",
                    "using ib_part");
    same_as_seqscan(c, "SELECT id FROM ib WHERE b = 'v12' AND id = 2433", "Index Scan");
    expect(c, "SELECT count(*) FROM ib WHERE a = 501", "count\n40\nSELECT 1\n");
    no_build_since(before, "queries after CREATE INDEX");
    /* the index serves writes at once: a duplicate of the unique key fails */
    expect(c, "INSERT INTO ib VALUES (20001, 1, 'v7', 1)", "INSERT 0 1\n");
    expect(c, "INSERT INTO ib VALUES (20001, 1, 'v7', 1)",
           "ERROR 23505: duplicate key value violates unique constraint \"ib_pkey\"\n");
    same_as_seqscan(c, "SELECT id FROM ib WHERE a = 1 ORDER BY id", "Index Scan");
    no_build_since(before, "writes after CREATE INDEX");
    /* in a transaction block: the statement builds it, the COMMIT nothing more */
    expect(c, "BEGIN", "BEGIN\n");
    create_builds_once(c, "CREATE INDEX ib_x3 ON ib ((id * 3))", "CREATE INDEX\n");
    before = builds();
    expect(c, "COMMIT", "COMMIT\n");
    same_as_seqscan(c, "SELECT a FROM ib WHERE id * 3 = 3003", "using ib_x3");
    no_build_since(before, "query after a block's CREATE INDEX");
    script_reindex(c);
}

static void script_errors(capture *c) {
    load_table(c);
    expect(c, "CREATE UNIQUE INDEX ib_dup ON ib (c)",
           "ERROR 23505: could not create unique index \"ib_dup\"\n");
    expect(c, "CREATE INDEX ib_div ON ib ((100 / (c - 3)))", "ERROR 22012: division by zero\n");
    /* a key past the B-tree's limit: the build fails and so does the statement */
    expect(c, "INSERT INTO ib VALUES (40000, 1, repeat('x', 3000), 1)", "INSERT 0 1\n");
    expect(c, "CREATE INDEX ib_long ON ib (b)",
           "ERROR 54000: index row size 3012 exceeds maximum 2704 for index\n");
    expect(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'ib'", "count\n1\nSELECT 1\n");
    expect(c, "SELECT count(*) FROM ib WHERE b LIKE 'xxx%'", "count\n1\nSELECT 1\n");
    /* nothing of them is left for a query to build */
    uint64_t before = builds();
    same_as_seqscan(c, "SELECT id FROM ib WHERE id = 77", "Index Scan");
    no_build_since(before, "queries after failed CREATE INDEX");
}

static char restart_dir[128];

static void script_restart_load(capture *c) {
    load_table(c);
    expect(c, "CREATE INDEX ib_a ON ib (a)", "CREATE INDEX\n");
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
    /* only in the WAL: the next start replays it over partitions loaded without it */
    expect(c, "CREATE INDEX ib_b ON ib (b)", "CREATE INDEX\n");
    expect(c, "INSERT INTO ib VALUES (30000, 777, 'after', 1)", "INSERT 0 1\n");
}

static void script_restart_check(capture *c) {
    uint64_t before = builds();
    same_as_seqscan(c, "SELECT id, a FROM ib WHERE a = 777 ORDER BY id", "Index Scan");
    same_as_seqscan(c, "SELECT id FROM ib WHERE b = 'after'", "Index Scan");
    expect(c, "SELECT id FROM ib WHERE b = 'after'", "id\n30000\nSELECT 1\n");
    no_build_since(before, "first queries after a restart");
}

/* A reader on the committed catalog while a block's CREATE INDEX is uncommitted adapts the
 * partitions back to that catalog; the trees it drops are parked and taken back after the
 * COMMIT, so the first query after it builds nothing. (Beside an uncommitted REINDEX a
 * reader of the table waits, as in PostgreSQL: REINDEX holds ACCESS EXCLUSIVE on the index
 * and a query locks every index of its tables.) */
static void sessions_older_catalog(capture *s[SH_SESSIONS]) {
    load_table(s[0]);
    expect(s[0], "BEGIN", "BEGIN\n");
    create_builds_once(s[0], "CREATE INDEX ib_late ON ib (c, a)", "CREATE INDEX\n");
    expect(s[1], "SELECT count(*) FROM ib WHERE a = 501", "count\n40\nSELECT 1\n");
    uint64_t before = builds();
    expect(s[0], "COMMIT", "COMMIT\n");
    const char *q = "SELECT id FROM ib WHERE c = 3 AND a = 500 ORDER BY id";
    same_as_seqscan(s[0], q, "ib_late");
    no_build_since(before, "query after CREATE INDEX beside a reader on the older catalog");
}

static void test_index_build_in_statement(void **state) {
    (void)state;
    assert_int_equal(sh_run_forked(NULL, 2, script_kinds, NULL), 0);
}

static void test_index_build_older_catalog(void **state) {
    (void)state;
    pid_t pid = fork(); /* one engine per process */
    if (pid == 0) _exit(sh_run_sessions("index_build_older", 2, sessions_older_catalog) != 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_index_build_errors(void **state) {
    (void)state;
    assert_int_equal(sh_run_forked(NULL, 2, script_errors, NULL), 0);
}

/* Small sort buffers: every partition's build goes in runs; the answers stay the same. */
static void test_index_build_in_runs(void **state) {
    (void)state;
    eng_part_index_build_bytes_set(4096);
    assert_int_equal(sh_run_forked(NULL, 2, script_kinds, NULL), 0);
    eng_part_index_build_bytes_set(0);
}

static void test_index_build_restart(void **state) {
    (void)state;
    assert_true(sh_dir_fresh(restart_dir, sizeof restart_dir, "index_build"));
    sh_no_stop_checkpoint = true; /* the second index comes back from the WAL */
    assert_int_equal(sh_run_forked(restart_dir, 2, script_restart_load, NULL), 0);
    sh_no_stop_checkpoint = false;
    assert_int_equal(sh_run_forked(restart_dir, 2, script_restart_check, NULL), 0);
    /* and from the shutdown checkpoint that run wrote */
    assert_int_equal(sh_run_forked(restart_dir, 2, script_restart_check, NULL), 0);
    assert_true(sh_dir_remove(restart_dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_build_in_statement),
        cmocka_unit_test(test_index_build_errors),
        cmocka_unit_test(test_index_build_older_catalog),
        cmocka_unit_test(test_index_build_in_runs),
        cmocka_unit_test(test_index_build_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
