/* sql_plan.h: query plans.
 * The binder turns a parse tree into a tree of plan nodes; sql_plan_optimize() then pushes
 * filters and projections down, turns primary-key equalities into point lookups (and prunes
 * partitions), and splits the tree into the coordinator part and shard fragments: everything
 * below a GATHER node runs on the shards that own the scanned partitions (scan, filter,
 * projection, partial aggregation, local top-k), the rest on the coordinator.
 * Memory:  a plan lives in the query (or prepared statement) arena; it is immutable once
 *          optimised, so fragments on other shards read it in place.
 * Columns: every node has an output schema; expressions above a node refer to its columns by
 *          position (SQL_X_COLUMN index).
 * Errors:  sql_plan_optimize returns NULL with *err set: 0A000 for a shape the executor cannot
 *          run (never a wrong answer), 53200 when the arena's budget runs out. */
#ifndef SQL_PLAN_H
#define SQL_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "sql/sql_expr.h"

typedef struct sql_col {
    const char *name;        /* column label (RowDescription) */
    uint32_t type_oid;
    int32_t typmod;
    uint32_t table_oid;      /* source table column, 0 if computed */
    int16_t attnum;
    bool untyped;            /* an untyped literal ('x', NULL) the select list made text: a set
                                operation resolves it with the other side's type instead */
} sql_col;

typedef enum sql_plan_kind {
    SQL_P_RESULT = 1,  /* one empty row (SELECT without FROM) */
    SQL_P_VALUES,      /* rows of expressions */
    SQL_P_SCAN,        /* fragment: scan of one partition with pushed-down filter */
    SQL_P_PKGET,       /* fragment: point lookup by primary key */
    SQL_P_CATALOG,     /* a pg_catalog / information_schema relation, built from the catalog */
    SQL_P_FUNCSCAN,    /* a set-returning function in FROM */
    SQL_P_FILTER,
    SQL_P_PROJECT,
    SQL_P_GATHER,      /* coordinator: runs the child fragment on the owning shards */
    SQL_P_NESTLOOP,
    SQL_P_HASHJOIN,
    SQL_P_AGG,
    SQL_P_SORT,        /* with `limit` set it keeps only the top rows (top-k) */
    SQL_P_LIMIT,
    SQL_P_DISTINCT,    /* hash-based; DISTINCT ON keeps the first row per key */
    SQL_P_SETOP,       /* UNION / INTERSECT / EXCEPT [ALL] */
    SQL_P_APPEND,      /* UNION ALL of several inputs */
    SQL_P_MATERIAL,    /* a CTE or subquery result computed once and re-read */
    SQL_P_CTESCAN,     /* reads a MATERIAL node */
    SQL_P_WINDOW,
    SQL_P_INSERT,      /* coordinator: routes rows to the owning shards */
    SQL_P_UPDATE,      /* fragment: scan + lock + write new versions */
    SQL_P_DELETE,      /* fragment */
    SQL_P_RECURSIVE,   /* WITH RECURSIVE: seed, then iterate the recursive term */
    SQL_P_WORKTABLE,   /* the recursive term's reference to the working table */
    SQL_P_ANNSCAN,     /* fragment: approximate nearest rows of one partition by its HNSW graph
                          (ANN-first), the rows passing the filter; above it the exact ORDER BY
                          distance and LIMIT */
    SQL_P_SOURCE,      /* coordinator: batches handed in by a callback (COPY FROM's rows) */
    SQL_P_PROJECTSET,  /* `project` whose set-returning calls (unnest(a) in the select list)
                          advance in lockstep per input row, the shorter padded with NULLs */
    SQL_P_IXSCAN,      /* fragment: rows of one partition found by a secondary B-tree index
                          (sql_plan_index.c), each visible version re-checked by the filter */
    SQL_P_LOCKROWS,    /* coordinator, under a LIMIT: locks the rows of a FOR UPDATE / SHARE
                          scan one at a time, only as many as the LIMIT takes
                          (sql_plan_lockrows.c); its input's last column is each row's
                          locator, which it drops */
    SQL_P_MODIFYCTE,   /* coordinator, at the top: the main query (left) of a statement whose
                          WITH has data-modifying queries, and those queries (modifycte.ctes,
                          MATERIAL nodes with `dml` set over their INSERT / UPDATE / DELETE).
                          Each runs once and to its end: when the main query first reads it,
                          the rest after the main query, last one first (PostgreSQL's order);
                          all with the statement's snapshot and command id, so no part sees
                          another's changes, only its RETURNING rows */
} sql_plan_kind;

