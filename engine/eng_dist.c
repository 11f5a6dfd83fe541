/* eng_dist.c: the distance kernels in three builds (scalar, AVX2+FMA, AVX-512F) and the choice
 * of one at startup.
 *
 * Every SIMD function carries its own target attribute instead of the whole file being built
 * with -mavx512f: the compiler may then use those instructions only inside these functions,
 * and the rest of the binary stays runnable on any x86-64. The dispatcher only hands out a
 * build after __builtin_cpu_supports() (which also checks that the OS saves the registers).
 *
 * Shape of each kernel: four independent accumulators hide the latency of the fused
 * multiply-add (4 cycles, 2 per cycle on recent cores), then one register per step, then the
 * tail with a masked load so no element past `dims` is ever read. */
#include "engine/eng_dist.h"

#include <immintrin.h>
#include <math.h>

#include "runtime/rt_assert.h"

/* Lines of the next vector prefetched by the *_ptrs kernels: the hardware prefetcher follows
 * a stream once it has seen a few consecutive lines, so the first ones matter most. */
#define ENG_DIST_PREFETCH_LINES 8u
#define ENG_DIST_CACHE_LINE_BYTES 64u

static inline void dist_prefetch(const float *v, uint32_t dims) {
    uint32_t lines = (dims * (uint32_t)sizeof(float) + ENG_DIST_CACHE_LINE_BYTES - 1) /
                     ENG_DIST_CACHE_LINE_BYTES;
    if (lines > ENG_DIST_PREFETCH_LINES) lines = ENG_DIST_PREFETCH_LINES;
    const char *p = (const char *)v;
    for (uint32_t i = 0; i < lines; i++) __builtin_prefetch(p + i * ENG_DIST_CACHE_LINE_BYTES);
}

/* 1 - cos from the three sums, as pgvector: the norms are multiplied in double (two squared
 * norms near FLT_MAX would overflow float), NaN when a norm is zero, clamped to [0, 2]. */
static inline float dist_cosine_finish(float dot, float norm_sq_a, float norm_sq_b) {
    double sim = (double)dot / sqrt((double)norm_sq_a * (double)norm_sq_b);
    if (isnan(sim)) return NAN;
    if (sim > 1.0) sim = 1.0;
    if (sim < -1.0) sim = -1.0;
    return (float)(1.0 - sim);
}

/* ---- scalar: the reference every other build is tested against ------------------------ */

/* Eight running sums in a fixed order: as exact as a sequential sum for our purposes, and
 * the compiler can keep them in two SSE registers. */
