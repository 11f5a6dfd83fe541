/* eng_tx.h: a transaction's state on one shard (its participant there).
 * Owns:    the list of stamps the transaction set on this shard's partitions (so commit can
 *          stamp them with the commit timestamp, and abort or ROLLBACK TO can undo them) and
 *          its redo records for this shard's WAL.
 * Core:    the shard it belongs to (asserted).
 * Shared:  FOR SHARE / KEY SHARE holders of a version live beside it (eng_tx_share.c), any
 *          number at once; lockers of a conflicting strength (eng_lock_conflicts) wait for each
 *          of them in turn. The same table marks versions an UPDATE moved to another partition.
 * Waits:   a writer that meets a version locked by another live transaction parks on this
 *          shard until that transaction finishes here (eng_tx_wait), polling every
 *          ENG_TX_WAIT_POLL_NS for its own cancellation, lock_timeout and the deadlock
 *          detector's verdict (40P01). A ROLLBACK TO SAVEPOINT of the holder wakes its
 *          waiters too: what they wait for may have been undone, so they look again.
 *          A row lock's waiters queue as PostgreSQL's tuple lock queue: a request keeps its
 *          place from its first wait until its lock call ends (eng_tx_row_queue_leave), and
 *          goes only when no earlier request for the same row is still queued, however it
 *          was woken (its holder's end or its poll timer); a transaction that already holds
 *          a shared lock on the row does not queue (PostgreSQL skips the tuple lock then).
 * Limits:  ENG_TX_WRITES_MAX stamps per transaction per shard (54000 past it). */
#ifndef ENG_TX_H
#define ENG_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_codec.h"
#include "engine/eng_part.h"
#include "engine/eng_txn.h"
#include "runtime/rt_err.h"
#include "runtime/rt_loop.h"

#define ENG_TX_WRITES_MAX (256u << 20)      /* 268M row versions per transaction and shard */
#define ENG_TX_WAIT_POLL_NS (10u * 1000u * 1000u)
/* A waiter looks for a deadlock once it has waited this long (PostgreSQL's deadlock_timeout):
 * most waits end sooner, and the check walks other transactions' state. */
#define ENG_DEADLOCK_TIMEOUT_NS (1000ull * 1000u * 1000u)
#define ENG_TX_REDO_BYTES_MAX (4ull << 30)  /* redo a transaction may hold before commit */

typedef enum eng_isolation { ENG_ISO_READ_COMMITTED = 1, ENG_ISO_REPEATABLE_READ } eng_isolation;

typedef enum eng_tx_write_kind {
    ENG_W_INSERT = 1, /* a new version: begin stamped by us */
    ENG_W_END,        /* an old version ended (update/delete): end stamped by us */
    ENG_W_LOCK,       /* a version locked FOR UPDATE without ending it */
    ENG_W_SHARE,      /* a version locked FOR SHARE / KEY SHARE (eng_tx_share.c) */
} eng_tx_write_kind;

typedef struct eng_tx_write {
    eng_part *part;
    uint32_t slot;
    uint8_t kind;
    uint32_t command;
    uint64_t redo_len; /* redo bytes before this write: ROLLBACK TO cuts the redo there */
} eng_tx_write;

struct eng_tx {
    eng_txn_id id;
    uint64_t stamp;          /* eng_stamp_txn(id, command 0): the same-transaction marker */
    uint32_t command;        /* the current statement's command id */
    eng_isolation isolation;
    uint32_t core;
    eng_tx_write *writes;
    uint32_t write_count, write_cap;
    eng_codec_w redo;        /* this shard's redo records, appended to the WAL at commit */
    uint32_t redo_records;
    int64_t lock_timeout_ms; /* 0 = wait forever */
    const _Atomic bool *cancel; /* the session's cancel flag (57014), may be NULL */
    struct eng_tx *next;     /* the shard's table of participants */
};

/* The participant of transaction `id` on this shard; created on first use when `create`. */
eng_tx *eng_tx_local(eng_txn_id id, bool create);
/* Sets the statement context (command id, isolation, wait limits) before a fragment runs. */
void eng_tx_set_statement(eng_tx *tx, uint32_t command, eng_isolation isolation,
                          int64_t lock_timeout_ms, const _Atomic bool *cancel);

bool eng_tx_log_write(eng_tx *tx, eng_part *part, uint32_t slot, eng_tx_write_kind kind,
                      rt_err *err);
/* The stamp this transaction writes for the current statement. */
static inline uint64_t eng_tx_stamp_now(const eng_tx *tx) {
    return eng_stamp_txn(tx->id.slot, tx->id.generation, tx->command);
}

