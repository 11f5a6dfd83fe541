/* net_pg_io.c: a connection's buffered transport and message framing. Input is read into one
 * buffer that grows to the message being read (bounded by the per-type limits) and shrinks
 * back afterwards; output messages are built in place in the output buffer and sent when it
 * passes NET_PG_SEND_BUFFER_BYTES or when the protocol needs the client to see them. On TLS,
 * every byte goes through net_tls (memory BIOs) and the socket sees only ciphertext. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "net/net_pg_int.h"
#include "runtime/rt_io.h"
#include "runtime/rt_time.h"

/* Ciphertext read from the socket at a time: one full TLS record. */
#define NET_PG_CIPHER_BYTES NET_TLS_RECORD_BYTES_MAX
#define NET_PG_DISCARD_CHUNK_BYTES 4096u /* plaintext discarded per TLS read (on the stack) */
/* An output buffer that grew for one large message is given back past this size. */
#define NET_PG_SEND_BUFFER_KEEP_BYTES (4u * NET_PG_SEND_BUFFER_BYTES)
/* Output of one message at most: a DataRow of several large values may exceed the input
 * limit, but a length field is an int32. */
#define NET_PG_OUT_MESSAGE_BYTES_MAX 0x7fffffffu

static uint32_t net_pg_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool net_pg_protocol_error(rt_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(err, SQLSTATE_PROTOCOL_VIOLATION, fmt, ap);
    va_end(ap);
    err->severity = RT_SEV_FATAL;
    return false;
}

void net_pg_io_init(net_pg_conn *c) {
    rt_sock_rx_init(&c->rx, c->fd);
    c->in_cap = NET_PG_RECV_BUFFER_BYTES;
    c->in = rt_xmalloc(c->in_cap);
    c->out_cap = NET_PG_SEND_BUFFER_BYTES + 1024;
    c->out = rt_xmalloc(c->out_cap);
}

void net_pg_io_free(net_pg_conn *c) {
    rt_free(c->in);
    rt_free(c->out);
    rt_free(c->cipher);
    if (c->tls != NULL) net_tls_destroy(c->tls);
    c->in = c->out = c->cipher = NULL;
    c->tls = NULL;
}

uint32_t net_pg_io_buffered(const net_pg_conn *c) {
    return c->in_end - c->in_start + c->cipher_len;
}

/* ---- sending ---- */

/* Sends the ciphertext net_tls has produced. */
static bool net_pg_tls_drain(net_pg_conn *c, rt_err *err) {
    uint8_t chunk[8192];
    while (net_tls_output_pending(c->tls) > 0) {
        size_t n = net_tls_output_take(c->tls, chunk, sizeof chunk);
        if (!net_pg_sock_send(c, chunk, n, err)) {
            c->io_failed = true;
            return false;
        }
    }
    return true;
}

/* A TLS error ends the transport: what OpenSSL queued (an alert) still goes out, but no
 * ErrorResponse can follow on this connection. */
static bool net_pg_tls_failed(net_pg_conn *c) {
    c->io_failed = true;
    rt_err ignored;
    rt_err_clear(&ignored);
    (void)net_pg_tls_drain(c, &ignored);
    return false;
}

static bool net_pg_send_raw(net_pg_conn *c, const uint8_t *p, size_t n, rt_err *err) {
    if (c->io_failed) {
        return rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "connection to client lost");
    }
    if (c->tls == NULL) {
        if (!net_pg_sock_send(c, p, n, err)) c->io_failed = true;
        return !c->io_failed;
    }
    while (n > 0) {
        size_t taken = 0;
        if (!net_tls_write(c->tls, p, n, &taken, err)) return net_pg_tls_failed(c);
        p += taken;
        n -= taken;
        if (!net_pg_tls_drain(c, err)) return false;
    }
    return true;
}

bool net_pg_io_send_byte(net_pg_conn *c, uint8_t b, rt_err *err) {
    return rt_sock_send(c->fd, &b, 1, err);
}

