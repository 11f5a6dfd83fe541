/* bench_exact.c: exact top-k by brute force, the ground truth recall is measured against.
 * Threads split the candidate rows; each thread walks its rows in blocks small enough to stay
 * in cache and scores every query of the batch against a block before moving on, so memory
 * is read once per batch of queries rather than once per query. Each thread keeps a bounded
 * max-heap per query; the heaps are merged at the end. The dot product uses AVX-512 or
 * AVX2+FMA when the CPU has them (chosen once, by cpuid), plain C otherwise. */
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

/* Rows per block: 256 rows of 1536 floats is 1.5 MiB, about an L2 cache. */
#define BENCH_EXACT_BLOCK_ROWS 256
/* Queries scored against one block before the next block is read. */
#define BENCH_EXACT_QUERY_BATCH 64

/* ---- dot products ------------------------------------------------------------------------ */

static float bench_dot_plain(const float *a, const float *b, uint32_t dims) {
    /* Eight independent sums: the compiler can keep them in one vector register. */
    float acc[8] = {0};
    uint32_t i = 0;
    for (; i + 8 <= dims; i += 8) {
        for (uint32_t j = 0; j < 8; j++) acc[j] += a[i + j] * b[i + j];
    }
    float sum = 0;
    for (; i < dims; i++) sum += a[i] * b[i];
    for (uint32_t j = 0; j < 8; j++) sum += acc[j];
    return sum;
}

__attribute__((target("avx2,fma"))) static float bench_dot_avx2(const float *a, const float *b,
                                                                  uint32_t dims) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    uint32_t i = 0;
    for (; i + 16 <= dims; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= dims; i += 8) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    }
    s0 = _mm256_add_ps(s0, s1);
    __m128 lo = _mm256_castps256_ps128(s0), hi = _mm256_extractf128_ps(s0, 1);
    __m128 s = _mm_add_ps(lo, hi);
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    float sum = _mm_cvtss_f32(s);
    for (; i < dims; i++) sum += a[i] * b[i];
    return sum;
}

