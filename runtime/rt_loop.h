/* rt_loop.h: the thread-per-core runtime.
 * Owns:    S shard threads, each pinned to a core with its own io_uring (its rt_loop), and the
 *          N x N mesh of SPSC rings (ck_ring) between them, one per ordered pair of shards.
 * Core:    every rt_loop_*, rt_msg_*, rt_timer_* and rt_fiber_* call runs on a shard thread and
 *          acts on that shard's loop (asserted); rt_runtime_stop() may be called from anywhere.
 * Memory:  messages, timers and completions are intrusive: the caller allocates them and keeps
 *          them alive until they complete. A message's payload changes owner with the message;
 *          it comes back with the reply and is freed on the core that allocated it.
 * Sleep:   an idle shard sleeps in io_uring_enter; a sender wakes it (IORING_OP_MSG_RING, or an
 *          eventfd from a non-shard thread) only when it has marked itself asleep, so an idle
 *          server uses no CPU. Before sleeping a shard spins for `spin_us` (short by default).
 * Errors:  rt_runtime_run() fails with 58000/58030 if threads or rings cannot be set up.
 * Limits:  RT_SHARDS_MAX, RT_RING_SLOTS, RT_FIBERS_MAX, RT_TIMERS_MAX (rt_limits.h). */
#ifndef RT_LOOP_H
#define RT_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_limits.h"

typedef struct rt_loop rt_loop;

/* ---- runtime ---------------------------------------------------------------------------- */

typedef struct rt_config {
    uint32_t shard_count; /* 0 = number of online cores */
    uint32_t spin_us;     /* busy-poll before sleeping; RT_SPIN_US_DEFAULT */
    bool pin_threads;     /* pin shard i to online core i % cores */
    bool handle_signals;  /* SIGINT/SIGTERM request an orderly stop */
    /* Runs on each shard once all shards exist, before the shard serves anything. */
    void (*on_start)(rt_loop *loop, void *arg);
    /* Runs on each shard once a stop is requested: stop accepting, tell sessions to end. The
     * runtime then drains (no fibers, I/O, timers or messages in flight) and exits. */
    void (*on_stop)(rt_loop *loop, void *arg);
    /* With handle_signals: runs on the main thread (not a shard) for each SIGHUP. */
    void (*on_reload)(void *arg);
    void *arg;
} rt_config;

/* Starts the shards, runs until stopped and drained, joins them. */
bool rt_runtime_run(const rt_config *config, rt_err *err);
/* Requests an orderly stop; any thread, any time, idempotent. */
void rt_runtime_stop(void);
bool rt_runtime_stopping(void);

uint32_t rt_shard_count(void);
rt_loop *rt_loop_self(void);      /* the calling shard's loop, or NULL off the shards */
uint32_t rt_core_id(void);        /* asserts the caller is a shard thread */
int rt_core_id_or_none(void);     /* -1 off the shards (logging) */
uint32_t rt_online_cores(void);

/* ---- messages between shards ------------------------------------------------------------ */

typedef struct rt_msg rt_msg;
typedef void (*rt_msg_fn)(rt_msg *msg);

/* Embed as the first member of a request struct. `run` runs on to_core (on the loop stack: no
 * blocking; spawn a fiber for long work); `done`, if set, runs on from_core after the receiver
 * calls rt_msg_reply(). A message without `done` is one-way: the receiver owns it after run. */
struct rt_msg {
    rt_msg_fn run;
    rt_msg_fn done;
    rt_msg *next;        /* runtime-owned queue link */
    void *waiter;        /* runtime-owned: the fiber or wait group of rt_msg_call/_wg */
    uint16_t from_core;  /* set by rt_msg_send */
    uint16_t to_core;    /* set by rt_msg_send */
    uint32_t kind;       /* caller's tag, for traces and asserts */
    uint32_t flags;      /* runtime-owned */
};

/* Sends `msg` to shard `to_core` (may be this shard). Never fails and never blocks: when the
 * ring is full the message waits in this shard's overflow list, in order, and is retried every
 * iteration. Messages are published in batches at the end of the loop iteration. */
void rt_msg_send(rt_msg *msg, uint32_t to_core);
/* On the receiving shard, inside or after run(): sends `msg` back; its done() runs there. */
void rt_msg_reply(rt_msg *msg);
/* From a fiber: sends `msg` (done must be NULL) and parks until the reply has arrived. */
void rt_msg_call(rt_msg *msg, uint32_t to_core);

/* A fiber waits for several replies at once: rt_msg_send_wg() for each, then rt_wg_wait(). */
typedef struct rt_wg {
    uint32_t pending;
    struct rt_fiber *waiter;
} rt_wg;
void rt_msg_send_wg(rt_msg *msg, uint32_t to_core, rt_wg *wg);
void rt_wg_wait(rt_wg *wg);

