/* sql_inet.h: the network address types inet (an IPv4/IPv6 host address with an optional
 * netmask length) and cidr (a network: no bits set right of its mask), as PostgreSQL 15 has
 * them: text and binary I/O, their B-tree order, and the address arithmetic the operators
 * (<< <<= >> >>= && ~ & | + -) and functions (network, broadcast, netmask, hostmask,
 * set_masklen, abbrev, host, masklen, family, inet_merge...) of sql_fn_inet.c build on.
 * Owns:    nothing; values are byte strings in the caller's arena.
 * Core:    any; pure functions.
 * Memory:  a value is SQL_INET_BYTES_V4 or SQL_INET_BYTES_V6 bytes laid out as PostgreSQL's
 *          binary format (family 2 = IPv4 / 3 = IPv6, masklen, is_cidr, address length,
 *          address bytes). In memory is_cidr is always 0, for inet and cidr alike, so a cidr
 *          is an inet by relabelling (PostgreSQL's binary-coercible cast) and both hash the
 *          same; the send functions write the flag of the type.
 * Errors:  22P02 "invalid input syntax for type inet|cidr" for bad text, 22P02 "invalid cidr
 *          value" when a cidr has bits right of its mask, 22P03 with PostgreSQL's
 *          "invalid ... in external "inet|cidr" value" messages for bad binary.
 * Limits:  SQL_INET_TEXT_BYTES_MAX bounds a value's text form. */
#ifndef SQL_INET_H
#define SQL_INET_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_expr.h"
#include "sql/sql_type.h"

#define SQL_INET_FAMILY_V4 2u   /* PGSQL_AF_INET on the wire */
#define SQL_INET_FAMILY_V6 3u   /* PGSQL_AF_INET6 on the wire */
#define SQL_INET_HEADER_BYTES 4u
#define SQL_INET_BYTES_V4 (SQL_INET_HEADER_BYTES + 4u)
#define SQL_INET_BYTES_V6 (SQL_INET_HEADER_BYTES + 16u)
#define SQL_INET_BYTES_MAX SQL_INET_BYTES_V6
/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" plus its NUL, rounded up. */
#define SQL_INET_TEXT_BYTES_MAX 64u

/* What a text parse found. */
typedef enum sql_inet_parsed {
    SQL_INET_PARSED_OK,
    SQL_INET_PARSED_SYNTAX,   /* not an address: "invalid input syntax for type ..." */
    SQL_INET_PARSED_HOST_BITS /* a cidr with bits right of its mask: "invalid cidr value" */
} sql_inet_parsed;

/* Parses PostgreSQL's inet text ('10.0.0.1', '10.0.0.0/8', '10/8', '::1', '2001:db8::/32')
 * into `out` (SQL_INET_BYTES_MAX bytes); false if it is not one. */
bool sql_inet_parse(const char *text, uint32_t len, uint8_t *out, uint32_t *out_len);
/* The same for cidr text: fewer than four IPv4 parts without a masklen take their network
 * class's length ('10' is 10.0.0.0/8, '192.168' 192.168.0.0/24), and the bits right of the
 * mask must be zero. */
sql_inet_parsed sql_cidr_parse(const char *text, uint32_t len, uint8_t *out, uint32_t *out_len);
/* Whether `v` is a well-formed stored value (the checks of binary input). */
bool sql_inet_valid(const uint8_t *v, uint32_t len);
/* Whether no bit right of the mask is set (a valid cidr). */
bool sql_inet_is_network(const uint8_t *v);

/* How the text of a value is written: inet_out prints "10.0.0.1" and "10.0.0.0/8" (AUTO: the
 * masklen unless it is the full length), cidr_out and text() "10.0.0.1/32" (ALWAYS), host()
 * no masklen (NEVER), abbrev(cidr) only the parts the mask covers, "10.1/16" (ABBREV). */
typedef enum sql_inet_mask {
    SQL_INET_MASK_AUTO,
    SQL_INET_MASK_ALWAYS,
    SQL_INET_MASK_NEVER,
    SQL_INET_MASK_ABBREV
} sql_inet_mask;
/* Text of a value into buf; returns its length. */
uint32_t sql_inet_format(const uint8_t *v, sql_inet_mask mask, char buf[SQL_INET_TEXT_BYTES_MAX]);
/* The text of every active row of `in` (inet or cidr values) into `out` (a string vector). */
bool sql_inet_format_rows(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                          sql_inet_mask mask, sql_vec *out);
/* A value parsed from an address text (as the connection's, recorded by the backend table)
 * into a fresh arena copy, out->ptr NULL when the text is empty or no address; false only
 * when the arena is exhausted. */
bool sql_inet_parse_copy(rt_arena *arena, const char *text, sql_bytes *out, rt_err *err);

/* PostgreSQL's order: family, then the network part over the shorter mask, then the masklen,
 * then the whole address. */
int sql_inet_cmp(const uint8_t *a, const uint8_t *b);
/* Whether the first `bits` bits of two addresses (the bytes after the header) agree. */
bool sql_inet_prefix_eq(const uint8_t *a, const uint8_t *b, uint32_t bits);
/* Sets (`ones`) or clears the address bits right of `bits` in place. */
void sql_inet_fill_host(uint8_t *v, uint32_t bits, bool ones);

static inline uint32_t sql_inet_masklen(const uint8_t *v) { return v[1]; }
static inline uint32_t sql_inet_family(const uint8_t *v) {   /* 4 or 6, as family() */
    return v[0] == SQL_INET_FAMILY_V4 ? 4u : 6u;
}
static inline uint32_t sql_inet_addr_bytes(const uint8_t *v) {
    return v[0] == SQL_INET_FAMILY_V4 ? 4u : 16u;
}
static inline uint32_t sql_inet_max_bits(const uint8_t *v) { return sql_inet_addr_bytes(v) * 8; }

/* The inet/cidr operators and functions (sql_fn_inet.c). */
void sql_funcs_register_inet(void);

#endif
