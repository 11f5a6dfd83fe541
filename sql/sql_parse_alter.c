/* sql_parse_alter.c: ALTER TABLE (every command of sql_alter_kind), ALTER INDEX / SEQUENCE /
 * VIEW / MATERIALIZED VIEW, ALTER SCHEMA / DATABASE RENAME, ALTER ROLE / USER; DROP of every
 * object kind; TRUNCATE; COMMENT ON. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_parse_int.h"

static bool alter_if_exists(sql_parser *p) {
    if (!p_is_kw(p, SQL_KW_IF) || !p_is_kw_at(p, 1, SQL_KW_EXISTS)) return false;
    p_next(p);
    p_next(p);
    return true;
}

static bool alter_cascade(sql_parser *p) {
    if (p_accept_kw(p, SQL_KW_CASCADE)) return true;
    p_accept_kw(p, SQL_KW_RESTRICT);
    return false;
}

static sql_alter_cmd *alter_cmd_new(sql_parser *p, sql_alter_kind kind, uint32_t location) {
    sql_alter_cmd *c = P_NODE(p, sql_alter_cmd, SQL_N_ALTER_CMD, location);
    if (c != NULL) c->alter_kind = kind;
    return c;
}

/* The source text of an expression, kept with it. */
static bool alter_expr_text(sql_parser *p, sql_node **expr, const char **text) {
    uint32_t start = p_loc(p);
    *expr = sql_parse_expr(p);
    return *expr != NULL && (*text = sql_parse_text(p, start, p->prev_end)) != NULL;
}

/* OWNER TO role: CURRENT_USER and friends as lower-case words. */
static const char *alter_role_spec(sql_parser *p) {
    if (p_is_kw(p, SQL_KW_CURRENT_ROLE) || p_is_kw(p, SQL_KW_CURRENT_USER) ||
        p_is_kw(p, SQL_KW_SESSION_USER)) {
        const char *w = p_tok(p)->str;
        p_next(p);
        return w;
    }
    return sql_parse_nonreserved_word(p);
}

/* ---- ALTER [COLUMN] c ... ---- */

static sql_alter_cmd *alter_column_type(sql_parser *p, sql_alter_cmd *c) {
    c->alter_kind = SQL_AT_ALTER_TYPE;
    if (p_accept_kw(p, SQL_KW_SET) && !p_expect_kw(p, SQL_KW_DATA)) return NULL;
    if (!p_expect_kw(p, SQL_KW_TYPE) || (c->type = sql_parse_type(p)) == NULL) return NULL;
    c->column = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, c->hdr.location);
    if (c->column == NULL) return NULL;
    c->column->name = c->name;
    c->column->type = c->type;
    if (p_accept_kw(p, SQL_KW_COLLATE) && !sql_parse_any_name(p, &c->column->collation, 3)) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_USING) && !alter_expr_text(p, &c->expr, &c->expr_text)) return NULL;
    return c;
}

/* Whether the token at `ahead` starts a sequence option an identity column takes. */
static bool alter_identity_option_at(sql_parser *p, uint32_t ahead) {
    static const int kws[] = {SQL_KW_INCREMENT, SQL_KW_START, SQL_KW_MINVALUE, SQL_KW_MAXVALUE,
                              SQL_KW_CACHE, SQL_KW_CYCLE, SQL_KW_NO, SQL_KW_RESTART};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
        if (p_is_kw_at(p, ahead, kws[i])) return true;
    }
    return false;
}

/* ALTER COLUMN c { RESTART [WITH n] | SET sequence_option } [...] (after SET, if any). */
static sql_alter_cmd *alter_identity_options(sql_parser *p, sql_alter_cmd *c) {
    c->alter_kind = SQL_AT_IDENTITY_OPTIONS;
    for (;;) {
        if (!sql_parse_seq_options(p, &c->options, false)) return NULL;
        if (!p_is_kw(p, SQL_KW_SET) || !alter_identity_option_at(p, 1)) return c;
        p_next(p);
    }
}

