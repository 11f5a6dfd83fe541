/* test_sql_copy_exec.c: COPY's executor side (sql_copy_run.c) on a running engine, without
 * the binder: a hand-built INSERT plan (as the binder builds it for COPY t (id, payload, txn))
 * is fed text input in CopyData-sized pieces through a fake client (the sql_sink callbacks);
 * the rows must be in the table after commit, and none of them when a late row is bad (the
 * statement fails, the transaction aborts). COPY TO runs a VALUES plan through the encoder and
 * checks the order of the client callbacks. */
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

#include "sql/sql_copy_int.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_session.h"
#include "tests/common/test_engine.h"

/* The executor names the catalog scan; these tests never scan the catalog. */
__attribute__((weak)) bool sql_pgcat_scan(struct sql_exec_ctx *x, uint32_t id,
                                          struct sql_rowset *out) {
    (void)x;
    (void)id;
    (void)out;
    return false;
}

#define ROWS 5000u
#define PIECE_BYTES 1000u

/* ---- a fake client ---- */

typedef struct fake_client {
    const char *input;
    uint32_t len, pos;
    bool copy_in_sent, copy_out_sent, done_sent;
    uint32_t reads_after_done;
    char *output;
    uint32_t out_len, out_cap, writes;
} fake_client;

static bool fc_copy_in(void *arg, const sql_copy_desc *d, rt_err *err) {
    (void)err;
    fake_client *c = arg;
    TEST_CHECK(!d->binary && d->ncols == 3);
    c->copy_in_sent = true;
    return true;
}

static bool fc_copy_read(void *arg, const uint8_t **data, uint32_t *len, bool *done,
                         rt_err *err) {
    (void)err;
    fake_client *c = arg;
    TEST_CHECK(c->copy_in_sent);
    if (c->pos >= c->len) c->reads_after_done++;
    uint32_t n = c->len - c->pos < PIECE_BYTES ? c->len - c->pos : PIECE_BYTES;
    *data = (const uint8_t *)c->input + c->pos;
    *len = n;
    c->pos += n;
    *done = n == 0;
    return true;
}

static bool fc_copy_out(void *arg, const sql_copy_desc *d, rt_err *err) {
    (void)err;
    fake_client *c = arg;
    TEST_CHECK(!d->binary && d->ncols == 2);
    c->copy_out_sent = true;
    return true;
}

static bool fc_copy_write(void *arg, const void *data, uint32_t len, rt_err *err) {
    (void)err;
    fake_client *c = arg;
    TEST_CHECK(c->copy_out_sent && !c->done_sent);
    if (c->out_len + len + 1 > c->out_cap) {
        c->out_cap = (c->out_len + len + 1) * 2;
        c->output = rt_xrealloc(c->output, c->out_cap);
    }
    memcpy(c->output + c->out_len, data, len);
    c->out_len += len;
    c->output[c->out_len] = '\0';
    c->writes++;
    return true;
}

static bool fc_copy_done(void *arg, rt_err *err) {
    (void)err;
    ((fake_client *)arg)->done_sent = true;
    return true;
}

static sql_sink fc_sink(fake_client *c) {
    return (sql_sink){.arg = c, .copy_in = fc_copy_in, .copy_read = fc_copy_read,
                      .copy_out = fc_copy_out, .copy_write = fc_copy_write,
                      .copy_done = fc_copy_done};
}

/* ---- the statement ---- */

static uint32_t g_table_oid;
static char *g_input;
static uint32_t g_input_len;

/* Rows "id\tpayload\ttxn" for id 0..ROWS-1; line `bad_line` (1-based, 0 = none) is bad. */
static void make_input(uint32_t bad_line) {
    g_input = rt_xrealloc(g_input, ROWS * 64u);
    g_input_len = 0;
    for (uint32_t i = 0; i < ROWS; i++) {
        const char *txn = i + 1 == bad_line ? "oops" : "7";
        g_input_len += (uint32_t)sprintf(g_input + g_input_len, "%u\tp\\t%u\t%s\n", i, i, txn);
    }
    g_input_len += (uint32_t)sprintf(g_input + g_input_len, "\\.\n");
}

