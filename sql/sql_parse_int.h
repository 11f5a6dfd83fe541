/* sql_parse_int.h: private to the parser's files (sql_parse*.c); never included from outside.
 * The parser is recursive descent over a lookahead window of tokens lexed on demand, so that
 * lexical errors are reported only once the parser needs the bad token (PostgreSQL's order).
 * Every function that can fail returns NULL/false with p->err set; the first error wins (later
 * attempts to report one are ignored), so callers only propagate. Nodes live in p->arena. */
#ifndef SQL_PARSE_INT_H
#define SQL_PARSE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_ast.h"
#include "sql/sql_lex.h"

typedef struct sql_parser {
    rt_arena *arena;
    rt_err *err;
    sql_lexer lx;
    sql_token *ring;      /* lookahead window: ring[(head + i) & mask] is the i-th next token */
    uint32_t ring_mask;
    uint32_t ring_head;
    uint32_t ring_count;  /* tokens lexed and not yet consumed */
    uint32_t prev_end;    /* byte just past the last consumed token */
    uint32_t depth;       /* nesting, bounded by SQL_PARSE_DEPTH_MAX */
    bool lex_failed;      /* the window ends with an SQL_TOK_ERROR token */
    uint32_t call_order_at; /* the last call's ORDER BY and first named argument, if any */
    uint32_t call_named_at;
} sql_parser;

/* Precedence levels of PostgreSQL's operators, loosest first (its documentation's table). */
enum {
    SQL_PREC_NONE = 0,
    SQL_PREC_OR,
    SQL_PREC_AND,
    SQL_PREC_NOT,
    SQL_PREC_IS,       /* IS, ISNULL, NOTNULL: non-associative */
    SQL_PREC_CMP,      /* < > = <= >= <>: non-associative */
    SQL_PREC_LIKE,     /* BETWEEN IN LIKE ILIKE SIMILAR: non-associative */
    SQL_PREC_ESCAPE,
    SQL_PREC_OP,       /* any other operator */
    SQL_PREC_ADD,
    SQL_PREC_MUL,
    SQL_PREC_EXP,
    SQL_PREC_AT,       /* AT TIME ZONE */
    SQL_PREC_COLLATE,
    SQL_PREC_UMINUS,
    SQL_PREC_TYPECAST,
};

/* ---- tokens (sql_parse.c) ---- */

const sql_token *sql_parse_peek_slow(sql_parser *p, uint32_t n);

static inline const sql_token *p_peek(sql_parser *p, uint32_t n) {
    if (RT_LIKELY(n < p->ring_count)) return &p->ring[(p->ring_head + n) & p->ring_mask];
    return sql_parse_peek_slow(p, n);
}
static inline const sql_token *p_tok(sql_parser *p) { return p_peek(p, 0); }
static inline uint32_t p_kind_at(sql_parser *p, uint32_t n) { return p_peek(p, n)->kind; }
static inline bool p_is(sql_parser *p, uint32_t kind) { return p_tok(p)->kind == kind; }
static inline bool p_is_kw_at(sql_parser *p, uint32_t n, sql_kw kw) {
    const sql_token *t = p_peek(p, n);
    return t->kind == SQL_TOK_KEYWORD && t->kw == kw;
}
static inline bool p_is_kw(sql_parser *p, sql_kw kw) { return p_is_kw_at(p, 0, kw); }
static inline uint32_t p_loc(sql_parser *p) { return p_tok(p)->start; }
/* Consumes the current token; the end of input (or a lexical error) is never passed. */
static inline void p_next(sql_parser *p) {
    const sql_token *t = p_tok(p);
    if (t->kind == SQL_TOK_EOF || t->kind == SQL_TOK_ERROR) return;
    p->prev_end = t->end;
    p->ring_head = (p->ring_head + 1) & p->ring_mask;
    p->ring_count--;
}
static inline bool p_accept(sql_parser *p, uint32_t kind) {
    if (!p_is(p, kind)) return false;
    p_next(p);
    return true;
}
static inline bool p_accept_kw(sql_parser *p, sql_kw kw) {
    if (!p_is_kw(p, kw)) return false;
    p_next(p);
    return true;
}

