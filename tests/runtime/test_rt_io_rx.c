/* test_rt_io_rx.c: multishot receive with the shard's provided-buffer ring (rt_io_rx.c).
 * How: one shard, Unix stream socket pairs; a writer fiber sends numbered chunks, a reader
 * fiber receives through rt_sock_rx_recv and checks every byte arrives once and in order.
 * Steps are ordered by handshakes on the receiver's state (held buffers, ring statistics),
 * never by sleeps, so nothing depends on the machine's speed. Cases: a ring of 4 buffers run
 * dry (the request ends with ENOBUFS, the next receive is a plain one, then it re-arms), a
 * connection that stops reading while its client keeps sending (cancelled at RT_RX_HELD_MAX
 * held buffers, resumed once read), end of stream, and a receive's timeout. The drain before a
 * close (rt_sock_rx_drain), with multishot and with plain receives: it ends at once when the
 * client closes, stops at exactly its byte limit (the bytes after it are still there to read),
 * and ends at its time limit when the client sends nothing; only lower bounds on time are
 * asserted (a loaded machine is slower, never faster). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rt_io.h"
#include "runtime/rt_time.h"
#include "tests/common/test_runtime.h"

#define CHUNK_BYTES 3000u
/* Fiber yields a handshake may take before the test gives up (a failure, not a hang). */
#define YIELDS_MAX 2000000u

static struct {
    int fds[2];               /* [0] reader side, [1] writer side */
    rt_sock_rx rx;
    uint32_t ring_bufs;       /* buffers in the shard's ring */
    uint32_t chunks;
    uint64_t received;
    uint32_t mismatches;
    bool go_read;             /* the writer lets the reader drain */
    bool writer_done;
    bool reader_done;
    rt_fiber_fn writer;
    rt_rx_stats stats_end;
    uint32_t max_held;
    bool saw_unarmed_full;    /* the held cap cancelled the request */
} t;

static uint8_t pattern(uint64_t pos) { return (uint8_t)(pos * 7u + pos / 251u); }

static bool wait_until(bool (*cond)(void)) {
    for (uint32_t i = 0; i < YIELDS_MAX; i++) {
        if (cond()) return true;
        rt_fiber_yield();
    }
    return false;
}

static void send_chunk(uint32_t index) {
    uint8_t buf[CHUNK_BYTES];
    for (uint32_t i = 0; i < CHUNK_BYTES; i++) buf[i] = pattern((uint64_t)index * CHUNK_BYTES + i);
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(rt_sock_send(t.fds[1], buf, sizeof buf, &err));
}

static void read_all(void) {
    uint8_t buf[1000]; /* smaller than a chunk: buffers are read in parts */
    rt_err err;
    for (;;) {
        rt_err_clear(&err);
        ssize_t n = rt_sock_rx_recv(&t.rx, buf, sizeof buf, 0, &err);
        TEST_CHECK(n >= 0);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != pattern(t.received + (uint64_t)i)) t.mismatches++;
        }
        t.received += (uint64_t)n;
        if (t.rx.held > t.max_held) t.max_held = t.rx.held;
    }
}

static bool cond_first_armed(void) { return t.rx.armed; }
static bool cond_go(void) { return t.go_read; }

static void reader_fiber(void *arg) {
    (void)arg;
    uint8_t first[CHUNK_BYTES];
    rt_err err;
    rt_err_clear(&err);
    /* The first receive arms the request and waits for chunk 0. */
    ssize_t n = rt_sock_rx_recv(&t.rx, first, sizeof first, 0, &err);
    TEST_CHECK(n > 0);
    for (ssize_t i = 0; i < n; i++) {
        if (first[i] != pattern((uint64_t)i)) t.mismatches++;
    }
    t.received = (uint64_t)(n > 0 ? n : 0);
    TEST_CHECK(wait_until(cond_go));
    read_all();
    t.stats_end = rt_rx_get_stats();
    rt_sock_rx_close(&t.rx);
    close(t.fds[0]);
    t.reader_done = true;
}

/* Ring dry: chunk 0 is read, then each chunk fills one of the ring's buffers while the reader
 * does not read, until none is left and the next chunk ends the request with ENOBUFS. */
static uint32_t dry_target;
static bool cond_held_target(void) { return t.rx.held >= dry_target; }
static bool cond_nobufs(void) { return rt_rx_get_stats().nobufs > 0; }

static void writer_dry_fiber(void *arg) {
    (void)arg;
    TEST_CHECK(wait_until(cond_first_armed));
    send_chunk(0);
    uint32_t index = 1;
    for (dry_target = 1; dry_target <= t.ring_bufs; dry_target++) {
        send_chunk(index++);
        TEST_CHECK(wait_until(cond_held_target));
    }
    send_chunk(index++); /* no buffer left for it */
    TEST_CHECK(wait_until(cond_nobufs));
    for (; index < t.chunks; index++) send_chunk(index);
    shutdown(t.fds[1], SHUT_WR);
    t.go_read = true;
    t.writer_done = true;
}

/* Held cap: the reader does not read while chunks arrive, until its request is cancelled. */
static bool cond_cap(void) { return !t.rx.armed && t.rx.held >= RT_RX_HELD_MAX; }

