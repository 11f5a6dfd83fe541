/* sql_plan_explain.c: EXPLAIN text of an optimised plan, in PostgreSQL's layout: one line per
 * node (with COSTS its estimates, sql_plan_costs.c; with ANALYZE its actual figures),
 * children as "->  " lines indented six columns per level, details ("Filter: ...",
 * "Hash Cond: ...", "Sort Key: ...") two columns right of their node, and the
 * plans of subqueries as "SubPlan N" after the node that evaluates them. A FILTER node is
 * shown as the "Filter:" of the node below it and a PROJECT not at all, as PostgreSQL folds
 * both into the node they sit on. Expressions are deparsed compactly: column
 * names (qualified with their table when the plan reads several), operators in parentheses,
 * constants as literals with a cast unless they are numbers or booleans. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng.h"
#include "runtime/rt_loop.h"
#include "sql/sql_agg.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_hybrid.h"
#include "sql/sql_lex.h"
#include "sql/sql_plan_explain_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"
#include "sql/sql_window.h"

extern const sql_func_def sql_cast_def;
extern const char sql_cast_implicit_mark;

typedef struct sql_xpl {
    sql_strbuf *sb;
    bool too_deep;           /* a node was left out: less than SQL_EXPLAIN_STACK_MIN_BYTES left */
    bool qualify;            /* several relations: columns print as table.column */
    rt_arena *tmp;           /* constants' text */
    const sql_plan *outer[8]; /* the rows enclosing subplans are evaluated on, innermost last */
    uint32_t nouter;
    sql_xtree *tree;         /* FORMAT JSON/YAML/XML: nodes and fields go here, not to sb */
    bool costs;              /* EXPLAIN (COSTS ON): table reads show their estimates */
    bool verbose;            /* EXPLAIN (VERBOSE): Output lists, schema-qualified relations */
    bool multi;              /* the plan reads several relations (Output lists qualify) */
    const eng_database *db;  /* VERBOSE: relations' schemas */
    const sql_value *params; /* a custom plan's bound values, shown for $n; NULL: "$n" */
    uint32_t nparams;
    const sql_plan *out, *out_proj; /* the node whose Output the next head line is followed by
                                       (with the PROJECT folded into it) */
    const sql_plan *ctes;    /* a MODIFYCTE whose "CTE name" sections go under the next node
                                shown (the main query's top), before its children */
    bool share;              /* within a fragment whose GATHER builds its broadcast hash joins'
                                build sides once for all fragments */
    const sql_shared_actual *actual; /* EXPLAIN ANALYZE: the shared builds' figures, per shard */
    uint32_t nactual;
    const sql_plan **named;  /* the relations read, each with its unique name in names[] */
    const char **names;
    uint32_t nnamed;
    uint32_t level;          /* subqueries in expressions deep: the WITH queries defined at this
                                depth are shown under the level's top node */
    bool level_top;          /* the next node shown is the top of a level: "CTE c" sections */
    const sql_plan *level_root; /* that level's plan (above the node shown, which may be a
                                   FILTER's or PROJECT's input) */
    uint32_t ncte_plans;     /* WITH queries' plans: PostgreSQL numbers SubPlans after them */
    struct sql_xpl_subno *subnos; /* each subquery's number and InitPlan parameter */
    uint32_t nsubnos;
    uint32_t next_param;     /* the next $n PostgreSQL would give a plan's parameter */
    bool init_top;           /* the next node shown is the top of a query level (a subquery's
                                or a WITH query's too): its InitPlans come under it */
    const sql_plan *init_root; /* that level's plan */
    bool no_out_top;         /* the next node shown has no Output (an EXISTS subquery's top) */
    const sql_plan *act[3];  /* EXPLAIN ANALYZE: the operators whose figures the next head line
                                shows, the first one counted (a PROJECT and FILTER folded into
                                the node return its rows, when they run as operators) */
    const sql_plan *est;     /* COSTS: the node whose estimate the next head line shows (the
                                top of those folded into it) */
    bool est_hash;           /* that line is a Hash: its input's figures, all spent at startup */
    bool timing;             /* EXPLAIN ANALYZE's TIMING: "actual time=A..B" */
} sql_xpl;

/* A subquery as EXPLAIN numbers it: PostgreSQL's plan id, and for one evaluated once
 * (uncorrelated, one value: an InitPlan) the parameter $n its value is shown as. */
typedef struct sql_xpl_subno {
    uint32_t id;             /* sql_expr sub.id */
    uint32_t number;         /* "SubPlan 2" / "InitPlan 2 (returns $1)" */
    uint32_t param;
    bool init;
} sql_xpl_subno;

#define SQL_EXPLAIN_SUBNOS_MAX 256 /* subqueries numbered as PostgreSQL numbers them; more
                                      keep their binder's order */

static void sql_deparse(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e, const sql_plan *in);

/* Stack the text of a plan keeps free below each node it writes: a node's frame is ~2.3 KiB,
 * more than the binder's per level of the tree (SQL_STACK_RESERVE_BYTES), and the name and
 * WITH walks below a node add up to ~350 B per level under it. A plan too deep for it is
 * 54001 "stack depth limit exceeded", never a crash (EXPLAIN of ~900 nested subqueries). */
#define SQL_EXPLAIN_STACK_MIN_BYTES (256u * 1024u)
#define SQL_EXPLAIN_NAME_DEPTH_MAX 1000 /* plan depth the name and WITH walks go (deeper plans
                                           the binder's nesting limits refuse) */

/* ---- column names ---- */

/* ---- subqueries' numbers ---- */

static const sql_xpl_subno *sql_xpl_subno_of(const sql_xpl *ex, const sql_expr *e) {
    for (uint32_t i = 0; i < ex->nsubnos; i++) {
        if (ex->subnos[i].id == e->sub.id) return &ex->subnos[i];
    }
    return NULL;
}

/* Its number: PostgreSQL's, or when not numbered, after the WITH queries' plans. */
static uint32_t sql_xpl_subno_number(const sql_xpl *ex, const sql_expr *e) {
    const sql_xpl_subno *no = sql_xpl_subno_of(ex, e);
    return no != NULL ? no->number : e->sub.id + 1 + ex->ncte_plans;
}

/* Whether PostgreSQL runs subquery e once, before the query, as an InitPlan: uncorrelated
 * and giving one value (a scalar subquery, EXISTS, ARRAY(...)), as our executor also runs it
 * once (sql_exec_misc.c). */
static bool sql_xpl_is_initplan(const sql_expr *e) {
    return !e->sub.correlated && (e->sub.kind == SQL_SUB_SCALAR ||
                                  e->sub.kind == SQL_SUB_EXISTS || e->sub.kind == SQL_SUB_ARRAY);
}

/* ---- names: unique, quoted as identifiers ---- */

/* `name` as PostgreSQL's quote_identifier prints it: bare when it is lower case letters,
 * digits and underscores (not first a digit) and no keyword but an unreserved one, else in
 * double quotes with inner quotes doubled. */
static const char *sql_xpl_ident(sql_xpl *ex, const char *name) {
    bool plain = name[0] != '\0' && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    uint32_t quotes = 0, len = 0;
    for (const char *c = name; *c != '\0'; c++, len++) {
        plain &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
        quotes += *c == '"';
    }
    if (plain) {
        sql_kw kw = sql_keyword_lookup(name, len);
        plain = kw == SQL_KW_INVALID || sql_keyword_get(kw)->category == SQL_KWCAT_UNRESERVED;
    }
    if (plain) return name;
    char *q = rt_arena_alloc(ex->tmp, len + quotes + 3u);
    if (q == NULL) return name;
    char *w = q;
    *w++ = '"';
    for (const char *c = name; *c != '\0'; c++) {
        if (*c == '"') *w++ = '"';
        *w++ = *c;
    }
    *w++ = '"';
    *w = '\0';
    return q;
}

/* The name a query gives a relation it reads: the FROM item's alias, else the table's,
 * function's or WITH query's own name. NULL: p reads none. */
static const char *sql_xpl_basename(const sql_plan *p) {
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN:
        return p->scan.alias != NULL ? p->scan.alias : p->scan.table->name;
    case SQL_P_FUNCSCAN: return p->func.alias != NULL ? p->func.alias : p->func.def->name;
    case SQL_P_VALUES: return "*VALUES*"; /* PostgreSQL's name for every VALUES list */
    case SQL_P_MATERIAL: case SQL_P_WORKTABLE:
        if (p->material.dml && p->left != NULL) return NULL; /* the body, not a reference */
        return p->material.alias != NULL ? p->material.alias : p->material.name;
    default: return NULL;
    }
}

/* The name EXPLAIN shows for relation p: as PostgreSQL names its range table's entries, the
 * second one with a name already taken gets "_1" appended, the next "_2" (sql_xpl_name_all). */
static const char *sql_xpl_refname(const sql_xpl *ex, const sql_plan *p) {
    for (uint32_t i = 0; i < ex->nnamed; i++) {
        if (ex->named[i] == p) return ex->names[i];
    }
    const char *base = sql_xpl_basename(p);
    return base != NULL ? base : "?";
}

/* The name a query uses for a scanned table: its alias, else the table's name. */
static const char *sql_scan_name(const sql_xpl *ex, const sql_plan *p) {
    return sql_xpl_refname(ex, p);
}

/* The input of an aggregation's expressions (below the GATHER for a FINAL one). */
static const sql_plan *sql_agg_input(const sql_plan *p) {
    const sql_plan *in = p->left;
    if (p->agg.mode != SQL_AGG_FINAL) return in;
    while (in != NULL && in->kind != SQL_P_AGG) in = in->left;
    return in != NULL ? in->left : p->left;
}

/* The group expressions over sql_agg_input(p) (the partial's, for a FINAL node). */
static sql_expr *const *sql_agg_input_group(const sql_plan *p) {
    const sql_plan *in = p->left;
    if (p->agg.mode != SQL_AGG_FINAL) return p->agg.group;
    while (in != NULL && in->kind != SQL_P_AGG) in = in->left;
    return in != NULL ? in->agg.group : p->agg.group;
}

/* count(DISTINCT x), GROUPING(a, b), percentile_cont(0.5) WITHIN GROUP (ORDER BY x). */
static void sql_deparse_agg_call(sql_xpl *ex, sql_strbuf *sb, const sql_plan *p,
                                 const sql_agg_call *c) {
    const sql_plan *in = sql_agg_input(p);
    if (c->grouping != NULL) {
        sql_strbuf_puts(sb, "GROUPING(");
        for (uint32_t i = 0; i < c->ngrouping; i++) {
            if (i > 0) sql_strbuf_puts(sb, ", ");
            sql_deparse(ex, sb, sql_agg_input_group(p)[c->grouping[i]], in);
        }
        sql_strbuf_putc(sb, ')');
        return;
    }
    sql_strbuf_printf(sb, "%s(", c->def->name);
    if (c->star) sql_strbuf_putc(sb, '*');
    if (c->distinct) sql_strbuf_puts(sb, "DISTINCT ");
    for (uint32_t i = 0; i < c->nargs; i++) {
        if (i > 0) sql_strbuf_puts(sb, ", ");
        sql_deparse(ex, sb, c->args[i], in);
    }
    for (uint32_t k = 0; !c->def->ordered_set && k < c->norder; k++) {
        sql_strbuf_puts(sb, k == 0 ? " ORDER BY " : ", "); /* string_agg(x, ',' ORDER BY x) */
        sql_deparse(ex, sb, c->order[k].expr, in);
        if (c->order[k].desc) sql_strbuf_puts(sb, " DESC");
    }
    sql_strbuf_putc(sb, ')');
    if (!c->def->ordered_set) return;
    sql_strbuf_puts(sb, " WITHIN GROUP (ORDER BY ");
    for (uint32_t k = 0; k < c->norder; k++) {
        if (k > 0) sql_strbuf_puts(sb, ", ");
        sql_deparse(ex, sb, c->order[k].expr, in);
        if (c->order[k].desc) sql_strbuf_puts(sb, " DESC");
    }
    sql_strbuf_putc(sb, ')');
}

/* The row an INSERT / UPDATE / DELETE's RETURNING list is over: the joined row of UPDATE
 * ... FROM / DELETE ... USING, else the target table's row (a scan of it stands for it). */
static const sql_plan *sql_deparse_modify_row(sql_xpl *ex, const sql_plan *p) {
    if (p->modify.nfrom > 0) return p->left;
    const eng_table *t = p->modify.table;
    sql_plan *row = rt_arena_zalloc(ex->tmp, sizeof *row);
    sql_col *cols = rt_arena_zalloc(ex->tmp, sizeof(sql_col) * (t->column_count + 1u));
    if (row == NULL || cols == NULL) return NULL;
    for (uint32_t c = 0; c < t->column_count; c++) {
        cols[c] = (sql_col){.name = t->columns[c].name, .type_oid = t->columns[c].type_oid};
    }
    row->kind = SQL_P_SCAN;
    row->scan.table = t;
    row->cols = cols;
    row->ncols = t->column_count;
    return row;
}

/* Output column i of plan p, as the expression that computes it. */
static void sql_deparse_col(sql_xpl *ex, sql_strbuf *sb, const sql_plan *p, uint32_t i) {
    switch (p->kind) {
    case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE: {
        const sql_plan *row = i < p->modify.nreturning ? sql_deparse_modify_row(ex, p) : NULL;
        if (row == NULL) break;
        sql_deparse(ex, sb, p->modify.returning[i], row);
        return;
    }
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN:
        if (ex->qualify) sql_strbuf_printf(sb, "%s.", sql_xpl_ident(ex, sql_scan_name(ex, p)));
        /* the row locator a DELETE / UPDATE reads (sql_bind_dml.c): PostgreSQL's is ctid */
        bool locator = strcmp(p->cols[i].name, "?locator?") == 0;
        sql_strbuf_puts(sb, locator ? "ctid" : sql_xpl_ident(ex, p->cols[i].name));
        return;
    case SQL_P_FUNCSCAN:
        if (ex->qualify) sql_strbuf_printf(sb, "%s.", sql_xpl_ident(ex, sql_xpl_refname(ex, p)));
        break;
    case SQL_P_MATERIAL: case SQL_P_WORKTABLE:
        if (ex->qualify) sql_strbuf_printf(sb, "%s.", sql_xpl_ident(ex, sql_xpl_refname(ex, p)));
        sql_strbuf_puts(sb, sql_xpl_ident(ex, p->cols[i].name != NULL ? p->cols[i].name : "?"));
        return;
    case SQL_P_VALUES:
        /* VERBOSE, or beside other relations: PostgreSQL names a VALUES list's columns by
           position, with its RTE */
        if (ex->verbose || ex->qualify) {
            sql_strbuf_printf(sb, "%s.column%u", sql_xpl_ident(ex, sql_xpl_refname(ex, p)),
                              i + 1);
            return;
        }
        break;
    case SQL_P_GATHER: case SQL_P_FILTER: case SQL_P_SORT: case SQL_P_LIMIT:
    case SQL_P_DISTINCT: case SQL_P_LOCKROWS:
        if (p->left != NULL && i < p->left->ncols) {
            sql_deparse_col(ex, sb, p->left, i);
            return;
        }
        break;
    case SQL_P_PROJECT:
        if (p->left != NULL && p->project.exprs[i]->kind == SQL_X_COLUMN) {
            sql_deparse(ex, sb, p->project.exprs[i], p->left);
            return;
        }
        if (p->left != NULL) {
            sql_strbuf_putc(sb, '(');
            sql_deparse(ex, sb, p->project.exprs[i], p->left);
            sql_strbuf_putc(sb, ')');
            return;
        }
        break;
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        if (i < p->left->ncols) sql_deparse_col(ex, sb, p->left, i);
        else sql_deparse_col(ex, sb, p->right, i - p->left->ncols);
        return;
    case SQL_P_AGG:
        if (p->left == NULL) break;
        if (p->agg.mode == SQL_AGG_PARTIAL) {
            if (i >= p->agg.ngroup) break;
            sql_deparse(ex, sb, p->agg.group[i], p->left);
            return;
        }
        if (p->agg.mode == SQL_AGG_FINAL) { /* named by the partial's expressions */
            const sql_plan *part = p->left;
            while (part != NULL && part->kind != SQL_P_AGG) part = part->left;
            if (part != NULL && part->left != NULL && i < part->ncols) {
                if (i < part->agg.ngroup) sql_deparse(ex, sb, part->agg.group[i], part->left);
                else sql_deparse_agg_call(ex, sb, part, &part->agg.aggs[i - part->agg.ngroup]);
                return;
            }
        }
        if (i < p->agg.ngroup) {
            sql_deparse(ex, sb, p->agg.group[i], p->left);
        } else {
            sql_deparse_agg_call(ex, sb, p, &p->agg.aggs[i - p->agg.ngroup]);
        }
        return;
    default: break;
    }
    sql_strbuf_puts(sb, p->cols[i].name != NULL ? sql_xpl_ident(ex, p->cols[i].name)
                                                : "?column?");
}

