/* eng_txn.h: transaction identities, commit timestamps, snapshots and version visibility.
 * Owns:    the global commit-timestamp counter (one atomic) and the transaction table: one slot
 *          per live transaction holding its state word (read by every shard, written by the
 *          transaction's coordinator) and the transaction it waits for, for a row or a table
 *          lock (deadlock detection).
 * Core:    slots are handed out from per-shard ranges, so beginning a transaction never
 *          contends; any shard may read any slot's state.
 * Versions: every row version carries `begin` and `end` stamps (uint64). A stamp below
 *          ENG_STAMP_TXN_BIT is a commit timestamp; ENG_TS_INF means "not ended"; a stamp with
 *          ENG_STAMP_TXN_BIT names a transaction (slot, generation, command id) whose outcome
 *          decides; an end stamp naming one may carry ENG_STAMP_LOCK_BIT (it only locks) and
 *          ENG_STAMP_KEY_BIT (its holder deletes the row or changes its key: FOR UPDATE
 *          strength; without it FOR NO KEY UPDATE, which FOR KEY SHARE lockers share).
 *          After the outcome is known the owning shard rewrites such stamps ("stamping"), and
 *          only then is the slot freed, so a stamp never names a reused slot.
 * Commit:  state ACTIVE -> PRECOMMIT -> COMMITTED(ts) where ts = ++counter. A reader whose
 *          snapshot is >= ts always finds PRECOMMIT or COMMITTED (the state is written before the
 *          counter moves); PRECOMMIT lasts a few instructions and readers wait it out.
 * Limits:  ENG_TXN_SLOTS concurrent transactions (53000 past it). */
#ifndef ENG_TXN_H
#define ENG_TXN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_limits.h"

/* Concurrent transactions in the whole server; split evenly among shards. */
#define ENG_TXN_SLOTS 65536u
/* Statements (command ids) per transaction, as PostgreSQL's 2^32 but we keep 20 bits. */
#define ENG_TXN_COMMANDS_MAX ((1u << 20) - 1)

#define ENG_STAMP_TXN_BIT (1ull << 63)
#define ENG_STAMP_LOCK_BIT (1ull << 62)      /* an end stamp that only locks (FOR UPDATE) */
#define ENG_STAMP_KEY_BIT (1ull << 61)       /* its holder may change the key (FOR UPDATE) */
#define ENG_TS_INF (ENG_STAMP_LOCK_BIT - 1)  /* "not ended" / never visible as a begin */
#define ENG_TS_FROZEN 1ull                    /* committed before anything else (recovery) */

/* A transaction stamp: TXN_BIT | LOCK_BIT | KEY_BIT | generation:21 | command:20 | slot:20. */
#define ENG_GENERATION_MASK 0x1fffffu
static inline uint64_t eng_stamp_txn(uint32_t slot, uint32_t generation, uint32_t command) {
    return ENG_STAMP_TXN_BIT | ((uint64_t)(generation & ENG_GENERATION_MASK) << 40) |
           ((uint64_t)(command & 0xfffffu) << 20) | (uint64_t)(slot & 0xfffffu);
}
static inline bool eng_stamp_is_lock(uint64_t stamp) {
    return (stamp & (ENG_STAMP_TXN_BIT | ENG_STAMP_LOCK_BIT)) ==
           (ENG_STAMP_TXN_BIT | ENG_STAMP_LOCK_BIT);
}
static inline bool eng_stamp_is_txn(uint64_t stamp) { return (stamp & ENG_STAMP_TXN_BIT) != 0; }
static inline bool eng_stamp_is_key(uint64_t stamp) {
    return (stamp & (ENG_STAMP_TXN_BIT | ENG_STAMP_KEY_BIT)) ==
           (ENG_STAMP_TXN_BIT | ENG_STAMP_KEY_BIT);
}
static inline uint32_t eng_stamp_slot(uint64_t stamp) { return (uint32_t)(stamp & 0xfffffu); }
static inline uint32_t eng_stamp_command(uint64_t stamp) {
    return (uint32_t)((stamp >> 20) & 0xfffffu);
}
static inline uint32_t eng_stamp_generation(uint64_t stamp) {
    return (uint32_t)((stamp >> 40) & ENG_GENERATION_MASK);
}

