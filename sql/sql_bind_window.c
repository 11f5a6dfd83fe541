/* sql_bind_window.c: binding window function calls (f(...) OVER ...), the WINDOW clause, and
 * the SORT + WINDOW nodes that compute them (sql_window.h).
 * A call registers a sql_window_func in its query level and stands for its result as an
 * SQL_X_WINDOWREF; once FROM, WHERE, GROUP BY and HAVING are planned, sql_bind_window_plan()
 * stacks one WINDOW node per distinct (PARTITION BY, ORDER BY) over the grouped rows, each
 * with a SORT below it unless the rows already arrive in a suitable order, and the select
 * list and ORDER BY read the results as columns. This is where PostgreSQL evaluates them:
 * after grouping, before DISTINCT, ORDER BY and LIMIT. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_window.h"

/* ---- the window-only functions ---- */

typedef struct sql_win_def {
    const char *name;
    sql_win_kind kind;
    uint8_t min_args, max_args;
} sql_win_def;

static const sql_win_def sql_win_defs[] = {
    {"row_number", SQL_WIN_ROW_NUMBER, 0, 0},   {"rank", SQL_WIN_RANK, 0, 0},
    {"dense_rank", SQL_WIN_DENSE_RANK, 0, 0},   {"percent_rank", SQL_WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", SQL_WIN_CUME_DIST, 0, 0},     {"ntile", SQL_WIN_NTILE, 1, 1},
    {"lag", SQL_WIN_LAG, 1, 3},                 {"lead", SQL_WIN_LEAD, 1, 3},
    {"first_value", SQL_WIN_FIRST_VALUE, 1, 1}, {"last_value", SQL_WIN_LAST_VALUE, 1, 1},
    {"nth_value", SQL_WIN_NTH_VALUE, 2, 2},
};

static const sql_win_def *sql_win_def_find(const char *name) {
    for (size_t i = 0; i < sizeof sql_win_defs / sizeof sql_win_defs[0]; i++) {
        if (strcmp(sql_win_defs[i].name, name) == 0) return &sql_win_defs[i];
    }
    return NULL;
}

bool sql_window_func_is_named(const char *name) { return sql_win_def_find(name) != NULL; }

/* ---- window specifications ---- */

/* A window after following references: whose PARTITION BY, ORDER BY and frame apply. */
typedef struct sql_win_spec {
    const sql_list *part;          /* of sql_node* */
    const sql_list *order;         /* of sql_sortby* */
    const sql_windowdef *frame;    /* frame_mode SQL_FRAME_DEFAULT: the default frame */
} sql_win_spec;

static const sql_windowdef *sql_window_find(const sql_qlevel *q, const char *name,
                                            const sql_windowdef *before) {
    for (uint32_t i = 0; q->windows != NULL && i < q->windows->count; i++) {
        const sql_windowdef *w = SQL_LIST_AT(*q->windows, i);
        if (w == before) break; /* a WINDOW entry sees only the entries before it */
        if (strcmp(w->name, name) == 0) return w;
    }
    return NULL;
}

static bool sql_window_resolve(sql_qlevel *q, const sql_windowdef *w, sql_win_spec *out,
                               uint32_t depth) {
    *out = (sql_win_spec){.part = &w->partition_by, .order = &w->order_by, .frame = w};
    if (w->refname == NULL) return true;
    RT_ASSERT(depth < 1000u);
    const sql_windowdef *ref = sql_window_find(q, w->refname, w->name != NULL ? w : NULL);
    if (ref == NULL) {
        return sql_bind_error(q->b, w->hdr.location, SQLSTATE_UNDEFINED_OBJECT,
                              "window \"%s\" does not exist", w->refname);
    }
    sql_win_spec base;
    if (!sql_window_resolve(q, ref, &base, depth + 1)) return false;
    if (w->ref_only) {
        *out = base;
        return true;
    }
    if (w->partition_by.count > 0) {
        return sql_bind_error(q->b, w->hdr.location, SQLSTATE_WINDOWING_ERROR,
                              "cannot override PARTITION BY clause of window \"%s\"",
                              w->refname);
    }
    if (w->order_by.count > 0 && base.order->count > 0) {
        return sql_bind_error(q->b, w->hdr.location, SQLSTATE_WINDOWING_ERROR,
                              "cannot override ORDER BY clause of window \"%s\"", w->refname);
    }
    if (base.frame->frame_mode != SQL_FRAME_DEFAULT) {
        sql_bind_error(q->b, w->hdr.location, SQLSTATE_WINDOWING_ERROR,
                       "cannot copy window \"%s\" because it has a frame clause", w->refname);
        if (w->order_by.count == 0 && w->frame_mode == SQL_FRAME_DEFAULT) {
            rt_err_hint(q->b->bc->err, "Omit the parentheses in this OVER clause.");
        }
        return false;
    }
    out->part = base.part;
    out->order = w->order_by.count > 0 ? &w->order_by : base.order;
    return true;
}

bool sql_bind_window_clause(sql_qlevel *q, const sql_list *windows) {
    q->windows = windows;
    for (uint32_t i = 0; i < windows->count; i++) {
        const sql_windowdef *w = SQL_LIST_AT(*windows, i);
        for (uint32_t k = 0; k < i; k++) {
            const sql_windowdef *o = SQL_LIST_AT(*windows, k);
            if (strcmp(o->name, w->name) == 0) {
                return sql_bind_error(q->b, w->hdr.location, SQLSTATE_WINDOWING_ERROR,
                                      "window \"%s\" is already defined", w->name);
            }
        }
        sql_win_spec spec;
        if (!sql_window_resolve(q, w, &spec, 0)) return false;
    }
    return true;
}

/* Binds PARTITION BY and ORDER BY of a window (no window functions inside). */
static bool sql_window_bind_keys(sql_qlevel *q, const sql_win_spec *spec, sql_window_func *wf) {
    rt_arena *a = q->b->arena;
    wf->npart = spec->part->count;
    wf->norder = spec->order->count;
    wf->part = rt_arena_zalloc(a, sizeof(sql_expr *) * (wf->npart + 1u));
    wf->order = rt_arena_zalloc(a, sizeof(sql_sort_key) * (wf->norder + 1u));
    if (wf->part == NULL || wf->order == NULL) return sql_bind_oom(q->b);
    for (uint32_t i = 0; i < wf->npart; i++) {
        if ((wf->part[i] = sql_bind_expr(q, SQL_LIST_AT(*spec->part, i))) == NULL) return false;
    }
    for (uint32_t i = 0; i < wf->norder; i++) {
        const sql_sortby *sb = SQL_LIST_AT(*spec->order, i);
        if (sb->using_op != NULL) {
            return sql_bind_error(q->b, sb->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "ORDER BY ... USING is not supported yet");
        }
        sql_sort_key *k = &wf->order[i];
        if ((k->expr = sql_bind_expr(q, sb->expr)) == NULL) return false;
        k->desc = sb->dir == SQL_SORT_DESC;
        k->nulls_first = sb->nulls == SQL_NULLS_FIRST ||
                         (sb->nulls == SQL_NULLS_DEFAULT && k->desc);
    }
    return true;
}

/* ---- frames ---- */

static bool sql_window_no_columns(const sql_expr *e, void *arg) {
    (void)arg;
    return e->kind != SQL_X_COLUMN && e->kind != SQL_X_OUTER;
}

static const char *sql_window_mode_name(uint8_t mode) {
    return mode == SQL_WIN_FRAME_ROWS ? "ROWS" : mode == SQL_WIN_FRAME_RANGE ? "RANGE" : "GROUPS";
}

/* A frame offset: a constant expression of this level (no columns). */
static sql_expr *sql_window_offset_expr(sql_qlevel *q, const sql_node *n, uint8_t mode) {
    const char *prev_agg = q->agg_forbidden, *prev_win = q->win_forbidden;
    const char *ctx = mode == SQL_WIN_FRAME_ROWS ? "window ROWS"
                      : mode == SQL_WIN_FRAME_RANGE ? "window RANGE" : "window GROUPS";
    q->agg_forbidden = ctx;
    q->win_forbidden = "window definitions";
    sql_expr *e = sql_bind_expr(q, n);
    q->agg_forbidden = prev_agg;
    q->win_forbidden = prev_win;
    if (e == NULL) return NULL;
    if (!sql_expr_walk(e, sql_window_no_columns, NULL)) {
        sql_bind_error(q->b, n->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                       "argument of %s must not contain variables", sql_window_mode_name(mode));
        return NULL;
    }
    return e;
}

/* The offset type RANGE uses for a key type (PostgreSQL's in_range support), 0 if none. */
static uint32_t sql_window_range_offset_type(uint32_t key) {
    switch (key) {
    case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8: return SQL_T_INT8;
    case SQL_T_FLOAT4: case SQL_T_FLOAT8: return SQL_T_FLOAT8;
    case SQL_T_NUMERIC: return SQL_T_NUMERIC;
    case SQL_T_DATE: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ: case SQL_T_TIME:
    case SQL_T_TIMETZ: case SQL_T_INTERVAL:
        return SQL_T_INTERVAL;
    default: return 0;
    }
}

static bool sql_window_range_offset_ok(uint32_t key, uint32_t target, uint32_t off) {
    if (off == SQL_T_UNKNOWN || off == target) return true;
    if (sql_type_is_integer(key)) return sql_type_is_integer(off);
    if (target == SQL_T_INTERVAL) return false;
    return sql_cast_allowed(off, target, SQL_CAST_IMPLICIT);
}

/* RANGE offset over a non-integer key: the bound value per row and the offset's sign check. */
static bool sql_window_range_value(sql_qlevel *q, sql_window_func *wf, sql_window_bound *b,
                                   uint32_t loc) {
    sql_expr *key = wf->order[0].expr;
    if (sql_type_is_integer(key->type_oid)) return true; /* the executor adds with saturation */
    bool add = (b->kind == SQL_WIN_FOLLOWING) != wf->order[0].desc;
    sql_expr *two[2] = {key, b->offset};
    if ((b->value = sql_bind_call(q, add ? "+" : "-", true, two, 2, loc)) == NULL) return false;
    sql_expr *zero = sql_expr_new(q->b->arena, SQL_X_CONST, SQL_T_UNKNOWN, 0);
    if (zero == NULL) return sql_bind_oom(q->b);
    zero->constval = (sql_value){.type_oid = SQL_T_UNKNOWN,
                                 .b = {.ptr = (const uint8_t *)"0", .len = 1}};
    zero->location = loc;
    sql_expr *cmp[2] = {b->offset, sql_bind_coerce(q, zero, b->offset->type_oid, -1,
                                                   SQL_CAST_IMPLICIT, loc, NULL)};
    if (cmp[1] == NULL || (b->nonneg = sql_bind_call(q, ">=", true, cmp, 2, loc)) == NULL) {
        return false;
    }
    if (wf->frame.range_key == NULL && b->value->type_oid != key->type_oid) {
        wf->frame.range_key = sql_bind_coerce(q, key, b->value->type_oid, -1, SQL_CAST_IMPLICIT,
                                              loc, NULL);
        if (wf->frame.range_key == NULL) return false;
    }
    return true;
}

static bool sql_window_bind_bound(sql_qlevel *q, sql_window_func *wf, sql_frame_bound_kind kind,
                             const sql_node *offset, sql_window_bound *b) {
    b->kind = (uint8_t)kind;
    if (offset == NULL) return true;
    uint8_t mode = wf->frame.mode;
    sql_expr *e = sql_window_offset_expr(q, offset, mode);
    if (e == NULL) return false;
    uint32_t target = SQL_T_INT8;
    if (mode == SQL_WIN_FRAME_RANGE) {
        uint32_t key = wf->order[0].expr->type_oid;
        target = sql_window_range_offset_type(key);
        if (target == 0) {
            return sql_bind_error(q->b, offset->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "RANGE with offset PRECEDING/FOLLOWING is not supported for "
                                  "column type %s", sql_type_name(key));
        }
        if (!sql_window_range_offset_ok(key, target, e->type_oid)) {
            sql_bind_error(q->b, offset->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "RANGE with offset PRECEDING/FOLLOWING is not supported for column "
                           "type %s and offset type %s", sql_type_name(key),
                           sql_type_name(e->type_oid));
            rt_err_hint(q->b->bc->err, "Cast the offset value to an appropriate type.");
            return false;
        }
    } else if (e->type_oid != SQL_T_UNKNOWN &&
               !sql_cast_allowed(e->type_oid, SQL_T_INT8, SQL_CAST_ASSIGNMENT)) {
        return sql_bind_error(q->b, offset->location, SQLSTATE_DATATYPE_MISMATCH,
                              "argument of %s must be type bigint, not type %s",
                              sql_window_mode_name(mode), sql_type_name(e->type_oid));
    }
    /* ROWS 1.5 PRECEDING rounds, as PostgreSQL does (an assignment cast to bigint). */
    sql_cast_context ctx = mode == SQL_WIN_FRAME_RANGE ? SQL_CAST_IMPLICIT : SQL_CAST_ASSIGNMENT;
    b->offset = sql_bind_coerce(q, e, target, -1, ctx, offset->location, NULL);
    if (b->offset == NULL) return false;
    return mode != SQL_WIN_FRAME_RANGE || sql_window_range_value(q, wf, b, offset->location);
}

static bool sql_window_bind_frame(sql_qlevel *q, const sql_windowdef *w, uint32_t loc,
                             sql_window_func *wf) {
    sql_window_frame *fr = &wf->frame;
    if (w->frame_mode == SQL_FRAME_DEFAULT) {
        *fr = (sql_window_frame){.mode = SQL_WIN_FRAME_RANGE};
        fr->start.kind = SQL_WIN_UNBOUNDED_PRECEDING;
        fr->end.kind = SQL_WIN_CURRENT_ROW;
        return true;
    }
    fr->mode = (uint8_t)w->frame_mode;
    fr->exclude = (uint8_t)w->exclude;
    bool offsets = w->start_offset != NULL || w->end_offset != NULL;
    if (fr->mode == SQL_WIN_FRAME_GROUPS && wf->norder == 0) {
        return sql_bind_error(q->b, loc, SQLSTATE_WINDOWING_ERROR,
                              "GROUPS mode requires an ORDER BY clause");
    }
    if (fr->mode == SQL_WIN_FRAME_RANGE && offsets && wf->norder != 1) {
        return sql_bind_error(q->b, loc, SQLSTATE_WINDOWING_ERROR,
                              "RANGE with offset PRECEDING/FOLLOWING requires exactly one "
                              "ORDER BY column");
    }
    sql_frame_bound_kind end = w->end_kind == SQL_BOUND_NONE ? SQL_BOUND_CURRENT_ROW
                                                              : w->end_kind;
    return sql_window_bind_bound(q, wf, w->start_kind, w->start_offset, &fr->start) &&
           sql_window_bind_bound(q, wf, end, w->end_offset, &fr->end);
}

/* ---- the function ---- */

static bool sql_window_no_such(sql_qlevel *q, const sql_func *f, const char *name,
                               sql_expr **args, uint32_t n) {
    char types[256] = "";
    size_t len = 0;
    for (uint32_t i = 0; i < n && len < sizeof types; i++) {
        len += (size_t)snprintf(types + len, sizeof types - len, "%s%s", i > 0 ? ", " : "",
                                sql_type_name(args[i]->type_oid));
    }
    sql_bind_error(q->b, f->hdr.location, SQLSTATE_UNDEFINED_FUNCTION,
                   "function %s(%s) does not exist", name, types);
    rt_err_hint(q->b->bc->err, "No function matches the given name and argument types. You "
                               "might need to add explicit type casts.");
    return false;
}

/* Types a window-only function's arguments and result. */
static bool sql_window_builtin(sql_qlevel *q, const sql_func *f, const sql_win_def *d,
                               sql_window_func *wf) {
    sql_expr **args = wf->args;
    uint32_t n = wf->nargs;
    if (n < d->min_args || n > d->max_args) return sql_window_no_such(q, f, d->name, args, n);
    bool int_at[3] = {d->kind == SQL_WIN_NTILE, d->kind != SQL_WIN_NTILE && n >= 2, false};
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = args[i]->type_oid;
        if (int_at[i]) {
            if (t != SQL_T_UNKNOWN && !sql_cast_allowed(t, SQL_T_INT4, SQL_CAST_IMPLICIT)) {
                return sql_window_no_such(q, f, d->name, args, n);
            }
            args[i] = sql_bind_coerce(q, args[i], SQL_T_INT4, -1, SQL_CAST_IMPLICIT,
                                      args[i]->location, NULL);
        } else if (t == SQL_T_UNKNOWN && n < 3) { /* with a default: their common type */
            return sql_bind_error(q->b, f->hdr.location, SQLSTATE_DATATYPE_MISMATCH,
                                  "could not determine polymorphic type because input has "
                                  "type unknown");
        }
        if (args[i] == NULL) return false;
    }
    if (n == 3) { /* lag/lead(value, offset, default): value and default of one type */
        sql_expr *two[2] = {args[0], args[2]};
        uint32_t type;
        int32_t typmod;
        if (!sql_bind_common_type(q, two, 2, d->name, f->hdr.location, &type, &typmod)) {
            return false;
        }
        args[0] = sql_bind_coerce(q, args[0], type, -1, SQL_CAST_IMPLICIT, UINT32_MAX, NULL);
        args[2] = sql_bind_coerce(q, args[2], type, -1, SQL_CAST_IMPLICIT, UINT32_MAX, NULL);
        if (args[0] == NULL || args[2] == NULL) return false;
    }
    switch (d->kind) {
    case SQL_WIN_ROW_NUMBER: case SQL_WIN_RANK: case SQL_WIN_DENSE_RANK:
        wf->type_oid = SQL_T_INT8;
        break;
    case SQL_WIN_PERCENT_RANK: case SQL_WIN_CUME_DIST: wf->type_oid = SQL_T_FLOAT8; break;
    case SQL_WIN_NTILE: wf->type_oid = SQL_T_INT4; break;
    default:
        wf->type_oid = args[0]->type_oid;
        wf->typmod = n == 3 ? -1 : args[0]->typmod;
        break;
    }
    return true;
}

