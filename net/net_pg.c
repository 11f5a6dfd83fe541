/* net_pg.c: listeners, accept fibers, the life of a connection, the backend table and
 * shutdown. Every shard listens on the TCP port with SO_REUSEPORT, so the kernel spreads new
 * connections; the Unix socket is one descriptor on which every shard keeps an accept in
 * flight. A connection stays on the shard that accepted it, in its own fiber. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/eng.h"
#include "engine/eng_txn.h"
#include "net/net_pg_int.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_time.h"

/* Pending connections per listening socket (PostgreSQL asks for MaxConnections * 2). */
#define NET_PG_LISTEN_BACKLOG 1024
/* After accept fails (out of descriptors), wait this long before trying again. */
#define NET_PG_ACCEPT_RETRY_NS (10ull * RT_NS_PER_MS)

struct net_pg_shard {
    bool stopping;
    int tcp_fd;
    net_pg_conn *conns;
};

typedef struct net_pg_listener {
    int fd;
    bool shared;               /* the Unix socket: closed by net_pg_stop, not by the shard */
    net_pg_shard *shard;
} net_pg_listener;

net_pg_global net_pg_g;
static net_pg_shard net_pg_shards[RT_SHARDS_MAX];
static _Atomic uint32_t net_pg_backend_hint;

/* ---- backend table ---- */

static void net_pg_backend_lock(net_pg_backend *b) {
    while (atomic_flag_test_and_set_explicit(&b->lock, memory_order_acquire)) {
    }
}

static void net_pg_backend_unlock(net_pg_backend *b) {
    atomic_flag_clear_explicit(&b->lock, memory_order_release);
}

/* A cancel key nobody can guess (PostgreSQL uses a strong random too). */
static uint32_t net_pg_random_u32(void) {
    uint32_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v) v = (uint32_t)rt_time_mono_ns() * 2654435761u;
    return v;
}

/* An address and port as text and number: none and -1 for a Unix socket. */
static void net_pg_addr_text(const struct sockaddr_storage *sa, char addr[48], int32_t *port) {
    addr[0] = '\0';
    *port = -1;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, addr, 48);
        *port = ntohs(in->sin_port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, 48);
        *port = ntohs(in6->sin6_port);
    }
}

/* The client's address and port as pg_stat_activity shows them, and the server's end of the
 * connection (inet_server_addr/port); none and -1 over a Unix socket. */
static void net_pg_activity_peer(const struct sockaddr_storage *peer, int fd,
                                 net_pg_activity *a) {
    net_pg_addr_text(peer, a->client_addr, &a->client_port);
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    if (peer->ss_family == AF_UNIX || getsockname(fd, (struct sockaddr *)&local, &len) != 0) {
        local.ss_family = AF_UNIX;
    }
    net_pg_addr_text(&local, a->server_addr, &a->server_port);
}

/* Takes slot i if it is free; the caller holds nothing. */
static bool net_pg_backend_take(net_pg_conn *c, uint32_t i, uint32_t *secret) {
    net_pg_backend *b = &net_pg_g.backends[i];
    net_pg_backend_lock(b);
    bool free_slot = !b->in_use;
    if (free_slot) {
        b->in_use = true;
        b->secret = net_pg_random_u32();
        atomic_store(&b->cancel, false);
        atomic_store(&b->terminate, false);
        b->fd = c->fd;
        b->core = rt_core_id();
        b->generation++;
        memset(&b->act, 0, sizeof b->act);
        atomic_store(&b->txn_stamp, 0);
        atomic_store(&b->xid, 0);
        b->gid = 0;
        b->act.backend_start_us = rt_time_wall_us();
        net_pg_activity_peer(&c->peer, c->fd, &b->act);
        *secret = b->secret;
    }
    net_pg_backend_unlock(b);
    return free_slot;
}

bool net_pg_backend_acquire(net_pg_conn *c, uint32_t *secret) {
    uint32_t n = net_pg_g.backend_count;
    for (uint32_t tries = 0; tries < n; tries++) {
        /* Round robin from a moving start, so a pid is not reused right away. */
        uint32_t i = atomic_fetch_add(&net_pg_backend_hint, 1) % n;
        if (net_pg_backend_take(c, i, secret)) {
            c->backend = &net_pg_g.backends[i];
            c->pid = NET_PG_PID_BASE + i;
            return true;
        }
    }
    return false;
}

