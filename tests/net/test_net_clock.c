/* test_net_clock.c: the times a session shows, now that the server reads the wall clock once
 * per protocol message (sql_session_clock_us) instead of once per use, keep PostgreSQL 15's
 * meaning: now() is fixed for a transaction (its first statement's time), statement_timestamp()
 * is the time of the latest command message (every statement of one simple Query shares it;
 * each Bind / Execute gets its own), and pg_stat_activity's state_change is stamped when the
 * state changes (after a long statement, not when it began).
 * How: the real server (test_server.h) and libpq; epochs read as text and compared with the
 * client's own sleeps between statements (only lower bounds are asserted: a slow machine only
 * makes the gaps longer). The same sessions were run against PostgreSQL 15 and gave the same
 * answers. */
// ctest: TIMEOUT 120 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_server.h"

/* The client's sleep between two statements, and the least gap the server must show. */
#define TEST_GAP_US 50000
#define TEST_GAP_MIN_S 0.045

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

static int test_setup(void **state) {
    (void)state;
    if (!test_server_init(&srv, NULL, "local all all trust\nhost all all 127.0.0.1/32 trust\n") ||
        !test_server_start(&srv, NULL, NULL)) {
        return -1;
    }
    return 0;
}

static int test_teardown(void **state) {
    (void)state;
    test_server_stop(&srv);
    test_server_remove(&srv);
    return 0;
}

/* Every statement of one Query message has that message's statement_timestamp(), however
 * long the statements before it ran. */
static void test_net_clock_one_query_one_time(void **state) {
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
static void test_net_clock_now_per_transaction(void **state) {
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
static void test_activity(PGconn *obs, int pid, double s, const char *want) {
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
static void test_net_clock_state_change_after_long_statement(void **state) {
    (void)state;
    PGconn *c = test_conn(), *obs = test_conn();
    int pid = PQbackendPID(c);
    test_exec(c, "SELECT pg_sleep(0.2)");
    test_activity(obs, pid, 0.2, "idle,true");
    const char *arg[1] = {"0.2"};
    PGresult *r = PQexecParams(c, "SELECT pg_sleep($1::float8)", 1, NULL, arg, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    test_activity(obs, pid, 0.2, "idle,true");
    test_exec(c, "BEGIN");
    test_exec(c, "SELECT pg_sleep(0.1)");
    test_activity(obs, pid, 0.1, "idle in transaction,true");
    test_exec(c, "COMMIT");
    PQfinish(c);
    PQfinish(obs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_clock_one_query_one_time),
        cmocka_unit_test(test_net_clock_now_per_transaction),
        cmocka_unit_test(test_net_clock_state_change_after_long_statement),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