/* An aggregate used as a window function. */
static bool sql_window_aggregate(sql_qlevel *q, const sql_func *f, const char *name,
                                 sql_window_func *wf) {
    if (f->agg_within_group) {
        return sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "OVER is not supported for ordered-set aggregate %s", name);
    }
    if (f->agg_distinct) {
        return sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "DISTINCT is not implemented for window functions");
    }
    if (f->agg_order.count > 0) {
        return sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "aggregate ORDER BY is not implemented for window functions");
    }
    sql_agg_call call = {.star = f->agg_star, .nargs = wf->nargs, .args = wf->args};
    if (!sql_bind_agg_resolve(q, name, f->hdr.location, &call)) return false;
    if (call.def->ordered_set) {
        return sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "OVER is not supported for ordered-set aggregate %s", name);
    }
    wf->kind = SQL_WIN_AGG;
    wf->agg = call.def;
    wf->star = f->agg_star;
    wf->args = call.args;
    wf->type_oid = call.type_oid;
    wf->typmod = call.typmod;
    if (f->agg_filter != NULL && (wf->filter = sql_bind_agg_filter(q, f->agg_filter)) == NULL) {
        return false;
    }
    return true;
}

static bool sql_window_check_context(sql_qlevel *q, const sql_func *f) {
    uint32_t loc = f->hdr.location;
    if (q->in_agg_args) {
        return sql_bind_error(q->b, loc, SQLSTATE_GROUPING_ERROR,
                              "aggregate function calls cannot contain window function calls");
    }
    if (q->in_win_args) {
        return sql_bind_error(q->b, loc, SQLSTATE_WINDOWING_ERROR,
                              "window function calls cannot be nested");
    }
    const char *ctx = q->win_forbidden != NULL ? q->win_forbidden : q->agg_forbidden;
    if (ctx == NULL && !q->win_allowed) ctx = "this context";
    if (ctx != NULL) {
        return sql_bind_error(q->b, loc, SQLSTATE_WINDOWING_ERROR,
                              "window functions are not allowed in %s", ctx);
    }
    return true;
}

