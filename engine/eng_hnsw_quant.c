/* eng_hnsw_quant.c: the int8 copy of a graph's vectors that searches walk with, and the exact
 * re-scoring of a walk's best candidates.
 *
 * Why. At 1M x 768 a filtered walk with ef ~500 scores ~9,000 neighbours per query, 3 KiB of
 * floats each: the walk waits on memory, not on arithmetic. The same walk over one byte per
 * element reads a quarter of that. The order it finds is approximate, so the nearest
 * candidates (ENG_HNSW_QUANT_RERANK_PER_K per result wanted) are scored again from the float
 * vectors and only those are returned, with their exact distances.
 *
 * Encoding. u (the vector, divided by its norm under cosine) is stored as codes in
 * [-127, 127] with u_d ~ offset_d + scale * code_d: the offset is per dimension (the middle of
 * the range seen), the scale is one for the graph (the widest dimension's range / 254). One
 * scale keeps the sums integer (one multiply at the end); a scale per dimension would shrink
 * only the error of narrow dimensions, which add little to a distance anyway, and put a
 * float multiply back into every element. The offset cancels in L2 and costs one term per
 * vector for the inner product (hnsw_quant in eng_hnsw_int.h). The range is learnt from up to
 * ENG_HNSW_QUANT_TRAIN_NODES nodes when the graph reaches params.quant_min_elems, and again
 * each time the graph doubles until that many nodes were seen; values outside it are clamped
 * (only the walk's order suffers, never a result).
 *
 * Layout. A node's row is its codes, zeros up to a whole kernel block, and its term, in whole
 * cache lines (832 bytes at 768 dims): a distance reads nothing else of the node.
 *
 * Kernels. Plain loops over 32-lane blocks that the compiler vectorises at -O2 (widening
 * multiplies into int32 lanes; no epilogue as the codes are padded with zeros to a whole
 * block), built three times with target attributes as eng_dist.c does and chosen once
 * by what the CPU supports. The codes are never saved: they are derived from the column
 * store's floats, so checkpoints and the WAL are unchanged. */
#include <string.h>

#include "engine/eng_hnsw_int.h"
#include "runtime/rt_mem.h"

#define HNSW_QUANT_CODE_MAX 127
#define HNSW_QUANT_LANES 32u /* int32 sums per kernel: one 32-byte block of codes per step */
RT_STATIC_ASSERT(HNSW_QUANT_ALIGN % HNSW_QUANT_LANES == 0);
/* No int32 lane can overflow: (2 x 127)^2 per element, ENG_VECTOR_DIMS_MAX / LANES steps. */
RT_STATIC_ASSERT(254ull * 254ull * (ENG_VECTOR_DIMS_MAX / HNSW_QUANT_LANES) < (1ull << 31));

/* ---- kernels ----------------------------------------------------------------------------- */

typedef int32_t (*hnsw_quant_kernel)(const int8_t *a, const int8_t *b, uint32_t bytes);

/* sum a_i b_i over `bytes` codes (a multiple of HNSW_QUANT_LANES). */
static inline __attribute__((always_inline)) int32_t hnsw_quant_dot_body(
    const int8_t *restrict a, const int8_t *restrict b, uint32_t bytes) {
    int32_t s[HNSW_QUANT_LANES] = {0};
    for (uint32_t k = 0; k < bytes; k += HNSW_QUANT_LANES, a += HNSW_QUANT_LANES,
                  b += HNSW_QUANT_LANES) {
        for (uint32_t i = 0; i < HNSW_QUANT_LANES; i++) s[i] += (int16_t)a[i] * (int16_t)b[i];
    }
    int32_t t = 0;
    for (uint32_t i = 0; i < HNSW_QUANT_LANES; i++) t += s[i];
    return t;
}

