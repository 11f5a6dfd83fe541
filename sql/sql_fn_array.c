/* sql_fn_array.c: PostgreSQL 15's array functions and operators: array_length / lower / upper
 * / ndims / dims, cardinality, array_append / prepend / cat and their || operators,
 * array_position(s), array_remove, array_replace, @> <@ && , array_subscript (x[i]),
 * array_fill, and the set-returning unnest, generate_series (int4, int8) and
 * generate_subscripts.
 * Elements compare with their type's order (sql_value_cmp): NULL elements are found by
 * array_position / array_remove / array_replace (IS NOT DISTINCT FROM) but never match in the
 * containment operators, as in PostgreSQL. Containment over large arrays hashes one side. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_fn_string_int.h"
#include "sql/sql_funcs_int.h"

#define SQL_ARR_KERNEL(name)                                                                  \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

/* Containment compares every pair below this many pairs; above it one side is hashed. */
#define SQL_ARR_NESTED_PAIRS_MAX 4096u

/* array_fill's largest array: PostgreSQL's MaxArraySize, within what the builder takes. */
#define SQL_ARR_FILL_ITEMS_MAX (SQL_ARRAY_ITEMS_MAX - 1u)
RT_STATIC_ASSERT(SQL_ARR_FILL_ITEMS_MAX == 134217727u);

static bool sql_arr_oom(sql_fctx *f) { return rt_arena_fail(f->arena, f->err); }

/* Equality of elements needs the element type's order. */
static bool sql_arr_check_eq(sql_fctx *f, uint32_t elem) {
    const sql_type_def *t = sql_type_by_oid(elem);
    if (t != NULL && t->cmp != NULL && t->hash != NULL) return true;
    return rt_err_set(f->err, SQLSTATE_UNDEFINED_FUNCTION,
                      "could not identify an equality operator for type %s",
                      t != NULL ? t->name : "?");
}

static bool sql_arr_eq(const sql_value *a, const sql_value *b) {
    if (a->is_null || b->is_null) return a->is_null && b->is_null;
    return sql_value_cmp(a, b) == 0;
}

/* The element type of an array-typed vector (the value's own when it has one). */
static uint32_t sql_arr_elem(const sql_vec *v, const sql_array_view *av) {
    return av != NULL && av->elem_oid != 0 ? av->elem_oid : sql_type_elem_of(v->type_oid);
}

/* ---- dimensions ---- */

typedef enum sql_dim_kind { DIM_LENGTH, DIM_LOWER, DIM_UPPER } sql_dim_kind;

static bool sql_arr_dim(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out, sql_dim_kind kind) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        int64_t d = args[1]->i64[i];
        if (d < 1 || d > av.ndim) {
            out->nulls[i] = 1;
            continue;
        }
        int32_t len = av.dims[d - 1], lb = av.lbounds[d - 1];
        out->i64[i] = kind == DIM_LENGTH ? len : kind == DIM_LOWER ? lb : (int64_t)lb + len - 1;
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_length) { return sql_arr_dim(f, n, active, args, out, DIM_LENGTH); }
SQL_ARR_KERNEL(sql_arr_lower) { return sql_arr_dim(f, n, active, args, out, DIM_LOWER); }
SQL_ARR_KERNEL(sql_arr_upper) { return sql_arr_dim(f, n, active, args, out, DIM_UPPER); }

SQL_ARR_KERNEL(sql_arr_ndims) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        out->nulls[i] = av.ndim == 0;
        out->i64[i] = av.ndim;
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_cardinality) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        out->i64[i] = av.nitems;
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_dims) {
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        if (av.ndim == 0) {
            out->nulls[i] = 1;
            continue;
        }
        char buf[SQL_ARRAY_DIMS_MAX * 26];
        uint32_t len = 0;
        for (uint32_t d = 0; d < av.ndim; d++) {
            len += (uint32_t)snprintf(buf + len, sizeof buf - len, "[%d:%lld]", av.lbounds[d],
                                      (long long)av.lbounds[d] + av.dims[d] - 1);
        }
        if (!sql_fn_text(f, out, i, buf, len)) return false;
    }
    return true;
}

/* ---- building ---- */

/* Adds every element of av to b. */
static bool sql_arr_add_all(sql_array_builder *b, const sql_array_view *av) {
    sql_array_iter it;
    sql_array_iter_init(&it, av);
    sql_value e;
    while (sql_array_iter_next(&it, &e)) {
        if (!sql_array_builder_add(b, &e)) return false;
    }
    return true;
}

