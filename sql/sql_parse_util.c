/* sql_parse_util.c: utility statements: PREPARE, EXECUTE, DEALLOCATE, DECLARE CURSOR,
 * FETCH/MOVE, CLOSE, EXPLAIN (with Dreambase's HYBRID), ANALYZE, VACUUM, COPY (both option
 * syntaxes, the old one normalised into the new option names), LISTEN, UNLISTEN, NOTIFY,
 * DISCARD, LOCK, GRANT/REVOKE, DO. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/sql_parse_int.h"

/* ---- generic options: (name [value], ...) of EXPLAIN, VACUUM, ANALYZE, COPY ---- */

/* An option's value: a string, a number, a word, `*`, or a parenthesised list (COPY). */
static bool util_option_value(sql_parser *p, sql_defelem *d) {
    const sql_token *t = p_tok(p);
    if (t->kind == ',' || t->kind == ')') return true;
    if (t->kind == SQL_TOK_SCONST) {
        p_next(p);
        return (d->value = sql_parse_const_str(p, t->str, t->start)) != NULL;
    }
    if (t->kind == SQL_TOK_ICONST || t->kind == SQL_TOK_FCONST || t->kind == '-' ||
        t->kind == '+') {
        return (d->value = sql_parse_numeric_only(p)) != NULL;
    }
    if (t->kind == '*') {
        p_next(p);
        return (d->value = (sql_node *)P_NODE(p, sql_star, SQL_N_STAR, t->start)) != NULL;
    }
    if (t->kind == '(') {
        sql_row *r = P_NODE(p, sql_row, SQL_N_ROW, t->start);
        if (r == NULL) return false;
        p_next(p);
        do {
            const sql_token *w = p_tok(p);
            sql_node *v = w->kind == SQL_TOK_SCONST ? sql_parse_const_str(p, w->str, w->start)
                          : sql_parse_tok_is_col_label(w) ? sql_parse_word_ref(p, w->str, w->start)
                                                          : NULL;
            if (v == NULL) return p_error(p);
            p_next(p);
            if (!p_push(p, &r->args, v)) return false;
        } while (p_accept(p, ','));
        d->value = &r->hdr;
        return p_expect(p, ')');
    }
    if (t->kind != SQL_TOK_IDENT && t->kind != SQL_TOK_KEYWORD) return p_error(p);
    d->word = t->str;
    p_next(p);
    return (d->value = sql_parse_word_ref(p, t->str, t->start)) != NULL;
}

static bool util_option_list(sql_parser *p, sql_list *out) {
    if (!p_expect(p, '(')) return false;
    do {
        uint32_t location = p_loc(p);
        const char *name = sql_parse_col_label(p);
        sql_defelem *d = name == NULL ? NULL : sql_parse_defelem_new(p, name, NULL, location);
        if (d == NULL || !util_option_value(p, d) || !p_push(p, out, d)) return false;
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

/* PostgreSQL's defGetBoolean: no value, true/false/on/off (any case) or 1/0. */
static bool util_option_bool(sql_parser *p, const sql_defelem *d, bool *out) {
    if (d->value == NULL) {
        *out = true;
        return true;
    }
    const sql_const *c = (const sql_const *)d->value;
    const char *s = d->word;
    if (d->value->kind == SQL_N_CONST && c->const_kind == SQL_CONST_INTEGER &&
        (c->int_value == 0 || c->int_value == 1)) {
        *out = c->int_value == 1;
        return true;
    }
    if (d->value->kind == SQL_N_CONST && c->const_kind == SQL_CONST_STRING) s = c->text;
    if (s != NULL) {
        if (strcasecmp(s, "true") == 0 || strcasecmp(s, "on") == 0) return *out = true, true;
        if (strcasecmp(s, "false") == 0 || strcasecmp(s, "off") == 0) return *out = false, true;
    }
    return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, UINT32_MAX, "%s requires a Boolean value",
                          d->name);
}

/* ---- EXPLAIN ---- */

static bool explain_format(sql_parser *p, sql_explain *e, const sql_defelem *d) {
    const char *s = d->word;
    if (d->value != NULL && d->value->kind == SQL_N_CONST &&
        ((const sql_const *)d->value)->const_kind == SQL_CONST_STRING) {
        s = ((const sql_const *)d->value)->text;
    }
    static const char *const formats[] = {"text", "xml", "json", "yaml"};
    for (size_t i = 0; s != NULL && i < 4; i++) {
        if (strcasecmp(s, formats[i]) == 0) {
            e->format = formats[i];
            return true;
        }
    }
    return sql_parse_fail(p, SQLSTATE_INVALID_PARAMETER_VALUE, d->hdr.location,
                          "unrecognized value for EXPLAIN option \"%s\": \"%s\"", d->name,
                          s != NULL ? s : "");
}

/* Applies one EXPLAIN option, refusing unknown ones as PostgreSQL does. */
static bool explain_option(sql_parser *p, sql_explain *e, const sql_defelem *d) {
    if (strcmp(d->name, "format") == 0) return explain_format(p, e, d);
    static const char *const names[] = {"analyze", "verbose", "costs", "buffers", "timing",
                                        "summary", "hybrid", "settings", "wal"};
    bool *fields[] = {&e->analyze, &e->verbose, &e->costs, &e->buffers, &e->timing,
                      &e->summary, &e->hybrid, NULL, NULL};
    bool value;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(d->name, names[i]) != 0) continue;
        if (!util_option_bool(p, d, &value)) return false;
        if (fields[i] != NULL) *fields[i] = value;
        if (fields[i] == &e->costs) e->costs_set = true;
        if (fields[i] == &e->timing) e->timing_set = true;
        if (fields[i] == &e->summary) e->summary_set = true;
        return true;
    }
    return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, d->hdr.location,
                          "unrecognized EXPLAIN option \"%s\"", d->name);
}

