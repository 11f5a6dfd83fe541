/* net_pg_query.c: the message loop of an authenticated connection: simple Query, the extended
 * protocol (Parse, Bind, Describe, Execute, Close, Sync, Flush) with skip-to-Sync after an
 * error, COPY in both directions, FunctionCall (refused) and Terminate; and the sql_sink that
 * turns the session's results into RowDescription, DataRow (text or binary per column),
 * CommandComplete, EmptyQueryResponse, NoticeResponse and the COPY messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_pg_int.h"
#include "runtime/rt_time.h"

/* ---- ParameterStatus and ReadyForQuery ---- */

static void net_pg_param_status(void *arg, const char *name, const char *value) {
    net_pg_conn *c = arg;
    if (strcmp(name, "application_name") == 0) net_pg_backend_set_app(c, value);
    net_pg_put_begin(c, 'S');
    net_pg_put_str(c, name);
    net_pg_put_str(c, value);
    rt_err ignored;
    rt_err_clear(&ignored);
    (void)net_pg_put_end(c, &ignored); /* a broken socket shows at the next flush */
}

void net_pg_params_report(net_pg_conn *c) {
    sql_session_report_params(c->session, net_pg_param_status, c);
}

/* NotificationResponse for every notification waiting (only between transactions). */
static void net_pg_notifications(net_pg_conn *c) {
    uint32_t pid;
    char channel[64];
    char *payload;
    while (sql_session_notification(c->session, &pid, channel, &payload)) {
        net_pg_put_begin(c, 'A');
        net_pg_put_i32(c, (int32_t)pid);
        net_pg_put_str(c, channel);
        net_pg_put_str(c, payload);
        rt_free(payload);
        rt_err ignored;
        rt_err_clear(&ignored);
        (void)net_pg_put_end(c, &ignored); /* a broken socket shows at the next flush */
    }
}

bool net_pg_ready(net_pg_conn *c, rt_err *err) {
    net_pg_notifications(c);
    net_pg_params_report(c);
    sql_txn_status status = sql_session_txn_status(c->session);
    /* The state's change is stamped when it happens: nothing of a Sync has read its clock yet
     * (its statements came in earlier messages), a Query's was read when it began and its
     * statements may have run long since. */
    if (c->msg_type != 'S') sql_session_msg_begin(c->session);
    net_pg_backend_ready(c, status);
    net_pg_put_begin(c, 'Z');
    net_pg_put_u8(c, (uint8_t)status);
    return net_pg_put_end(c, err) && net_pg_flush(c, err);
}

/* ---- the sink ---- */

static bool net_pg_row_description(net_pg_conn *c, const sql_col *cols, uint32_t ncols,
                                   const int16_t *formats, rt_err *err) {
    net_pg_put_begin(c, 'T');
    net_pg_put_i16(c, (int16_t)ncols);
    for (uint32_t i = 0; i < ncols; i++) {
        const sql_type_def *t = sql_type_by_oid(cols[i].type_oid);
        net_pg_put_str(c, cols[i].name != NULL ? cols[i].name : "?column?");
        net_pg_put_i32(c, (int32_t)cols[i].table_oid);
        net_pg_put_i16(c, cols[i].attnum);
        net_pg_put_i32(c, (int32_t)cols[i].type_oid);
        net_pg_put_i16(c, t != NULL ? t->typlen : -1);
        net_pg_put_i32(c, cols[i].typmod);
        net_pg_put_i16(c, formats != NULL ? formats[i] : 0);
    }
    return net_pg_put_end(c, err);
}

static bool net_pg_sink_describe(void *arg, const sql_col *cols, uint32_t ncols,
                                 const int16_t *formats, rt_err *err) {
    return net_pg_row_description(arg, cols, ncols, formats, err);
}

