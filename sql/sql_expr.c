/* sql_expr.c: vectorised evaluation of bound expressions with activity masks.
 * Three-valued logic follows PostgreSQL: AND is false if any input is false, NULL if any is NULL
 * and none false; OR symmetrically. CASE, COALESCE, AND and OR evaluate later arguments only for
 * rows whose outcome is still open. */
#include "sql/sql_expr.h"

#include <string.h>

#include "runtime/rt_loop.h"
#include "sql/sql_array.h"
#include "sql/sql_domain.h"
#include "sql/sql_exec.h"
#include "sql/sql_record.h"

/* Stack below which evaluating one more level of an expression fails with 54001. */
#define SQL_EVAL_STACK_MIN_BYTES (RT_FIBER_STACK_BYTES / 8)

sql_vec *sql_vec_new(rt_arena *arena, uint32_t type_oid, int32_t typmod, uint32_t n) {
    sql_vec *v = rt_arena_alloc(arena, sizeof *v);
    if (v == NULL || !sql_vec_init(arena, v, type_oid, typmod, n)) return NULL;
    return v;
}

sql_expr *sql_expr_new(rt_arena *arena, sql_expr_kind kind, uint32_t type_oid, uint32_t nargs) {
    sql_expr *e = rt_arena_zalloc(arena, sizeof *e);
    if (e == NULL) return NULL;
    e->kind = kind;
    e->type_oid = type_oid;
    e->typmod = -1;
    e->location = UINT32_MAX;
    e->nargs = nargs;
    if (nargs > 0) {
        e->args = rt_arena_zalloc(arena, sizeof(sql_expr *) * nargs);
        if (e->args == NULL) return NULL;
    }
    return e;
}

sql_expr *sql_expr_copy_node(rt_arena *arena, const sql_expr *e) {
    sql_expr *c = rt_arena_alloc(arena, sizeof *c);
    if (c == NULL) return NULL;
    *c = *e;
    if (e->nargs > 0) {
        c->args = rt_arena_alloc(arena, sizeof(sql_expr *) * e->nargs);
        if (c->args == NULL) return NULL;
        memcpy(c->args, e->args, sizeof(sql_expr *) * e->nargs);
    }
    return c;
}

sql_expr *sql_expr_const(rt_arena *arena, const sql_value *v, int32_t typmod) {
    sql_expr *e = sql_expr_new(arena, SQL_X_CONST, v->type_oid, 0);
    if (e == NULL) return NULL;
    e->constval = *v;
    e->typmod = typmod;
    return e;
}

sql_expr *sql_expr_column(rt_arena *arena, uint32_t index, uint32_t type_oid, int32_t typmod) {
    sql_expr *e = sql_expr_new(arena, SQL_X_COLUMN, type_oid, 0);
    if (e == NULL) return NULL;
    e->column.index = index;
    e->column.depth = 0;
    e->typmod = typmod;
    return e;
}

static sql_vec *sql_eval_fail(sql_eval_ctx *ec) {
    if (!rt_err_is_set(ec->err)) rt_arena_fail(ec->arena, ec->err);
    return NULL;
}

static inline bool sql_active(const uint8_t *active, uint32_t i) {
    return active == NULL || active[i] != 0;
}

static uint8_t *sql_mask_new(sql_eval_ctx *ec, uint32_t n) {
    return rt_arena_zalloc(ec->arena, n > 0 ? n : 1);
}

