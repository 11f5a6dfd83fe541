/* test_sql_unique.c: UNIQUE constraints and unique indexes on columns other than the primary
 * key, enforced across partitions and shards: 23505 with PostgreSQL's message and DETAIL on
 * INSERT, multi-row INSERT, UPDATE of the key, COPY-like INSERT ... SELECT; NULLs distinct and
 * NULLS NOT DISTINCT; DELETE and UPDATE freeing a key; ROLLBACK and ROLLBACK TO SAVEPOINT;
 * CREATE UNIQUE INDEX / ADD CONSTRAINT over existing rows (duplicates: "could not create unique
 * index"); TRUNCATE, DROP INDEX, DROP TABLE; the hidden companion tables never listed in
 * pg_class; two transactions inserting the same key: the second waits for the first, then
 * fails after its COMMIT or succeeds after its ROLLBACK; INSERT ... ON CONFLICT on the primary
 * key and on a unique constraint; ON CONFLICT DO UPDATE on a table without a primary key while
 * another transaction updates, deletes or re-keys the row (COMMIT and ROLLBACK), and over rows
 * in every partition; and the keys after a restart of the engine.
 * How: a real engine in a temporary data directory with two shards; fibers on shard 0 open
 * sessions as the superuser and run statements, each with the exact text expected (rows as
 * "a|b", the command tag, "ERROR <sqlstate>: <message>" and "DETAIL: ..."), as PostgreSQL 15
 * answers them. Mismatches are collected and asserted on the main thread. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define OUT_BYTES 16384
#define WAIT_STEP_NS (20u * 1000u * 1000u)

#include "tests/sql/sql_session_harness.h"

#define DUP(con, key)                                                                     \
    "ERROR 23505: duplicate key value violates unique constraint \"" con "\"\nDETAIL: Key " \
    key " already exists.\n"

/* ---- scripts ---- */

static void script_insert(capture *c) {
    expect(c, "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE, a int, b int, "
              "UNIQUE (a, b))", "CREATE TABLE\n");
    expect(c, "INSERT INTO t VALUES (1, 'a@b.c', 1, 1)", "INSERT 0 1\n");
    expect(c, "INSERT INTO t VALUES (2, 'a@b.c', 2, 2)", DUP("t_email_key", "(email)=(a@b.c)"));
    expect(c, "INSERT INTO t VALUES (2, 'x@b.c', 1, 1)", DUP("t_a_b_key", "(a, b)=(1, 1)"));
    /* a duplicate inside one statement, on keys that hash to different shards */
    expect(c, "INSERT INTO t SELECT g, 'same', g, g FROM generate_series(10, 20) g",
           DUP("t_email_key", "(email)=(same)"));
    expect(c, "SELECT count(*) FROM t", "count\n1\nSELECT 1\n");
    /* NULLs are distinct: any number of rows with a NULL in the key */
    expect(c, "INSERT INTO t VALUES (3, NULL, 1, NULL), (4, NULL, 1, NULL), (5, NULL, NULL, NULL)",
           "INSERT 0 3\n");
    expect(c, "INSERT INTO t SELECT g, 'e' || g, g, 0 FROM generate_series(100, 1100) g",
           "INSERT 0 1001\n");
    expect(c, "INSERT INTO t VALUES (2000, 'e777', 5000, 5000)",
           DUP("t_email_key", "(email)=(e777)"));
    expect(c, "SELECT relname FROM pg_class WHERE relname LIKE 'pg_uniq%'", "relname\nSELECT 0\n");
    expect(c, "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'pg_uniq%'",
           "count\n0\nSELECT 1\n");
    expect(c, "SELECT constraint_name, constraint_type FROM information_schema.table_constraints "
              "WHERE table_name = 't' AND constraint_type <> 'CHECK' ORDER BY 1",
           "constraint_name|constraint_type\nt_a_b_key|UNIQUE\nt_email_key|UNIQUE\n"
           "t_pkey|PRIMARY KEY\nSELECT 3\n");
}

