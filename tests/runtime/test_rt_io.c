/* test_rt_io.c: file and socket I/O through the shard's io_uring, and idle behaviour.
 * How: fibers on real shards write, fsync and read back files and exchange bytes over a
 * loopback TCP connection; results are checked on the main thread. The idle test measures
 * the process's CPU time while the shards have nothing to do. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rt_io.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "tests/common/test_runtime.h"

/* ---- file write + fsync + read through the ring ---- */

#define FILE_BYTES (3u * 1024u * 1024u + 17u)

static struct {
    char path[256];
    bool wrote, synced, read_ok, renamed, missing_error, replaced, replace_failed_clean;
    size_t got;
    char missing_state[6];
} fio;

static void fio_fiber(void *arg) {
    rt_err err;
    rt_err_clear(&err);
    unsigned char *buf = rt_xmalloc(FILE_BYTES);
    unsigned char *back = rt_xmalloc(FILE_BYTES);
    for (uint32_t i = 0; i < FILE_BYTES; i++) buf[i] = (unsigned char)(i * 31u + (i >> 13));
    int fd = rt_file_open(fio.path, O_CREAT | O_TRUNC | O_RDWR, 0600, &err);
    TEST_CHECK(fd >= 0);
    /* Two writes at offsets, the second first: positional I/O, not a stream. */
    fio.wrote = rt_file_write(fd, buf + 4096, FILE_BYTES - 4096, 4096, &err) &&
                rt_file_write(fd, buf, 4096, 0, &err);
    fio.synced = rt_file_sync(fd, true, &err) && rt_file_sync(fd, false, &err);
    fio.read_ok = rt_file_read(fd, back, FILE_BYTES, 0, &fio.got, &err) &&
                  memcmp(buf, back, FILE_BYTES) == 0;
    TEST_CHECK(rt_file_close(fd, &err));
    char renamed[300];
    snprintf(renamed, sizeof renamed, "%s.renamed", fio.path);
    fio.renamed = rt_file_rename(fio.path, renamed, &err) && rt_file_unlink(renamed, &err);
    rt_err missing;
    rt_err_clear(&missing);
    fio.missing_error = rt_file_open(fio.path, O_RDONLY, 0, &missing) < 0;
    memcpy(fio.missing_state, missing.sqlstate, 6);
    /* rt_file_replace: the new content in place, the temporary file gone; a replace that
     * cannot rename (no such directory) fails and leaves no temporary file behind. */
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", fio.path);
    uint64_t size = 0;
    const char *why = NULL;
    uint8_t *whole = NULL;
    if (rt_file_replace(fio.path, tmp, "/tmp", "first", 5, &err) &&
        rt_file_replace(fio.path, tmp, "/tmp", "second", 6, &err)) {
        whole = rt_file_read_whole(fio.path, 1, 64, &size, &why);
    }
    fio.replaced = whole != NULL && size == 6 && memcmp(whole, "second", 6) == 0 &&
                   access(tmp, F_OK) != 0 && rt_file_unlink(fio.path, &err);
    rt_free(whole);
    char nowhere[320];
    snprintf(nowhere, sizeof nowhere, "%s.none/file", fio.path);
    rt_err_clear(&missing);
    fio.replace_failed_clean = !rt_file_replace(nowhere, tmp, "/tmp", "x", 1, &missing) &&
                               access(tmp, F_OK) != 0;
    rt_free(buf);
    rt_free(back);
    rt_runtime_stop();
}

static void fio_start(rt_loop *loop, void *arg) {
    if (rt_core_id() == 1) test_spawn(fio_fiber, NULL);
}

static void test_rt_io_file_write_fsync_read(void **state) {
    memset(&fio, 0, sizeof fio);
    snprintf(fio.path, sizeof fio.path, "/tmp/test_rt_io_%d.dat", (int)getpid());
    assert_int_equal(test_runtime_run(2, fio_start, NULL, NULL), 0);
    assert_true(fio.wrote);
    assert_true(fio.synced);
    assert_int_equal(fio.got, FILE_BYTES);
    assert_true(fio.read_ok);
    assert_true(fio.renamed);
    assert_true(fio.missing_error);
    assert_string_equal(fio.missing_state, "58P01");
    assert_true(fio.replaced);
    assert_true(fio.replace_failed_clean);
}

/* ---- sockets: accept, recv, send, timeout ---- */

static struct {
    int listen_fd;
    uint16_t port;
    char echoed[64];
    bool accepted, timed_out, eof_seen;
    char timeout_state[6];
} sk;

