/* eng_hnsw.h: the HNSW vector index of one partition's VECTOR(n) column.
 * Paper:   Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
 *          Hierarchical Navigable Small World graphs" (TPAMI 2018); comments cite its
 *          algorithm numbers (1 insert, 2 search-layer, 4 neighbour heuristic, 5 k-NN search).
 * Owns:    the graph: for each node (one row version, named by its column-store slot) its level,
 *          flags and neighbour lists of uint32 slots. Not the vectors: they are read in place
 *          through the accessor given at creation; there is no second copy.
 * Core:    the shard that owns the partition; no locks. Build, vacuum, save and load call the
 *          caller's yield callback every `every` operations (eng_hnsw_yield); at those points the
 *          graph is consistent, so searches, inserts and mark_dead may run meanwhile. Only one
 *          vacuum or save runs at a time per graph (asserted). Callbacks (accessor, filter,
 *          predicates) must not yield and must not call back into this graph.
 * Versions: an UPDATE of a vector inserts a new slot; DELETE and aborted inserts leave nodes
 *          that searches walk through (bridges) but never return once the caller has either
 *          marked them dead (eng_hnsw_mark_dead) or filtered them out (the search filter sees
 *          every candidate result). eng_hnsw_vacuum removes dead nodes and repairs the lists
 *          that named them; only after it reports a slot freed may that slot be reused.
 * Vectors: the accessor must return the slot's vector (dims floats, finite) for as long as the
 *          slot has a node. A NULL vector is not indexed; nor, with cosine, is a zero vector
 *          (its distance to anything is NaN), as pgvector does.
 * Quantized walk: a graph of at least params.quant_min_elems vector elements (dims x nodes)
 *          also keeps an int8 copy of every node's vector, learnt from and derived from the
 *          floats (never saved: rebuilt at load and kept at insert). A search walks with it,
 *          reading a quarter of the bytes, then re-scores its best candidates with the floats:
 *          hits and their distances are always the exact ones (eng_hnsw_quant.c). Starting
 *          the copy, and learning its range again as the graph doubles, runs in slices
 *          (ENG_HNSW_QUANT_SLICE_ELEMS) that inserts and searches advance; meanwhile a walk
 *          uses the codes of the previous range, or the floats, never a mix of two ranges.
 * Memory:  the graph's own storage, counted in eng_hnsw_memory_bytes(): per slot range a chunk
 *          (level-0 lists of 2m slots, flags, levels, and once quantized ~dims bytes per slot),
 *          per upper-level node one allocation, plus search scratch. Past
 *          params.memory_bytes_max, insert and load fail with 54000 (a graph that cannot fit
 *          its int8 copy when it would start one walks with the floats instead).
 * Errors:  22023 invalid parameters, 54000 limits (dims, slots, k, memory), XX001 a corrupt or
 *          mismatched graph stream on load. Searches never fail for data reasons.
 * Limits:  ENG_HNSW_{M,EF_CONSTRUCTION,EF_SEARCH}_{MIN,MAX}, ENG_VECTOR_DIMS_MAX,
 *          ENG_HNSW_SLOTS_MAX, ENG_HNSW_LEVEL_MAX, ENG_HNSW_K_MAX, params.memory_bytes_max. */
#ifndef ENG_HNSW_H
#define ENG_HNSW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/eng_dist.h"
#include "runtime/rt_err.h"

/* Parameters as pgvector's (MIN/DEFAULT/MAX), so CREATE INDEX ... WITH (m = ...) agrees. */
#define ENG_HNSW_M_MIN 2                  /* links per node and level (2m at level 0) */
#define ENG_HNSW_M_DEFAULT 16
#define ENG_HNSW_M_MAX 100
#define ENG_HNSW_EF_CONSTRUCTION_MIN 4    /* candidate list while inserting; >= 2 * m */
#define ENG_HNSW_EF_CONSTRUCTION_DEFAULT 64
#define ENG_HNSW_EF_CONSTRUCTION_MAX 1000
#define ENG_HNSW_EF_SEARCH_MIN 1          /* candidate list while searching */
#define ENG_HNSW_EF_SEARCH_DEFAULT 40
#define ENG_HNSW_EF_SEARCH_MAX 1000

/* Slots a graph can name: the column store's slot space per partition (2^30 rows). */
#define ENG_HNSW_SLOTS_MAX (1u << 30)
/* Highest level: level l holds ~n / m^l nodes, so with m >= 2 and n <= 2^30 a level above 30
 * is practically never drawn; drawing more is clamped (the node then simply sits lower). */