static bool sql_window_same_spec(const sql_window_func *a, const sql_window_func *b);

static bool sql_window_same_frame(const sql_window_frame *a, const sql_window_frame *b) {
    return a->mode == b->mode && a->exclude == b->exclude && a->start.kind == b->start.kind &&
           a->end.kind == b->end.kind && sql_expr_equal(a->start.offset, b->start.offset) &&
           sql_expr_equal(a->end.offset, b->end.offset);
}

/* Is `b` the same computation as `a` (one result serves both)? */
static bool sql_window_same_call(const sql_window_func *a, const sql_window_func *b) {
    if (a->kind != b->kind || a->agg != b->agg || a->star != b->star || a->nargs != b->nargs ||
        a->type_oid != b->type_oid || !sql_expr_equal(a->filter, b->filter) ||
        !sql_window_same_spec(a, b) || !sql_window_same_frame(&a->frame, &b->frame)) {
        return false;
    }
    for (uint32_t i = 0; i < a->nargs; i++) {
        if (!sql_expr_equal(a->args[i], b->args[i])) return false;
    }
    return true;
}

static bool sql_window_register(sql_qlevel *q, const sql_window_func *wf, uint32_t *index) {
    for (uint32_t i = 0; i < q->nwins; i++) {
        if (sql_window_same_call(&q->wins[i], wf)) {
            *index = i;
            return true;
        }
    }
    if (q->nwins == q->win_cap) {
        uint32_t cap = q->win_cap == 0 ? 8 : q->win_cap * 2;
        sql_window_func *w = rt_arena_grow(q->b->arena, q->wins, q->win_cap * sizeof *w,
                                           cap * sizeof *w);
        if (w == NULL) return sql_bind_oom(q->b);
        q->wins = w;
        q->win_cap = cap;
    }
    *index = q->nwins;
    q->wins[q->nwins++] = *wf;
    return true;
}

