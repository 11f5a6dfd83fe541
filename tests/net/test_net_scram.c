/* test_net_scram.c: SCRAM-SHA-256 server side (net_scram).
 * How: (1) RFC 7677's test vector through the state machine with a fixed server nonce;
 * (2) full exchanges against a small SCRAM client written here with OpenSSL (its own base64),
 * with and without channel binding, wrong passwords, unknown roles (mock exchange); (3) every
 * malformed message with the SQLSTATE, message and detail PostgreSQL 15 gives for it (taken
 * from a real server); (4) verifier parsing and building; (5) tls-server-end-point hashes of
 * certificates signed with each hash; (6) a real PostgreSQL 15: its stored verifiers parse and
 * authenticate here and are byte-identical to ours for the same salt, and the verifiers we
 * create are stored as given by ALTER ROLE and let libpq log in with the password.
 * The real-server tests skip when PostgreSQL 15 is not installed. */
// ctest: TIMEOUT 300 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "net/net_scram.h"
#include "test_net_pg.h"

static const uint8_t MOCK_KEY[NET_SCRAM_MOCK_KEY_BYTES] = "0123456789abcdef0123456789abcdef";

/* ---- a SCRAM client (RFC 5802), independent of net_scram.c ---- */

typedef struct test_client {
    const char *password;
    const char *nonce;
    const char *gs2_header;   /* "n,,", "y,," or "p=tls-server-end-point,," */
    const uint8_t *cbind;     /* certificate hash for "p=" */
    uint32_t cbind_len;
    const char *final_ext;    /* an extension attribute before the proof, or NULL */
    char first[512];          /* client-first-message */
    char final[1280];         /* client-final-message */
    uint8_t server_key[32];
    char auth_message[4096];
} test_client;

static void test_b64(const uint8_t *in, size_t len, char *out) {
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

static size_t test_b64_decode(const char *in, uint8_t *out) {
    size_t len = strlen(in);
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    assert_true(n >= 0);
    if (len > 0 && in[len - 1] == '=') n--;
    if (len > 1 && in[len - 2] == '=') n--;
    return (size_t)n;
}

static const char *test_client_first(test_client *c) {
    snprintf(c->first, sizeof c->first, "%sn=,r=%s", c->gs2_header, c->nonce);
    return c->first;
}

/* Parses server-first-message, derives the keys and builds client-final-message. */
static const char *test_client_final(test_client *c, const char *server_first) {
    char nonce[256], salt_b64[512];
    int iterations = 0;
    assert_int_equal(sscanf(server_first, "r=%255[^,],s=%511[^,],i=%d", nonce, salt_b64,
                            &iterations), 3);
    assert_memory_equal(nonce, c->nonce, strlen(c->nonce));
    uint8_t salt[512], salted[32], client_key[32], stored_key[32], signature[32], proof[32];
    size_t salt_len = test_b64_decode(salt_b64, salt);
    assert_int_equal(PKCS5_PBKDF2_HMAC(c->password, (int)strlen(c->password), salt,
                                       (int)salt_len, iterations, EVP_sha256(), 32, salted), 1);
    HMAC(EVP_sha256(), salted, 32, (const uint8_t *)"Client Key", 10, client_key, NULL);
    HMAC(EVP_sha256(), salted, 32, (const uint8_t *)"Server Key", 10, c->server_key, NULL);
    SHA256(client_key, 32, stored_key);
    uint8_t cbind_input[256];
    size_t header_len = strlen(c->gs2_header);
    memcpy(cbind_input, c->gs2_header, header_len);
    if (c->cbind_len > 0) memcpy(cbind_input + header_len, c->cbind, c->cbind_len);
    char cbind_b64[512];
    test_b64(cbind_input, header_len + c->cbind_len, cbind_b64);
    char without_proof[1024];
    snprintf(without_proof, sizeof without_proof, "c=%s,r=%s%s%s", cbind_b64, nonce,
             c->final_ext != NULL ? "," : "", c->final_ext != NULL ? c->final_ext : "");
    snprintf(c->auth_message, sizeof c->auth_message, "%s,%s,%s", c->first + header_len,
             server_first, without_proof);
    HMAC(EVP_sha256(), stored_key, 32, (const uint8_t *)c->auth_message,
         strlen(c->auth_message), signature, NULL);
    for (int i = 0; i < 32; i++) proof[i] = client_key[i] ^ signature[i];
    char proof_b64[64];
    test_b64(proof, 32, proof_b64);
    snprintf(c->final, sizeof c->final, "%s,p=%s", without_proof, proof_b64);
    return c->final;
}

/* Checks server-final-message: the server proved it knows the verifier. */
static void test_client_verify(test_client *c, const uint8_t *data, uint32_t len) {
    uint8_t signature[32];
    HMAC(EVP_sha256(), c->server_key, 32, (const uint8_t *)c->auth_message,
         strlen(c->auth_message), signature, NULL);
    char expected[64] = "v=";
    test_b64(signature, 32, expected + 2);
    assert_int_equal(len, strlen(expected));
    assert_memory_equal(data, expected, len);
}

/* ---- helpers around the state machine ---- */

static rt_err test_err(void) {
    rt_err err;
    rt_err_clear(&err);
    return err;
}

static void test_err_expect(const rt_err *err, const char *sqlstate, const char *message,
                            const char *detail) {
    assert_string_equal(err->sqlstate, sqlstate);
    assert_string_equal(err->message, message);
    assert_string_equal(err->detail, detail != NULL ? detail : "");
    assert_int_equal(err->severity, RT_SEV_FATAL);
}

static char test_secret[NET_SCRAM_SECRET_BYTES_MAX];

static net_scram_config test_config(const char *user, const char *secret) {
    return (net_scram_config){.user_name = user, .secret = secret, .mock_key = MOCK_KEY};
}

/* Runs a whole exchange; returns whether it succeeded (then the client checked the server's
 * signature). */
static bool test_exchange(const net_scram_config *config, const char *mechanism,
                          test_client *c, rt_err *err) {
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, config, err));
    const char *first = test_client_first(c);
    bool ok = net_scram_begin(&scram, mechanism, (const uint8_t *)first, (int32_t)strlen(first),
                              &out, err);
    if (ok) {
        assert_int_equal(out.status, NET_SCRAM_CONTINUE);
        char server_first[2048];
        memcpy(server_first, out.data, out.len);
        server_first[out.len] = '\0';
        const char *final = test_client_final(c, server_first);
        ok = net_scram_continue(&scram, (const uint8_t *)final, (uint32_t)strlen(final), &out,
                                err);
    }
    if (ok) {
        assert_int_equal(out.status, NET_SCRAM_SUCCESS);
        test_client_verify(c, out.data, out.len);
    }
    net_scram_finish(&scram);
    return ok;
}

