/* sql_parse_func.c: function calls (with aggregate and window syntax), window specifications,
 * and PostgreSQL's special function syntax, normalised into ordinary calls the way its raw
 * parse tree does: EXTRACT(f FROM x) -> pg_catalog.extract('f', x), POSITION(a IN b) ->
 * pg_catalog.position(b, a), SUBSTRING(x FROM a FOR b) -> pg_catalog.substring(x, a, b),
 * TRIM(LEADING c FROM x) -> pg_catalog.ltrim(x, c), OVERLAY(...) -> pg_catalog.overlay(...),
 * NORMALIZE(x, NFC) -> pg_catalog.normalize(x, 'nfc'), COLLATION FOR (x) ->
 * pg_catalog.pg_collation_for(x); COALESCE/NULLIF/GREATEST/LEAST become sql_special. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_parse_int.h"

static sql_func *func_new(sql_parser *p, const char *schema, const char *name,
                          uint32_t location) {
    sql_func *f = P_NODE(p, sql_func, SQL_N_FUNC, location);
    if (f == NULL) return NULL;
    if (schema != NULL) f->name.parts[f->name.count++] = schema;
    f->name.parts[f->name.count++] = name;
    f->name.location = location;
    return f;
}

static bool func_push(sql_parser *p, sql_func *f, sql_node *arg) {
    return arg != NULL && p_push(p, &f->args, arg);
}

/* ---- ordinary calls ---- */

/* One argument, possibly named (`name => value`, or the older `name := value`). */
static bool func_arg(sql_parser *p, sql_func *f, uint32_t *named_at) {
    const char *arg_name = NULL;
    uint32_t next = p_kind_at(p, 1);
    if (sql_parse_tok_is_type_func(p_tok(p)) &&
        (next == SQL_TOK_EQUALS_GREATER || next == SQL_TOK_COLON_EQUALS)) {
        arg_name = p_tok(p)->str;
        if (*named_at == UINT32_MAX) *named_at = p_loc(p);
        p_next(p);
        p_next(p);
        while (f->arg_names.count < f->args.count) { /* earlier arguments were positional */
            if (!p_push(p, &f->arg_names, NULL)) return false;
        }
    } else if (f->arg_names.count > 0) {
        return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, p_loc(p),
                              "positional argument cannot follow named argument");
    }
    sql_node *arg = sql_parse_expr(p);
    if (!func_push(p, f, arg)) return false;
    if (arg_name != NULL || f->arg_names.count > 0) {
        return p_push(p, &f->arg_names, (void *)arg_name);
    }
    return true;
}

static bool func_args(sql_parser *p, sql_func *f, uint32_t *named_at) {
    do {
        if (p_accept_kw(p, SQL_KW_VARIADIC)) {
            f->func_variadic = true;
            return func_arg(p, f, named_at); /* VARIADIC goes last */
        }
        if (!func_arg(p, f, named_at)) return false;
    } while (p_accept(p, ','));
    return true;
}

/* WITHIN GROUP (ORDER BY ...), FILTER (WHERE ...), OVER ... after an aggregate's call. */
static bool func_aggregate_tail(sql_parser *p, sql_func *f) {
    if (p_is_kw(p, SQL_KW_WITHIN) && p_is_kw_at(p, 1, SQL_KW_GROUP)) {
        uint32_t location = p_loc(p);
        p_next(p);
        p_next(p);
        const char *bad = f->agg_order.count > 0 ? "cannot use multiple ORDER BY clauses"
                          : f->agg_distinct      ? "cannot use DISTINCT"
                          : f->func_variadic     ? "cannot use VARIADIC"
                                                 : NULL;
        if (bad != NULL) {
            return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location, "%s with WITHIN GROUP",
                                  bad);
        }
        f->agg_within_group = true;
        if (!p_expect(p, '(') || !p_expect_kw(p, SQL_KW_ORDER) || !p_expect_kw(p, SQL_KW_BY) ||
            !sql_parse_sort_list(p, &f->agg_order, false) || !p_expect(p, ')')) {
            return false;
        }
    }
    if (p_is_kw(p, SQL_KW_FILTER) && p_kind_at(p, 1) == '(') {
        p_next(p);
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_WHERE) || (f->agg_filter = sql_parse_expr(p)) == NULL ||
            !p_expect(p, ')')) {
            return false;
        }
    }
    if (!p_accept_kw(p, SQL_KW_OVER)) return true;
    if (p_is(p, '(')) return (f->over = sql_parse_window_spec(p)) != NULL;
    uint32_t location = p_loc(p);
    const char *ref = sql_parse_col_id(p);
    if (ref == NULL) return false;
    f->over = P_NODE(p, sql_windowdef, SQL_N_WINDOWDEF, location);
    if (f->over == NULL) return false;
    f->over->refname = ref;
    f->over->ref_only = true;
    return true;
}