void net_pg_backend_release(net_pg_conn *c) {
    if (c->backend == NULL) return;
    net_pg_backend_lock(c->backend);
    c->backend->in_use = false;
    c->backend->secret = 0;
    c->backend->role_oid = 0;
    c->backend->fd = -1;
    c->backend->act.pid = 0;
    net_pg_backend_unlock(c->backend);
    c->backend = NULL;
}

/* The slot of `pid`, or NULL for a number that is no slot. */
static net_pg_backend *net_pg_backend_of(uint32_t pid) {
    if (pid < NET_PG_PID_BASE || pid - NET_PG_PID_BASE >= net_pg_g.backend_count) return NULL;
    return &net_pg_g.backends[pid - NET_PG_PID_BASE];
}

bool net_pg_backend_cancel(uint32_t pid, uint32_t secret, bool check_secret) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return false;
    net_pg_backend_lock(b);
    bool hit = b->in_use && (!check_secret || b->secret == secret);
    if (hit) atomic_store(&b->cancel, true);
    net_pg_backend_unlock(b);
    return hit;
}

bool net_pg_cancel_backend(uint32_t pid) { return net_pg_backend_cancel(pid, 0, false); }

/* Cancels a send of the terminated connection that waits for its client to read: it then
 * fails and the connection ends (no FATAL can reach a client that does not read). */
typedef struct net_pg_wake_msg {
    rt_msg msg;
    uint32_t pid;
} net_pg_wake_msg;

static void net_pg_terminate_send_run(rt_msg *msg) {
    const net_pg_wake_msg *m = (const net_pg_wake_msg *)msg;
    for (net_pg_conn *c = net_pg_shards[rt_core_id()].conns; c != NULL; c = c->next) {
        if (!c->finished && c->pid == m->pid && c->in_send && net_pg_backend_terminating(c)) {
            rt_io_cancel_fd(c->fd);
        }
    }
    rt_msg_reply(msg);
}

/* From a fiber: on the connection's shard, cancel its send if one waits. A send that starts
 * later sees the mark and does not wait (net_pg_sock_send). */
static void net_pg_terminate_send_wait(uint32_t core, uint32_t pid) {
    net_pg_wake_msg m;
    memset(&m, 0, sizeof m);
    m.msg.run = net_pg_terminate_send_run;
    m.pid = pid;
    rt_msg_call(&m.msg, core);
}

/* The flags first (a statement stops at its next cancel check, and the connection looks at
 * `terminate` before every read and send), then shutdown(SHUT_RD) wakes a read in flight on
 * whichever shard owns the socket: it completes with end of stream and the reader finds the
 * flag. The socket cannot be closed meanwhile: its connection releases the slot (under the
 * flag held here) before closing it. A send in flight is cancelled on the connection's shard
 * (from a fiber only: off the shards, a test's thread, it waits for its client). */
bool net_pg_terminate_backend(uint32_t pid, uint64_t *generation) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return false;
    net_pg_backend_lock(b);
    bool hit = b->in_use && b->role_oid != 0;
    uint32_t core = b->core;
    if (hit) {
        atomic_store(&b->terminate, true);
        atomic_store(&b->cancel, true);
        if (generation != NULL) *generation = b->generation;
        if (b->fd >= 0) (void)shutdown(b->fd, SHUT_RD);
    }
    net_pg_backend_unlock(b);
    if (hit && rt_fiber_self() != NULL) net_pg_terminate_send_wait(core, pid);
    return hit;
}

bool net_pg_backend_running(uint32_t pid, uint64_t generation) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return false;
    net_pg_backend_lock(b);
    bool running = b->in_use && b->generation == generation;
    net_pg_backend_unlock(b);
    return running;
}

bool net_pg_backend_terminating(const net_pg_conn *c) {
    return c->backend != NULL && atomic_load(&c->backend->terminate);
}

bool net_pg_admin_terminate(rt_err *err) {
    rt_err_clear(err);
    rt_err_set(err, SQLSTATE_ADMIN_SHUTDOWN, "terminating connection due to administrator "
               "command");
    err->severity = RT_SEV_FATAL;
    return false;
}

