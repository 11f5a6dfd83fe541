/* sql_parse_dml.c: INSERT (VALUES, SELECT, DEFAULT VALUES, OVERRIDING, ON CONFLICT,
 * RETURNING), UPDATE (SET a = x, SET (a, b) = (x, y) / (SELECT ...), FROM, WHERE CURRENT OF)
 * and DELETE (USING), plus the index elements shared with ON CONFLICT and CREATE INDEX. */
#include <string.h>

#include "sql/sql_parse_int.h"

/* ---- assignment targets: col, col[1], col.f ---- */

static bool dml_indirection(sql_parser *p, sql_list *out) {
    for (;;) {
        uint32_t location = p_loc(p);
        if (p_accept(p, '[')) {
            sql_subscript *s = P_NODE(p, sql_subscript, SQL_N_SUBSCRIPT, location);
            if (s == NULL) return false;
            if (!p_is(p, ':') && (s->lower = sql_parse_expr(p)) == NULL) return false;
            if (p_accept(p, ':')) {
                s->is_slice = true;
                if (!p_is(p, ']') && (s->upper = sql_parse_expr(p)) == NULL) return false;
            }
            if (!p_expect(p, ']') || !p_push(p, out, s)) return false;
        } else if (p_accept(p, '.')) {
            sql_field *f = P_NODE(p, sql_field, SQL_N_FIELD, location);
            if (f == NULL) return false;
            if (!p_accept(p, '*') && (f->field = sql_parse_col_label(p)) == NULL) return false;
            if (!p_push(p, out, f)) return false;
        } else {
            return true;
        }
    }
}

static sql_set_item *dml_set_target(sql_parser *p) {
    sql_set_item *s = P_NODE(p, sql_set_item, SQL_N_SET_ITEM, p_loc(p));
    if (s == NULL || (s->column = sql_parse_col_id(p)) == NULL) return NULL;
    s->multi_index = -1;
    return dml_indirection(p, &s->indirection) ? s : NULL;
}

/* SET (a, b) = source: the source must be a ROW of as many values, or a subquery. */
static bool dml_set_multi(sql_parser *p, sql_list *out) {
    sql_list items = {0};
    p_next(p);
    do {
        sql_set_item *s = dml_set_target(p);
        if (s == NULL || !p_push(p, &items, s)) return false;
    } while (p_accept(p, ','));
    if (!p_expect(p, ')') || !p_expect(p, '=')) return false;
    sql_node *source = sql_parse_expr(p);
    if (source == NULL) return false;
    uint32_t at = source->location;
    bool query = source->kind == SQL_N_SUBLINK &&
                 ((sql_sublink *)source)->sublink_kind == SQL_SUBLINK_EXPR;
    if (!query && source->kind != SQL_N_ROW) {
        return sql_parse_fail(p, SQLSTATE_FEATURE_NOT_SUPPORTED, at,
                              "source for a multiple-column UPDATE item must be a sub-SELECT "
                              "or ROW() expression");
    }
    if (!query && ((sql_row *)source)->args.count != items.count) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, at,
                              "number of columns does not match number of values");
    }
    for (uint32_t i = 0; i < items.count; i++) {
        sql_set_item *s = SQL_LIST_AT(items, i);
        s->multi_source = source;
        s->multi_index = (int32_t)i;
        if (!p_push(p, out, s)) return false;
    }
    return true;
}

static bool dml_set_list(sql_parser *p, sql_list *out) {
    do {
        if (p_is(p, '(')) {
            if (!dml_set_multi(p, out)) return false;
            continue;
        }
        sql_set_item *s = dml_set_target(p);
        if (s == NULL || !p_expect(p, '=') || (s->value = sql_parse_expr(p)) == NULL ||
            !p_push(p, out, s)) {
            return false;
        }
    } while (p_accept(p, ','));
    return true;
}

static bool dml_returning(sql_parser *p, sql_list *out) {
    return !p_accept_kw(p, SQL_KW_RETURNING) || sql_parse_target_list(p, out);
}

/* WHERE cond | WHERE CURRENT OF cursor */
static bool dml_where(sql_parser *p, sql_node **where, const char **current_of) {
    if (p_is_kw(p, SQL_KW_WHERE) && p_is_kw_at(p, 1, SQL_KW_CURRENT) &&
        p_is_kw_at(p, 2, SQL_KW_OF)) {
        p_next(p);
        p_next(p);
        p_next(p);
        return (*current_of = sql_parse_col_id(p)) != NULL;
    }
    return sql_parse_where(p, where);
}

