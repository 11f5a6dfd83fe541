/* test_sql_hybrid_walk.c: the hybrid planner's per-index walk shape (sql_hybrid.h): what it
 * expects an ANN-first walk to do (nodes visited, distances computed) against what walks of
 * the same graph actually do, for ef_search 40..400 and selectivities 1%..100%.
 * How: an HNSW graph over seeded clustered vectors (a Gaussian mixture, normalised, cosine),
 * a WHERE stand-in that passes a fixed share of slots chosen by a hash (independent of the
 * vectors, as the bench's `bucket < n`); walks at every (ef, selectivity) feed the shape as the
 * executor does (sql_exec_ann.c), then fresh queries check that the expectation is within 3x
 * of the actual work, which EXPLAIN HYBRID's ANN-first estimate is made of. A second case
 * checks the estimate's use: the planner's ANN-first estimate at ef 400 and 10% is no longer
 * the 10x overestimate a fixed cost per visited node gave on clustered data (the shape learnt
 * is below linear). The automatic ef_search's growth with the graph and k is checked too. Work
 * counts only: no timing anywhere. Deterministic (fixed seeds). */
// ctest: TIMEOUT 300
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../common/test_vectors.h"
#include "engine/eng_hnsw.h"
#include "runtime/rt_err.h"
#include "sql/sql_hybrid.h"

#ifdef DB_SANITIZE
#define TEST_ROWS 6000u
#define TEST_LEARN 2u
#define TEST_CHECK 3u
#else
#define TEST_ROWS 20000u
#define TEST_LEARN 3u
#define TEST_CHECK 6u
#endif
#define TEST_DIMS 32u
#define TEST_K 10u
#define TEST_TABLE_OID 424242u
#define TEST_ATTNUM 3u
#define TEST_RATIO_MAX 3.0

static const uint32_t test_efs[] = {40, 100, 200, 400};
static const double test_sels[] = {0.01, 0.03, 0.1, 0.3, 1.0};

typedef struct test_walks {
    test_store *store;
    test_store *queries;
    eng_hnsw *graph;
    uint32_t next_query;
} test_walks;

/* Passes `share` of the slots, picked by a hash of the slot (per mille). */
static bool test_pass(void *ctx, uint32_t slot) {
    double share = *(const double *)ctx;
    uint32_t h = (slot * 2654435761u) >> 8;
    return (double)(h % 1000u) < share * 1000.0;
}

static int test_setup(void **state) {
    test_walks *w = calloc(1, sizeof *w);
    w->store = test_store_new(TEST_DIMS, TEST_ROWS);
    test_fill_mixture(w->store, 0, TEST_ROWS, 40, 0.35f, 7, 11);
    uint32_t nq = (uint32_t)(sizeof test_efs / sizeof test_efs[0] * sizeof test_sels /
                             sizeof test_sels[0]) * (TEST_LEARN + TEST_CHECK);
    w->queries = test_store_new(TEST_DIMS, nq);
    test_fill_mixture(w->queries, 0, nq, 40, 0.35f, 7, 13);
    eng_hnsw_params p = {.metric = ENG_HNSW_COSINE, .dims = TEST_DIMS, .seed = 99};
    rt_err err;
    rt_err_clear(&err);
    w->graph = eng_hnsw_create(&p, &err, test_store_vec, w->store);
    assert_non_null(w->graph);
    for (uint32_t i = 0; i < TEST_ROWS; i++) assert_true(eng_hnsw_insert(w->graph, i, &err));
    *state = w;
    return 0;
}

static int test_teardown(void **state) {
    test_walks *w = *state;
    eng_hnsw_destroy(w->graph);
    test_store_free(w->store);
    test_store_free(w->queries);
    free(w);
    return 0;
}

/* One walk with the next query; its work in *stats. */
static void test_walk(test_walks *w, uint32_t ef, double sel, eng_hnsw_search_stats *stats) {
    eng_hnsw_hit hits[TEST_K];
    eng_hnsw_search_opts o = {.k = TEST_K, .ef_search = ef, .filter = test_pass,
                              .filter_ctx = &sel};
    rt_err err;
    rt_err_clear(&err);
    const float *q = test_store_row(w->queries, w->next_query++);
    assert_true(eng_hnsw_search(w->graph, q, &o, hits, stats, &err));
    assert_int_not_equal(stats->status, ENG_HNSW_SHORT);
}

/* A walk fed to the shape as the executor feeds it. */
static void test_learn(test_walks *w, uint32_t ef, double sel) {
    eng_hnsw_search_stats st;
    test_walk(w, ef, sel, &st);
    sql_hybrid_note_walk_shape(TEST_TABLE_OID, TEST_ATTNUM, ef, sel, TEST_ROWS, st.visited,
                               st.distances, st.filter_calls);
}

static void test_learn_all(test_walks *w) {
    sql_hybrid_shapes_reset();
    w->next_query = 0;
    for (uint32_t r = 0; r < TEST_LEARN; r++) {
        for (size_t e = 0; e < sizeof test_efs / sizeof test_efs[0]; e++) {
            for (size_t s = 0; s < sizeof test_sels / sizeof test_sels[0]; s++) {
                test_learn(w, test_efs[e], test_sels[s]);
            }
        }
    }
}