typedef enum eng_txn_status {
    ENG_TXN_FREE = 0,
    ENG_TXN_ACTIVE = 1,
    ENG_TXN_PRECOMMIT = 2,
    ENG_TXN_COMMITTED = 3,
    ENG_TXN_ABORTED = 4,
} eng_txn_status;

/* `state` holds status (top 3 bits) and generation; the commit timestamp is in `commit_ts`,
 * written before the status turns COMMITTED and read after it. */
typedef struct eng_txn_slot {
    _Atomic uint64_t state;      /* (status << 61) | generation */
    _Atomic uint64_t commit_ts;
    _Atomic uint64_t waiting_for; /* stamp of the transaction this one waits for, 0 = none */
    _Atomic uint32_t cancel;      /* set by the deadlock detector: 40P01 for the victim */
    _Atomic uint32_t waiting_rel; /* a row-lock wait's table oid, 0 = none (pg_locks) */
    _Atomic uint64_t waiting_row; /* and its row (eng_txn_row_of), with... */
    _Atomic uint64_t waiting_seq; /* ...the order row waits began in (a row's waiters queue) */
    _Atomic uint32_t waiting_mode; /* ...and the eng_lock_mode asked for */
} eng_txn_slot;

/* A row's identity in a row-lock wait: its partition and slot. */
static inline uint64_t eng_txn_row_of(uint32_t partition_no, uint32_t slot) {
    return ((uint64_t)partition_no << 32) | slot;
}

/* A row version's (page, tuple), as PostgreSQL's ctid names a tuple (pg_locks' tuple locks).
 * We have no pages: a partition's slots are numbered ENG_TID_TUPLES_PER_PAGE to a page, tuples
 * from 1, and the partitions' pages follow one another (ENG_TID_PAGES_PER_PARTITION each), so
 * a version keeps its pair while it lives and no two versions of a table share one. */
#define ENG_TID_TUPLES_PER_PAGE (1u << 14)  /* a power of two within int2 */
#define ENG_TID_PAGES_PER_PARTITION (1u << 16) /* ENG_PART_SLOTS_MAX's (eng_part.h checks) */
static inline uint32_t eng_tid_page(uint64_t row) {
    return (uint32_t)(row >> 32) * ENG_TID_PAGES_PER_PARTITION +
           (uint32_t)row / ENG_TID_TUPLES_PER_PAGE;
}
static inline uint16_t eng_tid_tuple(uint64_t row) {
    return (uint16_t)((uint32_t)row % ENG_TID_TUPLES_PER_PAGE + 1u);
}

/* ---- setup ---- */
void eng_txn_init(uint32_t shard_count);
void eng_txn_shutdown(void);

/* ---- timestamps ---- */
static inline uint64_t eng_txn_snapshot_ts(void);
/* After recovery: start the counter above every timestamp already used. */
void eng_txn_set_clock(uint64_t ts);

/* ---- transactions ---- */
typedef struct eng_txn_id {
    uint32_t slot;
    uint32_t generation;
} eng_txn_id;

/* Takes a free slot from this shard's range (ACTIVE). 53000 when none is free. */
bool eng_txn_begin(eng_txn_id *out, rt_err *err);
/* ACTIVE -> PRECOMMIT -> COMMITTED; returns the commit timestamp. */
uint64_t eng_txn_commit(eng_txn_id id);
void eng_txn_abort(eng_txn_id id);
/* Every participant has stamped its versions: the slot may be reused. On the owning shard. */
void eng_txn_release(eng_txn_id id);

eng_txn_status eng_txn_status_of(eng_txn_id id, uint64_t *commit_ts);
eng_txn_slot *eng_txn_slot_get(uint32_t slot);

