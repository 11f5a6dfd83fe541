/* sql_ddl_misc.c: CREATE SCHEMA, CREATE DATABASE, CREATE / ALTER ROLE (passwords stored as
 * SCRAM-SHA-256 verifiers), CREATE EXTENSION (vector only) and CREATE VIEW. */
#include <stdio.h>
#include <string.h>

#include "net/net_scram.h"
#include "sql/sql_ddl_int.h"

/* pgvector's version that Dreambase's vector type and operators follow. */
#define SQL_DDL_VECTOR_VERSION "0.8.0"

/* ---- schemas ---- */

const eng_role *sql_ddl_role(sql_ddl_ctx *dc, const char *name, rt_err *err) {
    const eng_role *r;
    if (strcmp(name, "current_user") == 0 || strcmp(name, "session_user") == 0 ||
        strcmp(name, "current_role") == 0) {
        r = eng_catalog_role_by_oid(sql_ddl_draft(dc), dc->user_oid);
    } else {
        r = eng_catalog_role_by_name(sql_ddl_draft(dc), name);
    }
    if (r == NULL) rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
    return r;
}

/* CREATE SCHEMA s CREATE TABLE t ...: each element runs with the new schema as the only one on
 * the search path, so its unqualified names land there (and resolve there). */
static bool ddl_schema_elements(sql_ddl_ctx *dc, const sql_create_schema *cs, const char *name,
                                rt_err *err) {
    const char *const *saved_path = dc->bc->search_path;
    uint32_t saved_n = dc->bc->nsearch;
    const char *path[1] = {name};
    dc->bc->search_path = path;
    dc->bc->nsearch = 1;
    bool ok = true;
    for (uint32_t i = 0; ok && i < cs->elements.count; i++) {
        const sql_node *e = SQL_LIST_AT(cs->elements, i);
        char tag[SQL_TAG_BYTES];
        ok = sql_ddl_dispatch(dc, e, tag, err);
    }
    dc->bc->search_path = saved_path;
    dc->bc->nsearch = saved_n;
    return ok;
}

/* The current role's catalog entry (role attributes CREATEROLE, CREATEDB). */
static const eng_role *ddl_me(sql_ddl_ctx *dc) {
    return eng_catalog_role_by_oid(sql_ddl_draft(dc), dc->user_oid);
}

/* CREATE on the current database, for CREATE SCHEMA (PostgreSQL's check). */
static bool ddl_may_create_schema(sql_ddl_ctx *dc, uint32_t owner, rt_err *err) {
    if (dc->superuser) return true;
    const eng_database *db = eng_catalog_db_by_oid(sql_ddl_draft(dc), dc->db_oid);
    uint32_t mask = sql_acl_mask(sql_ddl_draft(dc), db->owner_oid, dc->user_oid, db->owner_oid,
                                 db->acl, SQL_ACL_DATABASE, db->oid);
    if ((mask & ENG_ACL_CREATE) == 0) return sql_acl_denied(err, SQL_ACL_DATABASE, db->name);
    if (!sql_acl_is_member_in(sql_ddl_draft(dc), db->owner_oid, dc->user_oid, owner)) {
        const eng_role *r = eng_catalog_role_by_oid(sql_ddl_draft(dc), owner);
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be member of role \"%s\"",
                          r != NULL ? r->name : "?");
    }
    return true;
}

