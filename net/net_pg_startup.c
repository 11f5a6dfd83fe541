/* net_pg_startup.c: the start of a connection, up to the first ReadyForQuery: SSLRequest
 * (TLS through net_tls when a certificate is configured), GSSENCRequest (always 'N'),
 * CancelRequest, the StartupMessage and its parameters (`options` split into settings),
 * NegotiateProtocolVersion for a newer minor version or _pq_ options, authentication (SCRAM
 * or trust), the session, ParameterStatus, BackendKeyData and ReadyForQuery. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "engine/eng_catalog.h"
#include "net/net_pg_int.h"
#include "sql/sql_acl.h"
#include "runtime/rt_log.h"
#include "runtime/rt_time.h"

#define NET_PG_CODE_CANCEL 80877102u
#define NET_PG_CODE_SSL 80877103u
#define NET_PG_CODE_GSSENC 80877104u
/* The StartupMessage parameters of one connection (names, values, options) at most. */
#define NET_PG_STARTUP_ARENA_BYTES (256u << 10)
/* PostgreSQL's epoch (2000-01-01) in Unix seconds: rolvaliduntil counts from it. */
#define NET_PG_EPOCH_UNIX_S INT64_C(946684800)
/* The user and database names are identifiers: PostgreSQL truncates them to NAMEDATALEN-1. */
#define NET_PG_IDENT_BYTES_MAX 63u

typedef struct net_pg_params {
    const char *user, *database;
    uint32_t count, cap;
    const char **names, **values;
    uint32_t unknown_count;        /* _pq_ options we do not know: all of them */
    const char **unknown;
} net_pg_params;

bool net_pg_role_secret(const char *user, char secret[NET_SCRAM_SECRET_BYTES_MAX]) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_role *r = eng_catalog_role_by_name(ref.catalog, user);
    /* rolvaliduntil is a timestamptz: microseconds since 2000-01-01. */
    int64_t now_pg_us = rt_time_wall_us() - NET_PG_EPOCH_UNIX_S * 1000000;
    bool ok = r != NULL && r->login && r->password != NULL &&
              net_scram_password_kind_of(r->password) == NET_SCRAM_PASSWORD_SCRAM &&
              (r->valid_until_us == INT64_MAX || r->valid_until_us > now_pg_us) &&
              strlen(r->password) < NET_SCRAM_SECRET_BYTES_MAX;
    if (ok) snprintf(secret, NET_SCRAM_SECRET_BYTES_MAX, "%s", r->password);
    eng_catalog_unpin(&ref);
    return ok;
}

/* ---- parameters ---- */

static bool net_pg_param_add(net_pg_conn *c, net_pg_params *p, const char *name,
                             const char *value, rt_err *err) {
    if (p->count == p->cap) {
        uint32_t cap = p->cap == 0 ? 16 : p->cap * 2;
        size_t old = sizeof(char *) * p->cap, size = sizeof(char *) * cap;
        p->names = rt_arena_grow(c->startup_arena, p->names, old, size);
        p->values = rt_arena_grow(c->startup_arena, p->values, old, size);
        if (p->names == NULL || p->values == NULL) {
            return net_pg_protocol_error(err, "invalid startup packet layout");
        }
        p->cap = cap;
    }
    p->names[p->count] = name;
    p->values[p->count] = value;
    p->count++;
    return true;
}

/* One `options` word: "-c name=value" (the name in the next word), "-cname=value" or
 * "--name=value"; dashes in the name become underscores, as PostgreSQL does. */
static bool net_pg_option_add(net_pg_conn *c, net_pg_params *p, char *word, rt_err *err) {
    char *eq = strchr(word, '=');
    if (eq == NULL || eq == word) {
        rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                   "invalid command-line argument for server process: %s", word);
        err->severity = RT_SEV_FATAL;
        return false;
    }
    *eq = '\0';
    for (char *q = word; *q != '\0'; q++) {
        if (*q == '-') *q = '_';
    }
    return net_pg_param_add(c, p, word, eq + 1, err);
}

