/* test_eng_hnsw.c: the HNSW index's behaviour (engine/eng_hnsw.h), apart from recall figures.
 * How: graphs over a stand-in column store (tests/common/test_vectors.h) of seeded random or
 * clustered vectors, checked against brute force: parameter errors with pgvector's wording,
 * nearest-first results carrying the SQL distances of all three metrics, dead nodes never
 * returned, filtered search returning k passing rows at selectivities from 0.01% to 100% with
 * the FOUND_K / FOUND_ALL / SHORT signal and a distance budget, memory accounting and its
 * limit, vacuum (freed slots, entry point replacement, slot reuse, searches and inserts run
 * from the yield callback while vacuum is suspended, an entry point that lost its level-0
 * links getting its place back, from a graph loaded from a hand-written stream), reproducible
 * builds, and checkpoint
 * streams: identical results after a round trip, XX001 for every flipped byte, truncation,
 * garbage or a well-checksummed stream with a dangling link. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../common/test_vectors.h"
#include "engine/eng_hnsw.h"
#include "runtime/rt_err.h"

#ifdef DB_SANITIZE
#define TEST_FILTER_ROWS 5000u
#else
#define TEST_FILTER_ROWS 20000u
#endif
#define TEST_DIMS 32u

/* ---- helpers -------------------------------------------------------------------------- */

static eng_hnsw *test_graph(test_store *s, eng_hnsw_metric metric, uint64_t seed) {
    eng_hnsw_params p = {.metric = metric, .dims = s->dims, .seed = seed};
    rt_err err;
    rt_err_clear(&err);
    eng_hnsw *h = eng_hnsw_create(&p, &err, test_store_vec, s);
    assert_non_null(h);
    return h;
}

static void test_insert_range(eng_hnsw *h, uint32_t first, uint32_t count) {
    rt_err err;
    rt_err_clear(&err);
    for (uint32_t i = first; i < first + count; i++) assert_true(eng_hnsw_insert(h, i, &err));
}

static void test_fill_uniform(test_store *s, uint32_t first, uint32_t count, uint64_t seed) {
    test_rng r = {seed | 1};
    for (uint32_t i = first; i < first + count; i++) {
        float *v = test_store_row(s, i);
        for (uint32_t j = 0; j < s->dims; j++) v[j] = (float)test_rng_uniform(&r) * 2.0f - 1.0f;
    }
}

static eng_hnsw_search_stats test_search(eng_hnsw *h, const float *q, uint32_t k,
                                         eng_hnsw_filter_fn filter, void *ctx,
                                         eng_hnsw_hit *hits) {
    eng_hnsw_search_opts o = {.k = k, .filter = filter, .filter_ctx = ctx};
    eng_hnsw_search_stats st;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_search(h, q, &o, hits, &st, &err));
    for (uint32_t i = 1; i < st.hit_count; i++) {
        assert_true(hits[i - 1].distance <= hits[i].distance); /* nearest first */
    }
    return st;
}

/* ---- parameters ------------------------------------------------------------------------ */

static void test_expect_create_error(eng_hnsw_params p, const char *sqlstate, const char *msg) {
    test_store *s = test_store_new(4, 1);
    rt_err err;
    rt_err_clear(&err);
    assert_null(eng_hnsw_create(&p, &err, test_store_vec, s));
    assert_string_equal(err.sqlstate, sqlstate);
    assert_string_equal(err.message, msg);
    test_store_free(s);
}

