/* rt_loop.c: shard threads, their io_uring loops, the message mesh and orderly stop.
 *
 * One iteration of a shard's loop: reap completions, drain the rings from every peer, run
 * messages sent to itself, fire due timers, run ready fibers, then flush: retry overflowed
 * sends, wake peers that sleep and were sent something, submit queued SQEs. With nothing to do
 * for its spin budget (up to spin_us; each spin step gives the core away with sched_yield) the
 * shard marks itself asleep and waits in io_uring_enter.
 *
 * The sleep protocol (no lost wake-up): the sleeper stores sleeping=1, fences, and looks at its
 * rings once more before waiting; a sender publishes into the ring, fences, and wakes the peer
 * only if it wins the exchange of sleeping 1 -> 0. Both fences are seq_cst (Dekker). */
#include "runtime/rt_loop_int.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "runtime/rt_log.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

rt_runtime *rt_rt;
_Thread_local rt_loop *rt_self;

static int rt_stop_efd = -1; /* wakes the main thread when a stop is requested */

uint32_t rt_shard_count(void) { return rt_rt != NULL ? rt_rt->shard_count : 0; }
rt_loop *rt_loop_self(void) { return rt_self; }

uint32_t rt_core_id(void) {
    RT_ASSERT(rt_self != NULL);
    return rt_self->core_id;
}

int rt_core_id_or_none(void) { return rt_self != NULL ? (int)rt_self->core_id : -1; }

uint32_t rt_online_cores(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return (uint32_t)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
}

rt_loop_stats rt_loop_get_stats(void) {
    RT_ASSERT(rt_self != NULL);
    return rt_self->stats;
}

/* ---- queues ------------------------------------------------------------------------------ */

static void rt_queue_push(rt_msg_queue *q, rt_msg *m) {
    m->next = NULL;
    if (q->tail != NULL) {
        q->tail->next = m;
    } else {
        q->head = m;
    }
    q->tail = m;
    q->count++;
}

static rt_msg *rt_queue_pop(rt_msg_queue *q) {
    rt_msg *m = q->head;
    if (m == NULL) return NULL;
    q->head = m->next;
    if (q->head == NULL) q->tail = NULL;
    q->count--;
    return m;
}

/* ---- sending ----------------------------------------------------------------------------- */

static void rt_loop_enqueue(rt_loop *loop, rt_msg *m, uint32_t to) {
    if (to == loop->core_id) {
        rt_queue_push(&loop->local, m);
        return;
    }
    rt_msg_queue *q = &loop->overflow[to];
    loop->dirty_mask |= 1ull << to;
    if (q->count == 0) {
        rt_ring *r = rt_mesh_ring(loop->core_id, to);
        if (ck_ring_enqueue_spsc(&r->ring, r->slots, m)) return;
        loop->stats.msgs_overflow++;
    }
    rt_queue_push(q, m); /* FIFO: once one message waits, every later one waits behind it */
}

void rt_msg_send(rt_msg *msg, uint32_t to_core) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    RT_ASSERT(to_core < rt_rt->shard_count);
    RT_ASSERT(msg->run != NULL);
    msg->from_core = (uint16_t)loop->core_id;
    msg->to_core = (uint16_t)to_core;
    if (msg->done != NULL) {
        msg->flags = 0;
        loop->req_outstanding++;
    } else {
        msg->flags = RT_MSG_F_ONEWAY;
        atomic_store_explicit(&loop->oneway_sent,
                              atomic_load_explicit(&loop->oneway_sent, memory_order_relaxed) + 1,
                              memory_order_relaxed);
    }
    rt_loop_enqueue(loop, msg, to_core);
}

void rt_msg_reply(rt_msg *msg) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    RT_ASSERT(msg->to_core == loop->core_id);
    RT_ASSERT((msg->flags & (RT_MSG_F_ONEWAY | RT_MSG_F_REPLY)) == 0);
    msg->flags |= RT_MSG_F_REPLY;
    rt_loop_enqueue(loop, msg, msg->from_core);
}

static void rt_msg_call_done(rt_msg *msg) {
    rt_fiber *waiter = msg->waiter;
    msg->waiter = NULL;
    rt_fiber_wake(waiter);
}