/* ---- (1) RFC 7677 ---- */

static void test_net_scram_rfc7677_vector(void **state) {
    /* RFC 7677 section 3: user "user", password "pencil", 4096 iterations. */
    uint8_t salt[16];
    assert_int_equal(test_b64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", salt), 16);
    rt_err err = test_err();
    assert_true(net_scram_secret_build("pencil", salt, 16, 4096, test_secret, &err));
    net_scram_config config = test_config("user", test_secret);
    config.test_server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, &config, &err));
    const char *first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)first,
                                (int32_t)strlen(first), &out, &err));
    const char *server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                               "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    assert_int_equal(out.len, strlen(server_first));
    assert_memory_equal(out.data, server_first, out.len);
    const char *final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    assert_true(net_scram_continue(&scram, (const uint8_t *)final, (uint32_t)strlen(final),
                                   &out, &err));
    assert_int_equal(out.status, NET_SCRAM_SUCCESS);
    const char *server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    assert_int_equal(out.len, strlen(server_final));
    assert_memory_equal(out.data, server_final, out.len);
    net_scram_finish(&scram);
}

/* ---- (2) exchanges with our client ---- */

static void test_net_scram_exchange_succeeds_with_the_password(void **state) {
    rt_err err = test_err();
    assert_true(net_scram_secret_create("correct horse", test_secret, &err));
    net_scram_config config = test_config("alice", test_secret);
    test_client c = {.password = "correct horse", .nonce = "fyko+d2lbbFgONRv9qkxdawL",
                     .gs2_header = "n,,"};
    assert_true(test_exchange(&config, "SCRAM-SHA-256", &c, &err));
    /* 'y' (client could bind, thinks we cannot) is fine when we offer no binding. */
    test_client y = {.password = "correct horse", .nonce = "abc", .gs2_header = "y,,"};
    assert_true(test_exchange(&config, "SCRAM-SHA-256", &y, &err));
    /* Extensions before the proof are part of the signed message. */
    test_client ext = {.password = "correct horse", .nonce = "abc", .gs2_header = "n,,",
                       .final_ext = "x=whatever"};
    assert_true(test_exchange(&config, "SCRAM-SHA-256", &ext, &err));
    /* Non-ASCII passwords work as raw bytes. */
    assert_true(net_scram_secret_create("p\xc3\xa4ssw\xc3\xb6rd", test_secret, &err));
    test_client u = {.password = "p\xc3\xa4ssw\xc3\xb6rd", .nonce = "n1", .gs2_header = "n,,"};
    assert_true(test_exchange(&config, "SCRAM-SHA-256", &u, &err));
}

static void test_net_scram_wrong_password_is_28P01(void **state) {
    rt_err err = test_err();
    assert_true(net_scram_secret_create("secret", test_secret, &err));
    net_scram_config config = test_config("alice", test_secret);
    test_client c = {.password = "Secret", .nonce = "abc", .gs2_header = "n,,"};
    assert_false(test_exchange(&config, "SCRAM-SHA-256", &c, &err));
    test_err_expect(&err, "28P01", "password authentication failed for user \"alice\"", NULL);
}

static void test_net_scram_server_nonce_is_random(void **state) {
    rt_err err = test_err();
    assert_true(net_scram_secret_create("x", test_secret, &err));
    net_scram_config config = test_config("alice", test_secret);
    char nonces[2][64];
    for (int i = 0; i < 2; i++) {
        net_scram scram;
        net_scram_output out;
        assert_true(net_scram_init(&scram, &config, &err));
        const char *first = "n,,n=,r=abc";
        assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)first, 11, &out,
                                    &err));
        /* r=abc<24 base64 characters>,s=<24>,i=4096 */
        assert_int_equal(out.len, strlen("r=abc") + 24 + strlen(",s=") + 24 + strlen(",i=4096"));
        memcpy(nonces[i], out.data + 5, 24);
        nonces[i][24] = '\0';
        net_scram_finish(&scram);
    }
    assert_string_not_equal(nonces[0], nonces[1]);
}

