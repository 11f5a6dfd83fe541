/* sql_ixexpr.c: the deparser of index expressions and predicates, their immutability check,
 * and the per-thread cache of bound definitions behind the engine's evaluator (sql_ixexpr.h).
 * The deparser follows what PostgreSQL 15's pg_get_indexdef prints: every operator, boolean
 * and IS [NOT] NULL test in its own parentheses ("(a + 1)"), casts as "(x)::type", constants
 * labelled with their type unless the literal says it ("'x'::text", "(0)::numeric", "42");
 * the pretty form (psql) drops the parentheses the precedence makes unnecessary. */
#include <pthread.h>
#include <string.h>

#include "engine/eng_part.h"
#include "runtime/rt_assert.h"
#include "sql/sql_bind.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_types.h"

extern const sql_func_def sql_cast_def;
extern const char sql_cast_implicit_mark;

typedef struct sql_dp {
    sql_strbuf *sb;
    const eng_table *t;
    const uint16_t *attnums;
    uint32_t natts;
    bool pretty;
    bool ok;
    uint32_t indent;         /* spaces a new line starts with (CASE) */
} sql_dp;

#define SQL_DP_INDENT 4u     /* PostgreSQL's PRETTYINDENT_VAR */

static void sql_dp_expr(sql_dp *d, const sql_expr *e, const sql_expr *parent);

static bool sql_dp_is_cast(const sql_expr *e) {
    return (e->kind == SQL_X_FUNC && e->func.def == &sql_cast_def) || e->kind == SQL_X_COERCE;
}

static bool sql_dp_is_op(const sql_expr *e) {
    return e->kind == SQL_X_FUNC && e->func.def != NULL && e->func.def->is_operator;
}

static bool sql_dp_is_call(const sql_expr *e) {
    return (e->kind == SQL_X_FUNC && !sql_dp_is_op(e) && !sql_dp_is_cast(e)) ||
           e->kind == SQL_X_COALESCE || e->kind == SQL_X_MINMAX || e->kind == SQL_X_NULLIF;
}

static bool sql_dp_is_bool(const sql_expr *e) {
    return e->kind == SQL_X_AND || e->kind == SQL_X_OR || e->kind == SQL_X_NOT;
}

/* PostgreSQL's isSimpleNode for a node below a non-operator parent. */
static bool sql_dp_simple_below(const sql_expr *parent) {
    if (sql_dp_is_cast(parent)) return false;
    return sql_dp_is_call(parent) || sql_dp_is_bool(parent);
}

/* Operator priority as ruleutils sees it: 2 for * / %, 1 for + -, 0 for anything else. */
static int sql_dp_prio(const sql_expr *e) {
    if (!sql_dp_is_op(e) || e->nargs != 2) return 0;
    char c = e->func.def->name[0];
    return strchr("*/%", c) != NULL ? 2 : strchr("+-", c) != NULL ? 1 : 0;
}

/* Whether `e` below `parent` prints without parentheses of its own in pretty mode. */
static bool sql_dp_simple(const sql_expr *e, const sql_expr *parent) {
    if (sql_dp_is_op(e)) {
        if (!sql_dp_is_op(parent)) return sql_dp_simple_below(parent);
        int mine = sql_dp_prio(e), theirs = sql_dp_prio(parent);
        if (mine == 0 || theirs == 0) return false;
        if (mine > theirs) return true;
        if (mine < theirs) return false;
        return parent->args[0] == e; /* (a - b) - c, not a - (b - c) */
    }
    if (e->kind == SQL_X_NULLTEST || e->kind == SQL_X_BOOLTEST || e->kind == SQL_X_DISTINCT) {
        return sql_dp_simple_below(parent);
    }
    if (sql_dp_is_bool(e)) {
        if (sql_dp_is_bool(parent)) {
            if (parent->kind == SQL_X_NOT) return false;
            return e->kind != SQL_X_OR || parent->kind == SQL_X_OR;
        }
        return !sql_dp_is_cast(parent) && sql_dp_is_call(parent);
    }
    return true;
}

static void sql_dp_child(sql_dp *d, const sql_expr *e, const sql_expr *parent) {
    bool paren = d->pretty && !sql_dp_simple(e, parent);
    if (paren) sql_strbuf_putc(d->sb, '(');
    sql_dp_expr(d, e, parent);
    if (paren) sql_strbuf_putc(d->sb, ')');
}

static void sql_dp_open(sql_dp *d) {
    if (!d->pretty) sql_strbuf_putc(d->sb, '(');
}

static void sql_dp_close(sql_dp *d) {
    if (!d->pretty) sql_strbuf_putc(d->sb, ')');
}

