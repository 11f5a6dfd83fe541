/* sql_parse.c: the parser's entry points, token window, errors, names and the statement
 * dispatcher. The grammar itself is split by area: sql_parse_expr.c (expressions),
 * sql_parse_func.c (function calls, windows, special function syntax), sql_parse_type.c
 * (type names), sql_parse_select.c (queries), sql_parse_dml.c (INSERT, UPDATE, DELETE),
 * sql_parse_create.c, sql_parse_ddl.c and sql_parse_alter.c (CREATE, DROP, ALTER...),
 * sql_parse_util.c and sql_parse_session.c (utility and session statements). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "sql/sql_parse_int.h"

/* The window starts with room for a short statement; it doubles when a lookahead needs more
 * (scanning over many '(' to tell a subquery from an expression). */
#define SQL_PARSE_RING_INITIAL 16

/* ---- lists ---- */

bool sql_list_push(rt_arena *arena, sql_list *list, void *item) {
    if (list->count == list->cap) {
        uint32_t cap = list->cap == 0 ? 4 : list->cap * 2;
        void **items = rt_arena_grow(arena, list->items, list->count * sizeof(void *),
                                     cap * sizeof(void *));
        if (items == NULL) return false;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count++] = item;
    return true;
}

/* ---- token window ---- */

static bool sql_parse_ring_grow(sql_parser *p) {
    uint32_t cap = (p->ring_mask + 1) * 2;
    sql_token *ring = rt_arena_alloc(p->arena, cap * sizeof(sql_token));
    if (ring == NULL) return sql_parse_oom(p);
    for (uint32_t i = 0; i < p->ring_count; i++) {
        ring[i] = p->ring[(p->ring_head + i) & p->ring_mask];
    }
    p->ring = ring;
    p->ring_mask = cap - 1;
    p->ring_head = 0;
    return true;
}

/* Lexes up to the n-th next token. Past the end of input (or a lexical error, or once any
 * error is set) the last token repeats, so loops that look ahead always stop. */
const sql_token *sql_parse_peek_slow(sql_parser *p, uint32_t n) {
    while (p->ring_count <= n) {
        if (p->ring_count > 0) {
            const sql_token *last = &p->ring[(p->ring_head + p->ring_count - 1) & p->ring_mask];
            if (last->kind == SQL_TOK_EOF || last->kind == SQL_TOK_ERROR) return last;
        }
        if (p->ring_count == p->ring_mask + 1 && !sql_parse_ring_grow(p)) break;
        sql_token *t = &p->ring[(p->ring_head + p->ring_count) & p->ring_mask];
        if (rt_err_is_set(p->err) || !sql_lex_next(&p->lx, t, p->err)) {
            t->kind = SQL_TOK_ERROR;
            t->start = t->end = p->lx.pos < p->lx.len ? p->lx.pos : p->lx.len;
            t->str = "";
            p->lex_failed = true;
        }
        p->ring_count++;
    }
    if (p->ring_count == 0) { /* only when growing failed on an empty window: never */
        static const sql_token none = {.kind = SQL_TOK_ERROR, .str = ""};
        return &none;
    }
    return &p->ring[(p->ring_head + (n < p->ring_count ? n : p->ring_count - 1)) & p->ring_mask];
}

/* ---- errors ---- */

/* The quoted token text is cut to keep the message within its fixed buffer. */
#define SQL_PARSE_NEAR_BYTES_MAX 384u

bool sql_parse_syntax_error(sql_parser *p, const sql_token *t) {
    if (rt_err_is_set(p->err)) return false;
    if (t->kind == SQL_TOK_EOF || t->start >= p->lx.len) {
        rt_err_set(p->err, SQLSTATE_SYNTAX_ERROR, "syntax error at end of input");
        p->err->position = sql_lex_position(p->lx.src, p->lx.len);
        return false;
    }
    uint32_t n = t->end - t->start;
    if (n > SQL_PARSE_NEAR_BYTES_MAX) {
        n = SQL_PARSE_NEAR_BYTES_MAX;
        while (n > 0 && ((uint8_t)p->lx.src[t->start + n] & 0xC0) == 0x80) n--;
    }
    rt_err_set(p->err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%.*s\"", (int)n,
               p->lx.src + t->start);
    p->err->position = sql_lex_position(p->lx.src, t->start);
    return false;
}