static bool explain_options(sql_parser *p, sql_explain *e) {
    if (!util_option_list(p, &e->options)) return false;
    for (uint32_t i = 0; i < e->options.count; i++) {
        if (!explain_option(p, e, SQL_LIST_AT(e->options, i))) return false;
    }
    if (e->timing_set && e->timing && !e->analyze) {
        return sql_parse_fail(p, SQLSTATE_INVALID_PARAMETER_VALUE, UINT32_MAX,
                              "EXPLAIN option TIMING requires ANALYZE");
    }
    return true;
}

/* The statements EXPLAIN takes: queries, DML, DECLARE, CREATE TABLE AS, EXECUTE. */
static sql_node *explain_stmt(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (p_is_kw(p, SQL_KW_DECLARE)) return sql_parse_declare(p);
    if (p_is_kw(p, SQL_KW_EXECUTE)) return sql_parse_execute(p);
    if (p_is_kw(p, SQL_KW_CREATE)) {
        sql_node *n = sql_parse_create(p);
        bool ok = n == NULL ||
                  (n->kind == SQL_N_CREATE_TABLE && ((sql_create_table *)n)->as_query != NULL) ||
                  (n->kind == SQL_N_CREATE_VIEW && ((sql_create_view *)n)->materialized);
        return ok ? n : (sql_parse_syntax_error(p, t), NULL);
    }
    if (!sql_parse_starts_preparable(p)) return p_error(p), NULL;
    return sql_parse_preparable(p);
}

sql_node *sql_parse_explain(sql_parser *p) {
    sql_explain *e = P_NODE(p, sql_explain, SQL_N_EXPLAIN, p_loc(p));
    if (e == NULL) return NULL;
    e->costs = e->timing = true;
    e->format = "text";
    p_next(p);
    if (p_is(p, '(') && !sql_parse_starts_select(p, 1) && p_kind_at(p, 1) != '(') {
        if (!explain_options(p, e)) return NULL;
    } else {
        e->analyze = p_accept_kw(p, SQL_KW_ANALYZE) || p_accept_kw(p, SQL_KW_ANALYSE);
        e->verbose = p_accept_kw(p, SQL_KW_VERBOSE);
    }
    if (p_accept_kw(p, SQL_KW_HYBRID)) e->hybrid = true;
    e->summary = e->summary_set ? e->summary : e->analyze;
    return (e->stmt = explain_stmt(p)) != NULL ? &e->hdr : NULL;
}

/* ---- PREPARE, EXECUTE, DEALLOCATE ---- */

