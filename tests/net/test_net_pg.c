/* test_net_pg.c: the PostgreSQL wire protocol server (net_pg) against raw protocol bytes and
 * against libpq.
 * How: the real server (two shards, TCP on 127.0.0.1 and a Unix socket in a scratch
 * directory, TLS with a self-signed certificate, max_connections 8) runs in a thread over the
 * fake session of fake_session.c, which answers a handful of statements. The raw tests write
 * messages byte by byte and read the answers: startup variants, simple and extended query
 * sequences, skip-to-Sync, Flush without Sync, PortalSuspended, COPY both ways, cancel,
 * max_connections, idle timeouts, large messages both ways, clients that leave mid-result,
 * random bytes, and malformed messages (FATAL 08P01, after which the server still serves
 * others); net_pg_terminate_backend on idle, idle-in-transaction, running and COPY-reading
 * sessions (FATAL 57P01, then the close, the slot freed) and the activity net_pg_activity_get
 * copies for pg_stat_activity (states, times, query text from Query and from Bind, bounded);
 * the group teardown checks that shutdown tells an idle session FATAL 57P01.
 * The libpq tests connect over TCP, the Unix socket and TLS, with trust and SCRAM (with
 * channel binding), and use PQexec, PQexecParams (binary), PQprepare, pipeline mode, COPY
 * and PQcancel.
 * With NET_PG_FAKE_SERVE_PORT=<port> in the environment the program only serves on that port
 * (for trying psql and the Python drivers by hand). */
// ctest: TIMEOUT 300 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "fake_session.c"
#include "net/net_pg.h"
#include "runtime/rt_log.h"
#include "test_net_pg.h"

#define TEST_MAX_CONNECTIONS 8
#define TEST_PASSWORD "secret-pw"

static struct {
    char dir[64];
    int port;
    pthread_t thread;
    net_tls_ctx *tls;
    char alice_secret[NET_SCRAM_SECRET_BYTES_MAX];
} srv;

/* alice has a SCRAM verifier; every other role has none (trusted on local connections). */
static bool test_role_secret(const char *user, char secret[NET_SCRAM_SECRET_BYTES_MAX]) {
    if (strcmp(user, "alice") != 0) return false;
    memcpy(secret, srv.alice_secret, NET_SCRAM_SECRET_BYTES_MAX);
    return true;
}

static void srv_on_start(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    rt_err err;
    rt_err_clear(&err);
    if (!net_pg_shard_start(&err)) {
        rt_log(RT_LOG_ERROR, NULL, "net_pg_shard_start: %s", err.message);
        rt_runtime_stop();
    }
}

static void srv_on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    net_pg_shard_stop();
}

static void *srv_main(void *arg) {
    (void)arg;
    rt_config config = {.shard_count = 2, .spin_us = 10, .on_start = srv_on_start,
                        .on_stop = srv_on_stop};
    rt_err err;
    rt_err_clear(&err);
    if (!rt_runtime_run(&config, &err)) fprintf(stderr, "runtime: %s\n", err.message);
    return NULL;
}

/* ---- a raw client ---- */

static int tc_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void tc_send(int fd, const void *p, size_t n) {
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* A message builder. */
typedef struct tc_msg {
    uint8_t b[1 << 16];
    size_t n, start;
} tc_msg;

static void tm_u8(tc_msg *m, uint8_t v) { m->b[m->n++] = v; }
static void tm_i16(tc_msg *m, int16_t v) {
    tm_u8(m, (uint8_t)((uint16_t)v >> 8));
    tm_u8(m, (uint8_t)v);
}
static void tm_i32(tc_msg *m, int32_t v) {
    for (int s = 24; s >= 0; s -= 8) tm_u8(m, (uint8_t)((uint32_t)v >> s));
}
static void tm_str(tc_msg *m, const char *s) {
    memcpy(m->b + m->n, s, strlen(s) + 1);
    m->n += strlen(s) + 1;
}
static void tm_begin(tc_msg *m, char type) {
    m->start = m->n;
    tm_u8(m, (uint8_t)type);
    tm_i32(m, 0);
}
static void tm_end(tc_msg *m) {
    uint32_t len = (uint32_t)(m->n - m->start - 1);
    for (int i = 0; i < 4; i++) m->b[m->start + 1 + i] = (uint8_t)(len >> (24 - 8 * i));
}
static void tm_send(int fd, tc_msg *m) {
    tc_send(fd, m->b, m->n);
    m->n = 0;
}

static bool tc_read_full(int fd, uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t got = recv(fd, p, n, 0);
        if (got <= 0) return false;
        p += got;
        n -= (size_t)got;
    }
    return true;
}

/* What a sequence of answers looked like. */
typedef struct tc_log {
    char types[256];        /* message types in order */
    char code[6];           /* SQLSTATE of the last ErrorResponse */
    char severity[16];
    char message[256];
    char position[16];
    char first_value[64];   /* first column of the first DataRow (text) */
    uint32_t first_len;
    uint8_t ready;          /* status of the last ReadyForQuery */
    uint32_t pid, secret;   /* BackendKeyData */
    char params[2048];      /* ParameterStatus "name=value;" */
    uint32_t rows;
} tc_log;

static uint32_t tc_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void tc_note(tc_log *log, uint8_t type, const uint8_t *body, uint32_t len) {
    size_t n = strlen(log->types);
    if (n + 1 < sizeof log->types) log->types[n] = (char)type, log->types[n + 1] = '\0';
    if (type == 'E' || type == 'N') {
        for (uint32_t i = 0; i < len && body[i] != 0;) {
            char f = (char)body[i++];
            const char *v = (const char *)body + i;
            if (type == 'E' && f == 'C') snprintf(log->code, sizeof log->code, "%s", v);
            if (type == 'E' && f == 'S') snprintf(log->severity, sizeof log->severity, "%s", v);
            if (f == 'M') snprintf(log->message, sizeof log->message, "%s", v);
            if (f == 'P') snprintf(log->position, sizeof log->position, "%s", v);
            i += (uint32_t)strlen(v) + 1;
        }
    } else if (type == 'Z') {
        log->ready = body[0];
    } else if (type == 'K') {
        log->pid = tc_be32(body), log->secret = tc_be32(body + 4);
    } else if (type == 'S') {
        size_t at = strlen(log->params);
        snprintf(log->params + at, sizeof log->params - at, "%s=%s;", (const char *)body,
                 (const char *)body + strlen((const char *)body) + 1);
    } else if (type == 'D') {
        if (log->rows++ == 0) {
            int32_t vlen = (int32_t)tc_be32(body + 2);
            log->first_len = vlen < 0 ? 0 : (uint32_t)vlen;
            if (vlen >= 0) memcpy(log->first_value, body + 6, vlen < 63 ? (size_t)vlen : 63);
        }
    }
}

