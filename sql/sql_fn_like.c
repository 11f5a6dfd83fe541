/* sql_fn_like.c: LIKE and ILIKE as PostgreSQL's operators ~~ !~~ ~~* !~~* (text, name, char(n)
 * with its padding, and bytea), like_escape() for LIKE ... ESCAPE, and similar_to_escape() that
 * turns SIMILAR TO's pattern into a POSIX regular expression.
 * Matching walks the pattern once with a single backtracking point (the last %), so deep
 * patterns never recurse. ILIKE folds ASCII letters only (LC_CTYPE=C). A constant pattern is
 * analysed at bind time: exact, prefix, suffix and infix patterns compare bytes directly. */
#include <string.h>

#include "sql/sql_fn_string_int.h"

#define SQL_STR_KERNEL(name)                                                                  \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

static bool sql_like_trailing_escape(rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                      "LIKE pattern must not end with escape character");
}

static inline bool sql_like_eq(uint8_t a, uint8_t b, bool icase) {
    return a == b || (icase && sql_ascii_lower(a) == sql_ascii_lower(b));
}

typedef struct sql_like_in {
    const uint8_t *t, *p;
    uint32_t tlen, plen;
    bool icase;
    bool bytes;      /* bytea: _ is one byte */
} sql_like_in;

static inline uint32_t sql_like_step(const sql_like_in *in, uint32_t t) {
    return in->bytes ? 1 : sql_utf8_seq_len(in->t[t]);
}

/* Skips a run of % and _ at *p (the first byte is %); each _ takes one character of text.
 * Returns false when the text runs out (no match possible). */
static bool sql_like_skip_run(const sql_like_in *in, uint32_t *p, uint32_t *t) {
    while (*p < in->plen && (in->p[*p] == '%' || in->p[*p] == '_')) {
        if (in->p[*p] == '_') {
            if (*t >= in->tlen) return false;
            *t += sql_like_step(in, *t);
        }
        (*p)++;
    }
    return true;
}

/* 1 match, 0 no match, -1 error (a pattern ending in the escape character is an error when
 * matching reaches it with text left, as in PostgreSQL). */
static int sql_like_match(const sql_like_in *in, rt_err *err) {
    uint32_t t = 0, p = 0, star_p = UINT32_MAX, star_t = 0;
    while (t < in->tlen) {
        if (p < in->plen && in->p[p] == '%') {
            if (!sql_like_skip_run(in, &p, &t)) return 0;
            if (p == in->plen) return 1;
            if (in->p[p] == '\\' && p + 1 == in->plen) return sql_like_trailing_escape(err) - 1;
            star_p = p;
            star_t = t;
            continue;
        }
        if (p < in->plen && in->p[p] == '_') {
            t += sql_like_step(in, t);
            p++;
            continue;
        }
        if (p < in->plen) {
            uint32_t lit = p;
            if (in->p[p] == '\\') {
                if (p + 1 == in->plen) return sql_like_trailing_escape(err) - 1;
                lit = p + 1;
            }
            if (sql_like_eq(in->p[lit], in->t[t], in->icase)) {
                p = lit + 1;
                t++;
                continue;
            }
        }
        if (star_p == UINT32_MAX) return 0; /* mismatch, or pattern done with text left */
        star_t += sql_like_step(in, star_t);
        if (star_t >= in->tlen) return 0;
        t = star_t;
        p = star_p;
    }
    while (p < in->plen && in->p[p] == '%') p++;
    return p == in->plen;
}

/* ---- constant patterns ---- */

typedef enum sql_like_kind { LIKE_GENERAL, LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX, LIKE_INFIX }
    sql_like_kind;

typedef struct sql_like_const {
    sql_like_kind kind;
    sql_bytes lit;     /* the literal part, escapes removed */
} sql_like_const;