sql_node *sql_parse_prepare(sql_parser *p) {
    sql_prepare *s = P_NODE(p, sql_prepare, SQL_N_PREPARE, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    if ((s->name = sql_parse_col_id(p)) == NULL) return NULL;
    if (p_accept(p, '(')) {
        do {
            sql_typename *t = sql_parse_type(p);
            if (t == NULL || !p_push(p, &s->arg_types, t)) return NULL;
        } while (p_accept(p, ','));
        if (!p_expect(p, ')')) return NULL;
    }
    if (!p_expect_kw(p, SQL_KW_AS)) return NULL;
    uint32_t start = p_loc(p);
    if (!sql_parse_starts_preparable(p)) return p_error(p), NULL;
    if ((s->query = sql_parse_preparable(p)) == NULL) return NULL;
    return (s->query_text = sql_parse_text(p, start, p->prev_end)) != NULL ? &s->hdr : NULL;
}

sql_node *sql_parse_execute(sql_parser *p) {
    sql_execute *s = P_NODE(p, sql_execute, SQL_N_EXECUTE, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    if ((s->name = sql_parse_col_id(p)) == NULL) return NULL;
    if (p_accept(p, '(') && (!sql_parse_expr_list(p, &s->params) || !p_expect(p, ')'))) {
        return NULL;
    }
    return &s->hdr;
}

sql_node *sql_parse_deallocate(sql_parser *p) {
    sql_deallocate *s = P_NODE(p, sql_deallocate, SQL_N_DEALLOCATE, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    p_accept_kw(p, SQL_KW_PREPARE);
    if (p_accept_kw(p, SQL_KW_ALL)) return &s->hdr;
    return (s->name = sql_parse_col_id(p)) != NULL ? &s->hdr : NULL;
}

/* ---- cursors ---- */

static bool declare_options(sql_parser *p, sql_declare_cursor *c) {
    for (;;) {
        if (p_accept_kw(p, SQL_KW_BINARY)) c->binary = true;
        else if (p_accept_kw(p, SQL_KW_INSENSITIVE)) c->insensitive = true;
        else if (p_accept_kw(p, SQL_KW_ASENSITIVE)) {}
        else if (p_accept_kw(p, SQL_KW_SCROLL)) c->scroll = true;
        else if (p_is_kw(p, SQL_KW_NO) && p_is_kw_at(p, 1, SQL_KW_SCROLL)) {
            p_next(p);
            p_next(p);
            c->no_scroll = true;
        } else {
            return true;
        }
    }
}

sql_node *sql_parse_declare(sql_parser *p) {
    sql_declare_cursor *c = P_NODE(p, sql_declare_cursor, SQL_N_DECLARE_CURSOR, p_loc(p));
    if (c == NULL) return NULL;
    p_next(p);
    if ((c->name = sql_parse_col_id(p)) == NULL || !declare_options(p, c)) return NULL;
    if (!p_expect_kw(p, SQL_KW_CURSOR)) return NULL;
    if (p_accept_kw(p, SQL_KW_WITH)) {
        if (!p_expect_kw(p, SQL_KW_HOLD)) return NULL;
        c->with_hold = true;
    } else if (p_accept_kw(p, SQL_KW_WITHOUT) && !p_expect_kw(p, SQL_KW_HOLD)) {
        return NULL;
    }
    if (!p_expect_kw(p, SQL_KW_FOR)) return NULL;
    return (c->query = (sql_node *)sql_parse_select(p)) != NULL ? &c->hdr : NULL;
}

static bool fetch_count(sql_parser *p, sql_fetch *f, sql_fetch_dir dir, sql_fetch_dir all_dir) {
    f->dir = dir;
    if (all_dir != 0 && p_accept_kw(p, SQL_KW_ALL)) {
        f->dir = all_dir;
        return true;
    }
    if (p_is(p, SQL_TOK_ICONST) || p_is(p, '-') || p_is(p, '+')) {
        return sql_parse_signed_int(p, &f->count);
    }
    return true;
}

/* The direction of FETCH/MOVE; a direction word alone is the cursor's name (FETCH next). */
static bool fetch_direction(sql_parser *p, sql_fetch *f) {
    const sql_token *t = p_tok(p);
    f->dir = SQL_FETCH_NEXT;
    f->count = 1;
    uint32_t after = p_kind_at(p, 1);
    if (after == SQL_TOK_EOF || after == ';') return true;
    if (t->kind == SQL_TOK_ICONST || t->kind == '-' || t->kind == '+') {
        f->dir = SQL_FETCH_FORWARD;
        return sql_parse_signed_int(p, &f->count);
    }
    if (t->kind != SQL_TOK_KEYWORD) return true;
    sql_kw kw = (sql_kw)t->kw;
    switch (kw) {
    case SQL_KW_NEXT: p_next(p); return true;
    case SQL_KW_PRIOR: p_next(p); f->dir = SQL_FETCH_PRIOR; return true;
    case SQL_KW_FIRST: p_next(p); f->dir = SQL_FETCH_FIRST; return true;
    case SQL_KW_LAST: p_next(p); f->dir = SQL_FETCH_LAST; f->count = -1; return true;
    case SQL_KW_ABSOLUTE: case SQL_KW_RELATIVE:
        p_next(p);
        f->dir = kw == SQL_KW_ABSOLUTE ? SQL_FETCH_ABSOLUTE : SQL_FETCH_RELATIVE;
        return sql_parse_signed_int(p, &f->count);
    case SQL_KW_ALL: p_next(p); f->dir = SQL_FETCH_FORWARD_ALL; return true;
    case SQL_KW_FORWARD:
        p_next(p);
        return fetch_count(p, f, SQL_FETCH_FORWARD, SQL_FETCH_FORWARD_ALL);
    case SQL_KW_BACKWARD:
        p_next(p);
        return fetch_count(p, f, SQL_FETCH_BACKWARD, SQL_FETCH_BACKWARD_ALL);
    default: return true;
    }
}

sql_node *sql_parse_fetch(sql_parser *p) {
    sql_fetch *f = P_NODE(p, sql_fetch, SQL_N_FETCH, p_loc(p));
    if (f == NULL) return NULL;
    f->is_move = p_is_kw(p, SQL_KW_MOVE);
    p_next(p);
    if (!fetch_direction(p, f)) return NULL;
    if (!p_accept_kw(p, SQL_KW_FROM)) p_accept_kw(p, SQL_KW_IN);
    return (f->cursor = sql_parse_col_id(p)) != NULL ? &f->hdr : NULL;
}

sql_node *sql_parse_close(sql_parser *p) {
    sql_close *c = P_NODE(p, sql_close, SQL_N_CLOSE, p_loc(p));
    if (c == NULL) return NULL;
    p_next(p);
    if (p_accept_kw(p, SQL_KW_ALL)) return &c->hdr;
    return (c->cursor = sql_parse_col_id(p)) != NULL ? &c->hdr : NULL;
}

/* ---- ANALYZE, VACUUM ---- */

/* table [(columns)], ...: the columns go into the range variable's col_aliases. */
static bool util_table_columns(sql_parser *p, sql_list *out) {
    if (!p_is_col_id(p)) return true;
    do {
        sql_rangevar *r = P_NODE(p, sql_rangevar, SQL_N_RANGEVAR, p_loc(p));
        if (r == NULL || !sql_parse_any_name(p, &r->name, 3)) return false;
        if (p_is(p, '(') && !sql_parse_name_list_paren(p, &r->col_aliases)) return false;
        if (!p_push(p, out, r)) return false;
    } while (p_accept(p, ','));
    return true;
}

static bool util_flag_options(sql_parser *p, const sql_list *options, const char *const *names,
                              bool *const *fields, size_t count) {
    for (uint32_t i = 0; i < options->count; i++) {
        const sql_defelem *d = SQL_LIST_AT(*options, i);
        for (size_t k = 0; k < count; k++) {
            if (strcmp(d->name, names[k]) == 0 && !util_option_bool(p, d, fields[k])) return false;
        }
    }
    return true;
}

sql_node *sql_parse_analyze(sql_parser *p) {
    sql_analyze *a = P_NODE(p, sql_analyze, SQL_N_ANALYZE, p_loc(p));
    if (a == NULL) return NULL;
    p_next(p);
    if (p_is(p, '(')) {
        sql_list options = {0};
        static const char *const names[] = {"verbose"};
        bool *fields[] = {&a->verbose};
        if (!util_option_list(p, &options) || !util_flag_options(p, &options, names, fields, 1)) {
            return NULL;
        }
    } else {
        a->verbose = p_accept_kw(p, SQL_KW_VERBOSE);
    }
    return util_table_columns(p, &a->tables) ? &a->hdr : NULL;
}

sql_node *sql_parse_vacuum(sql_parser *p) {
    sql_vacuum *v = P_NODE(p, sql_vacuum, SQL_N_VACUUM, p_loc(p));
    if (v == NULL) return NULL;
    p_next(p);
    if (p_is(p, '(')) {
        static const char *const names[] = {"full", "freeze", "verbose", "analyze"};
        bool *fields[] = {&v->full, &v->freeze, &v->verbose, &v->analyze};
        if (!util_option_list(p, &v->options) ||
            !util_flag_options(p, &v->options, names, fields, 4)) {
            return NULL;
        }
    } else {
        v->full = p_accept_kw(p, SQL_KW_FULL);
        v->freeze = p_accept_kw(p, SQL_KW_FREEZE);
        v->verbose = p_accept_kw(p, SQL_KW_VERBOSE);
        v->analyze = p_accept_kw(p, SQL_KW_ANALYZE) || p_accept_kw(p, SQL_KW_ANALYSE);
    }
    return util_table_columns(p, &v->tables) ? &v->hdr : NULL;
}

/* ---- REINDEX ---- */

/* PostgreSQL 15's grammar: REINDEX [ ( option [, ...] ) ] { INDEX | TABLE } [ CONCURRENTLY ]
 * qualified_name, or { SCHEMA | DATABASE | SYSTEM } [ CONCURRENTLY ] name; the options are
 * VERBOSE, CONCURRENTLY (Booleans) and TABLESPACE name. */
static bool reindex_options(sql_parser *p, sql_reindex *r) {
    sql_list options = {0};
    if (!util_option_list(p, &options)) return false;
    for (uint32_t i = 0; i < options.count; i++) {
        const sql_defelem *d = SQL_LIST_AT(options, i);
        if (strcmp(d->name, "verbose") == 0) {
            if (!util_option_bool(p, d, &r->verbose)) return false;
        } else if (strcmp(d->name, "concurrently") == 0) {
            if (!util_option_bool(p, d, &r->concurrently)) return false;
        } else if (strcmp(d->name, "tablespace") == 0) {
            r->tablespace = d->word != NULL ? d->word : "";
        } else {
            return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, d->hdr.location,
                                  "unrecognized REINDEX option \"%s\"", d->name);
        }
    }
    return true;
}

sql_node *sql_parse_reindex(sql_parser *p) {
    sql_reindex *r = P_NODE(p, sql_reindex, SQL_N_REINDEX, p_loc(p));
    if (r == NULL) return NULL;
    p_next(p);
    if (p_is(p, '(') && !reindex_options(p, r)) return NULL;
    static const sql_kw kws[] = {SQL_KW_INDEX, SQL_KW_TABLE, SQL_KW_SCHEMA, SQL_KW_DATABASE,
                                 SQL_KW_SYSTEM};
    for (uint32_t i = 0; i < sizeof kws / sizeof kws[0] && r->target == 0; i++) {
        if (p_accept_kw(p, kws[i])) r->target = (sql_reindex_target)(SQL_REINDEX_INDEX + i);
    }
    if (r->target == 0) return p_error(p), NULL;
    if (p_accept_kw(p, SQL_KW_CONCURRENTLY)) r->concurrently = true;
    if (r->target <= SQL_REINDEX_TABLE) {
        return sql_parse_any_name(p, &r->name, 3) ? &r->hdr : NULL;
    }
    const char *name = sql_parse_col_id(p);
    if (name == NULL) return NULL;
    r->name.parts[0] = name;
    r->name.count = 1;
    return &r->hdr;
}

/* ---- COPY ---- */

static bool copy_push(sql_parser *p, sql_copy *c, const char *name, sql_node *value,
                      const char *word, uint32_t location) {
    sql_defelem *d = sql_parse_defelem_new(p, name, value, location);
    if (d == NULL) return false;
    d->word = word;
    return p_push(p, &c->options, d);
}

static bool copy_push_string(sql_parser *p, sql_copy *c, const char *name, uint32_t location) {
    p_accept_kw(p, SQL_KW_AS);
    uint32_t at = p_loc(p);
    const char *s = sql_parse_sconst(p);
    return s != NULL && copy_push(p, c, name, sql_parse_const_str(p, s, at), NULL, location);
}

/* FORCE QUOTE cols | * , FORCE NOT NULL cols, FORCE NULL cols */
static bool copy_old_force(sql_parser *p, sql_copy *c, uint32_t location) {
    const char *name = "force_quote";
    if (p_accept_kw(p, SQL_KW_NOT)) {
        name = "force_not_null";
        if (!p_expect_kw(p, SQL_KW_NULL)) return false;
    } else if (p_accept_kw(p, SQL_KW_NULL)) {
        name = "force_null";
    } else if (!p_expect_kw(p, SQL_KW_QUOTE)) {
        return false;
    }
    if (p_is(p, '*') && strcmp(name, "force_quote") == 0) {
        sql_node *star = (sql_node *)P_NODE(p, sql_star, SQL_N_STAR, p_loc(p));
        p_next(p);
        return star != NULL && copy_push(p, c, name, star, NULL, location);
    }
    sql_row *r = P_NODE(p, sql_row, SQL_N_ROW, p_loc(p));
    if (r == NULL) return false;
    do {
        uint32_t at = p_loc(p);
        const char *col = sql_parse_col_id(p);
        sql_node *w = col == NULL ? NULL : sql_parse_word_ref(p, col, at);
        if (w == NULL || !p_push(p, &r->args, w)) return false;
    } while (p_accept(p, ','));
    return copy_push(p, c, name, &r->hdr, NULL, location);
}

/* The pre-9.0 option words, normalised into the option names of COPY (...). */
static bool copy_old_option(sql_parser *p, sql_copy *c) {
    uint32_t location = p_loc(p);
    const sql_token *t = p_tok(p);
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_BINARY:
        p_next(p);
        return copy_push(p, c, "format", sql_parse_word_ref(p, "binary", location), "binary",
                         location);
    case SQL_KW_CSV:
        p_next(p);
        return copy_push(p, c, "format", sql_parse_word_ref(p, "csv", location), "csv", location);
    case SQL_KW_FREEZE: p_next(p); return copy_push(p, c, "freeze", NULL, NULL, location);
    case SQL_KW_HEADER: p_next(p); return copy_push(p, c, "header", NULL, NULL, location);
    case SQL_KW_DELIMITER: p_next(p); return copy_push_string(p, c, "delimiter", location);
    case SQL_KW_NULL: p_next(p); return copy_push_string(p, c, "null", location);
    case SQL_KW_QUOTE: p_next(p); return copy_push_string(p, c, "quote", location);
    case SQL_KW_ESCAPE: p_next(p); return copy_push_string(p, c, "escape", location);
    case SQL_KW_ENCODING: p_next(p); return copy_push_string(p, c, "encoding", location);
    case SQL_KW_FORCE: p_next(p); return copy_old_force(p, c, location);
    default: return sql_parse_syntax_error(p, t);
    }
}

static bool copy_old_option_starts(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_BINARY: case SQL_KW_CSV: case SQL_KW_FREEZE: case SQL_KW_HEADER:
    case SQL_KW_DELIMITER: case SQL_KW_NULL: case SQL_KW_QUOTE: case SQL_KW_ESCAPE:
    case SQL_KW_ENCODING: case SQL_KW_FORCE:
        return true;
    default:
        return false;
    }
}