/* A terminated connection's output goes out without waiting, as far as the socket takes it
 * (PostgreSQL too stops writing to a client that does not read once it must end); a send that
 * was already waiting when the mark came is cancelled by net_pg_terminate_backend. The mark
 * is looked at before every send: a cancelled send may complete with part of its bytes sent,
 * and the next one must not wait. */
bool net_pg_sock_send(net_pg_conn *c, const void *p, size_t n, rt_err *err) {
    const uint8_t *q = p;
    while (n > 0 && !net_pg_backend_terminating(c)) {
        c->in_send = true;
        ssize_t sent = rt_sock_send_some(c->fd, q, n, err);
        c->in_send = false;
        if (sent < 0 && !net_pg_backend_terminating(c)) return false;
        if (sent < 0) goto terminated;
        q += sent;
        n -= (size_t)sent;
    }
    while (n > 0) {
        ssize_t sent = send(c->fd, q, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) goto terminated;
        q += sent;
        n -= (size_t)sent;
    }
    return true;
terminated:
    rt_err_clear(err);
    return rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "could not send data to client: the "
                      "connection is being terminated");
}

bool net_pg_flush(net_pg_conn *c, rt_err *err) {
    RT_ASSERT(c->msg_start == c->out_len);
    uint32_t n = c->out_len;
    c->out_len = c->msg_start = 0;
    if (n > 0 && !net_pg_send_raw(c, c->out, n, err)) return false;
    if (c->out_cap > NET_PG_SEND_BUFFER_KEEP_BYTES) {
        c->out_cap = NET_PG_SEND_BUFFER_BYTES + 1024;
        c->out = rt_xrealloc(c->out, c->out_cap);
    }
    return true;
}

/* Room for n more output bytes; a message past the int32 limit is cut and failed at its end. */
static bool net_pg_put_room(net_pg_conn *c, uint32_t n) {
    uint64_t need = (uint64_t)c->out_len + n;
    if (need - c->msg_start > NET_PG_OUT_MESSAGE_BYTES_MAX) {
        c->out_overflow = true;
        return false;
    }
    if (need > c->out_cap) {
        uint64_t cap = (uint64_t)c->out_cap * 2;
        if (cap < need) cap = need;
        if (cap > UINT32_MAX) cap = UINT32_MAX;
        c->out = rt_xrealloc(c->out, (size_t)cap);
        c->out_cap = (uint32_t)cap;
    }
    return true;
}

void net_pg_put_bytes(net_pg_conn *c, const void *p, uint32_t n) {
    if (n == 0 || !net_pg_put_room(c, n)) return;
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

void net_pg_put_u8(net_pg_conn *c, uint8_t v) { net_pg_put_bytes(c, &v, 1); }

void net_pg_put_i16(net_pg_conn *c, int16_t v) {
    uint16_t u = (uint16_t)v;
    uint8_t b[2] = {(uint8_t)(u >> 8), (uint8_t)u};
    net_pg_put_bytes(c, b, 2);
}

void net_pg_put_i32(net_pg_conn *c, int32_t v) {
    uint32_t u = (uint32_t)v;
    uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    net_pg_put_bytes(c, b, 4);
}

void net_pg_put_str(net_pg_conn *c, const char *s) {
    net_pg_put_bytes(c, s, (uint32_t)strlen(s) + 1);
}

void net_pg_put_begin(net_pg_conn *c, uint8_t type) {
    RT_ASSERT(c->msg_start == c->out_len);
    c->out_overflow = false;
    net_pg_put_u8(c, type);
    net_pg_put_i32(c, 0);
}

void net_pg_put_abort(net_pg_conn *c) {
    c->out_len = c->msg_start;
    c->out_overflow = false;
}

bool net_pg_put_end(net_pg_conn *c, rt_err *err) {
    if (c->out_overflow) {
        uint32_t have = c->out_len - c->msg_start;
        net_pg_put_abort(c);
        rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "out of memory");
        rt_err_detail(err, "Cannot enlarge string buffer containing %u bytes.", have);
        return false;
    }
    uint32_t len = c->out_len - c->msg_start - 1;
    uint8_t *p = c->out + c->msg_start + 1;
    p[0] = (uint8_t)(len >> 24);
    p[1] = (uint8_t)(len >> 16);
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    c->msg_start = c->out_len;
    if (c->out_len >= NET_PG_SEND_BUFFER_BYTES) return net_pg_flush(c, err);
    return true;
}

