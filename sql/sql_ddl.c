/* sql_ddl.c: the entry of utility statements that change the catalog: which statements, the
 * command tags, the transaction's draft and the DDL lock, and the lookups and generated names
 * the statement files (sql_ddl_table.c, _index.c, _alter.c, _drop.c, _misc.c) share. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime/rt_loop.h"
#include "sql/sql_ddl_int.h"
#include "sql/sql_tablelock.h"

bool sql_ddl_handles(const sql_node *stmt) {
    switch (SQL_NODE_KIND(stmt)) {
    case SQL_N_CREATE_TABLE: case SQL_N_CREATE_INDEX: case SQL_N_CREATE_SEQUENCE:
    case SQL_N_ALTER_SEQUENCE: case SQL_N_CREATE_SCHEMA: case SQL_N_CREATE_DATABASE:
    case SQL_N_CREATE_ROLE: case SQL_N_ALTER_ROLE: case SQL_N_CREATE_EXTENSION:
    case SQL_N_CREATE_VIEW: case SQL_N_DROP: case SQL_N_ALTER_TABLE: case SQL_N_RENAME:
    case SQL_N_TRUNCATE: case SQL_N_COMMENT: case SQL_N_GRANT: case SQL_N_CREATE_DOMAIN:
    case SQL_N_ALTER_DOMAIN: case SQL_N_REINDEX: case SQL_N_CREATE_ENUM: case SQL_N_ALTER_TYPE:
    case SQL_N_CREATE_COMPOSITE: case SQL_N_ALTER_COMPOSITE:
        return true;
    default:
        return false;
    }
}

static int64_t sql_ddl_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool sql_ddl_begin(sql_ddl_ctx *dc, rt_err *err) {
    eng_txn_ctx *txn = dc->txn;
    if (txn->draft == NULL) {
        if (!sql_ddl_lock_catalog(dc, err)) return false;
        uint64_t owner = eng_stamp_txn(txn->id.slot, txn->id.generation, 0);
        int64_t start_ms = sql_ddl_now_ms();
        /* One DDL transaction at a time (eng_catalog.h): wait for the holder to finish. The
         * catalog hold above has no conflict when the holder works in another database: the
         * wait is shown on the session and ends on cancel as a lock wait does. */
        uint64_t shown = 0;
        bool ok = true;
        while (ok && !eng_catalog_ddl_trylock(owner)) {
            uint64_t holder = eng_catalog_ddl_holder();
            if (holder != shown && holder != 0) sql_tlock_note_wait(dc->tlock, holder);
            shown = holder != 0 ? holder : shown;
            if (dc->cancel != NULL && atomic_load(dc->cancel)) {
                ok = rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                                "canceling statement due to user request");
            } else if (dc->lock_timeout_ms > 0 &&
                       sql_ddl_now_ms() - start_ms >= dc->lock_timeout_ms) {
                ok = rt_err_set(err, SQLSTATE_LOCK_NOT_AVAILABLE,
                                "canceling statement due to lock timeout");
            } else {
                rt_fiber_sleep_ns(SQL_DDL_LOCK_POLL_NS);
            }
        }
        if (shown != 0) sql_tlock_note_wait(dc->tlock, 0);
        if (!ok) return false;
        txn->holds_ddl_lock = true;
        eng_catalog_ref ref;
        eng_catalog_pin(&ref);
        txn->draft = eng_catalog_draft(ref.catalog);
        eng_catalog_unpin(&ref);
    }
    dc->bc->catalog = txn->draft;
    const eng_database *db = eng_catalog_db_by_oid(txn->draft, dc->db_oid);
    if (db == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME,
                          "database with OID %u does not exist", dc->db_oid);
    }
    dc->bc->db = db;
    return true;
}

eng_catalog *sql_ddl_draft(sql_ddl_ctx *dc) { return dc->txn->draft; }

bool sql_ddl_type_name_taken(const eng_database *db, uint32_t schema_oid, const char *name) {
    if (eng_db_domain_by_name(db, schema_oid, name) != NULL) return true;
    if (eng_db_enum_by_name(db, schema_oid, name) != NULL) return true;
    const eng_table *t = eng_db_table_by_name(db, schema_oid, name);
    return t != NULL && (t->kind == 'r' || t->kind == 'v' || t->kind == 'c');
}

eng_database *sql_ddl_db(sql_ddl_ctx *dc) {
    eng_database *db = eng_draft_db(dc->txn->draft, dc->db_oid);
    dc->bc->db = db;
    return db;
}