void net_pg_backend_set_role(net_pg_conn *c, uint32_t role_oid) {
    net_pg_backend *b = c->backend;
    net_pg_backend_lock(b);
    b->role_oid = role_oid;
    b->act.pid = c->pid;
    b->act.role_oid = role_oid;
    b->act.db_oid = sql_session_db_oid(c->session);
    snprintf(b->act.datname, sizeof b->act.datname, "%s", sql_session_database(c->session));
    snprintf(b->act.usename, sizeof b->act.usename, "%s", sql_session_user(c->session));
    b->act.ssl = c->tls != NULL;
    if (c->tls != NULL) { /* the handshake is done before authentication */
        snprintf(b->act.ssl_version, sizeof b->act.ssl_version, "%s", net_tls_version(c->tls));
        snprintf(b->act.ssl_cipher, sizeof b->act.ssl_cipher, "%s", net_tls_cipher(c->tls));
        b->act.ssl_bits = net_tls_cipher_bits(c->tls);
    }
    net_pg_backend_unlock(b);
}

/* The length of the longest prefix of s[0..len) that fits `cap` bytes with its terminator
 * and does not end inside a UTF-8 sequence. */
static uint32_t net_pg_text_cut(const char *s, uint32_t len, uint32_t cap) {
    if (len < cap) return len;
    uint32_t n = cap - 1;
    while (n > 0 && ((uint8_t)s[n] & 0xc0) == 0x80) n--;
    return n;
}

/* The wall clock for pg_stat_activity: the session's reading for the message being served
 * (the times a statement, its transaction and its state change carry are that message's). */
static int64_t net_pg_clock_us(net_pg_conn *c) {
    return c->session != NULL ? sql_session_clock_us(c->session) : rt_time_wall_us();
}

void net_pg_backend_active(net_pg_conn *c, const char *query, uint32_t len) {
    net_pg_backend *b = c->backend;
    /* Execute after Bind: nothing changes, so neither the clock nor the lock (only this
     * connection's shard writes the slot, so it reads it without the lock). */
    if (query == NULL && b->act.state == NET_PG_STATE_ACTIVE) return;
    int64_t now = net_pg_clock_us(c);
    net_pg_backend_lock(b);
    net_pg_activity *a = &b->act;
    if (query != NULL) {
        uint32_t n = net_pg_text_cut(query, len, sizeof a->query);
        memcpy(a->query, query, n);
        a->query[n] = '\0';
        a->query_start_us = now;
        a->state_change_us = now; /* PostgreSQL restamps the state with every statement */
    }
    /* The statement's snapshot horizon, unless the transaction kept an earlier snapshot;
     * running transactions older than it lower it when it is read (net_pg_activity_get). */
    if (a->xmin == 0) a->xmin = eng_txn_next_gid();
    if (a->state != NET_PG_STATE_ACTIVE) {
        if (a->state == NET_PG_STATE_IDLE || a->state == NET_PG_STATE_STARTING) {
            a->xact_start_us = now; /* a transaction starts with this statement */
            a->vxid_local++;
        }
        if (query == NULL) a->query_start_us = now;
        a->state = NET_PG_STATE_ACTIVE;
        a->state_change_us = now;
    }
    net_pg_backend_unlock(b);
}

void net_pg_backend_ready(net_pg_conn *c, sql_txn_status status) {
    net_pg_state st = status == SQL_TXN_BLOCK    ? NET_PG_STATE_IDLE_IN_TXN
                      : status == SQL_TXN_FAILED ? NET_PG_STATE_IDLE_IN_TXN_ABORTED
                                                 : NET_PG_STATE_IDLE;
    bool wrote = false, keeps_snapshot = false;
    if (c->session != NULL) sql_session_xact_info(c->session, &wrote, &keeps_snapshot);
    net_pg_backend *b = c->backend;
    net_pg_backend_lock(b);
    if (b->act.state != st) {
        b->act.state = st;
        b->act.state_change_us = net_pg_clock_us(c);
    }
    if (st == NET_PG_STATE_IDLE) b->act.xact_start_us = 0;
    /* As PostgreSQL: the transaction id shows once the transaction wrote; a snapshot is let
     * go after each statement in READ COMMITTED, at the end in REPEATABLE READ. */
    atomic_store(&b->xid, wrote ? b->gid : 0);
    if (st == NET_PG_STATE_IDLE || !keeps_snapshot) b->act.xmin = 0;
    net_pg_backend_unlock(b);
}

