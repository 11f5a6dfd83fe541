/* sql_session_sqlprep.c: the SQL forms of prepared statements and cursors: PREPARE, EXECUTE,
 * DEALLOCATE, DECLARE ... CURSOR, FETCH / MOVE and CLOSE. */
#include <stdio.h>
#include <string.h>

#include "runtime/rt_mem.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_record.h"
#include "sql/sql_session_int.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"

/* A copy of `len` bytes of `text` as a string in `arena` (NULL past its budget). */
static const char *sql_sqlprep_source(rt_arena *arena, const char *text, uint32_t len) {
    char *c = rt_arena_alloc(arena, (size_t)len + 1u);
    if (c == NULL) return NULL;
    if (len > 0) memcpy(c, text, len);
    c[len] = '\0';
    return c;
}

bool sql_session_prepare_stmt(sql_session *s, const sql_prepare *p, const char *sql,
                              uint32_t sql_len, rt_err *err) {
    uint32_t n = p->arg_types.count;
    uint32_t *types = rt_arena_zalloc(s->query_arena, sizeof(uint32_t) * (n + 1u));
    if (types == NULL) return rt_arena_fail(s->query_arena, err);
    if (n > 0) {
        sql_stmt_env env;
        sql_session_env_open(s, s->query_arena, err, NULL, 0, &env);
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++) {
            int32_t typmod;
            ok = sql_bind_typename(&env.bc, SQL_LIST_AT(p->arg_types, i), &types[i], &typmod);
        }
        sql_session_env_close(&env);
        if (!ok) return false;
    }
    if (p->name[0] == '\0') {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "invalid statement name \"\"");
    }
    if (!sql_session_prepare_text(s, p->name, p->query_text, (uint32_t)strlen(p->query_text),
                                  n, types, err)) {
        return false;
    }
    /* pg_prepared_statements shows the whole query string the PREPARE came in. */
    sql_prepared *made = sql_prepared_find(s, p->name);
    made->from_sql = true;
    if (sql != NULL) made->source = sql_sqlprep_source(made->arena, sql, sql_len);
    if (made->source == NULL) made->source = made->sql;
    return true;
}

/* A type's name as PostgreSQL's messages print it. */
static const char *sql_sqlprep_type_name(sql_session *s, uint32_t oid) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, s->query_arena, 32);
    sql_type_format(oid, -1, &sb);
    sql_strbuf_putc(&sb, '\0');
    return sb.failed ? "?" : sb.data;
}

