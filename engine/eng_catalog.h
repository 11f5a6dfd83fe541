/* eng_catalog.h: the catalog of every database: roles, memberships, databases, schemas, tables,
 * columns, indexes, constraints, sequences, comments, owners, access lists (sql/sql_acl.h).
 * Owns:    catalog versions. A version is immutable once published; DDL clones the current
 *          version into a draft, edits the draft inside its transaction, and publishes it at
 *          commit (eng_catalog_publish). Readers pin a version for a statement with
 *          eng_catalog_pin()/unpin() (ck_epoch sections); an old version is freed when no
 *          reader can still hold it.
 * Core:    any shard reads; DDL (drafts, publish) on the committing transaction's shard, one
 *          DDL transaction at a time (eng_catalog_ddl_lock).
 * Memory:  a version and everything it points to are allocated together (rt_xmalloc) and
 *          freed together.
 * Durable: a published version's changed objects go into the WAL as catalog records with the
 *          new version number; checkpoints write the whole catalog; recovery applies records
 *          above the checkpoint's version in version order.
 * Mutable state that changes at high rates is not here: sequence values (eng_seq), table
 *          statistics (eng_stats). */
#ifndef ENG_CATALOG_H
#define ENG_CATALOG_H

#include <ck_epoch.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_dist.h" /* ENG_VECTOR_DIMS_MAX */
#include "runtime/rt_err.h"
#include "sql/sql_type.h"

#define ENG_NAME_BYTES 64          /* NAMEDATALEN: 63 bytes + NUL */
#define ENG_COLUMNS_MAX 1600       /* as PostgreSQL's MaxHeapAttributeNumber; 54011 past it */
#define ENG_INDEX_COLUMNS_MAX 32   /* INDEX_MAX_KEYS */
#define ENG_PARTITIONS_MAX 1024    /* partitions per table */

/* Physical layout of a column's values in the column store. */
typedef enum eng_store {
    ENG_STORE_I8 = 1,   /* bool, "char" */
    ENG_STORE_I16,      /* int2 */
    ENG_STORE_I32,      /* int4, date, oid and reg* types */
    ENG_STORE_I64,      /* int8, time, timestamp, timestamptz */
    ENG_STORE_F32,      /* float4 */
    ENG_STORE_F64,      /* float8 */
    ENG_STORE_FIXED16,  /* uuid, interval */
    ENG_STORE_VARLEN,   /* text, varchar, bpchar, name, bytea, numeric, json(b), arrays, ... */
    ENG_STORE_VECTOR,   /* vector(n): n float32 in one aligned array per row group */
} eng_store;

/* The storage class and byte width of a type (vector: its dims come from the typmod). */
eng_store eng_store_of_type(uint32_t type_oid);
uint32_t eng_store_width(eng_store store);

/* Privileges of an object (PostgreSQL's AclMode bits, in the order aclitem text prints them:
 * "arwdDxtXUCTc"). */
#define ENG_ACL_INSERT (1u << 0)     /* a */
#define ENG_ACL_SELECT (1u << 1)     /* r */
#define ENG_ACL_UPDATE (1u << 2)     /* w */
#define ENG_ACL_DELETE (1u << 3)     /* d */
#define ENG_ACL_TRUNCATE (1u << 4)   /* D */
#define ENG_ACL_REFERENCES (1u << 5) /* x */
#define ENG_ACL_TRIGGER (1u << 6)    /* t */
#define ENG_ACL_EXECUTE (1u << 7)    /* X */
#define ENG_ACL_USAGE (1u << 8)      /* U */
#define ENG_ACL_CREATE (1u << 9)     /* C */
#define ENG_ACL_TEMP (1u << 10)      /* T */
#define ENG_ACL_CONNECT (1u << 11)   /* c */
#define ENG_ACL_ITEMS_MAX 4096u      /* grants on one object; 54000 past it */

/* One grant: `grantee` (0 = PUBLIC) holds `privs` from `grantor`, with the grant option for
 * the bits of `grant_options` (a subset of privs). */
typedef struct eng_aclitem {
    uint32_t grantee;
    uint32_t grantor;
    uint32_t privs;
    uint32_t grant_options;
} eng_aclitem;

