/* net_conf.c: the server's settings table, value checks, the configuration file reader
 * (postgresql.conf syntax, with include) and the default file of a new data directory. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/net_conf.h"
#include "net/net_pg.h"
#include "runtime/rt_limits.h"
#include "runtime/rt_mem.h"
#include "sql/sql_session.h"

typedef enum net_conf_kind {
    NET_CONF_INT, NET_CONF_BOOL, NET_CONF_STRING, NET_CONF_LEVEL
} net_conf_kind;

/* How an integer reads: a bare number is in `bare`; it is kept in `base`. */
typedef enum net_conf_unit {
    NET_CONF_UNIT_NONE,
    NET_CONF_UNIT_MS,          /* bare = ms, kept in ms */
    NET_CONF_UNIT_S,           /* bare = s, kept in ms (authentication_timeout) */
    NET_CONF_UNIT_BYTES,       /* bare = bytes */
} net_conf_unit;

typedef struct net_conf_def {
    const char *name;
    net_conf_kind kind;
    net_conf_unit unit;
    const char *boot;
    int64_t min, max;          /* in the kept unit */
    bool reload;               /* SIGHUP applies it */
    const char *comment;       /* for the default file */
} net_conf_def;

/* Indexed by net_conf_id. */
static const net_conf_def net_conf_defs[NET_CONF_COUNT] = {
    {"listen_addresses", NET_CONF_STRING, 0, "127.0.0.1", 0, 0, false,
     "TCP listen address: an IPv4 or IPv6 address or host name, '*' for all, '' for none"},
    {"port", NET_CONF_INT, 0, "5432", 1, 65535, false,
     "TCP port; also names the Unix socket .s.PGSQL.<port>"},
    {"unix_socket_directories", NET_CONF_STRING, 0, "/tmp", 0, 0, false,
     "comma-separated directories of the Unix socket, '' for none"},
    {"max_connections", NET_CONF_INT, 0, "100", 1, NET_PG_CONNECTIONS_MAX, false,
     "client connections at most; more get 53300 (the open-files limit is raised to fit)"},
    {"shards", NET_CONF_INT, 0, "0", 0, RT_SHARDS_MAX, false,
     "shard threads, 0 = one per online core"},
    {"spin_us", NET_CONF_INT, 0, "500", 0, 1000000, false,
     "microseconds an idle shard busy-polls before it sleeps"},
    {"ssl", NET_CONF_BOOL, 0, "off", 0, 1, false,
     "on: clients may use TLS (needs ssl_cert_file and ssl_key_file)"},
    {"ssl_cert_file", NET_CONF_STRING, 0, "server.crt", 0, 0, false,
     "PEM certificate (chain); relative to the data directory"},
    {"ssl_key_file", NET_CONF_STRING, 0, "server.key", 0, 0, false,
     "PEM private key, readable by the owner only; relative to the data directory"},
    {"hba_file", NET_CONF_STRING, 0, "dreambase_hba.conf", 0, 0, true,
     "client authentication rules; relative to the data directory"},
    {"authentication_timeout", NET_CONF_INT, NET_CONF_UNIT_S, "1min", 1000, 600000, false,
     "time a client has to send its startup packet and authenticate (1s .. 10min)"},
    {"max_message_size", NET_CONF_INT, NET_CONF_UNIT_BYTES, "1073741823", 8192,
     NET_PG_MESSAGE_BYTES_MAX, false,
     "largest message a client may send (Query, Parse, Bind, CopyData); bytes, or kB/MB/GB"},
    {"log_min_messages", NET_CONF_LEVEL, 0, "info", 0, 0, true,
     "debug, info, warning or error (PostgreSQL's debug1-5, notice, log, fatal also read)"},
    {"autovacuum", NET_CONF_BOOL, 0, "on", 0, 1, true,
     "background vacuum of dead row versions (per table: WITH (autovacuum_enabled = off))"},
};

/* Session settings written (commented) into the default file: the ones operators set most. */
static const struct { const char *name, *value, *comment; } net_conf_session_defaults[] = {
    {"statement_timeout", "0", "default for sessions: ms, or with a unit (30s); 0 = none"},
    {"idle_in_transaction_session_timeout", "0", "default for sessions; 0 = none"},
    {"idle_session_timeout", "0", "default for sessions; 0 = none"},
    {"TimeZone", "'UTC'", "default for sessions"},
};

