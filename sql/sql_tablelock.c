/* sql_tablelock.c: table-level locks (sql_tablelock.h). */
#include "sql/sql_tablelock.h"

#include <string.h>

#include <ck_spinlock.h>

#include "engine/eng_tx.h"
#include "engine/eng_txn.h"
#include "net/net_pg.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

#define B(m) (1u << (m))

/* The network layer's backend table (pg_stat_activity's wait events): absent where no
 * server is linked. */
extern void net_pg_backend_wait(uint32_t pid, net_pg_wait wait, uint32_t holder_pid)
    __attribute__((weak));

/* PostgreSQL's table of conflicting lock modes (its "Table-Level Lock Modes"). */
static const uint32_t sql_tlock_table[SQL_TLOCK_ACCESS_EXCLUSIVE + 1] = {
    [SQL_TLOCK_ACCESS_SHARE] = B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_ROW_SHARE] = B(SQL_TLOCK_EXCLUSIVE) | B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_ROW_EXCLUSIVE] = B(SQL_TLOCK_SHARE) | B(SQL_TLOCK_SHARE_ROW_EXCLUSIVE) |
                                B(SQL_TLOCK_EXCLUSIVE) | B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE] = B(SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE) | B(SQL_TLOCK_SHARE) |
                                         B(SQL_TLOCK_SHARE_ROW_EXCLUSIVE) |
                                         B(SQL_TLOCK_EXCLUSIVE) | B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_SHARE] = B(SQL_TLOCK_ROW_EXCLUSIVE) | B(SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE) |
                        B(SQL_TLOCK_SHARE_ROW_EXCLUSIVE) | B(SQL_TLOCK_EXCLUSIVE) |
                        B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_SHARE_ROW_EXCLUSIVE] = B(SQL_TLOCK_ROW_EXCLUSIVE) |
                                      B(SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE) | B(SQL_TLOCK_SHARE) |
                                      B(SQL_TLOCK_SHARE_ROW_EXCLUSIVE) | B(SQL_TLOCK_EXCLUSIVE) |
                                      B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_EXCLUSIVE] = B(SQL_TLOCK_ROW_SHARE) | B(SQL_TLOCK_ROW_EXCLUSIVE) |
                            B(SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE) | B(SQL_TLOCK_SHARE) |
                            B(SQL_TLOCK_SHARE_ROW_EXCLUSIVE) | B(SQL_TLOCK_EXCLUSIVE) |
                            B(SQL_TLOCK_ACCESS_EXCLUSIVE),
    [SQL_TLOCK_ACCESS_EXCLUSIVE] = 0x1feu,
};

bool sql_tlock_conflicts(sql_tlock_mode a, sql_tlock_mode b) {
    return (sql_tlock_table[a] & B(b)) != 0;
}

sql_tlock_mode sql_tlock_mode_of(const char *text) {
    static const char *const names[] = {
        [SQL_TLOCK_ACCESS_SHARE] = "ACCESS SHARE", [SQL_TLOCK_ROW_SHARE] = "ROW SHARE",
        [SQL_TLOCK_ROW_EXCLUSIVE] = "ROW EXCLUSIVE",
        [SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE] = "SHARE UPDATE EXCLUSIVE",
        [SQL_TLOCK_SHARE] = "SHARE", [SQL_TLOCK_SHARE_ROW_EXCLUSIVE] = "SHARE ROW EXCLUSIVE",
        [SQL_TLOCK_EXCLUSIVE] = "EXCLUSIVE", [SQL_TLOCK_ACCESS_EXCLUSIVE] = "ACCESS EXCLUSIVE"};
    for (uint32_t m = SQL_TLOCK_ACCESS_SHARE; m <= SQL_TLOCK_ACCESS_EXCLUSIVE; m++) {
        if (strcmp(names[m], text) == 0) return (sql_tlock_mode)m;
    }
    return 0;
}

/* A weak hold: table oid << 8 | bit mask of the modes (ACCESS SHARE .. ROW EXCLUSIVE). */
struct sql_tlock_owner {
    uint32_t db_oid;
    uint32_t pid;            /* its backend (written once, at creation), 0 = none */
    uint32_t level;          /* the subtransaction new locks belong to (sql_tlock_set_level) */
    _Atomic uint64_t weak[SQL_TLOCK_WEAK_MAX];
    _Atomic uint32_t nweak;
    /* The level each weak mode was taken at (owner only): [entry][mode - ACCESS_SHARE]. */
    uint32_t weak_level[SQL_TLOCK_WEAK_MAX][SQL_TLOCK_ROW_EXCLUSIVE];
    _Atomic(const sql_tlock_owner *) waiting_for; /* deadlock detection; under the lock */
    _Atomic uint64_t txn;    /* the engine transaction's stamp, 0 = none (sql_tlock_set_txn) */
    _Atomic uint64_t wait_on; /* table oid << 8 | mode while it waits, 0 = none (pg_locks);
                                 written under the lock */
    uint64_t wait_seq;       /* its place in the table's queue of waiters, 0 = none (under
                                the lock) */
    bool jump;               /* goes before the earlier waiters it found itself in a cycle
                                with (sql_tlock_pause; owner only) */
    bool strong;             /* has LOCK TABLE holds */
    uint64_t waits;          /* weak locks that had to wait (written by the owner only) */
    const sql_tlock_owner *partner; /* a session-level owner's transaction owner (written once):
                                       the two never conflict, as one backend's locks in
                                       PostgreSQL */
    sql_tlock_owner *next;   /* the registry */
};

