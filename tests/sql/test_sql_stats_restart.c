/* test_sql_stats_restart.c: planner statistics outlive a restart, as PostgreSQL's
 * pg_statistic: after ANALYZE and a restart, the planner's row estimates (row count, MCVs,
 * histogram, null fraction, distinct counts for a join) and pg_class.reltuples are the same
 * as before it, and so is what pg_stats shows (PostgreSQL's distinct figure, widths,
 * correlations, most common values and histograms). Stale statistics are not brought back:
 * TRUNCATE and DROP TABLE leave the table planned from defaults, like a table never
 * analysed; a dropped or retyped column's figures go while the other columns keep theirs
 * (ALTER COLUMN TYPE rewrites the rows, the statistics follow, as PostgreSQL's). A damaged
 * statistics file is logged, dropped, and the server starts and answers right. ANALYZE is
 * transactional as PostgreSQL's: one in a transaction that rolls back (or after a savepoint
 * rolled back to, or failed after) leaves the planner's estimates as they were, in memory and
 * on disk (a crash before the commit leaves the file as it was too); a committed one is kept
 * across a restart.
 * How: each run is a child process over one data directory (an engine started twice in one
 * process would keep the first one's statistics in memory, proving nothing); a run writes
 * what it saw to a file there for the next run to compare. A child's stderr (the server log)
 * goes to a file the parent reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>

#include <cmocka.h>

#define OUT_BYTES (1 << 18)
#include "tests/sql/sql_session_harness.h"
/* The parse tree's operator and the executor's share the name sql_op (see sql_test_db.h). */
#define sql_op sql_ast_op
#include "sql/sql_ast.h"
#include "sql/sql_bind.h"
#undef sql_op
#include "sql/sql_plan.h"
#include "sql/sql_stats.h"

static char test_dir[128];

/* Statements whose estimates come from every kind of statistic. */
static const char *const plans[] = {
    "SELECT * FROM s",
    "SELECT * FROM s WHERE k = 3",          /* an MCV */
    "SELECT * FROM s WHERE k = 77",         /* not an MCV */
    "SELECT * FROM s WHERE id < 1234",      /* the histogram */
    "SELECT * FROM s WHERE c = 'red'",      /* a text MCV */
    "SELECT * FROM s WHERE f IS NULL",      /* the null fraction */
    "SELECT * FROM s WHERE f > 0.5",
    "SELECT * FROM s a JOIN s b ON a.k = b.k", /* distinct counts */
};
#define NPLANS (sizeof plans / sizeof plans[0])

/* ---- the planner's row estimates (EXPLAIN shows plans with COSTS OFF) ---- */

static void estimates_of_node(const sql_plan *p, char *out, size_t size, size_t *len) {
    if (p == NULL) return;
    *len += (size_t)snprintf(out + *len, size - *len, " %d:%.6g", (int)p->kind, p->est_rows);
    if (*len >= size) *len = size - 1;
    estimates_of_node(p->left, out, size, len);
    estimates_of_node(p->right, out, size, len);
    if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            estimates_of_node(p->append.inputs[i], out, size, len);
        }
    }
}

/* Binds (so plans) `sql` in database postgres and lists every plan node's estimated rows
 * ("kind:rows"), the figures EXPLAIN's costs would show: "ERROR ..." if it cannot. */
/* The session whose transaction's own statistics estimates() plans with (NULL: the shared
 * ones only, as any other session's). */
static sql_session *estimates_session;

static const char *estimates(const char *sql) {
    static char out[4096];
    static const char *const path[] = {"public"};
    rt_err err;
    rt_err_clear(&err);
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_bind_ctx bc = {.arena = arena, .err = &err, .catalog = ref.catalog,
                       .db = eng_catalog_db_by_oid(ref.catalog, ENG_OID_POSTGRES_DB),
                       .search_path = path, .nsearch = 1, .sql = sql,
                       .sql_len = (uint32_t)strlen(sql), .shard_count = eng_shard_count(),
                       .session = estimates_session};
    sql_stmt_list list;
    sql_query *q = NULL;
    size_t len = (size_t)snprintf(out, sizeof out, "%s:", sql);
    if (sql_parse(arena, sql, (uint32_t)strlen(sql), &list, &err) && list.count == 1 &&
        sql_bind_query(&bc, list.stmts[0].node, &q)) {
        estimates_of_node(q->plan, out, sizeof out, &len);
    } else {
        snprintf(out + len, sizeof out - len, " ERROR %s", err.message);
    }
    rt_arena_destroy(arena);
    eng_catalog_unpin(&ref);
    return out;
}

static void path_in(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", test_dir, name);
}

