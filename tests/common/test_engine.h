/* test_engine.h: helpers for tests (and benchmarks) that drive the engine without SQL.
 * A run starts the engine on a data directory and the shards, runs one fiber on shard 0 and
 * stops everything when it returns (te_run). Inside it: te_create_table makes a table through
 * a catalog draft; te_apply writes rows inside a transaction on the shards that own their
 * partitions (as test_eng_basic.c does); te_scan reads every partition at one snapshot.
 * Test rows: id int8 (primary key, or none), txn int8, payload text, crc int8, v vector(4);
 * crc is a checksum of the others, so a damaged row is seen. */
#ifndef TEST_ENGINE_H
#define TEST_ENGINE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng.h"
#include "engine/eng_key.h"
#include "runtime/rt_mem.h"
#include "tests/common/test_runtime.h"

#define TE_COLS 5
#define TE_PAYLOAD_BYTES_MAX 200

typedef struct te_run_ctx {
    void (*fn)(void *arg);
    void *arg;
    _Atomic bool shard_failed;  /* a shard could not start (its WAL): the run stops */
    rt_err shard_err;
} te_run_ctx;

static inline void te_on_start(rt_loop *loop, void *arg) {
    (void)loop;
    te_run_ctx *ctx = arg;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_shard_start(&err)) { /* as a server would: it does not start */
        if (!atomic_exchange(&ctx->shard_failed, true)) ctx->shard_err = err;
        rt_runtime_stop();
        return;
    }
    if (rt_core_id() == 0 && ctx->fn != NULL) test_spawn(ctx->fn, ctx->arg);
}

static inline void te_on_stop(rt_loop *loop, void *arg) {
    (void)loop;
    (void)arg;
    eng_shard_stop();
}

/* Starts the engine (recovery), runs fn(arg) in a fiber on shard 0 (it should end with
 * rt_runtime_stop()), stops. Returns the TEST_CHECK failures, or -1 if the engine or a shard
 * did not start (*start_err says why; may be NULL). */
static inline int te_run(const eng_config *cfg, void (*fn)(void *), void *arg,
                         rt_err *start_err) {
    rt_err err;
    rt_err_clear(&err);
    if (!eng_start(cfg, &err)) {
        if (start_err != NULL) *start_err = err;
        eng_stop();
        return -1;
    }
    te_run_ctx ctx = {.fn = fn, .arg = arg};
    rt_err_clear(&ctx.shard_err);
    int failures = test_runtime_run(cfg->shard_count, te_on_start, te_on_stop, &ctx);
    eng_stop();
    if (atomic_load(&ctx.shard_failed)) {
        if (start_err != NULL) *start_err = ctx.shard_err;
        return -1;
    }
    return failures;
}

static inline void te_rmdir(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* ---- tables ---- */

/* Column `attnum` named `name` of type `type_oid` (typmod: a vector's dimensions, else -1). */
static inline void te_column(eng_column *c, uint16_t attnum, const char *name, uint32_t type_oid,
                             uint32_t dims) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type_oid = type_oid;
    c->typmod = type_oid == SQL_T_VECTOR ? (int32_t)dims : -1;
    c->attnum = attnum;
    c->store = (uint8_t)eng_store_of_type(type_oid);
    c->vector_dims = type_oid == SQL_T_VECTOR ? dims : 0;
}

/* Creates table `name` with `cols` in database postgres (from a fiber), its first column the
 * primary key if `with_pk`; returns its oid, 0 on failure. */
