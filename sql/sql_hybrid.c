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
/* Mean level-0 neighbours examined per visited node with m = 16 (2m links, most seen). */
#define SQL_HYBRID_DEGREE 24.0
/* Weight of a new measurement in the moving averages, and how far they may drift. */
#define SQL_HYBRID_ALPHA 0.05
#define SQL_HYBRID_CALIB_RANGE 4.0
/* Rows assumed for a table never analysed and of unknown size. */
#define SQL_HYBRID_DEFAULT_ROWS 10000.0

/* Stored as nanoseconds * 1000 in integers so that updates are single atomics. */
static _Atomic uint64_t sql_hybrid_dist_pdim = (uint64_t)(SQL_HYBRID_DIST_NS_PER_DIM * 1000);
static _Atomic uint64_t sql_hybrid_row = (uint64_t)(SQL_HYBRID_ROW_NS * 1000);
static _Atomic uint64_t sql_hybrid_filter = (uint64_t)(SQL_HYBRID_FILTER_NS * 1000);

static double sql_hybrid_get(_Atomic uint64_t *v) { return (double)atomic_load(v) / 1000.0; }

/* A measurement moves the average, within a factor of SQL_HYBRID_CALIB_RANGE of the
 * starting point: one odd query (a cold cache, a preempted VM) must not flip later plans. */
static void sql_hybrid_mix(_Atomic uint64_t *v, double measured_ns, double start_ns) {
    if (!(measured_ns > 0) || measured_ns > 1e6) return;
    double cur = sql_hybrid_get(v);
    double next = cur + SQL_HYBRID_ALPHA * (measured_ns - cur);
    if (next > start_ns * SQL_HYBRID_CALIB_RANGE) next = start_ns * SQL_HYBRID_CALIB_RANGE;
    if (next < start_ns / SQL_HYBRID_CALIB_RANGE) next = start_ns / SQL_HYBRID_CALIB_RANGE;
    atomic_store(v, (uint64_t)(next * 1000));
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
                         double rows, sql_hybrid_est *out) {
    double stats_rows = sql_stats_rows(t);
    if (stats_rows < 0) sql_stats_note_unknown(t); /* estimates improve from the next query */
    double n = stats_rows >= 0 ? stats_rows : rows >= 0 ? rows : SQL_HYBRID_DEFAULT_ROWS;
    if (n < 1) n = 1;
    double sel = sql_stats_selectivity(t, attnums, natts, filter);
    double floor_sel = 1.0 / n;
    uint32_t dims = (uint32_t)t->columns[vec_attnum - 1].vector_dims;
    if (ef == 0) ef = ENG_HNSW_EF_SEARCH_DEFAULT;
    double dist_ns = sql_hybrid_get(&sql_hybrid_dist_pdim) * dims;
    double row_ns = sql_hybrid_get(&sql_hybrid_row);
    double filter_ns = filter != NULL ? sql_hybrid_get(&sql_hybrid_filter) : 0;
    double want = ef > k ? ef : k;
    /* The walk sees about want / sel passing-or-not nodes before k pass, never more than n. */
    double visited = fmin(n, want / fmax(sel, floor_sel));
    double ann_ns = visited * SQL_HYBRID_DEGREE * dist_ns + visited * filter_ns +
                    log2(n + 1) * SQL_HYBRID_DEGREE * dist_ns;
    double scalar_ns = n * row_ns + n * sel * dist_ns;
    out->rows = n;
    out->selectivity = sel;
    out->candidates = n * sel;
    out->scalar_ms = scalar_ns / 1e6;
    out->ann_ms = ann_ns / 1e6;
    out->ann_first = ann_ns < scalar_ns;
    out->k = k;
    out->dims = dims;
    out->ef = ef;
}
