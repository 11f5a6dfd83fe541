/* sql_hybrid.c: the hybrid planner's cost model and its runtime calibration (sql_hybrid.h). */
#include <math.h>
#include <stdatomic.h>

#include "engine/eng_hnsw.h"
#include "sql/sql_hybrid.h"
#include "sql/sql_stats.h"

/* Starting points of the calibration, in nanoseconds, measured with bench/ on this code: a
 * column-store row through a pushed-down filter, one float32 multiply-add of a SIMD distance,
 * one row-at-a-time WHERE check during a graph walk. */
#define SQL_HYBRID_ROW_NS 6.0
#define SQL_HYBRID_DIST_NS_PER_DIM 0.12
#define SQL_HYBRID_FILTER_NS 150.0
/* Distances a walk computes per level-0 node it visits: of the 2m = 32 neighbours most were
 * already seen from the node's neighbours (measured: 2 to 10 on clustered and random data;
 * the walk ratio below learns the rest). */
#define SQL_HYBRID_DEGREE 8.0
/* Distances per level of the descent from the entry point to level 0 (m = 16). */
#define SQL_HYBRID_DESCENT 24.0
/* Starting a walk or a scan of one partition: the fragment's operators, scratch memory, the
 * local top-k and the batch sent up (measured 5-30 us on this code, by how warm it runs;
 * 60 us under the sanitizers). Learnt per path, within SQL_HYBRID_PART_RANGE of this. */
#define SQL_HYBRID_PART_NS 10000.0
#define SQL_HYBRID_PART_RANGE 16.0
/* Weight of a new measurement in the moving averages, and how far they may drift. */
#define SQL_HYBRID_ALPHA 0.05
#define SQL_HYBRID_CALIB_RANGE 4.0
/* The walk's ratio starts at 1 (the model as written) and may drift this far either way. */
#define SQL_HYBRID_WALK_RANGE 8.0
/* A path's factor on its work (measured fragment time, less its fixed part, against the unit
 * costs of the work done) starts at 1 and may drift this far either way: it takes up what the
 * unit costs do not (a slower build, a busier machine, per-row work the model leaves out). */
#define SQL_HYBRID_SCALE_RANGE 8.0
/* Its weight per fragment: larger than the unit costs', as it answers for whole executions
 * (a handful of them should bring a wrong start within reach). */
#define SQL_HYBRID_SCALE_ALPHA 0.2
/* One candidate row through a secondary B-tree index: the entry, its visible version, the
 * re-derived entry compared, every read column copied out and the filter re-checked.
 * Measured 0.7-3 us of CPU per row at 768 dimensions from 100K to 1M rows (bench/RESULTS.md,
 * issue 7 at scale: it grows with the table, as the rows stop fitting in cache); the start of
 * its own calibration, fed by every index scan the hybrid planner chose. */
#define SQL_HYBRID_IXROW_NS 1500.0
/* Rows assumed for a table never analysed and of unknown size. */
#define SQL_HYBRID_DEFAULT_ROWS 10000.0

/* Stored as nanoseconds * 1000 in integers so that updates are single atomics. */
static _Atomic uint64_t sql_hybrid_dist_pdim = (uint64_t)(SQL_HYBRID_DIST_NS_PER_DIM * 1000);
static _Atomic uint64_t sql_hybrid_row = (uint64_t)(SQL_HYBRID_ROW_NS * 1000);
static _Atomic uint64_t sql_hybrid_filter = (uint64_t)(SQL_HYBRID_FILTER_NS * 1000);
static _Atomic uint64_t sql_hybrid_walk = 1000;
static _Atomic uint64_t sql_hybrid_scale_ann = 1000;
static _Atomic uint64_t sql_hybrid_scale_scalar = 1000;
static _Atomic uint64_t sql_hybrid_part_ann = (uint64_t)(SQL_HYBRID_PART_NS * 1000);
static _Atomic uint64_t sql_hybrid_part_scalar = (uint64_t)(SQL_HYBRID_PART_NS * 1000);
static _Atomic uint64_t sql_hybrid_ixrow = (uint64_t)(SQL_HYBRID_IXROW_NS * 1000);

static double sql_hybrid_get(_Atomic uint64_t *v) { return (double)atomic_load(v) / 1000.0; }

/* A measurement moves the average, within a factor of SQL_HYBRID_CALIB_RANGE of the
 * starting point: one odd query (a cold cache, a preempted VM) must not flip later plans. */
