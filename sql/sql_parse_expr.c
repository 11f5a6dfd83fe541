/* sql_parse_expr.c: expressions by precedence climbing over PostgreSQL's precedence table.
 * An expression is a prefix part (NOT, unary +/-, a prefix operator, or a primary) followed
 * by a loop over infix and postfix operators of at least the caller's precedence. PostgreSQL's
 * non-associative levels (comparison, LIKE/BETWEEN/IN, IS) refuse `a = b = c` exactly where
 * its grammar does: when the previous operator's right operand was an open expression.
 * b_expr (DEFAULT values, BETWEEN's lower bound, POSITION's operands) is the same loop with
 * the boolean-keyword operators switched off. */
#include <string.h>

#include "sql/sql_parse_int.h"

static sql_node *expr_tail(sql_parser *p, sql_node *left, int min_prec, bool bexpr);

/* ---- node builders ---- */

static sql_node *expr_op(sql_parser *p, const char *name, const char *schema, sql_node *left,
                         sql_node *right, uint32_t location) {
    if (right == NULL) return NULL;
    sql_opexpr *op = P_NODE(p, sql_opexpr, SQL_N_OP, location);
    if (op == NULL) return NULL;
    op->name = name;
    op->schema = schema;
    op->left = left;
    op->right = right;
    return &op->hdr;
}

static sql_node *expr_not(sql_parser *p, sql_node *arg, uint32_t location) {
    if (arg == NULL) return NULL;
    sql_bool *b = P_NODE(p, sql_bool, SQL_N_BOOL, location);
    if (b == NULL || !p_push(p, &b->args, arg)) return NULL;
    b->bool_kind = SQL_BOOL_NOT;
    return &b->hdr;
}

/* a AND b AND c is one node with three arguments, as PostgreSQL builds it. */
static sql_node *expr_bool(sql_parser *p, sql_bool_kind kind, sql_node *left, sql_node *right,
                           uint32_t location) {
    if (right == NULL) return NULL;
    if (left->kind == SQL_N_BOOL && ((sql_bool *)left)->bool_kind == kind) {
        return p_push(p, &((sql_bool *)left)->args, right) ? left : NULL;
    }
    sql_bool *b = P_NODE(p, sql_bool, SQL_N_BOOL, location);
    if (b == NULL || !p_push(p, &b->args, left) || !p_push(p, &b->args, right)) return NULL;
    b->bool_kind = kind;
    return &b->hdr;
}

sql_node *sql_parse_const_int(sql_parser *p, int64_t value, uint32_t location) {
    sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, location);
    if (c == NULL) return NULL;
    c->const_kind = SQL_CONST_INTEGER;
    c->int_value = value;
    c->text = rt_arena_sprintf(p->arena, "%lld", (long long)value);
    if (c->text == NULL) return sql_parse_oom(p), NULL;
    c->text_len = (uint32_t)strlen(c->text);
    return &c->hdr;
}

sql_node *sql_parse_const_str(sql_parser *p, const char *text, uint32_t location) {
    sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, location);
    if (c == NULL) return NULL;
    c->const_kind = SQL_CONST_STRING;
    c->text = text;
    c->text_len = (uint32_t)strlen(text);
    return &c->hdr;
}

static sql_node *expr_cast(sql_parser *p, sql_node *arg, sql_typename *type, uint32_t location) {
    if (arg == NULL || type == NULL) return NULL;
    sql_cast *c = P_NODE(p, sql_cast, SQL_N_CAST, location);
    if (c == NULL) return NULL;
    c->arg = arg;
    c->type = type;
    return &c->hdr;
}

/* A function of PostgreSQL's special syntax: pg_catalog.<name>(args). */
static sql_func *expr_sysfunc(sql_parser *p, const char *name, uint32_t location) {
    sql_func *f = P_NODE(p, sql_func, SQL_N_FUNC, location);
    if (f == NULL) return NULL;
    f->name.count = 2;
    f->name.parts[0] = "pg_catalog";
    f->name.parts[1] = name;
    f->name.location = location;
    return f;
}

/* -x on a numeric constant folds into the constant (PostgreSQL's doNegate), so -1 is the
 * integer -1 and -9223372036854775808 fits int8. */
static sql_node *expr_negate(sql_parser *p, sql_node *arg, uint32_t location) {
    if (arg == NULL) return NULL;
    sql_const *c = (sql_const *)arg;
    if (arg->kind != SQL_N_CONST ||
        (c->const_kind != SQL_CONST_INTEGER && c->const_kind != SQL_CONST_NUMERIC)) {
        return expr_op(p, "-", NULL, NULL, arg, location);
    }
    c->hdr.location = location;
    if (c->const_kind == SQL_CONST_INTEGER && c->int_value != INT64_MIN) {
        return sql_parse_const_int(p, -c->int_value, location);
    }
    const char *t = c->text;
    const char *neg = t[0] == '-' ? sql_parse_strndup(p, t + 1, strlen(t) - 1)
                                  : rt_arena_sprintf(p->arena, "-%s", t);
    if (neg == NULL) return sql_parse_oom(p), NULL;
    c->const_kind = SQL_CONST_NUMERIC;
    c->text = neg;
    c->text_len = (uint32_t)strlen(neg);
    if (strcmp(neg, "-9223372036854775808") == 0) {
        c->const_kind = SQL_CONST_INTEGER;
        c->int_value = INT64_MIN;
    }
    return arg;
}

/* ---- constants ---- */

