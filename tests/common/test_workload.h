/* test_workload.h: a checkable transactional workload for crash tests (power loss through
 * rt_faultfs, SIGKILL of a child process).
 * Workers (fibers spread over the shards) run transactions on one table. A transaction `txn`
 * either inserts K = 1 + txn % 4 rows (ids txn * 8 + i, so they land on several partitions
 * and shards) or deletes all rows of an earlier insert of the same worker; either way it also
 * sets the worker's own row (id TW_WORKER_ROW + w) to txn. Each worker tells the model when a
 * transaction starts and when its commit is acknowledged (tw_hooks).
 * Checks after a restart (tw_verify): every row's checksum holds; each transaction's rows are
 * all there or none (no partial multi-shard transaction); acknowledged inserts are there,
 * acknowledged deletes took everything; each worker row names a transaction no older than the
 * worker's last acknowledged one and no newer than its last started one, and agrees with it.
 * Then the model adopts what survived (unacknowledged transactions that made it are durable
 * now), so runs can be chained. */
#ifndef TEST_WORKLOAD_H
#define TEST_WORKLOAD_H

#include <stdatomic.h>

#include "tests/common/test_engine.h"

#define TW_TXNS_MAX (1u << 21)     /* transaction numbers per chain of runs (--cycles 1000) */
#define TW_WORKERS_MAX 16
#define TW_WORKER_ROW (1ll << 40)  /* ids of the workers' own rows */
#define TW_LIVE_MAX 64             /* inserts a worker keeps alive (older ones get deleted) */

enum { TW_NONE = 0, TW_STARTED, TW_ACKED, TW_GONE };

typedef struct tw_txn {
    uint8_t state;       /* TW_*: of the transaction itself */
    uint8_t deleted;     /* TW_*: of the delete of its rows (inserts only) */
    uint8_t worker;
    bool is_delete;
    uint32_t victim;     /* deletes: the insert whose rows it removes */
} tw_txn;

typedef struct tw_model {
    tw_txn txns[TW_TXNS_MAX];
    _Atomic uint32_t next_txn;   /* numbers handed out so far start at 1 */
    uint32_t workers;
    uint32_t last_acked[TW_WORKERS_MAX];
    uint32_t last_started[TW_WORKERS_MAX];
    uint32_t live[TW_WORKERS_MAX][TW_LIVE_MAX]; /* acknowledged inserts not being deleted */
    uint32_t live_count[TW_WORKERS_MAX];
} tw_model;

/* Where a worker reports (the model itself, or a pipe to a parent process). */
typedef struct tw_hooks {
    void (*started)(void *ctx, uint32_t worker, uint32_t txn, bool is_delete, uint32_t victim);
    void (*acked)(void *ctx, uint32_t worker, uint32_t txn);
    void *ctx;
} tw_hooks;

static inline uint32_t tw_rows_of(uint32_t txn) { return 1 + txn % 4; }

static inline void tw_model_reset(tw_model *m, uint32_t workers) {
    memset(m, 0, sizeof *m);
    atomic_store(&m->next_txn, 1);
    m->workers = workers;
}

/* ---- the model's own hooks (same process) ---- */

static inline void tw_model_started(void *ctx, uint32_t worker, uint32_t txn, bool is_delete,
                                    uint32_t victim) {
    tw_model *m = ctx;
    tw_txn *t = &m->txns[txn];
    *t = (tw_txn){.state = TW_STARTED, .worker = (uint8_t)worker, .is_delete = is_delete,
                  .victim = victim};
    if (is_delete) m->txns[victim].deleted = TW_STARTED;
    m->last_started[worker] = txn;
}

static inline void tw_model_acked(void *ctx, uint32_t worker, uint32_t txn) {
    tw_model *m = ctx;
    tw_txn *t = &m->txns[txn];
    t->state = TW_ACKED;
    if (t->is_delete) m->txns[t->victim].deleted = TW_ACKED;
    m->last_acked[worker] = txn;
}

/* ---- the worker ---- */

typedef struct tw_worker_arg {
    tw_model *m;              /* txn numbers and live lists (each worker its own) */
    const tw_hooks *hooks;
    uint32_t oid;
    uint32_t worker;
    uint32_t budget;          /* transactions to run at most */
    uint64_t seed;
    uint32_t acked, failed;
    bool io_failed;           /* a commit failed because the WAL did (the server stops) */
    bool stop_requested;      /* set from outside: end after the current transaction */
} tw_worker_arg;