/* A fiber waiting on this shard for a transaction to finish: on the shard's list of waiters,
 * in the order waits began. Lives on the waiter's stack; zeroed before its first wait. */
typedef struct eng_waiter {
    rt_timer timer;          /* first member: the poll timer wakes the fiber */
    uint32_t txn_slot;       /* the slot of the transaction waited for */
    uint64_t owner;          /* the waiter's own transaction stamp */
    uint32_t rel_oid;        /* a row lock's table, 0 for other waits (no queue) */
    uint64_t row;            /* eng_txn_row_of */
    bool queued;             /* in its row's queue: later requests for the row go after it */
    bool recheck;            /* the transaction rolled back to a savepoint: look again */
    bool linked;
    rt_fiber *fiber;
    struct eng_waiter *next, *prev;
} eng_waiter;

/* Parks until transaction `stamp` is no longer running (committed or aborted), or until it
 * rolled back to a savepoint (then the caller looks at the row again: true either way). */
bool eng_tx_wait(eng_tx *tx, uint64_t stamp, rt_err *err);
/* eng_tx_wait for a row lock, in the row's queue (`w`, zeroed before the lock call's first
 * wait and kept linked across its later ones; `queue` false for a transaction that holds a
 * lock on the row already): returns once `stamp` ended and no earlier request for the row is
 * queued. The row (table `rel_oid`, eng_txn_row_of) is published in the transaction's slot,
 * with when its wait began and the `mode` asked for, for pg_locks' tuple locks. */
bool eng_tx_wait_row(eng_tx *tx, eng_waiter *w, uint64_t stamp, uint32_t rel_oid, uint64_t row,
                     eng_lock_mode mode, bool queue, rt_err *err);
/* The lock call ends (granted or not): `w` leaves its row's queue, and the next request
 * queued for the row looks again. Nothing when `w` never waited. */
void eng_tx_row_queue_leave(eng_waiter *w);

/* Finishing on this shard, after the outcome is decided (and durable for commits). */
void eng_tx_apply_commit(eng_tx *tx, uint64_t commit_ts);
void eng_tx_apply_abort(eng_tx *tx);
/* Undoes every write and row lock with command >= `command` (ROLLBACK TO SAVEPOINT, and a
 * failed statement's subtransaction) and wakes the transaction's waiters to look again. */
void eng_tx_rollback_to(eng_tx *tx, uint32_t command);
/* Removes and frees the participant (after commit/abort has been applied). */
void eng_tx_forget(eng_tx *tx);
/* Wakes fibers of this shard waiting for transaction `id` (its outcome is now known). */
void eng_tx_wake_waiters(eng_txn_id id);
/* ---- shared row locks (eng_tx_share.c): several holders per version ---- */
/* Records tx as a holder of a KEY SHARE or SHARE lock on (p, slot) (once, logged as
 * ENG_W_SHARE; a second request of the same transaction keeps the stronger mode). */
bool eng_tx_share_add(eng_tx *tx, eng_part *p, uint32_t slot, eng_lock_mode mode, rt_err *err);
/* The stamp of a running holder other than tx whose shared lock conflicts with `mode`, on the
 * version at `slot` or an older version of the same row (a KEY SHARE lock taken on a version a
 * NO KEY UPDATE then replaced still guards the key), 0 if none: the locker waits for it. */
uint64_t eng_tx_share_conflict(const eng_tx *tx, const eng_part *p, uint32_t slot,
                               eng_lock_mode mode);
/* Whether tx holds a shared lock on the version at `slot`. */
bool eng_tx_share_holds(const eng_tx *tx, const eng_part *p, uint32_t slot);
/* Drops tx's shared lock (commit, abort, ROLLBACK TO). */
void eng_tx_share_remove(const eng_tx *tx, const eng_part *p, uint32_t slot);
/* Whether some transaction holds a shared lock on the version (vacuum keeps it meanwhile). */
bool eng_tx_share_pinned(const eng_part *p, uint32_t slot);
/* Marks (or unmarks, when the move is undone) a version deleted by an UPDATE that moved the
 * row to another partition. */
void eng_tx_share_set_moved(const eng_part *p, uint32_t slot, bool moved);
bool eng_tx_share_moved(const eng_part *p, uint32_t slot);
/* Vacuum took the slot: whatever the table knew of it goes. */
void eng_tx_share_forget(const eng_part *p, uint32_t slot);
/* The partition is destroyed: every entry of it on this shard goes. */
void eng_tx_share_forget_part(const eng_part *p);

/* True if the participant wrote anything (needs WAL and 2PC participation). */
static inline bool eng_tx_has_writes(const eng_tx *tx) { return tx->write_count > 0; }

#endif