/* B'..' and X'..' digits are checked where PostgreSQL checks them, with its message. */
static bool expr_check_bits(sql_parser *p, const sql_token *t) {
    bool hex = t->kind == SQL_TOK_XCONST;
    for (const char *c = t->str + hex; *c; c++) {
        bool ok = hex ? ((*c >= '0' && *c <= '9') || ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'f'))
                      : (*c == '0' || *c == '1');
        if (!ok) {
            int n = 1;
            while (((uint8_t)c[n] & 0xC0) == 0x80) n++;
            return sql_parse_fail(p, SQLSTATE_INVALID_TEXT_REPRESENTATION, t->start,
                                  "\"%.*s\" is not a valid %s digit", n, c,
                                  hex ? "hexadecimal" : "binary");
        }
    }
    return true;
}

static sql_node *expr_const(sql_parser *p) {
    const sql_token *t = p_tok(p);
    sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, t->start);
    if (c == NULL) return NULL;
    c->text = t->str;
    c->text_len = t->str_len;
    switch (t->kind) {
    case SQL_TOK_ICONST:
        c->const_kind = SQL_CONST_INTEGER;
        c->int_value = t->ival;
        break;
    case SQL_TOK_FCONST: c->const_kind = SQL_CONST_NUMERIC; break;
    case SQL_TOK_SCONST: c->const_kind = SQL_CONST_STRING; break;
    default:
        if (!expr_check_bits(p, t)) return NULL;
        c->const_kind = SQL_CONST_BITSTRING;
        break;
    }
    p_next(p);
    return &c->hdr;
}

static sql_node *expr_keyword_const(sql_parser *p, sql_const_kind kind, bool value) {
    sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, p_loc(p));
    if (c == NULL) return NULL;
    c->const_kind = kind;
    c->bool_value = value;
    c->text = kind == SQL_CONST_NULL ? "null" : value ? "true" : "false";
    c->text_len = (uint32_t)strlen(c->text);
    p_next(p);
    return &c->hdr;
}

static sql_node *expr_param(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->ival > INT32_MAX) {
        sql_parse_fail(p, SQLSTATE_UNDEFINED_PARAMETER, t->start, "there is no parameter %.*s",
                       (int)(t->end - t->start), p->lx.src + t->start);
        return NULL;
    }
    sql_param *prm = P_NODE(p, sql_param, SQL_N_PARAM, t->start);
    if (prm == NULL) return NULL;
    prm->number = (uint32_t)t->ival;
    p_next(p);
    return &prm->hdr;
}

/* ---- indirection: x[1], x[a:b], (x).f, (x).* ---- */

static sql_node *expr_subscript(sql_parser *p, sql_node *arg) {
    sql_subscript *s = P_NODE(p, sql_subscript, SQL_N_SUBSCRIPT, p_loc(p));
    if (s == NULL) return NULL;
    s->arg = arg;
    p_next(p);
    if (!p_is(p, ':') && (s->lower = sql_parse_expr(p)) == NULL) return NULL;
    if (p_accept(p, ':')) {
        s->is_slice = true;
        if (!p_is(p, ']') && (s->upper = sql_parse_expr(p)) == NULL) return NULL;
    }
    return p_expect(p, ']') ? &s->hdr : NULL;
}

static sql_node *expr_indirection(sql_parser *p, sql_node *node) {
    while (node != NULL) {
        if (p_is(p, '[')) {
            node = expr_subscript(p, node);
            continue;
        }
        if (!p_is(p, '.')) break;
        const sql_token *t = p_peek(p, 1);
        if (t->kind != '*' && !sql_parse_tok_is_col_label(t)) {
            sql_parse_syntax_error(p, t);
            return NULL;
        }
        sql_field *f = P_NODE(p, sql_field, SQL_N_FIELD, p_loc(p));
        if (f == NULL) return NULL;
        f->arg = node;
        f->field = t->kind == '*' ? NULL : t->str;
        p_next(p);
        p_next(p);
        node = &f->hdr;
    }
    return node;
}

/* ---- parentheses: a query, one expression, or a row ---- */

static sql_node *expr_sublink(sql_parser *p, sql_sublink_kind kind, sql_select *query,
                              uint32_t location) {
    if (query == NULL) return NULL;
    sql_sublink *s = P_NODE(p, sql_sublink, SQL_N_SUBLINK, location);
    if (s == NULL) return NULL;
    s->sublink_kind = kind;
    s->subquery = query;
    return &s->hdr;
}

static sql_node *expr_row(sql_parser *p, sql_list list, bool explicit_row, uint32_t location) {
    sql_row *r = P_NODE(p, sql_row, SQL_N_ROW, location);
    if (r == NULL) return NULL;
    r->args = list;
    r->explicit_row = explicit_row;
    return &r->hdr;
}

/* The first item inside '(' when it starts with another '(': that one may be a query that
 * goes on (UNION, ORDER BY), a query used as a value, or an expression. */
static bool expr_paren_nested(sql_parser *p, sql_paren *out, sql_node **first) {
    sql_paren in;
    if (!sql_parse_paren(p, &in)) return false;
    if (in.select != NULL) {
        if (p_is(p, ')') || sql_parse_continues_select(p)) {
            out->select = sql_parse_select_continue(p, in.select);
            return out->select != NULL && p_expect(p, ')');
        }
        *first = expr_sublink(p, SQL_SUBLINK_EXPR, in.select, in.location);
    } else {
        *first = in.expr;
    }
    *first = expr_tail(p, expr_indirection(p, *first), SQL_PREC_OR, false);
    return *first != NULL;
}

