/* sql_ast.h: the parse tree of Dreambase's PostgreSQL dialect.
 * Owns:    nothing; every node lives in the arena given to sql_parse().
 * Core:    any; the tree is immutable once built (the binder reads it, never writes it).
 * Errors:  the parser reports 42601 syntax_error with a 1-based character position (rt_err),
 *          54001 statement_too_complex past SQL_PARSE_DEPTH_MAX or SQL_PARSE_STACK_MIN_BYTES,
 *          22P02/22003 for malformed or out-of-range literals where PostgreSQL reports them at
 *          parse time, 0A000 for syntax PostgreSQL accepts that Dreambase does not (never a
 *          silent misparse).
 * Shape:   close to PostgreSQL's raw parse tree: names are kept as written (already case-folded
 *          if unquoted), nothing is resolved, special syntax is normalised into ordinary nodes
 *          (EXTRACT(x FROM y) -> extract('x', y), POSITION(a IN b) -> position(b, a),
 *          x BETWEEN a AND b stays BETWEEN, multi-word types -> canonical names: "int4", ...).
 * Locations: every node carries `location`, the 0-based byte offset of its first token in the
 *          statement string (UINT32_MAX when synthetic); errors add 1 for PostgreSQL's position. */
#ifndef SQL_AST_H
#define SQL_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"

/* Nesting of expressions/subqueries the recursive-descent parser accepts (PostgreSQL's bison
 * parser stops at a similar depth, "memory exhausted"). Deeper input is refused with 54001. */
#define SQL_PARSE_DEPTH_MAX 10000
/* Stack the parser leaves free below it: input nested so that less than this is left fails
 * with 54001 "stack depth limit exceeded" whatever its depth count (a nested FROM subquery
 * takes ~300 bytes per level; 900 of them overflowed the former 256 KiB stacks). */
#define SQL_PARSE_STACK_MIN_BYTES (64u * 1024u)
/* Identifiers longer than this are truncated with a NOTICE in PostgreSQL (NAMEDATALEN - 1). */
#define SQL_IDENT_BYTES_MAX 63
/* One statement text; the wire protocol's message limit is higher, this is the parser's. */
#define SQL_TEXT_BYTES_MAX (64u << 20)

/* ---- lists: arena arrays of node pointers ---- */
typedef struct sql_list {
    uint32_t count;
    uint32_t cap;
    void **items;
} sql_list;

/* Appends to a list growing in the arena; false (arena error set) past the budget. */
bool sql_list_push(rt_arena *arena, sql_list *list, void *item);
#define SQL_LIST_AT(list, i) ((list).items[(i)])

/* A possibly qualified name: "schema"."table" or db.schema.table.column; parts as written. */
typedef struct sql_name {
    uint32_t count; /* 1..4 */
    const char *parts[4];
    uint32_t location;
} sql_name;

/* ---- node kinds ---- */
typedef enum sql_node_kind {
    /* expressions */
    SQL_N_CONST = 1,
    SQL_N_PARAM,
    SQL_N_COLUMNREF,
    SQL_N_STAR,          /* `*` or `t.*` in a select list / count(*) is a flag on FUNC */
    SQL_N_OP,            /* binary or prefix operator, incl. pgvector's <-> <=> <#> */
    SQL_N_BOOL,          /* AND / OR / NOT */
    SQL_N_FUNC,
    SQL_N_CAST,
    SQL_N_CASE,
    SQL_N_SPECIAL,       /* COALESCE, NULLIF, GREATEST, LEAST */
    SQL_N_NULLTEST,      /* IS [NOT] NULL, ISNULL, NOTNULL */
    SQL_N_BOOLTEST,      /* IS [NOT] TRUE / FALSE / UNKNOWN */
    SQL_N_DISTINCT,      /* IS [NOT] DISTINCT FROM */
    SQL_N_IN_LIST,       /* x [NOT] IN (a, b, c) */
    SQL_N_BETWEEN,
    SQL_N_LIKE,          /* [NOT] LIKE / ILIKE / SIMILAR TO [ESCAPE] */
    SQL_N_SUBLINK,       /* EXISTS, scalar, IN, op ANY/ALL, ARRAY(subquery) */
    SQL_N_ANY_ALL,       /* x op ANY/ALL (array expression) */
    SQL_N_ARRAY,         /* ARRAY[a, b] */
    SQL_N_ROW,           /* ROW(a, b) or (a, b) */
    SQL_N_SUBSCRIPT,     /* x[i], x[a:b] */
    SQL_N_FIELD,         /* (x).name, (x).* */
    SQL_N_COLLATE,
    SQL_N_SQLVALUE,      /* CURRENT_DATE, CURRENT_TIMESTAMP(p), CURRENT_USER, ... */
    SQL_N_DEFAULT,       /* DEFAULT in VALUES / SET */
    SQL_N_GROUPING,      /* GROUPING(a, b) */
    /* pieces */
    SQL_N_TYPENAME,
    SQL_N_TARGET,        /* select-list item: expr AS alias */
    SQL_N_SORTBY,
    SQL_N_WINDOWDEF,
    SQL_N_RANGEVAR,      /* table reference in FROM / DML target */
    SQL_N_RANGESUB,      /* (subquery) AS alias */
    SQL_N_RANGEFUNC,     /* function in FROM: unnest(...), generate_series(...) */
    SQL_N_JOIN,
    SQL_N_CTE,
    SQL_N_GROUPING_SET,  /* ROLLUP, CUBE, GROUPING SETS, () */
    SQL_N_SET_ITEM,      /* UPDATE ... SET col = expr / ON CONFLICT DO UPDATE SET */
    SQL_N_COLUMNDEF,
    SQL_N_CONSTRAINT,
    SQL_N_INDEX_ELEM,
    SQL_N_DEFELEM,       /* name = value options: WITH (m = 16), EXPLAIN (ANALYZE), COPY (...) */
    SQL_N_LOCKING,       /* FOR UPDATE / SHARE ... */
    SQL_N_ALTER_CMD,
    /* statements */
    SQL_N_SELECT,
    SQL_N_INSERT,
    SQL_N_UPDATE,
    SQL_N_DELETE,
    SQL_N_CREATE_TABLE,
    SQL_N_CREATE_INDEX,
    SQL_N_CREATE_SEQUENCE,
    SQL_N_ALTER_SEQUENCE,
    SQL_N_CREATE_SCHEMA,
    SQL_N_CREATE_DATABASE,
    SQL_N_CREATE_ROLE,   /* CREATE ROLE / CREATE USER */
    SQL_N_ALTER_ROLE,
    SQL_N_CREATE_EXTENSION,
    SQL_N_CREATE_VIEW,
    SQL_N_DROP,          /* DROP TABLE/INDEX/SEQUENCE/SCHEMA/VIEW/DATABASE/ROLE/EXTENSION/TYPE */
    SQL_N_ALTER_TABLE,
    SQL_N_RENAME,        /* ALTER TABLE/INDEX/SEQUENCE/SCHEMA ... RENAME TO */
    SQL_N_TRUNCATE,
    SQL_N_COMMENT,
    SQL_N_TRANSACTION,   /* BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO, SET TRANSACTION */
    SQL_N_SET,           /* SET, SET LOCAL, SET TIME ZONE, RESET, SET SESSION CHARACTERISTICS */
    SQL_N_SHOW,
    SQL_N_PREPARE,
    SQL_N_EXECUTE,
    SQL_N_DEALLOCATE,
    SQL_N_DECLARE_CURSOR,
    SQL_N_FETCH,         /* FETCH and MOVE */
    SQL_N_CLOSE,         /* CLOSE name | ALL */
    SQL_N_EXPLAIN,
    SQL_N_ANALYZE,
    SQL_N_VACUUM,
    SQL_N_COPY,
    SQL_N_LISTEN,
    SQL_N_UNLISTEN,
    SQL_N_NOTIFY,
    SQL_N_DISCARD,
    SQL_N_LOCK,
    SQL_N_CHECKPOINT,
    SQL_N_GRANT,         /* GRANT/REVOKE of privileges and role memberships */
    SQL_N_DO,            /* DO $$...$$: parsed; the executor refuses with 0A000 */
    SQL_N_CREATE_DOMAIN,
    SQL_N_ALTER_DOMAIN,
    SQL_N_CREATE_ENUM,
    SQL_N_ALTER_TYPE,
    SQL_N_REINDEX,       /* REINDEX [(options)] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM [CONCURRENTLY] */
    SQL_N_CREATE_COMPOSITE, /* CREATE TYPE name AS (attr type, ...) */
    SQL_N_ALTER_COMPOSITE,  /* ALTER TYPE name ADD / DROP / RENAME ATTRIBUTE, RENAME TO, ... */
} sql_node_kind;