bool sql_parse_fail(sql_parser *p, const char *sqlstate, uint32_t location, const char *fmt, ...) {
    if (rt_err_is_set(p->err)) return false;
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(p->err, sqlstate, fmt, ap);
    va_end(ap);
    if (location != UINT32_MAX && location <= p->lx.len) {
        p->err->position = sql_lex_position(p->lx.src, location);
    }
    return false;
}

bool sql_parse_unsupported(sql_parser *p, uint32_t location, const char *what) {
    return sql_parse_fail(p, SQLSTATE_FEATURE_NOT_SUPPORTED, location, "%s is not supported",
                          what);
}

bool sql_parse_oom(sql_parser *p) { return rt_arena_fail(p->arena, p->err); }

bool sql_parse_enter(sql_parser *p) {
    if (p->depth >= SQL_PARSE_DEPTH_MAX || rt_stack_left() < SQL_PARSE_STACK_MIN_BYTES) {
        return sql_parse_fail(p, SQLSTATE_STATEMENT_TOO_COMPLEX, UINT32_MAX,
                              "stack depth limit exceeded");
    }
    p->depth++;
    return true;
}

/* ---- memory ---- */

void *sql_parse_alloc(sql_parser *p, size_t size) {
    void *n = rt_arena_zalloc(p->arena, size);
    if (n == NULL) sql_parse_oom(p);
    return n;
}

void *sql_parse_node(sql_parser *p, size_t size, sql_node_kind kind, uint32_t location) {
    sql_node *n = sql_parse_alloc(p, size);
    if (n == NULL) return NULL;
    n->kind = kind;
    n->location = location;
    return n;
}

char *sql_parse_strndup(sql_parser *p, const char *s, size_t len) {
    char *c = rt_arena_strndup(p->arena, s, len);
    if (c == NULL) sql_parse_oom(p);
    return c;
}

const char *sql_parse_text(sql_parser *p, uint32_t start, uint32_t end) {
    return sql_parse_strndup(p, p->lx.src + start, end > start ? end - start : 0);
}

/* ---- names ---- */

static inline uint8_t sql_parse_kw_category(const sql_token *t) {
    return sql_keyword_get((sql_kw)t->kw)->category;
}

bool sql_parse_tok_is_col_id(const sql_token *t) {
    if (t->kind == SQL_TOK_IDENT) return true;
    if (t->kind != SQL_TOK_KEYWORD) return false;
    uint8_t c = sql_parse_kw_category(t);
    return c == SQL_KWCAT_UNRESERVED || c == SQL_KWCAT_COL_NAME;
}

bool sql_parse_tok_is_type_func(const sql_token *t) {
    if (t->kind == SQL_TOK_IDENT) return true;
    if (t->kind != SQL_TOK_KEYWORD) return false;
    uint8_t c = sql_parse_kw_category(t);
    return c == SQL_KWCAT_UNRESERVED || c == SQL_KWCAT_TYPE_FUNC_NAME;
}

bool sql_parse_tok_is_col_label(const sql_token *t) {
    return t->kind == SQL_TOK_IDENT || t->kind == SQL_TOK_KEYWORD;
}

bool sql_parse_tok_is_bare_label(const sql_token *t) {
    if (t->kind == SQL_TOK_IDENT) return true;
    return t->kind == SQL_TOK_KEYWORD && sql_keyword_get((sql_kw)t->kw)->bare_label;
}

bool sql_parse_tok_is_nonreserved(const sql_token *t) {
    if (t->kind == SQL_TOK_IDENT) return true;
    return t->kind == SQL_TOK_KEYWORD && sql_parse_kw_category(t) != SQL_KWCAT_RESERVED;
}

static const char *sql_parse_name_of(sql_parser *p, bool (*is)(const sql_token *)) {
    const sql_token *t = p_tok(p);
    if (!is(t)) {
        sql_parse_syntax_error(p, t);
        return NULL;
    }
    const char *s = t->str;
    p_next(p);
    return s;
}