void sql_ddl_notice(sql_ddl_ctx *dc, const char *sqlstate, const char *fmt, ...) {
    if (dc->sink == NULL || dc->sink->notice == NULL) return;
    rt_err n;
    rt_err_clear(&n);
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(&n, sqlstate, fmt, ap);
    va_end(ap);
    dc->sink->notice(dc->sink->arg, "NOTICE", &n);
}

void sql_ddl_notice_detail(sql_ddl_ctx *dc, const char *message, const char *detail) {
    if (dc->sink == NULL || dc->sink->notice == NULL) return;
    rt_err n;
    rt_err_clear(&n);
    rt_err_set(&n, "00000", "%s", message);
    if (detail != NULL && detail[0] != '\0') rt_err_detail(&n, "%s", detail);
    dc->sink->notice(dc->sink->arg, "NOTICE", &n);
}

char *sql_ddl_printf(sql_ddl_ctx *dc, rt_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = rt_arena_alloc(dc->bc->arena, (size_t)n + 1);
    if (s == NULL) {
        rt_arena_fail(dc->bc->arena, err);
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- privileges ---- */

uint32_t sql_ddl_db_owner(sql_ddl_ctx *dc) {
    const eng_database *db = eng_catalog_db_by_oid(dc->bc->catalog, dc->db_oid);
    return db != NULL ? db->owner_oid : 0;
}

bool sql_ddl_owns(sql_ddl_ctx *dc, uint32_t owner, const char *kind, const char *name,
                  rt_err *err) {
    if (dc->superuser ||
        sql_acl_has_privs_of_in(dc->bc->catalog, sql_ddl_db_owner(dc), dc->user_oid, owner)) {
        return true;
    }
    return sql_acl_not_owner(err, kind, name);
}

bool sql_ddl_table_priv(sql_ddl_ctx *dc, const eng_table *t, uint32_t privs, rt_err *err) {
    if (dc->superuser) return true;
    uint32_t mask = sql_acl_mask(dc->bc->catalog, sql_ddl_db_owner(dc), dc->user_oid,
                                 t->owner_oid, t->acl, SQL_ACL_TABLE, t->oid);
    return (mask & privs) == privs || sql_acl_denied(err, SQL_ACL_TABLE, t->name);
}

bool sql_ddl_may_create(sql_ddl_ctx *dc, uint32_t schema_oid, rt_err *err) {
    if (dc->superuser) return true;
    const eng_schema *s = eng_db_schema_by_oid(dc->bc->db, schema_oid);
    if (s == NULL) return true; /* pg_temp: TEMPORARY on the database, held by PUBLIC */
    uint32_t mask = sql_acl_mask(dc->bc->catalog, sql_ddl_db_owner(dc), dc->user_oid,
                                 s->owner_oid, s->acl, SQL_ACL_SCHEMA, s->oid);
    return (mask & ENG_ACL_CREATE) != 0 || sql_acl_denied(err, SQL_ACL_SCHEMA, s->name);
}

bool sql_ddl_may_create_temp(sql_ddl_ctx *dc, rt_err *err) {
    if (dc->superuser) return true;
    const eng_database *db = eng_catalog_db_by_oid(dc->bc->catalog, dc->db_oid);
    if (db == NULL) return true;
    uint32_t mask = sql_acl_mask(dc->bc->catalog, db->owner_oid, dc->user_oid, db->owner_oid,
                                 db->acl, SQL_ACL_DATABASE, db->oid);
    if ((mask & ENG_ACL_TEMP) != 0) return true;
    return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                      "permission denied to create temporary tables in database \"%s\"",
                      db->name);
}

/* ---- lookups ---- */

bool sql_ddl_text_names(const char *text, const char *word) {
    size_t n = strlen(word);
    for (const char *p = text; p != NULL && (p = strcasestr(p, word)) != NULL; p++) {
        bool left = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool right = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (left && right) return true;
    }
    return false;
}

const eng_table *sql_ddl_index_by_name(const eng_database *db, uint32_t schema_oid,
                                       const char *name, const eng_index **ix) {
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->schema_oid != schema_oid) continue;
        for (uint32_t j = 0; j < t->index_count; j++) {
            if (strcmp(t->indexes[j].name, name) == 0) {
                if (ix != NULL) *ix = &t->indexes[j];
                return t;
            }
        }
    }
    return NULL;
}

bool sql_ddl_relname_taken(const eng_database *db, uint32_t schema_oid, const char *name) {
    return eng_db_table_by_name(db, schema_oid, name) != NULL ||
           eng_db_sequence_by_name(db, schema_oid, name) != NULL ||
           sql_ddl_index_by_name(db, schema_oid, name, NULL) != NULL;
}

