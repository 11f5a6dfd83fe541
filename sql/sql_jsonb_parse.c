/* sql_jsonb_parse.c: the JSON lexer and parser behind json_in and jsonb_in.
 *
 * The grammar is RFC 8259's; errors are PostgreSQL's: 22P02 "invalid input syntax for type
 * json" with a DETAIL naming the offending token the way PostgreSQL's lexer delimits it (a
 * bad word runs over all letters, digits, '_' and non-ASCII bytes; a bad number continues
 * through the rest of the number's parts). The parser is iterative (an explicit stack of open
 * containers), so nesting costs no C stack; SQL_JSONB_DEPTH_MAX still bounds it because the
 * other jsonb functions recurse.
 *
 * For jsonb, strings are unescaped (surrogate pairs joined, \u0000 refused as PostgreSQL does,
 * since text cannot hold it) and numbers made canonical; the values are collected as jb_nodes
 * and encoded by the caller. For json only the syntax is checked, as in PostgreSQL (a lone
 * surrogate or \u0000 is valid json). */
#include "sql/sql_jsonb_int.h"

#include <stdio.h>

enum {
    TOK_END,
    TOK_LBRACE,
    TOK_RBRACE,
    TOK_LBRACKET,
    TOK_RBRACKET,
    TOK_COMMA,
    TOK_COLON,
    TOK_STRING,
    TOK_NUMBER,
    TOK_TRUE,
    TOK_FALSE,
    TOK_NULL,
};

/* Containers of up to this many values start in a small stack buffer of nodes. */
#define JB_PARSE_NODES_INITIAL 64

typedef struct jb_parser {
    const uint8_t *s;
    uint32_t len;
    uint32_t pos;
    uint8_t tok;
    uint32_t tok_start;
    uint32_t tok_end;
    const uint8_t *str; /* the current string or number token's value (build mode) */
    uint32_t str_len;
    bool build;    /* collect jb_nodes (jsonb) */
    bool unescape; /* give escapes their meaning: surrogates pair up, \u0000 is refused */
    rt_arena *arena;
    rt_err *err;
    /* values of the open containers, innermost last (build mode) */
    jb_node *nodes;
    uint32_t node_count;
    uint32_t node_cap;
} jb_parser;

/* ---- errors ------------------------------------------------------------------------------ */

static bool jb_syntax(jb_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool jb_syntax(jb_parser *p, const char *fmt, ...) {
    rt_err_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
               "invalid input syntax for type json");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->detail, sizeof p->err->detail, fmt, ap);
    va_end(ap);
    return false;
}

static bool jb_invalid_token(jb_parser *p, uint32_t start, uint32_t end) {
    return jb_syntax(p, "Token \"%.*s\" is invalid.", (int)(end - start),
                     (const char *)p->s + start);
}

/* "Expected X, but found "tok"." or, at the end of the input, PostgreSQL's message for that. */
static bool jb_expected(jb_parser *p, const char *what) {
    if (p->tok == TOK_END) return jb_syntax(p, "The input string ended unexpectedly.");
    return jb_syntax(p, "Expected %s, but found \"%.*s\".", what, (int)(p->tok_end - p->tok_start),
                     (const char *)p->s + p->tok_start);
}

/* PostgreSQL's message shows the bytes the lead byte claims (pg_utf_mblen), at most 4. */
static bool jb_bad_utf8(jb_parser *p, uint32_t at) {
    uint8_t c = p->s[at];
    uint32_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
    char hex[32] = "";
    for (uint32_t i = 0; i < n && at + i < p->len; i++) {
        char part[8];
        snprintf(part, sizeof part, i == 0 ? "0x%02x" : " 0x%02x", p->s[at + i]);
        strcat(hex, part);
    }
    return rt_err_set(p->err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                      "invalid byte sequence for encoding \"UTF8\": %s", hex);
}

/* ---- lexer ------------------------------------------------------------------------------- */

/* PostgreSQL's JSON_ALPHANUMERIC_CHAR: what an invalid word is made of. */
static inline bool jb_is_word_char(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 0x80;
}

static inline bool jb_is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

