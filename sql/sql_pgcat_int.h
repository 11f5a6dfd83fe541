/* sql_pgcat_int.h: private helpers of the catalog relations (sql_pgcat*.c) and the catalog
 * functions (sql_fn_catalog.c): the row builder that fills a relation's row by column name,
 * and name/definition helpers shared by the relations and the functions. */
#ifndef SQL_PGCAT_INT_H
#define SQL_PGCAT_INT_H

#include "sql/sql_acl.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_strbuf.h"

/* The relations' columns, generated from PostgreSQL 15 (sql_pgcat_rels.c). */
extern const sql_pgcat_rel sql_pgcat_rels[];
extern const uint32_t sql_pgcat_rel_count;

/* OIDs Dreambase gives to things PostgreSQL 15 creates at initdb or CREATE EXTENSION. */
#define PC_OID_HEAP_AM 2u
#define PC_OID_BTREE_AM 403u
#define PC_OID_HASH_AM 405u
#define PC_OID_HNSW_AM 16387u     /* pgvector's access method: free slot below user OIDs */
#define PC_OID_VECTOR_L2_OPS 16388u  /* pgvector's HNSW operator classes, after the AM */
#define PC_OID_VECTOR_IP_OPS 16389u
#define PC_OID_VECTOR_COSINE_OPS 16390u
#define PC_OID_DEFAULT_COLL 100u
#define PC_OID_C_COLL 950u
#define PC_OID_POSIX_COLL 951u
#define PC_OID_PG_DEFAULT_TS 1663u  /* tablespace pg_default */
#define PC_OID_PG_GLOBAL_TS 1664u
#define PC_OID_LANG_INTERNAL 12u
#define PC_OID_PLPGSQL_EXT 13559u  /* the extension every database has */
/* Functions have no OIDs in the registry: pg_proc numbers them from here, in registration
 * order, then the type I/O functions pg_type names; the range ends below the first type of
 * pgvector (16385). */
#define PC_PROC_OID_FIRST 14000u
#define PC_PROC_COUNT_MAX 2380u

/* ---- building rows ---- */

typedef struct pc_row {
    sql_exec_ctx *x;
    const sql_pgcat_rel *rel;
    sql_rowset *out;
    sql_value *v;            /* rel->ncols values */
    uint32_t hint;           /* where the next column lookup starts */
} pc_row;

bool pc_open(pc_row *r, sql_exec_ctx *x, uint32_t rel_id, sql_rowset *out);
/* Every column to its default: 0 / false for fixed-width columns of pg_catalog, NULL
 * otherwise (information_schema, strings, arrays). */
void pc_clear(pc_row *r);
bool pc_add(pc_row *r);
void pc_int(pc_row *r, const char *col, int64_t v);   /* ints, oid, bool, "char", reg* */
void pc_f64(pc_row *r, const char *col, double v);
void pc_null(pc_row *r, const char *col);
/* An access list as aclitem[] (sql_acl.h), NULL for the defaults. */
bool pc_acl(pc_row *r, const char *col, const eng_acl *acl, sql_acl_kind kind, uint32_t owner,
            uint32_t oid);
void pc_str(pc_row *r, const char *col, const char *s); /* NULL s: SQL NULL */
void pc_bytes(pc_row *r, const char *col, sql_bytes b);
static inline void pc_bool(pc_row *r, const char *col, bool v) { pc_int(r, col, v); }
static inline void pc_char(pc_row *r, const char *col, char c) { pc_int(r, col, (uint8_t)c); }
/* oid[] / int2[] / int2vector / oidvector (lower bound 0) / text[] values. */
bool pc_oid_array(pc_row *r, const char *col, const uint32_t *oids, uint32_t n);
bool pc_int2_array(pc_row *r, const char *col, const uint16_t *v, uint32_t n, bool vector);
bool pc_oidvector(pc_row *r, const char *col, const uint32_t *oids, uint32_t n);
bool pc_text_array(pc_row *r, const char *col, const char *const *items, uint32_t n);

/* ---- the objects ---- */