static void sql_dp_literal(sql_strbuf *sb, const char *s, uint32_t n) {
    sql_strbuf_putc(sb, '\'');
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\'') sql_strbuf_putc(sb, '\'');
        sql_strbuf_putc(sb, s[i]);
    }
    sql_strbuf_putc(sb, '\'');
}

static bool sql_dp_numeric_type(uint32_t t) {
    return t == SQL_T_INT2 || t == SQL_T_INT4 || t == SQL_T_INT8 || t == SQL_T_NUMERIC ||
           t == SQL_T_FLOAT4 || t == SQL_T_FLOAT8;
}

/* A constant as get_const_expr prints it. */
static void sql_dp_const(sql_dp *d, const sql_expr *e) {
    sql_strbuf *sb = d->sb;
    uint32_t type = e->type_oid;
    if (e->constval.is_null) {
        sql_strbuf_puts(sb, "NULL::");
        sql_type_format(type, e->typmod, sb);
        return;
    }
    if (type == SQL_T_BOOL) {
        sql_strbuf_puts(sb, e->constval.i64 != 0 ? "true" : "false");
        return;
    }
    rt_err tmp;
    rt_err_clear(&tmp);
    sql_fmt fmt = {0};
    fmt.extra_float_digits = 1;
    sql_io_ctx io = {.arena = sb->arena, .fmt = &fmt, .err = &tmp};
    sql_strbuf text;
    sql_strbuf_init(&text, sb->arena, 32);
    sql_value v = e->constval;
    v.type_oid = type;
    if (!sql_value_out(&io, &v, e->typmod, &text)) {
        d->ok = false;
        return;
    }
    const char *s = text.data != NULL ? text.data : "";
    uint32_t n = text.len;
    bool plain = n > 0 && sql_dp_numeric_type(type) && s[0] != '-' && s[0] != '+';
    for (uint32_t i = 0; plain && i < n; i++) plain = strchr("0123456789eE.", s[i]) != NULL;
    bool label = true;
    if (plain) {
        bool is_float = memchr(s, '.', n) != NULL || memchr(s, 'e', n) != NULL ||
                        memchr(s, 'E', n) != NULL;
        label = !(type == SQL_T_INT4 || (type == SQL_T_NUMERIC && is_float));
        bool paren = label && !d->pretty;
        if (paren) sql_strbuf_putc(sb, '(');
        sql_strbuf_append(sb, s, n);
        if (paren) sql_strbuf_putc(sb, ')');
    } else {
        sql_dp_literal(sb, s, n);
    }
    if (label) {
        sql_strbuf_puts(sb, "::");
        sql_type_format(type, e->typmod, sb);
    }
}

static void sql_dp_column(sql_dp *d, const sql_expr *e) {
    uint32_t i = e->column.index;
    uint32_t att = d->attnums != NULL ? (i < d->natts ? d->attnums[i] : 0) : i + 1;
    const eng_column *c = eng_table_column_by_attnum(d->t, (uint16_t)att);
    if (c == NULL || e->kind != SQL_X_COLUMN) {
        d->ok = false;
        return;
    }
    pc_quote_ident(d->sb, c->name);
}

/* "(x)::type", or "x::type" pretty (x in parentheses when it needs them). */
static void sql_dp_cast(sql_dp *d, const sql_expr *arg, uint32_t type, int32_t typmod,
                        const sql_expr *parent) {
    if (arg->kind == SQL_X_CONST && arg->type_oid == SQL_T_UNKNOWN) {
        sql_value v = arg->constval;
        sql_dp_literal(d->sb, (const char *)v.b.ptr, v.b.len);
    } else {
        sql_dp_open(d);
        sql_dp_child(d, arg, parent);
        sql_dp_close(d);
    }
    sql_strbuf_puts(d->sb, "::");
    sql_type_format(type, typmod, d->sb);
}

static bool sql_dp_int(uint32_t t) {
    return t == SQL_T_INT2 || t == SQL_T_INT4 || t == SQL_T_INT8;
}

/* Whether argument i of `call` is a widening the binder put in between integer types where
 * PostgreSQL has a cross-type operator (+ - * / and the comparisons between int2, int4 and
 * int8): there it keeps each side's type, and prints `a + c`, not `(a)::bigint + c`. */
static bool sql_dp_needless_widening(const sql_expr *call, uint32_t i) {
    static const char *const ops[] = {"+", "-", "*", "/", "=", "<>", "<", "<=", ">", ">="};
    const sql_expr *a = call->args[i];
    if (call->nargs != 2 || call->func.def == NULL || !call->func.def->is_operator ||
        a->kind != SQL_X_FUNC || a->func.def != &sql_cast_def ||
        a->func.state != (const void *)&sql_cast_implicit_mark || !sql_dp_int(a->type_oid) ||
        !sql_dp_int(a->args[0]->type_oid) || a->args[0]->type_oid == a->type_oid ||
        call->args[1 - i]->type_oid != a->type_oid) {
        return false;
    }
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        if (strcmp(call->func.def->name, ops[k]) == 0) return true;
    }
    return false;
}

