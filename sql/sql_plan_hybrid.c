/* sql_plan_hybrid.c: the hybrid planner's choice for `ORDER BY v <op> q LIMIT k` over one
 * table: scalar-first keeps the scan (filter pushed down, exact distances, per-fragment top-k);
 * ANN-first turns the fragment's scan into an ANNSCAN that walks each partition's HNSW graph.
 * Only when the ORDER BY operator computes the graph's metric: any other distance is answered
 * exactly by the scan. The estimate behind the choice stays on the node for EXPLAIN HYBRID. */
#include <string.h>

#include "sql/sql_hybrid.h"
#include "sql/sql_types.h"
#include "sql/sql_batch.h"
#include "sql/sql_plan_int.h"

/* The metric (eng_hnsw_metric numbering) an operator computes, 0 if none. */
static uint32_t sql_hybrid_op_metric(const char *op) {
    if (strcmp(op, "<=>") == 0) return ENG_METRIC_COSINE;
    if (strcmp(op, "<->") == 0) return ENG_METRIC_L2;
    if (strcmp(op, "<#>") == 0) return ENG_METRIC_IP;
    return 0;
}

/* The metric of the graph of column `attnum` of t, as the engine builds it. */
static uint32_t sql_hybrid_graph_metric(const eng_table *t, uint16_t attnum) {
    uint32_t metric = ENG_METRIC_COSINE;
    bool user = false;
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (ix->method != ENG_INDEX_HNSW || ix->column_count < 1 || ix->attnums[0] != attnum) {
            continue;
        }
        if (ix->automatic && user) continue;
        if (ix->metric != 0) metric = ix->metric;
        user |= !ix->automatic;
    }
    return metric;
}

static bool sql_hybrid_row_independent(const sql_expr *e) {
    if (e == NULL) return false;
    switch (e->kind) {
    case SQL_X_CONST:
    case SQL_X_PARAM:
    case SQL_X_OUTER: return true; /* fixed per run: a LATERAL or correlated subquery's row */
    case SQL_X_FUNC:
    case SQL_X_COERCE:
        if (e->kind == SQL_X_FUNC && (e->func.def->flags & SQL_F_VOLATILE)) return false;
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (!sql_hybrid_row_independent(e->args[i])) return false;
        }
        return true;
    default: return false;
    }
}

/* The scan column a fragment output column comes from (through an optional PROJECT). */
static bool sql_hybrid_scan_col(const sql_plan *top, const sql_plan *scan, uint32_t col,
                                uint32_t *scan_col) {
    if (col >= top->ncols) return false;
    const sql_expr *e = top->project.exprs[col];
    if (e->kind != SQL_X_COLUMN || e->column.depth != 0) return false;
    *scan_col = e->column.index;
    return *scan_col < scan->scan.natts;
}

/* A constant number of rows, or 10 for a parameter. */
static int64_t sql_hybrid_const_rows(const sql_expr *e, bool *known) {
    /* LIMIT 5 arrives as a cast of an int4 constant to int8. */
    while (e != NULL && (e->kind == SQL_X_FUNC || e->kind == SQL_X_COERCE) && e->nargs == 1 &&
           sql_type_is_integer(e->args[0]->type_oid)) {
        e = e->args[0];
    }
    *known = e != NULL && e->kind == SQL_X_CONST && !e->constval.is_null &&
             sql_phys_of_type(e->type_oid) == SQL_PHYS_I64;
    return *known ? e->constval.i64 : 10;
}

