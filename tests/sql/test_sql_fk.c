/* test_sql_fk.c: FOREIGN KEY constraints and the shared row locks they take.
 * What: the DDL (column and table forms, generated names, PostgreSQL's errors for a missing
 * key, unknown columns, incompatible types), enforcement with parent and child rows on
 * different shards (23503 with PostgreSQL's message and detail; NO ACTION, RESTRICT, CASCADE
 * chains, SET NULL, SET DEFAULT, ON UPDATE CASCADE, MATCH FULL, self references deleted in one
 * statement), ALTER TABLE ADD CONSTRAINT checking existing rows, NOT VALID + VALIDATE, deferred
 * checks (INITIALLY DEFERRED, SET CONSTRAINTS, COMMIT failing and rolling back), DROP
 * and TRUNCATE of a referenced table, the catalog (pg_constraint, pg_get_constraintdef,
 * information_schema), FOR SHARE held by two transactions at once while a writer waits, a
 * parent DELETE waiting for the transaction that inserted a child (and failing once it
 * committed), lock_timeout and deadlock detection with shared holders, and the constraints
 * after a restart (catalog recovered, still enforced).
 * How: real sessions over a real engine with two shards (sql_session_harness.h); each
 * statement's output as a client sees it compared with PostgreSQL 15's; a session that must
 * block runs in its own fiber and the main fiber checks it has not finished before the holder
 * commits. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

#define MS (1000ull * 1000ull)

static void fk_schema(capture *a) {
    expect(a, "CREATE TABLE p (id int PRIMARY KEY, name text UNIQUE, n int)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p, t text)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO p SELECT g, 'n' || g, g FROM generate_series(1, 20) g",
           "INSERT 0 20\n");
}

/* ---- DDL ---- */

