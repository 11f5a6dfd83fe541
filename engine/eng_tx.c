/* eng_tx.c: transaction participants of a shard: their write logs, commit stamping, undo, and
 * waiting for other transactions. */
#include "engine/eng_tx.h"

#include <string.h>

#include "engine/eng_part_int.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

typedef struct eng_tx_shard {
    eng_tx **by_slot;        /* [ENG_TXN_SLOTS]: participants of this shard */
    eng_waiter *waiters, *waiters_tail; /* in the order waits began */
} eng_tx_shard;

static eng_tx_shard eng_tx_shards[RT_SHARDS_MAX];

static eng_tx_shard *eng_tx_shard_self(void) {
    eng_tx_shard *sh = &eng_tx_shards[rt_core_id()];
    if (sh->by_slot == NULL) sh->by_slot = rt_xcalloc(ENG_TXN_SLOTS, sizeof(eng_tx *));
    return sh;
}

eng_tx *eng_tx_local(eng_txn_id id, bool create) {
    eng_tx_shard *sh = eng_tx_shard_self();
    eng_tx *tx = sh->by_slot[id.slot];
    if (tx != NULL) {
        RT_ASSERT(tx->id.generation == id.generation);
        return tx;
    }
    if (!create) return NULL;
    tx = rt_xcalloc(1, sizeof *tx);
    tx->id = id;
    tx->stamp = eng_stamp_txn(id.slot, id.generation, 0);
    tx->core = rt_core_id();
    tx->isolation = ENG_ISO_READ_COMMITTED;
    eng_w_init(&tx->redo);
    sh->by_slot[id.slot] = tx;
    return tx;
}

void eng_tx_set_statement(eng_tx *tx, uint32_t command, eng_isolation isolation,
                          int64_t lock_timeout_ms, const _Atomic bool *cancel) {
    RT_ASSERT(tx->core == rt_core_id());
    tx->command = command;
    tx->isolation = isolation;
    tx->lock_timeout_ms = lock_timeout_ms;
    tx->cancel = cancel;
}

bool eng_tx_log_write(eng_tx *tx, eng_part *part, uint32_t slot, eng_tx_write_kind kind,
                      rt_err *err) {
    if (tx->write_count == ENG_TX_WRITES_MAX || tx->redo.len > ENG_TX_REDO_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "transaction is too large: more than %u row versions on one shard",
                          ENG_TX_WRITES_MAX);
    }
    if (tx->write_count == tx->write_cap) {
        tx->write_cap = tx->write_cap == 0 ? 16 : tx->write_cap * 2;
        tx->writes = rt_xrealloc(tx->writes, tx->write_cap * sizeof(eng_tx_write));
    }
    tx->writes[tx->write_count++] = (eng_tx_write){
        .part = part, .slot = slot, .kind = (uint8_t)kind, .command = tx->command,
        .redo_len = tx->redo.len};
    return true;
}

/* ---- waiting ---- */

static void eng_waiter_timer(rt_timer *t) { rt_fiber_wake(((eng_waiter *)t)->fiber); }

/* At the tail: a transaction's end wakes its waiters in the order they began to wait. */
static void eng_waiter_link(eng_tx_shard *sh, eng_waiter *w) {
    RT_ASSERT(!w->linked);
    w->next = NULL;
    w->prev = sh->waiters_tail;
    if (sh->waiters_tail != NULL) sh->waiters_tail->next = w;
    else sh->waiters = w;
    sh->waiters_tail = w;
    w->linked = true;
}

static void eng_waiter_unlink(eng_tx_shard *sh, eng_waiter *w) {
    RT_ASSERT(w->linked);
    if (w->prev != NULL) w->prev->next = w->next;
    else sh->waiters = w->next;
    if (w->next != NULL) w->next->prev = w->prev;
    else sh->waiters_tail = w->prev;
    w->next = w->prev = NULL;
    w->linked = false;
}

static bool eng_waiter_same_row(const eng_waiter *a, const eng_waiter *w) {
    return a->queued && a->rel_oid == w->rel_oid && a->row == w->row;
}

/* The first request queued before `w` for the same row (PostgreSQL's tuple lock holder), NULL
 * if none: `w` goes after it, even when what it waited for has ended. */
static const eng_waiter *eng_waiter_ahead(const eng_tx_shard *sh, const eng_waiter *w) {
    if (!w->queued) return NULL;
    for (const eng_waiter *a = sh->waiters; a != w; a = a->next) {
        RT_ASSERT(a != NULL); /* w is linked */
        if (eng_waiter_same_row(a, w)) return a;
    }
    return NULL;
}

