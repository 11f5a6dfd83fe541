/* net_scram.h: SCRAM-SHA-256 password authentication, server side (RFC 5802, RFC 7677), as
 * PostgreSQL 15 does it: the stored verifier, the SASL exchange and channel binding.
 * Owns:    nothing beyond the net_scram value the caller provides; no socket I/O at all. The
 *          caller frames the messages (AuthenticationSASL/SASLContinue/SASLFinal and
 *          SASLInitialResponse/SASLResponse) and hands over their payloads.
 * Core:    any; one net_scram belongs to one connection. OpenSSL does HMAC, SHA-256, PBKDF2
 *          and random bytes; it keeps no per-call state shared between threads.
 * Memory:  never allocates. A net_scram is a fixed-size value (about 4 KiB) the caller embeds
 *          or allocates for the duration of the exchange; outputs point into it and stay valid
 *          until the next call on it. net_scram_finish() wipes its keys.
 * Errors:  every failure of the exchange is FATAL (the connection ends), with PostgreSQL's
 *          SQLSTATE and wording: 08P01 "malformed SCRAM message" + detail for bad syntax,
 *          0A000 for authzid and mandatory extensions, 28000 for channel-binding mismatches,
 *          28P01 "password authentication failed for user ..." for a wrong proof, an unknown
 *          role or a role without a SCRAM secret (the last two run a mock exchange so that
 *          neither messages nor timing tell them apart), XX000 if OpenSSL fails.
 * Limits:  NET_SCRAM_MESSAGE_BYTES_MAX (one client message), NET_SCRAM_SALT_BYTES_MAX and
 *          NET_SCRAM_SECRET_BYTES_MAX (stored verifiers), NET_SCRAM_PASSWORD_BYTES_MAX.
 *
 * Passwords: PostgreSQL runs SASLprep on passwords. For pure ASCII that is the identity; for
 * anything else we do what PostgreSQL does when it cannot normalise (invalid UTF-8 or
 * prohibited characters): use the raw bytes. So non-ASCII passwords that SASLprep would change
 * (NFKC, non-ASCII spaces) give a different verifier than PostgreSQL would. */
#ifndef NET_SCRAM_H
#define NET_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "runtime/rt_err.h"

/* ---- limits and fixed sizes ------------------------------------------------------------ */

#define NET_SCRAM_KEY_BYTES 32              /* SHA-256: StoredKey, ServerKey, proofs */
#define NET_SCRAM_SALT_BYTES_DEFAULT 16     /* PostgreSQL's SCRAM_DEFAULT_SALT_LEN */
#define NET_SCRAM_ITERATIONS_DEFAULT 4096   /* PostgreSQL 15's fixed iteration count */
#define NET_SCRAM_NONCE_RAW_BYTES 18        /* server nonce: 18 random bytes, 24 in base64 */
#define NET_SCRAM_MOCK_KEY_BYTES 32         /* server-wide secret behind the mock salts */

/* PostgreSQL reads a SASLInitialResponse or SASLResponse of at most 1024 bytes; a client
 * message longer than that fails authentication (28P01) as it does there. */
#define NET_SCRAM_MESSAGE_BYTES_MAX 1024

/* Salt of a stored verifier. PostgreSQL writes 16 bytes and accepts any length; 256 is far
 * beyond any tool's choice and keeps net_scram fixed-size. A longer salt is not a verifier. */
#define NET_SCRAM_SALT_BYTES_MAX 256

/* Text of a stored verifier: "SCRAM-SHA-256$" + iterations + salt and two keys in base64
 * (14 + 10 + 1 + 344 + 1 + 44 + 1 + 44 = 459 at most), with the terminating NUL. */
#define NET_SCRAM_SECRET_BYTES_MAX 512

/* OpenSSL's PBKDF2 takes an int length; PostgreSQL's own bound is its 1 GB value limit. */
#define NET_SCRAM_PASSWORD_BYTES_MAX (1u << 30)

/* Largest tls-server-end-point hash (SHA-512). */
#define NET_SCRAM_CBIND_HASH_BYTES_MAX 64

/* Body of AuthenticationSASL after the int32 10: both names, NUL-terminated, and a final NUL. */
#define NET_SCRAM_MECHANISMS_BYTES_MAX 48

#define NET_SCRAM_MECH_SHA_256 "SCRAM-SHA-256"
#define NET_SCRAM_MECH_SHA_256_PLUS "SCRAM-SHA-256-PLUS"

