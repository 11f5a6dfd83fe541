/* test_net_dev_cert.c: tools/make-dev-cert, the development CA and server certificate.
 * How: runs the script (with system()) into a scratch directory, then checks the result the
 * ways a user relies on it: `openssl verify` accepts the chain, the key files are 0600, the
 * script refuses to overwrite without -f; our net_tls loads the pair and an OpenSSL client
 * doing verify-full's checks (CA, then name localhost or address 127.0.0.1) accepts it and
 * rejects another name; and a real PostgreSQL 15 serving these files over TCP accepts a
 * libpq and a psql connection with sslmode=verify-full sslrootcert=ca.crt. The PostgreSQL
 * part skips when PostgreSQL 15 is not installed; the rest needs the openssl command. */
// ctest: TIMEOUT 300 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/net_tls.h"
#include "test_net_pg.h"
#include "test_net_tls_client.h"

static char test_dir[64];      /* scratch directory */
static char test_certs[128];   /* test_dir/certs: the script's output */
static char test_script[512];

static int test_setup(void **state) {
    /* ctest sets DB_SOURCE_DIR; run by hand, find the tree from this file's path */
    const char *src = getenv("DB_SOURCE_DIR");
    if (src != NULL) {
        snprintf(test_script, sizeof test_script, "%s/tools/make-dev-cert", src);
    } else {
        const char *file = __FILE__;
        const char *tail = strstr(file, "tests/net/");
        int len = tail != NULL ? (int)(tail - file) : 0;
        snprintf(test_script, sizeof test_script, "%.*stools/make-dev-cert", len, file);
    }
    if (!test_tmpdir_make(test_dir, sizeof test_dir, "devcert")) return -1;
    snprintf(test_certs, sizeof test_certs, "%s/certs", test_dir);
    /* certs: the pair under test; other: a second CA, which must not vouch for the first */
    bool ok = test_sh("sh %s %s >%s/make.log 2>&1", test_script, test_certs, test_dir) == 0 &&
              test_sh("sh %s %s/other >>%s/make.log 2>&1", test_script, test_dir, test_dir) == 0;
    if (!ok) test_sh("cat %s/make.log >&2", test_dir);
    return ok ? 0 : -1;
}

static int test_teardown(void **state) {
    test_tmpdir_remove(test_dir);
    return 0;
}

static void test_path(char *out, size_t cap, const char *file) {
    snprintf(out, cap, "%s/%s", test_certs, file);
}

