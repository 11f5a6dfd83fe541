/* sql_expr.h: bound expressions and their vectorised evaluation.
 * A bound expression has every name resolved and every type known; column references name a
 * column of the input batch by position. Evaluation works on a whole batch at once, restricted
 * by an optional `active` mask: rows outside it are never computed (so CASE WHEN x <> 0 THEN 1/x
 * never divides by zero, as in PostgreSQL) and come out NULL.
 * Memory:  results are allocated in the evaluation arena (reset per batch by the caller); a
 *          column reference returns the input vector itself (no copy).
 * Errors:  a kernel sets *err and evaluation returns NULL. */
#ifndef SQL_EXPR_H
#define SQL_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_batch.h"
#include "sql/sql_types.h"

typedef struct sql_expr sql_expr;
typedef struct sql_func_def sql_func_def;
typedef struct sql_eval_ctx sql_eval_ctx;
struct sql_plan;

typedef enum sql_expr_kind {
    SQL_X_CONST = 1,
    SQL_X_PARAM,       /* $n */
    SQL_X_COLUMN,      /* input column */
    SQL_X_OUTER,       /* a column of an enclosing query's row (correlated subquery) */
    SQL_X_FUNC,        /* function or operator call, or a cast through a function */
    SQL_X_AND,
    SQL_X_OR,
    SQL_X_NOT,
    SQL_X_CASE,        /* args: cond0, res0, cond1, res1, ..., [else] */
    SQL_X_NULLTEST,    /* IS [NOT] NULL */
    SQL_X_BOOLTEST,    /* IS [NOT] TRUE/FALSE/UNKNOWN */
    SQL_X_COALESCE,
    SQL_X_MINMAX,      /* GREATEST / LEAST */
    SQL_X_NULLIF,
    SQL_X_DISTINCT,    /* IS [NOT] DISTINCT FROM */
    SQL_X_IN_LIST,     /* arg0 IN (arg1..argn) */
    SQL_X_ARRAY,       /* ARRAY[...] */
    SQL_X_ROW,         /* a composite of args (type: a table's row type or record) */
    SQL_X_SUBQUERY,    /* scalar, EXISTS, IN / ANY / ALL subquery, ARRAY(subquery) */
    SQL_X_ANY_ALL,     /* x op ANY/ALL (array) */
    SQL_X_COERCE,      /* apply a typmod (varchar(10), numeric(10,2)) */
    SQL_X_AGGREF,      /* an aggregate's result: only before planning replaces it */
    SQL_X_WINDOWREF,   /* a window function's result: replaced likewise */
    SQL_X_FIELD,       /* (row).field */
    SQL_X_DOMAIN,      /* args[0] checked against a domain's constraints (sql_domain.h) */
} sql_expr_kind;

enum {
    SQL_SUB_EXISTS = 1, SQL_SUB_SCALAR, SQL_SUB_ANY, SQL_SUB_ALL, SQL_SUB_ARRAY,
    SQL_SUB_ROWCMP,    /* (a, b) op (SELECT x, y): a row against the subquery's one row */
};

