/* sql_exec_ann.c: ANNSCAN, the ANN-first fragment: per partition, the HNSW graph is walked
 * from the query vector; each candidate is checked for visibility to the statement's snapshot
 * and against the pushed-down WHERE while the walk goes on, which widens until k rows pass
 * (or the graph is exhausted). The rows found go up to the coordinator, which computes the
 * exact distances, sorts and limits, so results are always real rows with exact distances.
 * When a walk ends short (a budget, an unreachable region, a zero query under cosine) the
 * partition is scanned exactly instead: a filtered query returns k rows whenever k pass. */
#include <string.h>

#include "engine/eng_part.h"
#include "runtime/rt_time.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_hybrid.h"

/* Conjuncts of a WHERE the walk checks without the expression machinery: `column op
 * constant` on integer columns (bucket < $2). A walk checks the WHERE on every candidate near
 * enough, one row at a time, where evaluating a batch of one row costs far more than the
 * comparison itself. */
#define SQL_ANN_QUICK_MAX 4

typedef enum sql_ann_cmp {
    SQL_ANN_EQ, SQL_ANN_NE, SQL_ANN_LT, SQL_ANN_LE, SQL_ANN_GT, SQL_ANN_GE, SQL_ANN_CMP_COUNT
} sql_ann_cmp;

typedef struct sql_ann_quick {
    uint16_t attnum;         /* the table column */
    sql_ann_cmp cmp;         /* column cmp value */
    int64_t value;
} sql_ann_quick;

typedef struct sql_op_ann {
    sql_op base;
    uint32_t part_index;
    bool exact;              /* scanning the current partition instead */
    uint32_t cursor;
    sql_batch *raw;
    sql_batch *one;          /* one candidate row, for the filter */
    rt_arena *filter_arena;
    const float *query;
    uint32_t dims;
    int64_t k;
    bool failed;
    uint64_t filtered;       /* candidates the snapshot or the WHERE turned down */
    bool walked;             /* the current partition's walk ended short */
    uint16_t *filter_cols;   /* the scan columns the WHERE reads (a walk checks it on every
                                candidate near enough: the vector and the other columns it
                                does not read stay unread) */
    uint32_t filter_ncols;
    uint16_t *filter_attnums; /* their table attnums, for eng_part_prefetch */
    bool quick;              /* the WHERE is quick[0..nquick) (all must hold) */
    bool quick_none;         /* ... and one compares with NULL: no row passes */
    uint32_t nquick;
    sql_ann_quick quicks[SQL_ANN_QUICK_MAX];
} sql_op_ann;

typedef struct sql_ann_filter {
    sql_op_ann *a;
    sql_exec_ctx *x;
    const eng_part *part;
} sql_ann_filter;

/* Reads version `slot` into row `row` of `out`: the scan columns cols[0..n), or all of them
 * when cols is NULL (a hit), or those of the WHERE (a filter check). */
static void sql_ann_read_row(const sql_plan *p, const eng_part *part, uint32_t slot,
                             const uint16_t *cols, uint32_t n, sql_batch *out, uint32_t row) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = cols != NULL ? cols[i] : i;
        sql_value v;
        eng_part_read(part, slot, p->ann.attnums[c], &v);
        v.type_oid = p->cols[c].type_oid;
        sql_vec_set(&out->cols[c], row, &v);
    }
}

/* Marks in need[] the scan columns `e` reads; false when it holds a node whose inputs are
 * not all among its args (a subquery, a leftover aggregate): then it may read any column. */
static bool sql_ann_filter_reads(const sql_expr *e, bool *need, uint32_t natts) {
    if (e == NULL) return true;
    if (e->kind == SQL_X_SUBQUERY || e->kind == SQL_X_AGGREF || e->kind == SQL_X_WINDOWREF) {
        return false;
    }
    if (e->kind == SQL_X_COLUMN) {
        if (e->column.depth != 0 || e->column.index >= natts) return false;
        need[e->column.index] = true;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!sql_ann_filter_reads(e->args[i], need, natts)) return false;
    }
    return true;
}

