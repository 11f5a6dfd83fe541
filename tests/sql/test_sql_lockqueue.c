/* test_sql_lockqueue.c: table locks are granted in queue order, as PostgreSQL 15 grants them
 * (each case was run on PostgreSQL 15 with the same sessions and printed what is expected
 * here): a request that conflicts with an earlier waiter's mode waits behind it, so a stream
 * of SHARE lockers cannot starve a waiting writer and a reader arriving after an ACCESS
 * EXCLUSIVE waiter goes after it; a request that does not conflict with the waiters goes on; a
 * session already holding a mode the waiter conflicts with goes before it (no deadlock);
 * LOCK TABLE ... NOWAIT fails behind a conflicting waiter; a waiter that gives up
 * (lock_timeout) leaves the queue; a cycle through a queue position only (a "soft" edge) is
 * resolved by going before the waiter, as PostgreSQL's detector rearranges the queue; a cycle
 * of held locks is still a deadlock (40P01) for exactly one member. Row locks: waiters for a
 * row are served in the order they began to wait, also when a later one's poll timer wakes it
 * at the holder's end (three waiters, many rounds, the COMMIT at varying points of the polls).
 * How: a real engine with two shards; four sessions in fibers on shard 0 (sql_session.h); a
 * statement that must block runs in a fiber of its own (sh_bg_start checks it blocked), and
 * the main fiber checks which of the blocked statements finished after each COMMIT. */
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
#define SH_SESSIONS 4

#include "tests/sql/sql_session_harness.h"

#define DEADLOCK_ERR "ERROR 40P01: deadlock detected\n"

/* Lets blocked statements run; those still blocked stay so. */
static void settle(void) { rt_fiber_sleep_ns(300 * RT_NS_PER_MS); }

/* A holds SHARE; B's INSERT (ROW EXCLUSIVE) waits; C's SHARE conflicts with B's waiting mode
 * and queues behind it although A's SHARE would let it in; D's SELECT conflicts with no one
 * and goes on. A commits: B gets its lock, C still waits until B's transaction ends. */
static void script_writer_first(capture *a, capture *b, capture *c, capture *d) {
    static sh_bg bb, bc;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lq IN SHARE MODE", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bb, b, "INSERT INTO lq VALUES (2, 2)");
    expect(c, "BEGIN", "BEGIN\n");
    sh_bg_start(&bc, c, "LOCK TABLE lq IN SHARE MODE");
    expect(d, "SELECT count(*) FROM lq", "count\n1\nSELECT 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bb);
    sh_check("the writer after SHARE", bb.out, "INSERT 0 1\n");
    settle();
    TEST_CHECK(!bc.done); /* behind the writer */
    expect(b, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bc);
    sh_check("the SHARE locker after the writer", bc.out, "LOCK TABLE\n");
    expect(c, "COMMIT", "COMMIT\n");
}

/* A holds ACCESS EXCLUSIVE; B waits for it, then C's SELECT: A commits, B is granted first and
 * C waits for B. */
static void script_exclusive_first(capture *a, capture *b, capture *c) {
    static sh_bg bb, bc;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lq", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bb, b, "LOCK TABLE lq");
    sh_bg_start(&bc, c, "SELECT count(*) FROM lq");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bb);
    sh_check("the ACCESS EXCLUSIVE waiter", bb.out, "LOCK TABLE\n");
    settle();
    TEST_CHECK(!bc.done);
    expect(b, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bc);
    sh_check("the reader after it", bc.out, "count\n2\nSELECT 1\n");
}

/* A read the table (ACCESS SHARE) and B waits for ACCESS EXCLUSIVE: A's INSERT goes before B
 * (B waits for A anyway), then B is granted at A's commit. */
static void script_holder_goes_first(capture *a, capture *b) {
    static sh_bg bb;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT count(*) FROM lq", "count\n2\nSELECT 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bb, b, "LOCK TABLE lq");
    expect(a, "INSERT INTO lq VALUES (3, 3)", "INSERT 0 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bb);
    sh_check("the ACCESS EXCLUSIVE waiter", bb.out, "LOCK TABLE\n");
    expect(b, "COMMIT", "COMMIT\n");
}