static void test_net_scram_empty_initial_response_gets_empty_challenge(void **state) {
    rt_err err = test_err();
    assert_true(net_scram_secret_create("pw", test_secret, &err));
    net_scram_config config = test_config("alice", test_secret);
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, &config, &err));
    assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", NULL, -1, &out, &err));
    assert_int_equal(out.status, NET_SCRAM_CONTINUE);
    assert_int_equal(out.len, 0);
    test_client c = {.password = "pw", .nonce = "xyz", .gs2_header = "n,,"};
    const char *first = test_client_first(&c);
    assert_true(net_scram_continue(&scram, (const uint8_t *)first, (uint32_t)strlen(first), &out,
                                   &err));
    char server_first[256];
    memcpy(server_first, out.data, out.len);
    server_first[out.len] = '\0';
    const char *final = test_client_final(&c, server_first);
    assert_true(net_scram_continue(&scram, (const uint8_t *)final, (uint32_t)strlen(final), &out,
                                   &err));
    assert_int_equal(out.status, NET_SCRAM_SUCCESS);
    test_client_verify(&c, out.data, out.len);
    net_scram_finish(&scram);
}

static void test_net_scram_channel_binding(void **state) {
    rt_err err = test_err();
    assert_true(net_scram_secret_create("pw", test_secret, &err));
    uint8_t hash[32];
    for (int i = 0; i < 32; i++) hash[i] = (uint8_t)(i * 7 + 1);
    net_scram_config config = test_config("alice", test_secret);
    config.cbind_hash = hash;
    config.cbind_hash_len = sizeof hash;
    test_client plus = {.password = "pw", .nonce = "abc",
                        .gs2_header = "p=tls-server-end-point,,", .cbind = hash,
                        .cbind_len = sizeof hash};
    assert_true(test_exchange(&config, "SCRAM-SHA-256-PLUS", &plus, &err));
    /* Without binding on a TLS connection, 'n' is fine (libpq channel_binding=disable). */
    test_client n = {.password = "pw", .nonce = "abc", .gs2_header = "n,,"};
    assert_true(test_exchange(&config, "SCRAM-SHA-256", &n, &err));
    /* The client bound to another certificate (a man in the middle): 28000. */
    uint8_t other[32] = {0};
    plus.cbind = other;
    assert_false(test_exchange(&config, "SCRAM-SHA-256-PLUS", &plus, &err));
    test_err_expect(&err, "28000", "SCRAM channel binding check failed", NULL);
    /* 'y' while this server offers binding: someone removed -PLUS from the list. */
    err = test_err();
    test_client y = {.password = "pw", .nonce = "abc", .gs2_header = "y,,"};
    assert_false(test_exchange(&config, "SCRAM-SHA-256", &y, &err));
    test_err_expect(&err, "28000", "SCRAM channel binding negotiation error",
                    "The client supports SCRAM channel binding but thinks the server does not.  "
                    "However, this server does support channel binding.");
    /* -PLUS chosen but no binding data. */
    err = test_err();
    assert_false(test_exchange(&config, "SCRAM-SHA-256-PLUS", &n, &err));
    test_err_expect(&err, "08P01", "malformed SCRAM message",
                    "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not "
                    "include channel binding data.");
    err = test_err();
    assert_false(test_exchange(&config, "SCRAM-SHA-256-PLUS", &y, &err));
    assert_string_equal(err.sqlstate, "08P01");
    /* Only tls-server-end-point exists here; the type is echoed sanitised and cut at 30. */
    const char *types[][2] = {
        {"p=tls-unique,,n=,r=abc", "unsupported SCRAM channel-binding type \"tls-unique\""},
        {"p=a\tb\xff" "0123456789012345678901234567890,,n=,r=abc",
         "unsupported SCRAM channel-binding type \"a?b?01234567890123456789012345\""},
    };
    for (int i = 0; i < 2; i++) {
        err = test_err();
        net_scram scram;
        net_scram_output out;
        assert_true(net_scram_init(&scram, &config, &err));
        assert_false(net_scram_begin(&scram, "SCRAM-SHA-256-PLUS", (const uint8_t *)types[i][0],
                                     (int32_t)strlen(types[i][0]), &out, &err));
        test_err_expect(&err, "08P01", types[i][1], NULL);
        net_scram_finish(&scram);
    }
}

