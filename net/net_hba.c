/* net_hba.c: the authentication rules: tokenizer (fields, quoted names, comma lists), line
 * parser, address matching (CIDR, netmask, samehost, samenet) and the default rules file. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/net_hba.h"
#include "runtime/rt_mem.h"

#define NET_HBA_NAME_BYTES 64u     /* identifiers (NAMEDATALEN) */
#define NET_HBA_FIELDS_MAX 8u      /* type, database, user, address, mask, method, options */
#define NET_HBA_TOKEN_BYTES 256u   /* one token of a line (an address, a name) */

typedef enum net_hba_type { NET_HBA_LOCAL, NET_HBA_HOST, NET_HBA_HOSTSSL, NET_HBA_HOSTNOSSL }
    net_hba_type;
typedef enum net_hba_name_kind {
    NET_HBA_NAME, NET_HBA_ALL, NET_HBA_SAMEUSER, NET_HBA_SAMEROLE, NET_HBA_REPLICATION,
    NET_HBA_ROLE,                  /* +role */
} net_hba_name_kind;
typedef enum net_hba_addr_kind {
    NET_HBA_ADDR_NONE, NET_HBA_ADDR_ALL, NET_HBA_ADDR_SAMEHOST, NET_HBA_ADDR_SAMENET,
    NET_HBA_ADDR_CIDR,
} net_hba_addr_kind;

/* An address and mask in network order; IPv4 uses the first 4 bytes. */
typedef struct net_hba_net {
    int family;
    uint8_t addr[16], mask[16];
} net_hba_net;

typedef struct net_hba_name {
    net_hba_name_kind kind;
    char name[NET_HBA_NAME_BYTES];
} net_hba_name;

typedef struct net_hba_rule {
    net_hba_type type;
    uint32_t line;
    uint32_t db_first, db_count, user_first, user_count;   /* into names */
    net_hba_addr_kind addr_kind;
    net_hba_net net;
    net_hba_method method;
} net_hba_rule;

struct net_hba {
    char path[4096];
    net_hba_rule *rules;
    uint32_t rule_count;
    net_hba_name *names;
    uint32_t name_count;
    net_hba_net ifaddrs[NET_HBA_IFADDRS_MAX];   /* samehost: addr; samenet: addr and mask */
    uint32_t ifaddr_count;
};

/* One token of a field: its text and whether it was quoted (never a keyword then). */
typedef struct net_hba_token {
    char text[NET_HBA_TOKEN_BYTES];
    bool quoted;
} net_hba_token;

/* One field: a comma list of tokens. */
typedef struct net_hba_field {
    net_hba_token *tokens;
    uint32_t count;
} net_hba_field;

typedef struct net_hba_line {
    const char *path;
    uint32_t line;
    net_hba_field fields[NET_HBA_FIELDS_MAX];
    uint32_t field_count;
    net_hba_token store[NET_HBA_NAMES_MAX * 2 + 8];
    uint32_t store_count;
} net_hba_line;

static bool net_hba_error(const net_hba_line *l, rt_err *err, const char *what, const char *tok) {
    return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "%s \"%s\" in file \"%s\" line %u", what,
                      tok, l->path, l->line);
}

/* ---- tokenizer ---- */

/* One token at *p (not blank, not '#'); *more: it ended with a comma, the list goes on. */
static bool net_hba_token_read(net_hba_line *l, const char **p, const char *end,
                               net_hba_token *t, bool *more, rt_err *err) {
    size_t n = 0;
    bool in_quote = false;
    t->quoted = false;
    *more = false;
    while (*p < end) {
        char c = **p;
        if (!in_quote && (c == ' ' || c == '\t' || c == '\r' || c == '#')) break;
        (*p)++;
        if (c == '"') {
            in_quote = !in_quote;
            t->quoted = true;
            continue;
        }
        if (c == ',' && !in_quote) {
            *more = true;
            break;
        }
        if (n + 1 >= sizeof t->text) return net_hba_error(l, err, "token too long:", "...");
        t->text[n++] = c;
    }
    t->text[n] = '\0';
    if (in_quote) return net_hba_error(l, err, "unterminated quoted string:", t->text);
    return true;
}

static void net_hba_skip_blank(const char **p, const char *end) {
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r')) (*p)++;
}

