/* main.c: the dreambase server program.
 * Reads its settings (net_conf.h: the command line, then dreambase.conf or --config FILE for
 * what the command line leaves unset), opens the data directory (eng_start recovers it; a new
 * one gets a commented dreambase.conf and the default dreambase_hba.conf), loads the
 * authentication rules and the TLS certificate, raises the open-files limit to what
 * max_connections needs, creates the Unix socket, and runs the shards: each starts its part
 * of the engine and its listener; "dreambase ready" is logged once all are up (after the
 * bootstrap superuser's password is set, when one is given). SIGHUP re-reads the file and the
 * rules; SIGINT or SIGTERM end the connections (FATAL 57P01) and checkpoint before exit.
 * Flags follow PostgreSQL's: -D DATADIR, -p PORT, -h LISTEN_ADDRESSES, -c name=value (any
 * setting), with long forms --data-dir, --port, --host; plus --config, --shards, --spin-us,
 * --tls-cert/--tls-key (ssl = on with those files), --log-level and
 * --superuser-password-file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/eng.h"
#include "engine/eng_catalog.h"
#include "net/net_conf.h"
#include "net/net_pg.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_time.h"
#include "sql/sql_session.h"

/* The bootstrap superuser of a new data directory (what clients and tests connect as). */
#define SERVER_SUPERUSER "postgres"
/* The server-wide secret behind SCRAM's mock salts, kept in the data directory. */
#define SERVER_MOCK_KEY_FILE "scram_mock_key"
/* The bootstrap superuser's password, when no --superuser-password-file is given. */
#define SERVER_PASSWORD_ENV "DREAMBASE_SUPERUSER_PASSWORD"
/* Descriptors besides client connections: listeners, io_uring and event fds per shard, WAL
 * and checkpoint files, the data directory lock, logs. */
#define SERVER_FDS_PER_SHARD 16u
#define SERVER_FDS_BASE 256u

typedef struct server_options {
    char data_dir[4096];
    char config_file[4096];     /* --config, or <data_dir>/dreambase.conf */
    bool config_given;
    char password_file[4096];   /* --superuser-password-file */
    char password[1024];        /* the bootstrap superuser's password, "" = none */
    net_conf conf;              /* in force */
    net_conf args;              /* the command line alone (reapplied on reload) */
    uint32_t shard_count;
    bool failed;                 /* a shard could not start */
    uint8_t mock_key[NET_SCRAM_MOCK_KEY_BYTES];
} server_options;

static void server_usage(FILE *out) {
    fprintf(out,
            "Usage: dreambase [options]\n"
            "  -D, --data-dir DIR  data directory (default: $HOME/.dreambase/data)\n"
            "  --config FILE       settings file (default: DIR/dreambase.conf, made at first\n"
            "                      start with every setting commented out)\n"
            "  -p, --port PORT     port to listen on (default: 5432)\n"
            "  -h, --host ADDRESS  listen address, '*' for all (default: 127.0.0.1)\n"
            "  -c NAME=VALUE       any setting of dreambase.conf (max_connections,\n"
            "                      unix_socket_directories, ssl, hba_file, statement_timeout...)\n"
            "  --tls-cert FILE     PEM certificate: enables TLS (with --tls-key)\n"
            "  --tls-key FILE      PEM private key of the certificate\n"
            "  --shards N          shard threads (default: online cores)\n"
            "  --spin-us N         busy-poll before a shard sleeps (default: %d)\n"
            "  --log-level L       debug, info, warning or error (default: info)\n"
            "  --superuser-password-file FILE\n"
            "                      password of the superuser \"postgres\" if it has none yet\n"
            "                      (or $%s)\n"
            "  --help              this text\n"
            "Flags override the settings file; SIGHUP re-reads it.\n",
            RT_SPIN_US_DEFAULT, SERVER_PASSWORD_ENV);
}

static bool server_default_data_dir(char *out, size_t cap) {
    const char *env = getenv("DREAMBASE_DATA");
    if (env != NULL && env[0] != '\0') return (size_t)snprintf(out, cap, "%s", env) < cap;
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0') home = ".";
    return (size_t)snprintf(out, cap, "%s/.dreambase/data", home) < cap;
}

static bool server_copy(char *out, size_t cap, const char *value) {
    return (size_t)snprintf(out, cap, "%s", value) < cap;
}

