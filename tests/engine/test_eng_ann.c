/* test_eng_ann.c: the HNSW graphs inside partitions: every committed vector is found, aborted
 * inserts never are, an UPDATE's new vector is found under a new snapshot and its old one under
 * an old snapshot, recall@10 against brute force on clustered data, a changed metric rebuilds
 * the graph in the background (every partition's rebuild completes), and a restart loads
 * graphs from the checkpoint (no rebuild) while the rows of the WAL tail are searchable too.
 * How: a real data directory, 2 shards, a 4-partition table (id int8 primary key, v vector(16))
 * written through the engine's transaction API; searches run on each owning shard with a
 * visibility filter and their per-partition top-k are merged, as the executor does. */
// ctest: TIMEOUT 600
#include <math.h>
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

#define PARTS 4
#define DIMS 16
#define ROWS 4000
#define CLUSTERS 20
#define K 10
#define ABORTED_BASE 100000
#define TAIL_BASE 200000
#define TAIL_ROWS 50
#define UPDATED 40

static char data_dir[256];
static uint32_t table_oid;
static float centers[CLUSTERS][DIMS];
static float far_point[DIMS], tail_point[DIMS];

static uint64_t rng = 88172645463325252ull;
static float frand(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static void row_vector(int64_t id, float *v) {
    uint64_t save = rng;
    rng = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1);
    const float *c = centers[id % CLUSTERS];
    for (int d = 0; d < DIMS; d++) v[d] = c[d] + 0.15f * frand();
    rng = save;
}

static float cosine_distance(const float *a, const float *b) {
    double ab = 0, aa = 0, bb = 0;
    for (int d = 0; d < DIMS; d++) ab += a[d] * b[d], aa += a[d] * a[d], bb += b[d] * b[d];
    return (float)(1.0 - ab / sqrt(aa * bb));
}

static const eng_table *pin_table(eng_catalog_ref *ref) {
    eng_catalog_pin(ref);
    const eng_database *db = eng_catalog_db_by_oid(ref->catalog, ENG_OID_POSTGRES_DB);
    return eng_db_table_by_oid(db, table_oid);
}

/* Commits a new definition: the table itself, or an HNSW index with `metric` on v. */
static void define_table(eng_metric metric) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_column cols[2];
    memset(cols, 0, sizeof cols);
    snprintf(cols[0].name, sizeof cols[0].name, "id");
    cols[0].type_oid = SQL_T_INT8, cols[0].typmod = -1, cols[0].attnum = 1;
    cols[0].store = (uint8_t)eng_store_of_type(SQL_T_INT8);
    snprintf(cols[1].name, sizeof cols[1].name, "v");
    cols[1].type_oid = SQL_T_VECTOR, cols[1].typmod = DIMS, cols[1].attnum = 2;
    cols[1].store = (uint8_t)eng_store_of_type(SQL_T_VECTOR), cols[1].vector_dims = DIMS;
    eng_index ix;
    memset(&ix, 0, sizeof ix);
    eng_table t;
    memset(&t, 0, sizeof t);
    if (metric == 0) {
        t.oid = table_oid = eng_catalog_new_oid(draft);
        snprintf(t.name, sizeof t.name, "docs");
        t.schema_oid = ENG_OID_PUBLIC, t.kind = 'r', t.persistence = 'p';
        t.storage_id = eng_catalog_new_storage_id(draft);
        t.partition_count = PARTS, t.column_count = 2, t.columns = cols;
        t.pk_count = 1, t.pk_attnums[0] = 1;
    } else {
        t = *eng_db_table_by_oid(eng_catalog_db_by_oid(draft, ENG_OID_POSTGRES_DB), table_oid);
        ix.oid = eng_catalog_new_oid(draft);
        snprintf(ix.name, sizeof ix.name, "docs_v_idx");
        ix.table_oid = table_oid, ix.method = ENG_INDEX_HNSW, ix.column_count = 1;
        ix.attnums[0] = 2, ix.metric = metric, ix.hnsw_m = 8, ix.hnsw_ef_construction = 40;
        t.index_count = 1, t.indexes = &ix;
    }
    t.def_gen = eng_catalog_def_gen();
    if (metric == 0) eng_draft_add_table(draft, ENG_OID_POSTGRES_DB, &t);
    else eng_draft_replace_table(draft, ENG_OID_POSTGRES_DB, &t);
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

