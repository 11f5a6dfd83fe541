/* sql_exec_sort.c: SORT (with top-k when a limit is known), DISTINCT / DISTINCT ON, and the set
 * operations INTERSECT / EXCEPT [ALL] (UNION is APPEND + DISTINCT). */
#include <stdlib.h>
#include <string.h>

#include "sql/sql_exec_int.h"

int sql_exec_sort_cmp(const sql_sort_key *keys, uint32_t nkeys, const sql_value *a,
                      const sql_value *b) {
    for (uint32_t k = 0; k < nkeys; k++) {
        const sql_value *x = &a[k], *y = &b[k];
        int c;
        if (x->is_null || y->is_null) {
            if (x->is_null && y->is_null) continue;
            /* NULL sorts as if larger than every value, unless NULLS FIRST says otherwise. */
            c = x->is_null ? 1 : -1;
            if (keys[k].nulls_first != keys[k].desc) c = -c;
        } else {
            c = sql_value_cmp(x, y);
        }
        if (keys[k].desc) c = -c;
        if (c != 0) return c;
    }
    return 0;
}

/* ---- SORT ---- */

typedef struct sql_op_sort {
    sql_op base;
    sql_rowset rows;       /* sort keys first, then the input columns */
    uint64_t *order;
    uint64_t emitted;
    int64_t keep;          /* top-k: rows to keep (limit + offset), -1 = all */
    bool sorted;
} sql_op_sort;

/* qsort has no context argument; the comparison reads these (one sort at a time per thread:
 * sorting never yields). */
static _Thread_local const sql_op_sort *sql_sort_current;

static int sql_sort_qsort_cmp(const void *pa, const void *pb) {
    const sql_op_sort *s = sql_sort_current;
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    int c = sql_exec_sort_cmp(s->base.plan->sort.keys, s->base.plan->sort.nkeys,
                              sql_rowset_row(&s->rows, a), sql_rowset_row(&s->rows, b));
    if (c != 0) return c;
    return a < b ? -1 : a > b; /* stable */
}

static bool sql_sort_order(sql_op_sort *s, sql_exec_ctx *x) {
    uint64_t n = s->rows.count;
    s->order = rt_arena_alloc(x->arena, (n + 1) * sizeof(uint64_t));
    if (s->order == NULL) return false;
    for (uint64_t i = 0; i < n; i++) s->order[i] = i;
    sql_sort_current = s;
    qsort(s->order, n, sizeof(uint64_t), sql_sort_qsort_cmp);
    sql_sort_current = NULL;
    return true;
}

/* Top-k: when twice `keep` rows are held, sort and keep the best `keep`. */
static bool sql_sort_trim(sql_op_sort *s, sql_exec_ctx *x) {
    if (!sql_sort_order(s, x)) return false;
    uint64_t keep = (uint64_t)s->keep < s->rows.count ? (uint64_t)s->keep : s->rows.count;
    sql_rowset fresh;
    sql_rowset_init(&fresh, x->arena, s->rows.ncols);
    for (uint64_t i = 0; i < keep; i++) {
        if (!sql_rowset_add_values(&fresh, sql_rowset_row(&s->rows, s->order[i]))) return false;
    }
    s->rows = fresh;
    return true;
}

static bool sql_sort_consume(sql_op_sort *s, sql_exec_ctx *x) {
    const sql_plan *p = s->base.plan;
    uint32_t nk = p->sort.nkeys, width = nk + p->ncols;
    sql_value *row = rt_arena_alloc(x->arena, sizeof(sql_value) * width);
    if (row == NULL) return false;
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(s->base.child, x, &in)) return false;
        if (in == NULL) break;
        sql_eval_ctx ec;
        sql_exec_eval_ctx(x, s->base.batch_arena, &ec);
        sql_vec **keys = rt_arena_alloc(s->base.batch_arena, sizeof(sql_vec *) * (nk + 1u));
        if (keys == NULL) return false;
        for (uint32_t k = 0; k < nk; k++) {
            keys[k] = sql_eval(&ec, p->sort.keys[k].expr, in, in->rows, NULL);
            if (keys[k] == NULL) return false;
        }
        for (uint32_t r = 0; r < in->rows; r++) {
            for (uint32_t k = 0; k < nk; k++) sql_vec_get(keys[k], r, &row[k]);
            for (uint32_t c = 0; c < p->ncols; c++) sql_vec_get(&in->cols[c], r, &row[nk + c]);
            if (!sql_rowset_add_values(&s->rows, row)) return false;
        }
        if (s->keep >= 0 && s->rows.count >= 2 * (uint64_t)s->keep + SQL_BATCH_ROWS) {
            if (!sql_sort_trim(s, x)) return false;
        }
        rt_arena_reset(s->base.batch_arena);
    }
    return sql_sort_order(s, x);
}