/* Reads messages until one of type `until` (or end of stream / timeout). */
static bool tc_read_until(int fd, tc_log *log, char until) {
    static uint8_t body[4 << 20];
    for (;;) {
        uint8_t head[5];
        if (!tc_read_full(fd, head, 5)) return false;
        uint32_t len = tc_be32(head + 1) - 4;
        uint8_t *p = len <= sizeof body ? body : malloc(len);
        if (!tc_read_full(fd, p, len)) return false;
        tc_note(log, head[0], p, len);
        if (p != body) free(p);
        if (head[0] == until) return true;
    }
}

static tc_log tc_exchange(int fd, tc_msg *m, char until) {
    tc_log log;
    memset(&log, 0, sizeof log);
    tm_send(fd, m);
    tc_read_until(fd, &log, until);
    return log;
}

static void tc_startup_msg(tc_msg *m, int32_t code, const char *user, const char *extra) {
    size_t start = m->n;
    tm_i32(m, 0);
    tm_i32(m, code);
    if (user != NULL) tm_str(m, "user"), tm_str(m, user);
    tm_str(m, "database"), tm_str(m, "db");
    if (extra != NULL) tm_str(m, extra), tm_str(m, "x");
    tm_u8(m, 0);
    uint32_t len = (uint32_t)(m->n - start);
    for (int i = 0; i < 4; i++) m->b[start + i] = (uint8_t)(len >> (24 - 8 * i));
}

/* A connected, authenticated raw client. */
static int tc_open(tc_log *log) {
    int fd = tc_connect();
    assert_true(fd >= 0);
    tc_msg m = {.n = 0};
    tc_startup_msg(&m, 196608, "tester", NULL);
    *log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log->types + strlen(log->types) - 2, "KZ");
    return fd;
}

static tc_log tc_query(int fd, const char *sql) {
    tc_msg m = {.n = 0};
    tm_begin(&m, 'Q');
    tm_str(&m, sql);
    tm_end(&m);
    return tc_exchange(fd, &m, 'Z');
}

/* The connection was closed by the server (after its FATAL). */
static void tc_expect_closed(int fd) {
    uint8_t b;
    assert_int_equal(recv(fd, &b, 1, 0), 0);
    close(fd);
}

static void tc_still_serving(void) {
    tc_log log;
    int fd = tc_open(&log);
    log = tc_query(fd, "SELECT 1");
    assert_string_equal(log.types, "TDCZ");
    close(fd);
}

/* ---- raw protocol tests ---- */

static void test_startup_reports_params_key_and_ready(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    assert_int_equal(log.types[0], 'R');
    assert_non_null(strstr(log.params, "server_version=15.0 (Dreambase 0.1.0);"));
    assert_non_null(strstr(log.params, "client_encoding=UTF8;"));
    assert_non_null(strstr(log.params, "session_authorization=tester;"));
    assert_true(log.pid >= NET_PG_PID_BASE);
    assert_int_equal(log.ready, 'I');
    log = tc_query(fd, "SELECT 1");
    assert_string_equal(log.types, "TDCZ");
    assert_string_equal(log.first_value, "1");
    close(fd);
}

static void test_simple_query_errors_and_multi_statements(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    log = tc_query(fd, "BAD STUFF");
    assert_string_equal(log.types, "EZ");
    assert_string_equal(log.code, "42601");
    assert_string_equal(log.severity, "ERROR");
    assert_string_equal(log.message, "syntax error at or near \"BAD\"");
    assert_string_equal(log.position, "1");
    log = tc_query(fd, "SELECT 1; SELECT * FROM series(3)");
    assert_string_equal(log.types, "TDCTDDDCZ");
    log = tc_query(fd, "");
    assert_string_equal(log.types, "IZ");
    log = tc_query(fd, "BEGIN; SELECT 1/0");
    assert_string_equal(log.types, "CEZ");
    assert_int_equal(log.ready, 'E');
    log = tc_query(fd, "ROLLBACK");
    assert_int_equal(log.ready, 'I');
    log = tc_query(fd, "NOTICE");
    assert_string_equal(log.types, "NCZ");
    log = tc_query(fd, "SET application_name = 'renamed'");
    assert_string_equal(log.types, "CSZ");
    assert_string_equal(log.params, "application_name=renamed;");
    close(fd);
}

static void test_extended_query_binary_params_and_results(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    tc_msg m = {.n = 0};
    tm_begin(&m, 'P'), tm_str(&m, ""), tm_str(&m, "SELECT $1"), tm_i16(&m, 1), tm_i32(&m, 23);
    tm_end(&m);
    tm_begin(&m, 'B'), tm_str(&m, ""), tm_str(&m, ""), tm_i16(&m, 1), tm_i16(&m, 1);
    tm_i16(&m, 1), tm_i32(&m, 4), tm_i32(&m, 4242), tm_i16(&m, 1), tm_i16(&m, 1), tm_end(&m);
    tm_begin(&m, 'D'), tm_u8(&m, 'P'), tm_str(&m, ""), tm_end(&m);
    tm_begin(&m, 'E'), tm_str(&m, ""), tm_i32(&m, 0), tm_end(&m);
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "12TDCZ");
    assert_int_equal(log.first_len, 4);
    assert_int_equal(tc_be32((const uint8_t *)log.first_value), 4242);
    /* text parameter that does not decode: 22P02, then skip to Sync */
    tm_begin(&m, 'B'), tm_str(&m, ""), tm_str(&m, ""), tm_i16(&m, 0), tm_i16(&m, 1);
    tm_i32(&m, 3), m.n += 3, memcpy(m.b + m.n - 3, "abc", 3), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'E'), tm_str(&m, ""), tm_i32(&m, 0), tm_end(&m);
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "EZ");
    assert_string_equal(log.code, "22P02");
    close(fd);
}

