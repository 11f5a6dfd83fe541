/* eng_hnsw_build.c: creating and destroying a graph, its accounted memory (chunks, upper
 * lists, scratch), bulk build with cooperative yields, and the figures the planner reads.
 *
 * Every allocation goes through hnsw_alloc/hnsw_free so eng_hnsw_memory_bytes() is exact.
 * Graph storage is checked against params.memory_bytes_max before anything is changed, so a
 * refused insert leaves the graph as it was; scratch (heaps, buffers) grows with the largest
 * search done so far, is bounded by the node count, and is counted but never refused, so an
 * operation under way cannot fail half-done. */
#include <math.h>
#include <string.h>

#include "engine/eng_hnsw_int.h"
#include "runtime/rt_log.h"
#include "runtime/rt_mem.h"

/* ---- accounted memory ------------------------------------------------------------------- */

void *hnsw_alloc(eng_hnsw *h, size_t bytes) {
    h->bytes += bytes;
    return rt_xmalloc(bytes);
}

void *hnsw_zalloc(eng_hnsw *h, size_t bytes) {
    h->bytes += bytes;
    return rt_xcalloc(1, bytes);
}

void hnsw_free(eng_hnsw *h, void *p, size_t bytes) {
    if (p == NULL) return;
    RT_ASSERT(h->bytes >= bytes);
    h->bytes -= bytes;
    rt_free(p);
}

/* Grows an accounted array to hold `count` items of `size` bytes (doubling, at least 64). */
static void *hnsw_grow(eng_hnsw *h, void *p, uint32_t *cap, uint32_t count, size_t size) {
    if (count <= *cap) return p;
    uint64_t want = *cap < 64 ? 64 : *cap;
    while (want < count) want *= 2;
    if (want > UINT32_MAX) want = UINT32_MAX;
    h->bytes += (want - *cap) * size;
    *cap = (uint32_t)want;
    return rt_xrealloc(p, (size_t)want * size);
}

void hnsw_reserve_work(eng_hnsw *h, uint32_t count) {
    h->work = hnsw_grow(h, h->work, &h->work_cap, count, sizeof(hnsw_cand));
}

void hnsw_reserve_orphans(eng_hnsw *h, uint32_t count) {
    h->orphans = hnsw_grow(h, h->orphans, &h->orphan_cap, count, sizeof(uint32_t));
}

void hnsw_reserve_ids(eng_hnsw *h, uint32_t count) {
    if (count <= h->ids_cap) return;
    uint32_t cap = h->ids_cap;
    h->ids = hnsw_grow(h, h->ids, &cap, count, sizeof(uint32_t));
    cap = h->ids_cap;
    h->vecs = hnsw_grow(h, (void *)h->vecs, &cap, count, sizeof(float *));
    cap = h->ids_cap;
    h->dists = hnsw_grow(h, h->dists, &cap, count, sizeof(float));
    h->ids_cap = cap;
}

void hnsw_heap_reserve(eng_hnsw *h, hnsw_heap *heap, uint32_t cap) {
    heap->items = hnsw_grow(h, heap->items, &heap->cap, cap, sizeof(hnsw_cand));
}

bool hnsw_check_memory(const eng_hnsw *h, size_t more_bytes, rt_err *err) {
    if (h->bytes + more_bytes <= h->params.memory_bytes_max) return true;
    rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "hnsw graph memory limit exceeded");
    rt_err_detail(err, "The graph uses %llu bytes, needs %zu more, and may use %llu.",
                  (unsigned long long)h->bytes, more_bytes,
                  (unsigned long long)h->params.memory_bytes_max);
    rt_err_hint(err, "Spread the table over more partitions or use a smaller m.");
    return false;
}

size_t hnsw_chunk_bytes(const eng_hnsw *h) {
    return sizeof(hnsw_chunk) + (size_t)HNSW_CHUNK_SLOTS * h->level0_stride * sizeof(uint32_t);
}

size_t hnsw_upper_bytes(const eng_hnsw *h, uint32_t height) {
    return (size_t)(height - 1) * h->upper_stride * sizeof(uint32_t);
}

/* Makes room for the node of `slot` (directory, chunk, upper lists) and marks it present with
 * empty lists. Checks the memory bound first, so on error nothing has changed. */
