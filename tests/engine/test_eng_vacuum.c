/* test_eng_vacuum.c: vacuum (engine/eng_vac.h) end to end: dead versions are reclaimed and
 * their slots reused; a version an open snapshot can still read is never reclaimed (REPEATABLE
 * READ transactions, open cursors, WITH HOLD cursors); memory under a steady UPDATE load stays
 * flat with autovacuum and grows without it; vector search keeps its recall after 30% of the
 * rows were deleted and vacuumed; VACUUM and pg_stat_user_tables as SQL shows them.
 * How: a real engine and shards in a temporary directory, sessions driven in-process
 * (tests/sql/sql_session_harness.h); the partitions' memory, slot counts and graph figures are
 * read on their shards through the engine API. */
// ctest: TIMEOUT 600
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/rt_time.h"
#include "tests/sql/sql_session_harness.h"

/* ---- reading partitions ---- */

typedef struct part_figures {
    const eng_table *t;
    uint32_t shard;
    uint64_t memory_bytes; /* rows, values, indexes and graphs */
    uint64_t slots;        /* slots handed out (the high-water mark) */
    uint64_t nodes, dead_nodes;
} part_figures;

static void figures_on_shard(void *arg) {
    part_figures *f = arg;
    for (uint32_t partno = 0; partno < f->t->partition_count; partno++) {
        if (eng_partition_owner(partno, eng_shard_count()) != f->shard) continue;
        eng_part *p = eng_partition(f->t, partno);
        f->memory_bytes += eng_part_memory_bytes(p);
        f->slots += eng_part_slot_count(p);
        for (uint16_t a = 1; a <= f->t->column_count; a++) {
            eng_hnsw_info info;
            if (!eng_part_ann_info(p, a, &info)) continue;
            f->memory_bytes += info.memory_bytes;
            f->nodes += info.nodes;
            f->dead_nodes += info.dead;
        }
    }
}

/* Figures of table `name` summed over every partition. */
static part_figures table_figures(const char *name) {
    part_figures sum;
    memset(&sum, 0, sizeof sum);
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, name);
    TEST_CHECK(t != NULL);
    for (uint32_t s = 0; t != NULL && s < eng_shard_count(); s++) {
        part_figures f = {.t = t, .shard = s};
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(rt_run_on(s, figures_on_shard, &f, &err));
        sum.memory_bytes += f.memory_bytes;
        sum.slots += f.slots;
        sum.nodes += f.nodes;
        sum.dead_nodes += f.dead_nodes;
    }
    eng_catalog_unpin(&ref);
    return sum;
}

/* expect() for a statement returning rows: the command tag "<verb> <rows>" follows them. */
static void rows(capture *c, const char *verb, const char *sql, const char *want) {
    char full[4096];
    int n = -1;
    for (const char *p = want; *p != '\0'; p++) n += *p == '\n';
    snprintf(full, sizeof full, "%s%s %d\n", want, verb, n);
    expect(c, sql, full);
}
#define query(c, sql, want) rows(c, "SELECT", sql, want)

static capture *open_second(void) {
    static capture b;
    rt_err err;
    rt_err_clear(&err);
    sql_startup st = {.user = "postgres", .database = "postgres", .backend_pid = 43};
    TEST_CHECK(sql_session_open(&st, &b.s, &err));
    return &b;
}

/* ---- reclamation ---- */