const char *pc_schema_name(const eng_database *db, uint32_t oid);
const char *pc_role_name(const eng_catalog *c, uint32_t oid);
/* Relation kinds of the catalog relations themselves: base tables have OIDs below 10000. */
static inline bool pc_rel_is_view(const sql_pgcat_rel *rel) { return rel->id >= 10000; }
uint32_t pc_rel_schema_oid(const sql_pgcat_rel *rel);
/* Indexes that show in the catalog (the automatic HNSW index of a vector column does not). */
static inline bool pc_index_shown(const eng_index *ix) { return !ix->automatic; }
/* The pg_attribute collation of a column: its own, or its type's default. */
uint32_t pc_column_collation(const eng_column *col);
/* The name of a relation (table, view, index, sequence or catalog relation) by OID, with its
 * schema; false if none. */
bool pc_relation_name(const eng_database *db, uint32_t oid, const char **schema,
                      const char **name);

/* The default operator class of access method `am` for `type`, 0 if none. */
uint32_t pc_default_opclass(uint32_t am, uint32_t type);

/* ---- the search path ---- */

#define PC_PATH_MAX 32 /* schemas in a search path that visibility checks consider */
typedef struct pc_path {
    uint32_t oids[PC_PATH_MAX];
    uint32_t n;
} pc_path;
/* The effective path of a name context: temp schemas, pg_catalog (unless listed), the
 * search path (the session's, or "$user", public without a session). */
void pc_path_build(const sql_names *names, pc_path *p);
void pc_path_of(const sql_exec_ctx *x, pc_path *p);
/* Is relation `oid` the first of its name along the path (pg_table_is_visible)? */
bool pc_rel_visible(const eng_database *db, const pc_path *p, uint32_t oid);
/* The relation named `name` that the path finds first, 0 if none. */
uint32_t pc_rel_lookup(const eng_database *db, const pc_path *p, const char *name);
bool pc_path_has(const pc_path *p, uint32_t schema_oid);

/* ---- functions (pg_proc) ---- */

typedef struct pc_proc {
    uint32_t oid;
    const char *name;
    const sql_func_def *def;   /* NULL for a type I/O function */
} pc_proc;
uint32_t pc_proc_count(void);
const pc_proc *pc_proc_at(uint32_t i);
const pc_proc *pc_proc_by_oid(uint32_t oid);
/* The OID of the first function named `name`, 0 if none. */
uint32_t pc_proc_oid(const char *name);

/* ---- definitions as PostgreSQL prints them ---- */

/* format_type(oid, NULL): "character" for bpchar, "\"any\"" for any. */
void pc_format_type_nomod(uint32_t oid, sql_strbuf *sb);
/* A user-defined type: a domain or the row type of a table or view (hidden unique companions
 * have none shown), with its array type. */
typedef struct pc_user_type {
    const char *name;
    uint32_t schema_oid;
    uint32_t oid, array_oid;
    const eng_domain *domain;  /* one of these two, or neither for an enum type */
    const eng_table *table;
} pc_user_type;
/* The user type `oid` is (or is the array type of); false if none. */
bool pc_user_type_by_oid(const eng_database *db, uint32_t oid, pc_user_type *u);
/* Its name as format_type prints it ("[]" for the array type), qualified when the path does
 * not find it; false if `oid` is no user type. */
bool pc_format_user_type(const eng_database *db, const pc_path *p, uint32_t oid,
                         sql_strbuf *sb);
/* The domain CHECK constraint with pg_constraint oid `oid`, NULL if none. */
const eng_domain_check *pc_domain_check_by_oid(const eng_database *db, uint32_t oid);
/* The user type named `name` ("_t" and "t[]" name its array type) along the path, or in
 * `schema` when given; 0 if none. */
uint32_t pc_user_type_lookup(const eng_database *db, const pc_path *p, const char *schema,
                             const char *name);
/* Appends `name` quoted as an identifier when it needs quotes (quote_ident rules). */
void pc_quote_ident(sql_strbuf *sb, const char *name);
/* Appends schema-qualified `schema.name`, the schema left out when `qualify` is false. */
void pc_qualified(sql_strbuf *sb, const char *schema, const char *name, bool qualify);
/* CREATE [UNIQUE] INDEX ... (pg_get_indexdef); column > 0: only that column's key; pretty:
 * expressions and the predicate with psql's fewer parentheses. */
