/* net_scram.c: SCRAM-SHA-256 server side (see net_scram.h for the contract).
 *
 * Messages are parsed the way PostgreSQL 15 reads them, because clients and tests match on
 * the resulting errors: a message is a NUL-free string of "x=value" attributes separated by
 * commas; a value runs to the next comma or the end; a comma right before the end is
 * consumed with the value before it (so "r=abc," is a complete nonce attribute). Error
 * details print an offending byte as 'c' when printable ASCII, else as 0x.. hex, and never
 * echo client text unsanitised, so an unauthenticated client cannot put arbitrary bytes in
 * the server log. */
#include "net/net_scram.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define NET_SCRAM_CBIND_HEADER "p=tls-server-end-point,,"
#define NET_SCRAM_SECRET_PREFIX "SCRAM-SHA-256$"

/* AuthMessage = client-first-message-bare "," server-first-message "," client-final-without-
 * proof; each part is bounded, so it fits a stack buffer. */
#define NET_SCRAM_AUTH_MESSAGE_BYTES_MAX                                                     \
    (NET_SCRAM_MESSAGE_BYTES_MAX * 2 + sizeof(((net_scram *)0)->server_first) + 2)

static const char NET_SCRAM_B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- base64 (RFC 4648, padded) ------------------------------------------------------------ */

/* Characters of the encoding of n bytes (without the NUL). */
#define NET_SCRAM_B64_LEN(n) (((n) + 2) / 3 * 4)

/* Writes the encoding and a NUL; `out` holds NET_SCRAM_B64_LEN(len) + 1 bytes. */
static uint32_t net_scram_b64_encode(const uint8_t *in, uint32_t len, char *out) {
    uint32_t o = 0;
    for (uint32_t i = 0; i < len; i += 3) {
        uint32_t rest = len - i;
        uint32_t v = (uint32_t)in[i] << 16;
        if (rest > 1) v |= (uint32_t)in[i + 1] << 8;
        if (rest > 2) v |= in[i + 2];
        out[o++] = NET_SCRAM_B64[(v >> 18) & 63];
        out[o++] = NET_SCRAM_B64[(v >> 12) & 63];
        out[o++] = rest > 1 ? NET_SCRAM_B64[(v >> 6) & 63] : '=';
        out[o++] = rest > 2 ? NET_SCRAM_B64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int net_scram_b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Strict decoding of untrusted text: whole groups of four, '=' only as the last one or two
 * characters. Returns the decoded length, or -1 if malformed or longer than `cap`. */
static int64_t net_scram_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap) {
    if (len == 0 || len % 4 != 0) return -1;
    size_t pad = in[len - 1] == '=' ? (in[len - 2] == '=' ? 2 : 1) : 0;
    size_t out_len = len / 4 * 3 - pad;
    if (out_len > cap) return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            bool is_pad = i + k >= len - pad;
            int d = is_pad ? 0 : net_scram_b64_value(in[i + k]);
            if (d < 0) return -1;
            v = v << 6 | (uint32_t)d;
        }
        uint8_t bytes[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        for (size_t k = 0; k < 3 && o < out_len; k++) out[o++] = bytes[k];
    }
    return (int64_t)out_len;
}

/* ---- key derivation ------------------------------------------------------------------------ */

/* SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations); StoredKey and ServerKey
 * from it (RFC 5802 section 3). */
static bool net_scram_keys_derive(const char *password, size_t password_len,
                                  const uint8_t *salt, uint32_t salt_len, int32_t iterations,
                                  uint8_t stored_key[NET_SCRAM_KEY_BYTES],
                                  uint8_t server_key[NET_SCRAM_KEY_BYTES], rt_err *err) {
    uint8_t salted[NET_SCRAM_KEY_BYTES];
    uint8_t client_key[NET_SCRAM_KEY_BYTES];
    bool ok = PKCS5_PBKDF2_HMAC(password, (int)password_len, salt, (int)salt_len, iterations,
                                EVP_sha256(), NET_SCRAM_KEY_BYTES, salted) == 1;
    ok = ok && HMAC(EVP_sha256(), salted, sizeof salted, (const uint8_t *)"Client Key", 10,
                    client_key, NULL) != NULL;
    ok = ok && SHA256(client_key, sizeof client_key, stored_key) != NULL;
    ok = ok && HMAC(EVP_sha256(), salted, sizeof salted, (const uint8_t *)"Server Key", 10,
                    server_key, NULL) != NULL;
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(client_key, sizeof client_key);
    if (!ok) return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "could not compute server key");
    return true;
}

