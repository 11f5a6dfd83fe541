/* eng_hnsw_int.h: private layout and helpers of the HNSW module (eng_hnsw_*.c only).
 *
 * Layout. Nodes are addressed by slot, so the graph is a slot-indexed array split into chunks
 * of HNSW_CHUNK_SLOTS slots, allocated when a slot of theirs first gets a node and freed when
 * vacuum empties them; chunks never move, and the directory of chunk pointers grows by
 * doubling. A chunk holds, per slot: the node's height (level + 1; 0 = no node), flags, the
 * search's visited tag, the inverse norm (cosine), a pointer to the upper-level lists, and the
 * level-0 list inline. A list is [count, slot, slot, ...] with room for 2m slots at level 0 and
 * m above (the paper's Mmax0 and Mmax).
 *
 * Shared scratch. Heaps and buffers for one operation live in the graph and are reused, and
 * so are the visited tags: they belong to whichever operation runs, which is safe because no
 * operation yields while it uses them (vacuum yields only between node repairs). */
#ifndef ENG_HNSW_INT_H
#define ENG_HNSW_INT_H

#include <math.h>
#include <stdint.h>

#include "engine/eng_hnsw.h"
#include "runtime/rt_assert.h"

#define HNSW_CHUNK_SHIFT 9u
#define HNSW_CHUNK_SLOTS (1u << HNSW_CHUNK_SHIFT) /* 512 slots: ~70 KiB at m = 16 */
#define HNSW_CHUNK_MASK (HNSW_CHUNK_SLOTS - 1u)
#define HNSW_CACHE_LINE_BYTES 64u /* the step of prefetches over a neighbour list */
RT_STATIC_ASSERT(ENG_HNSW_SLOTS_MAX % HNSW_CHUNK_SLOTS == 0);
RT_STATIC_ASSERT(ENG_HNSW_LEVEL_MAX < 255); /* heights are bytes */
RT_STATIC_ASSERT(ENG_HNSW_SLOTS_MAX < ENG_HNSW_SLOT_NONE);

enum {
    HNSW_DEAD = 1u << 0,  /* marked dead by the caller: never returned, still walked */
    HNSW_DYING = 1u << 1, /* chosen by the running vacuum: no new links may name it */
};

typedef struct hnsw_chunk {
    uint32_t nodes;                        /* nodes in this chunk */
    uint8_t height[HNSW_CHUNK_SLOTS];      /* level + 1; 0 = no node */
    uint8_t flags[HNSW_CHUNK_SLOTS];       /* HNSW_DEAD, HNSW_DYING */
    uint32_t visit[HNSW_CHUNK_SLOTS];      /* == graph->visit_epoch: seen by this operation */
    uint32_t indegree[HNSW_CHUNK_SLOTS];   /* level-0 lists that name this node */
    float inv_norm[HNSW_CHUNK_SLOTS];      /* 1 / |v| (cosine), else 1 */
    uint32_t *upper[HNSW_CHUNK_SLOTS];     /* lists of levels 1..level back to back, or NULL */
    int8_t *codes; /* quantized graph: HNSW_CHUNK_SLOTS rows of quant.stride bytes (codes and
                    * sums, hnsw_quant_bytes); NULL before */
    uint32_t level0[];                     /* HNSW_CHUNK_SLOTS lists of stride level0_stride */
} hnsw_chunk;

/* A node with its distance to the current query (or base node). */
typedef struct hnsw_cand {
    float dist;
    uint32_t slot;
} hnsw_cand;

/* A binary heap of candidates: a min-heap (nearest on top) or a max-heap (farthest on top). */
typedef struct hnsw_heap {
    hnsw_cand *items;
    uint32_t count;
    uint32_t cap;
} hnsw_heap;

/* The query of one operation: its vector and, for cosine, its inverse norm. */
typedef struct hnsw_query {
    const float *vec;
    float inv_norm;
    uint32_t self; /* a slot never to be visited (the node being linked), or SLOT_NONE */
    bool quant;    /* scored with the int8 copy: codes in quant.query, their sums below */
    float term;    /* sum offset_d * code_d */
    int32_t sq;    /* sum code_d^2 */
    int32_t sum;   /* sum code_d */
} hnsw_query;

