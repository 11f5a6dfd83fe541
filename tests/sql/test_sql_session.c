/* test_sql_session.c: the session end to end inside the server process, without the wire
 * protocol: settings (SET/SHOW/RESET, validation, SET LOCAL, rollback of SET), transaction
 * blocks (BEGIN/COMMIT/ROLLBACK, failed blocks and 25P02, savepoints), autocommit durability
 * order, prepared statements (Parse/Bind/Describe/Execute and PREPARE/EXECUTE), portals with
 * row limits (PortalSuspended), cursors (DECLARE/FETCH/MOVE/CLOSE), DDL visibility and which
 * settings each ParameterStatus report sends.
 * How: a real engine in a temporary data directory with two shards; a fiber on shard 0 opens a
 * session as the bootstrap superuser and runs scripts of statements, each with the exact text
 * output expected (rows as "a|b", the command tag, notices, or "ERROR <sqlstate>: <message>"),
 * as PostgreSQL 15 answers them. Mismatches are collected and asserted on the main thread. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

/* ---- scripts ---- */

static void script_settings(capture *c) {
    expect(c, "SHOW DateStyle", "DateStyle\nISO, MDY\nSHOW\n");
    expect(c, "SET datestyle = 'German'", "SET\n");
    expect(c, "SHOW datestyle", "DateStyle\nGerman, DMY\nSHOW\n");
    expect(c, "RESET datestyle", "RESET\n");
    expect(c, "SHOW datestyle", "DateStyle\nISO, MDY\nSHOW\n");
    expect(c, "SET statement_timeout = '5s'", "SET\n");
    expect(c, "SHOW statement_timeout", "statement_timeout\n5s\nSHOW\n");
    expect(c, "SET statement_timeout = 0", "SET\n");
    expect(c, "SET nosuch = 1",
           "ERROR 42704: unrecognized configuration parameter \"nosuch\"\n");
    expect(c, "SET server_version = '1'",
           "ERROR 55P02: parameter \"server_version\" cannot be changed\n");
    expect(c, "SET enable_seqscan = maybe",
           "ERROR 22023: parameter \"enable_seqscan\" requires a Boolean value\n");
    expect(c, "SET myapp.tenant = 'acme'", "SET\n");
    expect(c, "SHOW myapp.tenant", "myapp.tenant\nacme\nSHOW\n");
    expect(c, "SET TIME ZONE 'Europe/Berlin'", "SET\n");
    expect(c, "SHOW timezone", "TimeZone\nEurope/Berlin\nSHOW\n");
    expect(c, "SET TIME ZONE 'UTC'", "SET\n");
    /* SHOW's column is the setting's registered name, as in PostgreSQL */
    expect(c, "SHOW intervalstyle", "IntervalStyle\npostgres\nSHOW\n");
    expect(c, "SHOW TIME ZONE", "TimeZone\nUTC\nSHOW\n");
    /* SET inside a rolled-back transaction is undone; SET LOCAL ends with its transaction. */
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, "SET extra_float_digits = 3", "SET\n");
    expect(c, "SET LOCAL work_mem = '64MB'", "SET\n");
    expect(c, "SHOW work_mem", "work_mem\n64MB\nSHOW\n");
    expect(c, "ROLLBACK", "ROLLBACK\n");
    expect(c, "SHOW extra_float_digits", "extra_float_digits\n1\nSHOW\n");
    expect(c, "SHOW work_mem", "work_mem\n4MB\nSHOW\n");
    expect(c, "BEGIN; SET LOCAL work_mem = '8MB'; COMMIT", "BEGIN\nSET\nCOMMIT\n");
    expect(c, "SHOW work_mem", "work_mem\n4MB\nSHOW\n");
    expect(c, "BEGIN ISOLATION LEVEL SERIALIZABLE",
           "ERROR 0A000: SERIALIZABLE isolation is not supported\n");
    expect(c, "ROLLBACK", "ROLLBACK\n");
}

