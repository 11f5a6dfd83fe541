/* test_eng_ann_replay.c: crash recovery of the HNSW graphs. The WAL replay stores the rows and
 * each shard then gives its recovered partitions' rows their graph nodes, in parallel; after
 * that every committed vector is found by ANN search, deleted, replaced (updated) and aborted
 * versions never are, a search at high ef_search returns exactly the brute-force top-k (recall
 * 1.0), the graphs hold one node per live row (the versions replay ended get none), and no
 * graph has to catch up at first use. Recovering on one thread (the old way, kept to measure)
 * gives the same answers. A graph saved with settings the index no longer has serves after the
 * restart while every partition's graph is rebuilt in the background (the start does not build
 * it), and the rebuilt graphs answer with the new metric exactly.
 * How: a real data directory; a child process with 2 shards creates a 6-partition table (id
 * int8 primary key, v vector(16)), inserts, updates, deletes, aborts, and is killed with
 * SIGKILL before any checkpoint (in a second case after a checkpoint that holds half the rows,
 * so the graphs come from it and only the WAL tail is replayed); then a child per recovery, 3
 * shards (2 partitions each) or 1 shard serially, checks rows and searches. In the third case
 * the index gets L2 and m = 8 after the checkpoint. Each engine run is a child of its own: the
 * engine starts once per process. */
// ctest: TIMEOUT 300
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/eng.h"
#include "engine/eng_key.h"
#include "runtime/rt_time.h"
#include "tests/common/test_engine.h"

#define PARTS 6
#define DIMS 16
#define ROWS 3000           /* ids [0, ROWS) get vectors */
#define NULLS 20            /* ids [ROWS, ROWS + NULLS) have a NULL vector */
#define UPDATED 300         /* ids [0, UPDATED) get a new vector */
#define DELETED_FROM 300    /* ids [DELETED_FROM, DELETED_TO) are deleted */
#define DELETED_TO 500
#define ABORTED_BASE 100000 /* ids [ABORTED_BASE, + ABORTED) inserted and rolled back */
#define ABORTED 100
#define CLUSTERS 20
#define K 10
#define EF_HIGH 400
#define LIVE_VECTORS (ROWS - (DELETED_TO - DELETED_FROM))

static char data_dir[256];
static float centers[CLUSTERS][DIMS];
static float far_point[DIMS];

static struct {
    bool checkpoint_half;   /* the writer checkpoints after inserting the first half */
    bool change_settings;   /* ... and then gives the index other settings (L2, m = 8) */
} scenario;

/* ---- data ---- */

static float hash_unit(uint64_t h) {
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return (float)((h >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

/* Version 0 is the inserted vector, version 1 the one an UPDATE gives. */
static void row_vector(int64_t id, int version, float *v) {
    const float *c = centers[(id + version * 7) % CLUSTERS];
    for (int d = 0; d < DIMS; d++) {
        uint64_t h = (uint64_t)(id * 131 + version) * 0x9e3779b97f4a7c15ull + (uint64_t)d;
        v[d] = c[d] + 0.15f * hash_unit(h);
    }
}

static void live_vector(int64_t id, float *v) { row_vector(id, id < UPDATED ? 1 : 0, v); }

static bool is_live(int64_t id) {
    return id >= 0 && id < ROWS + NULLS && !(id >= DELETED_FROM && id < DELETED_TO);
}

static float cosine_distance(const float *a, const float *b) {
    double ab = 0, aa = 0, bb = 0;
    for (int d = 0; d < DIMS; d++) ab += a[d] * b[d], aa += a[d] * a[d], bb += b[d] * b[d];
    return (float)(1.0 - ab / sqrt(aa * bb));
}

static float l2_distance(const float *a, const float *b) {
    double sum = 0;
    for (int d = 0; d < DIMS; d++) sum += (double)(a[d] - b[d]) * (a[d] - b[d]);
    return (float)sqrt(sum);
}

static float row_distance(const float *a, const float *b) {
    return scenario.change_settings ? l2_distance(a, b) : cosine_distance(a, b);
}

/* The table (by name: a recovering process did not create it). */
static const eng_table *pin_table(eng_catalog_ref *ref) {
    eng_catalog_pin(ref);
    const eng_database *db = eng_catalog_db_by_oid(ref->catalog, ENG_OID_POSTGRES_DB);
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, "docs");
    TEST_CHECK(t != NULL);
    return t;
}

/* Replaces the automatic index's settings: L2, m = 8, ef_construction = 40 (a rebuild). */
static void define_l2_index(void) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    const eng_database *db = eng_catalog_db_by_oid(draft, ENG_OID_POSTGRES_DB);
    eng_table t = *eng_db_table_by_name(db, ENG_OID_PUBLIC, "docs");
    eng_index ix;
    memset(&ix, 0, sizeof ix);
    ix.oid = eng_catalog_new_oid(draft);
    snprintf(ix.name, sizeof ix.name, "docs_v_idx");
    ix.table_oid = t.oid, ix.method = ENG_INDEX_HNSW, ix.column_count = 1;
    ix.attnums[0] = 2, ix.metric = ENG_METRIC_L2, ix.hnsw_m = 8, ix.hnsw_ef_construction = 40;
    t.index_count = 1, t.indexes = &ix;
    t.def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(draft, ENG_OID_POSTGRES_DB, &t);
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_txn_start(&ctx, &err));
    ctx.draft = draft;
    TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
}

