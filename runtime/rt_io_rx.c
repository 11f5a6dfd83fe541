/* rt_io_rx.c: multishot receive into a per-shard provided-buffer ring (contract in rt_io.h).
 *
 * Each shard registers one buffer ring (group RT_RX_GROUP) with its io_uring the first time a
 * connection receives. A connection's multishot recv names the group; each completion carries
 * the id of the buffer the kernel filled. The buffer stays out of the ring, queued on its
 * connection through the shard's `next` table, until the connection's fiber has copied its
 * bytes; then it goes back to the ring. When every buffer is held the kernel ends the request
 * with -ENOBUFS: that connection's next receive is a plain one (always possible) and the one
 * after re-arms the multishot request. A connection that holds RT_RX_HELD_MAX buffers has its
 * request cancelled by us (its -ECANCELED is then not an error) until it has caught up. */
#include <errno.h>
#include <string.h>

#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop_int.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

/* The buffer group id of the shard's ring (one group per io_uring). */
#define RT_RX_GROUP 0
/* No buffer: ends a connection's queue. */
#define RT_RX_NONE UINT16_MAX
RT_STATIC_ASSERT((RT_RX_BUFS & (RT_RX_BUFS - 1)) == 0);
RT_STATIC_ASSERT(RT_RX_BUFS < RT_RX_NONE);
RT_STATIC_ASSERT(RT_RX_HELD_MAX < RT_RX_BUFS);

typedef struct rt_rx_pool {
    struct io_uring_buf_ring *ring;    /* shared with the kernel */
    uint8_t *bufs;                     /* count x RT_RX_BUF_BYTES */
    uint32_t count;                    /* buffers in the ring (a power of two) */
    uint16_t next[RT_RX_BUFS];         /* a connection's queue of held buffers */
    uint32_t len[RT_RX_BUFS];          /* bytes the kernel put in each held buffer */
    rt_rx_stats stats;
} rt_rx_pool;

/* Per shard: NULL until the first receive; `rt_rx_off` once the kernel refused the ring. */
static _Thread_local rt_rx_pool *rt_rx_self;
static _Thread_local bool rt_rx_off;
static _Thread_local uint32_t rt_rx_test_bufs;

void rt_rx_test_set_bufs(uint32_t bufs) {
    RT_ASSERT(rt_rx_self == NULL);
    RT_ASSERT(bufs <= RT_RX_BUFS && (bufs & (bufs - 1)) == 0);
    rt_rx_test_bufs = bufs;
    rt_rx_off = bufs == 0;
}

static void rt_rx_put_back(rt_rx_pool *pool, uint16_t bid) {
    io_uring_buf_ring_add(pool->ring, pool->bufs + (size_t)bid * RT_RX_BUF_BYTES,
                          RT_RX_BUF_BYTES, bid, io_uring_buf_ring_mask(pool->count), 0);
    io_uring_buf_ring_advance(pool->ring, 1);
}

/* Registers the shard's buffer ring; false (multishot off on this shard) if the kernel
 * cannot (before 5.19) or memory is short. */
static bool rt_rx_pool_open(rt_loop *loop) {
    uint32_t count = rt_rx_test_bufs != 0 ? rt_rx_test_bufs : RT_RX_BUFS;
    rt_rx_pool *pool = rt_xcalloc(1, sizeof *pool);
    pool->count = count;
    pool->ring = rt_malloc_aligned(count * sizeof(struct io_uring_buf), 4096);
    pool->bufs = rt_malloc_aligned((size_t)count * RT_RX_BUF_BYTES, 4096);
    memset(pool->ring, 0, count * sizeof(struct io_uring_buf));
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)pool->ring;
    reg.ring_entries = count;
    reg.bgid = RT_RX_GROUP;
    int rc = io_uring_register_buf_ring(&loop->uring, &reg, 0);
    if (rc < 0) {
        rt_log(RT_LOG_INFO, NULL, "provided buffer rings unavailable (%s): plain receives",
               strerror(-rc));
        rt_free_aligned(pool->bufs);
        rt_free_aligned(pool->ring);
        rt_free(pool);
        return false;
    }
    io_uring_buf_ring_init(pool->ring);
    for (uint32_t i = 0; i < count; i++) rt_rx_put_back(pool, (uint16_t)i);
    pool->stats.multishot = true;
    rt_rx_self = pool;
    return true;
}

static rt_rx_pool *rt_rx_pool_get(void) {
    if (rt_rx_self == NULL && !rt_rx_off && !rt_rx_pool_open(rt_self)) rt_rx_off = true;
    return rt_rx_self;
}