/* Fills n rows with one value. */
static sql_vec *sql_eval_broadcast(sql_eval_ctx *ec, const sql_value *v, uint32_t type_oid,
                                   int32_t typmod, uint32_t n) {
    sql_vec *out = sql_vec_new(ec->arena, type_oid, typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    if (v->is_null) {
        memset(out->nulls, 1, n);
        return out;
    }
    for (uint32_t i = 0; i < n; i++) {
        switch ((sql_phys)out->phys) {
        case SQL_PHYS_I64: out->i64[i] = v->i64; break;
        case SQL_PHYS_F64: out->f64[i] = v->f64; break;
        case SQL_PHYS_BYTES: out->b[i] = v->b; break;
        }
    }
    return out;
}

/* Calls e's function on its evaluated arguments. */
static sql_vec *sql_eval_func_call(sql_eval_ctx *ec, const sql_expr *e, uint32_t n,
                                   const uint8_t *active, sql_vec **args, uint32_t nargs) {
    const sql_func_def *def = e->func.def;
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    const uint8_t *run = active;
    if (def->flags & SQL_F_STRICT) {
        uint8_t *mask = sql_mask_new(ec, n);
        if (mask == NULL) return sql_eval_fail(ec);
        /* argument by argument, without a branch per row */
        uint8_t *restrict m = mask, *restrict out_nulls = out->nulls;
        for (uint32_t i = 0; i < n; i++) m[i] = active == NULL || active[i] != 0;
        for (uint32_t a = 0; a < nargs; a++) {
            const uint8_t *restrict nulls = args[a]->nulls;
            if (nulls == NULL) continue;
            for (uint32_t i = 0; i < n; i++) m[i] &= nulls[i] == 0;
        }
        for (uint32_t i = 0; i < n; i++) out_nulls[i] = !m[i];
        run = mask;
    } else {
        for (uint32_t i = 0; i < n; i++) out->nulls[i] = !sql_active(active, i);
    }
    sql_fctx f = {.ec = ec, .arena = ec->arena, .err = ec->err, .io = &ec->io, .call = e};
    if (!def->fn(&f, n, run, args, out)) return sql_eval_fail(ec);
    return out;
}

/* A call whose first argument is a call, and so on down (1 + 2 + 3 ... is ((1 + 2) + 3) ...,
 * a || b || c likewise), is evaluated bottom-up in a loop: the chain's length costs no stack,
 * only the other arguments recurse. Every argument is computed for the same rows, in the
 * same order as recursion would. */
static sql_vec *sql_eval_func(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                              uint32_t n, const uint8_t *active) {
    uint32_t links = 1;
    for (const sql_expr *x = e; x->nargs > 0 && x->args[0]->kind == SQL_X_FUNC; x = x->args[0]) {
        links++;
    }
    const sql_expr **chain = &e;
    if (links > 1) {
        chain = rt_arena_alloc(ec->arena, sizeof(*chain) * links);
        if (chain == NULL) return sql_eval_fail(ec);
        chain[0] = e;
        for (uint32_t i = 1; i < links; i++) chain[i] = chain[i - 1]->args[0];
    }
    sql_vec *args[SQL_FUNC_ARGS_MAX * 8];
    sql_vec *below = NULL; /* the value of chain[i + 1] */
    for (uint32_t i = links; i-- > 0;) {
        const sql_expr *x = chain[i];
        uint32_t nargs = x->nargs < SQL_FUNC_ARGS_MAX * 8 ? x->nargs : SQL_FUNC_ARGS_MAX * 8;
        for (uint32_t a = 0; a < nargs; a++) {
            args[a] = a == 0 && below != NULL ? below : sql_eval(ec, x->args[a], in, n, active);
            if (args[a] == NULL) return NULL;
        }
        if ((below = sql_eval_func_call(ec, x, n, active, args, nargs)) == NULL) return NULL;
    }
    return below;
}

/* An AND / OR of at least this many arguments evaluates each one in a scratch arena, reset
 * before the next: generated filters of thousands of arms ((a = 1 AND b = 2) OR ...) would
 * otherwise keep every arm's vectors (some 40 KiB per arm and batch) until the batch ends, and
 * run out of the batch's memory (53200) where PostgreSQL answers. */
#define SQL_ANDOR_SCRATCH_ARGS_MIN 16
/* The scratch arena's budget: one argument's temporaries over one batch. */
#define SQL_ANDOR_SCRATCH_BYTES (64ull << 20)

static void sql_eval_use_arena(sql_eval_ctx *ec, rt_arena *arena) {
    ec->arena = arena;
    ec->io.arena = arena;
}

/* AND / OR over any number of arguments, short-circuiting per row. The loops have no branch
 * per row: which rows are still open is data, and mispredicted branches cost more here than
 * the arithmetic (values of closed rows are read, never used). */
static sql_vec *sql_eval_andor(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                               uint32_t n, const uint8_t *active, bool is_and) {
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    uint8_t *open = sql_mask_new(ec, n);     /* rows not yet decided */
    uint8_t *saw_null = sql_mask_new(ec, n);
    if (out == NULL || open == NULL || saw_null == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) open[i] = sql_active(active, i);
    rt_arena *batch = ec->arena, *scratch = NULL;
    if (e->nargs >= SQL_ANDOR_SCRATCH_ARGS_MIN) {
        scratch = rt_arena_create(SQL_ANDOR_SCRATCH_BYTES);
        sql_eval_use_arena(ec, scratch);
    }
    for (uint32_t a = 0; a < e->nargs; a++) {
        if (scratch != NULL) rt_arena_reset(scratch);
        sql_vec *v = sql_eval(ec, e->args[a], in, n, open);
        if (v == NULL) {
            if (scratch == NULL) return NULL;
            sql_eval_use_arena(ec, batch);
            rt_arena_destroy(scratch);
            return NULL;
        }
        /* local restrict pointers, so the compiler need not reload them per row */
        const int64_t *restrict vals = v->i64;
        const uint8_t *restrict nulls = v->nulls;
        uint8_t *restrict op = open, *restrict sn = saw_null;
        uint8_t decider = is_and ? 0 : 1; /* false decides an AND, true an OR */
        for (uint32_t i = 0; i < n; i++) {
            uint8_t o = op[i], isnull = nulls != NULL ? nulls[i] != 0 : 0;
            uint8_t decides = o & !isnull & ((vals[i] != 0) == decider);
            sn[i] |= o & isnull;
            op[i] = o & !decides;
        }
    }
    if (scratch != NULL) {
        sql_eval_use_arena(ec, batch);
        rt_arena_destroy(scratch);
    }
    /* decided rows hold !is_and; open ones is_and, or NULL when an argument was NULL */
    uint8_t *restrict out_nulls = out->nulls;
    int64_t *restrict out_vals = out->i64;
    for (uint32_t i = 0; i < n; i++) {
        out_nulls[i] = (uint8_t)(!sql_active(active, i)) | (open[i] & saw_null[i]);
        out_vals[i] = open[i] ? is_and : !is_and;
    }
    return out;
}

static sql_vec *sql_eval_not(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                             uint32_t n, const uint8_t *active) {
    sql_vec *v = sql_eval(ec, e->args[0], in, n, active);
    if (v == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    if (out == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = !sql_active(active, i) || sql_vec_is_null(v, i);
        out->i64[i] = out->nulls[i] ? 0 : !v->i64[i];
    }
    return out;
}

static void sql_vec_copy_row(sql_vec *dst, uint32_t i, const sql_vec *src, uint32_t j) {
    dst->nulls[i] = sql_vec_is_null(src, j);
    if (dst->nulls[i]) return;
    switch ((sql_phys)dst->phys) {
    case SQL_PHYS_I64: dst->i64[i] = src->i64[j]; break;
    case SQL_PHYS_F64: dst->f64[i] = src->f64[j]; break;
    case SQL_PHYS_BYTES: dst->b[i] = src->b[j]; break;
    }
}

static sql_vec *sql_eval_case(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                              uint32_t n, const uint8_t *active) {
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    uint8_t *open = sql_mask_new(ec, n), *hit = sql_mask_new(ec, n);
    if (out == NULL || open == NULL || hit == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        open[i] = sql_active(active, i);
        out->nulls[i] = 1;
    }
    uint32_t pairs = e->nargs / 2;
    for (uint32_t w = 0; w < pairs; w++) {
        sql_vec *c = sql_eval(ec, e->args[2 * w], in, n, open);
        if (c == NULL) return NULL;
        bool any = false;
        for (uint32_t i = 0; i < n; i++) {
            hit[i] = open[i] && !sql_vec_is_null(c, i) && c->i64[i] != 0;
            any |= hit[i];
        }
        if (!any) continue;
        sql_vec *r = sql_eval(ec, e->args[2 * w + 1], in, n, hit);
        if (r == NULL) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (!hit[i]) continue;
            sql_vec_copy_row(out, i, r, i);
            open[i] = 0;
        }
    }
    if (e->nargs % 2 == 1) {
        sql_vec *r = sql_eval(ec, e->args[e->nargs - 1], in, n, open);
        if (r == NULL) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (open[i]) sql_vec_copy_row(out, i, r, i);
        }
    }
    return out;
}