bool sql_parse_paren(sql_parser *p, sql_paren *out) {
    memset(out, 0, sizeof *out);
    out->location = p_loc(p);
    if (!p_expect(p, '(') || !sql_parse_enter(p)) return false;
    bool ok = false;
    sql_node *first = NULL;
    if (sql_parse_starts_select(p, 0)) {
        out->select = sql_parse_select(p);
        ok = out->select != NULL && p_expect(p, ')');
    } else if (p_is(p, '(')) {
        ok = expr_paren_nested(p, out, &first);
    } else {
        ok = (first = sql_parse_expr(p)) != NULL;
    }
    if (ok && out->select == NULL) {
        ok = p_push(p, &out->list, first);
        while (ok && p_accept(p, ',')) {
            sql_node *e = sql_parse_expr(p);
            ok = e != NULL && p_push(p, &out->list, e);
        }
        ok = ok && p_expect(p, ')');
        if (ok) {
            out->expr = out->list.count == 1 ? first
                                             : expr_row(p, out->list, false, out->location);
            ok = out->expr != NULL;
        }
    }
    p_leave(p);
    return ok;
}

static sql_node *expr_row_call(sql_parser *p);

/* row OVERLAPS row: pg_catalog.overlaps(a1, a2, b1, b2), each row of exactly two values. */
static sql_node *expr_overlaps(sql_parser *p, sql_node *left) {
    uint32_t location = p_loc(p);
    p_next(p);
    sql_node *right = NULL;
    if (p_is_kw(p, SQL_KW_ROW) && p_kind_at(p, 1) == '(') {
        right = expr_row_call(p);
    } else if (p_is(p, '(')) {
        sql_paren in;
        if (!sql_parse_paren(p, &in)) return NULL;
        right = in.select == NULL && in.list.count > 1 ? in.expr : NULL;
        if (right == NULL) return p_error(p), NULL;
    } else {
        return p_error(p), NULL;
    }
    if (right == NULL) return NULL;
    const sql_row *rows[2] = {(const sql_row *)left, (const sql_row *)right};
    sql_func *f = expr_sysfunc(p, "overlaps", location);
    for (int i = 0; f != NULL && i < 2; i++) {
        if (rows[i]->args.count != 2) {
            sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, rows[i]->hdr.location,
                           "wrong number of parameters on %s side of OVERLAPS expression",
                           i == 0 ? "left" : "right");
            return NULL;
        }
        if (!p_push(p, &f->args, SQL_LIST_AT(rows[i]->args, 0)) ||
            !p_push(p, &f->args, SQL_LIST_AT(rows[i]->args, 1))) {
            return NULL;
        }
    }
    return f != NULL ? &f->hdr : NULL;
}

static sql_node *expr_paren(sql_parser *p) {
    sql_paren in;
    if (!sql_parse_paren(p, &in)) return NULL;
    if (in.select != NULL) {
        return expr_indirection(p, expr_sublink(p, SQL_SUBLINK_EXPR, in.select, in.location));
    }
    if (in.list.count > 1) { /* (a, b) takes no indirection */
        return p_is_kw(p, SQL_KW_OVERLAPS) ? expr_overlaps(p, in.expr) : in.expr;
    }
    return expr_indirection(p, in.expr);
}

/* ---- infix and postfix operators ---- */

/* `x op ANY/ALL/SOME (...)`: a subquery gives a sublink, anything else an array comparison. */
static sql_node *expr_any_all(sql_parser *p, sql_node *left, const char *op, uint32_t location) {
    bool all = p_is_kw(p, SQL_KW_ALL);
    p_next(p);
    sql_paren in = {0};
    if (sql_parse_starts_select(p, 1) || p_kind_at(p, 1) == '(') {
        if (!sql_parse_paren(p, &in)) return NULL;
        if (in.list.count > 1) return p_error(p), NULL;
    } else {
        if (!p_expect(p, '(') || (in.expr = sql_parse_expr(p)) == NULL || !p_expect(p, ')')) {
            return NULL;
        }
    }
    if (in.select != NULL) {
        sql_sublink *s = (sql_sublink *)expr_sublink(
            p, all ? SQL_SUBLINK_ALL : SQL_SUBLINK_ANY, in.select, location);
        if (s == NULL) return NULL;
        s->test_expr = left;
        s->op = op;
        return &s->hdr;
    }
    sql_any_all *a = P_NODE(p, sql_any_all, SQL_N_ANY_ALL, location);
    if (a == NULL) return NULL;
    a->op = op;
    a->left = left;
    a->array = in.expr;
    a->is_all = all;
    return &a->hdr;
}

static bool expr_at_any_all(sql_parser *p) {
    return (p_is_kw(p, SQL_KW_ANY) || p_is_kw(p, SQL_KW_ALL) || p_is_kw(p, SQL_KW_SOME)) &&
           p_kind_at(p, 1) == '(';
}

static sql_node *expr_binary(sql_parser *p, sql_node *left, int prec, bool bexpr, int *open) {
    uint32_t location = p_loc(p);
    const char *name, *schema;
    if (!sql_parse_qual_op(p, &name, &schema)) return NULL;
    if (!bexpr && expr_at_any_all(p)) { /* a b_expr has no op ANY (...) */
        if (schema != NULL && strcmp(schema, "pg_catalog") != 0) {
            sql_parse_unsupported(p, location, "a schema-qualified operator with ANY/ALL");
            return NULL;
        }
        return expr_any_all(p, left, name, location);
    }
    sql_node *right = sql_parse_expr_prec(p, prec + 1, bexpr);
    if (prec == SQL_PREC_CMP) *open = SQL_PREC_CMP;
    return expr_op(p, name, schema, left, right, location);
}

