/* sql_ddl_drop.c: DROP of every object kind with IF EXISTS and CASCADE / RESTRICT, TRUNCATE,
 * COMMENT ON, and ALTER SCHEMA / ROLE / DATABASE ... RENAME TO.
 * Dependencies the catalog records are followed: sequences owned by columns, indexes and
 * constraints of tables, objects in schemas, objects owned by roles. Views record no
 * dependencies, so a view depends on a relation when its text names it (a word match). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_fk.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_unique.h"

static const char *ddl_drop_tag(sql_object_kind k) {
    switch (k) {
    case SQL_OBJ_TABLE: return "DROP TABLE";
    case SQL_OBJ_INDEX: return "DROP INDEX";
    case SQL_OBJ_SEQUENCE: return "DROP SEQUENCE";
    case SQL_OBJ_VIEW: return "DROP VIEW";
    case SQL_OBJ_MATVIEW: return "DROP MATERIALIZED VIEW";
    case SQL_OBJ_SCHEMA: return "DROP SCHEMA";
    case SQL_OBJ_DATABASE: return "DROP DATABASE";
    case SQL_OBJ_ROLE: return "DROP ROLE";
    case SQL_OBJ_EXTENSION: return "DROP EXTENSION";
    case SQL_OBJ_TYPE: return "DROP TYPE";
    case SQL_OBJ_DOMAIN: return "DROP DOMAIN";
    case SQL_OBJ_FUNCTION: return "DROP FUNCTION";
    case SQL_OBJ_TRIGGER: return "DROP TRIGGER";
    default: return "DROP";
    }
}

/* A view (other than `self`) whose text names relation `name`, NULL if none. */
static const eng_table *ddl_dependent_view(const eng_database *db, const char *name,
                                           uint32_t self) {
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *v = &db->tables[i];
        if (v->kind == 'v' && v->oid != self && sql_ddl_text_names(v->view_text, name)) return v;
    }
    return NULL;
}

/* The objects a DROP reaches, as PostgreSQL lists them ("view v depends on table t" for the
 * error, "drop cascades to view v" for the notice). */
typedef struct ddl_deps {
    uint32_t count;
    char error[RT_ERR_DETAIL_BYTES_MAX];
    char notice[RT_ERR_DETAIL_BYTES_MAX];
    size_t error_len, notice_len;
} ddl_deps;

static void ddl_deps_add(ddl_deps *d, const char *what, const char *on) {
    size_t cap = sizeof d->error;
    if (d->error_len < cap) {
        d->error_len += (size_t)snprintf(d->error + d->error_len, cap - d->error_len,
                                         "%s%s depends on %s", d->count > 0 ? "\n" : "", what, on);
    }
    if (d->notice_len < cap) {
        d->notice_len += (size_t)snprintf(d->notice + d->notice_len, cap - d->notice_len,
                                          "%sdrop cascades to %s", d->count > 0 ? "\n" : "",
                                          what);
    }
    d->count++;
}

static void ddl_deps_notice(sql_ddl_ctx *dc, const ddl_deps *d) {
    if (d->count == 1) {
        sql_ddl_notice_detail(dc, d->notice, NULL);
    } else if (d->count > 1) {
        char msg[64];
        snprintf(msg, sizeof msg, "drop cascades to %u other objects", d->count);
        sql_ddl_notice_detail(dc, msg, d->notice);
    }
}

static bool ddl_depends_error(rt_err *err, const char *kind, const char *name,
                              const char *detail) {
    rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
               "cannot drop %s %s because other objects depend on it", kind, name);
    rt_err_detail(err, "%s", detail);
    rt_err_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
    return false;
}

/* The foreign keys of other tables that reference table `oid`, as dependencies. */
static void ddl_fk_deps(sql_ddl_ctx *dc, const sql_drop *stmt, uint32_t oid, const char *on,
                        ddl_deps *deps) {
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *c = &db->tables[i];
        bool dropped_too = false; /* DROP TABLE p, c: c's key goes with c */
        for (uint32_t k = 0; stmt != NULL && k < stmt->names.count && !dropped_too; k++) {
            dropped_too = sql_bind_find_table(dc->bc, SQL_LIST_AT(stmt->names, k)) == c;
        }
        if (dropped_too) continue;
        for (uint32_t k = 0; c->oid != oid && k < c->constraint_count; k++) {
            const eng_constraint *con = &c->constraints[k];
            if (con->kind != 'f' || con->ref_table_oid != oid) continue;
            char what[ENG_NAME_BYTES * 2 + 32];
            snprintf(what, sizeof what, "constraint %s on table %s", con->name, c->name);
            ddl_deps_add(deps, what, on);
        }
    }
}

/* DROP ... CASCADE of a referenced table: the foreign keys referencing it go. */
static bool ddl_fk_drop_referencing(sql_ddl_ctx *dc, uint32_t oid, rt_err *err) {
    const eng_table *child;
    while (sql_fk_referencing(dc->bc->db, eng_db_table_by_oid(dc->bc->db, oid), oid, &child) !=
           NULL) {
        eng_table *copy = sql_ddl_table_copy(dc, child, err);
        if (copy == NULL) return false;
        uint32_t kept = 0;
        for (uint32_t k = 0; k < copy->constraint_count; k++) {
            const eng_constraint *con = &copy->constraints[k];
            if (con->kind == 'f' && con->ref_table_oid == oid) continue;
            copy->constraints[kept++] = *con;
        }
        copy->constraint_count = kept;
        copy->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
        sql_ddl_db(dc);
    }
    return true;
}

/* Removes a relation and what belongs to it (owned sequences); views naming it go with CASCADE
 * (recursively, `depth` deep), or make it fail. */