static void script_transactions(capture *c) {
    expect(c, "COMMIT", "WARNING 25P01: there is no transaction in progress\nCOMMIT\n");
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, "BEGIN", "WARNING 25001: there is already a transaction in progress\nBEGIN\n");
    expect(c, "SELECT 1/0", "ERROR 22012: division by zero\n");
    expect(c, "SELECT 1", "ERROR 25P02: current transaction is aborted, commands ignored until "
                          "end of transaction block\n");
    expect(c, "COMMIT", "ROLLBACK\n");
    expect(c, "SELECT 1", "?column?\n1\nSELECT 1\n");
    expect(c, "SAVEPOINT a",
           "ERROR 25P01: SAVEPOINT can only be used in transaction blocks\n");
    expect(c, "", "EMPTY\n");
    /* void results print as empty strings; asyncpg's Pool reset must succeed */
    expect(c, "SELECT pg_sleep(0)", "pg_sleep\n\nSELECT 1\n");
    expect(c, "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL",
           "pg_advisory_unlock_all\n\nSELECT 1\nCLOSE CURSOR ALL\nUNLISTEN\nRESET\n");
}

static void script_tables(capture *c) {
    expect(c, "CREATE TABLE kv (k int PRIMARY KEY, v text)", "CREATE TABLE\n");
    expect(c, "INSERT INTO kv VALUES (1, 'one'), (2, 'two')", "INSERT 0 2\n");
    expect(c, "SELECT k, v FROM kv ORDER BY k", "k|v\n1|one\n2|two\nSELECT 2\n");
    /* savepoints undo only what came after them */
    expect(c, "BEGIN; INSERT INTO kv VALUES (3, 'three'); SAVEPOINT s1; "
              "INSERT INTO kv VALUES (4, 'four'); ROLLBACK TO s1; COMMIT",
           "BEGIN\nINSERT 0 1\nSAVEPOINT\nINSERT 0 1\nROLLBACK\nCOMMIT\n");
    expect(c, "SELECT count(*) FROM kv", "count\n3\nSELECT 1\n");
    expect(c, "INSERT INTO kv VALUES (1, 'dup')",
           "ERROR 23505: duplicate key value violates unique constraint \"kv_pkey\"\n");
    /* DDL in a rolled-back transaction leaves nothing behind */
    expect(c, "BEGIN; CREATE TABLE gone (a int); ROLLBACK", "BEGIN\nCREATE TABLE\nROLLBACK\n");
    expect(c, "SELECT * FROM gone",
           "ERROR 42P01: relation \"gone\" does not exist\n");
    expect(c, "PREPARE q (int) AS SELECT v FROM kv WHERE k = $1", "PREPARE\n");
    expect(c, "EXECUTE q(2)", "v\ntwo\nSELECT 1\n");
    expect(c, "EXECUTE q(9)", "v\nSELECT 0\n");
    expect(c, "DEALLOCATE q", "DEALLOCATE\n");
    expect(c, "EXECUTE q(2)", "ERROR 26000: prepared statement \"q\" does not exist\n");
    expect(c, "BEGIN; DECLARE cur CURSOR FOR SELECT k FROM kv ORDER BY k; FETCH 2 FROM cur; "
              "MOVE 1 IN cur; FETCH NEXT FROM cur; CLOSE cur; COMMIT",
           "BEGIN\nDECLARE CURSOR\nk\n1\n2\nFETCH 2\nMOVE 1\nk\nFETCH 0\nCLOSE CURSOR\n"
           "COMMIT\n");
    /* schema.table.column names a table written without its schema (Prisma's RETURNING) */
    expect(c, "UPDATE kv SET v = 'uno' WHERE public.kv.k = 1 RETURNING public.kv.v",
           "v\nuno\nUPDATE 1\n");
    expect(c, "SELECT public.kv.k FROM kv WHERE k = 1", "k\n1\nSELECT 1\n");
    /* a subquery over a function of an outer column runs per outer row (psql's \d+) */
    expect(c, "SELECT k, (SELECT sum(x) FROM generate_series(1, k) x) FROM kv ORDER BY k",
           "k|sum\n1|1\n2|3\n3|6\nSELECT 3\n");
    expect(c, "DROP TABLE kv", "DROP TABLE\n");
}

