/* sql_session_ext.c: prepared statements and portals: the extended query protocol (Parse,
 * Bind, Describe, Execute, Close, Sync) and their SQL forms (PREPARE / EXECUTE / DEALLOCATE,
 * DECLARE / FETCH / MOVE / CLOSE). A statement is bound when it is prepared (for Describe)
 * and bound again at Bind when the catalog has moved on since. */
#include <stdio.h>
#include <string.h>

#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_record.h"
#include "sql/sql_session_int.h"
#include "sql/sql_tablelock.h"
#include "sql/sql_stats.h"

/* Memory of one prepared statement or portal (parse tree, plan, parameter values). */
#define SQL_PREPARED_ARENA_BYTES (256ull * 1024 * 1024)

static char *sql_ext_strdup(const char *v) {
    size_t n = strlen(v);
    char *c = rt_xmalloc(n + 1);
    memcpy(c, v, n + 1);
    return c;
}

sql_prepared *sql_prepared_find(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < s->nprepared; i++) {
        if (strcmp(s->prepared[i]->name, name) == 0) return s->prepared[i];
    }
    return NULL;
}

bool sql_session_statement_text(sql_session *s, const char *name, const char **text,
                                uint32_t *len) {
    const sql_prepared *p = sql_prepared_find(s, name);
    if (p == NULL) return false;
    *text = p->source != NULL ? p->source : p->sql;
    *len = p->source != NULL ? (uint32_t)strlen(p->source) : p->sql_len;
    return *text != NULL;
}

sql_portal *sql_session_portal_find(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < s->nportals; i++) {
        if (strcmp(s->portals[i]->name, name) == 0) return s->portals[i];
    }
    return NULL;
}

static void sql_prepared_free(sql_prepared *p) {
    rt_arena_destroy(p->arena);
    rt_free(p->name);
    rt_free(p);
}

void sql_prepared_release(sql_session *s, sql_prepared *p) {
    (void)s;
    RT_ASSERT(p->refs > 0);
    if (--p->refs == 0 && p->closed) sql_prepared_free(p);
}

void sql_session_close_statement(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < s->nprepared; i++) {
        sql_prepared *p = s->prepared[i];
        if (strcmp(p->name, name) != 0) continue;
        s->prepared[i] = s->prepared[--s->nprepared];
        if (p->refs > 0) p->closed = true;
        else sql_prepared_free(p);
        return;
    }
}

static void sql_portal_free(sql_session *s, sql_portal *pt) {
    if (s->names == pt->names) s->names = NULL;
    if (pt->started && !pt->done) sql_cursor_close(&pt->cur);
    if (pt->pinned) eng_catalog_unpin(&pt->pin);
    sql_prepared_release(s, pt->stmt);
    rt_arena_destroy(pt->arena);
    rt_free(pt->name);
    rt_free(pt);
}

void sql_session_close_portal(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < s->nportals; i++) {
        sql_portal *pt = s->portals[i];
        if (strcmp(pt->name, name) != 0) continue;
        s->portals[i] = s->portals[--s->nportals];
        sql_portal_free(s, pt);
        return;
    }
}

void sql_session_portals_close_all(sql_session *s, bool keep_holdable) {
    for (uint32_t i = s->nportals; i-- > 0;) {
        sql_portal *pt = s->portals[i];
        if (keep_holdable && pt->holdable && pt->mat != NULL) {
            pt->held = true;
            continue;
        }
        s->portals[i] = s->portals[--s->nportals];
        sql_portal_free(s, pt);
    }
}

void sql_session_portals_abort(sql_session *s) {
    for (uint32_t i = s->nportals; i-- > 0;) {
        sql_portal *pt = s->portals[i];
        if (pt->held) continue; /* committed WITH HOLD cursors outlive later transactions */
        s->portals[i] = s->portals[--s->nportals];
        sql_portal_free(s, pt);
    }
}

/* ---- preparing ---- */

static bool sql_ext_returns_rows(const sql_node *stmt) {
    if (stmt == NULL) return false;
    return stmt->kind == SQL_N_SHOW || stmt->kind == SQL_N_EXPLAIN ||
           stmt->kind == SQL_N_FETCH;
}

/* Binds the statement of `p` against the current catalog (SELECT / DML only): its generic
 * plan (a run's plan is made by sql_session_bind_prepared). */
