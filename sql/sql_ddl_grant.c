/* sql_ddl_grant.c: GRANT and REVOKE: privileges on tables, their columns, sequences, schemas
 * and databases (the objects' access lists in the draft, sql_acl.h) and role memberships. Who
 * grants is PostgreSQL's rule: the owner (for a superuser or a member of the owning role),
 * otherwise a role holding the grant option, which grants only what it may (with a WARNING
 * for the rest). The kinds of objects Dreambase does not have are 0A000. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_acl.h"
#include "sql/sql_ddl_int.h"

/* One object a GRANT names, resolved in the draft. */
typedef struct ddl_acl_obj {
    sql_acl_kind kind;
    uint32_t oid;            /* a column's: its table's */
    uint32_t owner;
    const eng_acl *acl;
    const char *name;        /* a column's: its table's */
    const char *column;      /* SQL_ACL_COLUMN: the column's name */
    const eng_acl *rel_acl;  /* SQL_ACL_COLUMN: the table's list (grant options count too) */
} ddl_acl_obj;

/* PostgreSQL's WARNING when a GRANT or REVOKE did less than it was asked (`some`: not all). */
static void ddl_grant_warning(sql_ddl_ctx *dc, const sql_grant *g, const ddl_acl_obj *o,
                              bool some) {
    if (dc->sink == NULL || dc->sink->notice == NULL) return;
    char what[2 * ENG_NAME_BYTES + 32];
    if (o->column != NULL) {
        snprintf(what, sizeof what, "column \"%s\" of relation \"%s\"", o->column, o->name);
    } else {
        snprintf(what, sizeof what, "\"%s\"", o->name);
    }
    rt_err n;
    rt_err_clear(&n);
    if (g->is_grant) {
        rt_err_set(&n, SQLSTATE_PRIVILEGE_NOT_GRANTED, "%s privileges were granted for %s",
                   some ? "not all" : "no", what);
    } else {
        rt_err_set(&n, SQLSTATE_PRIVILEGE_NOT_REVOKED, "%s privileges could be revoked for %s",
                   some ? "not all" : "no", what);
    }
    dc->sink->notice(dc->sink->arg, "WARNING", &n);
}

/* A role a GRANT names: PUBLIC is 0; CURRENT_USER and friends the current role. */
static bool ddl_grant_role_oid(sql_ddl_ctx *dc, const char *name, bool public_ok,
                               uint32_t *oid, rt_err *err) {
    if (public_ok && strcmp(name, "public") == 0) {
        *oid = 0;
        return true;
    }
    if (strcmp(name, "current_user") == 0 || strcmp(name, "session_user") == 0 ||
        strcmp(name, "current_role") == 0 || strcmp(name, "user") == 0) {
        *oid = dc->user_oid;
        return true;
    }
    const eng_role *r = eng_catalog_role_by_name(sql_ddl_draft(dc), name);
    if (r == NULL) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
    }
    *oid = r->oid;
    return true;
}

/* The bit of privilege `name`, which an object of `kind` must have (42601, 0LP01). */
static bool ddl_grant_priv_bit(const char *name, sql_acl_kind kind, uint32_t *bit,
                               rt_err *err) {
    *bit = sql_acl_priv_of_name(name);
    if (*bit == 0) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "unrecognized privilege type \"%s\"",
                          name);
    }
    if ((*bit & sql_acl_kind_all(kind)) != 0) return true;
    char upper[32];
    size_t n = 0;
    for (; name[n] != '\0' && n + 1 < sizeof upper; n++) {
        upper[n] = (char)toupper((unsigned char)name[n]);
    }
    upper[n] = '\0';
    return rt_err_set(err, SQLSTATE_INVALID_GRANT_OPERATION, "invalid privilege type %s for %s",
                      upper, sql_acl_kind_noun(kind));
}

/* The column list of the GRANT's i-th privilege (i == count: ALL's), NULL if none. */
static const sql_list *ddl_grant_cols_of(const sql_grant *g, uint32_t i) {
    if (i == g->privileges.count) return g->all_columns;
    return i < g->priv_columns.count ? SQL_LIST_AT(g->priv_columns, i) : NULL;
}