/* ---- stored verifiers ---------------------------------------------------------------------- */

/* A decimal in 1..INT32_MAX, digits only (PostgreSQL's strtol also takes signs, blanks and
 * values a client would refuse: such strings are not verifiers here). */
static bool net_scram_iterations_parse(const char *s, size_t len, int32_t *out) {
    if (len == 0 || len > 10) return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > INT32_MAX) return false;
    *out = (int32_t)v;
    return true;
}

bool net_scram_secret_parse(const char *text, net_scram_secret *out) {
    size_t prefix_len = strlen(NET_SCRAM_SECRET_PREFIX);
    size_t len = strnlen(text, NET_SCRAM_SECRET_BYTES_MAX);
    if (len >= NET_SCRAM_SECRET_BYTES_MAX) return false;
    if (strncmp(text, NET_SCRAM_SECRET_PREFIX, prefix_len) != 0) return false;
    /* <iterations> ":" <salt> "$" <StoredKey> ":" <ServerKey>, none of them empty */
    const char *iter = text + prefix_len;
    const char *colon1 = strchr(iter, ':');
    if (colon1 == NULL) return false;
    const char *salt = colon1 + 1;
    const char *dollar = strchr(salt, '$');
    if (dollar == NULL) return false;
    const char *stored = dollar + 1;
    const char *colon2 = strchr(stored, ':');
    if (colon2 == NULL) return false;
    const char *server = colon2 + 1;
    const char *end = text + len;
    if (!net_scram_iterations_parse(iter, (size_t)(colon1 - iter), &out->iterations)) {
        return false;
    }
    int64_t n = net_scram_b64_decode(salt, (size_t)(dollar - salt), out->salt,
                                     sizeof out->salt);
    if (n <= 0) return false;
    out->salt_len = (uint32_t)n;
    n = net_scram_b64_decode(stored, (size_t)(colon2 - stored), out->stored_key,
                             NET_SCRAM_KEY_BYTES);
    if (n != NET_SCRAM_KEY_BYTES) return false;
    n = net_scram_b64_decode(server, (size_t)(end - server), out->server_key,
                             NET_SCRAM_KEY_BYTES);
    return n == NET_SCRAM_KEY_BYTES;
}

bool net_scram_secret_build(const char *password, const uint8_t *salt, uint32_t salt_len,
                            int32_t iterations, char out[NET_SCRAM_SECRET_BYTES_MAX],
                            rt_err *err) {
    if (salt_len == 0 || salt_len > NET_SCRAM_SALT_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "SCRAM salt length %u is out of range", salt_len);
    }
    if (iterations < 1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "SCRAM iteration count %d is out of range", iterations);
    }
    size_t password_len = strnlen(password, (size_t)NET_SCRAM_PASSWORD_BYTES_MAX + 1);
    if (password_len > NET_SCRAM_PASSWORD_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "password is too long");
    }
    /* SASLprep: identity for ASCII; raw bytes otherwise (see net_scram.h). */
    uint8_t stored_key[NET_SCRAM_KEY_BYTES];
    uint8_t server_key[NET_SCRAM_KEY_BYTES];
    if (!net_scram_keys_derive(password, password_len, salt, salt_len, iterations, stored_key,
                               server_key, err)) {
        return false;
    }
    char salt_b64[NET_SCRAM_B64_LEN(NET_SCRAM_SALT_BYTES_MAX) + 1];
    char stored_b64[NET_SCRAM_B64_LEN(NET_SCRAM_KEY_BYTES) + 1];
    char server_b64[NET_SCRAM_B64_LEN(NET_SCRAM_KEY_BYTES) + 1];
    net_scram_b64_encode(salt, salt_len, salt_b64);
    net_scram_b64_encode(stored_key, NET_SCRAM_KEY_BYTES, stored_b64);
    net_scram_b64_encode(server_key, NET_SCRAM_KEY_BYTES, server_b64);
    int n = snprintf(out, NET_SCRAM_SECRET_BYTES_MAX, "%s%d:%s$%s:%s", NET_SCRAM_SECRET_PREFIX,
                     iterations, salt_b64, stored_b64, server_b64);
    RT_ASSERT(n > 0 && n < NET_SCRAM_SECRET_BYTES_MAX);
    OPENSSL_cleanse(stored_key, sizeof stored_key);
    OPENSSL_cleanse(server_key, sizeof server_key);
    return true;
}