static bool sql_ext_bind_query(sql_session *s, sql_prepared *p, rt_arena *arena,
                               const eng_catalog *cat, const eng_database *db,
                               sql_query **out, rt_err *err) {
    sql_bind_ctx bc;
    sql_session_bind_ctx(s, arena, err, cat, db, p->sql, p->sql_len, &bc);
    bc.nparams = p->nparams;
    bc.param_types = p->param_types;
    return sql_bind_query(&bc, p->stmt, out);
}

static bool sql_ext_is_planned(const sql_node *stmt) {
    return stmt != NULL && (stmt->kind == SQL_N_SELECT || stmt->kind == SQL_N_INSERT ||
                            stmt->kind == SQL_N_UPDATE || stmt->kind == SQL_N_DELETE);
}

/* Copies result columns so Describe never reads a catalog version that is gone. */
static bool sql_ext_copy_cols(sql_prepared *p, const sql_col *cols, uint32_t ncols,
                              rt_err *err) {
    p->ncols = ncols;
    p->cols = rt_arena_alloc(p->arena, sizeof(sql_col) * (ncols + 1u));
    if (p->cols == NULL) return rt_arena_fail(p->arena, err);
    for (uint32_t i = 0; i < ncols; i++) {
        p->cols[i] = cols[i];
        size_t n = strlen(cols[i].name);
        char *name = rt_arena_alloc(p->arena, n + 1);
        if (name == NULL) return rt_arena_fail(p->arena, err);
        memcpy(name, cols[i].name, n + 1);
        p->cols[i].name = name;
    }
    return true;
}

/* A utility statement around a query (EXPLAIN, DECLARE CURSOR): the query's $n are the
 * statement's parameters, their types inferred as for the query alone. */
static bool sql_ext_inner_params(sql_session *s, sql_prepared *p, const sql_node *inner,
                                 rt_err *err) {
    if (!sql_ext_is_planned(inner)) return true; /* refused when run */
    sql_stmt_env env;
    sql_session_env_open(s, p->arena, err, p->sql, p->sql_len, &env);
    env.bc.nparams = p->nparams;
    env.bc.param_types = p->param_types;
    sql_query *q = NULL;
    bool ok = sql_bind_query(&env.bc, inner, &q);
    if (ok) {
        p->nparams = q->nparams;
        p->param_types = q->param_types;
    }
    sql_session_env_close(&env);
    return ok;
}

static bool sql_ext_analyze(sql_session *s, sql_prepared *p, rt_err *err) {
    if (p->stmt != NULL && p->stmt->kind == SQL_N_DECLARE_CURSOR) {
        return sql_ext_inner_params(s, p, ((const sql_declare_cursor *)p->stmt)->query, err);
    }
    if (!sql_ext_is_planned(p->stmt)) {
        p->returns_rows = sql_ext_returns_rows(p->stmt);
        if (p->stmt != NULL && p->stmt->kind == SQL_N_SHOW) {
            p->ncols = 1;
            p->cols = rt_arena_zalloc(p->arena, sizeof(sql_col));
            if (p->cols == NULL) return rt_arena_fail(p->arena, err);
            p->cols[0] = (sql_col){.name = sql_guc_label(((const sql_show *)p->stmt)->name),
                                   .type_oid = SQL_T_TEXT, .typmod = -1};
        } else if (p->stmt != NULL && p->stmt->kind == SQL_N_EXPLAIN) {
            p->ncols = 1;
            p->cols = rt_arena_zalloc(p->arena, sizeof(sql_col));
            if (p->cols == NULL) return rt_arena_fail(p->arena, err);
            uint32_t type;
            sql_session_explain_format((const sql_explain *)p->stmt, &type);
            p->cols[0] = (sql_col){.name = "QUERY PLAN", .type_oid = type, .typmod = -1};
            /* The explained statement's parameters are the EXPLAIN's. */
            if (!sql_ext_inner_params(s, p, ((const sql_explain *)p->stmt)->stmt, err)) {
                return false;
            }
        } else if (p->stmt != NULL && p->stmt->kind == SQL_N_EXECUTE) {
            /* EXECUTE describes as the statement it runs. */
            const sql_prepared *target =
                sql_prepared_find(s, ((const sql_execute *)p->stmt)->name);
            if (target != NULL && target->returns_rows) {
                p->returns_rows = true;
                if (!sql_ext_copy_cols(p, target->cols, target->ncols, err)) return false;
            }
        } else if (p->stmt != NULL && p->stmt->kind == SQL_N_FETCH) {
            /* FETCH describes as its cursor (MOVE returns no rows). */
            const sql_fetch *f = (const sql_fetch *)p->stmt;
            const sql_portal *pt = sql_session_portal_find(s, f->cursor);
            p->returns_rows = !f->is_move && pt != NULL;
            if (p->returns_rows && !sql_ext_copy_cols(p, pt->stmt->cols, pt->stmt->ncols, err)) {
                return false;
            }
        }
        return true;
    }
    eng_catalog_ref pin;
    const eng_catalog *cat;
    const eng_database *db;
    sql_session_catalog(s, &pin, &cat, &db);
    sql_query *q = NULL;
    bool ok = sql_ext_bind_query(s, p, p->arena, cat, db, &q, err);
    if (ok) {
        p->query = q;
        p->nparams = q->nparams;
        p->param_types = q->param_types;
        p->returns_rows = q->returns_rows;
        ok = !q->returns_rows || sql_ext_copy_cols(p, q->plan->cols, q->plan->ncols, err);
        /* A plan bound on a draft is never reused: the draft changes or goes away. */
        if (pin.catalog == NULL) p->query = NULL;
    }
    if (pin.catalog != NULL) eng_catalog_unpin(&pin);
    return ok;
}