/* The privilege bits a GRANT lists for the whole object (those without a column list),
 * checked against the object kind. */
static bool ddl_grant_privs(const sql_grant *g, sql_acl_kind kind, uint32_t *privs,
                            rt_err *err) {
    if (g->all) {
        *privs = g->all_columns != NULL ? 0 : sql_acl_kind_all(kind);
        return true;
    }
    *privs = 0;
    for (uint32_t i = 0; i < g->privileges.count; i++) {
        if (ddl_grant_cols_of(g, i) != NULL) continue;
        uint32_t bit;
        if (!ddl_grant_priv_bit(SQL_LIST_AT(g->privileges, i), kind, &bit, err)) return false;
        *privs |= bit;
    }
    return true;
}

/* Writes an object's new access list into the draft. */
static void ddl_acl_store(sql_ddl_ctx *dc, const ddl_acl_obj *o, const eng_acl *acl) {
    eng_catalog *draft = sql_ddl_draft(dc);
    if (o->kind == SQL_ACL_DATABASE) {
        eng_draft_db(draft, o->oid)->acl = acl;
        return;
    }
    eng_database *db = sql_ddl_db(dc);
    if (o->kind == SQL_ACL_TABLE) {
        eng_draft_table(draft, dc->db_oid, o->oid)->acl = acl;
        return;
    }
    for (uint32_t i = 0; o->kind == SQL_ACL_SEQUENCE && i < db->sequence_count; i++) {
        if (db->sequences[i].oid == o->oid) db->sequences[i].acl = acl;
    }
    for (uint32_t i = 0; o->kind == SQL_ACL_SCHEMA && i < db->schema_count; i++) {
        if (db->schemas[i].oid == o->oid) db->schemas[i].acl = acl;
    }
}

/* Grants that `grantor` made of `bits` after REVOKE took its grant option for them: refused
 * (2BP01) without CASCADE, revoked in turn with it, as PostgreSQL does. */
static bool ddl_revoke_dependents(sql_ddl_ctx *dc, const ddl_acl_obj *o, const eng_acl **acl,
                                  uint32_t grantor, uint32_t bits, bool cascade, uint32_t depth,
                                  rt_err *err) {
    for (uint32_t i = 0; *acl != NULL && i < (*acl)->count; i++) {
        if ((*acl)->items[i].grantee == grantor) bits &= ~(*acl)->items[i].grant_options;
    }
    if (bits == 0 || grantor == o->owner || depth > SQL_ACL_ROLE_DEPTH_MAX) return true;
    for (uint32_t i = 0; *acl != NULL && i < (*acl)->count; i++) {
        const eng_aclitem it = (*acl)->items[i];
        if (it.grantor != grantor || (it.privs & bits) == 0) continue;
        if (!cascade) {
            rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST, "dependent privileges exist");
            rt_err_hint(err, "Use CASCADE to revoke them too.");
            return false;
        }
        uint32_t lost = it.grant_options & bits;
        if (!sql_acl_edit(sql_ddl_draft(dc), *acl, o->kind, o->owner, o->oid, false, it.grantee,
                          grantor, it.privs & bits, false, acl, err) ||
            !ddl_revoke_dependents(dc, o, acl, it.grantee, lost, cascade, depth + 1, err)) {
            return false;
        }
        i = (uint32_t)-1; /* the list changed: look again from the start */
    }
    return true;
}

/* The privileges the current role may grant on an object, and the grantor it grants as:
 * the owner for its members, else itself; 0 and a 42501 error when it holds nothing there. */
