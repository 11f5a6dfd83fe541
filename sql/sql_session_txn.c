/* sql_session_txn.c: transaction blocks, implicit transactions and savepoints, with
 * PostgreSQL's warnings and errors for misplaced transaction control. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng_part.h"
#include "net/net_pg.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_advisory.h"
#include "sql/sql_session_int.h"
#include "sql/sql_stats.h"

/* Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
#define SQL_PG_EPOCH_OFFSET_US 946684800000000ll

/* The network layer's backend table (pg_stat_activity's backend_xid and row-lock waits):
 * absent where no server is linked. */
extern void net_pg_backend_xact(uint32_t pid, uint64_t txn_stamp, uint64_t gid)
    __attribute__((weak));
extern void net_pg_backend_wrote(uint32_t pid) __attribute__((weak));

static const char *const sql_notice_levels[] = {"DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2",
                                                "DEBUG1", "LOG", "NOTICE", "WARNING"};

void sql_session_notice(sql_session *s, const sql_sink *sink, const char *severity,
                        const char *sqlstate, const char *fmt, ...) {
    if (sink == NULL || sink->notice == NULL) return;
    uint8_t rank = 6;
    for (uint8_t i = 0; i < 8; i++) {
        if (strcmp(severity, sql_notice_levels[i]) == 0) rank = i;
    }
    if (rank < s->client_min_messages) return;
    rt_err n;
    rt_err_clear(&n);
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(&n, sqlstate, fmt, ap);
    va_end(ap);
    sink->notice(sink->arg, severity, &n);
}

void sql_txn_show_xid(sql_session *s) {
    if (s->xid_shown || !s->txn_active) return;
    s->xid_shown = true;
    if (net_pg_backend_wrote != NULL) net_pg_backend_wrote(s->backend_pid);
}

void sql_txn_note_write(sql_session *s) {
    if (s->txn_active && (s->txn.participants != 0 || s->txn.draft != NULL)) {
        sql_txn_show_xid(s);
    }
}

void sql_session_xact_info(const sql_session *s, bool *wrote, bool *keeps_snapshot) {
    *wrote = s->txn_active &&
             (s->xid_shown || s->txn.participants != 0 || s->txn.draft != NULL);
    *keeps_snapshot = s->txn_active && s->snap_ts != 0;
}

bool sql_txn_ensure(sql_session *s, rt_err *err) {
    if (s->txn_active) return true;
    if (!eng_txn_start(&s->txn, err)) return false;
    if (net_pg_backend_xact != NULL) {
        net_pg_backend_xact(s->backend_pid,
                            eng_stamp_txn(s->txn.id.slot, s->txn.id.generation, 0), s->txn.gid);
    }
    s->txn.sync = sql_session_hot_settings(s)->sync_commit;
    s->txn_active = true;
    s->xid_shown = false;
    s->failed = false;
    s->isolation = s->default_isolation;
    sql_guc_sync_txn(s);
    s->read_only = s->default_read_only;
    s->txn_has_query = false;
    s->command = 0;
    s->snap_ts = 0;
    s->nsavepoints = 0;
    /* PostgreSQL: the transaction starts at its first statement's time (now() is
     * statement_timestamp() of that statement, fixed for the transaction). */
    s->txn_start_us = sql_session_clock_us(s) - SQL_PG_EPOCH_OFFSET_US;
    return true;
}

void sql_txn_release_savepoints(sql_session *s, uint32_t keep) {
    while (s->nsavepoints > keep) {
        sql_savepoint *sp = &s->savepoints[--s->nsavepoints];
        rt_free(sp->name);
        if (sp->draft != NULL) eng_catalog_draft_free(sp->draft);
        sp->draft = NULL;
    }
}

void sql_txn_note_changes(sql_session *s, const eng_table *t, uint64_t rows) {
    if (t == NULL || t->kind != 'r' || rows == 0) return;
    if (!s->txn_active) {
        sql_stats_note_changes(t->oid, rows);
        return;
    }
    for (uint32_t i = 0; i < s->nstats_pending; i++) {
        if (s->stats_pending[i].table_oid == t->oid) {
            s->stats_pending[i].rows += rows;
            return;
        }
    }
    if (s->nstats_pending == SQL_STATS_PENDING_MAX) {
        sql_stats_note_changes(t->oid, rows);
        return;
    }
    s->stats_pending[s->nstats_pending++] = (sql_stats_pending){t->oid, rows};
}