/* Splits one line into fields; a comment runs to the end of the line. */
static bool net_hba_tokenize(net_hba_line *l, const char *p, const char *end, rt_err *err) {
    l->field_count = 0;
    l->store_count = 0;
    for (;;) {
        net_hba_skip_blank(&p, end);
        if (p >= end || *p == '#') return true;
        if (l->field_count == NET_HBA_FIELDS_MAX) {
            return net_hba_error(l, err, "too many fields, near", p < end ? "..." : "");
        }
        net_hba_field *f = &l->fields[l->field_count++];
        f->tokens = &l->store[l->store_count];
        f->count = 0;
        bool more = true;
        while (more) {
            if (l->store_count == sizeof l->store / sizeof l->store[0]) {
                return net_hba_error(l, err, "too many names in a list, near", "...");
            }
            if (!net_hba_token_read(l, &p, end, &l->store[l->store_count], &more, err)) {
                return false;
            }
            l->store_count++;
            f->count++;
            if (more) net_hba_skip_blank(&p, end);
            if (more && (p >= end || *p == '#')) {
                return net_hba_error(l, err, "list ends with a comma:", f->tokens[0].text);
            }
        }
    }
}

/* ---- fields ---- */

static bool net_hba_keyword(const net_hba_token *t, const char *kw) {
    return !t->quoted && strcmp(t->text, kw) == 0;
}

static bool net_hba_names(net_hba *hba, net_hba_line *l, const net_hba_field *f, bool users,
                          uint32_t *first, uint32_t *count, rt_err *err) {
    if (f->count > NET_HBA_NAMES_MAX) return net_hba_error(l, err, "too many names in", "list");
    *first = hba->name_count;
    *count = f->count;
    hba->names = rt_xrealloc(hba->names, (hba->name_count + f->count) * sizeof *hba->names);
    for (uint32_t i = 0; i < f->count; i++) {
        const net_hba_token *t = &f->tokens[i];
        net_hba_name *n = &hba->names[hba->name_count++];
        const char *text = t->text;
        n->kind = NET_HBA_NAME;
        if (net_hba_keyword(t, "all")) n->kind = NET_HBA_ALL;
        else if (!users && net_hba_keyword(t, "sameuser")) n->kind = NET_HBA_SAMEUSER;
        else if (!users && net_hba_keyword(t, "samerole")) n->kind = NET_HBA_SAMEROLE;
        else if (!users && net_hba_keyword(t, "replication")) n->kind = NET_HBA_REPLICATION;
        else if (users && !t->quoted && text[0] == '+') n->kind = NET_HBA_ROLE, text++;
        if (!t->quoted && text[0] == '@') {
            return net_hba_error(l, err, "file inclusion is not supported:", text);
        }
        if (text[0] == '\0' || strlen(text) >= NET_HBA_NAME_BYTES) {
            return net_hba_error(l, err, users ? "invalid user name" : "invalid database name",
                                 text);
        }
        memcpy(n->name, text, strlen(text) + 1); /* length checked above */
    }
    return true;
}

