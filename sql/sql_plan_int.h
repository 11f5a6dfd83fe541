/* sql_plan_int.h: private helpers shared by the optimiser (sql_plan.c) and EXPLAIN
 * (sql_plan_explain.c). */
#ifndef SQL_PLAN_INT_H
#define SQL_PLAN_INT_H

#include "sql/sql_plan.h"

/* Conjuncts of a predicate kept apart while the optimiser moves them. Past this many the rest
 * stay together in one conjunct (still correct, only pushed down less precisely). */
#define SQL_PLAN_CONJUNCTS_MAX 64

/* Rows assumed for a table that has no statistics yet. */
#define SQL_PLAN_DEFAULT_ROWS 1000.0

/* What EXPLAIN prints of a node (sql_plan_costs.c): startup and total cost in PostgreSQL's
 * units, rows (at least 1, 0 for a ModifyTable without RETURNING) and width in bytes. */
typedef struct sql_plan_est {
    double startup, total, rows;
    uint32_t width;
} sql_plan_est;
void sql_plan_estimate(const sql_plan *p, sql_plan_est *out);
/* A row's width in bytes as PostgreSQL estimates it: fixed lengths, 32 for a varlena. */
uint32_t sql_plan_width(const sql_plan *p);

/* Splits `e` at its top-level ANDs into out[0..n) (at most SQL_PLAN_CONJUNCTS_MAX). */
uint32_t sql_plan_conjuncts(sql_expr *e, sql_expr **out, uint32_t cap);

/* Whether conjunct `c` over the columns of `scan` (a SCAN or PKGET) is `pkcol = value` with
 * a value that does not depend on the row (constants, parameters, outer columns): then *pk_pos
 * is the primary-key position of the column and *value the other side. */
bool sql_plan_pk_conjunct(const sql_plan *scan, const sql_expr *c, uint32_t *pk_pos,
                          sql_expr **value);

/* Makes `scan` (a SCAN with its final filter) an IXSCAN when a conjunct on the leading column
 * of one of its table's B-tree indexes (`=`, IN, <, <=, >, >=) is selective enough
 * (sql_plan_index.c). */
bool sql_plan_ixscan(rt_arena *arena, sql_plan *scan, rt_err *err);

/* Puts a LOCKROWS node under each LIMIT over (PROJECT | SORT)* over a GATHER of one
 * FOR UPDATE / SHARE scan, so only the rows the LIMIT takes are locked (sql_plan_lockrows.c).
 * Runs after column pruning, on the final layouts. */
bool sql_plan_lockrows(rt_arena *arena, sql_plan *root, rt_err *err);

/* ---- the optimiser's internals shared by sql_plan.c, sql_plan_join.c, sql_plan_dist.c ---- */

typedef struct sql_expr_info {
    uint32_t min_col, max_col;  /* range of SQL_X_COLUMN indexes (min > max: none) */
    bool subquery;
    bool volatile_fn;
    bool aggref;
} sql_expr_info;

typedef struct sql_opt_memo {
    const sql_plan *from;
    sql_plan *to;
} sql_opt_memo;

typedef struct sql_opt {
    rt_arena *arena;
    rt_err *err;
    uint32_t shard_count;
    uint32_t ann_ef_search;  /* for the hybrid planner's estimate (0: the default) */
    sql_opt_memo *memo;      /* subquery plans and CTE bodies already optimised */
    uint32_t nmemo, memo_cap;
} sql_opt;

/* What an expression refers to and contains. */
sql_expr_info sql_expr_info_of(const sql_expr *e);
/* Whether `e` may be evaluated inside a fragment on another shard. */
bool sql_expr_fragment_safe(const sql_expr *e);
bool sql_is_int_type(uint32_t t);
/* Types whose values encode to the same key bytes when `=` holds between them. */
bool sql_key_types_match(uint32_t a, uint32_t b);
bool sql_is_eq_operator(const sql_expr *c);
/* `a = b` or `a IS NOT DISTINCT FROM b`: a hash join key (NULLs match in the second). */
bool sql_is_join_key_operator(const sql_expr *c);
/* `e` without a cast that only relabels its value (cidr -> inet, PostgreSQL's binary-coercible
 * cast: the same bytes, the same key), so that a cidr key column compared as inet is still
 * that column for key lookups. */
const sql_expr *sql_expr_unrelabel(const sql_expr *e);

/* Which side of a join (left input with `nleft` columns) a conjunct refers to. */
enum { SQL_SIDE_NONE = 0, SQL_SIDE_LEFT, SQL_SIDE_RIGHT, SQL_SIDE_BOTH };
int sql_conj_side(const sql_expr *c, uint32_t nleft);

