/* sql_hybrid.c: the hybrid planner's cost model and its runtime calibration (sql_hybrid.h). */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/eng_hnsw.h"
#include "sql/sql_hybrid.h"
#include "sql/sql_stats.h"

/* Starting points of the calibration, in nanoseconds, measured with bench/ on this code: a
 * column-store row through a pushed-down filter, one float32 multiply-add of a SIMD distance,
 * one row-at-a-time WHERE check during a graph walk. */
#define SQL_HYBRID_ROW_NS 6.0
#define SQL_HYBRID_DIST_NS_PER_DIM 0.12
#define SQL_HYBRID_FILTER_NS 150.0
/* The shape of a walk before its index has taught its own: distances = e^A * visited^B,
 * through (40 visited, 700 distances), the default ef_search on 100K-200K rows of 768-dim
 * clustered data (bench/RESULTS.md, issue 7), with B between what clustered data shows (0.2:
 * a wider walk mostly meets nodes it has seen) and random data (near 1). */
#define SQL_HYBRID_SHAPE_B 0.6
#define SQL_HYBRID_SHAPE_A (6.551 - SQL_HYBRID_SHAPE_B * 3.689) /* ln 700 - B ln 40 */
/* The prior's weight in the fit, as two walks at 40 and 4,000 visited nodes: enough to keep
 * the slope defined while every walk so far had the same ef and selectivity, little enough
 * that a few dozen walks override it. */
#define SQL_HYBRID_SHAPE_PRIOR_W 0.5
/* Each new walk's weight against the older ones (these decay by this factor per walk): the
 * fit follows the graph as it grows, over about the last 50 walks. */
#define SQL_HYBRID_SHAPE_DECAY 0.98
/* The slope's bounds: distances never fall as a walk widens, nor grow much faster than its
 * nodes (each visited node adds at most its 2m neighbours). */
#define SQL_HYBRID_SHAPE_B_MIN 0.05
#define SQL_HYBRID_SHAPE_B_MAX 1.5
/* The fit is one power law; a walk that widens past its cluster computes more distances per
 * node than one inside it, so the walks are also kept by size (bins of visited nodes doubling
 * from 1): where a bin has walks, the estimate follows them, elsewhere the fit. */
#define SQL_HYBRID_SHAPE_BINS 24u
/* A power law with b < 1 says a wide walk computes fewer distances than it expands nodes,
 * which no walk does (each expanded node was scored first): past this many visited nodes the
 * walks' own distances per node (a moving average, starting here) bound the fit from below.
 * Measured 1.2-3.5 on the bench's clustered data once a walk leaves its cluster. */
#define SQL_HYBRID_SHAPE_WIDE_VISITED 256.0
#define SQL_HYBRID_SHAPE_WIDE_RATIO 1.5
/* Indexes with a shape of their own; a further one takes over the slot its hash names. */
#define SQL_HYBRID_SHAPES 64u
/* Starting a walk or a scan of one partition: the fragment's operators, scratch memory, the
 * local top-k and the batch sent up (measured 5-30 us on this code, by how warm it runs;
 * 60 us under the sanitizers). Learnt per path, within SQL_HYBRID_PART_RANGE of this. */
#define SQL_HYBRID_PART_NS 10000.0
#define SQL_HYBRID_PART_RANGE 16.0
/* Weight of a new measurement in the moving averages, and how far they may drift. */
#define SQL_HYBRID_ALPHA 0.05
#define SQL_HYBRID_CALIB_RANGE 4.0
/* Distances per level of the descent from the entry point to level 0, at most (m = 16). */
#define SQL_HYBRID_DESCENT_MAX 24.0
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
/* The automatic ef_search (hnsw.ef_search left at pgvector's 40): ef = 4 k (nodes / 50,000)^1.1
 * per graph, at least 40. Measured on the bench's clustered data (768 dims, noise in every
 * dimension, bench/RESULTS.md, 45-100 queries each): recall@10 at ef 40 is 0.96 with 50K nodes per
 * graph, 0.90 at 100K, 0.62 at 500K, where ef 200 gives 0.94 and 400 0.96; at 292K nodes ef
 * 200 gives 0.946 and 300 0.975. The exponent 0.9 (ef 196 there, 318 at 500K) sat at the edge
 * of 0.95; 1.1 gives 278 and 504 (ef 300-500 cost 2.2-2.6 ms of CPU a top-10 at 584K). The
 * real datasets (deep10k, bigann10k) keep >= 0.97 at 40 and stay at 40. */