/* Prefix length to mask bytes. */
static bool net_hba_prefix_mask(int family, const char *text, uint8_t mask[16]) {
    char *end = NULL;
    long bits = strtol(text, &end, 10);
    int max = family == AF_INET ? 32 : 128;
    if (end == text || *end != '\0' || bits < 0 || bits > max) return false;
    memset(mask, 0, 16);
    for (long i = 0; i < bits; i++) mask[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    return true;
}

static bool net_hba_ip_parse(const char *text, int *family, uint8_t out[16]) {
    memset(out, 0, 16);
    if (inet_pton(AF_INET, text, out) == 1) return *family = AF_INET, true;
    if (inet_pton(AF_INET6, text, out) == 1) return *family = AF_INET6, true;
    return false;
}

/* ADDRESS (and a netmask field after a bare IP); *used: fields taken (1 or 2). */
static bool net_hba_address(net_hba_line *l, uint32_t at, net_hba_rule *r, uint32_t *used,
                            rt_err *err) {
    const net_hba_field *f = &l->fields[at];
    *used = 1;
    if (f->count != 1) return net_hba_error(l, err, "multiple values specified for", "address");
    const net_hba_token *t = &f->tokens[0];
    if (net_hba_keyword(t, "all")) return r->addr_kind = NET_HBA_ADDR_ALL, true;
    if (net_hba_keyword(t, "samehost")) return r->addr_kind = NET_HBA_ADDR_SAMEHOST, true;
    if (net_hba_keyword(t, "samenet")) return r->addr_kind = NET_HBA_ADDR_SAMENET, true;
    char ip[NET_HBA_TOKEN_BYTES];
    snprintf(ip, sizeof ip, "%s", t->text);
    char *slash = strchr(ip, '/');
    if (slash != NULL) *slash = '\0';
    r->addr_kind = NET_HBA_ADDR_CIDR;
    if (!net_hba_ip_parse(ip, &r->net.family, r->net.addr)) {
        return net_hba_error(l, err, "invalid IP address (host names are not supported)",
                             t->text);
    }
    if (slash != NULL) {
        if (!net_hba_prefix_mask(r->net.family, slash + 1, r->net.mask)) {
            return net_hba_error(l, err, "invalid CIDR mask in address", t->text);
        }
    } else {
        if (at + 1 >= l->field_count) {
            return net_hba_error(l, err, "end-of-line before netmask specification, after",
                                 t->text);
        }
        const net_hba_token *m = &l->fields[at + 1].tokens[0];
        int mfamily;
        if (l->fields[at + 1].count != 1 || !net_hba_ip_parse(m->text, &mfamily, r->net.mask)) {
            return net_hba_error(l, err, "invalid IP mask", m->text);
        }
        if (mfamily != r->net.family) {
            return net_hba_error(l, err, "IP address and mask do not match, mask", m->text);
        }
        *used = 2;
    }
    for (int i = 0; i < 16; i++) r->net.addr[i] &= r->net.mask[i];
    return true;
}

static bool net_hba_method_parse(net_hba_line *l, const net_hba_field *f, net_hba_method *m,
                                 rt_err *err) {
    static const struct { const char *name; net_hba_method method; } methods[] = {
        {"trust", NET_HBA_TRUST}, {"reject", NET_HBA_REJECT}, {"scram-sha-256", NET_HBA_SCRAM},
        {"md5", NET_HBA_SCRAM}, {"password", NET_HBA_PASSWORD}};
    if (f->count != 1) return net_hba_error(l, err, "multiple values specified for", "method");
    for (uint32_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (net_hba_keyword(&f->tokens[0], methods[i].name)) {
            *m = methods[i].method;
            return true;
        }
    }
    return net_hba_error(l, err, "invalid authentication method", f->tokens[0].text);
}

static bool net_hba_type_parse(net_hba_line *l, const net_hba_field *f, net_hba_type *type,
                               rt_err *err) {
    static const char *const types[] = {"local", "host", "hostssl", "hostnossl"};
    if (f->count == 1) {
        for (uint32_t i = 0; i < 4; i++) {
            if (net_hba_keyword(&f->tokens[0], types[i])) return *type = (net_hba_type)i, true;
        }
        if (net_hba_keyword(&f->tokens[0], "hostgssenc") ||
            net_hba_keyword(&f->tokens[0], "hostnogssenc")) {
            return net_hba_error(l, err, "GSSAPI encryption is not supported, connection type",
                                 f->tokens[0].text);
        }
    }
    return net_hba_error(l, err, "invalid connection type", f->tokens[0].text);
}

/* One tokenized line into a rule. */
static bool net_hba_rule_parse(net_hba *hba, net_hba_line *l, rt_err *err) {
    if (hba->rule_count == NET_HBA_RULES_MAX) {
        return net_hba_error(l, err, "too many rules, at most", "4096");
    }
    net_hba_rule r = {.line = l->line};
    if (!net_hba_type_parse(l, &l->fields[0], &r.type, err)) return false;
    uint32_t need = r.type == NET_HBA_LOCAL ? 4 : 5;
    if (l->field_count < need) {
        return net_hba_error(l, err, "end-of-line before", l->field_count < 2 ? "database"
                             : l->field_count < 3 ? "user" : r.type == NET_HBA_LOCAL
                             ? "authentication method" : l->field_count < 4 ? "address"
                             : "authentication method");
    }
    if (!net_hba_names(hba, l, &l->fields[1], false, &r.db_first, &r.db_count, err) ||
        !net_hba_names(hba, l, &l->fields[2], true, &r.user_first, &r.user_count, err)) {
        return false;
    }
    uint32_t at = 3, used = 0;
    if (r.type != NET_HBA_LOCAL) {
        if (!net_hba_address(l, 3, &r, &used, err)) return false;
        at += used;
    }
    if (at >= l->field_count) return net_hba_error(l, err, "end-of-line before", "method");
    if (!net_hba_method_parse(l, &l->fields[at], &r.method, err)) return false;
    if (at + 1 < l->field_count) {
        return net_hba_error(l, err, "unrecognized authentication option name:",
                             l->fields[at + 1].tokens[0].text);
    }
    hba->rules = rt_xrealloc(hba->rules, (hba->rule_count + 1) * sizeof *hba->rules);
    hba->rules[hba->rule_count++] = r;
    return true;
}

/* ---- the whole file ---- */

/* The machine's interface addresses, for samehost and samenet. */
static void net_hba_ifaddrs_read(net_hba *hba) {
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) return;
    for (struct ifaddrs *i = list; i != NULL && hba->ifaddr_count < NET_HBA_IFADDRS_MAX;
         i = i->ifa_next) {
        if (i->ifa_addr == NULL) continue;
        int family = i->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6) continue;
        net_hba_net *n = &hba->ifaddrs[hba->ifaddr_count++];
        memset(n, 0, sizeof *n);
        n->family = family;
        size_t len = family == AF_INET ? 4 : 16;
        const void *a = family == AF_INET
                            ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                            : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        memcpy(n->addr, a, len);
        if (i->ifa_netmask != NULL) {
            const void *m = family == AF_INET
                ? (const void *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
                : (const void *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
            memcpy(n->mask, m, len);
        }
    }
    freeifaddrs(list);
}

bool net_hba_parse(const char *text, uint32_t len, const char *path, net_hba **out,
                   rt_err *err) {
    net_hba *hba = rt_xcalloc(1, sizeof *hba);
    snprintf(hba->path, sizeof hba->path, "%s", path);
    net_hba_line *l = rt_xmalloc(sizeof *l);
    l->path = hba->path;
    l->line = 0;
    bool ok = true;
    for (const char *p = text, *end = text + len; ok && p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL) eol = end;
        l->line++;
        ok = net_hba_tokenize(l, p, eol, err) &&
             (l->field_count == 0 || net_hba_rule_parse(hba, l, err));
        p = eol + 1;
    }
    rt_free(l);
    if (!ok) {
        net_hba_free(hba);
        return false;
    }
    net_hba_ifaddrs_read(hba);
    *out = hba;
    return true;
}