sql_func *sql_parse_func_call(sql_parser *p, const sql_name *name, uint32_t location,
                              bool windowed) {
    sql_func *f = P_NODE(p, sql_func, SQL_N_FUNC, location);
    if (f == NULL || !p_expect(p, '(') || !sql_parse_enter(p)) return NULL;
    f->name = *name;
    bool ok = true;
    uint32_t order_at = UINT32_MAX, named_at = UINT32_MAX;
    if (p_accept(p, '*')) {
        f->agg_star = true;
        ok = p_expect(p, ')');
    } else if (!p_accept(p, ')')) {
        if (!p_accept_kw(p, SQL_KW_ALL) && p_accept_kw(p, SQL_KW_DISTINCT)) f->agg_distinct = true;
        ok = func_args(p, f, &named_at);
        if (ok && p_is_kw(p, SQL_KW_ORDER)) {
            order_at = p_loc(p);
            p_next(p);
            ok = p_expect_kw(p, SQL_KW_BY) && sql_parse_sort_list(p, &f->agg_order, false);
        }
        ok = ok && p_expect(p, ')');
    }
    p->call_order_at = order_at; /* for `f(x ORDER BY y) 'literal'`'s error */
    p->call_named_at = named_at;
    p_leave(p);
    if (!ok) return NULL;
    return !windowed || func_aggregate_tail(p, f) ? f : NULL;
}

/* ---- window specifications ---- */

/* One frame bound: UNBOUNDED PRECEDING/FOLLOWING, CURRENT ROW, or `expr PRECEDING/FOLLOWING`. */
static bool window_bound(sql_parser *p, sql_frame_bound_kind *kind, sql_node **offset) {
    bool preceding = p_is_kw_at(p, 1, SQL_KW_PRECEDING), following = p_is_kw_at(p, 1,
                                                                                 SQL_KW_FOLLOWING);
    if (p_is_kw(p, SQL_KW_UNBOUNDED) && (preceding || following)) {
        *kind = preceding ? SQL_BOUND_UNBOUNDED_PRECEDING : SQL_BOUND_UNBOUNDED_FOLLOWING;
        p_next(p);
        p_next(p);
        return true;
    }
    if (p_is_kw(p, SQL_KW_CURRENT) && p_is_kw_at(p, 1, SQL_KW_ROW)) {
        *kind = SQL_BOUND_CURRENT_ROW;
        p_next(p);
        p_next(p);
        return true;
    }
    if ((*offset = sql_parse_expr(p)) == NULL) return false;
    if (p_accept_kw(p, SQL_KW_PRECEDING)) {
        *kind = SQL_BOUND_PRECEDING;
    } else if (p_accept_kw(p, SQL_KW_FOLLOWING)) {
        *kind = SQL_BOUND_FOLLOWING;
    } else {
        return p_error(p);
    }
    return true;
}

/* The frame shapes PostgreSQL's grammar refuses, with its messages (42P20). */
static bool window_frame_check(sql_parser *p, const sql_windowdef *w, uint32_t start_loc,
                               uint32_t end_loc) {
    const char *msg = NULL;
    uint32_t at = end_loc;
    if (w->start_kind == SQL_BOUND_UNBOUNDED_FOLLOWING) {
        msg = "frame start cannot be UNBOUNDED FOLLOWING";
        at = start_loc;
    } else if (w->end_kind == SQL_BOUND_NONE) {
        if (w->start_kind == SQL_BOUND_FOLLOWING) {
            msg = "frame starting from following row cannot end with current row";
            at = start_loc;
        }
    } else if (w->end_kind == SQL_BOUND_UNBOUNDED_PRECEDING) {
        msg = "frame end cannot be UNBOUNDED PRECEDING";
    } else if (w->start_kind == SQL_BOUND_CURRENT_ROW && w->end_kind == SQL_BOUND_PRECEDING) {
        msg = "frame starting from current row cannot have preceding rows";
    } else if (w->start_kind == SQL_BOUND_FOLLOWING &&
               (w->end_kind == SQL_BOUND_PRECEDING || w->end_kind == SQL_BOUND_CURRENT_ROW)) {
        msg = "frame starting from following row cannot have preceding rows";
    }
    return msg == NULL || sql_parse_fail(p, SQLSTATE_WINDOWING_ERROR, at, "%s", msg);
}

