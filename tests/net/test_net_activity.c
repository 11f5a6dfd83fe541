/* test_net_activity.c: the monitoring views of sessions that block each other, as
 * PostgreSQL 15 shows them: pg_stat_activity's wait_event_type / wait_event (Lock /
 * transactionid for a row-lock wait, Lock / relation for a table lock, Lock / advisory,
 * Timeout / PgSleep, Client / ClientRead when idle or idle in transaction, NULL when running),
 * backend_xid (only once the transaction wrote, equal to txid_current()'s low 32 bits) and
 * backend_xmin (the oldest running writer's id), query_id NULL (compute_query_id = auto
 * without pg_stat_statements), pg_blocking_pids() of each waiter (every holder it waits
 * for), pg_locks (table, advisory and transaction-id locks, and the lock-wait query of
 * PostgreSQL's wiki), pg_stat_get_backend_*, and the server's own workers listed with their
 * backend_type and no user. The times, now that the server reads the wall clock once per
 * protocol message (sql_session_clock_us) instead of once per use: now() fixed for a
 * transaction (its first statement's time), statement_timestamp() the time of the latest
 * command message (every statement of one simple Query shares it; each Bind / Execute gets
 * its own), and state_change stamped when the state changes (after a long statement, not when
 * it began); only lower bounds of the gaps are asserted, a slow machine makes them longer.
 * How: the real server (test_server.h) and four libpq connections: one observes while the
 * others hold and wait. A waiting statement is sent with PQsendQuery; the observer polls
 * pg_stat_activity until the wait shows (no time bound is asserted: a slow machine only polls
 * longer), then checks the views, and the holder's COMMIT lets the waiter finish. The same
 * sessions were run against PostgreSQL 15 and gave the same values. */
// ctest: TIMEOUT 300 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_server.h"

/* How long the observer polls for a wait to show before it gives up: generous, since the
 * waiter is usually there at once. */
#define TEST_WAIT_POLLS 6000
#define TEST_WAIT_POLL_US 10000

static test_server srv;

static PGconn *test_conn(void) {
    char err[512];
    PGconn *c = test_server_connect(&srv, "user=postgres", err, sizeof err);
    if (c == NULL) fail_msg("connect: %s", err);
    return c;
}

static void test_exec(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    }
    PQclear(r);
}

/* The value of a one-row query, formatted into `sql` with printf arguments. */
static void test_value(PGconn *c, char *out, size_t cap, const char *fmt, ...) {
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    test_server_value(c, sql, out, cap);
}

static int test_pid(PGconn *c) { return PQbackendPID(c); }

/* Polls until backend `pid` shows wait_event `event` (false if it never does). */
static bool test_wait_for(PGconn *obs, int pid, const char *event) {
    char v[256];
    for (int i = 0; i < TEST_WAIT_POLLS; i++) {
        test_value(obs, v, sizeof v,
                   "SELECT coalesce(wait_event, '-') FROM pg_stat_activity WHERE pid = %d", pid);
        if (strcmp(v, event) == 0) return true;
        usleep(TEST_WAIT_POLL_US);
    }
    return false;
}

/* The sent statement's results, all consumed; its last status. */
static ExecStatusType test_finish(PGconn *c) {
    ExecStatusType last = PGRES_COMMAND_OK;
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        last = PQresultStatus(r);
        PQclear(r);
    }
    return last;
}

static int test_setup(void **state) {
    (void)state;
    if (!test_server_init(&srv, NULL, "local all all trust\nhost all all 127.0.0.1/32 trust\n") ||
        !test_server_start(&srv, NULL, NULL)) {
        return -1;
    }
    PGconn *c = test_conn();
    test_exec(c, "CREATE TABLE t (id int PRIMARY KEY, v int)");
    test_exec(c, "INSERT INTO t VALUES (1, 1), (2, 2)");
    PQfinish(c);
    return 0;
}

static int test_teardown(void **state) {
    (void)state;
    test_server_stop(&srv);
    test_server_remove(&srv);
    return 0;
}