/* Recognises lit, lit%, %lit and %lit% (lit without _ and with well-formed escapes). */
static sql_like_kind sql_like_classify(rt_arena *arena, sql_bytes pat, sql_bytes *lit) {
    uint32_t a = 0, b = pat.len;
    bool lead = a < b && pat.ptr[a] == '%';
    if (lead) a++;
    bool trail = b > a && pat.ptr[b - 1] == '%' && (b - 1 == a || pat.ptr[b - 2] != '\\');
    if (trail) b--;
    uint8_t *q = rt_arena_alloc(arena, pat.len + 1u);
    if (q == NULL) return LIKE_GENERAL;
    uint32_t w = 0;
    for (uint32_t k = a; k < b; k++) {
        uint8_t c = pat.ptr[k];
        if (c == '%' || c == '_') return LIKE_GENERAL;
        if (c == '\\') {
            /* an escaped backslash right before a trailing % makes that % a wildcard again */
            if (++k >= b) return LIKE_GENERAL;
            c = pat.ptr[k];
        }
        q[w++] = c;
    }
    *lit = (sql_bytes){.ptr = q, .len = w};
    return lead ? (trail ? LIKE_INFIX : LIKE_SUFFIX) : (trail ? LIKE_PREFIX : LIKE_EXACT);
}

static bool sql_like_prepare(rt_arena *arena, sql_expr *call, rt_err *err) {
    (void)err;
    const sql_expr *pe = call->args[1];
    if (pe->kind != SQL_X_CONST || pe->constval.is_null) return true;
    sql_like_const *c = rt_arena_alloc(arena, sizeof *c);
    if (c == NULL) return true; /* the general path still works */
    c->kind = sql_like_classify(arena, pe->constval.b, &c->lit);
    if (c->kind != LIKE_GENERAL) call->func.state = c;
    return true;
}

static bool sql_like_const_match(const sql_like_const *c, sql_bytes s) {
    sql_bytes l = c->lit;
    switch (c->kind) {
    case LIKE_EXACT: return s.len == l.len && (l.len == 0 || memcmp(s.ptr, l.ptr, l.len) == 0);
    case LIKE_PREFIX: return s.len >= l.len && (l.len == 0 || memcmp(s.ptr, l.ptr, l.len) == 0);
    case LIKE_SUFFIX:
        return s.len >= l.len && (l.len == 0 || memcmp(s.ptr + s.len - l.len, l.ptr, l.len) == 0);
    case LIKE_INFIX: return l.len == 0 || memmem(s.ptr, s.len, l.ptr, l.len) != NULL;
    case LIKE_GENERAL: break;
    }
    return false;
}

static bool sql_like_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out, bool icase, bool negate) {
    const sql_like_const *c = icase ? NULL : (const sql_like_const *)f->call->func.state;
    bool bytes = args[0]->type_oid == SQL_T_BYTEA;
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i];
        int r;
        if (c != NULL) {
            r = sql_like_const_match(c, s);
        } else {
            sql_like_in in = {.t = s.ptr, .tlen = s.len, .p = args[1]->b[i].ptr,
                              .plen = args[1]->b[i].len, .icase = icase, .bytes = bytes};
            if ((r = sql_like_match(&in, f->err)) < 0) return false;
        }
        out->i64[i] = (r == 1) != negate;
    }
    return true;
}

SQL_STR_KERNEL(sql_like_k) { return sql_like_kernel(f, n, active, args, out, false, false); }
SQL_STR_KERNEL(sql_notlike_k) { return sql_like_kernel(f, n, active, args, out, false, true); }
SQL_STR_KERNEL(sql_ilike_k) { return sql_like_kernel(f, n, active, args, out, true, false); }
SQL_STR_KERNEL(sql_notilike_k) { return sql_like_kernel(f, n, active, args, out, true, true); }

/* ---- like_escape ---- */