static void test_extended_error_skips_to_sync(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    tc_msg m = {.n = 0};
    tm_begin(&m, 'P'), tm_str(&m, ""), tm_str(&m, "NOPE"), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'B'), tm_str(&m, ""), tm_str(&m, ""), tm_i16(&m, 0), tm_i16(&m, 0);
    tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'E'), tm_str(&m, ""), tm_i32(&m, 0), tm_end(&m);
    tm_begin(&m, 'Q'), tm_str(&m, "SELECT 1"), tm_end(&m); /* skipped too */
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "EZ");
    assert_string_equal(log.code, "42601");
    /* a Bind with 2 format codes for 1 parameter is 08P01 (ERROR, not FATAL) */
    tm_begin(&m, 'P'), tm_str(&m, "s1"), tm_str(&m, "SELECT $1"), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'B'), tm_str(&m, ""), tm_str(&m, "s1"), tm_i16(&m, 2), tm_i16(&m, 0);
    tm_i16(&m, 0), tm_i16(&m, 1), tm_i32(&m, -1), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "1EZ");
    assert_string_equal(log.code, "08P01");
    assert_string_equal(log.message, "bind message has 2 parameter formats but 1 parameters");
    log = tc_query(fd, "SELECT 1");
    assert_string_equal(log.types, "TDCZ");
    close(fd);
}

static void test_flush_without_sync_and_portal_suspended(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    tc_msg m = {.n = 0};
    /* asyncpg: Parse(named) Describe(statement) Flush, and nothing else */
    tm_begin(&m, 'P'), tm_str(&m, "st"), tm_str(&m, "SELECT * FROM series(5)"), tm_i16(&m, 0);
    tm_end(&m);
    tm_begin(&m, 'D'), tm_u8(&m, 'S'), tm_str(&m, "st"), tm_end(&m);
    tm_begin(&m, 'H'), tm_end(&m);
    log = tc_exchange(fd, &m, 'T');
    assert_string_equal(log.types, "1tT");
    /* an error before the Flush is sent at once too (the Flush itself is skipped) */
    tm_begin(&m, 'P'), tm_str(&m, "bad"), tm_str(&m, "NOPE"), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'H'), tm_end(&m);
    log = tc_exchange(fd, &m, 'E');
    assert_string_equal(log.types, "E");
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "Z");
    tm_begin(&m, 'B'), tm_str(&m, "cur"), tm_str(&m, "st"), tm_i16(&m, 0), tm_i16(&m, 0);
    tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'E'), tm_str(&m, "cur"), tm_i32(&m, 2), tm_end(&m);
    tm_begin(&m, 'E'), tm_str(&m, "cur"), tm_i32(&m, 0), tm_end(&m);
    tm_begin(&m, 'C'), tm_u8(&m, 'P'), tm_str(&m, "cur"), tm_end(&m);
    tm_begin(&m, 'C'), tm_u8(&m, 'S'), tm_str(&m, "st"), tm_end(&m);
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "2DDsDDDC33Z");
    close(fd);
}

static void test_copy_in_out_and_fail(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    tc_msg m = {.n = 0};
    /* CopyData may come before CopyInResponse was seen (asyncpg pipelines them) */
    tm_begin(&m, 'Q'), tm_str(&m, "COPY t FROM STDIN"), tm_end(&m);
    tm_begin(&m, 'd'), tm_str(&m, "1\ta\n2\tb\n"), m.n--, tm_end(&m);
    tm_begin(&m, 'd'), tm_str(&m, "3\tc\n"), m.n--, tm_end(&m);
    tm_begin(&m, 'c'), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "GCZ");
    tm_begin(&m, 'Q'), tm_str(&m, "COPY t FROM STDIN"), tm_end(&m);
    tm_begin(&m, 'd'), tm_str(&m, "1\ta\n"), m.n--, tm_end(&m);
    tm_begin(&m, 'f'), tm_str(&m, "oops"), tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "GEZ");
    assert_string_equal(log.code, "57014");
    assert_string_equal(log.message, "COPY from stdin failed: oops");
    log = tc_query(fd, "COPY t TO STDOUT");
    assert_string_equal(log.types, "HdddcCZ");
    close(fd);
}

/* SSLRequest answered 'S' (a certificate is configured), GSSENCRequest answered 'N'. */
static void test_ssl_and_gssenc_requests(void **state) {
    (void)state;
    tc_msg m = {.n = 0};
    uint8_t answer = 0;
    /* GSSENCRequest: 'N', then a normal start on the same socket */
    int fd = tc_connect();
    tm_i32(&m, 8), tm_i32(&m, 80877104);
    tm_send(fd, &m);
    assert_true(tc_read_full(fd, &answer, 1));
    assert_int_equal(answer, 'N');
    tc_startup_msg(&m, 196608, "tester", NULL);
    tc_log log = tc_exchange(fd, &m, 'Z');
    assert_int_equal(log.ready, 'I');
    close(fd);
    /* plaintext sent together with an SSLRequest is refused, as PostgreSQL does */
    fd = tc_connect();
    tm_i32(&m, 8), tm_i32(&m, 80877103);
    tc_startup_msg(&m, 196608, "tester", NULL);
    tm_send(fd, &m);
    assert_true(tc_read_full(fd, &answer, 1));
    assert_int_equal(answer, 'S');
    log = (tc_log){.types = ""};
    tc_read_until(fd, &log, 'E');
    assert_string_equal(log.code, "08P01");
    assert_string_equal(log.message, "received unencrypted data after SSL request");
    tc_expect_closed(fd);
    /* 'S', then something that is not a TLS handshake: the connection just ends */
    fd = tc_connect();
    tm_i32(&m, 8), tm_i32(&m, 80877103);
    tm_send(fd, &m);
    assert_true(tc_read_full(fd, &answer, 1));
    assert_int_equal(answer, 'S');
    tc_send(fd, "GET / HTTP/1.0\r\n\r\n", 18);
    uint8_t junk[256];
    while (recv(fd, junk, sizeof junk, 0) > 0) {
    }
    close(fd);
    tc_still_serving();
}

