/* test_eng_hnsw_quant.c: the int8 copy HNSW walks with (eng_hnsw_quant.c).
 * Checks: the copy starts at the named threshold (dims x nodes) and not before, and stays a
 * float graph when it would not fit the memory bound; a quantized walk returns exact distances
 * in exact order, and nearly the float walk's rows (compared query by query on clustered
 * data, all three metrics); the copy stays in step through inserts, deletes + vacuum, slots
 * reused by new vectors (updates), and save + load; its memory is ~dims bytes per node.
 * Sliced: starting and relearning the copy runs a slice per insert and search; inserts,
 * searches, deletes and a vacuum (running its yields into inserts and searches) interleave
 * with it, every search equals the exact top-k at the recall the walks are held to, the walk
 * is the float one or the int8 one of a single range (every code checked against the range in
 * force), and all three states are passed through at the start and at the relearn. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../common/test_vectors.h"
#include "engine/eng_hnsw.h"
#include "engine/eng_hnsw_int.h"
#include "runtime/rt_err.h"

#define TEST_DIMS 96u
#define TEST_ROWS 4000u
#define TEST_QUERIES 60u
#define TEST_K 10u
#define TEST_EF 100u

static eng_hnsw *test_graph_sliced(test_store *s, eng_hnsw_metric metric,
                                   uint64_t quant_min_elems, uint64_t memory_bytes_max,
                                   uint64_t slice_elems) {
    eng_hnsw_params p = {.metric = metric, .dims = s->dims, .seed = 7,
                         .quant_min_elems = quant_min_elems,
                         .memory_bytes_max = memory_bytes_max,
                         .quant_slice_elems = slice_elems};
    rt_err err;
    rt_err_clear(&err);
    eng_hnsw *h = eng_hnsw_create(&p, &err, test_store_vec, s);
    assert_non_null(h);
    return h;
}

static eng_hnsw *test_graph(test_store *s, eng_hnsw_metric metric, uint64_t quant_min_elems,
                            uint64_t memory_bytes_max) {
    return test_graph_sliced(s, metric, quant_min_elems, memory_bytes_max, UINT64_MAX);
}

static void test_insert_range(eng_hnsw *h, uint32_t from, uint32_t to) {
    rt_err err;
    rt_err_clear(&err);
    for (uint32_t i = from; i < to; i++) assert_true(eng_hnsw_insert(h, i, &err));
}

static bool test_quantized(const eng_hnsw *h) {
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    return info.quantized;
}

static uint32_t test_search(eng_hnsw *h, const float *q, bool float_walk, eng_hnsw_hit *hits,
                            eng_hnsw_search_stats *st) {
    eng_hnsw_search_opts o = {.k = TEST_K, .ef_search = TEST_EF, .float_walk = float_walk};
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_search(h, q, &o, hits, st, &err));
    return st->hit_count;
}

/* Every hit's distance is the metric's exact one, nearest first; the hits are live. */
static void test_exact_hits(eng_hnsw *h, test_store *s, eng_hnsw_metric metric, const float *q,
                            const eng_hnsw_hit *hits, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        assert_true(eng_hnsw_contains(h, hits[i].slot));
        float d = test_metric_dist(metric, q, test_store_row(s, hits[i].slot), s->dims);
        float tol = 1e-4f * (fabsf(d) > 1.0f ? fabsf(d) : 1.0f);
        assert_true(fabsf(hits[i].distance - d) <= tol);
        if (i > 0) assert_true(hits[i - 1].distance <= hits[i].distance);
    }
}

/* Over the queries: quantized hits are exact, overlap the float walk's by >= 0.95 and every
 * shared row carries the very same distance. Returns the overlap. */
static double test_compare_walks(eng_hnsw *h, test_store *s, eng_hnsw_metric metric,
                                 const float *queries) {
    uint64_t shared = 0, total = 0;
    for (uint32_t qi = 0; qi < TEST_QUERIES; qi++) {
        const float *q = queries + (size_t)qi * s->dims;
        eng_hnsw_hit fh[TEST_K], qh[TEST_K];
        eng_hnsw_search_stats fs, qs;
        uint32_t fn = test_search(h, q, true, fh, &fs);
        uint32_t qn = test_search(h, q, false, qh, &qs);
        assert_int_equal(fn, qn);
        assert_int_equal(fs.reranked, 0);
        assert_true(qs.reranked >= qn);
        test_exact_hits(h, s, metric, q, qh, qn);
        for (uint32_t i = 0; i < qn; i++) {
            for (uint32_t j = 0; j < fn; j++) {
                if (qh[i].slot != fh[j].slot) continue;
                assert_true(qh[i].distance == fh[j].distance);
                shared++;
            }
        }
        total += fn;
    }
    double overlap = (double)shared / (double)total;
    print_message("  int8 walk shares %.4f of the float walk's hits\n", overlap);
    assert_true(overlap >= 0.95);
    return overlap;
}

