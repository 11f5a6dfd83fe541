/* test_sql_numeric_vec.c: the batch kernels (sql_numeric_vec_add/_sub/_mul/_cmp), which compute
 * short-form numerics as scaled int64, against the exact row-by-row operators; and flat
 * accumulators (what a shard sends for a partial sum/avg) against one accumulator.
 * How: seeded random batches of values with scales 0..20 and coefficients from tiny to near
 * INT64_MAX, negative ones, zeros, long-form values, NaN and infinities, and hand-made edges
 * (int64 overflow of a sum or product, a result of INT64_MIN, scales 18 and 19 apart, a
 * product's scale above 63); every active row must give exactly the bytes (and so the text)
 * of sql_numeric_add/_sub/_mul and the sign of sql_numeric_cmp, inactive rows stay untouched,
 * and an overflow of numeric itself gives the exact operator's error. Lanes (scaled int64
 * batches) must hold only rows equal to the exact results, and adding their coefficients to
 * an accumulator must give the bytes adding the values gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_numeric.h"

#define VEC_ROWS 1024u
#define VEC_ROUNDS 200

static rt_arena *test_arena;

static int test_setup(void **state) {
    (void)state;
    test_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    return 0;
}

static int test_teardown(void **state) {
    (void)state;
    rt_arena_destroy(test_arena);
    return 0;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static sql_bytes num(const char *text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes v;
    if (!sql_numeric_in(test_arena, text, strlen(text), SQL_TYPMOD_NONE, &v, &err)) {
        fail_msg("bad numeric %s: %s", text, err.message);
    }
    return v;
}

static const char *text_of(sql_bytes v) {
    char *s;
    rt_err err;
    rt_err_clear(&err);
    assert_true(sql_numeric_out(test_arena, v, &s, &err));
    return s;
}

/* A coefficient of 1..19 decimal digits (its size spread evenly), either sign. */
static int64_t random_coef(void) {
    static const int64_t tops[] = {INT64_MAX, INT64_MAX / 2, 999999999999999999ll,
                                   99999999999ll, 9999999ll, 999ll, 9ll};
    uint64_t r = rng_next();
    int64_t top = tops[r % (sizeof tops / sizeof tops[0])];
    int64_t c = (int64_t)((rng_next() >> 1) % (uint64_t)top);
    if (r & 0x100) c = top - c; /* near the top as often as near zero */
    return (r & 0x200) ? -c : c;
}

/* A random value: mostly short forms at a few scales, some long forms and special values. */
static sql_bytes random_value(void) {
    uint64_t r = rng_next() % 100;
    char buf[96];
    if (r < 2) return num(r == 0 ? "NaN" : (rng_next() & 1) ? "Infinity" : "-Infinity");
    if (r < 6) { /* long form: more digits than an int64 */
        long long hi = (long long)(rng_next() % 999999 + 1);
        long long mid = (long long)(rng_next() % 1000000000000000000ll);
        long long frac = (long long)(rng_next() % 1000);
        snprintf(buf, sizeof buf, "%s%lld%018lld.%lld", (r & 1) ? "-" : "", hi, mid, frac);
        return num(buf);
    }
    int64_t c = r < 10 ? 0 : random_coef();
    int32_t scale = (int32_t)(rng_next() % 100 < 70 ? rng_next() % 5 : rng_next() % 21);
    /* coef * 10^-scale as text */
    uint64_t u = c < 0 ? -(uint64_t)c : (uint64_t)c;
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%0*llu", scale + 1, (unsigned long long)u);
    snprintf(buf, sizeof buf, "%s%.*s%s%s", c < 0 ? "-" : "", len - scale, digits,
             scale > 0 ? "." : "", digits + len - scale);
    return num(buf);
}

typedef bool (*vec_fn)(rt_arena *, uint32_t, const uint8_t *, const sql_bytes *,
                       const sql_bytes *, sql_bytes *, rt_err *);

