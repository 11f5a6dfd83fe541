/* sql_plan_costs.c: the figures EXPLAIN prints for every node, "(cost=S..T rows=R width=W)",
 * in PostgreSQL's cost units (a sequential page read = 1.0, a row handled = cpu_tuple_cost,
 * an operator evaluated = cpu_operator_cost, their defaults).
 * The optimiser's own model counts a table read's work in rows' worth (est_cost,
 * sql_plan_index.c) and every node's estimated rows (est_rows); here a row's worth becomes a
 * row's cost in those units (its share of 8 KiB pages plus cpu_tuple_cost) and every other
 * node adds its own work to its inputs' as PostgreSQL's cost functions (costsize.c) shape it:
 * startup is what is spent before the first row comes out (a sort, a hash build, an
 * aggregate's input), total when the last has. A node without an estimate of its rows gets
 * one derived from its inputs (a filter keeps a third, as PostgreSQL's default selectivity).
 * Pure functions of the plan: nothing is stored. */
#include <math.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"
#include "sql/sql_types.h"

#define SQL_COST_SEQ_PAGE 1.0      /* seq_page_cost */
#define SQL_COST_CPU_TUPLE 0.01    /* cpu_tuple_cost */
#define SQL_COST_CPU_OPERATOR 0.0025 /* cpu_operator_cost */
#define SQL_COST_PAGE_BYTES 8192.0 /* a page's share of a row: its width plus a row header */
#define SQL_COST_ROW_HEADER_BYTES 28.0
#define SQL_COST_LIMIT_UNKNOWN 0.10 /* LIMIT / OFFSET of a parameter: a tenth, as PostgreSQL */
#define SQL_COST_DEPTH_MAX 1000u   /* plans are not deeper (the binder's nesting limits);
                                      below it nodes count by their rows alone */

static bool sql_cost_ops_fn(const sql_expr *e, void *arg) {
    uint32_t *n = arg;
    switch (e->kind) {
    case SQL_X_CONST: case SQL_X_PARAM: case SQL_X_COLUMN: case SQL_X_OUTER: break;
    default: (*n)++;
    }
    return true;
}

/* Operators an expression evaluates per row (at least one when there is an expression). */
static double sql_cost_ops(const sql_expr *e) {
    if (e == NULL) return 0;
    uint32_t n = 0;
    sql_expr_walk(e, sql_cost_ops_fn, &n);
    return n > 0 ? n : 1;
}

uint32_t sql_plan_width(const sql_plan *p) {
    uint32_t w = 0;
    for (uint32_t c = 0; c < p->ncols; c++) {
        const sql_type_def *t = sql_type_by_oid(p->cols[c].type_oid);
        w += t != NULL && t->typlen > 0 ? (uint32_t)t->typlen : 32u;
    }
    return w;
}

/* A row read by a scan, of `width` bytes. */
static double sql_cost_row(uint32_t width) {
    return SQL_COST_CPU_TUPLE +
           SQL_COST_SEQ_PAGE * (width + SQL_COST_ROW_HEADER_BYTES) / SQL_COST_PAGE_BYTES;
}

/* A constant LIMIT / OFFSET count (also one cast to int8), or -1 when it is not one (NULL:
 * none, also -1). */
static double sql_cost_count(const sql_expr *e) {
    if (e != NULL && e->kind == SQL_X_FUNC && e->nargs == 1) e = e->args[0];
    if (e == NULL || e->kind != SQL_X_CONST || e->constval.is_null) return -1;
    if (e->type_oid != SQL_T_INT2 && e->type_oid != SQL_T_INT4 && e->type_oid != SQL_T_INT8) {
        return -1;
    }
    return e->constval.i64 < 0 ? 0 : (double)e->constval.i64;
}

static void sql_cost_node(const sql_plan *p, sql_plan_est *out, uint32_t depth);

/* A child's estimate; past the depth bound, its rows' handling alone. */
static sql_plan_est sql_cost_child(const sql_plan *p, uint32_t depth) {
    sql_plan_est e = {.rows = 1, .width = 0};
    if (p == NULL) return e;
    if (depth > SQL_COST_DEPTH_MAX) {
        e.rows = p->est_rows >= 1 ? p->est_rows : 1;
        e.total = e.rows * SQL_COST_CPU_TUPLE;
        e.width = sql_plan_width(p);
        return e;
    }
    sql_cost_node(p, &e, depth + 1);
    return e;
}