struct sql_expr {
    sql_expr_kind kind;
    uint32_t type_oid;
    int32_t typmod;
    uint32_t location;        /* offset in the statement text, for errors */
    uint32_t nargs;
    sql_expr **args;
    union {
        sql_value constval;                   /* CONST */
        uint32_t param;                       /* PARAM: 1-based */
        struct { uint32_t index; uint32_t depth; } column; /* COLUMN, OUTER (depth >= 1) */
        struct {
            const sql_func_def *def;
            void *state;                      /* per-expression state built at bind time */
        } func;                               /* FUNC */
        struct { bool is_not; } test;         /* NULLTEST, DISTINCT, IN_LIST */
        struct { uint8_t test; bool is_not; } booltest; /* BOOLTEST */
        struct { bool greatest; } minmax;
        struct { const sql_func_def *op; bool is_all; } anyall; /* ANY_ALL, SUBQUERY ANY/ALL */
        struct { bool is_explicit; } coerce;  /* COERCE */
        struct {
            uint8_t kind;                     /* SQL_SUB_* */
            struct sql_plan *plan;
            const sql_func_def *op;           /* ANY/ALL comparison */
            const sql_func_def **row_ops;     /* a row on the left: one operator per column
                                                 (args[i] op column i), combined as below */
            bool row_or;                      /* row: <> (any column differing decides),
                                                 not = (every column equal) */
            uint8_t row_order;                /* row: 0 = or <>; else lexicographic, row_ops
                                                 the strict < or > per column and row_eq_ops
                                                 = per column; 2: equal rows pass (<=, >=) */
            const sql_func_def **row_eq_ops;
            bool correlated;
            uint32_t id;                      /* index in the query's subquery table */
            uint32_t upref_first, upref_end;  /* binder: its outer references (sql_upref) */
            const uint32_t *outer_map;        /* in a grouped query: the enclosing row the
                                                 plan reads (FROM columns, then the level's
                                                 aggregates) as columns of the AGG output
                                                 (UINT32_MAX: not grouped, never read) */
            uint32_t outer_map_len;
        } sub;
        struct { uint32_t index; } aggref;    /* AGGREF/WINDOWREF: index in the query's list */
        struct { uint32_t index; const char *name; } field; /* FIELD: column of args[0] */
        struct {
            const char *const *names;         /* ROW: column names (NULL: f1, f2, ...) */
            const char *wholerow;             /* a whole-row reference to this FROM item
                                                 (EXPLAIN prints "t.*"), or NULL */
        } row;
        struct { const struct sql_domain_info *info; } domain; /* DOMAIN */
    };
};

/* ---- functions and operators ---- */

typedef struct sql_fctx {
    sql_eval_ctx *ec;
    rt_arena *arena;          /* where results live */
    rt_err *err;
    sql_io_ctx *io;
    const sql_expr *call;     /* the call being evaluated (argument types, state) */
} sql_fctx;

/* A kernel computes `out` for the active rows (active == NULL: all n rows). For strict
 * functions, rows with a NULL argument are already inactive and `out->nulls` set. */
typedef bool (*sql_kernel)(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out);
/* Builds per-call state at bind time (e.g. a compiled LIKE pattern for a constant). */
typedef bool (*sql_prepare_fn)(rt_arena *arena, sql_expr *call, rt_err *err);

enum {
    SQL_F_STRICT = 1u << 0,    /* NULL in, NULL out */
    SQL_F_VOLATILE = 1u << 1,  /* random(), nextval(): evaluated per row, never folded */
    SQL_F_STABLE = 1u << 2,    /* now(): folded per statement, not at bind time */
    SQL_F_VARIADIC = 1u << 3,  /* last argument repeats (concat, format, ...) */
    SQL_F_AGG = 1u << 4,
    SQL_F_WINDOW = 1u << 5,
    SQL_F_SRF = 1u << 6,       /* returns a set (unnest, generate_series) */
    SQL_F_LEAKPROOF = 1u << 7,
};

#define SQL_FUNC_ARGS_MAX 8

struct sql_exec_ctx;
struct sql_rowset;
/* A set-returning function: all its rows for one set of arguments (NULLs included). */
typedef bool (*sql_srf_fn)(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                           struct sql_rowset *out);

struct sql_func_def {
    const char *name;          /* function name, or operator symbol when `is_operator` */
    bool is_operator;
    uint32_t oid;              /* pg_proc / pg_operator oid */
    uint8_t nargs;
    uint32_t args[SQL_FUNC_ARGS_MAX]; /* SQL_T_ANYELEMENT / SQL_T_ANYARRAY / SQL_T_ANY match
                                         any type (resolved from the actual arguments) */
    uint32_t ret;              /* ANYELEMENT / ANYARRAY: resolved */
    uint32_t flags;
    sql_kernel fn;
    sql_prepare_fn prepare;
    const char *commutator;    /* for operators: the commutator's symbol, or NULL */
    const char *negator;
    const char *proname;       /* the implementing function's name (pg_operator.oprcode) */
    sql_srf_fn srf;            /* SQL_F_SRF: the rows (columns: srf_ncols, or 1 of `ret`) */
    uint8_t srf_ncols;
    const uint32_t *srf_types;        /* srf_ncols types and names; NULL when srf_ncols is 0 */
    const char *const *srf_names;
};