/* Every node starts with this header. */
typedef struct sql_node {
    sql_node_kind kind;
    uint32_t location;
} sql_node;

#define SQL_NODE_KIND(n) (((const sql_node *)(n))->kind)

/* ---- expressions ---- */

typedef enum sql_const_kind {
    SQL_CONST_NULL = 1,
    SQL_CONST_BOOL,      /* TRUE / FALSE */
    SQL_CONST_INTEGER,   /* digits that fit int64 (as PostgreSQL: int4 if it fits, else int8) */
    SQL_CONST_NUMERIC,   /* other numbers: 1.5, 1e10, 99999999999999999999 (text kept exact) */
    SQL_CONST_STRING,    /* '...', E'...', $$...$$, U&'...': `text` holds the decoded bytes */
    SQL_CONST_BITSTRING, /* B'101' -> text "101"; X'1F' -> text "x1F" (PostgreSQL's convention) */
} sql_const_kind;

typedef struct sql_const {
    sql_node hdr;
    sql_const_kind const_kind;
    bool bool_value;
    int64_t int_value;
    const char *text; /* numeric digits as written, or the string's bytes (NUL-terminated) */
    uint32_t text_len;
} sql_const;

typedef struct sql_param {
    sql_node hdr;
    uint32_t number; /* $1 -> 1 */
} sql_param;

typedef struct sql_columnref {
    sql_node hdr;
    sql_name name;  /* col, tab.col, schema.tab.col, db.schema.tab.col */
} sql_columnref;

typedef struct sql_star {
    sql_node hdr;
    sql_name qualifier; /* count 0 for a bare *, else t.* / s.t.* */
} sql_star;

typedef struct sql_opexpr {
    sql_node hdr;
    const char *name;   /* "+", "=", "<->", "~~", "||", "->>", "@>", ... as written */
    const char *schema; /* OPERATOR(pg_catalog.~): "pg_catalog", else NULL */
    sql_node *left;     /* NULL for a prefix operator (-x, ~x, @x, |/x) */
    sql_node *right;
} sql_opexpr;

typedef enum sql_bool_kind { SQL_BOOL_AND = 1, SQL_BOOL_OR, SQL_BOOL_NOT } sql_bool_kind;
typedef struct sql_bool {
    sql_node hdr;
    sql_bool_kind bool_kind;
    sql_list args; /* AND/OR: 2 or more (flattened), NOT: 1 */
} sql_bool;

typedef struct sql_windowdef sql_windowdef;
typedef struct sql_select sql_select;

typedef struct sql_func {
    sql_node hdr;
    sql_name name;           /* count(x), pg_catalog.format_type(...) */
    sql_list args;           /* of sql_node* (expressions); named args are SQL_N_DEFELEM? no: */
    sql_list arg_names;      /* parallel to args: const char* for `name => value`, else NULL;
                                count 0 when no argument is named */
    bool agg_star;           /* count(*) */
    bool agg_distinct;       /* count(DISTINCT x) */
    bool func_variadic;      /* VARIADIC before the last argument */
    sql_list agg_order;      /* of sql_sortby: string_agg(x, ',' ORDER BY y) */
    bool agg_within_group;   /* percentile_cont(0.5) WITHIN GROUP (ORDER BY x): order in agg_order */
    sql_node *agg_filter;    /* FILTER (WHERE ...) */
    sql_windowdef *over;     /* OVER (...) or OVER name */
} sql_func;

typedef struct sql_typename {
    sql_node hdr;
    sql_name name;        /* canonical for built-in multi-word types: "int4", "float8",
                             "bpchar" (CHAR(n)), "varchar", "timestamptz", "timetz", "bool",
                             "interval", "bit", "varbit", "numeric", "float4"; others as written */
    sql_list typmods;     /* of sql_node* (constants or identifiers): varchar(10), numeric(10,2),
                             vector(3), timestamp(3) */
    uint32_t array_dims;  /* int[] -> 1, int[][] -> 2, int ARRAY -> 1 */
    int32_t interval_fields; /* INTERVAL DAY TO SECOND etc.: PostgreSQL's INTERVAL_MASK bits, or -1 */
    bool setof;
    bool pct_type;        /* tab.col%TYPE */
} sql_typename;

typedef struct sql_cast {
    sql_node hdr;
    sql_node *arg;
    sql_typename *type;  /* x::t, CAST(x AS t), and typed literals DATE '...' */
} sql_cast;

typedef struct sql_case {
    sql_node hdr;
    sql_node *arg;        /* CASE x WHEN ... (NULL for searched CASE) */
    sql_list whens;       /* pairs flattened: cond0, result0, cond1, result1, ... */
    sql_node *else_result; /* NULL if absent */
} sql_case;

typedef enum sql_special_kind {
    SQL_SPECIAL_COALESCE = 1, SQL_SPECIAL_NULLIF, SQL_SPECIAL_GREATEST, SQL_SPECIAL_LEAST
} sql_special_kind;
typedef struct sql_special {
    sql_node hdr;
    sql_special_kind special_kind;
    sql_list args;
} sql_special;