/* Extended protocol: Parse / Bind / Describe / Execute with a row limit / Sync. */
static void script_extended(capture *c) {
    expect(c, "CREATE TABLE ext (id int PRIMARY KEY, name text)", "CREATE TABLE\n");
    expect(c, "INSERT INTO ext SELECT g, 'n' || g FROM generate_series(1, 5) g", "INSERT 0 5\n");
    rt_err err;
    rt_err_clear(&err);
    const char *sql = "SELECT id, name FROM ext WHERE id >= $1 ORDER BY id";
    TEST_CHECK(sql_session_parse(c->s, "s1", sql, (uint32_t)strlen(sql), 0, NULL, &err));
    uint32_t np = 0, nc = 0;
    const uint32_t *types = NULL;
    const sql_col *cols = NULL;
    bool rows = false;
    TEST_CHECK(sql_session_describe_statement(c->s, "s1", &np, &types, &rows, &cols, &nc, &err));
    TEST_CHECK(np == 1 && types[0] == 23 && rows && nc == 2);
    /* Describe of SHOW names its column as the simple protocol does */
    TEST_CHECK(sql_session_parse(c->s, "show_tz", "SHOW timezone", 13, 0, NULL, &err));
    TEST_CHECK(sql_session_describe_statement(c->s, "show_tz", &np, &types, &rows, &cols, &nc,
                                              &err));
    TEST_CHECK(rows && nc == 1 && strcmp(cols[0].name, "TimeZone") == 0);
    sql_session_close_statement(c->s, "show_tz");
    const uint8_t *vals[1] = {(const uint8_t *)"2"};
    uint32_t lens[1] = {1};
    int16_t fmts[1] = {0};
    sql_bind_args a = {.portal = "", .statement = "s1", .nparams = 1, .param_formats = fmts,
                       .values = vals, .lengths = lens};
    TEST_CHECK(sql_session_bind(c->s, &a, &err));
    sql_sink sink = cap_sink_proto;
    sink.arg = c;
    c->len = 0;
    bool suspended = false;
    TEST_CHECK(sql_session_execute(c->s, "", 2, &sink, &suspended, &err));
    TEST_CHECK(suspended);
    TEST_CHECK(sql_session_execute(c->s, "", 0, &sink, &suspended, &err));
    TEST_CHECK(!suspended);
    TEST_CHECK(sql_session_sync(c->s, &err));
    if (strcmp(c->out, "2|n2\n3|n3\n4|n4\n5|n5\nSELECT 2\n") != 0) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "extended: got\n%s", c->out);
    }
    /* a bad parameter value fails Bind with the type's error */
    const uint8_t *bad[1] = {(const uint8_t *)"x"};
    a.values = bad;
    TEST_CHECK(!sql_session_bind(c->s, &a, &err));
    TEST_CHECK(rt_err_is(&err, "22P02"));
    rt_err_clear(&err);
    TEST_CHECK(sql_session_sync(c->s, &err));
    TEST_CHECK(sql_session_txn_status(c->s) == SQL_TXN_IDLE);
    expect(c, "DROP TABLE ext", "DROP TABLE\n");
}

/* LISTEN / NOTIFY between two sessions: delivered at commit, never after a rollback, once
 * per distinct payload in a transaction, only to listeners of the channel. */
