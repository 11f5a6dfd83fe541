/* sql_parse_create.c: the CREATE statements (their column, constraint and option pieces are
 * in sql_parse_ddl.c). PostgreSQL object kinds without a Dreambase node are refused with
 * 0A000 naming the statement, never misparsed. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_parse_int.h"

static bool create_if_not_exists(sql_parser *p) {
    if (!p_is_kw(p, SQL_KW_IF) || !p_is_kw_at(p, 1, SQL_KW_NOT)) return false;
    p_next(p);
    p_next(p);
    return p_expect_kw(p, SQL_KW_EXISTS);
}

/* Skips a parenthesised list PostgreSQL accepts and Dreambase only notes (PARTITION BY). */
static bool create_skip_parens(sql_parser *p) {
    if (!p_expect(p, '(')) return false;
    for (uint32_t depth = 1; depth > 0; p_next(p)) {
        if (p_is(p, SQL_TOK_EOF) || p_is(p, SQL_TOK_ERROR)) return p_error(p);
        if (p_is(p, '(')) depth++;
        if (p_is(p, ')')) depth--;
    }
    return true;
}

/* ---- CREATE TABLE ---- */

static bool create_table_like(sql_parser *p, sql_create_table *t) {
    p_next(p);
    sql_rangevar *r = P_NODE(p, sql_rangevar, SQL_N_RANGEVAR, p_loc(p));
    if (r == NULL || !sql_parse_any_name(p, &r->name, 3)) return false;
    bool defaults = false;
    for (bool inc; (inc = p_accept_kw(p, SQL_KW_INCLUDING)) || p_accept_kw(p, SQL_KW_EXCLUDING);) {
        const char *opt = sql_parse_col_label(p);
        if (opt == NULL) return false;
        if (strcmp(opt, "defaults") == 0 || strcmp(opt, "all") == 0) defaults = inc;
    }
    if (defaults && t->like.count < 32) t->like_defaults |= 1u << t->like.count;
    return p_push(p, &t->like, r);
}

static bool create_table_element(sql_parser *p, sql_create_table *t) {
    const sql_token *tok = p_tok(p);
    if (tok->kind == SQL_TOK_KEYWORD) {
        switch (tok->kw) {
        case SQL_KW_LIKE: return create_table_like(p, t);
        case SQL_KW_CONSTRAINT: case SQL_KW_CHECK: case SQL_KW_UNIQUE: case SQL_KW_PRIMARY:
        case SQL_KW_FOREIGN: case SQL_KW_EXCLUDE: {
            sql_constraint *c = sql_parse_table_constraint(p);
            return c != NULL && p_push(p, &t->constraints, c);
        }
        default: break;
        }
    }
    sql_columndef *c = sql_parse_column_def(p);
    return c != NULL && p_push(p, &t->columns, c);
}

