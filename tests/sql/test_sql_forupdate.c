/* test_sql_forupdate.c: SELECT ... FOR UPDATE / SHARE row locks between concurrent sessions:
 * a second locker blocks until the holder commits and then sees the newest version (READ
 * COMMITTED re-checks its WHERE there: rows updated out of the condition or deleted vanish),
 * NOWAIT fails with 55P03, SKIP LOCKED leaves locked rows out, lock_timeout cancels the wait,
 * ROLLBACK TO SAVEPOINT releases the locks taken after the savepoint, REPEATABLE READ reports
 * 40001 for a row updated after its snapshot, FOR UPDATE OF in a join locks only the named
 * table, and a job queue (ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) drained by three workers
 * at once hands every job to exactly one of them. PostgreSQL's refusals (aggregates, DISTINCT,
 * GROUP BY, outer joins, unknown OF names) are checked too.
 * Under a LIMIT only the rows returned (and those OFFSET skips) are locked: two and three
 * sessions running ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1 each get another row and leave
 * the rest unlocked; a row updated meanwhile is returned as its newest version, one updated
 * out of the WHERE is replaced by the next. The four strengths conflict as PostgreSQL's table
 * says (KEY SHARE lets an UPDATE that changes no key value through, also the KEY SHARE a
 * foreign-key check takes
 * on the parent row, and still holds the key after that update committed), and a row an UPDATE
 * moved to another partition is 40001 for a concurrent locker. Every expected output was
 * checked against PostgreSQL 15 with the same sessions.
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
#include "engine/eng_key.h"

/* ---- a session in a fiber of its own, for statements that block ---- */

typedef struct bg_session {
    const char *sql[4];      /* run in order; NULL ends */
    char out[OUT_BYTES];     /* every statement's output, concatenated */
    bool done;
} bg_session;

