/* net_hba.h: client authentication rules (dreambase_hba.conf, pg_hba.conf's format): which
 * method a connection must pass, by connection type, database, user and client address.
 *   # TYPE     DATABASE      USER          ADDRESS              METHOD
 *   local      all           all                                trust
 *   host       all           all           127.0.0.1/32         trust
 *   hostssl    app,reports   +readers      10.0.0.0/8           scram-sha-256
 *   hostnossl  all           all           all                  reject
 *   host       all           all           192.168.1.0 255.255.255.0  md5
 * Types: local (Unix socket), host (TCP, TLS or not), hostssl, hostnossl. Databases: all,
 * sameuser, samerole, names, comma lists ("quoted" names are never keywords); replication
 * matches no connection (there is no replication protocol). Users: all, names, +role (the role
 * and its members, through the client's member_of). Addresses: all, samehost, samenet, an IPv4 or
 * IPv6 address with /prefix or a separate netmask column. Methods: trust, reject,
 * scram-sha-256, md5 (SCRAM, as PostgreSQL does when the stored verifier is SCRAM: Dreambase
 * stores no other kind), password (cleartext, checked against the SCRAM verifier). Options
 * after the method are refused. The first line that matches decides; none: FATAL 28000.
 * Owns:    a parsed rule set (net_hba), immutable once built: any shard may read it.
 * Core:    parse anywhere; net_hba_match() on any thread, no allocation, no system calls
 *          (samehost/samenet use the interface addresses read when the rules were parsed).
 * Memory:  net_hba_parse()/net_hba_load() allocate the rule set (rt_xmalloc); net_hba_free()
 *          releases it.
 * Errors:  F0000 for a file that cannot be read and for a bad line, naming file and line
 *          (`invalid authentication method "x" in file "/d/dreambase_hba.conf" line 7`).
 * Limits:  NET_HBA_FILE_BYTES_MAX, NET_HBA_RULES_MAX, NET_HBA_NAMES_MAX, NET_HBA_IFADDRS_MAX. */
#ifndef NET_HBA_H
#define NET_HBA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "runtime/rt_err.h"

/* A rules file larger than this is refused (it is read whole). */
#define NET_HBA_FILE_BYTES_MAX (1u << 20)
/* Rules in one file: matching is a linear scan per connection attempt. */
#define NET_HBA_RULES_MAX 4096u
/* Names in one DATABASE or USER list. */
#define NET_HBA_NAMES_MAX 64u
/* Interface addresses remembered for samehost/samenet. */
#define NET_HBA_IFADDRS_MAX 64u

/* The file written into a new data directory. */
#define NET_HBA_FILE_NAME "dreambase_hba.conf"

typedef enum net_hba_method {
    NET_HBA_TRUST = 1,
    NET_HBA_REJECT,
    NET_HBA_SCRAM,
    NET_HBA_PASSWORD,
} net_hba_method;

typedef struct net_hba net_hba;

/* What a connection presents. */
typedef struct net_hba_client {
    const struct sockaddr *addr;   /* the peer; NULL or AF_UNIX = the Unix socket */
    bool tls;
    const char *user;
    const char *database;
    /* Is `user` a member of `role` (directly or through other roles)? For +role and
     * samerole; NULL: a role is a member of itself only. Must not allocate or block. */
    bool (*member_of)(const char *user, const char *role);
} net_hba_client;

/* The decision: the method and the line that gave it (0: no line matched). */
typedef struct net_hba_result {
    net_hba_method method;         /* meaningless when line == 0 */
    uint32_t line;
} net_hba_result;

/* `path` names the text in errors. */
bool net_hba_parse(const char *text, uint32_t len, const char *path, net_hba **out,
                   rt_err *err);
bool net_hba_load(const char *path, net_hba **out, rt_err *err);
void net_hba_free(net_hba *hba);
uint32_t net_hba_rule_count(const net_hba *hba);
/* The file the rules came from (for messages). */
const char *net_hba_path(const net_hba *hba);

/* The first matching rule; false when none matches. */
bool net_hba_match(const net_hba *hba, const net_hba_client *client, net_hba_result *out);

/* The text of the peer address as the rejection messages print it ("127.0.0.1", "::1",
 * "[local]"); IPv4-mapped IPv6 addresses print as IPv4. */
void net_hba_addr_text(const struct sockaddr *addr, char *buf, uint32_t cap);

/* Writes the rules of a new data directory to `path` if no file is there: trust on the Unix
 * socket and loopback (127.0.0.0/8, ::1), scram-sha-256 from anywhere else. */
bool net_hba_write_default(const char *path, rt_err *err);

#endif
