/* test_sql_dml_join.c: UPDATE ... FROM and DELETE ... USING planned as joins, and RETURNING
 * rows held until a statement's foreign-key checks pass.
 * What: a target row that several FROM rows match changes once; RETURNING names FROM columns
 * and `*` lists the target's columns then FROM's; the plan is a hash join in the target's write
 * fragment (the FROM table read whole, or co-located when keyed on the join column like t); under READ COMMITTED a target row updated
 * meanwhile by a committed transaction is re-checked against the join condition with the same
 * FROM row (skipped when its join column moved away, updated in its newest version when it
 * still matches), as PostgreSQL's EvalPlanQual does; INSERT / UPDATE / DELETE ... RETURNING
 * whose foreign-key check fails at the end of the statement hand the client no row (only the
 * error, not even the row description, which goes with the first row), and hand the rows when
 * the checks pass.
 * How: real sessions over a real engine with two shards (sql_session_harness.h); what a
 * client sees (rows as they are sent, the command tag, the error) compared with PostgreSQL
 * 15's; the session that must wait runs in its own fiber and the main fiber checks that it
 * has not finished before the other transaction commits (no bound on how long anything
 * takes). */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/wait.h>

#include "tests/sql/sql_session_harness.h"

static void script_join(capture *a) {
    expect(a, "CREATE TABLE t (id int PRIMARY KEY, k int, v int)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE s (k int, v int, tag text)", "CREATE TABLE\n");
    expect(a, "INSERT INTO t SELECT g, g, 0 FROM generate_series(1, 100) g", "INSERT 0 100\n");
    expect(a, "INSERT INTO s SELECT g % 50 + 1, g, 'r' || g FROM generate_series(1, 200) g",
           "INSERT 0 200\n");
    /* 50 target rows match 4 rows of s each: each changes once */
    expect(a, "UPDATE t SET v = t.v + 1 FROM s WHERE s.k = t.k", "UPDATE 50\n");
    expect(a, "SELECT count(*), sum(v) FROM t", "count|sum\n100|50\nSELECT 1\n");
    expect(a, "DELETE FROM t USING s WHERE s.k = t.k AND t.id > 48", "DELETE 2\n");
    expect(a, "UPDATE t SET v = 7 FROM s WHERE s.k = t.k AND s.v = 47 RETURNING *",
           "id|k|v|k|v|tag\n48|48|7|48|47|r47\nUPDATE 1\n");
    expect(a, "DELETE FROM t USING s WHERE s.k = t.k AND s.v = 47 RETURNING s.tag, t.v",
           "tag|v\nr47|7\nDELETE 1\n");
    /* The plans: a hash join in the target's fragment, reading s whole (broadcast) or, for a
     * table keyed on the join column like t, only the fragment's own partitions of it. */
    expect(a, "EXPLAIN (COSTS OFF) UPDATE t SET v = s.v FROM s WHERE s.k = t.k AND s.v > 3",
           "QUERY PLAN\n"
           "Gather\n"
           "  Partitions: 2\n"
           "  ->  Update on t\n"
           "        ->  Hash Join\n"
           "              Hash Cond: (t.k = s.k)\n"
           "              ->  Seq Scan on t\n"
           "              ->  Hash\n"
           "                    ->  Gather\n"
           "                          Partitions: 2\n"
           "                          ->  Seq Scan on s\n"
           "                                Filter: (v > 3)\n"
           "EXPLAIN\n");
    expect(a, "CREATE TABLE tk (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "EXPLAIN (COSTS OFF) DELETE FROM t USING tk WHERE tk.id = t.id AND t.v > 0",
           "QUERY PLAN\n"
           "Gather\n"
           "  Partitions: 2\n"
           "  ->  Delete on t\n"
           "        ->  Hash Join\n"
           "              Hash Cond: (t.id = tk.id)\n"
           "              ->  Seq Scan on t\n"
           "                    Filter: (v > 0)\n"
           "              ->  Hash\n"
           "                    ->  Seq Scan on tk\n"
           "EXPLAIN\n");
}

