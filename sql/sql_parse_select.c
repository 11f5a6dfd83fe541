/* sql_parse_select.c: queries: SELECT, VALUES, TABLE, set operations (INTERSECT binds
 * tighter than UNION and EXCEPT), WITH, ORDER BY (with Dreambase's NEAR), LIMIT/OFFSET/FETCH,
 * locking clauses, and the FROM clause with its joins, subqueries and table functions.
 * A parenthesised query may stand where a query, a FROM item or an expression may: which
 * one it is shows only after its ')' (UNION? an alias? an operator?), so the parenthesised
 * forms are parsed first and decided afterwards rather than guessed in advance. */
#include <string.h>

#include "sql/sql_parse_int.h"

static sql_select *select_primary(sql_parser *p);
static sql_node *from_table_ref(sql_parser *p);

bool sql_parse_starts_select(sql_parser *p, uint32_t n) {
    return p_is_kw_at(p, n, SQL_KW_SELECT) || p_is_kw_at(p, n, SQL_KW_VALUES) ||
           p_is_kw_at(p, n, SQL_KW_WITH) || p_is_kw_at(p, n, SQL_KW_TABLE);
}

bool sql_parse_continues_select(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_UNION: case SQL_KW_INTERSECT: case SQL_KW_EXCEPT: case SQL_KW_ORDER:
    case SQL_KW_LIMIT: case SQL_KW_OFFSET: case SQL_KW_FETCH: case SQL_KW_FOR:
        return true;
    default:
        return false;
    }
}

static sql_select *select_new(sql_parser *p, uint32_t location) {
    return P_NODE(p, sql_select, SQL_N_SELECT, location);
}

bool sql_parse_where(sql_parser *p, sql_node **out) {
    *out = NULL;
    if (!p_accept_kw(p, SQL_KW_WHERE)) return true;
    return (*out = sql_parse_expr(p)) != NULL;
}

/* ---- target lists ---- */

static sql_target *select_target(sql_parser *p) {
    sql_target *t = P_NODE(p, sql_target, SQL_N_TARGET, p_loc(p));
    if (t == NULL) return NULL;
    if (p_is(p, '*')) {
        t->expr = (sql_node *)P_NODE(p, sql_star, SQL_N_STAR, p_loc(p));
        p_next(p);
        return t->expr != NULL ? t : NULL;
    }
    if ((t->expr = sql_parse_expr(p)) == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_AS)) {
        t->alias = sql_parse_col_label(p);
        return t->alias != NULL ? t : NULL;
    }
    if (sql_parse_tok_is_bare_label(p_tok(p))) {
        t->alias = p_tok(p)->str;
        p_next(p);
    }
    return t;
}

bool sql_parse_target_list(sql_parser *p, sql_list *out) {
    do {
        sql_target *t = select_target(p);
        if (t == NULL || !p_push(p, out, t)) return false;
    } while (p_accept(p, ','));
    return true;
}

/* SELECT's target list may be empty (SELECT FROM t, SELECT;). */
static bool select_targets_absent(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind == SQL_TOK_EOF || t->kind == ';' || t->kind == ')') return true;
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_FROM: case SQL_KW_INTO: case SQL_KW_WHERE: case SQL_KW_GROUP: case SQL_KW_HAVING:
    case SQL_KW_WINDOW: case SQL_KW_UNION: case SQL_KW_INTERSECT: case SQL_KW_EXCEPT:
    case SQL_KW_ORDER: case SQL_KW_LIMIT: case SQL_KW_OFFSET: case SQL_KW_FETCH: case SQL_KW_FOR:
        return true;
    default:
        return false;
    }
}

/* ---- sort lists ---- */