static bool sql_arr_finish(sql_fctx *f, sql_array_builder *b, uint32_t ndim, const int32_t *dims,
                           const int32_t *lbs, sql_bytes *out) {
    if (b->items.failed) return sql_arr_oom(f);
    return sql_array_builder_finish_dims(b, ndim, dims, lbs, out, f->err);
}

/* array_append / array_prepend: the array is NULL, empty or one-dimensional. */
static bool sql_arr_push(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, bool append) {
    const sql_vec *av_vec = args[append ? 0 : 1], *ev_vec = args[append ? 1 : 0];
    uint32_t elem = sql_type_elem_of(out->type_oid);
    SQL_FOR_ACTIVE(i) {
        sql_array_view av = {0};
        if (!sql_vec_is_null(av_vec, i)) sql_array_view_of(&av_vec->b[i], &av);
        if (av.ndim > 1) {
            return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION,
                              "argument must be empty or one-dimensional array");
        }
        sql_value e;
        sql_vec_get(ev_vec, i, &e);
        e.type_oid = elem;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, elem)) return sql_arr_oom(f);
        bool ok = (append || sql_array_builder_add(&b, &e)) && sql_arr_add_all(&b, &av) &&
                  (!append || sql_array_builder_add(&b, &e));
        if (!ok) return sql_arr_oom(f);
        int32_t dims[1] = {(int32_t)b.count}, lbs[1] = {av.ndim == 1 ? av.lbounds[0] : 1};
        out->nulls[i] = 0;
        if (!sql_arr_finish(f, &b, 1, dims, lbs, &out->b[i])) return false;
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_append) { return sql_arr_push(f, n, active, args, out, true); }
SQL_ARR_KERNEL(sql_arr_prepend) { return sql_arr_push(f, n, active, args, out, false); }

static bool sql_arr_incompatible(sql_fctx *f, const char *detail_fmt, uint32_t na, uint32_t nb) {
    rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR, "cannot concatenate incompatible arrays");
    rt_err_detail(f->err, detail_fmt, na, nb);
    return false;
}

/* Shape of a || b (neither empty): same rank (concatenated along the first dimension) or
 * ranks differing by one (the smaller becomes one more element of the larger). */
static bool sql_arr_cat_shape(sql_fctx *f, const sql_array_view *a, const sql_array_view *b,
                              uint32_t *ndim, int32_t *dims, int32_t *lbs) {
    const sql_array_view *big = a->ndim >= b->ndim ? a : b, *small = big == a ? b : a;
    *ndim = big->ndim;
    memcpy(dims, big->dims, sizeof(int32_t) * big->ndim);
    memcpy(lbs, big->lbounds, sizeof(int32_t) * big->ndim);
    if (a->ndim == b->ndim) {
        if (memcmp(a->dims + 1, b->dims + 1, sizeof(int32_t) * (a->ndim - 1)) != 0 ||
            memcmp(a->lbounds + 1, b->lbounds + 1, sizeof(int32_t) * (a->ndim - 1)) != 0) {
            return sql_arr_incompatible(f, "Arrays with differing element dimensions are not "
                                           "compatible for concatenation.", 0, 0);
        }
        dims[0] = a->dims[0] + b->dims[0];
        memcpy(lbs, a->lbounds, sizeof(int32_t) * a->ndim);
        return true;
    }
    if (big->ndim != small->ndim + 1) {
        return sql_arr_incompatible(f, "Arrays of %u and %u dimensions are not compatible for "
                                       "concatenation.", a->ndim, b->ndim);
    }
    if (memcmp(big->dims + 1, small->dims, sizeof(int32_t) * small->ndim) != 0 ||
        memcmp(big->lbounds + 1, small->lbounds, sizeof(int32_t) * small->ndim) != 0) {
        return sql_arr_incompatible(f, "Arrays with differing dimensions are not compatible for "
                                       "concatenation.", 0, 0);
    }
    dims[0] = big->dims[0] + 1;
    return true;
}

