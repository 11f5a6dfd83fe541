/* test_net_tls.c: server-side TLS over memory BIOs (net_tls).
 * How: an OpenSSL client SSL object with its own memory BIOs talks to a net_tls session
 * entirely in memory; the test moves the ciphertext between them. Checks the handshake (TLS
 * 1.3 and 1.2, RSA, ECDSA and Ed25519 certificates), data both ways including a stream larger
 * than the output limit, close_notify both ways, the channel-binding hash the client sees,
 * the input and output bounds, refusal of old protocol versions, garbage from the client
 * (before and after the handshake: errors, never crashes), and the context's errors for
 * missing, unreadable, mismatched or badly protected certificate and key files. Certificates
 * are made by the test with OpenSSL's API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/net_tls.h"
#include "test_net_cert.h"
#include "test_net_tls_client.h"

static char test_dir[64];

static int test_dir_setup(void **state) {
    if (!test_tmpdir_make(test_dir, sizeof test_dir, "tls")) return -1;
    bool ok = test_cert_files_make(test_dir, "ec", TEST_KEY_EC, EVP_sha256()) &&
              test_cert_files_make(test_dir, "ec2", TEST_KEY_EC, EVP_sha256()) &&
              test_cert_files_make(test_dir, "rsa", TEST_KEY_RSA, EVP_sha384()) &&
              test_cert_files_make(test_dir, "ed", TEST_KEY_ED25519, NULL);
    return ok ? 0 : -1;
}

static int test_dir_teardown(void **state) {
    test_tmpdir_remove(test_dir);
    return 0;
}

static rt_err test_err(void) {
    rt_err err;
    rt_err_clear(&err);
    return err;
}

static net_tls_ctx *test_ctx_make(const char *stem) {
    char cert[128], key[128];
    snprintf(cert, sizeof cert, "%s/%s.crt", test_dir, stem);
    snprintf(key, sizeof key, "%s/%s.key", test_dir, stem);
    net_tls_config config = {.cert_file = cert, .key_file = key};
    rt_err err = test_err();
    net_tls_ctx *ctx = net_tls_ctx_create(&config, &err);
    if (ctx == NULL) fail_msg("context: %s", err.message);
    return ctx;
}

/* Feeds `wire` to the server as fast as its input bound allows, reading plaintext in pieces
 * of at most `piece` bytes, until `want` bytes came out. */
static void test_server_drain(net_tls *tls, const uint8_t *wire, size_t wire_len,
                              uint8_t *plain, size_t want, size_t piece) {
    size_t off = 0, have = 0;
    while (off < wire_len || have < want) {
        off += net_tls_feed(tls, wire + off, wire_len - off);
        size_t n = 0;
        rt_err err = test_err();
        size_t cap = want - have < piece ? want - have : piece;
        assert_true(net_tls_read(tls, plain + have, cap, &n, &err));
        assert_true(n > 0 || off < wire_len);
        have += n;
    }
    assert_int_equal(have, want);
}

/* Reads exactly len plaintext bytes on the server side. */
static void test_server_read(test_client *c, net_tls *tls, uint8_t *buf, size_t len) {
    size_t got = 0;
    test_to_server(c, tls);
    while (got < len) {
        size_t n = 0;
        rt_err err = test_err();
        assert_true(net_tls_read(tls, buf + got, len - got, &n, &err));
        assert_true(n > 0);
        got += n;
    }
}

/* ---- tests ---- */

static void test_net_tls_handshake_and_data_both_ways(void **state) {
    const char *stems[] = {"ec", "rsa", "ed"};
    for (size_t i = 0; i < 3; i++) {
        net_tls_ctx *ctx = test_ctx_make(stems[i]);
        rt_err err = test_err();
        net_tls *tls = net_tls_create(ctx, &err);
        assert_non_null(tls);
        test_client c;
        test_client_make(&c, 0, 0);
        assert_true(test_handshake(&c, tls, &err));
        assert_string_equal(net_tls_version(tls), "TLSv1.3");
        assert_true(strlen(net_tls_cipher(tls)) > 0);
        assert_true(net_tls_cipher_bits(tls) >= 128);
        /* client -> server */
        assert_int_equal(SSL_write(c.ssl, "SELECT 1", 8), 8);
        uint8_t buf[64];
        test_server_read(&c, tls, buf, 8);
        assert_memory_equal(buf, "SELECT 1", 8);
        /* nothing more buffered: a read returns no bytes, not an error */
        size_t n = 99;
        assert_true(net_tls_read(tls, buf, sizeof buf, &n, &err));
        assert_int_equal(n, 0);
        assert_false(net_tls_eof(tls));
        /* server -> client */
        size_t taken = 0;
        assert_true(net_tls_write(tls, (const uint8_t *)"1 row", 5, &taken, &err));
        assert_int_equal(taken, 5);
        assert_true(net_tls_output_pending(tls) > 5);
        test_to_client(tls, &c);
        char reply[16] = {0};
        assert_int_equal(SSL_read(c.ssl, reply, sizeof reply), 5);
        assert_string_equal(reply, "1 row");
        test_client_free(&c);
        net_tls_destroy(tls);
        net_tls_ctx_destroy(ctx);
    }
}

