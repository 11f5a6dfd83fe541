/* test_sql_savepoint_locks.c: what a transaction holds is given up with the subtransaction
 * that took it, as in PostgreSQL 15: ROLLBACK TO SAVEPOINT releases the row locks (FOR UPDATE,
 * FOR SHARE, those of UPDATE, DELETE and INSERT) and the table locks (LOCK TABLE, the weak
 * locks of statements, DDL's and the catalog's) taken after the savepoint, so a session
 * already waiting for one of them goes on at once while the holder's transaction stays open;
 * what was taken before the savepoint (or in an enclosing one) stays; RELEASE SAVEPOINT hands
 * its locks to the enclosing level. A statement that fails in a block aborts the innermost
 * subtransaction at once: without a savepoint every lock of the transaction goes when the
 * error is reported (before the client's ROLLBACK), after a savepoint those taken since it.
 * How: a real engine with two shards in a temporary directory; sessions (sql_session.h) run in
 * fibers on shard 0, each statement's output compared with what PostgreSQL 15 printed for the
 * same sessions. A session that must block runs in a fiber of its own (sh_bg_start checks it
 * is blocked); it must finish while the holder's transaction is still open, which only the
 * release can explain. A lock still held is shown by a third session's lock_timeout (50 ms)
 * ending its wait. Transaction-level advisory locks follow the same rule; session-level ones
 * stay taken through ROLLBACK TO. */
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

#define TIMEOUT_ERR "ERROR 55P03: canceling statement due to lock timeout\n"
#define DIV0_ERR "ERROR 22012: division by zero\n"

/* A holds a row lock taken after a savepoint; B waits for it; ROLLBACK TO lets B go on. */
static void rows_case(capture *a, capture *c, const char *hold, const char *hold_out,
                      const char *wait, const char *wait_out) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, hold, hold_out);
    sh_bg_start(&bg, c, wait);
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check(wait, bg.out, wait_out);
    expect(a, "ROLLBACK", "ROLLBACK\n");
}

/* Every kind of row lock and write taken after the savepoint. */
static void script_rows(capture *a, capture *c) {
    expect(a, "CREATE TABLE r (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO r SELECT g, g FROM generate_series(1, 8) g", "INSERT 0 8\n");
    rows_case(a, c, "SELECT id FROM r WHERE id = 1 FOR UPDATE", "id\n1\nSELECT 1\n",
              "SELECT id, v FROM r WHERE id = 1 FOR UPDATE", "id|v\n1|1\nSELECT 1\n");
    rows_case(a, c, "SELECT id FROM r WHERE id = 2 FOR SHARE", "id\n2\nSELECT 1\n",
              "UPDATE r SET v = 20 WHERE id = 2 RETURNING v", "v\n20\nUPDATE 1\n");
    rows_case(a, c, "UPDATE r SET v = 30 WHERE id = 3", "UPDATE 1\n",
              "UPDATE r SET v = v + 1 WHERE id = 3 RETURNING v", "v\n4\nUPDATE 1\n");
    rows_case(a, c, "DELETE FROM r WHERE id = 4", "DELETE 1\n",
              "DELETE FROM r WHERE id = 4", "DELETE 1\n");
    rows_case(a, c, "INSERT INTO r VALUES (9, 9)", "INSERT 0 1\n",
              "INSERT INTO r VALUES (9, 90)", "INSERT 0 1\n");
    rows_case(a, c, "SELECT id FROM r ORDER BY id LIMIT 1 FOR UPDATE",
              "id\n1\nSELECT 1\n", "SELECT id FROM r WHERE id = 1 FOR KEY SHARE",
              "id\n1\nSELECT 1\n");
    expect(a, "SELECT id, v FROM r ORDER BY id",
           "id|v\n1|1\n2|20\n3|4\n5|5\n6|6\n7|7\n8|8\n9|90\nSELECT 8\n");
}