static void test_startup_variants(void **state) {
    (void)state;
    tc_msg m = {.n = 0};
    tc_log log;
    int fd;
    /* protocol 3.1 with a _pq_ option: NegotiateProtocolVersion, then on as 3.0 */
    fd = tc_connect();
    tc_startup_msg(&m, 196609, "tester", "_pq_.frobnicate");
    log = tc_exchange(fd, &m, 'Z');
    assert_int_equal(log.types[0], 'v');
    close(fd);
    /* 3.2 (what libpq 18 asks for with max_protocol_version=latest): the 'v' names 3.0, the
     * newest version we speak, as PostgreSQL 15 does; libpq 17 and later refuse a 0.0 */
    fd = tc_connect();
    tc_startup_msg(&m, 196610, "tester", NULL);
    tm_send(fd, &m);
    uint8_t v[9];
    assert_true(tc_read_full(fd, v, sizeof v));
    assert_int_equal(v[0], 'v');
    uint32_t newest = (uint32_t)v[5] << 24 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 8 | v[8];
    assert_int_equal(newest, 196608);
    close(fd);
    /* protocol 2.0 */
    fd = tc_connect();
    tc_startup_msg(&m, 131072, "tester", NULL);
    log = tc_exchange(fd, &m, 'E');
    assert_string_equal(log.code, "0A000");
    assert_string_equal(log.message, "unsupported frontend protocol 2.0: server supports 3.0 "
                                     "to 3.0");
    tc_expect_closed(fd);
    /* no user; unknown role; unknown setting */
    const char *users[] = {NULL, "nobody", "tester"};
    const char *codes[] = {"28000", "28000", "42704"};
    for (int i = 0; i < 3; i++) {
        fd = tc_connect();
        tc_startup_msg(&m, 196608, users[i], i == 2 ? "bogus_setting" : NULL);
        log = tc_exchange(fd, &m, 'E');
        assert_string_equal(log.code, codes[i]);
        assert_string_equal(log.severity, "FATAL");
        tc_expect_closed(fd);
    }
    /* `options` carries -c settings (escaped spaces included) and --name=value */
    fd = tc_connect();
    tm_i32(&m, 0), tm_i32(&m, 196608), tm_str(&m, "user"), tm_str(&m, "tester");
    tm_str(&m, "options"), tm_str(&m, "-c application_name=my\\ app --DateStyle=German");
    tm_u8(&m, 0);
    m.b[3] = (uint8_t)m.n;
    log = tc_exchange(fd, &m, 'Z');
    assert_non_null(strstr(log.params, "application_name=my app;"));
    assert_non_null(strstr(log.params, "DateStyle=German;"));
    close(fd);
    tc_still_serving();
}

