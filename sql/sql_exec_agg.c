/* sql_exec_agg.c: hash aggregation (GROUP BY) and plain aggregation, in three modes:
 * SINGLE (everything here), PARTIAL (on a shard: emits group keys and raw aggregate states) and
 * FINAL (on the coordinator: merges those states). Aggregates with DISTINCT or ORDER BY inside
 * the call are buffered per group and stepped in order at the end. */
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_exec_int.h"

typedef struct sql_agg_buf {
    sql_rowset rows;       /* group index, args..., order keys... */
    uint32_t nargs, nkeys;
} sql_agg_buf;

typedef struct sql_op_agg {
    sql_op base;
    sql_htab groups;       /* key values ++ [group index] */
    uint8_t *states;       /* group g's states at g * state_bytes */
    uint64_t states_cap;   /* groups with room */
    uint32_t state_bytes;
    uint32_t *offsets;     /* per aggregate, inside a group's states */
    sql_agg_buf *bufs;     /* per aggregate with DISTINCT / ORDER BY, else rows.ncols == 0 */
    sql_agg_ctx actx;
    sql_io_ctx io;
    bool consumed;
    uint64_t next_group;
} sql_op_agg;

static bool sql_agg_buffered(const sql_agg_call *a) { return a->distinct || a->norder > 0; }

static uint8_t *sql_agg_state(sql_op_agg *g, uint64_t group, uint32_t agg) {
    return g->states + group * g->state_bytes + g->offsets[agg];
}

static bool sql_agg_new_group(sql_op_agg *g, sql_exec_ctx *x, uint64_t group) {
    const sql_plan *p = g->base.plan;
    if (group >= g->states_cap) {
        uint64_t cap = g->states_cap == 0 ? 64 : g->states_cap * 2;
        uint8_t *s = rt_arena_grow(x->arena, g->states, g->states_cap * g->state_bytes,
                                   cap * g->state_bytes);
        if (s == NULL) return rt_arena_fail(x->arena, x->err);
        g->states = s;
        g->states_cap = cap;
    }
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *call = &p->agg.aggs[a];
        g->actx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
        g->actx.result_type = call->type_oid;
        call->def->init(&g->actx, sql_agg_state(g, group, a));
    }
    return true;
}

/* The group of row `r` (keys evaluated in `keys`), created if new. */
static bool sql_agg_group_of(sql_op_agg *g, sql_exec_ctx *x, sql_vec **keys, uint32_t r,
                             sql_value *scratch, uint64_t *group) {
    uint32_t nk = g->base.plan->agg.ngroup;
    for (uint32_t k = 0; k < nk; k++) sql_vec_get(keys[k], r, &scratch[k]);
    scratch[nk] = (sql_value){.type_oid = SQL_T_INT8, .i64 = (int64_t)g->groups.count};
    bool inserted, oom;
    uint64_t idx = sql_htab_find(&g->groups, scratch, sql_htab_hash(scratch, nk), scratch, true,
                                 &inserted, &oom);
    if (oom) return rt_arena_fail(x->arena, x->err);
    *group = idx;
    return !inserted || sql_agg_new_group(g, x, idx);
}

static bool sql_agg_step_row(sql_op_agg *g, sql_exec_ctx *x, uint32_t a, uint64_t group,
                             sql_vec **args, sql_vec **order, uint32_t r) {
    const sql_agg_call *call = &g->base.plan->agg.aggs[a];
    sql_value vals[SQL_FUNC_ARGS_MAX + 8];
    for (uint32_t i = 0; i < call->nargs; i++) sql_vec_get(args[i], r, &vals[i]);
    if (call->def->strict) {
        for (uint32_t i = 0; i < call->nargs; i++) {
            if (vals[i].is_null) return true;
        }
    }
    if (!sql_agg_buffered(call)) {
        g->actx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
        g->actx.result_type = call->type_oid;
        return call->def->step(&g->actx, sql_agg_state(g, group, a), vals);
    }
    sql_agg_buf *b = &g->bufs[a];
    sql_value row[1 + SQL_FUNC_ARGS_MAX + 8];
    row[0] = (sql_value){.type_oid = SQL_T_INT8, .i64 = (int64_t)group};
    for (uint32_t i = 0; i < call->nargs; i++) row[1 + i] = vals[i];
    for (uint32_t k = 0; k < call->norder; k++) sql_vec_get(order[k], r, &row[1 + call->nargs + k]);
    if (!sql_rowset_add_values(&b->rows, row)) return rt_arena_fail(x->arena, x->err);
    return true;
}

