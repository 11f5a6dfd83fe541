/* sql_fn_regexp.c: PostgreSQL 15's regular expression operators and functions on top of
 * sql_fn_regex.c: ~ !~ ~* !~* (text, name, char(n)), substring(s from pattern) and the SQL
 * regex substring(s similar pattern escape e), regexp_match, regexp_matches and
 * regexp_split_to_table (set-returning), regexp_split_to_array, regexp_replace, regexp_count,
 * regexp_instr and regexp_substr. Positions count characters.
 * Patterns: when the pattern (and flags) are constants, prepare parses the flags at bind time
 * and warms this shard's cache; a kernel then looks the pattern up once per batch. Varying
 * patterns are looked up again only when they differ from the previous row's. An invalid
 * constant pattern is reported when a row needs it, as PostgreSQL does. */
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_fn_string_int.h"
#include "sql/sql_funcs_int.h"

#define SQL_STR_KERNEL(name)                                                                  \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

/* ---- which argument is what ---- */

/* The flags argument of a regexp function with `nargs` arguments, or -1. */
static int sql_rx_flags_arg(const char *name, uint32_t nargs, const uint32_t *types) {
    if (name[0] == '~' || name[0] == '!') return -1;
    if (strcmp(name, "regexp_replace") == 0) {
        return nargs == 6 ? 5 : (nargs == 4 && types[3] == SQL_T_TEXT) ? 3 : -1;
    }
    if (strcmp(name, "regexp_count") == 0) return nargs == 4 ? 3 : -1;
    if (strcmp(name, "regexp_instr") == 0) return nargs >= 6 ? 5 : -1;
    if (strcmp(name, "regexp_substr") == 0) return nargs >= 5 ? 4 : -1;
    return nargs == 3 ? 2 : -1; /* regexp_match(es), regexp_split_to_array/table */
}

/* Options an operator implies: ~* and !~* fold case. */
static uint32_t sql_rx_base_opts(const char *name) {
    return strchr(name, '*') != NULL ? SQL_RE_ICASE : 0;
}

/* regexp_replace and regexp_matches take the g flag; the others name themselves in the error.
 * Not inlined: with a constant name the compiler would fold (and warn about) the compares. */
static __attribute__((noinline)) bool sql_rx_allows_global(const char *name) {
    return strcmp(name, "regexp_replace") == 0 || strcmp(name, "regexp_matches") == 0;
}

/* ---- patterns per batch ---- */

typedef struct sql_rx_src {
    const sql_re_const *k;     /* constant pattern and options (prepare), or NULL */
    const sql_regex *re;       /* the compiled pattern of the previous row */
    sql_bytes pat;             /* its text */
    uint32_t re_opts;          /* and options */
    bool have_re;
    sql_bytes flags;           /* the previous row's flags argument */
    uint32_t flag_opts;        /* and what it means */
    bool have_flags;
    const char *fn;
    bool allow_global;
} sql_rx_src;

static void sql_rx_src_init(sql_rx_src *src, const sql_re_const *k, const char *name) {
    memset(src, 0, sizeof *src);
    src->k = k;
    src->fn = name;
    src->allow_global = sql_rx_allows_global(name);
}

/* The compiled pattern of row i and its options; NULL with f->err set. */
static const sql_regex *sql_rx_row(sql_fctx *f, sql_rx_src *src, sql_bytes pat,
                                   const sql_bytes *flags, uint32_t base, uint32_t *opts) {
    if (src->k != NULL) {
        pat = src->k->pattern;
        *opts = src->k->opts;
    } else if (flags != NULL) {
        if (!src->have_flags || flags->len != src->flags.len ||
            (flags->len > 0 && memcmp(flags->ptr, src->flags.ptr, flags->len) != 0)) {
            if (!sql_re_flags_parse(f, *flags, src->fn, src->allow_global, &src->flag_opts)) {
                return NULL;
            }
            src->flags = *flags;
            src->have_flags = true;
        }
        *opts = src->flag_opts | base;
    } else {
        *opts = base;
    }
    if (src->have_re && pat.len == src->pat.len && *opts == src->re_opts &&
        (pat.ptr == src->pat.ptr || memcmp(pat.ptr, src->pat.ptr, pat.len) == 0)) {
        return src->re;
    }
    const sql_regex *re = sql_re_get(f, pat, *opts);
    if (re == NULL) return NULL;
    src->re = re;
    src->pat = pat;
    src->re_opts = *opts;
    src->have_re = true;
    return re;
}

