/* sql_parse_ddl.c: the pieces of DDL statements: column definitions with every column
 * constraint form (DEFAULT and CHECK keep their source text), table constraints with their
 * attributes (DEFERRABLE, NOT VALID...), option lists (WITH (name = value)) and sequence
 * options (CREATE/ALTER SEQUENCE, identity columns). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_parse_int.h"

/* ---- option lists ---- */

sql_defelem *sql_parse_defelem_new(sql_parser *p, const char *name, sql_node *value,
                                   uint32_t location) {
    sql_defelem *d = P_NODE(p, sql_defelem, SQL_N_DEFELEM, location);
    if (d == NULL) return NULL;
    d->name = name;
    d->value = value;
    return d;
}

/* A bare word as a value: a column reference naming it, and `word`. */
sql_node *sql_parse_word_ref(sql_parser *p, const char *word, uint32_t location) {
    sql_columnref *c = P_NODE(p, sql_columnref, SQL_N_COLUMNREF, location);
    if (c == NULL) return NULL;
    c->name.count = 1;
    c->name.parts[0] = word;
    c->name.location = location;
    return &c->hdr;
}

/* def_arg: a number, a string, a word (any keyword too), an operator or a type name. */
sql_node *sql_parse_def_arg(sql_parser *p, const char **word) {
    const sql_token *t = p_tok(p);
    uint32_t location = t->start;
    *word = NULL;
    if (t->kind == SQL_TOK_SCONST) {
        p_next(p);
        return sql_parse_const_str(p, t->str, location);
    }
    if (t->kind == SQL_TOK_ICONST || t->kind == SQL_TOK_FCONST || t->kind == '+' ||
        t->kind == '-') {
        if ((t->kind == '+' || t->kind == '-') && p_kind_at(p, 1) != SQL_TOK_ICONST &&
            p_kind_at(p, 1) != SQL_TOK_FCONST) {
            p_next(p);
            *word = t->kind == '+' ? "+" : "-";
            return sql_parse_word_ref(p, *word, location);
        }
        return sql_parse_numeric_only(p);
    }
    if (t->kind == SQL_TOK_OP || t->kind == SQL_TOK_LESS_EQUALS || t->kind == '=' ||
        t->kind == '<' || t->kind == '>' || t->kind == '*' || t->kind == '/') {
        const char *schema;
        if (!sql_parse_qual_op(p, word, &schema)) return NULL;
        return sql_parse_word_ref(p, *word, location);
    }
    if ((t->kind == SQL_TOK_IDENT || t->kind == SQL_TOK_KEYWORD) &&
        (p_kind_at(p, 1) == '(' || p_kind_at(p, 1) == '.' || p_kind_at(p, 1) == '[')) {
        return (sql_node *)sql_parse_type(p); /* a type: AS bigint, storage types... */
    }
    if (t->kind != SQL_TOK_IDENT && t->kind != SQL_TOK_KEYWORD) return p_error(p), NULL;
    *word = t->str;
    p_next(p);
    return sql_parse_word_ref(p, *word, location);
}

