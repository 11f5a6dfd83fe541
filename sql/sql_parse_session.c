/* sql_parse_session.c: transactions (BEGIN, START TRANSACTION, COMMIT/END, ROLLBACK/ABORT,
 * SAVEPOINT, RELEASE, ROLLBACK TO, two-phase commands, SET TRANSACTION, SET SESSION
 * CHARACTERISTICS) and session settings (SET, RESET, SHOW with their special forms: TIME ZONE,
 * NAMES, SCHEMA, ROLE, SESSION AUTHORIZATION, TRANSACTION ISOLATION LEVEL). Setting names are
 * PostgreSQL's GUC names; values keep their form: strings and numbers as constants, bare words
 * (on, off, true, UTC, ...) as single-name column references. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_parse_int.h"

/* ---- transactions ---- */

static sql_transaction *txn_new(sql_parser *p, sql_txn_kind kind, uint32_t location) {
    sql_transaction *t = P_NODE(p, sql_transaction, SQL_N_TRANSACTION, location);
    if (t == NULL) return NULL;
    t->txn_kind = kind;
    t->read_only = -1;
    t->deferrable = -1;
    return t;
}

static bool txn_isolation(sql_parser *p, sql_transaction *t) {
    if (!p_expect_kw(p, SQL_KW_LEVEL)) return false;
    if (p_accept_kw(p, SQL_KW_SERIALIZABLE)) {
        t->isolation = SQL_ISO_SERIALIZABLE;
    } else if (p_accept_kw(p, SQL_KW_REPEATABLE)) {
        t->isolation = SQL_ISO_REPEATABLE_READ;
        return p_expect_kw(p, SQL_KW_READ);
    } else if (p_expect_kw(p, SQL_KW_READ)) {
        if (p_accept_kw(p, SQL_KW_COMMITTED)) t->isolation = SQL_ISO_READ_COMMITTED;
        else if (p_expect_kw(p, SQL_KW_UNCOMMITTED)) t->isolation = SQL_ISO_READ_UNCOMMITTED;
        else return false;
    } else {
        return false;
    }
    return true;
}

/* ISOLATION LEVEL ..., READ ONLY | READ WRITE, [NOT] DEFERRABLE; commas optional. */
static bool txn_modes(sql_parser *p, sql_transaction *t, bool required) {
    bool any = false;
    for (;;) {
        if (any) p_accept(p, ',');
        if (p_accept_kw(p, SQL_KW_ISOLATION)) {
            if (!txn_isolation(p, t)) return false;
        } else if (p_accept_kw(p, SQL_KW_READ)) {
            if (p_accept_kw(p, SQL_KW_ONLY)) t->read_only = 1;
            else if (p_expect_kw(p, SQL_KW_WRITE)) t->read_only = 0;
            else return false;
        } else if (p_accept_kw(p, SQL_KW_DEFERRABLE)) {
            t->deferrable = 1;
        } else if (p_is_kw(p, SQL_KW_NOT) && p_is_kw_at(p, 1, SQL_KW_DEFERRABLE)) {
            p_next(p);
            p_next(p);
            t->deferrable = 0;
        } else {
            return any || !required || p_error(p);
        }
        any = true;
    }
}

static bool txn_chain(sql_parser *p, sql_transaction *t) {
    if (!p_accept_kw(p, SQL_KW_AND)) return true;
    t->chain = !p_accept_kw(p, SQL_KW_NO);
    return p_expect_kw(p, SQL_KW_CHAIN);
}

static bool txn_savepoint_name(sql_parser *p, sql_transaction *t) {
    return (t->savepoint = sql_parse_col_id(p)) != NULL;
}

static bool txn_gid(sql_parser *p, sql_transaction *t) {
    return (t->savepoint = sql_parse_sconst(p)) != NULL;
}

static sql_node *txn_rollback(sql_parser *p, sql_transaction *t, bool abort) {
    if (!abort && p_accept_kw(p, SQL_KW_PREPARED)) {
        t->txn_kind = SQL_TXN_ROLLBACK_PREPARED;
        return txn_gid(p, t) ? &t->hdr : NULL;
    }
    if (!p_accept_kw(p, SQL_KW_WORK)) p_accept_kw(p, SQL_KW_TRANSACTION);
    if (!abort && p_accept_kw(p, SQL_KW_TO)) {
        t->txn_kind = SQL_TXN_ROLLBACK_TO;
        p_accept_kw(p, SQL_KW_SAVEPOINT);
        return txn_savepoint_name(p, t) ? &t->hdr : NULL;
    }
    return txn_chain(p, t) ? &t->hdr : NULL;
}

