/* test_eng_rowqueue.c: a row's lock waiters are granted in the order they began to wait, however
 * each is woken: here only by its own poll timer (ENG_TX_WAIT_POLL_NS), as happens when a
 * waiter's poll comes before the holder's end reaches the row's shard. PostgreSQL's tuple lock
 * queue grants strictly in arrival order; before the queue, the first waiter to poll after the
 * holder ended took the row.
 * How: one shard, a table of one row. Each round a holder transaction locks the row FOR UPDATE
 * and three waiter fibers ask for it 3 ms apart; the holder's status then turns aborted without
 * its shard waking anyone (eng_txn_abort alone), at a point of the waiters' polls that moves
 * from round to round, so in most rounds a later waiter polls first. Each waiter notes when it
 * got the row and commits, which lets the next one in. Then lock_timeout (55P03) and cancel
 * (57014) of a queued waiter: it leaves the queue and the one behind it is granted next. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/eng_tx.h"
#include "runtime/rt_time.h"
#include "tests/common/test_engine.h"

#define ROUNDS 30
#define WAITERS 3

static char data_dir[256];
static uint32_t table_oid;

static eng_part *the_part(eng_catalog_ref *ref) {
    eng_catalog_pin(ref);
    const eng_database *db = eng_catalog_db_by_name(ref->catalog, "postgres");
    return eng_partition(eng_db_table_by_oid(db, table_oid), 0);
}

/* A transaction of this test on shard 0 (its only participant), at statement 1. */
static eng_tx *begin(eng_txn_ctx *ctx, int64_t lock_timeout_ms, const _Atomic bool *cancel) {
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_txn_start(ctx, &err));
    ctx->participants = 1;
    eng_tx *tx = eng_tx_local(ctx->id, true);
    eng_tx_set_statement(tx, 1, ENG_ISO_READ_COMMITTED, lock_timeout_ms, cancel);
    return tx;
}

static uint32_t row_slot;
static int order[WAITERS];
static uint32_t norder;

typedef struct waiter {
    int index;
    int64_t lock_timeout_ms;
    _Atomic bool cancel;
    char sqlstate[6];   /* of a failed wait, "" if granted */
    bool done;
} waiter;

static void waiter_fiber(void *arg) {
    waiter *w = arg;
    eng_catalog_ref ref;
    eng_part *p = the_part(&ref);
    eng_txn_ctx ctx;
    eng_tx *tx = begin(&ctx, w->lock_timeout_ms, &w->cancel);
    rt_err err;
    rt_err_clear(&err);
    uint32_t newer;
    eng_lock_result r = eng_part_lock(p, tx, row_slot, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK,
                                      &newer, &err);
    eng_catalog_unpin(&ref);
    if (r == ENG_LOCKED) {
        order[norder++] = w->index;
        w->sqlstate[0] = '\0';
        TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
    } else {
        snprintf(w->sqlstate, sizeof w->sqlstate, "%s", err.sqlstate);
        eng_txn_finish_abort(&ctx);
    }
    w->done = true;
}

static void wait_done(waiter *ws, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < 10000 && !ws[i].done; k++) rt_fiber_sleep_ns(RT_NS_PER_MS);
        TEST_CHECK(ws[i].done);
    }
}

/* Holds the row in a transaction whose end the caller brings about. */
static eng_tx *hold(eng_txn_ctx *h) {
    eng_catalog_ref ref;
    eng_part *p = the_part(&ref);
    eng_tx *tx = begin(h, 0, NULL);
    rt_err err;
    rt_err_clear(&err);
    uint32_t newer;
    TEST_CHECK(eng_part_lock(p, tx, row_slot, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK, &newer,
                             &err) == ENG_LOCKED);
    eng_catalog_unpin(&ref);
    return tx;
}

static void start_waiters(waiter *ws, uint32_t n) {
    norder = 0;
    for (uint32_t i = 0; i < n; i++) {
        test_spawn(waiter_fiber, &ws[i]);
        rt_fiber_sleep_ns(3 * RT_NS_PER_MS);
    }
}

/* The holder's status turns aborted, and nothing wakes its waiters but their polls. */
static void end_unseen(eng_txn_ctx *h, eng_tx *tx, waiter *ws, uint32_t n) {
    eng_txn_abort(h->id);
    wait_done(ws, n);
    eng_tx_apply_abort(tx);
    eng_tx_forget(tx);
    eng_txn_release(h->id);
}

static uint32_t rounds_out_of_order;

static void round_polls(uint32_t round) {
    waiter ws[WAITERS];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < WAITERS; i++) ws[i].index = i;
    eng_txn_ctx h;
    eng_tx *tx = hold(&h);
    start_waiters(ws, WAITERS);
    rt_fiber_sleep_ns(20 * RT_NS_PER_MS + (uint64_t)(round * 1700u % 10000u) * RT_NS_PER_US);
    end_unseen(&h, tx, ws, WAITERS);
    bool in_order = norder == WAITERS;
    for (uint32_t i = 0; i < norder; i++) in_order &= order[i] == (int)i;
    if (!in_order) rounds_out_of_order++;
}

/* The first waiter gives up (lock_timeout, or a cancel): the second gets the row at the
 * holder's end, the first's failure noted. */
static void round_give_up(bool cancel) {
    waiter ws[2];
    memset(ws, 0, sizeof ws);
    ws[0].index = 0;
    ws[1].index = 1;
    if (!cancel) ws[0].lock_timeout_ms = 100;
    eng_txn_ctx h;
    eng_tx *tx = hold(&h);
    start_waiters(ws, 2);
    if (cancel) atomic_store(&ws[0].cancel, true);
    wait_done(ws, 1);
    TEST_CHECK(strcmp(ws[0].sqlstate, cancel ? "57014" : "55P03") == 0);
    TEST_CHECK(!ws[1].done);
    end_unseen(&h, tx, &ws[1], 1);
    TEST_CHECK(norder == 1 && order[0] == 1);
}

static void insert_row(void) {
    eng_catalog_ref ref;
    eng_part *p = the_part(&ref);
    eng_txn_ctx ctx;
    eng_tx *tx = begin(&ctx, 0, NULL);
    rt_err err;
    rt_err_clear(&err);
    sql_value row[1] = {{.type_oid = SQL_T_INT8, .i64 = 1}};
    TEST_CHECK(eng_part_insert(p, tx, row, &row_slot, NULL, &err) == ENG_INSERTED);
    eng_catalog_unpin(&ref);
    TEST_CHECK(eng_txn_finish_commit(&ctx, &err));
}

static void test_fiber(void *arg) {
    (void)arg;
    eng_column col;
    te_column(&col, 1, "id", SQL_T_INT8, 0);
    table_oid = te_create_table_of("rq", 1, &col, 1, true);
    TEST_CHECK(table_oid != 0);
    insert_row();
    for (uint32_t i = 0; i < ROUNDS; i++) round_polls(i);
    round_give_up(false);
    round_give_up(true);
    rt_runtime_stop();
}

static void test_eng_rowqueue_order(void **state) {
    (void)state;
    snprintf(data_dir, sizeof data_dir, "/tmp/test_eng_rowqueue_%d", (int)getpid());
    te_rmdir(data_dir);
    eng_config cfg = {.data_dir = data_dir, .superuser = "postgres", .shard_count = 1};
    assert_int_equal(te_run(&cfg, test_fiber, NULL, NULL), 0);
    te_rmdir(data_dir);
    assert_int_equal(rounds_out_of_order, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_eng_rowqueue_order)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