/* Steps every aggregate over one input batch (SINGLE and PARTIAL modes). */
static bool sql_agg_consume_batch(sql_op_agg *g, sql_exec_ctx *x, const sql_batch *in) {
    const sql_plan *p = g->base.plan;
    rt_arena *ba = g->base.batch_arena;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, ba, &ec);
    uint32_t nk = p->agg.ngroup;
    sql_vec **keys = rt_arena_alloc(ba, sizeof(sql_vec *) * (nk + 1u));
    sql_value *scratch = rt_arena_alloc(ba, sizeof(sql_value) * (nk + 1u));
    uint64_t *grp = rt_arena_alloc(ba, sizeof(uint64_t) * (in->rows + 1u));
    if (keys == NULL || scratch == NULL || grp == NULL) return false;
    for (uint32_t k = 0; k < nk; k++) {
        if ((keys[k] = sql_eval(&ec, p->agg.group[k], in, in->rows, NULL)) == NULL) return false;
    }
    for (uint32_t r = 0; r < in->rows; r++) {
        if (!sql_agg_group_of(g, x, keys, r, scratch, &grp[r])) return false;
    }
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *call = &p->agg.aggs[a];
        sql_vec *args[SQL_FUNC_ARGS_MAX + 8], *order[8];
        uint8_t *pass = NULL;
        for (uint32_t i = 0; i < call->nargs; i++) {
            if ((args[i] = sql_eval(&ec, call->args[i], in, in->rows, NULL)) == NULL) return false;
        }
        for (uint32_t k = 0; k < call->norder && k < 8; k++) {
            order[k] = sql_eval(&ec, call->order[k].expr, in, in->rows, NULL);
            if (order[k] == NULL) return false;
        }
        if (call->filter != NULL) {
            uint32_t kept;
            pass = rt_arena_alloc(ba, in->rows + 1u);
            if (pass == NULL || !sql_exec_predicate(x, ba, call->filter, in, pass, &kept)) {
                return false;
            }
        }
        for (uint32_t r = 0; r < in->rows; r++) {
            if (pass != NULL && !pass[r]) continue;
            if (!sql_agg_step_row(g, x, a, grp[r], args, order, r)) return false;
        }
    }
    return true;
}

/* FINAL mode: input rows are group keys then one state (raw bytes) per aggregate. */
static bool sql_agg_merge_batch(sql_op_agg *g, sql_exec_ctx *x, const sql_batch *in) {
    const sql_plan *p = g->base.plan;
    uint32_t nk = p->agg.ngroup;
    sql_value *scratch = rt_arena_alloc(g->base.batch_arena, sizeof(sql_value) * (nk + 1u));
    sql_vec **keys = rt_arena_alloc(g->base.batch_arena, sizeof(sql_vec *) * (nk + 1u));
    if (scratch == NULL || keys == NULL) return false;
    for (uint32_t k = 0; k < nk; k++) keys[k] = &in->cols[k];
    for (uint32_t r = 0; r < in->rows; r++) {
        uint64_t group;
        if (!sql_agg_group_of(g, x, keys, r, scratch, &group)) return false;
        for (uint32_t a = 0; a < p->agg.naggs; a++) {
            const sql_agg_call *call = &p->agg.aggs[a];
            g->actx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
            g->actx.result_type = call->type_oid;
            const sql_bytes *st = &in->cols[nk + a].b[r];
            if (!call->def->merge(&g->actx, sql_agg_state(g, group, a), st->ptr)) return false;
        }
    }
    return true;
}