/* Runs one batch through the kernel and row by row, and compares every row. */
static void check_batch(vec_fn vec, sql_numeric_binary_fn exact, const char *name,
                        const sql_bytes *a, const sql_bytes *b, uint32_t n,
                        const uint8_t *active) {
    sql_bytes *out = rt_arena_zalloc(test_arena, sizeof(sql_bytes) * n);
    rt_err err;
    rt_err_clear(&err);
    bool ok = vec(test_arena, n, active, a, b, out, &err);
    assert_true(ok);
    for (uint32_t i = 0; i < n; i++) {
        if (active != NULL && !active[i]) {
            assert_null(out[i].ptr); /* inactive rows are not written */
            continue;
        }
        sql_bytes want;
        rt_err e2;
        rt_err_clear(&e2);
        assert_true(exact(test_arena, a[i], b[i], &want, &e2));
        if (want.len != out[i].len || memcmp(want.ptr, out[i].ptr, want.len) != 0) {
            fail_msg("%s(%s, %s): batch %s, exact %s", name, text_of(a[i]), text_of(b[i]),
                     text_of(out[i]), text_of(want));
        }
    }
}

static const struct {
    const char *name;
    vec_fn vec;
    sql_numeric_binary_fn exact;
} vec_ops[] = {
    {"+", sql_numeric_vec_add, sql_numeric_add},
    {"-", sql_numeric_vec_sub, sql_numeric_sub},
    {"*", sql_numeric_vec_mul, sql_numeric_mul},
};

static void test_vec_random_batches_match_exact_operators(void **state) {
    (void)state;
    for (int round = 0; round < VEC_ROUNDS; round++) {
        rt_arena_reset(test_arena);
        sql_bytes *a = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        sql_bytes *b = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        uint8_t *active = rt_arena_alloc(test_arena, VEC_ROWS);
        for (uint32_t i = 0; i < VEC_ROWS; i++) {
            a[i] = random_value();
            b[i] = (rng_next() % 4 == 0) ? a[i] : random_value();
            active[i] = rng_next() % 8 != 0;
        }
        for (size_t k = 0; k < sizeof vec_ops / sizeof vec_ops[0]; k++) {
            check_batch(vec_ops[k].vec, vec_ops[k].exact, vec_ops[k].name, a, b, VEC_ROWS,
                        round % 2 == 0 ? NULL : active);
        }
    }
}

/* Values where the int64 path must hand over to the exact one, and values just inside. */
static void test_vec_overflow_edges_match_exact_operators(void **state) {
    (void)state;
    static const char *edges[] = {
        "9223372036854775807", "-9223372036854775807", "9223372036854775806",
        "-9223372036854775808", "4611686018427387904", "-4611686018427387904",
        "3037000499", "3037000500", "-3037000500", "922337203685477580.7",
        "-922337203685477580.8", "1", "-1", "0", "0.000", "0.1", "-0.01",
        "0.000000000000000001", "0.0000000000000000001", "1.0000000000000000000",
        "0.00000000000000000000000000000001", "12345678.12345678901234567890123456789012",
        "99999999999999999999", "1e-30", "5e-40", "100000000000000000",
        "1000000000000000000", "10000000000000000000", "NaN", "Infinity", "-Infinity",
        "12.34", "-56.78", "0.06", "24",
    };
    uint32_t ne = sizeof edges / sizeof edges[0];
    uint32_t n = ne * ne;
    sql_bytes *a = rt_arena_alloc(test_arena, sizeof(sql_bytes) * n);
    sql_bytes *b = rt_arena_alloc(test_arena, sizeof(sql_bytes) * n);
    for (uint32_t i = 0; i < ne; i++) {
        for (uint32_t j = 0; j < ne; j++) {
            a[i * ne + j] = num(edges[i]);
            b[i * ne + j] = num(edges[j]);
        }
    }
    for (size_t k = 0; k < sizeof vec_ops / sizeof vec_ops[0]; k++) {
        check_batch(vec_ops[k].vec, vec_ops[k].exact, vec_ops[k].name, a, b, n, NULL);
    }
}

