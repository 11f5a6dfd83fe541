/* sql_ddl_lock.c: the table locks DDL takes (sql_tablelock.h, "DDL"), PostgreSQL's: ACCESS
 * EXCLUSIVE for ALTER TABLE, DROP TABLE / INDEX and TRUNCATE, SHARE for CREATE INDEX and
 * REINDEX, SHARE UPDATE EXCLUSIVE for CREATE INDEX, REINDEX and DROP INDEX CONCURRENTLY (kept
 * across their later transactions, sql_session_index.c); of ALTER
 * TABLE's commands VALIDATE CONSTRAINT, SET STATISTICS and SET / RESET (options) take SHARE
 * UPDATE EXCLUSIVE, ADD FOREIGN KEY SHARE ROW EXCLUSIVE (on both tables), and DROP CONSTRAINT of
 * a foreign key ACCESS EXCLUSIVE on the referenced table as well (so does DROP TABLE of a table
 * with foreign keys); CREATE TABLE locks the tables its foreign keys reference SHARE ROW
 * EXCLUSIVE. What a CASCADE reaches is locked as what it names: TRUNCATE ... CASCADE every table
 * it empties (those referencing a named one, transitively), DROP TABLE ... CASCADE (and DROP
 * SCHEMA ... CASCADE, for the tables of the schema) the tables whose foreign keys it drops,
 * ACCESS EXCLUSIVE. Taken before the catalog's DDL lock (the first pass, against the catalog the
 * statement pinned) and once more inside the draft, where a name may have come to mean another
 * table while the statement waited. */
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_tablelock.h"

static bool ddl_lock_one(sql_ddl_ctx *dc, const eng_table *t, sql_tlock_mode mode,
                         rt_err *err) {
    if (t == NULL || t->kind != 'r') return true; /* a missing table is the statement's error */
    sql_tlock_wait w = {.cancel = dc->cancel, .lock_timeout_ms = dc->lock_timeout_ms};
    return sql_tlock_lock(dc->tlock, t->oid, mode, t->name, &w, err);
}

static bool ddl_lock_name(sql_ddl_ctx *dc, const sql_name *name, sql_tlock_mode mode,
                          rt_err *err) {
    if (name == NULL || name->count == 0 || dc->bc->db == NULL) return true;
    return ddl_lock_one(dc, sql_bind_find_table(dc->bc, name), mode, err);
}

/* The tables `t`'s foreign keys reference: dropping them changes what those enforce. */
static bool ddl_lock_fk_parents(sql_ddl_ctx *dc, const eng_table *t, rt_err *err) {
    for (uint32_t i = 0; t != NULL && i < t->constraint_count; i++) {
        const eng_constraint *con = &t->constraints[i];
        if (con->kind != 'f' || con->ref_table_oid == t->oid) continue;
        const eng_table *ref = eng_db_table_by_oid(dc->bc->db, con->ref_table_oid);
        if (!ddl_lock_one(dc, ref, SQL_TLOCK_ACCESS_EXCLUSIVE, err)) return false;
    }
    return true;
}

/* The other tables with a foreign key referencing `t`: DROP ... CASCADE drops those keys. */
static bool ddl_lock_fk_children(sql_ddl_ctx *dc, const eng_table *t, rt_err *err) {
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *c = &db->tables[i];
        for (uint32_t k = 0; c->oid != t->oid && k < c->constraint_count; k++) {
            const eng_constraint *con = &c->constraints[k];
            if (con->kind != 'f' || con->ref_table_oid != t->oid) continue;
            if (!ddl_lock_one(dc, c, SQL_TLOCK_ACCESS_EXCLUSIVE, err)) return false;
            break;
        }
    }
    return true;
}

/* A table DROP removes: it, the tables its foreign keys reference, and with CASCADE those
 * whose foreign keys reference it. */
static bool ddl_lock_dropped(sql_ddl_ctx *dc, const eng_table *t, bool cascade, rt_err *err) {
    if (t == NULL || t->kind != 'r') return ddl_lock_one(dc, t, SQL_TLOCK_ACCESS_EXCLUSIVE, err);
    return ddl_lock_one(dc, t, SQL_TLOCK_ACCESS_EXCLUSIVE, err) &&
           ddl_lock_fk_parents(dc, t, err) && (!cascade || ddl_lock_fk_children(dc, t, err));
}

/* DROP SCHEMA ... CASCADE: every table of the schema goes. */
static bool ddl_lock_schema(sql_ddl_ctx *dc, const sql_name *n, rt_err *err) {
    const eng_schema *s = eng_db_schema_by_name(dc->bc->db, n->parts[n->count - 1]);
    for (uint32_t i = 0; s != NULL && i < dc->bc->db->table_count; i++) {
        const eng_table *t = &dc->bc->db->tables[i];
        if (t->schema_oid == s->oid && !ddl_lock_dropped(dc, t, true, err)) return false;
    }
    return true;
}

