/* test_vectors.h: vector data for the HNSW tests: a seeded generator, a stand-in for a
 * column-store VECTOR chunk (slot -> float[dims], NULL-able), seeded Gaussian mixtures, exact
 * k-NN by brute force, and readers of the real datasets (.fvecs/.ivecs/.u8) in
 * $DB_SOURCE_DIR/../shared/datasets.
 * Memory: everything is malloc'd and freed by the caller (test_store_free, free). */
#ifndef TEST_VECTORS_H
#define TEST_VECTORS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/eng_dist.h"
#include "engine/eng_hnsw.h"

/* ---- seeded randomness (xorshift64*) ---- */

typedef struct test_rng {
    uint64_t s;
} test_rng;

static inline uint64_t test_rng_next(test_rng *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}
static inline double test_rng_uniform(test_rng *r) { /* (0, 1) */
    return ((double)(test_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}
static inline float test_rng_gauss(test_rng *r) {
    double u = test_rng_uniform(r), v = test_rng_uniform(r);
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

/* ---- a column-store VECTOR chunk stand-in ---- */

typedef struct test_store {
    float *rows;
    bool *is_null;
    uint32_t dims;
    uint32_t cap;
    uint64_t accessor_calls;
} test_store;

static inline test_store *test_store_new(uint32_t dims, uint32_t cap) {
    test_store *s = calloc(1, sizeof *s);
    s->rows = calloc((size_t)cap * dims, sizeof(float));
    s->is_null = calloc(cap, sizeof(bool));
    s->dims = dims;
    s->cap = cap;
    return s;
}

static inline void test_store_free(test_store *s) {
    free(s->rows);
    free(s->is_null);
    free(s);
}

static inline float *test_store_row(test_store *s, uint32_t slot) {
    return s->rows + (size_t)slot * s->dims;
}

/* eng_hnsw_vec_fn */
static inline const float *test_store_vec(void *ctx, uint32_t slot) {
    test_store *s = ctx;
    s->accessor_calls++;
    if (slot >= s->cap || s->is_null[slot]) return NULL;
    return s->rows + (size_t)slot * s->dims;
}

static inline void test_normalise(float *v, uint32_t dims) {
    double ns = 0;
    for (uint32_t j = 0; j < dims; j++) ns += (double)v[j] * v[j];
    float inv = (float)(1.0 / sqrt(ns));
    for (uint32_t j = 0; j < dims; j++) v[j] *= inv;
}

/* Rows [first, first + count) from a mixture of `clusters` Gaussians (centres N(0,1), spread
 * sigma), normalised. The centres depend on `seed` only, so base and queries share them. */
static inline void test_fill_mixture(test_store *s, uint32_t first, uint32_t count,
                                     uint32_t clusters, float sigma, uint64_t seed,
                                     uint64_t row_seed) {
    test_rng cr = {seed | 1};
    float *centres = malloc((size_t)clusters * s->dims * sizeof(float));
    for (size_t i = 0; i < (size_t)clusters * s->dims; i++) centres[i] = test_rng_gauss(&cr);
    test_rng r = {row_seed | 1};
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t c = (uint32_t)(test_rng_uniform(&r) * clusters);
        float *v = test_store_row(s, i);
        for (uint32_t j = 0; j < s->dims; j++) {
            v[j] = centres[(size_t)c * s->dims + j] + sigma * test_rng_gauss(&r);
        }
        test_normalise(v, s->dims);
    }
    free(centres);
}

/* ---- exact k-NN ---- */

static inline float test_metric_dist(eng_hnsw_metric metric, const float *a, const float *b,
                                     uint32_t dims) {
    switch (metric) {
    case ENG_HNSW_L2:
        return eng_dist_l2(a, b, dims);
    case ENG_HNSW_IP:
        return eng_dist_neg_dot(a, b, dims);
    default:
        return eng_dist_cosine(a, b, dims);
    }
}

typedef bool (*test_keep_fn)(void *ctx, uint32_t slot);

/* The k nearest of slots [0, n) that `keep` accepts (NULL: all), by the metric's SQL
 * distance; out[] gets the slots, returns how many (< k when fewer qualify). */
static inline uint32_t test_exact_knn(test_store *s, eng_hnsw_metric metric, const float *q,
                                      uint32_t n, uint32_t k, test_keep_fn keep, void *ctx,
                                      uint32_t *out, float *out_dist) {
    uint32_t found = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (s->is_null[i] || (keep != NULL && !keep(ctx, i))) continue;
        float d = test_metric_dist(metric, q, test_store_row(s, i), s->dims);
        if (found == k && !(d < out_dist[k - 1])) continue;
        uint32_t j = found < k ? found++ : k - 1;
        while (j > 0 && out_dist[j - 1] > d) {
            out[j] = out[j - 1];
            out_dist[j] = out_dist[j - 1];
            j--;
        }
        out[j] = i;
        out_dist[j] = d;
    }
    return found;
}

/* Recall of `hits` against an exact answer: a hit counts if it is one of the true k, or ties
 * the k-th distance (equal vectors make several answers right). */
static inline uint32_t test_recall_count(const eng_hnsw_hit *hits, uint32_t hit_count,
                                         const uint32_t *truth, uint32_t k, float kth_dist) {
    uint32_t good = 0;
    for (uint32_t i = 0; i < hit_count; i++) {
        bool in = false;
        for (uint32_t j = 0; j < k && !in; j++) in = truth[j] == hits[i].slot;
        if (in || hits[i].distance <= kth_dist * (1.0f + 1e-6f)) good++;
    }
    return good;
}

/* ---- real datasets ---- */

/* $DB_SOURCE_DIR/../shared/datasets/<name>, also one level up (git worktrees live one
 * directory deeper than the main checkout); NULL (and a message) when absent. */
static inline char *test_dataset_path(const char *name, char *buf, size_t cap) {
    const char *src = getenv("DB_SOURCE_DIR");
    if (src == NULL) src = ".";
    const char *ups[] = {"/../shared/datasets/", "/../../shared/datasets/"};
    for (int i = 0; i < 2; i++) {
        struct stat st;
        snprintf(buf, cap, "%s%s%s", src, ups[i], name);
        if (stat(buf, &st) == 0) return buf;
    }
    printf("dataset %s not found under %s/../shared/datasets: skipped\n", name, src);
    return NULL;
}

static inline uint8_t *test_read_file(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* .fvecs / .ivecs: per record an int32 dim then dim 4-byte values. Returns rows (as raw 4-byte
 * words, floats or int32s), sets *dims and *count; NULL if malformed or absent. */
static inline void *test_read_vecs(const char *path, uint32_t *dims, uint32_t *count) {
    size_t len;
    uint8_t *raw = test_read_file(path, &len);
    if (raw == NULL || len < 4) {
        free(raw);
        return NULL;
    }
    int32_t d;
    memcpy(&d, raw, 4);
    size_t rec = 4 + (size_t)d * 4;
    if (d <= 0 || len % rec != 0) {
        free(raw);
        return NULL;
    }
    *dims = (uint32_t)d;
    *count = (uint32_t)(len / rec);
    uint32_t *out = malloc((size_t)*count * (size_t)d * 4);
    for (uint32_t i = 0; i < *count; i++) memcpy(out + (size_t)i * d, raw + i * rec + 4, rec - 4);
    free(raw);
    return out;
}

#endif