/* Bind time: a constant pattern (and flags) becomes call state; failures are left for the
 * rows to report. */
static bool sql_rx_prepare(rt_arena *arena, sql_expr *call, rt_err *err) {
    (void)err;
    const sql_func_def *d = call->func.def;
    const sql_expr *pe = call->args[1];
    if (pe->kind != SQL_X_CONST || pe->constval.is_null) return true;
    int fi = sql_rx_flags_arg(d->name, call->nargs, d->args);
    rt_err local;
    rt_err_clear(&local);
    sql_fctx f = {.arena = arena, .err = &local, .call = call};
    uint32_t opts = sql_rx_base_opts(d->name);
    if (fi >= 0) {
        const sql_expr *fe = call->args[fi];
        if (fe->kind != SQL_X_CONST || fe->constval.is_null) return true;
        bool allow = sql_rx_allows_global(d->name);
        if (!sql_re_flags_parse(&f, fe->constval.b, d->name, allow, &opts)) return true;
        opts |= sql_rx_base_opts(d->name);
    }
    if (!sql_re_check(arena, &local, pe->constval.b, opts)) return true;
    sql_re_const *k = rt_arena_alloc(arena, sizeof *k);
    if (k == NULL) return true;
    *k = (sql_re_const){.pattern = pe->constval.b, .opts = opts};
    call->func.state = k;
    return true;
}

static const sql_re_const *sql_rx_state(const sql_fctx *f) {
    return f->call != NULL ? (const sql_re_const *)f->call->func.state : NULL;
}

/* ---- helpers ---- */

/* Next match at or after *search (its groups too when `groups`); moves *search on by
 * PostgreSQL's rule (one character past an empty match). 1 found, 0 none, -1 error. */
static int sql_rx_next(sql_fctx *f, const sql_regex *re, sql_bytes s, uint32_t *search,
                       bool groups, sql_re_match *m) {
    if (*search > s.len) return 0;
    int r = sql_re_exec(f, re, s.ptr, s.len, *search, groups, m);
    if (r <= 0) return r;
    *search = (uint32_t)m->eo[0];
    if (m->so[0] == m->eo[0]) *search += *search < s.len ? sql_utf8_seq_len(s.ptr[*search]) : 1;
    return 1;
}

/* Byte offset of 1-based character position `start`; s.len + 1 when past the end. */
static uint32_t sql_rx_start_offset(sql_bytes s, int64_t start) {
    uint32_t off = 0;
    int64_t k = start - 1;
    while (k > 0 && off < s.len) {
        off += sql_utf8_seq_len(s.ptr[off]);
        k--;
    }
    return k > 0 ? s.len + 1 : off;
}

static bool sql_rx_bad_param(sql_fctx *f, const char *param, int64_t v) {
    return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "invalid value for parameter \"%s\": %lld", param, (long long)v);
}

static bool sql_rx_oom(sql_fctx *f) { return rt_arena_fail(f->arena, f->err); }