static bool eng_tx_wait_checks(eng_tx *tx, uint64_t stamp, uint64_t started_ns, rt_err *err) {
    eng_txn_slot *me = eng_txn_slot_get(tx->id.slot);
    if (atomic_load(&me->cancel) ||
        (rt_time_mono_ns() - started_ns >= ENG_DEADLOCK_TIMEOUT_NS &&
         eng_txn_deadlock_victim(tx->stamp, stamp))) {
        rt_err_set(err, SQLSTATE_DEADLOCK_DETECTED, "deadlock detected");
        rt_err_detail(err, "The transaction waited for one that waits, directly or through "
                           "others, for it.");
        return false;
    }
    if (tx->cancel != NULL && atomic_load(tx->cancel)) {
        return rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                          "canceling statement due to user request");
    }
    if (tx->lock_timeout_ms > 0 &&
        rt_time_mono_ns() - started_ns >= (uint64_t)tx->lock_timeout_ms * RT_NS_PER_MS) {
        return rt_err_set(err, SQLSTATE_LOCK_NOT_AVAILABLE,
                          "canceling statement due to lock timeout");
    }
    return true;
}

/* Parks linked `w` until `stamp` no longer runs (or a ROLLBACK TO of its transaction) and no
 * earlier request for the same row is queued; the transaction waits for the one that keeps
 * it (deadlock detection), polling every ENG_TX_WAIT_POLL_NS. */
static bool eng_tx_park(eng_tx *tx, eng_waiter *w, uint64_t stamp, rt_err *err) {
    eng_tx_shard *sh = eng_tx_shard_self();
    uint64_t started = rt_time_mono_ns();
    uint64_t noted = 0;
    w->txn_slot = eng_stamp_slot(stamp);
    w->owner = tx->stamp;
    w->recheck = false;
    w->fiber = rt_fiber_self();
    RT_ASSERT(w->fiber != NULL);
    bool ok = true;
    rt_err terr;
    rt_err_clear(&terr);
    for (;;) {
        /* The slot may be reused once we parked; what we wait for may have been taken back
         * with a savepoint while its transaction goes on: the caller looks at the row again
         * and waits anew if it is still held. */
        uint64_t blocker = eng_txn_stamp_running(stamp) && !w->recheck ? stamp : 0;
        if (blocker == 0) {
            const eng_waiter *ahead = eng_waiter_ahead(sh, w);
            if (ahead == NULL) break;
            blocker = ahead->owner; /* it runs next: the row is its first */
        }
        if (blocker != noted) eng_txn_note_wait(tx->stamp, blocker);
        noted = blocker;
        ok = eng_tx_wait_checks(tx, blocker, started, err);
        if (!ok) break;
        if (!rt_timer_start(&w->timer, ENG_TX_WAIT_POLL_NS, eng_waiter_timer, &terr)) {
            rt_fiber_yield();
            continue;
        }
        rt_fiber_park();
        rt_timer_cancel(&w->timer);
    }
    eng_txn_note_wait(tx->stamp, 0);
    return ok;
}

bool eng_tx_wait(eng_tx *tx, uint64_t stamp, rt_err *err) {
    eng_tx_shard *sh = eng_tx_shard_self();
    eng_waiter w;
    memset(&w, 0, sizeof w);
    eng_waiter_link(sh, &w);
    bool ok = eng_tx_park(tx, &w, stamp, err);
    eng_waiter_unlink(sh, &w);
    return ok;
}

bool eng_tx_wait_row(eng_tx *tx, eng_waiter *w, uint64_t stamp, uint32_t rel_oid, uint64_t row,
                     eng_lock_mode mode, bool queue, rt_err *err) {
    static _Atomic uint64_t seq;
    RT_ASSERT(rel_oid != 0);
    eng_txn_slot *me = eng_txn_slot_get(tx->id.slot);
    if (!w->linked) { /* the lock call's first wait: its place in the row's queue */
        w->rel_oid = rel_oid;
        w->row = row;
        w->queued = queue;
        eng_waiter_link(eng_tx_shard_self(), w);
        atomic_store(&me->waiting_row, row);
        atomic_store(&me->waiting_mode, (uint32_t)mode);
        atomic_store(&me->waiting_seq, atomic_fetch_add(&seq, 1) + 1);
    }
    RT_ASSERT(w->rel_oid == rel_oid && w->row == row);
    atomic_store(&me->waiting_rel, rel_oid);
    bool ok = eng_tx_park(tx, w, stamp, err);
    atomic_store(&me->waiting_rel, 0);
    return ok;
}

