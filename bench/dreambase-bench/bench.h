/* bench.h: dreambase-bench, a load generator over the PostgreSQL wire protocol.
 * Owns:    the workloads Dreambase promises (load, ann, hybrid, point, update, mixed), run over
 *          N libpq connections against any PostgreSQL-protocol server in one of two SQL
 *          dialects (Dreambase, PostgreSQL + pgvector); the data they use (a seeded generator
 *          or vector files), the exact answers they are checked against (brute force), and
 *          the reports (terminal table, JSON lines, SVG charts).
 * Core:    a client program, not a shard: the engine's threads each own a fixed set of
 *          connections (bench_int.h); every function declared here runs on any one thread.
 * Memory:  long-lived arrays come from rt_xmalloc and are sized from the options up front:
 *          the vectors (rows x dims floats, at most BENCH_VECTOR_BYTES_MAX), the latency
 *          samples (BENCH_SAMPLES_MAX per thread and class, a uniform reservoir beyond) and the
 *          exact answers (query sample x k). A run's memory is bounded by --rows x --dims.
 * Errors:  fallible functions return false and fill *err: 22023 invalid_parameter_value for
 *          options, 58P01/58030 for files that cannot be opened or read, 22P04
 *          bad_copy_file_format for malformed vector files, 54000 for limits, 08001/08006 for
 *          connections. A server error on one query is counted in the report, not fatal.
 * Limits:  BENCH_* below, each with its reason; exceeding one is an error, never a silent cut. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/rt_err.h"

/* ---- limits ------------------------------------------------------------------------------ */

/* Dreambase's documented maximum vector dimension; pgvector's HNSW stops at 2000 (the server
 * reports that, not us). */
#define BENCH_DIMS_MAX 4096
/* Every vector is kept in memory for the exact answers; past this, use a smaller --rows. */
#define BENCH_VECTOR_BYTES_MAX (64ull << 30)
/* Rows are numbered 1..rows in a bigint; the cap keeps per-row bookkeeping (user ranks, update
 * states: 5 bytes a row) within a few GiB. */
#define BENCH_ROWS_MAX (1ull << 31)
/* LIMIT k: the exact answers hold query_sample x k entries, results are parsed into k ids. */
#define BENCH_K_MAX 1000
/* Connections: each holds a socket and libpq's buffers (tens of KiB). */
#define BENCH_CONNECTIONS_MAX 4096
/* Engine threads: a few are enough to keep thousands of connections busy. */
#define BENCH_THREADS_MAX 64
/* Queries in flight per connection in pipeline mode. */
#define BENCH_PIPELINE_MAX 64
/* Entries of the --selectivity and --ef-search lists (one measured step each). */
#define BENCH_LIST_MAX 32
/* The `bucket` column takes values 0..BENCH_BUCKETS-1, so selectivities are multiples of
 * 1/BENCH_BUCKETS: 0.0001 (0.01%, the smallest the issue asks for) is one bucket. */
#define BENCH_BUCKETS 10000
/* Distinct users of the Zipf distribution: the sampler keeps one double per user. */
#define BENCH_USERS_MAX 10000000u
/* Gaussian clusters of the generator: one centre vector each. */
#define BENCH_CLUSTERS_MAX 65536u
/* Latency samples kept per engine thread and op class (8 bytes each, 32 MiB): percentiles are
 * exact up to this many ops; beyond it they come from a uniform reservoir of this size. */
#define BENCH_SAMPLES_MAX (1u << 22)
/* Query pool and the sample of it whose exact answers are computed. */
#define BENCH_QUERY_POOL_MAX 100000u
/* The pool is kept encoded as parameters (up to 64 KiB a vector as text): a bound in bytes. */
#define BENCH_QUERY_POOL_BYTES_MAX (1ull << 30)
/* Exact answers kept: --recall-sample x k entries of 12 bytes. */
#define BENCH_EXACT_ENTRIES_MAX (16u << 20)
/* A Bind message carries a 16-bit parameter count: the multi-row INSERT's limit. */
#define BENCH_INSERT_PARAMS_MAX 65535u
/* The header of a .npy file (a Python dict literal); real ones are under 200 bytes. */
#define BENCH_NPY_HEADER_BYTES_MAX (64u << 10)
/* Table names: PostgreSQL's identifier length (NAMEDATALEN - 1). */
#define BENCH_TABLE_NAME_BYTES_MAX 63
/* The first error of each op class is kept for the report. */
#define BENCH_ERROR_BYTES_MAX 256
/* One vector as text: a sign, 9 significant digits, a point and an exponent per element. */
#define BENCH_FLOAT_TEXT_BYTES_MAX 16
#define BENCH_VECTOR_TEXT_BYTES_MAX (BENCH_DIMS_MAX * BENCH_FLOAT_TEXT_BYTES_MAX + 3)
/* Synthetic content text of a row (a few words). */
#define BENCH_CONTENT_BYTES_MAX 160
/* SQL statements other than the multi-row INSERT are short and built from checked pieces. */
#define BENCH_SQL_BYTES_MAX 1024

