/* rt_loop_int.h: private state of the runtime, shared by rt_loop.c, rt_timer.c, rt_fiber.c.
 * Not included from outside runtime/. */
#ifndef RT_LOOP_INT_H
#define RT_LOOP_INT_H

#include <ck_ring.h>
#include <pthread.h>
#include <stdatomic.h>

#include "runtime/rt_loop.h"

#define RT_CACHELINE 64

enum {
    RT_MSG_F_REPLY = 1u << 0,   /* travelling back: run done() on arrival */
    RT_MSG_F_ONEWAY = 1u << 1,  /* no done(): counts in the one-way balance */
};

/* user_data tags below this value are not rt_completion pointers. */
enum { RT_UD_IGNORE = 0, RT_UD_WAKE = 1, RT_UD_TAG_MAX = 16 };

typedef struct rt_msg_queue {
    rt_msg *head;
    rt_msg *tail;
    uint32_t count;
} rt_msg_queue;

/* One SPSC ring of the mesh: written by `from`, read by `to`. Own cache lines. */
typedef struct rt_ring {
    _Alignas(RT_CACHELINE) ck_ring_t ring;
    ck_ring_buffer_t *slots;
} rt_ring;

typedef struct rt_fiber_ctx {
    void *sp; /* saved stack pointer while switched out */
} rt_fiber_ctx;

struct rt_fiber {
    rt_fiber_ctx ctx;
    rt_fiber *next_ready;
    rt_fiber_fn fn;
    void *arg;
    void *stack_base; /* mapping start (guard page included) */
    size_t stack_bytes;
    uintptr_t stack_low; /* lowest frame rt_stack_left() saw since the last trim */
    uint8_t state;    /* RT_FIBER_* */
#ifdef DB_SANITIZE
    void *asan_fake_stack;
#endif
};

enum { RT_FIBER_READY = 1, RT_FIBER_RUNNING = 2, RT_FIBER_PARKED = 3, RT_FIBER_DEAD = 4 };

struct rt_loop {
    /* Written by peers: keep it on its own line. */
    _Alignas(RT_CACHELINE) _Atomic uint32_t sleeping;
    _Alignas(RT_CACHELINE) _Atomic uint64_t oneway_run;   /* read by the stop check */
    _Atomic uint64_t activity;                            /* bumped whenever work is done */
    _Atomic bool quiescent;
    _Alignas(RT_CACHELINE) uint32_t core_id;
    pthread_t thread;
    struct io_uring uring;
    int wake_fd;                 /* eventfd for wakes from non-shard threads */
    uint64_t wake_buf;
    rt_completion wake_c;
    bool wake_armed;
    uint32_t io_pending;         /* completions expected that keep the shard from stopping */
    bool stop_seen;

    rt_msg_queue overflow[RT_SHARDS_MAX]; /* per destination, in send order */
    uint64_t dirty_mask;                  /* destinations sent to this iteration */
    rt_msg_queue local;                   /* messages to self, run next iteration */
    _Atomic uint64_t oneway_sent;
    uint64_t req_outstanding;             /* requests sent whose reply has not run */

    rt_fiber *ready_head, *ready_tail;
    rt_fiber *current;
    rt_fiber_ctx sched_ctx;
    uint32_t fiber_count;
    rt_fiber *dead;                       /* freed after switching off its stack */
    void *stack_cache[RT_FIBER_STACK_CACHE];
    uint32_t stack_cache_count;
    uint64_t slice_start_ns;
#ifdef DB_SANITIZE
    const void *sched_stack_bottom;
    size_t sched_stack_size;
#endif

    rt_timer **timer_heap;                /* 1-based binary heap of RT_TIMERS_MAX + 1 slots */
    uint32_t timer_count;
    uint64_t timer_seq;

    rt_loop_stats stats;
};

typedef struct rt_runtime {
    uint32_t shard_count;
    uint32_t spin_us;
    rt_config config;
    rt_loop **loops;
    rt_ring *mesh;                 /* [from * shard_count + to] */
    _Atomic bool stop_requested;
    _Atomic bool exit_now;
    pthread_barrier_t started;
    _Atomic bool start_failed;
} rt_runtime;

extern rt_runtime *rt_rt;
extern _Thread_local rt_loop *rt_self;

static inline rt_ring *rt_mesh_ring(uint32_t from, uint32_t to) {
    return &rt_rt->mesh[from * rt_rt->shard_count + to];
}

/* rt_timer.c */
void rt_timers_init(rt_loop *loop);
void rt_timers_free(rt_loop *loop);
bool rt_timers_fire(rt_loop *loop, uint64_t now_ns);
uint64_t rt_timers_next_deadline(const rt_loop *loop); /* UINT64_MAX if none */

/* rt_io_rx.c: gives the shard's provided-buffer ring back (at shard exit). */
void rt_rx_pool_free(rt_loop *loop);

/* rt_fiber.c */
bool rt_fibers_run_ready(rt_loop *loop);
void rt_fibers_free(rt_loop *loop);

#endif
