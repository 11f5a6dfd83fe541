/* sql_session.c: session life cycle, the simple query protocol and the dispatch of every
 * statement kind to the binder/executor, the DDL module, COPY, settings and transactions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_ckpt.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_advisory.h"
#include "sql/sql_agg.h"
#include "sql/sql_copy.h"
#include "sql/sql_ddl.h"
#include "sql/sql_pgcat.h"
#include "engine/eng_hnsw.h"
#include "sql/sql_session_int.h"
#include "sql/sql_hybrid.h"
#include "sql/sql_stats.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_tablelock.h"
#include "sql/sql_vacuum.h"

/* Lines of one EXPLAIN output (a plan deeper than this is cut). */
#define SQL_EXPLAIN_LINES_MAX 4096u
/* Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
#define SQL_PG_EPOCH_OFFSET_US 946684800000000ll

/* ---- life cycle ---- */

static bool sql_session_ignore_tag(void *arg, const char *tag, rt_err *err) {
    (void)arg, (void)tag, (void)err;
    return true;
}

void sql_session_global_init(void) {
    sql_types_init();
    sql_funcs_init();
    sql_aggs_init();
    sql_stats_init(); /* statistics saved by the last run load with the engine */
}

static bool sql_session_auth(sql_session *s, const sql_startup *st, rt_err *err) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_role *r = eng_catalog_role_by_name(pin.catalog, st->user);
    const char *dbname = st->database != NULL && st->database[0] ? st->database : st->user;
    const eng_database *db = eng_catalog_db_by_name(pin.catalog, dbname);
    bool ok = false;
    if (r == NULL) {
        rt_err_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                   "role \"%s\" does not exist", st->user);
    } else if (!r->login) {
        rt_err_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                   "role \"%s\" is not permitted to log in", st->user);
    } else if (db == NULL) {
        rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist", dbname);
    } else if (db->oid == ENG_OID_TEMPLATE0) {
        rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                   "database \"template0\" is not currently accepting connections");
    } else if (!r->superuser && (sql_acl_mask(pin.catalog, db->owner_oid, r->oid, db->owner_oid,
                                              db->acl, SQL_ACL_DATABASE, db->oid) &
                                 ENG_ACL_CONNECT) == 0) {
        rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for database \"%s\"",
                   db->name);
        rt_err_detail(err, "User does not have CONNECT privilege.");
    } else {
        snprintf(s->user, sizeof s->user, "%s", r->name);
        snprintf(s->database, sizeof s->database, "%s", db->name);
        s->user_oid = r->oid;
        s->db_oid = db->oid;
        s->superuser = r->superuser;
        snprintf(s->session_user, sizeof s->session_user, "%s", r->name);
        s->session_user_oid = s->auth_user_oid = r->oid;
        s->auth_superuser = r->superuser;
        ok = true;
    }
    eng_catalog_unpin(&pin);
    if (!ok) err->severity = RT_SEV_FATAL;
    return ok;
}

bool sql_session_open(const sql_startup *st, sql_session **out, rt_err *err) {
    sql_session *s = rt_xcalloc(1, sizeof *s);
    s->backend_pid = st->backend_pid;
    s->cancel = st->cancel != NULL ? st->cancel : &s->own_cancel;
    s->default_isolation = ENG_ISO_READ_COMMITTED;
    if (!sql_session_auth(s, st, err) || !sql_guc_init(s, err)) {
        sql_session_close(s);
        return false;
    }
    s->query_arena = rt_arena_create(SQL_SESSION_QUERY_ARENA_BYTES);
    s->parse_arena = rt_arena_create(SQL_SESSION_QUERY_ARENA_BYTES);
    for (uint32_t i = 0; i < st->nsettings; i++) {
        if (!sql_session_set_setting(s, st->names[i], st->values[i], false, NULL, err)) {
            err->severity = RT_SEV_FATAL;
            sql_session_close(s);
            return false;
        }
        sql_guc_startup_set(s, st->names[i]);
    }
    *out = s;
    return true;
}

/* Temporary objects end with their session, as PostgreSQL's do: its pg_temp schema is dropped
 * with everything in it (a failure is logged, not reported: the client is gone). */
static void sql_session_drop_temp(sql_session *s) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_database *db = eng_catalog_db_by_oid(pin.catalog, s->db_oid);
    const eng_schema *sc = db != NULL ? eng_db_schema_by_oid(db, s->temp_schema_oid) : NULL;
    char sql[ENG_NAME_BYTES + 64];
    int n = sc != NULL ? snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS \"%s\" CASCADE",
                                  sc->name)
                       : 0;
    eng_catalog_unpin(&pin);
    if (n <= 0) return;
    static const sql_sink quiet = {.describe = NULL};
    sql_sink sink = quiet;
    sink.complete = sql_session_ignore_tag;
    rt_err err;
    rt_err_clear(&err);
    if (!sql_session_simple_query(s, sql, (uint32_t)n, &sink, &err)) {
        rt_log(RT_LOG_WARNING, NULL, "dropping temporary schema %s: %s", sql, err.message);
    }
    s->temp_schema_oid = 0;
}

/* One ON COMMIT action: the statement and the role it runs as (the table's owner). */
typedef struct sql_on_commit_stmt {
    char sql[2 * (2 * ENG_NAME_BYTES + 8) + 32]; /* every name could double its quotes */
    uint32_t owner_oid;
} sql_on_commit_stmt;

/* The ON COMMIT DELETE ROWS / DROP statements of the session's temporary tables as the
 * transaction sees them (tables it created included); *n of them. Caller frees. */
static sql_on_commit_stmt *sql_session_on_commit_stmts(sql_session *s, uint32_t *n) {
    eng_catalog_ref pin;
    const eng_catalog *cat;
    const eng_database *db;
    sql_session_catalog(s, &pin, &cat, &db);
    const eng_schema *sc = db != NULL ? eng_db_schema_by_oid(db, s->temp_schema_oid) : NULL;
    uint32_t count = 0;
    for (uint32_t i = 0; sc != NULL && i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        count += t->schema_oid == sc->oid && (t->on_commit == 'd' || t->on_commit == 'D');
    }
    sql_on_commit_stmt *out = count > 0 ? rt_xmalloc(count * sizeof *out) : NULL;
    *n = 0;
    for (uint32_t i = 0; count > 0 && i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->schema_oid != sc->oid || (t->on_commit != 'd' && t->on_commit != 'D')) continue;
        sql_on_commit_stmt *st = &out[(*n)++];
        st->owner_oid = t->owner_oid;
        size_t len = (size_t)snprintf(st->sql, sizeof st->sql, "%s \"%s\".\"",
                                      t->on_commit == 'd' ? "TRUNCATE" : "DROP TABLE", sc->name);
        for (const char *p = t->name; *p != '\0'; p++) {
            if (*p == '"') st->sql[len++] = '"';
            st->sql[len++] = *p;
        }
        /* PostgreSQL drops what depends on the table too, quietly. */
        snprintf(st->sql + len, sizeof st->sql - len, "\"%s",
                 t->on_commit == 'D' ? " CASCADE" : "");
    }
    if (pin.catalog != NULL) eng_catalog_unpin(&pin);
    return out;
}

bool sql_session_on_commit_actions(sql_session *s, rt_err *err) {
    if (s->temp_schema_oid == 0 || s->on_commit_running) return true;
    uint32_t n;
    sql_on_commit_stmt *stmts = sql_session_on_commit_stmts(s, &n);
    if (n == 0) return true;
    static const sql_sink quiet = {.describe = NULL};
    sql_sink sink = quiet;
    sink.complete = sql_session_ignore_tag;
    /* The commit may come in the middle of a statement (CREATE INDEX CONCURRENTLY): its
     * arena and names are put back after these statements, which have arenas of their own. */
    rt_arena *parse_arena = rt_arena_create(SQL_SESSION_QUERY_ARENA_BYTES);
    rt_arena *arena = rt_arena_create(SQL_SESSION_QUERY_ARENA_BYTES);
    rt_arena *query_arena = s->query_arena;
    const struct sql_names *names = s->names;
    uint32_t user_oid = s->user_oid;
    bool read_only = s->read_only, ok = true;
    s->query_arena = arena;
    s->on_commit_running = true;
    s->read_only = false; /* not the user's statements: they run even so, as PostgreSQL's */
    for (uint32_t i = 0; i < n && ok; i++) {
        sql_stmt_list list;
        uint32_t len = (uint32_t)strlen(stmts[i].sql);
        s->user_oid = stmts[i].owner_oid;
        ok = sql_parse(parse_arena, stmts[i].sql, len, &list, err);
        RT_ASSERT(!ok || list.count == 1);
        char tag[SQL_TAG_BYTES];
        if (ok) ok = sql_session_run(s, list.stmts[0].node, stmts[i].sql, len, &sink, tag, err);
    }
    s->user_oid = user_oid;
    s->read_only = read_only;
    s->on_commit_running = false;
    s->query_arena = query_arena;
    s->names = names;
    rt_arena_destroy(arena);
    rt_arena_destroy(parse_arena);
    rt_free(stmts);
    return ok;
}

