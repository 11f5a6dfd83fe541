/* test_bench_stats.c: latency percentiles, recall@k and the exact top-k behind it.
 * How: percentiles on arrays whose answers are known by hand (nearest rank); the reservoir on
 * more samples than it keeps; recall on hand-made results, ties included; the SIMD dot
 * product and the threaded brute force against a plain double-precision scan, for every
 * metric, with dimensions that exercise the vector tails and filters given as candidates. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/dreambase-bench/bench.h"

static void test_bench_percentile_nearest_rank(void **state) {
    uint64_t v[100];
    for (int i = 0; i < 100; i++) v[i] = (uint64_t)i + 1; /* 1..100 */
    assert_int_equal(bench_percentile(v, 100, 50), 50);
    assert_int_equal(bench_percentile(v, 100, 95), 95);
    assert_int_equal(bench_percentile(v, 100, 99), 99);
    assert_int_equal(bench_percentile(v, 100, 100), 100);
    assert_int_equal(bench_percentile(v, 100, 0.1), 1);
    assert_int_equal(bench_percentile(v, 10, 50), 5);  /* 1..10: rank ceil(5) */
    assert_int_equal(bench_percentile(v, 10, 99), 10); /* rank ceil(9.9) */
    assert_int_equal(bench_percentile(v, 1, 50), 1);
    assert_int_equal(bench_percentile(v, 3, 50), 2);   /* rank ceil(1.5) */
}

static void test_bench_samples_summary_sorts_and_scales(void **state) {
    bench_samples s;
    bench_samples_init(&s, 1000, 1);
    bench_latency lat;
    bench_samples_summarise(&s, &lat);
    assert_true(isnan(lat.p50_ms) && lat.count == 0);
    /* 1..200 ms, added out of order. */
    for (uint64_t i = 0; i < 200; i++) bench_samples_add(&s, ((i * 77) % 200 + 1) * 1000000);
    bench_samples_summarise(&s, &lat);
    assert_int_equal(lat.count, 200);
    assert_false(lat.sampled);
    assert_true(lat.p50_ms == 100 && lat.p95_ms == 190 && lat.p99_ms == 198);
    assert_true(lat.max_ms == 200 && fabs(lat.mean_ms - 100.5) < 1e-9);
    bench_samples_free(&s);
}

static void test_bench_samples_reservoir_is_bounded_and_fair(void **state) {
    bench_samples s;
    bench_samples_init(&s, 1000, 2);
    for (uint64_t i = 1; i <= 100000; i++) bench_samples_add(&s, i);
    assert_int_equal(s.count, 1000);
    assert_true(s.cap <= 1000);
    bench_latency lat;
    bench_samples_summarise(&s, &lat);
    assert_true(lat.sampled);
    assert_int_equal(lat.count, 100000);
    assert_true(lat.max_ms == 100000 / 1e6); /* max and mean stay exact */
    assert_true(fabs(lat.mean_ms - 50000.5 / 1e6) < 1e-12);
    /* A uniform sample of 1..100000: the median within 5% of 50000. */
    assert_true(fabs(lat.p50_ms * 1e6 - 50000) < 5000);
    /* Merging keeps every kept sample of both. */
    bench_samples other, all;
    bench_samples_init(&other, 10, 3);
    for (uint64_t i = 0; i < 5; i++) bench_samples_add(&other, 7);
    bench_samples_init(&all, 1, 0);
    all.limit = 0;
    bench_samples_merge(&all, &s);
    bench_samples_merge(&all, &other);
    assert_int_equal(all.count, 1005);
    assert_int_equal(all.seen, 100005);
    bench_samples_free(&s);
    bench_samples_free(&other);
    bench_samples_free(&all);
}