typedef struct sql_nulltest {
    sql_node hdr;
    sql_node *arg;
    bool is_not;
} sql_nulltest;

typedef enum sql_booltest_kind {
    SQL_BOOLTEST_TRUE = 1, SQL_BOOLTEST_FALSE, SQL_BOOLTEST_UNKNOWN
} sql_booltest_kind;
typedef struct sql_booltest {
    sql_node hdr;
    sql_node *arg;
    sql_booltest_kind test;
    bool is_not;
} sql_booltest;

typedef struct sql_distinct {
    sql_node hdr;
    sql_node *left, *right;
    bool is_not; /* IS NOT DISTINCT FROM */
} sql_distinct;

typedef struct sql_in_list {
    sql_node hdr;
    sql_node *arg;
    sql_list values;
    bool is_not;
} sql_in_list;

typedef struct sql_between {
    sql_node hdr;
    sql_node *arg, *low, *high;
    bool is_not;
    bool symmetric;
} sql_between;

typedef enum sql_like_kind { SQL_LIKE = 1, SQL_ILIKE, SQL_SIMILAR } sql_like_kind;
typedef struct sql_like {
    sql_node hdr;
    sql_like_kind like_kind;
    sql_node *arg, *pattern;
    sql_node *escape; /* NULL if no ESCAPE */
    bool is_not;
} sql_like;

typedef enum sql_sublink_kind {
    SQL_SUBLINK_EXISTS = 1,
    SQL_SUBLINK_EXPR,   /* (SELECT ...) as a scalar */
    SQL_SUBLINK_ANY,    /* x op ANY (SELECT ...); IN (SELECT) is ANY with op "=" */
    SQL_SUBLINK_ALL,    /* x op ALL (SELECT ...); NOT IN is NOT(ANY =) as PostgreSQL */
    SQL_SUBLINK_ARRAY,  /* ARRAY(SELECT ...) */
} sql_sublink_kind;
typedef struct sql_sublink {
    sql_node hdr;
    sql_sublink_kind sublink_kind;
    sql_node *test_expr; /* the left side for ANY/ALL */
    const char *op;      /* for ANY/ALL */
    sql_select *subquery;
} sql_sublink;

typedef struct sql_any_all {
    sql_node hdr;
    const char *op;
    sql_node *left;
    sql_node *array; /* x = ANY(array-valued expression) */
    bool is_all;
} sql_any_all;

typedef struct sql_array {
    sql_node hdr;
    sql_list elements; /* nested ARRAY[[1,2],[3,4]] holds sql_array elements */
} sql_array;

typedef struct sql_row {
    sql_node hdr;
    sql_list args;
    bool explicit_row; /* ROW(...) rather than (a, b) */
} sql_row;

typedef struct sql_subscript {
    sql_node hdr;
    sql_node *arg;
    sql_node *lower; /* x[i]: lower = i, upper = NULL, is_slice false */
    sql_node *upper;
    bool is_slice;   /* x[a:b], x[:b], x[a:] (missing bound = NULL) */
} sql_subscript;

typedef struct sql_field {
    sql_node hdr;
    sql_node *arg;
    const char *field; /* NULL for (x).* */
} sql_field;

typedef struct sql_collate {
    sql_node hdr;
    sql_node *arg;
    sql_name collation;
} sql_collate;

typedef enum sql_sqlvalue_kind {
    SQL_SV_CURRENT_DATE = 1, SQL_SV_CURRENT_TIME, SQL_SV_CURRENT_TIMESTAMP, SQL_SV_LOCALTIME,
    SQL_SV_LOCALTIMESTAMP, SQL_SV_CURRENT_ROLE, SQL_SV_CURRENT_USER, SQL_SV_SESSION_USER,
    SQL_SV_USER, SQL_SV_CURRENT_CATALOG, SQL_SV_CURRENT_SCHEMA,
} sql_sqlvalue_kind;
typedef struct sql_sqlvalue {
    sql_node hdr;
    sql_sqlvalue_kind value_kind;
    int32_t precision; /* CURRENT_TIMESTAMP(3): 3; -1 if none */
} sql_sqlvalue;

typedef struct sql_default {
    sql_node hdr;
} sql_default;

typedef struct sql_grouping {
    sql_node hdr;
    sql_list args;
} sql_grouping;

/* ---- select pieces ---- */

typedef struct sql_target {
    sql_node hdr;
    sql_node *expr;     /* for INSERT column lists: NULL, `name` set */
    const char *alias;  /* AS name / bare label; NULL if none */
    sql_list indirection; /* INSERT INTO t (col[1], col.f): subscripts/fields, usually empty */
} sql_target;

typedef enum sql_sort_dir { SQL_SORT_DEFAULT = 0, SQL_SORT_ASC, SQL_SORT_DESC, SQL_SORT_USING }
    sql_sort_dir;
typedef enum sql_sort_nulls { SQL_NULLS_DEFAULT = 0, SQL_NULLS_FIRST, SQL_NULLS_LAST }
    sql_sort_nulls;
typedef struct sql_sortby {
    sql_node hdr;
    sql_node *expr;
    sql_node *near;      /* ORDER BY expr NEAR near (Dreambase); NULL otherwise */
    sql_sort_dir dir;
    sql_sort_nulls nulls;
    const char *using_op; /* ORDER BY x USING < */
} sql_sortby;

typedef enum sql_frame_mode { SQL_FRAME_DEFAULT = 0, SQL_FRAME_ROWS, SQL_FRAME_RANGE,
                              SQL_FRAME_GROUPS } sql_frame_mode;
typedef enum sql_frame_bound_kind {
    SQL_BOUND_NONE = 0, SQL_BOUND_UNBOUNDED_PRECEDING, SQL_BOUND_PRECEDING, SQL_BOUND_CURRENT_ROW,
    SQL_BOUND_FOLLOWING, SQL_BOUND_UNBOUNDED_FOLLOWING
} sql_frame_bound_kind;
typedef enum sql_frame_exclude { SQL_EXCLUDE_NONE = 0, SQL_EXCLUDE_CURRENT_ROW,
                                 SQL_EXCLUDE_GROUP, SQL_EXCLUDE_TIES } sql_frame_exclude;

struct sql_windowdef {
    sql_node hdr;
    const char *name;        /* WINDOW w AS (...): "w"; OVER w: refname set, rest empty */
    const char *refname;     /* OVER (w ORDER BY ...) / OVER w */
    sql_list partition_by;   /* of sql_node* */
    sql_list order_by;       /* of sql_sortby* */
    sql_frame_mode frame_mode;
    sql_frame_bound_kind start_kind, end_kind; /* end NONE when "BETWEEN" was not used */
    sql_node *start_offset, *end_offset;
    sql_frame_exclude exclude;
    bool ref_only;           /* OVER w (no parentheses): the named window as it is */
};

