/* test_bench_gen.c: dreambase-bench's data generator (bench_gen.c).
 * How: direct calls. A run after `load` rebuilds the data from the seed, so the tests check
 * that values depend only on (seed, stream, index) and not on call order; that vectors form
 * the promised clusters on the unit sphere; that user_id follows the Zipf law and category
 * its shares within statistical tolerance (5 sigma, fixed seeds: never flaky); and that the
 * bucket filter selects exactly the requested share of rows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

static bench_gen test_gen(uint64_t seed, uint32_t dims, uint32_t clusters, double spread) {
    bench_gen gen;
    bench_gen_config config = {.seed = seed, .dims = dims, .clusters = clusters,
                               .spread = spread, .users = 1000, .zipf_s = 1.0};
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_gen_init(&gen, &config, &err));
    return gen;
}

static void test_bench_rng_is_a_function_of_seed_stream_index(void **state) {
    bench_rng a, b;
    bench_rng_seed(&a, 42, 2, 1000);
    bench_rng_seed(&b, 42, 2, 1000);
    for (int i = 0; i < 100; i++) assert_int_equal(bench_rng_next(&a), bench_rng_next(&b));
    /* Neighbouring seeds, streams and indexes give different sequences. */
    uint64_t first[4];
    bench_rng_seed(&a, 42, 2, 1000), first[0] = bench_rng_next(&a);
    bench_rng_seed(&a, 43, 2, 1000), first[1] = bench_rng_next(&a);
    bench_rng_seed(&a, 42, 3, 1000), first[2] = bench_rng_next(&a);
    bench_rng_seed(&a, 42, 2, 1001), first[3] = bench_rng_next(&a);
    for (int i = 0; i < 4; i++) {
        for (int j = i + 1; j < 4; j++) assert_true(first[i] != first[j]);
    }
}

static void test_bench_rng_below_and_gauss_have_the_right_moments(void **state) {
    bench_rng rng;
    bench_rng_seed(&rng, 7, 1, 0);
    uint32_t counts[7] = {0};
    const uint32_t n = 700000;
    for (uint32_t i = 0; i < n; i++) counts[bench_rng_below(&rng, 7)]++;
    for (int i = 0; i < 7; i++) assert_true(fabs(counts[i] - n / 7.0) < 5 * sqrt(n / 7.0));
    double sum = 0, sq = 0;
    for (uint32_t i = 0; i < n; i++) {
        double g = bench_rng_gauss(&rng);
        sum += g;
        sq += g * g;
    }
    assert_true(fabs(sum / n) < 5 / sqrt(n));          /* mean 0 */
    assert_true(fabs(sq / n - 1) < 5 * sqrt(2.0 / n)); /* variance 1 */
}

static void test_bench_gen_vectors_are_reproducible_in_any_order(void **state) {
    bench_gen g1 = test_gen(99, 37, 8, 0.6), g2 = test_gen(99, 37, 8, 0.6);
    float a[37], b[37];
    /* Row 500 made first by one generator and last by another: the same floats. */
    bench_gen_vector(&g1, BENCH_STREAM_ROWS, 500, a);
    for (uint64_t r = 0; r < 500; r++) bench_gen_vector(&g2, BENCH_STREAM_ROWS, r, b);
    bench_gen_vector(&g2, BENCH_STREAM_ROWS, 500, b);
    assert_memory_equal(a, b, sizeof a);
    bench_row r1, r2;
    memset(&r1, 0, sizeof r1); /* padding too: the rows are compared byte for byte */
    memset(&r2, 0, sizeof r2);
    bench_gen_row(&g1, 1234, &r1);
    bench_gen_row(&g2, 1234, &r2);
    assert_memory_equal(&r1, &r2, sizeof r1);
    char c1[BENCH_CONTENT_BYTES_MAX], c2[BENCH_CONTENT_BYTES_MAX];
    bench_gen_content(&g1, 77, 0, c1, sizeof c1);
    bench_gen_content(&g2, 77, 0, c2, sizeof c2);
    assert_string_equal(c1, c2);
    bench_gen_content(&g2, 77, 1, c2, sizeof c2); /* an update writes other text */
    assert_string_not_equal(c1, c2);
    /* Another seed, another vector; queries and updates are other streams. */
    bench_gen g3 = test_gen(100, 37, 8, 0.6);
    bench_gen_vector(&g3, BENCH_STREAM_ROWS, 500, b);
    assert_memory_not_equal(a, b, sizeof a);
    bench_gen_vector(&g1, BENCH_STREAM_UPDATES, 500, b);
    assert_memory_not_equal(a, b, sizeof a);
    bench_gen_free(&g1);
    bench_gen_free(&g2);
    bench_gen_free(&g3);
}