static bool ddl_drop_relation(sql_ddl_ctx *dc, uint32_t oid, bool cascade, uint32_t depth,
                              const sql_drop *stmt, rt_err *err) {
    const eng_table *t = eng_db_table_by_oid(dc->bc->db, oid);
    if (t == NULL) return true;
    char name[ENG_NAME_BYTES], on[ENG_NAME_BYTES + 8];
    snprintf(name, sizeof name, "%s", t->name);
    snprintf(on, sizeof on, "%s %s", sql_ddl_rel_kind_name(t), name);
    ddl_deps deps = {0};
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *v = &db->tables[i];
        if (v->kind != 'v' || v->oid == oid || !sql_ddl_text_names(v->view_text, name)) continue;
        char what[ENG_NAME_BYTES + 8];
        snprintf(what, sizeof what, "view %s", v->name);
        ddl_deps_add(&deps, what, on);
    }
    if (t->kind == 'r') ddl_fk_deps(dc, stmt, oid, on, &deps);
    char users[RT_ERR_DETAIL_BYTES_MAX];
    if (sql_ddl_rowtype_users(db, t, users, sizeof users) > 0) {
        if (cascade) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "DROP ... CASCADE of a row type a column uses is not supported "
                              "yet");
        }
        return ddl_depends_error(err, sql_ddl_rel_kind_name(t), name, users);
    }
    if (deps.count > 0 && !cascade) {
        return ddl_depends_error(err, sql_ddl_rel_kind_name(t), name, deps.error);
    }
    if (depth == 0) ddl_deps_notice(dc, &deps);
    for (const eng_table *v; (v = ddl_dependent_view(dc->bc->db, name, oid)) != NULL;) {
        if (depth > 64 || !ddl_drop_relation(dc, v->oid, cascade, depth + 1, NULL, err)) {
            return false;
        }
    }
    if (!ddl_fk_drop_referencing(dc, oid, err)) return false;
    eng_draft_remove_table(sql_ddl_draft(dc), dc->db_oid, oid);
    db = sql_ddl_db(dc);
    for (uint32_t i = 0; i < db->sequence_count;) {
        if (db->sequences[i].owned_by_table == oid) {
            eng_draft_remove_sequence(sql_ddl_draft(dc), dc->db_oid, db->sequences[i].oid);
            db = sql_ddl_db(dc);
        } else {
            i++;
        }
    }
    return true;
}

static bool ddl_missing(sql_ddl_ctx *dc, const sql_drop *d, const char *kind, const char *name,
                        const char *sqlstate, rt_err *err) {
    if (d->if_exists) {
        sql_ddl_notice(dc, "00000", "%s \"%s\" does not exist, skipping", kind, name);
        return true;
    }
    return rt_err_set(err, sqlstate, "%s \"%s\" does not exist", kind, name);
}

static bool ddl_wrong_kind(sql_ddl_ctx *dc, const sql_name *n, const char *kind, rt_err *err);

static bool ddl_drop_table(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n, rt_err *err) {
    bool view = d->object == SQL_OBJ_VIEW;
    const char *rel = n->parts[n->count - 1];
    const eng_table *t = sql_bind_find_table(dc->bc, n);
    if (t == NULL) {
        const char *schema = n->count >= 2 ? n->parts[n->count - 2] : NULL;
        if (!view && sql_pgcat_find(schema, rel) != NULL &&
            (schema == NULL || strcmp(schema, "pg_catalog") == 0)) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "permission denied: \"%s\" is a system catalog", rel);
        }
        if (ddl_wrong_kind(dc, n, view ? "view" : "table", err)) return false;
        return ddl_missing(dc, d, view ? "view" : "table", rel, SQLSTATE_UNDEFINED_TABLE, err);
    }
    if (t->kind == 'c' && ddl_wrong_kind(dc, n, view ? "view" : "table", err)) return false;
    if (t->kind != (view ? 'v' : 'r')) {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a %s", rel,
                   view ? "view" : "table");
        rt_err_hint(err, "Use DROP %s to remove a %s.", view ? "TABLE" : "VIEW",
                    view ? "table" : "view");
        return false;
    }
    if (!sql_ddl_owns(dc, t->owner_oid, view ? "view" : "table", t->name, err)) return false;
    return ddl_drop_relation(dc, t->oid, d->cascade, 0, d, err);
}

/* The schemas a name is looked up in: its own, or the search path's. */
static uint32_t ddl_name_schemas(sql_ddl_ctx *dc, const sql_name *n, uint32_t *oids) {
    const eng_database *db = dc->bc->db;
    if (n->count >= 2) {
        const eng_schema *s = eng_db_schema_by_name(db, n->parts[n->count - 2]);
        oids[0] = s != NULL ? s->oid : 0;
        return s != NULL ? 1 : 0;
    }
    uint32_t k = 0;
    if (dc->bc->temp_schema_oid != 0) oids[k++] = dc->bc->temp_schema_oid;
    for (uint32_t i = 0; i < dc->bc->nsearch && k < 32; i++) {
        const eng_schema *s = eng_db_schema_by_name(db, dc->bc->search_path[i]);
        if (s != NULL) oids[k++] = s->oid;
    }
    return k;
}

/* The kind of relation `n` names other than `kind` (NULL if none): DROP of the wrong kind is
 * 42809 with PostgreSQL's hint, even under IF EXISTS. */
static const char *ddl_relation_kind(sql_ddl_ctx *dc, const sql_name *n, const char *kind) {
    const eng_table *t = sql_bind_find_table(dc->bc, n);
    if (t != NULL && t->kind == 'v') return "view";
    if (t != NULL && t->kind == 'c') return "type";
    if (t != NULL) return "table";
    if (strcmp(kind, "sequence") != 0 && sql_bind_find_sequence(dc->bc, n) != NULL) {
        return "sequence";
    }
    uint32_t oids[33];
    uint32_t k = ddl_name_schemas(dc, n, oids);
    const eng_index *ix = NULL;
    for (uint32_t i = 0; i < k; i++) {
        if (sql_ddl_index_by_name(dc->bc->db, oids[i], n->parts[n->count - 1], &ix) != NULL) {
            return "index";
        }
    }
    return NULL;
}