/* One DataRow; values are encoded in the row arena, reset per row. */
static bool net_pg_data_row(net_pg_conn *c, sql_io_ctx *io, const sql_batch *b, uint32_t row,
                            const int16_t *formats, rt_err *err) {
    rt_arena_reset(c->row_arena);
    sql_strbuf sb;
    sql_strbuf_init(&sb, c->row_arena, 64);
    net_pg_put_begin(c, 'D');
    net_pg_put_i16(c, (int16_t)b->ncols);
    for (uint32_t col = 0; col < b->ncols; col++) {
        sql_value v;
        sql_vec_get(&b->cols[col], row, &v);
        if (v.is_null) {
            net_pg_put_i32(c, -1);
            continue;
        }
        sql_strbuf_reset(&sb);
        bool ok = formats != NULL && formats[col] == 1
                      ? sql_value_send(io, &v, &sb)
                      : sql_value_out(io, &v, b->cols[col].typmod, &sb);
        if (!ok || sb.failed) {
            net_pg_put_abort(c);
            if (!rt_err_is_set(err)) rt_arena_fail(c->row_arena, err);
            if (!rt_err_is_set(err)) {
                rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "could not encode a value of type %u",
                           v.type_oid);
            }
            return false;
        }
        net_pg_put_i32(c, (int32_t)sb.len);
        net_pg_put_bytes(c, sb.data, sb.len);
    }
    return net_pg_put_end(c, err);
}

static bool net_pg_sink_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                             const int16_t *formats, rt_err *err) {
    net_pg_conn *c = arg;
    sql_io_ctx io;
    sql_session_io(c->session, c->row_arena, err, &io);
    for (uint32_t row = from; row < to; row++) {
        if (!net_pg_data_row(c, &io, b, row, formats, err)) return false;
    }
    return true;
}

static bool net_pg_sink_complete(void *arg, const char *tag, rt_err *err) {
    net_pg_conn *c = arg;
    net_pg_put_begin(c, 'C');
    net_pg_put_str(c, tag);
    return net_pg_put_end(c, err);
}

static bool net_pg_sink_empty(void *arg, rt_err *err) {
    net_pg_conn *c = arg;
    net_pg_put_begin(c, 'I');
    return net_pg_put_end(c, err);
}

static void net_pg_sink_notice(void *arg, const char *severity, const rt_err *n) {
    net_pg_send_notice(arg, severity, n);
}

static bool net_pg_copy_response(net_pg_conn *c, uint8_t type, const sql_copy_desc *d,
                                 rt_err *err) {
    net_pg_put_begin(c, type);
    net_pg_put_u8(c, d->binary ? 1 : 0);
    net_pg_put_i16(c, (int16_t)d->ncols);
    for (uint32_t i = 0; i < d->ncols; i++) net_pg_put_i16(c, d->binary ? 1 : 0);
    return net_pg_put_end(c, err) && net_pg_flush(c, err);
}

static bool net_pg_sink_copy_in(void *arg, const sql_copy_desc *d, rt_err *err) {
    return net_pg_copy_response(arg, 'G', d, err);
}

/* The next CopyData; Flush and Sync are ignored during COPY FROM STDIN, as PostgreSQL does. */
static bool net_pg_sink_copy_read(void *arg, const uint8_t **data, uint32_t *len, bool *done,
                                  rt_err *err) {
    net_pg_conn *c = arg;
    *done = false;
    for (;;) {
        net_pg_msg m;
        if (!net_pg_msg_read(c, &m, err)) return false;
        if (c->eof) {
            rt_err_set(err, SQLSTATE_CONNECTION_FAILURE,
                       "unexpected EOF on client connection with an open transaction");
            err->severity = RT_SEV_FATAL;
            return false;
        }
        switch (m.type) {
        case 'd': *data = m.body, *len = m.len; return true;
        case 'c': *done = true, *data = NULL, *len = 0; return true;
        case 'f': {
            const char *why = "";
            if (m.len > 0 && m.body[m.len - 1] == 0) why = (const char *)m.body;
            return rt_err_set(err, SQLSTATE_QUERY_CANCELED, "COPY from stdin failed: %s", why);
        }
        case 'H': case 'S': continue;
        default:
            return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                              "unexpected message type 0x%02X during COPY from stdin", m.type);
        }
    }
}

static bool net_pg_sink_copy_out(void *arg, const sql_copy_desc *d, rt_err *err) {
    return net_pg_copy_response(arg, 'H', d, err);
}

static bool net_pg_sink_copy_write(void *arg, const void *data, uint32_t len, rt_err *err) {
    net_pg_conn *c = arg;
    net_pg_put_begin(c, 'd');
    net_pg_put_bytes(c, data, len);
    return net_pg_put_end(c, err);
}

static bool net_pg_sink_copy_done(void *arg, rt_err *err) {
    net_pg_conn *c = arg;
    net_pg_put_begin(c, 'c');
    return net_pg_put_end(c, err);
}

