/* sql_hybrid.h: the hybrid planner's cost model: for `ORDER BY v <op> q LIMIT k` with a WHERE
 * clause on the same table, scalar-first (scan with the filter, exact distances of the rows
 * that pass, top-k) against ANN-first (walk the partitions' HNSW graphs checking the filter
 * during the walk, widening until k pass).
 * Costs:   scalar-first = N * row_ns + N * sel * dist_ns(d)
 *          ANN-first    = (max(ef, k) / sel) * degree * (dist_ns(d) + filter_ns)
 *          with N the table's rows (ANALYZE, else the engine's live estimate), sel the
 *          selectivity of the WHERE (sql_stats.h), degree the graph's mean level-0 degree.
 * Calibration: row_ns, dist_ns per dimension and filter_ns start from defaults measured on
 *          this code and follow what executions measure (an exponential moving average fed by
 *          every ANN walk and every scan), so the crossover moves with the machine and data.
 * Core:    any; the calibration is a few atomics. */
#ifndef SQL_HYBRID_H
#define SQL_HYBRID_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "sql/sql_expr.h"

typedef struct sql_hybrid_est {
    bool ann_first;
    double rows;             /* rows in the table */
    double selectivity;      /* of the WHERE clause */
    double candidates;       /* rows passing the WHERE (scalar-first's candidate set) */
    double scalar_ms, ann_ms;
    uint32_t k, dims, ef;
} sql_hybrid_est;

/* Estimates both paths and picks the cheaper. `rows` < 0: unknown (the engine's estimate is
 * used by the caller when it has one; else 10000, PostgreSQL's guess for an unanalysed
 * relation is similar in spirit). */
void sql_hybrid_estimate(const eng_table *t, const uint16_t *attnums, uint32_t natts,
                         const sql_expr *filter, uint16_t vec_attnum, uint32_t k, uint32_t ef,
                         double rows, sql_hybrid_est *out);

/* Calibration feeds (from the executor). */
void sql_hybrid_note_walk(uint64_t distances, uint32_t dims, uint64_t filter_calls,
                          uint64_t elapsed_ns);
void sql_hybrid_note_scan(uint64_t rows, uint64_t elapsed_ns);

#endif