static sql_node *expr_between(sql_parser *p, sql_node *left, bool neg, uint32_t location) {
    sql_between *b = P_NODE(p, sql_between, SQL_N_BETWEEN, location);
    if (b == NULL) return NULL;
    b->arg = left;
    b->is_not = neg;
    if (p_accept_kw(p, SQL_KW_SYMMETRIC)) {
        b->symmetric = true;
    } else {
        p_accept_kw(p, SQL_KW_ASYMMETRIC);
    }
    if ((b->low = sql_parse_expr_prec(p, SQL_PREC_OR, true)) == NULL) return NULL;
    if (!p_expect_kw(p, SQL_KW_AND)) return NULL;
    if ((b->high = sql_parse_expr_prec(p, SQL_PREC_LIKE + 1, false)) == NULL) return NULL;
    return &b->hdr;
}

/* x [NOT] IN (SELECT ...) is = ANY (NOT around it); x [NOT] IN (a, b) a value list. */
static sql_node *expr_in(sql_parser *p, sql_node *left, bool neg, uint32_t location) {
    if (!p_is(p, '(')) return p_error(p), NULL;
    sql_paren in;
    if (!sql_parse_paren(p, &in)) return NULL;
    if (in.select != NULL) {
        sql_sublink *s = (sql_sublink *)expr_sublink(p, SQL_SUBLINK_ANY, in.select, location);
        if (s == NULL) return NULL;
        s->test_expr = left;
        s->op = "=";
        return neg ? expr_not(p, &s->hdr, location) : &s->hdr;
    }
    sql_in_list *l = P_NODE(p, sql_in_list, SQL_N_IN_LIST, location);
    if (l == NULL) return NULL;
    l->arg = left;
    l->values = in.list;
    l->is_not = neg;
    return &l->hdr;
}

static sql_node *expr_like(sql_parser *p, sql_node *left, sql_like_kind kind, bool neg,
                           uint32_t location) {
    if (kind != SQL_SIMILAR && expr_at_any_all(p)) {
        const char *op = kind == SQL_LIKE ? (neg ? "!~~" : "~~") : (neg ? "!~~*" : "~~*");
        return expr_any_all(p, left, op, location);
    }
    sql_like *l = P_NODE(p, sql_like, SQL_N_LIKE, location);
    if (l == NULL) return NULL;
    l->like_kind = kind;
    l->arg = left;
    l->is_not = neg;
    if ((l->pattern = sql_parse_expr_prec(p, SQL_PREC_LIKE + 1, false)) == NULL) return NULL;
    if (p_accept_kw(p, SQL_KW_ESCAPE) &&
        (l->escape = sql_parse_expr_prec(p, SQL_PREC_LIKE + 1, false)) == NULL) {
        return NULL;
    }
    return &l->hdr;
}

/* BETWEEN, IN, LIKE, ILIKE, SIMILAR TO, each possibly after NOT. */
static sql_node *expr_like_level(sql_parser *p, sql_node *left, int *open) {
    uint32_t location = p_loc(p);
    bool neg = p_accept_kw(p, SQL_KW_NOT);
    sql_kw kw = (sql_kw)p_tok(p)->kw;
    p_next(p);
    *open = SQL_PREC_LIKE;
    switch (kw) {
    case SQL_KW_BETWEEN: return expr_between(p, left, neg, location);
    case SQL_KW_LIKE: return expr_like(p, left, SQL_LIKE, neg, location);
    case SQL_KW_ILIKE: return expr_like(p, left, SQL_ILIKE, neg, location);
    case SQL_KW_SIMILAR:
        p_next(p); /* TO, checked by the caller's lookahead */
        return expr_like(p, left, SQL_SIMILAR, neg, location);
    default:
        *open = SQL_PREC_NONE; /* IN (...) ends with its parenthesis */
        return expr_in(p, left, neg, location);
    }
}

static sql_node *expr_nulltest(sql_parser *p, sql_node *arg, bool neg, uint32_t location) {
    sql_nulltest *n = P_NODE(p, sql_nulltest, SQL_N_NULLTEST, location);
    if (n == NULL) return NULL;
    n->arg = arg;
    n->is_not = neg;
    return &n->hdr;
}

/* x IS [NOT] [NFC|NFD|NFKC|NFKD] NORMALIZED: pg_catalog.is_normalized(x[, 'form']). */
static sql_node *expr_is_normalized(sql_parser *p, sql_node *arg, bool neg, uint32_t location) {
    sql_func *f = expr_sysfunc(p, "is_normalized", location);
    if (f == NULL || !p_push(p, &f->args, arg)) return NULL;
    if (!p_is_kw(p, SQL_KW_NORMALIZED)) {
        sql_node *form = sql_parse_const_str(p, p_tok(p)->str, p_loc(p));
        if (form == NULL || !p_push(p, &f->args, form)) return NULL;
        p_next(p);
    }
    if (!p_expect_kw(p, SQL_KW_NORMALIZED)) return NULL;
    return neg ? expr_not(p, &f->hdr, location) : &f->hdr;
}

static sql_node *expr_booltest(sql_parser *p, sql_node *arg, sql_booltest_kind test, bool neg,
                               uint32_t location) {
    sql_booltest *b = P_NODE(p, sql_booltest, SQL_N_BOOLTEST, location);
    if (b == NULL) return NULL;
    b->arg = arg;
    b->test = test;
    b->is_not = neg;
    p_next(p);
    return &b->hdr;
}

