/* sql_ddl_int.h: private to sql_ddl*.c: the draft every statement edits, name lookups in it,
 * PostgreSQL's generated names, and one entry point per statement family. */
#ifndef SQL_DDL_INT_H
#define SQL_DDL_INT_H

#include "sql/sql_acl.h"
#include "sql/sql_ddl.h"

/* Sleep between tries of the DDL lock while another transaction holds it. */
#define SQL_DDL_LOCK_POLL_NS (1000u * 1000u)
/* Indexes and constraints one ALTER TABLE command may add (ADD COLUMN with its constraints). */
#define SQL_DDL_ROOM 8u
/* Default HNSW build parameters (pgvector's defaults and bounds). */
#define SQL_DDL_HNSW_M_DEFAULT 16
#define SQL_DDL_HNSW_M_MIN 2
#define SQL_DDL_HNSW_M_MAX 100
#define SQL_DDL_HNSW_EF_DEFAULT 64
#define SQL_DDL_HNSW_EF_MIN 4
#define SQL_DDL_HNSW_EF_MAX 1000

/* Opens the transaction's draft (taking the DDL lock, waiting up to lock_timeout_ms) and points
 * bc->catalog / bc->db into it. Every statement calls it before it looks anything up. */
bool sql_ddl_begin(sql_ddl_ctx *dc, rt_err *err);
eng_catalog *sql_ddl_draft(sql_ddl_ctx *dc);
/* The table locks `stmt` takes (sql_ddl_lock.c), resolving names in bc's catalog: called
 * before sql_ddl_begin and again after it. 55P03 / 57014 / 40P01 when a wait ends so. */
