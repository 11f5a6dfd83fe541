/* sql_session_index.c: the index statements that run as several transactions of the session,
 * as PostgreSQL 15 runs them, after their first transaction (sql_ddl_exec) committed:
 *   CREATE INDEX CONCURRENTLY: the index was committed invalid; it is built (sql_ddl_index_cc.c:
 *     ready, wait, fill, finish) and becomes valid, or stays invalid after a failure;
 *   REINDEX CONCURRENTLY: a _ccnew copy of each index was committed invalid; each is built the
 *     same way, then one transaction swaps them with the old ones (which become _ccold, neither
 *     valid nor ready), the session waits for every statement that may still use the old ones,
 *     and drops them; a failure leaves the copies not yet swapped invalid;
 *   DROP INDEX CONCURRENTLY: the index was committed not valid (writers still keep it); after a
 *     wait it becomes not ready, after another wait it is dropped.
 * A wait (PostgreSQL's WaitForLockers) lasts until no statement reads a catalog older than the
 * last commit and every transaction that held a lock on the table conflicting with SHARE then
 * has ended. Throughout, a session-level owner (sql_tlock_owner_session) keeps SHARE UPDATE
 * EXCLUSIVE on the table, so an ALTER TABLE or another CONCURRENTLY command on it waits for the
 * whole statement; readers and writers never wait for it.
 * Crash safety: every step is a committed catalog change of its own, so a crash between two
 * leaves an index that is invalid (a _ccnew, a _ccold, or the one being dropped), which DROP
 * INDEX removes, as PostgreSQL's. */
#include "sql/sql_ddl.h"
#include "sql/sql_session_int.h"
#include "sql/sql_tablelock.h"

/* One multi-transaction statement's state. */
typedef struct cc_run {
    sql_session *s;
    sql_ddl_ctx *dc;
    sql_stmt_env *env;
    sql_exec_ctx *x;
    sql_tlock_owner *session_lock; /* SHARE UPDATE EXCLUSIVE across the transactions */
} cc_run;

/* The session lock follows the open transaction, so that deadlock detection finds a cycle
 * through it (a transaction waiting for it while the statement waits for that one). */
static void cc_session_txn(cc_run *r) {
    sql_session *s = r->s;
    if (r->session_lock == NULL) return;
    sql_tlock_set_txn(r->session_lock, s->txn_active ? eng_stamp_txn(s->txn.id.slot,
                                                                     s->txn.id.generation, 0)
                                                     : 0);
}

/* Commits the transaction that ran and starts the next, with a catalog and a snapshot taken
 * after that commit. */
static bool cc_next(cc_run *r, rt_err *err) {
    sql_session *s = r->s;
    if (!sql_txn_commit(s, err) || !sql_txn_ensure(s, err)) return false;
    s->command++;
    s->txn_has_query = true;
    sql_session_env_close(r->env);
    sql_session_env_open(s, s->query_arena, err, r->env->bc.sql, r->env->bc.sql_len, r->env);
    sql_session_exec_ctx(s, s->query_arena, err, r->env->cat, r->env->db, NULL, 0, NULL, r->x);
    r->dc->bc = &r->env->bc;
    r->dc->x = r->x;
    r->dc->tlock = sql_session_tlock(s);
    cc_session_txn(r);
    return true;
}

/* Until no statement reads a catalog older than the one in `env` (whose pin goes meanwhile:
 * ours would hold that moment back) and every transaction that held a lock on the table
 * conflicting with SHARE has ended: every statement after it sees the last commit. */
static bool cc_wait(cc_run *r, uint32_t table_oid, rt_err *err) {
    sql_session *s = r->s;
    uint64_t version = eng_catalog_version(r->env->cat);
    sql_session_env_close(r->env);
    bool ok = true;
    while (ok && !eng_catalog_retired_before(version)) {
        if (s->cancel != NULL && atomic_load(s->cancel)) {
            ok = rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                            "canceling statement due to user request");
        }
        rt_fiber_sleep_ns(SQL_TLOCK_POLL_NS);
    }
    sql_tlock_wait w = {.cancel = s->cancel};
    if (ok) ok = sql_tlock_wait_lockers(sql_session_tlock(s), table_oid, SQL_TLOCK_SHARE, &w, err);
    sql_session_env_open(s, s->query_arena, err, r->env->bc.sql, r->env->bc.sql_len, r->env);
    return ok;
}

/* Keeps SHARE UPDATE EXCLUSIVE on the table from now to the statement's end (the transaction
 * that ran holds it already: the two owners never conflict). */
static bool cc_session_lock(cc_run *r, uint32_t table_oid, rt_err *err) {
    if (table_oid == 0) return true; /* gone: the next step reports it */
    if (r->session_lock == NULL) {
        r->session_lock = sql_tlock_owner_session(sql_session_tlock(r->s));
        cc_session_txn(r);
    }
    sql_tlock_wait w = {.cancel = r->s->cancel};
    return sql_tlock_lock(r->session_lock, table_oid, SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE, "",
                          &w, err);
}

/* After a failed step: each index of `oids` stays invalid (not ready, its companion dropped)
 * in a transaction of its own; the statement's error stays the one reported. */