/* Splits `options` at unescaped white space (a backslash quotes the next character). */
static bool net_pg_options_parse(net_pg_conn *c, net_pg_params *p, const char *text,
                                 rt_err *err) {
    char *copy = rt_arena_strdup(c->startup_arena, text);
    if (copy == NULL) return net_pg_protocol_error(err, "invalid startup packet layout");
    bool pending_c = false;
    char *r = copy;
    while (*r != '\0') {
        while (*r == ' ' || *r == '\t' || *r == '\n') r++;
        if (*r == '\0') break;
        char *word = r, *w = r;
        while (*r != '\0' && *r != ' ' && *r != '\t' && *r != '\n') {
            if (*r == '\\' && r[1] != '\0') r++;
            *w++ = *r++;
        }
        if (*r != '\0') r++;
        *w = '\0';
        bool ok;
        if (pending_c) ok = net_pg_option_add(c, p, word, err), pending_c = false;
        else if (strcmp(word, "-c") == 0) ok = true, pending_c = true;
        else if (strncmp(word, "-c", 2) == 0) ok = net_pg_option_add(c, p, word + 2, err);
        else if (strncmp(word, "--", 2) == 0) ok = net_pg_option_add(c, p, word + 2, err);
        else ok = net_pg_option_add(c, p, word, err); /* reports the bad word */
        if (!ok) return false;
    }
    return true;
}

static const char *net_pg_ident_copy(net_pg_conn *c, const char *s) {
    size_t n = strlen(s);
    return rt_arena_strndup(c->startup_arena, s, n > NET_PG_IDENT_BYTES_MAX ? NET_PG_IDENT_BYTES_MAX
                                                                             : n);
}

/* name\0value\0 pairs, then a final \0. */
static bool net_pg_params_parse(net_pg_conn *c, net_pg_msg *m, net_pg_params *p, rt_err *err) {
    if (m->len == 4 || m->body[m->len - 1] != 0) {
        return net_pg_protocol_error(err, "invalid startup packet layout: expected terminator "
                                          "as last byte");
    }
    for (;;) {
        const char *name, *value;
        if (!net_pg_get_str(m, &name, NULL, err)) return false;
        if (name[0] == '\0') break;
        if (!net_pg_get_str(m, &value, NULL, err)) return false;
        bool ok = true;
        if (strcmp(name, "user") == 0) p->user = net_pg_ident_copy(c, value);
        else if (strcmp(name, "database") == 0) p->database = net_pg_ident_copy(c, value);
        else if (strcmp(name, "options") == 0) ok = net_pg_options_parse(c, p, value, err);
        else if (strncmp(name, "_pq_.", 5) == 0) {
            p->unknown = rt_arena_grow(c->startup_arena, p->unknown,
                                       sizeof(char *) * p->unknown_count,
                                       sizeof(char *) * (p->unknown_count + 1));
            if (p->unknown == NULL) return net_pg_protocol_error(err, "invalid startup packet");
            p->unknown[p->unknown_count++] = name;
        } else ok = net_pg_param_add(c, p, name, value, err);
        if (!ok) return false;
    }
    if (!net_pg_get_end(m, err)) return false;
    if (p->user == NULL || p->user[0] == '\0') {
        rt_err_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                   "no PostgreSQL user name specified in startup packet");
        err->severity = RT_SEV_FATAL;
        return false;
    }
    if (p->database == NULL || p->database[0] == '\0') p->database = p->user;
    return true;
}

/* NegotiateProtocolVersion: we speak 3.0 and know no _pq_ option. The version field is the
 * newest one we speak, 3.0 in full (196608) as PostgreSQL sends it: libpq 17 and later refuse
 * a downgrade below 3.0. */
static bool net_pg_negotiate(net_pg_conn *c, uint32_t minor, const net_pg_params *p,
                             rt_err *err) {
    if (minor == 0 && p->unknown_count == 0) return true;
    net_pg_put_begin(c, 'v');
    net_pg_put_i32(c, (int32_t)(3u << 16));
    net_pg_put_i32(c, (int32_t)p->unknown_count);
    for (uint32_t i = 0; i < p->unknown_count; i++) net_pg_put_str(c, p->unknown[i]);
    return net_pg_put_end(c, err);
}

/* ---- the first packets ---- */