/* (a, b) before AS: CREATE TABLE t (a, b) AS SELECT ... names the query's columns. */
static bool create_table_as_names(sql_parser *p, sql_create_table *t) {
    p_next(p);
    do {
        sql_columndef *c = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
        if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL || !p_push(p, &t->columns, c)) {
            return false;
        }
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

static bool create_table_elements(sql_parser *p, sql_create_table *t, bool *as_names) {
    *as_names = sql_parse_tok_is_col_id(p_peek(p, 1)) &&
                (p_kind_at(p, 2) == ',' || p_kind_at(p, 2) == ')');
    if (*as_names) return create_table_as_names(p, t);
    p_next(p);
    if (p_accept(p, ')')) return true;
    do {
        if (!create_table_element(p, t)) return false;
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

static bool create_on_commit(sql_parser *p, sql_oncommit *out) {
    p_next(p);
    p_next(p);
    if (p_accept_kw(p, SQL_KW_DROP)) {
        *out = SQL_ONCOMMIT_DROP;
    } else if (p_accept_kw(p, SQL_KW_DELETE)) {
        *out = SQL_ONCOMMIT_DELETE_ROWS;
        return p_expect_kw(p, SQL_KW_ROWS);
    } else if (p_expect_kw(p, SQL_KW_PRESERVE)) {
        *out = SQL_ONCOMMIT_PRESERVE_ROWS;
        return p_expect_kw(p, SQL_KW_ROWS);
    } else {
        return false;
    }
    return true;
}

/* INHERITS, PARTITION BY, USING, WITH (...), ON COMMIT, TABLESPACE: each optional. */
static bool create_table_options(sql_parser *p, sql_create_table *t) {
    if (p_accept_kw(p, SQL_KW_INHERITS)) {
        sql_list parents = {0};
        if (!sql_parse_name_list_paren(p, &parents)) return false;
        t->has_inherits = true;
    }
    if (p_is_kw(p, SQL_KW_PARTITION) && p_is_kw_at(p, 1, SQL_KW_BY)) {
        p_next(p);
        p_next(p);
        if (sql_parse_col_id(p) == NULL || !create_skip_parens(p)) return false;
        t->has_partition_by = true;
    }
    if (p_accept_kw(p, SQL_KW_USING) && sql_parse_col_id(p) == NULL) return false;
    if (p_is_kw(p, SQL_KW_WITH) && p_kind_at(p, 1) == '(') {
        p_next(p);
        if (!sql_parse_defelem_list(p, &t->options)) return false;
    } else if (p_is_kw(p, SQL_KW_WITHOUT) && p_is_kw_at(p, 1, SQL_KW_OIDS)) {
        p_next(p);
        p_next(p);
    }
    if (p_is_kw(p, SQL_KW_ON) && p_is_kw_at(p, 1, SQL_KW_COMMIT) &&
        !create_on_commit(p, &t->on_commit)) {
        return false;
    }
    return !p_accept_kw(p, SQL_KW_TABLESPACE) || sql_parse_col_id(p) != NULL;
}

/* AS query [WITH [NO] DATA] */
static bool create_as_query(sql_parser *p, sql_select **query, bool *no_data) {
    if (p_is_kw(p, SQL_KW_EXECUTE)) {
        return sql_parse_unsupported(p, p_loc(p), "CREATE TABLE AS EXECUTE");
    }
    if ((*query = sql_parse_select(p)) == NULL) return false;
    if (p_is_kw(p, SQL_KW_WITH) && (p_is_kw_at(p, 1, SQL_KW_DATA) || p_is_kw_at(p, 1, SQL_KW_NO))) {
        p_next(p);
        *no_data = p_accept_kw(p, SQL_KW_NO);
        return p_expect_kw(p, SQL_KW_DATA);
    }
    return true;
}

static sql_node *create_table(sql_parser *p, uint32_t location, bool temp, bool unlogged) {
    sql_create_table *t = P_NODE(p, sql_create_table, SQL_N_CREATE_TABLE, location);
    if (t == NULL) return NULL;
    t->temporary = temp;
    t->unlogged = unlogged;
    p_next(p);
    t->if_not_exists = create_if_not_exists(p);
    if (!sql_parse_any_name(p, &t->name, 3)) return NULL;
    if (p_is_kw(p, SQL_KW_OF) || p_is_kw(p, SQL_KW_PARTITION)) {
        sql_parse_unsupported(p, p_loc(p), p_is_kw(p, SQL_KW_OF) ? "CREATE TABLE OF"
                                                                 : "CREATE TABLE PARTITION OF");
        return NULL;
    }
    bool as_names = false, paren = p_is(p, '(');
    if (paren && !create_table_elements(p, t, &as_names)) return NULL;
    if (!create_table_options(p, t)) return NULL;
    if (p_accept_kw(p, SQL_KW_AS)) {
        return create_as_query(p, &t->as_query, &t->with_no_data) ? &t->hdr : NULL;
    }
    if (!paren || as_names) return p_error(p), NULL;
    return &t->hdr;
}

/* ---- CREATE INDEX ---- */

static bool create_index_tail(sql_parser *p, sql_create_index *ci) {
    if (p_accept_kw(p, SQL_KW_INCLUDE) && !sql_parse_name_list_paren(p, &ci->include)) {
        return false;
    }
    if (p_accept_kw(p, SQL_KW_NULLS)) {
        ci->nulls_not_distinct = p_accept_kw(p, SQL_KW_NOT);
        if (!p_expect_kw(p, SQL_KW_DISTINCT)) return false;
    }
    if (p_accept_kw(p, SQL_KW_WITH) && !sql_parse_defelem_list(p, &ci->options)) return false;
    if (p_accept_kw(p, SQL_KW_TABLESPACE) && sql_parse_col_id(p) == NULL) return false;
    return sql_parse_where(p, &ci->where);
}

static sql_node *create_index(sql_parser *p, uint32_t location, bool unique) {
    sql_create_index *ci = P_NODE(p, sql_create_index, SQL_N_CREATE_INDEX, location);
    if (ci == NULL) return NULL;
    ci->unique = unique;
    p_next(p);
    ci->concurrently = p_accept_kw(p, SQL_KW_CONCURRENTLY);
    ci->if_not_exists = create_if_not_exists(p);
    if ((ci->if_not_exists || !p_is_kw(p, SQL_KW_ON)) && (ci->name = sql_parse_col_id(p)) == NULL) {
        return NULL;
    }
    if (!p_expect_kw(p, SQL_KW_ON)) return NULL;
    ci->only = p_accept_kw(p, SQL_KW_ONLY);
    if (!sql_parse_any_name(p, &ci->table, 3)) return NULL;
    if (p_accept_kw(p, SQL_KW_USING) && (ci->method = sql_parse_col_id(p)) == NULL) return NULL;
    if (!sql_parse_index_elems(p, &ci->elems)) return NULL;
    return create_index_tail(p, ci) ? &ci->hdr : NULL;
}

/* ---- CREATE SEQUENCE, SCHEMA, DATABASE, EXTENSION ---- */

static sql_node *create_sequence(sql_parser *p, uint32_t location, bool temp, bool unlogged) {
    sql_create_sequence *s = P_NODE(p, sql_create_sequence, SQL_N_CREATE_SEQUENCE, location);
    if (s == NULL) return NULL;
    s->temporary = temp;
    s->unlogged = unlogged; /* PostgreSQL 15 */
    p_next(p);
    s->if_not_exists = create_if_not_exists(p);
    if (!sql_parse_any_name(p, &s->name, 3)) return NULL;
    return sql_parse_seq_options(p, &s->options, false) ? &s->hdr : NULL;
}

/* CREATE DOMAIN name [AS] type, then what may follow a column's type. */
static sql_node *create_domain(sql_parser *p, uint32_t location) {
    sql_create_domain *d = P_NODE(p, sql_create_domain, SQL_N_CREATE_DOMAIN, location);
    if (d == NULL) return NULL;
    p_next(p);
    if (!sql_parse_any_name(p, &d->name, 3)) return NULL;
    p_accept_kw(p, SQL_KW_AS);
    d->def = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
    if (d->def == NULL || (d->def->type = sql_parse_type(p)) == NULL) return NULL;
    return sql_parse_column_constraints(p, d->def) ? &d->hdr : NULL;
}

/* CREATE TYPE name AS ENUM ('a', ...): the labels as string constants. */
static sql_node *create_type_enum(sql_parser *p, sql_create_enum *e) {
    if (!p_expect(p, '(')) return NULL;
    while (!p_is(p, ')')) {
        if (e->labels.count > 0 && !p_expect(p, ',')) return NULL;
        if (!p_is(p, SQL_TOK_SCONST)) return p_error(p), NULL;
        sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, p_loc(p));
        if (c == NULL) return NULL;
        c->const_kind = SQL_CONST_STRING;
        c->text = p_tok(p)->str;
        c->text_len = p_tok(p)->str_len;
        p_next(p);
        if (!p_push(p, &e->labels, c)) return NULL;
    }
    p_next(p);
    return &e->hdr;
}

/* CREATE TYPE name AS ENUM (...) or AS (...) (a composite type, sql_parse_ctype.c); range,
 * base and shell types are refused with 0A000. */
static sql_node *create_type(sql_parser *p, uint32_t location) {
    p_next(p);
    sql_name name;
    if (!sql_parse_any_name(p, &name, 3)) return NULL;
    if (!p_accept_kw(p, SQL_KW_AS)) {
        return sql_parse_unsupported(p, location, "CREATE TYPE of a base or shell type"), NULL;
    }
    if (p_is(p, '(')) return sql_parse_create_composite(p, &name, location);
    if (p_accept_kw(p, SQL_KW_ENUM)) {
        sql_create_enum *e = P_NODE(p, sql_create_enum, SQL_N_CREATE_ENUM, location);
        if (e == NULL) return NULL;
        e->name = name;
        return create_type_enum(p, e);
    }
    if (p_is_kw(p, SQL_KW_RANGE)) {
        return sql_parse_unsupported(p, location, "CREATE TYPE ... AS RANGE"), NULL;
    }
    return p_error(p), NULL;
}

/* RoleSpec: a name, or CURRENT_ROLE / CURRENT_USER / SESSION_USER as lower-case words. */
static const char *create_role_spec(sql_parser *p) {
    if (p_is_kw(p, SQL_KW_CURRENT_ROLE) || p_is_kw(p, SQL_KW_CURRENT_USER) ||
        p_is_kw(p, SQL_KW_SESSION_USER)) {
        const char *w = p_tok(p)->str;
        p_next(p);
        return w;
    }
    return sql_parse_nonreserved_word(p);
}

static bool create_schema_elements(sql_parser *p, sql_create_schema *s) {
    while (p_is_kw(p, SQL_KW_CREATE) || p_is_kw(p, SQL_KW_GRANT)) {
        if (s->if_not_exists) {
            return sql_parse_fail(p, SQLSTATE_FEATURE_NOT_SUPPORTED, p_loc(p),
                                  "CREATE SCHEMA IF NOT EXISTS cannot include schema elements");
        }
        sql_node *n = sql_parse_stmt(p);
        if (n == NULL || !p_push(p, &s->elements, n)) return false;
    }
    return true;
}

static sql_node *create_schema(sql_parser *p, uint32_t location) {
    sql_create_schema *s = P_NODE(p, sql_create_schema, SQL_N_CREATE_SCHEMA, location);
    if (s == NULL) return NULL;
    p_next(p);
    s->if_not_exists = create_if_not_exists(p);
    if (!p_is_kw(p, SQL_KW_AUTHORIZATION) && (s->name = sql_parse_col_id(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_AUTHORIZATION)) {
        if ((s->authorization = create_role_spec(p)) == NULL) return NULL;
        if (s->name == NULL) s->name = s->authorization;
    }
    return create_schema_elements(p, s) ? &s->hdr : NULL;
}

/* CREATE DATABASE name [WITH] [option [=] value ...] */
static sql_node *create_database(sql_parser *p, uint32_t location) {
    sql_create_database *d = P_NODE(p, sql_create_database, SQL_N_CREATE_DATABASE, location);
    if (d == NULL) return NULL;
    p_next(p);
    if ((d->name = sql_parse_col_id(p)) == NULL) return NULL;
    p_accept_kw(p, SQL_KW_WITH);
    while (p_is(p, SQL_TOK_IDENT) || p_is_kw(p, SQL_KW_CONNECTION) || p_is_kw(p, SQL_KW_ENCODING) ||
           p_is_kw(p, SQL_KW_LOCATION) || p_is_kw(p, SQL_KW_OWNER) ||
           p_is_kw(p, SQL_KW_TABLESPACE) || p_is_kw(p, SQL_KW_TEMPLATE)) {
        uint32_t at = p_loc(p);
        const char *name = p_tok(p)->str;
        p_next(p);
        if (strcmp(name, "connection") == 0) {
            if (!p_expect_kw(p, SQL_KW_LIMIT)) return NULL;
            name = "connection_limit";
        }
        p_accept(p, '=');
        sql_defelem *e = sql_parse_defelem_new(p, name, NULL, at);
        if (e == NULL) return NULL;
        if (p_accept_kw(p, SQL_KW_DEFAULT)) {
            e->word = "default";
        } else if ((e->value = sql_parse_def_arg(p, &e->word)) == NULL) {
            return NULL;
        }
        if (!p_push(p, &d->options, e)) return NULL;
    }
    return &d->hdr;
}

static sql_node *create_extension(sql_parser *p, uint32_t location) {
    sql_create_extension *e = P_NODE(p, sql_create_extension, SQL_N_CREATE_EXTENSION, location);
    if (e == NULL) return NULL;
    p_next(p);
    e->if_not_exists = create_if_not_exists(p);
    if ((e->name = sql_parse_col_id(p)) == NULL) return NULL;
    p_accept_kw(p, SQL_KW_WITH);
    for (;;) {
        if (p_accept_kw(p, SQL_KW_SCHEMA)) {
            if ((e->schema = sql_parse_col_id(p)) == NULL) return NULL;
        } else if (p_accept_kw(p, SQL_KW_VERSION)) {
            if ((e->version = sql_parse_word_or_sconst(p)) == NULL) return NULL;
        } else if (p_accept_kw(p, SQL_KW_CASCADE)) {
            e->cascade = true;
        } else if (p_is_kw(p, SQL_KW_FROM)) {
            sql_parse_unsupported(p, p_loc(p), "CREATE EXTENSION FROM");
            return NULL;
        } else {
            return &e->hdr;
        }
    }
}

/* ---- CREATE ROLE / USER ---- */

static sql_node *create_name_list_value(sql_parser *p) {
    sql_row *r = P_NODE(p, sql_row, SQL_N_ROW, p_loc(p));
    if (r == NULL) return NULL;
    do {
        uint32_t at = p_loc(p);
        const char *name = create_role_spec(p);
        sql_node *c = name == NULL ? NULL : sql_parse_word_ref(p, name, at);
        if (c == NULL || !p_push(p, &r->args, c)) return NULL;
    } while (p_accept(p, ','));
    return &r->hdr;
}

static bool create_role_flag(sql_parser *p, sql_list *out, const sql_token *t) {
    static const char *const flags[] = {"superuser", "createdb", "createrole", "login",
                                        "replication", "bypassrls", "inherit"};
    const char *word = t->str;
    bool negated = strncmp(word, "no", 2) == 0;
    const char *base = negated ? word + 2 : word;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (strcmp(base, flags[i]) != 0) continue;
        sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, t->start);
        sql_defelem *d = c == NULL ? NULL : sql_parse_defelem_new(p, flags[i], &c->hdr, t->start);
        if (d == NULL) return false;
        c->const_kind = SQL_CONST_BOOL;
        c->bool_value = !negated;
        c->text = negated ? "false" : "true";
        c->text_len = (uint32_t)strlen(c->text);
        d->negated = negated;
        p_next(p);
        return p_push(p, out, d);
    }
    return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, t->start, "unrecognized role option \"%s\"",
                          word);
}