static uint32_t ddl_grant_may(sql_ddl_ctx *dc, const ddl_acl_obj *o, uint32_t *grantor,
                              rt_err *err) {
    const eng_catalog *c = sql_ddl_draft(dc);
    uint32_t dbo = sql_ddl_db_owner(dc);
    *grantor = o->owner;
    if (dc->superuser || sql_acl_has_privs_of_in(c, dbo, dc->user_oid, o->owner)) {
        return sql_acl_kind_all(o->kind);
    }
    *grantor = dc->user_oid;
    uint32_t may = sql_acl_grant_mask(c, dbo, dc->user_oid, o->owner, o->acl, o->kind, o->oid);
    uint32_t held = sql_acl_mask(c, dbo, dc->user_oid, o->owner, o->acl, o->kind, o->oid);
    if (o->kind == SQL_ACL_COLUMN) { /* the table's grant options count for its columns */
        uint32_t cols = sql_acl_kind_all(SQL_ACL_COLUMN);
        may |= sql_acl_grant_mask(c, dbo, dc->user_oid, o->owner, o->rel_acl, SQL_ACL_TABLE,
                                  o->oid) & cols;
        held |= sql_acl_mask(c, dbo, dc->user_oid, o->owner, o->rel_acl, SQL_ACL_TABLE,
                             o->oid) & cols;
    }
    if (may != 0 || held != 0) return may;
    if (o->kind == SQL_ACL_COLUMN) {
        rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                   "permission denied for column \"%s\" of relation \"%s\"", o->column, o->name);
    } else {
        sql_acl_denied(err, o->kind, o->name);
    }
    return 0;
}

/* GRANT / REVOKE of `privs` on one object for every grantee: its new list in *acl. */
static bool ddl_grant_edit(sql_ddl_ctx *dc, const sql_grant *g, const ddl_acl_obj *o,
                           uint32_t privs, const uint32_t *grantees, uint32_t ngrantees,
                           const eng_acl **acl, rt_err *err) {
    *acl = o->acl;
    uint32_t grantor;
    uint32_t may = ddl_grant_may(dc, o, &grantor, err);
    if (may == 0 && rt_err_is_set(err)) return false;
    if ((privs & may) == 0) {
        ddl_grant_warning(dc, g, o, false);
        return true;
    }
    if ((privs & may) != privs && !g->all) ddl_grant_warning(dc, g, o, true);
    for (uint32_t i = 0; i < ngrantees; i++) {
        if (!sql_acl_edit(sql_ddl_draft(dc), *acl, o->kind, o->owner, o->oid, g->is_grant,
                          grantees[i], grantor, privs & may, g->option, acl, err)) {
            return false;
        }
        if (!g->is_grant && grantees[i] != 0 &&
            !ddl_revoke_dependents(dc, o, acl, grantees[i], privs & may, g->cascade, 0, err)) {
            return false;
        }
    }
    return true;
}

/* GRANT / REVOKE of `privs` on column `k` of table `table_oid` (a REVOKE on the table
 * revokes them from its columns too, as PostgreSQL's does). */
static bool ddl_grant_column(sql_ddl_ctx *dc, const sql_grant *g, uint32_t table_oid,
                             uint32_t k, uint32_t privs, const uint32_t *grantees, uint32_t n,
                             rt_err *err) {
    eng_table *t = eng_draft_table(sql_ddl_draft(dc), dc->db_oid, table_oid);
    const eng_column *col = &t->columns[k];
    if (!g->is_grant && col->acl == NULL) return true; /* nothing to revoke, no warning */
    ddl_acl_obj o = {SQL_ACL_COLUMN, t->oid, t->owner_oid, col->acl, t->name, col->name, t->acl};
    const eng_acl *acl;
    if (!ddl_grant_edit(dc, g, &o, privs, grantees, n, &acl, err)) return false;
    eng_draft_table(sql_ddl_draft(dc), dc->db_oid, table_oid)->columns[k].acl = acl;
    return true;
}

/* The column privileges a GRANT on table `t` lists: privileges by column (attnum - 1) in
 * `privs`, 42703 for a column the table does not have. */
