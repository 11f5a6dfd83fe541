/* sql_fn_strfmt.c: PostgreSQL 15's text building and conversion functions: concat, concat_ws,
 * format (%s %I %L %% with positions, widths and the - flag), quote_ident, quote_literal,
 * quote_nullable, to_hex, md5 and the sha2 family (OpenSSL EVP), encode/decode (base64, hex,
 * escape), string_to_array and array_to_string. Values of other types become text through
 * their type's output function, as PostgreSQL's "any" arguments do. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/sql_array.h"
#include "sql/sql_fn_string_int.h"
#include "sql/sql_int.h"

#define SQL_STR_KERNEL(name)                                                                  \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

static bool sql_strfmt_oom(sql_fctx *f) { return rt_arena_fail(f->arena, f->err); }

/* Finishes a row built in `sb`: copies it into a result of its own. */
static bool sql_strfmt_emit(sql_fctx *f, sql_vec *out, uint32_t i, const sql_strbuf *sb) {
    if (sb->failed) return sql_strfmt_oom(f);
    if (sb->len > SQL_VALUE_BYTES_MAX) {
        return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
    }
    return sql_fn_text(f, out, i, sb->data, sb->len);
}

/* ---- concat, concat_ws ---- */

/* Appends the non-NULL arguments from `first` on, `sep` between them (NULL: none). */
static bool sql_strfmt_join_args(sql_fctx *f, sql_vec **args, uint32_t first, uint32_t i,
                                 const sql_bytes *sep, sql_strbuf *sb, sql_strbuf *tmp) {
    bool any = false;
    for (uint32_t a = first; a < f->call->nargs; a++) {
        if (sql_vec_is_null(args[a], i)) continue;
        sql_bytes v;
        if (!sql_str_of_value(f, args[a], i, tmp, &v)) return false;
        if (any && sep != NULL) sql_strbuf_append(sb, sep->ptr, sep->len);
        sql_strbuf_append(sb, v.ptr, v.len);
        any = true;
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_concat) {
    sql_strbuf sb, tmp;
    sql_strbuf_init(&sb, f->arena, 64);
    sql_strbuf_init(&tmp, f->arena, 32);
    SQL_FOR_ACTIVE(i) {
        sql_strbuf_reset(&sb);
        if (!sql_strfmt_join_args(f, args, 0, i, NULL, &sb, &tmp)) return false;
        if (!sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_concat_ws) {
    sql_strbuf sb, tmp;
    sql_strbuf_init(&sb, f->arena, 64);
    sql_strbuf_init(&tmp, f->arena, 32);
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            out->nulls[i] = 1;
            continue;
        }
        sql_strbuf_reset(&sb);
        if (!sql_strfmt_join_args(f, args, 1, i, &args[0]->b[i], &sb, &tmp)) return false;
        if (!sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

/* ---- quoting ---- */

/* PostgreSQL's keywords that are not UNRESERVED (reserved, column-name and type/function-name
 * keywords): quote_ident quotes them. A local table until sql_keyword_is_reserved() (sql_ast.h)
 * is available to this module; sorted for bsearch. */
static const char *const sql_strfmt_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "lateral",
    "leading", "least", "left", "like", "limit", "localtime", "localtimestamp", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
    "position", "precision", "primary", "real", "references", "returning", "right", "row",
    "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim",
    "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};

static int sql_strfmt_keyword_cmp(const void *key, const void *elem) {
    return strcmp((const char *)key, *(const char *const *)elem);
}

static bool sql_strfmt_is_keyword(sql_bytes s) {
    char word[32];
    if (s.len == 0 || s.len >= sizeof word) return false;
    memcpy(word, s.ptr, s.len);
    word[s.len] = '\0';
    return bsearch(word, sql_strfmt_keywords,
                   sizeof sql_strfmt_keywords / sizeof sql_strfmt_keywords[0],
                   sizeof sql_strfmt_keywords[0], sql_strfmt_keyword_cmp) != NULL;
}

/* Appends s as an identifier: bare when it is lower-case letters, digits and underscores not
 * starting with a digit and not a keyword; else in double quotes with quotes doubled. */
static void sql_strfmt_quote_ident(sql_bytes s, sql_strbuf *sb) {
    bool safe = s.len > 0 && ((s.ptr[0] >= 'a' && s.ptr[0] <= 'z') || s.ptr[0] == '_');
    for (uint32_t k = 0; safe && k < s.len; k++) {
        uint8_t c = s.ptr[k];
        safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (safe && !sql_strfmt_is_keyword(s)) {
        sql_strbuf_append(sb, s.ptr, s.len);
        return;
    }
    sql_strbuf_putc(sb, '"');
    for (uint32_t k = 0; k < s.len; k++) {
        if (s.ptr[k] == '"') sql_strbuf_putc(sb, '"');
        sql_strbuf_putc(sb, (char)s.ptr[k]);
    }
    sql_strbuf_putc(sb, '"');
}

/* Appends s as a string literal: quotes and backslashes doubled, E'' when it has backslashes
 * (so that the literal reads back the same whatever standard_conforming_strings says). */
static void sql_strfmt_quote_literal(sql_bytes s, sql_strbuf *sb) {
    if (s.len > 0 && memchr(s.ptr, '\\', s.len) != NULL) sql_strbuf_putc(sb, 'E');
    sql_strbuf_putc(sb, '\'');
    for (uint32_t k = 0; k < s.len; k++) {
        if (s.ptr[k] == '\'' || s.ptr[k] == '\\') sql_strbuf_putc(sb, (char)s.ptr[k]);
        sql_strbuf_putc(sb, (char)s.ptr[k]);
    }
    sql_strbuf_putc(sb, '\'');
}

typedef enum sql_quote_kind { QUOTE_IDENT, QUOTE_LITERAL, QUOTE_NULLABLE } sql_quote_kind;

static bool sql_strfmt_quote(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out, sql_quote_kind kind) {
    sql_strbuf sb, tmp;
    sql_strbuf_init(&sb, f->arena, 64);
    sql_strbuf_init(&tmp, f->arena, 32);
    SQL_FOR_ACTIVE(i) {
        sql_strbuf_reset(&sb);
        if (sql_vec_is_null(args[0], i)) { /* quote_nullable only: the others are strict */
            sql_strbuf_puts(&sb, "NULL");
        } else {
            sql_bytes v;
            if (!sql_str_cast_text(f, args[0], i, &tmp, &v)) return false;
            if (kind == QUOTE_IDENT) sql_strfmt_quote_ident(v, &sb);
            else sql_strfmt_quote_literal(v, &sb);
        }
        if (!sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_quote_ident_k) {
    return sql_strfmt_quote(f, n, active, args, out, QUOTE_IDENT);
}
SQL_STR_KERNEL(sql_strfmt_quote_literal_k) {
    return sql_strfmt_quote(f, n, active, args, out, QUOTE_LITERAL);
}
SQL_STR_KERNEL(sql_strfmt_quote_nullable_k) {
    return sql_strfmt_quote(f, n, active, args, out, QUOTE_NULLABLE);
}

/* ---- format() ---- */

typedef struct sql_fmt_spec {
    int32_t argpos;      /* 1-based value argument, 0 = the next one */
    int32_t widthpos;    /* 1-based width argument, 0 = none, -1 = the next one (`*`) */
    int64_t width;       /* a literal width; negative means left-justify */
    bool left;           /* the - flag */
    uint8_t type;        /* s, I or L */
} sql_fmt_spec;

static bool sql_fmt_error(sql_fctx *f, const char *sqlstate, const char *msg, bool hint) {
    rt_err_set(f->err, sqlstate, "%s", msg);
    if (hint) rt_err_hint(f->err, "For a single \"%%\" use \"%%%%\".");
    return false;
}

static bool sql_fmt_unterminated(sql_fctx *f) {
    return sql_fmt_error(f, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "unterminated format() type specifier", true);
}

/* Reads decimal digits at *p (if any): false with 22003 past INT32_MAX. */
static bool sql_fmt_number(sql_fctx *f, sql_bytes s, uint32_t *p, int64_t *value,
                           bool *found) {
    *found = false;
    *value = 0;
    while (*p < s.len && s.ptr[*p] >= '0' && s.ptr[*p] <= '9') {
        *value = *value * 10 + (s.ptr[*p] - '0');
        if (*value > INT32_MAX) {
            return sql_fmt_error(f, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "number is out of range",
                                 false);
        }
        (*p)++;
        *found = true;
    }
    return true;
}

/* A width given as `*` or `*n$` (after the star). */
static bool sql_fmt_star(sql_fctx *f, sql_bytes s, uint32_t *p, sql_fmt_spec *spec) {
    int64_t num;
    bool found;
    spec->widthpos = -1;
    if (!sql_fmt_number(f, s, p, &num, &found)) return false;
    if (!found) return true;
    if (*p >= s.len) return sql_fmt_unterminated(f);
    if (s.ptr[*p] != '$') {
        return sql_fmt_error(f, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "width argument position must be ended by \"$\"", false);
    }
    (*p)++;
    if (num == 0) {
        return sql_fmt_error(f, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "format specifies argument 0, but arguments are numbered from 1",
                             false);
    }
    spec->widthpos = (int32_t)num;
    return true;
}

/* Parses one specifier after its '%' (not "%%"): [n$][-...][width|*|*n$]type. */
static bool sql_fmt_parse(sql_fctx *f, sql_bytes s, uint32_t *p, sql_fmt_spec *spec) {
    memset(spec, 0, sizeof *spec);
    int64_t num;
    bool found;
    if (!sql_fmt_number(f, s, p, &num, &found)) return false;
    if (*p >= s.len) return sql_fmt_unterminated(f);
    if (found && s.ptr[*p] == '$') {
        (*p)++;
        if (num == 0) {
            return sql_fmt_error(f, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "format specifies argument 0, but arguments are numbered from 1",
                                 false);
        }
        spec->argpos = (int32_t)num;
        found = false;
    }
    if (!found) {
        while (*p < s.len && s.ptr[*p] == '-') {
            spec->left = true;
            (*p)++;
        }
        if (*p < s.len && s.ptr[*p] == '*') {
            (*p)++;
            if (!sql_fmt_star(f, s, p, spec)) return false;
        } else if (!sql_fmt_number(f, s, p, &num, &found)) {
            return false;
        }
    }
    spec->width = num;
    if (*p >= s.len) return sql_fmt_unterminated(f);
    spec->type = s.ptr[(*p)++];
    if (spec->type != 's' && spec->type != 'I' && spec->type != 'L') {
        uint32_t cl = sql_utf8_seq_len(spec->type);
        rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "unrecognized format() type specifier \"%.*s\"", (int)cl, s.ptr + *p - 1);
        rt_err_hint(f->err, "For a single \"%%\" use \"%%%%\".");
        return false;
    }
    return true;
}

typedef struct sql_fmt_row {
    sql_fctx *f;
    sql_vec **args;       /* args[0] is the format string */
    uint32_t nvals;       /* arguments after it */
    uint32_t row;
    uint32_t next;        /* 1-based argument the next plain specifier takes */
    sql_strbuf *tmp;
} sql_fmt_row;

static bool sql_fmt_too_few(sql_fctx *f) {
    return sql_fmt_error(f, SQLSTATE_INVALID_PARAMETER_VALUE, "too few arguments for format()",
                         false);
}

/* The width argument's value as int4 (NULL: 0), converted like PostgreSQL through int4. */
static bool sql_fmt_width_arg(sql_fmt_row *r, uint32_t pos, int64_t *width) {
    const sql_vec *v = r->args[pos];
    *width = 0;
    if (sql_vec_is_null(v, r->row)) return true;
    if (v->phys == SQL_PHYS_I64 && sql_type_is_integer(v->type_oid)) {
        *width = v->i64[r->row];
        if (*width >= INT32_MIN && *width <= INT32_MAX) return true;
    }
    sql_bytes text;
    if (!sql_str_of_value(r->f, v, r->row, r->tmp, &text)) return false;
    int32_t w;
    if (!sql_int4_from_text((const char *)text.ptr, text.len, &w, r->f->err)) return false;
    *width = w;
    return true;
}

/* Appends value v for specifier spec, padded to `width` characters. */
static bool sql_fmt_value(sql_fmt_row *r, const sql_fmt_spec *spec, uint32_t pos, int64_t width,
                          sql_strbuf *sb) {
    const sql_vec *v = r->args[pos];
    bool null = sql_vec_is_null(v, r->row);
    uint32_t start = sb->len;
    sql_bytes text = {.ptr = NULL, .len = 0};
    if (!null && !sql_str_of_value(r->f, v, r->row, r->tmp, &text)) return false;
    if (spec->type == 's') {
        if (!null) sql_strbuf_append(sb, text.ptr, text.len);
    } else if (spec->type == 'I') {
        if (null) {
            return sql_fmt_error(r->f, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                                 "null values cannot be formatted as an SQL identifier", false);
        }
        sql_strfmt_quote_ident(text, sb);
    } else if (null) {
        sql_strbuf_puts(sb, "NULL");
    } else {
        sql_strfmt_quote_literal(text, sb);
    }
    bool left = spec->left || width < 0;
    uint64_t target = width < 0 ? (uint64_t)-width : (uint64_t)width;
    if (sb->failed) return sql_strfmt_oom(r->f);
    uint32_t chars = sql_utf8_chars((const uint8_t *)sb->data + start, sb->len - start);
    if (chars >= target) return true;
    uint32_t pad = (uint32_t)(target - chars), len = sb->len - start;
    if (!sql_strbuf_reserve(sb, pad)) return sql_strfmt_oom(r->f);
    if (!left) memmove(sb->data + start + pad, sb->data + start, len);
    memset(sb->data + (left ? start + len : start), ' ', pad);
    sb->len += pad;
    return true;
}

/* Formats one specifier: takes its width and value arguments. */
static bool sql_fmt_apply(sql_fmt_row *r, const sql_fmt_spec *spec, sql_strbuf *sb) {
    int64_t width = spec->left ? -spec->width : spec->width;
    if (spec->widthpos != 0) {
        uint32_t wpos = spec->widthpos > 0 ? (uint32_t)spec->widthpos : r->next;
        if (wpos > r->nvals) return sql_fmt_too_few(r->f);
        r->next = wpos + 1;
        if (!sql_fmt_width_arg(r, wpos, &width)) return false;
        if (width == INT32_MIN) {
            return sql_fmt_error(r->f, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                                 "number is out of range", false);
        }
        if (spec->left && width > 0) width = -width;
    }
    uint32_t pos = spec->argpos > 0 ? (uint32_t)spec->argpos : r->next;
    if (pos > r->nvals) return sql_fmt_too_few(r->f);
    r->next = pos + 1;
    return sql_fmt_value(r, spec, pos, width, sb);
}

static bool sql_fmt_row_run(sql_fmt_row *r, sql_bytes s, sql_strbuf *sb) {
    uint32_t p = 0;
    while (p < s.len) {
        const uint8_t *pct = memchr(s.ptr + p, '%', s.len - p);
        uint32_t stop = pct == NULL ? s.len : (uint32_t)(pct - s.ptr);
        sql_strbuf_append(sb, s.ptr + p, stop - p);
        if (pct == NULL) break;
        p = stop + 1;
        if (p >= s.len) return sql_fmt_unterminated(r->f);
        if (s.ptr[p] == '%') {
            sql_strbuf_putc(sb, '%');
            p++;
            continue;
        }
        sql_fmt_spec spec;
        if (!sql_fmt_parse(r->f, s, &p, &spec) || !sql_fmt_apply(r, &spec, sb)) return false;
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_format) {
    sql_strbuf sb, tmp;
    sql_strbuf_init(&sb, f->arena, 64);
    sql_strbuf_init(&tmp, f->arena, 32);
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            out->nulls[i] = 1;
            continue;
        }
        sql_fmt_row r = {.f = f, .args = args, .nvals = f->call->nargs - 1, .row = i, .next = 1,
                         .tmp = &tmp};
        sql_strbuf_reset(&sb);
        if (!sql_fmt_row_run(&r, args[0]->b[i], &sb)) return false;
        if (!sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

/* ---- to_hex, md5, sha2 ---- */

SQL_STR_KERNEL(sql_strfmt_to_hex) {
    static const char digits[] = "0123456789abcdef";
    bool int8 = args[0]->type_oid == SQL_T_INT8;
    SQL_FOR_ACTIVE(i) {
        uint64_t v = int8 ? (uint64_t)args[0]->i64[i] : (uint32_t)args[0]->i64[i];
        uint8_t buf[16];
        uint32_t k = sizeof buf;
        do {
            buf[--k] = (uint8_t)digits[v & 15];
            v >>= 4;
        } while (v != 0);
        if (!sql_fn_text(f, out, i, buf + k, sizeof buf - k)) return false;
    }
    return true;
}

static bool sql_strfmt_digest(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                              sql_vec *out, const EVP_MD *md, bool hex) {
    static const char digits[] = "0123456789abcdef";
    SQL_FOR_ACTIVE(i) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        sql_bytes s = args[0]->b[i];
        if (EVP_Digest(s.len > 0 ? s.ptr : (const uint8_t *)"", s.len, d, &dlen, md, NULL) != 1) {
            return rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR, "could not compute %s hash",
                              EVP_MD_get0_name(md));
        }
        if (!hex) {
            if (!sql_fn_text(f, out, i, d, dlen)) return false;
            continue;
        }
        uint8_t text[2 * EVP_MAX_MD_SIZE];
        for (unsigned k = 0; k < dlen; k++) {
            text[2 * k] = (uint8_t)digits[d[k] >> 4];
            text[2 * k + 1] = (uint8_t)digits[d[k] & 15];
        }
        if (!sql_fn_text(f, out, i, text, 2 * dlen)) return false;
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_md5) {
    return sql_strfmt_digest(f, n, active, args, out, EVP_md5(), true);
}
SQL_STR_KERNEL(sql_strfmt_sha224) {
    return sql_strfmt_digest(f, n, active, args, out, EVP_sha224(), false);
}
SQL_STR_KERNEL(sql_strfmt_sha256) {
    return sql_strfmt_digest(f, n, active, args, out, EVP_sha256(), false);
}
SQL_STR_KERNEL(sql_strfmt_sha384) {
    return sql_strfmt_digest(f, n, active, args, out, EVP_sha384(), false);
}
SQL_STR_KERNEL(sql_strfmt_sha512) {
    return sql_strfmt_digest(f, n, active, args, out, EVP_sha512(), false);
}

/* ---- encode, decode ---- */

typedef enum sql_codec { CODEC_BASE64 = 1, CODEC_HEX, CODEC_ESCAPE } sql_codec;

static bool sql_codec_of(sql_fctx *f, sql_bytes name, sql_codec *out) {
    static const struct { const char *name; sql_codec codec; } codecs[] = {
        {"base64", CODEC_BASE64}, {"hex", CODEC_HEX}, {"escape", CODEC_ESCAPE},
    };
    for (uint32_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        if (strlen(codecs[k].name) == name.len &&
            strncasecmp(codecs[k].name, (const char *)name.ptr, name.len) == 0) {
            *out = codecs[k].codec;
            return true;
        }
    }
    return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized encoding: \"%.*s\"",
                      (int)name.len, (const char *)name.ptr);
}

static const char sql_b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 with a newline after every 76 characters of output, as PostgreSQL writes it. */
static void sql_b64_encode(sql_bytes s, sql_strbuf *sb) {
    uint32_t line = 0;
    for (uint32_t k = 0; k < s.len; k += 3) {
        uint32_t rest = s.len - k;
        uint32_t v = (uint32_t)s.ptr[k] << 16 | (rest > 1 ? (uint32_t)s.ptr[k + 1] << 8 : 0) |
                     (rest > 2 ? s.ptr[k + 2] : 0);
        if (line >= 76) {
            sql_strbuf_putc(sb, '\n');
            line = 0;
        }
        char q[4] = {sql_b64_chars[v >> 18], sql_b64_chars[(v >> 12) & 63],
                     rest > 1 ? sql_b64_chars[(v >> 6) & 63] : '=',
                     rest > 2 ? sql_b64_chars[v & 63] : '='};
        sql_strbuf_append(sb, q, 4);
        line += 4;
    }
}

static void sql_escape_encode(sql_bytes s, sql_strbuf *sb) {
    for (uint32_t k = 0; k < s.len; k++) {
        uint8_t c = s.ptr[k];
        if (c == '\\') {
            sql_strbuf_puts(sb, "\\\\");
        } else if (c == 0 || c >= 0x80) {
            char o[4] = {'\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
                         (char)('0' + (c & 7))};
            sql_strbuf_append(sb, o, 4);
        } else {
            sql_strbuf_putc(sb, (char)c);
        }
    }
}

SQL_STR_KERNEL(sql_strfmt_encode) {
    static const char hex[] = "0123456789abcdef";
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    SQL_FOR_ACTIVE(i) {
        sql_codec codec;
        if (!sql_codec_of(f, args[1]->b[i], &codec)) return false;
        sql_bytes s = args[0]->b[i];
        sql_strbuf_reset(&sb);
        if (codec == CODEC_BASE64) {
            sql_b64_encode(s, &sb);
        } else if (codec == CODEC_ESCAPE) {
            sql_escape_encode(s, &sb);
        } else {
            for (uint32_t k = 0; k < s.len; k++) {
                char h[2] = {hex[s.ptr[k] >> 4], hex[s.ptr[k] & 15]};
                sql_strbuf_append(&sb, h, 2);
            }
        }
        if (!sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

static int sql_b64_value(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Base64 decoding as PostgreSQL's: white space skipped; '=' ends the data at the third or
 * fourth position of a quantum (later quanta are read but give as many bytes as that one). */
static bool sql_b64_decode(sql_fctx *f, sql_bytes s, sql_strbuf *sb) {
    uint32_t acc = 0, pos = 0, end = 0;
    for (uint32_t k = 0; k < s.len; k++) {
        uint8_t c = s.ptr[k];
        int v = 0;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (c == '=') {
            if (end == 0) {
                if (pos != 2 && pos != 3) {
                    return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                      "unexpected \"=\" while decoding base64 sequence");
                }
                end = pos == 2 ? 1 : 2;
            }
        } else if ((v = sql_b64_value(c)) < 0) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid symbol \"%.*s\" found while decoding base64 sequence",
                              (int)sql_utf8_seq_len(c), (const char *)s.ptr + k);
        }
        acc = acc << 6 | (uint32_t)v;
        if (++pos < 4) continue;
        sql_strbuf_putc(sb, (char)(acc >> 16));
        if (end == 0 || end > 1) sql_strbuf_putc(sb, (char)(acc >> 8));
        if (end == 0 || end > 2) sql_strbuf_putc(sb, (char)acc);
        acc = pos = 0;
    }
    if (pos == 0) return true;
    rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid base64 end sequence");
    rt_err_hint(f->err, "Input data is missing padding, is truncated, or is otherwise corrupted.");
    return false;
}

static int sql_hex_value(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Pairs of hex digits; white space is allowed between pairs only. */
static bool sql_hex_decode(sql_fctx *f, sql_bytes s, sql_strbuf *sb) {
    for (uint32_t k = 0; k < s.len;) {
        uint8_t c = s.ptr[k];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            k++;
            continue;
        }
        for (uint32_t d = 0; d < 2; d++) {
            if (k + d >= s.len) {
                return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                  "invalid hexadecimal data: odd number of digits");
            }
            if (sql_hex_value(s.ptr[k + d]) < 0) {
                return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                  "invalid hexadecimal digit: \"%.*s\"",
                                  (int)sql_utf8_seq_len(s.ptr[k + d]),
                                  (const char *)s.ptr + k + d);
            }
        }
        sql_strbuf_putc(sb, (char)(sql_hex_value(s.ptr[k]) << 4 | sql_hex_value(s.ptr[k + 1])));
        k += 2;
    }
    return true;
}

/* bytea's escape format: \\ is a backslash, \ooo (first digit 0-3) an octal byte. */
static bool sql_escape_decode(sql_fctx *f, sql_bytes s, sql_strbuf *sb) {
    for (uint32_t k = 0; k < s.len; k++) {
        if (s.ptr[k] != '\\') {
            sql_strbuf_putc(sb, (char)s.ptr[k]);
        } else if (k + 1 < s.len && s.ptr[k + 1] == '\\') {
            sql_strbuf_putc(sb, '\\');
            k++;
        } else if (k + 3 < s.len && s.ptr[k + 1] >= '0' && s.ptr[k + 1] <= '3' &&
                   s.ptr[k + 2] >= '0' && s.ptr[k + 2] <= '7' && s.ptr[k + 3] >= '0' &&
                   s.ptr[k + 3] <= '7') {
            sql_strbuf_putc(sb, (char)((s.ptr[k + 1] - '0') << 6 | (s.ptr[k + 2] - '0') << 3 |
                                       (s.ptr[k + 3] - '0')));
            k += 3;
        } else {
            return rt_err_set(f->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                              "invalid input syntax for type bytea");
        }
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_decode) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    SQL_FOR_ACTIVE(i) {
        sql_codec codec;
        if (!sql_codec_of(f, args[1]->b[i], &codec)) return false;
        sql_strbuf_reset(&sb);
        bool ok = codec == CODEC_BASE64 ? sql_b64_decode(f, args[0]->b[i], &sb)
                  : codec == CODEC_HEX  ? sql_hex_decode(f, args[0]->b[i], &sb)
                                        : sql_escape_decode(f, args[0]->b[i], &sb);
        if (!ok || !sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

/* ---- string_to_array, array_to_string ---- */

/* Adds one field; fields equal to null_str (when given) become NULL. */
static bool sql_s2a_add(sql_array_builder *b, const uint8_t *p, uint32_t len,
                        const sql_bytes *null_str) {
    sql_value v = {.type_oid = SQL_T_TEXT, .is_null = false};
    v.b = (sql_bytes){.ptr = p, .len = len};
    if (null_str != NULL && null_str->len == len && memcmp(null_str->ptr, p, len) == 0) {
        v.is_null = true;
    }
    return sql_array_builder_add(b, &v);
}

/* Splits s at delim (NULL: into characters; empty: one field) into a text[]. */
static bool sql_s2a_row(sql_fctx *f, sql_bytes s, const sql_bytes *delim,
                        const sql_bytes *null_str, sql_bytes *out) {
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, SQL_T_TEXT)) return sql_strfmt_oom(f);
    bool ok = true;
    if (s.len == 0) {
        /* no fields at all */
    } else if (delim == NULL) {
        for (uint32_t k = 0; ok && k < s.len; k += sql_utf8_seq_len(s.ptr[k])) {
            ok = sql_s2a_add(&b, s.ptr + k, sql_utf8_seq_len(s.ptr[k]), null_str);
        }
    } else if (delim->len == 0) {
        ok = sql_s2a_add(&b, s.ptr, s.len, null_str);
    } else {
        uint32_t start = 0;
        for (;;) {
            const uint8_t *hit = start + delim->len <= s.len
                                     ? memmem(s.ptr + start, s.len - start, delim->ptr, delim->len)
                                     : NULL;
            uint32_t stop = hit == NULL ? s.len : (uint32_t)(hit - s.ptr);
            if (!(ok = sql_s2a_add(&b, s.ptr + start, stop - start, null_str)) || hit == NULL) {
                break;
            }
            start = stop + delim->len;
        }
    }
    if (!ok) return rt_err_set(f->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                               "array size exceeds the maximum allowed (%u)", SQL_ARRAY_ITEMS_MAX);
    int32_t dims[1] = {(int32_t)b.count}, lbs[1] = {1};
    return sql_array_builder_finish_dims(&b, 1, dims, lbs, out, f->err);
}

SQL_STR_KERNEL(sql_strfmt_string_to_array) {
    bool has_null_str = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            out->nulls[i] = 1;
            continue;
        }
        const sql_bytes *delim = sql_vec_is_null(args[1], i) ? NULL : &args[1]->b[i];
        const sql_bytes *null_str =
            has_null_str && !sql_vec_is_null(args[2], i) ? &args[2]->b[i] : NULL;
        out->nulls[i] = 0;
        if (!sql_s2a_row(f, args[0]->b[i], delim, null_str, &out->b[i])) return false;
    }
    return true;
}

static bool sql_a2s_row(sql_fctx *f, sql_bytes arr, sql_bytes delim, const sql_bytes *null_str,
                        sql_strbuf *sb, sql_strbuf *tmp) {
    sql_array_view av;
    sql_array_view_of(&arr, &av);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_vec one = {.type_oid = av.elem_oid, .typmod = -1, .phys = (uint8_t)it.phys};
    sql_value e;
    bool first = true;
    while (sql_array_iter_next(&it, &e)) {
        if (e.is_null && null_str == NULL) continue;
        if (!first) sql_strbuf_append(sb, delim.ptr, delim.len);
        first = false;
        if (e.is_null) {
            sql_strbuf_append(sb, null_str->ptr, null_str->len);
            continue;
        }
        sql_bytes text;
        one.data = &e.i64; /* one row whose value is e (i64, f64 and b share the storage) */
        if (!sql_str_of_value(f, &one, 0, tmp, &text)) return false;
        sql_strbuf_append(sb, text.ptr, text.len);
    }
    return true;
}

SQL_STR_KERNEL(sql_strfmt_array_to_string) {
    sql_strbuf sb, tmp;
    sql_strbuf_init(&sb, f->arena, 64);
    sql_strbuf_init(&tmp, f->arena, 32);
    bool has_null_str = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i) || sql_vec_is_null(args[1], i)) {
            out->nulls[i] = 1;
            continue;
        }
        const sql_bytes *null_str =
            has_null_str && !sql_vec_is_null(args[2], i) ? &args[2]->b[i] : NULL;
        sql_strbuf_reset(&sb);
        if (!sql_a2s_row(f, args[0]->b[i], args[1]->b[i], null_str, &sb, &tmp)) return false;
        if (!sql_strfmt_emit(f, out, i, &sb)) return false;
    }
    return true;
}

/* ---- registration ---- */

#define T SQL_T_TEXT
#define BA SQL_T_BYTEA
#define ST SQL_F_STRICT
#define LP (SQL_F_STRICT | SQL_F_LEAKPROOF) /* what PostgreSQL marks leakproof */
#define FN(nm, r, fl, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,     \
                               .args = {__VA_ARGS__}, .ret = r, .flags = fl, .fn = k}