/* ---- expressions ---- */

static void sql_deparse_const(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e) {
    const sql_value *v = &e->constval;
    if (v->is_null) {
        sql_strbuf_puts(sb, "NULL");
        return;
    }
    uint32_t t = e->type_oid;
    if (t == SQL_T_BOOL) {
        sql_strbuf_puts(sb, v->i64 ? "true" : "false");
        return;
    }
    sql_fmt fmt = {.extra_float_digits = 1};
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = {.arena = ex->tmp, .fmt = &fmt, .err = &err};
    sql_strbuf text;
    sql_strbuf_init(&text, ex->tmp, 32);
    sql_value tv = *v;
    tv.type_oid = t;
    if (!sql_value_out(&io, &tv, e->typmod, &text)) {
        sql_strbuf_puts(sb, "?");
        return;
    }
    /* get_const_expr: a non-negative integer prints bare, a numeric too when it has a point
     * or an exponent; every other constant quoted with its type. */
    bool plain = text.len > 0 && text.data[0] != '-' && text.data[0] != '+';
    for (uint32_t i = 0; plain && i < text.len; i++) {
        plain = strchr("0123456789.eE", text.data[i]) != NULL;
    }
    bool point = plain && (memchr(text.data, '.', text.len) != NULL ||
                           memchr(text.data, 'e', text.len) != NULL ||
                           memchr(text.data, 'E', text.len) != NULL);
    if ((t == SQL_T_INT4 && plain) || (t == SQL_T_NUMERIC && point)) {
        sql_strbuf_append(sb, text.data, text.len);
        return;
    }
    sql_strbuf_putc(sb, '\'');
    for (uint32_t i = 0; i < text.len; i++) {
        if (text.data[i] == '\'') sql_strbuf_putc(sb, '\'');
        sql_strbuf_putc(sb, text.data[i]);
    }
    sql_strbuf_putc(sb, '\'');
    if (t != SQL_T_UNKNOWN) sql_strbuf_printf(sb, "::%s", sql_type_name(t));
}

static void sql_deparse_list(sql_xpl *ex, sql_strbuf *sb, sql_expr *const *args, uint32_t n,
                             const sql_plan *in, const char *sep) {
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) sql_strbuf_puts(sb, sep);
        sql_deparse(ex, sb, args[i], in);
    }
}

static bool sql_explain_int_type(uint32_t t) {
    return t == SQL_T_INT2 || t == SQL_T_INT4 || t == SQL_T_INT8;
}

/* An operand `a` of an integer comparison or arithmetic against an operand of type
 * `other_type` (`other_const`: that one a constant) as PostgreSQL plans it, with its
 * cross-type operators between int2, int4 and int8: the binder's implicit widening of `a`
 * is not there ("(a + e)", not "((a)::bigint + e)"), and an int4 literal it made int8 is the
 * int4 it was ("(id = 3)"). */
static const sql_expr *sql_xpl_cross(sql_xpl *ex, const sql_expr *a, uint32_t other_type,
                                     bool other_const) {
    if (a->kind == SQL_X_CONST && a->type_oid == SQL_T_INT8 && !a->constval.is_null &&
        a->constval.i64 >= INT32_MIN && a->constval.i64 <= INT32_MAX &&
        other_type == SQL_T_INT8 && !other_const) {
        sql_expr *narrow = rt_arena_alloc(ex->tmp, sizeof *narrow);
        if (narrow == NULL) return a;
        *narrow = *a;
        narrow->type_oid = narrow->constval.type_oid = SQL_T_INT4;
        return narrow;
    }
    if (a->kind == SQL_X_FUNC && a->func.def == &sql_cast_def &&
        a->func.state == (const void *)&sql_cast_implicit_mark && a->nargs == 1 &&
        sql_explain_int_type(a->type_oid) && sql_explain_int_type(a->args[0]->type_oid) &&
        a->args[0]->kind != SQL_X_CONST && other_type == a->type_oid) {
        return a->args[0];
    }
    return a;
}

/* Operand i of a binary operator (sql_xpl_cross for the operators that have cross-type
 * forms). */
static const sql_expr *sql_xpl_operand(sql_xpl *ex, const sql_expr *call, uint32_t i) {
    static const char *const ops[] = {"+", "-", "*", "/", "=", "<>", "<", "<=", ">", ">="};
    const sql_expr *other = call->args[1 - i];
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        if (strcmp(call->func.def->name, ops[k]) == 0) {
            return sql_xpl_cross(ex, call->args[i], other->type_oid,
                                 other->kind == SQL_X_CONST);
        }
    }
    return call->args[i];
}

/* The operator that negates comparison `name` (NULL if none): NOT (a < b) is a >= b. */
static const char *sql_xpl_negator(const char *name) {
    static const char *const pairs[][2] = {
        {"=", "<>"}, {"<>", "="}, {"<", ">="}, {">=", "<"}, {">", "<="}, {"<=", ">"},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        if (strcmp(name, pairs[k][0]) == 0) return pairs[k][1];
    }
    return NULL;
}

static const sql_expr *sql_xpl_negate(sql_xpl *ex, const sql_expr *e);

/* `bool = true` is the boolean itself, `= false` its negation (and <> the other way round),
 * as PostgreSQL's planner simplifies them; NULL when e is not such a comparison. */
static const sql_expr *sql_xpl_bool_compare(sql_xpl *ex, const sql_expr *e) {
    if (e->kind != SQL_X_FUNC || e->func.def == NULL || !e->func.def->is_operator ||
        e->nargs != 2 || e->args[0]->type_oid != SQL_T_BOOL ||
        e->args[1]->type_oid != SQL_T_BOOL) {
        return NULL;
    }
    bool eq = strcmp(e->func.def->name, "=") == 0, ne = strcmp(e->func.def->name, "<>") == 0;
    uint32_t k = e->args[1]->kind == SQL_X_CONST ? 1 : e->args[0]->kind == SQL_X_CONST ? 0 : 2;
    if ((!eq && !ne) || k == 2 || e->args[k]->constval.is_null) return NULL;
    const sql_expr *other = e->args[1 - k];
    bool same = (e->args[k]->constval.i64 != 0) == eq;
    if (same) return other;
    const sql_expr *neg = sql_xpl_negate(ex, other);
    if (neg != NULL) return neg;
    sql_expr *n = sql_expr_new(ex->tmp, SQL_X_NOT, SQL_T_BOOL, 1);
    if (n == NULL) return NULL;
    n->typmod = -1;
    n->args[0] = (sql_expr *)other;
    return n;
}

/* NOT e as PostgreSQL's planner pushes it down (negate_clause): comparisons take their
 * negator, AND and OR swap over the negated arguments, NOT NOT goes, IS [NOT] NULL, IN and
 * op ANY/ALL flip. NULL when e has no such form (it prints as NOT (e)). */
static const sql_expr *sql_xpl_negate(sql_xpl *ex, const sql_expr *e) {
    sql_expr *n = rt_arena_alloc(ex->tmp, sizeof *n);
    if (n == NULL) return NULL;
    *n = *e;
    const sql_func_def *op = e->kind == SQL_X_FUNC ? e->func.def
                             : e->kind == SQL_X_ANY_ALL ? e->anyall.op : NULL;
    const char *neg = op != NULL && op->is_operator && e->nargs == 2 ? sql_xpl_negator(op->name)
                                                                     : NULL;
    sql_func_def *def = neg != NULL ? rt_arena_alloc(ex->tmp, sizeof *def) : NULL;
    if (def != NULL) {
        *def = *op;
        def->name = neg;
    }
    switch (e->kind) {
    case SQL_X_FUNC:
        if (def == NULL) return NULL;
        n->func.def = def;
        return n;
    case SQL_X_ANY_ALL:
        if (def == NULL) return NULL;
        n->anyall.op = def;
        n->anyall.is_all = !e->anyall.is_all;
        return n;
    case SQL_X_NOT: return e->args[0];
    case SQL_X_NULLTEST: case SQL_X_IN_LIST: n->test.is_not = !e->test.is_not; return n;
    case SQL_X_BOOLTEST: n->booltest.is_not = !e->booltest.is_not; return n;
    case SQL_X_AND: case SQL_X_OR:
        n->kind = e->kind == SQL_X_AND ? SQL_X_OR : SQL_X_AND;
        n->args = rt_arena_alloc(ex->tmp, sizeof(sql_expr *) * (e->nargs + 1u));
        if (n->args == NULL) return NULL;
        for (uint32_t i = 0; i < e->nargs; i++) {
            const sql_expr *a = sql_xpl_negate(ex, e->args[i]);
            if (a == NULL) {
                sql_expr *w = sql_expr_new(ex->tmp, SQL_X_NOT, SQL_T_BOOL, 1);
                if (w == NULL) return NULL;
                w->typmod = -1;
                w->args[0] = e->args[i];
                a = w;
            }
            n->args[i] = (sql_expr *)a;
        }
        return n;
    default: return NULL;
    }
}

/* Each step removes a NOT or a comparison with a constant; nesting deeper than this prints
 * the rest as it is. */
#define SQL_XPL_SIMPLIFY_STEPS_MAX 64u

/* e as PostgreSQL's planner leaves it for display: NOT pushed down, bool = constant gone. */
static const sql_expr *sql_xpl_simplified(sql_xpl *ex, const sql_expr *e) {
    for (uint32_t guard = 0; guard < SQL_XPL_SIMPLIFY_STEPS_MAX; guard++) {
        const sql_expr *s = e->kind == SQL_X_NOT ? sql_xpl_negate(ex, e->args[0])
                                                 : sql_xpl_bool_compare(ex, e);
        if (s == NULL) return e;
        e = s;
    }
    return e;
}

static void sql_deparse_func(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e,
                             const sql_plan *in) {
    const sql_func_def *d = e->func.def;
    if (d == NULL || strcmp(d->name, "cast") == 0) {
        const sql_expr *a = e->nargs > 0 ? e->args[0] : NULL;
        bool ints = a != NULL && sql_explain_int_type(a->type_oid) &&
                    sql_explain_int_type(e->type_oid);
        if (a != NULL && a->kind == SQL_X_CONST && (ints || a->type_oid == SQL_T_UNKNOWN)) {
            /* An integer literal the binder widened is the literal PostgreSQL's cross-type
             * operators keep (int4 1 against an int8 column prints 1, -5 '-5'::integer). */
            sql_expr lit = *a;
            if (!ints) {
                lit.type_oid = e->type_oid;
                lit.constval.type_oid = e->type_oid;
            }
            if (!ints && !a->constval.is_null) {
                sql_strbuf_putc(sb, '\'');
                for (uint32_t i = 0; i < a->constval.b.len; i++) {
                    if (a->constval.b.ptr[i] == '\'') sql_strbuf_putc(sb, '\'');
                    sql_strbuf_putc(sb, (char)a->constval.b.ptr[i]);
                }
                sql_strbuf_printf(sb, "'::%s", sql_type_name(e->type_oid));
                return;
            }
            sql_deparse_const(ex, sb, &lit);
            return;
        }
        sql_strbuf_putc(sb, '(');
        if (e->nargs > 0) sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_printf(sb, ")::%s", sql_type_name(e->type_oid));
        return;
    }
    if (d->is_operator && e->nargs == 2) {
        sql_strbuf_putc(sb, '(');
        sql_deparse(ex, sb, sql_xpl_operand(ex, e, 0), in);
        sql_strbuf_printf(sb, " %s ", d->name);
        sql_deparse(ex, sb, sql_xpl_operand(ex, e, 1), in);
        sql_strbuf_putc(sb, ')');
        return;
    }
    if (d->is_operator && e->nargs == 1) {
        sql_strbuf_printf(sb, "(%s ", d->name);
        sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_putc(sb, ')');
        return;
    }
    sql_strbuf_printf(sb, "%s(", d->name);
    /* json_populate_record's shape argument is the binder's, not the user's */
    sql_deparse_list(ex, sb, e->args, e->nargs - (sql_jsonrec_is(d) ? 1u : 0u), in, ", ");
    sql_strbuf_putc(sb, ')');
}

/* AND / OR chains print flat, as PostgreSQL's deparser does. */
static void sql_deparse_boolop(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e,
                               const sql_plan *in, bool top) {
    if (top) sql_strbuf_putc(sb, '(');
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (i > 0) sql_strbuf_puts(sb, e->kind == SQL_X_AND ? " AND " : " OR ");
        const sql_expr *a = sql_xpl_simplified(ex, e->args[i]);
        if (a->kind == e->kind) sql_deparse_boolop(ex, sb, a, in, false);
        else sql_deparse(ex, sb, a, in);
    }
    if (top) sql_strbuf_putc(sb, ')');
}

static void sql_deparse_case(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e,
                             const sql_plan *in) {
    sql_strbuf_puts(sb, "CASE");
    uint32_t pairs = e->nargs / 2;
    for (uint32_t w = 0; w < pairs; w++) {
        sql_strbuf_puts(sb, " WHEN ");
        sql_deparse(ex, sb, e->args[2 * w], in);
        sql_strbuf_puts(sb, " THEN ");
        sql_deparse(ex, sb, e->args[2 * w + 1], in);
    }
    if (e->nargs % 2 == 1) {
        sql_strbuf_puts(sb, " ELSE ");
        sql_deparse(ex, sb, e->args[e->nargs - 1], in);
    }
    sql_strbuf_puts(sb, " END");
}

/* x IN (a, b) prints as PostgreSQL shows it: (x = ANY ('{a,b}'::type[])) for constants,
 * (x = ANY (ARRAY[a, b])) otherwise; NOT IN as <> ALL. */
static void sql_deparse_in_list(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e,
                                const sql_plan *in) {
    bool consts = true;
    for (uint32_t i = 1; i < e->nargs; i++) {
        const sql_expr *a = e->args[i];
        bool cast = a->kind == SQL_X_FUNC && a->func.def != NULL &&
                    strcmp(a->func.def->name, "cast") == 0 && a->nargs == 1;
        consts &= a->kind == SQL_X_CONST || (cast && a->args[0]->kind == SQL_X_CONST);
    }
    sql_strbuf_puts(sb, e->test.is_not ? " <> ALL (" : " = ANY (");
    if (!consts) {
        sql_strbuf_puts(sb, "ARRAY[");
        sql_deparse_list(ex, sb, e->args + 1, e->nargs - 1, in, ", ");
        sql_strbuf_puts(sb, "])");
        return;
    }
    sql_strbuf_puts(sb, "'{");
    for (uint32_t i = 1; i < e->nargs; i++) {
        if (i > 1) sql_strbuf_putc(sb, ',');
        sql_strbuf lit;
        sql_strbuf_init(&lit, ex->tmp, 32);
        sql_deparse(ex, &lit, e->args[i], in);
        /* The element's text without the quotes and cast sql_deparse_const adds. */
        uint32_t from = 0, to = lit.len;
        if (lit.len > 0 && lit.data[0] == '\'') {
            from = 1;
            while (to > from && lit.data[to - 1] != '\'') to--;
            if (to > from) to--;
        }
        sql_strbuf_append(sb, lit.data + from, to - from);
    }
    sql_strbuf_printf(sb, "}'::%s[])", sql_type_name(e->args[0]->type_oid));
}