/* log_min_messages: PostgreSQL's names, and what they mean here. */
static const struct { const char *name; const char *level; } net_conf_levels[] = {
    {"debug5", "debug"}, {"debug4", "debug"}, {"debug3", "debug"}, {"debug2", "debug"},
    {"debug1", "debug"}, {"debug", "debug"}, {"info", "info"}, {"notice", "info"},
    {"log", "info"}, {"warning", "warning"}, {"error", "error"}, {"fatal", "error"},
    {"panic", "error"}};

const char *net_conf_name(net_conf_id id) { return net_conf_defs[id].name; }
bool net_conf_reloadable(net_conf_id id) { return net_conf_defs[id].reload; }
const char *net_conf_str(const net_conf *conf, net_conf_id id) { return conf->values[id]; }
int64_t net_conf_int(const net_conf *conf, net_conf_id id) { return conf->numbers[id]; }

static int net_conf_find(const char *name) {
    for (int i = 0; i < NET_CONF_COUNT; i++) {
        if (strcasecmp(net_conf_defs[i].name, name) == 0) return i;
    }
    return -1;
}

/* ---- values ---- */

static bool net_conf_bool_parse(const char *v, bool *out) {
    static const char *const yes[] = {"on", "true", "yes", "1"};
    static const char *const no[] = {"off", "false", "no", "0"};
    for (uint32_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) return *out = true, true;
        if (strcasecmp(v, no[i]) == 0) return *out = false, true;
    }
    return false;
}