static void script_update_delete(capture *c) {
    expect(c, "UPDATE t SET email = 'a@b.c' WHERE id = 100", DUP("t_email_key", "(email)=(a@b.c)"));
    expect(c, "UPDATE t SET email = 'moved' WHERE id = 1", "UPDATE 1\n");
    expect(c, "INSERT INTO t VALUES (6, 'a@b.c', 6, 6)", "INSERT 0 1\n");
    expect(c, "INSERT INTO t VALUES (7, 'moved', 7, 7)", DUP("t_email_key", "(email)=(moved)"));
    /* an UPDATE that keeps the key does not collide with itself */
    expect(c, "UPDATE t SET b = b WHERE id = 6", "UPDATE 1\n");
    expect(c, "DELETE FROM t WHERE id = 6", "DELETE 1\n");
    expect(c, "INSERT INTO t VALUES (7, 'a@b.c', 6, 6)", "INSERT 0 1\n");
    expect(c, "DELETE FROM t WHERE id >= 100", "DELETE 1001\n");
    expect(c, "INSERT INTO t SELECT g, 'e' || g, g, 0 FROM generate_series(100, 200) g",
           "INSERT 0 101\n");
}

static void script_transactions(capture *c) {
    expect(c, "BEGIN; INSERT INTO t VALUES (8, 'tx', 8, 8); ROLLBACK",
           "BEGIN\nINSERT 0 1\nROLLBACK\n");
    expect(c, "INSERT INTO t VALUES (8, 'tx', 8, 8)", "INSERT 0 1\n");
    expect(c, "BEGIN; DELETE FROM t WHERE id = 8; SAVEPOINT s; "
              "INSERT INTO t VALUES (9, 'tx', 9, 9); ROLLBACK TO s; COMMIT",
           "BEGIN\nDELETE 1\nSAVEPOINT\nINSERT 0 1\nROLLBACK\nCOMMIT\n");
    expect(c, "INSERT INTO t VALUES (9, 'tx', 9, 9)", "INSERT 0 1\n");
    expect(c, "INSERT INTO t VALUES (10, 'tx', 10, 10)", DUP("t_email_key", "(email)=(tx)"));
    expect(c, "TRUNCATE t", "TRUNCATE TABLE\n");
    expect(c, "INSERT INTO t VALUES (1, 'tx', 1, 1)", "INSERT 0 1\n");
    expect(c, "DROP TABLE t", "DROP TABLE\n");
    expect(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'pg_uniq%'",
           "count\n0\nSELECT 1\n");
}

static void script_ddl(capture *c) {
    expect(c, "CREATE TABLE u (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO u VALUES (1, 1), (2, 1), (3, 2)", "INSERT 0 3\n");
    expect(c, "CREATE UNIQUE INDEX u_v ON u (v)",
           "ERROR 23505: could not create unique index \"u_v\"\nDETAIL: Key (v)=(1) is "
           "duplicated.\n");
    expect(c, "ALTER TABLE u ADD CONSTRAINT u_v_key UNIQUE (v)",
           "ERROR 23505: could not create unique index \"u_v_key\"\nDETAIL: Key (v)=(1) is "
           "duplicated.\n");
    expect(c, "DELETE FROM u WHERE id = 2", "DELETE 1\n");
    expect(c, "INSERT INTO u VALUES (5, NULL), (6, NULL)", "INSERT 0 2\n");
    expect(c, "ALTER TABLE u ADD CONSTRAINT u_v_key UNIQUE (v)", "ALTER TABLE\n");
    expect(c, "INSERT INTO u VALUES (4, 2)", DUP("u_v_key", "(v)=(2)"));
    expect(c, "ALTER TABLE u RENAME COLUMN v TO w", "ALTER TABLE\n");
    expect(c, "INSERT INTO u VALUES (4, 2)", DUP("u_v_key", "(w)=(2)"));
    expect(c, "ALTER TABLE u DROP CONSTRAINT u_v_key", "ALTER TABLE\n");
    expect(c, "INSERT INTO u VALUES (4, 2)", "INSERT 0 1\n");
    expect(c, "CREATE TABLE nnd (id int PRIMARY KEY, k int UNIQUE NULLS NOT DISTINCT)",
           "CREATE TABLE\n");
    expect(c, "INSERT INTO nnd VALUES (1, NULL)", "INSERT 0 1\n");
    expect(c, "INSERT INTO nnd VALUES (2, NULL)", DUP("nnd_k_key", "(k)=(null)"));
    expect(c, "CREATE TABLE nopk (a int UNIQUE, b int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO nopk VALUES (1, 1), (2, 2)", "INSERT 0 2\n");
    expect(c, "UPDATE nopk SET a = 2 WHERE a = 1", DUP("nopk_a_key", "(a)=(2)"));
    expect(c, "DROP TABLE u, nnd, nopk", "DROP TABLE\n");
}