/* ---- options ----------------------------------------------------------------------------- */

/* exact: PostgreSQL with a `vector` type but no vector index (tests/e2e/vector-standin.sql):
 * pgvector's operators, no CREATE EXTENSION, every top-k an exact scan (a baseline, not
 * pgvector's HNSW). */
typedef enum bench_dialect {
    BENCH_DIALECT_DREAMBASE,
    BENCH_DIALECT_PGVECTOR,
    BENCH_DIALECT_EXACT
} bench_dialect;
typedef enum bench_metric { BENCH_METRIC_COSINE, BENCH_METRIC_L2, BENCH_METRIC_IP } bench_metric;
typedef enum bench_vector_format {
    BENCH_VECTOR_TEXT,  /* '[0.1,0.2]', what both servers' vector input accepts */
    BENCH_VECTOR_BINARY /* pgvector's binary format: uint16 dims, uint16 0, big-endian float4 */
} bench_vector_format;
typedef enum bench_load_method { BENCH_LOAD_COPY, BENCH_LOAD_INSERT } bench_load_method;

/* Workloads, as bits: --workload takes a comma-separated list, run in this order. */
enum {
    BENCH_WL_LOAD = 1u << 0,
    BENCH_WL_ANN = 1u << 1,
    BENCH_WL_HYBRID = 1u << 2,
    BENCH_WL_POINT = 1u << 3,
    BENCH_WL_UPDATE = 1u << 4,
    BENCH_WL_MIXED = 1u << 5,
};
/* Hybrid filters: `bucket < n` (exact selectivities) and `user_id = $2` (Zipf users). */
enum { BENCH_FILTER_BUCKET = 1u << 0, BENCH_FILTER_USER = 1u << 1 };

typedef struct bench_opts {
    const char *dsn;          /* libpq connection string; PG* variables fill in the rest */
    bench_dialect dialect;
    bench_metric metric;
    uint32_t workloads;       /* BENCH_WL_* */
    uint32_t filters;         /* BENCH_FILTER_* for hybrid */
    const char *table;
    const char *label;        /* names this run in JSON and charts; default: the dialect */
    uint64_t rows;            /* 0 with --dataset: every vector of the file */
    uint32_t dims;            /* 0: no vector column (scalar workloads only) */
    uint32_t k;
    uint32_t concurrency;     /* connections */
    uint32_t threads;         /* engine threads; 0 = chosen from the cores and connections */
    uint32_t pipeline;        /* queries in flight per connection */
    double duration_s;        /* per measured step; 0 = use count */
    uint64_t count;           /* primary ops per measured step; 0 = use duration */
    double warmup_s;          /* per step, before measuring */
    double timeout_s;         /* a query older than this is cancelled and counted as an error */
    uint32_t ef_search[BENCH_LIST_MAX];
    uint32_t ef_search_count; /* 0: leave the server's default */
    double selectivity[BENCH_LIST_MAX];
    uint32_t selectivity_count;
    double read_ratio;        /* mixed: share of reads */
    uint64_t seed;
    uint32_t users;
    double zipf_s;            /* Zipf exponent of user_id */
    uint32_t clusters;
    double spread;            /* cluster radius relative to the unit centre */
    uint32_t recall_sample;   /* queries with exact answers */
    uint32_t query_pool;      /* distinct query vectors a step draws from */
    uint32_t batch;           /* rows per INSERT or COPY chunk */
    bench_load_method load_method;
    bench_vector_format vector_format;
    uint32_t hnsw_m;          /* pgvector index options; 0 = pgvector's default */
    uint32_t ef_construction;
    bool scalar_indexes;      /* load creates B-tree indexes on bucket and user_id */
    bool analyze;             /* load ends with ANALYZE (planner statistics) */
    const char *dataset;      /* .fvecs/.bvecs/.u8/.npy base vectors */
    const char *queries;      /* same formats: query vectors */
    const char *groundtruth;  /* .ivecs: true neighbours of each query (0-based rows) */
    const char *json_out;
    const char *svg_out;
    const char *chart_from;   /* comma-separated JSON lines files: only draw --svg-out */
    int server_pid;           /* 0 = no server measurements */
    bool rows_given, dims_given; /* set by the parser: otherwise a dataset's size wins */
    bool help;
} bench_opts;