/* The multiplier of `suffix` into the kept unit, 0 when it does not fit the setting. */
static double net_conf_unit_factor(net_conf_unit unit, const char *suffix) {
    static const struct { const char *u; double ms; } times[] = {
        {"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
    static const struct { const char *u; double b; } sizes[] = {
        {"B", 1}, {"kB", 1024}, {"MB", 1048576}, {"GB", 1073741824.0}, {"TB", 1099511627776.0}};
    if (suffix[0] == '\0') return unit == NET_CONF_UNIT_S ? 1000 : 1;
    if (unit == NET_CONF_UNIT_MS || unit == NET_CONF_UNIT_S) {
        for (uint32_t i = 0; i < 6; i++) {
            if (strcmp(suffix, times[i].u) == 0) return times[i].ms;
        }
    } else if (unit == NET_CONF_UNIT_BYTES) {
        for (uint32_t i = 0; i < 5; i++) {
            if (strcmp(suffix, sizes[i].u) == 0) return sizes[i].b;
        }
    }
    return 0;
}

/* A time as SHOW prints it: the largest unit that divides it. */
static void net_conf_format_ms(int64_t ms, char *buf, size_t cap) {
    static const struct { const char *u; int64_t ms; } t[] = {
        {"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}};
    for (uint32_t i = 0; i < 5; i++) {
        if (ms != 0 && ms % t[i].ms == 0) {
            snprintf(buf, cap, "%lld%s", (long long)(ms / t[i].ms), t[i].u);
            return;
        }
    }
    snprintf(buf, cap, "%lld", (long long)ms);
}

static bool net_conf_int_parse(const net_conf_def *d, const char *v, int64_t *out, rt_err *err) {
    errno = 0;
    char *end = NULL;
    double x = strtod(v, &end);
    while (end != NULL && *end == ' ') end++;
    double factor = end != v && errno == 0 ? net_conf_unit_factor(d->unit, end) : 0;
    bool whole = end == NULL || *end != '\0' || x == (double)(int64_t)x;
    if (factor == 0 || !whole || x * factor > 9.2e18 || x * factor < -9.2e18) {
        rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "invalid value for parameter \"%s\": \"%s\"", d->name, v);
        if (d->unit == NET_CONF_UNIT_MS || d->unit == NET_CONF_UNIT_S) {
            rt_err_hint(err, "Valid units for this parameter are \"us\", \"ms\", \"s\", "
                             "\"min\", \"h\", and \"d\".");
        } else if (d->unit == NET_CONF_UNIT_BYTES) {
            rt_err_hint(err, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", "
                             "and \"TB\".");
        }
        return false;
    }
    double r = x * factor;
    *out = (int64_t)(r + (r >= 0 ? 0.5 : -0.5));
    if (*out < d->min || *out > d->max) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "%lld%s is outside the valid range for parameter \"%s\" (%lld .. %lld)",
                          (long long)*out, d->unit == NET_CONF_UNIT_NONE ? "" :
                          d->unit == NET_CONF_UNIT_BYTES ? " B" : " ms", d->name,
                          (long long)d->min, (long long)d->max);
    }
    return true;
}

/* Validates `v` for server setting `id` and stores its canonical text and number. */
static bool net_conf_server_set(net_conf *conf, net_conf_id id, const char *v, rt_err *err) {
    const net_conf_def *d = &net_conf_defs[id];
    char *out = conf->values[id];
    int64_t n = 0;
    switch (d->kind) {
    case NET_CONF_INT:
        if (!net_conf_int_parse(d, v, &n, err)) return false;
        if (d->unit == NET_CONF_UNIT_MS || d->unit == NET_CONF_UNIT_S) {
            net_conf_format_ms(n, out, NET_CONF_VALUE_BYTES_MAX);
        } else {
            snprintf(out, NET_CONF_VALUE_BYTES_MAX, "%lld", (long long)n);
        }
        break;
    case NET_CONF_BOOL: {
        bool b;
        if (!net_conf_bool_parse(v, &b)) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "parameter \"%s\" requires a Boolean value", d->name);
        }
        n = b;
        snprintf(out, NET_CONF_VALUE_BYTES_MAX, "%s", b ? "on" : "off");
        break;
    }
    case NET_CONF_LEVEL: {
        uint32_t i = 0, count = sizeof net_conf_levels / sizeof net_conf_levels[0];
        while (i < count && strcasecmp(v, net_conf_levels[i].name) != 0) i++;
        if (i == count) {
            rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                       "invalid value for parameter \"%s\": \"%s\"", d->name, v);
            rt_err_hint(err, "Available values: debug5, debug4, debug3, debug2, debug1, debug, "
                             "info, notice, warning, error, log, fatal, panic.");
            return false;
        }
        snprintf(out, NET_CONF_VALUE_BYTES_MAX, "%s", net_conf_levels[i].name);
        break;
    }
    case NET_CONF_STRING:
        if (strlen(v) >= NET_CONF_VALUE_BYTES_MAX) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "value for parameter \"%s\" is too long (at most %u bytes)",
                              d->name, NET_CONF_VALUE_BYTES_MAX - 1);
        }
        snprintf(out, NET_CONF_VALUE_BYTES_MAX, "%s", v);
        break;
    }
    conf->numbers[id] = n;
    return true;
}

void net_conf_init(net_conf *conf) {
    memset(conf, 0, sizeof *conf);
    for (int i = 0; i < NET_CONF_COUNT; i++) {
        rt_err err;
        rt_err_clear(&err);
        bool ok = net_conf_server_set(conf, (net_conf_id)i, net_conf_defs[i].boot, &err);
        RT_ASSERT(ok); /* the boot values are ours */
    }
}

void net_conf_free(net_conf *conf) {
    rt_free(conf->session);
    conf->session = NULL;
    conf->session_count = 0;
}

/* A session default: checked by the SQL layer now, published by net_conf_publish(). */
static bool net_conf_session_set(net_conf *conf, const char *name, const char *value,
                                 net_conf_source source, rt_err *err) {
    if (strlen(name) >= sizeof conf->session[0].name || strlen(value) >= NET_CONF_VALUE_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "value for parameter \"%s\" is too long", name);
    }
    if (!sql_setting_check(name, value, err)) return false;
    net_conf_session *slot = NULL;
    for (uint32_t i = 0; i < conf->session_count && slot == NULL; i++) {
        if (strcasecmp(conf->session[i].name, name) == 0) slot = &conf->session[i];
    }
    if (slot != NULL && slot->source > source) return true;
    if (slot == NULL) {
        if (conf->session_count == NET_CONF_SESSION_MAX) {
            return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "too many session settings (at most %u)", NET_CONF_SESSION_MAX);
        }
        conf->session = rt_xrealloc(conf->session,
                                    (conf->session_count + 1) * sizeof *conf->session);
        slot = &conf->session[conf->session_count++];
        snprintf(slot->name, sizeof slot->name, "%s", name);
    }
    snprintf(slot->value, sizeof slot->value, "%s", value);
    slot->source = source;
    return true;
}