static void test_net_scram_mechanism_list(void **state) {
    uint8_t buf[NET_SCRAM_MECHANISMS_BYTES_MAX];
    uint32_t len = net_scram_mechanisms(true, buf);
    assert_int_equal(len, sizeof "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0");
    assert_memory_equal(buf, "SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0", len);
    len = net_scram_mechanisms(false, buf);
    assert_int_equal(len, sizeof "SCRAM-SHA-256\0");
    assert_memory_equal(buf, "SCRAM-SHA-256\0", len);
    /* -PLUS without TLS, or an unknown name, is refused. */
    rt_err err = test_err();
    net_scram_config config = test_config("alice", NULL);
    test_client c = {.password = "pw", .nonce = "abc", .gs2_header = "n,,"};
    assert_false(test_exchange(&config, "SCRAM-SHA-256-PLUS", &c, &err));
    test_err_expect(&err, "08P01", "client selected an invalid SASL authentication mechanism",
                    NULL);
    err = test_err();
    assert_false(test_exchange(&config, "SCRAM-SHA-1", &c, &err));
    test_err_expect(&err, "08P01", "client selected an invalid SASL authentication mechanism",
                    NULL);
    /* A length field below -1 from the wire. */
    err = test_err();
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, &config, &err));
    assert_false(net_scram_begin(&scram, "SCRAM-SHA-256", NULL, -2, &out, &err));
    test_err_expect(&err, "08P01", "insufficient data left in message", NULL);
    net_scram_finish(&scram);
}

/* Runs only the first step and returns the salt the server announced. */
static void test_first_salt(const net_scram_config *config, char *salt, size_t cap) {
    rt_err err = test_err();
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, config, &err));
    assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)"n,,n=,r=abc", 11,
                                &out, &err));
    char msg[512];
    memcpy(msg, out.data, out.len);
    msg[out.len] = '\0';
    const char *s = strstr(msg, ",s=");
    const char *i = strstr(msg, ",i=");
    assert_non_null(s);
    assert_non_null(i);
    assert_string_equal(i, ",i=4096");
    snprintf(salt, cap, "%.*s", (int)(i - s - 3), s + 3);
    net_scram_finish(&scram);
}

static void test_net_scram_unknown_role_runs_a_mock_exchange(void **state) {
    rt_err err = test_err();
    net_scram_config ghost = test_config("ghost", NULL);
    char salt1[64], salt2[64], salt3[64], salt4[64];
    test_first_salt(&ghost, salt1, sizeof salt1);
    test_first_salt(&ghost, salt2, sizeof salt2);
    assert_string_equal(salt1, salt2); /* stable: asking twice reveals nothing */
    assert_int_equal(strlen(salt1), 24); /* 16 bytes, like a real verifier's */
    net_scram_config other = test_config("ghost2", NULL);
    test_first_salt(&other, salt3, sizeof salt3);
    assert_string_not_equal(salt1, salt3);
    uint8_t key2[NET_SCRAM_MOCK_KEY_BYTES] = {1};
    net_scram_config rekeyed = ghost;
    rekeyed.mock_key = key2;
    test_first_salt(&rekeyed, salt4, sizeof salt4);
    assert_string_not_equal(salt1, salt4);
    /* Any password fails like a wrong one; nothing extra for the server log. */
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, &ghost, &err));
    test_client c = {.password = "", .nonce = "abc", .gs2_header = "n,,"};
    const char *first = test_client_first(&c);
    assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)first,
                                (int32_t)strlen(first), &out, &err));
    char server_first[256];
    memcpy(server_first, out.data, out.len);
    server_first[out.len] = '\0';
    const char *final = test_client_final(&c, server_first);
    assert_false(net_scram_continue(&scram, (const uint8_t *)final, (uint32_t)strlen(final),
                                    &out, &err));
    test_err_expect(&err, "28P01", "password authentication failed for user \"ghost\"", NULL);
    assert_string_equal(net_scram_log_detail(&scram), "");
    net_scram_finish(&scram);
}

static void test_net_scram_role_without_scram_secret_fails(void **state) {
    const char *secrets[] = {"md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "plain text",
                             "SCRAM-SHA-256$4096:YQ=a$xx:yy"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        rt_err err = test_err();
        net_scram_config config = test_config("bob", secrets[i]);
        test_client c = {.password = secrets[i], .nonce = "abc", .gs2_header = "n,,"};
        net_scram scram;
        assert_true(net_scram_init(&scram, &config, &err));
        assert_string_equal(net_scram_log_detail(&scram),
                            "User \"bob\" does not have a valid SCRAM secret.");
        net_scram_finish(&scram);
        assert_false(test_exchange(&config, "SCRAM-SHA-256", &c, &err));
        test_err_expect(&err, "28P01", "password authentication failed for user \"bob\"", NULL);
    }
}

/* ---- (3) malformed messages, as PostgreSQL 15 answers them ---- */

typedef struct test_bad {
    const char *msg;
    uint32_t len; /* 0 = strlen(msg) */
    const char *sqlstate;
    const char *message;
    const char *detail;
} test_bad;

#define MALFORMED "08P01", "malformed SCRAM message"