static void exec_ctx(sql_exec_ctx *x, rt_arena *arena, rt_err *err, eng_txn_ctx *txn,
                     const eng_catalog *catalog) {
    memset(x, 0, sizeof *x);
    x->arena = arena;
    x->err = err;
    x->catalog = catalog;
    x->snap = (eng_snapshot){.ts = eng_txn_snapshot_ts()};
    x->txn = txn;
    x->txn_id = txn->id;
    x->command = 1;
    x->isolation = ENG_ISO_READ_COMMITTED;
    x->fmt.extra_float_digits = 1;
    x->affected = &x->rows_affected;
}

/* The INSERT the binder makes for COPY t (id, payload, txn): no defaults, no checks. */
static sql_plan *insert_plan(rt_arena *arena, const eng_table *t) {
    sql_plan *p = rt_arena_zalloc(arena, sizeof *p);
    p->kind = SQL_P_INSERT;
    p->modify.table = t;
    p->modify.ncols = 3;
    p->modify.attnums = rt_arena_alloc(arena, sizeof(uint16_t) * 3);
    p->modify.attnums[0] = 1;
    p->modify.attnums[1] = 3;
    p->modify.attnums[2] = 2;
    p->modify.defaults = rt_arena_zalloc(arena, sizeof(sql_expr *) * (t->column_count + 1u));
    return p;
}

typedef struct copy_result {
    bool ok;
    uint64_t rows;
    rt_err err;
    uint32_t reads_after_done;
    uint32_t table_rows;
    uint32_t good_rows;
} copy_result;

static copy_result g_result;

static void copy_from_fiber(void *arg) {
    (void)arg;
    if (g_table_oid == 0) g_table_oid = te_create_table("t", 4, true);
    TEST_CHECK(g_table_oid != 0);
    eng_catalog_ref ref;
    const eng_table *t = te_table(&ref, g_table_oid);
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    rt_err err;
    rt_err_clear(&err);
    eng_txn_ctx txn;
    TEST_CHECK(eng_txn_start(&txn, &err));
    sql_exec_ctx x;
    exec_ctx(&x, arena, &err, &txn, ref.catalog);
    sql_copy_opts o = {.delim = '\t', .null_str = "\\N", .null_len = 2, .ncols = 3};
    sql_copy_col cols[3] = {{"id", SQL_T_INT8, -1}, {"payload", SQL_T_TEXT, -1},
                            {"txn", SQL_T_INT8, -1}};
    fake_client c = {.input = g_input, .len = g_input_len};
    sql_sink sink = fc_sink(&c);
    g_result.ok = sql_copy_run_from(&x, insert_plan(arena, t), &o, "t", cols, 3, &sink,
                                    &g_result.rows, &err);
    g_result.err = err;
    g_result.reads_after_done = c.reads_after_done;
    rt_err_clear(&err);
    if (g_result.ok) TEST_CHECK(eng_txn_finish_commit(&txn, &err));
    else eng_txn_finish_abort(&txn);
    eng_catalog_unpin(&ref);
    rt_arena_destroy(arena);
    te_rows rows;
    TEST_CHECK(te_scan(g_table_oid, 0, &rows));
    g_result.table_rows = rows.count;
    g_result.good_rows = 0;
    for (uint32_t i = 0; i < rows.count; i++) {
        char want[32];
        snprintf(want, sizeof want, "p\t%lld", (long long)rows.rows[i].id);
        g_result.good_rows += rows.rows[i].txn == 7 && strcmp(rows.rows[i].payload, want) == 0;
    }
    rt_free(rows.rows);
    rt_runtime_stop();
}

static char g_dir[256];

static int run_copy_from(uint32_t bad_line) {
    make_input(bad_line);
    memset(&g_result, 0, sizeof g_result);
    eng_config cfg = {.data_dir = g_dir, .superuser = "postgres", .shard_count = 2};
    return te_run(&cfg, copy_from_fiber, NULL, NULL);
}