/* Binds the call's arguments (no window calls inside: they would nest). */
static bool sql_window_bind_args(sql_qlevel *q, const sql_func *f, sql_window_func *wf) {
    wf->nargs = f->agg_star ? 0 : f->args.count;
    wf->args = rt_arena_zalloc(q->b->arena, sizeof(sql_expr *) * (wf->nargs + 1u));
    if (wf->args == NULL) return sql_bind_oom(q->b);
    for (uint32_t i = 0; i < wf->nargs; i++) {
        if ((wf->args[i] = sql_bind_expr(q, SQL_LIST_AT(f->args, i))) == NULL) return false;
    }
    return true;
}

sql_expr *sql_bind_window_call(sql_qlevel *q, const sql_func *f, const char *name) {
    if (!sql_window_check_context(q, f)) return NULL;
    const sql_win_def *d = sql_win_def_find(name);
    if (d == NULL && !sql_is_aggregate_name(name)) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "OVER specified, but %s is not a window function nor an aggregate "
                       "function", name);
        return NULL;
    }
    if (d != NULL && f->agg_filter != NULL) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "FILTER is not implemented for non-aggregate window functions");
        return NULL;
    }
    sql_window_func wf = {.kind = d != NULL ? d->kind : SQL_WIN_AGG, .name = name, .typmod = -1};
    q->in_win_args = true;
    bool ok = sql_window_bind_args(q, f, &wf) &&
              (d != NULL ? sql_window_builtin(q, f, d, &wf)
                         : sql_window_aggregate(q, f, name, &wf));
    q->in_win_args = false;
    if (!ok) return NULL;
    sql_win_spec spec;
    if (!sql_window_resolve(q, f->over, &spec, 0)) return NULL;
    const char *prev = q->win_forbidden;
    q->win_forbidden = "window definitions";
    ok = sql_window_bind_keys(q, &spec, &wf);
    q->win_forbidden = prev;
    uint32_t index = 0;
    if (!ok || !sql_window_bind_frame(q, spec.frame, f->over->hdr.location, &wf) ||
        !sql_window_register(q, &wf, &index)) {
        return NULL;
    }
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_WINDOWREF, wf.type_oid, 0);
    if (e == NULL) return NULL;
    e->typmod = wf.typmod;
    e->aggref.index = index;
    e->location = f->hdr.location;
    return e;
}