static sql_sortby *select_sortby(sql_parser *p, bool near_ok) {
    sql_sortby *s = P_NODE(p, sql_sortby, SQL_N_SORTBY, p_loc(p));
    if (s == NULL || (s->expr = sql_parse_expr(p)) == NULL) return NULL;
    if (near_ok && p_accept_kw(p, SQL_KW_NEAR) && (s->near = sql_parse_expr(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_ASC)) {
        s->dir = SQL_SORT_ASC;
    } else if (p_accept_kw(p, SQL_KW_DESC)) {
        s->dir = SQL_SORT_DESC;
    } else if (p_accept_kw(p, SQL_KW_USING)) {
        const char *schema;
        s->dir = SQL_SORT_USING;
        if (!sql_parse_qual_op(p, &s->using_op, &schema)) return NULL;
    }
    if (p_is_kw(p, SQL_KW_NULLS) &&
        (p_is_kw_at(p, 1, SQL_KW_FIRST) || p_is_kw_at(p, 1, SQL_KW_LAST))) {
        p_next(p);
        s->nulls = p_is_kw(p, SQL_KW_FIRST) ? SQL_NULLS_FIRST : SQL_NULLS_LAST;
        p_next(p);
    }
    return s;
}

bool sql_parse_sort_list(sql_parser *p, sql_list *out, bool near_ok) {
    do {
        sql_sortby *s = select_sortby(p, near_ok);
        if (s == NULL || !p_push(p, out, s)) return false;
    } while (p_accept(p, ','));
    return true;
}

/* ---- the clauses after the set operations ---- */

/* LIMIT/OFFSET/FETCH form one group, and the locking clauses one run before or after it:
 * `LIMIT 1 FOR UPDATE OFFSET 2` is a syntax error in PostgreSQL. */
typedef struct select_tail_state {
    bool limit_seen, offset_seen;
    bool locking_before; /* locking clauses came before the limit group */
    bool group_closed;   /* a locking clause came after the limit group */
} select_tail_state;

static bool select_limit(sql_parser *p, sql_select *s, select_tail_state *st) {
    uint32_t location = p_loc(p);
    if (st->limit_seen) return p_error(p);
    st->limit_seen = true;
    p_next(p);
    sql_node *limit = NULL;
    uint32_t at = p_loc(p);
    if (!p_accept_kw(p, SQL_KW_ALL) && (limit = sql_parse_expr(p)) == NULL) return false;
    if (p_is(p, ',')) {
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location, "LIMIT #,# syntax is not supported");
        rt_err_hint(p->err, "Use separate LIMIT and OFFSET clauses.");
        return false;
    }
    if (s->limit != NULL) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, at, "multiple LIMIT clauses not allowed");
    }
    s->limit = limit;
    return true;
}

/* FETCH {FIRST|NEXT} [n] {ROW|ROWS} {ONLY|WITH TIES} */
static bool select_fetch(sql_parser *p, sql_select *s, select_tail_state *st) {
    if (st->limit_seen) return p_error(p);
    st->limit_seen = true;
    p_next(p);
    if (!p_accept_kw(p, SQL_KW_FIRST) && !p_expect_kw(p, SQL_KW_NEXT)) return false;
    uint32_t at = p_loc(p);
    sql_node *count;
    if (p_is_kw(p, SQL_KW_ROW) || p_is_kw(p, SQL_KW_ROWS)) {
        count = sql_parse_const_int(p, 1, UINT32_MAX);
    } else if (p_is(p, '+') || p_is(p, '-')) {
        count = sql_parse_numeric_only(p);
    } else {
        count = sql_parse_c_expr(p);
    }
    if (count == NULL) return false;
    if (!p_accept_kw(p, SQL_KW_ROW) && !p_expect_kw(p, SQL_KW_ROWS)) return false;
    if (p_accept_kw(p, SQL_KW_WITH)) {
        if (!p_expect_kw(p, SQL_KW_TIES)) return false;
        s->limit_with_ties = true;
    } else if (!p_expect_kw(p, SQL_KW_ONLY)) {
        return false;
    }
    if (s->limit != NULL) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, at, "multiple LIMIT clauses not allowed");
    }
    s->limit = count;
    return true;
}

static bool select_offset(sql_parser *p, sql_select *s, select_tail_state *st) {
    if (st->offset_seen) return p_error(p);
    st->offset_seen = true;
    p_next(p);
    uint32_t at = p_loc(p);
    sql_node *offset = sql_parse_expr(p);
    if (offset == NULL) return false;
    if (!p_accept_kw(p, SQL_KW_ROW)) p_accept_kw(p, SQL_KW_ROWS);
    if (s->offset != NULL) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, at, "multiple OFFSET clauses not allowed");
    }
    s->offset = offset;
    return true;
}

/* FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t, ...] [NOWAIT | SKIP LOCKED];
 * FOR READ ONLY asks for nothing. */
