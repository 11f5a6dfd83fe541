/* rt_err.h: the one error type of Dreambase.
 * Owns:    nothing; an rt_err is a fixed-size value the caller provides.
 * Core:    any.
 * Memory:  never allocates; message, detail and hint are bounded buffers (rt_limits.h).
 * Errors:  fallible functions return bool and take `rt_err *err` last; the first error set
 *          wins (rt_err_set asserts the error was empty), so callers just propagate `false`.
 * Output:  net_pg_send_error() is the only place that turns an rt_err into an ErrorResponse. */
#ifndef RT_ERR_H
#define RT_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/rt_errcodes.h"
#include "runtime/rt_limits.h"

enum {
    RT_SEV_ERROR = 0, /* the statement fails, the session goes on */
    RT_SEV_FATAL = 1, /* the connection is closed after reporting */
    RT_SEV_PANIC = 2, /* the server stops: durability can no longer be promised */
};

typedef struct rt_err {
    char sqlstate[6];                        /* "23505"; "" or "00000" = no error */
    uint8_t severity;                        /* RT_SEV_* */
    uint32_t position;                       /* 1-based offset into the SQL text, 0 = none */
    char message[RT_ERR_MESSAGE_BYTES_MAX];  /* short, lower case, no period */
    char detail[RT_ERR_DETAIL_BYTES_MAX];    /* full sentences, optional */
    char hint[RT_ERR_HINT_BYTES_MAX];        /* what the user can do, optional */
    char table_name[RT_ERR_NAME_BYTES_MAX];  /* the relation concerned, optional */
    char constraint_name[RT_ERR_NAME_BYTES_MAX]; /* the constraint violated, optional */
} rt_err;

/* Sets the error and returns false, so `return rt_err_set(err, ...)` reads naturally. */
bool rt_err_set(rt_err *err, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool rt_err_setv(rt_err *err, const char *sqlstate, const char *fmt, va_list ap);

/* errno-based I/O failure: 58030 io_error (53100 disk_full for ENOSPC), message + strerror. */
bool rt_err_from_errno(rt_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void rt_err_detail(rt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rt_err_hint(rt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool rt_err_is_set(const rt_err *err) {
    return err->sqlstate[0] != '\0' && !(err->sqlstate[0] == '0' && err->sqlstate[1] == '0');
}
static inline void rt_err_clear(rt_err *err) {
    err->sqlstate[0] = '\0';
    err->severity = RT_SEV_ERROR;
    err->position = 0;
    err->message[0] = err->detail[0] = err->hint[0] = '\0';
    err->table_name[0] = err->constraint_name[0] = '\0';
}
static inline bool rt_err_is(const rt_err *err, const char *sqlstate) {
    for (int i = 0; i < 5; i++) {
        if (err->sqlstate[i] != sqlstate[i]) return false;
    }
    return true;
}

/* The relation and constraint an error concerns (clients read them: node-postgres's
 * err.constraint, psycopg's diag). */
static inline void rt_err_names(rt_err *err, const char *table, const char *constraint) {
    snprintf(err->table_name, sizeof err->table_name, "%s", table != NULL ? table : "");
    snprintf(err->constraint_name, sizeof err->constraint_name, "%s",
             constraint != NULL ? constraint : "");
}

/* PostgreSQL's condition name of a SQLSTATE ("unique_violation"), or NULL. */
const char *rt_err_condition_name(const char *sqlstate);

#endif