/* An object's access list; a NULL list means the defaults for the object's kind (its owner
 * holds everything; PUBLIC what PostgreSQL gives it), as PostgreSQL's NULL relacl. */
typedef struct eng_acl {
    uint32_t count;
    eng_aclitem items[];
} eng_acl;

/* A role membership (pg_auth_members): `member` is a member of `role`. */
typedef struct eng_member {
    uint32_t role;
    uint32_t member;
    uint32_t grantor;
    bool admin;
} eng_member;

typedef struct eng_column {
    char name[ENG_NAME_BYTES];
    uint32_t type_oid;
    int32_t typmod;
    uint16_t attnum;         /* 1-based, stable: dropped columns keep theirs */
    uint8_t store;           /* eng_store */
    bool not_null;
    bool dropped;
    char identity;           /* 'a' GENERATED ALWAYS, 'd' BY DEFAULT, 0 none */
    char generated;          /* 's' for GENERATED ... STORED, 0 none */
    uint32_t vector_dims;    /* vector columns */
    uint32_t collation;      /* 0 default, 950 "C" */
    const char *default_text; /* DEFAULT expression as SQL text, NULL if none */
    uint32_t default_seq;    /* the sequence DEFAULT calls nextval on (serial, identity, or
                              * written out), 0 if none: DROP SEQUENCE's dependency */
    uint32_t domain_oid;     /* declared with a domain (type_oid/typmod are its base's), 0 if not */
    const uint8_t *missing;  /* value of rows stored before ADD COLUMN (row-image encoding) */
    uint32_t missing_len;    /* 0 with missing NULL: those rows read NULL */
    const char *comment;
    const eng_acl *acl;      /* column privileges (pg_attribute.attacl), NULL: none */
} eng_column;

typedef enum eng_index_method { ENG_INDEX_BTREE = 1, ENG_INDEX_HNSW, ENG_INDEX_HASH } eng_index_method;
typedef enum eng_metric { ENG_METRIC_COSINE = 1, ENG_METRIC_L2, ENG_METRIC_IP } eng_metric;

typedef struct eng_index {
    uint32_t oid;
    /* pg_class.relfilenode: the storage of the index's trees, 0 = its oid. Plain REINDEX keeps
     * the oid and gives a new one, so each partition builds its tree anew (eng_pindex). */
    uint32_t relfilenode;
    char name[ENG_NAME_BYTES];
    uint32_t table_oid;
    eng_index_method method;
    bool unique;
    bool primary;
    bool automatic;          /* the HNSW index every vector column gets without CREATE INDEX */
    bool nulls_not_distinct;
    /* Not valid (pg_index.indisvalid and indisready false): a CREATE UNIQUE INDEX
     * CONCURRENTLY that has not finished, or failed. The planner never reads it and nothing
     * checks its uniqueness until DROP INDEX; its partitions' trees are kept all the same. */
    bool invalid;
    /* With invalid: CREATE UNIQUE INDEX CONCURRENTLY is filling its companion table, which
     * writers already maintain (pg_index.indisready true). */
    bool building;
    uint16_t column_count;
    uint16_t attnums[ENG_INDEX_COLUMNS_MAX]; /* 0: an expression (expr_text) */
    bool desc[ENG_INDEX_COLUMNS_MAX];
    bool nulls_first[ENG_INDEX_COLUMNS_MAX]; /* NULLS FIRST (the default with DESC) */
    const char *opclass[ENG_INDEX_COLUMNS_MAX]; /* NULL = default */
    /* Column k with attnums[k] == 0: its expression as PostgreSQL prints it ("lower(name)"),
     * evaluated by the SQL layer (eng_part_set_index_expr_fn). NULL for plain columns. */
    const char *expr_text[ENG_INDEX_COLUMNS_MAX];
    const char *predicate_text; /* partial index WHERE as PostgreSQL prints it, NULL if none */
    const char *options_text;   /* "m=16, ef_construction=64" as given, NULL if none */
    eng_metric metric;          /* HNSW */
    uint16_t hnsw_m;
    uint16_t hnsw_ef_construction;
    const char *comment;
} eng_index;

static inline uint32_t eng_index_filenode(const eng_index *ix) {
    return ix->relfilenode != 0 ? ix->relfilenode : ix->oid;
}