/* The array regexp_match returns: the captures (NULL where unset), or the whole match. */
static bool sql_rx_match_array(sql_fctx *f, const sql_regex *re, sql_bytes s,
                               const sql_re_match *m, sql_bytes *out) {
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, SQL_T_TEXT)) return sql_rx_oom(f);
    uint32_t groups = sql_re_groups(re);
    for (uint32_t k = groups > 0 ? 1 : 0; k <= groups; k++) {
        sql_value v = {.type_oid = SQL_T_TEXT, .is_null = m->so[k] < 0};
        if (!v.is_null) v.b = (sql_bytes){s.ptr + m->so[k], (uint32_t)(m->eo[k] - m->so[k])};
        if (!sql_array_builder_add(&b, &v)) return sql_rx_oom(f);
    }
    int32_t dims[1] = {(int32_t)b.count}, lbs[1] = {1};
    return sql_array_builder_finish_dims(&b, 1, dims, lbs, out, f->err);
}

/* ---- ~ !~ ~* !~* ---- */

static bool sql_rx_op(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                      sql_vec *out, bool negate) {
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), "~");
    uint32_t base = sql_rx_base_opts(f->call->func.def->name), opts;
    SQL_FOR_ACTIVE(i) {
        const sql_regex *re = sql_rx_row(f, &src, args[1]->b[i], NULL, base, &opts);
        if (re == NULL) return false;
        int r = sql_re_test(f, re, args[0]->b[i].ptr, args[0]->b[i].len);
        if (r < 0) return false;
        out->i64[i] = (r == 1) != negate;
    }
    return true;
}

SQL_STR_KERNEL(sql_rx_eq) { return sql_rx_op(f, n, active, args, out, false); }
SQL_STR_KERNEL(sql_rx_ne) { return sql_rx_op(f, n, active, args, out, true); }

/* ---- substring ---- */

/* The first capture of the first match (the whole match without captures), or NULL. */
static bool sql_rx_substring_row(sql_fctx *f, const sql_regex *re, sql_bytes s, sql_vec *out,
                                 uint32_t i, sql_re_match *m) {
    uint32_t k = sql_re_groups(re) > 0 ? 1 : 0;
    int r = sql_re_exec(f, re, s.ptr, s.len, 0, k > 0, m);
    if (r < 0) return false;
    if (r == 0 || m->so[k] < 0) {
        out->nulls[i] = 1;
        return true;
    }
    return sql_fn_text(f, out, i, s.ptr + m->so[k], (uint32_t)(m->eo[k] - m->so[k]));
}

SQL_STR_KERNEL(sql_rx_substring) {
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), "substring");
    sql_re_match m;
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        const sql_regex *re = sql_rx_row(f, &src, args[1]->b[i], NULL, 0, &opts);
        if (re == NULL || !sql_rx_substring_row(f, re, args[0]->b[i], out, i, &m)) return false;
    }
    return true;
}

/* substring(s similar pattern escape e): the pattern through similar_to_escape. */
SQL_STR_KERNEL(sql_rx_substring_similar) {
    sql_rx_src src;
    sql_rx_src_init(&src, NULL, "substring");
    sql_re_match m;
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    sql_bytes prev_pat = {NULL, 0}, prev_esc = {NULL, 0}, rx = {NULL, 0};
    bool have = false;
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        sql_bytes pat = args[1]->b[i], esc = args[2]->b[i];
        if (!have || pat.len != prev_pat.len || esc.len != prev_esc.len ||
            memcmp(pat.ptr, prev_pat.ptr, pat.len) != 0 ||
            memcmp(esc.ptr, prev_esc.ptr, esc.len) != 0) {
            sql_strbuf_init(&sb, f->arena, pat.len * 2u + 16u);
            if (!sql_similar_translate(f, pat, &esc, &sb)) return false;
            rx = (sql_bytes){(const uint8_t *)sb.data, sb.len};
            prev_pat = pat;
            prev_esc = esc;
            have = true;
        }
        const sql_regex *re = sql_rx_row(f, &src, rx, NULL, 0, &opts);
        if (re == NULL || !sql_rx_substring_row(f, re, args[0]->b[i], out, i, &m)) return false;
    }
    return true;
}

