/* test_sql_copy_session.c: COPY through the session, as the wire protocol drives it: simple
 * queries with a sink that plays the client (CopyData in pieces, CopyDone or CopyFail, the
 * CopyOut stream captured). Covers what pgbench -i does (BEGIN; TRUNCATE; COPY ... FROM STDIN
 * WITH (FREEZE ON) of 100000 rows; COMMIT), what psql's \copy does (COPY ... TO STDOUT, then
 * COPY ... FROM STDIN of that output into another table: the same rows), and that a failed
 * COPY leaves nothing behind (in an implicit transaction and inside a transaction block).
 * How: a real engine in /tmp with 2 shards; a fiber on shard 0 runs the session. */
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

#include "sql/sql_session.h"
#include "tests/common/test_engine.h"

#define ACCOUNTS 100000u

typedef struct client {
    /* COPY FROM STDIN: the data to send, in pieces; fail_at > 0 sends CopyFail there */
    const char *in;
    uint32_t in_len, in_pos, piece;
    uint32_t fail_at;
    /* what came back */
    char tag[SQL_TAG_BYTES];
    char *out;                 /* rows as text ("a|b\n") and COPY TO data */
    uint32_t out_len, out_cap;
    uint32_t copy_in_count, copy_out_count, copy_done_count;
} client;

static void cl_append(client *c, const void *p, uint32_t n) {
    if (c->out_len + n + 1 > c->out_cap) {
        c->out_cap = (c->out_len + n + 1) * 2;
        c->out = rt_xrealloc(c->out, c->out_cap);
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    c->out[c->out_len] = '\0';
}

static bool cl_describe(void *arg, const sql_col *cols, uint32_t ncols, const int16_t *formats,
                        rt_err *err) {
    (void)arg, (void)cols, (void)ncols, (void)formats, (void)err;
    return true;
}

static bool cl_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                    const int16_t *formats, rt_err *err) {
    (void)formats;
    client *c = arg;
    rt_arena *a = rt_arena_create(1u << 20);
    sql_fmt fmt = {.extra_float_digits = 1};
    sql_io_ctx io = {.arena = a, .fmt = &fmt, .err = err};
    for (uint32_t r = from; r < to; r++) {
        for (uint32_t k = 0; k < b->ncols; k++) {
            if (k > 0) cl_append(c, "|", 1);
            sql_value v;
            sql_vec_get(&b->cols[k], r, &v);
            sql_strbuf sb;
            sql_strbuf_init(&sb, a, 32);
            if (v.is_null) sql_strbuf_puts(&sb, "NULL");
            else if (!sql_value_out(&io, &v, b->cols[k].typmod, &sb)) return false;
            cl_append(c, sb.data, sb.len);
        }
        cl_append(c, "\n", 1);
    }
    rt_arena_destroy(a);
    return true;
}

static bool cl_complete(void *arg, const char *tag, rt_err *err) {
    (void)err;
    snprintf(((client *)arg)->tag, SQL_TAG_BYTES, "%s", tag);
    return true;
}

static bool cl_empty(void *arg, rt_err *err) {
    (void)arg, (void)err;
    return true;
}

static void cl_notice(void *arg, const char *severity, const rt_err *n) {
    (void)arg, (void)severity, (void)n;
}

static bool cl_copy_in(void *arg, const sql_copy_desc *d, rt_err *err) {
    (void)d, (void)err;
    ((client *)arg)->copy_in_count++;
    return true;
}

static bool cl_copy_read(void *arg, const uint8_t **data, uint32_t *len, bool *done,
                         rt_err *err) {
    client *c = arg;
    if (c->fail_at > 0 && c->in_pos >= c->fail_at) {
        return rt_err_set(err, SQLSTATE_QUERY_CANCELED, "COPY from stdin failed: %s",
                          "client gave up");
    }
    uint32_t n = c->in_len - c->in_pos < c->piece ? c->in_len - c->in_pos : c->piece;
    *data = (const uint8_t *)c->in + c->in_pos;
    *len = n;
    c->in_pos += n;
    *done = n == 0;
    return true;
}

static bool cl_copy_out(void *arg, const sql_copy_desc *d, rt_err *err) {
    (void)d, (void)err;
    ((client *)arg)->copy_out_count++;
    return true;
}

static bool cl_copy_write(void *arg, const void *data, uint32_t len, rt_err *err) {
    (void)err;
    cl_append(arg, data, len);
    return true;
}

static bool cl_copy_done(void *arg, rt_err *err) {
    (void)err;
    ((client *)arg)->copy_done_count++;
    return true;
}

static sql_session *g_session;
static client g_client;