void net_pg_backend_xact(uint32_t pid, uint64_t txn_stamp, uint64_t gid) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return;
    net_pg_backend_lock(b);
    b->gid = gid;
    atomic_store(&b->txn_stamp, txn_stamp);
    if (gid == 0) atomic_store(&b->xid, 0);
    net_pg_backend_unlock(b);
}

void net_pg_backend_wrote(uint32_t pid) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return;
    net_pg_backend_lock(b);
    atomic_store(&b->xid, b->gid);
    net_pg_backend_unlock(b);
}

void net_pg_backend_wait(uint32_t pid, net_pg_wait wait, uint32_t holder_pid) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return;
    net_pg_backend_lock(b);
    b->act.wait = wait;
    b->act.wait_pid = holder_pid;
    net_pg_backend_unlock(b);
}

void net_pg_backend_set_app(net_pg_conn *c, const char *name) {
    net_pg_backend *b = c->backend;
    if (b == NULL) return;
    net_pg_backend_lock(b);
    uint32_t n = net_pg_text_cut(name, (uint32_t)strlen(name), sizeof b->act.application_name);
    memcpy(b->act.application_name, name, n);
    b->act.application_name[n] = '\0';
    net_pg_backend_unlock(b);
}

uint32_t net_pg_backend_slots(void) { return net_pg_g.backend_count; }

int64_t net_pg_start_time_us(void) { return net_pg_g.start_us; }

/* The backend whose transaction `stamp` names, 0 if none (it ended, or is no session's). */
static uint32_t net_pg_pid_of_txn(uint64_t stamp) {
    for (uint32_t i = 0; i < net_pg_g.backend_count; i++) {
        if (eng_stamp_same_txn(atomic_load(&net_pg_g.backends[i].txn_stamp), stamp)) {
            return NET_PG_PID_BASE + i;
        }
    }
    return 0;
}

/* The oldest transaction number at or below `xmin` that still runs with an id assigned: a
 * transaction older than the snapshot that still runs was running when it was taken. */
static uint64_t net_pg_xmin_lower(uint64_t xmin) {
    for (uint32_t i = 0; i < net_pg_g.backend_count; i++) {
        uint64_t xid = atomic_load(&net_pg_g.backends[i].xid);
        if (xid != 0 && xid < xmin) xmin = xid;
    }
    return xmin;
}

/* Whether backend slot `i` waits for the same row of the same holder as `a`, since before
 * it; its wait's order in *seq. */
static bool net_pg_row_waiter_ahead(uint32_t i, const net_pg_activity *a, uint64_t *seq) {
    uint64_t stamp = atomic_load(&net_pg_g.backends[i].txn_stamp);
    if (stamp == 0 || eng_stamp_same_txn(stamp, a->txn_stamp)) return false;
    const eng_txn_slot *s = eng_txn_slot_get(eng_stamp_slot(stamp));
    if (atomic_load(&s->waiting_rel) != a->wait_rel ||
        !eng_stamp_same_txn(atomic_load(&s->waiting_for), a->wait_txn) ||
        atomic_load(&s->waiting_row) != a->wait_row) {
        return false;
    }
    *seq = atomic_load(&s->waiting_seq);
    return *seq != 0 && *seq < a->wait_seq;
}

/* A row-lock waiter queued behind another session waiting for the same row waits, as
 * PostgreSQL shows it, for the tuple lock the first waiter holds (Lock / tuple). */
static void net_pg_activity_queue(net_pg_activity *a) {
    uint64_t first_seq = a->wait_seq;
    uint32_t first = 0;
    for (uint32_t i = 0; i < net_pg_g.backend_count; i++) {
        uint64_t seq;
        if (net_pg_row_waiter_ahead(i, a, &seq) && seq < first_seq) {
            first_seq = seq;
            first = NET_PG_PID_BASE + i;
        }
    }
    if (first == 0) return;
    a->wait = NET_PG_WAIT_TUPLE;
    a->wait_pid = first;
}

uint32_t net_pg_row_waiters_ahead(const net_pg_activity *a, uint32_t *pids, uint32_t cap) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < net_pg_g.backend_count && a->wait_rel != 0; i++) {
        uint64_t seq;
        if (net_pg_row_waiter_ahead(i, a, &seq) && n < cap) pids[n++] = NET_PG_PID_BASE + i;
    }
    return n;
}

/* What the copy leaves to be derived: a row-lock wait, which the engine publishes in the
 * transaction table (and whose waiter has an id, being a writer), and the horizon. */