void eng_tx_row_queue_leave(eng_waiter *w) {
    if (!w->linked) return;
    eng_tx_shard *sh = eng_tx_shard_self();
    eng_waiter *next = w->next;
    eng_waiter_unlink(sh, w);
    while (next != NULL && !eng_waiter_same_row(next, w)) next = next->next;
    if (next != NULL) rt_fiber_wake(next->fiber);
}

/* Wakes the waiters for transaction `id`; with `recheck` they return to their callers even
 * though it still runs (it gave up locks and writes at ROLLBACK TO SAVEPOINT). */
static void eng_tx_wake(eng_txn_id id, bool recheck) {
    eng_tx_shard *sh = eng_tx_shard_self();
    for (eng_waiter *w = sh->waiters; w != NULL; w = w->next) {
        if (w->txn_slot != id.slot) continue;
        if (recheck) w->recheck = true;
        rt_fiber_wake(w->fiber);
    }
}

void eng_tx_wake_waiters(eng_txn_id id) { eng_tx_wake(id, false); }

/* ---- finishing ---- */

static bool eng_tx_owns_end(const eng_tx *tx, uint64_t end, bool lock) {
    return eng_stamp_is_txn(end) && eng_stamp_same_txn(end, tx->stamp) &&
           eng_stamp_is_lock(end) == lock;
}

void eng_tx_apply_commit(eng_tx *tx, uint64_t commit_ts) {
    RT_ASSERT(tx->core == rt_core_id());
    for (uint32_t i = 0; i < tx->write_count; i++) {
        eng_tx_write *w = &tx->writes[i];
        uint64_t b, e;
        eng_part_stamps(w->part, w->slot, &b, &e);
        switch ((eng_tx_write_kind)w->kind) {
        case ENG_W_INSERT: eng_part_set_begin(w->part, w->slot, commit_ts); break;
        case ENG_W_END:
            if (eng_tx_owns_end(tx, e, false)) eng_part_set_end(w->part, w->slot, commit_ts);
            break;
        case ENG_W_LOCK:
            if (eng_tx_owns_end(tx, e, true)) eng_part_set_end(w->part, w->slot, ENG_TS_INF);
            break;
        case ENG_W_SHARE: eng_tx_share_remove(tx, w->part, w->slot); break;
        }
    }
    eng_tx_wake_waiters(tx->id);
}

/* Undoes writes [from, write_count) in reverse order. */
static void eng_tx_undo(eng_tx *tx, uint32_t from) {
    for (uint32_t i = tx->write_count; i > from; i--) {
        eng_tx_write *w = &tx->writes[i - 1];
        uint64_t b, e;
        eng_part_stamps(w->part, w->slot, &b, &e);
        switch ((eng_tx_write_kind)w->kind) {
        case ENG_W_INSERT: eng_part_undo_insert(w->part, w->slot); break;
        case ENG_W_END:
            if (eng_tx_owns_end(tx, e, false)) {
                /* Back to the lock this statement took before ending it (undone next), of the
                 * same strength; a move to another partition is undone too. */
                eng_part_set_end(w->part, w->slot,
                                 eng_stamp_txn(tx->id.slot, tx->id.generation, w->command) |
                                     ENG_STAMP_LOCK_BIT | (e & ENG_STAMP_KEY_BIT));
                eng_tx_share_set_moved(w->part, w->slot, false);
            }
            break;
        case ENG_W_LOCK:
            if (eng_tx_owns_end(tx, e, true)) eng_part_set_end(w->part, w->slot, ENG_TS_INF);
            break;
        case ENG_W_SHARE: eng_tx_share_remove(tx, w->part, w->slot); break;
        }
    }
}

void eng_tx_apply_abort(eng_tx *tx) {
    RT_ASSERT(tx->core == rt_core_id());
    eng_tx_undo(tx, 0);
    tx->write_count = 0;
    eng_tx_wake_waiters(tx->id);
}

void eng_tx_rollback_to(eng_tx *tx, uint32_t command) {
    uint32_t from = tx->write_count;
    while (from > 0 && tx->writes[from - 1].command >= command) from--;
    if (from == tx->write_count) return;
    uint64_t redo_len = tx->writes[from].redo_len;
    eng_tx_undo(tx, from);
    tx->write_count = from;
    tx->redo.len = redo_len; /* redo records of the undone statements are dropped */
    eng_tx_wake(tx->id, true);
}

void eng_tx_forget(eng_tx *tx) {
    eng_tx_shard *sh = eng_tx_shard_self();
    RT_ASSERT(sh->by_slot[tx->id.slot] == tx);
    sh->by_slot[tx->id.slot] = NULL;
    rt_free(tx->writes);
    rt_free(tx->redo.buf);
    rt_free(tx);
}