/* ---- visibility ---- */

/* What a reader sees: its snapshot, and its own transaction (if any) with the command id of the
 * current statement (versions it wrote in earlier statements are visible, in this one not). */
typedef struct eng_snapshot {
    uint64_t ts;
    uint64_t own;        /* eng_stamp_txn(slot, gen, 0) of the reader's transaction, or 0 */
    uint32_t command;    /* current command id */
} eng_snapshot;

typedef enum eng_vis {
    ENG_VIS_VISIBLE = 0,
    ENG_VIS_INVISIBLE = 1,
} eng_vis;

/* Visibility of a version with these stamps. Never blocks: PRECOMMIT is waited out inside. */
bool eng_version_visible(uint64_t begin, uint64_t end, const eng_snapshot *snap);

/* True while the transaction named by `stamp` runs. Unlike eng_stamp_resolve it accepts a stamp
 * kept from earlier, whose slot may have been released and reused since (then: not running),
 * as a waiter that parked has. */
bool eng_txn_stamp_running(uint64_t stamp);

/* ---- deadlock detection ----
 * Each transaction publishes the one it waits for (its slot's waiting_for): row waits here in
 * the engine (eng_tx_wait), table-lock waits from the SQL layer (sql_tablelock.c), so a cycle
 * through both kinds is found as one through either. */
/* `waiter` (a transaction's stamp) now waits for transaction `holder`; 0: no longer waits. */
void eng_txn_note_wait(uint64_t waiter, uint64_t holder);
/* A soft edge (PostgreSQL's term): `waiter` waits behind `ahead`, an earlier request for a
 * lock queued before its own (conflicting modes), not for a lock `ahead` holds. A cycle
 * through a soft edge is no deadlock: the soft waiter can go before the one it queued behind
 * (as PostgreSQL's detector rearranges the queue); only a cycle of hard edges is. Marked in
 * waiting_for by ENG_TXN_WAIT_SOFT, a bit no transaction stamp there carries. */
#define ENG_TXN_WAIT_SOFT ENG_STAMP_LOCK_BIT
void eng_txn_note_soft_wait(uint64_t waiter, uint64_t ahead);
/* Whether the chain of waits from `holder` leads back to `waiter` through hard edges only, and
 * `waiter` is the one to give way: the member of the highest slot, so that when several
 * members of the cycle look at once (each after its own deadlock timeout), exactly one does. */
bool eng_txn_deadlock_victim(uint64_t waiter, uint64_t holder);
/* Whether the chain of waits from `waiter`'s soft edge to `ahead` leads back to `waiter`
 * (through edges of either kind): then `waiter` should go before `ahead` in the queue. */
bool eng_txn_soft_cycle(uint64_t waiter, uint64_t ahead);

/* Resolves a transaction stamp to a commit timestamp if that transaction committed (then the
 * shard owning the version may rewrite the stamp), ENG_TS_INF if it aborted (as a begin: never
 * visible; as an end: not ended), or 0 if it is still running. */
uint64_t eng_stamp_resolve(uint64_t stamp);

static inline bool eng_stamp_same_txn(uint64_t a, uint64_t b) {
    return eng_stamp_is_txn(a) && eng_stamp_is_txn(b) && eng_stamp_slot(a) == eng_stamp_slot(b) &&
           eng_stamp_generation(a) == eng_stamp_generation(b);
}

/* The oldest snapshot any reader on any shard still uses (versions ended before it can go). */
uint64_t eng_txn_oldest_snapshot(void);
/* Each shard publishes the oldest snapshot among its readers (UINT64_MAX if none). */
void eng_txn_publish_oldest(uint32_t core, uint64_t ts);

extern _Atomic uint64_t eng_commit_clock;

static inline uint64_t eng_txn_snapshot_ts(void) {
    return atomic_load_explicit(&eng_commit_clock, memory_order_acquire);
}

#endif
