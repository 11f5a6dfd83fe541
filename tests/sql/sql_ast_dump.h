/* sql_ast_dump.h: prints a parse tree as a compact S-expression, for the parser's tests.
 * Test helper only (header-only, included by tests/sql/test_sql_*.c): the shapes it prints are
 * what the tests compare, e.g. `SELECT a + b * c` gives
 *   (select (targets (target (op + (col a) (op * (col b) (col c))))))
 * Lists print as their elements; absent fields are omitted; names join their parts with '.'. */
#ifndef SQL_AST_DUMP_H
#define SQL_AST_DUMP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_ast.h"

typedef struct dump_buf {
    char *s;
    size_t len, cap;
} dump_buf;

static void dump_put(dump_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dump_put(dump_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void dump_node(dump_buf *b, const void *n);

static void dump_name(dump_buf *b, const sql_name *name) {
    for (uint32_t i = 0; i < name->count; i++) dump_put(b, "%s%s", i ? "." : "", name->parts[i]);
}

static void dump_list(dump_buf *b, const char *tag, const sql_list *l) {
    if (l->count == 0) return;
    dump_put(b, " (%s", tag);
    for (uint32_t i = 0; i < l->count; i++) {
        dump_put(b, " ");
        dump_node(b, l->items[i]);
    }
    dump_put(b, ")");
}

static void dump_strs(dump_buf *b, const char *tag, const sql_list *l) {
    if (l->count == 0) return;
    dump_put(b, " (%s", tag);
    for (uint32_t i = 0; i < l->count; i++) dump_put(b, " %s", (const char *)l->items[i]);
    dump_put(b, ")");
}

static void dump_opt(dump_buf *b, const char *tag, const void *n) {
    if (n == NULL) return;
    dump_put(b, " (%s ", tag);
    dump_node(b, n);
    dump_put(b, ")");
}

static void dump_str(dump_buf *b, const char *tag, const char *s) {
    if (s != NULL) dump_put(b, " (%s %s)", tag, s);
}

static void dump_flag(dump_buf *b, const char *tag, bool on) {
    if (on) dump_put(b, " %s", tag);
}

static void dump_const(dump_buf *b, const sql_const *c) {
    switch (c->const_kind) {
    case SQL_CONST_NULL: dump_put(b, "null"); break;
    case SQL_CONST_BOOL: dump_put(b, "%s", c->bool_value ? "true" : "false"); break;
    case SQL_CONST_INTEGER: dump_put(b, "%lld", (long long)c->int_value); break;
    case SQL_CONST_NUMERIC: dump_put(b, "(num %s)", c->text); break;
    case SQL_CONST_STRING: dump_put(b, "'%s'", c->text); break;
    case SQL_CONST_BITSTRING: dump_put(b, "(bits %s)", c->text); break;
    }
}

static void dump_type(dump_buf *b, const sql_typename *t) {
    dump_put(b, "(type ");
    dump_name(b, &t->name);
    dump_list(b, "mods", &t->typmods);
    if (t->array_dims) dump_put(b, " []x%u", t->array_dims);
    if (t->interval_fields >= 0) dump_put(b, " (fields %d)", t->interval_fields);
    dump_flag(b, "setof", t->setof);
    dump_flag(b, "%type", t->pct_type);
    dump_put(b, ")");
}

static void dump_func(dump_buf *b, const sql_func *f) {
    dump_put(b, "(func ");
    dump_name(b, &f->name);
    dump_flag(b, "*", f->agg_star);
    dump_flag(b, "distinct", f->agg_distinct);
    dump_flag(b, "variadic", f->func_variadic);
    for (uint32_t i = 0; i < f->args.count; i++) {
        const char *an = f->arg_names.count > i ? f->arg_names.items[i] : NULL;
        dump_put(b, " ");
        if (an != NULL) dump_put(b, "%s=>", an);
        dump_node(b, f->args.items[i]);
    }
    dump_list(b, f->agg_within_group ? "within" : "order", &f->agg_order);
    dump_opt(b, "filter", f->agg_filter);
    dump_opt(b, "over", f->over);
    dump_put(b, ")");
}

static void dump_window(dump_buf *b, const sql_windowdef *w) {
    static const char *const bounds[] = {"none", "unbounded-preceding", "preceding",
                                         "current-row", "following", "unbounded-following"};
    dump_put(b, "(window");
    dump_str(b, "name", w->name);
    dump_str(b, "ref", w->refname);
    dump_list(b, "partition", &w->partition_by);
    dump_list(b, "order", &w->order_by);
    if (w->frame_mode != SQL_FRAME_DEFAULT) {
        static const char *const modes[] = {"", "rows", "range", "groups"};
        dump_put(b, " (%s %s", modes[w->frame_mode], bounds[w->start_kind]);
        dump_opt(b, "off", w->start_offset);
        if (w->end_kind != SQL_BOUND_NONE) dump_put(b, " %s", bounds[w->end_kind]);
        dump_opt(b, "off", w->end_offset);
        if (w->exclude) dump_put(b, " exclude%d", (int)w->exclude);
        dump_put(b, ")");
    }
    dump_put(b, ")");
}

static void dump_select(dump_buf *b, const sql_select *s) {
    static const char *const ops[] = {"", "union", "intersect", "except"};
    if (s->op != SQL_SETOP_NONE) {
        dump_put(b, "(%s%s ", ops[s->op], s->op_all ? "-all" : "");
        dump_node(b, s->left);
        dump_put(b, " ");
        dump_node(b, s->right);
    } else {
        dump_put(b, s->values.count ? "(values" : "(select");
    }
    if (s->with) {
        dump_put(b, " (with%s", s->with->recursive ? "-recursive" : "");
        for (uint32_t i = 0; i < s->with->ctes.count; i++) {
            dump_put(b, " ");
            dump_node(b, s->with->ctes.items[i]);
        }
        dump_put(b, ")");
    }
    dump_flag(b, "distinct", s->distinct);
    dump_list(b, "on", &s->distinct_on);
    dump_list(b, "targets", &s->targets);
    for (uint32_t i = 0; i < s->values.count; i++) dump_list(b, "row", s->values.items[i]);
    dump_opt(b, s->into_temp ? "into-temp" : "into", s->into);
    dump_list(b, "from", &s->from);
    dump_opt(b, "where", s->where);
    dump_flag(b, "group-distinct", s->group_distinct);
    dump_list(b, "group", &s->group_by);
    dump_opt(b, "having", s->having);
    dump_list(b, "windows", &s->windows);
    dump_list(b, "order", &s->order_by);
    dump_opt(b, s->limit_with_ties ? "limit-ties" : "limit", s->limit);
    dump_opt(b, "offset", s->offset);
    dump_list(b, "locking", &s->locking);
    dump_put(b, ")");
}

#include "sql_ast_dump_stmt.h"

/* Returns a malloc'd string; the caller frees it. */
static char *sql_ast_dump(const void *n) {
    dump_buf b = {0};
    dump_node(&b, n);
    return b.s;
}

#endif