static sql_node *expr_is(sql_parser *p, sql_node *left, bool bexpr, int *open) {
    uint32_t location = p_loc(p);
    if (p_accept_kw(p, SQL_KW_ISNULL)) return expr_nulltest(p, left, false, location);
    if (p_accept_kw(p, SQL_KW_NOTNULL)) return expr_nulltest(p, left, true, location);
    p_next(p);
    bool neg = p_accept_kw(p, SQL_KW_NOT);
    const sql_token *t = p_tok(p);
    if (bexpr && !p_is_kw(p, SQL_KW_DISTINCT) && !p_is_kw(p, SQL_KW_DOCUMENT)) {
        p_error(p);
        return NULL;
    }
    switch (t->kind == SQL_TOK_KEYWORD ? t->kw : SQL_KW_INVALID) {
    case SQL_KW_NULL:
        p_next(p);
        return expr_nulltest(p, left, neg, location);
    case SQL_KW_TRUE: return expr_booltest(p, left, SQL_BOOLTEST_TRUE, neg, location);
    case SQL_KW_FALSE: return expr_booltest(p, left, SQL_BOOLTEST_FALSE, neg, location);
    case SQL_KW_UNKNOWN: return expr_booltest(p, left, SQL_BOOLTEST_UNKNOWN, neg, location);
    case SQL_KW_DISTINCT: {
        p_next(p);
        if (!p_expect_kw(p, SQL_KW_FROM)) return NULL;
        sql_distinct *d = P_NODE(p, sql_distinct, SQL_N_DISTINCT, location);
        if (d == NULL) return NULL;
        d->left = left;
        d->is_not = neg;
        d->right = sql_parse_expr_prec(p, SQL_PREC_IS + 1, bexpr);
        *open = SQL_PREC_IS;
        return d->right != NULL ? &d->hdr : NULL;
    }
    case SQL_KW_DOCUMENT:
        sql_parse_unsupported(p, location, "IS DOCUMENT");
        return NULL;
    case SQL_KW_NORMALIZED: case SQL_KW_NFC: case SQL_KW_NFD: case SQL_KW_NFKC: case SQL_KW_NFKD:
        return expr_is_normalized(p, left, neg, location);
    default:
        p_error(p);
        return NULL;
    }
}

static sql_node *expr_collate(sql_parser *p, sql_node *left) {
    sql_collate *c = P_NODE(p, sql_collate, SQL_N_COLLATE, p_loc(p));
    if (c == NULL) return NULL;
    p_next(p);
    c->arg = left;
    return sql_parse_any_name(p, &c->collation, 3) ? &c->hdr : NULL;
}

/* x AT TIME ZONE z is pg_catalog.timezone(z, x). */
static sql_node *expr_at_time_zone(sql_parser *p, sql_node *left) {
    uint32_t location = p_loc(p);
    p_next(p);
    p_next(p);
    p_next(p);
    sql_node *zone = sql_parse_expr_prec(p, SQL_PREC_AT + 1, false);
    sql_func *f = zone == NULL ? NULL : expr_sysfunc(p, "timezone", location);
    if (f == NULL || !p_push(p, &f->args, zone) || !p_push(p, &f->args, left)) return NULL;
    return &f->hdr;
}

/* The precedence of the operator at the current token; SQL_PREC_NONE if it is none (for a
 * b_expr, the boolean-keyword operators are none). */
static int expr_infix_prec(sql_parser *p, bool bexpr) {
    const sql_token *t = p_tok(p);
    switch (t->kind) {
    case SQL_TOK_TYPECAST: return SQL_PREC_TYPECAST;
    case '^': return SQL_PREC_EXP;
    case '*': case '/': case '%': return SQL_PREC_MUL;
    case '+': case '-': return SQL_PREC_ADD;
    case SQL_TOK_OP: return SQL_PREC_OP;
    case '<': case '>': case '=': case SQL_TOK_LESS_EQUALS: case SQL_TOK_GREATER_EQUALS:
    case SQL_TOK_NOT_EQUALS:
        return SQL_PREC_CMP;
    case SQL_TOK_KEYWORD: break;
    default: return SQL_PREC_NONE;
    }
    sql_kw next = p_kind_at(p, 1) == SQL_TOK_KEYWORD ? (sql_kw)p_peek(p, 1)->kw : SQL_KW_INVALID;
    switch (t->kw) {
    case SQL_KW_OPERATOR: return p_kind_at(p, 1) == '(' ? SQL_PREC_OP : SQL_PREC_NONE;
    case SQL_KW_IS: return SQL_PREC_IS; /* a b_expr takes IS [NOT] DISTINCT FROM only */
    default: break;
    }
    if (bexpr) return SQL_PREC_NONE;
    switch (t->kw) {
    case SQL_KW_COLLATE: return SQL_PREC_COLLATE;
    case SQL_KW_AT:
        return next == SQL_KW_TIME && p_is_kw_at(p, 2, SQL_KW_ZONE) ? SQL_PREC_AT : SQL_PREC_NONE;
    case SQL_KW_ISNULL: case SQL_KW_NOTNULL: return SQL_PREC_IS;
    case SQL_KW_BETWEEN: case SQL_KW_IN: case SQL_KW_LIKE: case SQL_KW_ILIKE: return SQL_PREC_LIKE;
    case SQL_KW_SIMILAR: return next == SQL_KW_TO ? SQL_PREC_LIKE : SQL_PREC_NONE;
    case SQL_KW_NOT:
        if (next == SQL_KW_BETWEEN || next == SQL_KW_IN || next == SQL_KW_LIKE ||
            next == SQL_KW_ILIKE || (next == SQL_KW_SIMILAR && p_is_kw_at(p, 2, SQL_KW_TO))) {
            return SQL_PREC_LIKE;
        }
        return SQL_PREC_NONE;
    case SQL_KW_AND: return SQL_PREC_AND;
    case SQL_KW_OR: return SQL_PREC_OR;
    default: return SQL_PREC_NONE;
    }
}