static void key_of(int64_t id, eng_codec_w *key) {
    eng_w_init(key);
    sql_value v = {.type_oid = SQL_T_INT8, .i64 = id};
    rt_err err;
    rt_err_clear(&err);
    eng_key_append(key, &v, false, &err);
}

static uint32_t partition_of(int64_t id) {
    eng_codec_w key;
    key_of(id, &key);
    uint32_t p = (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) % PARTS);
    rt_free(key.buf);
    return p;
}

static bool owned_here(int64_t id) {
    return eng_partition_owner(partition_of(id), rt_shard_count()) == rt_core_id();
}

/* ---- writes on the owning shards ---- */

typedef enum write_kind { W_INSERT, W_UPDATE, W_DELETE } write_kind;

typedef struct write_work {
    eng_txn_id id;
    write_kind kind;
    int64_t from, to;
    const float *fixed;      /* inserts get this vector instead of their own */
    const eng_table *table;
    bool ok;
} write_work;

/* The version of `id` this transaction sees, locked for update; ENG_SLOT_NONE if none. */
static uint32_t lock_row(eng_part *p, eng_tx *tx, int64_t id, rt_err *err) {
    eng_codec_w key;
    key_of(id, &key);
    eng_snapshot snap = {.ts = eng_txn_snapshot_ts(), .own = tx->stamp, .command = tx->command};
    uint32_t old = eng_part_pk_lookup(p, key.buf, (uint32_t)key.len, &snap);
    rt_free(key.buf);
    uint32_t newer;
    if (old == ENG_SLOT_NONE ||
        eng_part_lock(p, tx, old, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK, &newer, err) !=
            ENG_LOCKED) {
        return ENG_SLOT_NONE;
    }
    return old;
}

static bool write_one(write_work *w, eng_tx *tx, int64_t id, rt_err *err) {
    eng_part *p = eng_partition(w->table, partition_of(id));
    float v[DIMS];
    if (w->fixed != NULL) memcpy(v, w->fixed, sizeof v);
    else row_vector(id, w->kind == W_UPDATE ? 1 : 0, v);
    sql_value row[2] = {{.type_oid = SQL_T_INT8, .i64 = id},
                        {.type_oid = SQL_T_VECTOR,
                         .b = {.ptr = (const uint8_t *)v, .len = sizeof v}}};
    if (id >= ROWS && id < ROWS + NULLS) row[1] = (sql_value){.is_null = true};
    uint32_t slot;
    if (w->kind == W_INSERT) return eng_part_insert(p, tx, row, &slot, NULL, err) == ENG_INSERTED;
    uint32_t old = lock_row(p, tx, id, err);
    if (old == ENG_SLOT_NONE) return false;
    if (w->kind == W_DELETE) return eng_part_delete(p, tx, old, false, err);
    return eng_part_update(p, tx, old, row, &slot, err);
}

static void write_run(void *arg) {
    write_work *w = arg;
    rt_err err;
    rt_err_clear(&err);
    eng_tx *tx = eng_tx_local(w->id, true);
    eng_tx_set_statement(tx, 1, ENG_ISO_READ_COMMITTED, 0, NULL);
    w->ok = true;
    for (int64_t id = w->from; id < w->to && w->ok; id++) {
        if (owned_here(id)) w->ok = write_one(w, tx, id, &err);
    }
    if (!w->ok) rt_log(RT_LOG_ERROR, NULL, "write of %d failed: %s", (int)w->kind, err.message);
}

