/* eng_hnsw_bench.c: build time, search latency and recall of one HNSW graph (engine/eng_hnsw.h)
 * on synthetic embeddings, single-threaded as on one shard.
 * Data: like real embedding models, vectors live near a low-dimensional manifold: a mixture of
 * 100 Gaussian clusters in a 32-dimensional latent space, mapped into `dims` dimensions by a
 * fixed random matrix, plus 5% isotropic noise, normalised; queries are drawn the same way.
 * Usage: eng_hnsw_bench [rows=100000] [dims=768] [queries=1000] [ef,ef,...=40] [lowrank|iso]
 * (iso: dreambase-bench's generator instead, noise in every dimension)
 * Prints build time per insert, graph memory, then for each ef: mean search latency, distance
 * computations per query, and recall@10 against brute force on the first 200 queries.
 * Stall mode: eng_hnsw_bench stall [rows=25000] [dims=768] [reps=2] inserts rows one by one
 * with a search after every fourth, as a shard serving writes and queries, through the int8
 * copy's start (10,923 nodes at 768 dims) and relearn (twice that); it takes every call's
 * thread CPU time (what it holds the shard for, preemption on a loaded machine left out) and
 * prints the longest (the longest the shard does not return to its loop), the 99.9th
 * percentile and the calls over 1 ms, with the copy made in one go (quant_slice_elems =
 * UINT64_MAX, as before slicing) and in ENG_HNSW_QUANT_SLICE_ELEMS slices, A/B alternating. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/eng_hnsw.h"
#include "runtime/rt_time.h"

#define BENCH_LATENT_DIMS 32u
#define BENCH_CLUSTERS 100u
#define BENCH_EXACT_QUERIES 200u
#define BENCH_K 10u

typedef struct bench_data {
    float *rows;
    uint32_t dims;
} bench_data;

static const float *bench_vec(void *ctx, uint32_t slot) {
    bench_data *d = ctx;
    return d->rows + (size_t)slot * d->dims;
}

static uint64_t bench_rng = 0x1234567;

static double bench_uniform(void) {
    bench_rng ^= bench_rng << 13;
    bench_rng ^= bench_rng >> 7;
    bench_rng ^= bench_rng << 17;
    return ((double)(bench_rng >> 11) + 0.5) * 0x1.0p-53;
}

static float bench_gauss(void) {
    return (float)(sqrt(-2.0 * log(bench_uniform())) * cos(6.283185307179586 * bench_uniform()));
}

static void bench_fill(float *rows, uint32_t n, uint32_t dims) {
    const uint32_t latent = BENCH_LATENT_DIMS;
    float *centres = malloc((size_t)BENCH_CLUSTERS * latent * sizeof(float));
    float *map = malloc((size_t)latent * dims * sizeof(float));
    for (size_t i = 0; i < (size_t)BENCH_CLUSTERS * latent; i++) centres[i] = bench_gauss();
    for (size_t i = 0; i < (size_t)latent * dims; i++) map[i] = bench_gauss();
    float z[BENCH_LATENT_DIMS];
    for (uint32_t r = 0; r < n; r++) {
        uint32_t c = (uint32_t)(bench_uniform() * BENCH_CLUSTERS);
        for (uint32_t j = 0; j < latent; j++) z[j] = centres[c * latent + j] + 0.5f * bench_gauss();
        float *v = rows + (size_t)r * dims;
        double ns = 0;
        for (uint32_t j = 0; j < dims; j++) {
            float x = 0.05f * bench_gauss() * sqrtf((float)latent);
            for (uint32_t l = 0; l < latent; l++) x += z[l] * map[(size_t)l * dims + j];
            v[j] = x;
            ns += (double)x * x;
        }
        float inv = (float)(1.0 / sqrt(ns));
        for (uint32_t j = 0; j < dims; j++) v[j] *= inv;
    }
    free(centres);
    free(map);
}

/* The dreambase-bench generator's data (bench_gen.c): unit centres of 100 clusters plus
 * Gaussian noise of norm about 0.6 in every dimension, normalised. Its intrinsic dimension is
 * the full `dims`, much harder for HNSW than the low-rank data above. */