/* ---- writes on the owning shards ---- */

typedef struct write_work {
    eng_txn_id id;
    uint32_t command;
    bool update;
    int64_t from, to;
    const float *fixed;      /* every row gets this vector instead of its own */
    const eng_table *table;
    bool ok;
} write_work;

static void write_run(void *arg) {
    write_work *w = arg;
    rt_err err;
    rt_err_clear(&err);
    eng_tx *tx = eng_tx_local(w->id, true);
    eng_tx_set_statement(tx, w->command, ENG_ISO_READ_COMMITTED, 0, NULL);
    w->ok = true;
    for (int64_t id = w->from; id < w->to && w->ok; id++) {
        uint32_t partno = partition_of(id);
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        float v[DIMS];
        if (w->fixed != NULL) memcpy(v, w->fixed, sizeof v);
        else row_vector(id, v);
        sql_value row[2] = {{.type_oid = SQL_T_INT8, .i64 = id},
                            {.type_oid = SQL_T_VECTOR,
                             .b = {.ptr = (const uint8_t *)v, .len = sizeof v}}};
        uint32_t slot;
        if (!w->update) {
            w->ok = eng_part_insert(p, tx, row, &slot, NULL, &err) == ENG_INSERTED;
            continue;
        }
        eng_codec_w key;
        eng_w_init(&key);
        eng_key_append(&key, &row[0], false, &err);
        eng_snapshot snap = {.ts = eng_txn_snapshot_ts(), .own = tx->stamp,
                             .command = tx->command};
        uint32_t old = eng_part_pk_lookup(p, key.buf, (uint32_t)key.len, &snap);
        rt_free(key.buf);
        uint32_t newer;
        w->ok = old != ENG_SLOT_NONE &&
                eng_part_lock(p, tx, old, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK, &newer, &err) ==
                    ENG_LOCKED &&
                eng_part_update(p, tx, old, row, &slot, &err);
    }
    if (!w->ok) rt_log(RT_LOG_ERROR, NULL, "write failed: %s", err.message);
}

static void write_everywhere(eng_txn_ctx *ctx, bool update, int64_t from, int64_t to,
                             const float *fixed) {
    eng_catalog_ref ref;
    const eng_table *t = pin_table(&ref);
    write_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        works[s] = (write_work){.id = ctx->id, .command = 1, .update = update, .from = from,
                                .to = to, .fixed = fixed, .table = t};
        rt_run_on_wg(&calls[s], s, write_run, &works[s], &wg);
        ctx->participants |= 1ull << s;
    }
    rt_wg_wait(&wg);
    for (uint32_t s = 0; s < rt_shard_count(); s++) TEST_CHECK(works[s].ok && calls[s].ran);
    eng_catalog_unpin(&ref);
}

static void commit_write(bool update, int64_t from, int64_t to, const float *fixed, bool abort) {
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_txn_start(&ctx, &err));
    write_everywhere(&ctx, update, from, to, fixed);
    if (abort) eng_txn_finish_abort(&ctx);
    else TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
}

/* ---- searches ---- */

typedef struct hit {
    int64_t id;
    float distance;
} hit;

typedef struct search_work {
    const eng_table *table;
    const float *query;
    eng_snapshot snap;
    hit hits[PARTS * K];
    uint32_t nhits;
    uint64_t nodes;          /* graph nodes of this shard's partitions (before searching) */
    bool ok;
} search_work;

typedef struct filter_ctx {
    const eng_part *p;
    const eng_snapshot *snap;
} filter_ctx;

static bool visible_filter(void *ctx, uint32_t slot) {
    const filter_ctx *f = ctx;
    return eng_part_visible(f->p, slot, f->snap);
}

static void search_run(void *arg) {
    search_work *w = arg;
    rt_err err;
    rt_err_clear(&err);
    w->ok = true;
    for (uint32_t partno = 0; partno < PARTS; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        eng_hnsw_info info;
        if (eng_part_ann_info(p, 2, &info)) w->nodes += info.nodes;
        filter_ctx fc = {p, &w->snap};
        eng_hnsw_search_opts opts = {.k = K, .ef_search = 64, .filter = visible_filter,
                                     .filter_ctx = &fc};
        eng_hnsw_hit hits[K];
        eng_hnsw_search_stats stats;
        if (!eng_part_ann_search(p, 2, w->query, &opts, hits, &stats, &err)) {
            w->ok = false;
            return;
        }
        for (uint32_t i = 0; i < stats.hit_count; i++) {
            sql_value v;
            eng_part_read(p, hits[i].slot, 1, &v);
            w->hits[w->nhits++] = (hit){v.i64, hits[i].distance};
        }
    }
}