/* sum (a_i - b_i)^2 over `bytes` codes. */
static inline __attribute__((always_inline)) int32_t hnsw_quant_l2_body(
    const int8_t *restrict a, const int8_t *restrict b, uint32_t bytes) {
    int32_t s[HNSW_QUANT_LANES] = {0};
    for (uint32_t k = 0; k < bytes; k += HNSW_QUANT_LANES, a += HNSW_QUANT_LANES,
                  b += HNSW_QUANT_LANES) {
        for (uint32_t i = 0; i < HNSW_QUANT_LANES; i++) {
            int32_t d = (int32_t)a[i] - (int32_t)b[i];
            s[i] += d * d;
        }
    }
    int32_t t = 0;
    for (uint32_t i = 0; i < HNSW_QUANT_LANES; i++) t += s[i];
    return t;
}

static int32_t hnsw_quant_dot_base(const int8_t *a, const int8_t *b, uint32_t bytes) {
    return hnsw_quant_dot_body(a, b, bytes);
}
static int32_t hnsw_quant_l2_base(const int8_t *a, const int8_t *b, uint32_t bytes) {
    return hnsw_quant_l2_body(a, b, bytes);
}
__attribute__((target("avx2"))) static int32_t hnsw_quant_dot_avx2(const int8_t *a,
                                                                   const int8_t *b,
                                                                   uint32_t bytes) {
    return hnsw_quant_dot_body(a, b, bytes);
}
__attribute__((target("avx2"))) static int32_t hnsw_quant_l2_avx2(const int8_t *a,
                                                                  const int8_t *b,
                                                                  uint32_t bytes) {
    return hnsw_quant_l2_body(a, b, bytes);
}
__attribute__((target("avx512f,avx512bw"))) static int32_t hnsw_quant_dot_avx512(
    const int8_t *a, const int8_t *b, uint32_t bytes) {
    return hnsw_quant_dot_body(a, b, bytes);
}
__attribute__((target("avx512f,avx512bw"))) static int32_t hnsw_quant_l2_avx512(
    const int8_t *a, const int8_t *b, uint32_t bytes) {
    return hnsw_quant_l2_body(a, b, bytes);
}

static hnsw_quant_kernel hnsw_quant_dot_fn = hnsw_quant_dot_base;
static hnsw_quant_kernel hnsw_quant_l2_fn = hnsw_quant_l2_base;

__attribute__((constructor)) static void hnsw_quant_choose(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw")) {
        hnsw_quant_dot_fn = hnsw_quant_dot_avx512;
        hnsw_quant_l2_fn = hnsw_quant_l2_avx512;
    } else if (__builtin_cpu_supports("avx2")) {
        hnsw_quant_dot_fn = hnsw_quant_dot_avx2;
        hnsw_quant_l2_fn = hnsw_quant_l2_avx2;
    }
}

/* ---- codes ------------------------------------------------------------------------------- */

size_t hnsw_quant_bytes(const eng_hnsw *h) {
    return (size_t)HNSW_CHUNK_SLOTS * h->quant.stride;
}

static inline const int8_t *hnsw_quant_codes(const eng_hnsw *h, uint32_t slot) {
    const hnsw_chunk *c = h->chunks[slot >> HNSW_CHUNK_SHIFT];
    return c->codes + (size_t)(slot & HNSW_CHUNK_MASK) * h->quant.stride;
}

/* A node's term sits in the last bytes of its row, past the codes the kernels read: the
 * lines a distance reads are the row's. */
static inline float *hnsw_quant_term(const eng_hnsw *h, uint32_t slot) {
    return (float *)(hnsw_quant_codes(h, slot) + h->quant.stride - sizeof(float));
}

/* Codes of v * mult (mult = the inverse norm under cosine, else 1); returns its term. */
static float hnsw_quant_code(const eng_hnsw *h, const float *v, float mult, int8_t *codes) {
    const hnsw_quant *qt = &h->quant;
    float inv_scale = 1.0f / qt->scale;
    double term = 0.0;
    for (uint32_t d = 0; d < h->dims; d++) {
        float x = (v[d] * mult - qt->offset[d]) * inv_scale;
        if (!(x < HNSW_QUANT_CODE_MAX)) x = HNSW_QUANT_CODE_MAX; /* also NaN: never stored */
        if (x < -HNSW_QUANT_CODE_MAX) x = -HNSW_QUANT_CODE_MAX;
        int code = (int)lrintf(x);
        codes[d] = (int8_t)code;
        term += (double)qt->offset[d] * code;
    }
    memset(codes + h->dims, 0, qt->kernel_bytes - h->dims);
    return (float)term;
}