/* A flag that is a setting: recorded with the command line's priority. */
static bool server_flag(server_options *opt, const char *name, const char *value) {
    rt_err err;
    rt_err_clear(&err);
    if (net_conf_set(&opt->args, name, value, NET_CONF_SOURCE_COMMAND_LINE, &err)) return true;
    fprintf(stderr, "dreambase: %s\n", err.message);
    return false;
}

static bool server_flag_c(server_options *opt, const char *arg) {
    rt_err err;
    rt_err_clear(&err);
    if (net_conf_set_arg(&opt->args, arg, &err)) return true;
    fprintf(stderr, "dreambase: %s\n", err.message);
    return false;
}

/* Flags to settings; 0 = go on, 1 = --help shown, 2 = bad usage. */
static int server_parse(int argc, char **argv, server_options *opt) {
    static const struct option longs[] = {
        {"data-dir", required_argument, NULL, 'D'}, {"port", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'h'},     {"shards", required_argument, NULL, 'S'},
        {"spin-us", required_argument, NULL, 'W'},  {"log-level", required_argument, NULL, 'L'},
        {"tls-cert", required_argument, NULL, 'C'}, {"tls-key", required_argument, NULL, 'K'},
        {"config", required_argument, NULL, 'F'},
        {"superuser-password-file", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, '?'},           {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "D:p:h:c:", longs, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'D': ok = server_copy(opt->data_dir, sizeof opt->data_dir, optarg); break;
        case 'F':
            ok = server_copy(opt->config_file, sizeof opt->config_file, optarg);
            opt->config_given = true;
            break;
        case 'P': ok = server_copy(opt->password_file, sizeof opt->password_file, optarg); break;
        case 'h': if (!server_flag(opt, "listen_addresses", optarg)) return 2; break;
        case 'p': if (!server_flag(opt, "port", optarg)) return 2; break;
        case 'c': if (!server_flag_c(opt, optarg)) return 2; break;
        case 'C':
        case 'K':
            if (!server_flag(opt, c == 'C' ? "ssl_cert_file" : "ssl_key_file", optarg) ||
                !server_flag(opt, "ssl", "on")) {
                return 2;
            }
            break;
        case 'S': if (!server_flag(opt, "shards", optarg)) return 2; break;
        case 'W': if (!server_flag(opt, "spin_us", optarg)) return 2; break;
        case 'L': if (!server_flag(opt, "log_min_messages", optarg)) return 2; break;
        default: server_usage(c == '?' && optopt == 0 ? stdout : stderr); return c == '?' ? 1 : 2;
        }
        if (!ok) {
            fprintf(stderr, "dreambase: invalid value \"%s\" for option -%c\n", optarg, c);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dreambase: invalid argument: \"%s\"\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* Reads the mock-salt secret, or makes it on the first start of a data directory. */
static bool server_mock_key(server_options *opt, rt_err *err) {
    char path[sizeof opt->data_dir + 32];
    snprintf(path, sizeof path, "%s/%s", opt->data_dir, SERVER_MOCK_KEY_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, opt->mock_key, sizeof opt->mock_key);
        close(fd);
        if (n == (ssize_t)sizeof opt->mock_key) return true;
        return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "file \"%s\" is damaged", path);
    }
    if (getrandom(opt->mock_key, sizeof opt->mock_key, 0) != (ssize_t)sizeof opt->mock_key) {
        return rt_err_from_errno(err, errno, "could not make random bytes");
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write(fd, opt->mock_key, sizeof opt->mock_key) ==
                             (ssize_t)sizeof opt->mock_key && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0) close(fd);
    return ok || rt_err_from_errno(err, e, "could not write file \"%s\"", path);
}

/* A startup failure, with PostgreSQL's detail and hint when the error has them. */
static void server_log_error(const rt_err *err) {
    char fields[RT_ERR_DETAIL_BYTES_MAX + RT_ERR_HINT_BYTES_MAX + 32];
    fields[0] = '\0';
    size_t n = 0;
    if (err->detail[0] != '\0') {
        n = (size_t)snprintf(fields, sizeof fields, "detail=\"%s\" ", err->detail);
    }
    if (err->hint[0] != '\0' && n < sizeof fields) {
        snprintf(fields + n, sizeof fields - n, "hint=\"%s\"", err->hint);
    }
    rt_log(RT_LOG_FATAL, fields[0] != '\0' ? fields : NULL, "%s", err->message);
}

/* ---- settings ---- */

/* A path setting relative to the data directory, as PostgreSQL resolves its files. */
static void server_path(const server_options *opt, const char *value, char *out, size_t cap) {
    if (value[0] == '/') snprintf(out, cap, "%s", value);
    else snprintf(out, cap, "%s/%s", opt->data_dir, value);
}

static rt_log_level server_log_level(const char *name) {
    if (strncmp(name, "debug", 5) == 0) return RT_LOG_DEBUG;
    if (strcmp(name, "warning") == 0) return RT_LOG_WARNING;
    if (strcmp(name, "error") == 0 || strcmp(name, "fatal") == 0 ||
        strcmp(name, "panic") == 0) {
        return RT_LOG_ERROR;
    }
    return RT_LOG_INFO; /* info, notice, log */
}

/* The defaults file, the file, then the command line again on top. */
static bool server_conf_read(const server_options *opt, net_conf *conf, rt_err *err) {
    net_conf_init(conf);
    if (!opt->config_given && !net_conf_write_default(opt->config_file, err)) return false;
    return net_conf_load_file(conf, opt->config_file, err) &&
           net_conf_copy_command_line(conf, &opt->args, err);
}

/* The authentication rules named by hba_file; a new data directory gets the default file. */
static bool server_hba_read(const server_options *opt, const net_conf *conf, net_hba **out,
                            rt_err *err) {
    char path[8192];
    const char *name = net_conf_str(conf, NET_CONF_HBA_FILE);
    server_path(opt, name, path, sizeof path);
    if (strcmp(name, NET_HBA_FILE_NAME) == 0 && !net_hba_write_default(path, err)) return false;
    return net_hba_load(path, out, err);
}

/* What SHOW reports: every server setting as in force, the session defaults, and the files. */
static bool server_publish(const server_options *opt, const net_conf *conf, rt_err *err) {
    char shards[16], hba[8192];
    snprintf(shards, sizeof shards, "%u", opt->shard_count);
    server_path(opt, net_conf_str(conf, NET_CONF_HBA_FILE), hba, sizeof hba);
    return net_conf_publish(conf, err) &&
           sql_setting_set_default("shards", shards, NULL, err) &&
           sql_setting_set_default("hba_file", hba, NULL, err) &&
           sql_setting_set_default("data_directory", opt->data_dir, NULL, err) &&
           sql_setting_set_default("config_file", opt->config_file, NULL, err);
}

/* Session defaults a reload dropped from the file go back to their boot values. */
static void server_session_defaults_reset(const net_conf *old, const net_conf *now) {
    for (uint32_t i = 0; i < old->session_count; i++) {
        bool kept = false;
        for (uint32_t j = 0; j < now->session_count && !kept; j++) {
            kept = strcasecmp(old->session[i].name, now->session[j].name) == 0;
        }
        for (uint32_t k = 0; !kept && k < sql_setting_count(); k++) {
            const sql_setting_def *d = sql_setting_at(k);
            if (strcasecmp(d->name, old->session[i].name) != 0) continue;
            rt_err ignored;
            rt_err_clear(&ignored);
            (void)sql_setting_set_default(d->name, d->boot_value, NULL, &ignored);
        }
    }
}

/* SIGHUP: re-reads the file; settings that need a restart keep their values (logged, as
 * PostgreSQL does), the rest apply: rules, log level, session defaults for new sessions. */
static void server_reload(void *arg) {
    server_options *opt = arg;
    rt_log(RT_LOG_INFO, NULL, "received SIGHUP, reloading configuration files");
    net_conf conf;
    net_hba *hba = NULL;
    rt_err err;
    rt_err_clear(&err);
    bool ok = server_conf_read(opt, &conf, &err) && server_hba_read(opt, &conf, &hba, &err);
    if (!ok) {
        rt_log(RT_LOG_ERROR, NULL, "%s; configuration not reloaded", err.message);
        net_conf_free(&conf);
        return;
    }
    uint32_t kept = 0;
    for (int i = 0; i < NET_CONF_COUNT; i++) {
        if (net_conf_reloadable((net_conf_id)i) ||
            strcmp(conf.values[i], opt->conf.values[i]) == 0) {
            continue;
        }
        rt_log(RT_LOG_WARNING, NULL, "parameter \"%s\" cannot be changed without restarting "
               "the server", net_conf_name((net_conf_id)i));
        memcpy(conf.values[i], opt->conf.values[i], sizeof conf.values[i]);
        conf.numbers[i] = opt->conf.numbers[i];
        kept++;
    }
    server_session_defaults_reset(&opt->conf, &conf);
    if (!server_publish(opt, &conf, &err)) {
        rt_log(RT_LOG_ERROR, NULL, "%s; configuration not reloaded", err.message);
        net_conf_free(&conf);
        net_hba_free(hba);
        return;
    }
    rt_log_set_level(server_log_level(net_conf_str(&conf, NET_CONF_LOG_MIN_MESSAGES)));
    eng_vac_set_autovacuum(net_conf_int(&conf, NET_CONF_AUTOVACUUM) != 0);
    uint32_t rules = net_hba_rule_count(hba);
    net_pg_hba_set(hba);
    net_conf_free(&opt->conf);
    opt->conf = conf;
    char fields[64];
    snprintf(fields, sizeof fields, "hba_rules=%u restart_pending=%u", rules, kept);
    rt_log(RT_LOG_INFO, fields, "configuration reloaded");
}

/* ---- the bootstrap superuser's password ---- */

/* From --superuser-password-file (first line) or the environment; "" = none. */
static bool server_password_read(server_options *opt, rt_err *err) {
    if (opt->password_file[0] == '\0') {
        const char *env = getenv(SERVER_PASSWORD_ENV);
        if (env != NULL) snprintf(opt->password, sizeof opt->password, "%s", env);
        return true;
    }
    FILE *f = fopen(opt->password_file, "r");
    if (f == NULL) {
        return rt_err_from_errno(err, errno, "could not open file \"%s\"", opt->password_file);
    }
    if (fgets(opt->password, sizeof opt->password, f) == NULL) opt->password[0] = '\0';
    fclose(f);
    opt->password[strcspn(opt->password, "\r\n")] = '\0';
    if (opt->password[0] == '\0') {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "password file \"%s\" is empty",
                          opt->password_file);
    }
    return true;
}

