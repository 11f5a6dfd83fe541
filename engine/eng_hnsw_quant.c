/* eng_hnsw_quant.c: the int8 copy of a graph's vectors that searches walk with, and the exact
 * re-scoring of a walk's best candidates.
 *
 * Why. At 1M x 768 a filtered walk with ef ~500 scores ~9,000 neighbours per query, 3 KiB of
 * floats each: ~26 MB read per query. The same walk over one byte per element reads about a
 * quarter of that (1.1-1.3x less CPU per query at 1M, bench/RESULTS.md: the walk's other
 * scattered loads remain). The order it finds is approximate, so the nearest
 * candidates (ENG_HNSW_QUANT_RERANK_PER_K per result wanted) are scored again from the float
 * vectors and only those are returned, with their exact distances.
 *
 * Encoding. u (the vector, divided by its norm under cosine) is coded in [-127, 127] with
 * u_d ~ offset_d + scale * code_d (a node's codes stored + 128, as unsigned bytes). The offset
 * is per dimension (its mean), the scale is one for the graph (the widest dimension's reach
 * from its mean, clipped at HNSW_QUANT_CLIP_SIGMAS deviations, over 127). One scale keeps the
 * sums integer (one multiply at the end); a scale per dimension would shrink only the error of
 * narrow dimensions, which add little to a distance anyway, and put a float multiply back
 * into every element. The offset cancels in L2 and costs one term per vector for the inner
 * product (hnsw_quant in eng_hnsw_int.h). The range is learnt from up to
 * ENG_HNSW_QUANT_TRAIN_NODES nodes when the graph reaches params.quant_min_elems, and again
 * each time the graph doubles until that many nodes were seen; values outside it are clamped
 * (only the walk's order suffers, never a result).
 *
 * Slices. Learning the range and encoding every node is one task (hnsw_quant_task) that each
 * insert and search advances by params.quant_slice_elems elements, so no call stalls the shard
 * for the whole graph. While a range is learnt the codes in force still serve (and new nodes
 * get codes of that range); once it is learnt the old codes are stale, so the walk uses the
 * floats until every node has been encoded again (new nodes are encoded at insert meanwhile).
 * A walk thus compares codes of one range only, or none.
 *
 * Layout. A node's row is its codes, padding up to a whole kernel block, and its sums (term,
 * sum of squares, sum), in whole cache lines (832 bytes at 768 dims): a distance reads
 * nothing else of the node. L2 is |ca|^2 + |cb|^2 - 2 ca.cb, so one kernel serves all metrics.
 *
 * Kernel. One plain loop of unsigned-by-signed byte products over 64-byte blocks that the
 * compiler vectorises at -O2 (no epilogue: the codes are padded to a whole block), built four
 * times with target attributes as eng_dist.c does (VNNI on AVX-512 or AVX, AVX2, baseline)
 * and chosen once by what the CPU supports. The codes are never saved: they are derived from
 * the column store's floats, so checkpoints and the WAL are unchanged. */
#include <string.h>

#include "engine/eng_hnsw_int.h"
#include "runtime/rt_mem.h"

#define HNSW_QUANT_CODE_MAX 127
#define HNSW_QUANT_CLIP_SIGMAS 5.0 /* the codes' reach from a dimension's mean, at most */
#define HNSW_QUANT_BIAS 128 /* a node's codes are stored as code + 128 (unsigned bytes) */
#define HNSW_QUANT_BLOCK 64u /* bytes one kernel step sums: one cache line of codes */
RT_STATIC_ASSERT(HNSW_QUANT_ALIGN % HNSW_QUANT_BLOCK == 0);
/* No int32 sum can overflow: 255 x 127 per element, ENG_VECTOR_DIMS_MAX elements. */
RT_STATIC_ASSERT(255ull * 127ull * ENG_VECTOR_DIMS_MAX < (1ull << 31));

/* ---- kernels ----------------------------------------------------------------------------- */

