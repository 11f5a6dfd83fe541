/* bench_run.c: one run of dreambase-bench from options to reports.
 * Order: resolve the data (generator or files) and build what the exact answers need, open
 * the connections, measure the no-op ceiling, then run the requested workloads in the fixed
 * order load, ann, hybrid, point, update, mixed. Each measured step prints a table row,
 * appends a JSON line, and is kept for the SVG charts drawn at the end. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/dreambase-bench/bench_int.h"
#include "runtime/rt_mem.h"

/* A JSON line of one result: every field with escapes to spare. */
#define BENCH_JSON_LINE_BYTES_MAX 4096

/* ---- results ----------------------------------------------------------------------------- */

void bench_ctx_result(const bench_ctx *x, const char *workload, bench_result *r) {
    bench_result_init(r);
    snprintf(r->run, sizeof r->run, "%s", x->opts->label);
    snprintf(r->dialect, sizeof r->dialect, "%s", bench_dialect_name(x->opts->dialect));
    snprintf(r->workload, sizeof r->workload, "%s", workload);
    r->rows = x->rows;
    r->dims = x->dims;
    r->k = x->opts->k;
    r->concurrency = x->opts->concurrency;
}

void bench_ctx_class_result(const bench_ctx *x, const bench_measure *m, uint32_t cls,
                            const char *op, bench_result *r) {
    bench_class c = m->classes[cls];
    bench_latency lat;
    bench_samples_summarise(&c.latency, &lat);
    snprintf(r->op, sizeof r->op, "%s", op);
    r->ops = c.ops;
    r->errors = c.errors;
    r->short_results = c.short_results;
    r->wrong_rows = c.wrong_rows;
    r->freshness_errors = c.freshness_errors;
    r->index_misses = c.index_misses;
    r->duration_s = m->wall_s;
    r->ops_per_s = m->wall_s > 0 ? (double)c.ops / m->wall_s : NAN;
    r->p50_ms = lat.p50_ms, r->p95_ms = lat.p95_ms, r->p99_ms = lat.p99_ms;
    r->max_ms = lat.max_ms, r->mean_ms = lat.mean_ms;
    r->recall = c.recall_count > 0 ? c.recall_sum / (double)c.recall_count : NAN;
    r->recall_queries = c.recall_count;
    r->server_cpu_pct = m->server_cpu_pct;
    r->server_rss_mb = m->server_rss_mb;
    r->client_cpu_pct = m->client_cpu_max_pct;
    uint64_t all_ops = 0;
    for (uint32_t k = 0; k < BENCH_CLASSES_MAX; k++) all_ops += m->classes[k].ops;
    r->client_us_per_op = all_ops > 0 ? m->client_cpu_s * 1e6 / (double)all_ops : NAN;
    snprintf(r->first_error, sizeof r->first_error, "%s", c.first_error);
    (void)x;
}

bool bench_ctx_emit(bench_ctx *x, const bench_result *r, rt_err *err) {
    bench_table_row(stdout, r);
    if (r->plan[0] != '\0') printf("         plan (EXPLAIN HYBRID): %s\n", r->plan);
    if (isfinite(r->server_bytes_per_row)) {
        printf("         server memory growth: %.0f bytes per row\n", r->server_bytes_per_row);
    }
    if (r->first_error[0] != '\0') printf("         first problem: %s\n", r->first_error);
    fflush(stdout);
    if (x->result_count == x->result_cap) {
        x->result_cap = x->result_cap == 0 ? 16 : 2 * x->result_cap;
        x->results = rt_xrealloc(x->results, x->result_cap * sizeof(bench_result));
    }
    x->results[x->result_count++] = *r;
    if (isfinite(r->client_cpu_pct) && r->client_cpu_pct > x->client_busiest_pct) {
        x->client_busiest_pct = r->client_cpu_pct;
    }
    if (x->json == NULL) return true;
    char line[BENCH_JSON_LINE_BYTES_MAX];
    if (!bench_json_format(r, line, sizeof line, err)) return false;
    if (fprintf(x->json, "%s\n", line) < 0 || fflush(x->json) != 0) {
        return rt_err_from_errno(err, errno, "could not write \"%s\"", x->opts->json_out);
    }
    return true;
}

/* ---- data -------------------------------------------------------------------------------- */