static void save_text(const char *name, const char *text) {
    char path[256];
    path_in(path, sizeof path, name);
    FILE *f = fopen(path, "w");
    TEST_CHECK(f != NULL);
    if (f == NULL) return;
    fputs(text, f);
    fclose(f);
}

static char *load_text(const char *name) {
    static char buf[OUT_BYTES];
    char path[256];
    path_in(path, sizeof path, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The share of s's rows a scan reads for id ranges, by the zone maps ANALYZE sampled: 0 for
 * a range above every row, 1 for all of them and for a table without zone statistics. */
static const char *zone_fractions(void) {
    static char out[256];
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_oid(ref.catalog, ENG_OID_POSTGRES_DB);
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, "s");
    if (t == NULL) {
        snprintf(out, sizeof out, "no table s");
    } else {
        snprintf(out, sizeof out, "zones: id 7000..8000 %.6g, id 1..6000 %.6g",
                 sql_stats_zone_fraction(t, 1, 7000, 8000),
                 sql_stats_zone_fraction(t, 1, 1, 6000));
    }
    eng_catalog_unpin(&ref);
    return out;
}

/* Every plan's estimates, a line each, and the zone estimates. */
static const char *explain_all(capture *a) {
    (void)a;
    static char all[OUT_BYTES];
    size_t len = 0;
    for (size_t i = 0; i < NPLANS; i++) {
        len += (size_t)snprintf(all + len, sizeof all - len, "%s\n", estimates(plans[i]));
    }
    snprintf(all + len, sizeof all - len, "%s\n", zone_fractions());
    return all;
}

static void make_table(capture *a, const char *name) {
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE TABLE %s (id int PRIMARY KEY, k int, c text, f float8)",
             name);
    expect(a, sql, "CREATE TABLE\n");
    /* k: 3 is common (a third of the rows), the rest spread; c: a few colours; f: 20% NULL. */
    snprintf(sql, sizeof sql,
             "INSERT INTO %s SELECT g, CASE WHEN g %% 3 = 0 THEN 3 ELSE g %% 500 END, "
             "(ARRAY['red','green','blue','grey'])[1 + g %% 4 * (g %% 4) / 3], "
             "CASE WHEN g %% 5 = 0 THEN NULL ELSE (g %% 1000) / 1000.0 END "
             "FROM generate_series(1, 6000) g", name);
    expect(a, sql, "INSERT 0 6000\n");
}

/* The estimates of `sql_on_s` on table `other` instead (a table like s), with the table's
 * name left out so that the two compare. */
static const char *estimates_on(const char *other, const char *sql_on_s) {
    static char out[4096];
    char sql[512];
    const char *at = strstr(sql_on_s, " s");
    snprintf(sql, sizeof sql, "%.*s %s%s", (int)(at - sql_on_s), sql_on_s, other, at + 2);
    const char *est = estimates(sql);
    snprintf(out, sizeof out, "%s", strchr(est, ':') + 1);
    return out;
}

/* What pg_stats shows of s (a text to compare). */
#define PG_STATS_OF_S                                                                      \
    "SELECT attname, null_frac, avg_width, n_distinct, most_common_vals::text, "          \
    "most_common_freqs, histogram_bounds::text, round(correlation::numeric, 4) "           \
    "FROM pg_stats WHERE tablename = 's' ORDER BY attname"

/* ---- the runs ---- */

static void script_analyze(capture *a) {
    make_table(a, "s");
    expect(a, "ANALYZE s", "ANALYZE\n");
    const char *before = explain_all(a);
    TEST_CHECK(strstr(before, ":6000 ") != NULL); /* the scan of all rows: the table's count */
    TEST_CHECK(strstr(before, "zones: id 7000..8000 0, id 1..6000 1\n") != NULL);
    save_text("estimates.txt", before);
    const char *shown = run(a, PG_STATS_OF_S);
    /* Exact figures (the whole table is the sample): id unique and in order, k with 3 a third
     * of the rows, f a fifth NULL. */
    TEST_CHECK(strstr(shown, "id|0|4|-1|NULL|NULL|{1,60,120,") != NULL);
    TEST_CHECK(strstr(shown, ",6000}|1.0000\n") != NULL);
    TEST_CHECK(strstr(shown, "k|0|4|500|{3,0,1,2,") != NULL);
    TEST_CHECK(strstr(shown, "f|0.2|8|-0.13333334|{0.001,") != NULL);
    save_text("pg_stats.txt", shown);
    expect(a, "SELECT reltuples FROM pg_class WHERE relname = 's'", "reltuples\n6000\nSELECT 1\n");
}