static void sql_deparse_test(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e,
                             const sql_plan *in) {
    static const char *tests[] = {"", "TRUE", "FALSE", "UNKNOWN"};
    sql_strbuf_putc(sb, '(');
    sql_deparse(ex, sb, e->args[0], in);
    switch (e->kind) {
    case SQL_X_NULLTEST: sql_strbuf_puts(sb, e->test.is_not ? " IS NOT NULL" : " IS NULL"); break;
    case SQL_X_BOOLTEST:
        sql_strbuf_printf(sb, " IS %s%s", e->booltest.is_not ? "NOT " : "",
                          tests[e->booltest.test <= 3 ? e->booltest.test : 0]);
        break;
    case SQL_X_DISTINCT:
        sql_strbuf_puts(sb, e->test.is_not ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        sql_deparse(ex, sb, e->args[1], in);
        break;
    case SQL_X_IN_LIST: sql_deparse_in_list(ex, sb, e, in); break;
    default: break;
    }
    sql_strbuf_putc(sb, ')');
}

static void sql_deparse(sql_xpl *ex, sql_strbuf *sb, const sql_expr *e, const sql_plan *in) {
    static const char *minmax[] = {"LEAST", "GREATEST"};
    if (e->kind == SQL_X_NOT || e->kind == SQL_X_FUNC) e = sql_xpl_simplified(ex, e);
    switch (e->kind) {
    case SQL_X_CONST: sql_deparse_const(ex, sb, e); return;
    case SQL_X_PARAM:
        if (ex->params != NULL && e->param >= 1 && e->param <= ex->nparams) {
            /* a custom plan: PostgreSQL planned, and shows, the value as a constant */
            sql_expr c = {.kind = SQL_X_CONST, .type_oid = e->type_oid, .typmod = -1,
                          .constval = ex->params[e->param - 1]};
            sql_deparse_const(ex, sb, &c);
            return;
        }
        sql_strbuf_printf(sb, "$%u", e->param);
        return;
    case SQL_X_COLUMN:
        if (in != NULL && e->column.index < in->ncols) sql_deparse_col(ex, sb, in, e->column.index);
        else sql_strbuf_printf(sb, "$col%u", e->column.index + 1);
        return;
    case SQL_X_OUTER:
        if (e->column.depth >= 1 && e->column.depth <= ex->nouter) {
            const sql_plan *o = ex->outer[ex->nouter - e->column.depth];
            bool qualify = ex->qualify;
            ex->qualify = true; /* a column of another query level: always named with its table */
            if (e->column.index < o->ncols) sql_deparse_col(ex, sb, o, e->column.index);
            ex->qualify = qualify;
            return;
        }
        sql_strbuf_printf(sb, "$%u", e->column.index);
        return;
    case SQL_X_FUNC: sql_deparse_func(ex, sb, e, in); return;
    case SQL_X_AND: case SQL_X_OR: sql_deparse_boolop(ex, sb, e, in, true); return;
    case SQL_X_NOT:
        sql_strbuf_puts(sb, "(NOT ");
        sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_putc(sb, ')');
        return;
    case SQL_X_CASE: sql_deparse_case(ex, sb, e, in); return;
    case SQL_X_NULLTEST: case SQL_X_BOOLTEST: case SQL_X_DISTINCT: case SQL_X_IN_LIST:
        sql_deparse_test(ex, sb, e, in);
        return;
    case SQL_X_ROW:
        if (e->row.wholerow != NULL) {
            sql_strbuf_printf(sb, "%s.*", sql_xpl_ident(ex, e->row.wholerow));
            return;
        }
        /* fall through */
    case SQL_X_COALESCE: case SQL_X_MINMAX: case SQL_X_NULLIF: case SQL_X_ARRAY:
        sql_strbuf_puts(sb, e->kind == SQL_X_COALESCE ? "COALESCE("
                            : e->kind == SQL_X_MINMAX ? minmax[e->minmax.greatest]
                            : e->kind == SQL_X_NULLIF ? "NULLIF("
                            : e->kind == SQL_X_ARRAY  ? "ARRAY["
                                                      : "ROW(");
        if (e->kind == SQL_X_MINMAX) sql_strbuf_putc(sb, '(');
        sql_deparse_list(ex, sb, e->args, e->nargs, in, ", ");
        sql_strbuf_putc(sb, e->kind == SQL_X_ARRAY ? ']' : ')');
        return;
    case SQL_X_SUBQUERY: {
        const sql_xpl_subno *no = sql_xpl_subno_of(ex, e);
        if (no != NULL && no->init) {
            sql_strbuf_printf(sb, "$%u", no->param);
        } else {
            /* PostgreSQL hashes an uncorrelated IN's rows: "(hashed SubPlan 1)" */
            bool hashed = e->sub.kind == SQL_SUB_ANY && !e->sub.correlated &&
                          e->sub.op != NULL && strcmp(e->sub.op->name, "=") == 0;
            sql_strbuf_printf(sb, "(%sSubPlan %u)", hashed ? "hashed " : "",
                              sql_xpl_subno_number(ex, e));
        }
        return;
    }
    case SQL_X_ANY_ALL:
        sql_strbuf_putc(sb, '(');
        sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_printf(sb, " %s %s (", e->anyall.op != NULL ? e->anyall.op->name : "=",
                          e->anyall.is_all ? "ALL" : "ANY");
        sql_deparse(ex, sb, e->args[1], in);
        sql_strbuf_puts(sb, "))");
        return;
    case SQL_X_COERCE:
        sql_strbuf_putc(sb, '(');
        sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_printf(sb, ")::%s", sql_type_name(e->type_oid));
        return;
    case SQL_X_DOMAIN:
        sql_strbuf_putc(sb, '(');
        sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_printf(sb, ")::%s", e->domain.info->name);
        return;
    case SQL_X_FIELD:
        sql_strbuf_putc(sb, '(');
        sql_deparse(ex, sb, e->args[0], in);
        sql_strbuf_printf(sb, ").%s", sql_xpl_ident(ex, e->field.name));
        return;
    case SQL_X_AGGREF: case SQL_X_WINDOWREF: sql_strbuf_puts(sb, "?aggref?"); return;
    }
}

/* ---- lines ---- */

static void sql_explain_pad(sql_strbuf *sb, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) sql_strbuf_putc(sb, ' ');
}

static void sql_explain_output(sql_xpl *ex, uint32_t col);
static void sql_explain_list(sql_xpl *ex, uint32_t col, const char *label, sql_strbuf *items,
                             uint32_t n);

/* EXPLAIN ANALYZE: node p's figures summed over the cores (a node in the fragments: over the
 * partitions' fragments, as PostgreSQL sums its parallel workers'); loops 0: never executed,
 * or not counted (*uncounted: some core's table was full). */
static sql_node_actual sql_explain_act_of(const sql_xpl *ex, const sql_plan *p, bool *uncounted) {
    sql_node_actual sum = {.node = p};
    *uncounted = false;
    for (uint32_t s = 0; s < ex->nactual; s++) {
        *uncounted |= ex->actual[s].nodes_full;
        const sql_node_actual *e = sql_node_actual_find(&ex->actual[s], p);
        if (e == NULL) continue;
        sum.rows += e->rows;
        sum.removed += e->removed;
        sum.join_removed += e->join_removed;
        sum.startup_ns += e->startup_ns;
        sum.total_ns += e->total_ns;
        sum.loops += e->loops;
    }
    return sum;
}

/* The figures of the first of ex->act counted. */
static sql_node_actual sql_explain_act_sum(const sql_xpl *ex, bool *uncounted) {
    sql_node_actual sum = {.loops = 0};
    *uncounted = false;
    for (uint32_t k = 0; k < 3 && sum.loops == 0 && ex->act[k] != NULL; k++) {
        sum = sql_explain_act_of(ex, ex->act[k], uncounted);
    }
    return sum;
}

/* EXPLAIN ANALYZE's figures of the node: " (actual time=A..B rows=R loops=L)" (TIMING OFF:
 * " (actual rows=R loops=L)"), R the rows per start as PostgreSQL divides them, A and B the
 * milliseconds to the first batch and to the end per start, or " (never executed)"; in the
 * structured formats "Actual Startup Time", "Actual Total Time", "Actual Rows" and "Actual
 * Loops" (all 0 for a node never executed). */
static void sql_explain_act(sql_xpl *ex) {
    if (ex->actual == NULL || ex->act[0] == NULL) return;
    bool uncounted;
    sql_node_actual a = sql_explain_act_sum(ex, &uncounted);
    if (a.loops == 0 && uncounted) return; /* not known: never claim "never executed" */
    double per = a.loops > 0 ? (double)a.rows / a.loops : 0;
    double first_ms = a.loops > 0 ? (double)a.startup_ns / a.loops / 1e6 : 0;
    double total_ms = a.loops > 0 ? (double)a.total_ns / a.loops / 1e6 : 0;
    if (ex->tree != NULL) {
        char buf[32];
        if (ex->timing) {
            snprintf(buf, sizeof buf, "%.3f", first_ms);
            sql_xtree_field(ex->tree, "Actual Startup Time", buf, SQL_XVAL_RAW, false);
            snprintf(buf, sizeof buf, "%.3f", total_ms);
            sql_xtree_field(ex->tree, "Actual Total Time", buf, SQL_XVAL_RAW, false);
        }
        snprintf(buf, sizeof buf, "%.0f", per);
        sql_xtree_field(ex->tree, "Actual Rows", buf, SQL_XVAL_RAW, false);
        snprintf(buf, sizeof buf, "%u", a.loops);
        sql_xtree_field(ex->tree, "Actual Loops", buf, SQL_XVAL_RAW, false);
    } else if (a.loops == 0) {
        sql_strbuf_puts(ex->sb, " (never executed)");
    } else if (ex->timing) {
        sql_strbuf_printf(ex->sb, " (actual time=%.3f..%.3f rows=%.0f loops=%u)", first_ms,
                          total_ms, per, a.loops);
    } else {
        sql_strbuf_printf(ex->sb, " (actual rows=%.0f loops=%u)", per, a.loops);
    }
}

/* EXPLAIN ANALYZE: "Rows Removed by Filter: N" (join: "... by Join Filter") under the Filter
 * line of node p, N per start as PostgreSQL divides it; in text only when some were. */
static void sql_explain_removed(sql_xpl *ex, uint32_t col, const sql_plan *p, bool join) {
    if (ex->actual == NULL || p == NULL) return;
    bool uncounted;
    sql_node_actual a = sql_explain_act_of(ex, p, &uncounted);
    if (a.loops == 0 && uncounted) return;
    uint64_t n = join ? a.join_removed : a.removed;
    const char *label = join ? "Rows Removed by Join Filter" : "Rows Removed by Filter";
    char buf[32];
    snprintf(buf, sizeof buf, "%.0f", a.loops > 0 ? (double)n / a.loops : 0.0);
    if (ex->tree != NULL) {
        sql_xtree_field(ex->tree, label, buf, SQL_XVAL_RAW, false);
    } else if (n > 0) {
        sql_explain_pad(ex->sb, col + 2);
        sql_strbuf_printf(ex->sb, "%s: %s\n", label, buf);
    }
}

/* COSTS: "  (cost=S..T rows=R width=W)" of ex->est; "Startup Cost", "Total Cost", "Plan
 * Rows" and "Plan Width" in the structured formats. */
