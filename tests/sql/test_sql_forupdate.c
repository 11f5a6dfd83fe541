/* test_sql_forupdate.c: SELECT ... FOR UPDATE / SHARE row locks between concurrent sessions:
 * a second locker blocks until the holder commits and then sees the newest version (READ
 * COMMITTED re-checks its WHERE there: rows updated out of the condition or deleted vanish),
 * NOWAIT fails with 55P03, SKIP LOCKED leaves locked rows out, lock_timeout cancels the wait,
 * ROLLBACK TO SAVEPOINT releases the locks taken after the savepoint, REPEATABLE READ reports
 * 40001 for a row updated after its snapshot, FOR UPDATE OF in a join locks only the named
 * table, and a job queue (ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) drained by three workers
 * at once hands every job to exactly one of them. PostgreSQL's refusals (aggregates, DISTINCT,
 * GROUP BY, outer joins, unknown OF names) are checked too.
 * How: a real engine with two shards in a temporary directory; sessions (sql_session.h) run in
 * fibers on shard 0, each statement's output compared with PostgreSQL 15's (rows as "a|b", the
 * command tag, or "ERROR <sqlstate>: <message>"). A session that must block runs in a fiber of
 * its own; the main fiber checks it has not finished before the holder commits. */
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
#define MS (1000ull * 1000ull)
#define JOBS 40
#define WORKERS 3

#include "tests/sql/sql_session_harness.h"

static void check_text(const char *what, const char *got, const char *want) {
    if (strcmp(got, want) == 0) return;
    atomic_fetch_add(&mismatches, 1);
    fprintf(stderr, "MISMATCH for: %s\n--- want:\n%s--- got:\n%s---\n", what, want, got);
}

static capture *session_new(void) {
    capture *c = calloc(1, sizeof *c);
    if (c == NULL || !sh_open(c)) {
        free(c);
        return NULL;
    }
    return c;
}

static void session_free(capture *c) {
    sql_session_close(c->s);
    free(c);
}

/* ---- a session in a fiber of its own, for statements that block ---- */

typedef struct bg_session {
    const char *sql[4];      /* run in order; NULL ends */
    char out[OUT_BYTES];     /* every statement's output, concatenated */
    bool done;
} bg_session;

static void bg_fiber(void *arg) {
    bg_session *bg = arg;
    capture *c = session_new();
    if (c != NULL) {
        size_t len = 0;
        for (uint32_t i = 0; i < 4 && bg->sql[i] != NULL; i++) {
            len += (size_t)snprintf(bg->out + len, OUT_BYTES - len, "%s", run(c, bg->sql[i]));
        }
        session_free(c);
    }
    bg->done = true;
}

/* Waits (up to 10 s) for a background session to finish. */
static void bg_wait(bg_session *bg) {
    for (uint32_t i = 0; i < 10000 && !bg->done; i++) rt_fiber_sleep_ns(MS);
    TEST_CHECK(bg->done);
}

/* ---- scripts ---- */

static void script_setup(capture *a) {
    expect(a, "CREATE TABLE acct (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO acct SELECT g, g FROM generate_series(1, 10) g", "INSERT 0 10\n");
    expect(a, "CREATE TABLE jobs (id int PRIMARY KEY, state text, worker int)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO jobs (id, state) SELECT g, 'new' FROM generate_series(1, 40) g",
           "INSERT 0 40\n");
}

/* B blocks on A's locks, then sees A's outcome on the newest versions: id 1 updated and still
 * matching, id 2 updated out of the WHERE, id 3 deleted, id 4 untouched. */
static void script_block_recheck(capture *a) {
    static bg_session b = {.sql = {"BEGIN",
                                   "SELECT id, v FROM acct WHERE id <= 4 AND v < 50 ORDER BY id "
                                   "FOR UPDATE",
                                   "COMMIT", NULL}};
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id, v FROM acct WHERE id <= 3 ORDER BY id FOR UPDATE",
           "id|v\n1|1\n2|2\n3|3\nSELECT 3\n");
    test_spawn(bg_fiber, &b);
    rt_fiber_sleep_ns(100 * MS);
    TEST_CHECK(!b.done); /* waiting for our locks */
    expect(a, "UPDATE acct SET v = v + 10 WHERE id = 1", "UPDATE 1\n");
    expect(a, "UPDATE acct SET v = 100 WHERE id = 2", "UPDATE 1\n");
    expect(a, "DELETE FROM acct WHERE id = 3", "DELETE 1\n");
    rt_fiber_sleep_ns(20 * MS);
    TEST_CHECK(!b.done);
    expect(a, "COMMIT", "COMMIT\n");
    bg_wait(&b);
    check_text("blocked FOR UPDATE after the holder committed", b.out,
               "BEGIN\nid|v\n1|11\n4|4\nSELECT 2\nCOMMIT\n");
}