/* A table read: rows in rows' worth of work (est_cost), the filter evaluated on each. */
static void sql_cost_scan(const sql_plan *p, sql_plan_est *e) {
    double all = sql_stats_rows(p->scan.table);
    if (all < 0) all = SQL_PLAN_DEFAULT_ROWS;
    double read = p->kind == SQL_P_PKGET ? 1 : p->est_cost > 0 ? p->est_cost : all;
    double per = sql_cost_row(sql_plan_width(p)) + SQL_COST_CPU_OPERATOR *
                 sql_cost_ops(p->scan.filter);
    e->startup = 0;
    if (p->kind != SQL_P_SCAN) { /* an index's descent before the first row */
        e->startup = SQL_COST_CPU_OPERATOR * ceil(log2(all + 2));
    }
    e->total = e->startup + read * per;
}

static void sql_cost_join(const sql_plan *p, const sql_plan_est *l, const sql_plan_est *r,
                          sql_plan_est *e) {
    double quals = SQL_COST_CPU_OPERATOR * sql_cost_ops(p->join.quals);
    double out = e->rows * SQL_COST_CPU_TUPLE;
    if (p->kind == SQL_P_NESTLOOP && p->join.lateral) { /* the right side run per left row */
        e->startup = l->startup + r->startup;
        e->total = l->total + l->rows * (r->total + r->rows * quals) + out;
    } else if (p->kind == SQL_P_NESTLOOP) { /* the right rows kept, every pair tested */
        e->startup = l->startup + r->total;
        e->total = l->total + r->total + l->rows * r->rows * quals + out;
    } else if (p->join.merge) {
        double keys = SQL_COST_CPU_OPERATOR * p->join.nkeys;
        e->startup = l->startup + r->startup;
        e->total = l->total + r->total + (l->rows + r->rows) * keys + e->rows * quals + out;
    } else { /* the right side hashed first */
        double keys = SQL_COST_CPU_OPERATOR * p->join.nkeys;
        e->startup = r->total + r->rows * (keys + SQL_COST_CPU_TUPLE) + l->startup;
        e->total = e->startup + (l->total - l->startup) + l->rows * keys + e->rows * quals + out;
    }
}

/* Rows a node returns when the optimiser left it no estimate, from its input's. */
static double sql_cost_rows_derived(const sql_plan *p, const sql_plan_est *l,
                                    const sql_plan_est *r) {
    switch (p->kind) {
    case SQL_P_RESULT: return 1;
    case SQL_P_VALUES: return p->values.nrows;
    case SQL_P_FILTER: return l->rows / 3;
    case SQL_P_AGG: return p->agg.ngroup == 0 ? 1 : l->rows / 10;
    case SQL_P_DISTINCT: return l->rows / 10;
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        return p->join.quals != NULL || p->join.nkeys > 0 ? fmax(l->rows, r->rows)
                                                          : l->rows * r->rows;
    case SQL_P_SETOP: return p->setop.op == 1 ? l->rows + r->rows : l->rows;
    case SQL_P_MATERIAL: case SQL_P_CTESCAN: case SQL_P_WORKTABLE: /* the WITH query's rows */
        return p->left != NULL && p->left->est_rows > 0 ? p->left->est_rows
                                                        : SQL_PLAN_DEFAULT_ROWS;
    case SQL_P_SCAN: case SQL_P_IXSCAN: case SQL_P_PKGET: case SQL_P_CATALOG:
    case SQL_P_FUNCSCAN: case SQL_P_ANNSCAN: case SQL_P_SOURCE:
        return p->left == NULL ? SQL_PLAN_DEFAULT_ROWS : l->rows;
    default: return p->left != NULL ? l->rows : SQL_PLAN_DEFAULT_ROWS;
    }
}

/* SORT: PostgreSQL's comparison count, 2 N log2 N (a top-k: N log2 2k) before the first row. */
static void sql_cost_sort(const sql_plan *p, const sql_plan_est *in, sql_plan_est *e) {
    double n = in->rows > 2 ? in->rows : 2;
    double k = sql_cost_count(p->sort.limit), off = sql_cost_count(p->sort.offset);
    double cmp = n * log2(n);
    if (k >= 0) {
        double keep = k + (off > 0 ? off : 0);
        if (keep < n) cmp = n * log2(2 * (keep > 1 ? keep : 1));
    }
    double keys = p->sort.nkeys > 0 ? p->sort.nkeys : 1;
    e->startup = in->total + 2 * SQL_COST_CPU_OPERATOR * keys * cmp;
    e->total = e->startup + SQL_COST_CPU_OPERATOR * e->rows;
}