#define SQL_HYBRID_AUTO_EF_NODES 50000.0
#define SQL_HYBRID_AUTO_EF_EXP 1.1
#define SQL_HYBRID_AUTO_EF_PER_K 4.0
#define SQL_HYBRID_AUTO_EF_SEL 2.0 /* full growth from selectivity 0.5 up */
/* Rows assumed for a table never analysed and of unknown size. */
#define SQL_HYBRID_DEFAULT_ROWS 10000.0

/* Stored as nanoseconds * 1000 in integers so that updates are single atomics. */
static _Atomic uint64_t sql_hybrid_dist_pdim = (uint64_t)(SQL_HYBRID_DIST_NS_PER_DIM * 1000);
static _Atomic uint64_t sql_hybrid_row = (uint64_t)(SQL_HYBRID_ROW_NS * 1000);
static _Atomic uint64_t sql_hybrid_filter = (uint64_t)(SQL_HYBRID_FILTER_NS * 1000);
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

/* ---- per-index walk shapes ------------------------------------------------------------ */

/* What walks of one graph (a table's VECTOR column, all its partitions) have shown:
 *   visited   V = min(rows, cv * want / sel)   (want = max(ef, k): a walk stops once it holds
 *                                              `want` passing nodes and none nearer is left)
 *   distances D = min(rows + descent, e^a * V^b), a and b a least-squares fit of ln D on ln V
 *               (or the walks of V's size bin), at least V times the wide walks' D / V
 *   checks    F = cf * D                        (the WHERE is asked of nodes near enough)
 * cv and cf are moving averages, the fit's sums decay per walk; a fixed prior keeps the slope
 * defined (sql_hybrid.h). */
typedef struct sql_hybrid_shape {
    uint32_t table_oid;      /* 0: free */
    uint16_t attnum;
    uint64_t walks;
    double w, sx, sy, sxx, sxy; /* decayed sums over walks of 1, ln V, ln D, ln V^2, ln V ln D */
    double bin_w[SQL_HYBRID_SHAPE_BINS];  /* decayed walks per bin of V, and their sums */
    double bin_lv[SQL_HYBRID_SHAPE_BINS]; /* of ln V and of ln D */
    double bin_ld[SQL_HYBRID_SHAPE_BINS];
    double log_cv;           /* ln(V / (want / sel)) */
    double cf;               /* F / D */
    double wide_ratio;       /* D / V of walks past SQL_HYBRID_SHAPE_WIDE_VISITED */
} sql_hybrid_shape;

static sql_hybrid_shape sql_hybrid_shapes[SQL_HYBRID_SHAPES];
static atomic_flag sql_hybrid_shape_lock = ATOMIC_FLAG_INIT;

static void sql_hybrid_shape_acquire(void) {
    while (atomic_flag_test_and_set_explicit(&sql_hybrid_shape_lock, memory_order_acquire)) {
    }
}

static void sql_hybrid_shape_release(void) {
    atomic_flag_clear_explicit(&sql_hybrid_shape_lock, memory_order_release);
}

/* The entry of (table, column), taken over when `claim` (under the lock); NULL if none. */
static sql_hybrid_shape *sql_hybrid_shape_find(uint32_t table_oid, uint16_t attnum, bool claim) {
    uint32_t home = (table_oid * 2654435761u + attnum) % SQL_HYBRID_SHAPES;
    sql_hybrid_shape *free_one = NULL;
    for (uint32_t i = 0; i < SQL_HYBRID_SHAPES; i++) {
        sql_hybrid_shape *e = &sql_hybrid_shapes[(home + i) % SQL_HYBRID_SHAPES];
        if (e->table_oid == table_oid && e->attnum == attnum) return e;
        if (e->table_oid == 0 && free_one == NULL) free_one = e;
    }
    if (!claim) return NULL;
    sql_hybrid_shape *e = free_one != NULL ? free_one : &sql_hybrid_shapes[home];
    *e = (sql_hybrid_shape){.table_oid = table_oid, .attnum = attnum, .cf = 1.0,
                            .wide_ratio = SQL_HYBRID_SHAPE_WIDE_RATIO};
    return e;
}

