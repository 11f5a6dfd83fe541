/* sql_pgcat.h: the pg_catalog and information_schema relations, answered live from the catalog
 * of the session's database (and the cluster-wide roles and databases), and the name context
 * the reg* types (regclass, regtype, regproc, ...) read and print names with.
 * Core:    any shard; rows are built on demand for one statement.
 * Memory:  rows are copied into the caller's row set (temporaries in the statement's arena).
 * Errors:  53200 when the statement's arena is exhausted; reg* input: 42P01, 42704, 42883,
 *          42725, 3F000, 42602, 0A000 with PostgreSQL's messages.
 * Limits:  PC_PROC_COUNT_MAX functions in pg_proc, PC_PATH_MAX schemas in a search path
 *          (sql_pgcat_int.h).
 * Columns: names, types and order are PostgreSQL 15's (sql_pgcat_rels.c is generated from a
 *          live server by tools/gen-pgcat-rels); information_schema domains are their base
 *          types. Relations Dreambase keeps nothing for scan empty. */
#ifndef SQL_PGCAT_H
#define SQL_PGCAT_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_plan.h"

typedef struct sql_pgcat_col {
    const char *name;
    uint32_t type_oid;
} sql_pgcat_col;

typedef struct sql_pgcat_rel {
    uint32_t id;             /* also its pg_class oid */
    const char *schema;      /* "pg_catalog" or "information_schema" */
    const char *name;
    uint32_t ncols;
    const sql_pgcat_col *cols;
} sql_pgcat_rel;

/* The relation `schema`.`name` (schema NULL: pg_catalog), or NULL. */
const sql_pgcat_rel *sql_pgcat_find(const char *schema, const char *name);
const sql_pgcat_rel *sql_pgcat_by_id(uint32_t id);
uint32_t sql_pgcat_count(void);
const sql_pgcat_rel *sql_pgcat_at(uint32_t i);

struct sql_exec_ctx;
struct sql_rowset;
struct sql_session;

/* What reg* input and output resolve names against (sql_io_ctx.names). */
typedef struct sql_names {
    const eng_catalog *catalog;
    const eng_database *db;
    const char *const *search_path; /* schema names; NULL: the session's search_path */
    uint32_t nsearch;
    uint32_t temp_schema_oid;       /* the session's pg_temp, 0 if none */
    struct sql_session *session;    /* NULL outside a session ("$user", public) */
} sql_names;

/* The name context of a statement being executed, allocated in `arena` (NULL without a
 * database). The executor puts it in every evaluation context; the session should put one in
 * the io context it encodes results with, so reg* values print as names on the wire. */
const sql_names *sql_pgcat_names(struct sql_exec_ctx *x, rt_arena *arena);
/* Every row of relation `id` (typed like its columns). */
bool sql_pgcat_scan(struct sql_exec_ctx *x, uint32_t id, struct sql_rowset *out);

#endif