bool sql_ddl_create_schema(sql_ddl_ctx *dc, const sql_create_schema *cs, rt_err *err) {
    eng_schema s;
    memset(&s, 0, sizeof s);
    s.owner_oid = dc->user_oid;
    const char *name = cs->name;
    if (cs->authorization != NULL) {
        const eng_role *r = sql_ddl_role(dc, cs->authorization, err);
        if (r == NULL) return false;
        s.owner_oid = r->oid;
        if (name == NULL) name = r->name;
    }
    if (!ddl_may_create_schema(dc, s.owner_oid, err)) return false;
    if (strncmp(name, "pg_", 3) == 0) {
        rt_err_set(err, SQLSTATE_RESERVED_NAME, "unacceptable schema name \"%s\"", name);
        rt_err_detail(err, "The prefix \"pg_\" is reserved for system schemas.");
        return false;
    }
    if (eng_db_schema_by_name(dc->bc->db, name) != NULL) {
        if (cs->if_not_exists) {
            sql_ddl_notice(dc, SQLSTATE_DUPLICATE_SCHEMA, "schema \"%s\" already exists, skipping",
                           name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_SCHEMA, "schema \"%s\" already exists", name);
    }
    s.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    snprintf(s.name, sizeof s.name, "%s", name);
    eng_draft_add_schema(sql_ddl_draft(dc), dc->db_oid, &s);
    sql_ddl_db(dc);
    return ddl_schema_elements(dc, cs, s.name, err);
}

/* ---- databases ---- */

static bool ddl_db_options(sql_ddl_ctx *dc, const sql_create_database *cd, uint32_t *owner,
                           const eng_database **tmpl, rt_err *err) {
    for (uint32_t i = 0; i < cd->options.count; i++) {
        const sql_defelem *d = SQL_LIST_AT(cd->options, i);
        const sql_const *v = (const sql_const *)d->value;
        const char *val = d->word != NULL ? d->word
                          : v != NULL && SQL_NODE_KIND(v) == SQL_N_CONST ? v->text : NULL;
        if (strcmp(d->name, "owner") == 0 && val != NULL) {
            const eng_role *r = sql_ddl_role(dc, val, err);
            if (r == NULL) return false;
            *owner = r->oid;
        } else if (strcmp(d->name, "template") == 0 && val != NULL) {
            *tmpl = eng_catalog_db_by_name(sql_ddl_draft(dc), val);
            if (*tmpl == NULL) {
                return rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME,
                                  "template database \"%s\" does not exist", val);
            }
        } else if (strcmp(d->name, "encoding") == 0 && val != NULL &&
                   strcasecmp(val, "UTF8") != 0 && strcasecmp(val, "UTF-8") != 0) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "encoding \"%s\" is not supported: Dreambase stores UTF8", val);
        }
        /* LOCALE, LC_COLLATE, LC_CTYPE, CONNECTION LIMIT, TABLESPACE...: accepted. */
    }
    return true;
}

bool sql_ddl_create_database(sql_ddl_ctx *dc, const sql_create_database *cd, rt_err *err) {
    eng_catalog *draft = sql_ddl_draft(dc);
    if (!dc->superuser && (ddl_me(dc) == NULL || !ddl_me(dc)->createdb)) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "permission denied to create database");
    }
    if (eng_catalog_db_by_name(draft, cd->name) != NULL) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_DATABASE, "database \"%s\" already exists",
                          cd->name);
    }
    uint32_t owner = dc->user_oid;
    const eng_database *tmpl = eng_catalog_db_by_oid(draft, ENG_OID_TEMPLATE1);
    if (!ddl_db_options(dc, cd, &owner, &tmpl, err)) return false;
    /* The new database gets the template's schemas; its tables are not copied (their data
     * lives in partitions a catalog copy cannot share). */
    eng_database db;
    memset(&db, 0, sizeof db);
    db.oid = eng_catalog_new_oid(draft);
    snprintf(db.name, sizeof db.name, "%s", cd->name);
    db.owner_oid = owner;
    eng_schema schemas[64];
    uint32_t n = 0;
    for (uint32_t i = 0; tmpl != NULL && i < tmpl->schema_count && n < 64; i++) {
        const eng_schema *s = &tmpl->schemas[i];
        if (strncmp(s->name, "pg_temp", 7) == 0) continue;
        schemas[n++] = *s;
    }
    db.schema_count = n;
    db.schemas = schemas;
    eng_draft_add_db(draft, &db);
    dc->bc->db = eng_catalog_db_by_oid(draft, dc->db_oid);
    return true;
}

/* ---- roles ---- */

