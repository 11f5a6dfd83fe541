/* sql_fk.h: FOREIGN KEY constraints: their definition (DDL) and their enforcement.
 * A foreign key is an eng_constraint of kind 'f' on the referencing table naming the
 * referenced table and columns (a primary key or unique constraint there).
 * Enforcement follows PostgreSQL's referential-integrity triggers, at the end of each
 * statement: writers note what changed (sql_fk_note_*), the coordinator then runs, inside the
 * same transaction, one internal statement per distinct key:
 *   - a referencing row inserted or updated: SELECT ... FROM parent WHERE key FOR KEY SHARE
 *     (none: 23503; found: the parent row is share-locked, so a concurrent DELETE waits);
 *   - a referenced key deleted or changed: per ON DELETE / ON UPDATE, a check that no row
 *     still refers to it (NO ACTION, RESTRICT: 23503), or DELETE / UPDATE of the referencing
 *     rows (CASCADE, SET NULL, SET DEFAULT), whose own foreign keys are enforced in turn.
 * The internal statements take a fresh snapshot (READ COMMITTED's crosscheck: rows committed
 * meanwhile count) and a command id of their own (they see the statement's writes), and use
 * the planner, so lookups go through the primary key or an index when there is one.
 * Core:    notes from fragments are sent to the coordinator's shard; the end-of-statement work
 *          runs on the coordinator.
 * Memory:  the queue lives in the statement's arena; notes copy the key values.
 * Errors:  23503 with PostgreSQL's message, detail and table/constraint fields; DDL: 42830,
 *          42704, 42703, 42804, 42P01, 42809, 2BP01, 0A000.
 * Limits:  SQL_FK_DEPTH_MAX nested levels of cascades; SQL_FK_PER_TABLE_MAX foreign keys
 *          involving one table in one statement. */
#ifndef SQL_FK_H
#define SQL_FK_H

#include "engine/eng_catalog.h"
#include "sql/sql_ast.h"
#include "sql/sql_exec.h"

#define SQL_FK_DEPTH_MAX 64u       /* cascades of cascades: as PostgreSQL's stack depth error */
#define SQL_FK_PER_TABLE_MAX 64u   /* foreign keys from and to one table a statement enforces */

typedef struct sql_fk_queue sql_fk_queue;
typedef struct sql_ddl_ctx sql_ddl_ctx;

/* ---- DDL (sql_ddl_fk.c) ---- */

/* Adds FOREIGN KEY `con` to working copy `t` (`column`: the column of a column constraint
 * REFERENCES, else con->keys). A reference to t itself resolves to the working copy. */
bool sql_ddl_add_fk(sql_ddl_ctx *dc, eng_table *t, const sql_constraint *con,
                    const char *column, rt_err *err);
/* Checks every row of `t` against foreign key `con` (ALTER TABLE ADD / VALIDATE). */
bool sql_ddl_fk_validate(sql_ddl_ctx *dc, const eng_table *t, const eng_constraint *con,
                         rt_err *err);
/* The first foreign key of another table referencing `t` (0 none), for DROP and TRUNCATE. */
const eng_constraint *sql_fk_referencing(const eng_database *db, const eng_table *t,
                                         uint32_t skip_table, const eng_table **child);

/* ---- enforcement (sql_exec_fk.c) ---- */

/* Whether `t` has foreign keys (as child) or is referenced (as parent). */
bool sql_fk_involved(const eng_database *db, const eng_table *t);
/* The statement's queue (on the coordinator), created with the execution context. */
sql_fk_queue *sql_fk_queue_new(rt_arena *arena);
/* A row of `t` was inserted (`before` NULL), updated or deleted (`after` NULL). Full rows in
 * attnum order. From any shard: notes from a fragment go to the coordinator. */
bool sql_fk_note(sql_exec_ctx *x, const eng_table *t, const sql_value *before,
                 const sql_value *after);
/* Runs internal statement `text` ($n typed as params[n-1]) in x's transaction with a command
 * id of its own and a fresh snapshot; *rows: rows it returned (SELECT) or wrote; `first`
 * (optional) receives the first row's values, copied into `keep`. */
bool sql_fk_run_sql(sql_exec_ctx *x, const char *text, const sql_value *params,
                    uint32_t nparams, uint64_t *rows, sql_value *first, rt_arena *keep);
/* "Key (a, b)=(1, x)" for the columns `attnums` of `t` and their values. */
void sql_fk_key_text(sql_exec_ctx *x, const eng_table *t, const uint16_t *attnums,
                     const sql_value *key, uint32_t n, char *out, size_t size);
/* Runs what the statement's notes call for (coordinator, at the end of the statement). */
bool sql_fk_statement_end(sql_exec_ctx *x);

#endif
