/* net_pg_int.h: what the files of the net_pg module share: one connection, its buffered
 * transport (plain or TLS), message framing in both directions, and the backend table.
 *   net_pg.c          listeners, accept fibers, connection life, backend table, shutdown
 *   net_pg_io.c       buffered receive/send (through net_tls when on TLS), message framing,
 *                     ErrorResponse/NoticeResponse
 *   net_pg_startup.c  startup packet, SSLRequest, cancel, authentication, session opening
 *   net_pg_query.c    the message loop: simple and extended query, COPY, the result sink */
#ifndef NET_PG_INT_H
#define NET_PG_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/net_pg.h"
#include "runtime/rt_io.h"
#include "runtime/rt_mem.h"
#include "sql/sql_session.h"

/* One slot of the backend table: a connection's pid, cancel key, cancel and terminate flags,
 * and the activity it publishes. Everything but the two flags is read and written under
 * `lock` (other shards copy it for pg_stat_activity and pg_terminate_backend). */
typedef struct net_pg_backend {
    atomic_flag lock;      /* guards everything below except the atomics */
    bool in_use;
    uint32_t secret;
    _Atomic bool cancel;
    _Atomic bool terminate; /* pg_terminate_backend: end the connection (57P01) */
    uint32_t role_oid;     /* the session's user once it is open (0 before): who may signal */
    int fd;                /* the socket, open while in_use (closed only after release) */
    uint32_t core;         /* the shard the connection lives on */
    uint64_t generation;   /* counts the slot's connections: tells a pid's reuse apart */
    net_pg_activity act;   /* pg_stat_activity's row (act.pid set while in use) */
    /* Read without the flag by other backends' rows (row-lock holders, snapshot horizons). */
    _Atomic uint64_t txn_stamp; /* its transaction (eng_stamp_txn), 0 = none */
    _Atomic uint64_t xid;       /* the transaction's number once it wrote, 0 = none */
    uint64_t gid;               /* the open transaction's number (under the flag), 0 = none */
} net_pg_backend;

typedef struct net_pg_shard net_pg_shard;

typedef struct net_pg_conn {
    int fd;
    struct sockaddr_storage peer; /* for the authentication rules */
    bool local;                /* Unix socket or loopback peer: trust may apply */
    bool eof;                  /* the client closed its side */
    bool closing;              /* a FATAL was sent or Terminate arrived */
    bool fatal_sent;           /* a FATAL went out: drain the input before closing */
    uint64_t in_rest;          /* bytes of a refused (oversize) message not yet received */
    bool skip_to_sync;         /* extended protocol after an error */
    uint8_t msg_type;          /* the message being served (0: none yet) */
    bool io_failed;            /* sending failed or TLS broke: nothing more can be sent */
    bool finished;             /* serving ended; the fiber is tearing down */
    bool in_send;              /* waiting for the socket to take output */
    net_tls *tls;
    net_pg_shard *shard;
    struct net_pg_conn *prev, *next;
    /* input: plaintext bytes in[in_start..in_end) not yet consumed */
    uint8_t *in;
    uint32_t in_cap, in_start, in_end;
    uint8_t *cipher;           /* TLS: ciphertext received, not yet fed */
    uint32_t cipher_len;
    /* output: complete messages not yet sent, and the start of the one being built */
    uint8_t *out;
    uint32_t out_cap, out_len, msg_start;
    bool out_overflow;         /* the message being built passed its limit */
    uint64_t recv_timeout_ns;  /* for the next receive; 0 = none */
    uint64_t idle_ns[2];       /* idle_session_timeout, idle_in_transaction_session_timeout */
    uint64_t idle_read_at;     /* 1 + sql_session_setting_changes when idle_ns was read; 0 =
                                  never (read again only when the settings changed) */
    rt_sock_rx rx;             /* the socket's multishot receive (runtime/rt_io.h) */
    /* identity */
    net_pg_backend *backend;
    uint32_t pid;
    sql_session *session;
    rt_arena *msg_arena;       /* reset per message: copies of names and query text */
    rt_arena *row_arena;       /* reset per DataRow */
    rt_arena *startup_arena;   /* the startup parameters, for the connection's life */
    char user[64];
} net_pg_conn;

/* Process-wide state set by net_pg_start. */
typedef struct net_pg_global {
    net_pg_config config;
    uint32_t unix_count;
    int unix_fds[NET_PG_UNIX_SOCKETS_MAX];
    char unix_paths[NET_PG_UNIX_SOCKETS_MAX][108];
    uint32_t backend_count;
    net_pg_backend *backends;
    _Atomic uint32_t connections;
    _Atomic(net_hba *) hba;        /* the rules in force; NULL = built-in behaviour */
    net_hba **hba_retired;         /* replaced rules, freed by net_pg_stop */
    uint32_t hba_retired_count;
    uint8_t mock_key[NET_SCRAM_MOCK_KEY_BYTES];
    int64_t start_us;              /* net_pg_start: the background workers' backend_start */
} net_pg_global;
extern net_pg_global net_pg_g;

/* A message received: type byte (0 for the startup packet) and body. */
typedef struct net_pg_msg {
    uint8_t type;
    const uint8_t *body;
    uint32_t len;
    uint32_t pos;              /* read cursor of the getters */
} net_pg_msg;