/* The int8 copy of the vectors (eng_hnsw_quant.c): element d of a node's vector u (for cosine
 * u = v / |v|) is kept as code_d in [-127, 127] with u_d ~ offset_d + scale * code_d. The
 * offset is per dimension (its mean) and the scale is one for the graph, so
 * the distance sums stay integer: |a - b|^2 ~ scale^2 sum (ca - cb)^2 and a.b ~ offset_sq +
 * scale (term_a + term_b) + scale^2 sum ca cb, with term = sum offset_d code_d per vector. */
/* The copy's one task at a time (eng_hnsw_quant.c), advanced a slice per insert and search. */
typedef enum hnsw_quant_task {
    HNSW_QUANT_IDLE = 0,
    HNSW_QUANT_LEARN,  /* sampling the range into `learn`; the codes in force stay as they are */
    HNSW_QUANT_ENCODE, /* writing every node's codes with the range in force; ready is false */
} hnsw_quant_task;

typedef struct hnsw_quant_learn hnsw_quant_learn;

typedef struct hnsw_quant {
    bool ready;       /* every node has codes of the range in force: a walk may use them */
    uint8_t task;     /* hnsw_quant_task */
    uint32_t cursor;  /* the task's next slot */
    hnsw_quant_learn *learn; /* the sums of a LEARN task, else NULL */
    uint32_t kernel_bytes; /* bytes the kernel sums: dims rounded up to a block, padded */
    uint32_t stride;  /* bytes per node: the codes and their sums, in whole lines */
    float scale;
    float offset_sq;  /* sum offset_d^2 */
    float *offset;    /* dims; non-NULL once started: every chunk then has codes */
    uint64_t trained_nodes; /* nodes in the graph when the range was last learnt */
    int8_t *query;    /* the running search's query codes (stride bytes) */
} hnsw_quant;

/* What search_layer (Algorithm 2) may put in its result set W. */
typedef enum hnsw_accept {
    HNSW_ACCEPT_LIVE = 1, /* no DEAD or DYING flag; and the filter, if any */
    HNSW_ACCEPT_NOT_DYING,  /* anything vacuum keeps (fallback when no live node is near) */
} hnsw_accept;

typedef struct hnsw_layer_req {
    uint32_t level;
    uint32_t ef;
    hnsw_accept accept;
    eng_hnsw_filter_fn filter;
    void *filter_ctx;
    eng_hnsw_prefetch_fn filter_prefetch; /* NULL or the filter's hint */
    uint64_t distance_budget; /* 0 = none */
} hnsw_layer_req;

typedef struct hnsw_layer_out {
    uint64_t distances;
    uint64_t visited;      /* nodes expanded */
    uint64_t seen;         /* nodes whose distance was computed (distinct) */
    uint64_t filter_calls;
    bool budget_hit;
} hnsw_layer_out;

struct eng_hnsw {
    eng_hnsw_params params; /* defaults filled in */
    eng_hnsw_vec_fn vec;
    void *vec_ctx;
    eng_hnsw_prefetch_fn vec_prefetch; /* NULL or the accessor's hint (vec_ctx) */
    uint32_t dims;
    uint32_t m;              /* Mmax at levels >= 1 */
    uint32_t m0;             /* Mmax0 = 2m at level 0 */
    uint32_t level0_stride;  /* 1 + m0 */
    uint32_t upper_stride;   /* 1 + m */
    double level_mult;       /* mL = 1 / ln(m) (section 4.1) */
    hnsw_quant quant;
    uint64_t rng;            /* splitmix64 state for levels */

    hnsw_chunk **chunks;
    uint32_t chunk_cap;      /* entries in `chunks` */
    uint32_t slot_bound;     /* every node's slot is below this */

    uint32_t entry;          /* entry point (a node of the top level), or SLOT_NONE */
    uint32_t top_level;
    uint64_t nodes;
    uint64_t dead;
    uint64_t edges_level0;

    uint64_t bytes;          /* everything this graph allocated */
    uint32_t visit_epoch;

    /* scratch of the running operation (see the file comment) */
    hnsw_heap cands;         /* Algorithm 2's C */
    hnsw_heap results;       /* Algorithm 2's W */
    hnsw_cand *work;         /* W sorted, or any candidate list of one operation */
    uint32_t work_cap;
    hnsw_cand *sel;          /* neighbours chosen for the node being linked (<= m0) */
    hnsw_cand *shrink;       /* a neighbour's list being shrunk (<= m0 + 1) */
    uint32_t *orphans;       /* nodes whose level-0 in-degree fell to 0 (to rescue) */
    uint32_t orphan_count;
    uint32_t orphan_cap;
    uint32_t *ids;           /* neighbours being scored */
    const float **vecs;
    float *dists;
    uint32_t ids_cap;