static void script_upsert(capture *c) {
    expect(c, "CREATE TABLE d (id int PRIMARY KEY, name text, email text UNIQUE)",
           "CREATE TABLE\n");
    expect(c, "INSERT INTO d VALUES (1, 'a', 'a@x'), (2, 'b', 'b@x')", "INSERT 0 2\n");
    /* without a target any unique key conflicts; the skipped row leaves no key behind */
    expect(c, "INSERT INTO d VALUES (1, 'again', 'z@x') ON CONFLICT DO NOTHING", "INSERT 0 0\n");
    expect(c, "INSERT INTO d VALUES (3, 'c', 'a@x') ON CONFLICT DO NOTHING", "INSERT 0 0\n");
    expect(c, "INSERT INTO d VALUES (4, 'd', 'z@x')", "INSERT 0 1\n");
    /* on the primary key, another key's clash is an error */
    expect(c, "INSERT INTO d VALUES (5, 'x', 'a@x') ON CONFLICT (id) DO NOTHING",
           DUP("d_email_key", "(email)=(a@x)"));
    /* DO UPDATE changing the unique key moves it */
    expect(c, "INSERT INTO d VALUES (1, 'n', 'q@x') ON CONFLICT (id) DO UPDATE "
              "SET email = EXCLUDED.email RETURNING id, email", "id|email\n1|q@x\nINSERT 0 1\n");
    expect(c, "INSERT INTO d VALUES (5, 'e', 'a@x')", "INSERT 0 1\n");
    expect(c, "INSERT INTO d VALUES (1, 'n', 'b@x') ON CONFLICT (id) DO UPDATE "
              "SET email = EXCLUDED.email", DUP("d_email_key", "(email)=(b@x)"));
    /* on the unique constraint: by columns or by name */
    expect(c, "INSERT INTO d VALUES (7, 'g', 'b@x') ON CONFLICT (email) DO UPDATE "
              "SET name = 'owner ' || d.name RETURNING id, name",
           "id|name\n2|owner b\nINSERT 0 1\n");
    expect(c, "INSERT INTO d VALUES (7, 'g', 'b@x') ON CONFLICT ON CONSTRAINT d_email_key "
              "DO NOTHING", "INSERT 0 0\n");
    expect(c, "INSERT INTO d VALUES (7, 'g', 'h@x'), (8, 'h', 'b@x') ON CONFLICT (email) "
              "DO NOTHING", "INSERT 0 1\n");
    expect(c, "INSERT INTO d VALUES (9, 'a', 'm@x'), (9, 'b', 'n@x') ON CONFLICT (id) "
              "DO UPDATE SET name = EXCLUDED.name",
           "ERROR 21000: ON CONFLICT DO UPDATE command cannot affect row a second time\n");
    expect(c, "SELECT id, name, email FROM d ORDER BY id",
           "id|name|email\n1|a|q@x\n2|owner b|b@x\n4|d|z@x\n5|e|a@x\n7|g|h@x\n"
           "SELECT 5\n");
    expect(c, "DROP TABLE d", "DROP TABLE\n");
}