static bool sql_ext_failed_block(sql_session *s, const sql_node *stmt, rt_err *err) {
    if (!s->failed) return true;
    if (stmt != NULL && stmt->kind == SQL_N_TRANSACTION) {
        sql_txn_kind k = ((const sql_transaction *)stmt)->txn_kind;
        if (k == SQL_TXN_COMMIT || k == SQL_TXN_ROLLBACK || k == SQL_TXN_ROLLBACK_TO) return true;
    }
    return rt_err_set(err, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                      "current transaction is aborted, commands ignored until end of "
                      "transaction block");
}

bool sql_session_prepare_text(sql_session *s, const char *name, const char *sql, uint32_t len,
                            uint32_t nparams, const uint32_t *param_types, rt_err *err) {
    if (name[0] != '\0' && sql_prepared_find(s, name) != NULL) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_PREPARED_STATEMENT,
                          "prepared statement \"%s\" already exists", name);
    }
    if (s->nprepared >= SQL_SESSION_PREPARED_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many prepared statements (limit %u)", SQL_SESSION_PREPARED_MAX);
    }
    if (nparams > SQL_PARAMS_MAX) {
        return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "too many parameters");
    }
    sql_prepared *p = rt_xcalloc(1, sizeof *p);
    p->arena = rt_arena_create(SQL_PREPARED_ARENA_BYTES);
    p->name = sql_ext_strdup(name);
    char *text = rt_arena_alloc(p->arena, (size_t)len + 1);
    uint32_t *types = rt_arena_zalloc(p->arena, sizeof(uint32_t) * (nparams + 1u));
    sql_stmt_list list;
    bool ok = text != NULL && types != NULL;
    if (!ok) rt_arena_fail(p->arena, err);
    if (ok) {
        memcpy(text, sql, len);
        text[len] = '\0';
        if (nparams > 0) memcpy(types, param_types, sizeof(uint32_t) * nparams);
        p->sql = text;
        p->sql_len = len;
        p->source = text;
        p->prepare_us = sql_session_clock_us(s) - SQL_PG_EPOCH_OFFSET_US;
        p->nparams = nparams;
        p->param_types = types;
        ok = sql_parse(p->arena, text, len, &list, err);
    }
    if (ok && list.count > 1) {
        ok = rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                        "cannot insert multiple commands into a prepared statement");
    }
    if (ok) {
        p->stmt = list.count == 1 ? list.stmts[0].node : NULL;
        ok = sql_ext_failed_block(s, p->stmt, err) && sql_ext_analyze(s, p, err);
    }
    if (!ok) {
        sql_prepared_free(p);
        return false;
    }
    if (name[0] == '\0') sql_session_close_statement(s, "");
    if (s->nprepared == s->prepared_cap) {
        s->prepared_cap = s->prepared_cap ? s->prepared_cap * 2 : 8;
        s->prepared = rt_xrealloc(s->prepared, s->prepared_cap * sizeof *s->prepared);
    }
    s->prepared[s->nprepared++] = p;
    return true;
}