static bool create_role_value(sql_parser *p, sql_list *out, const char *name, sql_node *value,
                              uint32_t location) {
    sql_defelem *d = value == NULL ? NULL : sql_parse_defelem_new(p, name, value, location);
    return d != NULL && p_push(p, out, d);
}

static bool create_role_password(sql_parser *p, sql_list *out, uint32_t location) {
    if (!p_expect_kw(p, SQL_KW_PASSWORD)) return false;
    sql_node *v;
    if (p_is_kw(p, SQL_KW_NULL)) {
        v = (sql_node *)P_NODE(p, sql_const, SQL_N_CONST, p_loc(p));
        if (v != NULL) ((sql_const *)v)->const_kind = SQL_CONST_NULL;
        p_next(p);
    } else {
        uint32_t at = p_loc(p);
        const char *s = sql_parse_sconst(p);
        v = s == NULL ? NULL : sql_parse_const_str(p, s, at);
    }
    return create_role_value(p, out, "password", v, location);
}

/* One role option; false at an unknown one. Names follow sql_ast.h's list, lower case. */
static bool create_role_option(sql_parser *p, sql_list *out, bool alter) {
    const sql_token *t = p_tok(p);
    uint32_t location = t->start;
    if (t->kind == SQL_TOK_IDENT) return create_role_flag(p, out, t);
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_PASSWORD: return create_role_password(p, out, location);
    case SQL_KW_ENCRYPTED: p_next(p); return create_role_password(p, out, location);
    case SQL_KW_UNENCRYPTED:
        sql_parse_fail(p, SQLSTATE_FEATURE_NOT_SUPPORTED, location,
                       "UNENCRYPTED PASSWORD is no longer supported");
        rt_err_hint(p->err, "Remove UNENCRYPTED to store the password in encrypted form instead.");
        return false;
    case SQL_KW_INHERIT: return create_role_flag(p, out, t);
    case SQL_KW_CONNECTION: {
        p_next(p);
        int64_t n;
        if (!p_expect_kw(p, SQL_KW_LIMIT) || !sql_parse_signed_int(p, &n)) return false;
        return create_role_value(p, out, "connection_limit", sql_parse_const_int(p, n, location),
                                 location);
    }
    case SQL_KW_VALID: {
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_UNTIL)) return false;
        uint32_t at = p_loc(p);
        const char *s = sql_parse_sconst(p);
        return s != NULL &&
               create_role_value(p, out, "valid_until", sql_parse_const_str(p, s, at), location);
    }
    default: break;
    }
    if (alter) return p_error(p);
    const char *name = NULL;
    if (p_accept_kw(p, SQL_KW_USER) || p_accept_kw(p, SQL_KW_ROLE)) {
        name = "role";
    } else if (p_accept_kw(p, SQL_KW_ADMIN)) {
        name = "admin";
    } else if (p_accept_kw(p, SQL_KW_IN)) {
        if (!p_accept_kw(p, SQL_KW_GROUP) && !p_expect_kw(p, SQL_KW_ROLE)) return false;
        name = "in_role";
    } else if (p_accept_kw(p, SQL_KW_SYSID)) {
        int64_t n;
        return sql_parse_signed_int(p, &n) &&
               create_role_value(p, out, "sysid", sql_parse_const_int(p, n, location), location);
    } else {
        return p_error(p);
    }
    return create_role_value(p, out, name, create_name_list_value(p), location);
}