static void sk_server(void *arg) {
    rt_err err;
    rt_err_clear(&err);
    struct sockaddr_storage peer;
    int fd = rt_sock_accept(sk.listen_fd, &peer, &err);
    sk.accepted = fd >= 0;
    if (fd < 0) {
        rt_runtime_stop();
        return;
    }
    char buf[64];
    ssize_t n = rt_sock_recv(fd, buf, sizeof buf, 0, &err);
    TEST_CHECK(n == 5);
    for (ssize_t i = 0; i < n; i++) buf[i] = (char)(buf[i] - 32); /* upper-case echo */
    TEST_CHECK(rt_sock_send(fd, buf, (size_t)n, &err));
    /* The client now says nothing: a 50 ms timeout must end the wait with an error. */
    rt_err terr;
    rt_err_clear(&terr);
    sk.timed_out = rt_sock_recv(fd, buf, sizeof buf, 50 * RT_NS_PER_MS, &terr) < 0;
    memcpy(sk.timeout_state, terr.sqlstate, 6);
    TEST_CHECK(rt_sock_send(fd, "x", 1, &err)); /* tells the client to close */
    n = rt_sock_recv(fd, buf, sizeof buf, 0, &err);
    sk.eof_seen = n == 0;
    rt_sock_close(fd);
    rt_sock_close(sk.listen_fd);
    rt_runtime_stop();
}

static void sk_client(void *arg) {
    rt_err err;
    rt_err_clear(&err);
    int fd = rt_sock_connect_tcp("127.0.0.1", sk.port, &err);
    TEST_CHECK(fd >= 0);
    if (fd < 0) return;
    TEST_CHECK(rt_sock_send(fd, "hello", 5, &err));
    char buf[64];
    ssize_t n = rt_sock_recv(fd, buf, sizeof buf, 0, &err);
    if (n > 0) memcpy(sk.echoed, buf, (size_t)n);
    n = rt_sock_recv(fd, buf, sizeof buf, 0, &err); /* the "x" after the server's timeout */
    TEST_CHECK(n == 1);
    rt_sock_close(fd);
}

static void sk_start(rt_loop *loop, void *arg) {
    test_spawn(rt_core_id() == 0 ? sk_server : sk_client, NULL);
}

static void test_rt_io_socket_accept_recv_send_timeout(void **state) {
    memset(&sk, 0, sizeof sk);
    rt_err err;
    rt_err_clear(&err);
    sk.listen_fd = rt_sock_listen_tcp("127.0.0.1", 0, true, 16, &err);
    assert_true(sk.listen_fd >= 0);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    getsockname(sk.listen_fd, (struct sockaddr *)&addr, &len);
    sk.port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
    assert_int_equal(test_runtime_run(2, sk_start, NULL, NULL), 0);
    assert_true(sk.accepted);
    assert_string_equal(sk.echoed, "HELLO");
    assert_true(sk.timed_out);
    assert_string_equal(sk.timeout_state, "08006");
    assert_true(sk.eof_seen);
}

/* ---- an idle runtime uses no CPU ---- */

static struct {
    rt_timer timer;
    struct rusage before;
} idle;

static void idle_stop(rt_timer *t) { rt_runtime_stop(); }

static void idle_start(rt_loop *loop, void *arg) {
    if (rt_core_id() != 0) return;
    rt_err err;
    rt_err_clear(&err);
    getrusage(RUSAGE_SELF, &idle.before);
    TEST_CHECK(rt_timer_start(&idle.timer, 500 * RT_NS_PER_MS, idle_stop, &err));
}

static double idle_cpu_seconds(const struct rusage *r) {
    return (double)r->ru_utime.tv_sec + (double)r->ru_utime.tv_usec / 1e6 +
           (double)r->ru_stime.tv_sec + (double)r->ru_stime.tv_usec / 1e6;
}

static void test_rt_io_idle_shards_use_no_cpu(void **state) {
    memset(&idle, 0, sizeof idle);
    assert_int_equal(test_runtime_run(2, idle_start, NULL, NULL), 0);
    struct rusage after;
    getrusage(RUSAGE_SELF, &after);
    double used = idle_cpu_seconds(&after) - idle_cpu_seconds(&idle.before);
    /* Two shards idle for 0.5 s: spinning would cost ~1 s of CPU; sleeping costs ~nothing. */
    print_message("idle: %.4f s CPU over 0.5 s with 2 shards\n", used);
    assert_true(used < 0.05);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_io_file_write_fsync_read),
        cmocka_unit_test(test_rt_io_socket_accept_recv_send_timeout),
        cmocka_unit_test(test_rt_io_idle_shards_use_no_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