/* ---- planning ---- */

static bool sql_window_is_ref(const sql_expr *e, void *arg) {
    (void)arg;
    return e->kind != SQL_X_WINDOWREF;
}

bool sql_expr_has_windowref(const sql_expr *e) {
    return !sql_expr_walk(e, sql_window_is_ref, NULL);
}

static bool sql_window_regroup_expr(sql_bind_rewrite_fn fn, void *ctx, sql_expr **e) {
    if (*e == NULL) return true;
    return (*e = fn(ctx, *e)) != NULL;
}

bool sql_bind_window_regroup(sql_qlevel *q, sql_bind_rewrite_fn fn, void *ctx) {
    for (uint32_t w = 0; w < q->nwins; w++) {
        sql_window_func *wf = &q->wins[w];
        bool ok = true;
        for (uint32_t i = 0; i < wf->nargs && ok; i++) {
            ok = sql_window_regroup_expr(fn, ctx, &wf->args[i]);
        }
        for (uint32_t i = 0; i < wf->npart && ok; i++) {
            ok = sql_window_regroup_expr(fn, ctx, &wf->part[i]);
        }
        for (uint32_t i = 0; i < wf->norder && ok; i++) {
            ok = sql_window_regroup_expr(fn, ctx, &wf->order[i].expr);
        }
        if (!ok || !sql_window_regroup_expr(fn, ctx, &wf->filter) ||
            !sql_window_regroup_expr(fn, ctx, &wf->frame.start.value) ||
            !sql_window_regroup_expr(fn, ctx, &wf->frame.end.value) ||
            !sql_window_regroup_expr(fn, ctx, &wf->frame.range_key)) {
            return false;
        }
    }
    return true;
}

