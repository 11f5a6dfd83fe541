/* sql_pgcat_locks.c: pg_locks, the locks held and waited for in the whole server, as
 * PostgreSQL 15 shows them: table locks (locktype relation: LOCK TABLE's and DDL's holds, and
 * the ACCESS SHARE / ROW SHARE / ROW EXCLUSIVE locks of statements while their transactions
 * hold them, waits not granted; the same mode on each index of a table a statement scans or
 * updates or deletes from, as PostgreSQL's planner takes it), advisory locks (classid, objid and objsubid from the key as
 * PostgreSQL splits it: 1 for the bigint form, 2 for the two int4 form), transaction ids
 * (each transaction holds ExclusiveLock on its own id once it has one; a session waiting for a
 * row's writer waits for ShareLock on that writer's id) and virtual transaction ids (every
 * session in a transaction holds ExclusiveLock on its own, "backend/local": the backend's
 * slot + 1 and its count of transactions; every row names its session's in
 * virtualtransaction, "backend/0" outside a transaction, as PostgreSQL's); advisory locks
 * waited for are rows not granted; a row-lock wait's tuple lock (held by the row's first
 * waiter, waited for by those queued behind it); a sequence's RowExclusiveLock while its
 * transaction used it (nextval, setval, currval, lastval). Not listed: object locks. fastpath
 * is true for virtual ids (as PostgreSQL's, which always takes them there), false elsewhere;
 * waitstart NULL throughout. */
#include <stdio.h>
#include <string.h>

#include "engine/eng_part.h"
#include "net/net_pg.h"
#include "sql/sql_advisory.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_tablelock.h"

extern uint32_t net_pg_backend_slots(void) __attribute__((weak));
extern bool net_pg_activity_get(uint32_t slot, net_pg_activity *out) __attribute__((weak));
extern bool net_pg_activity_of(uint32_t pid, net_pg_activity *out) __attribute__((weak));

/* Room for the first look at a lock list; a longer one is read again at its length. */
#define PC_LOCKS_FIRST 256u

/* Bytes of a virtual transaction id's text ("4294967295/4294967295"). */
#define PC_VXID_BYTES 24u

/* The virtual transaction id of each backend slot, read once per scan: pg_locks lists it in
 * the virtualtransaction column of every lock of its session. */
typedef struct pc_vxids {
    uint32_t nslots;
    char (*text)[PC_VXID_BYTES]; /* per slot; "" = no open session */
    bool *in_txn;                /* per slot: it holds its virtual id's lock */
} pc_vxids;

static _Thread_local pc_vxids pc_vx; /* set by pc_scan_locks for the scan it runs on this shard:
                                        a scan never yields between setting and using it */

static bool pc_vxids_read(pc_row *r, pc_vxids *v) {
    memset(v, 0, sizeof *v);
    if (net_pg_backend_slots == NULL || net_pg_activity_get == NULL) return true;
    rt_arena *arena = r->x->arena;
    v->nslots = net_pg_backend_slots();
    net_pg_activity *a = rt_arena_alloc(arena, sizeof *a);
    v->text = rt_arena_alloc(arena, (size_t)v->nslots * PC_VXID_BYTES + 1);
    v->in_txn = rt_arena_alloc(arena, (size_t)v->nslots + 1);
    if (a == NULL || v->text == NULL || v->in_txn == NULL) return rt_arena_fail(arena, r->x->err);
    for (uint32_t slot = 0; slot < v->nslots; slot++) {
        v->text[slot][0] = '\0';
        v->in_txn[slot] = false;
        if (!net_pg_activity_get(slot, a) || a->state == NET_PG_STATE_STARTING) continue;
        v->in_txn[slot] = a->state == NET_PG_STATE_ACTIVE ||
                          a->state == NET_PG_STATE_IDLE_IN_TXN ||
                          a->state == NET_PG_STATE_IDLE_IN_TXN_ABORTED;
        snprintf(v->text[slot], PC_VXID_BYTES, "%u/%u", slot + 1,
                 v->in_txn[slot] ? a->vxid_local : 0u);
    }
    return true;
}

