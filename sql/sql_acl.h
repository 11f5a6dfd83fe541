/* sql_acl.h: PostgreSQL's privilege model over the catalog: access lists (eng_acl) of tables,
 * sequences, schemas and databases, role membership with INHERIT, the checks statements make,
 * aclitem text ("{alice=arwdDxt/alice,=r/alice}") and GRANT / REVOKE's edits.
 * Owns:    nothing; every function reads a pinned (or draft) catalog version.
 * Core:    any.
 * Memory:  text results in the caller's arena; edited access lists are owned by the draft.
 * Errors:  42501 insufficient_privilege with PostgreSQL's wording ("permission denied for
 *          table t", "must be owner of table t"), 0LP01 invalid_grant_operation, 54000 past
 *          ENG_ACL_ITEMS_MAX grants on one object.
 * Limits:  SQL_ACL_ROLE_DEPTH_MAX roles are followed through memberships.
 * Cost:    a superuser never gets here: callers test their session's superuser flag first. */
#ifndef SQL_ACL_H
#define SQL_ACL_H

#include "engine/eng_catalog.h"
#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"

/* Roles followed through memberships when testing one (a role hierarchy deeper or wider than
 * this is not followed further: privileges granted only beyond it are not seen). */
#define SQL_ACL_ROLE_DEPTH_MAX 256u

typedef enum sql_acl_kind {
    SQL_ACL_TABLE = 0,
    SQL_ACL_SEQUENCE,
    SQL_ACL_SCHEMA,
    SQL_ACL_DATABASE,
    SQL_ACL_COLUMN,          /* a table column's own grants (pg_attribute.attacl) */
} sql_acl_kind;

/* Every privilege an object kind has (what ALL PRIVILEGES grants). */
uint32_t sql_acl_kind_all(sql_acl_kind kind);
/* "table", "sequence", "schema", "database" (error messages). */
const char *sql_acl_kind_noun(sql_acl_kind kind);
/* The privilege bit of a name ("select", "temporary", ...), 0 if none. */
uint32_t sql_acl_priv_of_name(const char *name);

/* True if `role` has the privileges of `of_role`: the same role, a superuser, or a member
 * of it through roles that INHERIT. */
bool sql_acl_has_privs_of(const eng_catalog *c, uint32_t role, uint32_t of_role);
/* True if `role` is a member of `of_role` directly or indirectly, INHERIT or not (what SET
 * ROLE needs); superusers are members of every role. */
bool sql_acl_is_member(const eng_catalog *c, uint32_t role, uint32_t of_role);
/* The same without the superuser rule (GRANT's check against membership cycles). */
bool sql_acl_in_role(const eng_catalog *c, uint32_t role, uint32_t of_role);
/* The two tests above in a database owned by `db_owner`, whose roles (directly or through
 * memberships) are implicitly members of pg_database_owner. */
bool sql_acl_has_privs_of_in(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                             uint32_t of_role);
bool sql_acl_is_member_in(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                          uint32_t of_role);
/* True if `role` may grant membership in `of_role`: a superuser, or a member WITH ADMIN
 * OPTION (directly or through roles it has the privileges of). */
bool sql_acl_is_admin(const eng_catalog *c, uint32_t role, uint32_t of_role);

/* The privileges `role` holds on an object (owner, access list, kind, object oid) in a
 * database owned by `db_owner` (0: none; pg_database_owner then has no member): the union
 * over PUBLIC and every role whose privileges it has, and what pg_read_all_data and
 * pg_write_all_data give on every table, sequence and schema; every one for a superuser. */
uint32_t sql_acl_mask(const eng_catalog *c, uint32_t db_owner, uint32_t role, uint32_t owner,
                      const eng_acl *acl, sql_acl_kind kind, uint32_t oid);
/* The privileges `role` may grant on it (the owner may grant everything). */
uint32_t sql_acl_grant_mask(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                            uint32_t owner, const eng_acl *acl, sql_acl_kind kind,
                            uint32_t oid);