static bool sql_escape_string_error(rt_err *err) {
    rt_err_set(err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
    rt_err_hint(err, "Escape string must be empty or one character.");
    return false;
}

/* Rewrites pattern p with escape character e (empty: none) into the backslash form LIKE reads:
 * e becomes \, a backslash that e escapes stays one, any other backslash is doubled. */
static bool sql_like_escape_row(sql_fctx *f, sql_vec *out, uint32_t i, sql_bytes p, sql_bytes e,
                                bool bytes) {
    if (bytes ? e.len > 1 : sql_utf8_chars(e.ptr, e.len) > 1) {
        return sql_escape_string_error(f->err);
    }
    uint8_t *q = sql_str_alloc(f, (uint64_t)p.len * 2);
    if (q == NULL) return false;
    uint32_t w = 0;
    bool after_escape = false;
    for (uint32_t k = 0; k < p.len;) {
        uint32_t cl = bytes ? 1 : sql_utf8_seq_len(p.ptr[k]);
        if (e.len > 0 && !after_escape && cl == e.len && memcmp(p.ptr + k, e.ptr, cl) == 0) {
            q[w++] = '\\';
            after_escape = true;
        } else if (p.ptr[k] == '\\') {
            q[w++] = '\\';
            if (!after_escape) q[w++] = '\\';
            after_escape = false;
        } else {
            memcpy(q + w, p.ptr + k, cl);
            w += cl;
            after_escape = false;
        }
        k += cl;
    }
    sql_str_set(out, i, q, w);
    return true;
}

SQL_STR_KERNEL(sql_like_escape_k) {
    bool bytes = args[0]->type_oid == SQL_T_BYTEA;
    SQL_FOR_ACTIVE(i) {
        if (!sql_like_escape_row(f, out, i, args[0]->b[i], args[1]->b[i], bytes)) return false;
    }
    return true;
}

/* ---- similar_to_escape ---- */

typedef struct sql_similar_state {
    uint32_t class_depth;   /* inside [...]: nesting of brackets ([[:alpha:]] is two) */
    bool class_start;       /* right after [ or [^: a ] is literal there */
    uint32_t quotes;        /* escape-double-quote separators seen */
} sql_similar_state;

/* An escaped character: the separators of a SQL-regex substring, else the character itself
 * escaped for the regular expression. */
static bool sql_similar_escaped(sql_fctx *f, sql_similar_state *st, const uint8_t *c,
                                uint32_t cl, sql_strbuf *out) {
    if (cl == 1 && c[0] == '"' && st->class_depth == 0) {
        if (st->quotes >= 2) {
            return rt_err_set(f->err, SQLSTATE_INVALID_USE_OF_ESCAPE_CHARACTER,
                              "SQL regular expression may not contain more than two "
                              "escape-double-quote separators");
        }
        sql_strbuf_puts(out, st->quotes++ == 0 ? "){1,1}?(" : "){1,1}(?:");
        return true;
    }
    sql_strbuf_putc(out, '\\');
    sql_strbuf_append(out, c, cl);
    st->class_start = false;
    return true;
}

/* One unescaped character inside a bracket expression. */
static void sql_similar_in_class(sql_similar_state *st, const uint8_t *c, uint32_t cl,
                                 sql_strbuf *out) {
    if (c[0] == '\\') sql_strbuf_putc(out, '\\');
    sql_strbuf_append(out, c, cl);
    if (c[0] == '^' && st->class_start) return;
    if (c[0] == ']' && !st->class_start) st->class_depth--;
    else if (c[0] == '[') st->class_depth++;
    st->class_start = false;
}

static void sql_similar_plain(sql_similar_state *st, const uint8_t *c, uint32_t cl,
                              sql_strbuf *out) {
    switch (c[0]) {
    case '[':
        sql_strbuf_putc(out, '[');
        st->class_depth = 1;
        st->class_start = true;
        return;
    case '%': sql_strbuf_puts(out, ".*"); return;
    case '_': sql_strbuf_putc(out, '.'); return;
    case '(': sql_strbuf_puts(out, "(?:"); return;
    case '\\': case '.': case '^': case '$': sql_strbuf_putc(out, '\\'); break;
    default: break;
    }
    sql_strbuf_append(out, c, cl);
}

bool sql_similar_translate(sql_fctx *f, sql_bytes pat, const sql_bytes *esc, sql_strbuf *out) {
    static const uint8_t backslash = '\\';
    sql_bytes e = esc != NULL ? *esc : (sql_bytes){.ptr = &backslash, .len = 1};
    if (sql_utf8_chars(e.ptr, e.len) > 1) return sql_escape_string_error(f->err);
    sql_similar_state st = {0, false, 0};
    bool after_escape = false;
    sql_strbuf_puts(out, "^(?:");
    for (uint32_t k = 0; k < pat.len;) {
        const uint8_t *c = pat.ptr + k;
        uint32_t cl = sql_utf8_seq_len(c[0]);
        k += cl;
        if (after_escape) {
            after_escape = false;
            if (!sql_similar_escaped(f, &st, c, cl, out)) return false;
        } else if (e.len > 0 && cl == e.len && memcmp(c, e.ptr, cl) == 0) {
            after_escape = true;
        } else if (st.class_depth > 0) {
            sql_similar_in_class(&st, c, cl, out);
        } else {
            sql_similar_plain(&st, c, cl, out);
        }
    }
    sql_strbuf_puts(out, ")$");
    return out->failed ? rt_arena_fail(f->arena, f->err) : true;
}

SQL_STR_KERNEL(sql_similar_to_escape_k) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    bool has_escape = f->call->nargs > 1;
    SQL_FOR_ACTIVE(i) {
        sql_strbuf_reset(&sb);
        if (!sql_similar_translate(f, args[0]->b[i], has_escape ? &args[1]->b[i] : NULL, &sb)) {
            return false;
        }
        if (!sql_fn_text(f, out, i, sb.data, sb.len)) return false;
    }
    return true;
}