const float *bench_ctx_row_vector(const bench_ctx *x, uint64_t row, bool alt, float *scratch) {
    if (!alt) return x->vectors + row * x->dims;
    bench_gen_vector(&x->gen, BENCH_STREAM_UPDATES, row, scratch);
    return scratch;
}

void bench_ctx_vector_param(const bench_ctx *x, const float *v, char *out, bench_params *p,
                            int index) {
    p->values[index] = out;
    if (x->opts->vector_format == BENCH_VECTOR_BINARY) {
        p->formats[index] = 1;
        p->lengths[index] = (int)bench_vector_format_binary(v, x->dims, out);
    } else {
        p->formats[index] = 0;
        p->lengths[index] = (int)bench_vector_format_text(v, x->dims, out);
    }
}

void bench_ctx_user_index(bench_ctx *x) {
    if (x->user_ranks != NULL) return;
    uint32_t users = x->gen.config.users;
    x->user_ranks = rt_xmalloc(x->rows * sizeof(uint32_t));
    x->user_offsets = rt_xcalloc((size_t)users + 1, sizeof(uint64_t));
    x->user_rows = rt_xmalloc(x->rows * sizeof(uint64_t));
    for (uint64_t r = 0; r < x->rows; r++) {
        bench_row row;
        bench_gen_row(&x->gen, r + 1, &row);
        x->user_ranks[r] = row.user_rank;
        x->user_offsets[row.user_rank]++;
    }
    for (uint32_t u = 1; u <= users; u++) x->user_offsets[u] += x->user_offsets[u - 1];
    /* Counting sort, filled backwards so each user's rows stay in ascending order. */
    uint64_t *next = rt_xmalloc(((size_t)users + 1) * sizeof(uint64_t));
    memcpy(next, x->user_offsets, ((size_t)users + 1) * sizeof(uint64_t));
    for (uint64_t r = x->rows; r-- > 0;) x->user_rows[--next[x->user_ranks[r]]] = r;
    rt_free(next);
}

typedef struct bench_gen_job {
    const bench_gen *gen;
    float *out;
    uint64_t from, to;
} bench_gen_job;

static void *bench_gen_thread(void *arg) {
    bench_gen_job *job = arg;
    uint32_t dims = job->gen->config.dims;
    for (uint64_t r = job->from; r < job->to; r++) {
        bench_gen_vector(job->gen, BENCH_STREAM_ROWS, r, job->out + r * dims);
    }
    return NULL;
}

/* Every row's vector, made by all cores (each row depends only on the seed and its number). */
static float *bench_ctx_generate(bench_ctx *x) {
    float *v = rt_xmalloc(x->rows * x->dims * sizeof(float));
    uint32_t threads = x->cores < BENCH_THREADS_MAX ? x->cores : BENCH_THREADS_MAX;
    pthread_t tids[BENCH_THREADS_MAX];
    bench_gen_job jobs[BENCH_THREADS_MAX];
    for (uint32_t t = 0; t < threads; t++) {
        jobs[t] = (bench_gen_job){.gen = &x->gen, .out = v, .from = x->rows * t / threads,
                                  .to = x->rows * (t + 1) / threads};
        RT_ASSERT(pthread_create(&tids[t], NULL, bench_gen_thread, &jobs[t]) == 0);
    }
    for (uint32_t t = 0; t < threads; t++) pthread_join(tids[t], NULL);
    return v;
}

/* Reads the dataset (or keeps the generator's sizes) and sets rows and dims. */
static bool bench_ctx_dataset(bench_ctx *x, bench_vectors *base, rt_err *err) {
    const bench_opts *o = x->opts;
    x->rows = o->rows;
    x->dims = o->dims;
    if (o->dataset == NULL) return true;
    uint64_t count_max = o->rows_given ? o->rows : 0;
    if (!bench_file_read_vectors(o->dataset, o->dims_given ? o->dims : 0, count_max, base, err)) {
        return false;
    }
    if (o->rows_given && base->count < o->rows) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "dataset \"%s\" has %llu vectors, fewer than --rows %llu", o->dataset,
                          (unsigned long long)base->count, (unsigned long long)o->rows);
    }
    x->rows = base->count;
    x->dims = base->dims;
    if (o->queries != NULL &&
        !bench_file_read_vectors(o->queries, x->dims, o->query_pool, &x->file_queries, err)) {
        return false;
    }
    if (o->groundtruth != NULL) {
        if (!bench_file_read_ids(o->groundtruth, x->file_queries.count, &x->truth, err)) {
            return false;
        }
        if (x->truth.count < x->file_queries.count || x->truth.width < o->k) {
            return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                              "ground truth \"%s\" has %llu records of %u ids; the queries need "
                              "%llu of at least k = %u", o->groundtruth,
                              (unsigned long long)x->truth.count, x->truth.width,
                              (unsigned long long)x->file_queries.count, o->k);
        }
        /* Its rows number the whole base file: only valid when all of it is loaded. */
        x->truth_usable = !o->rows_given;
        if (!x->truth_usable) {
            fprintf(stderr, "warning: --rows cuts the dataset, so --groundtruth is ignored and "
                            "recall is computed by brute force\n");
        }
    }
    return true;
}