typedef struct sql_rangevar {
    sql_node hdr;
    sql_name name;      /* [db.][schema.]table */
    const char *alias;
    sql_list col_aliases; /* of const char* */
    bool only;          /* ONLY t (accepted: no inheritance) */
} sql_rangevar;

typedef struct sql_rangesub {
    sql_node hdr;
    sql_select *subquery;
    const char *alias;
    sql_list col_aliases;
    bool lateral;
} sql_rangesub;

typedef struct sql_rangefunc {
    sql_node hdr;
    sql_func *func;       /* a function call (or several with ROWS FROM: funcs) */
    sql_list funcs;       /* ROWS FROM (f(), g()): of sql_func*; empty otherwise */
    const char *alias;
    sql_list col_aliases;
    sql_list col_defs;    /* AS t(a int, b text) for record-returning functions: sql_columndef */
    bool lateral;
    bool with_ordinality;
} sql_rangefunc;

typedef enum sql_join_kind {
    SQL_JOIN_INNER = 1, SQL_JOIN_LEFT, SQL_JOIN_RIGHT, SQL_JOIN_FULL, SQL_JOIN_CROSS
} sql_join_kind;
typedef struct sql_join {
    sql_node hdr;
    sql_join_kind join_kind;
    sql_node *left, *right;  /* rangevar / rangesub / rangefunc / join */
    sql_node *quals;         /* ON ... */
    sql_list using_cols;     /* USING (a, b): of const char* */
    const char *using_alias; /* USING (a) AS x (PostgreSQL 14+) */
    bool natural;
    const char *alias;       /* (a JOIN b) AS j */
} sql_join;

typedef enum sql_cte_materialize { SQL_CTE_DEFAULT = 0, SQL_CTE_MATERIALIZED,
                                   SQL_CTE_NOT_MATERIALIZED } sql_cte_materialize;
typedef struct sql_cte {
    sql_node hdr;
    const char *name;
    sql_list col_aliases;
    sql_node *query;     /* SELECT / INSERT / UPDATE / DELETE (data-modifying CTEs) */
    sql_cte_materialize materialize;
} sql_cte;

typedef struct sql_with {
    sql_list ctes; /* of sql_cte* */
    bool recursive;
} sql_with;

typedef enum sql_grouping_set_kind {
    SQL_GSET_EMPTY = 1, SQL_GSET_SIMPLE, SQL_GSET_ROLLUP, SQL_GSET_CUBE, SQL_GSET_SETS
} sql_grouping_set_kind;
typedef struct sql_grouping_set {
    sql_node hdr;
    sql_grouping_set_kind set_kind;
    sql_list content; /* expressions, ROW nodes for (a, b), or nested grouping sets */
} sql_grouping_set;

typedef enum sql_lock_strength {
    SQL_LOCK_UPDATE = 1, SQL_LOCK_NO_KEY_UPDATE, SQL_LOCK_SHARE, SQL_LOCK_KEY_SHARE
} sql_lock_strength;
typedef enum sql_lock_wait { SQL_LOCK_WAIT_BLOCK = 0, SQL_LOCK_WAIT_SKIP, SQL_LOCK_WAIT_NOWAIT }
    sql_lock_wait;
typedef struct sql_locking {
    sql_node hdr;
    sql_lock_strength strength;
    sql_list of;          /* FOR UPDATE OF t1, t2: of sql_name* */
    sql_lock_wait wait;
} sql_locking;

typedef enum sql_setop { SQL_SETOP_NONE = 0, SQL_SETOP_UNION, SQL_SETOP_INTERSECT,
                         SQL_SETOP_EXCEPT } sql_setop;

/* SELECT, VALUES, and set operations (a tree of sql_select with op != NONE). */
struct sql_select {
    sql_node hdr;
    sql_with *with;           /* NULL if none */
    /* a plain SELECT (op == NONE, values empty) */
    bool distinct;            /* SELECT DISTINCT */
    sql_list distinct_on;     /* SELECT DISTINCT ON (...): of sql_node* (then distinct is true) */
    sql_list targets;         /* of sql_target* */
    sql_node *into;           /* SELECT ... INTO t: a sql_rangevar (CREATE TABLE AS semantics) */
    bool into_temp;
    sql_list from;            /* of rangevar / rangesub / rangefunc / join */
    sql_node *where;
    sql_list group_by;        /* of expressions and sql_grouping_set* */
    bool group_distinct;      /* GROUP BY DISTINCT */
    sql_node *having;
    sql_list windows;         /* WINDOW w AS (...): of sql_windowdef* */
    /* VALUES (...), (...): rows of sql_list* (each a list of expressions) */
    sql_list values;
    /* set operation: left op right */
    sql_setop op;
    bool op_all;
    sql_select *left, *right;
    /* apply to the whole select/values/setop */
    sql_list order_by;        /* of sql_sortby* */
    sql_node *limit;          /* LIMIT x / FETCH FIRST x ROWS; NULL for none or LIMIT ALL */
    sql_node *offset;
    bool limit_with_ties;     /* FETCH FIRST ... WITH TIES */
    sql_list locking;         /* of sql_locking* */
};

/* ---- DML ---- */

typedef struct sql_set_item {
    sql_node hdr;
    const char *column;       /* SET col = expr */
    sql_list indirection;     /* SET col[1] = ..., SET col.f = ... */
    sql_node *value;          /* an expression or sql_default */
    /* SET (a, b) = (x, y) / = (SELECT ...): one item per column; all share `multi_source`
     * (a sql_row or sql_sublink) and carry their position in multi_index */
    sql_node *multi_source;
    int32_t multi_index;      /* -1 when not part of a multi-assignment */
} sql_set_item;

typedef enum sql_conflict_action { SQL_CONFLICT_NONE = 0, SQL_CONFLICT_NOTHING,
                                   SQL_CONFLICT_UPDATE } sql_conflict_action;
typedef struct sql_on_conflict {
    sql_conflict_action action;
    sql_list target_cols;     /* ON CONFLICT (a, b): of sql_index_elem* */
    sql_node *target_where;   /* ON CONFLICT (a) WHERE ... (partial index inference) */
    const char *constraint;   /* ON CONFLICT ON CONSTRAINT name */
    sql_list set;             /* DO UPDATE SET: of sql_set_item* */
    sql_node *where;          /* DO UPDATE ... WHERE */
} sql_on_conflict;

typedef enum sql_overriding { SQL_OVERRIDING_NONE = 0, SQL_OVERRIDING_SYSTEM,
                              SQL_OVERRIDING_USER } sql_overriding;