/* Q1's expression: price * (1 - discount) * (1 + tax), with numeric(15,2) columns. */
static void test_vec_money_expression_matches_text(void **state) {
    (void)state;
    sql_bytes one = num("1"), price = num("38225.46"), disc = num("0.05"), tax = num("0.08");
    sql_bytes t1, t2, t3, t4;
    rt_err err;
    rt_err_clear(&err);
    assert_true(sql_numeric_vec_sub(test_arena, 1, NULL, &one, &disc, &t1, &err));
    assert_true(sql_numeric_vec_mul(test_arena, 1, NULL, &price, &t1, &t2, &err));
    assert_true(sql_numeric_vec_add(test_arena, 1, NULL, &one, &tax, &t3, &err));
    assert_true(sql_numeric_vec_mul(test_arena, 1, NULL, &t2, &t3, &t4, &err));
    assert_string_equal(text_of(t1), "0.95");
    assert_string_equal(text_of(t2), "36314.1870");
    assert_string_equal(text_of(t4), "39219.321960");
}

/* A product too large for numeric fails as the exact operator does (22003). */
static void test_vec_numeric_overflow_is_the_exact_error(void **state) {
    (void)state;
    sql_bytes big = num("1e100000"), small = num("2"), out[2] = {{0}};
    sql_bytes a[2] = {small, big}, b[2] = {small, big};
    rt_err err;
    rt_err_clear(&err);
    assert_false(sql_numeric_vec_mul(test_arena, 2, NULL, a, b, out, &err));
    assert_string_equal(err.sqlstate, "22003");
    assert_string_equal(err.message, "value overflows numeric format");
    assert_string_equal(text_of(out[0]), "4"); /* the rows before the error were computed */
}

static void test_vec_cmp_matches_exact_comparison(void **state) {
    (void)state;
    for (int round = 0; round < VEC_ROUNDS; round++) {
        rt_arena_reset(test_arena);
        sql_bytes *a = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        sql_bytes *b = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        int8_t *c = rt_arena_alloc(test_arena, VEC_ROWS);
        uint8_t *active = rt_arena_alloc(test_arena, VEC_ROWS);
        for (uint32_t i = 0; i < VEC_ROWS; i++) {
            a[i] = random_value();
            uint64_t r = rng_next() % 4;
            b[i] = r == 0 ? a[i] : random_value();
            if (r == 1) { /* the same value at another scale: 1.5 = 1.50 */
                const char *t = text_of(a[i]);
                b[i] = strchr(t, '.') != NULL || strchr(t, 'N') != NULL || strchr(t, 'I')
                           ? a[i] : num(rt_arena_sprintf(test_arena, "%s.000", t));
            }
            active[i] = (uint8_t)(rng_next() % 8 != 0);
            c[i] = 7;
        }
        sql_numeric_vec_cmp(VEC_ROWS, round % 2 ? active : NULL, a, b, c);
        for (uint32_t i = 0; i < VEC_ROWS; i++) {
            if (round % 2 && !active[i]) {
                assert_int_equal(c[i], 7);
                continue;
            }
            int want = sql_numeric_cmp(a[i], b[i]);
            if (c[i] != want) {
                fail_msg("cmp(%s, %s): batch %d, exact %d", text_of(a[i]), text_of(b[i]),
                         c[i], want);
            }
        }
    }
}

/* Two accumulators, one sent flat and merged into the other, give what one accumulator of
 * every value gives: short values at several scales, long ones (the digit arrays), special
 * values, and sums past the 128-bit part. */