/* ---- regexp_match ---- */

SQL_STR_KERNEL(sql_rx_match) {
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), "regexp_match");
    sql_re_match m;
    bool has_flags = f->call->nargs > 2;
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        const sql_regex *re = sql_rx_row(f, &src, args[1]->b[i],
                                         has_flags ? &args[2]->b[i] : NULL, 0, &opts);
        if (re == NULL) return false;
        sql_bytes s = args[0]->b[i];
        int r = sql_re_exec(f, re, s.ptr, s.len, 0, true, &m);
        if (r < 0) return false;
        if (r == 0) {
            out->nulls[i] = 1;
            continue;
        }
        if (!sql_rx_match_array(f, re, s, &m, &out->b[i])) return false;
    }
    return true;
}

/* ---- regexp_replace ---- */

/* Appends the replacement text with \1..\9 (captures), \& (the match) and \\ expanded. */
static void sql_rx_put_replacement(sql_bytes s, sql_bytes r, const sql_re_match *m,
                                   uint32_t groups, sql_strbuf *sb) {
    for (uint32_t k = 0; k < r.len; k++) {
        uint8_t c = r.ptr[k];
        if (c != '\\' || k + 1 >= r.len) {
            sql_strbuf_putc(sb, (char)c);
            continue;
        }
        uint8_t d = r.ptr[k + 1];
        int g = d == '&' ? 0 : (d >= '1' && d <= '9') ? d - '0' : -1;
        if (g < 0) {
            sql_strbuf_putc(sb, '\\');
            if (d == '\\') k++;
            continue;
        }
        k++;
        if ((uint32_t)g <= groups && m->so[g] >= 0) {
            sql_strbuf_append(sb, s.ptr + m->so[g], (uint32_t)(m->eo[g] - m->so[g]));
        }
    }
}

/* Does a replacement text refer to groups (\1 to \9)? */
static bool sql_rx_names_groups(sql_bytes r) {
    for (uint32_t k = 0; k + 1 < r.len; k++) {
        if (r.ptr[k] == '\\' && r.ptr[k + 1] >= '1' && r.ptr[k + 1] <= '9') return true;
        if (r.ptr[k] == '\\') k++;
    }
    return false;
}

typedef struct sql_rx_replace {
    const sql_regex *re;
    sql_bytes s, repl;
    bool groups;        /* the replacement names groups (\1..\9) */
    uint32_t start;     /* byte offset where the search begins */
    int64_t nth;        /* replace only the nth match; 0 = all */
} sql_rx_replace;

static bool sql_rx_replace_row(sql_fctx *f, const sql_rx_replace *rp, sql_strbuf *sb,
                               sql_re_match *m) {
    uint32_t data_pos = 0, search = rp->start;
    int64_t count = 0;
    for (;;) {
        int r = sql_rx_next(f, rp->re, rp->s, &search, rp->groups, m);
        if (r < 0) return false;
        if (r == 0) break;
        if (rp->nth > 0 && ++count < rp->nth) continue;
        sql_strbuf_append(sb, rp->s.ptr + data_pos, (uint32_t)m->so[0] - data_pos);
        sql_rx_put_replacement(rp->s, rp->repl, m, sql_re_groups(rp->re), sb);
        data_pos = (uint32_t)m->eo[0];
        if (rp->nth > 0) break;
    }
    sql_strbuf_append(sb, rp->s.ptr + data_pos, rp->s.len - data_pos);
    return sb->failed ? sql_rx_oom(f) : true;
}

