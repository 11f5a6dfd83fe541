/* sql_tablelock.h: PostgreSQL's table-level locks: LOCK TABLE, and the weak locks every
 * statement takes on the tables it reads (ACCESS SHARE), locks rows of (ROW SHARE) or writes
 * (ROW EXCLUSIVE); all held by the session's transaction until it ends (or until the
 * savepoint they were taken after is rolled back).
 * Owns:    a process-wide table of holds ("strong": any mode taken by LOCK TABLE or DDL)
 *          under a spin lock, and the registry of lock owners (one per session that locked
 *          anything). A statement's weak locks stay in its owner, written only by it and read
 *          by LOCK TABLE: a statement looks at the shared table only while some hold exists
 *          anywhere (one atomic load), so statements never contend while no LOCK TABLE or DDL
 *          transaction is open. A LOCK TABLE publishes its hold, then waits until no other
 *          owner holds a conflicting weak lock; a statement publishes its weak lock, then
 *          withdraws it and waits while a conflicting hold exists: of two that race, each sees
 *          the other.
 * Modes:   PostgreSQL's eight, with its conflict table (sql_tlock_conflicts).
 * Queue:   as PostgreSQL's lock queues: a waiter keeps the place its first wait gave it, and a
 *          request is granted only when no granted lock and no earlier waiter's mode conflicts
 *          with it (so a stream of compatible requests cannot starve a waiting one), except
 *          that a transaction holding a mode an earlier waiter conflicts with goes before it.
 *          Waiting behind a waiter is a "soft" edge for deadlock detection: a cycle through
 *          one is resolved by going before that waiter (PostgreSQL rearranges its queue), only
 *          a cycle of held locks is 40P01.
 * Core:    any shard, in a session's fiber; a waiter polls every SQL_TLOCK_POLL_NS for its
 *          cancel flag (57014), lock_timeout (55P03) and, after ENG_DEADLOCK_TIMEOUT_NS, a
 *          cycle of waits back to itself (40P01 for one member): a waiter publishes the
 *          transaction it waits for to the engine, where row-lock waits are published too, so
 *          a cycle through table locks and row locks alike is found (eng_txn.h).
 * Savepoints: each lock remembers the subtransaction level it was taken at; ROLLBACK TO
 *          SAVEPOINT (and a statement failing after a savepoint) releases the levels it ends,
 *          RELEASE SAVEPOINT hands them to the enclosing level, as PostgreSQL's.
 * DDL:     ALTER TABLE, DROP TABLE / INDEX, TRUNCATE take ACCESS EXCLUSIVE on their tables
 *          (with CASCADE on every table it reaches through foreign keys too), CREATE INDEX
 *          SHARE (CONCURRENTLY: SHARE UPDATE EXCLUSIVE, writers go on), VACUUM and ANALYZE
 *          SHARE UPDATE EXCLUSIVE (the weaker ALTER TABLE commands and foreign keys' tables:
 *          sql_ddl_lock.c), as holds (the path of
 *          LOCK TABLE) kept to transaction end, so DDL waits for and holds off the statements
 *          of open transactions as PostgreSQL's. The catalog's one-DDL-transaction lock
 *          (eng_catalog.h) is mirrored by a hold on SQL_TLOCK_CATALOG_OID taken before it: a
 *          DDL statement locks its tables first, then the catalog, so it never waits for a
 *          table while holding the catalog unless its transaction already did DDL. Nor does
 *          it wait for the catalog while holding the tables it just locked: if another
 *          transaction holds the catalog, the statement gives them up, waits for the catalog,
 *          then takes them again (else a DDL transaction reading one of them would close a
 *          cycle PostgreSQL, having no catalog lock, never sees). A cycle through the catalog
 *          that remains (tables locked by earlier statements) is a cycle of holds, found as
 *          any other (40P01).
 *          A statement that had to wait re-reads the catalog (sql_tlock_waits tells it), as
 *          the DDL it waited for may have changed the table.
 * Session: CREATE INDEX, REINDEX and DROP INDEX CONCURRENTLY run as several transactions and
 *          keep SHARE UPDATE EXCLUSIVE on their table across them in a session-level owner
 *          (sql_tlock_owner_session), so an ALTER TABLE waits for the whole command; they wait
 *          for earlier writers and readers with sql_tlock_wait_lockers.
 * Not yet: queries inside functions and foreign-key checks take no weak locks.
 * Limits:  SQL_TLOCK_HOLDS_MAX holds in the shared table (53200 "out of shared memory" past
 *          it, as PostgreSQL's lock table); a transaction's weak locks past SQL_TLOCK_WEAK_MAX
 *          tables go to the shared table as holds. */
#ifndef SQL_TABLELOCK_H
#define SQL_TABLELOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

#define SQL_TLOCK_HOLDS_MAX 4096u
#define SQL_TLOCK_WEAK_MAX 256u        /* tables a transaction keeps its weak locks of in its
                                          owner (past it: shared holds) */
#define SQL_TLOCK_POLL_NS (1000u * 1000u)
#define SQL_TLOCK_CATALOG_OID 0u       /* the catalog's DDL lock (no table has oid 0) */
#define SQL_TLOCK_LOCKERS_MAX 1024u    /* transactions a wait for lockers tells apart (about
                                          max_connections: one per session) */

