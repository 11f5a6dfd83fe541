/* test_rt_ring.c: messages between shards over the SPSC mesh.
 * How: real shard threads (more shards than cores, unpinned) exchange messages; receivers
 * record what arrives and the main thread asserts afterwards. Covers FIFO order per pair and
 * the full-ring overflow path, round trips over every ordered pair, a fan-in of millions of
 * messages with no loss, duplicate or reordering, and a stop requested with messages in flight. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_mem.h"
#include "tests/common/test_runtime.h"

/* ---- FIFO order and overflow ---- */

#define FIFO_COUNT 200000u

typedef struct fifo_msg {
    rt_msg msg;
    uint32_t seq;
} fifo_msg;

static struct {
    fifo_msg *msgs;
    uint32_t next_expected;
    uint32_t out_of_order;
    uint64_t overflows;
} fifo;

static void fifo_run(rt_msg *m) {
    fifo_msg *f = (fifo_msg *)m;
    if (f->seq != fifo.next_expected) fifo.out_of_order++;
    fifo.next_expected = f->seq + 1;
    if (fifo.next_expected == FIFO_COUNT) rt_runtime_stop();
}

static void fifo_start(rt_loop *loop, void *arg) {
    if (rt_core_id() != 0) return;
    /* All sends in one handler: the 1024-slot ring fills and the rest must wait, in order. */
    for (uint32_t i = 0; i < FIFO_COUNT; i++) {
        fifo.msgs[i].msg.run = fifo_run;
        fifo.msgs[i].seq = i;
        rt_msg_send(&fifo.msgs[i].msg, 1);
    }
    fifo.overflows = rt_loop_get_stats().msgs_overflow;
}

static void test_rt_ring_fifo_order_survives_full_ring(void **state) {
    memset(&fifo, 0, sizeof fifo);
    fifo.msgs = rt_xcalloc(FIFO_COUNT, sizeof *fifo.msgs);
    assert_int_equal(test_runtime_run(2, fifo_start, NULL, NULL), 0);
    assert_int_equal(fifo.next_expected, FIFO_COUNT);
    assert_int_equal(fifo.out_of_order, 0);
    assert_true(fifo.overflows > 0); /* the overflow path was really taken */
    rt_free(fifo.msgs);
}

/* ---- round trips between every ordered pair ---- */

#define PAIR_SHARDS 4u
#define PAIR_ROUNDS 2000u

typedef struct pair_msg {
    rt_msg msg;
    uint32_t ran_on;
    uint32_t payload;
} pair_msg;

static struct {
    _Atomic uint32_t done_count[PAIR_SHARDS][PAIR_SHARDS];
    _Atomic uint32_t bad;
    _Atomic uint32_t finished_shards;
} pairs;

static void pair_run(rt_msg *m) {
    pair_msg *p = (pair_msg *)m;
    p->ran_on = rt_core_id();
    p->payload = p->payload * 2 + 1;
    rt_msg_reply(m);
}

static void pair_fiber(void *arg) {
    uint32_t me = rt_core_id();
    for (uint32_t round = 0; round < PAIR_ROUNDS; round++) {
        pair_msg msgs[PAIR_SHARDS];
        rt_wg wg = {0};
        for (uint32_t to = 0; to < PAIR_SHARDS; to++) {
            memset(&msgs[to], 0, sizeof msgs[to]);
            msgs[to].msg.run = pair_run;
            msgs[to].payload = me * 1000 + to;
            rt_msg_send_wg(&msgs[to].msg, to, &wg);
        }
        rt_wg_wait(&wg);
        for (uint32_t to = 0; to < PAIR_SHARDS; to++) {
            if (msgs[to].ran_on != to || msgs[to].payload != (me * 1000 + to) * 2 + 1) {
                atomic_fetch_add(&pairs.bad, 1);
            }
            atomic_fetch_add(&pairs.done_count[me][to], 1);
        }
    }
    if (atomic_fetch_add(&pairs.finished_shards, 1) + 1 == PAIR_SHARDS) rt_runtime_stop();
}

static void pair_start(rt_loop *loop, void *arg) { test_spawn(pair_fiber, NULL); }

