/* sql_exec_window.c: the WINDOW operator (sql_window.h).
 * The input arrives sorted by (partition keys, order keys). Rows are buffered until the
 * partition key changes; then the partition's peer groups (rows equal on the order keys) are
 * found, every function is computed for every row, and the rows go out with the results
 * appended. Per input batch the operator evaluates once what the functions need (arguments,
 * FILTER, partition and order keys, RANGE bound values) and buffers those values with the row.
 * Aggregates over a frame are stepped incrementally while the frame start stays put and its
 * end only grows (the default frame, and any frame starting UNBOUNDED PRECEDING); a frame that
 * moves (both ends advance) takes the rows it left back out of the state when the aggregate
 * has an exact inverse (count, sum / avg of integers: sql_agg_def.inverse), so each row costs
 * the rows entering and leaving, not the frame; other frames (min, max, float and numeric
 * sums) are recomputed row by row, reusing the previous result when the frame is unchanged. */
#include <string.h>

#include "sql/sql_exec_int.h"
#include "sql/sql_window.h"

size_t sql_window_partition_bytes_max = SQL_WINDOW_PARTITION_BYTES_MAX;

/* Arenas of the per-batch evaluation and of aggregate states: bounded like batch arenas. */
#define SQL_WINDOW_SCRATCH_BYTES (256ull << 20)

/* Where a function's buffered values sit in a buffered row. */
typedef struct sql_win_slots {
    uint32_t args;         /* first argument */
    uint32_t filter;       /* UINT32_MAX: no FILTER */
    uint32_t start_value;  /* RANGE bound values, UINT32_MAX when computed here */
    uint32_t end_value;
    uint32_t range_key;
} sql_win_slots;

typedef struct sql_win_eval {
    const sql_expr *expr;
    uint32_t slot;
} sql_win_eval;

typedef struct sql_op_window {
    sql_op base;
    const sql_window_func *funcs;
    uint32_t nfuncs, nin;         /* input columns: the output's first nin */
    uint32_t part_slot, order_slot, width;
    sql_win_slots *slots;
    sql_win_eval *evals;          /* expressions evaluated per input batch */
    uint32_t nevals;
    int64_t *start_off, *end_off; /* per function: ROWS/GROUPS/integer RANGE offsets */
    rt_arena *part_arena, *state_arena, *in_arena;
    rt_arena *final_arena;        /* results of `final`, freed once copied */
    sql_rowset part;              /* the partition: row values ++ evaluated values */
    sql_value *results;           /* row r's results at r * nfuncs */
    uint64_t *peer_start, *peer_end, *group_no, *group_first;
    uint64_t ngroups;
    sql_batch *in;                /* the input batch being read */
    sql_vec **in_vals;            /* its evaluated values, per entry of evals */
    uint32_t in_row;
    bool in_done, started, computed;
    uint64_t emitted;
    sql_agg_ctx actx;
    sql_io_ctx io;
} sql_op_window;

static bool sql_window_oom(sql_op_window *w, sql_exec_ctx *x, rt_arena *a) {
    if (a == w->part_arena) {
        return rt_err_set(x->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "window partition too large: more than %zu bytes",
                          sql_window_partition_bytes_max);
    }
    return rt_arena_fail(a, x->err);
}

/* Computing a partition's frames can take long (recomputed frames cost rows x frame size):
 * the session's cancel flag is looked at every SQL_WINDOW_CANCEL_CHECK_ROWS rows. */
#define SQL_WINDOW_CANCEL_CHECK_ROWS 4096u

static bool sql_window_canceled(sql_exec_ctx *x, uint64_t row) {
    if (row % SQL_WINDOW_CANCEL_CHECK_ROWS != 0 || x->cancel == NULL ||
        !atomic_load_explicit(x->cancel, memory_order_relaxed)) {
        return false;
    }
    return !rt_err_set(x->err, SQLSTATE_QUERY_CANCELED,
                       "canceling statement due to user request");
}

/* ---- layout and start ---- */

static bool sql_window_add_eval(sql_op_window *w, sql_exec_ctx *x, const sql_expr *e,
                                uint32_t *slot) {
    if (e == NULL) {
        *slot = UINT32_MAX;
        return true;
    }
    sql_win_eval *ev = rt_arena_grow(x->arena, w->evals, sizeof *ev * w->nevals,
                                     sizeof *ev * (w->nevals + 1u));
    if (ev == NULL) return false;
    w->evals = ev;
    w->evals[w->nevals++] = (sql_win_eval){.expr = e, .slot = w->width};
    *slot = w->width++;
    return true;
}