static float hnsw_quant_mult(const eng_hnsw *h, float inv_norm) {
    return h->params.metric == ENG_HNSW_COSINE ? inv_norm : 1.0f;
}

void hnsw_quant_encode(eng_hnsw *h, uint32_t slot) {
    RT_ASSERT(h->quant.ready);
    int8_t *codes = (int8_t *)hnsw_quant_codes(h, slot);
    float mult = hnsw_quant_mult(h, hnsw_inv_norm(h, slot));
    *hnsw_quant_term(h, slot) = hnsw_quant_code(h, hnsw_vec(h, slot), mult, codes);
}

/* ---- learning the range ------------------------------------------------------------------ */

/* Offsets and scale from a stride through the nodes: the middle of each dimension's range,
 * and the widest range over 2 x HNSW_QUANT_CODE_MAX steps. */
static void hnsw_quant_train(eng_hnsw *h) {
    hnsw_quant *qt = &h->quant;
    float *lo = rt_xmalloc((size_t)h->dims * 2 * sizeof(float));
    float *hi = lo + h->dims;
    for (uint32_t d = 0; d < h->dims; d++) {
        lo[d] = INFINITY;
        hi[d] = -INFINITY;
    }
    uint64_t step = (h->nodes + ENG_HNSW_QUANT_TRAIN_NODES - 1) / ENG_HNSW_QUANT_TRAIN_NODES;
    uint64_t seen = 0;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        if (hnsw_height(h, slot) == 0 || seen++ % step != 0) continue;
        const float *v = hnsw_vec(h, slot);
        float mult = hnsw_quant_mult(h, hnsw_inv_norm(h, slot));
        for (uint32_t d = 0; d < h->dims; d++) {
            float x = v[d] * mult;
            if (x < lo[d]) lo[d] = x;
            if (x > hi[d]) hi[d] = x;
        }
    }
    float range = 0.0f;
    double offset_sq = 0.0;
    for (uint32_t d = 0; d < h->dims; d++) {
        if (hi[d] - lo[d] > range) range = hi[d] - lo[d];
        qt->offset[d] = 0.5f * (lo[d] + hi[d]);
        offset_sq += (double)qt->offset[d] * qt->offset[d];
    }
    qt->scale = range > 0.0f ? range / (2 * HNSW_QUANT_CODE_MAX) : 1.0f;
    qt->offset_sq = (float)offset_sq;
    qt->trained_nodes = h->nodes;
    rt_free(lo);
}

void hnsw_quant_maybe_start(eng_hnsw *h) {
    hnsw_quant *qt = &h->quant;
    if (qt->ready) {
        /* learnt from a sample smaller than the graph now: learn again while that is cheap */
        if (qt->trained_nodes >= ENG_HNSW_QUANT_TRAIN_NODES || h->nodes < 2 * qt->trained_nodes) {
            return;
        }
    } else {
        uint64_t min_elems = h->params.quant_min_elems != 0 ? h->params.quant_min_elems
                                                            : ENG_HNSW_QUANT_MIN_ELEMS;
        if (min_elems == UINT64_MAX || (uint64_t)h->dims * h->nodes < min_elems) return;
        qt->kernel_bytes = (h->dims + HNSW_QUANT_LANES - 1) / HNSW_QUANT_LANES * HNSW_QUANT_LANES;
        qt->stride = (qt->kernel_bytes + (uint32_t)sizeof(float) + HNSW_QUANT_ALIGN - 1) /
                     HNSW_QUANT_ALIGN * HNSW_QUANT_ALIGN;
        size_t need = (size_t)h->dims * sizeof(float) + qt->stride;
        for (uint32_t ci = 0; ci < h->chunk_cap; ci++) {
            if (h->chunks[ci] != NULL) need += hnsw_quant_bytes(h);
        }
        if (h->bytes + need > h->params.memory_bytes_max) return; /* stays a float graph */
        qt->offset = hnsw_alloc(h, (size_t)h->dims * sizeof(float));
        qt->query = hnsw_alloc(h, qt->stride);
        for (uint32_t ci = 0; ci < h->chunk_cap; ci++) {
            if (h->chunks[ci] != NULL) h->chunks[ci]->codes = hnsw_alloc(h, hnsw_quant_bytes(h));
        }
        qt->ready = true;
    }
    hnsw_quant_train(h);
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        if (hnsw_height(h, slot) != 0) hnsw_quant_encode(h, slot);
    }
}