static bool create_role_option_starts(sql_parser *p, bool alter) {
    const sql_token *t = p_tok(p);
    if (t->kind == SQL_TOK_IDENT) return true;
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_PASSWORD: case SQL_KW_ENCRYPTED: case SQL_KW_UNENCRYPTED: case SQL_KW_INHERIT:
    case SQL_KW_CONNECTION: case SQL_KW_VALID:
        return true;
    case SQL_KW_USER: case SQL_KW_ROLE: case SQL_KW_ADMIN: case SQL_KW_IN: case SQL_KW_SYSID:
        return !alter;
    default:
        return false;
    }
}

bool sql_parse_role_options(sql_parser *p, sql_list *out, bool alter) {
    p_accept_kw(p, SQL_KW_WITH);
    while (create_role_option_starts(p, alter)) {
        if (!create_role_option(p, out, alter)) return false;
    }
    return true;
}

sql_node *sql_parse_create_role(sql_parser *p, uint32_t location, bool is_user) {
    sql_create_role *r = P_NODE(p, sql_create_role, SQL_N_CREATE_ROLE, location);
    if (r == NULL) return NULL;
    r->is_user = is_user;
    p_next(p);
    if ((r->name = sql_parse_nonreserved_word(p)) == NULL) return NULL;
    return sql_parse_role_options(p, &r->options, false) ? &r->hdr : NULL;
}

