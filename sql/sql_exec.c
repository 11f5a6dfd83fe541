/* sql_exec.c: operator construction and the simple operators (RESULT, VALUES, FILTER, PROJECT,
 * LIMIT, APPEND), row sets, and cursors. */
#include "runtime/rt_time.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_fk.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_stats.h"

/* Plans are never this deep (the binder bounds expressions and joins far below it); deeper
 * nodes are not counted in pg_stat_user_tables. */
#define SQL_PLAN_DEPTH_COUNTED_MAX 1000u

#include <string.h>

/* Batch arena of an operator: a small budget, reset per batch (values that must survive are
 * copied by the operators that keep rows). */
#define SQL_BATCH_ARENA_BYTES (256ull << 20)

/* ---- row sets ---- */

bool sql_rowset_init(sql_rowset *rs, rt_arena *arena, uint32_t ncols) {
    memset(rs, 0, sizeof *rs);
    rs->arena = arena;
    rs->ncols = ncols;
    return true;
}

static bool sql_rowset_grow(sql_rowset *rs) {
    if (rs->count < rs->cap) return true;
    uint64_t cap = rs->cap == 0 ? 256 : rs->cap * 2;
    size_t width = sizeof(sql_value) * (rs->ncols > 0 ? rs->ncols : 1);
    sql_value *v = rt_arena_grow(rs->arena, rs->values, rs->cap * width, cap * width);
    if (v == NULL) return false;
    rs->values = v;
    rs->cap = cap;
    return true;
}

bool sql_rowset_reserve(sql_rowset *rs, uint64_t rows) {
    if (rows <= rs->cap) return true;
    size_t width = sizeof(sql_value) * (rs->ncols > 0 ? rs->ncols : 1);
    sql_value *v = rt_arena_grow(rs->arena, rs->values, rs->cap * width, rows * width);
    if (v == NULL) return false;
    rs->values = v;
    rs->cap = rows;
    return true;
}

bool sql_rowset_add(sql_rowset *rs, const sql_batch *b, uint32_t row) {
    if (!sql_rowset_grow(rs)) return false;
    sql_value *dst = sql_rowset_row(rs, rs->count);
    for (uint32_t c = 0; c < rs->ncols; c++) {
        sql_vec_get(&b->cols[c], row, &dst[c]);
        if (!sql_value_copy(rs->arena, &dst[c])) return false;
    }
    rs->count++;
    return true;
}

bool sql_rowset_add_values(sql_rowset *rs, const sql_value *vals) {
    if (!sql_rowset_grow(rs)) return false;
    sql_value *dst = sql_rowset_row(rs, rs->count);
    for (uint32_t c = 0; c < rs->ncols; c++) {
        dst[c] = vals[c];
        if (!sql_value_copy(rs->arena, &dst[c])) return false;
    }
    rs->count++;
    return true;
}

bool sql_rowset_emit(const sql_rowset *rs, uint64_t from, uint32_t n, const sql_col *cols,
                     rt_arena *arena, sql_batch **out) {
    sql_batch *b = sql_batch_new(arena, rs->ncols, n > 0 ? n : 1);
    if (b == NULL) return false;
    for (uint32_t c = 0; c < rs->ncols; c++) {
        if (!sql_vec_init(arena, &b->cols[c], cols[c].type_oid, cols[c].typmod, b->cap)) {
            return false;
        }
    }
    for (uint32_t r = 0; r < n; r++) {
        const sql_value *row = sql_rowset_row(rs, from + r);
        for (uint32_t c = 0; c < rs->ncols; c++) sql_vec_set(&b->cols[c], r, &row[c]);
    }
    b->rows = n;
    *out = b;
    return true;
}

/* ---- batches ---- */

sql_batch *sql_exec_batch(rt_arena *arena, const sql_plan *p, uint32_t cap) {
    sql_batch *b = sql_batch_new(arena, p->ncols, cap);
    if (b == NULL) return NULL;
    for (uint32_t c = 0; c < p->ncols; c++) {
        if (!sql_vec_init(arena, &b->cols[c], p->cols[c].type_oid, p->cols[c].typmod, cap)) {
            return NULL;
        }
    }
    return b;
}

