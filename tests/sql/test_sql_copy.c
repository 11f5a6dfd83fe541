/* test_sql_copy.c: COPY's options, input decoding and output encoding (sql_copy_opt.c,
 * sql_copy_in.c, sql_copy_out.c), without a server: option lists are built as the parser builds
 * them, input is fed in pieces (whole, and one byte at a time, which must decode the same),
 * decoded rows are printed back through the types' output functions, and errors are compared
 * with PostgreSQL 15's messages, SQLSTATEs and CONTEXT lines (taken from a real server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_ast.h"
#include "sql/sql_copy_int.h"
#include "sql/sql_type.h"

static rt_arena *g_arena;

/* ---- building option lists as the parser does ---- */

static sql_node *t_str(const char *s) {
    sql_const *c = rt_arena_zalloc(g_arena, sizeof *c);
    c->hdr.kind = SQL_N_CONST;
    c->const_kind = SQL_CONST_STRING;
    c->text = s;
    c->text_len = (uint32_t)strlen(s);
    return &c->hdr;
}

static sql_node *t_word(const char *s) {
    sql_columnref *c = rt_arena_zalloc(g_arena, sizeof *c);
    c->hdr.kind = SQL_N_COLUMNREF;
    c->name.count = 1;
    c->name.parts[0] = s;
    return &c->hdr;
}

/* "(a,b)" -> a row of words; "*" -> star; "" -> no value; "'x" -> string x; else a word. */
static sql_node *t_value(const char *v) {
    if (v == NULL || v[0] == '\0') return NULL;
    if (v[0] == '\'') return t_str(v + 1);
    if (strcmp(v, "*") == 0) {
        sql_star *s = rt_arena_zalloc(g_arena, sizeof *s);
        s->hdr.kind = SQL_N_STAR;
        return &s->hdr;
    }
    if (v[0] == '(') {
        sql_row *r = rt_arena_zalloc(g_arena, sizeof *r);
        r->hdr.kind = SQL_N_ROW;
        char *copy = rt_arena_strdup(g_arena, v + 1);
        copy[strlen(copy) - 1] = '\0';
        for (char *tok = strtok(copy, ","); tok != NULL; tok = strtok(NULL, ",")) {
            sql_list_push(g_arena, &r->args, t_word(tok));
        }
        return &r->hdr;
    }
    return t_word(v);
}

/* Options as name/value pairs, NULL-terminated. */
static sql_list t_opts(const char *const *pairs) {
    sql_list l = {0};
    for (uint32_t i = 0; pairs[i] != NULL; i += 2) {
        sql_defelem *d = rt_arena_zalloc(g_arena, sizeof *d);
        d->hdr.kind = SQL_N_DEFELEM;
        d->hdr.location = 10 * i;
        d->name = pairs[i];
        d->value = t_value(pairs[i + 1]);
        if (d->value != NULL && SQL_NODE_KIND(d->value) == SQL_N_COLUMNREF) d->word = pairs[i + 1];
        sql_list_push(g_arena, &l, d);
    }
    return l;
}

static char g_out[65536];

static const char *t_err_text(const rt_err *err) {
    snprintf(g_out, sizeof g_out, "ERROR %s: %s%s%s%s%s", err->sqlstate, err->message,
             err->detail[0] ? " | " : "", err->detail, err->hint[0] ? " | HINT " : "", err->hint);
    return g_out;
}

#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Parses options for columns (a, b, c) of table t; "ok" or the error. */
static const char *t_opt_check(bool is_from, const char *const *pairs) {
    sql_list l = t_opts(pairs);
    sql_copy_opts o;
    rt_err err;
    rt_err_clear(&err);
    static const char *const rel[] = {"a", "b", "c"};
    static const char *const cols[] = {"a", "b"};
    if (!sql_copy_opts_parse(&l, is_from, &o, &err) ||
        !sql_copy_opts_columns(&o, g_arena, "t", rel, 3, cols, 2, &err)) {
        return t_err_text(&err);
    }
    return "ok";
}

