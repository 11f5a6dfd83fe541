/* test_eng_bank.c: the bank invariant under REPEATABLE READ.
 * How: 64 accounts spread over the partitions of 3 shards hold 1000 each. Transfer fibers on
 * every shard move random amounts between two accounts (on different shards when they can)
 * inside REPEATABLE READ transactions: both balances are read at the transaction's snapshot,
 * then both rows are updated, locked in account order (no deadlocks); a write-write conflict
 * ends the transaction with 40001 and it is retried. Reader fibers meanwhile sum every account
 * at one snapshot, again and again: the sum must always be the starting total (commits are
 * atomic across shards and snapshots are consistent). Checkpoints run throughout, and so does
 * vacuum (every partition, again and again: what a snapshot still reads stays); after an
 * orderly restart and after a crash-like one (no shutdown checkpoint) the total still holds. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rt_time.h"
#include "tests/common/test_engine.h"

#define ACCOUNTS 64
#define START_BALANCE 1000
#define PARTS 12
#define SHARDS 3
#ifdef DB_SANITIZE
#define TRANSFERS 150      /* per transfer fiber */
#else
#define TRANSFERS 600
#endif
#define FIBERS_PER_SHARD 3

static char dir[256];

static struct {
    uint32_t oid;
    _Atomic uint64_t committed, conflicts, other_failures;
    _Atomic uint64_t sums, bad_sums, bad_rows;
    _Atomic uint64_t vacuumed;
    _Atomic uint32_t transfers_running;
    int64_t last_total;
} bank;

/* ---- reading one balance at a snapshot ---- */

typedef struct read_work {
    const eng_table *table;
    int64_t id;
    uint64_t ts;
    int64_t balance;
    bool found;
} read_work;

/* The transaction has not written yet when it reads: its snapshot alone decides. */
static void read_on_shard(void *arg) {
    read_work *w = arg;
    eng_part *p = eng_partition(w->table, te_partition_of(w->id, w->table->partition_count));
    eng_snapshot snap = {.ts = w->ts};
    uint32_t slot = te_find(p, &snap, w->id);
    w->found = slot != ENG_SLOT_NONE;
    if (w->found) {
        sql_value v;
        eng_part_read(p, slot, 2, &v);
        w->balance = v.i64;
    }
}

static bool read_balance(const eng_table *t, int64_t id, uint64_t ts, int64_t *balance) {
    read_work w = {.table = t, .id = id, .ts = ts};
    rt_err err;
    rt_err_clear(&err);
    if (!rt_run_on(te_owner(id, t->partition_count), read_on_shard, &w, &err)) return false;
    *balance = w.balance;
    return w.found;
}

/* ---- transfers ---- */

static bool is_conflict(const rt_err *err) {
    return rt_err_is(err, SQLSTATE_SERIALIZATION_FAILURE) ||
           rt_err_is(err, SQLSTATE_LOCK_NOT_AVAILABLE);
}

/* One transfer attempt: true when committed, false with *err otherwise (aborted). */
static bool transfer_attempt(int64_t from, int64_t to, int64_t amount, uint64_t snap,
                             rt_err *err) {
    eng_txn_ctx ctx;
    if (!eng_txn_start(&ctx, err)) return false;
    eng_catalog_ref ref;
    const eng_table *t = te_table(&ref, bank.oid);
    int64_t bal[2];
    bool ok = read_balance(t, from, snap, &bal[0]) && read_balance(t, to, snap, &bal[1]);
    eng_catalog_unpin(&ref);
    if (!ok) {
        rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "account missing");
        eng_txn_finish_abort(&ctx);
        return false;
    }
    if (bal[0] < amount) amount = bal[0];
    int64_t ids[2] = {from, to}, vals[2] = {bal[0] - amount, bal[1] + amount};
    /* Lock in account order: a lower account is always taken first, so no cycle forms. */
    int first = from < to ? 0 : 1;
    for (int k = 0; ok && k < 2; k++) {
        int i = k == 0 ? first : 1 - first;
        te_op op = {.kind = TE_UPSERT, .id = ids[i], .txn = vals[i]};
        snprintf(op.payload, sizeof op.payload, "account %lld", (long long)ids[i]);
        ok = te_apply(&ctx, bank.oid, &op, 1, 1 + (uint32_t)k, ENG_ISO_REPEATABLE_READ, snap, err);
    }
    if (!ok) {
        eng_txn_finish_abort(&ctx);
        return false;
    }
    return eng_txn_finish_commit(&ctx, err);
}