static void net_pg_activity_derive(net_pg_activity *a) {
    if (a->wait == NET_PG_WAIT_NONE && a->state == NET_PG_STATE_ACTIVE && a->txn_stamp != 0) {
        const eng_txn_slot *s = eng_txn_slot_get(eng_stamp_slot(a->txn_stamp));
        uint64_t w = atomic_load(&s->waiting_for);
        if (w != 0 && eng_txn_stamp_running(a->txn_stamp)) {
            a->wait = NET_PG_WAIT_TXID;
            a->wait_pid = net_pg_pid_of_txn(w);
            a->wait_txn = w;
            a->wait_rel = atomic_load(&s->waiting_rel);
            a->wait_row = atomic_load(&s->waiting_row);
            a->wait_seq = atomic_load(&s->waiting_seq);
            a->wait_mode = atomic_load(&s->waiting_mode);
            if (a->wait_rel != 0) net_pg_activity_queue(a);
        }
    }
    if (a->xmin != 0) a->xmin = net_pg_xmin_lower(a->xmin);
}

static bool net_pg_activity_copy(net_pg_backend *b, net_pg_activity *out) {
    net_pg_backend_lock(b);
    bool open = b->in_use && b->act.pid != 0;
    if (open) {
        /* Field by field: the query text is copied only as far as it goes. */
        memcpy(out, &b->act, offsetof(net_pg_activity, query));
        size_t n = strnlen(b->act.query, sizeof out->query - 1);
        memcpy(out->query, b->act.query, n);
        out->query[n] = '\0';
        out->txn_stamp = atomic_load(&b->txn_stamp);
        out->xid = atomic_load(&b->xid);
        if (out->xid == 0 && out->wait == NET_PG_WAIT_NONE &&
            out->state == NET_PG_STATE_ACTIVE && out->txn_stamp != 0 &&
            atomic_load(&eng_txn_slot_get(eng_stamp_slot(out->txn_stamp))->waiting_for) != 0) {
            out->xid = b->gid; /* a lock waiter writes: PostgreSQL gave it an id first */
        }
    }
    net_pg_backend_unlock(b);
    if (open) net_pg_activity_derive(out);
    return open;
}

bool net_pg_activity_get(uint32_t slot, net_pg_activity *out) {
    if (slot >= net_pg_g.backend_count) return false;
    return net_pg_activity_copy(&net_pg_g.backends[slot], out);
}

bool net_pg_activity_of(uint32_t pid, net_pg_activity *out) {
    net_pg_backend *b = net_pg_backend_of(pid);
    return b != NULL && net_pg_activity_copy(b, out);
}

bool net_pg_backend_role(uint32_t pid, uint32_t *role_oid) {
    net_pg_backend *b = net_pg_backend_of(pid);
    if (b == NULL) return false;
    net_pg_backend_lock(b);
    bool open = b->in_use && b->role_oid != 0;
    *role_oid = b->role_oid;
    net_pg_backend_unlock(b);
    return open;
}

uint32_t net_pg_connection_count(void) { return atomic_load(&net_pg_g.connections); }

bool net_pg_shard_stopping(const net_pg_conn *c) { return c->shard->stopping; }

/* ---- connections ---- */

static bool net_pg_peer_local(const struct sockaddr_storage *peer) {
    if (peer->ss_family == AF_UNIX) return true;
    if (peer->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)peer;
        return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    if (peer->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)peer;
        if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) return true;
        return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

static void net_pg_conn_unlink(net_pg_conn *c) {
    if (c->prev != NULL) c->prev->next = c->next;
    else c->shard->conns = c->next;
    if (c->next != NULL) c->next->prev = c->prev;
}

/* After a FATAL: discards what the client still sends before the socket closes, within
 * NET_PG_CLOSE_DRAIN_BYTES and NET_PG_CLOSE_DRAIN_MS in all, parking only this fiber. */
typedef struct net_pg_drain {
    uint64_t start_ns, drained;
} net_pg_drain;

/* Phase one, our side still open: the rest of a refused message. A client still sending it
 * (libpq reads while its send is blocked) takes an end of stream seen then for a lost server
 * and drops the FATAL it has read. False: the client closed or failed, or a limit passed. */