static void script_same_after_restart(capture *a) {
    /* First thing after the start: the saved statistics plan the statements. */
    sh_check("estimates after a restart", explain_all(a), load_text("estimates.txt"));
    sh_check("pg_stats after a restart", run(a, PG_STATS_OF_S), load_text("pg_stats.txt"));
    expect(a, "SELECT reltuples FROM pg_class WHERE relname = 's'", "reltuples\n6000\nSELECT 1\n");
    expect(a, "SELECT count(*), count(f), sum(k) FROM s",
           "count|count|sum\n6000|4800|1004000\nSELECT 1\n");
    /* ANALYZE replaces the loaded statistics with the same figures. */
    expect(a, "ANALYZE s", "ANALYZE\n");
    sh_check("estimates after ANALYZE again", explain_all(a), load_text("estimates.txt"));
    /* A table never analysed (nor given rows, which would start an auto-analyze) shows what
     * planning without statistics looks like: not the same. */
    expect(a, "CREATE TABLE blank (id int PRIMARY KEY, k int, c text, f float8)",
           "CREATE TABLE\n");
    static char on_s[4096];
    snprintf(on_s, sizeof on_s, "%s", estimates_on("s", plans[1]));
    TEST_CHECK(strcmp(estimates_on("blank", plans[1]), on_s) != 0);
    save_text("unanalysed.txt", estimates_on("blank", plans[1]));
    make_table(a, "fresh");
    expect(a, "ALTER TABLE s DROP COLUMN c", "ALTER TABLE\n");
}

/* The dropped column's statistics are gone; the others stay. */
static void script_after_drop_column(capture *a) {
    const char *want = load_text("estimates.txt");
    TEST_CHECK(strstr(want, estimates(plans[1])) != NULL); /* k = 3: as before */
    TEST_CHECK(strstr(want, estimates(plans[5])) != NULL); /* f IS NULL: as before */
    expect(a, "SELECT * FROM s WHERE c = 'red'",
           "ERROR 42703: column \"c\" does not exist\n");
    expect(a, "TRUNCATE s", "TRUNCATE TABLE\n");
    expect(a, "INSERT INTO s VALUES (1, 3, 0.5)", "INSERT 0 1\n");
}