static void test_eng_hnsw_params_checked_with_pgvector_wording(void **state) {
    eng_hnsw_params p = {.metric = ENG_HNSW_L2, .dims = 4};
    eng_hnsw_params bad = p;
    bad.m = 1;
    test_expect_create_error(bad, "22023", "value 1 out of bounds for option \"m\"");
    bad.m = 101;
    test_expect_create_error(bad, "22023", "value 101 out of bounds for option \"m\"");
    bad = p;
    bad.ef_construction = 1001;
    test_expect_create_error(bad, "22023",
                             "value 1001 out of bounds for option \"ef_construction\"");
    bad = p;
    bad.m = 40;
    bad.ef_construction = 64;
    test_expect_create_error(bad, "22023",
                             "ef_construction must be greater than or equal to 2 * m");
    bad = p;
    bad.dims = ENG_VECTOR_DIMS_MAX + 1;
    test_expect_create_error(bad, "54000",
                             "column cannot have more than 4096 dimensions for hnsw index");
    bad = p;
    bad.dims = 0;
    test_expect_create_error(bad, "22023", "column does not have dimensions");
    bad = p;
    bad.metric = (eng_hnsw_metric)9;
    test_expect_create_error(bad, "22023", "unrecognized hnsw distance metric 9");

    /* defaults are filled in; the extremes of every range are accepted */
    test_store *s = test_store_new(ENG_VECTOR_DIMS_MAX, 1);
    rt_err err;
    rt_err_clear(&err);
    p.dims = ENG_VECTOR_DIMS_MAX;
    eng_hnsw *h = eng_hnsw_create(&p, &err, test_store_vec, s);
    assert_non_null(h);
    eng_hnsw_params got = eng_hnsw_get_params(h);
    assert_int_equal(got.m, ENG_HNSW_M_DEFAULT);
    assert_int_equal(got.ef_construction, ENG_HNSW_EF_CONSTRUCTION_DEFAULT);
    assert_int_equal(got.memory_bytes_max, ENG_HNSW_MEMORY_BYTES_DEFAULT);
    eng_hnsw_destroy(h);
    p.m = ENG_HNSW_M_MAX;
    p.ef_construction = ENG_HNSW_EF_CONSTRUCTION_MAX;
    h = eng_hnsw_create(&p, &err, test_store_vec, s);
    assert_non_null(h);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

static void test_eng_hnsw_search_limits(void **state) {
    test_store *s = test_store_new(4, 8);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 1);
    eng_hnsw_hit hits[1];
    eng_hnsw_search_stats st;
    rt_err err;
    rt_err_clear(&err);
    eng_hnsw_search_opts o = {.k = ENG_HNSW_K_MAX + 1};
    assert_false(eng_hnsw_search(h, test_store_row(s, 0), &o, hits, &st, &err));
    assert_string_equal(err.sqlstate, "54000");
    rt_err_clear(&err);
    o = (eng_hnsw_search_opts){.k = 1, .ef_search = ENG_HNSW_EF_SEARCH_MAX + 1};
    assert_false(eng_hnsw_search(h, test_store_row(s, 0), &o, hits, &st, &err));
    assert_string_equal(err.sqlstate, "22023");
    assert_string_equal(err.message,
                        "1001 is outside the valid range for parameter \"hnsw.ef_search\" "
                        "(1 .. 1000)");
    /* an empty graph answers with nothing, and says that is everything */
    rt_err_clear(&err);
    o = (eng_hnsw_search_opts){.k = 1};
    assert_true(eng_hnsw_search(h, test_store_row(s, 0), &o, hits, &st, &err));
    assert_int_equal(st.hit_count, 0);
    assert_int_equal(st.status, ENG_HNSW_FOUND_ALL);
    rt_err_clear(&err);
    assert_false(eng_hnsw_insert(h, ENG_HNSW_SLOTS_MAX, &err));
    assert_string_equal(err.sqlstate, "54000");
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* ---- insert and search ------------------------------------------------------------------ */

/* Every metric: each stored vector finds itself first, the distances are the SQL operators'
 * values, and k-NN agrees with brute force on a small graph. */
static void test_eng_hnsw_finds_inserted_vectors_all_metrics(void **state) {
    const eng_hnsw_metric metrics[] = {ENG_HNSW_L2, ENG_HNSW_COSINE, ENG_HNSW_IP};
    const uint32_t n = 2000;
    for (size_t mi = 0; mi < 3; mi++) {
        test_store *s = test_store_new(TEST_DIMS, n);
        test_fill_mixture(s, 0, n, 20, 0.3f, 7, 11);
        eng_hnsw *h = test_graph(s, metrics[mi], 3);
        test_insert_range(h, 0, n);
        eng_hnsw_info info;
        eng_hnsw_get_info(h, &info);
        assert_int_equal(info.nodes, n);
        assert_true(info.levels >= 2);
        eng_hnsw_hit hits[10];
        uint32_t self_first = 0, good = 0;
        for (uint32_t i = 0; i < n; i += 7) {
            const float *q = test_store_row(s, i);
            eng_hnsw_search_stats st = test_search(h, q, 10, NULL, NULL, hits);
            assert_int_equal(st.status, ENG_HNSW_FOUND_K);
            assert_int_equal(st.hit_count, 10);
            assert_true(st.distances > 0 && st.visited > 0);
            self_first += hits[0].slot == i;
            for (uint32_t j = 0; j < 10; j++) {
                float want = test_metric_dist(metrics[mi], q, test_store_row(s, hits[j].slot),
                                              TEST_DIMS);
                assert_float_equal(hits[j].distance, want, 1e-4);
            }
            uint32_t truth[10];
            float truth_d[10];
            test_exact_knn(s, metrics[mi], q, n, 10, NULL, NULL, truth, truth_d);
            good += test_recall_count(hits, 10, truth, 10, truth_d[9]);
        }
        uint32_t queries = (n + 6) / 7;
        assert_true(self_first >= queries * 99 / 100);
        assert_true(good >= queries * 10 * 97 / 100);
        eng_hnsw_destroy(h);
        test_store_free(s);
    }
}

/* NULL vectors are not indexed, nor zero vectors under cosine; inserting twice is a no-op;
 * a zero query under cosine has no order and says SHORT. */
static void test_eng_hnsw_null_zero_and_repeated_inserts(void **state) {
    test_store *s = test_store_new(8, 100);
    test_fill_uniform(s, 0, 100, 5);
    s->is_null[3] = true;
    memset(test_store_row(s, 4), 0, 8 * sizeof(float));
    eng_hnsw *h = test_graph(s, ENG_HNSW_COSINE, 1);
    test_insert_range(h, 0, 100);
    test_insert_range(h, 0, 100);
    assert_false(eng_hnsw_contains(h, 3));
    assert_false(eng_hnsw_contains(h, 4));
    assert_true(eng_hnsw_contains(h, 5));
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    assert_int_equal(info.nodes, 98);
    eng_hnsw_hit hits[5];
    eng_hnsw_search_stats st = test_search(h, test_store_row(s, 4), 5, NULL, NULL, hits);
    assert_int_equal(st.status, ENG_HNSW_SHORT);
    assert_int_equal(st.hit_count, 0);
    /* asking for more rows than exist returns all of them and says so */
    eng_hnsw_hit many[200];
    st = test_search(h, test_store_row(s, 0), 200, NULL, NULL, many);
    assert_int_equal(st.hit_count, 98);
    assert_int_equal(st.status, ENG_HNSW_FOUND_ALL);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* ---- dead nodes and filters ------------------------------------------------------------- */

static bool test_even_only(void *ctx, uint32_t slot) {
    (*(uint64_t *)ctx)++;
    return slot % 2 == 0;
}

static void test_eng_hnsw_dead_nodes_never_returned(void **state) {
    const uint32_t n = 3000;
    test_store *s = test_store_new(TEST_DIMS, n);
    test_fill_mixture(s, 0, n, 30, 0.3f, 3, 4);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 9);
    test_insert_range(h, 0, n);
    for (uint32_t i = 0; i < n; i += 3) eng_hnsw_mark_dead(h, i); /* a third of the rows */
    eng_hnsw_mark_dead(h, n + 5);                                 /* no node: no-op */
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    assert_int_equal(info.dead, n / 3);
    eng_hnsw_hit hits[20];
    for (uint32_t i = 0; i < n; i += 11) {
        eng_hnsw_search_stats st = test_search(h, test_store_row(s, i), 20, NULL, NULL, hits);
        assert_int_equal(st.hit_count, 20);
        for (uint32_t j = 0; j < 20; j++) assert_true(hits[j].slot % 3 != 0);
        uint64_t calls = 0;
        st = test_search(h, test_store_row(s, i), 20, test_even_only, &calls, hits);
        assert_int_equal(st.hit_count, 20);
        assert_int_equal(st.filter_calls, calls);
        for (uint32_t j = 0; j < 20; j++) {
            assert_true(hits[j].slot % 3 != 0 && hits[j].slot % 2 == 0);
        }
    }
    eng_hnsw_destroy(h);
    test_store_free(s);
}

typedef struct test_sel {
    uint32_t threshold; /* passes when hash(slot) < threshold */
    uint64_t calls;
} test_sel;

static uint32_t test_hash(uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    return x ^ (x >> 16);
}

static bool test_sel_pass(void *ctx, uint32_t slot) {
    test_sel *f = ctx;
    f->calls++;
    return test_hash(slot) < f->threshold;
}

static bool test_sel_keep(void *ctx, uint32_t slot) {
    return test_hash(slot) < ((test_sel *)ctx)->threshold;
}

/* Filtered search returns min(k, passing) passing rows at every selectivity, says whether the
 * answer is complete, and finds the true filtered neighbours. */
static void test_eng_hnsw_filtered_search_all_selectivities(void **state) {
    const uint32_t n = TEST_FILTER_ROWS, dims = 64, k = 10;
    const double sel[] = {0.0001, 0.001, 0.01, 0.05, 0.2, 0.5, 1.0};
    test_store *s = test_store_new(dims, n + 50);
    test_fill_mixture(s, 0, n + 50, 50, 0.25f, 21, 22);
    eng_hnsw *h = test_graph(s, ENG_HNSW_COSINE, 5);
    test_insert_range(h, 0, n);
    for (size_t si = 0; si < sizeof sel / sizeof sel[0]; si++) {
        test_sel f = {.threshold = sel[si] >= 1.0 ? UINT32_MAX
                                                  : (uint32_t)(sel[si] * 4294967296.0)};
        uint32_t passing = 0;
        for (uint32_t i = 0; i < n; i++) passing += test_sel_keep(&f, i);
        uint32_t want = passing < k ? passing : k, good = 0;
        uint64_t distances = 0;
        for (uint32_t qi = 0; qi < 50; qi++) {
            const float *q = test_store_row(s, n + qi);
            eng_hnsw_hit hits[10];
            f.calls = 0;
            eng_hnsw_search_stats st = test_search(h, q, k, test_sel_pass, &f, hits);
            assert_int_equal(st.hit_count, want);
            assert_int_equal(st.status, passing >= k ? ENG_HNSW_FOUND_K : ENG_HNSW_FOUND_ALL);
            assert_int_equal(st.filter_calls, f.calls);
            for (uint32_t j = 0; j < st.hit_count; j++) {
                assert_true(test_sel_keep(&f, hits[j].slot));
            }
            uint32_t truth[10];
            float truth_d[10];
            uint32_t nt = test_exact_knn(s, ENG_HNSW_COSINE, q, n, k, test_sel_keep, &f, truth,
                                         truth_d);
            assert_int_equal(nt, want);
            if (nt > 0) good += test_recall_count(hits, st.hit_count, truth, nt, truth_d[nt - 1]);
            distances += st.distances;
        }
        double recall = want ? good / (50.0 * want) : 1.0;
        print_message("selectivity %.4f: %u passing, recall %.3f, %.0f distances/query\n",
                      sel[si], passing, recall, distances / 50.0);
        assert_true(recall >= 0.9);
    }
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* The prefetch hints (eng_hnsw_set_vec_prefetch, opts.filter_prefetch) only start loads: the
 * same searches with and without them give the same hits and the same walk, and each hint
 * comes before the read it announces (every vector read but the entry point's first distance,
 * every filter call). */
typedef struct test_hints {
    test_sel *sel;
    uint8_t *vec_hinted;    /* per slot: hinted since the search began */
    uint8_t *filter_hinted;
    uint64_t vec_hints, filter_hints, vec_unhinted, filter_unhinted;
} test_hints;

static test_hints *test_hints_current;

static void test_hint_vec(void *ctx, uint32_t slot) {
    (void)ctx;
    if (test_hints_current == NULL) return; /* an insert */
    test_hints_current->vec_hinted[slot] = 1;
    test_hints_current->vec_hints++;
}

static const float *test_hinted_vec(void *ctx, uint32_t slot) {
    test_hints *t = test_hints_current;
    if (t != NULL && !t->vec_hinted[slot]) t->vec_unhinted++;
    return test_store_vec(ctx, slot);
}

static void test_hint_filter(void *ctx, uint32_t slot) {
    test_hints *t = ctx;
    t->filter_hinted[slot] = 1;
    t->filter_hints++;
}

static bool test_hinted_filter(void *ctx, uint32_t slot) {
    test_hints *t = ctx;
    if (!t->filter_hinted[slot]) t->filter_unhinted++;
    return test_sel_pass(t->sel, slot);
}

static void test_eng_hnsw_prefetch_hints_change_nothing(void **state) {
    const uint32_t n = TEST_FILTER_ROWS / 4, dims = 48, k = 10;
    test_store *s = test_store_new(dims, n + 20);
    test_fill_mixture(s, 0, n + 20, 20, 0.25f, 31, 32);
    eng_hnsw_params p = {.metric = ENG_HNSW_COSINE, .dims = dims, .seed = 9};
    rt_err err;
    rt_err_clear(&err);
    eng_hnsw *plain = eng_hnsw_create(&p, &err, test_store_vec, s);
    eng_hnsw *hinted = eng_hnsw_create(&p, &err, test_hinted_vec, s);
    assert_non_null(plain);
    assert_non_null(hinted);
    eng_hnsw_set_vec_prefetch(hinted, test_hint_vec);
    test_insert_range(plain, 0, n);
    test_insert_range(hinted, 0, n); /* inserts walk with the hints too: the same graph */
    const double sel[] = {0.02, 0.1, 0.5, 1.0};
    for (size_t si = 0; si < sizeof sel / sizeof sel[0]; si++) {
        test_sel f = {.threshold = sel[si] >= 1.0 ? UINT32_MAX
                                                  : (uint32_t)(sel[si] * 4294967296.0)};
        for (uint32_t qi = 0; qi < 20; qi++) {
            const float *q = test_store_row(s, n + qi);
            eng_hnsw_hit a[10], b[10];
            eng_hnsw_search_stats sa = test_search(plain, q, k, test_sel_pass, &f, a);
            test_hints t = {.sel = &f, .vec_hinted = test_calloc(n + 20, 1),
                            .filter_hinted = test_calloc(n + 20, 1)};
            test_hints_current = &t;
            eng_hnsw_search_opts o = {.k = k, .filter = test_hinted_filter, .filter_ctx = &t,
                                      .filter_prefetch = test_hint_filter};
            eng_hnsw_search_stats sb;
            assert_true(eng_hnsw_search(hinted, q, &o, b, &sb, &err));
            test_hints_current = NULL;
            assert_int_equal(sa.status, sb.status);
            assert_int_equal(sa.hit_count, sb.hit_count);
            assert_int_equal(sa.distances, sb.distances);
            assert_int_equal(sa.visited, sb.visited);
            assert_int_equal(sa.filter_calls, sb.filter_calls);
            for (uint32_t j = 0; j < sa.hit_count; j++) {
                assert_int_equal(a[j].slot, b[j].slot);
                assert_true(a[j].distance == b[j].distance);
            }
            assert_true(t.vec_unhinted <= 1); /* the entry point's distance, read at once */
            assert_int_equal(t.filter_unhinted, 0);
            assert_true(t.vec_hints >= sb.distances - 1);
            assert_true(t.filter_hints >= sb.filter_calls);
            test_free(t.vec_hinted);
            test_free(t.filter_hinted);
        }
    }
    eng_hnsw_destroy(plain);
    eng_hnsw_destroy(hinted);
    test_store_free(s);
}

/* With a budget too small to find rare rows the search stops early and asks for a scan. */
static void test_eng_hnsw_budget_stops_and_signals_short(void **state) {
    const uint32_t n = TEST_FILTER_ROWS, dims = 32;
    test_store *s = test_store_new(dims, n);
    test_fill_mixture(s, 0, n, 50, 0.25f, 31, 32);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 5);
    test_insert_range(h, 0, n);
    test_sel f = {.threshold = (uint32_t)(0.0005 * 4294967296.0)};
    eng_hnsw_search_opts o = {.k = 10, .distance_budget = 500, .filter = test_sel_pass,
                              .filter_ctx = &f};
    eng_hnsw_hit hits[10];
    eng_hnsw_search_stats st;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_search(h, test_store_row(s, 1), &o, hits, &st, &err));
    assert_int_equal(st.status, ENG_HNSW_SHORT);
    assert_true(st.hit_count < 10);
    assert_true(st.distances <= 500 + 2 * ENG_HNSW_M_DEFAULT + 1);
    /* without a budget the whole graph is walked and every passing row comes back */
    o.distance_budget = 0;
    assert_true(eng_hnsw_search(h, test_store_row(s, 1), &o, hits, &st, &err));
    uint32_t passing = 0;
    for (uint32_t i = 0; i < n; i++) passing += test_sel_keep(&f, i);
    assert_int_equal(st.hit_count, passing < 10 ? passing : 10);
    assert_true(st.distances >= n - 1);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* ---- memory ------------------------------------------------------------------------------ */

static void test_eng_hnsw_memory_accounted_and_bounded(void **state) {
    const uint32_t n = 5000;
    test_store *s = test_store_new(16, n);
    test_fill_uniform(s, 0, n, 77);
    eng_hnsw_params p = {.metric = ENG_HNSW_L2, .dims = 16, .seed = 1,
                         .memory_bytes_max = 300 * 1024};
    rt_err err;
    rt_err_clear(&err);
    eng_hnsw *h = eng_hnsw_create(&p, &err, test_store_vec, s);
    assert_non_null(h);
    uint64_t before = eng_hnsw_memory_bytes(h);
    assert_true(before > 0);
    uint32_t inserted = 0;
    for (; inserted < n; inserted++) {
        if (!eng_hnsw_insert(h, inserted, &err)) break;
    }
    assert_true(inserted > 500 && inserted < n);
    assert_string_equal(err.sqlstate, "54000");
    assert_string_equal(err.message, "hnsw graph memory limit exceeded");
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    assert_int_equal(info.nodes, inserted); /* the refused insert changed nothing */
    assert_false(eng_hnsw_contains(h, inserted));
    assert_true(info.memory_bytes <= p.memory_bytes_max);
    assert_true(info.memory_bytes > before);
    eng_hnsw_hit hits[5];
    eng_hnsw_search_stats st = test_search(h, test_store_row(s, 3), 5, NULL, NULL, hits);
    assert_int_equal(st.hit_count, 5);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* ---- reproducibility and build ------------------------------------------------------------ */

typedef struct test_sink {
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t fail_at; /* fail when the stream would pass this many bytes (0: never) */
    void (*on_write)(void *ctx);
    void *on_write_ctx;
} test_sink;

static bool test_sink_write(void *ctx, const void *bytes, size_t len, rt_err *err) {
    test_sink *s = ctx;
    if (s->fail_at != 0 && s->len + len > s->fail_at) {
        return rt_err_from_errno(err, 28, "could not write file \"%s\"", "hnsw.graph");
    }
    if (s->len + len > s->cap) {
        s->cap = (s->len + len) * 2;
        s->buf = realloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, bytes, len);
    s->len += len;
    if (s->on_write != NULL) s->on_write(s->on_write_ctx);
    return true;
}

typedef struct test_source {
    const uint8_t *buf;
    size_t len;
    size_t pos;
} test_source;

static bool test_source_read(void *ctx, void *buf, size_t len, size_t *got, rt_err *err) {
    test_source *s = ctx;
    size_t n = s->len - s->pos;
    if (n > len) n = len;
    memcpy(buf, s->buf + s->pos, n);
    s->pos += n;
    *got = n;
    return true;
}

static test_sink test_save(eng_hnsw *h) {
    test_sink sink = {0};
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_save(h, &err, test_sink_write, &sink, NULL));
    return sink;
}

static eng_hnsw *test_load(const uint8_t *buf, size_t len, test_store *s, eng_hnsw_metric metric,
                           rt_err *err) {
    eng_hnsw_params p = {.metric = metric, .dims = s->dims, .seed = 999};
    test_source src = {.buf = buf, .len = len};
    rt_err_clear(err);
    return eng_hnsw_load(&p, err, test_source_read, &src, test_store_vec, s, NULL);
}

static uint32_t test_yields;
static void test_count_yield(void *ctx) {
    test_yields++;
}

/* Same seed and same inserts give the same graph, byte for byte; build() equals inserts and
 * yields as it goes. */
static void test_eng_hnsw_reproducible_and_build_yields(void **state) {
    const uint32_t n = 3000;
    test_store *s = test_store_new(TEST_DIMS, n);
    test_fill_mixture(s, 0, n, 10, 0.3f, 41, 42);
    eng_hnsw *a = test_graph(s, ENG_HNSW_L2, 1234);
    test_insert_range(a, 0, n);
    eng_hnsw *b = test_graph(s, ENG_HNSW_L2, 1234);
    uint32_t *slots = malloc(n * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) slots[i] = i;
    eng_hnsw_yield y = {.fn = test_count_yield, .every = 1000};
    rt_err err;
    rt_err_clear(&err);
    test_yields = 0;
    assert_true(eng_hnsw_build(b, slots, n, &err, &y));
    assert_true(test_yields > n / 10); /* each insert costs hundreds of distances */
    test_sink sa = test_save(a), sb = test_save(b);
    assert_int_equal(sa.len, sb.len);
    assert_memory_equal(sa.buf, sb.buf, sa.len);
    eng_hnsw *c = test_graph(s, ENG_HNSW_L2, 4321); /* another seed, another graph */
    test_insert_range(c, 0, n);
    test_sink sc = test_save(c);
    assert_true(sc.len != sa.len || memcmp(sc.buf, sa.buf, sa.len) != 0);
    free(sa.buf);
    free(sb.buf);
    free(sc.buf);
    free(slots);
    eng_hnsw_destroy(a);
    eng_hnsw_destroy(b);
    eng_hnsw_destroy(c);
    test_store_free(s);
}

/* ---- vacuum ------------------------------------------------------------------------------ */

typedef struct test_freed {
    uint32_t count;
    uint8_t *seen; /* per slot */
} test_freed;

static void test_on_freed(void *ctx, uint32_t slot) {
    test_freed *f = ctx;
    assert_int_equal(f->seen[slot], 0);
    f->seen[slot] = 1;
    f->count++;
}

static bool test_slot_mod5(void *ctx, uint32_t slot) {
    return slot % 5 == 1;
}

/* Vacuum frees exactly the dead nodes (marked or by predicate), keeps the rest searchable,
 * replaces a removed entry point, and lets a freed slot carry a new row. */
static void test_eng_hnsw_vacuum_frees_and_repairs(void **state) {
    const uint32_t n = 4000;
    test_store *s = test_store_new(TEST_DIMS, n);
    test_fill_mixture(s, 0, n, 20, 0.3f, 51, 52);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 3);
    test_insert_range(h, 0, n);
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    uint32_t old_entry = info.entry_slot;
    eng_hnsw_mark_dead(h, old_entry);
    for (uint32_t i = 0; i < n; i += 5) eng_hnsw_mark_dead(h, i);
    test_freed f = {.seen = calloc(n, 1)};
    eng_hnsw_vacuum_opts o = {.is_dead = test_slot_mod5, .freed = test_on_freed, .freed_ctx = &f};
    eng_hnsw_vacuum_stats vs;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_vacuum(h, &o, &vs, &err));
    uint32_t want = 2 * n / 5 + (old_entry % 5 > 1);
    assert_int_equal(vs.removed, want);
    assert_int_equal(f.count, want);
    assert_true(vs.repaired > 0 && vs.entry_replaced);
    assert_true(f.seen[old_entry]);
    eng_hnsw_get_info(h, &info);
    assert_int_equal(info.nodes, n - want);
    assert_int_equal(info.dead, 0);
    assert_true(info.entry_slot != old_entry && eng_hnsw_contains(h, info.entry_slot));
    for (uint32_t i = 0; i < n; i++) assert_true(eng_hnsw_contains(h, i) == !f.seen[i]);
    eng_hnsw_hit hits[10];
    for (uint32_t i = 2; i < n; i += 13) {
        if (f.seen[i]) continue;
        eng_hnsw_search_stats st = test_search(h, test_store_row(s, i), 10, NULL, NULL, hits);
        assert_int_equal(st.hit_count, 10);
        assert_int_equal(hits[0].slot, i);
        for (uint32_t j = 0; j < 10; j++) assert_false(f.seen[hits[j].slot]);
    }
    /* a freed slot takes a new row with another vector, which is then found */
    float *v = test_store_row(s, 5);
    for (uint32_t j = 0; j < TEST_DIMS; j++) v[j] = 10.0f + (float)j;
    assert_true(eng_hnsw_insert(h, 5, &err));
    test_search(h, v, 1, NULL, NULL, hits);
    assert_int_equal(hits[0].slot, 5);
    free(f.seen);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

