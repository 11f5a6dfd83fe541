/* sql_types_inet.c: the inet and cidr types' text and binary I/O and order (sql_inet.h). Text
 * input follows PostgreSQL 15's: IPv4 as one to four dotted decimal parts (for inet fewer than
 * four only with a /masklen whose whole bytes they cover, as '10/8'; for cidr any, the
 * masklen then defaulting to the network class; cidr also takes hexadecimal, '0x0a0b'), IPv6
 * as inet_pton(3) reads it, each with an optional /masklen; no surrounding spaces. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_funcs_int.h"
#include "sql/sql_inet.h"
#include "sql/sql_types_int.h"

#define SQL_INET_V6_WORDS 8u

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

/* The dotted parts of an IPv4 text into addr (the rest zero); their count, 0 if malformed.
 * inet takes a trailing dot ('1.2.3./24'), cidr does not. */
static uint32_t sql_inet_v4_parts(const char *s, uint32_t len, bool trailing_dot,
                                  uint8_t *addr) {
    uint32_t parts = 0, start = 0;
    memset(addr, 0, 4);
    for (uint32_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') continue;
        if (i == len && i == start && parts > 0 && trailing_dot) break;
        uint32_t v;
        if (parts == 4 || !sql_inet_decimal(s + start, i - start, 255, &v)) return 0;
        addr[parts++] = (uint8_t)v;
        start = i + 1;
    }
    return parts;
}

/* cidr's hexadecimal IPv4 form, '0x0a0b' (10.11.0.0/16): up to eight digits, two per byte, an
 * odd last digit the high half of its byte ('0xa' is 160). The bytes written, 0 if malformed. */