/* A waiter that gives up leaves the queue; NOWAIT behind a conflicting waiter fails. */
static void script_timeout_nowait(capture *a, capture *b, capture *c) {
    static sh_bg bb;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lq IN SHARE MODE", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "SET LOCAL lock_timeout = '200ms'", "SET\n");
    expect(b, "INSERT INTO lq VALUES (4, 4)",
           "ERROR 55P03: canceling statement due to lock timeout\n");
    expect(b, "ROLLBACK", "ROLLBACK\n");
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, "LOCK TABLE lq IN SHARE MODE NOWAIT", "LOCK TABLE\n");
    expect(c, "COMMIT", "COMMIT\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bb, b, "INSERT INTO lq VALUES (4, 4)");
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, "LOCK TABLE lq IN SHARE MODE NOWAIT",
           "ERROR 55P03: could not obtain lock on relation \"lq\"\n");
    expect(c, "ROLLBACK", "ROLLBACK\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bb);
    sh_check("the writer", bb.out, "INSERT 0 1\n");
    expect(b, "COMMIT", "COMMIT\n");
}

/* A holds SHARE on lq, B's INSERT waits for it, C holds lq2 and asks SHARE on lq (queued behind
 * B), A reads lq2 (waits for C): C -> B is only a queue position, so C goes first (its SHARE
 * fits A's), commits, and A and B go on: no deadlock, as in PostgreSQL. */
static void script_soft_cycle(capture *a, capture *b, capture *c) {
    static sh_bg ba, bb, bc;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lq IN SHARE MODE", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bb, b, "INSERT INTO lq VALUES (5, 5)");
    expect(c, "BEGIN", "BEGIN\n");
    expect(c, "LOCK TABLE lq2", "LOCK TABLE\n");
    sh_bg_start(&bc, c, "LOCK TABLE lq IN SHARE MODE");
    sh_bg_start(&ba, a, "SELECT count(*) FROM lq2");
    sh_bg_wait(&bc);
    sh_check("C after the rearrangement", bc.out, "LOCK TABLE\n");
    TEST_CHECK(!ba.done);
    expect(c, "COMMIT", "COMMIT\n");
    sh_bg_wait(&ba);
    sh_check("A's read", ba.out, "count\n0\nSELECT 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bb);
    sh_check("B's insert", bb.out, "INSERT 0 1\n");
    expect(b, "COMMIT", "COMMIT\n");
}

/* A holds SHARE on lq, B holds lq2 and its INSERT waits for A, C waits behind them, A reads
 * lq2: a cycle of held locks (A -> B -> A), 40P01 for one of A and B. */
static void script_hard_cycle(capture *a, capture *b, capture *c) {
    static sh_bg ba, bb, bc;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE lq IN SHARE MODE", "LOCK TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE lq2", "LOCK TABLE\n");
    sh_bg_start(&bb, b, "INSERT INTO lq VALUES (6, 6)");
    expect(c, "BEGIN", "BEGIN\n");
    sh_bg_start(&bc, c, "LOCK TABLE lq IN SHARE ROW EXCLUSIVE MODE");
    sh_bg_start(&ba, a, "SELECT count(*) FROM lq2");
    for (uint32_t i = 0; i < 20000 && !ba.done && !bb.done; i++) rt_fiber_sleep_ns(RT_NS_PER_MS);
    bool a_dead = ba.done && strcmp(ba.out, DEADLOCK_ERR) == 0;
    bool b_dead = bb.done && strcmp(bb.out, DEADLOCK_ERR) == 0;
    TEST_CHECK(a_dead != b_dead);
    expect(a_dead ? a : b, "ROLLBACK", "ROLLBACK\n");
    sh_bg_wait(a_dead ? &bb : &ba);
    sh_check("the survivor", a_dead ? bb.out : ba.out,
             a_dead ? "INSERT 0 1\n" : "count\n0\nSELECT 1\n");
    expect(a_dead ? b : a, "ROLLBACK", "ROLLBACK\n");
    sh_bg_wait(&bc);
    sh_check("C", bc.out, "LOCK TABLE\n");
    expect(c, "ROLLBACK", "ROLLBACK\n");
}

/* Row locks: A locks a row, B's and then C's UPDATE wait for it; A commits: B (the first to
 * wait) updates the row and C waits for B. The same with FOR UPDATE and C's FOR SHARE. */
static void script_row_order(capture *a, capture *b, capture *c, const char *second) {
    static sh_bg bb, bc;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM lq WHERE id = 1 FOR UPDATE", "id\n1\nSELECT 1\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bb, b, "UPDATE lq SET v = v + 1 WHERE id = 1");
    expect(c, "BEGIN", "BEGIN\n");
    sh_bg_start(&bc, c, second);
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bb);
    sh_check("the first row waiter", bb.out, "UPDATE 1\n");
    settle();
    TEST_CHECK(!bc.done);
    expect(b, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bc);
    TEST_CHECK(strstr(bc.out, "ERROR") == NULL);
    expect(c, "COMMIT", "COMMIT\n");
}