static bool ddl_role_password(sql_ddl_ctx *dc, const sql_node *v, eng_role *r, rt_err *err) {
    const sql_const *c = (const sql_const *)v;
    if (c->const_kind == SQL_CONST_NULL) {
        r->password = NULL;
        return true;
    }
    if (c->text == NULL || c->text[0] == '\0') {
        sql_ddl_notice(dc, "00000", "empty string is not a valid password, clearing password");
        r->password = NULL;
        return true;
    }
    char verifier[NET_SCRAM_SECRET_BYTES_MAX];
    if (!net_scram_password_encrypt(c->text, verifier, err)) return false;
    r->password = rt_arena_strdup(dc->bc->arena, verifier);
    if (r->password == NULL) return rt_arena_fail(dc->bc->arena, err);
    return true;
}

static bool ddl_role_options(sql_ddl_ctx *dc, const sql_list *opts, eng_role *r, rt_err *err) {
    for (uint32_t i = 0; i < opts->count; i++) {
        const sql_defelem *d = SQL_LIST_AT(*opts, i);
        const sql_const *c = (const sql_const *)d->value;
        bool on = c != NULL && c->const_kind == SQL_CONST_BOOL && c->bool_value;
        if (strcmp(d->name, "superuser") == 0) r->superuser = on;
        else if (strcmp(d->name, "createdb") == 0) r->createdb = on;
        else if (strcmp(d->name, "createrole") == 0) r->createrole = on;
        else if (strcmp(d->name, "login") == 0) r->login = on;
        else if (strcmp(d->name, "replication") == 0) r->replication = on;
        else if (strcmp(d->name, "bypassrls") == 0) r->bypassrls = on;
        else if (strcmp(d->name, "inherit") == 0) r->inherit = on;
        else if (strcmp(d->name, "connection_limit") == 0) {
            if (c->int_value < -1 || c->int_value > INT32_MAX) {
                return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                  "invalid connection limit: %lld", (long long)c->int_value);
            }
            r->connection_limit = (int32_t)c->int_value;
        } else if (strcmp(d->name, "password") == 0) {
            if (!ddl_role_password(dc, d->value, r, err)) return false;
        } else if (strcmp(d->name, "sysid") == 0) {
            sql_ddl_notice(dc, "00000", "SYSID can no longer be specified");
        } else if (strcmp(d->name, "valid_until") == 0 && c != NULL && c->text != NULL &&
                   strcmp(c->text, "infinity") == 0) {
            r->valid_until_us = INT64_MAX;
        } else {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "role option %s is not supported yet",
                              strcmp(d->name, "valid_until") == 0 ? "VALID UNTIL"
                              : strcmp(d->name, "in_role") == 0  ? "IN ROLE"
                              : strcmp(d->name, "role") == 0     ? "ROLE"
                              : strcmp(d->name, "admin") == 0    ? "ADMIN"
                                                                  : d->name);
        }
    }
    return true;
}

static bool ddl_role_name_ok(const char *name, rt_err *err) {
    if (strcmp(name, "public") == 0 || strcmp(name, "none") == 0) {
        return rt_err_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", name);
    }
    if (strncmp(name, "pg_", 3) == 0) {
        rt_err_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", name);
        rt_err_detail(err, "Role names starting with \"pg_\" are reserved.");
        return false;
    }
    return true;
}

bool sql_ddl_create_role(sql_ddl_ctx *dc, const sql_create_role *cr, rt_err *err) {
    if (!ddl_role_name_ok(cr->name, err)) return false;
    if (eng_catalog_role_by_name(sql_ddl_draft(dc), cr->name) != NULL) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "role \"%s\" already exists", cr->name);
    }
    eng_role r;
    memset(&r, 0, sizeof r);
    snprintf(r.name, sizeof r.name, "%s", cr->name);
    r.inherit = true;
    r.login = cr->is_user;
    r.connection_limit = -1;
    r.valid_until_us = INT64_MAX;
    if (!ddl_role_options(dc, &cr->options, &r, err)) return false;
    if (!dc->superuser) {
        if (r.superuser) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "must be superuser to create superusers");
        }
        if (ddl_me(dc) == NULL || !ddl_me(dc)->createrole) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "permission denied to create role");
        }
    }
    r.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    eng_draft_add_role(sql_ddl_draft(dc), &r);
    return true;
}