/* One transaction writing ids [from, to) on every shard; committed unless `abort`. */
static void commit_write(write_kind kind, int64_t from, int64_t to, const float *fixed,
                         bool abort) {
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_txn_start(&ctx, &err));
    eng_catalog_ref ref;
    const eng_table *t = pin_table(&ref);
    write_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        works[s] = (write_work){.id = ctx.id, .kind = kind, .from = from, .to = to,
                                .fixed = fixed, .table = t};
        rt_run_on_wg(&calls[s], s, write_run, &works[s], &wg);
        ctx.participants |= 1ull << s;
    }
    rt_wg_wait(&wg);
    for (uint32_t s = 0; s < rt_shard_count(); s++) TEST_CHECK(works[s].ok && calls[s].ran);
    eng_catalog_unpin(&ref);
    if (abort) eng_txn_finish_abort(&ctx);
    else TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
}

/* The writer: everything committed (fsynced) and then the process dies, without stopping the
 * engine: no shutdown checkpoint, no clean close. */
static void writer_fiber(void *arg) {
    (void)arg;
    TEST_CHECK(te_create_vec_table("docs", DIMS, PARTS) != 0);
    if (scenario.checkpoint_half) {
        commit_write(W_INSERT, 0, ROWS / 2, NULL, false);
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(eng_checkpoint_all(&err));
        if (scenario.change_settings) define_l2_index();
        commit_write(W_INSERT, ROWS / 2, ROWS + NULLS, NULL, false);
    } else {
        for (int64_t id = 0; id < ROWS + NULLS; id += 1000) {
            commit_write(W_INSERT, id, id + 1000 < ROWS + NULLS ? id + 1000 : ROWS + NULLS, NULL,
                         false);
        }
    }
    commit_write(W_UPDATE, 0, UPDATED, NULL, false);
    commit_write(W_DELETE, DELETED_FROM, DELETED_TO, NULL, false);
    commit_write(W_INSERT, ABORTED_BASE, ABORTED_BASE + ABORTED, far_point, true);
    fflush(NULL);
    if (atomic_load(&test_check_failures) == 0) kill(getpid(), SIGKILL);
    rt_runtime_stop(); /* a check failed: exit normally, with the failures counted */
}

/* ---- checks after recovery ---- */

typedef struct hit {
    int64_t id;
    float distance;
} hit;

typedef struct check_work {
    const eng_table *table;
    const float *query;      /* search: NULL checks rows instead */
    uint32_t k, ef;
    eng_snapshot snap;
    hit hits[PARTS * K];
    uint32_t nhits;
    uint64_t nodes, rows_ok, rows_bad;
    bool ok;
} check_work;

typedef struct filter_ctx {
    const eng_part *p;
    const eng_snapshot *snap;
} filter_ctx;

static bool visible_filter(void *ctx, uint32_t slot) {
    const filter_ctx *f = ctx;
    return eng_part_visible(f->p, slot, f->snap);
}

static void search_part(check_work *w, eng_part *p) {
    rt_err err;
    rt_err_clear(&err);
    filter_ctx fc = {p, &w->snap};
    eng_hnsw_search_opts opts = {.k = w->k, .ef_search = w->ef, .filter = visible_filter,
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

/* Every id's newest visible version: present exactly when live, with its latest vector. */
static void check_rows(check_work *w) {
    for (int64_t id = 0; id < ROWS + NULLS; id++) {
        if (!owned_here(id)) continue;
        eng_part *p = eng_partition(w->table, partition_of(id));
        eng_codec_w key;
        key_of(id, &key);
        uint32_t slot = eng_part_pk_lookup(p, key.buf, (uint32_t)key.len, &w->snap);
        rt_free(key.buf);
        bool good = (slot != ENG_SLOT_NONE) == is_live(id);
        if (good && slot != ENG_SLOT_NONE) {
            const float *v = eng_part_vector(p, slot, 2);
            float want[DIMS];
            live_vector(id, want);
            good = id >= ROWS ? v == NULL : v != NULL && memcmp(v, want, sizeof want) == 0;
        }
        w->rows_ok += good;
        w->rows_bad += !good;
    }
}

static void check_run(void *arg) {
    check_work *w = arg;
    w->ok = true;
    if (w->query == NULL) {
        check_rows(w);
        return;
    }
    for (uint32_t partno = 0; partno < PARTS && w->ok; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        eng_hnsw_info info;
        if (eng_part_ann_info(p, 2, &info)) w->nodes += info.nodes;
        search_part(w, p);
    }
}

static int hit_cmp(const void *a, const void *b) {
    float x = ((const hit *)a)->distance, y = ((const hit *)b)->distance;
    return x < y ? -1 : x > y;
}

/* Runs `w` on every shard; merges search hits into out (top k, nearest first). */
static void check_all(const check_work *proto, check_work *sum, hit *out, uint32_t *n) {
    eng_catalog_ref ref;
    const eng_table *t = pin_table(&ref);
    static check_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        works[s] = *proto;
        works[s].table = t;
        works[s].snap = (eng_snapshot){.ts = eng_txn_snapshot_ts()};
        rt_run_on_wg(&calls[s], s, check_run, &works[s], &wg);
    }
    rt_wg_wait(&wg);
    static hit all[RT_SHARDS_MAX * PARTS * K];
    uint32_t total = 0;
    memset(sum, 0, sizeof *sum);
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        TEST_CHECK(works[s].ok && calls[s].ran);
        memcpy(all + total, works[s].hits, works[s].nhits * sizeof(hit));
        total += works[s].nhits;
        sum->nodes += works[s].nodes;
        sum->rows_ok += works[s].rows_ok;
        sum->rows_bad += works[s].rows_bad;
    }
    eng_catalog_unpin(&ref);
    qsort(all, total, sizeof(hit), hit_cmp);
    if (out != NULL) {
        *n = total < proto->k ? total : proto->k;
        memcpy(out, all, *n * sizeof(hit));
    }
}