/* Once a query has ended outside a block after a DISCARD ALL / TEMP: the session's temporary
 * schema is dropped, by statements of its own (whose commits do not come back here). */
void sql_session_on_commit(sql_session *s) {
    if (!s->discard_temp || s->in_block || s->txn_active || s->on_commit_running) return;
    s->discard_temp = false;
    s->on_commit_running = true;
    if (s->temp_schema_oid != 0) sql_session_drop_temp(s);
    s->on_commit_running = false;
}

void sql_session_close(sql_session *s) {
    if (s == NULL) return;
    if (s->guc_values != NULL) sql_txn_abort(s);
    if (s->temp_schema_oid != 0 && s->query_arena != NULL) sql_session_drop_temp(s);
    sql_advisory_release(s, false, false);
    sql_tlock_owner_free(s->tlock);
    s->tlock = NULL;
    sql_notify_free(s);
    sql_session_portals_close_all(s, false);
    while (s->nprepared > 0) {
        sql_prepared *p = s->prepared[s->nprepared - 1];
        sql_session_close_statement(s, p->name);
    }
    rt_free(s->prepared);
    rt_free(s->portals);
    rt_free(s->seq_oids);
    rt_free(s->seq_values);
    if (s->guc_values != NULL) sql_guc_free(s);
    if (s->query_arena != NULL) rt_arena_destroy(s->query_arena);
    if (s->parse_arena != NULL) rt_arena_destroy(s->parse_arena);
    eng_snap_unregister(&s->snap_reg);
    rt_free(s);
}

void sql_session_msg_begin(sql_session *s) {
    s->msg_clock = true;
    s->msg_us = 0;
}

int64_t sql_session_clock_us(sql_session *s) {
    if (!s->msg_clock) return rt_time_wall_us();
    if (s->msg_us == 0) s->msg_us = rt_time_wall_us();
    return s->msg_us;
}

sql_txn_status sql_session_txn_status(const sql_session *s) {
    if (!s->in_block) return SQL_TXN_IDLE;
    return s->failed ? SQL_TXN_FAILED : SQL_TXN_BLOCK;
}

void sql_session_io(sql_session *s, rt_arena *arena, rt_err *err, sql_io_ctx *io) {
    io->arena = arena;
    io->fmt = &s->fmt;
    io->now_us = s->txn_active ? s->txn_start_us
                               : sql_session_clock_us(s) - SQL_PG_EPOCH_OFFSET_US;
    io->err = err;
    io->names = s->names; /* reg* values print as names of the running statement's catalog */
}

void sql_session_io_pin(sql_session *s, sql_io_ctx *io, eng_catalog_ref *pin,
                        sql_names *names) {
    eng_catalog_pin(pin);
    *names = (sql_names){.catalog = pin->catalog,
                         .db = eng_catalog_db_by_oid(pin->catalog, s->db_oid), .session = s};
    io->names = names;
}

const char *sql_session_user(const sql_session *s) { return s->user; }
const char *sql_session_database(const sql_session *s) { return s->database; }
uint32_t sql_session_user_oid(const sql_session *s) { return s->user_oid; }
const char *sql_session_session_user(const sql_session *s) { return s->session_user; }
bool sql_session_is_superuser(const sql_session *s) { return s->superuser; }
uint32_t sql_session_db_oid(const sql_session *s) { return s->db_oid; }
uint32_t sql_session_savepoint_level(const sql_session *s) { return s->nsavepoints; }

const struct sql_stats_undo *sql_session_stats_mine(const sql_session *s) {
    return s != NULL ? s->stats_undo : NULL;
}
uint32_t sql_session_backend_pid(const sql_session *s) { return s->backend_pid; }
bool sql_session_read_only(const sql_session *s) { return s->read_only; }

/* ---- sequences seen by this session ---- */

bool sql_session_seq_lock(sql_session *s, uint32_t seq_oid, rt_err *err) {
    sql_tlock_wait w = {.cancel = s->cancel, .lock_timeout_ms = s->lock_timeout_ms};
    return sql_tlock_weak(sql_session_tlock(s), seq_oid, SQL_TLOCK_ROW_EXCLUSIVE, &w, err);
}

void sql_session_seq_used(sql_session *s, uint32_t seq_oid, int64_t value) {
    s->have_lastval = true;
    s->lastval = value;
    s->lastval_oid = seq_oid;
    for (uint32_t i = 0; i < s->nseqs; i++) {
        if (s->seq_oids[i] == seq_oid) {
            s->seq_values[i] = value;
            return;
        }
    }
    if (s->nseqs == s->seqs_cap) {
        s->seqs_cap = s->seqs_cap ? s->seqs_cap * 2 : 8;
        s->seq_oids = rt_xrealloc(s->seq_oids, s->seqs_cap * sizeof *s->seq_oids);
        s->seq_values = rt_xrealloc(s->seq_values, s->seqs_cap * sizeof *s->seq_values);
    }
    s->seq_oids[s->nseqs] = seq_oid;
    s->seq_values[s->nseqs++] = value;
}

bool sql_session_currval(sql_session *s, uint32_t seq_oid, const char *seq_name, int64_t *value,
                         rt_err *err) {
    if (!sql_session_seq_lock(s, seq_oid, err)) return false;
    for (uint32_t i = 0; i < s->nseqs; i++) {
        if (s->seq_oids[i] == seq_oid) {
            *value = s->seq_values[i];
            return true;
        }
    }
    return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "currval of sequence \"%s\" is not yet defined in this session", seq_name);
}

bool sql_session_lastval(sql_session *s, int64_t *value, rt_err *err) {
    if (!s->have_lastval) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "lastval is not yet defined in this session");
    }
    if (!sql_session_seq_lock(s, s->lastval_oid, err)) return false;
    *value = s->lastval;
    return true;
}

/* ---- LISTEN / NOTIFY ---- */

/* The session's side of sql_notify.c. Defined here, with the rest of sql_session.h, so a
 * stand-in session (tests/net/fake_session.c) replaces all of it and sql_notify.c, which
 * reads this file's struct, is only ever linked with and handed a real session. */
bool sql_session_listening(const sql_session *s) { return sql_notify_listening(s); }

bool sql_session_notification(sql_session *s, uint32_t *pid, char channel[64], char **payload) {
    return sql_notify_next(s, pid, channel, payload);
}

bool sql_session_notify(sql_session *s, const char *channel, const char *payload, rt_err *err) {
    return sql_notify_add(s, channel, payload, err);
}

bool sql_session_listen_channels(sql_session *s, rt_arena *arena, const char ***names,
                                 uint32_t *count) {
    return sql_notify_channels(s, arena, names, count);
}

/* ---- contexts for binding and execution ---- */

void sql_session_catalog(sql_session *s, eng_catalog_ref *pin, const eng_catalog **catalog,
                         const eng_database **db) {
    if (s->txn_active && s->txn.draft != NULL) {
        pin->catalog = NULL;
        *catalog = s->txn.draft;
    } else {
        eng_catalog_pin(pin);
        *catalog = pin->catalog;
    }
    *db = eng_catalog_db_by_oid(*catalog, s->db_oid);
}

void sql_session_bind_ctx(sql_session *s, rt_arena *arena, rt_err *err, const eng_catalog *cat,
                          const eng_database *db, const char *sql, uint32_t sql_len,
                          sql_bind_ctx *bc) {
    memset(bc, 0, sizeof *bc);
    bc->arena = arena;
    bc->err = err;
    bc->catalog = cat;
    bc->db = db;
    bc->search_path = s->search_path;
    bc->nsearch = s->nsearch;
    bc->sql = sql;
    bc->sql_len = sql_len;
    bc->shard_count = eng_shard_count();
    bc->ann_ef_search = sql_session_ef_search(s);
    bc->session = s;
    bc->temp_schema_oid = s->temp_schema_oid;
}

void sql_session_env_open(sql_session *s, rt_arena *arena, rt_err *err, const char *sql,
                          uint32_t sql_len, sql_stmt_env *env) {
    sql_session_catalog(s, &env->pin, &env->cat, &env->db);
    sql_session_bind_ctx(s, arena, err, env->cat, env->db, sql, sql_len, &env->bc);
}