static void writer_cap_fiber(void *arg) {
    (void)arg;
    TEST_CHECK(wait_until(cond_first_armed));
    send_chunk(0);
    uint32_t index = 1;
    for (dry_target = 1; dry_target <= RT_RX_HELD_MAX; dry_target++) {
        send_chunk(index++);
        TEST_CHECK(wait_until(cond_held_target));
    }
    t.saw_unarmed_full = wait_until(cond_cap);
    /* What is sent now waits in the socket until the reader catches up and re-arms. */
    for (; index < t.chunks; index++) send_chunk(index);
    shutdown(t.fds[1], SHUT_WR);
    t.go_read = true;
    t.writer_done = true;
}

static void start_pair(rt_loop *loop, void *arg) {
    (void)loop;
    (void)arg;
    rt_rx_test_set_bufs(t.ring_bufs);
    TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, t.fds) == 0);
    rt_sock_rx_init(&t.rx, t.fds[0]);
    test_spawn(reader_fiber, NULL);
    test_spawn(t.writer, NULL);
}

static bool both_finished(void) { return t.writer_done && t.reader_done; }

static void stop_when_done(void *arg) {
    (void)arg;
    TEST_CHECK(wait_until(both_finished));
    close(t.fds[1]);
    rt_runtime_stop();
}

static void start_case(rt_loop *loop, void *arg) {
    start_pair(loop, arg);
    test_spawn(stop_when_done, NULL);
}

static void run_case(uint32_t ring_bufs, uint32_t chunks, rt_fiber_fn writer) {
    memset(&t, 0, sizeof t);
    t.ring_bufs = ring_bufs;
    t.chunks = chunks;
    t.writer = writer;
    assert_int_equal(test_runtime_run(1, start_case, NULL, NULL), 0);
    assert_int_equal(t.mismatches, 0);
    assert_int_equal(t.received, (uint64_t)chunks * CHUNK_BYTES);
}

static void test_rt_rx_ring_dry_keeps_order(void **state) {
    (void)state;
    run_case(4, 40, writer_dry_fiber);
    assert_true(t.stats_end.multishot);
    assert_true(t.stats_end.nobufs >= 1);
    assert_true(t.stats_end.plain >= 1);    /* the receive after ENOBUFS */
    assert_true(t.stats_end.arms >= 2);     /* re-armed after the plain receive */
    assert_int_equal(t.stats_end.held, 0);  /* every buffer back in the ring */
}

static void test_rt_rx_held_cap_cancels_then_resumes(void **state) {
    (void)state;
    run_case(RT_RX_BUFS, 3u * RT_RX_HELD_MAX, writer_cap_fiber);
    assert_true(t.saw_unarmed_full);
    assert_true(t.stats_end.arms >= 2);
    assert_int_equal(t.stats_end.nobufs, 0);
    assert_int_equal(t.stats_end.held, 0);
}

/* ---- end of stream and timeout ---- */

static struct {
    int fds[2];
    rt_sock_rx rx;
    ssize_t eof_n;
    ssize_t timeout_n;
    char timeout_state[6];
    bool timeout_said_timeout;
} e;

static void eof_fiber(void *arg) {
    (void)arg;
    uint8_t buf[64];
    rt_err err;
    rt_err_clear(&err);
    e.timeout_n = rt_sock_rx_recv(&e.rx, buf, sizeof buf, 5u * 1000u * 1000u, &err);
    memcpy(e.timeout_state, err.sqlstate, 6);
    e.timeout_said_timeout = strstr(err.message, "timeout") != NULL;
    (void)send(e.fds[1], "hi", 2, 0);
    shutdown(e.fds[1], SHUT_WR);
    rt_err_clear(&err);
    ssize_t n = rt_sock_rx_recv(&e.rx, buf, sizeof buf, 0, &err);
    TEST_CHECK(n == 2);
    rt_err_clear(&err);
    e.eof_n = rt_sock_rx_recv(&e.rx, buf, sizeof buf, 0, &err);
    rt_sock_rx_close(&e.rx);
    close(e.fds[0]);
    close(e.fds[1]);
    rt_runtime_stop();
}

static void start_eof(rt_loop *loop, void *arg) {
    (void)loop;
    (void)arg;
    TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, e.fds) == 0);
    rt_sock_rx_init(&e.rx, e.fds[0]);
    test_spawn(eof_fiber, NULL);
}

static void test_rt_rx_timeout_then_end_of_stream(void **state) {
    (void)state;
    memset(&e, 0, sizeof e);
    e.eof_n = -2;
    assert_int_equal(test_runtime_run(1, start_eof, NULL, NULL), 0);
    assert_int_equal(e.timeout_n, -1);
    assert_string_equal(e.timeout_state, "08006");
    assert_true(e.timeout_said_timeout);
    assert_int_equal(e.eof_n, 0);
}

/* ---- the drain before a close ---- */