static void script_reclaims(capture *c) {
    eng_vac_set_autovacuum(false);
    expect(c, "CREATE TABLE t (id int PRIMARY KEY, v text, n int)", "CREATE TABLE\n");
    expect(c, "CREATE INDEX t_n ON t (n)", "CREATE INDEX\n");
    expect(c, "INSERT INTO t SELECT g, 'row ' || g, g FROM generate_series(1, 1000) g",
           "INSERT 0 1000\n");
    part_figures fresh = table_figures("t");
    expect(c, "UPDATE t SET v = v || '!', n = n + 1", "UPDATE 1000\n");
    expect(c, "UPDATE t SET v = v || '?'", "UPDATE 1000\n");
    expect(c, "DELETE FROM t WHERE id <= 300", "DELETE 300\n");
    query(c, "SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 't'",
           "n_live_tup|n_dead_tup\n700|2300\n");
    expect(c, "VACUUM t", "VACUUM\n");
    query(c, "SELECT n_live_tup, n_dead_tup, vacuum_count, last_vacuum IS NOT NULL "
              "FROM pg_stat_user_tables WHERE relname = 't'",
           "n_live_tup|n_dead_tup|vacuum_count|?column?\n700|0|1|t\n");
    /* The rows, the primary key and the secondary index are as before. */
    query(c, "SELECT count(*), min(v), max(n) FROM t", "count|min|max\n700|row 1000!?|1001\n");
    query(c, "SELECT id, v FROM t WHERE id = 301", "id|v\n301|row 301!?\n");
    query(c, "SELECT count(*) FROM t WHERE n BETWEEN 290 AND 310", "count\n9\n");
    query(c, "SELECT id FROM t WHERE id = 5", "id\n");
    /* New versions take the freed slots: the slot count does not move. */
    part_figures before = table_figures("t");
    expect(c, "UPDATE t SET v = 'again'", "UPDATE 700\n");
    expect(c, "INSERT INTO t SELECT g, 'new', g FROM generate_series(1, 300) g",
           "INSERT 0 300\n");
    part_figures after = table_figures("t");
    TEST_CHECK(after.slots == before.slots);
    TEST_CHECK(after.slots < fresh.slots * 4);
    query(c, "SELECT count(*), count(*) FILTER (WHERE v = 'again') FROM t",
           "count|count\n1000|700\n");
    query(c, "SELECT count(*) FROM t WHERE n < 301", "count\n300\n");
    /* Deleting everything gives the row groups' memory back. */
    expect(c, "DELETE FROM t", "DELETE 1000\n");
    expect(c, "VACUUM t", "VACUUM\n");
    part_figures empty = table_figures("t");
    TEST_CHECK(empty.memory_bytes < after.memory_bytes / 2);
    expect(c, "INSERT INTO t VALUES (1, 'back', 1)", "INSERT 0 1\n");
    query(c, "SELECT * FROM t", "id|v|n\n1|back|1\n");
    expect(c, "DROP TABLE t", "DROP TABLE\n"); /* statistics die with this runtime */
}

/* ---- what open snapshots can see stays ---- */

static void script_snapshots(capture *c) {
    eng_vac_set_autovacuum(false);
    capture *b = open_second();
    expect(c, "CREATE TABLE s (id int PRIMARY KEY, v text)", "CREATE TABLE\n");
    expect(c, "INSERT INTO s SELECT g, 'old' FROM generate_series(1, 200) g", "INSERT 0 200\n");
    /* A REPEATABLE READ transaction keeps the versions of its snapshot. */
    expect(b, "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN\n");
    query(b, "SELECT count(*) FROM s", "count\n200\n");
    expect(c, "UPDATE s SET v = 'new'", "UPDATE 200\n");
    expect(c, "DELETE FROM s WHERE id > 100", "DELETE 100\n");
    expect(c, "VACUUM s", "VACUUM\n");
    query(b, "SELECT count(*), min(v), max(v) FROM s", "count|min|max\n200|old|old\n");
    query(c, "SELECT count(*), min(v) FROM s", "count|min\n100|new\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(c, "VACUUM VERBOSE s",
           "INFO 00000: vacuuming \"postgres.public.s\"\n"
           "INFO 00000: finished vacuuming \"postgres.public.s\": index scans: 1\n"
           "tuples: 300 removed, 100 remain, 0 are dead but not yet removable\n"
           "vector index: 0 nodes removed\nrow groups: 2 freed\nVACUUM\n");
    /* An open cursor reads as of its snapshot. */
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "DECLARE cur CURSOR FOR SELECT v FROM s", "DECLARE CURSOR\n");
    rows(b, "FETCH", "FETCH 10 FROM cur", "v\nnew\nnew\nnew\nnew\nnew\nnew\nnew\nnew\nnew\nnew\n");
    expect(c, "UPDATE s SET v = 'newer'", "UPDATE 100\n");
    expect(c, "VACUUM s", "VACUUM\n");
    expect(c, "INSERT INTO s SELECT g, 'more' FROM generate_series(101, 400) g",
           "INSERT 0 300\n");
    const char *rest = run(b, "FETCH ALL FROM cur");
    TEST_CHECK(strncmp(rest, "v\n", 2) == 0);
    int n = 0;
    for (const char *line = rest + 2; strncmp(line, "FETCH", 5) != 0;
         line = strchr(line, '\n') + 1) {
        TEST_CHECK(strncmp(line, "new\n", 4) == 0);
        n++;
    }
    TEST_CHECK(n == 90);
    expect(b, "COMMIT", "COMMIT\n");
    /* A WITH HOLD cursor keeps its rows after its transaction (materialised at commit). */
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "DECLARE held CURSOR WITH HOLD FOR SELECT count(*), min(v) FROM s",
           "DECLARE CURSOR\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(c, "DELETE FROM s", "DELETE 400\n");
    expect(c, "VACUUM s", "VACUUM\n");
    rows(b, "FETCH", "FETCH ALL FROM held", "count|min\n400|more\n");
    expect(b, "CLOSE held", "CLOSE CURSOR\n");
    query(c, "SELECT count(*) FROM s", "count\n0\n");
    sql_session_close(b->s);
    expect(c, "DROP TABLE s", "DROP TABLE\n"); /* statistics die with this runtime */
}