bool sql_ddl_lock_tables(sql_ddl_ctx *dc, const sql_node *stmt, rt_err *err);
/* One table's lock in `mode` (a no-op for anything but a plain table). */
bool sql_ddl_lock_table(sql_ddl_ctx *dc, const eng_table *t, int mode, rt_err *err);
/* Locks index `ix` in `mode` to transaction end (REINDEX: ACCESS EXCLUSIVE, as PostgreSQL). */
bool sql_ddl_lock_index(sql_ddl_ctx *dc, const eng_index *ix, int mode, rt_err *err);
/* The hold that mirrors the catalog's DDL lock (SQL_TLOCK_CATALOG_OID), before taking it. */
bool sql_ddl_lock_catalog(sql_ddl_ctx *dc, rt_err *err);
/* The mutable database of the draft; re-read after every add/remove (pointers move). */
eng_database *sql_ddl_db(sql_ddl_ctx *dc);
/* Sends a NOTICE (severity "NOTICE") with `sqlstate` through the sink. */
void sql_ddl_notice(sql_ddl_ctx *dc, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A NOTICE (00000) with a DETAIL (the objects a CASCADE dropped). */
void sql_ddl_notice_detail(sql_ddl_ctx *dc, const char *message, const char *detail);
/* Arena printf; NULL past the budget (then the arena error is set in *err). */
char *sql_ddl_printf(sql_ddl_ctx *dc, rt_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True if `text` (a view's or CHECK's SQL) contains `word` as a whole identifier, ignoring
 * case: the catalog keeps expressions as text, so this is how dependencies are found. */
bool sql_ddl_text_names(const char *text, const char *word);
/* Any relation (table, view, sequence, index) named `name` in `schema`. */
bool sql_ddl_relname_taken(const eng_database *db, uint32_t schema_oid, const char *name);
/* The index named `name` in `schema` and its table, NULL if none. */
const eng_table *sql_ddl_index_by_name(const eng_database *db, uint32_t schema_oid,
                                       const char *name, const eng_index **ix);
/* PostgreSQL's generated names: name1_name2_label truncated to 63 bytes, then a number appended
 * to the label until no relation (or constraint of `t`, if given) of the schema has it. */
bool sql_ddl_choose_name(sql_ddl_ctx *dc, uint32_t schema_oid, const eng_table *t,
                         const char *name1, const char *name2, const char *label,
                         char out[ENG_NAME_BYTES]);
/* Resolves a relation by name for DDL, 42P01 (or the IF EXISTS notice, *missing) if absent,
 * 42809 if it is not of the `kind` ('r', 'v'; 0 = any table or view). */
const eng_table *sql_ddl_find_rel(sql_ddl_ctx *dc, const sql_name *name, char kind,
                                  bool if_exists, bool *missing, rt_err *err);
/* A working copy of a table (columns/indexes/constraints arrays in the arena, room for one more
 * column and SQL_DDL_ROOM indexes and constraints) to edit and hand to eng_draft_replace_table. */
eng_table *sql_ddl_table_copy(sql_ddl_ctx *dc, const eng_table *t, rt_err *err);
/* Copies every row of `old` (its storage) into `fresh` (the same columns, new storage and
 * partitioning), in the statement's transaction: INSERT ... SELECT through the executor, so
 * keys are checked (23505, 23502) and the rows land on the shards that own them. */
bool sql_ddl_rewrite(sql_ddl_ctx *dc, const eng_table *old, const eng_table *fresh,
                     sql_expr *const *convert, rt_err *err);
/* After sql_ddl_rewrite: the statement goes on under a new command id, so that what follows
 * (unique companions filled from the rows, foreign keys checked on them) sees the rows. */
bool sql_ddl_next_command(sql_ddl_ctx *dc, rt_err *err);
/* ALTER COLUMN ... TYPE: the new value of `col` over a row of `base` (USING expr, or the
 * column), as an assignment to `type`; 42804 with PostgreSQL's message and hint when no
 * assignment cast exists. `convert` of sql_ddl_rewrite (by attnum - 1) takes these; NULL
 * entries copy the column. */
bool sql_ddl_type_conversion(sql_ddl_ctx *dc, const eng_table *base, const eng_column *col,
                             uint32_t type, int32_t typmod, const sql_node *using_expr,
                             sql_expr **out, rt_err *err);
/* Applies sequence options (AS, INCREMENT, MIN/MAXVALUE, START, CACHE, CYCLE, SEQUENCE NAME)
 * to `s` with PostgreSQL's defaults for its type and direction when `create`; OWNED BY and
 * RESTART are the callers'. 22023 for inconsistent values. */
bool sql_ddl_seq_apply(sql_ddl_ctx *dc, eng_sequence *s, const sql_list *opts, bool create,
                       rt_err *err);

/* Brings the hidden companion tables of UNIQUE constraints in step with the draft (creating,
 * filling, dropping them); run after every statement. 23505 if a new one finds duplicates. */
bool sql_ddl_unique_sync(sql_ddl_ctx *dc, rt_err *err);
/* Turns the executor's 23505 for a companion row into CREATE INDEX's ("could not create
 * unique index", "Key (a)=(1) is duplicated."). */
void sql_ddl_unique_build_error(const eng_index *ix, rt_err *err);
/* The rows of an expression or partial index's companion: PROJECT over a SCAN of t. */
struct sql_plan *sql_ddl_unique_expr_source(sql_ddl_ctx *dc, const eng_table *t,
                                            const eng_index *ix, uint32_t n, rt_err *err);

/* The owner of the current database (its roles are members of pg_database_owner). */
uint32_t sql_ddl_db_owner(sql_ddl_ctx *dc);
/* Privilege checks of DDL (free for a superuser): the current role owns the object (it has
 * the privileges of its owner), else 42501 "must be owner of <kind> <name>". */
bool sql_ddl_owns(sql_ddl_ctx *dc, uint32_t owner, const char *kind, const char *name,
                  rt_err *err);
/* The current role holds `privs` on a table / sequence (42501 "permission denied for ..."). */
bool sql_ddl_table_priv(sql_ddl_ctx *dc, const eng_table *t, uint32_t privs, rt_err *err);
/* CREATE on the schema a new object goes to (42501 "permission denied for schema s"). */
bool sql_ddl_may_create(sql_ddl_ctx *dc, uint32_t schema_oid, rt_err *err);
/* TEMPORARY on the current database (42501 "permission denied to create temporary tables in
 * database \"d\""). */
bool sql_ddl_may_create_temp(sql_ddl_ctx *dc, rt_err *err);
/* Statements. */
/* Runs one statement on the open draft (the elements of CREATE SCHEMA come back here). */
bool sql_ddl_dispatch(sql_ddl_ctx *dc, const sql_node *stmt, char *tag, rt_err *err);
bool sql_ddl_create_table(sql_ddl_ctx *dc, const sql_create_table *ct, rt_err *err);
bool sql_ddl_create_index(sql_ddl_ctx *dc, const sql_create_index *ci, rt_err *err);
/* Adds a btree/hnsw index to working copy `t` (CREATE INDEX, PRIMARY KEY, UNIQUE). */
bool sql_ddl_add_key(sql_ddl_ctx *dc, eng_table *t, const sql_constraint *con, rt_err *err);
/* Adds a CHECK to working copy `t` (validated by binding it over t's columns); `column` names
 * it (t_column_check) when it is a column constraint. */
bool sql_ddl_add_check(sql_ddl_ctx *dc, eng_table *t, const sql_constraint *con,
                       const char *column, rt_err *err);
/* Creates the sequence of serial / identity column `col` of working copy `t` (t_col_seq, owned
 * by the column, with `seq_options`) and points the column's default at it. */
bool sql_ddl_column_sequence(sql_ddl_ctx *dc, eng_table *t, eng_column *col,
                             const sql_list *seq_options, rt_err *err);
/* The sequence a bound DEFAULT `e` calls nextval on (its regclass argument, resolved when the
 * default is written: PostgreSQL's pg_depend entry of a column default), 0 if none or more
 * than one (DROP SEQUENCE then matches the default's text by name). */
uint32_t sql_ddl_default_sequence(const sql_expr *e);
/* The automatic HNSW index of vector column `c` of working copy `t`. */
void sql_ddl_vector_index(sql_ddl_ctx *dc, eng_table *t, const eng_column *c);
bool sql_ddl_alter_table(sql_ddl_ctx *dc, const sql_alter_table *at, char *tag, rt_err *err);
/* Runs the internal query in `sb` (a check of a table's existing rows for a new constraint)
 * in the DDL's transaction (sql_fk_run_sql); *rows: rows it returned, `first` (optional) the
 * first one's values. */
bool sql_ddl_existing_rows(sql_ddl_ctx *dc, const sql_strbuf *sb, uint64_t *rows,
                          sql_value *first, rt_err *err);
bool sql_ddl_drop(sql_ddl_ctx *dc, const sql_drop *d, char *tag, rt_err *err);
bool sql_ddl_grant(sql_ddl_ctx *dc, const sql_grant *g, char *tag, rt_err *err);
bool sql_ddl_truncate(sql_ddl_ctx *dc, const sql_truncate *tr, rt_err *err);
bool sql_ddl_comment(sql_ddl_ctx *dc, const sql_comment *c, rt_err *err);
bool sql_ddl_rename(sql_ddl_ctx *dc, const sql_rename *r, char *tag, rt_err *err);
bool sql_ddl_create_sequence(sql_ddl_ctx *dc, const sql_create_sequence *cs, rt_err *err);
bool sql_ddl_alter_sequence(sql_ddl_ctx *dc, const sql_alter_sequence *as, rt_err *err);
bool sql_ddl_create_schema(sql_ddl_ctx *dc, const sql_create_schema *cs, rt_err *err);
bool sql_ddl_create_database(sql_ddl_ctx *dc, const sql_create_database *cd, rt_err *err);
bool sql_ddl_create_role(sql_ddl_ctx *dc, const sql_create_role *cr, rt_err *err);
bool sql_ddl_alter_role(sql_ddl_ctx *dc, const sql_alter_role *ar, rt_err *err);
bool sql_ddl_create_extension(sql_ddl_ctx *dc, const sql_create_extension *ce, rt_err *err);
bool sql_ddl_create_view(sql_ddl_ctx *dc, const sql_create_view *cv, rt_err *err);
bool sql_ddl_create_domain(sql_ddl_ctx *dc, const sql_create_domain *cd, rt_err *err);
bool sql_ddl_alter_domain(sql_ddl_ctx *dc, const sql_alter_domain *ad, rt_err *err);
/* The role a RoleSpec names (current_user, session_user, current_role: the current one);
 * NULL with 42704 if none. */
const eng_role *sql_ddl_role(sql_ddl_ctx *dc, const char *name, rt_err *err);
/* A type named `name` in the schema: a domain, an enum type, a composite type, or a table's
 * or view's row type (CREATE / RENAME of any type checks it: 42710 "type ... already
 * exists"). */
bool sql_ddl_type_name_taken(const eng_database *db, uint32_t schema_oid, const char *name);
/* CREATE TYPE ... AS ENUM, ALTER TYPE (sql_ddl_enum.c). */
bool sql_ddl_create_enum(sql_ddl_ctx *dc, const sql_create_enum *ce, rt_err *err);
bool sql_ddl_alter_type(sql_ddl_ctx *dc, const sql_alter_type *at, rt_err *err);
/* DROP TYPE's common part: whether type `oid` (or its array type) is used by a column
 * (through col->domain_oid for a domain, col->type_oid otherwise) or a domain over it; false
 * with 2BP01 listing them as PostgreSQL does unless CASCADE, which leaves *used to the caller
 * (sql_ddl_drop.c). `shown` names the type in the messages. */
bool sql_ddl_type_unused(sql_ddl_ctx *dc, const sql_drop *drop, uint32_t oid,
                         uint32_t array_oid, bool domain, const char *shown, bool *used,
                         rt_err *err);
/* DROP TYPE of enum `e` (2BP01 while a column or a domain uses it); DROP TYPE's entry,
 * which finds the type of a name whatever its kind, is ddl_drop_type in sql_ddl_drop.c. */
bool sql_ddl_drop_enum(sql_ddl_ctx *dc, const sql_drop *drop, const eng_enum *e, rt_err *err);
/* One name of DROP DOMAIN (2BP01 while a column or a domain uses it). */
/* What a relation is called in dependency messages: "table", "view" or "type". */
static inline const char *sql_ddl_rel_kind_name(const eng_table *t) {
    return t->kind == 'v' ? "view" : t->kind == 'c' ? "type" : "table";
}
/* CREATE / ALTER / DROP TYPE of composite types (sql_ddl_ctype.c). */
/* The columns of tables and the attributes of composite types declared with the row type of
 * `type` (or its array type), as PostgreSQL's dependency lines into `detail`; their number. */
uint32_t sql_ddl_rowtype_users(const eng_database *db, const eng_table *type, char *detail,
                               size_t cap);
/* False (0A000) for a row type as the new type of ALTER COLUMN ... TYPE. */
bool sql_ddl_column_type_ok(uint32_t type_oid, rt_err *err);
bool sql_ddl_create_composite(sql_ddl_ctx *dc, const sql_create_composite *cc, rt_err *err);
bool sql_ddl_alter_composite(sql_ddl_ctx *dc, const sql_alter_composite *ac, rt_err *err);
bool sql_ddl_drop_composite(sql_ddl_ctx *dc, const sql_drop *drop, const sql_name *n,
                            rt_err *err);
/* DROP TYPE: a domain, a composite type; a table's row type is refused (2BP01). */
bool sql_ddl_drop_type(sql_ddl_ctx *dc, const sql_drop *drop, const sql_name *n, rt_err *err);
bool sql_ddl_drop_domain(sql_ddl_ctx *dc, const sql_drop *drop, const sql_name *n, rt_err *err);
/* REINDEX (sql_ddl_reindex.c): the statement, its table locks (SHARE, CONCURRENTLY SHARE
 * UPDATE EXCLUSIVE), its 25001 inside a transaction block, and the index a name means (on the
 * search path, as DROP INDEX finds it; NULL if none). */
bool sql_ddl_reindex(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err);
bool sql_ddl_reindex_lock(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err);
bool sql_ddl_reindex_check(const sql_reindex *r, bool in_txn_block, rt_err *err);
const eng_table *sql_ddl_find_index(sql_ddl_ctx *dc, const sql_name *n,
                                    const eng_index **ix);

/* CREATE INDEX with expressions or a predicate: computes them over every row of `t` in the
 * statement, so an error (division by zero, ...) fails the statement as in PostgreSQL rather
 * than the engine's background build (sql_ddl_unique.c). */
bool sql_ddl_index_validate(sql_ddl_ctx *dc, const eng_table *t, const eng_index *ix,
                            rt_err *err);

#endif