static void test_walks(eng_hnsw_metric metric) {
    test_store *s = test_store_new(TEST_DIMS, TEST_ROWS + TEST_QUERIES);
    test_fill_mixture(s, 0, TEST_ROWS + TEST_QUERIES, 40, 0.4f, 31, 32);
    if (metric == ENG_HNSW_IP) { /* inner product on vectors of different lengths */
        for (uint32_t i = 0; i < TEST_ROWS; i++) {
            float *v = test_store_row(s, i);
            for (uint32_t d = 0; d < s->dims; d++) v[d] *= 0.5f + (float)(i % 7) * 0.25f;
        }
    }
    eng_hnsw *h = test_graph(s, metric, (uint64_t)TEST_DIMS * 1000, 0);
    test_insert_range(h, 0, TEST_ROWS);
    assert_true(test_quantized(h));
    test_compare_walks(h, s, metric, test_store_row(s, TEST_ROWS));
    eng_hnsw_destroy(h);
    test_store_free(s);
}

static void test_eng_hnsw_quant_walks_l2(void **state) {
    test_walks(ENG_HNSW_L2);
}

static void test_eng_hnsw_quant_walks_cosine(void **state) {
    test_walks(ENG_HNSW_COSINE);
}

static void test_eng_hnsw_quant_walks_ip(void **state) {
    test_walks(ENG_HNSW_IP);
}

/* The copy starts at dims x nodes >= quant_min_elems, never below; never with UINT64_MAX; a
 * graph that cannot afford it stays a float graph and keeps inserting. */
static void test_eng_hnsw_quant_threshold(void **state) {
    test_store *s = test_store_new(TEST_DIMS, 2000);
    test_fill_mixture(s, 0, 2000, 10, 0.4f, 5, 6);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, (uint64_t)TEST_DIMS * 1000, 0);
    test_insert_range(h, 0, 999);
    assert_false(test_quantized(h));
    eng_hnsw_info before;
    eng_hnsw_get_info(h, &before);
    test_insert_range(h, 999, 1000);
    assert_true(test_quantized(h));
    eng_hnsw_info after;
    eng_hnsw_get_info(h, &after);
    /* ~dims bytes + a 4-byte term per slot of the chunks in use (one 512-slot chunk here) */
    assert_true(after.quant_bytes >= 1000u * TEST_DIMS);
    assert_true(after.memory_bytes >= before.memory_bytes + after.quant_bytes);
    print_message("  1000 nodes x %u dims: int8 copy %llu bytes\n", TEST_DIMS,
                  (unsigned long long)after.quant_bytes);
    eng_hnsw_search_stats st;
    eng_hnsw_hit hits[TEST_K];
    test_search(h, test_store_row(s, 1500), false, hits, &st);
    assert_true(st.reranked > 0);
    eng_hnsw_destroy(h);

    h = test_graph(s, ENG_HNSW_L2, UINT64_MAX, 0);
    test_insert_range(h, 0, 2000);
    assert_false(test_quantized(h));
    test_search(h, test_store_row(s, 1500), false, hits, &st);
    assert_int_equal(st.reranked, 0);
    eng_hnsw_destroy(h);

    /* room for the graph of 1000 nodes, not for its copy too */
    h = test_graph(s, ENG_HNSW_L2, UINT64_MAX, 0);
    test_insert_range(h, 0, 1000);
    uint64_t float_bytes = eng_hnsw_memory_bytes(h);
    eng_hnsw_destroy(h);
    h = test_graph(s, ENG_HNSW_L2, (uint64_t)TEST_DIMS * 1000, float_bytes + 4096);
    test_insert_range(h, 0, 1000);
    assert_false(test_quantized(h));
    test_search(h, test_store_row(s, 1500), false, hits, &st);
    assert_int_equal(st.reranked, 0);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* Inserts after the start, deletes + vacuum, freed slots refilled with other vectors: the
 * quantized walk stays exact and close to the float walk; then save + load rebuilds the copy. */
typedef struct test_buf {
    uint8_t *bytes;
    size_t len;
    size_t pos;
} test_buf;

static bool test_buf_write(void *ctx, const void *bytes, size_t len, rt_err *err) {
    test_buf *b = ctx;
    b->bytes = realloc(b->bytes, b->len + len);
    memcpy(b->bytes + b->len, bytes, len);
    b->len += len;
    return true;
}

static bool test_buf_read(void *ctx, void *buf, size_t len, size_t *got, rt_err *err) {
    test_buf *b = ctx;
    size_t n = b->len - b->pos < len ? b->len - b->pos : len;
    memcpy(buf, b->bytes + b->pos, n);
    b->pos += n;
    *got = n;
    return true;
}

