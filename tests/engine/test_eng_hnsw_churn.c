/* test_eng_hnsw_churn.c: the HNSW graph stays searchable under UPDATE churn with vacuum.
 * How: 400 rows whose vectors are [version % 1000 + 1, id + 1, 7] under cosine (the data of
 * test_sql_vector_fresh: nearly collinear vectors, where the neighbour heuristic keeps only a
 * few links per node and lists rebuilt by vacuum could leave groups of nodes linking only to
 * each other). Each update inserts the row's new version in a new slot; the old version is
 * marked dead a while later (the snapshot horizon) and one update in eight is rolled back.
 * Vacuum passes run between batches of updates, and more updates run from its yield
 * callback. Asserted with the graph's internals (eng_hnsw_int.h), deterministically:
 *   - after every vacuum pass, every live node is reachable from the entry point through
 *     level-0 links (what a level-0 search can walk);
 *   - after every pass, a top-10 search (ef_search 400) with each live row's own vector
 *     returns that row, unless it reports SHORT (the caller then scans exactly). */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../common/test_vectors.h"
#include "engine/eng_hnsw_int.h"
#include "runtime/rt_err.h"

#define CHURN_IDS 400u
#define CHURN_HORIZON 64u /* old versions still visible to some snapshot */
#define CHURN_BATCH 300u  /* updates between two vacuum passes */
#ifdef DB_SANITIZE
#define CHURN_PASSES 25u
#else
#define CHURN_PASSES 100u
#endif
#define CHURN_CAP (CHURN_IDS + CHURN_PASSES * CHURN_BATCH * 2u)

typedef struct churn {
    eng_hnsw *h;
    test_store *s;
    uint32_t cur[CHURN_IDS]; /* the live slot of each id */
    uint32_t next_slot;
    uint64_t ver;
    test_rng rng;
    uint32_t pending[CHURN_HORIZON]; /* old versions not dead yet, oldest first */
    uint32_t pending_count;
    uint32_t yields;
} churn;

static void churn_vec(churn *c, uint32_t slot, uint32_t id, int64_t ver) {
    float *v = test_store_row(c->s, slot);
    v[0] = (float)(ver >= 0 ? ver % 1000 + 1 : 999);
    v[1] = (float)(id + 1);
    v[2] = 7.0f;
}

/* Live nodes the entry point does not reach by level-0 links. */
static uint32_t churn_unreachable(churn *c) {
    eng_hnsw *h = c->h;
    assert_true(h->entry != ENG_HNSW_SLOT_NONE);
    uint32_t *queue = malloc(sizeof(uint32_t) * h->slot_bound);
    uint8_t *seen = calloc(h->slot_bound, 1);
    uint32_t head = 0, tail = 0;
    queue[tail++] = h->entry;
    seen[h->entry] = 1;
    while (head < tail) {
        const uint32_t *list = hnsw_list(h, queue[head++], 0);
        for (uint32_t i = 1; i <= list[0]; i++) {
            if (seen[list[i]]) continue;
            seen[list[i]] = 1;
            queue[tail++] = list[i];
        }
    }
    uint32_t bad = 0;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        if (hnsw_height(h, slot) == 0 || (hnsw_flags(h, slot) & HNSW_DEAD)) continue;
        bad += !seen[slot];
    }
    free(queue);
    free(seen);
    return bad;
}

/* Each row's own vector finds it among the top 10 (or the search says SHORT). */
static uint32_t churn_misses(churn *c) {
    uint32_t misses = 0;
    for (uint32_t id = 0; id < CHURN_IDS; id++) {
        eng_hnsw_hit hits[10];
        eng_hnsw_search_opts o = {.k = 10, .ef_search = 400};
        eng_hnsw_search_stats st;
        rt_err err;
        rt_err_clear(&err);
        const float *q = test_store_row(c->s, c->cur[id]);
        assert_true(eng_hnsw_search(c->h, q, &o, hits, &st, &err));
        bool found = st.status == ENG_HNSW_SHORT;
        for (uint32_t i = 0; i < st.hit_count; i++) found |= hits[i].slot == c->cur[id];
        misses += !found;
    }
    return misses;
}

static void churn_update(churn *c) {
    rt_err err;
    rt_err_clear(&err);
    uint32_t id = (uint32_t)(test_rng_next(&c->rng) % CHURN_IDS);
    uint32_t slot = c->next_slot++;
    assert_true(slot < CHURN_CAP);
    bool rollback = test_rng_next(&c->rng) % 8 == 7;
    churn_vec(c, slot, id, rollback ? -1 : (int64_t)++c->ver);
    assert_true(eng_hnsw_insert(c->h, slot, &err));
    if (rollback) {
        eng_hnsw_mark_dead(c->h, slot);
        return;
    }
    if (c->pending_count == CHURN_HORIZON) {
        eng_hnsw_mark_dead(c->h, c->pending[0]);
        memmove(c->pending, c->pending + 1, (CHURN_HORIZON - 1) * sizeof(uint32_t));
        c->pending_count--;
    }
    c->pending[c->pending_count++] = c->cur[id];
    c->cur[id] = slot;
}

static void churn_yield(void *ctx) {
    churn *c = ctx;
    if (++c->yields % 3 == 0) churn_update(c);
}

static void churn_run(uint64_t seed) {
    churn *c = calloc(1, sizeof *c);
    c->rng.s = seed | 1;
    c->s = test_store_new(3, CHURN_CAP);
    eng_hnsw_params p = {.metric = ENG_HNSW_COSINE, .dims = 3, .seed = seed};
    rt_err err;
    rt_err_clear(&err);
    c->h = eng_hnsw_create(&p, &err, test_store_vec, c->s);
    assert_non_null(c->h);
    for (uint32_t id = 0; id < CHURN_IDS; id++) {
        c->cur[id] = c->next_slot++;
        churn_vec(c, c->cur[id], id, 0);
        assert_true(eng_hnsw_insert(c->h, c->cur[id], &err));
    }
    uint64_t reconnected = 0, misses = 0;
    for (uint32_t pass = 0; pass < CHURN_PASSES; pass++) {
        for (uint32_t i = 0; i < CHURN_BATCH; i++) churn_update(c);
        eng_hnsw_vacuum_opts o = {.yield = {.fn = churn_yield, .ctx = c, .every = 16}};
        eng_hnsw_vacuum_stats vs;
        assert_true(eng_hnsw_vacuum(c->h, &o, &vs, &err));
        reconnected += vs.reconnected;
        assert_int_equal(churn_unreachable(c), 0);
        misses += churn_misses(c);
    }
    printf("seed %llu: %u slots used, %llu nodes reconnected by vacuum, %llu of %u rows "
           "missed\n", (unsigned long long)seed, c->next_slot, (unsigned long long)reconnected,
           (unsigned long long)misses, CHURN_PASSES * CHURN_IDS);
    /* HNSW is approximate: a row reachable only by a long detour may be missed at ef 400,
     * but not more than one search in a thousand (before the fix some passes left dozens of
     * rows unreachable at once). */
    assert_true(misses * 1000 <= (uint64_t)CHURN_PASSES * CHURN_IDS);
    eng_hnsw_destroy(c->h);
    test_store_free(c->s);
    free(c);
}

static void test_eng_hnsw_churn_keeps_every_row_reachable(void **state) {
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) churn_run(seed);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_hnsw_churn_keeps_every_row_reachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
