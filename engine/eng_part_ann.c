/* eng_part_ann.c: the HNSW graphs of a partition, one per VECTOR column, kept with the rows.
 * Every row version with a non-NULL vector gets a node in the same write that stores it; an
 * undone insert marks its node dead. A graph covers slots [0, indexed_upto): a graph loaded
 * from a checkpoint that lacks the newest rows catches up slot by slot before its next use, so
 * nothing is ever missing and no caller has to rebuild by hand.
 * Rebuilds: a definition with other settings (CREATE INDEX ... USING hnsw ... WITH (m = ..))
 * on a partition that holds rows starts a second graph, `building`, beside the one serving.
 * The shard's builder fiber fills it in bounded slices (ENG_ANN_BUILD_SLICE_SLOTS inserts, then
 * it yields), so queries and writes go on meanwhile: searches use the old graph (or, if its
 * metric is not the query's, the executor scans the partition exactly), writes past the
 * builder's position are left to it, writes behind it go into the new graph at once, and
 * undone inserts are marked dead in both. When the builder reaches the partition's last slot
 * the new graph replaces the old one, with no yield in between, so no write falls in a gap.
 * Progress per shard and index is published for pg_stat_progress_create_index.
 * Restarts: the WAL replay stores rows only; each shard then inserts its partitions' replayed
 * rows into their graphs before it serves (eng_part_ann_recover), all shards in parallel. A
 * graph saved with settings the definition no longer has serves after the restart while the
 * shard's builder rebuilds the definition's in the background, as above. A checkpoint also
 * keeps each rebuild's graph as far as its builder got (slots below its indexed_upto; a
 * partition whose rebuild finished has only its new graph), so the builder goes on from there
 * after a restart instead of starting again; rows the WAL replays past that point are the
 * builder's anyway. */
#include <stdatomic.h>
#include <string.h>

#include "engine/eng_ckpt.h"
#include "engine/eng_part_int.h"
#include "engine/eng.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

/* Checkpoint stream: a header per graph, then eng_hnsw_save's own checksummed stream. */
#define ENG_ANN_CKPT_MAGIC 0x4e4e4144u /* "DANN" */
/* Inserts of a rebuild between two yields of the builder: ~0.1-1 ms of work at m = 16, so a
 * rebuild never holds a shard's sockets longer than a short query does. */
#define ENG_ANN_BUILD_SLICE_SLOTS 64u
/* How long a complete rebuild waits for a checkpoint writing its partition's graphs before
 * it looks again (the checkpoint takes milliseconds to seconds). */
#define ENG_ANN_PIN_WAIT_NS (1000ull * 1000ull)
/* Indexes a shard can report rebuilding at once (pg_stat_progress_create_index rows); more
 * rebuild as well, the excess is not shown. */
#define ENG_ANN_PROGRESS_MAX 16u

struct eng_pann {
    eng_part *part;
    uint16_t attnum;
    eng_hnsw_params params;
    eng_hnsw *graph;
    uint32_t indexed_upto;   /* slots below it were offered to the graph */
    bool vacuuming;          /* eng_part_ann_vacuum works on the graph: freed after it */
    bool retired;            /* the definition dropped it meanwhile */
    bool building;           /* a rebuild not serving yet (filled by the shard's builder) */
    uint32_t table_oid;      /* the definition it follows, for the progress view */
    uint32_t index_oid;      /* the HNSW index giving its settings (0: the automatic one) */
    eng_pann *build_next;    /* the shard builder's queue */
    struct eng_ann_builder *builder; /* whose queue it is in (set while building) */
    uint32_t pins;           /* a checkpoint is writing the partition's graphs */
};

/* One row of progress, written by its shard only, read by any (each field on its own). */
typedef struct eng_ann_progress_slot {
    _Atomic uint32_t index_oid; /* 0: free */
    _Atomic uint32_t table_oid;
    _Atomic uint64_t partitions_total, partitions_done, tuples_total, tuples_done;
} eng_ann_progress_slot;

/* A shard's rebuilds: the queue its fiber works through, and their progress. */
typedef struct eng_ann_builder eng_ann_builder;
struct eng_ann_builder {
    eng_pann *queue;
    bool running;
    bool waiting;            /* the first rebuild is complete but its partition is pinned */
    eng_ann_progress_slot progress[ENG_ANN_PROGRESS_MAX];
    uint64_t done[ENG_ANN_PROGRESS_MAX]; /* partitions finished, by progress slot */
};

static eng_ann_builder eng_ann_builders[RT_SHARDS_MAX];
static _Atomic uint64_t eng_ann_rebuilds_done;

static void eng_ann_build_enqueue(eng_pann *a);
static void eng_ann_build_dequeue(eng_pann *a);

/* Nodes inserted by catching up (not by the write that stored them): a figure for tests and
 * monitoring that shows whether graphs were rebuilt. */
static _Atomic uint64_t eng_ann_catchups;

uint64_t eng_part_ann_catchup_inserts(void) { return atomic_load(&eng_ann_catchups); }