/* ---- steady state ---- */

#define STEADY_ROWS 300
#define STEADY_SECONDS 6

typedef struct steady_run {
    uint64_t mem_start, mem_max, mem_end;
    uint64_t updates;
    uint64_t window_max; /* most updates made between two autovacuum passes ending */
    uint64_t passes;
} steady_run;

/* UPDATEs every row over and over for STEADY_SECONDS, sampling the table's memory after
 * every statement. */
static void steady_loop(capture *c, const char *table, steady_run *r) {
    char sql[256];
    memset(r, 0, sizeof *r);
    r->mem_start = table_figures(table).memory_bytes;
    uint64_t start = rt_time_mono_ns(), passes = eng_vac_auto_passes(), window = 0;
    for (uint32_t round = 0; rt_time_mono_ns() - start < STEADY_SECONDS * 1000000000ull;
         round++) {
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET v = 'round %u of ' || id, e = array_fill(%u::real, "
                 "ARRAY[8])::vector",
                 table, round, round % 97 + 1);
        TEST_CHECK(strstr(run(c, sql), "UPDATE 300") != NULL);
        r->updates += STEADY_ROWS;
        window += STEADY_ROWS;
        uint64_t now_passes = eng_vac_auto_passes();
        if (now_passes != passes) {
            r->passes += now_passes - passes;
            passes = now_passes;
            window = 0;
        }
        if (window > r->window_max) r->window_max = window;
        r->mem_end = table_figures(table).memory_bytes;
        if (r->mem_end > r->mem_max) r->mem_max = r->mem_end;
    }
}

/* With VACUUM after every few rounds the bound is exact: the slots of the live rows and of
 * the versions of the rounds between two passes. */
static void steady_manual(capture *c) {
    expect(c, "CREATE TABLE sm (id int PRIMARY KEY, v text, e vector(8))", "CREATE TABLE\n");
    expect(c, "INSERT INTO sm SELECT g, 'x', array_fill(1::real, ARRAY[8])::vector "
              "FROM generate_series(1, 300) g",
           "INSERT 0 300\n");
    uint64_t mem_at_20 = 0, slots_at_20 = 0;
    char sql[256];
    for (uint32_t round = 1; round <= 200; round++) {
        snprintf(sql, sizeof sql,
                 "UPDATE sm SET v = 'round %u', e = array_fill(%u::real, ARRAY[8])::vector",
                 round, round % 89 + 1);
        expect(c, sql, "UPDATE 300\n");
        if (round % 4 != 0) continue;
        expect(c, "VACUUM sm", "VACUUM\n");
        part_figures f = table_figures("sm");
        TEST_CHECK(f.slots <= STEADY_ROWS * 6 + 2 * 64); /* live + 4 rounds, per-part slack */
        if (round <= 20) { /* the largest figures of the first rounds are the bound */
            if (f.memory_bytes > mem_at_20) mem_at_20 = f.memory_bytes;
            if (f.slots > slots_at_20) slots_at_20 = f.slots;
            continue;
        }
        TEST_CHECK(f.slots <= slots_at_20);
        TEST_CHECK(f.memory_bytes <= mem_at_20 + mem_at_20 / 10);
    }
    expect(c, "DROP TABLE sm", "DROP TABLE\n");
}