static bool ddl_lock_drop(sql_ddl_ctx *dc, const sql_drop *d, rt_err *err) {
    for (uint32_t i = 0; i < d->names.count; i++) {
        const sql_name *n = SQL_LIST_AT(d->names, i);
        bool ok = true;
        if (d->object == SQL_OBJ_TABLE && n->count > 0 && dc->bc->db != NULL) {
            ok = ddl_lock_dropped(dc, sql_bind_find_table(dc->bc, n), d->cascade, err);
        } else if (d->object == SQL_OBJ_SCHEMA && d->cascade && n->count > 0 &&
                   dc->bc->db != NULL) {
            ok = ddl_lock_schema(dc, n, err);
        } else if (d->object == SQL_OBJ_INDEX && n->count > 0 && dc->bc->db != NULL) {
            const eng_index *ix;
            ok = ddl_lock_one(dc, sql_ddl_find_index(dc, n, &ix),
                              d->concurrently ? SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE
                                              : SQL_TLOCK_ACCESS_EXCLUSIVE, err);
        }
        if (!ok) return false;
    }
    return true;
}

/* The mode one ALTER TABLE command needs, as PostgreSQL's: what only checks rows or changes
 * statistics or storage options lets readers and writers go on; anything else does not. */
static sql_tlock_mode ddl_lock_alter_mode(const sql_alter_cmd *c) {
    switch (c->alter_kind) {
    case SQL_AT_VALIDATE_CONSTRAINT: case SQL_AT_SET_STATISTICS: case SQL_AT_SET_OPTIONS:
    case SQL_AT_RESET_OPTIONS:
        return SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE;
    case SQL_AT_ADD_CONSTRAINT:
        return c->constraint != NULL && c->constraint->constr_kind == SQL_CONSTR_FOREIGN
                   ? SQL_TLOCK_SHARE_ROW_EXCLUSIVE : SQL_TLOCK_ACCESS_EXCLUSIVE;
    default: return SQL_TLOCK_ACCESS_EXCLUSIVE;
    }
}

/* Dropping a foreign key changes what its referenced table enforces: PostgreSQL locks that
 * table ACCESS EXCLUSIVE too. */
static bool ddl_lock_fk_parent(sql_ddl_ctx *dc, const sql_alter_table *at, const sql_alter_cmd *c,
                               rt_err *err) {
    const eng_table *t = dc->bc->db != NULL ? sql_bind_find_table(dc->bc, &at->name) : NULL;
    for (uint32_t i = 0; t != NULL && c->name != NULL && i < t->constraint_count; i++) {
        const eng_constraint *con = &t->constraints[i];
        if (con->kind != 'f' || strcmp(con->name, c->name) != 0) continue;
        const eng_table *ref = eng_db_table_by_oid(dc->bc->db, con->ref_table_oid);
        return ref == NULL || ref->oid == t->oid ||
               ddl_lock_one(dc, ref, SQL_TLOCK_ACCESS_EXCLUSIVE, err);
    }
    return true;
}

static bool ddl_lock_alter(sql_ddl_ctx *dc, const sql_alter_table *at, rt_err *err) {
    if (at->object != SQL_OBJ_TABLE) return true;
    sql_tlock_mode mode = SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE; /* the strongest command's */
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        sql_tlock_mode m = ddl_lock_alter_mode(SQL_LIST_AT(at->cmds, i));
        /* SHARE UPDATE EXCLUSIVE < SHARE ROW EXCLUSIVE < ACCESS EXCLUSIVE: the order of the
         * enum, and each conflicts with all the earlier one does. */
        if (m > mode) mode = m;
    }
    if (!ddl_lock_name(dc, &at->name, mode, err)) return false;
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        const sql_alter_cmd *c = SQL_LIST_AT(at->cmds, i);
        const sql_constraint *k = c->alter_kind == SQL_AT_ADD_CONSTRAINT ? c->constraint : NULL;
        /* A new foreign key keeps its referenced table from changing under the check. */
        if (k != NULL && k->constr_kind == SQL_CONSTR_FOREIGN &&
            !ddl_lock_name(dc, &k->fk_table, SQL_TLOCK_SHARE_ROW_EXCLUSIVE, err)) {
            return false;
        }
        if (c->alter_kind == SQL_AT_DROP_CONSTRAINT && !ddl_lock_fk_parent(dc, at, c, err)) {
            return false;
        }
    }
    return true;
}

/* CREATE TABLE with foreign keys: their referenced tables, SHARE ROW EXCLUSIVE. */
static bool ddl_lock_create(sql_ddl_ctx *dc, const sql_create_table *ct, rt_err *err) {
    for (uint32_t i = 0; i < ct->constraints.count; i++) {
        const sql_constraint *k = SQL_LIST_AT(ct->constraints, i);
        if (k->constr_kind == SQL_CONSTR_FOREIGN &&
            !ddl_lock_name(dc, &k->fk_table, SQL_TLOCK_SHARE_ROW_EXCLUSIVE, err)) {
            return false;
        }
    }
    for (uint32_t i = 0; i < ct->columns.count; i++) {
        const sql_columndef *cd = SQL_LIST_AT(ct->columns, i);
        for (uint32_t j = 0; j < cd->constraints.count; j++) {
            const sql_constraint *k = SQL_LIST_AT(cd->constraints, j);
            if (k->constr_kind == SQL_CONSTR_FOREIGN &&
                !ddl_lock_name(dc, &k->fk_table, SQL_TLOCK_SHARE_ROW_EXCLUSIVE, err)) {
                return false;
            }
        }
    }
    return true;
}