static void test_malformed_messages_are_fatal_and_server_goes_on(void **state) {
    (void)state;
    struct {
        const uint8_t bytes[12];
        size_t n;
        const char *message;
    } cases[] = {
        {{'Q', 0, 0, 0, 3}, 5, "invalid message length"},
        {{'S', 0, 0, 0x4e, 0x24}, 5, "invalid message length"},   /* 20000 bytes of Sync */
        {{'Y', 0, 0, 0, 4}, 5, "invalid frontend message type 89"},
        {{'Q', 0, 0, 0, 7, 'a', 'b', 'c'}, 8, "invalid string in message"},
        {{'S', 0, 0, 0, 5, 0}, 6, "invalid message format"},
        {{'D', 0, 0, 0, 4}, 5, "insufficient data left in message"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tc_log log;
        int fd = tc_open(&log);
        memset(&log, 0, sizeof log);
        tc_send(fd, cases[i].bytes, cases[i].n);
        tc_read_until(fd, &log, 'E');
        assert_string_equal(log.code, "08P01");
        assert_string_equal(log.severity, "FATAL");
        assert_string_equal(log.message, cases[i].message);
        tc_expect_closed(fd);
    }
    /* a startup packet of a bad length */
    int fd = tc_connect();
    uint8_t bad[8] = {0, 0, 0, 5, 0, 3, 0, 0};
    tc_send(fd, bad, sizeof bad);
    tc_log log;
    memset(&log, 0, sizeof log);
    tc_read_until(fd, &log, 'E');
    assert_string_equal(log.message, "invalid length of startup packet");
    tc_expect_closed(fd);
    /* FunctionCall is refused without ending the session */
    fd = tc_open(&log);
    tc_msg m = {.n = 0};
    tm_begin(&m, 'F'), tm_i32(&m, 1234), tm_i16(&m, 0), tm_i16(&m, 0), tm_i16(&m, 0);
    tm_end(&m);
    log = tc_exchange(fd, &m, 'Z');
    assert_string_equal(log.types, "EZ");
    assert_string_equal(log.code, "0A000");
    /* a FATAL from the session closes the connection */
    log = tc_query(fd, "TERMINATE");
    assert_string_equal(log.code, "57P01");
    tc_expect_closed(fd);
    tc_still_serving();
}

/* Random bytes after a good start (seeded): whatever they decode to, the server answers or
 * closes that connection and goes on serving. */
static void test_random_bytes_after_startup(void **state) {
    (void)state;
    srandom(4242);
    for (int round = 0; round < 40; round++) {
        tc_log log;
        int fd = tc_open(&log);
        uint8_t junk[300];
        size_t n = 1 + (size_t)random() % sizeof junk;
        for (size_t i = 0; i < n; i++) junk[i] = (uint8_t)random();
        if (round % 2 == 0) junk[0] = (uint8_t)"QPBDECSHFXdcf"[random() % 13];
        tc_send(fd, junk, n);
        shutdown(fd, SHUT_WR);
        uint8_t sink[4096];
        while (recv(fd, sink, sizeof sink, 0) > 0) {
        }
        close(fd);
    }
    tc_still_serving();
}

static void test_large_messages_both_ways(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    /* a 3 MB query (spaces, then the statement): the input buffer grows and shrinks back */
    size_t n = 3u << 20;
    uint8_t *q = malloc(n + 16);
    memset(q, ' ', n + 16);
    q[0] = 'Q';
    uint32_t len = (uint32_t)(n + 4 + 9);
    for (int i = 0; i < 4; i++) q[1 + i] = (uint8_t)(len >> (24 - 8 * i));
    memcpy(q + 5 + n, "SELECT 1", 9);
    tc_send(fd, q, n + 5 + 9);
    free(q);
    memset(&log, 0, sizeof log);
    tc_read_until(fd, &log, 'Z');
    assert_string_equal(log.types, "TDCZ");
    /* a 2 MB value in a DataRow, and many small rows */
    log = tc_query(fd, "SELECT big(2000000)");
    assert_string_equal(log.types, "TDCZ");
    assert_int_equal(log.first_len, 2000000);
    log = tc_query(fd, "SELECT * FROM series(100000)");
    assert_int_equal(log.rows, 100000);
    close(fd);
    /* a client that leaves in the middle of a large result */
    fd = tc_open(&log);
    tc_msg m = {.n = 0};
    tm_begin(&m, 'Q'), tm_str(&m, "SELECT * FROM series(2000000)"), tm_end(&m);
    tm_send(fd, &m);
    uint8_t some[4096];
    assert_true(tc_read_full(fd, some, sizeof some));
    close(fd);
    tc_still_serving();
}

static void test_max_connections(void **state) {
    (void)state;
    int fds[TEST_MAX_CONNECTIONS];
    tc_log log;
    for (int tries = 0; tries < 200 && net_pg_connection_count() > 0; tries++) usleep(10000);
    for (int i = 0; i < TEST_MAX_CONNECTIONS; i++) fds[i] = tc_open(&log);
    int fd = tc_connect();
    tc_msg m = {.n = 0};
    tc_startup_msg(&m, 196608, "tester", NULL);
    log = tc_exchange(fd, &m, 'E');
    assert_string_equal(log.code, "53300");
    assert_string_equal(log.message, "sorry, too many clients already");
    tc_expect_closed(fd);
    for (int i = 0; i < TEST_MAX_CONNECTIONS; i++) close(fds[i]);
    for (int tries = 0; tries < 200 && net_pg_connection_count() > 0; tries++) usleep(10000);
    tc_still_serving();
}

static void test_cancel_request(void **state) {
    (void)state;
    tc_log key;
    int fd = tc_open(&key);
    tc_msg m = {.n = 0};
    tm_begin(&m, 'Q'), tm_str(&m, "SELECT pg_sleep(20000)"), tm_end(&m);
    tm_send(fd, &m);
    usleep(100000);
    /* a wrong secret cancels nothing; the right one does */
    for (int right = 0; right < 2; right++) {
        int cfd = tc_connect();
        tm_i32(&m, 16), tm_i32(&m, 80877102), tm_i32(&m, (int32_t)key.pid);
        tm_i32(&m, (int32_t)(key.secret + (right ? 0 : 1)));
        tm_send(cfd, &m);
        tc_expect_closed(cfd);
        usleep(100000);
    }
    tc_log log;
    memset(&log, 0, sizeof log);
    tc_read_until(fd, &log, 'Z');
    assert_string_equal(log.code, "57014");
    assert_string_equal(log.message, "canceling statement due to user request");
    close(fd);
}

static void test_idle_session_timeout(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    log = tc_query(fd, "SET idle_session_timeout = '200'");
    memset(&log, 0, sizeof log);
    tc_read_until(fd, &log, 'E');
    assert_string_equal(log.code, "57P05");
    assert_string_equal(log.message, "terminating connection due to idle-session timeout");
    tc_expect_closed(fd);
    fd = tc_open(&log);
    log = tc_query(fd, "SET idle_in_transaction_session_timeout = '200'; BEGIN");
    assert_int_equal(log.ready, 'T');
    memset(&log, 0, sizeof log);
    tc_read_until(fd, &log, 'E');
    assert_string_equal(log.code, "25P03");
    tc_expect_closed(fd);
}

/* ---- pg_terminate_backend and pg_stat_activity ---- */

/* The activity of backend `pid` (its slot is pid - NET_PG_PID_BASE). */
static bool tc_activity(uint32_t pid, net_pg_activity *a) {
    return net_pg_activity_get(pid - NET_PG_PID_BASE, a) && a->pid == pid;
}

/* Waits (bounded generously: the session only has to reach its next read) for a state. */
static bool tc_wait_state(uint32_t pid, net_pg_state state) {
    net_pg_activity a;
    for (int tries = 0; tries < 3000; tries++) {
        if (tc_activity(pid, &a) && a.state == state) return true;
        usleep(10000);
    }
    return false;
}

/* The backend sends FATAL 57P01 and closes; its slot is free afterwards. */
static void tc_expect_terminated(int fd, uint32_t pid, uint64_t generation) {
    tc_log log;
    memset(&log, 0, sizeof log);
    tc_read_until(fd, &log, 'E');
    assert_string_equal(log.severity, "FATAL");
    assert_string_equal(log.code, "57P01");
    assert_string_equal(log.message, "terminating connection due to administrator command");
    tc_expect_closed(fd);
    for (int tries = 0; tries < 3000 && net_pg_backend_running(pid, generation); tries++) {
        usleep(10000);
    }
    assert_false(net_pg_backend_running(pid, generation));
    net_pg_activity a;
    assert_false(tc_activity(pid, &a));
}

static void test_terminate_idle_and_idle_in_transaction(void **state) {
    (void)state;
    tc_log key;
    int fd = tc_open(&key);
    assert_true(tc_wait_state(key.pid, NET_PG_STATE_IDLE));
    uint64_t generation = 0;
    assert_true(net_pg_terminate_backend(key.pid, &generation));
    tc_expect_terminated(fd, key.pid, generation);
    /* in a transaction block: the same, the block is rolled back with the session */
    fd = tc_open(&key);
    tc_log log = tc_query(fd, "BEGIN");
    assert_int_equal(log.ready, 'T');
    assert_true(tc_wait_state(key.pid, NET_PG_STATE_IDLE_IN_TXN));
    assert_true(net_pg_terminate_backend(key.pid, &generation));
    tc_expect_terminated(fd, key.pid, generation);
    /* a pid that is no backend (any more) */
    assert_false(net_pg_terminate_backend(key.pid, NULL));
    assert_false(net_pg_terminate_backend(0, NULL));
    assert_false(net_pg_terminate_backend(NET_PG_PID_BASE + TEST_MAX_CONNECTIONS, NULL));
    tc_still_serving();
}

static void test_terminate_running_statement(void **state) {
    (void)state;
    tc_log key;
    int fd = tc_open(&key);
    tc_msg m = {.n = 0};
    tm_begin(&m, 'Q'), tm_str(&m, "SELECT pg_sleep(20000)"), tm_end(&m);
    tm_send(fd, &m);
    assert_true(tc_wait_state(key.pid, NET_PG_STATE_ACTIVE));
    uint64_t generation = 0;
    assert_true(net_pg_terminate_backend(key.pid, &generation));
    tc_expect_terminated(fd, key.pid, generation);
    /* in the middle of COPY FROM STDIN, waiting for the client's data */
    fd = tc_open(&key);
    tm_begin(&m, 'Q'), tm_str(&m, "COPY t FROM STDIN"), tm_end(&m);
    tc_log log = tc_exchange(fd, &m, 'G');
    assert_string_equal(log.types, "G");
    assert_true(net_pg_terminate_backend(key.pid, &generation));
    tc_expect_terminated(fd, key.pid, generation);
    tc_still_serving();
}

static void test_activity_of_every_backend(void **state) {
    (void)state;
    tc_log a_key, b_key;
    int a = tc_open(&a_key);
    int b = tc_connect();
    tc_msg m = {.n = 0};
    tc_startup_msg(&m, 196608, "tester", "application_name");
    b_key = tc_exchange(b, &m, 'Z');
    tc_log log = tc_query(a, "SELECT 1");
    assert_string_equal(log.types, "TDCZ");
    log = tc_query(b, "BEGIN");
    net_pg_activity act;
    assert_true(tc_wait_state(a_key.pid, NET_PG_STATE_IDLE));
    assert_true(tc_activity(a_key.pid, &act));
    assert_string_equal(act.query, "SELECT 1");
    assert_string_equal(act.usename, "tester");
    assert_string_equal(act.datname, "db");
    assert_string_equal(act.client_addr, "127.0.0.1");
    assert_true(act.client_port > 0);
    assert_int_equal(act.xact_start_us, 0);
    assert_true(act.backend_start_us > 0 && act.backend_start_us <= act.query_start_us);
    assert_true(act.query_start_us <= act.state_change_us);
    assert_true(tc_wait_state(b_key.pid, NET_PG_STATE_IDLE_IN_TXN));
    assert_true(tc_activity(b_key.pid, &act));
    assert_string_equal(act.query, "BEGIN");
    assert_string_equal(act.application_name, "x");
    assert_true(act.xact_start_us > 0);
    /* a failed statement in the block: idle in transaction (aborted) */
    log = tc_query(b, "SELECT 1/0");
    assert_int_equal(log.ready, 'E');
    assert_true(tc_wait_state(b_key.pid, NET_PG_STATE_IDLE_IN_TXN_ABORTED));
    /* the extended protocol shows the prepared statement's text from Bind on */
    tm_begin(&m, 'P'), tm_str(&m, "s1"), tm_str(&m, "SELECT $1"), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(a, &m, 'Z');
    tc_query(a, "SELECT 1");
    tm_begin(&m, 'B'), tm_str(&m, ""), tm_str(&m, "s1"), tm_i16(&m, 0), tm_i16(&m, 1);
    tm_i32(&m, 1), tm_u8(&m, '7'), tm_i16(&m, 0), tm_end(&m);
    tm_begin(&m, 'E'), tm_str(&m, ""), tm_i32(&m, 0), tm_end(&m);
    tm_begin(&m, 'S'), tm_end(&m);
    log = tc_exchange(a, &m, 'Z');
    assert_string_equal(log.types, "2DCZ");
    assert_true(tc_activity(a_key.pid, &act));
    assert_string_equal(act.query, "SELECT $1");
    close(a);
    close(b);
}

/* A query text longer than track_activity_query_size is cut at a character boundary. */
static void test_activity_query_text_is_bounded(void **state) {
    (void)state;
    tc_log key;
    int fd = tc_open(&key);
    char sql[3000] = "X";
    for (size_t i = 1; i + 2 < sizeof sql; i += 2) memcpy(sql + i, "\xc3\xa9", 2); /* é */
    sql[sizeof sql - 1] = '\0';
    tc_log log = tc_query(fd, sql);
    assert_string_equal(log.code, "42601");
    net_pg_activity act;
    assert_true(tc_wait_state(key.pid, NET_PG_STATE_IDLE));
    assert_true(tc_activity(key.pid, &act));
    size_t n = strlen(act.query);
    assert_true(n < NET_PG_ACTIVITY_QUERY_BYTES);
    assert_true(n >= NET_PG_ACTIVITY_QUERY_BYTES - 2);
    assert_int_equal(n % 2, 1); /* "X" and whole two-byte characters */
    assert_memory_equal(act.query, sql, n);
    close(fd);
}

/* ---- libpq ---- */

static PGconn *lp_connect(const char *host, const char *user, const char *password,
                          const char *sslmode, const char *cbind) {
    char port[16];
    snprintf(port, sizeof port, "%d", srv.port);
    const char *keys[] = {"host", "port", "dbname", "user", "password", "sslmode",
                          "channel_binding", NULL};
    const char *values[] = {host, port, "db", user, password, sslmode, cbind, NULL};
    return PQconnectdbParams(keys, values, 0);
}

static void test_libpq_queries(void **state) {
    (void)state;
    PGconn *c = lp_connect("127.0.0.1", "tester", NULL, "disable", "disable");
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    assert_string_equal(PQparameterStatus(c, "server_version"), "15.0 (Dreambase 0.1.0)");
    assert_true(PQbackendPID(c) >= (int)NET_PG_PID_BASE);
    PGresult *r = PQexec(c, "SELECT * FROM series(25)");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 25);
    assert_string_equal(PQgetvalue(r, 2, 1), "row 3");
    assert_true(PQgetisnull(r, 9, 1));
    PQclear(r);
    r = PQexec(c, "SELECT 1/0");
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22012");
    PQclear(r);
    /* binary parameters and results through the extended protocol */
    const Oid types[1] = {23};
    uint32_t v = htonl(77);
    const char *values[1] = {(const char *)&v};
    const int lengths[1] = {4}, formats[1] = {1};
    r = PQexecParams(c, "SELECT $1", 1, types, values, lengths, formats, 1);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQfformat(r, 0), 1);
    assert_int_equal(ntohl(*(const uint32_t *)PQgetvalue(r, 0, 0)), 77);
    PQclear(r);
    r = PQprepare(c, "p1", "SELECT $1", 1, NULL);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    const char *text[1] = {"hello"};
    r = PQexecPrepared(c, "p1", 1, text, NULL, NULL, 0);
    assert_string_equal(PQgetvalue(r, 0, 0), "hello");
    PQclear(r);
    /* COPY in and out */
    r = PQexec(c, "COPY t FROM STDIN");
    assert_int_equal(PQresultStatus(r), PGRES_COPY_IN);
    PQclear(r);
    assert_int_equal(PQputCopyData(c, "1\tx\n2\ty\n", 8), 1);
    assert_int_equal(PQputCopyEnd(c, NULL), 1);
    r = PQgetResult(c);
    assert_string_equal(PQcmdStatus(r), "COPY 2");
    PQclear(r);
    while ((r = PQgetResult(c)) != NULL) PQclear(r);
    /* pipeline mode: three extended queries (one failing) and one Sync */
    assert_int_equal(PQenterPipelineMode(c), 1);
    const char *one[1] = {"1"}, *bad[1] = {"x"};
    const Oid int4[1] = {23};
    assert_int_equal(PQsendQueryParams(c, "SELECT $1", 1, int4, one, NULL, NULL, 0), 1);
    assert_int_equal(PQsendQueryParams(c, "SELECT $1", 1, int4, bad, NULL, NULL, 0), 1);
    assert_int_equal(PQsendQueryParams(c, "SELECT $1", 1, int4, one, NULL, NULL, 0), 1);
    assert_int_equal(PQpipelineSync(c), 1);
    ExecStatusType expected[] = {PGRES_TUPLES_OK, PGRES_FATAL_ERROR, PGRES_PIPELINE_ABORTED};
    for (int i = 0; i < 3; i++) {
        r = PQgetResult(c);
        assert_int_equal(PQresultStatus(r), expected[i]);
        PQclear(r);
        assert_null(PQgetResult(c));
    }
    r = PQgetResult(c);
    assert_int_equal(PQresultStatus(r), PGRES_PIPELINE_SYNC);
    PQclear(r);
    assert_int_equal(PQexitPipelineMode(c), 1);
    /* cancel */
    assert_int_equal(PQsendQuery(c, "SELECT pg_sleep(20000)"), 1);
    usleep(100000);
    PGcancel *cancel = PQgetCancel(c);
    char errbuf[256];
    assert_int_equal(PQcancel(cancel, errbuf, sizeof errbuf), 1);
    PQfreeCancel(cancel);
    r = PQgetResult(c);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57014");
    PQclear(r);
    while ((r = PQgetResult(c)) != NULL) PQclear(r);
    PQfinish(c);
}