static sql_vec *sql_eval_coalesce(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                  uint32_t n, const uint8_t *active) {
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    uint8_t *open = sql_mask_new(ec, n);
    if (out == NULL || open == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        open[i] = sql_active(active, i);
        out->nulls[i] = 1;
    }
    for (uint32_t a = 0; a < e->nargs; a++) {
        sql_vec *v = sql_eval(ec, e->args[a], in, n, open);
        if (v == NULL) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (!open[i] || sql_vec_is_null(v, i)) continue;
            sql_vec_copy_row(out, i, v, i);
            open[i] = 0;
        }
    }
    return out;
}

/* A record IS NULL when every field is, IS NOT NULL when no field is (PostgreSQL's rule for
 * composite values; ROW() is both). */
static bool sql_eval_record_nulltest(sql_bytes rec, bool is_not) {
    sql_record_iter it;
    sql_record_col col;
    sql_record_iter_init(&it, rec);
    while (sql_record_iter_next(&it, &col)) {
        if (col.value.is_null == is_not) return false;
    }
    return true;
}

static sql_vec *sql_eval_nulltest(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                  uint32_t n, const uint8_t *active) {
    sql_vec *v = sql_eval(ec, e->args[0], in, n, active);
    if (v == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    if (out == NULL) return sql_eval_fail(ec);
    bool record = sql_type_is_record(e->args[0]->type_oid);
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = !sql_active(active, i);
        out->i64[i] = sql_vec_is_null(v, i) != e->test.is_not;
        if (record && !out->nulls[i] && !sql_vec_is_null(v, i)) {
            out->i64[i] = sql_eval_record_nulltest(v->b[i], e->test.is_not);
        }
    }
    return out;
}