void rt_msg_call(rt_msg *msg, uint32_t to_core) {
    rt_fiber *self = rt_fiber_self();
    RT_ASSERT(self != NULL);
    RT_ASSERT(msg->done == NULL);
    msg->waiter = self;
    msg->done = rt_msg_call_done;
    rt_msg_send(msg, to_core);
    while (msg->waiter != NULL) rt_fiber_park();
    msg->done = NULL;
}

static void rt_msg_wg_done(rt_msg *msg) {
    rt_wg *wg = msg->waiter;
    RT_ASSERT(wg->pending > 0);
    if (--wg->pending == 0 && wg->waiter != NULL) rt_fiber_wake(wg->waiter);
}

void rt_msg_send_wg(rt_msg *msg, uint32_t to_core, rt_wg *wg) {
    msg->waiter = wg;
    msg->done = rt_msg_wg_done;
    wg->pending++;
    rt_msg_send(msg, to_core);
}

void rt_wg_wait(rt_wg *wg) {
    rt_fiber *self = rt_fiber_self();
    RT_ASSERT(self != NULL);
    while (wg->pending > 0) {
        wg->waiter = self;
        rt_fiber_park();
    }
    wg->waiter = NULL;
}

/* ---- running functions on other shards ---- */

static void rt_remote_fiber(void *arg) {
    rt_remote_call *call = arg;
    call->fn(call->arg);
    call->ran = true;
    rt_msg_reply(&call->msg);
}

static void rt_remote_run(rt_msg *msg) {
    rt_remote_call *call = (rt_remote_call *)msg;
    if (rt_fiber_spawn(rt_remote_fiber, call, &call->err) == NULL) rt_msg_reply(msg);
}

static void rt_remote_prepare(rt_remote_call *call, void (*fn)(void *), void *arg) {
    memset(&call->msg, 0, sizeof call->msg);
    call->msg.run = rt_remote_run;
    call->fn = fn;
    call->arg = arg;
    call->ran = false;
    rt_err_clear(&call->err);
}

bool rt_run_on(uint32_t to_core, void (*fn)(void *arg), void *arg, rt_err *err) {
    if (to_core == rt_core_id()) {
        fn(arg);
        return true;
    }
    rt_remote_call call;
    rt_remote_prepare(&call, fn, arg);
    rt_msg_call(&call.msg, to_core);
    if (!call.ran) *err = call.err;
    return call.ran;
}

void rt_run_on_wg(rt_remote_call *call, uint32_t to_core, void (*fn)(void *arg), void *arg,
                  rt_wg *wg) {
    rt_remote_prepare(call, fn, arg);
    rt_msg_send_wg(&call->msg, to_core, wg);
}

/* ---- receiving --------------------------------------------------------------------------- */

static void rt_loop_deliver(rt_loop *loop, rt_msg *m, uint64_t *oneway_run) {
    if (m->flags & RT_MSG_F_REPLY) {
        RT_ASSERT(loop->req_outstanding > 0);
        loop->req_outstanding--;
        m->done(m);
        return;
    }
    loop->stats.msgs_run++;
    if (m->flags & RT_MSG_F_ONEWAY) (*oneway_run)++;
    m->run(m); /* m may be gone (one-way) or on its way back (reply): not touched again */
}

static bool rt_loop_drain(rt_loop *loop) {
    uint64_t run = 0;
    bool busy = false;
    for (uint32_t p = 0; p < rt_rt->shard_count; p++) {
        if (p == loop->core_id) continue;
        rt_ring *r = rt_mesh_ring(p, loop->core_id);
        void *m;
        for (uint32_t k = 0; k < RT_RING_DRAIN_MAX && ck_ring_dequeue_spsc(&r->ring, r->slots, &m);
             k++) {
            rt_loop_deliver(loop, m, &run);
            busy = true;
        }
    }
    /* Messages to self: those queued so far; ones they send run next iteration. */
    for (uint32_t n = loop->local.count; n > 0; n--) {
        rt_loop_deliver(loop, rt_queue_pop(&loop->local), &run);
        busy = true;
    }
    if (run > 0) {
        uint64_t v = atomic_load_explicit(&loop->oneway_run, memory_order_relaxed);
        atomic_store_explicit(&loop->oneway_run, v + run, memory_order_release);
    }
    return busy;
}