static sql_node *expr_infix(sql_parser *p, sql_node *left, int prec, bool bexpr, int *open) {
    uint32_t location = p_loc(p);
    switch (prec) {
    case SQL_PREC_TYPECAST:
        p_next(p);
        return expr_cast(p, left, sql_parse_type(p), location);
    case SQL_PREC_COLLATE: return expr_collate(p, left);
    case SQL_PREC_AT: return expr_at_time_zone(p, left);
    case SQL_PREC_AND:
    case SQL_PREC_OR:
        p_next(p);
        return expr_bool(p, prec == SQL_PREC_AND ? SQL_BOOL_AND : SQL_BOOL_OR, left,
                         sql_parse_expr_prec(p, prec + 1, false), location);
    case SQL_PREC_IS: return expr_is(p, left, bexpr, open);
    case SQL_PREC_LIKE: return expr_like_level(p, left, open);
    default: return expr_binary(p, left, prec, bexpr, open);
    }
}

/* Applies operators of precedence >= min_prec to `left`. `open` is the non-associative level
 * whose right operand just ended: another operator of that level is a syntax error there. */
static sql_node *expr_tail(sql_parser *p, sql_node *left, int min_prec, bool bexpr) {
    int open = SQL_PREC_NONE;
    while (left != NULL) {
        int prec = expr_infix_prec(p, bexpr);
        if (prec == SQL_PREC_NONE || prec < min_prec) break;
        if (prec == open) {
            p_error(p);
            return NULL;
        }
        open = SQL_PREC_NONE;
        left = expr_infix(p, left, prec, bexpr, &open);
    }
    return left;
}

/* ---- prefix operators ---- */

static sql_node *expr_prefix(sql_parser *p, bool bexpr) {
    const sql_token *t = p_tok(p);
    uint32_t location = t->start;
    if (t->kind == SQL_TOK_KEYWORD && t->kw == SQL_KW_NOT && !bexpr) {
        p_next(p);
        return expr_not(p, sql_parse_expr_prec(p, SQL_PREC_NOT, false), location);
    }
    if (t->kind == '-' || t->kind == '+') {
        bool minus = t->kind == '-';
        p_next(p);
        sql_node *arg = sql_parse_expr_prec(p, SQL_PREC_UMINUS, bexpr);
        return minus ? expr_negate(p, arg, location) : expr_op(p, "+", NULL, NULL, arg, location);
    }
    if (t->kind == SQL_TOK_OP || (t->kind == SQL_TOK_KEYWORD && t->kw == SQL_KW_OPERATOR &&
                                  p_kind_at(p, 1) == '(')) {
        const char *name, *schema;
        if (!sql_parse_qual_op(p, &name, &schema)) return NULL;
        sql_node *arg = sql_parse_expr_prec(p, SQL_PREC_OP + 1, bexpr);
        return expr_op(p, name, schema, NULL, arg, location);
    }
    return sql_parse_c_expr(p);
}

sql_node *sql_parse_expr_prec(sql_parser *p, int min_prec, bool bexpr) {
    if (!sql_parse_enter(p)) return NULL;
    sql_node *n = expr_tail(p, expr_prefix(p, bexpr), min_prec, bexpr);
    p_leave(p);
    return n;
}

sql_node *sql_parse_expr(sql_parser *p) { return sql_parse_expr_prec(p, SQL_PREC_OR, false); }
sql_node *sql_parse_bexpr(sql_parser *p) { return sql_parse_expr_prec(p, SQL_PREC_OR, true); }

bool sql_parse_expr_list(sql_parser *p, sql_list *out) {
    do {
        sql_node *e = sql_parse_expr(p);
        if (e == NULL || !p_push(p, out, e)) return false;
    } while (p_accept(p, ','));
    return true;
}

/* ---- primaries ---- */

static sql_node *expr_case(sql_parser *p) {
    sql_case *c = P_NODE(p, sql_case, SQL_N_CASE, p_loc(p));
    if (c == NULL) return NULL;
    p_next(p);
    if (!p_is_kw(p, SQL_KW_WHEN) && (c->arg = sql_parse_expr(p)) == NULL) return NULL;
    if (!p_is_kw(p, SQL_KW_WHEN)) return p_error(p), NULL;
    while (p_accept_kw(p, SQL_KW_WHEN)) {
        sql_node *cond = sql_parse_expr(p);
        if (cond == NULL || !p_push(p, &c->whens, cond) || !p_expect_kw(p, SQL_KW_THEN)) {
            return NULL;
        }
        sql_node *result = sql_parse_expr(p);
        if (result == NULL || !p_push(p, &c->whens, result)) return NULL;
    }
    if (p_accept_kw(p, SQL_KW_ELSE) && (c->else_result = sql_parse_expr(p)) == NULL) {
        return NULL;
    }
    return p_expect_kw(p, SQL_KW_END) ? &c->hdr : NULL;
}

static sql_node *expr_cast_call(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    if (!p_expect(p, '(')) return NULL;
    sql_node *arg = sql_parse_expr(p);
    if (arg == NULL || !p_expect_kw(p, SQL_KW_AS)) return NULL;
    sql_typename *type = sql_parse_type(p);
    if (type == NULL || !p_expect(p, ')')) return NULL;
    return expr_cast(p, arg, type, location);
}

/* EXISTS (query), ARRAY(query): the parentheses must hold a query. */
static sql_select *expr_paren_query(sql_parser *p) {
    if (!p_is(p, '(')) return p_error(p), NULL;
    if (!sql_parse_starts_select(p, 1) && p_kind_at(p, 1) != '(') {
        sql_parse_syntax_error(p, p_peek(p, 1));
        return NULL;
    }
    sql_paren in;
    if (!sql_parse_paren(p, &in)) return NULL;
    if (in.select == NULL) return p_error(p), NULL;
    return in.select;
}