/* SSLRequest: 'S' and the TLS handshake, or 'N'. */
static bool net_pg_ssl_request(net_pg_conn *c, rt_err *err) {
    if (c->tls != NULL) return net_pg_protocol_error(err, "SSL negotiation already done");
    bool tls = net_pg_g.config.tls != NULL;
    if (!net_pg_io_send_byte(c, tls ? 'S' : 'N', err)) return false;
    if (!tls) return true;
    if (net_pg_io_buffered(c) > 0) {
        net_pg_protocol_error(err, "received unencrypted data after SSL request");
        rt_err_detail(err, "This could be either a client-software bug or evidence of an "
                           "attempted man-in-the-middle attack.");
        return false;
    }
    return net_pg_io_tls_start(c, err);
}

/* Reads packets until a StartupMessage; *done = true when the connection should just close
 * (CancelRequest, end of stream). */
static bool net_pg_first_packets(net_pg_conn *c, net_pg_params *p, bool *done, rt_err *err) {
    for (;;) {
        net_pg_msg m;
        if (!net_pg_startup_read(c, &m, err)) return false;
        if (c->eof) return *done = true;
        int32_t code;
        if (!net_pg_get_i32(&m, &code, err)) return false;
        if ((uint32_t)code == NET_PG_CODE_CANCEL) {
            int32_t pid, secret;
            if (m.len == 12 && net_pg_get_i32(&m, &pid, err) && net_pg_get_i32(&m, &secret, err)) {
                net_pg_backend_cancel((uint32_t)pid, (uint32_t)secret, true);
            }
            return *done = true;
        }
        if ((uint32_t)code == NET_PG_CODE_SSL) {
            if (!net_pg_ssl_request(c, err)) return false;
            continue;
        }
        if ((uint32_t)code == NET_PG_CODE_GSSENC) {
            if (!net_pg_io_send_byte(c, 'N', err)) return false;
            continue;
        }
        uint32_t major = (uint32_t)code >> 16, minor = (uint32_t)code & 0xffff;
        if (major != 3) {
            rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "unsupported frontend protocol %u.%u: "
                       "server supports 3.0 to 3.0", major, minor);
            err->severity = RT_SEV_FATAL;
            return false;
        }
        return net_pg_params_parse(c, &m, p, err) && net_pg_negotiate(c, minor, p, err);
    }
}

/* ---- authentication ---- */

static bool net_pg_auth_request(net_pg_conn *c, int32_t code, const void *data, uint32_t len,
                                rt_err *err) {
    net_pg_put_begin(c, 'R');
    net_pg_put_i32(c, code);
    net_pg_put_bytes(c, data, len);
    return net_pg_put_end(c, err);
}

/* The next SASLInitialResponse / SASLResponse ('p'). */
static bool net_pg_auth_read(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    if (!net_pg_flush(c, err) || !net_pg_msg_read(c, m, err)) return false;
    if (c->eof) return false;
    if (m->type != 'p') {
        return net_pg_protocol_error(err, "expected SASL response, got message type %d",
                                     m->type);
    }
    return true;
}

static bool net_pg_scram_run(net_pg_conn *c, net_scram *scram, rt_err *err) {
    uint8_t mechs[NET_SCRAM_MECHANISMS_BYTES_MAX];
    bool cbind = scram->cbind_hash_len > 0;
    uint32_t n = net_scram_mechanisms(cbind, mechs);
    if (!net_pg_auth_request(c, 10, mechs, n, err)) return false;
    net_pg_msg m;
    if (!net_pg_auth_read(c, &m, err)) return false;
    const char *mech;
    int32_t len;
    const uint8_t *data = NULL;
    if (!net_pg_get_str(&m, &mech, NULL, err) || !net_pg_get_i32(&m, &len, err)) return false;
    if (len > 0 && !net_pg_get_bytes(&m, (uint32_t)len, &data, err)) return false;
    if (!net_pg_get_end(&m, err)) return false;
    net_scram_output out;
    if (!net_scram_begin(scram, mech, data, len, &out, err)) return false;
    while (out.status == NET_SCRAM_CONTINUE) {
        if (!net_pg_auth_request(c, 11, out.data, out.len, err)) return false;
        if (!net_pg_auth_read(c, &m, err)) return false;
        if (!net_scram_continue(scram, m.body, m.len, &out, err)) return false;
    }
    return net_pg_auth_request(c, 12, out.data, out.len, err);
}