/* Runs `sql` with `input` as COPY data (NULL = none); "ok <tag>" or "ERROR <state>: <msg>". */
static const char *q_run(const char *sql, const char *input, uint32_t input_len) {
    static char result[1024];
    client *c = &g_client;
    rt_free(c->out);
    memset(c, 0, sizeof *c);
    c->in = input != NULL ? input : "";
    c->in_len = input != NULL ? input_len : 0;
    c->piece = 8192; /* psql sends one CopyData per line, pgbench per row: any size works */
    sql_sink sink = {.arg = c, .describe = cl_describe, .rows = cl_rows,
                     .complete = cl_complete, .empty = cl_empty, .notice = cl_notice,
                     .copy_in = cl_copy_in, .copy_read = cl_copy_read, .copy_out = cl_copy_out,
                     .copy_write = cl_copy_write, .copy_done = cl_copy_done};
    rt_err err;
    rt_err_clear(&err);
    if (sql_session_simple_query(g_session, sql, (uint32_t)strlen(sql), &sink, &err)) {
        snprintf(result, sizeof result, "ok %s", c->tag);
    } else {
        snprintf(result, sizeof result, "ERROR %s: %s", err.sqlstate, err.message);
    }
    return result;
}

#define Q_OK(sql, tag) TEST_CHECK(q_expect((sql), NULL, 0, "ok " tag))
static bool q_expect(const char *sql, const char *input, uint32_t len, const char *want) {
    const char *got = q_run(sql, input, len);
    if (strcmp(got, want) == 0) return true;
    rt_log(RT_LOG_ERROR, NULL, "%s: got \"%s\", want \"%s\"", sql, got, want);
    return false;
}

static bool q_rows(const char *sql, const char *want) {
    const char *got = q_run(sql, NULL, 0);
    if (strncmp(got, "ok", 2) == 0 && g_client.out != NULL && strcmp(g_client.out, want) == 0) {
        return true;
    }
    rt_log(RT_LOG_ERROR, NULL, "%s: got \"%s\" rows \"%s\", want \"%s\"", sql, got,
           g_client.out != NULL ? g_client.out : "", want);
    return false;
}

/* pgbench -i's statements and data (scale 1, accounts only). */
static void pgbench_init(void) {
    /* pgbench adds the primary key after loading; the DDL does not do that on rows yet. */
    Q_OK("create table pgbench_accounts(aid int not null primary key,bid int,abalance int,"
         "filler char(84))", "CREATE TABLE");
    char *data = rt_xmalloc(ACCOUNTS * 32u + 8);
    uint32_t len = 0;
    for (uint32_t i = 1; i <= ACCOUNTS; i++) {
        len += (uint32_t)sprintf(data + len, "%u\t%u\t0\t\n", i, (i - 1) / 100000 + 1);
    }
    len += (uint32_t)sprintf(data + len, "\\.\n");
    Q_OK("begin", "BEGIN");
    Q_OK("truncate table pgbench_accounts", "TRUNCATE TABLE");
    TEST_CHECK(q_expect("copy pgbench_accounts from stdin with (freeze on)", data, len,
                        "ok COPY 100000"));
    Q_OK("commit", "COMMIT");
    rt_free(data);
    TEST_CHECK(q_rows("select count(*), sum(aid), sum(bid), sum(abalance) from pgbench_accounts",
                      "100000|5000050000|100000|0\n"));
    TEST_CHECK(q_rows("select octet_length(filler), filler = '' from pgbench_accounts "
                      "where aid = 77", "84|t\n"));
}

/* psql's \copy t TO / FROM: the output of one is the input of the other. */
static void psql_copy_round_trip(const char *format) {
    Q_OK("create table src (id int primary key, s text, f float8, b bool, n int8, "
         "d bytea, j text[])", "CREATE TABLE");
    Q_OK("insert into src values "
         "(1, 'a\tb\\c', '1.5', true, '-9223372036854775808', '\\x00ff0a', '{a,\"b c\",NULL}'), "
         "(2, null, null, null, null, null, null), (3, '', '-0', false, -1, '', '{}'), "
         "(4, E'line\\nbreak \"q\"', '1e300', true, 9223372036854775807, '\\x5c2c', "
         "'{\"x,y\",\"\\\\\"}')",
         "INSERT 0 4");
    Q_OK("create table dst (id int primary key, s text, f float8, b bool, n int8, "
         "d bytea, j text[])", "CREATE TABLE");
    char sql[256];
    snprintf(sql, sizeof sql, "copy (select * from src order by id) to stdout (format %s)",
             format);
    TEST_CHECK(q_expect(sql, NULL, 0, "ok COPY 4"));
    TEST_CHECK(g_client.copy_out_count == 1 && g_client.copy_done_count == 1);
    uint32_t len = g_client.out_len;
    char *data = rt_xmalloc(len + 1);
    memcpy(data, g_client.out, len + 1);
    snprintf(sql, sizeof sql, "copy dst from stdin (format %s)", format);
    TEST_CHECK(q_expect(sql, data, len, "ok COPY 4"));
    rt_free(data);
    TEST_CHECK(q_rows("select count(*) from src s join dst d on s.id = d.id and "
                      "s.s is not distinct from d.s and s.f is not distinct from d.f and "
                      "s.b is not distinct from d.b and s.n is not distinct from d.n and "
                      "s.d is not distinct from d.d and s.j is not distinct from d.j", "4\n"));
    Q_OK("drop table src, dst", "DROP TABLE");
}