static bool test_all_dead(void *ctx, uint32_t slot) {
    return true;
}

/* Everything deleted: vacuum empties the graph and frees its memory; it works again after. */
static void test_eng_hnsw_vacuum_everything(void **state) {
    const uint32_t n = 1500;
    test_store *s = test_store_new(TEST_DIMS, n);
    test_fill_uniform(s, 0, n, 61);
    eng_hnsw *h = test_graph(s, ENG_HNSW_IP, 3);
    uint64_t empty_bytes = eng_hnsw_memory_bytes(h);
    test_insert_range(h, 0, n);
    eng_hnsw_vacuum_opts o = {.is_dead = test_all_dead};
    eng_hnsw_vacuum_stats vs;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_vacuum(h, &o, &vs, &err));
    assert_int_equal(vs.removed, n);
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    assert_int_equal(info.nodes, 0);
    assert_int_equal(info.entry_slot, ENG_HNSW_SLOT_NONE);
    assert_int_equal(info.edges_level0, 0);
    /* chunks are gone; what remains is the directory and scratch */
    assert_true(info.memory_bytes < empty_bytes + 64 * 1024);
    eng_hnsw_hit hits[3];
    eng_hnsw_search_stats st = test_search(h, test_store_row(s, 0), 3, NULL, NULL, hits);
    assert_int_equal(st.hit_count, 0);
    test_insert_range(h, 0, 100);
    st = test_search(h, test_store_row(s, 0), 3, NULL, NULL, hits);
    assert_int_equal(st.hit_count, 3);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* Vacuum yields; while it is suspended the shard searches and inserts into the same graph.
 * Searches never return a node being removed, and inserts made meanwhile stay reachable. */
