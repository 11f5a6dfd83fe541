/* sql_types_inet.c: the inet type's text and binary I/O and order (sql_inet.h). Text input
 * follows PostgreSQL 15's inet_in: IPv4 as one to four dotted decimal parts (fewer than four
 * only with a /masklen whose whole bytes they cover, as '10/8'), IPv6 as inet_pton(3) reads
 * it, each with an optional /masklen; no surrounding spaces. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_inet.h"
#include "sql/sql_types_int.h"

static uint32_t sql_inet_addr_bytes(uint32_t family) {
    return family == SQL_INET_FAMILY_V4 ? 4u : 16u;
}

/* A decimal number of at most `max` (no sign, any leading zeros, as PostgreSQL's parser). */
static bool sql_inet_decimal(const char *s, uint32_t len, uint32_t max, uint32_t *out) {
    if (len == 0) return false;
    uint32_t v = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
        if (v > max) return false;
    }
    *out = v;
    return true;
}

static bool sql_inet_parse_v4(const char *s, uint32_t len, bool has_bits, uint32_t bits,
                              uint8_t *addr) {
    uint32_t parts = 0, start = 0;
    memset(addr, 0, 4);
    for (uint32_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') continue;
        if (i == len && i == start && parts > 0) break; /* '1.2.3./24': a trailing dot */
        uint32_t v;
        if (parts == 4 || !sql_inet_decimal(s + start, i - start, 255, &v)) return false;
        addr[parts++] = (uint8_t)v;
        start = i + 1;
    }
    /* '10/8' names a network by its leading parts (PostgreSQL takes a masklen whose whole
     * bytes the parts cover: '10/15' but not '10/16'); a bare '10' is no address. */
    if (parts < 4 && !has_bits) return false;
    return bits / 8 <= parts;
}

