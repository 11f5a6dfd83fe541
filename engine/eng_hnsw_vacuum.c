/* eng_hnsw_vacuum.c: marking nodes dead and removing them for good.
 *
 * A deleted row version stays in the graph as a bridge until vacuum removes it. Removal runs in
 * phases, and the shard may run searches and inserts on this graph whenever vacuum yields, so
 * every phase ends, and every yield happens, with a graph that is consistent to walk:
 *   1. choose: every node marked dead or reported dead by the caller's predicate is flagged
 *      DYING. From then on no insert links to it (insert only chooses non-dying neighbours).
 *   2. repair: every surviving node with a DYING neighbour at some level gets that list rebuilt
 *      from its surviving neighbours plus the neighbours of its dying ones (walking on through
 *      dying nodes for a bounded number of steps), with the heuristic of Algorithm 4. A node
 *      inserted during phase 1 may have linked to a node that was flagged later, so this phase
 *      scans up to the current end of the graph, new nodes included.
 *   3. entry point: if the entry point is dying, the surviving node with the highest level
 *      takes its place (the graph loses the levels above it).
 *   4. free: no surviving list and not the entry point names a dying node any more, so no walk
 *      can reach one. Survivors that only dying nodes linked to are first given a link from
 *      one of their own neighbours; then the dying nodes are freed and their slots reported.
 *   5. relink: a surviving node left without any level-0 neighbour (all of them went, or it
 *      was inserted while everything near it was dying) is linked again like a new node; one
 *      that no list names any more is rescued as in phase 4. An entry point left without
 *      level-0 neighbours steps down for the pass and takes its place back when the pass
 *      reaches it, even if something linked to it meanwhile.
 *   6. reach: every live node the entry point does not reach through level-0 links is linked
 *      from nodes a search from the entry point finds (in-degree alone cannot see islands).
 * Searches during phases 1-3 may walk through dying nodes; they never return them. */
#include <string.h>

#include "engine/eng_hnsw_int.h"
#include "runtime/rt_mem.h"

/* Dying nodes walked through to find replacement neighbours for one list: enough to get past
 * clusters of deletions, bounded so one repair stays a small slice of work. Under a steady
 * UPDATE load a third of the nodes die between passes and most lists need repair; 8 (up to
 * 8 x 2m candidates) keeps recall@10 after 30% deletes at the level 64 gave (0.968 in
 * test_eng_vacuum) at a quarter of the repair cost (bench/RESULTS.md, Vacuum). */
#define HNSW_REPAIR_EXPAND_MAX 8u

void eng_hnsw_mark_dead(eng_hnsw *h, uint32_t slot) {
    hnsw_chunk *c = hnsw_chunk_of(h, slot);
    uint32_t i = slot & HNSW_CHUNK_MASK;
    if (c == NULL || c->height[i] == 0 || (c->flags[i] & HNSW_DEAD)) return;
    c->flags[i] |= HNSW_DEAD;
    h->dead++;
}

static bool hnsw_dying(const eng_hnsw *h, uint32_t slot) {
    return (hnsw_flags(h, slot) & HNSW_DYING) != 0;
}

/* Phase 1. Returns the number of nodes flagged. */
static uint64_t hnsw_vacuum_choose(eng_hnsw *h, const eng_hnsw_vacuum_opts *opts,
                                   hnsw_yielder *y) {
    uint64_t dying = 0;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK; /* skip the rest of an empty chunk */
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        if (c->height[i] == 0) continue;
        bool dead = (c->flags[i] & HNSW_DEAD) != 0;
        if (!dead && opts->is_dead != NULL) dead = opts->is_dead(opts->dead_ctx, slot);
        if (dead) {
            c->flags[i] |= HNSW_DYING;
            dying++;
        }
        hnsw_yield_count(y, 1);
    }
    return dying;
}

/* Appends `slot` to the repair's candidate list (h->work) unless seen already. */
static void hnsw_repair_offer(eng_hnsw *h, uint32_t slot, uint32_t *count) {
    if (!hnsw_visit(h, slot)) return;
    hnsw_reserve_work(h, *count + 1);
    h->work[(*count)++] = (hnsw_cand){0.0f, slot};
}