static const test_bad TEST_BAD_FIRST[] = {
    {"", 0, MALFORMED, "The message is empty."},
    {"x,,n=,r=abc", 0, MALFORMED, "Unexpected channel-binding flag \"'x'\"."},
    {"\x01,,n=,r=", 0, MALFORMED, "Unexpected channel-binding flag \"0x01\"."},
    {"nx", 0, MALFORMED, "Comma expected, but found character \"'x'\"."},
    {"n", 0, MALFORMED, "Comma expected, but found character \"0x00\"."},
    {"n,x", 0, MALFORMED, "Unexpected attribute \"'x'\" in client-first-message."},
    {"p=tls-server-end-point,,n=,r=abc", 0, MALFORMED,
     "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message "
     "includes channel binding data."},
    {"n,a=foo,n=,r=abc", 0, "0A000",
     "client uses authorization identity, but it is not supported", NULL},
    {"n,,m=foo,n=,r=abc", 0, "0A000", "client requires an unsupported SCRAM extension", NULL},
    {"n,,x=,r=abc", 0, MALFORMED, "Expected attribute \"n\" but found \"'x'\"."},
    {"n,,n,r=abc", 0, MALFORMED, "Expected character \"=\" for attribute \"n\"."},
    {"n,,n=,q=abc", 0, MALFORMED, "Expected attribute \"r\" but found \"'q'\"."},
    {"n,,n=", 0, MALFORMED, "Expected attribute \"r\" but found \"0x00\"."},
    {"n,,n=,r=ab c", 0, "08P01", "non-printable characters in SCRAM nonce", NULL},
    {"n,,n=,r=abc,1=2", 0, MALFORMED,
     "Attribute expected, but found invalid character \"'1'\"."},
    {"n,,n=,r=abc,x", 0, MALFORMED, "Expected character \"=\" for attribute \"x\"."},
    {"n,,n=,r=abc\0zz", 14, MALFORMED, "Message length does not match input length."},
};

static void test_net_scram_malformed_first_messages(void **state) {
    for (size_t i = 0; i < sizeof TEST_BAD_FIRST / sizeof TEST_BAD_FIRST[0]; i++) {
        const test_bad *bad = &TEST_BAD_FIRST[i];
        rt_err err = test_err();
        net_scram_config config = test_config("alice", NULL);
        net_scram scram;
        net_scram_output out;
        assert_true(net_scram_init(&scram, &config, &err));
        uint32_t len = bad->len != 0 ? bad->len : (uint32_t)strlen(bad->msg);
        assert_false(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)bad->msg,
                                     (int32_t)len, &out, &err));
        test_err_expect(&err, bad->sqlstate, bad->message, bad->detail);
        net_scram_finish(&scram);
    }
    /* Accepted by PostgreSQL too: a trailing comma, unknown extensions, an empty nonce. */
    const char *good[] = {"n,,n=,r=abc,", "n,,n=whoever,r=abc,x=1,y=2", "n,,n=,r="};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        rt_err err = test_err();
        net_scram_config config = test_config("alice", NULL);
        net_scram scram;
        net_scram_output out;
        assert_true(net_scram_init(&scram, &config, &err));
        assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)good[i],
                                    (int32_t)strlen(good[i]), &out, &err));
        net_scram_finish(&scram);
    }
}

#define PROOF_ANY "p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define FAILED "28P01", "password authentication failed for user \"alice\""

/* "NONCE" in msg stands for the full nonce the server announced. */
static const test_bad TEST_BAD_FINAL[] = {
    {"c=eSws,r=NONCE," PROOF_ANY, 0, "08P01",
     "unexpected SCRAM channel-binding attribute in client-final-message", NULL},
    {"c=biwz,r=NONCE," PROOF_ANY, 0, "08P01",
     "unexpected SCRAM channel-binding attribute in client-final-message", NULL},
    {"r=NONCE," PROOF_ANY, 0, MALFORMED, "Expected attribute \"c\" but found \"'r'\"."},
    {"c=biws,r=NONCEx," PROOF_ANY, 0, "08P01", "invalid SCRAM response",
     "Nonce does not match."},
    {"c=biws,r=abc," PROOF_ANY, 0, "08P01", "invalid SCRAM response", "Nonce does not match."},
    {"c=biws,r=NONCE,p=AAAA", 0, MALFORMED, "Malformed proof in client-final-message."},
    {"c=biws,r=NONCE,p=!!!!", 0, MALFORMED, "Malformed proof in client-final-message."},
    {"c=biws,r=NONCE,p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, MALFORMED,
     "Malformed proof in client-final-message."},
    {"c=biws,r=NONCE," PROOF_ANY ",x=1", 0, MALFORMED,
     "Garbage found at the end of client-final-message."},
    {"c=biws,r=NONCE", 0, MALFORMED, "Attribute expected, but found end of string."},
    {"c=biws,r=NONCE,x=1", 0, MALFORMED, "Attribute expected, but found end of string."},
    {"", 0, MALFORMED, "The message is empty."},
    /* Well-formed but wrong proofs. */
    {"c=biws,r=NONCE," PROOF_ANY, 0, FAILED, NULL},
    {"c=biws,r=NONCE,x=1," PROOF_ANY, 0, FAILED, NULL},
    {"c=biws,r=NONCE," PROOF_ANY ",", 0, FAILED, NULL},
};