/* Optimises node p (and below); NULL with o->err set on failure. */
sql_plan *sql_opt_node(sql_opt *o, sql_plan *p);
/* Optimises the subquery plans inside an expression. */
bool sql_opt_expr(sql_opt *o, sql_expr *e);
/* Sets 53200 (unless an error is set) and returns NULL. */
void *sql_opt_oom(sql_opt *o);
/* A nested-loop join node of planned sides l and r (l's columns, then r's), its order fixed;
 * the caller adds its conditions and strategy. NULL with the error set on OOM. */
sql_plan *sql_opt_join_pair(sql_opt *o, sql_plan *l, sql_plan *r, uint32_t join_type,
                            double rows);
/* The AND of n conjuncts (NULL for none). */
sql_expr *sql_opt_and(sql_opt *o, sql_expr **conj, uint32_t n);
/* A FILTER of the conjuncts over child (child itself for none). */
sql_plan *sql_opt_filter_over(sql_opt *o, sql_plan *child, sql_expr **conj, uint32_t n);
/* `root` (its columns where map[i] says for column i of the written join j) under a projection
 * back to j's columns, or root itself when map is the identity (sql_plan_join.c). */
sql_plan *sql_opt_project_to(sql_opt *o, sql_plan *root, const sql_plan *j, const uint32_t *map);
/* Where each column of a flattened join's row (relation r's columns from first[r]) is in a
 * node whose relations come in `order`; UINT32_MAX for columns of relations not in it. */
uint32_t *sql_opt_order_map(sql_opt *o, uint32_t ncols, sql_plan *const *rels,
                            const uint32_t *first, const uint32_t *order, uint32_t n);
/* FILTER f with its EXISTS / NOT EXISTS / IN subqueries that PostgreSQL pulls up as semi- and
 * anti-joins above a FILTER of its other conjuncts, under a projection of f's columns
 * (sql_plan_semij.c); f itself when there are none. NULL with the error set on OOM. */
sql_plan *sql_opt_semijoins(sql_opt *o, sql_plan *f);
/* Semi-join hash join j as an inner join over its inner side made unique on the join keys
 * when that lets each key look its left table up by index (sql_plan_semij.c); j itself when
 * not, NULL with o->err set on OOM. */
sql_plan *sql_opt_semi_unique(sql_opt *o, sql_plan *j);
/* Makes columns [first, first + n) of projection proj NULLs of their types (a semi-join's
 * inner side, which nothing above reads); false on OOM (o->err set). */
bool sql_opt_project_nulls(sql_opt *o, sql_plan *proj, uint32_t first, uint32_t n);
/* NESTLOOP -> HASHJOIN on the equality conjuncts of its quals that hash. */
bool sql_opt_hash_keys(sql_opt *o, sql_plan *j);

/* A primary-key lookup per outer row costs about this many scanned rows (a fragment built and
 * a message to the owning shard and back): the index nested loop's break-even. */
#define SQL_JOIN_LOOKUP_ROWS 50.0

/* Whether p is a tree of inner joins whose order may be chosen (sql_plan_join.c). */
bool sql_is_reorderable(const sql_plan *p);
/* That tree in the cheapest order, under a projection giving back the written column order. */
sql_plan *sql_opt_reorder(sql_opt *o, sql_plan *j);
/* An inner join over (L LEFT JOIN R) (or R RIGHT JOIN L, on either side) whose conditions do
 * not read R, as (L JOIN D) LEFT JOIN R under a projection of the written columns; `j` itself
 * when that does not hold. */
sql_plan *sql_opt_outer_pullup(sql_opt *o, sql_plan *j);
/* Outer joins below p (through FILTERs and joins not yet planned) that a condition above them
 * rejects the NULL-extended rows of become inner (or, FULL, one-sided) joins
 * (sql_plan_outer.c). */
bool sql_opt_outer_reduce(sql_opt *o, sql_plan *p);
/* Marks in cols[] (ncols) the columns a condition (a conjunct at the top) is NULL or false
 * in when one of them is NULL; leaf[] gives each column its relation's first column (an OR
 * counts whole relations). False on OOM. */
bool sql_opt_strict_cols(rt_arena *arena, const sql_expr *e, bool *cols, uint32_t ncols,
                         const uint32_t *leaf);
/* A tree of inner, LEFT, RIGHT, semi- and anti-joins of at least three relations, one of its
 * joins an outer, semi- or anti-join, in the cheapest order the outer-join identities and
 * PostgreSQL's join_is_legal allow (sql_plan_ojorder.c), under a projection giving back the
 * written column order; `j` itself when the tree is not such (or too large: then the rewrites
 * above apply); NULL with o->err set on failure. */