static bool ddl_wrong_kind(sql_ddl_ctx *dc, const sql_name *n, const char *kind, rt_err *err) {
    const char *other = ddl_relation_kind(dc, n, kind);
    if (other == NULL || strcmp(other, kind) == 0) return false;
    char upper[16];
    size_t i = 0;
    for (; other[i] != '\0' && i + 1 < sizeof upper; i++) {
        upper[i] = (char)toupper((unsigned char)other[i]);
    }
    upper[i] = '\0';
    rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a%s %s", n->parts[n->count - 1],
               kind[0] == 'i' ? "n" : "", kind);
    rt_err_hint(err, "Use DROP %s to remove a%s %s.", upper, other[0] == 'i' ? "n" : "", other);
    return true;
}

static bool ddl_drop_index(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n, rt_err *err) {
    const char *name = n->parts[n->count - 1];
    uint32_t oids[33];
    uint32_t k = ddl_name_schemas(dc, n, oids);
    const eng_index *ix = NULL;
    const eng_table *t = NULL;
    for (uint32_t i = 0; i < k && t == NULL; i++) {
        t = sql_ddl_index_by_name(dc->bc->db, oids[i], name, &ix);
    }
    if (t == NULL && ddl_wrong_kind(dc, n, "index", err)) return false;
    if (t == NULL) return ddl_missing(dc, d, "index", name, SQLSTATE_UNDEFINED_OBJECT, err);
    if (!sql_ddl_owns(dc, t->owner_oid, "index", name, err)) return false;
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        const eng_constraint *c = &t->constraints[i];
        if (c->index_oid != ix->oid) continue;
        rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                   "cannot drop index %s because constraint %s on table %s requires it", name,
                   c->name, t->name);
        rt_err_hint(err, "You can drop constraint %s on table %s instead.", c->name, t->name);
        return false;
    }
    eng_table *copy = sql_ddl_table_copy(dc, t, err);
    if (copy == NULL) return false;
    uint32_t at = (uint32_t)(ix - t->indexes);
    if (d->concurrently) {
        /* Not valid from this commit on (writers still keep it); the session waits, makes it
         * not ready, waits again, then drops it (sql_session_index.c). */
        copy->indexes[at].invalid = true;
        copy->indexes[at].building = true;
        dc->drop_cc_oid = ix->oid;
        copy->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
        sql_ddl_db(dc);
        return true;
    }
    memmove(&copy->indexes[at], &copy->indexes[at + 1],
            (copy->index_count - at - 1) * sizeof(eng_index));
    copy->index_count--;
    copy->def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
    sql_ddl_db(dc);
    return true;
}

/* Whether a default's text calls nextval on a sequence named `name` (the last part of the
 * literal, unquoted parts folded to lower case, as nextval resolves it). Only for defaults
 * without a default_seq: those written before it was recorded, or calling nextval on two
 * sequences (sql_ddl_default_sequence). */
static bool ddl_default_calls_nextval(const char *text, const char *name) {
    static const char call[] = "nextval('";
    for (const char *p = text; p != NULL && (p = strstr(p, call)) != NULL;) {
        p += sizeof call - 1;
        char lit[ENG_NAME_BYTES * 3];
        size_t k = 0;
        bool quoted = false;
        for (; *p != '\0' && *p != '\'' && k + 1 < sizeof lit; p++) {
            if (*p == '"') quoted = !quoted;
            else if (*p == '.' && !quoted) k = 0; /* keep only the last part */
            else lit[k++] = quoted ? *p : (char)tolower((unsigned char)*p);
        }
        lit[k] = '\0';
        if (strcmp(lit, name) == 0) return true;
    }
    return false;
}

/* Sequence `s` as PostgreSQL's messages name it: schema-qualified unless the search path
 * finds it by its bare name. */
static const char *ddl_seq_description(sql_ddl_ctx *dc, const eng_sequence *s, char *buf,
                                       size_t size) {
    sql_name bare = {.count = 1, .parts = {s->name}};
    const eng_sequence *found = sql_bind_find_sequence(dc->bc, &bare);
    const eng_schema *sc = eng_db_schema_by_oid(dc->bc->db, s->schema_oid);
    if ((found != NULL && found->oid == s->oid) || sc == NULL) return s->name;
    snprintf(buf, size, "%s.%s", sc->name, s->name);
    return buf;
}

/* Columns whose default uses sequence `seq`: CASCADE drops the default, RESTRICT fails. */
static bool ddl_seq_users(sql_ddl_ctx *dc, const eng_sequence *s, bool cascade, rt_err *err) {
    char seq_buf[2 * ENG_NAME_BYTES + 2];
    const char *seq = ddl_seq_description(dc, s, seq_buf, sizeof seq_buf);
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            bool by_text = col->default_seq == 0 && col->default_text != NULL &&
                           ddl_default_calls_nextval(col->default_text, s->name);
            if (col->dropped || (col->default_seq != s->oid && !by_text)) continue;
            if (col->identity != 0) {
                rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                           "cannot drop sequence %s because column %s of table %s requires it",
                           seq, col->name, t->name);
                rt_err_hint(err, "You can drop column %s of table %s instead.", col->name,
                            t->name);
                return false;
            }
            if (!cascade) {
                char detail[400];
                snprintf(detail, sizeof detail,
                         "default value for column %s of table %s depends on sequence %s",
                         col->name, t->name, seq);
                return ddl_depends_error(err, "sequence", seq, detail);
            }
            sql_ddl_notice(dc, "00000", "drop cascades to default value for column %s of table %s",
                           col->name, t->name);
            eng_table *copy = sql_ddl_table_copy(dc, t, err);
            if (copy == NULL) return false;
            copy->columns[c].default_text = NULL;
            copy->columns[c].default_seq = 0;
            copy->def_gen = eng_catalog_def_gen();
            eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
            db = sql_ddl_db(dc);
            t = &db->tables[i];
        }
    }
    return true;
}