/* sum node_i x query_i of unsigned node bytes and signed query codes, over `bytes` (a multiple
 * of HNSW_QUANT_BLOCK). The unsigned-by-signed shape is the one the compiler turns into
 * VNNI's vpdpbusd (64 products summed in groups of four per instruction) where the target has
 * it, and into widening multiplies elsewhere. */
static inline __attribute__((always_inline)) int32_t hnsw_quant_dot_body(
    const uint8_t *restrict node, const int8_t *restrict query, uint32_t bytes) {
    int32_t s = 0;
    for (uint32_t k = 0; k < bytes; k += HNSW_QUANT_BLOCK, node += HNSW_QUANT_BLOCK,
                  query += HNSW_QUANT_BLOCK) {
        int32_t t = 0;
        for (uint32_t i = 0; i < HNSW_QUANT_BLOCK; i++) t += (int32_t)node[i] * (int32_t)query[i];
        s += t;
    }
    return s;
}

typedef int32_t (*hnsw_quant_kernel)(const uint8_t *node, const int8_t *query, uint32_t bytes);

static int32_t hnsw_quant_dot_base(const uint8_t *node, const int8_t *query, uint32_t bytes) {
    return hnsw_quant_dot_body(node, query, bytes);
}
__attribute__((target("avx2"))) static int32_t hnsw_quant_dot_avx2(const uint8_t *node,
                                                                   const int8_t *query,
                                                                   uint32_t bytes) {
    return hnsw_quant_dot_body(node, query, bytes);
}
__attribute__((target("avx2,avxvnni"))) static int32_t hnsw_quant_dot_avxvnni(
    const uint8_t *node, const int8_t *query, uint32_t bytes) {
    return hnsw_quant_dot_body(node, query, bytes);
}
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static int32_t hnsw_quant_dot_avx512(
    const uint8_t *node, const int8_t *query, uint32_t bytes) {
    return hnsw_quant_dot_body(node, query, bytes);
}

static hnsw_quant_kernel hnsw_quant_dot_fn = hnsw_quant_dot_base;

__attribute__((constructor)) static void hnsw_quant_choose(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) {
        hnsw_quant_dot_fn = hnsw_quant_dot_avx512;
    } else if (__builtin_cpu_supports("avxvnni")) {
        hnsw_quant_dot_fn = hnsw_quant_dot_avxvnni;
    } else if (__builtin_cpu_supports("avx2")) {
        hnsw_quant_dot_fn = hnsw_quant_dot_avx2;
    }
}

/* ---- codes ------------------------------------------------------------------------------- */

size_t hnsw_quant_bytes(const eng_hnsw *h) {
    return (size_t)HNSW_CHUNK_SLOTS * h->quant.stride;
}

/* What a distance needs of a vector besides its codes (the end of a node's row). */
typedef struct hnsw_quant_sums {
    float term;  /* sum offset_d x code_d */
    int32_t sq;  /* sum code_d^2 */
    int32_t sum; /* sum code_d */
} hnsw_quant_sums;

static inline const uint8_t *hnsw_quant_row(const eng_hnsw *h, uint32_t slot) {
    const hnsw_chunk *c = h->chunks[slot >> HNSW_CHUNK_SHIFT];
    return (const uint8_t *)c->codes + (size_t)(slot & HNSW_CHUNK_MASK) * h->quant.stride;
}

/* A node's sums sit in the last bytes of its row, past the codes the kernel reads: the lines
 * a distance reads are the row's. */
static inline hnsw_quant_sums *hnsw_quant_row_sums(const eng_hnsw *h, uint32_t slot) {
    return (hnsw_quant_sums *)(hnsw_quant_row(h, slot) + h->quant.stride -
                               sizeof(hnsw_quant_sums));
}

/* Codes of v * mult (mult = the inverse norm under cosine, else 1) into out[0..kernel_bytes),
 * each stored as code + bias, zeros (+ bias) past dims. */
