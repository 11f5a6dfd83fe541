/* sql_ddl_reindex.c: REINDEX INDEX / TABLE / SCHEMA / DATABASE / SYSTEM, as PostgreSQL 15 runs
 * it, with its checks and messages (42809 for the wrong kind of relation, 42501 for another
 * role's object, 0A000 for another database, 25001 inside a transaction block).
 * Plain REINDEX (SHARE on each table, so writers wait and readers go on, and ACCESS EXCLUSIVE on
 * each index it rebuilds, as PostgreSQL 15) rebuilds every index it names in the statement's
 * transaction: a B-tree keeps its OID and gets a new relfilenode, so every partition builds its
 * tree anew in the statement, bottom up from the versions some snapshot can still see
 * (eng_part_ixbuild.c), and a unique index's companion table (sql_unique.h) is dropped and
 * filled again (a duplicate: 23505 "could not create unique index"); an expression or partial
 * index computes its expressions over every visible row again (an error fails the statement).
 * An INVALID index (a failed CREATE INDEX CONCURRENTLY) becomes valid. The primary key's tree
 * is the partition's own row map, kept with every row version: its REINDEX checks nothing more
 * and gives it a new relfilenode all the same. An HNSW index (or a vector column's automatic
 * one) keeps its OID and relfilenode; its graphs are rebuilt in the background after the
 * commit, the old ones serving meanwhile (eng_part_ann_reindex), as after CREATE INDEX ...
 * USING hnsw.
 * REINDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE, writers go on) creates beside each B-tree a
 * copy named <index>_ccnew, committed invalid; the session then builds it with CREATE INDEX
 * CONCURRENTLY's steps (sql_ddl_index_cc.c), swaps it with the old one (names, constraint,
 * primary key), waits for the statements that may still use the old one, and drops it. A
 * failure leaves the _ccnew index INVALID, as PostgreSQL's. System catalogs are views here:
 * REINDEX SYSTEM and DATABASE find no catalog table to rebuild (DATABASE CONCURRENTLY warns
 * that it skips them, as PostgreSQL does). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/eng_part.h"
#include "sql/sql_ddl_int.h"
#include "sql/sql_tablelock.h"
#include "sql/sql_unique.h"

static const char *const reindex_what[] = {"", "INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"};

/* CPU and elapsed time since `start`, as PostgreSQL's pg_rusage_show prints them. */
typedef struct reindex_usage {
    struct rusage ru;
    struct timespec ts;
} reindex_usage;

static void reindex_usage_start(reindex_usage *u) {
    getrusage(RUSAGE_SELF, &u->ru);
    clock_gettime(CLOCK_MONOTONIC, &u->ts);
}

static void reindex_usage_text(const reindex_usage *u, char *out, size_t size) {
    reindex_usage now;
    reindex_usage_start(&now);
    long user_cs = (now.ru.ru_utime.tv_sec - u->ru.ru_utime.tv_sec) * 100 +
                   (now.ru.ru_utime.tv_usec - u->ru.ru_utime.tv_usec) / 10000;
    long sys_cs = (now.ru.ru_stime.tv_sec - u->ru.ru_stime.tv_sec) * 100 +
                  (now.ru.ru_stime.tv_usec - u->ru.ru_stime.tv_usec) / 10000;
    long el_cs = (now.ts.tv_sec - u->ts.tv_sec) * 100 + (now.ts.tv_nsec - u->ts.tv_nsec) / 10000000;
    snprintf(out, size, "CPU: user: %ld.%02ld s, system: %ld.%02ld s, elapsed: %ld.%02ld s",
             user_cs / 100, user_cs % 100, sys_cs / 100, sys_cs % 100, el_cs / 100, el_cs % 100);
}

/* VERBOSE's INFO line, with the usage as its DETAIL. */
static void reindex_info(sql_ddl_ctx *dc, const reindex_usage *u, const char *fmt,
                         const char *a, const char *b) {
    if (dc->sink == NULL || dc->sink->notice == NULL) return;
    rt_err n;
    rt_err_clear(&n);
    rt_err_set(&n, SQLSTATE_SUCCESSFUL_COMPLETION, fmt, a, b);
    char detail[160];
    reindex_usage_text(u, detail, sizeof detail);
    rt_err_detail(&n, "%s", detail);
    dc->sink->notice(dc->sink->arg, "INFO", &n);
}