/* Stable merge sort of row indexes by the key rows of `keyrows`. */
static bool sql_agg_sort_indexes(sql_exec_ctx *x, const sql_rowset *keyrows,
                                 const sql_sort_key *keys, uint32_t nk, uint64_t *order,
                                 uint64_t n) {
    uint64_t *buf = rt_arena_alloc(x->arena, sizeof(uint64_t) * (n + 1));
    if (buf == NULL) return false;
    for (uint64_t w = 1; w < n; w *= 2) {
        for (uint64_t lo = 0; lo < n; lo += 2 * w) {
            uint64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                int c = sql_exec_sort_cmp(keys, nk, sql_rowset_row(keyrows, order[i]),
                                          sql_rowset_row(keyrows, order[j]));
                buf[k++] = c <= 0 ? order[i++] : order[j++];
            }
            while (i < mid) buf[k++] = order[i++];
            while (j < hi) buf[k++] = order[j++];
        }
        memcpy(order, buf, sizeof(uint64_t) * n);
    }
    return true;
}

/* Orders one buffered aggregate's rows by (group, ORDER BY keys, and the arguments for
 * DISTINCT) and returns the ordered row indexes. */
static uint64_t *sql_agg_buffer_order(sql_op_agg *g, sql_exec_ctx *x, uint32_t a) {
    const sql_agg_call *call = &g->base.plan->agg.aggs[a];
    const sql_rowset *rs = &g->bufs[a].rows;
    uint32_t nk = 1 + call->norder + (call->distinct ? call->nargs : 0);
    sql_sort_key *keys = rt_arena_zalloc(x->arena, sizeof(sql_sort_key) * nk);
    uint32_t *cols = rt_arena_alloc(x->arena, sizeof(uint32_t) * nk);
    sql_value *row = rt_arena_alloc(x->arena, sizeof(sql_value) * nk);
    uint64_t *order = rt_arena_alloc(x->arena, sizeof(uint64_t) * (rs->count + 1));
    if (keys == NULL || cols == NULL || row == NULL || order == NULL) return NULL;
    cols[0] = 0;
    for (uint32_t k = 0; k < call->norder; k++) {
        keys[1 + k] = call->order[k];
        cols[1 + k] = 1 + call->nargs + k;
    }
    for (uint32_t k = 0; call->distinct && k < call->nargs; k++) {
        cols[1 + call->norder + k] = 1 + k;
    }
    sql_rowset keyrows;
    sql_rowset_init(&keyrows, x->arena, nk);
    for (uint64_t i = 0; i < rs->count; i++) {
        const sql_value *src = sql_rowset_row(rs, i);
        for (uint32_t k = 0; k < nk; k++) row[k] = src[cols[k]];
        if (!sql_rowset_add_values(&keyrows, row)) return NULL;
        order[i] = i;
    }
    if (!sql_agg_sort_indexes(x, &keyrows, keys, nk, order, rs->count)) return NULL;
    return order;
}

/* Steps buffered aggregates in (group, ORDER BY) order, skipping repeats for DISTINCT. */
static bool sql_agg_run_buffers(sql_op_agg *g, sql_exec_ctx *x) {
    const sql_plan *p = g->base.plan;
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *call = &p->agg.aggs[a];
        if (!sql_agg_buffered(call)) continue;
        const sql_rowset *rs = &g->bufs[a].rows;
        uint64_t *order = sql_agg_buffer_order(g, x, a);
        if (order == NULL) return rt_arena_fail(x->arena, x->err);
        g->actx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
        g->actx.result_type = call->type_oid;
        const sql_value *prev = NULL;
        for (uint64_t i = 0; i < rs->count; i++) {
            const sql_value *row = sql_rowset_row(rs, order[i]);
            uint64_t group = (uint64_t)row[0].i64;
            if (call->distinct && prev != NULL && prev[0].i64 == row[0].i64 &&
                sql_values_equal(prev + 1, row + 1, call->nargs)) {
                continue;
            }
            prev = row;
            if (!call->def->step(&g->actx, sql_agg_state(g, group, a), row + 1)) return false;
        }
    }
    return true;
}