bool sql_session_parse(sql_session *s, const char *name, const char *sql, uint32_t len,
                       uint32_t nparams, const uint32_t *param_types, rt_err *err) {
    bool ok = sql_txn_ensure(s, err) &&
              sql_session_prepare_text(s, name, sql, len, nparams, param_types, err);
    if (!ok) sql_session_fail(s);
    return ok;
}

/* ---- binding ---- */

static bool sql_ext_decode_each(sql_portal *pt, const sql_bind_args *a, sql_io_ctx *io,
                                rt_err *err);

/* A parameter of a named row type reads its columns from the catalog: pinned for the
 * decoding when no statement runs. */
static bool sql_ext_decode_params(sql_session *s, sql_portal *pt, const sql_bind_args *a,
                                  rt_err *err) {
    const sql_prepared *p = pt->stmt;
    pt->params = rt_arena_zalloc(pt->arena, sizeof(sql_value) * (p->nparams + 1u));
    if (pt->params == NULL) return rt_arena_fail(pt->arena, err);
    sql_io_ctx io;
    sql_session_io(s, pt->arena, err, &io);
    bool rowtype = false;
    for (uint32_t i = 0; i < p->nparams; i++) {
        rowtype |= p->param_types[i] != SQL_T_RECORD && sql_type_is_record(p->param_types[i]);
    }
    if (!rowtype || io.names != NULL) return sql_ext_decode_each(pt, a, &io, err);
    eng_catalog_ref pin;
    sql_names names;
    sql_session_io_pin(s, &io, &pin, &names);
    bool ok = sql_ext_decode_each(pt, a, &io, err);
    eng_catalog_unpin(&pin);
    return ok;
}

static bool sql_ext_decode_each(sql_portal *pt, const sql_bind_args *a, sql_io_ctx *io,
                                rt_err *err) {
    const sql_prepared *p = pt->stmt;
    for (uint32_t i = 0; i < p->nparams; i++) {
        uint32_t type = p->param_types[i] == SQL_T_UNKNOWN || p->param_types[i] == 0
                            ? SQL_T_TEXT
                            : p->param_types[i];
        sql_value *v = &pt->params[i];
        if (a->decoded != NULL) {
            *v = a->decoded[i];
            if (!sql_value_copy(pt->arena, v)) return rt_arena_fail(pt->arena, err);
            continue;
        }
        v->type_oid = type;
        if (a->values[i] == NULL) {
            v->is_null = true;
            continue;
        }
        bool binary = a->param_formats != NULL && a->param_formats[i] == 1;
        bool ok = binary ? sql_value_recv(io, type, a->values[i], a->lengths[i], -1, v)
                         : sql_value_in(io, type, (const char *)a->values[i], a->lengths[i],
                                        -1, v);
        if (!ok) {
            if (binary && !rt_err_is_set(err)) {
                rt_err_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                           "incorrect binary data format in bind parameter %u", i + 1);
            }
            return false;
        }
        v->type_oid = type;
    }
    return true;
}

static bool sql_ext_formats(sql_portal *pt, const sql_bind_args *a, rt_err *err) {
    const sql_prepared *p = pt->stmt;
    uint32_t n = a->nresult_formats;
    if (n == 0) return true;
    if (n != 1 && n != p->ncols) {
        return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                          "bind message has %u result formats but query has %u columns", n,
                          p->ncols);
    }
    pt->formats = rt_arena_alloc(pt->arena, sizeof(int16_t) * (p->ncols + 1u));
    if (pt->formats == NULL) return rt_arena_fail(pt->arena, err);
    for (uint32_t i = 0; i < p->ncols; i++) {
        int16_t f = a->result_formats[n == 1 ? 0 : i];
        if (f != 0 && f != 1) {
            return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "unsupported format code: %d", f);
        }
        pt->formats[i] = f;
    }
    return true;
}

static sql_portal *sql_ext_portal_new(sql_session *s, const char *name, sql_prepared *p,
                                      rt_err *err) {
    if (name[0] != '\0' && sql_session_portal_find(s, name) != NULL) {
        rt_err_set(err, SQLSTATE_DUPLICATE_CURSOR, "cursor \"%s\" already exists", name);
        return NULL;
    }
    if (name[0] == '\0') sql_session_close_portal(s, "");
    if (s->nportals >= SQL_SESSION_PORTALS_MAX) {
        rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many open portals (limit %u)",
                   SQL_SESSION_PORTALS_MAX);
        return NULL;
    }
    sql_portal *pt = rt_xcalloc(1, sizeof *pt);
    pt->name = sql_ext_strdup(name);
    pt->arena = rt_arena_create(SQL_PREPARED_ARENA_BYTES);
    pt->stmt = p;
    p->refs++;
    if (s->nportals == s->portals_cap) {
        s->portals_cap = s->portals_cap ? s->portals_cap * 2 : 8;
        s->portals = rt_xrealloc(s->portals, s->portals_cap * sizeof *s->portals);
    }
    s->portals[s->nportals++] = pt;
    return pt;
}