static bool sql_sort_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_sort *s = (sql_op_sort *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    if (!s->sorted) {
        s->sorted = true;
        int64_t limit, offset;
        if (!sql_exec_count_expr(x, p->sort.limit, false, &limit) ||
            !sql_exec_count_expr(x, p->sort.offset, true, &offset)) {
            return false;
        }
        s->keep = limit >= 0 ? limit + (offset > 0 ? offset : 0) : -1;
        if (!sql_sort_consume(s, x)) return false;
    }
    uint64_t total = s->rows.count;
    if (s->keep >= 0 && (uint64_t)s->keep < total) total = (uint64_t)s->keep;
    if (s->emitted >= total) return true;
    uint32_t n = total - s->emitted > SQL_BATCH_ROWS ? SQL_BATCH_ROWS
                                                     : (uint32_t)(total - s->emitted);
    sql_batch *b = sql_exec_batch(op->batch_arena, p, n);
    if (b == NULL) return false;
    uint32_t nk = p->sort.nkeys;
    for (uint32_t r = 0; r < n; r++) {
        const sql_value *row = sql_rowset_row(&s->rows, s->order[s->emitted + r]);
        for (uint32_t c = 0; c < p->ncols; c++) sql_vec_set(&b->cols[c], r, &row[nk + c]);
    }
    b->rows = n;
    s->emitted += n;
    *out = b;
    return true;
}
static const sql_op_vt sql_sort_vt = {NULL, sql_sort_next, NULL};

sql_op *sql_op_new_sort(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_sort *s = (sql_op_sort *)sql_op_alloc(x, p, &sql_sort_vt, sizeof *s);
    if (s == NULL) return NULL;
    sql_rowset_init(&s->rows, x->arena, p->sort.nkeys + p->ncols);
    return &s->base;
}

/* ---- DISTINCT / DISTINCT ON ---- */

typedef struct sql_op_distinct {
    sql_op base;
    sql_htab seen;
} sql_op_distinct;

static bool sql_distinct_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_distinct *d = (sql_op_distinct *)op;
    const sql_plan *p = op->plan;
    uint32_t nk = p->distinct.nkeys > 0 ? p->distinct.nkeys : p->ncols;
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(op->child, x, &in)) return false;
        *out = NULL;
        if (in == NULL) return true;
        sql_eval_ctx ec;
        sql_exec_eval_ctx(x, op->batch_arena, &ec);
        sql_vec **keys = rt_arena_alloc(op->batch_arena, sizeof(sql_vec *) * (nk + 1u));
        uint8_t *sel = rt_arena_zalloc(op->batch_arena, in->rows + 1u);
        sql_value *key = rt_arena_alloc(op->batch_arena, sizeof(sql_value) * (nk + 1u));
        if (keys == NULL || sel == NULL || key == NULL) return false;
        for (uint32_t k = 0; k < nk; k++) {
            keys[k] = p->distinct.nkeys > 0
                          ? sql_eval(&ec, p->distinct.keys[k], in, in->rows, NULL)
                          : &in->cols[k];
            if (keys[k] == NULL) return false;
        }
        uint32_t kept = 0;
        for (uint32_t r = 0; r < in->rows; r++) {
            for (uint32_t k = 0; k < nk; k++) sql_vec_get(keys[k], r, &key[k]);
            bool inserted, oom;
            sql_htab_find(&d->seen, key, sql_htab_hash(key, nk), key, true, &inserted, &oom);
            if (oom) return rt_arena_fail(x->arena, x->err);
            sel[r] = inserted;
            kept += inserted;
        }
        if (kept == 0) continue;
        *out = kept == in->rows ? in : sql_exec_select_rows(op->batch_arena, in, sel, kept);
        return *out != NULL;
    }
}
static const sql_op_vt sql_distinct_vt = {NULL, sql_distinct_next, NULL};

