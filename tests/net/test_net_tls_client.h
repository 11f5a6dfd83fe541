/* test_net_tls_client.h: an OpenSSL client SSL object over memory BIOs, and the pumps that
 * move ciphertext between it and a net_tls session, so TLS tests run entirely in memory.
 * Include after cmocka.h: the helpers assert. */
#ifndef TEST_NET_TLS_CLIENT_H
#define TEST_NET_TLS_CLIENT_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/net_tls.h"

typedef struct test_client {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio; /* ciphertext from the server */
    BIO *wbio; /* ciphertext to the server */
} test_client;

/* A client accepting any certificate, limited to [min, max] protocol versions (0 = any). */
static inline void test_client_make(test_client *c, int min_version, int max_version) {
    c->ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(c->ctx);
    if (min_version != 0) {
        SSL_CTX_set_security_level(c->ctx, 0); /* let it even try TLS 1.0/1.1 */
        SSL_CTX_set_min_proto_version(c->ctx, min_version);
    }
    if (max_version != 0) SSL_CTX_set_max_proto_version(c->ctx, max_version);
    c->ssl = SSL_new(c->ctx);
    c->rbio = BIO_new(BIO_s_mem());
    c->wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(c->rbio, -1);
    SSL_set_bio(c->ssl, c->rbio, c->wbio);
    SSL_set_connect_state(c->ssl);
}

static inline void test_client_free(test_client *c) {
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
}

/* Moves everything the client wrote into the server session. */
static inline void test_to_server(test_client *c, net_tls *tls) {
    uint8_t buf[4096];
    int n;
    while ((n = BIO_read(c->wbio, buf, sizeof buf)) > 0) {
        size_t off = 0;
        while (off < (size_t)n) {
            size_t taken = net_tls_feed(tls, buf + off, (size_t)n - off);
            assert_true(taken > 0); /* the tests never fill the input buffer here */
            off += taken;
        }
    }
}

/* Moves everything the server produced to the client. */
static inline size_t test_to_client(net_tls *tls, test_client *c) {
    uint8_t buf[4096];
    size_t n, total = 0;
    while ((n = net_tls_output_take(tls, buf, sizeof buf)) > 0) {
        assert_int_equal(BIO_write(c->rbio, buf, (int)n), (int)n);
        total += n;
    }
    return total;
}

/* Runs both handshakes to completion; false at the server's error (in *err) or when the
 * client gave up (e.g. it could not verify the certificate; *err stays empty). */
static inline bool test_handshake(test_client *c, net_tls *tls, rt_err *err) {
    bool done = false;
    for (int round = 0; round < 10; round++) {
        int ret = SSL_do_handshake(c->ssl);
        if (ret <= 0 && SSL_get_error(c->ssl, ret) != SSL_ERROR_WANT_READ) {
            ERR_clear_error();
            return false;
        }
        test_to_server(c, tls);
        if (!net_tls_handshake(tls, &done, err)) {
            test_to_client(tls, c); /* the alert */
            return false;
        }
        test_to_client(tls, c);
        if (done && ret == 1) return true;
    }
    ERR_print_errors_fp(stderr);
    fail_msg("handshake did not finish");
    return false;
}

/* A client that verifies the server against `ca_file` and checks the name like libpq's
 * sslmode=verify-full: a DNS name in `host`, or an IP address in `ip`. */
static inline void test_client_make_verifying(test_client *c, const char *ca_file,
                                              const char *host, const char *ip) {
    test_client_make(c, 0, 0);
    assert_int_equal(SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL), 1);
    SSL_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
    if (host != NULL) assert_int_equal(SSL_set1_host(c->ssl, host), 1);
    if (ip != NULL) {
        assert_int_equal(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), ip), 1);
    }
}

#endif