bool sql_plan_hybrid(rt_arena *arena, sql_plan *sort, sql_plan *gather, uint32_t ef_search,
                     rt_err *err) {
    (void)err;
    if (sort->sort.nkeys == 0 || sort->sort.keys[0].desc || sort->sort.limit == NULL) {
        return true;
    }
    sql_plan *top = gather->left; /* the fragment: local SORT, then PROJECT? then SCAN */
    if (top != NULL && top->kind == SQL_P_SORT) top = top->left;
    sql_plan *scan = top != NULL && top->kind == SQL_P_PROJECT ? top->left : top;
    /* An IXSCAN (a selective WHERE on an indexed column) is scalar-first by index: on a
     * large table its candidates can still be far more than an ANN-first walk visits. */
    if (scan == NULL || (scan->kind != SQL_P_SCAN && scan->kind != SQL_P_IXSCAN) ||
        scan->scan.want_slots || scan->scan.lock_strength != 0) {
        return true;
    }
    /* The key is over the GATHER's output: the scan's columns, or a fragment PROJECT's. */
    const sql_expr *key = sort->sort.keys[0].expr;
    bool over_scan = top == scan;
    if (!over_scan && key->kind == SQL_X_COLUMN && key->column.index < top->ncols) {
        key = top->project.exprs[key->column.index]; /* the distance computed in the fragment */
        over_scan = true;
    }
    if (key->kind != SQL_X_FUNC || !key->func.def->is_operator || key->nargs != 2) return true;
    uint32_t metric = sql_hybrid_op_metric(key->func.def->name);
    const sql_expr *col = key->args[0], *query = key->args[1];
    if (col->kind != SQL_X_COLUMN) col = key->args[1], query = key->args[0];
    if (metric == 0 || col->kind != SQL_X_COLUMN || col->column.depth != 0 ||
        !sql_hybrid_row_independent(query)) {
        return true;
    }
    uint32_t scan_col = col->column.index;
    if (!over_scan && !sql_hybrid_scan_col(top, scan, col->column.index, &scan_col)) return true;
    if (scan_col >= scan->scan.natts) return true;
    const eng_table *t = scan->scan.table;
    uint16_t attnum = scan->scan.attnums[scan_col];
    if (attnum == 0 || t->columns[attnum - 1].type_oid != SQL_T_VECTOR ||
        sql_hybrid_graph_metric(t, attnum) != metric) {
        return true;
    }
    bool known_limit, known_offset = true;
    int64_t k = sql_hybrid_const_rows(sort->sort.limit, &known_limit);
    if (sort->sort.offset != NULL) k += sql_hybrid_const_rows(sort->sort.offset, &known_offset);
    if (!known_offset || k <= 0) return true;
    sql_hybrid_est *est = rt_arena_zalloc(arena, sizeof *est);
    if (est == NULL) return rt_arena_fail(arena, err);
    sql_hybrid_estimate(t, scan->scan.attnums, scan->scan.natts, scan->scan.filter, attnum,
                        (uint32_t)k, ef_search, -1, scan->kind == SQL_P_IXSCAN, est);
    scan->hybrid = est;
    sql_expr *kexpr = sort->sort.limit;
    if (sort->sort.offset != NULL) {
        sql_value kv = {.type_oid = SQL_T_INT8, .i64 = k};
        kexpr = sql_expr_const(arena, &kv, -1);
        if (kexpr == NULL) return rt_arena_fail(arena, err);
    }
    if (!est->ann_first) {
        if (scan->kind == SQL_P_IXSCAN && sort->sort.nkeys == 1) {
            /* Scalar-first by index: the scan ranks its candidates itself (distances from
             * the vectors in place, a top-k heap), so only k rows per fragment go up. Not
             * with a second sort key: rows tied on the distance would be cut by arrival. */
            scan->scan.topk_col = scan_col + 1;
            scan->scan.topk_metric = metric;
            scan->scan.topk_query = (sql_expr *)query;
            scan->scan.topk_k = kexpr;
        }
        return true;
    }
    /* ANN-first: the same columns, the filter checked during the walk (an IXSCAN's filter
     * is the whole WHERE, its index conditions included). */
    const eng_table *table = t;
    uint32_t natts = scan->scan.natts;
    uint16_t *attnums = scan->scan.attnums;
    sql_expr *filter = scan->scan.filter;
    memset(&scan->ann, 0, sizeof scan->ann);
    scan->kind = SQL_P_ANNSCAN;
    scan->ann.table = table;
    scan->ann.natts = natts;
    scan->ann.attnums = attnums;
    scan->ann.filter = filter;
    scan->ann.vec_attnum = attnum;
    scan->ann.metric = metric;
    scan->ann.query = (sql_expr *)query;
    scan->ann.k = kexpr;
    scan->est_rows = (double)k;
    return true;
}