static bool ddl_drop_sequence(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n,
                              rt_err *err) {
    const char *name = n->parts[n->count - 1];
    const eng_sequence *s = sql_bind_find_sequence(dc->bc, n);
    if (s == NULL && ddl_wrong_kind(dc, n, "sequence", err)) return false;
    if (s == NULL) return ddl_missing(dc, d, "sequence", name, SQLSTATE_UNDEFINED_TABLE, err);
    if (!sql_ddl_owns(dc, s->owner_oid, "sequence", s->name, err)) return false;
    eng_sequence copy = *s;
    if (!ddl_seq_users(dc, &copy, d->cascade, err)) return false;
    eng_draft_remove_sequence(sql_ddl_draft(dc), dc->db_oid, copy.oid);
    sql_ddl_db(dc);
    return true;
}

static bool ddl_drop_schema(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n,
                            rt_err *err) {
    const char *name = n->parts[0];
    const eng_schema *s = eng_db_schema_by_name(dc->bc->db, name);
    if (s == NULL) return ddl_missing(dc, d, "schema", name, SQLSTATE_INVALID_SCHEMA_NAME, err);
    if (!sql_ddl_owns(dc, s->owner_oid, "schema", s->name, err)) return false;
    uint32_t oid = s->oid;
    if (oid == ENG_OID_PG_CATALOG || oid == ENG_OID_INFORMATION_SCHEMA) {
        return rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop schema %s because it is required by the database system",
                          name);
    }
    char on[ENG_NAME_BYTES + 8], what[2 * ENG_NAME_BYTES + 16];
    snprintf(on, sizeof on, "schema %s", name);
    ddl_deps deps = {0};
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->schema_oid != oid || sql_unique_is_companion(t)) continue; /* hidden */
        snprintf(what, sizeof what, "%s %s.%s", sql_ddl_rel_kind_name(t), name, t->name);
        ddl_deps_add(&deps, what, on);
    }
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *q = &db->sequences[i];
        bool owned = q->owned_by_table != 0 &&
                     eng_db_table_by_oid(db, q->owned_by_table) != NULL &&
                     eng_db_table_by_oid(db, q->owned_by_table)->schema_oid == oid;
        if (q->schema_oid != oid || owned) continue; /* owned ones go with their table */
        snprintf(what, sizeof what, "sequence %s.%s", name, q->name);
        ddl_deps_add(&deps, what, on);
    }
    if (deps.count > 0 && !d->cascade) return ddl_depends_error(err, "schema", name, deps.error);
    ddl_deps_notice(dc, &deps);
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (db->tables[i].schema_oid != oid) continue;
        if (!ddl_drop_relation(dc, db->tables[i].oid, true, 1, NULL, err)) return false;
        db = dc->bc->db;
        i = (uint32_t)-1; /* the arrays moved: start over */
    }
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        if (db->sequences[i].schema_oid != oid) continue;
        eng_sequence copy = db->sequences[i];
        if (!ddl_seq_users(dc, &copy, true, err)) return false;
        eng_draft_remove_sequence(sql_ddl_draft(dc), dc->db_oid, copy.oid);
        db = sql_ddl_db(dc);
        i = (uint32_t)-1;
    }
    eng_draft_remove_schema(sql_ddl_draft(dc), dc->db_oid, oid);
    sql_ddl_db(dc);
    return true;
}

/* True if an access list names `role` (as grantee or grantor). */
static bool ddl_acl_names(const eng_acl *acl, uint32_t role) {
    for (uint32_t i = 0; acl != NULL && i < acl->count; i++) {
        if (acl->items[i].grantee == role || acl->items[i].grantor == role) return true;
    }
    return false;
}

/* Privileges granted to or by a role, as PostgreSQL's detail line says them. */
static bool ddl_role_granted(const eng_catalog *c, uint32_t role, char *detail, size_t size) {
    for (uint32_t d = 0; d < eng_catalog_db_count(c); d++) {
        const eng_database *db = eng_catalog_db_at(c, d);
        const char *kind = NULL, *name = NULL;
        if (ddl_acl_names(db->acl, role)) kind = "database", name = db->name;
        for (uint32_t i = 0; kind == NULL && i < db->schema_count; i++) {
            if (ddl_acl_names(db->schemas[i].acl, role)) {
                kind = "schema", name = db->schemas[i].name;
            }
        }
        for (uint32_t i = 0; kind == NULL && i < db->table_count; i++) {
            if (ddl_acl_names(db->tables[i].acl, role)) kind = "table", name = db->tables[i].name;
        }
        for (uint32_t i = 0; kind == NULL && i < db->sequence_count; i++) {
            if (ddl_acl_names(db->sequences[i].acl, role)) {
                kind = "sequence", name = db->sequences[i].name;
            }
        }
        for (uint32_t i = 0; kind == NULL && i < db->table_count; i++) {
            const eng_table *t = &db->tables[i];
            for (uint32_t k = 0; kind == NULL && k < t->column_count; k++) {
                if (!ddl_acl_names(t->columns[k].acl, role)) continue;
                snprintf(detail, size, "privileges for column %s of table %s",
                         t->columns[k].name, t->name);
                return true;
            }
        }
        if (kind == NULL) continue;
        snprintf(detail, size, "privileges for %s %s", kind, name);
        return true;
    }
    return false;
}