sql_batch *sql_exec_select_rows(rt_arena *arena, const sql_batch *in, const uint8_t *sel,
                                uint32_t kept) {
    sql_batch *b = sql_batch_new(arena, in->ncols, kept > 0 ? kept : 1);
    if (b == NULL) return NULL;
    for (uint32_t c = 0; c < in->ncols; c++) {
        const sql_vec *src = &in->cols[c];
        sql_vec *dst = &b->cols[c];
        if (!sql_vec_init(arena, dst, src->type_oid, src->typmod, b->cap)) return NULL;
        uint32_t k = 0;
        for (uint32_t i = 0; i < in->rows; i++) {
            if (!sel[i]) continue;
            dst->nulls[k] = sql_vec_is_null(src, i);
            switch ((sql_phys)dst->phys) {
            case SQL_PHYS_I64: dst->i64[k] = src->i64[i]; break;
            case SQL_PHYS_F64: dst->f64[k] = src->f64[i]; break;
            case SQL_PHYS_BYTES: dst->b[k] = src->b[i]; break;
            }
            k++;
        }
    }
    b->rows = kept;
    return b;
}

void sql_exec_eval_ctx(sql_exec_ctx *x, rt_arena *arena, sql_eval_ctx *ec) {
    memset(ec, 0, sizeof *ec);
    ec->arena = arena;
    ec->err = x->err;
    ec->params = x->params;
    ec->nparams = x->nparams;
    ec->exec = x;
    ec->io.arena = arena;
    ec->io.fmt = &x->fmt;
    ec->io.now_us = x->now_us;
    ec->io.err = x->err;
    ec->io.names = sql_pgcat_names(x, arena);
    ec->outer_depth = x->outer_depth;
    for (uint32_t i = 0; i < x->outer_depth; i++) {
        ec->outer[i] = x->outer[i];
        ec->outer_row[i] = x->outer_row[i];
    }
}

bool sql_exec_predicate(sql_exec_ctx *x, rt_arena *arena, const sql_expr *pred,
                        const sql_batch *in, uint8_t *sel, uint32_t *kept) {
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    sql_vec *v = sql_eval(&ec, pred, in, in->rows, NULL);
    if (v == NULL) return false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < in->rows; i++) {
        sel[i] = !sql_vec_is_null(v, i) && v->i64[i] != 0;
        k += sel[i];
    }
    *kept = k;
    return true;
}

bool sql_exec_count_expr(sql_exec_ctx *x, const sql_expr *e, bool is_offset, int64_t *out) {
    *out = -1;
    if (e == NULL) return true;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    sql_value v;
    if (!sql_eval_scalar(&ec, e, &v)) return false;
    if (v.is_null) return true;
    if (v.i64 < 0) {
        return rt_err_set(x->err, is_offset ? SQLSTATE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE
                                            : SQLSTATE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
                          is_offset ? "OFFSET must not be negative"
                                    : "LIMIT must not be negative");
    }
    *out = v.i64;
    return true;
}

/* ---- the operator framework ---- */

sql_op *sql_op_alloc(sql_exec_ctx *x, const sql_plan *p, const sql_op_vt *vt, size_t size) {
    sql_op *op = rt_arena_zalloc(x->arena, size);
    if (op == NULL) return NULL;
    op->vt = vt;
    op->plan = p;
    if (p->left != NULL) {
        op->child = sql_op_build(x, p->left);
        if (op->child == NULL) return NULL;
    }
    return op;
}

/* The entry of p in a's table, or the free one where it would go; UINT32_MAX when the
 * table is full without it. */
static uint32_t sql_node_actual_slot(const sql_shared_actual *a, const sql_plan *p) {
    uint32_t mask = SQL_NODE_ACTUALS_MAX - 1;
    uint32_t h = (uint32_t)(((uintptr_t)p >> 4) * UINT64_C(0x9E3779B97F4A7C15) >> 32) & mask;
    for (uint32_t probe = 0; probe <= mask; probe++, h = (h + 1) & mask) {
        if (a->nodes[h].node == p || a->nodes[h].node == NULL) return h;
    }
    return UINT32_MAX;
}

const sql_node_actual *sql_node_actual_find(const sql_shared_actual *a, const sql_plan *p) {
    uint32_t h = a->nodes != NULL ? sql_node_actual_slot(a, p) : UINT32_MAX;
    return h != UINT32_MAX && a->nodes[h].node == p ? &a->nodes[h] : NULL;
}

/* This core's entry of p, taken when it has none; NULL when the table is full. */
static sql_node_actual *sql_node_actual_add(sql_shared_actual *a, const sql_plan *p) {
    uint32_t h = a->nodes != NULL ? sql_node_actual_slot(a, p) : UINT32_MAX;
    if (h == UINT32_MAX) {
        a->nodes_full |= a->nodes != NULL;
        return NULL;
    }
    a->nodes[h].node = p;
    return &a->nodes[h];
}