bool hnsw_node_alloc(eng_hnsw *h, uint32_t slot, uint32_t height, rt_err *err) {
    RT_ASSERT(height >= 1 && height <= ENG_HNSW_LEVEL_MAX + 1);
    uint32_t ci = slot >> HNSW_CHUNK_SHIFT;
    uint32_t new_cap = h->chunk_cap;
    if (ci >= new_cap) {
        new_cap = new_cap < 16 ? 16 : new_cap;
        while (new_cap <= ci) new_cap *= 2;
    }
    size_t need = (size_t)(new_cap - h->chunk_cap) * sizeof(hnsw_chunk *);
    bool chunk_missing = ci >= h->chunk_cap || h->chunks[ci] == NULL;
    if (chunk_missing) need += hnsw_chunk_bytes(h) + (hnsw_quant_on(h) ? hnsw_quant_bytes(h) : 0);
    if (height > 1) need += hnsw_upper_bytes(h, height);
    if (!hnsw_check_memory(h, need, err)) return false;

    if (new_cap > h->chunk_cap) {
        h->bytes += (size_t)(new_cap - h->chunk_cap) * sizeof(hnsw_chunk *);
        h->chunks = rt_xrealloc(h->chunks, (size_t)new_cap * sizeof(hnsw_chunk *));
        memset(h->chunks + h->chunk_cap, 0, (size_t)(new_cap - h->chunk_cap) * sizeof(void *));
        h->chunk_cap = new_cap;
    }
    if (chunk_missing) {
        h->chunks[ci] = hnsw_zalloc(h, hnsw_chunk_bytes(h));
        if (hnsw_quant_on(h)) h->chunks[ci]->codes = hnsw_alloc(h, hnsw_quant_bytes(h));
    }
    hnsw_chunk *c = h->chunks[ci];
    uint32_t i = slot & HNSW_CHUNK_MASK;
    RT_ASSERT(c->height[i] == 0);
    c->height[i] = (uint8_t)height;
    c->flags[i] = 0;
    c->inv_norm[i] = 1.0f;
    c->indegree[i] = 0;
    c->level0[(size_t)i * h->level0_stride] = 0;
    c->upper[i] = height > 1 ? hnsw_zalloc(h, hnsw_upper_bytes(h, height)) : NULL;
    c->nodes++;
    h->nodes++;
    if (slot >= h->slot_bound) h->slot_bound = slot + 1;
    return true;
}

/* Removes the node of `slot`; whoever calls this has made sure no list names it. */
void hnsw_node_free(eng_hnsw *h, uint32_t slot) {
    hnsw_chunk *c = hnsw_chunk_of(h, slot);
    uint32_t i = slot & HNSW_CHUNK_MASK;
    RT_ASSERT(c != NULL && c->height[i] != 0);
    RT_ASSERT(slot != h->entry);
    h->edges_level0 -= c->level0[(size_t)i * h->level0_stride];
    if (c->upper[i] != NULL) hnsw_free(h, c->upper[i], hnsw_upper_bytes(h, c->height[i]));
    c->upper[i] = NULL;
    if (c->flags[i] & HNSW_DEAD) h->dead--;
    c->height[i] = 0;
    c->flags[i] = 0;
    h->nodes--;
    if (--c->nodes == 0) {
        if (c->codes != NULL) hnsw_free(h, c->codes, hnsw_quant_bytes(h));
        hnsw_free(h, c, hnsw_chunk_bytes(h));
        h->chunks[slot >> HNSW_CHUNK_SHIFT] = NULL;
    }
}

/* A new visited generation; on wrap-around every tag is cleared once. */
void hnsw_new_epoch(eng_hnsw *h) {
    if (++h->visit_epoch != 0) return;
    for (uint32_t ci = 0; ci < h->chunk_cap; ci++) {
        if (h->chunks[ci] != NULL) memset(h->chunks[ci]->visit, 0, sizeof h->chunks[ci]->visit);
    }
    h->visit_epoch = 1;
}

void hnsw_yield_count(hnsw_yielder *y, uint64_t ops) {
    if (y->yield == NULL || y->yield->fn == NULL) return;
    y->since += ops;
    uint32_t every = y->yield->every ? y->yield->every : ENG_HNSW_YIELD_EVERY_DEFAULT;
    if (y->since < every) return;
    y->since = 0;
    y->yield->fn(y->yield->ctx);
}

/* ---- parameters ------------------------------------------------------------------------- */

static bool hnsw_check_range(const char *option, uint32_t value, uint32_t lo, uint32_t hi,
                             rt_err *err) {
    if (value >= lo && value <= hi) return true;
    rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "value %u out of bounds for option \"%s\"",
               value, option);
    rt_err_detail(err, "Valid values are between \"%u\" and \"%u\".", lo, hi);
    return false;
}