static void script_notify(capture *c) {
    capture other;
    if (!sh_open_as(&other, "postgres", 77)) return;
    expect(c, "LISTEN jobs", "LISTEN\n");
    expect(&other, "NOTIFY jobs, 'a'; NOTIFY other, 'x'", "NOTIFY\nNOTIFY\n");
    expect(&other, "BEGIN; NOTIFY jobs, 'b'; NOTIFY jobs, 'b'; SELECT pg_notify('jobs', 'c'); "
                   "COMMIT", "BEGIN\nNOTIFY\nNOTIFY\npg_notify\n\nSELECT 1\nCOMMIT\n");
    expect(&other, "BEGIN; NOTIFY jobs, 'never'; ROLLBACK", "BEGIN\nNOTIFY\nROLLBACK\n");
    const char *want[] = {"a", "b", "c"};
    uint32_t pid;
    char channel[64];
    char *payload;
    for (uint32_t i = 0; i < 3; i++) {
        bool got = sql_session_notification(c->s, &pid, channel, &payload);
        TEST_CHECK(got);
        if (!got) break;
        TEST_CHECK(pid == 77 && strcmp(channel, "jobs") == 0 && strcmp(payload, want[i]) == 0);
        rt_free(payload);
    }
    TEST_CHECK(!sql_session_notification(c->s, &pid, channel, &payload));
    expect(c, "UNLISTEN *", "UNLISTEN\n");
    expect(&other, "NOTIFY jobs", "NOTIFY\n");
    TEST_CHECK(!sql_session_notification(c->s, &pid, channel, &payload));
    sql_session_close(other.s);
}


/* A failed transaction block lets go of the DDL lock unless a savepoint kept catalog changes:
 * another session's DDL does not wait for the first client's ROLLBACK. */
static void script_failed_ddl(capture *a) {
    static capture b;
    if (!sh_open_as(&b, "postgres", 43)) return;
    expect(&b, "SET lock_timeout = '200ms'", "SET\n");
    expect(a, "BEGIN; CREATE TABLE dl1 (x int)", "BEGIN\nCREATE TABLE\n");
    expect(a, "CREATE TABLE dl1 (x int)", "ERROR 42P07: relation \"dl1\" already exists\n");
    expect(&b, "CREATE TABLE dl2 (x int)", "CREATE TABLE\n");
    expect(a, "COMMIT", "ROLLBACK\n");
    expect(a, "SELECT * FROM dl1", "ERROR 42P01: relation \"dl1\" does not exist\n");
    expect(a, "BEGIN; CREATE TABLE dl3 (x int); SAVEPOINT s; SELECT 1/0",
           "BEGIN\nCREATE TABLE\nSAVEPOINT\nERROR 22012: division by zero\n");
    expect(&b, "CREATE TABLE dl4 (x int)",
           "ERROR 55P03: canceling statement due to lock timeout\n");
    expect(a, "ROLLBACK TO s; COMMIT", "ROLLBACK\nCOMMIT\n");
    expect(&b, "DROP TABLE dl2, dl3", "DROP TABLE\n");
    sql_session_close(b.s);
}

/* ParameterStatus: the first report sends every reportable setting, later ones only what
 * changed since (nothing after a SET of the same value or a SET undone by ROLLBACK). */
static void report_one(void *arg, const char *name, const char *value) {
    cap_printf(arg, "%s=%s\n", name, value);
}

static const char *reported(capture *c) {
    c->len = 0;
    c->out[0] = '\0';
    sql_session_report_params(c->s, report_one, c);
    return c->out;
}

static void script_report_params(capture *c) {
    static capture r;
    (void)c;
    if (!sh_open_as(&r, "postgres", 44)) return;
    const char *first = reported(&r);
    TEST_CHECK(strstr(first, "server_version=") != NULL && strstr(first, "DateStyle=") != NULL);
    sh_check("report, nothing changed", reported(&r), "");
    expect(&r, "SET application_name = 'app1'", "SET\n");
    sh_check("report after SET", reported(&r), "application_name=app1\n");
    expect(&r, "SET application_name = 'app1'", "SET\n");
    sh_check("report after SET of the same value", reported(&r), "");
    expect(&r, "BEGIN; SET DateStyle = 'German'; ROLLBACK", "BEGIN\nSET\nROLLBACK\n");
    sh_check("report after a rolled-back SET", reported(&r), "");
    expect(&r, "BEGIN; SET LOCAL DateStyle = 'German'", "BEGIN\nSET\n");
    sh_check("report inside the block", reported(&r), "DateStyle=German, DMY\n");
    expect(&r, "COMMIT", "COMMIT\n");
    sh_check("report after SET LOCAL ended", reported(&r), "DateStyle=ISO, MDY\n");
    sql_session_close(r.s);
}

