/* rt_log.c: logfmt lines to stderr, plus the assertion failure path (it logs too). */
#include "runtime/rt_log.h"

#include <execinfo.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/rt_assert.h"
#include "runtime/rt_limits.h"
#include "runtime/rt_loop.h"

static _Atomic int rt_log_threshold = RT_LOG_INFO;

static const char *const RT_LOG_LEVEL_NAMES[] = {"debug", "info", "warning", "error", "fatal"};

void rt_log_set_level(rt_log_level level) { atomic_store(&rt_log_threshold, (int)level); }

bool rt_log_enabled(rt_log_level level) { return (int)level >= atomic_load(&rt_log_threshold); }

bool rt_log_level_parse(const char *name, rt_log_level *out) {
    for (int i = 0; i <= RT_LOG_FATAL; i++) {
        if (strcmp(name, RT_LOG_LEVEL_NAMES[i]) == 0) {
            *out = (rt_log_level)i;
            return true;
        }
    }
    return false;
}

/* Appends `src` quoted with backslash escapes; stops before overflowing `cap`. */
static size_t rt_log_append_quoted(char *buf, size_t len, size_t cap, const char *src) {
    if (len < cap) buf[len++] = '"';
    for (const char *p = src; *p != '\0' && len + 4 < cap; p++) {
        char c = *p;
        if (c == '"' || c == '\\') {
            buf[len++] = '\\';
            buf[len++] = c;
        } else if (c == '\n') {
            buf[len++] = '\\';
            buf[len++] = 'n';
        } else {
            buf[len++] = c;
        }
    }
    if (len < cap) buf[len++] = '"';
    return len;
}

static size_t rt_log_prefix(char *buf, size_t cap, rt_log_level level) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int core = rt_core_id_or_none();
    char shard[16];
    if (core >= 0) {
        snprintf(shard, sizeof shard, "%d", core);
    } else {
        snprintf(shard, sizeof shard, "-");
    }
    int n = snprintf(buf, cap, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ level=%s shard=%s msg=",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000, RT_LOG_LEVEL_NAMES[level], shard);
    return n < 0 ? 0 : (size_t)n;
}

void rt_log(rt_log_level level, const char *fields, const char *fmt, ...) {
    if (!rt_log_enabled(level)) return;
    char msg[RT_LOG_LINE_BYTES_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    char line[RT_LOG_LINE_BYTES_MAX];
    size_t cap = sizeof line - 1; /* room for the newline */
    size_t len = rt_log_prefix(line, cap, level);
    len = rt_log_append_quoted(line, len, cap, msg);
    if (fields != NULL && len + 1 < cap) {
        int n = snprintf(line + len, cap - len, " %s", fields);
        if (n > 0) len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
    }
    line[len++] = '\n';
    /* One write per line: stderr lines from several shards never interleave. */
    ssize_t ignored = write(STDERR_FILENO, line, len);
    (void)ignored;
}

_Noreturn void rt_assert_fail(const char *expr, const char *file, int line) {
    rt_log(RT_LOG_FATAL, NULL, "assertion failed: %s at %s:%d", expr, file, line);
    void *frames[64];
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
    abort();
}
