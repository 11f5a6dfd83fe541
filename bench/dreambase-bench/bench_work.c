/* bench_work.c: the query workloads as engine steps, and the checks on their results.
 *   noop    SELECT 1: the ceiling of client + protocol, to show the client is not the limit
 *   ann     top-k without a filter, one step per ef_search; recall against brute force
 *   hybrid  top-k with `bucket < n` per selectivity, and with `user_id = $2` (Zipf users);
 *           a result with fewer than min(k, matching rows) rows is a short result, a row
 *           that does not pass the filter is a wrong row
 *   point   primary-key lookups; the row's columns are checked against the generator
 *   update  UPDATE of embedding + content; then, on another connection, a read of the row
 *           that must see the new vector (freshness), then a top-k search for the new vector
 *           that should find the row (index freshness; approximate, so counted, not failed)
 *   mixed   reads (top-k, or point lookups without vectors) and writes at --read-ratio
 * Writes toggle a row between its loaded vector and its "update" vector, and a restore pass
 * puts loaded vectors back afterwards, so the table stays what the generator says it is and
 * a later run's recall is still measured against the right data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench_int.h"
#include "runtime/rt_mem.h"

/* A write step needs this many rows per in-flight op of a thread, so that its sequence of
 * rows never comes back to a row before the checks on it are done. */
#define BENCH_WRITE_ROWS_PER_OP 4

/* ---- top-k ------------------------------------------------------------------------------- */

typedef struct bench_topk {
    bench_ctx *x;
    uint32_t bucket_bound;      /* `bucket < bound`; 0 = no bucket filter */
    bool user_filter;
    uint64_t match_count;       /* rows passing the bucket filter (or all rows) */
    uint32_t sample;            /* queries 0..sample-1 have exact answers */
    int64_t *exact_rows;
    float *exact_dists;
    uint32_t *exact_found;
    uint32_t *query_user;       /* user filter: the user of each pool query */
    char (*user_text)[16];
    uint64_t *user_match;       /* rows of that user */
    uint32_t cls, stmt;         /* where this read sits in its step */
} bench_topk;

static void bench_topk_issue(bench_topk *q, bench_thread *t, bench_op *op, bench_params *p) {
    uint64_t i = bench_rng_below(&t->rng, q->x->pool_count);
    op->cls = q->cls;
    op->stmt = q->stmt;
    op->a = i;
    p->count = q->user_filter ? 2 : 1;
    p->values[0] = q->x->pool_params[i];
    p->lengths[0] = q->x->pool_lengths[i];
    p->formats[0] = q->x->opts->vector_format == BENCH_VECTOR_BINARY;
    if (q->user_filter) p->values[1] = q->user_text[i];
}

static bool bench_topk_passes(const bench_topk *q, uint64_t query, uint64_t row) {
    if (q->bucket_bound != 0) {
        return bench_gen_bucket(q->x->opts->seed, row + 1) < q->bucket_bound;
    }
    if (q->user_filter) return q->x->user_ranks[row] == q->query_user[query];
    return true;
}

/* Parses the ids of a top-k result into rows (0-based); reports wrong rows. */
static uint32_t bench_topk_rows(bench_topk *q, bench_class *cls, uint64_t query,
                                const PGresult *res, int64_t *rows) {
    int n = PQntuples(res);
    uint32_t valid = 0;
    if (n > (int)q->x->opts->k) {
        bench_class_fail(cls, &cls->wrong_rows, "query %llu: %d rows for LIMIT %u",
                         (unsigned long long)query, n, q->x->opts->k);
        return 0;
    }
    for (int i = 0; i < n && i < BENCH_K_MAX; i++) {
        const char *text = PQgetvalue(res, i, 0);
        long long id = strtoll(text, NULL, 10);
        const char *why = NULL;
        if (id < 1 || (uint64_t)id > q->x->rows) why = "does not exist";
        for (uint32_t j = 0; j < valid && why == NULL; j++) {
            if (rows[j] == id - 1) why = "was returned twice";
        }
        if (why == NULL && !bench_topk_passes(q, query, (uint64_t)id - 1)) {
            why = "does not pass the filter";
        }
        if (why != NULL) {
            bench_class_fail(cls, &cls->wrong_rows, "query %llu: row %s %s",
                             (unsigned long long)query, text, why);
            return valid; /* one wrong row makes the op wrong; count it once */
        }
        rows[valid++] = id - 1;
    }
    return valid;
}