/* Nodes of rows recovery replayed, inserted on the shards after the replay. */
static _Atomic uint64_t eng_ann_replayed;

uint64_t eng_part_ann_replayed_inserts(void) { return atomic_load(&eng_ann_replayed); }

static const float *eng_ann_vec(void *ctx, uint32_t slot) {
    const eng_pann *a = ctx;
    return eng_part_vector(a->part, slot, a->attnum);
}

static void eng_ann_vec_prefetch(void *ctx, uint32_t slot) {
    const eng_pann *a = ctx;
    eng_part_vector_prefetch(a->part, slot, a->attnum);
}

/* The graph parameters a column's definition asks for: its HNSW index's, else cosine. */
static eng_hnsw_params eng_ann_params_for(const eng_table *t, uint16_t attnum, uint32_t dims,
                                          uint32_t *index_oid) {
    eng_hnsw_params prm = {.metric = ENG_HNSW_COSINE, .dims = dims};
    *index_oid = 0;
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (ix->method != ENG_INDEX_HNSW || ix->column_count < 1 || ix->attnums[0] != attnum) {
            continue;
        }
        /* A CREATE INDEX replaces the automatic index's settings. */
        if (!ix->automatic || prm.m == 0) {
            prm.metric = ix->metric != 0 ? (eng_hnsw_metric)ix->metric : ENG_HNSW_COSINE;
            prm.m = ix->hnsw_m;
            prm.ef_construction = ix->hnsw_ef_construction;
            *index_oid = ix->oid;
        }
    }
    prm.seed = 0x9e3779b97f4a7c15ull ^ attnum;
    return prm;
}

static bool eng_ann_same(const eng_hnsw_params *a, const eng_hnsw_params *b) {
    uint32_t am = a->m ? a->m : ENG_HNSW_M_DEFAULT, bm = b->m ? b->m : ENG_HNSW_M_DEFAULT;
    uint32_t ae = a->ef_construction ? a->ef_construction : ENG_HNSW_EF_CONSTRUCTION_DEFAULT;
    uint32_t be = b->ef_construction ? b->ef_construction : ENG_HNSW_EF_CONSTRUCTION_DEFAULT;
    return a->metric == b->metric && a->dims == b->dims && am == bm && ae == be;
}

static void eng_ann_free(eng_pann *a) {
    if (a == NULL) return;
    if (a->building) eng_ann_build_dequeue(a);
    if (a->vacuuming) { /* a vacuum parked inside the graph: it frees it when it returns */
        a->retired = true;
        return;
    }
    eng_hnsw_destroy(a->graph);
    rt_free(a);
}

static eng_pann *eng_ann_new(eng_part *p, uint16_t attnum, const eng_hnsw_params *prm) {
    eng_pann *a = rt_xcalloc(1, sizeof *a);
    a->part = p;
    a->attnum = attnum;
    a->params = *prm;
    rt_err err;
    rt_err_clear(&err);
    a->graph = eng_hnsw_create(prm, &err, eng_ann_vec, a);
    if (a->graph == NULL) { /* parameters the catalog should have refused: no graph */
        rt_free(a);
        return NULL;
    }
    eng_hnsw_set_vec_prefetch(a->graph, eng_ann_vec_prefetch);
    return a;
}

/* Takes the graph of `attnum` that is (or is not) building out of the partition's list. */
static eng_pann *eng_ann_take(eng_part *p, uint16_t attnum, bool building) {
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (a != NULL && a->attnum == attnum && a->building == building) {
            p->anns[j] = NULL;
            return a;
        }
    }
    return NULL;
}

/* The graphs one column keeps under definition `prm`: the serving one if it matches, else
 * the old one serving while a new one is built (at once on an empty partition, or off the
 * shards, where no builder runs: recovery replaying a definition). */
static void eng_ann_sync_column(eng_part *p, const eng_table *t, uint16_t attnum,
                                eng_pann **serving, eng_pann **building) {
    uint32_t index_oid;
    eng_hnsw_params prm = eng_ann_params_for(t, attnum, p->cols[attnum - 1].dims, &index_oid);
    *serving = eng_ann_take(p, attnum, false);
    *building = eng_ann_take(p, attnum, true);
    if (*serving != NULL && (*serving)->params.dims != prm.dims) {
        eng_ann_free(*serving); /* its vectors went with the column's old type */
        *serving = NULL;
    }
    if (*serving != NULL && eng_ann_same(&(*serving)->params, &prm)) {
        eng_ann_free(*building);
        *building = NULL;
        return;
    }
    if (*building != NULL && eng_ann_same(&(*building)->params, &prm)) return;
    eng_ann_free(*building);
    *building = NULL;
    eng_pann *a = eng_ann_new(p, attnum, &prm);
    if (a == NULL) return;
    a->table_oid = t->oid;
    a->index_oid = index_oid;
    if (p->next_slot == 0 || rt_core_id_or_none() < 0) {
        eng_ann_free(*serving);
        *serving = a;
        return;
    }
    a->building = true;
    *building = a;
    eng_ann_build_enqueue(a);
}