static bool net_pg_drain_rest(net_pg_conn *c, net_pg_drain *d) {
    d->start_ns = rt_time_mono_ns();
    d->drained = 0;
    if (c->in_rest == 0) return true;
    uint64_t rest = c->in_rest < NET_PG_CLOSE_DRAIN_BYTES ? c->in_rest : NET_PG_CLOSE_DRAIN_BYTES;
    return net_pg_io_discard(c, rest, (uint64_t)NET_PG_CLOSE_DRAIN_MS * 1000u * 1000u,
                             &d->drained) == RT_RX_DRAIN_BYTES &&
           d->drained < NET_PG_CLOSE_DRAIN_BYTES;
}

/* Phase two: our side ends, and the drain goes on until the client closes (it reads the
 * FATAL, then the end) or a limit passes. */
static void net_pg_drain_to_end(net_pg_conn *c, net_pg_drain *d) {
    uint64_t limit_ns = (uint64_t)NET_PG_CLOSE_DRAIN_MS * 1000u * 1000u;
    (void)shutdown(c->fd, SHUT_WR);
    uint64_t spent_ns = rt_time_mono_ns() - d->start_ns;
    if (spent_ns >= limit_ns) return;
    uint64_t more;
    (void)rt_sock_rx_drain(&c->rx, NET_PG_CLOSE_DRAIN_BYTES - d->drained, limit_ns - spent_ns,
                           &more);
}

/* Ends a connection that is still open: after a FATAL the rest of a refused message is read,
 * then TLS close_notify if on TLS, after a FATAL the drain to the client's end, then the
 * socket. No drain while the server stops: that waits for no client. */
static void net_pg_conn_close(net_pg_conn *c) {
    rt_err ignored;
    rt_err_clear(&ignored);
    net_pg_drain d = {0};
    bool drain = c->fatal_sent && !c->eof && !c->io_failed && !c->shard->stopping &&
                 net_pg_drain_rest(c, &d);
    if (c->tls != NULL && !c->eof && !c->io_failed && net_tls_close(c->tls, &ignored)) {
        uint8_t chunk[1024];
        size_t n;
        while ((n = net_tls_output_take(c->tls, chunk, sizeof chunk)) > 0) {
            if (!net_pg_sock_send(c, chunk, n, &ignored)) break;
        }
    }
    if (drain) net_pg_drain_to_end(c, &d);
    rt_sock_rx_close(&c->rx);
    rt_sock_close(c->fd);
}

static void net_pg_conn_fiber(void *arg) {
    net_pg_conn *c = arg;
    net_pg_io_init(c);
    c->msg_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    c->row_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    if (net_pg_startup(c)) net_pg_serve(c);
    c->finished = true; /* a shutdown from here on has nothing to interrupt */
    if (c->session != NULL) sql_session_close(c->session);
    net_pg_backend_release(c);
    net_pg_conn_close(c);
    net_pg_io_free(c);
    rt_arena_destroy(c->msg_arena);
    rt_arena_destroy(c->row_arena);
    if (c->startup_arena != NULL) rt_arena_destroy(c->startup_arena);
    net_pg_conn_unlink(c);
    atomic_fetch_sub(&net_pg_g.connections, 1);
    rt_free(c);
}

static void net_pg_conn_spawn(net_pg_shard *sh, int fd, const struct sockaddr_storage *peer) {
    net_pg_conn *c = rt_xcalloc(1, sizeof *c);
    c->fd = fd;
    c->peer = *peer;
    c->local = net_pg_peer_local(peer);
    c->shard = sh;
    c->next = sh->conns;
    if (c->next != NULL) c->next->prev = c;
    sh->conns = c;
    atomic_fetch_add(&net_pg_g.connections, 1);
    rt_err err;
    rt_err_clear(&err);
    if (rt_fiber_spawn(net_pg_conn_fiber, c, &err) == NULL) {
        rt_log(RT_LOG_WARNING, NULL, "could not start a connection: %s", err.message);
        net_pg_conn_unlink(c);
        atomic_fetch_sub(&net_pg_g.connections, 1);
        rt_sock_close(fd);
        rt_free(c);
    }
}

