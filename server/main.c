/* main.c: the dreambase server program.
 * Parses the command line, opens the data directory (eng_start recovers it), loads the TLS
 * certificate if one is given, creates the Unix socket, and runs the shards: each starts its
 * part of the engine and its listener, logs "dreambase ready" once all are up, and on SIGINT
 * or SIGTERM ends its connections (FATAL 57P01) and checkpoints before the process exits.
 * Flags follow PostgreSQL's: -D DATADIR, -p PORT, -h LISTEN_ADDRESS, -c name=value, with long
 * forms --data-dir, --port, --host; plus --shards, --spin-us, --tls-cert/--tls-key and
 * --log-level. Settings given with -c: max_connections, unix_socket_directories (PostgreSQL's
 * default /tmp; '' for none), port, listen_addresses, ssl_cert_file, ssl_key_file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine/eng.h"
#include "net/net_pg.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "sql/sql_session.h"

/* The bootstrap superuser of a new data directory (what clients and tests connect as). */
#define SERVER_SUPERUSER "postgres"
/* The server-wide secret behind SCRAM's mock salts, kept in the data directory. */
#define SERVER_MOCK_KEY_FILE "scram_mock_key"

typedef struct server_options {
    char data_dir[4096];
    char listen_host[256];
    char unix_dir[256];
    char tls_cert[4096];
    char tls_key[4096];
    uint16_t port;
    uint32_t shard_count;
    uint32_t spin_us;
    uint32_t max_connections;
    bool failed;                 /* a shard could not start */
    uint8_t mock_key[NET_SCRAM_MOCK_KEY_BYTES];
} server_options;

static void server_usage(FILE *out) {
    fprintf(out,
            "Usage: dreambase [options]\n"
            "  -D, --data-dir DIR  data directory (default: $HOME/.dreambase/data)\n"
            "  -p, --port PORT     port to listen on (default: 5432)\n"
            "  -h, --host ADDRESS  listen address, '*' for all (default: 127.0.0.1)\n"
            "  -c NAME=VALUE       a setting: max_connections (default: %u),\n"
            "                      unix_socket_directories (default: /tmp), port,\n"
            "                      listen_addresses, ssl_cert_file, ssl_key_file\n"
            "  --tls-cert FILE     PEM certificate: enables TLS (with --tls-key)\n"
            "  --tls-key FILE      PEM private key of the certificate\n"
            "  --shards N          shard threads (default: online cores)\n"
            "  --spin-us N         busy-poll before a shard sleeps (default: %d)\n"
            "  --log-level L       debug, info, warning or error (default: info)\n"
            "  --help              this text\n",
            NET_PG_MAX_CONNECTIONS_DEFAULT, RT_SPIN_US_DEFAULT);
}

static bool server_default_data_dir(char *out, size_t cap) {
    const char *env = getenv("DREAMBASE_DATA");
    if (env != NULL && env[0] != '\0') return (size_t)snprintf(out, cap, "%s", env) < cap;
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0') home = ".";
    return (size_t)snprintf(out, cap, "%s/.dreambase/data", home) < cap;
}

static bool server_parse_uint(const char *text, unsigned long max, unsigned long *out) {
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v > max) return false;
    *out = v;
    return true;
}

static bool server_copy(char *out, size_t cap, const char *value) {
    return (size_t)snprintf(out, cap, "%s", value) < cap;
}

static bool server_set_port(server_options *opt, const char *value) {
    unsigned long v;
    if (!server_parse_uint(value, 65535, &v) || v == 0) return false;
    opt->port = (uint16_t)v;
    return true;
}