static void bench_topk_recall(bench_topk *q, bench_class *cls, uint64_t query,
                              const int64_t *rows, uint32_t count) {
    bench_ctx *x = q->x;
    uint32_t k = x->opts->k;
    double recall;
    if (x->truth_usable && q->bucket_bound == 0 && !q->user_filter) {
        int64_t truth[BENCH_K_MAX];
        for (uint32_t i = 0; i < k; i++) truth[i] = x->truth.data[query * x->truth.width + i];
        recall = bench_recall_ids(rows, count, truth, k);
    } else {
        float dists[BENCH_K_MAX];
        const float *v = x->pool + query * x->dims;
        float qnorm = sqrtf(bench_dot(v, v, x->dims));
        for (uint32_t i = 0; i < count; i++) {
            dists[i] = bench_distance(&x->space, v, qnorm, rows[i]);
        }
        uint32_t found = q->exact_found[query];
        if (found == 0) return;
        recall = bench_recall_dist(dists, count, q->exact_dists[query * k + found - 1], found);
    }
    cls->recall_sum += recall;
    cls->recall_count++;
}

static void bench_topk_complete(bench_topk *q, bench_thread *t, const bench_op *op,
                                const PGresult *res, bool ok) {
    if (!ok) return;
    bench_class *cls = &t->classes[op->cls];
    int64_t rows[BENCH_K_MAX];
    uint32_t count = bench_topk_rows(q, cls, op->a, res, rows);
    if (count < (uint32_t)PQntuples(res)) return; /* wrong rows: no recall for this one */
    uint64_t match = q->user_filter ? q->user_match[op->a] : q->match_count;
    uint64_t expected = match < q->x->opts->k ? match : q->x->opts->k;
    if (count < expected) {
        bench_class_fail(cls, &cls->short_results,
                         "query %llu returned %u rows while %llu rows match (k = %u)",
                         (unsigned long long)op->a, count, (unsigned long long)match,
                         q->x->opts->k);
    }
    if (op->a < q->sample && q->x->vectors != NULL) bench_topk_recall(q, cls, op->a, rows, count);
}

/* Exact answers of the sampled queries under the step's filter. */
static void bench_topk_exact(bench_topk *q) {
    bench_ctx *x = q->x;
    uint32_t k = x->opts->k;
    q->sample = x->opts->recall_sample < x->pool_count ? x->opts->recall_sample : x->pool_count;
    if (x->vectors == NULL) q->sample = 0;
    q->exact_rows = rt_xmalloc(((size_t)q->sample * k + 1) * sizeof(int64_t));
    q->exact_dists = rt_xmalloc(((size_t)q->sample * k + 1) * sizeof(float));
    q->exact_found = rt_xcalloc(q->sample + 1, sizeof(uint32_t));
    if (q->sample == 0 || (x->truth_usable && q->bucket_bound == 0 && !q->user_filter)) return;
    if (q->user_filter) {
        for (uint32_t i = 0; i < q->sample; i++) {
            uint32_t u = q->query_user[i];
            uint64_t from = x->user_offsets[u - 1], to = x->user_offsets[u];
            bench_exact_topk(&x->space, x->pool + (size_t)i * x->dims, 1, k, x->user_rows + from,
                             to - from, x->cores, q->exact_rows + (size_t)i * k,
                             q->exact_dists + (size_t)i * k, q->exact_found + i);
        }
        return;
    }
    uint64_t *cand = NULL;
    if (q->bucket_bound != 0) {
        cand = rt_xmalloc((q->match_count + 1) * sizeof(uint64_t));
        uint64_t n = 0;
        for (uint64_t r = 0; r < x->rows; r++) {
            if (bench_gen_bucket(x->opts->seed, r + 1) < q->bucket_bound) cand[n++] = r;
        }
        RT_ASSERT(n == q->match_count);
    }
    bench_exact_topk(&x->space, x->pool, q->sample, k, cand, q->match_count, x->cores,
                     q->exact_rows, q->exact_dists, q->exact_found);
    rt_free(cand);
}

static void bench_topk_free(bench_topk *q) {
    rt_free(q->exact_rows);
    rt_free(q->exact_dists);
    rt_free(q->exact_found);
    rt_free(q->query_user);
    rt_free(q->user_text);
    rt_free(q->user_match);
}