/* A reader registers before it takes its snapshot, so vacuum keeps what it reads. */
static bool transfer_once(int64_t from, int64_t to, int64_t amount, rt_err *err) {
    eng_snap_reg reg = {0};
    eng_snap_register(&reg);
    uint64_t snap = eng_txn_snapshot_ts(); /* REPEATABLE READ: one snapshot */
    bool ok = transfer_attempt(from, to, amount, snap, err);
    eng_snap_unregister(&reg);
    return ok;
}

static void transfer_fiber(void *arg) {
    uint64_t seed = (uint64_t)(uintptr_t)arg * 2654435761u + 17;
    for (int i = 0; i < TRANSFERS; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        int64_t from = (int64_t)(seed % ACCOUNTS), to = (int64_t)((seed >> 20) % ACCOUNTS);
        if (to == from) to = (to + 1) % ACCOUNTS;
        int64_t amount = 1 + (int64_t)((seed >> 40) % 50);
        for (;;) {
            rt_err err;
            rt_err_clear(&err);
            if (transfer_once(from, to, amount, &err)) {
                atomic_fetch_add(&bank.committed, 1);
                break;
            }
            if (!is_conflict(&err)) {
                rt_log(RT_LOG_ERROR, NULL, "transfer failed: %s", err.message);
                atomic_fetch_add(&bank.other_failures, 1);
                break;
            }
            atomic_fetch_add(&bank.conflicts, 1); /* 40001: retried, as clients must */
        }
    }
    atomic_fetch_sub(&bank.transfers_running, 1);
}

/* ---- readers ---- */

static int64_t sum_at(uint64_t ts, uint32_t *rows_seen) {
    te_rows rows;
    TEST_CHECK(te_scan(bank.oid, ts, &rows));
    int64_t total = 0;
    for (uint32_t i = 0; i < rows.count; i++) {
        if (!rows.rows[i].crc_ok) atomic_fetch_add(&bank.bad_rows, 1);
        total += rows.rows[i].txn;
    }
    *rows_seen = rows.count;
    rt_free(rows.rows);
    return total;
}

static void reader_fiber(void *arg) {
    (void)arg;
    while (atomic_load(&bank.transfers_running) > 0) {
        uint32_t n;
        eng_snap_reg reg = {0}; /* vacuum keeps what the sum reads */
        eng_snap_register(&reg);
        int64_t total = sum_at(eng_txn_snapshot_ts(), &n);
        eng_snap_unregister(&reg);
        atomic_fetch_add(&bank.sums, 1);
        if (total != (int64_t)ACCOUNTS * START_BALANCE || n != ACCOUNTS) {
            rt_log(RT_LOG_ERROR, NULL, "snapshot sum %lld over %u rows", (long long)total, n);
            atomic_fetch_add(&bank.bad_sums, 1);
        }
        rt_fiber_sleep_ns(200 * RT_NS_PER_US);
    }
}

static void checkpoint_fiber(void *arg) {
    (void)arg;
    while (atomic_load(&bank.transfers_running) > 0) {
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(eng_checkpoint_all(&err));
        rt_fiber_sleep_ns(20 * RT_NS_PER_MS);
    }
}

static void vacuum_shard(void *arg) {
    (void)arg;
    eng_catalog_ref ref;
    const eng_table *t = te_table(&ref, bank.oid);
    for (uint32_t partno = 0; t != NULL && partno < t->partition_count; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != (uint32_t)rt_core_id()) continue;
        eng_vac_result res;
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(eng_vac_partition(eng_partition(t, partno), ENG_VAC_MANUAL, &res, &err));
        atomic_fetch_add(&bank.vacuumed, res.removed);
    }
    eng_catalog_unpin(&ref);
}

