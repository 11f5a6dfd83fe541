/* sql_advisory.c: advisory locks (sql_advisory.h). */
#include <stdatomic.h>
#include <string.h>

#include <ck_spinlock.h>

#include "runtime/rt_loop.h"
#include "runtime/rt_time.h"
#include "net/net_pg.h"
#include "sql/sql_advisory.h"
#include "sql/sql_session.h"

/* Weak: pg_stat_activity's wait events where a server and sessions are linked (the owner of
 * a hold is its session). */
extern void net_pg_backend_wait(uint32_t pid, net_pg_wait wait, uint32_t holder_pid)
    __attribute__((weak));
extern uint32_t sql_session_backend_pid(const sql_session *s) __attribute__((weak));

typedef struct sql_adv_hold {
    const void *owner;       /* NULL: free entry */
    sql_advisory_key k;
    bool shared, xact;
    uint32_t level;          /* xact: the savepoint level that took it */
    uint32_t count;
} sql_adv_hold;

static ck_spinlock_t sql_adv_lock = CK_SPINLOCK_INITIALIZER;
static sql_adv_hold sql_adv_holds[SQL_ADVISORY_HOLDS_MAX];
/* Entries in use, written under the lock. Every transaction's end releases its owner's holds:
 * with none in the server (the usual case) that is one load, not a scan of the table under a
 * lock both shards take. An owner's own holds were counted by its own thread, so it never
 * reads 0 while it holds one. */
static _Atomic uint32_t sql_adv_used;

static void sql_adv_used_add(int32_t delta) {
    uint32_t v = atomic_load_explicit(&sql_adv_used, memory_order_relaxed);
    atomic_store_explicit(&sql_adv_used, (uint32_t)((int32_t)v + delta), memory_order_relaxed);
}

static bool sql_adv_same(const sql_advisory_key *a, const sql_advisory_key *b) {
    return a->db_oid == b->db_oid && a->space == b->space && a->key == b->key;
}

/* Under the spin lock: takes the lock if no other owner's hold conflicts. 1 taken, 0 busy
 * (*holder: the owner of a conflicting hold), -1 the table is full. */
static int sql_adv_try(const void *owner, const sql_advisory_key *k, bool shared, bool xact,
                       uint32_t level, const void **holder) {
    sql_adv_hold *mine = NULL, *free_slot = NULL;
    for (uint32_t i = 0; i < SQL_ADVISORY_HOLDS_MAX; i++) {
        sql_adv_hold *h = &sql_adv_holds[i];
        if (h->owner == NULL) {
            if (free_slot == NULL) free_slot = h;
            continue;
        }
        if (!sql_adv_same(&h->k, k)) continue;
        if (h->owner != owner && (!shared || !h->shared)) {
            *holder = h->owner;
            return 0;
        }
        if (h->owner == owner && h->shared == shared && h->xact == xact && h->level == level) {
            mine = h;
        }
    }
    if (mine != NULL) {
        mine->count++;
        return 1;
    }
    if (free_slot == NULL) return -1;
    *free_slot = (sql_adv_hold){owner, *k, shared, xact, level, 1};
    sql_adv_used_add(1);
    return 1;
}

/* A session waiting for an advisory lock, for pg_locks (a row not granted) and
 * pg_blocking_pids (the waiters queued ahead of it with a conflicting request). */
typedef struct sql_adv_waiter {
    const void *owner;       /* NULL: free entry */
    sql_advisory_key k;
    bool shared;
    uint64_t seq;            /* the order waits began in */
} sql_adv_waiter;

static sql_adv_waiter sql_adv_waiters[SQL_ADVISORY_WAITERS_MAX];
static uint64_t sql_adv_wait_seq; /* under the lock */

/* Under the lock: the owner starts (k != NULL) or ends its wait. A wait past the table's
 * room is not listed (pg_stat_activity still shows it). */