/* ---- stored verifiers (pg_authid.rolpassword) ------------------------------------------ */

/* "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", decoded. */
typedef struct net_scram_secret {
    int32_t iterations;                      /* >= 1 */
    uint32_t salt_len;                       /* 1..NET_SCRAM_SALT_BYTES_MAX */
    uint8_t salt[NET_SCRAM_SALT_BYTES_MAX];
    uint8_t stored_key[NET_SCRAM_KEY_BYTES]; /* H(HMAC(SaltedPassword, "Client Key")) */
    uint8_t server_key[NET_SCRAM_KEY_BYTES]; /* HMAC(SaltedPassword, "Server Key") */
} net_scram_secret;

/* What a password string given to CREATE/ALTER ROLE ... PASSWORD already is. */
typedef enum net_scram_password_kind {
    NET_SCRAM_PASSWORD_PLAINTEXT = 0, /* to be hashed */
    NET_SCRAM_PASSWORD_MD5 = 1,       /* "md5" + 32 lower-case hex digits */
    NET_SCRAM_PASSWORD_SCRAM = 2,     /* a verifier net_scram_secret_parse() accepts */
} net_scram_password_kind;

/* Parses untrusted text (a catalog value, or a password that may be a verifier). Returns
 * false, leaving *out unspecified, for anything that is not exactly a well-formed verifier:
 * strict base64 with padding, both keys 32 bytes, iterations a decimal in 1..INT32_MAX. */
bool net_scram_secret_parse(const char *text, net_scram_secret *out);

/* Builds the verifier text of `password` with the given salt and iteration count into `out`
 * (NET_SCRAM_SECRET_BYTES_MAX bytes, NUL-terminated). 22023 for a bad salt length or
 * iteration count, 54000 past NET_SCRAM_PASSWORD_BYTES_MAX, XX000 if OpenSSL fails. */
bool net_scram_secret_build(const char *password, const uint8_t *salt, uint32_t salt_len,
                            int32_t iterations, char out[NET_SCRAM_SECRET_BYTES_MAX],
                            rt_err *err);

/* As net_scram_secret_build() with a fresh random 16-byte salt and 4096 iterations. */
bool net_scram_secret_create(const char *password, char out[NET_SCRAM_SECRET_BYTES_MAX],
                             rt_err *err);

net_scram_password_kind net_scram_password_kind_of(const char *password);

/* What CREATE/ALTER ROLE ... PASSWORD stores with password_encryption = scram-sha-256: a SCRAM
 * verifier or an MD5 hash is kept as given (as PostgreSQL does), anything else is hashed into
 * a new verifier. The caller handles the empty string (PostgreSQL clears the password with
 * NOTICE "empty string is not a valid password, clearing password"). */
bool net_scram_password_encrypt(const char *password, char out[NET_SCRAM_SECRET_BYTES_MAX],
                                rt_err *err);

/* ---- channel binding (RFC 5929 tls-server-end-point) ------------------------------------- */

/* Hash of the DER certificate with the hash function of its signature, SHA-256 instead of MD5
 * or SHA-1. Certificates whose signature has no single hash function (Ed25519, Ed448) have no
 * tls-server-end-point binding: XX000 "could not determine server certificate signature
 * algorithm"; the caller then offers SCRAM-SHA-256 only. */
bool net_scram_cert_hash(X509 *cert, uint8_t out[NET_SCRAM_CBIND_HASH_BYTES_MAX],
                         uint32_t *out_len, rt_err *err);

/* Writes the mechanism list of AuthenticationSASL into out (NET_SCRAM_MECHANISMS_BYTES_MAX)
 * and returns its length: SCRAM-SHA-256-PLUS first when channel binding is possible (the
 * connection is on TLS and the certificate hash is known), then SCRAM-SHA-256. */
uint32_t net_scram_mechanisms(bool channel_binding, uint8_t out[NET_SCRAM_MECHANISMS_BYTES_MAX]);

/* ---- the exchange ------------------------------------------------------------------------ */

