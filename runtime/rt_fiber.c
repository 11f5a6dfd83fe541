/* rt_fiber.c: fibers of one shard: creation, the ready queue, park/wake, stacks.
 *
 * All switches go through the shard's scheduler context (the loop's own thread stack): a fiber
 * parks or yields by switching to it, and rt_fibers_run_ready() switches into ready fibers one
 * after another. A fiber never switches directly to another one, which keeps the bookkeeping
 * (and AddressSanitizer's view of stacks) simple. Stacks are mmap'd with a guard page below;
 * a small cache per shard avoids mapping on every spawn. A stack that went deeper than
 * RT_FIBER_STACK_KEEP_BYTES gives the pages below that back before it is reused. */
#include <string.h>
#include <sys/mman.h>

#include "runtime/rt_log.h"
#include "runtime/rt_loop_int.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

#if !defined(__x86_64__)
#error "rt_fiber: a context switch exists for x86_64 only"
#endif

#ifdef DB_SANITIZE
#include <sanitizer/common_interface_defs.h>
#endif

#define RT_FIBER_GUARD_BYTES 4096u

void rt_ctx_switch(void **save_sp, void *new_sp);
void rt_ctx_trampoline(void);

static void *rt_fiber_stack_get(rt_loop *loop) {
    if (loop->stack_cache_count > 0) return loop->stack_cache[--loop->stack_cache_count];
    size_t bytes = RT_FIBER_STACK_BYTES + RT_FIBER_GUARD_BYTES;
    void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return NULL;
    if (mprotect(base, RT_FIBER_GUARD_BYTES, PROT_NONE) != 0) {
        munmap(base, bytes);
        return NULL;
    }
    return base;
}

/* Gives back the pages of `f`'s stack below RT_FIBER_STACK_KEEP_BYTES from its top when its
 * recorded low-water mark is below that line; they read back as zeros if touched again. */
static void rt_fiber_stack_release(rt_fiber *f) {
    uintptr_t low = (uintptr_t)f->stack_base + RT_FIBER_GUARD_BYTES;
    uintptr_t keep = low + f->stack_bytes - RT_FIBER_STACK_KEEP_BYTES;
    if (f->stack_low >= keep) return;
    /* Failure only leaves the pages resident: nothing to report. */
    (void)madvise((void *)low, keep - low, MADV_DONTNEED);
    f->stack_low = keep;
}

static void rt_fiber_stack_put(rt_loop *loop, rt_fiber *f) {
    if (loop->stack_cache_count < RT_FIBER_STACK_CACHE) {
        rt_fiber_stack_release(f);
        loop->stack_cache[loop->stack_cache_count++] = f->stack_base;
        return;
    }
    munmap(f->stack_base, RT_FIBER_STACK_BYTES + RT_FIBER_GUARD_BYTES);
}

static void rt_fiber_free(rt_loop *loop, rt_fiber *f) {
    rt_fiber_stack_put(loop, f);
    rt_free(f);
    loop->fiber_count--;
}

void rt_fibers_free(rt_loop *loop) {
    RT_ASSERT(loop->fiber_count == 0);
    while (loop->stack_cache_count > 0) {
        munmap(loop->stack_cache[--loop->stack_cache_count],
               RT_FIBER_STACK_BYTES + RT_FIBER_GUARD_BYTES);
    }
}

/* Switches from the running fiber to the scheduler; returns when the fiber runs again. */
static void rt_fiber_to_sched(rt_loop *loop, rt_fiber *f) {
#ifdef DB_SANITIZE
    __sanitizer_start_switch_fiber(f->state == RT_FIBER_DEAD ? NULL : &f->asan_fake_stack,
                                   loop->sched_stack_bottom, loop->sched_stack_size);
#endif
    rt_ctx_switch(&f->ctx.sp, loop->sched_ctx.sp);
#ifdef DB_SANITIZE
    __sanitizer_finish_switch_fiber(f->asan_fake_stack, &loop->sched_stack_bottom,
                                    &loop->sched_stack_size);
#endif
}

static void rt_fiber_main(void *arg) {
    rt_fiber *f = arg;
    rt_loop *loop = rt_self;
#ifdef DB_SANITIZE
    __sanitizer_finish_switch_fiber(NULL, &loop->sched_stack_bottom, &loop->sched_stack_size);
#endif
    f->fn(f->arg);
    f->state = RT_FIBER_DEAD;
    rt_fiber_to_sched(loop, f);
    RT_UNREACHABLE();
}