static bool sql_window_same_keys(const sql_sort_key *a, const sql_sort_key *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].desc != b[i].desc || a[i].nulls_first != b[i].nulls_first ||
            !sql_expr_equal(a[i].expr, b[i].expr)) {
            return false;
        }
    }
    return true;
}

/* Do two calls share PARTITION BY and ORDER BY (one WINDOW node computes both)? */
static bool sql_window_same_spec(const sql_window_func *a, const sql_window_func *b) {
    if (a->npart != b->npart || a->norder != b->norder) return false;
    for (uint32_t i = 0; i < a->npart; i++) {
        if (!sql_expr_equal(a->part[i], b->part[i])) return false;
    }
    return sql_window_same_keys(a->order, b->order, a->norder);
}

/* The sort a window needs: partition keys (any order), then its ORDER BY. */
static sql_sort_key *sql_window_sort_keys(sql_binder *b, const sql_window_func *wf) {
    sql_sort_key *keys = rt_arena_zalloc(b->arena, sizeof(sql_sort_key) *
                                                       (wf->npart + wf->norder + 1u));
    if (keys == NULL) return NULL;
    for (uint32_t i = 0; i < wf->npart; i++) keys[i].expr = wf->part[i];
    memcpy(keys + wf->npart, wf->order, sizeof(sql_sort_key) * wf->norder);
    return keys;
}