/* EXECUTE's arguments: constants (optionally signed or cast), decoded as the parameter types. */
static bool sql_sqlprep_param(sql_session *s, const sql_node *n, uint32_t index, uint32_t type,
                              sql_value *out, rt_err *err) {
    const char *sign = "";
    const sql_node *plain = n; /* without a cast of its own */
    if (n->kind == SQL_N_CAST) n = ((const sql_cast *)n)->arg;
    if (n->kind == SQL_N_OP && ((const sql_opexpr *)n)->left == NULL &&
        strcmp(((const sql_opexpr *)n)->name, "-") == 0) {
        sign = "-";
        n = ((const sql_opexpr *)n)->right;
    }
    if (n->kind != SQL_N_CONST) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "EXECUTE parameters must be constants in Dreambase");
    }
    const sql_const *c = (const sql_const *)n;
    /* A number or boolean has its type already: it must convert to the parameter's by an
     * assignment cast (a string literal is untyped and goes through the type's input). */
    uint32_t own = c->const_kind == SQL_CONST_BOOL ? SQL_T_BOOL
                   : c->const_kind == SQL_CONST_NUMERIC ? SQL_T_NUMERIC
                   : c->const_kind != SQL_CONST_INTEGER ? 0
                   : c->int_value >= INT32_MIN && c->int_value <= INT32_MAX ? SQL_T_INT4
                                                                            : SQL_T_INT8;
    if (own != 0 && plain->kind != SQL_N_CAST && type != SQL_T_UNKNOWN && own != type &&
        !sql_cast_allowed(own, type, SQL_CAST_ASSIGNMENT)) {
        rt_err_set(err, SQLSTATE_DATATYPE_MISMATCH,
                   "parameter $%u of type %s cannot be coerced to the expected type %s",
                   index + 1, sql_sqlprep_type_name(s, own), sql_sqlprep_type_name(s, type));
        rt_err_hint(err, "You will need to rewrite or cast the expression.");
        return false;
    }
    out->type_oid = type;
    if (c->const_kind == SQL_CONST_NULL) {
        out->is_null = true;
        return true;
    }
    char buf[64];
    const char *text = c->text;
    uint32_t len = c->text_len;
    if (c->const_kind == SQL_CONST_BOOL) {
        text = c->bool_value ? "true" : "false";
        len = (uint32_t)strlen(text);
    } else if (c->const_kind == SQL_CONST_INTEGER && text == NULL) {
        len = (uint32_t)snprintf(buf, sizeof buf, "%s%lld", sign, (long long)c->int_value);
        text = buf;
        sign = "";
    }
    if (sign[0] != '\0') {
        char *t = rt_arena_alloc(s->query_arena, (size_t)len + 2);
        if (t == NULL) return rt_arena_fail(s->query_arena, err);
        t[0] = '-';
        memcpy(t + 1, text, len);
        text = t;
        len++;
    }
    sql_io_ctx io;
    sql_session_io(s, s->query_arena, err, &io);
    eng_catalog_ref pin;
    sql_names names;
    bool pinned = io.names == NULL && type != SQL_T_RECORD && sql_type_is_record(type);
    if (pinned) sql_session_io_pin(s, &io, &pin, &names); /* a row type's columns */
    bool ok = sql_value_in(&io, type == SQL_T_UNKNOWN ? SQL_T_TEXT : type, text, len, -1, out);
    if (pinned) eng_catalog_unpin(&pin);
    if (!ok) return false;
    out->type_oid = type;
    return true;
}

bool sql_session_execute_args(sql_session *s, const sql_execute *e, sql_prepared **out,
                              sql_value **values, rt_err *err) {
    sql_prepared *p = sql_prepared_find(s, e->name);
    if (p == NULL || e->name[0] == '\0') {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", e->name);
    }
    if (e->params.count != p->nparams) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                          "wrong number of parameters for prepared statement \"%s\"", e->name);
    }
    sql_value *params = rt_arena_zalloc(s->query_arena, sizeof(sql_value) * (p->nparams + 1u));
    if (params == NULL) return rt_arena_fail(s->query_arena, err);
    p->executions++;
    for (uint32_t i = 0; i < p->nparams; i++) {
        if (!sql_sqlprep_param(s, SQL_LIST_AT(e->params, i), i, p->param_types[i], &params[i],
                               err)) {
            return false;
        }
    }
    *out = p;
    *values = params;
    return true;
}

bool sql_session_execute_stmt(sql_session *s, const sql_execute *e, const sql_sink *sink,
                              char tag[SQL_TAG_BYTES], rt_err *err) {
    sql_prepared *p;
    sql_value *params;
    if (!sql_session_execute_args(s, e, &p, &params, err)) return false;
    sql_stmt_env env;
    sql_query *q = NULL;
    bool ok = true, waited = true;
    /* A second bind when the locks had to wait: the holder (DDL) may have changed the tables. */
    for (uint32_t pass = 0; ok && waited && pass < 2; pass++) {
        if (pass > 0) sql_session_env_close(&env);
        sql_session_env_open(s, s->query_arena, err, p->sql, p->sql_len, &env);
        ok = sql_session_bind_prepared(s, p, params, false, &env.bc, &q, NULL) &&
             sql_session_lock_query(s, q, &waited, err);
    }
    if (ok) ok = sql_session_run_query(s, q, env.cat, env.db, params, sink, true, tag, err);
    sql_session_env_close(&env);
    return ok;
}

