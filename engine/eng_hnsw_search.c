/* eng_hnsw_search.c: the search side of HNSW: candidate heaps, the greedy descent of the upper
 * levels, SEARCH-LAYER (Algorithm 2) and K-NN-SEARCH (Algorithm 5) with a filter.
 *
 * Filtered search. The result set W only admits nodes that pass (not dead, filter true), while
 * the candidate set C admits every node near enough, so nodes that fail are bridges: the walk
 * goes through them to passing nodes beyond. Algorithm 2 stops when the nearest candidate is
 * farther than the farthest of ef results; as W only fills with passing nodes, a selective
 * filter keeps the walk going outward from its frontier until ef passing nodes are found,
 * which is the widening the hybrid planner relies on. A distance budget bounds it; the caller
 * learns whether k were found, whether the whole graph was seen, or neither (then it scans). */
#include <stdlib.h>
#include <string.h>

#include "engine/eng_hnsw_int.h"

/* ---- heaps ------------------------------------------------------------------------------ */

static inline bool hnsw_less(hnsw_cand a, hnsw_cand b) {
    return a.dist < b.dist || (a.dist == b.dist && a.slot < b.slot);
}

void hnsw_minheap_push(eng_hnsw *h, hnsw_heap *heap, hnsw_cand c) {
    if (heap->count == heap->cap) hnsw_heap_reserve(h, heap, heap->count + 1);
    hnsw_cand *it = heap->items;
    uint32_t i = heap->count++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!hnsw_less(c, it[parent])) break;
        it[i] = it[parent];
        i = parent;
    }
    it[i] = c;
}

hnsw_cand hnsw_minheap_pop(hnsw_heap *heap) {
    RT_ASSERT(heap->count > 0);
    hnsw_cand *it = heap->items;
    hnsw_cand top = it[0];
    hnsw_cand last = it[--heap->count];
    uint32_t n = heap->count, i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && hnsw_less(it[child + 1], it[child])) child++;
        if (!hnsw_less(it[child], last)) break;
        it[i] = it[child];
        i = child;
    }
    if (n > 0) it[i] = last;
    return top;
}

void hnsw_maxheap_push(eng_hnsw *h, hnsw_heap *heap, hnsw_cand c) {
    if (heap->count == heap->cap) hnsw_heap_reserve(h, heap, heap->count + 1);
    hnsw_cand *it = heap->items;
    uint32_t i = heap->count++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!hnsw_less(it[parent], c)) break;
        it[i] = it[parent];
        i = parent;
    }
    it[i] = c;
}

hnsw_cand hnsw_maxheap_pop(hnsw_heap *heap) {
    RT_ASSERT(heap->count > 0);
    hnsw_cand *it = heap->items;
    hnsw_cand top = it[0];
    hnsw_cand last = it[--heap->count];
    uint32_t n = heap->count, i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && hnsw_less(it[child], it[child + 1])) child++;
        if (!hnsw_less(last, it[child])) break;
        it[i] = it[child];
        i = child;
    }
    if (n > 0) it[i] = last;
    return top;
}

static int hnsw_cand_cmp(const void *a, const void *b) {
    hnsw_cand x = *(const hnsw_cand *)a, y = *(const hnsw_cand *)b;
    return hnsw_less(x, y) ? -1 : hnsw_less(y, x) ? 1 : 0;
}

/* Ascending by distance, ties by slot (so equal inputs give equal graphs). Lists are short:
 * insertion sort up to a few dozen, qsort beyond. */