typedef struct sql_tlock_hold {
    const sql_tlock_owner *owner; /* NULL: free entry */
    uint32_t db_oid, table_oid;
    sql_tlock_mode mode;
    uint32_t level;               /* the owner's subtransaction level when taken */
} sql_tlock_hold;

/* One spin lock guards the holds and the registry: both change only at LOCK TABLE, at its
 * transaction's end and at session start and end, never per statement. */
static ck_spinlock_t sql_tlock_mutex = CK_SPINLOCK_INITIALIZER;
static sql_tlock_hold sql_tlock_holds[SQL_TLOCK_HOLDS_MAX];
static sql_tlock_owner *sql_tlock_owners;
static _Atomic uint32_t sql_tlock_nholds; /* statements look at the holds only when > 0 */
static _Atomic uint32_t sql_tlock_nwaiting; /* owners queued (wait_seq != 0): > 0 also makes
                                               statements look */
static uint64_t sql_tlock_seq;              /* the last wait_seq given (under the lock) */

static sql_tlock_owner *sql_tlock_owner_add(uint32_t db_oid, uint32_t pid,
                                            const sql_tlock_owner *partner) {
    sql_tlock_owner *o = rt_xcalloc(1, sizeof *o);
    o->db_oid = db_oid;
    o->pid = pid;
    o->partner = partner;
    ck_spinlock_lock(&sql_tlock_mutex);
    o->next = sql_tlock_owners;
    sql_tlock_owners = o;
    ck_spinlock_unlock(&sql_tlock_mutex);
    return o;
}

sql_tlock_owner *sql_tlock_owner_new(uint32_t db_oid, uint32_t pid) {
    return sql_tlock_owner_add(db_oid, pid, NULL);
}

sql_tlock_owner *sql_tlock_owner_session(const sql_tlock_owner *txn_owner) {
    return sql_tlock_owner_add(txn_owner->db_oid, txn_owner->pid, txn_owner);
}

/* Whether `a` and `b` are one session's (the same owner, or partners). */
static bool sql_tlock_same(const sql_tlock_owner *a, const sql_tlock_owner *b) {
    return a == b || a->partner == b || b->partner == a;
}

void sql_tlock_owner_free(sql_tlock_owner *o) {
    if (o == NULL) return;
    sql_tlock_release(o);
    ck_spinlock_lock(&sql_tlock_mutex);
    sql_tlock_owner **l = &sql_tlock_owners;
    while (*l != o) l = &(*l)->next;
    *l = o->next;
    ck_spinlock_unlock(&sql_tlock_mutex);
    rt_free(o);
}

/* ---- waiting ---- */

/* Under the lock: whether the chain of waits from `o` comes back to it. The first member to
 * look (the one that has waited longest, as in PostgreSQL) gives way: it leaves the chain at
 * once, so the others find no cycle. */
static bool sql_tlock_victim(sql_tlock_owner *o) {
    const sql_tlock_owner *cur = atomic_load(&o->waiting_for);
    for (uint32_t steps = 0; cur != NULL && steps < SQL_TLOCK_HOLDS_MAX; steps++) {
        if (cur == o) {
            atomic_store(&o->waiting_for, NULL);
            return true;
        }
        cur = atomic_load(&cur->waiting_for);
    }
    return false;
}

/* Whether `o` is the member of a cycle of waits that gives way. Waits between transactions
 * are published to the engine (eng_txn_note_wait), where row-lock waits are too: its walk
 * finds cycles through both kinds, and names one victim. An owner without a transaction
 * (VACUUM's lock) looks along the chain of owners instead; the first to look gives way. */
static bool sql_tlock_victim_of(sql_tlock_owner *o, uint64_t holder_txn) {
    uint64_t mine = atomic_load(&o->txn);
    if (mine != 0) return holder_txn != 0 && eng_txn_deadlock_victim(mine, holder_txn);
    ck_spinlock_lock(&sql_tlock_mutex);
    bool victim = sql_tlock_victim(o);
    ck_spinlock_unlock(&sql_tlock_mutex);
    return victim;
}

