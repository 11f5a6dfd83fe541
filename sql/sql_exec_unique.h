/* sql_exec_unique.h: the executor's side of UNIQUE constraints (sql_unique.h): the companion
 * rows INSERT, UPDATE and DELETE write beside the table's rows, on the shards owning them.
 * Core:    the calling fiber's; companion writes run on the companion partition's shard.
 * Memory:  keys are caller arrays of sql_value (varlen values point into the caller's rows).
 * Errors:  23505 "duplicate key value violates unique constraint" with the key in DETAIL;
 *          the engine's lock errors (40001, 55P03, 40P01, 57014). */
#ifndef SQL_EXEC_UNIQUE_H
#define SQL_EXEC_UNIQUE_H

#include "sql/sql_exec.h"
#include "sql/sql_unique.h"

typedef struct sql_uniq_set {
    uint32_t n;
    const eng_table *comp[SQL_UNIQUE_PER_TABLE_MAX];
    const eng_index *ix[SQL_UNIQUE_PER_TABLE_MAX];
} sql_uniq_set;

/* The companions of `t` that mirror its current storage. */
void sql_uniq_collect(const eng_database *db, const eng_table *t, sql_uniq_set *u);
/* True if `t` has a unique index enforced through a companion. */
bool sql_uniq_any(const eng_database *db, const eng_table *t);
/* The companion row of `ix` for full row `row` (attnum order) into key[] (the key, then the
 * table's primary key: ENG_INDEX_COLUMNS_MAX * 2 values); false when the key has a NULL and
 * NULLs are distinct, or a partial index's predicate leaves the row out: such a row has no
 * companion row. Expression values are computed into `arena`; false with *err set when that
 * fails (division by zero, ...). */
bool sql_uniq_key(const eng_table *t, const eng_index *ix, const sql_value *row, sql_value *key,
                  rt_arena *arena, rt_err *err);
/* True if a companion row (full row of companion `c`) has a NULL its NOT NULL forbids. */
bool sql_uniq_row_skipped(const eng_table *c, const sql_value *row);
/* The partition of companion `c` owning `key`. */
uint32_t sql_uniq_partition(const eng_table *c, const sql_value *key, rt_err *err);
/* True if two companion rows of `c` are equal (key and primary key, encoded as the engine
 * compares keys): an UPDATE that changes neither leaves the companion row alone. */
bool sql_uniq_same_row(const eng_table *c, const sql_value *a, const sql_value *b);
/* True if two companion rows of `c` have the same key (the constrained columns). */
bool sql_uniq_same_key(const eng_table *c, const sql_value *a, const sql_value *b);
/* Sets 23505 for `key` of companion `c` (constraint `conname`, NULL: the index of c). */
/* 23505 in PostgreSQL's words: "duplicate key value violates unique constraint "conname"",
 * the detail "Key (a, b)=(1, x) already exists." and the table and constraint fields. */
void sql_exec_key_violation(sql_exec_ctx *x, const char *table, const char *conname,
                            uint32_t n, const char *const *names, const sql_value *key,
                            const int32_t *typmods);
bool sql_uniq_violation(sql_exec_ctx *x, const eng_table *c, const char *conname,
                        const sql_value *key);
/* Inserts (or deletes) the companion row `key` in the transaction, on its shard. */
bool sql_uniq_write(sql_exec_ctx *x, const eng_table *c, const char *conname,
                    const sql_value *key, bool insert);
/* ON CONFLICT on the constraint: inserts companion row `row`, or reports ENG_CONFLICT with the
 * existing (committed) companion row in found[] (its primary-key columns name the table's
 * row); ENG_INSERT_FAILED with *x->err set. Waits for a concurrent inserter of the key. */
eng_insert_result sql_uniq_insert_arbiter(sql_exec_ctx *x, const eng_table *c,
                                          const sql_value *row, sql_value *found);

#endif