/* Runs fn(arg) in a new fiber on shard `to_core` (inline when it is this shard) and parks the
 * calling fiber until it returns: work that may wait (engine writes, scans) runs where its data
 * lives. `call` is the caller's storage for the message. Fails (53000) only when the remote
 * shard cannot create a fiber; then fn did not run. */
typedef struct rt_remote_call {
    rt_msg msg;
    void (*fn)(void *arg);
    void *arg;
    bool ran;
    rt_err err;
} rt_remote_call;
bool rt_run_on(uint32_t to_core, void (*fn)(void *arg), void *arg, rt_err *err);
/* The same without waiting: completion is counted in `wg` (see rt_wg_wait). */
void rt_run_on_wg(rt_remote_call *call, uint32_t to_core, void (*fn)(void *arg), void *arg,
                  rt_wg *wg);

/* ---- io_uring completions ---------------------------------------------------------------- */

typedef struct rt_completion rt_completion;
typedef void (*rt_completion_fn)(rt_completion *c, int32_t res, uint32_t cqe_flags);
struct rt_completion {
    rt_completion_fn fn;
};

/* A submission entry of this shard's ring, user_data set to `c`; submitted at the end of the
 * iteration (or when the shard goes to sleep). Counts as I/O in flight until `c` completes
 * (a multishot request is in flight until a CQE without IORING_CQE_F_MORE arrives). */
struct io_uring_sqe *rt_loop_sqe(rt_completion *c);
/* The same, for a request whose completion does not keep the shard from stopping. */
struct io_uring_sqe *rt_loop_sqe_background(rt_completion *c);
/* Submits queued entries now (e.g. before a latency-sensitive wait). */
void rt_loop_submit(void);

/* ---- timers ------------------------------------------------------------------------------ */

typedef struct rt_timer rt_timer;
typedef void (*rt_timer_fn)(rt_timer *t);
struct rt_timer {
    uint64_t deadline_ns; /* monotonic; set by rt_timer_start */
    uint64_t seq;         /* ties fire in start order */
    uint32_t heap_slot;   /* runtime-owned; 0 = not armed */
    rt_timer_fn fn;       /* runs on the loop stack of the shard that started it */
};

/* Arms `t` to fire after `delay_ns`; re-arming an armed timer moves it. Fails with 54000 past
 * RT_TIMERS_MAX pending timers on this shard. */
bool rt_timer_start(rt_timer *t, uint64_t delay_ns, rt_timer_fn fn, rt_err *err);
void rt_timer_cancel(rt_timer *t);
static inline bool rt_timer_armed(const rt_timer *t) { return t->heap_slot != 0; }

/* ---- fibers ------------------------------------------------------------------------------ */

/* A fiber is a stack on its shard that can wait (for I/O, a reply, a timer, a lock) without
 * blocking the thread: it parks and the loop runs others. Fibers never move between shards. */
typedef struct rt_fiber rt_fiber;
typedef void (*rt_fiber_fn)(void *arg);

/* Creates a fiber that runs `fn(arg)` soon; NULL with 53000 past RT_FIBERS_MAX on this shard. */
rt_fiber *rt_fiber_spawn(rt_fiber_fn fn, void *arg, rt_err *err);
rt_fiber *rt_fiber_self(void);   /* NULL on the loop stack */
/* Bytes of stack left below the caller on a fiber (above its guard page); SIZE_MAX off a
 * fiber. Deep recursion (expression trees, set operations) checks it before each level. */
size_t rt_stack_left(void);
/* Gives back the stack pages the running fiber touched below RT_FIBER_STACK_KEEP_BYTES, if it
 * went that deep (as rt_stack_left() saw): a long-lived fiber calls it between units of work
 * (a session between statements). Cheap when it has not. Call it near the fiber's top. */
void rt_fiber_stack_trim(void);
void rt_fiber_yield(void);       /* to the back of the ready queue */
void rt_fiber_maybe_yield(void); /* yields only when this slice has run RT_SLICE_NS */
void rt_fiber_park(void);        /* until rt_fiber_wake(); the waker must know this fiber */
void rt_fiber_wake(rt_fiber *f); /* same shard; waking a running or ready fiber is a no-op */
void rt_fiber_sleep_ns(uint64_t ns);
uint32_t rt_fiber_count(void);   /* live fibers on this shard */

/* ---- statistics (benchmarks, tests) ------------------------------------------------------ */

typedef struct rt_loop_stats {
    uint64_t msgs_run;       /* requests and one-way messages run here */
    uint64_t msgs_overflow;  /* sends that found the ring full */
    uint64_t wakes_sent;     /* sleeping peers woken by this shard */
    uint64_t sleeps;         /* times this shard went to sleep */
} rt_loop_stats;
rt_loop_stats rt_loop_get_stats(void);

#endif
