/* sql_ddl_lock.c: the table locks DDL takes (sql_tablelock.h, "DDL"): ACCESS EXCLUSIVE for
 * ALTER TABLE, DROP TABLE / INDEX and TRUNCATE, SHARE for CREATE INDEX, SHARE ROW EXCLUSIVE on
 * the table a new foreign key references. Taken before the catalog's DDL lock (the first
 * pass, against the catalog the statement pinned) and once more inside the draft, where a
 * name may have come to mean another table while the statement waited. */
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

/* The table of index `n` (schema-qualified, or the first on the search path that has it). */
static const eng_table *ddl_lock_index_table(sql_ddl_ctx *dc, const sql_name *n) {
    const eng_database *db = dc->bc->db;
    const char *name = n->parts[n->count - 1];
    if (n->count >= 2) {
        const eng_schema *s = eng_db_schema_by_name(db, n->parts[n->count - 2]);
        return s != NULL ? sql_ddl_index_by_name(db, s->oid, name, NULL) : NULL;
    }
    const eng_table *t = NULL;
    if (dc->bc->temp_schema_oid != 0) {
        t = sql_ddl_index_by_name(db, dc->bc->temp_schema_oid, name, NULL);
    }
    for (uint32_t i = 0; t == NULL && i < dc->bc->nsearch; i++) {
        const eng_schema *s = eng_db_schema_by_name(db, dc->bc->search_path[i]);
        if (s != NULL) t = sql_ddl_index_by_name(db, s->oid, name, NULL);
    }
    return t;
}

static bool ddl_lock_drop(sql_ddl_ctx *dc, const sql_drop *d, rt_err *err) {
    for (uint32_t i = 0; i < d->names.count; i++) {
        const sql_name *n = SQL_LIST_AT(d->names, i);
        bool ok = true;
        if (d->object == SQL_OBJ_TABLE) {
            ok = ddl_lock_name(dc, n, SQL_TLOCK_ACCESS_EXCLUSIVE, err);
        } else if (d->object == SQL_OBJ_INDEX && n->count > 0 && dc->bc->db != NULL) {
            ok = ddl_lock_one(dc, ddl_lock_index_table(dc, n), SQL_TLOCK_ACCESS_EXCLUSIVE, err);
        }
        if (!ok) return false;
    }
    return true;
}

static bool ddl_lock_alter(sql_ddl_ctx *dc, const sql_alter_table *at, rt_err *err) {
    if (at->object != SQL_OBJ_TABLE) return true;
    if (!ddl_lock_name(dc, &at->name, SQL_TLOCK_ACCESS_EXCLUSIVE, err)) return false;
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        const sql_alter_cmd *c = SQL_LIST_AT(at->cmds, i);
        const sql_constraint *k = c->alter_kind == SQL_AT_ADD_CONSTRAINT ? c->constraint : NULL;
        /* A new foreign key keeps its referenced table from changing under the check. */
        if (k != NULL && k->constr_kind == SQL_CONSTR_FOREIGN &&
            !ddl_lock_name(dc, &k->fk_table, SQL_TLOCK_SHARE_ROW_EXCLUSIVE, err)) {
            return false;
        }
    }
    return true;
}

bool sql_ddl_lock_tables(sql_ddl_ctx *dc, const sql_node *stmt, rt_err *err) {
    if (dc->tlock == NULL) return true; /* no session (catalog tests) */
    switch (SQL_NODE_KIND(stmt)) {
    case SQL_N_ALTER_TABLE: return ddl_lock_alter(dc, (const sql_alter_table *)stmt, err);
    case SQL_N_DROP: return ddl_lock_drop(dc, (const sql_drop *)stmt, err);
    case SQL_N_CREATE_INDEX:
        return ddl_lock_name(dc, &((const sql_create_index *)stmt)->table, SQL_TLOCK_SHARE, err);
    case SQL_N_TRUNCATE: {
        const sql_truncate *tr = (const sql_truncate *)stmt;
        for (uint32_t i = 0; i < tr->tables.count; i++) {
            const sql_rangevar *rv = SQL_LIST_AT(tr->tables, i);
            if (!ddl_lock_name(dc, &rv->name, SQL_TLOCK_ACCESS_EXCLUSIVE, err)) return false;
        }
        return true;
    }
    default: return true;
    }
}

bool sql_ddl_lock_catalog(sql_ddl_ctx *dc, rt_err *err) {
    if (dc->tlock == NULL) return true;
    sql_tlock_wait w = {.cancel = dc->cancel, .lock_timeout_ms = dc->lock_timeout_ms};
    return sql_tlock_lock(dc->tlock, SQL_TLOCK_CATALOG_OID, SQL_TLOCK_ACCESS_EXCLUSIVE,
                          "pg_catalog", &w, err);
}