/* Rounds of script_row_three: in each a later waiter's poll may come before the holder's end
 * reaches it (test_eng_rowqueue.c makes that happen every time, without SQL). */
#define ROW_THREE_ROUNDS 40

/* A locks a row; B's, C's and D's UPDATEs (each a transaction of its own) wait for it in that
 * order; A commits after a delay that moves through the waiters' 10 ms polls. Each UPDATE
 * appends its digit to v, so v reads the order they got the row: 234, every round. */
static void script_row_three(capture *a, capture *b, capture *c, capture *d) {
    static sh_bg bb, bc, bd;
    uint32_t out_of_order = 0;
    for (uint32_t i = 0; i < ROW_THREE_ROUNDS; i++) {
        expect(a, "UPDATE lq SET v = 0 WHERE id = 1", "UPDATE 1\n");
        expect(a, "BEGIN", "BEGIN\n");
        expect(a, "SELECT id FROM lq WHERE id = 1 FOR UPDATE", "id\n1\nSELECT 1\n");
        sh_bg_start(&bb, b, "UPDATE lq SET v = v * 10 + 2 WHERE id = 1");
        sh_bg_start(&bc, c, "UPDATE lq SET v = v * 10 + 3 WHERE id = 1");
        sh_bg_start(&bd, d, "UPDATE lq SET v = v * 10 + 4 WHERE id = 1");
        rt_fiber_sleep_ns((uint64_t)(i * 1300u % 10000u) * RT_NS_PER_US);
        expect(a, "COMMIT", "COMMIT\n");
        sh_bg_wait(&bb);
        sh_bg_wait(&bc);
        sh_bg_wait(&bd);
        if (strcmp(run(a, "SELECT v FROM lq WHERE id = 1"), "v\n234\nSELECT 1\n") != 0) {
            out_of_order++;
        }
    }
    char got[16];
    snprintf(got, sizeof got, "%u", out_of_order);
    sh_check("rounds with the row granted out of order", got, "0");
    expect(a, "UPDATE lq SET v = 1 WHERE id = 1", "UPDATE 1\n");
}

static void sessions(capture *s[SH_SESSIONS]) {
    expect(s[0], "CREATE TABLE lq (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(s[0], "CREATE TABLE lq2 (id int)", "CREATE TABLE\n");
    expect(s[0], "INSERT INTO lq VALUES (1, 1)", "INSERT 0 1\n");
    script_writer_first(s[0], s[1], s[2], s[3]);
    script_exclusive_first(s[0], s[1], s[2]);
    script_holder_goes_first(s[0], s[1]);
    script_timeout_nowait(s[0], s[1], s[2]);
    script_soft_cycle(s[0], s[1], s[2]);
    script_hard_cycle(s[0], s[1], s[2]);
    script_row_order(s[0], s[1], s[2], "UPDATE lq SET v = v * 10 WHERE id = 1");
    script_row_order(s[0], s[1], s[2], "SELECT id FROM lq WHERE id = 1 FOR SHARE");
    script_row_three(s[0], s[1], s[2], s[3]);
}

static void test_lockqueue(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("lockqueue", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_lockqueue)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
