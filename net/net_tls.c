/* net_tls.c: TLS over memory BIOs (see net_tls.h for the contract).
 *
 * The SSL object reads ciphertext from `rbio` and writes ciphertext to `wbio`, both plain
 * growable memory buffers; our limits keep them bounded. An empty `rbio` must report "retry"
 * rather than end of file, so OpenSSL answers SSL_ERROR_WANT_READ and keeps its state until
 * the caller feeds more bytes. OpenSSL's error queue is per thread and shared by every
 * session on the shard, so it is cleared before each call and read right after. */
#include "net/net_tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "runtime/rt_mem.h"

struct net_tls_ctx {
    SSL_CTX *ssl_ctx;
    bool has_cert_hash;
    uint32_t cert_hash_len;
    uint8_t cert_hash[NET_SCRAM_CBIND_HASH_BYTES_MAX];
};

struct net_tls {
    net_tls_ctx *ctx;
    SSL *ssl;
    BIO *rbio; /* owned by ssl */
    BIO *wbio; /* owned by ssl */
    bool handshake_done;
    bool eof;
};

/* ---- errors -------------------------------------------------------------------------------- */

/* OpenSSL's reason text for the oldest queued error, or a generic one; clears the queue. */
static const char *net_tls_reason(unsigned long code, char *buf, size_t cap) {
    ERR_clear_error();
    if (code == 0) return "no SSL error reported";
    const char *reason = ERR_reason_error_string(code);
    if (reason != NULL) return reason;
    /* OpenSSL 3 has no reason string for errno values it queued (a missing file). */
    if (ERR_SYSTEM_ERROR(code)) return strerror(ERR_GET_REASON(code));
    snprintf(buf, cap, "SSL error code %lu", code);
    return buf;
}

/* F0000 "<what>: <OpenSSL's reason>". */
static bool net_tls_config_fail(rt_err *err, const char *what) {
    char buf[64];
    const char *reason = net_tls_reason(ERR_get_error(), buf, sizeof buf);
    return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "%s: %s", what, reason);
}

/* Version mismatches get PostgreSQL's hint about the range this server accepts. */
static bool net_tls_reason_is_version(unsigned long code) {
    if (ERR_GET_LIB(code) != ERR_LIB_SSL) return false;
    switch (ERR_GET_REASON(code)) {
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_UNKNOWN_SSL_VERSION:
    case SSL_R_UNSUPPORTED_SSL_VERSION:
    case SSL_R_WRONG_SSL_VERSION:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_VERSION_TOO_HIGH:
    case SSL_R_VERSION_TOO_LOW:
        return true;
    default:
        return false;
    }
}

/* Turns a failed SSL_* call into a FATAL 08P01; `what` names the operation as PostgreSQL's
 * log does ("could not accept SSL connection", "SSL error"). */
static bool net_tls_session_fail(net_tls *tls, int ret, const char *what, rt_err *err) {
    int code = SSL_get_error(tls->ssl, ret);
    unsigned long ecode = ERR_peek_error();
    char buf[64];
    if (code == SSL_ERROR_SSL) {
        bool version = net_tls_reason_is_version(ecode);
        rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "%s: %s", what,
                   net_tls_reason(ERR_get_error(), buf, sizeof buf));
        if (version) {
            rt_err_detail(err, "This may indicate that the client does not support any SSL "
                               "protocol version between TLSv1.2 and TLSv1.3.");
        }
    } else if (code == SSL_ERROR_ZERO_RETURN || code == SSL_ERROR_SYSCALL) {
        ERR_clear_error();
        rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "%s: EOF detected", what);
    } else {
        ERR_clear_error();
        rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "unrecognized SSL error code: %d", code);
    }
    err->severity = RT_SEV_FATAL;
    return false;
}

/* ---- the server context ---------------------------------------------------------------------- */

/* PostgreSQL's rule: owned by us or root; no group/world access if ours, at most group read if
 * root's. A key anyone can read is not a secret. */
static bool net_tls_key_file_check(const char *path, rt_err *err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "could not access private key file \"%s\": %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "private key file \"%s\" is not a regular file", path);
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "private key file \"%s\" must be owned by the database user or root",
                          path);
    }
    bool ours = st.st_uid == geteuid();
    if ((ours && (st.st_mode & (S_IRWXG | S_IRWXO))) ||
        (!ours && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)))) {
        rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                   "private key file \"%s\" has group or world access", path);
        rt_err_detail(err, "File must have permissions u=rw (0600) or less if owned by the "
                           "database user, or permissions u=rw,g=r (0640) or less if owned by "
                           "root.");
        return false;
    }
    return true;
}