/* LIMIT: the share of its input's run the rows it takes cost. */
static void sql_cost_limit(const sql_plan *p, const sql_plan_est *in, sql_plan_est *e) {
    double n = in->rows > 1 ? in->rows : 1, run = in->total - in->startup;
    double k = sql_cost_count(p->limit.limit), off = sql_cost_count(p->limit.offset);
    if (k < 0) k = p->limit.limit != NULL ? n * SQL_COST_LIMIT_UNKNOWN : n;
    if (off < 0) off = p->limit.offset != NULL ? n * SQL_COST_LIMIT_UNKNOWN : 0;
    double upto = off + k < n ? off + k : n;
    e->startup = in->startup + run * (off < n ? off : n) / n;
    e->total = in->startup + run * upto / n;
}

static void sql_cost_agg(const sql_plan *p, const sql_plan_est *in, sql_plan_est *e) {
    double work = 0;
    for (uint32_t i = 0; i < p->agg.naggs; i++) {
        double ops = 1;
        for (uint32_t a = 0; a < p->agg.aggs[i].nargs; a++) {
            ops += sql_cost_ops(p->agg.aggs[i].args[a]) - 1;
        }
        work += ops;
    }
    if (p->agg.ngroup == 0) { /* one row, after all of the input */
        e->startup = e->total = in->total + in->rows * SQL_COST_CPU_OPERATOR * work +
                                SQL_COST_CPU_TUPLE;
        return;
    }
    double sets = p->agg.nsets > 0 ? p->agg.nsets : 1;
    e->startup = in->total + in->rows * SQL_COST_CPU_OPERATOR * (p->agg.ngroup * sets + work);
    e->total = e->startup + e->rows * SQL_COST_CPU_TUPLE;
}

/* The work of node p on top of its inputs' estimates l and r. */
static void sql_cost_self(const sql_plan *p, const sql_plan_est *l, const sql_plan_est *r,
                          uint32_t depth, sql_plan_est *e) {
    double out = e->rows * SQL_COST_CPU_TUPLE;
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN: sql_cost_scan(p, e); break;
    case SQL_P_ANNSCAN: /* the graph walk before the first row, then its rows */
        e->startup = e->rows * sql_cost_row(sql_plan_width(p)) * 10;
        e->total = e->startup + out;
        break;
    case SQL_P_RESULT: e->total = SQL_COST_CPU_TUPLE; break;
    case SQL_P_VALUES: e->total = out + e->rows * p->ncols * SQL_COST_CPU_OPERATOR; break;
    case SQL_P_FUNCSCAN: e->total = out + e->rows * SQL_COST_CPU_OPERATOR; break;
    case SQL_P_CATALOG: case SQL_P_SOURCE: case SQL_P_MATERIAL: case SQL_P_CTESCAN:
    case SQL_P_WORKTABLE:
        e->total = out; /* a WITH query's own plan is costed in its section */
        break;
    case SQL_P_FILTER:
        e->startup = l->startup;
        e->total = l->total + l->rows * SQL_COST_CPU_OPERATOR * sql_cost_ops(p->filter.pred);
        break;
    case SQL_P_PROJECT: {
        double ops = 0;
        for (uint32_t c = 0; c < p->ncols; c++) ops += sql_cost_ops(p->project.exprs[c]) - 1;
        e->startup = l->startup;
        e->total = l->total + e->rows * SQL_COST_CPU_OPERATOR * ops;
        break;
    }
    case SQL_P_GATHER: { /* rows handed between cores; a merge compares per row */
        double parts = p->gather.npartitions > 0 ? p->gather.npartitions : 1;
        e->startup = l->startup;
        e->total = l->total + out;
        if (p->gather.merge_sorted) e->total += e->rows * SQL_COST_CPU_OPERATOR * log2(parts + 1);
        break;
    }
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN: sql_cost_join(p, l, r, e); break;
    case SQL_P_AGG: sql_cost_agg(p, l, e); break;
    case SQL_P_SORT: sql_cost_sort(p, l, e); break;
    case SQL_P_LIMIT: sql_cost_limit(p, l, e); break;
    case SQL_P_DISTINCT:
        if (p->distinct.nkeys > 0) { /* Unique over sorted input */
            e->startup = l->startup;
            e->total = l->total + l->rows * SQL_COST_CPU_OPERATOR * p->distinct.nkeys;
        } else {
            e->startup = l->total + l->rows * SQL_COST_CPU_OPERATOR * p->ncols;
            e->total = e->startup + out;
        }
        break;
    case SQL_P_SETOP:
        e->startup = l->total + r->total + (l->rows + r->rows) * SQL_COST_CPU_OPERATOR * p->ncols;
        e->total = e->startup + out;
        break;
    case SQL_P_APPEND:
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            sql_plan_est in = sql_cost_child(p->append.inputs[i], depth);
            if (i == 0) e->startup = in.startup;
            e->total += in.total;
        }
        break;
    case SQL_P_RECURSIVE: /* PostgreSQL assumes ten rounds of the recursive term */
        e->startup = l->startup;
        e->total = l->total + 10 * r->total;
        break;
    case SQL_P_WINDOW: case SQL_P_PROJECTSET: case SQL_P_LOCKROWS:
    case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE:
        e->startup = l->startup;
        e->total = l->total + l->rows * SQL_COST_CPU_TUPLE;
        if (p->kind == SQL_P_WINDOW) e->total += l->rows * SQL_COST_CPU_OPERATOR * p->window.nfuncs;
        break;
    case SQL_P_MODIFYCTE: *e = *l; break;
    }
}