/* What a role owns, as PostgreSQL's detail line says it; NULL if nothing. */
static bool ddl_role_owns(const eng_catalog *c, uint32_t role, char *detail, size_t size) {
    for (uint32_t d = 0; d < eng_catalog_db_count(c); d++) {
        const eng_database *db = eng_catalog_db_at(c, d);
        if (db->owner_oid == role) {
            snprintf(detail, size, "owner of database %s", db->name);
            return true;
        }
        for (uint32_t i = 0; i < db->table_count; i++) {
            if (db->tables[i].owner_oid != role) continue;
            snprintf(detail, size, "owner of %s %s", sql_ddl_rel_kind_name(&db->tables[i]),
                     db->tables[i].name);
            return true;
        }
        for (uint32_t i = 0; i < db->schema_count; i++) {
            if (db->schemas[i].owner_oid != role) continue;
            snprintf(detail, size, "owner of schema %s", db->schemas[i].name);
            return true;
        }
        for (uint32_t i = 0; i < db->sequence_count; i++) {
            if (db->sequences[i].owner_oid != role) continue;
            snprintf(detail, size, "owner of sequence %s", db->sequences[i].name);
            return true;
        }
    }
    return ddl_role_granted(c, role, detail, size);
}

static bool ddl_drop_role(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n, rt_err *err) {
    const char *name = n->parts[0];
    const eng_role *r = eng_catalog_role_by_name(sql_ddl_draft(dc), name);
    const eng_role *me = eng_catalog_role_by_oid(sql_ddl_draft(dc), dc->user_oid);
    if (!dc->superuser && (me == NULL || !me->createrole)) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied to drop role");
    }
    if (r == NULL) return ddl_missing(dc, d, "role", name, SQLSTATE_UNDEFINED_OBJECT, err);
    if (r->oid == dc->user_oid) {
        return rt_err_set(err, SQLSTATE_OBJECT_IN_USE, "current user cannot be dropped");
    }
    if (!dc->superuser && r->superuser) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "must be superuser to drop superusers");
    }
    if (eng_role_is_predefined(r->oid) || r->oid == ENG_OID_BOOTSTRAP_ROLE) {
        return rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop role %s because it is required by the database system",
                          name);
    }
    char detail[400];
    if (ddl_role_owns(sql_ddl_draft(dc), r->oid, detail, sizeof detail)) {
        rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                   "role \"%s\" cannot be dropped because some objects depend on it", name);
        rt_err_detail(err, "%s", detail);
        return false;
    }
    eng_draft_remove_role(sql_ddl_draft(dc), r->oid);
    return true;
}

static bool ddl_drop_database(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n,
                              rt_err *err) {
    const char *name = n->parts[0];
    const eng_database *db = eng_catalog_db_by_name(sql_ddl_draft(dc), name);
    if (db == NULL) return ddl_missing(dc, d, "database", name, SQLSTATE_INVALID_CATALOG_NAME, err);
    if (!sql_ddl_owns(dc, db->owner_oid, "database", db->name, err)) return false;
    if (db->oid == dc->db_oid) {
        return rt_err_set(err, SQLSTATE_OBJECT_IN_USE, "cannot drop the currently open database");
    }
    if (db->oid == ENG_OID_TEMPLATE1 || db->oid == ENG_OID_TEMPLATE0) {
        return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot drop a template database");
    }
    eng_draft_remove_db(sql_ddl_draft(dc), db->oid);
    dc->bc->db = eng_catalog_db_by_oid(sql_ddl_draft(dc), dc->db_oid);
    return true;
}

static bool ddl_drop_extension(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n,
                               rt_err *err) {
    const char *name = n->parts[0];
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->extension_count; i++) {
        if (strcmp(db->extensions[i].name, name) != 0) continue;
        for (uint32_t t = 0; t < db->table_count; t++) {
            for (uint32_t c = 0; c < db->tables[t].column_count; c++) {
                const eng_column *col = &db->tables[t].columns[c];
                if (col->dropped || col->type_oid != SQL_T_VECTOR) continue;
                if (d->cascade) {
                    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                      "DROP EXTENSION vector CASCADE is not supported yet");
                }
                char detail[400];
                snprintf(detail, sizeof detail, "column %s of table %s depends on type vector",
                         col->name, db->tables[t].name);
                return ddl_depends_error(err, "extension", name, detail);
            }
        }
        eng_draft_remove_extension(sql_ddl_draft(dc), dc->db_oid, db->extensions[i].oid);
        sql_ddl_db(dc);
        return true;
    }
    return ddl_missing(dc, d, "extension", name, SQLSTATE_UNDEFINED_OBJECT, err);
}

bool sql_ddl_type_unused(sql_ddl_ctx *dc, const sql_drop *drop, uint32_t oid,
                         uint32_t array_oid, bool domain, const char *shown, bool *used,
                         rt_err *err) {
    const eng_database *db = dc->bc->db;
    char detail[RT_ERR_DETAIL_BYTES_MAX];
    size_t len = 0;
    uint32_t deps = 0;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            uint32_t of = domain ? col->domain_oid : col->type_oid;
            if (col->dropped || (of != oid && of != array_oid) || len >= sizeof detail) continue;
            len += (size_t)snprintf(detail + len, sizeof detail - len,
                                    "%scolumn %s of table %s depends on type %s%s",
                                    deps++ > 0 ? "\n" : "", col->name, t->name, shown,
                                    of == array_oid ? "[]" : "");
        }
    }
    for (uint32_t i = 0; i < db->domain_count; i++) {
        const eng_domain *o = &db->domains[i];
        if ((o->base_oid != oid && o->base_oid != array_oid) || len >= sizeof detail) continue;
        len += (size_t)snprintf(detail + len, sizeof detail - len, "%stype %s depends on type %s",
                                deps++ > 0 ? "\n" : "", o->name, shown);
    }
    *used = deps > 0;
    if (deps == 0 || drop->cascade) return true;
    rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
               "cannot drop type %s because other objects depend on it", shown);
    rt_err_detail(err, "%s", detail);
    rt_err_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
    return false;
}