static void cc_abandon(cc_run *r, const uint32_t *oids, uint32_t count) {
    sql_session *s = r->s;
    rt_err tmp;
    rt_err_clear(&tmp);
    sql_txn_abort(s);
    if (count == 0 || !sql_txn_ensure(s, &tmp)) return;
    s->command++;
    sql_session_env_close(r->env);
    sql_session_env_open(s, s->query_arena, &tmp, r->env->bc.sql, r->env->bc.sql_len, r->env);
    sql_session_exec_ctx(s, s->query_arena, &tmp, r->env->cat, r->env->db, NULL, 0, NULL, r->x);
    r->dc->bc = &r->env->bc;
    r->dc->x = r->x;
    r->dc->tlock = sql_session_tlock(s);
    bool ok = true;
    for (uint32_t i = 0; ok && i < count; i++) ok = sql_ddl_index_abandon(r->dc, oids[i], &tmp);
    if (ok) sql_txn_commit(s, &tmp);
    else sql_txn_abort(s);
}

/* The table of index `oid` in the statement's catalog (or its draft), 0 if it is gone. */
static uint32_t cc_table_of(cc_run *r, uint32_t oid) {
    const eng_index *ix;
    const eng_table *t = eng_db_table_of_index(r->dc->bc->db, oid, &ix);
    return t != NULL ? t->oid : 0;
}

/* Builds index `oid`, committed invalid by the transaction that ran (CREATE INDEX
 * CONCURRENTLY's steps): valid at the end. */
static bool cc_build(cc_run *r, uint32_t oid, rt_err *err) {
    sql_ddl_ctx *dc = r->dc;
    uint32_t table_oid = 0, partitions = 0;
    bool ok = cc_next(r, err) && sql_ddl_index_ready(dc, oid, &table_oid, &partitions, err) &&
              cc_next(r, err) && cc_wait(r, table_oid, err);
    if (ok && sql_ddl_index_build_hook != NULL) sql_ddl_index_build_hook(oid);
    for (uint32_t p = 0; ok && p < partitions; p++) {
        ok = cc_next(r, err);
        if (ok) ok = sql_ddl_index_fill_part(dc, oid, p, err);
    }
    return ok && cc_next(r, err) && sql_ddl_index_finish(dc, oid, err);
}

static bool cc_create(cc_run *r, rt_err *err) {
    uint32_t oid = r->dc->concurrent_index_oid;
    bool ok = cc_session_lock(r, cc_table_of(r, oid), err) && cc_build(r, oid, err);
    if (!ok) cc_abandon(r, &oid, 1);
    return ok;
}

static bool cc_reindex(cc_run *r, rt_err *err) {
    sql_ddl_ctx *dc = r->dc;
    uint32_t n = dc->reindex_count, built = 0;
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        ok = cc_session_lock(r, cc_table_of(r, dc->reindex_new[i]), err);
    }
    for (; ok && built < n; built++) ok = cc_build(r, dc->reindex_new[built], err);
    if (!ok) {
        /* The copies not swapped yet stay invalid, as PostgreSQL leaves its _ccnew indexes. */
        cc_abandon(r, dc->reindex_new, n);
        return false;
    }
    ok = cc_next(r, err) && sql_ddl_index_swap(dc, dc->reindex_old, dc->reindex_new, n, err) &&
         cc_next(r, err);
    for (uint32_t i = 0; ok && i < n; i++) {
        ok = cc_wait(r, cc_table_of(r, dc->reindex_old[i]), err);
    }
    ok = ok && cc_next(r, err) && sql_ddl_index_remove(dc, dc->reindex_old, n, err);
    if (!ok) sql_txn_abort(r->s); /* what is left is invalid: _ccold indexes */
    return ok;
}

static bool cc_drop(cc_run *r, rt_err *err) {
    sql_ddl_ctx *dc = r->dc;
    uint32_t oid = dc->drop_cc_oid, table_oid = cc_table_of(r, oid);
    bool ok = cc_session_lock(r, table_oid, err) && cc_next(r, err) &&
              cc_wait(r, table_oid, err) && sql_ddl_index_set_state(dc, oid, true, false, err) &&
              cc_next(r, err) && cc_wait(r, table_oid, err);
    if (ok && sql_ddl_index_build_hook != NULL) sql_ddl_index_build_hook(oid);
    ok = ok && sql_ddl_index_remove(dc, &oid, 1, err);
    if (!ok) sql_txn_abort(r->s); /* the index stays, invalid, until DROP INDEX */
    return ok;
}

bool sql_session_index_steps(sql_session *s, sql_ddl_ctx *dc, sql_stmt_env *env,
                             sql_exec_ctx *x, rt_err *err) {
    cc_run r = {.s = s, .dc = dc, .env = env, .x = x};
    bool ok = true;
    if (dc->concurrent_index_oid != 0) ok = cc_create(&r, err);
    else if (dc->reindex_count > 0) ok = cc_reindex(&r, err);
    else if (dc->drop_cc_oid != 0) ok = cc_drop(&r, err);
    sql_tlock_owner_free(r.session_lock);
    return ok;
}
