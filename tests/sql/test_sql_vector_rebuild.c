/* test_sql_vector_rebuild.c: CREATE INDEX ... USING hnsw (v vector_l2_ops) WITH (m = ..,
 * ef_construction = ..) on a table with rows rebuilds every partition's graph in the background:
 *   - the statement returns at once and pg_stat_progress_create_index shows the rebuild (one
 *     row per shard, PostgreSQL's columns) with tuples_done advancing until the rows go;
 *   - meanwhile queries by the new metric are answered exactly (the old graph ranks by
 *     cosine), so they equal the exact answers; rows inserted and updated meanwhile are in
 *     the new graph once it serves;
 *   - afterwards the L2 queries walk the new graph (EXPLAIN ANALYZE HYBRID shows no partition
 *     scanned exactly) with recall@10 >= 0.9 against exact answers.
 * A rebuild survives a crash: with the rebuild part way, a CHECKPOINT, writes, then kill -9;
 * after the restart the progress view shows the rebuild going on (same phase) from where the
 * checkpoint had it, not from the start (the nodes the builders insert after the restart are
 * at most the rows the checkpoint's graphs lacked), and the finished index has every row,
 * serves L2 queries from the new graphs (no partition scanned exactly) at the same recall.
 * How: a session over a real engine with two shards (sql_session_harness.h); 20,000 rows of
 * 16-dimensional clustered vectors; exact answers come from ordering by an expression the
 * planner cannot answer from a graph. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define ROWS 20000
#define DIMS 16

#include "tests/sql/sql_vector_items.h"

#include "engine/eng_part.h"

#define WRITES_MAX 40
#define POLLS_MAX 100000

static int polls, in_progress_seen, went_backwards, exact_ok, exact_checked, writes;
static int found_after, explain_ok, progress_rows_ok;
static double recall;

/* A vector far from the data, one per write: [40 + i, -40, 0, ...]. */
static void far_vector(char *buf, size_t cap, int i) {
    size_t off = (size_t)snprintf(buf, cap, "'[%d,-40", 40 + i);
    for (int j = 2; j < DIMS; j++) off += (size_t)snprintf(buf + off, cap - off, ",0");
    snprintf(buf + off, cap - off, "]'");
}

/* The L2 top-10 equals the exact top-10 (meanwhile answered by exact scans). */
static void check_exact(capture *c, int q) {
    char qv[400], sql[600];
    query_vector(qv, sizeof qv, q);
    long got[10], want[10];
    snprintf(sql, sizeof sql, "SELECT id FROM items ORDER BY v <-> %s LIMIT 10", qv);
    uint32_t ng = ids_of(c, sql, got, 10);
    snprintf(sql, sizeof sql, "SELECT id FROM items ORDER BY (v <-> %s) + 0 LIMIT 10", qv);
    uint32_t nw = ids_of(c, sql, want, 10);
    exact_checked++;
    exact_ok += ng == 10 && nw == 10 && memcmp(got, want, sizeof got) == 0;
}

/* A write during the rebuild: an INSERT (even i) or an UPDATE (odd i) to a far vector. */
static void write_far(capture *c, int i) {
    char fv[200], sql[400];
    far_vector(fv, sizeof fv, i);
    if (i % 2 == 0) {
        snprintf(sql, sizeof sql, "INSERT INTO items VALUES (%d, 0, %s)", 100000 + i, fv);
        expect(c, sql, "INSERT 0 1\n");
    } else {
        snprintf(sql, sizeof sql, "UPDATE items SET v = %s WHERE id = %d", fv, 1000 + i);
        expect(c, sql, "UPDATE 1\n");
    }
    writes++;
}

/* One look at the progress view; false once the rebuild has no row left. */
static bool poll_progress(capture *c, int64_t *last_done, int *last_rows) {
    const char *out = run(c, "SELECT command, phase, tuples_done, tuples_total, partitions_total,"
                             " relid = 'items'::regclass FROM pg_stat_progress_create_index");
    const char *p = strchr(out, '\n');
    bool any = false;
    int64_t sum = 0;
    int rows = 0;
    while (p != NULL && strncmp(p + 1, "CREATE INDEX|", 13) == 0) {
        p++;
        long long done, total;
        int parts;
        char own;
        const char *f = strstr(p, "|building index: loading tuples|");
        if (f == NULL || sscanf(f + 32, "%lld|%lld|%d|%c", &done, &total, &parts, &own) != 4) {
            break;
        }
        progress_rows_ok += parts == 1 && own == 't' && done <= total;
        in_progress_seen += done < total;
        sum += done;
        rows++;
        any = true;
        p = strchr(p, '\n');
    }
    /* A shard whose partitions are all rebuilt drops its row: compare like with like. */
    if (any && rows == *last_rows && sum < *last_done) went_backwards++;
    *last_done = sum;
    *last_rows = rows;
    return any;
}