static void reindex_warning(sql_ddl_ctx *dc, const char *sqlstate, const char *message) {
    if (dc->sink == NULL || dc->sink->notice == NULL) return;
    rt_err n;
    rt_err_clear(&n);
    rt_err_set(&n, sqlstate, "%s", message);
    dc->sink->notice(dc->sink->arg, "WARNING", &n);
}

const eng_table *sql_ddl_find_index(sql_ddl_ctx *dc, const sql_name *n,
                                    const eng_index **ix) {
    const eng_database *db = dc->bc->db;
    const char *name = n->parts[n->count - 1];
    *ix = NULL;
    if (db == NULL) return NULL;
    if (n->count >= 2) {
        const eng_schema *s = eng_db_schema_by_name(db, n->parts[n->count - 2]);
        return s != NULL ? sql_ddl_index_by_name(db, s->oid, name, ix) : NULL;
    }
    const eng_table *t = NULL;
    if (dc->bc->temp_schema_oid != 0) {
        t = sql_ddl_index_by_name(db, dc->bc->temp_schema_oid, name, ix);
    }
    for (uint32_t i = 0; t == NULL && i < dc->bc->nsearch; i++) {
        const eng_schema *s = eng_db_schema_by_name(db, dc->bc->search_path[i]);
        if (s != NULL) t = sql_ddl_index_by_name(db, s->oid, name, ix);
    }
    return t;
}

/* Whether REINDEX SCHEMA / DATABASE reaches table `t`: a user's table (not a view, not a
 * companion, not another session's temporary table). */
static bool reindex_reaches(sql_ddl_ctx *dc, const eng_table *t, uint32_t schema_oid) {
    if (t->kind != 'r' || sql_unique_is_companion(t)) return false;
    if (schema_oid != 0 && t->schema_oid != schema_oid) return false;
    return t->persistence != 't' || t->schema_oid == dc->bc->temp_schema_oid;
}

/* The schema REINDEX SCHEMA names, 0 if none. */
static uint32_t reindex_schema_oid(sql_ddl_ctx *dc, const sql_reindex *r) {
    const eng_schema *s = eng_db_schema_by_name(dc->bc->db, r->name.parts[0]);
    if (s != NULL) return s->oid;
    if (strcmp(r->name.parts[0], "pg_temp") == 0) return dc->bc->temp_schema_oid;
    return 0;
}

/* SHARE on table `t` (CONCURRENTLY: SHARE UPDATE EXCLUSIVE), then ACCESS EXCLUSIVE on the
 * index `only` or, when NULL, on each of its indexes, as PostgreSQL 15's REINDEX takes them. */
static bool reindex_lock_table(sql_ddl_ctx *dc, const eng_table *t, const eng_index *only,
                               bool concurrently, rt_err *err) {
    int mode = concurrently ? SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE : SQL_TLOCK_SHARE;
    if (t == NULL || !sql_ddl_lock_table(dc, t, mode, err)) return t == NULL;
    if (concurrently) return true;
    if (only != NULL) return sql_ddl_lock_index(dc, only, SQL_TLOCK_ACCESS_EXCLUSIVE, err);
    for (uint32_t i = 0; i < t->index_count; i++) {
        if (!sql_ddl_lock_index(dc, &t->indexes[i], SQL_TLOCK_ACCESS_EXCLUSIVE, err)) {
            return false;
        }
    }
    return true;
}