static void net_pg_accept_fiber(void *arg) {
    net_pg_listener *l = arg;
    net_pg_shard *sh = l->shard;
    while (!sh->stopping) {
        struct sockaddr_storage peer;
        memset(&peer, 0, sizeof peer);
        rt_err err;
        rt_err_clear(&err);
        int fd = rt_sock_accept(l->fd, &peer, &err);
        if (fd < 0) {
            if (sh->stopping) break;
            rt_log(RT_LOG_WARNING, NULL, "%s", err.message);
            rt_fiber_sleep_ns(NET_PG_ACCEPT_RETRY_NS);
            continue;
        }
        if (sh->stopping) {
            rt_sock_close(fd);
            break;
        }
        net_pg_conn_spawn(sh, fd, &peer);
    }
    if (!l->shared) rt_sock_close(l->fd);
    rt_free(l);
}

static bool net_pg_listener_spawn(net_pg_shard *sh, int fd, bool shared, rt_err *err) {
    net_pg_listener *l = rt_xcalloc(1, sizeof *l);
    l->fd = fd;
    l->shared = shared;
    l->shard = sh;
    if (rt_fiber_spawn(net_pg_accept_fiber, l, err) == NULL) {
        rt_free(l);
        return false;
    }
    return true;
}

/* ---- start and stop ---- */

/* The Unix socket: refuses to take over one a live server answers on; removes a stale one. */
static int net_pg_unix_listen(const char *path, rt_err *err) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                   "Unix-domain socket path \"%s\" is too long (maximum %d bytes)", path,
                   (int)sizeof addr.sun_path - 1);
        return -1;
    }
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rt_err_from_errno(err, errno, "could not create Unix-domain socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
        close(fd);
        rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not bind Unix address \"%s\": "
                   "another server is running there", path);
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || chmod(path, 0777) != 0 ||
        listen(fd, NET_PG_LISTEN_BACKLOG) != 0) {
        int e = errno;
        close(fd);
        rt_err_from_errno(err, e, "could not listen on Unix socket \"%s\"", path);
        return -1;
    }
    return fd;
}

/* One socket per directory of the comma-separated list. */
static bool net_pg_unix_start(const char *dirs, uint16_t port, rt_err *err) {
    uint32_t tried = 0;
    rt_err last;
    rt_err_clear(&last);
    for (const char *p = dirs; *p != '\0';) {
        while (*p == ' ' || *p == ',') p++;
        size_t n = strcspn(p, ",");
        while (n > 0 && p[n - 1] == ' ') n--;
        if (n == 0) break;
        uint32_t i = net_pg_g.unix_count;
        if (i == NET_PG_UNIX_SOCKETS_MAX) {
            return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "too many Unix socket directories "
                              "(at most %u)", NET_PG_UNIX_SOCKETS_MAX);
        }
        tried++;
        snprintf(net_pg_g.unix_paths[i], sizeof net_pg_g.unix_paths[i], "%.*s/.s.PGSQL.%u",
                 (int)n, p, port);
        rt_err_clear(&last);
        int fd = net_pg_unix_listen(net_pg_g.unix_paths[i], &last);
        if (fd >= 0) {
            net_pg_g.unix_fds[i] = fd;
            net_pg_g.unix_count++;
        } else {
            rt_log(RT_LOG_WARNING, NULL, "could not create Unix-domain socket in directory "
                   "\"%.*s\": %s", (int)n, p, last.message);
        }
        p += strcspn(p, ",");
    }
    if (tried > 0 && net_pg_g.unix_count == 0) {
        rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not create any Unix-domain sockets");
        rt_err_detail(err, "%s", last.message);
        return false;
    }
    return true;
}

/* SO_REUSEPORT would let a second server share the port silently and split the clients
 * between them; a plain bind first fails while anyone listens there, as PostgreSQL's does. */
static bool net_pg_port_free(const char *host, uint16_t port, rt_err *err) {
    int fd = rt_sock_listen_tcp(host, port, false, 1, err);
    if (fd < 0) {
        rt_err_hint(err, "Is another server already running on port %u? If not, wait a few "
                    "seconds and retry.", port);
        return false;
    }
    rt_sock_close(fd);
    return true;
}

