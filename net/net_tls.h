/* net_tls.h: server-side TLS for the PostgreSQL protocol, OpenSSL over memory BIOs.
 * Owns:    one SSL_CTX per server (net_tls_ctx) and one SSL per connection (net_tls) with
 *          its two memory BIOs. No socket I/O: the caller (the io_uring connection code) feeds
 *          ciphertext it received and takes ciphertext to send; plaintext goes in and out
 *          through net_tls_read/net_tls_write.
 * Core:    net_tls_ctx_create() runs once at startup (it reads files, blocking); the context
 *          is then read-only and shared by all shards. A net_tls is used on one core only.
 * Flow:    after the 'S' answer to SSLRequest: net_tls_create(), then net_tls_feed() what
 *          arrives and call net_tls_handshake() until done; after every call that may produce
 *          ciphertext (handshake, read, write, close) send what net_tls_output_take() gives.
 *          The caller must refuse plaintext that arrived together with the SSLRequest (it
 *          was not protected by TLS), as PostgreSQL does since 14.1/13.5.
 * Memory:  net_tls values come from rt_xmalloc, OpenSSL's from OpenSSL. Buffered ciphertext
 *          is bounded both ways: net_tls_feed() takes at most NET_TLS_INPUT_BYTES_MAX pending
 *          bytes, net_tls_write() stops once NET_TLS_OUTPUT_BYTES_MAX are waiting to be sent.
 * Errors:  context errors are F0000 config_file_error with PostgreSQL's wording and OpenSSL's
 *          reason; session errors are FATAL 08P01 protocol_violation ("could not accept SSL
 *          connection: ...", "SSL error: ..."). After an error, send the pending output (it
 *          may hold an alert for the client) and close the connection.
 * Limits:  NET_TLS_INPUT_BYTES_MAX, NET_TLS_OUTPUT_BYTES_MAX. */
#ifndef NET_TLS_H
#define NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net_scram.h"
#include "runtime/rt_err.h"

/* Largest TLS record on the wire: 2^14 plaintext + 2048 expansion (TLS 1.2) + 5 header. */
#define NET_TLS_RECORD_BYTES_MAX (16384u + 2048u + 5u)

/* Received ciphertext not yet decrypted. Four records: the client's whole first flight, or a
 * pipeline of queries, fits; a full record always fits, so reading can always progress. */
#define NET_TLS_INPUT_BYTES_MAX (64u << 10)
RT_STATIC_ASSERT(NET_TLS_INPUT_BYTES_MAX >= 2 * NET_TLS_RECORD_BYTES_MAX);

/* Encrypted output waiting for the caller. Checked before each record is written, so it is
 * exceeded by one record at most; large results stream through it in 128 KiB sends. */
#define NET_TLS_OUTPUT_BYTES_MAX (128u << 10)

/* PostgreSQL's default ssl_ciphers (TLS 1.2; TLS 1.3 suites are OpenSSL's defaults). */
#define NET_TLS_CIPHERS_DEFAULT "HIGH:MEDIUM:+3DES:!aNULL"

typedef struct net_tls_config {
    const char *cert_file; /* PEM: server certificate first, then intermediates */
    const char *key_file;  /* PEM private key: 0600 (0640 if owned by root), no passphrase */
    const char *ciphers;   /* NULL = NET_TLS_CIPHERS_DEFAULT */
} net_tls_config;

typedef struct net_tls_ctx net_tls_ctx;
typedef struct net_tls net_tls;

/* Loads certificate and key and checks that they match; TLS 1.2 is the minimum version,
 * compression, renegotiation and session tickets are off (as in PostgreSQL). */
net_tls_ctx *net_tls_ctx_create(const net_tls_config *config, rt_err *err);
void net_tls_ctx_destroy(net_tls_ctx *ctx);

/* The tls-server-end-point hash of the server certificate (for SCRAM-SHA-256-PLUS), computed
 * once; false when the certificate's signature has no usable hash (then offer no -PLUS). */
bool net_tls_ctx_cert_hash(const net_tls_ctx *ctx, const uint8_t **hash, uint32_t *hash_len);

/* A session for one accepted connection; fails (XX000) only if OpenSSL cannot allocate. */
net_tls *net_tls_create(net_tls_ctx *ctx, rt_err *err);
void net_tls_destroy(net_tls *tls);

/* Takes ciphertext received from the client; returns how many bytes were taken (less than
 * `len` when NET_TLS_INPUT_BYTES_MAX would be exceeded: decrypt with net_tls_read() first). */
size_t net_tls_feed(net_tls *tls, const uint8_t *data, size_t len);

/* Advances the handshake with the input fed so far. *done becomes true once it completed;
 * false means more input is needed (send the pending output first). */
bool net_tls_handshake(net_tls *tls, bool *done, rt_err *err);

/* Decrypts into buf (up to cap bytes). *len = 0 means no complete record is buffered yet;
 * net_tls_eof() tells whether the client sent close_notify. Only after the handshake. */
bool net_tls_read(net_tls *tls, uint8_t *buf, size_t cap, size_t *len, rt_err *err);
bool net_tls_eof(const net_tls *tls);

/* Encrypts plaintext; *taken < len when the output limit was reached: take the output, send
 * it, and write the rest later. Only after the handshake. */
bool net_tls_write(net_tls *tls, const uint8_t *data, size_t len, size_t *taken, rt_err *err);

/* Ciphertext waiting to be sent, and copying it out (removes what was copied). */
size_t net_tls_output_pending(const net_tls *tls);
size_t net_tls_output_take(net_tls *tls, uint8_t *buf, size_t cap);

/* Queues close_notify (send the output, then close the socket; no need to wait for the
 * client's reply, as PostgreSQL does not). */
bool net_tls_close(net_tls *tls, rt_err *err);

/* After the handshake: "TLSv1.3", the cipher name and its secret bits (pg_stat_ssl). */
const char *net_tls_version(const net_tls *tls);
const char *net_tls_cipher(const net_tls *tls);
int net_tls_cipher_bits(const net_tls *tls);

/* The session's server certificate hash for channel binding (net_tls_ctx_cert_hash()). */
bool net_tls_cert_hash(const net_tls *tls, const uint8_t **hash, uint32_t *hash_len);

#endif