bool sql_ddl_reindex_lock(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err) {
    if (dc->bc->db == NULL) return true;
    if (r->target == SQL_REINDEX_INDEX) {
        const eng_index *ix;
        const eng_table *t = sql_ddl_find_index(dc, &r->name, &ix);
        return reindex_lock_table(dc, t, ix, r->concurrently, err);
    }
    if (r->target == SQL_REINDEX_TABLE) {
        const eng_table *t = sql_bind_find_table(dc->bc, &r->name);
        return reindex_lock_table(dc, t, NULL, r->concurrently, err);
    }
    if (r->target == SQL_REINDEX_SYSTEM) return true;
    uint32_t schema_oid = 0;
    if (r->target == SQL_REINDEX_SCHEMA && (schema_oid = reindex_schema_oid(dc, r)) == 0) {
        return true; /* the statement's error */
    }
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (reindex_reaches(dc, t, schema_oid) &&
            !reindex_lock_table(dc, t, NULL, r->concurrently, err)) {
            return false;
        }
    }
    return true;
}

/* Rebuilds index `index_oid` of table `table_oid` in the draft (see the file's comment). */
static bool reindex_one(sql_ddl_ctx *dc, uint32_t table_oid, uint32_t index_oid,
                        rt_err *err) {
    const eng_table *base = eng_db_table_by_oid(dc->bc->db, table_oid);
    for (uint32_t i = 0; base != NULL && i < base->index_count; i++) {
        if (base->indexes[i].oid != index_oid || base->indexes[i].method != ENG_INDEX_HNSW) {
            continue;
        }
        eng_part_ann_reindex(base, base->indexes[i].attnums[0]);
        return true;
    }
    eng_table *t = base != NULL ? sql_ddl_table_copy(dc, base, err) : NULL;
    if (t == NULL) return base == NULL;
    eng_index *ix = NULL;
    for (uint32_t i = 0; i < t->index_count; i++) {
        if (t->indexes[i].oid == index_oid) ix = &t->indexes[i];
    }
    if (ix == NULL) return true;
    ix->relfilenode = eng_catalog_new_oid(sql_ddl_draft(dc));
    ix->invalid = false;
    ix->building = false;
    t->def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
    const eng_database *db = sql_ddl_db(dc);
    const eng_index *now;
    const eng_table *owner = eng_db_table_of_index(db, index_oid, &now);
    if (owner == NULL) return true;
    bool unique = sql_unique_needs_companion(owner, now);
    if (!unique && !sql_ddl_index_validate(dc, owner, now, err)) return false;
    /* Every partition builds the new tree now, from the versions some snapshot can still see,
     * as CREATE INDEX does, not at its first use. */
    if (!eng_table_adapt(owner, err)) return false;
    if (!unique) return true;
    /* A unique index's companion goes and is made and filled again by the statement's end
     * (sql_ddl_unique_sync): a duplicate fails the statement (23505). */
    char name[ENG_NAME_BYTES];
    sql_unique_name(now, name);
    const eng_table *companion = eng_db_table_by_name(db, owner->schema_oid, name);
    if (companion != NULL && sql_unique_is_companion(companion)) {
        eng_draft_remove_table(sql_ddl_draft(dc), dc->db_oid, companion->oid);
        sql_ddl_db(dc);
    }
    return true;
}

/* The indexes of table `t` REINDEX CONCURRENTLY rebuilds get a _ccnew copy, committed invalid;
 * the session builds and swaps them. An invalid index is skipped (with a WARNING) when the
 * whole table is reindexed, as PostgreSQL's; HNSW indexes have their graphs rebuilt. */
static bool reindex_cc_copy(sql_ddl_ctx *dc, uint32_t table_oid, uint32_t index_oid,
                            rt_err *err) {
    const eng_table *base = eng_db_table_by_oid(dc->bc->db, table_oid);
    eng_table *t = base != NULL ? sql_ddl_table_copy(dc, base, err) : NULL;
    if (t == NULL) return base == NULL;
    const eng_index *old = NULL;
    for (uint32_t i = 0; i < t->index_count; i++) {
        if (t->indexes[i].oid == index_oid) old = &t->indexes[i];
    }
    if (old == NULL) return true;
    if (old->method == ENG_INDEX_HNSW) {
        eng_part_ann_reindex(base, old->attnums[0]);
        return true;
    }
    if (dc->reindex_count == SQL_DDL_REINDEX_CC_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "REINDEX CONCURRENTLY can rebuild at most %u indexes at a time",
                          SQL_DDL_REINDEX_CC_MAX);
    }
    eng_index ix = *old;
    ix.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    ix.primary = false; /* the primary key moves to it at the swap */
    ix.invalid = true;
    ix.building = false;
    ix.comment = NULL;
    sql_ddl_choose_name(dc, t->schema_oid, t, old->name, NULL, "ccnew", ix.name);
    t->indexes[t->index_count++] = ix;
    t->def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
    sql_ddl_db(dc);
    dc->reindex_old[dc->reindex_count] = index_oid;
    dc->reindex_new[dc->reindex_count++] = ix.oid;
    return true;
}

