/* sql_vacuum.h: the VACUUM statement: reclaims dead row versions of tables now.
 * Owns:    nothing; it drives eng_vac_partition (engine/eng_vac.h) on the shard of every
 *          partition of each table, and of the table's unique-constraint companions.
 * Core:    the session's fiber; partitions are vacuumed on their own shards (rt_run_on), one
 *          after another, so a shard keeps serving between a pass's slices.
 * Output:  VERBOSE reports each table as PostgreSQL 15 does (INFO "vacuuming ..." and
 *          "finished vacuuming ..." with the tuple counts); FULL does what plain VACUUM does
 *          (the column store reuses freed slots in place, there are no pages to compact) and
 *          says so with a NOTICE.
 * Errors:  42P01 for a table that does not exist; the engine's (54000) otherwise. */
#ifndef SQL_VACUUM_H
#define SQL_VACUUM_H

#include <stdbool.h>

#include "sql/sql_ast.h"
#include "sql/sql_session.h"

struct sql_session;

/* Vacuums the tables of `v` (every table of the session's database when it names none). */
bool sql_vacuum_run(struct sql_session *s, const sql_vacuum *v, const sql_sink *sink,
                    rt_err *err);

#endif