static sql_alter_cmd *alter_column_set(sql_parser *p, sql_alter_cmd *c) {
    if (p_is_kw_at(p, 1, SQL_KW_DATA)) return alter_column_type(p, c);
    p_next(p);
    if (p_accept_kw(p, SQL_KW_DEFAULT)) {
        c->alter_kind = SQL_AT_SET_DEFAULT;
        return alter_expr_text(p, &c->expr, &c->expr_text) ? c : NULL;
    }
    if (p_accept_kw(p, SQL_KW_NOT)) {
        c->alter_kind = SQL_AT_SET_NOT_NULL;
        return p_expect_kw(p, SQL_KW_NULL) ? c : NULL;
    }
    if (p_accept_kw(p, SQL_KW_STATISTICS)) {
        int64_t n;
        c->alter_kind = SQL_AT_SET_STATISTICS;
        uint32_t at = p_loc(p);
        if (!sql_parse_signed_int(p, &n)) return NULL;
        return (c->expr = sql_parse_const_int(p, n, at)) != NULL ? c : NULL;
    }
    if (p_is(p, '(')) {
        c->alter_kind = SQL_AT_SET_OPTIONS;
        return sql_parse_defelem_list(p, &c->options) ? c : NULL;
    }
    if (alter_identity_option_at(p, 0)) return alter_identity_options(p, c);
    sql_parse_unsupported(p, c->hdr.location, "this ALTER COLUMN SET form");
    return NULL;
}

static sql_alter_cmd *alter_column_drop(sql_parser *p, sql_alter_cmd *c) {
    p_next(p);
    if (p_accept_kw(p, SQL_KW_DEFAULT)) {
        c->alter_kind = SQL_AT_DROP_DEFAULT;
        return c;
    }
    if (p_accept_kw(p, SQL_KW_NOT)) {
        c->alter_kind = SQL_AT_DROP_NOT_NULL;
        return p_expect_kw(p, SQL_KW_NULL) ? c : NULL;
    }
    if (p_accept_kw(p, SQL_KW_IDENTITY)) {
        c->alter_kind = SQL_AT_DROP_IDENTITY;
        c->if_exists = alter_if_exists(p);
        return c;
    }
    sql_parse_unsupported(p, c->hdr.location, "this ALTER COLUMN DROP form");
    return NULL;
}

/* ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)] */
static sql_alter_cmd *alter_column_add_identity(sql_parser *p, sql_alter_cmd *c) {
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_GENERATED)) return NULL;
    c->alter_kind = SQL_AT_ADD_IDENTITY;
    c->constraint = P_NODE(p, sql_constraint, SQL_N_CONSTRAINT, c->hdr.location);
    if (c->constraint == NULL) return NULL;
    c->constraint->constr_kind = SQL_CONSTR_IDENTITY;
    c->constraint->identity_always = p_accept_kw(p, SQL_KW_ALWAYS);
    if (!c->constraint->identity_always &&
        (!p_expect_kw(p, SQL_KW_BY) || !p_expect_kw(p, SQL_KW_DEFAULT))) {
        return NULL;
    }
    if (!p_expect_kw(p, SQL_KW_AS) || !p_expect_kw(p, SQL_KW_IDENTITY)) return NULL;
    if (p_is(p, '(') && !sql_parse_seq_options(p, &c->constraint->seq_options, true)) return NULL;
    return c;
}

static sql_alter_cmd *alter_column(sql_parser *p, uint32_t location) {
    p_next(p);
    p_accept_kw(p, SQL_KW_COLUMN);
    sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_ALTER_TYPE, location);
    if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_TYPE)) return alter_column_type(p, c);
    if (p_is_kw(p, SQL_KW_SET)) return alter_column_set(p, c);
    if (p_is_kw(p, SQL_KW_DROP)) return alter_column_drop(p, c);
    if (p_is_kw(p, SQL_KW_ADD)) return alter_column_add_identity(p, c);
    if (p_accept_kw(p, SQL_KW_RESET)) {
        c->alter_kind = SQL_AT_RESET_OPTIONS;
        return sql_parse_defelem_list(p, &c->options) ? c : NULL;
    }
    if (p_is_kw(p, SQL_KW_RESTART)) return alter_identity_options(p, c);
    if (p_is_kw(p, SQL_KW_OPTIONS)) {
        sql_parse_unsupported(p, location, "this ALTER COLUMN form");
        return NULL;
    }
    p_error(p);
    return NULL;
}

/* ---- ALTER TABLE commands ---- */

static bool alter_starts_constraint(sql_parser *p) {
    return p_is_kw(p, SQL_KW_CONSTRAINT) || p_is_kw(p, SQL_KW_CHECK) ||
           p_is_kw(p, SQL_KW_UNIQUE) || p_is_kw(p, SQL_KW_PRIMARY) ||
           p_is_kw(p, SQL_KW_FOREIGN) || p_is_kw(p, SQL_KW_EXCLUDE);
}