/* regexp_replace(s, p, r [, flags]) and (s, p, r, start [, n [, flags]]). */
SQL_STR_KERNEL(sql_rx_replace_k) {
    uint32_t nargs = f->call->nargs;
    int fi = nargs == 6 ? 5 : (nargs == 4 && args[3]->type_oid == SQL_T_TEXT) ? 3 : -1;
    bool has_start = nargs >= 4 && args[3]->type_oid != SQL_T_TEXT, has_n = nargs >= 5;
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), "regexp_replace");
    sql_re_match m;
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        int64_t start = has_start ? args[3]->i64[i] : 1, nth = has_n ? args[4]->i64[i] : 1;
        if (start <= 0) return sql_rx_bad_param(f, "start", start);
        if (nth < 0) return sql_rx_bad_param(f, "n", nth);
        sql_rx_replace rp = {.s = args[0]->b[i], .repl = args[2]->b[i], .nth = nth};
        rp.re = sql_rx_row(f, &src, args[1]->b[i], fi >= 0 ? &args[fi]->b[i] : NULL, 0, &opts);
        if (rp.re == NULL) return false;
        if ((opts & SQL_RE_GLOBAL) && !has_n) rp.nth = 0;
        rp.start = sql_rx_start_offset(rp.s, start);
        rp.groups = sql_rx_names_groups(rp.repl);
        sql_strbuf_reset(&sb);
        if (!sql_rx_replace_row(f, &rp, &sb, &m)) return false;
        if (!sql_fn_text(f, out, i, sb.data, sb.len)) return false;
    }
    return true;
}

/* ---- regexp_count, regexp_instr, regexp_substr ---- */

/* The nth match at or after character `start` (1-based): 1 found (in *m), 0 none, -1 error. */
static int sql_rx_nth(sql_fctx *f, const sql_regex *re, sql_bytes s, int64_t start, int64_t nth,
                      bool groups, sql_re_match *m) {
    uint32_t search = sql_rx_start_offset(s, start);
    for (int64_t k = 0; k < nth; k++) {
        int r = sql_rx_next(f, re, s, &search, groups && k + 1 == nth, m);
        if (r <= 0) return r;
    }
    return 1;
}

SQL_STR_KERNEL(sql_rx_count) {
    bool has_start = f->call->nargs > 2, has_flags = f->call->nargs > 3;
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), "regexp_count");
    sql_re_match m;
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        int64_t start = has_start ? args[2]->i64[i] : 1;
        if (start <= 0) return sql_rx_bad_param(f, "start", start);
        const sql_regex *re = sql_rx_row(f, &src, args[1]->b[i],
                                         has_flags ? &args[3]->b[i] : NULL, 0, &opts);
        if (re == NULL) return false;
        sql_bytes s = args[0]->b[i];
        uint32_t search = sql_rx_start_offset(s, start);
        int64_t count = 0;
        int r;
        while ((r = sql_rx_next(f, re, s, &search, false, &m)) > 0) count++;
        if (r < 0) return false;
        out->i64[i] = count;
    }
    return true;
}

/* The optional integer arguments of regexp_instr / regexp_substr, checked. */
typedef struct sql_rx_pos_args {
    int64_t start, nth, endoption, subexpr;
} sql_rx_pos_args;

static bool sql_rx_pos_args_get(sql_fctx *f, sql_vec **args, uint32_t i, bool instr,
                                sql_rx_pos_args *a) {
    uint32_t nargs = f->call->nargs;
    a->start = nargs > 2 ? args[2]->i64[i] : 1;
    a->nth = nargs > 3 ? args[3]->i64[i] : 1;
    a->endoption = instr && nargs > 4 ? args[4]->i64[i] : 0;
    uint32_t sub_at = instr ? 6 : 5;
    a->subexpr = nargs > sub_at ? args[sub_at]->i64[i] : 0;
    if (a->start <= 0) return sql_rx_bad_param(f, "start", a->start);
    if (a->nth <= 0) return sql_rx_bad_param(f, "n", a->nth);
    if (a->endoption != 0 && a->endoption != 1) {
        return sql_rx_bad_param(f, "endoption", a->endoption);
    }
    if (a->subexpr < 0) return sql_rx_bad_param(f, "subexpr", a->subexpr);
    return true;
}