/* ARRAY[...] and its nested [...] (without ARRAY); ARRAY[] is empty. */
static sql_node *expr_array_brackets(sql_parser *p, uint32_t location) {
    if (!sql_parse_enter(p)) return NULL;
    sql_array *a = P_NODE(p, sql_array, SQL_N_ARRAY, location);
    bool ok = a != NULL && p_expect(p, '[');
    if (ok && !p_is(p, ']')) {
        bool nested = p_is(p, '[');
        do {
            sql_node *e = nested ? expr_array_brackets(p, p_loc(p)) : sql_parse_expr(p);
            ok = e != NULL && p_push(p, &a->elements, e);
            if (ok && nested && !p_is(p, ',') && !p_is(p, ']')) ok = p_error(p);
            if (ok && !nested && p_is(p, '[')) ok = p_error(p);
        } while (ok && p_accept(p, ','));
    }
    ok = ok && p_expect(p, ']');
    p_leave(p);
    return ok ? &a->hdr : NULL;
}

static sql_node *expr_array(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    if (p_is(p, '[')) return expr_array_brackets(p, location);
    return expr_sublink(p, SQL_SUBLINK_ARRAY, expr_paren_query(p), location);
}

static sql_node *expr_row_call(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    sql_list args = {0};
    if (!p_expect(p, '(')) return NULL;
    if (!p_is(p, ')') && !sql_parse_expr_list(p, &args)) return NULL;
    if (!p_expect(p, ')')) return NULL;
    return expr_row(p, args, true, location);
}

static sql_node *expr_row_primary(sql_parser *p) {
    sql_node *row = expr_row_call(p);
    return row != NULL && p_is_kw(p, SQL_KW_OVERLAPS) ? expr_overlaps(p, row) : row;
}

static sql_node *expr_grouping(sql_parser *p) {
    sql_grouping *g = P_NODE(p, sql_grouping, SQL_N_GROUPING, p_loc(p));
    if (g == NULL) return NULL;
    p_next(p);
    bool ok = p_expect(p, '(') && sql_parse_expr_list(p, &g->args) && p_expect(p, ')');
    return ok ? &g->hdr : NULL;
}

static sql_node *expr_sqlvalue(sql_parser *p, sql_sqlvalue_kind kind, bool precision) {
    sql_sqlvalue *v = P_NODE(p, sql_sqlvalue, SQL_N_SQLVALUE, p_loc(p));
    if (v == NULL) return NULL;
    p_next(p);
    v->value_kind = kind;
    v->precision = -1;
    if (precision && p_accept(p, '(')) {
        const sql_token *t = p_tok(p);
        if (t->kind != SQL_TOK_ICONST || t->ival > INT32_MAX) return p_error(p), NULL;
        v->precision = (int32_t)t->ival;
        p_next(p);
        if (!p_expect(p, ')')) return NULL;
    }
    return &v->hdr;
}

/* `type 'literal'`: INT '1', TIMESTAMP(3) WITH TIME ZONE '...', INTERVAL '1' DAY. */
static sql_node *expr_typed_literal(sql_parser *p) {
    uint32_t location = p_loc(p);
    sql_typename *type = sql_parse_const_type(p);
    if (type == NULL) return NULL;
    if (!p_is(p, SQL_TOK_SCONST)) return p_error(p), NULL;
    sql_node *lit = expr_const(p);
    bool interval = type->name.count == 1 && strcmp(type->name.parts[0], "interval") == 0;
    if (lit != NULL && interval && type->typmods.count == 0 &&
        !sql_parse_interval_fields(p, type)) {
        return NULL;
    }
    return expr_cast(p, lit, type, location);
}

/* f(args) 'literal' is a typed literal whose type takes the arguments as modifiers. */
static sql_node *expr_func_typed_literal(sql_parser *p, sql_func *f) {
    if (f->agg_star || f->agg_distinct || f->func_variadic || f->over != NULL ||
        f->agg_filter != NULL || f->agg_within_group) {
        return p_error(p), NULL;
    }
    if (f->agg_order.count > 0) {
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, p->call_order_at,
                       "type modifier cannot have ORDER BY");
        return NULL;
    }
    if (f->arg_names.count > 0) {
        sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, p->call_named_at,
                       "type modifier cannot have parameter name");
        return NULL;
    }
    sql_typename *type = sql_parse_typename_from_name(p, &f->name, f->hdr.location);
    if (type == NULL) return NULL;
    type->typmods = f->args;
    return expr_cast(p, expr_const(p), type, f->hdr.location);
}

static sql_node *expr_columnref(sql_parser *p, const sql_name *name, bool star) {
    if (star) {
        sql_star *s = P_NODE(p, sql_star, SQL_N_STAR, name->location);
        if (s == NULL) return NULL;
        s->qualifier = *name;
        return &s->hdr;
    }
    sql_columnref *c = P_NODE(p, sql_columnref, SQL_N_COLUMNREF, name->location);
    if (c == NULL) return NULL;
    c->name = *name;
    return expr_indirection(p, &c->hdr);
}

/* a.b.c.d.e: PostgreSQL names at most database.schema.table.column. */
static bool expr_too_many_dots(sql_parser *p, uint32_t location) {
    uint32_t i = 0;
    while (p_kind_at(p, i) == '.' && sql_parse_tok_is_col_label(p_peek(p, i + 1))) i += 2;
    uint32_t end = i > 0 ? p_peek(p, i - 1)->end : p_loc(p);
    return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location,
                          "improper qualified name (too many dotted names): %.*s",
                          (int)(end - location), p->lx.src + location);
}

/* A name in expression position: a column reference (a.b.c, t.*), a function call or a
 * typed literal (`date '2024-01-01'`). Which words may start each is PostgreSQL's rule: a
 * column starts with a ColId, a function or type with a type_function_name. */