static sql_alter_cmd *alter_add(sql_parser *p, uint32_t location) {
    p_next(p);
    if (alter_starts_constraint(p)) {
        sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_ADD_CONSTRAINT, location);
        return c != NULL && (c->constraint = sql_parse_table_constraint(p)) != NULL ? c : NULL;
    }
    sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_ADD_COLUMN, location);
    if (c == NULL) return NULL;
    p_accept_kw(p, SQL_KW_COLUMN);
    if (p_is_kw(p, SQL_KW_IF) && p_is_kw_at(p, 1, SQL_KW_NOT)) {
        p_next(p);
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_EXISTS)) return NULL;
        c->if_not_exists = true;
    }
    if ((c->column = sql_parse_column_def(p)) == NULL) return NULL;
    c->name = c->column->name;
    return c;
}

static sql_alter_cmd *alter_drop(sql_parser *p, uint32_t location) {
    p_next(p);
    bool constraint = p_accept_kw(p, SQL_KW_CONSTRAINT);
    if (!constraint) p_accept_kw(p, SQL_KW_COLUMN);
    sql_alter_cmd *c = alter_cmd_new(p, constraint ? SQL_AT_DROP_CONSTRAINT : SQL_AT_DROP_COLUMN,
                                     location);
    if (c == NULL) return NULL;
    c->if_exists = alter_if_exists(p);
    if ((c->name = sql_parse_col_id(p)) == NULL) return NULL;
    c->cascade = alter_cascade(p);
    return c;
}

static sql_alter_cmd *alter_table_set(sql_parser *p, uint32_t location) {
    p_next(p);
    if (p_is(p, '(')) {
        sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_SET_OPTIONS, location);
        return c != NULL && sql_parse_defelem_list(p, &c->options) ? c : NULL;
    }
    if (p_accept_kw(p, SQL_KW_SCHEMA)) {
        sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_SET_SCHEMA, location);
        return c != NULL && (c->new_name = sql_parse_col_id(p)) != NULL ? c : NULL;
    }
    if (p_accept_kw(p, SQL_KW_LOGGED)) return alter_cmd_new(p, SQL_AT_SET_LOGGED, location);
    if (p_accept_kw(p, SQL_KW_UNLOGGED)) return alter_cmd_new(p, SQL_AT_SET_UNLOGGED, location);
    sql_parse_unsupported(p, location, "this ALTER TABLE SET form");
    return NULL;
}

static sql_alter_cmd *alter_table_cmd(sql_parser *p) {
    uint32_t location = p_loc(p);
    const sql_token *t = p_tok(p);
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_ADD: return alter_add(p, location);
    case SQL_KW_DROP: return alter_drop(p, location);
    case SQL_KW_ALTER: return alter_column(p, location);
    case SQL_KW_SET: return alter_table_set(p, location);
    case SQL_KW_RESET: {
        p_next(p);
        sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_RESET_OPTIONS, location);
        return c != NULL && sql_parse_defelem_list(p, &c->options) ? c : NULL;
    }
    case SQL_KW_VALIDATE: {
        p_next(p);
        sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_VALIDATE_CONSTRAINT, location);
        if (c == NULL || !p_expect_kw(p, SQL_KW_CONSTRAINT)) return NULL;
        return (c->name = sql_parse_col_id(p)) != NULL ? c : NULL;
    }
    case SQL_KW_OWNER: {
        p_next(p);
        sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_OWNER, location);
        if (c == NULL || !p_expect_kw(p, SQL_KW_TO)) return NULL;
        return (c->new_name = alter_role_spec(p)) != NULL ? c : NULL;
    }
    case SQL_KW_INVALID: p_error(p); return NULL;
    default: {
        char what[64];
        snprintf(what, sizeof what, "ALTER TABLE %s", t->str);
        for (char *ch = what; *ch; ch++) *ch = (char)(*ch >= 'a' && *ch <= 'z' ? *ch - 32 : *ch);
        sql_parse_unsupported(p, location, what);
        return NULL;
    }
    }
}

/* RENAME TO x | RENAME [COLUMN] a TO b | RENAME CONSTRAINT a TO b */
static sql_alter_cmd *alter_rename(sql_parser *p, bool columns) {
    uint32_t location = p_loc(p);
    p_next(p);
    sql_alter_cmd *c = alter_cmd_new(p, SQL_AT_RENAME_TABLE, location);
    if (c == NULL) return NULL;
    if (!p_is_kw(p, SQL_KW_TO)) {
        c->alter_kind = SQL_AT_RENAME_COLUMN;
        if (p_accept_kw(p, SQL_KW_CONSTRAINT)) {
            c->alter_kind = SQL_AT_RENAME_CONSTRAINT;
        } else if (!columns) {
            return p_error(p), NULL;
        } else {
            p_accept_kw(p, SQL_KW_COLUMN);
        }
        if ((c->name = sql_parse_col_id(p)) == NULL) return NULL;
    }
    if (!p_expect_kw(p, SQL_KW_TO)) return NULL;
    return (c->new_name = sql_parse_col_id(p)) != NULL ? c : NULL;
}