/* ---- errors (sql_parse.c) ---- */

/* 42601 "syntax error at or near ..." / "at end of input" at token `t`; returns false. */
bool sql_parse_syntax_error(sql_parser *p, const sql_token *t);
/* An error with PostgreSQL's wording at byte `location` (UINT32_MAX: no position). */
bool sql_parse_fail(sql_parser *p, const char *sqlstate, uint32_t location, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 0A000 "<what> is not supported" at `location`. */
bool sql_parse_unsupported(sql_parser *p, uint32_t location, const char *what);
/* The arena's out-of-memory error. */
bool sql_parse_oom(sql_parser *p);

static inline bool p_error(sql_parser *p) { return sql_parse_syntax_error(p, p_tok(p)); }
static inline bool p_expect(sql_parser *p, uint32_t kind) {
    return p_accept(p, kind) || p_error(p);
}
static inline bool p_expect_kw(sql_parser *p, sql_kw kw) {
    return p_accept_kw(p, kw) || p_error(p);
}

/* Nesting guard: 54001 past SQL_PARSE_DEPTH_MAX. Pair every successful enter with leave. */
bool sql_parse_enter(sql_parser *p);
static inline void p_leave(sql_parser *p) { p->depth--; }

/* ---- memory (sql_parse.c) ---- */

void *sql_parse_alloc(sql_parser *p, size_t size);
void *sql_parse_node(sql_parser *p, size_t size, sql_node_kind kind, uint32_t location);
#define P_NODE(p, type, kind, loc) ((type *)sql_parse_node((p), sizeof(type), (kind), (loc)))
char *sql_parse_strndup(sql_parser *p, const char *s, size_t len);
/* The source text of bytes [start, end) (for expr_text, query_text). */
const char *sql_parse_text(sql_parser *p, uint32_t start, uint32_t end);
static inline bool p_push(sql_parser *p, sql_list *list, void *item) {
    return sql_list_push(p->arena, list, item) || sql_parse_oom(p);
}

/* ---- names (sql_parse.c) ---- */

/* Keyword classes as PostgreSQL's grammar uses them (identifiers always qualify). */
bool sql_parse_tok_is_col_id(const sql_token *t);        /* ColId */
bool sql_parse_tok_is_type_func(const sql_token *t);     /* type_function_name */
bool sql_parse_tok_is_col_label(const sql_token *t);     /* ColLabel: any word */
bool sql_parse_tok_is_bare_label(const sql_token *t);    /* BareColLabel */
bool sql_parse_tok_is_nonreserved(const sql_token *t);   /* NonReservedWord */
static inline bool p_is_col_id(sql_parser *p) { return sql_parse_tok_is_col_id(p_tok(p)); }

/* Consume a name of the class, or report a syntax error and return NULL. */
const char *sql_parse_col_id(sql_parser *p);
const char *sql_parse_col_label(sql_parser *p);
const char *sql_parse_type_func_name(sql_parser *p);
const char *sql_parse_nonreserved_word(sql_parser *p);
/* any_name / qualified_name: ColId ('.' ColLabel)*, at most `max_parts` parts. */
bool sql_parse_any_name(sql_parser *p, sql_name *out, uint32_t max_parts);
/* '(' name [, name ...] ')' of ColIds into a list of const char*. */
bool sql_parse_name_list_paren(sql_parser *p, sql_list *out);
bool sql_parse_name_list(sql_parser *p, sql_list *out);
/* Sconst: a string literal's decoded text. */
const char *sql_parse_sconst(sql_parser *p);
/* NonReservedWord or Sconst (SET values, option words). */
const char *sql_parse_word_or_sconst(sql_parser *p);
/* SignedIconst / NumericOnly: an integer or numeric constant with an optional sign. */
bool sql_parse_signed_int(sql_parser *p, int64_t *out);
sql_node *sql_parse_numeric_only(sql_parser *p);
/* A qualified operator: Op, math op, or OPERATOR(schema.op). */
bool sql_parse_qual_op(sql_parser *p, const char **name, const char **schema);

/* ---- expressions (sql_parse_expr.c) ---- */

sql_node *sql_parse_expr(sql_parser *p);                           /* a_expr */
sql_node *sql_parse_bexpr(sql_parser *p);                          /* b_expr */
sql_node *sql_parse_expr_prec(sql_parser *p, int min_prec, bool bexpr);
sql_node *sql_parse_c_expr(sql_parser *p);                         /* primary with indirection */
bool sql_parse_expr_list(sql_parser *p, sql_list *out);
sql_node *sql_parse_const_int(sql_parser *p, int64_t value, uint32_t location);
sql_node *sql_parse_const_str(sql_parser *p, const char *text, uint32_t location);
/* A function call after its name, at '(' (aggregate syntax included when `windowed`). */
sql_func *sql_parse_func_call(sql_parser *p, const sql_name *name, uint32_t location,
                              bool windowed);
/* EXTRACT(..), SUBSTRING(..), TRIM(..), COALESCE(..) and the rest of PostgreSQL's function
 * syntax that is not a plain call (sql_parse_func.c). */
bool sql_parse_special_func_starts(sql_parser *p);
sql_node *sql_parse_special_func(sql_parser *p);
/* A window specification at '(' (OVER (...) / WINDOW w AS (...)). */
sql_windowdef *sql_parse_window_spec(sql_parser *p);

/* What a '(' held: a query, or expressions (one or more, comma-separated). */
typedef struct sql_paren {
    sql_select *select;
    sql_node *expr;   /* the single expression, or an implicit ROW of several */
    sql_list list;
    uint32_t location;
} sql_paren;
bool sql_parse_paren(sql_parser *p, sql_paren *out);

/* ---- types (sql_parse_type.c) ---- */

sql_typename *sql_parse_type(sql_parser *p);         /* Typename, with array bounds */
sql_typename *sql_parse_simple_type(sql_parser *p);  /* SimpleTypename */
/* A typed literal's type when the current keyword starts one (INT '1', DOUBLE PRECISION '1',
 * TIMESTAMP(3) WITH TIME ZONE '...', INTERVAL '1' DAY): true if it does. */
bool sql_parse_const_type_starts(sql_parser *p);
sql_typename *sql_parse_const_type(sql_parser *p);
/* INTERVAL's field qualifier (YEAR TO MONTH, SECOND(3), ...) after the literal, if any. */
bool sql_parse_interval_fields(sql_parser *p, sql_typename *type);
sql_typename *sql_parse_typename_from_name(sql_parser *p, const sql_name *name,
                                           uint32_t location);

/* ---- queries (sql_parse_select.c) ---- */

/* SELECT, VALUES, TABLE, WITH ... SELECT or a parenthesized query, with ORDER BY, LIMIT... */
sql_select *sql_parse_select(sql_parser *p);
/* The rest of a query whose first operand (a parenthesized query) is parsed already. */
sql_select *sql_parse_select_continue(sql_parser *p, sql_select *first);
/* True if token n starts a query: SELECT, VALUES, WITH or TABLE. */
bool sql_parse_starts_select(sql_parser *p, uint32_t n);
/* True if the token continues a query after its first operand (UNION, ORDER BY, LIMIT...). */
bool sql_parse_continues_select(sql_parser *p);
sql_with *sql_parse_with(sql_parser *p);
bool sql_parse_target_list(sql_parser *p, sql_list *out);
bool sql_parse_from_list(sql_parser *p, sql_list *out);
bool sql_parse_sort_list(sql_parser *p, sql_list *out, bool near_ok);
/* relation_expr: [ONLY] qualified_name [*] */
sql_rangevar *sql_parse_relation(sql_parser *p);
/* [AS] alias [(cols)]; with `need_as`, only the AS form. */
bool sql_parse_alias(sql_parser *p, const char **alias, sql_list *cols, bool need_as);
/* WHERE a_expr, or nothing. */
bool sql_parse_where(sql_parser *p, sql_node **out);
/* A statement that may follow WITH: SELECT / INSERT / UPDATE / DELETE (with attached). */
sql_node *sql_parse_preparable(sql_parser *p);
/* SELECT/INSERT/UPDATE/DELETE/VALUES and friends as a sub-statement (EXPLAIN, PREPARE...). */
bool sql_parse_starts_preparable(sql_parser *p);

/* ---- DML (sql_parse_dml.c) ---- */

sql_node *sql_parse_insert(sql_parser *p, sql_with *with, uint32_t location);
sql_node *sql_parse_update(sql_parser *p, sql_with *with, uint32_t location);
sql_node *sql_parse_delete(sql_parser *p, sql_with *with, uint32_t location);
bool sql_parse_index_elems(sql_parser *p, sql_list *out);

/* ---- DDL (sql_parse_create.c, sql_parse_ddl.c, sql_parse_alter.c) ---- */

sql_node *sql_parse_create(sql_parser *p);
sql_node *sql_parse_drop(sql_parser *p);
sql_node *sql_parse_alter(sql_parser *p);
sql_node *sql_parse_truncate(sql_parser *p);
sql_node *sql_parse_comment(sql_parser *p);
/* name [= value] options in parentheses: WITH (...), EXPLAIN (...), COPY (...). */
bool sql_parse_defelem_list(sql_parser *p, sql_list *out);
sql_defelem *sql_parse_defelem_new(sql_parser *p, const char *name, sql_node *value,
                                   uint32_t location);
/* A bare word as an option or SET value: a one-part column reference naming `word`. */
sql_node *sql_parse_word_ref(sql_parser *p, const char *word, uint32_t location);
/* The option value forms (def_arg): type, reserved word, operator, number, string, NONE. */
sql_node *sql_parse_def_arg(sql_parser *p, const char **word);
bool sql_parse_seq_options(sql_parser *p, sql_list *out, bool parens);
sql_columndef *sql_parse_column_def(sql_parser *p);
/* A column definition's COLLATE and constraints (also CREATE / ALTER DOMAIN's). */
bool sql_parse_column_constraints(sql_parser *p, sql_columndef *col);
sql_node *sql_parse_alter_domain(sql_parser *p, uint32_t location);
/* A composite type's CREATE TYPE name AS (at the '(') and ALTER TYPE name's attribute actions
 * (after the name), sql_parse_ctype.c. */
sql_node *sql_parse_create_composite(sql_parser *p, const sql_name *name, uint32_t location);
sql_node *sql_parse_alter_composite(sql_parser *p, uint32_t location, const sql_name *name);
sql_constraint *sql_parse_table_constraint(sql_parser *p);
bool sql_parse_role_options(sql_parser *p, sql_list *out, bool alter);
sql_node *sql_parse_create_role(sql_parser *p, uint32_t location, bool is_user);

/* ---- utility and session statements (sql_parse_util.c, sql_parse_session.c) ---- */

sql_node *sql_parse_transaction(sql_parser *p);
sql_node *sql_parse_set(sql_parser *p);
sql_node *sql_parse_reset(sql_parser *p);
sql_node *sql_parse_show(sql_parser *p);
sql_node *sql_parse_prepare(sql_parser *p);
sql_node *sql_parse_execute(sql_parser *p);
sql_node *sql_parse_deallocate(sql_parser *p);
sql_node *sql_parse_declare(sql_parser *p);
sql_node *sql_parse_fetch(sql_parser *p);
sql_node *sql_parse_close(sql_parser *p);
sql_node *sql_parse_explain(sql_parser *p);
sql_node *sql_parse_analyze(sql_parser *p);
sql_node *sql_parse_vacuum(sql_parser *p);
sql_node *sql_parse_reindex(sql_parser *p);
sql_node *sql_parse_copy(sql_parser *p);
sql_node *sql_parse_listen(sql_parser *p);
sql_node *sql_parse_unlisten(sql_parser *p);
sql_node *sql_parse_notify(sql_parser *p);
sql_node *sql_parse_discard(sql_parser *p);
sql_node *sql_parse_lock(sql_parser *p);
sql_node *sql_parse_grant(sql_parser *p);
sql_node *sql_parse_do(sql_parser *p);

/* One statement (the dispatcher, sql_parse.c); used by EXPLAIN, PREPARE, CREATE SCHEMA. */
sql_node *sql_parse_stmt(sql_parser *p);

#endif