static inline uint32_t te_create_table_of(const char *name, uint32_t parts, eng_column *cols,
                                          uint16_t ncols, bool with_pk) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_table t;
    memset(&t, 0, sizeof t);
    t.oid = eng_catalog_new_oid(draft);
    snprintf(t.name, sizeof t.name, "%s", name);
    t.schema_oid = ENG_OID_PUBLIC;
    t.kind = 'r';
    t.persistence = 'p';
    t.storage_id = eng_catalog_new_storage_id(draft);
    t.def_gen = eng_catalog_def_gen();
    t.partition_count = parts;
    t.column_count = ncols;
    t.columns = cols;
    t.pk_count = with_pk ? 1 : 0;
    t.pk_attnums[0] = 1;
    eng_draft_add_table(draft, ENG_OID_POSTGRES_DB, &t);
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_txn_start(&ctx, &err)) return 0;
    ctx.draft = draft;
    if (!eng_txn_finish_commit(&ctx, &err)) {
        rt_log(RT_LOG_ERROR, NULL, "create table: %s", err.message);
        return 0;
    }
    return t.oid;
}

/* Creates the test table `name` (the columns above) in database postgres (from a fiber);
 * returns its oid, 0 on failure. */
static inline uint32_t te_create_table(const char *name, uint32_t parts, bool with_pk) {
    eng_column cols[TE_COLS];
    const char *names[TE_COLS] = {"id", "txn", "payload", "crc", "v"};
    uint32_t types[TE_COLS] = {SQL_T_INT8, SQL_T_INT8, SQL_T_TEXT, SQL_T_INT8, SQL_T_VECTOR};
    for (uint16_t i = 0; i < TE_COLS; i++) te_column(&cols[i], i + 1, names[i], types[i], 4);
    return te_create_table_of(name, parts, cols, TE_COLS, with_pk);
}

/* Creates table `name` (id int8 primary key, v vector(dims)); its oid, 0 on failure. */
static inline uint32_t te_create_vec_table(const char *name, uint32_t dims, uint32_t parts) {
    eng_column cols[2];
    te_column(&cols[0], 1, "id", SQL_T_INT8, 0);
    te_column(&cols[1], 2, "v", SQL_T_VECTOR, dims);
    return te_create_table_of(name, parts, cols, 2, true);
}

/* Drops table `oid` (from a fiber). */
static inline bool te_drop_table(uint32_t oid) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_draft_remove_table(draft, ENG_OID_POSTGRES_DB, oid);
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_txn_start(&ctx, &err)) return false;
    ctx.draft = draft;
    return eng_txn_finish_commit(&ctx, &err);
}

/* The table (NULL if gone) in a version pinned in *ref (unpin it after use). */
static inline const eng_table *te_table(eng_catalog_ref *ref, uint32_t oid) {
    eng_catalog_pin(ref);
    const eng_database *db = eng_catalog_db_by_oid(ref->catalog, ENG_OID_POSTGRES_DB);
    return eng_db_table_by_oid(db, oid);
}

static inline uint32_t te_partition_of(int64_t id, uint32_t parts) {
    eng_codec_w key;
    eng_w_init(&key);
    sql_value v = {.type_oid = SQL_T_INT8, .i64 = id};
    rt_err err;
    rt_err_clear(&err);
    eng_key_append(&key, &v, false, &err);
    uint32_t p = (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) % parts);
    rt_free(key.buf);
    return p;
}

static inline uint32_t te_owner(int64_t id, uint32_t parts) {
    return eng_partition_owner(te_partition_of(id, parts), eng_shard_count());
}

/* ---- rows ---- */

static inline int64_t te_crc(int64_t id, int64_t txn, const char *payload, const float *v) {
    uint64_t h = 1469598103934665603ull;
    const uint8_t *parts[4] = {(const uint8_t *)&id, (const uint8_t *)&txn,
                               (const uint8_t *)payload, (const uint8_t *)v};
    size_t lens[4] = {8, 8, strlen(payload), 4 * sizeof(float)};
    for (int i = 0; i < 4; i++) {
        for (size_t j = 0; j < lens[i]; j++) h = (h ^ parts[i][j]) * 1099511628211ull;
    }
    return (int64_t)(h >> 1);
}

