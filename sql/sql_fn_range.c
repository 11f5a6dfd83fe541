/* sql_fn_range.c: the functions and operators of the range types (sql_range.h), as PostgreSQL
 * 15's rangetypes.c defines them, registered once per range type (the element operators once,
 * over anyrange and anyelement):
 *   int4range(a, b [, flags]) ...  constructors: NULL bounds are infinite, flags "[)" by
 *                                  default (42601 invalid flags, 22000 NULL flags)
 *   lower upper isempty lower_inc upper_inc lower_inf upper_inf range_merge
 *   @> <@ (range and element) && << >> &< &> -|-
 *   + * -   union (22000 when not contiguous), intersection, difference (22000 when the
 *           result would be two ranges)
 *   range_intersect_agg; range_agg is 0A000 (its result is a multirange)
 * The comparisons = <> < <= > >= and range_cmp are sql_fn_cmp.c's (sql_range_cmp's order). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_range.h"

#define SQL_FR_KERNEL(name)                                                                   \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

static void sql_fr_arg(sql_vec **args, uint32_t k, uint32_t i, sql_range *r) {
    sql_value v;
    sql_vec_get(args[k], i, &v);
    sql_range_decode(&v, r);
}

/* ---- constructors ---- */

/* range_parse_flags: "[]", "[)", "(]" or "()". */
static bool sql_fr_flags(sql_fctx *f, const sql_bytes *t, sql_range_bound *lower,
                         sql_range_bound *upper) {
    if (t->len != 2 || (t->ptr[0] != '[' && t->ptr[0] != '(') ||
        (t->ptr[1] != ']' && t->ptr[1] != ')')) {
        rt_err_set(f->err, SQLSTATE_SYNTAX_ERROR, "invalid range bound flags");
        rt_err_hint(f->err, "Valid values are \"[]\", \"[)\", \"(]\", and \"()\".");
        return false;
    }
    lower->inclusive = t->ptr[0] == '[';
    upper->inclusive = t->ptr[1] == ']';
    return true;
}

static void sql_fr_bound_arg(sql_vec **args, uint32_t k, uint32_t i, sql_range_bound *b) {
    b->infinite = sql_vec_is_null(args[k], i);
    if (!b->infinite) sql_vec_get(args[k], i, &b->val);
}

SQL_FR_KERNEL(sql_fr_construct) {
    uint32_t nargs = f->call->nargs;
    SQL_FOR_ACTIVE(i) {
        sql_range_bound lower = {.inclusive = true, .lower = true}, upper = {0};
        if (nargs == 3) {
            if (sql_vec_is_null(args[2], i)) {
                return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION,
                                  "range constructor flags argument must not be null");
            }
            if (!sql_fr_flags(f, &args[2]->b[i], &lower, &upper)) return false;
        }
        sql_fr_bound_arg(args, 0, i, &lower);
        sql_fr_bound_arg(args, 1, i, &upper);
        sql_value v;
        if (!sql_range_make(f->arena, f->call->type_oid, lower, upper, false, &v, f->err)) {
            return false;
        }
        out->nulls[i] = 0;
        out->b[i] = v.b;
    }
    return true;
}

/* ---- accessors ---- */

static bool sql_fr_bound(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, bool lower) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_range r;
        sql_fr_arg(args, 0, i, &r);
        const sql_range_bound *b = lower ? &r.lower : &r.upper;
        if (r.empty || b->infinite) {
            out->nulls[i] = 1;
            continue;
        }
        sql_vec_set(out, i, &b->val);
    }
    return true;
}

SQL_FR_KERNEL(sql_fr_lower) { return sql_fr_bound(f, n, active, args, out, true); }
SQL_FR_KERNEL(sql_fr_upper) { return sql_fr_bound(f, n, active, args, out, false); }

typedef enum sql_fr_flag { FR_EMPTY, FR_LOWER_INC, FR_UPPER_INC, FR_LOWER_INF, FR_UPPER_INF }
    sql_fr_flag;