static float dist_l2sq_scalar(const float *a, const float *b, uint32_t dims) {
    float s[8] = {0};
    uint32_t i = 0;
    for (; i + 8 <= dims; i += 8) {
        for (uint32_t j = 0; j < 8; j++) {
            float d = a[i + j] - b[i + j];
            s[j] += d * d;
        }
    }
    for (uint32_t j = 0; i < dims; i++, j++) {
        float d = a[i] - b[i];
        s[j] += d * d;
    }
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static float dist_dot_scalar(const float *a, const float *b, uint32_t dims) {
    float s[8] = {0};
    uint32_t i = 0;
    for (; i + 8 <= dims; i += 8) {
        for (uint32_t j = 0; j < 8; j++) s[j] += a[i + j] * b[i + j];
    }
    for (uint32_t j = 0; i < dims; i++, j++) s[j] += a[i] * b[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static float dist_norm_sq_scalar(const float *a, uint32_t dims) {
    return dist_dot_scalar(a, a, dims);
}

/* dot(a, b), |a|^2 and |b|^2 in one pass over both vectors. */
static void dist_dot_norms_scalar(const float *a, const float *b, uint32_t dims, float out[3]) {
    float d[4] = {0}, na[4] = {0}, nb[4] = {0};
    uint32_t i = 0;
    for (; i + 4 <= dims; i += 4) {
        for (uint32_t j = 0; j < 4; j++) {
            d[j] += a[i + j] * b[i + j];
            na[j] += a[i + j] * a[i + j];
            nb[j] += b[i + j] * b[i + j];
        }
    }
    for (uint32_t j = 0; i < dims; i++, j++) {
        d[j] += a[i] * b[i];
        na[j] += a[i] * a[i];
        nb[j] += b[i] * b[i];
    }
    out[0] = (d[0] + d[1]) + (d[2] + d[3]);
    out[1] = (na[0] + na[1]) + (na[2] + na[3]);
    out[2] = (nb[0] + nb[1]) + (nb[2] + nb[3]);
}

static float dist_cosine_scalar(const float *a, const float *b, uint32_t dims) {
    float s[3];
    dist_dot_norms_scalar(a, b, dims, s);
    return dist_cosine_finish(s[0], s[1], s[2]);
}

static void dist_cosine_rows_scalar(const float *q, const float *rows, uint32_t count,
                                    uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        out[i] = dist_cosine_scalar(q, rows + (size_t)i * dims, dims);
    }
}

static void dist_l2sq_rows_scalar(const float *q, const float *rows, uint32_t count,
                                  uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        out[i] = dist_l2sq_scalar(q, rows + (size_t)i * dims, dims);
    }
}

static void dist_dot_rows_scalar(const float *q, const float *rows, uint32_t count,
                                 uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) out[i] = dist_dot_scalar(q, rows + (size_t)i * dims, dims);
}

static void dist_l2sq_ptrs_scalar(const float *q, const float *const *vecs, uint32_t count,
                                  uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        if (i + 1 < count) dist_prefetch(vecs[i + 1], dims);
        out[i] = dist_l2sq_scalar(q, vecs[i], dims);
    }
}

static void dist_dot_ptrs_scalar(const float *q, const float *const *vecs, uint32_t count,
                                 uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        if (i + 1 < count) dist_prefetch(vecs[i + 1], dims);
        out[i] = dist_dot_scalar(q, vecs[i], dims);
    }
}

static const eng_dist_kernels dist_scalar = {
    .isa = ENG_DIST_ISA_SCALAR,
    .name = "scalar",
    .l2sq = dist_l2sq_scalar,
    .dot = dist_dot_scalar,
    .norm_sq = dist_norm_sq_scalar,
    .cosine = dist_cosine_scalar,
    .cosine_rows = dist_cosine_rows_scalar,
    .l2sq_rows = dist_l2sq_rows_scalar,
    .dot_rows = dist_dot_rows_scalar,
    .l2sq_ptrs = dist_l2sq_ptrs_scalar,
    .dot_ptrs = dist_dot_ptrs_scalar,
};

/* ---- AVX2 + FMA: 8 lanes -------------------------------------------------------------- */

#define DIST_AVX2 __attribute__((target("avx2,fma")))

/* maskload takes a lane mask of int32 sign bits: 8 ones then 8 zeros, read at an offset. */
static const int32_t dist_avx2_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                 0,  0,  0,  0,  0,  0,  0,  0};

DIST_AVX2 static inline __m256i dist_avx2_tail_mask(uint32_t rest) {
    return _mm256_loadu_si256((const __m256i *)(dist_avx2_mask_table + 8 - rest));
}

DIST_AVX2 static inline float dist_avx2_sum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

DIST_AVX2 static inline float dist_l2sq_avx2(const float *a, const float *b, uint32_t dims) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    uint32_t i = 0;
    for (; i + 32 <= dims; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i + 8 <= dims; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    if (i < dims) {
        __m256i m = dist_avx2_tail_mask(dims - i);
        __m256 d = _mm256_sub_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m));
        s1 = _mm256_fmadd_ps(d, d, s1);
    }
    return dist_avx2_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

DIST_AVX2 static inline float dist_dot_avx2(const float *a, const float *b, uint32_t dims) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    uint32_t i = 0;
    for (; i + 32 <= dims; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= dims; i += 8) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    }
    if (i < dims) {
        __m256i m = dist_avx2_tail_mask(dims - i);
        s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), s1);
    }
    return dist_avx2_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

