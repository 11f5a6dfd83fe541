/* test_runtime.h: helpers for tests that need running shards.
 * Assertions inside shard threads cannot use cmocka (it longjmps on its own thread), so tests
 * record facts in shared structs, stop the runtime, and assert on the main thread afterwards.
 * TEST_CHECK() inside shards counts failures and logs them; test_runtime_run() returns the
 * count of such failures so the cmocka test can assert it is zero. */
#ifndef TEST_RUNTIME_H
#define TEST_RUNTIME_H

#include <stdatomic.h>
#include <stdio.h>

#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"

static _Atomic int test_check_failures;

#define TEST_CHECK(c)                                                                       \
    do {                                                                                    \
        if (!(c)) {                                                                         \
            atomic_fetch_add(&test_check_failures, 1);                                      \
            rt_log(RT_LOG_ERROR, NULL, "check failed: %s at %s:%d", #c, __FILE__, __LINE__); \
        }                                                                                   \
    } while (0)

/* Runs `shards` shards (unpinned, so more shards than cores work), calls on_start on each,
 * returns the number of TEST_CHECK failures (or -1 if the runtime failed). */
static inline int test_runtime_run(uint32_t shards, void (*on_start)(rt_loop *, void *),
                                   void (*on_stop)(rt_loop *, void *), void *arg) {
    atomic_store(&test_check_failures, 0);
    rt_config config = {.shard_count = shards, .spin_us = 10, .pin_threads = false,
                        .handle_signals = false, .on_start = on_start, .on_stop = on_stop,
                        .arg = arg};
    rt_err err;
    rt_err_clear(&err);
    if (!rt_runtime_run(&config, &err)) {
        fprintf(stderr, "runtime failed: %s\n", err.message);
        return -1;
    }
    return atomic_load(&test_check_failures);
}

/* Spawns `fn` as a fiber on the calling shard; failing to spawn is a test failure. */
static inline void test_spawn(rt_fiber_fn fn, void *arg) {
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(rt_fiber_spawn(fn, arg, &err) != NULL);
}

#endif