static bool select_locking(sql_parser *p, sql_select *s) {
    uint32_t location = p_loc(p);
    p_next(p);
    if (p_accept_kw(p, SQL_KW_READ)) return p_expect_kw(p, SQL_KW_ONLY);
    sql_locking *l = P_NODE(p, sql_locking, SQL_N_LOCKING, location);
    if (l == NULL) return false;
    if (p_accept_kw(p, SQL_KW_UPDATE)) {
        l->strength = SQL_LOCK_UPDATE;
    } else if (p_accept_kw(p, SQL_KW_SHARE)) {
        l->strength = SQL_LOCK_SHARE;
    } else if (p_accept_kw(p, SQL_KW_NO)) {
        l->strength = SQL_LOCK_NO_KEY_UPDATE;
        if (!p_expect_kw(p, SQL_KW_KEY) || !p_expect_kw(p, SQL_KW_UPDATE)) return false;
    } else if (p_accept_kw(p, SQL_KW_KEY)) {
        l->strength = SQL_LOCK_KEY_SHARE;
        if (!p_expect_kw(p, SQL_KW_SHARE)) return false;
    } else {
        return p_error(p);
    }
    if (p_accept_kw(p, SQL_KW_OF)) {
        do {
            sql_name *name = sql_parse_alloc(p, sizeof *name);
            if (name == NULL || !sql_parse_any_name(p, name, 3) || !p_push(p, &l->of, name)) {
                return false;
            }
        } while (p_accept(p, ','));
    }
    if (p_accept_kw(p, SQL_KW_NOWAIT)) {
        l->wait = SQL_LOCK_WAIT_NOWAIT;
    } else if (p_accept_kw(p, SQL_KW_SKIP)) {
        l->wait = SQL_LOCK_WAIT_SKIP;
        if (!p_expect_kw(p, SQL_KW_LOCKED)) return false;
    }
    return p_push(p, &s->locking, l);
}

static bool select_tail(sql_parser *p, sql_select *s) {
    if (p_is_kw(p, SQL_KW_ORDER)) {
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_BY)) return false;
        uint32_t at = p_loc(p);
        sql_list order = {0};
        if (!sql_parse_sort_list(p, &order, true)) return false;
        if (s->order_by.count > 0) {
            return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, at,
                                  "multiple ORDER BY clauses not allowed");
        }
        s->order_by = order;
    }
    select_tail_state st = {false, false, false, false};
    for (bool ok = true; ok;) {
        bool for_ = p_is_kw(p, SQL_KW_FOR);
        bool limit = p_is_kw(p, SQL_KW_LIMIT) || p_is_kw(p, SQL_KW_OFFSET) ||
                     p_is_kw(p, SQL_KW_FETCH);
        if (!for_ && !limit) break;
        bool in_group = st.limit_seen || st.offset_seen;
        if ((limit && st.group_closed) || (for_ && in_group && st.locking_before)) {
            return p_error(p);
        }
        if (for_) {
            st.locking_before |= !in_group;
            st.group_closed |= in_group;
            ok = select_locking(p, s);
        } else if (p_is_kw(p, SQL_KW_LIMIT)) {
            ok = select_limit(p, s, &st);
        } else if (p_is_kw(p, SQL_KW_OFFSET)) {
            ok = select_offset(p, s, &st);
        } else {
            ok = select_fetch(p, s, &st);
        }
        if (!ok) return false;
    }
    if (s->limit_with_ties && s->order_by.count == 0) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, UINT32_MAX,
                              "WITH TIES cannot be specified without ORDER BY clause");
    }
    for (uint32_t i = 0; s->limit_with_ties && i < s->locking.count; i++) {
        if (((sql_locking *)SQL_LIST_AT(s->locking, i))->wait == SQL_LOCK_WAIT_SKIP) {
            return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, UINT32_MAX,
                                  "SKIP LOCKED and WITH TIES options cannot be used together");
        }
    }
    return true;
}

/* ---- set operations ---- */

static sql_select *select_setops(sql_parser *p, sql_select *left, int min_prec) {
    while (left != NULL) {
        const sql_token *t = p_tok(p);
        int prec = 0;
        sql_setop op = SQL_SETOP_NONE;
        if (t->kind == SQL_TOK_KEYWORD) {
            if (t->kw == SQL_KW_UNION) op = SQL_SETOP_UNION, prec = 1;
            if (t->kw == SQL_KW_EXCEPT) op = SQL_SETOP_EXCEPT, prec = 1;
            if (t->kw == SQL_KW_INTERSECT) op = SQL_SETOP_INTERSECT, prec = 2;
        }
        if (prec == 0 || prec < min_prec) break;
        p_next(p);
        sql_select *s = select_new(p, left->hdr.location);
        if (s == NULL) return NULL;
        s->op = op;
        if (p_accept_kw(p, SQL_KW_ALL)) s->op_all = true;
        else p_accept_kw(p, SQL_KW_DISTINCT);
        s->left = left;
        s->right = select_setops(p, select_primary(p), prec + 1);
        if (s->right == NULL) return NULL;
        left = s;
    }
    return left;
}