static void test_rt_ring_round_trips_every_ordered_pair(void **state) {
    memset(&pairs, 0, sizeof pairs);
    assert_int_equal(test_runtime_run(PAIR_SHARDS, pair_start, NULL, NULL), 0);
    assert_int_equal(atomic_load(&pairs.bad), 0);
    for (uint32_t i = 0; i < PAIR_SHARDS; i++) {
        for (uint32_t j = 0; j < PAIR_SHARDS; j++) {
            assert_int_equal(atomic_load(&pairs.done_count[i][j]), PAIR_ROUNDS);
        }
    }
}

/* ---- fan-in of millions of messages ---- */

#define FAN_SHARDS 4u
#ifdef DB_SANITIZE
#define FAN_PER_SENDER 300000u
#else
#define FAN_PER_SENDER 1000000u
#endif
#define FAN_WINDOW 4096u

typedef struct fan_msg {
    rt_msg msg;
    uint32_t from;
    uint32_t seq;
    struct fan_msg *next_free;
} fan_msg;

typedef struct fan_sender {
    fan_msg *pool;
    fan_msg *free_list;
    rt_fiber *waiting;
    uint32_t replies;
} fan_sender;

static struct {
    fan_sender senders[FAN_SHARDS];
    uint32_t next_seq[FAN_SHARDS]; /* on shard 0 only */
    uint64_t received;
    uint64_t wrong;
    _Atomic uint32_t finished;
} fan;

static void fan_run(rt_msg *m) {
    fan_msg *f = (fan_msg *)m;
    if (f->seq != fan.next_seq[f->from]) fan.wrong++; /* lost, duplicated or reordered */
    fan.next_seq[f->from] = f->seq + 1;
    fan.received++;
    rt_msg_reply(m);
}

static void fan_done(rt_msg *m) {
    fan_msg *f = (fan_msg *)m;
    fan_sender *s = &fan.senders[f->from];
    f->next_free = s->free_list;
    s->free_list = f;
    s->replies++;
    if (s->waiting != NULL) rt_fiber_wake(s->waiting);
}

static void fan_fiber(void *arg) {
    uint32_t me = rt_core_id();
    fan_sender *s = &fan.senders[me];
    for (uint32_t seq = 0; seq < FAN_PER_SENDER; seq++) {
        while (s->free_list == NULL) {
            s->waiting = rt_fiber_self();
            rt_fiber_park();
            s->waiting = NULL;
        }
        fan_msg *f = s->free_list;
        s->free_list = f->next_free;
        f->msg.run = fan_run;
        f->msg.done = fan_done;
        f->from = me;
        f->seq = seq;
        rt_msg_send(&f->msg, 0);
        if ((seq & 1023u) == 0) rt_fiber_maybe_yield();
    }
    while (s->replies < FAN_PER_SENDER) {
        s->waiting = rt_fiber_self();
        rt_fiber_park();
        s->waiting = NULL;
    }
    if (atomic_fetch_add(&fan.finished, 1) + 1 == FAN_SHARDS) rt_runtime_stop();
}

static void fan_start(rt_loop *loop, void *arg) {
    fan_sender *s = &fan.senders[rt_core_id()];
    s->pool = rt_xcalloc(FAN_WINDOW, sizeof *s->pool);
    for (uint32_t i = 0; i < FAN_WINDOW; i++) {
        s->pool[i].next_free = s->free_list;
        s->free_list = &s->pool[i];
    }
    test_spawn(fan_fiber, NULL);
}

static void test_rt_ring_fan_in_millions_no_loss(void **state) {
    memset(&fan, 0, sizeof fan);
    assert_int_equal(test_runtime_run(FAN_SHARDS, fan_start, NULL, NULL), 0);
    assert_int_equal(fan.received, (uint64_t)FAN_SHARDS * FAN_PER_SENDER);
    assert_int_equal(fan.wrong, 0);
    for (uint32_t i = 0; i < FAN_SHARDS; i++) {
        assert_int_equal(fan.next_seq[i], FAN_PER_SENDER);
        assert_int_equal(fan.senders[i].replies, FAN_PER_SENDER);
        rt_free(fan.senders[i].pool);
    }
}