typedef struct eng_constraint {
    uint32_t oid;
    char name[ENG_NAME_BYTES];
    char kind;               /* 'p' primary key, 'u' unique, 'c' check, 'f' foreign key, 'n' */
    uint32_t table_oid;
    uint16_t column_count;
    uint16_t attnums[ENG_INDEX_COLUMNS_MAX];
    uint32_t index_oid;      /* backing index for p/u */
    const char *check_text;  /* CHECK expression as SQL text */
    uint32_t ref_table_oid;  /* f: referenced table and columns */
    uint16_t ref_attnums[ENG_INDEX_COLUMNS_MAX];
    char on_delete, on_update; /* 'a' no action, 'r' restrict, 'c' cascade, 'n' set null,
                                  'd' set default */
    char match;              /* 's' simple, 'f' full */
    bool deferrable, deferred, validated;
    const char *comment;
} eng_constraint;

typedef struct eng_table {
    uint32_t oid;
    char name[ENG_NAME_BYTES];
    uint32_t schema_oid;
    uint32_t owner_oid;
    char kind;               /* 'r' table, 'v' view, 'S' sequence */
    char persistence;        /* 'p' permanent, 't' temporary, 'u' unlogged */
    char on_commit;          /* temp tables: 'p' preserve, 'd' delete rows, 'D' drop */
    uint32_t temp_session;   /* temp tables: the owning session's id */
    uint64_t storage_id;     /* data of this table; a new one on TRUNCATE or a rewrite */
    uint64_t def_gen;        /* changes whenever the definition changes (eng_catalog_def_gen) */
    uint32_t partition_count;
    uint16_t column_count;   /* including dropped columns (attnum = index + 1) */
    eng_column *columns;
    uint16_t pk_count;       /* 0: the hidden row id is the partition key */
    uint16_t pk_attnums[ENG_INDEX_COLUMNS_MAX];
    uint32_t index_count;
    eng_index *indexes;
    uint32_t constraint_count;
    eng_constraint *constraints;
    uint16_t fillfactor;     /* accepted and shown; the column store has no pages */
    const char *view_text;   /* views: the defining SELECT */
    const char *options_text;
    const char *comment;
    const eng_acl *acl;      /* NULL: the defaults */
    /* The row type of a table or view (pg_class.reltype) and its array type, given by
     * eng_draft_add_table; 0 for objects from catalogs written before format 3. */
    uint32_t rowtype_oid;
    uint32_t rowtype_array_oid;
} eng_table;

typedef struct eng_sequence {
    uint32_t oid;            /* also the oid of its pg_class entry */
    char name[ENG_NAME_BYTES];
    uint32_t schema_oid;
    uint32_t owner_oid;
    uint32_t type_oid;       /* int2, int4 or int8 */
    int64_t start, increment, min_value, max_value, cache;
    bool cycle;
    uint32_t owned_by_table; /* OWNED BY t.c (serial/identity), 0 if none */
    uint16_t owned_by_attnum;
    char persistence;
    const char *comment;
    const eng_acl *acl;      /* NULL: the defaults */
} eng_sequence;

/* A domain (CREATE DOMAIN): a base type with a default, NOT NULL and CHECK constraints. Its
 * columns store values of the innermost base type; the SQL layer checks the constraints. */
#define ENG_DOMAIN_CHECKS_MAX 64   /* CHECK constraints of one domain; 54000 past it */
typedef struct eng_domain_check {
    uint32_t oid;            /* pg_constraint.oid */
    char name[ENG_NAME_BYTES];
    const char *check_text;  /* the CHECK expression over VALUE as SQL text */
} eng_domain_check;

typedef struct eng_domain {
    uint32_t oid;            /* pg_type.oid */
    uint32_t array_oid;      /* its array type's pg_type.oid ("_name") */
    char name[ENG_NAME_BYTES];
    uint32_t schema_oid;
    uint32_t owner_oid;
    uint32_t base_oid;       /* pg_type.typbasetype: a built-in type or another domain */
    int32_t typmod;          /* typtypmod */
    uint32_t collation;      /* 0 default */
    bool not_null;
    const char *default_text; /* DEFAULT as SQL text, NULL if none */
    uint32_t check_count;
    eng_domain_check checks[ENG_DOMAIN_CHECKS_MAX];
    const char *comment;
} eng_domain;