/* TRUNCATE: the tables named and, with CASCADE, every table it reaches through foreign keys
 * referencing one it empties (a breadth-first walk over the oids found so far). */
static bool ddl_lock_truncate(sql_ddl_ctx *dc, const sql_truncate *tr, rt_err *err) {
    for (uint32_t i = 0; i < tr->tables.count; i++) {
        const sql_rangevar *rv = SQL_LIST_AT(tr->tables, i);
        if (!ddl_lock_name(dc, &rv->name, SQL_TLOCK_ACCESS_EXCLUSIVE, err)) return false;
    }
    const eng_database *db = dc->bc->db;
    if (!tr->cascade || db == NULL) return true;
    uint32_t *oids = rt_arena_alloc(dc->bc->arena, sizeof(uint32_t) * (db->table_count + 1u));
    if (oids == NULL) return rt_arena_fail(dc->bc->arena, err);
    uint32_t n = 0;
    for (uint32_t i = 0; i < tr->tables.count; i++) {
        const sql_rangevar *rv = SQL_LIST_AT(tr->tables, i);
        const eng_table *t = sql_bind_find_table(dc->bc, &rv->name);
        if (t != NULL && t->kind == 'r' && n < db->table_count) oids[n++] = t->oid;
    }
    for (uint32_t k = 0; k < n; k++) { /* grows as referencing tables are found */
        for (uint32_t i = 0; i < db->table_count; i++) {
            const eng_table *c = &db->tables[i];
            bool in = false, refs = false;
            for (uint32_t j = 0; j < n && !in; j++) in = oids[j] == c->oid;
            for (uint32_t j = 0; !in && !refs && j < c->constraint_count; j++) {
                refs = c->constraints[j].kind == 'f' && c->constraints[j].ref_table_oid == oids[k];
            }
            if (!refs || n == db->table_count) continue;
            if (!ddl_lock_one(dc, c, SQL_TLOCK_ACCESS_EXCLUSIVE, err)) return false;
            oids[n++] = c->oid;
        }
    }
    return true;
}

bool sql_ddl_lock_table(sql_ddl_ctx *dc, const eng_table *t, int mode, rt_err *err) {
    if (dc->tlock == NULL) return true;
    return ddl_lock_one(dc, t, (sql_tlock_mode)mode, err);
}

bool sql_ddl_lock_index(sql_ddl_ctx *dc, const eng_index *ix, int mode, rt_err *err) {
    if (dc->tlock == NULL || ix == NULL) return true;
    sql_tlock_wait w = {.cancel = dc->cancel, .lock_timeout_ms = dc->lock_timeout_ms};
    return sql_tlock_lock(dc->tlock, ix->oid, (sql_tlock_mode)mode, ix->name, &w, err);
}

bool sql_ddl_lock_tables(sql_ddl_ctx *dc, const sql_node *stmt, rt_err *err) {
    if (dc->tlock == NULL) return true; /* no session (catalog tests) */
    switch (SQL_NODE_KIND(stmt)) {
    case SQL_N_ALTER_TABLE: return ddl_lock_alter(dc, (const sql_alter_table *)stmt, err);
    case SQL_N_CREATE_TABLE: return ddl_lock_create(dc, (const sql_create_table *)stmt, err);
    case SQL_N_DROP: return ddl_lock_drop(dc, (const sql_drop *)stmt, err);
    case SQL_N_CREATE_INDEX: {
        /* CONCURRENTLY lets writers go on: each partition builds its tree from all its row
         * versions in one step on its shard when it first meets the new definition, and
         * maintains it for every write after, so a write before or after that step is
         * indexed. A unique index whose companion table (sql_unique.h) must be filled is
         * committed invalid by this statement and filled afterwards (sql_ddl_index_cc.c). */
        const sql_create_index *ci = (const sql_create_index *)stmt;
        sql_tlock_mode mode = ci->concurrently ? SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE
                                               : SQL_TLOCK_SHARE;
        return ddl_lock_name(dc, &ci->table, mode, err);
    }
    case SQL_N_TRUNCATE: return ddl_lock_truncate(dc, (const sql_truncate *)stmt, err);
    case SQL_N_REINDEX: return sql_ddl_reindex_lock(dc, (const sql_reindex *)stmt, err);
    default: return true;
    }
}

bool sql_ddl_lock_catalog(sql_ddl_ctx *dc, rt_err *err) {
    if (dc->tlock == NULL) return true;
    sql_tlock_wait w = {.cancel = dc->cancel, .lock_timeout_ms = dc->lock_timeout_ms};
    return sql_tlock_lock(dc->tlock, SQL_TLOCK_CATALOG_OID, SQL_TLOCK_ACCESS_EXCLUSIVE,
                          "pg_catalog", &w, err);
}