static const sql_func_def sql_strfmt_defs[] = {
    FN("concat", T, SQL_F_VARIADIC | SQL_F_STABLE, sql_strfmt_concat, SQL_T_ANY),
    FN("concat_ws", T, SQL_F_VARIADIC | SQL_F_STABLE, sql_strfmt_concat_ws, T, SQL_T_ANY),
    FN("format", T, SQL_F_VARIADIC | SQL_F_STABLE, sql_strfmt_format, T, SQL_T_ANY),
    FN("format", T, SQL_F_STABLE, sql_strfmt_format, T),
    FN("quote_ident", T, ST, sql_strfmt_quote_ident_k, T),
    FN("quote_literal", T, ST, sql_strfmt_quote_literal_k, T),
    FN("quote_literal", T, SQL_F_STRICT | SQL_F_STABLE, sql_strfmt_quote_literal_k,
       SQL_T_ANYELEMENT),
    FN("quote_nullable", T, 0, sql_strfmt_quote_nullable_k, T),
    FN("quote_nullable", T, SQL_F_STABLE, sql_strfmt_quote_nullable_k, SQL_T_ANYELEMENT),
    FN("to_hex", T, ST, sql_strfmt_to_hex, SQL_T_INT4),
    FN("to_hex", T, ST, sql_strfmt_to_hex, SQL_T_INT8),
    FN("md5", T, LP, sql_strfmt_md5, T), FN("md5", T, LP, sql_strfmt_md5, BA),
    FN("sha224", BA, LP, sql_strfmt_sha224, BA), FN("sha256", BA, LP, sql_strfmt_sha256, BA),
    FN("sha384", BA, LP, sql_strfmt_sha384, BA), FN("sha512", BA, LP, sql_strfmt_sha512, BA),
    FN("encode", T, ST, sql_strfmt_encode, BA, T), FN("decode", BA, ST, sql_strfmt_decode, T, T),
    FN("string_to_array", SQL_T_TEXT_ARRAY, 0, sql_strfmt_string_to_array, T, T),
    FN("string_to_array", SQL_T_TEXT_ARRAY, 0, sql_strfmt_string_to_array, T, T, T),
    FN("array_to_string", T, SQL_F_STRICT | SQL_F_STABLE, sql_strfmt_array_to_string,
       SQL_T_ANYARRAY, T),
    FN("array_to_string", T, SQL_F_STABLE, sql_strfmt_array_to_string, SQL_T_ANYARRAY, T, T),
};

void sql_fn_strfmt_register(void) {
    sql_funcs_register(sql_strfmt_defs, sizeof sql_strfmt_defs / sizeof sql_strfmt_defs[0]);
}