static void test_sql_copy_options_errors(void **state) {
    (void)state;
    assert_string_equal(t_opt_check(true, OPTS("format", "csv")), "ok");
    assert_string_equal(t_opt_check(true, OPTS("foo", "'1")),
                        "ERROR 42601: option \"foo\" not recognized");
    assert_string_equal(t_opt_check(true, OPTS("format", "xml")),
                        "ERROR 22023: COPY format \"xml\" not recognized");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "format", "csv")),
                        "ERROR 42601: conflicting or redundant options");
    assert_string_equal(t_opt_check(true, OPTS("null", "'a", "delimiter", "'a")),
                        "ERROR 22023: COPY delimiter cannot be \"a\"");
    assert_string_equal(t_opt_check(true, OPTS("delimiter", "'\\")),
                        "ERROR 22023: COPY delimiter cannot be \"\\\"");
    assert_string_equal(t_opt_check(true, OPTS("delimiter", "',,")),
                        "ERROR 0A000: COPY delimiter must be a single one-byte character");
    assert_string_equal(t_opt_check(true, OPTS("delimiter", "'\r")),
                        "ERROR 22023: COPY delimiter cannot be newline or carriage return");
    assert_string_equal(t_opt_check(true, OPTS("null", "'\n")),
                        "ERROR 22023: COPY null representation cannot use newline or carriage "
                        "return");
    assert_string_equal(t_opt_check(true, OPTS("format", "binary", "delimiter", "',")),
                        "ERROR 42601: cannot specify DELIMITER in BINARY mode");
    assert_string_equal(t_opt_check(true, OPTS("format", "binary", "null", "'x")),
                        "ERROR 42601: cannot specify NULL in BINARY mode");
    assert_string_equal(t_opt_check(true, OPTS("format", "binary", "header", "")),
                        "ERROR 0A000: cannot specify HEADER in BINARY mode");
    assert_string_equal(t_opt_check(true, OPTS("quote", "'\"")),
                        "ERROR 0A000: COPY quote available only in CSV mode");
    assert_string_equal(t_opt_check(true, OPTS("escape", "'x")),
                        "ERROR 0A000: COPY escape available only in CSV mode");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "quote", "',")),
                        "ERROR 22023: COPY delimiter and quote must be different");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "escape", "'ab")),
                        "ERROR 0A000: COPY escape must be a single one-byte character");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "quote", "'")),
                        "ERROR 0A000: COPY quote must be a single one-byte character");
    assert_string_equal(t_opt_check(true, OPTS("force_quote", "(a)")),
                        "ERROR 0A000: COPY force quote available only in CSV mode");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "force_quote", "(a)")),
                        "ERROR 0A000: COPY force quote only available using COPY TO");
    assert_string_equal(t_opt_check(false, OPTS("format", "csv", "force_not_null", "(a)")),
                        "ERROR 0A000: COPY force not null only available using COPY FROM");
    assert_string_equal(t_opt_check(false, OPTS("format", "csv", "force_null", "(a)")),
                        "ERROR 0A000: COPY force null only available using COPY FROM");
    assert_string_equal(t_opt_check(true, OPTS("force_null", "(a)")),
                        "ERROR 0A000: COPY force null available only in CSV mode");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "force_not_null", "*")),
                        "ERROR 22023: argument to option \"force_not_null\" must be a list of "
                        "column names");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "null", "'x\"y")),
                        "ERROR 0A000: CSV quote character must not appear in the NULL "
                        "specification");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "delimiter", "'.", "null",
                                               "'x.y")),
                        "ERROR 0A000: COPY delimiter must not appear in the NULL specification");
    assert_string_equal(t_opt_check(true, OPTS("header", "'foo")),
                        "ERROR 42601: header requires a Boolean value or \"match\"");
    assert_string_equal(t_opt_check(false, OPTS("header", "match")),
                        "ERROR 0A000: cannot use \"match\" with HEADER in COPY TO");
    assert_string_equal(t_opt_check(true, OPTS("freeze", "'x")),
                        "ERROR 42601: freeze requires a Boolean value");
    assert_string_equal(t_opt_check(true, OPTS("null", "")),
                        "ERROR 42601: null requires a parameter");
    assert_string_equal(t_opt_check(true, OPTS("encoding", "'foo")),
                        "ERROR 22023: argument to option \"encoding\" must be a valid encoding "
                        "name");
    assert_string_equal(t_opt_check(true, OPTS("encoding", "'UTF8", "freeze", "", "header",
                                               "on")), "ok");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "force_not_null", "(a,a)")),
                        "ERROR 42701: column \"a\" specified more than once");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "force_not_null", "(zz)")),
                        "ERROR 42703: column \"zz\" of relation \"t\" does not exist");
    assert_string_equal(t_opt_check(true, OPTS("format", "csv", "force_null", "(c)")),
                        "ERROR 42P10: FORCE_NULL column \"c\" not referenced by COPY");
    assert_string_equal(t_opt_check(false, OPTS("format", "csv", "force_quote", "(c)")),
                        "ERROR 42P10: FORCE_QUOTE column \"c\" not referenced by COPY");
    assert_string_equal(t_opt_check(false, OPTS("format", "csv", "force_quote", "*",
                                                "force_quote", "*")),
                        "ERROR 42601: conflicting or redundant options");
}