static bool sql_agg_consume(sql_op_agg *g, sql_exec_ctx *x) {
    const sql_plan *p = g->base.plan;
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(g->base.child, x, &in)) return false;
        if (in == NULL) break;
        bool ok = p->agg.mode == SQL_AGG_FINAL ? sql_agg_merge_batch(g, x, in)
                                               : sql_agg_consume_batch(g, x, in);
        if (!ok) return false;
        rt_arena_reset(g->base.batch_arena);
    }
    if (p->agg.ngroup == 0 && g->groups.count == 0) { /* a plain aggregate yields one row */
        sql_value dummy = {.type_oid = SQL_T_INT8, .i64 = 0};
        bool inserted, oom;
        sql_htab_find(&g->groups, &dummy, sql_htab_hash(&dummy, 0), &dummy, true, &inserted,
                      &oom);
        if (oom || !sql_agg_new_group(g, x, 0)) return rt_arena_fail(x->arena, x->err);
    }
    return sql_agg_run_buffers(g, x);
}

static bool sql_agg_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_agg *g = (sql_op_agg *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    if (!g->consumed) {
        g->consumed = true;
        g->io = (sql_io_ctx){.arena = x->arena, .fmt = &x->fmt, .now_us = x->now_us,
                             .err = x->err};
        if (!sql_agg_consume(g, x)) return false;
    }
    if (g->next_group >= g->groups.count) return true;
    uint64_t left = g->groups.count - g->next_group;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    sql_batch *b = sql_exec_batch(op->batch_arena, p, n);
    if (b == NULL) return false;
    uint32_t nk = p->agg.ngroup;
    sql_agg_ctx fctx = g->actx;
    fctx.arena = op->batch_arena;
    for (uint32_t r = 0; r < n; r++) {
        uint64_t group = g->next_group + r;
        const sql_value *key = sql_rowset_row(&g->groups.rows, group);
        for (uint32_t k = 0; k < nk; k++) sql_vec_set(&b->cols[k], r, &key[k]);
        for (uint32_t a = 0; a < p->agg.naggs; a++) {
            const sql_agg_call *call = &p->agg.aggs[a];
            sql_value v = {.type_oid = p->cols[nk + a].type_oid};
            if (p->agg.mode == SQL_AGG_PARTIAL) {
                v.b = (sql_bytes){.ptr = sql_agg_state(g, group, a), .len = call->def->state_bytes};
            } else {
                fctx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
                fctx.result_type = call->type_oid;
                if (!call->def->final(&fctx, sql_agg_state(g, group, a), &v)) return false;
                v.type_oid = p->cols[nk + a].type_oid;
            }
            sql_vec_set(&b->cols[nk + a], r, &v);
        }
    }
    b->rows = n;
    g->next_group += n;
    *out = b;
    return true;
}
static const sql_op_vt sql_agg_vt = {NULL, sql_agg_next, NULL};

sql_op *sql_op_new_agg(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_agg *g = (sql_op_agg *)sql_op_alloc(x, p, &sql_agg_vt, sizeof *g);
    if (g == NULL) return NULL;
    uint32_t nk = p->agg.ngroup;
    if (!sql_htab_init(&g->groups, x->arena, nk, nk + 1)) return NULL;
    g->offsets = rt_arena_zalloc(x->arena, sizeof(uint32_t) * (p->agg.naggs + 1u));
    g->bufs = rt_arena_zalloc(x->arena, sizeof(sql_agg_buf) * (p->agg.naggs + 1u));
    if (g->offsets == NULL || g->bufs == NULL) return NULL;
    uint32_t off = 0;
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *call = &p->agg.aggs[a];
        g->offsets[a] = off;
        off += (call->def->state_bytes + 15u) & ~15u;
        if (sql_agg_buffered(call)) {
            sql_rowset_init(&g->bufs[a].rows, x->arena, 1 + call->nargs + call->norder);
        }
    }
    g->state_bytes = off > 0 ? off : 16;
    g->actx = (sql_agg_ctx){.arena = x->arena, .err = x->err, .io = &g->io};
    return &g->base;
}
