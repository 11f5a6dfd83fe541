/* eng_dist.h: distance kernels for float32 vectors (L2, inner product, cosine, norms).
 * Owns:    nothing; pure functions over caller-owned arrays (column-store chunks, queries).
 * Core:    any; the kernel table is chosen once before main() and never changes afterwards.
 * Kernels: three builds of every kernel, AVX-512F, AVX2+FMA and scalar, each compiled with a
 *          per-function target attribute so the binary runs on any x86-64; a constructor picks
 *          the best one the CPU supports (__builtin_cpu_supports). Loads are unaligned and the
 *          tails are masked, so any dimension 1..ENG_VECTOR_DIMS_MAX works.
 * Numbers: sums are float32 in several lanes, so results differ from a sequential sum by
 *          rounding only (tests bound the relative error against the scalar build).
 *          pgvector's conventions: `<->` is L2, `<#>` is the negative inner product and `<=>`
 *          is 1 - cosine similarity (NaN when a norm is zero).
 * Memory:  never allocates.
 * Errors:  none; dims must be in 1..ENG_VECTOR_DIMS_MAX (asserted by callers that take input).
 * Limits:  ENG_VECTOR_DIMS_MAX. */
#ifndef ENG_DIST_H
#define ENG_DIST_H

#include <stdbool.h>
#include <stdint.h>

/* vector(n): 1 <= n <= 4096 (the product's promise). The same definition as the catalog's, so
 * both headers can be included together. */
#define ENG_VECTOR_DIMS_MAX 4096

typedef enum eng_dist_isa {
    ENG_DIST_ISA_SCALAR = 0,
    ENG_DIST_ISA_AVX2 = 1,   /* AVX2 + FMA (Haswell and later, Zen) */
    ENG_DIST_ISA_AVX512 = 2, /* AVX-512F (Skylake-SP and later, Zen 4) */
    ENG_DIST_ISA_COUNT = 3,
} eng_dist_isa;

/* One build of the kernels. `a`, `b`, `q` and the rows hold `dims` floats each. */
typedef struct eng_dist_kernels {
    eng_dist_isa isa;
    const char *name; /* "avx512", "avx2", "scalar" */
    float (*l2sq)(const float *a, const float *b, uint32_t dims);  /* sum (a_i - b_i)^2 */
    float (*dot)(const float *a, const float *b, uint32_t dims);   /* sum a_i * b_i */
    float (*norm_sq)(const float *a, uint32_t dims);               /* sum a_i^2 */
    /* 1 - cos(a, b) with the dot product and both norms summed in one pass; NaN when a norm
     * is zero; clamped to [0, 2] (pgvector's `<=>`). */
    float (*cosine)(const float *a, const float *b, uint32_t dims);
    /* One query against `count` rows stored back to back (`rows` + i * dims): the
     * scalar-first path runs these over a column-store chunk. out[i] for row i. */
    void (*l2sq_rows)(const float *q, const float *rows, uint32_t count, uint32_t dims,
                      float *out);
    void (*dot_rows)(const float *q, const float *rows, uint32_t count, uint32_t dims,
                     float *out);
    void (*cosine_rows)(const float *q, const float *rows, uint32_t count, uint32_t dims,
                        float *out);
    /* One query against `count` scattered vectors (the neighbours of a graph node): prefetches
     * the next vector while it sums the current one. */
    void (*l2sq_ptrs)(const float *q, const float *const *vecs, uint32_t count, uint32_t dims,
                      float *out);
    void (*dot_ptrs)(const float *q, const float *const *vecs, uint32_t count, uint32_t dims,
                     float *out);
} eng_dist_kernels;

/* The build in use (the best supported one; scalar before the constructor has run). */
extern const eng_dist_kernels *eng_dist_active;

/* The build for `isa`, or NULL when this CPU cannot run it (tests compare each with scalar). */
const eng_dist_kernels *eng_dist_kernels_for(eng_dist_isa isa);
/* Switches every caller to the build for `isa` (benchmarks, tests); false if unsupported. Call
 * only while no other thread computes distances. */
bool eng_dist_use(eng_dist_isa isa);

static inline float eng_dist_l2sq(const float *a, const float *b, uint32_t dims) {
    return eng_dist_active->l2sq(a, b, dims);
}
static inline float eng_dist_dot(const float *a, const float *b, uint32_t dims) {
    return eng_dist_active->dot(a, b, dims);
}
static inline float eng_dist_norm_sq(const float *a, uint32_t dims) {
    return eng_dist_active->norm_sq(a, dims);
}

/* Euclidean distance (`<->`). */
float eng_dist_l2(const float *a, const float *b, uint32_t dims);
/* Euclidean norm (pgvector's vector_norm). */
float eng_dist_norm(const float *a, uint32_t dims);
/* Negative inner product (`<#>`): smaller is more similar, like the other distances. */
float eng_dist_neg_dot(const float *a, const float *b, uint32_t dims);
/* 1 - cos(a, b) (`<=>`), clamped to [0, 2]; NaN when either vector has norm zero. */
float eng_dist_cosine(const float *a, const float *b, uint32_t dims);

#endif