/* A server never prompts on a terminal for a passphrase: an encrypted key just fails to load. */
static int net_tls_passphrase_refuse(char *buf, int size, int rwflag, void *userdata) {
    (void)buf, (void)size, (void)rwflag, (void)userdata;
    return 0;
}

static bool net_tls_ctx_options_set(SSL_CTX *ssl_ctx, const char *ciphers, rt_err *err) {
    if (SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION) != 1) {
        return net_tls_config_fail(err, "could not set minimum SSL protocol version");
    }
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
                                     SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ssl_ctx, 0);
    /* Idle sessions give their record buffers back: most connections idle most of the time. */
    SSL_CTX_set_mode(ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_dh_auto(ssl_ctx, 1);
    SSL_CTX_set_default_passwd_cb(ssl_ctx, net_tls_passphrase_refuse);
    if (SSL_CTX_set_cipher_list(ssl_ctx, ciphers) != 1) {
        ERR_clear_error();
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "could not set the cipher list (no valid ciphers available)");
    }
    return true;
}

static bool net_tls_ctx_files_load(SSL_CTX *ssl_ctx, const net_tls_config *config,
                                   rt_err *err) {
    char what[RT_ERR_MESSAGE_BYTES_MAX];
    if (SSL_CTX_use_certificate_chain_file(ssl_ctx, config->cert_file) != 1) {
        snprintf(what, sizeof what, "could not load server certificate file \"%s\"",
                 config->cert_file);
        return net_tls_config_fail(err, what);
    }
    if (!net_tls_key_file_check(config->key_file, err)) return false;
    if (SSL_CTX_use_PrivateKey_file(ssl_ctx, config->key_file, SSL_FILETYPE_PEM) != 1) {
        snprintf(what, sizeof what, "could not load private key file \"%s\"",
                 config->key_file);
        return net_tls_config_fail(err, what);
    }
    if (SSL_CTX_check_private_key(ssl_ctx) != 1) {
        return net_tls_config_fail(err, "check of private key failed");
    }
    return true;
}

net_tls_ctx *net_tls_ctx_create(const net_tls_config *config, rt_err *err) {
    RT_ASSERT(config->cert_file != NULL && config->key_file != NULL);
    ERR_clear_error();
    SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (ssl_ctx == NULL) {
        net_tls_config_fail(err, "could not create SSL context");
        return NULL;
    }
    const char *ciphers = config->ciphers != NULL ? config->ciphers : NET_TLS_CIPHERS_DEFAULT;
    if (!net_tls_ctx_options_set(ssl_ctx, ciphers, err) ||
        !net_tls_ctx_files_load(ssl_ctx, config, err)) {
        SSL_CTX_free(ssl_ctx);
        return NULL;
    }
    net_tls_ctx *ctx = rt_xcalloc(1, sizeof *ctx);
    ctx->ssl_ctx = ssl_ctx;
    /* Without a hash (e.g. an Ed25519 certificate) there is no SCRAM-SHA-256-PLUS. */
    rt_err hash_err;
    rt_err_clear(&hash_err);
    ctx->has_cert_hash = net_scram_cert_hash(SSL_CTX_get0_certificate(ssl_ctx), ctx->cert_hash,
                                             &ctx->cert_hash_len, &hash_err);
    ERR_clear_error();
    return ctx;
}

void net_tls_ctx_destroy(net_tls_ctx *ctx) {
    if (ctx == NULL) return;
    SSL_CTX_free(ctx->ssl_ctx);
    rt_free(ctx);
}

bool net_tls_ctx_cert_hash(const net_tls_ctx *ctx, const uint8_t **hash, uint32_t *hash_len) {
    if (!ctx->has_cert_hash) return false;
    *hash = ctx->cert_hash;
    *hash_len = ctx->cert_hash_len;
    return true;
}

/* ---- sessions -------------------------------------------------------------------------------- */

net_tls *net_tls_create(net_tls_ctx *ctx, rt_err *err) {
    ERR_clear_error();
    SSL *ssl = SSL_new(ctx->ssl_ctx);
    BIO *rbio = BIO_new(BIO_s_mem());
    BIO *wbio = BIO_new(BIO_s_mem());
    if (ssl == NULL || rbio == NULL || wbio == NULL) {
        SSL_free(ssl);
        BIO_free(rbio);
        BIO_free(wbio);
        ERR_clear_error();
        rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "could not initialize SSL connection");
        return NULL;
    }
    BIO_set_mem_eof_return(rbio, -1); /* empty means "wait for more", not end of stream */
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_accept_state(ssl);
    net_tls *tls = rt_xcalloc(1, sizeof *tls);
    tls->ctx = ctx;
    tls->ssl = ssl;
    tls->rbio = rbio;
    tls->wbio = wbio;
    return tls;
}

