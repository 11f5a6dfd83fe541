/* rt_err.c: filling rt_err values. Never allocates: messages are formatted into the struct. */
#include "runtime/rt_err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool rt_err_setv(rt_err *err, const char *sqlstate, const char *fmt, va_list ap) {
    RT_ASSERT(err != NULL);
    RT_ASSERT(strlen(sqlstate) == 5);
    /* The first error wins: a second one is a bug in the caller's propagation. */
    RT_ASSERT(!rt_err_is_set(err));
    memcpy(err->sqlstate, sqlstate, 6);
    err->severity = RT_SEV_ERROR;
    err->position = 0;
    err->detail[0] = err->hint[0] = '\0';
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return false;
}

bool rt_err_set(rt_err *err, const char *sqlstate, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(err, sqlstate, fmt, ap);
    va_end(ap);
    return false;
}

bool rt_err_from_errno(rt_err *err, int errnum, const char *fmt, ...) {
    char what[RT_ERR_MESSAGE_BYTES_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *state = errnum == ENOSPC ? SQLSTATE_DISK_FULL : SQLSTATE_IO_ERROR;
    return rt_err_set(err, state, "%s: %s", what, strerror(errnum));
}

void rt_err_detail(rt_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

void rt_err_hint(rt_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

const char *rt_err_condition_name(const char *sqlstate) {
    size_t n = sizeof RT_ERRCODE_NAMES / sizeof RT_ERRCODE_NAMES[0];
    for (size_t i = 0; i < n; i++) {
        if (memcmp(RT_ERRCODE_NAMES[i].sqlstate, sqlstate, 5) == 0) return RT_ERRCODE_NAMES[i].name;
    }
    return NULL;
}
