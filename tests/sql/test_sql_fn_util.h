/* test_sql_fn_util.h: calls functions and operators through the registry, as the executor
 * does, for the function module tests (test_sql_fn_*.c).
 * Arguments are written as text in their type's input syntax (NULL pointer = SQL NULL) and
 * become one-row columns (or constants, K(), which go through the function's prepare like a
 * literal in a query); the overload is the one whose declared argument types are exactly the
 * given ones (polymorphic slots take any type). The result comes back in its type's output
 * syntax, "<NULL>", or "ERROR <sqlstate>: <message>", which is what the case tables, taken from
 * PostgreSQL 15's output, hold. Set-returning functions give their rows joined by ';'. */
#ifndef TEST_SQL_FN_UTIL_H
#define TEST_SQL_FN_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_expr.h"
#include "sql/sql_pgcat.h"

/* The evaluator links the executor, which names the catalog scan; the catalog module is not in
 * every tree yet. A weak stand-in (these tests never scan the catalog) gives way to it. */
__attribute__((weak)) bool sql_pgcat_scan(struct sql_exec_ctx *x, uint32_t id,
                                          struct sql_rowset *out) {
    (void)x;
    (void)id;
    (void)out;
    return false;
}

typedef struct tf_arg {
    uint32_t type;
    const char *text;   /* NULL: SQL NULL */
    bool is_const;
} tf_arg;

#define A(type, text) ((tf_arg){(type), (text), false})
#define K(type, text) ((tf_arg){(type), (text), true})

/* Short type names of the case tables. */
#define T SQL_T_TEXT
#define I2 SQL_T_INT2
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define F8 SQL_T_FLOAT8
#define B SQL_T_BOOL
#define BA SQL_T_BYTEA
#define NM SQL_T_NAME
#define BP SQL_T_BPCHAR
#define VC SQL_T_VARCHAR
#define TA SQL_T_TEXT_ARRAY
#define I4A SQL_T_INT4_ARRAY
#define I8A SQL_T_INT8_ARRAY
#define F8A SQL_T_FLOAT8_ARRAY
#define BOA SQL_T_BOOL_ARRAY

typedef struct tf_case {
    const char *name;
    bool is_op;
    uint32_t nargs;
    tf_arg args[8];
    const char *expect;
} tf_case;

static rt_arena *tf_arena;
static sql_fmt tf_fmt;

static int tf_setup(void **state) {
    (void)state;
    sql_types_init();
    sql_funcs_init();
    tf_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    tf_fmt.extra_float_digits = 1;
    return 0;
}

static int tf_teardown(void **state) {
    (void)state;
    rt_arena_destroy(tf_arena);
    return 0;
}

/* Does argument type `a` fit formal `f`, with polymorphic slots agreeing on one element type
 * (*elem, 0 until known)? anynonarray takes no arrays. */
static bool tf_fits(uint32_t f, uint32_t a, uint32_t *elem) {
    if (f == a || f == SQL_T_ANY) return true;
    uint32_t e;
    if (f == SQL_T_ANYARRAY) e = sql_type_elem_of(a);
    else if (f == SQL_T_ANYELEMENT) e = a;
    else if (f == SQL_T_ANYNONARRAY) e = sql_type_elem_of(a) == 0 ? a : 0;
    else return false;
    if (e == 0 || (*elem != 0 && *elem != e)) return false;
    *elem = e;
    return true;
}

/* The definition whose declared types match; the resolved element type in *elem. */
static const sql_func_def *tf_find(const char *name, bool is_op, const tf_arg *args,
                                   uint32_t nargs, uint32_t *elem) {
    sql_func_list l = sql_funcs_lookup(name, is_op);
    for (uint32_t k = 0; k < l.count; k++) {
        const sql_func_def *d = l.items[k];
        bool variadic = (d->flags & SQL_F_VARIADIC) != 0;
        if (variadic ? nargs + 1 < d->nargs : nargs != d->nargs) continue;
        bool ok = true;
        *elem = 0;
        for (uint32_t a = 0; a < nargs && ok; a++) {
            ok = tf_fits(d->args[a < d->nargs ? a : d->nargs - 1u], args[a].type, elem);
        }
        if (ok) return d;
    }
    fail_msg("no overload of %s for these argument types", name);
    return NULL;
}

static uint32_t tf_ret_type(const sql_func_def *d, uint32_t elem) {
    if (d->ret == SQL_T_ANYELEMENT) return elem;
    if (d->ret == SQL_T_ANYARRAY) return sql_type_array_of(elem);
    return d->ret;
}

static sql_io_ctx tf_io(rt_err *err) {
    return (sql_io_ctx){.arena = tf_arena, .fmt = &tf_fmt, .err = err};
}

static sql_value tf_value(const tf_arg *a) {
    sql_value v = {.type_oid = a->type, .is_null = a->text == NULL};
    if (v.is_null) return v;
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    if (!sql_value_in(&io, a->type, a->text, (uint32_t)strlen(a->text), -1, &v)) {
        fail_msg("bad test input '%s': %s", a->text, err.message);
    }
    return v;
}