static void test_bench_recall_by_ids(void **state) {
    int64_t truth[] = {1, 2, 3, 4};
    int64_t all[] = {4, 3, 2, 1}, half[] = {1, 9, 2, 8}, dup[] = {1, 1, 1, 1};
    assert_true(bench_recall_ids(all, 4, truth, 4) == 1.0);
    assert_true(bench_recall_ids(half, 4, truth, 4) == 0.5);
    assert_true(bench_recall_ids(dup, 4, truth, 4) == 0.25); /* a duplicate is found once */
    assert_true(bench_recall_ids(all, 2, truth, 4) == 0.5);  /* a short result */
    assert_true(bench_recall_ids(all, 0, truth, 4) == 0.0);
    assert_true(isnan(bench_recall_ids(all, 4, truth, 0)));
}

static void test_bench_recall_by_distance_accepts_ties(void **state) {
    /* Exact top-3 distances 0.1 0.2 0.3, and another row also at 0.3: returning it instead of
     * the exact third is as good an answer. */
    float tie[] = {0.1f, 0.2f, 0.3f};
    assert_true(bench_recall_dist(tie, 3, 0.3f, 3) == 1.0);
    float worse[] = {0.1f, 0.2f, 0.31f};
    assert_true(fabs(bench_recall_dist(worse, 3, 0.3f, 3) - 2.0 / 3) < 1e-12);
    float rounding[] = {0.3000001f}; /* a server summing in another order */
    assert_true(bench_recall_dist(rounding, 1, 0.3f, 1) == 1.0);
    /* Fewer rows match than k: found = 2 is the whole truth. */
    float two[] = {0.5f, 0.7f};
    assert_true(bench_recall_dist(two, 2, 0.7f, 2) == 1.0);
    assert_true(isnan(bench_recall_dist(two, 2, 0.7f, 0)));
    float negative[] = {-5.0f, -4.0f}; /* inner product distances are negative */
    assert_true(bench_recall_dist(negative, 2, -4.0f, 2) == 1.0);
}

static void test_fill(float *v, size_t n, uint64_t seed) {
    bench_rng rng;
    bench_rng_seed(&rng, seed, 1, 0);
    for (size_t i = 0; i < n; i++) v[i] = (float)bench_rng_gauss(&rng);
}

static void test_bench_dot_matches_plain_sum(void **state) {
    const uint32_t dims_list[] = {1, 7, 8, 15, 16, 17, 31, 33, 100, 128, 1536, 4096};
    float *a = malloc(4096 * sizeof(float)), *b = malloc(4096 * sizeof(float));
    test_fill(a, 4096, 1);
    test_fill(b, 4096, 2);
    for (size_t i = 0; i < sizeof dims_list / sizeof dims_list[0]; i++) {
        uint32_t d = dims_list[i];
        double want = 0, scale = 0;
        for (uint32_t j = 0; j < d; j++) {
            want += (double)a[j] * b[j];
            scale += fabs((double)a[j] * b[j]);
        }
        assert_true(fabs(bench_dot(a, b, d) - want) <= 1e-5 * scale + 1e-6);
    }
    free(a);
    free(b);
}

/* Exact top-k by a plain double scan, for comparison. */
static void test_naive_topk(const bench_space *sp, const float *q, uint32_t k,
                            const uint64_t *cand, uint64_t n, int64_t *rows, uint32_t *found) {
    double *best = malloc(k * sizeof(double));
    *found = 0;
    float qn = sqrtf(bench_dot(q, q, sp->dims));
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = cand != NULL ? cand[i] : i;
        double d = bench_distance(sp, q, qn, r);
        uint32_t at = *found < k ? (*found)++ : k;
        if (at == k && !(d < best[k - 1])) continue;
        if (at == k) at = k - 1;
        while (at > 0 && best[at - 1] > d) {
            best[at] = best[at - 1];
            rows[at] = rows[at - 1];
            at--;
        }
        best[at] = d;
        rows[at] = (int64_t)r;
    }
    free(best);
}