static void test_libpq_unix_socket_tls_and_scram(void **state) {
    (void)state;
    PGconn *c = lp_connect(srv.dir, "tester", NULL, "disable", "disable");
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQfinish(c);
    c = lp_connect("127.0.0.1", "tester", NULL, "require", "disable");
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    assert_true(PQsslInUse(c));
    PGresult *r = PQexec(c, "SELECT big(100000)");
    assert_int_equal(PQgetlength(r, 0, 0), 100000);
    PQclear(r);
    PQfinish(c);
    c = lp_connect("127.0.0.1", "alice", TEST_PASSWORD, "require", "require");
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQfinish(c);
    c = lp_connect("127.0.0.1", "alice", TEST_PASSWORD, "disable", "disable");
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQfinish(c);
    c = lp_connect("127.0.0.1", "alice", "wrong", "prefer", "prefer");
    assert_int_equal(PQstatus(c), CONNECTION_BAD);
    assert_non_null(strstr(PQerrorMessage(c), "password authentication failed for user "
                                              "\"alice\""));
    PQfinish(c);
}

/* libpq over TLS and over the Unix socket: a terminated session (idle, then one in a
 * pg_sleep) reports the FATAL, and the connection is gone. */
static void test_libpq_terminated_over_tls_and_unix_socket(void **state) {
    (void)state;
    const char *hosts[2] = {"127.0.0.1", srv.dir};
    for (int i = 0; i < 2; i++) {
        PGconn *c = lp_connect(hosts[i], "tester", NULL, i == 0 ? "require" : "disable",
                               "disable");
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        assert_int_equal(PQsslInUse(c), i == 0);
        uint32_t pid = (uint32_t)PQbackendPID(c);
        assert_true(tc_wait_state(pid, NET_PG_STATE_IDLE));
        net_pg_activity act;
        assert_true(tc_activity(pid, &act));
        assert_true(i == 0 ? act.client_port > 0 : act.client_port == -1);
        assert_string_equal(act.client_addr, i == 0 ? "127.0.0.1" : "");
        /* pg_stat_ssl's columns: the protocol, cipher and bits libpq negotiated */
        assert_int_equal(act.ssl, i == 0);
        if (i == 0) {
            assert_string_equal(act.ssl_version, PQsslAttribute(c, "protocol"));
            assert_string_equal(act.ssl_cipher, PQsslAttribute(c, "cipher"));
            assert_int_equal(act.ssl_bits, atoi(PQsslAttribute(c, "key_bits")));
        }
        uint64_t generation = 0;
        assert_true(net_pg_terminate_backend(pid, &generation));
        for (int tries = 0; tries < 3000 && net_pg_backend_running(pid, generation); tries++) {
            usleep(10000);
        }
        PGresult *r = PQexec(c, "SELECT 1");
        assert_int_not_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        PQclear(r);
        assert_int_equal(PQstatus(c), CONNECTION_BAD);
        PQfinish(c);
        c = lp_connect(hosts[i], "tester", NULL, i == 0 ? "require" : "disable", "disable");
        pid = (uint32_t)PQbackendPID(c);
        assert_int_equal(PQsendQuery(c, "SELECT pg_sleep(20000)"), 1);
        assert_true(tc_wait_state(pid, NET_PG_STATE_ACTIVE));
        assert_true(net_pg_terminate_backend(pid, NULL));
        r = PQgetResult(c);
        assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
        assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57P01");
        assert_string_equal(PQresultErrorField(r, PG_DIAG_SEVERITY), "FATAL");
        PQclear(r);
        while ((r = PQgetResult(c)) != NULL) PQclear(r);
        assert_int_equal(PQstatus(c), CONNECTION_BAD);
        PQfinish(c);
    }
    tc_still_serving();
}