/* Pins the catalog for the portal's life and makes sure its plan fits that version. */
static bool sql_ext_portal_plan(sql_session *s, sql_portal *pt, const sql_query **q,
                                rt_err *err) {
    const eng_catalog *cat;
    const eng_database *db;
    sql_session_catalog(s, &pt->pin, &cat, &db);
    pt->pinned = pt->pin.catalog != NULL;
    sql_prepared *p = pt->stmt;
    bool reuse = p->query != NULL && pt->pinned &&
                 p->query->catalog_version == eng_catalog_version(cat);
    sql_bind_ctx bc;
    sql_session_bind_ctx(s, pt->arena, err, cat, db, p->sql, p->sql_len, &bc);
    sql_query *fresh = NULL;
    if (!sql_session_bind_prepared(s, p, pt->params, reuse, &bc, &fresh, NULL)) return false;
    if (fresh == p->query) {
        *q = p->query;
    } else {
        if (fresh->returns_rows != p->returns_rows ||
            (fresh->returns_rows && fresh->plan->ncols != p->ncols)) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "cached plan must not change result type");
        }
        *q = fresh;
    }
    sql_session_exec_ctx(s, pt->arena, &pt->run_err, cat, db, pt->params, p->nparams, *q,
                         &pt->x);
    return true;
}

static bool sql_ext_start(sql_session *s, sql_portal *pt, rt_err *err);

bool sql_session_bind_portal(sql_session *s, const sql_bind_args *a, bool is_cursor,
                             rt_err *err) {
    sql_prepared *p = sql_prepared_find(s, a->statement);
    if (p == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", a->statement);
    }
    if (!sql_ext_failed_block(s, p->stmt, err)) return false;
    if (a->nparams != p->nparams) {
        return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                          "bind message supplies %u parameters, but prepared statement \"%s\" "
                          "requires %u", a->nparams, a->statement, p->nparams);
    }
    if (!sql_txn_ensure(s, err)) return false;
    sql_portal *pt = sql_ext_portal_new(s, a->portal, p, err);
    if (pt == NULL) return false;
    pt->is_cursor = is_cursor;
    pt->created_us = sql_session_clock_us(s) - SQL_PG_EPOCH_OFFSET_US;
    pt->stmt->executions++;
    if (!sql_ext_formats(pt, a, err) || !sql_ext_decode_params(s, pt, a, err) ||
        (is_cursor && !sql_ext_start(s, pt, err))) {
        sql_session_close_portal(s, a->portal);
        return false;
    }
    return true;
}

bool sql_session_bind(sql_session *s, const sql_bind_args *a, rt_err *err) {
    bool ok = sql_session_bind_portal(s, a, false, err);
    if (!ok) sql_session_fail(s);
    return ok;
}

/* ---- describing ---- */

bool sql_session_describe_statement(sql_session *s, const char *name, uint32_t *nparams,
                                    const uint32_t **param_types, bool *returns_rows,
                                    const sql_col **cols, uint32_t *ncols, rt_err *err) {
    sql_prepared *p = sql_prepared_find(s, name);
    if (p == NULL) {
        sql_session_fail(s);
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", name);
    }
    *nparams = p->nparams;
    *param_types = p->param_types;
    *returns_rows = p->returns_rows;
    *cols = p->cols;
    *ncols = p->ncols;
    return true;
}

bool sql_session_describe_portal(sql_session *s, const char *name, bool *returns_rows,
                                 const sql_col **cols, uint32_t *ncols,
                                 const int16_t **formats, rt_err *err) {
    sql_portal *pt = sql_session_portal_find(s, name);
    if (pt == NULL) {
        sql_session_fail(s);
        return rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist",
                          name);
    }
    *returns_rows = pt->stmt->returns_rows;
    *cols = pt->stmt->cols;
    *ncols = pt->stmt->ncols;
    *formats = pt->formats;
    return true;
}