static void script_steady(capture *c) {
    eng_vac_set_autovacuum(false);
    steady_manual(c);
    expect(c, "CREATE TABLE sv (id int PRIMARY KEY, v text, e vector(8))", "CREATE TABLE\n");
    expect(c, "CREATE TABLE snv (id int PRIMARY KEY, v text, e vector(8)) "
              "WITH (autovacuum_enabled = off)",
           "CREATE TABLE\n");
    const char *fill = "INSERT INTO %s SELECT g, 'x', array_fill(1::real, ARRAY[8])::vector "
                       "FROM generate_series(1, 300) g";
    char sql[256];
    snprintf(sql, sizeof sql, fill, "sv");
    expect(c, sql, "INSERT 0 300\n");
    snprintf(sql, sizeof sql, fill, "snv");
    expect(c, sql, "INSERT 0 300\n");
    eng_vac_set_autovacuum(true);
    steady_run on, off;
    steady_loop(c, "sv", &on);
    steady_loop(c, "snv", &off);
    double per_version = (double)(off.mem_end - off.mem_start) / (double)off.updates;
    fprintf(stderr,
            "steady: with autovacuum %llu updates, %llu passes, at most %llu updates between "
            "two, memory %llu -> max %llu bytes; without %llu updates, memory %llu -> %llu "
            "bytes (%.0f bytes per version)\n",
            (unsigned long long)on.updates, (unsigned long long)on.passes,
            (unsigned long long)on.window_max, (unsigned long long)on.mem_start,
            (unsigned long long)on.mem_max, (unsigned long long)off.updates,
            (unsigned long long)off.mem_start, (unsigned long long)off.mem_end, per_version);
    TEST_CHECK(on.passes >= 3);
    /* Bounded with vacuum: the live rows plus the versions of at most a few windows between
     * passes (a pass frees what was dead when it started; the next one the rest; a slow
     * machine stretches the pass itself over part of another window), however long the load
     * runs, plus a row group's worth of allocation granularity. */
    double bound = (double)on.mem_start + per_version * (4.0 * (double)on.window_max) + 131072;
    TEST_CHECK((double)on.mem_max <= bound);
    /* Without it memory grows with every version. */
    TEST_CHECK(off.mem_end > off.mem_start + off.updates * 100);
    query(c, "SELECT count(*), count(DISTINCT v) FROM sv", "count|count\n300|300\n");
    query(c, "SELECT autovacuum_count > 0, vacuum_count FROM pg_stat_user_tables "
              "WHERE relname = 'sv'",
           "?column?|vacuum_count\nt|0\n");
    query(c, "SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'snv'",
           "autovacuum_count\n0\n");
    eng_vac_set_autovacuum(false);
    expect(c, "DROP TABLE sv, snv", "DROP TABLE\n"); /* statistics die with this runtime */
}

/* ---- recall after deletes ---- */

#define RECALL_ROWS 4000
#define RECALL_DIMS 16
#define RECALL_QUERIES 50
#define RECALL_K 10

static float recall_vec[RECALL_ROWS + 1][RECALL_DIMS];

/* Clustered data: 40 centres, points spread around them (deterministic). */
static void recall_data(void) {
    uint64_t x = 0x2545F4914F6CDD1Dull;
    float centre[40][RECALL_DIMS];
    for (int c = 0; c < 40; c++) {
        for (int d = 0; d < RECALL_DIMS; d++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            centre[c][d] = (float)(x % 2000) / 100.0f;
        }
    }
    for (int i = 1; i <= RECALL_ROWS; i++) {
        for (int d = 0; d < RECALL_DIMS; d++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            recall_vec[i][d] = centre[i % 40][d] + (float)(x % 1000) / 500.0f;
        }
    }
}