/* ---- set-up ---- */

static bool srv_start(int port) {
    sql_types_init();
    if (!test_tmpdir_make(srv.dir, sizeof srv.dir, "netpg")) return false;
    if (!test_cert_files_make(srv.dir, "server", TEST_KEY_EC, EVP_sha256())) return false;
    rt_err err;
    rt_err_clear(&err);
    char cert[128], key[128];
    snprintf(cert, sizeof cert, "%s/server.crt", srv.dir);
    snprintf(key, sizeof key, "%s/server.key", srv.dir);
    net_tls_config tc = {.cert_file = cert, .key_file = key};
    srv.tls = net_tls_ctx_create(&tc, &err);
    if (srv.tls == NULL ||
        !net_scram_secret_create(TEST_PASSWORD, srv.alice_secret, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return false;
    }
    srv.port = port;
    net_pg_config cfg = {.host = "127.0.0.1", .port = (uint16_t)port, .unix_dir = srv.dir,
                         .max_connections = TEST_MAX_CONNECTIONS, .tls = srv.tls,
                         .role_secret = test_role_secret};
    if (!net_pg_start(&cfg, &err)) {
        fprintf(stderr, "net_pg_start: %s\n", err.message);
        return false;
    }
    pthread_create(&srv.thread, NULL, srv_main, NULL);
    for (int i = 0; i < 500; i++) {
        int fd = tc_connect();
        if (fd >= 0) {
            close(fd);
            return true;
        }
        usleep(10000);
    }
    return false;
}

static int srv_setup(void **state) {
    (void)state;
    return srv_start(test_port_free()) ? 0 : -1;
}

/* Stops the server; an idle session is told why (FATAL 57P01) before its socket closes. */
static int srv_teardown(void **state) {
    (void)state;
    tc_log log;
    int fd = tc_open(&log);
    memset(&log, 0, sizeof log);
    rt_runtime_stop();
    tc_read_until(fd, &log, 'E');
    close(fd);
    pthread_join(srv.thread, NULL);
    net_pg_stop();
    net_tls_ctx_destroy(srv.tls);
    test_tmpdir_remove(srv.dir);
    if (strcmp(log.code, "57P01") != 0) {
        fprintf(stderr, "shutdown: expected FATAL 57P01, got \"%s\"\n", log.code);
        return -1;
    }
    return 0;
}

int main(void) {
    const char *serve = getenv("NET_PG_FAKE_SERVE_PORT");
    if (serve != NULL) {
        if (!srv_start(atoi(serve))) return 1;
        fprintf(stderr, "serving the fake session on port %s and in %s\n", serve, srv.dir);
        pthread_join(srv.thread, NULL);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup_reports_params_key_and_ready),
        cmocka_unit_test(test_simple_query_errors_and_multi_statements),
        cmocka_unit_test(test_extended_query_binary_params_and_results),
        cmocka_unit_test(test_extended_error_skips_to_sync),
        cmocka_unit_test(test_flush_without_sync_and_portal_suspended),
        cmocka_unit_test(test_copy_in_out_and_fail),
        cmocka_unit_test(test_ssl_and_gssenc_requests),
        cmocka_unit_test(test_startup_variants),
        cmocka_unit_test(test_malformed_messages_are_fatal_and_server_goes_on),
        cmocka_unit_test(test_random_bytes_after_startup),
        cmocka_unit_test(test_large_messages_both_ways),
        cmocka_unit_test(test_max_connections),
        cmocka_unit_test(test_cancel_request),
        cmocka_unit_test(test_idle_session_timeout),
        cmocka_unit_test(test_terminate_idle_and_idle_in_transaction),
        cmocka_unit_test(test_terminate_running_statement),
        cmocka_unit_test(test_activity_of_every_backend),
        cmocka_unit_test(test_activity_query_text_is_bounded),
        cmocka_unit_test(test_libpq_queries),
        cmocka_unit_test(test_libpq_unix_socket_tls_and_scram),
        cmocka_unit_test(test_libpq_terminated_over_tls_and_unix_socket),
    };
    return cmocka_run_group_tests(tests, srv_setup, srv_teardown);
}