/* A row-lock wait behind a writer's open transaction, and a pg_sleep next to it. */
static void test_net_activity_row_lock_wait(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c1 = test_conn(), *c2 = test_conn(), *c3 = test_conn();
    char v[512], xid1[64], want[256];
    int p1 = test_pid(c1), p2 = test_pid(c2), p3 = test_pid(c3);
    test_exec(c1, "BEGIN");
    test_exec(c1, "SELECT 1");
    /* PostgreSQL assigns a transaction id at the first write: none yet */
    test_value(obs, v, sizeof v, "SELECT state || ',' || wait_event_type || ',' || wait_event "
               "|| ',' || (backend_xid IS NULL) FROM pg_stat_activity WHERE pid = %d", p1);
    assert_string_equal(v, "idle in transaction,Client,ClientRead,true");
    test_exec(c1, "UPDATE t SET v = 10 WHERE id = 1");
    test_value(c1, xid1, sizeof xid1, "SELECT txid_current() %% 4294967296");
    test_value(obs, v, sizeof v, "SELECT backend_xid FROM pg_stat_activity WHERE pid = %d", p1);
    assert_string_equal(v, xid1);
    test_value(obs, v, sizeof v, "SELECT pg_typeof(backend_xid)::text || ',' || "
               "pg_typeof(backend_xmin)::text FROM pg_stat_activity WHERE pid = %d", p1);
    assert_string_equal(v, "xid,xid");

    assert_int_equal(PQsendQuery(c2, "UPDATE t SET v = 11 WHERE id = 1"), 1);
    assert_true(test_wait_for(obs, p2, "transactionid"));
    test_value(obs, v, sizeof v, "SELECT state || ',' || wait_event_type || ',' || "
               "pg_blocking_pids(pid)::text || ',' || (backend_xid IS NOT NULL) || ',' || "
               "backend_xmin FROM pg_stat_activity WHERE pid = %d", p2);
    snprintf(want, sizeof want, "active,Lock,{%d},true,%s", p1, xid1);
    assert_string_equal(v, want);
    test_value(obs, v, sizeof v, "SELECT pg_blocking_pids(%d)::text", p1);
    assert_string_equal(v, "{}");
    /* pg_locks: the writer's own id, which the waiter waits for (ShareLock, not granted) */
    test_value(obs, v, sizeof v, "SELECT string_agg(pid::text || ':' || mode || ':' || granted, "
               "' ' ORDER BY granted DESC) FROM pg_locks WHERE locktype = 'transactionid' AND "
               "transactionid::text = '%s'", xid1);
    snprintf(want, sizeof want, "%d:ExclusiveLock:true %d:ShareLock:false", p1, p2);
    assert_string_equal(v, want);
    /* the lock-wait query of PostgreSQL's wiki: who blocks whom, from pg_locks alone */
    test_value(obs, v, sizeof v,
               "SELECT string_agg(bd.pid::text || '<-' || bg.pid::text, ' ') "
               "FROM pg_catalog.pg_locks bd JOIN pg_catalog.pg_stat_activity ba ON ba.pid = bd.pid "
               "JOIN pg_catalog.pg_locks bg ON bg.locktype = bd.locktype "
               "AND bg.database IS NOT DISTINCT FROM bd.database "
               "AND bg.relation IS NOT DISTINCT FROM bd.relation "
               "AND bg.page IS NOT DISTINCT FROM bd.page "
               "AND bg.tuple IS NOT DISTINCT FROM bd.tuple "
               "AND bg.virtualxid IS NOT DISTINCT FROM bd.virtualxid "
               "AND bg.transactionid IS NOT DISTINCT FROM bd.transactionid "
               "AND bg.classid IS NOT DISTINCT FROM bd.classid "
               "AND bg.objid IS NOT DISTINCT FROM bd.objid "
               "AND bg.objsubid IS NOT DISTINCT FROM bd.objsubid AND bg.pid != bd.pid "
               "JOIN pg_catalog.pg_stat_activity bga ON bga.pid = bg.pid WHERE NOT bd.granted");
    snprintf(want, sizeof want, "%d<-%d", p2, p1);
    assert_string_equal(v, want);

    assert_int_equal(PQsendQuery(c3, "SELECT pg_sleep(300)"), 1);
    assert_true(test_wait_for(obs, p3, "PgSleep"));
    test_value(obs, v, sizeof v, "SELECT wait_event_type || ',' || pg_blocking_pids(pid)::text "
               "|| ',' || (backend_xid IS NULL) FROM pg_stat_activity WHERE pid = %d", p3);
    assert_string_equal(v, "Timeout,{},true");
    test_value(obs, v, sizeof v, "SELECT pg_cancel_backend(%d)", p3);
    assert_string_equal(v, "t");
    assert_int_equal(test_finish(c3), PGRES_FATAL_ERROR);

    test_exec(c1, "COMMIT");
    assert_int_equal(test_finish(c2), PGRES_COMMAND_OK);
    /* idle again: waiting for the client, no transaction, no snapshot */
    test_value(obs, v, sizeof v, "SELECT state || ',' || wait_event || ',' || "
               "(backend_xid IS NULL) || ',' || (backend_xmin IS NULL) || ',' || "
               "pg_blocking_pids(pid)::text FROM pg_stat_activity WHERE pid = %d", p2);
    assert_string_equal(v, "idle,ClientRead,true,true,{}");
    PQfinish(obs);
    PQfinish(c1);
    PQfinish(c2);
    PQfinish(c3);
}