static void sql_explain_est(sql_xpl *ex) {
    if (!ex->costs || ex->est == NULL) return;
    sql_plan_est e;
    sql_plan_estimate(ex->est, &e);
    if (ex->est_hash) e.startup = e.total;
    if (ex->tree == NULL) {
        sql_strbuf_printf(ex->sb, "  (cost=%.2f..%.2f rows=%.0f width=%u)", e.startup, e.total,
                          e.rows, e.width);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.2f", e.startup);
    sql_xtree_field(ex->tree, "Startup Cost", buf, SQL_XVAL_RAW, false);
    snprintf(buf, sizeof buf, "%.2f", e.total);
    sql_xtree_field(ex->tree, "Total Cost", buf, SQL_XVAL_RAW, false);
    snprintf(buf, sizeof buf, "%.0f", e.rows);
    sql_xtree_field(ex->tree, "Plan Rows", buf, SQL_XVAL_RAW, false);
    snprintf(buf, sizeof buf, "%u", e.width);
    sql_xtree_field(ex->tree, "Plan Width", buf, SQL_XVAL_RAW, false);
}

/* The node's first line (in the structured formats it began in sql_explain_struct_head),
 * then with VERBOSE its Output, which PostgreSQL shows before every other detail. */
static void sql_explain_head(sql_xpl *ex, uint32_t col, const char *fmt, const char *arg) {
    if (ex->tree == NULL) {
        if (col > 0) {
            sql_explain_pad(ex->sb, col - 4);
            sql_strbuf_puts(ex->sb, "->  ");
        }
        sql_strbuf_printf(ex->sb, fmt, arg != NULL ? arg : "");
    }
    sql_explain_est(ex);
    sql_explain_act(ex);
    ex->act[0] = ex->act[1] = ex->act[2] = NULL;
    ex->est = NULL;
    ex->est_hash = false;
    if (ex->tree == NULL) sql_strbuf_putc(ex->sb, '\n');
    if (ex->verbose && ex->out != NULL) sql_explain_output(ex, col);
}

/* "  Label: <expr>" under the node at `col`. */
static void sql_explain_prop(sql_xpl *ex, uint32_t col, const char *label,
                             const sql_expr *e, const sql_plan *in) {
    if (ex->tree != NULL) {
        sql_strbuf v;
        sql_strbuf_init(&v, ex->tmp, 64);
        sql_deparse(ex, &v, e, in);
        sql_strbuf_putc(&v, '\0');
        sql_xtree_field(ex->tree, label, v.failed ? "?" : v.data, SQL_XVAL_STR, false);
        return;
    }
    sql_explain_pad(ex->sb, col + 2);
    sql_strbuf_printf(ex->sb, "%s: ", label);
    sql_deparse(ex, ex->sb, e, in);
    sql_strbuf_putc(ex->sb, '\n');
}

static void sql_explain_text(sql_xpl *ex, uint32_t col, const char *label,
                             const char *text) {
    if (ex->tree != NULL) {
        sql_xtree_field(ex->tree, label, text, SQL_XVAL_STR, false);
        return;
    }
    sql_explain_pad(ex->sb, col + 2);
    sql_strbuf_printf(ex->sb, "%s: %s\n", label, text);
}

static void sql_explain_node(sql_xpl *ex, const sql_plan *p, uint32_t col,
                             const sql_plan *filter, const sql_plan *proj);
static void sql_explain_children_walk(sql_xpl *ex, const sql_plan *p, uint32_t col);

/* ---- VERBOSE: Output ---- */

/* Whether column i of p is a table's (or function's) column passed up unchanged: an upper
 * node names it bare, where it shows a value computed below in parentheses, as ruleutils
 * prints a reference to a lower plan's non-Var target. */
static bool sql_explain_out_is_var(const sql_plan *p, uint32_t i) {
    for (;;) {
        if (p == NULL || i >= p->ncols) return true;
        switch (p->kind) {
        case SQL_P_GATHER: case SQL_P_FILTER: case SQL_P_SORT: case SQL_P_LIMIT:
        case SQL_P_DISTINCT: case SQL_P_LOCKROWS:
            p = p->left;
            continue;
        case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
            if (p->left != NULL && i >= p->left->ncols) {
                i -= p->left->ncols;
                p = p->right;
            } else {
                p = p->left;
            }
            continue;
        case SQL_P_PROJECT:
            if (p->project.exprs[i]->kind != SQL_X_COLUMN) return false;
            i = p->project.exprs[i]->column.index;
            p = p->left;
            continue;
        case SQL_P_WINDOW:
            if (p->left == NULL || i >= p->left->ncols) return false;
            p = p->left;
            continue;
        case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE:
            return i >= p->modify.nreturning || p->modify.returning[i]->kind == SQL_X_COLUMN;
        case SQL_P_AGG:
            if (i >= p->agg.ngroup || p->agg.group[i]->kind != SQL_X_COLUMN) return false;
            i = p->agg.group[i]->column.index;
            p = p->left;
            continue;
        default: return true;
        }
    }
}

static void sql_explain_out_item(sql_xpl *ex, sql_strbuf *sb, const sql_plan *p,
                                 const sql_plan *proj, uint32_t i);

/* A window function as PostgreSQL 15's Output shows it: "row_number() OVER (?)". */
static void sql_explain_out_window(sql_xpl *ex, sql_strbuf *sb, const sql_plan *p,
                                   const sql_window_func *f) {
    sql_strbuf_printf(sb, "%s(", f->name);
    if (f->star) sql_strbuf_putc(sb, '*');
    sql_deparse_list(ex, sb, f->args, f->nargs, p->left, ", ");
    sql_strbuf_puts(sb, ") OVER (?)");
}

/* The node below p (or p) that computes p's column i, and that column's index there. */
static const sql_plan *sql_explain_out_source(const sql_plan *p, uint32_t *i) {
    while (p != NULL && *i < p->ncols) {
        switch (p->kind) {
        case SQL_P_GATHER: case SQL_P_FILTER: case SQL_P_SORT: case SQL_P_LIMIT:
        case SQL_P_DISTINCT: case SQL_P_LOCKROWS:
            if (p->left == NULL) return p;
            p = p->left;
            continue;
        case SQL_P_WINDOW:
            if (p->left == NULL || *i >= p->left->ncols) return p;
            p = p->left;
            continue;
        case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
            if (*i >= p->left->ncols) {
                *i -= p->left->ncols;
                p = p->right;
            } else {
                p = p->left;
            }
            continue;
        default: return p;
        }
    }
    return p;
}

/* Output item i of p as an upper node shows it: bare for a passed-up column, else the
 * computing node's text in parentheses ("(count(*))"). */
static void sql_explain_out_ref(sql_xpl *ex, sql_strbuf *sb, const sql_plan *p, uint32_t i) {
    if (sql_explain_out_is_var(p, i)) {
        sql_deparse_col(ex, sb, p, i);
        return;
    }
    const sql_plan *src = sql_explain_out_source(p, &i);
    sql_strbuf_putc(sb, '(');
    if (src != NULL && i < src->ncols) sql_explain_out_item(ex, sb, src, NULL, i);
    else sql_deparse_col(ex, sb, p, i);
    sql_strbuf_putc(sb, ')');
}

/* Output item i of node p (`proj`, a PROJECT folded into p, computes the items): what p
 * computes itself bare ("(a + 1)", "count(*)"), what it passes on as its input shows it. */
static void sql_explain_out_item(sql_xpl *ex, sql_strbuf *sb, const sql_plan *p,
                                 const sql_plan *proj, uint32_t i) {
    if (proj != NULL) {
        const sql_expr *e = proj->project.exprs[i];
        if (e->kind == SQL_X_COLUMN && e->column.index < p->ncols) {
            sql_explain_out_item(ex, sb, p, NULL, e->column.index);
        } else {
            sql_deparse(ex, sb, e, p);
        }
        return;
    }
    switch (p->kind) {
    case SQL_P_GATHER: case SQL_P_FILTER: case SQL_P_SORT: case SQL_P_LIMIT:
    case SQL_P_DISTINCT: case SQL_P_LOCKROWS:
        if (p->left != NULL && i < p->left->ncols) {
            sql_explain_out_ref(ex, sb, p->left, i);
            return;
        }
        break;
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        if (i < p->left->ncols) sql_explain_out_ref(ex, sb, p->left, i);
        else sql_explain_out_ref(ex, sb, p->right, i - p->left->ncols);
        return;
    case SQL_P_AGG:
        if (p->left == NULL) break;
        if (i < p->agg.ngroup && p->agg.group[i]->kind == SQL_X_COLUMN) {
            sql_explain_out_ref(ex, sb, p->left, p->agg.group[i]->column.index);
            return;
        }
        if (i < p->agg.ngroup) {
            sql_deparse(ex, sb, p->agg.group[i], p->left);
            return;
        }
        if (p->agg.mode != SQL_AGG_PARTIAL) break;
        sql_strbuf_puts(sb, "PARTIAL "); /* a partial aggregate's transition state */
        sql_deparse_agg_call(ex, sb, p, &p->agg.aggs[i - p->agg.ngroup]);
        return;
    case SQL_P_PROJECT:
        sql_deparse(ex, sb, p->project.exprs[i], p->left);
        return;
    case SQL_P_WINDOW:
        if (p->left == NULL) break;
        if (i < p->left->ncols) {
            sql_explain_out_ref(ex, sb, p->left, i);
        } else if (i - p->left->ncols < p->window.nfuncs) {
            sql_explain_out_window(ex, sb, p, &p->window.funcs[i - p->left->ncols]);
        }
        return;
    default: break;
    }
    sql_deparse_col(ex, sb, p, i);
}

/* "Output: a, (a + 1)" of ex->out, its columns named with their tables when the plan reads
 * several relations (PostgreSQL qualifies a target list only then). */
static void sql_explain_output(sql_xpl *ex, uint32_t col) {
    const sql_plan *p = ex->out, *proj = ex->out_proj;
    ex->out = ex->out_proj = NULL;
    uint32_t n = proj != NULL ? proj->ncols : p->ncols;
    if (n == 0) return; /* PostgreSQL shows no empty Output */
    sql_strbuf *items = rt_arena_alloc(ex->tmp, sizeof(sql_strbuf) * (n + 1u));
    if (items == NULL) return;
    bool qualify = ex->qualify;
    ex->qualify = ex->multi;
    for (uint32_t i = 0; i < n; i++) {
        sql_strbuf_init(&items[i], ex->tmp, 32);
        sql_explain_out_item(ex, &items[i], p, proj, i);
        sql_strbuf_putc(&items[i], '\0');
    }
    ex->qualify = qualify;
    sql_explain_list(ex, col, "Output", items, n);
}

/* A relation as the text format names it, quoted as an identifier; with VERBOSE with its
 * schema ("public.t"). */
static const char *sql_explain_relname(sql_xpl *ex, const eng_table *t) {
    const char *rel = sql_xpl_ident(ex, t->name);
    if (!ex->verbose || ex->db == NULL) return rel;
    const eng_schema *ns = eng_db_schema_by_oid(ex->db, t->schema_oid);
    if (ns == NULL) return rel;
    const char *name = rt_arena_sprintf(ex->tmp, "%s.%s", sql_xpl_ident(ex, ns->name), rel);
    return name != NULL ? name : rel;
}

/* ---- per node ---- */

static void sql_explain_pkget(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    const eng_table *t = p->scan.table;
    sql_strbuf cond;
    sql_strbuf_init(&cond, ex->tmp, 64);
    if (p->scan.nkey > 1) sql_strbuf_putc(&cond, '(');
    for (uint32_t k = 0; k < p->scan.nkey; k++) {
        if (k > 0) sql_strbuf_puts(&cond, " AND ");
        sql_strbuf_putc(&cond, '(');
        if (ex->qualify) sql_strbuf_printf(&cond, "%s.", sql_xpl_ident(ex, sql_scan_name(ex, p)));
        const eng_column *kc = &t->columns[t->pk_attnums[k] - 1];
        sql_strbuf_printf(&cond, "%s = ", sql_xpl_ident(ex, kc->name));
        sql_deparse(ex, &cond, sql_xpl_cross(ex, p->scan.key[k], kc->type_oid, false), p);
        sql_strbuf_putc(&cond, ')');
    }
    if (p->scan.nkey > 1) sql_strbuf_putc(&cond, ')');
    sql_strbuf_putc(&cond, '\0');
    sql_explain_text(ex, col, "Index Cond", cond.data);
    /* The filter of an UPDATE's lookup still holds the key equalities: not shown twice. */
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(p->scan.filter, conj, SQL_PLAN_CONJUNCTS_MAX);
    sql_expr *rest[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nrest = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pos;
        sql_expr *value;
        if (!sql_plan_pk_conjunct(p, conj[i], &pos, &value)) rest[nrest++] = conj[i];
    }
    if (nrest == 0) return;
    sql_strbuf f;
    sql_strbuf_init(&f, ex->tmp, 64);
    if (nrest > 1) sql_strbuf_putc(&f, '(');
    for (uint32_t i = 0; i < nrest; i++) {
        if (i > 0) sql_strbuf_puts(&f, " AND ");
        sql_deparse(ex, &f, rest[i], p);
    }
    if (nrest > 1) sql_strbuf_putc(&f, ')');
    sql_strbuf_putc(&f, '\0');
    sql_explain_text(ex, col, "Filter", f.data);
    sql_explain_removed(ex, col, p, false);
}

/* Hash Cond (Merge Cond) from the keys; the quals' other conjuncts as Join Filter. */
static void sql_explain_hashjoin(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    sql_strbuf cond;
    sql_strbuf_init(&cond, ex->tmp, 64);
    char **keys = rt_arena_alloc(ex->tmp, sizeof(char *) * 2 * (p->join.nkeys + 1u));
    if (keys == NULL) return;
    if (p->join.nkeys > 1) sql_strbuf_putc(&cond, '(');
    for (uint32_t k = 0; k < p->join.nkeys; k++) {
        sql_strbuf a, b;
        sql_strbuf_init(&a, ex->tmp, 32);
        sql_strbuf_init(&b, ex->tmp, 32);
        const sql_expr *lk = p->join.left_keys[k], *rk = p->join.right_keys[k];
        sql_deparse(ex, &a, sql_xpl_cross(ex, lk, rk->type_oid, rk->kind == SQL_X_CONST),
                    p->left);
        sql_deparse(ex, &b, sql_xpl_cross(ex, rk, lk->type_oid, lk->kind == SQL_X_CONST),
                    p->right);
        sql_strbuf_putc(&a, '\0');
        sql_strbuf_putc(&b, '\0');
        const char *op = (p->join.nulls_equal & (1u << k)) ? "IS NOT DISTINCT FROM" : "=";
        keys[2 * k] = rt_arena_sprintf(ex->tmp, "(%s %s %s)", a.data, op, b.data);
        keys[2 * k + 1] = rt_arena_sprintf(ex->tmp, "(%s %s %s)", b.data, op, a.data);
        if (k > 0) sql_strbuf_puts(&cond, " AND ");
        sql_strbuf_puts(&cond, keys[2 * k] != NULL ? keys[2 * k] : "?");
    }
    if (p->join.nkeys > 1) sql_strbuf_putc(&cond, ')');
    sql_strbuf_putc(&cond, '\0');
    sql_explain_text(ex, col, p->join.merge ? "Merge Cond" : "Hash Cond", cond.data);
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(p->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
    bool filter = false;
    for (uint32_t i = 0; i < n; i++) {
        sql_strbuf c;
        sql_strbuf_init(&c, ex->tmp, 32);
        sql_deparse(ex, &c, conj[i], p);
        sql_strbuf_putc(&c, '\0');
        bool is_key = false;
        for (uint32_t k = 0; k < 2 * p->join.nkeys && !is_key; k++) {
            is_key = keys[k] != NULL && strcmp(keys[k], c.data) == 0;
        }
        if (!is_key) sql_explain_text(ex, col, "Join Filter", c.data);
        filter |= !is_key;
    }
    if (filter) sql_explain_removed(ex, col, p, true);
}

/* A build side the GATHER above builds once and every fragment probes (not once per
 * fragment): "Shared Build: once per Gather", with EXPLAIN ANALYZE its actual rows per build
 * and builds summed over the shards, counted once however many fragments probe it. */
static void sql_explain_shared(sql_xpl *ex, uint32_t col, const sql_plan *p) {
    uint64_t rows = 0;
    uint32_t builds = 0;
    for (uint32_t s = 0; s < ex->nactual; s++) {
        const sql_shared_actual *a = &ex->actual[s];
        for (uint32_t i = 0; i < a->count; i++) {
            if (a->join[i] != p) continue;
            rows += a->rows[i];
            builds += a->builds[i];
        }
    }
    uint64_t per = builds > 0 ? (rows + builds / 2) / builds : 0; /* rounded, as PostgreSQL */
    if (ex->tree != NULL) {
        char buf[32];
        sql_xtree_field(ex->tree, "Shared Build", "once per Gather", SQL_XVAL_STR, false);
        if (ex->actual == NULL) return;
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)per);
        sql_xtree_field(ex->tree, "Shared Build Rows", buf, SQL_XVAL_RAW, false);
        snprintf(buf, sizeof buf, "%u", builds);
        sql_xtree_field(ex->tree, "Shared Build Loops", buf, SQL_XVAL_RAW, false);
        return;
    }
    sql_explain_pad(ex->sb, col + 2);
    sql_strbuf_puts(ex->sb, "Shared Build: once per Gather");
    if (ex->actual != NULL) {
        sql_strbuf_printf(ex->sb, " (actual rows=%llu loops=%u)", (unsigned long long)per,
                          builds);
    }
    sql_strbuf_putc(ex->sb, '\n');
}

/* A list detail ("Sort Key", "Group Key"): one line joined by ", " in text, a list in the
 * structured formats. */
static void sql_explain_list(sql_xpl *ex, uint32_t col, const char *label, sql_strbuf *items,
                             uint32_t n) {
    if (ex->tree != NULL) {
        const char **v = rt_arena_alloc(ex->tmp, sizeof(char *) * (n + 1u));
        if (v == NULL) return;
        for (uint32_t k = 0; k < n; k++) v[k] = items[k].failed ? "?" : items[k].data;
        sql_xtree_list(ex->tree, label, v, n);
        return;
    }
    sql_strbuf s;
    sql_strbuf_init(&s, ex->tmp, 64);
    for (uint32_t k = 0; k < n; k++) {
        if (k > 0) sql_strbuf_puts(&s, ", ");
        sql_strbuf_puts(&s, items[k].failed ? "?" : items[k].data);
    }
    sql_strbuf_putc(&s, '\0');
    sql_explain_text(ex, col, label, s.failed ? "?" : s.data);
}

static void sql_explain_sort_keys(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    sql_strbuf *items = rt_arena_alloc(ex->tmp, sizeof(sql_strbuf) * (p->sort.nkeys + 1u));
    if (items == NULL) return;
    for (uint32_t k = 0; k < p->sort.nkeys; k++) {
        const sql_sort_key *key = &p->sort.keys[k];
        sql_strbuf *s = &items[k];
        sql_strbuf_init(s, ex->tmp, 32);
        sql_deparse(ex, s, key->expr, p->left);
        if (key->desc) sql_strbuf_puts(s, " DESC");
        if (key->desc && !key->nulls_first) sql_strbuf_puts(s, " NULLS LAST");
        if (!key->desc && key->nulls_first) sql_strbuf_puts(s, " NULLS FIRST");
        sql_strbuf_putc(s, '\0');
    }
    sql_explain_list(ex, col, "Sort Key", items, p->sort.nkeys);
}

/* `label`: the keys of `mask` (bits over keys; UINT64_MAX all), "()" for none. */
static void sql_explain_key_set(sql_xpl *ex, sql_expr *const *keys, uint32_t n,
                                const sql_plan *in, uint32_t col, const char *label,
                                uint64_t mask) {
    sql_strbuf *items = rt_arena_alloc(ex->tmp, sizeof(sql_strbuf) * (n + 1u));
    if (items == NULL) return;
    uint32_t m = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (k < 64 && !(mask & (1ull << k))) continue;
        sql_strbuf_init(&items[m], ex->tmp, 32);
        if (keys != NULL) sql_deparse(ex, &items[m], keys[k], in);
        else sql_deparse_col(ex, &items[m], in, k);
        sql_strbuf_putc(&items[m++], '\0');
    }
    if (m == 0) {
        sql_strbuf_init(&items[m], ex->tmp, 4);
        sql_strbuf_puts(&items[m], "()");
        sql_strbuf_putc(&items[m++], '\0');
    }
    sql_explain_list(ex, col, label, items, m);
}