/* The query vectors: the generator's query stream, the --queries file, or (a dataset
 * without queries) base rows picked by the seed. Each is encoded once as a parameter. */
static bool bench_ctx_pool(bench_ctx *x, rt_err *err) {
    const bench_opts *o = x->opts;
    uint32_t dims = x->dims;
    x->pool_count = o->query_pool;
    if (x->file_queries.count > 0 && x->file_queries.count < x->pool_count) {
        x->pool_count = (uint32_t)x->file_queries.count;
    }
    size_t cap = o->vector_format == BENCH_VECTOR_BINARY
                     ? 4 + 4 * (size_t)dims
                     : (size_t)dims * BENCH_FLOAT_TEXT_BYTES_MAX + 3;
    if ((uint64_t)x->pool_count * (cap + 4 * dims) > BENCH_QUERY_POOL_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "--query-pool %u of %u dimensions needs more than %llu bytes",
                          x->pool_count, dims, (unsigned long long)BENCH_QUERY_POOL_BYTES_MAX);
    }
    x->pool = rt_xmalloc((size_t)x->pool_count * dims * sizeof(float));
    for (uint32_t q = 0; q < x->pool_count; q++) {
        float *v = x->pool + (size_t)q * dims;
        if (x->file_queries.count > 0) {
            memcpy(v, x->file_queries.data + (size_t)q * dims, dims * sizeof(float));
        } else if (o->dataset != NULL) {
            bench_rng rng;
            bench_rng_seed(&rng, o->seed, BENCH_STREAM_DATASET_QUERIES, q);
            memcpy(v, x->vectors + bench_rng_below(&rng, x->rows) * dims, dims * sizeof(float));
        } else {
            bench_gen_vector(&x->gen, BENCH_STREAM_QUERIES, q, v);
        }
    }
    x->pool_params = rt_xmalloc(x->pool_count * sizeof(char *));
    x->pool_lengths = rt_xmalloc(x->pool_count * sizeof(int));
    for (uint32_t q = 0; q < x->pool_count; q++) {
        bench_params p;
        x->pool_params[q] = rt_xmalloc(cap + 1);
        bench_ctx_vector_param(x, x->pool + (size_t)q * dims, x->pool_params[q], &p, 0);
        x->pool_lengths[q] = p.lengths[0];
    }
    return true;
}

static bool bench_ctx_init(bench_ctx *x, const bench_opts *o, rt_err *err) {
    memset(x, 0, sizeof *x);
    x->opts = o;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    x->cores = cores > 0 ? (uint32_t)cores : 1;
    bench_vectors base = {0};
    if (!bench_ctx_dataset(x, &base, err)) return false;
    bench_gen_config gc = {.seed = o->seed, .dims = x->dims, .clusters = o->clusters,
                           .spread = o->spread, .users = o->users, .zipf_s = o->zipf_s};
    if (!bench_gen_init(&x->gen, &gc, err)) return false;
    x->schema = (bench_schema){.dialect = o->dialect, .metric = o->metric, .table = o->table,
                               .dims = x->dims, .k = o->k, .hnsw_m = o->hnsw_m,
                               .ef_construction = o->ef_construction};
    uint32_t vector_work = BENCH_WL_LOAD | BENCH_WL_ANN | BENCH_WL_HYBRID | BENCH_WL_UPDATE |
                           BENCH_WL_MIXED;
    if (x->dims > 0 && (o->workloads & vector_work)) {
        x->vectors = base.data != NULL ? base.data : bench_ctx_generate(x);
        base.data = NULL;
        x->norms = rt_xmalloc(x->rows * sizeof(float));
        bench_space_norms(x->vectors, x->rows, x->dims, x->cores, x->norms);
        x->space = (bench_space){.base = x->vectors, .norms = x->norms, .rows = x->rows,
                                 .dims = x->dims, .metric = o->metric};
        if ((o->workloads & (vector_work & ~BENCH_WL_LOAD)) && !bench_ctx_pool(x, err)) {
            bench_vectors_free(&base);
            return false;
        }
    }
    bench_vectors_free(&base);
    bench_proc_usage usage; /* a wrong --server-pid fails now, not as a warning per step */
    if (o->server_pid != 0 && !bench_proc_sample(o->server_pid, &usage, err)) return false;
    if (o->json_out != NULL && (x->json = fopen(o->json_out, "a")) == NULL) {
        return rt_err_from_errno(err, errno, "could not open \"%s\"", o->json_out);
    }
    return true;
}