static void sql_hybrid_mix_in(_Atomic uint64_t *v, double measured, double start,
                              double range, double alpha) {
    if (!(measured > 0) || measured > 1e6) return;
    double cur = sql_hybrid_get(v);
    double next = cur + alpha * (measured - cur);
    if (next > start * range) next = start * range;
    if (next < start / range) next = start / range;
    atomic_store(v, (uint64_t)(next * 1000));
}

static void sql_hybrid_mix(_Atomic uint64_t *v, double measured_ns, double start_ns) {
    sql_hybrid_mix_in(v, measured_ns, start_ns, SQL_HYBRID_CALIB_RANGE, SQL_HYBRID_ALPHA);
}

void sql_hybrid_note_visits(uint64_t distances, double model) {
    if (distances < 64 || !(model >= 1)) return;
    sql_hybrid_mix_in(&sql_hybrid_walk, (double)distances / model, 1.0, SQL_HYBRID_WALK_RANGE,
                      SQL_HYBRID_ALPHA);
}

double sql_hybrid_walk_model(const sql_hybrid_est *est, double partition_rows) {
    if (partition_rows < 1) partition_rows = 1;
    double floor_sel = 1.0 / partition_rows;
    double want = est->ef > est->k ? est->ef : est->k;
    double visited = fmin(partition_rows, want / fmax(est->selectivity, floor_sel));
    return visited * SQL_HYBRID_DEGREE + log2(partition_rows + 1) * SQL_HYBRID_DESCENT;
}

void sql_hybrid_note_fragment(const sql_hybrid_est *est, bool ann, uint32_t partitions,
                              uint64_t rows, uint64_t distances, uint64_t filter_calls,
                              uint64_t elapsed_ns) {
    if (partitions == 0 || est->dims == 0) return;
    _Atomic uint64_t *scale = ann ? &sql_hybrid_scale_ann : &sql_hybrid_scale_scalar;
    _Atomic uint64_t *part = ann ? &sql_hybrid_part_ann : &sql_hybrid_part_scalar;
    /* The unit costs applied to the work actually done: a selectivity misestimate (a walk
     * that had to widen over the whole graph) is the statistics' error, not the machine's. */
    double work = (double)rows * sql_hybrid_get(&sql_hybrid_row) +
                  (double)distances * sql_hybrid_get(&sql_hybrid_dist_pdim) * est->dims +
                  (double)filter_calls * sql_hybrid_get(&sql_hybrid_filter);
    double fixed = partitions * sql_hybrid_get(part), scaled = work * sql_hybrid_get(scale);
    double elapsed = (double)elapsed_ns;
    /* Two unknowns, one measurement: the larger share of the model learns from it (small
     * fragments teach the fixed cost, large ones the factor on the work). */
    if (scaled < fixed) {
        sql_hybrid_mix_in(part, fmax(elapsed - scaled, 1.0) / partitions, SQL_HYBRID_PART_NS,
                          SQL_HYBRID_PART_RANGE, SQL_HYBRID_SCALE_ALPHA);
    } else if (work > 0) {
        sql_hybrid_mix_in(scale, fmax(elapsed - fixed, 1.0) / work, 1.0,
                          SQL_HYBRID_SCALE_RANGE, SQL_HYBRID_SCALE_ALPHA);
    }
}

void sql_hybrid_note_ixscan(uint32_t dims, uint32_t partitions, uint64_t rows,
                            uint64_t distances, uint64_t elapsed_ns) {
    if (rows < 256 || dims == 0) return; /* a few rows teach the fixed cost, not the rows */
    double other = partitions * sql_hybrid_get(&sql_hybrid_part_scalar) +
                   (double)distances * sql_hybrid_get(&sql_hybrid_dist_pdim) * dims;
    double per_row = fmax((double)elapsed_ns - other, 1.0) / (double)rows;
    sql_hybrid_mix_in(&sql_hybrid_ixrow, per_row, SQL_HYBRID_IXROW_NS, SQL_HYBRID_SCALE_RANGE,
                      SQL_HYBRID_SCALE_ALPHA);
}