static int hit_cmp(const void *a, const void *b) {
    float x = ((const hit *)a)->distance, y = ((const hit *)b)->distance;
    return x < y ? -1 : x > y;
}

/* The merged top-K over all partitions; returns the graph node count seen. */
static uint64_t search_all(const float *query, const eng_snapshot *snap, hit *out, uint32_t *n) {
    eng_catalog_ref ref;
    const eng_table *t = pin_table(&ref);
    static search_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        memset(&works[s], 0, sizeof works[s]);
        works[s].table = t, works[s].query = query, works[s].snap = *snap;
        rt_run_on_wg(&calls[s], s, search_run, &works[s], &wg);
    }
    rt_wg_wait(&wg);
    hit all[RT_SHARDS_MAX * PARTS * K];
    uint32_t total = 0;
    uint64_t nodes = 0;
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        TEST_CHECK(works[s].ok);
        memcpy(all + total, works[s].hits, works[s].nhits * sizeof(hit));
        total += works[s].nhits;
        nodes += works[s].nodes;
    }
    eng_catalog_unpin(&ref);
    qsort(all, total, sizeof(hit), hit_cmp);
    *n = total < K ? total : K;
    memcpy(out, all, *n * sizeof(hit));
    return nodes;
}

/* Recall@K of the index against brute force over rows [0, ROWS) (ids >= UPDATED). */
static double recall(const eng_snapshot *snap) {
    uint32_t found = 0, wanted = 0;
    for (int q = 0; q < 40; q++) {
        float query[DIMS];
        const float *c = centers[q % CLUSTERS];
        for (int d = 0; d < DIMS; d++) query[d] = c[d] + 0.2f * frand();
        hit exact[K];
        for (int i = 0; i < K; i++) exact[i] = (hit){-1, 1e30f};
        for (int64_t id = UPDATED; id < ROWS; id++) {
            float v[DIMS];
            row_vector(id, v);
            float dist = cosine_distance(query, v);
            if (dist >= exact[K - 1].distance) continue;
            int i = K - 1;
            while (i > 0 && exact[i - 1].distance > dist) exact[i] = exact[i - 1], i--;
            exact[i] = (hit){id, dist};
        }
        hit got[K];
        uint32_t n;
        search_all(query, snap, got, &n);
        for (int i = 0; i < K; i++) {
            wanted++;
            for (uint32_t j = 0; j < n; j++) found += got[j].id == exact[i].id;
        }
        for (uint32_t j = 0; j < n; j++) {
            TEST_CHECK(got[j].id < ABORTED_BASE || got[j].id >= TAIL_BASE);
        }
    }
    return (double)found / wanted;
}

static eng_snapshot now_snap(void) { return (eng_snapshot){.ts = eng_txn_snapshot_ts()}; }

static struct {
    int phase;
    double recall_before, recall_after;
    uint64_t nodes_at_restart;
    uint32_t far_new, far_old, tail_found;
    uint64_t catchup_at_restart, catchup_after_change;
    uint64_t rebuilding, rebuilt;
    float l2_nearest;
} r;

static uint32_t count_near(const float *point, const eng_snapshot *snap, int64_t lo, int64_t hi) {
    hit got[K];
    uint32_t n, c = 0;
    search_all(point, snap, got, &n);
    for (uint32_t i = 0; i < n; i++) {
        c += got[i].id >= lo && got[i].id < hi && got[i].distance < 1e-4f;
    }
    return c;
}

static void phase_one(void) {
    define_table(0);
    commit_write(false, 0, ROWS, NULL, false);
    commit_write(false, ABORTED_BASE, ABORTED_BASE + 200, far_point, true); /* aborted */
    eng_snapshot old = now_snap();
    commit_write(true, 0, UPDATED, far_point, false);
    r.far_new = count_near(far_point, &(eng_snapshot){.ts = eng_txn_snapshot_ts()}, 0, UPDATED);
    r.far_old = count_near(far_point, &old, 0, UPDATED);
    eng_snapshot snap = now_snap();
    r.recall_before = recall(&snap);
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_checkpoint_all(&err));
    /* After the checkpoint: rows only the WAL holds. */
    commit_write(false, TAIL_BASE, TAIL_BASE + TAIL_ROWS, tail_point, false);
}