/* '(' [ns.]name [= value] [, ...] ')' */
bool sql_parse_defelem_list(sql_parser *p, sql_list *out) {
    if (!p_expect(p, '(')) return false;
    do {
        uint32_t location = p_loc(p);
        const char *name = sql_parse_col_label(p), *ns = NULL;
        if (name == NULL) return false;
        if (p_accept(p, '.')) {
            ns = name;
            if ((name = sql_parse_col_label(p)) == NULL) return false;
        }
        sql_defelem *d = sql_parse_defelem_new(p, name, NULL, location);
        if (d == NULL) return false;
        d->ns = ns;
        if (p_accept(p, '=') && (d->value = sql_parse_def_arg(p, &d->word)) == NULL) return false;
        if (!p_push(p, out, d)) return false;
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

static bool ddl_push_opt(sql_parser *p, sql_list *out, const char *name, sql_node *value,
                         bool negated, uint32_t location) {
    sql_defelem *d = sql_parse_defelem_new(p, name, value, location);
    if (d == NULL) return false;
    d->negated = negated;
    return p_push(p, out, d);
}

/* One sequence option (CREATE/ALTER SEQUENCE, identity columns). */
static bool ddl_seq_option(sql_parser *p, sql_list *out) {
    uint32_t location = p_loc(p);
    const sql_token *t = p_tok(p);
    sql_kw kw = t->kind == SQL_TOK_KEYWORD ? (sql_kw)t->kw : SQL_KW_INVALID;
    p_next(p);
    switch (kw) {
    case SQL_KW_AS: {
        sql_typename *type = sql_parse_simple_type(p);
        return type != NULL && ddl_push_opt(p, out, "as", &type->hdr, false, location);
    }
    case SQL_KW_CACHE: case SQL_KW_MAXVALUE: case SQL_KW_MINVALUE: case SQL_KW_INCREMENT:
    case SQL_KW_START: {
        if (kw == SQL_KW_INCREMENT) p_accept_kw(p, SQL_KW_BY);
        if (kw == SQL_KW_START) p_accept_kw(p, SQL_KW_WITH);
        sql_node *v = sql_parse_numeric_only(p);
        return v != NULL && ddl_push_opt(p, out, t->str, v, false, location);
    }
    case SQL_KW_CYCLE: return ddl_push_opt(p, out, "cycle", NULL, false, location);
    case SQL_KW_NO:
        if (p_accept_kw(p, SQL_KW_CYCLE)) {
            return ddl_push_opt(p, out, "cycle", NULL, true, location);
        }
        if (p_accept_kw(p, SQL_KW_MINVALUE)) {
            return ddl_push_opt(p, out, "minvalue", NULL, true, location);
        }
        if (!p_expect_kw(p, SQL_KW_MAXVALUE)) return false;
        return ddl_push_opt(p, out, "maxvalue", NULL, true, location);
    case SQL_KW_RESTART: {
        sql_node *v = NULL;
        if (p_accept_kw(p, SQL_KW_WITH) || p_is(p, SQL_TOK_ICONST) || p_is(p, SQL_TOK_FCONST) ||
            p_is(p, '-') || p_is(p, '+')) {
            if ((v = sql_parse_numeric_only(p)) == NULL) return false;
        }
        return ddl_push_opt(p, out, "restart", v, false, location);
    }
    case SQL_KW_OWNED: {
        if (!p_expect_kw(p, SQL_KW_BY)) return false;
        sql_columnref *c = P_NODE(p, sql_columnref, SQL_N_COLUMNREF, p_loc(p));
        if (c == NULL || !sql_parse_any_name(p, &c->name, 4)) return false;
        sql_defelem *d = sql_parse_defelem_new(p, "owned_by", &c->hdr, location);
        if (d == NULL) return false;
        if (c->name.count == 1 && strcmp(c->name.parts[0], "none") == 0) d->word = "none";
        return p_push(p, out, d);
    }
    case SQL_KW_SEQUENCE: {
        sql_columnref *c = P_NODE(p, sql_columnref, SQL_N_COLUMNREF, p_loc(p));
        if (c == NULL || !p_expect_kw(p, SQL_KW_NAME) || !sql_parse_any_name(p, &c->name, 3)) {
            return false;
        }
        return ddl_push_opt(p, out, "sequence_name", &c->hdr, false, location);
    }
    default:
        return sql_parse_syntax_error(p, t);
    }
}

static bool ddl_seq_option_starts(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_AS: case SQL_KW_CACHE: case SQL_KW_CYCLE: case SQL_KW_NO: case SQL_KW_INCREMENT:
    case SQL_KW_MAXVALUE: case SQL_KW_MINVALUE: case SQL_KW_OWNED: case SQL_KW_SEQUENCE:
    case SQL_KW_START: case SQL_KW_RESTART:
        return true;
    default:
        return false;
    }
}

bool sql_parse_seq_options(sql_parser *p, sql_list *out, bool parens) {
    if (parens) {
        if (!p_expect(p, '(')) return false;
        do {
            if (!ddl_seq_option(p, out)) return false;
        } while (ddl_seq_option_starts(p) || p_accept(p, ','));
        return p_expect(p, ')');
    }
    while (ddl_seq_option_starts(p)) {
        if (!ddl_seq_option(p, out)) return false;
    }
    return true;
}

/* ---- constraints ---- */

static sql_constraint *ddl_constraint_new(sql_parser *p, sql_constraint_kind kind,
                                          const char *name, uint32_t location) {
    sql_constraint *c = P_NODE(p, sql_constraint, SQL_N_CONSTRAINT, location);
    if (c == NULL) return NULL;
    c->constr_kind = kind;
    c->name = name;
    c->fk_match = 's';
    return c;
}

/* An expression and its source text (kept for \d and pg_get_expr). */
static bool ddl_expr_text(sql_parser *p, sql_constraint *c, bool bexpr) {
    uint32_t start = p_loc(p);
    c->expr = bexpr ? sql_parse_bexpr(p) : sql_parse_expr(p);
    return c->expr != NULL && (c->expr_text = sql_parse_text(p, start, p->prev_end)) != NULL;
}

static bool ddl_fk_action(sql_parser *p, sql_fk_action *out) {
    if (p_accept_kw(p, SQL_KW_CASCADE)) {
        *out = SQL_FK_CASCADE;
    } else if (p_accept_kw(p, SQL_KW_RESTRICT)) {
        *out = SQL_FK_RESTRICT;
    } else if (p_accept_kw(p, SQL_KW_NO)) {
        *out = SQL_FK_NO_ACTION;
        return p_expect_kw(p, SQL_KW_ACTION);
    } else if (p_expect_kw(p, SQL_KW_SET)) {
        if (p_accept_kw(p, SQL_KW_NULL)) *out = SQL_FK_SET_NULL;
        else if (p_expect_kw(p, SQL_KW_DEFAULT)) *out = SQL_FK_SET_DEFAULT;
        else return false;
        if (p_is(p, '(')) {
            return sql_parse_unsupported(p, p_loc(p), "a column list in SET NULL/SET DEFAULT");
        }
    } else {
        return false;
    }
    return true;
}

/* REFERENCES t [(cols)] [MATCH FULL|SIMPLE] [ON DELETE action] [ON UPDATE action] */
static bool ddl_references(sql_parser *p, sql_constraint *c) {
    if (!p_expect_kw(p, SQL_KW_REFERENCES) || !sql_parse_any_name(p, &c->fk_table, 3)) return false;
    if (p_is(p, '(') && !sql_parse_name_list_paren(p, &c->fk_cols)) return false;
    uint32_t match = p_loc(p);
    if (p_accept_kw(p, SQL_KW_MATCH)) {
        if (p_accept_kw(p, SQL_KW_FULL)) {
            c->fk_match = 'f';
        } else if (p_is_kw(p, SQL_KW_PARTIAL)) {
            return sql_parse_fail(p, SQLSTATE_FEATURE_NOT_SUPPORTED, match,
                                  "MATCH PARTIAL not yet implemented");
        } else if (!p_expect_kw(p, SQL_KW_SIMPLE)) {
            return false;
        }
    }
    while (p_is_kw(p, SQL_KW_ON)) {
        p_next(p);
        bool del = p_accept_kw(p, SQL_KW_DELETE);
        if (!del && !p_expect_kw(p, SQL_KW_UPDATE)) return false;
        if (!ddl_fk_action(p, del ? &c->fk_on_delete : &c->fk_on_update)) return false;
    }
    return true;
}

/* [WITH (options)] [USING INDEX TABLESPACE name] after UNIQUE / PRIMARY KEY */
static bool ddl_index_params(sql_parser *p, sql_constraint *c) {
    if (p_accept_kw(p, SQL_KW_INCLUDE) && !sql_parse_name_list_paren(p, &c->include)) {
        return false;
    }
    if (p_is_kw(p, SQL_KW_WITH) && p_kind_at(p, 1) == '(') {
        p_next(p);
        if (!sql_parse_defelem_list(p, &c->options)) return false;
    }
    if (p_is_kw(p, SQL_KW_USING) && p_is_kw_at(p, 1, SQL_KW_INDEX)) {
        p_next(p);
        p_next(p);
        return p_expect_kw(p, SQL_KW_TABLESPACE) && sql_parse_col_id(p) != NULL;
    }
    return true;
}

static bool ddl_unique_nulls(sql_parser *p, sql_constraint *c) {
    if (!p_is_kw(p, SQL_KW_NULLS)) return true;
    p_next(p);
    c->nulls_not_distinct = p_accept_kw(p, SQL_KW_NOT);
    return p_expect_kw(p, SQL_KW_DISTINCT);
}

/* CHECK (expr) [NO INHERIT] */
static bool ddl_check(sql_parser *p, sql_constraint *c) {
    if (!p_expect(p, '(') || !ddl_expr_text(p, c, false) || !p_expect(p, ')')) return false;
    if (p_is_kw(p, SQL_KW_NO) && p_is_kw_at(p, 1, SQL_KW_INHERIT)) {
        p_next(p);
        p_next(p);
        c->no_inherit = true;
    }
    return true;
}

/* GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)] | GENERATED ALWAYS AS (e) STORED */
static bool ddl_generated(sql_parser *p, sql_constraint *c) {
    bool always = p_accept_kw(p, SQL_KW_ALWAYS);
    if (!always && (!p_expect_kw(p, SQL_KW_BY) || !p_expect_kw(p, SQL_KW_DEFAULT))) return false;
    if (!p_expect_kw(p, SQL_KW_AS)) return false;
    if (p_accept_kw(p, SQL_KW_IDENTITY)) {
        c->constr_kind = SQL_CONSTR_IDENTITY;
        c->identity_always = always;
        return !p_is(p, '(') || sql_parse_seq_options(p, &c->seq_options, true);
    }
    if (!always) return p_error(p);
    c->constr_kind = SQL_CONSTR_GENERATED;
    if (!p_expect(p, '(') || !ddl_expr_text(p, c, false) || !p_expect(p, ')')) return false;
    return p_expect_kw(p, SQL_KW_STORED);
}

/* A column constraint after its optional CONSTRAINT name. */
static sql_constraint *ddl_column_constraint(sql_parser *p, const char *name, uint32_t location) {
    sql_constraint *c = ddl_constraint_new(p, SQL_CONSTR_NULL, name, location);
    if (c == NULL) return NULL;
    const sql_token *t = p_tok(p);
    sql_kw kw = t->kind == SQL_TOK_KEYWORD ? (sql_kw)t->kw : SQL_KW_INVALID;
    bool ok;
    if (kw != SQL_KW_REFERENCES) p_next(p);
    switch (kw) {
    case SQL_KW_NULL: return c;
    case SQL_KW_NOT: c->constr_kind = SQL_CONSTR_NOTNULL; ok = p_expect_kw(p, SQL_KW_NULL); break;
    case SQL_KW_UNIQUE:
        c->constr_kind = SQL_CONSTR_UNIQUE;
        ok = ddl_unique_nulls(p, c) && ddl_index_params(p, c);
        break;
    case SQL_KW_PRIMARY:
        c->constr_kind = SQL_CONSTR_PRIMARY;
        ok = p_expect_kw(p, SQL_KW_KEY) && ddl_index_params(p, c);
        break;
    case SQL_KW_CHECK: c->constr_kind = SQL_CONSTR_CHECK; ok = ddl_check(p, c); break;
    case SQL_KW_DEFAULT: c->constr_kind = SQL_CONSTR_DEFAULT; ok = ddl_expr_text(p, c, true); break;
    case SQL_KW_GENERATED: ok = ddl_generated(p, c); break;
    case SQL_KW_REFERENCES: c->constr_kind = SQL_CONSTR_FOREIGN; ok = ddl_references(p, c); break;
    default: ok = sql_parse_syntax_error(p, t); break;
    }
    return ok ? c : NULL;
}

/* DEFERRABLE, NOT DEFERRABLE, INITIALLY DEFERRED/IMMEDIATE after a constraint: they belong
 * to the constraint before them, which must be one that can be deferred. */
static bool ddl_constraint_attr(sql_parser *p, sql_constraint *prev) {
    uint32_t location = p_loc(p);
    const char *what;
    bool deferrable = false, deferred = false, initially = false;
    if (p_accept_kw(p, SQL_KW_DEFERRABLE)) {
        what = "DEFERRABLE";
        deferrable = true;
    } else if (p_accept_kw(p, SQL_KW_NOT)) {
        what = "NOT DEFERRABLE";
        if (!p_expect_kw(p, SQL_KW_DEFERRABLE)) return false;
    } else {
        p_next(p); /* INITIALLY */
        initially = true;
        deferred = p_accept_kw(p, SQL_KW_DEFERRED);
        if (!deferred && !p_expect_kw(p, SQL_KW_IMMEDIATE)) return false;
        what = deferred ? "INITIALLY DEFERRED" : "INITIALLY IMMEDIATE";
    }
    if (prev == NULL || (prev->constr_kind != SQL_CONSTR_UNIQUE &&
                         prev->constr_kind != SQL_CONSTR_PRIMARY &&
                         prev->constr_kind != SQL_CONSTR_FOREIGN)) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location, "misplaced %s clause", what);
    }
    if (initially) {
        prev->initially_deferred = deferred;
        if (deferred) prev->deferrable = true;
    } else {
        prev->deferrable = deferrable;
    }
    return true;
}