/* Rebuilds the list of `slot` at `level` without its dying neighbours (phase 2). Candidates:
 * the surviving neighbours, and the survivors among the neighbours of the dying ones, walking
 * on through dying nodes up to HNSW_REPAIR_EXPAND_MAX of them. */
static void hnsw_repair_list(eng_hnsw *h, uint32_t slot, uint32_t level, uint64_t *distances) {
    uint32_t queue[HNSW_REPAIR_EXPAND_MAX];
    uint32_t queued = 0, expanded = 0, count = 0;
    hnsw_new_epoch(h);
    hnsw_visit(h, slot);
    for (uint32_t next = slot;;) {
        const uint32_t *list = hnsw_list(h, next, level);
        for (uint32_t i = 1; i <= list[0]; i++) {
            uint32_t e = list[i];
            if (!hnsw_dying(h, e)) {
                hnsw_repair_offer(h, e, &count);
            } else if (queued < HNSW_REPAIR_EXPAND_MAX && hnsw_visit(h, e)) {
                queue[queued++] = e;
            }
        }
        if (expanded == queued) break;
        next = queue[expanded++];
    }
    /* score every candidate against the node, nearest first, then Algorithm 4 */
    hnsw_query q = hnsw_query_of(h, slot);
    hnsw_reserve_ids(h, count);
    for (uint32_t i = 0; i < count; i++) h->vecs[i] = hnsw_vec(h, h->work[i].slot);
    if (count > 0) {
        if (h->params.metric == ENG_HNSW_L2) {
            eng_dist_active->l2sq_ptrs(q.vec, h->vecs, count, h->dims, h->dists);
        } else {
            eng_dist_active->dot_ptrs(q.vec, h->vecs, count, h->dims, h->dists);
        }
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t e = h->work[i].slot;
        h->work[i].dist = hnsw_dist_finish(h, h->dists[i], q.inv_norm, hnsw_inv_norm(h, e));
    }
    *distances += count;
    hnsw_cand_sort(h->work, count);
    uint32_t kept = hnsw_select_neighbors(h, h->work, count, hnsw_list_cap(h, level), h->work,
                                          distances);
    hnsw_list_write(h, slot, level, h->work, kept);
}

static bool hnsw_list_names_dying(const eng_hnsw *h, uint32_t slot, uint32_t level) {
    const uint32_t *list = hnsw_list(h, slot, level);
    for (uint32_t i = 1; i <= list[0]; i++) {
        if (hnsw_dying(h, list[i])) return true;
    }
    return false;
}

/* Phase 2. */
static void hnsw_vacuum_repair(eng_hnsw *h, hnsw_yielder *y, eng_hnsw_vacuum_stats *stats) {
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        uint32_t height = c->height[i];
        if (height == 0 || (c->flags[i] & HNSW_DYING)) continue;
        uint64_t distances = 0;
        for (uint32_t level = 0; level < height; level++) {
            if (!hnsw_list_names_dying(h, slot, level)) continue;
            hnsw_repair_list(h, slot, level, &distances);
            stats->repaired++;
        }
        hnsw_rescue_orphans(h); /* survivors the new lists no longer name */
        stats->distances += distances;
        hnsw_yield_count(y, distances + 1);
    }
}

/* Phase 3: the highest surviving node (lowest slot among equals) becomes the entry point. */
static void hnsw_vacuum_entry(eng_hnsw *h, eng_hnsw_vacuum_stats *stats) {
    if (h->entry == ENG_HNSW_SLOT_NONE || !hnsw_dying(h, h->entry)) return;
    uint32_t best = ENG_HNSW_SLOT_NONE, best_height = 0;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        if (c->height[i] > best_height && !(c->flags[i] & HNSW_DYING)) {
            best = slot;
            best_height = c->height[i];
        }
    }
    h->entry = best;
    h->top_level = best_height > 0 ? best_height - 1 : 0;
    stats->entry_replaced = true;
}

/* Phase 4, first half: the links from dying nodes stop counting towards the in-degree of the
 * survivors they name, and survivors left with none are rescued. This runs before any slot is
 * freed (and possibly reused by the caller), while every dying list still means what it says. */