static void bench_topk_init(bench_topk *q, bench_ctx *x, uint32_t bucket_bound, bool user_filter,
                            uint32_t cls, uint32_t stmt) {
    memset(q, 0, sizeof *q);
    q->x = x;
    q->bucket_bound = bucket_bound;
    q->user_filter = user_filter;
    q->cls = cls;
    q->stmt = stmt;
    q->match_count = bucket_bound != 0
                         ? bench_gen_bucket_count(x->opts->seed, x->rows, bucket_bound)
                         : x->rows;
    if (user_filter) {
        bench_ctx_user_index(x);
        q->query_user = rt_xmalloc(x->pool_count * sizeof(uint32_t));
        q->user_text = rt_xmalloc(x->pool_count * sizeof *q->user_text);
        q->user_match = rt_xmalloc(x->pool_count * sizeof(uint64_t));
        for (uint32_t i = 0; i < x->pool_count; i++) {
            bench_rng rng;
            bench_rng_seed(&rng, x->opts->seed, BENCH_STREAM_QUERY_USERS, i);
            uint32_t u = bench_gen_user_from_uniform(&x->gen, bench_rng_uniform(&rng));
            q->query_user[i] = u;
            snprintf(q->user_text[i], sizeof q->user_text[i], "u_%u", u);
            q->user_match[i] = x->user_offsets[u] - x->user_offsets[u - 1];
        }
    }
    bench_topk_exact(q);
}

static bool bench_topk_step_issue(bench_step *step, bench_thread *t, bench_op *op,
                                  bench_params *p) {
    bench_topk_issue(step->ctx, t, op, p);
    return true;
}

static void bench_topk_step_complete(bench_step *step, bench_thread *t, const bench_op *op,
                                     const PGresult *res, bool ok) {
    bench_topk_complete(step->ctx, t, op, res, ok);
}

/* ---- running a step ---------------------------------------------------------------------- */

static void bench_step_setup(bench_step *step, const char *sql, bool optional) {
    if (sql == NULL) return;
    RT_ASSERT(step->setup_count < 2);
    snprintf(step->setup[step->setup_count], BENCH_SQL_BYTES_MAX, "%s", sql);
    step->setup_optional[step->setup_count++] = optional;
}

static void bench_step_stmt(bench_step *step, const char *sql, int params, bool prepared) {
    RT_ASSERT(step->stmt_count < BENCH_STMTS_MAX);
    bench_stmt *s = &step->stmts[step->stmt_count++];
    snprintf(s->sql, sizeof s->sql, "%s", sql);
    s->param_count = params;
    s->prepared = prepared;
}

/* Measures the step, then emits one result per class (`proto` carries the step's fields). */
static bool bench_step_measure(bench_ctx *x, bench_step *step, const bench_result *proto,
                               rt_err *err) {
    const bench_opts *o = x->opts;
    bench_measure m;
    if (!bench_engine_run(&x->engine, step, o->warmup_s, o->duration_s, o->count, &m, err)) {
        return false;
    }
    bool ok = true;
    for (uint32_t k = 0; k < step->class_count && ok; k++) {
        bench_result r = *proto;
        bench_ctx_class_result(x, &m, k, step->class_names[k], &r);
        ok = bench_ctx_emit(x, &r, err);
    }
    bench_measure_free(&m);
    return ok;
}

static void bench_ef_step_name(uint32_t ef, char *out, size_t cap) {
    if (ef == 0) {
        snprintf(out, cap, "ef=default");
    } else {
        snprintf(out, cap, "ef=%u", ef);
    }
}

/* EXPLAIN HYBRID of this many pool queries per Dreambase top-k step: a user filter's plan
 * depends on the user, so one query would not show the mix; EXPLAIN does not execute. */
#define BENCH_EXPLAIN_QUERIES 20

/* "EXPLAIN HYBRID " + sql with $1 replaced by query i's vector and $2 by its user, as
 * literals: Dreambase does not yet take parameters in an EXPLAINed statement (PostgreSQL
 * does), and literals give its planner the same values. rt_xmalloc'd. */
static char *bench_explain_text(const bench_ctx *x, const bench_topk *q, const char *sql,
                                uint32_t i) {
    size_t cap = strlen(sql) + (size_t)x->dims * BENCH_FLOAT_TEXT_BYTES_MAX + 64;
    char *out = rt_xmalloc(cap), *p = out;
    p += sprintf(p, "EXPLAIN HYBRID ");
    for (const char *s = sql; *s != '\0'; s++) {
        if (s[0] == '$' && s[1] == '1') {
            *p++ = '\'';
            p += bench_vector_format_text(x->pool + (size_t)i * x->dims, x->dims, p);
            *p++ = '\'';
            s++;
        } else if (s[0] == '$' && s[1] == '2' && q->user_filter) {
            p += sprintf(p, "'%s'", q->user_text[i]);
            s++;
        } else {
            *p++ = *s;
        }
    }
    *p = '\0';
    RT_ASSERT((size_t)(p - out) < cap);
    return out;
}

/* Dreambase: the path its hybrid planner takes for the step's statement, from the first line
 * of EXPLAIN HYBRID ("Plan: ANN-first (selectivity 0.01)"): "ANN-first", "scalar-first", or
 * the counts of each when the queries differ. A failing EXPLAIN is reported, not fatal. */
