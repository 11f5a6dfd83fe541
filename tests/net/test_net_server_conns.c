/* test_net_server_conns.c: 1,000 concurrent client connections to the dreambase program.
 * How: starts the real server (test_server.h) with max_connections = 1000, opens 1,000 libpq
 * connections at once (PQconnectStart/PQconnectPoll driven by one poll() loop, so they are
 * all in flight together), sends a query on every one before reading any answer, and checks
 * every answer; one more connection gets FATAL 53300 "sorry, too many clients already" while
 * the others stay usable; closing one makes room again. The server's resident memory (VmRSS)
 * is read with one idle connection and with 1,000, and the cost per idle connection is
 * printed (bench/RESULTS.md records it). A max_connections the open-files limit cannot hold
 * fails the start with a clear message. TEST_CONNS overrides the 1,000. */
// ctest: TIMEOUT 120 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/capability.h>
#include <poll.h>
#include <sys/prctl.h>

#include "test_server.h"

#define TEST_CONNS_DEFAULT 1000

/* Opens n connections concurrently; all must succeed. */
static void test_connect_all(const test_server *s, PGconn **conns, int n) {
    char dsn[256];
    test_server_dsn(s, "user=postgres", dsn, sizeof dsn);
    PostgresPollingStatusType *st = calloc((size_t)n, sizeof *st);
    struct pollfd *fds = calloc((size_t)n, sizeof *fds);
    int *idx = calloc((size_t)n, sizeof *idx);
    for (int i = 0; i < n; i++) {
        conns[i] = PQconnectStart(dsn);
        assert_non_null(conns[i]);
        assert_int_not_equal(PQstatus(conns[i]), CONNECTION_BAD);
        st[i] = PGRES_POLLING_WRITING;
    }
    time_t deadline = time(NULL) + 60;
    for (;;) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (st[i] == PGRES_POLLING_OK) continue;
            if (st[i] == PGRES_POLLING_FAILED) fail_msg("connection %d: %s", i,
                                                        PQerrorMessage(conns[i]));
            fds[k] = (struct pollfd){.fd = PQsocket(conns[i]),
                                     .events = st[i] == PGRES_POLLING_READING ? POLLIN : POLLOUT};
            idx[k++] = i;
        }
        if (k == 0) break;
        assert_true(time(NULL) < deadline);
        assert_true(poll(fds, (nfds_t)k, 1000) >= 0);
        for (int j = 0; j < k; j++) {
            if (fds[j].revents != 0) st[idx[j]] = PQconnectPoll(conns[idx[j]]);
        }
    }
    free(st);
    free(fds);
    free(idx);
}

/* Every connection sends its query first, then all answers are read. */
static void test_query_all(PGconn **conns, int n) {
    for (int i = 0; i < n; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + 1", i);
        assert_int_equal(PQsendQuery(conns[i], sql), 1);
    }
    for (int i = 0; i < n; i++) {
        PGresult *r = PQgetResult(conns[i]);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fail_msg("query %d: %s", i, PQresultErrorMessage(r));
        }
        assert_int_equal(atoi(PQgetvalue(r, 0, 0)), i + 1);
        PQclear(r);
        assert_null(PQgetResult(conns[i]));
    }
}

static void test_net_server_thousand_connections(void **state) {
    (void)state;
    const char *env = getenv("TEST_CONNS");
    int n = env != NULL ? atoi(env) : TEST_CONNS_DEFAULT;
    /* this process needs a descriptor per connection too */
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < (rlim_t)n + 64) {
        lim.rlim_cur = lim.rlim_max < (rlim_t)n + 64 ? lim.rlim_max : (rlim_t)n + 64;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    test_server s;
    char conf[64];
    snprintf(conf, sizeof conf, "max_connections = %d\n", n);
    assert_true(test_server_init(&s, conf, NULL));
    assert_true(test_server_start(&s, NULL, NULL));
    PGconn **conns = calloc((size_t)n, sizeof *conns);
    char err[512];
    conns[0] = test_server_connect(&s, "user=postgres", err, sizeof err);
    assert_non_null(conns[0]);
    test_query_all(conns, 1);
    long rss_one_kb = test_server_rss_kb(&s);
    test_connect_all(&s, conns + 1, n - 1);
    test_query_all(conns, n);
    long rss_all_kb = test_server_rss_kb(&s);
    /* one more: 53300, and the others are unaffected */
    PGconn *extra = test_server_connect(&s, "user=postgres", err, sizeof err);
    assert_null(extra);
    assert_non_null(strstr(err, "FATAL:  sorry, too many clients already"));
    test_query_all(conns, n);
    PQfinish(conns[n - 1]);
    for (int i = 0; i < 100 && extra == NULL; i++) {
        extra = test_server_connect(&s, "user=postgres", err, sizeof err);
        if (extra == NULL) usleep(50 * 1000); /* the server sees the close asynchronously */
    }
    assert_non_null(extra);
    PQfinish(extra);
    printf("connections: %d; server RSS with 1 idle connection %ld kB, with %d %ld kB: "
           "%.1f kB per idle connection\n", n, rss_one_kb, n, rss_all_kb,
           (double)(rss_all_kb - rss_one_kb) / (n - 1));
    for (int i = 0; i < n - 1; i++) PQfinish(conns[i]);
    free(conns);
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

/* A max_connections the open-files limit cannot hold stops the start, saying so. */
static void test_net_server_fd_limit_too_low(void **state) {
    (void)state;
    test_server s;
    assert_true(test_server_init(&s, "max_connections = 5000\n", NULL));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* a hard limit the server may not raise: as root, without CAP_SYS_RESOURCE after
         * exec (dropped from the bounding set) */
        if (geteuid() == 0 && prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) != 0) _exit(3);
        struct rlimit lim = {.rlim_cur = 1024, .rlim_max = 1024};
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(3);
        if (!test_server_spawn(&s, NULL, NULL)) _exit(3);
        _exit(test_server_exit_status(&s) == 1 ? 0 : 4);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(test_server_log_has(&s, "could not raise the limit of open files to 5288 for "
                                        "max_connections = 5000 (the hard limit is 1024)"));
    test_server_remove(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_server_thousand_connections),
        cmocka_unit_test(test_net_server_fd_limit_too_low),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