bool sql_session_deallocate_stmt(sql_session *s, const sql_deallocate *d, rt_err *err) {
    if (d->name == NULL) {
        while (s->nprepared > 0) sql_session_close_statement(s, s->prepared[0]->name);
        return true;
    }
    if (sql_prepared_find(s, d->name) == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", d->name);
    }
    sql_session_close_statement(s, d->name);
    return true;
}

/* ---- cursors ---- */

static bool sql_sqlprep_declare(sql_session *s, const sql_declare_cursor *d, const char *sql,
                                uint32_t sql_len, char *tag, rt_err *err) {
    if (!s->in_block && !d->with_hold) {
        return rt_err_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                          "DECLARE CURSOR can only be used in transaction blocks");
    }
    if (d->query->kind != SQL_N_SELECT) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "DECLARE CURSOR supports SELECT queries only");
    }
    const sql_with *with = ((const sql_select *)d->query)->with;
    for (uint32_t i = 0; with != NULL && i < with->ctes.count; i++) {
        const sql_cte *c = SQL_LIST_AT(with->ctes, i);
        if (SQL_NODE_KIND(c->query) != SQL_N_SELECT) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "DECLARE CURSOR must not contain data-modifying statements in "
                              "WITH");
        }
    }
    /* The cursor gets its own copy of the query's text (re-parsed into the portal's
     * statement) so that it outlives this simple query's parse trees. */
    uint32_t start = d->query->location < sql_len ? d->query->location : 0;
    sql_stmt_list one;
    if (!sql_parse(s->query_arena, sql + start, sql_len - start, &one, err)) return false;
    uint32_t len = one.count > 0 ? one.stmts[0].text_start + one.stmts[0].text_len : 0;
    /* Bound through the extended protocol, DECLARE's parameters are its query's. */
    const sql_portal *outer = s->utility_portal;
    uint32_t np = outer != NULL ? outer->stmt->nparams : 0;
    const uint32_t *types = np > 0 ? outer->stmt->param_types : NULL;
    if (!sql_session_prepare_text(s, "\x01cursor", sql + start, len, np, types, err)) {
        return false;
    }
    sql_prepared *p = sql_prepared_find(s, "\x01cursor");
    /* The statement belongs to the portal alone. */
    sql_bind_args a = {.portal = d->name, .statement = "\x01cursor", .nparams = np,
                       .decoded = np > 0 ? outer->params : NULL};
    bool ok = sql_session_bind_portal(s, &a, true, err);
    sql_session_close_statement(s, p->name);
    if (!ok) return false;
    sql_portal *pt = sql_session_portal_find(s, d->name);
    pt->scroll = d->scroll || d->with_hold;
    pt->holdable = d->with_hold;
    pt->binary = d->binary;
    pt->scrollable = d->scroll;
    pt->source = sql_sqlprep_source(pt->arena, sql, sql_len);
    if (pt->source == NULL) {
        sql_session_close_portal(s, d->name);
        return rt_arena_fail(s->query_arena, err);
    }
    /* Scrolling and holding need the rows kept: the cursor runs to its end now, on its
     * snapshot, and later fetches read what it kept. */
    if (pt->scroll && !sql_session_portal_materialize(s, pt, err)) {
        sql_session_close_portal(s, d->name);
        return false;
    }
    snprintf(tag, SQL_TAG_BYTES, "DECLARE CURSOR");
    return true;
}

/* Rows [from, from + n) of a materialised cursor to the sink (ascending or not). */
static bool sql_sqlprep_emit(sql_session *s, sql_portal *pt, const sql_sink *sink, uint64_t row,
                             rt_err *err) {
    if (sink == NULL) return true;
    sql_batch *b;
    if (!sql_rowset_emit(pt->mat, row - 1, 1, pt->stmt->cols, s->query_arena, &b)) {
        return rt_arena_fail(s->query_arena, err);
    }
    const int16_t *formats = s->utility_portal != NULL ? s->utility_portal->formats : NULL;
    return sink->rows(sink->arg, b, 0, 1, formats, err);
}