static bool sql_window_layout(sql_op_window *w, sql_exec_ctx *x) {
    const sql_window_func *f0 = &w->funcs[0];
    w->width = w->nin;
    w->part_slot = w->width;
    uint32_t ignored;
    for (uint32_t k = 0; k < f0->npart; k++) {
        if (!sql_window_add_eval(w, x, f0->part[k], &ignored)) return false;
    }
    w->order_slot = w->width;
    for (uint32_t k = 0; k < f0->norder; k++) {
        if (!sql_window_add_eval(w, x, f0->order[k].expr, &ignored)) return false;
    }
    w->slots = rt_arena_zalloc(x->arena, sizeof(sql_win_slots) * w->nfuncs);
    if (w->slots == NULL) return false;
    for (uint32_t f = 0; f < w->nfuncs; f++) {
        const sql_window_func *fn = &w->funcs[f];
        sql_win_slots *s = &w->slots[f];
        s->args = w->width;
        for (uint32_t a = 0; a < fn->nargs; a++) {
            if (!sql_window_add_eval(w, x, fn->args[a], &ignored)) return false;
        }
        if (!sql_window_add_eval(w, x, fn->filter, &s->filter) ||
            !sql_window_add_eval(w, x, fn->frame.start.value, &s->start_value) ||
            !sql_window_add_eval(w, x, fn->frame.end.value, &s->end_value) ||
            !sql_window_add_eval(w, x, fn->frame.range_key, &s->range_key)) {
            return false;
        }
    }
    return true;
}

/* A frame offset: evaluated once (it has no column references), never NULL or negative. */
static bool sql_window_offset(sql_exec_ctx *x, const sql_window_func *fn,
                              const sql_window_bound *b, bool is_start, int64_t *out) {
    *out = 0;
    if (b->offset == NULL) return true;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    sql_value v;
    if (!sql_eval_scalar(&ec, b->offset, &v)) return false;
    if (v.is_null) {
        return rt_err_set(x->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                          "frame %s offset must not be null", is_start ? "starting" : "ending");
    }
    bool negative = false;
    if (b->nonneg != NULL) {
        sql_value ok;
        if (!sql_eval_scalar(&ec, b->nonneg, &ok)) return false;
        negative = ok.is_null || ok.i64 == 0;
    } else {
        negative = v.i64 < 0;
        *out = v.i64;
    }
    if (!negative) return true;
    if (fn->frame.mode == SQL_WIN_FRAME_RANGE) {
        return rt_err_set(x->err, SQLSTATE_INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                          "invalid preceding or following size in window function");
    }
    return rt_err_set(x->err, SQLSTATE_INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                      "frame %s offset must not be negative", is_start ? "starting" : "ending");
}

static bool sql_window_start(sql_op_window *w, sql_exec_ctx *x) {
    w->started = true;
    for (uint32_t f = 0; f < w->nfuncs; f++) {
        const sql_window_func *fn = &w->funcs[f];
        if (!sql_window_offset(x, fn, &fn->frame.start, true, &w->start_off[f]) ||
            !sql_window_offset(x, fn, &fn->frame.end, false, &w->end_off[f])) {
            return false;
        }
    }
    w->part_arena = rt_arena_create(sql_window_partition_bytes_max);
    w->state_arena = rt_arena_create(SQL_WINDOW_SCRATCH_BYTES);
    w->in_arena = rt_arena_create(SQL_WINDOW_SCRATCH_BYTES);
    w->final_arena = rt_arena_create(SQL_WINDOW_SCRATCH_BYTES);
    if (w->part_arena == NULL || w->state_arena == NULL || w->in_arena == NULL ||
        w->final_arena == NULL) {
        return false;
    }
    sql_rowset_init(&w->part, w->part_arena, w->width);
    w->io = (sql_io_ctx){.arena = w->state_arena, .fmt = &x->fmt, .now_us = x->now_us,
                         .err = x->err};
    w->actx = (sql_agg_ctx){.arena = w->state_arena, .err = x->err, .io = &w->io};
    return true;
}

/* ---- reading the input ---- */