typedef struct sql_insert {
    sql_node hdr;
    sql_with *with;
    sql_rangevar *table;      /* alias allowed: INSERT INTO t AS x */
    sql_list columns;         /* of sql_target* (name in alias field) */
    sql_select *source;       /* VALUES or SELECT; NULL for DEFAULT VALUES */
    sql_overriding overriding;
    sql_on_conflict *on_conflict; /* NULL if none */
    sql_list returning;       /* of sql_target* */
} sql_insert;

typedef struct sql_update {
    sql_node hdr;
    sql_with *with;
    sql_rangevar *table;
    sql_list set;             /* of sql_set_item* */
    sql_list from;
    sql_node *where;
    const char *current_of;   /* WHERE CURRENT OF cursor */
    sql_list returning;
} sql_update;

typedef struct sql_delete {
    sql_node hdr;
    sql_with *with;
    sql_rangevar *table;
    sql_list using_;
    sql_node *where;
    const char *current_of;
    sql_list returning;
} sql_delete;

/* ---- DDL ---- */

typedef enum sql_constraint_kind {
    SQL_CONSTR_NULL = 1, SQL_CONSTR_NOTNULL, SQL_CONSTR_DEFAULT, SQL_CONSTR_IDENTITY,
    SQL_CONSTR_GENERATED, SQL_CONSTR_CHECK, SQL_CONSTR_PRIMARY, SQL_CONSTR_UNIQUE,
    SQL_CONSTR_FOREIGN, SQL_CONSTR_EXCLUSION
} sql_constraint_kind;
typedef enum sql_fk_action {
    SQL_FK_NO_ACTION = 0, SQL_FK_RESTRICT, SQL_FK_CASCADE, SQL_FK_SET_NULL, SQL_FK_SET_DEFAULT
} sql_fk_action;
typedef struct sql_defelem sql_defelem;
typedef struct sql_constraint {
    sql_node hdr;
    sql_constraint_kind constr_kind;
    const char *name;         /* CONSTRAINT name */
    sql_node *expr;           /* DEFAULT expr, CHECK (expr), GENERATED ... AS (expr) STORED */
    const char *expr_text;    /* the source text of expr (PostgreSQL keeps it for \d output) */
    sql_list keys;            /* table constraint columns: of const char* */
    sql_list include;         /* INCLUDE (...) */
    bool identity_always;     /* GENERATED ALWAYS AS IDENTITY (vs BY DEFAULT) */
    sql_list seq_options;     /* identity sequence options: of sql_defelem* */
    sql_name fk_table;        /* REFERENCES t (cols) */
    sql_list fk_cols;
    sql_fk_action fk_on_delete, fk_on_update;
    char fk_match;            /* 's' simple, 'f' full */
    bool deferrable, initially_deferred, no_inherit, not_valid;
    sql_list options;         /* WITH (fillfactor = ...) on PK/UNIQUE indexes */
    bool nulls_not_distinct;  /* UNIQUE NULLS NOT DISTINCT (PostgreSQL 15) */
} sql_constraint;

typedef struct sql_columndef {
    sql_node hdr;
    const char *name;
    sql_typename *type;      /* "serial"/"bigserial"/"smallserial" kept as names for the binder */
    sql_list constraints;    /* of sql_constraint* */
    sql_name collation;      /* COLLATE "C" (count 0 if none) */
} sql_columndef;

typedef enum sql_oncommit { SQL_ONCOMMIT_NOOP = 0, SQL_ONCOMMIT_PRESERVE_ROWS,
                            SQL_ONCOMMIT_DELETE_ROWS, SQL_ONCOMMIT_DROP } sql_oncommit;
typedef struct sql_create_table {
    sql_node hdr;
    sql_name name;
    bool if_not_exists;
    bool temporary;          /* TEMP / TEMPORARY (LOCAL/GLOBAL accepted) */
    bool unlogged;
    sql_oncommit on_commit;
    sql_list columns;        /* of sql_columndef* */
    sql_list constraints;    /* table constraints: of sql_constraint* */
    sql_list options;        /* WITH (fillfactor = 100, partitions = 8): of sql_defelem* */
    sql_select *as_query;    /* CREATE TABLE ... AS SELECT */
    bool with_no_data;
    sql_list like;           /* LIKE other: of sql_rangevar* (the session expands them) */
    uint32_t like_defaults;  /* bit i: LIKE number i copies defaults (INCLUDING DEFAULTS/ALL) */
    bool has_partition_by;   /* PARTITION BY ...: refused with 0A000 */
    bool has_inherits;
} sql_create_table;

typedef struct sql_index_elem {
    sql_node hdr;
    const char *column;      /* a column name, or NULL for an expression */
    sql_node *expr;
    sql_name opclass;        /* vector_l2_ops, text_pattern_ops (count 0 if none) */
    sql_sort_dir dir;
    sql_sort_nulls nulls;
    sql_name collation;
} sql_index_elem;

typedef struct sql_create_index {
    sql_node hdr;
    const char *name;        /* NULL: generated as PostgreSQL does (t_col_idx) */
    sql_name table;
    bool unique, concurrently, if_not_exists, only;
    const char *method;      /* USING btree/hash/hnsw/ivfflat/gin/gist; NULL = btree */
    sql_list elems;          /* of sql_index_elem* */
    sql_list include;        /* of const char* */
    sql_list options;        /* WITH (m = 16, ef_construction = 64): of sql_defelem* */
    sql_node *where;         /* partial index */
    bool nulls_not_distinct;
} sql_create_index;

/* name = value for every option list; value is a constant, identifier, type or NULL. */
struct sql_defelem {
    sql_node hdr;
    const char *ns;          /* namespace: toast.autovacuum_enabled -> "toast" */
    const char *name;        /* lower-cased */
    sql_node *value;         /* sql_const / sql_typename / sql_columnref (bare word) / NULL */
    const char *word;        /* bare-word value (e.g. FORMAT csv, INCREMENT BY 1 -> NULL) */
    bool negated;            /* NO MINVALUE, NO CYCLE */
};

typedef struct sql_create_sequence {
    sql_node hdr;
    sql_name name;
    bool if_not_exists, temporary, unlogged;
    sql_list options;        /* AS type, INCREMENT [BY] n, MINVALUE/NO MINVALUE, MAXVALUE, START
                                [WITH], CACHE, [NO] CYCLE, OWNED BY t.c / NONE, RESTART [WITH] */
} sql_create_sequence;

typedef struct sql_alter_sequence {
    sql_node hdr;
    sql_name name;
    bool if_exists;
    sql_list options;
} sql_alter_sequence;

typedef struct sql_create_schema {
    sql_node hdr;
    const char *name;
    const char *authorization;
    bool if_not_exists;
    sql_list elements;       /* CREATE SCHEMA s CREATE TABLE ...: statements */
} sql_create_schema;

typedef struct sql_create_database {
    sql_node hdr;
    const char *name;
    sql_list options;        /* OWNER, TEMPLATE, ENCODING, LOCALE ...: of sql_defelem* */
} sql_create_database;

