/* sql_copy.h: COPY table [(columns)] FROM STDIN and COPY table | (query) TO STDOUT, in text,
 * csv and binary formats with PostgreSQL's options (DELIMITER, NULL, HEADER, QUOTE, ESCAPE,
 * FORCE_QUOTE, FORCE_NOT_NULL, FREEZE accepted). COPY to or from a server file is 0A000
 * (42501 for non-superusers, as PostgreSQL).
 * Core:    the session's shard, in the connection's fiber.
 * Memory:  input rows are parsed into batches of SQL_BATCH_ROWS in the query arena and inserted
 *          batch by batch (bounded memory whatever the input size); one input line is limited
 *          by SQL_COPY_LINE_BYTES_MAX (54000 past it).
 * Errors:  22P02 / 22P04 bad_copy_file_format with the CONTEXT "COPY t, line n, column c"
 *          in the detail; the whole COPY is one statement: nothing is inserted on error. */
#ifndef SQL_COPY_H
#define SQL_COPY_H

#include "sql/sql_bind.h"
#include "sql/sql_session.h"

/* sql_exec.h is not included: its `struct sql_op` (an operator) and sql_ast.h's (an operator
 * expression) share a tag, so no file can see both headers. */
struct sql_exec_ctx;

/* One line of COPY input (PostgreSQL's limit for one field is 1 GB; ours is smaller). */
#define SQL_COPY_LINE_BYTES_MAX (64u * 1024 * 1024)

/* Runs a COPY statement. The session has set up `x` (snapshot, transaction, command) for it
 * and `bc` for binding; `tag` receives "COPY n". */
bool sql_copy_exec(sql_bind_ctx *bc, struct sql_exec_ctx *x, const sql_node *stmt, const sql_sink *sink,
                   char tag[SQL_TAG_BYTES], rt_err *err);

#endif
