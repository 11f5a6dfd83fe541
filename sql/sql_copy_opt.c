/* sql_copy_opt.c: COPY's options, validated in PostgreSQL 15's order with its messages (clients
 * and tests match on them), and the FORCE_* column lists resolved against the copied columns. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/sql_ast.h"
#include "sql/sql_copy_int.h"

/* Sets an option error with the option's position (PostgreSQL reports one for these). */
static bool opt_fail_at(rt_err *err, const sql_defelem *d, const char *sqlstate, const char *fmt,
                        const char *arg) {
    rt_err_set(err, sqlstate, fmt, arg);
    if (d != NULL && d->hdr.location != UINT32_MAX) err->position = d->hdr.location + 1;
    return false;
}

/* An option's value as a string (PostgreSQL's defGetString); NULL when it has none. */
static const char *opt_string(const sql_defelem *d) {
    const sql_node *v = d->value;
    if (v == NULL) return NULL;
    if (SQL_NODE_KIND(v) == SQL_N_CONST) {
        const sql_const *c = (const sql_const *)v;
        if (c->const_kind == SQL_CONST_BOOL) return c->bool_value ? "true" : "false";
        return c->text != NULL ? c->text : "";
    }
    if (SQL_NODE_KIND(v) == SQL_N_COLUMNREF) {
        const sql_columnref *w = (const sql_columnref *)v;
        return w->name.parts[w->name.count - 1];
    }
    if (SQL_NODE_KIND(v) == SQL_N_STAR) return "*";
    return d->word;
}

static bool opt_string_req(const sql_defelem *d, const char **out, rt_err *err) {
    const char *s = opt_string(d);
    if (s == NULL) return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "%s requires a parameter", d->name);
    *out = s;
    return true;
}

/* PostgreSQL's defGetBoolean, with "match" for HEADER (defGetCopyHeaderChoice). */
static bool opt_bool(const sql_defelem *d, bool allow_match, bool is_from, uint8_t *out,
                     rt_err *err) {
    if (d->value == NULL) {
        *out = 1;
        return true;
    }
    const char *s = opt_string(d);
    bool is_int = SQL_NODE_KIND(d->value) == SQL_N_CONST &&
                  ((const sql_const *)d->value)->const_kind == SQL_CONST_INTEGER;
    if (s != NULL && is_int && (strcmp(s, "0") == 0 || strcmp(s, "1") == 0)) {
        *out = s[0] == '1';
        return true;
    }
    if (s != NULL && !is_int) {
        if (strcasecmp(s, "true") == 0 || strcasecmp(s, "on") == 0) return *out = 1, true;
        if (strcasecmp(s, "false") == 0 || strcasecmp(s, "off") == 0) return *out = 0, true;
        if (allow_match && strcasecmp(s, "match") == 0) {
            if (!is_from) {
                return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "cannot use \"%s\" with HEADER in COPY TO", s);
            }
            *out = 2;
            return true;
        }
    }
    if (allow_match) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "%s requires a Boolean value or \"match\"",
                          d->name);
    }
    return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "%s requires a Boolean value", d->name);
}

/* The encodings PostgreSQL knows; only UTF8 needs no conversion, which is all we do. */
static bool opt_encoding(const sql_defelem *d, const char *name, rt_err *err) {
    static const char *const utf8[] = {"utf8", "utf-8", "unicode"};
    static const char *const others[] = {
        "sql_ascii", "latin1", "latin2", "latin3", "latin4", "latin5", "latin6", "latin7",
        "latin8", "latin9", "latin10", "win1250", "win1251", "win1252", "win1253", "win1254",
        "win1255", "win1256", "win1257", "win1258", "win866", "win874", "koi8r", "koi8u",
        "euc_jp", "euc_cn", "euc_kr", "euc_tw", "euc_jis_2004", "sjis", "shift_jis_2004", "big5",
        "gbk", "gb18030", "uhc", "johab", "mule_internal", "iso_8859_5", "iso_8859_6",
        "iso_8859_7", "iso_8859_8", "windows1252", "iso88591", "iso8859_1"};
    for (uint32_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++) {
        if (strcasecmp(name, utf8[i]) == 0) return true;
    }
    for (uint32_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        if (strcasecmp(name, others[i]) == 0) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "COPY ENCODING \"%s\" is not supported: Dreambase reads and "
                              "writes UTF8 only", name);
        }
    }
    return opt_fail_at(err, d, SQLSTATE_INVALID_PARAMETER_VALUE,
                       "argument to option \"%s\" must be a valid encoding name", "encoding");
}

static bool opt_force(const sql_defelem *d, bool star_ok, sql_copy_force *f, rt_err *err) {
    if (f->opt != NULL) {
        return opt_fail_at(err, d, SQLSTATE_SYNTAX_ERROR, "conflicting or redundant options%s",
                           "");
    }
    if (star_ok && d->value != NULL && SQL_NODE_KIND(d->value) == SQL_N_STAR) {
        f->opt = d;
        f->all = true;
        return true;
    }
    if (d->value == NULL || SQL_NODE_KIND(d->value) != SQL_N_ROW) {
        return opt_fail_at(err, d, SQLSTATE_INVALID_PARAMETER_VALUE,
                           "argument to option \"%s\" must be a list of column names", d->name);
    }
    f->opt = d;
    return true;
}