/* A table lock and an advisory lock of one transaction, each waited for by another session. */
static void test_net_activity_table_and_advisory_waits(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c1 = test_conn(), *c2 = test_conn(), *c3 = test_conn();
    char v[512], want[256];
    int p1 = test_pid(c1), p2 = test_pid(c2), p3 = test_pid(c3);
    test_exec(c1, "BEGIN");
    test_exec(c1, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    test_exec(c1, "SELECT pg_advisory_xact_lock(42)");
    assert_int_equal(PQsendQuery(c2, "SELECT count(*) FROM t"), 1);
    assert_int_equal(PQsendQuery(c3, "SELECT pg_advisory_lock(42)"), 1);
    assert_true(test_wait_for(obs, p2, "relation"));
    assert_true(test_wait_for(obs, p3, "advisory"));
    test_value(obs, v, sizeof v, "SELECT string_agg(wait_event_type || ':' || wait_event || ':' "
               "|| pg_blocking_pids(pid)::text, ' ' ORDER BY pid) FROM pg_stat_activity "
               "WHERE pid IN (%d, %d)", p2, p3);
    if (p2 < p3) {
        snprintf(want, sizeof want, "Lock:relation:{%d} Lock:advisory:{%d}", p1, p1);
    } else {
        snprintf(want, sizeof want, "Lock:advisory:{%d} Lock:relation:{%d}", p1, p1);
    }
    assert_string_equal(v, want);
    /* pg_locks: the holds granted, the waits not */
    test_value(obs, v, sizeof v, "SELECT string_agg(locktype || ':' || mode || ':' || granted, "
               "' ' ORDER BY locktype, granted) FROM pg_locks WHERE pid = %d AND "
               "(relation = 't'::regclass OR objid = 42)", p1);
    assert_string_equal(v, "advisory:ExclusiveLock:true relation:AccessExclusiveLock:true");
    test_value(obs, v, sizeof v, "SELECT string_agg(locktype || ':' || mode || ':' || granted, "
               "' ') FROM pg_locks WHERE pid = %d AND relation = 't'::regclass", p2);
    assert_string_equal(v, "relation:AccessShareLock:false");
    /* a lock-wait monitoring query */
    test_value(obs, v, sizeof v, "SELECT count(*) FROM pg_stat_activity "
               "WHERE cardinality(pg_blocking_pids(pid)) > 0");
    assert_string_equal(v, "2");
    /* ACCESS EXCLUSIVE gives the holder a transaction id (PostgreSQL logs such a lock) */
    test_value(obs, v, sizeof v, "SELECT (backend_xid IS NOT NULL) || ',' || wait_event "
               "FROM pg_stat_activity WHERE pid = %d", p1);
    assert_string_equal(v, "true,ClientRead");
    test_exec(c1, "COMMIT");
    assert_int_equal(test_finish(c2), PGRES_TUPLES_OK);
    assert_int_equal(test_finish(c3), PGRES_TUPLES_OK);
    test_exec(c3, "SELECT pg_advisory_unlock(42)");
    PQfinish(obs);
    PQfinish(c1);
    PQfinish(c2);
    PQfinish(c3);
}

/* Two sessions holding ROW EXCLUSIVE on t block a LOCK TABLE ... SHARE: pg_blocking_pids
 * names both, in ascending order (PostgreSQL returns both too; its order is the lock
 * manager's, ours the same on every call). */
static void test_net_activity_two_holders(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c1 = test_conn(), *c2 = test_conn(), *c3 = test_conn();
    char v[512], want[256];
    int p1 = test_pid(c1), p2 = test_pid(c2), p3 = test_pid(c3);
    test_exec(c1, "BEGIN");
    test_exec(c1, "LOCK TABLE t IN ROW EXCLUSIVE MODE");
    test_exec(c2, "BEGIN");
    test_exec(c2, "LOCK TABLE t IN ROW EXCLUSIVE MODE");
    test_exec(c3, "BEGIN");
    assert_int_equal(PQsendQuery(c3, "LOCK TABLE t IN SHARE MODE"), 1);
    assert_true(test_wait_for(obs, p3, "relation"));
    test_value(obs, v, sizeof v, "SELECT pg_blocking_pids(%d)::text", p3);
    snprintf(want, sizeof want, "{%d,%d}", p1 < p2 ? p1 : p2, p1 < p2 ? p2 : p1);
    assert_string_equal(v, want);
    /* pg_locks shows the wait, not yet granted */
    test_value(obs, v, sizeof v, "SELECT string_agg(mode || ':' || granted, ' ') FROM pg_locks "
               "WHERE pid = %d AND relation = 't'::regclass", p3);
    assert_string_equal(v, "ShareLock:false");
    /* one holder gone: the other still blocks */
    test_exec(c1, "COMMIT");
    test_value(obs, v, sizeof v, "SELECT pg_blocking_pids(%d)::text", p3);
    snprintf(want, sizeof want, "{%d}", p2);
    assert_string_equal(v, want);
    test_exec(c2, "COMMIT");
    assert_int_equal(test_finish(c3), PGRES_COMMAND_OK);
    test_exec(c3, "COMMIT");
    PQfinish(obs);
    PQfinish(c1);
    PQfinish(c2);
    PQfinish(c3);
}

/* Three sessions waiting for one row: the first waits for the writer's transaction id and
 * holds the row's tuple lock, the others wait for that tuple lock (Lock / tuple), each
 * blocked by the waiters ahead of it; pg_locks shows the tuple lock granted to the first and
 * not to the others (the same four sessions on PostgreSQL 15 gave the same events, arrays and
 * rows). */
static void test_net_activity_row_queue(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c[4];
    int p[4];
    char v[512], want[256];
    for (int i = 0; i < 4; i++) {
        c[i] = test_conn();
        p[i] = test_pid(c[i]);
    }
    test_exec(c[0], "BEGIN");
    test_exec(c[0], "UPDATE t SET v = 20 WHERE id = 2");
    assert_int_equal(PQsendQuery(c[1], "UPDATE t SET v = 21 WHERE id = 2"), 1);
    assert_true(test_wait_for(obs, p[1], "transactionid"));
    assert_int_equal(PQsendQuery(c[2], "UPDATE t SET v = 22 WHERE id = 2"), 1);
    assert_true(test_wait_for(obs, p[2], "tuple"));
    assert_int_equal(PQsendQuery(c[3], "UPDATE t SET v = 23 WHERE id = 2"), 1);
    assert_true(test_wait_for(obs, p[3], "tuple"));
    test_value(obs, v, sizeof v, "SELECT string_agg(wait_event_type || ':' || wait_event || ':' "
               "|| pg_blocking_pids(pid)::text, ' ' ORDER BY array_position(ARRAY[%d, %d, %d], "
               "pid)) FROM pg_stat_activity WHERE pid IN (%d, %d, %d)", p[1], p[2], p[3], p[1],
               p[2], p[3]);
    snprintf(want, sizeof want, "Lock:transactionid:{%d} Lock:tuple:{%d} Lock:tuple:{%d,%d}",
             p[0], p[1], p[1] < p[2] ? p[1] : p[2], p[1] < p[2] ? p[2] : p[1]);
    assert_string_equal(v, want);
    test_value(obs, v, sizeof v, "SELECT string_agg(array_position(ARRAY[%d, %d, %d], pid) || "
               "':' || mode || ':' || granted || ':' || (relation = 't'::regclass) || ':' || "
               "(page IS NOT NULL AND tuple IS NOT NULL), ' ' ORDER BY array_position("
               "ARRAY[%d, %d, %d], pid)) FROM pg_locks WHERE locktype = 'tuple'", p[1], p[2],
               p[3], p[1], p[2], p[3]);
    assert_string_equal(v, "1:ExclusiveLock:true:true:true 2:ExclusiveLock:false:true:true "
                           "3:ExclusiveLock:false:true:true");
    test_value(obs, v, sizeof v, "SELECT count(*) FROM pg_locks WHERE locktype = "
               "'transactionid' AND NOT granted");
    assert_string_equal(v, "1");
    test_exec(c[0], "COMMIT");
    for (int i = 1; i < 4; i++) assert_int_equal(test_finish(c[i]), PGRES_COMMAND_OK);
    test_value(obs, v, sizeof v, "SELECT count(*) FROM pg_locks WHERE locktype = 'tuple'");
    assert_string_equal(v, "0");
    PQfinish(obs);
    for (int i = 0; i < 4; i++) PQfinish(c[i]);
}

/* The tuple lock's mode is the one PostgreSQL gives the row lock asked for, and the waiters
 * for one row name the same (page, tuple): with a writer holding row 2, a second session asks
 * with `second` (it holds the tuple lock) and a third with `third` (it waits for it). The
 * modes are those PostgreSQL 15 showed for the same three sessions. */
static ExecStatusType tuple_modes_status(const char *sql) {
    return strncmp(sql, "SELECT", 6) == 0 ? PGRES_TUPLES_OK : PGRES_COMMAND_OK;
}

static void tuple_modes(PGconn *obs, PGconn *c[3], const char *second, const char *third,
                        const char *want) {
    char v[512];
    int p1 = test_pid(c[1]), p2 = test_pid(c[2]);
    test_exec(c[0], "BEGIN");
    test_exec(c[0], "UPDATE t SET v = v WHERE id = 2");
    test_exec(c[1], "BEGIN");
    assert_int_equal(PQsendQuery(c[1], second), 1);
    assert_true(test_wait_for(obs, p1, "transactionid"));
    test_exec(c[2], "BEGIN");
    assert_int_equal(PQsendQuery(c[2], third), 1);
    assert_true(test_wait_for(obs, p2, "tuple"));
    test_value(obs, v, sizeof v, "SELECT string_agg(mode || ':' || granted, ' ' ORDER BY pid = "
               "%d DESC) || ' ' || count(DISTINCT (page, tuple)) FROM pg_locks WHERE locktype = "
               "'tuple' AND relation = 't'::regclass", p1);
    assert_string_equal(v, want);
    test_exec(c[0], "ROLLBACK");
    assert_int_equal(test_finish(c[1]), tuple_modes_status(second));
    test_exec(c[1], "ROLLBACK");
    assert_int_equal(test_finish(c[2]), tuple_modes_status(third));
    test_exec(c[2], "ROLLBACK");
}

static void test_net_activity_tuple_modes(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c[3];
    for (int i = 0; i < 3; i++) c[i] = test_conn();
    tuple_modes(obs, c, "SELECT * FROM t WHERE id = 2 FOR UPDATE",
                "UPDATE t SET v = 0 WHERE id = 2",
                "AccessExclusiveLock:true ExclusiveLock:false 1");
    tuple_modes(obs, c, "UPDATE t SET v = 1 WHERE id = 2", "DELETE FROM t WHERE id = 2",
                "ExclusiveLock:true AccessExclusiveLock:false 1");
    tuple_modes(obs, c, "SELECT * FROM t WHERE id = 2 FOR NO KEY UPDATE",
                "SELECT * FROM t WHERE id = 2 FOR SHARE",
                "ExclusiveLock:true RowShareLock:false 1");
    PQfinish(obs);
    for (int i = 0; i < 3; i++) PQfinish(c[i]);
}

/* Advisory waits queue as PostgreSQL 15's: a waiter is blocked by the holder and by the
 * waiters ahead of it with a conflicting request, and pg_locks lists every wait not granted
 * (the same three sessions on PostgreSQL 15 gave the same rows and arrays). */
static void test_net_activity_advisory_queue(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c1 = test_conn(), *c2 = test_conn(), *c3 = test_conn();
    char v[512], want[256];
    int p1 = test_pid(c1), p2 = test_pid(c2), p3 = test_pid(c3);
    test_exec(c1, "SELECT pg_advisory_lock(77)");
    assert_int_equal(PQsendQuery(c2, "SELECT pg_advisory_lock(77)"), 1);
    assert_true(test_wait_for(obs, p2, "advisory"));
    assert_int_equal(PQsendQuery(c3, "SELECT pg_advisory_lock_shared(77)"), 1);
    assert_true(test_wait_for(obs, p3, "advisory"));
    test_value(obs, v, sizeof v, "SELECT pg_blocking_pids(%d)::text || ' ' || "
               "pg_blocking_pids(%d)::text", p2, p3);
    snprintf(want, sizeof want, "{%d} {%d,%d}", p1, p1 < p2 ? p1 : p2, p1 < p2 ? p2 : p1);
    assert_string_equal(v, want);
    test_value(obs, v, sizeof v, "SELECT string_agg(CASE pid WHEN %d THEN 'a' WHEN %d THEN 'b' "
               "ELSE 'c' END || ':' || mode || ':' || granted || ':' || classid || ':' || "
               "objsubid, ' ' ORDER BY CASE pid WHEN %d THEN 1 WHEN %d THEN 2 ELSE 3 END) "
               "FROM pg_locks WHERE locktype = 'advisory' AND objid = 77", p1, p2, p1, p2);
    assert_string_equal(v, "a:ExclusiveLock:true:0:1 b:ExclusiveLock:false:0:1 "
                           "c:ShareLock:false:0:1");
    test_exec(c1, "SELECT pg_advisory_unlock(77)");
    /* who takes it first is not asserted (here a waiter takes it at its next look): each
     * lets it go once it has it, so the other gets it then */
    PGconn *waiting[2] = {c2, c3};
    for (int left = 2; left > 0;) {
        for (int i = 0; i < 2; i++) {
            if (waiting[i] == NULL) continue;
            assert_int_equal(PQconsumeInput(waiting[i]), 1);
            if (PQisBusy(waiting[i])) continue;
            assert_int_equal(test_finish(waiting[i]), PGRES_TUPLES_OK);
            test_exec(waiting[i], "SELECT pg_advisory_unlock_all()");
            waiting[i] = NULL;
            left--;
        }
        if (left > 0) usleep(TEST_WAIT_POLL_US);
    }
    test_value(obs, v, sizeof v, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
    assert_string_equal(v, "0");
    PQfinish(obs);
    PQfinish(c1);
    PQfinish(c2);
    PQfinish(c3);
}

/* pg_locks of a session in a transaction, as PostgreSQL 15's: ExclusiveLock on its own
 * virtual transaction id (fastpath) named in every row's virtualtransaction, on its
 * transaction id once it wrote, and an UPDATE's one RowExclusiveLock on its table (no
 * AccessShareLock besides); outside a transaction its session lock's row names "n/0". */
static void test_net_activity_virtual_xids(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c1 = test_conn();
    char v[512];
    int p1 = test_pid(c1);
    test_exec(c1, "BEGIN");
    test_exec(c1, "UPDATE t SET v = v WHERE id = 1");
    test_value(obs, v, sizeof v, "SELECT string_agg(locktype || ':' || mode || ':' || granted, "
               "' ' ORDER BY locktype, mode) FROM pg_locks WHERE pid = %d AND "
               "(relation IS NULL OR relation = 't'::regclass)", p1);
    assert_string_equal(v, "relation:RowExclusiveLock:true transactionid:ExclusiveLock:true "
                           "virtualxid:ExclusiveLock:true");
    test_value(obs, v, sizeof v, "SELECT count(*) FROM pg_locks WHERE pid = %d AND "
               "locktype = 'virtualxid' AND virtualxid = virtualtransaction AND fastpath AND "
               "virtualxid ~ '^[0-9]+/[1-9][0-9]*$' AND database IS NULL", p1);
    assert_string_equal(v, "1");
    test_value(obs, v, sizeof v, "SELECT count(DISTINCT virtualtransaction) || ',' || "
               "count(virtualtransaction) FROM pg_locks WHERE pid = %d AND "
               "(relation IS NULL OR relation = 't'::regclass)", p1);
    assert_string_equal(v, "1,3");
    test_exec(c1, "COMMIT");
    test_exec(c1, "SELECT pg_advisory_lock(78)");
    test_value(obs, v, sizeof v, "SELECT string_agg(locktype || ':' || (virtualtransaction "
               "LIKE '%%/0'), ' ' ORDER BY locktype) FROM pg_locks WHERE pid = %d", p1);
    assert_string_equal(v, "advisory:true");
    test_exec(c1, "SELECT pg_advisory_unlock(78)");
    PQfinish(obs);
    PQfinish(c1);
}

/* A DDL statement waiting for the catalog's one-DDL-transaction lock held by a DDL
 * transaction in another database shows Lock / relation, blocked by that session, and ends on
 * cancel (57014). PostgreSQL has no such lock (there the CREATE TABLE would not wait); a
 * table lock wait is the nearest event it has, and the one monitoring queries look for. */
static void test_net_activity_catalog_wait(void **state) {
    (void)state;
    PGconn *obs = test_conn(), *c1 = test_conn();
    char v[512], want[256], err[512];
    test_exec(obs, "CREATE DATABASE act_other");
    PGconn *c2 = test_server_connect(&srv, "user=postgres dbname=act_other", err, sizeof err);
    if (c2 == NULL) fail_msg("connect: %s", err);
    int p1 = test_pid(c1), p2 = test_pid(c2);
    test_exec(c1, "BEGIN");
    test_exec(c1, "CREATE TABLE act_cat_a (a int)");
    assert_int_equal(PQsendQuery(c2, "CREATE TABLE act_cat_b (a int)"), 1);
    assert_true(test_wait_for(obs, p2, "relation"));
    test_value(obs, v, sizeof v, "SELECT wait_event_type || ':' || pg_blocking_pids(pid)::text "
               "FROM pg_stat_activity WHERE pid = %d", p2);
    snprintf(want, sizeof want, "Lock:{%d}", p1);
    assert_string_equal(v, want);
    test_value(obs, v, sizeof v, "SELECT pg_cancel_backend(%d)", p2);
    assert_string_equal(v, "t");
    PGresult *r = PQgetResult(c2);
    assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57014");
    PQclear(r);
    test_finish(c2);
    test_value(obs, v, sizeof v, "SELECT coalesce(wait_event, '-') || ':' || state "
               "FROM pg_stat_activity WHERE pid = %d", p2);
    assert_string_equal(v, "ClientRead:idle");
    test_exec(c1, "ROLLBACK");
    test_exec(c2, "CREATE TABLE act_cat_b (a int)");
    test_exec(c2, "DROP TABLE act_cat_b");
    PQfinish(c2);
    test_exec(obs, "DROP DATABASE act_other");
    PQfinish(obs);
    PQfinish(c1);
}

/* The caller's own row, the backend-id functions and the server's workers. */
static void test_net_activity_own_row_and_workers(void **state) {
    (void)state;
    PGconn *c = test_conn();
    char v[512];
    /* running: no wait event; a snapshot but no transaction id; query_id stays NULL as on
     * PostgreSQL 15, whose compute_query_id = auto computes none without pg_stat_statements */
    test_value(c, v, sizeof v, "SELECT (wait_event IS NULL) || ',' || (backend_xid IS NULL) "
               "|| ',' || (backend_xmin IS NOT NULL) || ',' || (query_id IS NULL) "
               "FROM pg_stat_activity WHERE pid = pg_backend_pid()");
    assert_string_equal(v, "true,true,true,true");
    test_value(c, v, sizeof v, "SELECT string_agg(backend_type || ':' || wait_event_type || ':' "
               "|| wait_event || ':' || (usename IS NULL) || ':' || (backend_start IS NOT NULL),"
               " ' ' ORDER BY backend_type) FROM pg_stat_activity "
               "WHERE backend_type <> 'client backend'");
    assert_string_equal(v, "autovacuum launcher:Activity:AutoVacuumMain:true:true "
                           "checkpointer:Activity:CheckpointerMain:true:true "
                           "walwriter:Activity:WalWriterMain:true:true");
    test_value(c, v, sizeof v, "SELECT count(*) FROM (SELECT pg_stat_get_backend_idset() AS id)"
               " s WHERE pg_stat_get_backend_pid(s.id) = pg_backend_pid() AND "
               "pg_stat_get_backend_activity(s.id) LIKE 'SELECT count(*)%%'");
    assert_string_equal(v, "1");
    test_value(c, v, sizeof v, "SELECT pg_stat_get_backend_pid(1000000) IS NULL");
    assert_string_equal(v, "t");
    test_value(c, v, sizeof v, "SELECT pg_typeof(pg_blocking_pids(0))::text || ',' || "
               "pg_blocking_pids(0)::text");
    assert_string_equal(v, "integer[],{}");
    PQfinish(c);
}

/* The client's sleep between two statements, and the least gap the server must show. */
#define TEST_GAP_US 50000
#define TEST_GAP_MIN_S 0.045

/* One row of two epochs: now() and statement_timestamp(), by the simple protocol. */
#define TEST_TIMES_SQL \
    "SELECT extract(epoch FROM now())::text, extract(epoch FROM statement_timestamp())::text"

typedef struct test_times {
    char now[64], stmt[64];
} test_times;

static void test_times_of(PGresult *r, test_times *t) {
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fail_msg("times: %s", PQresultErrorMessage(r));
    }
    snprintf(t->now, sizeof t->now, "%s", PQgetvalue(r, 0, 0));
    snprintf(t->stmt, sizeof t->stmt, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
}

static void test_times_simple(PGconn *c, test_times *t) {
    test_times_of(PQexec(c, TEST_TIMES_SQL), t);
}

/* The same by the extended protocol (Parse once, then Bind / Execute / Sync per run). */
static void test_times_prepared(PGconn *c, test_times *t) {
    test_times_of(PQexecPrepared(c, "times", 0, NULL, NULL, NULL, 0), t);
}

static double test_s(const char *epoch) { return strtod(epoch, NULL); }

/* Every statement of one Query message has that message's statement_timestamp(), however
 * long the statements before it ran. */
static void test_net_activity_clock_one_query_one_time(void **state) {
    (void)state;
    PGconn *c = test_conn();
    assert_int_equal(PQsendQuery(c, "SELECT extract(epoch FROM statement_timestamp())::text; "
                                    "SELECT pg_sleep(0.05); "
                                    "SELECT extract(epoch FROM statement_timestamp())::text"),
                     1);
    char first[64] = "", last[64] = "";
    PGresult *r;
    int n = 0;
    while ((r = PQgetResult(c)) != NULL) {
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        if (n == 0) snprintf(first, sizeof first, "%s", PQgetvalue(r, 0, 0));
        if (n == 2) snprintf(last, sizeof last, "%s", PQgetvalue(r, 0, 0));
        n++;
        PQclear(r);
    }
    assert_int_equal(n, 3);
    assert_string_equal(first, last);
    PQfinish(c);
}

/* now() stays the transaction's first statement's time; statement_timestamp() moves with each
 * statement; a new transaction has a new now(). Both protocols. */
static void test_net_activity_clock_now_per_transaction(void **state) {
    (void)state;
    PGconn *c = test_conn();
    PGresult *r = PQprepare(c, "times", TEST_TIMES_SQL, 0, NULL);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    for (int prepared = 0; prepared < 2; prepared++) {
        void (*times)(PGconn *, test_times *) = prepared ? test_times_prepared : test_times_simple;
        test_times a, b, c2;
        test_exec(c, "BEGIN");
        times(c, &a);
        usleep(TEST_GAP_US);
        times(c, &b);
        test_exec(c, "COMMIT");
        assert_string_equal(a.now, b.now);
        assert_true(test_s(a.stmt) >= test_s(a.now));
        assert_true(test_s(b.stmt) - test_s(a.stmt) >= TEST_GAP_MIN_S);
        usleep(TEST_GAP_US);
        times(c, &c2); /* its own transaction */
        assert_true(test_s(c2.now) - test_s(b.now) >= TEST_GAP_MIN_S);
        assert_true(test_s(c2.stmt) >= test_s(c2.now));
    }
    PQfinish(c);
}

/* pg_stat_activity of session `pid` as the observer sees it: state, and whether state_change
 * came at least `s` seconds after query_start. */
static void test_activity_times(PGconn *obs, int pid, double s, const char *want) {
    char sql[512], v[256];
    snprintf(sql, sizeof sql,
             "SELECT state || ',' || (extract(epoch FROM state_change - query_start) >= %g) "
             "FROM pg_stat_activity WHERE pid = %d", s, pid);
    test_server_value(obs, sql, v, sizeof v);
    assert_string_equal(v, want);
}

/* After a long statement the session's state_change is when it went idle, not when the
 * statement's message arrived: simple Query, Bind / Execute / Sync, and inside a
 * transaction block. */
static void test_net_activity_clock_state_change_after_long_statement(void **state) {
    (void)state;
    PGconn *c = test_conn(), *obs = test_conn();
    int pid = test_pid(c);
    test_exec(c, "SELECT pg_sleep(0.2)");
    test_activity_times(obs, pid, 0.2, "idle,true");
    const char *arg[1] = {"0.2"};
    PGresult *r = PQexecParams(c, "SELECT pg_sleep($1::float8)", 1, NULL, arg, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    test_activity_times(obs, pid, 0.2, "idle,true");
    test_exec(c, "BEGIN");
    test_exec(c, "SELECT pg_sleep(0.1)");
    test_activity_times(obs, pid, 0.1, "idle in transaction,true");
    test_exec(c, "COMMIT");
    PQfinish(c);
    PQfinish(obs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_activity_row_lock_wait),
        cmocka_unit_test(test_net_activity_table_and_advisory_waits),
        cmocka_unit_test(test_net_activity_two_holders),
        cmocka_unit_test(test_net_activity_own_row_and_workers),
        cmocka_unit_test(test_net_activity_row_queue),
        cmocka_unit_test(test_net_activity_tuple_modes),
        cmocka_unit_test(test_net_activity_advisory_queue),
        cmocka_unit_test(test_net_activity_virtual_xids),
        cmocka_unit_test(test_net_activity_catalog_wait),
        cmocka_unit_test(test_net_activity_clock_one_query_one_time),
        cmocka_unit_test(test_net_activity_clock_now_per_transaction),
        cmocka_unit_test(test_net_activity_clock_state_change_after_long_statement),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
