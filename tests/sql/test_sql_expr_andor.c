/* test_sql_expr_andor.c: AND / OR over many arguments in the vectorised evaluator (sql_expr.c):
 * the three-valued result, and the memory one evaluation keeps in the batch's arena.
 * How: an OR of n arms (c0 = i AND c1 = j), as generated SQL writes composite-key lookups, is
 * built from the registry's int4 = int4 and evaluated over a full batch of (row % 100, row /
 * 100); the rows that pass are counted, and the arena's growth over the evaluation must stay
 * near one arm's vectors whatever n is (it used to keep every arm's: some 40 KiB per arm). */
#include "test_sql_fn_util.h"

/* An evaluation of the OR may keep this much of the batch's arena: the result, two masks and
 * one arm's temporaries, far less than 100 arms' worth. */
#define TA_KEPT_BYTES_MAX (1u << 20)

static const sql_func_def *ta_int4_eq(void) {
    tf_arg args[2] = {A(I4, "1"), A(I4, "1")};
    uint32_t elem;
    return tf_find("=", true, args, 2, &elem);
}

static sql_expr *ta_eq(const sql_func_def *eq, uint32_t column, int64_t value) {
    sql_expr *e = sql_expr_new(tf_arena, SQL_X_FUNC, SQL_T_BOOL, 2);
    sql_value k = {.type_oid = SQL_T_INT4, .i64 = value};
    assert_non_null(e);
    e->func.def = eq;
    e->args[0] = sql_expr_column(tf_arena, column, SQL_T_INT4, -1);
    e->args[1] = sql_expr_const(tf_arena, &k, -1);
    assert_non_null(e->args[0]);
    assert_non_null(e->args[1]);
    return e;
}

/* (c0 = k % 100 AND c1 = k / 100 * 5 + k % 3) OR ... for k < n: all different pairs. */
static sql_expr *ta_or_of_arms(uint32_t n) {
    const sql_func_def *eq = ta_int4_eq();
    sql_expr *or = sql_expr_new(tf_arena, SQL_X_OR, SQL_T_BOOL, n);
    assert_non_null(or);
    for (uint32_t k = 0; k < n; k++) {
        sql_expr *and = sql_expr_new(tf_arena, SQL_X_AND, SQL_T_BOOL, 2);
        assert_non_null(and);
        and->args[0] = ta_eq(eq, 0, k % 100);
        and->args[1] = ta_eq(eq, 1, k / 100 * 5 + k % 3);
        or->args[k] = and;
    }
    return or;
}

static sql_batch *ta_batch(void) {
    sql_batch *b = sql_batch_new(tf_arena, 2, SQL_BATCH_ROWS);
    assert_non_null(b);
    for (uint32_t c = 0; c < 2; c++) {
        assert_true(sql_vec_init(tf_arena, &b->cols[c], SQL_T_INT4, -1, SQL_BATCH_ROWS));
    }
    for (uint32_t r = 0; r < SQL_BATCH_ROWS; r++) {
        b->cols[0].i64[r] = r % 100;
        b->cols[0].nulls[r] = 0;
        b->cols[1].i64[r] = r / 100;
        b->cols[1].nulls[r] = 0;
    }
    b->rows = SQL_BATCH_ROWS;
    return b;
}

/* The rows of ta_batch() that an OR of n arms passes, counted directly. */
static uint32_t ta_expected(uint32_t n) {
    uint32_t count = 0;
    for (uint32_t r = 0; r < SQL_BATCH_ROWS; r++) {
        bool hit = false;
        for (uint32_t k = 0; k < n && !hit; k++) {
            hit = r % 100 == k % 100 && r / 100 == k / 100 * 5 + k % 3;
        }
        count += hit;
    }
    return count;
}

static void ta_check(uint32_t n) {
    sql_expr *or = ta_or_of_arms(n);
    sql_batch *b = ta_batch();
    rt_err err;
    rt_err_clear(&err);
    rt_arena *batch_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_eval_ctx ec = {.arena = batch_arena, .io = tf_io(&err), .err = &err};
    ec.io.arena = batch_arena;
    size_t before = rt_arena_used_bytes(batch_arena);
    sql_vec *v = sql_eval(&ec, or, b, b->rows, NULL);
    assert_non_null(v);
    assert_false(rt_err_is_set(&err));
    assert_true(ec.arena == batch_arena); /* the scratch arena is gone again */
    assert_true(rt_arena_used_bytes(batch_arena) - before <= TA_KEPT_BYTES_MAX);
    uint32_t passed = 0;
    for (uint32_t r = 0; r < b->rows; r++) {
        assert_false(sql_vec_is_null(v, r));
        passed += v->i64[r] != 0;
    }
    assert_int_equal(passed, ta_expected(n));
    rt_arena_destroy(batch_arena);
}

static void test_sql_expr_or_of_few_arms(void **state) {
    (void)state;
    ta_check(3);
}

static void test_sql_expr_or_of_800_arms_keeps_one_arm(void **state) {
    (void)state;
    ta_check(800);
}

static void test_sql_expr_or_of_5000_arms_keeps_one_arm(void **state) {
    (void)state;
    ta_check(5000);
}

/* NULL in an arm: an OR no arm makes true is NULL, not false, past the scratch threshold too. */
static void test_sql_expr_or_null_arm(void **state) {
    (void)state;
    sql_expr *or = ta_or_of_arms(40);
    sql_value null = {.type_oid = SQL_T_BOOL, .is_null = true};
    or->args[39] = sql_expr_const(tf_arena, &null, -1);
    sql_batch *b = ta_batch();
    rt_err err;
    rt_err_clear(&err);
    sql_eval_ctx ec = {.arena = tf_arena, .io = tf_io(&err), .err = &err};
    sql_vec *v = sql_eval(&ec, or, b, b->rows, NULL);
    assert_non_null(v);
    for (uint32_t r = 0; r < b->rows; r++) {
        bool hit = false;
        for (uint32_t k = 0; k < 39 && !hit; k++) {
            hit = r % 100 == k % 100 && r / 100 == k / 100 * 5 + k % 3;
        }
        assert_int_equal(sql_vec_is_null(v, r), !hit);
        if (hit) assert_int_equal(v->i64[r], 1);
    }
}

/* The arms' operator itself, through the registry as the case tables of test_sql_fn_*.c. */
static void test_sql_expr_int4_eq(void **state) {
    (void)state;
    static const tf_case cases[] = {
        {"=", true, 2, {A(I4, "7"), A(I4, "7")}, "t"},
        {"=", true, 2, {A(I4, "7"), A(I4, "8")}, "f"},
        {"=", true, 2, {A(I4, NULL), A(I4, "8")}, "<NULL>"},
    };
    tf_run_cases(cases, sizeof cases / sizeof cases[0]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_expr_int4_eq),
        cmocka_unit_test(test_sql_expr_or_of_few_arms),
        cmocka_unit_test(test_sql_expr_or_of_800_arms_keeps_one_arm),
        cmocka_unit_test(test_sql_expr_or_of_5000_arms_keeps_one_arm),
        cmocka_unit_test(test_sql_expr_or_null_arm),
    };
    return cmocka_run_group_tests(tests, tf_setup, tf_teardown);
}