#define DRAIN_SENT_BYTES 9000u
#define DRAIN_CAP_BYTES 5000u
/* Long enough never to pass on any machine: a drain that ends before it ended for its cause. */
#define DRAIN_LONG_NS (60ull * 1000 * 1000 * 1000)
#define DRAIN_SHORT_NS (50ull * 1000 * 1000)

static struct {
    uint32_t ring_bufs;
    int fds[2];
    rt_sock_rx rx;
    rt_rx_drain_end eof_end, cap_end, time_end;
    uint64_t eof_drained, cap_drained, time_drained;
    uint64_t eof_ns, time_ns;
    uint64_t after_cap;       /* bytes read after the capped drain, in order */
    uint32_t mismatches;
    rt_rx_stats stats;
} d;

static void drain_send(uint32_t n) {
    uint8_t buf[DRAIN_SENT_BYTES];
    for (uint32_t i = 0; i < n; i++) buf[i] = pattern(i);
    TEST_CHECK(send(d.fds[1], buf, n, 0) == (ssize_t)n);
}

static void drain_pair(void) {
    TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, d.fds) == 0);
    rt_sock_rx_init(&d.rx, d.fds[0]);
}

static void drain_unpair(void) {
    rt_sock_rx_close(&d.rx);
    close(d.fds[0]);
    close(d.fds[1]);
}

/* The capped drain leaves the rest: read it and check it continues the pattern. */
static void drain_read_rest(void) {
    uint8_t buf[1000];
    rt_err err;
    while (d.after_cap < DRAIN_SENT_BYTES - DRAIN_CAP_BYTES) {
        rt_err_clear(&err);
        ssize_t n = rt_sock_rx_recv(&d.rx, buf, sizeof buf, DRAIN_LONG_NS, &err);
        TEST_CHECK(n > 0);
        if (n <= 0) return;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != pattern(DRAIN_CAP_BYTES + d.after_cap + (uint64_t)i)) d.mismatches++;
        }
        d.after_cap += (uint64_t)n;
    }
}

static void drain_fiber(void *arg) {
    (void)arg;
    drain_pair(); /* the client sends, then closes */
    drain_send(DRAIN_SENT_BYTES);
    shutdown(d.fds[1], SHUT_WR);
    uint64_t t0 = rt_time_mono_ns();
    d.eof_end = rt_sock_rx_drain(&d.rx, 1u << 20, DRAIN_LONG_NS, &d.eof_drained);
    d.eof_ns = rt_time_mono_ns() - t0;
    drain_unpair();
    drain_pair(); /* the client sends more than the cap and stays */
    drain_send(DRAIN_SENT_BYTES);
    d.cap_end = rt_sock_rx_drain(&d.rx, DRAIN_CAP_BYTES, DRAIN_LONG_NS, &d.cap_drained);
    drain_read_rest();
    drain_unpair();
    drain_pair(); /* the client sends nothing and stays */
    t0 = rt_time_mono_ns();
    d.time_end = rt_sock_rx_drain(&d.rx, 1u << 20, DRAIN_SHORT_NS, &d.time_drained);
    d.time_ns = rt_time_mono_ns() - t0;
    drain_unpair();
    d.stats = rt_rx_get_stats();
    rt_runtime_stop();
}

static void start_drain(rt_loop *loop, void *arg) {
    (void)loop;
    (void)arg;
    rt_rx_test_set_bufs(d.ring_bufs);
    test_spawn(drain_fiber, NULL);
}

static void run_drain(uint32_t ring_bufs) {
    memset(&d, 0, sizeof d);
    d.ring_bufs = ring_bufs;
    assert_int_equal(test_runtime_run(1, start_drain, NULL, NULL), 0);
    assert_int_equal(d.eof_end, RT_RX_DRAIN_EOF);
    assert_int_equal(d.eof_drained, DRAIN_SENT_BYTES);
    assert_true(d.eof_ns < DRAIN_LONG_NS); /* the close ended it, not the time limit */
    assert_int_equal(d.cap_end, RT_RX_DRAIN_BYTES);
    assert_int_equal(d.cap_drained, DRAIN_CAP_BYTES);
    assert_int_equal(d.after_cap, DRAIN_SENT_BYTES - DRAIN_CAP_BYTES);
    assert_int_equal(d.mismatches, 0);
    assert_int_equal(d.time_end, RT_RX_DRAIN_TIME);
    assert_int_equal(d.time_drained, 0);
    assert_true(d.time_ns >= DRAIN_SHORT_NS);
}

static void test_rt_rx_drain_limits_multishot(void **state) {
    (void)state;
    run_drain(RT_RX_BUFS);
    assert_true(!d.stats.multishot || d.stats.arms >= 3); /* each drain ran multishot */
}

static void test_rt_rx_drain_limits_plain(void **state) {
    (void)state;
    run_drain(0); /* multishot off on the shard: plain receives */
    assert_false(d.stats.multishot);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_rx_ring_dry_keeps_order),
        cmocka_unit_test(test_rt_rx_held_cap_cancels_then_resumes),
        cmocka_unit_test(test_rt_rx_timeout_then_end_of_stream),
        cmocka_unit_test(test_rt_rx_drain_limits_multishot),
        cmocka_unit_test(test_rt_rx_drain_limits_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