bool net_scram_secret_create(const char *password, char out[NET_SCRAM_SECRET_BYTES_MAX],
                             rt_err *err) {
    uint8_t salt[NET_SCRAM_SALT_BYTES_DEFAULT];
    if (RAND_bytes(salt, sizeof salt) != 1) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "could not generate random salt");
    }
    return net_scram_secret_build(password, salt, sizeof salt, NET_SCRAM_ITERATIONS_DEFAULT,
                                  out, err);
}

net_scram_password_kind net_scram_password_kind_of(const char *password) {
    /* MD5: "md5" followed by exactly 32 lower-case hex digits, as PostgreSQL recognises it. */
    if (strncmp(password, "md5", 3) == 0 && strlen(password) == 35) {
        bool hex = true;
        for (int i = 3; i < 35; i++) {
            char c = password[i];
            hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        }
        if (hex) return NET_SCRAM_PASSWORD_MD5;
    }
    net_scram_secret secret;
    bool scram = net_scram_secret_parse(password, &secret);
    OPENSSL_cleanse(&secret, sizeof secret);
    return scram ? NET_SCRAM_PASSWORD_SCRAM : NET_SCRAM_PASSWORD_PLAINTEXT;
}

bool net_scram_password_encrypt(const char *password, char out[NET_SCRAM_SECRET_BYTES_MAX],
                                rt_err *err) {
    if (net_scram_password_kind_of(password) != NET_SCRAM_PASSWORD_PLAINTEXT) {
        /* Already hashed (pg_dump output, a client that hashes itself): keep as given. Both
         * recognised forms are shorter than the buffer. */
        size_t len = strlen(password);
        RT_ASSERT(len < NET_SCRAM_SECRET_BYTES_MAX);
        memcpy(out, password, len + 1);
        return true;
    }
    return net_scram_secret_create(password, out, err);
}

/* ---- channel binding ----------------------------------------------------------------------- */

bool net_scram_cert_hash(X509 *cert, uint8_t out[NET_SCRAM_CBIND_HASH_BYTES_MAX],
                         uint32_t *out_len, rt_err *err) {
    int md_nid = NID_undef;
    /* X509_get_signature_info also finds the hash inside RSA-PSS parameters. */
    if (X509_get_signature_info(cert, &md_nid, NULL, NULL, NULL) != 1 || md_nid == NID_undef) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR,
                          "could not determine server certificate signature algorithm");
    }
    /* RFC 5929 section 4.1: MD5 and SHA-1 are replaced by SHA-256. */
    const EVP_MD *md = md_nid == NID_md5 || md_nid == NID_sha1 ? EVP_sha256()
                                                               : EVP_get_digestbynid(md_nid);
    if (md == NULL) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "could not find digest for NID %s",
                          OBJ_nid2sn(md_nid));
    }
    unsigned int len = 0;
    if ((size_t)EVP_MD_get_size(md) > NET_SCRAM_CBIND_HASH_BYTES_MAX ||
        X509_digest(cert, md, out, &len) != 1) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR,
                          "could not generate server certificate hash");
    }
    *out_len = len;
    return true;
}

uint32_t net_scram_mechanisms(bool channel_binding,
                              uint8_t out[NET_SCRAM_MECHANISMS_BYTES_MAX]) {
    uint32_t len = 0;
    /* Strongest first, as PostgreSQL lists them. */
    if (channel_binding) {
        memcpy(out, NET_SCRAM_MECH_SHA_256_PLUS, sizeof NET_SCRAM_MECH_SHA_256_PLUS);
        len += sizeof NET_SCRAM_MECH_SHA_256_PLUS;
    }
    memcpy(out + len, NET_SCRAM_MECH_SHA_256, sizeof NET_SCRAM_MECH_SHA_256);
    len += sizeof NET_SCRAM_MECH_SHA_256;
    out[len++] = '\0';
    RT_ASSERT(len <= NET_SCRAM_MECHANISMS_BYTES_MAX);
    return len;
}

/* ---- errors of the exchange ---------------------------------------------------------------- */

/* Authentication errors end the connection, as they do in PostgreSQL. */
static bool net_scram_fatal(rt_err *err, const char *sqlstate, const char *message) {
    rt_err_set(err, sqlstate, "%s", message);
    err->severity = RT_SEV_FATAL;
    return false;
}