static void net_pg_auth_failed_log(const char *user, const char *why) {
    rt_log(RT_LOG_INFO, NULL, "authentication failed for user \"%s\"%s%s", user,
           why[0] != '\0' ? ": " : "", why);
}

/* PostgreSQL's answer to a wrong password (and to a role without one). */
static bool net_pg_password_failed(const char *user, rt_err *err) {
    rt_err_set(err, SQLSTATE_INVALID_PASSWORD, "password authentication failed for user \"%s\"",
               user);
    err->severity = RT_SEV_FATAL;
    return false;
}

/* The password method: AuthenticationCleartextPassword, then the password is checked by
 * building a verifier with the stored salt and iteration count and comparing the keys. */
static bool net_pg_auth_password(net_pg_conn *c, const char *user, const char *secret,
                                 rt_err *err) {
    if (!net_pg_auth_request(c, 3, NULL, 0, err) || !net_pg_flush(c, err)) return false;
    net_pg_msg m;
    if (!net_pg_msg_read(c, &m, err) || c->eof) return false;
    if (m.type != 'p') {
        return net_pg_protocol_error(err, "expected password response, got message type %d",
                                     m.type);
    }
    const char *password;
    uint32_t len;
    if (!net_pg_get_str(&m, &password, &len, err) || !net_pg_get_end(&m, err)) return false;
    net_scram_secret stored, given;
    char built[NET_SCRAM_SECRET_BYTES_MAX];
    rt_err ignored;
    rt_err_clear(&ignored);
    bool ok = secret != NULL && len > 0 && net_scram_secret_parse(secret, &stored) &&
              net_scram_secret_build(password, stored.salt, stored.salt_len, stored.iterations,
                                     built, &ignored) &&
              net_scram_secret_parse(built, &given) &&
              CRYPTO_memcmp(given.stored_key, stored.stored_key, sizeof stored.stored_key) == 0;
    if (ok) return net_pg_auth_request(c, 0, NULL, 0, err);
    net_pg_auth_failed_log(user, secret == NULL ? "no password is set for the role"
                                                : "password does not match");
    return net_pg_password_failed(user, err);
}

/* "no dreambase_hba.conf entry for ..." / "... rejects connection for ...": FATAL 28000 with
 * PostgreSQL's wording, our file's name. */
static bool net_pg_auth_refused(net_pg_conn *c, const char *user, const char *database,
                                bool matched, rt_err *err) {
    char host[64];
    net_hba_addr_text((const struct sockaddr *)&c->peer, host, sizeof host);
    rt_err_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
               matched ? "%s rejects connection for host \"%s\", user \"%s\", database \"%s\", %s"
                       : "no %s entry for host \"%s\", user \"%s\", database \"%s\", %s",
               NET_HBA_FILE_NAME, host, user, database,
               c->tls != NULL ? "SSL encryption" : "no encryption");
    err->severity = RT_SEV_FATAL;
    return false;
}

/* pg_hba's +role: `user` is a member of `role`, directly or through others (a superuser is
 * not a member of every role here, as in PostgreSQL). */
static bool net_pg_member_of(const char *user, const char *role) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_role *u = eng_catalog_role_by_name(ref.catalog, user);
    const eng_role *r = eng_catalog_role_by_name(ref.catalog, role);
    bool member = u != NULL && r != NULL && sql_acl_in_role(ref.catalog, u->oid, r->oid);
    eng_catalog_unpin(&ref);
    return member;
}

/* The method the rules give this connection; *method 0 = the built-in behaviour. */
static bool net_pg_auth_method(net_pg_conn *c, const char *user, const char *database,
                               net_hba_method *method, rt_err *err) {
    const net_hba *hba = atomic_load(&net_pg_g.hba);
    *method = 0;
    if (hba == NULL) return true;
    net_hba_client client = {.addr = (const struct sockaddr *)&c->peer, .tls = c->tls != NULL,
                             .user = user, .database = database,
                             .member_of = net_pg_member_of};
    net_hba_result r;
    if (!net_hba_match(hba, &client, &r)) return net_pg_auth_refused(c, user, database, false,
                                                                     err);
    if (r.method == NET_HBA_REJECT) return net_pg_auth_refused(c, user, database, true, err);
    *method = r.method;
    return true;
}