void sql_txn_note_stmt_changes(sql_session *s, const sql_query *q, const sql_exec_ctx *x,
                               uint64_t rows) {
    if (q->cmd != SQL_CMD_SELECT) sql_txn_note_changes(s, q->target, rows);
    const eng_table *t;
    uint64_t n;
    for (uint32_t i = 0; sql_exec_cte_changes(x, i, &t, &n); i++) sql_txn_note_changes(s, t, n);
}

static void sql_txn_reset(sql_session *s) {
    s->nstats_pending = 0; /* a rolled-back transaction's rows never became visible */
    sql_advisory_release(s, true, false); /* transaction-level advisory locks end here */
    sql_session_unlock_tables(s);
    sql_session_fk_reset(s);
    sql_txn_release_savepoints(s, 0);
    if (s->txn_active && net_pg_backend_xact != NULL) net_pg_backend_xact(s->backend_pid, 0, 0);
    s->txn_active = false;
    s->in_block = false;
    s->failed = false;
    sql_guc_sync_txn(s);
    s->read_only = s->default_read_only;
}

bool sql_txn_commit(sql_session *s, rt_err *err) {
    if (!s->txn_active) {
        sql_session_unlock_tables(s); /* a statement that started no transaction */
        sql_guc_txn_end(s, true);     /* its SET LOCAL ends with it all the same */
        return true;
    }
    if (!sql_session_fk_commit(s, err) || /* a deferred foreign key fails: no commit */
        !sql_session_on_commit_actions(s, err)) {
        sql_txn_abort(s);
        return false;
    }
    sql_session_portals_close_all(s, true);
    bool ok = eng_txn_finish_commit(&s->txn, err);
    sql_stats_undo_end(&s->stats_undo, s->db_oid, 0, ok);
    for (uint32_t i = 0; ok && i < s->nstats_pending; i++) {
        sql_stats_note_changes(s->stats_pending[i].table_oid, s->stats_pending[i].rows);
    }
    sql_guc_txn_end(s, ok);
    sql_notify_end(s, ok);
    sql_txn_reset(s);
    return ok;
}

/* The catalog's DDL lock goes with the draft it guarded (whose changes were undone). */
static void sql_txn_drop_ddl_lock(sql_session *s) {
    if (s->txn.draft != NULL) eng_catalog_draft_free(s->txn.draft);
    s->txn.draft = NULL;
    eng_catalog_ddl_unlock(eng_stamp_txn(s->txn.id.slot, s->txn.id.generation, 0));
    s->txn.holds_ddl_lock = false;
}

/* A failed transaction block can only be rolled back, wholly or to a savepoint: unless a
 * savepoint kept catalog changes, its draft can never commit. Dropping the draft and the DDL
 * lock now lets other sessions run DDL while the client has not yet sent its ROLLBACK (as on
 * PostgreSQL, where a failed transaction blocks only the objects it created or locked). */
static void sql_txn_drop_dead_draft(sql_session *s) {
    if (!s->txn_active || !s->failed || !s->txn.holds_ddl_lock) return;
    for (uint32_t i = 0; i < s->nsavepoints; i++) {
        if (s->savepoints[i].had_draft) return;
    }
    sql_txn_drop_ddl_lock(s);
}

/* PostgreSQL aborts the innermost (sub)transaction as soon as a statement fails: its row
 * locks, writes and table locks are released then, not at the ROLLBACK (or ROLLBACK TO
 * SAVEPOINT) the client sends later, so a session waiting for them goes on at once (and a
 * deadlock's victim frees the others). What the enclosing levels hold stays until then. */
void sql_txn_fail(sql_session *s) {
    if (s->failed) return; /* a statement refused in the failed block took nothing */
    s->failed = true;
    uint32_t n = s->nsavepoints;
    if (s->txn_active) eng_txn_rollback_to(&s->txn, n == 0 ? 0 : s->savepoints[n - 1].command);
    sql_session_unlock_tables_from(s, n);
    sql_advisory_release_from(s, n);
    sql_stats_undo_end(&s->stats_undo, s->db_oid, n, false);
    sql_txn_drop_dead_draft(s);
}