/* The target table of UPDATE/DELETE: [ONLY] name [*] [[AS] alias]; a bare alias may not be
 * SET (UPDATE t SET ...). */
static sql_rangevar *dml_target(sql_parser *p) {
    sql_rangevar *r = sql_parse_relation(p);
    if (r == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_AS)) {
        r->alias = sql_parse_col_id(p);
        return r->alias != NULL ? r : NULL;
    }
    if (p_is_col_id(p) && !p_is_kw(p, SQL_KW_SET)) {
        r->alias = p_tok(p)->str;
        p_next(p);
    }
    return r;
}

/* ---- index elements ---- */

static sql_index_elem *dml_index_elem(sql_parser *p) {
    sql_index_elem *e = P_NODE(p, sql_index_elem, SQL_N_INDEX_ELEM, p_loc(p));
    if (e == NULL) return NULL;
    if (p_is(p, '(')) {
        p_next(p);
        if ((e->expr = sql_parse_expr(p)) == NULL || !p_expect(p, ')')) return NULL;
    } else if (p_kind_at(p, 1) == '(' || p_kind_at(p, 1) == '.' ||
               !sql_parse_tok_is_col_id(p_tok(p))) {
        if ((e->expr = sql_parse_c_expr(p)) == NULL) return NULL;
        /* func_expr_windowless: a call, or COALESCE / NULLIF / GREATEST / LEAST / CAST */
        sql_node_kind k = SQL_NODE_KIND(e->expr);
        if (k != SQL_N_FUNC && k != SQL_N_SPECIAL && k != SQL_N_CAST) return p_error(p), NULL;
    } else if ((e->column = sql_parse_col_id(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_COLLATE) && !sql_parse_any_name(p, &e->collation, 3)) return NULL;
    bool nulls = p_is_kw(p, SQL_KW_NULLS) &&
                 (p_is_kw_at(p, 1, SQL_KW_FIRST) || p_is_kw_at(p, 1, SQL_KW_LAST));
    if (p_is_col_id(p) && !nulls) {
        if (!sql_parse_any_name(p, &e->opclass, 3)) return NULL;
        if (p_is(p, '(')) return sql_parse_unsupported(p, p_loc(p), "operator class options"), NULL;
    }
    if (p_accept_kw(p, SQL_KW_ASC)) e->dir = SQL_SORT_ASC;
    else if (p_accept_kw(p, SQL_KW_DESC)) e->dir = SQL_SORT_DESC;
    if (p_is_kw(p, SQL_KW_NULLS)) {
        p_next(p);
        if (p_accept_kw(p, SQL_KW_FIRST)) e->nulls = SQL_NULLS_FIRST;
        else if (p_expect_kw(p, SQL_KW_LAST)) e->nulls = SQL_NULLS_LAST;
        else return NULL;
    }
    return e;
}

bool sql_parse_index_elems(sql_parser *p, sql_list *out) {
    if (!p_expect(p, '(')) return false;
    do {
        sql_index_elem *e = dml_index_elem(p);
        if (e == NULL || !p_push(p, out, e)) return false;
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

/* ---- INSERT ---- */

static bool dml_insert_columns(sql_parser *p, sql_insert *ins) {
    p_next(p);
    do {
        sql_target *t = P_NODE(p, sql_target, SQL_N_TARGET, p_loc(p));
        if (t == NULL || (t->alias = sql_parse_col_id(p)) == NULL ||
            !dml_indirection(p, &t->indirection) || !p_push(p, &ins->columns, t)) {
            return false;
        }
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

static bool dml_on_conflict(sql_parser *p, sql_insert *ins) {
    uint32_t location = p_loc(p);
    p_next(p);
    p_next(p);
    sql_on_conflict *oc = sql_parse_alloc(p, sizeof *oc);
    if (oc == NULL) return false;
    ins->on_conflict = oc;
    if (p_is(p, '(')) {
        if (!sql_parse_index_elems(p, &oc->target_cols)) return false;
        if (!sql_parse_where(p, &oc->target_where)) return false;
    } else if (p_accept_kw(p, SQL_KW_ON)) {
        if (!p_expect_kw(p, SQL_KW_CONSTRAINT) || (oc->constraint = sql_parse_col_id(p)) == NULL) {
            return false;
        }
    }
    if (!p_expect_kw(p, SQL_KW_DO)) return false;
    if (p_accept_kw(p, SQL_KW_NOTHING)) {
        oc->action = SQL_CONFLICT_NOTHING;
        return true;
    }
    if (!p_expect_kw(p, SQL_KW_UPDATE) || !p_expect_kw(p, SQL_KW_SET)) return false;
    oc->action = SQL_CONFLICT_UPDATE;
    if (!dml_set_list(p, &oc->set) || !sql_parse_where(p, &oc->where)) return false;
    if (oc->target_cols.count == 0 && oc->constraint == NULL) {
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location,
                       "ON CONFLICT DO UPDATE requires inference specification or constraint "
                       "name");
        rt_err_hint(p->err, "For example, ON CONFLICT (column_name).");
        return false;
    }
    return true;
}

static bool dml_insert_source(sql_parser *p, sql_insert *ins) {
    if (p_is_kw(p, SQL_KW_OVERRIDING)) {
        p_next(p);
        if (p_accept_kw(p, SQL_KW_SYSTEM)) ins->overriding = SQL_OVERRIDING_SYSTEM;
        else if (p_expect_kw(p, SQL_KW_USER)) ins->overriding = SQL_OVERRIDING_USER;
        else return false;
        if (!p_expect_kw(p, SQL_KW_VALUE)) return false;
    }
    if (p_is_kw(p, SQL_KW_DEFAULT) && p_is_kw_at(p, 1, SQL_KW_VALUES)) {
        p_next(p);
        p_next(p);
        return true;
    }
    return (ins->source = sql_parse_select(p)) != NULL;
}

sql_node *sql_parse_insert(sql_parser *p, sql_with *with, uint32_t location) {
    sql_insert *ins = P_NODE(p, sql_insert, SQL_N_INSERT, location);
    if (ins == NULL) return NULL;
    ins->with = with;
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_INTO)) return NULL;
    ins->table = P_NODE(p, sql_rangevar, SQL_N_RANGEVAR, p_loc(p));
    if (ins->table == NULL || !sql_parse_any_name(p, &ins->table->name, 3)) return NULL;
    if (p_accept_kw(p, SQL_KW_AS) && (ins->table->alias = sql_parse_col_id(p)) == NULL) {
        return NULL;
    }
    if (p_is(p, '(') && !sql_parse_starts_select(p, 1) && p_kind_at(p, 1) != '(' &&
        !dml_insert_columns(p, ins)) {
        return NULL;
    }
    if (!dml_insert_source(p, ins)) return NULL;
    if (p_is_kw(p, SQL_KW_ON) && p_is_kw_at(p, 1, SQL_KW_CONFLICT) && !dml_on_conflict(p, ins)) {
        return NULL;
    }
    return dml_returning(p, &ins->returning) ? &ins->hdr : NULL;
}

/* ---- UPDATE, DELETE ---- */

sql_node *sql_parse_update(sql_parser *p, sql_with *with, uint32_t location) {
    sql_update *u = P_NODE(p, sql_update, SQL_N_UPDATE, location);
    if (u == NULL) return NULL;
    u->with = with;
    p_next(p);
    if ((u->table = dml_target(p)) == NULL || !p_expect_kw(p, SQL_KW_SET) ||
        !dml_set_list(p, &u->set)) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_FROM) && !sql_parse_from_list(p, &u->from)) return NULL;
    if (!dml_where(p, &u->where, &u->current_of)) return NULL;
    return dml_returning(p, &u->returning) ? &u->hdr : NULL;
}

sql_node *sql_parse_delete(sql_parser *p, sql_with *with, uint32_t location) {
    sql_delete *d = P_NODE(p, sql_delete, SQL_N_DELETE, location);
    if (d == NULL) return NULL;
    d->with = with;
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_FROM) || (d->table = dml_target(p)) == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_USING) && !sql_parse_from_list(p, &d->using_)) return NULL;
    if (!dml_where(p, &d->where, &d->current_of)) return NULL;
    return dml_returning(p, &d->returning) ? &d->hdr : NULL;
}