static void sql_cost_node(const sql_plan *p, sql_plan_est *e, uint32_t depth) {
    sql_plan_est l = {.rows = 1}, r = {.rows = 1};
    if (p->left != NULL && p->kind != SQL_P_MATERIAL && p->kind != SQL_P_CTESCAN) {
        l = sql_cost_child(p->left, depth);
    }
    if (p->right != NULL) r = sql_cost_child(p->right, depth);
    *e = (sql_plan_est){.rows = p->est_rows, .width = sql_plan_width(p)};
    /* from the input's figures here (the optimiser's may predate them): a filter keeps a
     * third as the optimiser's rule, a projection all, a WITH query's scan its rows */
    switch (p->kind) {
    case SQL_P_FILTER: case SQL_P_MATERIAL: case SQL_P_CTESCAN: case SQL_P_WORKTABLE:
        e->rows = 0;
        break;
    case SQL_P_PROJECT: if (p->left != NULL) e->rows = l.rows; break;
    default: break;
    }
    if (p->kind == SQL_P_APPEND && e->rows <= 0) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            double n = p->append.inputs[i]->est_rows;
            e->rows += n >= 1 ? n : 1;
        }
    }
    if (e->rows <= 0) e->rows = sql_cost_rows_derived(p, &l, &r);
    bool fewer = p->kind == SQL_P_LIMIT || p->kind == SQL_P_AGG || p->kind == SQL_P_DISTINCT ||
                 p->kind == SQL_P_SORT || p->kind == SQL_P_WINDOW || p->kind == SQL_P_LOCKROWS;
    if (fewer && p->left != NULL && e->rows > l.rows) e->rows = l.rows; /* no more than in */
    if (p->kind == SQL_P_GATHER && p->left != NULL) { /* each fragment's rows at most */
        uint32_t parts = p->gather.npartitions > 0 ? p->gather.npartitions
                         : p->gather.table != NULL ? p->gather.table->partition_count : 1;
        if (e->rows > l.rows * parts) e->rows = l.rows * parts;
    }
    double k = p->kind == SQL_P_LIMIT  ? sql_cost_count(p->limit.limit)
               : p->kind == SQL_P_SORT ? sql_cost_count(p->sort.limit)
                                       : -1;
    if (k >= 0 && p->kind == SQL_P_SORT) k += fmax(sql_cost_count(p->sort.offset), 0);
    if (k >= 0 && e->rows > k) e->rows = k; /* a LIMIT's, a top-k's rows */
    if (e->rows < 1) e->rows = 1; /* as PostgreSQL's clamp_row_est */
    e->rows = rint(e->rows);
    sql_cost_self(p, &l, &r, depth, e);
    bool modify = p->kind == SQL_P_INSERT || p->kind == SQL_P_UPDATE || p->kind == SQL_P_DELETE;
    if (modify && p->modify.nreturning == 0) { /* ModifyTable returns nothing */
        e->rows = 0;
        e->width = 0;
    }
    if (e->total < e->startup) e->total = e->startup;
}

void sql_plan_estimate(const sql_plan *p, sql_plan_est *out) { sql_cost_node(p, out, 0); }