static void test_net_scram_bad_final(const char *first, const test_bad *bad) {
    rt_err err = test_err();
    assert_true(net_scram_secret_create("pw", test_secret, &err));
    net_scram_config config = test_config("alice", test_secret);
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, &config, &err));
    assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)first,
                                (int32_t)strlen(first), &out, &err));
    char nonce[128];
    const char *comma = memchr(out.data, ',', out.len);
    snprintf(nonce, sizeof nonce, "%.*s", (int)(comma - (const char *)out.data - 2),
             (const char *)out.data + 2);
    char msg[512];
    const char *at = strstr(bad->msg, "NONCE");
    if (at != NULL) {
        snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - bad->msg), bad->msg, nonce, at + 5);
    } else {
        snprintf(msg, sizeof msg, "%s", bad->msg);
    }
    assert_false(net_scram_continue(&scram, (const uint8_t *)msg, (uint32_t)strlen(msg), &out,
                                    &err));
    test_err_expect(&err, bad->sqlstate, bad->message, bad->detail);
    net_scram_finish(&scram);
}

static void test_net_scram_malformed_final_messages(void **state) {
    for (size_t i = 0; i < sizeof TEST_BAD_FINAL / sizeof TEST_BAD_FINAL[0]; i++) {
        test_net_scram_bad_final("n,,n=,r=abc", &TEST_BAD_FINAL[i]);
    }
    /* The binding attribute must repeat the flag of the first message. */
    test_bad y_then_n = {"c=biws,r=NONCE," PROOF_ANY, 0, "08P01",
                         "unexpected SCRAM channel-binding attribute in client-final-message",
                         NULL};
    test_net_scram_bad_final("y,,n=,r=abc", &y_then_n);
    test_bad y_then_y = {"c=eSws,r=NONCE," PROOF_ANY, 0, FAILED, NULL};
    test_net_scram_bad_final("y,,n=,r=abc", &y_then_y);
}

static void test_net_scram_oversized_message_fails_authentication(void **state) {
    char big[NET_SCRAM_MESSAGE_BYTES_MAX + 2];
    memset(big, 'a', sizeof big);
    memcpy(big, "n,,n=,r=", 8);
    rt_err err = test_err();
    net_scram_config config = test_config("alice", NULL);
    net_scram scram;
    net_scram_output out;
    assert_true(net_scram_init(&scram, &config, &err));
    assert_false(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)big,
                                 (int32_t)sizeof big, &out, &err));
    test_err_expect(&err, FAILED, NULL);
    assert_string_equal(net_scram_log_detail(&scram), "invalid message length");
    net_scram_finish(&scram);
    /* Exactly at the limit is fine. */
    err = test_err();
    assert_true(net_scram_init(&scram, &config, &err));
    assert_true(net_scram_begin(&scram, "SCRAM-SHA-256", (const uint8_t *)big,
                                NET_SCRAM_MESSAGE_BYTES_MAX, &out, &err));
    net_scram_finish(&scram);
}

/* ---- (4) verifiers ---- */

#define KEY_A "k3QR9Z4+zLgYvI4eydpNibsSd7ssB0b/omgk4t5sagI="
#define KEY_B "/IhC/5i75LdiBogiFXXcCT8FkDegu9LBNS0+XpAoNZE="

static void test_net_scram_secret_parse_accepts_and_rejects(void **state) {
    net_scram_secret s;
    assert_true(net_scram_secret_parse(
        "SCRAM-SHA-256$4096:+i37E/3VDbwB0zvH3dWUsg==$" KEY_A ":" KEY_B, &s));
    assert_int_equal(s.iterations, 4096);
    assert_int_equal(s.salt_len, 16);
    assert_true(net_scram_secret_parse("SCRAM-SHA-256$1:YQ==$" KEY_A ":" KEY_B, &s));
    assert_int_equal(s.salt_len, 1);
    assert_true(net_scram_secret_parse("SCRAM-SHA-256$2147483647:YWI=$" KEY_A ":" KEY_B, &s));
    const char *bad[] = {
        "",
        "SCRAM-SHA-256",
        "scram-sha-256$4096:YQ==$" KEY_A ":" KEY_B,           /* scheme is case-sensitive */
        "SCRAM-SHA-256$$4096:YQ==$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$4096:$" KEY_A ":" KEY_B,               /* empty salt */
        "SCRAM-SHA-256$4096::YQ==$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$4096:YQ$" KEY_A ":" KEY_B,             /* unpadded */
        "SCRAM-SHA-256$4096:YQ=a$" KEY_A ":" KEY_B,           /* '=' inside */
        "SCRAM-SHA-256$4096:Y Q=$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$4096:YQ==$$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$4096:YQ==$" KEY_A "::" KEY_B,
        "SCRAM-SHA-256$4096:YQ==$" KEY_A ":" KEY_B "=",
        "SCRAM-SHA-256$4096:YQ==$" KEY_A ":" KEY_B " ",
        "SCRAM-SHA-256$4096:YQ==$" KEY_A ":" KEY_B ":extra",
        "SCRAM-SHA-256$4096:YQ==$" KEY_A ":",
        "SCRAM-SHA-256$4096:YQ==$YQ==:" KEY_B,                 /* short key */
        "SCRAM-SHA-256$0:YQ==$" KEY_A ":" KEY_B,               /* clients refuse i=0 */
        "SCRAM-SHA-256$-5:YQ==$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$ 4096:YQ==$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$2147483648:YQ==$" KEY_A ":" KEY_B,
        "SCRAM-SHA-256$99999999999:YQ==$" KEY_A ":" KEY_B,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (net_scram_secret_parse(bad[i], &s)) fail_msg("accepted: %s", bad[i]);
    }
    /* A salt beyond NET_SCRAM_SALT_BYTES_MAX is not a verifier either. */
    char big[1024] = "SCRAM-SHA-256$4096:";
    size_t n = strlen(big);
    for (int i = 0; i < 344 + 4; i++) big[n++] = 'A';
    snprintf(big + n, sizeof big - n, "$%s:%s", KEY_A, KEY_B);
    assert_false(net_scram_secret_parse(big, &s));
}