static bool rt_loop_has_incoming(rt_loop *loop) {
    if (loop->local.count > 0 || loop->ready_head != NULL) return true;
    for (uint32_t p = 0; p < rt_rt->shard_count; p++) {
        if (p == loop->core_id) continue;
        if (ck_ring_size(&rt_mesh_ring(p, loop->core_id)->ring) > 0) return true;
    }
    return false;
}

/* ---- wake-ups ---------------------------------------------------------------------------- */

static void rt_loop_wake_external(rt_loop *peer) {
    uint64_t one = 1;
    ssize_t n = write(peer->wake_fd, &one, sizeof one);
    (void)n; /* EAGAIN means the counter is already non-zero: the peer wakes anyway */
}

static void rt_loop_wake_peer(rt_loop *loop, rt_loop *peer) {
    if (atomic_load_explicit(&peer->sleeping, memory_order_relaxed) == 0) return;
    if (atomic_exchange(&peer->sleeping, 0) == 0) return; /* someone else woke it */
    loop->stats.wakes_sent++;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->uring);
    if (sqe == NULL) {
        io_uring_submit(&loop->uring);
        sqe = io_uring_get_sqe(&loop->uring);
    }
    RT_ASSERT(sqe != NULL);
    io_uring_prep_msg_ring(sqe, peer->uring.ring_fd, 0, RT_UD_WAKE, 0);
    io_uring_sqe_set_data64(sqe, RT_UD_IGNORE);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

/* Retries overflowed sends, wakes sleeping destinations, submits. True if sends still wait. */
static bool rt_loop_flush(rt_loop *loop) {
    uint64_t mask = loop->dirty_mask;
    bool waiting = false;
    loop->dirty_mask = 0;
    for (uint64_t bits = mask; bits != 0; bits &= bits - 1) {
        uint32_t to = (uint32_t)__builtin_ctzll(bits);
        rt_msg_queue *q = &loop->overflow[to];
        rt_ring *r = rt_mesh_ring(loop->core_id, to);
        while (q->head != NULL) {
            rt_msg *m = q->head;
            rt_msg *next = m->next; /* once published, m belongs to the receiver */
            if (!ck_ring_enqueue_spsc(&r->ring, r->slots, m)) break;
            q->head = next;
            if (next == NULL) q->tail = NULL;
            q->count--;
        }
        if (q->count > 0) {
            loop->dirty_mask |= 1ull << to;
            waiting = true;
        }
    }
    if (mask != 0) {
        atomic_thread_fence(memory_order_seq_cst);
        for (uint64_t bits = mask; bits != 0; bits &= bits - 1) {
            rt_loop_wake_peer(loop, rt_rt->loops[__builtin_ctzll(bits)]);
        }
    }
    if (io_uring_sq_ready(&loop->uring) > 0) io_uring_submit(&loop->uring);
    return waiting;
}

void rt_runtime_stop(void) {
    if (rt_rt == NULL) return;
    if (atomic_exchange(&rt_rt->stop_requested, true)) return;
    uint64_t one = 1;
    ssize_t n = write(rt_stop_efd, &one, sizeof one);
    (void)n;
    for (uint32_t i = 0; i < rt_rt->shard_count; i++) rt_loop_wake_external(rt_rt->loops[i]);
}

bool rt_runtime_stopping(void) {
    return rt_rt != NULL && atomic_load_explicit(&rt_rt->stop_requested, memory_order_relaxed);
}

/* ---- completions ------------------------------------------------------------------------- */

static void rt_loop_sqe_prep(rt_loop *loop, struct io_uring_sqe **out) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->uring);
    if (sqe == NULL) {
        io_uring_submit(&loop->uring);
        sqe = io_uring_get_sqe(&loop->uring);
    }
    RT_ASSERT(sqe != NULL);
    *out = sqe;
}

struct io_uring_sqe *rt_loop_sqe(rt_completion *c) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    RT_ASSERT(((uintptr_t)c & 7u) == 0);
    struct io_uring_sqe *sqe;
    rt_loop_sqe_prep(loop, &sqe);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c);
    loop->io_pending++;
    return sqe;
}