static bool server_sink_describe(void *a, const sql_col *c, uint32_t n, const int16_t *f,
                                 rt_err *e) {
    return (void)a, (void)c, (void)n, (void)f, (void)e, true;
}
static bool server_sink_rows(void *a, const sql_batch *b, uint32_t from, uint32_t to,
                             const int16_t *f, rt_err *e) {
    return (void)a, (void)b, (void)from, (void)to, (void)f, (void)e, true;
}
static bool server_sink_complete(void *a, const char *tag, rt_err *e) {
    return (void)a, (void)tag, (void)e, true;
}
static bool server_sink_empty(void *a, rt_err *e) { return (void)a, (void)e, true; }
static void server_sink_notice(void *a, const char *sev, const rt_err *n) {
    (void)a, (void)sev, (void)n;
}

/* ALTER ROLE through a session of its own, so the change is logged like any DDL; only when
 * the superuser has no password yet. */
static bool server_password_set(const char *password, rt_err *err) {
    char secret[NET_SCRAM_SECRET_BYTES_MAX];
    if (net_pg_role_secret(SERVER_SUPERUSER, secret)) return true; /* already there */
    if (!net_scram_secret_create(password, secret, err)) return false;
    sql_startup st = {.user = SERVER_SUPERUSER, .database = "postgres",
                      .backend_pid = NET_PG_PID_BASE - 1};
    sql_session *s = NULL;
    if (!sql_session_open(&st, &s, err)) return false;
    char sql[NET_SCRAM_SECRET_BYTES_MAX + 64];
    snprintf(sql, sizeof sql, "ALTER ROLE %s PASSWORD '%s'", SERVER_SUPERUSER, secret);
    sql_sink sink = {.describe = server_sink_describe, .rows = server_sink_rows,
                     .complete = server_sink_complete, .empty = server_sink_empty,
                     .notice = server_sink_notice};
    bool ok = sql_session_simple_query(s, sql, (uint32_t)strlen(sql), &sink, err);
    sql_session_close(s);
    if (ok) rt_log(RT_LOG_INFO, NULL, "password of superuser \"%s\" set", SERVER_SUPERUSER);
    return ok;
}

