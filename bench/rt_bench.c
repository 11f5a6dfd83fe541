/* rt_bench.c: runtime microbenchmark: shard-to-shard messages.
 *   one-way throughput  shard 0 sends N one-way messages to shard 1 (batched per iteration)
 *   busy round trip     request/reply latency while both shards poll (long spin)
 *   idle round trip     request/reply latency when the receiver sleeps in io_uring and must be
 *                       woken (spin 0, a pause before each request lets it fall asleep)
 * Usage: rt_bench [--messages N] [--round-trips N]. Run on a Release build; see RESULTS.md. */
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

#define BENCH_POOL 65536u

typedef struct bench_msg {
    rt_msg msg;
    uint64_t seq;
} bench_msg;

static struct {
    uint64_t messages;
    uint32_t round_trips;
    bench_msg *pool;
    _Alignas(64) _Atomic uint64_t received;
    _Alignas(64) uint64_t start_ns;
    uint64_t end_ns;
    uint64_t *latency_ns;
    uint32_t pause_us;
    uint64_t wakes;
} bench;

static void bench_oneway_run(rt_msg *m) {
    uint64_t r = atomic_load_explicit(&bench.received, memory_order_relaxed) + 1;
    atomic_store_explicit(&bench.received, r, memory_order_release);
    if (r == bench.messages) {
        bench.end_ns = rt_time_mono_ns();
        rt_runtime_stop();
    }
}

static void bench_oneway_fiber(void *arg) {
    bench.start_ns = rt_time_mono_ns();
    for (uint64_t seq = 0; seq < bench.messages; seq++) {
        /* A pool slot is reused only after the receiver has run the message that held it. */
        while (seq - atomic_load_explicit(&bench.received, memory_order_acquire) >= BENCH_POOL) {
            rt_fiber_yield();
        }
        bench_msg *m = &bench.pool[seq % BENCH_POOL];
        m->msg.run = bench_oneway_run;
        m->msg.done = NULL;
        m->seq = seq;
        rt_msg_send(&m->msg, 1);
        if ((seq & 4095u) == 4095u) rt_fiber_yield(); /* end the iteration: flush the batch */
    }
}

static void bench_rt_run(rt_msg *m) { rt_msg_reply(m); }

static void bench_rt_fiber(void *arg) {
    bench_msg m;
    for (uint32_t i = 0; i < bench.round_trips + 1000; i++) {
        if (bench.pause_us > 0) rt_fiber_sleep_ns(bench.pause_us * RT_NS_PER_US);
        memset(&m, 0, sizeof m);
        m.msg.run = bench_rt_run;
        uint64_t t0 = rt_time_mono_ns();
        rt_msg_call(&m.msg, 1);
        uint64_t t1 = rt_time_mono_ns();
        if (i >= 1000) bench.latency_ns[i - 1000] = t1 - t0; /* first 1000 are warm-up */
    }
    bench.wakes = rt_loop_get_stats().wakes_sent;
    rt_runtime_stop();
}

static void bench_start_oneway(rt_loop *loop, void *arg) {
    rt_err err;
    rt_err_clear(&err);
    if (rt_core_id() == 0) rt_fiber_spawn(bench_oneway_fiber, NULL, &err);
}

static void bench_start_rt(rt_loop *loop, void *arg) {
    rt_err err;
    rt_err_clear(&err);
    if (rt_core_id() == 0) rt_fiber_spawn(bench_rt_fiber, NULL, &err);
}

static int bench_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void bench_run(void (*start)(rt_loop *, void *), uint32_t spin_us) {
    rt_config config = {.shard_count = 2, .spin_us = spin_us, .pin_threads = true,
                        .on_start = start};
    rt_err err;
    rt_err_clear(&err);
    if (!rt_runtime_run(&config, &err)) {
        fprintf(stderr, "rt_bench: %s\n", err.message);
        exit(1);
    }
}

static void bench_latency(const char *name, uint32_t spin_us, uint32_t pause_us) {
    bench.pause_us = pause_us;
    bench_run(bench_start_rt, spin_us);
    qsort(bench.latency_ns, bench.round_trips, sizeof(uint64_t), bench_cmp_u64);
    uint64_t p50 = bench.latency_ns[bench.round_trips / 2];
    uint64_t p99 = bench.latency_ns[(uint64_t)bench.round_trips * 99 / 100];
    uint64_t max = bench.latency_ns[bench.round_trips - 1];
    printf("%-22s round trips=%u  p50=%.2f us  p99=%.2f us  max=%.2f us  wakes_sent=%lu\n", name,
           bench.round_trips, (double)p50 / 1e3, (double)p99 / 1e3, (double)max / 1e3,
           (unsigned long)bench.wakes);
}

int main(int argc, char **argv) {
    bench.messages = 20000000;
    bench.round_trips = 100000;
    static const struct option longs[] = {{"messages", required_argument, NULL, 'm'},
                                          {"round-trips", required_argument, NULL, 'r'},
                                          {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'm') bench.messages = strtoull(optarg, NULL, 10);
        else if (c == 'r') bench.round_trips = (uint32_t)strtoul(optarg, NULL, 10);
        else return 2;
    }
    bench.pool = rt_xcalloc(BENCH_POOL, sizeof *bench.pool);
    bench.latency_ns = rt_xcalloc(bench.round_trips, sizeof(uint64_t));

    bench_run(bench_start_oneway, RT_SPIN_US_DEFAULT);
    double secs = (double)(bench.end_ns - bench.start_ns) / 1e9;
    printf("%-22s messages=%lu  %.2f s  %.2f M msgs/s\n", "one-way 0->1", (unsigned long)
           bench.messages, secs, (double)bench.messages / secs / 1e6);

    bench_latency("busy round trip", 1000000, 0);
    uint32_t idle_count = bench.round_trips;
    bench.round_trips = idle_count / 10 > 0 ? idle_count / 10 : 1; /* each waits 200 us */
    bench_latency("idle-woken round trip", RT_SPIN_US_DEFAULT, 200);
    rt_free(bench.pool);
    rt_free(bench.latency_ns);
    return 0;
}
