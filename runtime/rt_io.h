/* rt_io.h: file and socket I/O through the shard's io_uring.
 * Core:    called from a fiber on a shard, the call parks the fiber until the completion
 *          arrives and the shard runs other work meanwhile. Called off the shards (startup,
 *          tools, tests) the same functions use plain blocking syscalls.
 * Errors:  false (or -1) with *err: 58030 io_error, 53100 disk_full for files;
 *          08006 connection_failure for sockets (a receive past its timeout included).
 * Memory:  buffers belong to the caller and must stay valid until the call returns. */
#ifndef RT_IO_H
#define RT_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "runtime/rt_err.h"
#include "runtime/rt_loop.h"

/* ---- files ---- */
int rt_file_open(const char *path, int flags, mode_t mode, rt_err *err); /* -1 on error */
bool rt_file_close(int fd, rt_err *err);
/* Writes all `len` bytes at `offset` (short writes are continued). */
bool rt_file_write(int fd, const void *buf, size_t len, uint64_t offset, rt_err *err);
/* Reads up to `len` bytes at `offset`; *got_bytes < len only at end of file. */
bool rt_file_read(int fd, void *buf, size_t len, uint64_t offset, size_t *got_bytes,
                  rt_err *err);
/* fdatasync (data_only) or fsync. */
bool rt_file_sync(int fd, bool data_only, rt_err *err);
bool rt_file_rename(const char *from, const char *to, rt_err *err);
bool rt_file_unlink(const char *path, rt_err *err);
bool rt_file_size(int fd, uint64_t *size_bytes, rt_err *err);
bool rt_file_truncate(int fd, uint64_t size_bytes, rt_err *err);
/* Replaces file `path` with `len` bytes at `buf` so that a crash leaves the old or the new
 * content, never a mix: writes `tmp`, syncs and closes it, renames it to `path` and syncs
 * directory `dir`. On failure `tmp` is removed and `path` is as it was. */
bool rt_file_replace(const char *path, const char *tmp, const char *dir, const void *buf,
                     size_t len, rt_err *err);
/* The whole file in a new rt_xmalloc'd buffer (*size its length), when its size is within
 * [min_bytes, max_bytes]; else NULL with *why saying what was wrong ("it cannot be opened",
 * "it has an impossible size", ...). */
uint8_t *rt_file_read_whole(const char *path, uint64_t min_bytes, uint64_t max_bytes,
                            uint64_t *size, const char **why);
/* mkdir -p with mode 0700 for the last component. */
bool rt_dir_make(const char *path, rt_err *err);
/* fsync of a directory, so that creates and renames inside it are durable. */
bool rt_dir_sync(const char *path, rt_err *err);

/* ---- sockets ---- */
/* A listening TCP socket (blocking setup, done at start); SO_REUSEPORT lets every shard bind
 * the same port. `host` may be NULL or "*" for all addresses. */
int rt_sock_listen_tcp(const char *host, uint16_t port, bool reuse_port, int backlog,
                       rt_err *err);
/* Accepts one connection (non-blocking, close-on-exec, TCP_NODELAY). -1 on error. */
int rt_sock_accept(int listen_fd, struct sockaddr_storage *peer, rt_err *err);
/* Receives up to `len` bytes; 0 at end of stream; -1 on error or when `timeout_ns` (0 = none)
 * passes with nothing received (08006, message says timeout). */
ssize_t rt_sock_recv(int fd, void *buf, size_t len, uint64_t timeout_ns, rt_err *err);
/* Sends all bytes. */
bool rt_sock_send(int fd, const void *buf, size_t len, rt_err *err);
/* Sends some of the bytes (at least one; as many as one send took): the count, or -1. */
ssize_t rt_sock_send_some(int fd, const void *buf, size_t len, rt_err *err);
/* Connects (for clients in tests and tools). */
int rt_sock_connect_tcp(const char *host, uint16_t port, rt_err *err);
void rt_sock_close(int fd);
/* Cancels every request in flight on `fd` (they complete with -ECANCELED, or -EINTR when
 * the kernel's worker was running them; neither is retried). */
void rt_io_cancel_fd(int fd);