sql_node *sql_parse_transaction(sql_parser *p) {
    uint32_t location = p_loc(p);
    sql_kw kw = (sql_kw)p_tok(p)->kw;
    sql_transaction *t = txn_new(p, SQL_TXN_BEGIN, location);
    if (t == NULL) return NULL;
    p_next(p);
    switch (kw) {
    case SQL_KW_BEGIN:
        if (!p_accept_kw(p, SQL_KW_WORK)) p_accept_kw(p, SQL_KW_TRANSACTION);
        return txn_modes(p, t, false) ? &t->hdr : NULL;
    case SQL_KW_START:
        t->txn_kind = SQL_TXN_START;
        return p_expect_kw(p, SQL_KW_TRANSACTION) && txn_modes(p, t, false) ? &t->hdr : NULL;
    case SQL_KW_COMMIT: case SQL_KW_END:
        t->txn_kind = SQL_TXN_COMMIT;
        if (kw == SQL_KW_COMMIT && p_accept_kw(p, SQL_KW_PREPARED)) {
            t->txn_kind = SQL_TXN_COMMIT_PREPARED;
            return txn_gid(p, t) ? &t->hdr : NULL;
        }
        if (!p_accept_kw(p, SQL_KW_WORK)) p_accept_kw(p, SQL_KW_TRANSACTION);
        return txn_chain(p, t) ? &t->hdr : NULL;
    case SQL_KW_ROLLBACK: case SQL_KW_ABORT:
        t->txn_kind = SQL_TXN_ROLLBACK;
        return txn_rollback(p, t, kw == SQL_KW_ABORT);
    case SQL_KW_SAVEPOINT:
        t->txn_kind = SQL_TXN_SAVEPOINT;
        return txn_savepoint_name(p, t) ? &t->hdr : NULL;
    case SQL_KW_RELEASE:
        t->txn_kind = SQL_TXN_RELEASE;
        p_accept_kw(p, SQL_KW_SAVEPOINT);
        return txn_savepoint_name(p, t) ? &t->hdr : NULL;
    default: /* PREPARE TRANSACTION 'gid' */
        t->txn_kind = SQL_TXN_PREPARE;
        p_next(p);
        return txn_gid(p, t) ? &t->hdr : NULL;
    }
}

/* ---- SET ---- */

static sql_set *set_new(sql_parser *p, sql_set_kind kind, const char *name, uint32_t location) {
    sql_set *s = P_NODE(p, sql_set, SQL_N_SET, location);
    if (s == NULL) return NULL;
    s->set_kind = kind;
    s->name = name;
    return s;
}

/* var_value: a string, a number, or a word (ON, TRUE and FALSE included). */
static sql_node *set_value(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind == SQL_TOK_SCONST) {
        p_next(p);
        return sql_parse_const_str(p, t->str, t->start);
    }
    if (t->kind == SQL_TOK_ICONST || t->kind == SQL_TOK_FCONST || t->kind == '-' ||
        t->kind == '+') {
        return sql_parse_numeric_only(p);
    }
    if (p_is_kw(p, SQL_KW_ON) || p_is_kw(p, SQL_KW_TRUE) || p_is_kw(p, SQL_KW_FALSE) ||
        sql_parse_tok_is_nonreserved(t)) {
        p_next(p);
        return sql_parse_word_ref(p, t->str, t->start);
    }
    p_error(p);
    return NULL;
}

/* var_name: a.b.c joined with dots. */
static const char *set_var_name(sql_parser *p) {
    const char *name = sql_parse_col_id(p);
    while (name != NULL && p_accept(p, '.')) {
        const char *part = sql_parse_col_id(p);
        if (part == NULL) return NULL;
        name = rt_arena_sprintf(p->arena, "%s.%s", name, part);
        if (name == NULL) sql_parse_oom(p);
    }
    return name;
}

