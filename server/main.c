/* main.c: the dreambase server program.
 * Parses the command line, prepares the data directory and runs the shards until SIGINT or
 * SIGTERM. Flags follow PostgreSQL's: -D DATADIR, -p PORT, -h LISTEN_ADDRESSES, plus
 * --shards N and --spin-us N. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"

typedef struct server_options {
    char data_dir[4096];
    char listen_host[256];
    uint16_t port;
    uint32_t shard_count;
    uint32_t spin_us;
} server_options;

static void server_usage(FILE *out) {
    fprintf(out,
            "Usage: dreambase [options]\n"
            "  -D DATADIR        data directory (default: $HOME/.dreambase/data)\n"
            "  -p PORT           port to listen on (default: 5432)\n"
            "  -h ADDRESSES      listen address (default: 127.0.0.1)\n"
            "  --shards N        shard threads (default: online cores)\n"
            "  --spin-us N       busy-poll before a shard sleeps (default: %d)\n"
            "  --log-level L     debug, info, warning or error (default: info)\n"
            "  --help            this text\n",
            RT_SPIN_US_DEFAULT);
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

static int server_parse(int argc, char **argv, server_options *opt) {
    static const struct option longs[] = {
        {"shards", required_argument, NULL, 'S'}, {"spin-us", required_argument, NULL, 'W'},
        {"log-level", required_argument, NULL, 'L'}, {"help", no_argument, NULL, '?'},
        {NULL, 0, NULL, 0}};
    unsigned long v;
    int c;
    while ((c = getopt_long(argc, argv, "D:p:h:", longs, NULL)) != -1) {
        switch (c) {
        case 'D': snprintf(opt->data_dir, sizeof opt->data_dir, "%s", optarg); break;
        case 'h': snprintf(opt->listen_host, sizeof opt->listen_host, "%s", optarg); break;
        case 'p':
            if (!server_parse_uint(optarg, 65535, &v) || v == 0) goto bad;
            opt->port = (uint16_t)v;
            break;
        case 'S':
            if (!server_parse_uint(optarg, RT_SHARDS_MAX, &v) || v == 0) goto bad;
            opt->shard_count = (uint32_t)v;
            break;
        case 'W':
            if (!server_parse_uint(optarg, 1000000, &v)) goto bad;
            opt->spin_us = (uint32_t)v;
            break;
        case 'L': {
            rt_log_level level;
            if (!rt_log_level_parse(optarg, &level)) goto bad;
            rt_log_set_level(level);
            break;
        }
        default: server_usage(c == '?' && optopt == 0 ? stdout : stderr); return c == '?' ? 1 : 2;
        }
    }
    return 0;
bad:
    fprintf(stderr, "dreambase: invalid value \"%s\" for option -%c\n", optarg, c);
    return 2;
}

static void server_on_start(rt_loop *loop, void *arg) {
    server_options *opt = arg;
    (void)loop;
    if (rt_core_id() == 0) {
        char fields[sizeof opt->data_dir + 64];
        snprintf(fields, sizeof fields, "shards=%u data_dir=\"%s\"", rt_shard_count(),
                 opt->data_dir);
        rt_log(RT_LOG_INFO, fields, "dreambase ready");
    }
}

int main(int argc, char **argv) {
    server_options opt;
    memset(&opt, 0, sizeof opt);
    opt.port = 5432;
    opt.spin_us = RT_SPIN_US_DEFAULT;
    snprintf(opt.listen_host, sizeof opt.listen_host, "127.0.0.1");
    if (!server_default_data_dir(opt.data_dir, sizeof opt.data_dir)) {
        fprintf(stderr, "dreambase: data directory path too long\n");
        return 2;
    }
    int rc = server_parse(argc, argv, &opt);
    if (rc != 0) return rc == 1 ? 0 : rc;

    rt_err err;
    rt_err_clear(&err);
    if (!rt_dir_make(opt.data_dir, &err)) {
        rt_log(RT_LOG_FATAL, NULL, "%s", err.message);
        return 1;
    }
    rt_config config = {.shard_count = opt.shard_count, .spin_us = opt.spin_us,
                        .pin_threads = true, .handle_signals = true,
                        .on_start = server_on_start, .arg = &opt};
    if (!rt_runtime_run(&config, &err)) {
        rt_log(RT_LOG_FATAL, NULL, "%s", err.message);
        return 1;
    }
    rt_log(RT_LOG_INFO, NULL, "dreambase stopped");
    return 0;
}
