/* test_eng_dist.c: the distance kernels (engine/eng_dist.h).
 * How: seeded random vectors of every dimension 1..80 and of many larger ones up to 4096 (odd
 * tails included). The scalar build is checked against a double-precision sum; every SIMD
 * build this CPU can run is checked against the scalar build, within a relative tolerance of
 * the sum of absolute terms. Vectors are placed unaligned and flush against a PROT_NONE page,
 * so a kernel that reads one float past the end crashes the test. The batch forms must agree
 * with the single forms exactly, and cosine (one fused pass) follows pgvector: NaN for a zero
 * vector, clamped to [0, 2]. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/eng_dist.h"

/* float32 sums over up to 4096 terms in different orders differ by a few ulps of the sum of
 * absolute terms; 2e-6 is far below anything that would change a nearest-neighbour order. */
#define TEST_REL_TOL 2e-6

static uint64_t test_rng = 0x9e3779b97f4a7c15ull;

static float test_rand_float(void) {
    test_rng ^= test_rng << 13;
    test_rng ^= test_rng >> 7;
    test_rng ^= test_rng << 17;
    return (float)((double)(test_rng >> 11) * 0x1.0p-53 * 2.0 - 1.0);
}

/* A buffer whose last float sits right before an inaccessible page. */
typedef struct test_guarded {
    uint8_t *map;
    size_t map_bytes;
} test_guarded;

static float *test_guarded_vec(test_guarded *g, uint32_t dims) {
    long page = sysconf(_SC_PAGESIZE);
    size_t bytes = (size_t)dims * sizeof(float);
    size_t pages = (bytes + (size_t)page - 1) / (size_t)page + 1;
    g->map_bytes = (pages + 1) * (size_t)page;
    g->map = mmap(NULL, g->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g->map != MAP_FAILED);
    uint8_t *guard = g->map + pages * (size_t)page;
    assert_int_equal(mprotect(guard, (size_t)page, PROT_NONE), 0);
    float *v = (float *)(guard - bytes); /* 4-byte aligned, usually not 32/64-byte aligned */
    for (uint32_t i = 0; i < dims; i++) v[i] = test_rand_float();
    return v;
}

static void test_guarded_free(test_guarded *g) {
    munmap(g->map, g->map_bytes);
}

static const uint32_t test_big_dims[] = {95,  96,  97,  127, 128,  129,  255,  256,  257,
                                         383, 384, 511, 512, 513,  767,  768,  769,  1023,
                                         1024, 1025, 1535, 1536, 2047, 3071, 4095, 4096};

static void test_each_dims(void (*fn)(uint32_t dims)) {
    for (uint32_t d = 1; d <= 80; d++) fn(d);
    for (size_t i = 0; i < sizeof test_big_dims / sizeof test_big_dims[0]; i++) {
        fn(test_big_dims[i]);
    }
}

static void test_close(double got, double want, double scale) {
    double tol = TEST_REL_TOL * scale + 1e-30;
    if (fabs(got - want) > tol) fail_msg("got %.9g want %.9g (tolerance %.3g)", got, want, tol);
}

static void test_scalar_vs_double_one(uint32_t dims) {
    const eng_dist_kernels *k = eng_dist_kernels_for(ENG_DIST_ISA_SCALAR);
    test_guarded ga, gb;
    float *a = test_guarded_vec(&ga, dims), *b = test_guarded_vec(&gb, dims);
    double l2 = 0, dot = 0, dot_abs = 0, na = 0;
    for (uint32_t i = 0; i < dims; i++) {
        double d = (double)a[i] - b[i];
        l2 += d * d;
        dot += (double)a[i] * b[i];
        dot_abs += fabs((double)a[i] * b[i]);
        na += (double)a[i] * a[i];
    }
    test_close(k->l2sq(a, b, dims), l2, l2);
    test_close(k->dot(a, b, dims), dot, dot_abs);
    test_close(k->norm_sq(a, dims), na, na);
    double nb = 0;
    for (uint32_t i = 0; i < dims; i++) nb += (double)b[i] * b[i];
    test_close(k->cosine(a, b, dims), 1.0 - dot / sqrt(na * nb), dot_abs / sqrt(na * nb));
    test_guarded_free(&ga);
    test_guarded_free(&gb);
}

