/* sql_hybrid.h: the hybrid planner's cost model: for `ORDER BY v <op> q LIMIT k` with a WHERE
 * clause on the same table, scalar-first (scan with the filter, exact distances of the rows
 * that pass, top-k) against ANN-first (walk the partitions' HNSW graphs checking the filter
 * during the walk, widening until k pass).
 * Costs:   the work of all partitions together (the shards run them in parallel, so the
 *          statement's time is about this over the shard count), with P partitions of N / P:
 *          scalar-first = N * row_ns + N * sel * dist_ns(d)
 *                         (by a B-tree index: N * sel * (ixrow_ns + dist_ns(d)),
 *                         ixrow_ns calibrated by the index scans run as scalar-first)
 *          ANN-first    = P * (part_ns + D * dist_ns(d) + F * filter_ns)
 *          with the walk's shape per index (the graph of one table column), learnt from every
 *          walk of it (sql_hybrid_note_walk_shape):
 *            visited V  = min(N / P, cv * max(ef, k) / sel)
 *            distances D = min(N / P + descent, e^a * V^b)   (a, b: a fit of ln D on ln V,
 *                          or the walks of V's size; past 256 nodes at least V * the wide
 *                          walks' D / V: a wide walk scores every node it expands)
 *            WHERE checks F = cf * D
 *          A wider walk meets more nodes it has already seen, so D grows slower than V on
 *          clustered data (b near 0.2 there, near 1 on random data): the fit follows the
 *          index, which a constant per visited node cannot (it overestimated high ef 5-10x).
 *          (scalar-first adds P * part_ns too); each path has its own part_ns and a learnt
 *          factor on the rest.
 *          with N the table's rows (ANALYZE, else the engine's live estimate), sel the
 *          selectivity of the WHERE (sql_stats.h), degree the graph's mean level-0 degree.
 * Calibration: row_ns, dist_ns per dimension and filter_ns start from defaults measured on
 *          this code and follow what executions measure (an exponential moving average fed by
 *          every ANN walk and every scan), so the crossover moves with the machine and data;
 *          the walk shapes above (nodes visited against ef and selectivity, per index);
 *          and each path has a factor fed by every fragment that runs it to the end (its
 *          measured time on its shard against the unit costs of the work it actually did,
 *          so that a selectivity misestimate does not skew the machine's figures): the
 *          estimate EXPLAIN ANALYZE HYBRID compares with the actual time feeds back here.
 * Actuals: EXPLAIN ANALYZE HYBRID gives the executor one sql_hybrid_actual per shard; each
 *          shard writes only its own entry, the coordinator reads them once the fragments have
 *          ended (GATHER's close waits for that), so no entry is shared while written.
 * Core:    any; the calibration is a few atomics. */
#ifndef SQL_HYBRID_H
#define SQL_HYBRID_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "runtime/rt_limits.h"
#include "sql/sql_expr.h"

/* What one partition's walk is expected to do (per-index calibration). */
typedef struct sql_hybrid_walk {
    double visited;          /* level-0 nodes expanded */
    double distances;        /* distances computed, the descent's included */
    double filter_calls;     /* WHERE checks */
    double shape_a, shape_b; /* distances = e^a * visited^b before the partition's bound */
    uint64_t walks;          /* walks of this index the shape has learnt from */
} sql_hybrid_walk;

typedef struct sql_hybrid_est {
    bool ann_first;
    bool by_index;           /* scalar-first reads a B-tree index (IXSCAN), not every row */
    double rows;             /* rows in the table */
    double selectivity;      /* of the WHERE clause */
    double candidates;       /* rows passing the WHERE (scalar-first's candidate set) */
    double scalar_ms, ann_ms;
    uint32_t k, dims, ef;
    bool ef_auto;            /* ef is sql_hybrid_auto_ef's (no ef_search set) */
    uint32_t partitions;
    uint32_t table_oid;      /* the walked index: table and VECTOR column */
    uint16_t attnum;
    sql_hybrid_walk walk;    /* one partition's walk, as the index's shape expects it */
} sql_hybrid_est;

/* Estimates both paths and picks the cheaper. `rows` < 0: unknown (the engine's estimate is
 * used by the caller when it has one; else 10000, PostgreSQL's guess for an unanalysed
 * relation is similar in spirit). `by_index`: scalar-first would read the candidates through
 * a secondary B-tree index (the planner already chose an IXSCAN for the WHERE). */
