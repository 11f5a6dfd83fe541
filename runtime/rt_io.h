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

#endif