    bool vacuum_running;
    bool save_running;
};

/* ---- node access ------------------------------------------------------------------------- */

static inline hnsw_chunk *hnsw_chunk_of(const eng_hnsw *h, uint32_t slot) {
    uint32_t c = slot >> HNSW_CHUNK_SHIFT;
    return c < h->chunk_cap ? h->chunks[c] : NULL;
}

/* Height of the node (level + 1), 0 when the slot has none. */
static inline uint32_t hnsw_height(const eng_hnsw *h, uint32_t slot) {
    hnsw_chunk *c = hnsw_chunk_of(h, slot);
    return c == NULL ? 0 : c->height[slot & HNSW_CHUNK_MASK];
}

static inline uint8_t hnsw_flags(const eng_hnsw *h, uint32_t slot) {
    return h->chunks[slot >> HNSW_CHUNK_SHIFT]->flags[slot & HNSW_CHUNK_MASK];
}

/* The list of `slot` at `level`: list[0] is the count, list[1..count] the neighbours. */
static inline uint32_t *hnsw_list(const eng_hnsw *h, uint32_t slot, uint32_t level) {
    hnsw_chunk *c = h->chunks[slot >> HNSW_CHUNK_SHIFT];
    uint32_t i = slot & HNSW_CHUNK_MASK;
    if (level == 0) return c->level0 + (size_t)i * h->level0_stride;
    return c->upper[i] + (size_t)(level - 1) * h->upper_stride;
}

static inline uint32_t hnsw_list_cap(const eng_hnsw *h, uint32_t level) {
    return level == 0 ? h->m0 : h->m;
}

static inline const float *hnsw_vec(const eng_hnsw *h, uint32_t slot) {
    const float *v = h->vec(h->vec_ctx, slot);
    RT_ASSERT(v != NULL); /* the column store keeps a node's vector until vacuum frees it */
    return v;
}

/* Starts loading the per-node fields a walk reads of a neighbour before its distance: the
 * visited tag and, for a float distance, the inverse norm (each in its own array of the
 * chunk). */
static inline void hnsw_prefetch_node(const eng_hnsw *h, uint32_t slot, bool quant) {
    const hnsw_chunk *c = h->chunks[slot >> HNSW_CHUNK_SHIFT];
    __builtin_prefetch(&c->visit[slot & HNSW_CHUNK_MASK]);
    if (!quant) __builtin_prefetch(&c->inv_norm[slot & HNSW_CHUNK_MASK]);
}

/* Marks `slot` seen by the running operation; false if it already was. */
static inline bool hnsw_visit(eng_hnsw *h, uint32_t slot) {
    hnsw_chunk *c = h->chunks[slot >> HNSW_CHUNK_SHIFT];
    uint32_t *tag = &c->visit[slot & HNSW_CHUNK_MASK];
    if (*tag == h->visit_epoch) return false;
    *tag = h->visit_epoch;
    return true;
}

static inline uint32_t *hnsw_indegree(const eng_hnsw *h, uint32_t slot) {
    return &h->chunks[slot >> HNSW_CHUNK_SHIFT]->indegree[slot & HNSW_CHUNK_MASK];
}

/* ---- distances ----------------------------------------------------------------------------- */

/* Turns a raw kernel result into the ordering distance: squared L2, 1 - cos, or -dot. NaN (an
 * overflow to inf - inf) sorts last, so the heaps stay ordered. */
static inline float hnsw_dist_finish(const eng_hnsw *h, float raw, float inv_a, float inv_b) {
    float d;
    switch (h->params.metric) {
    case ENG_HNSW_L2:
        d = raw;
        break;
    case ENG_HNSW_IP:
        d = -raw;
        break;
    default:
        d = 1.0f - raw * inv_a * inv_b;
        break;
    }
    return isnan(d) ? INFINITY : d;
}

static inline float hnsw_inv_norm(const eng_hnsw *h, uint32_t slot) {
    return h->chunks[slot >> HNSW_CHUNK_SHIFT]->inv_norm[slot & HNSW_CHUNK_MASK];
}