bool net_pg_start(const net_pg_config *config, rt_err *err) {
    memset(&net_pg_g, 0, sizeof net_pg_g);
    memset(net_pg_shards, 0, sizeof net_pg_shards);
    net_pg_g.config = *config;
    net_pg_g.start_us = rt_time_wall_us();
    atomic_store(&net_pg_g.hba, config->hba); /* owned from here, freed by net_pg_stop */
    net_pg_g.config.hba = NULL;
    uint32_t max = config->max_connections != 0 ? config->max_connections
                                                : NET_PG_MAX_CONNECTIONS_DEFAULT;
    if (max > NET_PG_CONNECTIONS_MAX) {
        net_pg_stop();
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "%u is outside the valid range for parameter \"max_connections\" "
                          "(1 .. %u)", max, NET_PG_CONNECTIONS_MAX);
    }
    if (net_pg_g.config.auth_timeout_ns == 0) net_pg_g.config.auth_timeout_ns =
        NET_PG_AUTH_TIMEOUT_NS;
    if (net_pg_g.config.max_message_bytes == 0 ||
        net_pg_g.config.max_message_bytes > NET_PG_MESSAGE_BYTES_MAX) {
        net_pg_g.config.max_message_bytes = NET_PG_MESSAGE_BYTES_MAX;
    }
    if (config->mock_key != NULL) {
        memcpy(net_pg_g.mock_key, config->mock_key, NET_SCRAM_MOCK_KEY_BYTES);
    }
    if (config->host != NULL && config->host[0] != '\0' &&
        !net_pg_port_free(config->host, config->port, err)) {
        net_pg_stop();
        return false;
    }
    net_pg_g.backend_count = max;
    net_pg_g.backends = rt_xcalloc(max, sizeof *net_pg_g.backends);
    if (config->unix_dir != NULL && !net_pg_unix_start(config->unix_dir, config->port, err)) {
        net_pg_stop();
        return false;
    }
    return true;
}

bool net_pg_shard_start(rt_err *err) {
    net_pg_shard *sh = &net_pg_shards[rt_core_id()];
    memset(sh, 0, sizeof *sh);
    sh->tcp_fd = -1;
    const net_pg_config *cfg = &net_pg_g.config;
    if (cfg->host != NULL && cfg->host[0] != '\0') {
        sh->tcp_fd = rt_sock_listen_tcp(cfg->host, cfg->port, true, NET_PG_LISTEN_BACKLOG, err);
        if (sh->tcp_fd < 0) return false;
        if (!net_pg_listener_spawn(sh, sh->tcp_fd, false, err)) {
            rt_sock_close(sh->tcp_fd);
            sh->tcp_fd = -1;
            return false;
        }
    }
    for (uint32_t i = 0; i < net_pg_g.unix_count; i++) {
        if (!net_pg_listener_spawn(sh, net_pg_g.unix_fds[i], true, err)) return false;
    }
    return true;
}

void net_pg_shard_stop(void) {
    net_pg_shard *sh = &net_pg_shards[rt_core_id()];
    if (sh->stopping) return;
    sh->stopping = true;
    if (sh->tcp_fd >= 0) rt_io_cancel_fd(sh->tcp_fd);
    for (uint32_t i = 0; i < net_pg_g.unix_count; i++) rt_io_cancel_fd(net_pg_g.unix_fds[i]);
    /* Each connection finishes what it runs (its cancel flag is set), then reports 57P01. */
    for (net_pg_conn *c = sh->conns; c != NULL; c = c->next) {
        if (c->finished) continue; /* its socket may be closed (and the number reused) */
        if (c->backend != NULL) atomic_store(&c->backend->cancel, true);
        rt_io_cancel_fd(c->fd);
    }
}

void net_pg_hba_set(net_hba *hba) {
    net_hba *old = atomic_exchange(&net_pg_g.hba, hba);
    if (old == NULL) return;
    net_pg_g.hba_retired = rt_xrealloc(net_pg_g.hba_retired,
                                       (net_pg_g.hba_retired_count + 1) * sizeof(net_hba *));
    net_pg_g.hba_retired[net_pg_g.hba_retired_count++] = old;
}

void net_pg_stop(void) {
    net_hba_free(atomic_exchange(&net_pg_g.hba, NULL));
    for (uint32_t i = 0; i < net_pg_g.hba_retired_count; i++) {
        net_hba_free(net_pg_g.hba_retired[i]);
    }
    rt_free(net_pg_g.hba_retired);
    net_pg_g.hba_retired = NULL;
    net_pg_g.hba_retired_count = 0;
    for (uint32_t i = 0; i < net_pg_g.unix_count; i++) {
        close(net_pg_g.unix_fds[i]);
        unlink(net_pg_g.unix_paths[i]);
    }
    net_pg_g.unix_count = 0;
    rt_free(net_pg_g.backends);
    net_pg_g.backends = NULL;
    net_pg_g.backend_count = 0;
}