static void test_within(const char *what, uint32_t ef, double sel, double expected,
                        double actual) {
    double ratio = expected / actual;
    if (ratio > TEST_RATIO_MAX || ratio < 1.0 / TEST_RATIO_MAX) {
        fail_msg("ef %u, selectivity %.2f: %s expected %.0f, actual %.0f", ef, sel, what,
                 expected, actual);
    }
}

/* After the walks, every (ef, selectivity)'s expectation is within 3x of fresh walks'. */
static void test_shape_tracks_walks(void **state) {
    test_walks *w = *state;
    test_learn_all(w);
    for (size_t e = 0; e < sizeof test_efs / sizeof test_efs[0]; e++) {
        for (size_t s = 0; s < sizeof test_sels / sizeof test_sels[0]; s++) {
            uint32_t ef = test_efs[e];
            double sel = test_sels[s], visited = 0, distances = 0;
            for (uint32_t i = 0; i < TEST_CHECK; i++) {
                eng_hnsw_search_stats st;
                test_walk(w, ef, sel, &st);
                visited += (double)st.visited / TEST_CHECK;
                distances += (double)st.distances / TEST_CHECK;
            }
            sql_hybrid_walk exp;
            sql_hybrid_walk_expect(TEST_TABLE_OID, TEST_ATTNUM, ef, sel, TEST_ROWS, &exp);
            assert_true(exp.walks > 0);
            test_within("visited", ef, sel, exp.visited, visited);
            test_within("distances", ef, sel, exp.distances, distances);
        }
    }
}

/* The shape is the index's own: another column's starts from the prior, and ten times the
 * ef at full selectivity is expected to cost less than ten times the distances on this
 * clustered graph (a wider walk meets nodes it has seen), as the walks show. */
static void test_shape_per_index(void **state) {
    test_walks *w = *state;
    test_learn_all(w);
    sql_hybrid_walk lo, hi, other;
    sql_hybrid_walk_expect(TEST_TABLE_OID, TEST_ATTNUM, 40, 1.0, TEST_ROWS, &lo);
    sql_hybrid_walk_expect(TEST_TABLE_OID, TEST_ATTNUM, 400, 1.0, TEST_ROWS, &hi);
    sql_hybrid_walk_expect(TEST_TABLE_OID, TEST_ATTNUM + 1, 40, 1.0, TEST_ROWS, &other);
    assert_true(other.walks == 0);
    assert_true(lo.walks > 0);
    assert_true(hi.distances > lo.distances);
    assert_true(hi.distances < 10.0 * lo.distances);
    /* more wanted rows or fewer passing ones never mean a shorter walk */
    sql_hybrid_walk narrow;
    sql_hybrid_walk_expect(TEST_TABLE_OID, TEST_ATTNUM, 40, 0.01, TEST_ROWS, &narrow);
    assert_true(narrow.visited > lo.visited);
    assert_true(narrow.distances >= lo.distances);
    /* a walk scores every node it expands: never fewer distances than visited nodes */
    sql_hybrid_walk wide;
    sql_hybrid_walk_expect(TEST_TABLE_OID, TEST_ATTNUM, 1000, 0.02, TEST_ROWS * 10.0, &wide);
    assert_true(wide.visited > 20000);
    assert_true(wide.distances >= wide.visited);
    /* a walk never computes more distances than the partition has nodes, plus the descent */
    assert_true(narrow.distances <= TEST_ROWS * 1.1);
}

/* The automatic ef_search (hnsw.ef_search left at 40): 40 on small graphs, growing with the
 * graph and with k, never past the limit. */
static void test_auto_ef(void **state) {
    (void)state;
    assert_int_equal(sql_hybrid_auto_ef(10000, 10, 1), 40);
    assert_int_equal(sql_hybrid_auto_ef(50000, 10, 1), 40);
    uint32_t at_100k = sql_hybrid_auto_ef(100000, 10, 1);
    uint32_t at_500k = sql_hybrid_auto_ef(500000, 10, 1);
    assert_true(at_100k > 40 && at_100k < at_500k);
    assert_true(at_500k >= 400 && at_500k <= 600); /* recall 0.95 needs ~400 there */
    assert_int_equal(sql_hybrid_auto_ef(10000, 100, 1), 400);
    assert_int_equal(sql_hybrid_auto_ef(1e9, 10, 1), ENG_HNSW_EF_SEARCH_MAX);
    /* a selective WHERE widens the walk already: the growth comes in from half the rows */
    assert_int_equal(sql_hybrid_auto_ef(500000, 10, 0.5), at_500k);
    assert_true(sql_hybrid_auto_ef(500000, 10, 0.1) < at_500k);
    assert_int_equal(sql_hybrid_auto_ef(500000, 10, 0.01), 40);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_tracks_walks),
        cmocka_unit_test(test_shape_per_index),
        cmocka_unit_test(test_auto_ef),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
