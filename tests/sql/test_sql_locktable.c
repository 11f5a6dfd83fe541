/* test_sql_locktable.c: LOCK TABLE between concurrent sessions, against PostgreSQL 15's
 * behaviour: only in a transaction block (25P01), unknown tables (42P01), ACCESS EXCLUSIVE
 * holds off readers, SHARE lets readers and row lockers in but not writers, EXCLUSIVE holds off
 * row lockers, ROW EXCLUSIVE and SHARE conflict (NOWAIT: 55P03 "could not obtain lock on
 * relation"), a LOCK TABLE waits for a writer's open transaction, lock_timeout ends a wait
 * (55P03), a blocked statement goes on once the holder commits, the locks end with the
 * transaction (also when a statement fails in it), and a cycle of table-lock waits is a
 * deadlock (40P01) for exactly one of its members.
 * How: a real engine with two shards in a temporary directory; sessions (sql_session.h) run in
 * fibers on shard 0, each statement's output compared with what PostgreSQL 15 printed for the
 * same sessions (rows as "a|b", the command tag, or "ERROR <sqlstate>: <message>"). A session
 * that must block runs in a fiber of its own; the main fiber checks it has not finished before
 * the holder ends its transaction (a slow machine only makes that more certain). */
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
#define NOWAIT_ERR "ERROR 55P03: could not obtain lock on relation \"lt\"\n"

static void script_errors(capture *a) {
    expect(a, "CREATE TABLE lt (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE lt2 (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(a, "INSERT INTO lt VALUES (1, 1), (2, 2)", "INSERT 0 2\n");
    expect(a, "LOCK TABLE lt",
           "ERROR 25P01: LOCK TABLE can only be used in transaction blocks\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE nosuch", "ERROR 42P01: relation \"nosuch\" does not exist\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
}

/* ACCESS EXCLUSIVE (the default mode) holds off every reader until it commits. */
static void script_access_exclusive(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt", "LOCK TABLE\n");
    expect(b, "SELECT * FROM lt", TIMEOUT_ERR);
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE lt IN ACCESS SHARE MODE NOWAIT", NOWAIT_ERR);
    expect(b, "ROLLBACK", "ROLLBACK\n");
    expect(b, "SELECT * FROM lt2", "id\nSELECT 0\n");
    sh_bg_start(&bg, c, "SELECT count(*) FROM lt");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("a reader after ACCESS EXCLUSIVE", bg.out, "count\n2\nSELECT 1\n");
}

/* SHARE: readers and row lockers go on, writers wait; EXCLUSIVE also holds off row lockers. */
static void script_share(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN SHARE MODE", "LOCK TABLE\n");
    expect(b, "SELECT * FROM lt ORDER BY id", "id|v\n1|1\n2|2\nSELECT 2\n");
    expect(b, "INSERT INTO lt VALUES (3, 3)", TIMEOUT_ERR);
    expect(b, "UPDATE lt SET v = 0 WHERE id = 1", TIMEOUT_ERR);
    expect(b, "SELECT * FROM lt WHERE id = 1 FOR UPDATE", "id|v\n1|1\nSELECT 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE lt IN SHARE MODE NOWAIT", "LOCK TABLE\n");
    expect(b, "LOCK TABLE lt IN ROW EXCLUSIVE MODE NOWAIT", NOWAIT_ERR);
    expect(b, "ROLLBACK", "ROLLBACK\n");
    sh_bg_start(&bg, c, "INSERT INTO lt VALUES (4, 4)");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("a writer after SHARE", bg.out, "INSERT 0 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN EXCLUSIVE MODE", "LOCK TABLE\n");
    expect(b, "SELECT * FROM lt ORDER BY id", "id|v\n1|1\n2|2\n4|4\nSELECT 3\n");
    expect(b, "SELECT * FROM lt WHERE id = 1 FOR SHARE", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN ROW EXCLUSIVE MODE", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE lt IN SHARE MODE NOWAIT", NOWAIT_ERR);
    expect(b, "ROLLBACK", "ROLLBACK\n");
    expect(a, "COMMIT", "COMMIT\n");
}

/* A LOCK TABLE waits for the open transaction of a writer (its ROW EXCLUSIVE lock). */
static void script_waits_for_writer(capture *a, capture *b) {
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "INSERT INTO lt VALUES (5, 5)", "INSERT 0 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SET LOCAL lock_timeout = '50ms'", "SET\n");
    expect(a, "LOCK TABLE lt IN SHARE MODE", TIMEOUT_ERR);
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN SHARE MODE NOWAIT", NOWAIT_ERR);
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN ACCESS SHARE MODE NOWAIT", "LOCK TABLE\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN SHARE MODE NOWAIT", "LOCK TABLE\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
}

/* A and B each hold a SHARE lock the other's INSERT needs: one of them (the one that waited
 * longest, in PostgreSQL) gets 40P01, its locks go with its failed transaction, and the other's
 * INSERT completes. */
static void script_deadlock(capture *a, capture *b) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lt IN SHARE MODE", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE lt2 IN SHARE MODE", "LOCK TABLE\n");
    sh_bg_start(&bg, b, "INSERT INTO lt VALUES (6, 6)");
    char got[OUT_BYTES];
    snprintf(got, sizeof got, "%s", run(a, "INSERT INTO lt2 VALUES (6)"));
    const char *dead = "ERROR 40P01: deadlock detected\n";
    if (strcmp(got, dead) == 0) expect(a, "ROLLBACK", "ROLLBACK\n");
    sh_bg_wait(&bg);
    int deadlocks = (strcmp(got, dead) == 0) + (strcmp(bg.out, dead) == 0);
    TEST_CHECK(deadlocks == 1);
    if (strcmp(got, dead) != 0) sh_check("the survivor A", got, "INSERT 0 1\n");
    if (strcmp(bg.out, dead) != 0) sh_check("the survivor B", bg.out, "INSERT 0 1\n");
    expect(b, "ROLLBACK", "ROLLBACK\n");
    if (strcmp(got, dead) != 0) expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "SELECT count(*) FROM lt2", "count\n0\nSELECT 1\n");
}

static void sessions(capture *s[SH_SESSIONS]) {
    expect(s[1], "SET lock_timeout = '50ms'", "SET\n");
    script_errors(s[0]);
    script_access_exclusive(s[0], s[1], s[2]);
    script_share(s[0], s[1], s[2]);
    script_waits_for_writer(s[0], s[1]);
    expect(s[1], "RESET lock_timeout", "RESET\n");
    script_deadlock(s[0], s[1]);
}

static void test_locktable(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("locktable", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_locktable)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