static bool sql_rx_instr_substr(sql_fctx *f, uint32_t n, const uint8_t *active,
                                sql_vec **args, sql_vec *out, bool instr) {
    const char *fn = instr ? "regexp_instr" : "regexp_substr";
    int fi = sql_rx_flags_arg(fn, f->call->nargs, NULL);
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), fn);
    sql_re_match m;
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        sql_rx_pos_args a;
        if (!sql_rx_pos_args_get(f, args, i, instr, &a)) return false;
        const sql_regex *re = sql_rx_row(f, &src, args[1]->b[i],
                                         fi >= 0 ? &args[fi]->b[i] : NULL, 0, &opts);
        if (re == NULL) return false;
        sql_bytes s = args[0]->b[i];
        int r = sql_rx_nth(f, re, s, a.start, a.nth, a.subexpr > 0, &m);
        if (r < 0) return false;
        bool none = r == 0 || a.subexpr > sql_re_groups(re) || m.so[a.subexpr] < 0;
        int32_t so = none ? 0 : m.so[a.subexpr], eo = none ? 0 : m.eo[a.subexpr];
        if (instr) {
            out->i64[i] = none ? 0 : 1 + sql_utf8_chars(s.ptr, (uint32_t)(a.endoption ? eo : so));
        } else if (none) {
            out->nulls[i] = 1;
        } else if (!sql_fn_text(f, out, i, s.ptr + so, (uint32_t)(eo - so))) {
            return false;
        }
    }
    return true;
}

SQL_STR_KERNEL(sql_rx_instr) { return sql_rx_instr_substr(f, n, active, args, out, true); }
SQL_STR_KERNEL(sql_rx_substr) { return sql_rx_instr_substr(f, n, active, args, out, false); }

/* ---- splitting ---- */

/* The fields of s between the matches of re, as PostgreSQL splits: a match that is empty at
 * the very end, or empty right after the previous one, does not split. Calls `field` for
 * each in order. */
typedef bool (*sql_rx_field_fn)(void *ctx, sql_bytes field);

static bool sql_rx_split(sql_fctx *f, const sql_regex *re, sql_bytes s, sql_rx_field_fn field,
                         void *ctx) {
    sql_re_match m;
    uint32_t search = 0, prev_end = 0, field_start = 0;
    for (;;) {
        int r = sql_rx_next(f, re, s, &search, false, &m);
        if (r < 0) return false;
        if (r == 0) break;
        uint32_t so = (uint32_t)m.so[0], eo = (uint32_t)m.eo[0];
        if (so < s.len && eo > prev_end) {
            if (!field(ctx, (sql_bytes){s.ptr + field_start, so - field_start})) return false;
            field_start = eo;
        }
        prev_end = eo;
    }
    return field(ctx, (sql_bytes){s.ptr + field_start, s.len - field_start});
}

static bool sql_rx_field_to_array(void *ctx, sql_bytes field) {
    sql_value v = {.type_oid = SQL_T_TEXT, .is_null = false, .b = field};
    return sql_array_builder_add(ctx, &v);
}

SQL_STR_KERNEL(sql_rx_split_to_array) {
    sql_rx_src src;
    sql_rx_src_init(&src, sql_rx_state(f), "regexp_split_to_array");
    bool has_flags = f->call->nargs > 2;
    uint32_t opts;
    SQL_FOR_ACTIVE(i) {
        const sql_regex *re = sql_rx_row(f, &src, args[1]->b[i],
                                         has_flags ? &args[2]->b[i] : NULL, 0, &opts);
        if (re == NULL) return false;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, SQL_T_TEXT)) return sql_rx_oom(f);
        if (!sql_rx_split(f, re, args[0]->b[i], sql_rx_field_to_array, &b)) {
            return rt_err_is_set(f->err) ? false : sql_rx_oom(f);
        }
        int32_t dims[1] = {(int32_t)b.count}, lbs[1] = {1};
        if (!sql_array_builder_finish_dims(&b, 1, dims, lbs, &out->b[i], f->err)) return false;
    }
    return true;
}