bool sql_ddl_alter_role(sql_ddl_ctx *dc, const sql_alter_role *ar, rt_err *err) {
    if (ar->set != NULL || ar->in_database != NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER ROLE ... SET is not supported yet");
    }
    const eng_role *cur = sql_ddl_role(dc, ar->name, err);
    if (cur == NULL) return false;
    eng_role r = *cur;
    if (ar->rename_to != NULL) {
        if (cur->oid == dc->user_oid) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "session user cannot be renamed");
        }
        if (eng_role_is_predefined(cur->oid) && !ddl_role_name_ok(cur->name, err)) return false;
        if (!ddl_role_name_ok(ar->rename_to, err)) return false;
        if (eng_catalog_role_by_name(sql_ddl_draft(dc), ar->rename_to) != NULL) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "role \"%s\" already exists",
                              ar->rename_to);
        }
        snprintf(r.name, sizeof r.name, "%s", ar->rename_to);
    }
    if (ar->rename_to == NULL && eng_role_is_predefined(cur->oid)) {
        rt_err_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", cur->name);
        rt_err_detail(err, "Cannot alter reserved roles.");
        return false;
    }
    if (!ddl_role_options(dc, &ar->options, &r, err)) return false;
    if (!dc->superuser) {
        if (cur->superuser || r.superuser) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be superuser to alter "
                              "superuser roles or change superuser attribute");
        }
        /* Without CREATEROLE a role may change only its own password. */
        bool own_password = cur->oid == dc->user_oid && ar->rename_to == NULL &&
                            r.createdb == cur->createdb && r.createrole == cur->createrole &&
                            r.login == cur->login && r.inherit == cur->inherit &&
                            r.replication == cur->replication && r.bypassrls == cur->bypassrls &&
                            r.connection_limit == cur->connection_limit;
        if (!own_password && (ddl_me(dc) == NULL || !ddl_me(dc)->createrole)) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied");
        }
    }
    if (r.password != NULL) {
        r.password = rt_arena_strdup(dc->bc->arena, r.password); /* outlives the removal */
        if (r.password == NULL) return rt_arena_fail(dc->bc->arena, err);
    }
    /* Remove and add: the draft's name index follows a rename. */
    eng_draft_remove_role(sql_ddl_draft(dc), r.oid);
    eng_draft_add_role(sql_ddl_draft(dc), &r);
    return true;
}

/* ---- extensions ---- */

bool sql_ddl_create_extension(sql_ddl_ctx *dc, const sql_create_extension *ce, rt_err *err) {
    if (strcmp(ce->name, "vector") != 0) {
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "extension \"%s\" is not supported",
                   ce->name);
        rt_err_hint(err, "Dreambase provides the extension \"vector\" only; its type and "
                         "operators are built in.");
        return false;
    }
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->extension_count; i++) {
        if (strcmp(db->extensions[i].name, ce->name) != 0) continue;
        if (ce->if_not_exists) {
            sql_ddl_notice(dc, SQLSTATE_DUPLICATE_OBJECT,
                           "extension \"%s\" already exists, skipping", ce->name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "extension \"%s\" already exists",
                          ce->name);
    }
    eng_extension e;
    memset(&e, 0, sizeof e);
    if (ce->schema != NULL) {
        const eng_schema *s = eng_db_schema_by_name(db, ce->schema);
        if (s == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                              ce->schema);
        }
        e.schema_oid = s->oid;
    } else {
        sql_name none = {.count = 1, .parts = {ce->name}};
        const char *ignored;
        if (!sql_bind_creation_schema(dc->bc, &none, &e.schema_oid, &ignored)) return false;
    }
    if (ce->version != NULL && strcmp(ce->version, SQL_DDL_VECTOR_VERSION) != 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "extension \"%s\" has no installation script nor update path for "
                          "version \"%s\"", ce->name, ce->version);
    }
    e.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    snprintf(e.name, sizeof e.name, "%s", ce->name);
    snprintf(e.version, sizeof e.version, "%s", SQL_DDL_VECTOR_VERSION);
    eng_draft_add_extension(sql_ddl_draft(dc), dc->db_oid, &e);
    sql_ddl_db(dc);
    return true;
}