static hnsw_quant_sums hnsw_quant_code(const eng_hnsw *h, const float *v, float mult,
                                       uint8_t *out, int bias) {
    const hnsw_quant *qt = &h->quant;
    float inv_scale = 1.0f / qt->scale;
    double term = 0.0;
    hnsw_quant_sums sums = {0};
    for (uint32_t d = 0; d < h->dims; d++) {
        float x = (v[d] * mult - qt->offset[d]) * inv_scale;
        if (!(x < HNSW_QUANT_CODE_MAX)) x = HNSW_QUANT_CODE_MAX; /* also NaN: never stored */
        if (x < -HNSW_QUANT_CODE_MAX) x = -HNSW_QUANT_CODE_MAX;
        int code = (int)lrintf(x);
        out[d] = (uint8_t)(code + bias);
        term += (double)qt->offset[d] * code;
        sums.sq += code * code;
        sums.sum += code;
    }
    memset(out + h->dims, bias, qt->kernel_bytes - h->dims);
    sums.term = (float)term;
    return sums;
}

static float hnsw_quant_mult(const eng_hnsw *h, float inv_norm) {
    return h->params.metric == ENG_HNSW_COSINE ? inv_norm : 1.0f;
}

void hnsw_quant_encode(eng_hnsw *h, uint32_t slot) {
    RT_ASSERT(hnsw_quant_encodes_new(h));
    float mult = hnsw_quant_mult(h, hnsw_inv_norm(h, slot));
    *hnsw_quant_row_sums(h, slot) = hnsw_quant_code(h, hnsw_vec(h, slot), mult,
                                                    (uint8_t *)hnsw_quant_row(h, slot),
                                                    HNSW_QUANT_BIAS);
}

/* ---- learning the range ------------------------------------------------------------------ */

/* Offsets and scale from a stride through the nodes: the offset is each dimension's mean, the
 * scale fits the widest dimension's farthest value from its mean, but at most
 * HNSW_QUANT_CLIP_SIGMAS standard deviations (a few outliers would otherwise coarsen every
 * code; they are clamped instead). The sums are gathered slice by slice (LEARN) while the
 * codes in force keep serving, and only then replace the range (and start ENCODE). */
struct hnsw_quant_learn {
    uint64_t step; /* every step-th node is sampled */
    uint64_t seen, used;
    double *acc;   /* per dimension: sum, sum of squares */
    float *lo, *hi;
};

static void hnsw_quant_learn_begin(eng_hnsw *h) {
    hnsw_quant *qt = &h->quant;
    hnsw_quant_learn *l = rt_xcalloc(1, sizeof *l);
    l->step = (h->nodes + ENG_HNSW_QUANT_TRAIN_NODES - 1) / ENG_HNSW_QUANT_TRAIN_NODES;
    if (l->step == 0) l->step = 1;
    l->acc = rt_xcalloc((size_t)h->dims * 2, sizeof(double));
    l->lo = rt_xmalloc((size_t)h->dims * 2 * sizeof(float));
    l->hi = l->lo + h->dims;
    for (uint32_t d = 0; d < h->dims; d++) {
        l->lo[d] = INFINITY;
        l->hi[d] = -INFINITY;
    }
    qt->learn = l;
    qt->task = HNSW_QUANT_LEARN;
    qt->cursor = 0;
}

static void hnsw_quant_learn_free(hnsw_quant *qt) {
    if (qt->learn == NULL) return;
    rt_free(qt->learn->lo);
    rt_free(qt->learn->acc);
    rt_free(qt->learn);
    qt->learn = NULL;
}