bool sql_parse_column_constraints(sql_parser *p, sql_columndef *col) {
    sql_constraint *prev = NULL;
    for (;;) {
        uint32_t location = p_loc(p);
        if (p_is_kw(p, SQL_KW_DEFERRABLE) || p_is_kw(p, SQL_KW_INITIALLY) ||
            (p_is_kw(p, SQL_KW_NOT) && p_is_kw_at(p, 1, SQL_KW_DEFERRABLE))) {
            if (!ddl_constraint_attr(p, prev)) return false;
            continue;
        }
        if (p_accept_kw(p, SQL_KW_COLLATE)) {
            if (!sql_parse_any_name(p, &col->collation, 3)) return false;
            continue;
        }
        const char *name = NULL;
        if (p_accept_kw(p, SQL_KW_CONSTRAINT) && (name = sql_parse_col_id(p)) == NULL) {
            return false;
        }
        const sql_token *t = p_tok(p);
        bool starts = t->kind == SQL_TOK_KEYWORD &&
                      (t->kw == SQL_KW_NULL || t->kw == SQL_KW_NOT || t->kw == SQL_KW_UNIQUE ||
                       t->kw == SQL_KW_PRIMARY || t->kw == SQL_KW_CHECK ||
                       t->kw == SQL_KW_DEFAULT || t->kw == SQL_KW_GENERATED ||
                       t->kw == SQL_KW_REFERENCES);
        if (!starts) return name == NULL || p_error(p);
        prev = ddl_column_constraint(p, name, location);
        if (prev == NULL || !p_push(p, &col->constraints, prev)) return false;
    }
}

