/* sql_exec_agg.c: hash aggregation (GROUP BY) and plain aggregation, in three modes:
 * SINGLE (everything here), PARTIAL (on a shard: emits group keys and raw aggregate states, or
 * the flat copies of states that hold pointers) and FINAL (on the coordinator: merges those
 * states). sum/avg(numeric) over + - * of numeric columns and constants take their argument as
 * a scaled-int64 lane (sql_numeric.h) and step with coefficients; rows the lane does not hold
 * are evaluated exactly. Aggregates with DISTINCT or ORDER BY inside the call (and the
 * ordered-set aggregates, WITHIN GROUP) are buffered per group and stepped in order at the end.
 * With grouping sets (ROLLUP, CUBE, GROUPING SETS) every input row (or merged partial state) is
 * added to one group per set: the key is the set's columns, NULL elsewhere, plus the set's
 * index, so a NULL made by the rollup stays apart from a NULL in the data.
 * Memory: the hash table, the states and the buffered rows live in an arena of the operator's
 * own, bounded by sql_exec_hash_bytes_max: past it the query fails with 53200. */
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_numeric.h"

typedef struct sql_agg_buf {
    sql_rowset rows;       /* group index, args..., order keys... */
    uint32_t nargs, nkeys;
} sql_agg_buf;

typedef struct sql_op_agg {
    sql_op base;
    rt_arena *arena;       /* groups, states, buffers: bounded by sql_exec_hash_bytes_max */
    uint32_t nkeys;        /* group columns, plus the set index with grouping sets */
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

static bool sql_agg_fail(sql_op_agg *g, sql_exec_ctx *x) {
    return sql_exec_hash_fail(g->arena, x, "aggregation");
}

/* Whether `e` reads no input column (constants, parameters): evaluated once per query. */
static bool sql_agg_row_free(const sql_expr *e) {
    if (e->kind == SQL_X_COLUMN || e->kind == SQL_X_SUBQUERY || e->kind == SQL_X_AGGREF) {
        return false;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!sql_agg_row_free(e->args[i])) return false;
    }
    return true;
}

static uint8_t *sql_agg_state(sql_op_agg *g, uint64_t group, uint32_t agg) {
    return g->states + group * g->state_bytes + g->offsets[agg];
}

/* An ordered-set aggregate of a new group sees its direct arguments once without a row, so an
 * empty group (a plain aggregate over no rows, an empty grouping set) still checks them. */
static bool sql_agg_prestep(sql_op_agg *g, sql_exec_ctx *x, const sql_agg_call *call,
                            void *state) {
    sql_value vals[SQL_FUNC_ARGS_MAX + 1];
    if (call->nargs > SQL_FUNC_ARGS_MAX) return true;
    for (uint32_t i = 0; i < call->nargs; i++) {
        if (!sql_agg_row_free(call->args[i])) return true;
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, g->base.batch_arena, &ec);
    sql_batch *one = sql_batch_new(g->base.batch_arena, 0, 1);
    if (one == NULL) return false;
    one->rows = 1;
    for (uint32_t i = 0; i < call->nargs; i++) {
        sql_vec *v = sql_eval(&ec, call->args[i], one, 1, NULL);
        if (v == NULL) return false;
        sql_vec_get(v, 0, &vals[i]);
        if (!sql_value_copy(g->arena, &vals[i])) return sql_agg_fail(g, x);
    }
    vals[call->nargs] = (sql_value){.type_oid = call->order[0].expr->type_oid, .is_null = true};
    return call->def->step(&g->actx, state, vals);
}

static bool sql_agg_new_group(sql_op_agg *g, sql_exec_ctx *x, uint64_t group) {
    const sql_plan *p = g->base.plan;
    if (group >= g->states_cap) {
        uint64_t cap = g->states_cap == 0 ? 64 : g->states_cap * 2;
        uint8_t *s = rt_arena_grow(g->arena, g->states, g->states_cap * g->state_bytes,
                                   cap * g->state_bytes);
        if (s == NULL) return sql_agg_fail(g, x);
        g->states = s;
        g->states_cap = cap;
    }
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *call = &p->agg.aggs[a];
        g->actx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
        g->actx.result_type = call->type_oid;
        call->def->init(&g->actx, sql_agg_state(g, group, a));
        if (call->def->ordered_set && p->agg.mode != SQL_AGG_FINAL &&
            !sql_agg_prestep(g, x, call, sql_agg_state(g, group, a))) {
            return false;
        }
    }
    return true;
}