/* The fit's a and b: the entry's walks plus the prior (two points on the default shape). */
static void sql_hybrid_shape_fit(const sql_hybrid_shape *e, double *a, double *b) {
    double w = SQL_HYBRID_SHAPE_PRIOR_W * 2, sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double px[2] = {log(40.0), log(4000.0)};
    for (int i = 0; i < 2; i++) {
        double py = SQL_HYBRID_SHAPE_A + SQL_HYBRID_SHAPE_B * px[i];
        sx += SQL_HYBRID_SHAPE_PRIOR_W * px[i];
        sy += SQL_HYBRID_SHAPE_PRIOR_W * py;
        sxx += SQL_HYBRID_SHAPE_PRIOR_W * px[i] * px[i];
        sxy += SQL_HYBRID_SHAPE_PRIOR_W * px[i] * py;
    }
    if (e != NULL) {
        w += e->w, sx += e->sx, sy += e->sy, sxx += e->sxx, sxy += e->sxy;
    }
    double var = sxx - sx * sx / w;
    double slope = var > 1e-9 ? (sxy - sx * sy / w) / var : SQL_HYBRID_SHAPE_B;
    slope = fmin(fmax(slope, SQL_HYBRID_SHAPE_B_MIN), SQL_HYBRID_SHAPE_B_MAX);
    *b = slope;
    *a = (sy - slope * sx) / w;
}

static uint32_t sql_hybrid_shape_bin(double visited) {
    double l = log2(fmax(visited, 1.0));
    return l >= SQL_HYBRID_SHAPE_BINS - 1 ? SQL_HYBRID_SHAPE_BINS - 1 : (uint32_t)l;
}

/* ln D for `visited` nodes: the walks of its bin moved along the fit's slope, else the fit. */
static double sql_hybrid_shape_log_d(const sql_hybrid_shape *e, double a, double b,
                                     double visited) {
    double lv = log(fmax(visited, 1.0));
    uint32_t bin = sql_hybrid_shape_bin(visited);
    if (e == NULL || e->bin_w[bin] < 0.5) return a + b * lv;
    double w = e->bin_w[bin];
    return e->bin_ld[bin] / w + b * (lv - e->bin_lv[bin] / w);
}

/* The nodes a walk wanting `want` passing rows visits, before the index's own factor. */
static double sql_hybrid_want_visits(double want, double sel, double part_rows) {
    double floor_sel = 1.0 / fmax(part_rows, 1.0);
    return want / fmax(sel, floor_sel);
}

void sql_hybrid_walk_expect(uint32_t table_oid, uint16_t attnum, double want, double sel,
                            double part_rows, sql_hybrid_walk *out) {
    if (part_rows < 1) part_rows = 1;
    sql_hybrid_shape_acquire();
    const sql_hybrid_shape *e = sql_hybrid_shape_find(table_oid, attnum, false);
    double a, b, log_cv = e != NULL ? e->log_cv : 0, cf = e != NULL ? e->cf : 1.0;
    sql_hybrid_shape_fit(e, &a, &b);
    out->walks = e != NULL ? e->walks : 0;
    out->visited = fmin(part_rows, fmax(1.0, exp(log_cv) * sql_hybrid_want_visits(want, sel,
                                                                                 part_rows)));
    double log_d = sql_hybrid_shape_log_d(e, a, b, out->visited);
    double wide = e != NULL ? e->wide_ratio : SQL_HYBRID_SHAPE_WIDE_RATIO;
    sql_hybrid_shape_release();
    if (out->visited >= SQL_HYBRID_SHAPE_WIDE_VISITED) {
        log_d = fmax(log_d, log(out->visited * wide));
    }
    /* a walk computes each node's distance once: the whole partition and the descent's */
    double most = part_rows + SQL_HYBRID_DESCENT_MAX * log2(part_rows + 1);
    out->distances = fmin(most, exp(log_d));
    out->filter_calls = cf * out->distances;
    out->shape_a = a;
    out->shape_b = b;
}