/* EXPLAIN ANALYZE: one more start of op's plan node, counted on this core (past
 * SQL_NODE_ACTUALS_MAX nodes in a statement, not counted); op keeps its entry, so that a batch
 * costs no lookup. */
static void sql_op_actual_start(sql_op *op, sql_exec_ctx *x) {
    if (x->shared_actual == NULL || op->plan == NULL) return;
    if (op->actual == NULL) {
        op->actual = sql_node_actual_add(&x->shared_actual[rt_core_id()], op->plan);
        if (op->actual == NULL) return;
    }
    op->actual->loops++;
    op->loop_ns = 0;
    op->loop_started = false;
}

/* Whether this core reads the clock around op's work (EXPLAIN ANALYZE with TIMING). */
static bool sql_op_timed(const sql_op *op, const sql_exec_ctx *x) {
    return op->actual != NULL && x->shared_actual[rt_core_id()].timing;
}

/* TIMING: `ns` more spent in op's current start; the first batch's end is its startup time. */
static void sql_op_actual_time(sql_op *op, uint64_t ns, bool batch_done) {
    op->loop_ns += ns;
    op->actual->total_ns += ns;
    if (batch_done && !op->loop_started) {
        op->loop_started = true;
        op->actual->startup_ns += op->loop_ns;
    }
}

static bool sql_op_open(sql_op *op, sql_exec_ctx *x);

static bool sql_op_open_run(sql_op *op, sql_exec_ctx *x) {
    if (op->batch_arena == NULL) op->batch_arena = rt_arena_create(SQL_BATCH_ARENA_BYTES);
    if (op->child != NULL && !sql_op_open(op->child, x)) return false;
    if (op->child2 != NULL && !sql_op_open(op->child2, x)) return false;
    return op->vt->open == NULL || op->vt->open(op, x);
}

static bool sql_op_open(sql_op *op, sql_exec_ctx *x) {
    if (op->opened) return true;
    op->opened = true;
    sql_op_actual_start(op, x);
    if (!sql_op_timed(op, x)) return sql_op_open_run(op, x);
    uint64_t t0 = rt_time_mono_ns();
    bool ok = sql_op_open_run(op, x);
    sql_op_actual_time(op, rt_time_mono_ns() - t0, false);
    return ok;
}

/* Between batches an operator gives its shard back once a slice has run (as scans do), so
 * that a long join or aggregate over rows already read does not starve the shard's other
 * sessions, its new connections and the CancelRequest that would stop it; the cancel flag is
 * read after that, so a cancel taken in the meantime is seen at once. The slice check reads
 * the clock (50-150 ns on a VM), so only every SQL_EXEC_SLICE_CHECK_CALLS-th call makes it:
 * a point select never does, a long join every few batches. */
static bool sql_op_next_run(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    rt_arena_reset(op->batch_arena);
    if (++x->op_calls % SQL_EXEC_SLICE_CHECK_CALLS == 0 && rt_fiber_self() != NULL) {
        rt_fiber_maybe_yield();
    }
    if (x->cancel != NULL && atomic_load_explicit(x->cancel, memory_order_relaxed)) {
        return rt_err_set(x->err, SQLSTATE_QUERY_CANCELED,
                          "canceling statement due to user request");
    }
    bool ok = op->vt->next(op, x, out);
    if (!ok && !rt_err_is_set(x->err)) rt_arena_fail(op->batch_arena, x->err);
    return ok;
}

bool sql_op_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    if (!op->opened && !sql_op_open(op, x)) return false;
    if (op->actual == NULL) return sql_op_next_run(op, x, out);
    bool timed = sql_op_timed(op, x);
    uint64_t t0 = timed ? rt_time_mono_ns() : 0;
    bool ok = sql_op_next_run(op, x, out);
    if (timed) sql_op_actual_time(op, rt_time_mono_ns() - t0, true);
    if (ok && *out != NULL) op->actual->rows += (*out)->rows;
    return ok;
}

void sql_op_close(sql_op *op, sql_exec_ctx *x) {
    if (op == NULL) return;
    if (op->opened && op->vt->close != NULL) op->vt->close(op, x);
    sql_op_close(op->child, x);
    sql_op_close(op->child2, x);
    if (op->batch_arena != NULL) rt_arena_destroy(op->batch_arena);
    op->batch_arena = NULL;
    op->opened = false;
}

