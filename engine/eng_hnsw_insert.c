/* eng_hnsw_insert.c: INSERT (Algorithm 1) and SELECT-NEIGHBORS-HEURISTIC (Algorithm 4).
 *
 * A new node draws its level from floor(-ln(U) * mL) with mL = 1 / ln(m) (section 4.1), from a
 * per-graph seeded generator, so a test that inserts the same slots in the same order gets the
 * same graph. It descends greedily from the entry point to its own level, then on each level
 * down to 0 runs SEARCH-LAYER with ef_construction, picks its neighbours with the heuristic
 * (up to Mmax0 = 2m at level 0, as pgvector, and m above) and adds the reverse links; a
 * neighbour whose list overflows is shrunk with the same heuristic.
 *
 * Dead and dying nodes (deleted rows not yet vacuumed) are walked through but not chosen as
 * neighbours: links to them would only be removed again by vacuum. If no live node is near (a
 * table whose rows were all deleted), the new node links to what is there, so it stays
 * reachable from the entry point. */
#include <math.h>

#include "engine/eng_hnsw_int.h"

/* splitmix64: small, fast, and good enough to draw levels from. */
static uint64_t hnsw_rng_next(eng_hnsw *h) {
    uint64_t z = (h->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t hnsw_draw_height(eng_hnsw *h) {
    double u = (double)((hnsw_rng_next(h) >> 11) + 1) * 0x1.0p-53; /* (0, 1] */
    double level = floor(-log(u) * h->level_mult);
    if (level > ENG_HNSW_LEVEL_MAX) level = ENG_HNSW_LEVEL_MAX;
    return (uint32_t)level + 1;
}

/* ---- Algorithm 4 ------------------------------------------------------------------------- */

uint32_t hnsw_select_neighbors(eng_hnsw *h, const hnsw_cand *in, uint32_t count, uint32_t max,
                               hnsw_cand *out, uint64_t *distances) {
    const float *kept_vecs[2 * ENG_HNSW_M_MAX];
    float kept_inv[2 * ENG_HNSW_M_MAX];
    RT_ASSERT(max <= 2 * ENG_HNSW_M_MAX);
    bool l2 = h->params.metric == ENG_HNSW_L2;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < count && kept < max; i++) {
        hnsw_cand c = in[i];
        const float *v = hnsw_vec(h, c.slot);
        float inv = hnsw_inv_norm(h, c.slot);
        bool good = true;
        for (uint32_t j = 0; j < kept && good; j++) {
            float raw = l2 ? eng_dist_l2sq(v, kept_vecs[j], h->dims)
                           : eng_dist_dot(v, kept_vecs[j], h->dims);
            (*distances)++;
            /* c is nearer to a kept neighbour than to the base: that neighbour covers it */
            good = !(hnsw_dist_finish(h, raw, inv, kept_inv[j]) < c.dist);
        }
        if (!good) continue;
        kept_vecs[kept] = v;
        kept_inv[kept] = inv;
        out[kept++] = c; /* kept <= i: writing in place never overwrites unread input */
    }
    return kept;
}

void hnsw_indegree_inc(eng_hnsw *h, uint32_t slot) {
    (*hnsw_indegree(h, slot))++;
}

void hnsw_indegree_dec(eng_hnsw *h, uint32_t slot) {
    uint32_t *d = hnsw_indegree(h, slot);
    RT_ASSERT(*d > 0);
    if (--*d != 0) return;
    hnsw_reserve_orphans(h, h->orphan_count + 1);
    h->orphans[h->orphan_count++] = slot;
}

void hnsw_list_write(eng_hnsw *h, uint32_t slot, uint32_t level, const hnsw_cand *sel,
                     uint32_t count) {
    RT_ASSERT(count <= hnsw_list_cap(h, level));
    uint32_t *list = hnsw_list(h, slot, level);
    if (level == 0) {
        /* count the new links first, so a node kept in the list never looks orphaned */
        for (uint32_t i = 0; i < count; i++) hnsw_indegree_inc(h, sel[i].slot);
        for (uint32_t i = 1; i <= list[0]; i++) hnsw_indegree_dec(h, list[i]);
        h->edges_level0 = h->edges_level0 - list[0] + count;
    }
    for (uint32_t i = 0; i < count; i++) {
        RT_ASSERT(sel[i].slot != slot);
        list[1 + i] = sel[i].slot;
    }
    list[0] = count;
}

/* An orphan gets a level-0 link from one of its own neighbours (they are near it, so the link
 * is a useful one): appended where there is room, else replacing the neighbour's link to a
 * node that other lists name as well, so no new orphan is made. */
static void hnsw_rescue(eng_hnsw *h, uint32_t x) {
    const uint32_t *out = hnsw_list(h, x, 0);
    for (uint32_t i = 1; i <= out[0]; i++) {
        uint32_t n = out[i];
        if (hnsw_flags(h, n) & HNSW_DYING) continue;
        uint32_t *list = hnsw_list(h, n, 0);
        if (list[0] < h->m0) {
            list[++list[0]] = x;
            h->edges_level0++;
            hnsw_indegree_inc(h, x);
            return;
        }
        uint32_t best = 0, best_degree = 1;
        for (uint32_t j = 1; j <= list[0]; j++) {
            uint32_t d = *hnsw_indegree(h, list[j]);
            if (d > best_degree) {
                best = j;
                best_degree = d;
            }
        }
        if (best == 0) continue;
        hnsw_indegree_inc(h, x);
        hnsw_indegree_dec(h, list[best]); /* stays >= 1 */
        list[best] = x;
        return;
    }
}

void hnsw_rescue_orphans(eng_hnsw *h) {
    while (h->orphan_count > 0) {
        uint32_t x = h->orphans[--h->orphan_count];
        if (hnsw_height(h, x) == 0 || x == h->entry || *hnsw_indegree(h, x) != 0) continue;
        if (hnsw_flags(h, x) & (HNSW_DEAD | HNSW_DYING)) continue;
        hnsw_rescue(h, x);
    }
}

/* Adds the link e -> added at `level` (Algorithm 1, lines 11-16): appended if there is room,
 * else e's list is rebuilt by the heuristic from its current neighbours plus the new one. */
static void hnsw_add_link(eng_hnsw *h, uint32_t e, hnsw_cand added, uint32_t level,
                          uint64_t *distances) {
    uint32_t *list = hnsw_list(h, e, level);
    uint32_t cap = hnsw_list_cap(h, level);
    for (uint32_t i = 1; i <= list[0]; i++) {
        if (list[i] == added.slot) return; /* already linked (a relinked node) */
    }
    if (list[0] < cap) {
        list[++list[0]] = added.slot;
        if (level == 0) {
            h->edges_level0++;
            hnsw_indegree_inc(h, added.slot);
        }
        return;
    }
    hnsw_query q = hnsw_query_of(h, e);
    uint32_t n = hnsw_score_list(h, &q, e, level, false);
    *distances += n;
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (hnsw_flags(h, h->ids[i]) & (HNSW_DEAD | HNSW_DYING)) continue;
        h->shrink[count++] = (hnsw_cand){h->dists[i], h->ids[i]};
    }
    h->shrink[count++] = added;
    hnsw_cand_sort(h->shrink, count);
    uint32_t kept = hnsw_select_neighbors(h, h->shrink, count, cap, h->shrink, distances);
    hnsw_list_write(h, e, level, h->shrink, kept);
}