static bool ddl_grant_col_privs(const sql_grant *g, const eng_table *t, uint32_t *privs,
                                rt_err *err) {
    for (uint32_t i = 0; i <= g->privileges.count; i++) {
        const sql_list *cols = ddl_grant_cols_of(g, i);
        if (cols == NULL) continue;
        uint32_t bits = sql_acl_kind_all(SQL_ACL_COLUMN);
        if (i < g->privileges.count &&
            !ddl_grant_priv_bit(SQL_LIST_AT(g->privileges, i), SQL_ACL_COLUMN, &bits, err)) {
            return false;
        }
        for (uint32_t c = 0; c < cols->count; c++) {
            const char *cname = SQL_LIST_AT(*cols, c);
            const eng_column *col = eng_table_column_by_name(t, cname);
            if (col == NULL) {
                return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                                  "column \"%s\" of relation \"%s\" does not exist", cname,
                                  t->name);
            }
            privs[col->attnum - 1] |= bits;
        }
    }
    return true;
}

/* GRANT / REVOKE on one object for every grantee; on a table also its columns' privileges
 * (those listed, and on REVOKE those the table's REVOKE takes away). */
static bool ddl_grant_object(sql_ddl_ctx *dc, const sql_grant *g, const ddl_acl_obj *o,
                             const uint32_t *grantees, uint32_t ngrantees, rt_err *err) {
    uint32_t privs;
    if (!ddl_grant_privs(g, o->kind, &privs, err)) return false;
    uint32_t *col_privs = NULL;
    const eng_table *t = o->kind == SQL_ACL_TABLE ? eng_db_table_by_oid(sql_ddl_db(dc), o->oid)
                                                  : NULL;
    if (g->columns_at != 0) {
        if (t == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                              "column privileges are only valid for relations");
        }
        col_privs = rt_arena_zalloc(dc->bc->arena, sizeof *col_privs * (t->column_count + 1u));
        if (col_privs == NULL) return rt_arena_fail(dc->bc->arena, err);
        if (!ddl_grant_col_privs(g, t, col_privs, err)) return false;
    }
    uint32_t ncols = t != NULL ? t->column_count : 0, table_oid = o->oid;
    if (privs != 0 || g->columns_at == 0) {
        const eng_acl *acl;
        if (!ddl_grant_edit(dc, g, o, privs, grantees, ngrantees, &acl, err)) return false;
        ddl_acl_store(dc, o, acl);
    }
    uint32_t revoked = g->is_grant ? 0 : privs & sql_acl_kind_all(SQL_ACL_COLUMN);
    for (uint32_t k = 0; k < ncols; k++) {
        uint32_t bits = (col_privs != NULL ? col_privs[k] : 0) | revoked;
        if (bits != 0 && !ddl_grant_column(dc, g, table_oid, k, bits, grantees, ngrantees, err)) {
            return false;
        }
    }
    return true;
}

static ddl_acl_obj ddl_obj_table(const eng_table *t) {
    return (ddl_acl_obj){SQL_ACL_TABLE, t->oid, t->owner_oid, t->acl, t->name, NULL, NULL};
}
static ddl_acl_obj ddl_obj_sequence(const eng_sequence *s) {
    return (ddl_acl_obj){SQL_ACL_SEQUENCE, s->oid, s->owner_oid, s->acl, s->name, NULL, NULL};
}

/* The schema named by ALL TABLES / ALL SEQUENCES IN SCHEMA and GRANT ON SCHEMA. */
static const eng_schema *ddl_grant_schema(sql_ddl_ctx *dc, const char *name, rt_err *err) {
    const eng_schema *s = eng_db_schema_by_name(sql_ddl_db(dc), name);
    if (s == NULL) rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                              name);
    return s;
}

/* Every object of one name in the GRANT: its access list is edited before the next is read
 * (pointers into the draft move on each edit, so objects are looked up one at a time). */