sql_op *sql_op_new_distinct(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_distinct *d = (sql_op_distinct *)sql_op_alloc(x, p, &sql_distinct_vt, sizeof *d);
    if (d == NULL) return NULL;
    uint32_t nk = p->distinct.nkeys > 0 ? p->distinct.nkeys : p->ncols;
    if (!sql_htab_init(&d->seen, x->arena, nk, nk)) return NULL;
    return &d->base;
}

/* ---- INTERSECT / EXCEPT [ALL] ---- */

enum { SQL_SETOP_UNION_ = 1, SQL_SETOP_INTERSECT_ = 2, SQL_SETOP_EXCEPT_ = 3 };

typedef struct sql_op_setop {
    sql_op base;
    sql_htab counts;       /* row ++ (left count, right count) as int8 values */
    bool built;
    uint64_t next_group;
    int64_t repeat_left;   /* copies of the current group still to emit */
} sql_op_setop;

static bool sql_setop_count(sql_op_setop *s, sql_exec_ctx *x, sql_op *in_op, uint32_t side) {
    uint32_t nc = s->base.plan->ncols;
    sql_value *row = rt_arena_alloc(x->arena, sizeof(sql_value) * (nc + 2));
    if (row == NULL) return false;
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(in_op, x, &in)) return false;
        if (in == NULL) return true;
        for (uint32_t r = 0; r < in->rows; r++) {
            for (uint32_t c = 0; c < nc; c++) sql_vec_get(&in->cols[c], r, &row[c]);
            row[nc] = (sql_value){.type_oid = SQL_T_INT8, .i64 = 0};
            row[nc + 1] = (sql_value){.type_oid = SQL_T_INT8, .i64 = 0};
            bool inserted, oom;
            uint64_t idx = sql_htab_find(&s->counts, row, sql_htab_hash(row, nc), row,
                                         side == 0, &inserted, &oom);
            if (oom) return rt_arena_fail(x->arena, x->err);
            if (idx == UINT64_MAX) continue; /* right-only rows never show up */
            sql_rowset_row(&s->counts.rows, idx)[nc + side].i64++;
        }
    }
}

static bool sql_setop_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_setop *s = (sql_op_setop *)op;
    const sql_plan *p = op->plan;
    uint32_t nc = p->ncols;
    if (!s->built) {
        s->built = true;
        if (!sql_setop_count(s, x, op->child, 0) || !sql_setop_count(s, x, op->child2, 1)) {
            return false;
        }
    }
    sql_batch *b = sql_exec_batch(op->batch_arena, p, SQL_BATCH_ROWS);
    if (b == NULL) return false;
    uint32_t n = 0;
    while (n < SQL_BATCH_ROWS && s->next_group < s->counts.rows.count) {
        const sql_value *row = sql_rowset_row(&s->counts.rows, s->next_group);
        if (s->repeat_left <= 0) {
            int64_t l = row[nc].i64, r = row[nc + 1].i64, copies;
            if (p->setop.op == SQL_SETOP_INTERSECT_) {
                copies = p->setop.all ? (l < r ? l : r) : (l > 0 && r > 0);
            } else {
                copies = p->setop.all ? (l > r ? l - r : 0) : (l > 0 && r == 0);
            }
            s->repeat_left = copies;
            if (copies <= 0) {
                s->next_group++;
                continue;
            }
        }
        for (uint32_t c = 0; c < nc; c++) sql_vec_set(&b->cols[c], n, &row[c]);
        n++;
        if (--s->repeat_left <= 0) s->next_group++;
    }
    b->rows = n;
    *out = n > 0 ? b : NULL;
    return true;
}
static const sql_op_vt sql_setop_vt = {NULL, sql_setop_next, NULL};

sql_op *sql_op_new_setop(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_setop *s = (sql_op_setop *)sql_op_alloc(x, p, &sql_setop_vt, sizeof *s);
    if (s == NULL) return NULL;
    s->base.child2 = sql_op_build(x, p->right);
    if (s->base.child2 == NULL) return NULL;
    if (!sql_htab_init(&s->counts, x->arena, p->ncols, p->ncols + 2)) return NULL;
    return &s->base;
}