void sql_session_env_close(sql_stmt_env *env) {
    if (env->pin.catalog != NULL) eng_catalog_unpin(&env->pin);
}

/* ef_search for HNSW walks: dreambase.ef_search when set (not 0), else hnsw.ef_search unless
 * it holds pgvector's default 40; 0 = automatic (sql_hybrid_auto_ef): 40 on graphs up to
 * ~50K nodes, more on larger ones, where 40 no longer keeps recall@10 >= 0.95 (it gives 0.62
 * at 500K nodes per graph on clustered 768-dim data, bench/RESULTS.md). SHOW still says 40;
 * SET dreambase.ef_search = 40 forces 40 whatever the graph. */
static uint32_t sql_session_ef_search_read(const sql_session *s) {
    static const char *const names[] = {"dreambase.ef_search", "hnsw.ef_search"};
    static _Atomic int idx[2] = {SQL_GUC_UNCACHED, SQL_GUC_UNCACHED};
    for (uint32_t i = 0; i < 2; i++) {
        int at = sql_guc_find_cached(names[i], &idx[i]);
        const char *ef = at >= 0 ? s->guc_values[at] : NULL;
        if (ef == NULL) continue;
        uint32_t v = (uint32_t)strtoul(ef, NULL, 10);
        if (i == 1 && v == ENG_HNSW_EF_SEARCH_DEFAULT) return 0;
        if (v > 0) return v;
    }
    return 0;
}

const sql_session_hot *sql_session_hot_settings(sql_session *s) {
    sql_session_hot *h = &s->hot;
    if (h->changes == s->guc_changes + 1) return h;
    h->changes = s->guc_changes + 1;
    h->ef_search = sql_session_ef_search_read(s);
    static _Atomic int walk_idx = SQL_GUC_UNCACHED, mode_idx = SQL_GUC_UNCACHED;
    static _Atomic int sync_idx = SQL_GUC_UNCACHED;
    int at = sql_guc_find_cached("hnsw.quantized_walk", &walk_idx);
    const char *v = at >= 0 ? s->guc_values[at] : NULL;
    h->quantized_walk = v == NULL || strcmp(v, "off") != 0;
    at = sql_guc_find_cached("plan_cache_mode", &mode_idx);
    v = at >= 0 ? s->guc_values[at] : NULL;
    h->plan_cache_mode = v != NULL && strcmp(v, "force_generic_plan") == 0 ? SQL_PLAN_CACHE_GENERIC
                         : v != NULL && strcmp(v, "force_custom_plan") == 0 ? SQL_PLAN_CACHE_CUSTOM
                                                                             : SQL_PLAN_CACHE_AUTO;
    v = s->guc_values[sql_guc_find_cached("synchronous_commit", &sync_idx)];
    h->sync_commit = v == NULL || strcmp(v, "off") != 0;
    return h;
}

uint32_t sql_session_ef_search(sql_session *s) {
    return sql_session_hot_settings(s)->ef_search;
}

/* hnsw.quantized_walk: false makes HNSW walks read the float vectors even where a graph keeps
 * an int8 copy (A/B runs, tests). */
bool sql_session_quantized_walk(sql_session *s) {
    return sql_session_hot_settings(s)->quantized_walk;
}

/* Whether prepared statement p's next run gets a custom plan (sql_session_bind_prepared). */
static bool sql_session_custom_plan(sql_session *s, sql_prepared *p) {
    if (p->nparams == 0) return false; /* PostgreSQL: nothing to customise */
    uint8_t mode = sql_session_hot_settings(s)->plan_cache_mode;
    if (mode != SQL_PLAN_CACHE_AUTO) return mode == SQL_PLAN_CACHE_CUSTOM;
    if (p->query == NULL || p->custom_plans < SQL_PREPARED_CUSTOM_FIRST) return true;
    /* PostgreSQL's choose_custom_plan: the generic plan once it is cheaper than the custom
     * plans were on average, their planning included. */
    if (p->generic_cost_of != p->query) {
        p->generic_cost = sql_plan_cost(p->query->plan, NULL);
        p->generic_cost_of = p->query;
    }
    return !(p->generic_cost < p->custom_cost_total / (double)p->custom_plans);
}

bool sql_session_bind_prepared(sql_session *s, sql_prepared *p, const sql_value *values,
                               bool reuse, sql_bind_ctx *bc, sql_query **q, bool *custom) {
    bool is_custom = sql_session_custom_plan(s, p);
    if (custom != NULL) *custom = is_custom;
    if (!is_custom && reuse && p->query != NULL) {
        *q = p->query;
        return true;
    }
    bc->sql = p->sql;
    bc->sql_len = p->sql_len;
    bc->nparams = p->nparams;
    bc->param_types = p->param_types;
    bc->param_values = is_custom ? values : NULL;
    if (!sql_bind_query(bc, p->stmt, q)) return false;
    if (is_custom) {
        uint32_t relations;
        double cost = sql_plan_cost((*q)->plan, &relations);
        p->custom_plans++;
        p->custom_cost_total += cost + SQL_PREPARED_PLANNING_ROWS * (relations + 1.0);
    }
    return true;
}

void sql_session_exec_ctx(sql_session *s, rt_arena *arena, rt_err *err, const eng_catalog *cat,
                          const eng_database *db, const sql_value *params, uint32_t nparams,
                          const sql_query *q, sql_exec_ctx *x) {
    memset(x, 0, sizeof *x);
    x->arena = arena;
    x->err = err;
    x->params = params;
    x->nparams = nparams;
    x->catalog = cat;
    x->db = db;
    if (!s->snap_reg.active) eng_snap_register(&s->snap_reg); /* before reading the clock */
    if (s->isolation == ENG_ISO_REPEATABLE_READ) {
        if (s->snap_ts == 0) s->snap_ts = eng_txn_snapshot_ts();
        x->snap.ts = s->snap_ts;
    } else {
        x->snap.ts = eng_txn_snapshot_ts();
    }
    x->snap.own = eng_stamp_txn(s->txn.id.slot, s->txn.id.generation, 0);
    x->snap.command = s->command;
    x->txn = &s->txn;
    x->txn_id = s->txn.id;
    x->command = s->command;
    x->isolation = s->isolation;
    x->lock_timeout_ms = s->lock_timeout_ms;
    x->ann_ef_search = sql_session_ef_search(s);
    x->ann_float_walk = !sql_session_quantized_walk(s);
    x->cancel = s->cancel;
    x->hybrid_actual = s->hybrid_actual;
    x->shared_actual = s->shared_actual;
    x->fmt = s->fmt;
    x->now_us = s->txn_start_us;
    x->stmt_us = sql_session_clock_us(s) - SQL_PG_EPOCH_OFFSET_US;
    x->coordinator_core = rt_core_id();
    x->session = s;
    x->affected = &x->rows_affected;
    s->names = sql_pgcat_names(x, arena);
    if (q != NULL) {
        x->nsubqueries = q->nsubqueries;
        x->nmaterials = q->nmaterials;
    }
}

void sql_session_snap_settle(sql_session *s) {
    if (!s->snap_reg.active) return;
    if (s->txn_active && s->isolation == ENG_ISO_REPEATABLE_READ && s->snap_ts != 0) return;
    for (uint32_t i = 0; i < s->nportals; i++) {
        const sql_portal *pt = s->portals[i];
        if (pt->started && !pt->done && pt->mat == NULL) return; /* reads on as of it */
    }
    eng_snap_unregister(&s->snap_reg);
}

/* Built by hand rather than with snprintf: it ends every statement (0.5% of a point select's
 * server time went to vsnprintf). */
_Static_assert(SQL_TAG_BYTES >= sizeof "INSERT 0 " + 20, "a command tag's count must fit");

void sql_session_tag(const sql_query *q, uint64_t rows, char tag[SQL_TAG_BYTES]) {
    static const char *const verbs[] = {"", "SELECT", "INSERT 0", "UPDATE", "DELETE"};
    size_t n = strlen(verbs[q->cmd]);
    memcpy(tag, verbs[q->cmd], n);
    tag[n++] = ' ';
    char digits[20];
    uint32_t d = 0;
    do {
        digits[d++] = (char)('0' + rows % 10);
        rows /= 10;
    } while (rows > 0);
    while (d > 0) tag[n++] = digits[--d];
    tag[n] = '\0';
}

/* ---- text results (SHOW, EXPLAIN) ---- */