static void test_bench_exact_topk_matches_a_plain_scan(void **state) {
    const uint32_t rows = 3000, dims = 33, nq = 20, k = 10;
    float *base = malloc(rows * dims * sizeof(float)), *norms = malloc(rows * sizeof(float));
    float *queries = malloc(nq * dims * sizeof(float));
    test_fill(base, rows * dims, 3);
    test_fill(queries, nq * dims, 4);
    bench_space_norms(base, rows, dims, 3, norms);
    uint64_t *cand = malloc(rows * sizeof(uint64_t)), ncand = 0;
    for (uint64_t r = 0; r < rows; r += 7) cand[ncand++] = r; /* a filter: every 7th row */
    int64_t got[20 * 10], want[10];
    float dists[20 * 10];
    uint32_t found[20], want_found;
    for (int m = 0; m < 3; m++) {
        bench_space sp = {.base = base, .norms = norms, .rows = rows, .dims = dims,
                          .metric = (bench_metric)m};
        for (int filtered = 0; filtered < 2; filtered++) {
            for (uint32_t threads = 1; threads <= 4; threads += 3) {
                const uint64_t *c = filtered ? cand : NULL;
                bench_exact_topk(&sp, queries, nq, k, c, ncand, threads, got, dists, found);
                for (uint32_t q = 0; q < nq; q++) {
                    test_naive_topk(&sp, queries + q * dims, k, c, filtered ? ncand : rows, want,
                                    &want_found);
                    assert_int_equal(found[q], want_found);
                    assert_memory_equal(got + q * k, want, k * sizeof(int64_t));
                    for (uint32_t i = 1; i < k; i++) {
                        assert_true(dists[q * k + i - 1] <= dists[q * k + i]);
                    }
                }
            }
        }
    }
    /* Fewer candidates than k: all of them, nearest first. */
    bench_space sp = {.base = base, .norms = norms, .rows = rows, .dims = dims,
                      .metric = BENCH_METRIC_COSINE};
    bench_exact_topk(&sp, queries, 1, k, cand, 3, 2, got, dists, found);
    assert_int_equal(found[0], 3);
    bench_exact_topk(&sp, queries, 1, k, cand, 0, 2, got, dists, found);
    assert_int_equal(found[0], 0);
    free(base);
    free(norms);
    free(queries);
    free(cand);
}

static void test_bench_distance_matches_pgvector_definitions(void **state) {
    float a[] = {1, 0, 0}, b[] = {0.6f, 0.8f, 0}, base[6];
    memcpy(base, a, sizeof a);
    memcpy(base + 3, b, sizeof b);
    float norms[2] = {1, 1};
    bench_space sp = {.base = base, .norms = norms, .rows = 2, .dims = 3};
    float q[] = {2, 0, 0};
    sp.metric = BENCH_METRIC_COSINE; /* 1 - cos: 0 for the same direction */
    assert_true(fabsf(bench_distance(&sp, q, 2, 0) - 0.0f) < 1e-6f);
    assert_true(fabsf(bench_distance(&sp, q, 2, 1) - 0.4f) < 1e-6f);
    sp.metric = BENCH_METRIC_L2; /* squared: same order as pgvector's <-> */
    assert_true(fabsf(bench_distance(&sp, q, 2, 0) - 1.0f) < 1e-6f);
    assert_true(fabsf(bench_distance(&sp, q, 2, 1) - (1.4f * 1.4f + 0.64f)) < 1e-5f);
    sp.metric = BENCH_METRIC_IP; /* negative inner product, as <#> */
    assert_true(fabsf(bench_distance(&sp, q, 2, 1) + 1.2f) < 1e-6f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_percentile_nearest_rank),
        cmocka_unit_test(test_bench_samples_summary_sorts_and_scales),
        cmocka_unit_test(test_bench_samples_reservoir_is_bounded_and_fair),
        cmocka_unit_test(test_bench_recall_by_ids),
        cmocka_unit_test(test_bench_recall_by_distance_accepts_ties),
        cmocka_unit_test(test_bench_dot_matches_plain_sum),
        cmocka_unit_test(test_bench_exact_topk_matches_a_plain_scan),
        cmocka_unit_test(test_bench_distance_matches_pgvector_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
