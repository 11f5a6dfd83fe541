/* rt_io.c: file and socket helpers. On a shard fiber each call is one io_uring request (the
 * fiber parks until its completion); elsewhere it is the equivalent blocking syscall. While
 * fault injection runs (rt_faultfs.h), file calls go through it instead, blocking. */
#include "runtime/rt_io.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/rt_faultfs.h"
#include "runtime/rt_loop_int.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

typedef struct rt_io_wait {
    rt_completion c;
    rt_fiber *fiber;
    int32_t res;
    bool done;
} rt_io_wait;

static void rt_io_wait_done(rt_completion *c, int32_t res, uint32_t flags) {
    rt_io_wait *w = (rt_io_wait *)c;
    (void)flags;
    w->res = res;
    w->done = true;
    rt_fiber_wake(w->fiber);
}

/* True when the caller is a fiber: the ring is used; otherwise plain syscalls. */
static bool rt_io_async(void) { return rt_self != NULL && rt_self->current != NULL; }

static struct io_uring_sqe *rt_io_begin(rt_io_wait *w) {
    w->c.fn = rt_io_wait_done;
    w->fiber = rt_fiber_self();
    w->done = false;
    w->res = 0;
    return rt_loop_sqe(&w->c);
}

static int32_t rt_io_end(rt_io_wait *w) {
    while (!w->done) rt_fiber_park();
    return w->res;
}

/* ---- files ---- */

int rt_file_open(const char *path, int flags, mode_t mode, rt_err *err) {
    int fd;
    if (rt_faultfs_active()) {
        fd = rt_faultfs_open(path, flags, mode);
    } else if (rt_io_async()) {
        rt_io_wait w;
        io_uring_prep_openat(rt_io_begin(&w), AT_FDCWD, path, flags | O_CLOEXEC, mode);
        fd = rt_io_end(&w);
    } else {
        fd = open(path, flags | O_CLOEXEC, mode);
        if (fd < 0) fd = -errno;
    }
    if (fd < 0) {
        rt_err_from_errno(err, -fd, "could not open file \"%s\"", path);
        if (-fd == ENOENT) memcpy(err->sqlstate, SQLSTATE_UNDEFINED_FILE, 6);
        return -1;
    }
    return fd;
}

bool rt_file_close(int fd, rt_err *err) {
    int rc;
    if (rt_faultfs_active()) {
        rc = rt_faultfs_close(fd);
    } else if (rt_io_async()) {
        rt_io_wait w;
        io_uring_prep_close(rt_io_begin(&w), fd);
        rc = rt_io_end(&w);
    } else {
        rc = close(fd) == 0 ? 0 : -errno;
    }
    if (rc < 0) return rt_err_from_errno(err, -rc, "could not close file");
    return true;
}

bool rt_file_write(int fd, const void *buf, size_t len, uint64_t offset, rt_err *err) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n;
        size_t chunk = len > (1u << 30) ? (1u << 30) : len;
        if (rt_faultfs_active()) {
            n = rt_faultfs_write(fd, p, chunk, offset);
        } else if (rt_io_async()) {
            rt_io_wait w;
            io_uring_prep_write(rt_io_begin(&w), fd, p, (unsigned)chunk, offset);
            n = rt_io_end(&w);
        } else {
            n = pwrite(fd, p, chunk, (off_t)offset);
            if (n < 0) n = -errno;
        }
        if (n == -EINTR || n == -EAGAIN) continue;
        if (n < 0) return rt_err_from_errno(err, (int)-n, "could not write file");
        if (n == 0) return rt_err_set(err, SQLSTATE_IO_ERROR, "could not write file: no progress");
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return true;
}