/* ---- views ---- */

static bool ddl_view_columns(sql_ddl_ctx *dc, const sql_create_view *cv, const sql_plan *p,
                             eng_table *t, rt_err *err) {
    if (cv->col_aliases.count > p->ncols) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                          "CREATE VIEW specifies more column names than columns");
    }
    t->columns = rt_arena_zalloc(dc->bc->arena, sizeof(eng_column) * (p->ncols + 1u));
    if (t->columns == NULL) return rt_arena_fail(dc->bc->arena, err);
    for (uint32_t i = 0; i < p->ncols; i++) {
        eng_column *c = &t->columns[i];
        const char *name = i < cv->col_aliases.count ? SQL_LIST_AT(cv->col_aliases, i)
                                                     : p->cols[i].name;
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(t->columns[j].name, name) == 0) {
                return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                  "column \"%s\" specified more than once", name);
            }
        }
        snprintf(c->name, sizeof c->name, "%s", name);
        c->type_oid = p->cols[i].type_oid;
        c->typmod = p->cols[i].typmod;
        c->attnum = (uint16_t)(i + 1);
        c->store = (uint8_t)eng_store_of_type(c->type_oid);
        if (c->type_oid == SQL_T_VECTOR) c->vector_dims = c->typmod > 0 ? (uint32_t)c->typmod : 0;
    }
    t->column_count = (uint16_t)p->ncols;
    return true;
}

bool sql_ddl_create_view(sql_ddl_ctx *dc, const sql_create_view *cv, rt_err *err) {
    if (cv->materialized) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "materialized views are not supported yet");
    }
    if (cv->temporary) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "temporary views are not supported yet");
    }
    uint32_t schema_oid;
    const char *rel;
    if (!sql_bind_creation_schema(dc->bc, &cv->name, &schema_oid, &rel)) return false;
    if (!sql_ddl_may_create(dc, schema_oid, err)) return false;
    const eng_table *old = eng_db_table_by_name(dc->bc->db, schema_oid, rel);
    if (old != NULL ? !(cv->or_replace && old->kind == 'v')
                    : sql_ddl_relname_taken(dc->bc->db, schema_oid, rel)) {
        if (old != NULL && cv->or_replace) {
            return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a view", rel);
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", rel);
    }
    if (old == NULL && sql_ddl_type_name_taken(dc->bc->db, schema_oid, rel)) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", rel);
    }
    char users[RT_ERR_DETAIL_BYTES_MAX];
    if (old != NULL && sql_ddl_rowtype_users(dc->bc->db, old, users, sizeof users) > 0) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "CREATE OR REPLACE VIEW of a view whose row type a column uses is not "
                          "supported yet");
    }
    sql_query *q;
    if (!sql_bind_query(dc->bc, (const sql_node *)cv->query, &q)) return false;
    if (q->modifying_ctes) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "views must not contain data-modifying statements in WITH");
    }
    eng_table t;
    memset(&t, 0, sizeof t);
    if (!ddl_view_columns(dc, cv, q->plan, &t, err)) return false;
    t.oid = old != NULL ? old->oid : eng_catalog_new_oid(sql_ddl_draft(dc));
    snprintf(t.name, sizeof t.name, "%s", rel);
    t.schema_oid = schema_oid;
    t.owner_oid = old != NULL ? old->owner_oid : dc->user_oid;
    t.kind = 'v';
    t.persistence = 'p';
    t.def_gen = eng_catalog_def_gen();
    t.view_text = cv->query_text;
    t.comment = old != NULL ? old->comment : NULL;
    if (old != NULL) {
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, &t);
    } else {
        eng_draft_add_table(sql_ddl_draft(dc), dc->db_oid, &t);
    }
    sql_ddl_db(dc);
    return true;
}
