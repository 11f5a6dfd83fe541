/* bench_load.c: the load workload: (re)create the table, fill it, build the indexes.
 * One thread per connection, each taking the next chunk of --batch rows and sending it as one
 * COPY (text, or binary with --vector-format binary) or one multi-row INSERT. Blocking libpq
 * calls are right here: a chunk is large, so the protocol's round trips are few and the
 * client's cost is encoding the rows, which each connection's thread does for itself.
 * The table then gets pgvector's HNSW index (pgvector only: Dreambase indexes vectors as rows
 * arrive, also through an explicit index made on the empty table, so its load figure already
 * includes that work; the report shows both; the exact dialect has none), B-tree
 * indexes on bucket and user_id (both dialects) and ANALYZE. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/dreambase-bench/bench_int.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

/* Bytes of one encoded row besides its vector: id, user, content, category, timestamp,
 * bucket, separators and (binary) field lengths. */
#define BENCH_LOAD_ROW_BYTES (64 + BENCH_CONTENT_BYTES_MAX + 64)
/* PostgreSQL's binary timestamps count microseconds from 2000-01-01 00:00:00 UTC. */
#define BENCH_PG_EPOCH_S 946684800ll

typedef struct bench_loader {
    bench_engine *engine;
    const bench_load_input *in;
    char copy_sql[BENCH_SQL_BYTES_MAX];
    char *insert_sql;               /* for a full batch; the last one builds its own */
    _Atomic uint64_t next_row;      /* 0-based */
    _Atomic bool failed;
    pthread_mutex_t lock;
    rt_err err;                     /* the first failure */
} bench_loader;

typedef struct bench_load_worker {
    bench_loader *loader;
    bench_conn *conn;
    bench_samples latency;
    char *buf;
    size_t cap;
    const char **values;            /* INSERT parameters */
    int *lengths, *formats;
    uint64_t cpu_ns;
    pthread_t tid;
} bench_load_worker;

static size_t bench_load_row_bytes(uint32_t dims) {
    return BENCH_LOAD_ROW_BYTES + (size_t)dims * BENCH_FLOAT_TEXT_BYTES_MAX + 8;
}

static void bench_load_fail(bench_loader *l, const char *what, PGconn *pg, PGresult *res) {
    pthread_mutex_lock(&l->lock);
    if (!rt_err_is_set(&l->err)) {
        const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        rt_err_set(&l->err, state != NULL ? state : SQLSTATE_CONNECTION_FAILURE, "%s: %s", what,
                   PQerrorMessage(pg));
    }
    pthread_mutex_unlock(&l->lock);
    atomic_store(&l->failed, true);
}

/* ---- encoding ---------------------------------------------------------------------------- */

static size_t bench_load_text_row(const bench_load_input *in, uint64_t r, char *out) {
    bench_row row;
    bench_gen_row(in->gen, r + 1, &row);
    char content[BENCH_CONTENT_BYTES_MAX], ts[32];
    bench_gen_content(in->gen, r + 1, 0, content, sizeof content);
    bench_format_timestamp(row.created_at_s, ts, sizeof ts);
    /* COPY text needs escapes only for tab, newline, CR and backslash: none occur here. */
    size_t len = (size_t)sprintf(out, "%llu\tu_%u\t%s\t%s\t%s\t%u", (unsigned long long)row.id,
                                 row.user_rank, content, bench_gen_category_name(row.category),
                                 ts, row.bucket);
    if (in->dims > 0) {
        out[len++] = '\t';
        len += bench_vector_format_text(in->vectors + r * in->dims, in->dims, out + len);
    }
    out[len++] = '\n';
    return len;
}

static char *bench_put_be(char *p, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) *p++ = (char)(v >> (8 * i));
    return p;
}

static char *bench_put_field(char *p, const void *data, size_t len) {
    p = bench_put_be(p, len, 4);
    memcpy(p, data, len);
    return p + len;
}