static void bench_work_explain(bench_ctx *x, bench_topk *q, const char *sql, uint32_t ef,
                               char *out, size_t cap) {
    if (x->opts->dialect != BENCH_DIALECT_DREAMBASE) return;
    rt_err err;
    rt_err_clear(&err);
    if (ef != 0) {
        char set[BENCH_SQL_BYTES_MAX];
        bench_engine_exec(&x->engine, bench_sql_set_ef_search(&x->schema, ef, set), NULL, &err);
    }
    uint32_t ann = 0, scalar = 0, other = 0;
    uint32_t n = x->pool_count < BENCH_EXPLAIN_QUERIES ? x->pool_count : BENCH_EXPLAIN_QUERIES;
    for (uint32_t i = 0; i < n && !rt_err_is_set(&err); i++) {
        char *text = bench_explain_text(x, q, sql, i);
        PGresult *res;
        bool ok = bench_engine_exec(&x->engine, text, &res, &err);
        rt_free(text);
        if (!ok) break;
        const char *line = PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
        if (strncmp(line, "Plan: ANN-first", 15) == 0) ann++;
        else if (strncmp(line, "Plan: scalar-first", 18) == 0) scalar++;
        else other++;
        PQclear(res);
    }
    if (rt_err_is_set(&err)) {
        /* The message quotes the statement, vector and all: its end says why. */
        size_t len = strlen(err.message);
        const char *why = len > 120 ? err.message + len - 120 : err.message;
        snprintf(out, cap, "EXPLAIN HYBRID failed (SQLSTATE %s)", err.sqlstate);
        fprintf(stderr, "warning: EXPLAIN HYBRID failed: ...%s\n", why);
    } else if (ann == n || scalar == n || other == n) {
        snprintf(out, cap, "%s", ann == n ? "ANN-first" : scalar == n ? "scalar-first" : "plain");
    } else {
        snprintf(out, cap, "ANN-first %u, scalar-first %u, plain %u of %u", ann, scalar, other,
                 n);
    }
}

/* One top-k step: no filter, a bucket bound, or the user filter. */
static bool bench_work_topk_step(bench_ctx *x, const char *workload, uint32_t ef, uint32_t bound,
                                 bool user, double selectivity, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    bench_topk q;
    bench_topk_init(&q, x, bound, user, 0, 0);
    bench_step step = {.class_count = 1, .class_names = {"query"}, .ctx = &q,
                       .issue = bench_topk_step_issue, .complete = bench_topk_step_complete};
    /* user_id = $2 is sent unnamed: its best plan depends on the user (Zipf: a popular user
     * has thousands of rows, most have a handful), which a generic plan cannot know. */
    bench_step_stmt(&step, bench_sql_topk(&x->schema, bound, user, sql), user ? 2 : 1, !user);
    if (ef != 0) bench_step_setup(&step, bench_sql_set_ef_search(&x->schema, ef, sql), false);
    if (bound != 0 || user) {
        bench_step_setup(&step, bench_sql_set_iterative_scan(&x->schema, sql), true);
    }
    bench_result r;
    bench_ctx_result(x, workload, &r);
    char name[24];
    bench_ef_step_name(ef, name, sizeof name);
    r.ef_search = ef;
    if (bound != 0) {
        snprintf(r.step, sizeof r.step, "%s sel=%g", name, selectivity);
        snprintf(r.filter, sizeof r.filter, "bucket");
        r.selectivity = selectivity;
        r.selectivity_actual = (double)q.match_count / (double)x->rows;
    } else if (user) {
        snprintf(r.step, sizeof r.step, "%s user", name);
        snprintf(r.filter, sizeof r.filter, "user");
        double sum = 0;
        for (uint32_t i = 0; i < x->pool_count; i++) sum += (double)q.user_match[i];
        r.selectivity_actual = sum / x->pool_count / (double)x->rows;
    } else {
        snprintf(r.step, sizeof r.step, "%s", name);
    }
    bench_work_explain(x, &q, step.stmts[0].sql, ef, r.plan, sizeof r.plan);
    bool ok = bench_step_measure(x, &step, &r, err);
    bench_topk_free(&q);
    return ok;
}

bool bench_work_ann(bench_ctx *x, rt_err *err) {
    const bench_opts *o = x->opts;
    uint32_t n = o->ef_search_count > 0 ? o->ef_search_count : 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ef = o->ef_search_count > 0 ? o->ef_search[i] : 0;
        if (!bench_work_topk_step(x, "ann", ef, 0, false, NAN, err)) return false;
    }
    return true;
}