sql_columndef *sql_parse_column_def(sql_parser *p) {
    sql_columndef *c = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
    if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL) return NULL;
    if ((c->type = sql_parse_type(p)) == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_COMPRESSION)) {
        sql_parse_unsupported(p, p_loc(p), "COMPRESSION");
        return NULL;
    }
    return sql_parse_column_constraints(p, c) ? c : NULL;
}

/* Attributes after a table constraint: [NOT] DEFERRABLE, INITIALLY ..., NOT VALID,
 * NO INHERIT. */
static bool ddl_table_constraint_attrs(sql_parser *p, sql_constraint *c) {
    for (;;) {
        if (p_is_kw(p, SQL_KW_NOT) && p_is_kw_at(p, 1, SQL_KW_VALID)) {
            p_next(p);
            p_next(p);
            c->not_valid = true;
        } else if (p_is_kw(p, SQL_KW_NO) && p_is_kw_at(p, 1, SQL_KW_INHERIT)) {
            p_next(p);
            p_next(p);
            c->no_inherit = true;
        } else if (p_is_kw(p, SQL_KW_DEFERRABLE) || p_is_kw(p, SQL_KW_INITIALLY) ||
                   (p_is_kw(p, SQL_KW_NOT) && p_is_kw_at(p, 1, SQL_KW_DEFERRABLE))) {
            if (!ddl_constraint_attr(p, c)) return false;
        } else {
            return true;
        }
    }
}