/* One poll of a wait for `holder` (whose transaction is `holder_txn`, read under the lock)
 * that began at `started_ns`: false with *err set when it ends in failure. `soft`: `holder`
 * holds nothing we need but queued before us; when it turns out to wait, directly or through
 * others, for us, we go before it, as PostgreSQL's deadlock detector rearranges the queue. */
static bool sql_tlock_pause(sql_tlock_owner *o, const sql_tlock_owner *holder,
                            uint64_t holder_txn, bool soft, const sql_tlock_wait *w,
                            uint64_t started_ns, rt_err *err) {
    atomic_store(&o->waiting_for, holder);
    if (net_pg_backend_wait != NULL && o->pid != 0) {
        net_pg_backend_wait(o->pid, NET_PG_WAIT_RELATION, holder != NULL ? holder->pid : 0);
    }
    uint64_t mine = atomic_load(&o->txn);
    if (mine != 0 && soft && holder_txn != 0) eng_txn_note_soft_wait(mine, holder_txn);
    else if (mine != 0) eng_txn_note_wait(mine, holder_txn);
    uint64_t waited = rt_time_mono_ns() - started_ns;
    if (waited >= ENG_DEADLOCK_TIMEOUT_NS && soft) {
        if (mine != 0 && holder_txn != 0 && eng_txn_soft_cycle(mine, holder_txn)) o->jump = true;
    } else if (waited >= ENG_DEADLOCK_TIMEOUT_NS && sql_tlock_victim_of(o, holder_txn)) {
        rt_err_set(err, SQLSTATE_DEADLOCK_DETECTED, "deadlock detected");
        rt_err_detail(err, "The transaction waited for a lock held by one that waits, directly "
                           "or through others, for it.");
        return false;
    }
    if (w->cancel != NULL && atomic_load(w->cancel)) {
        return rt_err_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
    }
    if (w->lock_timeout_ms > 0 && waited >= (uint64_t)w->lock_timeout_ms * RT_NS_PER_MS) {
        return rt_err_set(err, SQLSTATE_LOCK_NOT_AVAILABLE,
                          "canceling statement due to lock timeout");
    }
    rt_fiber_sleep_ns(SQL_TLOCK_POLL_NS);
    return true;
}

void sql_tlock_note_wait(sql_tlock_owner *o, uint64_t holder_txn) {
    if (o == NULL || o->pid == 0 || net_pg_backend_wait == NULL) return;
    uint32_t holder_pid = 0;
    ck_spinlock_lock(&sql_tlock_mutex);
    for (const sql_tlock_owner *h = sql_tlock_owners; h != NULL && holder_txn != 0;
         h = h->next) {
        if (h != o && eng_stamp_same_txn(atomic_load(&h->txn), holder_txn)) holder_pid = h->pid;
    }
    ck_spinlock_unlock(&sql_tlock_mutex);
    net_pg_backend_wait(o->pid, holder_txn != 0 ? NET_PG_WAIT_RELATION : NET_PG_WAIT_NONE,
                        holder_pid);
}

/* Under the lock: `o` waits for `mode` on the table; it keeps the place in the queue its
 * first wait gave it until the wait ends. */
static void sql_tlock_enqueue(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode) {
    atomic_store(&o->wait_on, (uint64_t)table_oid << 8 | mode);
    if (o->wait_seq != 0) return;
    o->wait_seq = ++sql_tlock_seq;
    atomic_fetch_add(&sql_tlock_nwaiting, 1);
}

/* Under the lock: `o` waits no longer (granted, or given up). Granting clears the wait in the
 * same critical section as the look that granted, so no one sees a granted hold as waiting. */
static void sql_tlock_dequeue(sql_tlock_owner *o) {
    atomic_store(&o->wait_on, 0);
    o->jump = false;
    if (o->wait_seq == 0) return;
    o->wait_seq = 0;
    atomic_fetch_sub(&sql_tlock_nwaiting, 1);
}

static bool sql_tlock_waited(sql_tlock_owner *o, bool ok) {
    ck_spinlock_lock(&sql_tlock_mutex); /* a detector may be reading the chain */
    atomic_store(&o->waiting_for, NULL);
    sql_tlock_dequeue(o);
    ck_spinlock_unlock(&sql_tlock_mutex);
    if (net_pg_backend_wait != NULL && o->pid != 0) {
        net_pg_backend_wait(o->pid, NET_PG_WAIT_NONE, 0);
    }
    uint64_t mine = atomic_load(&o->txn);
    if (mine != 0) eng_txn_note_wait(mine, 0);
    return ok;
}

/* ---- LOCK TABLE ---- */

