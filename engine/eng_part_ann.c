/* eng_part_ann.c: the HNSW graphs of a partition, one per VECTOR column, kept with the rows.
 * Every row version with a non-NULL vector gets a node in the same write that stores it; an
 * undone insert marks its node dead. A graph covers slots [0, indexed_upto): a graph created
 * for a partition that already holds rows (a new metric, rows loaded from a checkpoint without
 * a saved graph) catches up slot by slot before its next use, so nothing is ever missing and
 * no caller has to rebuild by hand. */
#include <stdatomic.h>
#include <string.h>

#include "engine/eng_ckpt.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

/* Checkpoint stream: a header per graph, then eng_hnsw_save's own checksummed stream. */
#define ENG_ANN_CKPT_MAGIC 0x4e4e4144u /* "DANN" */

struct eng_pann {
    eng_part *part;
    uint16_t attnum;
    eng_hnsw_params params;
    eng_hnsw *graph;
    uint32_t indexed_upto;   /* slots below it were offered to the graph */
    bool vacuuming;          /* eng_part_ann_vacuum works on the graph: freed after it */
    bool retired;            /* the definition dropped it meanwhile */
};

/* Nodes inserted by catching up (not by the write that stored them): a figure for tests and
 * monitoring that shows whether graphs were rebuilt. */
static _Atomic uint64_t eng_ann_catchups;

uint64_t eng_part_ann_catchup_inserts(void) { return atomic_load(&eng_ann_catchups); }

static const float *eng_ann_vec(void *ctx, uint32_t slot) {
    const eng_pann *a = ctx;
    return eng_part_vector(a->part, slot, a->attnum);
}

/* The graph parameters a column's definition asks for: its HNSW index's, else cosine. */
static eng_hnsw_params eng_ann_params_for(const eng_table *t, uint16_t attnum, uint32_t dims) {
    eng_hnsw_params prm = {.metric = ENG_HNSW_COSINE, .dims = dims};
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
    return a;
}

void eng_part_ann_sync(eng_part *p, const eng_table *t) {
    eng_pann **fresh = rt_xcalloc(t->column_count + 1u, sizeof *fresh);
    uint32_t n = 0;
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        if (col->dropped || p->cols[c].store != ENG_STORE_VECTOR) continue;
        uint16_t attnum = (uint16_t)(c + 1);
        eng_hnsw_params prm = eng_ann_params_for(t, attnum, p->cols[c].dims);
        eng_pann *keep = NULL;
        for (uint32_t j = 0; j < p->ann_count; j++) {
            eng_pann *old = p->anns[j];
            if (old != NULL && old->attnum == attnum && eng_ann_same(&old->params, &prm)) {
                keep = old;
                p->anns[j] = NULL;
            }
        }
        if (keep == NULL) keep = eng_ann_new(p, attnum, &prm);
        if (keep != NULL) fresh[n++] = keep;
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

/* Offers slots [indexed_upto, upto) to the graph. Each slot is claimed before its insert, so a
 * writer that runs while a yielding catch-up is parked never offers a slot twice. */
static bool eng_ann_catch_up(eng_pann *a, uint32_t upto, bool may_yield, rt_err *err) {
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
        if (slot + 1 < upto || may_yield) atomic_fetch_add(&eng_ann_catchups, 1);
        if (may_yield && (slot & 63u) == 0 && rt_fiber_self() != NULL) rt_fiber_maybe_yield();
    }
    return true;
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
        if (!eng_ann_catch_up(a, slot + 1, false, err)) return false;
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

static eng_pann *eng_ann_find(const eng_part *p, uint16_t attnum) {
    for (uint32_t j = 0; j < p->ann_count; j++) {
        if (p->anns[j]->attnum == attnum) return p->anns[j];
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
    eng_pann *a = eng_ann_find(p, attnum);
    if (a == NULL) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "column %u has no vector index",
                          attnum);
    }
    if (!eng_ann_catch_up(a, p->next_slot, true, err)) return false;
    return eng_hnsw_search(a->graph, query, opts, hits, stats, err);
}

bool eng_part_ann_info(const eng_part *p, uint16_t attnum, eng_hnsw_info *out) {
    const eng_pann *a = eng_ann_find(p, attnum);
    if (a == NULL) return false;
    eng_hnsw_get_info(a->graph, out);
    return true;
}

/* ---- checkpoints ---- */

typedef struct eng_ann_hdr {
    uint32_t magic;
    uint16_t attnum;
    uint16_t pad;
    uint32_t metric, dims, m, ef_construction;
    uint32_t indexed_upto;
} eng_ann_hdr;

static void eng_ann_yield(void *ctx) {
    (void)ctx;
    if (rt_fiber_self() != NULL) rt_fiber_maybe_yield();
}

static bool eng_ann_save(eng_part *p, rt_err *err, eng_ckpt_write_fn write, void *ctx) {
    uint32_t n = p->ann_count;
    if (!write(ctx, &n, sizeof n, err)) return false;
    eng_hnsw_yield y = {.fn = eng_ann_yield};
    for (uint32_t j = 0; j < n; j++) {
        eng_pann *a = p->anns[j];
        /* The checkpoint holds the slots allocated at its capture: cover them all. */
        if (!eng_ann_catch_up(a, p->next_slot, false, err)) return false;
        eng_hnsw_params prm = eng_hnsw_get_params(a->graph);
        eng_ann_hdr h = {ENG_ANN_CKPT_MAGIC, a->attnum, 0, prm.metric, prm.dims, prm.m,
                         prm.ef_construction, a->indexed_upto};
        if (!write(ctx, &h, sizeof h, err)) return false;
        if (!eng_hnsw_save(a->graph, err, (eng_hnsw_write_fn)write, ctx, &y)) return false;
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

static bool eng_ann_load(eng_part *p, rt_err *err, eng_ckpt_read_fn read, void *ctx) {
    uint32_t n;
    if (!eng_ann_read_exact(read, ctx, &n, sizeof n, err)) return false;
    for (uint32_t j = 0; j < n; j++) {
        eng_ann_hdr h;
        if (!eng_ann_read_exact(read, ctx, &h, sizeof h, err)) return false;
        if (h.magic != ENG_ANN_CKPT_MAGIC || h.indexed_upto > p->next_slot) {
            return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "vector index stream is damaged");
        }
        eng_hnsw_params saved = {.metric = (eng_hnsw_metric)h.metric, .dims = h.dims, .m = h.m,
                                 .ef_construction = h.ef_construction};
        eng_pann *a = eng_ann_find(p, h.attnum);
        eng_pann tmp = {.part = p, .attnum = h.attnum};
        eng_pann *target = a != NULL ? a : &tmp;
        eng_hnsw *g = eng_hnsw_load(&saved, err, (eng_hnsw_read_fn)read, ctx, eng_ann_vec,
                                    target, NULL);
        if (g == NULL) return false;
        if (a == NULL || !eng_ann_same(&a->params, &saved)) {
            eng_hnsw_destroy(g); /* the definition changed since: rebuilt by catch-up */
            continue;
        }
        eng_hnsw_destroy(a->graph);
        a->graph = g;
        a->indexed_upto = h.indexed_upto;
    }
    return true;
}

const eng_ckpt_hooks eng_part_ann_ckpt_hooks = {.save = eng_ann_save, .load = eng_ann_load};