static sql_vec *sql_eval_booltest(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                  uint32_t n, const uint8_t *active) {
    sql_vec *v = sql_eval(ec, e->args[0], in, n, active);
    if (v == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    if (out == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = !sql_active(active, i);
        bool null = sql_vec_is_null(v, i);
        bool r;
        switch (e->booltest.test) {
        case 1: r = !null && v->i64[i]; break;   /* TRUE */
        case 2: r = !null && !v->i64[i]; break;  /* FALSE */
        default: r = null; break;                /* UNKNOWN */
        }
        out->i64[i] = r != e->booltest.is_not;
    }
    return out;
}

static sql_vec *sql_eval_minmax(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                uint32_t n, const uint8_t *active) {
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    memset(out->nulls, 1, n);
    for (uint32_t a = 0; a < e->nargs; a++) {
        sql_vec *v = sql_eval(ec, e->args[a], in, n, active);
        if (v == NULL) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (!sql_active(active, i) || sql_vec_is_null(v, i)) continue;
            if (!out->nulls[i]) {
                sql_value x, y;
                sql_vec_get(v, i, &x);
                sql_vec_get(out, i, &y);
                int c = sql_value_cmp(&x, &y);
                if (e->minmax.greatest ? c <= 0 : c >= 0) continue;
            }
            sql_vec_copy_row(out, i, v, i);
        }
    }
    return out;
}

/* Equality of two non-NULL values of one type through the type's order. */
static bool sql_eval_equal(const sql_vec *a, uint32_t i, const sql_vec *b, uint32_t j) {
    sql_value x, y;
    sql_vec_get(a, i, &x);
    sql_vec_get(b, j, &y);
    return sql_value_cmp(&x, &y) == 0;
}

static sql_vec *sql_eval_nullif(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                uint32_t n, const uint8_t *active) {
    sql_vec *a = sql_eval(ec, e->args[0], in, n, active);
    sql_vec *b = a != NULL ? sql_eval(ec, e->args[1], in, n, active) : NULL;
    if (b == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        sql_vec_copy_row(out, i, a, i);
        if (!sql_active(active, i)) out->nulls[i] = 1;
        else if (!out->nulls[i] && !sql_vec_is_null(b, i) && sql_eval_equal(a, i, b, i)) {
            out->nulls[i] = 1;
        }
    }
    return out;
}