/* ---- decoding ---- */

typedef struct t_input {
    const uint8_t *data;
    uint32_t len, pos;
    uint32_t piece;          /* bytes per read, 0 = all at once */
} t_input;

static bool t_read(void *arg, const uint8_t **data, uint32_t *len, bool *done, rt_err *err) {
    (void)err;
    t_input *in = arg;
    uint32_t n = in->len - in->pos;
    if (in->piece != 0 && n > in->piece) n = in->piece;
    *data = in->data + in->pos;
    *len = n;
    in->pos += n;
    *done = n == 0;
    return true;
}

/* Columns "name:type" ("a:int4"), split at ',' (or at ';' if there is one, for names with
 * commas); the types the tests use. */
static uint32_t t_cols(const char *spec, sql_copy_col *cols) {
    char *copy = rt_arena_strdup(g_arena, spec);
    uint32_t n = 0;
    char *save = NULL;
    const char *sep = strchr(spec, ';') != NULL ? ";" : ",";
    for (char *tok = strtok_r(copy, sep, &save); tok != NULL; tok = strtok_r(NULL, sep, &save)) {
        char *colon = strchr(tok, ':');
        *colon = '\0';
        const char *type = colon + 1;
        uint32_t oid = strcmp(type, "int4") == 0 ? SQL_T_INT4 : strcmp(type, "int8") == 0
                       ? SQL_T_INT8 : strcmp(type, "float8") == 0 ? SQL_T_FLOAT8
                       : strcmp(type, "bool") == 0 ? SQL_T_BOOL : strcmp(type, "numeric") == 0
                       ? SQL_T_NUMERIC : strcmp(type, "bytea") == 0 ? SQL_T_BYTEA : SQL_T_TEXT;
        int32_t typmod = -1;
        if (strcmp(type, "varchar2") == 0) oid = SQL_T_VARCHAR, typmod = 2 + 4;
        cols[n++] = (sql_copy_col){.name = tok, .type_oid = oid, .typmod = typmod};
    }
    return n;
}

/* Decodes `data` as COPY t (cols) FROM STDIN with the options; rows as "v|v;v|v" with
 * values through their output function ("N" for NULL), or the error. */
static const char *t_decode_pieces(const char *colspec, const char *const *pairs,
                                   const uint8_t *data, uint32_t len, uint32_t piece) {
    sql_list l = t_opts(pairs);
    sql_copy_opts o;
    rt_err err;
    rt_err_clear(&err);
    sql_copy_col cols[16];
    uint32_t ncols = t_cols(colspec, cols);
    const char *names[16];
    for (uint32_t i = 0; i < ncols; i++) names[i] = cols[i].name;
    if (!sql_copy_opts_parse(&l, true, &o, &err) ||
        !sql_copy_opts_columns(&o, g_arena, "t", names, ncols, names, ncols, &err)) {
        return t_err_text(&err);
    }
    t_input in = {.data = data, .len = len, .piece = piece};
    sql_copy_reader r;
    sql_copy_reader_init(&r, &o, "t", cols, ncols, t_read, &in);
    sql_fmt fmt = {.extra_float_digits = 1};
    sql_io_ctx io = {.arena = g_arena, .fmt = &fmt, .err = &err};
    static char out[65536];
    uint32_t used = 0, nrows = 0;
    out[0] = '\0';
    bool ok = true;
    for (;;) {
        sql_batch *b = sql_batch_new(g_arena, ncols, 3); /* small batches: many boundaries */
        for (uint32_t k = 0; k < ncols; k++) {
            sql_vec_init(g_arena, &b->cols[k], cols[k].type_oid, cols[k].typmod, 3);
        }
        if (!(ok = sql_copy_read_batch(&r, &io, b, &err))) break;
        if (b->rows == 0) break;
        for (uint32_t row = 0; row < b->rows; row++) {
            if (nrows++ > 0) out[used++] = ';';
            for (uint32_t k = 0; k < ncols; k++) {
                if (k > 0) out[used++] = '|';
                sql_value v;
                sql_vec_get(&b->cols[k], row, &v);
                sql_strbuf sb;
                sql_strbuf_init(&sb, g_arena, 16);
                if (v.is_null) sql_strbuf_puts(&sb, "N");
                else sql_value_out(&io, &v, cols[k].typmod, &sb);
                memcpy(out + used, sb.data, sb.len);
                used += sb.len;
            }
        }
        out[used] = '\0';
    }
    if (ok) ok = sql_copy_reader_drain(&r, &err);
    sql_copy_reader_free(&r);
    if (!ok) return t_err_text(&err);
    return out;
}

