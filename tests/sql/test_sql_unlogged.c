/* test_sql_unlogged.c: unlogged tables across restarts, as PostgreSQL's: an orderly shutdown
 * keeps their rows (the shutdown checkpoint writes them), a crash empties them (and never
 * brings back the rows of an earlier clean shutdown, nor their statistics), while permanent
 * tables keep every acknowledged commit either way. The sequences of their serial and identity
 * columns are unlogged too (PostgreSQL 15): kept by a clean shutdown, back to their start
 * after a crash, while a permanent table's sequence never goes back.
 * How: each run is a child process over one data directory (an engine started twice in one
 * process would find the first one's statistics arenas); a run ends either through the
 * orderly stop (eng_shard_stop, eng_stop) or with _exit() from the middle of its script, which
 * skips every shutdown path, as a kill -9 would.
 * SET LOGGED / UNLOGGED (tables and sequences, PostgreSQL 15): a child changes them, writes
 * rows after, and kills itself with SIGKILL (a real kill -9); the next run checks that the table
 * made logged kept every row (those of before the change too) and its serial sequence, the
 * table made unlogged is empty with its sequence back at the start, a logged sequence kept its
 * value and an unlogged one started again, and pg_class.relpersistence of each survived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

/* Ends the child at once, as a crash: no shutdown checkpoint, no clean-shutdown marker. */
static void crash_now(void) {
    fflush(NULL);
    _exit(atomic_load(&mismatches) + atomic_load(&test_check_failures) != 0);
}

static void script_create(capture *a) {
    expect(a, "CREATE UNLOGGED TABLE u (id int PRIMARY KEY, v text)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE p (id int PRIMARY KEY, v text)", "CREATE TABLE\n");
    expect(a, "CREATE UNLOGGED TABLE un (id bigserial, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO u SELECT g, 'u' || g FROM generate_series(1, 1000) g",
           "INSERT 0 1000\n");
    expect(a, "INSERT INTO un (v) SELECT g FROM generate_series(1, 10) g", "INSERT 0 10\n");
    expect(a, "CREATE UNLOGGED TABLE ui (id int GENERATED ALWAYS AS IDENTITY, v int)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO ui (v) VALUES (1), (2)", "INSERT 0 2\n");
    expect(a, "CREATE TABLE ps (id serial, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO ps (v) VALUES (1), (2), (3)", "INSERT 0 3\n");
    expect(a, "SELECT relname, relpersistence FROM pg_class WHERE relname LIKE '%_id_seq' "
              "ORDER BY 1", "relname|relpersistence\nps_id_seq|p\nui_id_seq|u\nun_id_seq|u\n"
                            "SELECT 3\n");
    expect(a, "INSERT INTO p SELECT g, 'p' || g FROM generate_series(1, 100) g",
           "INSERT 0 100\n");
    expect(a, "SELECT relname, relpersistence FROM pg_class WHERE relname IN ('u', 'p') "
              "ORDER BY 1", "relname|relpersistence\np|p\nu|u\nSELECT 2\n");
    expect(a, "ANALYZE u", "ANALYZE\n");
}

/* After the clean shutdown of script_create: every row is back; then changes and a crash. */
static void script_clean_then_crash(capture *a) {
    expect(a, "SELECT count(*), sum(id), max(v) FROM u", "count|sum|max\n1000|500500|u999\n"
                                                         "SELECT 1\n");
    expect(a, "SELECT count(*), sum(v) FROM un", "count|sum\n10|55\nSELECT 1\n");
    expect(a, "SELECT v FROM u WHERE id = 7", "v\nu7\nSELECT 1\n");
    expect(a, "SELECT reltuples FROM pg_class WHERE relname = 'u'",
           "reltuples\n1000\nSELECT 1\n"); /* its statistics too */
    expect(a, "SELECT count(*) FROM p", "count\n100\nSELECT 1\n");
    expect(a, "SELECT relname, relpersistence FROM pg_class WHERE relname IN ('u', 'p') "
              "ORDER BY 1", "relname|relpersistence\np|p\nu|u\nSELECT 2\n");
    /* The primary key still works on the loaded rows. */
    expect(a, "INSERT INTO u VALUES (7, 'again')",
           "ERROR 23505: duplicate key value violates unique constraint \"u_pkey\"\n");
    expect(a, "UPDATE u SET v = 'changed' WHERE id <= 10", "UPDATE 10\n");
    expect(a, "INSERT INTO u VALUES (1001, 'new')", "INSERT 0 1\n");
    expect(a, "INSERT INTO p VALUES (101, 'acknowledged')", "INSERT 0 1\n");
    /* Their sequences went on after the clean shutdown (from the bound the WAL logged
     * ahead: PostgreSQL goes on from the last value handed out). */
    expect(a, "INSERT INTO un (v) VALUES (11) RETURNING id > 10", "?column?\nt\nINSERT 0 1\n");
    expect(a, "INSERT INTO ui (v) VALUES (3) RETURNING id > 2", "?column?\nt\nINSERT 0 1\n");
    crash_now();
}