typedef struct test_busy {
    eng_hnsw *h;
    test_store *s;
    uint32_t next_insert;
    uint32_t insert_end;
    uint32_t yields;
} test_busy;

static bool test_slot_odd(void *ctx, uint32_t slot) {
    test_busy *b = ctx;
    return slot < b->insert_end - 1000 && slot % 2 == 1;
}

static void test_busy_yield(void *ctx) {
    test_busy *b = ctx;
    b->yields++;
    rt_err err;
    rt_err_clear(&err);
    if (b->next_insert < b->insert_end) assert_true(eng_hnsw_insert(b->h, b->next_insert++, &err));
    eng_hnsw_hit hits[10];
    const float *q = test_store_row(b->s, (b->yields * 37) % b->next_insert);
    eng_hnsw_search_stats st = test_search(b->h, q, 10, NULL, NULL, hits);
    assert_int_equal(st.hit_count, 10);
    for (uint32_t j = 0; j < 10; j++) assert_true(eng_hnsw_contains(b->h, hits[j].slot));
}

static void test_eng_hnsw_vacuum_while_serving(void **state) {
    const uint32_t n = 3000;
    test_store *s = test_store_new(TEST_DIMS, n + 1000);
    test_fill_mixture(s, 0, n + 1000, 20, 0.3f, 71, 72);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 3);
    test_insert_range(h, 0, n);
    test_busy b = {.h = h, .s = s, .next_insert = n, .insert_end = n + 1000};
    eng_hnsw_vacuum_opts o = {.is_dead = test_slot_odd, .dead_ctx = &b,
                              .yield = {.fn = test_busy_yield, .ctx = &b, .every = 64}};
    eng_hnsw_vacuum_stats vs;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_vacuum(h, &o, &vs, &err));
    assert_true(b.yields > 100);
    assert_int_equal(vs.removed, n / 2);
    while (b.next_insert < b.insert_end) assert_true(eng_hnsw_insert(h, b.next_insert++, &err));
    eng_hnsw_hit hits[1];
    uint32_t found = 0, total = 0;
    for (uint32_t i = 0; i < n + 1000; i++) {
        if (i < n && i % 2 == 1) {
            assert_false(eng_hnsw_contains(h, i));
            continue;
        }
        total++;
        test_search(h, test_store_row(s, i), 1, NULL, NULL, hits);
        found += hits[0].slot == i;
    }
    assert_true(found >= total * 99 / 100);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* ---- checkpoints -------------------------------------------------------------------------- */