static bool sql_session_emit_text(rt_arena *arena, const sql_col *cols, uint32_t ncols,
                                  const char *const *cells, uint32_t nrows, const sql_sink *sink,
                                  bool describe, rt_err *err) {
    if (describe && !sink->describe(sink->arg, cols, ncols, NULL, err)) return false;
    for (uint32_t r = 0; r < nrows;) {
        uint32_t n = nrows - r < SQL_BATCH_ROWS ? nrows - r : SQL_BATCH_ROWS;
        sql_batch *b = sql_batch_new(arena, ncols, n);
        if (b == NULL) return rt_arena_fail(arena, err);
        for (uint32_t c = 0; c < ncols; c++) {
            if (!sql_vec_init(arena, &b->cols[c], SQL_T_TEXT, -1, n)) {
                return rt_arena_fail(arena, err);
            }
            for (uint32_t i = 0; i < n; i++) {
                const char *cell = cells[(r + i) * ncols + c];
                sql_value v = {.type_oid = SQL_T_TEXT, .is_null = cell == NULL};
                if (cell != NULL) v.b = (sql_bytes){(const uint8_t *)cell, (uint32_t)strlen(cell)};
                sql_vec_set(&b->cols[c], i, &v);
            }
        }
        b->rows = n;
        if (!sink->rows(sink->arg, b, 0, n, NULL, err)) return false;
        r += n;
    }
    return true;
}

bool sql_session_text_rows(sql_session *s, const char *colname, const char *const *lines,
                           uint32_t n, const sql_sink *sink, bool describe, rt_err *err) {
    sql_col col = {.name = colname, .type_oid = SQL_T_TEXT, .typmod = -1};
    return sql_session_emit_text(s->query_arena, &col, 1, lines, n, sink, describe, err);
}

bool sql_session_show_all_rows(sql_session *s, const char *const *triples, uint32_t n,
                               const sql_sink *sink, rt_err *err) {
    sql_col cols[3] = {{.name = "name", .type_oid = SQL_T_TEXT, .typmod = -1},
                       {.name = "setting", .type_oid = SQL_T_TEXT, .typmod = -1},
                       {.name = "description", .type_oid = SQL_T_TEXT, .typmod = -1}};
    return sql_session_emit_text(s->query_arena, cols, 3, triples, n, sink, true, err);
}

/* ---- statement timeout ---- */

static void sql_session_timeout_fired(rt_timer *t) {
    sql_session *s = (sql_session *)((char *)t - offsetof(sql_session, stmt_timer));
    s->timed_out = true;
    atomic_store(s->cancel, true);
}

void sql_session_timer_start(sql_session *s) {
    atomic_store(s->cancel, false);
    s->timed_out = false;
    if (s->statement_timeout_ms > 0) {
        rt_err e;
        rt_err_clear(&e);
        rt_timer_start(&s->stmt_timer, (uint64_t)s->statement_timeout_ms * 1000000ull,
                       sql_session_timeout_fired, &e);
    }
}

void sql_session_timer_end(sql_session *s, bool ok, rt_err *err) {
    if (rt_timer_armed(&s->stmt_timer)) rt_timer_cancel(&s->stmt_timer);
    if (!ok && s->timed_out && rt_err_is(err, SQLSTATE_QUERY_CANCELED)) {
        snprintf(err->message, sizeof err->message,
                 "canceling statement due to statement timeout");
    }
}

static void sql_session_stmt_start(sql_session *s) {
    s->names = NULL;
    rt_arena_reset(s->query_arena);
    sql_session_timer_start(s);
}

/* ---- planned statements: SELECT, INSERT, UPDATE, DELETE ---- */

/* Rows go to the sink; RowDescription goes first, but only once the first batch (or the end)
 * is there, so an error before any row is reported alone, as PostgreSQL does. */
typedef struct sql_rows_fwd {
    const sql_sink *sink;
    const int16_t *formats;
    const sql_plan *plan;
    bool describe;
} sql_rows_fwd;

static bool sql_session_rows_describe(sql_rows_fwd *f, rt_err *err) {
    if (!f->describe) return true;
    f->describe = false;
    return f->sink->describe(f->sink->arg, f->plan->cols, f->plan->ncols, NULL, err);
}

static bool sql_session_rows_fwd(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                                 rt_err *err) {
    sql_rows_fwd *f = arg;
    if (!sql_session_rows_describe(f, err)) return false;
    return f->sink->rows(f->sink->arg, b, from, to, f->formats, err);
}

static bool sql_session_check_writable(sql_session *s, const sql_query *q, rt_err *err) {
    static const char *const verbs[] = {"", "SELECT", "INSERT", "UPDATE", "DELETE"};
    if (!s->read_only || (q->cmd == SQL_CMD_SELECT && !q->for_update && !q->modifying_ctes)) {
        return true;
    }
    if (q->cmd == SQL_CMD_SELECT && !q->for_update) { /* PostgreSQL names the main command */
        return rt_err_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                          "cannot execute SELECT in a read-only transaction");
    }
    return rt_err_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                      "cannot execute %s in a read-only transaction",
                      q->cmd == SQL_CMD_SELECT ? "SELECT FOR UPDATE" : verbs[q->cmd]);
}

bool sql_session_lock_query(sql_session *s, const sql_query *q, bool *waited, rt_err *err) {
    uint64_t waits = sql_tlock_waits(s->tlock);
    if (!sql_session_check_writable(s, q, err) || !sql_session_lock_plan(s, q->plan, err)) {
        return false;
    }
    *waited = sql_tlock_waits(s->tlock) != waits;
    return true;
}

/* Runs a bound query to the end: rows to the sink (RowDescription first when `describe`). */
bool sql_session_run_query(sql_session *s, const sql_query *q, const eng_catalog *cat,
                           const eng_database *db, const sql_value *params, const sql_sink *sink,
                           bool describe, char tag[SQL_TAG_BYTES], rt_err *err) {
    if (!sql_session_check_writable(s, q, err) || !sql_session_check_privs(s, cat, db, q, err) ||
        !sql_session_lock_plan(s, q->plan, err)) {
        return false;
    }
    sql_exec_ctx x;
    sql_session_exec_ctx(s, s->query_arena, err, cat, db, params, q->nparams, q, &x);
    sql_cursor cur;
    if (!sql_cursor_open(&cur, &x, q->plan)) {
        sql_cursor_close(&cur);
        return false;
    }
    uint64_t emitted = 0;
    bool more = false;
    sql_rows_fwd fwd = {sink, NULL, q->plan, describe && q->returns_rows};
    bool ok = sql_cursor_fetch(&cur, 0, sql_session_rows_fwd, &fwd, &emitted, &more) &&
              sql_session_rows_describe(&fwd, err);
    sql_cursor_close(&cur);
    if (!ok) return false;
    uint64_t rows = q->cmd == SQL_CMD_SELECT ? emitted : atomic_load(&x.rows_affected);
    sql_session_tag(q, rows, tag);
    sql_txn_note_stmt_changes(s, q, &x, rows);
    return true;
}

bool sql_session_planned(sql_session *s, const sql_node *stmt, const char *sql, uint32_t sql_len,
                         const sql_sink *sink, char *tag, rt_err *err) {
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
    sql_query *q = NULL;
    bool ok = sql_bind_query(&env.bc, stmt, &q);
    if (ok && q->nparams > 0) {
        ok = rt_err_set(err, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $1");
    }
    bool waited = false;
    if (ok) ok = sql_session_lock_query(s, q, &waited, err);
    if (ok && waited) { /* plan again over the catalog of now; the locks are held already */
        sql_session_env_close(&env);
        sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
        ok = sql_bind_query(&env.bc, stmt, &q);
    }
    if (ok) ok = sql_session_run_query(s, q, env.cat, env.db, NULL, sink, true, tag, err);
    sql_session_env_close(&env);
    return ok;
}

/* ---- EXPLAIN ---- */

static bool sql_session_discard_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                                     const int16_t *formats, rt_err *err) {
    (void)arg, (void)b, (void)from, (void)to, (void)formats, (void)err;
    return true;
}

sql_explain_format sql_session_explain_format(const sql_explain *ex, uint32_t *type_oid) {
    static const char *const names[] = {"text", "json", "yaml", "xml"};
    static const uint32_t types[] = {SQL_T_TEXT, SQL_T_JSON, SQL_T_TEXT, SQL_T_XML};
    uint32_t f = 0;
    for (uint32_t i = 1; ex->format != NULL && i < 4; i++) {
        if (strcmp(ex->format, names[i]) == 0) f = i;
    }
    *type_oid = types[f];
    return (sql_explain_format)f;
}