/* A vector derived from (id, txn), so recovery can be checked exactly. Its components are
 * spread by a hash: rows with nearly collinear vectors (all cosine distances ~0) are HNSW's
 * worst case and would make every insert, and the benchmarks built on these rows, measure
 * that degenerate graph instead of the engine. */
static inline void te_vector(int64_t id, int64_t txn, float *v) {
    uint64_t h = ((uint64_t)id * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)txn + 0x632be59bd9b4e019ull);
    for (int i = 0; i < 4; i++) {
        h ^= h >> 31;
        h *= 0xbf58476d1ce4e5b9ull;
        v[i] = (float)(int32_t)(h >> 40) / (float)(1 << 23) - 0.5f;
    }
}

typedef enum te_op_kind { TE_INSERT = 1, TE_UPSERT, TE_DELETE } te_op_kind;

typedef struct te_op {
    te_op_kind kind;
    int64_t id;            /* also picks the partition (tables without a key: partition id) */
    int64_t txn;
    char payload[TE_PAYLOAD_BYTES_MAX];
} te_op;

typedef struct te_apply_work {
    eng_txn_id txn;
    uint32_t command;
    eng_isolation iso;
    uint64_t snapshot_ts;  /* repeatable read: the transaction's snapshot; 0 = now */
    const eng_table *table;
    const te_op *ops;
    uint32_t n;
    bool ok;
    rt_err err;
} te_apply_work;

static inline void te_make_row(const te_op *op, sql_value *row, float *v) {
    te_vector(op->id, op->txn, v);
    row[0] = (sql_value){.type_oid = SQL_T_INT8, .i64 = op->id};
    row[1] = (sql_value){.type_oid = SQL_T_INT8, .i64 = op->txn};
    row[2] = (sql_value){.type_oid = SQL_T_TEXT,
                         .b = {.ptr = (const uint8_t *)op->payload,
                               .len = (uint32_t)strlen(op->payload)}};
    row[3] = (sql_value){.type_oid = SQL_T_INT8, .i64 = te_crc(op->id, op->txn, op->payload, v)};
    row[4] = (sql_value){.type_oid = SQL_T_VECTOR,
                         .b = {.ptr = (const uint8_t *)v, .len = 4 * sizeof(float)}};
}

/* The visible version of primary key `id` in p, ENG_SLOT_NONE if none. */
static inline uint32_t te_find(eng_part *p, const eng_snapshot *snap, int64_t id) {
    eng_codec_w key;
    eng_w_init(&key);
    sql_value v = {.type_oid = SQL_T_INT8, .i64 = id};
    rt_err err;
    rt_err_clear(&err);
    eng_key_append(&key, &v, false, &err);
    uint32_t slot = eng_part_pk_lookup(p, key.buf, (uint32_t)key.len, snap);
    rt_free(key.buf);
    return slot;
}

static inline bool te_apply_op(te_apply_work *w, eng_tx *tx, const te_op *op, uint32_t partno) {
    eng_part *p = eng_partition(w->table, partno);
    sql_value row[TE_COLS];
    float v[4];
    te_make_row(op, row, v);
    uint32_t slot, newer;
    if (op->kind == TE_INSERT) {
        return eng_part_insert(p, tx, row, &slot, NULL, &w->err) == ENG_INSERTED;
    }
    eng_snapshot snap = {.ts = w->snapshot_ts != 0 ? w->snapshot_ts : eng_txn_snapshot_ts(),
                         .own = tx->stamp, .command = tx->command};
    uint32_t found = te_find(p, &snap, op->id);
    if (found == ENG_SLOT_NONE) {
        if (op->kind == TE_DELETE) return true;
        return eng_part_insert(p, tx, row, &slot, NULL, &w->err) == ENG_INSERTED;
    }
    eng_lock_result lr = eng_part_lock(p, tx, found, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK, &newer,
                                       &w->err);
    if (lr == ENG_MOVED || lr == ENG_GONE) {
        return rt_err_set(&w->err, SQLSTATE_SERIALIZATION_FAILURE,
                          "could not serialize access due to concurrent update");
    }
    if (lr != ENG_LOCKED) return false;
    if (op->kind == TE_DELETE) return eng_part_delete(p, tx, found, false, &w->err);
    return eng_part_update(p, tx, found, row, &slot, &w->err);
}