/* Fetches the next input batch and evaluates what the functions need over it. */
static bool sql_window_fetch(sql_op_window *w, sql_exec_ctx *x) {
    w->in = NULL;
    w->in_row = 0;
    if (!sql_op_next(w->base.child, x, &w->in)) return false;
    if (w->in == NULL) {
        w->in_done = true;
        return true;
    }
    rt_arena_reset(w->in_arena);
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, w->in_arena, &ec);
    w->in_vals = rt_arena_alloc(w->in_arena, sizeof(sql_vec *) * (w->nevals + 1u));
    if (w->in_vals == NULL) return rt_arena_fail(w->in_arena, x->err);
    for (uint32_t i = 0; i < w->nevals; i++) {
        w->in_vals[i] = sql_eval(&ec, w->evals[i].expr, w->in, w->in->rows, NULL);
        if (w->in_vals[i] == NULL) {
            if (!rt_err_is_set(x->err)) rt_arena_fail(w->in_arena, x->err);
            return false;
        }
    }
    return true;
}

/* Buffers input rows while they belong to the current partition; *complete when a row of the
 * next partition (or the end of the input) was reached. */
static bool sql_window_fill(sql_op_window *w, sql_exec_ctx *x, bool *complete) {
    const sql_window_func *f0 = &w->funcs[0];
    sql_value *row = rt_arena_alloc(w->base.batch_arena, sizeof(sql_value) * (w->width + 1u));
    if (row == NULL) return false;
    *complete = false;
    while (!*complete) {
        if (w->in == NULL || w->in_row >= w->in->rows) {
            if (w->in_done) {
                *complete = true;
                break;
            }
            if (!sql_window_fetch(w, x)) return false;
            continue;
        }
        for (uint32_t c = 0; c < w->nin; c++) sql_vec_get(&w->in->cols[c], w->in_row, &row[c]);
        for (uint32_t i = 0; i < w->nevals; i++) {
            sql_vec_get(w->in_vals[i], w->in_row, &row[w->evals[i].slot]);
        }
        if (w->part.count > 0 &&
            !sql_values_equal(sql_rowset_row(&w->part, 0) + w->part_slot, row + w->part_slot,
                              f0->npart)) {
            *complete = true;
            break;
        }
        if (!sql_rowset_add_values(&w->part, row) ||
            rt_arena_used_bytes(w->part_arena) > sql_window_partition_bytes_max) {
            return sql_window_oom(w, x, w->part_arena);
        }
        w->in_row++;
    }
    return true;
}

/* ---- peer groups ---- */

static bool sql_window_peers(sql_op_window *w) {
    uint64_t n = w->part.count;
    const sql_window_func *f0 = &w->funcs[0];
    rt_arena *a = w->part_arena;
    w->peer_start = rt_arena_alloc(a, sizeof(uint64_t) * (n + 1));
    w->peer_end = rt_arena_alloc(a, sizeof(uint64_t) * (n + 1));
    w->group_no = rt_arena_alloc(a, sizeof(uint64_t) * (n + 1));
    w->group_first = rt_arena_alloc(a, sizeof(uint64_t) * (n + 1));
    if (w->peer_start == NULL || w->peer_end == NULL || w->group_no == NULL ||
        w->group_first == NULL) {
        return false;
    }
    w->ngroups = 0;
    for (uint64_t i = 0; i < n; i++) {
        bool same = i > 0 && sql_values_equal(sql_rowset_row(&w->part, i - 1) + w->order_slot,
                                              sql_rowset_row(&w->part, i) + w->order_slot,
                                              f0->norder);
        if (!same) w->group_first[w->ngroups++] = i;
        w->group_no[i] = w->ngroups - 1;
        w->peer_start[i] = w->group_first[w->ngroups - 1];
    }
    for (uint64_t i = n; i-- > 0;) {
        w->peer_end[i] = i + 1 == n || w->group_no[i + 1] != w->group_no[i] ? i + 1
                                                                               : w->peer_end[i + 1];
    }
    return true;
}

/* ---- frames ---- */

static uint64_t sql_window_group_end(const sql_op_window *w, uint64_t g) {
    return g + 1 < w->ngroups ? w->group_first[g + 1] : w->part.count;
}

static uint64_t sql_window_sat_sub(uint64_t a, int64_t b) {
    return (uint64_t)b > a ? 0 : a - (uint64_t)b;
}

static uint64_t sql_window_sat_add(uint64_t a, int64_t b, uint64_t cap) {
    return (uint64_t)b >= cap - a ? cap : a + (uint64_t)b;
}

/* Is row j (non-NULL key) before the bound `b` of the current row? For the end bound,
 * `inclusive` asks whether row j is at or before it. Descending keys run the other way. */