void pc_index_def(sql_strbuf *sb, const eng_database *db, const eng_table *t,
                  const eng_index *ix, uint32_t column, bool pretty);
/* PRIMARY KEY (a, b) / UNIQUE (...) / CHECK (...) / FOREIGN KEY ... (pg_get_constraintdef). */
void pc_constraint_def(sql_strbuf *sb, const eng_database *db, const pc_path *path,
                       const eng_table *t, const eng_constraint *con, bool pretty);
/* A CHECK expression as pg_get_expr prints it (with the casts PostgreSQL's parser adds to
 * "column op literal"; other shapes as written), and the columns it names (conkey). */
void pc_check_expr(sql_strbuf *sb, const eng_table *t, const char *text, bool pretty);
uint32_t pc_check_columns(const eng_table *t, const char *text, uint16_t *attnums,
                          uint32_t cap);
/* The sequence a serial or identity column takes its values from, NULL if none. */
const eng_sequence *pc_column_sequence(const eng_database *db, const eng_table *t,
                                       const eng_column *col);
/* A column default of table t (NULL: a view's, printed as written) as pg_get_expr prints it. */
void pc_default_def(sql_strbuf *sb, const sql_exec_ctx *x, const eng_table *t,
                    const eng_column *col);
/* The constraint by OID in the database, and its table. */
const eng_constraint *pc_constraint_by_oid(const eng_database *db, uint32_t oid,
                                           const eng_table **table);
/* A string of the strbuf in the arena (NUL-terminated), NULL when out of memory. */
const char *pc_strbuf_cstr(sql_strbuf *sb);

/* ---- scans per relation (sql_pgcat_*.c) ---- */
bool pc_scan_class(pc_row *r);
bool pc_scan_locks(pc_row *r);        /* pg_locks (sql_pgcat_locks.c) */
bool pc_scan_attribute(pc_row *r);
bool pc_scan_index(pc_row *r);
bool pc_scan_constraint(pc_row *r);
bool pc_scan_attrdef(pc_row *r);
bool pc_scan_description(pc_row *r);
bool pc_scan_sequence(pc_row *r);
bool pc_scan_sequences(pc_row *r);
bool pc_scan_depend(pc_row *r);
bool pc_scan_tables(pc_row *r);
bool pc_scan_views(pc_row *r);
bool pc_scan_indexes(pc_row *r);
bool pc_scan_stat_user_tables(pc_row *r);
bool pc_scan_stats(pc_row *r);        /* pg_stats (sql_pgcat_stats.c) */
bool pc_scan_statistic(pc_row *r);    /* pg_statistic (sql_pgcat_stats.c) */
bool pc_scan_enum(pc_row *r);
bool pc_scan_type(pc_row *r);
bool pc_scan_proc(pc_row *r);
bool pc_scan_cast(pc_row *r);         /* pg_cast (sql_pgcat_cast.c) */
bool pc_scan_is_tables(pc_row *r);
bool pc_scan_is_columns(pc_row *r);
bool pc_scan_is_schemata(pc_row *r);
/* information_schema.table_privileges and role_table_grants. */
bool pc_scan_is_table_privileges(pc_row *r);
bool pc_scan_is_column_privileges(pc_row *r);
/* The session's current role (the bootstrap superuser without a session). */
uint32_t pc_current_role(const pc_row *r);
bool pc_scan_is_table_constraints(pc_row *r);
bool pc_scan_is_key_column_usage(pc_row *r);
bool pc_scan_is_constraint_column_usage(pc_row *r);
bool pc_scan_is_referential_constraints(pc_row *r);
bool pc_scan_is_check_constraints(pc_row *r);
bool pc_scan_is_sequences(pc_row *r);
bool pc_scan_is_domains(pc_row *r);
bool pc_scan_is_domain_constraints(pc_row *r);
bool pc_scan_is_views(pc_row *r);
bool pc_scan_is_routines(pc_row *r);

#endif