/* The summary PostgreSQL prints after the plan: the planning time with SUMMARY (on by default
 * with ANALYZE), the execution time with ANALYZE and SUMMARY; -1 where none is shown. The
 * planning time is that of binding and planning (EXECUTE: of finding or making its plan):
 * the parse is not in it, as in PostgreSQL; our binder does its analysis and planning. */
static sql_explain_times sql_session_explain_times(const sql_explain *ex, uint64_t plan_ns,
                                                   uint64_t exec_ns) {
    sql_explain_times t = {.plan_ms = -1, .exec_ms = -1};
    if (ex->summary) t.plan_ms = (double)plan_ns / 1e6;
    if (ex->summary && ex->analyze) t.exec_ms = (double)exec_ns / 1e6;
    return t;
}

/* A structured EXPLAIN: the whole document is one row of type json, xml or text (YAML). */
static bool sql_session_explain_doc(sql_session *s, const sql_explain *ex, const sql_plan *plan,
                                    const sql_explain_times *times, const sql_explain_opts *o,
                                    const sql_sink *sink, rt_err *err) {
    uint32_t type;
    sql_explain_format f = sql_session_explain_format(ex, &type);
    sql_strbuf sb;
    sql_strbuf_init(&sb, s->query_arena, 1024);
    if (!sql_plan_explain_doc(plan, f, ex->analyze, times, o, &sb)) {
        return rt_err_set(err, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
    }
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(s->query_arena, err);
    const char *cell = sb.data;
    sql_col col = {.name = "QUERY PLAN", .type_oid = type, .typmod = -1};
    return sql_session_emit_text(s->query_arena, &col, 1, &cell, 1, sink, true, err);
}

/* Opens `env` and binds what EXPLAIN shows: its query, or EXECUTE's prepared statement
 * planned as EXECUTE plans it (sql_session_bind_prepared), with the arguments in *params
 * (NULL for a query), and in o->params when the plan is a custom one. */
static bool sql_session_explain_bind(sql_session *s, const sql_explain *ex, const char *sql,
                                     uint32_t sql_len, sql_stmt_env *env, sql_query **q,
                                     const sql_value **params, sql_explain_opts *o,
                                     rt_err *err) {
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, env);
    *params = NULL;
    o->db = env->db;
    if (ex->stmt->kind != SQL_N_EXECUTE) return sql_bind_query(&env->bc, ex->stmt, q);
    sql_prepared *p;
    sql_value *values;
    if (!sql_session_execute_args(s, (const sql_execute *)ex->stmt, &p, &values, err)) {
        return false;
    }
    if (p->stmt == NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "statement cannot be planned");
    }
    bool custom;
    *params = values;
    if (!sql_session_bind_prepared(s, p, values, false, &env->bc, q, &custom)) return false;
    if (custom) { /* shown with the values it was planned for, as PostgreSQL shows it */
        o->params = values;
        o->nparams = p->nparams;
    }
    return true;
}

/* EXPLAIN ANALYZE's figures, one entry per core, each shard's with its table of operators
 * (SQL_NODE_ACTUALS_MAX entries); NULL when the arena's budget runs out. */
static sql_shared_actual *sql_session_explain_actuals(sql_session *s, bool timing) {
    sql_shared_actual *shared = rt_arena_zalloc(s->query_arena, sizeof *shared * RT_SHARDS_MAX);
    uint32_t shards = eng_shard_count();
    for (uint32_t i = 0; shared != NULL && i < shards && i < RT_SHARDS_MAX; i++) {
        shared[i].timing = timing;
        shared[i].nodes = rt_arena_zalloc(s->query_arena,
                                          sizeof(sql_node_actual) * SQL_NODE_ACTUALS_MAX);
        if (shared[i].nodes == NULL) return NULL;
    }
    return shared;
}

static bool sql_session_explain(sql_session *s, const sql_explain *ex, const char *sql,
                                uint32_t sql_len, const sql_sink *sink, rt_err *err) {
    uint32_t type;
    bool structured = sql_session_explain_format(ex, &type) != SQL_EXPLAIN_TEXT;
    if (structured && ex->hybrid) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "EXPLAIN HYBRID is only available in FORMAT TEXT");
    }
    sql_stmt_env env;
    sql_query *q = NULL;
    const sql_value *params;
    /* EXPLAIN HYBRID keeps its own output: the plan below its lines shows costs and times
     * only when asked for. */
    bool costs = ex->hybrid ? ex->costs_set && ex->costs : ex->costs;
    bool timing = ex->hybrid ? ex->timing_set && ex->timing : ex->timing;
    sql_explain_opts o = {.costs = costs, .verbose = ex->verbose,
                          .timing = ex->analyze && timing};
    uint64_t plan_t0 = rt_time_mono_ns();
    bool ok = sql_session_explain_bind(s, ex, sql, sql_len, &env, &q, &params, &o, err);
    uint64_t plan_ns = rt_time_mono_ns() - plan_t0;
    /* PostgreSQL checks the plan's privileges for EXPLAIN too (its executor starts). */
    if (ok) ok = sql_session_check_privs(s, env.cat, env.db, q, err);
    sql_strbuf sb;
    sql_strbuf_init(&sb, s->query_arena, 1024);
    sql_hybrid_actual *actual = NULL;
    if (ok && ex->analyze && ex->hybrid) {
        actual = rt_arena_zalloc(s->query_arena, sizeof *actual * SQL_HYBRID_ACTUALS);
        if (actual == NULL) ok = rt_arena_fail(s->query_arena, err);
    }
    sql_shared_actual *shared = NULL;
    if (ok && ex->analyze) {
        shared = sql_session_explain_actuals(s, o.timing);
        if (shared == NULL) ok = rt_arena_fail(s->query_arena, err);
        o.actual = shared;
        o.nactual = RT_SHARDS_MAX;
    }
    uint64_t t0 = rt_time_mono_ns();
    if (ok && ex->analyze) {
        sql_sink quiet = *sink;
        quiet.rows = sql_session_discard_rows;
        char tag[SQL_TAG_BYTES];
        s->hybrid_actual = actual;
        s->shared_actual = shared;
        ok = sql_session_run_query(s, q, env.cat, env.db, params, &quiet, false, tag, err);
        s->hybrid_actual = NULL;
        s->shared_actual = NULL;
    }
    uint64_t elapsed_ns = rt_time_mono_ns() - t0;
    sql_explain_times times = sql_session_explain_times(ex, plan_ns, elapsed_ns);
    if (ok && structured) {
        ok = sql_session_explain_doc(s, ex, q->plan, &times, &o, sink, err);
        sql_session_env_close(&env);
        return ok;
    }
    if (ok) {
        if (ex->hybrid) sql_plan_explain_hybrid(q->plan, actual, eng_shard_count(), &sb);
        if (!sql_plan_explain_opts(q->plan, &sb, 0, &o)) {
            ok = rt_err_set(err, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        }
        if (times.plan_ms >= 0) sql_strbuf_printf(&sb, "Planning Time: %.3f ms\n", times.plan_ms);
        if (times.exec_ms >= 0) sql_strbuf_printf(&sb, "Execution Time: %.3f ms\n", times.exec_ms);
    }
    sql_session_env_close(&env);
    if (!ok) return false;
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(s->query_arena, err);
    const char *lines[SQL_EXPLAIN_LINES_MAX];
    uint32_t n = 0;
    for (uint32_t i = 0; i + 1 < sb.len && n < SQL_EXPLAIN_LINES_MAX; i++) {
        if (i == 0 || sb.data[i - 1] == '\0') lines[n++] = sb.data + i;
        if (sb.data[i] == '\n') sb.data[i] = '\0';
    }
    return sql_session_text_rows(s, "QUERY PLAN", lines, n, sink, true, err);
}

/* ---- utility statements ---- */

static bool sql_session_in_block_refused(sql_session *s, const char *what, rt_err *err) {
    if (!s->in_block && !s->implicit_multi) return true;
    return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                      "%s cannot run inside a transaction block", what);
}

/* VACUUM and ANALYZE hold SHARE UPDATE EXCLUSIVE on each table they work on (sql_tablelock.h):
 * DDL waits for them and they for it, as in PostgreSQL. Taken before the work opens its
 * catalog, so that it sees what a DDL it waited for made; a missing table is the work's error. */
static bool sql_session_lock_maintained(sql_session *s, const sql_list *tables, rt_err *err) {
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, NULL, 0, &env);
    sql_tlock_wait w = {.cancel = s->cancel, .lock_timeout_ms = s->lock_timeout_ms};
    uint32_t n = tables->count > 0 ? tables->count : env.db->table_count;
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        const eng_table *t = tables->count > 0
            ? sql_bind_find_table(&env.bc, &((const sql_rangevar *)SQL_LIST_AT(*tables, i))->name)
            : &env.db->tables[i];
        if (t == NULL || t->kind != 'r' || t->schema_oid == ENG_OID_PG_CATALOG) continue;
        ok = sql_tlock_lock(sql_session_tlock(s), t->oid, SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE,
                            t->name, &w, err);
    }
    sql_session_env_close(&env);
    return ok;
}