void eng_part_ann_sync(eng_part *p, const eng_table *t) {
    /* Two graphs per column at most (serving, building), and one more a load may adopt. */
    eng_pann **fresh = rt_xcalloc(2u * t->column_count + 2u, sizeof *fresh);
    uint32_t n = 0;
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        if (col->dropped || p->cols[c].store != ENG_STORE_VECTOR) continue;
        eng_pann *serving, *building;
        eng_ann_sync_column(p, t, (uint16_t)(c + 1), &serving, &building);
        if (serving != NULL) fresh[n++] = serving;
        if (building != NULL) fresh[n++] = building;
    }
    for (uint32_t j = 0; j < p->ann_count; j++) eng_ann_free(p->anns[j]);
    rt_free(p->anns);
    p->anns = fresh;
    p->ann_count = n;
}

void eng_part_ann_destroy(eng_part *p) {
    for (uint32_t j = 0; j < p->ann_count; j++) eng_ann_free(p->anns[j]);
    rt_free(p->anns);
    p->anns = NULL;
    p->ann_count = 0;
}

/* Offers slots [indexed_upto, upto) to the graph. Each slot is claimed before its insert, so
 * nothing is offered twice even when writers run between two calls. Never yields: a caller
 * that wants to yield does so between calls, and finds its graph again afterwards (a rebuild
 * may have replaced it meanwhile). */
static bool eng_ann_catch_up(eng_pann *a, uint32_t upto, bool count, rt_err *err) {
    while (a->indexed_upto < upto) {
        uint32_t slot = a->indexed_upto++;
        uint64_t begin, end;
        eng_part_stamps(a->part, slot, &begin, &end);
        if (begin == ENG_TS_INF) continue; /* an undone insert */
        if (eng_part_vector(a->part, slot, a->attnum) == NULL) continue;
        if (!eng_hnsw_insert(a->graph, slot, err)) {
            a->indexed_upto = slot; /* offered again by the next catch-up */
            return false;
        }
        if (count) atomic_fetch_add(&eng_ann_catchups, 1);
    }
    return true;
}

/* After recovery every snapshot is newer than ENG_TS_FROZEN: a version replay ended (an
 * updated or deleted row) is dead for all of them, and a node for it would only be a bridge
 * that vacuum removes again, so it gets none. Versions that stay get their nodes in slot
 * order, as the writes that stored them would have inserted them. */
bool eng_part_ann_recover(eng_part *p, uint64_t *nodes, rt_err *err) {
    uint64_t inserted = 0;
    bool ok = true;
    for (uint32_t j = 0; ok && j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (a->building) { /* a rebuild (eng_ann_old_adopt): in the background, on a shard */
            if (a->builder == NULL && rt_core_id_or_none() >= 0) eng_ann_build_enqueue(a);
            continue;
        }
        while (ok && a->indexed_upto < p->next_slot) {
            uint32_t slot = a->indexed_upto++;
            uint64_t begin, end;
            eng_part_stamps(p, slot, &begin, &end);
            if (begin == ENG_TS_INF || end == ENG_TS_FROZEN) continue;
            if (eng_part_vector(p, slot, a->attnum) == NULL) continue;
            ok = eng_hnsw_insert(a->graph, slot, err);
            if (!ok) a->indexed_upto = slot;
            inserted += ok;
        }
    }
    *nodes += inserted;
    atomic_fetch_add(&eng_ann_replayed, inserted);
    return ok;
}

bool eng_part_ann_add(eng_part *p, uint32_t slot, rt_err *err) {
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (slot < a->indexed_upto) {
            /* A slot vacuum freed and a write reused: offered long ago, so insert it now. */
            if (eng_part_vector(p, slot, a->attnum) == NULL) continue;
            if (!eng_hnsw_insert(a->graph, slot, err)) return false;
            continue;
        }
        if (a->building && a->indexed_upto < slot) continue; /* the builder gets there */
        if (!eng_ann_catch_up(a, slot + 1, slot > a->indexed_upto, err)) return false;
    }
    return true;
}

bool eng_part_ann_release(eng_part *p, uint32_t slot) {
    bool any = false;
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (slot >= a->indexed_upto || !eng_hnsw_contains(a->graph, slot)) continue;
        eng_hnsw_mark_dead(a->graph, slot);
        any = true;
    }
    return any;
}

static void eng_ann_vacuum_yield(void *ctx) {
    (void)ctx;
    if (rt_fiber_self() != NULL) rt_fiber_maybe_yield();
}