static sql_vec *sql_eval_distinct(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                  uint32_t n, const uint8_t *active) {
    sql_vec *a = sql_eval(ec, e->args[0], in, n, active);
    sql_vec *b = a != NULL ? sql_eval(ec, e->args[1], in, n, active) : NULL;
    if (b == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    if (out == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = !sql_active(active, i);
        bool an = sql_vec_is_null(a, i), bn = sql_vec_is_null(b, i);
        bool distinct = an != bn || (!an && !sql_eval_equal(a, i, b, i));
        out->i64[i] = distinct != e->test.is_not;
    }
    return out;
}

static sql_vec *sql_eval_in_list(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                 uint32_t n, const uint8_t *active) {
    sql_vec *x = sql_eval(ec, e->args[0], in, n, active);
    if (x == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    uint8_t *found = sql_mask_new(ec, n), *saw_null = sql_mask_new(ec, n);
    if (out == NULL || found == NULL || saw_null == NULL) return sql_eval_fail(ec);
    for (uint32_t a = 1; a < e->nargs; a++) {
        sql_vec *v = sql_eval(ec, e->args[a], in, n, active);
        if (v == NULL) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (!sql_active(active, i) || found[i] || sql_vec_is_null(x, i)) continue;
            if (sql_vec_is_null(v, i)) saw_null[i] = 1;
            else if (sql_eval_equal(x, i, v, i)) found[i] = 1;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        bool null = !sql_active(active, i) || sql_vec_is_null(x, i) || (!found[i] && saw_null[i]);
        out->nulls[i] = null;
        out->i64[i] = null ? 0 : (found[i] != 0) != e->test.is_not;
    }
    return out;
}

/* ROW(a, b, ...) and whole-row references: one record per active row. */
static sql_vec *sql_eval_row(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                             uint32_t n, const uint8_t *active) {
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    sql_vec **cols = rt_arena_alloc(ec->arena, sizeof(sql_vec *) * (e->nargs + 1u));
    sql_value *vals = rt_arena_alloc(ec->arena, sizeof(sql_value) * (e->nargs + 1u));
    int32_t *typmods = rt_arena_alloc(ec->arena, sizeof(int32_t) * (e->nargs + 1u));
    if (out == NULL || cols == NULL || vals == NULL || typmods == NULL) return sql_eval_fail(ec);
    for (uint32_t a = 0; a < e->nargs; a++) {
        if ((cols[a] = sql_eval(ec, e->args[a], in, n, active)) == NULL) return NULL;
        typmods[a] = e->args[a]->typmod;
    }
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = !sql_active(active, i);
        if (out->nulls[i]) continue;
        for (uint32_t a = 0; a < e->nargs; a++) {
            sql_vec_get(cols[a], i, &vals[a]);
            vals[a].type_oid = e->args[a]->type_oid;
        }
        if (!sql_record_build(ec->arena, e->type_oid, e->nargs, e->row.names, typmods, vals,
                              &out->b[i])) {
            return sql_eval_fail(ec);
        }
    }
    return out;
}

/* (record).field: NULL for a NULL record. */
static sql_vec *sql_eval_field(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                               uint32_t n, const uint8_t *active) {
    sql_vec *rec = sql_eval(ec, e->args[0], in, n, active);
    if (rec == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        sql_record_col col;
        bool ok = sql_active(active, i) && !sql_vec_is_null(rec, i) &&
                  sql_record_field(rec->b[i], e->field.index, &col) && !col.value.is_null;
        out->nulls[i] = !ok;
        if (!ok) continue;
        col.value.type_oid = e->type_oid;
        sql_vec_set(out, i, &col.value);
    }
    return out;
}

static sql_vec *sql_eval_array(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                               uint32_t n, const uint8_t *active) {
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    sql_vec **elems = rt_arena_alloc(ec->arena, sizeof(sql_vec *) * (e->nargs + 1u));
    if (elems == NULL) return sql_eval_fail(ec);
    for (uint32_t a = 0; a < e->nargs; a++) {
        elems[a] = sql_eval(ec, e->args[a], in, n, active);
        if (elems[a] == NULL) return NULL;
    }
    uint32_t elem_oid = sql_type_elem_of(e->type_oid);
    bool nested = e->nargs > 0 && sql_type_elem_of(e->args[0]->type_oid) != 0 &&
                  elem_oid == sql_type_elem_of(e->args[0]->type_oid);
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = !sql_active(active, i);
        if (out->nulls[i]) continue;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, ec->arena, elem_oid)) return sql_eval_fail(ec);
        int32_t dims[SQL_ARRAY_DIMS_MAX] = {(int32_t)e->nargs}, lbs[SQL_ARRAY_DIMS_MAX];
        uint32_t ndim = 1;
        for (uint32_t d = 0; d < SQL_ARRAY_DIMS_MAX; d++) lbs[d] = 1;
        for (uint32_t a = 0; a < e->nargs; a++) {
            sql_value v;
            sql_vec_get(elems[a], i, &v);
            if (!nested) {
                if (!sql_array_builder_add(&b, &v)) return sql_eval_fail(ec);
                continue;
            }
            /* ARRAY[ARRAY[1,2], ARRAY[3,4]]: sub-arrays of equal shape become one more dim. */
            sql_array_view sub;
            if (!v.is_null) sql_array_view_of(&v.b, &sub);
            if (v.is_null || (a > 0 && (sub.ndim + 1 != ndim || sub.dims[0] != dims[1]))) {
                rt_err_set(ec->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                           "multidimensional arrays must have array expressions with matching "
                           "dimensions");
                return NULL;
            }
            if (a == 0) {
                ndim = sub.ndim + 1;
                for (uint32_t d = 0; d < sub.ndim; d++) dims[d + 1] = sub.dims[d];
            }
            sql_array_iter it;
            sql_array_iter_init(&it, &sub);
            sql_value ev;
            while (sql_array_iter_next(&it, &ev)) {
                if (!sql_array_builder_add(&b, &ev)) return sql_eval_fail(ec);
            }
        }
        if (!sql_array_builder_finish_dims(&b, ndim, dims, lbs, &out->b[i], ec->err)) return NULL;
    }
    return out;
}

