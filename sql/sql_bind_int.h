/* sql_bind_int.h: private state of the binder (sql_bind*.c). */
#ifndef SQL_BIND_INT_H
#define SQL_BIND_INT_H

#include "sql/sql_agg.h"
#include "sql/sql_bind.h"

/* One column of a FROM scope's combined row. */
typedef struct sql_scope_col {
    const char *name;
    uint32_t type_oid;
    int32_t typmod;
    uint32_t table_oid;      /* for RowDescription (0 if computed) */
    int16_t attnum;
    bool hidden;             /* merged away by JOIN USING / NATURAL: not in `*`, not by name */
} sql_scope_col;

/* A FROM item visible by name: its columns are cols[first .. first + ncols) of the scope. */
typedef struct sql_rte {
    const char *name;        /* alias, or the table name; NULL for an unnamed join */
    const char *schema;      /* schema of a table reference (schema.table.column) */
    uint32_t first;
    uint32_t ncols;
    const eng_table *table;
    bool nullable;           /* on the nullable side of an outer join */
} sql_rte;

typedef struct sql_scope {
    sql_scope_col *cols;
    uint32_t ncols;
    uint32_t *star;          /* the order of a bare `*` (a permutation of the ncols columns,
                                USING columns first); NULL: column order */
    sql_rte *rtes;
    uint32_t nrtes;
} sql_scope;

/* A reference to a WITH entry, and (entries whose query is correlated) its query bound at
 * the reference. */
typedef struct sql_cte_use {
    sql_plan *ref;
    sql_plan *copy;
} sql_cte_use;

/* A WITH entry visible by name. */
typedef struct sql_cte_def {
    const char *name;
    sql_plan *material;      /* the MATERIAL node; CTE scans read its id */
    uint32_t ncols;
    sql_col *cols;
    bool recursive_ref;      /* the name refers to the working table of WITH RECURSIVE */
    uint32_t worktable_id;
    /* recursive_ref: PostgreSQL allows one reference, in the recursive term itself (not in a
     * sublink or on the nullable side of an outer join); the binder's counts when the term's
     * binding began tell its own from enclosing ones. */
    uint32_t nrefs;
    uint32_t sublink_base, nullable_base;
    const char *recursion_error; /* referring to it is this 42P19 error (a WITH RECURSIVE entry
                                    that is not UNION, or its non-recursive term) */
    bool dml;                /* a data-modifying query: `material` is its MATERIAL node in the
                                statement's MODIFYCTE (material.dml); references read its
                                RETURNING rows */
    bool returning;          /* dml: it has a RETURNING clause (else it cannot be read) */
    uint32_t location;       /* of the WITH entry (errors about the entry itself) */
    /* Inlining (PostgreSQL 12+, sql_bind_cte.c): references to a plain SELECT entry are
     * MATERIAL nodes in `uses` until the query owning the WITH is bound; then, when
     * sql_cte_inline_rule says so, each is replaced in place by the entry's query (the first
     * by the plan bound for the entry, the others by the entry bound again). */
    const sql_cte *ast;      /* the entry; NULL: never inlined (recursive, data-modifying) */
    struct sql_cte_def *scope_ctes; /* the WITH entries its query sees */
    struct sql_qlevel *owner; /* the query level of the WITH */
    bool inlinable;          /* no volatile function, no FOR UPDATE / SHARE, and when
                                `correlated` only referenced from the WITH's own FROM list */
    bool correlated;         /* its query refers to a query enclosing the WITH: each reference
                                is bound again where it is written (uses[k].copy), as a
                                subquery in FROM would be, the depth of its outer references
                                being that of the reference */
    bool resolved;           /* the owning query is bound: `inline_refs` is decided */
    bool inline_refs;
    uint32_t nwritten;       /* references written in the statement (not from copies) */
    struct sql_cte_use *uses; /* MATERIAL references made before it was resolved */
    uint32_t nuses, use_cap;
    struct sql_cte_def *next;
} sql_cte_def;

typedef struct sql_binder sql_binder;