/* ---- RESULT: one row without columns ---- */

typedef struct sql_op_result {
    sql_op base;
    bool done;
} sql_op_result;

static bool sql_result_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    (void)x;
    sql_op_result *r = (sql_op_result *)op;
    *out = NULL;
    if (r->done) return true;
    r->done = true;
    sql_batch *b = sql_batch_new(op->batch_arena, 0, 1);
    if (b == NULL) return false;
    b->rows = 1;
    *out = b;
    return true;
}
static const sql_op_vt sql_result_vt = {NULL, sql_result_next, NULL};

/* ---- VALUES ---- */

typedef struct sql_op_values {
    sql_op base;
    uint32_t next_row;
} sql_op_values;

static bool sql_values_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_values *v = (sql_op_values *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    if (v->next_row >= p->values.nrows) return true;
    uint32_t n = p->values.nrows - v->next_row;
    if (n > SQL_BATCH_ROWS) n = SQL_BATCH_ROWS;
    sql_batch *b = sql_exec_batch(op->batch_arena, p, n);
    if (b == NULL) return false;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, op->batch_arena, &ec);
    for (uint32_t r = 0; r < n; r++) {
        sql_expr **row = p->values.rows[v->next_row + r];
        for (uint32_t c = 0; c < p->ncols; c++) {
            sql_value val;
            if (!sql_eval_scalar(&ec, row[c], &val)) return false;
            sql_vec_set(&b->cols[c], r, &val);
        }
    }
    b->rows = n;
    v->next_row += n;
    *out = b;
    return true;
}
static const sql_op_vt sql_values_vt = {NULL, sql_values_next, NULL};

/* ---- SOURCE: batches from a callback (COPY FROM) ---- */

static bool sql_source_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    const sql_plan *p = op->plan;
    *out = NULL;
    sql_batch *b = sql_exec_batch(op->batch_arena, p, SQL_BATCH_ROWS);
    if (b == NULL) return false;
    if (!p->source.fill(p->source.arg, x, op->batch_arena, b)) return false;
    if (b->rows > 0) *out = b;
    return true;
}
static const sql_op_vt sql_source_vt = {NULL, sql_source_next, NULL};

/* ---- FILTER ---- */

static bool sql_filter_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(op->child, x, &in)) return false;
        if (in == NULL) {
            *out = NULL;
            return true;
        }
        uint8_t *sel = rt_arena_alloc(op->batch_arena, in->rows + 1u);
        uint32_t kept;
        if (sel == NULL) return false;
        if (!sql_exec_predicate(x, op->batch_arena, op->plan->filter.pred, in, sel, &kept)) {
            return false;
        }
        if (op->actual != NULL) op->actual->removed += in->rows - kept;
        if (kept == 0) { /* this batch's temporaries go before the next: memory stays bounded */
            rt_arena_reset(op->batch_arena);
            continue;
        }
        if (kept == in->rows) {
            *out = in;
            return true;
        }
        *out = sql_exec_select_rows(op->batch_arena, in, sel, kept);
        return *out != NULL;
    }
}
static const sql_op_vt sql_filter_vt = {NULL, sql_filter_next, NULL};

/* ---- PROJECT ---- */

static bool sql_project_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_batch *in;
    if (!sql_op_next(op->child, x, &in)) return false;
    *out = NULL;
    if (in == NULL) return true;
    const sql_plan *p = op->plan;
    sql_batch *b = sql_batch_new(op->batch_arena, p->ncols, in->rows);
    if (b == NULL) return false;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, op->batch_arena, &ec);
    for (uint32_t c = 0; c < p->ncols; c++) {
        sql_vec *v = sql_eval(&ec, p->project.exprs[c], in, in->rows, NULL);
        if (v == NULL) return false;
        b->cols[c] = *v;
        b->cols[c].type_oid = p->cols[c].type_oid; /* binary-compatible relabels (varchar) */
    }
    b->rows = in->rows;
    *out = b;
    return true;
}
static const sql_op_vt sql_project_vt = {NULL, sql_project_next, NULL};

/* ---- LIMIT / OFFSET ---- */

typedef struct sql_op_limit {
    sql_op base;
    int64_t limit, offset, seen, emitted;
    bool evaluated;
    bool tied;          /* WITH TIES past the limit: rows equal to `last` on the keys follow */
    bool done;
    sql_value *last;    /* WITH TIES: the keys of the last row within the limit (x->arena) */
} sql_op_limit;