/* Constraint and index names of a table being built or changed (not yet in the draft). */
static bool sql_ddl_conname_taken(const eng_table *t, const char *name) {
    for (uint32_t i = 0; t != NULL && i < t->constraint_count; i++) {
        if (strcmp(t->constraints[i].name, name) == 0) return true;
    }
    for (uint32_t i = 0; t != NULL && i < t->index_count; i++) {
        if (strcmp(t->indexes[i].name, name) == 0) return true;
    }
    return false;
}

/* name1_name2_label within 63 bytes: the longer of name1/name2 loses bytes first, as
 * PostgreSQL's makeObjectName does. */
static void sql_ddl_make_name(const char *name1, const char *name2, const char *label,
                              char out[ENG_NAME_BYTES]) {
    size_t n1 = strlen(name1), n2 = name2 != NULL ? strlen(name2) : 0;
    size_t overhead = (name2 != NULL ? 1 : 0) + (label != NULL ? strlen(label) + 1 : 0);
    while (n1 + n2 + overhead > ENG_NAME_BYTES - 1) {
        if (n1 > n2) {
            n1--;
        } else {
            n2--;
        }
    }
    /* Never cut a UTF-8 sequence in the middle. */
    while (n1 > 0 && ((unsigned char)name1[n1] & 0xC0) == 0x80) n1--;
    while (n2 > 0 && ((unsigned char)name2[n2] & 0xC0) == 0x80) n2--;
    int len = snprintf(out, ENG_NAME_BYTES, "%.*s", (int)n1, name1);
    if (name2 != NULL) len += snprintf(out + len, ENG_NAME_BYTES - (size_t)len, "_%.*s", (int)n2,
                                       name2);
    if (label != NULL) snprintf(out + len, ENG_NAME_BYTES - (size_t)len, "_%s", label);
}

bool sql_ddl_choose_name(sql_ddl_ctx *dc, uint32_t schema_oid, const eng_table *t,
                         const char *name1, const char *name2, const char *label,
                         char out[ENG_NAME_BYTES]) {
    const eng_database *db = dc->bc->db;
    char mod[ENG_NAME_BYTES];
    snprintf(mod, sizeof mod, "%s", label != NULL ? label : "");
    for (uint32_t pass = 1;; pass++) {
        sql_ddl_make_name(name1, name2, label != NULL ? mod : NULL, out);
        if (!sql_ddl_relname_taken(db, schema_oid, out) && !sql_ddl_conname_taken(t, out)) {
            return true;
        }
        snprintf(mod, sizeof mod, "%s%u", label != NULL ? label : "", pass);
    }
}

const eng_table *sql_ddl_find_rel(sql_ddl_ctx *dc, const sql_name *name, char kind,
                                  bool if_exists, bool *missing, rt_err *err) {
    const eng_table *t = sql_bind_find_table(dc->bc, name);
    if (missing != NULL) *missing = false;
    const char *rel = name->parts[name->count - 1];
    if (t == NULL) {
        if (if_exists) {
            sql_ddl_notice(dc, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist, skipping",
                           rel);
            if (missing != NULL) *missing = true;
            return NULL;
        }
        rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", rel);
        return NULL;
    }
    if (t->kind == 'c' && kind != 'c') {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is a composite type", rel);
        return NULL;
    }
    if (kind != 0 && t->kind != kind) {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a %s", rel,
                   kind == 'v' ? "view" : "table");
        return NULL;
    }
    if (kind == 0 && t->kind != 'r' && t->kind != 'v') {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a table or view", rel);
        return NULL;
    }
    return t;
}

eng_table *sql_ddl_table_copy(sql_ddl_ctx *dc, const eng_table *t, rt_err *err) {
    rt_arena *a = dc->bc->arena;
    eng_table *c = rt_arena_alloc(a, sizeof *c);
    eng_column *cols = rt_arena_alloc(a, sizeof(eng_column) * (t->column_count + 1u));
    eng_index *ixs = rt_arena_alloc(a, sizeof(eng_index) * (t->index_count + SQL_DDL_ROOM));
    eng_constraint *cons =
        rt_arena_alloc(a, sizeof(eng_constraint) * (t->constraint_count + SQL_DDL_ROOM));
    if (c == NULL || cols == NULL || ixs == NULL || cons == NULL) {
        rt_arena_fail(a, err);
        return NULL;
    }
    *c = *t;
    if (t->column_count > 0) memcpy(cols, t->columns, sizeof(eng_column) * t->column_count);
    if (t->index_count > 0) memcpy(ixs, t->indexes, sizeof(eng_index) * t->index_count);
    if (t->constraint_count > 0) {
        memcpy(cons, t->constraints, sizeof(eng_constraint) * t->constraint_count);
    }
    c->columns = cols;
    c->indexes = ixs;
    c->constraints = cons;
    return c;
}