static bool test_every_third(void *ctx, uint32_t slot) {
    return slot % 3 == 0;
}

static void test_eng_hnsw_quant_churn_and_load(void **state) {
    const eng_hnsw_metric metric = ENG_HNSW_COSINE;
    test_store *s = test_store_new(TEST_DIMS, TEST_ROWS + TEST_QUERIES);
    test_fill_mixture(s, 0, TEST_ROWS + TEST_QUERIES, 40, 0.4f, 41, 42);
    const float *queries = test_store_row(s, TEST_ROWS);
    eng_hnsw *h = test_graph(s, metric, (uint64_t)TEST_DIMS * 1000, 0);
    test_insert_range(h, 0, TEST_ROWS / 2);
    assert_true(test_quantized(h));
    test_insert_range(h, TEST_ROWS / 2, TEST_ROWS);
    test_compare_walks(h, s, metric, queries);

    eng_hnsw_vacuum_opts vo = {.is_dead = test_every_third};
    eng_hnsw_vacuum_stats vs;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_vacuum(h, &vo, &vs, &err));
    assert_true(vs.removed > TEST_ROWS / 4);
    test_compare_walks(h, s, metric, queries);

    /* updates: the freed slots get new vectors (a neighbour's, moved) and nodes again */
    test_rng r = {44};
    for (uint32_t i = 0; i < TEST_ROWS; i += 3) {
        float *v = test_store_row(s, i);
        memcpy(v, test_store_row(s, i + 1), s->dims * sizeof(float));
        for (uint32_t d = 0; d < s->dims; d++) v[d] += 0.2f * test_rng_gauss(&r);
        test_normalise(v, s->dims);
        assert_true(eng_hnsw_insert(h, i, &err));
    }
    test_compare_walks(h, s, metric, queries);
    for (uint32_t qi = 0; qi < TEST_QUERIES; qi++) { /* a new vector is found by itself */
        const float *q = test_store_row(s, qi * 3);
        eng_hnsw_hit hits[TEST_K];
        eng_hnsw_search_stats st;
        test_search(h, q, false, hits, &st);
        assert_int_equal(hits[0].slot, qi * 3);
    }

    test_buf buf = {0};
    assert_true(eng_hnsw_save(h, &err, test_buf_write, &buf, NULL));
    eng_hnsw_params p = eng_hnsw_get_params(h);
    eng_hnsw *g = eng_hnsw_load(&p, &err, test_buf_read, &buf, test_store_vec, s, NULL);
    assert_non_null(g);
    assert_true(test_quantized(g));
    test_compare_walks(g, s, metric, queries);
    for (uint32_t qi = 0; qi < TEST_QUERIES; qi++) { /* the float walks agree exactly */
        const float *q = queries + (size_t)qi * s->dims;
        eng_hnsw_hit a[TEST_K], b[TEST_K];
        eng_hnsw_search_stats sa, sb;
        assert_int_equal(test_search(h, q, true, a, &sa), test_search(g, q, true, b, &sb));
        assert_memory_equal(a, b, sa.hit_count * sizeof a[0]);
    }
    free(buf.bytes);
    eng_hnsw_destroy(g);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* ---- the copy made in slices --------------------------------------------------------------- */

#define SLICE_ROWS 5000u
#define SLICE_START 1000u   /* nodes at which the copy starts; it is learnt again at 2000 */
#define SLICE_NODES 6u      /* nodes per slice: ~170 slices for the 1000 nodes at the start */
#define SLICE_DELETE_EVERY 900u
#define SLICE_RECALL_MIN 0.95

typedef struct slice_run {
    test_store *s;
    eng_hnsw *h;
    uint32_t next;          /* next row to insert */
    uint32_t inserted;      /* rows [0, inserted) were inserted at some point */
    bool dead[SLICE_ROWS];  /* deleted (marked dead; vacuum may have removed the node) */
    uint32_t searches, float_walks, int8_walks, pending_float, pending_int8;
    uint64_t good, wanted;
    uint32_t qi;
} slice_run;

static bool slice_live(void *ctx, uint32_t slot) {
    const slice_run *r = ctx;
    return slot < r->inserted && !r->dead[slot];
}