/* array_cat: NULL or empty inputs give the other one. */
SQL_ARR_KERNEL(sql_arr_cat) {
    uint32_t elem = sql_type_elem_of(out->type_oid);
    SQL_FOR_ACTIVE(i) {
        bool an = sql_vec_is_null(args[0], i), bn = sql_vec_is_null(args[1], i);
        sql_array_view a = {0}, b = {0};
        if (!an) sql_array_view_of(&args[0]->b[i], &a);
        if (!bn) sql_array_view_of(&args[1]->b[i], &b);
        if (an && bn) {
            out->nulls[i] = 1;
            continue;
        }
        out->nulls[i] = 0;
        if (an || b.nitems == 0 || a.nitems == 0) {
            const sql_bytes *src = (an || (a.nitems == 0 && !bn)) ? &args[1]->b[i] : &args[0]->b[i];
            if (!sql_fn_bytes(f, src->ptr, src->len, &out->b[i])) return false;
            continue;
        }
        uint32_t ndim;
        int32_t dims[SQL_ARRAY_DIMS_MAX], lbs[SQL_ARRAY_DIMS_MAX];
        if (!sql_arr_cat_shape(f, &a, &b, &ndim, dims, lbs)) return false;
        sql_array_builder bl;
        if (!sql_array_builder_init(&bl, f->arena, elem) || !sql_arr_add_all(&bl, &a) ||
            !sql_arr_add_all(&bl, &b)) {
            return sql_arr_oom(f);
        }
        if (!sql_arr_finish(f, &bl, ndim, dims, lbs, &out->b[i])) return false;
    }
    return true;
}

/* ---- searching ---- */

static bool sql_arr_one_dim(sql_fctx *f, const sql_array_view *av, const char *what) {
    if (av->ndim <= 1) return true;
    return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "%s elements %s multidimensional arrays is not supported", what,
                      what[0] == 's' ? "in" : "from");
}

/* array_position(a, x [, start]) and array_positions(a, x). */
static bool sql_arr_positions(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                              sql_vec *out, bool all) {
    bool has_start = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            out->nulls[i] = 1;
            continue;
        }
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        if (!sql_arr_one_dim(f, &av, "searching for")) return false;
        sql_value x;
        sql_vec_get(args[1], i, &x);
        /* PostgreSQL's order: an empty array, or a NULL sought in an array without NULLs,
         * finds nothing before the start position is looked at */
        bool hopeless = av.ndim == 0 || (x.is_null && !av.has_nulls);
        if (hopeless && !all) {
            out->nulls[i] = 1;
            continue;
        }
        if (!hopeless && has_start && sql_vec_is_null(args[2], i)) {
            return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                              "initial position must not be null");
        }
        x.type_oid = sql_arr_elem(args[0], &av);
        if (!x.is_null && !sql_arr_check_eq(f, x.type_oid)) return false;
        int64_t lb = av.ndim == 1 ? av.lbounds[0] : 1, from = has_start ? args[2]->i64[i] : lb;
        sql_array_builder b;
        if (all && !sql_array_builder_init(&b, f->arena, SQL_T_INT4)) return sql_arr_oom(f);
        sql_array_iter it;
        sql_array_iter_init(&it, &av);
        sql_value e;
        out->nulls[i] = !all;
        for (int64_t pos = lb; sql_array_iter_next(&it, &e); pos++) {
            if (pos < from || !sql_arr_eq(&e, &x)) continue;
            if (!all) {
                out->nulls[i] = 0;
                out->i64[i] = pos;
                break;
            }
            sql_value p = {.type_oid = SQL_T_INT4, .i64 = pos};
            if (!sql_array_builder_add(&b, &p)) return sql_arr_oom(f);
        }
        if (all && !sql_array_builder_finish(&b, &out->b[i])) return sql_arr_oom(f);
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_position) { return sql_arr_positions(f, n, active, args, out, false); }
SQL_ARR_KERNEL(sql_arr_positions_k) { return sql_arr_positions(f, n, active, args, out, true); }