/* SEARCH-LAYER for linking: live nodes only, or anything vacuum keeps when none is near.
 * Leaves W sorted ascending in h->work; returns its size. */
static uint32_t hnsw_link_candidates(eng_hnsw *h, const hnsw_query *q, const hnsw_cand *eps,
                                     uint32_t ep_count, uint32_t level, uint64_t *distances) {
    hnsw_layer_req req = {.level = level, .ef = h->params.ef_construction,
                          .accept = HNSW_ACCEPT_LIVE};
    hnsw_layer_out out = {0};
    hnsw_search_layer(h, q, eps, ep_count, &req, &out);
    if (h->results.count == 0) {
        req.accept = HNSW_ACCEPT_NOT_DYING;
        hnsw_search_layer(h, q, eps, ep_count, &req, &out);
    }
    *distances += out.distances;
    uint32_t n = h->results.count;
    hnsw_reserve_work(h, n);
    for (uint32_t i = n; i > 0; i--) h->work[i - 1] = hnsw_maxheap_pop(&h->results);
    return n;
}

uint64_t hnsw_connect(eng_hnsw *h, uint32_t slot) {
    RT_ASSERT(h->entry != ENG_HNSW_SLOT_NONE && h->entry != slot);
    hnsw_query q = hnsw_query_of(h, slot);
    uint32_t level = hnsw_height(h, slot) - 1;
    uint64_t distances = 1;
    hnsw_cand ep = {hnsw_dist_query(h, &q, h->entry), h->entry};
    for (uint32_t l = h->top_level; l > level; l--) ep = hnsw_greedy(h, &q, ep, l, &distances);

    const hnsw_cand *eps = &ep;
    uint32_t ep_count = 1;
    for (uint32_t l = level < h->top_level ? level : h->top_level; l != UINT32_MAX; l--) {
        uint32_t n = hnsw_link_candidates(h, &q, eps, ep_count, l, &distances);
        if (n == 0) continue; /* every node near is being vacuumed; relinked afterwards */
        uint32_t kept = hnsw_select_neighbors(h, h->work, n, hnsw_list_cap(h, l), h->sel,
                                              &distances);
        hnsw_list_write(h, slot, l, h->sel, kept);
        for (uint32_t i = 0; i < kept; i++) {
            hnsw_cand back = {h->sel[i].dist, slot};
            hnsw_add_link(h, h->sel[i].slot, back, l, &distances);
        }
        eps = h->work; /* W is the next level's entry set (line 17) */
        ep_count = n;
    }
    if (*hnsw_indegree(h, slot) == 0) {
        hnsw_reserve_orphans(h, h->orphan_count + 1);
        h->orphans[h->orphan_count++] = slot;
    }
    hnsw_rescue_orphans(h);
    return distances;
}

