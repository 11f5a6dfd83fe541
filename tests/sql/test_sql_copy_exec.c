/* test_sql_copy_exec.c: COPY on a running engine. First the executor side (sql_copy_run.c)
 * alone: a hand-built INSERT plan (as the binder builds it for COPY t (id, payload, txn)) is
 * fed text input in CopyData-sized pieces through a fake client (the sql_sink callbacks); the
 * rows must be in the table after commit, and none of them when a late row is bad (the
 * statement fails, the transaction aborts). COPY TO runs a VALUES plan through the encoder and
 * checks the order of the client callbacks. Then whole statements (sql_copy_exec on parsed
 * COPY statements, through the binder): defaults for missing columns, NOT NULL and CHECK, the
 * statement-level errors, COPY TO of a table and of a query. */
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

#include "sql/sql_agg.h"
#include "sql/sql_ast.h"
#include "sql/sql_bind.h"
#include "sql/sql_copy.h"
#include "sql/sql_copy_int.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_session.h"
#include "tests/common/test_engine.h"

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
    g_result.ok = sql_copy_run_from(&x, insert_plan(arena, t), NULL, &o, "t", cols, 3, &sink,
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

/* ---- whole statements ---- */

/* w (a int8 primary key, b text default 'dflt', c int4 not null check (c > 0)), view v. */
static void create_w(void) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_column cols[3];
    memset(cols, 0, sizeof cols);
    const char *names[3] = {"a", "b", "c"};
    uint32_t types[3] = {SQL_T_INT8, SQL_T_TEXT, SQL_T_INT4};
    for (int i = 0; i < 3; i++) {
        snprintf(cols[i].name, sizeof cols[i].name, "%s", names[i]);
        cols[i].type_oid = types[i];
        cols[i].typmod = -1;
        cols[i].attnum = (uint16_t)(i + 1);
        cols[i].store = (uint8_t)eng_store_of_type(types[i]);
        cols[i].not_null = i != 1;
    }
    cols[1].default_text = "'dflt'::text";
    eng_constraint check;
    memset(&check, 0, sizeof check);
    snprintf(check.name, sizeof check.name, "w_c_check");
    check.kind = 'c';
    check.check_text = "(c > 0)";
    eng_table t;
    memset(&t, 0, sizeof t);
    t.oid = eng_catalog_new_oid(draft);
    snprintf(t.name, sizeof t.name, "w");
    t.schema_oid = ENG_OID_PUBLIC;
    t.kind = 'r';
    t.persistence = 'p';
    t.storage_id = eng_catalog_new_storage_id(draft);
    t.def_gen = eng_catalog_def_gen();
    t.partition_count = 4;
    t.column_count = 3;
    t.columns = cols;
    t.pk_count = 1;
    t.pk_attnums[0] = 1;
    check.table_oid = t.oid;
    t.constraint_count = 1;
    t.constraints = &check;
    eng_draft_add_table(draft, ENG_OID_POSTGRES_DB, &t);
    eng_table v;
    memset(&v, 0, sizeof v);
    v.oid = eng_catalog_new_oid(draft);
    snprintf(v.name, sizeof v.name, "v");
    v.schema_oid = ENG_OID_PUBLIC;
    v.kind = 'v';
    v.def_gen = eng_catalog_def_gen();
    v.view_text = "SELECT 1";
    eng_draft_add_table(draft, ENG_OID_POSTGRES_DB, &v);
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_txn_start(&ctx, &err));
    ctx.draft = draft;
    TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
}

typedef struct stmt_case {
    const char *sql;
    const char *input;        /* COPY FROM's data */
    const char *want;         /* "COPY n", or "ERROR sqlstate: message[ | detail][ @position]" */
    const char *want_output;  /* COPY TO's data, or NULL */
} stmt_case;