/* array_remove(a, x) and array_replace(a, x, y). */
static bool sql_arr_edit(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, bool replace) {
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            out->nulls[i] = 1;
            continue;
        }
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        if (!replace && !sql_arr_one_dim(f, &av, "removing")) return false;
        uint32_t elem = sql_arr_elem(args[0], &av);
        sql_value x, y = {.is_null = true};
        sql_vec_get(args[1], i, &x);
        if (replace) sql_vec_get(args[2], i, &y);
        x.type_oid = y.type_oid = elem;
        if (!x.is_null && !sql_arr_check_eq(f, elem)) return false;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, elem)) return sql_arr_oom(f);
        sql_array_iter it;
        sql_array_iter_init(&it, &av);
        sql_value e;
        while (sql_array_iter_next(&it, &e)) {
            bool hit = sql_arr_eq(&e, &x);
            if (hit && !replace) continue;
            if (!sql_array_builder_add(&b, hit ? &y : &e)) return sql_arr_oom(f);
        }
        int32_t dims[1] = {(int32_t)b.count};
        const int32_t *d = replace ? av.dims : dims;
        int32_t lbs1[1] = {av.ndim > 0 ? av.lbounds[0] : 1};
        out->nulls[i] = 0;
        if (!sql_arr_finish(f, &b, replace ? av.ndim : 1, d, replace ? av.lbounds : lbs1,
                            &out->b[i])) {
            return false;
        }
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_remove) { return sql_arr_edit(f, n, active, args, out, false); }
SQL_ARR_KERNEL(sql_arr_replace) { return sql_arr_edit(f, n, active, args, out, true); }

/* ---- containment ---- */

/* The non-NULL elements of an array as values, hashed into an open-addressing table when
 * asked (cap a power of two, slots hold index + 1). */
typedef struct sql_arr_set {
    sql_value *items;
    uint32_t count;
    uint32_t *slots;
    uint32_t cap;
} sql_arr_set;

static bool sql_arr_set_build(sql_fctx *f, const sql_array_view *av, bool hashed,
                              sql_arr_set *s) {
    memset(s, 0, sizeof *s);
    s->items = rt_arena_alloc(f->arena, sizeof(sql_value) * (av->nitems + 1u));
    if (s->items == NULL) return sql_arr_oom(f);
    sql_array_iter it;
    sql_array_iter_init(&it, av);
    sql_value e;
    while (sql_array_iter_next(&it, &e)) {
        if (!e.is_null) s->items[s->count++] = e;
    }
    if (!hashed) return true;
    for (s->cap = 16; s->cap < s->count * 2u; s->cap *= 2) {}
    s->slots = rt_arena_zalloc(f->arena, sizeof(uint32_t) * s->cap);
    if (s->slots == NULL) return sql_arr_oom(f);
    for (uint32_t k = 0; k < s->count; k++) {
        uint32_t h = (uint32_t)sql_value_hash(&s->items[k]) & (s->cap - 1);
        while (s->slots[h] != 0) h = (h + 1) & (s->cap - 1);
        s->slots[h] = k + 1;
    }
    return true;
}

static bool sql_arr_set_has(const sql_arr_set *s, const sql_value *x) {
    if (s->slots == NULL) {
        for (uint32_t k = 0; k < s->count; k++) {
            if (sql_value_cmp(&s->items[k], x) == 0) return true;
        }
        return false;
    }
    for (uint32_t h = (uint32_t)sql_value_hash(x) & (s->cap - 1); s->slots[h] != 0;
         h = (h + 1) & (s->cap - 1)) {
        if (sql_value_cmp(&s->items[s->slots[h] - 1], x) == 0) return true;
    }
    return false;
}

typedef enum sql_contain_op { CONTAINS, CONTAINED, OVERLAPS } sql_contain_op;

/* Does `big` contain every element of `small` (all), or any of them (!all)? */
static bool sql_arr_contain_row(sql_fctx *f, const sql_bytes *bigb, const sql_bytes *smallb,
                                bool all, bool *result) {
    sql_array_view big, small;
    sql_array_view_of(bigb, &big);
    sql_array_view_of(smallb, &small);
    uint32_t elem = big.elem_oid != 0 ? big.elem_oid : small.elem_oid;
    if (elem != 0 && !sql_arr_check_eq(f, elem)) return false;
    sql_arr_set set;
    bool hashed = (uint64_t)big.nitems * small.nitems > SQL_ARR_NESTED_PAIRS_MAX;
    if (!sql_arr_set_build(f, &big, hashed, &set)) return false;
    sql_array_iter it;
    sql_array_iter_init(&it, &small);
    sql_value e;
    *result = all;
    while (sql_array_iter_next(&it, &e)) {
        bool found = !e.is_null && sql_arr_set_has(&set, &e);
        if (found != all) {
            *result = !all;
            break;
        }
    }
    return true;
}