static inline void te_apply_shard(void *arg) {
    te_apply_work *w = arg;
    eng_tx *tx = eng_tx_local(w->txn, true);
    eng_tx_set_statement(tx, w->command, w->iso, 2000, NULL);
    w->ok = true;
    uint32_t me = rt_core_id(), parts = w->table->partition_count;
    eng_snap_reg reg = {0}; /* before any snapshot is read: vacuum keeps what it sees */
    eng_snap_register(&reg);
    for (uint32_t i = 0; i < w->n && w->ok; i++) {
        const te_op *op = &w->ops[i];
        uint32_t partno = w->table->pk_count > 0 ? te_partition_of(op->id, parts)
                                                 : (uint32_t)(op->id % parts);
        if (eng_partition_owner(partno, rt_shard_count()) != me) continue;
        w->ok = te_apply_op(w, tx, op, partno);
    }
    eng_snap_unregister(&reg);
}

/* Applies `ops` to table `oid` inside transaction ctx (command `command`), each on the shard
 * owning its partition. False with *err on the first failure (the caller aborts). */
static inline bool te_apply(eng_txn_ctx *ctx, uint32_t oid, const te_op *ops, uint32_t n,
                            uint32_t command, eng_isolation iso, uint64_t snapshot_ts,
                            rt_err *err) {
    eng_catalog_ref ref;
    const eng_table *t = te_table(&ref, oid);
    if (t == NULL) {
        eng_catalog_unpin(&ref);
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "test table %u is gone", oid);
    }
    uint32_t shards = rt_shard_count(), parts = t->partition_count;
    uint64_t involved = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t partno = t->pk_count > 0 ? te_partition_of(ops[i].id, parts)
                                          : (uint32_t)(ops[i].id % parts);
        involved |= 1ull << eng_partition_owner(partno, shards);
    }
    te_apply_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint64_t bits = involved; bits != 0; bits &= bits - 1) {
        uint32_t s = (uint32_t)__builtin_ctzll(bits);
        works[s] = (te_apply_work){.txn = ctx->id, .command = command, .iso = iso,
                                   .snapshot_ts = snapshot_ts, .table = t, .ops = ops, .n = n};
        rt_err_clear(&works[s].err);
        ctx->participants |= 1ull << s;
        rt_run_on_wg(&calls[s], s, te_apply_shard, &works[s], &wg);
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint64_t bits = involved; bits != 0 && ok; bits &= bits - 1) {
        uint32_t s = (uint32_t)__builtin_ctzll(bits);
        if (!calls[s].ran) {
            *err = calls[s].err;
            ok = false;
        } else if (!works[s].ok) {
            *err = works[s].err;
            ok = false;
        }
    }
    eng_catalog_unpin(&ref);
    return ok;
}

/* One transaction with `ops`, committed; false with *err (then it was aborted). */
static inline bool te_commit_ops(uint32_t oid, const te_op *ops, uint32_t n, rt_err *err) {
    eng_txn_ctx ctx;
    if (!eng_txn_start(&ctx, err)) return false;
    if (!te_apply(&ctx, oid, ops, n, 1, ENG_ISO_READ_COMMITTED, 0, err)) {
        eng_txn_finish_abort(&ctx);
        return false;
    }
    return eng_txn_finish_commit(&ctx, err);
}

/* ---- reading everything ---- */

typedef struct te_row {
    int64_t id, txn, rowid;
    bool crc_ok;
    char payload[TE_PAYLOAD_BYTES_MAX];
} te_row;

typedef struct te_rows {
    te_row *rows;
    uint32_t count, cap;
} te_rows;

typedef struct te_scan_work {
    const eng_table *table;
    uint64_t ts;
    te_rows out;
} te_scan_work;

