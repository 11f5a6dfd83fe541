/* sql_plan_int.h: private helpers shared by the optimiser (sql_plan.c) and EXPLAIN
 * (sql_plan_explain.c). */
#ifndef SQL_PLAN_INT_H
#define SQL_PLAN_INT_H

#include "sql/sql_plan.h"

/* Conjuncts of a predicate kept apart while the optimiser moves them. Past this many the rest
 * stay together in one conjunct (still correct, only pushed down less precisely). */
#define SQL_PLAN_CONJUNCTS_MAX 64

/* Rows assumed for a table that has no statistics yet. */
#define SQL_PLAN_DEFAULT_ROWS 1000.0

/* Splits `e` at its top-level ANDs into out[0..n) (at most SQL_PLAN_CONJUNCTS_MAX). */
uint32_t sql_plan_conjuncts(sql_expr *e, sql_expr **out, uint32_t cap);

/* Whether conjunct `c` over the columns of `scan` (a SCAN or PKGET) is `pkcol = value` with
 * a value that does not depend on the row (constants, parameters, outer columns): then *pk_pos
 * is the primary-key position of the column and *value the other side. */
bool sql_plan_pk_conjunct(const sql_plan *scan, const sql_expr *c, uint32_t *pk_pos,
                          sql_expr **value);

/* Makes `scan` (a SCAN with its final filter) an IXSCAN when a conjunct on the leading column
 * of one of its table's B-tree indexes (`=`, IN, <, <=, >, >=) is selective enough
 * (sql_plan_index.c). */
bool sql_plan_ixscan(rt_arena *arena, sql_plan *scan, rt_err *err);

/* ---- join order (sql_plan_join.c) ---- */

/* Relations of one tree of inner joins the optimiser reorders; a bigger tree keeps the
 * written order above its first SQL_JOIN_RELS_MAX relations. */
#define SQL_JOIN_RELS_MAX 16
/* Dynamic programming over all 2^n subsets up to this many relations (3^n split steps:
 * 6561 at 8), greedy pairing beyond. */
#define SQL_JOIN_DP_RELS_MAX 8

typedef struct sql_join_pred {
    uint32_t rels;           /* bitmask of the relations the predicate refers to */
    double selectivity;
    bool equi;               /* an equality a hash join can use */
} sql_join_pred;

/* A join tree: nodes 0..nrels-1 are the relations, then the joins bottom-up; the root last. */
typedef struct sql_join_node {
    uint32_t set;            /* relations below */
    int32_t left, right;     /* child nodes (-1 for a relation); right is the build side */
    double rows, cost;
} sql_join_node;

typedef struct sql_join_tree {
    sql_join_node nodes[2 * SQL_JOIN_RELS_MAX];
    uint32_t nnodes;
} sql_join_tree;

/* Chooses the cheapest join tree of `nrels` relations of rows[r] estimated rows. */
bool sql_join_order(rt_arena *arena, const double *rows, uint32_t nrels,
                    const sql_join_pred *preds, uint32_t npreds, sql_join_tree *out,
                    rt_err *err);

/* Column pruning over an optimised plan whose output must stay whole (sql_plan_prune.c). */
bool sql_plan_prune(rt_arena *arena, sql_plan *root, rt_err *err);

#endif