bool net_conf_set(net_conf *conf, const char *name, const char *value, net_conf_source source,
                  rt_err *err) {
    int id = net_conf_find(name);
    if (id < 0) return net_conf_session_set(conf, name, value, source, err);
    if (conf->sources[id] > source) return true; /* the command line wins */
    if (!net_conf_server_set(conf, (net_conf_id)id, value, err)) return false;
    conf->sources[id] = source;
    return true;
}

bool net_conf_set_arg(net_conf *conf, const char *arg, rt_err *err) {
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "-c %s requires a value", arg);
    }
    char name[64];
    if ((size_t)(eq - arg) >= sizeof name) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%.*s\"", (int)(eq - arg), arg);
    }
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    for (char *p = name; *p != '\0'; p++) *p = *p == '-' ? '_' : *p;
    return net_conf_set(conf, name, eq + 1, NET_CONF_SOURCE_COMMAND_LINE, err);
}

bool net_conf_copy_command_line(net_conf *to, const net_conf *from, rt_err *err) {
    for (int i = 0; i < NET_CONF_COUNT; i++) {
        if (from->sources[i] != NET_CONF_SOURCE_COMMAND_LINE) continue;
        if (!net_conf_set(to, net_conf_defs[i].name, from->values[i],
                          NET_CONF_SOURCE_COMMAND_LINE, err)) {
            return false;
        }
    }
    for (uint32_t i = 0; i < from->session_count; i++) {
        const net_conf_session *s = &from->session[i];
        if (s->source != NET_CONF_SOURCE_COMMAND_LINE) continue;
        if (!net_conf_set(to, s->name, s->value, s->source, err)) return false;
    }
    return true;
}

bool net_conf_publish(const net_conf *conf, rt_err *err) {
    for (int i = 0; i < NET_CONF_COUNT; i++) {
        if (!sql_setting_set_default(net_conf_defs[i].name, conf->values[i], NULL, err)) {
            return false;
        }
    }
    for (uint32_t i = 0; i < conf->session_count; i++) {
        const net_conf_session *s = &conf->session[i];
        if (!sql_setting_set_default(s->name, s->value, NULL, err)) return false;
    }
    return true;
}

/* ---- the file ---- */

typedef struct net_conf_reader {
    net_conf *conf;
    const char *path;
    const char *p, *end;
    uint32_t line;
    uint32_t depth;
} net_conf_reader;

static bool net_conf_load_at(net_conf *conf, const char *path, uint32_t depth, bool if_exists,
                             rt_err *err);

static bool net_conf_syntax(const net_conf_reader *r, const char *near, uint32_t near_len,
                            rt_err *err) {
    if (near_len == 0) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "syntax error in file \"%s\" line %u, near end of line", r->path,
                          r->line);
    }
    return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                      "syntax error in file \"%s\" line %u, near token \"%.*s\"", r->path,
                      r->line, (int)(near_len > 64 ? 64 : near_len), near);
}

static void net_conf_skip_blank(net_conf_reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\f')) {
        r->p++;
    }
}

static bool net_conf_name_char(char c, bool first) {
    return isalpha((unsigned char)c) || c == '_' || (!first && (isdigit((unsigned char)c) ||
                                                                c == '.' || c == '$'));
}