bool eng_part_ann_vacuum(eng_part *p, uint64_t *nodes_removed, rt_err *err) {
    /* The graphs as of now: a definition change while a vacuum parks retires graphs (freed
     * here afterwards) and may start new ones (they never had the dead nodes). */
    uint32_t n = p->ann_count;
    if (n == 0) return true;
    eng_pann **list = rt_xcalloc(n, sizeof *list);
    for (uint32_t j = 0; j < n; j++) {
        list[j] = p->anns[j];
        list[j]->vacuuming = true;
    }
    bool ok = true;
    for (uint32_t j = 0; j < n; j++) {
        eng_pann *a = list[j];
        eng_hnsw_vacuum_opts opts = {.yield = {.fn = eng_ann_vacuum_yield}};
        eng_hnsw_vacuum_stats st;
        memset(&st, 0, sizeof st);
        if (ok && !a->retired) ok = eng_hnsw_vacuum(a->graph, &opts, &st, err);
        *nodes_removed += st.removed;
    }
    for (uint32_t j = 0; j < n; j++) {
        list[j]->vacuuming = false;
        if (list[j]->retired) eng_ann_free(list[j]);
    }
    rt_free(list);
    return ok;
}

void eng_part_ann_undo(eng_part *p, uint32_t slot) {
    for (uint32_t j = 0; j < p->ann_count; j++) {
        if (slot < p->anns[j]->indexed_upto) eng_hnsw_mark_dead(p->anns[j]->graph, slot);
    }
}

/* The graph serving searches of `attnum`, or NULL (none yet: the first is being built). */
static eng_pann *eng_ann_find(const eng_part *p, uint16_t attnum) {
    for (uint32_t j = 0; j < p->ann_count; j++) {
        if (p->anns[j]->attnum == attnum && !p->anns[j]->building) return p->anns[j];
    }
    return NULL;
}

bool eng_part_ann_metric(const eng_part *p, uint16_t attnum, eng_hnsw_metric *metric) {
    const eng_pann *a = eng_ann_find(p, attnum);
    if (a == NULL) return false;
    *metric = a->params.metric;
    return true;
}

bool eng_part_ann_search(eng_part *p, uint16_t attnum, const float *query,
                         const eng_hnsw_search_opts *opts, eng_hnsw_hit *hits,
                         eng_hnsw_search_stats *stats, rt_err *err) {
    for (;;) {
        eng_pann *a = eng_ann_find(p, attnum);
        if (a == NULL) {
            return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "column %u has no vector index",
                              attnum);
        }
        if (a->indexed_upto >= p->next_slot) {
            return eng_hnsw_search(a->graph, query, opts, hits, stats, err);
        }
        /* A graph loaded without the newest rows: catch up a slice at a time. */
        uint32_t upto = p->next_slot - a->indexed_upto > ENG_ANN_BUILD_SLICE_SLOTS
                            ? a->indexed_upto + ENG_ANN_BUILD_SLICE_SLOTS
                            : p->next_slot;
        if (!eng_ann_catch_up(a, upto, true, err)) return false;
        if (rt_fiber_self() != NULL) rt_fiber_maybe_yield();
    }
}

bool eng_part_ann_info(const eng_part *p, uint16_t attnum, eng_hnsw_info *out) {
    const eng_pann *a = eng_ann_find(p, attnum);
    if (a == NULL) return false;
    eng_hnsw_get_info(a->graph, out);
    return true;
}

/* ---- background rebuilds ---- */

static _Atomic uint64_t eng_ann_rebuilds_pending;

static eng_ann_builder *eng_ann_builder_self(void) {
    return &eng_ann_builders[rt_core_id()];
}

/* The progress slot of an index on this shard, claimed if `claim`; NULL if none (or full). */
static eng_ann_progress_slot *eng_ann_progress_of(eng_ann_builder *b, uint32_t index_oid,
                                                  uint32_t table_oid, bool claim,
                                                  uint32_t *at) {
    uint32_t key = index_oid != 0 ? index_oid : UINT32_MAX; /* 0 means a free slot */
    for (uint32_t i = 0; i < ENG_ANN_PROGRESS_MAX; i++) {
        if (atomic_load(&b->progress[i].index_oid) == key) return *at = i, &b->progress[i];
    }
    for (uint32_t i = 0; claim && i < ENG_ANN_PROGRESS_MAX; i++) {
        if (atomic_load(&b->progress[i].index_oid) != 0) continue;
        b->done[i] = 0;
        atomic_store(&b->progress[i].table_oid, table_oid);
        atomic_store(&b->progress[i].index_oid, key);
        return *at = i, &b->progress[i];
    }
    return NULL;
}

/* Recomputes this shard's progress rows from its queue (done partitions stay counted until
 * the index has no partition left to build here; then its row goes). */
