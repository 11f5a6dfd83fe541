/* test_sql_vector_fresh.c: freshness and consistency of vectors under concurrent UPDATEs.
 * Writer sessions UPDATE embeddings together with a scalar column (ver) while reader sessions
 * run top-k and filtered top-k queries, both ANN-first and scalar-first. Asserted:
 *   - no reader ever sees a row whose vector and columns disagree: every row carries
 *     v = [ver % 1000 + 1, id + 1, 7], which the query itself checks (v = the vector built
 *     from the row's own ver and id);
 *   - no lag: a row a reader returns is never older than the version whose commit had been
 *     published before the reader's query began, and a writer's next query finds the version
 *     it has just committed by the graph (among the top 10; its own distance is ~0);
 *   - ROLLBACK leaves no trace: rolled-back versions (ver < 0) are never seen.
 * How: a real engine with two shards; two writers and two readers on each shard, each a real
 * session (sql_session_harness.h) in its own fiber; writers own disjoint ids so they never
 * conflict. The run is bounded in time (a few seconds, also under the sanitizers). */
// ctest: TIMEOUT 120
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/rt_time.h"
#include "tests/sql/sql_session_harness.h"

#define ROWS 400
#define WRITERS 4            /* two per shard */
#define READERS 4            /* two per shard */
#define RUN_NS (3000ull * 1000 * 1000)
#define NO_VER INT64_MIN

static _Atomic int64_t published[ROWS]; /* the last committed ver of each id */
static _Atomic bool loaded;
static _Atomic int running;
static _Atomic uint64_t deadline_ns;
static _Atomic uint64_t updates, rollbacks, reads, rows_checked, own_found;
static _Atomic int bad_rows, lagging_rows, lost_updates, query_errors;

static capture captures[1 + WRITERS + READERS];

static void vec_text(char *buf, size_t cap, int64_t ver, int id) {
    int64_t a = ver >= 0 ? ver % 1000 + 1 : 999; /* a rolled-back version points elsewhere */
    snprintf(buf, cap, "[%lld,%d,7]", (long long)a, id + 1);
}

static void load(capture *c) {
    expect(c, "CREATE TABLE docs (id int PRIMARY KEY, ver bigint NOT NULL, v vector(3))",
           "CREATE TABLE\n");
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO docs SELECT g, 0, ('[1,' || (g + 1) || ',7]')::vector "
                              "FROM generate_series(0, %d) g", ROWS - 1);
    expect(c, sql, "INSERT 0 400\n");
    expect(c, "ANALYZE docs", "ANALYZE\n");
    for (int i = 0; i < ROWS; i++) atomic_store(&published[i], 0);
}

/* One UPDATE of `id` to `ver`, then the writer's own next query must find it by the graph. */
static void write_one(capture *c, int id, int64_t ver) {
    char vec[64], sql[256];
    vec_text(vec, sizeof vec, ver, id);
    snprintf(sql, sizeof sql, "UPDATE docs SET ver = %lld, v = '%s' WHERE id = %d",
             (long long)ver, vec, id);
    const char *out = run(c, sql);
    if (strcmp(out, "UPDATE 1\n") != 0) {
        fprintf(stderr, "writer: %s -> %s", sql, out);
        atomic_fetch_add(&query_errors, 1);
        return;
    }
    atomic_store(&published[id], ver);
    atomic_fetch_add(&updates, 1);
    /* Top 10, not top 1: vectors of nearby ids and versions are almost collinear, so their
     * cosine distances to the query round to the same float as the row's own (~0). */
    snprintf(sql, sizeof sql, "SELECT id, ver FROM docs ORDER BY v <=> '%s' LIMIT 10", vec);
    char want[64];
    snprintf(want, sizeof want, "\n%d|%lld\n", id, (long long)ver);
    out = run(c, sql);
    if (strstr(out, want) != NULL) {
        atomic_fetch_add(&own_found, 1);
    } else {
        fprintf(stderr, "writer's next query misses its update:\n%swant:\n%s", out, want);
        atomic_fetch_add(&lost_updates, 1);
    }
}

/* A transaction that changes a row and rolls back: its version must never be seen. */
static void roll_back_one(capture *c, int id) {
    char vec[64], sql[300];
    vec_text(vec, sizeof vec, -1, id);
    snprintf(sql, sizeof sql, "BEGIN; UPDATE docs SET ver = -1, v = '%s' WHERE id = %d; "
                              "ROLLBACK", vec, id);
    if (strcmp(run(c, sql), "BEGIN\nUPDATE 1\nROLLBACK\n") != 0) {
        atomic_fetch_add(&query_errors, 1);
        return;
    }
    atomic_fetch_add(&rollbacks, 1);
}

static void wait_loaded(void) {
    while (!atomic_load(&loaded)) rt_fiber_sleep_ns(1000 * 1000);
}