#define ENG_HNSW_LEVEL_MAX 30
/* Results one search returns: the result list is kept sorted in memory; past this the planner
 * is better served by an exact scan of the partition. */
#define ENG_HNSW_K_MAX 10000
/* Default memory bound of one graph: ~150 bytes per node at m = 16 (plus the vectors, which
 * the column store owns), so 4 GiB holds about 25 million nodes. */
#define ENG_HNSW_MEMORY_BYTES_DEFAULT (4ull << 30)
/* Default operations between two yields of build/vacuum/save/load: an operation is one
 * distance computation or one node visited; 4096 of them are ~0.1-0.5 ms of work. */
#define ENG_HNSW_YIELD_EVERY_DEFAULT 4096u

/* Quantized walk. A graph starts its int8 copy when dims x nodes reaches this (8 Mi elements:
 * 32 MiB of float vectors, past what the caches hold; below it the float walk reads from cache
 * and the copy would only cost memory): 10,923 nodes at 768 dims. */
#define ENG_HNSW_QUANT_MIN_ELEMS (8ull << 20)
/* A quantized walk re-scores exactly its nearest ENG_HNSW_QUANT_RERANK_PER_K x k candidates
 * (at least ENG_HNSW_QUANT_RERANK_MIN, at most ef) and returns the k nearest of those. */
#define ENG_HNSW_QUANT_RERANK_PER_K 16u
#define ENG_HNSW_QUANT_RERANK_MIN 64u
/* Nodes whose vectors set the int8 copy's offsets and scale (a stride through the graph). */
#define ENG_HNSW_QUANT_TRAIN_NODES 16384u
/* Learning the copy's range and encoding the graph is a resumable task that each insert and
 * each search of the graph advances by one slice of at most this many vector elements read
 * (dims per node; a slot without a node counts one): ~0.1 ms, 85 nodes at 768 dims. So no
 * call holds the shard much longer than without it, however large the graph (one go was
 * 10-20 ms at the threshold and 62 ms at the relearn of a 22K-node graph of 768 dims). */
#define ENG_HNSW_QUANT_SLICE_ELEMS (64ull << 10)

/* No slot (empty graph's entry point). */
#define ENG_HNSW_SLOT_NONE UINT32_MAX

/* The same numbers as the catalog's eng_metric, so one converts to the other by a cast. */
typedef enum eng_hnsw_metric {
    ENG_HNSW_COSINE = 1, /* `<=>`: 1 - cos(a, b) */
    ENG_HNSW_L2 = 2,     /* `<->`: Euclidean distance */
    ENG_HNSW_IP = 3,     /* `<#>`: negative inner product */
} eng_hnsw_metric;

typedef struct eng_hnsw eng_hnsw;

/* The vector of `slot` in the column store (dims floats), or NULL if the value is NULL. */
typedef const float *(*eng_hnsw_vec_fn)(void *ctx, uint32_t slot);
/* true if `slot` is visible to the query's snapshot and passes its WHERE clause. */
typedef bool (*eng_hnsw_filter_fn)(void *ctx, uint32_t slot);
/* true if `slot` is dead for every snapshot (vacuum removes it). */
typedef bool (*eng_hnsw_dead_fn)(void *ctx, uint32_t slot);
/* A hint that vec(ctx, slot) or a filter(ctx, slot) is about to be called: starts loading what
 * it will read (the null flag and first lines of a vector; the stamps and cells a filter
 * checks). A walk asks for a whole neighbour list before it reads the first, so the cache
 * misses of the list overlap rather than queue. No effect on any result. */
typedef void (*eng_hnsw_prefetch_fn)(void *ctx, uint32_t slot);
/* Gives the shard back to its other work (e.g. rt_fiber_maybe_yield) and returns. */
typedef void (*eng_hnsw_yield_fn)(void *ctx);

typedef struct eng_hnsw_yield {
    eng_hnsw_yield_fn fn;
    void *ctx;
    uint32_t every; /* operations between calls; 0 = ENG_HNSW_YIELD_EVERY_DEFAULT */
} eng_hnsw_yield;