typedef struct opt_seen {
    bool format, freeze, delim, null, header, quote, escape, encoding;
} opt_seen;

/* Marks an option seen: a second occurrence is 42601 at its position. */
static bool opt_once(bool *seen, const sql_defelem *d, rt_err *err) {
    if (*seen) {
        return opt_fail_at(err, d, SQLSTATE_SYNTAX_ERROR, "conflicting or redundant options%s", "");
    }
    *seen = true;
    return true;
}

static bool opt_format(const sql_defelem *d, sql_copy_opts *o, rt_err *err) {
    const char *s;
    if (!opt_string_req(d, &s, err)) return false;
    if (strcmp(s, "text") == 0) o->format = SQL_COPY_TEXT;
    else if (strcmp(s, "csv") == 0) o->format = SQL_COPY_CSV;
    else if (strcmp(s, "binary") == 0) o->format = SQL_COPY_BINARY;
    else return opt_fail_at(err, d, SQLSTATE_INVALID_PARAMETER_VALUE,
                            "COPY format \"%s\" not recognized", s);
    return true;
}

/* One option of the list; strings are kept as given and checked afterwards. */
static bool opt_one(const sql_defelem *d, sql_copy_opts *o, opt_seen *seen, const char **delim,
                    const char **null, const char **quote, const char **escape, rt_err *err) {
    const char *n = d->name;
    uint8_t b;
    if (strcmp(n, "format") == 0) return opt_once(&seen->format, d, err) && opt_format(d, o, err);
    if (strcmp(n, "freeze") == 0) {
        if (!opt_once(&seen->freeze, d, err) || !opt_bool(d, false, o->is_from, &b, err)) {
            return false;
        }
        o->freeze = b != 0;
        return true;
    }
    if (strcmp(n, "delimiter") == 0) return opt_once(&seen->delim, d, err) &&
                                            opt_string_req(d, delim, err);
    if (strcmp(n, "null") == 0) return opt_once(&seen->null, d, err) &&
                                       opt_string_req(d, null, err);
    if (strcmp(n, "header") == 0) {
        if (!opt_once(&seen->header, d, err) || !opt_bool(d, true, o->is_from, &b, err)) {
            return false;
        }
        o->header = (sql_copy_header)b;
        return true;
    }
    if (strcmp(n, "quote") == 0) return opt_once(&seen->quote, d, err) &&
                                        opt_string_req(d, quote, err);
    if (strcmp(n, "escape") == 0) return opt_once(&seen->escape, d, err) &&
                                         opt_string_req(d, escape, err);
    if (strcmp(n, "force_quote") == 0) return opt_force(d, true, &o->force_quote, err);
    if (strcmp(n, "force_not_null") == 0) return opt_force(d, false, &o->force_not_null, err);
    if (strcmp(n, "force_null") == 0) return opt_force(d, false, &o->force_null, err);
    if (strcmp(n, "encoding") == 0) {
        const char *s;
        return opt_once(&seen->encoding, d, err) && opt_string_req(d, &s, err) &&
               opt_encoding(d, s, err);
    }
    return opt_fail_at(err, d, SQLSTATE_SYNTAX_ERROR, "option \"%s\" not recognized", n);
}

/* The checks after the loop that concern the delimiter, NULL string, quote and escape. */
static bool opt_check_chars(sql_copy_opts *o, const char *delim, const char *quote,
                            const char *escape, rt_err *err) {
    bool csv = o->format == SQL_COPY_CSV;
    if (strlen(delim) != 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY delimiter must be a single one-byte character");
    }
    o->delim = delim[0];
    if (o->delim == '\n' || o->delim == '\r') {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "COPY delimiter cannot be newline or carriage return");
    }
    if (strchr(o->null_str, '\r') != NULL || strchr(o->null_str, '\n') != NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "COPY null representation cannot use newline or carriage return");
    }
    if (!csv && strchr("\\.abcdefghijklmnopqrstuvwxyz0123456789", o->delim) != NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "COPY delimiter cannot be \"%s\"",
                          delim);
    }
    if (o->format == SQL_COPY_BINARY && o->header != SQL_COPY_HEADER_NONE) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot specify HEADER in BINARY mode");
    }
    if (!csv && quote != NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY quote available only in CSV mode");
    }
    if (csv && quote != NULL && strlen(quote) != 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY quote must be a single one-byte character");
    }
    if (csv) o->quote = quote != NULL ? quote[0] : '"';
    if (csv && o->delim == o->quote) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "COPY delimiter and quote must be different");
    }
    if (!csv && escape != NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY escape available only in CSV mode");
    }
    if (csv && escape != NULL && strlen(escape) != 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY escape must be a single one-byte character");
    }
    if (csv) o->escape = escape != NULL ? escape[0] : o->quote;
    return true;
}