static void test_sql_copy_exec_from_then_failed_from(void **state) {
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/test_sql_copy_exec_%d", (int)getpid());
    te_rmdir(g_dir);
    /* A bad value late in the input (after several batches went to the shards): the statement
     * fails with the line's context, and the whole input is still read to CopyDone. */
    assert_int_equal(run_copy_from(ROWS - 10), 0);
    assert_false(g_result.ok);
    assert_string_equal(g_result.err.sqlstate, "22P02");
    assert_string_equal(g_result.err.message, "invalid input syntax for type bigint: \"oops\"");
    assert_string_equal(g_result.err.detail, "COPY t, line 4990, column txn: \"oops\"");
    assert_int_equal(g_result.reads_after_done, 1);
    assert_int_equal(g_result.table_rows, 0);
    /* The good input: every row, with its escapes decoded. */
    assert_int_equal(run_copy_from(0), 0);
    assert_true(g_result.ok);
    assert_int_equal(g_result.rows, ROWS);
    assert_int_equal(g_result.table_rows, ROWS);
    assert_int_equal(g_result.good_rows, ROWS);
    te_rmdir(g_dir);
}

/* COPY TO of a VALUES plan: CopyOutResponse, the rows in chunks, CopyDone, in that order. */
static void test_sql_copy_exec_to(void **state) {
    (void)state;
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    rt_err err;
    rt_err_clear(&err);
    sql_exec_ctx x;
    memset(&x, 0, sizeof x);
    x.arena = arena;
    x.err = &err;
    x.fmt.extra_float_digits = 1;
    uint32_t nrows = 3000;
    sql_plan *p = rt_arena_zalloc(arena, sizeof *p);
    p->kind = SQL_P_VALUES;
    p->ncols = 2;
    p->cols = rt_arena_zalloc(arena, sizeof(sql_col) * 2);
    p->cols[0] = (sql_col){.name = "n", .type_oid = SQL_T_INT4, .typmod = -1};
    p->cols[1] = (sql_col){.name = "s", .type_oid = SQL_T_TEXT, .typmod = -1};
    p->values.nrows = nrows;
    p->values.rows = rt_arena_alloc(arena, sizeof(sql_expr **) * nrows);
    for (uint32_t r = 0; r < nrows; r++) {
        p->values.rows[r] = rt_arena_alloc(arena, sizeof(sql_expr *) * 2);
        sql_value n = {.type_oid = SQL_T_INT4, .i64 = r};
        sql_value s = {.type_oid = SQL_T_TEXT, .is_null = r % 2 == 1};
        if (!s.is_null) s.b = (sql_bytes){.ptr = (const uint8_t *)"a\tb", .len = 3};
        p->values.rows[r][0] = sql_expr_const(arena, &n, -1);
        p->values.rows[r][1] = sql_expr_const(arena, &s, -1);
    }
    sql_copy_opts o = {.delim = '\t', .null_str = "\\N", .null_len = 2, .ncols = 2};
    sql_copy_col cols[2] = {{"n", SQL_T_INT4, -1}, {"s", SQL_T_TEXT, -1}};
    fake_client c = {0};
    sql_sink sink = fc_sink(&c);
    uint64_t rows = 0;
    assert_true(sql_copy_run_to(&x, p, &o, cols, 2, &sink, &rows, &err));
    assert_int_equal(rows, nrows);
    assert_true(c.done_sent);
    assert_true(c.writes >= 1);
    assert_int_equal(test_check_failures, 0);
    assert_memory_equal(c.output, "0\ta\\tb\n1\t\\N\n2\ta\\tb\n", 19);
    uint32_t lines = 0;
    for (uint32_t i = 0; i < c.out_len; i++) lines += c.output[i] == '\n';
    assert_int_equal(lines, nrows);
    rt_free(c.output);
    rt_arena_destroy(arena);
}

int main(void) {
    sql_types_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_copy_exec_from_then_failed_from),
        cmocka_unit_test(test_sql_copy_exec_to),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rt_free(g_input);
    return failed;
}