/* ---- two transactions inserting the same key ---- */

typedef struct waiter {
    capture c;
    const char *sql;
    char got[512];
    _Atomic bool done;
} waiter;

static void waiter_fiber(void *arg) {
    waiter *w = arg;
    snprintf(w->got, sizeof w->got, "%s", run(&w->c, w->sql));
    atomic_store(&w->done, true);
}

/* Session a holds key k uncommitted; b's insert of k must wait, then see a's outcome. */
static void race(capture *a, waiter *b, const char *end, const char *want) {
    expect(a, "BEGIN; INSERT INTO r VALUES (1, 'k')", "BEGIN\nINSERT 0 1\n");
    atomic_store(&b->done, false);
    b->sql = "INSERT INTO r VALUES (2, 'k')";
    test_spawn(waiter_fiber, b);
    for (int i = 0; i < 10; i++) rt_fiber_sleep_ns(WAIT_STEP_NS);
    if (atomic_load(&b->done)) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "race: the second inserter did not wait (got %s)\n", b->got);
    }
    run(a, end);
    for (int i = 0; i < 500 && !atomic_load(&b->done); i++) rt_fiber_sleep_ns(WAIT_STEP_NS);
    if (!atomic_load(&b->done) || strcmp(b->got, want) != 0) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "race after %s: want %s got %s\n", end, want, b->got);
    }
}

static void script_concurrent(capture *a, waiter *b) {
    expect(a, "CREATE TABLE r (id int PRIMARY KEY, k text UNIQUE)", "CREATE TABLE\n");
    race(a, b, "COMMIT", DUP("r_k_key", "(k)=(k)"));
    expect(a, "DELETE FROM r", "DELETE 1\n");
    race(a, b, "ROLLBACK", "INSERT 0 1\n");
    expect(a, "SELECT id, k FROM r", "id|k\n2|k\nSELECT 1\n");
    expect(a, "DROP TABLE r", "DROP TABLE\n");
}

/* ---- ON CONFLICT DO UPDATE on a table without a primary key, against a concurrent writer ----
 * Session a changes or deletes the row holding key 1; b's upsert of key 1 waits for a, then
 * updates the row's newest version (a committed an UPDATE, or rolled back), inserts (a
 * committed a DELETE), or updates the row under its new key's absence (a moved the key). */
static void nopk_race(capture *a, capture *b, const char *change, const char *end,
                      const char *want, const char *rows) {
    expect(a, "TRUNCATE nk", "TRUNCATE TABLE\n");
    expect(a, "INSERT INTO nk VALUES (1, 1), (2, 2)", "INSERT 0 2\n");
    expect(a, "BEGIN", "BEGIN\n");
    run(a, change);
    static sh_bg bg;
    sh_bg_start(&bg, b, "INSERT INTO nk VALUES (1, 0) ON CONFLICT (a) DO UPDATE "
                        "SET c = nk.c + 10 RETURNING a, c");
    run(a, end);
    sh_bg_wait(&bg);
    sh_check(change, bg.out, want);
    expect(a, "SELECT a, c FROM nk ORDER BY a, c", rows);
}

