/* sql_parse_ctype.c: a composite type's CREATE TYPE name AS ( ... ) (sql_create_composite) and
 * ALTER TYPE's attribute actions, PostgreSQL's AlterCompositeTypeStmt (ADD / DROP / ALTER
 * ATTRIBUTE, RENAME ATTRIBUTE). sql_parse_create.c and sql_parse_alter.c dispatch here; ALTER
 * TYPE's RENAME TO / OWNER TO / SET SCHEMA of any type are parsed there. */
#include "sql/sql_parse_int.h"

/* TableFuncElement: ColId Typename [COLLATE any_name]. */
static sql_columndef *ctype_attr(sql_parser *p) {
    sql_columndef *c = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
    if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL) return NULL;
    if ((c->type = sql_parse_type(p)) == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_COLLATE) && !sql_parse_any_name(p, &c->collation, 3)) return NULL;
    return c;
}

sql_node *sql_parse_create_composite(sql_parser *p, const sql_name *name, uint32_t location) {
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

static void ctype_drop_behavior(sql_parser *p, sql_alter_composite_cmd *c) {
    if (p_accept_kw(p, SQL_KW_CASCADE)) c->cascade = true;
    else p_accept_kw(p, SQL_KW_RESTRICT);
}

/* One of ADD ATTRIBUTE, DROP ATTRIBUTE [IF EXISTS], ALTER ATTRIBUTE ... [SET DATA] TYPE. */
static sql_alter_composite_cmd *ctype_alter_cmd(sql_parser *p) {
    sql_alter_composite_cmd *c = sql_parse_alloc(p, sizeof *c);
    if (c == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_ADD)) {
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

sql_node *sql_parse_alter_composite(sql_parser *p, uint32_t location, const sql_name *name) {
    sql_alter_composite *a = P_NODE(p, sql_alter_composite, SQL_N_ALTER_COMPOSITE, location);
    if (a == NULL) return NULL;
    a->name = *name;
    if (p_accept_kw(p, SQL_KW_RENAME)) { /* RENAME ATTRIBUTE a TO b, alone */
        sql_alter_composite_cmd *c = sql_parse_alloc(p, sizeof *c);
        if (c == NULL) return NULL;
        p_next(p); /* ATTRIBUTE */
        c->cmd = SQL_AC_RENAME_ATTR;
        if ((c->name = sql_parse_col_id(p)) == NULL || !p_expect_kw(p, SQL_KW_TO) ||
            (c->new_name = sql_parse_col_id(p)) == NULL) {
            return NULL;
        }
        ctype_drop_behavior(p, c);
        return p_push(p, &a->cmds, c) ? &a->hdr : NULL;
    }
    do {
        sql_alter_composite_cmd *c = ctype_alter_cmd(p);
        if (c == NULL || !p_push(p, &a->cmds, c)) return NULL;
    } while (p_accept(p, ','));
    return &a->hdr;
}