static uint32_t sql_cidr_v4_hex(const char *s, uint32_t len, uint8_t *addr) {
    if (len < 3 || len > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return 0;
    memset(addr, 0, 4);
    for (uint32_t i = 2; i < len; i++) {
        int d = sql_hexval(s[i]);
        if (d < 0) return 0;
        addr[(i - 2) / 2] |= (uint8_t)(i % 2 == 0 ? d << 4 : d);
    }
    return (len - 1) / 2;
}

/* The masklen cidr gives IPv4 text without one: its network class's ('10' /8, '128.1' /16,
 * '192.168' /24, class D /4, class E /32), widened to cover the parts written. */
static uint32_t sql_cidr_class_bits(const uint8_t *addr, uint32_t parts) {
    uint32_t first = addr[0], bits = 8; /* class A, and class D (/4 unless widened) */
    if (first >= 240) {
        bits = 32; /* class E */
    } else if (first >= 192 && first < 224) {
        bits = 24; /* class C */
    } else if (first >= 128 && first < 224) {
        bits = 16; /* class B */
    }
    if (bits < parts * 8) bits = parts * 8;
    if (bits == 8 && first == 224) bits = 4;
    return bits;
}

static bool sql_inet_parse_v6(const char *s, uint32_t len, uint8_t *addr) {
    char buf[SQL_INET_TEXT_BYTES_MAX];
    if (len >= sizeof buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return inet_pton(AF_INET6, buf, addr) == 1;
}

/* inet and cidr text alike (the host bits of a cidr are checked by the caller). */
static bool sql_inet_parse_text(const char *text, uint32_t len, bool cidr, uint8_t *out,
                                uint32_t *out_len) {
    const char *slash = memchr(text, '/', len);
    uint32_t alen = slash != NULL ? (uint32_t)(slash - text) : len;
    bool v6 = memchr(text, ':', alen) != NULL;
    uint32_t nb = v6 ? 16u : 4u, bits = nb * 8;
    if (slash != NULL && !sql_inet_decimal(slash + 1, len - alen - 1, nb * 8, &bits)) {
        return false;
    }
    uint8_t *addr = out + SQL_INET_HEADER_BYTES;
    if (v6) {
        if (!sql_inet_parse_v6(text, alen, addr)) return false;
    } else {
        bool hex = cidr && alen > 1 && (text[1] == 'x' || text[1] == 'X');
        uint32_t parts = hex ? sql_cidr_v4_hex(text, alen, addr)
                             : sql_inet_v4_parts(text, alen, !cidr, addr);
        if (parts == 0) return false;
        if (cidr && slash == NULL) bits = sql_cidr_class_bits(addr, parts);
        /* inet: '10/8' names a network by its leading parts (a masklen whose whole bytes the
         * parts cover: '10/15' but not '10/16'); a bare '10' is no address. */
        if (!cidr && ((parts < 4 && slash == NULL) || bits / 8 > parts)) return false;
    }
    out[0] = (uint8_t)(v6 ? SQL_INET_FAMILY_V6 : SQL_INET_FAMILY_V4);
    out[1] = (uint8_t)bits;
    out[2] = 0;
    out[3] = (uint8_t)nb;
    *out_len = SQL_INET_HEADER_BYTES + nb;
    return true;
}

bool sql_inet_parse(const char *text, uint32_t len, uint8_t *out, uint32_t *out_len) {
    return sql_inet_parse_text(text, len, false, out, out_len);
}

sql_inet_parsed sql_cidr_parse(const char *text, uint32_t len, uint8_t *out, uint32_t *out_len) {
    if (!sql_inet_parse_text(text, len, true, out, out_len)) return SQL_INET_PARSED_SYNTAX;
    return sql_inet_is_network(out) ? SQL_INET_PARSED_OK : SQL_INET_PARSED_HOST_BITS;
}

bool sql_inet_parse_copy(rt_arena *arena, const char *text, sql_bytes *out, rt_err *err) {
    uint8_t v[SQL_INET_BYTES_MAX];
    uint32_t len;
    *out = (sql_bytes){.ptr = NULL, .len = 0};
    if (text[0] == '\0' || !sql_inet_parse(text, (uint32_t)strlen(text), v, &len)) return true;
    if (!sql_bytes_dup(arena, v, len, out)) return rt_arena_fail(arena, err);
    return true;
}

bool sql_inet_valid(const uint8_t *v, uint32_t len) {
    if (len < SQL_INET_HEADER_BYTES) return false;
    if (v[0] != SQL_INET_FAMILY_V4 && v[0] != SQL_INET_FAMILY_V6) return false;
    uint32_t nb = sql_inet_addr_bytes(v);
    return v[1] <= nb * 8 && v[3] == nb && len == SQL_INET_HEADER_BYTES + nb;
}

/* The mask of the bits of address byte `i` left of `bits`. */
static uint8_t sql_inet_byte_mask(uint32_t i, uint32_t bits) {
    uint32_t keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * i : 0;
    return (uint8_t)(0xff00u >> keep);
}

bool sql_inet_is_network(const uint8_t *v) {
    const uint8_t *a = v + SQL_INET_HEADER_BYTES;
    for (uint32_t i = 0; i < sql_inet_addr_bytes(v); i++) {
        if ((a[i] & (uint8_t)~sql_inet_byte_mask(i, v[1])) != 0) return false;
    }
    return true;
}

void sql_inet_fill_host(uint8_t *v, uint32_t bits, bool ones) {
    uint8_t *a = v + SQL_INET_HEADER_BYTES;
    for (uint32_t i = 0; i < sql_inet_addr_bytes(v); i++) {
        uint8_t m = sql_inet_byte_mask(i, bits);
        a[i] = ones ? (uint8_t)(a[i] | (uint8_t)~m) : (uint8_t)(a[i] & m);
    }
}

/* abbrev(cidr) of an IPv4 network: the bytes the mask touches, at least one ("10.1/16"). */
static int sql_inet_abbrev_v4(const uint8_t *a, uint32_t bits, char *buf) {
    uint32_t bytes = bits == 0 ? 1 : (bits + 7) / 8;
    int n = 0;
    for (uint32_t i = 0; i < bytes; i++) {
        n += snprintf(buf + n, SQL_INET_TEXT_BYTES_MAX - (size_t)n, i > 0 ? ".%u" : "%u",
                      a[i] & sql_inet_byte_mask(i, bits));
    }
    return n;
}

/* The zero run abbrev(cidr) elides in the first `words` words of an IPv6 network. PostgreSQL
 * 15 forgets to restart its count after a run no longer than the longest so far, so a later
 * run is counted from that earlier start, nonzero words included ('0:0:1:0:1::/128' abbreviates
 * to '0:0:1::0/128'); the same count here gives the same text. */
static void sql_inet_v6_zero_run(const uint16_t *w, uint32_t words, uint32_t *start,
                                 uint32_t *len) {
    uint32_t cur_start = 0, cur_len = 0;
    *start = *len = 0;
    for (uint32_t i = 0; i < words; i++) {
        if (w[i] == 0) {
            if (cur_len++ == 0) cur_start = i;
        } else if (cur_len > *len) {
            *start = cur_start, *len = cur_len, cur_len = 0;
        }
    }
    if (cur_len > *len) *start = cur_start, *len = cur_len;
}

/* abbrev(cidr) of an IPv6 network: the words the mask touches (at least two) with the longest
 * zero run elided, the low 32 bits dotted after an IPv4-compatible or -mapped prefix. */
static int sql_inet_abbrev_v6(const uint8_t *addr, uint32_t bits, char *buf) {
    uint8_t a[16];
    memcpy(a, addr, 16);
    for (uint32_t i = 0; i < 16; i++) a[i] &= sql_inet_byte_mask(i, bits);
    uint16_t w[SQL_INET_V6_WORDS];
    for (uint32_t i = 0; i < SQL_INET_V6_WORDS; i++) {
        w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    }
    uint32_t words = bits == 0 ? 2 : (bits + 15) / 16 < 2 ? 2 : (bits + 15) / 16, zs, zl;
    sql_inet_v6_zero_run(w, words, &zs, &zl);
    bool v4 = zl != words && zs == 0 &&
              (zl == 6 || (zl == 5 && w[5] == 0xffff) || (zl == 7 && a[14] != 0 && a[15] != 1));
    int n = 0;
    for (uint32_t p = 0; p < words; p++) {
        size_t room = SQL_INET_TEXT_BYTES_MAX - (size_t)n;
        if (zl != 0 && p >= zs && p < zs + zl) {
            if (p == zs) buf[n++] = ':';
            if (p == words - 1) buf[n++] = ':';
        } else if (v4 && p > 5) {
            n += snprintf(buf + n, room, "%c%u", p == 6 ? ':' : '.', a[2 * p]);
            if (p != 7 || bits > 120) {
                n += snprintf(buf + n, SQL_INET_TEXT_BYTES_MAX - (size_t)n, ".%u", a[2 * p + 1]);
            }
        } else {
            n += snprintf(buf + n, room, n > 0 ? ":%x" : "%x", w[p]);
        }
    }
    buf[n] = '\0';
    return n;
}

uint32_t sql_inet_format(const uint8_t *v, sql_inet_mask mask, char buf[SQL_INET_TEXT_BYTES_MAX]) {
    const uint8_t *a = v + SQL_INET_HEADER_BYTES;
    bool v4 = v[0] == SQL_INET_FAMILY_V4;
    int n;
    if (mask == SQL_INET_MASK_ABBREV) {
        n = v4 ? sql_inet_abbrev_v4(a, v[1], buf) : sql_inet_abbrev_v6(a, v[1], buf);
    } else if (v4) {
        n = snprintf(buf, SQL_INET_TEXT_BYTES_MAX, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    } else {
        if (inet_ntop(AF_INET6, a, buf, SQL_INET_TEXT_BYTES_MAX) == NULL) buf[0] = '\0';
        n = (int)strlen(buf);
    }
    bool full = v[1] == sql_inet_max_bits(v);
    if (mask == SQL_INET_MASK_ALWAYS || mask == SQL_INET_MASK_ABBREV ||
        (mask == SQL_INET_MASK_AUTO && !full)) {
        n += snprintf(buf + n, SQL_INET_TEXT_BYTES_MAX - (size_t)n, "/%u", v[1]);
    }
    return (uint32_t)n;
}

bool sql_inet_format_rows(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                          sql_inet_mask mask, sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        char buf[SQL_INET_TEXT_BYTES_MAX];
        uint32_t len = sql_inet_format(in->b[i].ptr, mask, buf);
        if (!sql_fn_bytes(f, buf, len, &out->b[i])) return false;
    }
    return true;
}

/* Compares the first `bits` bits of two addresses. */
static int sql_inet_bits_cmp(const uint8_t *a, const uint8_t *b, uint32_t bits) {
    int c = memcmp(a, b, bits / 8);
    if (c != 0 || bits % 8 == 0) return c;
    uint8_t mask = (uint8_t)(0xff00u >> (bits % 8));
    uint8_t x = a[bits / 8] & mask, y = b[bits / 8] & mask;
    return x < y ? -1 : x > y;
}

bool sql_inet_prefix_eq(const uint8_t *a, const uint8_t *b, uint32_t bits) {
    return sql_inet_bits_cmp(a, b, bits) == 0;
}

int sql_inet_cmp(const uint8_t *a, const uint8_t *b) {
    if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
    const uint8_t *x = a + SQL_INET_HEADER_BYTES, *y = b + SQL_INET_HEADER_BYTES;
    int c = sql_inet_bits_cmp(x, y, a[1] < b[1] ? a[1] : b[1]);
    if (c != 0) return c;
    if (a[1] != b[1]) return a[1] < b[1] ? -1 : 1;
    return sql_inet_bits_cmp(x, y, sql_inet_max_bits(a));
}

/* ---- the types' entry points ---- */

static bool sql_inet_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    uint8_t *v = rt_arena_alloc(io->arena, SQL_INET_BYTES_MAX);
    if (v == NULL) return sql_io_alloc_fail(io);
    uint32_t len;
    if (!sql_inet_parse(t, l, v, &len)) return sql_bad_input(io, "inet", t, l);
    o->b = (sql_bytes){.ptr = v, .len = len};
    return true;
}

static bool sql_cidr_in(sql_io_ctx *io, const char *t, uint32_t l, int32_t m, sql_value *o) {
    (void)m;
    uint8_t *v = rt_arena_alloc(io->arena, SQL_INET_BYTES_MAX);
    if (v == NULL) return sql_io_alloc_fail(io);
    uint32_t len;
    sql_inet_parsed r = sql_cidr_parse(t, l, v, &len);
    if (r == SQL_INET_PARSED_SYNTAX) return sql_bad_input(io, "cidr", t, l);
    if (r == SQL_INET_PARSED_HOST_BITS) {
        rt_err_set(io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid cidr value: \"%.*s\"",
                   (int)l, t);
        rt_err_detail(io->err, "Value has bits set to right of mask.");
        return false;
    }
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

static bool sql_cidr_out(sql_io_ctx *io, const sql_value *v, int32_t m, sql_strbuf *sb) {
    (void)io;
    (void)m;
    char buf[SQL_INET_TEXT_BYTES_MAX];
    sql_strbuf_append(sb, buf, sql_inet_format(v->b.ptr, SQL_INET_MASK_ALWAYS, buf));
    return true;
}

/* PostgreSQL's checks and messages (network_recv); the is_cidr byte is not checked and is
 * stored as 0 (sql_inet.h). */
static bool sql_inet_recv_as(sql_io_ctx *io, const uint8_t *p, uint32_t l, bool cidr,
                             sql_value *o) {
    const char *what = NULL, *type = cidr ? "cidr" : "inet";
    if (l < 1 || (p[0] != SQL_INET_FAMILY_V4 && p[0] != SQL_INET_FAMILY_V6)) {
        what = "address family";
    } else if (l < 2 || p[1] > sql_inet_max_bits(p)) {
        what = "bits";
    } else if (l < SQL_INET_HEADER_BYTES || !sql_inet_valid(p, l)) {
        what = "length";
    }
    if (what != NULL) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "invalid %s in external \"%s\" value", what, type);
    }
    if (cidr && !sql_inet_is_network(p)) {
        rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                   "invalid external \"cidr\" value");
        rt_err_detail(io->err, "Value has bits set to right of mask.");
        return false;
    }
    uint8_t *v = rt_arena_alloc(io->arena, l);
    if (v == NULL) return sql_io_alloc_fail(io);
    memcpy(v, p, l);
    v[2] = 0;
    o->b = (sql_bytes){.ptr = v, .len = l};
    return true;
}

