/* sql_exec.h: the vectorised executor.
 * A plan is instantiated as a tree of operators that pull batches from their children
 * (open / next / close). A batch returned by next() stays valid until the next call on the same
 * operator; operators that keep rows (sort, hash join, aggregation) copy what they keep.
 * Fragments below a GATHER run in fibers on the shards that own the partitions and stream
 * batches back one at a time (the coordinator acknowledges each before the fragment produces
 * the next: bounded memory, backpressure).
 * Core:    the coordinator part on the session's shard; fragments on their shards.
 * Memory:  operator state in the query arena; batches in per-operator arenas reset per batch.
 * Errors:  next() returns false with *err set; the cursor closes every operator. 53200 when a
 *          hash aggregation or hash join needs more than sql_exec_hash_bytes_max.
 * Limits:  SQL_EXEC_HASH_BYTES_MAX, SQL_EXEC_RETURNING_HELD_BYTES_MAX. */
#ifndef SQL_EXEC_H
#define SQL_EXEC_H

#include <stdatomic.h>

#include "engine/eng.h"
#include "sql/sql_plan.h"

/* Memory one hash aggregation or hash join may hold (hash table, group states, buffered rows,
 * the join's inner rows): past it the query fails with 53200 out of memory instead of growing
 * until the machine gives out. As much as a whole query's arena (RT_QUERY_ARENA_BYTES_MAX),
 * which held these before they had their own: a TPC-H join at scale 1 keeps ~600 MB of inner
 * rows, and 1 GiB per operator leaves the machine's memory to a few such queries at once. */
#define SQL_EXEC_HASH_BYTES_MAX RT_QUERY_ARENA_BYTES_MAX
/* The budget in force: SQL_EXEC_HASH_BYTES_MAX, lowered by tests to reach the error. */
extern size_t sql_exec_hash_bytes_max;

/* RETURNING rows of an INSERT / UPDATE / DELETE whose table takes part in foreign keys are held
 * until the statement's end-of-statement checks pass (PostgreSQL sends none of a statement that
 * fails): at most this much of them, past it 54000. The same holds the rows of a statement with
 * data-modifying WITH queries of which some run after its main query, until they have run
 * (sql_cursor_open says when). A quarter of a query's arena:
 * the modifying operator keeps its own copy of the rows until they are handed out. */
#define SQL_EXEC_RETURNING_HELD_BYTES_MAX (RT_QUERY_ARENA_BYTES_MAX / 4)

/* Operator calls between two looks at the shard's time slice (sql_op_next_run): a batch takes
 * microseconds, so a slice (RT_SLICE_NS) overruns by a few dozen at most. */
#define SQL_EXEC_SLICE_CHECK_CALLS 16u

typedef struct sql_exec_ctx sql_exec_ctx;
typedef struct sql_op sql_op;

typedef struct sql_op_vt {
    bool (*open)(sql_op *op, sql_exec_ctx *x);
    bool (*next)(sql_op *op, sql_exec_ctx *x, sql_batch **out); /* *out NULL at the end */
    void (*close)(sql_op *op, sql_exec_ctx *x);
} sql_op_vt;

struct sql_op {
    const sql_op_vt *vt;
    const sql_plan *plan;
    sql_op *child;
    sql_op *child2;
    rt_arena *batch_arena;   /* output batches, reset at each next() */
    bool opened;
    /* EXPLAIN ANALYZE: this core's figures of the plan node (NULL: not counted), and with
       TIMING the time spent in the current start so far and whether its first batch came */
    sql_node_actual *actual;
    uint64_t loop_ns;
    bool loop_started;
};

/* Counters EXPLAIN ANALYZE and the hybrid planner's calibration read. */
typedef struct sql_exec_stats {
    uint64_t rows_scanned;
    uint64_t rows_returned;
    uint64_t fragments;
    /* the work of the hybrid node (the calibration prices it): rows read by a scan, distances
       computed, WHERE checks made during graph walks */
    uint64_t hybrid_rows, hybrid_distances, hybrid_filter_calls;
} sql_exec_stats;

/* Everything an operator needs, on the coordinator or in a fragment. Fragments get a copy whose
 * pointers (plan, params, settings) refer to the coordinator's memory, read-only. */
