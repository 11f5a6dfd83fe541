/* test_rt_timer.c: timers and fibers of one shard.
 * How: timers with shuffled delays are started on a real shard; the order and times at which
 * they fire are recorded and checked on the main thread. Fiber tests check park/wake, yield
 * order, sleeping, slicing of long work and the fiber limit's error, and that a fiber whose
 * stack went deep gives the pages below RT_FIBER_STACK_KEEP_BYTES back (mincore). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <cmocka.h>

#include "runtime/rt_time.h"
#include "tests/common/test_runtime.h"

/* ---- timers fire in order ---- */

#define TIMER_COUNT 2000u

typedef struct test_timer {
    rt_timer timer;
    uint32_t id;
    uint64_t due_ns;
    uint64_t fired_ns;
    bool cancelled;
} test_timer;

static struct {
    test_timer timers[TIMER_COUNT];
    uint32_t order[TIMER_COUNT];
    uint32_t fired;
    uint32_t expected;
    rt_timer stopper;
} tm;

static void timer_fired(rt_timer *t) {
    test_timer *tt = (test_timer *)t;
    tt->fired_ns = rt_time_mono_ns();
    tm.order[tm.fired++] = tt->id;
    if (tm.fired == tm.expected) rt_runtime_stop();
}

static void timer_start(rt_loop *loop, void *arg) {
    if (rt_core_id() != 0) return;
    rt_err err;
    rt_err_clear(&err);
    srand(42);
    for (uint32_t i = 0; i < TIMER_COUNT; i++) {
        test_timer *t = &tm.timers[i];
        t->id = i;
        /* 0..40 ms in 100 us steps: many equal deadlines, which must fire in start order. */
        uint64_t delay = (uint64_t)(rand() % 400) * 100 * RT_NS_PER_US;
        TEST_CHECK(rt_timer_start(&t->timer, delay, timer_fired, &err));
        t->due_ns = t->timer.deadline_ns;
    }
    /* Cancel every 7th; re-arm every 11th further out. */
    tm.expected = TIMER_COUNT;
    for (uint32_t i = 0; i < TIMER_COUNT; i += 7) {
        rt_timer_cancel(&tm.timers[i].timer);
        tm.timers[i].cancelled = true;
        tm.expected--;
    }
    for (uint32_t i = 1; i < TIMER_COUNT; i += 11) {
        if (tm.timers[i].cancelled) continue;
        TEST_CHECK(rt_timer_start(&tm.timers[i].timer, 45 * RT_NS_PER_MS, timer_fired, &err));
        tm.timers[i].due_ns = tm.timers[i].timer.deadline_ns;
    }
}

static void test_rt_timer_fire_in_deadline_order(void **state) {
    memset(&tm, 0, sizeof tm);
    assert_int_equal(test_runtime_run(1, timer_start, NULL, NULL), 0);
    assert_int_equal(tm.fired, tm.expected);
    for (uint32_t k = 0; k < tm.fired; k++) {
        test_timer *t = &tm.timers[tm.order[k]];
        assert_false(t->cancelled);
        assert_true(t->fired_ns >= t->due_ns); /* never early */
        if (k == 0) continue;
        test_timer *prev = &tm.timers[tm.order[k - 1]];
        assert_true(prev->due_ns <= t->due_ns);
    }
}

/* ---- the pending timer limit reports an error ---- */

static struct {
    rt_timer *many;
    uint32_t started;
    bool limit_error;
    char sqlstate[6];
} lim;

static void lim_noop(rt_timer *t) { (void)t; }

static void lim_start(rt_loop *loop, void *arg) {
    rt_err err;
    rt_err_clear(&err);
    lim.many = calloc(RT_TIMERS_MAX + 1, sizeof *lim.many);
    for (uint32_t i = 0; i <= RT_TIMERS_MAX; i++) {
        if (!rt_timer_start(&lim.many[i], RT_NS_PER_S * 60, lim_noop, &err)) {
            lim.limit_error = true;
            memcpy(lim.sqlstate, err.sqlstate, 6);
            break;
        }
        lim.started++;
    }
    for (uint32_t i = 0; i < lim.started; i++) rt_timer_cancel(&lim.many[i]);
    rt_runtime_stop();
}

static void test_rt_timer_limit_is_an_error(void **state) {
    memset(&lim, 0, sizeof lim);
    assert_int_equal(test_runtime_run(1, lim_start, NULL, NULL), 0);
    assert_true(lim.limit_error);
    assert_int_equal(lim.started, RT_TIMERS_MAX);
    assert_string_equal(lim.sqlstate, "54000");
    free(lim.many);
}

/* ---- fibers: park, wake, yield, sleep, slices ---- */

static struct {
    char trace[64];
    uint32_t trace_len;
    rt_fiber *parked;
    uint64_t slept_ns;
    uint32_t slices;
    uint32_t interleaved;
    _Atomic bool long_done;
    bool limit_error;
    char limit_state[6];
    uint32_t spawned;
} fb;

static void fb_mark(char c) { fb.trace[fb.trace_len++] = c; }

static void fb_parker(void *arg) {
    fb_mark('a');
    fb.parked = rt_fiber_self();
    rt_fiber_park();
    fb_mark('d');
}