static const stmt_case STMT_CASES[] = {
    {"COPY w (a, c) FROM STDIN", "1\t5\n2\t6\n\\.\n", "COPY 2", NULL},
    {"copy w from stdin (format csv)", "3,x,7\n4,,8\n", "COPY 2", NULL},
    {"COPY w (c, a) FROM STDIN WITH CSV HEADER", "c,a\n9,5\n", "COPY 1", NULL},
    {"COPY w (a) FROM STDIN", "6\n",
     "ERROR 23502: null value in column \"c\" of relation \"w\" violates not-null constraint"
     " | Failing row contains (6, dflt, null).", NULL},
    {"COPY w (a, c) FROM STDIN", "7\t-1\n",
     "ERROR 23514: new row for relation \"w\" violates check constraint \"w_c_check\" | "
     "Failing row contains (7, dflt, -1).", NULL},
    {"COPY w (a, c) FROM STDIN", "1\t5\n",
     "ERROR 23505: duplicate key value violates unique constraint \"w_pkey\" | Key (a)=(1) "
     "already exists.", NULL},
    {"COPY w (a, zz) FROM STDIN", "", "ERROR 42703: column \"zz\" of relation \"w\" does not "
     "exist", NULL},
    {"COPY w (a, a) FROM STDIN", "", "ERROR 42701: column \"a\" specified more than once", NULL},
    {"COPY nosuch FROM STDIN", "", "ERROR 42P01: relation \"nosuch\" does not exist", NULL},
    {"COPY v FROM STDIN", "", "ERROR 42809: cannot copy to view \"v\"", NULL},
    {"COPY v TO STDOUT", "", "ERROR 42809: cannot copy from view \"v\"", NULL},
    {"COPY w FROM '/tmp/x'", "", "ERROR 0A000: COPY from a server file is not supported", NULL},
    {"COPY w TO PROGRAM 'cat'", "", "ERROR 0A000: COPY to a program is not supported", NULL},
    {"COPY w FROM STDIN (format xml)", "", "ERROR 22023: COPY format \"xml\" not recognized @20",
     NULL},
    {"COPY w FROM STDIN (format csv, force_null (b), force_null (c))", "",
     "ERROR 42601: conflicting or redundant options @48", NULL},
    {"COPY w (a, c) FROM STDIN (format csv, force_not_null (b))", "",
     "ERROR 42P10: FORCE_NOT_NULL column \"b\" not referenced by COPY", NULL},
    {"COPY w FROM STDIN", "10\tx\n",
     "ERROR 22P04: missing data for column \"c\" | COPY w, line 1: \"10\tx\"", NULL},
    {"COPY (SELECT 1 AS x, 'a,b' AS y) TO STDOUT (FORMAT csv, HEADER)", "", "COPY 1",
     "x,y\n1,\"a,b\"\n"},
    {"COPY (SELECT 1) TO STDOUT", "", "COPY 1", "1\n"},
    {"COPY w (a, c) FROM STDIN WHERE c % 2 = 0 AND a < 13", "10\t1\n11\t2\n12\t4\n13\t6\n",
     "COPY 2", NULL},
    {"COPY (SELECT a, b, c FROM w WHERE a < 5 ORDER BY a) TO STDOUT (FORMAT csv, HEADER, "
     "FORCE_QUOTE (b))", "", "COPY 4", "a,b,c\n1,\"dflt\",5\n2,\"dflt\",6\n3,\"x\",7\n4,,8\n"},
    {"COPY w TO STDOUT", "", "COPY 7", NULL},
    {"COPY w (c) TO STDOUT (FORMAT binary)", "", "COPY 7", NULL},
    {"COPY (DELETE FROM w WHERE a = 5 RETURNING a, c) TO STDOUT", "", "COPY 1", "5\t9\n"},
    {"COPY (DELETE FROM w WHERE a = 5) TO STDOUT", "",
     "ERROR 0A000: COPY query must have a RETURNING clause", NULL},
    {"COPY w (a, c) FROM STDIN WHERE b = 'x'", "",
     "ERROR 42703: column \"b\" does not exist @32", NULL},
};

typedef struct stmt_out {
    char got[2048];
    char output[1024];
} stmt_out;

static stmt_out g_stmt_out[sizeof STMT_CASES / sizeof STMT_CASES[0]];
static char g_w_rows[1024];

/* COPY TO's fake client checks the column count of the one-column cases loosely. */
static bool fc_copy_out_any(void *arg, const sql_copy_desc *d, rt_err *err) {
    (void)err;
    (void)d;
    ((fake_client *)arg)->copy_out_sent = true;
    return true;
}

static bool fc_copy_in_any(void *arg, const sql_copy_desc *d, rt_err *err) {
    (void)err;
    (void)d;
    ((fake_client *)arg)->copy_in_sent = true;
    return true;
}

static void run_stmt(const stmt_case *sc, stmt_out *out) {
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list list;
    TEST_CHECK(sql_parse(arena, sc->sql, (uint32_t)strlen(sc->sql), &list, &err));
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_txn_ctx txn;
    TEST_CHECK(eng_txn_start(&txn, &err));
    sql_exec_ctx x;
    exec_ctx(&x, arena, &err, &txn, ref.catalog);
    static const char *const path[] = {"public"};
    sql_bind_ctx bc = {.arena = arena, .err = &err, .catalog = ref.catalog,
                       .db = eng_catalog_db_by_name(ref.catalog, "postgres"),
                       .search_path = path, .nsearch = 1, .sql = sc->sql,
                       .sql_len = (uint32_t)strlen(sc->sql), .shard_count = 2};
    fake_client c = {.input = sc->input, .len = (uint32_t)strlen(sc->input)};
    sql_sink sink = fc_sink(&c);
    sink.copy_out = fc_copy_out_any;
    sink.copy_in = fc_copy_in_any;
    char tag[SQL_TAG_BYTES];
    bool ok = sql_copy_exec(&bc, &x, list.stmts[0].node, &sink, tag, &err);
    if (ok) {
        snprintf(out->got, sizeof out->got, "%s", tag);
        TEST_CHECK(eng_txn_finish_commit(&txn, &err));
    } else {
        snprintf(out->got, sizeof out->got, "ERROR %s: %s%s%s", err.sqlstate, err.message,
                 err.detail[0] ? " | " : "", err.detail);
        if (err.position != 0) {
            size_t used = strlen(out->got);
            snprintf(out->got + used, sizeof out->got - used, " @%u", err.position);
        }
        eng_txn_finish_abort(&txn);
    }
    snprintf(out->output, sizeof out->output, "%s", c.output != NULL ? c.output : "");
    rt_free(c.output);
    eng_catalog_unpin(&ref);
    rt_arena_destroy(arena);
}