static void sql_explain_group_keys(sql_xpl *ex, sql_expr *const *keys, uint32_t n,
                                   const sql_plan *in, uint32_t col) {
    sql_explain_key_set(ex, keys, n, in, col, "Group Key", UINT64_MAX);
}

/* Grouping sets as PostgreSQL shows hashed ones: a Hash Key per set, Group Key: () for the
 * empty set, MixedAggregate when there is one. */
static void sql_explain_agg(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    static const char *modes[] = {"", "Partial ", "Finalize "};
    const char *mode = modes[p->agg.mode <= SQL_AGG_FINAL ? p->agg.mode : 0];
    bool empty_set = false;
    for (uint32_t i = 0; i < p->agg.nsets; i++) empty_set |= p->agg.sets[i] == 0;
    char head[64];
    snprintf(head, sizeof head, "%s%s", mode,
             empty_set ? "MixedAggregate" : p->agg.ngroup > 0 ? "HashAggregate" : "Aggregate");
    sql_explain_head(ex, col, "%s", head);
    if (p->agg.ngroup == 0) return;
    sql_expr *const *keys = p->agg.group;
    const sql_plan *in = p->left;
    if (p->agg.mode == SQL_AGG_FINAL) { /* show the partial's keys, over the real input */
        const sql_plan *part = p->left;
        while (part != NULL && part->kind != SQL_P_AGG) part = part->left;
        if (part != NULL) {
            keys = part->agg.group;
            in = part->left;
        }
    }
    if (p->agg.nsets == 0) {
        sql_explain_group_keys(ex, keys, p->agg.ngroup, in, col);
        return;
    }
    for (uint32_t i = 0; i < p->agg.nsets; i++) {
        sql_explain_key_set(ex, keys, p->agg.ngroup, in, col,
                            p->agg.sets[i] != 0 ? "Hash Key" : "Group Key", p->agg.sets[i]);
    }
}

static const char *sql_join_suffix(const sql_plan *p) {
    if (p->join.semi) return " Semi Join";
    if (p->join.anti) return " Anti Join";
    switch (p->join.join_type) {
    case SQL_JOIN_LEFT: return " Left Join";
    case SQL_JOIN_RIGHT: return " Right Join";
    case SQL_JOIN_FULL: return " Full Join";
    default: return p->kind == SQL_P_HASHJOIN ? " Join" : "";
    }
}

static uint32_t sql_gather_partitions(const sql_plan *p) {
    for (const sql_plan *f = p->left; f != NULL; f = f->left) {
        if (f->kind == SQL_P_PKGET) return 1;
    }
    if (p->gather.npartitions > 0) return p->gather.npartitions;
    return p->gather.table != NULL ? p->gather.table->partition_count : 0;
}

/* The and of conjuncts conj[0..n) (NULL if none, or out of memory: EXPLAIN leaves it out). */
static const sql_expr *sql_explain_and(sql_xpl *ex, sql_expr **conj, uint32_t n) {
    if (n <= 1) return n == 1 ? conj[0] : NULL;
    sql_expr *a = sql_expr_new(ex->tmp, SQL_X_AND, SQL_T_BOOL, n);
    if (a == NULL) return NULL;
    a->typmod = -1;
    a->location = UINT32_MAX;
    memcpy(a->args, conj, sizeof(sql_expr *) * n);
    return a;
}

/* An index scan's filter: its first ix_nconj conjuncts are the Index Cond, the rest the
 * Filter (the executor re-checks all of them). */
static void sql_explain_ixconds(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(p->scan.filter, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t k = p->scan.ix_nconj < n ? p->scan.ix_nconj : n;
    const sql_expr *cond = sql_explain_and(ex, conj, k);
    const sql_expr *rest = sql_explain_and(ex, conj + k, n - k);
    if (cond != NULL) sql_explain_prop(ex, col, "Index Cond", cond, p);
    if (rest == NULL) return;
    sql_explain_prop(ex, col, "Filter", rest, p);
    sql_explain_removed(ex, col, p, false);
}

/* "Seq Scan on t" / "Index Scan using t_pkey on t", with the alias when the query renames
 * the table; a scan's own conditions name its columns unqualified, as PostgreSQL prints them.
 * With COSTS ON a scan whose zone maps are expected to skip rows says how many. */
static void sql_explain_scan(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    bool qualify = ex->qualify;
    ex->qualify = ex->verbose; /* VERBOSE names every column with its table */
    /* "on t" or, when the query renames it, "on t t1" ("on public.t" with VERBOSE) */
    const char *name = sql_explain_relname(ex, p->scan.table), *ref = sql_scan_name(ex, p);
    bool renamed = strcmp(p->scan.table->name, ref) != 0;
    const char *alias = sql_xpl_ident(ex, ref);
    const char *line;
    if (p->kind == SQL_P_SCAN) {
        line = rt_arena_sprintf(ex->tmp, "Seq Scan on %s%s%s", name, renamed ? " " : "",
                                renamed ? alias : "");
        sql_explain_head(ex, col, "%s", line != NULL ? line : "Seq Scan");
        if (p->scan.filter != NULL) {
            sql_explain_prop(ex, col, "Filter", p->scan.filter, p);
            sql_explain_removed(ex, col, p, false);
        }
        if (ex->costs && ex->tree == NULL && p->scan.skip_frac > 0) {
            sql_explain_pad(ex->sb, col + 2);
            sql_strbuf_printf(ex->sb, "Zone Maps: est. %.1f%% of rows skipped\n",
                              p->scan.skip_frac * 100);
        }
    } else if (p->kind == SQL_P_IXSCAN) {
        line = rt_arena_sprintf(ex->tmp, "Index Scan using %s on %s%s%s",
                                sql_xpl_ident(ex, p->scan.index->name),
                                name, renamed ? " " : "", renamed ? alias : "");
        sql_explain_head(ex, col, "%s", line != NULL ? line : "Index Scan");
        sql_explain_ixconds(ex, p, col);
    } else {
        const char *pkey = rt_arena_sprintf(ex->tmp, "%s_pkey", p->scan.table->name);
        line = rt_arena_sprintf(ex->tmp, "Index Scan using %s on %s%s%s",
                                pkey != NULL ? sql_xpl_ident(ex, pkey) : "?", name,
                                renamed ? " " : "",
                                renamed ? alias : "");
        sql_explain_head(ex, col, "%s", line != NULL ? line : "Index Scan");
        sql_explain_pkget(ex, p, col);
    }
    ex->qualify = qualify;
}

static void sql_explain_annscan(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    static const char *ops[] = {"", "<=>", "<->", "<#>"};
    bool qualify = ex->qualify;
    ex->qualify = ex->verbose;
    sql_explain_head(ex, col, "HNSW Index Scan on %s", sql_explain_relname(ex, p->ann.table));
    sql_strbuf s;
    sql_strbuf_init(&s, ex->tmp, 64);
    sql_strbuf_printf(&s, "%s %s ",
                      sql_xpl_ident(ex, p->ann.table->columns[p->ann.vec_attnum - 1].name),
                      ops[p->ann.metric <= 3 ? p->ann.metric : 0]);
    if (p->ann.query->kind == SQL_X_OUTER) { /* per LATERAL row: name the column */
        sql_deparse(ex, &s, p->ann.query, p);
    } else {
        sql_strbuf_puts(&s, "$query");
    }
    sql_strbuf_putc(&s, '\0');
    sql_explain_text(ex, col, "Order By", s.failed ? "?" : s.data);
    if (p->ann.filter != NULL) sql_explain_prop(ex, col, "Filter", p->ann.filter, p);
    ex->qualify = qualify;
}

/* ---- the structured formats: node type and the fields before the details ---- */

static void sql_explain_field(sql_xpl *ex, const char *key, const char *value, bool early) {
    sql_xtree_field(ex->tree, key, value, SQL_XVAL_STR, early);
}

/* VERBOSE: the "Schema" of a relation. */
static void sql_explain_schema(sql_xpl *ex, const eng_table *t) {
    if (!ex->verbose || ex->db == NULL) return;
    const eng_schema *ns = eng_db_schema_by_oid(ex->db, t->schema_oid);
    if (ns != NULL) sql_explain_field(ex, "Schema", ns->name, false);
}

/* "Relation Name" and "Alias" (and the index of an index scan) of a scan node. */
static void sql_explain_struct_rel(sql_xpl *ex, const sql_plan *p) {
    if (p->kind == SQL_P_IXSCAN || p->kind == SQL_P_PKGET) {
        sql_explain_field(ex, "Scan Direction", "Forward", false);
        const char *ix = p->kind == SQL_P_IXSCAN
                             ? p->scan.index->name
                             : rt_arena_sprintf(ex->tmp, "%s_pkey", p->scan.table->name);
        sql_explain_field(ex, "Index Name", ix != NULL ? ix : "?", false);
    }
    sql_explain_field(ex, "Relation Name", p->scan.table->name, false);
    sql_explain_schema(ex, p->scan.table);
    sql_explain_field(ex, "Alias", sql_scan_name(ex, p), false);
}

static const char *sql_explain_join_type(const sql_plan *p) {
    if (p->join.semi) return "Semi";
    if (p->join.anti) return "Anti";
    switch (p->join.join_type) {
    case SQL_JOIN_LEFT: return "Left";
    case SQL_JOIN_RIGHT: return "Right";
    case SQL_JOIN_FULL: return "Full";
    default: return "Inner";
    }
}

static void sql_explain_struct_agg(sql_xpl *ex, const char *strategy, const char *mode) {
    sql_xtree_begin(ex->tree, "Aggregate");
    sql_explain_field(ex, "Strategy", strategy, true);
    sql_explain_field(ex, "Partial Mode", mode, true);
}

/* Begins node p in the tree with PostgreSQL's "Node Type" and the fields that come before
 * the details (what the text format's header line says). */
static void sql_explain_struct_head(sql_xpl *ex, const sql_plan *p) {
    static const char *setops[] = {"", "Union", "Intersect", "Except"};
    static const char *modes[] = {"Simple", "Partial", "Finalize"};
    static const char *ops[] = {"Insert", "Update", "Delete"};
    static const char *types[SQL_P_LOCKROWS + 1] = {
        [SQL_P_RESULT] = "Result", [SQL_P_VALUES] = "Values Scan", [SQL_P_SCAN] = "Seq Scan",
        [SQL_P_PKGET] = "Index Scan", [SQL_P_IXSCAN] = "Index Scan",
        [SQL_P_ANNSCAN] = "HNSW Index Scan", [SQL_P_SOURCE] = "Copy Input",
        [SQL_P_PROJECTSET] = "ProjectSet", [SQL_P_CATALOG] = "Catalog Scan",
        [SQL_P_FUNCSCAN] = "Function Scan", [SQL_P_FILTER] = "Result",
        [SQL_P_PROJECT] = "Result", [SQL_P_GATHER] = "Gather", [SQL_P_NESTLOOP] = "Nested Loop",
        [SQL_P_HASHJOIN] = "Hash Join", [SQL_P_SORT] = "Sort", [SQL_P_LIMIT] = "Limit",
        [SQL_P_SETOP] = "SetOp", [SQL_P_APPEND] = "Append", [SQL_P_MATERIAL] = "CTE Scan",
        [SQL_P_CTESCAN] = "CTE Scan", [SQL_P_WORKTABLE] = "WorkTable Scan",
        [SQL_P_RECURSIVE] = "Recursive Union", [SQL_P_WINDOW] = "WindowAgg",
        [SQL_P_INSERT] = "ModifyTable", [SQL_P_UPDATE] = "ModifyTable",
        [SQL_P_DELETE] = "ModifyTable", [SQL_P_LOCKROWS] = "LockRows"};
    if (p->kind == SQL_P_AGG) {
        bool empty_set = false; /* grouping sets with () are "Mixed", as in the text format */
        for (uint32_t i = 0; i < p->agg.nsets; i++) empty_set |= p->agg.sets[i] == 0;
        sql_explain_struct_agg(ex, empty_set ? "Mixed" : p->agg.ngroup > 0 ? "Hashed" : "Plain",
                               modes[p->agg.mode <= SQL_AGG_FINAL ? p->agg.mode : 0]);
        return;
    }
    if (p->kind == SQL_P_DISTINCT) {
        if (p->distinct.nkeys == 0) sql_explain_struct_agg(ex, "Hashed", "Simple");
        else sql_xtree_begin(ex->tree, "Unique");
        return;
    }
    const char *type = (uint32_t)p->kind <= SQL_P_IXSCAN ? types[p->kind] : NULL;
    if (p->kind == SQL_P_HASHJOIN && p->join.merge) type = "Merge Join";
    if (p->kind == SQL_P_GATHER && p->gather.share_key != NULL) type = "Repartition";
    sql_xtree_begin(ex->tree, type != NULL ? type : "Result");
    switch (p->kind) {
    case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE:
        sql_explain_field(ex, "Operation", ops[p->kind - SQL_P_INSERT], true);
        sql_explain_field(ex, "Relation Name", p->modify.table->name, false);
        sql_explain_schema(ex, p->modify.table);
        sql_explain_field(ex, "Alias", p->modify.table->name, false);
        break;
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN: sql_explain_struct_rel(ex, p); break;
    case SQL_P_ANNSCAN:
        sql_explain_field(ex, "Relation Name", p->ann.table->name, false);
        sql_explain_schema(ex, p->ann.table);
        sql_explain_field(ex, "Alias", p->ann.table->name, false);
        break;
    case SQL_P_VALUES: sql_explain_field(ex, "Alias", sql_xpl_refname(ex, p), false); break;
    case SQL_P_APPEND:
        sql_xtree_field(ex->tree, "Subplans Removed", "0", SQL_XVAL_RAW, false);
        break;
    case SQL_P_FUNCSCAN:
        sql_explain_field(ex, "Function Name", p->func.def->name, false);
        if (ex->verbose) sql_explain_field(ex, "Schema", "pg_catalog", false);
        sql_explain_field(ex, "Alias", sql_xpl_refname(ex, p), false);
        break;
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        sql_explain_field(ex, "Join Type", sql_explain_join_type(p), false);
        break;
    case SQL_P_SETOP:
        sql_explain_field(ex, "Strategy", "Hashed", true);
        sql_explain_field(ex, "Command",
                          rt_arena_sprintf(ex->tmp, "%s%s",
                                           setops[p->setop.op <= 3 ? p->setop.op : 0],
                                           p->setop.all ? " All" : ""), false);
        break;
    default: break;
    }
}

/* "Function Scan on generate_series g"; with VERBOSE "on pg_catalog.generate_series g" (the
 * built-in functions live there) and "Function Call: generate_series(1, 10)". */
static void sql_explain_funcscan(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    /* an alias other than the function's name follows it, as PostgreSQL prints */
    const char *name = sql_xpl_ident(ex, p->func.def->name), *ref = sql_xpl_refname(ex, p);
    if (strcmp(ref, p->func.def->name) != 0) {
        name = rt_arena_sprintf(ex->tmp, "%s %s", name, sql_xpl_ident(ex, ref));
    }
    if (ex->verbose && name != NULL) name = rt_arena_sprintf(ex->tmp, "pg_catalog.%s", name);
    sql_explain_head(ex, col, "Function Scan on %s", name);
    if (!ex->verbose) return;
    sql_strbuf s;
    sql_strbuf_init(&s, ex->tmp, 64);
    sql_strbuf_printf(&s, "%s(", p->func.def->name);
    sql_deparse_list(ex, &s, p->func.args,
                     p->func.nargs - (sql_jsonrec_is(p->func.def) ? 1u : 0u), NULL, ", ");
    sql_strbuf_putc(&s, ')');
    sql_strbuf_putc(&s, '\0');
    sql_explain_text(ex, col, "Function Call", s.failed ? "?" : s.data);
}

/* "CTE Scan on c" / "WorkTable Scan on c c_1": the WITH query's name, then the name the
 * reference goes by when another (quoted as identifiers); its filter's columns bare, as a
 * table scan's, but for VERBOSE. */
static void sql_explain_ctescan(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    const char *name = p->material.name != NULL ? p->material.name : "?";
    const char *ref = sql_xpl_refname(ex, p);
    const char *line = sql_xpl_ident(ex, name);
    if (strcmp(ref, name) != 0) {
        line = rt_arena_sprintf(ex->tmp, "%s %s", line, sql_xpl_ident(ex, ref));
    }
    if (ex->tree != NULL) {
        sql_explain_field(ex, "CTE Name", name, false);
        sql_explain_field(ex, "Alias", ref, false);
    }
    bool qualify = ex->qualify;
    ex->qualify = ex->verbose;
    sql_explain_head(ex, col, p->kind == SQL_P_WORKTABLE ? "WorkTable Scan on %s"
                                                          : "CTE Scan on %s", line);
    ex->qualify = qualify;
}

/* Header line and details of node p. */
static void sql_explain_self(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    static const char *setops[] = {"", "Union", "Intersect", "Except"};
    char buf[160];
    if (ex->tree != NULL) sql_explain_struct_head(ex, p);
    switch (p->kind) {
    case SQL_P_RESULT: sql_explain_head(ex, col, "Result", NULL); break;
    case SQL_P_VALUES:
        sql_explain_head(ex, col, "Values Scan on %s", sql_xpl_ident(ex, sql_xpl_refname(ex, p)));
        break;
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN: sql_explain_scan(ex, p, col); break;
    case SQL_P_ANNSCAN: sql_explain_annscan(ex, p, col); break;
    case SQL_P_SOURCE: sql_explain_head(ex, col, "Copy Input", NULL); break;
    case SQL_P_PROJECTSET: sql_explain_head(ex, col, "ProjectSet", NULL); break;
    case SQL_P_CATALOG: sql_explain_head(ex, col, "Catalog Scan", NULL); break;
    case SQL_P_FUNCSCAN: sql_explain_funcscan(ex, p, col); break;
    case SQL_P_FILTER: case SQL_P_PROJECT: sql_explain_head(ex, col, "Result", NULL); break;
    case SQL_P_GATHER:
        /* A re-partitioned join input: every shard gathers its share of the rows. */
        sql_explain_head(ex, col, p->gather.share_key != NULL ? "Repartition" : "Gather", NULL);
        snprintf(buf, sizeof buf, "%u", sql_gather_partitions(p));
        if (ex->tree != NULL) sql_xtree_field(ex->tree, "Partitions", buf, SQL_XVAL_RAW, false);
        else sql_explain_text(ex, col, "Partitions", buf);
        if (p->gather.share_key != NULL) {
            sql_explain_prop(ex, col, "Hash Key", p->gather.share_key, p);
        }
        break;
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        snprintf(buf, sizeof buf, "%s%s",
                 p->kind != SQL_P_HASHJOIN ? "Nested Loop" : p->join.merge ? "Merge" : "Hash",
                 sql_join_suffix(p));
        sql_explain_head(ex, col, "%s", buf);
        if (p->kind == SQL_P_HASHJOIN) sql_explain_hashjoin(ex, p, col);
        else if (p->join.quals != NULL) {
            sql_explain_prop(ex, col, "Join Filter", p->join.quals, p);
            sql_explain_removed(ex, col, p, true);
        }
        if (ex->share && sql_plan_join_shareable(p)) sql_explain_shared(ex, col, p);
        break;
    case SQL_P_AGG: sql_explain_agg(ex, p, col); break;
    case SQL_P_SORT:
        sql_explain_head(ex, col, "Sort", NULL);
        sql_explain_sort_keys(ex, p, col);
        break;
    case SQL_P_LIMIT: sql_explain_head(ex, col, "Limit", NULL); break;
    case SQL_P_LOCKROWS: sql_explain_head(ex, col, "LockRows", NULL); break;
    case SQL_P_DISTINCT:
        if (p->distinct.nkeys > 0) {
            sql_explain_head(ex, col, "Unique", NULL);
        } else {
            sql_explain_head(ex, col, "HashAggregate", NULL);
            sql_explain_group_keys(ex, NULL, p->ncols, p->left, col);
        }
        break;
    case SQL_P_SETOP:
        snprintf(buf, sizeof buf, "HashSetOp %s%s", setops[p->setop.op <= 3 ? p->setop.op : 0],
                 p->setop.all ? " All" : "");
        sql_explain_head(ex, col, "%s", buf);
        break;
    case SQL_P_APPEND: sql_explain_head(ex, col, "Append", NULL); break;
    case SQL_P_MATERIAL: case SQL_P_WORKTABLE: sql_explain_ctescan(ex, p, col); break;
    case SQL_P_CTESCAN: sql_explain_head(ex, col, "CTE Scan", NULL); break;
    case SQL_P_MODIFYCTE: break; /* shown as its main query (sql_explain_node) */
    case SQL_P_RECURSIVE: sql_explain_head(ex, col, "Recursive Union", NULL); break;
    case SQL_P_WINDOW: sql_explain_head(ex, col, "WindowAgg", NULL); break;
    case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE:
        snprintf(buf, sizeof buf, "%s on %%s", p->kind == SQL_P_INSERT   ? "Insert"
                                               : p->kind == SQL_P_UPDATE ? "Update"
                                                                         : "Delete");
        sql_explain_head(ex, col, buf, sql_explain_relname(ex, p->modify.table));
        break;
    }
}

/* How the next node relates to its parent in the structured formats ("Outer", "Inner",
 * "Member", "SubPlan"). */
static void sql_explain_relate(sql_xpl *ex, const char *rel, const char *name) {
    if (ex->tree == NULL) return;
    ex->tree->next_rel = rel;
    ex->tree->next_name = name;
}

/* Whether GATHER `g`'s fragments share their broadcast joins' build sides: as the executor
 * decides (sql_plan_gather_shares) when its partitions are on several shards, taken here from
 * their number (the executor's own check reads which they are). */
/* Whether the GATHER builds its fragments' broadcast sides once, as its start decides
 * (sql_gather_start): it shares them when the partitions its fragments read live on more than
 * one shard, known from the plan (a primary-key fragment reads one partition). */
static bool sql_explain_gather_shares(const sql_plan *g) {
    uint32_t shards = eng_shard_count(), n = sql_gather_partitions(g);
    if (shards < 2 || n < 2 || !sql_plan_gather_shares(g)) return false;
    const uint32_t *parts = g->gather.npartitions > 0 ? g->gather.partitions : NULL;
    uint32_t first = eng_partition_owner(parts != NULL ? parts[0] : 0, shards);
    for (uint32_t i = 1; i < n; i++) {
        if (eng_partition_owner(parts != NULL ? parts[i] : i, shards) != first) return true;
    }
    return false;
}

static void sql_explain_children(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    bool share = ex->share;
    /* What the executor's walk of a fragment (sql_gather_share_builds) reaches: not a nested
     * GATHER's fragment (its own), an APPEND's inputs or a LATERAL right side. */
    if (p->kind == SQL_P_GATHER) ex->share = sql_explain_gather_shares(p);
    if (p->kind == SQL_P_APPEND) ex->share = false;
    sql_explain_children_walk(ex, p, col);
    ex->share = share;
}

static void sql_explain_children_walk(sql_xpl *ex, const sql_plan *p, uint32_t col) {
    if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            sql_explain_relate(ex, "Member", NULL);
            sql_explain_node(ex, p->append.inputs[i], col + 6, NULL, NULL);
        }
        return;
    }
    /* a WITH query's plan is shown once, in its "CTE c" section (sql_explain_level_ctes) */
    if (p->kind == SQL_P_CTESCAN || p->kind == SQL_P_WORKTABLE || p->kind == SQL_P_MATERIAL) {
        return;
    }
    sql_explain_relate(ex, "Outer", NULL);
    if (p->left != NULL) sql_explain_node(ex, p->left, col + 6, NULL, NULL);
    if (p->right == NULL) return;
    sql_explain_relate(ex, "Inner", NULL);
    if (p->kind == SQL_P_HASHJOIN && !p->join.merge) {
        if (ex->tree != NULL) sql_xtree_begin(ex->tree, "Hash");
        ex->out = p->right; /* a Hash outputs the rows it is given */
        ex->act[0] = p->right; /* and returns as many as its input (they are its table) */
        ex->est = p->right;
        ex->est_hash = true;
        sql_explain_head(ex, col + 6, "Hash", NULL);
        sql_explain_relate(ex, "Outer", NULL);
        sql_explain_node(ex, p->right, col + 12, NULL, NULL);
        if (ex->tree != NULL) sql_xtree_end(ex->tree);
        return;
    }
    bool lateral = p->kind == SQL_P_NESTLOOP && p->join.lateral && ex->nouter < 8;
    if (lateral) ex->outer[ex->nouter++] = p->left; /* the right side reads the left row */
    if (p->kind == SQL_P_NESTLOOP && p->join.lateral) ex->share = false;
    sql_explain_node(ex, p->right, col + 6, NULL, NULL);
    if (lateral) ex->nouter--;
}