/* ---- dispatch ---- */

bool sql_ddl_dispatch(sql_ddl_ctx *dc, const sql_node *stmt, char *tag, rt_err *err) {
    switch (SQL_NODE_KIND(stmt)) {
    case SQL_N_CREATE_TABLE: {
        const sql_create_table *ct = (const sql_create_table *)stmt;
        snprintf(tag, SQL_TAG_BYTES, "%s", ct->as_query != NULL ? "SELECT 0" : "CREATE TABLE");
        return sql_ddl_create_table(dc, ct, err);
    }
    case SQL_N_CREATE_INDEX:
        snprintf(tag, SQL_TAG_BYTES, "CREATE INDEX");
        return sql_ddl_create_index(dc, (const sql_create_index *)stmt, err);
    case SQL_N_CREATE_SEQUENCE:
        snprintf(tag, SQL_TAG_BYTES, "CREATE SEQUENCE");
        return sql_ddl_create_sequence(dc, (const sql_create_sequence *)stmt, err);
    case SQL_N_ALTER_SEQUENCE:
        snprintf(tag, SQL_TAG_BYTES, "ALTER SEQUENCE");
        return sql_ddl_alter_sequence(dc, (const sql_alter_sequence *)stmt, err);
    case SQL_N_CREATE_SCHEMA:
        snprintf(tag, SQL_TAG_BYTES, "CREATE SCHEMA");
        return sql_ddl_create_schema(dc, (const sql_create_schema *)stmt, err);
    case SQL_N_CREATE_ROLE:
        snprintf(tag, SQL_TAG_BYTES, "CREATE ROLE");
        return sql_ddl_create_role(dc, (const sql_create_role *)stmt, err);
    case SQL_N_ALTER_ROLE:
        snprintf(tag, SQL_TAG_BYTES, "ALTER ROLE");
        return sql_ddl_alter_role(dc, (const sql_alter_role *)stmt, err);
    case SQL_N_CREATE_EXTENSION:
        snprintf(tag, SQL_TAG_BYTES, "CREATE EXTENSION");
        return sql_ddl_create_extension(dc, (const sql_create_extension *)stmt, err);
    case SQL_N_CREATE_VIEW:
        snprintf(tag, SQL_TAG_BYTES, "CREATE VIEW");
        return sql_ddl_create_view(dc, (const sql_create_view *)stmt, err);
    case SQL_N_CREATE_DOMAIN:
        snprintf(tag, SQL_TAG_BYTES, "CREATE DOMAIN");
        return sql_ddl_create_domain(dc, (const sql_create_domain *)stmt, err);
    case SQL_N_ALTER_DOMAIN:
        snprintf(tag, SQL_TAG_BYTES, "ALTER DOMAIN");
        return sql_ddl_alter_domain(dc, (const sql_alter_domain *)stmt, err);
    case SQL_N_CREATE_ENUM:
        snprintf(tag, SQL_TAG_BYTES, "CREATE TYPE");
        return sql_ddl_create_enum(dc, (const sql_create_enum *)stmt, err);
    case SQL_N_ALTER_TYPE:
        snprintf(tag, SQL_TAG_BYTES, "ALTER TYPE");
        return sql_ddl_alter_type(dc, (const sql_alter_type *)stmt, err);
    case SQL_N_CREATE_COMPOSITE:
        snprintf(tag, SQL_TAG_BYTES, "CREATE TYPE");
        return sql_ddl_create_composite(dc, (const sql_create_composite *)stmt, err);
    case SQL_N_ALTER_COMPOSITE:
        snprintf(tag, SQL_TAG_BYTES, "ALTER TYPE");
        return sql_ddl_alter_composite(dc, (const sql_alter_composite *)stmt, err);
    case SQL_N_DROP: return sql_ddl_drop(dc, (const sql_drop *)stmt, tag, err);
    case SQL_N_ALTER_TABLE: return sql_ddl_alter_table(dc, (const sql_alter_table *)stmt, tag, err);
    case SQL_N_RENAME: return sql_ddl_rename(dc, (const sql_rename *)stmt, tag, err);
    case SQL_N_TRUNCATE:
        snprintf(tag, SQL_TAG_BYTES, "TRUNCATE TABLE");
        return sql_ddl_truncate(dc, (const sql_truncate *)stmt, err);
    case SQL_N_COMMENT:
        snprintf(tag, SQL_TAG_BYTES, "COMMENT");
        return sql_ddl_comment(dc, (const sql_comment *)stmt, err);
    case SQL_N_GRANT: return sql_ddl_grant(dc, (const sql_grant *)stmt, tag, err);
    case SQL_N_REINDEX:
        snprintf(tag, SQL_TAG_BYTES, "REINDEX");
        return sql_ddl_reindex(dc, (const sql_reindex *)stmt, err);
    default:
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "not a DDL statement");
    }
}