static bool sql_window_range_before(const sql_op_window *w, uint32_t f, uint64_t j,
                                    const sql_value *bound, bool inclusive) {
    const sql_window_func *fn = &w->funcs[f];
    const sql_value *row = sql_rowset_row(&w->part, j);
    const sql_value *key = w->slots[f].range_key != UINT32_MAX ? &row[w->slots[f].range_key]
                                                               : &row[w->order_slot];
    if (key->is_null) return fn->order[0].nulls_first;
    int c = sql_value_cmp(key, bound);
    if (fn->order[0].desc) c = -c;
    return inclusive ? c <= 0 : c < 0;
}

/* The bound value of row i for a RANGE offset (integer keys: saturating arithmetic). */
static void sql_window_range_bound(const sql_op_window *w, uint32_t f, uint64_t i, bool start,
                                   sql_value *out) {
    const sql_window_func *fn = &w->funcs[f];
    const sql_value *row = sql_rowset_row(&w->part, i);
    uint32_t slot = start ? w->slots[f].start_value : w->slots[f].end_value;
    if (slot != UINT32_MAX) {
        *out = row[slot];
        return;
    }
    const sql_window_bound *b = start ? &fn->frame.start : &fn->frame.end;
    int64_t off = start ? w->start_off[f] : w->end_off[f];
    bool add = (b->kind == SQL_WIN_FOLLOWING) != fn->order[0].desc;
    *out = row[w->order_slot];
    int64_t r;
    if (add) out->i64 = __builtin_add_overflow(out->i64, off, &r) ? INT64_MAX : r;
    else out->i64 = __builtin_sub_overflow(out->i64, off, &r) ? INT64_MIN : r;
}

