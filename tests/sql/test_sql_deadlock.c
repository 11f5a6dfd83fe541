/* test_sql_deadlock.c: two transactions that lock rows in opposite order: one of them is ended
 * with 40P01 "deadlock detected" after about a second (the deadlock timeout) and the other
 * goes on and commits; rows on different shards (partitions) deadlock the same way; so do
 * cycles through a row lock and a table lock (LOCK TABLE, a statement's weak lock, DDL's).
 * How: two sessions over a real engine (sql_session_harness.h), the second in its own fiber;
 * each takes its first row, waits until the other has taken its own, then asks for the
 * other's. For the mixed cycles the second session's blocking statement runs in a fiber of
 * its own (sh_bg_start) while the first asks for what the second holds. */
// ctest: TIMEOUT 120
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"

static struct {
    _Atomic int taken;          /* first rows locked */
    _Atomic int done;
    char out_a[512], out_b[512];
} dl;

static void second_session(void *arg) {
    (void)arg;
    static capture b;
    if (!sh_open_as(&b, "postgres", 43)) {
        atomic_fetch_add(&dl.done, 1);
        return;
    }
    run(&b, "BEGIN");
    run(&b, "UPDATE acct SET bal = bal + 1 WHERE id = 2");
    atomic_fetch_add(&dl.taken, 1);
    while (atomic_load(&dl.taken) < 2) rt_fiber_sleep_ns(1000000);
    const char *out = run(&b, "UPDATE acct SET bal = bal + 1 WHERE id = 1");
    snprintf(dl.out_b, sizeof dl.out_b, "%s", out);
    run(&b, strncmp(dl.out_b, "ERROR", 5) == 0 ? "ROLLBACK" : "COMMIT");
    sql_session_close(b.s);
    atomic_fetch_add(&dl.done, 1);
}

static void script(capture *a) {
    expect(a, "CREATE TABLE acct (id int PRIMARY KEY, bal int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO acct SELECT g, 100 FROM generate_series(1, 8) g", "INSERT 0 8\n");
    test_spawn(second_session, NULL);
    run(a, "BEGIN");
    run(a, "UPDATE acct SET bal = bal - 1 WHERE id = 1");
    atomic_fetch_add(&dl.taken, 1);
    while (atomic_load(&dl.taken) < 2) rt_fiber_sleep_ns(1000000);
    const char *out = run(a, "UPDATE acct SET bal = bal - 1 WHERE id = 2");
    snprintf(dl.out_a, sizeof dl.out_a, "%s", out);
    run(a, strncmp(dl.out_a, "ERROR", 5) == 0 ? "ROLLBACK" : "COMMIT");
    while (atomic_load(&dl.done) < 1) rt_fiber_sleep_ns(1000000);
    /* Exactly one transaction was the victim; the other's changes are all there. */
    bool a_lost = strncmp(dl.out_a, "ERROR 40P01: deadlock detected", 30) == 0;
    bool b_lost = strncmp(dl.out_b, "ERROR 40P01: deadlock detected", 30) == 0;
    TEST_CHECK(a_lost != b_lost);
    TEST_CHECK(strcmp(a_lost ? dl.out_b : dl.out_a, "UPDATE 1\n") == 0);
    expect(a, "SELECT sum(bal) FROM acct WHERE id IN (1, 2)",
           a_lost ? "sum\n202\nSELECT 1\n" : "sum\n198\nSELECT 1\n");
}

/* A cycle through a row lock and a table lock: A holds a row that B's `b_block` waits for,
 * B holds a table lock (taken by `b_pre`, or by b_block's own statement) that A's `a_block`
 * waits for. One of them is ended with 40P01, the other goes on with `a_ok` / `b_ok`. */
static void mixed_case(capture *a, capture *b, const char *a_pre, const char *b_pre,
                       const char *b_block, const char *b_ok, const char *a_block,
                       const char *a_ok) {
    static sh_bg bg;
    const char *dead = "ERROR 40P01: deadlock detected\n";
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, a_pre, "UPDATE 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    if (b_pre != NULL) run(b, b_pre);
    sh_bg_start(&bg, b, b_block);
    static char got[OUT_BYTES];
    snprintf(got, sizeof got, "%s", run(a, a_block));
    bool a_lost = strcmp(got, dead) == 0;
    if (a_lost) expect(a, "ROLLBACK", "ROLLBACK\n");
    sh_bg_wait(&bg);
    bool b_lost = strcmp(bg.out, dead) == 0;
    TEST_CHECK(a_lost != b_lost);
    if (!a_lost) sh_check(a_block, got, a_ok);
    if (!b_lost) sh_check(b_block, bg.out, b_ok);
    expect(b, "ROLLBACK", "ROLLBACK\n");
    if (!a_lost) expect(a, "ROLLBACK", "ROLLBACK\n");
}

/* Deadlocks that pass through a row lock and a table lock are found as PostgreSQL finds them
 * (there the first to wait is the victim, here the transaction of the highest slot: either
 * may be ended, never both, never neither). */
static void script_mixed(capture *a) {
    capture *b = calloc(1, sizeof *b);
    if (b == NULL || !sh_open(b)) {
        TEST_CHECK(false);
        free(b);
        return;
    }
    expect(a, "CREATE TABLE other (id int)", "CREATE TABLE\n");
    mixed_case(a, b, "UPDATE acct SET bal = bal WHERE id = 3",
               "LOCK TABLE other IN ACCESS EXCLUSIVE MODE",
               "UPDATE acct SET bal = bal + 1 WHERE id = 3", "UPDATE 1\n",
               "SELECT count(*) FROM other", "count\n0\nSELECT 1\n");
    mixed_case(a, b, "UPDATE acct SET bal = bal WHERE id = 4", NULL,
               "UPDATE acct SET bal = bal + 1 WHERE id = 4", "UPDATE 1\n",
               "LOCK TABLE acct IN EXCLUSIVE MODE", "LOCK TABLE\n");
    mixed_case(a, b, "UPDATE acct SET bal = bal WHERE id = 5",
               "ALTER TABLE other ADD COLUMN x int",
               "SELECT id FROM acct WHERE id = 5 FOR UPDATE", "id\n5\nSELECT 1\n",
               "SELECT * FROM other", "id\nSELECT 0\n");
    sql_session_close(b->s);
    free(b);
}

static void script_all(capture *a) {
    script(a);
    script_mixed(a);
}

static void test_deadlock_detected(void **state) {
    (void)state;
    int failures = sh_run(2, script_all);
    fprintf(stderr, "a: %sb: %s", dl.out_a, dl.out_b);
    assert_int_equal(failures, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_deadlock_detected)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