sql_constraint *sql_parse_table_constraint(sql_parser *p) {
    uint32_t location = p_loc(p);
    const char *name = NULL;
    if (p_accept_kw(p, SQL_KW_CONSTRAINT) && (name = sql_parse_col_id(p)) == NULL) return NULL;
    sql_constraint *c = ddl_constraint_new(p, SQL_CONSTR_CHECK, name, location);
    if (c == NULL) return NULL;
    bool ok;
    if (p_accept_kw(p, SQL_KW_CHECK)) {
        ok = ddl_check(p, c);
    } else if (p_accept_kw(p, SQL_KW_UNIQUE)) {
        c->constr_kind = SQL_CONSTR_UNIQUE;
        if (p_is_kw(p, SQL_KW_USING)) {
            sql_parse_unsupported(p, p_loc(p), "UNIQUE USING INDEX");
            return NULL;
        }
        ok = ddl_unique_nulls(p, c) && sql_parse_name_list_paren(p, &c->keys) &&
             ddl_index_params(p, c);
    } else if (p_accept_kw(p, SQL_KW_PRIMARY)) {
        c->constr_kind = SQL_CONSTR_PRIMARY;
        ok = p_expect_kw(p, SQL_KW_KEY) && sql_parse_name_list_paren(p, &c->keys) &&
             ddl_index_params(p, c);
    } else if (p_accept_kw(p, SQL_KW_FOREIGN)) {
        c->constr_kind = SQL_CONSTR_FOREIGN;
        ok = p_expect_kw(p, SQL_KW_KEY) && sql_parse_name_list_paren(p, &c->keys) &&
             ddl_references(p, c);
    } else if (p_is_kw(p, SQL_KW_EXCLUDE)) {
        return sql_parse_unsupported(p, p_loc(p), "EXCLUDE constraints"), NULL;
    } else {
        ok = p_error(p);
    }
    return ok && ddl_table_constraint_attrs(p, c) ? c : NULL;
}