sql_select *sql_parse_select_continue(sql_parser *p, sql_select *first) {
    sql_select *s = select_setops(p, first, 1);
    return s != NULL && select_tail(p, s) ? s : NULL;
}

static sql_select *select_with(sql_parser *p, sql_with *with, uint32_t with_location) {
    sql_select *s = sql_parse_select_continue(p, select_primary(p));
    if (s == NULL || with == NULL) return s;
    if (s->with != NULL) {
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, with_location,
                       "multiple WITH clauses not allowed");
        return NULL;
    }
    s->with = with;
    return s;
}

sql_select *sql_parse_select(sql_parser *p) {
    uint32_t location = p_loc(p);
    sql_with *with = NULL;
    if (p_is_kw(p, SQL_KW_WITH) && (with = sql_parse_with(p)) == NULL) return NULL;
    return select_with(p, with, location);
}

/* ---- SELECT's own clauses ---- */

static bool select_into(sql_parser *p, sql_select *s) {
    p_next(p);
    if (p_accept_kw(p, SQL_KW_LOCAL) || p_accept_kw(p, SQL_KW_GLOBAL)) {
        if (!p_is_kw(p, SQL_KW_TEMP) && !p_is_kw(p, SQL_KW_TEMPORARY)) return p_error(p);
    }
    if (p_accept_kw(p, SQL_KW_TEMP) || p_accept_kw(p, SQL_KW_TEMPORARY)) {
        s->into_temp = true;
    } else if (p_is_kw(p, SQL_KW_UNLOGGED)) {
        return sql_parse_unsupported(p, p_loc(p), "SELECT INTO UNLOGGED");
    }
    p_accept_kw(p, SQL_KW_TABLE);
    sql_rangevar *r = P_NODE(p, sql_rangevar, SQL_N_RANGEVAR, p_loc(p));
    if (r == NULL || !sql_parse_any_name(p, &r->name, 3)) return false;
    s->into = &r->hdr;
    return true;
}

static bool select_group_item(sql_parser *p, sql_list *out);

/* ROLLUP (...), CUBE (...), GROUPING SETS (...), () */
static sql_node *select_grouping_set(sql_parser *p, sql_grouping_set_kind kind) {
    sql_grouping_set *g = P_NODE(p, sql_grouping_set, SQL_N_GROUPING_SET, p_loc(p));
    if (g == NULL) return NULL;
    g->set_kind = kind;
    if (kind == SQL_GSET_EMPTY) {
        p_next(p);
        p_next(p);
        return &g->hdr;
    }
    p_next(p);
    if (kind == SQL_GSET_SETS) p_next(p);
    if (!p_expect(p, '(') || !sql_parse_enter(p)) return NULL;
    bool ok;
    if (kind == SQL_GSET_SETS) {
        do {
            ok = select_group_item(p, &g->content);
        } while (ok && p_accept(p, ','));
    } else {
        ok = sql_parse_expr_list(p, &g->content);
    }
    p_leave(p);
    return ok && p_expect(p, ')') ? &g->hdr : NULL;
}

static bool select_group_item(sql_parser *p, sql_list *out) {
    sql_node *n;
    if (p_is(p, '(') && p_kind_at(p, 1) == ')') {
        n = select_grouping_set(p, SQL_GSET_EMPTY);
    } else if (p_is_kw(p, SQL_KW_ROLLUP) && p_kind_at(p, 1) == '(') {
        n = select_grouping_set(p, SQL_GSET_ROLLUP);
    } else if (p_is_kw(p, SQL_KW_CUBE) && p_kind_at(p, 1) == '(') {
        n = select_grouping_set(p, SQL_GSET_CUBE);
    } else if (p_is_kw(p, SQL_KW_GROUPING) && p_is_kw_at(p, 1, SQL_KW_SETS)) {
        n = select_grouping_set(p, SQL_GSET_SETS);
    } else {
        n = sql_parse_expr(p);
    }
    return n != NULL && p_push(p, out, n);
}

static bool select_group_by(sql_parser *p, sql_select *s) {
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_BY)) return false;
    if (p_accept_kw(p, SQL_KW_DISTINCT)) s->group_distinct = true;
    else p_accept_kw(p, SQL_KW_ALL);
    do {
        if (!select_group_item(p, &s->group_by)) return false;
    } while (p_accept(p, ','));
    return true;
}