static void hnsw_vacuum_unlink(eng_hnsw *h, hnsw_yielder *y) {
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        if (c->height[i] == 0 || !(c->flags[i] & HNSW_DYING)) continue;
        const uint32_t *list = hnsw_list(h, slot, 0);
        for (uint32_t j = 1; j <= list[0]; j++) {
            if (!hnsw_dying(h, list[j])) hnsw_indegree_dec(h, list[j]);
        }
        hnsw_rescue_orphans(h);
        hnsw_yield_count(y, 1);
    }
}

/* Phase 4, second half. */
static void hnsw_vacuum_free(eng_hnsw *h, const eng_hnsw_vacuum_opts *opts, hnsw_yielder *y,
                             eng_hnsw_vacuum_stats *stats) {
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        if (c->height[i] == 0 || !(c->flags[i] & HNSW_DYING)) continue;
        hnsw_node_free(h, slot); /* may free the chunk: c is not used after this */
        stats->removed++;
        if (opts->freed != NULL) opts->freed(opts->freed_ctx, slot);
        hnsw_yield_count(y, 1);
    }
}

static uint32_t hnsw_level0_count(const eng_hnsw *h, uint32_t slot) {
    return hnsw_list(h, slot, 0)[0];
}

/* An entry point without level-0 neighbours would hide every other node: the highest node
 * that has some takes over, and the old one is relinked with the others. */
static void hnsw_vacuum_fix_entry(eng_hnsw *h, eng_hnsw_vacuum_stats *stats) {
    if (h->nodes <= 1 || hnsw_level0_count(h, h->entry) != 0) return;
    uint32_t best = ENG_HNSW_SLOT_NONE, best_height = 0;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t height = c->height[slot & HNSW_CHUNK_MASK];
        if (height > best_height && hnsw_level0_count(h, slot) != 0) {
            best = slot;
            best_height = height;
        }
    }
    if (best == ENG_HNSW_SLOT_NONE) return; /* all isolated: they link to the entry below */
    h->entry = best;
    h->top_level = best_height - 1;
    stats->entry_replaced = true;
}

/* Phase 5. */
static void hnsw_vacuum_relink(eng_hnsw *h, hnsw_yielder *y, eng_hnsw_vacuum_stats *stats) {
    if (h->entry == ENG_HNSW_SLOT_NONE) return;
    hnsw_vacuum_fix_entry(h, stats);
    for (uint32_t slot = 0; slot < h->slot_bound && h->nodes > 1; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        if (c->height[i] == 0 || slot == h->entry) continue;
        uint64_t distances = 0;
        bool empty = c->level0[(size_t)i * h->level0_stride] == 0;
        if (empty) {
            distances = hnsw_connect(h, slot);
            stats->relinked++;
            stats->distances += distances;
        } else if (c->indegree[i] == 0) {
            hnsw_reserve_orphans(h, h->orphan_count + 1); /* reachable by nothing */
            h->orphans[h->orphan_count++] = slot;
            hnsw_rescue_orphans(h);
        }
        /* A former entry point that fix_entry demoted takes its place back, whether or not it
         * got level-0 links before this loop reached it: a node relinked earlier in the loop
         * (or an insert or rescue while vacuum yielded) may have linked to it, and then it is
         * no longer empty, but it still tops the graph. */
        if (c->height[i] - 1u > h->top_level) {
            h->entry = slot;
            h->top_level = c->height[i] - 1u;
        }
        if (empty) hnsw_yield_count(y, distances);
    }
}

/* Phase 6. A level-0 search only finds what its start reaches by level-0 links, and in-degree
 * counts cannot show that: after lists are rebuilt by the heuristic (which prunes), a group of
 * nodes can end up linking only to each other, every one with in-degree >= 1 and none
 * reachable (an orphan rescued by its own neighbour makes such a pair). So the pass walks
 * level 0 from the entry point and links every live node it did not reach from nodes a
 * search from the entry point reaches, then walks on from it. A forced link may replace one
 * that made another node reachable, so walks repeat while they find any, at most this often;
 * what is left is found by the next pass. */
#define HNSW_REACH_ROUNDS_MAX 4u