/* Rows [from, from + n) of `in`. */
static sql_batch *sql_limit_rows(sql_op *op, sql_batch *in, uint32_t from, uint32_t n) {
    if (from == 0 && n == in->rows) return in;
    uint8_t *sel = rt_arena_zalloc(op->batch_arena, in->rows + 1u);
    if (sel == NULL) return NULL;
    memset(sel + from, 1, n);
    return sql_exec_select_rows(op->batch_arena, in, sel, n);
}

/* WITH TIES: the keys of `in`'s rows over the LIMIT's ORDER BY keys. */
static sql_vec **sql_limit_keys(sql_op *op, sql_exec_ctx *x, sql_batch *in) {
    const sql_plan *p = op->plan;
    sql_vec **keys = rt_arena_alloc(op->batch_arena, sizeof(sql_vec *) * p->limit.nties);
    if (keys == NULL) return NULL;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, op->batch_arena, &ec);
    for (uint32_t k = 0; k < p->limit.nties; k++) {
        if ((keys[k] = sql_eval(&ec, p->limit.ties[k].expr, in, in->rows, NULL)) == NULL) {
            return NULL;
        }
    }
    return keys;
}

/* WITH TIES: the rows of `in` from `from` on that tie with the last row within the limit (the
 * first such row is at the limit itself when `first_is_last`); keeps that row's keys first. */
static bool sql_limit_ties(sql_op_limit *l, sql_exec_ctx *x, sql_batch *in, uint32_t from,
                           bool first_is_last, uint32_t *count) {
    const sql_plan *p = l->base.plan;
    sql_vec **keys = sql_limit_keys(&l->base, x, in);
    if (keys == NULL) return false;
    uint32_t nk = p->limit.nties, r = from;
    if (first_is_last) { /* row from - 1 is the limit's last row */
        if (l->last == NULL) l->last = rt_arena_alloc(x->arena, sizeof(sql_value) * nk);
        if (l->last == NULL) return false;
        for (uint32_t k = 0; k < nk; k++) {
            sql_vec_get(keys[k], from - 1, &l->last[k]);
            if (!sql_value_copy(x->arena, &l->last[k])) return false;
        }
    }
    for (; r < in->rows; r++) {
        bool same = true;
        for (uint32_t k = 0; same && k < nk; k++) {
            sql_value v;
            sql_vec_get(keys[k], r, &v);
            same = v.is_null == l->last[k].is_null &&
                   (v.is_null || sql_value_cmp(&v, &l->last[k]) == 0);
        }
        if (!same) break;
    }
    *count = r - from;
    l->tied = r == in->rows; /* the next batch may start with more ties */
    l->done = !l->tied;
    return true;
}

static bool sql_limit_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_limit *l = (sql_op_limit *)op;
    *out = NULL;
    if (l->done) return true;
    if (!l->evaluated) {
        l->evaluated = true;
        if (!sql_exec_count_expr(x, op->plan->limit.limit, false, &l->limit) ||
            !sql_exec_count_expr(x, op->plan->limit.offset, true, &l->offset)) {
            return false;
        }
        if (l->offset < 0) l->offset = 0;
    }
    for (;;) {
        if (l->limit >= 0 && l->emitted >= l->limit && !l->tied) return true;
        sql_batch *in;
        if (!sql_op_next(op->child, x, &in)) return false;
        if (in == NULL) return true;
        uint32_t from = 0, n;
        if (l->tied) { /* past the limit: only the rows that still tie */
            if (!sql_limit_ties(l, x, in, 0, false, &n)) return false;
            if (n == 0) return true;
            return (*out = sql_limit_rows(op, in, 0, n)) != NULL;
        }
        int64_t skip = l->offset - l->seen;
        l->seen += in->rows;
        if (skip >= (int64_t)in->rows) continue;
        from = skip > 0 ? (uint32_t)skip : 0;
        n = in->rows - from;
        if (l->limit >= 0 && (int64_t)n > l->limit - l->emitted) {
            n = (uint32_t)(l->limit - l->emitted);
        }
        l->emitted += n;
        uint32_t ties = 0;
        if (op->plan->limit.with_ties && n > 0 && l->emitted == l->limit &&
            !sql_limit_ties(l, x, in, from + n, true, &ties)) {
            return false;
        }
        return (*out = sql_limit_rows(op, in, from, n + ties)) != NULL;
    }
}
static const sql_op_vt sql_limit_vt = {NULL, sql_limit_next, NULL};