/* In a transaction its statistics are undone if it rolls back (sql_stats.h). */
static bool sql_session_analyze_one(sql_session *s, sql_exec_ctx *x, const eng_table *t,
                                    rt_err *err) {
    return sql_stats_analyze(x, t, s->txn_active ? &s->stats_undo : NULL, s->nsavepoints, err);
}

/* ANALYZE [t, ...]: statistics of the listed tables, or of every table of the database
 * (`check_only`: only that the tables and columns exist, for VACUUM). */
static bool sql_session_analyze(sql_session *s, const sql_list *tables, bool check_only,
                                rt_err *err) {
    if (!sql_session_lock_maintained(s, tables, err)) return false;
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, NULL, 0, &env);
    sql_exec_ctx x;
    sql_session_exec_ctx(s, s->query_arena, err, env.cat, env.db, NULL, 0, NULL, &x);
    if (!s->txn_active) x.snap = (eng_snapshot){.ts = eng_txn_snapshot_ts()};
    bool ok = true;
    for (uint32_t i = 0; ok && i < tables->count; i++) {
        const sql_rangevar *rv = SQL_LIST_AT(*tables, i);
        const eng_table *t = sql_bind_find_table(&env.bc, &rv->name);
        if (t == NULL) {
            ok = rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                            rv->name.parts[rv->name.count - 1]);
        } else {
            for (uint32_t c = 0; ok && c < rv->col_aliases.count; c++) {
                const char *col = SQL_LIST_AT(rv->col_aliases, c);
                if (eng_table_column_by_name(t, col) == NULL) {
                    ok = rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                                    "column \"%s\" of relation \"%s\" does not exist", col,
                                    t->name);
                }
            }
            if (ok && t->kind == 'r' && !check_only) ok = sql_session_analyze_one(s, &x, t, err);
        }
    }
    for (uint32_t i = 0; ok && !check_only && tables->count == 0 && i < env.db->table_count; i++) {
        const eng_table *t = &env.db->tables[i];
        if (t->kind == 'r' && t->schema_oid != ENG_OID_PG_CATALOG) {
            ok = sql_session_analyze_one(s, &x, t, err);
        }
    }
    sql_session_env_close(&env);
    return ok;
}

static bool sql_session_maintenance(sql_session *s, const sql_node *stmt, const sql_sink *sink,
                                    char *tag, rt_err *err) {
    switch (stmt->kind) {
    case SQL_N_VACUUM: {
        /* Dead versions are reclaimed now; VACUUM ANALYZE then refreshes statistics. */
        const sql_vacuum *v = (const sql_vacuum *)stmt;
        snprintf(tag, SQL_TAG_BYTES, "VACUUM");
        if (!sql_session_in_block_refused(s, "VACUUM", err)) return false;
        return sql_session_analyze(s, &v->tables, true, err) &&
               sql_vacuum_run(s, v, sink, err) &&
               (!v->analyze || sql_session_analyze(s, &v->tables, false, err));
    }
    case SQL_N_ANALYZE:
        snprintf(tag, SQL_TAG_BYTES, "ANALYZE");
        return sql_session_analyze(s, &((const sql_analyze *)stmt)->tables, false, err);
    case SQL_N_CHECKPOINT:
        if (!s->superuser) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "must be superuser to do CHECKPOINT");
        }
        snprintf(tag, SQL_TAG_BYTES, "CHECKPOINT");
        return eng_checkpoint_all(err);
    default: break;
    }
    return false;
}

static bool sql_session_discard(sql_session *s, const sql_discard *d, char *tag, rt_err *err) {
    static const char *const names[] = {"", "ALL", "PLANS", "SEQUENCES", "TEMP"};
    /* DISCARD ALL closes every statement and portal, the one running this too: nothing of `d`
     * may be read after that. */
    sql_discard_kind what = d->what;
    snprintf(tag, SQL_TAG_BYTES, "DISCARD %s", names[what]);
    if (what == SQL_DISCARD_ALL) {
        if (!sql_session_in_block_refused(s, "DISCARD ALL", err)) return false;
        sql_session_portals_close_all(s, false);
        while (s->nprepared > 0) {
            sql_session_close_statement(s, s->prepared[s->nprepared - 1]->name);
        }
        sql_set reset = {.hdr = {SQL_N_SET, 0}, .set_kind = SQL_SET_RESET_ALL};
        if (!sql_guc_set_stmt(s, &reset, err)) return false;
        sql_session_role_reset(s); /* SET SESSION AUTHORIZATION DEFAULT, as PostgreSQL's */
    }
    /* The temporary tables go when the query ends (sql_session_on_commit): dropping them runs
     * statements of its own, which cannot run inside this one. */
    if (what == SQL_DISCARD_ALL || what == SQL_DISCARD_TEMP) s->discard_temp = true;
    if (what == SQL_DISCARD_ALL || what == SQL_DISCARD_SEQUENCES) {
        s->nseqs = 0;
        s->have_lastval = false;
    }
    return true;
}

static bool sql_session_copy(sql_session *s, const sql_node *stmt, const char *sql,
                             uint32_t sql_len, const sql_sink *sink, char *tag, rt_err *err) {
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
    sql_exec_ctx x;
    sql_session_exec_ctx(s, s->query_arena, err, env.cat, env.db, NULL, 0, NULL, &x);
    bool ok = true;
    if (s->read_only && ((const sql_copy *)stmt)->is_from) {
        ok = rt_err_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                        "cannot execute COPY FROM in a read-only transaction");
    }
    if (ok) ok = sql_copy_exec(&env.bc, &x, stmt, sink, tag, err);
    const sql_copy *c = (const sql_copy *)stmt;
    unsigned long long rows;
    if (ok && c->is_from && c->table != NULL && sscanf(tag, "COPY %llu", &rows) == 1) {
        sql_txn_note_changes(s, sql_bind_find_table(&env.bc, &c->table->name), rows);
    }
    sql_session_env_close(&env);
    return ok;
}

/* The command a DDL statement is, as PostgreSQL names it in errors ("CREATE TABLE"). */
static const char *sql_session_ddl_verb(const sql_node *stmt, char buf[64]) {
    static const char *const objects[] = {"", "TABLE", "INDEX", "SEQUENCE", "VIEW",
                                          "MATERIALIZED VIEW", "SCHEMA", "DATABASE", "ROLE",
                                          "EXTENSION", "TYPE", "DOMAIN", "FUNCTION", "COLUMN",
                                          "CONSTRAINT", "TRIGGER"};
    switch (stmt->kind) {
    case SQL_N_CREATE_TABLE: return "CREATE TABLE";
    case SQL_N_CREATE_INDEX: return "CREATE INDEX";
    case SQL_N_CREATE_SEQUENCE: return "CREATE SEQUENCE";
    case SQL_N_ALTER_SEQUENCE: return "ALTER SEQUENCE";
    case SQL_N_CREATE_SCHEMA: return "CREATE SCHEMA";
    case SQL_N_CREATE_DATABASE: return "CREATE DATABASE";
    case SQL_N_CREATE_ROLE: return "CREATE ROLE";
    case SQL_N_ALTER_ROLE: return "ALTER ROLE";
    case SQL_N_CREATE_EXTENSION: return "CREATE EXTENSION";
    case SQL_N_CREATE_VIEW: return "CREATE VIEW";
    case SQL_N_CREATE_DOMAIN: return "CREATE DOMAIN";
    case SQL_N_ALTER_DOMAIN: return "ALTER DOMAIN";
    case SQL_N_CREATE_ENUM: return "CREATE TYPE";
    case SQL_N_ALTER_TYPE: return "ALTER TYPE";
    case SQL_N_CREATE_COMPOSITE: return "CREATE TYPE";
    case SQL_N_ALTER_COMPOSITE: return "ALTER TYPE";
    case SQL_N_TRUNCATE: return "TRUNCATE TABLE";
    case SQL_N_COMMENT: return "COMMENT";
    case SQL_N_REINDEX: return "REINDEX";
    case SQL_N_ALTER_TABLE: {
        sql_object_kind k = ((const sql_alter_table *)stmt)->object;
        snprintf(buf, 64, "ALTER %s", objects[k <= SQL_OBJ_TRIGGER ? k : 0]);
        return buf;
    }
    case SQL_N_DROP: {
        sql_object_kind k = ((const sql_drop *)stmt)->object;
        snprintf(buf, 64, "DROP %s", objects[k <= SQL_OBJ_TRIGGER ? k : 0]);
        return buf;
    }
    default: return "this command";
    }
}