static bool window_exclude(sql_parser *p, sql_windowdef *w) {
    if (!p_accept_kw(p, SQL_KW_EXCLUDE)) return true;
    if (p_accept_kw(p, SQL_KW_CURRENT)) {
        w->exclude = SQL_EXCLUDE_CURRENT_ROW;
        return p_expect_kw(p, SQL_KW_ROW);
    }
    if (p_accept_kw(p, SQL_KW_GROUP)) {
        w->exclude = SQL_EXCLUDE_GROUP;
    } else if (p_accept_kw(p, SQL_KW_TIES)) {
        w->exclude = SQL_EXCLUDE_TIES;
    } else if (p_accept_kw(p, SQL_KW_NO)) {
        return p_expect_kw(p, SQL_KW_OTHERS);
    } else {
        return p_error(p);
    }
    return true;
}

static bool window_frame(sql_parser *p, sql_windowdef *w) {
    if (p_accept_kw(p, SQL_KW_ROWS)) w->frame_mode = SQL_FRAME_ROWS;
    else if (p_accept_kw(p, SQL_KW_RANGE)) w->frame_mode = SQL_FRAME_RANGE;
    else if (p_accept_kw(p, SQL_KW_GROUPS)) w->frame_mode = SQL_FRAME_GROUPS;
    else return true;
    uint32_t start_loc = p_loc(p), end_loc = start_loc;
    if (p_accept_kw(p, SQL_KW_BETWEEN)) {
        start_loc = p_loc(p);
        if (!window_bound(p, &w->start_kind, &w->start_offset) || !p_expect_kw(p, SQL_KW_AND)) {
            return false;
        }
        end_loc = p_loc(p);
        if (!window_bound(p, &w->end_kind, &w->end_offset)) return false;
    } else if (!window_bound(p, &w->start_kind, &w->start_offset)) {
        return false;
    }
    return window_frame_check(p, w, start_loc, end_loc) && window_exclude(p, w);
}

sql_windowdef *sql_parse_window_spec(sql_parser *p) {
    sql_windowdef *w = P_NODE(p, sql_windowdef, SQL_N_WINDOWDEF, p_loc(p));
    if (w == NULL || !p_expect(p, '(')) return NULL;
    const sql_token *t = p_tok(p);
    bool clause_word = p_is_kw(p, SQL_KW_PARTITION) || p_is_kw(p, SQL_KW_RANGE) ||
                       p_is_kw(p, SQL_KW_ROWS) || p_is_kw(p, SQL_KW_GROUPS);
    if (sql_parse_tok_is_col_id(t) && !clause_word) {
        w->refname = t->str;
        p_next(p);
    }
    if (p_accept_kw(p, SQL_KW_PARTITION) &&
        (!p_expect_kw(p, SQL_KW_BY) || !sql_parse_expr_list(p, &w->partition_by))) {
        return NULL;
    }
    if (p_accept_kw(p, SQL_KW_ORDER) &&
        (!p_expect_kw(p, SQL_KW_BY) || !sql_parse_sort_list(p, &w->order_by, false))) {
        return NULL;
    }
    return window_frame(p, w) && p_expect(p, ')') ? w : NULL;
}

/* ---- special syntax ---- */

/* EXTRACT(field FROM x): the field is a word or a string, passed as text. */
static sql_node *func_extract(sql_parser *p, sql_func *f) {
    const sql_token *t = p_tok(p);
    bool word = t->kind == SQL_TOK_IDENT ||
                (t->kind == SQL_TOK_KEYWORD &&
                 (t->kw == SQL_KW_YEAR || t->kw == SQL_KW_MONTH || t->kw == SQL_KW_DAY ||
                  t->kw == SQL_KW_HOUR || t->kw == SQL_KW_MINUTE || t->kw == SQL_KW_SECOND));
    if (!word && t->kind != SQL_TOK_SCONST) return p_error(p), NULL;
    if (!func_push(p, f, sql_parse_const_str(p, t->str, t->start))) return NULL;
    p_next(p);
    if (!p_expect_kw(p, SQL_KW_FROM) || !func_push(p, f, sql_parse_expr(p))) return NULL;
    return &f->hdr;
}