static sql_vec *sql_eval_coerce(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                uint32_t n, const uint8_t *active) {
    sql_vec *v = sql_eval(ec, e->args[0], in, n, active);
    if (v == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    if (out == NULL) return sql_eval_fail(ec);
    for (uint32_t i = 0; i < n; i++) {
        if (!sql_active(active, i)) {
            out->nulls[i] = 1;
            continue;
        }
        sql_value x;
        sql_vec_get(v, i, &x);
        x.type_oid = e->type_oid;
        if (!sql_value_coerce(&ec->io, &x, e->typmod, e->coerce.is_explicit)) return NULL;
        sql_vec_set(out, i, &x);
    }
    return out;
}

/* x op ANY/ALL (array): the operator runs on single rows (general: any operator). */
static sql_vec *sql_eval_any_all(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in,
                                 uint32_t n, const uint8_t *active) {
    sql_vec *x = sql_eval(ec, e->args[0], in, n, active);
    sql_vec *arr = x != NULL ? sql_eval(ec, e->args[1], in, n, active) : NULL;
    if (arr == NULL) return NULL;
    sql_vec *out = sql_vec_new(ec->arena, SQL_T_BOOL, -1, n);
    if (out == NULL) return sql_eval_fail(ec);
    const sql_func_def *op = e->anyall.op;
    sql_expr call = {.kind = SQL_X_FUNC, .type_oid = SQL_T_BOOL, .typmod = -1, .nargs = 2};
    call.func.def = op;
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = 1;
        if (!sql_active(active, i) || sql_vec_is_null(arr, i)) continue;
        sql_array_view av;
        sql_array_view_of(&arr->b[i], &av);
        bool decided = false, saw_null = false;
        sql_array_iter it;
        sql_array_iter_init(&it, &av);
        sql_value ev, xv;
        sql_vec_get(x, i, &xv);
        while (!decided && sql_array_iter_next(&it, &ev)) {
            if (ev.is_null || xv.is_null) {
                saw_null = true;
                continue;
            }
            sql_vec *a1 = sql_vec_new(ec->arena, xv.type_oid, -1, 1);
            sql_vec *a2 = sql_vec_new(ec->arena, ev.type_oid, -1, 1);
            sql_vec *r = sql_vec_new(ec->arena, SQL_T_BOOL, -1, 1);
            if (a1 == NULL || a2 == NULL || r == NULL) return sql_eval_fail(ec);
            sql_vec_set(a1, 0, &xv);
            sql_vec_set(a2, 0, &ev);
            sql_vec *args[2] = {a1, a2};
            sql_fctx f = {.ec = ec, .arena = ec->arena, .err = ec->err, .io = &ec->io,
                          .call = &call};
            if (!op->fn(&f, 1, NULL, args, r)) return sql_eval_fail(ec);
            bool t = !r->nulls[0] && r->i64[0];
            if (r->nulls[0]) saw_null = true;
            else if (t != e->anyall.is_all) decided = true; /* ANY: a true; ALL: a false */
        }
        if (decided) {
            out->nulls[i] = 0;
            out->i64[i] = !e->anyall.is_all;
        } else if (!saw_null) {
            out->nulls[i] = 0;
            out->i64[i] = e->anyall.is_all;
        }
    }
    return out;
}