static sql_sink net_pg_sink(net_pg_conn *c) {
    sql_sink s = {.arg = c, .describe = net_pg_sink_describe, .rows = net_pg_sink_rows,
                  .complete = net_pg_sink_complete, .empty = net_pg_sink_empty,
                  .notice = net_pg_sink_notice, .copy_in = net_pg_sink_copy_in,
                  .copy_read = net_pg_sink_copy_read, .copy_out = net_pg_sink_copy_out,
                  .copy_write = net_pg_sink_copy_write, .copy_done = net_pg_sink_copy_done};
    return s;
}

/* ---- messages ---- */

/* A copy of a string of the message: the input buffer may move while the session runs (a
 * COPY reads further messages). */
static bool net_pg_get_copy(net_pg_conn *c, net_pg_msg *m, const char **out, uint32_t *len,
                            rt_err *err) {
    const char *s;
    uint32_t n = 0;
    if (!net_pg_get_str(m, &s, &n, err)) return false;
    char *copy = rt_arena_strndup(c->msg_arena, s, n);
    if (copy == NULL) return rt_arena_fail(c->msg_arena, err);
    *out = copy;
    if (len != NULL) *len = n;
    return true;
}

static bool net_pg_get_name(net_pg_conn *c, net_pg_msg *m, const char **out, rt_err *err) {
    uint32_t n = 0;
    if (!net_pg_get_copy(c, m, out, &n, err)) return false;
    if (n >= NET_PG_NAME_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_NAME_TOO_LONG, "statement or portal name is too long "
                          "(%u bytes, at most %u)", n, NET_PG_NAME_BYTES_MAX - 1);
    }
    return true;
}

static bool net_pg_query(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    const char *sql;
    uint32_t len;
    if (!net_pg_get_copy(c, m, &sql, &len, err) || !net_pg_get_end(m, err)) return false;
    net_pg_backend_active(c, sql, len);
    sql_sink sink = net_pg_sink(c);
    return sql_session_simple_query(c->session, sql, len, &sink, err);
}

static bool net_pg_parse(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    const char *name, *sql;
    uint32_t len;
    uint32_t n;
    if (!net_pg_get_name(c, m, &name, err) || !net_pg_get_copy(c, m, &sql, &len, err) ||
        !net_pg_get_count(m, &n, err)) {
        return false;
    }
    uint32_t *types = rt_arena_alloc(c->msg_arena, sizeof *types * ((size_t)n + 1));
    if (types == NULL) return rt_arena_fail(c->msg_arena, err);
    for (uint32_t i = 0; i < n; i++) {
        int32_t oid;
        if (!net_pg_get_i32(m, &oid, err)) return false;
        types[i] = (uint32_t)oid;
    }
    if (!net_pg_get_end(m, err)) return false;
    net_pg_backend_active(c, sql, len);
    if (!sql_session_parse(c->session, name, sql, len, n, types, err)) return false;
    net_pg_put_begin(c, '1');
    return net_pg_put_end(c, err);
}

/* Format codes: 0 text, 1 binary. */
static bool net_pg_get_formats(net_pg_conn *c, net_pg_msg *m, uint32_t *count, int16_t **codes,
                               rt_err *err) {
    if (!net_pg_get_count(m, count, err)) return false;
    *codes = rt_arena_alloc(c->msg_arena, sizeof **codes * ((size_t)*count + 1));
    if (*codes == NULL) return rt_arena_fail(c->msg_arena, err);
    for (uint32_t i = 0; i < *count; i++) {
        if (!net_pg_get_i16(m, &(*codes)[i], err)) return false;
    }
    return true;
}

static bool net_pg_check_formats(const int16_t *codes, uint32_t n, rt_err *err) {
    for (uint32_t i = 0; i < n; i++) {
        if (codes[i] != 0 && codes[i] != 1) {
            return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "unsupported format code: %d",
                              codes[i]);
        }
    }
    return true;
}

/* The parameter values of a Bind: pointers into the message, NULL for SQL NULL. */
static bool net_pg_bind_values(net_pg_conn *c, net_pg_msg *m, sql_bind_args *a, rt_err *err) {
    uint32_t n;
    if (!net_pg_get_count(m, &n, err)) return false;
    const uint8_t **values = rt_arena_zalloc(c->msg_arena, sizeof *values * ((size_t)n + 1));
    uint32_t *lengths = rt_arena_zalloc(c->msg_arena, sizeof *lengths * ((size_t)n + 1));
    if (values == NULL || lengths == NULL) return rt_arena_fail(c->msg_arena, err);
    for (uint32_t i = 0; i < n; i++) {
        int32_t len;
        if (!net_pg_get_i32(m, &len, err)) return false;
        if (len == -1) continue;
        if (len < 0) return net_pg_protocol_error(err, "invalid message format");
        if (!net_pg_get_bytes(m, (uint32_t)len, &values[i], err)) return false;
        lengths[i] = (uint32_t)len;
    }
    a->nparams = n;
    a->values = values;
    a->lengths = lengths;
    return true;
}