static sql_alter_table *alter_table_head(sql_parser *p, uint32_t location,
                                         sql_object_kind object) {
    sql_alter_table *a = P_NODE(p, sql_alter_table, SQL_N_ALTER_TABLE, location);
    if (a == NULL) return NULL;
    a->object = object;
    a->if_exists = alter_if_exists(p);
    a->only = p_accept_kw(p, SQL_KW_ONLY);
    if (!sql_parse_any_name(p, &a->name, 3)) return NULL;
    p_accept(p, '*');
    return a;
}

/* The commands after the name; only tables take ADD / DROP / VALIDATE. */
static sql_node *alter_table_body(sql_parser *p, sql_alter_table *a) {
    if (p_is_kw(p, SQL_KW_RENAME)) {
        bool columns = a->object != SQL_OBJ_INDEX && a->object != SQL_OBJ_SEQUENCE;
        sql_alter_cmd *c = alter_rename(p, columns);
        return c != NULL && p_push(p, &a->cmds, c) ? &a->hdr : NULL;
    }
    do {
        if (a->object != SQL_OBJ_TABLE && (p_is_kw(p, SQL_KW_ADD) || p_is_kw(p, SQL_KW_DROP) ||
                                           p_is_kw(p, SQL_KW_VALIDATE))) {
            return p_error(p), NULL;
        }
        sql_alter_cmd *c = alter_table_cmd(p);
        if (c == NULL || !p_push(p, &a->cmds, c)) return NULL;
    } while (p_accept(p, ','));
    return &a->hdr;
}

static sql_node *alter_table(sql_parser *p, uint32_t location, sql_object_kind object) {
    sql_alter_table *a = alter_table_head(p, location, object);
    return a == NULL ? NULL : alter_table_body(p, a);
}

/* ALTER SEQUENCE s options, or one of the commands it shares with tables. */
static sql_node *alter_sequence(sql_parser *p, uint32_t location) {
    sql_alter_table *a = alter_table_head(p, location, SQL_OBJ_SEQUENCE);
    if (a == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_RENAME) || p_is_kw(p, SQL_KW_OWNER) || p_is_kw(p, SQL_KW_SET) ||
        p_is_kw(p, SQL_KW_RESET)) {
        return alter_table_body(p, a);
    }
    sql_alter_sequence *s = P_NODE(p, sql_alter_sequence, SQL_N_ALTER_SEQUENCE, location);
    if (s == NULL) return NULL;
    s->name = a->name;
    s->if_exists = a->if_exists;
    return sql_parse_seq_options(p, &s->options, false) ? &s->hdr : NULL;
}

/* ALTER SCHEMA / DATABASE / ROLE name RENAME TO new */
static sql_node *alter_rename_object(sql_parser *p, uint32_t location, sql_object_kind object,
                                     const char *name, uint32_t name_location) {
    sql_rename *r = P_NODE(p, sql_rename, SQL_N_RENAME, location);
    if (r == NULL || !p_expect_kw(p, SQL_KW_RENAME) || !p_expect_kw(p, SQL_KW_TO)) return NULL;
    r->object = object;
    r->name.count = 1;
    r->name.parts[0] = name;
    r->name.location = name_location;
    return (r->new_name = sql_parse_col_id(p)) != NULL ? &r->hdr : NULL;
}

static sql_node *alter_named(sql_parser *p, uint32_t location, sql_object_kind object,
                             const char *what) {
    uint32_t at = p_loc(p);
    const char *name = sql_parse_col_id(p);
    if (name == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_OWNER) && p_is_kw_at(p, 1, SQL_KW_TO)) {
        sql_rename *r = P_NODE(p, sql_rename, SQL_N_RENAME, location);
        if (r == NULL) return NULL;
        p_next(p), p_next(p);
        r->object = object;
        r->owner = true;
        r->name.count = 1;
        r->name.parts[0] = name;
        r->name.location = at;
        return (r->new_name = sql_parse_col_label(p)) != NULL ? &r->hdr : NULL;
    }
    if (!p_is_kw(p, SQL_KW_RENAME)) {
        char msg[64];
        snprintf(msg, sizeof msg, "this form of ALTER %s", what);
        sql_parse_unsupported(p, location, msg);
        return NULL;
    }
    return alter_rename_object(p, location, object, name, at);
}

