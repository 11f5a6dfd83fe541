/* bench_int.h: internals of dreambase-bench shared by the engine (bench_engine.c), the loader
 * (bench_load.c) and the workloads (bench_run.c). Not included from outside the tool.
 *
 * The engine drives N connections from T threads (T small: one per core is plenty). A thread
 * owns its connections for a whole phase; each connection is in libpq's pipeline mode,
 * non-blocking, with up to --pipeline queries in flight, every query followed by a Sync so
 * one failing query never aborts the next. The thread waits in epoll for any of its sockets.
 * A workload is a bench_step: which statements to prepare, how to fill the next op's
 * parameters (issue) and how to check its result (complete). A completed op may queue a
 * follow-up op (the read-back after an UPDATE), which the thread sends on another of its
 * connections before any new primary op. */
#ifndef BENCH_INT_H
#define BENCH_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bench/dreambase-bench/bench.h"

#define BENCH_CLASSES_MAX 3 /* op classes of one step: update, read-back, ann-check */
#define BENCH_PARAMS_MAX 4  /* parameters of one op */
#define BENCH_STMTS_MAX 4   /* statements of one step */
#define BENCH_NO_ORIGIN UINT32_MAX

typedef struct bench_stmt {
    char sql[BENCH_SQL_BYTES_MAX];
    int param_count;
    /* Prepared once per connection, or sent unnamed each time (parsed and planned per query,
     * for statements whose best plan depends on the parameter, like user_id = $2). */
    bool prepared;
} bench_stmt;

typedef struct bench_op {
    uint32_t cls;       /* op class (index into the step's classes) */
    uint32_t stmt;      /* statement index */
    uint64_t a, b;      /* the workload's arguments (row, query, state) */
    uint32_t origin;    /* follow-ups: the connection whose write this checks */
    uint32_t conn;      /* set by the engine: the connection the op runs on */
    uint64_t start_ns;
    bool cancel_sent;
} bench_op;

typedef struct bench_params {
    int count;
    const char *values[BENCH_PARAMS_MAX];
    int lengths[BENCH_PARAMS_MAX];
    int formats[BENCH_PARAMS_MAX];
} bench_params;

/* Figures of one op class on one thread (merged over threads after a step). */
typedef struct bench_class {
    bench_samples latency; /* successful ops only */
    uint64_t ops, errors, short_results, wrong_rows, freshness_errors, index_misses;
    double recall_sum;
    uint64_t recall_count;
    char first_error[BENCH_ERROR_BYTES_MAX];
} bench_class;

typedef struct bench_engine bench_engine;

typedef struct bench_conn {
    bench_engine *engine;
    PGconn *pg;
    PGcancel *cancel;
    int fd;
    uint32_t index;                  /* 0..concurrency-1 */
    bench_op ops[BENCH_PIPELINE_MAX]; /* in flight, a ring from head */
    uint32_t head, inflight;
    uint32_t read_state;             /* where in (result, NULL, sync) the head op is */
    PGresult *result;                /* the head op's result, until its sync arrives */
    uint32_t events;                 /* registered epoll events */
    bool dead;
} bench_conn;

typedef struct bench_step bench_step;

typedef struct bench_thread {
    bench_engine *engine;
    uint32_t id;
    bench_conn **conns;
    uint32_t conn_count;
    uint32_t live;                   /* connections not failed */
    bench_class classes[BENCH_CLASSES_MAX];
    bench_rng rng;
    char *scratch;                   /* parameter bytes of the op being sent */
    bench_op *followups;             /* ring */
    uint32_t fu_head, fu_count, fu_cap;
    uint64_t cpu_ns;                 /* this thread's CPU time in the phase */
    bool issuing;                    /* false once the phase's budget or deadline is reached */
    int epfd;
    pthread_t tid;
} bench_thread;

struct bench_step {
    bench_stmt stmts[BENCH_STMTS_MAX];
    uint32_t stmt_count;
    const char *class_names[BENCH_CLASSES_MAX];
    uint32_t class_count;
    /* Session settings sent on every connection before the step (SET hnsw.ef_search ...);
     * `optional` ones only warn when the server refuses them. */
    char setup[2][BENCH_SQL_BYTES_MAX];
    bool setup_optional[2];
    uint32_t setup_count;
    /* Fills the parameters of `op` into t->scratch. For a new op (origin BENCH_NO_ORIGIN) it
     * also picks cls, stmt, a and b; for a follow-up those are set. False: nothing to send
     * (the workload is exhausted, e.g. a restore pass that is done). */
    bool (*issue)(bench_step *step, bench_thread *t, bench_op *op, bench_params *params);
    /* Checks a result; `ok` is false when the server returned an error (already counted). */
    void (*complete)(bench_step *step, bench_thread *t, const bench_op *op, const PGresult *res,
                     bool ok);
    void *ctx;
};

/* What a measured phase produced, per class, plus the costs around it. */
typedef struct bench_measure {
    bench_class classes[BENCH_CLASSES_MAX];
    double wall_s;
    double client_cpu_max_pct;       /* busiest engine thread */
    double client_cpu_s;             /* all engine threads */
    double server_cpu_pct;           /* NaN without --server-pid */
    double server_rss_mb;
} bench_measure;