void hnsw_quant_free(eng_hnsw *h) {
    hnsw_free(h, h->quant.offset, (size_t)h->dims * sizeof(float));
    hnsw_free(h, h->quant.query, h->quant.stride);
    h->quant.offset = NULL;
    h->quant.query = NULL;
}

/* ---- searching --------------------------------------------------------------------------- */

void hnsw_quant_query(eng_hnsw *h, hnsw_query *q) {
    RT_ASSERT(h->quant.ready);
    q->term = hnsw_quant_code(h, q->vec, hnsw_quant_mult(h, q->inv_norm), h->quant.query);
    q->quant = true;
}

/* The ordering distance (hnsw_dist_finish's) from an integer sum. */
static inline float hnsw_quant_finish(const eng_hnsw *h, const hnsw_query *q, int32_t raw,
                                      float term) {
    const hnsw_quant *qt = &h->quant;
    float s = qt->scale;
    if (h->params.metric == ENG_HNSW_L2) return s * s * (float)raw;
    float dot = qt->offset_sq + s * (q->term + term) + s * s * (float)raw;
    return h->params.metric == ENG_HNSW_IP ? -dot : 1.0f - dot;
}

static inline int32_t hnsw_quant_raw(const eng_hnsw *h, const int8_t *codes) {
    hnsw_quant_kernel fn = h->params.metric == ENG_HNSW_L2 ? hnsw_quant_l2_fn : hnsw_quant_dot_fn;
    return fn(h->quant.query, codes, h->quant.kernel_bytes);
}

float hnsw_quant_dist(const eng_hnsw *h, const hnsw_query *q, uint32_t slot) {
    return hnsw_quant_finish(h, q, hnsw_quant_raw(h, hnsw_quant_codes(h, slot)),
                             *hnsw_quant_term(h, slot));
}

static inline void hnsw_quant_prefetch(const eng_hnsw *h, uint32_t slot) {
    const char *p = (const char *)hnsw_quant_codes(h, slot);
    for (uint32_t off = 0; off < h->quant.stride; off += HNSW_CACHE_LINE_BYTES) {
        __builtin_prefetch(p + off);
    }
}

/* The first line of every neighbour's row is asked for at once, then each neighbour's
 * remaining lines while the one before it is summed. */
void hnsw_quant_score(eng_hnsw *h, const hnsw_query *q, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) __builtin_prefetch(hnsw_quant_codes(h, h->ids[i]));
    hnsw_quant_prefetch(h, h->ids[0]);
    for (uint32_t i = 0; i < n; i++) {
        if (i + 1 < n) hnsw_quant_prefetch(h, h->ids[i + 1]);
        h->dists[i] = hnsw_quant_dist(h, q, h->ids[i]);
    }
}

uint32_t hnsw_quant_rerank(eng_hnsw *h, const hnsw_query *q, uint32_t k, uint32_t n) {
    uint64_t want = (uint64_t)k * ENG_HNSW_QUANT_RERANK_PER_K;
    if (want < ENG_HNSW_QUANT_RERANK_MIN) want = ENG_HNSW_QUANT_RERANK_MIN;
    uint32_t r = want < n ? (uint32_t)want : n;
    if (r == 0) return 0;
    hnsw_reserve_ids(h, r);
    for (uint32_t i = 0; i < r; i++) h->ids[i] = h->work[i].slot;
    hnsw_score_ids(h, q, r);
    for (uint32_t i = 0; i < r; i++) h->work[i].dist = h->dists[i];
    hnsw_cand_sort(h->work, r);
    return r;
}