/* ---- errors and notices ---- */

static void net_pg_put_field(net_pg_conn *c, char code, const char *value) {
    if (value == NULL || value[0] == '\0') return;
    net_pg_put_u8(c, (uint8_t)code);
    net_pg_put_str(c, value);
}

static void net_pg_put_report(net_pg_conn *c, uint8_t type, const char *severity,
                              const rt_err *e) {
    net_pg_put_abort(c);
    net_pg_put_begin(c, type);
    net_pg_put_field(c, 'S', severity);
    net_pg_put_field(c, 'V', severity);
    net_pg_put_field(c, 'C', e->sqlstate[0] != '\0' ? e->sqlstate : SQLSTATE_INTERNAL_ERROR);
    net_pg_put_field(c, 'M', e->message);
    net_pg_put_field(c, 'D', e->detail);
    net_pg_put_field(c, 'H', e->hint);
    net_pg_put_field(c, 't', e->table_name);
    net_pg_put_field(c, 'n', e->constraint_name);
    if (e->position > 0) {
        char pos[16];
        snprintf(pos, sizeof pos, "%u", e->position);
        net_pg_put_field(c, 'P', pos);
    }
    net_pg_put_u8(c, 0);
    rt_err ignored;
    rt_err_clear(&ignored);
    /* Sent at once, as PostgreSQL does: after an error in the extended protocol the Flush that
     * follows is skipped, and a client waiting on that Flush (asyncpg) must still see it; a
     * NOTICE shows progress of a long statement. */
    if (net_pg_put_end(c, &ignored)) (void)net_pg_flush(c, &ignored);
}

void net_pg_send_error(net_pg_conn *c, const rt_err *e) {
    const char *severity = e->severity == RT_SEV_PANIC   ? "PANIC"
                           : e->severity == RT_SEV_FATAL ? "FATAL"
                                                         : "ERROR";
    net_pg_put_report(c, 'E', severity, e);
    if (e->severity >= RT_SEV_FATAL) c->fatal_sent = true;
}

void net_pg_send_notice(net_pg_conn *c, const char *severity, const rt_err *n) {
    net_pg_put_report(c, 'N', severity, n);
}

void net_pg_send_fatal(net_pg_conn *c, const char *sqlstate, const char *fmt, ...) {
    rt_err e;
    rt_err_clear(&e);
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(&e, sqlstate, fmt, ap);
    va_end(ap);
    e.severity = RT_SEV_FATAL;
    net_pg_send_error(c, &e);
    rt_err ignored;
    rt_err_clear(&ignored);
    (void)net_pg_flush(c, &ignored);
    c->closing = true;
}

/* ---- receiving ---- */

/* Receives into buf; *n = 0 at end of stream. A connection pg_terminate_backend marked reads
 * nothing more: the flag is looked at before the read is queued (no other fiber runs in
 * between) and after it ends (the terminator shut the socket's read side to end it). */
static bool net_pg_recv_raw(net_pg_conn *c, uint8_t *buf, uint32_t cap, uint32_t *n,
                            rt_err *err) {
    if (net_pg_backend_terminating(c)) return net_pg_admin_terminate(err);
    ssize_t got = rt_sock_rx_recv(&c->rx, buf, cap, c->recv_timeout_ns, err);
    if (net_pg_backend_terminating(c)) return net_pg_admin_terminate(err);
    if (got < 0) return false;
    *n = (uint32_t)got;
    return true;
}