/* COPY BINARY: int16 field count, then each field as int32 length and its binary value. */
static size_t bench_load_binary_row(const bench_load_input *in, uint64_t r, char *out) {
    bench_row row;
    bench_gen_row(in->gen, r + 1, &row);
    char content[BENCH_CONTENT_BYTES_MAX], user[16];
    size_t content_len = bench_gen_content(in->gen, r + 1, 0, content, sizeof content);
    int user_len = snprintf(user, sizeof user, "u_%u", row.user_rank);
    const char *category = bench_gen_category_name(row.category);
    char *p = bench_put_be(out, bench_sql_column_count(in->schema), 2);
    p = bench_put_be(bench_put_be(p, 8, 4), row.id, 8);
    p = bench_put_field(p, user, (size_t)user_len);
    p = bench_put_field(p, content, content_len);
    p = bench_put_field(p, category, strlen(category));
    int64_t us = (row.created_at_s - BENCH_PG_EPOCH_S) * 1000000;
    p = bench_put_be(bench_put_be(p, 8, 4), (uint64_t)us, 8);
    p = bench_put_be(bench_put_be(p, 4, 4), row.bucket, 4);
    if (in->dims > 0) {
        p = bench_put_be(p, 4 + 4 * (uint64_t)in->dims, 4);
        p += bench_vector_format_binary(in->vectors + r * in->dims, in->dims, p);
    }
    return (size_t)(p - out);
}

static size_t bench_load_copy_data(const bench_load_input *in, uint64_t from, uint64_t to,
                                   char *out) {
    bool binary = in->opts->vector_format == BENCH_VECTOR_BINARY;
    size_t len = 0;
    if (binary) { /* signature, flags, header extension length */
        memcpy(out, "PGCOPY\n\377\r\n\0", 11);
        len = (size_t)(bench_put_be(bench_put_be(out + 11, 0, 4), 0, 4) - out);
    }
    for (uint64_t r = from; r < to; r++) {
        len += binary ? bench_load_binary_row(in, r, out + len)
                      : bench_load_text_row(in, r, out + len);
    }
    if (binary) len = (size_t)(bench_put_be(out + len, 0xffff, 2) - out); /* trailer: -1 */
    return len;
}

/* ---- sending ----------------------------------------------------------------------------- */

static bool bench_load_copy(bench_load_worker *w, uint64_t from, uint64_t to) {
    bench_loader *l = w->loader;
    PGconn *pg = w->conn->pg;
    size_t len = bench_load_copy_data(l->in, from, to, w->buf);
    RT_ASSERT(len <= w->cap);
    PGresult *res = PQexec(pg, l->copy_sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        bench_load_fail(l, "COPY", pg, res);
        PQclear(res);
        return false;
    }
    PQclear(res);
    bool ok = PQputCopyData(pg, w->buf, (int)len) == 1 && PQputCopyEnd(pg, NULL) == 1;
    res = PQgetResult(pg);
    if (!ok || PQresultStatus(res) != PGRES_COMMAND_OK) {
        bench_load_fail(l, "COPY", pg, res);
        ok = false;
    }
    PQclear(res);
    while ((res = PQgetResult(pg)) != NULL) PQclear(res);
    return ok;
}

/* One row's INSERT parameters into buf; returns the bytes used. */
static size_t bench_load_insert_row(const bench_load_input *in, uint64_t r, char *buf,
                                    const char **values, int *lengths, int *formats) {
    bench_row row;
    bench_gen_row(in->gen, r + 1, &row);
    char *p = buf;
    int n = 0;
    /* Text parameters are NUL-terminated (their lengths are ignored); formats[] are 0. */
    memset(formats, 0, bench_sql_column_count(in->schema) * sizeof(int));
    values[n++] = p;
    p += sprintf(p, "%llu", (unsigned long long)row.id) + 1;
    values[n++] = p;
    p += sprintf(p, "u_%u", row.user_rank) + 1;
    values[n++] = p;
    p += bench_gen_content(in->gen, r + 1, 0, p, BENCH_CONTENT_BYTES_MAX) + 1;
    values[n++] = bench_gen_category_name(row.category);
    values[n++] = p;
    p += bench_format_timestamp(row.created_at_s, p, 32) + 1;
    values[n++] = p;
    p += sprintf(p, "%u", row.bucket) + 1;
    if (in->dims > 0) {
        const float *v = in->vectors + r * in->dims;
        values[n] = p;
        if (in->opts->vector_format == BENCH_VECTOR_BINARY) {
            formats[n] = 1;
            lengths[n] = (int)bench_vector_format_binary(v, in->dims, p);
            p += lengths[n];
        } else {
            p += bench_vector_format_text(v, in->dims, p) + 1;
        }
    }
    return (size_t)(p - buf);
}