/* The rules' method; without rules: SCRAM when the role has a verifier, trust without one on a
 * local connection, otherwise a mock exchange that fails like a wrong password. */
static bool net_pg_authenticate(net_pg_conn *c, const char *user, const char *database,
                                rt_err *err) {
    net_hba_method method;
    if (!net_pg_auth_method(c, user, database, &method, err)) return false;
    if (method == NET_HBA_TRUST) return net_pg_auth_request(c, 0, NULL, 0, err);
    char secret[NET_SCRAM_SECRET_BYTES_MAX];
    net_pg_role_secret_fn lookup = net_pg_g.config.role_secret != NULL
                                       ? net_pg_g.config.role_secret : net_pg_role_secret;
    bool has_secret = lookup(user, secret);
    if (method == NET_HBA_PASSWORD) {
        return net_pg_auth_password(c, user, has_secret ? secret : NULL, err);
    }
    if (method == 0 && !has_secret && c->local) return net_pg_auth_request(c, 0, NULL, 0, err);
    net_scram *scram = rt_xmalloc(sizeof *scram);
    net_scram_config sc = {.user_name = user, .secret = has_secret ? secret : NULL,
                           .mock_key = net_pg_g.mock_key};
    const uint8_t *hash;
    uint32_t hash_len;
    if (c->tls != NULL && net_tls_cert_hash(c->tls, &hash, &hash_len)) {
        sc.cbind_hash = hash;
        sc.cbind_hash_len = hash_len;
    }
    bool ok = net_scram_init(scram, &sc, err) && net_pg_scram_run(c, scram, err);
    if (!ok && rt_err_is_set(err)) net_pg_auth_failed_log(user, net_scram_log_detail(scram));
    net_scram_finish(scram);
    rt_free(scram);
    return ok && net_pg_auth_request(c, 0, NULL, 0, err);
}

/* ---- the whole start ---- */

static bool net_pg_startup_run(net_pg_conn *c, rt_err *err) {
    net_pg_params p;
    memset(&p, 0, sizeof p);
    bool done = false;
    c->startup_arena = rt_arena_create(NET_PG_STARTUP_ARENA_BYTES);
    if (!net_pg_first_packets(c, &p, &done, err) || done) return false;
    snprintf(c->user, sizeof c->user, "%s", p.user);
    uint32_t secret;
    if (!net_pg_backend_acquire(c, &secret)) {
        rt_err_set(err, SQLSTATE_TOO_MANY_CONNECTIONS, "sorry, too many clients already");
        err->severity = RT_SEV_FATAL;
        return false;
    }
    if (!net_pg_authenticate(c, p.user, p.database, err)) return false;
    sql_startup st = {.user = p.user, .database = p.database, .nsettings = p.count,
                      .names = p.names, .values = p.values, .backend_pid = c->pid,
                      .cancel = &c->backend->cancel};
    if (!sql_session_open(&st, &c->session, err)) return false;
    net_pg_backend_set_role(c, sql_session_user_oid(c->session));
    net_pg_params_report(c);
    net_pg_put_begin(c, 'K');
    net_pg_put_i32(c, (int32_t)c->pid);
    net_pg_put_i32(c, (int32_t)secret);
    if (!net_pg_put_end(c, err)) return false;
    return net_pg_ready(c, err);
}

bool net_pg_startup(net_pg_conn *c) {
    rt_err err;
    rt_err_clear(&err);
    c->recv_timeout_ns = net_pg_g.config.auth_timeout_ns;
    bool ok = net_pg_startup_run(c, &err);
    c->recv_timeout_ns = 0;
    if (ok) return true;
    /* Errors of the start are all FATAL; a broken or timed-out socket gets no answer. */
    if (c->io_failed && rt_err_is_set(&err)) rt_log(RT_LOG_INFO, NULL, "%s", err.message);
    if (rt_err_is_set(&err) && !rt_err_is(&err, SQLSTATE_CONNECTION_FAILURE) && !c->eof &&
        !c->io_failed) {
        err.severity = RT_SEV_FATAL;
        net_pg_send_error(c, &err);
        rt_err ignored;
        rt_err_clear(&ignored);
        (void)net_pg_flush(c, &ignored);
    }
    return false;
}