const char *sql_parse_col_id(sql_parser *p) {
    return sql_parse_name_of(p, sql_parse_tok_is_col_id);
}
const char *sql_parse_col_label(sql_parser *p) {
    return sql_parse_name_of(p, sql_parse_tok_is_col_label);
}
const char *sql_parse_type_func_name(sql_parser *p) {
    return sql_parse_name_of(p, sql_parse_tok_is_type_func);
}
const char *sql_parse_nonreserved_word(sql_parser *p) {
    return sql_parse_name_of(p, sql_parse_tok_is_nonreserved);
}

/* PostgreSQL's complaint about a.b.c.d where at most three parts make sense. */
static bool sql_parse_too_many_dots(sql_parser *p, const sql_name *name, const char *extra,
                                    uint32_t location) {
    char text[256];
    size_t used = 0;
    for (uint32_t i = 0; i < name->count && used < sizeof text; i++) {
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? "." : "",
                                 name->parts[i]);
    }
    if (used < sizeof text) snprintf(text + used, sizeof text - used, ".%s", extra);
    return sql_parse_fail(p, SQLSTATE_SYNTAX_ERROR, location,
                          "improper qualified name (too many dotted names): %s", text);
}

bool sql_parse_any_name(sql_parser *p, sql_name *out, uint32_t max_parts) {
    out->location = p_loc(p);
    out->count = 0;
    const char *first = sql_parse_col_id(p);
    if (first == NULL) return false;
    out->parts[out->count++] = first;
    while (p_is(p, '.') && sql_parse_tok_is_col_label(p_peek(p, 1))) {
        p_next(p);
        const char *part = p_tok(p)->str;
        if (out->count >= max_parts) {
            return sql_parse_too_many_dots(p, out, part, out->location);
        }
        out->parts[out->count++] = part;
        p_next(p);
    }
    if (p_is(p, '.')) return sql_parse_syntax_error(p, p_peek(p, 1));
    return true;
}

bool sql_parse_name_list(sql_parser *p, sql_list *out) {
    do {
        const char *name = sql_parse_col_id(p);
        if (name == NULL || !p_push(p, out, (void *)name)) return false;
    } while (p_accept(p, ','));
    return true;
}

bool sql_parse_name_list_paren(sql_parser *p, sql_list *out) {
    return p_expect(p, '(') && sql_parse_name_list(p, out) && p_expect(p, ')');
}

const char *sql_parse_sconst(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_SCONST) {
        sql_parse_syntax_error(p, t);
        return NULL;
    }
    p_next(p);
    return t->str;
}

const char *sql_parse_word_or_sconst(sql_parser *p) {
    if (p_is(p, SQL_TOK_SCONST)) return sql_parse_sconst(p);
    return sql_parse_nonreserved_word(p);
}

bool sql_parse_signed_int(sql_parser *p, int64_t *out) {
    bool neg = p_accept(p, '-');
    if (!neg) p_accept(p, '+');
    const sql_token *t = p_tok(p);
    if (t->kind != SQL_TOK_ICONST || t->ival > INT32_MAX) return p_error(p);
    *out = neg ? -t->ival : t->ival;
    p_next(p);
    return true;
}

sql_node *sql_parse_numeric_only(sql_parser *p) {
    uint32_t location = p_loc(p);
    bool neg = p_accept(p, '-');
    if (!neg) p_accept(p, '+');
    const sql_token *t = p_tok(p);
    if (t->kind == SQL_TOK_ICONST) {
        int64_t v = t->ival;
        p_next(p);
        return sql_parse_const_int(p, neg ? -v : v, location);
    }
    if (t->kind != SQL_TOK_FCONST) {
        p_error(p);
        return NULL;
    }
    sql_const *c = P_NODE(p, sql_const, SQL_N_CONST, location);
    if (c == NULL) return NULL;
    c->const_kind = SQL_CONST_NUMERIC;
    c->text = neg ? rt_arena_sprintf(p->arena, "-%s", t->str) : t->str;
    if (c->text == NULL) return sql_parse_oom(p), NULL;
    c->text_len = (uint32_t)strlen(c->text);
    p_next(p);
    return &c->hdr;
}