/* An object's access list as aclitem[] text, NULL when the list is the defaults (NULL). */
const char *sql_acl_text(rt_arena *arena, const eng_catalog *c, const eng_acl *acl,
                         sql_acl_kind kind, uint32_t owner, uint32_t oid);
/* One item as aclitem text ("alice=r*w/bob", "=r/bob" for PUBLIC), in `arena`. */
const char *sql_acl_item_text(rt_arena *arena, const eng_catalog *c, const eng_aclitem *item);
/* The items of an access list, the defaults of its kind when `acl` is NULL (at most two,
 * written to `defaults`). */
uint32_t sql_acl_items(const eng_acl *acl, sql_acl_kind kind, uint32_t owner, uint32_t oid,
                       eng_aclitem defaults[2], const eng_aclitem **items);

/* GRANT (`grant`) or REVOKE of `privs` (grant options only, for REVOKE GRANT OPTION FOR,
 * when `option`) from `grantor` to `grantee` (0 = PUBLIC) on an object: the new access list,
 * owned by `draft`. */
bool sql_acl_edit(eng_catalog *draft, const eng_acl *acl, sql_acl_kind kind, uint32_t owner,
                  uint32_t oid, bool grant, uint32_t grantee, uint32_t grantor, uint32_t privs,
                  bool option, const eng_acl **out, rt_err *err);

/* An access list after the object changed owner: the old owner's grants become the new
 * owner's (PostgreSQL's aclnewowner); NULL stays NULL. */
const eng_acl *sql_acl_new_owner(eng_catalog *draft, const eng_acl *acl, uint32_t old_owner,
                                 uint32_t new_owner);

/* 42501 "permission denied for <kind> <name>". */
bool sql_acl_denied(rt_err *err, sql_acl_kind kind, const char *name);
/* 42501 "must be owner of <kind> <name>". */
bool sql_acl_not_owner(rt_err *err, const char *kind_noun, const char *name);

/* The column sets of a requirement, by privilege (sql_acl_req.cols). */
typedef enum sql_acl_colset {
    SQL_ACL_COLS_SELECT = 0,
    SQL_ACL_COLS_INSERT,
    SQL_ACL_COLS_UPDATE,
    SQL_ACL_COLSETS,
} sql_acl_colset;

/* A privilege a planned statement needs: `privs` on table / sequence `oid` (all of them, or
 * any one of them when `any`), checked when it runs. A role without a table privilege of
 * SELECT, INSERT or UPDATE may still hold it on the columns the statement reads, inserts or
 * updates (PostgreSQL's selectedCols, insertedCols, updatedCols): bit attnum - 1 of
 * cols[set], `col_words` words each; an empty (or NULL) set needs the privilege on any one
 * column. */
typedef struct sql_acl_req {
    uint32_t oid;
    uint32_t privs;
    bool sequence;
    bool any;
    uint32_t col_words;
    uint64_t *cols[SQL_ACL_COLSETS];
} sql_acl_req;

/* The privileges `role` holds on column `col` of table `t` through the column's own grants
 * only (the table's privileges are not included). */
uint32_t sql_acl_column_mask(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                             const eng_table *t, const eng_column *col);
/* True if `role` holds every bit of `privs` on table `t` or, failing that, on every column
 * of `cols` (bit attnum - 1, `words` words; NULL or empty: on any one column), as
 * PostgreSQL's column privilege checks do. */
bool sql_acl_table_or_columns(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                              const eng_table *t, uint32_t privs, const uint64_t *cols,
                              uint32_t words);

/* Checks a statement's needs for `role` (a non-superuser) against `db`. */
bool sql_acl_check_reqs(const eng_catalog *c, const eng_database *db, uint32_t role,
                        const sql_acl_req *reqs, uint32_t nreqs, rt_err *err);

#endif