/* Under the lock: whether hold `h` is only published, its owner still waiting to be granted
 * it (a LOCK TABLE waiting for weak holders): a waiter, not a holder. */
static bool sql_tlock_hold_waits(const sql_tlock_hold *h) {
    return atomic_load(&h->owner->wait_on) == ((uint64_t)h->table_oid << 8 | h->mode);
}

/* Under the lock: another owner's granted hold on the table that conflicts with `mode`, or
 * NULL. */
static const sql_tlock_owner *sql_tlock_held(const sql_tlock_owner *o, uint32_t table_oid,
                                             sql_tlock_mode mode) {
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        const sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner == NULL || sql_tlock_same(h->owner, o) || h->table_oid != table_oid ||
            h->db_oid != o->db_oid) {
            continue;
        }
        if (sql_tlock_conflicts(h->mode, mode) && !sql_tlock_hold_waits(h)) return h->owner;
    }
    return NULL;
}

/* Under the lock: the modes `o` holds on the table, granted (weak locks and holds). */
static uint32_t sql_tlock_mask_of(const sql_tlock_owner *o, uint32_t table_oid) {
    uint32_t mask = 0;
    uint32_t n = atomic_load(&o->nweak);
    for (uint32_t i = 0; i < n && i < SQL_TLOCK_WEAK_MAX; i++) {
        uint64_t e = atomic_load(&o->weak[i]);
        if ((uint32_t)(e >> 8) == table_oid) mask |= (uint32_t)(e & 0xffu);
    }
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        const sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner != NULL && sql_tlock_same(h->owner, o) && h->table_oid == table_oid &&
            !sql_tlock_hold_waits(h)) {
            mask |= B(h->mode);
        }
    }
    return mask;
}

/* Under the lock: an owner queued for the table before `o` (or at all, if `o` is not queued)
 * whose requested mode conflicts with `mode`, or NULL. As PostgreSQL's lock queues: a request
 * waits behind an earlier conflicting request, so a stream of compatible requests cannot
 * starve a waiter; but one that already holds a mode the earlier request conflicts with goes
 * before it (that waiter waits for it anyway: PostgreSQL's ProcSleep puts it ahead). */
static const sql_tlock_owner *sql_tlock_ahead(const sql_tlock_owner *o, uint32_t table_oid,
                                              sql_tlock_mode mode) {
    if (atomic_load(&sql_tlock_nwaiting) == 0 || o->jump) return NULL;
    uint32_t held = UINT32_MAX; /* looked up at the first candidate */
    for (const sql_tlock_owner *x = sql_tlock_owners; x != NULL; x = x->next) {
        uint64_t w = atomic_load(&x->wait_on);
        if (sql_tlock_same(x, o) || x->db_oid != o->db_oid || x->wait_seq == 0 ||
            (o->wait_seq != 0 && x->wait_seq > o->wait_seq) || (uint32_t)(w >> 8) != table_oid) {
            continue;
        }
        sql_tlock_mode xm = (sql_tlock_mode)(w & 0xffu);
        if (!sql_tlock_conflicts(xm, mode)) continue;
        /* The mode asked for is not held yet (else no wait): a weak request shows it already. */
        if (held == UINT32_MAX) held = sql_tlock_mask_of(o, table_oid) & ~B(mode);
        if ((held & sql_tlock_table[xm]) != 0) continue;
        return x;
    }
    return NULL;
}

/* Under the lock: whether the weak mode `m` that `x` shows on the table is only a retry: x
 * waits for a LOCK TABLE hold to take m (wait_on), and shows m between its tries only to look
 * again (sql_tlock_weak publishes, looks, withdraws). Its wait_on is cleared only after it looked
 * and found the table free, so a mode it has really taken is never seen as a retry. */
static bool sql_tlock_retrying(const sql_tlock_owner *x, uint32_t table_oid, uint32_t m) {
    return atomic_load(&x->wait_on) == ((uint64_t)table_oid << 8 | m);
}

/* Under the lock: another owner holding a weak lock on the table that conflicts with `mode`.
 * One that holds a conflicting mode for good comes first; one that only shows a mode it
 * retries is returned with *retrying set: we wait for it (it may be about to keep the mode),
 * but it waits for us, so that wait is no edge of the wait-for graph (else a LOCK TABLE and
 * a writer queued behind it would look like a cycle). */