/* Decodes whole and one byte at a time: both must give the same answer. */
static const char *t_decode_n(const char *colspec, const char *const *pairs, const char *data,
                              uint32_t len) {
    static char whole[65536];
    snprintf(whole, sizeof whole, "%s",
             t_decode_pieces(colspec, pairs, (const uint8_t *)data, len, 0));
    const char *bytewise = t_decode_pieces(colspec, pairs, (const uint8_t *)data, len, 1);
    assert_string_equal(whole, bytewise);
    return whole;
}

#define DEC(cols, pairs, data) t_decode_n((cols), (pairs), (data), (uint32_t)(sizeof(data) - 1))
#define NOOPT ((const char *const[]){NULL})
#define AB "a:text,b:text"

static void test_sql_copy_text_input(void **state) {
    (void)state;
    assert_string_equal(DEC(AB, NOOPT, "1\tx\n2\ty\n"), "1|x;2|y");
    assert_string_equal(DEC(AB, NOOPT, "1\tx"), "1|x");
    assert_string_equal(DEC(AB, NOOPT, "a\\tb\tc\\x41\\101\\x\\q\\\n\n"), "a\tb|cAAxq\n");
    assert_string_equal(DEC(AB, NOOPT, "a\t\\N\n\\N\t\\\\N\n"), "a|N;N|\\N");
    assert_string_equal(DEC(AB, NOOPT, "a\\\nb\tc\n"), "a\nb|c");
    assert_string_equal(DEC(AB, NOOPT, "\\b\\f\\n\\r\\t\\v\t\\7\\101\\x4a\\x4G\n"),
                        "\b\f\n\r\t\v|\aAJ\004G");
    assert_string_equal(DEC(AB, NOOPT, "\\0101\t\\\n"), "\b1|\n");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\r\nc\td\r\n"), "a|b;c|d");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\rc\td\r"), "a|b;c|d");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\n\\.\nc\td\n"), "a|b");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\nc\td\\.\nignored\n"), "a|b;c|d");
    assert_string_equal(DEC(AB, NOOPT, ""), "");
    assert_string_equal(DEC(AB, OPTS("null", "'x"), "x\t\\x\n"), "N|x");
    assert_string_equal(DEC(AB, OPTS("delimiter", "'|"), "a\\|b|c\\\\d\n"), "a|b|c\\d");
    assert_string_equal(DEC("a:text", NOOPT, "\n\n"), ";");
    assert_string_equal(DEC(AB, OPTS("header", ""), "x\ty\na\tb\n"), "a|b");
    assert_string_equal(DEC(AB, OPTS("header", "match"), "a\tb\nc\td\n"), "c|d");
    assert_string_equal(DEC("a:int4,b:float8,c:bool", NOOPT, "-12\t1.5\tt\n\\N\t-0\tf\n"),
                        "-12|1.5|t;N|-0|f");
}

