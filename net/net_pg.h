/* net_pg.h: the PostgreSQL v3 wire protocol server: listeners, connection start (SSLRequest,
 * GSSENCRequest, CancelRequest, StartupMessage), authentication, and the simple and extended
 * query protocols with COPY, driving one sql_session per connection.
 * Owns:    the listening sockets (TCP with SO_REUSEPORT on every shard, one Unix socket shared
 *          by all shards), every connection and its buffers, and the backend table that maps a
 *          BackendKeyData pid to its connection's cancel and terminate flags and its activity
 *          (what pg_stat_activity shows; the only state shared across shards: a fixed array
 *          of slots, each guarded by its own spin flag, read by copying under that flag).
 * Core:    net_pg_start()/net_pg_stop() off the shards (before and after rt_runtime_run);
 *          net_pg_shard_start()/net_pg_shard_stop() in each shard's on_start/on_stop. Each
 *          connection runs in a fiber on the shard that accepted it, with its session.
 *          net_pg_cancel_backend(), net_pg_terminate_backend(), net_pg_backend_running()
 *          and net_pg_activity_get() / _of() may be called from any thread;
 *          net_pg_backend_wait(), _xact() and _wrote() by a session for its own backend
 *          (waits, a transaction's start, first write and end: a store under the slot's
 *          flag each, no allocation).
 * Memory:  per connection: an input buffer that grows to the message being read (at most
 *          NET_PG_MESSAGE_BYTES_MAX) and shrinks back after it, an output buffer flushed once it
 *          holds NET_PG_SEND_BUFFER_BYTES (and at ReadyForQuery, Flush, COPY responses, errors
 *          and notices), and two arenas (one per message, one per DataRow). The backend table
 *          holds max_connections slots of about 1.3 KiB (mostly the activity's query text).
 * Errors:  protocol errors are FATAL 08P01 and close that connection only (the server goes on
 *          serving the others); statement errors are ErrorResponses from the session's rt_err
 *          (net_pg_send_error is the only place that encodes one).
 * Auth:    the first matching rule of the authentication rules (net_hba.h) picks the method:
 *          trust; reject and no matching rule are FATAL 28000; scram-sha-256 (and md5) run
 *          SCRAM-SHA-256 (SCRAM-SHA-256-PLUS with tls-server-end-point channel binding on TLS)
 *          against the role's verifier (eng_role.password), or against a mock verifier that
 *          fails with 28P01 as a wrong password does when the role has none or does not exist;
 *          password asks for the cleartext password and checks it against the verifier.
 *          Without rules (config.hba NULL, the protocol tests) a role with a verifier uses
 *          SCRAM and one without is trusted only on a Unix socket or a loopback address.
 * Limits:  NET_PG_MESSAGE_BYTES_MAX (max_message_size is a setting below it),
 *          NET_PG_SMALL_MESSAGE_BYTES_MAX, NET_PG_STARTUP_BYTES_MAX, NET_PG_CONNECTIONS_MAX
 *          (max_connections is a setting below it), NET_PG_SEND_BUFFER_BYTES,
 *          NET_PG_AUTH_TIMEOUT_NS (authentication_timeout replaces it),
 *          NET_PG_ACTIVITY_QUERY_BYTES, NET_PG_ACTIVITY_NAME_BYTES. */
#ifndef NET_PG_H
#define NET_PG_H

#include <stdbool.h>
#include <stdint.h>

#include "net/net_hba.h"
#include "net/net_scram.h"
#include "net/net_tls.h"
#include "runtime/rt_err.h"

/* Largest message a client may send (Query, Parse, Bind, CopyData): PostgreSQL's limit is 1 GB
 * less one byte (MaxAllocSize); a longer length is FATAL 08P01 "invalid message length". The
 * input buffer grows to the message only when one that large arrives. */
#define NET_PG_MESSAGE_BYTES_MAX ((1u << 30) - 1)
/* Messages that carry no data (Sync, Execute, Describe, Close, Flush, Terminate): anything
 * longer means the stream lost sync, as in PostgreSQL (PQ_SMALL_MESSAGE_LIMIT). */