/* CREATE INDEX builds the new index in every partition before it returns, each shard its own
 * in parallel, over the definition its transaction sees (its draft; the committed catalog after
 * CONCURRENTLY's own commits): an index that cannot be built (54000, a key too long) fails the
 * statement, the first query pays nothing, and vector graphs start rebuilding at once. */
static bool sql_session_index_adapt(sql_session *s, sql_stmt_env *env, const sql_create_index *ci,
                                    rt_err *err) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    env->bc.catalog = s->txn.draft != NULL ? s->txn.draft : pin.catalog;
    env->bc.db = eng_catalog_db_by_oid(env->bc.catalog, s->db_oid);
    const eng_table *t = env->bc.db != NULL ? sql_bind_find_table(&env->bc, &ci->table) : NULL;
    bool ok = t == NULL || t->kind != 'r' || eng_table_adapt(t, err);
    eng_catalog_unpin(&pin);
    return ok;
}

bool sql_session_ddl(sql_session *s, const sql_node *stmt, const char *sql, uint32_t sql_len,
                     const sql_sink *sink, char *tag, rt_err *err) {
    if (s->read_only) {
        char verb[64];
        return rt_err_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                          "cannot execute %s in a read-only transaction",
                          sql_session_ddl_verb(stmt, verb));
    }
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
    sql_exec_ctx x;
    sql_session_exec_ctx(s, s->query_arena, err, env.cat, env.db, NULL, 0, NULL, &x);
    sql_ddl_ctx dc = {
        .bc = &env.bc,
        .txn = &s->txn,
        .db_oid = s->db_oid,
        .user_oid = s->user_oid,
        .superuser = s->superuser,
        .in_txn_block = s->in_block || s->implicit_multi,
        .lock_timeout_ms = s->lock_timeout_ms,
        .sink = sink,
        .x = &x,
        .tlock = sql_session_tlock(s),
        .cancel = s->cancel,
        .command = &s->command,
    };
    bool ok = sql_ddl_exec(&dc, stmt, tag, err);
    if (ok && (dc.concurrent_index_oid != 0 || dc.reindex_count > 0 || dc.drop_cc_oid != 0)) {
        ok = sql_session_index_steps(s, &dc, &env, &x, err);
    }
    if (ok && stmt->kind == SQL_N_CREATE_INDEX) {
        ok = sql_session_index_adapt(s, &env, (const sql_create_index *)stmt, err);
    }
    if (env.bc.temp_schema_oid != 0) s->temp_schema_oid = env.bc.temp_schema_oid;
    sql_session_env_close(&env);
    return ok;
}

/* ---- table locks ---- */

/* The session's lock owner, for its transaction, at the level of the savepoints now open. */
sql_tlock_owner *sql_session_tlock(sql_session *s) {
    if (s->tlock == NULL) s->tlock = sql_tlock_owner_new(s->db_oid, s->backend_pid);
    sql_tlock_set_level(s->tlock, s->nsavepoints);
    sql_tlock_set_txn(s->tlock, s->txn_active ? eng_stamp_txn(s->txn.id.slot,
                                                              s->txn.id.generation, 0)
                                              : 0);
    return s->tlock;
}

void sql_session_unlock_tables(sql_session *s) { sql_tlock_release(s->tlock); }

void sql_session_unlock_tables_from(sql_session *s, uint32_t level) {
    sql_tlock_release_from(s->tlock, level);
}

void sql_session_tables_merge(sql_session *s, uint32_t level) {
    sql_tlock_merge_into(s->tlock, level);
}

/* A statement's lock on table `t`, and with `indexes` the same lock on each of its indexes,
 * as PostgreSQL's planner takes on the indexes of every table it scans (an UPDATE's or
 * DELETE's target too; not an INSERT's): pg_locks lists them. No lock is ever held on an
 * index alone, so those never wait. */
static bool sql_session_lock_table(sql_session *s, const eng_table *t, sql_tlock_mode mode,
                                   bool indexes, const sql_tlock_wait *w, rt_err *err) {
    sql_tlock_owner *o = sql_session_tlock(s);
    if (!sql_tlock_weak(o, t->oid, mode, w, err)) return false;
    for (uint32_t i = 0; indexes && i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!ix->automatic && !sql_tlock_weak(o, ix->oid, mode, w, err)) return false;
    }
    return true;
}

/* Tables of plan nodes (not of subqueries inside expressions) and the lock each needs. */
static bool sql_session_lock_walk(sql_session *s, const sql_plan *p, const sql_tlock_wait *w,
                                  rt_err *err) {
    if (p == NULL) return true;
    const eng_table *t = NULL;
    sql_tlock_mode mode = SQL_TLOCK_ACCESS_SHARE;
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN:
        /* an UPDATE / DELETE target's own scan (it wants the rows' slots): the ROW EXCLUSIVE
           of the node above covers it, as PostgreSQL locks the target once */
        if (p->scan.want_slots && p->scan.lock_strength == 0) break;
        t = p->scan.table;
        if (p->scan.lock_strength != 0) mode = SQL_TLOCK_ROW_SHARE;
        break;
    case SQL_P_ANNSCAN: t = p->ann.table; break;
    case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE:
        t = p->modify.table;
        mode = SQL_TLOCK_ROW_EXCLUSIVE;
        break;
    case SQL_P_APPEND:
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            if (!sql_session_lock_walk(s, p->append.inputs[i], w, err)) return false;
        }
        break;
    case SQL_P_MODIFYCTE: /* the data-modifying WITH queries' bodies, under their MATERIALs */
        for (uint32_t i = 0; i < p->modifycte.nctes; i++) {
            if (!sql_session_lock_walk(s, p->modifycte.ctes[i], w, err)) return false;
        }
        break;
    default: break;
    }
    if (t != NULL && t->kind == 'r' &&
        !sql_session_lock_table(s, t, mode, p->kind != SQL_P_INSERT, w, err)) {
        return false;
    }
    return sql_session_lock_walk(s, p->left, w, err) && sql_session_lock_walk(s, p->right, w, err);
}

bool sql_session_lock_plan(sql_session *s, const sql_plan *plan, rt_err *err) {
    sql_tlock_wait w = {.cancel = s->cancel, .lock_timeout_ms = s->lock_timeout_ms};
    return sql_session_lock_walk(s, plan, &w, err);
}

/* LOCK TABLE [ONLY] name [, ...] [IN mode MODE] [NOWAIT]: each table in turn, held until the
 * transaction ends (sql_tablelock.h). */
static bool sql_session_lock(sql_session *s, const sql_lock *l, char *tag, rt_err *err) {
    if (!s->in_block) {
        return rt_err_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                          "LOCK TABLE can only be used in transaction blocks");
    }
    sql_tlock_mode mode = sql_tlock_mode_of(l->mode);
    RT_ASSERT(mode != 0); /* the parser accepts PostgreSQL's eight names only */
    if (!sql_txn_ensure(s, err)) return false;
    if (mode == SQL_TLOCK_ACCESS_EXCLUSIVE) sql_txn_show_xid(s);
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, NULL, 0, &env);
    sql_tlock_wait w = {.cancel = s->cancel, .lock_timeout_ms = s->lock_timeout_ms,
                        .nowait = l->nowait};
    bool ok = true;
    for (uint32_t i = 0; ok && i < l->tables.count; i++) {
        const sql_rangevar *rv = SQL_LIST_AT(l->tables, i);
        const eng_table *t = sql_bind_find_table(&env.bc, &rv->name);
        if (t == NULL) {
            ok = rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                            rv->name.parts[rv->name.count - 1]);
        } else {
            ok = sql_tlock_lock(sql_session_tlock(s), t->oid, mode, t->name, &w, err);
        }
    }
    sql_session_env_close(&env);
    if (ok) snprintf(tag, SQL_TAG_BYTES, "LOCK TABLE");
    return ok;
}

static bool sql_session_unsupported(const sql_node *stmt, rt_err *err) {
    const char *what = "this statement";
    switch (stmt->kind) {
    case SQL_N_LOCK: what = "LOCK TABLE"; break;
    case SQL_N_DO: what = "DO blocks (procedural code)"; break;
    default: break;
    }
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported", what);
}