bool bench_work_hybrid(bench_ctx *x, rt_err *err) {
    const bench_opts *o = x->opts;
    uint32_t n = o->ef_search_count > 0 ? o->ef_search_count : 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ef = o->ef_search_count > 0 ? o->ef_search[i] : 0;
        for (uint32_t s = 0; (o->filters & BENCH_FILTER_BUCKET) && s < o->selectivity_count; s++) {
            uint32_t bound = (uint32_t)llround(o->selectivity[s] * BENCH_BUCKETS);
            if (!bench_work_topk_step(x, "hybrid", ef, bound, false, o->selectivity[s], err)) {
                return false;
            }
        }
        if ((o->filters & BENCH_FILTER_USER) &&
            !bench_work_topk_step(x, "hybrid", ef, 0, true, NAN, err)) {
            return false;
        }
    }
    return true;
}

/* ---- no-op and point lookups ------------------------------------------------------------- */

static bool bench_noop_issue(bench_step *step, bench_thread *t, bench_op *op, bench_params *p) {
    (void)step, (void)t, (void)op, (void)p;
    return true;
}

static void bench_noop_complete(bench_step *step, bench_thread *t, const bench_op *op,
                                const PGresult *res, bool ok) {
    (void)step;
    bench_class *cls = &t->classes[op->cls];
    if (ok && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "1") != 0)) {
        bench_class_fail(cls, &cls->wrong_rows, "SELECT 1 did not return 1");
    }
}

bool bench_work_noop(bench_ctx *x, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    bench_step step = {.class_count = 1, .class_names = {"select-1"}, .issue = bench_noop_issue,
                       .complete = bench_noop_complete};
    bench_step_stmt(&step, bench_sql_noop(sql), 0, true);
    bench_result r;
    bench_ctx_result(x, "noop", &r);
    snprintf(r.step, sizeof r.step, "client check");
    /* Short: it only needs to show the ceiling. */
    const bench_opts *o = x->opts;
    bench_measure m;
    double duration = o->count != 0 ? 0 : fmin(o->duration_s, 2.0);
    if (!bench_engine_run(&x->engine, &step, fmin(o->warmup_s, 0.5), duration, o->count, &m, err)) {
        return false;
    }
    bench_ctx_class_result(x, &m, 0, "select-1", &r);
    bench_measure_free(&m);
    x->noop_ops_per_s = r.ops_per_s;
    x->noop_us_per_op = r.client_us_per_op;
    return bench_ctx_emit(x, &r, err);
}

static void bench_point_issue(bench_thread *t, bench_op *op, bench_params *p, uint64_t rows,
                              uint32_t cls, uint32_t stmt) {
    op->cls = cls;
    op->stmt = stmt;
    op->a = bench_rng_below(&t->rng, rows);
    p->count = 1;
    p->values[0] = t->scratch;
    sprintf(t->scratch, "%llu", (unsigned long long)op->a + 1);
}

static void bench_point_complete(bench_ctx *x, bench_thread *t, const bench_op *op,
                                 const PGresult *res, bool ok) {
    if (!ok) return;
    bench_class *cls = &t->classes[op->cls];
    if (PQntuples(res) != 1) {
        bench_class_fail(cls, &cls->short_results, "row %llu: %d rows returned, expected 1",
                         (unsigned long long)op->a + 1, PQntuples(res));
        return;
    }
    bench_row row;
    bench_gen_row(&x->gen, op->a + 1, &row);
    char user[16];
    snprintf(user, sizeof user, "u_%u", row.user_rank);
    if (strtoull(PQgetvalue(res, 0, 0), NULL, 10) != row.id ||
        strcmp(PQgetvalue(res, 0, 1), user) != 0 ||
        strcmp(PQgetvalue(res, 0, 2), bench_gen_category_name(row.category)) != 0 ||
        strtoul(PQgetvalue(res, 0, 3), NULL, 10) != row.bucket) {
        bench_class_fail(cls, &cls->wrong_rows, "row %llu: columns differ from the loaded data",
                         (unsigned long long)row.id);
    }
}

static bool bench_point_step_issue(bench_step *step, bench_thread *t, bench_op *op,
                                   bench_params *p) {
    bench_ctx *x = step->ctx;
    bench_point_issue(t, op, p, x->rows, 0, 0);
    return true;
}

static void bench_point_step_complete(bench_step *step, bench_thread *t, const bench_op *op,
                                      const PGresult *res, bool ok) {
    bench_point_complete(step->ctx, t, op, res, ok);
}