/* A failed COPY leaves nothing; in a block the transaction is failed until ROLLBACK. */
static void failed_copy(void) {
    Q_OK("create table f (a int primary key, b text not null)", "CREATE TABLE");
    static const char bad[] = "1\tx\n2\ty\n3\n4\tz\n";
    TEST_CHECK(q_expect("copy f from stdin", bad, sizeof bad - 1,
                        "ERROR 22P04: missing data for column \"b\""));
    TEST_CHECK(q_rows("select count(*) from f", "0\n"));
    static const char nulls[] = "1\tx\n2\t\\N\n";
    TEST_CHECK(q_expect("copy f from stdin", nulls, sizeof nulls - 1,
                        "ERROR 23502: null value in column \"b\" of relation \"f\" violates "
                        "not-null constraint"));
    TEST_CHECK(q_rows("select count(*) from f", "0\n"));
    Q_OK("begin", "BEGIN");
    static const char good[] = "1\tx\n";
    TEST_CHECK(q_expect("copy f from stdin", good, sizeof good - 1, "ok COPY 1"));
    TEST_CHECK(q_expect("copy f from stdin", bad, sizeof bad - 1,
                        "ERROR 22P04: missing data for column \"b\""));
    TEST_CHECK(q_expect("select 1", NULL, 0, "ERROR 25P02: current transaction is aborted, "
                        "commands ignored until end of transaction block"));
    Q_OK("rollback", "ROLLBACK");
    TEST_CHECK(q_rows("select count(*) from f", "0\n"));
    /* CopyFail from the client half way. */
    g_client.fail_at = 0;
    static const char many[] = "1\tx\n2\ty\n3\tz\n";
    const char *got = q_run("copy f from stdin", many, sizeof many - 1);
    TEST_CHECK(strcmp(got, "ok COPY 3") == 0);
    Q_OK("truncate f", "TRUNCATE TABLE");
    client *c = &g_client;
    rt_free(c->out);
    memset(c, 0, sizeof *c);
    c->in = many;
    c->in_len = sizeof many - 1;
    c->piece = 4;
    c->fail_at = 8;
    sql_sink sink = {.arg = c, .describe = cl_describe, .rows = cl_rows,
                     .complete = cl_complete, .empty = cl_empty, .notice = cl_notice,
                     .copy_in = cl_copy_in, .copy_read = cl_copy_read, .copy_out = cl_copy_out,
                     .copy_write = cl_copy_write, .copy_done = cl_copy_done};
    rt_err err;
    rt_err_clear(&err);
    const char *sql = "copy f from stdin";
    TEST_CHECK(!sql_session_simple_query(g_session, sql, (uint32_t)strlen(sql), &sink, &err));
    TEST_CHECK(strcmp(err.sqlstate, "57014") == 0);
    TEST_CHECK(q_rows("select count(*) from f", "0\n"));
    Q_OK("drop table f", "DROP TABLE");
}

static void session_fiber(void *arg) {
    (void)arg;
    sql_startup st = {.user = "postgres", .database = "postgres", .backend_pid = 4242};
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(sql_session_open(&st, &g_session, &err));
    if (g_session != NULL) {
        pgbench_init();
        psql_copy_round_trip("text");
        psql_copy_round_trip("csv");
        psql_copy_round_trip("binary");
        failed_copy();
        sql_session_close(g_session);
    }
    rt_free(g_client.out);
    rt_runtime_stop();
}

static void test_sql_copy_session(void **state) {
    (void)state;
    char dir[] = "/tmp/test_sql_copy_session_XXXXXX";
    assert_non_null(mkdtemp(dir));
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = 2};
    assert_int_equal(te_run(&cfg, session_fiber, NULL, NULL), 0);
    te_rmdir(dir);
}

int main(void) {
    sql_session_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_copy_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