static inline uint64_t tw_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Builds the operations of transaction txn; returns how many. */
static inline uint32_t tw_ops(tw_worker_arg *a, uint32_t txn, bool del, uint32_t victim,
                              te_op *ops) {
    uint32_t n = 0;
    uint32_t src = del ? victim : txn;
    for (uint32_t i = 0; i < tw_rows_of(src); i++) {
        ops[n] = (te_op){.kind = del ? TE_DELETE : TE_INSERT, .id = (int64_t)src * 8 + i,
                         .txn = src};
        snprintf(ops[n].payload, sizeof ops[n].payload, "t%u-%u", src, i);
        n++;
    }
    ops[n] = (te_op){.kind = TE_UPSERT, .id = TW_WORKER_ROW + a->worker, .txn = txn};
    snprintf(ops[n].payload, sizeof ops[n].payload, "worker %u", a->worker);
    return n + 1;
}

static inline bool tw_io_error(const rt_err *err) {
    return err->severity == RT_SEV_PANIC || rt_err_is(err, SQLSTATE_IO_ERROR) ||
           rt_err_is(err, SQLSTATE_DISK_FULL);
}

/* Runs transactions until the budget, a stop request or the server stopping. */
static inline void tw_worker(void *arg) {
    tw_worker_arg *a = arg;
    tw_model *m = a->m;
    uint32_t w = a->worker;
    te_op ops[8];
    for (uint32_t i = 0; i < a->budget && !a->stop_requested && !rt_runtime_stopping(); i++) {
        uint32_t txn = atomic_fetch_add(&m->next_txn, 1);
        if (txn >= TW_TXNS_MAX) break;
        bool del = m->live_count[w] > 0 &&
                   (m->live_count[w] == TW_LIVE_MAX || tw_rand(&a->seed) % 4 == 0);
        uint32_t victim = 0;
        if (del) { /* the oldest live insert */
            victim = m->live[w][0];
            memmove(m->live[w], m->live[w] + 1, --m->live_count[w] * sizeof(uint32_t));
        }
        uint32_t n = tw_ops(a, txn, del, victim, ops);
        a->hooks->started(a->hooks->ctx, w, txn, del, victim);
        rt_err err;
        rt_err_clear(&err);
        if (te_commit_ops(a->oid, ops, n, &err)) {
            a->hooks->acked(a->hooks->ctx, w, txn);
            a->acked++;
            if (!del) m->live[w][m->live_count[w]++] = txn;
            continue;
        }
        a->failed++;
        if (tw_io_error(&err)) {
            a->io_failed = true;
            break;
        }
    }
}

/* ---- a static table: filled once, never changed (its checkpoints are kept, not rewritten) ---- */

#define TW_STATIC_ROWS 100

/* The oid of table `name` in database postgres, 0 if none. */
static inline uint32_t tw_table_oid(const char *name) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_oid(ref.catalog, ENG_OID_POSTGRES_DB);
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, name);
    uint32_t oid = t != NULL ? t->oid : 0;
    eng_catalog_unpin(&ref);
    return oid;
}

/* Fills table oid with TW_STATIC_ROWS rows in one transaction. */
static inline bool tw_static_fill(uint32_t oid) {
    te_op *ops = rt_xcalloc(TW_STATIC_ROWS, sizeof *ops);
    for (uint32_t i = 0; i < TW_STATIC_ROWS; i++) {
        ops[i] = (te_op){.kind = TE_INSERT, .id = i, .txn = 1};
        snprintf(ops[i].payload, sizeof ops[i].payload, "static row %u", i);
    }
    rt_err err;
    rt_err_clear(&err);
    bool ok = te_commit_ops(oid, ops, TW_STATIC_ROWS, &err);
    rt_free(ops);
    return ok;
}

/* Rows of table oid whose checksum holds (-1 if the table cannot be read). */
static inline int64_t tw_static_count(uint32_t oid) {
    te_rows rows;
    if (!te_scan(oid, 0, &rows)) return -1;
    int64_t good = 0;
    for (uint32_t i = 0; i < rows.count; i++) good += rows.rows[i].crc_ok;
    int64_t n = good == rows.count ? good : -1;
    rt_free(rows.rows);
    return n;
}

/* ---- verification ---- */

typedef struct tw_report {
    uint32_t rows, bad_crc, partial, lost_acked, resurrected, bad_worker, unknown;
    uint32_t unacked_survived;
} tw_report;

static inline bool tw_report_ok(const tw_report *r) {
    return r->bad_crc == 0 && r->partial == 0 && r->lost_acked == 0 && r->resurrected == 0 &&
           r->bad_worker == 0 && r->unknown == 0;
}

static inline void tw_report_log(const tw_report *r, const char *when) {
    rt_log(tw_report_ok(r) ? RT_LOG_DEBUG : RT_LOG_ERROR, NULL,
           "%s: rows=%u bad_crc=%u partial=%u lost_acked=%u resurrected=%u bad_worker=%u "
           "unknown=%u unacked_survived=%u", when, r->rows, r->bad_crc, r->partial,
           r->lost_acked, r->resurrected, r->bad_worker, r->unknown, r->unacked_survived);
}