static void test_sql_copy_text_input_errors(void **state) {
    (void)state;
    assert_string_equal(DEC("a:int4,b:int4", NOOPT, "1\t2\n2\txyz\n"),
                        "ERROR 22P02: invalid input syntax for type integer: \"xyz\" | "
                        "COPY t, line 2, column b: \"xyz\"");
    assert_string_equal(DEC("a:int4,b:int4,c:text", NOOPT, "1\t2\n"),
                        "ERROR 22P04: missing data for column \"c\" | COPY t, line 1: \"1\t2\"");
    /* the fields are converted in order before a missing one is noticed, as in PostgreSQL */
    assert_string_equal(DEC("a:int4,b:int4,c:text", NOOPT, "x\n"),
                        "ERROR 22P02: invalid input syntax for type integer: \"x\" | "
                        "COPY t, line 1, column a: \"x\"");
    assert_string_equal(DEC("a:int4,b:int4,c:text", NOOPT, "1\t2\t3\t4\n"),
                        "ERROR 22P04: extra data after last expected column | "
                        "COPY t, line 1: \"1\t2\t3\t4\"");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\nc\rd\n"),
                        "ERROR 22P04: literal carriage return found in data | COPY t, line 2 | "
                        "HINT Use \"\\r\" to represent carriage return.");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\r\nc\rd\r\n"),
                        "ERROR 22P04: literal carriage return found in data | COPY t, line 2 | "
                        "HINT Use \"\\r\" to represent carriage return.");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\rc\nd\r"),
                        "ERROR 22P04: literal newline found in data | COPY t, line 2 | "
                        "HINT Use \"\\n\" to represent newline.");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\n\\.x\n"),
                        "ERROR 22P04: end-of-copy marker corrupt | COPY t, line 2");
    assert_string_equal(DEC(AB, NOOPT, "a\\.b\tc\n"),
                        "ERROR 22P04: end-of-copy marker corrupt | COPY t, line 1");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\n\\."),
                        "ERROR 22P04: end-of-copy marker corrupt | COPY t, line 2");
    assert_string_equal(DEC(AB, NOOPT, "a\tb\r\n\\.\n"),
                        "ERROR 22P04: end-of-copy marker does not match previous newline style"
                        " | COPY t, line 2");
    assert_string_equal(DEC(AB, NOOPT, "\n"),
                        "ERROR 22P04: missing data for column \"b\" | COPY t, line 1: \"\"");
    assert_string_equal(DEC(AB, NOOPT, "a\\000\tb\n"),
                        "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0x00 | "
                        "COPY t, line 1: \"a\\000\tb\"");
    assert_string_equal(DEC(AB, NOOPT, "a\\xff\tb\n"),
                        "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0xff | "
                        "COPY t, line 1: \"a\\xff\tb\"");
    assert_string_equal(DEC(AB, NOOPT, "\xff\tb\n"),
                        "ERROR 22021: invalid byte sequence for encoding \"UTF8\": 0xff | "
                        "COPY t, line 1");
    assert_string_equal(DEC(AB, OPTS("header", "match"), "a\t\\N\nc\td\n"),
                        "ERROR 22P04: column name mismatch in header line field 2: got null "
                        "value (\"\\N\"), expected \"b\" | COPY t, line 1: \"a\t\\N\"");
    assert_string_equal(DEC(AB, OPTS("header", "match"), "A\tb\n"),
                        "ERROR 22P04: column name mismatch in header line field 1: got \"A\", "
                        "expected \"a\" | COPY t, line 1: \"A\tb\"");
    assert_string_equal(DEC(AB, OPTS("header", "match"), "a\n"),
                        "ERROR 22P04: wrong number of fields in header line: got 1, expected 2"
                        " | COPY t, line 1: \"a\"");
    assert_string_equal(DEC("a:varchar2", NOOPT, "abc\n"),
                        "ERROR 22001: value too long for type character varying(2) | "
                        "COPY t, line 1, column a: \"abc\"");
    char long_line[400];
    memset(long_line, 'x', 300);
    memcpy(long_line + 300, "\n", 2);
    char want[256] = "COPY t, line 1, column a: \"";
    memset(want + strlen(want), 'x', 100);
    strcat(want, "...\"");
    const char *got = t_decode_n("a:int4", NOOPT, long_line, 301);
    assert_non_null(strstr(got, "ERROR 22P02: invalid input syntax for type integer: \"xxx"));
    assert_non_null(strstr(got, want));
}

#define CSV OPTS("format", "csv")

static void test_sql_copy_csv_input(void **state) {
    (void)state;
    assert_string_equal(DEC(AB, CSV, "a,b\n\"\",\n\"x\"\"y\",a\"b,c\"d\n"),
                        "a|b;|N;x\"y|ab,cd");
    assert_string_equal(DEC(AB, CSV, "\"a\nb\",c\n"), "a\nb|c");
    assert_string_equal(DEC(AB, CSV, "\"a\r\nb\",c\r\n"), "a\r\nb|c");
    assert_string_equal(DEC(AB, CSV, "a,b\n\\.\nc,d\n"), "a|b");
    assert_string_equal(DEC(AB, CSV, "a,\"b\"x\n"), "a|bx");
    assert_string_equal(DEC(AB, CSV, " a , b \n"), " a | b ");
    assert_string_equal(DEC(AB, CSV, "a,b\n\"\\.\",x\n"), "a|b;\\.|x");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "escape", "'\\"),
                            "\"a\\\"b\",\"c\\\\d\\e\"\n"), "a\"b|c\\d\\e");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "quote", "''"), "'a''b',\"c\"\n"),
                        "a'b|\"c\"");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "null", "'N"), "N,\"N\"\n"), "N|N");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "null", "'N", "force_not_null", "(a)"),
                            "N,N\n"), "N|N");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "force_not_null", "(a,b)"), ",\n"), "|");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "force_null", "(a)"), "\"\",\"\"\n"),
                        "N|");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "header", "match"), "a,\"b\"\nc,d\n"),
                        "c|d");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "delimiter", "'|"), "a|b\n"), "a|b");
    assert_string_equal(DEC("a:int4", CSV, "1\n\n2\n"), "1;N;2");
}