/* ALTER ROLE r [WITH] options | RENAME TO | [IN DATABASE d] SET / RESET ... */
static sql_node *alter_role(sql_parser *p, uint32_t location) {
    uint32_t at = p_loc(p);
    const char *name = p_is_kw(p, SQL_KW_ALL) ? "all" : alter_role_spec(p);
    if (name == NULL) return NULL;
    if (strcmp(name, "all") == 0 && p_is_kw(p, SQL_KW_ALL)) p_next(p);
    if (p_is_kw(p, SQL_KW_RENAME)) return alter_rename_object(p, location, SQL_OBJ_ROLE, name, at);
    sql_alter_role *r = P_NODE(p, sql_alter_role, SQL_N_ALTER_ROLE, location);
    if (r == NULL) return NULL;
    r->name = name;
    if (p_is_kw(p, SQL_KW_IN)) {
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_DATABASE) || (r->in_database = sql_parse_col_id(p)) == NULL) {
            return NULL;
        }
        if (!p_is_kw(p, SQL_KW_SET) && !p_is_kw(p, SQL_KW_RESET)) return p_error(p), NULL;
    }
    if (p_is_kw(p, SQL_KW_SET) || p_is_kw(p, SQL_KW_RESET)) {
        sql_node *set = p_is_kw(p, SQL_KW_SET) ? sql_parse_set(p) : sql_parse_reset(p);
        if (set == NULL) return NULL;
        if (set->kind != SQL_N_SET) return sql_parse_syntax_error(p, p_tok(p)), NULL;
        r->set = (sql_set *)set;
        return &r->hdr;
    }
    return sql_parse_role_options(p, &r->options, true) ? &r->hdr : NULL;
}

/* A domain constraint (ADD) or DEFAULT e (SET) parsed as a column's; exactly one. */
static bool alter_domain_constraint(sql_parser *p, sql_alter_domain *d) {
    sql_columndef *col = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
    if (col == NULL || !sql_parse_column_constraints(p, col)) return false;
    if (col->constraints.count != 1 || col->collation.count != 0) return p_error(p);
    d->constraint = SQL_LIST_AT(col->constraints, 0);
    if (p_accept_kw(p, SQL_KW_NOT)) { /* NOT VALID: the check still runs on new values */
        if (!p_expect_kw(p, SQL_KW_VALID)) return false;
        d->constraint->not_valid = true;
    }
    return true;
}

/* ALTER DOMAIN's SET / DROP forms: DEFAULT, NOT NULL, SCHEMA; DROP CONSTRAINT. */
static bool alter_domain_set_drop(sql_parser *p, sql_alter_domain *d, bool set) {
    if (set && p_accept_kw(p, SQL_KW_SCHEMA)) {
        d->cmd = SQL_AD_SET_SCHEMA;
        return (d->new_name = sql_parse_col_id(p)) != NULL;
    }
    if (set && p_is_kw(p, SQL_KW_DEFAULT)) {
        d->cmd = SQL_AD_SET_DEFAULT;
        return alter_domain_constraint(p, d);
    }
    if (!set && p_accept_kw(p, SQL_KW_DEFAULT)) {
        d->cmd = SQL_AD_DROP_DEFAULT;
        return true;
    }
    if (p_accept_kw(p, SQL_KW_NOT)) {
        d->cmd = set ? SQL_AD_SET_NOT_NULL : SQL_AD_DROP_NOT_NULL;
        return p_expect_kw(p, SQL_KW_NULL);
    }
    if (set) return p_error(p);
    if (!p_expect_kw(p, SQL_KW_CONSTRAINT)) return false;
    d->cmd = SQL_AD_DROP_CONSTRAINT;
    if (p_accept_kw(p, SQL_KW_IF)) {
        if (!p_expect_kw(p, SQL_KW_EXISTS)) return false;
        d->if_exists = true;
    }
    if ((d->old_name = sql_parse_col_id(p)) == NULL) return false;
    if (p_accept_kw(p, SQL_KW_CASCADE)) d->cascade = true;
    else p_accept_kw(p, SQL_KW_RESTRICT);
    return true;
}

/* ALTER DOMAIN name { SET | DROP ... | ADD constraint | RENAME [CONSTRAINT c] TO n |
 * OWNER TO r }; other forms (VALIDATE CONSTRAINT) are refused with 0A000. */