static void eng_ann_progress_publish(eng_ann_builder *b) {
    uint64_t parts[ENG_ANN_PROGRESS_MAX] = {0}, total[ENG_ANN_PROGRESS_MAX] = {0};
    uint64_t done[ENG_ANN_PROGRESS_MAX] = {0};
    for (eng_pann *a = b->queue; a != NULL; a = a->build_next) {
        uint32_t i;
        if (eng_ann_progress_of(b, a->index_oid, a->table_oid, true, &i) == NULL) continue;
        parts[i]++;
        total[i] += a->part->next_slot;
        done[i] += a->indexed_upto;
    }
    for (uint32_t i = 0; i < ENG_ANN_PROGRESS_MAX; i++) {
        eng_ann_progress_slot *ps = &b->progress[i];
        if (atomic_load(&ps->index_oid) == 0) continue;
        if (parts[i] == 0) {
            atomic_store(&ps->index_oid, 0);
            continue;
        }
        atomic_store(&ps->partitions_total, parts[i] + b->done[i]);
        atomic_store(&ps->partitions_done, b->done[i]);
        atomic_store(&ps->tuples_total, total[i]);
        atomic_store(&ps->tuples_done, done[i]);
    }
}

/* The rebuilt graph replaces the serving one, in the partition's list, without a yield. */
static void eng_ann_build_finish(eng_ann_builder *b, eng_pann *a) {
    eng_part *p = a->part;
    uint32_t i;
    if (eng_ann_progress_of(b, a->index_oid, a->table_oid, false, &i) != NULL) b->done[i]++;
    /* Counted done before it leaves the pending count: another shard that sees no rebuild
     * pending sees this one done (freeing the old graph below takes a while). */
    atomic_fetch_add(&eng_ann_rebuilds_done, 1);
    eng_ann_build_dequeue(a);
    a->building = false;
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *old = p->anns[j];
        if (old == a || old->attnum != a->attnum || old->building) continue;
        p->anns[j] = p->anns[--p->ann_count];
        eng_ann_free(old);
        break;
    }
}

/* True if a checkpoint is writing one of the partition's graphs: the lists stay as they are
 * until it is done. */
static bool eng_ann_part_pinned(const eng_part *p) {
    for (uint32_t j = 0; j < p->ann_count; j++) {
        if (p->anns[j]->pins > 0) return true;
    }
    return false;
}

/* One slice of the queue's first rebuild; false when the queue is empty. */
static bool eng_ann_build_slice(eng_ann_builder *b) {
    eng_pann *a = b->queue;
    if (a == NULL) return false;
    uint32_t end = a->part->next_slot;
    uint32_t upto = end - a->indexed_upto > ENG_ANN_BUILD_SLICE_SLOTS
                        ? a->indexed_upto + ENG_ANN_BUILD_SLICE_SLOTS
                        : end;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_ann_catch_up(a, upto, true, &err)) {
        /* Past its memory bound: the old graph (or exact scans) keeps answering. */
        rt_log(RT_LOG_ERROR, NULL, "vector index rebuild of column %u stopped: %s",
               (unsigned)a->attnum, err.message);
        eng_ann_build_dequeue(a);
        eng_part *p = a->part;
        for (uint32_t j = 0; j < p->ann_count; j++) {
            if (p->anns[j] != a) continue;
            p->anns[j] = p->anns[--p->ann_count];
            break;
        }
        eng_ann_free(a);
        return true;
    }
    b->waiting = a->indexed_upto >= a->part->next_slot && eng_ann_part_pinned(a->part);
    if (a->indexed_upto >= a->part->next_slot && !b->waiting) {
        eng_ann_build_finish(b, a);
    } else if (a->build_next != NULL) {
        /* Round robin: every partition of the shard moves on, not one after the other. */
        b->queue = a->build_next;
        eng_pann *last = b->queue;
        while (last->build_next != NULL) last = last->build_next;
        last->build_next = a;
        a->build_next = NULL;
    }
    return true;
}

static void eng_ann_build_fiber(void *arg) {
    eng_ann_builder *b = arg;
    while (!rt_runtime_stopping() && eng_ann_build_slice(b)) {
        eng_ann_progress_publish(b);
        if (b->waiting) {
            rt_fiber_sleep_ns(ENG_ANN_PIN_WAIT_NS); /* a checkpoint is writing the graphs */
        } else {
            rt_fiber_yield();
        }
    }
    eng_ann_progress_publish(b);
    b->running = false;
}

static void eng_ann_build_enqueue(eng_pann *a) {
    eng_ann_builder *b = eng_ann_builder_self();
    a->builder = b;
    a->build_next = NULL;
    eng_pann **tail = &b->queue;
    while (*tail != NULL) tail = &(*tail)->build_next;
    *tail = a;
    atomic_fetch_add(&eng_ann_rebuilds_pending, 1);
    eng_ann_progress_publish(b);
    if (b->running || rt_runtime_stopping()) return;
    rt_err err;
    rt_err_clear(&err);
    b->running = rt_fiber_spawn(eng_ann_build_fiber, b, &err) != NULL;
    if (!b->running) {
        rt_log(RT_LOG_ERROR, NULL, "vector index rebuild could not start: %s", err.message);
    }
}

