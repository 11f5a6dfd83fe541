/* rt_log.h: structured logs to stderr, one line per event, logfmt style:
 *   ts=2026-11-24T07:09:00.123456Z level=info shard=0 msg="dreambase ready" port=5432
 * Core:    any thread; a line is written with one write(2), so lines never interleave.
 * Memory:  a stack buffer of RT_LOG_LINE_BYTES_MAX; never allocates.
 * The level threshold is process-wide (rt_log_set_level), default INFO. */
#ifndef RT_LOG_H
#define RT_LOG_H

#include <stdbool.h>

typedef enum rt_log_level {
    RT_LOG_DEBUG = 0,
    RT_LOG_INFO = 1,
    RT_LOG_WARNING = 2,
    RT_LOG_ERROR = 3,
    RT_LOG_FATAL = 4,
} rt_log_level;

/* `fmt` forms the message; it is quoted and escaped. Extra key=value fields can follow in
 * `fields` (already formatted, e.g. "port=5432"), or NULL. */
void rt_log(rt_log_level level, const char *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void rt_log_set_level(rt_log_level level);
bool rt_log_enabled(rt_log_level level);
/* Parses "debug", "info", "warning", "error"; false if unknown. */
bool rt_log_level_parse(const char *name, rt_log_level *out);

#define RT_LOG_INFO_F(...) rt_log(RT_LOG_INFO, NULL, __VA_ARGS__)

#endif
