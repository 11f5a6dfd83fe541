/* test_net_auth_libpq.c: net_scram and net_tls against the real libpq client.
 * How: a small PostgreSQL-protocol server in a test thread (blocking sockets on 127.0.0.1,
 * an ephemeral port) does just the connection start: SSLRequest through net_tls, the startup
 * message, SASL authentication through net_scram, then AuthenticationOk and ReadyForQuery, or
 * an ErrorResponse built from the rt_err. libpq connects with various sslmode/channel_binding
 * settings; the test checks what the user sees (connected, or PostgreSQL's error text) and
 * which mechanism was used: SCRAM-SHA-256-PLUS with tls-server-end-point over TLS when the
 * certificate allows it, plain SCRAM-SHA-256 otherwise, mock exchanges for unknown roles. */
// ctest: TIMEOUT 300 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include <libpq-fe.h>

#include "net/net_scram.h"
#include "net/net_tls.h"
#include "test_net_cert.h"

#define TEST_SSL_REQUEST 80877103
#define TEST_GSSENC_REQUEST 80877104
#define TEST_PROTOCOL_3 196608

static const uint8_t MOCK_KEY[NET_SCRAM_MOCK_KEY_BYTES] = "mock-key-for-the-libpq-test-0001";

/* ---- what the server knows and what it saw ---- */

typedef struct test_role {
    const char *name;
    const char *password;
    char secret[NET_SCRAM_SECRET_BYTES_MAX];
} test_role;

static test_role test_roles[] = {
    {.name = "alice", .password = "correct horse battery staple"},
    {.name = "carol", .password = "p\xc3\xa4ssw\xc3\xb6rd"},
};

typedef struct test_outcome {
    char mechanism[32];
    bool tls;
    bool authenticated;
    rt_err err;
} test_outcome;

static struct {
    int listen_fd;
    int port;
    pthread_t thread;
    atomic_bool stop;
    net_tls_ctx *tls_ctx[2]; /* [0] ECDSA/SHA-256: binding possible; [1] Ed25519: none */
    atomic_int tls_choice;   /* which one new connections get */
    pthread_mutex_t lock;
    test_outcome last;       /* of the most recent connection */
    int connections;
} test_server;

/* ---- one connection: plain or TLS transport ---- */

typedef struct test_conn {
    int fd;
    net_tls *tls;
    uint8_t plain[1 << 16];
    size_t plain_off, plain_len;
} test_conn;