/* ---- executing ---- */

typedef struct sql_ext_fwd {
    const sql_sink *sink;
    const int16_t *formats;
} sql_ext_fwd;

static bool sql_ext_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                         rt_err *err) {
    const sql_ext_fwd *f = arg;
    return f->sink->rows(f->sink->arg, b, from, to, f->formats, err);
}

static bool sql_ext_no_describe(void *arg, const sql_col *cols, uint32_t ncols,
                                const int16_t *formats, rt_err *err) {
    (void)arg, (void)cols, (void)ncols, (void)formats, (void)err;
    return true;
}

/* Starts a planned portal: binds if needed, opens its cursor. */
static bool sql_ext_start(sql_session *s, sql_portal *pt, rt_err *err) {
    const sql_query *q = NULL;
    if (!sql_ext_portal_plan(s, pt, &q, err)) return false;
    static const char *const verbs[] = {"", "SELECT", "INSERT", "UPDATE", "DELETE"};
    if (s->read_only && (q->cmd != SQL_CMD_SELECT || q->for_update || q->modifying_ctes)) {
        return rt_err_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                          "cannot execute %s in a read-only transaction", verbs[q->cmd]);
    }
    if (!sql_session_check_privs(s, pt->x.catalog, pt->x.db, q, err)) return false;
    uint64_t waits = sql_tlock_waits(s->tlock);
    if (!sql_session_lock_plan(s, q->plan, err)) return false;
    if (sql_tlock_waits(s->tlock) != waits) {
        /* It waited for a lock: DDL may have changed the tables; plan over the catalog of now
         * (re-binding if its version moved), then check and lock what the new plan reads. */
        if (pt->pinned) eng_catalog_unpin(&pt->pin);
        pt->pinned = false;
        if (!sql_ext_portal_plan(s, pt, &q, err) ||
            !sql_session_check_privs(s, pt->x.catalog, pt->x.db, q, err) ||
            !sql_session_lock_plan(s, q->plan, err)) {
            return false;
        }
    }
    s->command++;
    s->txn_has_query = true;
    pt->x.command = s->command;
    pt->x.snap.command = s->command;
    rt_err_clear(&pt->run_err);
    pt->started = true;
    pt->query = q;
    pt->names = s->names; /* set up with the portal's execution context */
    if (!sql_cursor_open(&pt->cur, &pt->x, q->plan)) {
        *err = pt->run_err;
        pt->done = true;
        sql_cursor_close(&pt->cur);
        return false;
    }
    return true;
}

/* Fetches up to max_rows (0 = all) from a started portal. */
static bool sql_ext_fetch(sql_session *s, sql_portal *pt, uint64_t max_rows, const sql_sink *sink,
                          bool *more, uint64_t *emitted, rt_err *err) {
    sql_ext_fwd fwd = {sink, pt->formats};
    /* FETCH run through the extended protocol: its rows take the FETCH portal's formats. */
    if (s->utility_portal != NULL && s->utility_portal != pt) {
        fwd.formats = s->utility_portal->formats;
    }
    if (pt->query->cmd != SQL_CMD_SELECT) max_rows = 0; /* DML runs to its end */
    bool ok = sql_cursor_fetch(&pt->cur, max_rows, sql_ext_rows, &fwd, emitted, more);
    if (!ok) {
        *err = pt->run_err;
        if (!rt_err_is_set(err)) rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "portal failed");
    }
    pt->rows_sent += *emitted;
    if (!ok || !*more) {
        sql_cursor_close(&pt->cur);
        pt->done = true;
    }
    return ok;
}

static bool sql_ext_discard(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                            const int16_t *formats, rt_err *err) {
    (void)arg, (void)b, (void)from, (void)to, (void)formats, (void)err;
    return true;
}

static bool sql_ext_keep(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                         const int16_t *formats, rt_err *err) {
    (void)formats;
    sql_rowset *rs = arg;
    for (uint32_t r = from; r < to; r++) {
        if (!sql_rowset_add(rs, b, r)) return rt_arena_fail(rs->arena, err);
    }
    return true;
}