static void test_accum_flat_merge_matches_one_accumulator(void **state) {
    (void)state;
    for (int round = 0; round < 40; round++) {
        rt_arena_reset(test_arena);
        sql_numeric_accum whole, left, right;
        sql_numeric_accum_init(&whole, test_arena);
        sql_numeric_accum_init(&left, test_arena);
        sql_numeric_accum_init(&right, test_arena);
        rt_err err;
        rt_err_clear(&err);
        uint32_t rows = 1 + (uint32_t)(rng_next() % 3000);
        for (uint32_t i = 0; i < rows; i++) {
            sql_bytes v = random_value();
            if (round % 4 == 0 && (text_of(v)[0] == 'N' || strchr(text_of(v), 'I'))) continue;
            assert_true(sql_numeric_accum_add(&whole, v, &err));
            assert_true(sql_numeric_accum_add(i % 3 == 0 ? &left : &right, v, &err));
        }
        uint32_t len = sql_numeric_accum_flat_len(&left);
        uint8_t *flat = rt_arena_alloc(test_arena, len + 1u);
        sql_numeric_accum_flatten(&left, flat + 1); /* odd address: any alignment works */
        uint32_t used = 0;
        assert_true(sql_numeric_accum_merge_flat(&right, flat + 1, &used, &err));
        assert_int_equal(used, len);
        sql_bytes s1, s2, a1, a2;
        bool n1, n2;
        assert_true(sql_numeric_accum_sum(&whole, test_arena, &s1, &n1, &err));
        assert_true(sql_numeric_accum_sum(&right, test_arena, &s2, &n2, &err));
        assert_true(sql_numeric_accum_avg(&whole, test_arena, &a1, &n1, &err));
        assert_true(sql_numeric_accum_avg(&right, test_arena, &a2, &n2, &err));
        assert_int_equal(n1, n2);
        assert_string_equal(text_of(s1), text_of(s2));
        assert_string_equal(text_of(a1), text_of(a2));
    }
}

/* Lanes: load random batches, apply + - * (also chained in place, as the executor does for
 * price * (1 - disc) * (1 + tax)): every held row must be the exact operators' result, as
 * text (so value and scale), and rows that are NULL, inactive or fail must not be held. */
static void check_lane_row(const sql_numeric_lane *l, uint32_t i, sql_bytes want) {
    int64_t coef = l->coef[i];
    int32_t scale = l->scale[i];
    uint64_t u = coef < 0 ? -(uint64_t)coef : (uint64_t)coef;
    char digits[80], buf[128];
    int len = snprintf(digits, sizeof digits, "%0*llu", scale + 1, (unsigned long long)u);
    snprintf(buf, sizeof buf, "%s%.*s%s%s", coef < 0 ? "-" : "", len - scale, digits,
             scale > 0 ? "." : "", digits + len - scale);
    assert_string_equal(buf, text_of(want));
}