static bool sql_fr_flag_of(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, sql_fr_flag which) {
    (void)f;
    static const uint8_t bits[] = {SQL_RANGE_EMPTY, SQL_RANGE_LB_INC, SQL_RANGE_UB_INC,
                                   SQL_RANGE_LB_INF, SQL_RANGE_UB_INF};
    SQL_FOR_ACTIVE(i) out->i64[i] = (args[0]->b[i].ptr[0] & bits[which]) != 0;
    return true;
}

SQL_FR_KERNEL(sql_fr_isempty) { return sql_fr_flag_of(f, n, active, args, out, FR_EMPTY); }
SQL_FR_KERNEL(sql_fr_lower_inc) { return sql_fr_flag_of(f, n, active, args, out, FR_LOWER_INC); }
SQL_FR_KERNEL(sql_fr_upper_inc) { return sql_fr_flag_of(f, n, active, args, out, FR_UPPER_INC); }
SQL_FR_KERNEL(sql_fr_lower_inf) { return sql_fr_flag_of(f, n, active, args, out, FR_LOWER_INF); }
SQL_FR_KERNEL(sql_fr_upper_inf) { return sql_fr_flag_of(f, n, active, args, out, FR_UPPER_INF); }

/* ---- predicates ---- */

/* range_contains_elem_internal */
static bool sql_fr_has_elem(const sql_range *r, const sql_value *v) {
    if (r->empty) return false;
    if (!r->lower.infinite) {
        int cmp = sql_value_cmp(&r->lower.val, v);
        if (cmp > 0 || (cmp == 0 && !r->lower.inclusive)) return false;
    }
    if (!r->upper.infinite) {
        int cmp = sql_value_cmp(&r->upper.val, v);
        if (cmp < 0 || (cmp == 0 && !r->upper.inclusive)) return false;
    }
    return true;
}

static bool sql_fr_contains(const sql_range *a, const sql_range *b) {
    if (b->empty) return true;
    if (a->empty) return false;
    return sql_range_cmp_bounds(&a->lower, &b->lower) <= 0 &&
           sql_range_cmp_bounds(&a->upper, &b->upper) >= 0;
}

static bool sql_fr_overlaps(const sql_range *a, const sql_range *b) {
    if (a->empty || b->empty) return false;
    return (sql_range_cmp_bounds(&a->lower, &b->lower) >= 0 &&
            sql_range_cmp_bounds(&a->lower, &b->upper) <= 0) ||
           (sql_range_cmp_bounds(&b->lower, &a->lower) >= 0 &&
            sql_range_cmp_bounds(&b->lower, &a->upper) <= 0);
}

/* bounds_adjacent: an upper bound meets a lower one with nothing between. Discrete ranges are
 * canonical [), so one that stops short of the other leaves at least one value out. */
static bool sql_fr_bounds_adjacent(const sql_range_bound *upper, const sql_range_bound *lower) {
    return sql_range_cmp_bound_values(upper, lower) == 0 && upper->inclusive != lower->inclusive;
}

static bool sql_fr_adjacent(const sql_range *a, const sql_range *b) {
    if (a->empty || b->empty) return false;
    return sql_fr_bounds_adjacent(&a->upper, &b->lower) ||
           sql_fr_bounds_adjacent(&b->upper, &a->lower);
}

typedef enum sql_fr_pred {
    FR_CONTAINS, FR_CONTAINED, FR_OVERLAPS, FR_BEFORE, FR_AFTER, FR_OVERLEFT, FR_OVERRIGHT,
    FR_ADJACENT
} sql_fr_pred;