/* ---- APPEND (UNION ALL) ---- */

typedef struct sql_op_append {
    sql_op base;
    sql_op **inputs;
    uint32_t current;
} sql_op_append;

static bool sql_append_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_append *a = (sql_op_append *)op;
    const sql_plan *p = op->plan;
    while (a->current < p->append.ninputs) {
        sql_batch *in;
        if (!sql_op_next(a->inputs[a->current], x, &in)) return false;
        if (in != NULL) {
            for (uint32_t c = 0; c < in->ncols && c < p->ncols; c++) {
                in->cols[c].type_oid = p->cols[c].type_oid;
            }
            *out = in;
            return true;
        }
        a->current++;
    }
    *out = NULL;
    return true;
}

static void sql_append_close(sql_op *op, sql_exec_ctx *x) {
    sql_op_append *a = (sql_op_append *)op;
    for (uint32_t i = 0; i < op->plan->append.ninputs; i++) sql_op_close(a->inputs[i], x);
}
static const sql_op_vt sql_append_vt = {NULL, sql_append_next, sql_append_close};

static sql_op *sql_op_new_append(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_append *a = (sql_op_append *)sql_op_alloc(x, p, &sql_append_vt, sizeof *a);
    if (a == NULL) return NULL;
    a->inputs = rt_arena_zalloc(x->arena, sizeof(sql_op *) * (p->append.ninputs + 1u));
    if (a->inputs == NULL) return NULL;
    for (uint32_t i = 0; i < p->append.ninputs; i++) {
        a->inputs[i] = sql_op_build(x, p->append.inputs[i]);
        if (a->inputs[i] == NULL) return NULL;
    }
    return &a->base;
}

/* ---- construction ---- */

sql_op *sql_op_build(sql_exec_ctx *x, const sql_plan *p) {
    sql_op *op = NULL;
    switch (p->kind) {
    case SQL_P_RESULT: op = sql_op_alloc(x, p, &sql_result_vt, sizeof(sql_op_result)); break;
    case SQL_P_VALUES: op = sql_op_alloc(x, p, &sql_values_vt, sizeof(sql_op_values)); break;
    case SQL_P_FILTER: op = sql_op_alloc(x, p, &sql_filter_vt, sizeof(sql_op)); break;
    case SQL_P_PROJECT: op = sql_op_alloc(x, p, &sql_project_vt, sizeof(sql_op)); break;
    case SQL_P_LIMIT: op = sql_op_alloc(x, p, &sql_limit_vt, sizeof(sql_op_limit)); break;
    case SQL_P_LOCKROWS: op = sql_op_new_lockrows(x, p); break;
    case SQL_P_APPEND: op = sql_op_new_append(x, p); break;
    case SQL_P_SORT: op = sql_op_new_sort(x, p); break;
    case SQL_P_DISTINCT: op = sql_op_new_distinct(x, p); break;
    case SQL_P_SETOP: op = sql_op_new_setop(x, p); break;
    case SQL_P_AGG: op = sql_op_new_agg(x, p); break;
    case SQL_P_NESTLOOP: op = sql_op_new_nestloop(x, p); break;
    case SQL_P_HASHJOIN: op = sql_op_new_hashjoin(x, p); break;
    case SQL_P_SCAN: op = sql_op_new_scan(x, p); break;
    case SQL_P_PKGET: op = sql_op_new_pkget(x, p); break;
    case SQL_P_IXSCAN: op = sql_op_new_ixscan(x, p); break;
    case SQL_P_GATHER: op = sql_op_new_gather(x, p); break;
    case SQL_P_INSERT: op = sql_op_new_insert(x, p); break;
    case SQL_P_UPDATE: case SQL_P_DELETE: op = sql_op_new_update(x, p); break;
    case SQL_P_CATALOG: op = sql_op_new_catalog(x, p); break;
    case SQL_P_FUNCSCAN: op = sql_op_new_funcscan(x, p); break;
    case SQL_P_MATERIAL: case SQL_P_CTESCAN: case SQL_P_WORKTABLE:
        op = p->kind == SQL_P_MATERIAL && p->material.dml ? sql_op_new_dml_ctescan(x, p)
                                                          : sql_op_new_material(x, p);
        break;
    case SQL_P_MODIFYCTE: op = sql_op_new_modifycte(x, p); break;
    case SQL_P_RECURSIVE: op = sql_op_new_recursive(x, p); break;
    case SQL_P_WINDOW: op = sql_op_new_window(x, p); break;
    case SQL_P_ANNSCAN: op = sql_op_new_annscan(x, p); break;
    case SQL_P_SOURCE: op = sql_op_alloc(x, p, &sql_source_vt, sizeof(sql_op)); break;
    case SQL_P_PROJECTSET: op = sql_op_new_projectset(x, p); break;
    }
    if (op == NULL && !rt_err_is_set(x->err)) rt_arena_fail(x->arena, x->err);
    return op;
}