/* An enum type (CREATE TYPE ... AS ENUM): its labels in the order they sort. A label keeps
 * its oid and sort order for life (pg_enum.oid, enumsortorder): columns store values that
 * carry both (sql_enum.h), so RENAME VALUE changes only the text. */
#define ENG_ENUM_LABELS_MAX 65536  /* labels of one enum type; 54000 past it */
typedef struct eng_enum_label {
    uint32_t oid;            /* pg_enum.oid */
    float sortorder;         /* pg_enum.enumsortorder */
    char name[ENG_NAME_BYTES];
} eng_enum_label;

typedef struct eng_enum {
    uint32_t oid;            /* pg_type.oid */
    uint32_t array_oid;      /* its array type's pg_type.oid ("_name") */
    char name[ENG_NAME_BYTES];
    uint32_t schema_oid;
    uint32_t owner_oid;
    uint32_t label_count;
    const eng_enum_label *labels; /* by sort order; owned by the catalog version */
    const char *comment;
} eng_enum;

typedef struct eng_schema {
    uint32_t oid;
    char name[ENG_NAME_BYTES];
    uint32_t owner_oid;
    const char *comment;
    const eng_acl *acl;      /* NULL: the defaults */
} eng_schema;

typedef struct eng_extension {
    uint32_t oid;
    char name[ENG_NAME_BYTES];
    uint32_t schema_oid;
    char version[16];
} eng_extension;

typedef struct eng_database {
    uint32_t oid;
    char name[ENG_NAME_BYTES];
    uint32_t owner_oid;
    uint32_t schema_count;
    eng_schema *schemas;
    uint32_t table_count;
    eng_table *tables;
    uint32_t sequence_count;
    eng_sequence *sequences;
    uint32_t extension_count;
    eng_extension *extensions;
    uint32_t domain_count;
    eng_domain *domains;
    uint32_t enum_count;
    eng_enum *enums;
    const char *comment;
    const eng_acl *acl;      /* NULL: the defaults */
    const struct eng_catalog *catalog; /* the version this database belongs to */
} eng_database;

typedef struct eng_role {
    uint32_t oid;
    char name[ENG_NAME_BYTES];
    bool superuser, inherit, createrole, createdb, login, replication, bypassrls;
    int32_t connection_limit;
    const char *password;    /* SCRAM verifier, NULL if none */
    int64_t valid_until_us;  /* INT64_MAX if none */
} eng_role;

typedef struct eng_catalog eng_catalog;

/* Well-known OIDs (PostgreSQL's): namespaces and the bootstrap superuser and database. */
#define ENG_OID_PG_CATALOG 11u
#define ENG_OID_PUBLIC 2200u
#define ENG_OID_INFORMATION_SCHEMA 13000u
#define ENG_OID_PG_TOAST 99u
#define ENG_OID_BOOTSTRAP_ROLE 10u
#define ENG_OID_TEMPLATE1 1u
#define ENG_OID_POSTGRES_DB 5u
#define ENG_OID_TEMPLATE0 4u

/* PostgreSQL 15's predefined roles (their OIDs are PostgreSQL's: clients and dumps name them).
 * Every catalog has them: a fresh one from its bootstrap, an older one gains them on load. */
#define ENG_OID_PG_MONITOR 3373u
#define ENG_OID_PG_READ_ALL_SETTINGS 3374u
#define ENG_OID_PG_READ_ALL_STATS 3375u
#define ENG_OID_PG_STAT_SCAN_TABLES 3377u
#define ENG_OID_PG_SIGNAL_BACKEND 4200u
#define ENG_OID_PG_CHECKPOINT 4544u
#define ENG_OID_PG_READ_SERVER_FILES 4569u
#define ENG_OID_PG_WRITE_SERVER_FILES 4570u
#define ENG_OID_PG_EXECUTE_SERVER_PROGRAM 4571u
#define ENG_OID_PG_DATABASE_OWNER 6171u
#define ENG_OID_PG_READ_ALL_DATA 6181u
#define ENG_OID_PG_WRITE_ALL_DATA 6182u
/* True for the OID of a predefined role (neither dropped nor altered). */
bool eng_role_is_predefined(uint32_t oid);