typedef struct sql_sort_key {
    sql_expr *expr;      /* over the input columns */
    bool desc;
    bool nulls_first;
} sql_sort_key;

/* Aggregates: count, sum, avg, min, max, bool_and/or, string_agg, array_agg, ... */
typedef struct sql_agg_def sql_agg_def;
typedef struct sql_agg_call {
    const sql_agg_def *def;
    uint32_t nargs;
    sql_expr **args;     /* over the input columns */
    bool star;           /* count(*) */
    bool distinct;
    sql_sort_key *order; /* ORDER BY inside the call */
    uint32_t norder;
    sql_expr *filter;    /* FILTER (WHERE ...) */
    uint32_t type_oid;   /* result type */
    int32_t typmod;
    const uint32_t *grouping; /* GROUPING(a, b) (def sql_agg_grouping()): the group index of
                                 each argument, ngrouping of them; nargs is 0 */
    uint32_t ngrouping;
} sql_agg_call;

/* Grouping sets are bitmasks over the AGG node's group expressions. */
#define SQL_GROUPING_COLUMNS_MAX 64

typedef enum sql_agg_mode { SQL_AGG_SINGLE = 0, SQL_AGG_PARTIAL, SQL_AGG_FINAL } sql_agg_mode;

typedef struct sql_window_func sql_window_func;

/* Where a join runs (EXPLAIN shows it). */
typedef enum sql_join_strategy {
    SQL_JOIN_GATHERED = 0,  /* both inputs gathered to the coordinator, joined there */
    SQL_JOIN_COLOCATED,     /* both tables partitioned on the join key alike: each partition
                               pair joined on its shard, the joined rows gathered */
    SQL_JOIN_INDEX,         /* per outer row, a primary-key lookup of the inner table */
    SQL_JOIN_BROADCAST,     /* the small (right) side read whole by every shard's fragment,
                               which joins its partitions of the big side with it */
    SQL_JOIN_REPARTITION,   /* both sides re-partitioned between the shards by a hash of the
                               join key (each side a GATHER with share_key inside a fragment
                               on every shard): each shard joins its share */
} sql_join_strategy;

