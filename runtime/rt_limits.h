/* rt_limits.h: every bound of the runtime, each with the reason for its value.
 * Hitting a limit is reported with 53xxx/54xxx; nothing is silently truncated or dropped.
 * Subsystems keep their own limits in their module headers, following the same rule. */
#ifndef RT_LIMITS_H
#define RT_LIMITS_H

#include "runtime/rt_assert.h"

/* Shards: the N x N mesh of SPSC rings costs N^2 rings, 64 shards is 4096 rings of 8 KiB. */
#define RT_SHARDS_MAX 64

/* Slots of one SPSC ring (ck_ring: a power of two, one slot stays empty). 1024 slots let a
 * sender batch a whole loop iteration of messages before the receiver drains, which is what
 * one-way throughput needs; a full ring spills into the sender's overflow list. */
#define RT_RING_SLOTS 1024
RT_STATIC_ASSERT((RT_RING_SLOTS & (RT_RING_SLOTS - 1)) == 0);

/* Messages taken from one peer's ring per loop iteration: bounds how long one busy peer can
 * keep a shard from its sockets and timers. */
#define RT_RING_DRAIN_MAX 512

/* Submission queue entries per io_uring; completions are reaped every iteration. */
#define RT_URING_ENTRIES 4096

/* Fiber stacks are mapped lazily (MAP_NORESERVE) with a guard page, so their size costs
 * address space, not memory: only the pages a fiber touched are resident. 2 MiB is
 * PostgreSQL's default max_stack_depth, so statements nest about as deep as there (deeper
 * ones fail with 54001, sql_bind_int.h); sanitizers' frames are about 4x larger. Address
 * space: RT_FIBERS_MAX x RT_FIBER_STACK_BYTES is 32 GiB per shard in Release (2 TiB at
 * RT_SHARDS_MAX, of x86_64's 128 TiB), 128 GiB per shard under sanitizers. */
#ifdef DB_SANITIZE
#define RT_FIBER_STACK_BYTES (8u * 1024u * 1024u)
#else
#define RT_FIBER_STACK_BYTES (2u * 1024u * 1024u)
#endif

/* Touched stack a fiber may keep: when the deepest point a fiber's stack reached (as seen by
 * rt_stack_left(), which deep recursion calls at every level) lies further down than this,
 * the pages below it are given back (madvise MADV_DONTNEED) when the stack returns to the
 * cache and when rt_fiber_stack_trim() is called (a session between statements), so a
 * statement that once went deep does not leave an idle connection holding its pages. Ordinary
 * statements stay above it (they all fitted the former 256 KiB stacks), so they never pay for
 * the system call. */
#define RT_FIBER_STACK_KEEP_BYTES (128u * 1024u)
RT_STATIC_ASSERT(RT_FIBER_STACK_KEEP_BYTES % 4096u == 0);
RT_STATIC_ASSERT(RT_FIBER_STACK_KEEP_BYTES < RT_FIBER_STACK_BYTES);

/* Fibers per shard: sessions, query fragments and background tasks together. */
#define RT_FIBERS_MAX 16384

/* Stacks kept for reuse per shard (each holds at most about RT_FIBER_STACK_KEEP_BYTES of
 * touched pages). */
#define RT_FIBER_STACK_CACHE 64

/* Pending timers per shard: one per session timeout plus background tasks. */
#define RT_TIMERS_MAX 65536

/* A fiber runs at most this long before rt_fiber_maybe_yield() gives the loop back, so a long
 * scan never starves the shard's sockets. */
#define RT_SLICE_NS (500u * 1000u)

/* Default busy-poll before sleeping. The spin yields its core at every step (rt_loop.c), so it
 * takes nothing from clients or other work on that core; it is long enough to catch the next
 * request of one client (a shard asleep costs ~15-25 us to wake on a VM). Settable with
 * --spin-us. */
#define RT_SPIN_US_DEFAULT 500

/* Adaptive spin (rt_loop.c). While no reply from another shard is awaited, a shard spins only
 * as long as spinning has been paying: the budget halves after a spin that ended in sleep and
 * doubles (from RT_SPIN_MIN_NS, up to spin_us) after a sleep shorter than spin_us. An idle
 * server's shards thus stop spinning after a few sleeps; a loaded one keeps short spins. */
#define RT_SPIN_MIN_NS 1000u

/* Error text buffers are fixed so that reporting an error never allocates. */
#define RT_ERR_MESSAGE_BYTES_MAX 512
#define RT_ERR_DETAIL_BYTES_MAX 512
#define RT_ERR_HINT_BYTES_MAX 256
/* Names an error refers to (ErrorResponse's table and constraint fields): identifiers. */
#define RT_ERR_NAME_BYTES_MAX 64

/* One log line (longer ones are cut with "..."), written with a single write(2). */
#define RT_LOG_LINE_BYTES_MAX 2048

/* Per-query arena default budget: a query past it fails with 53200, the server lives on. */
#define RT_QUERY_ARENA_BYTES_MAX (1024ull * 1024u * 1024u)

/* Arena chunk size: large enough that small allocations rarely need a new chunk. */
#define RT_ARENA_CHUNK_BYTES (64u * 1024u)

#endif