/* Parse + Bind (one text parameter or none, one result format for all) + Execute + Sync of
 * the unnamed statement; returns what the client would see. */
static const char *run_ext(capture *c, const char *sql, const char *param, int16_t result_fmt) {
    c->len = 0;
    c->out[0] = '\0';
    rt_err err;
    rt_err_clear(&err);
    const uint8_t *vals[1] = {(const uint8_t *)param};
    uint32_t lens[1] = {param != NULL ? (uint32_t)strlen(param) : 0};
    int16_t fmts[1] = {0};
    sql_bind_args a = {.portal = "", .statement = "", .nparams = param != NULL ? 1 : 0,
                       .param_formats = fmts, .values = vals, .lengths = lens,
                       .nresult_formats = 1, .result_formats = &result_fmt};
    sql_sink sink = cap_sink_proto;
    sink.arg = c;
    bool suspended = false;
    if (!sql_session_parse(c->s, "", sql, (uint32_t)strlen(sql), 0, NULL, &err) ||
        !sql_session_bind(c->s, &a, &err) ||
        !sql_session_execute(c->s, "", 0, &sink, &suspended, &err)) {
        cap_printf(c, "ERROR %s: %s\n", err.sqlstate, err.message);
    }
    rt_err_clear(&err);
    sql_session_sync(c->s, &err);
    return c->out;
}

static void expect_ext(capture *c, const char *sql, const char *param, int16_t result_fmt,
                       const char *want) {
    const char *got = run_ext(c, sql, param, result_fmt);
    if (strcmp(got, want) != 0) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "MISMATCH for: %s\n--- want:\n%s--- got:\n%s---\n", sql, want, got);
    }
}

/* psycopg 3's server-side cursors: DECLARE with $n parameters, then FETCH with binary results,
 * both through the extended protocol. */
static void script_ext_cursor(capture *c) {
    expect(c, "CREATE TABLE cur (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(c, "INSERT INTO cur SELECT g FROM generate_series(1, 5) g", "INSERT 0 5\n");
    expect(c, "BEGIN", "BEGIN\n");
    expect_ext(c, "DECLARE c1 CURSOR FOR SELECT id FROM cur WHERE id >= $1 ORDER BY id", "3", 0,
               "DECLARE CURSOR\n");
    expect_ext(c, "FETCH 2 FROM c1", NULL, 1, "b:3\nb:4\nFETCH 2\n");
    expect_ext(c, "FETCH 2 FROM c1", NULL, 0, "5\nFETCH 1\n");
    expect_ext(c, "DECLARE c2 SCROLL CURSOR FOR SELECT id FROM cur WHERE id < $1 ORDER BY id",
               "3", 0, "DECLARE CURSOR\n");
    expect_ext(c, "FETCH LAST FROM c2", NULL, 1, "b:2\nFETCH 1\n");
    expect(c, "COMMIT", "COMMIT\n");
    expect(c, "DROP TABLE cur", "DROP TABLE\n");
}

static void all_scripts(capture *c) {
    script_settings(c);
    script_transactions(c);
    script_tables(c);
    script_extended(c);
    script_notify(c);
    script_failed_ddl(c);
    script_ext_cursor(c);
    script_report_params(c);
    sql_startup nodb = {.user = "postgres", .database = "nosuch"};
    sql_session *s2 = NULL;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(!sql_session_open(&nodb, &s2, &err));
    TEST_CHECK(rt_err_is(&err, "3D000") && err.severity == RT_SEV_FATAL);
}

static void test_session_scripts(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, all_scripts), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_session_scripts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