typedef struct sql_create_role {
    sql_node hdr;
    const char *name;
    bool is_user;            /* CREATE USER: LOGIN by default */
    bool if_not_exists;
    sql_list options;        /* SUPERUSER, NOSUPERUSER, LOGIN, PASSWORD 'x' / NULL, CREATEDB,
                                CREATEROLE, INHERIT, REPLICATION, BYPASSRLS, CONNECTION LIMIT n,
                                VALID UNTIL 'x', IN ROLE ...: of sql_defelem* */
} sql_create_role;

typedef struct sql_alter_role {
    sql_node hdr;
    const char *name;        /* "current_user" / "session_user" / "all" kept as written */
    sql_list options;        /* as CREATE ROLE */
    const char *rename_to;   /* ALTER ROLE a RENAME TO b */
    struct sql_set *set;     /* ALTER ROLE a SET x = y / RESET x */
    const char *in_database;
} sql_alter_role;

typedef struct sql_create_extension {
    sql_node hdr;
    const char *name;
    bool if_not_exists;
    const char *schema;
    const char *version;
    bool cascade;
} sql_create_extension;

typedef struct sql_create_view {
    sql_node hdr;
    sql_name name;
    bool or_replace, temporary, materialized;
    sql_list col_aliases;
    sql_select *query;
    const char *query_text;  /* the view's defining text */
} sql_create_view;

/* CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT e] [[CONSTRAINT n] NOT NULL | NULL |
 * CHECK (e)]...: the part after the name parses as a column definition's does. */
typedef struct sql_create_domain {
    sql_node hdr;
    sql_name name;
    sql_columndef *def;      /* type, collation and constraints (name unused) */
} sql_create_domain;

typedef enum sql_alter_domain_kind {
    SQL_AD_SET_DEFAULT = 1, SQL_AD_DROP_DEFAULT, SQL_AD_SET_NOT_NULL, SQL_AD_DROP_NOT_NULL,
    SQL_AD_ADD_CONSTRAINT, SQL_AD_DROP_CONSTRAINT, SQL_AD_RENAME, SQL_AD_RENAME_CONSTRAINT,
    SQL_AD_OWNER, SQL_AD_SET_SCHEMA,
} sql_alter_domain_kind;

typedef struct sql_alter_domain {
    sql_node hdr;
    sql_name name;
    sql_alter_domain_kind cmd;
    sql_constraint *constraint; /* SET DEFAULT (its expr), ADD CONSTRAINT */
    const char *old_name;    /* DROP / RENAME CONSTRAINT */
    const char *new_name;    /* RENAME [CONSTRAINT] ... TO, OWNER TO, SET SCHEMA */
    bool if_exists;          /* DROP CONSTRAINT IF EXISTS */
    bool cascade;
} sql_alter_domain;

/* CREATE TYPE name AS ENUM ('a', 'b', ...). */
typedef struct sql_create_enum {
    sql_node hdr;
    sql_name name;
    sql_list labels;         /* of sql_const* (SQL_CONST_STRING), in the order given */
} sql_create_enum;

typedef enum sql_alter_type_kind {
    SQL_ATY_ADD_VALUE = 1, SQL_ATY_RENAME_VALUE, SQL_ATY_RENAME, SQL_ATY_OWNER, SQL_ATY_SET_SCHEMA,
} sql_alter_type_kind;

/* ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'w'] | RENAME VALUE 'v' TO
 * 'w' | RENAME TO n | OWNER TO r | SET SCHEMA s. */
typedef struct sql_alter_type {
    sql_node hdr;
    sql_name name;
    sql_alter_type_kind cmd;
    const char *value;       /* ADD VALUE's label, RENAME VALUE's old label */
    const char *neighbor;    /* ADD VALUE ... BEFORE / AFTER this label, NULL: at the end */
    bool before;
    bool if_not_exists;
    const char *new_name;    /* RENAME VALUE's new label, RENAME TO, OWNER TO, SET SCHEMA */
} sql_alter_type;
/* CREATE TYPE name AS (...): a composite type (a pg_class row of relkind 'c'). */
typedef struct sql_create_composite {
    sql_node hdr;
    sql_name name;
    sql_list attrs;          /* of sql_columndef* (name, type, collation; no constraints) */
} sql_create_composite;

typedef enum sql_alter_composite_kind {
    SQL_AC_ADD_ATTR = 1, SQL_AC_DROP_ATTR, SQL_AC_ALTER_ATTR_TYPE, SQL_AC_RENAME_ATTR,
    SQL_AC_RENAME, SQL_AC_OWNER, SQL_AC_SET_SCHEMA,
} sql_alter_composite_kind;

typedef struct sql_alter_composite_cmd {
    sql_alter_composite_kind cmd;
    sql_columndef *def;      /* ADD ATTRIBUTE; ALTER ATTRIBUTE ... TYPE (its type) */
    const char *name;        /* DROP / RENAME / ALTER ATTRIBUTE: the attribute */
    const char *new_name;    /* RENAME [ATTRIBUTE ...] TO, OWNER TO, SET SCHEMA */
    bool if_exists;          /* DROP ATTRIBUTE IF EXISTS */
    bool cascade;
} sql_alter_composite_cmd;

/* ALTER TYPE of a composite type: a list of ADD / DROP / ALTER ATTRIBUTE actions, or one
 * RENAME, OWNER TO or SET SCHEMA. */
typedef struct sql_alter_composite {
    sql_node hdr;
    sql_name name;
    sql_list cmds;           /* of sql_alter_composite_cmd* */
} sql_alter_composite;

typedef enum sql_object_kind {
    SQL_OBJ_TABLE = 1, SQL_OBJ_INDEX, SQL_OBJ_SEQUENCE, SQL_OBJ_VIEW, SQL_OBJ_MATVIEW,
    SQL_OBJ_SCHEMA, SQL_OBJ_DATABASE, SQL_OBJ_ROLE, SQL_OBJ_EXTENSION, SQL_OBJ_TYPE,
    SQL_OBJ_DOMAIN, SQL_OBJ_FUNCTION, SQL_OBJ_COLUMN, SQL_OBJ_CONSTRAINT, SQL_OBJ_TRIGGER,
} sql_object_kind;

typedef struct sql_drop {
    sql_node hdr;
    sql_object_kind object;
    sql_list names;          /* of sql_name* */
    bool if_exists;
    bool cascade;            /* CASCADE (RESTRICT is the default) */
    bool concurrently;       /* DROP INDEX CONCURRENTLY */
    bool force;              /* DROP DATABASE ... WITH (FORCE) */
} sql_drop;

