/* sql_ddl.h: utility statements that change the catalog: CREATE / DROP / ALTER of tables,
 * indexes (btree and hnsw), sequences, schemas, views, databases, roles and extensions,
 * TRUNCATE, COMMENT, GRANT/REVOKE (privileges and role memberships, sql_acl.h).
 * Core:    the session's shard, in the connection's fiber (may park waiting for the table locks
 *          the statement takes, then for the DDL lock: sql_tablelock.h "DDL").
 * Changes: every change edits the transaction's catalog draft (txn->draft, created on first
 *          use under the DDL lock); it becomes visible to other sessions when the transaction
 *          commits (eng_txn_finish_commit logs and publishes it) and vanishes on rollback.
 *          Statements later in the same transaction bind against the draft.
 * Errors:  PostgreSQL's: 42P07 duplicate_table, 42P01, 42704, 2BP01 dependent_objects_still_
 *          exist, 25001 for CREATE/DROP DATABASE inside a transaction block, 0A000 for what
 *          Dreambase does not do; notices ("... does not exist, skipping") through the sink. */
#ifndef SQL_DDL_H
#define SQL_DDL_H

#include "engine/eng.h"
#include "sql/sql_bind.h"
#include "sql/sql_session.h"

/* Indexes one REINDEX CONCURRENTLY rebuilds (the B-trees of the tables it reaches). */
#define SQL_DDL_REINDEX_CC_MAX 64u

typedef struct sql_ddl_ctx {
    sql_bind_ctx *bc;          /* arena, err, search path; catalog/db = the draft if any */
    eng_txn_ctx *txn;          /* the open transaction (implicit or explicit) */
    uint32_t db_oid;
    uint32_t user_oid;         /* the current role: owner of what it creates */
    bool superuser;            /* ... is a superuser: no privilege or ownership checks */
    bool in_txn_block;         /* inside BEGIN ... COMMIT */
    int64_t lock_timeout_ms;   /* waiting for the DDL lock: 55P03 after it (0 = forever) */
    const sql_sink *sink;      /* notices */
    struct sql_exec_ctx *x;    /* statement execution (rewrites copy rows through it); NULL:
                                  changes that need a rewrite are refused */
    struct sql_tlock_owner *tlock; /* the session's table locks (sql_tablelock.h "DDL"); NULL:
                                      none taken */
    const _Atomic bool *cancel;    /* ends a wait for a lock (57014); may be NULL */
    uint32_t *command;             /* the session's command counter: a rewrite takes a command
                                      id of its own so later steps see its rows; may be NULL */
    uint32_t concurrent_index_oid; /* out: the index CREATE INDEX CONCURRENTLY committed
                                      invalid; the caller commits, then sql_ddl_index_finish */
    /* out: REINDEX CONCURRENTLY's indexes (old) and their _ccnew copies committed invalid
     * (new); the caller commits, builds each new one, then swaps and drops (sql_ddl_reindex.c) */
    uint32_t reindex_count;
    uint32_t reindex_old[SQL_DDL_REINDEX_CC_MAX], reindex_new[SQL_DDL_REINDEX_CC_MAX];
    /* out: DROP INDEX CONCURRENTLY's index, still in the catalog, now invalid: the caller
     * commits, waits, then drops it (sql_ddl_index_drop_cc) */
    uint32_t drop_cc_oid;
} sql_ddl_ctx;

/* True if `stmt` is a statement sql_ddl_exec handles. */
bool sql_ddl_handles(const sql_node *stmt);
/* Executes one DDL statement; `tag` receives the command tag ("CREATE TABLE"). After it the
 * caller re-reads txn->draft (bc->catalog and bc->db must point into it). */
bool sql_ddl_exec(sql_ddl_ctx *dc, const sql_node *stmt, char tag[SQL_TAG_BYTES], rt_err *err);
/* CREATE INDEX CONCURRENTLY's later transactions, each committed by the caller
 * (sql_ddl_index_cc.c, sql_session_index.c): ready (a unique index's empty companion that
 * writers keep from then on; nothing for others), a fill of each partition of the companion,
 * finish (expressions computed over the rows, then valid). After a failure the caller rolls
 * back and runs abandon in a transaction of its own: the index stays invalid, as PostgreSQL's,
 * until DROP INDEX or REINDEX. */
bool sql_ddl_index_ready(sql_ddl_ctx *dc, uint32_t index_oid, uint32_t *table_oid,
                         uint32_t *partitions, rt_err *err);
bool sql_ddl_index_fill_part(sql_ddl_ctx *dc, uint32_t index_oid, uint32_t part, rt_err *err);
bool sql_ddl_index_finish(sql_ddl_ctx *dc, uint32_t index_oid, rt_err *err);
bool sql_ddl_index_abandon(sql_ddl_ctx *dc, uint32_t index_oid, rt_err *err);
/* DROP INDEX CONCURRENTLY's steps: not valid (ready: writers still keep it), then neither. */
bool sql_ddl_index_set_state(sql_ddl_ctx *dc, uint32_t index_oid, bool invalid, bool ready,
                             rt_err *err);
/* REINDEX CONCURRENTLY's swap: each new index takes its old one's name, constraint and primary
 * key; the old ones become <name>_ccold, neither valid nor ready. */
bool sql_ddl_index_swap(sql_ddl_ctx *dc, const uint32_t *old_oids, const uint32_t *new_oids,
                        uint32_t count, rt_err *err);
/* The last step of DROP INDEX and REINDEX CONCURRENTLY: the indexes leave the catalog. */
bool sql_ddl_index_remove(sql_ddl_ctx *dc, const uint32_t *oids, uint32_t count, rt_err *err);
/* Tests: called once a CONCURRENTLY build waited for the writers that came before it and
 * before any row is read, and once DROP INDEX CONCURRENTLY waited for the last time, before
 * the index goes (a test holds the command there while its writers run). NULL: none. */
extern void (*sql_ddl_index_build_hook)(uint32_t index_oid);

#endif
