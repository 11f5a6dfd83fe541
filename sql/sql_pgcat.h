/* sql_pgcat.h: the pg_catalog and information_schema relations, answered live from the catalog
 * of the session's database (and the cluster-wide roles and databases).
 * Core:    any shard; rows are built on demand for one statement.
 * Memory:  rows are copied into the caller's row set. */
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
/* Every row of relation `id` (typed like its columns). */
bool sql_pgcat_scan(struct sql_exec_ctx *x, uint32_t id, struct sql_rowset *out);

#endif