static void bg_fiber(void *arg) {
    bg_session *bg = arg;
    capture *c = sh_session_new();
    if (c != NULL) {
        size_t len = 0;
        for (uint32_t i = 0; i < 4 && bg->sql[i] != NULL; i++) {
            len += (size_t)snprintf(bg->out + len, OUT_BYTES - len, "%s", run(c, bg->sql[i]));
        }
        sh_session_free(c);
    }
    bg->done = true;
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
    sh_wait_done(&b.done);
    sh_check("blocked FOR UPDATE after the holder committed", b.out,
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

/* ---- locks under LIMIT ---- */

/* Only the rows a LIMIT takes are locked, with those its OFFSET skips (as PostgreSQL). */
static void script_limit_offset(capture *a, capture *b) {
    expect(a, "CREATE TABLE q (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO q SELECT g, g FROM generate_series(1, 8) g", "INSERT 0 8\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM q ORDER BY id OFFSET 1 LIMIT 1 FOR UPDATE", "id\n2\nSELECT 1\n");
    expect(b, "SELECT id FROM q WHERE id = 1 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"q\"\n");
    expect(b, "SELECT id FROM q WHERE id = 2 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"q\"\n");
    expect(b, "SELECT id FROM q WHERE id >= 3 ORDER BY id FOR UPDATE NOWAIT",
           "id\n3\n4\n5\n6\n7\n8\nSELECT 6\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT v * 10 AS x FROM q ORDER BY v DESC LIMIT 2 FOR SHARE",
           "x\n80\n70\nSELECT 2\n");
    expect(b, "SELECT id FROM q ORDER BY id FOR UPDATE SKIP LOCKED",
           "id\n1\n2\n3\n4\n5\n6\nSELECT 6\n");
    expect(a, "COMMIT", "COMMIT\n");
}

/* Two, then three sessions take one job each (ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1):
 * each another row, and the rows nobody took stay free. */
static void script_queue_sessions(capture *a, capture *b) {
    capture *c = sh_session_new();
    if (c == NULL) return;
    const char *take = "SELECT id FROM q ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1";
    expect(a, "BEGIN", "BEGIN\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(a, take, "id\n1\nSELECT 1\n");
    expect(b, take, "id\n2\nSELECT 1\n");
    expect(c, "SELECT id FROM q ORDER BY id FOR UPDATE SKIP LOCKED",
           "id\n3\n4\n5\n6\n7\n8\nSELECT 6\n");
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, take, "id\n3\nSELECT 1\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "SELECT id FROM q ORDER BY id FOR UPDATE SKIP LOCKED",
           "id\n1\n4\n5\n6\n7\n8\nSELECT 6\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, take, "id\n1\nSELECT 1\n");
    expect(a, take, "id\n1\nSELECT 1\n"); /* its own lock does not skip */
    expect(a, "SELECT id FROM q WHERE id > 1 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1",
           "id\n4\nSELECT 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(c, "COMMIT", "COMMIT\n");
    sh_session_free(c);
}

/* A locker under LIMIT that waited gets the newest version of the row, or the next row when
 * the update took the first out of its WHERE. */
static void script_limit_recheck(capture *a) {
    static bg_session b1 = {.sql = {"SELECT id, v FROM q WHERE v < 150 ORDER BY id LIMIT 1 "
                                    "FOR UPDATE", NULL}};
    static bg_session b2 = {.sql = {"SELECT id, v FROM q WHERE v < 150 ORDER BY id LIMIT 1 "
                                    "FOR UPDATE", NULL}};
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE q SET v = 100 WHERE id = 1", "UPDATE 1\n");
    test_spawn(bg_fiber, &b1);
    rt_fiber_sleep_ns(50 * MS);
    TEST_CHECK(!b1.done);
    expect(a, "COMMIT", "COMMIT\n");
    sh_wait_done(&b1.done);
    sh_check("LIMIT locker after an update", b1.out, "id|v\n1|100\nSELECT 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE q SET v = 200 WHERE id = 1", "UPDATE 1\n");
    test_spawn(bg_fiber, &b2);
    rt_fiber_sleep_ns(50 * MS);
    TEST_CHECK(!b2.done);
    expect(a, "COMMIT", "COMMIT\n");
    sh_wait_done(&b2.done);
    sh_check("LIMIT locker after an update out of the WHERE", b2.out,
               "id|v\n2|2\nSELECT 1\n");
}

/* ---- lock strengths ---- */

#define TIMEOUT_ERR "ERROR 55P03: canceling statement due to lock timeout\n"
#define NOWAIT_ERR(t) "ERROR 55P03: could not obtain lock on row in relation \"" t "\"\n"

/* FOR KEY SHARE lets non-key updates and weaker locks through, not key changes or deletes. */
static void script_key_share(capture *a, capture *b) {
    expect(a, "CREATE TABLE ks (id int PRIMARY KEY, v int, u int UNIQUE)", "CREATE TABLE\n");
    expect(a, "INSERT INTO ks SELECT g, g, g FROM generate_series(1, 10) g", "INSERT 0 10\n");
    expect(b, "SET lock_timeout = '50ms'", "SET\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM ks WHERE id = 3 FOR KEY SHARE", "id\n3\nSELECT 1\n");
    expect(b, "UPDATE ks SET v = v + 1 WHERE id = 3", "UPDATE 1\n");
    /* Key columns set to the values they have: still no key change (PostgreSQL decides by
     * the values, as ORMs that write every column rely on). */
    expect(b, "UPDATE ks SET id = 3, u = u, v = 30 WHERE id = 3", "UPDATE 1\n");
    expect(b, "UPDATE ks SET id = id + 0, u = 4 - 1 WHERE id = 3", "UPDATE 1\n");
    expect(b, "UPDATE ks SET u = 33 WHERE id = 3", TIMEOUT_ERR);
    expect(b, "UPDATE ks SET id = 33 WHERE id = 3", TIMEOUT_ERR);
    expect(b, "DELETE FROM ks WHERE id = 3", TIMEOUT_ERR);
    expect(b, "SELECT id FROM ks WHERE id = 3 FOR UPDATE NOWAIT", NOWAIT_ERR("ks"));
    expect(b, "SELECT id FROM ks WHERE id = 3 FOR NO KEY UPDATE NOWAIT", "id\n3\nSELECT 1\n");
    expect(b, "SELECT id FROM ks WHERE id = 3 FOR SHARE NOWAIT", "id\n3\nSELECT 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    /* FOR NO KEY UPDATE admits KEY SHARE only; FOR SHARE admits both shared strengths. */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM ks WHERE id = 4 FOR NO KEY UPDATE", "id\n4\nSELECT 1\n");
    expect(a, "SELECT id FROM ks WHERE id = 5 FOR SHARE", "id\n5\nSELECT 1\n");
    expect(b, "SELECT id FROM ks WHERE id = 4 FOR KEY SHARE NOWAIT", "id\n4\nSELECT 1\n");
    expect(b, "SELECT id FROM ks WHERE id = 4 FOR SHARE NOWAIT", NOWAIT_ERR("ks"));
    expect(b, "SELECT id FROM ks WHERE id = 4 FOR NO KEY UPDATE NOWAIT", NOWAIT_ERR("ks"));
    expect(b, "SELECT id FROM ks WHERE id = 5 FOR KEY SHARE NOWAIT", "id\n5\nSELECT 1\n");
    expect(b, "SELECT id FROM ks WHERE id = 5 FOR SHARE NOWAIT", "id\n5\nSELECT 1\n");
    expect(b, "SELECT id FROM ks WHERE id = 5 FOR NO KEY UPDATE NOWAIT", NOWAIT_ERR("ks"));
    expect(b, "UPDATE ks SET v = 0 WHERE id = 5", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "RESET lock_timeout", "RESET\n");
}

/* A KEY SHARE lock still guards the key after another transaction's non-key update of the
 * row committed (or while it runs), and a NO KEY UPDATE holder that deletes waits for it. */
static void script_key_share_chain(capture *a, capture *b) {
    capture *c = sh_session_new();
    if (c == NULL) return;
    expect(c, "SET lock_timeout = '50ms'", "SET\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM ks WHERE id = 6 FOR KEY SHARE", "id\n6\nSELECT 1\n");
    expect(b, "UPDATE ks SET v = 66 WHERE id = 6", "UPDATE 1\n");
    expect(a, "SELECT count(*) FROM ks", "count\n10\nSELECT 1\n"); /* a newer snapshot */
    expect(b, "VACUUM ks", "VACUUM\n"); /* keeps the version A's lock is on */
    expect(c, "DELETE FROM ks WHERE id = 6", TIMEOUT_ERR);
    expect(c, "SELECT id, v FROM ks WHERE id = 6 FOR UPDATE NOWAIT", NOWAIT_ERR("ks"));
    expect(a, "COMMIT", "COMMIT\n");
    expect(c, "DELETE FROM ks WHERE id = 6", "DELETE 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "UPDATE ks SET v = 77 WHERE id = 8", "UPDATE 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id, v FROM ks WHERE id = 8 FOR KEY SHARE", "id|v\n8|8\nSELECT 1\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(c, "DELETE FROM ks WHERE id = 8", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(a, "SET lock_timeout = '50ms'", "SET\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM ks WHERE id = 7 FOR NO KEY UPDATE", "id\n7\nSELECT 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "SELECT id FROM ks WHERE id = 7 FOR KEY SHARE", "id\n7\nSELECT 1\n");
    expect(a, "DELETE FROM ks WHERE id = 7", TIMEOUT_ERR);
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(a, "RESET lock_timeout", "RESET\n");
    sh_session_free(c);
}

/* A foreign-key check takes FOR KEY SHARE on the parent row: a non-key update of the parent
 * goes ahead while the child's insert is open; a delete or key change waits. */
static void script_fk_parent(capture *a, capture *b) {
    expect(a, "CREATE TABLE parent (id int PRIMARY KEY, name text)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id))",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO parent VALUES (1, 'a'), (2, 'b')", "INSERT 0 2\n");
    expect(b, "SET lock_timeout = '50ms'", "SET\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO child VALUES (1, 1)", "INSERT 0 1\n");
    expect(b, "UPDATE parent SET name = 'x' WHERE id = 1", "UPDATE 1\n");
    expect(b, "DELETE FROM parent WHERE id = 1", TIMEOUT_ERR);
    expect(b, "UPDATE parent SET id = 10 WHERE id = 1", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "RESET lock_timeout", "RESET\n");
    expect(b, "SELECT * FROM parent ORDER BY id", "id|name\n1|x\n2|b\nSELECT 2\n");
}

/* ---- a row moved to another partition ---- */

/* The partition of int key `id` in a table of `parts` partitions. */
static uint32_t partition_of(int32_t id, uint32_t parts) {
    eng_codec_w w;
    eng_w_init(&w);
    rt_err err;
    rt_err_clear(&err);
    sql_value v = {.type_oid = SQL_T_INT4, .i64 = id};
    TEST_CHECK(eng_key_append(&w, &v, false, &err));
    uint32_t p = (uint32_t)(eng_key_hash(w.buf, (uint32_t)w.len) % parts);
    rt_free(w.buf);
    return p;
}

/* A session waiting for a row that the holder's UPDATE moves to another partition (a new
 * primary key that hashes elsewhere) fails with 40001 once the holder commits, whatever it
 * meant to do with the row, as PostgreSQL's partitioned tables do. */
static void script_moved(capture *a) {
    static const char *const stmts[] = {
        "UPDATE mv SET v = 11 WHERE id = 1", "DELETE FROM mv WHERE id = 1",
        "SELECT * FROM mv WHERE id = 1 FOR UPDATE", "SELECT * FROM mv WHERE v = 10 FOR KEY SHARE",
        "SELECT * FROM mv ORDER BY id LIMIT 1 FOR UPDATE"};
    static bg_session bgs[5];
    int32_t to = 100;
    while (partition_of(to, 2) == partition_of(1, 2)) to++;
    char move[96];
    snprintf(move, sizeof move, "UPDATE mv SET id = %d WHERE id = 1", (int)to);
    expect(a, "CREATE TABLE mv (id int PRIMARY KEY, v int) WITH (partitions = 2)",
           "CREATE TABLE\n");
    for (uint32_t i = 0; i < 5; i++) {
        expect(a, "DELETE FROM mv", i == 0 ? "DELETE 0\n" : "DELETE 1\n");
        expect(a, "INSERT INTO mv VALUES (1, 10)", "INSERT 0 1\n");
        expect(a, "BEGIN", "BEGIN\n");
        expect(a, move, "UPDATE 1\n");
        bgs[i].sql[0] = stmts[i];
        test_spawn(bg_fiber, &bgs[i]);
        rt_fiber_sleep_ns(50 * MS);
        TEST_CHECK(!bgs[i].done);
        expect(a, "COMMIT", "COMMIT\n");
        sh_wait_done(&bgs[i].done);
        sh_check(stmts[i], bgs[i].out,
                   "ERROR 40001: tuple to be locked was already moved to another partition due "
                   "to concurrent update\n");
    }
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
    capture *c = sh_session_new();
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
    if (c != NULL) sh_session_free(c);
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
    capture *a = sh_session_new(), *b = sh_session_new();
    if (a != NULL && b != NULL) {
        script_setup(a);
        script_block_recheck(a);
        script_nowait_skip(a, b);
        script_savepoint(a, b);
        script_repeatable_read(a, b);
        script_join(a, b);
        script_refused(a);
        script_job_queue(a);
        script_limit_offset(a, b);
        script_queue_sessions(a, b);
        script_limit_recheck(a);
        script_key_share(a, b);
        script_key_share_chain(a, b);
        script_fk_parent(a, b);
        script_moved(a);
    }
    if (a != NULL) sh_session_free(a);
    if (b != NULL) sh_session_free(b);
    rt_runtime_stop();
}

static void test_forupdate(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "forupdate"));
    assert_int_equal(sh_run_fiber(dir, 2, main_fiber), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_forupdate)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