static bool select_window_clause(sql_parser *p, sql_select *s) {
    p_next(p);
    do {
        const char *name = sql_parse_col_id(p);
        if (name == NULL || !p_expect_kw(p, SQL_KW_AS)) return false;
        sql_windowdef *w = sql_parse_window_spec(p);
        if (w == NULL) return false;
        w->name = name;
        if (!p_push(p, &s->windows, w)) return false;
    } while (p_accept(p, ','));
    return true;
}

static bool select_distinct(sql_parser *p, sql_select *s) {
    if (p_accept_kw(p, SQL_KW_ALL)) return true;
    if (!p_accept_kw(p, SQL_KW_DISTINCT)) return true;
    s->distinct = true;
    if (!p_accept_kw(p, SQL_KW_ON)) return true;
    return p_expect(p, '(') && sql_parse_expr_list(p, &s->distinct_on) && p_expect(p, ')');
}

static sql_select *select_simple(sql_parser *p) {
    sql_select *s = select_new(p, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    if (!select_distinct(p, s)) return NULL;
    if (!select_targets_absent(p) && !sql_parse_target_list(p, &s->targets)) return NULL;
    if (p_is_kw(p, SQL_KW_INTO) && !select_into(p, s)) return NULL;
    if (p_accept_kw(p, SQL_KW_FROM) && !sql_parse_from_list(p, &s->from)) return NULL;
    if (!sql_parse_where(p, &s->where)) return NULL;
    if (p_is_kw(p, SQL_KW_GROUP) && !select_group_by(p, s)) return NULL;
    if (p_accept_kw(p, SQL_KW_HAVING) && (s->having = sql_parse_expr(p)) == NULL) return NULL;
    if (p_is_kw(p, SQL_KW_WINDOW) && !select_window_clause(p, s)) return NULL;
    return s;
}

static sql_select *select_values(sql_parser *p) {
    sql_select *s = select_new(p, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    do {
        sql_list *row = sql_parse_alloc(p, sizeof *row);
        if (row == NULL || !p_expect(p, '(') || !sql_parse_expr_list(p, row) ||
            !p_expect(p, ')') || !p_push(p, &s->values, row)) {
            return NULL;
        }
    } while (p_accept(p, ','));
    return s;
}

/* TABLE t is SELECT * FROM t. */
static sql_select *select_table(sql_parser *p) {
    sql_select *s = select_new(p, p_loc(p));
    if (s == NULL) return NULL;
    p_next(p);
    sql_target *t = P_NODE(p, sql_target, SQL_N_TARGET, s->hdr.location);
    if (t == NULL) return NULL;
    t->expr = (sql_node *)P_NODE(p, sql_star, SQL_N_STAR, s->hdr.location);
    sql_rangevar *r = sql_parse_relation(p);
    if (t->expr == NULL || r == NULL) return NULL;
    return p_push(p, &s->targets, t) && p_push(p, &s->from, r) ? s : NULL;
}

static sql_select *select_primary(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind == '(') {
        if (!sql_parse_enter(p)) return NULL;
        p_next(p);
        sql_select *s = sql_parse_select(p);
        p_leave(p);
        return s != NULL && p_expect(p, ')') ? s : NULL;
    }
    if (t->kind == SQL_TOK_KEYWORD) {
        if (t->kw == SQL_KW_SELECT) return select_simple(p);
        if (t->kw == SQL_KW_VALUES) return select_values(p);
        if (t->kw == SQL_KW_TABLE) return select_table(p);
    }
    p_error(p);
    return NULL;
}

/* ---- WITH ---- */

static sql_cte *select_cte(sql_parser *p) {
    sql_cte *c = P_NODE(p, sql_cte, SQL_N_CTE, p_loc(p));
    if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL) return NULL;
    if (p_is(p, '(') && !sql_parse_name_list_paren(p, &c->col_aliases)) return NULL;
    if (!p_expect_kw(p, SQL_KW_AS)) return NULL;
    if (p_accept_kw(p, SQL_KW_MATERIALIZED)) {
        c->materialize = SQL_CTE_MATERIALIZED;
    } else if (p_is_kw(p, SQL_KW_NOT) && p_is_kw_at(p, 1, SQL_KW_MATERIALIZED)) {
        p_next(p);
        p_next(p);
        c->materialize = SQL_CTE_NOT_MATERIALIZED;
    }
    if (!p_expect(p, '(') || !sql_parse_enter(p)) return NULL;
    c->query = sql_parse_preparable(p);
    p_leave(p);
    if (c->query == NULL || !p_expect(p, ')')) return NULL;
    if (p_is_kw(p, SQL_KW_SEARCH) || p_is_kw(p, SQL_KW_CYCLE)) {
        sql_parse_unsupported(p, p_loc(p), p_is_kw(p, SQL_KW_SEARCH) ? "SEARCH" : "CYCLE");
        return NULL;
    }
    return c;
}