DIST_AVX2 static inline float dist_cosine_avx2(const float *a, const float *b, uint32_t dims) {
    __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
    uint32_t i = 0;
    for (; i + 16 <= dims; i += 16) {
        __m256 x0 = _mm256_loadu_ps(a + i), y0 = _mm256_loadu_ps(b + i);
        __m256 x1 = _mm256_loadu_ps(a + i + 8), y1 = _mm256_loadu_ps(b + i + 8);
        d0 = _mm256_fmadd_ps(x0, y0, d0);
        a0 = _mm256_fmadd_ps(x0, x0, a0);
        b0 = _mm256_fmadd_ps(y0, y0, b0);
        d1 = _mm256_fmadd_ps(x1, y1, d1);
        a1 = _mm256_fmadd_ps(x1, x1, a1);
        b1 = _mm256_fmadd_ps(y1, y1, b1);
    }
    for (; i < dims; i += 8) {
        __m256i m = dist_avx2_tail_mask(dims - i < 8 ? dims - i : 8);
        __m256 x = _mm256_maskload_ps(a + i, m), y = _mm256_maskload_ps(b + i, m);
        d0 = _mm256_fmadd_ps(x, y, d0);
        a0 = _mm256_fmadd_ps(x, x, a0);
        b0 = _mm256_fmadd_ps(y, y, b0);
    }
    return dist_cosine_finish(dist_avx2_sum(_mm256_add_ps(d0, d1)),
                              dist_avx2_sum(_mm256_add_ps(a0, a1)),
                              dist_avx2_sum(_mm256_add_ps(b0, b1)));
}

DIST_AVX2 static float dist_cosine_avx2_fn(const float *a, const float *b, uint32_t dims) {
    return dist_cosine_avx2(a, b, dims);
}

DIST_AVX2 static void dist_cosine_rows_avx2(const float *q, const float *rows, uint32_t count,
                                            uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        out[i] = dist_cosine_avx2(q, rows + (size_t)i * dims, dims);
    }
}

DIST_AVX2 static float dist_l2sq_avx2_fn(const float *a, const float *b, uint32_t dims) {
    return dist_l2sq_avx2(a, b, dims);
}

DIST_AVX2 static float dist_dot_avx2_fn(const float *a, const float *b, uint32_t dims) {
    return dist_dot_avx2(a, b, dims);
}

DIST_AVX2 static float dist_norm_sq_avx2(const float *a, uint32_t dims) {
    return dist_dot_avx2(a, a, dims);
}

DIST_AVX2 static void dist_l2sq_rows_avx2(const float *q, const float *rows, uint32_t count,
                                          uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) out[i] = dist_l2sq_avx2(q, rows + (size_t)i * dims, dims);
}

DIST_AVX2 static void dist_dot_rows_avx2(const float *q, const float *rows, uint32_t count,
                                         uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) out[i] = dist_dot_avx2(q, rows + (size_t)i * dims, dims);
}

DIST_AVX2 static void dist_l2sq_ptrs_avx2(const float *q, const float *const *vecs,
                                          uint32_t count, uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        if (i + 1 < count) dist_prefetch(vecs[i + 1], dims);
        out[i] = dist_l2sq_avx2(q, vecs[i], dims);
    }
}

DIST_AVX2 static void dist_dot_ptrs_avx2(const float *q, const float *const *vecs,
                                         uint32_t count, uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        if (i + 1 < count) dist_prefetch(vecs[i + 1], dims);
        out[i] = dist_dot_avx2(q, vecs[i], dims);
    }
}