/* One query level (SELECT block) being bound. */
typedef struct sql_qlevel {
    sql_binder *b;
    struct sql_qlevel *parent;   /* the enclosing query (correlation) */
    sql_scope *scope;            /* the FROM scope, NULL before FROM is bound */
    sql_cte_def *ctes;           /* visible CTEs (this level's, then the parents') */
    const char *agg_forbidden;   /* "WHERE", "JOIN conditions", ...: aggregates refused */
    bool in_agg_args;            /* binding an aggregate's arguments */
    sql_agg_call *aggs;
    uint32_t naggs, agg_cap;
    const char *win_forbidden;   /* "HAVING", "VALUES", ...: window functions refused */
    bool win_allowed;            /* binding a select list or ORDER BY: window functions allowed */
    bool in_win_args;            /* binding a window function's arguments */
    const sql_list *windows;     /* the WINDOW clause (of sql_windowdef*), NULL if none */
    struct sql_window_func *wins; /* window function calls, by SQL_X_WINDOWREF index */
    uint32_t nwins, win_cap;
    bool correlated;             /* an expression referred to an enclosing level */
    bool keep_unknown;           /* untyped $n targets stay untyped (PostgreSQL's
                                    p_resolve_unknowns false: sql_targets_resolve_params) */
    bool selfref;                /* FROM reads a WITH RECURSIVE working table (no aggregates) */
    bool lateral;                /* binding a LATERAL FROM item of this level */
    bool lateral_used;           /* ... and it referred to an earlier FROM item */
    bool lateral_beyond;         /* ... or to a query enclosing this level */
    bool lateral_item;           /* the FROM item bound last refers to earlier FROM items:
                                    its join re-runs it per row (join.lateral) */
    uint32_t lateral_loc;        /* the first such reference (RIGHT / FULL JOIN refuse it) */
    const char *lateral_rel;     /* ... and the FROM item it names */
} sql_qlevel;

/* A column of a query level referenced from a subquery inside it: a grouped level checks
 * them against its GROUP BY (PostgreSQL's "subquery uses ungrouped column"). */
typedef struct sql_upref {
    const sql_qlevel *level;
    uint32_t col;
    uint32_t loc;
    bool in_agg;                 /* inside an aggregate of that level (an outer aggregate) */
} sql_upref;

struct sql_binder {
    sql_bind_ctx *bc;
    rt_arena *arena;
    uint32_t *param_types;       /* SQL_T_UNKNOWN until inferred */
    bool *param_used;            /* $n appears in the statement */
    uint32_t nparams;
    uint32_t nmaterials;
    uint32_t nsubqueries;
    bool volatile_funcs;
    bool for_update;
    const char *default_context; /* binding a DEFAULT / CHECK: no subqueries, no params */
    sql_upref *uprefs;           /* every outer reference of the statement, in binding order */
    uint32_t nuprefs, upref_cap;
    uint32_t sublink_depth;      /* subqueries in expressions being bound */
    uint32_t nullable_depth;     /* nullable sides of outer joins being bound */
    const sql_scope *dml_target; /* UPDATE / DELETE's target while FROM / USING is bound: a
                                    LATERAL item's reference to it is 42P10 (PostgreSQL) */
    const sql_scope *invisible;  /* earlier FROM items a non-LATERAL subquery cannot see (for
                                    PostgreSQL's "invalid reference" error) */
    sql_acl_req *acl_reqs;       /* the privileges the statement needs (sql_query) */
    uint32_t nacl_reqs, acl_req_cap;
    const sql_with *top_with;    /* the statement's own WITH: the only one that may hold
                                    data-modifying queries (PostgreSQL's rule) */
    sql_plan **dml_ctes;         /* their MATERIAL nodes, in WITH order (sql_bind_with) */
    uint32_t *dml_refs;          /* references to each (0: run after the main query) */
    uint32_t ndml_ctes, dml_cte_cap;
    uint32_t cte_copies;         /* binding a further copy of an inlined WITH query: its
                                    references are not written ones (sql_cte_def.nwritten) */
    const sql_expr **untyped_params; /* unknown-typed $n used where nothing types them */
    bool select_keeps_unknown;   /* the next sql_bind_select is a set operation's branch or
                                    INSERT's source (sql_qlevel.keep_unknown) */
    uint32_t nuntyped_params, untyped_param_cap;
};

/* Notes that the statement needs `privs` on table or sequence `oid` (any one of them when
 * `any`); false only when out of memory. */
bool sql_bind_need_priv(sql_binder *b, uint32_t oid, uint32_t privs, bool sequence, bool any);
/* Notes that the statement reads (ENG_ACL_SELECT), inserts or updates column `attnum` of
 * table `table_oid`, which it already needs a privilege on (sql_bind_need_priv): a role
 * without that table privilege may hold it on the column (sql_acl_req.cols). Nothing for a
 * computed column (0) or an object the statement needs nothing on. False only when out of
 * memory. */