void bench_opts_defaults(bench_opts *opts);
/* Parses argv (getopt_long; argv is not modified beyond getopt's permutation) and checks
 * every value and their combinations. */
bool bench_opts_parse(bench_opts *opts, int argc, char **argv, rt_err *err);
void bench_opts_usage(FILE *out);
const char *bench_dialect_name(bench_dialect dialect);
const char *bench_metric_name(bench_metric metric);
/* Parse "0.001,0.01" (selectivities: multiples of 1/BENCH_BUCKETS in (0, 1]) and "40,80"
 * (ef_search values); 22023 on junk or more than BENCH_LIST_MAX entries. */
bool bench_opts_parse_selectivities(const char *text, double *values, uint32_t *count,
                                    rt_err *err);
bool bench_opts_parse_ef_search(const char *text, uint32_t *values, uint32_t *count, rt_err *err);

/* ---- random numbers ---------------------------------------------------------------------- */

/* xoshiro256** seeded through splitmix64 from (seed, stream, index): any row's values can be
 * made on any thread in any order and come out the same. */
typedef struct bench_rng {
    uint64_t s[4];
    double spare;     /* Box-Muller makes normals in pairs */
    bool has_spare;
} bench_rng;

enum {
    BENCH_STREAM_CENTRES = 1,
    BENCH_STREAM_ROWS = 2,
    BENCH_STREAM_QUERIES = 3,
    BENCH_STREAM_UPDATES = 4,
    BENCH_STREAM_SCALARS = 5,
    BENCH_STREAM_QUERY_USERS = 6,
    BENCH_STREAM_ENGINE = 7,
    BENCH_STREAM_DATASET_QUERIES = 8,
    BENCH_STREAM_CONTENT = 9,
};

void bench_rng_seed(bench_rng *rng, uint64_t seed, uint64_t stream, uint64_t index);
uint64_t bench_rng_next(bench_rng *rng);
double bench_rng_uniform(bench_rng *rng);          /* [0, 1) with 53 random bits */
uint64_t bench_rng_below(bench_rng *rng, uint64_t n); /* uniform in [0, n), n > 0, unbiased */
double bench_rng_gauss(bench_rng *rng);            /* standard normal */

/* ---- data generator ---------------------------------------------------------------------- */

/* Categories and their shares of the rows (they sum to 1). */
#define BENCH_CATEGORY_COUNT 5
/* created_at spans one year from 2024-01-01 00:00:00 UTC. */
#define BENCH_CREATED_AT_START_S 1704067200ll
#define BENCH_CREATED_AT_SPAN_S (365ll * 86400)

typedef struct bench_gen_config {
    uint64_t seed;
    uint32_t dims;     /* 0: scalar columns only */
    uint32_t clusters;
    double spread;     /* noise norm relative to the unit centre, before normalising */
    uint32_t users;
    double zipf_s;
} bench_gen_config;

typedef struct bench_gen {
    bench_gen_config config;
    float *centres;    /* clusters x dims, unit length */
    double *user_cdf;  /* user_cdf[r - 1] = P(rank <= r); the last entry is exactly 1 */
} bench_gen;

/* The scalar columns of one row (id 1..rows). */
typedef struct bench_row {
    uint64_t id;
    uint32_t user_rank;     /* user_id is "u_<rank>", rank 1 the most frequent */
    uint32_t category;      /* index into the category table */
    int64_t created_at_s;   /* Unix seconds, UTC */
    uint32_t bucket;        /* 0..BENCH_BUCKETS-1 */
} bench_row;

bool bench_gen_init(bench_gen *gen, const bench_gen_config *config, rt_err *err);
void bench_gen_free(bench_gen *gen);
/* Vector `index` of `stream` (rows, queries, updates): a cluster's centre plus Gaussian noise,
 * normalised. Returns the cluster. Needs dims > 0. */
