/* sql_window.h: window functions (OVER) in plans: what a WINDOW plan node computes.
 * Owns:    nothing; a sql_window_func lives in the plan's arena like every plan node.
 * Core:    any (plans are read-only once optimised).
 * Plan:    a WINDOW node's input arrives sorted by (partition keys, order keys) (the binder puts
 *          a SORT below it when needed); the node outputs its input columns followed by one
 *          column per function, in `window.funcs` order. Every function of one node shares the
 *          same PARTITION BY and ORDER BY (funcs[0] holds them for all); frames may differ.
 * Memory:  the executor (sql_exec_window.c) buffers one partition at a time in an arena of its
 *          own, freed when the partition has been emitted.
 * Errors:  22014 ntile, 22016 nth_value, 22004 NULL frame offset, 22013 negative frame offset,
 *          54000 a partition past SQL_WINDOW_PARTITION_BYTES_MAX, with PostgreSQL's messages.
 * Limits:  SQL_WINDOW_PARTITION_BYTES_MAX. */
#ifndef SQL_WINDOW_H
#define SQL_WINDOW_H

#include <stddef.h>

#include "sql/sql_agg.h"
#include "sql/sql_plan.h"

/* One partition is held in memory whole (rows, evaluated arguments and results) while its
 * frames are computed. A quarter of the query budget (RT_QUERY_ARENA_BYTES_MAX) leaves room for
 * the sort below, which holds the whole input; past it the query fails with 54000. */
#define SQL_WINDOW_PARTITION_BYTES_MAX (256ull << 20)

/* The limit in force: SQL_WINDOW_PARTITION_BYTES_MAX, lowered by tests to reach the error. */
extern size_t sql_window_partition_bytes_max;

typedef enum sql_win_kind {
    SQL_WIN_AGG = 1,       /* an aggregate of the registry over the frame */
    SQL_WIN_ROW_NUMBER,
    SQL_WIN_RANK,
    SQL_WIN_DENSE_RANK,
    SQL_WIN_PERCENT_RANK,
    SQL_WIN_CUME_DIST,
    SQL_WIN_NTILE,         /* args: bucket count (int4) */
    SQL_WIN_LAG,           /* args: value [, offset (int4) [, default]] */
    SQL_WIN_LEAD,
    SQL_WIN_FIRST_VALUE,   /* args: value; over the frame */
    SQL_WIN_LAST_VALUE,
    SQL_WIN_NTH_VALUE,     /* args: value, n (int4) */
} sql_win_kind;

/* Frame modes, bounds and exclusions: the values of the parser's enums (sql_ast.h), without
 * the "default" and "none" forms, which the binder resolves. */
enum { SQL_WIN_FRAME_ROWS = 1, SQL_WIN_FRAME_RANGE = 2, SQL_WIN_FRAME_GROUPS = 3 };
enum { SQL_WIN_UNBOUNDED_PRECEDING = 1, SQL_WIN_PRECEDING = 2, SQL_WIN_CURRENT_ROW = 3,
       SQL_WIN_FOLLOWING = 4, SQL_WIN_UNBOUNDED_FOLLOWING = 5 };
enum { SQL_WIN_EXCLUDE_NONE = 0, SQL_WIN_EXCLUDE_CURRENT_ROW = 1, SQL_WIN_EXCLUDE_GROUP = 2,
       SQL_WIN_EXCLUDE_TIES = 3 };

typedef struct sql_window_bound {
    uint8_t kind;          /* SQL_WIN_UNBOUNDED_PRECEDING .. SQL_WIN_UNBOUNDED_FOLLOWING */
    sql_expr *offset;      /* n PRECEDING/FOLLOWING: a constant expression (no columns); int8
                              for ROWS, GROUPS and RANGE over an integer key, else the offset
                              type of the key (numeric, float8, interval) */
    /* RANGE with an offset over a non-integer key: the bound value `key -/+ offset` per row,
     * over the input (NULL for integer keys: the executor adds with saturation, since a bound
     * past the type's range is not an error in PostgreSQL). */
    sql_expr *value;
    sql_expr *nonneg;      /* RANGE non-integer offset: `offset >= 0` (checked once) */
} sql_window_bound;

typedef struct sql_window_frame {
    uint8_t mode;          /* SQL_WIN_FRAME_* */
    uint8_t exclude;       /* SQL_WIN_EXCLUDE_* */
    sql_window_bound start, end;
    /* RANGE with an offset over a non-integer key: the key as compared with the bound values
     * (the order key, cast to the bound's type when they differ: date -> timestamp). */
    sql_expr *range_key;
} sql_window_frame;

struct sql_window_func {
    sql_win_kind kind;
    const char *name;          /* function name (column label, EXPLAIN) */
    const sql_agg_def *agg;    /* SQL_WIN_AGG */
    bool star;                 /* count(*) */
    uint32_t nargs;
    sql_expr **args;           /* over the input columns */
    sql_expr *filter;          /* aggregates: FILTER (WHERE ...), or NULL */
    uint32_t type_oid;         /* result type */
    int32_t typmod;
    uint32_t npart;
    sql_expr **part;           /* PARTITION BY, over the input */
    uint32_t norder;
    sql_sort_key *order;       /* ORDER BY, over the input */
    sql_window_frame frame;
};

#endif