static bool sql_arr_contain(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out, sql_contain_op op) {
    SQL_FOR_ACTIVE(i) {
        const sql_bytes *a = &args[0]->b[i], *b = &args[1]->b[i];
        bool r;
        bool ok = op == CONTAINS    ? sql_arr_contain_row(f, a, b, true, &r)
                  : op == CONTAINED ? sql_arr_contain_row(f, b, a, true, &r)
                                    : sql_arr_contain_row(f, a, b, false, &r);
        if (!ok) return false;
        out->i64[i] = r;
    }
    return true;
}

SQL_ARR_KERNEL(sql_arr_contains) { return sql_arr_contain(f, n, active, args, out, CONTAINS); }
SQL_ARR_KERNEL(sql_arr_contained) { return sql_arr_contain(f, n, active, args, out, CONTAINED); }
SQL_ARR_KERNEL(sql_arr_overlap) { return sql_arr_contain(f, n, active, args, out, OVERLAPS); }

/* ---- x[i] ---- */

/* Element i (by the array's own lower bound) of a one-dimensional array, else NULL. */
SQL_ARR_KERNEL(sql_arr_subscript) {
    (void)f;
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        int64_t k = args[1]->i64[i] - (av.ndim == 1 ? av.lbounds[0] : 1);
        if (av.ndim != 1 || k < 0 || k >= av.dims[0]) {
            out->nulls[i] = 1;
            continue;
        }
        sql_value e;
        if (!av.has_nulls && out->phys != SQL_PHYS_BYTES) {
            memcpy(&e.i64, av.data + 8 * k, 8); /* fixed-size elements: direct */
            e.is_null = false;
        } else {
            sql_array_get(&av, (uint32_t)k, &e);
        }
        sql_vec_set(out, i, &e);
    }
    return true;
}

/* ---- a[i][j] and slices a[lo:hi][lo:hi] ---- */

/* Missing slice bounds (a[:2], a[3:]) arrive as these, and are clamped to the array's. */
#define SQL_ARR_SLICE_OPEN_LOW INT32_MIN
#define SQL_ARR_SLICE_OPEN_HIGH INT32_MAX

/* a[i][j]...: the element when there is one subscript per dimension, each within bounds;
 * otherwise NULL, as PostgreSQL answers. */
SQL_ARR_KERNEL(sql_arr_subscript_md) {
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&args[0]->b[i], &av);
        uint32_t nsub = f->call->nargs - 1u;
        int64_t off = 0;
        bool ok = av.ndim == nsub && nsub > 0;
        for (uint32_t d = 0; d < nsub && ok; d++) {
            int64_t k = args[d + 1]->i64[i] - av.lbounds[d];
            ok = k >= 0 && k < av.dims[d];
            off = off * av.dims[d] + k;
        }
        if (!ok) {
            out->nulls[i] = 1;
            continue;
        }
        sql_value e;
        sql_array_get(&av, (uint32_t)off, &e);
        sql_vec_set(out, i, &e);
    }
    return true;
}

/* The slice of one array: args hold (lo, hi) per subscript; dimensions past them whole. */
static bool sql_arr_slice_one(sql_fctx *f, const sql_bytes *in, const int64_t *bounds,
                              uint32_t nsub, sql_bytes *out) {
    sql_array_view av;
    sql_array_view_of(in, &av);
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, av.elem_oid)) return sql_arr_oom(f);
    int32_t lo[SQL_ARRAY_DIMS_MAX], len[SQL_ARRAY_DIMS_MAX], ones[SQL_ARRAY_DIMS_MAX];
    bool empty = av.ndim == 0 || nsub > av.ndim;
    uint64_t total = 1;
    for (uint32_t d = 0; d < av.ndim && !empty; d++) {
        int64_t l = av.lbounds[d], h = (int64_t)av.lbounds[d] + av.dims[d] - 1;
        if (d < nsub) {
            if (bounds[2 * d] > l) l = bounds[2 * d];
            if (bounds[2 * d + 1] < h) h = bounds[2 * d + 1];
        }
        empty = l > h;
        lo[d] = (int32_t)(l - av.lbounds[d]);
        len[d] = (int32_t)(h - l + 1);
        ones[d] = 1;
        total *= (uint64_t)len[d];
    }
    if (empty) return sql_array_builder_finish(&b, out) || sql_arr_oom(f);
    int32_t at[SQL_ARRAY_DIMS_MAX] = {0};
    for (uint64_t k = 0; k < total; k++) {
        int64_t off = 0;
        for (uint32_t d = 0; d < av.ndim; d++) off = off * av.dims[d] + lo[d] + at[d];
        sql_value e;
        sql_array_get(&av, (uint32_t)off, &e);
        if (!sql_array_builder_add(&b, &e)) return sql_arr_oom(f);
        for (uint32_t d = av.ndim; d-- > 0;) { /* next position, last dimension fastest */
            if (++at[d] < len[d]) break;
            at[d] = 0;
        }
    }
    return sql_array_builder_finish_dims(&b, av.ndim, len, ones, out, f->err);
}