/* {FROM|TO} {'file' | PROGRAM 'command' | STDIN | STDOUT} */
static bool copy_target(sql_parser *p, sql_copy *c) {
    if (p_accept_kw(p, SQL_KW_FROM)) c->is_from = true;
    else if (!p_expect_kw(p, SQL_KW_TO)) return false;
    c->is_program = p_accept_kw(p, SQL_KW_PROGRAM);
    if (p_accept_kw(p, SQL_KW_STDIN) || p_accept_kw(p, SQL_KW_STDOUT)) {
        if (c->is_program) {
            return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, UINT32_MAX,
                                  "STDIN/STDOUT not allowed with PROGRAM");
        }
        return true;
    }
    return (c->filename = sql_parse_sconst(p)) != NULL;
}

static bool copy_options(sql_parser *p, sql_copy *c) {
    if (p_is_kw(p, SQL_KW_USING) && p_is_kw_at(p, 1, SQL_KW_DELIMITERS)) {
        uint32_t location = p_loc(p);
        p_next(p);
        p_next(p);
        if (!copy_push_string(p, c, "delimiter", location)) return false;
    }
    bool with = p_accept_kw(p, SQL_KW_WITH);
    if (p_is(p, '(')) return util_option_list(p, &c->options);
    while (copy_old_option_starts(p)) {
        if (!copy_old_option(p, c)) return false;
    }
    return !with || c->options.count > 0 || p_error(p);
}