/* A moves row 1's join column away and changes row 2's other column; B's UPDATE ... FROM
 * waits for both, then skips row 1 (no longer joined to its s row) and updates row 2's newest
 * version. */
static void script_recheck(capture *a) {
    expect(a, "CREATE TABLE t (id int PRIMARY KEY, k int, v int)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE s (k int, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO t VALUES (1, 1, 0), (2, 2, 0)", "INSERT 0 2\n");
    expect(a, "INSERT INTO s VALUES (1, 10), (2, 20)", "INSERT 0 2\n");
    static capture b_session;
    static sh_bg bg; /* B's UPDATE ... FROM waits for A's rows */
    capture *b = &b_session;
    if (!sh_open_as(b, "postgres", 43)) return;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE t SET k = 99 WHERE id = 1", "UPDATE 1\n");
    expect(a, "UPDATE t SET v = 5 WHERE id = 2", "UPDATE 1\n");
    sh_bg_start(&bg, b, "UPDATE t SET v = s.v FROM s WHERE s.k = t.k RETURNING t.id, t.k, t.v");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("UPDATE ... FROM after a concurrent update", bg.out,
                  "id|k|v\n2|2|20\nUPDATE 1\n");
    expect(a, "SELECT id, k, v FROM t ORDER BY id", "id|k|v\n1|99|0\n2|2|20\nSELECT 2\n");
    sql_session_close(b->s);
}

static void script_returning_fk(capture *a) {
    expect(a, "CREATE TABLE p (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p)", "CREATE TABLE\n");
    expect(a, "INSERT INTO p SELECT g FROM generate_series(1, 10) g", "INSERT 0 10\n");
    /* a failing check: the client sees the error, none of the rows */
    expect(a, "INSERT INTO c SELECT g, g FROM generate_series(1, 11) g RETURNING id",
           "ERROR 23503: insert or update on table \"c\" violates foreign key constraint "
           "\"c_pid_fkey\"\n");
    expect(a, "INSERT INTO c SELECT g, g FROM generate_series(1, 9) g", "INSERT 0 9\n");
    expect(a, "INSERT INTO c VALUES (10, 10) RETURNING id", "id\n10\nINSERT 0 1\n");
    expect(a, "UPDATE c SET pid = pid + 1 WHERE id >= 9 RETURNING id, pid",
           "ERROR 23503: insert or update on table \"c\" violates foreign key "
           "constraint \"c_pid_fkey\"\n");
    expect(a, "DELETE FROM p WHERE id >= 9 RETURNING id",
           "ERROR 23503: update or delete on table \"p\" violates foreign key constraint "
           "\"c_pid_fkey\" on table \"c\"\n");
    expect(a, "UPDATE c SET pid = 1 FROM p WHERE p.id = c.id AND p.id = 10 RETURNING c.id, p.id",
           "id|id\n10|10\nUPDATE 1\n");
    expect(a, "DELETE FROM p WHERE id = 10 RETURNING id", "id\n10\nDELETE 1\n");
    expect(a, "SELECT count(*) FROM c", "count\n10\nSELECT 1\n");
}

/* Each run in a child process of its own (an engine started twice in one process would find
 * the first one's per-thread state). */
static int in_child(sh_script_fn fn) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(sh_run(2, fn) != 0);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void test_dml_join_once_and_returning(void **state) {
    (void)state;
    assert_int_equal(in_child(script_join), 0);
}

static void test_dml_join_read_committed_recheck(void **state) {
    (void)state;
    assert_int_equal(in_child(script_recheck), 0);
}

static void test_dml_returning_held_until_fk_checks(void **state) {
    (void)state;
    assert_int_equal(in_child(script_returning_fk), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dml_join_once_and_returning),
        cmocka_unit_test(test_dml_join_read_committed_recheck),
        cmocka_unit_test(test_dml_returning_held_until_fk_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