static uint64_t search(const float *query, uint32_t k, uint32_t ef, hit *out, uint32_t *n) {
    check_work proto = {.query = query, .k = k, .ef = ef}, sum;
    check_all(&proto, &sum, out, n);
    return sum.nodes;
}

static struct {
    uint64_t rebuilds_at_start, rebuilds_done, rebuilt_nodes, l2_partitions;
    uint64_t rows_ok, rows_bad, nodes, replayed, catchups;
    uint32_t live_found, live_missed, stale_found, aborted_found;
    uint32_t exact_wanted, exact_found;
} res;

/* Each live vector finds its row (at distance ~0); each deleted or replaced vector does not
 * find its row; the far point finds no aborted row. */
static void check_found(void) {
    hit got[K];
    uint32_t n;
    float v[DIMS];
    for (int64_t id = 0; id < ROWS; id++) {
        bool deleted = id >= DELETED_FROM && id < DELETED_TO;
        row_vector(id, 0, v);
        search(v, 3, 64, got, &n);
        bool found = false;
        for (uint32_t i = 0; i < n; i++) found |= got[i].id == id && got[i].distance < 1e-5f;
        if (deleted || id < UPDATED) res.stale_found += found;
        if (id < UPDATED) { /* its new vector */
            row_vector(id, 1, v);
            search(v, 3, 64, got, &n);
            found = false;
            for (uint32_t i = 0; i < n; i++) found |= got[i].id == id && got[i].distance < 1e-5f;
        }
        if (!deleted) {
            res.live_found += found;
            res.live_missed += !found;
        }
    }
    search(far_point, K, EF_HIGH, got, &n);
    for (uint32_t i = 0; i < n; i++) res.aborted_found += got[i].id >= ABORTED_BASE;
}

/* At high ef_search the index answers exactly what brute force over the live rows does. */
static void check_exact(void) {
    uint64_t seed = 0x5eed;
    for (int q = 0; q < 30; q++) {
        float query[DIMS];
        for (int d = 0; d < DIMS; d++) {
            query[d] = centers[q % CLUSTERS][d] + 0.3f * hash_unit(seed++);
        }
        hit exact[K];
        for (int i = 0; i < K; i++) exact[i] = (hit){-1, 1e30f};
        for (int64_t id = 0; id < ROWS; id++) {
            if (!is_live(id)) continue;
            float v[DIMS];
            live_vector(id, v);
            float dist = row_distance(query, v);
            if (dist >= exact[K - 1].distance) continue;
            int i = K - 1;
            while (i > 0 && exact[i - 1].distance > dist) exact[i] = exact[i - 1], i--;
            exact[i] = (hit){id, dist};
        }
        hit got[K];
        uint32_t n;
        search(query, K, EF_HIGH, got, &n);
        for (int i = 0; i < K; i++) {
            res.exact_wanted++;
            for (uint32_t j = 0; j < n; j++) res.exact_found += got[j].id == exact[i].id;
        }
    }
}

typedef struct metric_work {
    const eng_table *t;
    uint32_t partno;
    eng_hnsw_metric metric;
} metric_work;