static bool net_scram_malformed(rt_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool net_scram_malformed(rt_err *err, const char *fmt, ...) {
    net_scram_fatal(err, SQLSTATE_PROTOCOL_VIOLATION, "malformed SCRAM message");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
    return false;
}

static bool net_scram_auth_failed(net_scram *scram, rt_err *err) {
    scram->phase = NET_SCRAM_PHASE_DONE;
    rt_err_set(err, SQLSTATE_INVALID_PASSWORD, "password authentication failed for user \"%s\"",
               scram->user_name);
    err->severity = RT_SEV_FATAL;
    return false;
}

/* One byte for an error detail: 'c' if printable ASCII, else 0xNN. */
typedef struct net_scram_char_text {
    char text[8];
} net_scram_char_text;

static net_scram_char_text net_scram_char_show(char c) {
    net_scram_char_text t;
    if (c >= 0x21 && c <= 0x7E) {
        snprintf(t.text, sizeof t.text, "'%c'", c);
    } else {
        snprintf(t.text, sizeof t.text, "0x%02x", (unsigned char)c);
    }
    return t;
}

/* ---- attribute reading --------------------------------------------------------------------- */

typedef struct net_scram_value {
    const char *ptr;
    uint32_t len;
} net_scram_value;

/* A client string for an error message: at most 30 bytes, anything not printable as '?'. */
typedef struct net_scram_value_text {
    char text[31];
} net_scram_value_text;

static net_scram_value_text net_scram_value_show(net_scram_value v) {
    net_scram_value_text t;
    uint32_t n = v.len < 30 ? v.len : 30;
    for (uint32_t i = 0; i < n; i++) {
        char c = v.ptr[i];
        t.text[i] = c >= 0x21 && c <= 0x7E ? c : '?';
    }
    t.text[n] = '\0';
    return t;
}

/* Takes the value after "x=" at *pos up to the next comma or the end; a comma is consumed. */
static net_scram_value net_scram_value_take(const char **pos) {
    net_scram_value v = {*pos, 0};
    const char *end = strchr(*pos, ',');
    if (end == NULL) {
        v.len = (uint32_t)strlen(*pos);
        *pos += v.len;
    } else {
        v.len = (uint32_t)(end - *pos);
        *pos = end + 1;
    }
    return v;
}

/* Reads attribute `attr` ("attr=value") at *pos. */
static bool net_scram_attr_read(const char **pos, char attr, net_scram_value *value,
                                rt_err *err) {
    const char *p = *pos;
    if (*p != attr) {
        return net_scram_malformed(err, "Expected attribute \"%c\" but found \"%s\".", attr,
                                   net_scram_char_show(*p).text);
    }
    p++;
    if (*p != '=') {
        return net_scram_malformed(err, "Expected character \"=\" for attribute \"%c\".", attr);
    }
    p++;
    *value = net_scram_value_take(&p);
    *pos = p;
    return true;
}

/* Reads any attribute (an ASCII letter, "=", a value) at *pos. */
static bool net_scram_attr_read_any(const char **pos, char *attr, net_scram_value *value,
                                    rt_err *err) {
    const char *p = *pos;
    char c = *p;
    if (c == '\0') {
        return net_scram_malformed(err, "Attribute expected, but found end of string.");
    }
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return net_scram_malformed(err, "Attribute expected, but found invalid character \"%s\".",
                                   net_scram_char_show(c).text);
    }
    p++;
    if (*p != '=') {
        return net_scram_malformed(err, "Expected character \"=\" for attribute \"%c\".", c);
    }
    p++;
    *attr = c;
    *value = net_scram_value_take(&p);
    *pos = p;
    return true;
}

/* RFC 5802 "printable": %x21-2B / %x2D-7E, i.e. visible ASCII except the comma. */
static bool net_scram_printable(net_scram_value v) {
    for (uint32_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (c < 0x21 || c > 0x7E || c == ',') return false;
    }
    return true;
}

/* ---- client-first-message ------------------------------------------------------------------ */

static bool net_scram_comma_expect(const char **pos, rt_err *err) {
    if (**pos != ',') {
        return net_scram_malformed(err, "Comma expected, but found character \"%s\".",
                                   net_scram_char_show(**pos).text);
    }
    (*pos)++;
    return true;
}

/* gs2-cbind-flag "," : what the client says about channel binding must agree with the
 * mechanism it chose and with what this server offered (a 'y' while the server offers
 * binding means someone stripped SCRAM-SHA-256-PLUS from the list: a downgrade). */