static double test_dot(const float *a, const float *b, uint32_t n) {
    double s = 0;
    for (uint32_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static void test_bench_gen_vectors_form_unit_clusters(void **state) {
    const uint32_t dims = 64, clusters = 16, n = 2000;
    bench_gen gen = test_gen(5, dims, clusters, 0.6);
    float v[64];
    uint32_t nearest_own = 0;
    double own_sum = 0, other_sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = bench_gen_vector(&gen, BENCH_STREAM_ROWS, i, v);
        assert_true(c < clusters);
        assert_true(fabs(test_dot(v, v, dims) - 1.0) < 1e-5); /* normalised */
        uint32_t best = 0;
        double best_cos = -2;
        for (uint32_t k = 0; k < clusters; k++) {
            double cos = test_dot(v, gen.centres + k * dims, dims);
            if (cos > best_cos) best_cos = cos, best = k;
            if (k == c) own_sum += cos;
            else other_sum += cos;
        }
        nearest_own += best == c;
    }
    /* Noise of norm 0.6 around a unit centre: cosine to it ~ 1/sqrt(1.36) = 0.86, to the other
     * (random) centres ~ 0: every vector is nearest its own centre. */
    assert_true(nearest_own >= n * 99 / 100);
    assert_true(own_sum / n > 0.8);
    assert_true(fabs(other_sum / (n * (clusters - 1.0))) < 0.05);
    bench_gen_free(&gen);
}

static void test_bench_gen_users_follow_zipf(void **state) {
    bench_gen gen = test_gen(11, 0, 1, 0);
    const uint32_t n = 200000;
    uint32_t *counts = calloc(1001, sizeof(uint32_t));
    for (uint64_t id = 1; id <= n; id++) {
        bench_row row;
        bench_gen_row(&gen, id, &row);
        assert_true(row.user_rank >= 1 && row.user_rank <= 1000);
        counts[row.user_rank]++;
    }
    /* P(rank r) = r^-1 / H(1000), H(1000) = 7.4855: rank 1 holds 13.4% of the rows. */
    assert_true(fabs(bench_gen_user_share(&gen, 1) - 1 / 7.4854708606) < 1e-9);
    for (uint32_t r = 1; r <= 20; r++) {
        double p = bench_gen_user_share(&gen, r), expect = n * p;
        assert_true(fabs(counts[r] - expect) < 5 * sqrt(expect * (1 - p)));
    }
    /* The rank sampler inverts the CDF exactly at its edges. */
    assert_int_equal(bench_gen_user_from_uniform(&gen, 0.0), 1);
    assert_int_equal(bench_gen_user_from_uniform(&gen, 0.9999999999), 1000);
    assert_int_equal(bench_gen_user_from_uniform(&gen, bench_gen_user_share(&gen, 1)), 2);
    free(counts);
    bench_gen_free(&gen);
}

static void test_bench_gen_categories_and_times(void **state) {
    bench_gen gen = test_gen(3, 0, 1, 0);
    const uint32_t n = 100000;
    uint32_t counts[BENCH_CATEGORY_COUNT] = {0};
    double share_sum = 0;
    for (uint64_t id = 1; id <= n; id++) {
        bench_row row;
        bench_gen_row(&gen, id, &row);
        counts[row.category]++;
        assert_true(row.created_at_s >= BENCH_CREATED_AT_START_S);
        assert_true(row.created_at_s < BENCH_CREATED_AT_START_S + BENCH_CREATED_AT_SPAN_S);
    }
    for (uint32_t c = 0; c < BENCH_CATEGORY_COUNT; c++) {
        double p = bench_gen_category_share(c), expect = n * p;
        share_sum += p;
        assert_true(fabs(counts[c] - expect) < 5 * sqrt(expect * (1 - p)));
    }
    assert_true(fabs(share_sum - 1) < 1e-12);
    assert_string_equal(bench_gen_category_name(0), "news");
    char ts[32];
    bench_format_timestamp(BENCH_CREATED_AT_START_S + 86400 + 3723, ts, sizeof ts);
    assert_string_equal(ts, "2024-01-02 01:02:03+00");
    bench_gen_free(&gen);
}

static void test_bench_gen_bucket_filter_is_exact(void **state) {
    /* Each aligned block of BENCH_BUCKETS ids holds every bucket once ... */
    for (uint64_t seed = 0; seed < 3; seed++) {
        uint8_t *seen = calloc(BENCH_BUCKETS, 1);
        for (uint64_t id = 20001; id <= 30000; id++) {
            uint32_t b = bench_gen_bucket(seed, id);
            assert_true(b < BENCH_BUCKETS);
            assert_int_equal(seen[b], 0);
            seen[b] = 1;
        }
        free(seen);
    }
    /* ... so `bucket < s * 10000` selects exactly s of any multiple of 10000 rows. */
    const double shares[] = {0.0001, 0.001, 0.01, 0.1, 0.5, 1.0};
    for (size_t i = 0; i < 6; i++) {
        uint32_t bound = (uint32_t)llround(shares[i] * BENCH_BUCKETS);
        uint64_t rows = 50000, count = 0;
        for (uint64_t id = 1; id <= rows; id++) count += bench_gen_bucket(42, id) < bound;
        assert_int_equal(count, (uint64_t)llround(shares[i] * rows));
        assert_int_equal(bench_gen_bucket_count(42, rows, bound), count);
        /* A partial block: the count function agrees with a scan, within one row per bucket. */
        uint64_t odd = 12345, scan = 0;
        for (uint64_t id = 1; id <= odd; id++) scan += bench_gen_bucket(42, id) < bound;
        assert_int_equal(bench_gen_bucket_count(42, odd, bound), scan);
        assert_true(fabs((double)scan - shares[i] * odd) <= bound);
    }
}

static void test_bench_gen_content_is_copy_safe(void **state) {
    bench_gen gen = test_gen(8, 0, 1, 0);
    char text[BENCH_CONTENT_BYTES_MAX];
    for (uint64_t id = 1; id < 2000; id++) {
        size_t len = bench_gen_content(&gen, id, id % 3, text, sizeof text);
        assert_int_equal(len, strlen(text));
        assert_true(len > 10 && len < BENCH_CONTENT_BYTES_MAX);
        assert_null(strpbrk(text, "\t\n\r\\"));
    }
    bench_gen_free(&gen);
}

static void test_bench_gen_rejects_bad_configs(void **state) {
    bench_gen gen;
    rt_err err;
    bench_gen_config big = {.seed = 1, .dims = BENCH_DIMS_MAX + 1, .clusters = 1, .users = 1};
    rt_err_clear(&err);
    assert_false(bench_gen_init(&gen, &big, &err));
    assert_string_equal(err.sqlstate, "54000");
    bench_gen_config no_users = {.seed = 1, .dims = 4, .clusters = 1, .users = 0};
    rt_err_clear(&err);
    assert_false(bench_gen_init(&gen, &no_users, &err));
    assert_string_equal(err.sqlstate, "22023");
    /* 4096 dimensions, the product's maximum, work. */
    bench_gen g = test_gen(1, BENCH_DIMS_MAX, 2, 0.5);
    float *v = malloc(BENCH_DIMS_MAX * sizeof(float));
    bench_gen_vector(&g, BENCH_STREAM_ROWS, 0, v);
    assert_true(fabs(test_dot(v, v, BENCH_DIMS_MAX) - 1) < 1e-4);
    free(v);
    bench_gen_free(&g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_rng_is_a_function_of_seed_stream_index),
        cmocka_unit_test(test_bench_rng_below_and_gauss_have_the_right_moments),
        cmocka_unit_test(test_bench_gen_vectors_are_reproducible_in_any_order),
        cmocka_unit_test(test_bench_gen_vectors_form_unit_clusters),
        cmocka_unit_test(test_bench_gen_users_follow_zipf),
        cmocka_unit_test(test_bench_gen_categories_and_times),
        cmocka_unit_test(test_bench_gen_bucket_filter_is_exact),
        cmocka_unit_test(test_bench_gen_content_is_copy_safe),
        cmocka_unit_test(test_bench_gen_rejects_bad_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