/* NOWAIT, SKIP LOCKED, lock_timeout and FOR SHARE against a held lock; released at commit. */
static void script_nowait_skip(capture *a, capture *b) {
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM acct WHERE id = 4 FOR UPDATE", "id\n4\nSELECT 1\n");
    expect(b, "SELECT id FROM acct WHERE id = 4 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"acct\"\n");
    expect(b, "SELECT id FROM acct WHERE id = 4 FOR SHARE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"acct\"\n");
    expect(b, "SELECT id FROM acct WHERE id IN (4, 5, 6) ORDER BY id FOR UPDATE SKIP LOCKED",
           "id\n5\n6\nSELECT 2\n");
    expect(b, "SELECT id FROM acct WHERE v >= 4 AND v <= 5 FOR NO KEY UPDATE SKIP LOCKED",
           "id\n5\nSELECT 1\n");
    expect(b, "SET lock_timeout = '50ms'", "SET\n");
    expect(b, "SELECT id FROM acct WHERE id = 4 FOR KEY SHARE",
           "ERROR 55P03: canceling statement due to lock timeout\n");
    expect(b, "UPDATE acct SET v = 0 WHERE id = 4",
           "ERROR 55P03: canceling statement due to lock timeout\n");
    expect(b, "RESET lock_timeout", "RESET\n");
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "SELECT id FROM acct WHERE id = 4 FOR UPDATE NOWAIT", "id\n4\nSELECT 1\n");
}

/* ROLLBACK TO SAVEPOINT gives up the locks taken after the savepoint, not those before. */
static void script_savepoint(capture *a, capture *b) {
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM acct WHERE id = 5 FOR UPDATE", "id\n5\nSELECT 1\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "SELECT id FROM acct WHERE id = 6 FOR UPDATE", "id\n6\nSELECT 1\n");
    expect(b, "SELECT id FROM acct WHERE id = 6 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"acct\"\n");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(b, "SELECT id FROM acct WHERE id = 6 FOR UPDATE NOWAIT", "id\n6\nSELECT 1\n");
    expect(b, "SELECT id FROM acct WHERE id = 5 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"acct\"\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(b, "SELECT id FROM acct WHERE id = 5 FOR UPDATE NOWAIT", "id\n5\nSELECT 1\n");
}

/* REPEATABLE READ cannot lock a row updated after its snapshot was taken. */
static void script_repeatable_read(capture *a, capture *b) {
    expect(b, "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN\n");
    expect(b, "SELECT v FROM acct WHERE id = 7", "v\n7\nSELECT 1\n");
    expect(a, "UPDATE acct SET v = 70 WHERE id = 7", "UPDATE 1\n");
    expect(b, "SELECT v FROM acct WHERE id = 8 FOR UPDATE", "v\n8\nSELECT 1\n");
    expect(b, "SELECT v FROM acct WHERE id = 7 FOR UPDATE",
           "ERROR 40001: could not serialize access due to concurrent update\n");
    expect(b, "ROLLBACK", "ROLLBACK\n");
    expect(b, "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN\n");
    expect(b, "SELECT v FROM acct WHERE id = 7 FOR UPDATE", "v\n70\nSELECT 1\n");
    expect(b, "COMMIT", "COMMIT\n");
}

/* FOR UPDATE OF in a join locks the named table's rows only. */
static void script_join(capture *a, capture *b) {
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT a.id, j.state FROM acct a JOIN jobs j ON j.id = a.id WHERE a.id = 9 "
              "FOR UPDATE OF a",
           "id|state\n9|new\nSELECT 1\n");
    expect(b, "SELECT id FROM acct WHERE id = 9 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"acct\"\n");
    expect(b, "SELECT id FROM jobs WHERE id = 9 FOR UPDATE NOWAIT", "id\n9\nSELECT 1\n");
    expect(a, "SELECT a.id FROM acct a, jobs j WHERE j.id = a.id AND a.id = 10 FOR SHARE",
           "id\n10\nSELECT 1\n");
    expect(b, "SELECT id FROM jobs WHERE id = 10 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"jobs\"\n");
    expect(a, "COMMIT", "COMMIT\n");
}

