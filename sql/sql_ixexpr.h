/* sql_ixexpr.h: expression and partial indexes (CREATE INDEX ... ((lower(name))) WHERE ...).
 * The catalog keeps an index's expressions and predicate as text in PostgreSQL's own spelling
 * (eng_index.expr_text[k], predicate_text: what pg_get_indexdef prints), made here from the
 * bound expression by a deparser that follows PostgreSQL's rules for parentheses, casts and
 * constant labels. The same text identifies an expression: the planner deparses a query's
 * expression over the same table and compares the strings.
 * Owns:    the deparser; a per-thread cache of bound index definitions (keyed by index oid and
 *          table definition generation) and the evaluator the engine calls for every row
 *          version it indexes (installed with sql_ixexpr_install).
 * Core:    any; the cache belongs to the calling thread and is only used by it.
 * Memory:  deparsed text in the caller's arena; evaluated values live in the cache entry's
 *          arena until the next evaluation on the thread (sql_ixexpr_eval_copy copies them).
 * Errors:  42P17 for functions that are not IMMUTABLE, 0A000 for expression shapes the deparser
 *          does not know (and subqueries), the binder's errors, evaluation errors (22012, ...).
 * Limits:  SQL_IXEXPR_CACHE_SLOTS definitions bound per thread. */
#ifndef SQL_IXEXPR_H
#define SQL_IXEXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "sql/sql_expr.h"
#include "sql/sql_strbuf.h"

/* Index definitions a thread keeps bound: a table with more expression indexes than this
 * still works, re-binding as it goes. */
#define SQL_IXEXPR_CACHE_SLOTS 32u

/* Installs the evaluator into the engine (eng_part_set_index_expr_fn). */
void sql_ixexpr_install(void);

/* Appends `e` as PostgreSQL's ruleutils prints it (pretty: psql's \d form with fewer
 * parentheses). Column references are table columns (index attnum - 1) when `attnums` is NULL,
 * else scan columns: index i reads attnum attnums[i] of `t`. False for a shape it does not
 * know. */
bool sql_ixexpr_deparse(sql_strbuf *sb, const eng_table *t, const uint16_t *attnums,
                        uint32_t natts, const sql_expr *e, bool pretty);
/* pg_get_expr(..., pretty => true) of an expression `text` of table t (an index predicate or
 * expression): the pretty form into `sb`, when `text` binds and prints back as itself (so the
 * pretty form says the same); false otherwise (the caller shows `text`). Names other than
 * t's columns (a sequence in a default) resolve in `catalog` and `db`. */
bool sql_ixexpr_pretty(sql_strbuf *sb, const eng_catalog *catalog, const eng_database *db,
                       const eng_table *t, const char *text, uint32_t len);
/* pg_get_expr(...) of an expression `text` of table t (a column default): PostgreSQL's
 * spelling of its bound form into `sb` (upper('x'::text) for upper('x')); false, with nothing
 * appended, when it does not bind or has a shape the deparser does not know. */
bool sql_ixexpr_reprint(sql_strbuf *sb, const eng_catalog *catalog, const eng_database *db,
                        const eng_table *t, const char *text);
/* The text of an index column for `e`: a function call as is, anything else in parentheses. */
bool sql_ixexpr_column_text(sql_strbuf *sb, const eng_table *t, const uint16_t *attnums,
                            uint32_t natts, const sql_expr *e, bool pretty);
/* Sets 42P17 (or 0A000 for a subquery) when `e` may not be part of an index; `what` is
 * "expression" or "predicate". */
bool sql_ixexpr_check(const sql_expr *e, const char *what, rt_err *err);

/* Binds the expressions and predicate of `ix` (of table `t`) in `arena`: exprs[k] for columns
 * with attnums[k] == 0 (others NULL), *pred (NULL without a predicate). */
bool sql_ixexpr_bind(rt_arena *arena, const eng_table *t, const eng_index *ix, sql_expr **exprs,
                     sql_expr **pred, rt_err *err);
/* The type of key column k of `ix` (the column's, or its expression's). */
bool sql_ixexpr_key_type(const eng_table *t, const eng_index *ix, uint32_t k, uint32_t *type_oid,
                         int32_t *typmod, rt_err *err);
/* Evaluates the expressions of `ix` for `row` (row[attnum - 1]) into keys[k] (columns with
 * attnums[k] == 0) and the predicate into *included (true without one). Values stay valid
 * until the thread's next evaluation. */
bool sql_ixexpr_eval(const eng_table *t, const eng_index *ix, const sql_value *row,
                     sql_value *keys, bool *included, rt_err *err);
/* As sql_ixexpr_eval, with the key values copied into `arena`. */
bool sql_ixexpr_eval_copy(const eng_table *t, const eng_index *ix, const sql_value *row,
                          sql_value *keys, bool *included, rt_arena *arena, rt_err *err);
/* True if `ix` has expression columns or a predicate. */
bool sql_ixexpr_any(const eng_index *ix);
/* The name of key column k as PostgreSQL's messages print it: the column's or the expression
 * text ("lower(name)"). */
const char *sql_ixexpr_key_name(const eng_table *t, const eng_index *ix, uint32_t k);

#endif