static void bench_fill_iso(float *rows, uint32_t n, uint32_t dims) {
    float *centres = malloc((size_t)BENCH_CLUSTERS * dims * sizeof(float));
    for (uint32_t c = 0; c < BENCH_CLUSTERS; c++) {
        float *v = centres + (size_t)c * dims;
        double ns = 0;
        for (uint32_t j = 0; j < dims; j++) {
            v[j] = bench_gauss();
            ns += (double)v[j] * v[j];
        }
        for (uint32_t j = 0; j < dims; j++) v[j] = (float)(v[j] / sqrt(ns));
    }
    double sigma = 0.6 / sqrt((double)dims);
    for (uint32_t r = 0; r < n; r++) {
        const float *c = centres + (size_t)(bench_uniform() * BENCH_CLUSTERS) * dims;
        float *v = rows + (size_t)r * dims;
        double ns = 0;
        for (uint32_t j = 0; j < dims; j++) {
            v[j] = (float)(c[j] + sigma * bench_gauss());
            ns += (double)v[j] * v[j];
        }
        for (uint32_t j = 0; j < dims; j++) v[j] = (float)(v[j] / sqrt(ns));
    }
    free(centres);
}

/* The exact 10th smallest L2 distance from q to the rows (squared). */
static float bench_kth(const bench_data *d, uint32_t n, const float *q, float *scratch) {
    float best[BENCH_K];
    for (uint32_t i = 0; i < BENCH_K; i++) best[i] = INFINITY;
    eng_dist_active->l2sq_rows(q, d->rows, n, d->dims, scratch);
    for (uint32_t i = 0; i < n; i++) {
        if (!(scratch[i] < best[BENCH_K - 1])) continue;
        uint32_t j = BENCH_K - 1;
        while (j > 0 && best[j - 1] > scratch[i]) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = scratch[i];
    }
    return best[BENCH_K - 1];
}

static void bench_search(eng_hnsw *h, const bench_data *d, uint32_t n, uint32_t nq, uint32_t ef,
                         const float *kth) {
    eng_hnsw_hit hits[BENCH_K];
    eng_hnsw_search_stats st;
    eng_hnsw_search_opts o = {.k = BENCH_K, .ef_search = ef};
    rt_err err;
    rt_err_clear(&err);
    uint64_t distances = 0, good = 0;
    uint64_t t0 = rt_time_mono_ns();
    for (uint32_t q = 0; q < nq; q++) {
        eng_hnsw_search(h, bench_vec((void *)d, n + q), &o, hits, &st, &err);
        distances += st.distances;
    }
    uint64_t t1 = rt_time_mono_ns();
    uint32_t exact = nq < BENCH_EXACT_QUERIES ? nq : BENCH_EXACT_QUERIES;
    for (uint32_t q = 0; q < exact; q++) {
        const float *qv = bench_vec((void *)d, n + q);
        eng_hnsw_search(h, qv, &o, hits, &st, &err);
        for (uint32_t i = 0; i < st.hit_count; i++) {
            good += hits[i].distance * hits[i].distance <= kth[q] * (1.0f + 1e-5f);
        }
    }
    printf("search ef %4u: %7.1f us/query, %6.0f distances/query, recall@10 %.4f\n", ef,
           (double)(t1 - t0) / 1e3 / nq, (double)distances / nq,
           (double)good / (BENCH_K * exact));
}

#define BENCH_STALL_SEARCH_EVERY 4u
#define BENCH_STALL_SLOW_NS 1000000ull