/* The group of row `r` (keys evaluated in `keys`) in grouping set `set` (its columns kept,
 * the others NULL), created if new. */
static bool sql_agg_group_of(sql_op_agg *g, sql_exec_ctx *x, sql_vec **keys, uint32_t r,
                             uint32_t set, sql_value *scratch, uint64_t *group) {
    const sql_plan *p = g->base.plan;
    uint32_t nk = p->agg.ngroup;
    uint64_t mask = p->agg.nsets > 0 ? p->agg.sets[set] : UINT64_MAX;
    for (uint32_t k = 0; k < nk; k++) {
        if (k < 64 && !(mask & (1ull << k))) {
            scratch[k] = (sql_value){.type_oid = p->cols[k].type_oid, .is_null = true};
        } else {
            sql_vec_get(keys[k], r, &scratch[k]);
        }
    }
    if (p->agg.nsets > 0) scratch[nk] = (sql_value){.type_oid = SQL_T_INT8, .i64 = set};
    scratch[g->nkeys] = (sql_value){.type_oid = SQL_T_INT8, .i64 = (int64_t)g->groups.count};
    bool inserted, oom;
    uint64_t idx = sql_htab_find(&g->groups, scratch, sql_htab_hash(scratch, g->nkeys), scratch,
                                 true, &inserted, &oom);
    if (oom) return sql_agg_fail(g, x);
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
    if (!sql_rowset_add_values(&b->rows, row)) return sql_agg_fail(g, x);
    return true;
}

/* One aggregate's inputs over a batch: arguments, ORDER BY keys, FILTER selection. */
typedef struct sql_agg_input {
    sql_vec *args[SQL_FUNC_ARGS_MAX + 8];
    sql_vec *order[8];
    uint8_t *pass;         /* NULL: every row */
    bool use_lane;         /* the argument's rows with lane.ok come from the lane */
    sql_numeric_lane lane;
} sql_agg_input;

/* The lane operator of a numeric + - * node, or -1. */
static int sql_agg_lane_op(const sql_expr *e) {
    if (e->kind != SQL_X_FUNC || e->nargs != 2 || e->args[0]->type_oid != SQL_T_NUMERIC ||
        e->args[1]->type_oid != SQL_T_NUMERIC) {
        return -1;
    }
    return sql_fn_numeric_lane_op(e->func.def);
}

/* Whether a numeric expression is + - * over numeric columns, constants and parameters: its
 * leaves can be read twice (for the lane, then for the rows it does not hold) with no side
 * effect and little cost. */
static bool sql_agg_lane_fits(const sql_expr *e) {
    if (sql_agg_lane_op(e) >= 0) {
        return sql_agg_lane_fits(e->args[0]) && sql_agg_lane_fits(e->args[1]);
    }
    return e->type_oid == SQL_T_NUMERIC &&
           (e->kind == SQL_X_COLUMN || e->kind == SQL_X_CONST || e->kind == SQL_X_PARAM);
}

/* A numeric expression as a lane: numeric + - * computed in int64 (sql_numeric.h), leaves
 * evaluated and loaded. */
static bool sql_agg_lane_eval(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                              sql_numeric_lane *out) {
    uint32_t n = in->rows;
    int op = sql_agg_lane_op(e);
    if (op < 0) {
        sql_vec *v = sql_eval(ec, e, in, n, NULL);
        if (v == NULL || !sql_numeric_lane_alloc(ec->arena, n, out, ec->err)) return false;
        sql_numeric_lane_load(n, NULL, v->nulls, v->b, out);
        return true;
    }
    sql_numeric_lane b;
    if (!sql_agg_lane_eval(ec, e->args[0], in, out) || !sql_agg_lane_eval(ec, e->args[1], in, &b)) {
        return false;
    }
    sql_numeric_lane_apply((sql_numeric_lane_op)op, n, out, &b, out);
    return true;
}

/* sum/avg(numeric) over an expression: its rows come from a lane, and only the rows the lane
 * does not hold (NULLs, long forms, int64 overflow) are evaluated exactly, for step(). */