uint32_t bench_gen_vector(const bench_gen *gen, uint64_t stream, uint64_t index, float *out);
void bench_gen_row(const bench_gen *gen, uint64_t id, bench_row *row);
/* The bucket of row `id`: within every aligned block of BENCH_BUCKETS ids each bucket occurs
 * exactly once, so `bucket < s * BENCH_BUCKETS` selects exactly the share s of any multiple of
 * BENCH_BUCKETS rows (and within one row per bucket of it otherwise). */
uint32_t bench_gen_bucket(uint64_t seed, uint64_t id);
/* Rows 1..rows with bucket < bound (the exact match count of the bucket filter). */
uint64_t bench_gen_bucket_count(uint64_t seed, uint64_t rows, uint32_t bound);
/* Zipf: the rank (1..users) whose CDF interval holds u in [0, 1). */
uint32_t bench_gen_user_from_uniform(const bench_gen *gen, double u);
/* The probability of `rank` under the configured Zipf law. */
double bench_gen_user_share(const bench_gen *gen, uint32_t rank);
const char *bench_gen_category_name(uint32_t category);
double bench_gen_category_share(uint32_t category);
/* Short text of plain words (no tab, newline or backslash, so COPY needs no escaping);
 * `version` > 0 marks text written by an update. Returns the length;
 * cap >= BENCH_CONTENT_BYTES_MAX. */
size_t bench_gen_content(const bench_gen *gen, uint64_t id, uint64_t version, char *out,
                         size_t cap);
/* "2024-03-05 12:34:56+00" into out (cap >= 32). */
size_t bench_format_timestamp(int64_t unix_s, char *out, size_t cap);

/* ---- vector files ------------------------------------------------------------------------ */

typedef struct bench_vectors {
    uint64_t count;
    uint32_t dims;
    float *data;       /* count x dims */
} bench_vectors;

typedef struct bench_ids {
    uint64_t count;
    uint32_t width;    /* ids per record */
    int32_t *data;     /* count x width */
} bench_ids;

/* Reads up to count_max vectors (0 = all) from .fvecs, .bvecs (uint8, widened), .u8 (raw
 * uint8 rows of `dims`, which must be given) or .npy (float32, little-endian, C order, 2-D,
 * format versions 1 and 2), chosen by the file name's extension. `dims` (0 = any) must match
 * the file's. Every record is checked: dimensions, truncation, non-finite values. */
bool bench_file_read_vectors(const char *path, uint32_t dims, uint64_t count_max,
                             bench_vectors *out, rt_err *err);
/* Reads an .ivecs file (ground truth: int32 row numbers per query), up to count_max records. */
bool bench_file_read_ids(const char *path, uint64_t count_max, bench_ids *out, rt_err *err);
void bench_vectors_free(bench_vectors *vectors);
void bench_ids_free(bench_ids *ids);

/* ---- latency and recall ------------------------------------------------------------------ */

typedef struct bench_samples {
    uint64_t *ns;
    uint64_t count;      /* kept samples */
    uint64_t cap;        /* allocated entries */
    uint64_t limit;      /* most samples kept; a reservoir beyond */
    uint64_t seen;       /* all samples added */
    uint64_t max_ns;     /* exact, over all samples */
    uint64_t sum_ns;
    bench_rng rng;       /* reservoir choices */
} bench_samples;

typedef struct bench_latency {
    uint64_t count;
    double p50_ms, p95_ms, p99_ms, max_ms, mean_ms;
    bool sampled;        /* percentiles come from a reservoir, not from every op */
} bench_latency;

void bench_samples_init(bench_samples *samples, uint64_t limit, uint64_t seed);
void bench_samples_free(bench_samples *samples);
void bench_samples_reset(bench_samples *samples);
void bench_samples_add(bench_samples *samples, uint64_t ns);
/* Appends src's kept samples to dst (dst's limit grows by src's). */
void bench_samples_merge(bench_samples *dst, const bench_samples *src);
/* Sorts the kept samples and fills the summary (NaN everywhere when empty). */
void bench_samples_summarise(bench_samples *samples, bench_latency *out);
/* Nearest-rank percentile of n sorted values: the smallest value with at least p% of the
 * values at or below it (p in (0, 100]); n > 0. */
uint64_t bench_percentile(const uint64_t *sorted, uint64_t n, double p);

/* recall@k by identity: distinct ids of `got` that are in `truth`, over truth_count. NaN when
 * truth_count is 0 (nothing to find). */
double bench_recall_ids(const int64_t *got, uint32_t got_count, const int64_t *truth,
                        uint32_t truth_count);