/* Decrypts at least one byte into in[in_end..in_cap), receiving ciphertext as needed. */
static bool net_pg_tls_fill(net_pg_conn *c, rt_err *err) {
    for (;;) {
        size_t got = 0;
        if (!net_tls_read(c->tls, c->in + c->in_end, c->in_cap - c->in_end, &got, err)) {
            return net_pg_tls_failed(c);
        }
        if (!net_pg_tls_drain(c, err)) return false;
        if (got > 0) {
            c->in_end += (uint32_t)got;
            return true;
        }
        if (net_tls_eof(c->tls)) {
            c->eof = true;
            return true;
        }
        if (c->cipher_len == 0) {
            uint32_t n = 0;
            if (!net_pg_recv_raw(c, c->cipher, NET_PG_CIPHER_BYTES, &n, err)) return false;
            if (n == 0) {
                c->eof = true;
                return true;
            }
            c->cipher_len = n;
        }
        size_t taken = net_tls_feed(c->tls, c->cipher, c->cipher_len);
        if (taken == 0) {
            net_pg_protocol_error(err, "SSL error: input buffer full");
            return net_pg_tls_failed(c);
        }
        memmove(c->cipher, c->cipher + taken, c->cipher_len - taken);
        c->cipher_len -= (uint32_t)taken;
    }
}

/* Reads ciphertext into the TLS layer when its input has run dry, waiting until `deadline_ns`:
 * false at the end of the stream, a failure or the deadline (*end says which). */
static bool net_pg_tls_discard_feed(net_pg_conn *c, uint64_t deadline_ns, rt_rx_drain_end *end) {
    if (c->cipher_len == 0) {
        uint64_t now_ns = rt_time_mono_ns();
        rt_err err;
        rt_err_clear(&err);
        ssize_t n = now_ns < deadline_ns ? rt_sock_rx_recv(&c->rx, c->cipher, NET_PG_CIPHER_BYTES,
                                                           deadline_ns - now_ns, &err)
                                         : -1;
        if (n <= 0) {
            *end = n == 0 ? RT_RX_DRAIN_EOF
                          : rt_time_mono_ns() >= deadline_ns ? RT_RX_DRAIN_TIME : RT_RX_DRAIN_ERROR;
            return false;
        }
        c->cipher_len = (uint32_t)n;
    }
    size_t taken = net_tls_feed(c->tls, c->cipher, c->cipher_len);
    if (taken == 0) {
        *end = RT_RX_DRAIN_ERROR;
        return net_pg_tls_failed(c);
    }
    memmove(c->cipher, c->cipher + taken, c->cipher_len - taken);
    c->cipher_len -= (uint32_t)taken;
    return true;
}

rt_rx_drain_end net_pg_io_discard(net_pg_conn *c, uint64_t max_bytes, uint64_t timeout_ns,
                                  uint64_t *drained) {
    RT_ASSERT(max_bytes > 0 && timeout_ns > 0);
    if (c->tls == NULL) return rt_sock_rx_drain(&c->rx, max_bytes, timeout_ns, drained);
    uint8_t sink[NET_PG_DISCARD_CHUNK_BYTES];
    uint64_t deadline_ns = rt_time_mono_ns() + timeout_ns;
    *drained = 0;
    rt_rx_drain_end end = RT_RX_DRAIN_BYTES;
    for (;;) {
        uint64_t left = max_bytes - *drained;
        size_t got = 0;
        rt_err err;
        rt_err_clear(&err);
        if (!net_tls_read(c->tls, sink, left < sizeof sink ? left : sizeof sink, &got, &err)) {
            (void)net_pg_tls_failed(c);
            return RT_RX_DRAIN_ERROR;
        }
        if (!net_pg_tls_drain(c, &err)) return RT_RX_DRAIN_ERROR;
        *drained += got;
        if (*drained >= max_bytes) return RT_RX_DRAIN_BYTES;
        if (got > 0) continue;
        if (net_tls_eof(c->tls)) return RT_RX_DRAIN_EOF;
        if (!net_pg_tls_discard_feed(c, deadline_ns, &end)) return end;
    }
}