/* An argument of a call or operator: varchar where text is declared shows its cast, as the
 * relabelling PostgreSQL's parser puts there does. */
static void sql_dp_arg(sql_dp *d, const sql_expr *call, uint32_t i) {
    const sql_expr *a = call->args[i];
    if (sql_dp_needless_widening(call, i)) {
        sql_dp_child(d, a->args[0], call);
        return;
    }
    /* PostgreSQL keeps `b > 42` on a bigint as int8-vs-int4 (cross-type operators); the binder
     * here widens the literal, which printed as the int4 it was written as. */
    if (a->kind == SQL_X_FUNC && a->func.def == &sql_cast_def && a->type_oid == SQL_T_INT8 &&
        a->args[0]->kind == SQL_X_CONST && a->args[0]->type_oid == SQL_T_INT4) {
        a = a->args[0]; /* the binder's widening of an int4 literal */
        if (call->nargs == 2 && call->args[1 - i]->type_oid == SQL_T_INT8 &&
            call->func.def != NULL && call->func.def->is_operator) {
            sql_dp_const(d, a);
            return;
        }
        a = call->args[i];
    }
    if (call->nargs == 2 && a->kind == SQL_X_CONST && a->type_oid == SQL_T_INT8 &&
        !a->constval.is_null && a->constval.i64 >= INT32_MIN && a->constval.i64 <= INT32_MAX &&
        call->args[1 - i]->type_oid == SQL_T_INT8 && call->args[1 - i]->kind != SQL_X_CONST &&
        call->func.def != NULL && call->func.def->is_operator) {
        sql_expr narrow = *a;
        narrow.type_oid = SQL_T_INT4;
        narrow.constval.type_oid = SQL_T_INT4;
        sql_dp_const(d, &narrow);
        return;
    }
    const sql_func_def *def = call->func.def;
    uint32_t declared = def != NULL && i < def->nargs ? def->args[i] : 0;
    if (declared == SQL_T_TEXT && (a->type_oid == SQL_T_VARCHAR || a->type_oid == SQL_T_BPCHAR)) {
        sql_dp_cast(d, a, SQL_T_TEXT, -1, call);
        return;
    }
    sql_dp_child(d, a, call);
}

static void sql_dp_call(sql_dp *d, const char *name, const sql_expr *e) {
    sql_strbuf_puts(d->sb, name);
    sql_strbuf_putc(d->sb, '(');
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (i > 0) sql_strbuf_puts(d->sb, ", ");
        if (e->kind == SQL_X_FUNC) sql_dp_arg(d, e, i);
        else sql_dp_child(d, e->args[i], e);
    }
    sql_strbuf_putc(d->sb, ')');
}

static void sql_dp_func(sql_dp *d, const sql_expr *e, const sql_expr *parent) {
    const sql_func_def *def = e->func.def;
    if (def == &sql_cast_def) {
        sql_dp_cast(d, e->args[0], e->type_oid, e->typmod, e);
        (void)parent;
        return;
    }
    if (!def->is_operator) {
        sql_dp_call(d, def->name, e);
        return;
    }
    sql_dp_open(d);
    if (e->nargs == 2) {
        sql_dp_arg(d, e, 0);
        sql_strbuf_printf(d->sb, " %s ", def->name);
        sql_dp_arg(d, e, 1);
    } else if (e->nargs == 1) {
        sql_strbuf_printf(d->sb, "%s ", def->name);
        sql_dp_arg(d, e, 0);
    } else {
        d->ok = false;
    }
    sql_dp_close(d);
}

/* AND / OR: its arguments, and those of a first argument of the same kind (a left-nested
 * chain, as the parser builds `a AND b AND c`), one list. */
static void sql_dp_bool(sql_dp *d, const sql_expr *e, const sql_expr *top) {
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (i > 0) sql_strbuf_puts(d->sb, top->kind == SQL_X_AND ? " AND " : " OR ");
        const sql_expr *a = e->args[i];
        if (i == 0 && a->kind == top->kind) sql_dp_bool(d, a, top);
        else sql_dp_child(d, a, top);
    }
}

/* A new line at the current indentation (PostgreSQL's PRETTY_INDENT, which pg_get_expr and
 * pg_get_indexdef use in both forms), trailing spaces dropped first. */
static void sql_dp_newline(sql_dp *d, uint32_t extra) {
    while (d->sb->len > 0 && d->sb->data[d->sb->len - 1] == ' ') d->sb->len--;
    sql_strbuf_putc(d->sb, '\n');
    for (uint32_t i = 0; i < d->indent + extra; i++) sql_strbuf_putc(d->sb, ' ');
}