bool net_hba_load(const char *path, net_hba **out, rt_err *err) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "could not open authentication file \"%s\": %s", path, strerror(errno));
    }
    char *text = rt_xmalloc(NET_HBA_FILE_BYTES_MAX + 1);
    size_t n = fread(text, 1, NET_HBA_FILE_BYTES_MAX + 1, f);
    bool read_ok = !ferror(f);
    fclose(f);
    bool ok;
    if (!read_ok) {
        ok = rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not read file \"%s\"", path);
    } else if (n > NET_HBA_FILE_BYTES_MAX) {
        ok = rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "file \"%s\" is too large (at most "
                        "%u bytes)", path, NET_HBA_FILE_BYTES_MAX);
    } else {
        ok = net_hba_parse(text, (uint32_t)n, path, out, err);
    }
    rt_free(text);
    return ok;
}

void net_hba_free(net_hba *hba) {
    if (hba == NULL) return;
    rt_free(hba->rules);
    rt_free(hba->names);
    rt_free(hba);
}

uint32_t net_hba_rule_count(const net_hba *hba) { return hba->rule_count; }
const char *net_hba_path(const net_hba *hba) { return hba->path; }

/* ---- matching ---- */

/* The peer as family + bytes; IPv4-mapped IPv6 becomes IPv4 (what the client really is). */
static int net_hba_peer(const struct sockaddr *sa, uint8_t out[16]) {
    memset(out, 0, 16);
    if (sa->sa_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return AF_INET;
    }
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a6)) {
        memcpy(out, &a6->s6_addr[12], 4);
        return AF_INET;
    }
    memcpy(out, a6->s6_addr, 16);
    return AF_INET6;
}

static bool net_hba_net_has(const net_hba_net *n, int family, const uint8_t addr[16]) {
    if (n->family != family) return false;
    for (int i = 0; i < 16; i++) {
        if ((addr[i] & n->mask[i]) != (n->addr[i] & n->mask[i])) return false;
    }
    return true;
}

static bool net_hba_addr_match(const net_hba *hba, const net_hba_rule *r,
                               const struct sockaddr *sa) {
    uint8_t addr[16];
    int family = net_hba_peer(sa, addr);
    switch (r->addr_kind) {
    case NET_HBA_ADDR_ALL: return true;
    case NET_HBA_ADDR_CIDR: return net_hba_net_has(&r->net, family, addr);
    case NET_HBA_ADDR_SAMEHOST:
    case NET_HBA_ADDR_SAMENET:
        for (uint32_t i = 0; i < hba->ifaddr_count; i++) {
            net_hba_net n = hba->ifaddrs[i];
            if (r->addr_kind == NET_HBA_ADDR_SAMEHOST) memset(n.mask, 0xff, sizeof n.mask);
            if (net_hba_net_has(&n, family, addr)) return true;
        }
        return false;
    case NET_HBA_ADDR_NONE: break;
    }
    return false;
}

