/* rt_timer.c: per-shard timers in a binary min-heap ordered by (deadline, start sequence).
 * The heap array is allocated once per shard (RT_TIMERS_MAX slots); a timer is intrusive and
 * remembers its slot, so cancel and re-arm are O(log n). */
#include "runtime/rt_loop_int.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

void rt_timers_init(rt_loop *loop) {
    loop->timer_heap = rt_xcalloc(RT_TIMERS_MAX + 1, sizeof *loop->timer_heap);
    loop->timer_count = 0;
}

void rt_timers_free(rt_loop *loop) {
    rt_free(loop->timer_heap);
    loop->timer_heap = NULL;
}

static bool rt_timer_before(const rt_timer *a, const rt_timer *b) {
    if (a->deadline_ns != b->deadline_ns) return a->deadline_ns < b->deadline_ns;
    return a->seq < b->seq;
}

static void rt_timer_place(rt_timer **heap, uint32_t slot, rt_timer *t) {
    heap[slot] = t;
    t->heap_slot = slot;
}

static void rt_timer_sift_up(rt_timer **heap, uint32_t slot) {
    rt_timer *t = heap[slot];
    while (slot > 1 && rt_timer_before(t, heap[slot / 2])) {
        rt_timer_place(heap, slot, heap[slot / 2]);
        slot /= 2;
    }
    rt_timer_place(heap, slot, t);
}

static void rt_timer_sift_down(rt_timer **heap, uint32_t count, uint32_t slot) {
    rt_timer *t = heap[slot];
    for (;;) {
        uint32_t child = slot * 2;
        if (child > count) break;
        if (child + 1 <= count && rt_timer_before(heap[child + 1], heap[child])) child++;
        if (!rt_timer_before(heap[child], t)) break;
        rt_timer_place(heap, slot, heap[child]);
        slot = child;
    }
    rt_timer_place(heap, slot, t);
}

static void rt_timer_remove(rt_loop *loop, rt_timer *t) {
    uint32_t slot = t->heap_slot;
    RT_ASSERT(slot >= 1 && slot <= loop->timer_count);
    RT_ASSERT(loop->timer_heap[slot] == t);
    rt_timer *last = loop->timer_heap[loop->timer_count--];
    t->heap_slot = 0;
    if (last == t) return;
    rt_timer_place(loop->timer_heap, slot, last);
    rt_timer_sift_up(loop->timer_heap, slot);
    rt_timer_sift_down(loop->timer_heap, loop->timer_count, last->heap_slot);
}

bool rt_timer_start(rt_timer *t, uint64_t delay_ns, rt_timer_fn fn, rt_err *err) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    RT_ASSERT(fn != NULL);
    if (t->heap_slot != 0) rt_timer_remove(loop, t);
    if (loop->timer_count == RT_TIMERS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many pending timers on shard %u (limit %d)", loop->core_id,
                          RT_TIMERS_MAX);
    }
    t->fn = fn;
    t->deadline_ns = rt_time_mono_ns() + delay_ns;
    t->seq = ++loop->timer_seq;
    loop->timer_count++;
    rt_timer_place(loop->timer_heap, loop->timer_count, t);
    rt_timer_sift_up(loop->timer_heap, loop->timer_count);
    return true;
}

void rt_timer_cancel(rt_timer *t) {
    if (t->heap_slot == 0) return;
    rt_timer_remove(rt_self, t);
}

bool rt_timers_fire(rt_loop *loop, uint64_t now_ns) {
    bool fired = false;
    while (loop->timer_count > 0 && loop->timer_heap[1]->deadline_ns <= now_ns) {
        rt_timer *t = loop->timer_heap[1];
        rt_timer_remove(loop, t);
        t->fn(t); /* may re-arm t or start others */
        fired = true;
    }
    return fired;
}

uint64_t rt_timers_next_deadline(const rt_loop *loop) {
    return loop->timer_count > 0 ? loop->timer_heap[1]->deadline_ns : UINT64_MAX;
}