/* recall@k by distance, so that ties at the k-th distance are not held against the server:
 * results whose true distance is at most the k-th exact distance (plus a relative 1e-5 for
 * float rounding) count, at most truth_count of them. got_dist are the true distances of the
 * distinct, valid results. NaN when truth_count is 0. */
double bench_recall_dist(const float *got_dist, uint32_t got_count, float kth_dist,
                         uint32_t truth_count);

/* ---- exact search ------------------------------------------------------------------------ */

typedef struct bench_space {
    const float *base;    /* rows x dims */
    const float *norms;   /* rows: Euclidean norms (cosine, l2) */
    uint64_t rows;
    uint32_t dims;
    bench_metric metric;
} bench_space;

/* Dot product with the widest SIMD the CPU has (AVX-512, AVX2+FMA, or plain C). */
float bench_dot(const float *a, const float *b, uint32_t dims);
/* The server's distance: cosine 1 - a.b/(|a||b|), l2 squared Euclidean (same order as
 * pgvector's <->), ip -a.b. */
float bench_distance(const bench_space *space, const float *query, float query_norm,
                     uint64_t row);
/* Fills norms[rows] for base (threads split the rows). */
void bench_space_norms(const float *base, uint64_t rows, uint32_t dims, uint32_t threads,
                       float *norms);
/* Exact top-k of each query by brute force over `candidates` (row numbers, ascending; NULL =
 * every row). Threads split the candidates and their heaps are merged. Per query q: found[q]
 * = min(k, candidates) results in rows_out[q*k..] (0-based rows) and dists_out, nearest
 * first, ties by the lower row. */
void bench_exact_topk(const bench_space *space, const float *queries, uint32_t query_count,
                      uint32_t k, const uint64_t *candidates, uint64_t candidate_count,
                      uint32_t threads, int64_t *rows_out, float *dists_out, uint32_t *found);

/* ---- SQL of the two dialects ------------------------------------------------------------- */

typedef struct bench_schema {
    bench_dialect dialect;
    bench_metric metric;
    const char *table;   /* validated identifier */
    uint32_t dims;       /* 0: no embedding column */
    uint32_t k;
    uint32_t hnsw_m, ef_construction; /* pgvector index options, 0 = its default */
} bench_schema;

/* Each writes one statement into out (BENCH_SQL_BYTES_MAX) and returns it; functions that
 * have no statement in a dialect return NULL there. */
const char *bench_sql_drop_table(const bench_schema *s, char *out);
const char *bench_sql_create_extension(const bench_schema *s, char *out); /* pgvector */
const char *bench_sql_create_table(const bench_schema *s, char *out);
/* pgvector: after the load. Dreambase: only for a metric other than cosine (or with index
 * options), before the load: the explicit graph replaces the column's automatic cosine one. */
const char *bench_sql_create_vector_index(const bench_schema *s, char *out);
const char *bench_sql_create_scalar_index(const bench_schema *s, const char *column, char *out);
const char *bench_sql_analyze(const bench_schema *s, char *out);
const char *bench_sql_count(const bench_schema *s, char *out);
const char *bench_sql_noop(char *out);
/* Top-k: no filter (bucket_bound 0 and !user_filter), `WHERE bucket < bound`, or
 * `WHERE user_id = $2`. The vector is $1. */
const char *bench_sql_topk(const bench_schema *s, uint32_t bucket_bound, bool user_filter,
                           char *out);
const char *bench_sql_point(const bench_schema *s, char *out);
/* UPDATE ... SET [embedding = $2,] content = $3 WHERE id = $1 (content is $2 without vector). */
const char *bench_sql_update(const bench_schema *s, char *out);
const char *bench_sql_read_vector(const bench_schema *s, char *out);
const char *bench_sql_set_ef_search(const bench_schema *s, uint32_t ef_search, char *out);
/* pgvector >= 0.8: filtered HNSW scans keep searching until k rows pass the filter. */
const char *bench_sql_set_iterative_scan(const bench_schema *s, char *out);
const char *bench_sql_copy(const bench_schema *s, bool binary, char *out);
/* INSERT INTO t (...) VALUES ($1, ...), ... for `rows` rows; rt_xmalloc'd, caller frees. */
char *bench_sql_insert(const bench_schema *s, uint32_t rows);
/* Columns per row written by load (6 scalars plus the embedding when dims > 0). */
uint32_t bench_sql_column_count(const bench_schema *s);

/* Shortest-enough decimal of a float: 9 significant digits, which read back (strtof, or a
 * server's float4 input) as the same float. Returns the length (<= BENCH_FLOAT_TEXT_BYTES_MAX). */
