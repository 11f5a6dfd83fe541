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
#include "sql/sql_strbuf.h"

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
/* 42804 "foreign key constraint ... cannot be implemented" when a key column of `t` (the
 * referencing table) and its referenced column of `ref` have incompatible types (PostgreSQL's
 * rule: the referenced key's btree equality after an implicit cast of the referencing type). */
bool sql_ddl_fk_check_types(sql_ddl_ctx *dc, const eng_table *t, const eng_table *ref,
                            const eng_constraint *c, rt_err *err);
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
/* "schema"."table" of `t`, always quoted, for internal statements. */
void sql_fk_put_relname(sql_strbuf *sb, const eng_database *db, const eng_table *t);
/* Runs internal statement `text` ($n typed as params[n-1]) in x's transaction with a command
 * id of its own and a fresh snapshot; *rows: rows it returned (SELECT) or wrote; `first`
 * (optional) receives the first row's values, copied into `keep`. */
bool sql_fk_run_sql(sql_exec_ctx *x, const char *text, const sql_value *params,
                    uint32_t nparams, uint64_t *rows, sql_value *first, rt_arena *keep);
/* "Key (a, b)=(1, x)" for the columns `attnums` of `t` and their values. */
void sql_fk_key_text(sql_exec_ctx *x, const eng_table *t, const uint16_t *attnums,
                     const sql_value *key, uint32_t n, char *out, size_t size);
/* ---- deferred checks (DEFERRABLE INITIALLY DEFERRED, SET CONSTRAINTS ... DEFERRED) ----
 * A check of a deferred constraint (a referencing key must exist; NO ACTION: a removed key
 * must not be referenced) is kept by the session until COMMIT or SET CONSTRAINTS IMMEDIATE;
 * CASCADE, SET NULL, SET DEFAULT and RESTRICT act at once, as in PostgreSQL. */
typedef struct sql_fk_deferred_ev {
    uint32_t con_oid, child_oid;
    bool parent_check;       /* NO ACTION on a removed key (else: the key must exist) */
    uint32_t command;        /* of the statement that queued it (ROLLBACK TO drops it) */
    uint16_t n;
    sql_value key[ENG_INDEX_COLUMNS_MAX]; /* bytes owned by the session (rt_xmalloc) */
} sql_fk_deferred_ev;

typedef struct sql_fk_deferred {
    sql_fk_deferred_ev *ev;
    uint32_t count, cap;
    int8_t all;              /* SET CONSTRAINTS ALL: 1 deferred, -1 immediate, 0 not given */
    uint32_t nmodes;         /* SET CONSTRAINTS name: the constraint's oid and mode */
    uint32_t mode_oid[SQL_FK_PER_TABLE_MAX];
    int8_t mode[SQL_FK_PER_TABLE_MAX];
} sql_fk_deferred;

struct sql_session;
/* Whether `con`'s checks wait for COMMIT in this transaction (sql_session_cmd.c). */
bool sql_session_fk_is_deferred(struct sql_session *s, const eng_constraint *con);
/* Keeps a deferred check (the key's bytes copied). */
bool sql_session_fk_defer(struct sql_session *s, const sql_fk_deferred_ev *ev, rt_err *err);
/* Runs one deferred check (COMMIT, SET CONSTRAINTS IMMEDIATE); 23503 as at once. */
bool sql_fk_run_deferred(sql_exec_ctx *x, const sql_fk_deferred_ev *ev);

/* Runs what the statement's notes call for (coordinator, at the end of the statement). */
bool sql_fk_statement_end(sql_exec_ctx *x);

#endif