static bool net_pg_bind(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    sql_bind_args a;
    memset(&a, 0, sizeof a);
    uint32_t nformats, nresults;
    int16_t *formats, *results;
    if (!net_pg_get_name(c, m, &a.portal, err) || !net_pg_get_name(c, m, &a.statement, err) ||
        !net_pg_get_formats(c, m, &nformats, &formats, err) ||
        !net_pg_bind_values(c, m, &a, err) || !net_pg_get_formats(c, m, &nresults, &results, err) ||
        !net_pg_get_end(m, err)) {
        return false;
    }
    if (nformats > 1 && nformats != a.nparams) {
        return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "bind message has %u parameter "
                          "formats but %u parameters", nformats, a.nparams);
    }
    if (!net_pg_check_formats(formats, nformats, err) ||
        !net_pg_check_formats(results, nresults, err)) {
        return false;
    }
    /* One code applies to every parameter (even with none: asyncpg sends [1] for zero). */
    int16_t *per_param = rt_arena_zalloc(c->msg_arena, sizeof *per_param * (a.nparams + 1));
    if (per_param == NULL) return rt_arena_fail(c->msg_arena, err);
    for (uint32_t i = 0; i < a.nparams; i++) {
        per_param[i] = nformats == 0 ? 0 : nformats == 1 ? formats[0] : formats[i];
    }
    a.param_formats = per_param;
    a.nresult_formats = nresults;
    a.result_formats = results;
    const char *text = NULL;
    uint32_t text_len = 0;
    sql_session_statement_text(c->session, a.statement, &text, &text_len);
    net_pg_backend_active(c, text, text_len);
    if (!sql_session_bind(c->session, &a, err)) return false;
    net_pg_put_begin(c, '2');
    return net_pg_put_end(c, err);
}

static bool net_pg_columns(net_pg_conn *c, bool returns_rows, const sql_col *cols,
                           uint32_t ncols, const int16_t *formats, rt_err *err) {
    if (returns_rows) return net_pg_row_description(c, cols, ncols, formats, err);
    net_pg_put_begin(c, 'n');
    return net_pg_put_end(c, err);
}

static bool net_pg_describe(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    uint8_t kind;
    const char *name;
    if (!net_pg_get_u8(m, &kind, err) || !net_pg_get_name(c, m, &name, err) ||
        !net_pg_get_end(m, err)) {
        return false;
    }
    bool returns_rows = false;
    const sql_col *cols = NULL;
    uint32_t ncols = 0;
    if (kind == 'S') {
        uint32_t nparams = 0;
        const uint32_t *types = NULL;
        if (!sql_session_describe_statement(c->session, name, &nparams, &types, &returns_rows,
                                            &cols, &ncols, err)) {
            return false;
        }
        net_pg_put_begin(c, 't');
        net_pg_put_i16(c, (int16_t)nparams);
        for (uint32_t i = 0; i < nparams; i++) net_pg_put_i32(c, (int32_t)types[i]);
        if (!net_pg_put_end(c, err)) return false;
        return net_pg_columns(c, returns_rows, cols, ncols, NULL, err);
    }
    if (kind == 'P') {
        const int16_t *formats = NULL;
        if (!sql_session_describe_portal(c->session, name, &returns_rows, &cols, &ncols,
                                         &formats, err)) {
            return false;
        }
        return net_pg_columns(c, returns_rows, cols, ncols, formats, err);
    }
    return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid DESCRIBE message subtype %d",
                      kind);
}

static bool net_pg_execute(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    const char *portal;
    int32_t max_rows;
    if (!net_pg_get_name(c, m, &portal, err) || !net_pg_get_i32(m, &max_rows, err) ||
        !net_pg_get_end(m, err)) {
        return false;
    }
    net_pg_backend_active(c, NULL, 0);
    sql_sink sink = net_pg_sink(c);
    bool suspended = false;
    if (!sql_session_execute(c->session, portal, max_rows > 0 ? (uint64_t)max_rows : 0, &sink,
                             &suspended, err)) {
        return false;
    }
    if (!suspended) return true;
    net_pg_put_begin(c, 's');
    return net_pg_put_end(c, err);
}