sql_node *sql_parse_alter_domain(sql_parser *p, uint32_t location) {
    sql_alter_domain *d = P_NODE(p, sql_alter_domain, SQL_N_ALTER_DOMAIN, location);
    if (d == NULL || !sql_parse_any_name(p, &d->name, 3)) return NULL;
    bool ok;
    if (p_accept_kw(p, SQL_KW_SET)) {
        ok = alter_domain_set_drop(p, d, true);
    } else if (p_accept_kw(p, SQL_KW_DROP)) {
        ok = alter_domain_set_drop(p, d, false);
    } else if (p_accept_kw(p, SQL_KW_ADD)) {
        d->cmd = SQL_AD_ADD_CONSTRAINT;
        ok = alter_domain_constraint(p, d);
    } else if (p_accept_kw(p, SQL_KW_RENAME)) {
        d->cmd = SQL_AD_RENAME;
        if (p_accept_kw(p, SQL_KW_CONSTRAINT)) {
            d->cmd = SQL_AD_RENAME_CONSTRAINT;
            if ((d->old_name = sql_parse_col_id(p)) == NULL) return NULL;
        }
        ok = p_expect_kw(p, SQL_KW_TO) && (d->new_name = sql_parse_col_id(p)) != NULL;
    } else if (p_accept_kw(p, SQL_KW_OWNER)) {
        d->cmd = SQL_AD_OWNER;
        ok = p_expect_kw(p, SQL_KW_TO) && (d->new_name = alter_role_spec(p)) != NULL;
    } else {
        return sql_parse_unsupported(p, p_loc(p), "this form of ALTER DOMAIN"), NULL;
    }
    return ok ? &d->hdr : NULL;
}

/* A label: a string constant. */
static const char *alter_type_label(sql_parser *p) {
    if (!p_is(p, SQL_TOK_SCONST)) return p_error(p), NULL;
    const char *s = p_tok(p)->str;
    p_next(p);
    return s;
}

/* ALTER TYPE's enum forms (ADD VALUE, RENAME VALUE), those of every type (RENAME TO, OWNER
 * TO, SET SCHEMA) and, through sql_parse_ctype.c, a composite type's attribute actions; the
 * others are refused with 0A000. */
static sql_node *alter_type(sql_parser *p, uint32_t location) {
    sql_alter_type *a = P_NODE(p, sql_alter_type, SQL_N_ALTER_TYPE, location);
    if (a == NULL || !sql_parse_any_name(p, &a->name, 3)) return NULL;
    if ((p_is_kw(p, SQL_KW_ADD) && !p_is_kw_at(p, 1, SQL_KW_VALUE)) || p_is_kw(p, SQL_KW_DROP) ||
        p_is_kw(p, SQL_KW_ALTER) ||
        (p_is_kw(p, SQL_KW_RENAME) && p_is_kw_at(p, 1, SQL_KW_ATTRIBUTE))) {
        return sql_parse_alter_composite(p, location, &a->name);
    }
    bool ok;
    if (p_accept_kw(p, SQL_KW_ADD) && p_accept_kw(p, SQL_KW_VALUE)) {
        a->cmd = SQL_ATY_ADD_VALUE;
        if (p_accept_kw(p, SQL_KW_IF)) {
            if (!p_expect_kw(p, SQL_KW_NOT) || !p_expect_kw(p, SQL_KW_EXISTS)) return NULL;
            a->if_not_exists = true;
        }
        if ((a->value = alter_type_label(p)) == NULL) return NULL;
        if ((a->before = p_accept_kw(p, SQL_KW_BEFORE)) || p_accept_kw(p, SQL_KW_AFTER)) {
            if ((a->neighbor = alter_type_label(p)) == NULL) return NULL;
        }
        ok = true;
    } else if (p_accept_kw(p, SQL_KW_RENAME)) {
        if (p_accept_kw(p, SQL_KW_VALUE)) {
            a->cmd = SQL_ATY_RENAME_VALUE;
            ok = (a->value = alter_type_label(p)) != NULL && p_expect_kw(p, SQL_KW_TO) &&
                 (a->new_name = alter_type_label(p)) != NULL;
        } else {
            a->cmd = SQL_ATY_RENAME;
            ok = p_expect_kw(p, SQL_KW_TO) && (a->new_name = sql_parse_col_id(p)) != NULL;
        }
    } else if (p_accept_kw(p, SQL_KW_OWNER)) {
        a->cmd = SQL_ATY_OWNER;
        ok = p_expect_kw(p, SQL_KW_TO) && (a->new_name = alter_role_spec(p)) != NULL;
    } else if (p_accept_kw(p, SQL_KW_SET) && p_accept_kw(p, SQL_KW_SCHEMA)) {
        a->cmd = SQL_ATY_SET_SCHEMA;
        ok = (a->new_name = sql_parse_col_id(p)) != NULL;
    } else {
        return sql_parse_unsupported(p, location, "this form of ALTER TYPE"), NULL;
    }
    return ok ? &a->hdr : NULL;
}

