/* sql_parse_ctype.c: CREATE TYPE and ALTER TYPE. CREATE TYPE dispatches on what follows the
 * name: AS ( ... ) is a composite type (sql_create_composite); the other forms (AS ENUM,
 * AS RANGE, base and shell types) are refused with 0A000 naming the form. ALTER TYPE of a
 * composite type takes PostgreSQL's AlterCompositeTypeStmt and its RENAME / OWNER / SET SCHEMA
 * forms; ADD VALUE and RENAME VALUE (enums) are refused the same way. */
#include <string.h>

#include "sql/sql_parse_int.h"

/* A word that is not a keyword of ours (ENUM): the identifier's folded text. */
static bool ctype_is_word(sql_parser *p, const char *word) {
    const sql_token *t = p_tok(p);
    return (t->kind == SQL_TOK_IDENT || t->kind == SQL_TOK_KEYWORD) && t->str != NULL &&
           strcmp(t->str, word) == 0;
}

/* TableFuncElement: ColId Typename [COLLATE any_name]. */
static sql_columndef *ctype_attr(sql_parser *p) {
    sql_columndef *c = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
    if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL) return NULL;
    if ((c->type = sql_parse_type(p)) == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_COLLATE) && !sql_parse_any_name(p, &c->collation, 3)) return NULL;
    return c;
}

/* AS ( [attr [, ...]] ): the composite form. */
static sql_node *ctype_create_composite(sql_parser *p, const sql_name *name, uint32_t location) {
    sql_create_composite *c = P_NODE(p, sql_create_composite, SQL_N_CREATE_COMPOSITE, location);
    if (c == NULL || !p_expect(p, '(')) return NULL;
    c->name = *name;
    if (p_accept(p, ')')) return &c->hdr;
    do {
        sql_columndef *a = ctype_attr(p);
        if (a == NULL || !p_push(p, &c->attrs, a)) return NULL;
    } while (p_accept(p, ','));
    return p_expect(p, ')') ? &c->hdr : NULL;
}

sql_node *sql_parse_create_type(sql_parser *p, uint32_t location) {
    p_next(p); /* TYPE */
    sql_name name;
    if (!sql_parse_any_name(p, &name, 3)) return NULL;
    if (!p_is_kw(p, SQL_KW_AS)) {
        return sql_parse_unsupported(p, location, "CREATE TYPE of a base or shell type"), NULL;
    }
    p_next(p);
    if (p_is(p, '(')) return ctype_create_composite(p, &name, location);
    if (ctype_is_word(p, "enum")) {
        return sql_parse_unsupported(p, location, "CREATE TYPE ... AS ENUM"), NULL;
    }
    if (ctype_is_word(p, "range")) {
        return sql_parse_unsupported(p, location, "CREATE TYPE ... AS RANGE"), NULL;
    }
    return p_error(p), NULL;
}

static void ctype_drop_behavior(sql_parser *p, sql_alter_composite_cmd *c) {
    if (p_accept_kw(p, SQL_KW_CASCADE)) c->cascade = true;
    else p_accept_kw(p, SQL_KW_RESTRICT);
}