static void sql_adv_waiter_set(const void *owner, const sql_advisory_key *k, bool shared) {
    for (uint32_t i = 0; i < SQL_ADVISORY_WAITERS_MAX; i++) {
        sql_adv_waiter *w = &sql_adv_waiters[i];
        if (k == NULL && w->owner == owner) {
            w->owner = NULL;
            sql_adv_used_add(-1);
            return;
        }
        if (k != NULL && w->owner == NULL) {
            *w = (sql_adv_waiter){owner, *k, shared, ++sql_adv_wait_seq};
            sql_adv_used_add(1); /* listing looks at the tables while any entry is used */
            return;
        }
    }
}

/* pg_stat_activity: the owner's session waits for `holder`'s (NULL: no longer waits). */
static void sql_adv_note_wait(const void *owner, const void *holder) {
    if (net_pg_backend_wait == NULL || sql_session_backend_pid == NULL) return;
    uint32_t pid = sql_session_backend_pid(owner);
    if (pid == 0) return;
    if (holder == NULL) {
        net_pg_backend_wait(pid, NET_PG_WAIT_NONE, 0);
    } else {
        net_pg_backend_wait(pid, NET_PG_WAIT_ADVISORY, sql_session_backend_pid(holder));
    }
}

/* The polls of sql_advisory_lock; *waited once it published a wait. */
static bool sql_adv_wait_loop(const void *owner, const sql_advisory_key *k, bool shared,
                              bool xact, uint32_t level, bool wait, const _Atomic bool *cancel,
                              int64_t lock_timeout_ms, bool *got, bool *waited, rt_err *err) {
    uint64_t start = rt_time_mono_ns();
    const void *holder = NULL, *noted = NULL;
    for (;;) {
        ck_spinlock_lock(&sql_adv_lock);
        int r = sql_adv_try(owner, k, shared, xact, xact ? level : 0, &holder);
        ck_spinlock_unlock(&sql_adv_lock);
        if (r < 0) {
            rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "out of shared memory");
            rt_err_hint(err, "You might need to increase max_locks_per_transaction.");
            return false;
        }
        *got = r == 1;
        if (*got || !wait) return true;
        if (holder != noted) { /* only when the holder changes: no lock per poll */
            if (!*waited) {
                ck_spinlock_lock(&sql_adv_lock);
                sql_adv_waiter_set(owner, k, shared);
                ck_spinlock_unlock(&sql_adv_lock);
            }
            sql_adv_note_wait(owner, holder);
            noted = holder;
            *waited = true;
        }
        if (cancel != NULL && atomic_load(cancel)) {
            return rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                              "canceling statement due to user request");
        }
        if (lock_timeout_ms > 0 &&
            rt_time_mono_ns() - start >= (uint64_t)lock_timeout_ms * 1000000u) {
            return rt_err_set(err, SQLSTATE_LOCK_NOT_AVAILABLE,
                              "canceling statement due to lock timeout");
        }
        rt_fiber_sleep_ns(SQL_ADVISORY_POLL_NS);
    }
}

bool sql_advisory_lock(const void *owner, const sql_advisory_key *k, bool shared, bool xact,
                       uint32_t level, bool wait, const _Atomic bool *cancel,
                       int64_t lock_timeout_ms, bool *got, rt_err *err) {
    bool waited = false;
    bool ok = sql_adv_wait_loop(owner, k, shared, xact, level, wait, cancel, lock_timeout_ms,
                                got, &waited, err);
    if (waited) {
        ck_spinlock_lock(&sql_adv_lock);
        sql_adv_waiter_set(owner, NULL, false);
        ck_spinlock_unlock(&sql_adv_lock);
        sql_adv_note_wait(owner, NULL);
    }
    return ok;
}

bool sql_advisory_unlock(const void *owner, const sql_advisory_key *k, bool shared) {
    bool found = false;
    ck_spinlock_lock(&sql_adv_lock);
    for (uint32_t i = 0; i < SQL_ADVISORY_HOLDS_MAX && !found; i++) {
        sql_adv_hold *h = &sql_adv_holds[i];
        if (h->owner != owner || h->xact || h->shared != shared || !sql_adv_same(&h->k, k)) {
            continue;
        }
        found = true;
        if (--h->count == 0) {
            h->owner = NULL;
            sql_adv_used_add(-1);
        }
    }
    ck_spinlock_unlock(&sql_adv_lock);
    return found;
}