struct sql_exec_ctx {
    rt_arena *arena;              /* operator state for this execution */
    rt_err *err;
    const sql_value *params;
    uint32_t nparams;
    const eng_catalog *catalog;
    const eng_database *db;
    eng_snapshot snap;            /* the statement's snapshot */
    eng_txn_ctx *txn;             /* coordinator only: participants of writes are added here */
    eng_txn_id txn_id;
    uint32_t command;
    eng_isolation isolation;
    int64_t lock_timeout_ms;
    uint32_t ann_ef_search;       /* hnsw.ef_search (0 = the graph's default) */
    bool ann_float_walk;          /* hnsw.quantized_walk off: walks read the float vectors */
    struct sql_hybrid_actual *hybrid_actual; /* EXPLAIN ANALYZE HYBRID: one entry per shard,
                                                each written by its own shard; else NULL */
    sql_shared_actual *shared_actual; /* EXPLAIN ANALYZE: shared builds, one entry per shard
                                         (RT_SHARDS_MAX), each written by its own; else NULL */
    const _Atomic bool *cancel;   /* the session's cancel flag */
    uint32_t op_calls;            /* sql_op_next_run calls, to read the clock only every
                                     SQL_EXEC_SLICE_CHECK_CALLS-th */
    sql_fmt fmt;                  /* value formatting settings (DateStyle, TimeZone, ...) */
    int64_t now_us;               /* transaction timestamp (now()) */
    int64_t stmt_us;              /* statement timestamp */
    bool in_fragment;
    const uint32_t *frag_partitions; /* a fragment instance's partitions (set by GATHER) */
    uint32_t frag_npartitions;
    uint32_t coordinator_core;
    struct sql_session *session;  /* coordinator only: session-level functions */
    void *subquery_cache;         /* uncorrelated subquery results, by subquery id */
    void *materials;              /* MATERIAL / CTE results by id */
    uint32_t nsubqueries, nmaterials;
    const sql_batch *outer[4];    /* enclosing rows of a correlated subquery, innermost first */
    uint32_t outer_row[4];
    uint32_t outer_depth;
    _Atomic uint64_t rows_affected; /* INSERT/UPDATE/DELETE count for the command tag */
    _Atomic uint64_t *affected;   /* where counts go: the coordinator's rows_affected, also
                                     from fragments on other shards */
    sql_exec_stats stats;
    struct sql_fk_queue *fk;      /* coordinator's foreign-key events (sql_fk.h); fragments
                                     send theirs there */
    struct sql_cte_runs *cte_runs; /* the RETURNING rows of the statement's data-modifying
                                      WITH queries (sql_exec_cte.c), set by its MODIFYCTE
                                      before any context is copied from this one; read-only
                                      in the copies */
    const struct sql_join_shared *join_shared; /* a fragment: the build sides its GATHER built
                                                  once for all its fragments (sql_exec_int.h) */
};

/* Builds the operator tree of `plan`. */
sql_op *sql_op_build(sql_exec_ctx *x, const sql_plan *plan);
/* Pulls one batch; *out NULL at the end. */
bool sql_op_next(sql_op *op, sql_exec_ctx *x, sql_batch **out);
void sql_op_close(sql_op *op, sql_exec_ctx *x);

/* An open result being read (a portal, a cursor, or one simple-query statement). */
typedef struct sql_cursor {
    sql_exec_ctx *x;
    sql_op *root;
    sql_batch *pending;       /* the batch being handed out */
    uint32_t pending_row;
    bool done;
    bool failed;
    struct sql_cursor_hold *hold; /* RETURNING rows held until the foreign-key checks pass */
} sql_cursor;

bool sql_cursor_open(sql_cursor *c, sql_exec_ctx *x, const sql_plan *plan);
/* Hands out up to `max_rows` rows (0 = all) to `emit`; *more says whether rows remain. */
typedef bool (*sql_row_sink)(void *arg, const sql_batch *batch, uint32_t from, uint32_t to,
                             rt_err *err);
bool sql_cursor_fetch(sql_cursor *c, uint64_t max_rows, sql_row_sink sink, void *arg,
                      uint64_t *emitted, bool *more);
void sql_cursor_close(sql_cursor *c);

/* The rows data-modifying WITH query `i` of the statement run in coordinator context `x`
 * changed, and its table (NULL, 0 if it did not run to its end); false past the last one.
 * Auto-analyze counts them like the main statement's (sql_stats.h). */
bool sql_exec_cte_changes(const sql_exec_ctx *x, uint32_t i, const eng_table **table,
                          uint64_t *rows);

/* Evaluates a subquery expression for each active row (SQL_X_SUBQUERY). */
sql_vec *sql_exec_subquery(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in, uint32_t n,
                           const uint8_t *active);

/* Sets up an evaluation context over the execution context and a batch arena. */
void sql_exec_eval_ctx(sql_exec_ctx *x, rt_arena *arena, sql_eval_ctx *ec);

#endif