bool sql_bind_note_col(sql_binder *b, uint32_t table_oid, int32_t attnum, uint32_t priv);
/* Notes parameter `param` (SQL_X_PARAM of unknown type) used where its type stays unknown
 * (IS NULL, an "any" argument, pg_typeof): 42P18 at the end, or 42P08 when a later use types
 * it. False only when out of memory. */
bool sql_bind_note_untyped_param(sql_binder *b, const sql_expr *param);

/* ---- errors ---- */
/* Sets an error with the position of AST location `loc` (0-based byte offset). */
bool sql_bind_error(sql_binder *b, uint32_t loc, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Stack a statement keeps free while binding: planning and running its tree take more per
 * level than binding it does. */
#define SQL_STACK_RESERVE_BYTES (RT_FIBER_STACK_BYTES / 2)
/* False, with 54001 "stack depth limit exceeded", when less than SQL_STACK_RESERVE_BYTES of the
 * fiber's stack is left: binding, planning and running a tree use stack per level of it. */
bool sql_bind_stack_ok(sql_binder *b);
bool sql_bind_oom(sql_binder *b);

/* ---- expressions (sql_bind_expr.c) ---- */
sql_expr *sql_bind_expr(sql_qlevel *q, const sql_node *n);
/* Binds and coerces to a target type (assignment or implicit rules). */
sql_expr *sql_bind_expr_as(sql_qlevel *q, const sql_node *n, uint32_t type, int32_t typmod,
                           sql_cast_context ctx, const char *what);
/* Binds a condition (WHERE, ON, HAVING, CHECK): must be boolean. */
sql_expr *sql_bind_condition(sql_qlevel *q, const sql_node *n, const char *clause);
/* Computes the constant operators and casts of a finished condition once (NULL stays NULL). */
sql_expr *sql_bind_fold_tree(sql_qlevel *q, sql_expr *e);
/* The name PostgreSQL gives an output column computed from this expression. */
const char *sql_bind_colname(const sql_node *n);
bool sql_expr_equal(const sql_expr *a, const sql_expr *b);
/* A copy of an expression tree with every COLUMN index mapped through map[] (index ->
 * new index); unmapped (UINT32_MAX) columns make it fail. */
sql_expr *sql_expr_remap(rt_arena *arena, const sql_expr *e, const uint32_t *map,
                         uint32_t map_len);
/* Applies fn to every node (pre-order); stops when fn returns false. */
bool sql_expr_walk(const sql_expr *e, bool (*fn)(const sql_expr *e, void *arg), void *arg);

/* Binds an aggregate's FILTER (WHERE ...): no aggregate or window function inside. */
sql_expr *sql_bind_agg_filter(sql_qlevel *q, const sql_node *filter);
/* Picks the aggregate `name` by the types of the bound call->args and casts them to it. */
bool sql_bind_agg_resolve(sql_qlevel *q, const char *name, uint32_t loc, sql_agg_call *call);

/* Picks the ordered-set aggregate `name` (percentile_cont, percentile_disc, mode) by the types
 * of the bound direct arguments (call->args) and WITHIN GROUP expressions (call->order). */
bool sql_bind_ordset_resolve(sql_qlevel *q, const char *name, uint32_t loc, sql_agg_call *call);

/* ---- grouping (sql_bind_group.c) ---- */
/* GROUP BY: the grouping expressions, each once, and for ROLLUP / CUBE / GROUPING SETS the sets
 * as bitmasks over them (nsets 0: a plain GROUP BY of every expression). */
typedef struct sql_group_spec {
    sql_expr **exprs;
    uint32_t nexprs;
    uint64_t *sets;
    uint32_t nsets;
} sql_group_spec;
/* Binds one grouping expression (a target reference or an expression over the FROM row). */
typedef sql_expr *(*sql_bind_group_item_fn)(void *ctx, const sql_node *item);
bool sql_bind_group_spec(sql_qlevel *q, const sql_list *items, bool distinct,
                         sql_bind_group_item_fn bind, void *ctx, sql_group_spec *out);
/* GROUPING(a, b): registered with q's aggregates; returns its SQL_X_AGGREF. */
sql_expr *sql_bind_grouping_func(sql_qlevel *q, const sql_grouping *g);
/* Matches every GROUPING() argument of q with a grouping expression (42803 if none). */
bool sql_bind_grouping_resolve(sql_qlevel *q, sql_expr **group, uint32_t ngroup);

/* ---- window functions (sql_bind_window.c) ---- */
/* A call with OVER: registers it in q->wins and returns its SQL_X_WINDOWREF. */
sql_expr *sql_bind_window_call(sql_qlevel *q, const sql_func *f, const char *name);
/* Is `name` a window-only function (row_number, rank, lag, ...)? */
bool sql_window_func_is_named(const char *name);
/* Checks a SELECT block's WINDOW clause (names defined once, references resolve). */
bool sql_bind_window_clause(sql_qlevel *q, const sql_list *windows);
/* Does the expression contain a window function call? */
bool sql_expr_has_windowref(const sql_expr *e);
/* Rewrites every expression of the registered window functions with fn (the grouped query's
 * rewrite over the aggregation's output). */
typedef sql_expr *(*sql_bind_rewrite_fn)(void *ctx, const sql_expr *e);
bool sql_bind_window_regroup(sql_qlevel *q, sql_bind_rewrite_fn fn, void *ctx);
/* Puts SORT and WINDOW nodes over `in` for the registered window functions and rewrites the
 * n expressions of `exprs` (over in's columns) to read their results. */
sql_plan *sql_bind_window_plan(sql_qlevel *q, sql_plan *in, sql_expr **exprs, uint32_t n);

/* ---- types, casts, functions (sql_bind_func.c) ---- */
sql_expr *sql_bind_coerce(sql_qlevel *q, sql_expr *e, uint32_t type, int32_t typmod,
                          sql_cast_context ctx, uint32_t loc, const char *what);
/* PostgreSQL's select_common_type over `n` expressions; `context` names the construct for
 * the error ("CASE", "UNION", "COALESCE", "VALUES"). */
bool sql_bind_common_type(sql_qlevel *q, sql_expr **exprs, uint32_t n, const char *context,
                          uint32_t loc, uint32_t *type, int32_t *typmod);
/* Resolves a function or operator call and builds the FUNC node (with casts on arguments). */
sql_expr *sql_bind_call(sql_qlevel *q, const char *name, bool is_operator, sql_expr **args,
                        uint32_t nargs, uint32_t loc);
const char *sql_type_name(uint32_t oid);
/* An untyped $n that plan p (a PROJECT) selects as column `col` takes `type` where it stands,
 * as PostgreSQL coerces the parameter a set operation's branch or INSERT's source selects
 * (not a cast over its column). False on error. */
bool sql_bind_plan_param_type(sql_qlevel *q, struct sql_plan *p, uint32_t col, uint32_t type,
                              sql_cast_context ctx, const char *what);
/* Most parameters of a function known to sql_bind_named_args (make_interval's seven). */
#define SQL_NAMED_PARAMS_MAX 8
/* Puts `name => value` arguments (names[i] non-NULL) at their parameters' positions, filling
 * skipped parameters that have defaults; args has room for SQL_NAMED_PARAMS_MAX. A function
 * whose parameter names are not known refuses them (0A000) rather than binding by position. */
bool sql_bind_named_args(sql_qlevel *q, const char *name, const char *const *names,
                         sql_expr **args, uint32_t *nargs, uint32_t loc);

/* The common type of `n` expressions, each coerced to it in place; `context` names the
 * construct for errors. */
bool sql_bind_unify(sql_qlevel *q, sql_expr **list, uint32_t n, const char *context,
                    uint32_t loc, uint32_t *type, int32_t *typmod);

/* ---- row constructors in comparisons (sql_bind_row.c) ---- */
sql_expr *sql_bind_row_compare(sql_qlevel *q, const char *op, const sql_row *l,
                               const sql_row *r, uint32_t loc);
sql_expr *sql_bind_row_nulltest(sql_qlevel *q, const sql_row *row, bool is_not);
/* (a, b) IN / op ANY / op ALL (subquery): a SQL_X_SUBQUERY comparing column by column. */
sql_expr *sql_bind_row_sublink(sql_qlevel *q, const sql_sublink *s, const sql_row *row,
                               struct sql_plan *plan, bool correlated);
sql_expr *sql_bind_row_distinct(sql_qlevel *q, const sql_row *l, const sql_row *r, bool is_not,
                                uint32_t loc);

/* ---- composite values (sql_bind_record.c) ---- */
sql_expr *sql_bind_row_value(sql_qlevel *q, const sql_row *row);
/* A whole-row reference to `rte` (columns in `scope`). */
sql_expr *sql_bind_wholerow(sql_qlevel *q, const sql_rte *rte, const sql_scope *scope,
                            uint32_t loc);
sql_expr *sql_bind_field(sql_qlevel *q, const sql_field *f);
/* (expr).* in a select list: the columns of the composite and their names. */
bool sql_bind_field_star(sql_qlevel *q, const sql_field *f, sql_expr ***cols,
                         const char ***names, uint32_t *n);
/* "could not find array type for data type %s" with `sqlstate`, or 0A000 for a row type
 * (arrays of composite values are not supported yet). */
bool sql_bind_array_type_error(sql_binder *b, uint32_t loc, const char *sqlstate,
                               uint32_t elem);
const eng_table *sql_bind_rowtype_name(sql_qlevel *q, const sql_typename *tn);
/* SET c.f = value: `base` (the column, or an earlier SET c.g) as a row with field f
 * replaced by the value assigned to its type. */
sql_expr *sql_bind_field_assign(sql_qlevel *q, sql_expr *base, const char *column,
                                const char *field, const sql_node *value, uint32_t loc);
/* The table, view or composite type whose row type is `oid`, NULL if none. */
const eng_table *sql_bind_rowtype_table(const eng_database *db, uint32_t oid);
/* A call of json[b]_populate_record[set] / json[b]_to_record[set] with the shape of its
 * result appended (sql_fn_jsonrec.c): the base's row type, or the FROM item's column
 * definition list `col_defs` (NULL outside FROM). */
sql_expr *sql_bind_jsonrec(sql_qlevel *q, sql_expr *call, const sql_list *col_defs,
                           bool in_from, uint32_t loc);
sql_expr *sql_bind_rowtype_cast(sql_qlevel *q, sql_expr *arg, const eng_table *t, uint32_t loc);

/* ---- set-returning functions in the select list (sql_bind_srf.c) ---- */
/* `in` itself when no target calls a set-returning function; otherwise a PROJECTSET over it
 * computing the calls, with the targets rewritten to read its columns. */
sql_plan *sql_bind_project_set(sql_qlevel *q, sql_plan *in, sql_expr **exprs, uint32_t n);

/* ---- queries (sql_bind_select.c, sql_bind_dml.c) ---- */
sql_plan *sql_bind_select(sql_qlevel *parent, const sql_select *s, sql_cte_def *ctes);
/* `outer`: the WITH entries the statement sees from around it (a data-modifying WITH query
 * sees the entries before it), NULL at the top. */
sql_plan *sql_bind_insert(sql_binder *b, const sql_insert *ins, sql_query *out,
                          sql_cte_def *outer);
sql_plan *sql_bind_update(sql_binder *b, const sql_update *up, sql_query *out,
                          sql_cte_def *outer);
sql_plan *sql_bind_delete(sql_binder *b, const sql_delete *del, sql_query *out,
                          sql_cte_def *outer);
/* The top of a statement whose WITH has data-modifying queries: a MODIFYCTE over `main`
 * running them; `main` itself when there are none. */
sql_plan *sql_bind_modifycte(sql_binder *b, sql_plan *main);
/* Binds WITH entries into definitions visible to the statement. */
bool sql_bind_with(sql_qlevel *q, const sql_with *with, sql_cte_def **out);

/* ---- inlining WITH queries (sql_bind_cte.c) ---- */
/* PostgreSQL 12's rule for an entry that may be inlined at all: NOT MATERIALIZED, or neither
 * keyword and referenced once. */
bool sql_cte_inline_rule(sql_cte_materialize materialize, uint32_t nwritten);
/* Notes the plain SELECT entry `c` bound at level q from the upref `first_upref` on, whose
 * query had volatile functions when `volatile_funcs`. */
void sql_cte_note_def(sql_qlevel *q, sql_cte_def *c, const sql_cte *ast, sql_cte_def *visible,
                      uint32_t first_upref, bool volatile_funcs);
/* Notes the reference `ref` (a MATERIAL node) to `c`; replaces it at once when `c` is
 * already resolved to be inlined. */
bool sql_cte_note_ref(struct sql_qlevel *q, sql_cte_def *c, sql_plan *ref);
/* After the query owning a WITH is bound: decides each of its entries (`mine` up to
 * `outer`, the entries visible before it) and inlines the references. */
bool sql_cte_resolve(sql_binder *b, sql_cte_def *mine, const sql_cte_def *outer);
/* UPDATE ... FROM / DELETE ... USING: the FROM list as an INNER join to the target's scan
 * `target` (scope q->scope); q->scope then covers both (sql_bind_select.c). */
sql_plan *sql_bind_from_target(sql_qlevel *q, sql_plan *target, const sql_list *from);
/* A plan that reads table `t` whole (the optimizer turns it into scans/lookups). */
sql_plan *sql_bind_table_plan(sql_binder *b, const eng_table *t, uint32_t loc);
/* A new query level. */
sql_qlevel *sql_qlevel_new(sql_binder *b, sql_qlevel *parent, sql_cte_def *ctes);

#endif