sql_node *sql_parse_copy(sql_parser *p) {
    sql_copy *c = P_NODE(p, sql_copy, SQL_N_COPY, p_loc(p));
    if (c == NULL) return NULL;
    p_next(p);
    bool binary = p_is_kw(p, SQL_KW_BINARY);
    uint32_t binary_at = p_loc(p);
    if (binary) p_next(p);
    if (p_is(p, '(') && !binary) {
        p_next(p);
        if (!sql_parse_starts_preparable(p) || (c->query = sql_parse_preparable(p)) == NULL ||
            !p_expect(p, ')')) {
            return rt_err_is_set(p->err) ? NULL : (p_error(p), NULL);
        }
        if (!p_is_kw(p, SQL_KW_TO)) return p_error(p), NULL;
    } else {
        if ((c->table = sql_parse_relation(p)) == NULL) return NULL;
        if (p_is(p, '(') && !sql_parse_name_list_paren(p, &c->columns)) return NULL;
    }
    if (!copy_target(p, c)) return NULL;
    if (binary && !copy_push(p, c, "format", sql_parse_word_ref(p, "binary", binary_at), "binary",
                             binary_at)) {
        return NULL;
    }
    if (!copy_options(p, c)) return NULL;
    if (p_is_kw(p, SQL_KW_WHERE) && !c->is_from) {
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, p_loc(p), "WHERE clause not allowed with COPY TO");
        return NULL;
    }
    return sql_parse_where(p, &c->where) ? &c->hdr : NULL;
}