static bool sql_inet_parse_v6(const char *s, uint32_t len, uint8_t *addr) {
    char buf[SQL_INET_TEXT_BYTES_MAX];
    if (len >= sizeof buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return inet_pton(AF_INET6, buf, addr) == 1;
}

bool sql_inet_parse(const char *text, uint32_t len, uint8_t *out, uint32_t *out_len) {
    const char *slash = memchr(text, '/', len);
    uint32_t alen = slash != NULL ? (uint32_t)(slash - text) : len;
    bool v6 = memchr(text, ':', alen) != NULL;
    uint32_t family = v6 ? SQL_INET_FAMILY_V6 : SQL_INET_FAMILY_V4;
    uint32_t nb = sql_inet_addr_bytes(family), bits = nb * 8;
    if (slash != NULL && !sql_inet_decimal(slash + 1, len - alen - 1, nb * 8, &bits)) {
        return false;
    }
    bool ok = v6 ? sql_inet_parse_v6(text, alen, out + SQL_INET_HEADER_BYTES)
                 : sql_inet_parse_v4(text, alen, slash != NULL, bits,
                                     out + SQL_INET_HEADER_BYTES);
    if (!ok) return false;
    out[0] = (uint8_t)family;
    out[1] = (uint8_t)bits;
    out[2] = 0;
    out[3] = (uint8_t)nb;
    *out_len = SQL_INET_HEADER_BYTES + nb;
    return true;
}

bool sql_inet_valid(const uint8_t *v, uint32_t len) {
    if (len < SQL_INET_HEADER_BYTES) return false;
    if (v[0] != SQL_INET_FAMILY_V4 && v[0] != SQL_INET_FAMILY_V6) return false;
    uint32_t nb = sql_inet_addr_bytes(v[0]);
    return v[1] <= nb * 8 && v[3] == nb && len == SQL_INET_HEADER_BYTES + nb;
}

uint32_t sql_inet_format(const uint8_t *v, sql_inet_mask mask, char buf[SQL_INET_TEXT_BYTES_MAX]) {
    const uint8_t *a = v + SQL_INET_HEADER_BYTES;
    int n;
    if (v[0] == SQL_INET_FAMILY_V4) {
        n = snprintf(buf, SQL_INET_TEXT_BYTES_MAX, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    } else {
        if (inet_ntop(AF_INET6, a, buf, SQL_INET_TEXT_BYTES_MAX) == NULL) buf[0] = '\0';
        n = (int)strlen(buf);
    }
    bool full = v[1] == sql_inet_addr_bytes(v[0]) * 8;
    if (mask == SQL_INET_MASK_ALWAYS || (mask == SQL_INET_MASK_AUTO && !full)) {
        n += snprintf(buf + n, SQL_INET_TEXT_BYTES_MAX - (size_t)n, "/%u", v[1]);
    }
    return (uint32_t)n;
}

/* Compares the first `bits` bits of two addresses. */
static int sql_inet_bits_cmp(const uint8_t *a, const uint8_t *b, uint32_t bits) {
    int c = memcmp(a, b, bits / 8);
    if (c != 0 || bits % 8 == 0) return c;
    uint8_t mask = (uint8_t)(0xff00u >> (bits % 8));
    uint8_t x = a[bits / 8] & mask, y = b[bits / 8] & mask;
    return x < y ? -1 : x > y;
}

int sql_inet_cmp(const uint8_t *a, const uint8_t *b) {
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
    const uint8_t *x = a + SQL_INET_HEADER_BYTES, *y = b + SQL_INET_HEADER_BYTES;
    int c = sql_inet_bits_cmp(x, y, a[1] < b[1] ? a[1] : b[1]);
    if (c != 0) return c;
    if (a[1] != b[1]) return a[1] < b[1] ? -1 : 1;
    return sql_inet_bits_cmp(x, y, sql_inet_addr_bytes(a[0]) * 8);
}

/* ---- the type's entry points ---- */

static bool sql_inet_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    uint8_t *v = rt_arena_alloc(io->arena, SQL_INET_BYTES_MAX);
    if (v == NULL) return sql_io_alloc_fail(io);
    uint32_t len;
    if (!sql_inet_parse(t, l, v, &len)) return sql_bad_input(io, "inet", t, l);
    o->b = (sql_bytes){.ptr = v, .len = len};
    return true;
}

static bool sql_inet_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)io;
    (void)m;
    char buf[SQL_INET_TEXT_BYTES_MAX];
    sql_strbuf_append(sb, buf, sql_inet_format(v->b.ptr, SQL_INET_MASK_AUTO, buf));
    return true;
}

/* PostgreSQL's checks and messages (network_recv); the is_cidr byte is not checked for inet
 * and is stored as 0, so that sending the value back gives what inet_send would. */
static bool sql_inet_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                          sql_value *o) {
    (void)m;
    const char *what = NULL;
    if (l < 1 || (p[0] != SQL_INET_FAMILY_V4 && p[0] != SQL_INET_FAMILY_V6)) {
        what = "address family";
    } else if (l < 2 || p[1] > sql_inet_addr_bytes(p[0]) * 8) {
        what = "bits";
    } else if (l < SQL_INET_HEADER_BYTES || !sql_inet_valid(p, l)) {
        what = "length";
    }
    if (what != NULL) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "invalid %s in external \"inet\" value", what);
    }
    uint8_t *v = rt_arena_alloc(io->arena, l);
    if (v == NULL) return sql_io_alloc_fail(io);
    memcpy(v, p, l);
    v[2] = 0;
    o->b = (sql_bytes){.ptr = v, .len = l};
    return true;
}

static bool sql_inet_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_strbuf_append(sb, v->b.ptr, v->b.len);
    return true;
}

static int sql_inet_cmp_value(const sql_value *a, const sql_value *b) {
    return sql_inet_cmp(a->b.ptr, b->b.ptr);
}

void sql_types_inet_register(sql_type_def *t) {
    if (t->oid != SQL_T_INET) return;
    t->in = sql_inet_in, t->out = sql_inet_out, t->recv = sql_inet_recv;
    t->send_fn = sql_inet_send, t->cmp = sql_inet_cmp_value, t->hash = sql_hash_value_bytes;
}