static void test_eng_hnsw_save_load_identical_results(void **state) {
    const uint32_t n = 4000;
    const eng_hnsw_metric metrics[] = {ENG_HNSW_L2, ENG_HNSW_COSINE, ENG_HNSW_IP};
    for (size_t mi = 0; mi < 3; mi++) {
        test_store *s = test_store_new(TEST_DIMS, n + 100);
        test_fill_mixture(s, 0, n + 100, 20, 0.3f, 81, 82);
        eng_hnsw *h = test_graph(s, metrics[mi], 17);
        test_insert_range(h, 0, n);
        for (uint32_t i = 0; i < n; i += 10) eng_hnsw_mark_dead(h, i);
        test_sink sink = test_save(h);
        rt_err err;
        eng_hnsw *g = test_load(sink.buf, sink.len, s, metrics[mi], &err);
        assert_non_null(g);
        eng_hnsw_info a, b;
        eng_hnsw_get_info(h, &a);
        eng_hnsw_get_info(g, &b);
        assert_int_equal(a.nodes, b.nodes);
        assert_int_equal(a.dead, b.dead);
        assert_int_equal(a.edges_level0, b.edges_level0);
        assert_int_equal(a.entry_slot, b.entry_slot);
        assert_int_equal(a.levels, b.levels);
        for (uint32_t qi = 0; qi < 100; qi++) {
            eng_hnsw_hit ha[10], hb[10];
            const float *q = test_store_row(s, n + qi);
            eng_hnsw_search_stats sa = test_search(h, q, 10, NULL, NULL, ha);
            eng_hnsw_search_stats sb = test_search(g, q, 10, NULL, NULL, hb);
            assert_int_equal(sa.hit_count, sb.hit_count);
            assert_int_equal(sa.distances, sb.distances);
            assert_memory_equal(ha, hb, sa.hit_count * sizeof(eng_hnsw_hit));
        }
        /* levels drawn after the restart continue the same sequence */
        test_insert_range(h, n, 100);
        test_insert_range(g, n, 100);
        test_sink s1 = test_save(h), s2 = test_save(g);
        assert_int_equal(s1.len, s2.len);
        assert_memory_equal(s1.buf, s2.buf, s1.len);
        free(s1.buf);
        free(s2.buf);
        free(sink.buf);
        eng_hnsw_destroy(g);
        eng_hnsw_destroy(h);
        test_store_free(s);
    }
}