#define NET_PG_SMALL_MESSAGE_BYTES_MAX 10000u
/* The startup packet (PostgreSQL's MAX_STARTUP_PACKET_LENGTH). */
#define NET_PG_STARTUP_BYTES_MAX 10000u
/* Input buffer kept between messages; larger buffers are given back after their message. */
#define NET_PG_RECV_BUFFER_BYTES (64u << 10)
/* Output is flushed once this much is buffered (a single larger message goes out whole). */
#define NET_PG_SEND_BUFFER_BYTES (64u << 10)
/* After a FATAL the server reads and discards what the client still sends (the rest of a
 * refused message first, then, its own side shut, until the client closes), at most this much
 * input and for at most this long in all: closing a socket with unread input resets the
 * connection, and the reset can destroy the FATAL before the client reads it (a client sending
 * a message over max_message_size is still sending when the FATAL goes out). The bytes cover
 * a max_message_size of up to 64 MB; past either limit the socket is closed as it is. */
#define NET_PG_CLOSE_DRAIN_BYTES (64ull << 20)
#define NET_PG_CLOSE_DRAIN_MS 2000u
/* Connections at most, whatever max_connections says: the backend table is sized by the
 * setting at start, and each connection costs a fiber and its buffers. */
#define NET_PG_CONNECTIONS_MAX 10000u
#define NET_PG_MAX_CONNECTIONS_DEFAULT 100u
/* A client must finish startup and authentication within this time (PostgreSQL's
 * authentication_timeout default, one minute); then the connection is closed. */
#define NET_PG_AUTH_TIMEOUT_NS (60ull * 1000 * 1000 * 1000)
/* A listening connection that waits for its client looks for notifications this often (the
 * latency of a NOTIFY to an idle listener). */
#define NET_PG_NOTIFY_POLL_NS (20ull * 1000 * 1000)
/* Backend pids are slot numbers offset by this, so they look like process ids and never 0. */
#define NET_PG_PID_BASE 10000u
/* Directories in unix_socket_directories. */
#define NET_PG_UNIX_SOCKETS_MAX 8u
/* Statement and portal names are copied per message; PostgreSQL does not limit them, we do. */
#define NET_PG_NAME_BYTES_MAX 1024u

/* The query text a backend publishes for pg_stat_activity, terminator included: PostgreSQL's
 * track_activity_query_size default. A longer text is cut there at a character boundary, as
 * PostgreSQL cuts it; the copy is what other shards read under the slot's flag. */
#define NET_PG_ACTIVITY_QUERY_BYTES 1024u
/* Database, user and application names in the activity: NAMEDATALEN, as in PostgreSQL. */
#define NET_PG_ACTIVITY_NAME_BYTES 64u

/* pg_stat_activity.state of a backend. */
typedef enum net_pg_state {
    NET_PG_STATE_STARTING = 0,         /* authenticating: state is NULL */
    NET_PG_STATE_IDLE,                 /* 'idle' */
    NET_PG_STATE_ACTIVE,               /* 'active' */
    NET_PG_STATE_IDLE_IN_TXN,          /* 'idle in transaction' */
    NET_PG_STATE_IDLE_IN_TXN_ABORTED,  /* 'idle in transaction (aborted)' */
} net_pg_state;

/* What a backend waits for besides its client (pg_stat_activity.wait_event_type/wait_event).
 * The session publishes table-lock, advisory-lock and pg_sleep waits itself; a row-lock wait
 * is read from the engine's transaction table (the transaction it waits for), since it may
 * wait on another shard's fiber. */
typedef enum net_pg_wait {
    NET_PG_WAIT_NONE = 0,
    NET_PG_WAIT_RELATION,              /* Lock / relation: a table lock */
    NET_PG_WAIT_ADVISORY,              /* Lock / advisory */
    NET_PG_WAIT_TXID,                  /* Lock / transactionid: a row lock */
    NET_PG_WAIT_PG_SLEEP,              /* Timeout / PgSleep */
    NET_PG_WAIT_TUPLE,                 /* Lock / tuple: a row lock, queued behind another
                                          session waiting for the same row (PostgreSQL's
                                          tuple lock: the first waiter holds it) */
} net_pg_wait;