/* ---- running ---- */

static void server_ready(server_options *opt) {
    char fields[sizeof opt->data_dir + 512];
    snprintf(fields, sizeof fields, "shards=%u host=%s port=%s data_dir=\"%s\" tls=%s",
             rt_shard_count(), net_conf_str(&opt->conf, NET_CONF_LISTEN_ADDRESSES),
             net_conf_str(&opt->conf, NET_CONF_PORT), opt->data_dir,
             net_conf_str(&opt->conf, NET_CONF_SSL));
    rt_log(RT_LOG_INFO, fields, "dreambase ready");
}

/* Set once the bootstrap password is in the catalog: no shard accepts clients before, so no
 * client can log in while the superuser has no password yet. */
static _Atomic bool server_bootstrap_done;

static void server_fail(server_options *opt, const rt_err *err) {
    server_log_error(err);
    opt->failed = true;
    rt_runtime_stop();
}

static bool server_listen(server_options *opt) {
    rt_err err;
    rt_err_clear(&err);
    if (net_pg_shard_start(&err)) return true;
    server_fail(opt, &err);
    return false;
}

static void server_bootstrap_fiber(void *arg) {
    server_options *opt = arg;
    rt_err err;
    rt_err_clear(&err);
    if (!server_password_set(opt->password, &err)) {
        server_fail(opt, &err);
        return;
    }
    atomic_store(&server_bootstrap_done, true);
    if (server_listen(opt)) server_ready(opt);
}