static void hnsw_quant_learn_node(eng_hnsw *h, uint32_t slot) {
    hnsw_quant_learn *l = h->quant.learn;
    const float *v = hnsw_vec(h, slot);
    float mult = hnsw_quant_mult(h, hnsw_inv_norm(h, slot));
    for (uint32_t d = 0; d < h->dims; d++) {
        float x = v[d] * mult;
        l->acc[2 * d] += x;
        l->acc[2 * d + 1] += (double)x * x;
        if (x < l->lo[d]) l->lo[d] = x;
        if (x > l->hi[d]) l->hi[d] = x;
    }
    l->used++;
}

/* The sums become the range in force: the codes written so far are stale from here on, so the
 * walk leaves them until ENCODE has written every node's again. */
static void hnsw_quant_learn_end(eng_hnsw *h) {
    hnsw_quant *qt = &h->quant;
    const hnsw_quant_learn *l = qt->learn;
    double reach = 0.0, offset_sq = 0.0;
    for (uint32_t d = 0; d < h->dims && l->used > 0; d++) {
        double mean = l->acc[2 * d] / (double)l->used;
        double var = l->acc[2 * d + 1] / (double)l->used - mean * mean;
        double far = fmax(mean - l->lo[d], l->hi[d] - mean);
        double clip = HNSW_QUANT_CLIP_SIGMAS * sqrt(var > 0.0 ? var : 0.0);
        if (far > clip) far = clip;
        if (far > reach) reach = far;
        qt->offset[d] = (float)mean;
        offset_sq += mean * mean;
    }
    qt->scale = reach > 0.0 ? (float)(reach / HNSW_QUANT_CODE_MAX) : 1.0f;
    qt->offset_sq = (float)offset_sq;
    qt->trained_nodes = h->nodes;
    hnsw_quant_learn_free(qt);
    qt->ready = false;
    qt->task = HNSW_QUANT_ENCODE;
    qt->cursor = 0;
}

bool hnsw_quant_step(eng_hnsw *h, uint64_t elems) {
    hnsw_quant *qt = &h->quant;
    uint64_t spent = 0;
    while (qt->task != HNSW_QUANT_IDLE && spent < elems) {
        if (qt->cursor >= h->slot_bound) {
            if (qt->task == HNSW_QUANT_LEARN) {
                hnsw_quant_learn_end(h);
            } else {
                qt->task = HNSW_QUANT_IDLE;
                qt->ready = true;
            }
            continue;
        }
        uint32_t slot = qt->cursor++;
        spent++;
        if (hnsw_height(h, slot) == 0) continue;
        if (qt->task == HNSW_QUANT_ENCODE) {
            hnsw_quant_encode(h, slot);
            spent += h->dims;
        } else if (qt->learn->seen++ % qt->learn->step == 0) {
            hnsw_quant_learn_node(h, slot);
            spent += h->dims;
        }
    }
    return qt->task == HNSW_QUANT_IDLE;
}

void hnsw_quant_slice(eng_hnsw *h) {
    if (h->quant.task == HNSW_QUANT_IDLE) return;
    uint64_t elems = h->params.quant_slice_elems != 0 ? h->params.quant_slice_elems
                                                      : ENG_HNSW_QUANT_SLICE_ELEMS;
    hnsw_quant_step(h, elems);
}

void hnsw_quant_maybe_start(eng_hnsw *h) {
    hnsw_quant *qt = &h->quant;
    if (qt->task != HNSW_QUANT_IDLE) return;
    if (qt->ready) {
        /* learnt from a sample smaller than the graph now: learn again while that is cheap */
        if (qt->trained_nodes >= ENG_HNSW_QUANT_TRAIN_NODES || h->nodes < 2 * qt->trained_nodes) {
            return;
        }
    } else {
        uint64_t min_elems = h->params.quant_min_elems != 0 ? h->params.quant_min_elems
                                                            : ENG_HNSW_QUANT_MIN_ELEMS;
        if (min_elems == UINT64_MAX || (uint64_t)h->dims * h->nodes < min_elems) return;
        qt->kernel_bytes = (h->dims + HNSW_QUANT_BLOCK - 1) / HNSW_QUANT_BLOCK * HNSW_QUANT_BLOCK;
        qt->stride = (qt->kernel_bytes + (uint32_t)sizeof(hnsw_quant_sums) + HNSW_QUANT_ALIGN -
                      1) / HNSW_QUANT_ALIGN * HNSW_QUANT_ALIGN;
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
    }
    hnsw_quant_learn_begin(h);
}