/* Rows of w as "a|b|c;..." by a, read on the shards that own them. */
typedef struct w_scan {
    const eng_table *t;
    char rows[64][64];
    int64_t keys[64];
    uint32_t n;
} w_scan;

static void w_scan_shard(void *arg) {
    w_scan *w = arg;
    eng_snapshot snap = {.ts = eng_txn_snapshot_ts()};
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_batch *b = sql_batch_new(arena, 3, ENG_RG_ROWS);
    uint32_t types[3] = {SQL_T_INT8, SQL_T_TEXT, SQL_T_INT4};
    for (int k = 0; k < 3; k++) sql_vec_init(arena, &b->cols[k], types[k], -1, ENG_RG_ROWS);
    uint16_t atts[3] = {1, 2, 3};
    for (uint32_t partno = 0; partno < w->t->partition_count; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        uint32_t cursor = 0;
        while (eng_part_scan(eng_partition(w->t, partno), &snap, &cursor, atts, 3, b, NULL)) {
            for (uint32_t r = 0; r < b->rows && w->n < 64; r++) {
                w->keys[w->n] = b->cols[0].i64[r];
                bool null_b = sql_vec_is_null(&b->cols[1], r); /* printed as nothing */
                snprintf(w->rows[w->n++], 64, "%lld|%.*s|%lld", (long long)b->cols[0].i64[r],
                         null_b ? 0 : (int)b->cols[1].b[r].len,
                         null_b ? "" : (const char *)b->cols[1].b[r].ptr,
                         (long long)b->cols[2].i64[r]);
            }
        }
    }
    rt_arena_destroy(arena);
}

static void stmt_fiber(void *arg) {
    (void)arg;
    create_w();
    for (uint32_t i = 0; i < sizeof STMT_CASES / sizeof STMT_CASES[0]; i++) {
        run_stmt(&STMT_CASES[i], &g_stmt_out[i]);
    }
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    w_scan scans[2];
    memset(scans, 0, sizeof scans);
    rt_remote_call calls[2];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < 2; s++) {
        scans[s].t = eng_db_table_by_name(db, ENG_OID_PUBLIC, "w");
        rt_run_on_wg(&calls[s], s, w_scan_shard, &scans[s], &wg);
    }
    rt_wg_wait(&wg);
    eng_catalog_unpin(&ref);
    /* In key order (keys are small). */
    g_w_rows[0] = '\0';
    for (int64_t key = 0; key < 64; key++) {
        for (uint32_t s = 0; s < 2; s++) {
            for (uint32_t i = 0; i < scans[s].n; i++) {
                if (scans[s].keys[i] != key) continue;
                size_t used = strlen(g_w_rows);
                snprintf(g_w_rows + used, sizeof g_w_rows - used, "%s%s", used ? ";" : "",
                         scans[s].rows[i]);
            }
        }
    }
    rt_runtime_stop();
}

static void test_sql_copy_exec_statements(void **state) {
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/test_sql_copy_stmt_%d", (int)getpid());
    te_rmdir(g_dir);
    eng_config cfg = {.data_dir = g_dir, .superuser = "postgres", .shard_count = 2};
    assert_int_equal(te_run(&cfg, stmt_fiber, NULL, NULL), 0);
    for (uint32_t i = 0; i < sizeof STMT_CASES / sizeof STMT_CASES[0]; i++) {
        const stmt_case *sc = &STMT_CASES[i];
        if (strcmp(g_stmt_out[i].got, sc->want) != 0) {
            fail_msg("%s\n  got:  %s\n  want: %s", sc->sql, g_stmt_out[i].got, sc->want);
        }
        if (sc->want_output != NULL) assert_string_equal(g_stmt_out[i].output, sc->want_output);
    }
    assert_string_equal(g_w_rows, "1|dflt|5;2|dflt|6;3|x|7;4||8;11|dflt|2;12|dflt|4");
    te_rmdir(g_dir);
}

int main(void) {
    sql_types_init();
    sql_funcs_init();
    sql_aggs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_copy_exec_from_then_failed_from),
        cmocka_unit_test(test_sql_copy_exec_to),
        cmocka_unit_test(test_sql_copy_exec_statements),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    rt_free(g_input);
    return failed;
}