/* array_slice(a, lo1, hi1 [, lo2, hi2 ...]): a[lo1:hi1][lo2:hi2], bounds clamped to the
 * array's; the result's lower bounds are 1, and no overlap gives an empty array. */
SQL_ARR_KERNEL(sql_arr_slice) {
    uint32_t nargs = f->call->nargs, nsub = (nargs - 1u) / 2;
    if (nsub > SQL_ARRAY_DIMS_MAX || (nargs - 1u) % 2 != 0) {
        return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "number of array dimensions (%u) exceeds the maximum allowed (%d)",
                          nsub, SQL_ARRAY_DIMS_MAX);
    }
    SQL_FOR_ACTIVE(i) {
        int64_t bounds[2 * SQL_ARRAY_DIMS_MAX];
        for (uint32_t k = 0; k < 2 * nsub; k++) bounds[k] = args[k + 1]->i64[i];
        out->nulls[i] = 0;
        if (!sql_arr_slice_one(f, &args[0]->b[i], bounds, nsub, &out->b[i])) return false;
    }
    return true;
}

/* array_assign(a, i, v): UPDATE t SET a[i] = v on a one-dimensional array. Positions past
 * either end are filled with NULLs up to i; a NULL or empty array becomes [i:i]={v}. */
static bool sql_arr_assign_one(sql_fctx *f, const sql_bytes *in, bool in_null, int64_t idx,
                               const sql_value *v, uint32_t elem, sql_bytes *out) {
    sql_array_view av = {0};
    if (!in_null) sql_array_view_of(in, &av);
    if (av.ndim > 1) {
        rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts");
        return false;
    }
    int64_t lo = av.ndim == 0 ? idx : av.lbounds[0];
    int64_t hi = av.ndim == 0 ? idx : lo + av.dims[0] - 1;
    if (idx < lo) lo = idx;
    if (idx > hi) hi = idx;
    if (hi - lo + 1 > (int64_t)SQL_ARRAY_ITEMS_MAX) {
        return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "array size exceeds the maximum allowed (%u)", SQL_ARRAY_ITEMS_MAX);
    }
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, elem)) return sql_arr_oom(f);
    for (int64_t k = lo; k <= hi; k++) {
        sql_value e = {.type_oid = elem, .is_null = true};
        if (k == idx) {
            e = *v;
        } else if (av.ndim == 1 && k >= av.lbounds[0] && k < av.lbounds[0] + av.dims[0]) {
            sql_array_get(&av, (uint32_t)(k - av.lbounds[0]), &e);
        }
        if (!sql_array_builder_add(&b, &e)) return sql_arr_oom(f);
    }
    int32_t dims[1] = {(int32_t)(hi - lo + 1)}, lbs[1] = {(int32_t)lo};
    return sql_array_builder_finish_dims(&b, 1, dims, lbs, out, f->err);
}

SQL_ARR_KERNEL(sql_arr_assign) {
    (void)n;
    uint32_t elem = sql_type_elem_of(out->type_oid);
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[1], i)) {
            return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                              "array subscript in assignment must not be null");
        }
        sql_value v;
        sql_vec_get(args[2], i, &v);
        v.type_oid = elem;
        out->nulls[i] = 0;
        if (!sql_arr_assign_one(f, &args[0]->b[i], sql_vec_is_null(args[0], i),
                                args[1]->i64[i], &v, elem, &out->b[i])) {
            return false;
        }
    }
    return true;
}

/* ---- array_fill ---- */

static bool sql_arr_fill_dims(sql_fctx *f, const sql_bytes *b, int32_t *vals, uint32_t *n,
                              const char *which) {
    sql_array_view av;
    sql_array_view_of(b, &av);
    if (av.ndim > 1) {
        rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts");
        rt_err_detail(f->err, "%s array must be one dimensional.", which);
        return false;
    }
    if (av.nitems > SQL_ARRAY_DIMS_MAX) {
        return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "number of array dimensions (%u) exceeds the maximum allowed (%d)",
                          av.nitems, SQL_ARRAY_DIMS_MAX);
    }
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    *n = 0;
    while (sql_array_iter_next(&it, &e)) {
        if (e.is_null) {
            return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                              "dimension values cannot be null");
        }
        vals[(*n)++] = (int32_t)e.i64;
    }
    return true;
}