static void check_after(capture *c) {
    for (int i = 0; i < writes; i++) {
        char fv[200], sql[400];
        far_vector(fv, sizeof fv, i);
        snprintf(sql, sizeof sql, "SELECT id FROM items ORDER BY v <-> %s LIMIT 1", fv);
        long id;
        found_after += ids_of(c, sql, &id, 1) == 1 && id == (i % 2 == 0 ? 100000 + i : 1000 + i);
    }
    uint32_t found = 0, wanted = 0;
    for (int q = 0; q < 20; q++) {
        char qv[400], sql[600];
        query_vector(qv, sizeof qv, q * 7);
        long exact[10], ann[10];
        snprintf(sql, sizeof sql, "SELECT id FROM items ORDER BY (v <-> %s) + 0 LIMIT 10", qv);
        uint32_t ne = ids_of(c, sql, exact, 10);
        snprintf(sql, sizeof sql, "SELECT id FROM items ORDER BY v <-> %s LIMIT 10", qv);
        uint32_t na = ids_of(c, sql, ann, 10);
        wanted += ne;
        for (uint32_t i = 0; i < ne; i++) {
            for (uint32_t j = 0; j < na; j++) found += exact[i] == ann[j];
        }
    }
    recall = wanted > 0 ? (double)found / wanted : 0;
    char qv[400], sql[600];
    query_vector(qv, sizeof qv, 5);
    snprintf(sql, sizeof sql, "EXPLAIN ANALYZE HYBRID SELECT id FROM items ORDER BY v <-> %s "
                              "LIMIT 10", qv);
    const char *out = run(c, sql);
    explain_ok = strstr(out, "Plan: ANN-first") != NULL &&
                 strstr(out, "Actual total: 2 partitions,") != NULL &&
                 strstr(out, "scanned exactly") == NULL;
    if (!explain_ok) fprintf(stderr, "after the rebuild:\n%s", out);
}

static void script(capture *c) {
    load(c);
    expect(c, "CREATE INDEX items_v_l2 ON items USING hnsw (v vector_l2_ops) "
              "WITH (m = 12, ef_construction = 100)", "CREATE INDEX\n");
    int64_t last_done = 0;
    int last_rows = 0;
    for (polls = 0; polls < POLLS_MAX && poll_progress(c, &last_done, &last_rows); polls++) {
        if (polls % 4 == 0) check_exact(c, polls);
        if (polls % 2 == 0 && writes < WRITES_MAX) write_far(c, writes);
    }
    check_after(c);
}

static void test_rebuild_in_background(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
    printf("%d polls (%d rows in progress), %d/%d exact answers meanwhile, %d writes "
           "meanwhile (%d found after), recall@10 %.3f\n", polls, in_progress_seen, exact_ok,
           exact_checked, writes, found_after, recall);
    assert_true(polls < POLLS_MAX);        /* the rebuild finished: its rows went */
    assert_true(in_progress_seen > 0);     /* and it was seen under way */
    assert_int_equal(went_backwards, 0);
    assert_true(progress_rows_ok > 0);
    assert_int_equal(exact_ok, exact_checked);
    assert_int_equal(found_after, writes);
    assert_true(explain_ok);
    assert_true(recall >= 0.9);
}

/* ---- a rebuild across kill -9 ---- */

#define KILL9_AT_DONE (ROWS / 4) /* tuples done when the checkpoint is taken, at least */
#define KILL9_WRITES 10

static char kill9_dir[128];
static int restart_rows, restart_phase_ok; /* the view's first look after the restart */

/* The rebuild's progress now: rows of the view, tuples done over them; *phase_ok when every
 * row is PostgreSQL's "building index: loading tuples" for items with some tuples done. */
static int progress_now(capture *c, int64_t *done, bool *phase_ok) {
    const char *out = run(c, "SELECT phase, tuples_done FROM pg_stat_progress_create_index "
                             "WHERE relid = 'items'::regclass");
    int rows = 0;
    *done = 0;
    *phase_ok = true;
    for (const char *p = strchr(out, '\n'); p != NULL && p[1] != '\0'; p = strchr(p + 1, '\n')) {
        if (strncmp(p + 1, "SELECT", 6) == 0) break;
        long long d = 0;
        *phase_ok = *phase_ok && sscanf(p + 1, "building index: loading tuples|%lld", &d) == 1 &&
                    d > 0;
        *done += d;
        rows++;
    }
    return rows;
}