struct io_uring_sqe *rt_loop_sqe_background(rt_completion *c) {
    rt_loop *loop = rt_self;
    RT_ASSERT(loop != NULL);
    RT_ASSERT(((uintptr_t)c & 7u) == 0);
    struct io_uring_sqe *sqe;
    rt_loop_sqe_prep(loop, &sqe);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | 1u); /* low bit: background */
    return sqe;
}

void rt_loop_submit(void) {
    RT_ASSERT(rt_self != NULL);
    io_uring_submit(&rt_self->uring);
}

#define RT_CQE_BATCH 256

static bool rt_loop_reap(rt_loop *loop) {
    struct io_uring_cqe *cqes[RT_CQE_BATCH];
    unsigned n = io_uring_peek_batch_cqe(&loop->uring, cqes, RT_CQE_BATCH);
    if (n == 0) return false;
    struct { uint64_t ud; int32_t res; uint32_t flags; } batch[RT_CQE_BATCH];
    for (unsigned i = 0; i < n; i++) {
        batch[i].ud = cqes[i]->user_data;
        batch[i].res = cqes[i]->res;
        batch[i].flags = cqes[i]->flags;
    }
    io_uring_cq_advance(&loop->uring, n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t ud = batch[i].ud;
        if (ud < RT_UD_TAG_MAX) continue; /* a wake-up: its only job was to end the wait */
        bool background = (ud & 1u) != 0;
        rt_completion *c = (rt_completion *)(uintptr_t)(ud & ~(uint64_t)1);
        if (!background && !(batch[i].flags & IORING_CQE_F_MORE)) {
            RT_ASSERT(loop->io_pending > 0);
            loop->io_pending--;
        }
        c->fn(c, batch[i].res, batch[i].flags);
    }
    return true;
}

static void rt_loop_wake_read(rt_loop *loop);

static void rt_loop_wake_done(rt_completion *c, int32_t res, uint32_t flags) {
    rt_loop *loop = rt_self;
    (void)c;
    (void)flags;
    loop->wake_armed = false;
    if (res < 0 && res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
        rt_log(RT_LOG_WARNING, NULL, "wake eventfd read failed: %s", strerror(-res));
    }
    rt_loop_wake_read(loop);
}

static void rt_loop_wake_read(rt_loop *loop) {
    if (loop->wake_armed) return;
    loop->wake_c.fn = rt_loop_wake_done;
    struct io_uring_sqe *sqe = rt_loop_sqe_background(&loop->wake_c);
    io_uring_prep_read(sqe, loop->wake_fd, &loop->wake_buf, sizeof loop->wake_buf, 0);
    loop->wake_armed = true;
}

/* ---- the loop ---------------------------------------------------------------------------- */

static bool rt_loop_quiescent(const rt_loop *loop) {
    if (loop->fiber_count > 0 || loop->io_pending > 0 || loop->req_outstanding > 0) return false;
    if (loop->timer_count > 0 || loop->local.count > 0 || loop->dirty_mask != 0) return false;
    return true;
}

static void rt_loop_sleep(rt_loop *loop, bool sends_waiting) {
    atomic_store(&loop->sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (rt_loop_has_incoming(loop) || atomic_load(&rt_rt->exit_now) ||
        (atomic_load(&rt_rt->stop_requested) && !loop->stop_seen)) {
        atomic_store(&loop->sleeping, 0);
        return;
    }
    uint64_t deadline = rt_timers_next_deadline(loop);
    uint64_t now = rt_time_mono_ns();
    struct __kernel_timespec ts;
    struct __kernel_timespec *tsp = NULL;
    if (sends_waiting && deadline > now + 50 * RT_NS_PER_US) deadline = now + 50 * RT_NS_PER_US;
    if (deadline != UINT64_MAX) {
        uint64_t wait_ns = deadline > now ? deadline - now : 0;
        ts.tv_sec = (long long)(wait_ns / RT_NS_PER_S);
        ts.tv_nsec = (long long)(wait_ns % RT_NS_PER_S);
        tsp = &ts;
    }
    loop->stats.sleeps++;
    struct io_uring_cqe *cqe = NULL;
    int rc = io_uring_submit_and_wait_timeout(&loop->uring, &cqe, 1, tsp, NULL);
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN) {
        rt_log(RT_LOG_WARNING, NULL, "io_uring wait failed: %s", strerror(-rc));
    }
    atomic_store(&loop->sleeping, 0);
}