/* ---- registration ---- */

#define T SQL_T_TEXT
#define ST SQL_F_STRICT
#define LIKE_OP(sym, l, r, k, neg, pro)                                                       \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {l, r}, .ret = SQL_T_BOOL,        \
     .flags = ST, .fn = k, .prepare = sql_like_prepare, .negator = neg, .proname = pro}

#define LIKE_FN(nm, k, prep) {.name = nm, .nargs = 2, .args = {T, T}, .ret = SQL_T_BOOL,      \
                             .flags = ST, .fn = k, .prepare = prep}

static const sql_func_def sql_like_defs[] = {
    LIKE_OP("~~", T, T, sql_like_k, "!~~", "textlike"),
    LIKE_OP("!~~", T, T, sql_notlike_k, "~~", "textnlike"),
    LIKE_OP("~~*", T, T, sql_ilike_k, "!~~*", "texticlike"),
    LIKE_OP("!~~*", T, T, sql_notilike_k, "~~*", "texticnlike"),
    LIKE_OP("~~", SQL_T_NAME, T, sql_like_k, "!~~", "namelike"),
    LIKE_OP("!~~", SQL_T_NAME, T, sql_notlike_k, "~~", "namenlike"),
    LIKE_OP("~~*", SQL_T_NAME, T, sql_ilike_k, "!~~*", "nameiclike"),
    LIKE_OP("!~~*", SQL_T_NAME, T, sql_notilike_k, "~~*", "nameicnlike"),
    LIKE_OP("~~", SQL_T_BPCHAR, T, sql_like_k, "!~~", "bpcharlike"),
    LIKE_OP("!~~", SQL_T_BPCHAR, T, sql_notlike_k, "~~", "bpcharnlike"),
    LIKE_OP("~~*", SQL_T_BPCHAR, T, sql_ilike_k, "!~~*", "bpchariclike"),
    LIKE_OP("!~~*", SQL_T_BPCHAR, T, sql_notilike_k, "~~*", "bpcharicnlike"),
    LIKE_OP("~~", SQL_T_BYTEA, SQL_T_BYTEA, sql_like_k, "!~~", "bytealike"),
    LIKE_OP("!~~", SQL_T_BYTEA, SQL_T_BYTEA, sql_notlike_k, "~~", "byteanlike"),
    LIKE_FN("like", sql_like_k, sql_like_prepare),
    LIKE_FN("textlike", sql_like_k, sql_like_prepare),
    LIKE_FN("notlike", sql_notlike_k, sql_like_prepare),
    LIKE_FN("textnlike", sql_notlike_k, sql_like_prepare),
    LIKE_FN("texticlike", sql_ilike_k, NULL), LIKE_FN("texticnlike", sql_notilike_k, NULL),
    {.name = "like_escape", .nargs = 2, .args = {T, T}, .ret = T, .flags = ST,
     .fn = sql_like_escape_k},
    {.name = "like_escape", .nargs = 2, .args = {SQL_T_BYTEA, SQL_T_BYTEA}, .ret = SQL_T_BYTEA,
     .flags = ST, .fn = sql_like_escape_k},
    {.name = "similar_to_escape", .nargs = 1, .args = {T}, .ret = T, .flags = ST,
     .fn = sql_similar_to_escape_k},
    {.name = "similar_to_escape", .nargs = 2, .args = {T, T}, .ret = T, .flags = ST,
     .fn = sql_similar_to_escape_k},
};

void sql_fn_like_register(void) {
    sql_funcs_register(sql_like_defs, sizeof sql_like_defs / sizeof sql_like_defs[0]);
}