typedef struct hnsw_reach {
    uint64_t *seen;   /* bit per slot below `bound` */
    uint32_t *queue;  /* slots reached and not yet expanded (each enters once) */
    uint32_t bound;   /* slot_bound when the round began: later nodes count as reached */
    uint32_t head, tail;
} hnsw_reach;

static void hnsw_reach_mark(hnsw_reach *r, uint32_t slot) {
    if (slot >= r->bound || (r->seen[slot >> 6] >> (slot & 63u)) & 1u) return;
    r->seen[slot >> 6] |= 1ull << (slot & 63u);
    r->queue[r->tail++] = slot;
}

/* Breadth-first over level-0 links from everything queued. Only vacuum frees nodes, so every
 * queued slot still has one when it is expanded, even across yields. */
static void hnsw_reach_walk(eng_hnsw *h, hnsw_reach *r, hnsw_yielder *y) {
    while (r->head < r->tail) {
        const uint32_t *list = hnsw_list(h, r->queue[r->head++], 0);
        for (uint32_t i = 1; i <= list[0]; i++) hnsw_reach_mark(r, list[i]);
        hnsw_yield_count(y, 1);
    }
}

/* One round: returns the number of nodes linked. */
static uint64_t hnsw_reach_round(eng_hnsw *h, hnsw_reach *r, hnsw_yielder *y,
                                 eng_hnsw_vacuum_stats *stats) {
    memset(r->seen, 0, ((size_t)r->bound + 63) / 64 * sizeof(uint64_t));
    r->head = r->tail = 0;
    hnsw_reach_mark(r, h->entry);
    hnsw_reach_walk(h, r, y);
    uint64_t linked = 0;
    for (uint32_t slot = 0; slot < r->bound && h->entry != ENG_HNSW_SLOT_NONE; slot++) {
        hnsw_chunk *c = hnsw_chunk_of(h, slot);
        if (c == NULL) {
            slot |= HNSW_CHUNK_MASK;
            continue;
        }
        uint32_t i = slot & HNSW_CHUNK_MASK;
        if (c->height[i] == 0 || (c->flags[i] & HNSW_DEAD) || slot == h->entry) continue;
        if ((r->seen[slot >> 6] >> (slot & 63u)) & 1u) continue;
        uint64_t distances = hnsw_link_from_entry(h, slot);
        linked++;
        stats->distances += distances;
        hnsw_yield_count(y, distances);
        hnsw_reach_mark(r, slot);
        hnsw_reach_walk(h, r, y);
    }
    stats->reconnected += linked;
    return linked;
}

static void hnsw_vacuum_reach(eng_hnsw *h, hnsw_yielder *y, eng_hnsw_vacuum_stats *stats) {
    if (h->entry == ENG_HNSW_SLOT_NONE || h->nodes <= 1) return;
    hnsw_reach r = {.bound = h->slot_bound};
    r.seen = rt_xcalloc(((size_t)r.bound + 63) / 64, sizeof(uint64_t));
    r.queue = rt_xmalloc((size_t)r.bound * sizeof(uint32_t));
    for (uint32_t round = 0; round < HNSW_REACH_ROUNDS_MAX; round++) {
        if (hnsw_reach_round(h, &r, y, stats) == 0) break;
    }
    rt_free(r.queue);
    rt_free(r.seen);
}

bool eng_hnsw_vacuum(eng_hnsw *h, const eng_hnsw_vacuum_opts *opts,
                     eng_hnsw_vacuum_stats *stats, rt_err *err) {
    RT_ASSERT(!h->vacuum_running && !h->save_running);
    (void)err; /* nothing here can fail today: no graph storage is allocated */
    memset(stats, 0, sizeof *stats);
    h->vacuum_running = true;
    hnsw_yielder y = {.yield = &opts->yield};
    if (hnsw_vacuum_choose(h, opts, &y) > 0) {
        hnsw_vacuum_repair(h, &y, stats);
        hnsw_vacuum_entry(h, stats);
        hnsw_vacuum_unlink(h, &y);
        hnsw_vacuum_free(h, opts, &y, stats);
    }
    hnsw_vacuum_relink(h, &y, stats);
    hnsw_vacuum_reach(h, &y, stats);
    h->vacuum_running = false;
    RT_VERIFY(hnsw_check(h));
    return true;
}