/* After the crash: the unlogged tables are empty (not even the rows of the clean shutdown
 * before), the permanent one has every acknowledged commit; the tables work on. */
static void script_after_crash(capture *a) {
    expect(a, "SELECT count(*) FROM u", "count\n0\nSELECT 1\n");
    expect(a, "SELECT count(*) FROM un", "count\n0\nSELECT 1\n");
    expect(a, "SELECT reltuples FROM pg_class WHERE relname = 'u'",
           "reltuples\n-1\nSELECT 1\n"); /* statistics of the rows that went, gone too */
    expect(a, "SELECT count(*), max(id) FROM p", "count|max\n101|101\nSELECT 1\n");
    expect(a, "SELECT relpersistence FROM pg_class WHERE relname = 'u'",
           "relpersistence\nu\nSELECT 1\n");
    expect(a, "INSERT INTO u VALUES (1, 'after crash'), (2, 'two')", "INSERT 0 2\n");
    /* The sequences of the emptied tables start again; the permanent one's goes on. */
    expect(a, "INSERT INTO un (v) VALUES (5) RETURNING id", "id\n1\nINSERT 0 1\n");
    expect(a, "INSERT INTO ui (v) VALUES (5) RETURNING id", "id\n1\nINSERT 0 1\n");
    expect(a, "SELECT nextval('ps_id_seq') > 3", "?column?\nt\nSELECT 1\n");
}

/* A clean restart after the crash keeps the rows written since. */
static void script_clean_again(capture *a) {
    expect(a, "SELECT id, v FROM u ORDER BY id", "id|v\n1|after crash\n2|two\nSELECT 2\n");
    expect(a, "SELECT count(*) FROM un", "count\n1\nSELECT 1\n");
    expect(a, "INSERT INTO un (v) VALUES (6) RETURNING id > 1", "?column?\nt\nINSERT 0 1\n");
    expect(a, "TRUNCATE u", "TRUNCATE TABLE\n");
    expect(a, "INSERT INTO u VALUES (3, 'after truncate')", "INSERT 0 1\n");
}

static void script_after_truncate(capture *a) {
    expect(a, "SELECT id, v FROM u ORDER BY id", "id|v\n3|after truncate\nSELECT 1\n");
    expect(a, "DROP TABLE u", "DROP TABLE\n");
    expect(a, "CREATE UNLOGGED TABLE u (id int PRIMARY KEY, v text)", "CREATE TABLE\n");
}

static void script_after_drop(capture *a) {
    expect(a, "SELECT count(*) FROM u", "count\n0\nSELECT 1\n");
}

/* ---- SET LOGGED / UNLOGGED and a kill -9 ---- */

static char kill9_dir[128];

#define PERSISTENCE_OF                                                                   \
    "SELECT relname, relpersistence FROM pg_class WHERE relname IN ('ul', 'ul_id_seq', "   \
    "'ul_pkey', 'lg', 'lg_id_seq', 'useq', 'useq2') ORDER BY relname"
#define PERSISTENCE_AFTER                                                                \
    "relname|relpersistence\nlg|u\nlg_id_seq|u\nul|p\nul_id_seq|p\nul_pkey|p\nuseq|u\n"    \
    "useq2|p\nSELECT 7\n"