static bool reindex_index_of(sql_ddl_ctx *dc, const sql_reindex *r, const eng_table *t,
                             const eng_index *ix, const reindex_usage *u, rt_err *err) {
    if (r->concurrently) return reindex_cc_copy(dc, t->oid, ix->oid, err);
    char name[ENG_NAME_BYTES];
    snprintf(name, sizeof name, "%s", ix->name);
    if (!reindex_one(dc, t->oid, ix->oid, err)) return false;
    if (r->verbose) reindex_info(dc, u, "index \"%s\" was reindexed", name, NULL);
    return true;
}

/* Every index of table `table_oid`; *any: whether there was one to rebuild. */
static bool reindex_table_indexes(sql_ddl_ctx *dc, const sql_reindex *r, uint32_t table_oid,
                                  bool *any, rt_err *err) {
    const eng_table *t = eng_db_table_by_oid(dc->bc->db, table_oid);
    uint32_t n = t->index_count;
    uint32_t *oids = rt_arena_alloc(dc->bc->arena, sizeof(uint32_t) * (n + 1u));
    if (oids == NULL) return rt_arena_fail(dc->bc->arena, err);
    for (uint32_t i = 0; i < n; i++) oids[i] = t->indexes[i].oid;
    *any = false;
    for (uint32_t i = 0; i < n; i++) {
        reindex_usage u;
        reindex_usage_start(&u);
        const eng_index *ix;
        const eng_table *cur = eng_db_table_of_index(dc->bc->db, oids[i], &ix);
        if (cur == NULL) continue;
        if (r->concurrently && ix->invalid) {
            char msg[ENG_NAME_BYTES * 3];
            const eng_schema *s = eng_db_schema_by_oid(dc->bc->db, cur->schema_oid);
            snprintf(msg, sizeof msg, "cannot reindex invalid index \"%s.%s\" concurrently, "
                     "skipping", s != NULL ? s->name : "pg_temp", ix->name);
            reindex_warning(dc, SQLSTATE_FEATURE_NOT_SUPPORTED, msg);
            continue;
        }
        *any = true;
        if (!reindex_index_of(dc, r, cur, ix, &u, err)) return false;
    }
    return true;
}

static bool reindex_index(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err) {
    const eng_index *ix;
    const eng_table *t = sql_ddl_find_index(dc, &r->name, &ix);
    const char *name = r->name.parts[r->name.count - 1];
    if (t == NULL || sql_unique_is_companion(t)) {
        const eng_table *rel = sql_bind_find_table(dc->bc, &r->name);
        if (rel != NULL || sql_bind_find_sequence(dc->bc, &r->name) != NULL) {
            return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not an index", name);
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
    }
    if (!sql_ddl_owns(dc, t->owner_oid, "index", ix->name, err)) return false;
    reindex_usage u;
    reindex_usage_start(&u);
    return reindex_index_of(dc, r, t, ix, &u, err);
}

static bool reindex_table(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err) {
    const char *name = r->name.parts[r->name.count - 1];
    const eng_table *t = sql_bind_find_table(dc->bc, &r->name);
    if (t == NULL) {
        const eng_index *ix;
        if (sql_ddl_find_index(dc, &r->name, &ix) != NULL ||
            sql_bind_find_sequence(dc->bc, &r->name) != NULL) {
            return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                              "\"%s\" is not a table or materialized view", name);
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
    }
    if (t->kind != 'r') {
        return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                          "\"%s\" is not a table or materialized view", name);
    }
    if (!sql_ddl_owns(dc, t->owner_oid, "table", t->name, err)) return false;
    bool any;
    if (!reindex_table_indexes(dc, r, t->oid, &any, err)) return false;
    if (!any) {
        sql_ddl_notice(dc, SQLSTATE_SUCCESSFUL_COMPLETION,
                       r->concurrently ? "table \"%s\" has no indexes that can be reindexed "
                                         "concurrently"
                                       : "table \"%s\" has no indexes to reindex", name);
    }
    return true;
}