/* ---- LISTEN, UNLISTEN, NOTIFY, DISCARD, LOCK ---- */

sql_node *sql_parse_listen(sql_parser *p) {
    sql_listen *l = P_NODE(p, sql_listen, SQL_N_LISTEN, p_loc(p));
    if (l == NULL) return NULL;
    p_next(p);
    return (l->channel = sql_parse_col_id(p)) != NULL ? &l->hdr : NULL;
}

sql_node *sql_parse_unlisten(sql_parser *p) {
    sql_listen *l = P_NODE(p, sql_listen, SQL_N_UNLISTEN, p_loc(p));
    if (l == NULL) return NULL;
    p_next(p);
    if (p_accept(p, '*')) return &l->hdr;
    return (l->channel = sql_parse_col_id(p)) != NULL ? &l->hdr : NULL;
}

sql_node *sql_parse_notify(sql_parser *p) {
    sql_notify *n = P_NODE(p, sql_notify, SQL_N_NOTIFY, p_loc(p));
    if (n == NULL) return NULL;
    p_next(p);
    if ((n->channel = sql_parse_col_id(p)) == NULL) return NULL;
    if (p_accept(p, ',') && (n->payload = sql_parse_sconst(p)) == NULL) return NULL;
    return &n->hdr;
}

sql_node *sql_parse_discard(sql_parser *p) {
    sql_discard *d = P_NODE(p, sql_discard, SQL_N_DISCARD, p_loc(p));
    if (d == NULL) return NULL;
    p_next(p);
    if (p_accept_kw(p, SQL_KW_ALL)) d->what = SQL_DISCARD_ALL;
    else if (p_accept_kw(p, SQL_KW_PLANS)) d->what = SQL_DISCARD_PLANS;
    else if (p_accept_kw(p, SQL_KW_SEQUENCES)) d->what = SQL_DISCARD_SEQUENCES;
    else if (p_accept_kw(p, SQL_KW_TEMP) || p_accept_kw(p, SQL_KW_TEMPORARY)) {
        d->what = SQL_DISCARD_TEMP;
    } else {
        return p_error(p), NULL;
    }
    return &d->hdr;
}