static void metric_of(void *arg) {
    metric_work *w = arg;
    TEST_CHECK(eng_part_ann_metric(eng_partition(w->t, w->partno), 2, &w->metric));
}

/* The rebuilds a restart started: wait for them (they run in the background), then count the
 * partitions whose serving graph has the new settings. */
static void wait_rebuilds(void) {
    res.rebuilds_at_start = eng_part_ann_rebuilds_pending() + eng_part_ann_rebuilds_done();
    for (int i = 0; i < 60000 && eng_part_ann_rebuilds_pending() > 0; i++) {
        rt_fiber_sleep_ns(RT_NS_PER_MS);
    }
    res.rebuilds_done = eng_part_ann_rebuilds_done();
    res.rebuilt_nodes = eng_part_ann_catchup_inserts();
    eng_catalog_ref ref;
    const eng_table *t = pin_table(&ref);
    for (uint32_t partno = 0; partno < PARTS; partno++) {
        metric_work w = {t, partno, 0};
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(rt_run_on(eng_partition_owner(partno, rt_shard_count()), metric_of, &w, &err));
        res.l2_partitions += w.metric == ENG_HNSW_L2;
    }
    eng_catalog_unpin(&ref);
}

static void checker_fiber(void *arg) {
    (void)arg;
    /* Before any search: the graphs were complete when the shards started. */
    res.replayed = eng_part_ann_replayed_inserts();
    if (scenario.change_settings) wait_rebuilds();
    check_work proto = {0}, sum;
    check_all(&proto, &sum, NULL, NULL);
    res.rows_ok = sum.rows_ok;
    res.rows_bad = sum.rows_bad;
    hit got[K];
    uint32_t n;
    res.nodes = search(far_point, K, 64, got, &n);
    check_found();
    check_exact();
    res.catchups = eng_part_ann_catchup_inserts();
    rt_runtime_stop();
}

/* ---- engine runs, each in a child process ---- */

static rt_fiber_fn child_fiber;

static void on_start(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_shard_start(&err));
    if (rt_core_id() == 0) test_spawn(child_fiber, NULL);
}

static void on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    eng_shard_stop();
}