bool bench_work_point(bench_ctx *x, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    bench_step step = {.class_count = 1, .class_names = {"lookup"}, .ctx = x,
                       .issue = bench_point_step_issue, .complete = bench_point_step_complete};
    bench_step_stmt(&step, bench_sql_point(&x->schema, sql), 1, true);
    bench_result r;
    bench_ctx_result(x, "point", &r);
    snprintf(r.step, sizeof r.step, "by id");
    return bench_step_measure(x, &step, &r, err);
}

/* ---- writes ------------------------------------------------------------------------------ */

enum { BENCH_UPD_WRITE, BENCH_UPD_READ_BACK, BENCH_UPD_ANN_CHECK }; /* update: classes = stmts */
enum { BENCH_MIX_READ, BENCH_MIX_WRITE };                             /* mixed: classes */
enum { BENCH_MIX_STMT_WRITE, BENCH_MIX_STMT_READ };

typedef struct bench_write {
    bench_ctx *x;
    bool checks;                 /* update: read-back and ann-check follow each write */
    bool restore;                /* the pass that puts loaded vectors back */
    bool mixed;
    bench_topk *reads;           /* mixed with vectors: top-k reads (else point lookups) */
    uint32_t write_cls, write_stmt;
    uint64_t seq[BENCH_THREADS_MAX], owned[BENCH_THREADS_MAX], stride[BENCH_THREADS_MAX];
} bench_write;

static uint64_t bench_gcd(uint64_t a, uint64_t b) {
    while (b != 0) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* Thread t owns rows t, t + T, t + 2T, ...; it walks them in the order i * stride mod owned
 * (stride coprime to owned: a permutation), so consecutive writes hit scattered rows. */
static bool bench_write_init(bench_write *w, bench_ctx *x, rt_err *err) {
    bench_engine *e = &x->engine;
    uint32_t threads = e->thread_count;
    for (uint32_t t = 0; t < threads; t++) {
        w->owned[t] = x->rows > t ? (x->rows - 1 - t) / threads + 1 : 0;
        uint64_t need = (uint64_t)BENCH_WRITE_ROWS_PER_OP * e->threads[t].conn_count *
                        x->opts->pipeline;
        if (w->owned[t] < need) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "the write workloads need at least %llu rows for this concurrency "
                              "and pipeline depth", (unsigned long long)(need * threads));
        }
        uint64_t stride = 2654435761u % w->owned[t];
        while (stride == 0 || bench_gcd(stride, w->owned[t]) != 1) {
            stride = (stride + 1) % w->owned[t];
        }
        w->stride[t] = stride;
        w->seq[t] = 0;
    }
    if (x->row_state == NULL) x->row_state = rt_xcalloc(x->rows, 1);
    return true;
}

/* id, [vector], content of a write of `row` to state `alt`, built in t->scratch. */
static void bench_write_params(bench_write *w, bench_thread *t, uint64_t row, bool alt,
                               bench_params *p) {
    bench_ctx *x = w->x;
    char *id = t->scratch, *content = t->scratch + 32;
    sprintf(id, "%llu", (unsigned long long)row + 1);
    bench_gen_content(&x->gen, row + 1, alt ? 1 : 0, content, BENCH_CONTENT_BYTES_MAX);
    p->values[0] = id;
    if (x->dims == 0) {
        p->count = 2;
        p->values[1] = content;
        return;
    }
    float *tmp = (float *)(t->scratch + 256);
    char *vec = t->scratch + 256 + (size_t)x->dims * sizeof(float);
    bench_ctx_vector_param(x, bench_ctx_row_vector(x, row, alt, tmp), vec, p, 1);
    p->count = 3;
    p->values[2] = content;
}

static bool bench_write_issue_new(bench_write *w, bench_thread *t, bench_op *op,
                                  bench_params *p) {
    bench_ctx *x = w->x;
    uint32_t threads = x->engine.thread_count;
    uint64_t owned = w->owned[t->id], row;
    /* At most 2 x (ops in flight) rows are busy and owned is at least twice that: found. */
    do {
        uint64_t n = w->seq[t->id]++;
        row = t->id + threads * ((n % owned) * w->stride[t->id] % owned);
    } while (x->row_state[row] & BENCH_ROW_BUSY);
    bool alt = !(x->row_state[row] & BENCH_ROW_ALT);
    x->row_state[row] |= BENCH_ROW_BUSY;
    op->cls = w->write_cls;
    op->stmt = w->write_stmt;
    op->a = row;
    op->b = alt;
    bench_write_params(w, t, row, alt, p);
    return true;
}