static bool ddl_grant_named(sql_ddl_ctx *dc, const sql_grant *g, uint32_t k,
                            const uint32_t *grantees, uint32_t n, rt_err *err) {
    const void *item = SQL_LIST_AT(g->objects, k);
    const eng_database *db = sql_ddl_db(dc);
    if (g->target == SQL_GRANT_TABLE || g->target == SQL_GRANT_SEQUENCE) {
        const sql_name *nm = item;
        const char *rel = nm->parts[nm->count - 1];
        const eng_table *t = sql_bind_find_table(dc->bc, nm);
        const eng_sequence *s = t == NULL ? sql_bind_find_sequence(dc->bc, nm) : NULL;
        if (t == NULL && s == NULL) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                              rel);
        }
        if (g->target == SQL_GRANT_SEQUENCE && s == NULL) {
            return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a sequence", rel);
        }
        ddl_acl_obj o = s != NULL ? ddl_obj_sequence(s) : ddl_obj_table(t);
        return ddl_grant_object(dc, g, &o, grantees, n, err);
    }
    const char *name = item;
    if (g->target == SQL_GRANT_DATABASE) {
        const eng_database *d = eng_catalog_db_by_name(sql_ddl_draft(dc), name);
        if (d == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME,
                              "database \"%s\" does not exist", name);
        }
        ddl_acl_obj o = {SQL_ACL_DATABASE, d->oid, d->owner_oid, d->acl, d->name, NULL, NULL};
        return ddl_grant_object(dc, g, &o, grantees, n, err);
    }
    const eng_schema *sc = ddl_grant_schema(dc, name, err);
    if (sc == NULL) return false;
    if (g->target == SQL_GRANT_SCHEMA) {
        ddl_acl_obj o = {SQL_ACL_SCHEMA, sc->oid, sc->owner_oid, sc->acl, sc->name, NULL,
                         NULL};
        return ddl_grant_object(dc, g, &o, grantees, n, err);
    }
    uint32_t schema_oid = sc->oid;
    bool tables = g->target == SQL_GRANT_ALL_TABLES;
    uint32_t count = tables ? db->table_count : db->sequence_count;
    for (uint32_t i = 0; i < count; i++) {
        db = sql_ddl_db(dc);
        ddl_acl_obj o;
        if (tables) {
            const eng_table *t = &db->tables[i];
            if (t->schema_oid != schema_oid || (t->kind != 'r' && t->kind != 'v')) continue;
            if (t->persistence == 't') continue;
            o = ddl_obj_table(t);
        } else {
            if (db->sequences[i].schema_oid != schema_oid) continue;
            o = ddl_obj_sequence(&db->sequences[i]);
        }
        if (!ddl_grant_object(dc, g, &o, grantees, n, err)) return false;
    }
    return true;
}

/* ---- role membership ---- */

static bool ddl_grant_one_role(sql_ddl_ctx *dc, const sql_grant *g, const eng_role *role,
                               const eng_role *member, rt_err *err) {
    eng_catalog *draft = sql_ddl_draft(dc);
    const eng_member *have = NULL;
    for (uint32_t i = 0; i < eng_catalog_member_count(draft); i++) {
        const eng_member *m = eng_catalog_member_at(draft, i);
        if (m->role == role->oid && m->member == member->oid) have = m;
    }
    if (!g->is_grant) {
        if (have == NULL) {
            rt_err n;
            rt_err_clear(&n);
            rt_err_set(&n, SQLSTATE_WARNING, "role \"%s\" is not a member of role \"%s\"",
                       member->name, role->name);
            if (dc->sink != NULL && dc->sink->notice != NULL) {
                dc->sink->notice(dc->sink->arg, "WARNING", &n);
            }
        } else if (g->option) {
            eng_member m = *have;
            m.admin = false;
            eng_draft_set_member(draft, &m);
        } else {
            eng_draft_remove_member(draft, role->oid, member->oid);
        }
        return true;
    }
    if (sql_acl_in_role(draft, role->oid, member->oid)) {
        return rt_err_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                          "role \"%s\" is a member of role \"%s\"", role->name, member->name);
    }
    if (have != NULL && (have->admin || !g->option)) {
        sql_ddl_notice(dc, "00000", "role \"%s\" is already a member of role \"%s\"",
                       member->name, role->name);
        return true;
    }
    eng_member m = {role->oid, member->oid, dc->user_oid, g->option};
    eng_draft_set_member(draft, &m);
    return true;
}

