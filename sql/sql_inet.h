/* sql_inet.h: the inet type (PostgreSQL's IPv4/IPv6 host address with an optional netmask
 * length): text and binary I/O, its B-tree order, and the helpers host(), masklen(), family(),
 * the inet -> text cast and pg_stat_activity.client_addr build on.
 * Owns:    nothing; values are byte strings in the caller's arena.
 * Core:    any; pure functions.
 * Memory:  a value is SQL_INET_BYTES_V4 or SQL_INET_BYTES_V6 bytes laid out exactly as
 *          PostgreSQL's binary format (family 2 = IPv4 / 3 = IPv6, masklen, is_cidr = 0,
 *          address length, address bytes), so send is a copy and recv a check.
 * Errors:  22P02 "invalid input syntax for type inet" for bad text, 22P03 with PostgreSQL's
 *          "invalid ... in external "inet" value" messages for bad binary.
 * Limits:  SQL_INET_TEXT_BYTES_MAX bounds a value's text form. The cidr type is not
 *          implemented (it stays absent from the catalog). */
#ifndef SQL_INET_H
#define SQL_INET_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_type.h"

#define SQL_INET_FAMILY_V4 2u   /* PGSQL_AF_INET on the wire */
#define SQL_INET_FAMILY_V6 3u   /* PGSQL_AF_INET6 on the wire */
#define SQL_INET_HEADER_BYTES 4u
#define SQL_INET_BYTES_V4 (SQL_INET_HEADER_BYTES + 4u)
#define SQL_INET_BYTES_V6 (SQL_INET_HEADER_BYTES + 16u)
#define SQL_INET_BYTES_MAX SQL_INET_BYTES_V6
/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" plus its NUL, rounded up. */
#define SQL_INET_TEXT_BYTES_MAX 64u

/* Parses PostgreSQL's inet text ('10.0.0.1', '10.0.0.0/8', '10/8', '::1', '2001:db8::/32')
 * into `out` (SQL_INET_BYTES_MAX bytes); false if it is not one. */
bool sql_inet_parse(const char *text, uint32_t len, uint8_t *out, uint32_t *out_len);
/* Whether `v` is a well-formed stored value (the checks of binary input). */
bool sql_inet_valid(const uint8_t *v, uint32_t len);
/* When the text of a value shows its masklen: inet_out prints "10.0.0.1" and "10.0.0.0/8"
 * (AUTO: unless it is the full length), the cast to text "10.0.0.1/32", host() none. */
typedef enum sql_inet_mask { SQL_INET_MASK_AUTO, SQL_INET_MASK_ALWAYS, SQL_INET_MASK_NEVER }
    sql_inet_mask;
/* Text of a value into buf; returns its length. */
uint32_t sql_inet_format(const uint8_t *v, sql_inet_mask mask, char buf[SQL_INET_TEXT_BYTES_MAX]);
/* PostgreSQL's order: family, then the network part over the shorter mask, then the masklen,
 * then the whole address. */
int sql_inet_cmp(const uint8_t *a, const uint8_t *b);

static inline uint32_t sql_inet_masklen(const uint8_t *v) { return v[1]; }
static inline uint32_t sql_inet_family(const uint8_t *v) {   /* 4 or 6, as family() */
    return v[0] == SQL_INET_FAMILY_V4 ? 4u : 6u;
}

#endif