static void bench_ctx_free(bench_ctx *x) {
    bench_engine_close(&x->engine);
    for (uint32_t q = 0; x->pool_params != NULL && q < x->pool_count; q++) {
        rt_free(x->pool_params[q]);
    }
    rt_free(x->pool_params);
    rt_free(x->pool_lengths);
    rt_free(x->pool);
    rt_free(x->vectors);
    rt_free(x->norms);
    rt_free(x->user_ranks);
    rt_free(x->user_offsets);
    rt_free(x->user_rows);
    rt_free(x->row_state);
    rt_free(x->results);
    bench_vectors_free(&x->file_queries);
    bench_ids_free(&x->truth);
    bench_gen_free(&x->gen);
    if (x->json != NULL) fclose(x->json);
}

/* ---- the run ----------------------------------------------------------------------------- */

/* The table must hold the rows this run's checks assume (a load with the same options). */
static bool bench_ctx_check_table(bench_ctx *x, rt_err *err) {
    if (x->table_checked) return true;
    char sql[BENCH_SQL_BYTES_MAX];
    PGresult *res;
    if (!bench_engine_exec(&x->engine, bench_sql_count(&x->schema, sql), &res, err)) {
        rt_err_hint(err, "run --workload load first, with the same --rows, --dims and --seed");
        return false;
    }
    unsigned long long count = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (count != x->rows) {
        rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "table %s has %llu rows, this run expects %llu", x->opts->table, count,
                   (unsigned long long)x->rows);
        rt_err_hint(err, "run --workload load first, with the same --rows, --dims and --seed");
        return false;
    }
    x->table_checked = true;
    return true;
}

static bool bench_ctx_load(bench_ctx *x, rt_err *err) {
    bench_load_input in = {.opts = x->opts, .schema = &x->schema, .gen = &x->gen,
                           .rows = x->rows, .dims = x->dims, .vectors = x->vectors};
    bench_result load, index[2];
    uint32_t index_count = 0;
    bench_ctx_result(x, "load", &load);
    bench_ctx_result(x, "index", &index[0]);
    bench_ctx_result(x, "index", &index[1]);
    if (!bench_load_run(&x->engine, &in, &load, index, &index_count, err)) return false;
    x->table_checked = true;
    if (!bench_ctx_emit(x, &load, err)) return false;
    for (uint32_t i = 0; i < index_count; i++) {
        if (!bench_ctx_emit(x, &index[i], err)) return false;
    }
    return true;
}

static void bench_ctx_banner(bench_ctx *x) {
    const bench_opts *o = x->opts;
    PGconn *pg = x->engine.conns[0].pg;
    const char *version = PQparameterStatus(pg, "server_version");
    char per_step[48];
    if (o->count != 0) {
        snprintf(per_step, sizeof per_step, "%llu ops", (unsigned long long)o->count);
    } else {
        snprintf(per_step, sizeof per_step, "%g s", o->duration_s);
    }
    printf("dreambase-bench: %s dialect, server %s, table %s: %llu rows x %u dims (%s), k=%u, "
           "%u connections on %u threads, pipeline %u, %s per step after %g s of warm-up\n",
           bench_dialect_name(o->dialect), version != NULL ? version : "?", o->table,
           (unsigned long long)x->rows, x->dims, bench_metric_name(o->metric), o->k,
           o->concurrency, x->engine.thread_count, o->pipeline, per_step, o->warmup_s);
    bench_table_header(stdout);
}

static void bench_ctx_summary(const bench_ctx *x) {
    printf("client check: the no-op SELECT 1 ran at %.0f ops/s with %.1f us of client CPU per op;"
           " the busiest client thread was %.0f%% busy in any step (near 100%% would mean the "
           "client set the pace, not the server)\n",
           x->noop_ops_per_s, x->noop_us_per_op, x->client_busiest_pct);
}

