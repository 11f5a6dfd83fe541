/* test_eng_basic.c: the engine end to end without SQL: catalog changes, multi-shard
 * transactions (two-phase commit), updates, deletes, aborts, savepoint rollback, and recovery.
 * How: a real data directory in /tmp and real shards; a test fiber creates a table through a
 * catalog draft, writes rows on the shards that own their partitions (rt_run_on), commits or
 * aborts, and reads everything back by scanning every partition. Then the engine is stopped and
 * started again (recovery from the WAL) and the same reads must give the same rows. */
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

#include "engine/eng.h"
#include "engine/eng_key.h"
#include "tests/common/test_runtime.h"

#define ROWS 2000
#define PARTS 4

static char data_dir[256];
static uint32_t table_oid;

typedef struct expected_row {
    bool present;
    char name[32];
    double score;
    float v[3];
} expected_row;
static expected_row expected[ROWS];

static const eng_table *test_table(eng_catalog_ref *ref) {
    eng_catalog_pin(ref);
    const eng_database *db = eng_catalog_db_by_name(ref->catalog, "postgres");
    return eng_db_table_by_oid(db, table_oid);
}

static void create_table(void) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_column cols[4];
    memset(cols, 0, sizeof cols);
    const char *names[4] = {"id", "name", "score", "v"};
    uint32_t types[4] = {SQL_T_INT8, SQL_T_TEXT, SQL_T_FLOAT8, SQL_T_VECTOR};
    for (int i = 0; i < 4; i++) {
        snprintf(cols[i].name, sizeof cols[i].name, "%s", names[i]);
        cols[i].type_oid = types[i];
        cols[i].typmod = i == 3 ? 3 : -1;
        cols[i].attnum = (uint16_t)(i + 1);
        cols[i].store = (uint8_t)eng_store_of_type(types[i]);
        cols[i].vector_dims = i == 3 ? 3 : 0;
    }
    eng_table t;
    memset(&t, 0, sizeof t);
    t.oid = table_oid = eng_catalog_new_oid(draft);
    snprintf(t.name, sizeof t.name, "docs");
    t.schema_oid = ENG_OID_PUBLIC;
    t.kind = 'r';
    t.persistence = 'p';
    t.storage_id = eng_catalog_new_storage_id(draft);
    t.def_gen = eng_catalog_def_gen();
    t.partition_count = PARTS;
    t.column_count = 4;
    t.columns = cols;
    t.pk_count = 1;
    t.pk_attnums[0] = 1;
    eng_draft_add_table(draft, ENG_OID_POSTGRES_DB, &t);
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_txn_start(&ctx, &err));
    ctx.draft = draft;
    TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
}

static uint32_t partition_of(int64_t id) {
    eng_codec_w key;
    eng_w_init(&key);
    sql_value v = {.type_oid = SQL_T_INT8, .i64 = id};
    rt_err err;
    rt_err_clear(&err);
    eng_key_append(&key, &v, false, &err);
    uint32_t p = (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) % PARTS);
    rt_free(key.buf);
    return p;
}

/* Work for one shard inside one transaction. */
typedef enum { OP_INSERT = 1, OP_UPDATE, OP_DELETE } op_kind;
typedef struct shard_work {
    eng_txn_id id;
    uint32_t command;
    op_kind op;
    int from, to, step;
    bool ok;
    bool skip_sevens;
    const eng_table *table;
} shard_work;

static void make_row(int64_t id, const char *name, double score, sql_value *row, float *v) {
    row[0] = (sql_value){.type_oid = SQL_T_INT8, .i64 = id};
    row[1] = (sql_value){.type_oid = SQL_T_TEXT,
                         .b = {.ptr = (const uint8_t *)name, .len = (uint32_t)strlen(name)}};
    row[2] = (sql_value){.type_oid = SQL_T_FLOAT8, .f64 = score};
    row[3] = (sql_value){.type_oid = SQL_T_VECTOR,
                         .b = {.ptr = (const uint8_t *)v, .len = 3 * sizeof(float)}};
}

static uint32_t find_visible(eng_part *p, eng_tx *tx, int64_t id) {
    eng_codec_w key;
    eng_w_init(&key);
    sql_value v = {.type_oid = SQL_T_INT8, .i64 = id};
    rt_err err;
    rt_err_clear(&err);
    eng_key_append(&key, &v, false, &err);
    eng_snapshot snap = {.ts = eng_txn_snapshot_ts(), .own = tx->stamp, .command = tx->command};
    uint32_t slot = eng_part_pk_lookup(p, key.buf, (uint32_t)key.len, &snap);
    rt_free(key.buf);
    return slot;
}