/* IN <mode> MODE: ACCESS SHARE ... ACCESS EXCLUSIVE, as upper-case text. */
static const char *lock_mode(sql_parser *p) {
    static const struct { sql_kw a, b, c; const char *text; } modes[] = {
        {SQL_KW_ACCESS, SQL_KW_SHARE, 0, "ACCESS SHARE"},
        {SQL_KW_ACCESS, SQL_KW_EXCLUSIVE, 0, "ACCESS EXCLUSIVE"},
        {SQL_KW_ROW, SQL_KW_SHARE, 0, "ROW SHARE"},
        {SQL_KW_ROW, SQL_KW_EXCLUSIVE, 0, "ROW EXCLUSIVE"},
        {SQL_KW_SHARE, SQL_KW_UPDATE, SQL_KW_EXCLUSIVE, "SHARE UPDATE EXCLUSIVE"},
        {SQL_KW_SHARE, SQL_KW_ROW, SQL_KW_EXCLUSIVE, "SHARE ROW EXCLUSIVE"},
        {SQL_KW_SHARE, 0, 0, "SHARE"},
        {SQL_KW_EXCLUSIVE, 0, 0, "EXCLUSIVE"},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (!p_is_kw(p, modes[i].a)) continue;
        if (modes[i].b != 0 && !p_is_kw_at(p, 1, modes[i].b)) continue;
        if (modes[i].c != 0 && !p_is_kw_at(p, 2, modes[i].c)) continue;
        uint32_t n = modes[i].c != 0 ? 3 : modes[i].b != 0 ? 2 : 1;
        for (uint32_t k = 0; k < n; k++) p_next(p);
        return modes[i].text;
    }
    p_error(p);
    return NULL;
}

sql_node *sql_parse_lock(sql_parser *p) {
    sql_lock *l = P_NODE(p, sql_lock, SQL_N_LOCK, p_loc(p));
    if (l == NULL) return NULL;
    p_next(p);
    p_accept_kw(p, SQL_KW_TABLE);
    do {
        sql_rangevar *r = sql_parse_relation(p);
        if (r == NULL || !p_push(p, &l->tables, r)) return NULL;
    } while (p_accept(p, ','));
    l->mode = "ACCESS EXCLUSIVE";
    if (p_accept_kw(p, SQL_KW_IN)) {
        if ((l->mode = lock_mode(p)) == NULL || !p_expect_kw(p, SQL_KW_MODE)) return NULL;
    }
    l->nowait = p_accept_kw(p, SQL_KW_NOWAIT);
    return &l->hdr;
}

/* ---- GRANT / REVOKE, DO ---- */

/* privilege [(columns)] [, ...] | ALL [PRIVILEGES] [(columns)]; a role grant's role list
 * parses the same way (GRANT a, b TO c). */
static bool grant_privileges(sql_parser *p, sql_grant *g) {
    if (p_accept_kw(p, SQL_KW_ALL)) {
        g->all = true;
        p_accept_kw(p, SQL_KW_PRIVILEGES);
        if (!p_is(p, '(')) return true;
        g->columns_at = p_loc(p) + 1;
        sql_list *cols = sql_parse_alloc(p, sizeof *cols);
        g->all_columns = cols;
        return cols != NULL && sql_parse_name_list_paren(p, cols);
    }
    do {
        const char *word = sql_parse_col_label(p);
        if (word == NULL || !p_push(p, &g->privileges, (void *)word)) return false;
        sql_list *cols = NULL;
        if (p_is(p, '(')) {
            if (g->columns_at == 0) g->columns_at = p_loc(p) + 1;
            cols = sql_parse_alloc(p, sizeof *cols);
            if (cols == NULL || !sql_parse_name_list_paren(p, cols)) return false;
        }
        if (!p_push(p, &g->priv_columns, cols)) return false;
    } while (p_accept(p, ','));
    return true;
}

/* ON [TABLE] t | ALL TABLES IN SCHEMA s | SEQUENCE s | SCHEMA s | DATABASE d | other kinds. */
static bool grant_objects(sql_parser *p, sql_grant *g) {
    bool names = false;
    if (p_accept_kw(p, SQL_KW_ALL)) {
        if (p_accept_kw(p, SQL_KW_TABLES)) {
            g->target = SQL_GRANT_ALL_TABLES;
        } else if (p_accept_kw(p, SQL_KW_SEQUENCES)) {
            g->target = SQL_GRANT_ALL_SEQUENCES;
        } else {
            g->target = SQL_GRANT_OTHER;
            g->other = "ALL FUNCTIONS IN SCHEMA";
            if (sql_parse_col_label(p) == NULL) return false;
        }
        if (!p_expect_kw(p, SQL_KW_IN) || !p_expect_kw(p, SQL_KW_SCHEMA)) return false;
    } else if (p_accept_kw(p, SQL_KW_SEQUENCE)) {
        g->target = SQL_GRANT_SEQUENCE;
        names = true;
    } else if (p_accept_kw(p, SQL_KW_SCHEMA)) {
        g->target = SQL_GRANT_SCHEMA;
    } else if (p_accept_kw(p, SQL_KW_DATABASE)) {
        g->target = SQL_GRANT_DATABASE;
    } else {
        p_accept_kw(p, SQL_KW_TABLE); /* ON t, or ON TABLE t */
        g->target = SQL_GRANT_TABLE;
        names = true;
    }
    do {
        if (names) {
            sql_name *nm = sql_parse_alloc(p, sizeof *nm);
            if (nm == NULL || !sql_parse_any_name(p, nm, 3) || !p_push(p, &g->objects, nm)) {
                return false;
            }
        } else {
            const char *name = sql_parse_col_id(p);
            if (name == NULL || !p_push(p, &g->objects, (void *)name)) return false;
        }
    } while (p_accept(p, ','));
    return true;
}