static bool sql_inet_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                          sql_value *o) {
    (void)m;
    return sql_inet_recv_as(io, p, l, false, o);
}

static bool sql_cidr_recv(sql_io_ctx *io, const uint8_t *p, uint32_t l, int32_t m,
                          sql_value *o) {
    (void)m;
    return sql_inet_recv_as(io, p, l, true, o);
}

/* The stored bytes with the is_cidr flag of the type, as network_send writes. */
static void sql_inet_send_as(const sql_value *v, bool cidr, sql_strbuf *sb) {
    uint8_t head[SQL_INET_HEADER_BYTES];
    memcpy(head, v->b.ptr, SQL_INET_HEADER_BYTES);
    head[2] = cidr;
    sql_strbuf_append(sb, head, SQL_INET_HEADER_BYTES);
    sql_strbuf_append(sb, v->b.ptr + SQL_INET_HEADER_BYTES, v->b.len - SQL_INET_HEADER_BYTES);
}

static bool sql_inet_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_inet_send_as(v, false, sb);
    return true;
}

static bool sql_cidr_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    sql_inet_send_as(v, true, sb);
    return true;
}

static int sql_inet_cmp_value(const sql_value *a, const sql_value *b) {
    return sql_inet_cmp(a->b.ptr, b->b.ptr);
}

void sql_types_inet_register(sql_type_def *t) {
    if (t->oid != SQL_T_INET && t->oid != SQL_T_CIDR) return;
    bool cidr = t->oid == SQL_T_CIDR;
    t->in = cidr ? sql_cidr_in : sql_inet_in, t->out = cidr ? sql_cidr_out : sql_inet_out;
    t->recv = cidr ? sql_cidr_recv : sql_inet_recv;
    t->send_fn = cidr ? sql_cidr_send : sql_inet_send;
    t->cmp = sql_inet_cmp_value, t->hash = sql_hash_value_bytes;
}