static void test_sql_copy_csv_input_errors(void **state) {
    (void)state;
    assert_string_equal(DEC(AB, CSV, "a,b\nc\rd\n"),
                        "ERROR 22P04: unquoted carriage return found in data | COPY t, line 2 |"
                        " HINT Use quoted CSV field to represent carriage return.");
    assert_string_equal(DEC(AB, CSV, "a,b\r\nc,d\n"),
                        "ERROR 22P04: unquoted newline found in data | COPY t, line 2 | "
                        "HINT Use quoted CSV field to represent newline.");
    assert_string_equal(DEC(AB, CSV, "\"a,b\n"),
                        "ERROR 22P04: unterminated CSV quoted field | COPY t, line 1: \"\"a,b\n\"");
    assert_string_equal(DEC(AB, CSV, "a,b\nx\\.\n"),
                        "ERROR 22P04: missing data for column \"b\" | COPY t, line 2: \"x\\.\"");
    assert_string_equal(DEC(AB, CSV, "a,b\n\\."),
                        "ERROR 22P04: missing data for column \"b\" | COPY t, line 2: \"\\.\"");
    assert_string_equal(DEC(AB, CSV, "a,b,c\n"),
                        "ERROR 22P04: extra data after last expected column | "
                        "COPY t, line 1: \"a,b,c\"");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "header", "match"), "a,\nc,d\n"),
                        "ERROR 22P04: column name mismatch in header line field 2: got null "
                        "value (\"\"), expected \"b\" | COPY t, line 1: \"a,\"");
    assert_string_equal(DEC(AB, OPTS("format", "csv", "delimiter", "'|"), "a|b|\n"),
                        "ERROR 22P04: extra data after last expected column | "
                        "COPY t, line 1: \"a|b|\"");
}

/* ---- encoding ---- */

typedef struct t_sink {
    char data[65536];
    uint32_t len;
    uint32_t writes;
} t_sink;

static bool t_write(void *arg, const void *data, uint32_t len, rt_err *err) {
    (void)err;
    t_sink *s = arg;
    assert_true(s->len + len < sizeof s->data);
    memcpy(s->data + s->len, data, len);
    s->len += len;
    s->writes++;
    return true;
}

/* Encodes rows given as text ("v|v;v|v", "N" = NULL) of columns `colspec`. */
static t_sink *t_encode(const char *colspec, const char *const *pairs, const char *rows) {
    static t_sink sink;
    memset(&sink, 0, sizeof sink);
    sql_list l = t_opts(pairs);
    sql_copy_opts o;
    rt_err err;
    rt_err_clear(&err);
    sql_copy_col cols[16];
    uint32_t ncols = t_cols(colspec, cols);
    const char *names[16];
    for (uint32_t i = 0; i < ncols; i++) names[i] = cols[i].name;
    assert_true(sql_copy_opts_parse(&l, false, &o, &err));
    assert_true(sql_copy_opts_columns(&o, g_arena, NULL, NULL, 0, names, ncols, &err));
    sql_fmt fmt = {.extra_float_digits = 1};
    sql_io_ctx io = {.arena = g_arena, .fmt = &fmt, .err = &err};
    sql_batch *b = sql_batch_new(g_arena, ncols, 16);
    for (uint32_t k = 0; k < ncols; k++) {
        sql_vec_init(g_arena, &b->cols[k], cols[k].type_oid, cols[k].typmod, 16);
    }
    char *copy = rt_arena_strdup(g_arena, rows);
    char *save_row = NULL;
    for (char *row = strtok_r(copy, ";", &save_row); row != NULL;
         row = strtok_r(NULL, ";", &save_row)) {
        char *p = row;
        for (uint32_t k = 0; k < ncols; k++) {
            char *bar = strchr(p, '|');
            if (bar != NULL) *bar = '\0';
            sql_value v = {.type_oid = cols[k].type_oid, .is_null = true};
            if (strcmp(p, "N") != 0 &&
                !sql_value_in(&io, cols[k].type_oid, p, (uint32_t)strlen(p), -1, &v)) {
                fail_msg("%s", t_err_text(&err));
            }
            sql_vec_set(&b->cols[k], b->rows, &v);
            p = bar != NULL ? bar + 1 : p + strlen(p);
        }
        b->rows++;
    }
    sql_copy_writer w;
    assert_true(sql_copy_writer_init(&w, &o, cols, ncols, t_write, &sink, &err));
    assert_true(sql_copy_write_begin(&w, &err));
    assert_true(sql_copy_write_rows(&w, &fmt, b, 0, b->rows, &err));
    assert_true(sql_copy_write_end(&w, &err));
    sql_copy_writer_free(&w);
    sink.data[sink.len] = '\0';
    return &sink;
}