/* ---- versions ---- */

/* The bootstrap catalog of a fresh data directory: role `superuser`, databases postgres,
 * template1 and template0, each with pg_catalog, public, information_schema. */
eng_catalog *eng_catalog_bootstrap(const char *superuser);

/* A pinned version: valid until eng_catalog_unpin(). Several fibers of a shard may hold pins
 * at once; each pin is an epoch section, so a long statement delays only the versions it saw. */
typedef struct eng_catalog_ref {
    const eng_catalog *catalog;
    ck_epoch_section_t section;
} eng_catalog_ref;
void eng_catalog_pin(eng_catalog_ref *ref);
void eng_catalog_unpin(eng_catalog_ref *ref);
uint64_t eng_catalog_version(const eng_catalog *catalog);

/* A private copy to edit (for DDL). */
eng_catalog *eng_catalog_draft(const eng_catalog *base);
void eng_catalog_draft_free(eng_catalog *draft);
/* Makes `draft` the current version (version = previous + 1); retires the previous one. The
 * caller holds the DDL lock and has logged the change. */
void eng_catalog_publish(eng_catalog *draft);
/* Installs a recovered catalog as the current version (startup, before the shards serve). */
void eng_catalog_install(eng_catalog *catalog);
/* Frees the current version at shutdown. */
void eng_catalog_shutdown(void);
/* Called regularly on every shard: frees versions no reader can hold any more. */
void eng_catalog_poll(void);
/* True once every version before `version` is freed: no statement still reads one. */
bool eng_catalog_retired_before(uint64_t version);

/* One DDL transaction at a time: true when acquired (or already held by `owner`). */
bool eng_catalog_ddl_trylock(uint64_t owner);
void eng_catalog_ddl_unlock(uint64_t owner);
/* The transaction holding the DDL lock now, 0 = none (pg_stat_activity's wait for it). */
uint64_t eng_catalog_ddl_holder(void);

/* ---- lookups (on a pinned or draft version) ---- */
const eng_role *eng_catalog_role_by_name(const eng_catalog *c, const char *name);
const eng_role *eng_catalog_role_by_oid(const eng_catalog *c, uint32_t oid);
uint32_t eng_catalog_role_count(const eng_catalog *c);
const eng_role *eng_catalog_role_at(const eng_catalog *c, uint32_t i);
const eng_database *eng_catalog_db_by_name(const eng_catalog *c, const char *name);
const eng_database *eng_catalog_db_by_oid(const eng_catalog *c, uint32_t oid);
uint32_t eng_catalog_db_count(const eng_catalog *c);
const eng_database *eng_catalog_db_at(const eng_catalog *c, uint32_t i);

const eng_schema *eng_db_schema_by_name(const eng_database *db, const char *name);
const eng_schema *eng_db_schema_by_oid(const eng_database *db, uint32_t oid);
const eng_table *eng_db_table_by_name(const eng_database *db, uint32_t schema_oid,
                                      const char *name);
const eng_table *eng_db_table_by_oid(const eng_database *db, uint32_t oid);
const eng_sequence *eng_db_sequence_by_name(const eng_database *db, uint32_t schema_oid,
                                            const char *name);
const eng_sequence *eng_db_sequence_by_oid(const eng_database *db, uint32_t oid);
const eng_domain *eng_db_domain_by_name(const eng_database *db, uint32_t schema_oid,
                                        const char *name);
/* By the domain's oid or its array type's oid. */
const eng_domain *eng_db_domain_by_oid(const eng_database *db, uint32_t oid);
const eng_enum *eng_db_enum_by_name(const eng_database *db, uint32_t schema_oid,
                                    const char *name);
/* By the enum's oid or its array type's oid. */
const eng_enum *eng_db_enum_by_oid(const eng_database *db, uint32_t oid);
/* The table an index belongs to, and the index (by index oid). */
const eng_table *eng_db_table_of_index(const eng_database *db, uint32_t index_oid,
                                       const eng_index **index);
const eng_column *eng_table_column_by_name(const eng_table *t, const char *name);
const eng_column *eng_table_column_by_attnum(const eng_table *t, uint16_t attnum);

/* Role memberships of a version. */
uint32_t eng_catalog_member_count(const eng_catalog *c);
const eng_member *eng_catalog_member_at(const eng_catalog *c, uint32_t i);