/* POSITION(a IN b) is position(b, a); the operands are b_exprs so IN ends the first. */
static sql_node *func_position(sql_parser *p, sql_func *f) {
    sql_node *needle = sql_parse_bexpr(p);
    if (needle == NULL || !p_expect_kw(p, SQL_KW_IN)) return NULL;
    sql_node *haystack = sql_parse_bexpr(p);
    if (!func_push(p, f, haystack) || !func_push(p, f, needle)) return NULL;
    return &f->hdr;
}

/* SUBSTRING(x FROM a FOR b), (x FOR b FROM a), (x FROM a), (x FOR b) -> (x, 1, b),
 * (x SIMILAR p ESCAPE e); or a plain call substring(x, a, b). */
static sql_node *func_plain(sql_func *f, const char *name) {
    f->name.count = 1; /* substring(x, ...) is an ordinary call */
    f->name.parts[0] = name;
    return &f->hdr;
}

static sql_node *func_substring(sql_parser *p, sql_func *f) {
    if (p_is(p, ')')) return func_plain(f, "substring");
    sql_node *x = sql_parse_expr(p), *from = NULL, *len = NULL;
    if (!func_push(p, f, x)) return NULL;
    if (p_accept_kw(p, SQL_KW_SIMILAR)) {
        if (!func_push(p, f, sql_parse_expr(p)) || !p_expect_kw(p, SQL_KW_ESCAPE)) return NULL;
        return func_push(p, f, sql_parse_expr(p)) ? &f->hdr : NULL;
    }
    if (!p_is_kw(p, SQL_KW_FROM) && !p_is_kw(p, SQL_KW_FOR)) {
        while (p_accept(p, ',')) {
            if (!func_push(p, f, sql_parse_expr(p))) return NULL;
        }
        return func_plain(f, "substring");
    }
    for (int i = 0; i < 2; i++) {
        if (from == NULL && p_accept_kw(p, SQL_KW_FROM)) {
            if ((from = sql_parse_expr(p)) == NULL) return NULL;
        } else if (len == NULL && p_accept_kw(p, SQL_KW_FOR)) {
            if ((len = sql_parse_expr(p)) == NULL) return NULL;
        }
    }
    if (from == NULL && (from = sql_parse_const_int(p, 1, UINT32_MAX)) == NULL) return NULL;
    if (!func_push(p, f, from)) return NULL;
    return len == NULL || func_push(p, f, len) ? &f->hdr : NULL;
}

/* TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) -> btrim/ltrim/rtrim(x, chars). */
static sql_node *func_trim(sql_parser *p, sql_func *f) {
    f->name.parts[1] = "btrim";
    if (p_accept_kw(p, SQL_KW_LEADING)) f->name.parts[1] = "ltrim";
    else if (p_accept_kw(p, SQL_KW_TRAILING)) f->name.parts[1] = "rtrim";
    else p_accept_kw(p, SQL_KW_BOTH);
    sql_node *chars = NULL;
    if (!p_accept_kw(p, SQL_KW_FROM)) {
        sql_list first = {0};
        if (!sql_parse_expr_list(p, &first)) return NULL;
        if (!p_accept_kw(p, SQL_KW_FROM)) {
            f->args = first; /* TRIM(x [, chars]) */
            return &f->hdr;
        }
        if (first.count != 1) return p_error(p), NULL;
        chars = SQL_LIST_AT(first, 0);
    }
    if (!sql_parse_expr_list(p, &f->args)) return NULL;
    return chars == NULL || func_push(p, f, chars) ? &f->hdr : NULL;
}

/* OVERLAY(x PLACING y FROM a [FOR b]), or a plain call overlay(...). */
static sql_node *func_overlay(sql_parser *p, sql_func *f) {
    if (p_is(p, ')')) return func_plain(f, "overlay");
    if (!func_push(p, f, sql_parse_expr(p))) return NULL;
    if (!p_accept_kw(p, SQL_KW_PLACING)) {
        while (p_accept(p, ',')) {
            if (!func_push(p, f, sql_parse_expr(p))) return NULL;
        }
        return func_plain(f, "overlay");
    }
    if (!func_push(p, f, sql_parse_expr(p)) || !p_expect_kw(p, SQL_KW_FROM) ||
        !func_push(p, f, sql_parse_expr(p))) {
        return NULL;
    }
    return !p_accept_kw(p, SQL_KW_FOR) || func_push(p, f, sql_parse_expr(p)) ? &f->hdr : NULL;
}