static bool test_send_all(int fd, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool test_conn_flush(test_conn *c) {
    uint8_t buf[16384];
    size_t n;
    while ((n = net_tls_output_take(c->tls, buf, sizeof buf)) > 0) {
        if (!test_send_all(c->fd, buf, n)) return false;
    }
    return true;
}

/* Receives ciphertext and hands it to the session (keeping what does not fit for later). */
static bool test_conn_feed(test_conn *c) {
    uint8_t buf[16384];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    size_t off = 0;
    while (off < (size_t)n) {
        size_t taken = net_tls_feed(c->tls, buf + off, (size_t)n - off);
        off += taken;
        if (taken == 0) return false; /* never happens with these small messages */
    }
    return true;
}

static bool test_conn_send(test_conn *c, const void *data, size_t len) {
    if (c->tls == NULL) return test_send_all(c->fd, data, len);
    size_t off = 0;
    while (off < len) {
        size_t taken = 0;
        rt_err err;
        rt_err_clear(&err);
        if (!net_tls_write(c->tls, (const uint8_t *)data + off, len - off, &taken, &err)) {
            return false;
        }
        off += taken;
        if (!test_conn_flush(c)) return false;
    }
    return true;
}

static bool test_conn_read(test_conn *c, void *out, size_t len) {
    uint8_t *dst = out;
    while (len > 0) {
        if (c->tls == NULL) {
            ssize_t n = recv(c->fd, dst, len, 0);
            if (n <= 0) return false;
            dst += n;
            len -= (size_t)n;
            continue;
        }
        if (c->plain_off == c->plain_len) {
            rt_err err;
            rt_err_clear(&err);
            size_t n = 0;
            if (!net_tls_read(c->tls, c->plain, sizeof c->plain, &n, &err)) return false;
            if (!test_conn_flush(c)) return false;
            c->plain_off = 0;
            c->plain_len = n;
            if (n == 0 && (net_tls_eof(c->tls) || !test_conn_feed(c))) return false;
            continue;
        }
        size_t n = c->plain_len - c->plain_off < len ? c->plain_len - c->plain_off : len;
        memcpy(dst, c->plain + c->plain_off, n);
        c->plain_off += n;
        dst += n;
        len -= n;
    }
    return true;
}

static bool test_conn_tls_start(test_conn *c, net_tls_ctx *ctx) {
    rt_err err;
    rt_err_clear(&err);
    c->tls = net_tls_create(ctx, &err);
    if (c->tls == NULL) return false;
    for (;;) {
        bool done = false;
        bool ok = net_tls_handshake(c->tls, &done, &err);
        if (!test_conn_flush(c) || !ok) return false;
        if (done) return true;
        if (!test_conn_feed(c)) return false;
    }
}

/* ---- protocol messages ---- */

static uint32_t test_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool test_msg_send(test_conn *c, char type, const void *body, size_t len) {
    uint8_t buf[2048];
    if (len + 5 > sizeof buf) return false;
    buf[0] = (uint8_t)type;
    test_put32(buf + 1, (uint32_t)(len + 4));
    if (len > 0) memcpy(buf + 5, body, len);
    return test_conn_send(c, buf, len + 5);
}

/* AuthenticationXXX: code, then data. */
static bool test_auth_send(test_conn *c, uint32_t code, const void *data, size_t len) {
    uint8_t body[1024];
    test_put32(body, code);
    if (len > 0) memcpy(body + 4, data, len);
    return test_msg_send(c, 'R', body, len + 4);
}

/* Reads one typed message into body (NUL-terminated for convenience). */
static bool test_msg_read(test_conn *c, char *type, uint8_t *body, size_t cap, size_t *len) {
    uint8_t head[5];
    if (!test_conn_read(c, head, 5)) return false;
    uint32_t n = test_be32(head + 1);
    if (n < 4 || n - 4 >= cap) return false;
    *type = (char)head[0];
    *len = n - 4;
    body[*len] = '\0';
    return test_conn_read(c, body, *len);
}

/* ErrorResponse from an rt_err, as net_pg will send it. */
static void test_error_send(test_conn *c, const rt_err *err) {
    char body[1500];
    size_t n = 0;
    const char *sev = err->severity == RT_SEV_FATAL ? "FATAL" : "ERROR";
    n += (size_t)snprintf(body + n, sizeof body - n, "S%s%cV%s%cC%s%cM%s%c", sev, 0, sev, 0,
                          err->sqlstate, 0, err->message, 0);
    if (err->detail[0] != '\0') {
        n += (size_t)snprintf(body + n, sizeof body - n, "D%s%c", err->detail, 0);
    }
    body[n++] = '\0';
    test_msg_send(c, 'E', body, n);
}

/* ---- the server's side of connection start ---- */

/* Startup packets until the real one; returns the user name. */
static bool test_startup_read(test_conn *c, char *user, size_t cap, test_outcome *out) {
    for (;;) {
        uint8_t head[8];
        if (!test_conn_read(c, head, 8)) return false;
        uint32_t len = test_be32(head), code = test_be32(head + 4);
        if (len < 8 || len > 10000) return false;
        if (code == TEST_SSL_REQUEST || code == TEST_GSSENC_REQUEST) {
            net_tls_ctx *ctx = test_server.tls_ctx[atomic_load(&test_server.tls_choice)];
            bool tls = code == TEST_SSL_REQUEST && c->tls == NULL;
            if (!test_send_all(c->fd, tls ? "S" : "N", 1)) return false;
            if (tls && !test_conn_tls_start(c, ctx)) return false;
            out->tls = c->tls != NULL;
            continue;
        }
        if (code != TEST_PROTOCOL_3) return false;
        uint8_t params[10000];
        if (!test_conn_read(c, params, len - 8)) return false;
        for (size_t i = 0; i + 1 < len - 8;) { /* name\0value\0 ... \0 */
            const char *name = (const char *)params + i;
            const char *value = name + strlen(name) + 1;
            if (strcmp(name, "user") == 0) snprintf(user, cap, "%s", value);
            i += strlen(name) + strlen(value) + 2;
        }
        return true;
    }
}

/* SASL: advertise, run net_scram over SASLInitialResponse/SASLResponse. */
static bool test_sasl_run(test_conn *c, net_scram *scram, test_outcome *out) {
    const uint8_t *hash = NULL;
    uint32_t hash_len = 0;
    bool binding = c->tls != NULL && net_tls_cert_hash(c->tls, &hash, &hash_len);
    uint8_t mechs[NET_SCRAM_MECHANISMS_BYTES_MAX];
    uint32_t mechs_len = net_scram_mechanisms(binding, mechs);
    if (!test_auth_send(c, 10, mechs, mechs_len)) return false;
    char type;
    uint8_t body[2048];
    size_t len;
    if (!test_msg_read(c, &type, body, sizeof body, &len) || type != 'p') return false;
    const char *mech = (const char *)body;
    size_t mech_len = strlen(mech);
    snprintf(out->mechanism, sizeof out->mechanism, "%.31s", mech);
    int32_t data_len = (int32_t)test_be32(body + mech_len + 1);
    net_scram_output reply;
    if (!net_scram_begin(scram, mech, body + mech_len + 5, data_len, &reply, &out->err)) {
        return false;
    }
    while (reply.status == NET_SCRAM_CONTINUE) {
        if (!test_auth_send(c, 11, reply.data, reply.len)) return false;
        if (!test_msg_read(c, &type, body, sizeof body, &len) || type != 'p') return false;
        if (!net_scram_continue(scram, body, (uint32_t)len, &reply, &out->err)) return false;
    }
    return test_auth_send(c, 12, reply.data, reply.len);
}

static const char *test_secret_of(const char *user) {
    for (size_t i = 0; i < sizeof test_roles / sizeof test_roles[0]; i++) {
        if (strcmp(test_roles[i].name, user) == 0) return test_roles[i].secret;
    }
    return NULL;
}

static void test_serve(int fd, test_outcome *out) {
    test_conn *c = calloc(1, sizeof *c);
    c->fd = fd;
    char user[64] = "";
    if (test_startup_read(c, user, sizeof user, out)) {
        const uint8_t *hash = NULL;
        uint32_t hash_len = 0;
        if (c->tls == NULL || !net_tls_cert_hash(c->tls, &hash, &hash_len)) hash = NULL;
        net_scram_config config = {.user_name = user, .secret = test_secret_of(user),
                                   .mock_key = MOCK_KEY, .cbind_hash = hash,
                                   .cbind_hash_len = hash != NULL ? hash_len : 0};
        net_scram scram;
        bool ok = net_scram_init(&scram, &config, &out->err) && test_sasl_run(c, &scram, out);
        net_scram_finish(&scram);
        if (ok) {
            out->authenticated = true;
            uint8_t ready = 'I';
            uint8_t key[8] = {0, 0, 0, 42, 1, 2, 3, 4};
            test_auth_send(c, 0, NULL, 0);
            test_msg_send(c, 'S', "server_version\00015.0\0", 20);
            test_msg_send(c, 'S', "client_encoding\0UTF8\0", 21);
            test_msg_send(c, 'K', key, sizeof key);
            test_msg_send(c, 'Z', &ready, 1);
            char type;
            uint8_t body[64];
            size_t len;
            test_msg_read(c, &type, body, sizeof body, &len); /* 'X' Terminate */
        } else if (rt_err_is_set(&out->err)) {
            test_error_send(c, &out->err);
        }
    }
    if (c->tls != NULL) {
        rt_err err;
        rt_err_clear(&err);
        net_tls_close(c->tls, &err);
        test_conn_flush(c);
        net_tls_destroy(c->tls);
    }
    close(fd);
    free(c);
}

static void *test_server_main(void *arg) {
    (void)arg;
    while (!atomic_load(&test_server.stop)) {
        struct pollfd p = {.fd = test_server.listen_fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) continue;
        int fd = accept(test_server.listen_fd, NULL, NULL);
        if (fd < 0) continue;
        test_outcome out;
        memset(&out, 0, sizeof out);
        rt_err_clear(&out.err);
        test_serve(fd, &out);
        pthread_mutex_lock(&test_server.lock);
        test_server.last = out;
        test_server.connections++;
        pthread_mutex_unlock(&test_server.lock);
    }
    return NULL;
}

/* ---- setup ---- */

static char test_dir[64];

static net_tls_ctx *test_ctx_load(const char *stem) {
    char crt[128], key[128];
    snprintf(crt, sizeof crt, "%s/%s.crt", test_dir, stem);
    snprintf(key, sizeof key, "%s/%s.key", test_dir, stem);
    net_tls_config config = {.cert_file = crt, .key_file = key};
    rt_err err;
    rt_err_clear(&err);
    return net_tls_ctx_create(&config, &err);
}

static int test_setup(void **state) {
    rt_err err;
    rt_err_clear(&err);
    for (size_t i = 0; i < sizeof test_roles / sizeof test_roles[0]; i++) {
        if (!net_scram_secret_create(test_roles[i].password, test_roles[i].secret, &err)) {
            return -1;
        }
    }
    if (!test_tmpdir_make(test_dir, sizeof test_dir, "authpq") ||
        !test_cert_files_make(test_dir, "ec", TEST_KEY_EC, EVP_sha256()) ||
        !test_cert_files_make(test_dir, "ed", TEST_KEY_ED25519, NULL)) {
        return -1;
    }
    test_server.tls_ctx[0] = test_ctx_load("ec");
    test_server.tls_ctx[1] = test_ctx_load("ed");
    if (test_server.tls_ctx[0] == NULL || test_server.tls_ctx[1] == NULL) return -1;
    test_server.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(test_server.listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(test_server.listen_fd, 8) != 0 ||
        getsockname(test_server.listen_fd, (struct sockaddr *)&addr, &len) != 0) {
        return -1;
    }
    test_server.port = ntohs(addr.sin_port);
    pthread_mutex_init(&test_server.lock, NULL);
    atomic_store(&test_server.stop, false);
    return pthread_create(&test_server.thread, NULL, test_server_main, NULL) == 0 ? 0 : -1;
}

static int test_teardown(void **state) {
    atomic_store(&test_server.stop, true);
    pthread_join(test_server.thread, NULL);
    close(test_server.listen_fd);
    net_tls_ctx_destroy(test_server.tls_ctx[0]);
    net_tls_ctx_destroy(test_server.tls_ctx[1]);
    test_tmpdir_remove(test_dir);
    return 0;
}

/* ---- the client side ---- */

/* Connects with libpq and waits for the server thread to record the connection. */
static bool test_connect(const char *user, const char *password, const char *sslmode,
                         const char *channel_binding, char *error, size_t cap,
                         test_outcome *out) {
    pthread_mutex_lock(&test_server.lock);
    int before = test_server.connections;
    pthread_mutex_unlock(&test_server.lock);
    char port[16];
    snprintf(port, sizeof port, "%d", test_server.port);
    const char *keys[] = {"host", "port", "dbname", "user", "password", "sslmode",
                          "channel_binding", "gssencmode", "connect_timeout", NULL};
    const char *values[] = {"127.0.0.1", port, "db", user, password, sslmode, channel_binding,
                            "disable", "20", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 0);
    bool ok = PQstatus(conn) == CONNECTION_OK;
    snprintf(error, cap, "%s", PQerrorMessage(conn));
    if (ok) assert_int_equal(PQsslInUse(conn), strcmp(sslmode, "disable") != 0);
    PQfinish(conn);
    for (int i = 0; i < 2000; i++) { /* the server records after the client is gone */
        pthread_mutex_lock(&test_server.lock);
        bool seen = test_server.connections > before;
        *out = test_server.last;
        pthread_mutex_unlock(&test_server.lock);
        if (seen) return ok;
        usleep(5000);
    }
    fail_msg("the server never saw the connection");
    return false;
}

/* ---- tests ---- */

static void test_net_auth_libpq_plain_scram(void **state) {
    char error[1024];
    test_outcome out;
    assert_true(test_connect("alice", "correct horse battery staple", "disable", "prefer",
                             error, sizeof error, &out));
    assert_true(out.authenticated);
    assert_false(out.tls);
    assert_string_equal(out.mechanism, "SCRAM-SHA-256");
    /* non-ASCII password (SASLprep leaves it unchanged on both sides) */
    assert_true(test_connect("carol", "p\xc3\xa4ssw\xc3\xb6rd", "disable", "prefer", error,
                             sizeof error, &out));
}

static void test_net_auth_libpq_wrong_password_and_unknown_role(void **state) {
    char error[1024];
    test_outcome out;
    assert_false(test_connect("alice", "Correct horse battery staple", "disable", "prefer",
                              error, sizeof error, &out));
    assert_non_null(strstr(error, "FATAL:  password authentication failed for user \"alice\""));
    assert_string_equal(out.err.sqlstate, "28P01");
    /* a role that does not exist looks the same to the client */
    assert_false(test_connect("mallory", "anything", "disable", "prefer", error, sizeof error,
                              &out));
    assert_non_null(strstr(error, "FATAL:  password authentication failed for user \"mallory\""));
    assert_string_equal(out.mechanism, "SCRAM-SHA-256"); /* the exchange ran to its end */
}

static void test_net_auth_libpq_tls_channel_binding(void **state) {
    char error[1024];
    test_outcome out;
    atomic_store(&test_server.tls_choice, 0);
    const char *modes[] = {"require", "prefer"};
    for (int i = 0; i < 2; i++) {
        if (!test_connect("alice", "correct horse battery staple", "require", modes[i], error,
                          sizeof error, &out)) {
            fail_msg("channel_binding=%s: %s", modes[i], error);
        }
        assert_true(out.tls);
        assert_string_equal(out.mechanism, "SCRAM-SHA-256-PLUS");
    }
    /* the client may still decline binding */
    assert_true(test_connect("alice", "correct horse battery staple", "require", "disable",
                             error, sizeof error, &out));
    assert_true(out.tls);
    assert_string_equal(out.mechanism, "SCRAM-SHA-256");
    /* a wrong password over TLS */
    assert_false(test_connect("alice", "nope", "require", "require", error, sizeof error,
                              &out));
    assert_non_null(strstr(error, "password authentication failed for user \"alice\""));
}

static void test_net_auth_libpq_tls_without_binding_hash(void **state) {
    char error[1024];
    test_outcome out;
    atomic_store(&test_server.tls_choice, 1); /* Ed25519: no tls-server-end-point hash */
    /* libpq sees no -PLUS and says 'y' (it could bind): accepted, since we cannot */
    assert_true(test_connect("alice", "correct horse battery staple", "require", "prefer", error,
                             sizeof error, &out));
    assert_true(out.tls);
    assert_string_equal(out.mechanism, "SCRAM-SHA-256");
    /* a client that insists on binding gives up on its own */
    assert_false(test_connect("alice", "correct horse battery staple", "require", "require",
                              error, sizeof error, &out));
    assert_non_null(strstr(error, "channel binding"));
    atomic_store(&test_server.tls_choice, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_auth_libpq_plain_scram),
        cmocka_unit_test(test_net_auth_libpq_wrong_password_and_unknown_role),
        cmocka_unit_test(test_net_auth_libpq_tls_channel_binding),
        cmocka_unit_test(test_net_auth_libpq_tls_without_binding_hash),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