typedef struct eng_hnsw_params {
    eng_hnsw_metric metric;
    uint32_t dims;             /* 1..ENG_VECTOR_DIMS_MAX */
    uint32_t m;                /* 0 = ENG_HNSW_M_DEFAULT */
    uint32_t ef_construction;  /* 0 = ENG_HNSW_EF_CONSTRUCTION_DEFAULT */
    uint64_t seed;             /* levels are drawn from it: same seed, same inserts, same graph */
    uint64_t memory_bytes_max; /* 0 = ENG_HNSW_MEMORY_BYTES_DEFAULT */
    uint64_t quant_min_elems;  /* 0 = ENG_HNSW_QUANT_MIN_ELEMS; UINT64_MAX = never quantize */
    uint64_t quant_slice_elems; /* 0 = ENG_HNSW_QUANT_SLICE_ELEMS; UINT64_MAX = the whole
                                 * task in one call (benchmarks compare against it) */
} eng_hnsw_params;

/* ---- life cycle ---------------------------------------------------------------------------- */

/* An empty graph; 22023 for parameters out of range (pgvector's wording), 54000 for dims. */
eng_hnsw *eng_hnsw_create(const eng_hnsw_params *params, rt_err *err, eng_hnsw_vec_fn vec,
                          void *vec_ctx);
void eng_hnsw_destroy(eng_hnsw *h);

/* Optional: the prefetch hint of the accessor given at creation (same ctx). */
void eng_hnsw_set_vec_prefetch(eng_hnsw *h, eng_hnsw_prefetch_fn prefetch);

/* The parameters in force (defaults filled in). */
eng_hnsw_params eng_hnsw_get_params(const eng_hnsw *h);

/* ---- writing ------------------------------------------------------------------------------- */

/* Adds the node of `slot`, whose vector is already in the column store (Algorithm 1). A slot
 * that already has a node is left as it is (WAL replay after a checkpoint may repeat inserts).
 * 54000 past ENG_HNSW_SLOTS_MAX or the memory bound; the graph is unchanged on error. */
bool eng_hnsw_insert(eng_hnsw *h, uint32_t slot, rt_err *err);

/* Inserts `count` slots in order (CREATE INDEX, ADD COLUMN), yielding between inserts. On
 * error the slots inserted so far stay in the graph. */
bool eng_hnsw_build(eng_hnsw *h, const uint32_t *slots, uint32_t count, rt_err *err,
                    const eng_hnsw_yield *yield);

/* The row version of `slot` is dead for every snapshot (an aborted insert, a deleted row past
 * the horizon): searches stop returning it at once, vacuum removes it. No-op without a node. */
void eng_hnsw_mark_dead(eng_hnsw *h, uint32_t slot);

bool eng_hnsw_contains(const eng_hnsw *h, uint32_t slot);

/* ---- searching ----------------------------------------------------------------------------- */

typedef struct eng_hnsw_hit {
    uint32_t slot;
    float distance; /* the metric's SQL value: `<->`, `<=>` or `<#>` */
} eng_hnsw_hit;

typedef struct eng_hnsw_search_opts {
    uint32_t k;                /* results wanted, 1..ENG_HNSW_K_MAX */
    uint32_t ef_search;        /* 0 = ENG_HNSW_EF_SEARCH_DEFAULT; raised to k if smaller */
    uint64_t distance_budget;  /* at most this many distance computations; 0 = no bound */
    eng_hnsw_filter_fn filter; /* NULL: every node not marked dead passes */
    void *filter_ctx;
    eng_hnsw_prefetch_fn filter_prefetch; /* NULL, or the filter's hint (filter_ctx) */
    bool float_walk;           /* walk with the float vectors even where an int8 copy exists */
} eng_hnsw_search_opts;

typedef enum eng_hnsw_status {
    ENG_HNSW_FOUND_K = 1, /* k results, the approximate nearest passing ones */
    ENG_HNSW_FOUND_ALL,   /* fewer than k, but every node was visited: these are all passing */
    ENG_HNSW_SHORT,       /* fewer than k and not all nodes seen (budget ran out, unreachable
                           * nodes, or a zero query under cosine): scan exactly instead */
} eng_hnsw_status;

/* What a search cost, for the planner's cost model and EXPLAIN ANALYZE. */
typedef struct eng_hnsw_search_stats {
    eng_hnsw_status status;
    uint32_t hit_count;
    uint64_t distances;    /* distance computations (the dominant cost) */
    uint64_t visited;      /* level-0 nodes whose neighbour lists were read */
    uint64_t filter_calls; /* calls of opts->filter */
    uint32_t reranked;     /* quantized walk: candidates re-scored with the floats, else 0 */
} eng_hnsw_search_stats;