static void test_net_tls_tls12_client(void **state) {
    net_tls_ctx *ctx = test_ctx_make("rsa");
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, 0, TLS1_2_VERSION);
    assert_true(test_handshake(&c, tls, &err));
    assert_string_equal(net_tls_version(tls), "TLSv1.2");
    assert_int_equal(SSL_write(c.ssl, "ping", 4), 4);
    uint8_t buf[4];
    test_server_read(&c, tls, buf, 4);
    assert_memory_equal(buf, "ping", 4);
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
}

static void test_net_tls_old_protocol_is_refused(void **state) {
    net_tls_ctx *ctx = test_ctx_make("rsa");
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, TLS1_VERSION, TLS1_1_VERSION);
    assert_false(test_handshake(&c, tls, &err));
    assert_string_equal(err.sqlstate, "08P01");
    assert_int_equal(err.severity, RT_SEV_FATAL);
    assert_non_null(strstr(err.message, "could not accept SSL connection: "));
    assert_string_equal(err.detail, "This may indicate that the client does not support any "
                                    "SSL protocol version between TLSv1.2 and TLSv1.3.");
    /* The client got an alert explaining why. */
    assert_true(SSL_do_handshake(c.ssl) <= 0);
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
}

static void test_net_tls_large_stream_respects_output_limit(void **state) {
    net_tls_ctx *ctx = test_ctx_make("ec");
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    size_t total = 3u << 20;
    uint8_t *data = malloc(total);
    uint8_t *got = malloc(total);
    for (size_t i = 0; i < total; i++) data[i] = (uint8_t)(i * 31 + (i >> 12));
    size_t sent = 0, received = 0;
    int stalls = 0;
    while (received < total) {
        size_t taken = 0;
        assert_true(net_tls_write(tls, data + sent, total - sent, &taken, &err));
        sent += taken;
        if (sent < total) stalls++; /* the limit stopped us: drain and go on */
        assert_true(net_tls_output_pending(tls) <= NET_TLS_OUTPUT_BYTES_MAX +
                                                       NET_TLS_RECORD_BYTES_MAX);
        test_to_client(tls, &c);
        int n;
        while ((n = SSL_read(c.ssl, got + received, (int)(total - received))) > 0) {
            received += (size_t)n;
        }
    }
    assert_true(stalls > 0);
    assert_memory_equal(got, data, total);
    /* and the other way, through net_tls_read in small pieces */
    assert_int_equal(SSL_write(c.ssl, data, 100000), 100000);
    uint8_t *wire = malloc(200000);
    int wire_len = BIO_read(c.wbio, wire, 200000);
    assert_true(wire_len > 100000);
    test_server_drain(tls, wire, (size_t)wire_len, got, 100000, 777);
    assert_memory_equal(got, data, 100000);
    free(wire);
    free(data);
    free(got);
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
}

static void test_net_tls_input_is_bounded(void **state) {
    net_tls_ctx *ctx = test_ctx_make("ec");
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    /* The client sends 200 KiB; only NET_TLS_INPUT_BYTES_MAX is taken until we read. */
    static uint8_t data[200u << 10];
    memset(data, 'q', sizeof data);
    assert_int_equal(SSL_write(c.ssl, data, sizeof data), (int)sizeof data);
    static uint8_t wire[300u << 10];
    int wire_len = BIO_read(c.wbio, wire, sizeof wire);
    assert_true(wire_len > (int)sizeof data);
    size_t off = net_tls_feed(tls, wire, (size_t)wire_len);
    assert_int_equal(off, NET_TLS_INPUT_BYTES_MAX);
    assert_int_equal(net_tls_feed(tls, wire + off, (size_t)wire_len - off), 0);
    static uint8_t plain[200u << 10];
    size_t n = 0;
    assert_true(net_tls_read(tls, plain, sizeof plain, &n, &err));
    assert_true(n > 0); /* decrypting made room */
    assert_true(net_tls_feed(tls, wire + off, (size_t)wire_len - off) > 0);
    test_client_free(&c);
    net_tls_destroy(tls);
    /* the whole stream, in bounded steps */
    tls = net_tls_create(ctx, &err);
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    assert_int_equal(SSL_write(c.ssl, data, sizeof data), (int)sizeof data);
    wire_len = BIO_read(c.wbio, wire, sizeof wire);
    test_server_drain(tls, wire, (size_t)wire_len, plain, sizeof data, sizeof plain);
    assert_memory_equal(plain, data, sizeof data);
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
}