static const sql_tlock_owner *sql_tlock_weak_holder(const sql_tlock_owner *o, uint32_t table_oid,
                                                    sql_tlock_mode mode, bool *retrying) {
    const sql_tlock_owner *retry = NULL;
    for (const sql_tlock_owner *x = sql_tlock_owners; x != NULL; x = x->next) {
        if (sql_tlock_same(x, o) || x->db_oid != o->db_oid) continue;
        uint32_t n = atomic_load(&x->nweak);
        for (uint32_t i = 0; i < n && i < SQL_TLOCK_WEAK_MAX; i++) {
            uint64_t e = atomic_load(&x->weak[i]);
            if ((uint32_t)(e >> 8) != table_oid) continue;
            for (uint32_t m = SQL_TLOCK_ACCESS_SHARE; m <= SQL_TLOCK_ROW_EXCLUSIVE; m++) {
                if ((e & B(m)) == 0 || !sql_tlock_conflicts((sql_tlock_mode)m, mode)) continue;
                if (!sql_tlock_retrying(x, table_oid, m)) {
                    *retrying = false;
                    return x;
                }
                if (retry == NULL) retry = x;
            }
        }
    }
    *retrying = retry != NULL;
    return retry;
}

static void sql_tlock_drop_hold(sql_tlock_hold *h) {
    h->owner = NULL;
    atomic_fetch_sub(&sql_tlock_nholds, 1);
}

/* Under the lock: whether the owner holds the table in `mode` already. */
static bool sql_tlock_own(const sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode) {
    for (uint32_t i = 0; o->strong && i < SQL_TLOCK_HOLDS_MAX; i++) {
        const sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner == o && h->table_oid == table_oid && h->mode == mode) return true;
    }
    return false;
}

/* Under the lock: a new hold (NULL when the table is full). */
static sql_tlock_hold *sql_tlock_add_hold(sql_tlock_owner *o, uint32_t table_oid,
                                          sql_tlock_mode mode) {
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner != NULL) continue;
        *h = (sql_tlock_hold){.owner = o, .db_oid = o->db_oid, .table_oid = table_oid,
                              .mode = mode, .level = o->level};
        atomic_fetch_add(&sql_tlock_nholds, 1); /* before the weak holders are looked at */
        o->strong = true;
        return h;
    }
    return NULL;
}

static bool sql_tlock_full(rt_err *err) {
    rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "out of shared memory");
    rt_err_hint(err, "You might need to increase max_locks_per_transaction.");
    return false;
}

static bool sql_tlock_busy(const char *name, rt_err *err) {
    return rt_err_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "could not obtain lock on relation \"%s\"",
                      name);
}

/* Takes the hold once no other granted hold and no earlier waiter conflicts (*h), then waits
 * for the weak holders. */
bool sql_tlock_lock(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode,
                    const char *name, const sql_tlock_wait *w, rt_err *err) {
    uint64_t started = rt_time_mono_ns();
    sql_tlock_hold *h = NULL;
    ck_spinlock_lock(&sql_tlock_mutex);
    bool again = sql_tlock_own(o, table_oid, mode);
    ck_spinlock_unlock(&sql_tlock_mutex);
    if (again) return true; /* the transaction holds it already */
    for (;;) {
        ck_spinlock_lock(&sql_tlock_mutex);
        const sql_tlock_owner *holder = sql_tlock_held(o, table_oid, mode);
        bool soft = holder == NULL && h == NULL;
        if (soft) holder = sql_tlock_ahead(o, table_oid, mode);
        soft = soft && holder != NULL;
        if (holder == NULL && h == NULL) {
            h = sql_tlock_add_hold(o, table_oid, mode);
            if (h == NULL) {
                ck_spinlock_unlock(&sql_tlock_mutex);
                return sql_tlock_waited(o, sql_tlock_full(err));
            }
        }
        bool retrying = false;
        if (holder == NULL) holder = sql_tlock_weak_holder(o, table_oid, mode, &retrying);
        if (holder == NULL) {
            sql_tlock_dequeue(o);
            ck_spinlock_unlock(&sql_tlock_mutex);
            return sql_tlock_waited(o, true);
        }
        sql_tlock_enqueue(o, table_oid, mode);
        uint64_t holder_txn = atomic_load(&holder->txn); /* registered owners live meanwhile */
        ck_spinlock_unlock(&sql_tlock_mutex);
        bool ok = !w->nowait || sql_tlock_busy(name, err);
        o->waits++;
        if (retrying) holder = NULL, holder_txn = 0; /* it waits for us: no edge this poll */
        ok = ok && sql_tlock_pause(o, holder, holder_txn, soft, w, started, err);
        if (!ok) {
            if (h != NULL) {
                ck_spinlock_lock(&sql_tlock_mutex);
                sql_tlock_drop_hold(h);
                ck_spinlock_unlock(&sql_tlock_mutex);
            }
            return sql_tlock_waited(o, false);
        }
    }
}

/* ---- waiting for lockers ---- */

/* Under the lock: whether owner `x` (not `o`) holds a weak lock or a hold on the table that
 * conflicts with `mode`. */