/* Room for more input: moves unconsumed bytes to the front, or grows the buffer towards
 * `need` by doubling, so memory follows the bytes that actually arrived (a length field alone
 * does not allocate a gigabyte). Running out of memory ends this connection only. */
static bool net_pg_io_room(net_pg_conn *c, uint32_t need, rt_err *err) {
    if (c->in_end < c->in_cap) return true;
    if (c->in_start > 0) {
        memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
        c->in_end -= c->in_start;
        c->in_start = 0;
        return true;
    }
    uint64_t cap = (uint64_t)c->in_cap * 2;
    if (cap > need) cap = need;
    uint8_t *grown = rt_realloc(c->in, (size_t)cap);
    if (grown == NULL) {
        rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        rt_err_detail(err, "Failed on request of size %llu.", (unsigned long long)cap);
        err->severity = RT_SEV_FATAL;
        return false;
    }
    c->in = grown;
    c->in_cap = (uint32_t)cap;
    return true;
}

/* Makes at least `need` unconsumed bytes available from in_start, or sets c->eof. */
static bool net_pg_io_need(net_pg_conn *c, uint32_t need, rt_err *err) {
    while (c->in_end - c->in_start < need) {
        if (c->eof) return true;
        if (!net_pg_io_room(c, need, err)) return false;
        if (c->tls != NULL) {
            if (!net_pg_tls_fill(c, err)) return false;
            continue;
        }
        uint32_t n = 0;
        if (!net_pg_recv_raw(c, c->in + c->in_end, c->in_cap - c->in_end, &n, err)) return false;
        if (n == 0) c->eof = true;
        c->in_end += n;
    }
    return true;
}

/* Gives back an input buffer that grew for one large message. */
static void net_pg_io_shrink(net_pg_conn *c) {
    uint32_t have = c->in_end - c->in_start;
    if (c->in_cap <= NET_PG_RECV_BUFFER_BYTES || have > NET_PG_RECV_BUFFER_BYTES) return;
    memmove(c->in, c->in + c->in_start, have);
    c->in_start = 0;
    c->in_end = have;
    c->in = rt_xrealloc(c->in, NET_PG_RECV_BUFFER_BYTES);
    c->in_cap = NET_PG_RECV_BUFFER_BYTES;
}

/* Messages that carry data may be large; every other type is small (lost sync otherwise). */
static uint32_t net_pg_msg_limit(uint8_t type) {
    switch (type) {
    case 'Q': case 'P': case 'B': case 'F': case 'd': case 'p': case 'f':
        return net_pg_g.config.max_message_bytes; /* max_message_size */
    default: return NET_PG_SMALL_MESSAGE_BYTES_MAX;
    }
}

bool net_pg_msg_read(net_pg_conn *c, net_pg_msg *msg, rt_err *err) {
    memset(msg, 0, sizeof *msg);
    net_pg_io_shrink(c);
    if (!net_pg_io_need(c, 5, err)) return false;
    if (c->eof && c->in_end - c->in_start < 5) return true;
    const uint8_t *p = c->in + c->in_start;
    uint32_t len = net_pg_be32(p + 1);
    if (len < 4) return net_pg_protocol_error(err, "invalid message length");
    if (len - 4 > net_pg_msg_limit(p[0])) {
        net_pg_protocol_error(err, "invalid message length");
        rt_err_detail(err, "A message of type \"%c\" with %u bytes is longer than the limit of %u"
                      " bytes.", p[0] >= 32 && p[0] < 127 ? p[0] : '?', len - 4,
                      net_pg_msg_limit(p[0]));
        c->in_rest = (uint64_t)len + 1 - (c->in_end - c->in_start); /* drained at close */
        return false;
    }
    if (!net_pg_io_need(c, len + 1, err)) return false;
    if (c->eof && c->in_end - c->in_start < len + 1) return true;
    p = c->in + c->in_start;
    msg->type = p[0];
    msg->body = p + 5;
    msg->len = len - 4;
    c->in_start += len + 1;
    return true;
}