bool rt_file_read(int fd, void *buf, size_t len, uint64_t offset, size_t *got_bytes,
                  rt_err *err) {
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n;
        size_t chunk = len - got > (1u << 30) ? (1u << 30) : len - got;
        if (rt_faultfs_active()) {
            n = rt_faultfs_read(fd, p + got, chunk, offset + got);
        } else if (rt_io_async()) {
            rt_io_wait w;
            io_uring_prep_read(rt_io_begin(&w), fd, p + got, (unsigned)chunk, offset + got);
            n = rt_io_end(&w);
        } else {
            n = pread(fd, p + got, chunk, (off_t)(offset + got));
            if (n < 0) n = -errno;
        }
        if (n == -EINTR || n == -EAGAIN) continue;
        if (n < 0) return rt_err_from_errno(err, (int)-n, "could not read file");
        if (n == 0) break;
        got += (size_t)n;
    }
    *got_bytes = got;
    return true;
}

bool rt_file_sync(int fd, bool data_only, rt_err *err) {
    int rc;
    if (rt_faultfs_active()) {
        rc = rt_faultfs_sync(fd, data_only);
    } else if (rt_io_async()) {
        rt_io_wait w;
        io_uring_prep_fsync(rt_io_begin(&w), fd, data_only ? IORING_FSYNC_DATASYNC : 0);
        rc = rt_io_end(&w);
    } else {
        rc = (data_only ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
    }
    if (rc < 0) return rt_err_from_errno(err, -rc, "could not fsync file");
    return true;
}

bool rt_file_rename(const char *from, const char *to, rt_err *err) {
    int rc;
    if (rt_faultfs_active()) {
        rc = rt_faultfs_rename(from, to);
    } else if (rt_io_async()) {
        rt_io_wait w;
        io_uring_prep_renameat(rt_io_begin(&w), AT_FDCWD, from, AT_FDCWD, to, 0);
        rc = rt_io_end(&w);
    } else {
        rc = rename(from, to) == 0 ? 0 : -errno;
    }
    if (rc < 0) return rt_err_from_errno(err, -rc, "could not rename \"%s\" to \"%s\"", from, to);
    return true;
}

bool rt_file_unlink(const char *path, rt_err *err) {
    int rc;
    if (rt_faultfs_active()) {
        rc = rt_faultfs_unlink(path);
    } else if (rt_io_async()) {
        rt_io_wait w;
        io_uring_prep_unlinkat(rt_io_begin(&w), AT_FDCWD, path, 0);
        rc = rt_io_end(&w);
    } else {
        rc = unlink(path) == 0 ? 0 : -errno;
    }
    if (rc < 0 && rc != -ENOENT) return rt_err_from_errno(err, -rc, "could not remove \"%s\"", path);
    return true;
}

bool rt_file_size(int fd, uint64_t *size_bytes, rt_err *err) {
    struct stat st; /* metadata from the inode cache: does not wait on the disk */
    if (fstat(fd, &st) != 0) return rt_err_from_errno(err, errno, "could not stat file");
    *size_bytes = (uint64_t)st.st_size;
    return true;
}

bool rt_file_replace(const char *path, const char *tmp, const char *dir, const void *buf,
                     size_t len, rt_err *err) {
    int fd = rt_file_open(tmp, O_CREAT | O_TRUNC | O_WRONLY, 0600, err);
    if (fd < 0) return false;
    bool ok = rt_file_write(fd, buf, len, 0, err) && rt_file_sync(fd, false, err);
    rt_err close_err;
    rt_err_clear(&close_err);
    if (!rt_file_close(fd, &close_err) && ok) {
        *err = close_err;
        ok = false;
    }
    ok = ok && rt_file_rename(tmp, path, err) && rt_dir_sync(dir, err);
    if (!ok) {
        rt_err quiet;
        rt_err_clear(&quiet);
        rt_file_unlink(tmp, &quiet);
    }
    return ok;
}

uint8_t *rt_file_read_whole(const char *path, uint64_t min_bytes, uint64_t max_bytes,
                            uint64_t *size, const char **why) {
    rt_err err;
    rt_err_clear(&err);
    int fd = rt_file_open(path, O_RDONLY, 0, &err);
    if (fd < 0) {
        *why = "it cannot be opened";
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t got = 0;
    if (!rt_file_size(fd, size, &err)) {
        *why = "its size cannot be read";
    } else if (*size > max_bytes || *size < min_bytes) {
        *why = "it has an impossible size";
    } else {
        buf = rt_xmalloc(*size);
        if (!rt_file_read(fd, buf, *size, 0, &got, &err) || got != *size) {
            *why = "it cannot be read";
            rt_free(buf);
            buf = NULL;
        }
    }
    rt_file_close(fd, &err);
    return buf;
}

bool rt_file_truncate(int fd, uint64_t size_bytes, rt_err *err) {
    int rc;
    if (rt_faultfs_active()) {
        rc = rt_faultfs_truncate(fd, size_bytes);
    } else {
        rc = ftruncate(fd, (off_t)size_bytes) == 0 ? 0 : -errno;
    }
    if (rc < 0) return rt_err_from_errno(err, -rc, "could not truncate file");
    return true;
}

bool rt_dir_make(const char *path, rt_err *err) {
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid directory path");
    }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            return rt_err_from_errno(err, errno, "could not create directory \"%s\"", buf);
        }
        buf[i] = saved;
    }
    return true;
}