/* One of ADD ATTRIBUTE, DROP ATTRIBUTE [IF EXISTS], ALTER ATTRIBUTE ... [SET DATA] TYPE. */
static sql_alter_composite_cmd *ctype_alter_cmd(sql_parser *p) {
    sql_alter_composite_cmd *c = sql_parse_alloc(p, sizeof *c);
    if (c == NULL) return NULL;
    uint32_t location = p_loc(p);
    if (p_accept_kw(p, SQL_KW_ADD)) {
        if (ctype_is_word(p, "value")) {
            return sql_parse_unsupported(p, location, "ALTER TYPE ... ADD VALUE"), NULL;
        }
        if (!p_expect_kw(p, SQL_KW_ATTRIBUTE) || (c->def = ctype_attr(p)) == NULL) return NULL;
        c->cmd = SQL_AC_ADD_ATTR;
    } else if (p_accept_kw(p, SQL_KW_DROP)) {
        if (!p_expect_kw(p, SQL_KW_ATTRIBUTE)) return NULL;
        if (p_is_kw(p, SQL_KW_IF) && p_is_kw_at(p, 1, SQL_KW_EXISTS)) {
            p_next(p);
            p_next(p);
            c->if_exists = true;
        }
        if ((c->name = sql_parse_col_id(p)) == NULL) return NULL;
        c->cmd = SQL_AC_DROP_ATTR;
    } else if (p_accept_kw(p, SQL_KW_ALTER)) {
        if (!p_expect_kw(p, SQL_KW_ATTRIBUTE) || (c->name = sql_parse_col_id(p)) == NULL) {
            return NULL;
        }
        if (p_accept_kw(p, SQL_KW_SET) && !p_expect_kw(p, SQL_KW_DATA)) return NULL;
        if (!p_expect_kw(p, SQL_KW_TYPE)) return NULL;
        c->def = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
        if (c->def == NULL || (c->def->type = sql_parse_type(p)) == NULL) return NULL;
        c->def->name = c->name;
        if (p_accept_kw(p, SQL_KW_COLLATE) && !sql_parse_any_name(p, &c->def->collation, 3)) {
            return NULL;
        }
        c->cmd = SQL_AC_ALTER_ATTR_TYPE;
    } else {
        return p_error(p), NULL;
    }
    ctype_drop_behavior(p, c);
    return c;
}

/* RENAME TO n, RENAME ATTRIBUTE a TO b, OWNER TO r, SET SCHEMA s: one action alone. */
static bool ctype_alter_single(sql_parser *p, sql_alter_composite_cmd *c) {
    uint32_t location = p_loc(p);
    if (p_accept_kw(p, SQL_KW_RENAME)) {
        if (ctype_is_word(p, "value")) {
            return sql_parse_unsupported(p, location, "ALTER TYPE ... RENAME VALUE");
        }
        c->cmd = SQL_AC_RENAME;
        if (p_accept_kw(p, SQL_KW_ATTRIBUTE)) {
            c->cmd = SQL_AC_RENAME_ATTR;
            if ((c->name = sql_parse_col_id(p)) == NULL) return false;
        }
        if (!p_expect_kw(p, SQL_KW_TO) || (c->new_name = sql_parse_col_id(p)) == NULL) {
            return false;
        }
        if (c->cmd == SQL_AC_RENAME_ATTR) ctype_drop_behavior(p, c);
        return true;
    }
    if (p_accept_kw(p, SQL_KW_OWNER)) {
        c->cmd = SQL_AC_OWNER;
        return p_expect_kw(p, SQL_KW_TO) && (c->new_name = sql_parse_nonreserved_word(p)) != NULL;
    }
    p_next(p); /* SET */
    c->cmd = SQL_AC_SET_SCHEMA;
    return p_expect_kw(p, SQL_KW_SCHEMA) && (c->new_name = sql_parse_col_id(p)) != NULL;
}

sql_node *sql_parse_alter_type(sql_parser *p, uint32_t location) {
    sql_alter_composite *a = P_NODE(p, sql_alter_composite, SQL_N_ALTER_COMPOSITE, location);
    if (a == NULL || !sql_parse_any_name(p, &a->name, 3)) return NULL;
    if (p_is_kw(p, SQL_KW_RENAME) || p_is_kw(p, SQL_KW_OWNER) ||
        (p_is_kw(p, SQL_KW_SET) && p_is_kw_at(p, 1, SQL_KW_SCHEMA))) {
        sql_alter_composite_cmd *c = sql_parse_alloc(p, sizeof *c);
        if (c == NULL || !ctype_alter_single(p, c) || !p_push(p, &a->cmds, c)) return NULL;
        return &a->hdr;
    }
    do {
        sql_alter_composite_cmd *c = ctype_alter_cmd(p);
        if (c == NULL || !p_push(p, &a->cmds, c)) return NULL;
    } while (p_accept(p, ','));
    return &a->hdr;
}