/* A copy of `e` with every window reference replaced by its result column. */
static sql_expr *sql_window_replace(rt_arena *a, sql_expr *e, const sql_window_func *wins,
                                    const uint32_t *col_of) {
    if (!sql_expr_has_windowref(e)) return e;
    if (e->kind == SQL_X_WINDOWREF) {
        const sql_window_func *wf = &wins[e->aggref.index];
        return sql_expr_column(a, col_of[e->aggref.index], wf->type_oid, wf->typmod);
    }
    sql_expr *c = rt_arena_alloc(a, sizeof *c);
    sql_expr **args = rt_arena_alloc(a, sizeof(sql_expr *) * (e->nargs + 1u));
    if (c == NULL || args == NULL) return NULL;
    *c = *e;
    c->args = args;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((args[i] = sql_window_replace(a, e->args[i], wins, col_of)) == NULL) return NULL;
    }
    return c;
}

/* One WINDOW node for the calls of `node` (their indexes in q->wins). */
static sql_plan *sql_window_node(sql_qlevel *q, sql_plan *in, const uint32_t *members,
                                 uint32_t count, uint32_t *col_of) {
    sql_binder *b = q->b;
    sql_plan *w = sql_plan_new(b->arena, SQL_P_WINDOW, in->ncols + count);
    sql_window_func *funcs = rt_arena_alloc(b->arena, sizeof *funcs * count);
    if (w == NULL || funcs == NULL) return sql_bind_oom(b) ? NULL : NULL;
    memcpy(w->cols, in->cols, sizeof(sql_col) * in->ncols);
    for (uint32_t m = 0; m < count; m++) {
        funcs[m] = q->wins[members[m]];
        col_of[members[m]] = in->ncols + m;
        w->cols[in->ncols + m] = (sql_col){.name = funcs[m].name, .type_oid = funcs[m].type_oid,
                                           .typmod = funcs[m].typmod};
    }
    w->left = in;
    w->window.nfuncs = count;
    w->window.funcs = funcs;
    w->est_rows = in->est_rows;
    return w;
}