static sql_vec *sql_eval_outer(sql_eval_ctx *ec, const sql_expr *e, uint32_t n) {
    uint32_t d = e->column.depth - 1;
    if (d >= ec->outer_depth || e->column.index >= ec->outer[d]->ncols) {
        rt_err_set(ec->err, SQLSTATE_INTERNAL_ERROR, "outer reference without an outer row");
        return NULL;
    }
    sql_value v;
    sql_vec_get(&ec->outer[d]->cols[e->column.index], ec->outer_row[d], &v);
    return sql_eval_broadcast(ec, &v, e->type_oid, e->typmod, n);
}

sql_vec *sql_eval(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in, uint32_t n,
                  const uint8_t *active) {
    /* The binder keeps a tree shallow enough for the stack (SQL_STACK_RESERVE_BYTES); this is
     * the last guard for a deep tree reaching here another way. */
    if (rt_stack_left() < SQL_EVAL_STACK_MIN_BYTES) {
        rt_err_set(ec->err, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        return NULL;
    }
    switch (e->kind) {
    case SQL_X_CONST: return sql_eval_broadcast(ec, &e->constval, e->type_oid, e->typmod, n);
    case SQL_X_PARAM: {
        if (e->param == 0 || e->param > ec->nparams) {
            rt_err_set(ec->err, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $%u",
                       e->param);
            return NULL;
        }
        return sql_eval_broadcast(ec, &ec->params[e->param - 1], e->type_oid, e->typmod, n);
    }
    case SQL_X_COLUMN: return &((sql_batch *)in)->cols[e->column.index];
    case SQL_X_OUTER: return sql_eval_outer(ec, e, n);
    case SQL_X_FUNC: return sql_eval_func(ec, e, in, n, active);
    case SQL_X_AND: return sql_eval_andor(ec, e, in, n, active, true);
    case SQL_X_OR: return sql_eval_andor(ec, e, in, n, active, false);
    case SQL_X_NOT: return sql_eval_not(ec, e, in, n, active);
    case SQL_X_CASE: return sql_eval_case(ec, e, in, n, active);
    case SQL_X_NULLTEST: return sql_eval_nulltest(ec, e, in, n, active);
    case SQL_X_BOOLTEST: return sql_eval_booltest(ec, e, in, n, active);
    case SQL_X_COALESCE: return sql_eval_coalesce(ec, e, in, n, active);
    case SQL_X_MINMAX: return sql_eval_minmax(ec, e, in, n, active);
    case SQL_X_NULLIF: return sql_eval_nullif(ec, e, in, n, active);
    case SQL_X_DISTINCT: return sql_eval_distinct(ec, e, in, n, active);
    case SQL_X_IN_LIST: return sql_eval_in_list(ec, e, in, n, active);
    case SQL_X_ARRAY: return sql_eval_array(ec, e, in, n, active);
    case SQL_X_COERCE: return sql_eval_coerce(ec, e, in, n, active);
    case SQL_X_DOMAIN: {
        sql_vec *v = sql_eval(ec, e->args[0], in, n, active);
        return v != NULL && sql_domain_check(ec, e->domain.info, v, n, active) ? v : NULL;
    }
    case SQL_X_ANY_ALL: return sql_eval_any_all(ec, e, in, n, active);
    case SQL_X_SUBQUERY: return sql_exec_subquery(ec, e, in, n, active);
    case SQL_X_ROW: return sql_eval_row(ec, e, in, n, active);
    case SQL_X_FIELD: return sql_eval_field(ec, e, in, n, active);
    case SQL_X_AGGREF: case SQL_X_WINDOWREF:
        break;
    }
    rt_err_set(ec->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
               "this kind of expression (%d) cannot be evaluated here", (int)e->kind);
    return NULL;
}

bool sql_eval_scalar(sql_eval_ctx *ec, const sql_expr *e, sql_value *out) {
    sql_batch empty = {.rows = 1, .cap = 1, .ncols = 0, .cols = NULL};
    sql_vec *v = sql_eval(ec, e, &empty, 1, NULL);
    if (v == NULL) return false;
    sql_vec_get(v, 0, out);
    out->type_oid = e->type_oid;
    return true;
}