/* ---- subqueries: "SubPlan N" after the node that evaluates them ---- */

#define SQL_EXPLAIN_SUBPLANS_MAX 32

typedef struct sql_xpl_subs {
    const sql_expr *items[SQL_EXPLAIN_SUBPLANS_MAX];
    uint32_t n;
} sql_xpl_subs;

static bool sql_xpl_sub_fn(const sql_expr *e, void *arg) {
    sql_xpl_subs *s = arg;
    if (e->kind != SQL_X_SUBQUERY || e->sub.plan == NULL) return true;
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->items[i]->sub.id == e->sub.id) return true;
    }
    if (s->n < SQL_EXPLAIN_SUBPLANS_MAX) s->items[s->n++] = e;
    return true;
}

static void sql_xpl_subs_list(sql_xpl_subs *s, sql_expr *const *list, uint32_t n) {
    for (uint32_t i = 0; list != NULL && i < n; i++) sql_expr_walk(list[i], sql_xpl_sub_fn, s);
}

/* Subqueries in the expressions node p evaluates itself. */
static void sql_xpl_subs_of(sql_xpl_subs *s, const sql_plan *p) {
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN:
        sql_expr_walk(p->scan.filter, sql_xpl_sub_fn, s);
        break;
    case SQL_P_FILTER: sql_expr_walk(p->filter.pred, sql_xpl_sub_fn, s); break;
    case SQL_P_PROJECT: case SQL_P_PROJECTSET:
        sql_xpl_subs_list(s, p->project.exprs, p->ncols);
        break;
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        sql_expr_walk(p->join.quals, sql_xpl_sub_fn, s);
        break;
    case SQL_P_AGG:
        sql_xpl_subs_list(s, p->agg.group, p->agg.ngroup);
        for (uint32_t a = 0; a < p->agg.naggs; a++) {
            sql_xpl_subs_list(s, p->agg.aggs[a].args, p->agg.aggs[a].nargs);
        }
        break;
    case SQL_P_VALUES:
        for (uint32_t r = 0; r < p->values.nrows; r++) {
            sql_xpl_subs_list(s, p->values.rows[r], p->ncols);
        }
        break;
    case SQL_P_UPDATE: case SQL_P_INSERT:
        if (p->modify.table != NULL) {
            sql_xpl_subs_list(s, p->modify.set, p->modify.set ? p->modify.table->column_count : 0);
        }
        sql_xpl_subs_list(s, p->modify.returning, p->modify.nreturning);
        break;
    default: break;
    }
}

/* "SubPlan 1" / "InitPlan 1 (returns $0)" and the subquery's plan: a query level of its own
 * (its WITH queries' and InitPlans' sections under its top node). */
static void sql_explain_subplan(sql_xpl *ex, const char *name, const sql_expr *sub,
                                uint32_t col) {
    /* PostgreSQL drops an EXISTS subquery's select list: its top node shows no Output */
    ex->no_out_top = sub->sub.kind == SQL_SUB_EXISTS;
    if (ex->tree == NULL) {
        sql_explain_pad(ex->sb, col + 2);
        sql_strbuf_printf(ex->sb, "%s\n", name);
    }
    ex->level++;
    ex->level_top = ex->init_top = true;
    ex->level_root = ex->init_root = NULL;
    sql_explain_node(ex, sub->sub.plan, col + 8, NULL, NULL);
    ex->level--;
}

static void sql_explain_subplans(sql_xpl *ex, const sql_xpl_subs *s, uint32_t col,
                                 const sql_plan *row) {
    if (s->n == 0 || ex->nouter == 8) return;
    ex->outer[ex->nouter++] = row;
    bool share = ex->share;
    ex->share = false; /* a subquery's plan runs on its own */
    for (uint32_t i = 0; i < s->n; i++) {
        if (sql_xpl_is_initplan(s->items[i])) continue; /* shown at its level's top */
        char name[32];
        snprintf(name, sizeof name, "SubPlan %u", sql_xpl_subno_number(ex, s->items[i]));
        sql_explain_relate(ex, "SubPlan", name);
        sql_explain_subplan(ex, name, s->items[i], col);
    }
    ex->share = share;
    ex->nouter--;
}

/* Whether a PROJECT only passes its input's columns on (in another order). */
static bool sql_explain_permutation(const sql_plan *p) {
    for (uint32_t i = 0; i < p->ncols; i++) {
        if (p->project.exprs[i]->kind != SQL_X_COLUMN) return false;
    }
    return true;
}

/* One "CTE name" section (an InitPlan in the structured formats): the WITH query's plan. */
static void sql_explain_cte(sql_xpl *ex, const char *cte_name, const sql_plan *body,
                            uint32_t col) {
    const char *name = rt_arena_sprintf(ex->tmp, "CTE %s", cte_name); /* not quoted */
    if (ex->tree == NULL) {
        sql_explain_pad(ex->sb, col + 2);
        sql_strbuf_printf(ex->sb, "%s\n", name != NULL ? name : "CTE");
    }
    sql_explain_relate(ex, "InitPlan", name);
    ex->init_top = true; /* its own InitPlans under its top */
    ex->init_root = NULL;
    sql_explain_node(ex, body, col + 8, NULL, NULL);
}

#define SQL_EXPLAIN_CTES_MAX 64 /* WITH queries of one statement shown as sections */

typedef struct sql_xpl_ctes {
    const sql_plan *refs[SQL_EXPLAIN_CTES_MAX];   /* one reference each, by material.id */
    uint32_t n;
    uint32_t seen[SQL_EXPLAIN_CTES_MAX];          /* ids whose plans were walked */
    uint32_t nseen;
} sql_xpl_ctes;

static bool sql_xpl_ctes_seen(sql_xpl_ctes *c, uint32_t id) {
    for (uint32_t i = 0; i < c->nseen; i++) {
        if (c->seen[i] == id) return true;
    }
    if (c->nseen < SQL_EXPLAIN_CTES_MAX) c->seen[c->nseen++] = id;
    return false;
}

/* The WITH queries of level `level` that plan p reads, anywhere below it (in other WITH
 * queries' and in subqueries' plans too), in the order they were written (their ids). */
static void sql_xpl_ctes_of(sql_xpl_ctes *c, const sql_plan *p, uint32_t level, uint32_t depth) {
    if (p == NULL || depth > SQL_EXPLAIN_NAME_DEPTH_MAX) return;
    if (p->kind == SQL_P_MATERIAL && !p->material.dml) {
        if (sql_xpl_ctes_seen(c, p->material.id)) return;
        if (p->material.level == level && c->n < SQL_EXPLAIN_CTES_MAX) {
            uint32_t k = c->n++;
            for (; k > 0 && c->refs[k - 1]->material.id > p->material.id; k--) {
                c->refs[k] = c->refs[k - 1];
            }
            c->refs[k] = p;
        }
    }
    sql_xpl_subs subs = {.n = 0};
    sql_xpl_subs_of(&subs, p);
    for (uint32_t i = 0; i < subs.n; i++) {
        sql_xpl_ctes_of(c, subs.items[i]->sub.plan, level, depth + 1);
    }
    for (uint32_t i = 0; p->kind == SQL_P_APPEND && i < p->append.ninputs; i++) {
        sql_xpl_ctes_of(c, p->append.inputs[i], level, depth + 1);
    }
    for (uint32_t i = 0; p->kind == SQL_P_MODIFYCTE && i < p->modifycte.nctes; i++) {
        sql_xpl_ctes_of(c, p->modifycte.ctes[i]->left, level, depth + 1);
    }
    sql_xpl_ctes_of(c, p->left, level, depth + 1);
    sql_xpl_ctes_of(c, p->right, level, depth + 1);
}