/* The user is `role` or a member of it (pg_hba's +role and samerole). */
static bool net_hba_member(const net_hba_client *c, const char *role) {
    if (strcmp(c->user, role) == 0) return true;
    return c->member_of != NULL && c->member_of(c->user, role);
}

static bool net_hba_name_match(const net_hba *hba, uint32_t first, uint32_t count,
                               const net_hba_client *c, bool users) {
    for (uint32_t i = first; i < first + count; i++) {
        const net_hba_name *n = &hba->names[i];
        switch (n->kind) {
        case NET_HBA_ALL: return true;
        case NET_HBA_SAMEUSER:
            if (strcmp(c->database, c->user) == 0) return true;
            break;
        case NET_HBA_SAMEROLE:
            if (net_hba_member(c, c->database)) return true;
            break;
        case NET_HBA_REPLICATION: break;
        case NET_HBA_ROLE:
            if (net_hba_member(c, n->name)) return true;
            break;
        case NET_HBA_NAME:
            if (strcmp(n->name, users ? c->user : c->database) == 0) return true;
            break;
        }
    }
    return false;
}

bool net_hba_match(const net_hba *hba, const net_hba_client *c, net_hba_result *out) {
    bool unix_socket = c->addr == NULL || c->addr->sa_family == AF_UNIX;
    for (uint32_t i = 0; i < hba->rule_count; i++) {
        const net_hba_rule *r = &hba->rules[i];
        if ((r->type == NET_HBA_LOCAL) != unix_socket) continue;
        if (r->type == NET_HBA_HOSTSSL && !c->tls) continue;
        if (r->type == NET_HBA_HOSTNOSSL && c->tls) continue;
        if (!net_hba_name_match(hba, r->db_first, r->db_count, c, false)) continue;
        if (!net_hba_name_match(hba, r->user_first, r->user_count, c, true)) continue;
        if (!unix_socket && !net_hba_addr_match(hba, r, c->addr)) continue;
        out->method = r->method;
        out->line = r->line;
        return true;
    }
    out->line = 0;
    return false;
}

void net_hba_addr_text(const struct sockaddr *addr, char *buf, uint32_t cap) {
    if (addr == NULL || addr->sa_family == AF_UNIX) {
        snprintf(buf, cap, "[local]");
        return;
    }
    uint8_t bytes[16];
    int family = net_hba_peer(addr, bytes);
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(family, bytes, text, sizeof text) == NULL) snprintf(text, sizeof text, "?");
    snprintf(buf, cap, "%s", text);
}

/* ---- the default file ---- */

bool net_hba_write_default(const char *path, rt_err *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return true;
        return rt_err_from_errno(err, errno, "could not create file \"%s\"", path);
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return rt_err_from_errno(err, errno, "could not create file \"%s\"", path);
    }
    fprintf(f,
            "# dreambase_hba.conf: who may connect, and how they authenticate (pg_hba.conf's\n"
            "# format). The first line that matches the connection type, database, user and\n"
            "# client address decides; a connection no line matches is refused (28000).\n"
            "#   TYPE:     local (Unix socket), host (TCP), hostssl (TCP with TLS), hostnossl\n"
            "#   DATABASE: all, sameuser, a name, or a comma list;  USER: all, a name, +role\n"
            "#   ADDRESS:  all, samehost, samenet, 10.0.0.0/8, fd00::/8, or address + netmask\n"
            "#   METHOD:   trust, scram-sha-256, md5 (= scram-sha-256), password, reject\n"
            "# SIGHUP (kill -HUP <pid>) re-reads this file; connections from then on use it.\n"
            "#\n"
            "# These defaults trust the Unix socket and loopback (so `psql -h 127.0.0.1 -U\n"
            "# postgres` works at once) and ask everyone else for a SCRAM password: give roles\n"
            "# passwords before listening on other addresses.\n"
            "\n"
            "# TYPE  DATABASE  USER  ADDRESS        METHOD\n"
            "local   all       all                  trust\n"
            "host    all       all   127.0.0.0/8    trust\n"
            "host    all       all   ::1/128        trust\n"
            "host    all       all   all            scram-sha-256\n");
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    fclose(f);
    return ok || rt_err_from_errno(err, e, "could not write file \"%s\"", path);
}