static bool bench_load_insert(bench_load_worker *w, uint64_t from, uint64_t to) {
    bench_loader *l = w->loader;
    const bench_load_input *in = l->in;
    uint32_t cols = bench_sql_column_count(in->schema);
    size_t used = 0;
    for (uint64_t r = from; r < to; r++) {
        size_t at = (r - from) * cols;
        used += bench_load_insert_row(in, r, w->buf + used, w->values + at, w->lengths + at,
                                      w->formats + at);
    }
    RT_ASSERT(used <= w->cap);
    bool full = to - from == in->opts->batch;
    char *sql = full ? l->insert_sql : bench_sql_insert(in->schema, (uint32_t)(to - from));
    PGresult *res = PQexecParams(w->conn->pg, sql, (int)((to - from) * cols), NULL, w->values,
                                 w->lengths, w->formats, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) bench_load_fail(l, "INSERT", w->conn->pg, res);
    PQclear(res);
    if (!full) rt_free(sql);
    return ok;
}

static void *bench_load_thread(void *arg) {
    bench_load_worker *w = arg;
    bench_loader *l = w->loader;
    const bench_load_input *in = l->in;
    struct timespec ts;
    for (;;) {
        if (atomic_load(&l->failed)) break;
        uint64_t from = atomic_fetch_add(&l->next_row, in->opts->batch);
        if (from >= in->rows) break;
        uint64_t to = from + in->opts->batch < in->rows ? from + in->opts->batch : in->rows;
        uint64_t start = rt_time_mono_ns();
        bool ok = in->opts->load_method == BENCH_LOAD_COPY ? bench_load_copy(w, from, to)
                                                           : bench_load_insert(w, from, to);
        if (!ok) break;
        bench_samples_add(&w->latency, rt_time_mono_ns() - start);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    w->cpu_ns = (uint64_t)ts.tv_sec * RT_NS_PER_S + (uint64_t)ts.tv_nsec;
    return NULL;
}

/* ---- the workload ------------------------------------------------------------------------ */

static bool bench_load_schema(bench_engine *e, const bench_schema *schema, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    e->quiet = true; /* "table does not exist, skipping" */
    bool dropped = bench_engine_exec(e, bench_sql_drop_table(schema, sql), NULL, err);
    e->quiet = false;
    if (!dropped) return false;
    if (bench_sql_create_extension(schema, sql) != NULL && !bench_engine_exec(e, sql, NULL, err)) {
        rt_err_hint(err, "pgvector must be installed on the server "
                         "(Debian: postgresql-15-pgvector)");
        return false;
    }
    if (!bench_engine_exec(e, bench_sql_create_table(schema, sql), NULL, err)) return false;
    /* Dreambase's explicit vector index (another metric) goes on the empty table, so that,
     * like its automatic one, the graph grows as rows arrive and the load includes it. */
    if (schema->dialect == BENCH_DIALECT_DREAMBASE &&
        bench_sql_create_vector_index(schema, sql) != NULL) {
        return bench_engine_exec(e, sql, NULL, err);
    }
    return true;
}

static void bench_load_worker_init(bench_load_worker *w, bench_loader *l, bench_conn *c,
                                   uint32_t index) {
    const bench_load_input *in = l->in;
    memset(w, 0, sizeof *w);
    w->loader = l;
    w->conn = c;
    bench_samples_init(&w->latency, BENCH_SAMPLES_MAX, in->opts->seed + index);
    w->cap = (size_t)in->opts->batch * bench_load_row_bytes(in->dims) + 64;
    w->buf = rt_xmalloc(w->cap);
    if (in->opts->load_method == BENCH_LOAD_INSERT) {
        size_t params = (size_t)in->opts->batch * bench_sql_column_count(in->schema);
        w->values = rt_xcalloc(params, sizeof(char *));
        w->lengths = rt_xcalloc(params, sizeof(int));
        w->formats = rt_xcalloc(params, sizeof(int));
    }
}

static void bench_load_worker_free(bench_load_worker *w) {
    bench_samples_free(&w->latency);
    rt_free(w->buf);
    rt_free(w->values);
    rt_free(w->lengths);
    rt_free(w->formats);
}

static void bench_load_result(const bench_load_input *in, bench_load_worker *workers,
                              uint32_t count, double wall_s, bench_result *r) {
    bench_samples all;
    bench_samples_init(&all, 1, 0);
    all.limit = 0;
    double cpu_s = 0, cpu_max = 0;
    for (uint32_t i = 0; i < count; i++) {
        bench_samples_merge(&all, &workers[i].latency);
        cpu_s += (double)workers[i].cpu_ns / 1e9;
        cpu_max = fmax(cpu_max, (double)workers[i].cpu_ns / 1e9);
    }
    bench_latency lat;
    bench_samples_summarise(&all, &lat);
    snprintf(r->workload, sizeof r->workload, "load");
    snprintf(r->step, sizeof r->step, "%s %s batch=%u",
             in->opts->load_method == BENCH_LOAD_COPY ? "copy" : "insert",
             in->opts->vector_format == BENCH_VECTOR_BINARY ? "binary" : "text", in->opts->batch);
    snprintf(r->op, sizeof r->op, "chunk");
    r->ops = lat.count;
    r->duration_s = wall_s;
    r->ops_per_s = (double)lat.count / wall_s;
    r->rows_per_s = (double)in->rows / wall_s;
    r->p50_ms = lat.p50_ms, r->p95_ms = lat.p95_ms, r->p99_ms = lat.p99_ms;
    r->max_ms = lat.max_ms, r->mean_ms = lat.mean_ms;
    r->client_cpu_pct = 100.0 * cpu_max / wall_s;
    r->client_us_per_op = lat.count > 0 ? cpu_s * 1e6 / (double)lat.count : NAN;
    bench_samples_free(&all);
}

/* Runs every loader thread to the end; false with the first failure. */
static bool bench_load_rows(bench_engine *e, const bench_load_input *in, bench_result *r,
                            rt_err *err) {
    static bench_loader l; /* one load at a time; static keeps the big struct off the stack */
    memset(&l, 0, sizeof l);
    l.engine = e;
    l.in = in;
    pthread_mutex_init(&l.lock, NULL);
    rt_err_clear(&l.err);
    bench_sql_copy(in->schema, in->opts->vector_format == BENCH_VECTOR_BINARY, l.copy_sql);
    if (in->opts->load_method == BENCH_LOAD_INSERT) {
        l.insert_sql = bench_sql_insert(in->schema, in->opts->batch);
    }
    uint64_t chunks = (in->rows + in->opts->batch - 1) / in->opts->batch;
    uint32_t count = 0;
    bench_load_worker *workers = rt_xcalloc(e->conn_count, sizeof(bench_load_worker));
    for (uint32_t i = 0; i < e->conn_count && count < chunks; i++) {
        if (e->conns[i].dead) continue;
        bench_load_worker_init(&workers[count], &l, &e->conns[i], count);
        count++;
    }
    bench_proc_usage u0, u1;
    bench_server_sample(in->opts, &u0);
    uint64_t start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) {
        RT_ASSERT(pthread_create(&workers[i].tid, NULL, bench_load_thread, &workers[i]) == 0);
    }
    for (uint32_t i = 0; i < count; i++) pthread_join(workers[i].tid, NULL);
    double wall_s = (double)(rt_time_mono_ns() - start) / 1e9;
    bench_server_sample(in->opts, &u1);
    bool ok = !atomic_load(&l.failed);
    if (ok) {
        bench_load_result(in, workers, count, wall_s, r);
        bench_server_usage(&u0, &u1, wall_s, &r->server_cpu_pct, &r->server_rss_mb);
        /* The table is empty at u0 (just created), so the growth is what the rows, their
         * indexes and any caches the load warmed cost: an upper bound per row. */
        if (isfinite(r->server_rss_mb) && in->rows > 0) {
            r->server_bytes_per_row =
                ((double)u1.memory_kb - (double)u0.memory_kb) * 1024.0 / (double)in->rows;
        }
    } else {
        *err = l.err;
    }
    for (uint32_t i = 0; i < count; i++) bench_load_worker_free(&workers[i]);
    rt_free(workers);
    rt_free(l.insert_sql);
    pthread_mutex_destroy(&l.lock);
    return ok;
}