/* ---- multishot receive (rt_io_rx.c) ---- */
/* A connection's receive side as one multishot recv with buffers the kernel picks from its
 * shard's provided-buffer ring: armed once, it keeps completing as bytes arrive, with no
 * submission and no poll arm per message. Bytes wait in the ring's buffers (in order) until
 * rt_sock_rx_recv() copies them out. Falls back to one plain receive at a time where the
 * kernel lacks buffer rings or multishot recv, when the shard's ring has run dry (ENOBUFS:
 * the request ended; the next wait re-arms it) and off the shards.
 * Limits:  RT_RX_BUFS buffers of RT_RX_BUF_BYTES per shard; a connection holding
 *          RT_RX_HELD_MAX of them is cancelled until it has read them (TCP flow control
 *          then holds the client back), so one fast sender cannot starve the others. */
#define RT_RX_BUF_BYTES (16u << 10) /* one TLS record; a pgbench transaction is ~100 bytes */
#define RT_RX_BUFS 256u             /* 4 MiB per shard; a power of two (buffer ring size) */
#define RT_RX_HELD_MAX 8u           /* 128 KiB of unread input per connection */

typedef struct rt_sock_rx {
    rt_completion c;          /* the multishot request's completions; first member */
    int fd;
    rt_fiber *waiter;         /* parked in rt_sock_rx_recv or rt_sock_rx_close */
    rt_timer timer;           /* a receive's timeout */
    int32_t end_res;          /* the request's final result once `ended` */
    uint32_t held;            /* buffers holding unread bytes */
    uint32_t head_off;        /* bytes of the head buffer already read */
    uint16_t head_bid, tail_bid;
    bool armed;               /* a multishot recv is in flight */
    bool ended;               /* end of stream or an error: reported after the held bytes */
    bool cancel_sent;         /* by this module (held cap or close): -ECANCELED is not final */
    bool plain_next;          /* ENOBUFS: the next receive is a plain one */
    bool timed_out;
} rt_sock_rx;

/* Prepares `rx` for socket `fd` (no request is made until the first receive). */
void rt_sock_rx_init(rt_sock_rx *rx, int fd);
/* rt_sock_recv's contract: up to `len` bytes, 0 at end of stream, -1 with 08006. */
ssize_t rt_sock_rx_recv(rt_sock_rx *rx, void *buf, size_t len, uint64_t timeout_ns,
                        rt_err *err);
/* Before the socket is closed: cancels the request, waits for its end (from a fiber) and
 * gives the held buffers back. */
void rt_sock_rx_close(rt_sock_rx *rx);

/* Why rt_sock_rx_drain stopped. */
typedef enum rt_rx_drain_end {
    RT_RX_DRAIN_EOF,   /* the client closed: nothing unread is left */
    RT_RX_DRAIN_BYTES, /* `max_bytes` discarded and the client still sending */
    RT_RX_DRAIN_TIME,  /* `timeout_ns` passed */
    RT_RX_DRAIN_ERROR  /* the socket failed (e.g. the client reset it) */
} rt_rx_drain_end;
/* Reads and discards the client's input until end of stream, `max_bytes` or `timeout_ns`
 * (both > 0), whichever comes first; *drained = the bytes discarded. For the end of a
 * connection after the server's last message: closing a socket with unread input makes the
 * kernel reset the connection, and the reset can destroy that message before the client reads
 * it. With its sending side shut first (once the client is not in the middle of sending a
 * message: a client may take an end of stream seen while it sends for a failure) the client
 * sees the end and closes, which ends the drain at once.
 * Parks only the calling fiber; off the shards it blocks its thread. */
rt_rx_drain_end rt_sock_rx_drain(rt_sock_rx *rx, uint64_t max_bytes, uint64_t timeout_ns,
                                 uint64_t *drained);

/* Statistics of the calling shard's buffer ring (tests, benchmarks). */
typedef struct rt_rx_stats {
    bool multishot;           /* the kernel took the buffer ring */
    uint32_t held;            /* buffers holding unread bytes now */
    uint64_t arms;            /* multishot requests submitted */
    uint64_t plain;           /* plain receives (fallback) */
    uint64_t nobufs;          /* requests ended because the ring ran dry */
} rt_rx_stats;
rt_rx_stats rt_rx_get_stats(void);
/* Tests only, before the shard's first receive: use `bufs` (a power of two, <= RT_RX_BUFS)
 * buffers, so that a test can run the ring dry; 0 turns multishot off on this shard. */
void rt_rx_test_set_bufs(uint32_t bufs);

#endif