static const eng_dist_kernels dist_avx2 = {
    .isa = ENG_DIST_ISA_AVX2,
    .name = "avx2",
    .l2sq = dist_l2sq_avx2_fn,
    .dot = dist_dot_avx2_fn,
    .norm_sq = dist_norm_sq_avx2,
    .cosine = dist_cosine_avx2_fn,
    .cosine_rows = dist_cosine_rows_avx2,
    .l2sq_rows = dist_l2sq_rows_avx2,
    .dot_rows = dist_dot_rows_avx2,
    .l2sq_ptrs = dist_l2sq_ptrs_avx2,
    .dot_ptrs = dist_dot_ptrs_avx2,
};

/* ---- AVX-512F: 16 lanes, tails by mask registers ---------------------------------------- */

#define DIST_AVX512 __attribute__((target("avx512f")))

DIST_AVX512 static inline float dist_l2sq_avx512(const float *a, const float *b, uint32_t dims) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    uint32_t i = 0;
    for (; i + 64 <= dims; i += 64) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
        __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
        s2 = _mm512_fmadd_ps(d2, d2, s2);
        s3 = _mm512_fmadd_ps(d3, d3, s3);
    }
    for (; i + 16 <= dims; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (i < dims) {
        __mmask16 m = (__mmask16)((1u << (dims - i)) - 1u);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

DIST_AVX512 static inline float dist_dot_avx512(const float *a, const float *b, uint32_t dims) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    uint32_t i = 0;
    for (; i + 64 <= dims; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    for (; i + 16 <= dims; i += 16) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    }
    if (i < dims) {
        __mmask16 m = (__mmask16)((1u << (dims - i)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

DIST_AVX512 static inline float dist_cosine_avx512(const float *a, const float *b,
                                                   uint32_t dims) {
    __m512 d0 = _mm512_setzero_ps(), d1 = _mm512_setzero_ps();
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    __m512 b0 = _mm512_setzero_ps(), b1 = _mm512_setzero_ps();
    uint32_t i = 0;
    for (; i + 32 <= dims; i += 32) {
        __m512 x0 = _mm512_loadu_ps(a + i), y0 = _mm512_loadu_ps(b + i);
        __m512 x1 = _mm512_loadu_ps(a + i + 16), y1 = _mm512_loadu_ps(b + i + 16);
        d0 = _mm512_fmadd_ps(x0, y0, d0);
        a0 = _mm512_fmadd_ps(x0, x0, a0);
        b0 = _mm512_fmadd_ps(y0, y0, b0);
        d1 = _mm512_fmadd_ps(x1, y1, d1);
        a1 = _mm512_fmadd_ps(x1, x1, a1);
        b1 = _mm512_fmadd_ps(y1, y1, b1);
    }
    for (; i < dims; i += 16) {
        uint32_t rest = dims - i < 16 ? dims - i : 16;
        __mmask16 m = (__mmask16)((1u << rest) - 1u);
        __m512 x = _mm512_maskz_loadu_ps(m, a + i), y = _mm512_maskz_loadu_ps(m, b + i);
        d0 = _mm512_fmadd_ps(x, y, d0);
        a0 = _mm512_fmadd_ps(x, x, a0);
        b0 = _mm512_fmadd_ps(y, y, b0);
    }
    return dist_cosine_finish(_mm512_reduce_add_ps(_mm512_add_ps(d0, d1)),
                              _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)),
                              _mm512_reduce_add_ps(_mm512_add_ps(b0, b1)));
}

DIST_AVX512 static float dist_cosine_avx512_fn(const float *a, const float *b, uint32_t dims) {
    return dist_cosine_avx512(a, b, dims);
}

DIST_AVX512 static void dist_cosine_rows_avx512(const float *q, const float *rows, uint32_t count,
                                                uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        out[i] = dist_cosine_avx512(q, rows + (size_t)i * dims, dims);
    }
}

DIST_AVX512 static float dist_l2sq_avx512_fn(const float *a, const float *b, uint32_t dims) {
    return dist_l2sq_avx512(a, b, dims);
}

DIST_AVX512 static float dist_dot_avx512_fn(const float *a, const float *b, uint32_t dims) {
    return dist_dot_avx512(a, b, dims);
}

DIST_AVX512 static float dist_norm_sq_avx512(const float *a, uint32_t dims) {
    return dist_dot_avx512(a, a, dims);
}

DIST_AVX512 static void dist_l2sq_rows_avx512(const float *q, const float *rows, uint32_t count,
                                              uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        out[i] = dist_l2sq_avx512(q, rows + (size_t)i * dims, dims);
    }
}

DIST_AVX512 static void dist_dot_rows_avx512(const float *q, const float *rows, uint32_t count,
                                             uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        out[i] = dist_dot_avx512(q, rows + (size_t)i * dims, dims);
    }
}