static bool sql_fr_pred_of(const sql_range *a, const sql_range *b, sql_fr_pred p) {
    switch (p) {
    case FR_CONTAINS: return sql_fr_contains(a, b);
    case FR_CONTAINED: return sql_fr_contains(b, a);
    case FR_OVERLAPS: return sql_fr_overlaps(a, b);
    case FR_ADJACENT: return sql_fr_adjacent(a, b);
    default: break;
    }
    if (a->empty || b->empty) return false;
    switch (p) {
    case FR_BEFORE: return sql_range_cmp_bounds(&a->upper, &b->lower) < 0;
    case FR_AFTER: return sql_range_cmp_bounds(&a->lower, &b->upper) > 0;
    case FR_OVERLEFT: return sql_range_cmp_bounds(&a->upper, &b->upper) <= 0;
    default: return sql_range_cmp_bounds(&a->lower, &b->lower) >= 0; /* FR_OVERRIGHT */
    }
}

static bool sql_fr_pred_kernel(uint32_t n, const uint8_t *active, sql_vec **args, sql_vec *out,
                               sql_fr_pred p) {
    SQL_FOR_ACTIVE(i) {
        sql_range a, b;
        sql_fr_arg(args, 0, i, &a);
        sql_fr_arg(args, 1, i, &b);
        out->i64[i] = sql_fr_pred_of(&a, &b, p);
    }
    return true;
}

#define SQL_FR_PRED(name, p)                                                                  \
    SQL_FR_KERNEL(name) {                                                                     \
        (void)f;                                                                              \
        return sql_fr_pred_kernel(n, active, args, out, p);                                   \
    }
SQL_FR_PRED(sql_fr_contains_range, FR_CONTAINS)
SQL_FR_PRED(sql_fr_contained_range, FR_CONTAINED)
SQL_FR_PRED(sql_fr_overlaps_range, FR_OVERLAPS)
SQL_FR_PRED(sql_fr_before, FR_BEFORE)
SQL_FR_PRED(sql_fr_after, FR_AFTER)
SQL_FR_PRED(sql_fr_overleft, FR_OVERLEFT)
SQL_FR_PRED(sql_fr_overright, FR_OVERRIGHT)
SQL_FR_PRED(sql_fr_adjacent_range, FR_ADJACENT)

/* range @> element (elem_first: element <@ range). */
static bool sql_fr_elem_kernel(uint32_t n, const uint8_t *active, sql_vec **args, sql_vec *out,
                               bool elem_first) {
    SQL_FOR_ACTIVE(i) {
        sql_range r;
        sql_value v;
        sql_fr_arg(args, elem_first ? 1 : 0, i, &r);
        sql_vec_get(args[elem_first ? 0 : 1], i, &v);
        out->i64[i] = sql_fr_has_elem(&r, &v);
    }
    return true;
}

SQL_FR_KERNEL(sql_fr_contains_elem) {
    (void)f;
    return sql_fr_elem_kernel(n, active, args, out, false);
}
SQL_FR_KERNEL(sql_fr_elem_contained) {
    (void)f;
    return sql_fr_elem_kernel(n, active, args, out, true);
}

/* ---- set operations ---- */

static bool sql_fr_result(sql_fctx *f, const sql_range *r, const sql_range_bound *lower,
                          const sql_range_bound *upper, bool empty, sql_vec *out, uint32_t i) {
    sql_value v;
    if (!sql_range_make(f->arena, r->type_oid, *lower, *upper, empty, &v, f->err)) return false;
    out->b[i] = v.b;
    return true;
}

/* range_union_internal; strict: 22000 when the result would not be contiguous. */
static bool sql_fr_union(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, bool strict) {
    SQL_FOR_ACTIVE(i) {
        sql_range a, b;
        sql_fr_arg(args, 0, i, &a);
        sql_fr_arg(args, 1, i, &b);
        if (a.empty || b.empty) {
            out->b[i] = a.empty ? args[1]->b[i] : args[0]->b[i];
            continue;
        }
        if (strict && !sql_fr_overlaps(&a, &b) && !sql_fr_adjacent(&a, &b)) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION,
                              "result of range union would not be contiguous");
        }
        const sql_range_bound *lo =
            sql_range_cmp_bounds(&a.lower, &b.lower) < 0 ? &a.lower : &b.lower;
        const sql_range_bound *hi =
            sql_range_cmp_bounds(&a.upper, &b.upper) > 0 ? &a.upper : &b.upper;
        if (!sql_fr_result(f, &a, lo, hi, false, out, i)) return false;
    }
    return true;
}