/* The catalog's DDL lock when no other transaction holds it; else the table locks this
 * statement took (those of level `inner`) go, and the statement waits for the catalog
 * without them (sql_tablelock.h "DDL"). */
static bool sql_ddl_begin_backoff(sql_ddl_ctx *dc, uint32_t inner, rt_err *err) {
    if (dc->tlock != NULL && dc->txn->draft == NULL) {
        sql_tlock_wait w = {.cancel = dc->cancel, .lock_timeout_ms = dc->lock_timeout_ms,
                            .nowait = true};
        rt_err busy;
        rt_err_clear(&busy);
        if (!sql_tlock_lock(dc->tlock, SQL_TLOCK_CATALOG_OID, SQL_TLOCK_ACCESS_EXCLUSIVE,
                            "pg_catalog", &w, &busy)) {
            if (!rt_err_is(&busy, SQLSTATE_LOCK_NOT_AVAILABLE)) {
                *err = busy;
                return false;
            }
            sql_tlock_release_from(dc->tlock, inner);
        }
    }
    return sql_ddl_begin(dc, err);
}

/* The statement's table locks and the catalog's, taken at a level of their own (so that the
 * back-off gives up only this statement's), then handed to the transaction's level. */
static bool sql_ddl_lock_all(sql_ddl_ctx *dc, const sql_node *stmt, rt_err *err) {
    if (dc->tlock == NULL) return sql_ddl_begin(dc, err);
    uint32_t level = sql_tlock_level(dc->tlock);
    sql_tlock_set_level(dc->tlock, level + 1);
    bool ok = sql_ddl_lock_tables(dc, stmt, err) && sql_ddl_begin_backoff(dc, level + 1, err) &&
              sql_ddl_lock_tables(dc, stmt, err);
    sql_tlock_merge_into(dc->tlock, level);
    sql_tlock_set_level(dc->tlock, level);
    return ok;
}

bool sql_ddl_exec(sql_ddl_ctx *dc, const sql_node *stmt, char tag[SQL_TAG_BYTES], rt_err *err) {
    tag[0] = '\0';
    if (SQL_NODE_KIND(stmt) == SQL_N_CREATE_DATABASE ||
        (SQL_NODE_KIND(stmt) == SQL_N_DROP &&
         ((const sql_drop *)stmt)->object == SQL_OBJ_DATABASE)) {
        if (dc->in_txn_block) {
            return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                              "%s DATABASE cannot run inside a transaction block",
                              SQL_NODE_KIND(stmt) == SQL_N_DROP ? "DROP" : "CREATE");
        }
        if (SQL_NODE_KIND(stmt) == SQL_N_CREATE_DATABASE) {
            snprintf(tag, SQL_TAG_BYTES, "CREATE DATABASE");
            if (!sql_ddl_begin(dc, err)) return false;
            return sql_ddl_create_database(dc, (const sql_create_database *)stmt, err);
        }
    }
    if (SQL_NODE_KIND(stmt) == SQL_N_REINDEX &&
        !sql_ddl_reindex_check((const sql_reindex *)stmt, dc->in_txn_block, err)) {
        return false;
    }
    /* Tables first, the catalog second (sql_tablelock.h "DDL"), then the tables again under
     * their names in the draft. */
    if (!sql_ddl_lock_all(dc, stmt, err)) return false;
    rt_err *saved = dc->bc->err;
    dc->bc->err = err; /* binder helpers report into the statement's error */
    bool ok = sql_ddl_dispatch(dc, stmt, tag, err);
    if (ok) ok = sql_ddl_unique_sync(dc, err);
    dc->bc->err = saved;
    if (ok && dc->txn->draft != NULL) {
        dc->bc->db = eng_catalog_db_by_oid(dc->txn->draft, dc->db_oid);
    }
    return ok;
}