static void kill9_write(const char *name, long long value) {
    char path[192];
    snprintf(path, sizeof path, "%s/%s", kill9_dir, name);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "%lld\n", value);
        fclose(f);
    }
}

static long long kill9_read(const char *name) {
    char path[192];
    snprintf(path, sizeof path, "%s/%s", kill9_dir, name);
    FILE *f = fopen(path, "r");
    long long v = -1;
    if (f != NULL) {
        if (fscanf(f, "%lld", &v) != 1) v = -1;
        fclose(f);
    }
    return v;
}

/* Part way through the rebuild: CHECKPOINT, a few writes (left to the WAL), kill -9. */
static void script_rebuild_crash(capture *c) {
    load(c);
    expect(c, "CREATE INDEX items_v_l2 ON items USING hnsw (v vector_l2_ops) "
              "WITH (m = 12, ef_construction = 100)", "CREATE INDEX\n");
    int64_t done = 0;
    bool phase_ok;
    int rows = 0;
    for (int i = 0; i < POLLS_MAX; i++) {
        rows = progress_now(c, &done, &phase_ok);
        if (rows == 0 || done >= KILL9_AT_DONE) break;
    }
    TEST_CHECK(rows > 0 && phase_ok); /* still under way */
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
    for (int i = 0; i < KILL9_WRITES; i++) write_far(c, i);
    kill9_write("done_at_checkpoint", done);
    kill9_write("checks", atomic_load(&mismatches) + atomic_load(&test_check_failures));
    fflush(NULL);
    kill(getpid(), SIGKILL);
}

static void script_rebuild_after_crash(capture *c) {
    kill9_write("started", 1);
    int64_t done;
    bool phase_ok;
    /* the counter is the process's: the fork inherits the first test's */
    uint64_t before = eng_part_ann_catchup_inserts();
    restart_rows = progress_now(c, &done, &phase_ok);
    restart_phase_ok = restart_rows > 0 && phase_ok;
    writes = KILL9_WRITES;
    found_after = 0; /* the first test's, inherited by the fork */
    for (int i = 0; i < POLLS_MAX && progress_now(c, &done, &phase_ok) > 0; i++) {
        TEST_CHECK(phase_ok);
        rt_fiber_sleep_ns(1000 * 1000);
    }
    check_after(c);
    printf("after the restart: %d writes found, recall@10 %.3f\n", found_after, recall);
    TEST_CHECK(found_after == writes);
    TEST_CHECK(explain_ok);
    TEST_CHECK(recall >= 0.9);
    kill9_write("builder_inserts", (long long)(eng_part_ann_catchup_inserts() - before));
    kill9_write("restart_rows", restart_rows);
    kill9_write("restart_phase_ok", restart_phase_ok);
    fflush(NULL); /* the child ends by _exit */
}

static void test_rebuild_survives_kill9(void **state) {
    (void)state;
    assert_true(sh_dir_fresh(kill9_dir, sizeof kill9_dir, "rebuild_kill9"));
    assert_int_equal(sh_run_forked(kill9_dir, 2, script_rebuild_crash, NULL), 1); /* SIGKILL */
    assert_int_equal(kill9_read("checks"), 0);
    long long at_ckpt = kill9_read("done_at_checkpoint");
    assert_int_equal(sh_run_forked(kill9_dir, 2, script_rebuild_after_crash, NULL), 0);
    long long inserts = kill9_read("builder_inserts");
    restart_rows = (int)kill9_read("restart_rows");
    restart_phase_ok = (int)kill9_read("restart_phase_ok");
    printf("checkpoint at %lld tuples done; after the restart %d progress rows (phase %s), "
           "%lld nodes inserted by the builders\n", at_ckpt, restart_rows,
           restart_phase_ok ? "right" : "wrong", inserts);
    assert_true(at_ckpt >= KILL9_AT_DONE);
    assert_true(inserts >= 0 && inserts <= ROWS + KILL9_WRITES - at_ckpt);
    /* the view showed the rebuild after the restart, unless the builders were done already */
    assert_true(restart_phase_ok || restart_rows == 0);
    assert_true(sh_dir_remove(kill9_dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rebuild_in_background),
                                       cmocka_unit_test(test_rebuild_survives_kill9)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