typedef enum sql_tlock_mode {
    SQL_TLOCK_ACCESS_SHARE = 1,
    SQL_TLOCK_ROW_SHARE,
    SQL_TLOCK_ROW_EXCLUSIVE,
    SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE,
    SQL_TLOCK_SHARE,
    SQL_TLOCK_SHARE_ROW_EXCLUSIVE,
    SQL_TLOCK_EXCLUSIVE,
    SQL_TLOCK_ACCESS_EXCLUSIVE,
} sql_tlock_mode;

typedef struct sql_tlock_owner sql_tlock_owner;

/* What a wait gives up on. */
typedef struct sql_tlock_wait {
    const _Atomic bool *cancel;
    int64_t lock_timeout_ms;  /* 0 = none */
    bool nowait;              /* LOCK TABLE ... NOWAIT: 55P03 at once */
} sql_tlock_wait;

/* The mode named by LOCK TABLE's upper-case text ("ROW EXCLUSIVE"); 0 if unknown. */
sql_tlock_mode sql_tlock_mode_of(const char *text);
bool sql_tlock_conflicts(sql_tlock_mode a, sql_tlock_mode b);

/* A session's owner (registered until sql_tlock_owner_free); `pid` is its backend's, for
 * pg_stat_activity's wait events and pg_blocking_pids (0: none). */
sql_tlock_owner *sql_tlock_owner_new(uint32_t db_oid, uint32_t pid);
void sql_tlock_owner_free(sql_tlock_owner *o);
/* A session-level owner beside a session's transaction owner (the statements that run as
 * several transactions keep SHARE UPDATE EXCLUSIVE on their table in it, as PostgreSQL's
 * session locks): the two never conflict; freed (its locks released) by the statement's end. */
sql_tlock_owner *sql_tlock_owner_session(const sql_tlock_owner *txn_owner);

/* LOCK TABLE: `name` is for the NOWAIT message. */
bool sql_tlock_lock(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode,
                    const char *name, const sql_tlock_wait *w, rt_err *err);
/* A statement's implicit lock (ACCESS SHARE, ROW SHARE or ROW EXCLUSIVE). */
bool sql_tlock_weak(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode,
                    const sql_tlock_wait *w, rt_err *err);
/* CREATE INDEX CONCURRENTLY's wait (PostgreSQL's WaitForLockers): until every transaction
 * holding a lock on the table that conflicts with `mode` now has ended, without taking a lock
 * (those that lock the table later are not waited for). At most SQL_TLOCK_LOCKERS_MAX of them
 * are remembered; past that the wait goes on until none conflicts. */
bool sql_tlock_wait_lockers(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode,
                            const sql_tlock_wait *w, rt_err *err);
/* How many times the owner's statements waited for a lock so far (a statement compares the
 * count before and after taking its locks: a wait means the catalog may have changed). */
uint64_t sql_tlock_waits(const sql_tlock_owner *o);
/* A wait outside this table (the engine catalog's DDL lock when the catalog hold gave no
 * conflict, as for DDL in another database): from now on (holder_txn 0: no longer) the
 * owner's session shows Lock / relation, blocked by the session whose transaction is
 * `holder_txn` (pg_stat_activity, pg_blocking_pids). */
void sql_tlock_note_wait(sql_tlock_owner *o, uint64_t holder_txn);
/* Transaction end: every lock of the owner goes. */
void sql_tlock_release(sql_tlock_owner *o);

/* One table lock for pg_locks: held (granted) or waited for. */
typedef struct sql_tlock_info {
    uint32_t pid;             /* the owner's backend, 0 = none */
    uint32_t db_oid, table_oid;
    sql_tlock_mode mode;
    bool granted;
} sql_tlock_info;

/* pg_locks: copies up to `cap` of the table locks held and waited for in the server (one
 * consistent look, under the lock) and returns how many there are (more than `cap`: call
 * again with room for them). A statement's weak locks appear while it holds them. */
uint32_t sql_tlock_list(sql_tlock_info *out, uint32_t cap);
/* The name pg_locks.mode gives a mode ("AccessShareLock"). */
const char *sql_tlock_mode_lock_name(sql_tlock_mode mode);

/* Subtransactions: a lock belongs to the level the owner was at when it was first taken (the
 * number of savepoints then open). The session sets the level before taking locks; all
 * locks the owner holds are at the current level or shallower. */
void sql_tlock_set_level(sql_tlock_owner *o, uint32_t level);
uint32_t sql_tlock_level(const sql_tlock_owner *o);
/* The engine transaction (eng_stamp_txn(slot, generation, 0)) the owner's locks belong to,
 * 0 for none: deadlock detection follows waits through it. */
void sql_tlock_set_txn(sql_tlock_owner *o, uint64_t txn);
/* ROLLBACK TO SAVEPOINT, or a failed statement's subtransaction: the locks taken at `level`
 * or deeper go (PostgreSQL releases a subtransaction's locks when it aborts). */
void sql_tlock_release_from(sql_tlock_owner *o, uint32_t level);
/* RELEASE SAVEPOINT: the locks taken deeper than `level` now belong to `level`. */
void sql_tlock_merge_into(sql_tlock_owner *o, uint32_t level);

#endif