size_t bench_float_format(float value, char *out);
/* '[v1,v2,...]'; returns the length (out holds BENCH_VECTOR_TEXT_BYTES_MAX). */
size_t bench_vector_format_text(const float *v, uint32_t dims, char *out);
/* pgvector's binary send format; returns the length (4 + 4 * dims). */
size_t bench_vector_format_binary(const float *v, uint32_t dims, char *out);
/* Parses a vector's text output ('[1,2.5,-3e-05]') into dims floats; 22P02 on anything else. */
bool bench_vector_parse_text(const char *text, uint32_t dims, float *out, rt_err *err);

/* ---- results, JSON lines, SVG ------------------------------------------------------------ */

/* One measured step (and op class): one terminal row, one JSON line, points of the charts.
 * Figures that do not apply are NaN (JSON null). */
typedef struct bench_result {
    char run[64];            /* --label */
    char dialect[16];
    char workload[16];       /* load, noop, ann, hybrid, point, update, mixed, index */
    char step[48];           /* e.g. "ef=40 sel=0.001" */
    char op[24];             /* the op class: query, update, read-back, ann-check, ... */
    char filter[16];         /* none, bucket, user */
    uint64_t rows;
    uint32_t dims, k, concurrency, ef_search; /* ef_search 0 = server default */
    double selectivity;      /* requested */
    double selectivity_actual; /* matching rows / rows */
    uint64_t ops, errors, short_results, wrong_rows, freshness_errors, index_misses;
    double duration_s, ops_per_s, rows_per_s;
    double p50_ms, p95_ms, p99_ms, max_ms, mean_ms;
    double recall;           /* mean recall@k over the sampled queries */
    uint64_t recall_queries;
    double server_cpu_pct;   /* of one core, over the step */
    double server_rss_mb;    /* at the end of the step */
    double server_bytes_per_row; /* load: the server's memory growth over the load / rows */
    double client_cpu_pct;   /* busiest engine thread, % of its wall time */
    double client_us_per_op; /* client CPU per op, all threads */
    char first_error[BENCH_ERROR_BYTES_MAX];
    char plan[64];           /* Dreambase top-k steps: the path EXPLAIN HYBRID chose */
} bench_result;

void bench_result_init(bench_result *r);
/* One JSON object (no newline) into out; false with 54000 if cap is too small. */
bool bench_json_format(const bench_result *r, char *out, size_t cap, rt_err *err);
/* Parses a line written by bench_json_format (a flat object of strings, numbers and nulls;
 * unknown keys are ignored so newer files still draw). 22P02 on malformed JSON. */
bool bench_json_parse(const char *line, bench_result *r, rt_err *err);
/* Two charts in one SVG document: recall@k against queries per second (ann steps, one series
 * per run and filter), and p50/p99 latency against selectivity (hybrid bucket steps). */
bool bench_svg_write(FILE *out, const bench_result *results, size_t count, rt_err *err);
void bench_table_header(FILE *out);
void bench_table_row(FILE *out, const bench_result *r);

/* ---- the server's process ---------------------------------------------------------------- */

typedef struct bench_proc_usage {
    uint64_t cpu_ticks;   /* utime + stime of the process and every descendant, plus the
                           * cutime + cstime of the process (children it reaped) */
    uint64_t memory_kb;   /* Pss where readable (shared pages counted once), else VmRSS */
    uint32_t processes;
} bench_proc_usage;

/* From the text of /proc/<pid>/stat: ppid and the four CPU fields (ticks); 22P02 if it does
 * not parse (the command name may hold spaces and parentheses). */
bool bench_proc_parse_stat(const char *text, int *ppid, uint64_t *utime, uint64_t *stime,
                           uint64_t *cutime, uint64_t *cstime, rt_err *err);
/* The kB value of `key` ("VmRSS:", "Pss:") in /proc status or smaps_rollup text; false if
 * absent. */
bool bench_proc_parse_kb(const char *text, const char *key, uint64_t *kb);
bool bench_proc_sample(int pid, bench_proc_usage *out, rt_err *err);

/* ---- running ----------------------------------------------------------------------------- */

/* Runs every requested workload (bench_run.c); prints the table; writes JSON and SVG. */
bool bench_run(const bench_opts *opts, rt_err *err);
/* --chart-from: reads JSON lines files and writes the SVG only. */
bool bench_chart_from_files(const char *files, const char *svg_out, rt_err *err);

#endif