/* The k nearest nodes to `query` (dims floats) that pass the filter, nearest first
 * (Algorithm 5). Nodes failing the filter or marked dead are still walked through. When fewer
 * than ef pass near the query the walk widens from its frontier until ef have been found, the
 * graph is exhausted, or the budget is spent. hits[] has room for opts->k. 22023/54000 for k
 * or ef out of range; never fails otherwise. */
bool eng_hnsw_search(eng_hnsw *h, const float *query, const eng_hnsw_search_opts *opts,
                     eng_hnsw_hit *hits, eng_hnsw_search_stats *stats, rt_err *err);

/* ---- vacuum -------------------------------------------------------------------------------- */

typedef struct eng_hnsw_vacuum_opts {
    eng_hnsw_dead_fn is_dead; /* NULL: only nodes marked with eng_hnsw_mark_dead go */
    void *dead_ctx;
    void (*freed)(void *ctx, uint32_t slot); /* each removed node's slot, may be NULL */
    void *freed_ctx;
    eng_hnsw_yield yield;
} eng_hnsw_vacuum_opts;

typedef struct eng_hnsw_vacuum_stats {
    uint64_t removed;       /* nodes removed (= slots reported freed) */
    uint64_t repaired;      /* neighbour lists rebuilt */
    uint64_t relinked;      /* live nodes left without neighbours and inserted again */
    uint64_t reconnected;   /* live nodes the entry point did not reach, linked from ones
                             * it does */
    uint64_t distances;
    bool entry_replaced;
} eng_hnsw_vacuum_stats;

/* Removes every node marked dead or for which is_dead() holds: each list that named one is
 * rebuilt (Algorithm 4) from its surviving neighbours and the removed nodes' neighbours, a
 * removed entry point is replaced by the highest surviving node, and the slots are reported
 * freed at the end. Afterwards every live node is reachable from the entry point through
 * level-0 links (nodes that were not are linked again: stats->reconnected). Yields between
 * operations; the graph stays searchable throughout. */
bool eng_hnsw_vacuum(eng_hnsw *h, const eng_hnsw_vacuum_opts *opts,
                     eng_hnsw_vacuum_stats *stats, rt_err *err);

/* ---- checkpoints --------------------------------------------------------------------------- */

/* Receives the next `len` bytes of the stream (the caller may park the fiber on io_uring). */
typedef bool (*eng_hnsw_write_fn)(void *ctx, const void *bytes, size_t len, rt_err *err);
/* Fills buf with up to `len` next bytes; *got < len only at the end of the stream. */
typedef bool (*eng_hnsw_read_fn)(void *ctx, void *buf, size_t len, size_t *got, rt_err *err);

/* Writes the graph as a checksummed stream. The graph as of the call is written: nodes inserted
 * while the writer parks are left out (the WAL tail brings them back). No vacuum meanwhile. */
bool eng_hnsw_save(eng_hnsw *h, rt_err *err, eng_hnsw_write_fn write, void *write_ctx,
                   const eng_hnsw_yield *yield);

/* Reads a graph written by eng_hnsw_save, for a column store that already holds its vectors.
 * Every byte is validated: a damaged or foreign stream, or one whose metric, dims or m differ
 * from `params`, gives XX001 data_corrupted (never a crash); NULL on error. */
eng_hnsw *eng_hnsw_load(const eng_hnsw_params *params, rt_err *err, eng_hnsw_read_fn read,
                        void *read_ctx, eng_hnsw_vec_fn vec, void *vec_ctx,
                        const eng_hnsw_yield *yield);

/* ---- statistics ---------------------------------------------------------------------------- */

/* Graph figures for the planner (graph size, levels, degree) and for monitoring. */
typedef struct eng_hnsw_info {
    uint64_t nodes;         /* nodes in the graph, dead ones included */
    uint64_t dead;          /* nodes marked dead and not yet vacuumed */
    uint64_t edges_level0;  /* neighbour entries at level 0 (mean degree = edges / nodes) */
    uint32_t levels;        /* 1 + the entry point's level; 0 when empty */
    uint32_t entry_slot;    /* ENG_HNSW_SLOT_NONE when empty */
    bool quantized;         /* searches may walk with the int8 copy */
    bool quant_pending;     /* the copy's range is being learnt or the graph encoded: the
                             * walk uses the previous codes, or the floats until it is done */
    uint64_t quant_bytes;   /* of memory_bytes, the int8 copy's */
    uint64_t memory_bytes;
} eng_hnsw_info;

void eng_hnsw_get_info(const eng_hnsw *h, eng_hnsw_info *out);
uint64_t eng_hnsw_memory_bytes(const eng_hnsw *h);

#endif