static void test_net_tls_close_notify_both_ways(void **state) {
    net_tls_ctx *ctx = test_ctx_make("ec");
    rt_err err = test_err();
    /* server closes: the client sees a clean end of stream */
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    assert_true(net_tls_close(tls, &err));
    test_to_client(tls, &c);
    char buf[8];
    assert_int_equal(SSL_read(c.ssl, buf, sizeof buf), 0);
    assert_int_equal(SSL_get_error(c.ssl, 0), SSL_ERROR_ZERO_RETURN);
    test_client_free(&c);
    net_tls_destroy(tls);
    /* client closes after some data: the server reads the data, then end of stream */
    tls = net_tls_create(ctx, &err);
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    assert_int_equal(SSL_write(c.ssl, "bye", 3), 3);
    assert_true(SSL_shutdown(c.ssl) >= 0);
    test_to_server(&c, tls);
    uint8_t got[8];
    size_t n = 0;
    assert_true(net_tls_read(tls, got, sizeof got, &n, &err));
    assert_int_equal(n, 3);
    assert_true(net_tls_eof(tls));
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
}

static void test_net_tls_cert_hash_matches_what_the_client_sees(void **state) {
    net_tls_ctx *ctx = test_ctx_make("rsa");
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    const uint8_t *hash = NULL;
    uint32_t hash_len = 0;
    assert_true(net_tls_cert_hash(tls, &hash, &hash_len));
    assert_int_equal(hash_len, 48); /* signed with SHA-384 */
    uint8_t seen[NET_SCRAM_CBIND_HASH_BYTES_MAX];
    uint32_t seen_len = 0;
    assert_true(net_scram_cert_hash(SSL_get0_peer_certificate(c.ssl), seen, &seen_len, &err));
    assert_int_equal(seen_len, hash_len);
    assert_memory_equal(seen, hash, hash_len);
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
    /* Ed25519: no tls-server-end-point hash, so no SCRAM-SHA-256-PLUS. */
    ctx = test_ctx_make("ed");
    assert_false(net_tls_ctx_cert_hash(ctx, &hash, &hash_len));
    net_tls_ctx_destroy(ctx);
}

/* Feeds `len` bytes to a fresh session and runs the handshake: it must fail cleanly. */
static void test_garbage_handshake(net_tls_ctx *ctx, const uint8_t *bytes, size_t len) {
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    net_tls_feed(tls, bytes, len);
    bool done = true;
    if (net_tls_handshake(tls, &done, &err)) {
        assert_false(done); /* a plausible prefix: waiting for more */
    } else {
        assert_string_equal(err.sqlstate, "08P01");
        assert_int_equal(err.severity, RT_SEV_FATAL);
        assert_non_null(strstr(err.message, "could not accept SSL connection: "));
    }
    uint8_t out[1024];
    while (net_tls_output_take(tls, out, sizeof out) > 0) {
    }
    net_tls_destroy(tls);
}

static void test_net_tls_garbage_is_an_error_not_a_crash(void **state) {
    net_tls_ctx *ctx = test_ctx_make("ec");
    rt_err err = test_err();
    /* plain text where a ClientHello should be */
    const char *http = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    net_tls *tls = net_tls_create(ctx, &err);
    net_tls_feed(tls, (const uint8_t *)http, strlen(http));
    bool done = true;
    assert_false(net_tls_handshake(tls, &done, &err));
    assert_string_equal(err.sqlstate, "08P01");
    assert_non_null(strstr(err.message, "could not accept SSL connection: "));
    net_tls_destroy(tls);
    /* random bytes, and a real ClientHello with bytes flipped */
    test_client c;
    test_client_make(&c, 0, 0);
    SSL_do_handshake(c.ssl);
    uint8_t hello[4096];
    int hello_len = BIO_read(c.wbio, hello, sizeof hello);
    assert_true(hello_len > 100);
    test_client_free(&c);
    uint32_t seed = 12345;
    for (int i = 0; i < 400; i++) {
        uint8_t buf[4096];
        memcpy(buf, hello, (size_t)hello_len);
        size_t len = (size_t)hello_len;
        for (int k = 0; k < 1 + i % 8; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % len] ^= (uint8_t)(1u << (seed % 8));
        }
        if (i % 4 == 3) { /* pure noise */
            for (size_t k = 0; k < len; k++) buf[k] = (uint8_t)((seed = seed * 69069u + 1u) >> 24);
        }
        test_garbage_handshake(ctx, buf, i % 5 == 4 ? len / 2 : len);
    }
    net_tls_ctx_destroy(ctx);
}