/* The columns a filter check reads into the one-row batch: those the WHERE reads, or all. */
static bool sql_ann_filter_plan(sql_op_ann *a, sql_exec_ctx *x) {
    const sql_plan *p = a->base.plan;
    uint32_t natts = p->ann.natts;
    bool *need = rt_arena_zalloc(x->arena, natts + 1u);
    a->filter_cols = rt_arena_alloc(x->arena, sizeof(uint16_t) * (natts + 1u));
    a->filter_attnums = rt_arena_alloc(x->arena, sizeof(uint16_t) * (natts + 1u));
    if (need == NULL || a->filter_cols == NULL || a->filter_attnums == NULL) {
        return rt_arena_fail(x->arena, x->err);
    }
    bool known = sql_ann_filter_reads(p->ann.filter, need, natts);
    a->filter_ncols = 0;
    for (uint32_t c = 0; c < natts; c++) {
        if (known && !need[c]) continue;
        a->filter_attnums[a->filter_ncols] = p->ann.attnums[c];
        a->filter_cols[a->filter_ncols++] = (uint16_t)c;
    }
    return true;
}

static bool sql_ann_int_type(uint32_t type_oid) {
    return type_oid == SQL_T_INT2 || type_oid == SQL_T_INT4 || type_oid == SQL_T_INT8;
}

/* Adds `e` to the quick conjuncts if it is `column op constant` (either side) on integers;
 * false if it is not (the WHERE is then evaluated as an expression) or a parameter failed. */
static bool sql_ann_quick_add(sql_op_ann *a, sql_exec_ctx *x, const sql_expr *e) {
    static const char *const names[SQL_ANN_CMP_COUNT] = {"=", "<>", "<", "<=", ">", ">="};
    static const sql_ann_cmp swapped[SQL_ANN_CMP_COUNT] = {SQL_ANN_EQ, SQL_ANN_NE, SQL_ANN_GT,
                                                           SQL_ANN_GE, SQL_ANN_LT, SQL_ANN_LE};
    const sql_plan *p = a->base.plan;
    if (e->kind == SQL_X_AND) {
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (!sql_ann_quick_add(a, x, e->args[i])) return false;
        }
        return true;
    }
    if (a->nquick == SQL_ANN_QUICK_MAX || e->kind != SQL_X_FUNC || e->nargs != 2 ||
        !e->func.def->is_operator || e->type_oid != SQL_T_BOOL) {
        return false;
    }
    uint32_t cmp = 0;
    while (cmp < SQL_ANN_CMP_COUNT && strcmp(e->func.def->name, names[cmp]) != 0) cmp++;
    uint32_t col = e->args[0]->kind == SQL_X_COLUMN ? 0 : 1;
    const sql_expr *c = e->args[col], *k = e->args[1 - col];
    if (cmp == SQL_ANN_CMP_COUNT || c->kind != SQL_X_COLUMN || c->column.depth != 0 ||
        c->column.index >= p->ann.natts || p->ann.attnums[c->column.index] == 0 ||
        !sql_ann_int_type(c->type_oid) || !sql_ann_int_type(k->type_oid) ||
        (k->kind != SQL_X_CONST && k->kind != SQL_X_PARAM)) {
        return false;
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    sql_value v;
    if (!sql_eval_scalar(&ec, k, &v)) return false;
    if (v.is_null) a->quick_none = true; /* strict: NULL, which no row passes */
    a->quicks[a->nquick++] = (sql_ann_quick){
        .attnum = p->ann.attnums[c->column.index],
        .cmp = col == 0 ? (sql_ann_cmp)cmp : swapped[cmp], .value = v.is_null ? 0 : v.i64};
    return true;
}

static bool sql_ann_quick_prepare(sql_op_ann *a, sql_exec_ctx *x) {
    const sql_expr *filter = a->base.plan->ann.filter;
    a->nquick = 0;
    a->quick_none = false;
    a->quick = filter != NULL && sql_ann_quick_add(a, x, filter);
    if (a->quick) return true;
    if (rt_err_is_set(x->err)) return false; /* a parameter failed to evaluate */
    a->nquick = 0;
    a->quick_none = false;
    return true;
}