SQL_FR_KERNEL(sql_fr_plus) { return sql_fr_union(f, n, active, args, out, true); }
SQL_FR_KERNEL(sql_fr_merge) { return sql_fr_union(f, n, active, args, out, false); }

/* range_intersect_internal: empty unless the ranges overlap. */
static bool sql_fr_intersect_values(rt_arena *arena, const sql_value *x, const sql_value *y,
                                    sql_value *out, rt_err *err) {
    sql_range a, b;
    sql_range_decode(x, &a);
    sql_range_decode(y, &b);
    if (!sql_fr_overlaps(&a, &b)) {
        return sql_range_make(arena, a.type_oid, a.lower, a.upper, true, out, err);
    }
    const sql_range_bound *lo = sql_range_cmp_bounds(&a.lower, &b.lower) >= 0 ? &a.lower : &b.lower;
    const sql_range_bound *hi = sql_range_cmp_bounds(&a.upper, &b.upper) <= 0 ? &a.upper : &b.upper;
    return sql_range_make(arena, a.type_oid, *lo, *hi, false, out, err);
}

SQL_FR_KERNEL(sql_fr_intersect) {
    SQL_FOR_ACTIVE(i) {
        sql_value x, y, r;
        sql_vec_get(args[0], i, &x);
        sql_vec_get(args[1], i, &y);
        if (!sql_fr_intersect_values(f->arena, &x, &y, &r, f->err)) return false;
        out->b[i] = r.b;
    }
    return true;
}

/* range_minus_internal */
SQL_FR_KERNEL(sql_fr_minus) {
    SQL_FOR_ACTIVE(i) {
        sql_range a, b;
        sql_fr_arg(args, 0, i, &a);
        sql_fr_arg(args, 1, i, &b);
        out->b[i] = args[0]->b[i];
        if (a.empty || b.empty) continue;
        int l1l2 = sql_range_cmp_bounds(&a.lower, &b.lower);
        int l1u2 = sql_range_cmp_bounds(&a.lower, &b.upper);
        int u1l2 = sql_range_cmp_bounds(&a.upper, &b.lower);
        int u1u2 = sql_range_cmp_bounds(&a.upper, &b.upper);
        if (l1l2 < 0 && u1u2 > 0) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION,
                              "result of range difference would not be contiguous");
        }
        if (l1u2 > 0 || u1l2 < 0) continue;
        bool ok;
        if (l1l2 >= 0 && u1u2 <= 0) {
            ok = sql_fr_result(f, &a, &a.lower, &a.upper, true, out, i);
        } else if (l1l2 <= 0 && u1l2 >= 0 && u1u2 <= 0) {
            sql_range_bound hi = b.lower;
            hi.inclusive = !hi.inclusive;
            ok = sql_fr_result(f, &a, &a.lower, &hi, false, out, i);
        } else {
            RT_ASSERT(l1l2 >= 0 && u1u2 >= 0 && l1u2 <= 0);
            sql_range_bound lo = b.upper;
            lo.inclusive = !lo.inclusive;
            ok = sql_fr_result(f, &a, &lo, &a.upper, false, out, i);
        }
        if (!ok) return false;
    }
    return true;
}

/* ---- aggregates ---- */

/* range_intersect_agg: the intersection of the group's ranges (NULLs skipped). */
typedef struct sql_fr_agg {
    sql_value v;
    bool set;
} sql_fr_agg;