/* Also off the shards (partitions destroyed at shutdown, once the shards have stopped). */
static void eng_ann_build_dequeue(eng_pann *a) {
    eng_ann_builder *b = a->builder;
    if (b == NULL) return;
    a->builder = NULL;
    for (eng_pann **q = &b->queue; *q != NULL; q = &(*q)->build_next) {
        if (*q != a) continue;
        *q = a->build_next;
        a->build_next = NULL;
        atomic_fetch_sub(&eng_ann_rebuilds_pending, 1);
        break;
    }
}

uint64_t eng_part_ann_rebuilds_pending(void) { return atomic_load(&eng_ann_rebuilds_pending); }
uint64_t eng_part_ann_rebuilds_done(void) { return atomic_load(&eng_ann_rebuilds_done); }

uint32_t eng_part_ann_progress(eng_ann_build_progress *out, uint32_t cap) {
    uint32_t n = 0;
    for (uint32_t s = 0; s < RT_SHARDS_MAX && s < rt_shard_count(); s++) {
        for (uint32_t i = 0; i < ENG_ANN_PROGRESS_MAX && n < cap; i++) {
            const eng_ann_progress_slot *ps = &eng_ann_builders[s].progress[i];
            uint32_t key = atomic_load(&ps->index_oid);
            if (key == 0) continue;
            out[n++] = (eng_ann_build_progress){
                .shard = s, .index_oid = key == UINT32_MAX ? 0 : key,
                .table_oid = atomic_load(&ps->table_oid),
                .partitions_total = atomic_load(&ps->partitions_total),
                .partitions_done = atomic_load(&ps->partitions_done),
                .tuples_total = atomic_load(&ps->tuples_total),
                .tuples_done = atomic_load(&ps->tuples_done)};
        }
    }
    return n;
}

/* REINDEX of an HNSW index: on each shard, every partition of the table it owns starts a new
 * graph of the column with the same settings beside the serving one (unless one is building
 * already), filled by the shard's builder; the old graph serves until the new one has every
 * row, as after CREATE INDEX ... USING hnsw. */
typedef struct eng_ann_reindex_arg {
    const eng_table *t;
    uint16_t attnum;
} eng_ann_reindex_arg;

static void eng_ann_reindex_part(eng_part *p, const eng_table *t, uint16_t attnum) {
    eng_pann *serving = NULL;
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (a == NULL || a->attnum != attnum) continue;
        if (a->building) return;
        serving = a;
    }
    /* A checkpoint writing the graphs keeps the list as it is: that partition keeps its graph. */
    if (serving == NULL || p->next_slot == 0 || eng_ann_part_pinned(p)) return;
    eng_pann *a = eng_ann_new(p, attnum, &serving->params);
    if (a == NULL) return;
    a->table_oid = t->oid;
    a->index_oid = serving->index_oid;
    a->building = true;
    /* eng_part_ann_sync sized the list for two graphs a column; this column has one now. */
    p->anns = rt_xrealloc(p->anns, (p->ann_count + 1u) * sizeof *p->anns);
    p->anns[p->ann_count++] = a;
    eng_ann_build_enqueue(a);
}

static void eng_ann_reindex_run(void *arg) {
    const eng_ann_reindex_arg *r = arg;
    uint32_t shards = eng_shard_count();
    for (uint32_t i = 0; i < r->t->partition_count; i++) {
        if (eng_partition_owner(i, shards) != rt_core_id()) continue;
        eng_ann_reindex_part(eng_partition(r->t, i), r->t, r->attnum);
    }
}

void eng_part_ann_reindex(const eng_table *t, uint16_t attnum) {
    uint32_t shards = eng_shard_count();
    rt_remote_call *calls = rt_xcalloc(shards, sizeof *calls);
    eng_ann_reindex_arg arg = {.t = t, .attnum = attnum};
    rt_wg wg = {0};
    for (uint32_t s = 0; s < shards; s++) {
        rt_run_on_wg(&calls[s], s, eng_ann_reindex_run, &arg, &wg);
    }
    rt_wg_wait(&wg);
    rt_free(calls);
}

/* ---- checkpoints ---- */

typedef struct eng_ann_hdr {
    uint32_t magic;
    uint16_t attnum;
    uint16_t flags; /* ENG_ANN_HDR_* (0 in checkpoints written before either existed) */
    uint32_t metric, dims, m, ef_construction;
    uint32_t indexed_upto;
} eng_ann_hdr;

/* A rebuild's graph, not the serving one. */
#define ENG_ANN_HDR_BUILDING 1u
/* The graph's stream follows in frames ([u32 length][bytes], ended by a length of 0): its
 * reader reads ahead, so an unframed stream must be the partition's last. */
#define ENG_ANN_HDR_FRAMED 2u
#define ENG_ANN_HDR_FLAGS (ENG_ANN_HDR_BUILDING | ENG_ANN_HDR_FRAMED)
/* Bytes per frame at most (the graph writer's own buffer is far smaller). */
#define ENG_ANN_FRAME_BYTES_MAX (1u << 30)

static void eng_ann_yield(void *ctx) {
    (void)ctx;
    if (rt_fiber_self() != NULL) rt_fiber_maybe_yield();
}