static void vec_text(const float *v, char *out, size_t size) {
    size_t n = (size_t)snprintf(out, size, "[");
    for (int d = 0; d < RECALL_DIMS; d++) {
        n += (size_t)snprintf(out + n, size - n, "%s%.4f", d ? "," : "", (double)v[d]);
    }
    snprintf(out + n, size - n, "]");
}

static bool recall_deleted(int id) { return id % 10 < 3; }

static double recall_dist(const float *a, const float *b) {
    double s = 0;
    for (int d = 0; d < RECALL_DIMS; d++) s += ((double)a[d] - b[d]) * ((double)a[d] - b[d]);
    return s;
}

/* Exact top-k ids among the rows left, nearest first. */
static void recall_truth(const float *q, int *ids) {
    double best[RECALL_K];
    for (int k = 0; k < RECALL_K; k++) best[k] = INFINITY, ids[k] = 0;
    for (int i = 1; i <= RECALL_ROWS; i++) {
        if (recall_deleted(i)) continue;
        double dist = recall_dist(q, recall_vec[i]);
        if (dist >= best[RECALL_K - 1]) continue;
        int k = RECALL_K - 1;
        for (; k > 0 && best[k - 1] > dist; k--) best[k] = best[k - 1], ids[k] = ids[k - 1];
        best[k] = dist;
        ids[k] = i;
    }
}

static void script_recall(capture *c) {
    eng_vac_set_autovacuum(false);
    recall_data();
    expect(c, "CREATE TABLE rv (id int PRIMARY KEY, e vector(16))", "CREATE TABLE\n");
    expect(c, "CREATE INDEX ON rv USING hnsw (e vector_l2_ops)", "CREATE INDEX\n");
    static char sql[1 << 20];
    for (int from = 1; from <= RECALL_ROWS; from += 500) {
        size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO rv VALUES ");
        for (int i = from; i < from + 500; i++) {
            char v[512];
            vec_text(recall_vec[i], v, sizeof v);
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s(%d, '%s')", i > from ? "," : "",
                                  i, v);
        }
        expect(c, sql, "INSERT 0 500\n");
    }
    expect(c, "DELETE FROM rv WHERE id % 10 < 3", "DELETE 1200\n");
    expect(c, "VACUUM rv", "VACUUM\n");
    part_figures f = table_figures("rv");
    TEST_CHECK(f.nodes == RECALL_ROWS - 1200); /* the deleted rows' nodes are gone */
    TEST_CHECK(f.dead_nodes == 0);
    int hits = 0;
    for (int qi = 0; qi < RECALL_QUERIES; qi++) {
        float q[RECALL_DIMS];
        for (int d = 0; d < RECALL_DIMS; d++) q[d] = recall_vec[qi * 37 + 5][d] + 0.37f;
        int truth[RECALL_K];
        recall_truth(q, truth);
        char v[512];
        vec_text(q, v, sizeof v);
        snprintf(sql, sizeof sql, "SELECT id FROM rv ORDER BY e <-> '%s' LIMIT %d", v, RECALL_K);
        const char *got = run(c, sql);
        TEST_CHECK(strncmp(got, "id\n", 3) == 0);
        for (const char *line = got + 3; strncmp(line, "SELECT", 6) != 0;
             line = strchr(line, '\n') + 1) {
            int id = atoi(line);
            TEST_CHECK(!recall_deleted(id));
            for (int k = 0; k < RECALL_K; k++) hits += truth[k] == id;
        }
    }
    double recall = (double)hits / (RECALL_QUERIES * RECALL_K);
    fprintf(stderr, "recall@10 after 30%% deletes and vacuum: %.3f\n", recall);
    TEST_CHECK(recall >= 0.95);
    /* Slots freed by the deletes take new rows, with new nodes that searches find. */
    expect(c, "INSERT INTO rv SELECT 100000 + id, e FROM rv WHERE id <= 40", "INSERT 0 28\n");
    f = table_figures("rv");
    TEST_CHECK(f.nodes == RECALL_ROWS - 1200 + 28);
    char v[512];
    vec_text(recall_vec[39], v, sizeof v);
    snprintf(sql, sizeof sql, "SELECT id FROM rv ORDER BY e <-> '%s' LIMIT 2", v);
    query(c, sql, "id\n39\n100039\n");
    expect(c, "DROP TABLE rv", "DROP TABLE\n"); /* statistics die with this runtime */
}

