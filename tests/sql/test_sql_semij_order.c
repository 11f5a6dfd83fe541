/* test_sql_semij_order.c: the legality rules by which the join order search
 * (sql_plan_ojorder.c) moves semi- and anti-joins among inner and LEFT joins, as PostgreSQL's
 * join_is_legal with SpecialJoinInfo's min_lefthand / min_righthand.
 * How: special joins over made-up relation sets (A, B, C, D are bits 0-3), each case asking
 * sql_oj_step which special join a join of two relation sets performs, or that it is not
 * legal (-2), and sql_oj_semi_lhs what a semi-join's condition forces below it:
 *   - a semi-join's inner side is joined by the semi-join itself, as the build side, to a
 *     left side holding the relations its condition reads; inner joins go before or after it;
 *   - nothing joins the inner side of a semi- or anti-join first (no unique-ified inner side);
 *   - an anti-join's condition reading the nullable side of a LEFT JOIN keeps the whole LEFT
 *     JOIN below it; one reading only the preserved side lets the LEFT JOIN go above;
 *   - two semi-joins over the same left side commute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sql/sql_plan_int.h"

enum { A = 1, B = 2, C = 4, D = 8 };

/* A semi- or anti-join written over `lhs` with inner relation `rhs`, its condition reading
 * `reads` of lhs. */
static sql_oj semi(sql_oj_kind kind, uint32_t lhs, uint32_t rhs, uint32_t reads) {
    return (sql_oj){.kind = kind, .lhs = lhs, .rhs = rhs, .min_lhs = reads, .min_rhs = rhs,
                    .allowed = rhs};
}

/* (A JOIN B) SEMI JOIN C ON c = a. */
static void test_semij_inner_joins_before_or_after(void **state) {
    (void)state;
    sql_oj oj[] = {semi(SQL_OJ_SEMI, A | B, C, A)};
    assert_int_equal(sql_oj_step(oj, 1, A, C), 0);     /* A semi C first ... */
    assert_int_equal(sql_oj_step(oj, 1, A | C, B), -1); /* ... then the inner join to B */
    assert_int_equal(sql_oj_step(oj, 1, B, A | C), -1);
    assert_int_equal(sql_oj_step(oj, 1, A | B, C), 0); /* or as written */
    assert_int_equal(sql_oj_step(oj, 1, A, B), -1);
}

static void test_semij_inner_side_joined_only_by_it(void **state) {
    (void)state;
    sql_oj oj[] = {semi(SQL_OJ_SEMI, A | B, C, A)};
    assert_int_equal(sql_oj_step(oj, 1, B, C), -2);     /* C with what it does not read */
    assert_int_equal(sql_oj_step(oj, 1, C, A), -2);     /* the inner side probing */
    assert_int_equal(sql_oj_step(oj, 1, A, B | C), -2); /* C joined to B first */
    sql_oj anti[] = {semi(SQL_OJ_ANTI, A | B, C, A | B)};
    assert_int_equal(sql_oj_step(anti, 1, A, C), -2); /* its condition reads B too */
    assert_int_equal(sql_oj_step(anti, 1, A | B, C), 0);
    assert_int_equal(sql_oj_step(anti, 1, B, C), -2);
}

/* (A LEFT JOIN B) ANTI JOIN C: reading B keeps the LEFT JOIN below, reading A does not. */
static void test_semij_over_left_join(void **state) {
    (void)state;
    sql_oj left = {.kind = SQL_OJ_LEFT, .lhs = A, .rhs = B, .min_lhs = A, .min_rhs = B,
                   .allowed = B};
    sql_oj oj[] = {left, semi(SQL_OJ_ANTI, A | B, C, B)};
    sql_oj_semi_lhs(oj, 2, 1);
    assert_int_equal(oj[1].min_lhs, A | B);
    assert_int_equal(sql_oj_step(oj, 2, A, B), 0);
    assert_int_equal(sql_oj_step(oj, 2, A | B, C), 1);
    assert_int_equal(sql_oj_step(oj, 2, A, C), -2);
    assert_int_equal(sql_oj_step(oj, 2, B, C), -2);
    sql_oj oj2[] = {left, semi(SQL_OJ_ANTI, A | B, C, A)};
    sql_oj_semi_lhs(oj2, 2, 1);
    assert_int_equal(oj2[1].min_lhs, A);
    assert_int_equal(sql_oj_step(oj2, 2, A, C), 1);
    assert_int_equal(sql_oj_step(oj2, 2, A | C, B), 0); /* the LEFT JOIN above it */
    assert_int_equal(sql_oj_step(oj2, 2, C, B), -2);
}

/* (A SEMI JOIN C ON c = a) SEMI JOIN D ON d = a: either first. */
static void test_semij_two_commute(void **state) {
    (void)state;
    sql_oj oj[] = {semi(SQL_OJ_SEMI, A, C, A), semi(SQL_OJ_SEMI, A | C, D, A)};
    assert_int_equal(sql_oj_step(oj, 2, A, C), 0);
    assert_int_equal(sql_oj_step(oj, 2, A | C, D), 1);
    assert_int_equal(sql_oj_step(oj, 2, A, D), 1);
    assert_int_equal(sql_oj_step(oj, 2, A | D, C), 0);
    assert_int_equal(sql_oj_step(oj, 2, C, D), -2);
    assert_int_equal(sql_oj_step(oj, 2, A, C | D), -2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semij_inner_joins_before_or_after),
        cmocka_unit_test(test_semij_inner_side_joined_only_by_it),
        cmocka_unit_test(test_semij_over_left_join),
        cmocka_unit_test(test_semij_two_commute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