/* The quick conjuncts on version `slot`: a NULL column fails, as the operators are strict. */
static bool sql_ann_quick_passes(const sql_op_ann *a, const eng_part *part, uint32_t slot) {
    if (a->quick_none) return false;
    for (uint32_t i = 0; i < a->nquick; i++) {
        const sql_ann_quick *q = &a->quicks[i];
        sql_value v;
        eng_part_read(part, slot, q->attnum, &v);
        if (v.is_null) return false;
        bool ok;
        switch (q->cmp) {
        case SQL_ANN_EQ: ok = v.i64 == q->value; break;
        case SQL_ANN_NE: ok = v.i64 != q->value; break;
        case SQL_ANN_LT: ok = v.i64 < q->value; break;
        case SQL_ANN_LE: ok = v.i64 <= q->value; break;
        case SQL_ANN_GT: ok = v.i64 > q->value; break;
        default: ok = v.i64 >= q->value; break;
        }
        if (!ok) return false;
    }
    return true;
}

/* The graph's filter: visible to the snapshot and passing the WHERE. */
static bool sql_ann_passes(void *ctx, uint32_t slot) {
    sql_ann_filter *f = ctx;
    sql_op_ann *a = f->a;
    if (a->failed) return false;
    if (!eng_part_visible(f->part, slot, &f->x->snap)) {
        a->filtered++;
        return false;
    }
    const sql_plan *p = a->base.plan;
    if (p->ann.filter == NULL) return true;
    if (a->quick) {
        bool pass = sql_ann_quick_passes(a, f->part, slot);
        a->filtered += !pass;
        return pass;
    }
    rt_arena_reset(a->filter_arena);
    sql_ann_read_row(p, f->part, slot, a->filter_cols, a->filter_ncols, a->one, 0);
    a->one->rows = 1;
    uint8_t sel[2];
    uint32_t kept = 0;
    if (!sql_exec_predicate(f->x, a->filter_arena, p->ann.filter, a->one, sel, &kept)) {
        a->failed = true; /* reported once the walk returns */
        return false;
    }
    a->filtered += kept != 1;
    return kept == 1;
}

/* The walk's hint before it checks a batch of candidates: their stamps and the cells the
 * WHERE reads start loading together (at 1M rows each is a cache miss of its own). */
static void sql_ann_prefetch(void *ctx, uint32_t slot) {
    const sql_ann_filter *f = ctx;
    const sql_op_ann *a = f->a;
    uint32_t n = a->base.plan->ann.filter != NULL ? a->filter_ncols : 0;
    eng_part_prefetch(f->part, slot, a->filter_attnums, n);
}

static bool sql_ann_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_ann *a = (sql_op_ann *)op;
    const sql_plan *p = op->plan;
    a->raw = sql_batch_new(x->arena, p->ann.natts, ENG_RG_ROWS);
    a->one = sql_batch_new(x->arena, p->ann.natts, 1);
    if (a->raw == NULL || a->one == NULL) return false;
    for (uint32_t c = 0; c < p->ann.natts; c++) {
        if (!sql_vec_init(x->arena, &a->raw->cols[c], p->cols[c].type_oid, p->cols[c].typmod,
                          ENG_RG_ROWS) ||
            !sql_vec_init(x->arena, &a->one->cols[c], p->cols[c].type_oid, p->cols[c].typmod,
                          1)) {
            return false;
        }
    }
    a->filter_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    if (!sql_ann_filter_plan(a, x) || !sql_ann_quick_prepare(a, x)) return false;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    sql_value q, k;
    if (!sql_eval_scalar(&ec, p->ann.query, &q) || !sql_eval_scalar(&ec, p->ann.k, &k)) {
        return false;
    }
    a->k = k.is_null ? INT64_MAX : k.i64;
    if (q.is_null) {
        a->k = 0; /* every distance is NULL: the exact sort decides, over a full scan */
        a->exact = true;
        return true;
    }
    a->query = (const float *)q.b.ptr;
    a->dims = q.b.len / (uint32_t)sizeof(float);
    uint32_t col_dims = (uint32_t)p->ann.table->columns[p->ann.vec_attnum - 1].vector_dims;
    if (a->dims != col_dims) {
        return rt_err_set(x->err, SQLSTATE_DATA_EXCEPTION, "different vector dimensions %u and %u",
                          col_dims, a->dims);
    }
    if (a->k > ENG_HNSW_K_MAX) a->exact = true;
    return true;
}

/* This shard's entry of EXPLAIN ANALYZE HYBRID's actuals, or NULL. */
static sql_hybrid_actual *sql_ann_actual(sql_exec_ctx *x) {
    if (x->hybrid_actual == NULL) return NULL;
    sql_hybrid_actual *act = &x->hybrid_actual[rt_core_id()];
    act->ran = true;
    return act;
}