/* Distance from the query to one node. */
static inline float hnsw_dist_query(const eng_hnsw *h, const hnsw_query *q, uint32_t slot) {
    const float *v = hnsw_vec(h, slot);
    float raw = h->params.metric == ENG_HNSW_L2 ? eng_dist_l2sq(q->vec, v, h->dims)
                                                : eng_dist_dot(q->vec, v, h->dims);
    return hnsw_dist_finish(h, raw, q->inv_norm, hnsw_inv_norm(h, slot));
}

/* Distance between two nodes. */
static inline float hnsw_dist_nodes(const eng_hnsw *h, uint32_t a, uint32_t b) {
    const float *va = hnsw_vec(h, a);
    const float *vb = hnsw_vec(h, b);
    float raw = h->params.metric == ENG_HNSW_L2 ? eng_dist_l2sq(va, vb, h->dims)
                                                : eng_dist_dot(va, vb, h->dims);
    return hnsw_dist_finish(h, raw, hnsw_inv_norm(h, a), hnsw_inv_norm(h, b));
}

/* The query of node `slot` itself (linking it, repairing its lists). */
static inline hnsw_query hnsw_query_of(const eng_hnsw *h, uint32_t slot) {
    hnsw_query q = {.vec = hnsw_vec(h, slot), .inv_norm = hnsw_inv_norm(h, slot), .self = slot};
    return q;
}

/* ---- shared internals ---------------------------------------------------------------------- */

/* eng_hnsw_build.c: allocation with accounting */
void *hnsw_alloc(eng_hnsw *h, size_t bytes);
void *hnsw_zalloc(eng_hnsw *h, size_t bytes);
void hnsw_free(eng_hnsw *h, void *p, size_t bytes);
bool hnsw_check_memory(const eng_hnsw *h, size_t more_bytes, rt_err *err);
size_t hnsw_chunk_bytes(const eng_hnsw *h);
size_t hnsw_upper_bytes(const eng_hnsw *h, uint32_t height);
bool hnsw_node_alloc(eng_hnsw *h, uint32_t slot, uint32_t height, rt_err *err);
void hnsw_node_free(eng_hnsw *h, uint32_t slot);
void hnsw_reserve_work(eng_hnsw *h, uint32_t count);
void hnsw_reserve_ids(eng_hnsw *h, uint32_t count);
void hnsw_reserve_orphans(eng_hnsw *h, uint32_t count);
void hnsw_new_epoch(eng_hnsw *h);
bool hnsw_check(const eng_hnsw *h);
eng_hnsw *hnsw_new(const eng_hnsw_params *params, rt_err *err, eng_hnsw_vec_fn vec,
                   void *vec_ctx);

/* Counts operations for eng_hnsw_yield and calls it every `every`. */
typedef struct hnsw_yielder {
    const eng_hnsw_yield *yield;
    uint64_t since;
} hnsw_yielder;
void hnsw_yield_count(hnsw_yielder *y, uint64_t ops);

/* eng_hnsw_search.c: heaps and Algorithm 2 */
void hnsw_heap_reserve(eng_hnsw *h, hnsw_heap *heap, uint32_t cap);
void hnsw_minheap_push(eng_hnsw *h, hnsw_heap *heap, hnsw_cand c);
hnsw_cand hnsw_minheap_pop(hnsw_heap *heap);
void hnsw_maxheap_push(eng_hnsw *h, hnsw_heap *heap, hnsw_cand c);
hnsw_cand hnsw_maxheap_pop(hnsw_heap *heap);
void hnsw_cand_sort(hnsw_cand *c, uint32_t count);
/* Greedy descent through one level (Algorithm 2 with ef = 1): the nearest node found. */
hnsw_cand hnsw_greedy(eng_hnsw *h, const hnsw_query *q, hnsw_cand ep, uint32_t level,
                      uint64_t *distances);
/* Algorithm 2: fills h->results (a max-heap of at most req->ef) from the entry points. */
void hnsw_search_layer(eng_hnsw *h, const hnsw_query *q, const hnsw_cand *eps, uint32_t ep_count,
                       const hnsw_layer_req *req, hnsw_layer_out *out);

/* Fills h->ids/vecs/dists with the unvisited (if `unvisited_only`) neighbours of `slot` at
 * `level` and their distances to q; returns how many. */
uint32_t hnsw_score_list(eng_hnsw *h, const hnsw_query *q, uint32_t slot, uint32_t level,
                         bool unvisited_only);