static void shard_work_run(void *arg) {
    shard_work *w = arg;
    rt_err err;
    rt_err_clear(&err);
    eng_tx *tx = eng_tx_local(w->id, true);
    eng_tx_set_statement(tx, w->command, ENG_ISO_READ_COMMITTED, 0, NULL);
    w->ok = true;
    for (int id = w->from; id < w->to; id += w->step) {
        if (w->skip_sevens && id % 7 == 0) continue; /* deleted by an earlier transaction */
        uint32_t partno = partition_of(id);
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        char name[32];
        float v[3] = {(float)id, (float)id * 2, -1.0f};
        sql_value row[4];
        uint32_t slot, locked;
        if (w->op == OP_INSERT) {
            snprintf(name, sizeof name, "row-%d", id);
            make_row(id, name, id * 0.5, row, v);
            w->ok &= eng_part_insert(p, tx, row, &slot, NULL, &err) == ENG_INSERTED;
            continue;
        }
        locked = find_visible(p, tx, id);
        if (locked == ENG_SLOT_NONE) {
            rt_log(RT_LOG_ERROR, NULL, "row %d not found for op %d", id, w->op);
            w->ok = false;
            continue;
        }
        uint32_t newer;
        w->ok &= eng_part_lock(p, tx, locked, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK, &newer,
                               &err) == ENG_LOCKED;
        if (w->op == OP_DELETE) {
            w->ok &= eng_part_delete(p, tx, locked, false, &err);
        } else {
            snprintf(name, sizeof name, "updated-%d", id);
            v[2] = 7.0f;
            make_row(id, name, id * 3.0, row, v);
            w->ok &= eng_part_update(p, tx, locked, row, &slot, &err);
        }
    }
    if (!w->ok) rt_log(RT_LOG_ERROR, NULL, "shard work failed: %s", err.message);
}

/* Runs `op` over ids [from, to) step `step` on every shard inside transaction ctx. */
static void run_everywhere(eng_txn_ctx *ctx, uint32_t command, op_kind op, int from, int to,
                           int step) {
    eng_catalog_ref ref;
    const eng_table *t = test_table(&ref);
    shard_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        works[s] = (shard_work){.id = ctx->id, .command = command, .op = op, .from = from,
                                .to = to, .step = step, .table = t,
                                .skip_sevens = op != OP_INSERT && command != 2 && from != 0};
        rt_run_on_wg(&calls[s], s, shard_work_run, &works[s], &wg);
        ctx->participants |= 1ull << s;
    }
    rt_wg_wait(&wg);
    for (uint32_t s = 0; s < rt_shard_count(); s++) TEST_CHECK(works[s].ok && calls[s].ran);
    eng_catalog_unpin(&ref);
}

static void write_phase(void) {
    rt_err err;
    rt_err_clear(&err);
    create_table();
    eng_txn_ctx ctx;
    TEST_CHECK(eng_txn_start(&ctx, &err));
    run_everywhere(&ctx, 1, OP_INSERT, 0, ROWS, 1);
    TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
    for (int i = 0; i < ROWS; i++) {
        expected[i].present = true;
        snprintf(expected[i].name, sizeof expected[i].name, "row-%d", i);
        expected[i].score = i * 0.5;
        expected[i].v[0] = (float)i;
        expected[i].v[1] = (float)i * 2;
        expected[i].v[2] = -1.0f;
    }
    /* Update every 3rd row, delete every 7th (some rows both: update then delete). */
    TEST_CHECK(eng_txn_start(&ctx, &err));
    run_everywhere(&ctx, 1, OP_UPDATE, 0, ROWS, 3);
    run_everywhere(&ctx, 2, OP_DELETE, 0, ROWS, 7);
    /* A savepoint at command 3: deleting every 5th row is rolled back. */
    run_everywhere(&ctx, 3, OP_DELETE, 1, ROWS, 5);
    eng_txn_rollback_to(&ctx, 3);
    TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
    for (int i = 0; i < ROWS; i += 3) {
        snprintf(expected[i].name, sizeof expected[i].name, "updated-%d", i);
        expected[i].score = i * 3.0;
        expected[i].v[2] = 7.0f;
    }
    for (int i = 0; i < ROWS; i += 7) expected[i].present = false;
    /* An aborted transaction leaves no trace. */
    TEST_CHECK(eng_txn_start(&ctx, &err));
    run_everywhere(&ctx, 1, OP_DELETE, 1, ROWS, 2);
    run_everywhere(&ctx, 2, OP_INSERT, ROWS, ROWS + 100, 1);
    eng_txn_finish_abort(&ctx);
}