typedef struct net_scram_config {
    /* Role name from the startup message (at most 63 bytes there); it must outlive the
     * exchange. Used in the 28P01 message and to derive the mock salt. */
    const char *user_name;
    /* pg_authid.rolpassword, or NULL when the role does not exist, cannot log in, has no
     * password or its password has expired (rolvaliduntil): the exchange then runs with a
     * mock salt and fails with 28P01. The caller logs which of these it was. */
    const char *secret;
    /* NET_SCRAM_MOCK_KEY_BYTES of server-wide random secret (RAND_bytes once, when the data
     * directory is made), the same across restarts, so a missing role always shows the same
     * salt; PostgreSQL keeps its equivalent in pg_control. */
    const uint8_t *mock_key;
    /* tls-server-end-point data (net_scram_cert_hash() of the server certificate) when the
     * connection is on TLS and the hash is known; NULL otherwise. Copied. */
    const uint8_t *cbind_hash;
    uint32_t cbind_hash_len;
    /* Tests only: a fixed printable server nonce (for RFC test vectors); NULL = random. */
    const char *test_server_nonce;
} net_scram_config;

typedef enum net_scram_status {
    NET_SCRAM_CONTINUE = 1, /* send AuthenticationSASLContinue(output), wait for SASLResponse */
    NET_SCRAM_SUCCESS = 2,  /* send AuthenticationSASLFinal(output), then AuthenticationOk */
} net_scram_status;

typedef struct net_scram_output {
    net_scram_status status;
    const uint8_t *data; /* inside the net_scram; valid until its next call */
    uint32_t len;
} net_scram_output;

enum net_scram_phase {
    NET_SCRAM_PHASE_INIT = 0,      /* waiting for the mechanism and client-first-message */
    NET_SCRAM_PHASE_FIRST = 1,     /* mechanism chosen, client-first-message still to come */
    NET_SCRAM_PHASE_SALT_SENT = 2, /* server-first-message sent, waiting for client-final */
    NET_SCRAM_PHASE_DONE = 3,      /* succeeded or failed: no more calls but finish */
};

/* Fields are private to net_scram.c; the struct is public so callers can embed it. */
typedef struct net_scram {
    uint8_t phase;     /* enum net_scram_phase */
    bool doomed;       /* mock exchange: fail after computing the proof anyway */
    bool cbind_in_use; /* client chose SCRAM-SHA-256-PLUS */
    char cbind_flag;   /* gs2-cbind-flag of client-first-message: 'n', 'y' or 'p' */
    const char *user_name;
    net_scram_secret secret;
    uint32_t cbind_hash_len;
    uint8_t cbind_hash[NET_SCRAM_CBIND_HASH_BYTES_MAX];
    char server_nonce[64]; /* 24 base64 characters, or a test nonce */
    const char *test_server_nonce;
    uint32_t client_nonce_off, client_nonce_len; /* inside client_first_bare */
    uint32_t client_first_bare_len;
    uint32_t server_first_len;
    uint32_t output_len;
    char client_first_bare[NET_SCRAM_MESSAGE_BYTES_MAX + 1];
    /* "r=" client nonce + server nonce ",s=" salt ",i=" iterations */
    char server_first[NET_SCRAM_MESSAGE_BYTES_MAX + 64 + NET_SCRAM_SECRET_BYTES_MAX];
    char output[64]; /* server-final-message "v=" + 44 */
    char log_detail[RT_ERR_DETAIL_BYTES_MAX];
} net_scram;

/* Starts an exchange for one connection. Fails only if OpenSSL does (XX000, FATAL). */
bool net_scram_init(net_scram *scram, const net_scram_config *config, rt_err *err);

/* SASLInitialResponse: the mechanism the client selected and its client-first-message
 * (`data_len` is the message's length field: -1 when it carries none, then the output is an
 * empty challenge and the client-first-message comes in the next net_scram_continue(); other
 * negative values are 08P01). On success the output is server-first-message with status
 * NET_SCRAM_CONTINUE. */
bool net_scram_begin(net_scram *scram, const char *mechanism, const uint8_t *data,
                     int32_t data_len, net_scram_output *out, rt_err *err);

/* SASLResponse: client-first-message (after an empty challenge) or client-final-message.
 * Output: server-first-message (CONTINUE) or server-final-message (SUCCESS). */
bool net_scram_continue(net_scram *scram, const uint8_t *data, uint32_t data_len,
                        net_scram_output *out, rt_err *err);

/* Why a 28P01 failure happened, for the server log only (PostgreSQL's DETAIL there, e.g. a
 * role without a SCRAM secret); "" when there is nothing to add. Never send it to the client. */
const char *net_scram_log_detail(const net_scram *scram);

/* Wipes keys, nonces and messages. Call when the exchange ends, however it ends. */
void net_scram_finish(net_scram *scram);

#endif