/* ---- editing a draft (DDL) ---- */
/* A fresh OID, unique in the cluster. */
uint32_t eng_catalog_new_oid(eng_catalog *draft);
uint64_t eng_catalog_new_storage_id(eng_catalog *draft);
/* Mutable access to objects of a draft; pointers are valid until the next add/remove. */
eng_database *eng_draft_db(eng_catalog *draft, uint32_t db_oid);
eng_table *eng_draft_table(eng_catalog *draft, uint32_t db_oid, uint32_t table_oid);
/* Adds copies (strings and arrays deep-copied into the draft); a table or view without a row
 * type gets one (and its array type). */
eng_database *eng_draft_add_db(eng_catalog *draft, const eng_database *db);
eng_table *eng_draft_add_table(eng_catalog *draft, uint32_t db_oid, const eng_table *t);
eng_schema *eng_draft_add_schema(eng_catalog *draft, uint32_t db_oid, const eng_schema *s);
eng_sequence *eng_draft_add_sequence(eng_catalog *draft, uint32_t db_oid,
                                     const eng_sequence *s);
eng_domain *eng_draft_add_domain(eng_catalog *draft, uint32_t db_oid, const eng_domain *d);
/* Replaces a domain's definition (same oid); strings deep-copied. */
void eng_draft_replace_domain(eng_catalog *draft, uint32_t db_oid, const eng_domain *d);
void eng_draft_remove_domain(eng_catalog *draft, uint32_t db_oid, uint32_t domain_oid);
/* Adds or replaces (same oid) an enum type; its labels and strings deep-copied. */
void eng_draft_put_enum(eng_catalog *draft, uint32_t db_oid, const eng_enum *e);
void eng_draft_remove_enum(eng_catalog *draft, uint32_t db_oid, uint32_t enum_oid);
eng_extension *eng_draft_add_extension(eng_catalog *draft, uint32_t db_oid,
                                       const eng_extension *e);
eng_role *eng_draft_add_role(eng_catalog *draft, const eng_role *r);
eng_role *eng_draft_role(eng_catalog *draft, uint32_t oid);
/* Replaces a table's definition (columns/indexes/constraints arrays deep-copied). */
void eng_draft_replace_table(eng_catalog *draft, uint32_t db_oid, const eng_table *t);
void eng_draft_remove_table(eng_catalog *draft, uint32_t db_oid, uint32_t table_oid);
void eng_draft_remove_schema(eng_catalog *draft, uint32_t db_oid, uint32_t schema_oid);
void eng_draft_remove_sequence(eng_catalog *draft, uint32_t db_oid, uint32_t seq_oid);
void eng_draft_remove_extension(eng_catalog *draft, uint32_t db_oid, uint32_t ext_oid);
void eng_draft_remove_db(eng_catalog *draft, uint32_t db_oid);
void eng_draft_remove_role(eng_catalog *draft, uint32_t role_oid);
/* A fresh definition generation for a table whose definition a draft changed: partitions
 * compare it to adapt themselves (unique across drafts, committed or not). */
uint64_t eng_catalog_def_gen(void);
/* Adds a membership or replaces the one of the same (role, member). */
void eng_draft_set_member(eng_catalog *draft, const eng_member *m);
/* Removes the membership of (role, member); false if there was none. */
bool eng_draft_remove_member(eng_catalog *draft, uint32_t role, uint32_t member);
/* An access list owned by the draft (copied), NULL for NULL. */
const eng_acl *eng_draft_acl(eng_catalog *draft, const eng_acl *acl);
/* A string owned by the draft (freed with it). */
const char *eng_draft_strdup(eng_catalog *draft, const char *s);

/* ---- persistence ---- */
/* The whole catalog as bytes (checkpoint) and back; untrusted bytes -> XX001. */
bool eng_catalog_serialize(const eng_catalog *c, uint8_t **out, uint64_t *out_len, rt_err *err);
eng_catalog *eng_catalog_deserialize(const uint8_t *data, uint64_t len, rt_err *err);

/* Every storage (table partition data) a version refers to, for sweeping dropped data. */
bool eng_catalog_has_storage(const eng_catalog *c, uint64_t storage_id);

#endif