static void script_ddl(capture *a) {
    fk_schema(a);
    expect(a, "CREATE TABLE c2 (a text REFERENCES p (id))",
           "ERROR 42804: foreign key constraint \"c2_a_fkey\" cannot be implemented\n");
    expect(a, "CREATE TABLE c3 (a int REFERENCES p (n))",
           "ERROR 42830: there is no unique constraint matching given keys for referenced "
           "table \"p\"\n");
    expect(a, "CREATE TABLE c4 (a int, b int, FOREIGN KEY (a, b) REFERENCES p)",
           "ERROR 42830: number of referencing and referenced columns for foreign key "
           "disagree\n");
    expect(a, "CREATE TABLE c5 (a int REFERENCES nosuch)",
           "ERROR 42P01: relation \"nosuch\" does not exist\n");
    expect(a, "CREATE TABLE c6 (a int REFERENCES p (nosuch))",
           "ERROR 42703: column \"nosuch\" referenced in foreign key constraint does not "
           "exist\n");
    expect(a, "CREATE TABLE q (x int)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE c7 (a int REFERENCES q)",
           "ERROR 42704: there is no primary key for referenced table \"q\"\n");
    expect(a, "CREATE TABLE c8 (a bigint REFERENCES p ON DELETE CASCADE ON UPDATE SET NULL, "
              "b text, CONSTRAINT named FOREIGN KEY (b) REFERENCES p (name) MATCH FULL)",
           "CREATE TABLE\n");
    expect(a, "SELECT conname, contype, conrelid::regclass, confrelid::regclass, conkey, confkey,"
              " confupdtype, confdeltype, confmatchtype, convalidated, conindid::regclass "
              "FROM pg_constraint WHERE contype = 'f' ORDER BY conname",
           "conname|contype|conrelid|confrelid|conkey|confkey|confupdtype|confdeltype|"
           "confmatchtype|convalidated|conindid\n"
           "c8_a_fkey|f|c8|p|{1}|{1}|n|c|s|t|p_pkey\n"
           "c_pid_fkey|f|c|p|{2}|{1}|a|a|s|t|p_pkey\n"
           "named|f|c8|p|{2}|{2}|a|a|f|t|p_name_key\n"
           "SELECT 3\n");
    expect(a, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
              "ORDER BY conname",
           "pg_get_constraintdef\n"
           "FOREIGN KEY (a) REFERENCES p(id) ON UPDATE SET NULL ON DELETE CASCADE\n"
           "FOREIGN KEY (pid) REFERENCES p(id)\n"
           "FOREIGN KEY (b) REFERENCES p(name) MATCH FULL\n"
           "SELECT 3\n");
    expect(a, "SELECT constraint_name, unique_constraint_name, match_option, update_rule, "
              "delete_rule FROM information_schema.referential_constraints ORDER BY 1",
           "constraint_name|unique_constraint_name|match_option|update_rule|delete_rule\n"
           "c8_a_fkey|p_pkey|NONE|SET NULL|CASCADE\n"
           "c_pid_fkey|p_pkey|NONE|NO ACTION|NO ACTION\n"
           "named|p_name_key|FULL|NO ACTION|NO ACTION\n"
           "SELECT 3\n");
    expect(a, "DROP TABLE p",
           "ERROR 2BP01: cannot drop table p because other objects depend on it\n");
    expect(a, "TRUNCATE p",
           "ERROR 0A000: cannot truncate a table referenced in a foreign key constraint\n");
    expect(a, "ALTER TABLE c8 DROP CONSTRAINT named", "ALTER TABLE\n");
    expect(a, "DROP TABLE p CASCADE",
           "NOTICE 00000: drop cascades to 2 other objects\nDROP TABLE\n");
    expect(a, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'", "count\n0\nSELECT 1\n");
    expect(a, "DROP TABLE c, c8, q", "DROP TABLE\n");
}

/* ---- enforcement ---- */

static void script_enforce(capture *a) {
    fk_schema(a);
    expect(a, "INSERT INTO c VALUES (1, 99, 'x')",
           "ERROR 23503: insert or update on table \"c\" violates foreign key constraint "
           "\"c_pid_fkey\"\n");
    rt_err err;
    rt_err_clear(&err);
    /* the detail and the fields clients read */
    const char *sql = "INSERT INTO c VALUES (1, 99, 'x')";
    sql_sink sink = cap_sink_proto;
    sink.arg = a;
    TEST_CHECK(!sql_session_simple_query(a->s, sql, (uint32_t)strlen(sql), &sink, &err));
    TEST_CHECK(strcmp(err.detail, "Key (pid)=(99) is not present in table \"p\".") == 0);
    TEST_CHECK(strcmp(err.table_name, "c") == 0);
    TEST_CHECK(strcmp(err.constraint_name, "c_pid_fkey") == 0);
    /* many rows, parents on both shards, NULL keys unchecked */
    expect(a, "INSERT INTO c SELECT g, g % 20 + 1, 'v' FROM generate_series(1, 200) g",
           "INSERT 0 200\n");
    expect(a, "INSERT INTO c VALUES (201, NULL, 'null')", "INSERT 0 1\n");
    expect(a, "UPDATE c SET pid = 42 WHERE id = 5",
           "ERROR 23503: insert or update on table \"c\" violates foreign key constraint "
           "\"c_pid_fkey\"\n");
    expect(a, "UPDATE c SET t = 'w' WHERE id = 5", "UPDATE 1\n");
    expect(a, "DELETE FROM p WHERE id = 3",
           "ERROR 23503: update or delete on table \"p\" violates foreign key constraint "
           "\"c_pid_fkey\" on table \"c\"\n");
    rt_err_clear(&err);
    sql = "DELETE FROM p WHERE id = 3";
    TEST_CHECK(!sql_session_simple_query(a->s, sql, (uint32_t)strlen(sql), &sink, &err));
    TEST_CHECK(strcmp(err.detail, "Key (id)=(3) is still referenced from table \"c\".") == 0);
    expect(a, "UPDATE p SET n = 0 WHERE id = 3", "UPDATE 1\n");
    /* deleting the children first, then the parent, in one transaction */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "DELETE FROM c WHERE pid = 3", "DELETE 10\n");
    expect(a, "DELETE FROM p WHERE id = 3", "DELETE 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    /* RESTRICT behaves as NO ACTION here; the failed statement leaves everything */
    expect(a, "CREATE TABLE r (id int PRIMARY KEY, pid int REFERENCES p ON DELETE RESTRICT)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO r VALUES (1, 4)", "INSERT 0 1\n");
    expect(a, "DELETE FROM c WHERE pid = 4", "DELETE 10\n");
    expect(a, "DELETE FROM p WHERE id = 4",
           "ERROR 23503: update or delete on table \"p\" violates foreign key constraint "
           "\"r_pid_fkey\" on table \"r\"\n");
    expect(a, "SELECT count(*) FROM p", "count\n19\nSELECT 1\n");
    /* MATCH FULL */
    expect(a, "CREATE TABLE k (a int, b int, PRIMARY KEY (a, b))", "CREATE TABLE\n");
    expect(a, "INSERT INTO k VALUES (1, 1)", "INSERT 0 1\n");
    expect(a, "CREATE TABLE mf (x int, y int, FOREIGN KEY (x, y) REFERENCES k MATCH FULL)",
           "CREATE TABLE\n");
    expect(a, "CREATE TABLE ms (x int, y int, FOREIGN KEY (x, y) REFERENCES k)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO mf VALUES (1, 1), (NULL, NULL)", "INSERT 0 2\n");
    expect(a, "INSERT INTO mf VALUES (1, NULL)",
           "ERROR 23503: insert or update on table \"mf\" violates foreign key constraint "
           "\"mf_x_y_fkey\"\n");
    expect(a, "INSERT INTO ms VALUES (1, NULL), (7, NULL), (1, 1)", "INSERT 0 3\n");
    expect(a, "INSERT INTO ms VALUES (1, 2)",
           "ERROR 23503: insert or update on table \"ms\" violates foreign key constraint "
           "\"ms_x_y_fkey\"\n");
}

/* CASCADE chains, SET NULL, SET DEFAULT, ON UPDATE CASCADE, self references. */
static void script_actions(capture *a) {
    expect(a, "CREATE TABLE g1 (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE g2 (id int PRIMARY KEY, g1 int REFERENCES g1 ON DELETE CASCADE)",
           "CREATE TABLE\n");
    expect(a, "CREATE TABLE g3 (id int PRIMARY KEY, g2 int REFERENCES g2 ON DELETE CASCADE)",
           "CREATE TABLE\n");
    expect(a, "CREATE TABLE sn (id int PRIMARY KEY, g1 int REFERENCES g1 ON DELETE SET NULL)",
           "CREATE TABLE\n");
    expect(a, "CREATE TABLE sd (id int PRIMARY KEY, g1 int DEFAULT 0 REFERENCES g1 "
              "ON DELETE SET DEFAULT ON UPDATE CASCADE)", "CREATE TABLE\n");
    expect(a, "INSERT INTO g1 SELECT generate_series(0, 9)", "INSERT 0 10\n");
    expect(a, "INSERT INTO g2 SELECT g, g % 3 + 1 FROM generate_series(1, 30) g",
           "INSERT 0 30\n");
    expect(a, "INSERT INTO g3 SELECT g, g % 30 + 1 FROM generate_series(1, 90) g",
           "INSERT 0 90\n");
    expect(a, "INSERT INTO sn VALUES (1, 1), (2, 2), (3, NULL)", "INSERT 0 3\n");
    expect(a, "INSERT INTO sd VALUES (1, 1), (2, 2), (3, 5)", "INSERT 0 3\n");
    expect(a, "DELETE FROM g1 WHERE id = 1", "DELETE 1\n");
    expect(a, "SELECT (SELECT count(*) FROM g2), (SELECT count(*) FROM g3)",
           "count|count\n20|60\nSELECT 1\n");
    expect(a, "SELECT id, g1 FROM sn ORDER BY id", "id|g1\n1|NULL\n2|2\n3|NULL\nSELECT 3\n");
    expect(a, "SELECT id, g1 FROM sd ORDER BY id", "id|g1\n1|0\n2|2\n3|5\nSELECT 3\n");
    expect(a, "DELETE FROM g1 WHERE id = 0",
           "ERROR 23503: update or delete on table \"g1\" violates foreign key constraint "
           "\"sd_g1_fkey\" on table \"sd\"\n");
    /* the new key may live in another partition: the row moves, the reference follows */
    expect(a, "UPDATE g1 SET id = 50 WHERE id = 5", "UPDATE 1\n");
    expect(a, "SELECT id, g1 FROM sd ORDER BY id", "id|g1\n1|0\n2|2\n3|50\nSELECT 3\n");
    /* a tree that refers to itself: parents and children in one statement */
    expect(a, "CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree "
              "ON DELETE CASCADE)", "CREATE TABLE\n");
    expect(a, "INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 3), (5, 1)",
           "INSERT 0 5\n");
    expect(a, "INSERT INTO tree VALUES (6, 7)",
           "ERROR 23503: insert or update on table \"tree\" violates foreign key constraint "
           "\"tree_parent_fkey\"\n");
    expect(a, "INSERT INTO tree VALUES (7, 7)", "INSERT 0 1\n");
    expect(a, "DELETE FROM tree WHERE id = 2", "DELETE 1\n");
    expect(a, "SELECT id FROM tree ORDER BY id", "id\n1\n5\n7\nSELECT 3\n");
    expect(a, "CREATE TABLE nt (id int PRIMARY KEY, parent int REFERENCES nt)", "CREATE TABLE\n");
    expect(a, "INSERT INTO nt SELECT g, NULLIF(g - 1, 0) FROM generate_series(1, 50) g",
           "INSERT 0 50\n");
    expect(a, "DELETE FROM nt WHERE id = 25",
           "ERROR 23503: update or delete on table \"nt\" violates foreign key constraint "
           "\"nt_parent_fkey\" on table \"nt\"\n");
    expect(a, "DELETE FROM nt", "DELETE 50\n");
}

/* ALTER TABLE ... ADD FOREIGN KEY checks the rows there; NOT VALID defers that to VALIDATE. */
static void script_alter(capture *a) {
    fk_schema(a);
    expect(a, "CREATE TABLE o (id int PRIMARY KEY, pid int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO o VALUES (1, 1), (2, 2), (3, 77), (4, NULL)", "INSERT 0 4\n");
    expect(a, "ALTER TABLE o ADD CONSTRAINT o_p FOREIGN KEY (pid) REFERENCES p",
           "ERROR 23503: insert or update on table \"o\" violates foreign key constraint "
           "\"o_p\"\n");
    expect(a, "ALTER TABLE o ADD CONSTRAINT o_p FOREIGN KEY (pid) REFERENCES p NOT VALID",
           "ALTER TABLE\n");
    expect(a, "SELECT convalidated FROM pg_constraint WHERE conname = 'o_p'",
           "convalidated\nf\nSELECT 1\n");
    expect(a, "INSERT INTO o VALUES (5, 55)",
           "ERROR 23503: insert or update on table \"o\" violates foreign key constraint "
           "\"o_p\"\n");
    expect(a, "ALTER TABLE o VALIDATE CONSTRAINT o_p",
           "ERROR 23503: insert or update on table \"o\" violates foreign key constraint "
           "\"o_p\"\n");
    expect(a, "DELETE FROM o WHERE id = 3", "DELETE 1\n");
    expect(a, "ALTER TABLE o VALIDATE CONSTRAINT o_p", "ALTER TABLE\n");
    expect(a, "SELECT convalidated FROM pg_constraint WHERE conname = 'o_p'",
           "convalidated\nt\nSELECT 1\n");
    expect(a, "ALTER TABLE o ADD COLUMN q int REFERENCES p", "ALTER TABLE\n");
    expect(a, "SELECT conname FROM pg_constraint WHERE conrelid = 'o'::regclass AND contype = "
              "'f' ORDER BY 1", "conname\no_p\no_q_fkey\nSELECT 2\n");
    expect(a, "ALTER TABLE o DROP CONSTRAINT o_p", "ALTER TABLE\n");
    expect(a, "INSERT INTO o VALUES (6, 66)", "INSERT 0 1\n");
    expect(a, "TRUNCATE p, c, o", "TRUNCATE TABLE\n");
    expect(a, "INSERT INTO p VALUES (1, 'a', 1)", "INSERT 0 1\n");
    expect(a, "INSERT INTO c VALUES (1, 1, 'x')", "INSERT 0 1\n");
    expect(a, "TRUNCATE p CASCADE",
           "NOTICE 00000: truncate cascades to table \"c\"\n"
           "NOTICE 00000: truncate cascades to table \"o\"\nTRUNCATE TABLE\n");
    expect(a, "SELECT count(*) FROM c", "count\n0\nSELECT 1\n");
}

/* DEFERRABLE INITIALLY DEFERRED and SET CONSTRAINTS: checks at COMMIT, which rolls back. */
static void script_deferred(capture *a) {
    expect(a, "CREATE TABLE dp (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE dc (id int PRIMARY KEY, pid int REFERENCES dp DEFERRABLE "
              "INITIALLY DEFERRED)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE dd (id int PRIMARY KEY, pid int REFERENCES dp DEFERRABLE)",
           "CREATE TABLE\n");
    expect(a, "BEGIN; INSERT INTO dc VALUES (1, 1); INSERT INTO dp VALUES (1); COMMIT",
           "BEGIN\nINSERT 0 1\nINSERT 0 1\nCOMMIT\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO dc VALUES (2, 2)", "INSERT 0 1\n");
    expect(a, "COMMIT",
           "ERROR 23503: insert or update on table \"dc\" violates foreign key constraint "
           "\"dc_pid_fkey\"\n");
    expect(a, "SELECT id FROM dc", "id\n1\nSELECT 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SET CONSTRAINTS ALL DEFERRED", "SET CONSTRAINTS\n");
    expect(a, "INSERT INTO dd VALUES (1, 5)", "INSERT 0 1\n");
    expect(a, "SET CONSTRAINTS dd_pid_fkey IMMEDIATE",
           "ERROR 23503: insert or update on table \"dd\" violates foreign key constraint "
           "\"dd_pid_fkey\"\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "BEGIN; DELETE FROM dp WHERE id = 1; INSERT INTO dp VALUES (1); COMMIT",
           "BEGIN\nDELETE 1\nINSERT 0 1\nCOMMIT\n");
    expect(a, "BEGIN; DELETE FROM dp WHERE id = 1", "BEGIN\nDELETE 1\n");
    expect(a, "COMMIT",
           "ERROR 23503: update or delete on table \"dp\" violates foreign key constraint "
           "\"dc_pid_fkey\" on table \"dc\"\n");
    expect(a, "SELECT count(*) FROM dp", "count\n1\nSELECT 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SET CONSTRAINTS dp_pkey DEFERRED",
           "ERROR 42809: constraint \"dp_pkey\" is not deferrable\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
}

/* ---- concurrency ---- */

static struct {
    _Atomic int step;
    _Atomic int done;
    char out[1024];
} cc;

static capture *second_open(int pid) {
    static capture b[4];
    capture *c = &b[pid - 43];
    return sh_open_as(c, "postgres", (uint32_t)pid) ? c : NULL;
}

static void wait_step(int n) {
    while (atomic_load(&cc.step) < n) rt_fiber_sleep_ns(MS);
}

/* B: a FOR SHARE holder beside A's; then a DELETE of the parent that must wait for A. */
static void share_second(void *arg) {
    (void)arg;
    capture *b = second_open(43);
    if (b == NULL) {
        atomic_fetch_add(&cc.done, 1);
        return;
    }
    wait_step(1);
    run(b, "BEGIN");
    snprintf(cc.out, sizeof cc.out, "%.1000s", run(b, "SELECT id FROM p WHERE id = 2 FOR SHARE"));
    atomic_fetch_add(&cc.step, 1); /* 2: both hold FOR SHARE */
    wait_step(3);
    run(b, "COMMIT");
    sql_session_close(b->s);
    atomic_fetch_add(&cc.done, 1);
}

static void writer_fiber(void *arg) {
    capture *w = arg;
    snprintf(cc.out, sizeof cc.out, "%.1000s", run(w, "UPDATE p SET n = 100 WHERE id = 2"));
    atomic_fetch_add(&cc.done, 1);
}

static void script_share_locks(capture *a) {
    fk_schema(a);
    atomic_store(&cc.step, 0);
    atomic_store(&cc.done, 0);
    test_spawn(share_second, NULL);
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM p WHERE id = 2 FOR KEY SHARE", "id\n2\nSELECT 1\n");
    atomic_store(&cc.step, 1);
    wait_step(2);
    sh_check("second FOR SHARE does not wait", cc.out, "id\n2\nSELECT 1\n");
    /* a third session's UPDATE waits for both holders; NOWAIT and FOR UPDATE fail at once */
    capture *w = second_open(44);
    TEST_CHECK(w != NULL);
    expect(w, "SELECT id FROM p WHERE id = 2 FOR UPDATE NOWAIT",
           "ERROR 55P03: could not obtain lock on row in relation \"p\"\n");
    expect(w, "SET lock_timeout = '100ms'", "SET\n");
    expect(w, "DELETE FROM p WHERE id = 2",
           "ERROR 55P03: canceling statement due to lock timeout\n");
    expect(w, "RESET lock_timeout", "RESET\n");
    expect(w, "SELECT id FROM p WHERE id = 2 FOR SHARE NOWAIT", "id\n2\nSELECT 1\n");
    cc.out[0] = '\0';
    test_spawn(writer_fiber, w);
    rt_fiber_sleep_ns(200 * MS);
    TEST_CHECK(atomic_load(&cc.done) == 0); /* the writer still waits */
    expect(a, "COMMIT", "COMMIT\n");
    rt_fiber_sleep_ns(100 * MS);
    TEST_CHECK(atomic_load(&cc.done) == 0); /* B still holds its share */
    atomic_store(&cc.step, 3);
    while (atomic_load(&cc.done) < 2) rt_fiber_sleep_ns(MS);
    sh_check("writer after both holders", cc.out, "UPDATE 1\n");
    sql_session_close(w->s);
    expect(a, "SELECT n FROM p WHERE id = 2", "n\n100\nSELECT 1\n");
}

/* A child insert holds KEY SHARE on its parent: the parent's DELETE waits, then fails. */
static void delete_fiber(void *arg) {
    capture *d = arg;
    snprintf(cc.out, sizeof cc.out, "%.1000s", run(d, "DELETE FROM p WHERE id = 7"));
    atomic_fetch_add(&cc.done, 1);
}

static void script_parent_waits(capture *a) {
    fk_schema(a);
    atomic_store(&cc.done, 0);
    capture *d = second_open(45);
    TEST_CHECK(d != NULL);
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO c VALUES (1, 7, 'x')", "INSERT 0 1\n");
    cc.out[0] = '\0';
    test_spawn(delete_fiber, d);
    rt_fiber_sleep_ns(200 * MS);
    TEST_CHECK(atomic_load(&cc.done) == 0);
    expect(a, "COMMIT", "COMMIT\n");
    while (atomic_load(&cc.done) < 1) rt_fiber_sleep_ns(MS);
    sh_check("parent delete after the child committed", cc.out,
                  "ERROR 23503: update or delete on table \"p\" violates foreign key "
                  "constraint \"c_pid_fkey\" on table \"c\"\n");
    /* rolled back instead: the delete goes through */
    atomic_store(&cc.done, 0);
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO c VALUES (2, 8, 'y')", "INSERT 0 1\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(d, "DELETE FROM p WHERE id = 8", "DELETE 1\n");
    /* two children of one parent inserted at once never wait for each other */
    capture *f = second_open(46);
    TEST_CHECK(f != NULL);
    expect(a, "BEGIN", "BEGIN\n");
    expect(f, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO c VALUES (10, 9, 'a')", "INSERT 0 1\n");
    expect(f, "INSERT INTO c VALUES (11, 9, 'b')", "INSERT 0 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    expect(f, "COMMIT", "COMMIT\n");
    expect(a, "SELECT count(*) FROM c WHERE pid = 9", "count\n2\nSELECT 1\n");
    sql_session_close(f->s);
    sql_session_close(d->s);
}

/* Shared holders take part in deadlock detection: A and B share row 1, each then updates it. */
static void upgrade_fiber(void *arg) {
    capture *b = arg;
    snprintf(cc.out, sizeof cc.out, "%.1000s", run(b, "UPDATE p SET n = 2 WHERE id = 1"));
    run(b, strncmp(cc.out, "ERROR", 5) == 0 ? "ROLLBACK" : "COMMIT");
    atomic_fetch_add(&cc.done, 1);
}

static void script_share_deadlock(capture *a) {
    fk_schema(a);
    atomic_store(&cc.done, 0);
    capture *b = second_open(45);
    TEST_CHECK(b != NULL);
    expect(a, "BEGIN", "BEGIN\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM p WHERE id = 1 FOR SHARE", "id\n1\nSELECT 1\n");
    expect(b, "SELECT id FROM p WHERE id = 1 FOR SHARE", "id\n1\nSELECT 1\n");
    test_spawn(upgrade_fiber, b);
    const char *out = run(a, "UPDATE p SET n = 1 WHERE id = 1");
    char mine[256];
    snprintf(mine, sizeof mine, "%.200s", out);
    bool a_lost = strncmp(mine, "ERROR 40P01", 11) == 0;
    run(a, a_lost ? "ROLLBACK" : "COMMIT");
    while (atomic_load(&cc.done) < 1) rt_fiber_sleep_ns(MS);
    bool b_lost = strncmp(cc.out, "ERROR 40P01", 11) == 0;
    TEST_CHECK(a_lost != b_lost);
    expect(a, "SELECT n FROM p WHERE id = 1", a_lost ? "n\n2\nSELECT 1\n" : "n\n1\nSELECT 1\n");
    sql_session_close(b->s);
}

/* ---- restart ---- */

static void script_before_restart(capture *a) {
    fk_schema(a);
    expect(a, "CREATE TABLE d (id int PRIMARY KEY, pid int REFERENCES p ON DELETE CASCADE)",
           "CREATE TABLE\n");
    expect(a, "INSERT INTO d VALUES (1, 1), (2, 2)", "INSERT 0 2\n");
    expect(a, "INSERT INTO c VALUES (1, 3, 'x')", "INSERT 0 1\n");
}

static void script_after_restart(capture *a) {
    expect(a, "SELECT conname, confdeltype FROM pg_constraint WHERE contype = 'f' ORDER BY 1",
           "conname|confdeltype\nc_pid_fkey|a\nd_pid_fkey|c\nSELECT 2\n");
    expect(a, "INSERT INTO c VALUES (2, 99, 'x')",
           "ERROR 23503: insert or update on table \"c\" violates foreign key constraint "
           "\"c_pid_fkey\"\n");
    expect(a, "DELETE FROM p WHERE id = 3",
           "ERROR 23503: update or delete on table \"p\" violates foreign key constraint "
           "\"c_pid_fkey\" on table \"c\"\n");
    expect(a, "DELETE FROM p WHERE id = 1", "DELETE 1\n");
    expect(a, "SELECT id FROM d", "id\n2\nSELECT 1\n");
}

static void test_fk_ddl(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_ddl), 0);
}
static void test_fk_enforce(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_enforce), 0);
}
static void test_fk_actions(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_actions), 0);
}
static void test_fk_alter(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_alter), 0);
}
static void test_fk_deferred(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_deferred), 0);
}
static void test_fk_share_locks(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_share_locks), 0);
}
static void test_fk_parent_waits(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_parent_waits), 0);
}
static void test_fk_share_deadlock(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script_share_deadlock), 0);
}
static void test_fk_restart(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "fk_restart"));
    assert_int_equal(sh_run_in(dir, 2, script_before_restart), 0);
    assert_int_equal(sh_run_in(dir, 2, script_after_restart), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fk_ddl),           cmocka_unit_test(test_fk_enforce),
        cmocka_unit_test(test_fk_actions),       cmocka_unit_test(test_fk_alter),
        cmocka_unit_test(test_fk_deferred),      cmocka_unit_test(test_fk_share_locks),
        cmocka_unit_test(test_fk_parent_waits),  cmocka_unit_test(test_fk_share_deadlock),
        cmocka_unit_test(test_fk_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
