/* sql_unique.h: UNIQUE constraints and unique indexes that do not contain the whole primary key.
 * The engine enforces only primary keys (per partition, which is global because the primary key
 * partitions the table), so each such index gets a hidden companion table whose primary key is
 * the index's columns, partitioned by them: the executor writes a companion row for every row
 * with no NULL in the key in the same transaction as the row itself, so the companion's primary
 * key gives global uniqueness, MVCC visibility and waits for concurrent inserters of a key.
 * Owns:    the companion's naming (pg_uniq_<index oid>, in the table's schema), its marker
 *          (on_commit 'U', hidden from the catalog views) and the source storage it mirrors.
 * Core:    any; pure functions over catalog snapshots.
 * Memory:  none; results point into the catalog or into caller buffers.
 * Errors:  none here; DDL (sql_ddl_unique.c) and the executor (sql_exec_modify.c) report.
 * Limits:  SQL_UNIQUE_PER_TABLE_MAX companions per table (an INSERT buffers rows for each). */
#ifndef SQL_UNIQUE_H
#define SQL_UNIQUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "sql/sql_type.h"

#define SQL_UNIQUE_PER_TABLE_MAX 16u
#define SQL_UNIQUE_PREFIX "pg_uniq_"
#define SQL_UNIQUE_MARK 'U' /* eng_table.on_commit of a companion table */

/* True if `t` is a companion table (never shown to users). */
static inline bool sql_unique_is_companion(const eng_table *t) {
    return t->on_commit == SQL_UNIQUE_MARK;
}
/* True if `ix` of `t` is a unique btree index the primary key does not already enforce. */
bool sql_unique_needs_companion(const eng_table *t, const eng_index *ix);
/* The companion's name for index `ix`. */
void sql_unique_name(const eng_index *ix, char out[ENG_NAME_BYTES]);
/* The companion of `ix` when it mirrors the table's current storage, else NULL (a rewrite in
 * progress: the DDL rebuilds it at the end of the statement). */
const eng_table *sql_unique_companion(const eng_database *db, const eng_table *t,
                                      const eng_index *ix);
/* The source storage id a companion mirrors (from its options text), 0 if unknown. */
uint64_t sql_unique_source_storage(const eng_table *companion);
/* For a companion: its table and index in `db`, false if they are gone. */
bool sql_unique_owner(const eng_database *db, const eng_table *companion, const eng_table **t,
                      const eng_index **ix);
/* "(a, b)" of the index's column names into `out`. */
void sql_unique_columns_text(const eng_table *t, const eng_index *ix, char *out, size_t size);

#endif