void hnsw_cand_sort(hnsw_cand *c, uint32_t count) {
    if (count > 32) {
        qsort(c, count, sizeof *c, hnsw_cand_cmp);
        return;
    }
    for (uint32_t i = 1; i < count; i++) {
        hnsw_cand x = c[i];
        uint32_t j = i;
        while (j > 0 && hnsw_less(x, c[j - 1])) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

/* ---- scoring a neighbour list ------------------------------------------------------------ */

/* A neighbour list costs several cache misses per entry at 1M nodes (its visited tag and norm
 * in the graph's chunks, its null flag and vector in the column store), each of them a
 * dependent load if taken one entry at a time. So the list is read in passes: first every
 * entry's tag and norm are requested, then the unvisited ones' vectors, then each is read;
 * the misses of one pass overlap instead of queueing. */
uint32_t hnsw_score_list(eng_hnsw *h, const hnsw_query *q, uint32_t slot, uint32_t level,
                         bool unvisited_only) {
    const uint32_t *list = hnsw_list(h, slot, level);
    uint32_t count = list[0], n = 0;
    RT_ASSERT(count <= hnsw_list_cap(h, level));
    for (uint32_t i = 1; i <= count; i++) hnsw_prefetch_node(h, list[i], q->quant);
    for (uint32_t i = 1; i <= count; i++) {
        uint32_t e = list[i];
        if (unvisited_only ? !hnsw_visit(h, e) : e == q->self) continue;
        h->ids[n++] = e;
    }
    if (n == 0) return 0;
    if (q->quant) {
        hnsw_quant_score(h, q, n);
    } else {
        hnsw_score_ids(h, q, n);
    }
    return n;
}

void hnsw_score_ids(eng_hnsw *h, const hnsw_query *q, uint32_t n) {
    if (h->vec_prefetch != NULL) {
        for (uint32_t i = 0; i < n; i++) h->vec_prefetch(h->vec_ctx, h->ids[i]);
    }
    for (uint32_t i = 0; i < n; i++) h->vecs[i] = hnsw_vec(h, h->ids[i]);
    if (h->params.metric == ENG_HNSW_L2) {
        eng_dist_active->l2sq_ptrs(q->vec, h->vecs, n, h->dims, h->dists);
    } else {
        eng_dist_active->dot_ptrs(q->vec, h->vecs, n, h->dims, h->dists);
    }
    for (uint32_t i = 0; i < n; i++) {
        h->dists[i] = hnsw_dist_finish(h, h->dists[i], q->inv_norm, hnsw_inv_norm(h, h->ids[i]));
    }
}

/* ---- Algorithm 2 ------------------------------------------------------------------------- */

hnsw_cand hnsw_greedy(eng_hnsw *h, const hnsw_query *q, hnsw_cand ep, uint32_t level,
                      uint64_t *distances) {
    hnsw_cand cur = ep;
    for (bool moved = true; moved;) {
        moved = false;
        uint32_t n = hnsw_score_list(h, q, cur.slot, level, false);
        *distances += n;
        for (uint32_t i = 0; i < n; i++) {
            hnsw_cand c = {h->dists[i], h->ids[i]};
            if (hnsw_less(c, cur)) {
                cur = c;
                moved = true;
            }
        }
    }
    return cur;
}

/* May `slot` enter W? The filter is asked last and at most once per node and search. */
static bool hnsw_accepts(eng_hnsw *h, const hnsw_layer_req *req, uint32_t slot,
                         hnsw_layer_out *out) {
    uint8_t flags = hnsw_flags(h, slot);
    if (req->accept == HNSW_ACCEPT_NOT_DYING) return (flags & HNSW_DYING) == 0;
    if (flags & (HNSW_DEAD | HNSW_DYING)) return false;
    if (req->filter == NULL) return true;
    out->filter_calls++;
    return req->filter(req->filter_ctx, slot);
}

/* Offers a scored node to C and W (Algorithm 2, lines 11-15). */
static void hnsw_offer(eng_hnsw *h, const hnsw_layer_req *req, hnsw_cand c,
                       hnsw_layer_out *out) {
    hnsw_heap *w = &h->results;
    if (w->count >= req->ef && !hnsw_less(c, w->items[0])) return;
    hnsw_minheap_push(h, &h->cands, c);
    if (!hnsw_accepts(h, req, c.slot, out)) return;
    hnsw_maxheap_push(h, w, c);
    if (w->count > req->ef) hnsw_maxheap_pop(w);
}

/* Starts loading the neighbour list of `slot` (up to 2m + 1 entries: two or three lines). */
static inline void hnsw_prefetch_list(const eng_hnsw *h, uint32_t slot, uint32_t level) {
    const char *list = (const char *)hnsw_list(h, slot, level);
    size_t bytes = (size_t)(hnsw_list_cap(h, level) + 1u) * sizeof(uint32_t);
    for (size_t off = 0; off < bytes; off += HNSW_CACHE_LINE_BYTES) __builtin_prefetch(list + off);
    __builtin_prefetch(list + bytes - 1);
}

/* Before the scored neighbours are offered: for those near enough to enter C (and so to be
 * checked), their flags and what the filter reads start loading, all at once. W's bound only
 * tightens while they are offered, so this asks for a superset of what is read. */
static void hnsw_prefetch_offers(const eng_hnsw *h, const hnsw_layer_req *req, uint32_t n) {
    const hnsw_heap *w = &h->results;
    bool full = w->count >= req->ef;
    float bound = full ? w->items[0].dist : INFINITY;
    for (uint32_t i = 0; i < n; i++) {
        if (full && !(h->dists[i] <= bound)) continue;
        uint32_t e = h->ids[i];
        __builtin_prefetch(&h->chunks[e >> HNSW_CHUNK_SHIFT]->flags[e & HNSW_CHUNK_MASK]);
        if (req->filter_prefetch != NULL) req->filter_prefetch(req->filter_ctx, e);
    }
}

void hnsw_search_layer(eng_hnsw *h, const hnsw_query *q, const hnsw_cand *eps, uint32_t ep_count,
                       const hnsw_layer_req *req, hnsw_layer_out *out) {
    RT_ASSERT(req->ef >= 1);
    hnsw_new_epoch(h);
    if (q->self != ENG_HNSW_SLOT_NONE) hnsw_visit(h, q->self);
    h->cands.count = 0;
    h->results.count = 0;
    for (uint32_t i = 0; i < ep_count && req->filter_prefetch != NULL; i++) {
        req->filter_prefetch(req->filter_ctx, eps[i].slot);
    }
    for (uint32_t i = 0; i < ep_count; i++) {
        if (!hnsw_visit(h, eps[i].slot)) continue;
        out->seen++;
        hnsw_offer(h, req, eps[i], out);
    }
    while (h->cands.count > 0) {
        hnsw_cand c = hnsw_minheap_pop(&h->cands);
        hnsw_heap *w = &h->results;
        if (w->count >= req->ef && hnsw_less(w->items[0], c)) break;
        if (req->distance_budget != 0 && out->distances >= req->distance_budget) {
            out->budget_hit = true;
            break;
        }
        /* The next node to expand is most likely the nearest candidate left: its list
         * loads while this one is scored. */
        if (h->cands.count > 0) hnsw_prefetch_list(h, h->cands.items[0].slot, req->level);
        uint32_t n = hnsw_score_list(h, q, c.slot, req->level, true);
        out->visited++;
        out->distances += n;
        out->seen += n;
        hnsw_prefetch_offers(h, req, n);
        for (uint32_t i = 0; i < n; i++) {
            hnsw_offer(h, req, (hnsw_cand){h->dists[i], h->ids[i]}, out);
        }
    }
}

/* ---- Algorithm 5 ------------------------------------------------------------------------- */

static bool hnsw_search_check(const eng_hnsw_search_opts *opts, uint32_t *ef, rt_err *err) {
    if (opts->k == 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "hnsw search needs k >= 1");
    }
    if (opts->k > ENG_HNSW_K_MAX) {
        rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                   "hnsw search cannot return more than %d rows", ENG_HNSW_K_MAX);
        rt_err_hint(err, "Use an exact scan for larger limits.");
        return false;
    }
    *ef = opts->ef_search ? opts->ef_search : ENG_HNSW_EF_SEARCH_DEFAULT;
    if (*ef > ENG_HNSW_EF_SEARCH_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "%u is outside the valid range for parameter \"hnsw.ef_search\" "
                          "(%d .. %d)", *ef, ENG_HNSW_EF_SEARCH_MIN, ENG_HNSW_EF_SEARCH_MAX);
    }
    if (*ef < opts->k) *ef = opts->k;
    return true;
}