typedef struct eng_ann_framer {
    eng_ckpt_write_fn write;
    eng_ckpt_read_fn read;
    void *ctx;
    uint32_t left; /* reading: bytes left in the current frame */
    bool ended;    /* reading: the end frame was read */
} eng_ann_framer;

static bool eng_ann_frame_write(void *ctx, const void *bytes, size_t len, rt_err *err) {
    eng_ann_framer *f = ctx;
    while (len > 0) {
        uint32_t n = len > ENG_ANN_FRAME_BYTES_MAX ? ENG_ANN_FRAME_BYTES_MAX : (uint32_t)len;
        if (!f->write(f->ctx, &n, sizeof n, err) || !f->write(f->ctx, bytes, n, err)) {
            return false;
        }
        bytes = (const uint8_t *)bytes + n;
        len -= n;
    }
    return true;
}

static bool eng_ann_read_exact(eng_ckpt_read_fn read, void *ctx, void *buf, size_t len,
                               rt_err *err) {
    size_t got = 0;
    if (!read(ctx, buf, len, &got, err)) return false;
    if (got != len) {
        return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "vector index stream ends early");
    }
    return true;
}

/* Fills buf from the frames; short only at the end frame. */
static bool eng_ann_frame_read(void *ctx, void *buf, size_t len, size_t *got, rt_err *err) {
    eng_ann_framer *f = ctx;
    *got = 0;
    while (*got < len && !f->ended) {
        if (f->left == 0) {
            if (!eng_ann_read_exact(f->read, f->ctx, &f->left, sizeof f->left, err)) return false;
            if (f->left > ENG_ANN_FRAME_BYTES_MAX) {
                return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "vector index stream is damaged");
            }
            f->ended = f->left == 0;
            continue;
        }
        size_t take = len - *got < f->left ? len - *got : f->left;
        if (!eng_ann_read_exact(f->read, f->ctx, (uint8_t *)buf + *got, take, err)) return false;
        f->left -= (uint32_t)take;
        *got += take;
    }
    return true;
}

static bool eng_ann_save_one(eng_pann *a, rt_err *err, eng_ckpt_write_fn write, void *ctx) {
    eng_hnsw_yield y = {.fn = eng_ann_yield};
    eng_hnsw_params prm = eng_hnsw_get_params(a->graph);
    uint32_t upto = a->indexed_upto < a->part->next_slot ? a->indexed_upto : a->part->next_slot;
    uint16_t flags = ENG_ANN_HDR_FRAMED | (a->building ? ENG_ANN_HDR_BUILDING : 0);
    eng_ann_hdr h = {ENG_ANN_CKPT_MAGIC, a->attnum, flags, prm.metric, prm.dims, prm.m,
                     prm.ef_construction, upto};
    if (!write(ctx, &h, sizeof h, err)) return false;
    eng_ann_framer f = {.write = write, .ctx = ctx};
    uint32_t end = 0;
    return eng_hnsw_save(a->graph, err, eng_ann_frame_write, &f, &y) &&
           write(ctx, &end, sizeof end, err);
}

/* Saves the serving graphs, then the rebuilds' graphs as far as their builder got (slots
 * [0, indexed_upto)): after a restart each rebuild goes on from there (eng_ann_load). */
static bool eng_ann_save_graphs(eng_part *p, rt_err *err, eng_ckpt_write_fn write, void *ctx) {
    uint32_t n = p->ann_count;
    if (!write(ctx, &n, sizeof n, err)) return false;
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (a->building) continue;
        /* The checkpoint holds the slots allocated at its capture: cover them all. */
        if (!eng_ann_catch_up(a, p->next_slot, true, err)) return false;
        if (!eng_ann_save_one(a, err, write, ctx)) return false;
    }
    for (uint32_t j = 0; j < p->ann_count; j++) {
        if (p->anns[j]->building && !eng_ann_save_one(p->anns[j], err, write, ctx)) return false;
    }
    return true;
}

/* A saved graph whose settings the definition no longer has (CREATE INDEX ... WITH changed
 * them after the checkpoint, or the checkpoint was taken while their rebuild was under way)
 * serves after the restart as the old graph does during a live rebuild, while the definition's
 * graph is rebuilt in the background (handed to the shard's builder by eng_part_ann_recover):
 * a restart neither waits for the rebuild nor leaves the column without a graph meanwhile. */
static eng_pann *eng_ann_old_new(eng_part *p, const eng_pann *a, const eng_hnsw_params *saved) {
    eng_pann *old = rt_xcalloc(1, sizeof *old);
    old->part = p;
    old->attnum = a->attnum;
    old->params = *saved;
    old->params.seed = a->params.seed;
    old->table_oid = a->table_oid;
    old->index_oid = a->index_oid;
    return old;
}

/* `old` (loaded) serves; `a`, still empty, becomes the rebuild. */
static void eng_ann_old_adopt(eng_part *p, eng_pann *a, eng_pann *old) {
    RT_ASSERT(a->indexed_upto == 0);
    a->building = true;
    p->anns = rt_xrealloc(p->anns, (p->ann_count + 1u) * sizeof *p->anns);
    p->anns[p->ann_count++] = old;
}