static void phase_two(void) {
    eng_snapshot snap = now_snap();
    hit got[K];
    uint32_t n;
    r.nodes_at_restart = search_all(tail_point, &snap, got, &n);
    r.tail_found = count_near(tail_point, &snap, TAIL_BASE, TAIL_BASE + TAIL_ROWS);
    r.recall_after = recall(&snap);
    r.catchup_at_restart = eng_part_ann_catchup_inserts();
    /* A definition with another metric starts a new graph that the shard's builder fills in
     * the background (the first use after the change starts it; the old graph serves until
     * then): twice the tail point is at cosine distance 0 but L2 distance |tail_point| from
     * them. */
    define_table(ENG_METRIC_L2);
    float twice[DIMS];
    for (int d = 0; d < DIMS; d++) twice[d] = 2 * tail_point[d];
    search_all(twice, &snap, got, &n);
    r.rebuilding = eng_part_ann_rebuilds_pending();
    for (int i = 0; i < 10000 && eng_part_ann_rebuilds_pending() > 0; i++) {
        rt_fiber_sleep_ns(1000 * 1000);
    }
    r.rebuilt = eng_part_ann_rebuilds_done();
    search_all(twice, &snap, got, &n);
    r.l2_nearest = n > 0 ? got[0].distance : -1;
    r.catchup_after_change = eng_part_ann_catchup_inserts() - r.catchup_at_restart;
}

static void test_fiber(void *arg) {
    (void)arg;
    if (r.phase == 1) phase_one();
    else phase_two();
    rt_runtime_stop();
}

static void on_start(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_shard_start(&err));
    if (rt_core_id() == 0) test_spawn(test_fiber, NULL);
}

static void on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    eng_shard_stop();
}

static void run_phase(int phase) {
    rt_err err;
    rt_err_clear(&err);
    /* Phase one stops without a shutdown checkpoint: the tail must come from the WAL. */
    eng_config cfg = {.data_dir = data_dir, .superuser = "postgres", .shard_count = 2,
                      .checkpoint_wal_bytes = UINT64_MAX, .no_checkpoint_at_stop = phase == 1};
    eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
    assert_true(eng_start(&cfg, &err));
    r.phase = phase;
    assert_int_equal(test_runtime_run(2, on_start, on_stop, NULL), 0);
    eng_stop();
    eng_ckpt_set_hooks(NULL);
}

static void test_ann_in_partitions(void **state) {
    (void)state;
    snprintf(data_dir, sizeof data_dir, "/tmp/test_eng_ann_%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", data_dir);
    assert_int_equal(system(cmd), 0);
    for (int c = 0; c < CLUSTERS; c++) {
        for (int d = 0; d < DIMS; d++) centers[c][d] = frand();
    }
    for (int d = 0; d < DIMS; d++) far_point[d] = d % 2 ? 5.0f : -5.0f;
    for (int d = 0; d < DIMS; d++) tail_point[d] = d < 8 ? 3.0f : -1.0f;
    run_phase(1);
    assert_int_equal(r.far_new, K < UPDATED ? K : UPDATED); /* the new vectors are found */
    assert_int_equal(r.far_old, 0);                        /* not under the old snapshot */
    printf("recall@%d before restart: %.3f\n", K, r.recall_before);
    assert_true(r.recall_before >= 0.95);
    run_phase(2);
    /* Loaded from the checkpoint, not rebuilt: the graphs hold every row and no node was
     * inserted except those of the WAL tail, one by one as they were replayed. */
    assert_true(r.nodes_at_restart >= ROWS);
    assert_int_equal(r.catchup_at_restart, 0);
    float norm = 0;
    for (int d = 0; d < DIMS; d++) norm += tail_point[d] * tail_point[d];
    assert_true(fabsf(r.l2_nearest - sqrtf(norm)) < 1e-3f);
    assert_true(r.catchup_after_change >= ROWS);
    assert_true(r.rebuilding > 0);
    assert_int_equal(r.rebuilt, r.rebuilding);
    assert_int_equal(r.tail_found, K);
    printf("recall@%d after restart: %.3f\n", K, r.recall_after);
    assert_true(r.recall_after >= 0.95);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ann_in_partitions)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