/* Stream layout (eng_hnsw_io.c): a 48-byte header, then the first node record: u32 slot,
 * u8 height, u8 flags, u16 count of its level-0 list, then that list's first link. */
#define TEST_HEADER_BYTES 48u
#define TEST_FIRST_LINK_AT (TEST_HEADER_BYTES + 8u)

/* CRC-32C, bit by bit, so the test can forge streams with a valid checksum. */
static uint32_t test_crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static void test_expect_corrupt(const uint8_t *buf, size_t len, test_store *s) {
    rt_err err;
    eng_hnsw *g = test_load(buf, len, s, ENG_HNSW_L2, &err);
    if (g != NULL) fail_msg("a damaged stream of %zu bytes was accepted", len);
    assert_string_equal(err.sqlstate, "XX001");
}

static void test_eng_hnsw_load_rejects_damage(void **state) {
    const uint32_t n = 600;
    test_store *s = test_store_new(8, n);
    test_fill_uniform(s, 0, n, 91);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 5);
    test_insert_range(h, 0, n);
    test_sink sink = test_save(h);
    uint8_t *copy = malloc(sink.len + 16);
    rt_err err;
    /* every single flipped byte (the checksum or a field check catches it) */
    for (size_t i = 0; i < sink.len; i++) {
        memcpy(copy, sink.buf, sink.len);
        copy[i] ^= (uint8_t)(1u << (i % 8));
        test_expect_corrupt(copy, sink.len, s);
    }
    /* every truncation, and bytes appended */
    for (size_t len = 0; len < sink.len; len += (len < 200 ? 1 : 97)) {
        test_expect_corrupt(sink.buf, len, s);
    }
    memcpy(copy, sink.buf, sink.len);
    copy[sink.len] = 0;
    test_expect_corrupt(copy, sink.len + 1, s);
    /* garbage */
    test_rng r = {5};
    for (int round = 0; round < 200; round++) {
        size_t len = (size_t)(test_rng_next(&r) % (sink.len + 16));
        for (size_t i = 0; i < len; i++) copy[i] = (uint8_t)test_rng_next(&r);
        if (round % 2 == 0 && len >= 8) memcpy(copy, "DBHNSW\0\0", 8); /* past the magic */
        test_expect_corrupt(copy, len, s);
    }
    /* a forged stream with a valid checksum whose first node links to itself */
    memcpy(copy, sink.buf, sink.len);
    uint32_t self;
    memcpy(&self, copy + TEST_HEADER_BYTES, 4);
    memcpy(copy + TEST_FIRST_LINK_AT, &self, 4);
    uint32_t crc = test_crc32c(copy, sink.len - 4);
    memcpy(copy + sink.len - 4, &crc, 4);
    test_expect_corrupt(copy, sink.len, s);
    /* a stream whose node has no vector in the table */
    s->is_null[self] = true;
    test_expect_corrupt(sink.buf, sink.len, s);
    s->is_null[self] = false;
    /* another index definition */
    eng_hnsw_params p = {.metric = ENG_HNSW_COSINE, .dims = 8};
    test_source src = {.buf = sink.buf, .len = sink.len};
    rt_err_clear(&err);
    assert_null(eng_hnsw_load(&p, &err, test_source_read, &src, test_store_vec, s, NULL));
    assert_string_equal(err.sqlstate, "XX001");
    /* and the intact stream still loads */
    eng_hnsw *g = test_load(sink.buf, sink.len, s, ENG_HNSW_L2, &err);
    assert_non_null(g);
    eng_hnsw_destroy(g);
    free(copy);
    free(sink.buf);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* A link to a slot in range that has no node is caught by the second pass. */