static bool sql_arr_fill_row(sql_fctx *f, sql_vec **args, uint32_t i, bool has_lbs,
                             uint32_t elem, sql_bytes *out) {
    if (sql_vec_is_null(args[1], i) || (has_lbs && sql_vec_is_null(args[2], i))) {
        return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                          "dimension array or low bound array cannot be null");
    }
    int32_t dims[SQL_ARRAY_DIMS_MAX], lbs[SQL_ARRAY_DIMS_MAX];
    uint32_t nd, nl = 0;
    if (!sql_arr_fill_dims(f, &args[1]->b[i], dims, &nd, "Dimension")) return false;
    if (has_lbs && !sql_arr_fill_dims(f, &args[2]->b[i], lbs, &nl, "Low bound")) return false;
    if (has_lbs && nl != nd) {
        rt_err_set(f->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR, "wrong number of array subscripts");
        rt_err_detail(f->err, "Low bound array has different size than dimensions array.");
        return false;
    }
    uint64_t items = nd > 0 ? 1 : 0;
    for (uint32_t d = 0; d < nd; d++) {
        if (!has_lbs) lbs[d] = 1;
        items = dims[d] < 0 ? SQL_ARR_FILL_ITEMS_MAX + 1ull : items * (uint64_t)dims[d];
        if (items > SQL_ARR_FILL_ITEMS_MAX) {
            return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "array size exceeds the maximum allowed (%u)",
                              SQL_ARR_FILL_ITEMS_MAX);
        }
    }
    sql_value v;
    sql_vec_get(args[0], i, &v);
    v.type_oid = elem;
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, elem)) return sql_arr_oom(f);
    for (uint64_t k = 0; k < items; k++) {
        if (!sql_array_builder_add(&b, &v)) return sql_arr_oom(f);
    }
    return sql_arr_finish(f, &b, nd, dims, lbs, out);
}

SQL_ARR_KERNEL(sql_arr_fill) {
    uint32_t elem = sql_type_elem_of(out->type_oid);
    bool has_lbs = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        out->nulls[i] = 0;
        if (!sql_arr_fill_row(f, args, i, has_lbs, elem, &out->b[i])) return false;
    }
    return true;
}

/* ---- set-returning functions ---- */

static bool sql_arr_unnest_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                               struct sql_rowset *out) {
    (void)nargs;
    sql_array_view av;
    sql_array_view_of(&args[0].b, &av);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    while (sql_array_iter_next(&it, &e)) {
        if (!sql_rowset_add_values(out, &e)) return rt_arena_fail(x->arena, x->err);
    }
    return true;
}

static bool sql_arr_series_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                               struct sql_rowset *out) {
    int64_t v = args[0].i64, stop = args[1].i64, step = nargs > 2 ? args[2].i64 : 1;
    if (step == 0) {
        return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
    }
    uint32_t type = args[0].type_oid;
    while (step > 0 ? v <= stop : v >= stop) {
        sql_value row = {.type_oid = type, .is_null = false, .i64 = v};
        if (!sql_rowset_add_values(out, &row)) return rt_arena_fail(x->arena, x->err);
        if (__builtin_add_overflow(v, step, &v)) break;
        if (type == SQL_T_INT4 && (v > INT32_MAX || v < INT32_MIN)) break;
    }
    return true;
}

static bool sql_arr_subscripts_srf(struct sql_exec_ctx *x, const sql_value *args,
                                   uint32_t nargs, struct sql_rowset *out) {
    sql_array_view av;
    sql_array_view_of(&args[0].b, &av);
    int64_t d = args[1].i64;
    bool reverse = nargs > 2 && args[2].i64 != 0;
    if (d < 1 || d > av.ndim) return true;
    int64_t lo = av.lbounds[d - 1], hi = lo + av.dims[d - 1] - 1;
    for (int64_t k = 0; k <= hi - lo; k++) {
        sql_value row = {.type_oid = SQL_T_INT4, .is_null = false,
                         .i64 = reverse ? hi - k : lo + k};
        if (!sql_rowset_add_values(out, &row)) return rt_arena_fail(x->arena, x->err);
    }
    return true;
}