/* A copy of one backend's activity, consistent (taken under the slot's flag). Times are
 * microseconds since the Unix epoch, 0 = none (NULL). */
typedef struct net_pg_activity {
    uint32_t pid;
    uint32_t db_oid;
    uint32_t role_oid;                 /* the session user that logged in */
    char datname[NET_PG_ACTIVITY_NAME_BYTES];
    char usename[NET_PG_ACTIVITY_NAME_BYTES];
    char application_name[NET_PG_ACTIVITY_NAME_BYTES];
    char client_addr[48];              /* "" over a Unix socket */
    int32_t client_port;               /* -1 over a Unix socket */
    char server_addr[48];              /* the local end (inet_server_addr): "" over Unix */
    int32_t server_port;               /* -1 over a Unix socket */
    int64_t backend_start_us;
    int64_t xact_start_us;
    int64_t query_start_us;
    int64_t state_change_us;
    net_pg_state state;
    net_pg_wait wait;
    uint32_t wait_pid;                 /* the backend holding what it waits for, 0 = unknown */
    uint64_t txn_stamp;                /* eng_stamp_txn(slot, generation, 0), 0 = none */
    uint64_t xid;                      /* its transaction's number once it wrote, 0 = none */
    uint64_t xmin;                     /* the oldest transaction number its snapshot may not
                                          see as committed, 0 = no snapshot */
    uint32_t wait_rel;                 /* a row-lock wait (TXID, TUPLE): the row's table, */
    uint64_t wait_row;                 /* its row (eng_txn_row_of), */
    uint64_t wait_seq;                 /* the order the row's waits began in, */
    uint32_t wait_mode;                /* the row lock asked for (eng_lock_mode), */
    uint64_t wait_txn;                 /* and the transaction holding it (stamp) */
    uint32_t vxid_local;               /* counts its transactions: the local part of its
                                          virtual transaction id (pg_locks: backend/local) */
    bool ssl;                          /* the connection runs TLS (pg_stat_ssl) */
    int32_t ssl_bits;                  /* the cipher's secret bits */
    char ssl_version[16];              /* "TLSv1.3" */
    char ssl_cipher[64];               /* OpenSSL's cipher name */
    char query[NET_PG_ACTIVITY_QUERY_BYTES];
} net_pg_activity;

/* Looks up the SCRAM verifier of a role that may log in. Returns false (and leaves `secret`
 * alone) when the role does not exist, cannot log in, has no verifier or it has expired. */
typedef bool (*net_pg_role_secret_fn)(const char *user, char secret[NET_SCRAM_SECRET_BYTES_MAX]);

typedef struct net_pg_config {
    const char *host;          /* TCP listen address; NULL or "" = no TCP; "*" = all */
    uint16_t port;
    const char *unix_dir;      /* directories of .s.PGSQL.<port>, comma-separated (as
                                  unix_socket_directories); NULL or "" = none */
    uint32_t max_connections;  /* 0 = NET_PG_MAX_CONNECTIONS_DEFAULT */
    net_tls_ctx *tls;          /* NULL: SSLRequest is answered 'N' */
    const uint8_t *mock_key;   /* NET_SCRAM_MOCK_KEY_BYTES; NULL = all zero (tests) */
    net_pg_role_secret_fn role_secret; /* NULL = the engine catalog (net_pg_role_secret) */
    uint64_t auth_timeout_ns;  /* 0 = NET_PG_AUTH_TIMEOUT_NS */
    uint32_t max_message_bytes; /* 0 = NET_PG_MESSAGE_BYTES_MAX (max_message_size) */
    net_hba *hba;              /* the authentication rules, owned by net_pg from here; NULL =
                                  the built-in behaviour described under Auth above */
} net_pg_config;