void rt_rx_pool_free(rt_loop *loop) {
    rt_rx_pool *pool = rt_rx_self;
    rt_rx_self = NULL;
    rt_rx_off = false;
    rt_rx_test_bufs = 0;
    if (pool == NULL) return;
    (void)io_uring_unregister_buf_ring(&loop->uring, RT_RX_GROUP);
    rt_free_aligned(pool->bufs);
    rt_free_aligned(pool->ring);
    rt_free(pool);
}

rt_rx_stats rt_rx_get_stats(void) {
    RT_ASSERT(rt_self != NULL);
    rt_rx_stats s = {0};
    if (rt_rx_self != NULL) s = rt_rx_self->stats;
    return s;
}

void rt_sock_rx_init(rt_sock_rx *rx, int fd) {
    memset(rx, 0, sizeof *rx);
    rx->fd = fd;
    rx->head_bid = rx->tail_bid = RT_RX_NONE;
}

/* A request made by this module whose completion nobody waits for (a cancel). */
static void rt_rx_cancel(rt_sock_rx *rx) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&rt_self->uring);
    if (sqe == NULL) {
        io_uring_submit(&rt_self->uring);
        sqe = io_uring_get_sqe(&rt_self->uring);
    }
    RT_ASSERT(sqe != NULL);
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)&rx->c, 0);
    io_uring_sqe_set_data64(sqe, RT_UD_IGNORE);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    rx->cancel_sent = true;
}

static void rt_rx_hold(rt_sock_rx *rx, rt_rx_pool *pool, uint16_t bid, uint32_t n) {
    RT_ASSERT(bid < pool->count);
    pool->len[bid] = n;
    pool->next[bid] = RT_RX_NONE;
    if (rx->tail_bid == RT_RX_NONE) {
        rx->head_bid = bid;
        rx->head_off = 0;
    } else {
        pool->next[rx->tail_bid] = bid;
    }
    rx->tail_bid = bid;
    rx->held++;
    pool->stats.held++;
    if (rx->held >= RT_RX_HELD_MAX && rx->armed && !rx->cancel_sent) rt_rx_cancel(rx);
}

/* The multishot request's completions, on the loop stack. */
static void rt_rx_done(rt_completion *c, int32_t res, uint32_t flags) {
    rt_sock_rx *rx = (rt_sock_rx *)c;
    rt_rx_pool *pool = rt_rx_self;
    if (res > 0) {
        RT_ASSERT(flags & IORING_CQE_F_BUFFER);
        rt_rx_hold(rx, pool, (uint16_t)(flags >> IORING_CQE_BUFFER_SHIFT), (uint32_t)res);
    } else if (flags & IORING_CQE_F_BUFFER) {
        rt_rx_put_back(pool, (uint16_t)(flags >> IORING_CQE_BUFFER_SHIFT));
    }
    if (!(flags & IORING_CQE_F_MORE)) {
        rx->armed = false;
        bool ours = rx->cancel_sent;
        rx->cancel_sent = false;
        if (res == -ENOBUFS) {
            pool->stats.nobufs++;
            rx->plain_next = true;
        } else if (res == -EINVAL) {
            rx->plain_next = true; /* no multishot recv in this kernel (before 6.0) */
            rt_rx_off = true;
        } else if (res <= 0 && !(res == -ECANCELED && ours)) {
            rx->ended = true;
            rx->end_res = res;
        }
    }
    if (rx->waiter != NULL) rt_fiber_wake(rx->waiter);
}

static void rt_rx_arm(rt_sock_rx *rx, rt_rx_pool *pool) {
    rx->c.fn = rt_rx_done;
    struct io_uring_sqe *sqe = rt_loop_sqe(&rx->c);
    io_uring_prep_recv_multishot(sqe, rx->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = RT_RX_GROUP;
    rx->armed = true;
    pool->stats.arms++;
}

/* Copies held bytes into buf, giving emptied buffers back to the ring. */
static size_t rt_rx_copy_out(rt_sock_rx *rx, rt_rx_pool *pool, uint8_t *buf, size_t len) {
    size_t got = 0;
    while (got < len && rx->held > 0) {
        uint16_t bid = rx->head_bid;
        uint32_t have = pool->len[bid] - rx->head_off;
        size_t n = have < len - got ? have : len - got;
        memcpy(buf + got, pool->bufs + (size_t)bid * RT_RX_BUF_BYTES + rx->head_off, n);
        got += n;
        rx->head_off += (uint32_t)n;
        if (rx->head_off < pool->len[bid]) break;
        rx->head_bid = pool->next[bid];
        rx->head_off = 0;
        if (rx->head_bid == RT_RX_NONE) rx->tail_bid = RT_RX_NONE;
        rx->held--;
        pool->stats.held--;
        rt_rx_put_back(pool, bid);
    }
    return got;
}

static void rt_rx_timer_fired(rt_timer *t) {
    rt_sock_rx *rx = (rt_sock_rx *)((char *)t - offsetof(rt_sock_rx, timer));
    rx->timed_out = true;
    if (rx->waiter != NULL) rt_fiber_wake(rx->waiter);
}

static ssize_t rt_rx_failed(rt_sock_rx *rx, rt_err *err) {
    if (rx->timed_out) {
        rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "timeout while receiving from the client");
        return -1;
    }
    rt_err_from_errno(err, -rx->end_res, "could not receive data from client");
    memcpy(err->sqlstate, SQLSTATE_CONNECTION_FAILURE, 6);
    return -1;
}