void sql_hybrid_note_walk_shape(uint32_t table_oid, uint16_t attnum, double want, double sel,
                                double part_rows, uint64_t visited, uint64_t distances,
                                uint64_t filter_calls) {
    if (table_oid == 0 || visited == 0 || distances == 0) return;
    double lv = log((double)visited), ld = log((double)distances);
    double ref = fmin(fmax(part_rows, 1.0), sql_hybrid_want_visits(want, sel, part_rows));
    double lcv = log((double)visited / fmax(ref, 1.0));
    sql_hybrid_shape_acquire();
    sql_hybrid_shape *e = sql_hybrid_shape_find(table_oid, attnum, true);
    e->w = e->w * SQL_HYBRID_SHAPE_DECAY + 1;
    e->sx = e->sx * SQL_HYBRID_SHAPE_DECAY + lv;
    e->sy = e->sy * SQL_HYBRID_SHAPE_DECAY + ld;
    e->sxx = e->sxx * SQL_HYBRID_SHAPE_DECAY + lv * lv;
    e->sxy = e->sxy * SQL_HYBRID_SHAPE_DECAY + lv * ld;
    for (uint32_t i = 0; i < SQL_HYBRID_SHAPE_BINS; i++) {
        e->bin_w[i] *= SQL_HYBRID_SHAPE_DECAY;
        e->bin_lv[i] *= SQL_HYBRID_SHAPE_DECAY;
        e->bin_ld[i] *= SQL_HYBRID_SHAPE_DECAY;
    }
    uint32_t bin = sql_hybrid_shape_bin((double)visited);
    e->bin_w[bin] += 1;
    e->bin_lv[bin] += lv;
    e->bin_ld[bin] += ld;
    /* a walk that saw the whole partition says nothing of cv beyond "at least" */
    double alpha = e->walks < 8 ? 1.0 / (double)(e->walks + 1) : 0.1;
    if (!((double)visited >= part_rows * 0.9 && lcv < e->log_cv)) {
        e->log_cv = fmin(fmax(e->log_cv + alpha * (lcv - e->log_cv), -3.0), 3.0);
    }
    if ((double)visited >= SQL_HYBRID_SHAPE_WIDE_VISITED) {
        double r = (double)distances / (double)visited;
        e->wide_ratio = fmin(fmax(e->wide_ratio + alpha * (r - e->wide_ratio), 1.0), 64.0);
    }
    if (filter_calls > 0) {
        e->cf = fmin(fmax(e->cf + alpha * ((double)filter_calls / (double)distances - e->cf),
                          0.01), 2.0);
    }
    e->walks++;
    sql_hybrid_shape_release();
}

void sql_hybrid_shapes_reset(void) {
    sql_hybrid_shape_acquire();
    memset(sql_hybrid_shapes, 0, sizeof sql_hybrid_shapes);
    sql_hybrid_shape_release();
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

uint32_t sql_hybrid_auto_ef(double graph_nodes, uint32_t k, double sel) {
    double grow = pow(fmax(graph_nodes, 1.0) / SQL_HYBRID_AUTO_EF_NODES, SQL_HYBRID_AUTO_EF_EXP);
    /* A filtered walk already explores about ef / sel nodes: at 1M rows 1%-10% keep recall
     * >= 0.95 at 40, so the growth applies in full from half the rows passing only. */
    grow *= fmin(1.0, fmax(sel, 0.0) * SQL_HYBRID_AUTO_EF_SEL);
    double ef = fmax(ENG_HNSW_EF_SEARCH_DEFAULT, SQL_HYBRID_AUTO_EF_PER_K * k * fmax(grow, 1.0));
    return ef > ENG_HNSW_EF_SEARCH_MAX ? ENG_HNSW_EF_SEARCH_MAX : (uint32_t)ef;
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
    out->ef_auto = ef == 0;
    if (ef == 0) ef = sql_hybrid_auto_ef(n / parts, k, sel);
    double dist_ns = sql_hybrid_get(&sql_hybrid_dist_pdim) * dims;
    double row_ns = sql_hybrid_get(&sql_hybrid_row);
    double filter_ns = filter != NULL ? sql_hybrid_get(&sql_hybrid_filter) : 0;
    out->table_oid = t->oid;
    out->attnum = vec_attnum;
    out->by_index = by_index;
    out->rows = n;
    out->selectivity = sel;
    out->candidates = n * sel;
    out->k = k;
    out->dims = dims;
    out->ef = ef;
    out->partitions = (uint32_t)parts;
    /* Each partition's graph is walked on its own, with the shape its index has shown. */
    sql_hybrid_walk_expect(t->oid, vec_attnum, ef > k ? ef : k, sel, n / parts, &out->walk);
    double ann_ns = parts * sql_hybrid_get(&sql_hybrid_part_ann) +
                    parts * (out->walk.distances * dist_ns + out->walk.filter_calls * filter_ns) *
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
    out->row_ns = sql_hybrid_get(&sql_hybrid_row);
    out->dist_ns_per_dim = sql_hybrid_get(&sql_hybrid_dist_pdim);
    out->filter_ns = sql_hybrid_get(&sql_hybrid_filter);
    out->ixrow_ns = sql_hybrid_get(&sql_hybrid_ixrow);
}