/* ---- CREATE VIEW ---- */

static bool create_view_tail(sql_parser *p, sql_create_view *v) {
    if (!p_is_kw(p, SQL_KW_WITH)) return true;
    if (p_is_kw_at(p, 1, SQL_KW_CHECK) || p_is_kw_at(p, 1, SQL_KW_CASCADED) ||
        p_is_kw_at(p, 1, SQL_KW_LOCAL)) {
        return sql_parse_unsupported(p, p_loc(p), "WITH CHECK OPTION");
    }
    if (!v->materialized) return p_error(p);
    p_next(p);
    if (p_is_kw(p, SQL_KW_NO)) return sql_parse_unsupported(p, p_loc(p), "WITH NO DATA");
    return p_expect_kw(p, SQL_KW_DATA);
}

static sql_node *create_view(sql_parser *p, uint32_t location, bool or_replace, bool temp,
                             bool materialized) {
    sql_create_view *v = P_NODE(p, sql_create_view, SQL_N_CREATE_VIEW, location);
    if (v == NULL) return NULL;
    v->or_replace = or_replace;
    v->temporary = temp;
    v->materialized = materialized;
    p_next(p);
    if (p_is_kw(p, SQL_KW_IF)) return sql_parse_unsupported(p, p_loc(p), "IF NOT EXISTS"), NULL;
    if (!sql_parse_any_name(p, &v->name, 3)) return NULL;
    if (p_is(p, '(') && !sql_parse_name_list_paren(p, &v->col_aliases)) return NULL;
    if (p_is_kw(p, SQL_KW_WITH) || p_is_kw(p, SQL_KW_USING) || p_is_kw(p, SQL_KW_TABLESPACE)) {
        sql_parse_unsupported(p, p_loc(p), "view storage options");
        return NULL;
    }
    if (!p_expect_kw(p, SQL_KW_AS)) return NULL;
    uint32_t start = p_loc(p);
    if ((v->query = sql_parse_select(p)) == NULL) return NULL;
    if ((v->query_text = sql_parse_text(p, start, p->prev_end)) == NULL) return NULL;
    return create_view_tail(p, v) ? &v->hdr : NULL;
}