/* True for statements allowed in a failed transaction block. */
static bool sql_session_ends_txn(const sql_node *stmt) {
    if (stmt->kind != SQL_N_TRANSACTION) return false;
    sql_txn_kind k = ((const sql_transaction *)stmt)->txn_kind;
    return k == SQL_TXN_COMMIT || k == SQL_TXN_ROLLBACK || k == SQL_TXN_ROLLBACK_TO;
}

static bool sql_session_dispatch(sql_session *s, const sql_node *stmt, const char *sql,
                                 uint32_t sql_len, const sql_sink *sink, char *tag,
                                 rt_err *err) {
    switch (stmt->kind) {
    case SQL_N_TRANSACTION:
        return sql_txn_stmt(s, (const sql_transaction *)stmt, sink, tag, err);
    case SQL_N_SET:
        if (((const sql_set *)stmt)->set_kind == SQL_SET_CONSTRAINTS) {
            snprintf(tag, SQL_TAG_BYTES, "SET CONSTRAINTS");
            return sql_session_set_constraints(s, (const sql_set *)stmt, sink, err);
        }
        snprintf(tag, SQL_TAG_BYTES, ((const sql_set *)stmt)->set_kind == SQL_SET_RESET ||
                                             ((const sql_set *)stmt)->set_kind == SQL_SET_RESET_ALL
                                         ? "RESET"
                                         : "SET");
        /* Outside a transaction block a LOCAL setting ends with its own statement, so it
         * has no effect: PostgreSQL says so and sets it anyway (errors still count). */
        if (((const sql_set *)stmt)->is_local && !s->in_block && !s->implicit_multi) {
            sql_session_notice(s, sink, "WARNING", SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                               "SET LOCAL can only be used in transaction blocks");
        }
        return sql_guc_set_stmt(s, (const sql_set *)stmt, err);
    case SQL_N_SHOW:
        snprintf(tag, SQL_TAG_BYTES, "SHOW");
        return sql_guc_show(s, ((const sql_show *)stmt)->name, sink, err);
    case SQL_N_PREPARE:
        snprintf(tag, SQL_TAG_BYTES, "PREPARE");
        return sql_session_prepare_stmt(s, (const sql_prepare *)stmt, sql, sql_len, err);
    case SQL_N_EXECUTE:
        return sql_session_execute_stmt(s, (const sql_execute *)stmt, sink, tag, err);
    case SQL_N_DEALLOCATE:
        snprintf(tag, SQL_TAG_BYTES, "DEALLOCATE%s",
                 ((const sql_deallocate *)stmt)->name == NULL ? " ALL" : "");
        return sql_session_deallocate_stmt(s, (const sql_deallocate *)stmt, err);
    case SQL_N_DECLARE_CURSOR:
    case SQL_N_FETCH:
    case SQL_N_CLOSE: return sql_session_cursor_stmt(s, stmt, sql, sql_len, sink, tag, err);
    case SQL_N_DISCARD: return sql_session_discard(s, (const sql_discard *)stmt, tag, err);
    case SQL_N_EXPLAIN:
        snprintf(tag, SQL_TAG_BYTES, "EXPLAIN");
        return sql_session_explain(s, (const sql_explain *)stmt, sql, sql_len, sink, err);
    case SQL_N_VACUUM:
    case SQL_N_ANALYZE:
    case SQL_N_CHECKPOINT: return sql_session_maintenance(s, stmt, sink, tag, err);
    case SQL_N_COPY: return sql_session_copy(s, stmt, sql, sql_len, sink, tag, err);
    case SQL_N_LOCK: return sql_session_lock(s, (const sql_lock *)stmt, tag, err);
    case SQL_N_LISTEN:
        snprintf(tag, SQL_TAG_BYTES, "LISTEN");
        return sql_notify_listen_stmt(s, ((const sql_listen *)stmt)->channel, true, err);
    case SQL_N_UNLISTEN:
        snprintf(tag, SQL_TAG_BYTES, "UNLISTEN");
        return sql_notify_listen_stmt(s, ((const sql_listen *)stmt)->channel, false, err);
    case SQL_N_NOTIFY: {
        const sql_notify *n = (const sql_notify *)stmt;
        snprintf(tag, SQL_TAG_BYTES, "NOTIFY");
        return sql_notify_add(s, n->channel, n->payload, err);
    }
    case SQL_N_SELECT:
    case SQL_N_INSERT:
    case SQL_N_UPDATE:
    case SQL_N_DELETE: return sql_session_planned(s, stmt, sql, sql_len, sink, tag, err);
    default: break;
    }
    if (stmt->kind == SQL_N_CREATE_TABLE && ((const sql_create_table *)stmt)->as_query != NULL) {
        return sql_session_create_table_as(s, (const sql_create_table *)stmt, sql, sql_len, sink,
                                           tag, err);
    }
    if (stmt->kind == SQL_N_CREATE_TABLE && ((const sql_create_table *)stmt)->like.count > 0) {
        return sql_session_create_table_like(s, (const sql_create_table *)stmt, sql, sql_len,
                                             sink, tag, err);
    }
    if (sql_ddl_handles(stmt)) return sql_session_ddl(s, stmt, sql, sql_len, sink, tag, err);
    return sql_session_unsupported(stmt, err);
}

/* Statements that neither need nor start a transaction. */
static bool sql_session_txn_free(const sql_node *stmt) {
    switch (stmt->kind) {
    case SQL_N_TRANSACTION:
    case SQL_N_SET:
    case SQL_N_SHOW:
    case SQL_N_PREPARE:
    case SQL_N_DEALLOCATE:
    case SQL_N_DISCARD:
    case SQL_N_LISTEN:
    case SQL_N_UNLISTEN:
    case SQL_N_VACUUM:
    case SQL_N_CHECKPOINT: return true;
    default: return false;
    }
}

bool sql_session_run(sql_session *s, const sql_node *stmt, const char *sql, uint32_t sql_len,
                     const sql_sink *sink, char tag[SQL_TAG_BYTES], rt_err *err) {
    if (s->failed && !sql_session_ends_txn(stmt)) {
        return rt_err_set(err, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                          "current transaction is aborted, commands ignored until end of "
                          "transaction block");
    }
    sql_session_stmt_start(s);
    bool ok = true;
    if (!sql_session_txn_free(stmt)) {
        ok = sql_txn_ensure(s, err);
        if (ok) {
            if (s->command >= ENG_TXN_COMMANDS_MAX) {
                ok = rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                "cannot have more than 2^20-1 commands in a transaction");
            }
            s->command++;
            s->txn_has_query = true;
        }
    }
    tag[0] = '\0';
    if (ok) ok = sql_session_dispatch(s, stmt, sql, sql_len, sink, tag, err);
    sql_txn_note_write(s);
    sql_session_timer_end(s, ok, err);
    return ok;
}

/* After a failed statement: a block is marked failed (and what its innermost subtransaction
 * held goes, sql_txn_fail); an implicit transaction ends. */
static void sql_session_failed(sql_session *s) {
    if (s->in_block) {
        sql_txn_fail(s);
    } else {
        sql_txn_abort(s);
    }
}

void sql_session_fail(sql_session *s) { sql_session_failed(s); }

bool sql_session_simple_query(sql_session *s, const char *sql, uint32_t len,
                              const sql_sink *sink, rt_err *err) {
    rt_arena_reset(s->parse_arena);
    sql_session_close_portal(s, ""); /* a simple query replaces the unnamed portal */
    sql_stmt_list list;
    if (!sql_parse(s->parse_arena, sql, len, &list, err)) {
        sql_session_failed(s);
        return false;
    }
    if (list.count == 0) return sink->empty(sink->arg, err);
    s->implicit_multi = list.count > 1;
    s->stmt_sink = sink;
    bool ok = true;
    for (uint32_t i = 0; i < list.count && ok; i++) {
        char tag[SQL_TAG_BYTES];
        ok = sql_session_run(s, list.stmts[i].node, sql, len, sink, tag, err);
        /* Autocommit makes the statement durable before CommandComplete acknowledges it. */
        bool last = i + 1 == list.count;
        if (ok && !s->in_block && (!s->implicit_multi || last)) ok = sql_txn_commit(s, err);
        if (ok && tag[0] != '\0') ok = sink->complete(sink->arg, tag, err);
    }
    if (!ok) sql_session_failed(s);
    s->implicit_multi = false;
    s->stmt_sink = NULL;
    if (ok) sql_session_on_commit(s);
    sql_session_snap_settle(s);
    return ok;
}

void sql_session_warning(sql_session *s, const char *fmt, ...) {
    if (s->stmt_sink == NULL) return;
    char text[RT_ERR_MESSAGE_BYTES_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sql_session_notice(s, s->stmt_sink, "WARNING", SQLSTATE_WARNING, "%s", text);
}