struct bench_engine {
    const bench_opts *opts;
    bench_conn *conns;
    uint32_t conn_count;
    bench_thread threads[BENCH_THREADS_MAX];
    uint32_t thread_count;
    uint64_t serial;                 /* names prepared statements uniquely per step */
    size_t scratch_bytes;
    /* The current phase. */
    bench_step *step;
    uint64_t deadline_ns;            /* 0 = none (count or exhaustion ends the phase) */
    uint64_t count;                  /* primary ops; 0 = none */
    _Atomic uint64_t issued;
    uint64_t timeout_ns;
    bool record;
    bool quiet;                      /* hush server notices (an expected one is coming) */
    char statement_names[BENCH_STMTS_MAX][32];
};

/* Opens --concurrency connections and spreads them over the threads. */
bool bench_engine_open(bench_engine *e, const bench_opts *opts, size_t scratch_bytes,
                       rt_err *err);
void bench_engine_close(bench_engine *e);
/* Runs one statement on connection 0 (blocking); *res gets the result if wanted. */
bool bench_engine_exec(bench_engine *e, const char *sql, PGresult **res, rt_err *err);
/* Prepares the step's statements and settings, warms up, then measures. */
bool bench_engine_run(bench_engine *e, bench_step *step, double warmup_s, double duration_s,
                      uint64_t count, bench_measure *out, rt_err *err);
/* An unmeasured pass until the step's issue() has nothing left (restores). */
bool bench_engine_drain(bench_engine *e, bench_step *step, rt_err *err);
void bench_measure_free(bench_measure *m);
/* --server-pid figures around a piece of work: sample before and after, then turn the two
 * into CPU % of one core over wall_s and memory (NaN without --server-pid). */
void bench_server_sample(const bench_opts *opts, bench_proc_usage *u);
void bench_server_usage(const bench_proc_usage *u0, const bench_proc_usage *u1, double wall_s,
                        double *cpu_pct, double *memory_mb);

/* From complete(): queue a follow-up op on this thread. */
void bench_thread_followup(bench_thread *t, const bench_op *op);
/* From complete(): count a failed check with its message (the first one is kept). */
void bench_class_fail(bench_class *c, uint64_t *counter, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The loader (bench_load.c): drops and creates the table, loads it, builds the indexes. */
typedef struct bench_load_input {
    const bench_opts *opts;
    const bench_schema *schema;
    const bench_gen *gen;
    uint64_t rows;
    uint32_t dims;
    const float *vectors;            /* rows x dims, NULL when dims is 0 */
} bench_load_input;

/* Fills *load and up to two index results (pgvector's hnsw, the B-trees): *index_count. */
bool bench_load_run(bench_engine *e, const bench_load_input *in, bench_result *load,
                    bench_result *index, uint32_t *index_count, rt_err *err);

/* ---- the run and its workloads (bench_run.c, bench_work.c) ------------------------------ */

/* Row state bits kept by the write workloads (one byte per row, touched only by the thread
 * that owns the row, so no locks): which vector the row holds, and whether an op on it is in
 * flight (a second write to the same row would make the read-back check ambiguous). */
enum { BENCH_ROW_ALT = 1, BENCH_ROW_BUSY = 2 };

typedef struct bench_ctx {
    const bench_opts *opts;
    bench_schema schema;
    bench_gen gen;                   /* scalar columns always; vectors when no dataset */
    uint64_t rows;
    uint32_t dims;
    float *vectors;                  /* rows x dims: what the table holds (NULL if unneeded) */
    float *norms;
    bench_space space;
    bench_vectors file_queries;      /* --queries */
    bench_ids truth;                 /* --groundtruth */
    bool truth_usable;               /* the whole dataset is loaded, so its rows match */
    float *pool;                     /* query vectors, pool_count x dims */
    uint32_t pool_count;
    char **pool_params;              /* each query vector encoded as a parameter */
    int *pool_lengths;
    uint32_t *user_ranks;            /* per row, built on first use */
    uint64_t *user_offsets;          /* users + 1: rows of user u are user_rows[off[u-1]..off[u]) */
    uint64_t *user_rows;
    uint8_t *row_state;              /* BENCH_ROW_* per row */
    uint32_t cores;
    bench_engine engine;
    bool table_checked;
    bench_result *results;
    size_t result_count, result_cap;
    FILE *json;
    double noop_ops_per_s, noop_us_per_op, client_busiest_pct;
} bench_ctx;

/* The vector row `row` holds in state `alt` (0: as loaded, 1: its update). */
const float *bench_ctx_row_vector(const bench_ctx *x, uint64_t row, bool alt, float *scratch);
/* Encodes a vector as the parameter format chosen by --vector-format into out. */
void bench_ctx_vector_param(const bench_ctx *x, const float *v, char *out, bench_params *p,
                            int index);
/* Builds user_ranks and the rows-by-user index. */
void bench_ctx_user_index(bench_ctx *x);

/* Each runs one workload's steps and emits their results through bench_ctx_emit. */
bool bench_work_noop(bench_ctx *x, rt_err *err);
bool bench_work_ann(bench_ctx *x, rt_err *err);
bool bench_work_hybrid(bench_ctx *x, rt_err *err);
bool bench_work_point(bench_ctx *x, rt_err *err);
bool bench_work_update(bench_ctx *x, rt_err *err);
bool bench_work_mixed(bench_ctx *x, rt_err *err);
/* Records a result: the terminal row, the JSON line, and the list the SVG is drawn from. */
bool bench_ctx_emit(bench_ctx *x, const bench_result *r, rt_err *err);
/* A result prefilled with the run's fields (label, dialect, rows, dims, k, concurrency). */
void bench_ctx_result(const bench_ctx *x, const char *workload, bench_result *r);
/* Turns one class of a measured step into a result. */
void bench_ctx_class_result(const bench_ctx *x, const bench_measure *m, uint32_t cls,
                            const char *op, bench_result *r);

#endif
