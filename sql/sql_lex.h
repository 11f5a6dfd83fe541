/* sql_lex.h: the lexer of Dreambase's PostgreSQL dialect, and its keyword table.
 * Owns:    nothing; a token's text lives in the arena given to sql_lex_init() (identifiers,
 *          decoded strings, operators) or is static (keywords).
 * Core:    any; the keyword hash is built once before main() and only read afterwards.
 * Memory:  one arena bump per identifier, string or operator token, never malloc.
 * Errors:  PostgreSQL 15's lexical errors with its wording and 1-based character position:
 *          42601 unterminated quoted string / identifier / comment / dollar-quoted string /
 *          bit string, zero-length delimited identifier, trailing junk after numeric literal or
 *          parameter, U&'' escape errors; 22025 invalid Unicode escape in E''; 22021 invalid
 *          byte sequence for encoding "UTF8" (E'' octal/hex escapes making bad UTF-8, a NUL
 *          byte). The text itself is checked as a whole by sql_lex_check_encoding() first
 *          (sql_parse() does), as PostgreSQL checks a query string before parsing it.
 * Rules:   PostgreSQL's: unquoted identifiers fold ASCII to lower case and are truncated to
 *          SQL_IDENT_BYTES_MAX bytes; standard_conforming_strings is on; adjacent '' literals
 *          separated by a newline are one literal; an operator loses trailing '+'/'-' unless it
 *          contains one of ~ ! @ # % ^ & | ` ?; numbers in 0x/0o/0b or with '_' are junk (15).
 * Limits:  SQL_IDENT_BYTES_MAX (sql_ast.h), SQL_LEX_OP_BYTES_MAX. */
#ifndef SQL_LEX_H
#define SQL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_kwlist.h"

/* PostgreSQL refuses operators of NAMEDATALEN (64) bytes or more: they could not be named. */
#define SQL_LEX_OP_BYTES_MAX 63

/* ---- keywords ---- */

/* How reserved a keyword is, which decides where it can still serve as a name. */
typedef enum sql_kw_category {
    SQL_KWCAT_UNRESERVED = 0, /* a name anywhere */
    SQL_KWCAT_COL_NAME,       /* a column/table name, not a function or type name */
    SQL_KWCAT_TYPE_FUNC_NAME, /* a function or type name, not a column/table name */
    SQL_KWCAT_RESERVED,       /* only after AS or a '.', or quoted */
} sql_kw_category;

typedef enum sql_kw {
    SQL_KW_INVALID = 0, /* not a keyword */
#define SQL_KW_ENUM(id, word, category, bare) SQL_KW_##id,
    SQL_KEYWORD_LIST(SQL_KW_ENUM)
#undef SQL_KW_ENUM
    SQL_KW_COUNT
} sql_kw;

typedef struct sql_keyword {
    const char *word; /* lower case */
    uint8_t len;
    uint8_t category;  /* sql_kw_category */
    bool bare_label;   /* may be a column alias without AS */
} sql_keyword;

/* The keyword spelled by `len` bytes of `word` (any case), or SQL_KW_INVALID. */
sql_kw sql_keyword_lookup(const char *word, size_t len);
/* The entry of a keyword (kw != SQL_KW_INVALID). */
const sql_keyword *sql_keyword_get(sql_kw kw);

/* ---- tokens ---- */

/* Kinds 1..127 are single-character tokens, the character itself:
 * ( ) [ ] , ; : . + - * / % ^ < > = and any other ASCII punctuation (a syntax error later). */
typedef enum sql_tok_kind {
    SQL_TOK_EOF = 0,
    SQL_TOK_IDENT = 256,    /* identifier (not a keyword, or quoted): str = folded name */
    SQL_TOK_KEYWORD,        /* kw set; str = the keyword in lower case */
    SQL_TOK_SCONST,         /* '..', E'..', $$..$$, U&'..': str/str_len = decoded bytes */
    SQL_TOK_BCONST,         /* B'101': str = "101" (digits unchecked) */
    SQL_TOK_XCONST,         /* X'1F': str = "x1F" (digits unchecked) */
    SQL_TOK_ICONST,         /* digits that fit int64: ival; str = the digits */
    SQL_TOK_FCONST,         /* other numbers: str = the number as written */
    SQL_TOK_PARAM,          /* $n: ival = n */
    SQL_TOK_OP,             /* other operator: str = its text */
    SQL_TOK_TYPECAST,       /* :: */
    SQL_TOK_DOT_DOT,        /* .. */
    SQL_TOK_COLON_EQUALS,   /* := */
    SQL_TOK_EQUALS_GREATER, /* => */
    SQL_TOK_LESS_EQUALS,    /* <= */
    SQL_TOK_GREATER_EQUALS, /* >= */
    SQL_TOK_NOT_EQUALS,     /* <> or != (both named "<>") */
    SQL_TOK_ERROR,          /* the parser's marker of a token that failed to lex */
} sql_tok_kind;

typedef struct sql_token {
    uint16_t kind;     /* sql_tok_kind, or the character for single-character tokens */
    uint16_t kw;       /* sql_kw when kind == SQL_TOK_KEYWORD */
    uint32_t start;    /* byte span [start, end) of the token in the input */
    uint32_t end;
    uint32_t str_len;
    const char *str;   /* NUL-terminated; see the kinds */
    int64_t ival;
    bool quoted;       /* IDENT written in double quotes (never a keyword) */
} sql_token;

typedef struct sql_lexer {
    const char *src;
    uint32_t len;
    uint32_t pos;
    rt_arena *arena;
} sql_lexer;

/* `src` need not be NUL-terminated; tokens point into `arena`. */
void sql_lex_init(sql_lexer *lx, rt_arena *arena, const char *src, uint32_t len);
/* The next token (SQL_TOK_EOF at the end, again and again); false with *err set on a lexical
 * error or when the arena's budget is exhausted. */
bool sql_lex_next(sql_lexer *lx, sql_token *tok, rt_err *err);

/* PostgreSQL's error position of byte `offset` of `src`: 1 + characters before it. */
uint32_t sql_lex_position(const char *src, uint32_t offset);
/* Checks that `len` bytes are UTF-8 without NUL bytes: 22021 as PostgreSQL reports it. */
bool sql_lex_check_encoding(const char *src, uint32_t len, rt_err *err);

#endif