static void vacuum_fiber(void *arg) {
    (void)arg;
    while (atomic_load(&bank.transfers_running) > 0) {
        for (uint32_t s = 0; s < rt_shard_count(); s++) {
            rt_err err;
            rt_err_clear(&err);
            TEST_CHECK(rt_run_on(s, vacuum_shard, NULL, &err));
        }
        rt_fiber_sleep_ns(5 * RT_NS_PER_MS);
    }
}

static rt_remote_call calls[SHARDS * (FIBERS_PER_SHARD + 1)];
static uint32_t call_count;
static rt_wg wg;

static void spawn_on(uint32_t shard, void (*fn)(void *), void *arg) {
    rt_run_on_wg(&calls[call_count++], shard, fn, arg, &wg);
}

static void bank_fiber(void *arg) {
    (void)arg;
    bank.oid = te_create_table("accounts", PARTS, true);
    TEST_CHECK(bank.oid != 0);
    te_op ops[ACCOUNTS];
    for (int64_t id = 0; id < ACCOUNTS; id++) {
        ops[id] = (te_op){.kind = TE_INSERT, .id = id, .txn = START_BALANCE};
        snprintf(ops[id].payload, sizeof ops[id].payload, "account %lld", (long long)id);
    }
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(te_commit_ops(bank.oid, ops, ACCOUNTS, &err));
    atomic_store(&bank.transfers_running, SHARDS * FIBERS_PER_SHARD);
    for (uint32_t s = 0; s < SHARDS; s++) {
        for (uint32_t f = 0; f < FIBERS_PER_SHARD; f++) {
            spawn_on(s, transfer_fiber, (void *)(uintptr_t)(s * 100 + f + 1));
        }
        spawn_on(s, reader_fiber, NULL);
    }
    test_spawn(checkpoint_fiber, NULL);
    test_spawn(vacuum_fiber, NULL);
    rt_wg_wait(&wg);
    for (uint32_t i = 0; i < call_count; i++) TEST_CHECK(calls[i].ran);
    uint32_t n;
    bank.last_total = sum_at(0, &n);
    rt_runtime_stop();
}

static void total_fiber(void *arg) {
    (void)arg;
    uint32_t n;
    bank.last_total = sum_at(0, &n);
    TEST_CHECK(n == ACCOUNTS);
    rt_runtime_stop();
}

static void test_bank_total_constant_under_repeatable_read(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_eng_bank_%d", (int)getpid());
    te_rmdir(dir);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = SHARDS,
                      .no_checkpoint_at_stop = true};
    uint64_t t0 = rt_time_mono_ns();
    assert_int_equal(te_run(&cfg, bank_fiber, NULL, NULL), 0);
    fprintf(stderr, "bank: %llu transfers committed, %llu conflicts (40001) retried, %llu "
                    "snapshot sums checked, %llu dead versions vacuumed, %.1f s\n",
            (unsigned long long)bank.committed, (unsigned long long)bank.conflicts,
            (unsigned long long)bank.sums, (unsigned long long)bank.vacuumed,
            (double)(rt_time_mono_ns() - t0) / 1e9);
    assert_int_equal(bank.other_failures, 0);
    assert_int_equal(bank.committed, (uint64_t)SHARDS * FIBERS_PER_SHARD * TRANSFERS);
    assert_true(bank.conflicts > 0);
    assert_true(bank.sums > 10);
    assert_int_equal(bank.bad_sums, 0);
    assert_int_equal(bank.bad_rows, 0);
    assert_true(bank.vacuumed > 0);
    assert_int_equal(bank.last_total, ACCOUNTS * START_BALANCE);
    /* After a crash-like stop (WAL tail replayed over the checkpoints), then an orderly one. */
    cfg.shard_count = 2;
    assert_int_equal(te_run(&cfg, total_fiber, NULL, NULL), 0);
    assert_int_equal(bank.last_total, ACCOUNTS * START_BALANCE);
    cfg.no_checkpoint_at_stop = false;
    assert_int_equal(te_run(&cfg, total_fiber, NULL, NULL), 0);
    assert_int_equal(te_run(&cfg, total_fiber, NULL, NULL), 0);
    assert_int_equal(bank.last_total, ACCOUNTS * START_BALANCE);
    te_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bank_total_constant_under_repeatable_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