bool sql_session_portal_materialize(sql_session *s, sql_portal *pt, rt_err *err) {
    pt->mat = rt_arena_zalloc(pt->arena, sizeof(sql_rowset));
    if (pt->mat == NULL) return rt_arena_fail(pt->arena, err);
    sql_rowset_init(pt->mat, pt->arena, pt->stmt->ncols);
    sql_sink keep = {.arg = pt->mat, .rows = sql_ext_keep};
    uint64_t got;
    if (!sql_session_portal_fetch(s, pt, 0, &keep, &got, err)) return false;
    if (pt->pinned) eng_catalog_unpin(&pt->pin);
    pt->pinned = false;
    pt->pos = 0;
    return true;
}

bool sql_session_portal_fetch(sql_session *s, sql_portal *pt, uint64_t max_rows,
                              const sql_sink *sink, uint64_t *got, rt_err *err) {
    *got = 0;
    if (pt->done) return true;
    sql_sink discard = {.rows = sql_ext_discard};
    bool more = false;
    return sql_ext_fetch(s, pt, max_rows, sink != NULL ? sink : &discard, &more, got, err);
}

static bool sql_ext_run_planned(sql_session *s, sql_portal *pt, uint64_t max_rows,
                                const sql_sink *sink, bool *suspended, rt_err *err);

static bool sql_ext_execute(sql_session *s, sql_portal *pt, uint64_t max_rows,
                            const sql_sink *sink, bool *suspended, rt_err *err) {
    *suspended = false;
    const sql_prepared *p = pt->stmt;
    if (!sql_ext_failed_block(s, p->stmt, err)) return false;
    sql_sink quiet = *sink;
    quiet.describe = sql_ext_no_describe;
    if (p->stmt == NULL) return sink->empty(sink->arg, err);
    if (!sql_ext_is_planned(p->stmt)) {
        char tag[SQL_TAG_BYTES];
        if (pt->done) return rt_err_set(err, SQLSTATE_INVALID_CURSOR_STATE,
                                        "portal \"%s\" cannot be run", pt->name);
        pt->done = true;
        s->utility_portal = pt;
        bool ok = sql_session_run(s, p->stmt, p->sql, p->sql_len, &quiet, tag, err);
        s->utility_portal = NULL;
        if (!ok) return false;
        return tag[0] == '\0' || sink->complete(sink->arg, tag, err);
    }
    sql_session_timer_start(s);
    bool ok = sql_ext_run_planned(s, pt, max_rows, sink, suspended, err);
    sql_session_timer_end(s, ok, err);
    return ok;
}

static bool sql_ext_run_planned(sql_session *s, sql_portal *pt, uint64_t max_rows,
                                const sql_sink *sink, bool *suspended, rt_err *err) {
    if (!pt->started && !sql_ext_start(s, pt, err)) return false;
    if (pt->done && pt->started) {
        /* Executing a finished portal again returns no rows, as PostgreSQL. */
        char tag[SQL_TAG_BYTES];
        sql_session_tag(pt->query, 0, tag);
        return sink->complete(sink->arg, tag, err);
    }
    bool more = false;
    uint64_t emitted = 0;
    s->names = pt->names;
    bool ok = sql_ext_fetch(s, pt, max_rows, sink, &more, &emitted, err);
    s->names = NULL;
    if (!ok) return false;
    if (more) {
        *suspended = true;
        return true;
    }
    char tag[SQL_TAG_BYTES];
    uint64_t n = pt->query->cmd == SQL_CMD_SELECT ? emitted : atomic_load(&pt->x.rows_affected);
    sql_session_tag(pt->query, n, tag);
    sql_txn_note_stmt_changes(s, pt->query, &pt->x, n);
    return sink->complete(sink->arg, tag, err);
}

bool sql_session_execute(sql_session *s, const char *portal, uint64_t max_rows,
                         const sql_sink *sink, bool *suspended, rt_err *err) {
    sql_portal *pt = sql_session_portal_find(s, portal);
    bool ok;
    if (pt == NULL) {
        ok = rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist",
                        portal);
    } else {
        s->stmt_sink = sink;
        ok = sql_ext_execute(s, pt, max_rows, sink, suspended, err);
        s->stmt_sink = NULL;
    }
    if (!ok) sql_session_fail(s);
    return ok;
}

bool sql_session_sync(sql_session *s, rt_err *err) {
    bool ok = true;
    if (!s->in_block && s->txn_active) {
        if (s->failed) {
            sql_txn_abort(s);
        } else {
            ok = sql_txn_commit(s, err);
        }
    }
    if (ok) sql_session_on_commit(s);
    sql_session_snap_settle(s);
    return ok;
}