/* ---- set-returning forms ---- */

/* The compiled pattern of a set-returning call (arguments already non-NULL). */
static const sql_regex *sql_rx_srf_pattern(sql_fctx *f, const char *fn, const sql_value *args,
                                           uint32_t nargs, uint32_t *opts) {
    *opts = 0;
    if (nargs > 2 && !sql_re_flags_parse(f, args[2].b, fn, sql_rx_allows_global(fn), opts)) {
        return NULL;
    }
    return sql_re_get(f, args[1].b, *opts);
}

static bool sql_rx_matches_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                               struct sql_rowset *out) {
    sql_fctx f = {.arena = x->arena, .err = x->err};
    uint32_t opts;
    const sql_regex *re = sql_rx_srf_pattern(&f, "regexp_matches", args, nargs, &opts);
    if (re == NULL) return false;
    sql_bytes s = args[0].b;
    sql_re_match m;
    uint32_t search = 0;
    for (;;) {
        int r = sql_rx_next(&f, re, s, &search, true, &m);
        if (r < 0) return false;
        if (r == 0) break;
        sql_value row = {.type_oid = SQL_T_TEXT_ARRAY, .is_null = false};
        if (!sql_rx_match_array(&f, re, s, &m, &row.b)) return false;
        if (!sql_rowset_add_values(out, &row)) return sql_rx_oom(&f);
        if (!(opts & SQL_RE_GLOBAL)) break;
    }
    return true;
}

typedef struct sql_rx_table_ctx {
    sql_rowset *out;
} sql_rx_table_ctx;

static bool sql_rx_field_to_row(void *ctx, sql_bytes field) {
    sql_value row = {.type_oid = SQL_T_TEXT, .is_null = false, .b = field};
    return sql_rowset_add_values(((sql_rx_table_ctx *)ctx)->out, &row);
}

static bool sql_rx_split_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                             struct sql_rowset *out) {
    sql_fctx f = {.arena = x->arena, .err = x->err};
    uint32_t opts;
    const sql_regex *re = sql_rx_srf_pattern(&f, "regexp_split_to_table", args, nargs, &opts);
    if (re == NULL) return false;
    sql_rx_table_ctx ctx = {.out = out};
    if (sql_rx_split(&f, re, args[0].b, sql_rx_field_to_row, &ctx)) return true;
    return rt_err_is_set(x->err) ? false : sql_rx_oom(&f);
}

/* ---- registration ---- */

#define T SQL_T_TEXT
#define I4 SQL_T_INT4
#define TA SQL_T_TEXT_ARRAY
#define ST SQL_F_STRICT
#define RX(nm, r, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,          \
                           .args = {__VA_ARGS__}, .ret = r, .flags = SQL_F_STRICT, .fn = k,     \
                           .prepare = sql_rx_prepare}
#define RX_OP(sym, l, k, neg, pro)                                                            \
    {.name = sym, .is_operator = true, .nargs = 2, .args = {l, T}, .ret = SQL_T_BOOL,        \
     .flags = SQL_F_STRICT, .fn = k, .prepare = sql_rx_prepare, .negator = neg, .proname = pro}
#define RX_SRF(nm, r, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,      \
                               .args = {__VA_ARGS__}, .ret = r,                                \
                               .flags = SQL_F_STRICT | SQL_F_SRF, .fn = sql_func_srf_scalar,     \
                               .srf = k}