/* The virtual transaction id of backend `pid`'s session, NULL when it has none. */
static const char *pc_vxid_of(uint32_t pid) {
    if (pid < NET_PG_PID_BASE || pid - NET_PG_PID_BASE >= pc_vx.nslots) return NULL;
    const char *t = pc_vx.text[pid - NET_PG_PID_BASE];
    return t[0] != '\0' ? t : NULL;
}

static void pc_lock_row(pc_row *r, const char *locktype, uint32_t pid, const char *mode,
                        bool granted) {
    pc_clear(r);
    pc_str(r, "locktype", locktype);
    static const char *const nullable[] = {"database", "relation", "page", "tuple",
                                           "transactionid", "classid", "objid", "objsubid"};
    for (uint32_t i = 0; i < sizeof nullable / sizeof nullable[0]; i++) pc_null(r, nullable[i]);
    if (pid != 0) {
        pc_int(r, "pid", pid);
    } else {
        pc_null(r, "pid");
    }
    pc_str(r, "virtualtransaction", pc_vxid_of(pid));
    pc_str(r, "mode", mode);
    pc_bool(r, "granted", granted);
    pc_bool(r, "fastpath", false);
}

/* Every session in a transaction holds ExclusiveLock on its own virtual transaction id. */
static bool pc_locks_vxids(pc_row *r) {
    for (uint32_t slot = 0; slot < pc_vx.nslots; slot++) {
        if (!pc_vx.in_txn[slot]) continue;
        pc_lock_row(r, "virtualxid", NET_PG_PID_BASE + slot, "ExclusiveLock", true);
        pc_str(r, "virtualxid", pc_vx.text[slot]);
        pc_bool(r, "fastpath", true);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_locks_tables(pc_row *r) {
    rt_arena *arena = r->x->arena;
    uint32_t cap = PC_LOCKS_FIRST;
    sql_tlock_info *locks = rt_arena_alloc(arena, cap * sizeof *locks);
    if (locks == NULL) return rt_arena_fail(arena, r->x->err);
    uint32_t n = sql_tlock_list(locks, cap);
    if (n > cap) {
        cap = n + PC_LOCKS_FIRST; /* some may come meanwhile: those are not listed */
        locks = rt_arena_alloc(arena, cap * sizeof *locks);
        if (locks == NULL) return rt_arena_fail(arena, r->x->err);
        n = sql_tlock_list(locks, cap);
        if (n > cap) n = cap;
    }
    for (uint32_t i = 0; i < n; i++) {
        const sql_tlock_info *l = &locks[i];
        pc_lock_row(r, "relation", l->pid, sql_tlock_mode_lock_name(l->mode), l->granted);
        pc_int(r, "database", l->db_oid);
        pc_int(r, "relation", l->table_oid);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_locks_advisory(pc_row *r) {
    rt_arena *arena = r->x->arena;
    uint32_t cap = PC_LOCKS_FIRST;
    sql_advisory_info *locks = rt_arena_alloc(arena, cap * sizeof *locks);
    if (locks == NULL) return rt_arena_fail(arena, r->x->err);
    uint32_t n = sql_advisory_list(locks, cap);
    if (n > cap) {
        cap = n + PC_LOCKS_FIRST;
        locks = rt_arena_alloc(arena, cap * sizeof *locks);
        if (locks == NULL) return rt_arena_fail(arena, r->x->err);
        n = sql_advisory_list(locks, cap);
        if (n > cap) n = cap;
    }
    for (uint32_t i = 0; i < n; i++) {
        const sql_advisory_info *l = &locks[i];
        pc_lock_row(r, "advisory", l->pid, l->shared ? "ShareLock" : "ExclusiveLock",
                    l->granted);
        pc_int(r, "database", l->k.db_oid);
        pc_int(r, "classid", (uint32_t)((uint64_t)l->k.key >> 32));
        pc_int(r, "objid", (uint32_t)l->k.key);
        pc_int(r, "objsubid", l->k.space);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* A transaction id lock: the low 32 bits, as pg_stat_activity.backend_xid. */
static bool pc_locks_xid(pc_row *r, uint32_t pid, uint64_t xid, bool own) {
    pc_lock_row(r, "transactionid", pid, own ? "ExclusiveLock" : "ShareLock", own);
    pc_int(r, "transactionid", (uint32_t)xid);
    return pc_add(r);
}

/* The tuple lock of a row-lock wait: held by the row's first waiter (which waits for the
 * holder's transaction id), waited for by the others, in the mode PostgreSQL gives the row
 * lock asked for (AccessShareLock for FOR KEY SHARE, RowShareLock for FOR SHARE,
 * ExclusiveLock for FOR NO KEY UPDATE and an UPDATE of no key, AccessExclusiveLock for FOR
 * UPDATE, DELETE and an UPDATE of the key). page and tuple name the row version's partition
 * and slot as eng_tid_page / eng_tid_tuple number them (a version's place, as PostgreSQL's
 * ctid is). */
static bool pc_locks_tuple(pc_row *r, const net_pg_activity *a, bool granted) {
    static const char *const modes[] = {
        [ENG_LOCK_FOR_KEY_SHARE] = "AccessShareLock", [ENG_LOCK_FOR_SHARE] = "RowShareLock",
        [ENG_LOCK_FOR_NO_KEY_UPDATE] = "ExclusiveLock",
        [ENG_LOCK_FOR_UPDATE] = "AccessExclusiveLock"};
    bool known = a->wait_mode >= ENG_LOCK_FOR_KEY_SHARE && a->wait_mode <= ENG_LOCK_FOR_UPDATE;
    pc_lock_row(r, "tuple", a->pid, known ? modes[a->wait_mode] : "ExclusiveLock", granted);
    pc_int(r, "database", a->db_oid);
    pc_int(r, "relation", a->wait_rel);
    pc_int(r, "page", eng_tid_page(a->wait_row));
    pc_int(r, "tuple", eng_tid_tuple(a->wait_row));
    return pc_add(r);
}

static bool pc_locks_xids(pc_row *r) {
    if (net_pg_backend_slots == NULL || net_pg_activity_get == NULL) return true;
    net_pg_activity *a = rt_arena_alloc(r->x->arena, 2 * sizeof *a);
    if (a == NULL) return rt_arena_fail(r->x->arena, r->x->err);
    for (uint32_t slot = 0; slot < net_pg_backend_slots(); slot++) {
        if (!net_pg_activity_get(slot, &a[0])) continue;
        if (a[0].xid != 0 && !pc_locks_xid(r, a[0].pid, a[0].xid, true)) return false;
        if (a[0].wait == NET_PG_WAIT_TXID && a[0].wait_pid != 0 &&
            net_pg_activity_of(a[0].wait_pid, &a[1]) && a[1].xid != 0 &&
            !pc_locks_xid(r, a[0].pid, a[1].xid, false)) {
            return false;
        }
        bool row_wait = a[0].wait == NET_PG_WAIT_TXID || a[0].wait == NET_PG_WAIT_TUPLE;
        if (row_wait && a[0].wait_rel != 0 &&
            !pc_locks_tuple(r, &a[0], a[0].wait == NET_PG_WAIT_TXID)) {
            return false;
        }
    }
    return true;
}

bool pc_scan_locks(pc_row *r) {
    return pc_vxids_read(r, &pc_vx) && pc_locks_tables(r) && pc_locks_advisory(r) &&
           pc_locks_xids(r) && pc_locks_vxids(r);
}