static bool sql_tlock_locks(const sql_tlock_owner *o, const sql_tlock_owner *x,
                            uint32_t table_oid, sql_tlock_mode mode) {
    if (sql_tlock_same(x, o) || x->db_oid != o->db_oid) return false;
    uint32_t n = atomic_load(&x->nweak);
    for (uint32_t i = 0; i < n && i < SQL_TLOCK_WEAK_MAX; i++) {
        uint64_t e = atomic_load(&x->weak[i]);
        if ((uint32_t)(e >> 8) != table_oid) continue;
        for (uint32_t m = SQL_TLOCK_ACCESS_SHARE; m <= SQL_TLOCK_ROW_EXCLUSIVE; m++) {
            if ((e & B(m)) != 0 && sql_tlock_conflicts((sql_tlock_mode)m, mode) &&
                !sql_tlock_retrying(x, table_oid, m)) {
                return true;
            }
        }
    }
    for (uint32_t i = 0; x->strong && i < SQL_TLOCK_HOLDS_MAX; i++) {
        const sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner == x && h->table_oid == table_oid && sql_tlock_conflicts(h->mode, mode)) {
            return true;
        }
    }
    return false;
}

/* Under the lock: how many of the remembered lockers (owner, transaction) still hold their
 * lock in the same transaction; those that do not are dropped. Owners stay registered while
 * listed (a session frees its owner only after its transaction ends, and a new transaction
 * has another stamp). */
static uint32_t sql_tlock_lockers_left(const sql_tlock_owner *o, uint32_t table_oid,
                                       sql_tlock_mode mode, const sql_tlock_owner **who,
                                       uint64_t *txn, uint32_t n) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool live = false;
        for (const sql_tlock_owner *x = sql_tlock_owners; x != NULL && !live; x = x->next) {
            live = x == who[i] && atomic_load(&x->txn) == txn[i] &&
                   sql_tlock_locks(o, x, table_oid, mode);
        }
        if (!live) continue;
        who[k] = who[i];
        txn[k++] = txn[i];
    }
    return k;
}

bool sql_tlock_wait_lockers(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode,
                            const sql_tlock_wait *w, rt_err *err) {
    const sql_tlock_owner **who = rt_xmalloc(sizeof *who * SQL_TLOCK_LOCKERS_MAX);
    uint64_t *txn = rt_xmalloc(sizeof *txn * SQL_TLOCK_LOCKERS_MAX);
    uint32_t n = 0;
    uint64_t started = rt_time_mono_ns();
    ck_spinlock_lock(&sql_tlock_mutex);
    for (const sql_tlock_owner *x = sql_tlock_owners; x != NULL; x = x->next) {
        if (n < SQL_TLOCK_LOCKERS_MAX && sql_tlock_locks(o, x, table_oid, mode)) {
            who[n] = x;
            txn[n++] = atomic_load(&x->txn);
        }
    }
    ck_spinlock_unlock(&sql_tlock_mutex);
    bool ok = true;
    while (ok) {
        ck_spinlock_lock(&sql_tlock_mutex);
        n = sql_tlock_lockers_left(o, table_oid, mode, who, txn, n);
        const sql_tlock_owner *holder = n > 0 ? who[0] : NULL;
        uint64_t holder_txn = n > 0 ? txn[0] : 0;
        ck_spinlock_unlock(&sql_tlock_mutex);
        if (holder == NULL) break;
        ok = sql_tlock_pause(o, holder, holder_txn, false, w, started, err);
    }
    rt_free(who);
    rt_free(txn);
    return sql_tlock_waited(o, ok);
}

/* ---- a statement's weak locks ---- */

static uint32_t sql_tlock_find(const sql_tlock_owner *o, uint32_t table_oid) {
    uint32_t n = atomic_load_explicit(&o->nweak, memory_order_relaxed);
    for (uint32_t i = 0; i < n; i++) {
        if ((uint32_t)(atomic_load_explicit(&o->weak[i], memory_order_relaxed) >> 8) ==
            table_oid) {
            return i;
        }
    }
    return UINT32_MAX;
}