/* What was taken before the savepoint, or in an enclosing one, stays taken. */
static void script_rows_kept(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE r SET v = 50 WHERE id = 5", "UPDATE 1\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "UPDATE r SET v = 55 WHERE id = 5", "UPDATE 1\n");
    expect(a, "SELECT id FROM r WHERE id = 6 FOR UPDATE", "id\n6\nSELECT 1\n");
    expect(a, "SAVEPOINT t", "SAVEPOINT\n");
    expect(a, "SELECT id FROM r WHERE id = 7 FOR UPDATE", "id\n7\nSELECT 1\n");
    expect(a, "ROLLBACK TO SAVEPOINT t", "ROLLBACK\n");
    expect(b, "SELECT id FROM r WHERE id = 7 FOR UPDATE NOWAIT", "id\n7\nSELECT 1\n");
    expect(b, "SELECT id FROM r WHERE id = 6 FOR UPDATE", TIMEOUT_ERR);
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(b, "SELECT id FROM r WHERE id = 6 FOR UPDATE NOWAIT", "id\n6\nSELECT 1\n");
    expect(b, "UPDATE r SET v = v + 1 WHERE id = 5", TIMEOUT_ERR);
    sh_bg_start(&bg, c, "UPDATE r SET v = v + 1 WHERE id = 5 RETURNING v");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("the writer after the commit", bg.out, "v\n51\nUPDATE 1\n");
    /* RELEASE hands the inner savepoint's locks to the outer one, which takes them back.
     * (A session that began to wait before the ROLLBACK TO goes on here at once; PostgreSQL's
     * waits on the whole transaction once the savepoint that locked was released.) */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "SAVEPOINT t", "SAVEPOINT\n");
    expect(a, "SELECT id FROM r WHERE id = 8 FOR UPDATE", "id\n8\nSELECT 1\n");
    expect(a, "RELEASE SAVEPOINT t", "RELEASE\n");
    expect(b, "SELECT id FROM r WHERE id = 8 FOR UPDATE", TIMEOUT_ERR);
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(b, "SELECT id FROM r WHERE id = 8 FOR UPDATE NOWAIT", "id\n8\nSELECT 1\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
}

/* A failed statement aborts the innermost subtransaction at once. */
static void script_failed(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE r SET v = 10 WHERE id = 1", "UPDATE 1\n");
    expect(a, "SELECT id FROM r WHERE id = 2 FOR UPDATE", "id\n2\nSELECT 1\n");
    sh_bg_start(&bg, c, "UPDATE r SET v = v + 100 WHERE id = 1 RETURNING v");
    expect(a, "SELECT 1 / 0", DIV0_ERR);
    sh_bg_wait(&bg);
    sh_check("the writer after the holder failed", bg.out, "v\n101\nUPDATE 1\n");
    expect(b, "SELECT id FROM r WHERE id = 2 FOR UPDATE NOWAIT", "id\n2\nSELECT 1\n");
    expect(a, "SELECT 1", "ERROR 25P02: current transaction is aborted, commands ignored until "
                          "end of transaction block\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    /* After a savepoint: the locks since it go at the error, those before it at ROLLBACK TO
     * (of an outer savepoint) or ROLLBACK. */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM r WHERE id = 3 FOR UPDATE", "id\n3\nSELECT 1\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "UPDATE r SET v = 0 WHERE id = 6", "UPDATE 1\n");
    sh_bg_start(&bg, c, "UPDATE r SET v = v + 1 WHERE id = 6 RETURNING v");
    expect(a, "UPDATE r SET v = 1 / (v - 7) WHERE id = 7", DIV0_ERR);
    sh_bg_wait(&bg);
    sh_check("the writer after the savepoint failed", bg.out, "v\n7\nUPDATE 1\n");
    expect(b, "SELECT id FROM r WHERE id = 3 FOR UPDATE", TIMEOUT_ERR);
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(b, "SELECT id FROM r WHERE id = 3 FOR UPDATE", TIMEOUT_ERR);
    expect(a, "SELECT id, v FROM r WHERE id IN (3, 6) ORDER BY id",
           "id|v\n3|4\n6|7\nSELECT 2\n");
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "SELECT id FROM r WHERE id = 3 FOR UPDATE NOWAIT", "id\n3\nSELECT 1\n");
}