/* The other shards start listening once the bootstrap is done (or the server stops). */
static void server_listen_fiber(void *arg) {
    while (!atomic_load(&server_bootstrap_done) && !rt_runtime_stopping()) {
        rt_fiber_sleep_ns(RT_NS_PER_MS);
    }
    if (!rt_runtime_stopping()) server_listen(arg);
}

static void server_on_start(rt_loop *loop, void *arg) {
    server_options *opt = arg;
    (void)loop;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_shard_start(&err)) {
        server_fail(opt, &err);
        return;
    }
    bool bootstrap = opt->password[0] != '\0';
    if (!bootstrap) {
        if (server_listen(opt) && rt_core_id() == 0) server_ready(opt);
        return;
    }
    rt_fiber_fn fn = rt_core_id() == 0 ? server_bootstrap_fiber : server_listen_fiber;
    if (rt_fiber_spawn(fn, opt, &err) == NULL) server_fail(opt, &err);
}

static void server_on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    net_pg_shard_stop();
    eng_shard_stop();
}

/* Each connection holds a descriptor: the soft limit is raised to what max_connections and the
 * shards need, or the start fails saying so (instead of refusing clients at random later). */
static bool server_fd_limit(uint32_t max_connections, uint32_t shards, rt_err *err) {
    rlim_t need = (rlim_t)max_connections + SERVER_FDS_BASE + (rlim_t)shards * SERVER_FDS_PER_SHARD;
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return rt_err_from_errno(err, errno, "getrlimit");
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur >= need) return true;
    if (lim.rlim_cur == RLIM_INFINITY) return true;
    struct rlimit want = {.rlim_cur = need,
                          .rlim_max = lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= need
                                          ? lim.rlim_max : need};
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) return true;
    rt_err_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not raise the limit of open files to %llu "
               "for max_connections = %u (the hard limit is %llu)", (unsigned long long)need,
               max_connections, (unsigned long long)lim.rlim_max);
    rt_err_hint(err, "Lower max_connections, or raise the limit (ulimit -n, or LimitNOFILE= in "
                     "the systemd unit).");
    return false;
}

/* Settings, data directory, rules, TLS, sockets: false with *err when the server cannot
 * start. */