static void test_eng_dist_scalar_matches_double_sum(void **state) {
    test_each_dims(test_scalar_vs_double_one);
}

static void test_simd_vs_scalar_one(uint32_t dims) {
    const eng_dist_kernels *ref = eng_dist_kernels_for(ENG_DIST_ISA_SCALAR);
    test_guarded ga, gb;
    float *a = test_guarded_vec(&ga, dims), *b = test_guarded_vec(&gb, dims);
    double dot_abs = 0;
    for (uint32_t i = 0; i < dims; i++) dot_abs += fabs((double)a[i] * b[i]);
    for (int isa = ENG_DIST_ISA_AVX2; isa < ENG_DIST_ISA_COUNT; isa++) {
        const eng_dist_kernels *k = eng_dist_kernels_for((eng_dist_isa)isa);
        if (k == NULL) continue; /* this CPU cannot run it */
        double l2 = ref->l2sq(a, b, dims), na = ref->norm_sq(a, dims);
        test_close(k->l2sq(a, b, dims), l2, l2);
        test_close(k->dot(a, b, dims), ref->dot(a, b, dims), dot_abs);
        test_close(k->norm_sq(a, dims), na, na);
        /* 1 - cos: its error is that of dot / (|a||b|), so scale by the absolute terms */
        double scale = dot_abs / sqrt(na * ref->norm_sq(b, dims));
        test_close(k->cosine(a, b, dims), ref->cosine(a, b, dims), scale);
    }
    test_guarded_free(&ga);
    test_guarded_free(&gb);
}

static void test_eng_dist_simd_builds_match_scalar(void **state) {
    int builds = 0;
    for (int isa = 0; isa < ENG_DIST_ISA_COUNT; isa++) {
        builds += eng_dist_kernels_for((eng_dist_isa)isa) != NULL;
    }
    print_message("kernel builds runnable here: %d, active: %s\n", builds, eng_dist_active->name);
    test_each_dims(test_simd_vs_scalar_one);
}

/* The best build is chosen at startup: nothing better than the active one is runnable. */
static void test_eng_dist_active_is_best_supported(void **state) {
    for (int isa = eng_dist_active->isa + 1; isa < ENG_DIST_ISA_COUNT; isa++) {
        assert_null(eng_dist_kernels_for((eng_dist_isa)isa));
    }
    assert_non_null(eng_dist_kernels_for(ENG_DIST_ISA_SCALAR));
    assert_true((__builtin_cpu_supports("avx512f") != 0) ==
                (eng_dist_active->isa == ENG_DIST_ISA_AVX512));
}