typedef struct sql_plan sql_plan;
struct sql_plan {
    sql_plan_kind kind;
    uint32_t ncols;
    sql_col *cols;
    sql_plan *left;          /* input (or outer input of a join) */
    sql_plan *right;         /* inner input of a join / setop */
    double est_rows;
    double est_cost;         /* SCAN / IXSCAN: the estimated work, in rows read by a scan
                                (sql_plan_index.c); 0 = not estimated */
    const struct sql_hybrid_est *hybrid; /* SCAN / ANNSCAN under ORDER BY distance LIMIT k:
                                            the hybrid planner's estimate (EXPLAIN HYBRID) */
    union {
        struct { uint32_t nrows; sql_expr ***rows; } values;             /* VALUES */
        struct {
            const eng_table *table;
            uint32_t natts;
            uint16_t *attnums;   /* columns to read (0 = hidden row id) */
            sql_expr *filter;    /* over the read columns; NULL = none */
            bool want_slots;     /* UPDATE/DELETE need the slot of each row */
            sql_expr **key;      /* PKGET: one expression per key column */
            uint32_t nkey;
            uint32_t lock_strength; /* SELECT FOR UPDATE / SHARE (0 = none) */
            uint32_t lock_wait;
            bool lock_deferred;  /* a LOCKROWS node above locks the rows (want_slots set) */
            const char *alias;   /* the name the query gives the table (EXPLAIN), or NULL */
            const eng_index *index; /* IXSCAN: the B-tree index read (its leading column) */
            double skip_frac;    /* SCAN: the estimated fraction of the table's rows in row
                                    groups its ranges let the store skip (zone maps) */
            uint32_t ix_nconj;   /* IXSCAN: the filter's first conjuncts form its Index Cond */
            sql_expr **ix_vals;  /* IXSCAN: `=` / IN values of the leading column */
            uint32_t ix_nvals;   /* IXSCAN: 0 = a range from ix_lo to ix_hi */
            sql_expr **ix_more;  /* IXSCAN with values: `=` values of the next index columns */
            uint32_t ix_nmore;
            sql_expr *ix_lo, *ix_hi; /* IXSCAN: range bounds, NULL = unbounded */
            bool ix_lo_incl, ix_hi_incl;
            /* IXSCAN chosen as the hybrid planner's scalar-first path: the scan keeps only
               the nearest topk_k rows of its fragment by the ORDER BY distance, computed
               from the vectors in place (sql_exec_ixscan.c); topk_col = 1 + the scan column
               of the vector, 0 = off */
            uint32_t topk_col;
            uint32_t topk_metric;    /* eng_hnsw_metric numbering, as ann.metric */
            sql_expr *topk_query;    /* the query vector (no column references) */
            sql_expr *topk_k;        /* LIMIT + OFFSET (int8) */
        } scan;                                                          /* SCAN, PKGET, IXSCAN */
        struct {
            const eng_table *table;
            uint32_t natts;
            uint16_t *attnums;   /* columns to read, as SCAN */
            sql_expr *filter;    /* over the read columns, checked during the graph walk */
            uint16_t vec_attnum; /* the VECTOR column whose graph is walked */
            uint32_t metric;     /* eng_hnsw_metric the ORDER BY operator computes */
            sql_expr *query;     /* the query vector (no column references) */
            sql_expr *k;         /* rows wanted per partition: LIMIT + OFFSET (int8) */
        } ann;                                                           /* ANNSCAN */
        struct { uint32_t rel_id; sql_expr *filter; } catalog;          /* CATALOG */
        struct {
            const sql_func_def *def;
            uint32_t nargs;
            sql_expr **args;
            bool ordinality;
            const char *alias;     /* FROM f(...) alias, NULL if none (EXPLAIN shows it) */
        } func;                                                          /* FUNCSCAN */
        struct { sql_expr *pred; } filter;                               /* FILTER */
        struct { sql_expr **exprs; } project;                            /* PROJECT */
        struct {
            const eng_table *table;
            uint32_t npartitions;  /* partitions to run the fragment on */
            uint32_t *partitions;
            bool writes;           /* the fragment modifies data (participant shards) */
            bool merge_sorted;     /* children are sorted by sort_keys: merge them */
            sql_expr *share_key;   /* over the output: only rows whose key hashes to the
                                      shard this GATHER runs on (a REPARTITION join's input;
                                      the fragments drop the others before sending) */
            sql_sort_key *sort_keys;
            uint32_t nsort;
        } gather;                                                        /* GATHER */
        struct {
            uint32_t join_type;    /* sql_join_kind of the AST: INNER, LEFT, RIGHT, FULL, CROSS */
            sql_expr *quals;       /* over left columns ++ right columns */
            uint32_t nkeys;        /* HASHJOIN: equality keys */
            sql_expr **left_keys;  /* over the left input */
            sql_expr **right_keys; /* over the right input */
            uint16_t nulls_equal;  /* HASHJOIN: keys k (bit k) from IS NOT DISTINCT FROM,
                                      where two NULLs match */
            bool semi, anti;       /* EXISTS / NOT EXISTS forms */
            bool lateral;          /* NESTLOOP: the right input refers to the left row (its
                                      SQL_X_OUTER depth 1) and is re-run per left row */
            bool ordered;          /* the join order was chosen (sql_plan_join.c): keep it */
            bool reduced;          /* the outer-join reduction walked it from above
                                      (sql_plan_outer.c): no walk starts here again */
            uint8_t strategy;      /* sql_join_strategy: where the join runs */
            bool merge;            /* HASHJOIN whose inputs both come ordered on the keys
                                      (ascending, NULLs last): merged as they stream instead
                                      of hashing the right side (EXPLAIN: Merge Join) */
            bool probe_first;      /* HASHJOIN (INNER, LEFT, semi, anti) whose left side is
                                      estimated far smaller than its right: the left rows are
                                      read first and the right side's scan gets the set of a
                                      key's left values, so the build keeps only right rows
                                      that may match (sql_plan_dist.c, sql_exec_join.c) */
        } join;                                                          /* joins */
        struct {
            sql_agg_mode mode;
            uint32_t ngroup;
            sql_expr **group;      /* over the input */
            uint32_t naggs;
            sql_agg_call *aggs;
            uint32_t nsets;        /* GROUPING SETS / ROLLUP / CUBE: each a bitmask over `group`
                                      (columns outside a group's set output NULL); 0 = one
                                      set of every column. A PARTIAL node below a FINAL one
                                      with sets groups by every column, the FINAL node
                                      merges into each set's groups */
            uint64_t *sets;
        } agg;                                                           /* AGG: outputs groups
                                                                            then aggregates */
        struct {
            uint32_t nkeys;
            sql_sort_key *keys;
            sql_expr *limit;       /* top-k when set (limit + offset rows kept) */
            sql_expr *offset;
        } sort;                                                          /* SORT */
        struct {
            sql_expr *limit;
            sql_expr *offset;
            bool with_ties;        /* FETCH FIRST n ROWS WITH TIES: also the rows that tie */
            uint32_t nties;        /* with_ties: the ORDER BY keys, over the input columns */
            sql_sort_key *ties;
        } limit;                                                         /* LIMIT */
        struct {
            const sql_plan *scan;  /* the locking scan: strength, wait policy, filter */
            sql_plan **projects;   /* coordinator PROJECTs between the scan's GATHER and this
                                      node, bottom-up: a row replaced by its newest version
                                      goes through them again */
            uint32_t nprojects;
            sql_expr *limit, *offset; /* of the LIMIT above: rows to lock at most */
        } lockrows;                                                      /* LOCKROWS */
        struct { uint32_t nkeys; sql_expr **keys; } distinct;           /* DISTINCT ON keys,
                                                                            0 = whole row */
        struct { uint32_t op; bool all; } setop;                         /* SETOP */
        struct { uint32_t ninputs; sql_plan **inputs; } append;          /* APPEND */
        struct {
            uint32_t id;
            bool dml;            /* a data-modifying WITH query: `id` indexes modifycte.ctes
                                    (its RETURNING rows, computed once for the statement);
                                    only the MODIFYCTE's own node has the body in `left` */
            const char *name;    /* the WITH query's name (EXPLAIN's "CTE Scan on c") */
            const char *alias;   /* the name the FROM item gives it ("c c2"); NULL: name */
            uint32_t level;      /* EXPLAIN: how many subqueries in expressions deep its WITH
                                    is, so its "CTE c" section goes under that level's top */
            uint32_t pos;        /* EXPLAIN: where the WITH entry is written (sections go in
                                    that order) */
            const eng_table *table; /* dml: the table it writes (auto-analyze counts its rows) */
            bool read;           /* dml, MODIFYCTE's node: something reads it, so it runs
                                    before the main query (else after it) */
        } material;                                                      /* MATERIAL/CTESCAN/
                                                                            WORKTABLE */
        struct { uint32_t nctes; sql_plan **ctes; } modifycte;           /* MODIFYCTE */
        struct { uint32_t worktable_id; bool all; } recursive;           /* RECURSIVE */
        struct {
            uint32_t nfuncs;
            sql_window_func *funcs;
        } window;                                                        /* WINDOW */
        struct {
            /* Fills `b` (the node's columns, room for b->cap rows) with values allocated in
               `arena`; b->rows == 0 at the end. */
            bool (*fill)(void *arg, struct sql_exec_ctx *x, rt_arena *arena, sql_batch *b);
            void *arg;
        } source;                                                        /* SOURCE */
        struct {
            const eng_table *table;
            uint32_t ncols;          /* INSERT: the child's columns map to these attnums */
            uint16_t *attnums;
            sql_expr **defaults;     /* per table column (attnum - 1): default, or NULL */
            sql_expr **checks;       /* CHECK constraints over a full row (attnum order) */
            uint32_t nchecks;
            const char **check_names;
            const struct sql_domain_info **domains; /* per table column: its domain, or NULL */
            uint32_t on_conflict;    /* 0 none, 1 DO NOTHING, 2 DO UPDATE */
            bool conflict_any;       /* DO NOTHING without a target: every unique key is an
                                        arbiter */
            bool conflict_pk;        /* the primary key is an arbiter */
            uint32_t nconflict_ixs;  /* arbiter unique indexes kept by companions (oids) */
            uint32_t *conflict_ixs;
            sql_expr **conflict_set; /* DO UPDATE: per column (attnum - 1) new value over
                                        existing row ++ excluded row, or NULL = unchanged */
            sql_expr *conflict_where;
            sql_expr **set;          /* UPDATE: per column new value over the scanned row, or
                                        NULL = unchanged */
            sql_expr *where;         /* UPDATE/DELETE: re-checked on newer versions */
            uint32_t nfrom;          /* UPDATE ... FROM / DELETE ... USING: the child is the
                                        join of the target's scan (full row, locator) with the
                                        other relations, whose nfrom columns follow; set,
                                        where and returning are then over the joined row */
            uint32_t nreturning;
            sql_expr **returning;    /* over a full row (attnum order), or the joined row */
        } modify;                                                        /* INSERT/UPDATE/
                                                                            DELETE */
    };
};