static bool ddl_drop_one(sql_ddl_ctx *dc, const sql_drop *d, const sql_name *n, rt_err *err) {
    switch (d->object) {
    case SQL_OBJ_TABLE: case SQL_OBJ_VIEW: return ddl_drop_table(dc, d, n, err);
    case SQL_OBJ_INDEX: return ddl_drop_index(dc, d, n, err);
    case SQL_OBJ_SEQUENCE: return ddl_drop_sequence(dc, d, n, err);
    case SQL_OBJ_SCHEMA: return ddl_drop_schema(dc, d, n, err);
    case SQL_OBJ_ROLE: return ddl_drop_role(dc, d, n, err);
    case SQL_OBJ_DATABASE: return ddl_drop_database(dc, d, n, err);
    case SQL_OBJ_EXTENSION: return ddl_drop_extension(dc, d, n, err);
    case SQL_OBJ_DOMAIN: return sql_ddl_drop_domain(dc, d, n, err);
    case SQL_OBJ_TYPE: return sql_ddl_drop_type(dc, d, n, err);
    case SQL_OBJ_MATVIEW:
        return ddl_missing(dc, d, "materialized view", n->parts[n->count - 1],
                           SQLSTATE_UNDEFINED_TABLE, err);
    default:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet",
                          ddl_drop_tag(d->object));
    }
}

bool sql_ddl_drop(sql_ddl_ctx *dc, const sql_drop *d, char *tag, rt_err *err) {
    snprintf(tag, SQL_TAG_BYTES, "%s", ddl_drop_tag(d->object));
    if (d->concurrently && dc->in_txn_block) {
        return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "DROP INDEX CONCURRENTLY cannot run inside a transaction block");
    }
    if (d->concurrently && d->names.count != 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "DROP INDEX CONCURRENTLY does not support dropping multiple objects");
    }
    if (d->concurrently && d->cascade) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "DROP INDEX CONCURRENTLY does not support CASCADE");
    }
    for (uint32_t i = 0; i < d->names.count; i++) {
        if (!ddl_drop_one(dc, d, SQL_LIST_AT(d->names, i), err)) return false;
    }
    return true;
}

/* ---- TRUNCATE ---- */

/* The tables a TRUNCATE empties: those named, and with CASCADE every table referencing one
 * of them (a NOTICE each); without it a referencing table left out is 0A000. */
#define SQL_TRUNCATE_TABLES_MAX 1024u
static bool ddl_truncate_set(sql_ddl_ctx *dc, const sql_truncate *tr, uint32_t *oids,
                             uint32_t *n, rt_err *err) {
    *n = 0;
    for (uint32_t i = 0; i < tr->tables.count; i++) {
        const sql_rangevar *rv = SQL_LIST_AT(tr->tables, i);
        const eng_table *t = sql_ddl_find_rel(dc, &rv->name, 'r', false, NULL, err);
        if (t == NULL || !sql_ddl_table_priv(dc, t, ENG_ACL_TRUNCATE, err)) return false;
        bool dup = false;
        for (uint32_t k = 0; k < *n; k++) dup |= oids[k] == t->oid;
        if (!dup && *n < SQL_TRUNCATE_TABLES_MAX) oids[(*n)++] = t->oid;
    }
    const eng_database *db = dc->bc->db;
    for (uint32_t k = 0; k < *n; k++) { /* grows while CASCADE adds tables */
        for (uint32_t i = 0; i < db->table_count; i++) {
            const eng_table *c = &db->tables[i];
            bool in = false;
            for (uint32_t j = 0; j < *n; j++) in |= oids[j] == c->oid;
            for (uint32_t j = 0; !in && j < c->constraint_count; j++) {
                const eng_constraint *con = &c->constraints[j];
                if (con->kind != 'f' || con->ref_table_oid != oids[k]) continue;
                const eng_table *p = eng_db_table_by_oid(db, oids[k]);
                if (!tr->cascade) {
                    rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                               "cannot truncate a table referenced in a foreign key constraint");
                    rt_err_detail(err, "Table \"%s\" references \"%s\".", c->name, p->name);
                    rt_err_hint(err, "Truncate table \"%s\" at the same time, or use TRUNCATE "
                                     "... CASCADE.", c->name);
                    return false;
                }
                sql_ddl_notice(dc, "00000", "truncate cascades to table \"%s\"", c->name);
                if (*n < SQL_TRUNCATE_TABLES_MAX) oids[(*n)++] = c->oid;
                in = true;
            }
        }
    }
    return true;
}

