/* bench_stats.c: latency samples, percentiles and recall@k.
 * Percentiles are exact over the kept samples (sorted, nearest rank), not interpolated from
 * a histogram: at p99 of a few thousand ops the bucket width of a histogram would be the
 * error. Past BENCH_SAMPLES_MAX per thread and class the samples become a uniform reservoir
 * (Vitter's algorithm R), so memory stays bounded and the percentiles stay unbiased. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

void bench_samples_init(bench_samples *samples, uint64_t limit, uint64_t seed) {
    RT_ASSERT(limit > 0);
    memset(samples, 0, sizeof *samples);
    samples->limit = limit;
    bench_rng_seed(&samples->rng, seed, BENCH_STREAM_ENGINE, 0x5a5a);
}

void bench_samples_free(bench_samples *samples) {
    rt_free(samples->ns);
    samples->ns = NULL;
    samples->cap = samples->count = 0;
}

void bench_samples_reset(bench_samples *samples) {
    samples->count = samples->seen = samples->max_ns = samples->sum_ns = 0;
}

void bench_samples_add(bench_samples *samples, uint64_t ns) {
    samples->seen++;
    samples->sum_ns += ns;
    if (ns > samples->max_ns) samples->max_ns = ns;
    if (samples->count < samples->limit) {
        if (samples->count == samples->cap) {
            uint64_t cap = samples->cap == 0 ? 1024 : samples->cap * 2;
            if (cap > samples->limit) cap = samples->limit;
            samples->ns = rt_xrealloc(samples->ns, cap * sizeof(uint64_t));
            samples->cap = cap;
        }
        samples->ns[samples->count++] = ns;
        return;
    }
    /* Reservoir: the i-th sample replaces a random kept one with probability limit / i. */
    uint64_t slot = bench_rng_below(&samples->rng, samples->seen);
    if (slot < samples->limit) samples->ns[slot] = ns;
}

void bench_samples_merge(bench_samples *dst, const bench_samples *src) {
    if (src->seen == 0) return;
    uint64_t need = dst->count + src->count;
    if (need > dst->cap) {
        dst->ns = rt_xrealloc(dst->ns, need * sizeof(uint64_t));
        dst->cap = need;
    }
    memcpy(dst->ns + dst->count, src->ns, src->count * sizeof(uint64_t));
    dst->count = need;
    dst->limit = dst->limit + src->limit;
    dst->seen += src->seen;
    dst->sum_ns += src->sum_ns;
    if (src->max_ns > dst->max_ns) dst->max_ns = src->max_ns;
}

static int bench_u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t bench_percentile(const uint64_t *sorted, uint64_t n, double p) {
    RT_ASSERT(n > 0);
    RT_ASSERT(p > 0 && p <= 100);
    /* Nearest rank: ceil(p/100 * n), computed so that p = 50, n = 10 gives exactly 5 even
     * though 0.5 * 10 is evaluated in floating point. */
    double exact = p / 100.0 * (double)n;
    uint64_t rank = (uint64_t)ceil(exact - 1e-9);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

void bench_samples_summarise(bench_samples *samples, bench_latency *out) {
    out->count = samples->seen;
    out->sampled = samples->seen > samples->count;
    if (samples->count == 0) {
        out->p50_ms = out->p95_ms = out->p99_ms = out->max_ms = out->mean_ms = NAN;
        return;
    }
    qsort(samples->ns, samples->count, sizeof(uint64_t), bench_u64_cmp);
    out->p50_ms = (double)bench_percentile(samples->ns, samples->count, 50) / 1e6;
    out->p95_ms = (double)bench_percentile(samples->ns, samples->count, 95) / 1e6;
    out->p99_ms = (double)bench_percentile(samples->ns, samples->count, 99) / 1e6;
    out->max_ms = (double)samples->max_ns / 1e6;
    out->mean_ms = (double)samples->sum_ns / (double)samples->seen / 1e6;
}

double bench_recall_ids(const int64_t *got, uint32_t got_count, const int64_t *truth,
                        uint32_t truth_count) {
    if (truth_count == 0) return NAN;
    uint32_t hits = 0;
    for (uint32_t i = 0; i < got_count; i++) {
        bool dup = false;
        for (uint32_t j = 0; j < i && !dup; j++) dup = got[j] == got[i];
        if (dup) continue; /* a row returned twice is found once */
        for (uint32_t j = 0; j < truth_count; j++) {
            if (truth[j] == got[i]) {
                hits++;
                break;
            }
        }
    }
    return (double)hits / truth_count;
}

double bench_recall_dist(const float *got_dist, uint32_t got_count, float kth_dist,
                         uint32_t truth_count) {
    if (truth_count == 0) return NAN;
    /* The slack covers the server computing the same distance in another order of
     * additions (SIMD width, FMA): a few float ulps, relative to the distance's scale. */
    double slack = 1e-5 * (fabs((double)kth_dist) + 1e-3);
    uint32_t hits = 0;
    for (uint32_t i = 0; i < got_count; i++) {
        if ((double)got_dist[i] <= (double)kth_dist + slack) hits++;
    }
    if (hits > truth_count) hits = truth_count;
    return (double)hits / truth_count;
}