/* Parks until the request completes or the timeout passes. */
static bool rt_rx_wait(rt_sock_rx *rx, uint64_t timeout_ns, rt_err *err) {
    rx->timed_out = false;
    if (timeout_ns > 0 && !rt_timer_start(&rx->timer, timeout_ns, rt_rx_timer_fired, err)) {
        return false;
    }
    rx->waiter = rt_fiber_self();
    rt_fiber_park();
    rx->waiter = NULL;
    if (timeout_ns > 0) rt_timer_cancel(&rx->timer);
    return true;
}

ssize_t rt_sock_rx_recv(rt_sock_rx *rx, void *buf, size_t len, uint64_t timeout_ns,
                        rt_err *err) {
    rx->timed_out = false;
    if (rt_self == NULL || rt_fiber_self() == NULL) {
        return rt_sock_recv(rx->fd, buf, len, timeout_ns, err);
    }
    rt_rx_pool *pool = rt_rx_pool_get();
    for (;;) {
        if (rx->held > 0) return (ssize_t)rt_rx_copy_out(rx, pool, buf, len);
        if (rx->ended) return rx->end_res == 0 ? 0 : rt_rx_failed(rx, err);
        if (rx->timed_out) return rt_rx_failed(rx, err);
        if (pool == NULL || rt_rx_off || (rx->plain_next && !rx->armed)) {
            rx->plain_next = false;
            if (pool != NULL) pool->stats.plain++;
            return rt_sock_recv(rx->fd, buf, len, timeout_ns, err);
        }
        if (!rx->armed) rt_rx_arm(rx, pool);
        if (!rt_rx_wait(rx, timeout_ns, err)) return -1;
    }
}

void rt_sock_rx_close(rt_sock_rx *rx) {
    rt_rx_pool *pool = rt_rx_self;
    if (rx->armed) {
        RT_ASSERT(rt_fiber_self() != NULL);
        if (!rx->cancel_sent) rt_rx_cancel(rx);
        while (rx->armed) {
            rx->waiter = rt_fiber_self();
            rt_fiber_park();
        }
        rx->waiter = NULL;
    }
    if (pool != NULL) {
        uint8_t sink[256];
        while (rx->held > 0) (void)rt_rx_copy_out(rx, pool, sink, sizeof sink);
    }
}

/* Discarded input is copied here (per call: fibers of one shard may drain at once). */
#define RT_RX_DRAIN_CHUNK_BYTES 4096u

rt_rx_drain_end rt_sock_rx_drain(rt_sock_rx *rx, uint64_t max_bytes, uint64_t timeout_ns,
                                 uint64_t *drained) {
    RT_ASSERT(max_bytes > 0 && timeout_ns > 0);
    uint8_t sink[RT_RX_DRAIN_CHUNK_BYTES];
    uint64_t deadline_ns = rt_time_mono_ns() + timeout_ns;
    *drained = 0;
    for (;;) {
        uint64_t now_ns = rt_time_mono_ns();
        if (now_ns >= deadline_ns) return RT_RX_DRAIN_TIME;
        uint64_t left = max_bytes - *drained;
        rt_err err;
        rt_err_clear(&err);
        ssize_t n = rt_sock_rx_recv(rx, sink, left < sizeof sink ? left : sizeof sink,
                                    deadline_ns - now_ns, &err);
        if (n == 0) return RT_RX_DRAIN_EOF;
        if (n < 0) return rt_time_mono_ns() >= deadline_ns ? RT_RX_DRAIN_TIME : RT_RX_DRAIN_ERROR;
        *drained += (uint64_t)n;
        if (*drained >= max_bytes) return RT_RX_DRAIN_BYTES;
    }
}