static bool net_scram_gs2_flag_read(net_scram *scram, const char **pos, rt_err *err) {
    static const char plus_without_data[] = "The client selected SCRAM-SHA-256-PLUS, but the "
                                            "SCRAM message does not include channel binding data.";
    char flag = **pos;
    scram->cbind_flag = flag;
    if (flag == 'n' || flag == 'y') {
        if (scram->cbind_in_use) return net_scram_malformed(err, "%s", plus_without_data);
        if (flag == 'y' && scram->cbind_hash_len > 0) {
            net_scram_fatal(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                            "SCRAM channel binding negotiation error");
            rt_err_detail(err, "The client supports SCRAM channel binding but thinks the server "
                               "does not.  However, this server does support channel binding.");
            return false;
        }
        (*pos)++;
        return net_scram_comma_expect(pos, err);
    }
    if (flag == 'p') {
        if (!scram->cbind_in_use) {
            return net_scram_malformed(err, "The client selected SCRAM-SHA-256 without channel "
                                            "binding, but the SCRAM message includes channel "
                                            "binding data.");
        }
        net_scram_value type;
        if (!net_scram_attr_read(pos, 'p', &type, err)) return false;
        if (type.len != strlen("tls-server-end-point") ||
            memcmp(type.ptr, "tls-server-end-point", type.len) != 0) {
            rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                       "unsupported SCRAM channel-binding type \"%s\"",
                       net_scram_value_show(type).text);
            err->severity = RT_SEV_FATAL;
            return false;
        }
        return true;
    }
    return net_scram_malformed(err, "Unexpected channel-binding flag \"%s\".",
                               net_scram_char_show(flag).text);
}

/* client-first-message = gs2-header client-first-message-bare, where
 * gs2-header = gs2-cbind-flag "," [authzid] "," and
 * client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions].
 * The username is ignored: PostgreSQL authenticates the role of the startup message. */
static bool net_scram_client_first_read(net_scram *scram, const char *msg, rt_err *err) {
    const char *p = msg;
    if (!net_scram_gs2_flag_read(scram, &p, err)) return false;
    if (*p == 'a') {
        return net_scram_fatal(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                               "client uses authorization identity, but it is not supported");
    }
    if (*p != ',') {
        return net_scram_malformed(err, "Unexpected attribute \"%s\" in client-first-message.",
                                   net_scram_char_show(*p).text);
    }
    p++;
    const char *bare = p;
    if (*p == 'm') {
        return net_scram_fatal(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                               "client requires an unsupported SCRAM extension");
    }
    net_scram_value user, nonce;
    if (!net_scram_attr_read(&p, 'n', &user, err)) return false;
    if (!net_scram_attr_read(&p, 'r', &nonce, err)) return false;
    if (!net_scram_printable(nonce)) {
        return net_scram_fatal(err, SQLSTATE_PROTOCOL_VIOLATION,
                               "non-printable characters in SCRAM nonce");
    }
    while (*p != '\0') { /* optional extensions: none supported, all ignored */
        char attr;
        net_scram_value ignored;
        if (!net_scram_attr_read_any(&p, &attr, &ignored, err)) return false;
    }
    scram->client_first_bare_len = (uint32_t)strlen(bare);
    memcpy(scram->client_first_bare, bare, scram->client_first_bare_len + 1);
    scram->client_nonce_off = (uint32_t)(nonce.ptr - bare);
    scram->client_nonce_len = nonce.len;
    return true;
}

/* server-first-message = nonce "," salt "," iteration-count, the nonce being the client's
 * followed by ours. */
static bool net_scram_server_first_build(net_scram *scram, rt_err *err) {
    char salt_b64[NET_SCRAM_B64_LEN(NET_SCRAM_SALT_BYTES_MAX) + 1];
    net_scram_b64_encode(scram->secret.salt, scram->secret.salt_len, salt_b64);
    int n = snprintf(scram->server_first, sizeof scram->server_first, "r=%.*s%s,s=%s,i=%d",
                     (int)scram->client_nonce_len,
                     scram->client_first_bare + scram->client_nonce_off, scram->server_nonce,
                     salt_b64, scram->secret.iterations);
    RT_ASSERT(n > 0 && (size_t)n < sizeof scram->server_first);
    scram->server_first_len = (uint32_t)n;
    return true;
}

/* ---- client-final-message ------------------------------------------------------------------ */

/* The channel-binding attribute repeats the gs2 header (base64) and, with -PLUS, appends the
 * certificate hash; it must match what the client-first-message said. */