/* The name of an operator token, or NULL if the token is no operator. */
static const char *sql_parse_op_name(const sql_token *t) {
    switch (t->kind) {
    case '+': return "+";
    case '-': return "-";
    case '*': return "*";
    case '/': return "/";
    case '%': return "%";
    case '^': return "^";
    case '<': return "<";
    case '>': return ">";
    case '=': return "=";
    case SQL_TOK_LESS_EQUALS: return "<=";
    case SQL_TOK_GREATER_EQUALS: return ">=";
    case SQL_TOK_NOT_EQUALS: return "<>";
    case SQL_TOK_OP: return t->str;
    default: return NULL;
    }
}

/* qual_all_Op: an operator, or OPERATOR(schema.op) with an optionally qualified name. */
bool sql_parse_qual_op(sql_parser *p, const char **name, const char **schema) {
    *schema = NULL;
    *name = sql_parse_op_name(p_tok(p));
    if (*name != NULL) {
        p_next(p);
        return true;
    }
    if (!p_expect_kw(p, SQL_KW_OPERATOR) || !p_expect(p, '(')) return false;
    while (sql_parse_tok_is_col_id(p_tok(p)) && p_kind_at(p, 1) == '.') {
        if (*schema != NULL) {
            return sql_parse_unsupported(p, p_loc(p), "a database-qualified operator");
        }
        *schema = p_tok(p)->str;
        p_next(p);
        p_next(p);
    }
    *name = sql_parse_op_name(p_tok(p));
    if (*name == NULL) return p_error(p);
    p_next(p);
    return p_expect(p, ')');
}

/* ---- statements ---- */

/* Statements PostgreSQL has and Dreambase does not: refused by name, never misparsed. */
static sql_node *sql_parse_refuse(sql_parser *p) {
    const sql_token *t = p_tok(p);
    char what[64];
    snprintf(what, sizeof what, "%s", t->str);
    for (char *c = what; *c; c++) {
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - ('a' - 'A'));
    }
    sql_parse_unsupported(p, t->start, what);
    return NULL;
}

static sql_node *sql_parse_checkpoint(sql_parser *p) {
    uint32_t location = p_loc(p);
    p_next(p);
    return (sql_node *)P_NODE(p, sql_checkpoint, SQL_N_CHECKPOINT, location);
}

static sql_node *sql_parse_stmt_keyword(sql_parser *p, sql_kw kw) {
    switch (kw) {
    case SQL_KW_SELECT: case SQL_KW_VALUES: case SQL_KW_TABLE: case SQL_KW_WITH:
    case SQL_KW_INSERT: case SQL_KW_UPDATE: case SQL_KW_DELETE:
        return sql_parse_preparable(p);
    case SQL_KW_CREATE: return sql_parse_create(p);
    case SQL_KW_DROP: return sql_parse_drop(p);
    case SQL_KW_ALTER: return sql_parse_alter(p);
    case SQL_KW_TRUNCATE: return sql_parse_truncate(p);
    case SQL_KW_COMMENT: return sql_parse_comment(p);
    case SQL_KW_BEGIN: case SQL_KW_START: case SQL_KW_COMMIT: case SQL_KW_END:
    case SQL_KW_ROLLBACK: case SQL_KW_ABORT: case SQL_KW_SAVEPOINT: case SQL_KW_RELEASE:
        return sql_parse_transaction(p);
    case SQL_KW_PREPARE:
        if (p_is_kw_at(p, 1, SQL_KW_TRANSACTION)) return sql_parse_transaction(p);
        return sql_parse_prepare(p);
    case SQL_KW_SET: return sql_parse_set(p);
    case SQL_KW_RESET: return sql_parse_reset(p);
    case SQL_KW_SHOW: return sql_parse_show(p);
    case SQL_KW_EXECUTE: return sql_parse_execute(p);
    case SQL_KW_DEALLOCATE: return sql_parse_deallocate(p);
    case SQL_KW_DECLARE: return sql_parse_declare(p);
    case SQL_KW_FETCH: case SQL_KW_MOVE: return sql_parse_fetch(p);
    case SQL_KW_CLOSE: return sql_parse_close(p);
    case SQL_KW_EXPLAIN: return sql_parse_explain(p);
    case SQL_KW_ANALYZE: case SQL_KW_ANALYSE: return sql_parse_analyze(p);
    case SQL_KW_VACUUM: return sql_parse_vacuum(p);
    case SQL_KW_REINDEX: return sql_parse_reindex(p);
    case SQL_KW_COPY: return sql_parse_copy(p);
    case SQL_KW_LISTEN: return sql_parse_listen(p);
    case SQL_KW_UNLISTEN: return sql_parse_unlisten(p);
    case SQL_KW_NOTIFY: return sql_parse_notify(p);
    case SQL_KW_DISCARD: return sql_parse_discard(p);
    case SQL_KW_LOCK: return sql_parse_lock(p);
    case SQL_KW_CHECKPOINT: return sql_parse_checkpoint(p);
    case SQL_KW_GRANT: case SQL_KW_REVOKE: return sql_parse_grant(p);
    case SQL_KW_DO: return sql_parse_do(p);
    case SQL_KW_MERGE: case SQL_KW_CALL: case SQL_KW_CLUSTER:
    case SQL_KW_REFRESH: case SQL_KW_SECURITY: case SQL_KW_IMPORT: case SQL_KW_LOAD:
    case SQL_KW_REASSIGN:
        return sql_parse_refuse(p);
    default:
        p_error(p);
        return NULL;
    }
}