static bool net_pg_close(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    uint8_t kind;
    const char *name;
    if (!net_pg_get_u8(m, &kind, err) || !net_pg_get_name(c, m, &name, err) ||
        !net_pg_get_end(m, err)) {
        return false;
    }
    if (kind == 'S') sql_session_close_statement(c->session, name);
    else if (kind == 'P') sql_session_close_portal(c->session, name);
    else return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid CLOSE message subtype %d",
                           kind);
    net_pg_put_begin(c, '3');
    return net_pg_put_end(c, err);
}

/* ---- the loop ---- */

/* Whether a message type belongs to the extended protocol (an error skips to Sync). */
static bool net_pg_is_extended(uint8_t type) {
    return type == 'P' || type == 'B' || type == 'D' || type == 'E' || type == 'C' ||
           type == 'H';
}

static bool net_pg_dispatch(net_pg_conn *c, net_pg_msg *m, rt_err *err) {
    switch (m->type) {
    case 'Q': return net_pg_query(c, m, err);
    case 'P': return net_pg_parse(c, m, err);
    case 'B': return net_pg_bind(c, m, err);
    case 'D': return net_pg_describe(c, m, err);
    case 'E': return net_pg_execute(c, m, err);
    case 'C': return net_pg_close(c, m, err);
    case 'H': return net_pg_get_end(m, err) && net_pg_flush(c, err);
    case 'S':
        c->skip_to_sync = false;
        return net_pg_get_end(m, err) && sql_session_sync(c->session, err);
    case 'F':
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "fastpath function calls are not supported");
    case 'X': c->closing = true; return true;
    case 'd': case 'c': case 'f': return true; /* the rest of a failed COPY: ignored */
    default: return net_pg_protocol_error(err, "invalid frontend message type %d", m->type);
    }
}

/* After a message: ReadyForQuery for Query/Sync/FunctionCall; an error is reported, and in
 * the extended protocol the messages up to the next Sync are skipped. */
static void net_pg_after(net_pg_conn *c, uint8_t type, bool ok, rt_err *err) {
    /* A statement pg_terminate_backend stopped (at a cancel check, or in a read of COPY)
     * reports why the connection ends, as PostgreSQL's FATAL 57P01 does. */
    if (!ok && net_pg_backend_terminating(c) && !c->io_failed) net_pg_admin_terminate(err);
    if (!ok) {
        if (c->io_failed ||
            (rt_err_is(err, SQLSTATE_CONNECTION_FAILURE) && err->severity != RT_SEV_FATAL)) {
            c->closing = true; /* the socket is gone: nobody to tell */
            return;
        }
        net_pg_send_error(c, err);
        if (err->severity >= RT_SEV_FATAL) {
            rt_err ignored;
            rt_err_clear(&ignored);
            (void)net_pg_flush(c, &ignored);
            c->closing = true;
            return;
        }
        if (net_pg_is_extended(type)) {
            sql_session_fail(c->session);
            c->skip_to_sync = true;
            return;
        }
    }
    if (type != 'Q' && type != 'S' && type != 'F') return;
    rt_err_clear(err);
    if (!net_pg_ready(c, err)) c->closing = true;
}

/* idle_session_timeout / idle_in_transaction_session_timeout in nanoseconds (0 = none). */
static uint64_t net_pg_setting_ns(net_pg_conn *c, const char *name) {
    const char *value = NULL;
    rt_err err;
    rt_err_clear(&err);
    if (!sql_session_get_setting(c->session, name, true, &value, &err) || value == NULL) return 0;
    char *end = NULL;
    double v = strtod(value, &end);
    if (end == value || v <= 0) return 0;
    double unit_ms = 1;
    if (strcmp(end, "s") == 0) unit_ms = 1000;
    else if (strcmp(end, "min") == 0) unit_ms = 60000;
    else if (strcmp(end, "h") == 0) unit_ms = 3600000;
    else if (strcmp(end, "d") == 0) unit_ms = 86400000;
    return (uint64_t)(v * unit_ms * (double)RT_NS_PER_MS);
}