rt_fiber *rt_fiber_spawn(rt_fiber_fn fn, void *arg, rt_err *err) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    if (loop->fiber_count >= RT_FIBERS_MAX) {
        rt_err_set(err, SQLSTATE_INSUFFICIENT_RESOURCES,
                   "too many fibers on shard %u (limit %d)", loop->core_id, RT_FIBERS_MAX);
        return NULL;
    }
    void *base = rt_fiber_stack_get(loop);
    if (base == NULL) {
        rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "could not map a fiber stack");
        return NULL;
    }
    rt_fiber *f = rt_xcalloc(1, sizeof *f);
    f->fn = fn;
    f->arg = arg;
    f->stack_base = base;
    f->stack_bytes = RT_FIBER_STACK_BYTES;
    f->stack_low = (uintptr_t)base + RT_FIBER_GUARD_BYTES + RT_FIBER_STACK_BYTES;
    /* The initial frame, popped by rt_ctx_switch: control words, r15, r14, r13 (entry), r12
     * (its argument), rbx, rbp, then the return address (the trampoline) and an alignment pad. */
    uint64_t *top = (uint64_t *)((char *)base + RT_FIBER_GUARD_BYTES + RT_FIBER_STACK_BYTES);
    uint64_t *sp = top - 9;
    sp[0] = 0x1F80u | ((uint64_t)0x037Fu << 32); /* default MXCSR and x87 control word */
    sp[1] = 0;
    sp[2] = 0;
    sp[3] = (uint64_t)(uintptr_t)rt_fiber_main;
    sp[4] = (uint64_t)(uintptr_t)f;
    sp[5] = 0;
    sp[6] = 0;
    sp[7] = (uint64_t)(uintptr_t)rt_ctx_trampoline;
    sp[8] = 0;
    f->ctx.sp = sp;
    loop->fiber_count++;
    f->state = RT_FIBER_PARKED;
    rt_fiber_wake(f);
    return f;
}

rt_fiber *rt_fiber_self(void) { return rt_self != NULL ? rt_self->current : NULL; }

size_t rt_stack_left(void) {
    rt_fiber *f = rt_fiber_self();
    if (f == NULL) return SIZE_MAX;
    /* The frame address, not a local's: under ASan a local may live on its fake stack. */
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t low = (uintptr_t)f->stack_base + RT_FIBER_GUARD_BYTES;
    if (sp < f->stack_low) f->stack_low = sp;
    return sp > low ? sp - low : 0;
}

void rt_fiber_stack_trim(void) {
    rt_fiber *f = rt_fiber_self();
    if (f == NULL) return;
    uintptr_t top = (uintptr_t)f->stack_base + RT_FIBER_GUARD_BYTES + f->stack_bytes;
    /* The caller's own frames must lie above what is given back. */
    RT_ASSERT((uintptr_t)__builtin_frame_address(0) > top - RT_FIBER_STACK_KEEP_BYTES);
    rt_fiber_stack_release(f);
}

uint32_t rt_fiber_count(void) { return rt_self->fiber_count; }

void rt_fiber_wake(rt_fiber *f) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    if (f->state != RT_FIBER_PARKED) return;
    f->state = RT_FIBER_READY;
    f->next_ready = NULL;
    if (loop->ready_tail != NULL) {
        loop->ready_tail->next_ready = f;
    } else {
        loop->ready_head = f;
    }
    loop->ready_tail = f;
}

void rt_fiber_park(void) {
    rt_loop *loop = rt_self;
    rt_fiber *f = loop->current;
    RT_ASSERT(f != NULL);
    f->state = RT_FIBER_PARKED;
    rt_fiber_to_sched(loop, f);
}

void rt_fiber_yield(void) {
    rt_loop *loop = rt_self;
    rt_fiber *f = loop->current;
    RT_ASSERT(f != NULL);
    f->state = RT_FIBER_PARKED;
    rt_fiber_wake(f);
    rt_fiber_to_sched(loop, f);
}

void rt_fiber_maybe_yield(void) {
    rt_loop *loop = rt_self;
    if (loop->current == NULL) return;
    if (rt_time_mono_ns() - loop->slice_start_ns >= RT_SLICE_NS) rt_fiber_yield();
}

typedef struct rt_fiber_sleep {
    rt_timer timer; /* first member: the timer callback gets back to the struct */
    rt_fiber *fiber;
} rt_fiber_sleep;

static void rt_fiber_sleep_done(rt_timer *t) { rt_fiber_wake(((rt_fiber_sleep *)t)->fiber); }

void rt_fiber_sleep_ns(uint64_t ns) {
    rt_fiber_sleep s;
    memset(&s, 0, sizeof s);
    s.fiber = rt_fiber_self();
    RT_ASSERT(s.fiber != NULL);
    rt_err err;
    rt_err_clear(&err);
    if (!rt_timer_start(&s.timer, ns, rt_fiber_sleep_done, &err)) {
        rt_fiber_yield(); /* no timer slot: a yield is the shortest honest sleep */
        return;
    }
    while (rt_timer_armed(&s.timer)) rt_fiber_park();
}

/* Runs each fiber that is ready now once; fibers readied meanwhile run next iteration. */
bool rt_fibers_run_ready(rt_loop *loop) {
    rt_fiber *batch = loop->ready_head;
    if (batch == NULL) return false;
    loop->ready_head = loop->ready_tail = NULL;
    while (batch != NULL) {
        rt_fiber *f = batch;
        batch = f->next_ready;
        RT_ASSERT(f->state == RT_FIBER_READY);
        f->state = RT_FIBER_RUNNING;
        loop->current = f;
        loop->slice_start_ns = rt_time_mono_ns();
#ifdef DB_SANITIZE
        void *fake = NULL;
        __sanitizer_start_switch_fiber(&fake, (char *)f->stack_base + RT_FIBER_GUARD_BYTES,
                                       f->stack_bytes);
#endif
        rt_ctx_switch(&loop->sched_ctx.sp, f->ctx.sp);
#ifdef DB_SANITIZE
        __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
        loop->current = NULL;
        if (f->state == RT_FIBER_DEAD) rt_fiber_free(loop, f);
    }
    return true;
}