/* The "CTE name" sections of the WITH queries a query level defines (those it reads; with
 * `m`, a MODIFYCTE, its data-modifying ones too), under the level's top node before its
 * children in the order they are written, as PostgreSQL shows their InitPlans. */
static void sql_explain_level_ctes(sql_xpl *ex, const sql_plan *top, const sql_plan *m,
                                   uint32_t col) {
    sql_xpl_ctes *c = rt_arena_alloc(ex->tmp, sizeof *c);
    if (c == NULL) return;
    c->n = c->nseen = 0;
    if (top != NULL) sql_xpl_ctes_of(c, top, ex->level, 0);
    uint32_t i = 0, d = 0, nd = m != NULL ? m->modifycte.nctes : 0;
    while (i < c->n || d < nd) {
        const sql_plan *mat = d < nd ? m->modifycte.ctes[d] : NULL;
        if (mat == NULL || (i < c->n && c->refs[i]->material.pos < mat->material.pos)) {
            mat = c->refs[i++];
        } else {
            d++;
        }
        sql_explain_cte(ex, mat->material.name, mat->left, col);
    }
}

/* The InitPlans of one query level: its uncorrelated subqueries giving one value, wherever in
 * the level they are evaluated (not those of its subqueries or WITH queries). */
static void sql_xpl_inits_of(sql_xpl_subs *s, const sql_plan *p, uint32_t depth) {
    if (p == NULL || depth > SQL_EXPLAIN_NAME_DEPTH_MAX) return;
    sql_xpl_subs all = {.n = 0};
    sql_xpl_subs_of(&all, p);
    for (uint32_t i = 0; i < all.n; i++) {
        if (sql_xpl_is_initplan(all.items[i])) sql_xpl_sub_fn(all.items[i], s);
    }
    if (p->kind == SQL_P_MATERIAL && !p->material.dml) return;
    for (uint32_t i = 0; p->kind == SQL_P_APPEND && i < p->append.ninputs; i++) {
        sql_xpl_inits_of(s, p->append.inputs[i], depth + 1);
    }
    sql_xpl_inits_of(s, p->left, depth + 1);
    sql_xpl_inits_of(s, p->right, depth + 1);
}

static void sql_explain_subplan(sql_xpl *ex, const char *name, const sql_expr *sub,
                                uint32_t col);

/* "InitPlan 1 (returns $0)" sections under a query level's top node, after its WITH queries'
 * (PostgreSQL shows a level's InitPlans there, in plan id order, before the children). */
static void sql_explain_initplans(sql_xpl *ex, const sql_plan *top, uint32_t col) {
    sql_xpl_subs *s = rt_arena_alloc(ex->tmp, sizeof *s);
    if (s == NULL) return;
    s->n = 0;
    sql_xpl_inits_of(s, top, 0);
    for (uint32_t i = 1; i < s->n; i++) { /* by number */
        const sql_expr *e = s->items[i];
        uint32_t k = i;
        for (; k > 0 && sql_xpl_subno_number(ex, s->items[k - 1]) > sql_xpl_subno_number(ex, e);
             k--) {
            s->items[k] = s->items[k - 1];
        }
        s->items[k] = e;
    }
    for (uint32_t i = 0; i < s->n; i++) {
        const sql_xpl_subno *no = sql_xpl_subno_of(ex, s->items[i]);
        const char *name = rt_arena_sprintf(ex->tmp, "InitPlan %u (returns $%u)",
                                            sql_xpl_subno_number(ex, s->items[i]),
                                            no != NULL ? no->param : 0);
        sql_explain_relate(ex, "InitPlan", name);
        sql_explain_subplan(ex, name != NULL ? name : "InitPlan", s->items[i], col);
    }
}

/* What the node about to be shown heads: a query level's (WITH queries' and InitPlans'
 * sections), a MODIFYCTE's data-modifying WITH queries. */
typedef struct sql_xpl_tops {
    const sql_plan *level_root, *init_root, *modifycte;
} sql_xpl_tops;

static sql_xpl_tops sql_explain_take_tops(sql_xpl *ex) {
    sql_xpl_tops t = {.level_root = ex->level_top ? ex->level_root : NULL,
                      .init_root = ex->init_top ? ex->init_root : NULL, .modifycte = ex->ctes};
    ex->level_top = ex->init_top = false;
    ex->level_root = ex->init_root = NULL;
    ex->ctes = NULL;
    return t;
}

/* The sections under a node's details, before its children: "CTE c", "InitPlan 1". */
static void sql_explain_sections(sql_xpl *ex, const sql_xpl_tops *t, uint32_t col) {
    if (t->modifycte != NULL || t->level_root != NULL) {
        sql_explain_level_ctes(ex, t->level_root, t->modifycte, col);
    }
    if (t->init_root != NULL) sql_explain_initplans(ex, t->init_root, col);
}

static bool sql_xpl_pseudo_fn(const sql_expr *e, void *arg) {
    bool *pseudo = arg;
    switch (e->kind) {
    case SQL_X_COLUMN: case SQL_X_AGGREF: case SQL_X_WINDOWREF: *pseudo = false; break;
    case SQL_X_SUBQUERY: *pseudo &= !e->sub.correlated; break;
    case SQL_X_FUNC:
        if (e->func.def != NULL && (e->func.def->flags & SQL_F_VOLATILE)) *pseudo = false;
        break;
    default: break;
    }
    return *pseudo;
}

/* Whether filter `e` reads nothing of the row (constants, parameters, InitPlans' values):
 * PostgreSQL tests such a qual once, as a Result's "One-Time Filter" above the scan. */
static bool sql_xpl_pseudo_const(const sql_expr *e) {
    bool pseudo = true;
    sql_expr_walk(e, sql_xpl_pseudo_fn, &pseudo);
    return pseudo;
}

static void sql_explain_node(sql_xpl *ex, const sql_plan *p, uint32_t col,
                             const sql_plan *filter, const sql_plan *proj);

/* Whether expression e is the constant false or NULL: PostgreSQL then reads nothing. */
static bool sql_xpl_const_false(const sql_expr *e) {
    if (e->kind != SQL_X_CONST) return false;
    return e->constval.is_null || (e->type_oid == SQL_T_BOOL && e->constval.i64 == 0);
}

/* A scan under a filter some conjuncts of which read nothing of its rows, as PostgreSQL's
 * gating Result: "Result" with those as its "One-Time Filter" (and the level's sections),
 * the scan below it with the rest as its Filter (no scan when that test is constant false).
 * False: no conjunct is such (the caller shows the filter on the scan). */
static bool sql_explain_gate(sql_xpl *ex, const sql_plan *p, uint32_t col, const sql_plan *filter,
                             const sql_plan *proj, const sql_xpl_tops *tops) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX], *once[SQL_PLAN_CONJUNCTS_MAX];
    sql_expr *rest[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(filter->filter.pred, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t nonce = 0, nrest = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (sql_xpl_pseudo_const(conj[i])) once[nonce++] = conj[i];
        else rest[nrest++] = conj[i];
    }
    sql_plan *below = nrest > 0 ? rt_arena_alloc(ex->tmp, sizeof *below) : NULL;
    if (nonce == 0 || (nrest > 0 && below == NULL)) return false;
    if (below != NULL) {
        *below = *filter;
        below->filter.pred = (sql_expr *)sql_explain_and(ex, rest, nrest);
        if (below->filter.pred == NULL) return false;
    }
    sql_xpl_subs subs = {.n = 0};
    sql_xpl_subs_list(&subs, once, nonce);
    if (proj != NULL) sql_xpl_subs_of(&subs, proj);
    if (ex->tree != NULL) sql_xtree_begin(ex->tree, "Result");
    ex->out = p; /* the Result computes the select list over the scan's rows */
    ex->out_proj = proj;
    ex->est = proj != NULL ? proj : filter;
    sql_explain_head(ex, col, "Result", NULL);
    ex->out = ex->out_proj = NULL;
    const sql_expr *test = sql_explain_and(ex, once, nonce);
    if (test != NULL) sql_explain_prop(ex, col, "One-Time Filter", test, p);
    sql_explain_sections(ex, tops, col);
    if (test == NULL || !sql_xpl_const_false(test)) {
        sql_explain_relate(ex, "Outer", NULL);
        sql_explain_node(ex, p, col + 6, below, NULL);
    }
    sql_explain_subplans(ex, &subs, col, p);
    if (ex->tree != NULL) sql_xtree_end(ex->tree);
    return true;
}

/* Whether p reads one relation (a scan node in PostgreSQL's plan). */
static bool sql_explain_is_scan(const sql_plan *p) {
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN: case SQL_P_FUNCSCAN:
    case SQL_P_MATERIAL: case SQL_P_WORKTABLE: case SQL_P_CTESCAN: case SQL_P_VALUES:
        return true;
    default: return false;
    }
}

/* Node p, with `filter` (a FILTER above it, over p's output) shown as its Filter, and the
 * subqueries of `proj` (a PROJECT above it, not shown) as its SubPlans. */
static void sql_explain_node(sql_xpl *ex, const sql_plan *p, uint32_t col,
                             const sql_plan *filter, const sql_plan *proj) {
    if (ex->too_deep || rt_stack_left() < SQL_EXPLAIN_STACK_MIN_BYTES) {
        ex->too_deep = true;
        return;
    }
    if (ex->level_top && ex->level_root == NULL) ex->level_root = p;
    if (ex->init_top && ex->init_root == NULL) ex->init_root = p;
    if (p->kind == SQL_P_MODIFYCTE) {
        ex->ctes = p;
        sql_explain_node(ex, p->left, col, filter, proj);
        return;
    }
    if (p->kind == SQL_P_FILTER && p->left != NULL && filter == NULL) {
        sql_explain_node(ex, p->left, col, p, proj);
        return;
    }
    bool result_project = p->kind == SQL_P_PROJECT &&
                          (p->left == NULL || p->left->kind == SQL_P_RESULT);
    if (p->kind == SQL_P_PROJECT && !result_project && filter == NULL && proj == NULL) {
        sql_explain_node(ex, p->left, col, NULL, p);
        return;
    }
    if (p->kind == SQL_P_PROJECT && !result_project && filter == NULL &&
        sql_explain_permutation(p)) { /* columns put back in order after a join reorder */
        sql_explain_node(ex, p->left, col, NULL, proj);
        return;
    }
    sql_xpl_subs subs = {.n = 0};
    sql_xpl_subs_of(&subs, p);
    if (filter != NULL) sql_xpl_subs_of(&subs, filter);
    if (proj != NULL) sql_xpl_subs_of(&subs, proj);
    /* ModifyTable's Output is its RETURNING list (none without); PostgreSQL leaves out an
     * Append's and a Recursive Union's as unhelpful. */
    bool modify = p->kind == SQL_P_INSERT || p->kind == SQL_P_UPDATE || p->kind == SQL_P_DELETE;
    bool no_out = (modify && p->modify.nreturning == 0) || p->kind == SQL_P_APPEND ||
                  p->kind == SQL_P_RECURSIVE;
    sql_xpl_tops tops = sql_explain_take_tops(ex);
    if (filter != NULL && sql_explain_is_scan(p) && sql_explain_gate(ex, p, col, filter, proj,
                                                                     &tops)) {
        return;
    }
    no_out |= ex->no_out_top;
    ex->no_out_top = false;
    ex->out = no_out ? NULL : p;
    ex->out_proj = no_out ? NULL : proj;
    ex->act[0] = proj != NULL ? proj : filter != NULL ? filter : p;
    ex->act[1] = proj != NULL && filter != NULL ? filter : p;
    ex->act[2] = p;
    ex->est = ex->act[0];
    sql_explain_self(ex, p, col);
    ex->out = ex->out_proj = NULL;
    if (filter != NULL) {
        /* a scan's own quals name its columns bare but for VERBOSE, as PostgreSQL's do; a
         * Result's (over no rows) is evaluated once */
        bool qualify = ex->qualify;
        if (sql_explain_is_scan(p)) ex->qualify = ex->verbose;
        bool once = p->kind == SQL_P_RESULT || result_project;
        sql_explain_prop(ex, col, once ? "One-Time Filter" : "Filter", filter->filter.pred, p);
        if (!once) sql_explain_removed(ex, col, filter, false);
        ex->qualify = qualify;
    }
    sql_explain_sections(ex, &tops, col);
    if (!result_project) sql_explain_children(ex, p, col);
    /* UPDATE's SET expressions are evaluated over the row its scan read. */
    const sql_plan *row = p->kind == SQL_P_UPDATE && p->left != NULL ? p->left : p;
    sql_explain_subplans(ex, &subs, col, row);
    if (ex->tree != NULL) sql_xtree_end(ex->tree);
}

/* The relations a plan reads, as PostgreSQL's range table counts them: those of its
 * subqueries too, and a UNION's branches (each a subquery of its own there). */
static uint32_t sql_explain_relations(const sql_plan *p) {
    if (p == NULL) return 0;
    sql_xpl_subs subs = {.n = 0};
    sql_xpl_subs_of(&subs, p);
    uint32_t n = 0;
    for (uint32_t i = 0; i < subs.n; i++) n += sql_explain_relations(subs.items[i]->sub.plan);
    switch (p->kind) {
    case SQL_P_SCAN: case SQL_P_PKGET: case SQL_P_IXSCAN: case SQL_P_VALUES: case SQL_P_FUNCSCAN:
    case SQL_P_CATALOG: case SQL_P_CTESCAN: case SQL_P_WORKTABLE:
        return n + 1;
    case SQL_P_MATERIAL: return n + 1 + sql_explain_relations(p->left);
    case SQL_P_INSERT: /* the target is a relation of its own (an UPDATE's is its scan's) */
        return n + 1 + sql_explain_relations(p->left);
    case SQL_P_APPEND:
        n += p->append.ninputs;
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            n += sql_explain_relations(p->append.inputs[i]);
        }
        return n;
    default: return n + sql_explain_relations(p->left) + sql_explain_relations(p->right);
    }
}

/* ---- subqueries numbered as PostgreSQL plans them ---- */

static void sql_xpl_number_plan(sql_xpl *ex, const sql_plan *p, uint32_t depth);

/* Numbers subquery e after those inside it (planned first), and gives it its parameter
 * when it is an InitPlan; a correlated one's outer values take parameters too. */
static void sql_xpl_number_sub(sql_xpl *ex, const sql_expr *e, uint32_t depth) {
    if (sql_xpl_subno_of(ex, e) != NULL || ex->nsubnos == SQL_EXPLAIN_SUBNOS_MAX) return;
    sql_xpl_number_plan(ex, e->sub.plan, depth + 1);
    if (sql_xpl_subno_of(ex, e) != NULL || ex->nsubnos == SQL_EXPLAIN_SUBNOS_MAX) return;
    sql_xpl_subno *no = &ex->subnos[ex->nsubnos++];
    *no = (sql_xpl_subno){.id = e->sub.id, .number = ex->nsubnos + ex->ncte_plans,
                          .init = sql_xpl_is_initplan(e)};
    if (no->init) no->param = ex->next_param++;
    else if (e->sub.correlated) ex->next_param += e->sub.upref_end - e->sub.upref_first;
}

/* Numbers the subqueries of plan p top down (a select list's before its WHERE's, as
 * PostgreSQL plans a query's expressions). */