/* True if the partition's graph computes the plan's metric. Right after CREATE INDEX changed
 * it, the graph being rebuilt is not serving yet and the old one ranks by another distance:
 * the partition is then answered exactly, never wrongly. */
static bool sql_ann_graph_serves(const sql_plan *p, const eng_part *part) {
    eng_hnsw_metric metric;
    return eng_part_ann_metric(part, p->ann.vec_attnum, &metric) &&
           (uint32_t)metric == p->ann.metric;
}

/* One partition by its graph: the hits' rows into a batch. */
static bool sql_ann_walk(sql_op_ann *a, sql_exec_ctx *x, eng_part *part, sql_batch **out,
                         bool *short_walk) {
    const sql_plan *p = a->base.plan;
    *short_walk = false;
    uint32_t k = (uint32_t)a->k;
    eng_hnsw_hit *hits = rt_arena_alloc(a->base.batch_arena, sizeof(eng_hnsw_hit) * k);
    if (hits == NULL) return rt_arena_fail(a->base.batch_arena, x->err);
    sql_ann_filter f = {a, x, part};
    eng_hnsw_search_opts opts = {.k = k, .ef_search = x->ann_ef_search,
                                 .filter = sql_ann_passes, .filter_ctx = &f,
                                 .filter_prefetch = sql_ann_prefetch,
                                 .float_walk = x->ann_float_walk};
    eng_hnsw_info info;
    if (opts.ef_search == 0 && eng_part_ann_info(part, p->ann.vec_attnum, &info)) {
        double sel = p->hybrid != NULL ? p->hybrid->selectivity : 1.0;
        opts.ef_search = sql_hybrid_auto_ef((double)(info.nodes - info.dead), k, sel);
    }
    eng_hnsw_search_stats stats;
    uint64_t t0 = rt_time_thread_cpu_ns();
    a->filtered = 0;
    if (!eng_part_ann_search(part, p->ann.vec_attnum, a->query, &opts, hits, &stats, x->err)) {
        return false;
    }
    /* Without a WHERE the filter only checks visibility: not what filter_ns prices. */
    uint64_t where_calls = p->ann.filter != NULL ? stats.filter_calls : 0;
    sql_hybrid_note_walk(stats.distances, a->dims, where_calls, rt_time_thread_cpu_ns() - t0);
    if (p->hybrid != NULL && stats.status != ENG_HNSW_SHORT) {
        const sql_hybrid_est *est = p->hybrid;
        uint32_t ef = opts.ef_search != 0 ? opts.ef_search : ENG_HNSW_EF_SEARCH_DEFAULT;
        sql_hybrid_note_walk_shape(est->table_oid, est->attnum, ef > k ? ef : k,
                                   est->selectivity, est->rows / est->partitions, stats.visited,
                                   stats.distances, where_calls);
    }
    if (a->failed) return false; /* the WHERE failed on a candidate: its error is set */
    if (!sql_ann_graph_serves(p, part)) {
        /* A rebuild with another metric took over while the search caught up: its hits were
         * ranked by that metric. The partition is scanned exactly instead. */
        *short_walk = true;
        return true;
    }
    x->stats.rows_scanned += stats.visited;
    x->stats.hybrid_distances += stats.distances;
    x->stats.hybrid_filter_calls += where_calls;
    sql_hybrid_actual *act = sql_ann_actual(x);
    if (act != NULL) {
        act->partitions++;
        act->visited += stats.visited;
        act->distances += stats.distances;
        act->reranked += stats.reranked;
        act->filtered += a->filtered;
        if (stats.status != ENG_HNSW_SHORT) act->candidates += stats.hit_count;
    }
    if (stats.status == ENG_HNSW_SHORT) {
        *short_walk = true;
        return true;
    }
    if (stats.hit_count == 0) return true;
    sql_batch *b = sql_batch_new(a->base.batch_arena, p->ncols, stats.hit_count);
    if (b == NULL) return rt_arena_fail(a->base.batch_arena, x->err);
    for (uint32_t c = 0; c < p->ann.natts; c++) {
        if (!sql_vec_init(a->base.batch_arena, &b->cols[c], p->cols[c].type_oid,
                          p->cols[c].typmod, stats.hit_count)) {
            return rt_arena_fail(a->base.batch_arena, x->err);
        }
    }
    for (uint32_t i = 0; i < stats.hit_count; i++) {
        sql_ann_read_row(p, part, hits[i].slot, NULL, p->ann.natts, b, i);
    }
    b->rows = stats.hit_count;
    *out = b;
    return true;
}