static bool sql_agg_eval_lane(sql_eval_ctx *ec, const sql_agg_call *call, const sql_batch *in,
                              sql_agg_input *ai) {
    if (!sql_agg_lane_eval(ec, call->args[0], in, &ai->lane)) return false;
    ai->use_lane = true;
    ai->args[0] = NULL;
    uint8_t *rest = rt_arena_alloc(ec->arena, in->rows + 1u);
    if (rest == NULL) return rt_arena_fail(ec->arena, ec->err);
    bool any = false;
    for (uint32_t r = 0; r < in->rows; r++) {
        rest[r] = !ai->lane.ok[r];
        any |= rest[r];
    }
    if (any && (ai->args[0] = sql_eval(ec, call->args[0], in, in->rows, rest)) == NULL) {
        return false;
    }
    return true;
}

static bool sql_agg_eval_input(sql_exec_ctx *x, sql_eval_ctx *ec, const sql_agg_call *call,
                               const sql_batch *in, sql_agg_input *ai) {
    rt_arena *ba = ec->arena;
    ai->pass = NULL;
    ai->use_lane = false;
    if (call->def->step_scaled != NULL && call->nargs == 1 && !sql_agg_buffered(call) &&
        sql_agg_lane_fits(call->args[0])) {
        if (!sql_agg_eval_lane(ec, call, in, ai)) return false;
    } else {
        for (uint32_t i = 0; i < call->nargs; i++) {
            ai->args[i] = sql_eval(ec, call->args[i], in, in->rows, NULL);
            if (ai->args[i] == NULL) return false;
        }
    }
    for (uint32_t k = 0; k < call->norder && k < 8; k++) {
        if ((ai->order[k] = sql_eval(ec, call->order[k].expr, in, in->rows, NULL)) == NULL) {
            return false;
        }
    }
    if (call->filter != NULL) {
        uint32_t kept;
        ai->pass = rt_arena_alloc(ba, in->rows + 1u);
        if (ai->pass == NULL || !sql_exec_predicate(x, ba, call->filter, in, ai->pass, &kept)) {
            return false;
        }
    }
    return true;
}

/* Steps an aggregate whose argument came as a lane: held rows by value, the others through
 * step_row (which skips their NULLs). */
static bool sql_agg_step_lane(sql_op_agg *g, sql_exec_ctx *x, uint32_t a,
                              const sql_agg_input *ai, const uint64_t *grp, uint32_t rows) {
    const sql_agg_call *call = &g->base.plan->agg.aggs[a];
    g->actx.arg_type = SQL_T_NUMERIC;
    g->actx.result_type = call->type_oid;
    const sql_numeric_lane *l = &ai->lane;
    for (uint32_t r = 0; r < rows; r++) {
        if (ai->pass != NULL && !ai->pass[r]) continue;
        if (l->ok[r]) {
            if (!call->def->step_scaled(&g->actx, sql_agg_state(g, grp[r], a), l->coef[r],
                                        l->scale[r])) {
                return false;
            }
        } else if (!sql_agg_step_row(g, x, a, grp[r], (sql_vec **)ai->args, NULL, r)) {
            return false;
        }
    }
    return true;
}

/* Steps every aggregate over one input batch (SINGLE and PARTIAL modes), once per grouping
 * set. */