/* Fills h->dists with the float distances of h->ids[0..n) to q. */
void hnsw_score_ids(eng_hnsw *h, const hnsw_query *q, uint32_t n);

/* eng_hnsw_quant.c: the int8 copy */
#define HNSW_QUANT_ALIGN 64u /* a node's codes fill whole cache lines (and kernel blocks) */
/* Bytes of one chunk's rows. */
size_t hnsw_quant_bytes(const eng_hnsw *h);
/* Starts the int8 copy's task once the graph is large enough (params.quant_min_elems), or
 * again when it has doubled since the range was learnt: the task learns the offsets and scale
 * from the nodes present, then encodes them all (hnsw_quant_step). Without memory for the
 * copy the graph simply stays unquantized. */
void hnsw_quant_maybe_start(eng_hnsw *h);
/* Advances the task by up to `elems` vector elements read; true when none is left. */
bool hnsw_quant_step(eng_hnsw *h, uint64_t elems);
/* One slice of the task (params.quant_slice_elems), if there is one. */
void hnsw_quant_slice(eng_hnsw *h);
/* The chunks have codes (the copy started). */
static inline bool hnsw_quant_on(const eng_hnsw *h) {
    return h->quant.offset != NULL;
}
/* A node inserted now gets its codes at once: the walk uses them, or the encoding task has
 * its range (and may have passed the slot). */
static inline bool hnsw_quant_encodes_new(const eng_hnsw *h) {
    return h->quant.ready || h->quant.task == HNSW_QUANT_ENCODE;
}
/* Encodes the vector of `slot` (its chunk has codes; its inverse norm is set). */
void hnsw_quant_encode(eng_hnsw *h, uint32_t slot);
/* Every node's codes are those of the range in force (DB_VERIFY's check of a ready copy). */
bool hnsw_quant_check(const eng_hnsw *h);
/* Encodes q's vector into quant.query and sets q->quant and its sums. */
void hnsw_quant_query(eng_hnsw *h, hnsw_query *q);
/* The approximate ordering distance from a quantized query to one node. */
float hnsw_quant_dist(const eng_hnsw *h, const hnsw_query *q, uint32_t slot);
/* Scores h->ids[0..n) against a quantized query into h->dists. */
void hnsw_quant_score(eng_hnsw *h, const hnsw_query *q, uint32_t n);
/* Re-scores the nearest of h->work[0..n) (sorted by approximate distance) with the floats and
 * sorts them again; returns how many were re-scored (the only ones the caller may return). */
uint32_t hnsw_quant_rerank(eng_hnsw *h, const hnsw_query *q, uint32_t k, uint32_t n);
void hnsw_quant_free(eng_hnsw *h);

/* eng_hnsw_insert.c: Algorithm 4 and linking */
bool hnsw_insert_counted(eng_hnsw *h, uint32_t slot, uint64_t *distances, rt_err *err);
/* Algorithm 4 without extendCandidates and keepPrunedConnections: keeps a candidate (taken in
 * ascending distance) only if it is nearer to the base than to every one kept so far. `in` is
 * sorted; `out` may be `in` (the kept ones are a subsequence). Returns how many were kept. */
uint32_t hnsw_select_neighbors(eng_hnsw *h, const hnsw_cand *in, uint32_t count, uint32_t max,
                               hnsw_cand *out, uint64_t *distances);
void hnsw_list_write(eng_hnsw *h, uint32_t slot, uint32_t level, const hnsw_cand *sel,
                     uint32_t count);
/* Level-0 in-degree bookkeeping: a node named by no level-0 list cannot be reached by a search
 * (unless it is the entry point), so one whose count falls to 0 is queued for rescue. */
void hnsw_indegree_inc(eng_hnsw *h, uint32_t slot);
void hnsw_indegree_dec(eng_hnsw *h, uint32_t slot);
/* Gives every queued orphan that is still unreachable a link from one of its own neighbours. */
void hnsw_rescue_orphans(eng_hnsw *h);
/* Links an allocated node into the graph below the entry point (Algorithm 1, lines 5-17). */
uint64_t hnsw_connect(eng_hnsw *h, uint32_t slot);
/* Gives `slot` level-0 links from nodes that a level-0 search from the entry point reaches,
 * at least one of them forced, so the entry point reaches `slot` at level 0 afterwards. */
uint64_t hnsw_link_from_entry(eng_hnsw *h, uint32_t slot);

#endif