/* The rebuild of `attnum` under `saved` settings a saved rebuild's graph goes on as: the one
 * the definition started (its settings changed: the saved old graph was adopted before it),
 * or, for a REINDEX (same settings as the serving graph), a new one beside the serving graph.
 * NULL when the definition has moved on: the saved graph is dropped. */
static eng_pann *eng_ann_rebuild_for(eng_part *p, uint16_t attnum, const eng_hnsw_params *saved) {
    eng_pann *serving = NULL;
    for (uint32_t j = 0; j < p->ann_count; j++) {
        eng_pann *a = p->anns[j];
        if (a->attnum != attnum) continue;
        if (a->building) return eng_ann_same(&a->params, saved) && a->indexed_upto == 0 ? a : NULL;
        serving = a;
    }
    if (serving == NULL || !eng_ann_same(&serving->params, saved)) return NULL;
    eng_pann *a = eng_ann_new(p, attnum, &serving->params);
    if (a == NULL) return NULL;
    a->table_oid = serving->table_oid;
    a->index_oid = serving->index_oid;
    a->building = true;
    p->anns = rt_xrealloc(p->anns, (p->ann_count + 1u) * sizeof *p->anns);
    p->anns[p->ann_count++] = a;
    return a;
}

static bool eng_ann_load(eng_part *p, rt_err *err, eng_ckpt_read_fn read, void *ctx) {
    uint32_t n;
    if (!eng_ann_read_exact(read, ctx, &n, sizeof n, err)) return false;
    for (uint32_t j = 0; j < n; j++) {
        eng_ann_hdr h;
        if (!eng_ann_read_exact(read, ctx, &h, sizeof h, err)) return false;
        if (h.magic != ENG_ANN_CKPT_MAGIC || h.indexed_upto > p->next_slot ||
            (h.flags & ~ENG_ANN_HDR_FLAGS) != 0) {
            return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "vector index stream is damaged");
        }
        eng_hnsw_params saved = {.metric = (eng_hnsw_metric)h.metric, .dims = h.dims, .m = h.m,
                                 .ef_construction = h.ef_construction};
        eng_pann *a, *target;
        bool same = false, adopt = false;
        eng_pann tmp = {.part = p, .attnum = h.attnum};
        if (h.flags & ENG_ANN_HDR_BUILDING) {
            a = eng_ann_rebuild_for(p, h.attnum, &saved);
            target = a != NULL ? a : &tmp;
        } else {
            a = eng_ann_find(p, h.attnum);
            same = a != NULL && eng_ann_same(&a->params, &saved);
            adopt = a != NULL && !same && a->params.dims == saved.dims;
            target = same ? a : adopt ? eng_ann_old_new(p, a, &saved) : &tmp;
        }
        eng_ann_framer f = {.read = read, .ctx = ctx};
        bool framed = (h.flags & ENG_ANN_HDR_FRAMED) != 0;
        eng_hnsw *g = framed ? eng_hnsw_load(&saved, err, eng_ann_frame_read, &f, eng_ann_vec,
                                             target, NULL)
                             : eng_hnsw_load(&saved, err, (eng_hnsw_read_fn)read, ctx,
                                             eng_ann_vec, target, NULL);
        if (g != NULL && framed && !f.ended) { /* the graph's reader stops at its end frame */
            eng_hnsw_destroy(g);
            g = NULL;
            rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "vector index stream is damaged");
        }
        if (g == NULL) {
            if (adopt) rt_free(target);
            return false;
        }
        if (target == &tmp) {
            eng_hnsw_destroy(g); /* the column's vectors changed type, or its definition */
            continue;
        }
        if (target == a) eng_hnsw_destroy(a->graph);
        eng_hnsw_set_vec_prefetch(g, eng_ann_vec_prefetch);
        target->graph = g;
        target->indexed_upto = h.indexed_upto;
        if (adopt) eng_ann_old_adopt(p, a, target);
    }
    return true;
}

/* The graphs stay where they are while they are written: a rebuild that completes meanwhile
 * waits (eng_ann_part_pinned) rather than free a graph the writer is in. */
static bool eng_ann_save(eng_part *p, rt_err *err, eng_ckpt_write_fn write, void *ctx) {
    eng_pann **pinned = rt_xcalloc(p->ann_count + 1u, sizeof *pinned);
    uint32_t n = p->ann_count;
    for (uint32_t j = 0; j < n; j++) (pinned[j] = p->anns[j])->pins++;
    bool ok = eng_ann_save_graphs(p, err, write, ctx);
    for (uint32_t j = 0; j < n; j++) pinned[j]->pins--;
    rt_free(pinned);
    return ok;
}

const eng_ckpt_hooks eng_part_ann_ckpt_hooks = {.save = eng_ann_save, .load = eng_ann_load};