sql_with *sql_parse_with(sql_parser *p) {
    sql_with *w = sql_parse_alloc(p, sizeof *w);
    if (w == NULL || !p_expect_kw(p, SQL_KW_WITH)) return NULL;
    w->recursive = p_accept_kw(p, SQL_KW_RECURSIVE);
    do {
        sql_cte *c = select_cte(p);
        if (c == NULL || !p_push(p, &w->ctes, c)) return NULL;
    } while (p_accept(p, ','));
    return w;
}

bool sql_parse_starts_preparable(sql_parser *p) {
    return p_is(p, '(') || sql_parse_starts_select(p, 0) || p_is_kw(p, SQL_KW_INSERT) ||
           p_is_kw(p, SQL_KW_UPDATE) || p_is_kw(p, SQL_KW_DELETE);
}

sql_node *sql_parse_preparable(sql_parser *p) {
    uint32_t location = p_loc(p);
    sql_with *with = NULL;
    if (p_is_kw(p, SQL_KW_WITH) && (with = sql_parse_with(p)) == NULL) return NULL;
    const sql_token *t = p_tok(p);
    if (t->kind == SQL_TOK_KEYWORD) {
        switch (t->kw) {
        case SQL_KW_INSERT: return sql_parse_insert(p, with, location);
        case SQL_KW_UPDATE: return sql_parse_update(p, with, location);
        case SQL_KW_DELETE: return sql_parse_delete(p, with, location);
        case SQL_KW_MERGE:
            sql_parse_unsupported(p, t->start, "MERGE");
            return NULL;
        default: break;
        }
    }
    return (sql_node *)select_with(p, with, location);
}

/* ---- FROM ---- */

sql_rangevar *sql_parse_relation(sql_parser *p) {
    sql_rangevar *r = P_NODE(p, sql_rangevar, SQL_N_RANGEVAR, p_loc(p));
    if (r == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_ONLY)) {
        r->only = true;
        bool paren = p_accept(p, '(');
        if (!sql_parse_any_name(p, &r->name, 3)) return NULL;
        return !paren || p_expect(p, ')') ? r : NULL;
    }
    if (!sql_parse_any_name(p, &r->name, 3)) return NULL;
    p_accept(p, '*'); /* t * : inheritance children, of which Dreambase has none */
    return r;
}

bool sql_parse_alias(sql_parser *p, const char **alias, sql_list *cols, bool need_as) {
    bool as = p_accept_kw(p, SQL_KW_AS);
    if (!as && (need_as || !p_is_col_id(p))) return true;
    if ((*alias = sql_parse_col_id(p)) == NULL) return false;
    return !p_is(p, '(') || cols == NULL || sql_parse_name_list_paren(p, cols);
}

static sql_node *from_subquery(sql_parser *p, sql_select *query, uint32_t location,
                               bool lateral) {
    sql_rangesub *r = P_NODE(p, sql_rangesub, SQL_N_RANGESUB, location);
    if (r == NULL) return NULL;
    r->subquery = query;
    r->lateral = lateral;
    if (!sql_parse_alias(p, &r->alias, &r->col_aliases, false)) return NULL;
    if (r->alias == NULL) {
        bool values = query->values.count > 0 && query->op == SQL_SETOP_NONE;
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location, "%s in FROM must have an alias",
                       values ? "VALUES" : "subquery");
        rt_err_hint(p->err, "For example, FROM (%s ...) [AS] foo.", values ? "VALUES" : "SELECT");
        return NULL;
    }
    return &r->hdr;
}

/* AS t(a int, b text) after a function returning record: column definitions, not aliases. */
static bool from_func_alias(sql_parser *p, sql_rangefunc *r) {
    bool as = p_accept_kw(p, SQL_KW_AS);
    bool defs_only = as && p_is(p, '('); /* AS (a int, b text): definitions, no alias */
    if (!as && !p_is_col_id(p)) return true;
    if (!defs_only && (r->alias = sql_parse_col_id(p)) == NULL) return false;
    if (!p_is(p, '(')) return true;
    uint32_t after = p_kind_at(p, 2);
    bool defs = defs_only || (after != ',' && after != ')');
    if (!defs) return sql_parse_name_list_paren(p, &r->col_aliases);
    p_next(p);
    do {
        sql_columndef *c = P_NODE(p, sql_columndef, SQL_N_COLUMNDEF, p_loc(p));
        if (c == NULL || (c->name = sql_parse_col_id(p)) == NULL ||
            (c->type = sql_parse_type(p)) == NULL || !p_push(p, &r->col_defs, c)) {
            return false;
        }
    } while (p_accept(p, ','));
    return p_expect(p, ')');
}