bool sql_ddl_truncate(sql_ddl_ctx *dc, const sql_truncate *tr, rt_err *err) {
    uint32_t *oids = rt_arena_alloc(dc->bc->arena, sizeof(uint32_t) * SQL_TRUNCATE_TABLES_MAX);
    uint32_t n;
    if (oids == NULL) return rt_arena_fail(dc->bc->arena, err);
    if (!ddl_truncate_set(dc, tr, oids, &n, err)) return false;
    for (uint32_t i = 0; i < n; i++) {
        const eng_table *t = eng_db_table_by_oid(dc->bc->db, oids[i]);
        if (t == NULL) continue;
        eng_table *copy = sql_ddl_table_copy(dc, t, err);
        if (copy == NULL) return false;
        /* New, empty storage at commit; the old one is swept when no version refers to it. */
        copy->storage_id = eng_catalog_new_storage_id(sql_ddl_draft(dc));
        copy->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
        const eng_database *db = sql_ddl_db(dc);
        for (uint32_t s = 0; tr->restart_identity && s < db->sequence_count; s++) {
            const eng_sequence *q = &db->sequences[s];
            /* Not undone by ROLLBACK, unlike PostgreSQL's (sequence state is not versioned). */
            if (q->owned_by_table == copy->oid &&
                !eng_seq_set(dc->db_oid, q, q->start, false, err)) {
                return false;
            }
        }
    }
    return true;
}

/* ---- COMMENT ON ---- */

static bool ddl_comment_rel(sql_ddl_ctx *dc, const sql_comment *c, const char *text,
                            rt_err *err) {
    const sql_name *n = &c->name;
    if (c->object == SQL_OBJ_SEQUENCE) {
        const eng_sequence *s = sql_bind_find_sequence(dc->bc, n);
        if (s == NULL) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                              n->parts[n->count - 1]);
        }
        if (!sql_ddl_owns(dc, s->owner_oid, "sequence", s->name, err)) return false;
        eng_database *db = sql_ddl_db(dc);
        db->sequences[s - db->sequences].comment = text;
        return true;
    }
    sql_name tn = *n;
    if (c->object == SQL_OBJ_COLUMN) {
        if (n->count < 2) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                              "column name must be qualified");
        }
        tn.count--;
    }
    if (c->object == SQL_OBJ_CONSTRAINT) tn = c->on_table;
    const eng_table *t = sql_ddl_find_rel(dc, &tn, 0, false, NULL, err);
    if (t == NULL) return false;
    if (!sql_ddl_owns(dc, t->owner_oid, t->kind == 'v' ? "view" : "table", t->name, err)) {
        return false;
    }
    eng_table *m = eng_draft_table(sql_ddl_draft(dc), dc->db_oid, t->oid);
    if (c->object == SQL_OBJ_COLUMN) {
        const char *col = n->parts[n->count - 1];
        const eng_column *cc = eng_table_column_by_name(m, col);
        if (cc == NULL || cc->dropped) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                              "column \"%s\" of relation \"%s\" does not exist", col, m->name);
        }
        m->columns[cc - m->columns].comment = text;
        return true;
    }
    if (c->object == SQL_OBJ_CONSTRAINT) {
        const char *con = n->parts[n->count - 1];
        for (uint32_t i = 0; i < m->constraint_count; i++) {
            if (strcmp(m->constraints[i].name, con) != 0) continue;
            m->constraints[i].comment = text;
            return true;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "constraint \"%s\" for table \"%s\" does not exist", con, m->name);
    }
    m->comment = text;
    return true;
}

static bool ddl_comment_index(sql_ddl_ctx *dc, const sql_comment *c, const char *text,
                              rt_err *err) {
    const char *name = c->name.parts[c->name.count - 1];
    uint32_t oids[33];
    uint32_t k = ddl_name_schemas(dc, &c->name, oids);
    for (uint32_t i = 0; i < k; i++) {
        const eng_index *ix;
        const eng_table *t = sql_ddl_index_by_name(dc->bc->db, oids[i], name, &ix);
        if (t == NULL) continue;
        eng_table *m = eng_draft_table(sql_ddl_draft(dc), dc->db_oid, t->oid);
        m->indexes[ix - t->indexes].comment = text;
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
}

/* COMMENT ON TYPE / DOMAIN: the type a name means, whatever its kind. */
static bool ddl_comment_type(sql_ddl_ctx *dc, const sql_comment *c, const char *text,
                             rt_err *err) {
    const eng_enum *e = c->object == SQL_OBJ_TYPE ? sql_bind_find_enum(dc->bc, &c->name) : NULL;
    const eng_domain *d = e == NULL ? sql_domain_find(dc->bc, &c->name) : NULL;
    if (e == NULL && d == NULL) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist",
                          c->name.parts[c->name.count - 1]);
    }
    if (!sql_ddl_owns(dc, e != NULL ? e->owner_oid : d->owner_oid, "type",
                      e != NULL ? e->name : d->name, err)) {
        return false;
    }
    if (e != NULL) {
        eng_enum copy = *e;
        copy.comment = text;
        eng_draft_put_enum(sql_ddl_draft(dc), dc->db_oid, &copy);
    } else {
        eng_domain copy = *d;
        copy.comment = text;
        eng_draft_replace_domain(sql_ddl_draft(dc), dc->db_oid, &copy);
    }
    sql_ddl_db(dc);
    return true;
}

bool sql_ddl_comment(sql_ddl_ctx *dc, const sql_comment *c, rt_err *err) {
    const char *text = c->text != NULL && c->text[0] != '\0'
                           ? eng_draft_strdup(sql_ddl_draft(dc), c->text) : NULL;
    switch (c->object) {
    case SQL_OBJ_TABLE: case SQL_OBJ_VIEW: case SQL_OBJ_COLUMN: case SQL_OBJ_SEQUENCE:
    case SQL_OBJ_CONSTRAINT:
        return ddl_comment_rel(dc, c, text, err);
    case SQL_OBJ_INDEX: return ddl_comment_index(dc, c, text, err);
    case SQL_OBJ_TYPE: case SQL_OBJ_DOMAIN: return ddl_comment_type(dc, c, text, err);
    case SQL_OBJ_SCHEMA: {
        eng_database *db = sql_ddl_db(dc);
        for (uint32_t i = 0; i < db->schema_count; i++) {
            if (strcmp(db->schemas[i].name, c->name.parts[0]) != 0) continue;
            db->schemas[i].comment = text;
            return true;
        }
        return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                          c->name.parts[0]);
    }
    case SQL_OBJ_DATABASE: {
        const eng_database *db = eng_catalog_db_by_name(sql_ddl_draft(dc), c->name.parts[0]);
        if (db == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME,
                              "database \"%s\" does not exist", c->name.parts[0]);
        }
        eng_draft_db(sql_ddl_draft(dc), db->oid)->comment = text;
        return true;
    }
    default:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COMMENT ON this kind of object is not supported yet");
    }
}