bool rt_dir_sync(const char *path, rt_err *err) {
    int fd = rt_file_open(path, O_RDONLY | O_DIRECTORY, 0, err);
    if (fd < 0) return false;
    bool ok = rt_file_sync(fd, false, err);
    rt_err ignored;
    rt_err_clear(&ignored);
    rt_file_close(fd, &ignored);
    return ok;
}

/* ---- sockets ---- */

int rt_sock_listen_tcp(const char *host, uint16_t port, bool reuse_port, int backlog,
                       rt_err *err) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", port);
    if (host != NULL && strcmp(host, "*") == 0) host = NULL;
    int rc = getaddrinfo(host, port_text, &hints, &res);
    if (rc != 0) {
        rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not resolve listen address \"%s\": %s",
                   host ? host : "*", gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(res);
        rt_err_from_errno(err, e, "could not listen on %s:%u", host ? host : "*", port);
        return -1;
    }
    freeaddrinfo(res);
    return fd;
}

static void rt_sock_tune(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
}

int rt_sock_accept(int listen_fd, struct sockaddr_storage *peer, rt_err *err) {
    socklen_t len = sizeof *peer;
    int fd;
    if (rt_io_async()) {
        rt_io_wait w;
        io_uring_prep_accept(rt_io_begin(&w), listen_fd, (struct sockaddr *)peer, &len,
                             SOCK_CLOEXEC);
        fd = rt_io_end(&w);
    } else {
        fd = accept4(listen_fd, (struct sockaddr *)peer, &len, SOCK_CLOEXEC);
        if (fd < 0) fd = -errno;
    }
    if (fd < 0) {
        rt_err_from_errno(err, -fd, "could not accept a connection");
        memcpy(err->sqlstate, SQLSTATE_CONNECTION_FAILURE, 6);
        return -1;
    }
    rt_sock_tune(fd);
    return fd;
}

static void rt_io_timeout_sqe(struct __kernel_timespec *ts, uint64_t timeout_ns) {
    ts->tv_sec = (long long)(timeout_ns / RT_NS_PER_S);
    ts->tv_nsec = (long long)(timeout_ns % RT_NS_PER_S);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&rt_self->uring);
    if (sqe == NULL) {
        io_uring_submit(&rt_self->uring);
        sqe = io_uring_get_sqe(&rt_self->uring);
    }
    RT_ASSERT(sqe != NULL);
    io_uring_prep_link_timeout(sqe, ts, 0);
    io_uring_sqe_set_data64(sqe, RT_UD_IGNORE);
}