/* The restore pass: the next row of this thread still holding its update vector. */
static bool bench_write_issue_restore(bench_write *w, bench_thread *t, bench_op *op,
                                      bench_params *p) {
    bench_ctx *x = w->x;
    uint32_t threads = x->engine.thread_count;
    while (w->seq[t->id] < w->owned[t->id]) {
        uint64_t row = t->id + threads * w->seq[t->id]++;
        if ((x->row_state[row] & (BENCH_ROW_ALT | BENCH_ROW_BUSY)) != BENCH_ROW_ALT) continue;
        x->row_state[row] |= BENCH_ROW_BUSY;
        op->cls = w->write_cls;
        op->stmt = w->write_stmt;
        op->a = row;
        op->b = 0;
        bench_write_params(w, t, row, false, p);
        return true;
    }
    return false;
}

static void bench_write_done(bench_ctx *x, uint64_t row) { x->row_state[row] &= ~BENCH_ROW_BUSY; }

static void bench_write_complete(bench_write *w, bench_thread *t, const bench_op *op, bool ok) {
    bench_ctx *x = w->x;
    uint64_t row = op->a;
    if (!ok) {
        bench_write_done(x, row);
        return;
    }
    if (op->b) {
        x->row_state[row] |= BENCH_ROW_ALT;
    } else {
        x->row_state[row] &= ~BENCH_ROW_ALT;
    }
    if (!w->checks) {
        bench_write_done(x, row);
        return;
    }
    bench_op next = *op;
    next.cls = next.stmt = BENCH_UPD_READ_BACK;
    next.origin = op->conn;
    bench_thread_followup(t, &next);
}

/* The read on another connection must see exactly the vector the UPDATE wrote. */
static void bench_read_back_complete(bench_write *w, bench_thread *t, const bench_op *op,
                                     const PGresult *res, bool ok) {
    bench_ctx *x = w->x;
    bench_class *cls = &t->classes[op->cls];
    if (!ok) {
        bench_write_done(x, op->a);
        return;
    }
    float *want = rt_xmalloc(2 * (size_t)x->dims * sizeof(float));
    const float *expect = bench_ctx_row_vector(x, op->a, op->b, want);
    float *got = want + x->dims;
    rt_err err;
    rt_err_clear(&err);
    if (PQntuples(res) != 1) {
        bench_class_fail(cls, &cls->freshness_errors, "row %llu: not found after its UPDATE",
                         (unsigned long long)op->a + 1);
    } else if (!bench_vector_parse_text(PQgetvalue(res, 0, 0), x->dims, got, &err)) {
        bench_class_fail(cls, &cls->freshness_errors, "row %llu: %s",
                         (unsigned long long)op->a + 1, err.message);
    } else {
        bool same = true;
        for (uint32_t i = 0; same && i < x->dims; i++) same = got[i] == expect[i]; /* -0 == 0 */
        if (!same) {
            bench_class_fail(cls, &cls->freshness_errors,
                             "row %llu: connection %u did not see the vector written on "
                             "connection %u", (unsigned long long)op->a + 1, op->conn,
                             op->origin);
        }
    }
    rt_free(want);
    bench_op next = *op;
    next.cls = next.stmt = BENCH_UPD_ANN_CHECK;
    bench_thread_followup(t, &next);
}

static void bench_ann_check_complete(bench_write *w, bench_thread *t, const bench_op *op,
                                     const PGresult *res, bool ok) {
    bench_class *cls = &t->classes[op->cls];
    bench_write_done(w->x, op->a);
    if (!ok) return;
    for (int i = 0; i < PQntuples(res); i++) {
        if (strtoull(PQgetvalue(res, i, 0), NULL, 10) == op->a + 1) return;
    }
    bench_class_fail(cls, &cls->index_misses,
                     "row %llu: a top-%u search for its new vector did not return it",
                     (unsigned long long)op->a + 1, w->x->opts->k);
}

static bool bench_write_step_issue(bench_step *step, bench_thread *t, bench_op *op,
                                   bench_params *p) {
    bench_write *w = step->ctx;
    bench_ctx *x = w->x;
    if (op->origin != BENCH_NO_ORIGIN) { /* a follow-up of the update workload */
        p->count = 1;
        if (op->stmt == BENCH_UPD_READ_BACK) {
            sprintf(t->scratch, "%llu", (unsigned long long)op->a + 1);
            p->values[0] = t->scratch;
            return true;
        }
        float *tmp = (float *)(t->scratch + 256);
        char *vec = t->scratch + 256 + (size_t)x->dims * sizeof(float);
        bench_ctx_vector_param(x, bench_ctx_row_vector(x, op->a, op->b, tmp), vec, p, 0);
        return true;
    }
    if (w->restore) return bench_write_issue_restore(w, t, op, p);
    if (w->mixed && bench_rng_uniform(&t->rng) < x->opts->read_ratio) {
        if (w->reads != NULL) {
            bench_topk_issue(w->reads, t, op, p);
        } else {
            bench_point_issue(t, op, p, x->rows, BENCH_MIX_READ, BENCH_MIX_STMT_READ);
        }
        return true;
    }
    return bench_write_issue_new(w, t, op, p);
}