/* First row in [lo, hi) for which before() is false (rows sorted: true, then false). */
static uint64_t sql_window_search(const sql_op_window *w, uint32_t f, uint64_t lo, uint64_t hi,
                                  const sql_value *bound, bool inclusive) {
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (sql_window_range_before(w, f, mid, bound, inclusive)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static uint64_t sql_window_range_edge(const sql_op_window *w, uint32_t f, uint64_t i,
                                      bool start) {
    const sql_value *key = sql_rowset_row(&w->part, i) + w->order_slot;
    /* A NULL key's frame bound with an offset is its peer group (NULL +/- n is NULL). */
    if (key->is_null) return start ? w->peer_start[i] : w->peer_end[i];
    sql_value bound;
    sql_window_range_bound(w, f, i, start, &bound);
    if (bound.is_null) return start ? w->peer_start[i] : w->peer_end[i];
    return sql_window_search(w, f, 0, w->part.count, &bound, !start);
}

static uint64_t sql_window_edge(const sql_op_window *w, uint32_t f, uint64_t i, bool start) {
    const sql_window_func *fn = &w->funcs[f];
    const sql_window_bound *b = start ? &fn->frame.start : &fn->frame.end;
    int64_t off = start ? w->start_off[f] : w->end_off[f];
    uint64_t n = w->part.count, g = w->group_no[i];
    switch (b->kind) {
    case SQL_WIN_UNBOUNDED_PRECEDING: return 0;
    case SQL_WIN_UNBOUNDED_FOLLOWING: return n;
    case SQL_WIN_CURRENT_ROW:
        if (fn->frame.mode == SQL_WIN_FRAME_ROWS) return start ? i : i + 1;
        return start ? w->peer_start[i] : w->peer_end[i];
    default: break;
    }
    bool preceding = b->kind == SQL_WIN_PRECEDING;
    if (fn->frame.mode == SQL_WIN_FRAME_ROWS) {
        uint64_t at = start ? i : i + 1;
        return preceding ? sql_window_sat_sub(at, off) : sql_window_sat_add(at, off, n);
    }
    if (fn->frame.mode == SQL_WIN_FRAME_GROUPS) {
        if (preceding && (uint64_t)off > g) return 0;
        uint64_t tg = preceding ? g - (uint64_t)off : sql_window_sat_add(g, off, w->ngroups);
        if (tg >= w->ngroups) return n;
        return start ? w->group_first[tg] : sql_window_group_end(w, tg);
    }
    return sql_window_range_edge(w, f, i, start);
}

/* Is row j of the frame of row i excluded (EXCLUDE CURRENT ROW / GROUP / TIES)? */
static bool sql_window_excluded(const sql_op_window *w, uint32_t f, uint64_t i, uint64_t j) {
    switch (w->funcs[f].frame.exclude) {
    case SQL_WIN_EXCLUDE_CURRENT_ROW: return j == i;
    case SQL_WIN_EXCLUDE_GROUP: return w->group_no[j] == w->group_no[i];
    case SQL_WIN_EXCLUDE_TIES: return j != i && w->group_no[j] == w->group_no[i];
    default: return false;
    }
}

/* ---- aggregates over frames ---- */

typedef struct sql_win_aggrun {
    void *state;
    bool have;             /* `state` holds rows [fs, fe) of the last frame */
    uint64_t fs, fe;
    sql_value last;        /* the last result (partition arena) */
} sql_win_aggrun;

/* Row j's arguments for window aggregate f, or NULL when the row does not count (its FILTER
 * is not true, or a strict aggregate's argument is NULL). */
static const sql_value *sql_window_agg_args(const sql_op_window *w, uint32_t f, uint64_t j) {
    const sql_window_func *fn = &w->funcs[f];
    const sql_value *row = sql_rowset_row(&w->part, j);
    const sql_win_slots *s = &w->slots[f];
    if (s->filter != UINT32_MAX && (row[s->filter].is_null || row[s->filter].i64 == 0)) {
        return NULL;
    }
    uint32_t nargs = fn->star ? 0 : fn->nargs;
    for (uint32_t a = 0; fn->agg->strict && a < nargs; a++) {
        if (row[s->args + a].is_null) return NULL;
    }
    return row + s->args;
}

static bool sql_window_agg_step(sql_op_window *w, uint32_t f, void *state, uint64_t j) {
    const sql_value *args = sql_window_agg_args(w, f, j);
    return args == NULL || w->funcs[f].agg->step(&w->actx, state, args);
}

/* Takes row j back out of the state (what sql_window_agg_step added, it removes). */
static bool sql_window_agg_unstep(sql_op_window *w, uint32_t f, void *state, uint64_t j) {
    const sql_value *args = sql_window_agg_args(w, f, j);
    return args == NULL || w->funcs[f].agg->inverse(&w->actx, state, args);
}

/* The aggregate's result for its current state, kept in the partition arena. `final` reads
 * the state without changing it (sql_agg.h), so what it allocates is the result alone: it goes
 * to a scratch arena, freed once the result is copied, so a growing frame does not pile up
 * every intermediate result. */
static bool sql_window_agg_final(sql_op_window *w, sql_exec_ctx *x, uint32_t f,
                                 const void *state, sql_value *out) {
    const sql_window_func *fn = &w->funcs[f];
    w->actx.arena = w->io.arena = w->final_arena;
    bool ok = fn->agg->final(&w->actx, state, out);
    w->actx.arena = w->io.arena = w->state_arena;
    if (!ok) return false;
    out->type_oid = fn->type_oid;
    if (!sql_value_copy(w->part_arena, out)) return sql_window_oom(w, x, w->part_arena);
    rt_arena_reset(w->final_arena);
    return true;
}

/* The aggregate over the frame [fs, fe) of row i. */
static bool sql_window_agg_row(sql_op_window *w, sql_exec_ctx *x, uint32_t f, uint64_t i,
                               uint64_t fs, uint64_t fe, sql_win_aggrun *run, sql_value *out) {
    const sql_window_func *fn = &w->funcs[f];
    bool excl = fn->frame.exclude != SQL_WIN_EXCLUDE_NONE;
    if (run->have && !excl && fs == run->fs && fe == run->fe) {
        *out = run->last;
        return true;
    }
    uint64_t from = fs;
    if (run->have && !excl && fs == run->fs && fe > run->fe) {
        from = run->fe;
    } else if (run->have && !excl && fn->agg->inverse != NULL && fs >= run->fs &&
               fe >= run->fe && fs < run->fe && (fs - run->fs) + (fe - run->fe) < fe - fs) {
        /* A moving frame (ROWS BETWEEN 2 PRECEDING AND CURRENT ROW...): the rows it left
           are taken back and the rows it reached added, not the whole frame summed again. */
        for (uint64_t j = run->fs; j < fs; j++) {
            if (!sql_window_agg_unstep(w, f, run->state, j)) return false;
        }
        from = run->fe;
    } else {
        rt_arena_reset(w->state_arena);
        run->state = rt_arena_zalloc(w->state_arena, fn->agg->state_bytes + 16u);
        if (run->state == NULL) return rt_arena_fail(w->state_arena, x->err);
        fn->agg->init(&w->actx, run->state);
    }
    for (uint64_t j = from; j < fe; j++) {
        if (excl && sql_window_excluded(w, f, i, j)) continue;
        if (!sql_window_agg_step(w, f, run->state, j)) return false;
    }
    run->have = !excl;
    run->fs = fs;
    run->fe = fe > fs ? fe : fs;
    if (!sql_window_agg_final(w, x, f, run->state, out)) return false;
    run->last = *out;
    return true;
}

/* Aggregates whose result does not depend on the order rows are stepped in (exactly: no
 * float rounding, no first-of-equals choice), so a frame that only grows backwards can be
 * built by stepping rows in reverse. */
static bool sql_window_agg_unordered(const sql_window_func *fn) {
    static const char *const names[] = {"count", "sum", "min", "max", "bool_and", "bool_or",
                                        "every", "bit_and", "bit_or"};
    uint32_t t = fn->nargs > 0 && !fn->star ? fn->args[0]->type_oid : 0;
    if (t == SQL_T_FLOAT4 || t == SQL_T_FLOAT8 || t == SQL_T_NUMERIC) {
        return strcmp(fn->agg->name, "count") == 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(fn->agg->name, names[i]) == 0) return true;
    }
    return false;
}

/* Frames ending at UNBOUNDED FOLLOWING whose start moves forward (ROWS/RANGE/GROUPS from the
 * current row or an offset): computed from the last row back, each frame one step larger. */
static bool sql_window_agg_reverse(sql_op_window *w, sql_exec_ctx *x, uint32_t f) {
    uint64_t n = w->part.count;
    sql_win_aggrun run = {0};
    for (uint64_t i = n; i-- > 0;) {
        if (sql_window_canceled(x, i)) return false;
        uint64_t fs = sql_window_edge(w, f, i, true);
        if (fs > n) fs = n;
        sql_value *out = &w->results[i * w->nfuncs + f];
        if (run.have && fs == run.fs) {
            *out = run.last;
            continue;
        }
        if (!run.have) {
            rt_arena_reset(w->state_arena);
            run.state = rt_arena_zalloc(w->state_arena, w->funcs[f].agg->state_bytes + 16u);
            if (run.state == NULL) return rt_arena_fail(w->state_arena, x->err);
            w->funcs[f].agg->init(&w->actx, run.state);
            run.fs = n;
        }
        for (uint64_t j = fs; j < run.fs; j++) {
            if (!sql_window_agg_step(w, f, run.state, j)) return false;
        }
        run.have = true;
        run.fs = fs < run.fs ? fs : run.fs;
        if (!sql_window_agg_final(w, x, f, run.state, out)) return false;
        run.last = *out;
    }
    return true;
}

static bool sql_window_agg(sql_op_window *w, sql_exec_ctx *x, uint32_t f) {
    const sql_window_func *fn = &w->funcs[f];
    sql_win_aggrun run = {0};
    w->actx.arg_type = fn->nargs > 0 && !fn->star ? fn->args[0]->type_oid : 0;
    w->actx.result_type = fn->type_oid;
    if (fn->frame.end.kind == SQL_WIN_UNBOUNDED_FOLLOWING &&
        fn->frame.start.kind != SQL_WIN_UNBOUNDED_PRECEDING &&
        fn->frame.exclude == SQL_WIN_EXCLUDE_NONE && sql_window_agg_unordered(fn)) {
        return sql_window_agg_reverse(w, x, f);
    }
    for (uint64_t i = 0; i < w->part.count; i++) {
        if (sql_window_canceled(x, i)) return false;
        uint64_t fs = sql_window_edge(w, f, i, true), fe = sql_window_edge(w, f, i, false);
        if (fe < fs) fe = fs;
        if (!sql_window_agg_row(w, x, f, i, fs, fe, &run, &w->results[i * w->nfuncs + f])) {
            return false;
        }
    }
    return true;
}

/* ---- the other functions ---- */

static sql_value sql_window_null(const sql_window_func *fn) {
    return (sql_value){.type_oid = fn->type_oid, .is_null = true};
}

/* ntile: the bucket count is read at the first row where it is not NULL. */
static bool sql_window_ntile(sql_op_window *w, sql_exec_ctx *x, uint32_t f) {
    const sql_window_func *fn = &w->funcs[f];
    uint64_t n = w->part.count;
    int64_t buckets = 0;
    for (uint64_t i = 0; i < n; i++) {
        sql_value *out = &w->results[i * w->nfuncs + f];
        if (buckets == 0) {
            const sql_value *arg = sql_rowset_row(&w->part, i) + w->slots[f].args;
            if (arg->is_null) {
                *out = sql_window_null(fn);
                continue;
            }
            if (arg->i64 <= 0) {
                return rt_err_set(x->err, SQLSTATE_INVALID_ARGUMENT_FOR_NTILE_FUNCTION,
                                  "argument of ntile must be greater than zero");
            }
            buckets = arg->i64;
        }
        /* The first n % buckets buckets get one row more than the others. */
        uint64_t b = (uint64_t)buckets, per = n / b, extra = n % b;
        uint64_t big = extra * (per + 1);
        uint64_t bucket = i < big ? i / (per + 1) : extra + (i - big) / (per > 0 ? per : 1);
        *out = (sql_value){.type_oid = fn->type_oid, .i64 = (int64_t)bucket + 1};
    }
    return true;
}

static void sql_window_lag(sql_op_window *w, uint32_t f) {
    const sql_window_func *fn = &w->funcs[f];
    uint64_t n = w->part.count;
    uint32_t a = w->slots[f].args;
    for (uint64_t i = 0; i < n; i++) {
        const sql_value *row = sql_rowset_row(&w->part, i);
        sql_value *out = &w->results[i * w->nfuncs + f];
        int64_t off = 1;
        if (fn->nargs >= 2) {
            if (row[a + 1].is_null) {
                *out = sql_window_null(fn);
                continue;
            }
            off = row[a + 1].i64;
        }
        if (fn->kind == SQL_WIN_LAG) off = -off;
        int64_t target = (int64_t)i + off;
        if (target >= 0 && (uint64_t)target < n) {
            *out = sql_rowset_row(&w->part, (uint64_t)target)[a];
        } else if (fn->nargs >= 3) {
            *out = row[a + 2];
        } else {
            *out = sql_window_null(fn);
        }
        out->type_oid = fn->type_oid;
    }
}

/* first_value / last_value / nth_value over the frame, excluded rows skipped. */
static bool sql_window_value(sql_op_window *w, sql_exec_ctx *x, uint32_t f) {
    const sql_window_func *fn = &w->funcs[f];
    uint32_t a = w->slots[f].args;
    for (uint64_t i = 0; i < w->part.count; i++) {
        if (sql_window_canceled(x, i)) return false;
        sql_value *out = &w->results[i * w->nfuncs + f];
        *out = sql_window_null(fn);
        int64_t nth = 1;
        if (fn->kind == SQL_WIN_NTH_VALUE) {
            const sql_value *nv = sql_rowset_row(&w->part, i) + a + 1;
            if (nv->is_null) continue;
            if (nv->i64 <= 0) {
                return rt_err_set(x->err, SQLSTATE_INVALID_ARGUMENT_FOR_NTH_VALUE_FUNCTION,
                                  "argument of nth_value must be greater than zero");
            }
            nth = nv->i64;
        }
        uint64_t fs = sql_window_edge(w, f, i, true), fe = sql_window_edge(w, f, i, false);
        bool last = fn->kind == SQL_WIN_LAST_VALUE;
        int64_t seen = 0;
        for (uint64_t k = 0; fs + k < fe; k++) {
            uint64_t j = last ? fe - 1 - k : fs + k;
            if (sql_window_excluded(w, f, i, j) || ++seen < nth) continue;
            *out = sql_rowset_row(&w->part, j)[a];
            out->type_oid = fn->type_oid;
            break;
        }
    }
    return true;
}

static void sql_window_rank(sql_op_window *w, uint32_t f) {
    const sql_window_func *fn = &w->funcs[f];
    uint64_t n = w->part.count;
    for (uint64_t i = 0; i < n; i++) {
        sql_value *out = &w->results[i * w->nfuncs + f];
        *out = (sql_value){.type_oid = fn->type_oid};
        switch (fn->kind) {
        case SQL_WIN_ROW_NUMBER: out->i64 = (int64_t)i + 1; break;
        case SQL_WIN_RANK: out->i64 = (int64_t)w->peer_start[i] + 1; break;
        case SQL_WIN_DENSE_RANK: out->i64 = (int64_t)w->group_no[i] + 1; break;
        case SQL_WIN_PERCENT_RANK:
            out->f64 = n > 1 ? (double)w->peer_start[i] / (double)(n - 1) : 0.0;
            break;
        case SQL_WIN_CUME_DIST: out->f64 = (double)w->peer_end[i] / (double)n; break;
        default: RT_ASSERT(false);
        }
    }
}

/* Computes every function over the buffered partition. */
static bool sql_window_compute(sql_op_window *w, sql_exec_ctx *x) {
    uint64_t n = w->part.count;
    w->results = rt_arena_alloc(w->part_arena, sizeof(sql_value) * (n * w->nfuncs + 1u));
    if (w->results == NULL || !sql_window_peers(w)) return sql_window_oom(w, x, w->part_arena);
    for (uint32_t f = 0; f < w->nfuncs; f++) {
        bool ok = true;
        switch (w->funcs[f].kind) {
        case SQL_WIN_AGG: ok = sql_window_agg(w, x, f); break;
        case SQL_WIN_NTILE: ok = sql_window_ntile(w, x, f); break;
        case SQL_WIN_LAG: case SQL_WIN_LEAD: sql_window_lag(w, f); break;
        case SQL_WIN_FIRST_VALUE: case SQL_WIN_LAST_VALUE: case SQL_WIN_NTH_VALUE:
            ok = sql_window_value(w, x, f);
            break;
        default: sql_window_rank(w, f); break;
        }
        if (!ok) return false;
    }
    w->computed = true;
    w->emitted = 0;
    return true;
}

/* ---- output ---- */

static bool sql_window_emit(sql_op_window *w, sql_batch **out) {
    const sql_plan *p = w->base.plan;
    uint64_t left = w->part.count - w->emitted;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    sql_batch *b = sql_exec_batch(w->base.batch_arena, p, n);
    if (b == NULL) return false;
    for (uint32_t r = 0; r < n; r++) {
        uint64_t i = w->emitted + r;
        const sql_value *row = sql_rowset_row(&w->part, i);
        for (uint32_t c = 0; c < w->nin; c++) sql_vec_set(&b->cols[c], r, &row[c]);
        for (uint32_t f = 0; f < w->nfuncs; f++) {
            sql_vec_set(&b->cols[w->nin + f], r, &w->results[i * w->nfuncs + f]);
        }
    }
    b->rows = n;
    w->emitted += n;
    *out = b;
    return true;
}

/* A failure without an error set ran out of one of the operator's arenas: report which. */
static bool sql_window_fail(sql_op_window *w, sql_exec_ctx *x) {
    if (rt_err_is_set(x->err)) return false;
    if (rt_arena_error(w->part_arena) != NULL) return sql_window_oom(w, x, w->part_arena);
    rt_arena *scratch[] = {w->state_arena, w->final_arena, w->in_arena};
    for (size_t i = 0; i < sizeof scratch / sizeof scratch[0]; i++) {
        if (rt_arena_error(scratch[i]) != NULL) return rt_arena_fail(scratch[i], x->err);
    }
    return false; /* the batch arena's error, reported by sql_op_next() */
}

static bool sql_window_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_window *w = (sql_op_window *)op;
    *out = NULL;
    if (!w->started && !sql_window_start(w, x)) {
        if (!rt_err_is_set(x->err)) rt_arena_fail(x->arena, x->err);
        return false;
    }
    for (;;) {
        if (w->computed && w->emitted < w->part.count) return sql_window_emit(w, out);
        if (w->computed) { /* the partition is out: free it */
            w->computed = false;
            rt_arena_reset(w->part_arena);
            sql_rowset_init(&w->part, w->part_arena, w->width);
        }
        bool complete;
        if (!sql_window_fill(w, x, &complete)) return sql_window_fail(w, x);
        RT_ASSERT(complete);
        if (w->part.count == 0) return true; /* end of input */
        if (!sql_window_compute(w, x)) return sql_window_fail(w, x);
    }
}