/* CASE WHEN c THEN r ... ELSE x END on lines of their own; a CASE without ELSE shows the
 * ELSE NULL PostgreSQL's parser adds. */
static void sql_dp_case(sql_dp *d, const sql_expr *e) {
    sql_dp_newline(d, 0);
    sql_strbuf_puts(d->sb, "CASE");
    d->indent += SQL_DP_INDENT;
    for (uint32_t w = 0; w + 1 < e->nargs; w += 2) {
        sql_dp_newline(d, 0);
        sql_strbuf_puts(d->sb, "WHEN ");
        sql_dp_expr(d, e->args[w], e);
        sql_strbuf_puts(d->sb, " THEN ");
        sql_dp_expr(d, e->args[w + 1], e);
    }
    sql_dp_newline(d, 0);
    sql_strbuf_puts(d->sb, "ELSE ");
    if (e->nargs % 2 == 1) {
        sql_dp_expr(d, e->args[e->nargs - 1], e);
    } else {
        sql_strbuf_puts(d->sb, "NULL::");
        sql_type_format(e->type_oid, e->typmod, d->sb);
    }
    d->indent -= SQL_DP_INDENT;
    sql_dp_newline(d, 0);
    sql_strbuf_puts(d->sb, "END");
}

/* "x = ANY (" / "x <> ALL (" of a ScalarArrayOpExpr, in parentheses except where pretty
 * printing leaves them to a parent that needs them (not at the top, nor in a CASE). */
static bool sql_dp_scalar_array(sql_dp *d, const sql_expr *x, const char *op, bool all,
                                const sql_expr *self, const sql_expr *parent) {
    bool paren = !d->pretty || (parent != NULL && parent->kind != SQL_X_CASE);
    if (paren) sql_strbuf_putc(d->sb, '(');
    sql_dp_child(d, x, self);
    sql_strbuf_printf(d->sb, " %s %s (", op, all ? "ALL" : "ANY");
    return paren;
}

static bool sql_dp_has_column(const sql_expr *e) {
    if (e->kind == SQL_X_COLUMN) return true;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (sql_dp_has_column(e->args[i])) return true;
    }
    return false;
}

/* One term of an IN list: x op element. */
static void sql_dp_in_term(sql_dp *d, const sql_expr *e, uint32_t i, const char *op) {
    if (!d->pretty) sql_strbuf_putc(d->sb, '(');
    sql_dp_child(d, e->args[0], e);
    sql_strbuf_printf(d->sb, " %s ", op);
    sql_dp_child(d, e->args[i], e);
    if (!d->pretty) sql_strbuf_putc(d->sb, ')');
}

/* x [NOT] IN (...) as PostgreSQL's parser rewrites it: the elements without columns, when
 * more than one, in one "x = ANY (ARRAY[...])" (NOT IN: "<> ALL"), the others each compared
 * on their own, all joined by OR (AND) pairwise, left to right. */
static void sql_dp_in_list(sql_dp *d, const sql_expr *e, const sql_expr *parent) {
    bool not_in = e->test.is_not;
    const char *op = not_in ? "<>" : "=";
    uint32_t consts = 0;
    for (uint32_t i = 1; i < e->nargs; i++) consts += !sql_dp_has_column(e->args[i]);
    bool grouped = consts > 1;
    uint32_t terms = (grouped ? 1 : 0) + (e->nargs - 1 - (grouped ? consts : 0));
    bool outer = d->pretty && terms > 1 && parent != NULL && parent->kind != SQL_X_CASE &&
                 parent->kind != (not_in ? SQL_X_AND : SQL_X_OR);
    if (outer) sql_strbuf_putc(d->sb, '(');
    for (uint32_t t = 1; t < terms && !d->pretty; t++) sql_strbuf_putc(d->sb, '(');
    bool first = true;
    if (grouped) {
        /* under the OR (AND) of the other terms when there are some */
        bool paren = sql_dp_scalar_array(d, e->args[0], op, not_in, e,
                                         terms > 1 ? e : parent);
        sql_strbuf_puts(d->sb, "ARRAY[");
        for (uint32_t i = 1, k = 0; i < e->nargs; i++) {
            if (sql_dp_has_column(e->args[i])) continue;
            if (k++ > 0) sql_strbuf_puts(d->sb, ", ");
            sql_dp_child(d, e->args[i], e);
        }
        sql_strbuf_puts(d->sb, paren ? "]))" : "])");
        first = false;
    }
    for (uint32_t i = 1; i < e->nargs; i++) {
        if (grouped && !sql_dp_has_column(e->args[i])) continue;
        if (!first) sql_strbuf_puts(d->sb, not_in ? " AND " : " OR ");
        sql_dp_in_term(d, e, i, op);
        if (!first && !d->pretty) sql_strbuf_putc(d->sb, ')');
        first = false;
    }
    if (outer) sql_strbuf_putc(d->sb, ')');
}