static sql_node *func_normalize(sql_parser *p, sql_func *f) {
    if (!func_push(p, f, sql_parse_expr(p))) return NULL;
    if (!p_accept(p, ',')) return &f->hdr;
    const sql_token *t = p_tok(p);
    if (!(p_is_kw(p, SQL_KW_NFC) || p_is_kw(p, SQL_KW_NFD) || p_is_kw(p, SQL_KW_NFKC) ||
          p_is_kw(p, SQL_KW_NFKD))) {
        return p_error(p), NULL;
    }
    p_next(p);
    return func_push(p, f, sql_parse_const_str(p, t->str, t->start)) ? &f->hdr : NULL;
}

static sql_node *func_special_args(sql_parser *p, sql_special_kind kind, uint32_t location) {
    sql_special *s = P_NODE(p, sql_special, SQL_N_SPECIAL, location);
    if (s == NULL || !sql_parse_expr_list(p, &s->args)) return NULL;
    s->special_kind = kind;
    if (kind == SQL_SPECIAL_NULLIF && s->args.count != 2) {
        sql_parse_syntax_error(p, p_tok(p));
        return NULL;
    }
    return &s->hdr;
}

bool sql_parse_special_func_starts(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_KEYWORD) return false;
    if (t->kw == SQL_KW_COLLATION) return p_is_kw_at(p, 1, SQL_KW_FOR);
    if (p_kind_at(p, 1) != '(') return false;
    switch (t->kw) {
    case SQL_KW_COALESCE: case SQL_KW_NULLIF: case SQL_KW_GREATEST: case SQL_KW_LEAST:
    case SQL_KW_EXTRACT: case SQL_KW_POSITION: case SQL_KW_SUBSTRING: case SQL_KW_TRIM:
    case SQL_KW_OVERLAY: case SQL_KW_NORMALIZE: case SQL_KW_TREAT: case SQL_KW_XMLCONCAT:
    case SQL_KW_XMLELEMENT: case SQL_KW_XMLEXISTS: case SQL_KW_XMLFOREST: case SQL_KW_XMLPARSE:
    case SQL_KW_XMLPI: case SQL_KW_XMLROOT: case SQL_KW_XMLSERIALIZE:
        return true;
    default:
        return false;
    }
}

static sql_node *func_special_body(sql_parser *p, sql_kw kw, uint32_t location) {
    sql_func *f = NULL;
    switch (kw) {
    case SQL_KW_COALESCE: return func_special_args(p, SQL_SPECIAL_COALESCE, location);
    case SQL_KW_NULLIF: return func_special_args(p, SQL_SPECIAL_NULLIF, location);
    case SQL_KW_GREATEST: return func_special_args(p, SQL_SPECIAL_GREATEST, location);
    case SQL_KW_LEAST: return func_special_args(p, SQL_SPECIAL_LEAST, location);
    case SQL_KW_COLLATION:
        f = func_new(p, "pg_catalog", "pg_collation_for", location);
        return f != NULL && func_push(p, f, sql_parse_expr(p)) ? &f->hdr : NULL;
    default: break;
    }
    f = func_new(p, "pg_catalog", sql_keyword_get(kw)->word, location);
    if (f == NULL) return NULL;
    switch (kw) {
    case SQL_KW_EXTRACT: return func_extract(p, f);
    case SQL_KW_POSITION: return func_position(p, f);
    case SQL_KW_SUBSTRING: return func_substring(p, f);
    case SQL_KW_TRIM: return func_trim(p, f);
    case SQL_KW_OVERLAY: return func_overlay(p, f);
    case SQL_KW_NORMALIZE: return func_normalize(p, f);
    default: {
        char what[32];
        snprintf(what, sizeof what, "%s", sql_keyword_get(kw)->word);
        for (char *c = what; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        sql_parse_unsupported(p, location, what);
        return NULL;
    }
    }
}

sql_node *sql_parse_special_func(sql_parser *p) {
    const sql_token *t = p_tok(p);
    sql_kw kw = (sql_kw)t->kw;
    uint32_t location = t->start;
    p_next(p);
    if (kw == SQL_KW_COLLATION) p_next(p); /* FOR */
    if (!p_expect(p, '(') || !sql_parse_enter(p)) return NULL;
    sql_node *n = func_special_body(p, kw, location);
    p_leave(p);
    return n != NULL && p_expect(p, ')') ? n : NULL;
}