/* The exact fallback: the partition's rows passing the filter, a row group at a time. */
static bool sql_ann_scan(sql_op_ann *a, sql_exec_ctx *x, eng_part *part, sql_batch **out,
                         bool *more) {
    const sql_plan *p = a->base.plan;
    *more = eng_part_scan(part, &x->snap, &a->cursor, p->ann.attnums, p->ann.natts, a->raw,
                          NULL);
    if (!*more || a->raw->rows == 0) return true;
    x->stats.rows_scanned += a->raw->rows;
    x->stats.hybrid_rows += a->raw->rows;
    sql_hybrid_actual *act = sql_ann_actual(x);
    if (act != NULL) act->visited += a->raw->rows;
    sql_batch *b = sql_batch_new(a->base.batch_arena, p->ncols, a->raw->rows);
    if (b == NULL) return rt_arena_fail(a->base.batch_arena, x->err);
    memcpy(b->cols, a->raw->cols, sizeof(sql_vec) * p->ann.natts);
    b->rows = a->raw->rows;
    if (p->ann.filter != NULL) {
        uint8_t *sel = rt_arena_alloc(a->base.batch_arena, b->rows + 1u);
        uint32_t kept;
        if (sel == NULL ||
            !sql_exec_predicate(x, a->base.batch_arena, p->ann.filter, b, sel, &kept)) {
            return false;
        }
        if (act != NULL) act->filtered += b->rows - kept;
        if (kept == 0) return true;
        if (kept < b->rows) b = sql_exec_select_rows(a->base.batch_arena, b, sel, kept);
        if (b == NULL) return false;
    }
    if (act != NULL) act->candidates += b->rows;
    x->stats.hybrid_distances += b->rows; /* the coordinator's exact distances */
    *out = b;
    return true;
}

/* A partition answered exactly; a walk that ended short has counted it already. */
static void sql_ann_count_exact(sql_exec_ctx *x, bool walked) {
    sql_hybrid_actual *act = sql_ann_actual(x);
    if (act == NULL) return;
    act->exact++;
    act->partitions += !walked;
}

static bool sql_ann_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_ann *a = (sql_op_ann *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    if (a->k <= 0 && !a->exact) return true;
    while (a->part_index < x->frag_npartitions) {
        eng_part *part = eng_partition(p->ann.table, x->frag_partitions[a->part_index]);
        rt_fiber_maybe_yield();
        if (!a->exact && !sql_ann_graph_serves(p, part)) {
            a->exact = true; /* this partition exactly */
            a->cursor = 0;
        }
        if (a->exact) {
            if (a->cursor == 0) sql_ann_count_exact(x, a->walked);
            bool more;
            if (!sql_ann_scan(a, x, part, out, &more)) return false;
            if (!more) {
                a->part_index++;
                a->cursor = 0;
                a->walked = false;
                a->exact = a->k <= 0 || a->k > ENG_HNSW_K_MAX || a->query == NULL;
            }
            if (*out != NULL) return true;
            continue;
        }
        bool short_walk;
        if (!sql_ann_walk(a, x, part, out, &short_walk)) return false;
        if (short_walk) {
            a->exact = true; /* this partition again, exactly */
            a->walked = true;
            a->cursor = 0;
            continue;
        }
        a->part_index++;
        if (*out != NULL) return true;
    }
    return true;
}

static void sql_ann_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_ann *a = (sql_op_ann *)op;
    if (a->filter_arena != NULL) rt_arena_destroy(a->filter_arena);
    a->filter_arena = NULL;
}

static const sql_op_vt sql_ann_vt = {sql_ann_open, sql_ann_next, sql_ann_close};

sql_op *sql_op_new_annscan(sql_exec_ctx *x, const sql_plan *p) {
    return sql_op_alloc(x, p, &sql_ann_vt, sizeof(sql_op_ann));
}
