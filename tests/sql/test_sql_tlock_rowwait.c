/* test_sql_tlock_rowwait.c: row-lock waits and LOCK TABLE waits on the same table form no
 * deadlock unless they make a real cycle. A updates a row in an open transaction; B updates the
 * same row (it waits for A's row lock); C asks for LOCK TABLE ... ACCESS EXCLUSIVE (it waits for
 * A's and B's ROW EXCLUSIVE locks). Nobody waits for C and A waits for nobody, so, as in
 * PostgreSQL 15, no one gets 40P01: when A commits, B's UPDATE completes, then (once B commits)
 * C's LOCK TABLE. The variant queues C's LOCK TABLE before B's UPDATE: B then waits behind C's
 * queued lock, C gets the table when A commits, and B's UPDATE completes once C commits.
 * How: sessions (sql_session.h) in fibers on shard 0 of a real engine; the blocked statements
 * run in fibers of their own. The main fiber waits several deadlock_timeouts (a longer wait on
 * a slow machine only makes the check stronger) and checks nobody finished, then ends the
 * transactions one at a time and checks who finished: an order, not a time bound. */
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

#include "tests/sql/sql_session_harness.h"

/* Past deadlock_timeout (ENG_DEADLOCK_TIMEOUT_NS) several times over: a detector that would
 * pick a victim has had its chances. */
#define WAIT_DEADLOCK_TIMEOUTS 3

static void wait_deadlock_timeouts(void) {
    rt_fiber_sleep_ns(WAIT_DEADLOCK_TIMEOUTS * ENG_DEADLOCK_TIMEOUT_NS + 200 * RT_NS_PER_MS);
}

static void setup(capture *a) {
    expect(a, "CREATE TABLE t (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO t VALUES (1, 0), (2, 0)", "INSERT 0 2\n");
}

/* B waits for A's row, then C's LOCK TABLE queues behind A's and B's table locks. */
static void script_row_wait_first(capture *a, capture *b, capture *c) {
    static sh_bg bg_b, bg_c;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE t SET v = v + 1 WHERE id = 1", "UPDATE 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bg_b, b, "UPDATE t SET v = v + 10 WHERE id = 1");
    expect(c, "BEGIN", "BEGIN\n");
    sh_bg_start(&bg_c, c, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    wait_deadlock_timeouts();
    TEST_CHECK(!bg_b.done && !bg_c.done); /* no 40P01, nobody granted */
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg_b);
    sh_check("B after A commits", bg_b.out, "UPDATE 1\n");
    TEST_CHECK(!bg_c.done); /* B's transaction still holds ROW EXCLUSIVE */
    expect(b, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg_c);
    sh_check("C after B commits", bg_c.out, "LOCK TABLE\n");
    expect(c, "SELECT v FROM t WHERE id = 1", "v\n11\nSELECT 1\n");
    expect(c, "COMMIT", "COMMIT\n");
}

/* C's LOCK TABLE queues behind A's table lock first; B's UPDATE then waits behind C. */
static void script_lock_first(capture *a, capture *b, capture *c) {
    static sh_bg bg_b, bg_c;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "UPDATE t SET v = v + 1 WHERE id = 2", "UPDATE 1\n");
    expect(c, "BEGIN", "BEGIN\n");
    sh_bg_start(&bg_c, c, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bg_b, b, "UPDATE t SET v = v + 10 WHERE id = 2");
    wait_deadlock_timeouts();
    TEST_CHECK(!bg_b.done && !bg_c.done);
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg_c);
    sh_check("C after A commits", bg_c.out, "LOCK TABLE\n");
    TEST_CHECK(!bg_b.done); /* C holds ACCESS EXCLUSIVE */
    expect(c, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg_b);
    sh_check("B after C commits", bg_b.out, "UPDATE 1\n");
    expect(b, "COMMIT", "COMMIT\n");
    expect(a, "SELECT v FROM t WHERE id = 2", "v\n11\nSELECT 1\n");
}

static void sessions(capture *s[SH_SESSIONS]) {
    setup(s[0]);
    script_row_wait_first(s[0], s[1], s[2]);
    script_lock_first(s[0], s[1], s[2]);
}

static void test_tlock_rowwait(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("tlock_rowwait", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tlock_rowwait)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