void sql_funcs_init(void);
/* True for json[b]_populate_record[set] and json[b]_to_record[set], whose calls carry the
 * shape of their result as a last argument the binder adds (sql_bind_jsonrec). */
bool sql_jsonrec_is(const sql_func_def *d);
/* Its twin for FROM: a set of rows of the result's columns (a FUNCSCAN's srf). */
const sql_func_def *sql_jsonrec_from_def(const sql_func_def *d);
/* Registers a table of definitions (module initialisers call this). */
void sql_funcs_register(const sql_func_def *defs, uint32_t count);
/* Every definition named `name` (functions or operators). */
typedef struct sql_func_list {
    const sql_func_def **items;
    uint32_t count;
} sql_func_list;
sql_func_list sql_funcs_lookup(const char *name, bool is_operator);
/* The columns of a sequence read as a relation (last_value, log_cnt, is_called), each a
 * function of the sequence's OID, read at execution; not registered (no pg_proc rows). */
#define SQL_SEQ_ROW_COLS 3
extern const sql_func_def sql_seq_row_defs[SQL_SEQ_ROW_COLS];
uint32_t sql_funcs_count(void);
const sql_func_def *sql_funcs_at(uint32_t i);

/* ---- casts ---- */
typedef enum sql_cast_context {
    SQL_CAST_IMPLICIT = 1,     /* in expressions (int4 + int8) */
    SQL_CAST_ASSIGNMENT = 2,   /* INSERT/UPDATE targets */
    SQL_CAST_EXPLICIT = 3,     /* CAST / :: */
} sql_cast_context;

/* Can `from` become `to` in this context? */
bool sql_cast_allowed(uint32_t from, uint32_t to, sql_cast_context ctx);
/* Converts `in` to type `to` for the active rows (any path sql_cast_allowed accepts with
 * SQL_CAST_EXPLICIT, including through text I/O). */
bool sql_cast_vec(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in, uint32_t to,
                  int32_t to_typmod, bool is_explicit, sql_vec *out);

/* ---- evaluation ---- */

struct sql_exec_ctx;

struct sql_eval_ctx {
    rt_arena *arena;           /* per-batch: results and temporaries */
    sql_io_ctx io;
    rt_err *err;
    const sql_value *params;
    uint32_t nparams;
    const sql_batch *outer[4]; /* enclosing rows for correlated subqueries, innermost first */
    uint32_t outer_row[4];
    uint32_t outer_depth;
    struct sql_exec_ctx *exec;
};

/* Evaluates `e` over n rows of `in`; NULL on error. */
sql_vec *sql_eval(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in, uint32_t n,
                  const uint8_t *active);
/* Evaluates an expression with no column references (constants, params, functions of them). */
bool sql_eval_scalar(sql_eval_ctx *ec, const sql_expr *e, sql_value *out);
/* A new vector of n rows of type (oid, typmod), all NULL. */
sql_vec *sql_vec_new(rt_arena *arena, uint32_t type_oid, int32_t typmod, uint32_t n);

/* ---- building expressions (binder) ---- */
sql_expr *sql_expr_new(rt_arena *arena, sql_expr_kind kind, uint32_t type_oid, uint32_t nargs);
/* A copy of node `e` with an args array of its own, its entries still e's: where a rewriting
 * copy of a tree starts, replacing them with copies. NULL when out of memory. */
sql_expr *sql_expr_copy_node(rt_arena *arena, const sql_expr *e);
sql_expr *sql_expr_const(rt_arena *arena, const sql_value *v, int32_t typmod);
sql_expr *sql_expr_column(rt_arena *arena, uint32_t index, uint32_t type_oid, int32_t typmod);

#endif