static void fb_waker(void *arg) {
    fb_mark('b');
    rt_fiber_yield();
    fb_mark('c');
    rt_fiber_wake(fb.parked);
    rt_fiber_wake(fb.parked); /* a second wake of a ready fiber changes nothing */
}

static void fb_sleeper(void *arg) {
    uint64_t t0 = rt_time_mono_ns();
    rt_fiber_sleep_ns(20 * RT_NS_PER_MS);
    fb.slept_ns = rt_time_mono_ns() - t0;
}

/* Long work in slices: other fibers must get turns meanwhile. It works until the ticker has
 * run 10 times or 5 s passed (a loaded machine may deschedule the thread for long stretches,
 * so a fixed window would measure the machine, not the slicing). */
static void fb_long(void *arg) {
    uint64_t t0 = rt_time_mono_ns();
    while (fb.slices < 10 && rt_time_mono_ns() - t0 < 5000 * RT_NS_PER_MS) rt_fiber_maybe_yield();
    atomic_store(&fb.long_done, true);
}

static void fb_ticker(void *arg) {
    while (!atomic_load(&fb.long_done)) {
        fb.slices++;
        rt_fiber_yield();
    }
}

static void fb_idle(void *arg) { rt_fiber_park(); }

static void fb_limit(void *arg) {
    rt_err err;
    rt_err_clear(&err);
    rt_fiber *spawned[RT_FIBERS_MAX];
    uint32_t n = 0;
    while (n < RT_FIBERS_MAX) {
        rt_fiber *f = rt_fiber_spawn(fb_idle, NULL, &err);
        if (f == NULL) break;
        spawned[n++] = f;
    }
    fb.spawned = n;
    fb.limit_error = rt_err_is_set(&err);
    memcpy(fb.limit_state, err.sqlstate, 6);
    rt_fiber_yield(); /* let them all park */
    for (uint32_t i = 0; i < n; i++) rt_fiber_wake(spawned[i]);
}

static void fb_main(void *arg) {
    test_spawn(fb_parker, NULL);
    test_spawn(fb_waker, NULL);
    test_spawn(fb_sleeper, NULL);
    test_spawn(fb_long, NULL);
    test_spawn(fb_ticker, NULL);
    while (!atomic_load(&fb.long_done) || fb.slept_ns == 0) rt_fiber_sleep_ns(RT_NS_PER_MS);
    fb_limit(NULL);
    while (rt_fiber_count() > 1) rt_fiber_yield();
    rt_runtime_stop();
}

static void fb_start(rt_loop *loop, void *arg) { test_spawn(fb_main, NULL); }

static void test_rt_fiber_park_wake_yield_sleep_slice(void **state) {
    memset(&fb, 0, sizeof fb);
    assert_int_equal(test_runtime_run(1, fb_start, NULL, NULL), 0);
    fb.trace[fb.trace_len] = '\0';
    assert_string_equal(fb.trace, "abcd");
    assert_true(fb.slept_ns >= 20 * RT_NS_PER_MS);
    assert_true(fb.slept_ns < 2000 * RT_NS_PER_MS);
    /* Work in 0.5 ms slices: the ticker ran many times in between. */
    assert_true(fb.slices >= 10);
    assert_true(fb.limit_error);
    assert_string_equal(fb.limit_state, "53000");
    /* main, sleeper... have ended or are running: the limit counts all live fibers. */
    assert_true(fb.spawned > RT_FIBERS_MAX - 8);
}

/* ---- a deep stack is trimmed ---- */

static struct {
    uintptr_t deep;            /* an address the recursion touched, 1 MiB down */
    bool resident_before, resident_after, top_resident_after;
} st;

static bool page_resident(uintptr_t addr) {
    unsigned char v = 0;
    uintptr_t page = addr & ~(uintptr_t)4095;
    return mincore((void *)page, 4096, &v) == 0 && (v & 1) != 0;
}

static __attribute__((noinline)) void st_recurse(void) {
    volatile char pad[2048];
    pad[0] = 1;
    if (rt_stack_left() > RT_FIBER_STACK_BYTES - (1u << 20)) {
        st_recurse();
    } else {
        st.deep = (uintptr_t)__builtin_frame_address(0);
    }
    pad[1] = pad[0];
}

static void st_fiber(void *arg) {
    st_recurse();
    st.resident_before = page_resident(st.deep);
    rt_fiber_stack_trim();
    st.resident_after = page_resident(st.deep);
    st.top_resident_after = page_resident((uintptr_t)__builtin_frame_address(0));
    rt_runtime_stop();
}

static void st_start(rt_loop *loop, void *arg) {
    if (rt_core_id() == 0) test_spawn(st_fiber, NULL);
}

static void test_rt_fiber_deep_stack_is_trimmed(void **state) {
    memset(&st, 0, sizeof st);
    assert_int_equal(test_runtime_run(1, st_start, NULL, NULL), 0);
    assert_true(st.deep != 0);
    assert_true(st.resident_before);
    assert_false(st.resident_after);
    assert_true(st.top_resident_after);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_timer_fire_in_deadline_order),
        cmocka_unit_test(test_rt_timer_limit_is_an_error),
        cmocka_unit_test(test_rt_fiber_park_wake_yield_sleep_slice),
        cmocka_unit_test(test_rt_fiber_deep_stack_is_trimmed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