static bool server_prepare(server_options *opt, net_tls_ctx **tls, rt_err *err) {
    if (!rt_dir_make(opt->data_dir, err)) return false;
    if (!opt->config_given) {
        int n = snprintf(opt->config_file, sizeof opt->config_file, "%.4000s/%s", opt->data_dir,
                         NET_CONF_FILE_NAME);
        RT_ASSERT(n > 0 && (size_t)n < sizeof opt->config_file);
    }
    if (!server_conf_read(opt, &opt->conf, err) || !server_password_read(opt, err)) return false;
    const net_conf *conf = &opt->conf;
    rt_log_set_level(server_log_level(net_conf_str(conf, NET_CONF_LOG_MIN_MESSAGES)));
    eng_vac_set_autovacuum(net_conf_int(conf, NET_CONF_AUTOVACUUM) != 0);
    sql_session_global_init();
    /* Vector graphs are saved with checkpoints: a restart never rebuilds them. */
    eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
    uint32_t shards = (uint32_t)net_conf_int(conf, NET_CONF_SHARDS);
    if (shards == 0) shards = rt_online_cores();
    if (shards > RT_SHARDS_MAX) shards = RT_SHARDS_MAX;
    opt->shard_count = shards;
    uint32_t max_conn = (uint32_t)net_conf_int(conf, NET_CONF_MAX_CONNECTIONS);
    if (!server_fd_limit(max_conn, shards, err) || !server_publish(opt, conf, err)) return false;
    eng_config ec = {.data_dir = opt->data_dir, .superuser = SERVER_SUPERUSER,
                     .shard_count = shards};
    if (!eng_start(&ec, err) || !server_mock_key(opt, err)) return false;
    net_hba *hba = NULL;
    if (!server_hba_read(opt, conf, &hba, err)) return false;
    if (net_conf_int(conf, NET_CONF_SSL) != 0) {
        char cert[8192], key[8192];
        server_path(opt, net_conf_str(conf, NET_CONF_SSL_CERT_FILE), cert, sizeof cert);
        server_path(opt, net_conf_str(conf, NET_CONF_SSL_KEY_FILE), key, sizeof key);
        net_tls_config tc = {.cert_file = cert, .key_file = key};
        *tls = net_tls_ctx_create(&tc, err);
        if (*tls == NULL) {
            net_hba_free(hba);
            return false;
        }
    }
    net_pg_config nc = {
        .host = net_conf_str(conf, NET_CONF_LISTEN_ADDRESSES),
        .port = (uint16_t)net_conf_int(conf, NET_CONF_PORT),
        .unix_dir = net_conf_str(conf, NET_CONF_UNIX_SOCKET_DIRECTORIES),
        .max_connections = max_conn, .tls = *tls, .mock_key = opt->mock_key,
        .auth_timeout_ns = (uint64_t)net_conf_int(conf, NET_CONF_AUTHENTICATION_TIMEOUT) *
                           1000000ull,
        .max_message_bytes = (uint32_t)net_conf_int(conf, NET_CONF_MAX_MESSAGE_SIZE),
        .hba = hba};
    return net_pg_start(&nc, err);
}

int main(int argc, char **argv) {
    static server_options opt; /* large: keep it off the stack */
    net_conf_init(&opt.args);
    if (!server_default_data_dir(opt.data_dir, sizeof opt.data_dir)) {
        fprintf(stderr, "dreambase: data directory path too long\n");
        return 2;
    }
    int rc = server_parse(argc, argv, &opt);
    if (rc != 0) return rc == 1 ? 0 : rc;

    rt_err err;
    rt_err_clear(&err);
    net_tls_ctx *tls = NULL;
    if (!server_prepare(&opt, &tls, &err)) {
        server_log_error(&err);
        net_conf_free(&opt.conf);
        net_conf_free(&opt.args);
        sql_setting_defaults_free();
        return 1;
    }
    rt_config config = {.shard_count = opt.shard_count,
                        .spin_us = (uint32_t)net_conf_int(&opt.conf, NET_CONF_SPIN_US),
                        .pin_threads = true, .handle_signals = true,
                        .on_start = server_on_start, .on_stop = server_on_stop,
                        .on_reload = server_reload, .arg = &opt};
    bool ran = rt_runtime_run(&config, &err);
    net_pg_stop();
    eng_stop();
    if (tls != NULL) net_tls_ctx_destroy(tls);
    net_conf_free(&opt.conf);
    net_conf_free(&opt.args);
    sql_setting_defaults_free();
    if (!ran) {
        rt_log(RT_LOG_FATAL, NULL, "%s", err.message);
        return 1;
    }
    rt_log(RT_LOG_INFO, NULL, "dreambase stopped");
    return opt.failed ? 1 : 0;
}