sql_plan *sql_plan_new(rt_arena *arena, sql_plan_kind kind, uint32_t ncols);

/* Optimises a bound plan in place (may return a new root): table reads become GATHER over
 * per-partition fragments (SCAN, or PKGET when the primary key is fixed), filters move down,
 * joins with equality conditions hash, aggregation splits into partial and final, ORDER BY
 * LIMIT keeps a top-k per fragment, scans read only the columns used, UPDATE / DELETE run as
 * write fragments. */
/* `ann_ef_search`: the session's ef_search for the hybrid planner's estimate (0: default). */
sql_plan *sql_plan_optimize(rt_arena *arena, sql_plan *root, uint32_t shard_count,
                            uint32_t ann_ef_search, rt_err *err);

/* Whether `cond` (bound over the columns of `t`, column index = attnum - 1; NULL = no
 * condition) implies the predicate of partial index `ix` by the rules of an index scan
 * (sql_plan_index.c): ON CONFLICT ... WHERE infers a partial unique index with them. True for
 * an index without a predicate. */
bool sql_plan_index_pred_implied(const eng_table *t, const eng_index *ix, sql_expr *cond);

/* A plan's estimated work in rows' worth (sql_plan_index.c): its table reads' costs as
 * EXPLAIN (COSTS ON) shows them, summed; *relations (may be NULL) gets how many tables it
 * reads. The plan cache compares generic and custom plans by it. */