/* Fills in defaults and checks ranges with PostgreSQL's reloption wording and pgvector's. */
static bool hnsw_resolve_params(const eng_hnsw_params *in, eng_hnsw_params *out, rt_err *err) {
    *out = *in;
    if (out->m == 0) out->m = ENG_HNSW_M_DEFAULT;
    if (out->ef_construction == 0) out->ef_construction = ENG_HNSW_EF_CONSTRUCTION_DEFAULT;
    if (out->memory_bytes_max == 0) out->memory_bytes_max = ENG_HNSW_MEMORY_BYTES_DEFAULT;
    if (out->metric != ENG_HNSW_L2 && out->metric != ENG_HNSW_IP &&
        out->metric != ENG_HNSW_COSINE) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "unrecognized hnsw distance metric %d", (int)out->metric);
    }
    if (out->dims == 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "column does not have dimensions");
    }
    if (out->dims > ENG_VECTOR_DIMS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "column cannot have more than %d dimensions for hnsw index",
                          ENG_VECTOR_DIMS_MAX);
    }
    if (!hnsw_check_range("m", out->m, ENG_HNSW_M_MIN, ENG_HNSW_M_MAX, err)) return false;
    if (!hnsw_check_range("ef_construction", out->ef_construction, ENG_HNSW_EF_CONSTRUCTION_MIN,
                          ENG_HNSW_EF_CONSTRUCTION_MAX, err)) {
        return false;
    }
    if (out->ef_construction < 2 * out->m) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "ef_construction must be greater than or equal to 2 * m");
    }
    return true;
}

/* ---- life cycle --------------------------------------------------------------------------- */

eng_hnsw *hnsw_new(const eng_hnsw_params *params, rt_err *err, eng_hnsw_vec_fn vec,
                   void *vec_ctx) {
    eng_hnsw_params p;
    if (!hnsw_resolve_params(params, &p, err)) return NULL;
    RT_ASSERT(vec != NULL);
    eng_hnsw *h = rt_xcalloc(1, sizeof *h);
    h->bytes = sizeof *h;
    h->params = p;
    h->vec = vec;
    h->vec_ctx = vec_ctx;
    h->dims = p.dims;
    h->m = p.m;
    h->m0 = 2 * p.m;
    h->level0_stride = 1 + h->m0;
    h->upper_stride = 1 + h->m;
    h->level_mult = 1.0 / log((double)p.m);
    h->rng = p.seed;
    h->entry = ENG_HNSW_SLOT_NONE;
    h->visit_epoch = 1;
    hnsw_reserve_ids(h, h->m0 + 1);
    hnsw_reserve_work(h, p.ef_construction + h->m0 + 1);
    h->sel = hnsw_alloc(h, (h->m0 + 1) * sizeof(hnsw_cand));
    h->shrink = hnsw_alloc(h, (h->m0 + 1) * sizeof(hnsw_cand));
    return h;
}

eng_hnsw *eng_hnsw_create(const eng_hnsw_params *params, rt_err *err, eng_hnsw_vec_fn vec,
                          void *vec_ctx) {
    return hnsw_new(params, err, vec, vec_ctx);
}

void eng_hnsw_destroy(eng_hnsw *h) {
    if (h == NULL) return;
    RT_ASSERT(!h->vacuum_running && !h->save_running);
    for (uint32_t ci = 0; ci < h->chunk_cap; ci++) {
        hnsw_chunk *c = h->chunks[ci];
        if (c == NULL) continue;
        for (uint32_t i = 0; i < HNSW_CHUNK_SLOTS; i++) rt_free(c->upper[i]);
        rt_free(c->codes);
        rt_free(c);
    }
    rt_free(h->chunks);
    rt_free(h->cands.items);
    rt_free(h->results.items);
    rt_free(h->work);
    rt_free(h->sel);
    rt_free(h->shrink);
    rt_free(h->orphans);
    rt_free(h->ids);
    rt_free((void *)h->vecs);
    rt_free(h->dists);
    hnsw_quant_free(h);
    rt_free(h);
}

void eng_hnsw_set_vec_prefetch(eng_hnsw *h, eng_hnsw_prefetch_fn prefetch) {
    h->vec_prefetch = prefetch;
}

eng_hnsw_params eng_hnsw_get_params(const eng_hnsw *h) {
    return h->params;
}

/* Bulk build: one insert after another (Algorithm 1), yielding by distance computations so a
 * slice costs about the same whatever the dimension. */
bool eng_hnsw_build(eng_hnsw *h, const uint32_t *slots, uint32_t count, rt_err *err,
                    const eng_hnsw_yield *yield) {
    hnsw_yielder y = {.yield = yield};
    for (uint32_t i = 0; i < count; i++) {
        uint64_t distances = 0;
        if (!hnsw_insert_counted(h, slots[i], &distances, err)) return false;
        hnsw_yield_count(&y, distances + 1);
    }
    RT_VERIFY(hnsw_check(h));
    return true;
}

/* The whole graph's invariants, O(links): run under RT_VERIFY after build, vacuum and load.
 * Links name existing nodes on their level, never the node itself; counts add up. A broken
 * invariant is logged with the slot it was found at, so the abort that follows says where. */