/* The idle timeout that applies now (0 = none), parsed again only after a setting changed. */
static uint64_t net_pg_idle_ns(net_pg_conn *c, bool idle_in_txn) {
    uint64_t changes = sql_session_setting_changes(c->session);
    if (c->idle_read_at != changes + 1) {
        c->idle_ns[0] = net_pg_setting_ns(c, "idle_session_timeout");
        c->idle_ns[1] = net_pg_setting_ns(c, "idle_in_transaction_session_timeout");
        c->idle_read_at = changes + 1;
    }
    return c->idle_ns[idle_in_txn];
}

/* FATAL 57P01: the server shuts down or pg_terminate_backend ended this session. */
static void net_pg_send_admin_shutdown(net_pg_conn *c) {
    net_pg_send_fatal(c, SQLSTATE_ADMIN_SHUTDOWN,
                      "terminating connection due to administrator command");
}

/* Why the wait for the next message ended without one: shutdown, idle timeout or a socket
 * error. Reports what PostgreSQL reports. */
static void net_pg_read_failed(net_pg_conn *c, bool idle_in_txn, const rt_err *err) {
    if (net_pg_shard_stopping(c) || net_pg_backend_terminating(c)) {
        net_pg_send_admin_shutdown(c);
    } else if (c->recv_timeout_ns > 0 && strstr(err->message, "timeout") != NULL) {
        if (idle_in_txn) {
            net_pg_send_fatal(c, SQLSTATE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                              "terminating connection due to idle-in-transaction timeout");
        } else {
            net_pg_send_fatal(c, SQLSTATE_IDLE_SESSION_TIMEOUT,
                              "terminating connection due to idle-session timeout");
        }
    } else if (!rt_err_is(err, SQLSTATE_CONNECTION_FAILURE)) {
        net_pg_send_error(c, err);
        rt_err ignored;
        rt_err_clear(&ignored);
        (void)net_pg_flush(c, &ignored);
    }
    c->closing = true;
}

void net_pg_serve(net_pg_conn *c) {
    rt_err err;
    while (!c->closing) {
        if (net_pg_shard_stopping(c) || net_pg_backend_terminating(c)) {
            net_pg_send_admin_shutdown(c);
            break;
        }
        /* A statement that went deep leaves no stack pages behind an idle connection. */
        rt_fiber_stack_trim();
        bool idle_in_txn = sql_session_txn_status(c->session) != SQL_TXN_IDLE;
        c->recv_timeout_ns = 0;
        uint64_t idle_ns = 0;
        bool listening = false;
        if (net_pg_io_buffered(c) == 0) {
            idle_ns = net_pg_idle_ns(c, idle_in_txn);
            c->recv_timeout_ns = idle_ns;
            /* A listener wakes up regularly to pass on notifications while idle. */
            listening = !idle_in_txn && sql_session_listening(c->session);
            if (listening && (idle_ns == 0 || idle_ns > NET_PG_NOTIFY_POLL_NS)) {
                c->recv_timeout_ns = NET_PG_NOTIFY_POLL_NS;
            }
        }
        uint64_t waited_from = listening ? rt_time_mono_ns() : 0; /* only a listener's poll */
        rt_err_clear(&err);
        net_pg_msg m;
        if (!net_pg_msg_read(c, &m, &err)) {
            bool poll_tick = listening && c->recv_timeout_ns == NET_PG_NOTIFY_POLL_NS &&
                             rt_err_is(&err, SQLSTATE_CONNECTION_FAILURE) &&
                             strstr(err.message, "timeout") != NULL &&
                             (idle_ns == 0 || rt_time_mono_ns() - waited_from < idle_ns);
            if (poll_tick) {
                net_pg_notifications(c);
                rt_err_clear(&err);
                if (net_pg_flush(c, &err)) continue;
            }
            net_pg_read_failed(c, idle_in_txn, &err);
            break;
        }
        if (c->eof) break;
        c->recv_timeout_ns = 0;
        rt_arena_reset(c->msg_arena);
        /* A cancel that arrived while the connection was idle is for no statement. A
         * terminate sets its flag before the cancel flag: looking at it after clearing the
         * cancel flag, either it shows here or the statement sees the cancel. */
        atomic_store(&c->backend->cancel, false);
        if (net_pg_backend_terminating(c)) {
            net_pg_send_admin_shutdown(c);
            break;
        }
        if (c->skip_to_sync && m.type != 'S') continue;
        sql_session_msg_begin(c->session);
        c->msg_type = m.type;
        bool ok = net_pg_dispatch(c, &m, &err);
        net_pg_after(c, m.type, ok, &err);
    }
}