static void test_lane_ops_match_exact_operators(void **state) {
    (void)state;
    for (int round = 0; round < VEC_ROUNDS; round++) {
        rt_arena_reset(test_arena);
        rt_err err;
        rt_err_clear(&err);
        sql_bytes *a = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        sql_bytes *b = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        uint8_t *nulls = rt_arena_zalloc(test_arena, VEC_ROWS);
        uint8_t *active = rt_arena_alloc(test_arena, VEC_ROWS);
        for (uint32_t i = 0; i < VEC_ROWS; i++) {
            a[i] = random_value();
            b[i] = random_value();
            nulls[i] = rng_next() % 16 == 0;
            active[i] = rng_next() % 8 != 0;
        }
        sql_numeric_lane la, lb, lr;
        assert_true(sql_numeric_lane_alloc(test_arena, VEC_ROWS, &la, &err));
        assert_true(sql_numeric_lane_alloc(test_arena, VEC_ROWS, &lb, &err));
        assert_true(sql_numeric_lane_alloc(test_arena, VEC_ROWS, &lr, &err));
        sql_numeric_lane_load(VEC_ROWS, active, NULL, a, &la);
        sql_numeric_lane_load(VEC_ROWS, NULL, nulls, b, &lb);
        uint32_t held = 0, on_rows = 0;
        for (int op = 0; op < 3; op++) {
            sql_numeric_lane_apply((sql_numeric_lane_op)op, VEC_ROWS, &la, &lb, &lr);
            for (uint32_t i = 0; i < VEC_ROWS; i++) {
                bool on = active[i] && !nulls[i];
                on_rows += on;
                if (!on) {
                    assert_false(lr.ok[i]);
                    continue;
                }
                sql_bytes want;
                rt_err e2;
                rt_err_clear(&e2);
                if (!vec_ops[op].exact(test_arena, a[i], b[i], &want, &e2)) {
                    assert_false(lr.ok[i]); /* an error is never a held row */
                    continue;
                }
                if (lr.ok[i]) {
                    held++;
                    check_lane_row(&lr, i, want);
                }
            }
        }
        assert_true(held * 4 > on_rows); /* the lane holds most rows of these values */
        /* chained in place, as the executor does: ((a - b) * a) + b */
        sql_numeric_lane_apply(SQL_NUMERIC_LANE_SUB, VEC_ROWS, &la, &lb, &lr);
        sql_numeric_lane_apply(SQL_NUMERIC_LANE_MUL, VEC_ROWS, &lr, &la, &lr);
        sql_numeric_lane_apply(SQL_NUMERIC_LANE_ADD, VEC_ROWS, &lr, &lb, &lr);
        for (uint32_t i = 0; i < VEC_ROWS; i++) {
            if (!lr.ok[i]) continue;
            sql_bytes t;
            rt_err e2;
            rt_err_clear(&e2);
            assert_true(sql_numeric_sub(test_arena, a[i], b[i], &t, &e2));
            assert_true(sql_numeric_mul(test_arena, t, a[i], &t, &e2));
            assert_true(sql_numeric_add(test_arena, t, b[i], &t, &e2));
            check_lane_row(&lr, i, t);
        }
    }
}

/* Adding a lane's coefficients gives the accumulator what adding the values gives. */
static void test_accum_add_scaled_matches_add(void **state) {
    (void)state;
    for (int round = 0; round < 40; round++) {
        rt_arena_reset(test_arena);
        rt_err err;
        rt_err_clear(&err);
        sql_numeric_accum by_value, by_coef;
        sql_numeric_accum_init(&by_value, test_arena);
        sql_numeric_accum_init(&by_coef, test_arena);
        sql_bytes *v = rt_arena_alloc(test_arena, sizeof(sql_bytes) * VEC_ROWS);
        for (uint32_t i = 0; i < VEC_ROWS; i++) v[i] = random_value();
        sql_numeric_lane l;
        assert_true(sql_numeric_lane_alloc(test_arena, VEC_ROWS, &l, &err));
        sql_numeric_lane_load(VEC_ROWS, NULL, NULL, v, &l);
        for (uint32_t i = 0; i < VEC_ROWS; i++) {
            assert_true(sql_numeric_accum_add(&by_value, v[i], &err));
            assert_true(l.ok[i]
                            ? sql_numeric_accum_add_scaled(&by_coef, l.coef[i], l.scale[i], &err)
                            : sql_numeric_accum_add(&by_coef, v[i], &err));
        }
        sql_bytes s1, s2;
        bool n1, n2;
        assert_true(sql_numeric_accum_sum(&by_value, test_arena, &s1, &n1, &err));
        assert_true(sql_numeric_accum_sum(&by_coef, test_arena, &s2, &n2, &err));
        assert_int_equal(n1, n2);
        assert_int_equal(s1.len, s2.len);
        assert_memory_equal(s1.ptr, s2.ptr, s1.len);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vec_random_batches_match_exact_operators),
        cmocka_unit_test(test_vec_overflow_edges_match_exact_operators),
        cmocka_unit_test(test_vec_money_expression_matches_text),
        cmocka_unit_test(test_vec_numeric_overflow_is_the_exact_error),
        cmocka_unit_test(test_vec_cmp_matches_exact_comparison),
        cmocka_unit_test(test_accum_flat_merge_matches_one_accumulator),
        cmocka_unit_test(test_lane_ops_match_exact_operators),
        cmocka_unit_test(test_accum_add_scaled_matches_add),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