typedef enum sql_alter_kind {
    SQL_AT_ADD_COLUMN = 1, SQL_AT_DROP_COLUMN, SQL_AT_ALTER_TYPE, SQL_AT_SET_DEFAULT,
    SQL_AT_DROP_DEFAULT, SQL_AT_SET_NOT_NULL, SQL_AT_DROP_NOT_NULL, SQL_AT_ADD_CONSTRAINT,
    SQL_AT_DROP_CONSTRAINT, SQL_AT_RENAME_TABLE, SQL_AT_RENAME_COLUMN, SQL_AT_RENAME_CONSTRAINT,
    SQL_AT_SET_OPTIONS, SQL_AT_RESET_OPTIONS, SQL_AT_OWNER, SQL_AT_SET_SCHEMA,
    SQL_AT_ADD_IDENTITY, SQL_AT_DROP_IDENTITY, SQL_AT_SET_STATISTICS, SQL_AT_VALIDATE_CONSTRAINT,
    SQL_AT_SET_LOGGED, SQL_AT_SET_UNLOGGED,
    SQL_AT_IDENTITY_OPTIONS, /* ALTER COLUMN c RESTART [WITH n] / SET INCREMENT BY n ...:
                                the options of the identity's sequence, in `options` */
} sql_alter_kind;

typedef struct sql_alter_cmd {
    sql_node hdr;
    sql_alter_kind alter_kind;
    const char *name;        /* column / constraint name the command acts on */
    const char *new_name;    /* RENAME ... TO new_name, OWNER TO role, SET SCHEMA s */
    sql_columndef *column;   /* ADD COLUMN */
    sql_typename *type;      /* ALTER COLUMN TYPE */
    sql_node *expr;          /* SET DEFAULT expr, ALTER TYPE ... USING expr */
    const char *expr_text;
    sql_constraint *constraint; /* ADD CONSTRAINT */
    sql_list options;        /* SET (...) */
    bool if_exists;          /* DROP COLUMN IF EXISTS, DROP CONSTRAINT IF EXISTS */
    bool if_not_exists;      /* ADD COLUMN IF NOT EXISTS */
    bool cascade;
} sql_alter_cmd;

typedef struct sql_alter_table {
    sql_node hdr;
    sql_object_kind object;  /* TABLE, INDEX, SEQUENCE, VIEW (for RENAME / OWNER / SET SCHEMA) */
    sql_name name;
    bool if_exists;
    bool only;
    sql_list cmds;           /* of sql_alter_cmd* */
} sql_alter_table;

typedef struct sql_rename {
    sql_node hdr;
    sql_object_kind object;  /* SCHEMA, DATABASE, ROLE (tables use ALTER TABLE's commands) */
    sql_name name;
    const char *new_name;    /* with `owner`: the new owner (OWNER TO role) */
    bool if_exists;
    bool owner;              /* ALTER SCHEMA / DATABASE ... OWNER TO */
} sql_rename;

typedef struct sql_truncate {
    sql_node hdr;
    sql_list tables;         /* of sql_rangevar* */
    bool restart_identity;
    bool cascade;
} sql_truncate;

typedef struct sql_comment {
    sql_node hdr;
    sql_object_kind object;
    sql_name name;           /* for COLUMN: table.column; for CONSTRAINT: name + on_table */
    sql_name on_table;
    const char *text;        /* NULL for IS NULL */
} sql_comment;

/* ---- transactions and session ---- */

typedef enum sql_txn_kind {
    SQL_TXN_BEGIN = 1, SQL_TXN_START, SQL_TXN_COMMIT, SQL_TXN_ROLLBACK, SQL_TXN_SAVEPOINT,
    SQL_TXN_RELEASE, SQL_TXN_ROLLBACK_TO, SQL_TXN_PREPARE, SQL_TXN_COMMIT_PREPARED,
    SQL_TXN_ROLLBACK_PREPARED, SQL_TXN_SET_TRANSACTION, SQL_TXN_SET_SESSION_DEFAULTS,
} sql_txn_kind;
typedef enum sql_isolation { SQL_ISO_DEFAULT = 0, SQL_ISO_READ_UNCOMMITTED,
                             SQL_ISO_READ_COMMITTED, SQL_ISO_REPEATABLE_READ,
                             SQL_ISO_SERIALIZABLE } sql_isolation;
typedef struct sql_transaction {
    sql_node hdr;
    sql_txn_kind txn_kind;
    const char *savepoint;   /* SAVEPOINT/RELEASE/ROLLBACK TO name; PREPARE TRANSACTION 'gid' */
    sql_isolation isolation;
    int8_t read_only;        /* -1 unspecified, 0 READ WRITE, 1 READ ONLY */
    int8_t deferrable;       /* -1, 0, 1 */
    bool chain;              /* COMMIT AND CHAIN */
} sql_transaction;

typedef enum sql_set_kind {
    SQL_SET_VALUE = 1,  /* SET x TO/= v[, v...] */
    SQL_SET_DEFAULT,    /* SET x TO DEFAULT */
    SQL_SET_RESET,      /* RESET x */
    SQL_SET_RESET_ALL,  /* RESET ALL */
    SQL_SET_FROM_CURRENT,
    SQL_SET_CONSTRAINTS, /* SET CONSTRAINTS ALL | names (values: sql_columnref) DEFERRED|IMMEDIATE */
} sql_set_kind;
typedef struct sql_set {
    sql_node hdr;
    sql_set_kind set_kind;
    const char *name;        /* lower-cased; "timezone" for SET TIME ZONE, "client_encoding" for
                                SET NAMES, "search_path" for SET SCHEMA 'x',
                                "transaction_isolation" for SET TRANSACTION ISOLATION... */
    sql_list values;         /* of sql_node*: constants, identifiers (sql_columnref), or an
                                INTERVAL typed constant for SET TIME ZONE INTERVAL '...' */
    bool is_local;           /* SET LOCAL */
    bool deferred;           /* SET CONSTRAINTS ... DEFERRED (else IMMEDIATE) */
} sql_set;

typedef struct sql_show {
    sql_node hdr;
    const char *name;        /* lower-cased; "all" for SHOW ALL; "timezone" for SHOW TIME ZONE */
} sql_show;

typedef struct sql_prepare {
    sql_node hdr;
    const char *name;
    sql_list arg_types;      /* of sql_typename* */
    sql_node *query;
    const char *query_text;
} sql_prepare;

typedef struct sql_execute {
    sql_node hdr;
    const char *name;
    sql_list params;         /* of expressions */
} sql_execute;

typedef struct sql_deallocate {
    sql_node hdr;
    const char *name;        /* NULL for ALL */
} sql_deallocate;

typedef struct sql_declare_cursor {
    sql_node hdr;
    const char *name;
    bool binary, insensitive, scroll, no_scroll, with_hold;
    sql_node *query;
} sql_declare_cursor;