static void script_set_logged(capture *a) {
    expect(a, "CREATE UNLOGGED TABLE ul (id serial PRIMARY KEY, v text)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE lg (id serial PRIMARY KEY, v text)", "CREATE TABLE\n");
    expect(a, "INSERT INTO ul (v) VALUES ('a'), ('b'), ('c')", "INSERT 0 3\n");
    expect(a, "INSERT INTO lg (v) VALUES ('a'), ('b'), ('c')", "INSERT 0 3\n");
    expect(a, "CHECKPOINT", "CHECKPOINT\n");
    expect(a, "CREATE UNLOGGED SEQUENCE useq", "CREATE SEQUENCE\n");
    expect(a, "CREATE UNLOGGED SEQUENCE useq2", "CREATE SEQUENCE\n");
    expect(a, "SELECT nextval('useq'), nextval('useq'), nextval('useq2'), nextval('useq2')",
           "nextval|nextval|nextval|nextval\n1|2|1|2\nSELECT 1\n");
    expect(a, "ALTER SEQUENCE useq2 SET LOGGED", "ALTER SEQUENCE\n");
    expect(a, "ALTER TABLE ul SET LOGGED", "ALTER TABLE\n");
    expect(a, "ALTER TABLE lg SET UNLOGGED", "ALTER TABLE\n");
    expect(a, "ALTER TABLE lg SET UNLOGGED", "ALTER TABLE\n"); /* already: nothing to do */
    expect(a, "INSERT INTO ul (v) VALUES ('d')", "INSERT 0 1\n");
    expect(a, "INSERT INTO lg (v) VALUES ('d')", "INSERT 0 1\n");
    expect(a, "SELECT id, v FROM ul ORDER BY id", "id|v\n1|a\n2|b\n3|c\n4|d\nSELECT 4\n");
    expect(a, "SELECT id, v FROM lg ORDER BY id", "id|v\n1|a\n2|b\n3|c\n4|d\nSELECT 4\n");
    expect(a, PERSISTENCE_OF, PERSISTENCE_AFTER);
    sh_kill9_now(kill9_dir);
}

static void script_after_kill9(capture *a) {
    expect(a, PERSISTENCE_OF, PERSISTENCE_AFTER);
    expect(a, "SELECT id, v FROM ul ORDER BY id", "id|v\n1|a\n2|b\n3|c\n4|d\nSELECT 4\n");
    expect(a, "SELECT count(*) FROM lg", "count\n0\nSELECT 1\n");
    /* a logged sequence may skip the values it logged ahead (PostgreSQL's do too) */
    expect(a, "INSERT INTO ul (v) VALUES ('e') RETURNING id > 4 AS later",
           "later\nt\nINSERT 0 1\n");
    expect(a, "INSERT INTO lg (v) VALUES ('e') RETURNING id", "id\n1\nINSERT 0 1\n");
    expect(a, "SELECT nextval('useq'), nextval('useq2') > 2 AS later",
           "nextval|later\n1|t\nSELECT 1\n");
}

static void test_unlogged_set_logged(void **state) {
    (void)state;
    assert_true(sh_dir_fresh(kill9_dir, sizeof kill9_dir, "set_logged"));
    assert_int_equal(sh_run_forked(kill9_dir, 2, script_set_logged, NULL), 1); /* SIGKILL */
    assert_true(sh_kill9_checks_held(kill9_dir));
    assert_int_equal(sh_run_forked(kill9_dir, 2, script_after_kill9, NULL), 0);
    assert_true(sh_dir_remove(kill9_dir));
}

static bool file_exists(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void test_unlogged_restarts(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "unlogged"));
    assert_int_equal(sh_run_forked(dir, 2, script_create, NULL), 0);
    assert_true(file_exists(dir, "clean_shutdown"));
    assert_int_equal(sh_run_forked(dir, 2, script_clean_then_crash, NULL), 0);
    assert_false(file_exists(dir, "clean_shutdown")); /* consumed at start, not written again */
    assert_int_equal(sh_run_forked(dir, 2, script_after_crash, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_clean_again, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_after_truncate, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_after_drop, NULL), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_unlogged_restarts),
                                       cmocka_unit_test(test_unlogged_set_logged)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