/* `activity` is odd while an iteration runs and even between them, so the stop check on the
 * main thread can tell a shard that was idle throughout from one that did work meanwhile. */
static void rt_loop_activity_bump(rt_loop *loop) {
    uint64_t v = atomic_load_explicit(&loop->activity, memory_order_relaxed);
    atomic_store_explicit(&loop->activity, v + 1, memory_order_release);
}

/* How long to spin before sleeping. A reply from another shard is expected within a round
 * trip (well under a microsecond while the peer is awake): spin the full spin_us for it, as
 * before (rt_bench's round trips). For anything else (a client's next message, a timer) only
 * the adaptive budget. */
typedef struct rt_spin {
    uint64_t max_ns;    /* spin_us */
    uint64_t budget_ns; /* adaptive, 0 .. max_ns */
} rt_spin;

/* After a sleep of `slept_ns` that followed a spin of `spun_ns`: adapt the budget. */
static void rt_spin_learn(rt_spin *spin, uint64_t spun_ns, uint64_t slept_ns) {
    if (spun_ns > 0) spin->budget_ns /= 2; /* the spin found nothing */
    if (slept_ns < spin->max_ns) {         /* a spin this long would have caught the event */
        uint64_t grown = spin->budget_ns * 2;
        if (grown < RT_SPIN_MIN_NS) grown = RT_SPIN_MIN_NS;
        spin->budget_ns = grown < spin->max_ns ? grown : spin->max_ns;
    }
}

static void rt_loop_run(rt_loop *loop) {
    rt_spin spin = {.max_ns = (uint64_t)rt_rt->spin_us * RT_NS_PER_US};
    spin.budget_ns = spin.max_ns;
    uint64_t idle_since = 0;
    bool idle = false;
    for (;;) {
        rt_loop_activity_bump(loop);
        /* The clock only when a timer may be due or the loop goes idle: a read costs 50-150
         * ns on a VM, and a busy shard with no timers runs many iterations per statement. */
        uint64_t now = 0;
        bool busy = rt_loop_reap(loop);
        busy |= rt_loop_drain(loop);
        if (loop->timer_count > 0) {
            now = rt_time_mono_ns();
            busy |= rt_timers_fire(loop, now);
        }
        busy |= rt_fibers_run_ready(loop);
        bool sends_waiting = rt_loop_flush(loop);
        if (!loop->stop_seen && atomic_load_explicit(&rt_rt->stop_requested,
                                                     memory_order_relaxed)) {
            loop->stop_seen = true;
            if (rt_rt->config.on_stop != NULL) rt_rt->config.on_stop(loop, rt_rt->config.arg);
            busy = true;
        }
        if (loop->stop_seen) atomic_store(&loop->quiescent, !busy && rt_loop_quiescent(loop));
        rt_loop_activity_bump(loop);
        if (busy) {
            idle = false;
            continue;
        }
        if (loop->stop_seen && atomic_load(&rt_rt->exit_now)) break;
        if (now == 0) now = rt_time_mono_ns();
        if (!idle) {
            idle = true;
            idle_since = now;
        }
        uint64_t limit = loop->req_outstanding > 0 ? spin.max_ns : spin.budget_ns;
        if (now - idle_since < limit && !sends_waiting) {
            /* Spin politely: on a core shared with clients or other work, anyone runnable here
             * runs now instead of waiting out the spin (at 32 pgbench clients on two cores a
             * plain spin cost 10% of the TPS). The syscall also runs the io_uring task work
             * (COOP_TASKRUN), so a client's bytes become a completion during the spin. */
            sched_yield();
            continue;
        }
        rt_loop_sleep(loop, sends_waiting);
        if (loop->req_outstanding == 0) {
            rt_spin_learn(&spin, now - idle_since, rt_time_mono_ns() - now);
        }
        idle = false;
    }
}