#define ENC(cols, pairs, rows) (t_encode((cols), (pairs), (rows))->data)

static void test_sql_copy_text_output(void **state) {
    (void)state;
    assert_string_equal(ENC("a:int4,b:text", NOOPT, "1|x;N|y"), "1\tx\n\\N\ty\n");
    const char *tricky = "a\nb\tc\\d\re\bf\fg\vh,i";
    char rows[64];
    snprintf(rows, sizeof rows, "%s|N", tricky);
    assert_string_equal(ENC("a:text,b:text", NOOPT, rows),
                        "a\\nb\\tc\\\\d\\re\\bf\\fg\\vh,i\t\\N\n");
    assert_string_equal(ENC("a:text,b:text", OPTS("delimiter", "',"), "x,y|\\."),
                        "x\\,y,\\\\.\n");
    assert_string_equal(ENC("a:text,b:text", OPTS("header", ""), "1|2"), "a\tb\n1\t2\n");
    assert_string_equal(ENC("a:text", OPTS("null", "'NULL"), "N"), "NULL\n");
}

static void test_sql_copy_csv_output(void **state) {
    (void)state;
    assert_string_equal(ENC("a,b:int4;q:text;n:text;e:text;s:text", OPTS("format", "csv",
                                                                       "header", ""),
                            "1|x\"y|N||\\.;2| sp |N|N|N"),
                        "\"a,b\",q,n,e,s\n1,\"x\"\"y\",,\"\",\\.\n2, sp ,,,\n");
    assert_string_equal(ENC("a:text,b:text", CSV, "a\nb|c\rd"), "\"a\nb\",\"c\rd\"\n");
    assert_string_equal(ENC("x:text", CSV, "\\."), "\"\\.\"\n");
    assert_string_equal(ENC("a:int4,b:text,c:text", OPTS("format", "csv", "force_quote", "*"),
                            "1|x|N"), "\"1\",\"x\",\n");
    assert_string_equal(ENC("a:int4,b:text", OPTS("format", "csv", "force_quote", "(b)"),
                            "1|x"), "1,\"x\"\n");
    assert_string_equal(ENC("x:text,y:text,z:text", OPTS("format", "csv", "delimiter", "'|",
                                                         "quote", "''", "escape", "'\\", "null",
                                                         "'NUL", "header", ""),
                            "a|b'c\\d|N"), "x|y|z\na|'b\\'c\\\\d'|NUL\n");
}

/* Each row is one write (one CopyData): psycopg 3's Copy.rows() parses a message as one row.
 * The header line is a write of its own; the binary signature comes with the first row and
 * the binary trailer is a write of its own. */
static void test_sql_copy_one_write_per_row(void **state) {
    (void)state;
    assert_int_equal(t_encode("a:int4", NOOPT, "1;2;3")->writes, 3);
    assert_int_equal(t_encode("a:int4", OPTS("format", "csv", "header", ""), "1;2")->writes, 3);
    assert_int_equal(t_encode("a:int4", OPTS("format", "binary"), "1;2")->writes, 3);
}

static void test_sql_copy_binary_round_trip(void **state) {
    (void)state;
    const char *cols = "a:int4,b:text,c:float8,d:bool,e:int8";
    t_sink *s = t_encode(cols, OPTS("format", "binary"), "1|ab|1.5|t|-9;N|N|N|N|N");
    static const uint8_t head[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0377, '\r', '\n', 0,
                                   0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 1,
                                   0, 0, 0, 2, 'a', 'b'};
    assert_memory_equal(s->data, head, sizeof head);
    uint8_t tail[2 + 5 * 4 + 2]; /* a row of 5 NULLs (length -1 each), the trailer -1 */
    memset(tail, 0xff, sizeof tail);
    tail[0] = 0;
    tail[1] = 5;
    assert_memory_equal(s->data + s->len - sizeof tail, tail, sizeof tail);
    static uint8_t bin[4096];
    uint32_t n = s->len;
    memcpy(bin, s->data, n);
    const char *const *bopt = OPTS("format", "binary");
    assert_string_equal(t_decode_n(cols, bopt, (const char *)bin, n),
                        "1|ab|1.5|t|-9;N|N|N|N|N");
    /* Errors: cut short, wrong field count, bad signature, data after the trailer. */
    assert_string_equal(t_decode_n(cols, bopt, (const char *)bin, n - 7),
                        "ERROR 22P04: unexpected EOF in COPY data | COPY t, line 2");
    assert_string_equal(t_decode_n("a:int4", bopt, (const char *)bin, n),
                        "ERROR 22P04: row field count is 5, expected 1 | COPY t, line 1");
    bin[0] = 'X';
    assert_string_equal(t_decode_n(cols, bopt, (const char *)bin, n),
                        "ERROR 22P04: COPY file signature not recognized");
    bin[0] = 'P';
    bin[n] = 0;
    assert_string_equal(t_decode_n(cols, bopt, (const char *)bin, n + 1),
                        "ERROR 22P04: received copy data after EOF marker | COPY t, line 3");
    bin[12] = 1; /* flags bit 16: WITH OIDS */
    assert_string_equal(t_decode_n(cols, bopt, (const char *)bin, n),
                        "ERROR 22P04: invalid COPY file header (WITH OIDS)");
    bin[12] = 0;
    /* An int4 field of 3 bytes: the type's error (PostgreSQL: 08P01 "insufficient data left
     * in message"), with the column in the context. */
    static const uint8_t bad[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0377, '\r', '\n', 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3, 0xff, 0xff};
    const char *got = t_decode_n("a:int4", bopt, (const char *)bad, sizeof bad);
    assert_non_null(strstr(got, "ERROR "));
    assert_non_null(strstr(got, "COPY t, line 1, column a"));
}