/* A quoted value: '' and backslash escapes (\n \t \b \r \f, octal, any other char as is). */
static bool net_conf_quoted(net_conf_reader *r, char *out, size_t cap, rt_err *err) {
    const char *start = r->p++;
    size_t n = 0;
    for (;;) {
        if (r->p >= r->end || *r->p == '\n') return net_conf_syntax(r, start, 1, err);
        char c = *r->p++;
        if (c == '\'' && r->p < r->end && *r->p == '\'') r->p++;
        else if (c == '\'') break;
        else if (c == '\\' && r->p < r->end && *r->p != '\n') {
            c = *r->p++;
            static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
            const char *hit = strchr(from, c);
            if (hit != NULL && c != '\0') c = to[hit - from];
            else if (c >= '0' && c <= '7') {
                int v = c - '0';
                for (int k = 0; k < 2 && r->p < r->end && *r->p >= '0' && *r->p <= '7'; k++) {
                    v = v * 8 + (*r->p++ - '0');
                }
                c = (char)v;
            }
        }
        if (n + 1 >= cap) {
            return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "value too long in file \"%s\" "
                              "line %u (at most %zu bytes)", r->path, r->line, cap - 1);
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return true;
}

/* An unquoted value: a number with its unit, a name, or a path-like word. */
static bool net_conf_bare(net_conf_reader *r, char *out, size_t cap, rt_err *err) {
    const char *start = r->p;
    while (r->p < r->end && !isspace((unsigned char)*r->p) && *r->p != '#' && *r->p != '\'' &&
           *r->p != '=') {
        r->p++;
    }
    size_t n = (size_t)(r->p - start);
    if (n == 0) return net_conf_syntax(r, start, r->p < r->end && *r->p != '\n' ? 1 : 0, err);
    if (n + 1 > cap) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "value too long in file \"%s\" "
                          "line %u (at most %zu bytes)", r->path, r->line, cap - 1);
    }
    memcpy(out, start, n);
    out[n] = '\0';
    return true;
}

/* After the value: blanks, an optional comment, then the end of the line. */
static bool net_conf_line_end(net_conf_reader *r, rt_err *err) {
    net_conf_skip_blank(r);
    if (r->p < r->end && *r->p == '#') {
        while (r->p < r->end && *r->p != '\n') r->p++;
    }
    if (r->p < r->end && *r->p != '\n') {
        const char *tok = r->p;
        uint32_t n = 0;
        while (tok + n < r->end && !isspace((unsigned char)tok[n])) n++;
        return net_conf_syntax(r, tok, n, err);
    }
    return true;
}

/* An include: the path is relative to the including file's directory. */
static bool net_conf_include(net_conf_reader *r, const char *target, bool if_exists,
                             rt_err *err) {
    if (r->depth + 1 > NET_CONF_INCLUDE_DEPTH_MAX) {
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not open configuration file "
                          "\"%s\": maximum nesting depth exceeded", target);
    }
    char path[4096];
    const char *slash = strrchr(r->path, '/');
    if (target[0] == '/' || slash == NULL) snprintf(path, sizeof path, "%s", target);
    else snprintf(path, sizeof path, "%.*s/%s", (int)(slash - r->path), r->path, target);
    return net_conf_load_at(r->conf, path, r->depth + 1, if_exists, err);
}

/* name = value: a setting, with the file and line added to any error. */
static bool net_conf_apply(net_conf_reader *r, const char *name, const char *value,
                           rt_err *err) {
    if (strcasecmp(name, "include") == 0) return net_conf_include(r, value, false, err);
    if (strcasecmp(name, "include_if_exists") == 0) return net_conf_include(r, value, true, err);
    if (strcasecmp(name, "include_dir") == 0) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "include_dir is not supported "
                          "in file \"%s\" line %u", r->path, r->line);
    }
    rt_err e;
    rt_err_clear(&e);
    if (net_conf_set(r->conf, name, value, NET_CONF_SOURCE_FILE, &e)) return true;
    rt_err_set(err, e.sqlstate, "%s in file \"%s\" line %u", e.message, r->path, r->line);
    if (e.hint[0] != '\0') rt_err_hint(err, "%s", e.hint);
    return false;
}