/* A search from the rotating query, checked against the exact top-k of the live rows. */
static void slice_search(slice_run *r) {
    const float *q = test_store_row(r->s, SLICE_ROWS + (r->qi++ % TEST_QUERIES));
    eng_hnsw_info before;
    eng_hnsw_get_info(r->h, &before);
    eng_hnsw_hit hits[TEST_K];
    eng_hnsw_search_stats st;
    uint32_t n = test_search(r->h, q, false, hits, &st);
    eng_hnsw_info after;
    eng_hnsw_get_info(r->h, &after);
    /* the walk used codes only when every node had those of one range (the slice at the start
     * of the search may just have completed them) */
    if (st.reranked > 0) {
        assert_true(after.quantized);
        r->int8_walks++;
        r->pending_int8 += after.quant_pending;
    } else {
        assert_false(after.quantized);
        r->float_walks++;
        r->pending_float += before.quant_pending;
    }
    assert_true(hnsw_quant_check(r->h));
    test_exact_hits(r->h, r->s, ENG_HNSW_L2, q, hits, n);
    uint32_t truth[TEST_K];
    float truth_dist[TEST_K];
    uint32_t k = test_exact_knn(r->s, ENG_HNSW_L2, q, r->inserted, TEST_K, slice_live, r, truth,
                                truth_dist);
    for (uint32_t i = 0; i < n; i++) assert_false(r->dead[hits[i].slot]);
    r->good += test_recall_count(hits, n, truth, k, k > 0 ? truth_dist[k - 1] : 0.0f);
    r->wanted += k;
    r->searches++;
}

static void slice_insert(slice_run *r) {
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_insert(r->h, r->next, &err));
    r->inserted = ++r->next;
}

/* Vacuum's yields: the graph is consistent there, so writes and searches go on. */
static void slice_vacuum_yield(void *ctx) {
    slice_run *r = ctx;
    if (r->next < SLICE_ROWS) slice_insert(r);
    slice_search(r);
}

static void test_eng_hnsw_quant_sliced(void **state) {
    static slice_run r;
    memset(&r, 0, sizeof r);
    r.s = test_store_new(TEST_DIMS, SLICE_ROWS + TEST_QUERIES);
    test_fill_mixture(r.s, 0, SLICE_ROWS + TEST_QUERIES, 30, 0.4f, 51, 52);
    r.h = test_graph_sliced(r.s, ENG_HNSW_L2, (uint64_t)TEST_DIMS * SLICE_START, 0,
                            (uint64_t)TEST_DIMS * SLICE_NODES);
    while (r.next < SLICE_START - 1) slice_insert(&r);
    eng_hnsw_info info;
    eng_hnsw_get_info(r.h, &info);
    assert_false(info.quantized || info.quant_pending);
    slice_insert(&r); /* the threshold: the task starts, with one slice only */
    eng_hnsw_get_info(r.h, &info);
    assert_true(info.quant_pending);
    assert_false(info.quantized);
    uint32_t vacuums = 0;
    while (r.next < SLICE_ROWS) {
        slice_insert(&r);
        if (r.next % 3 == 0) slice_search(&r);
        if (r.next % SLICE_DELETE_EVERY == 0) { /* delete a tenth of the rows, vacuum */
            for (uint32_t i = r.next % 10; i < r.inserted; i += 10) {
                if (r.dead[i]) continue;
                r.dead[i] = true;
                eng_hnsw_mark_dead(r.h, i);
            }
            eng_hnsw_vacuum_opts vo = {
                .yield = {.fn = slice_vacuum_yield, .ctx = &r, .every = 2000}};
            eng_hnsw_vacuum_stats vs;
            rt_err err;
            rt_err_clear(&err);
            assert_true(eng_hnsw_vacuum(r.h, &vo, &vs, &err));
            assert_true(vs.removed > 0);
            vacuums++;
        }
    }
    while (r.searches < 2000) slice_search(&r); /* searches alone finish a task */
    eng_hnsw_get_info(r.h, &info);
    assert_true(info.quantized);
    assert_false(info.quant_pending);
    assert_true(hnsw_check(r.h));
    double recall = (double)r.good / (double)r.wanted;
    print_message("  %u searches (%u float walks, %u of them while the copy was made; %u int8 "
                  "walks, %u while a range was learnt), %u vacuums, recall@%u %.4f\n",
                  r.searches, r.float_walks, r.pending_float, r.int8_walks, r.pending_int8,
                  vacuums, TEST_K, recall);
    assert_true(r.pending_float > 0); /* the start and the relearn's encoding */
    assert_true(r.pending_int8 > 0);  /* the relearn's learning, the old codes serving */
    assert_true(recall >= SLICE_RECALL_MIN);
    eng_hnsw_destroy(r.h);
    test_store_free(r.s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_hnsw_quant_walks_l2),
        cmocka_unit_test(test_eng_hnsw_quant_walks_cosine),
        cmocka_unit_test(test_eng_hnsw_quant_walks_ip),
        cmocka_unit_test(test_eng_hnsw_quant_threshold),
        cmocka_unit_test(test_eng_hnsw_quant_churn_and_load),
        cmocka_unit_test(test_eng_hnsw_quant_sliced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