static bool net_scram_cbind_check(const net_scram *scram, net_scram_value c, rt_err *err) {
    if (scram->cbind_in_use) {
        uint8_t input[sizeof NET_SCRAM_CBIND_HEADER - 1 + NET_SCRAM_CBIND_HASH_BYTES_MAX];
        uint32_t header_len = sizeof NET_SCRAM_CBIND_HEADER - 1;
        memcpy(input, NET_SCRAM_CBIND_HEADER, header_len);
        memcpy(input + header_len, scram->cbind_hash, scram->cbind_hash_len);
        char expected[NET_SCRAM_B64_LEN(sizeof input) + 1];
        uint32_t len = net_scram_b64_encode(input, header_len + scram->cbind_hash_len, expected);
        if (c.len != len || memcmp(c.ptr, expected, len) != 0) {
            return net_scram_fatal(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                                   "SCRAM channel binding check failed");
        }
        return true;
    }
    /* "biws" is base64("n,,"), "eSws" is base64("y,,"). */
    bool n_ok = c.len == 4 && memcmp(c.ptr, "biws", 4) == 0 && scram->cbind_flag == 'n';
    bool y_ok = c.len == 4 && memcmp(c.ptr, "eSws", 4) == 0 && scram->cbind_flag == 'y';
    if (!n_ok && !y_ok) {
        return net_scram_fatal(
            err, SQLSTATE_PROTOCOL_VIOLATION,
            "unexpected SCRAM channel-binding attribute in client-final-message");
    }
    return true;
}

typedef struct net_scram_final {
    net_scram_value nonce;
    uint32_t without_proof_len; /* client-final-message-without-proof is msg[0, len) */
    uint8_t proof[NET_SCRAM_KEY_BYTES];
} net_scram_final;

/* client-final-message = channel-binding "," nonce ["," extensions] "," proof */
static bool net_scram_client_final_read(const net_scram *scram, const char *msg,
                                        net_scram_final *final, rt_err *err) {
    const char *p = msg;
    net_scram_value cbind;
    if (!net_scram_attr_read(&p, 'c', &cbind, err)) return false;
    if (!net_scram_cbind_check(scram, cbind, err)) return false;
    if (!net_scram_attr_read(&p, 'r', &final->nonce, err)) return false;
    char attr = 0;
    net_scram_value proof;
    const char *proof_start;
    do { /* extensions are skipped up to the proof */
        proof_start = p - 1; /* the comma before the attribute */
        if (!net_scram_attr_read_any(&p, &attr, &proof, err)) return false;
    } while (attr != 'p');
    if (net_scram_b64_decode(proof.ptr, proof.len, final->proof, sizeof final->proof) !=
        NET_SCRAM_KEY_BYTES) {
        return net_scram_malformed(err, "Malformed proof in client-final-message.");
    }
    if (*p != '\0') {
        return net_scram_malformed(err, "Garbage found at the end of client-final-message.");
    }
    final->without_proof_len = (uint32_t)(proof_start - msg);
    return true;
}

static bool net_scram_nonce_check(const net_scram *scram, net_scram_value nonce) {
    uint32_t client_len = scram->client_nonce_len;
    uint32_t server_len = (uint32_t)strlen(scram->server_nonce);
    return nonce.len == client_len + server_len &&
           memcmp(nonce.ptr, scram->client_first_bare + scram->client_nonce_off, client_len) ==
               0 &&
           memcmp(nonce.ptr + client_len, scram->server_nonce, server_len) == 0;
}

/* HMAC(key, AuthMessage). */
static bool net_scram_auth_hmac(const net_scram *scram, const char *final_msg,
                                uint32_t final_len, const uint8_t key[NET_SCRAM_KEY_BYTES],
                                uint8_t out[NET_SCRAM_KEY_BYTES], rt_err *err) {
    char auth[NET_SCRAM_AUTH_MESSAGE_BYTES_MAX];
    size_t len = 0;
    memcpy(auth, scram->client_first_bare, scram->client_first_bare_len);
    len += scram->client_first_bare_len;
    auth[len++] = ',';
    memcpy(auth + len, scram->server_first, scram->server_first_len);
    len += scram->server_first_len;
    auth[len++] = ',';
    memcpy(auth + len, final_msg, final_len);
    len += final_len;
    if (HMAC(EVP_sha256(), key, NET_SCRAM_KEY_BYTES, (const uint8_t *)auth, len, out, NULL) ==
        NULL) {
        return net_scram_fatal(err, SQLSTATE_INTERNAL_ERROR, "could not calculate signature");
    }
    return true;
}

/* ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof holds if H(ClientKey)
 * is StoredKey. Compared in constant time so timing does not leak how much of it matched. */