__attribute__((target("avx512f"))) static float bench_dot_avx512(const float *a, const float *b,
                                                                  uint32_t dims) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    uint32_t i = 0;
    for (; i + 32 <= dims; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    if (i + 16 <= dims) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        i += 16;
    }
    if (i < dims) {
        /* The tail under a mask: no scalar loop, no read past the end. */
        __mmask16 m = (__mmask16)((1u << (dims - i)) - 1);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

typedef float (*bench_dot_fn)(const float *, const float *, uint32_t);

static bench_dot_fn bench_dot_choose(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return bench_dot_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return bench_dot_avx2;
    return bench_dot_plain;
}

float bench_dot(const float *a, const float *b, uint32_t dims) {
    /* Chosen on first use; a race sets the same value twice, so no lock is needed. */
    static bench_dot_fn fn;
    bench_dot_fn f = __atomic_load_n(&fn, __ATOMIC_RELAXED);
    if (f == NULL) {
        f = bench_dot_choose();
        __atomic_store_n(&fn, f, __ATOMIC_RELAXED);
    }
    return f(a, b, dims);
}

static inline float bench_distance_from_dot(bench_metric metric, float dot, float qnorm,
                                            float rnorm) {
    switch (metric) {
    case BENCH_METRIC_COSINE: {
        float denom = qnorm * rnorm;
        return denom > 0 ? 1.0f - dot / denom : 1.0f; /* zero vectors: pgvector gives NaN */
    }
    case BENCH_METRIC_L2:
        return qnorm * qnorm + rnorm * rnorm - 2.0f * dot;
    case BENCH_METRIC_IP:
        return -dot;
    }
    RT_UNREACHABLE();
}

float bench_distance(const bench_space *space, const float *query, float query_norm,
                     uint64_t row) {
    const float *v = space->base + row * space->dims;
    float dot = bench_dot(query, v, space->dims);
    float rnorm = space->norms != NULL ? space->norms[row] : sqrtf(bench_dot(v, v, space->dims));
    return bench_distance_from_dot(space->metric, dot, query_norm, rnorm);
}

/* ---- norms ------------------------------------------------------------------------------- */

typedef struct bench_norm_job {
    const float *base;
    uint64_t from, to;
    uint32_t dims;
    float *norms;
} bench_norm_job;

static void *bench_norm_thread(void *arg) {
    bench_norm_job *job = arg;
    for (uint64_t r = job->from; r < job->to; r++) {
        const float *v = job->base + r * job->dims;
        job->norms[r] = sqrtf(bench_dot(v, v, job->dims));
    }
    return NULL;
}

void bench_space_norms(const float *base, uint64_t rows, uint32_t dims, uint32_t threads,
                       float *norms) {
    if (threads == 0) threads = 1;
    if (threads > BENCH_THREADS_MAX) threads = BENCH_THREADS_MAX;
    pthread_t tids[BENCH_THREADS_MAX];
    bench_norm_job jobs[BENCH_THREADS_MAX];
    for (uint32_t t = 0; t < threads; t++) {
        jobs[t] = (bench_norm_job){.base = base, .dims = dims, .norms = norms,
                                   .from = rows * t / threads, .to = rows * (t + 1) / threads};
        RT_ASSERT(pthread_create(&tids[t], NULL, bench_norm_thread, &jobs[t]) == 0);
    }
    for (uint32_t t = 0; t < threads; t++) pthread_join(tids[t], NULL);
}

/* ---- bounded heaps ----------------------------------------------------------------------- */

typedef struct bench_hit {
    float dist;
    int64_t row;
} bench_hit;

/* Ordering by (distance, row): ties go to the lower row, so results do not depend on how
 * the rows were split between threads. */
static inline bool bench_hit_worse(bench_hit a, bench_hit b) {
    return a.dist > b.dist || (a.dist == b.dist && a.row > b.row);
}

/* Max-heap of at most k hits: the root is the worst kept hit. */
static void bench_heap_push(bench_hit *heap, uint32_t *len, uint32_t k, bench_hit hit) {
    uint32_t i;
    if (*len < k) {
        i = (*len)++;
        while (i > 0) {
            uint32_t parent = (i - 1) / 2;
            if (!bench_hit_worse(hit, heap[parent])) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = hit;
        return;
    }
    if (!bench_hit_worse(heap[0], hit)) return;
    i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= *len) break;
        if (child + 1 < *len && bench_hit_worse(heap[child + 1], heap[child])) child++;
        if (!bench_hit_worse(heap[child], hit)) break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = hit;
}

/* ---- the search -------------------------------------------------------------------------- */

typedef struct bench_exact_job {
    const bench_space *space;
    const float *queries;
    const float *query_norms;
    uint32_t query_count, k;
    const uint64_t *candidates;
    uint64_t from, to;       /* positions in candidates (or rows) */
    bench_hit *heaps;        /* query_count x k */
    uint32_t *lens;
} bench_exact_job;

static void bench_exact_block(bench_exact_job *job, uint64_t from, uint64_t to, uint32_t q0,
                              uint32_t q1) {
    const bench_space *space = job->space;
    for (uint32_t q = q0; q < q1; q++) {
        const float *query = job->queries + (size_t)q * space->dims;
        bench_hit *heap = job->heaps + (size_t)q * job->k;
        for (uint64_t i = from; i < to; i++) {
            uint64_t row = job->candidates != NULL ? job->candidates[i] : i;
            const float *v = space->base + row * space->dims;
            float dot = bench_dot(query, v, space->dims);
            float rnorm = space->norms != NULL ? space->norms[row] : 0;
            bench_hit hit = {bench_distance_from_dot(space->metric, dot, job->query_norms[q],
                                                     rnorm),
                             (int64_t)row};
            bench_heap_push(heap, &job->lens[q], job->k, hit);
        }
    }
}

static void *bench_exact_thread(void *arg) {
    bench_exact_job *job = arg;
    for (uint32_t q0 = 0; q0 < job->query_count; q0 += BENCH_EXACT_QUERY_BATCH) {
        uint32_t q1 = q0 + BENCH_EXACT_QUERY_BATCH;
        if (q1 > job->query_count) q1 = job->query_count;
        for (uint64_t b = job->from; b < job->to; b += BENCH_EXACT_BLOCK_ROWS) {
            uint64_t e = b + BENCH_EXACT_BLOCK_ROWS;
            bench_exact_block(job, b, e < job->to ? e : job->to, q0, q1);
        }
    }
    return NULL;
}

static int bench_hit_cmp(const void *a, const void *b) {
    bench_hit x = *(const bench_hit *)a, y = *(const bench_hit *)b;
    return bench_hit_worse(x, y) ? 1 : bench_hit_worse(y, x) ? -1 : 0;
}

void bench_exact_topk(const bench_space *space, const float *queries, uint32_t query_count,
                      uint32_t k, const uint64_t *candidates, uint64_t candidate_count,
                      uint32_t threads, int64_t *rows_out, float *dists_out, uint32_t *found) {
    RT_ASSERT(k > 0 && k <= BENCH_K_MAX);
    RT_ASSERT(space->metric == BENCH_METRIC_IP || space->norms != NULL);
    uint64_t n = candidates != NULL ? candidate_count : space->rows;
    if (threads == 0) threads = 1;
    if (threads > BENCH_THREADS_MAX) threads = BENCH_THREADS_MAX;
    if (n < (uint64_t)threads * BENCH_EXACT_BLOCK_ROWS) threads = 1; /* not worth a thread */
    float *qnorms = rt_xmalloc((size_t)query_count * sizeof(float) + 1);
    for (uint32_t q = 0; q < query_count; q++) {
        const float *v = queries + (size_t)q * space->dims;
        qnorms[q] = sqrtf(bench_dot(v, v, space->dims));
    }
    pthread_t tids[BENCH_THREADS_MAX];
    bench_exact_job jobs[BENCH_THREADS_MAX];
    for (uint32_t t = 0; t < threads; t++) {
        jobs[t] = (bench_exact_job){
            .space = space, .queries = queries, .query_norms = qnorms,
            .query_count = query_count, .k = k, .candidates = candidates,
            .from = n * t / threads, .to = n * (t + 1) / threads,
            .heaps = rt_xmalloc((size_t)query_count * k * sizeof(bench_hit) + 1),
            .lens = rt_xcalloc(query_count + 1, sizeof(uint32_t))};
        if (threads == 1) {
            bench_exact_thread(&jobs[0]);
        } else {
            RT_ASSERT(pthread_create(&tids[t], NULL, bench_exact_thread, &jobs[t]) == 0);
        }
    }
    if (threads > 1) {
        for (uint32_t t = 0; t < threads; t++) pthread_join(tids[t], NULL);
    }
    /* Merge: pour every thread's heap of query q into the first thread's, then sort it. */
    for (uint32_t q = 0; q < query_count; q++) {
        bench_hit *heap = jobs[0].heaps + (size_t)q * k;
        for (uint32_t t = 1; t < threads; t++) {
            for (uint32_t i = 0; i < jobs[t].lens[q]; i++) {
                bench_heap_push(heap, &jobs[0].lens[q], k, jobs[t].heaps[(size_t)q * k + i]);
            }
        }
        uint32_t len = jobs[0].lens[q];
        qsort(heap, len, sizeof(bench_hit), bench_hit_cmp);
        for (uint32_t i = 0; i < len; i++) {
            rows_out[(size_t)q * k + i] = heap[i].row;
            dists_out[(size_t)q * k + i] = heap[i].dist;
        }
        found[q] = len;
    }
    for (uint32_t t = 0; t < threads; t++) {
        rt_free(jobs[t].heaps);
        rt_free(jobs[t].lens);
    }
    rt_free(qnorms);
}