sql_plan *sql_opt_reorder_outer(sql_opt *o, sql_plan *j);

/* One special join of such a tree (PostgreSQL's SpecialJoinInfo), over relation bitmasks. */
typedef enum sql_oj_kind { SQL_OJ_LEFT, SQL_OJ_SEMI, SQL_OJ_ANTI } sql_oj_kind;
typedef struct sql_oj {
    uint32_t lhs, rhs;       /* as written: preserved and nullable (semi: inner) relations */
    uint32_t min_lhs, min_rhs, allowed;
    uint32_t strict;         /* relations its ON condition rejects NULLs in */
    sql_oj_kind kind;
} sql_oj;
/* Widens the min_lhs of semi- or anti-join k (what its condition reads) by the whole of each
 * outer join below it whose nullable side that reads. */
void sql_oj_semi_lhs(sql_oj *oj, uint32_t noj, uint32_t k);
/* The special join a join of relation sets l (probe) and r (build) performs: its index, -1
 * none, -2 the join is not legal. */
int32_t sql_oj_step(const sql_oj *oj, uint32_t noj, uint32_t l, uint32_t r);
/* A LEFT JOIN over a LEFT JOIN, (A LEFT B) LEFT C with C's condition strict in B and not
 * reading A, planned in whichever of that and A LEFT (B LEFT C) costs less; NULL with o->err
 * set on failure, `j` itself (not yet planned) when the identity does not apply. */
sql_plan *sql_opt_outer_assoc(sql_opt *o, sql_plan *j);
/* Where a hash join runs (sql_plan_dist.c): per outer row by index lookups, co-located,
 * broadcast, or gathered; returns the (possibly new) node. */
sql_plan *sql_opt_join_strategy(sql_opt *o, sql_plan *j);
/* Hash join j (INNER or LEFT) as index lookups per outer row when its build side is a table
 * read keyed by an index and the outer side is small; j itself (unchanged) when not. */
sql_plan *sql_opt_index_join(sql_opt *o, sql_plan *j);
/* UPDATE ... FROM / DELETE ... USING's join in the target's fragment: co-located (each
 * fragment reads its own partitions of the other table) or broadcast (the others read whole). */
void sql_opt_modify_strategy(sql_plan *j);
/* The scan a GATHER runs as its fragment when the side is a plain read of one table. */
sql_plan *sql_side_scan(const sql_plan *g);

/* ---- join order (sql_plan_join.c) ---- */

/* Building a hash table costs more per row than probing it (allocation, copying the row). */
#define SQL_JOIN_BUILD_WEIGHT 2.0
/* Rows touched by joining sides of lrows and rrows rows into `out` rows: a hash join (an
 * equality across the sides) reads each side once and weighs its build; otherwise every pair
 * is tried. The one cost of join order (sql_plan_join.c) and outer-join rewrites. */
double sql_opt_join_cost(double lrows, double rrows, double out, bool equi);

/* The table a relation reads (through filters, projections and its GATHER), or NULL. */
const eng_table *sql_rel_table(const sql_plan *p);

/* Relations of one tree of inner joins the optimiser reorders; a bigger tree keeps the
 * written order above its first SQL_JOIN_RELS_MAX relations. */
#define SQL_JOIN_RELS_MAX 16
/* Dynamic programming over all 2^n subsets up to this many relations (3^n split steps:
 * 6561 at 8), greedy pairing beyond. */
#define SQL_JOIN_DP_RELS_MAX 8

typedef struct sql_join_pred {
    uint32_t rels;           /* bitmask of the relations the predicate refers to */
    double selectivity;
    bool equi;               /* an equality a hash join can use */
} sql_join_pred;

/* A join tree: nodes 0..nrels-1 are the relations, then the joins bottom-up; the root last. */
typedef struct sql_join_node {
    uint32_t set;            /* relations below */
    int32_t left, right;     /* child nodes (-1 for a relation); right is the build side */
    double rows, cost;
} sql_join_node;

typedef struct sql_join_tree {
    sql_join_node nodes[2 * SQL_JOIN_RELS_MAX];
    uint32_t nnodes;
} sql_join_tree;

/* Chooses the cheapest join tree of `nrels` relations of rows[r] estimated rows. */
bool sql_join_order(rt_arena *arena, const double *rows, uint32_t nrels,
                    const sql_join_pred *preds, uint32_t npreds, sql_join_tree *out,
                    rt_err *err);

/* Column pruning over an optimised plan whose output must stay whole (sql_plan_prune.c). */
bool sql_plan_prune(rt_arena *arena, sql_plan *root, rt_err *err);

#endif