static bool net_scram_proof_verify(const net_scram *scram, const char *msg,
                                   const net_scram_final *final, bool *valid, rt_err *err) {
    uint8_t signature[NET_SCRAM_KEY_BYTES];
    uint8_t client_key[NET_SCRAM_KEY_BYTES];
    uint8_t stored_key[NET_SCRAM_KEY_BYTES];
    if (!net_scram_auth_hmac(scram, msg, final->without_proof_len, scram->secret.stored_key,
                             signature, err)) {
        return false;
    }
    for (int i = 0; i < NET_SCRAM_KEY_BYTES; i++) client_key[i] = final->proof[i] ^ signature[i];
    if (SHA256(client_key, sizeof client_key, stored_key) == NULL) {
        return net_scram_fatal(err, SQLSTATE_INTERNAL_ERROR, "could not hash stored key");
    }
    *valid = CRYPTO_memcmp(stored_key, scram->secret.stored_key, NET_SCRAM_KEY_BYTES) == 0;
    OPENSSL_cleanse(client_key, sizeof client_key);
    return true;
}

/* ---- the exchange -------------------------------------------------------------------------- */

/* The salt of a role that does not exist: HMAC(mock key, role name), so it is stable per name
 * and across restarts, and unrelated to any real salt. */
static bool net_scram_mock_secret(net_scram *scram, const uint8_t *mock_key, rt_err *err) {
    uint8_t digest[EVP_MAX_MD_SIZE];
    const char *name = scram->user_name;
    if (HMAC(EVP_sha256(), mock_key, NET_SCRAM_MOCK_KEY_BYTES, (const uint8_t *)name,
             strlen(name), digest, NULL) == NULL) {
        return net_scram_fatal(err, SQLSTATE_INTERNAL_ERROR, "could not generate mock salt");
    }
    memset(&scram->secret, 0, sizeof scram->secret); /* keys are never used: doomed */
    memcpy(scram->secret.salt, digest, NET_SCRAM_SALT_BYTES_DEFAULT);
    scram->secret.salt_len = NET_SCRAM_SALT_BYTES_DEFAULT;
    scram->secret.iterations = NET_SCRAM_ITERATIONS_DEFAULT;
    scram->doomed = true;
    return true;
}

bool net_scram_init(net_scram *scram, const net_scram_config *config, rt_err *err) {
    RT_ASSERT(config->user_name != NULL);
    RT_ASSERT(config->mock_key != NULL);
    RT_ASSERT(config->cbind_hash_len <= NET_SCRAM_CBIND_HASH_BYTES_MAX);
    RT_ASSERT(config->cbind_hash != NULL || config->cbind_hash_len == 0);
    memset(scram, 0, sizeof *scram);
    scram->phase = NET_SCRAM_PHASE_INIT;
    scram->user_name = config->user_name;
    scram->test_server_nonce = config->test_server_nonce;
    if (config->cbind_hash != NULL) {
        memcpy(scram->cbind_hash, config->cbind_hash, config->cbind_hash_len);
        scram->cbind_hash_len = config->cbind_hash_len;
    }
    if (config->secret != NULL && net_scram_secret_parse(config->secret, &scram->secret)) {
        return true;
    }
    if (config->secret != NULL) {
        snprintf(scram->log_detail, sizeof scram->log_detail,
                 "User \"%s\" does not have a valid SCRAM secret.", scram->user_name);
    }
    return net_scram_mock_secret(scram, config->mock_key, err);
}

/* Checks one client message and copies it into a NUL-terminated buffer for parsing. */
static bool net_scram_message_take(net_scram *scram, const uint8_t *data, uint32_t len,
                                   char msg[NET_SCRAM_MESSAGE_BYTES_MAX + 1], rt_err *err) {
    if (len > NET_SCRAM_MESSAGE_BYTES_MAX) {
        snprintf(scram->log_detail, sizeof scram->log_detail, "invalid message length");
        return net_scram_auth_failed(scram, err);
    }
    if (len == 0) return net_scram_malformed(err, "The message is empty.");
    if (memchr(data, '\0', len) != NULL) {
        return net_scram_malformed(err, "Message length does not match input length.");
    }
    memcpy(msg, data, len);
    msg[len] = '\0';
    return true;
}

static bool net_scram_server_nonce_make(net_scram *scram, rt_err *err) {
    if (scram->test_server_nonce != NULL) {
        size_t len = strlen(scram->test_server_nonce);
        RT_ASSERT(len > 0 && len < sizeof scram->server_nonce);
        memcpy(scram->server_nonce, scram->test_server_nonce, len + 1);
        return true;
    }
    uint8_t raw[NET_SCRAM_NONCE_RAW_BYTES];
    if (RAND_bytes(raw, sizeof raw) != 1) {
        return net_scram_fatal(err, SQLSTATE_INTERNAL_ERROR, "could not generate random nonce");
    }
    RT_STATIC_ASSERT(NET_SCRAM_NONCE_RAW_BYTES * 4 / 3 < 64);
    net_scram_b64_encode(raw, sizeof raw, scram->server_nonce);
    return true;
}

