/* test_sql_deadlock.c: two transactions that lock rows in opposite order: one of them is ended
 * with 40P01 "deadlock detected" after about a second (the deadlock timeout) and the other
 * goes on and commits; rows on different shards (partitions) deadlock the same way.
 * How: two sessions over a real engine (sql_session_harness.h), the second in its own fiber;
 * each takes its first row, waits until the other has taken its own, then asks for the
 * other's. */
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
    rt_err err;
    rt_err_clear(&err);
    sql_startup st = {.user = "postgres", .database = "postgres", .backend_pid = 43};
    if (!sql_session_open(&st, &b.s, &err)) {
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

static void test_deadlock_detected(void **state) {
    (void)state;
    int failures = sh_run(2, script);
    fprintf(stderr, "a: %sb: %s", dl.out_a, dl.out_b);
    assert_int_equal(failures, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_deadlock_detected)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