static void sql_dp_any_all(sql_dp *d, const sql_expr *e, const sql_expr *parent) {
    if (e->nargs != 2 || e->anyall.op == NULL) {
        d->ok = false;
        return;
    }
    bool paren = sql_dp_scalar_array(d, e->args[0], e->anyall.op->name, e->anyall.is_all, e,
                                     parent);
    sql_dp_child(d, e->args[1], e);
    sql_strbuf_puts(d->sb, paren ? "))" : ")");
}

static void sql_dp_array(sql_dp *d, const sql_expr *e) {
    sql_strbuf_puts(d->sb, "ARRAY[");
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (i > 0) sql_strbuf_puts(d->sb, ", ");
        sql_dp_child(d, e->args[i], e);
    }
    sql_strbuf_putc(d->sb, ']');
}

static void sql_dp_test(sql_dp *d, const sql_expr *e) {
    static const char *const tests[] = {"TRUE", "FALSE", "UNKNOWN"};
    sql_dp_open(d);
    sql_dp_child(d, e->args[0], e);
    if (e->kind == SQL_X_NULLTEST) {
        sql_strbuf_puts(d->sb, e->test.is_not ? " IS NOT NULL" : " IS NULL");
    } else if (e->booltest.test >= 1 && e->booltest.test <= 3) {
        sql_strbuf_printf(d->sb, " IS %s%s", e->booltest.is_not ? "NOT " : "",
                          tests[e->booltest.test - 1]);
    } else {
        d->ok = false;
    }
    sql_dp_close(d);
}

static void sql_dp_expr(sql_dp *d, const sql_expr *e, const sql_expr *parent) {
    if (!d->ok) return;
    switch (e->kind) {
    case SQL_X_COLUMN: sql_dp_column(d, e); break;
    case SQL_X_CONST: sql_dp_const(d, e); break;
    case SQL_X_FUNC:
        if (e->func.def == NULL) d->ok = false;
        else sql_dp_func(d, e, parent);
        break;
    case SQL_X_COERCE: sql_dp_cast(d, e->args[0], e->type_oid, e->typmod, e); break;
    case SQL_X_AND:
    case SQL_X_OR:
        sql_dp_open(d);
        sql_dp_bool(d, e, e);
        sql_dp_close(d);
        break;
    case SQL_X_CASE: sql_dp_case(d, e); break;
    case SQL_X_IN_LIST: sql_dp_in_list(d, e, parent); break;
    case SQL_X_ANY_ALL: sql_dp_any_all(d, e, parent); break;
    case SQL_X_ARRAY: sql_dp_array(d, e); break;
    case SQL_X_NOT:
        sql_dp_open(d);
        sql_strbuf_puts(d->sb, "NOT ");
        sql_dp_child(d, e->args[0], e);
        sql_dp_close(d);
        break;
    case SQL_X_NULLTEST:
        if (e->nargs != 1) d->ok = false;
        else sql_dp_test(d, e);
        break;
    case SQL_X_BOOLTEST: sql_dp_test(d, e); break;
    case SQL_X_COALESCE: sql_dp_call(d, "COALESCE", e); break;
    case SQL_X_MINMAX: sql_dp_call(d, e->minmax.greatest ? "GREATEST" : "LEAST", e); break;
    case SQL_X_NULLIF: sql_dp_call(d, "NULLIF", e); break;
    default: d->ok = false; break;
    }
}

bool sql_ixexpr_deparse(sql_strbuf *sb, const eng_table *t, const uint16_t *attnums,
                        uint32_t natts, const sql_expr *e, bool pretty) {
    sql_dp d = {.sb = sb, .t = t, .attnums = attnums, .natts = natts, .pretty = pretty,
                .ok = true};
    sql_dp_expr(&d, e, NULL);
    return d.ok && !sb->failed;
}

bool sql_ixexpr_column_text(sql_strbuf *sb, const eng_table *t, const uint16_t *attnums,
                            uint32_t natts, const sql_expr *e, bool pretty) {
    /* looks_like_function: a plain call (not a cast) prints without the extra parentheses */
    bool call = sql_dp_is_call(e);
    if (!call) sql_strbuf_putc(sb, '(');
    bool ok = sql_ixexpr_deparse(sb, t, attnums, natts, e, pretty);
    if (!call) sql_strbuf_putc(sb, ')');
    return ok;
}