static void test_net_scram_secret_create_and_kinds(void **state) {
    rt_err err = test_err();
    char a[NET_SCRAM_SECRET_BYTES_MAX], b[NET_SCRAM_SECRET_BYTES_MAX];
    assert_true(net_scram_secret_create("pw", a, &err));
    assert_true(net_scram_secret_create("pw", b, &err));
    assert_string_not_equal(a, b); /* fresh salt each time */
    net_scram_secret s;
    assert_true(net_scram_secret_parse(a, &s));
    assert_int_equal(s.iterations, 4096);
    assert_int_equal(s.salt_len, 16);
    assert_int_equal(strncmp(a, "SCRAM-SHA-256$4096:", 19), 0);
    assert_int_equal(net_scram_password_kind_of(a), NET_SCRAM_PASSWORD_SCRAM);
    assert_int_equal(net_scram_password_kind_of("md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                     NET_SCRAM_PASSWORD_MD5);
    assert_int_equal(net_scram_password_kind_of("md5AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                     NET_SCRAM_PASSWORD_PLAINTEXT);
    assert_int_equal(net_scram_password_kind_of("md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaz"),
                     NET_SCRAM_PASSWORD_PLAINTEXT);
    assert_int_equal(net_scram_password_kind_of("hunter2"), NET_SCRAM_PASSWORD_PLAINTEXT);
    /* CREATE ROLE ... PASSWORD: hashes are stored as given, plain text is hashed. */
    char out[NET_SCRAM_SECRET_BYTES_MAX];
    assert_true(net_scram_password_encrypt(a, out, &err));
    assert_string_equal(out, a);
    assert_true(net_scram_password_encrypt("md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", out, &err));
    assert_string_equal(out, "md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_true(net_scram_password_encrypt("hunter2", out, &err));
    assert_true(net_scram_secret_parse(out, &s));
    /* Bad parameters are errors, not crashes. */
    uint8_t salt[1] = {0};
    assert_false(net_scram_secret_build("pw", salt, 0, 4096, out, &err));
    assert_string_equal(err.sqlstate, "22023");
    err = test_err();
    assert_false(net_scram_secret_build("pw", salt, 1, 0, out, &err));
    assert_string_equal(err.sqlstate, "22023");
}

/* ---- (5) tls-server-end-point ---- */

static void test_cert_hash_expect(test_key_type type, const EVP_MD *sign_md,
                                  const EVP_MD *hash_md) {
    EVP_PKEY *key = test_key_make(type);
    assert_non_null(key);
    X509 *cert = test_cert_make(key, sign_md);
    assert_non_null(cert);
    uint8_t got[NET_SCRAM_CBIND_HASH_BYTES_MAX], want[EVP_MAX_MD_SIZE];
    uint32_t got_len = 0;
    unsigned int want_len = 0;
    rt_err err = test_err();
    assert_true(net_scram_cert_hash(cert, got, &got_len, &err));
    assert_int_equal(X509_digest(cert, hash_md, want, &want_len), 1);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_net_scram_cert_hash_per_signature(void **state) {
    /* RFC 5929 4.1: the signature's hash, except MD5 and SHA-1 become SHA-256. */
    test_cert_hash_expect(TEST_KEY_EC, EVP_sha256(), EVP_sha256());
    test_cert_hash_expect(TEST_KEY_EC, EVP_sha384(), EVP_sha384());
    test_cert_hash_expect(TEST_KEY_EC, EVP_sha512(), EVP_sha512());
    test_cert_hash_expect(TEST_KEY_EC, EVP_sha1(), EVP_sha256());
    test_cert_hash_expect(TEST_KEY_RSA, EVP_sha256(), EVP_sha256());
    test_cert_hash_expect(TEST_KEY_RSA, EVP_sha1(), EVP_sha256());
    test_cert_hash_expect(TEST_KEY_RSA, EVP_sha384(), EVP_sha384());
    /* Ed25519 has no separate hash: no tls-server-end-point binding. */
    EVP_PKEY *key = test_key_make(TEST_KEY_ED25519);
    X509 *cert = test_cert_make(key, NULL);
    assert_non_null(cert);
    uint8_t got[NET_SCRAM_CBIND_HASH_BYTES_MAX];
    uint32_t got_len = 0;
    rt_err err = test_err();
    assert_false(net_scram_cert_hash(cert, got, &got_len, &err));
    assert_string_equal(err.sqlstate, "XX000");
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* ---- (6) a real PostgreSQL 15 ---- */

static test_pg test_cluster;
static bool test_cluster_up;

static int test_cluster_setup(void **state) {
    test_cluster_up = test_pg_start(&test_cluster, false,
                                    "local all postgres trust\n"
                                    "local all all scram-sha-256\n",
                                    "password_encryption = 'scram-sha-256'");
    return 0;
}

static int test_cluster_teardown(void **state) {
    test_pg_stop(&test_cluster);
    return 0;
}

/* Sets a role's password with SQL and returns pg_authid.rolpassword. */
static void test_pg_password_set(const char *role, const char *password, char *stored,
                                 size_t cap) {
    char sql[1024];
    PGconn *conn = test_pg_connect(&test_cluster, NULL, NULL);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    char *literal = PQescapeLiteral(conn, password, strlen(password));
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; DROP ROLE IF EXISTS %s; "
             "CREATE ROLE %s LOGIN PASSWORD %s",
             role, role, literal);
    PQfreemem(literal);
    PQfinish(conn);
    assert_true(test_pg_exec(&test_cluster, sql, NULL, 0));
    snprintf(sql, sizeof sql, "SELECT rolpassword FROM pg_authid WHERE rolname = '%s'", role);
    assert_true(test_pg_exec(&test_cluster, sql, stored, cap));
}

static void test_net_scram_pg_verifiers_work_here(void **state) {
    if (!test_cluster_up) skip();
    const char *passwords[] = {"secret", "p@ss w0rd,=;$'\"\\", "p\xc3\xa4ssw\xc3\xb6rd",
                               "0123456789012345678901234567890123456789012345678901234567890123"
                               "456789 longer than one SHA-256 block"};
    for (size_t i = 0; i < sizeof passwords / sizeof passwords[0]; i++) {
        char stored[NET_SCRAM_SECRET_BYTES_MAX];
        test_pg_password_set("alice", passwords[i], stored, sizeof stored);
        net_scram_secret s;
        assert_true(net_scram_secret_parse(stored, &s));
        /* Same salt and count give the same text: our derivation is PostgreSQL's. */
        char ours[NET_SCRAM_SECRET_BYTES_MAX];
        rt_err err = test_err();
        assert_true(net_scram_secret_build(passwords[i], s.salt, s.salt_len, s.iterations, ours,
                                           &err));
        assert_string_equal(ours, stored);
        net_scram_config config = test_config("alice", stored);
        test_client good = {.password = passwords[i], .nonce = "r4nd0m", .gs2_header = "n,,"};
        assert_true(test_exchange(&config, "SCRAM-SHA-256", &good, &err));
        test_client bad = {.password = "wrong", .nonce = "r4nd0m", .gs2_header = "n,,"};
        assert_false(test_exchange(&config, "SCRAM-SHA-256", &bad, &err));
        assert_string_equal(err.sqlstate, "28P01");
    }
}

static void test_net_scram_pg_accepts_our_verifiers(void **state) {
    if (!test_cluster_up) skip();
    const char *passwords[] = {"hunter2", "with 'quotes' and \\ backslash", "p\xc3\xa4ss"};
    for (size_t i = 0; i < sizeof passwords / sizeof passwords[0]; i++) {
        char verifier[NET_SCRAM_SECRET_BYTES_MAX], stored[NET_SCRAM_SECRET_BYTES_MAX];
        rt_err err = test_err();
        assert_true(net_scram_secret_create(passwords[i], verifier, &err));
        test_pg_password_set("bob", verifier, stored, sizeof stored);
        assert_string_equal(stored, verifier); /* PostgreSQL kept it as given */
        PGconn *conn = test_pg_connect(&test_cluster, "bob", passwords[i]);
        if (PQstatus(conn) != CONNECTION_OK) fail_msg("login failed: %s", PQerrorMessage(conn));
        PQfinish(conn);
        conn = test_pg_connect(&test_cluster, "bob", "not it");
        assert_int_not_equal(PQstatus(conn), CONNECTION_OK);
        assert_non_null(strstr(PQerrorMessage(conn),
                               "password authentication failed for user \"bob\""));
        PQfinish(conn);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_scram_rfc7677_vector),
        cmocka_unit_test(test_net_scram_exchange_succeeds_with_the_password),
        cmocka_unit_test(test_net_scram_wrong_password_is_28P01),
        cmocka_unit_test(test_net_scram_server_nonce_is_random),
        cmocka_unit_test(test_net_scram_empty_initial_response_gets_empty_challenge),
        cmocka_unit_test(test_net_scram_channel_binding),
        cmocka_unit_test(test_net_scram_mechanism_list),
        cmocka_unit_test(test_net_scram_unknown_role_runs_a_mock_exchange),
        cmocka_unit_test(test_net_scram_role_without_scram_secret_fails),
        cmocka_unit_test(test_net_scram_malformed_first_messages),
        cmocka_unit_test(test_net_scram_malformed_final_messages),
        cmocka_unit_test(test_net_scram_oversized_message_fails_authentication),
        cmocka_unit_test(test_net_scram_secret_parse_accepts_and_rejects),
        cmocka_unit_test(test_net_scram_secret_create_and_kinds),
        cmocka_unit_test(test_net_scram_cert_hash_per_signature),
        cmocka_unit_test(test_net_scram_pg_verifiers_work_here),
        cmocka_unit_test(test_net_scram_pg_accepts_our_verifiers),
    };
    return cmocka_run_group_tests(tests, test_cluster_setup, test_cluster_teardown);
}