static bool hnsw_check_node(const eng_hnsw *h, uint32_t slot, uint32_t *indegree,
                            uint64_t *edges) {
    uint32_t height = hnsw_height(h, slot);
    for (uint32_t level = 0; level < height; level++) {
        const uint32_t *list = hnsw_list(h, slot, level);
        if (list[0] > hnsw_list_cap(h, level)) {
            rt_log(RT_LOG_ERROR, NULL, "hnsw check: slot %u level %u lists %u links", slot,
                   level, list[0]);
            return false;
        }
        for (uint32_t i = 1; i <= list[0]; i++) {
            if (list[i] == slot || hnsw_height(h, list[i]) <= level) {
                rt_log(RT_LOG_ERROR, NULL,
                       "hnsw check: slot %u level %u links to %u (height %u, flags %u)", slot,
                       level, list[i], hnsw_height(h, list[i]),
                       hnsw_height(h, list[i]) ? hnsw_flags(h, list[i]) : 0u);
                return false;
            }
            if (level == 0) indegree[list[i]]++;
        }
        if (level == 0) *edges += list[0];
    }
    return true;
}

static bool hnsw_check_counts(const eng_hnsw *h, const uint32_t *indegree, uint64_t nodes,
                              uint64_t dead, uint64_t edges) {
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        if (hnsw_height(h, slot) == 0 || indegree[slot] == *hnsw_indegree(h, slot)) continue;
        rt_log(RT_LOG_ERROR, NULL, "hnsw check: slot %u in-degree %u, counted %u (flags %u)",
               slot, indegree[slot], *hnsw_indegree(h, slot), hnsw_flags(h, slot));
        return false;
    }
    if (nodes == h->nodes && dead == h->dead && edges == h->edges_level0) return true;
    rt_log(RT_LOG_ERROR, NULL,
           "hnsw check: %llu nodes, %llu dead, %llu level-0 links; counted %llu, %llu, %llu",
           (unsigned long long)nodes, (unsigned long long)dead, (unsigned long long)edges,
           (unsigned long long)h->nodes, (unsigned long long)h->dead,
           (unsigned long long)h->edges_level0);
    return false;
}

bool hnsw_check(const eng_hnsw *h) {
    uint32_t *indegree = rt_xcalloc((size_t)h->slot_bound + 1, sizeof(uint32_t));
    uint64_t nodes = 0, dead = 0, edges = 0;
    uint32_t top_height = 0;
    bool ok = true;
    for (uint32_t slot = 0; slot < h->slot_bound && ok; slot++) {
        uint32_t height = hnsw_height(h, slot);
        if (height == 0) continue;
        nodes++;
        dead += (hnsw_flags(h, slot) & HNSW_DEAD) != 0;
        if (height > top_height) top_height = height;
        ok = hnsw_check_node(h, slot, indegree, &edges);
    }
    ok = ok && hnsw_check_counts(h, indegree, nodes, dead, edges);
    rt_free(indegree);
    if (!ok) return false;
    if (!hnsw_quant_check(h)) {
        rt_log(RT_LOG_ERROR, NULL, "hnsw check: a node's codes are not those of the range");
        return false;
    }
    if (nodes == 0) {
        if (h->entry == ENG_HNSW_SLOT_NONE) return true;
    } else if (hnsw_height(h, h->entry) == top_height && h->top_level + 1 == top_height) {
        return true;
    }
    rt_log(RT_LOG_ERROR, NULL, "hnsw check: entry %u (height %u, top level %u), highest %u",
           h->entry, h->entry == ENG_HNSW_SLOT_NONE ? 0u : hnsw_height(h, h->entry),
           h->top_level, top_height);
    return false;
}

bool eng_hnsw_contains(const eng_hnsw *h, uint32_t slot) {
    return hnsw_height(h, slot) != 0;
}

void eng_hnsw_get_info(const eng_hnsw *h, eng_hnsw_info *out) {
    out->nodes = h->nodes;
    out->dead = h->dead;
    out->edges_level0 = h->edges_level0;
    out->levels = h->entry == ENG_HNSW_SLOT_NONE ? 0 : h->top_level + 1;
    out->entry_slot = h->entry;
    out->quantized = h->quant.ready;
    out->quant_pending = h->quant.task != HNSW_QUANT_IDLE;
    out->quant_bytes = 0;
    if (hnsw_quant_on(h)) {
        out->quant_bytes = (size_t)h->dims * sizeof(float) + h->quant.stride;
        for (uint32_t ci = 0; ci < h->chunk_cap; ci++) {
            if (h->chunks[ci] != NULL) out->quant_bytes += hnsw_quant_bytes(h);
        }
    }
    out->memory_bytes = h->bytes;
}

uint64_t eng_hnsw_memory_bytes(const eng_hnsw *h) {
    return h->bytes;
}