DIST_AVX512 static void dist_l2sq_ptrs_avx512(const float *q, const float *const *vecs,
                                              uint32_t count, uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        if (i + 1 < count) dist_prefetch(vecs[i + 1], dims);
        out[i] = dist_l2sq_avx512(q, vecs[i], dims);
    }
}

DIST_AVX512 static void dist_dot_ptrs_avx512(const float *q, const float *const *vecs,
                                             uint32_t count, uint32_t dims, float *out) {
    for (uint32_t i = 0; i < count; i++) {
        if (i + 1 < count) dist_prefetch(vecs[i + 1], dims);
        out[i] = dist_dot_avx512(q, vecs[i], dims);
    }
}

static const eng_dist_kernels dist_avx512 = {
    .isa = ENG_DIST_ISA_AVX512,
    .name = "avx512",
    .l2sq = dist_l2sq_avx512_fn,
    .dot = dist_dot_avx512_fn,
    .norm_sq = dist_norm_sq_avx512,
    .cosine = dist_cosine_avx512_fn,
    .cosine_rows = dist_cosine_rows_avx512,
    .l2sq_rows = dist_l2sq_rows_avx512,
    .dot_rows = dist_dot_rows_avx512,
    .l2sq_ptrs = dist_l2sq_ptrs_avx512,
    .dot_ptrs = dist_dot_ptrs_avx512,
};

/* ---- choice at startup ------------------------------------------------------------------ */

const eng_dist_kernels *eng_dist_active = &dist_scalar;

const eng_dist_kernels *eng_dist_kernels_for(eng_dist_isa isa) {
    __builtin_cpu_init();
    switch (isa) {
    case ENG_DIST_ISA_SCALAR:
        return &dist_scalar;
    case ENG_DIST_ISA_AVX2:
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &dist_avx2;
        return NULL;
    case ENG_DIST_ISA_AVX512:
        if (__builtin_cpu_supports("avx512f")) return &dist_avx512;
        return NULL;
    case ENG_DIST_ISA_COUNT:
        break;
    }
    return NULL;
}

bool eng_dist_use(eng_dist_isa isa) {
    const eng_dist_kernels *k = eng_dist_kernels_for(isa);
    if (k == NULL) return false;
    eng_dist_active = k;
    return true;
}

/* Runs before main(), so every thread sees the final choice without synchronisation. */
__attribute__((constructor)) static void eng_dist_choose(void) {
    for (int isa = ENG_DIST_ISA_COUNT - 1; isa > ENG_DIST_ISA_SCALAR; isa--) {
        if (eng_dist_use((eng_dist_isa)isa)) return;
    }
}

/* ---- the SQL-level distances ------------------------------------------------------------ */

float eng_dist_l2(const float *a, const float *b, uint32_t dims) {
    return sqrtf(eng_dist_l2sq(a, b, dims));
}

float eng_dist_norm(const float *a, uint32_t dims) {
    return sqrtf(eng_dist_norm_sq(a, dims));
}

float eng_dist_neg_dot(const float *a, const float *b, uint32_t dims) {
    return -eng_dist_dot(a, b, dims);
}

float eng_dist_cosine(const float *a, const float *b, uint32_t dims) {
    return eng_dist_active->cosine(a, b, dims);
}
