/* sql_session_sqlprep.c: the SQL forms of prepared statements and cursors: PREPARE, EXECUTE,
 * DEALLOCATE, DECLARE ... CURSOR, FETCH / MOVE and CLOSE. */
#include <stdio.h>
#include <string.h>

#include "runtime/rt_mem.h"
#include "sql/sql_session_int.h"

bool sql_session_prepare_stmt(sql_session *s, const sql_prepare *p, rt_err *err) {
    uint32_t n = p->arg_types.count;
    uint32_t *types = rt_arena_zalloc(s->query_arena, sizeof(uint32_t) * (n + 1u));
    if (types == NULL) return rt_arena_fail(s->query_arena, err);
    if (n > 0) {
        eng_catalog_ref pin;
        const eng_catalog *cat;
        const eng_database *db;
        sql_session_catalog(s, &pin, &cat, &db);
        sql_bind_ctx bc;
        sql_session_bind_ctx(s, s->query_arena, err, cat, db, NULL, 0, &bc);
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++) {
            int32_t typmod;
            ok = sql_bind_typename(&bc, SQL_LIST_AT(p->arg_types, i), &types[i], &typmod);
        }
        if (pin.catalog != NULL) eng_catalog_unpin(&pin);
        if (!ok) return false;
    }
    if (p->name[0] == '\0') {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "invalid statement name \"\"");
    }
    return sql_session_prepare_text(s, p->name, p->query_text, (uint32_t)strlen(p->query_text),
                                    n, types, err);
}

/* EXECUTE's arguments: constants (optionally signed or cast), decoded as the parameter types. */
static bool sql_sqlprep_param(sql_session *s, const sql_node *n, uint32_t type, sql_value *out,
                              rt_err *err) {
    const char *sign = "";
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
    if (!sql_value_in(&io, type == SQL_T_UNKNOWN ? SQL_T_TEXT : type, text, len, -1, out)) {
        return false;
    }
    out->type_oid = type;
    return true;
}

bool sql_session_execute_stmt(sql_session *s, const sql_execute *e, const sql_sink *sink,
                              char tag[SQL_TAG_BYTES], rt_err *err) {
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
    for (uint32_t i = 0; i < p->nparams; i++) {
        if (!sql_sqlprep_param(s, SQL_LIST_AT(e->params, i), p->param_types[i], &params[i],
                               err)) {
            return false;
        }
    }
    eng_catalog_ref pin;
    const eng_catalog *cat;
    const eng_database *db;
    sql_session_catalog(s, &pin, &cat, &db);
    sql_bind_ctx bc;
    sql_session_bind_ctx(s, s->query_arena, err, cat, db, p->sql, p->sql_len, &bc);
    bc.nparams = p->nparams;
    bc.param_types = p->param_types;
    sql_query *q = NULL;
    bool ok = sql_bind_query(&bc, p->stmt, &q);
    if (ok) ok = sql_session_run_query(s, q, cat, db, params, sink, true, tag, err);
    if (pin.catalog != NULL) eng_catalog_unpin(&pin);
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
    if (d->with_hold) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cursors WITH HOLD are not supported yet");
    }
    if (d->scroll) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "SCROLL cursors are not supported yet");
    }
    if (!s->in_block) {
        return rt_err_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                          "DECLARE CURSOR can only be used in transaction blocks");
    }
    if (d->query->kind != SQL_N_SELECT) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "DECLARE CURSOR supports SELECT queries only");
    }
    /* The cursor gets its own copy of the query's text (re-parsed into the portal's
     * statement) so that it outlives this simple query's parse trees. */
    uint32_t start = d->query->location < sql_len ? d->query->location : 0;
    sql_stmt_list one;
    if (!sql_parse(s->query_arena, sql + start, sql_len - start, &one, err)) return false;
    uint32_t len = one.count > 0 ? one.stmts[0].text_start + one.stmts[0].text_len : 0;
    if (!sql_session_prepare_text(s, "\x01cursor", sql + start, len, 0, NULL, err)) {
        return false;
    }
    sql_prepared *p = sql_prepared_find(s, "\x01cursor");
    /* The statement belongs to the portal alone. */
    sql_bind_args a = {.portal = d->name, .statement = "\x01cursor"};
    bool ok = sql_session_bind_portal(s, &a, true, err);
    sql_session_close_statement(s, p->name);
    if (ok) snprintf(tag, SQL_TAG_BYTES, "DECLARE CURSOR");
    return ok;
}

static bool sql_sqlprep_fetch(sql_session *s, const sql_fetch *f, const sql_sink *sink, char *tag,
                              rt_err *err) {
    sql_portal *pt = sql_session_portal_find(s, f->cursor);
    if (pt == NULL || !pt->is_cursor) {
        return rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "cursor \"%s\" does not exist",
                          f->cursor);
    }
    uint64_t want;
    switch (f->dir) {
    case SQL_FETCH_NEXT: want = 1; break;
    case SQL_FETCH_FORWARD:
    case SQL_FETCH_RELATIVE:
        if (f->count < 0) goto backward;
        want = (uint64_t)f->count;
        break;
    case SQL_FETCH_FORWARD_ALL: want = UINT64_MAX; break;
    default: goto backward;
    }
    if (!f->is_move && !sink->describe(sink->arg, pt->stmt->cols, pt->stmt->ncols, NULL, err)) {
        return false;
    }
    uint64_t got = 0;
    if (want > 0 && !sql_session_portal_fetch(s, pt, want == UINT64_MAX ? 0 : want,
                                              f->is_move ? NULL : sink, &got, err)) {
        return false;
    }
    snprintf(tag, SQL_TAG_BYTES, "%s %llu", f->is_move ? "MOVE" : "FETCH",
             (unsigned long long)got);
    return true;
backward:
    return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "cursor can only scan forward");
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
        sql_portal *pt = sql_session_portal_find(s, c->cursor);
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