/* Runs `fiber` over the data directory in a child; the child's exit status, or -SIGNAL. */
static int child_run(uint32_t shards, bool serial, rt_fiber_fn fiber) {
    fflush(NULL);
    int fds[2];
    if (pipe(fds) != 0) return 1;
    memset(&res, 0, sizeof res);
    child_fiber = fiber;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        /* A crash is the child's own (cmocka's handlers would resume the parent's tests). */
        signal(SIGSEGV, SIG_DFL), signal(SIGABRT, SIG_DFL), signal(SIGBUS, SIG_DFL);
        signal(SIGILL, SIG_DFL), signal(SIGFPE, SIG_DFL);
        eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
        /* The checks stop without a checkpoint too: the next run replays the same WAL. */
        eng_config cfg = {.data_dir = data_dir, .superuser = "postgres", .shard_count = shards,
                          .checkpoint_wal_bytes = UINT64_MAX, .no_checkpoint_at_stop = true,
                          .replay_graphs_serial = serial};
        rt_err err;
        rt_err_clear(&err);
        if (!eng_start(&cfg, &err)) {
            fprintf(stderr, "engine start: %s\n", err.message);
            _exit(100);
        }
        int failures = test_runtime_run(shards, on_start, on_stop, NULL);
        eng_stop();
        bool wrote = write(fds[1], &res, sizeof res) == (ssize_t)sizeof res;
        _exit(failures == 0 && wrote ? 0 : 101);
    }
    close(fds[1]);
    int status = 0;
    ssize_t got = read(fds[0], &res, sizeof res);
    close(fds[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 1;
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    if (got != (ssize_t)sizeof res) {
        fprintf(stderr, "child status %d, %zd bytes of figures\n", WEXITSTATUS(status), got);
        return 102;
    }
    return WEXITSTATUS(status);
}

static void check_recovery(uint32_t shards, bool serial, uint64_t want_replayed,
                           uint64_t want_nodes) {
    assert_int_equal(child_run(shards, serial, checker_fiber), 0);
    printf("%u shard(s)%s: rows ok %llu bad %llu, nodes %llu, replayed inserts %llu, "
           "exact top-%d %u/%u\n", shards, serial ? " serially" : "",
           (unsigned long long)res.rows_ok, (unsigned long long)res.rows_bad,
           (unsigned long long)res.nodes, (unsigned long long)res.replayed, K, res.exact_found,
           res.exact_wanted);
    assert_int_equal(res.rows_bad, 0);
    assert_int_equal(res.rows_ok, ROWS + NULLS);
    assert_int_equal(res.replayed, want_replayed);
    assert_int_equal(res.nodes, want_nodes);
    /* Nothing left to catch up at first use (but the nodes of background rebuilds). */
    assert_int_equal(res.catchups, scenario.change_settings ? res.rebuilt_nodes : 0);
    assert_int_equal(res.live_missed, 0);        /* every committed vector is found */
    assert_int_equal(res.live_found, LIVE_VECTORS);
    assert_int_equal(res.stale_found, 0);        /* deleted and replaced versions are not */
    assert_int_equal(res.aborted_found, 0);      /* nor rolled-back inserts */
    assert_int_equal(res.exact_found, res.exact_wanted); /* recall 1.0 at high ef */
}

static void setup_data(const char *name) {
    snprintf(data_dir, sizeof data_dir, "/tmp/test_eng_ann_replay_%s_%d", name, (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", data_dir);
    assert_int_equal(system(cmd), 0);
    for (int c = 0; c < CLUSTERS; c++) {
        for (int d = 0; d < DIMS; d++) centers[c][d] = hash_unit(0xc0ffee + (uint64_t)c * DIMS + d);
    }
    for (int d = 0; d < DIMS; d++) far_point[d] = d % 2 ? 5.0f : -5.0f;
}

static void remove_data(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", data_dir);
    assert_int_equal(system(cmd), 0);
}

/* No checkpoint at all: every graph is built from the replayed rows, one node per live row. */
static void test_replay_wal_only(void **state) {
    (void)state;
    setup_data("wal");
    scenario.checkpoint_half = false;
    assert_int_equal(child_run(2, false, writer_fiber), -SIGKILL);
    check_recovery(3, false, LIVE_VECTORS, LIVE_VECTORS);
    check_recovery(2, false, LIVE_VECTORS, LIVE_VECTORS);
    check_recovery(1, true, LIVE_VECTORS, LIVE_VECTORS);
    remove_data();
}

/* Graphs loaded from a checkpoint holding the first half of the rows; the WAL tail adds the
 * second half and the updated rows' new versions (the old ones and the deleted rows keep the
 * checkpoint's nodes, which searches skip until vacuum removes them). */
static void test_replay_checkpoint_tail(void **state) {
    (void)state;
    setup_data("tail");
    scenario.checkpoint_half = true;
    assert_int_equal(child_run(2, false, writer_fiber), -SIGKILL);
    uint64_t tail = ROWS / 2 + UPDATED;
    check_recovery(3, false, tail, ROWS + UPDATED); /* = ROWS / 2 + tail */
    remove_data();
}

/* A checkpoint saved cosine graphs, then the index got other settings (L2, m = 8) and more
 * rows came: after the crash the saved graphs serve (caught up with the WAL tail at start)
 * while each shard's builder rebuilds its partitions' graphs in the background; the start does
 * not wait for the rebuilds, which complete with every row and answer L2 searches exactly. */
static void test_restart_rebuilds_in_background(void **state) {
    (void)state;
    setup_data("rebuild");
    scenario.checkpoint_half = true;
    scenario.change_settings = true;
    assert_int_equal(child_run(2, false, writer_fiber), -SIGKILL);
    uint64_t tail = ROWS / 2 + UPDATED;
    /* The rebuilt graphs have a node for every version stored (a rebuild does not look at
     * which ones are dead: vacuum takes their nodes). */
    check_recovery(3, false, tail, ROWS + UPDATED);
    printf("rebuilds started at restart %llu, done %llu, nodes inserted by them %llu, "
           "partitions serving L2 %llu\n", (unsigned long long)res.rebuilds_at_start,
           (unsigned long long)res.rebuilds_done, (unsigned long long)res.rebuilt_nodes,
           (unsigned long long)res.l2_partitions);
    assert_int_equal(res.rebuilds_at_start, PARTS);
    assert_int_equal(res.rebuilds_done, PARTS);
    assert_int_equal(res.l2_partitions, PARTS);
    assert_true(res.rebuilt_nodes >= LIVE_VECTORS);
    scenario.change_settings = false;
    remove_data();
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_replay_wal_only),
                                       cmocka_unit_test(test_replay_checkpoint_tail),
                                       cmocka_unit_test(test_restart_rebuilds_in_background)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