static void script_upsert_nopk(capture *a, capture *b) {
    expect(a, "CREATE TABLE nk (a int UNIQUE, c int)", "CREATE TABLE\n");
    nopk_race(a, b, "UPDATE nk SET c = 5 WHERE a = 1", "COMMIT", "a|c\n1|15\nINSERT 0 1\n",
              "a|c\n1|15\n2|2\nSELECT 2\n");
    nopk_race(a, b, "UPDATE nk SET c = 5 WHERE a = 1", "ROLLBACK",
              "a|c\n1|11\nINSERT 0 1\n", "a|c\n1|11\n2|2\nSELECT 2\n");
    nopk_race(a, b, "DELETE FROM nk WHERE a = 1", "COMMIT", "a|c\n1|0\nINSERT 0 1\n",
              "a|c\n1|0\n2|2\nSELECT 2\n");
    nopk_race(a, b, "DELETE FROM nk WHERE a = 1", "ROLLBACK", "a|c\n1|11\nINSERT 0 1\n",
              "a|c\n1|11\n2|2\nSELECT 2\n");
    nopk_race(a, b, "UPDATE nk SET a = 3 WHERE a = 1", "COMMIT", "a|c\n1|0\nINSERT 0 1\n",
              "a|c\n1|0\n2|2\n3|1\nSELECT 3\n");
    /* many rows over every partition: each key's row is found wherever it lives */
    expect(a, "INSERT INTO nk SELECT g, 0 FROM generate_series(10, 409) g", "INSERT 0 400\n");
    expect(a, "INSERT INTO nk SELECT g, 1 FROM generate_series(10, 409, 3) g "
              "ON CONFLICT (a) DO UPDATE SET c = nk.c + excluded.c + 1", "INSERT 0 134\n");
    expect(a, "SELECT count(*), sum(c) FROM nk WHERE a >= 10", "count|sum\n400|268\nSELECT 1\n");
    expect(a, "DROP TABLE nk", "DROP TABLE\n");
}

/* Before a restart: committed keys, a freed key, an uncommitted key lost in the crash. */
static void script_before_restart(capture *c) {
    expect(c, "CREATE TABLE rec (id int PRIMARY KEY, e text UNIQUE)", "CREATE TABLE\n");
    expect(c, "INSERT INTO rec SELECT g, 'e' || g FROM generate_series(1, 100) g",
           "INSERT 0 100\n");
    expect(c, "DELETE FROM rec WHERE id = 1", "DELETE 1\n");
    expect(c, "BEGIN; INSERT INTO rec VALUES (500, 'lost')", "BEGIN\nINSERT 0 1\n");
}

/* After it: the companions came back with the rows (the WAL and checkpoints hold both). */
static void script_after_restart(capture *c) {
    expect(c, "INSERT INTO rec VALUES (1000, 'e5')", DUP("rec_e_key", "(e)=(e5)"));
    expect(c, "INSERT INTO rec VALUES (1001, 'e1'), (1002, 'lost')", "INSERT 0 2\n");
    expect(c, "UPDATE rec SET e = 'e2' WHERE id = 3", DUP("rec_e_key", "(e)=(e2)"));
    expect(c, "SELECT count(*) FROM rec", "count\n101\nSELECT 1\n");
    expect(c, "DROP TABLE rec", "DROP TABLE\n");
}

static int phase; /* 0: the scripts, then a table left for 1: after the restart */

static void session_fiber(void *arg) {
    (void)arg;
    static capture c;
    static waiter w;
    c.s = w.c.s = NULL;
    if (phase == 1 && sh_open(&c)) {
        script_after_restart(&c);
    } else if (phase == 0 && sh_open(&c) && sh_open(&w.c)) {
        script_insert(&c);
        script_update_delete(&c);
        script_transactions(&c);
        script_ddl(&c);
        script_upsert(&c);
        script_concurrent(&c, &w);
        script_upsert_nopk(&c, &w.c);
        script_before_restart(&c);
    }
    if (c.s != NULL) sql_session_close(c.s);
    if (w.c.s != NULL) sql_session_close(w.c.s);
    rt_runtime_stop();
}

static void test_unique_scripts(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "unique"));
    sh_show_detail = true; /* the expected errors carry PostgreSQL's DETAIL lines */
    for (phase = 0; phase < 2; phase++) assert_int_equal(sh_run_fiber(dir, 2, session_fiber), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_unique_scripts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