/* Batch forms, contiguous rows and scattered pointers, equal the single form bit for bit. */
static void test_eng_dist_batch_forms_equal_single(void **state) {
    const uint32_t dims_list[] = {1, 3, 17, 96, 100, 768, 1537};
    for (int isa = 0; isa < ENG_DIST_ISA_COUNT; isa++) {
        const eng_dist_kernels *k = eng_dist_kernels_for((eng_dist_isa)isa);
        if (k == NULL) continue;
        for (size_t di = 0; di < sizeof dims_list / sizeof dims_list[0]; di++) {
            uint32_t dims = dims_list[di], count = 37;
            float *rows = malloc((size_t)count * dims * sizeof(float) + sizeof(float));
            float *base = rows + 1; /* unaligned rows */
            float *q = malloc(dims * sizeof(float));
            const float *ptrs[37];
            float out_rows[37], out_ptrs[37];
            for (size_t i = 0; i < (size_t)count * dims; i++) base[i] = test_rand_float();
            for (uint32_t i = 0; i < dims; i++) q[i] = test_rand_float();
            for (uint32_t i = 0; i < count; i++) ptrs[i] = base + (size_t)((i * 7) % count) * dims;
            k->l2sq_rows(q, base, count, dims, out_rows);
            k->l2sq_ptrs(q, ptrs, count, dims, out_ptrs);
            for (uint32_t i = 0; i < count; i++) {
                assert_true(out_rows[i] == k->l2sq(q, base + (size_t)i * dims, dims));
                assert_true(out_ptrs[i] == k->l2sq(q, ptrs[i], dims));
            }
            k->cosine_rows(q, base, count, dims, out_rows);
            for (uint32_t i = 0; i < count; i++) {
                assert_true(out_rows[i] == k->cosine(q, base + (size_t)i * dims, dims));
            }
            k->dot_rows(q, base, count, dims, out_rows);
            k->dot_ptrs(q, ptrs, count, dims, out_ptrs);
            for (uint32_t i = 0; i < count; i++) {
                assert_true(out_rows[i] == k->dot(q, base + (size_t)i * dims, dims));
                assert_true(out_ptrs[i] == k->dot(q, ptrs[i], dims));
            }
            free(rows);
            free(q);
        }
    }
}

/* The SQL-level distances: L2 is the root of l2sq, `<#>` negates, cosine as pgvector. */
static void test_eng_dist_sql_distances(void **state) {
    float a[5] = {1, 2, 3, 4, 5}, b[5] = {5, 4, 3, 2, 1}, zero[5] = {0};
    float neg[5] = {-1, -2, -3, -4, -5}, twice[5] = {2, 4, 6, 8, 10};
    assert_float_equal(eng_dist_l2(a, b, 5), sqrtf(40.0f), 1e-6);
    assert_float_equal(eng_dist_norm(a, 5), sqrtf(55.0f), 1e-6);
    assert_float_equal(eng_dist_neg_dot(a, b, 5), -35.0f, 1e-6);
    assert_float_equal(eng_dist_cosine(a, twice, 5), 0.0f, 1e-6);
    assert_float_equal(eng_dist_cosine(a, neg, 5), 2.0f, 1e-6);
    assert_float_equal(eng_dist_cosine(a, b, 5), 1.0f - 35.0f / 55.0f, 1e-6);
    assert_true(isnan(eng_dist_cosine(a, zero, 5)));
    for (int isa = 0; isa < ENG_DIST_ISA_COUNT; isa++) { /* every build, tails included */
        const eng_dist_kernels *k = eng_dist_kernels_for((eng_dist_isa)isa);
        if (k == NULL) continue;
        assert_true(isnan(k->cosine(zero, zero, 5)));
        assert_float_equal(k->cosine(a, neg, 5), 2.0f, 1e-6);
    }
    assert_true(eng_dist_cosine(a, twice, 5) >= 0.0f); /* clamped, never slightly negative */
}

/* Every build can be selected for the whole process and back. */
static void test_eng_dist_use_switches_build(void **state) {
    eng_dist_isa best = eng_dist_active->isa;
    float a[3] = {1, 2, 3}, b[3] = {3, 2, 1};
    for (int isa = 0; isa < ENG_DIST_ISA_COUNT; isa++) {
        bool ok = eng_dist_use((eng_dist_isa)isa);
        assert_true(ok == (eng_dist_kernels_for((eng_dist_isa)isa) != NULL));
        if (ok) assert_float_equal(eng_dist_l2sq(a, b, 3), 8.0f, 0.0);
    }
    assert_true(eng_dist_use(best));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_dist_scalar_matches_double_sum),
        cmocka_unit_test(test_eng_dist_simd_builds_match_scalar),
        cmocka_unit_test(test_eng_dist_active_is_best_supported),
        cmocka_unit_test(test_eng_dist_batch_forms_equal_single),
        cmocka_unit_test(test_eng_dist_sql_distances),
        cmocka_unit_test(test_eng_dist_use_switches_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