void sql_hybrid_estimate(const eng_table *t, const uint16_t *attnums, uint32_t natts,
                         const sql_expr *filter, uint16_t vec_attnum, uint32_t k, uint32_t ef,
                         double rows, bool by_index, sql_hybrid_est *out);

/* The ef_search of a walk over a graph of `graph_nodes` nodes wanting k rows passing a WHERE
 * of selectivity `sel` (1 without one) when the session leaves it automatic
 * (sql_session_ef_search() == 0): 40 up to ~50K nodes, then growing with the graph (and with
 * k) so that recall@10 stays >= 0.95 on clustered data, in full from sel 0.5 up (a filtered
 * walk explores ef / sel nodes already); at most ENG_HNSW_EF_SEARCH_MAX. */
uint32_t sql_hybrid_auto_ef(double graph_nodes, uint32_t k, double sel);

/* What one shard did for the hybrid node of a statement (EXPLAIN ANALYZE HYBRID). */
typedef struct sql_hybrid_actual {
    bool ran;
    uint32_t partitions;       /* partitions walked or scanned */
    uint32_t exact;            /* of those, answered by an exact scan instead of the graph */
    uint64_t visited;          /* graph nodes visited (ANN) or rows read (scans) */
    uint64_t distances;        /* distances computed on this shard */
    uint64_t reranked;         /* of those, int8 walks' candidates re-scored exactly */
    uint64_t filtered;         /* candidates the WHERE (or the snapshot) removed */
    uint64_t candidates;       /* rows that passed, before the shard's top-k */
    uint64_t rows;             /* rows the shard sent to the coordinator */
    uint64_t time_ns;          /* the fragment's own time on the shard */
} sql_hybrid_actual;

/* Entries of an actuals array: one per possible shard. */
#define SQL_HYBRID_ACTUALS RT_SHARDS_MAX

/* What a walk of the graph of (table_oid, attnum) over a partition of `part_rows` rows,
 * wanting `want` = max(ef, k) rows passing a WHERE of selectivity `sel`, is expected to do. */
void sql_hybrid_walk_expect(uint32_t table_oid, uint16_t attnum, double want, double sel,
                            double part_rows, sql_hybrid_walk *out);
/* One such walk ended after expanding `visited` nodes, computing `distances` distances and
 * checking the WHERE `filter_calls` times: the index's shape learns from it. */
void sql_hybrid_note_walk_shape(uint32_t table_oid, uint16_t attnum, double want, double sel,
                                double part_rows, uint64_t visited, uint64_t distances,
                                uint64_t filter_calls);
/* Forgets every index's shape (tests). */
void sql_hybrid_shapes_reset(void);

/* Calibration feeds (from the executor). */
void sql_hybrid_note_walk(uint64_t distances, uint32_t dims, uint64_t filter_calls,
                          uint64_t elapsed_ns);
void sql_hybrid_note_scan(uint64_t rows, uint64_t elapsed_ns);
/* A fragment of the statement estimated by `est` ran `partitions` of its partitions to the
 * end on its shard in `elapsed_ns`, reading `rows` rows, computing `distances` distances and
 * checking the WHERE `filter_calls` times during walks: the chosen path's factor follows the
 * ratio of that time to what the unit costs make of that work. */
void sql_hybrid_note_fragment(const sql_hybrid_est *est, bool ann, uint32_t partitions,
                              uint64_t rows, uint64_t distances, uint64_t filter_calls,
                              uint64_t elapsed_ns);

/* A fragment's index scan chosen as scalar-first by index read `rows` candidates and computed
 * `distances` distances over `partitions` partitions in `elapsed_ns`: the per-row cost of the
 * index path follows (what is left after the fixed and distance costs, per row). */
void sql_hybrid_note_ixscan(uint32_t dims, uint32_t partitions, uint64_t rows,
                            uint64_t distances, uint64_t elapsed_ns);

/* The calibration in force (EXPLAIN ANALYZE HYBRID prints it). */
typedef struct sql_hybrid_calib {
    double ann_scale, scalar_scale; /* the paths' learnt factors on their work */
    double ann_part_ns, scalar_part_ns; /* and their fixed costs per partition */
    double row_ns, dist_ns_per_dim, filter_ns;
    double ixrow_ns;                /* a candidate row read through a B-tree index */
} sql_hybrid_calib;
void sql_hybrid_calibration(sql_hybrid_calib *out);

#endif