/* One line (r->p at its first character); leaves r->p on its '\n' or at the end. */
static bool net_conf_line(net_conf_reader *r, rt_err *err) {
    net_conf_skip_blank(r);
    if (r->p >= r->end || *r->p == '\n' || *r->p == '#') return net_conf_line_end(r, err);
    const char *name = r->p;
    if (!net_conf_name_char(*r->p, true)) return net_conf_syntax(r, name, 1, err);
    while (r->p < r->end && net_conf_name_char(*r->p, false)) r->p++;
    char name_buf[128];
    size_t name_len = (size_t)(r->p - name);
    if (name_len >= sizeof name_buf) return net_conf_syntax(r, name, (uint32_t)name_len, err);
    memcpy(name_buf, name, name_len);
    name_buf[name_len] = '\0';
    net_conf_skip_blank(r);
    if (r->p < r->end && *r->p == '=') r->p++;
    net_conf_skip_blank(r);
    char value[NET_CONF_VALUE_BYTES_MAX];
    bool ok = r->p < r->end && *r->p == '\'' ? net_conf_quoted(r, value, sizeof value, err)
                                              : net_conf_bare(r, value, sizeof value, err);
    return ok && net_conf_line_end(r, err) && net_conf_apply(r, name_buf, value, err);
}

static bool net_conf_read_text(net_conf *conf, const char *text, size_t len, const char *path,
                               uint32_t depth, rt_err *err) {
    net_conf_reader r = {.conf = conf, .path = path, .p = text, .end = text + len, .line = 1,
                         .depth = depth};
    while (r.p < r.end) {
        if (!net_conf_line(&r, err)) return false;
        if (r.p < r.end) r.p++; /* the '\n' */
        r.line++;
    }
    return true;
}

bool net_conf_load_text(net_conf *conf, const char *text, uint32_t len, const char *path,
                        rt_err *err) {
    return net_conf_read_text(conf, text, len, path, 0, err);
}

static bool net_conf_load_at(net_conf *conf, const char *path, uint32_t depth, bool if_exists,
                             rt_err *err) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (if_exists && errno == ENOENT) return true;
        return rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                          "could not open configuration file \"%s\": %s", path, strerror(errno));
    }
    char *text = rt_xmalloc(NET_CONF_FILE_BYTES_MAX + 1);
    size_t n = fread(text, 1, NET_CONF_FILE_BYTES_MAX + 1, f);
    bool read_ok = !ferror(f);
    fclose(f);
    bool ok;
    if (!read_ok) {
        ok = rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                        "could not read configuration file \"%s\"", path);
    } else if (n > NET_CONF_FILE_BYTES_MAX) {
        ok = rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "configuration file \"%s\" is too "
                        "large (at most %u bytes)", path, NET_CONF_FILE_BYTES_MAX);
    } else {
        ok = net_conf_read_text(conf, text, n, path, depth, err);
    }
    rt_free(text);
    return ok;
}

bool net_conf_load_file(net_conf *conf, const char *path, rt_err *err) {
    return net_conf_load_at(conf, path, 0, false, err);
}

/* ---- the default file ---- */

static void net_conf_write_settings(FILE *f) {
    for (int i = 0; i < NET_CONF_COUNT; i++) {
        const net_conf_def *d = &net_conf_defs[i];
        bool quote = d->kind == NET_CONF_STRING;
        fprintf(f, "# %s%s\n", d->comment, d->reload ? "" : " (restart)");
        fprintf(f, quote ? "#%s = '%s'\n\n" : "#%s = %s\n\n", d->name, d->boot);
    }
    fprintf(f, "# Session defaults: any setting SET accepts may be given here; a reload applies\n"
               "# them to sessions that start afterwards.\n");
    for (size_t i = 0; i < sizeof net_conf_session_defaults / sizeof net_conf_session_defaults[0];
         i++) {
        fprintf(f, "#%s = %s    # %s\n", net_conf_session_defaults[i].name,
                net_conf_session_defaults[i].value, net_conf_session_defaults[i].comment);
    }
}

bool net_conf_write_default(const char *path, rt_err *err) {
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
    fprintf(f, "# dreambase.conf: the server's settings, in postgresql.conf's syntax:\n"
               "#   name = value        # strings in single quotes; units as in 30s, 64MB\n"
               "#   include 'file'      # include_if_exists 'file'\n"
               "# Every line below is commented out and shows the default. Flags given on the\n"
               "# command line (-p, -h, -c name=value, ...) override this file. SIGHUP (or\n"
               "# `kill -HUP <pid>`) re-reads it: settings marked (restart) need a restart, the\n"
               "# others (the authentication rules, log level, session defaults) apply at once.\n"
               "\n");
    net_conf_write_settings(f);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    fclose(f);
    return ok || rt_err_from_errno(err, e, "could not write file \"%s\"", path);
}