void sql_advisory_release(const void *owner, bool xact_only, bool session_only) {
    if (atomic_load_explicit(&sql_adv_used, memory_order_relaxed) == 0) return;
    ck_spinlock_lock(&sql_adv_lock);
    for (uint32_t i = 0; i < SQL_ADVISORY_HOLDS_MAX; i++) {
        sql_adv_hold *h = &sql_adv_holds[i];
        if (h->owner != owner) continue;
        if ((xact_only && !h->xact) || (session_only && h->xact)) continue;
        h->owner = NULL;
        sql_adv_used_add(-1);
    }
    ck_spinlock_unlock(&sql_adv_lock);
}

void sql_advisory_release_from(const void *owner, uint32_t level) {
    if (atomic_load_explicit(&sql_adv_used, memory_order_relaxed) == 0) return;
    ck_spinlock_lock(&sql_adv_lock);
    for (uint32_t i = 0; i < SQL_ADVISORY_HOLDS_MAX; i++) {
        sql_adv_hold *h = &sql_adv_holds[i];
        if (h->owner != owner || !h->xact || h->level < level) continue;
        h->owner = NULL;
        sql_adv_used_add(-1);
    }
    ck_spinlock_unlock(&sql_adv_lock);
}

void sql_advisory_merge_into(const void *owner, uint32_t level) {
    if (atomic_load_explicit(&sql_adv_used, memory_order_relaxed) == 0) return;
    ck_spinlock_lock(&sql_adv_lock);
    /* Two holds of one key at one level afterwards are harmless: conflicts are only checked
     * against other owners, and transaction-level holds are never unlocked one by one. */
    for (uint32_t i = 0; i < SQL_ADVISORY_HOLDS_MAX; i++) {
        sql_adv_hold *h = &sql_adv_holds[i];
        if (h->owner == owner && h->xact && h->level > level) h->level = level;
    }
    ck_spinlock_unlock(&sql_adv_lock);
}

/* Whether out[0..n) already has the lock (a session- and a transaction-level hold, or holds
 * of several savepoint levels, are one lock to pg_locks). */
static bool sql_adv_listed(const sql_advisory_info *out, uint32_t n, uint32_t cap,
                           const sql_advisory_info *e) {
    for (uint32_t i = 0; i < n && i < cap; i++) {
        if (out[i].pid == e->pid && out[i].shared == e->shared && out[i].granted &&
            sql_adv_same(&out[i].k, &e->k)) {
            return true;
        }
    }
    return false;
}

uint32_t sql_advisory_list(sql_advisory_info *out, uint32_t cap) {
    uint32_t n = 0;
    if (atomic_load_explicit(&sql_adv_used, memory_order_relaxed) == 0) return 0;
    ck_spinlock_lock(&sql_adv_lock);
    for (uint32_t i = 0; i < SQL_ADVISORY_HOLDS_MAX; i++) {
        const sql_adv_hold *h = &sql_adv_holds[i];
        if (h->owner == NULL) continue;
        sql_advisory_info e = {.k = h->k, .shared = h->shared, .granted = true};
        e.pid = sql_session_backend_pid != NULL ? sql_session_backend_pid(h->owner) : 0;
        if (sql_adv_listed(out, n, cap, &e)) continue;
        if (n < cap) out[n] = e;
        n++;
    }
    for (uint32_t i = 0; i < SQL_ADVISORY_WAITERS_MAX; i++) {
        const sql_adv_waiter *w = &sql_adv_waiters[i];
        if (w->owner == NULL) continue;
        if (n < cap) {
            out[n] = (sql_advisory_info){.k = w->k, .shared = w->shared, .seq = w->seq};
            out[n].pid = sql_session_backend_pid != NULL ? sql_session_backend_pid(w->owner) : 0;
        }
        n++;
    }
    ck_spinlock_unlock(&sql_adv_lock);
    return n;
}

bool sql_advisory_conflicts(const sql_advisory_info *a, const sql_advisory_info *b) {
    return a->pid != b->pid && sql_adv_same(&a->k, &b->k) && (!a->shared || !b->shared);
}