bool net_pg_startup_read(net_pg_conn *c, net_pg_msg *msg, rt_err *err) {
    memset(msg, 0, sizeof *msg);
    if (!net_pg_io_need(c, 4, err)) return false;
    if (c->eof && c->in_end - c->in_start < 4) return true;
    uint32_t len = net_pg_be32(c->in + c->in_start);
    if (len < 8 || len > NET_PG_STARTUP_BYTES_MAX) {
        return net_pg_protocol_error(err, "invalid length of startup packet");
    }
    if (!net_pg_io_need(c, len, err)) return false;
    if (c->eof && c->in_end - c->in_start < len) return true;
    msg->type = 0;
    msg->body = c->in + c->in_start + 4;
    msg->len = len - 4;
    c->in_start += len;
    return true;
}

bool net_pg_io_tls_start(net_pg_conn *c, rt_err *err) {
    c->tls = net_tls_create(net_pg_g.config.tls, err);
    if (c->tls == NULL) return false;
    c->cipher = rt_xmalloc(NET_PG_CIPHER_BYTES);
    for (;;) {
        bool done = false;
        if (!net_tls_handshake(c->tls, &done, err)) return net_pg_tls_failed(c);
        if (!net_pg_tls_drain(c, err)) return false;
        if (done) return true;
        if (c->cipher_len == 0) {
            uint32_t n = 0;
            if (!net_pg_recv_raw(c, c->cipher, NET_PG_CIPHER_BYTES, &n, err)) return false;
            if (n == 0) {
                c->eof = true;
                net_pg_protocol_error(err, "could not accept SSL connection: EOF detected");
                return net_pg_tls_failed(c);
            }
            c->cipher_len = n;
        }
        size_t taken = net_tls_feed(c->tls, c->cipher, c->cipher_len);
        memmove(c->cipher, c->cipher + taken, c->cipher_len - taken);
        c->cipher_len -= (uint32_t)taken;
    }
}

/* ---- getters ---- */

static bool net_pg_get_short(rt_err *err) {
    return net_pg_protocol_error(err, "insufficient data left in message");
}

bool net_pg_get_bytes(net_pg_msg *m, uint32_t n, const uint8_t **p, rt_err *err) {
    if (m->len - m->pos < n) return net_pg_get_short(err);
    *p = m->body + m->pos;
    m->pos += n;
    return true;
}

bool net_pg_get_u8(net_pg_msg *m, uint8_t *v, rt_err *err) {
    const uint8_t *p = NULL;
    if (!net_pg_get_bytes(m, 1, &p, err)) return false;
    *v = p[0];
    return true;
}

bool net_pg_get_i16(net_pg_msg *m, int16_t *v, rt_err *err) {
    const uint8_t *p = NULL;
    if (!net_pg_get_bytes(m, 2, &p, err)) return false;
    *v = (int16_t)(uint16_t)((uint16_t)p[0] << 8 | p[1]);
    return true;
}

bool net_pg_get_count(net_pg_msg *m, uint32_t *v, rt_err *err) {
    int16_t raw;
    if (!net_pg_get_i16(m, &raw, err)) return false;
    *v = (uint16_t)raw;
    return true;
}

bool net_pg_get_i32(net_pg_msg *m, int32_t *v, rt_err *err) {
    const uint8_t *p = NULL;
    if (!net_pg_get_bytes(m, 4, &p, err)) return false;
    *v = (int32_t)net_pg_be32(p);
    return true;
}

bool net_pg_get_str(net_pg_msg *m, const char **s, uint32_t *len, rt_err *err) {
    const uint8_t *start = m->body + m->pos;
    const uint8_t *nul = memchr(start, 0, m->len - m->pos);
    if (nul == NULL) return net_pg_protocol_error(err, "invalid string in message");
    *s = (const char *)start;
    if (len != NULL) *len = (uint32_t)(nul - start);
    m->pos += (uint32_t)(nul - start) + 1;
    return true;
}

bool net_pg_get_end(net_pg_msg *m, rt_err *err) {
    if (m->pos != m->len) return net_pg_protocol_error(err, "invalid message format");
    return true;
}