static void writer_fiber(void *arg) {
    int w = (int)(intptr_t)arg;
    capture *c = &captures[1 + w];
    wait_loaded();
    if (sh_open(c)) {
        expect(c, "SET hnsw.ef_search = 400", "SET\n"); /* near-exact walks */
        int64_t ver = 0;
        for (uint32_t n = 0; rt_time_mono_ns() < atomic_load(&deadline_ns); n++) {
            int id = (int)((n * 7u + (uint32_t)w) % (ROWS / WRITERS)) * WRITERS + w;
            if (n % 8 == 7) {
                roll_back_one(c, id);
            } else {
                write_one(c, id, ++ver * WRITERS + w);
            }
        }
        sql_session_close(c->s);
    }
    if (atomic_fetch_sub(&running, 1) == 1) rt_runtime_stop();
}

/* Checks the rows of one reader query: "id|ver|ok" lines after the header. */
static void check_rows(const char *out, const int64_t *before) {
    const char *p = strchr(out, '\n');
    if (strncmp(out, "id|ver|ok\n", 10) != 0 || p == NULL) {
        fprintf(stderr, "reader: %s", out);
        atomic_fetch_add(&query_errors, 1);
        return;
    }
    while ((p = strchr(p, '\n')) != NULL && p[1] != '\0' && strncmp(p + 1, "SELECT", 6) != 0) {
        p++;
        int id;
        long long ver;
        char ok;
        if (sscanf(p, "%d|%lld|%c", &id, &ver, &ok) != 3 || id < 0 || id >= ROWS) {
            atomic_fetch_add(&query_errors, 1);
            return;
        }
        atomic_fetch_add(&rows_checked, 1);
        if (ok != 't' || ver < 0) {
            fprintf(stderr, "reader saw a row whose vector disagrees: %.*s\n",
                    (int)strcspn(p, "\n"), p);
            atomic_fetch_add(&bad_rows, 1);
        }
        if (ver < before[id]) {
            fprintf(stderr, "reader saw id %d at ver %lld after ver %lld had committed\n", id,
                    ver, (long long)before[id]);
            atomic_fetch_add(&lagging_rows, 1);
        }
    }
}

static void reader_fiber(void *arg) {
    int r = (int)(intptr_t)arg;
    capture *c = &captures[1 + WRITERS + r];
    static const char *const wheres[] = {"", "WHERE id % 3 = 0", "WHERE ver % 2 = 0",
                                         "WHERE id < 12"};
    wait_loaded();
    if (sh_open(c)) {
        for (uint32_t n = 0; rt_time_mono_ns() < atomic_load(&deadline_ns); n++) {
            int64_t before[ROWS];
            for (int i = 0; i < ROWS; i++) before[i] = atomic_load(&published[i]);
            char sql[400];
            snprintf(sql, sizeof sql,
                     "SELECT id, ver, v = ('[' || (ver %% 1000 + 1) || ',' || (id + 1) || "
                     "',7]')::vector AS ok FROM docs %s ORDER BY v <=> '[%u,%u,7]' LIMIT 10",
                     wheres[(n + (uint32_t)r) % 4], n % 1000 + 1, (n * 13u) % ROWS + 1);
            check_rows(run(c, sql), before);
            atomic_fetch_add(&reads, 1);
        }
        sql_session_close(c->s);
    }
    if (atomic_fetch_sub(&running, 1) == 1) rt_runtime_stop();
}

static void setup_fiber(void *arg) {
    (void)arg;
    capture *c = &captures[0];
    if (sh_open(c)) {
        load(c);
        sql_session_close(c->s);
    }
    atomic_store(&deadline_ns, rt_time_mono_ns() + RUN_NS);
    atomic_store(&loaded, true);
}

static void on_start(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_shard_start(&err));
    uint32_t me = rt_core_id();
    if (me == 0) test_spawn(setup_fiber, NULL);
    for (int w = (int)me; w < WRITERS; w += 2) test_spawn(writer_fiber, (void *)(intptr_t)w);
    for (int r = (int)me; r < READERS; r += 2) test_spawn(reader_fiber, (void *)(intptr_t)r);
}

static void on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    eng_shard_stop();
}

static void test_concurrent_updates_stay_fresh(void **state) {
    (void)state;
    char dir[128], cmd[160];
    snprintf(dir, sizeof dir, "/tmp/test_sql_vector_fresh_%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    sql_session_global_init();
    eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
    rt_err err;
    rt_err_clear(&err);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = 2};
    assert_true(eng_start(&cfg, &err));
    atomic_store(&running, WRITERS + READERS);
    atomic_store(&deadline_ns, UINT64_MAX);
    int checks = test_runtime_run(2, on_start, on_stop, NULL);
    eng_stop();
    eng_ckpt_set_hooks(NULL);
    assert_int_equal(system(cmd), 0);
    printf("%llu updates (%llu found by the writer's next query), %llu rollbacks, %llu reader "
           "queries, %llu rows checked\n",
           (unsigned long long)updates, (unsigned long long)own_found,
           (unsigned long long)rollbacks, (unsigned long long)reads,
           (unsigned long long)rows_checked);
    assert_int_equal(checks, 0);
    assert_int_equal(atomic_load(&mismatches), 0);
    assert_int_equal(atomic_load(&query_errors), 0);
    assert_int_equal(atomic_load(&bad_rows), 0);
    assert_int_equal(atomic_load(&lagging_rows), 0);
    assert_int_equal(atomic_load(&lost_updates), 0);
    assert_true(updates >= 50);
    assert_true(reads >= 50);
    assert_true(rollbacks > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_concurrent_updates_stay_fresh)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