void sql_hybrid_note_walk(uint64_t distances, uint32_t dims, uint64_t filter_calls,
                          uint64_t elapsed_ns) {
    if (distances < 64 || dims == 0) return;
    /* Split the time between distances and filter checks by the current model's shares. */
    double d_ns = sql_hybrid_get(&sql_hybrid_dist_pdim) * dims;
    double f_ns = sql_hybrid_get(&sql_hybrid_filter);
    double model = (double)distances * d_ns + (double)filter_calls * f_ns;
    if (model <= 0) return;
    double scale = (double)elapsed_ns / model;
    sql_hybrid_mix(&sql_hybrid_dist_pdim, d_ns * scale / dims, SQL_HYBRID_DIST_NS_PER_DIM);
    if (filter_calls > 0) sql_hybrid_mix(&sql_hybrid_filter, f_ns * scale, SQL_HYBRID_FILTER_NS);
}

void sql_hybrid_note_scan(uint64_t rows, uint64_t elapsed_ns) {
    if (rows < 1024) return;
    sql_hybrid_mix(&sql_hybrid_row, (double)elapsed_ns / (double)rows, SQL_HYBRID_ROW_NS);
}

void sql_hybrid_estimate(const eng_table *t, const uint16_t *attnums, uint32_t natts,
                         const sql_expr *filter, uint16_t vec_attnum, uint32_t k, uint32_t ef,
                         double rows, bool by_index, sql_hybrid_est *out) {
    double stats_rows = sql_stats_rows(t);
    if (stats_rows < 0) sql_stats_note_unknown(t); /* estimates improve from the next query */
    double n = stats_rows >= 0 ? stats_rows : rows >= 0 ? rows : SQL_HYBRID_DEFAULT_ROWS;
    if (n < 1) n = 1;
    double parts = t->partition_count > 0 ? t->partition_count : 1;
    double sel = sql_stats_selectivity(t, attnums, natts, filter);
    uint32_t dims = (uint32_t)t->columns[vec_attnum - 1].vector_dims;
    if (ef == 0) ef = ENG_HNSW_EF_SEARCH_DEFAULT;
    double dist_ns = sql_hybrid_get(&sql_hybrid_dist_pdim) * dims;
    double row_ns = sql_hybrid_get(&sql_hybrid_row);
    double filter_ns = filter != NULL ? sql_hybrid_get(&sql_hybrid_filter) : 0;
    out->by_index = by_index;
    out->rows = n;
    out->selectivity = sel;
    out->candidates = n * sel;
    out->k = k;
    out->dims = dims;
    out->ef = ef;
    out->partitions = (uint32_t)parts;
    /* Each partition's graph is walked on its own: about want / sel nodes are seen before
     * k pass, never more than the partition holds; the descent adds log2 levels' worth. */
    out->walk_distances = sql_hybrid_walk_model(out, n / parts);
    double walk = out->walk_distances * sql_hybrid_get(&sql_hybrid_walk);
    double visited = fmin(n / parts, fmax(ef, k) / fmax(sel, parts / n));
    double ann_ns = parts * sql_hybrid_get(&sql_hybrid_part_ann) +
                    parts * (walk * dist_ns + visited * filter_ns) *
                        sql_hybrid_get(&sql_hybrid_scale_ann);
    /* The index path's per-row cost is its own measured figure, the scan's takes the
     * scalar path's factor. */
    double scalar_work = by_index ? n * sel * (sql_hybrid_get(&sql_hybrid_ixrow) + dist_ns)
                                  : (n * row_ns + n * sel * dist_ns) *
                                        sql_hybrid_get(&sql_hybrid_scale_scalar);
    double scalar_ns = parts * sql_hybrid_get(&sql_hybrid_part_scalar) + scalar_work;
    out->scalar_ms = scalar_ns / 1e6;
    out->ann_ms = ann_ns / 1e6;
    out->ann_first = ann_ns < scalar_ns;
}

void sql_hybrid_calibration(sql_hybrid_calib *out) {
    out->ann_scale = sql_hybrid_get(&sql_hybrid_scale_ann);
    out->scalar_scale = sql_hybrid_get(&sql_hybrid_scale_scalar);
    out->ann_part_ns = sql_hybrid_get(&sql_hybrid_part_ann);
    out->scalar_part_ns = sql_hybrid_get(&sql_hybrid_part_scalar);
    out->walk_ratio = sql_hybrid_get(&sql_hybrid_walk);
    out->row_ns = sql_hybrid_get(&sql_hybrid_row);
    out->dist_ns_per_dim = sql_hybrid_get(&sql_hybrid_dist_pdim);
    out->filter_ns = sql_hybrid_get(&sql_hybrid_filter);
    out->ixrow_ns = sql_hybrid_get(&sql_hybrid_ixrow);
}