/* LOCK TABLE, weak locks and DDL taken after a savepoint go with it. */
static void script_tables(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE w (id int)", "CREATE TABLE\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "LOCK TABLE r IN EXCLUSIVE MODE", "LOCK TABLE\n");
    sh_bg_start(&bg, c, "SELECT id FROM r WHERE id = 1 FOR UPDATE");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check("a locker after LOCK TABLE was rolled back", bg.out, "id\n1\nSELECT 1\n");
    /* A weak lock taken before the savepoint stays; the stronger one taken after goes. */
    expect(a, "SELECT count(*) FROM w", "count\n0\nSELECT 1\n");
    expect(a, "SAVEPOINT t", "SAVEPOINT\n");
    expect(a, "INSERT INTO w VALUES (1)", "INSERT 0 1\n");
    expect(c, "BEGIN", "BEGIN\n");
    sh_bg_start(&bg, c, "LOCK TABLE w IN SHARE MODE");
    expect(a, "ROLLBACK TO SAVEPOINT t", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check("SHARE after the writer's savepoint was rolled back", bg.out, "LOCK TABLE\n");
    expect(c, "ROLLBACK", "ROLLBACK\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE w IN ACCESS EXCLUSIVE MODE", TIMEOUT_ERR);
    expect(b, "ROLLBACK", "ROLLBACK\n");
    /* Released into the outer level, then rolled back with it. */
    expect(a, "SAVEPOINT u", "SAVEPOINT\n");
    expect(a, "SAVEPOINT v", "SAVEPOINT\n");
    expect(a, "LOCK TABLE r", "LOCK TABLE\n");
    expect(a, "RELEASE SAVEPOINT v", "RELEASE\n");
    expect(b, "SELECT count(*) FROM r", TIMEOUT_ERR);
    sh_bg_start(&bg, c, "SELECT count(*) FROM r");
    expect(a, "ROLLBACK TO SAVEPOINT u", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check("a reader after the released LOCK TABLE was rolled back", bg.out,
             "count\n8\nSELECT 1\n");
    /* A failing statement after the savepoint: its level's locks go at the error. */
    expect(a, "LOCK TABLE r IN SHARE MODE", "LOCK TABLE\n");
    expect(a, "SAVEPOINT x", "SAVEPOINT\n");
    expect(a, "LOCK TABLE w", "LOCK TABLE\n");
    sh_bg_start(&bg, c, "SELECT count(*) FROM w");
    expect(a, "SELECT 1 / 0", DIV0_ERR);
    sh_bg_wait(&bg);
    sh_check("a reader after the locker's savepoint failed", bg.out, "count\n0\nSELECT 1\n");
    expect(b, "UPDATE r SET v = v WHERE id = 1", TIMEOUT_ERR);
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(b, "UPDATE r SET v = v WHERE id = 1", "UPDATE 1\n");
}

/* DDL after a savepoint: its table locks and the catalog's DDL lock go at ROLLBACK TO. */
static void script_ddl(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "ALTER TABLE w ADD COLUMN c int", "ALTER TABLE\n");
    sh_bg_start(&bg, c, "SELECT * FROM w");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check("a reader after ALTER TABLE was rolled back", bg.out, "id\nSELECT 0\n");
    expect(b, "CREATE TABLE w2 (id int)", "CREATE TABLE\n");
    expect(a, "SELECT * FROM w", "id\nSELECT 0\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "CREATE TABLE w3 (id int)", "CREATE TABLE\n");
    expect(a, "ALTER TABLE w ADD COLUMN d int", "ALTER TABLE\n");
    sh_bg_start(&bg, c, "SELECT * FROM w");
    expect(a, "SELECT 1 / 0", DIV0_ERR);
    sh_bg_wait(&bg);
    sh_check("a reader after the ALTER's savepoint failed", bg.out, "id\nSELECT 0\n");
    expect(b, "CREATE TABLE w4 (id int)", "CREATE TABLE\n");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(a, "SELECT count(*) FROM pg_class WHERE relname = 'w3'", "count\n0\nSELECT 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    expect(a, "SELECT * FROM w4", "id\nSELECT 0\n");
}

#define ADV_OUT(fn) fn "\n\nSELECT 1\n"

/* pg_advisory_xact_lock and its shared form after a savepoint go at ROLLBACK TO and when a
 * statement fails; pg_advisory_lock stays until unlocked. */
static void script_advisory(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT pg_advisory_xact_lock(41)", ADV_OUT("pg_advisory_xact_lock"));
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "SELECT pg_advisory_xact_lock(42)", ADV_OUT("pg_advisory_xact_lock"));
    expect(a, "SELECT pg_advisory_xact_lock_shared(43)",
           ADV_OUT("pg_advisory_xact_lock_shared"));
    expect(a, "SELECT pg_advisory_lock(44)", ADV_OUT("pg_advisory_lock"));
    sh_bg_start(&bg, c, "SELECT pg_advisory_xact_lock(42)");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check("an advisory locker after ROLLBACK TO", bg.out, ADV_OUT("pg_advisory_xact_lock"));
    expect(b, "SELECT pg_advisory_xact_lock(43)", ADV_OUT("pg_advisory_xact_lock"));
    expect(b, "SELECT pg_advisory_xact_lock(41)", TIMEOUT_ERR);  /* before the savepoint */
    expect(b, "SELECT pg_advisory_lock_shared(44)", TIMEOUT_ERR); /* session level */
    /* Taken again after the savepoint, then failing: only the subtransaction's go. */
    expect(a, "SELECT pg_advisory_xact_lock(45)", ADV_OUT("pg_advisory_xact_lock"));
    sh_bg_start(&bg, c, "SELECT pg_advisory_xact_lock(45)");
    expect(a, "SELECT 1 / 0", DIV0_ERR);
    sh_bg_wait(&bg);
    sh_check("an advisory locker after the savepoint failed", bg.out,
             ADV_OUT("pg_advisory_xact_lock"));
    expect(b, "SELECT pg_advisory_xact_lock(41)", TIMEOUT_ERR);
    /* Without a savepoint the failed statement aborts the transaction: all go at once. */
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(a, "RELEASE SAVEPOINT s", "RELEASE\n");
    sh_bg_start(&bg, c, "SELECT pg_advisory_xact_lock(41)");
    expect(a, "SELECT 1 / 0", DIV0_ERR);
    sh_bg_wait(&bg);
    sh_check("an advisory locker after the transaction failed", bg.out,
             ADV_OUT("pg_advisory_xact_lock"));
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(b, "SELECT pg_advisory_lock_shared(44)", TIMEOUT_ERR);
    expect(a, "SELECT pg_advisory_unlock(44)", "pg_advisory_unlock\nt\nSELECT 1\n");
    expect(b, "SELECT pg_advisory_xact_lock(44)", ADV_OUT("pg_advisory_xact_lock"));
}

static void sessions(capture *s[SH_SESSIONS]) {
    expect(s[1], "SET lock_timeout = '50ms'", "SET\n");
    script_rows(s[0], s[2]);
    script_rows_kept(s[0], s[1], s[2]);
    script_failed(s[0], s[1], s[2]);
    script_tables(s[0], s[1], s[2]);
    script_ddl(s[0], s[1], s[2]);
    script_advisory(s[0], s[1], s[2]);
}

static void test_savepoint_locks(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("savepoint_locks", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_savepoint_locks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