/* ---- shard threads ----------------------------------------------------------------------- */

static bool rt_loop_init(rt_loop *loop, uint32_t core_id, rt_err *err) {
    loop->core_id = core_id;
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
    int rc = io_uring_queue_init_params(RT_URING_ENTRIES, &loop->uring, &params);
    if (rc < 0) {
        memset(&params, 0, sizeof params); /* older kernels: no flags */
        rc = io_uring_queue_init_params(RT_URING_ENTRIES, &loop->uring, &params);
    }
    if (rc < 0) return rt_err_from_errno(err, -rc, "could not create io_uring on shard %u", core_id);
    rt_timers_init(loop);
    return true;
}

static void rt_loop_pin(rt_loop *loop) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    int count = CPU_COUNT(&allowed);
    int want = (int)(loop->core_id % (uint32_t)count);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (want-- > 0) continue;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        int rc = pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        if (rc != 0) rt_log(RT_LOG_WARNING, NULL, "could not pin shard to cpu %d", cpu);
        return;
    }
}

static void *rt_shard_main(void *arg) {
    rt_loop *loop = arg;
    rt_self = loop;
    char name[16];
    snprintf(name, sizeof name, "shard-%u", loop->core_id);
    pthread_setname_np(pthread_self(), name);
    if (rt_rt->config.pin_threads) rt_loop_pin(loop);
    rt_err err;
    rt_err_clear(&err);
    if (!rt_loop_init(loop, loop->core_id, &err)) {
        rt_log(RT_LOG_FATAL, NULL, "%s", err.message);
        atomic_store(&rt_rt->start_failed, true);
        pthread_barrier_wait(&rt_rt->started);
        return NULL;
    }
    rt_loop_wake_read(loop);
    pthread_barrier_wait(&rt_rt->started); /* every ring fd exists before anyone sends */
    if (atomic_load(&rt_rt->start_failed)) {
        io_uring_queue_exit(&loop->uring);
        return NULL;
    }
    if (rt_rt->config.on_start != NULL) rt_rt->config.on_start(loop, rt_rt->config.arg);
    rt_loop_run(loop);
    rt_fibers_free(loop);
    rt_timers_free(loop);
    rt_rx_pool_free(loop);
    io_uring_queue_exit(&loop->uring);
    rt_self = NULL;
    return NULL;
}

/* ---- the runtime ------------------------------------------------------------------------- */

static bool rt_runtime_alloc(const rt_config *config, rt_err *err) {
    uint32_t shards = config->shard_count != 0 ? config->shard_count : rt_online_cores();
    if (shards > RT_SHARDS_MAX) {
        return rt_err_set(err, SQLSTATE_CONFIGURATION_LIMIT_EXCEEDED,
                          "%u shards requested, at most %d are supported", shards, RT_SHARDS_MAX);
    }
    rt_runtime *rt = rt_xcalloc(1, sizeof *rt);
    rt->shard_count = shards;
    rt->config = *config;
    /* More shards than cores: a spinning shard would keep another off its core. */
    rt->spin_us = shards > rt_online_cores() ? 0 : config->spin_us;
    rt->loops = rt_xcalloc(shards, sizeof *rt->loops);
    rt->mesh = rt_malloc_aligned(sizeof(rt_ring) * shards * shards, RT_CACHELINE);
    memset(rt->mesh, 0, sizeof(rt_ring) * shards * shards);
    for (uint32_t i = 0; i < shards * shards; i++) {
        rt->mesh[i].slots = rt_xcalloc(RT_RING_SLOTS, sizeof(ck_ring_buffer_t));
        ck_ring_init(&rt->mesh[i].ring, RT_RING_SLOTS);
    }
    for (uint32_t i = 0; i < shards; i++) {
        rt_loop *loop = rt_malloc_aligned(sizeof *loop, RT_CACHELINE);
        memset(loop, 0, sizeof *loop);
        loop->core_id = i;
        loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (loop->wake_fd < 0) RT_ASSERT(!"eventfd failed");
        rt->loops[i] = loop;
    }
    rt_rt = rt;
    return true;
}