static inline void te_scan_shard(void *arg) {
    te_scan_work *w = arg;
    eng_snapshot snap = {.ts = w->ts};
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_batch *b = sql_batch_new(arena, 6, ENG_RG_ROWS);
    uint32_t types[6] = {SQL_T_INT8, SQL_T_INT8, SQL_T_TEXT, SQL_T_INT8, SQL_T_VECTOR, SQL_T_INT8};
    for (int c = 0; c < 6; c++) sql_vec_init(arena, &b->cols[c], types[c], -1, ENG_RG_ROWS);
    uint16_t atts[6] = {1, 2, 3, 4, 5, 0};
    for (uint32_t partno = 0; partno < w->table->partition_count; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        uint32_t cursor = 0;
        while (eng_part_scan(p, &snap, &cursor, atts, 6, b, NULL)) {
            for (uint32_t r = 0; r < b->rows; r++) {
                if (w->out.count == w->out.cap) {
                    w->out.cap = w->out.cap == 0 ? 1024 : w->out.cap * 2;
                    w->out.rows = rt_xrealloc(w->out.rows, w->out.cap * sizeof(te_row));
                }
                te_row *row = &w->out.rows[w->out.count++];
                memset(row, 0, sizeof *row);
                row->id = b->cols[0].i64[r];
                row->txn = b->cols[1].i64[r];
                row->rowid = b->cols[5].i64[r];
                uint32_t len = b->cols[2].b[r].len;
                if (len >= TE_PAYLOAD_BYTES_MAX) len = TE_PAYLOAD_BYTES_MAX - 1;
                memcpy(row->payload, b->cols[2].b[r].ptr, len);
                float v[4] = {0};
                if (!b->cols[4].nulls[r]) memcpy(v, b->cols[4].b[r].ptr, sizeof v);
                float want[4];
                te_vector(row->id, row->txn, want);
                row->crc_ok = !b->cols[3].nulls[r] && memcmp(v, want, sizeof v) == 0 &&
                              b->cols[3].i64[r] == te_crc(row->id, row->txn, row->payload, v);
            }
            rt_fiber_maybe_yield();
        }
    }
    rt_arena_destroy(arena);
}

/* Every row of table `oid` visible at snapshot `ts` (0 = now); rt_free(out->rows) after. */
static inline bool te_scan(uint32_t oid, uint64_t ts, te_rows *out) {
    memset(out, 0, sizeof *out);
    eng_catalog_ref ref;
    const eng_table *t = te_table(&ref, oid);
    if (t == NULL) {
        eng_catalog_unpin(&ref);
        return false;
    }
    eng_snap_reg reg = {0}; /* a snapshot of now is read after registering (eng_vac.h) */
    eng_snap_register(&reg);
    if (ts == 0) ts = eng_txn_snapshot_ts();
    uint32_t n = rt_shard_count();
    te_scan_work *works = rt_xcalloc(n, sizeof *works);
    rt_remote_call *calls = rt_xcalloc(n, sizeof *calls);
    rt_wg wg = {0};
    for (uint32_t s = 0; s < n; s++) {
        works[s] = (te_scan_work){.table = t, .ts = ts};
        rt_run_on_wg(&calls[s], s, te_scan_shard, &works[s], &wg);
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint32_t s = 0; s < n; s++) {
        ok &= calls[s].ran;
        for (uint32_t i = 0; i < works[s].out.count; i++) {
            if (out->count == out->cap) {
                out->cap = out->cap == 0 ? 1024 : out->cap * 2;
                out->rows = rt_xrealloc(out->rows, out->cap * sizeof(te_row));
            }
            out->rows[out->count++] = works[s].out.rows[i];
        }
        rt_free(works[s].out.rows);
    }
    rt_free(works);
    rt_free(calls);
    eng_snap_unregister(&reg);
    eng_catalog_unpin(&ref);
    return ok;
}

#endif