/* ---- cursors ---- */

/* A modifying statement's RETURNING rows, held until its foreign-key checks have passed. */
typedef struct sql_cursor_hold {
    const sql_plan *plan;
    rt_arena *arena;         /* the held rows, SQL_EXEC_RETURNING_HELD_BYTES_MAX at most */
    rt_arena *batch_arena;   /* the batch handed out, reset per batch */
    sql_rowset rows;
    uint64_t next;           /* the next row to hand out */
    bool filled;
} sql_cursor_hold;

/* The table of an INSERT / UPDATE / DELETE with RETURNING (NULL for any other plan). */
static const eng_table *sql_cursor_modified(const sql_plan *p) {
    if (p->kind == SQL_P_INSERT) return p->modify.table;
    if (p->kind == SQL_P_GATHER && p->gather.writes && p->left != NULL &&
        (p->left->kind == SQL_P_UPDATE || p->left->kind == SQL_P_DELETE)) {
        return p->left->modify.table;
    }
    return NULL;
}

static const eng_table *sql_cursor_dml_table(const sql_plan *p) {
    return p->ncols > 0 ? sql_cursor_modified(p) : NULL;
}

/* A statement with data-modifying WITH queries holds its rows when some of them run after
 * the main query, or a foreign-key check of any part may fail at its end: nothing is sent
 * before either (PostgreSQL runs such a statement to its end before the first row). */
static bool sql_cursor_modifycte_hold(const sql_exec_ctx *x, const sql_plan *p) {
    if (p->ncols == 0) return false;
    const eng_table *t = sql_cursor_modified(p->left);
    if (t != NULL && sql_fk_involved(x->db, t)) return true;
    for (uint32_t i = 0; i < p->modifycte.nctes; i++) {
        const sql_plan *mat = p->modifycte.ctes[i];
        if (!mat->material.read) return true;
        t = sql_cursor_modified(mat->left);
        if (t == NULL || sql_fk_involved(x->db, t)) return true;
    }
    return false;
}

/* pg_stat_user_tables' seq_scan and idx_scan: the scans of a statement's plan, counted once
 * on the coordinator (not per shard fragment). */
static void sql_cursor_count_scans(const sql_plan *p, uint32_t depth) {
    if (p == NULL || depth > SQL_PLAN_DEPTH_COUNTED_MAX) return;
    if ((p->kind == SQL_P_SCAN || p->kind == SQL_P_IXSCAN || p->kind == SQL_P_PKGET) &&
        p->scan.table != NULL) {
        sql_stats_note_scan(p->scan.table->oid, p->kind != SQL_P_SCAN);
    }
    sql_cursor_count_scans(p->left, depth + 1);
    sql_cursor_count_scans(p->right, depth + 1);
    if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            sql_cursor_count_scans(p->append.inputs[i], depth + 1);
        }
    }
    if (p->kind == SQL_P_MODIFYCTE) {
        for (uint32_t i = 0; i < p->modifycte.nctes; i++) {
            sql_cursor_count_scans(p->modifycte.ctes[i], depth + 1);
        }
    }
}

bool sql_cursor_open(sql_cursor *c, sql_exec_ctx *x, const sql_plan *plan) {
    memset(c, 0, sizeof *c);
    c->x = x;
    if (!x->in_fragment) sql_cursor_count_scans(plan, 0);
    if (x->fk == NULL && !x->in_fragment && (x->fk = sql_fk_queue_new(x->arena)) == NULL) {
        return rt_arena_fail(x->arena, x->err);
    }
    const eng_table *t = sql_cursor_dml_table(plan);
    bool hold = plan->kind == SQL_P_MODIFYCTE ? sql_cursor_modifycte_hold(x, plan)
                                              : t != NULL && sql_fk_involved(x->db, t);
    if (hold && !x->in_fragment) {
        if ((c->hold = rt_arena_zalloc(x->arena, sizeof *c->hold)) == NULL) {
            return rt_arena_fail(x->arena, x->err);
        }
        c->hold->plan = plan;
    }
    c->root = sql_op_build(x, plan);
    return c->root != NULL;
}