bool sql_tlock_weak(sql_tlock_owner *o, uint32_t table_oid, sql_tlock_mode mode,
                    const sql_tlock_wait *w, rt_err *err) {
    RT_ASSERT(mode >= SQL_TLOCK_ACCESS_SHARE && mode <= SQL_TLOCK_ROW_EXCLUSIVE);
    uint32_t i = sql_tlock_find(o, table_oid);
    uint64_t before = i == UINT32_MAX ? 0 : atomic_load(&o->weak[i]);
    if ((before & B(mode)) != 0) return true; /* this transaction holds it already */
    uint32_t n = atomic_load(&o->nweak);
    if (i == UINT32_MAX && n == SQL_TLOCK_WEAK_MAX) {
        /* A transaction of many tables: the rest are held in the shared table (slower, as
         * every statement then looks there, but as correct). */
        return sql_tlock_lock(o, table_oid, mode, "", w, err);
    }
    uint64_t started = 0; /* read at the first conflict: most calls never wait */
    for (;;) {
        /* Publish first, then look: a LOCK TABLE adds its hold first, then looks. */
        if (i == UINT32_MAX) {
            atomic_store(&o->weak[n], (uint64_t)table_oid << 8 | B(mode));
            atomic_store(&o->nweak, n + 1);
            o->weak_level[n][mode - 1] = o->level;
        } else {
            atomic_store(&o->weak[i], before | B(mode));
            o->weak_level[i][mode - 1] = o->level;
        }
        if (atomic_load(&sql_tlock_nholds) == 0 && atomic_load(&sql_tlock_nwaiting) == 0) {
            /* Not waited in this call (its first try): nothing to withdraw. */
            return atomic_load(&o->wait_on) == 0 || sql_tlock_waited(o, true);
        }
        ck_spinlock_lock(&sql_tlock_mutex);
        const sql_tlock_owner *holder = sql_tlock_held(o, table_oid, mode);
        bool soft = holder == NULL;
        if (soft) holder = sql_tlock_ahead(o, table_oid, mode);
        if (holder == NULL) {
            sql_tlock_dequeue(o);
            ck_spinlock_unlock(&sql_tlock_mutex);
            return sql_tlock_waited(o, true);
        }
        sql_tlock_enqueue(o, table_oid, mode);
        uint64_t holder_txn = atomic_load(&holder->txn);
        ck_spinlock_unlock(&sql_tlock_mutex);
        /* Withdraw while waiting, so that the LOCK TABLE holder is not waiting for us. */
        if (i == UINT32_MAX) atomic_store(&o->nweak, n);
        else atomic_store(&o->weak[i], before);
        o->waits++;
        if (started == 0) started = rt_time_mono_ns();
        if (!sql_tlock_pause(o, holder, holder_txn, soft, w, started, err)) {
            return sql_tlock_waited(o, false);
        }
    }
}

uint64_t sql_tlock_waits(const sql_tlock_owner *o) { return o != NULL ? o->waits : 0; }

void sql_tlock_release(sql_tlock_owner *o) {
    if (o == NULL) return;
    atomic_store(&o->nweak, 0);
    if (!o->strong) return;
    ck_spinlock_lock(&sql_tlock_mutex);
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        if (sql_tlock_holds[i].owner == o) sql_tlock_drop_hold(&sql_tlock_holds[i]);
    }
    ck_spinlock_unlock(&sql_tlock_mutex);
    o->strong = false;
}

/* ---- subtransactions ---- */

void sql_tlock_set_level(sql_tlock_owner *o, uint32_t level) { o->level = level; }
uint32_t sql_tlock_level(const sql_tlock_owner *o) { return o->level; }

void sql_tlock_set_txn(sql_tlock_owner *o, uint64_t txn) { atomic_store(&o->txn, txn); }

/* Weak modes taken at `level` or deeper are dropped (with `to` == UINT32_MAX), or become
 * `to`'s. Trailing entries left without a mode go, so the array does not grow with every
 * rolled-back savepoint; a LOCK TABLE reading meanwhile sees a mode or its absence, both
 * true at some moment. */
static void sql_tlock_weak_subxact(sql_tlock_owner *o, uint32_t level, uint32_t to) {
    uint32_t n = atomic_load(&o->nweak);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t e = atomic_load(&o->weak[i]);
        for (uint32_t m = SQL_TLOCK_ACCESS_SHARE; m <= SQL_TLOCK_ROW_EXCLUSIVE; m++) {
            if ((e & B(m)) == 0 || o->weak_level[i][m - 1] < level) continue;
            if (to == UINT32_MAX) e &= ~(uint64_t)B(m);
            else o->weak_level[i][m - 1] = to;
        }
        atomic_store(&o->weak[i], e);
    }
    while (n > 0 && (atomic_load(&o->weak[n - 1]) & 0xffu) == 0) n--;
    atomic_store(&o->nweak, n);
}

/* The same for the owner's holds in the shared table. */
static void sql_tlock_holds_subxact(sql_tlock_owner *o, uint32_t level, uint32_t to) {
    if (!o->strong) return;
    bool strong = false;
    ck_spinlock_lock(&sql_tlock_mutex);
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner != o) continue;
        if (h->level >= level && to == UINT32_MAX) {
            sql_tlock_drop_hold(h);
            continue;
        }
        if (h->level >= level) h->level = to;
        strong = true;
    }
    ck_spinlock_unlock(&sql_tlock_mutex);
    o->strong = strong;
}