double sql_plan_cost(const sql_plan *p, uint32_t *relations);

/* The hybrid planner (sql_plan_hybrid.c): for a top-k SORT by a vector distance over GATHER
 * of a table scan, estimates scalar-first and ANN-first and makes the scan an ANNSCAN when
 * that is cheaper. */
bool sql_plan_hybrid(rt_arena *arena, sql_plan *sort, sql_plan *gather, uint32_t ef_search,
                     rt_err *err);

/* EXPLAIN ANALYZE's figures of shared broadcast builds (a HASHJOIN's build side built once by
 * its GATHER for every fragment), as one shard counted them: the executor keeps one per shard
 * and each shard writes only its own. */
#define SQL_SHARED_ACTUALS_MAX 8 /* shared builds counted per statement and shard: a plan has
                                    one per broadcast join below a GATHER, a few at most; past
                                    it EXPLAIN ANALYZE shows none for the others */
#define SQL_NODE_ACTUALS_MAX 4096 /* plan nodes counted per statement and core: a hash table of
                                     this many entries (192 KiB) per shard, only under EXPLAIN
                                     ANALYZE; far more operators than a plan runs on one core
                                     (a query reaches the binder's and the arena's limits long
                                     before). Past it a node's figures are not counted and
                                     EXPLAIN shows none for it (not "never executed") */
RT_STATIC_ASSERT((SQL_NODE_ACTUALS_MAX & (SQL_NODE_ACTUALS_MAX - 1)) == 0);
/* One operator's figures on one core, summed over its starts (loops). */
typedef struct sql_node_actual {
    const sql_plan *node;      /* NULL: a free entry */
    uint64_t rows;             /* rows it returned */
    uint64_t removed;          /* rows its filter removed (Rows Removed by Filter) */
    uint64_t join_removed;     /* joined pairs its join quals removed (... by Join Filter) */
    uint64_t startup_ns;       /* TIMING: per start, the time to the end of its first batch */
    uint64_t total_ns;         /* TIMING: the time spent in it (its inputs included) */
    uint32_t loops;            /* times started (a fragment's once per instance) */
} sql_node_actual;
typedef struct sql_shared_actual {
    uint32_t count;
    const sql_plan *join[SQL_SHARED_ACTUALS_MAX];
    uint64_t rows[SQL_SHARED_ACTUALS_MAX];   /* build rows, summed over the builds */
    uint32_t builds[SQL_SHARED_ACTUALS_MAX]; /* times built (once per GATHER start) */
    /* every operator's figures on this core (the coordinator's, or a shard's fragments'):
       an open-addressing table by plan node of SQL_NODE_ACTUALS_MAX entries (NULL on a core
       that is no shard) */
    sql_node_actual *nodes;
    bool nodes_full;                         /* a node past SQL_NODE_ACTUALS_MAX went uncounted */
    bool timing;                             /* TIMING: operators read the clock per batch */
} sql_shared_actual;