static void test_eng_hnsw_load_rejects_dangling_link(void **state) {
    const uint32_t n = 300;
    test_store *s = test_store_new(8, n);
    test_fill_uniform(s, 0, n, 93);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 5);
    test_insert_range(h, 0, n - 1); /* slot n - 1 stays without a node */
    eng_hnsw_mark_dead(h, 7);
    eng_hnsw_vacuum_opts vo = {0};
    eng_hnsw_vacuum_stats vs;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_hnsw_vacuum(h, &vo, &vs, &err)); /* slot 7 has no node now */
    test_sink sink = test_save(h);
    uint32_t first_link;
    memcpy(&first_link, sink.buf + TEST_FIRST_LINK_AT, 4);
    assert_true(first_link < n);
    uint32_t dangling = 7;
    memcpy(sink.buf + TEST_FIRST_LINK_AT, &dangling, 4);
    uint32_t crc = test_crc32c(sink.buf, sink.len - 4);
    memcpy(sink.buf + sink.len - 4, &crc, 4);
    test_expect_corrupt(sink.buf, sink.len, s);
    free(sink.buf);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* A checkpoint stream written by hand, so a test can start from an exact graph. */
typedef struct test_stream {
    uint8_t buf[512];
    size_t len;
} test_stream;

static void test_put(test_stream *t, uint64_t v, size_t bytes) {
    for (size_t i = 0; i < bytes; i++) t->buf[t->len++] = (uint8_t)(v >> (8 * i));
}

static void test_put_node(test_stream *t, uint32_t slot, const uint32_t *l0, uint16_t n0,
                          bool upper) {
    test_put(t, slot, 4);
    test_put(t, upper ? 2 : 1, 1); /* height */
    test_put(t, 0, 1);             /* flags */
    test_put(t, n0, 2);
    for (uint16_t i = 0; i < n0; i++) test_put(t, l0[i], 4);
    if (upper) test_put(t, 0, 2); /* an empty level-1 list */
}

static bool test_slot_is_4(void *ctx, uint32_t slot) {
    return slot == 4;
}

/* Vacuum can leave the entry point without level-0 links; the highest node that has some
 * stands in while the old one is relinked, and the old one must take its place back. Here
 * the old entry point E (slot 3, the only node of level 1) loses its one level-0 link, to the
 * deleted D (slot 4), and so does Z (slot 2); y (slot 0) still links to E, y and F (slot 1)
 * to each other, and F to Z. When the relink pass reaches Z, Z is linked from y and picks E,
 * its nearest, so E has a level-0 link again before the pass gets to it. Vacuum used to
 * leave y as the entry point below E then, and its own consistency check aborted the
 * process (as autovacuum did, now and then, in test_eng_vacuum's UPDATE loop). */
