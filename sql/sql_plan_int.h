/* sql_plan_int.h: private helpers shared by the optimiser (sql_plan.c) and EXPLAIN
 * (sql_plan_explain.c). */
#ifndef SQL_PLAN_INT_H
#define SQL_PLAN_INT_H

#include "sql/sql_plan.h"

/* Conjuncts of a predicate kept apart while the optimiser moves them. Past this many the rest
 * stay together in one conjunct (still correct, only pushed down less precisely). */
#define SQL_PLAN_CONJUNCTS_MAX 64

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

/* Column pruning over an optimised plan whose output must stay whole (sql_plan_prune.c). */
bool sql_plan_prune(rt_arena *arena, sql_plan *root, rt_err *err);

#endif