/* Makes `x` reachable at level 0 from the nearest node a search from the entry point finds:
 * the first link is forced (appended, or replacing that node's farthest link), so it holds
 * even where the heuristic would prune it. Returns the distances computed. */
static uint64_t hnsw_force_link(eng_hnsw *h, uint32_t e, uint32_t x) {
    uint32_t *list = hnsw_list(h, e, 0);
    for (uint32_t i = 1; i <= list[0]; i++) {
        if (list[i] == x) return 0;
    }
    hnsw_indegree_inc(h, x);
    if (list[0] < h->m0) {
        list[++list[0]] = x;
        h->edges_level0++;
        return 0;
    }
    uint32_t far = 1;
    float far_dist = -INFINITY;
    for (uint32_t i = 1; i <= list[0]; i++) {
        float d = hnsw_dist_nodes(h, e, list[i]);
        if (d > far_dist) {
            far = i;
            far_dist = d;
        }
    }
    hnsw_indegree_dec(h, list[far]); /* an orphan made here is rescued by the caller */
    list[far] = x;
    return list[0];
}

uint64_t hnsw_link_from_entry(eng_hnsw *h, uint32_t x) {
    RT_ASSERT(h->entry != ENG_HNSW_SLOT_NONE && h->entry != x);
    hnsw_query q = hnsw_query_of(h, x);
    hnsw_cand ep = {hnsw_dist_query(h, &q, h->entry), h->entry};
    uint64_t distances = 1;
    /* level 0 only: W then holds nodes the entry point reaches at level 0 */
    uint32_t n = hnsw_link_candidates(h, &q, &ep, 1, 0, &distances);
    if (n == 0) {
        h->work[0] = ep; /* nothing else survives near: the entry point links to it */
        n = 1;
    }
    uint32_t nearest = h->work[0].slot;
    uint32_t kept = hnsw_select_neighbors(h, h->work, n, h->m0, h->sel, &distances);
    for (uint32_t i = 0; i < kept; i++) {
        hnsw_add_link(h, h->sel[i].slot, (hnsw_cand){h->sel[i].dist, x}, 0, &distances);
    }
    distances += hnsw_force_link(h, nearest, x);
    hnsw_rescue_orphans(h);
    return distances;
}

bool hnsw_insert_counted(eng_hnsw *h, uint32_t slot, uint64_t *distances, rt_err *err) {
    if (slot >= ENG_HNSW_SLOTS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "row slot %u is beyond the hnsw limit of %u slots", slot,
                          ENG_HNSW_SLOTS_MAX);
    }
    if (hnsw_height(h, slot) != 0) return true;
    const float *v = h->vec(h->vec_ctx, slot);
    if (v == NULL) return true;
    float inv_norm = 1.0f;
    if (h->params.metric == ENG_HNSW_COSINE) {
        double norm_sq = eng_dist_norm_sq(v, h->dims);
        if (!(norm_sq > 0.0)) return true;
        inv_norm = (float)(1.0 / sqrt(norm_sq));
    }
    uint32_t height = hnsw_draw_height(h);
    if (!hnsw_node_alloc(h, slot, height, err)) return false;
    h->chunks[slot >> HNSW_CHUNK_SHIFT]->inv_norm[slot & HNSW_CHUNK_MASK] = inv_norm;
    if (hnsw_quant_encodes_new(h)) hnsw_quant_encode(h, slot);
    if (h->entry == ENG_HNSW_SLOT_NONE) {
        h->entry = slot;
        h->top_level = height - 1;
    } else {
        *distances += hnsw_connect(h, slot);
        if (height - 1 > h->top_level) {
            h->entry = slot;
            h->top_level = height - 1;
        }
    }
    hnsw_quant_maybe_start(h);
    hnsw_quant_slice(h);
    return true;
}

bool eng_hnsw_insert(eng_hnsw *h, uint32_t slot, rt_err *err) {
    uint64_t distances = 0;
    return hnsw_insert_counted(h, slot, &distances, err);
}