static const char *tf_text(const sql_value *v) {
    if (v->is_null) return "<NULL>";
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 64);
    if (!sql_value_out(&io, v, -1, &sb)) fail_msg("output failed: %s", err.message);
    sql_strbuf_putc(&sb, '\0');
    return sb.data;
}

static const char *tf_error(const rt_err *err) {
    return rt_arena_sprintf(tf_arena, "ERROR %s: %s", err->sqlstate, err->message);
}

/* Builds the call expression over columns 0..nargs-1 (constants for K() arguments). */
static sql_expr *tf_expr(const sql_func_def *d, const tf_arg *args, uint32_t nargs,
                         uint32_t elem) {
    sql_expr *e = sql_expr_new(tf_arena, SQL_X_FUNC, tf_ret_type(d, elem), nargs);
    e->func.def = d;
    for (uint32_t a = 0; a < nargs; a++) {
        if (args[a].is_const) {
            sql_value v = tf_value(&args[a]);
            e->args[a] = sql_expr_const(tf_arena, &v, -1);
        } else {
            e->args[a] = sql_expr_column(tf_arena, a, args[a].type, -1);
        }
    }
    return e;
}

/* Evaluates the call over `rows` rows; row r's argument a is texts[r * nargs + a]. Fills
 * results[r]; returns NULL or the error text. */
static const char *tf_eval_rows(const char *name, bool is_op, const tf_arg *types,
                                uint32_t nargs, const char *const *texts, uint32_t rows,
                                const char **results) {
    uint32_t elem;
    const sql_func_def *d = tf_find(name, is_op, types, nargs, &elem);
    rt_err err;
    rt_err_clear(&err);
    sql_expr *e = tf_expr(d, types, nargs, elem);
    if (d->prepare != NULL && !d->prepare(tf_arena, e, &err)) return tf_error(&err);
    sql_batch *b = sql_batch_new(tf_arena, nargs, rows);
    for (uint32_t a = 0; a < nargs; a++) {
        sql_vec_init(tf_arena, &b->cols[a], types[a].type, -1, rows);
        for (uint32_t r = 0; r < rows; r++) {
            tf_arg one = {types[a].type, texts[r * nargs + a], false};
            sql_value v = tf_value(&one);
            sql_vec_set(&b->cols[a], r, &v);
        }
    }
    b->rows = rows;
    sql_eval_ctx ec = {.arena = tf_arena, .io = tf_io(&err), .err = &err};
    sql_vec *out = sql_eval(&ec, e, b, rows, NULL);
    if (out == NULL) return tf_error(&err);
    for (uint32_t r = 0; r < rows; r++) {
        sql_value v;
        sql_vec_get(out, r, &v);
        results[r] = tf_text(&v);
    }
    return NULL;
}

/* Runs a set-returning function on one set of arguments; rows joined by ';'. */
static const char *tf_srf(const sql_func_def *d, const tf_arg *args, uint32_t nargs) {
    rt_err err;
    rt_err_clear(&err);
    sql_value vals[8];
    for (uint32_t a = 0; a < nargs; a++) {
        vals[a] = tf_value(&args[a]);
        if (vals[a].is_null && (d->flags & SQL_F_STRICT)) return "";
    }
    sql_exec_ctx x;
    memset(&x, 0, sizeof x);
    x.arena = tf_arena;
    x.err = &err;
    x.fmt = tf_fmt;
    sql_rowset rs;
    sql_rowset_init(&rs, tf_arena, 1);
    if (!d->srf(&x, vals, nargs, &rs)) return tf_error(&err);
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 64);
    for (uint64_t r = 0; r < rs.count; r++) {
        if (r > 0) sql_strbuf_putc(&sb, ';');
        sql_strbuf_puts(&sb, tf_text(sql_rowset_row(&rs, r)));
    }
    sql_strbuf_putc(&sb, '\0');
    return sb.data;
}

/* One call on one row (set-returning functions give all their rows). */
static const char *tf_call(const char *name, bool is_op, const tf_arg *args, uint32_t nargs) {
    uint32_t elem;
    const sql_func_def *d = tf_find(name, is_op, args, nargs, &elem);
    if (d->flags & SQL_F_SRF) return tf_srf(d, args, nargs);
    const char *texts[8], *result;
    for (uint32_t a = 0; a < nargs; a++) texts[a] = args[a].text;
    const char *error = tf_eval_rows(name, is_op, args, nargs, texts, 1, &result);
    return error != NULL ? error : result;
}

#define TF_N(...) (sizeof((tf_arg[]){__VA_ARGS__}) / sizeof(tf_arg))
#define FN(name, ...) tf_call(name, false, (tf_arg[]){__VA_ARGS__}, TF_N(__VA_ARGS__))
#define OP(name, ...) tf_call(name, true, (tf_arg[]){__VA_ARGS__}, TF_N(__VA_ARGS__))

/* Runs a table of cases; every mismatch is printed before the test fails. */
static void tf_run_cases(const tf_case *cases, size_t count) {
    int failures = 0;
    for (size_t k = 0; k < count; k++) {
        const tf_case *c = &cases[k];
        const char *got = tf_call(c->name, c->is_op, c->args, c->nargs);
        if (strcmp(got, c->expect) != 0) {
            print_error("case %zu %s: expected [%s] got [%s]\n", k, c->name, c->expect, got);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

#endif