static void rt_runtime_free(void) {
    rt_runtime *rt = rt_rt;
    for (uint32_t i = 0; i < rt->shard_count * rt->shard_count; i++) rt_free(rt->mesh[i].slots);
    for (uint32_t i = 0; i < rt->shard_count; i++) {
        close(rt->loops[i]->wake_fd);
        rt_free_aligned(rt->loops[i]);
    }
    rt_free_aligned(rt->mesh);
    rt_free(rt->loops);
    rt_free(rt);
    rt_rt = NULL;
}

/* All shards idle and quiescent and no one-way message unrun, with no iteration run by any
 * shard between the first and the last look. */
static bool rt_runtime_drained(void) {
    uint64_t act[RT_SHARDS_MAX];
    uint32_t n = rt_rt->shard_count;
    for (uint32_t i = 0; i < n; i++) {
        act[i] = atomic_load(&rt_rt->loops[i]->activity);
        if ((act[i] & 1u) != 0 || !atomic_load(&rt_rt->loops[i]->quiescent)) return false;
    }
    uint64_t run = 0, sent = 0;
    for (uint32_t i = 0; i < n; i++) run += atomic_load(&rt_rt->loops[i]->oneway_run);
    for (uint32_t i = 0; i < n; i++) sent += atomic_load(&rt_rt->loops[i]->oneway_sent);
    for (uint32_t i = 0; i < n; i++) {
        if (atomic_load(&rt_rt->loops[i]->activity) != act[i]) return false;
    }
    return run == sent;
}

/* The main thread is not a shard: it may block. It waits for a signal or a stop request,
 * then polls until the shards have drained. */
static void rt_runtime_wait(int sig_fd, const rt_config *config) {
    struct pollfd fds[2] = {{.fd = rt_stop_efd, .events = POLLIN}, {.fd = sig_fd, .events = POLLIN}};
    while (!atomic_load(&rt_rt->stop_requested)) {
        int rc = poll(fds, sig_fd >= 0 ? 2 : 1, -1);
        if (rc > 0 && sig_fd >= 0 && (fds[1].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sig_fd, &si, sizeof si) != sizeof si) continue;
            if (si.ssi_signo == SIGHUP) {
                config->on_reload(config->arg);
                continue;
            }
            rt_log(RT_LOG_INFO, NULL, "received %s, shutting down",
                   si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
            rt_runtime_stop();
        }
    }
    for (uint32_t i = 0; i < rt_rt->shard_count; i++) rt_loop_wake_external(rt_rt->loops[i]);
    while (!rt_runtime_drained()) usleep(1000);
    atomic_store(&rt_rt->exit_now, true);
    for (uint32_t i = 0; i < rt_rt->shard_count; i++) rt_loop_wake_external(rt_rt->loops[i]);
}

bool rt_runtime_run(const rt_config *config, rt_err *err) {
    RT_ASSERT(rt_rt == NULL);
    if (!rt_runtime_alloc(config, err)) return false;
    rt_stop_efd = eventfd(0, EFD_CLOEXEC);
    int sig_fd = -1;
    sigset_t mask;
    sigemptyset(&mask);
    if (config->handle_signals) {
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (config->on_reload != NULL) sigaddset(&mask, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &mask, NULL); /* shards inherit the mask */
        sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    }
    signal(SIGPIPE, SIG_IGN);
    uint32_t n = rt_rt->shard_count;
    pthread_barrier_init(&rt_rt->started, NULL, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        int rc = pthread_create(&rt_rt->loops[i]->thread, NULL, rt_shard_main, rt_rt->loops[i]);
        RT_ASSERT(rc == 0);
    }
    pthread_barrier_wait(&rt_rt->started);
    bool ok = !atomic_load(&rt_rt->start_failed);
    if (ok) rt_runtime_wait(sig_fd, config);
    for (uint32_t i = 0; i < n; i++) pthread_join(rt_rt->loops[i]->thread, NULL);
    pthread_barrier_destroy(&rt_rt->started);
    if (sig_fd >= 0) {
        close(sig_fd);
        pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
    }
    close(rt_stop_efd);
    rt_stop_efd = -1;
    rt_runtime_free();
    if (!ok) return rt_err_set(err, SQLSTATE_SYSTEM_ERROR, "could not start the shards");
    return true;
}