/* Does worker w's row (value `val`) agree with the model? */
static inline bool tw_worker_row_ok(const tw_model *m, uint32_t w, uint32_t val,
                                    const uint8_t *present) {
    if (val < m->last_acked[w] || val > m->last_started[w]) return false;
    if (val == 0) return true;
    const tw_txn *t = &m->txns[val];
    if (t->worker != w) return false;
    return t->is_delete ? present[t->victim] == 0 : present[val] == tw_rows_of(val);
}

/* Counts rows per transaction (present[txn]) and reads the worker rows. */
static inline void tw_count(const tw_model *m, const te_rows *rows, uint8_t *present,
                            uint32_t *wval, tw_report *r) {
    uint32_t limit = atomic_load(&m->next_txn);
    for (uint32_t i = 0; i < rows->count; i++) {
        const te_row *row = &rows->rows[i];
        r->rows++;
        if (!row->crc_ok) {
            r->bad_crc++;
            continue;
        }
        if (row->id >= TW_WORKER_ROW) {
            uint32_t w = (uint32_t)(row->id - TW_WORKER_ROW);
            if (w >= m->workers || row->txn < 0 || row->txn >= (int64_t)limit) {
                r->unknown++;
            } else {
                wval[w] = (uint32_t)row->txn;
            }
            continue;
        }
        uint32_t txn = (uint32_t)(row->id / 8);
        if (row->id < 8 || txn >= limit || row->txn != txn || row->id % 8 >= tw_rows_of(txn)) {
            r->unknown++;
            continue;
        }
        present[txn]++;
    }
}

/* Checks the table against the model, then makes the model match what survived. */
static inline tw_report tw_verify(tw_model *m, uint32_t oid) {
    tw_report r;
    memset(&r, 0, sizeof r);
    te_rows rows;
    if (!te_scan(oid, 0, &rows)) {
        r.unknown++;
        return r;
    }
    uint32_t limit = atomic_load(&m->next_txn);
    uint8_t *present = rt_xcalloc(limit + 1u, 1);
    uint32_t wval[TW_WORKERS_MAX] = {0};
    tw_count(m, &rows, present, wval, &r);
    rt_free(rows.rows);
    for (uint32_t txn = 1; txn < limit; txn++) {
        tw_txn *t = &m->txns[txn];
        if (t->is_delete || t->state == TW_NONE) {
            if (present[txn] != 0 && t->state == TW_NONE) r.unknown++;
            continue;
        }
        bool all = present[txn] == tw_rows_of(txn), none = present[txn] == 0;
        if (!all && !none) {
            r.partial++;
            rt_log(RT_LOG_ERROR, NULL, "partial transaction %u: %u of %u rows (state %u, delete "
                   "state %u, worker %u)", txn, present[txn], tw_rows_of(txn), t->state,
                   t->deleted, t->worker);
        }
        if (t->state == TW_ACKED && t->deleted == TW_NONE && !all) r.lost_acked++;
        if (t->deleted == TW_ACKED && !none) r.resurrected++;
        if (t->state == TW_STARTED && all) r.unacked_survived++;
    }
    for (uint32_t w = 0; w < m->workers; w++) {
        if (!tw_worker_row_ok(m, w, wval[w], present)) {
            r.bad_worker++;
            const tw_txn *t = &m->txns[wval[w]];
            rt_log(RT_LOG_ERROR, NULL, "worker %u row says %u (acked %u, started %u): delete %d "
                   "victim %u, rows present %u of %u, victim rows present %u", w, wval[w],
                   m->last_acked[w], m->last_started[w], t->is_delete, t->victim,
                   present[wval[w]], tw_rows_of(wval[w]), present[t->victim]);
        }
    }
    /* Adopt what survived: it is durable now. */
    for (uint32_t w = 0; w < m->workers; w++) {
        m->last_acked[w] = m->last_started[w] = wval[w];
        m->live_count[w] = 0;
    }
    for (uint32_t txn = 1; txn < limit; txn++) {
        tw_txn *t = &m->txns[txn];
        if (t->is_delete || t->state == TW_NONE) {
            t->state = TW_NONE;
            continue;
        }
        bool there = present[txn] != 0;
        t->state = there ? TW_ACKED : TW_NONE;
        t->deleted = there ? TW_NONE : TW_ACKED;
        uint32_t w = t->worker;
        if (there && m->live_count[w] < TW_LIVE_MAX) m->live[w][m->live_count[w]++] = txn;
    }
    rt_free(present);
    return r;
}

#endif