/* A function in FROM: f(...), ROWS FROM (f(), g()), [WITH ORDINALITY] [alias]. */
static sql_node *from_function(sql_parser *p, bool lateral, uint32_t location) {
    sql_rangefunc *r = P_NODE(p, sql_rangefunc, SQL_N_RANGEFUNC, location);
    if (r == NULL) return NULL;
    r->lateral = lateral;
    if (p_is_kw(p, SQL_KW_ROWS) && p_is_kw_at(p, 1, SQL_KW_FROM)) {
        p_next(p);
        p_next(p);
        if (!p_expect(p, '(')) return NULL;
        do {
            sql_node *f = sql_parse_c_expr(p);
            if (f == NULL) return NULL;
            if (f->kind != SQL_N_FUNC) return p_error(p), NULL;
            if (!p_push(p, &r->funcs, f)) return NULL;
        } while (p_accept(p, ','));
        if (!p_expect(p, ')')) return NULL;
        r->func = SQL_LIST_AT(r->funcs, 0);
    } else {
        uint32_t at = p_loc(p);
        sql_node *f = sql_parse_c_expr(p);
        if (f == NULL) return NULL;
        if (f->kind != SQL_N_FUNC) {
            sql_parse_unsupported(p, at, "this expression in FROM");
            return NULL;
        }
        r->func = (sql_func *)f;
    }
    if (p_is_kw(p, SQL_KW_WITH) && p_is_kw_at(p, 1, SQL_KW_ORDINALITY)) {
        p_next(p);
        p_next(p);
        r->with_ordinality = true;
    }
    return from_func_alias(p, r) ? &r->hdr : NULL;
}

static sql_node *from_relation(sql_parser *p) {
    sql_rangevar *r = sql_parse_relation(p);
    if (r == NULL || !sql_parse_alias(p, &r->alias, &r->col_aliases, false)) return NULL;
    if (p_is_kw(p, SQL_KW_TABLESAMPLE)) {
        sql_parse_unsupported(p, p_loc(p), "TABLESAMPLE");
        return NULL;
    }
    return &r->hdr;
}

/* Does the name at the current token call a function (name(...) or a.b(...))? */
static bool from_is_function(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (sql_parse_special_func_starts(p)) return true;
    if (t->kind == SQL_TOK_KEYWORD && sql_keyword_get((sql_kw)t->kw)->category ==
                                          SQL_KWCAT_RESERVED) {
        return true; /* CURRENT_DATE and friends: refused as expressions in FROM */
    }
    uint32_t i = 1;
    while (p_kind_at(p, i) == '.' && sql_parse_tok_is_col_label(p_peek(p, i + 1))) i += 2;
    return p_kind_at(p, i) == '(';
}

static bool from_paren(sql_parser *p, sql_select **query, sql_node **join);

static sql_node *from_alias_join(sql_parser *p, sql_node *join) {
    if (join->kind != SQL_N_JOIN) return join;
    sql_join *j = (sql_join *)join;
    sql_list cols = {0};
    if (!sql_parse_alias(p, &j->alias, &cols, false)) return NULL;
    if (cols.count > 0) {
        sql_parse_unsupported(p, join->location, "column aliases of a join");
        return NULL;
    }
    return join;
}

static sql_node *from_primary(sql_parser *p) {
    uint32_t location = p_loc(p);
    bool lateral = p_accept_kw(p, SQL_KW_LATERAL);
    if (p_is(p, '(')) {
        sql_select *query = NULL;
        sql_node *join = NULL;
        if (!from_paren(p, &query, &join)) return NULL;
        if (query != NULL) return from_subquery(p, query, location, lateral);
        if (lateral) return p_error(p), NULL;
        return from_alias_join(p, join);
    }
    if (p_is_kw(p, SQL_KW_ROWS) && p_is_kw_at(p, 1, SQL_KW_FROM)) {
        return from_function(p, lateral, location);
    }
    if (p_is_kw(p, SQL_KW_XMLTABLE)) return sql_parse_unsupported(p, location, "XMLTABLE"), NULL;
    if (!p_is_kw(p, SQL_KW_ONLY) && from_is_function(p)) {
        return from_function(p, lateral, location);
    }
    if (lateral) return p_error(p), NULL;
    return from_relation(p);
}