/* After TRUNCATE: planned like a table never analysed, not from the 6000 rows of before. */
static void script_after_truncate(capture *a) {
    sh_check("k = 3 after TRUNCATE and a restart", estimates_on("s", plans[1]),
             load_text("unanalysed.txt"));
    expect(a, "SELECT reltuples FROM pg_class WHERE relname = 's'", "reltuples\n-1\nSELECT 1\n");
    expect(a, "SELECT count(*) FROM s", "count\n1\nSELECT 1\n");
    expect(a, "DROP TABLE s", "DROP TABLE\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    save_text("fresh.txt", estimates_on("fresh", plans[6]));
    save_text("fresh_k.txt", estimates_on("fresh", plans[1]));
    expect(a, "ALTER TABLE fresh ALTER COLUMN k TYPE int8", "ALTER TABLE\n");
    /* As PostgreSQL: the rewrite keeps the other columns' statistics and the row count. */
    sh_check("f > 0.5 after ALTER COLUMN k TYPE", estimates_on("fresh", plans[6]),
             load_text("fresh.txt"));
    TEST_CHECK(strcmp(estimates_on("fresh", plans[1]), load_text("fresh_k.txt")) != 0);
}

/* After a rewrite (ALTER COLUMN TYPE) and a restart: the same. */
static void script_after_retype(capture *a) {
    sh_check("f > 0.5 after ALTER COLUMN k TYPE and a restart", estimates_on("fresh", plans[6]),
             load_text("fresh.txt"));
    TEST_CHECK(strcmp(estimates_on("fresh", plans[1]), load_text("fresh_k.txt")) != 0);
    expect(a, "SELECT reltuples FROM pg_class WHERE relname = 'fresh'",
           "reltuples\n6000\nSELECT 1\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    sh_check("k = 3 after ANALYZE again", estimates_on("fresh", plans[1]),
             load_text("fresh_k.txt"));
}

/* After the statistics file was damaged: the server starts, answers right, plans from
 * defaults until ANALYZE. */
static void script_after_damage(capture *a) {
    static char got[4096];
    snprintf(got, sizeof got, "%s", estimates_on("fresh", plans[6]));
    TEST_CHECK(strcmp(got, load_text("fresh.txt")) != 0);
    expect(a, "SELECT count(*), count(f) FROM fresh", "count|count\n6000|4800\nSELECT 1\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    sh_check("estimates after ANALYZE again", estimates_on("fresh", plans[6]),
             load_text("fresh.txt"));
}

/* Ends the child at once, as a crash: no shutdown path runs. */
static void crash_now(void) {
    fflush(NULL);
    _exit(atomic_load(&mismatches) + atomic_load(&test_check_failures) != 0);
}

#define ROLLED_BACK(what) sh_check(what, estimates_on("fresh", plans[6]), load_text("fresh.txt"))

/* ANALYZE in transactions that roll back, wholly or to a savepoint, then one left open by a
 * crash. */
static void script_txn_rollback(capture *a) {
    /* Fewer changes than start an auto-analyze (50 + 10% of 6000). */
    expect(a, "UPDATE fresh SET f = NULL WHERE id <= 600", "UPDATE 600\n");
    ROLLED_BACK("f > 0.5 before ANALYZE");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    ROLLED_BACK("f > 0.5 in another session before the ANALYZE commits");
    static char changed[4096];
    estimates_session = a->s;
    snprintf(changed, sizeof changed, "%s", estimates_on("fresh", plans[6]));
    estimates_session = NULL;
    TEST_CHECK(strcmp(changed, load_text("fresh.txt")) != 0); /* its own statements see it */
    expect(a, "ROLLBACK", "ROLLBACK\n");
    ROLLED_BACK("f > 0.5 after ROLLBACK");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    expect(a, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(a, "SAVEPOINT t", "SAVEPOINT\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    expect(a, "SELECT 1 / 0", "ERROR 22012: division by zero\n");
    ROLLED_BACK("f > 0.5 after a failed statement");
    expect(a, "ROLLBACK TO SAVEPOINT t", "ROLLBACK\n");
    expect(a, "COMMIT", "COMMIT\n");
    ROLLED_BACK("f > 0.5 after ROLLBACK TO SAVEPOINT");
    save_text("changed.txt", changed);
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    crash_now();
}

/* After the crash: the file holds the last committed statistics; then a committed ANALYZE. */
static void script_txn_commit(capture *a) {
    ROLLED_BACK("f > 0.5 after a crash in the ANALYZE's transaction");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SAVEPOINT s", "SAVEPOINT\n");
    expect(a, "ANALYZE fresh", "ANALYZE\n");
    expect(a, "RELEASE SAVEPOINT s", "RELEASE\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_check("f > 0.5 after a committed ANALYZE", estimates_on("fresh", plans[6]),
             load_text("changed.txt"));
}

static void script_txn_committed(capture *a) {
    sh_check("f > 0.5 after a committed ANALYZE and a restart", estimates_on("fresh", plans[6]),
             load_text("changed.txt"));
}

/* ---- the parent ---- */

/* The statistics files in test_dir/stats (names into names[], at most 8). */
static int stat_files(char names[][64]) {
    char path[256];
    path_in(path, sizeof path, "stats");
    DIR *d = opendir(path);
    if (d == NULL) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strstr(e->d_name, ".stat") == NULL || n == 8) continue;
        snprintf(names[n++], 64, "%.63s", e->d_name);
    }
    closedir(d);
    return n;
}

/* Flips one byte in the middle of the only statistics file. */
static void damage_stat_file(void) {
    char names[8][64], path[256], rel[128];
    assert_int_equal(stat_files(names), 1);
    snprintf(rel, sizeof rel, "stats/%s", names[0]);
    path_in(path, sizeof path, rel);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    off_t size = lseek(fd, 0, SEEK_END);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, size / 2), 1);
    b ^= 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, size / 2), 1);
    close(fd);
}

static bool log_has(const char *log, const char *needle) {
    FILE *f = fopen(log, "r");
    if (f == NULL) return false;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, needle) != NULL;
}

static void test_stats_restart(void **state) {
    (void)state;
    char names[8][64], log[160];
    assert_true(sh_dir_fresh(test_dir, sizeof test_dir, "stats_restart"));
    snprintf(log, sizeof log, "%s.log", test_dir);
    assert_int_equal(sh_run_forked(test_dir, 2, script_analyze, log), 0);
    assert_int_equal(stat_files(names), 1);
    assert_int_equal(sh_run_forked(test_dir, 2, script_same_after_restart, log), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_drop_column, log), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_truncate, log), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_retype, log), 0);
    assert_int_equal(stat_files(names), 1); /* fresh's; s's went with DROP TABLE */
    damage_stat_file();
    assert_int_equal(sh_run_forked(test_dir, 2, script_after_damage, log), 0);
    assert_true(log_has(log, "dropped: its checksum does not match"));
    assert_int_equal(sh_run_forked(test_dir, 2, script_txn_rollback, log), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_txn_commit, log), 0);
    assert_int_equal(sh_run_forked(test_dir, 2, script_txn_committed, log), 0);
    assert_true(sh_dir_remove(test_dir));
    unlink(log);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_stats_restart)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