static bool sql_agg_consume_batch(sql_op_agg *g, sql_exec_ctx *x, const sql_batch *in) {
    const sql_plan *p = g->base.plan;
    rt_arena *ba = g->base.batch_arena;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, ba, &ec);
    uint32_t nk = p->agg.ngroup, naggs = p->agg.naggs;
    sql_vec **keys = rt_arena_alloc(ba, sizeof(sql_vec *) * (nk + 1u));
    sql_value *scratch = rt_arena_alloc(ba, sizeof(sql_value) * (nk + 2u));
    uint64_t *grp = rt_arena_alloc(ba, sizeof(uint64_t) * (in->rows + 1u));
    sql_agg_input *inputs = rt_arena_alloc(ba, sizeof(sql_agg_input) * (naggs + 1u));
    if (keys == NULL || scratch == NULL || grp == NULL || inputs == NULL) return false;
    for (uint32_t k = 0; k < nk; k++) {
        if ((keys[k] = sql_eval(&ec, p->agg.group[k], in, in->rows, NULL)) == NULL) return false;
    }
    for (uint32_t a = 0; a < naggs; a++) {
        if (!sql_agg_eval_input(x, &ec, &p->agg.aggs[a], in, &inputs[a])) return false;
    }
    uint32_t nsets = p->agg.nsets > 0 ? p->agg.nsets : 1;
    for (uint32_t set = 0; set < nsets; set++) {
        for (uint32_t r = 0; r < in->rows; r++) {
            if (!sql_agg_group_of(g, x, keys, r, set, scratch, &grp[r])) return false;
        }
        for (uint32_t a = 0; a < naggs; a++) {
            if (p->agg.aggs[a].grouping != NULL) continue;
            const sql_agg_input *ai = &inputs[a];
            if (ai->use_lane) {
                if (!sql_agg_step_lane(g, x, a, ai, grp, in->rows)) return false;
                continue;
            }
            for (uint32_t r = 0; r < in->rows; r++) {
                if (ai->pass != NULL && !ai->pass[r]) continue;
                if (!sql_agg_step_row(g, x, a, grp[r], (sql_vec **)ai->args,
                                      (sql_vec **)ai->order, r)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* FINAL mode: input rows are group keys then one state (raw bytes) per aggregate; with
 * grouping sets each row merges into its group of every set. */
static bool sql_agg_merge_batch(sql_op_agg *g, sql_exec_ctx *x, const sql_batch *in) {
    const sql_plan *p = g->base.plan;
    uint32_t nk = p->agg.ngroup;
    sql_value *scratch = rt_arena_alloc(g->base.batch_arena, sizeof(sql_value) * (nk + 2u));
    sql_vec **keys = rt_arena_alloc(g->base.batch_arena, sizeof(sql_vec *) * (nk + 1u));
    if (scratch == NULL || keys == NULL) return false;
    for (uint32_t k = 0; k < nk; k++) keys[k] = &in->cols[k];
    uint32_t nsets = p->agg.nsets > 0 ? p->agg.nsets : 1;
    for (uint32_t r = 0; r < in->rows; r++) {
        for (uint32_t set = 0; set < nsets; set++) {
            uint64_t group;
            if (!sql_agg_group_of(g, x, keys, r, set, scratch, &group)) return false;
            for (uint32_t a = 0; a < p->agg.naggs; a++) {
                const sql_agg_call *call = &p->agg.aggs[a];
                g->actx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
                g->actx.result_type = call->type_oid;
                const sql_bytes *st = &in->cols[nk + a].b[r];
                if (!call->def->merge(&g->actx, sql_agg_state(g, group, a), st->ptr)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* Stable merge sort of row indexes by the key rows of `keyrows`. */
static bool sql_agg_sort_indexes(rt_arena *arena, const sql_rowset *keyrows,
                                 const sql_sort_key *keys, uint32_t nk, uint64_t *order,
                                 uint64_t n) {
    uint64_t *buf = rt_arena_alloc(arena, sizeof(uint64_t) * (n + 1));
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
    rt_arena *arena = g->arena;
    (void)x;
    sql_sort_key *keys = rt_arena_zalloc(arena, sizeof(sql_sort_key) * nk);
    uint32_t *cols = rt_arena_alloc(arena, sizeof(uint32_t) * nk);
    sql_value *row = rt_arena_alloc(arena, sizeof(sql_value) * nk);
    uint64_t *order = rt_arena_alloc(arena, sizeof(uint64_t) * (rs->count + 1));
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
    sql_rowset_init(&keyrows, arena, nk);
    for (uint64_t i = 0; i < rs->count; i++) {
        const sql_value *src = sql_rowset_row(rs, i);
        for (uint32_t k = 0; k < nk; k++) row[k] = src[cols[k]];
        if (!sql_rowset_add_values(&keyrows, row)) return NULL;
        order[i] = i;
    }
    if (!sql_agg_sort_indexes(arena, &keyrows, keys, nk, order, rs->count)) return NULL;
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
        if (order == NULL) return sql_agg_fail(g, x);
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

/* The groups an empty input still yields: the one row of a plain aggregate, and one per empty
 * grouping set (GROUP BY ROLLUP (a) over no rows gives the () row). */
static bool sql_agg_empty_groups(sql_op_agg *g, sql_exec_ctx *x) {
    const sql_plan *p = g->base.plan;
    uint32_t nsets = p->agg.nsets > 0 ? p->agg.nsets : 1;
    sql_value *scratch = rt_arena_alloc(g->base.batch_arena,
                                        sizeof(sql_value) * (p->agg.ngroup + 2u));
    if (scratch == NULL) return false;
    for (uint32_t set = 0; set < nsets; set++) {
        bool empty = p->agg.nsets > 0 ? p->agg.sets[set] == 0 : p->agg.ngroup == 0;
        uint64_t group;
        if (empty && !sql_agg_group_of(g, x, NULL, 0, set, scratch, &group)) return false;
    }
    return true;
}

static bool sql_agg_consume(sql_op_agg *g, sql_exec_ctx *x) {
    const sql_plan *p = g->base.plan;
    /* Before any row, so an empty input still has them. A PARTIAL node leaves them to FINAL. */
    if (p->agg.mode != SQL_AGG_PARTIAL && !sql_agg_empty_groups(g, x)) return false;
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(g->base.child, x, &in)) return false;
        if (in == NULL) break;
        bool ok = p->agg.mode == SQL_AGG_FINAL ? sql_agg_merge_batch(g, x, in)
                                               : sql_agg_consume_batch(g, x, in);
        if (!ok) return false;
        rt_arena_reset(g->base.batch_arena);
    }
    return sql_agg_run_buffers(g, x);
}

/* GROUPING(a, b): bit n-1-i set when argument i is not in the group's set. */
static int64_t sql_agg_grouping_bits(const sql_op_agg *g, const sql_agg_call *call,
                                     const sql_value *key) {
    const sql_plan *p = g->base.plan;
    if (p->agg.nsets == 0 || p->agg.mode == SQL_AGG_PARTIAL) return 0;
    uint64_t mask = p->agg.sets[key[p->agg.ngroup].i64];
    int64_t bits = 0;
    for (uint32_t i = 0; i < call->ngrouping; i++) {
        uint32_t col = call->grouping[i];
        if (col >= 64 || !(mask & (1ull << col))) bits |= 1ll << (call->ngrouping - 1 - i);
    }
    return bits;
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
            if (p->agg.mode == SQL_AGG_PARTIAL && call->def->flatten != NULL) {
                fctx.arg_type = call->nargs > 0 ? call->args[0]->type_oid : 0;
                if (!call->def->flatten(&fctx, sql_agg_state(g, group, a), &v.b)) return false;
            } else if (p->agg.mode == SQL_AGG_PARTIAL) {
                v.b = (sql_bytes){.ptr = sql_agg_state(g, group, a), .len = call->def->state_bytes};
            } else if (call->grouping != NULL) {
                v.i64 = sql_agg_grouping_bits(g, call, key);
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
/* The operator's memory is its own arena, created at open and dropped at close. */
static bool sql_agg_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_agg *g = (sql_op_agg *)op;
    const sql_plan *p = op->plan;
    g->arena = rt_arena_create(sql_exec_hash_bytes_max);
    if (g->arena == NULL) return rt_arena_fail(x->arena, x->err);
    g->nkeys = p->agg.ngroup + (p->agg.nsets > 0 ? 1u : 0u);
    if (!sql_htab_init(&g->groups, g->arena, g->nkeys, g->nkeys + 1)) return sql_agg_fail(g, x);
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        const sql_agg_call *call = &p->agg.aggs[a];
        if (sql_agg_buffered(call)) {
            sql_rowset_init(&g->bufs[a].rows, g->arena, 1 + call->nargs + call->norder);
        }
    }
    g->actx = (sql_agg_ctx){.arena = g->arena, .err = x->err, .io = &g->io};
    return true;
}

static void sql_agg_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_agg *g = (sql_op_agg *)op;
    if (g->arena != NULL) rt_arena_destroy(g->arena);
    g->arena = NULL;
    g->states = NULL;
    g->states_cap = 0;
    g->consumed = false;
    g->next_group = 0;
}

static const sql_op_vt sql_agg_vt = {sql_agg_open, sql_agg_next, sql_agg_close};

sql_op *sql_op_new_agg(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_agg *g = (sql_op_agg *)sql_op_alloc(x, p, &sql_agg_vt, sizeof *g);
    if (g == NULL) return NULL;
    g->offsets = rt_arena_zalloc(x->arena, sizeof(uint32_t) * (p->agg.naggs + 1u));
    g->bufs = rt_arena_zalloc(x->arena, sizeof(sql_agg_buf) * (p->agg.naggs + 1u));
    if (g->offsets == NULL || g->bufs == NULL) return NULL;
    uint32_t off = 0;
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        g->offsets[a] = off;
        off += (p->agg.aggs[a].def->state_bytes + 15u) & ~15u;
    }
    g->state_bytes = off > 0 ? off : 16;
    return &g->base;
}