/* A SORT for window `wf` unless the rows are sorted by `*sorted` (of which the window's keys
 * are a prefix); updates *sorted. */
static sql_plan *sql_window_sort(sql_binder *b, sql_plan *in, const sql_window_func *wf,
                                 sql_sort_key **sorted, uint32_t *nsorted) {
    uint32_t n = wf->npart + wf->norder;
    sql_sort_key *keys = sql_window_sort_keys(b, wf);
    if (keys == NULL) return sql_bind_oom(b) ? NULL : NULL;
    if (n == 0 || (n <= *nsorted && sql_window_same_keys(keys, *sorted, n))) return in;
    sql_plan *s = sql_plan_new(b->arena, SQL_P_SORT, in->ncols);
    if (s == NULL) return sql_bind_oom(b) ? NULL : NULL;
    memcpy(s->cols, in->cols, sizeof(sql_col) * in->ncols);
    s->left = in;
    s->sort.keys = keys;
    s->sort.nkeys = n;
    s->est_rows = in->est_rows;
    *sorted = keys;
    *nsorted = n;
    return s;
}

sql_plan *sql_bind_window_plan(sql_qlevel *q, sql_plan *in, sql_expr **exprs, uint32_t n) {
    sql_binder *b = q->b;
    uint32_t nw = q->nwins;
    uint32_t *col_of = rt_arena_alloc(b->arena, sizeof(uint32_t) * nw);
    uint32_t *members = rt_arena_alloc(b->arena, sizeof(uint32_t) * nw);
    bool *done = rt_arena_zalloc(b->arena, sizeof(bool) * nw);
    if (col_of == NULL || members == NULL || done == NULL) return sql_bind_oom(b) ? NULL : NULL;
    sql_plan *p = in;
    sql_sort_key *sorted = NULL;
    uint32_t nsorted = 0;
    for (uint32_t first = 0; first < nw; first++) {
        if (done[first]) continue;
        uint32_t count = 0;
        for (uint32_t i = first; i < nw; i++) {
            if (done[i] || !sql_window_same_spec(&q->wins[first], &q->wins[i])) continue;
            done[i] = true;
            members[count++] = i;
        }
        p = sql_window_sort(b, p, &q->wins[first], &sorted, &nsorted);
        if (p == NULL || (p = sql_window_node(q, p, members, count, col_of)) == NULL) {
            return NULL;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        exprs[i] = sql_window_replace(b->arena, exprs[i], q->wins, col_of);
        if (exprs[i] == NULL) return sql_bind_oom(b) ? NULL : NULL;
    }
    return p;
}