/* Text and CSV output decode back to the same values (with awkward bytes and NULLs). */
static void test_sql_copy_text_csv_round_trip(void **state) {
    (void)state;
    const char *rows = "a\tb\\c|N;\\.|x\"y,z\r\n;|\\N";
    const char *formats[] = {"text", "csv"};
    for (uint32_t f = 0; f < 2; f++) {
        const char *const *pairs = OPTS("format", formats[f]);
        t_sink *s = t_encode("a:text,b:text", pairs, rows);
        char copy[4096];
        memcpy(copy, s->data, s->len + 1);
        assert_string_equal(t_decode_n("a:text,b:text", pairs, copy, s->len), rows);
    }
}

/* Memory stays bounded: a long input decoded batch by batch reuses its buffers. */
static void test_sql_copy_many_rows(void **state) {
    (void)state;
    uint32_t rows = 20000;
    char *data = rt_arena_alloc(g_arena, rows * 16u);
    uint32_t len = 0;
    for (uint32_t i = 0; i < rows; i++) len += (uint32_t)sprintf(data + len, "%u\tv%u\n", i, i);
    sql_list l = {0};
    sql_copy_opts o;
    rt_err err;
    rt_err_clear(&err);
    assert_true(sql_copy_opts_parse(&l, true, &o, &err));
    sql_copy_col cols[2] = {{"a", SQL_T_INT4, -1}, {"b", SQL_T_TEXT, -1}};
    t_input in = {.data = (const uint8_t *)data, .len = len, .piece = 777};
    sql_copy_reader r;
    sql_copy_reader_init(&r, &o, "t", cols, 2, t_read, &in);
    sql_fmt fmt = {0};
    rt_arena *batch_arena = rt_arena_create(64u << 20);
    uint64_t total = 0, sum = 0;
    for (;;) {
        rt_arena_reset(batch_arena);
        sql_io_ctx io = {.arena = batch_arena, .fmt = &fmt, .err = &err};
        sql_batch *b = sql_batch_new(batch_arena, 2, SQL_BATCH_ROWS);
        sql_vec_init(batch_arena, &b->cols[0], SQL_T_INT4, -1, SQL_BATCH_ROWS);
        sql_vec_init(batch_arena, &b->cols[1], SQL_T_TEXT, -1, SQL_BATCH_ROWS);
        assert_true(sql_copy_read_batch(&r, &io, b, &err));
        if (b->rows == 0) break;
        for (uint32_t i = 0; i < b->rows; i++) sum += (uint64_t)b->cols[0].i64[i];
        total += b->rows;
    }
    assert_true(r.line_cap <= 256);
    sql_copy_reader_free(&r);
    rt_arena_destroy(batch_arena);
    assert_int_equal(total, rows);
    assert_int_equal(sum, (uint64_t)rows * (rows - 1) / 2);
}

static int t_setup(void **state) {
    (void)state;
    g_arena = rt_arena_create(256u << 20);
    return 0;
}

static int t_teardown(void **state) {
    (void)state;
    rt_arena_destroy(g_arena);
    return 0;
}

int main(void) {
    sql_types_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sql_copy_options_errors, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_text_input, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_text_input_errors, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_csv_input, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_csv_input_errors, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_text_output, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_csv_output, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_one_write_per_row, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_binary_round_trip, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_text_csv_round_trip, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_sql_copy_many_rows, t_setup, t_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