/* ---- SQL ---- */

static void script_sql(capture *c) {
    eng_vac_set_autovacuum(false);
    expect(c, "CREATE TABLE q (id int PRIMARY KEY, u text UNIQUE)", "CREATE TABLE\n");
    expect(c, "INSERT INTO q SELECT g, 'u' || g FROM generate_series(1, 100) g",
           "INSERT 0 100\n");
    expect(c, "UPDATE q SET u = u || 'x' WHERE id <= 50", "UPDATE 50\n");
    /* The unique constraint's companion is vacuumed with its table: its old keys go. */
    expect(c, "VACUUM VERBOSE q",
           "INFO 00000: vacuuming \"postgres.public.q\"\n"
           "INFO 00000: finished vacuuming \"postgres.public.q\": index scans: 1\n"
           "tuples: 100 removed, 200 remain, 0 are dead but not yet removable\n"
           "vector index: 0 nodes removed\nrow groups: 0 freed\nVACUUM\n");
    expect(c, "INSERT INTO q VALUES (101, 'u1')", "INSERT 0 1\n");
    expect(c, "INSERT INTO q VALUES (102, 'u1x')",
           "ERROR 23505: duplicate key value violates unique constraint \"q_u_key\"\n");
    expect(c, "VACUUM FULL q",
           "NOTICE 00000: VACUUM FULL does what VACUUM does in Dreambase: freed row versions are "
           "reused in place, there are no pages to compact\nVACUUM\n");
    expect(c, "VACUUM (ANALYZE) q", "VACUUM\n");
    expect(c, "VACUUM", "VACUUM\n");
    expect(c, "VACUUM nosuch", "ERROR 42P01: relation \"nosuch\" does not exist\n");
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, "VACUUM q", "ERROR 25001: VACUUM cannot run inside a transaction block\n");
    expect(c, "ROLLBACK", "ROLLBACK\n");
    query(c, "SELECT n_live_tup, n_dead_tup, vacuum_count, autovacuum_count, "
              "last_vacuum IS NOT NULL, last_autovacuum IS NULL "
              "FROM pg_stat_user_tables WHERE relname = 'q'",
           "n_live_tup|n_dead_tup|vacuum_count|autovacuum_count|?column?|?column?\n"
           "101|0|4|0|t|t\n");
    capture *b = open_second(); /* sessions show the server's setting as of their start */
    expect(b, "SHOW autovacuum", "autovacuum\noff\nSHOW\n");
    sql_session_close(b->s);
    expect(c, "SET autovacuum = on",
           "ERROR 55P02: parameter \"autovacuum\" cannot be changed now\n");
    eng_vac_set_autovacuum(true);
    expect(c, "DROP TABLE q", "DROP TABLE\n"); /* statistics die with this runtime */
}

/* One runtime for every part: the process-wide statistics of auto-analyze belong to the
 * threads of the runtime that made them. */
static void script_all(capture *c) {
    static const struct {
        const char *name;
        sh_script_fn fn;
    } parts[] = {
        {"reclaims and reuses", script_reclaims},
        {"keeps what snapshots see", script_snapshots},
        {"recall after deletes", script_recall},
        {"sql", script_sql},
        {"steady state memory bounded", script_steady},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        int before = atomic_load(&mismatches) + atomic_load(&test_check_failures);
        parts[i].fn(c);
        int failed = atomic_load(&mismatches) + atomic_load(&test_check_failures) - before;
        fprintf(stderr, "vacuum: %s: %s\n", parts[i].name, failed == 0 ? "ok" : "FAILED");
    }
}

static void test_vacuum(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_all), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vacuum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