static sql_node *expr_name(sql_parser *p) {
    const sql_token *first = p_tok(p);
    bool col_id = sql_parse_tok_is_col_id(first), type_func = sql_parse_tok_is_type_func(first);
    sql_name name = {.count = 1, .parts = {first->str}, .location = first->start};
    bool star = false;
    p_next(p);
    while (p_is(p, '.') && !star) {
        const sql_token *t = p_peek(p, 1);
        if (t->kind != '*' && !sql_parse_tok_is_col_label(t)) break;
        if (name.count == 4) return expr_too_many_dots(p, name.location), NULL;
        if (t->kind == '*') star = true;
        else name.parts[name.count++] = t->str;
        p_next(p);
        p_next(p);
    }
    bool func_name = name.count == 1 ? type_func : col_id;
    if (!star && p_is(p, '(') && func_name) {
        sql_func *f = sql_parse_func_call(p, &name, name.location, true);
        if (f == NULL) return NULL;
        return p_is(p, SQL_TOK_SCONST) ? expr_func_typed_literal(p, f) : &f->hdr;
    }
    if (!star && p_is(p, SQL_TOK_SCONST) && func_name) {
        sql_typename *type = sql_parse_typename_from_name(p, &name, name.location);
        return type == NULL ? NULL : expr_cast(p, expr_const(p), type, name.location);
    }
    if (!col_id) return p_error(p), NULL;
    return expr_columnref(p, &name, star);
}

static sql_node *expr_exists(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    return expr_sublink(p, SQL_SUBLINK_EXISTS, expr_paren_query(p), location);
}

/* Keywords that start an expression of their own; the others are names (or errors). */
static sql_node *expr_keyword(sql_parser *p, sql_kw kw) {
    bool call = p_kind_at(p, 1) == '(';
    switch (kw) {
    case SQL_KW_TRUE: return expr_keyword_const(p, SQL_CONST_BOOL, true);
    case SQL_KW_FALSE: return expr_keyword_const(p, SQL_CONST_BOOL, false);
    case SQL_KW_NULL: return expr_keyword_const(p, SQL_CONST_NULL, false);
    case SQL_KW_CASE: return expr_case(p);
    case SQL_KW_CAST: return expr_cast_call(p);
    case SQL_KW_ARRAY: return expr_array(p);
    case SQL_KW_DEFAULT: {
        sql_node *d = (sql_node *)P_NODE(p, sql_default, SQL_N_DEFAULT, p_loc(p));
        p_next(p);
        return d;
    }
    case SQL_KW_CURRENT_DATE: return expr_sqlvalue(p, SQL_SV_CURRENT_DATE, false);
    case SQL_KW_CURRENT_TIME: return expr_sqlvalue(p, SQL_SV_CURRENT_TIME, true);
    case SQL_KW_CURRENT_TIMESTAMP: return expr_sqlvalue(p, SQL_SV_CURRENT_TIMESTAMP, true);
    case SQL_KW_LOCALTIME: return expr_sqlvalue(p, SQL_SV_LOCALTIME, true);
    case SQL_KW_LOCALTIMESTAMP: return expr_sqlvalue(p, SQL_SV_LOCALTIMESTAMP, true);
    case SQL_KW_CURRENT_ROLE: return expr_sqlvalue(p, SQL_SV_CURRENT_ROLE, false);
    case SQL_KW_CURRENT_USER: return expr_sqlvalue(p, SQL_SV_CURRENT_USER, false);
    case SQL_KW_SESSION_USER: return expr_sqlvalue(p, SQL_SV_SESSION_USER, false);
    case SQL_KW_USER: return expr_sqlvalue(p, SQL_SV_USER, false);
    case SQL_KW_CURRENT_CATALOG: return expr_sqlvalue(p, SQL_SV_CURRENT_CATALOG, false);
    case SQL_KW_CURRENT_SCHEMA:
        if (call) break; /* current_schema() is an ordinary function */
        return expr_sqlvalue(p, SQL_SV_CURRENT_SCHEMA, false);
    case SQL_KW_EXISTS: if (call) return expr_exists(p); break;
    case SQL_KW_ROW: if (call) return expr_row_primary(p); break;
    case SQL_KW_GROUPING: if (call) return expr_grouping(p); break;
    case SQL_KW_UNIQUE:
        if (call) sql_parse_unsupported(p, p_loc(p), "UNIQUE predicate");
        else p_error(p);
        return NULL;
    default: break;
    }
    if (sql_parse_special_func_starts(p)) return sql_parse_special_func(p);
    if (sql_parse_const_type_starts(p)) return expr_typed_literal(p);
    if (!sql_parse_tok_is_col_label(p_tok(p)) ||
        sql_keyword_get(kw)->category == SQL_KWCAT_RESERVED) {
        return p_error(p), NULL;
    }
    return expr_name(p);
}

/* c_expr: a primary with its subscripts and field selections. */
sql_node *sql_parse_c_expr(sql_parser *p) {
    const sql_token *t = p_tok(p);
    switch (t->kind) {
    case SQL_TOK_PARAM: return expr_indirection(p, expr_param(p));
    case SQL_TOK_ICONST: case SQL_TOK_FCONST: case SQL_TOK_SCONST: case SQL_TOK_BCONST:
    case SQL_TOK_XCONST:
        return expr_const(p);
    case '(': return expr_paren(p);
    case SQL_TOK_KEYWORD: return expr_keyword(p, (sql_kw)t->kw);
    case SQL_TOK_IDENT: return expr_name(p);
    default: return p_error(p), NULL;
    }
}