static void test_net_tls_garbage_after_handshake(void **state) {
    net_tls_ctx *ctx = test_ctx_make("ec");
    rt_err err = test_err();
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make(&c, 0, 0);
    assert_true(test_handshake(&c, tls, &err));
    /* a forged application-data record that does not decrypt */
    uint8_t record[64] = {0x17, 0x03, 0x03, 0x00, 59};
    for (int i = 5; i < 64; i++) record[i] = (uint8_t)(i * 13);
    net_tls_feed(tls, record, sizeof record);
    uint8_t buf[64];
    size_t n = 0;
    assert_false(net_tls_read(tls, buf, sizeof buf, &n, &err));
    assert_string_equal(err.sqlstate, "08P01");
    assert_int_equal(err.severity, RT_SEV_FATAL);
    assert_non_null(strstr(err.message, "SSL error: "));
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
}

/* ---- context errors ---- */

static void test_ctx_error(const char *cert, const char *key, const char *ciphers,
                           const char *message_prefix) {
    net_tls_config config = {.cert_file = cert, .key_file = key, .ciphers = ciphers};
    rt_err err = test_err();
    assert_null(net_tls_ctx_create(&config, &err));
    assert_string_equal(err.sqlstate, "F0000");
    if (strncmp(err.message, message_prefix, strlen(message_prefix)) != 0) {
        fail_msg("got \"%s\", want \"%s...\"", err.message, message_prefix);
    }
}

static void test_net_tls_context_errors(void **state) {
    char ec_crt[128], ec_key[128], rsa_key[128], path[128];
    snprintf(ec_crt, sizeof ec_crt, "%s/ec.crt", test_dir);
    snprintf(ec_key, sizeof ec_key, "%s/ec.key", test_dir);
    snprintf(rsa_key, sizeof rsa_key, "%s/rsa.key", test_dir);
    test_ctx_error("/nonexistent/server.crt", ec_key, NULL,
                   "could not load server certificate file \"/nonexistent/server.crt\": "
                   "No such file or directory");
    test_ctx_error(ec_crt, "/nonexistent/server.key", NULL,
                   "could not access private key file \"/nonexistent/server.key\": No such file");
    /* the key of another certificate: OpenSSL notices while loading (same key type) or in
     * the final check (another type) */
    char want[256];
    snprintf(path, sizeof path, "%s/ec2.key", test_dir);
    snprintf(want, sizeof want, "could not load private key file \"%s\": key values mismatch",
             path);
    test_ctx_error(ec_crt, path, NULL, want);
    test_ctx_error(ec_crt, rsa_key, NULL, "check of private key failed: ");
    test_ctx_error(ec_crt, test_dir, NULL, "private key file \"");
    test_ctx_error(ec_crt, ec_key, "NO-SUCH-CIPHER",
                   "could not set the cipher list (no valid ciphers available)");
    /* not PEM at all */
    snprintf(path, sizeof path, "%s/junk.crt", test_dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a certificate\n", f);
    fclose(f);
    snprintf(want, sizeof want, "could not load server certificate file \"%s\": ", path);
    test_ctx_error(path, ec_key, NULL, want);
    /* a key readable by others is refused, with PostgreSQL's rule in the detail */
    snprintf(path, sizeof path, "%s/open.key", test_dir);
    test_sh("cp %s %s && chmod 0644 %s", ec_key, path, path);
    net_tls_config config = {.cert_file = ec_crt, .key_file = path};
    rt_err err = test_err();
    assert_null(net_tls_ctx_create(&config, &err));
    snprintf(want, sizeof want, "private key file \"%s\" has group or world access", path);
    assert_string_equal(err.message, want);
    assert_non_null(strstr(err.detail, "u=rw (0600)"));
    /* not a key */
    test_sh("cp %s %s && chmod 0600 %s", ec_crt, path, path);
    snprintf(want, sizeof want, "could not load private key file \"%s\": ", path);
    test_ctx_error(ec_crt, path, NULL, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_tls_handshake_and_data_both_ways),
        cmocka_unit_test(test_net_tls_tls12_client),
        cmocka_unit_test(test_net_tls_old_protocol_is_refused),
        cmocka_unit_test(test_net_tls_large_stream_respects_output_limit),
        cmocka_unit_test(test_net_tls_input_is_bounded),
        cmocka_unit_test(test_net_tls_close_notify_both_ways),
        cmocka_unit_test(test_net_tls_cert_hash_matches_what_the_client_sees),
        cmocka_unit_test(test_net_tls_garbage_is_an_error_not_a_crash),
        cmocka_unit_test(test_net_tls_garbage_after_handshake),
        cmocka_unit_test(test_net_tls_context_errors),
    };
    return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