/* ---- registration ---- */

#define AA SQL_T_ANYARRAY
#define AE SQL_T_ANYELEMENT
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define ST SQL_F_STRICT
#define FN(nm, r, fl, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,     \
                               .args = {__VA_ARGS__}, .ret = r, .flags = fl, .fn = k}
#define OP(sym, l, r, res, fl, k, com, pro)                                                   \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {l, r}, .ret = res, .flags = fl,  \
     .fn = k, .commutator = com, .proname = pro}
#define SRF(nm, r, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,         \
                            .args = {__VA_ARGS__}, .ret = r, .flags = ST | SQL_F_SRF,           \
                            .fn = sql_func_srf_scalar, .srf = k}

static const sql_func_def sql_array_defs[] = {
    FN("array_length", I4, ST, sql_arr_length, AA, I4),
    FN("array_lower", I4, ST, sql_arr_lower, AA, I4),
    FN("array_upper", I4, ST, sql_arr_upper, AA, I4),
    FN("array_ndims", I4, ST, sql_arr_ndims, AA),
    FN("array_dims", SQL_T_TEXT, ST, sql_arr_dims, AA),
    FN("cardinality", I4, ST, sql_arr_cardinality, AA),
    FN("array_append", AA, 0, sql_arr_append, AA, AE),
    FN("array_prepend", AA, 0, sql_arr_prepend, AE, AA),
    FN("array_cat", AA, 0, sql_arr_cat, AA, AA),
    OP("||", AA, AE, AA, 0, sql_arr_append, NULL, "array_append"),
    OP("||", AE, AA, AA, 0, sql_arr_prepend, NULL, "array_prepend"),
    OP("||", AA, AA, AA, 0, sql_arr_cat, NULL, "array_cat"),
    FN("array_position", I4, 0, sql_arr_position, AA, AE),
    FN("array_position", I4, 0, sql_arr_position, AA, AE, I4),
    FN("array_positions", SQL_T_INT4_ARRAY, 0, sql_arr_positions_k, AA, AE),
    FN("array_remove", AA, 0, sql_arr_remove, AA, AE),
    FN("array_replace", AA, 0, sql_arr_replace, AA, AE, AE),
    OP("@>", AA, AA, SQL_T_BOOL, ST, sql_arr_contains, "<@", "arraycontains"),
    OP("<@", AA, AA, SQL_T_BOOL, ST, sql_arr_contained, "@>", "arraycontained"),
    OP("&&", AA, AA, SQL_T_BOOL, ST, sql_arr_overlap, "&&", "arrayoverlap"),
    FN("arraycontains", SQL_T_BOOL, ST, sql_arr_contains, AA, AA),
    FN("arraycontained", SQL_T_BOOL, ST, sql_arr_contained, AA, AA),
    FN("arrayoverlap", SQL_T_BOOL, ST, sql_arr_overlap, AA, AA),
    FN("array_subscript", AE, ST, sql_arr_subscript, AA, I4),
    FN("array_subscripts", AE, ST | SQL_F_VARIADIC, sql_arr_subscript_md, AA, I4, I4),
    FN("array_slice", AA, ST | SQL_F_VARIADIC, sql_arr_slice, AA, I4),
    FN("array_assign", AA, 0, sql_arr_assign, AA, I4, AE),
    FN("array_fill", AA, 0, sql_arr_fill, AE, SQL_T_INT4_ARRAY),
    FN("array_fill", AA, 0, sql_arr_fill, AE, SQL_T_INT4_ARRAY, SQL_T_INT4_ARRAY),
    SRF("unnest", AE, sql_arr_unnest_srf, AA),
    SRF("generate_series", I4, sql_arr_series_srf, I4, I4),
    SRF("generate_series", I4, sql_arr_series_srf, I4, I4, I4),
    SRF("generate_series", I8, sql_arr_series_srf, I8, I8),
    SRF("generate_series", I8, sql_arr_series_srf, I8, I8, I8),
    SRF("generate_subscripts", I4, sql_arr_subscripts_srf, AA, I4),
    SRF("generate_subscripts", I4, sql_arr_subscripts_srf, AA, I4, SQL_T_BOOL),
};

void sql_funcs_register_array(void) {
    sql_funcs_register(sql_array_defs, sizeof sql_array_defs / sizeof sql_array_defs[0]);
}