static sql_set *set_generic(sql_parser *p, uint32_t location) {
    const char *name = set_var_name(p);
    if (name == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_FROM) && p_is_kw_at(p, 1, SQL_KW_CURRENT)) {
        p_next(p);
        p_next(p);
        return set_new(p, SQL_SET_FROM_CURRENT, name, location);
    }
    if (!p_accept_kw(p, SQL_KW_TO) && !p_expect(p, '=')) return NULL;
    if (p_accept_kw(p, SQL_KW_DEFAULT)) return set_new(p, SQL_SET_DEFAULT, name, location);
    sql_set *s = set_new(p, SQL_SET_VALUE, name, location);
    if (s == NULL) return NULL;
    do {
        sql_node *v = set_value(p);
        if (v == NULL || !p_push(p, &s->values, v)) return NULL;
    } while (p_accept(p, ','));
    return s;
}

/* SET TIME ZONE: a string, a word, a number, INTERVAL '...', DEFAULT or LOCAL. */
static sql_set *set_time_zone(sql_parser *p, uint32_t location) {
    p_next(p);
    p_next(p);
    if (p_accept_kw(p, SQL_KW_DEFAULT) || p_accept_kw(p, SQL_KW_LOCAL)) {
        return set_new(p, SQL_SET_DEFAULT, "timezone", location);
    }
    sql_set *s = set_new(p, SQL_SET_VALUE, "timezone", location);
    if (s == NULL) return NULL;
    sql_node *v = p_is_kw(p, SQL_KW_INTERVAL) ? sql_parse_c_expr(p) : set_value(p);
    return v != NULL && p_push(p, &s->values, v) ? s : NULL;
}

/* A setting of one value spelled by a phrase: SET SCHEMA 'x', SET NAMES 'x', SET ROLE r... */
static sql_set *set_single(sql_parser *p, const char *name, uint32_t location, bool default_ok) {
    if (default_ok && p_accept_kw(p, SQL_KW_DEFAULT)) {
        return set_new(p, SQL_SET_DEFAULT, name, location);
    }
    sql_set *s = set_new(p, SQL_SET_VALUE, name, location);
    if (s == NULL) return NULL;
    sql_node *v = set_value(p);
    return v != NULL && p_push(p, &s->values, v) ? s : NULL;
}

static sql_set *set_rest(sql_parser *p, uint32_t location) {
    const sql_token *t = p_tok(p);
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_TIME:
        if (!p_is_kw_at(p, 1, SQL_KW_ZONE)) break;
        return set_time_zone(p, location);
    case SQL_KW_SCHEMA:
        if (p_kind_at(p, 1) != SQL_TOK_SCONST) break;
        p_next(p);
        return set_single(p, "search_path", location, false);
    case SQL_KW_NAMES:
        p_next(p);
        if (p_is(p, SQL_TOK_EOF) || p_is(p, ';')) {
            return set_new(p, SQL_SET_DEFAULT, "client_encoding", location);
        }
        return set_single(p, "client_encoding", location, true);
    case SQL_KW_ROLE:
        if (p_kind_at(p, 1) == '=' || p_is_kw_at(p, 1, SQL_KW_TO)) break;
        p_next(p);
        return set_single(p, "role", location, false);
    case SQL_KW_SESSION:
        if (!p_is_kw_at(p, 1, SQL_KW_AUTHORIZATION)) break;
        p_next(p);
        p_next(p);
        return set_single(p, "session_authorization", location, true);
    case SQL_KW_CATALOG:
        if (p_kind_at(p, 1) != SQL_TOK_SCONST) break;
        sql_parse_fail(p, SQLSTATE_FEATURE_NOT_SUPPORTED, p_peek(p, 1)->start,
                       "current database cannot be changed");
        return NULL;
    case SQL_KW_XML:
        if (!p_is_kw_at(p, 1, SQL_KW_OPTION)) break;
        p_next(p);
        p_next(p);
        return set_single(p, "xmloption", location, false);
    default: break;
    }
    return set_generic(p, location);
}

/* SET TRANSACTION modes / SET SESSION CHARACTERISTICS AS TRANSACTION modes. */
static sql_node *set_transaction(sql_parser *p, sql_txn_kind kind, uint32_t location) {
    sql_transaction *t = txn_new(p, kind, location);
    if (t == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_SNAPSHOT)) {
        sql_parse_unsupported(p, p_loc(p), "SET TRANSACTION SNAPSHOT");
        return NULL;
    }
    return txn_modes(p, t, true) ? &t->hdr : NULL;
}