/* What PostgreSQL refuses to lock. */
static void script_refused(capture *a) {
    expect(a, "SELECT count(*) FROM acct FOR UPDATE",
           "ERROR 0A000: FOR UPDATE is not allowed with aggregate functions\n");
    expect(a, "SELECT DISTINCT v FROM acct FOR SHARE",
           "ERROR 0A000: FOR SHARE is not allowed with DISTINCT clause\n");
    expect(a, "SELECT v FROM acct GROUP BY v FOR KEY SHARE",
           "ERROR 0A000: FOR KEY SHARE is not allowed with GROUP BY clause\n");
    expect(a, "SELECT id FROM acct UNION SELECT id FROM jobs FOR UPDATE",
           "ERROR 0A000: FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT\n");
    expect(a, "SELECT * FROM acct a LEFT JOIN jobs j ON j.id = a.id FOR UPDATE",
           "ERROR 0A000: FOR UPDATE cannot be applied to the nullable side of an outer join\n");
    expect(a, "SELECT * FROM acct a FOR UPDATE OF acct",
           "ERROR 42P01: relation \"acct\" in FOR UPDATE clause not found in FROM clause\n");
    expect(a, "SELECT 1 AS x FOR UPDATE", "x\n1\nSELECT 1\n");
}

/* ---- the job queue ---- */

static _Atomic int job_taken[JOBS + 1];
static _Atomic int workers_running;

/* The id in "id\n<n>\nSELECT 1\n", or 0 for no row. */
static int job_id_of(const char *out) {
    int id = 0;
    if (sscanf(out, "id\n%d\nSELECT 1\n", &id) != 1) return 0;
    return id;
}

static void worker_fiber(void *arg) {
    int w = (int)(intptr_t)arg;
    capture *c = session_new();
    for (uint32_t round = 0; c != NULL && round < 10000; round++) {
        expect(c, "BEGIN", "BEGIN\n");
        int id = job_id_of(run(c, "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 "
                                  "FOR UPDATE SKIP LOCKED"));
        if (id == 0) {
            expect(c, "COMMIT", "COMMIT\n");
            if (strcmp(run(c, "SELECT count(*) FROM jobs WHERE state = 'new'"),
                       "count\n0\nSELECT 1\n") == 0) {
                break;
            }
            rt_fiber_sleep_ns(MS); /* the rest are taken: let their holders commit */
            continue;
        }
        TEST_CHECK(id >= 1 && id <= JOBS);
        if (id >= 1 && id <= JOBS) atomic_fetch_add(&job_taken[id], 1);
        rt_fiber_sleep_ns(MS); /* work on it while others look for jobs */
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'done', worker = %d WHERE id = %d", w,
                 id);
        expect(c, sql, "UPDATE 1\n");
        expect(c, "COMMIT", "COMMIT\n");
    }
    if (c != NULL) session_free(c);
    atomic_fetch_sub(&workers_running, 1);
}

static void script_job_queue(capture *a) {
    atomic_store(&workers_running, WORKERS);
    for (int w = 1; w <= WORKERS; w++) test_spawn(worker_fiber, (void *)(intptr_t)w);
    for (uint32_t i = 0; i < 60000 && atomic_load(&workers_running) > 0; i++) {
        rt_fiber_sleep_ns(MS);
    }
    TEST_CHECK(atomic_load(&workers_running) == 0);
    for (int id = 1; id <= JOBS; id++) {
        if (atomic_load(&job_taken[id]) != 1) {
            atomic_fetch_add(&mismatches, 1);
            fprintf(stderr, "job %d taken %d times\n", id, atomic_load(&job_taken[id]));
        }
    }
    expect(a, "SELECT count(*) FROM jobs WHERE state = 'done' AND worker IS NOT NULL",
           "count\n40\nSELECT 1\n");
}

static void main_fiber(void *arg) {
    (void)arg;
    capture *a = session_new(), *b = session_new();
    if (a != NULL && b != NULL) {
        script_setup(a);
        script_block_recheck(a);
        script_nowait_skip(a, b);
        script_savepoint(a, b);
        script_repeatable_read(a, b);
        script_join(a, b);
        script_refused(a);
        script_job_queue(a);
    }
    if (a != NULL) session_free(a);
    if (b != NULL) session_free(b);
    rt_runtime_stop();
}

static void on_start(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_shard_start(&err));
    if (rt_core_id() == 0) test_spawn(main_fiber, NULL);
}

static void on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    eng_shard_stop();
}

static void test_forupdate(void **state) {
    (void)state;
    char dir[128], cmd[160];
    snprintf(dir, sizeof dir, "/tmp/test_sql_forupdate_%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    sql_session_global_init();
    rt_err err;
    rt_err_clear(&err);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = 2};
    assert_true(eng_start(&cfg, &err));
    assert_int_equal(test_runtime_run(2, on_start, on_stop, NULL), 0);
    eng_stop();
    assert_int_equal(atomic_load(&mismatches), 0);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_forupdate)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