/* -c name=value: the settings the server itself uses. */
static bool server_setting(server_options *opt, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (eq == NULL) {
        fprintf(stderr, "dreambase: -c %s requires a value\n", arg);
        return false;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    for (char *p = name; *p != '\0'; p++) *p = *p == '-' ? '_' : *p;
    const char *value = eq + 1;
    unsigned long v;
    bool ok;
    if (strcmp(name, "max_connections") == 0) {
        ok = server_parse_uint(value, NET_PG_CONNECTIONS_MAX, &v) && v > 0;
        if (ok) opt->max_connections = (uint32_t)v;
    } else if (strcmp(name, "autovacuum") == 0) {
        bool on = strcmp(value, "on") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0;
        ok = on || strcmp(value, "off") == 0 || strcmp(value, "false") == 0 ||
             strcmp(value, "0") == 0;
        if (ok) eng_vac_set_autovacuum(on);
    } else if (strcmp(name, "port") == 0) {
        ok = server_set_port(opt, value);
    } else if (strcmp(name, "listen_addresses") == 0) {
        ok = server_copy(opt->listen_host, sizeof opt->listen_host, value);
    } else if (strcmp(name, "unix_socket_directories") == 0) {
        ok = server_copy(opt->unix_dir, sizeof opt->unix_dir, value);
    } else if (strcmp(name, "ssl_cert_file") == 0) {
        ok = server_copy(opt->tls_cert, sizeof opt->tls_cert, value);
    } else if (strcmp(name, "ssl_key_file") == 0) {
        ok = server_copy(opt->tls_key, sizeof opt->tls_key, value);
    } else {
        fprintf(stderr, "dreambase: unrecognized configuration parameter \"%s\"\n", name);
        return false;
    }
    if (!ok) fprintf(stderr, "dreambase: invalid value for parameter \"%s\": \"%s\"\n", name,
                     value);
    return ok;
}

static int server_parse(int argc, char **argv, server_options *opt) {
    static const struct option longs[] = {
        {"data-dir", required_argument, NULL, 'D'}, {"port", required_argument, NULL, 'p'},
        {"host", required_argument, NULL, 'h'},     {"shards", required_argument, NULL, 'S'},
        {"spin-us", required_argument, NULL, 'W'},  {"log-level", required_argument, NULL, 'L'},
        {"tls-cert", required_argument, NULL, 'C'}, {"tls-key", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, '?'},           {NULL, 0, NULL, 0}};
    unsigned long v;
    int c;
    while ((c = getopt_long(argc, argv, "D:p:h:c:", longs, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case 'D': ok = server_copy(opt->data_dir, sizeof opt->data_dir, optarg); break;
        case 'h': ok = server_copy(opt->listen_host, sizeof opt->listen_host, optarg); break;
        case 'p': ok = server_set_port(opt, optarg); break;
        case 'c': if (!server_setting(opt, optarg)) return 2; break;
        case 'C': ok = server_copy(opt->tls_cert, sizeof opt->tls_cert, optarg); break;
        case 'K': ok = server_copy(opt->tls_key, sizeof opt->tls_key, optarg); break;
        case 'S':
            ok = server_parse_uint(optarg, RT_SHARDS_MAX, &v) && v > 0;
            if (ok) opt->shard_count = (uint32_t)v;
            break;
        case 'W':
            ok = server_parse_uint(optarg, 1000000, &v);
            if (ok) opt->spin_us = (uint32_t)v;
            break;
        case 'L': {
            rt_log_level level;
            ok = rt_log_level_parse(optarg, &level);
            if (ok) rt_log_set_level(level);
            break;
        }
        default: server_usage(c == '?' && optopt == 0 ? stdout : stderr); return c == '?' ? 1 : 2;
        }
        if (!ok) {
            fprintf(stderr, "dreambase: invalid value \"%s\" for option -%c\n", optarg, c);
            return 2;
        }
    }
    if ((opt->tls_cert[0] != '\0') != (opt->tls_key[0] != '\0')) {
        fprintf(stderr, "dreambase: --tls-cert and --tls-key go together\n");
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

static void server_on_start(rt_loop *loop, void *arg) {
    server_options *opt = arg;
    (void)loop;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_shard_start(&err) || !net_pg_shard_start(&err)) {
        server_log_error(&err);
        opt->failed = true;
        rt_runtime_stop();
        return;
    }
    if (rt_core_id() == 0) {
        char fields[sizeof opt->data_dir + 512];
        snprintf(fields, sizeof fields, "shards=%u host=%s port=%u data_dir=\"%s\" tls=%s",
                 rt_shard_count(), opt->listen_host, opt->port, opt->data_dir,
                 opt->tls_cert[0] != '\0' ? "on" : "off");
        rt_log(RT_LOG_INFO, fields, "dreambase ready");
    }
}

static void server_on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    net_pg_shard_stop();
    eng_shard_stop();
}

/* Everything before the shards run; false with *err when the server cannot start. */
static bool server_prepare(server_options *opt, net_tls_ctx **tls, rt_err *err) {
    if (!rt_dir_make(opt->data_dir, err)) return false;
    sql_session_global_init();
    /* Vector graphs are saved with checkpoints: a restart never rebuilds them. */
    eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
    uint32_t shards = opt->shard_count != 0 ? opt->shard_count : rt_online_cores();
    if (shards > RT_SHARDS_MAX) shards = RT_SHARDS_MAX;
    eng_config ec = {.data_dir = opt->data_dir, .superuser = SERVER_SUPERUSER,
                     .shard_count = shards};
    opt->shard_count = shards;
    if (!eng_start(&ec, err)) return false;
    if (!server_mock_key(opt, err)) return false;
    if (opt->tls_cert[0] != '\0') {
        net_tls_config tc = {.cert_file = opt->tls_cert, .key_file = opt->tls_key};
        *tls = net_tls_ctx_create(&tc, err);
        if (*tls == NULL) return false;
    }
    net_pg_config nc = {.host = opt->listen_host, .port = opt->port, .unix_dir = opt->unix_dir,
                        .max_connections = opt->max_connections, .tls = *tls,
                        .mock_key = opt->mock_key};
    return net_pg_start(&nc, err);
}

int main(int argc, char **argv) {
    static server_options opt; /* large: keep it off the stack */
    opt.port = 5432;
    opt.spin_us = RT_SPIN_US_DEFAULT;
    opt.max_connections = NET_PG_MAX_CONNECTIONS_DEFAULT;
    snprintf(opt.listen_host, sizeof opt.listen_host, "127.0.0.1");
    snprintf(opt.unix_dir, sizeof opt.unix_dir, "/tmp");
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
        return 1;
    }
    rt_config config = {.shard_count = opt.shard_count, .spin_us = opt.spin_us,
                        .pin_threads = true, .handle_signals = true,
                        .on_start = server_on_start, .on_stop = server_on_stop, .arg = &opt};
    bool ran = rt_runtime_run(&config, &err);
    net_pg_stop();
    eng_stop();
    if (tls != NULL) net_tls_ctx_destroy(tls);
    if (!ran) {
        rt_log(RT_LOG_FATAL, NULL, "%s", err.message);
        return 1;
    }
    rt_log(RT_LOG_INFO, NULL, "dreambase stopped");
    return opt.failed ? 1 : 0;
}