/* Binds `len` bytes of `text` over table t's columns in sb's arena; NULL when it does not. */
static sql_expr *sql_ixexpr_bind_text(sql_strbuf *sb, const eng_catalog *catalog,
                                      const eng_database *db, const eng_table *t,
                                      const char *text, uint32_t len) {
    rt_err err;
    rt_err_clear(&err);
    char *src = rt_arena_alloc(sb->arena, len + 1u);
    if (src == NULL || catalog == NULL || db == NULL) return NULL;
    memcpy(src, text, len);
    src[len] = '\0';
    static const char *const path[] = {"public"};
    sql_bind_ctx bc = {.arena = sb->arena, .err = &err, .shard_count = 1, .catalog = catalog,
                       .db = db, .search_path = path, .nsearch = 1};
    sql_expr *e;
    return sql_bind_stored_expr(&bc, t, src, SQL_T_ANY, -1, &e) ? e : NULL;
}

/* Sets *(bool *)arg for a constant of an OID alias type (nextval's regclass): the deparser
 * prints those as numbers, having no catalog. */
static bool sql_ixexpr_reg_const_fn(const sql_expr *e, void *arg) {
    uint32_t t = e->type_oid;
    if (e->kind == SQL_X_CONST &&
        (t == SQL_T_REGPROC || (t >= SQL_T_REGPROCEDURE && t <= SQL_T_REGTYPE) ||
         t == SQL_T_REGNAMESPACE || t == SQL_T_REGROLE || t == SQL_T_REGCOLLATION)) {
        *(bool *)arg = true;
    }
    return true;
}

bool sql_ixexpr_reprint(sql_strbuf *sb, const eng_catalog *catalog, const eng_database *db,
                        const eng_table *t, const char *text) {
    const sql_expr *e = sql_ixexpr_bind_text(sb, catalog, db, t, text, (uint32_t)strlen(text));
    bool reg = false;
    if (e != NULL) sql_expr_walk(e, sql_ixexpr_reg_const_fn, &reg);
    sql_strbuf out;
    sql_strbuf_init(&out, sb->arena, 64);
    if (e == NULL || reg || !sql_ixexpr_deparse(&out, t, NULL, 0, e, false)) return false;
    sql_strbuf_append(sb, out.data, out.len);
    return true;
}

bool sql_ixexpr_pretty(sql_strbuf *sb, const eng_catalog *catalog, const eng_database *db,
                       const eng_table *t, const char *text, uint32_t len) {
    const sql_expr *e = sql_ixexpr_bind_text(sb, catalog, db, t, text, len);
    if (e == NULL) return false;
    sql_strbuf plain;
    sql_strbuf_init(&plain, sb->arena, len + 16u);
    if (!sql_ixexpr_deparse(&plain, t, NULL, 0, e, false) || plain.len != len ||
        memcmp(plain.data, text, len) != 0) {
        return false;
    }
    return sql_ixexpr_deparse(sb, t, NULL, 0, e, true);
}

/* ---- what an index may contain ---- */

typedef struct sql_ixexpr_scan {
    bool mutable_fn;
    bool subquery;
} sql_ixexpr_scan;

static bool sql_ixexpr_scan_fn(const sql_expr *e, void *arg) {
    sql_ixexpr_scan *s = arg;
    if (e->kind == SQL_X_SUBQUERY) s->subquery = true;
    if ((e->kind == SQL_X_FUNC && e->func.def != NULL &&
         (e->func.def->flags & (SQL_F_VOLATILE | SQL_F_STABLE))) ||
        e->kind == SQL_X_PARAM) {
        s->mutable_fn = true;
    }
    /* Text I/O of date/time values depends on DateStyle and TimeZone: STABLE in PostgreSQL. */
    if (e->kind == SQL_X_FUNC && e->func.def == &sql_cast_def && e->nargs == 1) {
        uint32_t from = e->args[0]->type_oid, to = e->type_oid;
        bool dt_from = from == SQL_T_TIMESTAMPTZ || from == SQL_T_TIMESTAMP ||
                       from == SQL_T_DATE || from == SQL_T_TIME || from == SQL_T_INTERVAL;
        bool dt_to = to == SQL_T_TIMESTAMPTZ || to == SQL_T_TIMESTAMP || to == SQL_T_DATE ||
                     to == SQL_T_TIME || to == SQL_T_INTERVAL;
        if ((dt_from && sql_type_is_string(to)) || (dt_to && sql_type_is_string(from)) ||
            ((from == SQL_T_TIMESTAMPTZ) != (to == SQL_T_TIMESTAMPTZ) && dt_from && dt_to)) {
            s->mutable_fn = true;
        }
    }
    return true;
}