static bool from_join_starts(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    switch (t->kw) {
    case SQL_KW_JOIN: case SQL_KW_INNER: case SQL_KW_CROSS: case SQL_KW_NATURAL:
    case SQL_KW_LEFT: case SQL_KW_RIGHT: case SQL_KW_FULL:
        return true;
    default:
        return false;
    }
}

static bool from_join_kind(sql_parser *p, sql_join *j) {
    if (p_accept_kw(p, SQL_KW_CROSS)) {
        j->join_kind = SQL_JOIN_CROSS;
        return p_expect_kw(p, SQL_KW_JOIN);
    }
    j->natural = p_accept_kw(p, SQL_KW_NATURAL);
    j->join_kind = SQL_JOIN_INNER;
    if (p_accept_kw(p, SQL_KW_LEFT)) j->join_kind = SQL_JOIN_LEFT;
    else if (p_accept_kw(p, SQL_KW_RIGHT)) j->join_kind = SQL_JOIN_RIGHT;
    else if (p_accept_kw(p, SQL_KW_FULL)) j->join_kind = SQL_JOIN_FULL;
    else if (p_accept_kw(p, SQL_KW_INNER)) return p_expect_kw(p, SQL_KW_JOIN);
    if (j->join_kind != SQL_JOIN_INNER) p_accept_kw(p, SQL_KW_OUTER);
    return p_expect_kw(p, SQL_KW_JOIN);
}

/* One join onto `left`. The right side of a join that needs ON/USING takes further joins
 * first (a JOIN b JOIN c ON x ON y is a JOIN (b JOIN c ON x) ON y), as in PostgreSQL. */
static sql_node *from_join(sql_parser *p, sql_node *left) {
    sql_join *j = P_NODE(p, sql_join, SQL_N_JOIN, left->location);
    if (j == NULL || !from_join_kind(p, j) || !sql_parse_enter(p)) return NULL;
    j->left = left;
    j->right = from_primary(p);
    bool qual = j->join_kind != SQL_JOIN_CROSS && !j->natural;
    while (qual && j->right != NULL && from_join_starts(p)) j->right = from_join(p, j->right);
    p_leave(p);
    if (j->right == NULL) return NULL;
    if (!qual) return &j->hdr;
    if (p_accept_kw(p, SQL_KW_ON)) return (j->quals = sql_parse_expr(p)) ? &j->hdr : NULL;
    if (!p_expect_kw(p, SQL_KW_USING) || !sql_parse_name_list_paren(p, &j->using_cols)) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_AS) && (j->using_alias = sql_parse_col_id(p)) == NULL) return NULL;
    return &j->hdr;
}

static sql_node *from_join_tail(sql_parser *p, sql_node *left) {
    while (left != NULL && from_join_starts(p)) left = from_join(p, left);
    return left;
}

static sql_node *from_table_ref(sql_parser *p) { return from_join_tail(p, from_primary(p)); }

/* '(' in FROM: a subquery (then it needs an alias) or a parenthesised join. */
static bool from_paren_nested(sql_parser *p, sql_select **query, sql_node **join) {
    sql_select *in_query = NULL;
    sql_node *in_join = NULL;
    uint32_t location = p_loc(p);
    if (!from_paren(p, &in_query, &in_join)) return false;
    if (in_query != NULL && (p_is(p, ')') || sql_parse_continues_select(p))) {
        *query = sql_parse_select_continue(p, in_query);
        return *query != NULL && p_expect(p, ')');
    }
    sql_node *left = in_query != NULL ? from_subquery(p, in_query, location, false)
                                      : from_alias_join(p, in_join);
    *join = from_join_tail(p, left);
    return *join != NULL;
}

static bool from_paren(sql_parser *p, sql_select **query, sql_node **join) {
    if (!sql_parse_enter(p)) return false;
    p_next(p);
    bool ok;
    if (sql_parse_starts_select(p, 0)) {
        *query = sql_parse_select(p);
        ok = *query != NULL;
    } else if (p_is(p, '(')) {
        ok = from_paren_nested(p, query, join);
        if (ok && *query != NULL) {
            p_leave(p);
            return true;
        }
    } else {
        ok = (*join = from_table_ref(p)) != NULL;
    }
    if (ok && *join != NULL && (*join)->kind != SQL_N_JOIN) ok = p_error(p);
    p_leave(p);
    return ok && p_expect(p, ')');
}

bool sql_parse_from_list(sql_parser *p, sql_list *out) {
    do {
        sql_node *item = from_table_ref(p);
        if (item == NULL || !p_push(p, out, item)) return false;
    } while (p_accept(p, ','));
    return true;
}