static bool bench_ctx_workloads(bench_ctx *x, rt_err *err) {
    const bench_opts *o = x->opts;
    if ((o->workloads & BENCH_WL_LOAD) && !bench_ctx_load(x, err)) return false;
    if (!bench_work_noop(x, err)) return false;
    if ((o->workloads & ~BENCH_WL_LOAD) && !bench_ctx_check_table(x, err)) return false;
    if ((o->workloads & BENCH_WL_ANN) && !bench_work_ann(x, err)) return false;
    if ((o->workloads & BENCH_WL_HYBRID) && !bench_work_hybrid(x, err)) return false;
    if ((o->workloads & BENCH_WL_POINT) && !bench_work_point(x, err)) return false;
    if ((o->workloads & BENCH_WL_UPDATE) && !bench_work_update(x, err)) return false;
    if ((o->workloads & BENCH_WL_MIXED) && !bench_work_mixed(x, err)) return false;
    return true;
}

static bool bench_ctx_svg(const bench_ctx *x, rt_err *err) {
    if (x->opts->svg_out == NULL) return true;
    FILE *fp = fopen(x->opts->svg_out, "w");
    if (fp == NULL) return rt_err_from_errno(err, errno, "could not open \"%s\"", x->opts->svg_out);
    bool ok = bench_svg_write(fp, x->results, x->result_count, err);
    if (fclose(fp) != 0 && ok) {
        return rt_err_from_errno(err, errno, "could not write \"%s\"", x->opts->svg_out);
    }
    return ok;
}

bool bench_run(const bench_opts *opts, rt_err *err) {
    static bench_ctx x; /* large; one run per process */
    if (opts->dims == 0 && (opts->workloads & (BENCH_WL_ANN | BENCH_WL_HYBRID | BENCH_WL_UPDATE))) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "the ann, hybrid and update workloads need --dims > 0");
    }
    bool ok = bench_ctx_init(&x, opts, err);
    size_t scratch = 512 + (size_t)x.dims * (sizeof(float) + BENCH_FLOAT_TEXT_BYTES_MAX);
    ok = ok && bench_engine_open(&x.engine, opts, scratch, err);
    if (ok) {
        bench_ctx_banner(&x);
        ok = bench_ctx_workloads(&x, err);
        bench_ctx_summary(&x);
    }
    ok = bench_ctx_svg(&x, ok ? err : &(rt_err){0}) && ok;
    bench_ctx_free(&x);
    return ok;
}

/* ---- --chart-from ------------------------------------------------------------------------ */

static bool bench_chart_read(const char *path, bench_result **results, size_t *count,
                             size_t *cap, rt_err *err) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) return rt_err_from_errno(err, errno, "could not open \"%s\"", path);
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    unsigned long number = 0;
    bool ok = true;
    while (ok && (len = getline(&line, &line_cap, fp)) != -1) {
        number++;
        if (len <= 1) continue;
        if (*count == *cap) {
            *cap = *cap == 0 ? 64 : 2 * *cap;
            *results = rt_xrealloc(*results, *cap * sizeof(bench_result));
        }
        ok = bench_json_parse(line, &(*results)[*count], err);
        if (ok) (*count)++;
        else rt_err_detail(err, "In \"%s\", line %lu.", path, number);
    }
    free(line);
    fclose(fp);
    return ok;
}

bool bench_chart_from_files(const char *files, const char *svg_out, rt_err *err) {
    bench_result *results = NULL;
    size_t count = 0, cap = 0;
    char *list = rt_strdup(files), *save = NULL;
    bool ok = true;
    for (char *path = strtok_r(list, ",", &save); ok && path != NULL;
         path = strtok_r(NULL, ",", &save)) {
        ok = bench_chart_read(path, &results, &count, &cap, err);
    }
    rt_free(list);
    FILE *fp = ok ? fopen(svg_out, "w") : NULL;
    if (ok && fp == NULL) ok = rt_err_from_errno(err, errno, "could not open \"%s\"", svg_out);
    if (ok) {
        ok = bench_svg_write(fp, results, count, err);
        if (fclose(fp) != 0 && ok) {
            ok = rt_err_from_errno(err, errno, "could not write \"%s\"", svg_out);
        }
    }
    rt_free(results);
    return ok;
}