/* Runs one DDL statement and adds its time to *seconds. */
static bool bench_load_timed(bench_engine *e, const char *sql, double *seconds, rt_err *err) {
    uint64_t start = rt_time_mono_ns();
    if (!bench_engine_exec(e, sql, NULL, err)) return false;
    *seconds += (double)(rt_time_mono_ns() - start) / 1e9;
    return true;
}

/* One index result: its build time and the rows it indexed per second. */
static void bench_load_index_result(const bench_load_input *in, const char *step, double s,
                                    bench_result *r) {
    snprintf(r->workload, sizeof r->workload, "index");
    snprintf(r->step, sizeof r->step, "%s", step);
    snprintf(r->op, sizeof r->op, "build");
    r->ops = 1;
    r->duration_s = s;
    r->p50_ms = r->p95_ms = r->p99_ms = r->max_ms = r->mean_ms = s * 1000;
    r->rows_per_s = s > 0 ? (double)in->rows / s : NAN;
}

static bool bench_load_indexes(bench_engine *e, const bench_load_input *in,
                               bench_result *index, uint32_t *index_count, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    double hnsw_s = 0, btree_s = 0;
    *index_count = 0;
    if (in->schema->dialect == BENCH_DIALECT_PGVECTOR &&
        bench_sql_create_vector_index(in->schema, sql) != NULL) {
        if (!bench_load_timed(e, sql, &hnsw_s, err)) return false;
        bench_load_index_result(in, "hnsw", hnsw_s, &index[(*index_count)++]);
    }
    if (in->opts->scalar_indexes) {
        if (!bench_load_timed(e, bench_sql_create_scalar_index(in->schema, "bucket", sql),
                              &btree_s, err) ||
            !bench_load_timed(e, bench_sql_create_scalar_index(in->schema, "user_id", sql),
                              &btree_s, err)) {
            return false;
        }
        bench_load_index_result(in, "btree bucket+user_id", btree_s, &index[(*index_count)++]);
    }
    /* Planner statistics; a server without ANALYZE still runs the workloads. */
    if (!in->opts->analyze) return true;
    rt_err soft;
    rt_err_clear(&soft);
    double analyze_s = 0;
    if (!bench_load_timed(e, bench_sql_analyze(in->schema, sql), &analyze_s, &soft)) {
        fprintf(stderr, "warning: %s\n", soft.message);
    }
    return true;
}

bool bench_load_run(bench_engine *e, const bench_load_input *in, bench_result *load,
                    bench_result *index, uint32_t *index_count, rt_err *err) {
    if (!bench_load_schema(e, in->schema, err)) return false;
    if (!bench_load_rows(e, in, load, err)) return false;
    return bench_load_indexes(e, in, index, index_count, err);
}