static void test_net_dev_cert_chain_verifies(void **state) {
    assert_int_equal(test_sh("openssl verify -CAfile %s/ca.crt %s/server.crt >/dev/null",
                             test_certs, test_certs), 0);
    /* the server certificate names this machine */
    assert_int_equal(test_sh("openssl x509 -in %s/server.crt -noout -ext subjectAltName "
                             "| grep -q 'DNS:localhost, IP Address:127.0.0.1'", test_certs), 0);
    /* the CA is not a server certificate, the server certificate is not a CA */
    assert_int_not_equal(test_sh("openssl verify -CAfile %s/server.crt %s/server.crt "
                                 ">/dev/null 2>&1", test_certs, test_certs), 0);
    struct stat st;
    char path[256];
    test_path(path, sizeof path, "server.key");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    test_path(path, sizeof path, "ca.key");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_net_dev_cert_refuses_to_overwrite(void **state) {
    char before[8192], after[8192];
    char path[256];
    test_path(path, sizeof path, "server.crt");
    assert_true(test_file_read(path, before, sizeof before));
    assert_int_equal(test_sh("sh %s %s >/dev/null 2>&1", test_script, test_certs), 1);
    assert_true(test_file_read(path, after, sizeof after));
    assert_string_equal(before, after);
    /* -f overwrites (in a directory of its own: the pair above serves the other tests) */
    assert_int_equal(test_sh("sh %s %s/forced >/dev/null && sh %s -f -n db.test %s/forced "
                             ">/dev/null", test_script, test_dir, test_script, test_dir), 0);
    assert_int_equal(test_sh("openssl x509 -in %s/forced/server.crt -noout -ext subjectAltName "
                             "| grep -q 'DNS:db.test'", test_dir), 0);
}

/* An in-memory handshake between net_tls serving the pair and a verifying client. */
static bool test_verify_full(const char *ca_file, const char *host, const char *ip) {
    char crt[256], key[256];
    test_path(crt, sizeof crt, "server.crt");
    test_path(key, sizeof key, "server.key");
    net_tls_config config = {.cert_file = crt, .key_file = key};
    rt_err err;
    rt_err_clear(&err);
    net_tls_ctx *ctx = net_tls_ctx_create(&config, &err);
    if (ctx == NULL) fail_msg("%s", err.message);
    net_tls *tls = net_tls_create(ctx, &err);
    test_client c;
    test_client_make_verifying(&c, ca_file, host, ip);
    bool ok = test_handshake(&c, tls, &err) && SSL_get_verify_result(c.ssl) == X509_V_OK;
    test_client_free(&c);
    net_tls_destroy(tls);
    net_tls_ctx_destroy(ctx);
    return ok;
}

static void test_net_dev_cert_works_with_net_tls(void **state) {
    char ca[256], other_ca[256];
    test_path(ca, sizeof ca, "ca.crt");
    snprintf(other_ca, sizeof other_ca, "%s/other/ca.crt", test_dir);
    assert_true(test_verify_full(ca, "localhost", NULL));
    assert_true(test_verify_full(ca, NULL, "127.0.0.1"));
    assert_true(test_verify_full(ca, NULL, "::1"));
    assert_false(test_verify_full(ca, "example.com", NULL)); /* wrong name */
    assert_false(test_verify_full(ca, NULL, "10.1.2.3"));
    assert_false(test_verify_full(other_ca, "localhost", NULL)); /* another CA */
}

static void test_net_dev_cert_postgres_verify_full(void **state) {
    test_pg pg;
    if (!test_pg_init(&pg, true, "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
                      "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'")) {
        test_pg_stop(&pg);
        skip();
    }
    /* PostgreSQL reads the files as its own user, relative to the data directory. */
    assert_int_equal(test_sh("cp %s/server.crt %s/server.key %s/data/ && chmod 600 %s/data/"
                             "server.key", test_certs, test_certs, pg.dir, pg.dir), 0);
    assert_true(test_pg_run(&pg));
    const char *hosts[] = {"host=localhost", "host=127.0.0.1"};
    for (int i = 0; i < 2; i++) {
        char conninfo[512];
        snprintf(conninfo, sizeof conninfo,
                 "%s port=%d dbname=postgres user=postgres sslmode=verify-full "
                 "sslrootcert=%s/ca.crt", hosts[i], pg.port, test_certs);
        PGconn *conn = PQconnectdb(conninfo);
        if (PQstatus(conn) != CONNECTION_OK) fail_msg("%s: %s", conninfo, PQerrorMessage(conn));
        assert_int_equal(PQsslInUse(conn), 1);
        PQfinish(conn);
        /* and psql, as a user would */
        assert_int_equal(test_sh("psql -X -q -At \"%s\" -c 'SELECT 1' >/dev/null", conninfo), 0);
    }
    /* another CA is refused */
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo,
             "host=localhost port=%d dbname=postgres user=postgres sslmode=verify-full "
             "sslrootcert=%s/other/ca.crt", pg.port, test_dir);
    PGconn *conn = PQconnectdb(conninfo);
    assert_int_not_equal(PQstatus(conn), CONNECTION_OK);
    assert_non_null(strstr(PQerrorMessage(conn), "certificate verify failed"));
    PQfinish(conn);
    test_pg_stop(&pg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_dev_cert_chain_verifies),
        cmocka_unit_test(test_net_dev_cert_refuses_to_overwrite),
        cmocka_unit_test(test_net_dev_cert_works_with_net_tls),
        cmocka_unit_test(test_net_dev_cert_postgres_verify_full),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