static void test_eng_hnsw_vacuum_restores_demoted_entry(void **state) {
    test_store *s = test_store_new(2, 5);
    static const float at[5][2] = {{10, 0}, {20, 0}, {0.5f, 0}, {0, 0}, {0, 1}};
    for (uint32_t i = 0; i < 5; i++) memcpy(test_store_row(s, i), at[i], sizeof at[i]);
    test_stream t = {.len = 0};
    memcpy(t.buf, "DBHNSW\0\0", 8);
    t.len = 8;
    test_put(&t, 1, 4);           /* version */
    test_put(&t, ENG_HNSW_L2, 1); /* metric */
    test_put(&t, 0, 1);
    test_put(&t, ENG_HNSW_M_DEFAULT, 2);
    test_put(&t, 2, 4);  /* dims */
    test_put(&t, 7, 8);  /* generator state */
    test_put(&t, 5, 4);  /* slot bound */
    test_put(&t, 5, 8);  /* nodes */
    test_put(&t, 3, 4);  /* entry point E */
    test_put(&t, 1, 4);  /* top level */
    test_put_node(&t, 0, (const uint32_t[]){3, 1}, 2, false); /* y -> E, F */
    test_put_node(&t, 1, (const uint32_t[]){0, 2}, 2, false); /* F -> y, Z */
    test_put_node(&t, 2, (const uint32_t[]){4}, 1, false);    /* Z -> D */
    test_put_node(&t, 3, (const uint32_t[]){4}, 1, true);     /* E -> D */
    test_put_node(&t, 4, NULL, 0, false);                     /* D */
    test_put(&t, test_crc32c(t.buf, t.len), 4);
    rt_err err;
    eng_hnsw *h = test_load(t.buf, t.len, s, ENG_HNSW_L2, &err);
    assert_non_null(h);
    eng_hnsw_vacuum_opts o = {.is_dead = test_slot_is_4};
    eng_hnsw_vacuum_stats vs;
    assert_true(eng_hnsw_vacuum(h, &o, &vs, &err)); /* aborted here before the fix */
    assert_int_equal(vs.removed, 1);
    eng_hnsw_info info;
    eng_hnsw_get_info(h, &info);
    assert_int_equal(info.entry_slot, 3); /* E tops the graph again */
    assert_int_equal(info.nodes, 4);
    eng_hnsw_hit hits[4];
    for (uint32_t i = 0; i < 4; i++) { /* and every node is found from it */
        eng_hnsw_search_stats st = test_search(h, at[i], 1, NULL, NULL, hits);
        assert_int_equal(st.hit_count, 1);
        assert_int_equal(hits[0].slot, i);
    }
    eng_hnsw_destroy(h);
    test_store_free(s);
}

/* The writer's errors come back to the caller; inserts made while it is parked are left out
 * of the stream, which stays loadable. */
typedef struct test_parked {
    eng_hnsw *h;
    uint32_t next;
    uint32_t end;
} test_parked;

static void test_parked_insert(void *ctx) {
    test_parked *p = ctx;
    rt_err err;
    rt_err_clear(&err);
    if (p->next < p->end) assert_true(eng_hnsw_insert(p->h, p->next++, &err));
}

static void test_eng_hnsw_save_while_inserting_and_write_errors(void **state) {
    const uint32_t n = 20000;
    test_store *s = test_store_new(8, n + 200);
    test_fill_uniform(s, 0, n + 200, 95);
    eng_hnsw *h = test_graph(s, ENG_HNSW_L2, 5);
    test_insert_range(h, 0, n);
    test_parked pk = {.h = h, .next = n, .end = n + 200};
    test_sink sink = {.on_write = test_parked_insert, .on_write_ctx = &pk};
    eng_hnsw_yield y = {.fn = test_count_yield, .every = 100};
    rt_err err;
    rt_err_clear(&err);
    test_yields = 0;
    assert_true(eng_hnsw_save(h, &err, test_sink_write, &sink, &y));
    assert_true(pk.next > n); /* inserts did happen during the save */
    assert_true(test_yields >= n / 100);
    eng_hnsw_params p = {.metric = ENG_HNSW_L2, .dims = s->dims};
    test_source src = {.buf = sink.buf, .len = sink.len};
    test_yields = 0;
    eng_hnsw *g = eng_hnsw_load(&p, &err, test_source_read, &src, test_store_vec, s, &y);
    assert_non_null(g);
    assert_true(test_yields >= n / 100);
    eng_hnsw_info info;
    eng_hnsw_get_info(g, &info);
    assert_int_equal(info.nodes, n);
    eng_hnsw_destroy(g);
    free(sink.buf);
    test_sink failing = {.fail_at = 100000};
    rt_err_clear(&err);
    assert_false(eng_hnsw_save(h, &err, test_sink_write, &failing, NULL));
    assert_string_equal(err.sqlstate, "53100");
    free(failing.buf);
    eng_hnsw_destroy(h);
    test_store_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_hnsw_params_checked_with_pgvector_wording),
        cmocka_unit_test(test_eng_hnsw_search_limits),
        cmocka_unit_test(test_eng_hnsw_finds_inserted_vectors_all_metrics),
        cmocka_unit_test(test_eng_hnsw_null_zero_and_repeated_inserts),
        cmocka_unit_test(test_eng_hnsw_dead_nodes_never_returned),
        cmocka_unit_test(test_eng_hnsw_filtered_search_all_selectivities),
        cmocka_unit_test(test_eng_hnsw_prefetch_hints_change_nothing),
        cmocka_unit_test(test_eng_hnsw_budget_stops_and_signals_short),
        cmocka_unit_test(test_eng_hnsw_memory_accounted_and_bounded),
        cmocka_unit_test(test_eng_hnsw_reproducible_and_build_yields),
        cmocka_unit_test(test_eng_hnsw_vacuum_frees_and_repairs),
        cmocka_unit_test(test_eng_hnsw_vacuum_everything),
        cmocka_unit_test(test_eng_hnsw_vacuum_while_serving),
        cmocka_unit_test(test_eng_hnsw_save_load_identical_results),
        cmocka_unit_test(test_eng_hnsw_load_rejects_damage),
        cmocka_unit_test(test_eng_hnsw_load_rejects_dangling_link),
        cmocka_unit_test(test_eng_hnsw_vacuum_restores_demoted_entry),
        cmocka_unit_test(test_eng_hnsw_save_while_inserting_and_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