void net_tls_destroy(net_tls *tls) {
    if (tls == NULL) return;
    SSL_free(tls->ssl); /* frees both BIOs */
    rt_free(tls);
}

size_t net_tls_feed(net_tls *tls, const uint8_t *data, size_t len) {
    size_t pending = BIO_ctrl_pending(tls->rbio);
    RT_ASSERT(pending <= NET_TLS_INPUT_BYTES_MAX);
    size_t room = NET_TLS_INPUT_BYTES_MAX - pending;
    size_t n = len < room ? len : room;
    if (n == 0) return 0;
    int written = BIO_write(tls->rbio, data, (int)n);
    RT_ASSERT(written == (int)n); /* a memory BIO only fails when out of memory */
    return n;
}

bool net_tls_handshake(net_tls *tls, bool *done, rt_err *err) {
    *done = false;
    if (tls->handshake_done) {
        *done = true;
        return true;
    }
    ERR_clear_error();
    int ret = SSL_do_handshake(tls->ssl);
    if (ret == 1) {
        tls->handshake_done = true;
        *done = true;
        return true;
    }
    if (SSL_get_error(tls->ssl, ret) == SSL_ERROR_WANT_READ) return true;
    return net_tls_session_fail(tls, ret, "could not accept SSL connection", err);
}

bool net_tls_read(net_tls *tls, uint8_t *buf, size_t cap, size_t *len, rt_err *err) {
    RT_ASSERT(tls->handshake_done);
    *len = 0;
    while (*len < cap && !tls->eof) {
        size_t n = 0;
        ERR_clear_error();
        int ret = SSL_read_ex(tls->ssl, buf + *len, cap - *len, &n);
        if (ret == 1) {
            *len += n;
            continue;
        }
        int code = SSL_get_error(tls->ssl, ret);
        if (code == SSL_ERROR_WANT_READ) break;
        if (code == SSL_ERROR_ZERO_RETURN) {
            tls->eof = true; /* close_notify from the client */
            break;
        }
        return net_tls_session_fail(tls, ret, "SSL error", err);
    }
    return true;
}

bool net_tls_eof(const net_tls *tls) { return tls->eof; }

bool net_tls_write(net_tls *tls, const uint8_t *data, size_t len, size_t *taken, rt_err *err) {
    RT_ASSERT(tls->handshake_done);
    *taken = 0;
    while (*taken < len && BIO_ctrl_pending(tls->wbio) < NET_TLS_OUTPUT_BYTES_MAX) {
        size_t chunk = len - *taken < 16384 ? len - *taken : 16384; /* one record */
        size_t n = 0;
        ERR_clear_error();
        int ret = SSL_write_ex(tls->ssl, data + *taken, chunk, &n);
        if (ret != 1) return net_tls_session_fail(tls, ret, "SSL error", err);
        *taken += n;
    }
    return true;
}

size_t net_tls_output_pending(const net_tls *tls) { return BIO_ctrl_pending(tls->wbio); }

size_t net_tls_output_take(net_tls *tls, uint8_t *buf, size_t cap) {
    size_t pending = BIO_ctrl_pending(tls->wbio);
    size_t n = pending < cap ? pending : cap;
    if (n == 0) return 0;
    int got = BIO_read(tls->wbio, buf, (int)n);
    RT_ASSERT(got == (int)n);
    return n;
}

bool net_tls_close(net_tls *tls, rt_err *err) {
    if (!tls->handshake_done) return true; /* nothing to close politely */
    ERR_clear_error();
    int ret = SSL_shutdown(tls->ssl);
    if (ret >= 0) return true; /* 0: sent, the client's reply is not awaited; 1: complete */
    return net_tls_session_fail(tls, ret, "SSL error", err);
}

const char *net_tls_version(const net_tls *tls) { return SSL_get_version(tls->ssl); }

const char *net_tls_cipher(const net_tls *tls) {
    return SSL_CIPHER_get_name(SSL_get_current_cipher(tls->ssl));
}

int net_tls_cipher_bits(const net_tls *tls) {
    return SSL_CIPHER_get_bits(SSL_get_current_cipher(tls->ssl), NULL);
}

bool net_tls_cert_hash(const net_tls *tls, const uint8_t **hash, uint32_t *hash_len) {
    return net_tls_ctx_cert_hash(tls->ctx, hash, hash_len);
}
