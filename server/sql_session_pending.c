/* TEMPORARY: sql/sql_session.c is being written elsewhere. Until it lands, the server links
 * this stand-in, which refuses every session with a clear FATAL error; CMakeLists.txt stops
 * compiling it as soon as sql/sql_session.c exists (delete the file then). */
#include "sql/sql_session.h"

bool sql_session_open(const sql_startup *st, sql_session **out, rt_err *err) {
    (void)st, (void)out;
    rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this server does not run SQL sessions yet");
    err->severity = RT_SEV_FATAL;
    return false;
}

/* No session is ever opened, so nothing below can be called. */
void sql_session_close(sql_session *s) { (void)s; }
void sql_session_report_params(sql_session *s,
                               void (*fn)(void *arg, const char *name, const char *value),
                               void *arg) {
    (void)s, (void)fn, (void)arg;
}
sql_txn_status sql_session_txn_status(const sql_session *s) { (void)s; return SQL_TXN_IDLE; }
void sql_session_io(sql_session *s, rt_arena *arena, rt_err *err, sql_io_ctx *io) {
    (void)s, (void)arena, (void)err, (void)io;
}
static bool sql_session_pending(rt_err *err) {
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "no SQL session");
}
bool sql_session_simple_query(sql_session *s, const char *sql, uint32_t len,
                              const sql_sink *sink, rt_err *err) {
    (void)s, (void)sql, (void)len, (void)sink;
    return sql_session_pending(err);
}
bool sql_session_parse(sql_session *s, const char *name, const char *sql, uint32_t len,
                       uint32_t nparams, const uint32_t *param_types, rt_err *err) {
    (void)s, (void)name, (void)sql, (void)len, (void)nparams, (void)param_types;
    return sql_session_pending(err);
}
bool sql_session_bind(sql_session *s, const sql_bind_args *a, rt_err *err) {
    (void)s, (void)a;
    return sql_session_pending(err);
}
bool sql_session_describe_statement(sql_session *s, const char *name, uint32_t *nparams,
                                    const uint32_t **param_types, bool *returns_rows,
                                    const sql_col **cols, uint32_t *ncols, rt_err *err) {
    (void)s, (void)name, (void)nparams, (void)param_types, (void)returns_rows, (void)cols;
    (void)ncols;
    return sql_session_pending(err);
}
bool sql_session_describe_portal(sql_session *s, const char *name, bool *returns_rows,
                                 const sql_col **cols, uint32_t *ncols,
                                 const int16_t **formats, rt_err *err) {
    (void)s, (void)name, (void)returns_rows, (void)cols, (void)ncols, (void)formats;
    return sql_session_pending(err);
}
bool sql_session_execute(sql_session *s, const char *portal, uint64_t max_rows,
                         const sql_sink *sink, bool *suspended, rt_err *err) {
    (void)s, (void)portal, (void)max_rows, (void)sink, (void)suspended;
    return sql_session_pending(err);
}
void sql_session_close_statement(sql_session *s, const char *name) { (void)s, (void)name; }
void sql_session_close_portal(sql_session *s, const char *name) { (void)s, (void)name; }
bool sql_session_sync(sql_session *s, rt_err *err) { (void)s, (void)err; return true; }
void sql_session_fail(sql_session *s) { (void)s; }
bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                             const char **value, rt_err *err) {
    (void)s, (void)name, (void)missing_ok, (void)err;
    *value = NULL;
    return true;
}