/* REINDEX SCHEMA / DATABASE / SYSTEM: every table it reaches, one after the other. */
static bool reindex_multiple(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err) {
    const eng_database *db = dc->bc->db;
    uint32_t schema_oid = 0;
    if (r->target == SQL_REINDEX_SYSTEM && r->concurrently) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot reindex system catalogs concurrently");
    }
    if (r->target == SQL_REINDEX_SCHEMA) {
        schema_oid = reindex_schema_oid(dc, r);
        if (schema_oid == 0) {
            return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                              r->name.parts[0]);
        }
        const eng_schema *s = eng_db_schema_by_oid(db, schema_oid);
        if (s != NULL && !sql_ddl_owns(dc, s->owner_oid, "schema", s->name, err)) return false;
    } else {
        if (strcmp(r->name.parts[0], db->name) != 0) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "can only reindex the currently open database");
        }
        if (!sql_ddl_owns(dc, db->owner_oid, "database", db->name, err)) return false;
    }
    if (r->target == SQL_REINDEX_DATABASE && r->concurrently) {
        reindex_warning(dc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "cannot reindex system catalogs concurrently, skipping all");
    }
    if (r->target == SQL_REINDEX_SYSTEM) return true; /* the catalogs are views */
    uint32_t n = db->table_count, count = 0;
    uint32_t *oids = rt_arena_alloc(dc->bc->arena, sizeof(uint32_t) * (n + 1u));
    if (oids == NULL) return rt_arena_fail(dc->bc->arena, err);
    for (uint32_t i = 0; i < n; i++) {
        const eng_table *t = &db->tables[i];
        if (reindex_reaches(dc, t, schema_oid)) oids[count++] = t->oid;
    }
    for (uint32_t i = 0; i < count; i++) {
        const eng_table *t = eng_db_table_by_oid(dc->bc->db, oids[i]);
        if (t == NULL) continue;
        char tname[ENG_NAME_BYTES], sname[ENG_NAME_BYTES];
        const eng_schema *s = eng_db_schema_by_oid(dc->bc->db, t->schema_oid);
        snprintf(tname, sizeof tname, "%s", t->name);
        snprintf(sname, sizeof sname, "%s", s != NULL ? s->name : "pg_temp");
        reindex_usage u;
        reindex_usage_start(&u);
        bool any;
        if (!reindex_table_indexes(dc, r, oids[i], &any, err)) return false;
        if (any && r->verbose && !r->concurrently) {
            reindex_info(dc, &u, "table \"%s.%s\" was reindexed", sname, tname);
        }
    }
    return true;
}

bool sql_ddl_reindex(sql_ddl_ctx *dc, const sql_reindex *r, rt_err *err) {
    if (r->tablespace != NULL && strcmp(r->tablespace, "pg_default") != 0) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "tablespace \"%s\" does not exist",
                          r->tablespace);
    }
    switch (r->target) {
    case SQL_REINDEX_INDEX: return reindex_index(dc, r, err);
    case SQL_REINDEX_TABLE: return reindex_table(dc, r, err);
    default: return reindex_multiple(dc, r, err);
    }
}

bool sql_ddl_reindex_check(const sql_reindex *r, bool in_txn_block, rt_err *err) {
    if (!in_txn_block) return true;
    if (r->concurrently) {
        return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "REINDEX CONCURRENTLY cannot run inside a transaction block");
    }
    if (r->target >= SQL_REINDEX_SCHEMA) {
        return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "REINDEX %s cannot run inside a transaction block",
                          reindex_what[r->target]);
    }
    return true;
}