/* A kind GRANT knows but Dreambase has no objects of (FUNCTION f(int), TYPE t, ...): kept
 * to report 0A000; the rest of the object clause is skipped up to TO / FROM. */
static bool grant_other_kind(sql_parser *p, sql_grant *g) {
    static const sql_kw ours[] = {SQL_KW_TABLE, SQL_KW_SEQUENCE, SQL_KW_SCHEMA,
                                  SQL_KW_DATABASE, SQL_KW_ALL};
    for (uint32_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
        if (p_is_kw(p, ours[i])) return true;
    }
    /* ON t TO ..., ON t, u ..., ON s.t ...: a table; ON TYPE x ...: another kind. */
    if (!p_is_col_id(p) || p_kind_at(p, 1) == ',' || p_kind_at(p, 1) == '.' ||
        p_is_kw_at(p, 1, SQL_KW_TO) || p_is_kw_at(p, 1, SQL_KW_FROM)) {
        return true;
    }
    g->target = SQL_GRANT_OTHER;
    if ((g->other = sql_parse_col_label(p)) == NULL) return false;
    uint32_t depth = 0;
    while (!p_is(p, SQL_TOK_EOF) && !p_is(p, SQL_TOK_ERROR) && !p_is(p, ';') &&
           (depth > 0 || (!p_is_kw(p, SQL_KW_TO) && !p_is_kw(p, SQL_KW_FROM)))) {
        if (p_is(p, '(')) depth++;
        if (p_is(p, ')') && depth > 0) depth--;
        p_next(p);
    }
    return !p_is(p, SQL_TOK_ERROR);
}

/* TO / FROM role_spec [, ...]: PUBLIC, CURRENT_USER, SESSION_USER, CURRENT_ROLE or a name. */
static bool grant_grantees(sql_parser *p, sql_grant *g) {
    do {
        p_accept_kw(p, SQL_KW_GROUP);
        const char *name = sql_parse_col_label(p);
        if (name == NULL || !p_push(p, &g->grantees, (void *)name)) return false;
    } while (p_accept(p, ','));
    return true;
}

/* GRANT privileges ON objects TO grantees [WITH GRANT OPTION] [GRANTED BY r]
 * GRANT roles TO grantees [WITH ADMIN OPTION] [GRANTED BY r]
 * REVOKE [GRANT OPTION FOR | ADMIN OPTION FOR] ... FROM grantees [CASCADE | RESTRICT] */
sql_node *sql_parse_grant(sql_parser *p) {
    sql_grant *g = P_NODE(p, sql_grant, SQL_N_GRANT, p_loc(p));
    if (g == NULL) return NULL;
    g->is_grant = p_is_kw(p, SQL_KW_GRANT);
    p_next(p);
    if (!g->is_grant && (p_is_kw(p, SQL_KW_GRANT) || p_is_kw(p, SQL_KW_ADMIN)) &&
        p_is_kw_at(p, 1, SQL_KW_OPTION) && p_is_kw_at(p, 2, SQL_KW_FOR)) {
        p_next(p), p_next(p), p_next(p);
        g->option = true;
    }
    if (!grant_privileges(p, g)) return NULL;
    if (p_accept_kw(p, SQL_KW_ON)) {
        if (!grant_other_kind(p, g)) return NULL;
        if (g->target == 0 && !grant_objects(p, g)) return NULL;
    } else {
        g->target = SQL_GRANT_ROLE;
        if (g->all) return p_error(p), NULL;
    }
    if (!p_expect_kw(p, g->is_grant ? SQL_KW_TO : SQL_KW_FROM) || !grant_grantees(p, g)) {
        return NULL;
    }
    if (g->is_grant && p_is_kw(p, SQL_KW_WITH)) {
        p_next(p);
        if (!p_accept_kw(p, g->target == SQL_GRANT_ROLE ? SQL_KW_ADMIN : SQL_KW_GRANT) ||
            !p_expect_kw(p, SQL_KW_OPTION)) {
            return p_error(p), NULL;
        }
        g->option = true;
    }
    if (p_accept_kw(p, SQL_KW_GRANTED)) {
        if (!p_expect_kw(p, SQL_KW_BY) || sql_parse_col_label(p) == NULL) return NULL;
    }
    if (!g->is_grant) {
        g->cascade = p_accept_kw(p, SQL_KW_CASCADE);
        if (!g->cascade) p_accept_kw(p, SQL_KW_RESTRICT);
    }
    return &g->hdr;
}

sql_node *sql_parse_do(sql_parser *p) {
    sql_do *d = P_NODE(p, sql_do, SQL_N_DO, p_loc(p));
    if (d == NULL) return NULL;
    p_next(p);
    for (int i = 0; i < 3; i++) {
        if (p_accept_kw(p, SQL_KW_LANGUAGE)) {
            if ((d->language = sql_parse_word_or_sconst(p)) == NULL) return NULL;
        } else if (d->body == NULL && p_is(p, SQL_TOK_SCONST)) {
            d->body = sql_parse_sconst(p);
        }
    }
    return d->body != NULL ? &d->hdr : (p_error(p), NULL);
}