typedef enum sql_fetch_dir {
    SQL_FETCH_NEXT = 1, SQL_FETCH_PRIOR, SQL_FETCH_FIRST, SQL_FETCH_LAST, SQL_FETCH_ABSOLUTE,
    SQL_FETCH_RELATIVE, SQL_FETCH_FORWARD, SQL_FETCH_BACKWARD, SQL_FETCH_FORWARD_ALL,
    SQL_FETCH_BACKWARD_ALL
} sql_fetch_dir;
typedef struct sql_fetch {
    sql_node hdr;
    bool is_move;
    sql_fetch_dir dir;
    int64_t count;           /* FETCH 5, FETCH ABSOLUTE -1, FORWARD 3; 1 by default */
    const char *cursor;
} sql_fetch;

typedef struct sql_close {
    sql_node hdr;
    const char *cursor;      /* NULL for CLOSE ALL */
} sql_close;

typedef struct sql_explain {
    sql_node hdr;
    sql_node *stmt;
    bool analyze, verbose, costs, buffers, timing, summary, hybrid;
    bool costs_set, timing_set, summary_set;
    const char *format;      /* TEXT (default), JSON, YAML, XML */
    sql_list options;        /* all options as given: of sql_defelem* */
} sql_explain;

typedef struct sql_analyze {
    sql_node hdr;
    sql_list tables;         /* of sql_rangevar* (columns in col_aliases); empty = all */
    bool verbose;
} sql_analyze;

typedef enum sql_reindex_target {
    SQL_REINDEX_INDEX = 1,
    SQL_REINDEX_TABLE,
    SQL_REINDEX_SCHEMA,
    SQL_REINDEX_DATABASE,
    SQL_REINDEX_SYSTEM,
} sql_reindex_target;

typedef struct sql_reindex {
    sql_node hdr;
    sql_reindex_target target;
    sql_name name;           /* the index or table (qualified), or the schema / database */
    bool concurrently, verbose;
    const char *tablespace;  /* (TABLESPACE name): refused, Dreambase has only pg_default */
} sql_reindex;

typedef struct sql_vacuum {
    sql_node hdr;
    sql_list tables;
    bool full, freeze, verbose, analyze;
    sql_list options;
} sql_vacuum;

typedef struct sql_copy {
    sql_node hdr;
    sql_rangevar *table;     /* COPY t (cols) ...; NULL with a query */
    sql_list columns;        /* of const char* */
    sql_node *query;         /* COPY (SELECT ...) TO */
    bool is_from;            /* FROM (load) vs TO (unload) */
    bool is_program;
    const char *filename;    /* NULL for STDIN/STDOUT */
    sql_list options;        /* FORMAT csv/text/binary, DELIMITER, NULL, HEADER, QUOTE, ESCAPE,
                                FORCE_QUOTE, FREEZE, ENCODING... (old syntax normalised into these) */
    sql_node *where;         /* COPY FROM ... WHERE */
} sql_copy;

typedef struct sql_listen {
    sql_node hdr;
    const char *channel;     /* UNLISTEN *: NULL */
} sql_listen;

typedef struct sql_notify {
    sql_node hdr;
    const char *channel;
    const char *payload;     /* NULL if none */
} sql_notify;

typedef enum sql_discard_kind { SQL_DISCARD_ALL = 1, SQL_DISCARD_PLANS, SQL_DISCARD_SEQUENCES,
                                SQL_DISCARD_TEMP } sql_discard_kind;
typedef struct sql_discard {
    sql_node hdr;
    sql_discard_kind what;
} sql_discard;

typedef struct sql_lock {
    sql_node hdr;
    sql_list tables;         /* of sql_rangevar* */
    const char *mode;        /* "ACCESS EXCLUSIVE" etc., upper-case canonical */
    bool nowait;
} sql_lock;

/* What a GRANT / REVOKE is about. */
typedef enum sql_grant_target {
    SQL_GRANT_TABLE = 1,     /* ON [TABLE] t, ... */
    SQL_GRANT_ALL_TABLES,    /* ON ALL TABLES IN SCHEMA s, ... */
    SQL_GRANT_SEQUENCE,      /* ON SEQUENCE s, ... */
    SQL_GRANT_ALL_SEQUENCES, /* ON ALL SEQUENCES IN SCHEMA s, ... */
    SQL_GRANT_SCHEMA,        /* ON SCHEMA s, ... */
    SQL_GRANT_DATABASE,      /* ON DATABASE d, ... */
    SQL_GRANT_ROLE,          /* GRANT role, ... TO role, ... */
    SQL_GRANT_OTHER,         /* functions, types, ...: `other` names it (0A000) */
} sql_grant_target;

typedef struct sql_grant {
    sql_node hdr;
    bool is_grant;           /* false for REVOKE */
    bool all;                /* ALL [PRIVILEGES] */
    bool option;             /* WITH GRANT/ADMIN OPTION; REVOKE: GRANT/ADMIN OPTION FOR */
    bool cascade;            /* REVOKE ... CASCADE */
    uint32_t columns_at;     /* location of a column list (column privileges), 0 if none */
    sql_grant_target target;
    const char *other;       /* SQL_GRANT_OTHER: the object kind as written ("FUNCTION") */
    sql_list privileges;     /* of const char* (lower case), or the granted roles */
    sql_list priv_columns;   /* by privilege: its column list (sql_list* of const char*), or
                                NULL for the whole object */
    const sql_list *all_columns; /* ALL [PRIVILEGES] (columns), NULL without a list */
    sql_list objects;        /* of sql_name* (tables, sequences) or const char* (the rest) */
    sql_list grantees;       /* of const char*: role names as written, "public" = PUBLIC */
} sql_grant;

typedef struct sql_do {
    sql_node hdr;
    const char *body;
    const char *language;
} sql_do;

typedef struct sql_checkpoint {
    sql_node hdr;
} sql_checkpoint;

/* ---- parsing ---- */

/* One statement of a (possibly multi-statement) query string. */
typedef struct sql_stmt {
    sql_node *node;          /* one of the statement kinds above */
    uint32_t text_start;     /* byte span of this statement in the input */
    uint32_t text_len;
} sql_stmt;

typedef struct sql_stmt_list {
    uint32_t count;
    sql_stmt *stmts;
} sql_stmt_list;

/* Parses `len` bytes of `sql` (not necessarily NUL-terminated) into statements separated by ';'.
 * Empty statements are skipped (";;" and "" give count 0). Locations are offsets into `sql`.
 * standard_conforming_strings is assumed on (backslashes in '' are literal; E'' escapes). */
bool sql_parse(rt_arena *arena, const char *sql, uint32_t len, sql_stmt_list *out, rt_err *err);

/* Parses one type name ("numeric(10,2)", "vector(3)", "int[]") for casts like 'x'::regtype. */
bool sql_parse_typename(rt_arena *arena, const char *text, uint32_t len, sql_typename **out,
                        rt_err *err);

/* True if `word` is a reserved keyword that must be quoted as an identifier (for quote_ident
 * and pg_get_* deparsing). */
bool sql_keyword_is_reserved(const char *word);

#endif