/* Off the shards, before they start: copies the configuration, sizes the backend table and
 * creates the Unix sockets. A directory where that fails is skipped with a warning, as in
 * PostgreSQL; F0000 when none could be made. */
bool net_pg_start(const net_pg_config *config, rt_err *err);
/* In on_start: this shard's TCP listener (SO_REUSEPORT) and its accept fibers. */
bool net_pg_shard_start(rt_err *err);
/* In on_stop: stops accepting and ends this shard's connections (FATAL 57P01 to each). */
void net_pg_shard_stop(void);
/* After the runtime stopped: closes and removes the Unix socket, frees the backend table. */
void net_pg_stop(void);

/* pg_cancel_backend(pid) and a CancelRequest with the right key: sets the connection's cancel
 * flag, which its session checks. False when no such backend exists. */
bool net_pg_cancel_backend(uint32_t pid);
/* pg_terminate_backend(pid): marks the backend to end, as a SIGTERM does in PostgreSQL: its
 * running statement stops at its next cancel check, an idle connection wakes from its read,
 * and either sends FATAL 57P01 "terminating connection due to administrator command", rolls
 * back its transaction and closes; called from a fiber, it also ends a send that waits for a
 * client that does not read (that connection just closes). *generation (may be NULL)
 * identifies this incarnation of the pid for net_pg_backend_running(). False when no open
 * session has that pid. */
bool net_pg_terminate_backend(uint32_t pid, uint64_t *generation);
/* Whether the backend of that pid and generation is still there (its session not closed). */
bool net_pg_backend_running(uint32_t pid, uint64_t generation);
/* Slots of the backend table (max_connections); slot i serves pid NET_PG_PID_BASE + i. */
uint32_t net_pg_backend_slots(void);
/* When net_pg_start ran (Unix-epoch microseconds): the server's own workers started then. */
int64_t net_pg_start_time_us(void);
/* pids of the server's own workers in pg_stat_activity, below every backend's. */
#define NET_PG_PID_CHECKPOINTER (NET_PG_PID_BASE - 1u)
#define NET_PG_PID_WALWRITER (NET_PG_PID_BASE - 2u)
#define NET_PG_PID_AUTOVACUUM (NET_PG_PID_BASE - 3u)
/* A copy of slot i's activity; false when no open session uses the slot. */
bool net_pg_activity_get(uint32_t slot, net_pg_activity *out);
/* The backends waiting for the same row as `a` (a row-lock wait, TXID or TUPLE) since before
 * it, into pids (up to `cap`); how many. */
uint32_t net_pg_row_waiters_ahead(const net_pg_activity *a, uint32_t *pids, uint32_t cap);
/* A copy of backend `pid`'s activity; false when no open session has that pid. */
bool net_pg_activity_of(uint32_t pid, net_pg_activity *out);
/* From the session's own fiber: it now waits (NET_PG_WAIT_NONE: no longer) for a lock that
 * backend `holder_pid` holds (0 = unknown), or sleeps. */
void net_pg_backend_wait(uint32_t pid, net_pg_wait wait, uint32_t holder_pid);
/* From the session's own fiber: its transaction began (stamp, number) or ended (0, 0). */
void net_pg_backend_xact(uint32_t pid, uint64_t txn_stamp, uint64_t gid);
/* From the session's own fiber: its transaction wrote (backend_xid shows from now on). */
void net_pg_backend_wrote(uint32_t pid);
/* The session user of backend `pid` into *role_oid; false if no open session has that pid. */
bool net_pg_backend_role(uint32_t pid, uint32_t *role_oid);
/* Replaces the authentication rules (SIGHUP), from any thread: connections that start from
 * now on use `hba` (net_pg owns it); the old rules are freed by net_pg_stop(), since a shard
 * may still be reading them. */
void net_pg_hba_set(net_hba *hba);

/* Connections open right now (all shards). */
uint32_t net_pg_connection_count(void);

/* The default role lookup: the current catalog version's eng_role.password. */
bool net_pg_role_secret(const char *user, char secret[NET_SCRAM_SECRET_BYTES_MAX]);

#endif