/* The SQL value of an ordering distance. */
static float hnsw_sql_distance(const eng_hnsw *h, float d) {
    switch (h->params.metric) {
    case ENG_HNSW_L2:
        return sqrtf(d);
    case ENG_HNSW_COSINE:
        return d < 0.0f ? 0.0f : d > 2.0f ? 2.0f : d;
    default:
        return d;
    }
}

bool eng_hnsw_search(eng_hnsw *h, const float *query, const eng_hnsw_search_opts *opts,
                     eng_hnsw_hit *hits, eng_hnsw_search_stats *stats, rt_err *err) {
    uint32_t ef = 0;
    if (!hnsw_search_check(opts, &ef, err)) return false;
    memset(stats, 0, sizeof *stats);
    stats->status = ENG_HNSW_FOUND_ALL;
    if (h->entry == ENG_HNSW_SLOT_NONE) return true;
    hnsw_quant_slice(h); /* before the walk, which may then use the codes it completes */
    hnsw_query q = {.vec = query, .inv_norm = 1.0f, .self = ENG_HNSW_SLOT_NONE};
    if (h->params.metric == ENG_HNSW_COSINE) {
        float norm_sq = eng_dist_norm_sq(query, h->dims);
        if (!(norm_sq > 0.0f)) {
            stats->status = ENG_HNSW_SHORT; /* every distance is NaN: no order to follow */
            return true;
        }
        q.inv_norm = 1.0f / sqrtf(norm_sq);
    }
    /* Level 0 starts from the descent's end and from the entry point as well: vacuum keeps
     * every node reachable from the entry point by level-0 links (eng_hnsw_vacuum.c, phase
     * 6), and a walk wide enough to reach a node from either start finds it. */
    if (h->quant.ready && !opts->float_walk) hnsw_quant_query(h, &q);
    float entry_dist = q.quant ? hnsw_quant_dist(h, &q, h->entry) : hnsw_dist_query(h, &q, h->entry);
    hnsw_cand eps[2] = {{entry_dist, h->entry}};
    eps[1] = eps[0];
    uint64_t distances = 1;
    for (uint32_t level = h->top_level; level > 0; level--) {
        eps[0] = hnsw_greedy(h, &q, eps[0], level, &distances);
    }
    hnsw_layer_req req = {.level = 0, .ef = ef, .accept = HNSW_ACCEPT_LIVE,
                          .filter = opts->filter, .filter_ctx = opts->filter_ctx,
                          .filter_prefetch = opts->filter_prefetch};
    if (opts->distance_budget != 0) {
        req.distance_budget = opts->distance_budget > distances ? opts->distance_budget - distances
                                                                : 1;
    }
    hnsw_layer_out out = {0};
    hnsw_search_layer(h, &q, eps, 2, &req, &out);

    /* W holds at most ef results; the k nearest of them, nearest first. */
    uint32_t n = h->results.count;
    hnsw_reserve_work(h, n);
    for (uint32_t i = n; i > 0; i--) h->work[i - 1] = hnsw_maxheap_pop(&h->results);
    if (q.quant) { /* only exactly scored candidates are returned */
        n = hnsw_quant_rerank(h, &q, opts->k, n);
        stats->reranked = n;
    }
    uint32_t count = n < opts->k ? n : opts->k;
    for (uint32_t i = 0; i < count; i++) {
        hits[i].slot = h->work[i].slot;
        hits[i].distance = hnsw_sql_distance(h, h->work[i].dist);
    }
    stats->hit_count = count;
    stats->distances = distances + out.distances + stats->reranked;
    stats->visited = out.visited;
    stats->filter_calls = out.filter_calls;
    if (count >= opts->k) {
        stats->status = ENG_HNSW_FOUND_K;
    } else if (out.budget_hit || out.seen < h->nodes) {
        stats->status = ENG_HNSW_SHORT;
    }
    return true;
}