static bool ddl_grant_roles(sql_ddl_ctx *dc, const sql_grant *g, rt_err *err) {
    for (uint32_t i = 0; i < g->privileges.count; i++) {
        uint32_t role_oid;
        if (!ddl_grant_role_oid(dc, SQL_LIST_AT(g->privileges, i), false, &role_oid, err)) {
            return false;
        }
        const eng_role *role = eng_catalog_role_by_oid(sql_ddl_draft(dc), role_oid);
        if (!dc->superuser && !sql_acl_is_admin(sql_ddl_draft(dc), dc->user_oid, role_oid)) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "must have admin option on role \"%s\"", role->name);
        }
        if (role->superuser && !dc->superuser) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "must be superuser to alter superusers");
        }
        /* pg_database_owner's one member is implicit: the current database's owner. */
        if (g->is_grant && role_oid == ENG_OID_PG_DATABASE_OWNER) {
            return rt_err_set(err, SQLSTATE_INTERNAL_ERROR,
                              "role \"%s\" cannot have explicit members", role->name);
        }
        for (uint32_t k = 0; k < g->grantees.count; k++) {
            uint32_t member_oid;
            if (!ddl_grant_role_oid(dc, SQL_LIST_AT(g->grantees, k), false, &member_oid, err)) {
                return false;
            }
            if (g->is_grant && member_oid == ENG_OID_PG_DATABASE_OWNER) {
                return rt_err_set(err, SQLSTATE_INTERNAL_ERROR,
                                  "role \"pg_database_owner\" cannot be a member of any role");
            }
            /* Re-read: the draft's role array does not move, but memberships do. */
            const eng_catalog *c = sql_ddl_draft(dc);
            if (!ddl_grant_one_role(dc, g, eng_catalog_role_by_oid(c, role_oid),
                                    eng_catalog_role_by_oid(c, member_oid), err)) {
                return false;
            }
        }
    }
    return true;
}

/* ---- the statement ---- */

bool sql_ddl_grant(sql_ddl_ctx *dc, const sql_grant *g, char *tag, rt_err *err) {
    snprintf(tag, SQL_TAG_BYTES, "%s%s", g->is_grant ? "GRANT" : "REVOKE",
             g->target == SQL_GRANT_ROLE ? " ROLE" : "");
    if (g->target == SQL_GRANT_OTHER) {
        char kind[32];
        size_t n = 0;
        for (; g->other[n] != '\0' && n + 1 < sizeof kind; n++) {
            kind[n] = (char)toupper((unsigned char)g->other[n]);
        }
        kind[n] = '\0';
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s ON %s is not supported",
                          g->is_grant ? "GRANT" : "REVOKE", kind);
    }
    if (g->columns_at != 0 && g->target != SQL_GRANT_TABLE &&
        g->target != SQL_GRANT_ALL_TABLES) {
        return rt_err_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                          "column privileges are only valid for relations");
    }
    if (!sql_ddl_begin(dc, err)) return false;
    if (g->target == SQL_GRANT_ROLE) return ddl_grant_roles(dc, g, err);
    uint32_t n = g->grantees.count;
    uint32_t *grantees = rt_arena_alloc(dc->bc->arena, sizeof *grantees * (n + 1u));
    if (grantees == NULL) return rt_arena_fail(dc->bc->arena, err);
    for (uint32_t i = 0; i < n; i++) {
        if (!ddl_grant_role_oid(dc, SQL_LIST_AT(g->grantees, i), true, &grantees[i], err)) {
            return false;
        }
        if (grantees[i] == 0 && g->is_grant && g->option) {
            return rt_err_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                              "grant options can only be granted to roles");
        }
    }
    for (uint32_t k = 0; k < g->objects.count; k++) {
        if (!ddl_grant_named(dc, g, k, grantees, n, err)) return false;
    }
    return true;
}