void sql_txn_abort(sql_session *s) {
    sql_stats_undo_end(&s->stats_undo, s->db_oid, 0, false);
    if (s->txn_active) {
        sql_session_portals_abort(s);
        eng_txn_finish_abort(&s->txn);
    }
    sql_guc_txn_end(s, false);
    sql_notify_end(s, false);
    sql_txn_reset(s);
}

/* BEGIN ISOLATION LEVEL ... / SET TRANSACTION ...: applies the transaction's modes. */
static bool sql_txn_modes(sql_session *s, const sql_transaction *t, rt_err *err) {
    static const char *const names[] = {NULL, "read uncommitted", "read committed",
                                        "repeatable read", "serializable"};
    if (t->isolation != SQL_ISO_DEFAULT) {
        if (!sql_session_set_setting(s, "transaction_isolation", names[t->isolation], true,
                                     NULL, err)) {
            return false;
        }
    }
    if (t->read_only >= 0) {
        if (!sql_session_set_setting(s, "transaction_read_only", t->read_only ? "on" : "off",
                                     true, NULL, err)) {
            return false;
        }
    }
    return true;
}

static int sql_txn_find_savepoint(const sql_session *s, const char *name) {
    for (uint32_t i = s->nsavepoints; i-- > 0;) {
        if (strcmp(s->savepoints[i].name, name) == 0) return (int)i;
    }
    return -1;
}

static bool sql_txn_savepoint(sql_session *s, const sql_transaction *t, char *tag, rt_err *err) {
    const char *verb = t->txn_kind == SQL_TXN_SAVEPOINT ? "SAVEPOINT"
                       : t->txn_kind == SQL_TXN_RELEASE ? "RELEASE SAVEPOINT"
                                                          : "ROLLBACK TO SAVEPOINT";
    if (!s->in_block) {
        return rt_err_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                          "%s can only be used in transaction blocks", verb);
    }
    if (t->txn_kind == SQL_TXN_SAVEPOINT) {
        if (s->nsavepoints == SQL_SAVEPOINTS_MAX) {
            return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "too many savepoints in one transaction (limit %u)",
                              SQL_SAVEPOINTS_MAX);
        }
        size_t n = strlen(t->savepoint);
        char *name = rt_xmalloc(n + 1);
        memcpy(name, t->savepoint, n + 1);
        /* Catalog changes made after the savepoint are undone with it: keep a copy. */
        eng_catalog *copy = s->txn.draft != NULL ? eng_catalog_draft(s->txn.draft) : NULL;
        sql_savepoint *sp = &s->savepoints[s->nsavepoints++];
        *sp = (sql_savepoint){.name = name, .command = s->command + 1, .nundo = s->nundo,
                              .had_draft = s->txn.draft != NULL, .draft = copy};
        sql_notify_mark(s, &sp->notify_pending, &sp->notify_actions);
        snprintf(tag, SQL_TAG_BYTES, "SAVEPOINT");
        return true;
    }
    int i = sql_txn_find_savepoint(s, t->savepoint);
    if (i < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_SAVEPOINT_SPECIFICATION,
                          "savepoint \"%s\" does not exist", t->savepoint);
    }
    uint32_t keep = t->txn_kind == SQL_TXN_RELEASE ? (uint32_t)i : (uint32_t)i + 1;
    if (t->txn_kind == SQL_TXN_ROLLBACK_TO) {
        const sql_savepoint *sp = &s->savepoints[i];
        eng_txn_rollback_to(&s->txn, sp->command);
        sql_session_fk_rollback_to(s, sp->command);
        sql_guc_rollback_to(s, sp->nundo);
        sql_notify_rollback_to(s, sp->notify_pending, sp->notify_actions);
        /* The locks taken after the savepoint go with what they protected. */
        sql_session_unlock_tables_from(s, keep);
        sql_advisory_release_from(s, keep);
        sql_stats_undo_end(&s->stats_undo, s->db_oid, keep, false);
        if (!sp->had_draft && s->txn.holds_ddl_lock) sql_txn_drop_ddl_lock(s);
        if (s->txn.draft != NULL) eng_catalog_draft_free(s->txn.draft);
        s->txn.draft = sp->had_draft ? eng_catalog_draft(sp->draft) : NULL;
        s->failed = false;
        snprintf(tag, SQL_TAG_BYTES, "ROLLBACK");
    } else {
        sql_session_tables_merge(s, keep);
        sql_advisory_merge_into(s, keep);
        sql_stats_undo_merge(s->stats_undo, keep);
        snprintf(tag, SQL_TAG_BYTES, "RELEASE");
    }
    sql_txn_release_savepoints(s, keep);
    return true;
}