static void sql_fr_agg_init(sql_agg_ctx *c, void *state) {
    (void)c;
    memset(state, 0, sizeof(sql_fr_agg));
}

static bool sql_fr_agg_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    sql_fr_agg *s = state;
    sql_value v = args[0];
    if (s->set && !sql_fr_intersect_values(c->arena, &s->v, &args[0], &v, c->err)) return false;
    if (!s->set && !sql_value_copy(c->arena, &v)) return rt_arena_fail(c->arena, c->err);
    s->v = v;
    s->set = true;
    return true;
}

static bool sql_fr_agg_merge(sql_agg_ctx *c, void *state, const void *other) {
    const sql_fr_agg *o = other;
    return !o->set || sql_fr_agg_step(c, state, &o->v);
}

static bool sql_fr_agg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    const sql_fr_agg *s = state;
    *out = s->v;
    out->type_oid = c->result_type;
    out->is_null = !s->set;
    return true;
}

/* range_agg returns a multirange, whose values Dreambase does not have. */
static bool sql_fr_range_agg_step(sql_agg_ctx *c, void *state, const sql_value *args) {
    (void)state;
    (void)args;
    return rt_err_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "range_agg is not supported: multirange values are not supported yet");
}

static bool sql_fr_range_agg_final(sql_agg_ctx *c, const void *state, sql_value *out) {
    (void)out;
    return sql_fr_range_agg_step(c, (void *)state, NULL);
}

static sql_agg_def sql_fr_aggs[2 * SQL_RANGE_TYPE_COUNT];

void sql_aggs_register_range(void) {
    for (uint32_t i = 0; i < SQL_RANGE_TYPE_COUNT; i++) {
        const sql_range_type *rt = sql_range_type_at(i);
        sql_fr_aggs[2 * i] = (sql_agg_def){
            .name = "range_intersect_agg", .nargs = 1, .args = {rt->oid}, .ret = rt->oid,
            .state_bytes = sizeof(sql_fr_agg), .strict = true, .init = sql_fr_agg_init,
            .step = sql_fr_agg_step, .merge = sql_fr_agg_merge, .final = sql_fr_agg_final};
        sql_fr_aggs[2 * i + 1] = (sql_agg_def){
            .name = "range_agg", .nargs = 1, .args = {rt->oid}, .ret = rt->multi_oid,
            .state_bytes = sizeof(sql_fr_agg), .strict = true, .init = sql_fr_agg_init,
            .step = sql_fr_range_agg_step, .merge = sql_fr_agg_merge,
            .final = sql_fr_range_agg_final};
    }
    sql_aggs_register(sql_fr_aggs, 2 * SQL_RANGE_TYPE_COUNT);
}

/* ---- registration ---- */

#define SQL_FR_DEFS_PER_TYPE 21u /* and the two element operators */
static sql_func_def sql_fr_defs[SQL_RANGE_TYPE_COUNT * SQL_FR_DEFS_PER_TYPE + 2];
static char sql_fr_names[SQL_RANGE_TYPE_COUNT][16];

#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define STX SQL_F_STRICT /* may raise an error: not leakproof */

static uint32_t sql_fr_add(uint32_t k, sql_func_def d) {
    RT_ASSERT(k < sizeof sql_fr_defs / sizeof sql_fr_defs[0]);
    sql_fr_defs[k] = d;
    return k + 1;
}

static uint32_t sql_fr_add_op(uint32_t k, const char *sym, uint32_t a, uint32_t b, uint32_t ret,
                              sql_kernel fn, const char *com, const char *pro) {
    return sql_fr_add(k, (sql_func_def){.name = sym, .is_operator = true, .nargs = 2,
                                        .args = {a, b}, .ret = ret, .flags = STX, .fn = fn,
                                        .commutator = com, .proname = pro});
}

static uint32_t sql_fr_add_fn(uint32_t k, const char *name, uint32_t arg, uint32_t ret,
                              uint32_t flags, sql_kernel fn) {
    return sql_fr_add(k, (sql_func_def){.name = name, .nargs = 1, .args = {arg}, .ret = ret,
                                        .flags = flags, .fn = fn});
}