bool sql_ixexpr_check(const sql_expr *e, const char *what, rt_err *err) {
    sql_ixexpr_scan s = {false, false};
    sql_expr_walk(e, sql_ixexpr_scan_fn, &s);
    if (s.subquery) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot use subquery in index %s",
                          what);
    }
    if (s.mutable_fn) {
        return rt_err_set(err, SQLSTATE_INVALID_OBJECT_DEFINITION,
                          "functions in index %s must be marked IMMUTABLE", what);
    }
    return true;
}

bool sql_ixexpr_any(const eng_index *ix) {
    if (ix->predicate_text != NULL) return true;
    for (uint32_t k = 0; k < ix->column_count; k++) {
        if (ix->attnums[k] == 0) return true;
    }
    return false;
}

const char *sql_ixexpr_key_name(const eng_table *t, const eng_index *ix, uint32_t k) {
    if (ix->attnums[k] == 0) return ix->expr_text[k] != NULL ? ix->expr_text[k] : "expr";
    const eng_column *c = eng_table_column_by_attnum(t, ix->attnums[k]);
    return c != NULL ? c->name : "?";
}

/* ---- binding ---- */

bool sql_ixexpr_bind(rt_arena *arena, const eng_table *t, const eng_index *ix, sql_expr **exprs,
                     sql_expr **pred, rt_err *err) {
    /* Index texts name the table's columns and built-in functions only: no catalog needed. */
    sql_bind_ctx bc = {.arena = arena, .err = err, .shard_count = 1};
    *pred = NULL;
    for (uint32_t k = 0; k < ix->column_count; k++) {
        exprs[k] = NULL;
        if (ix->attnums[k] != 0) continue;
        if (ix->expr_text[k] == NULL) {
            return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "index \"%s\" lacks expression %u",
                              ix->name, k + 1);
        }
        if (!sql_bind_stored_expr(&bc, t, ix->expr_text[k], SQL_T_ANY, -1, &exprs[k])) {
            return false;
        }
    }
    return ix->predicate_text == NULL ||
           sql_bind_stored_expr(&bc, t, ix->predicate_text, SQL_T_BOOL, -1, pred);
}

/* ---- the per-thread cache ---- */

typedef struct sql_ixexpr_entry {
    uint32_t index_oid;
    uint64_t def_gen;
    uint64_t used;           /* the thread's tick of its last use (least recently used goes) */
    rt_arena *bound;         /* the bound expressions */
    rt_arena *eval;          /* values of the last evaluation */
    sql_expr *exprs[ENG_INDEX_COLUMNS_MAX];
    sql_expr *pred;
} sql_ixexpr_entry;

typedef struct sql_ixexpr_cache {
    uint64_t tick;
    sql_ixexpr_entry entries[SQL_IXEXPR_CACHE_SLOTS];
} sql_ixexpr_cache;

static _Thread_local sql_ixexpr_cache *sql_ixexpr_mine;
static pthread_key_t sql_ixexpr_key;
static pthread_once_t sql_ixexpr_key_once = PTHREAD_ONCE_INIT;

/* As PostgreSQL's per-expression memory: a row's key computation needs little. */
#define SQL_IXEXPR_ARENA_BYTES (64u << 20)

static void sql_ixexpr_entry_clear(sql_ixexpr_entry *e) {
    rt_arena_destroy(e->bound);
    rt_arena_destroy(e->eval);
    memset(e, 0, sizeof *e);
}

/* A thread's cache goes with the thread (its arenas may only be freed there). */
static void sql_ixexpr_cache_free(void *arg) {
    sql_ixexpr_cache *cache = arg;
    for (uint32_t i = 0; i < SQL_IXEXPR_CACHE_SLOTS; i++) {
        sql_ixexpr_entry_clear(&cache->entries[i]);
    }
    rt_free(cache);
}

static void sql_ixexpr_key_init(void) {
    int rc = pthread_key_create(&sql_ixexpr_key, sql_ixexpr_cache_free);
    RT_ASSERT(rc == 0);
}

static sql_ixexpr_cache *sql_ixexpr_cache_get(void) {
    if (sql_ixexpr_mine == NULL) {
        pthread_once(&sql_ixexpr_key_once, sql_ixexpr_key_init);
        sql_ixexpr_mine = rt_xcalloc(1, sizeof *sql_ixexpr_mine);
        pthread_setspecific(sql_ixexpr_key, sql_ixexpr_mine);
    }
    return sql_ixexpr_mine;
}