uint32_t jb_utf8_len(const uint8_t *s, uint32_t i, uint32_t len) {
    uint8_t c = s[i];
    uint32_t n;
    uint32_t min;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, min = 0x10000;
    } else {
        return 0;
    }
    if (len - i < n) return 0;
    uint32_t cp = c & (0x7f >> n);
    for (uint32_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

static uint32_t jb_put_utf8(uint8_t *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

static int jb_hex(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The escape at s[i] = '\\' (i + 1 < len). Appends its bytes to out (build mode); returns the
 * input bytes consumed or 0 on error. *high carries a pending high surrogate. */
static uint32_t jb_lex_escape(jb_parser *p, uint32_t i, uint8_t *out, uint32_t *out_len,
                              uint32_t *high) {
    uint8_t c = p->s[i + 1];
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *hit = c != 0 ? strchr(from, c) : NULL;
    if (hit != NULL) {
        if (*high != 0) return jb_syntax(p, "Unicode low surrogate must follow a high surrogate.");
        if (out != NULL) out[(*out_len)++] = (uint8_t)to[hit - from];
        return 2;
    }
    if (c != 'u') {
        uint32_t n = c >= 0x80 ? jb_utf8_len(p->s, i + 1, p->len) : 1;
        return jb_syntax(p, "Escape sequence \"\\%.*s\" is invalid.", (int)(n == 0 ? 1 : n),
                         (const char *)p->s + i + 1);
    }
    uint32_t cp = 0;
    for (uint32_t k = 0; k < 4; k++) {
        int h = i + 2 + k < p->len ? jb_hex(p->s[i + 2 + k]) : -1;
        if (h < 0) return jb_syntax(p, "\"\\u\" must be followed by four hexadecimal digits.");
        cp = (cp << 4) | (uint32_t)h;
    }
    if (!p->unescape) return 6; /* plain json: no meaning is given to the code point */
    if (*high != 0) {
        if (cp >= 0xd800 && cp <= 0xdbff) {
            return jb_syntax(p, "Unicode high surrogate must not follow a high surrogate.");
        }
        if (cp < 0xdc00 || cp > 0xdfff) {
            return jb_syntax(p, "Unicode low surrogate must follow a high surrogate.");
        }
        cp = 0x10000 + ((*high - 0xd800) << 10) + (cp - 0xdc00);
        *high = 0;
    } else if (cp >= 0xd800 && cp <= 0xdbff) {
        *high = cp;
        return 6;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return jb_syntax(p, "Unicode low surrogate must follow a high surrogate.");
    } else if (cp == 0) {
        rt_err_set(p->err, SQLSTATE_UNTRANSLATABLE_CHARACTER,
                   "unsupported Unicode escape sequence");
        rt_err_detail(p->err, "\\u0000 cannot be converted to text.");
        return 0;
    }
    if (out != NULL) *out_len += jb_put_utf8(out + *out_len, cp);
    return 6;
}

/* Index of the closing quote of the string whose bytes start at i, or len if it has none. */
static uint32_t jb_string_end(const jb_parser *p, uint32_t i) {
    while (i < p->len && p->s[i] != '"') i += p->s[i] == '\\' ? 2 : 1;
    return i < p->len ? i : p->len;
}

/* A string token at p->pos ('"'). In build mode its unescaped bytes end up in p->str: the
 * input itself when it has no escapes, else a copy in the arena. */
static bool jb_lex_string(jb_parser *p) {
    uint32_t start = p->pos;
    uint32_t i = start + 1;
    uint8_t *out = NULL;
    uint32_t out_len = 0;
    uint32_t high = 0;
    uint32_t plain_from = i; /* bytes not yet copied to `out` */
    for (;;) {
        if (i >= p->len) return jb_invalid_token(p, start, p->len);
        uint8_t c = p->s[i];
        if (c == '"') break;
        if (c == '\\') {
            if (i + 1 >= p->len) return jb_invalid_token(p, start, p->len);
            if (p->build && out == NULL) {
                /* Unescaped text is never longer than its escaped form. */
                out = rt_arena_alloc(p->arena, jb_string_end(p, i) - start);
                if (out == NULL) return rt_arena_fail(p->arena, p->err);
            }
            if (out != NULL) {
                memcpy(out + out_len, p->s + plain_from, i - plain_from);
                out_len += i - plain_from;
            }
            uint32_t used = jb_lex_escape(p, i, out, &out_len, &high);
            if (used == 0) return false;
            i += used;
            plain_from = i;
            continue;
        }
        if (high != 0) return jb_syntax(p, "Unicode low surrogate must follow a high surrogate.");
        if (c < 0x20) return jb_syntax(p, "Character with value 0x%02x must be escaped.", c);
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t n = jb_utf8_len(p->s, i, p->len);
        if (n == 0) return jb_bad_utf8(p, i);
        i += n;
    }
    if (high != 0) return jb_syntax(p, "Unicode low surrogate must follow a high surrogate.");
    p->tok = TOK_STRING;
    p->tok_start = start;
    p->tok_end = i + 1;
    p->pos = i + 1;
    if (out != NULL) {
        memcpy(out + out_len, p->s + plain_from, i - plain_from);
        out_len += i - plain_from;
        p->str = out;
        p->str_len = out_len;
    } else {
        p->str = p->s + start + 1;
        p->str_len = i - start - 1;
    }
    return true;
}

/* A number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? not followed by a word
 * character. After a malformed part the scan goes on, so the reported token covers the whole
 * would-be number ("-.5", "1.x5"), as PostgreSQL reports it. */
static bool jb_lex_number(jb_parser *p) {
    uint32_t start = p->pos, i = start;
    const uint8_t *s = p->s;
    bool bad = false;
    if (s[i] == '-') i++;
    if (i < p->len && s[i] == '0') {
        i++;
    } else if (i < p->len && s[i] >= '1' && s[i] <= '9') {
        while (i < p->len && jb_is_digit(s[i])) i++;
    } else {
        bad = true;
    }
    if (i < p->len && s[i] == '.') {
        i++;
        if (i == p->len || !jb_is_digit(s[i])) bad = true;
        while (i < p->len && jb_is_digit(s[i])) i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-')) i++;
        if (i == p->len || !jb_is_digit(s[i])) bad = true;
        while (i < p->len && jb_is_digit(s[i])) i++;
    }
    for (; i < p->len && jb_is_word_char(s[i]); i++) bad = true;
    if (bad) return jb_invalid_token(p, start, i);
    p->tok = TOK_NUMBER;
    p->tok_start = start;
    p->tok_end = p->pos = i;
    p->str = s + start;
    p->str_len = i - start;
    return true;
}

static bool jb_lex(jb_parser *p) {
    const uint8_t *s = p->s;
    while (p->pos < p->len &&
           (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r')) {
        p->pos++;
    }
    p->tok_start = p->pos;
    if (p->pos == p->len) {
        p->tok = TOK_END;
        p->tok_end = p->pos;
        return true;
    }
    uint8_t c = s[p->pos];
    static const uint8_t punct_tok[] = {['{'] = TOK_LBRACE, ['}'] = TOK_RBRACE,
                                        ['['] = TOK_LBRACKET, [']'] = TOK_RBRACKET,
                                        [','] = TOK_COMMA, [':'] = TOK_COLON};
    if (c < sizeof punct_tok && punct_tok[c] != 0) {
        p->tok = punct_tok[c];
        p->tok_end = ++p->pos;
        return true;
    }
    if (c == '"') return jb_lex_string(p);
    if (c == '-' || jb_is_digit(c)) return jb_lex_number(p);
    uint32_t end = p->pos;
    while (end < p->len && jb_is_word_char(s[end])) end++;
    if (end == p->pos) return jb_invalid_token(p, p->pos, p->pos + 1); /* a lone symbol */
    uint32_t n = end - p->pos;
    const char *w = (const char *)s + p->pos;
    if (n == 4 && memcmp(w, "true", 4) == 0) {
        p->tok = TOK_TRUE;
    } else if (n == 5 && memcmp(w, "false", 5) == 0) {
        p->tok = TOK_FALSE;
    } else if (n == 4 && memcmp(w, "null", 4) == 0) {
        p->tok = TOK_NULL;
    } else {
        return jb_invalid_token(p, p->pos, end);
    }
    p->tok_end = p->pos = end;
    return true;
}

/* ---- values ------------------------------------------------------------------------------ */

static bool jb_push(jb_parser *p, jb_node node) {
    if (!p->build) return true;
    if (p->node_count == p->node_cap) {
        uint32_t cap = p->node_cap * 2;
        jb_node *grown = rt_arena_alloc(p->arena, sizeof(jb_node) * (size_t)cap);
        if (grown == NULL) return rt_arena_fail(p->arena, p->err);
        memcpy(grown, p->nodes, sizeof(jb_node) * p->node_count);
        p->nodes = grown;
        p->node_cap = cap;
    }
    p->nodes[p->node_count++] = node;
    return true;
}

/* The scalar value of the current token. */
static bool jb_push_scalar(jb_parser *p) {
    if (!p->build) return true;
    switch (p->tok) {
    case TOK_STRING:
        return jb_push(p, jb_node_scalar(JB_STRING, p->str, p->str_len));
    case TOK_NUMBER: {
        sql_bytes num;
        if (!sql_jsonb_number_canonical(p->arena, (const char *)p->str, p->str_len, &num,
                                        p->err)) {
            return false;
        }
        return jb_push(p, jb_node_scalar(JB_NUMBER, num.ptr, num.len));
    }
    case TOK_TRUE:
        return jb_push(p, jb_node_scalar(JB_TRUE, NULL, 0));
    case TOK_FALSE:
        return jb_push(p, jb_node_scalar(JB_FALSE, NULL, 0));
    default:
        return jb_push(p, jb_node_scalar(JB_NULL, NULL, 0));
    }
}

/* Replaces the values from `base` on with one container node holding them. */
static bool jb_close(jb_parser *p, uint32_t base, bool object) {
    if (!p->build) return true;
    uint32_t n = p->node_count - base;
    jb_node node = {.type = object ? JB_NODE_OBJECT : JB_NODE_ARRAY,
                    .len = object ? n / 2 : n};
    if (n > (object ? 2 * SQL_JSONB_COUNT_MAX : SQL_JSONB_COUNT_MAX)) return jb_too_big(p->err);
    node.u.items = rt_arena_alloc(p->arena, sizeof(jb_node) * (size_t)(n == 0 ? 1 : n));
    if (node.u.items == NULL) return rt_arena_fail(p->arena, p->err);
    memcpy(node.u.items, p->nodes + base, sizeof(jb_node) * n);
    p->node_count = base;
    if (object && !jb_node_object_normalize(p->arena, &node, p->err)) return false;
    return jb_push(p, node);
}

/* Open containers: (index of their first value << 1) | is_object. The first levels live in
 * the parser's frame; deeper documents move them to one heap array for the whole limit. */
#define JB_PARSE_FRAMES_INLINE 32

typedef struct jb_stack {
    uint32_t *frames;
    uint32_t depth;
    uint32_t inline_frames[JB_PARSE_FRAMES_INLINE];
} jb_stack;

static bool jb_stack_push(jb_parser *p, jb_stack *st, uint32_t frame) {
    if (st->depth == SQL_JSONB_DEPTH_MAX) return jb_too_deep(p->err);
    if (st->depth == JB_PARSE_FRAMES_INLINE && st->frames == st->inline_frames) {
        uint32_t *heap = rt_malloc(sizeof(uint32_t) * SQL_JSONB_DEPTH_MAX);
        if (heap == NULL) return rt_err_set(p->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        memcpy(heap, st->inline_frames, sizeof st->inline_frames);
        st->frames = heap;
    }
    st->frames[st->depth++] = frame;
    return true;
}

/* After a value: the next token decides between another member, the end of the container
 * (then the same question one level up) or the end of the input. */
static bool jb_after_value(jb_parser *p, jb_stack *st, bool *want_value, bool *done) {
    for (;;) {
        if (!jb_lex(p)) return false;
        if (st->depth == 0) {
            if (p->tok != TOK_END) return jb_expected(p, "end of input");
            *done = true;
            return true;
        }
        uint32_t frame = st->frames[st->depth - 1];
        bool object = (frame & 1) != 0;
        if (p->tok == TOK_COMMA) break;
        if (p->tok != (object ? TOK_RBRACE : TOK_RBRACKET)) {
            return jb_expected(p, object ? "\",\" or \"}\"" : "\",\" or \"]\"");
        }
        st->depth--;
        if (!jb_close(p, frame >> 1, object)) return false;
    }
    bool object = (st->frames[st->depth - 1] & 1) != 0;
    if (!object) {
        *want_value = true;
        return jb_lex(p);
    }
    /* A key must follow the comma. */
    if (!jb_lex(p)) return false;
    if (p->tok != TOK_STRING) return jb_expected(p, "string");
    *want_value = false;
    return true;
}

/* A key is the current token: push it, expect ':' and lex the value's first token. */
static bool jb_key(jb_parser *p) {
    if (!jb_push(p, jb_node_scalar(JB_STRING, p->str, p->str_len))) return false;
    if (!jb_lex(p)) return false;
    if (p->tok != TOK_COLON) return jb_expected(p, "\":\"");
    return jb_lex(p);
}

/* The value whose first token is current. Containers are opened here; a scalar or an empty
 * container completes a value. Sets *complete when a whole value was consumed. */
static bool jb_value(jb_parser *p, jb_stack *st, bool *complete) {
    *complete = false;
    if (p->tok == TOK_LBRACE || p->tok == TOK_LBRACKET) {
        bool object = p->tok == TOK_LBRACE;
        if (!jb_stack_push(p, st, (p->node_count << 1) | (object ? 1u : 0u))) return false;
        if (!jb_lex(p)) return false;
        if (p->tok == (object ? TOK_RBRACE : TOK_RBRACKET)) {
            st->depth--;
            *complete = true;
            return jb_close(p, p->node_count, object);
        }
        if (!object) return true; /* the first element's token is current */
        if (p->tok != TOK_STRING) return jb_expected(p, "string or \"}\"");
        return jb_key(p);
    }
    if (p->tok < TOK_STRING) return jb_expected(p, "JSON value"); /* also TOK_END */
    *complete = true;
    return jb_push_scalar(p);
}

bool jb_parse(rt_arena *arena, const char *text, uint32_t len, jb_parse_mode mode, jb_node *root,
              rt_err *err) {
    RT_ASSERT((mode == JB_PARSE_JSONB) == (root != NULL));
    jb_node initial[JB_PARSE_NODES_INITIAL];
    jb_parser p = {.s = (const uint8_t *)text, .len = len, .build = root != NULL,
                   .unescape = mode != JB_PARSE_JSON, .arena = arena, .err = err,
                   .nodes = initial,
                   .node_cap = JB_PARSE_NODES_INITIAL};
    jb_stack stack;
    jb_stack *st = &stack;
    st->frames = st->inline_frames;
    st->depth = 0;
    bool ok = jb_lex(&p);
    bool done = false;
    while (ok && !done) {
        bool complete;
        ok = jb_value(&p, st, &complete);
        if (!ok || !complete) continue;
        /* A value is complete: move on to what follows it, which may close containers. */
        bool want_value = false;
        ok = jb_after_value(&p, st, &want_value, &done);
        if (ok && !done && !want_value) ok = jb_key(&p);
    }
    if (st->frames != st->inline_frames) rt_free(st->frames);
    if (!ok) return false;
    if (root != NULL) {
        RT_ASSERT(p.node_count == 1);
        *root = p.nodes[0];
    }
    return true;
}

/* ---- entry points ------------------------------------------------------------------------ */

bool sql_json_validate(const char *text, uint32_t len, rt_err *err) {
    return jb_parse(NULL, text, len, JB_PARSE_JSON, NULL, err);
}

bool sql_jsonb_from_text(rt_arena *arena, const char *text, uint32_t len, sql_bytes *out,
                         rt_err *err) {
    jb_node root;
    if (!jb_parse(arena, text, len, JB_PARSE_JSONB, &root, err)) return false;
    return jb_node_encode(arena, &root, out, err);
}

bool sql_jsonb_from_wire(rt_arena *arena, sql_bytes wire, sql_bytes *out, rt_err *err) {
    if (wire.len == 0) {
        return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "insufficient data left in message");
    }
    if (wire.ptr[0] != 1) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "unsupported jsonb version number %d",
                          wire.ptr[0]);
    }
    return sql_jsonb_from_text(arena, (const char *)wire.ptr + 1, wire.len - 1, out, err);
}