sql_node *sql_parse_stmt(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind == '(') return sql_parse_preparable(p);
    if (t->kind != SQL_TOK_KEYWORD) {
        p_error(p);
        return NULL;
    }
    return sql_parse_stmt_keyword(p, (sql_kw)t->kw);
}

static bool sql_parse_init(sql_parser *p, rt_arena *arena, const char *sql, uint32_t len,
                           rt_err *err) {
    memset(p, 0, sizeof *p);
    p->arena = arena;
    p->err = err;
    sql_lex_init(&p->lx, arena, sql, len);
    if (len > SQL_TEXT_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "statement text of %u bytes exceeds the limit of %u bytes", len,
                          SQL_TEXT_BYTES_MAX);
    }
    if (!sql_lex_check_encoding(sql, len, err)) return false;
    p->ring = rt_arena_alloc(arena, SQL_PARSE_RING_INITIAL * sizeof(sql_token));
    if (p->ring == NULL) return sql_parse_oom(p);
    p->ring_mask = SQL_PARSE_RING_INITIAL - 1;
    return true;
}

static bool sql_parse_stmt_push(sql_parser *p, sql_stmt_list *out, uint32_t *cap, sql_stmt s) {
    if (out->count == *cap) {
        uint32_t grown = *cap == 0 ? 4 : *cap * 2;
        sql_stmt *stmts = rt_arena_grow(p->arena, out->stmts, out->count * sizeof(sql_stmt),
                                        grown * sizeof(sql_stmt));
        if (stmts == NULL) return sql_parse_oom(p);
        out->stmts = stmts;
        *cap = grown;
    }
    out->stmts[out->count++] = s;
    return true;
}

bool sql_parse(rt_arena *arena, const char *sql, uint32_t len, sql_stmt_list *out, rt_err *err) {
    out->count = 0;
    out->stmts = NULL;
    sql_parser p;
    if (!sql_parse_init(&p, arena, sql, len, err)) return false;
    uint32_t cap = 0;
    for (;;) {
        while (p_accept(&p, ';')) {}
        if (p_is(&p, SQL_TOK_EOF)) break;
        uint32_t start = p_loc(&p);
        sql_node *node = sql_parse_stmt(&p);
        if (node == NULL) return false;
        if (!p_is(&p, ';') && !p_is(&p, SQL_TOK_EOF)) return p_error(&p);
        sql_stmt s = {.node = node, .text_start = start, .text_len = p.prev_end - start};
        if (!sql_parse_stmt_push(&p, out, &cap, s)) return false;
    }
    return !rt_err_is_set(err);
}

bool sql_parse_typename(rt_arena *arena, const char *text, uint32_t len, sql_typename **out,
                        rt_err *err) {
    sql_parser p;
    *out = NULL;
    if (!sql_parse_init(&p, arena, text, len, err)) return false;
    sql_typename *type = sql_parse_type(&p);
    if (type == NULL) return false;
    if (!p_is(&p, SQL_TOK_EOF)) return p_error(&p);
    *out = type;
    return true;
}