static uint32_t sql_fr_register_type(uint32_t k, const sql_range_type *rt, char *name) {
    uint32_t r = rt->oid, s = rt->sub_oid, B = SQL_T_BOOL;
    const sql_type_def *t = sql_type_by_oid(r);
    snprintf(name, 16, "%s", t->name);
    k = sql_fr_add(k, (sql_func_def){.name = name, .nargs = 2, .args = {s, s}, .ret = r,
                                     .fn = sql_fr_construct});
    k = sql_fr_add(k, (sql_func_def){.name = name, .nargs = 3, .args = {s, s, SQL_T_TEXT},
                                     .ret = r, .fn = sql_fr_construct});
    k = sql_fr_add_fn(k, "lower", r, s, STX, sql_fr_lower);
    k = sql_fr_add_fn(k, "upper", r, s, STX, sql_fr_upper);
    k = sql_fr_add_fn(k, "isempty", r, B, STX, sql_fr_isempty);
    k = sql_fr_add_fn(k, "lower_inc", r, B, STX, sql_fr_lower_inc);
    k = sql_fr_add_fn(k, "upper_inc", r, B, STX, sql_fr_upper_inc);
    k = sql_fr_add_fn(k, "lower_inf", r, B, STX, sql_fr_lower_inf);
    k = sql_fr_add_fn(k, "upper_inf", r, B, STX, sql_fr_upper_inf);
    k = sql_fr_add(k, (sql_func_def){.name = "range_merge", .nargs = 2, .args = {r, r}, .ret = r,
                                     .flags = STX, .fn = sql_fr_merge});
    k = sql_fr_add_op(k, "@>", r, r, B, sql_fr_contains_range, "<@", "range_contains");
    k = sql_fr_add_op(k, "<@", r, r, B, sql_fr_contained_range, "@>", "range_contained_by");
    k = sql_fr_add_op(k, "&&", r, r, B, sql_fr_overlaps_range, "&&", "range_overlaps");
    k = sql_fr_add_op(k, "<<", r, r, B, sql_fr_before, ">>", "range_before");
    k = sql_fr_add_op(k, ">>", r, r, B, sql_fr_after, "<<", "range_after");
    k = sql_fr_add_op(k, "&<", r, r, B, sql_fr_overleft, NULL, "range_overleft");
    k = sql_fr_add_op(k, "&>", r, r, B, sql_fr_overright, NULL, "range_overright");
    k = sql_fr_add_op(k, "-|-", r, r, B, sql_fr_adjacent_range, "-|-", "range_adjacent");
    k = sql_fr_add_op(k, "+", r, r, r, sql_fr_plus, "+", "range_union");
    k = sql_fr_add_op(k, "*", r, r, r, sql_fr_intersect, "*", "range_intersect");
    k = sql_fr_add_op(k, "-", r, r, r, sql_fr_minus, NULL, "range_minus");
    return k;
}

void sql_funcs_register_range(void) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < SQL_RANGE_TYPE_COUNT; i++) {
        k = sql_fr_register_type(k, sql_range_type_at(i), sql_fr_names[i]);
    }
    /* Polymorphic as in PostgreSQL: the element must be of the subtype exactly (no implicit
     * cast: int8range @> integer does not exist); an untyped literal is read as a range. */
    uint32_t ar = SQL_T_ANYRANGE, ae = SQL_T_ANYELEMENT, B = SQL_T_BOOL;
    k = sql_fr_add_op(k, "@>", ar, ae, B, sql_fr_contains_elem, "<@", "range_contains_elem");
    k = sql_fr_add_op(k, "<@", ae, ar, B, sql_fr_elem_contained, "@>", "elem_contained_by_range");
    sql_funcs_register(sql_fr_defs, k);
}