static void sql_window_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_window *w = (sql_op_window *)op;
    if (w->part_arena != NULL) rt_arena_destroy(w->part_arena);
    if (w->state_arena != NULL) rt_arena_destroy(w->state_arena);
    if (w->in_arena != NULL) rt_arena_destroy(w->in_arena);
    if (w->final_arena != NULL) rt_arena_destroy(w->final_arena);
    w->part_arena = w->state_arena = w->in_arena = w->final_arena = NULL;
}
static const sql_op_vt sql_window_vt = {NULL, sql_window_next, sql_window_close};

sql_op *sql_op_new_window(sql_exec_ctx *x, const sql_plan *p) {
    RT_ASSERT(p->window.nfuncs > 0);
    RT_ASSERT(p->ncols >= p->window.nfuncs);
    sql_op_window *w = (sql_op_window *)sql_op_alloc(x, p, &sql_window_vt, sizeof *w);
    if (w == NULL) return NULL;
    w->funcs = p->window.funcs;
    w->nfuncs = p->window.nfuncs;
    w->nin = p->ncols - p->window.nfuncs;
    w->start_off = rt_arena_zalloc(x->arena, sizeof(int64_t) * w->nfuncs);
    w->end_off = rt_arena_zalloc(x->arena, sizeof(int64_t) * w->nfuncs);
    if (w->start_off == NULL || w->end_off == NULL || !sql_window_layout(w, x)) return NULL;
    return &w->base;
}
