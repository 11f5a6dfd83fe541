/* sql_bind.h: the binder: from a parse tree to a typed plan.
 * It resolves names (tables through the search path, columns through the FROM scopes,
 * functions and operators through PostgreSQL's overload rules), infers parameter types as
 * PostgreSQL does ($1 compared with an int4 column is int4, LIMIT $1 is int8, otherwise text),
 * applies implicit and assignment casts, checks grouping, and builds the plan tree.
 * Memory:  the plan and everything it refers to are allocated in bc->arena.
 * Errors:  42P01 undefined_table, 42703 undefined_column, 42702 ambiguous_column, 42883
 *          undefined_function, 42725 ambiguous_function, 42804 datatype_mismatch, 42803
 *          grouping_error, 22P02 for literals that do not parse as their type, 42601 for
 *          misplaced syntax, 0A000 for SQL Dreambase does not support yet; with the position
 *          of the offending item. */
#ifndef SQL_BIND_H
#define SQL_BIND_H

#include "engine/eng_catalog.h"
#include "sql/sql_acl.h"
#include "sql/sql_ast.h"
#include "sql/sql_plan.h"

/* The statements the binder plans (utility statements are executed by the session). */
typedef enum sql_cmd {
    SQL_CMD_SELECT = 1,
    SQL_CMD_INSERT,
    SQL_CMD_UPDATE,
    SQL_CMD_DELETE,
} sql_cmd;

#define SQL_PARAMS_MAX 65535u /* the protocol's int16 parameter count */

typedef struct sql_query {
    sql_cmd cmd;
    sql_plan *plan;
    uint32_t nparams;
    uint32_t *param_types;     /* inferred (or declared) type of $1..$n */
    uint32_t nmaterials;
    uint32_t nsubqueries;
    const eng_table *target;   /* INSERT/UPDATE/DELETE */
    bool returns_rows;         /* SELECT, or DML with RETURNING */
    bool for_update;           /* SELECT ... FOR UPDATE/SHARE (a write: participants) */
    bool modifying_ctes;       /* its WITH has INSERT / UPDATE / DELETE queries: it writes
                                  whatever `cmd` is (the plan's top is a MODIFYCTE) */
    bool volatile_funcs;       /* never cache its result */
    uint64_t catalog_version;  /* re-plan when the catalog moves on */
    const sql_acl_req *acl_reqs; /* privileges it needs, checked each time it starts */
    uint32_t nacl_reqs;
} sql_query;

/* What the session gives the binder. */
typedef struct sql_bind_ctx {
    rt_arena *arena;
    rt_err *err;
    const eng_catalog *catalog;
    const eng_database *db;
    const char *const *search_path; /* schema names, in order */
    uint32_t nsearch;
    uint32_t temp_schema_oid;       /* pg_temp of the session, 0 if none */
    const char *sql;                /* the statement text (error positions) */
    uint32_t sql_len;
    uint32_t nparams;               /* declared parameter types (0 = infer) */
    const uint32_t *param_types;
    const sql_value *param_values;  /* a custom plan's bound values of $1..$n; NULL: generic */
    uint32_t shard_count;
    uint32_t ann_ef_search;         /* the session's ef_search (hybrid estimates), 0 = default */
    struct sql_session *session;    /* for current_user etc. folded at bind time: not used */
    uint32_t default_seq;           /* binding a column's stored DEFAULT: the sequence its
                                       nextval calls (by OID, whatever it is named now), 0 none */
} sql_bind_ctx;

/* Binds one SELECT / VALUES / INSERT / UPDATE / DELETE statement. */
bool sql_bind_query(sql_bind_ctx *bc, const sql_node *stmt, sql_query **out);

/* Helpers the session uses for DDL. */
/* Resolves a type name (with typmods) to (oid, typmod); 42704 if unknown. */
/* The enum type named [schema.]name through the search path; NULL if none (no error set). */
const eng_enum *sql_bind_find_enum(sql_bind_ctx *bc, const sql_name *name);
bool sql_bind_typename(sql_bind_ctx *bc, const sql_typename *tn, uint32_t *oid, int32_t *typmod);
/* The same where a domain may be named: (oid, typmod) are its base type's and *domain the
 * domain (NULL for other types). An array of a domain (d[], _d) gives the array of its base
 * type and *array true; a NULL `array` refuses it with 0A000. sql_bind_typename refuses
 * domains with 0A000. */
bool sql_bind_typename_domain(sql_bind_ctx *bc, const sql_typename *tn, uint32_t *oid,
                              int32_t *typmod, const eng_domain **domain, bool *array);
/* Binds an expression that refers to the columns of one table (DEFAULT, CHECK, index
 * expressions), for validation and for evaluation by INSERT. */
bool sql_bind_table_expr(sql_bind_ctx *bc, const eng_table *t, const sql_node *expr,
                         uint32_t target_type, int32_t target_typmod, sql_expr **out);
/* Binds the DEFAULT of column `column` of a new table: no column is in scope (0A000 for a
 * reference), and a type without an assignment cast to the column's is 42804. */
bool sql_bind_column_default(sql_bind_ctx *bc, const char *column, const sql_node *expr,
                             uint32_t type, int32_t typmod, sql_expr **out);
/* Parses and binds a stored expression text (DEFAULT / CHECK) over a table's columns. */
bool sql_bind_stored_expr(sql_bind_ctx *bc, const eng_table *t, const char *text,
                          uint32_t target_type, int32_t target_typmod, sql_expr **out);
/* Binds column `col`'s stored DEFAULT as a value of (type, typmod). Its nextval calls the
 * column's sequence (default_seq) by OID, as PostgreSQL stores nextval('s'::regclass): a
 * renamed sequence or another search path does not change which one. */
bool sql_bind_stored_default(sql_bind_ctx *bc, const eng_column *col, uint32_t type,
                             int32_t typmod, sql_expr **out);
/* Resolves [schema.]name of a table/view/sequence through the search path; NULL if absent
 * (then *err is NOT set). */
const eng_table *sql_bind_find_table(sql_bind_ctx *bc, const sql_name *name);
const eng_sequence *sql_bind_find_sequence(sql_bind_ctx *bc, const sql_name *name);
/* Looks up a schema for creating an object: the explicit one, or the first of the path. */
bool sql_bind_creation_schema(sql_bind_ctx *bc, const sql_name *name, uint32_t *schema_oid,
                              const char **object_name);

#endif