static void sql_xpl_number_plan(sql_xpl *ex, const sql_plan *p, uint32_t depth) {
    if (p == NULL || depth > SQL_EXPLAIN_NAME_DEPTH_MAX || ex->subnos == NULL) return;
    sql_xpl_subs subs = {.n = 0};
    sql_xpl_subs_of(&subs, p);
    for (uint32_t i = 0; i < subs.n; i++) sql_xpl_number_sub(ex, subs.items[i], depth);
    for (uint32_t i = 0; p->kind == SQL_P_APPEND && i < p->append.ninputs; i++) {
        sql_xpl_number_plan(ex, p->append.inputs[i], depth + 1);
    }
    for (uint32_t i = 0; p->kind == SQL_P_MODIFYCTE && i < p->modifycte.nctes; i++) {
        sql_xpl_number_plan(ex, p->modifycte.ctes[i]->left, depth + 1);
    }
    sql_xpl_number_plan(ex, p->left, depth + 1); /* a WITH query's plan again: numbered */
    sql_xpl_number_plan(ex, p->right, depth + 1);
}

/* ---- unique relation names ---- */

#define SQL_EXPLAIN_NAMES_MAX 256  /* relations named apart; more keep their own names */
#define SQL_EXPLAIN_LEVELS_MAX 64  /* WITH queries and subqueries named in turn */

typedef struct sql_xpl_naming {
    const sql_plan *levels[SQL_EXPLAIN_LEVELS_MAX]; /* the main query, then WITH queries' and
                                                       subqueries' plans as met */
    uint32_t nlevels;
} sql_xpl_naming;

static bool sql_xpl_name_taken(const sql_xpl *ex, const char *name) {
    for (uint32_t i = 0; i < ex->nnamed; i++) {
        if (strcmp(ex->names[i], name) == 0) return true;
    }
    return false;
}

static void sql_xpl_name_one(sql_xpl *ex, const sql_plan *p) {
    const char *base = sql_xpl_basename(p), *name = base;
    if (base == NULL || ex->nnamed == SQL_EXPLAIN_NAMES_MAX) return;
    for (uint32_t k = 1; name != NULL && sql_xpl_name_taken(ex, name); k++) {
        name = rt_arena_sprintf(ex->tmp, "%s_%u", base, k);
    }
    if (name == NULL) return;
    ex->named[ex->nnamed] = p;
    ex->names[ex->nnamed++] = name;
}

static bool sql_xpl_name_queue(sql_xpl_naming *n, const sql_plan *level) {
    for (uint32_t i = 0; i < n->nlevels; i++) {
        if (n->levels[i] == level) return false;
    }
    if (n->nlevels < SQL_EXPLAIN_LEVELS_MAX) n->levels[n->nlevels++] = level;
    return true;
}

/* Names the relations of one query level; its WITH queries' and subqueries' plans are
 * queued, to be named after it as PostgreSQL's range table lists them. */
static void sql_xpl_name_level(sql_xpl *ex, sql_xpl_naming *n, const sql_plan *p, uint32_t depth) {
    if (p == NULL || depth > SQL_EXPLAIN_NAME_DEPTH_MAX) return;
    sql_xpl_name_one(ex, p);
    sql_xpl_subs subs = {.n = 0};
    sql_xpl_subs_of(&subs, p);
    if (p->kind == SQL_P_MATERIAL && !p->material.dml) {
        if (p->left != NULL && sql_xpl_name_queue(n, p->left)) ex->ncte_plans++;
    } else if (p->kind == SQL_P_MODIFYCTE) {
        sql_xpl_name_level(ex, n, p->left, depth + 1);
        for (uint32_t i = 0; i < p->modifycte.nctes; i++) {
            if (sql_xpl_name_queue(n, p->modifycte.ctes[i]->left)) ex->ncte_plans++;
        }
    } else if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            sql_xpl_name_level(ex, n, p->append.inputs[i], depth + 1);
        }
    } else {
        sql_xpl_name_level(ex, n, p->left, depth + 1);
        sql_xpl_name_level(ex, n, p->right, depth + 1);
    }
    for (uint32_t i = 0; i < subs.n; i++) sql_xpl_name_queue(n, subs.items[i]->sub.plan);
}

/* Gives every relation the plan reads its name in EXPLAIN: unique over the statement. */
static void sql_xpl_name_all(sql_xpl *ex, const sql_plan *root) {
    ex->named = rt_arena_alloc(ex->tmp, sizeof(*ex->named) * SQL_EXPLAIN_NAMES_MAX);
    ex->names = rt_arena_alloc(ex->tmp, sizeof(*ex->names) * SQL_EXPLAIN_NAMES_MAX);
    ex->nnamed = 0;
    if (ex->named == NULL || ex->names == NULL) return;
    sql_xpl_naming n = {.levels = {root}, .nlevels = 1};
    for (uint32_t i = 0; i < n.nlevels; i++) sql_xpl_name_level(ex, &n, n.levels[i], 0);
    ex->subnos = rt_arena_alloc(ex->tmp, sizeof(*ex->subnos) * SQL_EXPLAIN_SUBNOS_MAX);
    ex->nsubnos = 0;
    ex->next_param = ex->ncte_plans; /* a WITH query's plan takes one too */
    sql_xpl_number_plan(ex, root, 0);
}

void sql_plan_explain(const sql_plan *p, sql_strbuf *sb, uint32_t indent) {
    sql_explain_opts o = {.costs = false};
    sql_plan_explain_opts(p, sb, indent, &o);
}

/* The walker's state for plan p with the options `o`: columns are named with their tables
 * when the plan reads several relations, and everywhere but in Output with VERBOSE. */
static sql_xpl sql_explain_start(const sql_plan *p, sql_strbuf *sb, const sql_explain_opts *o) {
    bool multi = sql_explain_relations(p) > 1;
    return (sql_xpl){.sb = sb, .qualify = multi || o->verbose, .multi = multi, .level_top = true,
                     .init_top = true,
                     .costs = o->costs, .verbose = o->verbose, .db = o->db,
                     .timing = o->timing,
                     .params = o->params, .nparams = o->nparams,
                     .actual = o->actual, .nactual = o->nactual};
}

bool sql_plan_explain_opts(const sql_plan *p, sql_strbuf *sb, uint32_t indent,
                           const sql_explain_opts *o) {
    sql_xpl ex = sql_explain_start(p, sb, o);
    ex.tmp = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    if (ex.tmp == NULL) {
        sb->failed = true;
        return true;
    }
    sql_xpl_name_all(&ex, p);
    sql_explain_node(&ex, p, indent * 6, NULL, NULL);
    rt_arena_destroy(ex.tmp);
    return !ex.too_deep;
}

bool sql_plan_explain_doc(const sql_plan *p, sql_explain_format format, bool analyze,
                          const sql_explain_times *times, const sql_explain_opts *o,
                          sql_strbuf *sb) {
    sql_xtree tree = {.arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX)};
    sql_xpl ex = sql_explain_start(p, sb, o);
    ex.tree = &tree;
    ex.tmp = tree.arena;
    if (tree.arena == NULL) {
        sb->failed = true;
        return true;
    }
    sql_xpl_name_all(&ex, p);
    sql_explain_node(&ex, p, 0, NULL, NULL);
    if (tree.failed) sb->failed = true;
    else if (!ex.too_deep) sql_xtree_render(&tree, format, analyze, times, sb);
    rt_arena_destroy(tree.arena);
    return !ex.too_deep;
}

/* ---- EXPLAIN HYBRID ---- */

/* "2,847": counts as the product page prints them. */
static void sql_explain_count(sql_strbuf *sb, double v) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) sql_strbuf_putc(sb, ',');
        sql_strbuf_putc(sb, digits[i]);
    }
}

/* "4.2ms", "0.013ms", "<0.001ms". */
static void sql_explain_ms(sql_strbuf *sb, double ms) {
    if (ms < 0.001) sql_strbuf_puts(sb, "<0.001ms");
    else if (ms < 1) sql_strbuf_printf(sb, "%.3fms", ms);
    else sql_strbuf_printf(sb, "%.1fms", ms);
}

static const sql_plan *sql_explain_find_hybrid(const sql_plan *p) {
    if (p == NULL) return NULL;
    if (p->hybrid != NULL) return p;
    const sql_plan *f = sql_explain_find_hybrid(p->left);
    return f != NULL ? f : sql_explain_find_hybrid(p->right);
}

static void sql_explain_hybrid_filter(sql_xpl *ex, const sql_plan *scan, const sql_expr *filter) {
    sql_deparse(ex, ex->sb, filter, scan);
}

/* One "Actual ..." line: what a shard (or all of them) did. */
static void sql_explain_actual_line(sql_strbuf *sb, const char *who, const sql_hybrid_actual *a,
                                    bool ann) {
    sql_strbuf_printf(sb, "Actual %s: ", who);
    sql_explain_count(sb, a->partitions);
    sql_strbuf_puts(sb, a->partitions == 1 ? " partition" : " partitions");
    if (a->exact > 0) {
        sql_strbuf_puts(sb, " (");
        sql_explain_count(sb, a->exact);
        sql_strbuf_puts(sb, " scanned exactly)");
    }
    sql_strbuf_puts(sb, ", ");
    sql_explain_count(sb, a->visited);
    sql_strbuf_puts(sb, ann ? " nodes visited, " : " rows read, ");
    sql_explain_count(sb, a->distances);
    if (a->reranked > 0) { /* an int8 walk (hnsw.quantized_walk) */
        sql_strbuf_puts(sb, " distances (");
        sql_explain_count(sb, a->reranked);
        sql_strbuf_puts(sb, " re-ranked exactly), ");
    } else {
        sql_strbuf_puts(sb, " distances, ");
    }
    sql_explain_count(sb, a->filtered);
    sql_strbuf_puts(sb, " rows filtered out, ");
    sql_explain_count(sb, a->candidates);
    sql_strbuf_puts(sb, " candidates, ");
    sql_explain_count(sb, a->rows);
    sql_strbuf_puts(sb, a->rows == 1 ? " row, " : " rows, ");
    sql_explain_ms(sb, (double)a->time_ns / 1e6);
    sql_strbuf_putc(sb, '\n');
}

/* What the calibration has learnt so far (sql_hybrid.h), behind every estimate. */
static void sql_explain_calibration(sql_strbuf *sb) {
    sql_hybrid_calib cal;
    sql_hybrid_calibration(&cal);
    sql_strbuf_puts(sb, "Calibration: ANN-first ");
    sql_explain_ms(sb, cal.ann_part_ns / 1e6);
    sql_strbuf_printf(sb, " per partition + x%.2f, scalar-first ", cal.ann_scale);
    sql_explain_ms(sb, cal.scalar_part_ns / 1e6);
    sql_strbuf_printf(sb, " per partition + x%.2f; %.1fns per row, %.3fns per "
                          "dimension, %.0fns per filter check, %.0fns per row by index\n",
                      cal.scalar_scale, cal.row_ns, cal.dist_ns_per_dim, cal.filter_ns,
                      cal.ixrow_ns);
}

/* EXPLAIN ANALYZE HYBRID: per shard, in total, and the estimate against the actual work
 * (the sum of the shards' CPU times: the cost model counts the work of all partitions). */
static void sql_explain_hybrid_actuals(sql_strbuf *sb, const sql_hybrid_est *h, bool ann,
                                       const sql_hybrid_actual *actual, uint32_t shards) {
    sql_hybrid_actual total = {0};
    for (uint32_t s = 0; s < shards && s < SQL_HYBRID_ACTUALS; s++) {
        const sql_hybrid_actual *a = &actual[s];
        if (!a->ran) continue;
        char who[32];
        snprintf(who, sizeof who, "shard %u", s);
        sql_explain_actual_line(sb, who, a, ann);
        total.partitions += a->partitions;
        total.exact += a->exact;
        total.visited += a->visited;
        total.distances += a->distances;
        total.reranked += a->reranked;
        total.filtered += a->filtered;
        total.candidates += a->candidates;
        total.rows += a->rows;
        total.time_ns += a->time_ns;
    }
    sql_explain_actual_line(sb, "total", &total, ann);
    double est = ann ? h->ann_ms : h->scalar_ms, act = (double)total.time_ns / 1e6;
    sql_strbuf_puts(sb, "Est. vs actual: ");
    sql_explain_ms(sb, est);
    sql_strbuf_puts(sb, " estimated, ");
    sql_explain_ms(sb, act);
    sql_strbuf_printf(sb, " actual (actual/estimated %.2f)\n", est > 0 ? act / est : 0.0);
}

void sql_plan_explain_hybrid(const sql_plan *p, const sql_hybrid_actual *actual,
                             uint32_t shards, sql_strbuf *sb) {
    static const char *ops[] = {"", "<=>", "<->", "<#>"};
    const sql_plan *scan = sql_explain_find_hybrid(p);
    if (scan == NULL) {
        sql_strbuf_puts(sb, "Plan: no vector ordering (ORDER BY distance LIMIT k on one table "
                            "with an HNSW-indexed column): plain plan\n");
        return;
    }
    sql_xpl ex = {.sb = sb, .qualify = false, .tmp = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX)};
    if (ex.tmp == NULL) {
        sb->failed = true;
        return;
    }
    const sql_hybrid_est *h = scan->hybrid;
    bool ann = scan->kind == SQL_P_ANNSCAN;
    const sql_expr *filter = ann ? scan->ann.filter : scan->scan.filter;
    const eng_table *t = ann ? scan->ann.table : scan->scan.table;
    sql_strbuf_printf(sb, "Plan: %s (selectivity %.3g)\n", ann ? "ANN-first" : "scalar-first",
                      h->selectivity);
    if (ann) {
        sql_strbuf_printf(sb, "ANN: HNSW walk of %s by %s (ef_search %u%s), top %u per "
                          "partition", t->columns[scan->ann.vec_attnum - 1].name,
                          ops[scan->ann.metric <= 3 ? scan->ann.metric : 0], h->ef,
                          h->ef_auto ? ", automatic" : "", h->k);
        sql_strbuf_puts(sb, filter != NULL ? ", filter checked during the walk\n" : "\n");
        if (filter != NULL) {
            sql_strbuf_puts(sb, "Filter: ");
            sql_explain_hybrid_filter(&ex, scan, filter);
            sql_strbuf_puts(sb, " → est. ");
            sql_explain_count(sb, h->candidates);
            sql_strbuf_puts(sb, " of ");
            sql_explain_count(sb, h->rows);
            sql_strbuf_puts(sb, " rows pass\n");
        }
    } else {
        sql_strbuf_puts(sb, "Scalar filter: ");
        if (filter != NULL) sql_explain_hybrid_filter(&ex, scan, filter);
        else sql_strbuf_puts(sb, "(none)");
        sql_strbuf_puts(sb, " → ");
        sql_explain_count(sb, h->candidates);
        sql_strbuf_puts(sb, h->by_index ? " rows (by index)\nANN on " : " rows\nANN on ");
        sql_explain_count(sb, h->candidates);
        sql_strbuf_printf(sb, "-row candidate set (exact distances, top %u)\n", h->k);
    }
    sql_strbuf_puts(sb, "Est. cost: ");
    sql_explain_ms(sb, ann ? h->ann_ms : h->scalar_ms);
    sql_strbuf_puts(sb, " at current index size (scalar-first ");
    sql_explain_ms(sb, h->scalar_ms);
    sql_strbuf_puts(sb, ", ANN-first ");
    sql_explain_ms(sb, h->ann_ms);
    sql_strbuf_puts(sb, "; ");
    sql_explain_count(sb, h->rows);
    sql_strbuf_puts(sb, " rows)\n");
    /* ANN-first's work as the index's walk shape predicts it, for all partitions together
     * (EXPLAIN ANALYZE HYBRID's actual lines count the same things). */
    sql_strbuf_puts(sb, "Est. walk: ");
    sql_explain_count(sb, h->walk.visited * h->partitions);
    sql_strbuf_puts(sb, " nodes visited, ");
    sql_explain_count(sb, h->walk.distances * h->partitions);
    sql_strbuf_printf(sb, " distances (per partition: distances = %.0f x visited^%.2f, learnt "
                          "from %llu walks)\n", exp(h->walk.shape_a), h->walk.shape_b,
                      (unsigned long long)h->walk.walks);
    if (actual != NULL) sql_explain_hybrid_actuals(sb, h, ann, actual, shards);
    sql_explain_calibration(sb);
    rt_arena_destroy(ex.tmp);
}