sql_node *sql_parse_alter(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    const sql_token *t = p_tok(p);
    sql_kw kw = t->kind == SQL_TOK_KEYWORD ? (sql_kw)t->kw : SQL_KW_INVALID;
    if (kw == SQL_KW_INVALID) return sql_parse_syntax_error(p, t), NULL;
    const char *word = t->str;
    if (kw != SQL_KW_MATERIALIZED) p_next(p);
    switch (kw) {
    case SQL_KW_TABLE: return alter_table(p, location, SQL_OBJ_TABLE);
    case SQL_KW_INDEX: return alter_table(p, location, SQL_OBJ_INDEX);
    case SQL_KW_VIEW: return alter_table(p, location, SQL_OBJ_VIEW);
    case SQL_KW_MATERIALIZED:
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_VIEW)) return NULL;
        return alter_table(p, location, SQL_OBJ_MATVIEW);
    case SQL_KW_SEQUENCE: return alter_sequence(p, location);
    case SQL_KW_SCHEMA: return alter_named(p, location, SQL_OBJ_SCHEMA, "SCHEMA");
    case SQL_KW_DATABASE: return alter_named(p, location, SQL_OBJ_DATABASE, "DATABASE");
    case SQL_KW_ROLE: case SQL_KW_USER: return alter_role(p, location);
    case SQL_KW_DOMAIN: return sql_parse_alter_domain(p, location);
    case SQL_KW_TYPE: return alter_type(p, location);
    default: {
        char what[64];
        snprintf(what, sizeof what, "ALTER %s", word);
        for (char *c = what; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        sql_parse_unsupported(p, location, what);
        return NULL;
    }
    }
}

/* ---- DROP ---- */

/* The object kind after DROP / COMMENT ON; SQL_OBJ_* or 0 if Dreambase has none. */
static sql_object_kind alter_object_kind(sql_parser *p) {
    const sql_token *t = p_tok(p);
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_TABLE: return SQL_OBJ_TABLE;
    case SQL_KW_INDEX: return SQL_OBJ_INDEX;
    case SQL_KW_SEQUENCE: return SQL_OBJ_SEQUENCE;
    case SQL_KW_VIEW: return SQL_OBJ_VIEW;
    case SQL_KW_MATERIALIZED: return p_is_kw_at(p, 1, SQL_KW_VIEW) ? SQL_OBJ_MATVIEW : 0;
    case SQL_KW_SCHEMA: return SQL_OBJ_SCHEMA;
    case SQL_KW_DATABASE: return SQL_OBJ_DATABASE;
    case SQL_KW_ROLE: case SQL_KW_USER: case SQL_KW_GROUP:
        return p_is_kw_at(p, 1, SQL_KW_MAPPING) ? 0 : SQL_OBJ_ROLE;
    case SQL_KW_EXTENSION: return SQL_OBJ_EXTENSION;
    case SQL_KW_TYPE: return SQL_OBJ_TYPE;
    case SQL_KW_DOMAIN: return SQL_OBJ_DOMAIN;
    case SQL_KW_FUNCTION: case SQL_KW_PROCEDURE: return SQL_OBJ_FUNCTION;
    case SQL_KW_COLUMN: return SQL_OBJ_COLUMN;
    case SQL_KW_CONSTRAINT: return SQL_OBJ_CONSTRAINT;
    case SQL_KW_TRIGGER: return SQL_OBJ_TRIGGER;
    default: return 0;
    }
}

static bool alter_refuse_object(sql_parser *p, const char *verb, uint32_t location) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return p_error(p);
    char what[64];
    snprintf(what, sizeof what, "%s %s", verb, t->str);
    for (char *c = what; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    return sql_parse_unsupported(p, location, what);
}

/* Skips a function's argument list: the object is named, its signature not modelled. */
static bool alter_skip_args(sql_parser *p) {
    if (!p_accept(p, '(')) return true;
    for (uint32_t depth = 1; depth > 0; p_next(p)) {
        if (p_is(p, SQL_TOK_EOF) || p_is(p, SQL_TOK_ERROR)) return p_error(p);
        if (p_is(p, '(')) depth++;
        if (p_is(p, ')')) depth--;
    }
    return true;
}

static bool alter_push_name(sql_parser *p, sql_list *out, uint32_t max_parts) {
    sql_name *n = sql_parse_alloc(p, sizeof *n);
    return n != NULL && sql_parse_any_name(p, n, max_parts) && p_push(p, out, n);
}