/* ---- dispatch ---- */

static sql_node *create_refuse(sql_parser *p, uint32_t location) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return p_error(p), NULL;
    char what[64];
    snprintf(what, sizeof what, "CREATE %s", t->str);
    for (char *c = what; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    sql_parse_unsupported(p, location, what);
    return NULL;
}

/* [OR REPLACE] [[LOCAL|GLOBAL] TEMP|TEMPORARY | UNLOGGED] */
static bool create_prefix(sql_parser *p, bool *or_replace, bool *temp, bool *unlogged) {
    *or_replace = *temp = *unlogged = false;
    if (p_accept_kw(p, SQL_KW_OR)) {
        if (!p_expect_kw(p, SQL_KW_REPLACE)) return false;
        *or_replace = true;
    }
    if (p_accept_kw(p, SQL_KW_LOCAL) || p_accept_kw(p, SQL_KW_GLOBAL)) {
        if (!p_is_kw(p, SQL_KW_TEMP) && !p_is_kw(p, SQL_KW_TEMPORARY)) return p_error(p);
    }
    if (p_accept_kw(p, SQL_KW_TEMP) || p_accept_kw(p, SQL_KW_TEMPORARY)) *temp = true;
    else if (p_accept_kw(p, SQL_KW_UNLOGGED)) *unlogged = true;
    return true;
}