/* ---- stop with messages in flight ---- */

#define STOP_SHARDS 3u
#define STOP_INFLIGHT 256u

typedef struct stop_msg {
    rt_msg msg;
} stop_msg;

static struct {
    stop_msg msgs[STOP_SHARDS][STOP_INFLIGHT];
    _Atomic uint64_t sent;
    _Atomic uint64_t done;
    _Atomic uint64_t ran;
    _Atomic bool stopping[STOP_SHARDS];
    _Atomic uint64_t stop_calls;
} stopper;

static void stop_run(rt_msg *m) {
    atomic_fetch_add(&stopper.ran, 1);
    rt_msg_reply(m);
}

static void stop_send(rt_msg *m) {
    uint32_t me = rt_core_id();
    atomic_fetch_add(&stopper.sent, 1);
    rt_msg_send(m, (me + 1 + (uint32_t)(atomic_load(&stopper.sent) % (STOP_SHARDS - 1))) %
                       STOP_SHARDS);
}

static void stop_done(rt_msg *m) {
    uint64_t d = atomic_fetch_add(&stopper.done, 1) + 1;
    if (d == 200000) rt_runtime_stop(); /* requested while every shard has messages in flight */
    if (!atomic_load(&stopper.stopping[rt_core_id()])) stop_send(m); /* ping-pong forever */
}

static void stop_start(rt_loop *loop, void *arg) {
    uint32_t me = rt_core_id();
    for (uint32_t i = 0; i < STOP_INFLIGHT; i++) {
        stopper.msgs[me][i].msg.run = stop_run;
        stopper.msgs[me][i].msg.done = stop_done;
        stop_send(&stopper.msgs[me][i].msg);
    }
}

static void stop_stop(rt_loop *loop, void *arg) {
    atomic_store(&stopper.stopping[rt_core_id()], true);
    atomic_fetch_add(&stopper.stop_calls, 1);
}

static void test_rt_ring_stop_drains_messages_in_flight(void **state) {
    memset(&stopper, 0, sizeof stopper);
    assert_int_equal(test_runtime_run(STOP_SHARDS, stop_start, stop_stop, NULL), 0);
    assert_int_equal(atomic_load(&stopper.stop_calls), STOP_SHARDS);
    assert_true(atomic_load(&stopper.done) >= 200000);
    /* Every message sent was run and its reply delivered before the runtime returned. */
    assert_int_equal(atomic_load(&stopper.sent), atomic_load(&stopper.ran));
    assert_int_equal(atomic_load(&stopper.sent), atomic_load(&stopper.done));
}

/* ---- one-way messages counted through a stop ---- */

static struct {
    _Atomic uint64_t ran;
} oneway;

typedef struct oneway_msg {
    rt_msg msg;
} oneway_msg;

static void oneway_run(rt_msg *m) {
    atomic_fetch_add(&oneway.ran, 1);
    rt_free(m); /* one-way: the receiver owns it */
}

static void oneway_start(rt_loop *loop, void *arg) {
    for (uint32_t i = 0; i < 50000; i++) {
        oneway_msg *m = rt_xcalloc(1, sizeof *m);
        m->msg.run = oneway_run;
        rt_msg_send(&m->msg, (rt_core_id() + 1) % rt_shard_count());
    }
    if (rt_core_id() == 0) rt_runtime_stop(); /* before any of them has run */
}

static void test_rt_ring_oneway_messages_all_run_before_exit(void **state) {
    memset(&oneway, 0, sizeof oneway);
    assert_int_equal(test_runtime_run(2, oneway_start, NULL, NULL), 0);
    assert_int_equal(atomic_load(&oneway.ran), 100000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_ring_fifo_order_survives_full_ring),
        cmocka_unit_test(test_rt_ring_round_trips_every_ordered_pair),
        cmocka_unit_test(test_rt_ring_fan_in_millions_no_loss),
        cmocka_unit_test(test_rt_ring_stop_drains_messages_in_flight),
        cmocka_unit_test(test_rt_ring_oneway_messages_all_run_before_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