ssize_t rt_sock_recv(int fd, void *buf, size_t len, uint64_t timeout_ns, rt_err *err) {
    ssize_t n;
    if (rt_io_async()) {
        rt_io_wait w;
        struct __kernel_timespec ts;
        struct io_uring_sqe *sqe = rt_io_begin(&w);
        io_uring_prep_recv(sqe, fd, buf, len, 0);
        if (timeout_ns > 0) {
            sqe->flags |= IOSQE_IO_LINK;
            rt_io_timeout_sqe(&ts, timeout_ns);
        }
        n = rt_io_end(&w); /* ts lives on this stack until the request has completed */
    } else {
        n = recv(fd, buf, len, 0);
        if (n < 0) n = -errno;
    }
    if (n == -ECANCELED && timeout_ns > 0) {
        rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "timeout while receiving from the client");
        return -1;
    }
    if (n < 0) {
        rt_err_from_errno(err, (int)-n, "could not receive data from client");
        memcpy(err->sqlstate, SQLSTATE_CONNECTION_FAILURE, 6);
        return -1;
    }
    return n;
}

ssize_t rt_sock_send_some(int fd, const void *buf, size_t len, rt_err *err) {
    ssize_t n;
    bool async = rt_io_async();
    do {
        if (async) {
            rt_io_wait w;
            io_uring_prep_send(rt_io_begin(&w), fd, buf, len, MSG_NOSIGNAL);
            n = rt_io_end(&w);
        } else {
            n = send(fd, buf, len, MSG_NOSIGNAL);
            if (n < 0) n = -errno;
        }
        /* Through io_uring -EINTR is rt_io_cancel_fd ending a send the kernel's worker was
         * blocked in (one still waiting for space ends with -ECANCELED): it is final, as a
         * retry would wait on the client that the cancel gave up on. */
    } while (n == -EAGAIN || (n == -EINTR && !async));
    if (n <= 0) {
        rt_err_from_errno(err, n == 0 ? EPIPE : (int)-n, "could not send data to client");
        memcpy(err->sqlstate, SQLSTATE_CONNECTION_FAILURE, 6);
        return -1;
    }
    return n;
}

bool rt_sock_send(int fd, const void *buf, size_t len, rt_err *err) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = rt_sock_send_some(fd, p, len, err);
        if (n < 0) return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

int rt_sock_connect_tcp(const char *host, uint16_t port, rt_err *err) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", port);
    if (getaddrinfo(host, port_text, &hints, &res) != 0) {
        rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "could not resolve \"%s\"", host);
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = -EBADF;
    if (fd >= 0) {
        if (rt_io_async()) {
            rt_io_wait w;
            io_uring_prep_connect(rt_io_begin(&w), fd, res->ai_addr, res->ai_addrlen);
            rc = rt_io_end(&w);
        } else {
            rc = connect(fd, res->ai_addr, res->ai_addrlen) == 0 ? 0 : -errno;
        }
    }
    freeaddrinfo(res);
    if (rc < 0) {
        if (fd >= 0) close(fd);
        rt_err_from_errno(err, -rc, "could not connect to %s:%u", host, port);
        memcpy(err->sqlstate, SQLSTATE_CONNECTION_FAILURE, 6);
        return -1;
    }
    rt_sock_tune(fd);
    return fd;
}

void rt_sock_close(int fd) {
    if (fd >= 0) close(fd);
}

typedef struct rt_io_cancel {
    rt_completion c;
} rt_io_cancel;

static void rt_io_cancel_done(rt_completion *c, int32_t res, uint32_t flags) {
    (void)res;
    (void)flags;
    rt_free(c);
}

void rt_io_cancel_fd(int fd) {
    RT_ASSERT(rt_self != NULL);
    rt_io_cancel *cancel = rt_xmalloc(sizeof *cancel);
    cancel->c.fn = rt_io_cancel_done;
    struct io_uring_sqe *sqe = rt_loop_sqe(&cancel->c);
    io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
}