static const sql_func_def sql_regexp_defs[] = {
    RX_OP("~", T, sql_rx_eq, "!~", "textregexeq"),
    RX_OP("!~", T, sql_rx_ne, "~", "textregexne"),
    RX_OP("~*", T, sql_rx_eq, "!~*", "texticregexeq"),
    RX_OP("!~*", T, sql_rx_ne, "~*", "texticregexne"),
    RX_OP("~", SQL_T_NAME, sql_rx_eq, "!~", "nameregexeq"),
    RX_OP("!~", SQL_T_NAME, sql_rx_ne, "~", "nameregexne"),
    RX_OP("~*", SQL_T_NAME, sql_rx_eq, "!~*", "nameicregexeq"),
    RX_OP("!~*", SQL_T_NAME, sql_rx_ne, "~*", "nameicregexne"),
    RX_OP("~", SQL_T_BPCHAR, sql_rx_eq, "!~", "bpcharregexeq"),
    RX_OP("!~", SQL_T_BPCHAR, sql_rx_ne, "~", "bpcharregexne"),
    RX_OP("~*", SQL_T_BPCHAR, sql_rx_eq, "!~*", "bpcharicregexeq"),
    RX_OP("!~*", SQL_T_BPCHAR, sql_rx_ne, "~*", "bpcharicregexne"),
    RX("textregexeq", SQL_T_BOOL, sql_rx_eq, T, T),
    RX("textregexne", SQL_T_BOOL, sql_rx_ne, T, T),
    RX("substring", T, sql_rx_substring, T, T),
    {.name = "substring", .nargs = 3, .args = {T, T, T}, .ret = T, .flags = SQL_F_STRICT,
     .fn = sql_rx_substring_similar},
    RX("regexp_match", TA, sql_rx_match, T, T), RX("regexp_match", TA, sql_rx_match, T, T, T),
    RX_SRF("regexp_matches", TA, sql_rx_matches_srf, T, T),
    RX_SRF("regexp_matches", TA, sql_rx_matches_srf, T, T, T),
    RX("regexp_split_to_array", TA, sql_rx_split_to_array, T, T),
    RX("regexp_split_to_array", TA, sql_rx_split_to_array, T, T, T),
    RX_SRF("regexp_split_to_table", T, sql_rx_split_srf, T, T),
    RX_SRF("regexp_split_to_table", T, sql_rx_split_srf, T, T, T),
    RX("regexp_replace", T, sql_rx_replace_k, T, T, T),
    RX("regexp_replace", T, sql_rx_replace_k, T, T, T, T),
    RX("regexp_replace", T, sql_rx_replace_k, T, T, T, I4),
    RX("regexp_replace", T, sql_rx_replace_k, T, T, T, I4, I4),
    RX("regexp_replace", T, sql_rx_replace_k, T, T, T, I4, I4, T),
    RX("regexp_count", I4, sql_rx_count, T, T), RX("regexp_count", I4, sql_rx_count, T, T, I4),
    RX("regexp_count", I4, sql_rx_count, T, T, I4, T),
    RX("regexp_instr", I4, sql_rx_instr, T, T), RX("regexp_instr", I4, sql_rx_instr, T, T, I4),
    RX("regexp_instr", I4, sql_rx_instr, T, T, I4, I4),
    RX("regexp_instr", I4, sql_rx_instr, T, T, I4, I4, I4),
    RX("regexp_instr", I4, sql_rx_instr, T, T, I4, I4, I4, T),
    RX("regexp_instr", I4, sql_rx_instr, T, T, I4, I4, I4, T, I4),
    RX("regexp_substr", T, sql_rx_substr, T, T), RX("regexp_substr", T, sql_rx_substr, T, T, I4),
    RX("regexp_substr", T, sql_rx_substr, T, T, I4, I4),
    RX("regexp_substr", T, sql_rx_substr, T, T, I4, I4, T),
    RX("regexp_substr", T, sql_rx_substr, T, T, I4, I4, T, I4),
};

void sql_fn_regexp_register(void) {
    sql_funcs_register(sql_regexp_defs, sizeof sql_regexp_defs / sizeof sql_regexp_defs[0]);
}