/* ---- net_pg.c ---- */
bool net_pg_shard_stopping(const net_pg_conn *c);
/* Takes a backend slot: false when max_connections are in use. */
bool net_pg_backend_acquire(net_pg_conn *c, uint32_t *secret);
void net_pg_backend_release(net_pg_conn *c);
/* Records the session's user, database and start in the backend slot once it is open. */
void net_pg_backend_set_role(net_pg_conn *c, uint32_t role_oid);
/* The activity pg_stat_activity shows: a statement starts (query NULL keeps the text), the
 * connection is ready for the next one (ReadyForQuery's status), application_name changed. */
void net_pg_backend_active(net_pg_conn *c, const char *query, uint32_t len);
void net_pg_backend_ready(net_pg_conn *c, sql_txn_status status);
void net_pg_backend_set_app(net_pg_conn *c, const char *name);
/* pg_terminate_backend asked this connection to end. */
bool net_pg_backend_terminating(const net_pg_conn *c);
/* FATAL 57P01 "terminating connection due to administrator command" into *err. */
bool net_pg_admin_terminate(rt_err *err);
bool net_pg_backend_cancel(uint32_t pid, uint32_t secret, bool check_secret);

/* ---- net_pg_io.c ---- */
void net_pg_io_init(net_pg_conn *c);
void net_pg_io_free(net_pg_conn *c);
/* Reads the next message (type + int32 length + body); the body stays valid until the next
 * read. Limits by type; eof: *msg->type == 0 and c->eof. */
bool net_pg_msg_read(net_pg_conn *c, net_pg_msg *msg, rt_err *err);
/* The startup packet: int32 length, then the body (code first). */
bool net_pg_startup_read(net_pg_conn *c, net_pg_msg *msg, rt_err *err);
/* Bytes already received but not consumed (plaintext after an SSLRequest must be refused). */
uint32_t net_pg_io_buffered(const net_pg_conn *c);
/* Reads and discards `max_bytes` of the client's input as rt_sock_rx_drain does (the rest
 * of a refused message before a FATAL close). Over TLS the bytes counted are those the
 * ciphertext decrypts to (a message's length counts them), read through the TLS layer, so
 * the drain ends where the refused message ends, not short of it by the records' overhead. */
rt_rx_drain_end net_pg_io_discard(net_pg_conn *c, uint64_t max_bytes, uint64_t timeout_ns,
                                  uint64_t *drained);
/* Switches the connection to TLS and runs the handshake. */
bool net_pg_io_tls_start(net_pg_conn *c, rt_err *err);
/* Raw byte to the socket (the answer to SSLRequest), bypassing the buffer. */
bool net_pg_io_send_byte(net_pg_conn *c, uint8_t b, rt_err *err);
/* Bytes to the socket. Once pg_terminate_backend marked the connection, only what the socket
 * takes at once: a client that does not read keeps no terminated backend alive. */
bool net_pg_sock_send(net_pg_conn *c, const void *p, size_t n, rt_err *err);

/* Getters: false with 08P01 FATAL when the message is too short or malformed. */
bool net_pg_get_u8(net_pg_msg *m, uint8_t *v, rt_err *err);
bool net_pg_get_i16(net_pg_msg *m, int16_t *v, rt_err *err);
bool net_pg_get_i32(net_pg_msg *m, int32_t *v, rt_err *err);
/* An Int16 count: unsigned on the wire (up to 65535 parameters), as PostgreSQL reads it. */
bool net_pg_get_count(net_pg_msg *m, uint32_t *v, rt_err *err);
bool net_pg_get_str(net_pg_msg *m, const char **s, uint32_t *len, rt_err *err);
bool net_pg_get_bytes(net_pg_msg *m, uint32_t n, const uint8_t **p, rt_err *err);
bool net_pg_get_end(net_pg_msg *m, rt_err *err);
/* Sets a FATAL 08P01. */
bool net_pg_protocol_error(rt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Message building into the output buffer. */
void net_pg_put_begin(net_pg_conn *c, uint8_t type);
void net_pg_put_u8(net_pg_conn *c, uint8_t v);
void net_pg_put_i16(net_pg_conn *c, int16_t v);
void net_pg_put_i32(net_pg_conn *c, int32_t v);
void net_pg_put_bytes(net_pg_conn *c, const void *p, uint32_t n);
void net_pg_put_str(net_pg_conn *c, const char *s);
/* Finishes the message; flushes when the buffer is past NET_PG_SEND_BUFFER_BYTES. */
bool net_pg_put_end(net_pg_conn *c, rt_err *err);
/* Drops the message being built (a value failed to encode). */
void net_pg_put_abort(net_pg_conn *c);
bool net_pg_flush(net_pg_conn *c, rt_err *err);

/* ErrorResponse (severity from e->severity) and NoticeResponse. Send failures are ignored:
 * the connection is going away anyway. */
void net_pg_send_error(net_pg_conn *c, const rt_err *e);
void net_pg_send_notice(net_pg_conn *c, const char *severity, const rt_err *n);
/* Sends a FATAL built here and flushes. */
void net_pg_send_fatal(net_pg_conn *c, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- net_pg_startup.c ---- */
/* Runs startup and authentication and opens the session; false: close the connection (any
 * error was already sent). */
bool net_pg_startup(net_pg_conn *c);

/* ---- net_pg_query.c ---- */
/* ParameterStatus for every setting changed since the last report. */
void net_pg_params_report(net_pg_conn *c);
/* ParameterStatus for changed settings, then ReadyForQuery, then flush. */
bool net_pg_ready(net_pg_conn *c, rt_err *err);
/* Serves messages until Terminate, end of stream or a FATAL error. */
void net_pg_serve(net_pg_conn *c);

#endif