static void bench_write_step_complete(bench_step *step, bench_thread *t, const bench_op *op,
                                      const PGresult *res, bool ok) {
    bench_write *w = step->ctx;
    if (w->mixed && op->cls == BENCH_MIX_READ) {
        if (w->reads != NULL) {
            bench_topk_complete(w->reads, t, op, res, ok);
        } else {
            bench_point_complete(w->x, t, op, res, ok);
        }
        return;
    }
    if (op->cls == w->write_cls) {
        bench_write_complete(w, t, op, ok);
    } else if (op->cls == BENCH_UPD_READ_BACK) {
        bench_read_back_complete(w, t, op, res, ok);
    } else {
        bench_ann_check_complete(w, t, op, res, ok);
    }
}

/* Puts the loaded vectors back into every row a write step changed. */
static bool bench_write_restore(bench_ctx *x, rt_err *err) {
    if (x->dims == 0) return true; /* content only: the checks never look at it */
    char sql[BENCH_SQL_BYTES_MAX];
    bench_write w = {.x = x, .restore = true, .write_cls = 0, .write_stmt = 0};
    for (uint32_t t = 0; t < x->engine.thread_count; t++) {
        w.owned[t] = x->rows > t ? (x->rows - 1 - t) / x->engine.thread_count + 1 : 0;
    }
    bench_step step = {.class_count = 1, .class_names = {"restore"}, .ctx = &w,
                       .issue = bench_write_step_issue, .complete = bench_write_step_complete};
    bench_step_stmt(&step, bench_sql_update(&x->schema, sql), 3, true);
    if (!bench_engine_drain(&x->engine, &step, err)) return false;
    for (uint64_t r = 0; r < x->rows; r++) {
        if (x->row_state[r] & BENCH_ROW_ALT) {
            return rt_err_set(err, SQLSTATE_CONNECTION_FAILURE,
                              "could not restore row %llu's vector; reload the table",
                              (unsigned long long)r + 1);
        }
    }
    return true;
}

bool bench_work_update(bench_ctx *x, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    bench_write w = {.x = x, .checks = true, .write_cls = BENCH_UPD_WRITE,
                     .write_stmt = BENCH_UPD_WRITE};
    if (!bench_write_init(&w, x, err)) return false;
    bench_step step = {.class_count = 3, .class_names = {"update", "read-back", "ann-check"},
                       .ctx = &w, .issue = bench_write_step_issue,
                       .complete = bench_write_step_complete};
    bench_step_stmt(&step, bench_sql_update(&x->schema, sql), 3, true);
    bench_step_stmt(&step, bench_sql_read_vector(&x->schema, sql), 1, true);
    bench_step_stmt(&step, bench_sql_topk(&x->schema, 0, false, sql), 1, true);
    bench_result r;
    bench_ctx_result(x, "update", &r);
    snprintf(r.step, sizeof r.step, "embedding");
    if (!bench_step_measure(x, &step, &r, err)) return false;
    return bench_write_restore(x, err);
}

bool bench_work_mixed(bench_ctx *x, rt_err *err) {
    char sql[BENCH_SQL_BYTES_MAX];
    bench_topk reads;
    bench_write w = {.x = x, .mixed = true, .write_cls = BENCH_MIX_WRITE,
                     .write_stmt = BENCH_MIX_STMT_WRITE};
    if (!bench_write_init(&w, x, err)) return false;
    bench_step step = {.class_count = 2, .class_names = {"read", "write"}, .ctx = &w,
                       .issue = bench_write_step_issue, .complete = bench_write_step_complete};
    bench_step_stmt(&step, bench_sql_update(&x->schema, sql), x->dims > 0 ? 3 : 2, true);
    if (x->dims > 0) {
        bench_topk_init(&reads, x, 0, false, BENCH_MIX_READ, BENCH_MIX_STMT_READ);
        w.reads = &reads;
        bench_step_stmt(&step, bench_sql_topk(&x->schema, 0, false, sql), 1, true);
    } else {
        bench_step_stmt(&step, bench_sql_point(&x->schema, sql), 1, true);
    }
    bench_result r;
    bench_ctx_result(x, "mixed", &r);
    snprintf(r.step, sizeof r.step, "read=%g%%", x->opts->read_ratio * 100);
    bool ok = bench_step_measure(x, &step, &r, err);
    if (w.reads != NULL) bench_topk_free(&reads);
    return ok && bench_write_restore(x, err);
}