static sql_ixexpr_entry *sql_ixexpr_lookup(const eng_table *t, const eng_index *ix,
                                           rt_err *err) {
    sql_ixexpr_cache *cache = sql_ixexpr_cache_get();
    sql_ixexpr_entry *victim = &cache->entries[0];
    uint64_t tick = ++cache->tick;
    for (uint32_t i = 0; i < SQL_IXEXPR_CACHE_SLOTS; i++) {
        sql_ixexpr_entry *e = &cache->entries[i];
        if (e->bound != NULL && e->index_oid == ix->oid && e->def_gen == t->def_gen) {
            e->used = tick;
            return e;
        }
        if (e->used < victim->used) victim = e;
    }
    sql_ixexpr_entry_clear(victim);
    victim->bound = rt_arena_create(SQL_IXEXPR_ARENA_BYTES);
    if (!sql_ixexpr_bind(victim->bound, t, ix, victim->exprs, &victim->pred, err)) {
        sql_ixexpr_entry_clear(victim);
        return NULL;
    }
    victim->eval = rt_arena_create(SQL_IXEXPR_ARENA_BYTES);
    victim->index_oid = ix->oid;
    victim->def_gen = t->def_gen;
    victim->used = tick;
    return victim;
}

bool sql_ixexpr_key_type(const eng_table *t, const eng_index *ix, uint32_t k, uint32_t *type_oid,
                         int32_t *typmod, rt_err *err) {
    if (ix->attnums[k] != 0) {
        const eng_column *c = eng_table_column_by_attnum(t, ix->attnums[k]);
        if (c == NULL) return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "bad index column");
        *type_oid = c->type_oid;
        *typmod = c->typmod;
        return true;
    }
    sql_ixexpr_entry *e = sql_ixexpr_lookup(t, ix, err);
    if (e == NULL) return false;
    *type_oid = e->exprs[k]->type_oid;
    *typmod = e->exprs[k]->typmod;
    return true;
}

/* One row as a batch of one: the evaluator works on batches. */
static sql_batch *sql_ixexpr_row_batch(rt_arena *arena, const eng_table *t, const sql_value *row,
                                       rt_err *err) {
    sql_batch *b = sql_batch_new(arena, t->column_count, 1);
    if (b == NULL) return rt_arena_fail(arena, err), NULL;
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        if (col->dropped) continue;
        if (!sql_vec_init(arena, &b->cols[c], col->type_oid, col->typmod, 1)) {
            return rt_arena_fail(arena, err), NULL;
        }
        sql_value v = row[c];
        v.type_oid = col->type_oid;
        sql_vec_set(&b->cols[c], 0, &v);
    }
    b->rows = 1;
    return b;
}

bool sql_ixexpr_eval(const eng_table *t, const eng_index *ix, const sql_value *row,
                     sql_value *keys, bool *included, rt_err *err) {
    *included = true;
    sql_ixexpr_entry *e = sql_ixexpr_lookup(t, ix, err);
    if (e == NULL) return false;
    rt_arena_reset(e->eval);
    sql_batch *b = sql_ixexpr_row_batch(e->eval, t, row, err);
    if (b == NULL) return false;
    sql_fmt fmt = {0};
    fmt.extra_float_digits = 1;
    sql_eval_ctx ec = {.arena = e->eval, .err = err};
    ec.io = (sql_io_ctx){.arena = e->eval, .fmt = &fmt, .err = err};
    if (e->pred != NULL) {
        sql_vec *v = sql_eval(&ec, e->pred, b, 1, NULL);
        if (v == NULL) return false;
        sql_value r;
        sql_vec_get(v, 0, &r);
        *included = !r.is_null && r.i64 != 0;
        if (!*included) return true;
    }
    for (uint32_t k = 0; k < ix->column_count; k++) {
        if (e->exprs[k] == NULL) continue;
        sql_vec *v = sql_eval(&ec, e->exprs[k], b, 1, NULL);
        if (v == NULL) return false;
        sql_vec_get(v, 0, &keys[k]);
        keys[k].type_oid = e->exprs[k]->type_oid;
    }
    return true;
}

bool sql_ixexpr_eval_copy(const eng_table *t, const eng_index *ix, const sql_value *row,
                          sql_value *keys, bool *included, rt_arena *arena, rt_err *err) {
    if (!sql_ixexpr_eval(t, ix, row, keys, included, err)) return false;
    for (uint32_t k = 0; *included && k < ix->column_count; k++) {
        if (ix->attnums[k] != 0 || keys[k].is_null ||
            sql_phys_of_type(keys[k].type_oid) != SQL_PHYS_BYTES) {
            continue;
        }
        uint8_t *copy = rt_arena_alloc(arena, keys[k].b.len + 1u);
        if (copy == NULL) return rt_arena_fail(arena, err);
        if (keys[k].b.len > 0) memcpy(copy, keys[k].b.ptr, keys[k].b.len);
        keys[k].b.ptr = copy;
    }
    return true;
}

void sql_ixexpr_install(void) { eng_part_set_index_expr_fn(sql_ixexpr_eval); }