static bool drop_names(sql_parser *p, sql_drop *d) {
    bool simple = d->object == SQL_OBJ_SCHEMA || d->object == SQL_OBJ_DATABASE ||
                  d->object == SQL_OBJ_ROLE || d->object == SQL_OBJ_EXTENSION;
    if (d->object == SQL_OBJ_TRIGGER) {
        return alter_push_name(p, &d->names, 1) && p_expect_kw(p, SQL_KW_ON) &&
               alter_push_name(p, &d->names, 3);
    }
    do {
        if (!alter_push_name(p, &d->names, simple ? 1 : 3)) return false;
        if (d->object == SQL_OBJ_FUNCTION && !alter_skip_args(p)) return false;
    } while (d->object != SQL_OBJ_DATABASE && p_accept(p, ','));
    return true;
}

/* DROP DATABASE d [[WITH] (FORCE)] */
static bool drop_database_force(sql_parser *p, sql_drop *d) {
    bool with = p_is_kw(p, SQL_KW_WITH) && p_kind_at(p, 1) == '(';
    if (!with && !p_is(p, '(')) return true;
    if (with) p_next(p);
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_FORCE)) return false;
    d->force = true;
    return p_expect(p, ')');
}

sql_node *sql_parse_drop(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    sql_object_kind object = alter_object_kind(p);
    if (object == 0 || object == SQL_OBJ_COLUMN || object == SQL_OBJ_CONSTRAINT) {
        alter_refuse_object(p, "DROP", location);
        return NULL;
    }
    sql_drop *d = P_NODE(p, sql_drop, SQL_N_DROP, location);
    if (d == NULL) return NULL;
    d->object = object;
    if (object == SQL_OBJ_MATVIEW) p_next(p);
    p_next(p);
    if (object == SQL_OBJ_INDEX) d->concurrently = p_accept_kw(p, SQL_KW_CONCURRENTLY);
    d->if_exists = alter_if_exists(p);
    if (!drop_names(p, d)) return NULL;
    if (object == SQL_OBJ_DATABASE) return drop_database_force(p, d) ? &d->hdr : NULL;
    if (object != SQL_OBJ_ROLE) d->cascade = alter_cascade(p);
    return &d->hdr;
}

/* ---- TRUNCATE ---- */

sql_node *sql_parse_truncate(sql_parser *p) {
    sql_truncate *t = P_NODE(p, sql_truncate, SQL_N_TRUNCATE, p_loc(p));
    if (t == NULL) return NULL;
    p_next(p);
    p_accept_kw(p, SQL_KW_TABLE);
    do {
        sql_rangevar *r = sql_parse_relation(p);
        if (r == NULL || !p_push(p, &t->tables, r)) return NULL;
    } while (p_accept(p, ','));
    if (p_accept_kw(p, SQL_KW_RESTART)) {
        t->restart_identity = true;
        if (!p_expect_kw(p, SQL_KW_IDENTITY)) return NULL;
    } else if (p_accept_kw(p, SQL_KW_CONTINUE)) {
        if (!p_expect_kw(p, SQL_KW_IDENTITY)) return NULL;
    }
    t->cascade = alter_cascade(p);
    return &t->hdr;
}

/* ---- COMMENT ON ---- */

static bool comment_target(sql_parser *p, sql_comment *c) {
    switch (c->object) {
    case SQL_OBJ_COLUMN:
        return sql_parse_any_name(p, &c->name, 4);
    case SQL_OBJ_CONSTRAINT: case SQL_OBJ_TRIGGER:
        if (!sql_parse_any_name(p, &c->name, 1) || !p_expect_kw(p, SQL_KW_ON)) return false;
        if (c->object == SQL_OBJ_CONSTRAINT) p_accept_kw(p, SQL_KW_DOMAIN);
        return sql_parse_any_name(p, &c->on_table, 3);
    case SQL_OBJ_SCHEMA: case SQL_OBJ_DATABASE: case SQL_OBJ_ROLE: case SQL_OBJ_EXTENSION:
        return sql_parse_any_name(p, &c->name, 1);
    case SQL_OBJ_FUNCTION:
        return sql_parse_any_name(p, &c->name, 3) && alter_skip_args(p);
    default:
        return sql_parse_any_name(p, &c->name, 3);
    }
}

sql_node *sql_parse_comment(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_ON)) return NULL;
    sql_object_kind object = alter_object_kind(p);
    if (object == 0) {
        alter_refuse_object(p, "COMMENT ON", location);
        return NULL;
    }
    sql_comment *c = P_NODE(p, sql_comment, SQL_N_COMMENT, location);
    if (c == NULL) return NULL;
    c->object = object;
    if (object == SQL_OBJ_MATVIEW) p_next(p);
    p_next(p);
    if (!comment_target(p, c) || !p_expect_kw(p, SQL_KW_IS)) return NULL;
    if (p_accept_kw(p, SQL_KW_NULL)) return &c->hdr;
    return (c->text = sql_parse_sconst(p)) != NULL ? &c->hdr : NULL;
}