/* FETCH / MOVE on a materialised cursor, with PostgreSQL's positioning: 0 is before the first
 * row, n + 1 after the last. */
static bool sql_sqlprep_scroll(sql_session *s, sql_portal *pt, const sql_fetch *f,
                               const sql_sink *sink, uint64_t *got, rt_err *err) {
    int64_t n = (int64_t)pt->mat->count, pos = (int64_t)pt->pos, count = f->count;
    *got = 0;
    int64_t target;
    switch (f->dir) {
    case SQL_FETCH_FIRST: target = 1; goto absolute;
    case SQL_FETCH_LAST: target = -1; goto absolute;
    case SQL_FETCH_ABSOLUTE: target = count; goto absolute;
    case SQL_FETCH_RELATIVE:
        if (count == 0) goto current;
        target = pos + count;
        target = target < 0 ? 0 : target > n + 1 ? n + 1 : target;
        pt->pos = (uint64_t)target;
        if (target >= 1 && target <= n) {
            *got = 1;
            return sql_sqlprep_emit(s, pt, sink, (uint64_t)target, err);
        }
        return true;
    case SQL_FETCH_PRIOR: count = 1; goto backward;
    case SQL_FETCH_BACKWARD: if (count == 0) goto current; goto backward;
    case SQL_FETCH_BACKWARD_ALL: count = INT64_MAX; goto backward;
    case SQL_FETCH_FORWARD_ALL: count = INT64_MAX; break;
    case SQL_FETCH_NEXT: count = 1; break;
    case SQL_FETCH_FORWARD: if (count == 0) goto current; break;
    }
    if (count < 0) {
        count = -count;
        goto backward;
    }
    while (count-- > 0 && pos <= n) {
        pos++;
        if (pos > n) break;
        (*got)++;
        if (!sql_sqlprep_emit(s, pt, sink, (uint64_t)pos, err)) return false;
    }
    pt->pos = (uint64_t)pos;
    return true;
backward:
    while (count-- > 0 && pos >= 1) {
        pos--;
        if (pos < 1) break;
        (*got)++;
        if (!sql_sqlprep_emit(s, pt, sink, (uint64_t)pos, err)) return false;
    }
    pt->pos = (uint64_t)pos;
    return true;
current:
    if (pos >= 1 && pos <= n) {
        *got = 1;
        return sql_sqlprep_emit(s, pt, sink, (uint64_t)pos, err);
    }
    return true;
absolute:
    if (target < 0) target = n + 1 + target;
    if (target < 0) target = 0;
    if (target > n) target = n + 1;
    pt->pos = (uint64_t)target;
    if (target >= 1 && target <= n) {
        *got = 1;
        return sql_sqlprep_emit(s, pt, sink, (uint64_t)target, err);
    }
    return true;
}

static bool sql_sqlprep_fetch(sql_session *s, const sql_fetch *f, const sql_sink *sink, char *tag,
                              rt_err *err) {
    sql_portal *pt = sql_session_portal_find(s, f->cursor);
    if (pt == NULL || !pt->is_cursor) {
        return rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "cursor \"%s\" does not exist",
                          f->cursor);
    }
    if (!f->is_move && !sink->describe(sink->arg, pt->stmt->cols, pt->stmt->ncols, NULL, err)) {
        return false;
    }
    const sql_sink *out = f->is_move ? NULL : sink;
    uint64_t got = 0;
    if (pt->mat != NULL) {
        if (!sql_sqlprep_scroll(s, pt, f, out, &got, err)) return false;
    } else {
        bool forward = f->dir == SQL_FETCH_NEXT || f->dir == SQL_FETCH_FORWARD_ALL ||
                       ((f->dir == SQL_FETCH_FORWARD || f->dir == SQL_FETCH_RELATIVE) &&
                        f->count > 0) || (f->dir == SQL_FETCH_ABSOLUTE && f->count > 0 &&
                                          (uint64_t)f->count > pt->rows_sent);
        if (!forward) {
            rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                       "cursor can only scan forward");
            rt_err_hint(err, "Declare it with SCROLL option to enable backward scan.");
            return false;
        }
        uint64_t want = f->dir == SQL_FETCH_NEXT ? 1
                        : f->dir == SQL_FETCH_FORWARD_ALL ? 0
                        : f->dir == SQL_FETCH_ABSOLUTE ? (uint64_t)f->count - pt->rows_sent
                                                       : (uint64_t)f->count;
        if (f->dir == SQL_FETCH_ABSOLUTE && want > 1) {
            /* Skip to the row before, then fetch one. */
            uint64_t skipped;
            if (!sql_session_portal_fetch(s, pt, want - 1, NULL, &skipped, err)) return false;
            want = 1;
        }
        if (!sql_session_portal_fetch(s, pt, want, out, &got, err)) return false;
    }
    snprintf(tag, SQL_TAG_BYTES, "%s %llu", f->is_move ? "MOVE" : "FETCH",
             (unsigned long long)got);
    return true;
}

