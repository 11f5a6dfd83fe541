/* sql_advisory.h: PostgreSQL's advisory locks (pg_advisory_lock and family): locks on
 * application-chosen keys, at session level (held until unlocked or the session ends) or at
 * transaction level (held until the transaction ends), exclusive or shared, re-entrant per
 * holder as PostgreSQL's (each lock needs as many unlocks). A transaction-level lock belongs
 * to the subtransaction (savepoint level) that took it, as PostgreSQL's: ROLLBACK TO SAVEPOINT,
 * or a failed statement's subtransaction abort, releases those taken at that level and deeper;
 * RELEASE SAVEPOINT hands them to the enclosing level. Session-level locks ignore savepoints.
 * Owns:    one process-wide table of holds, shared by every shard (a spin lock around it: each
 *          operation is a short scan).
 * Core:    any shard, in a session's fiber; a blocked taker parks its fiber and retries every
 *          SQL_ADVISORY_POLL_NS until the lock is free, the statement is cancelled (57014) or
 *          lock_timeout passes (55P03). Deadlocks between advisory locks are not detected: the
 *          waiters run until cancelled or timed out.
 * Limits:  SQL_ADVISORY_HOLDS_MAX holds in the server (53200 "out of shared memory" past it,
 *          as PostgreSQL's lock table); SQL_ADVISORY_WAITERS_MAX waits listed.
 * Not yet: PostgreSQL queues waiters (a later request conflicting with a queued one waits
 *          behind it); here a waiter takes the lock at its first poll that finds it free. */
#ifndef SQL_ADVISORY_H
#define SQL_ADVISORY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

#define SQL_ADVISORY_HOLDS_MAX 4096u
#define SQL_ADVISORY_POLL_NS (1000u * 1000u)
#define SQL_ADVISORY_WAITERS_MAX 4096u /* sessions waiting listed in pg_locks (past it: the
                                           wait is not listed there) */

/* A key: PostgreSQL keeps the one-bigint and the two-int4 forms apart. */
typedef struct sql_advisory_key {
    uint32_t db_oid;
    uint8_t space;           /* 1: pg_advisory_lock(bigint), 2: (int4, int4) */
    int64_t key;
} sql_advisory_key;

/* Takes the lock for `owner` (the session); a transaction-level one (`xact`) at savepoint
 * level `level` (0: no savepoint open). wait false: *got says whether it was free. */
bool sql_advisory_lock(const void *owner, const sql_advisory_key *k, bool shared, bool xact,
                       uint32_t level, bool wait, const _Atomic bool *cancel,
                       int64_t lock_timeout_ms, bool *got, rt_err *err);
/* Releases one session-level hold; false if the owner held none (PostgreSQL then warns). */
bool sql_advisory_unlock(const void *owner, const sql_advisory_key *k, bool shared);
/* Releases the owner's transaction-level holds (transaction end) or all of them (session end,
 * pg_advisory_unlock_all: session-level ones only, as PostgreSQL). */
void sql_advisory_release(const void *owner, bool xact_only, bool session_only);
/* ROLLBACK TO SAVEPOINT (or a failed statement's subtransaction): releases the owner's
 * transaction-level holds taken at savepoint level `level` or deeper. A session waiting for
 * one takes it at its next poll. */
void sql_advisory_release_from(const void *owner, uint32_t level);
/* RELEASE SAVEPOINT: the holds of levels deeper than `level` now belong to `level`. */
void sql_advisory_merge_into(const void *owner, uint32_t level);

/* One advisory lock for pg_locks: one row per backend, key and mode, as PostgreSQL's. */
typedef struct sql_advisory_info {
    uint32_t pid;             /* the holder's (or waiter's) backend */
    sql_advisory_key k;
    bool shared;
    bool granted;             /* false: the backend waits for it */
    uint64_t seq;             /* a wait: the order waits began in (earlier is lower) */
} sql_advisory_info;
/* pg_locks and pg_blocking_pids: copies up to `cap` of the advisory locks held, then those
 * waited for (one consistent look), and returns how many there are (more than `cap`: call
 * again with room for them). */
uint32_t sql_advisory_list(sql_advisory_info *out, uint32_t cap);
/* Whether two backends' locks (held or requested) on a key conflict: different backends, the
 * same key, not both shared. */
bool sql_advisory_conflicts(const sql_advisory_info *a, const sql_advisory_info *b);

#endif