static bool sql_txn_begin(sql_session *s, const sql_transaction *t, const sql_sink *sink,
                          char *tag, rt_err *err) {
    snprintf(tag, SQL_TAG_BYTES, t->txn_kind == SQL_TXN_START ? "START TRANSACTION" : "BEGIN");
    if (s->in_block) {
        sql_session_notice(s, sink, "WARNING", SQLSTATE_ACTIVE_SQL_TRANSACTION,
                           "there is already a transaction in progress");
        return true;
    }
    if (!sql_txn_ensure(s, err)) return false;
    s->in_block = true;
    return sql_txn_modes(s, t, err);
}

static bool sql_txn_end(sql_session *s, const sql_transaction *t, const sql_sink *sink,
                        char *tag, rt_err *err) {
    bool commit = t->txn_kind == SQL_TXN_COMMIT;
    snprintf(tag, SQL_TAG_BYTES, commit ? "COMMIT" : "ROLLBACK");
    if (!s->in_block) {
        sql_session_notice(s, sink, "WARNING", SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                           "there is no transaction in progress");
        return true;
    }
    eng_isolation iso = s->isolation;
    bool ro = s->read_only;
    if (commit && s->failed) {
        snprintf(tag, SQL_TAG_BYTES, "ROLLBACK");
        sql_txn_abort(s);
    } else if (commit) {
        if (!sql_txn_commit(s, err)) return false;
    } else {
        sql_txn_abort(s);
    }
    if (t->chain) {
        if (!sql_txn_ensure(s, err)) return false;
        s->in_block = true;
        s->isolation = iso;
        s->read_only = ro;
    }
    return true;
}

bool sql_txn_stmt(sql_session *s, const sql_transaction *t, const sql_sink *sink,
                  char tag[SQL_TAG_BYTES], rt_err *err) {
    switch (t->txn_kind) {
    case SQL_TXN_BEGIN:
    case SQL_TXN_START: return sql_txn_begin(s, t, sink, tag, err);
    case SQL_TXN_COMMIT:
    case SQL_TXN_ROLLBACK: return sql_txn_end(s, t, sink, tag, err);
    case SQL_TXN_SAVEPOINT:
    case SQL_TXN_RELEASE:
    case SQL_TXN_ROLLBACK_TO: return sql_txn_savepoint(s, t, tag, err);
    case SQL_TXN_SET_TRANSACTION:
        snprintf(tag, SQL_TAG_BYTES, "SET");
        if (!s->in_block) {
            sql_session_notice(s, sink, "WARNING", SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                               "SET TRANSACTION can only be used in transaction blocks");
            return true;
        }
        return sql_txn_modes(s, t, err);
    case SQL_TXN_SET_SESSION_DEFAULTS: {
        static const char *const names[] = {NULL, "read uncommitted", "read committed",
                                            "repeatable read", "serializable"};
        snprintf(tag, SQL_TAG_BYTES, "SET");
        if (t->isolation != SQL_ISO_DEFAULT &&
            !sql_session_set_setting(s, "default_transaction_isolation", names[t->isolation],
                                     false, NULL, err)) {
            return false;
        }
        if (t->read_only >= 0 &&
            !sql_session_set_setting(s, "default_transaction_read_only",
                                     t->read_only ? "on" : "off", false, NULL, err)) {
            return false;
        }
        return true;
    }
    case SQL_TXN_PREPARE:
    case SQL_TXN_COMMIT_PREPARED:
    case SQL_TXN_ROLLBACK_PREPARED:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "prepared transactions (two-phase commit) are not supported");
    }
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "transaction statement not supported");
}