bool sql_session_cursor_stmt(sql_session *s, const sql_node *stmt, const char *sql,
                             uint32_t sql_len, const sql_sink *sink, char tag[SQL_TAG_BYTES],
                             rt_err *err) {
    switch (stmt->kind) {
    case SQL_N_DECLARE_CURSOR:
        return sql_sqlprep_declare(s, (const sql_declare_cursor *)stmt, sql, sql_len, tag, err);
    case SQL_N_FETCH: return sql_sqlprep_fetch(s, (const sql_fetch *)stmt, sink, tag, err);
    case SQL_N_CLOSE: {
        const sql_close *c = (const sql_close *)stmt;
        snprintf(tag, SQL_TAG_BYTES, "CLOSE CURSOR%s", c->cursor == NULL ? " ALL" : "");
        if (c->cursor == NULL) {
            for (uint32_t i = s->nportals; i-- > 0;) {
                if (s->portals[i]->is_cursor) sql_session_close_portal(s, s->portals[i]->name);
            }
            return true;
        }
        const sql_portal *pt = sql_session_portal_find(s, c->cursor);
        if (pt == NULL || !pt->is_cursor) {
            return rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "cursor \"%s\" does not exist",
                              c->cursor);
        }
        sql_session_close_portal(s, c->cursor);
        return true;
    }
    default: break;
    }
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cursor statement not supported");
}

/* ---- pg_prepared_statements, pg_cursors ---- */

uint32_t sql_session_prepared_count(const sql_session *s) { return s->nprepared; }

bool sql_session_prepared_at(const sql_session *s, uint32_t i, sql_prepared_info *out) {
    const sql_prepared *p = s->prepared[i];
    if (p->name[0] == '\0' || p->name[0] == '\x01') return false; /* unnamed, internal */
    uint64_t custom = p->custom_plans < p->executions ? p->custom_plans : p->executions;
    *out = (sql_prepared_info){.name = p->name, .statement = p->source,
                               .prepare_us = p->prepare_us, .param_types = p->param_types,
                               .nparams = p->nparams, .from_sql = p->from_sql,
                               .generic_plans = p->executions - custom, .custom_plans = custom};
    return true;
}

uint32_t sql_session_cursor_count(const sql_session *s) { return s->nportals; }

/* A simple query runs without a portal; the protocol's portals (the unnamed one too) show as
 * PostgreSQL shows them, with their statement's text. */
bool sql_session_cursor_at(const sql_session *s, uint32_t i, sql_cursor_info *out) {
    const sql_portal *pt = s->portals[i];
    const char *source = pt->is_cursor ? pt->source : pt->stmt != NULL ? pt->stmt->source : NULL;
    if (source == NULL) return false;
    *out = (sql_cursor_info){.name = pt->name, .statement = source,
                             .holdable = pt->holdable, .binary = pt->binary,
                             .scrollable = pt->scrollable,
                             .created_us = pt->created_us};
    return true;
}