static bool net_scram_first_step(net_scram *scram, const char *msg, net_scram_output *out,
                                 rt_err *err) {
    if (!net_scram_client_first_read(scram, msg, err)) return false;
    if (!net_scram_server_nonce_make(scram, err)) return false;
    if (!net_scram_server_first_build(scram, err)) return false;
    scram->phase = NET_SCRAM_PHASE_SALT_SENT;
    out->status = NET_SCRAM_CONTINUE;
    out->data = (const uint8_t *)scram->server_first;
    out->len = scram->server_first_len;
    return true;
}

static bool net_scram_final_step(net_scram *scram, const char *msg, net_scram_output *out,
                                 rt_err *err) {
    net_scram_final final;
    if (!net_scram_client_final_read(scram, msg, &final, err)) return false;
    if (!net_scram_nonce_check(scram, final.nonce)) {
        net_scram_fatal(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid SCRAM response");
        rt_err_detail(err, "Nonce does not match.");
        return false;
    }
    /* The proof is computed even in a mock exchange, so a missing role costs the same time. */
    bool valid = false;
    if (!net_scram_proof_verify(scram, msg, &final, &valid, err)) return false;
    if (!valid || scram->doomed) return net_scram_auth_failed(scram, err);
    uint8_t signature[NET_SCRAM_KEY_BYTES];
    if (!net_scram_auth_hmac(scram, msg, final.without_proof_len, scram->secret.server_key,
                             signature, err)) {
        return false;
    }
    memcpy(scram->output, "v=", 2);
    uint32_t len = net_scram_b64_encode(signature, sizeof signature, scram->output + 2);
    scram->output_len = len + 2;
    scram->phase = NET_SCRAM_PHASE_DONE;
    out->status = NET_SCRAM_SUCCESS;
    out->data = (const uint8_t *)scram->output;
    out->len = scram->output_len;
    return true;
}

bool net_scram_begin(net_scram *scram, const char *mechanism, const uint8_t *data,
                     int32_t data_len, net_scram_output *out, rt_err *err) {
    RT_ASSERT(scram->phase == NET_SCRAM_PHASE_INIT);
    scram->phase = NET_SCRAM_PHASE_DONE; /* until this step succeeds */
    if (strcmp(mechanism, NET_SCRAM_MECH_SHA_256_PLUS) == 0 && scram->cbind_hash_len > 0) {
        scram->cbind_in_use = true;
    } else if (strcmp(mechanism, NET_SCRAM_MECH_SHA_256) != 0) {
        return net_scram_fatal(err, SQLSTATE_PROTOCOL_VIOLATION,
                               "client selected an invalid SASL authentication mechanism");
    }
    if (data_len < -1) { /* the caller passes the wire's length field unchecked */
        return net_scram_fatal(err, SQLSTATE_PROTOCOL_VIOLATION,
                               "insufficient data left in message");
    }
    if (data_len == -1) { /* no initial response: send an empty challenge and wait for it */
        scram->phase = NET_SCRAM_PHASE_FIRST;
        out->status = NET_SCRAM_CONTINUE;
        out->data = (const uint8_t *)scram->output;
        out->len = 0;
        return true;
    }
    char msg[NET_SCRAM_MESSAGE_BYTES_MAX + 1];
    if (!net_scram_message_take(scram, data, (uint32_t)data_len, msg, err)) return false;
    return net_scram_first_step(scram, msg, out, err);
}

bool net_scram_continue(net_scram *scram, const uint8_t *data, uint32_t data_len,
                        net_scram_output *out, rt_err *err) {
    uint8_t phase = scram->phase;
    RT_ASSERT(phase == NET_SCRAM_PHASE_FIRST || phase == NET_SCRAM_PHASE_SALT_SENT);
    scram->phase = NET_SCRAM_PHASE_DONE; /* until this step succeeds */
    char msg[NET_SCRAM_MESSAGE_BYTES_MAX + 1];
    if (!net_scram_message_take(scram, data, data_len, msg, err)) return false;
    if (phase == NET_SCRAM_PHASE_FIRST) return net_scram_first_step(scram, msg, out, err);
    return net_scram_final_step(scram, msg, out, err);
}

const char *net_scram_log_detail(const net_scram *scram) { return scram->log_detail; }

void net_scram_finish(net_scram *scram) {
    OPENSSL_cleanse(scram, sizeof *scram);
    scram->phase = NET_SCRAM_PHASE_DONE;
}
