/* sql_hybrid.h: the hybrid planner's cost model: for `ORDER BY v <op> q LIMIT k` with a WHERE
 * clause on the same table, scalar-first (scan with the filter, exact distances of the rows
 * that pass, top-k) against ANN-first (walk the partitions' HNSW graphs checking the filter
 * during the walk, widening until k pass).
 * Costs:   the work of all partitions together (the shards run them in parallel, so the
 *          statement's time is about this over the shard count), with P partitions of N / P:
 *          scalar-first = N * row_ns + N * sel * dist_ns(d)
 *                         (by a B-tree index: N * sel * (ixrow_ns + dist_ns(d)),
 *                         ixrow_ns calibrated by the index scans run as scalar-first)
 *          ANN-first    = P * (part_ns + visited * (degree * walk * dist_ns(d) + filter_ns)
 *                              + log2(N / P) * descent * walk * dist_ns(d))
 *          visited      = min(N / P, max(ef, k) / sel)
 *          (scalar-first adds P * part_ns too); each path has its own part_ns and a learnt
 *          factor on the rest.
 *          with N the table's rows (ANALYZE, else the engine's live estimate), sel the
 *          selectivity of the WHERE (sql_stats.h), degree the graph's mean level-0 degree.
 * Calibration: row_ns, dist_ns per dimension and filter_ns start from defaults measured on
 *          this code and follow what executions measure (an exponential moving average fed by
 *          every ANN walk and every scan), so the crossover moves with the machine and data;
 *          `walk` is the ratio of distances a walk computes to the model's count, fed by every
 *          walk whose plan carries an estimate (nodes visited against ef and selectivity);
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

typedef struct sql_hybrid_est {
    bool ann_first;
    bool by_index;           /* scalar-first reads a B-tree index (IXSCAN), not every row */
    double rows;             /* rows in the table */
    double selectivity;      /* of the WHERE clause */
    double candidates;       /* rows passing the WHERE (scalar-first's candidate set) */
    double scalar_ms, ann_ms;
    uint32_t k, dims, ef;
    uint32_t partitions;
    double walk_distances;   /* distances the model expects of one partition's walk */
} sql_hybrid_est;

/* Estimates both paths and picks the cheaper. `rows` < 0: unknown (the engine's estimate is
 * used by the caller when it has one; else 10000, PostgreSQL's guess for an unanalysed
 * relation is similar in spirit). `by_index`: scalar-first would read the candidates through
 * a secondary B-tree index (the planner already chose an IXSCAN for the WHERE). */
void sql_hybrid_estimate(const eng_table *t, const uint16_t *attnums, uint32_t natts,
                         const sql_expr *filter, uint16_t vec_attnum, uint32_t k, uint32_t ef,
                         double rows, bool by_index, sql_hybrid_est *out);

/* What one shard did for the hybrid node of a statement (EXPLAIN ANALYZE HYBRID). */
typedef struct sql_hybrid_actual {
    bool ran;
    uint32_t partitions;       /* partitions walked or scanned */
    uint32_t exact;            /* of those, answered by an exact scan instead of the graph */
    uint64_t visited;          /* graph nodes visited (ANN) or rows read (scans) */
    uint64_t distances;        /* distances computed on this shard */
    uint64_t filtered;         /* candidates the WHERE (or the snapshot) removed */
    uint64_t candidates;       /* rows that passed, before the shard's top-k */
    uint64_t rows;             /* rows the shard sent to the coordinator */
    uint64_t time_ns;          /* the fragment's own time on the shard */
} sql_hybrid_actual;

/* Entries of an actuals array: one per possible shard. */
#define SQL_HYBRID_ACTUALS RT_SHARDS_MAX

/* Distances the model expects one partition's walk to compute (the calibration's reference). */
double sql_hybrid_walk_model(const sql_hybrid_est *est, double partition_rows);

/* Calibration feeds (from the executor). */
void sql_hybrid_note_walk(uint64_t distances, uint32_t dims, uint64_t filter_calls,
                          uint64_t elapsed_ns);
void sql_hybrid_note_scan(uint64_t rows, uint64_t elapsed_ns);
/* A walk that computed `distances` where the model expected `model` distances. */
void sql_hybrid_note_visits(uint64_t distances, double model);
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
    double walk_ratio;              /* distances computed against the walk model's */
    double row_ns, dist_ns_per_dim, filter_ns;
    double ixrow_ns;                /* a candidate row read through a B-tree index */
} sql_hybrid_calib;
void sql_hybrid_calibration(sql_hybrid_calib *out);

#endif