/* The entry of plan node `p` in `a`'s table (sql_exec.c), NULL when it has none. */
const sql_node_actual *sql_node_actual_find(const sql_shared_actual *a, const sql_plan *p);

/* Whether GATHER `g` builds the broadcast hash joins of its fragment once for all of its
 * fragments when its partitions live on more than one shard: its fragment neither writes nor
 * locks rows (such a fragment runs one batch at a time, as the coordinator reads). */
bool sql_plan_gather_shares(const sql_plan *g);
/* Whether HASHJOIN `p` in such a fragment has its build side built once (a broadcast INNER or
 * LEFT hash join whose right input is a GATHER: the same rows in every fragment). */
bool sql_plan_join_shareable(const sql_plan *p);

/* EXPLAIN text of a plan, one line per node, in PostgreSQL's layout with COSTS OFF; `indent`
 * is the nesting level of p (0 for a top-level plan). */
struct sql_strbuf;
void sql_plan_explain(const sql_plan *p, struct sql_strbuf *sb, uint32_t indent);
/* What EXPLAIN's options ask of a plan's text beyond PostgreSQL's COSTS OFF layout. */
typedef struct sql_explain_opts {
    bool costs;                  /* COSTS (on by default): every node also shows its estimated
                                    cost, rows and width as PostgreSQL's "(cost=S..T rows=R
                                    width=W)" (sql_plan_costs.c), and a scan the rows its zone
                                    maps are expected to skip */
    bool timing;                 /* EXPLAIN ANALYZE with TIMING (the default): each node's
                                    "actual time=A..B" too */
    bool verbose;                /* VERBOSE: an "Output" list per node, relations named with
                                    their schema, conditions' columns with their table */
    const eng_database *db;      /* VERBOSE: where relations' schemas are looked up */
    const sql_value *params;     /* a custom plan's bound values: $n shows as its value, as
                                    PostgreSQL shows the constant it planned with; NULL: $n */
    uint32_t nparams;
    const sql_shared_actual *actual; /* EXPLAIN ANALYZE: the shared builds' figures, one entry
                                        per shard, nactual of them (a shared build's line then
                                        shows its actual rows and builds); NULL: none */
    uint32_t nactual;
} sql_explain_opts;
/* The same with the options `o`. False when the plan is too deep for the stack left (the
 * text is then incomplete: report 54001 "stack depth limit exceeded"). */
bool sql_plan_explain_opts(const sql_plan *p, struct sql_strbuf *sb, uint32_t indent,
                           const sql_explain_opts *o);
/* The summary after a plan, in milliseconds: "Planning Time" (SUMMARY, default with ANALYZE)
 * and "Execution Time" (ANALYZE with SUMMARY); < 0: not shown (SUMMARY OFF). */
typedef struct sql_explain_times {
    double plan_ms;
    double exec_ms;
} sql_explain_times;
/* EXPLAIN (FORMAT JSON | YAML | XML) of a plan: PostgreSQL's document with the nodes and
 * fields the text format shows (VERBOSE's "Output" as a list and "Schema"), then
 * the summary `times` (with `analyze` the triggers, always empty, and the execution time). */
typedef enum sql_explain_format {
    SQL_EXPLAIN_TEXT,
    SQL_EXPLAIN_JSON,
    SQL_EXPLAIN_YAML,
    SQL_EXPLAIN_XML,
} sql_explain_format;
bool sql_plan_explain_doc(const sql_plan *p, sql_explain_format format, bool analyze,
                          const sql_explain_times *times, const sql_explain_opts *o,
                          struct sql_strbuf *sb); /* false as sql_plan_explain_opts */
/* EXPLAIN HYBRID's lines: the chosen path, the estimated selectivity, the candidate set and
 * the estimated cost of both paths; with `actual` (EXPLAIN ANALYZE HYBRID: one entry per
 * shard, `shards` of them) what each shard and all of them did, and the estimate against
 * the actual time. */
struct sql_hybrid_actual;
void sql_plan_explain_hybrid(const sql_plan *p, const struct sql_hybrid_actual *actual,
                             uint32_t shards, struct sql_strbuf *sb);

#endif