static int bench_u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* CPU time of this thread: what a call costs the shard, whatever else the machine runs. */
static uint64_t bench_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bench_stall(int argc, char **argv) {
    uint32_t n = argc > 2 ? (uint32_t)atoi(argv[2]) : 25000;
    uint32_t dims = argc > 3 ? (uint32_t)atoi(argv[3]) : 768;
    uint32_t reps = argc > 4 ? (uint32_t)atoi(argv[4]) : 2;
    uint32_t nq = 200;
    bench_data d = {.rows = malloc((size_t)(n + nq) * dims * sizeof(float)), .dims = dims};
    bench_fill(d.rows, n + nq, dims);
    uint64_t *calls = malloc(((size_t)n + n / BENCH_STALL_SEARCH_EVERY + 1) * sizeof(uint64_t));
    for (uint32_t rep = 0; rep < 2 * reps; rep++) {
        bool sliced = rep % 2 == 1;
        eng_hnsw_params p = {.metric = ENG_HNSW_L2, .dims = dims, .seed = 42,
                             .quant_slice_elems = sliced ? 0 : UINT64_MAX};
        rt_err err;
        rt_err_clear(&err);
        eng_hnsw *h = eng_hnsw_create(&p, &err, bench_vec, &d);
        eng_hnsw_search_opts o = {.k = BENCH_K, .ef_search = 40};
        eng_hnsw_hit hits[BENCH_K];
        eng_hnsw_search_stats st;
        size_t nc = 0;
        uint64_t max_ns = 0, max_wall = 0, total = 0, max_at = 0;
        for (uint32_t i = 0; i < n; i++) {
            for (int op = 0; op < 2; op++) {
                if (op == 1 && i % BENCH_STALL_SEARCH_EVERY != 0) break;
                uint64_t w0 = rt_time_mono_ns(), t0 = bench_cpu_ns();
                if (op == 0 && !eng_hnsw_insert(h, i, &err)) {
                    fprintf(stderr, "insert: %s\n", err.message);
                    return 1;
                }
                if (op == 1) {
                    eng_hnsw_search(h, bench_vec(&d, n + i / BENCH_STALL_SEARCH_EVERY % nq),
                                    &o, hits, &st, &err);
                }
                uint64_t t = bench_cpu_ns() - t0, w = rt_time_mono_ns() - w0;
                calls[nc++] = t;
                if (t > max_ns) max_ns = t, max_at = i;
                if (w > max_wall) max_wall = w;
            }
        }
        for (size_t c = 0; c < nc; c++) total += calls[c];
        qsort(calls, nc, sizeof calls[0], bench_u64_cmp);
        size_t slow = 0;
        for (size_t c = 0; c < nc; c++) slow += calls[c] > BENCH_STALL_SLOW_NS;
        eng_hnsw_info info;
        eng_hnsw_get_info(h, &info);
        printf("stall %s %u x %u: longest call %.2f ms CPU (row %llu; %.2f ms wall), p99.9 "
               "%.3f ms, %zu of %zu calls over 1 ms, CPU %.2f s, quantized %d\n",
               sliced ? "sliced" : "one go", n, dims, (double)max_ns / 1e6,
               (unsigned long long)max_at, (double)max_wall / 1e6,
               (double)calls[nc - 1 - nc / 1000] / 1e6, slow, nc, (double)total / 1e9,
               info.quantized);
        eng_hnsw_destroy(h);
    }
    free(calls);
    free(d.rows);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "stall") == 0) return bench_stall(argc, argv);
    uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 100000;
    uint32_t dims = argc > 2 ? (uint32_t)atoi(argv[2]) : 768;
    uint32_t nq = argc > 3 ? (uint32_t)atoi(argv[3]) : 1000;
    const char *efs = argc > 4 ? argv[4] : "40";
    bool iso = argc > 5 && strcmp(argv[5], "iso") == 0;
    bench_data d = {.rows = malloc((size_t)(n + nq) * dims * sizeof(float)), .dims = dims};
    if (iso) bench_fill_iso(d.rows, n + nq, dims);
    else bench_fill(d.rows, n + nq, dims);
    eng_hnsw_params p = {.metric = ENG_HNSW_L2, .dims = dims, .seed = 42};
    rt_err err;
    rt_err_clear(&err);
    eng_hnsw *h = eng_hnsw_create(&p, &err, bench_vec, &d);
    uint64_t t0 = rt_time_mono_ns();
    for (uint32_t i = 0; i < n; i++) {
        if (!eng_hnsw_insert(h, i, &err)) {
            fprintf(stderr, "insert: %s\n", err.message);
            return 1;
        }
    }
    uint64_t t1 = rt_time_mono_ns();
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    printf("build %u x %u: %.1f s, %.1f us/insert; graph %.1f MB, %u levels, degree %.1f; "
           "kernels %s\n", n, dims, (double)(t1 - t0) / 1e9, (double)(t1 - t0) / 1e3 / n,
           (double)info.memory_bytes / 1e6, info.levels,
           (double)info.edges_level0 / (double)info.nodes, eng_dist_active->name);
    uint32_t exact = nq < BENCH_EXACT_QUERIES ? nq : BENCH_EXACT_QUERIES;
    float *kth = malloc(exact * sizeof(float));
    float *scratch = malloc((size_t)n * sizeof(float));
    for (uint32_t q = 0; q < exact; q++) kth[q] = bench_kth(&d, n, bench_vec(&d, n + q), scratch);
    for (const char *s = efs; *s != '\0';) {
        char *end;
        uint32_t ef = (uint32_t)strtoul(s, &end, 10);
        bench_search(h, &d, n, nq, ef, kth);
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s != '\0') break;
    }
    eng_hnsw_destroy(h);
    free(kth);
    free(scratch);
    free(d.rows);
    return 0;
}