/* SET CONSTRAINTS { ALL | name [, ...] } { DEFERRED | IMMEDIATE } */
static sql_node *set_constraints(sql_parser *p, uint32_t location) {
    sql_set *s = set_new(p, SQL_SET_CONSTRAINTS, NULL, location);
    if (s == NULL) return NULL;
    if (!p_accept_kw(p, SQL_KW_ALL)) {
        do {
            uint32_t at = p_loc(p);
            const char *name = set_var_name(p);
            sql_node *w = name != NULL ? sql_parse_word_ref(p, name, at) : NULL;
            if (w == NULL || !p_push(p, &s->values, w)) return NULL;
        } while (p_accept(p, ','));
    }
    s->deferred = p_accept_kw(p, SQL_KW_DEFERRED);
    if (!s->deferred && !p_expect_kw(p, SQL_KW_IMMEDIATE)) return NULL;
    return &s->hdr;
}

sql_node *sql_parse_set(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    if (p_is_kw(p, SQL_KW_CONSTRAINTS) && p_kind_at(p, 1) != '=' &&
        !p_is_kw_at(p, 1, SQL_KW_TO)) {
        p_next(p);
        return set_constraints(p, location);
    }
    if (p_is_kw(p, SQL_KW_SESSION) && p_is_kw_at(p, 1, SQL_KW_CHARACTERISTICS)) {
        p_next(p);
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_AS) || !p_expect_kw(p, SQL_KW_TRANSACTION)) return NULL;
        return set_transaction(p, SQL_TXN_SET_SESSION_DEFAULTS, location);
    }
    /* SET LOCAL x / SET SESSION x, unless LOCAL or SESSION is the setting's own name. */
    bool is_local = false;
    bool scope = p_is_kw(p, SQL_KW_LOCAL) ||
                 (p_is_kw(p, SQL_KW_SESSION) && !p_is_kw_at(p, 1, SQL_KW_AUTHORIZATION));
    if (scope && p_kind_at(p, 1) != '=' && !p_is_kw_at(p, 1, SQL_KW_TO)) {
        is_local = p_is_kw(p, SQL_KW_LOCAL);
        p_next(p);
    }
    if (p_accept_kw(p, SQL_KW_TRANSACTION)) {
        return set_transaction(p, SQL_TXN_SET_TRANSACTION, location);
    }
    sql_set *s = set_rest(p, location);
    if (s == NULL) return NULL;
    s->is_local = is_local;
    return &s->hdr;
}

/* ---- RESET, SHOW ---- */

/* The name after RESET / SHOW, with the phrases PostgreSQL maps to setting names. */
static const char *show_name(sql_parser *p) {
    if (p_is_kw(p, SQL_KW_TIME) && p_is_kw_at(p, 1, SQL_KW_ZONE)) {
        p_next(p);
        p_next(p);
        return "timezone";
    }
    if (p_is_kw(p, SQL_KW_TRANSACTION) && p_is_kw_at(p, 1, SQL_KW_ISOLATION)) {
        p_next(p);
        p_next(p);
        return p_expect_kw(p, SQL_KW_LEVEL) ? "transaction_isolation" : NULL;
    }
    if (p_is_kw(p, SQL_KW_SESSION) && p_is_kw_at(p, 1, SQL_KW_AUTHORIZATION)) {
        p_next(p);
        p_next(p);
        return "session_authorization";
    }
    if (p_accept_kw(p, SQL_KW_ALL)) return "all";
    return set_var_name(p);
}

sql_node *sql_parse_reset(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    const char *name = show_name(p);
    if (name == NULL) return NULL;
    bool all = strcmp(name, "all") == 0;
    return (sql_node *)set_new(p, all ? SQL_SET_RESET_ALL : SQL_SET_RESET, all ? NULL : name,
                               location);
}

sql_node *sql_parse_show(sql_parser *p) {
    sql_show *s = P_NODE(p, sql_show, SQL_N_SHOW, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    return (s->name = show_name(p)) != NULL ? &s->hdr : NULL;
}