typedef struct verify_work {
    const eng_table *table;
    uint32_t seen, bad;
} verify_work;

static void verify_shard(void *arg) {
    verify_work *w = arg;
    eng_snapshot snap = {.ts = eng_txn_snapshot_ts()};
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_batch *b = sql_batch_new(arena, 4, ENG_RG_ROWS);
    uint32_t types[4] = {SQL_T_INT8, SQL_T_TEXT, SQL_T_FLOAT8, SQL_T_VECTOR};
    for (int c = 0; c < 4; c++) sql_vec_init(arena, &b->cols[c], types[c], -1, ENG_RG_ROWS);
    uint16_t atts[4] = {1, 2, 3, 4};
    for (uint32_t partno = 0; partno < PARTS; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        uint32_t cursor = 0;
        while (eng_part_scan(p, &snap, &cursor, atts, 4, b, NULL)) {
            for (uint32_t r = 0; r < b->rows; r++) {
                int64_t id = b->cols[0].i64[r];
                w->seen++;
                if (id < 0 || id >= ROWS || !expected[id].present) {
                    w->bad++;
                    continue;
                }
                expected_row *e = &expected[id];
                if (b->cols[1].b[r].len != strlen(e->name) ||
                    memcmp(b->cols[1].b[r].ptr, e->name, b->cols[1].b[r].len) != 0 ||
                    b->cols[2].f64[r] != e->score ||
                    memcmp(b->cols[3].b[r].ptr, e->v, sizeof e->v) != 0) {
                    w->bad++;
                }
            }
        }
    }
    rt_arena_destroy(arena);
}

static struct {
    uint32_t seen, bad;
    bool write;
} result;

static void test_fiber(void *arg) {
    if (result.write) write_phase();
    eng_catalog_ref ref;
    const eng_table *t = test_table(&ref);
    TEST_CHECK(t != NULL);
    if (t != NULL) {
        verify_work works[RT_SHARDS_MAX];
        rt_remote_call calls[RT_SHARDS_MAX];
        rt_wg wg = {0};
        for (uint32_t s = 0; s < rt_shard_count(); s++) {
            works[s] = (verify_work){.table = t};
            rt_run_on_wg(&calls[s], s, verify_shard, &works[s], &wg);
        }
        rt_wg_wait(&wg);
        for (uint32_t s = 0; s < rt_shard_count(); s++) {
            result.seen += works[s].seen;
            result.bad += works[s].bad;
        }
    }
    eng_catalog_unpin(&ref);
    rt_runtime_stop();
}

static void on_start(rt_loop *loop, void *arg) {
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_shard_start(&err));
    if (rt_core_id() == 0) test_spawn(test_fiber, NULL);
}

static void on_stop(rt_loop *loop, void *arg) { eng_shard_stop(); }

static void run_once(uint32_t shards, bool write) {
    rt_err err;
    rt_err_clear(&err);
    eng_config cfg = {.data_dir = data_dir, .superuser = "postgres", .shard_count = shards};
    assert_true(eng_start(&cfg, &err));
    memset(&result, 0, sizeof result);
    result.write = write;
    assert_int_equal(test_runtime_run(shards, on_start, on_stop, NULL), 0);
    eng_stop();
}

static void test_eng_write_read_recover(void **state) {
    snprintf(data_dir, sizeof data_dir, "/tmp/test_eng_basic_%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", data_dir);
    assert_int_equal(system(cmd), 0);
    uint32_t live = 0;
    run_once(2, true);
    for (int i = 0; i < ROWS; i++) live += expected[i].present;
    assert_int_equal(result.bad, 0);
    assert_int_equal(result.seen, live);
    /* Recovery with the same shard count, then with another one. */
    run_once(2, false);
    assert_int_equal(result.bad, 0);
    assert_int_equal(result.seen, live);
    run_once(3, false);
    assert_int_equal(result.bad, 0);
    assert_int_equal(result.seen, live);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_write_read_recover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