sql_node *sql_parse_create(sql_parser *p) {
    uint32_t location = p_loc(p);
    bool or_replace, temp, unlogged;
    p_next(p);
    if (!create_prefix(p, &or_replace, &temp, &unlogged)) return NULL;
    bool plain = !or_replace && !temp && !unlogged;
    const sql_token *t = p_tok(p);
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_TABLE:
        if (or_replace) break;
        return create_table(p, location, temp, unlogged);
    case SQL_KW_SEQUENCE:
        if (or_replace) break;
        return create_sequence(p, location, temp, unlogged);
    case SQL_KW_VIEW:
        if (unlogged) break;
        return create_view(p, location, or_replace, temp, false);
    case SQL_KW_RECURSIVE:
        return sql_parse_unsupported(p, t->start, "CREATE RECURSIVE VIEW"), NULL;
    case SQL_KW_MATERIALIZED:
        if (!plain && !unlogged) break;
        p_next(p);
        if (!p_is_kw(p, SQL_KW_VIEW)) return p_error(p), NULL;
        return create_view(p, location, false, false, true);
    case SQL_KW_UNIQUE:
        if (!plain) break;
        p_next(p);
        if (!p_is_kw(p, SQL_KW_INDEX)) return p_error(p), NULL;
        return create_index(p, location, true);
    case SQL_KW_INDEX: if (plain) return create_index(p, location, false); break;
    case SQL_KW_SCHEMA: if (plain) return create_schema(p, location); break;
    case SQL_KW_DATABASE: if (plain) return create_database(p, location); break;
    case SQL_KW_ROLE: case SQL_KW_GROUP:
        if (plain) return sql_parse_create_role(p, location, false);
        break;
    case SQL_KW_USER:
        if (p_is_kw_at(p, 1, SQL_KW_MAPPING)) return create_refuse(p, location);
        if (plain) return sql_parse_create_role(p, location, true);
        break;
    case SQL_KW_EXTENSION: if (plain) return create_extension(p, location); break;
    case SQL_KW_DOMAIN: if (plain) return create_domain(p, location); break;
    case SQL_KW_TYPE: if (plain) return create_type(p, location); break;
    default: return create_refuse(p, location);
    }
    p_error(p);
    return NULL;
}