void sql_tlock_release_from(sql_tlock_owner *o, uint32_t level) {
    if (o == NULL) return;
    sql_tlock_weak_subxact(o, level, UINT32_MAX);
    sql_tlock_holds_subxact(o, level, UINT32_MAX);
}

void sql_tlock_merge_into(sql_tlock_owner *o, uint32_t level) {
    if (o == NULL) return;
    sql_tlock_weak_subxact(o, level + 1, level);
    sql_tlock_holds_subxact(o, level + 1, level);
}

/* ---- pg_locks ---- */

const char *sql_tlock_mode_lock_name(sql_tlock_mode mode) {
    static const char *const names[] = {
        [SQL_TLOCK_ACCESS_SHARE] = "AccessShareLock",
        [SQL_TLOCK_ROW_SHARE] = "RowShareLock",
        [SQL_TLOCK_ROW_EXCLUSIVE] = "RowExclusiveLock",
        [SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE] = "ShareUpdateExclusiveLock",
        [SQL_TLOCK_SHARE] = "ShareLock",
        [SQL_TLOCK_SHARE_ROW_EXCLUSIVE] = "ShareRowExclusiveLock",
        [SQL_TLOCK_EXCLUSIVE] = "ExclusiveLock",
        [SQL_TLOCK_ACCESS_EXCLUSIVE] = "AccessExclusiveLock"};
    return mode >= SQL_TLOCK_ACCESS_SHARE && mode <= SQL_TLOCK_ACCESS_EXCLUSIVE ? names[mode]
                                                                                : "";
}

static void sql_tlock_list_add(sql_tlock_info *out, uint32_t cap, uint32_t *n,
                               const sql_tlock_owner *o, uint32_t table_oid, uint32_t mode,
                               bool granted) {
    if (table_oid == SQL_TLOCK_CATALOG_OID) return; /* the catalog's lock is ours alone */
    if (*n < cap) {
        out[*n] = (sql_tlock_info){.pid = o->pid, .db_oid = o->db_oid, .table_oid = table_oid,
                                   .mode = (sql_tlock_mode)mode, .granted = granted};
    }
    (*n)++;
}

/* Under the lock: whether the shared table holds `o`'s hold `w` (table oid << 8 | mode). */
static bool sql_tlock_list_has_hold(const sql_tlock_owner *o, uint64_t w) {
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        const sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner == o && w == ((uint64_t)h->table_oid << 8 | h->mode)) return true;
    }
    return false;
}

/* Under the lock: one owner's weak locks, and the wait of a statement whose wait has no hold
 * in the shared table: a weak lock withdrawn to wait, or a LOCK TABLE that waits for another
 * hold before adding its own (one waiting for weak holders waits with its hold: see below).
 * pg_locks and pg_blocking_pids need every wait. */
static void sql_tlock_list_owner(const sql_tlock_owner *o, sql_tlock_info *out, uint32_t cap,
                                 uint32_t *n) {
    uint32_t nweak = atomic_load(&o->nweak);
    for (uint32_t i = 0; i < nweak && i < SQL_TLOCK_WEAK_MAX; i++) {
        uint64_t e = atomic_load(&o->weak[i]);
        for (uint32_t m = SQL_TLOCK_ACCESS_SHARE; m <= SQL_TLOCK_ROW_EXCLUSIVE; m++) {
            if ((e & B(m)) != 0) sql_tlock_list_add(out, cap, n, o, (uint32_t)(e >> 8), m, true);
        }
    }
    uint64_t w = atomic_load(&o->wait_on);
    if (w != 0 && !sql_tlock_list_has_hold(o, w)) {
        sql_tlock_list_add(out, cap, n, o, (uint32_t)(w >> 8), (uint32_t)(w & 0xff), false);
    }
}

uint32_t sql_tlock_list(sql_tlock_info *out, uint32_t cap) {
    uint32_t n = 0;
    ck_spinlock_lock(&sql_tlock_mutex);
    for (uint32_t i = 0; i < SQL_TLOCK_HOLDS_MAX; i++) {
        const sql_tlock_hold *h = &sql_tlock_holds[i];
        if (h->owner == NULL) continue;
        uint64_t w = atomic_load(&h->owner->wait_on);
        bool waiting = w == ((uint64_t)h->table_oid << 8 | h->mode);
        sql_tlock_list_add(out, cap, &n, h->owner, h->table_oid, h->mode, !waiting);
    }
    for (const sql_tlock_owner *o = sql_tlock_owners; o != NULL; o = o->next) {
        sql_tlock_list_owner(o, out, cap, &n);
    }
    ck_spinlock_unlock(&sql_tlock_mutex);
    return n;
}