/* ---- ALTER SCHEMA / ROLE / DATABASE ... RENAME TO ---- */

static bool ddl_rename_schema(sql_ddl_ctx *dc, const sql_rename *r, rt_err *err) {
    const char *name = r->name.parts[0];
    const eng_schema *s = eng_db_schema_by_name(dc->bc->db, name);
    if (s == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
    }
    if (!sql_ddl_owns(dc, s->owner_oid, "schema", s->name, err)) return false;
    if (eng_db_schema_by_name(dc->bc->db, r->new_name) != NULL) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_SCHEMA, "schema \"%s\" already exists",
                          r->new_name);
    }
    if (strncmp(r->new_name, "pg_", 3) == 0 || s->oid == ENG_OID_PG_CATALOG ||
        s->oid == ENG_OID_INFORMATION_SCHEMA) {
        rt_err_set(err, SQLSTATE_RESERVED_NAME, "unacceptable schema name \"%s\"",
                   strncmp(r->new_name, "pg_", 3) == 0 ? r->new_name : name);
        rt_err_detail(err, "The prefix \"pg_\" is reserved for system schemas.");
        return false;
    }
    eng_schema copy = *s;
    snprintf(copy.name, sizeof copy.name, "%s", r->new_name);
    /* Remove and add: the draft's name index follows. */
    eng_draft_remove_schema(sql_ddl_draft(dc), dc->db_oid, copy.oid);
    eng_draft_add_schema(sql_ddl_draft(dc), dc->db_oid, &copy);
    sql_ddl_db(dc);
    return true;
}

/* The new owner of ALTER SCHEMA / DATABASE ... OWNER TO: a role the current one could SET ROLE
 * to (a superuser: any). */
static const eng_role *ddl_new_owner(sql_ddl_ctx *dc, const char *name, rt_err *err) {
    const eng_catalog *c = sql_ddl_draft(dc);
    bool me = strcmp(name, "current_user") == 0 || strcmp(name, "current_role") == 0 ||
              strcmp(name, "session_user") == 0;
    const eng_role *r = me ? eng_catalog_role_by_oid(c, dc->user_oid)
                           : eng_catalog_role_by_name(c, name);
    if (r == NULL) {
        rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
        return NULL;
    }
    if (!dc->superuser && !sql_acl_is_member_in(c, sql_ddl_db_owner(dc), dc->user_oid, r->oid)) {
        rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be member of role \"%s\"",
                   r->name);
        return NULL;
    }
    return r;
}

static bool ddl_owner_schema_db(sql_ddl_ctx *dc, const sql_rename *r, rt_err *err) {
    eng_catalog *draft = sql_ddl_draft(dc);
    const char *name = r->name.parts[0];
    if (r->object == SQL_OBJ_DATABASE) {
        const eng_database *d = eng_catalog_db_by_name(draft, name);
        if (d == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist",
                              name);
        }
        if (!sql_ddl_owns(dc, d->owner_oid, "database", d->name, err)) return false;
        const eng_role *to = ddl_new_owner(dc, r->new_name, err);
        if (to == NULL) return false;
        eng_database *m = eng_draft_db(draft, d->oid);
        m->acl = sql_acl_new_owner(draft, m->acl, m->owner_oid, to->oid);
        m->owner_oid = to->oid;
        sql_ddl_db(dc);
        return true;
    }
    const eng_schema *s = eng_db_schema_by_name(dc->bc->db, name);
    if (s == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", name);
    }
    if (!sql_ddl_owns(dc, s->owner_oid, "schema", s->name, err)) return false;
    const eng_role *to = ddl_new_owner(dc, r->new_name, err);
    if (to == NULL) return false;
    eng_database *db = sql_ddl_db(dc);
    eng_schema *m = &db->schemas[s - db->schemas];
    m->acl = sql_acl_new_owner(draft, m->acl, m->owner_oid, to->oid);
    m->owner_oid = to->oid;
    return true;
}

bool sql_ddl_rename(sql_ddl_ctx *dc, const sql_rename *r, char *tag, rt_err *err) {
    if (r->owner) {
        snprintf(tag, SQL_TAG_BYTES, "ALTER %s", r->object == SQL_OBJ_DATABASE ? "DATABASE"
                                                                                : "SCHEMA");
        return ddl_owner_schema_db(dc, r, err);
    }
    switch (r->object) {
    case SQL_OBJ_SCHEMA:
        snprintf(tag, SQL_TAG_BYTES, "ALTER SCHEMA");
        return ddl_rename_schema(dc, r, err);
    case SQL_OBJ_ROLE: {
        snprintf(tag, SQL_TAG_BYTES, "ALTER ROLE");
        sql_alter_role ar;
        memset(&ar, 0, sizeof ar);
        ar.hdr = r->hdr;
        ar.name = r->name.parts[0];
        ar.rename_to = r->new_name;
        return sql_ddl_alter_role(dc, &ar, err);
    }
    case SQL_OBJ_DATABASE:
        snprintf(tag, SQL_TAG_BYTES, "ALTER DATABASE");
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER DATABASE ... RENAME TO is not supported yet");
    default:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this RENAME is not supported yet");
    }
}