/* Runs the statement to its end, keeping its RETURNING rows, then its foreign-key checks. */
static bool sql_cursor_hold_fill(sql_cursor *c) {
    sql_cursor_hold *h = c->hold;
    h->filled = true;
    h->arena = rt_arena_create(SQL_EXEC_RETURNING_HELD_BYTES_MAX);
    h->batch_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    if (h->arena == NULL || h->batch_arena == NULL ||
        !sql_rowset_init(&h->rows, h->arena, h->plan->ncols)) {
        return rt_arena_fail(c->x->arena, c->x->err);
    }
    for (;;) {
        sql_batch *b;
        if (!sql_op_next(c->root, c->x, &b)) return false;
        if (b == NULL) break;
        for (uint32_t r = 0; r < b->rows; r++) {
            if (sql_rowset_add(&h->rows, b, r)) continue;
            unsigned long long mb = SQL_EXEC_RETURNING_HELD_BYTES_MAX >> 20;
            if (h->plan->kind == SQL_P_MODIFYCTE) {
                return rt_err_set(c->x->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                  "rows of a statement with data-modifying WITH queries held "
                                  "until they have run exceed %llu MB", mb);
            }
            return rt_err_set(c->x->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "RETURNING rows held until the foreign key checks pass exceed "
                              "%llu MB", mb);
        }
    }
    return sql_fk_statement_end(c->x);
}

/* The next batch of the statement: from its operators, or from the held rows. */
static bool sql_cursor_next(sql_cursor *c, sql_batch **out) {
    sql_cursor_hold *h = c->hold;
    if (h == NULL) return sql_op_next(c->root, c->x, out);
    if (!h->filled && !sql_cursor_hold_fill(c)) return false;
    *out = NULL;
    if (h->next >= h->rows.count) return true;
    uint64_t left = h->rows.count - h->next;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    rt_arena_reset(h->batch_arena);
    if (!sql_rowset_emit(&h->rows, h->next, n, h->plan->cols, h->batch_arena, out)) {
        return rt_arena_fail(h->batch_arena, c->x->err);
    }
    h->next += n;
    return true;
}

/* Reads the cursor's next batch into c->pending; after the last one (none left) the cursor is
 * done and its statement's end-of-statement foreign-key checks run. False (c->failed) on an
 * error. */
static bool sql_cursor_refill(sql_cursor *c) {
    if (!sql_cursor_next(c, &c->pending)) {
        c->failed = true;
        return false;
    }
    c->pending_row = 0;
    if (c->pending != NULL) return true;
    c->done = true;
    if (!sql_fk_statement_end(c->x)) {
        c->failed = true;
        return false;
    }
    return true;
}

bool sql_cursor_fetch(sql_cursor *c, uint64_t max_rows, sql_row_sink sink, void *arg,
                      uint64_t *emitted, bool *more) {
    *emitted = 0;
    *more = false;
    if (c->failed) return false;
    while (!c->done && (max_rows == 0 || *emitted < max_rows)) {
        if (c->pending == NULL || c->pending_row >= c->pending->rows) {
            if (!sql_cursor_refill(c)) return false;
            continue; /* a new batch, or done */
        }
        uint64_t take = c->pending->rows - c->pending_row;
        if (max_rows != 0 && take > max_rows - *emitted) take = max_rows - *emitted;
        uint32_t to = c->pending_row + (uint32_t)take;
        if (!sink(arg, c->pending, c->pending_row, to, c->x->err)) {
            c->failed = true;
            return false;
        }
        c->pending_row = to;
        *emitted += take;
        c->x->stats.rows_returned += take;
    }
    if (!c->done && c->pending != NULL && c->pending_row >= c->pending->rows) {
        /* Look ahead one batch so `more` is exact (PortalSuspended vs CommandComplete). */
        if (!sql_cursor_refill(c)) return false;
    }
    *more = !c->done;
    return true;
}

void sql_cursor_close(sql_cursor *c) {
    if (c->root != NULL) sql_op_close(c->root, c->x);
    if (c->hold != NULL) {
        if (c->hold->arena != NULL) rt_arena_destroy(c->hold->arena);
        if (c->hold->batch_arena != NULL) rt_arena_destroy(c->hold->batch_arena);
        c->hold = NULL;
    }
    c->root = NULL;
    c->pending = NULL;
}