/* FORCE_* only in CSV, each in one direction. */
static bool opt_check_force(const sql_copy_opts *o, rt_err *err) {
    bool csv = o->format == SQL_COPY_CSV;
    static const char *const names[] = {"force quote", "force not null", "force null"};
    const sql_copy_force *f[] = {&o->force_quote, &o->force_not_null, &o->force_null};
    for (uint32_t i = 0; i < 3; i++) {
        if (f[i]->opt == NULL) continue;
        if (!csv) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "COPY %s available only in CSV mode", names[i]);
        }
        bool wants_from = i != 0;
        if (o->is_from != wants_from) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "COPY %s only available using COPY %s", names[i],
                              wants_from ? "FROM" : "TO");
        }
    }
    return true;
}

bool sql_copy_opts_parse(const sql_list *options, bool is_from, sql_copy_opts *o, rt_err *err) {
    memset(o, 0, sizeof *o);
    o->is_from = is_from;
    opt_seen seen = {0};
    const char *delim = NULL, *null = NULL, *quote = NULL, *escape = NULL;
    for (uint32_t i = 0; i < options->count; i++) {
        const sql_defelem *d = SQL_LIST_AT(*options, i);
        if (!opt_one(d, o, &seen, &delim, &null, &quote, &escape, err)) return false;
    }
    bool csv = o->format == SQL_COPY_CSV;
    if (o->format == SQL_COPY_BINARY && delim != NULL) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "cannot specify DELIMITER in BINARY mode");
    }
    if (o->format == SQL_COPY_BINARY && null != NULL) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "cannot specify NULL in BINARY mode");
    }
    if (delim == NULL) delim = csv ? "," : "\t";
    o->null_str = null != NULL ? null : csv ? "" : "\\N";
    o->null_len = (uint32_t)strlen(o->null_str);
    if (!opt_check_chars(o, delim, quote, escape, err) || !opt_check_force(o, err)) return false;
    if (o->format != SQL_COPY_BINARY && memchr(o->null_str, o->delim, o->null_len) != NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY delimiter must not appear in the NULL specification");
    }
    if (csv && memchr(o->null_str, o->quote, o->null_len) != NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "CSV quote character must not appear in the NULL specification");
    }
    return true;
}

/* ---- FORCE_* column lists ---- */

static const char *opt_col_name(const sql_node *n) {
    if (SQL_NODE_KIND(n) == SQL_N_CONST) return ((const sql_const *)n)->text;
    const sql_columnref *w = (const sql_columnref *)n;
    return w->name.parts[w->name.count - 1];
}

static bool opt_force_columns(const sql_copy_force *f, const char *label, bool *flags,
                              const char *relname, const char *const *rel_cols, uint32_t nrel,
                              const char *const *cols, uint32_t ncols, rt_err *err) {
    if (f->opt == NULL) return true;
    if (f->all) {
        for (uint32_t i = 0; i < ncols; i++) flags[i] = true;
        return true;
    }
    const sql_row *r = (const sql_row *)f->opt->value;
    for (uint32_t k = 0; k < r->args.count; k++) {
        const char *name = opt_col_name(SQL_LIST_AT(r->args, k));
        bool exists = false;
        const char *const *all = rel_cols != NULL ? rel_cols : cols;
        uint32_t nall = rel_cols != NULL ? nrel : ncols;
        for (uint32_t i = 0; i < nall && !exists; i++) exists = strcmp(all[i], name) == 0;
        if (!exists && relname != NULL) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                              "column \"%s\" of relation \"%s\" does not exist", name, relname);
        }
        if (!exists) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                              name);
        }
        for (uint32_t j = 0; j < k; j++) {
            if (strcmp(opt_col_name(SQL_LIST_AT(r->args, j)), name) == 0) {
                return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                  "column \"%s\" specified more than once", name);
            }
        }
        bool found = false;
        for (uint32_t i = 0; i < ncols; i++) {
            if (strcmp(cols[i], name) == 0) found = flags[i] = true;
        }
        if (!found) {
            return rt_err_set(err, SQLSTATE_INVALID_COLUMN_REFERENCE,
                              "%s column \"%s\" not referenced by COPY", label, name);
        }
    }
    return true;
}

bool sql_copy_opts_columns(sql_copy_opts *o, rt_arena *arena, const char *relname,
                           const char *const *rel_cols, uint32_t nrel,
                           const char *const *cols, uint32_t ncols, rt_err *err) {
    o->ncols = ncols;
    o->quote_col = rt_arena_zalloc(arena, ncols + 1u);
    o->not_null_col = rt_arena_zalloc(arena, ncols + 1u);
    o->null_col = rt_arena_zalloc(arena, ncols + 1u);
    if (o->quote_col == NULL || o->not_null_col == NULL || o->null_col == NULL) {
        return rt_arena_fail(arena, err);
    }
    return opt_force_columns(&o->force_quote, "FORCE_QUOTE", o->quote_col, relname, rel_cols,
                             nrel, cols, ncols, err) &&
           opt_force_columns(&o->force_not_null, "FORCE_NOT_NULL", o->not_null_col, relname,
                             rel_cols, nrel, cols, ncols, err) &&
           opt_force_columns(&o->force_null, "FORCE_NULL", o->null_col, relname, rel_cols, nrel,
                             cols, ncols, err);
}