bool hnsw_quant_check(const eng_hnsw *h) {
    if (!h->quant.ready) return true;
    uint8_t *row = rt_xmalloc(h->quant.stride);
    bool ok = true;
    for (uint32_t slot = 0; slot < h->slot_bound && ok; slot++) {
        if (hnsw_height(h, slot) == 0) continue;
        float mult = hnsw_quant_mult(h, hnsw_inv_norm(h, slot));
        hnsw_quant_sums sums = hnsw_quant_code(h, hnsw_vec(h, slot), mult, row, HNSW_QUANT_BIAS);
        const hnsw_quant_sums *have = hnsw_quant_row_sums(h, slot);
        ok = memcmp(row, hnsw_quant_row(h, slot), h->quant.kernel_bytes) == 0 &&
             have->sq == sums.sq && have->sum == sums.sum && have->term == sums.term;
    }
    rt_free(row);
    return ok;
}

void hnsw_quant_free(eng_hnsw *h) {
    hnsw_quant_learn_free(&h->quant);
    hnsw_free(h, h->quant.offset, (size_t)h->dims * sizeof(float));
    hnsw_free(h, h->quant.query, h->quant.stride);
    h->quant.offset = NULL;
    h->quant.query = NULL;
}

/* ---- searching --------------------------------------------------------------------------- */

void hnsw_quant_query(eng_hnsw *h, hnsw_query *q) {
    RT_ASSERT(h->quant.ready);
    hnsw_quant_sums sums = hnsw_quant_code(h, q->vec, hnsw_quant_mult(h, q->inv_norm),
                                           (uint8_t *)h->quant.query, 0);
    q->term = sums.term;
    q->sq = sums.sq;
    q->sum = sums.sum;
    q->quant = true;
}

/* The ordering distance (hnsw_dist_finish's) to the node of `row`. The kernel's sum has the
 * node's bias in it: sum (cb + 128) ca = sum ca cb + 128 sum ca. */
static inline float hnsw_quant_dist_row(const eng_hnsw *h, const hnsw_query *q,
                                        const uint8_t *row) {
    const hnsw_quant *qt = &h->quant;
    const hnsw_quant_sums *node = (const hnsw_quant_sums *)(row + qt->stride - sizeof *node);
    int32_t dot = hnsw_quant_dot_fn(row, qt->query, qt->kernel_bytes) - HNSW_QUANT_BIAS * q->sum;
    float s = qt->scale;
    if (h->params.metric == ENG_HNSW_L2) return s * s * (float)(q->sq + node->sq - 2 * dot);
    float sim = qt->offset_sq + s * (q->term + node->term) + s * s * (float)dot;
    return h->params.metric == ENG_HNSW_IP ? -sim : 1.0f - sim;
}

float hnsw_quant_dist(const eng_hnsw *h, const hnsw_query *q, uint32_t slot) {
    return hnsw_quant_dist_row(h, q, hnsw_quant_row(h, slot));
}

static inline void hnsw_quant_prefetch(const eng_hnsw *h, uint32_t slot) {
    const char *p = (const char *)hnsw_quant_row(h, slot);
    for (uint32_t off = 0; off < h->quant.stride; off += HNSW_CACHE_LINE_BYTES) {
        __builtin_prefetch(p + off);
    }
}

/* The first line of every neighbour's row is asked for at once, then each neighbour's
 * remaining lines while the one before it is summed. */
void hnsw_quant_score(eng_hnsw *h, const hnsw_query *q, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) __builtin_prefetch(hnsw_quant_row(h, h->ids[i]));
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
