/* test_sql_fn_vector.c: pgvector's functions, operators and aggregates over `vector`
 * (sql_fn_vector.c) called through the function and aggregate registries, as a query runs them.
 * How: the case table holds calls and pgvector's documented answers (its regression tests'
 * expected output: values, NaN/Infinity, and the exact error messages with their SQLSTATEs);
 * other tests check many rows in one batch (NULLs, inactive rows, mixed dimensions), the
 * aggregates step by step, merged and over no rows, results whose digits show the float32 sum
 * is finished in double as pgvector does, and Dreambase's dimension limit. */
#include <math.h>

#include "sql/sql_agg.h"
#include "test_sql_fn_util.h"

#define V SQL_T_VECTOR
#define F4A SQL_T_FLOAT4_ARRAY
#define NMA SQL_T_NUMERIC_ARRAY

static const tf_case vector_cases[] = {
    /* arithmetic */
    {"+", true, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "[5,7,9]"},
    {"+", true, 2, {A(V, "[3e38]"), A(V, "[3e38]")}, "ERROR 22003: value out of range: overflow"},
    {"+", true, 2, {A(V, "[1,2]"), A(V, "[3]")},
     "ERROR 22000: different vector dimensions 2 and 1"},
    {"-", true, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "[-3,-3,-3]"},
    {"-", true, 2, {A(V, "[-3e38]"), A(V, "[3e38]")}, "ERROR 22003: value out of range: overflow"},
    {"-", true, 2, {A(V, "[1,2]"), A(V, "[3]")},
     "ERROR 22000: different vector dimensions 2 and 1"},
    {"*", true, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "[4,10,18]"},
    {"*", true, 2, {A(V, "[1e37]"), A(V, "[1e37]")}, "ERROR 22003: value out of range: overflow"},
    {"*", true, 2, {A(V, "[1e-37]"), A(V, "[1e-37]")},
     "ERROR 22003: value out of range: underflow"},
    {"*", true, 2, {A(V, "[0,2]"), A(V, "[1e-37,0]")}, "[0,0]"},
    {"||", true, 2, {A(V, "[1,2,3]"), A(V, "[4,5]")}, "[1,2,3,4,5]"},
    {"vector_add", false, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "[5,7,9]"},
    {"vector_concat", false, 2, {A(V, "[1]"), A(V, "[2]")}, "[1,2]"},
    /* comparisons: elements first, then the shorter vector first */
    {"<", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2,3]")}, "f"},
    {"<", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "f"},
    {"<=", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2,3]")}, "t"},
    {"<=", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "f"},
    {"=", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2,3]")}, "t"},
    {"=", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "f"},
    {"<>", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2,3]")}, "f"},
    {"<>", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "t"},
    {">=", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "t"},
    {">", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2,3]")}, "f"},
    {">", true, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "t"},
    {"vector_cmp", false, 2, {A(V, "[1,2,3]"), A(V, "[1,2,3]")}, "0"},
    {"vector_cmp", false, 2, {A(V, "[1,2,3]"), A(V, "[0,0,0]")}, "1"},
    {"vector_cmp", false, 2, {A(V, "[0,0,0]"), A(V, "[1,2,3]")}, "-1"},
    {"vector_cmp", false, 2, {A(V, "[1,2]"), A(V, "[1,2,3]")}, "-1"},
    {"vector_cmp", false, 2, {A(V, "[1,2,3]"), A(V, "[1,2]")}, "1"},
    {"vector_cmp", false, 2, {A(V, "[1,2]"), A(V, "[2,3,4]")}, "-1"},
    {"vector_cmp", false, 2, {A(V, "[2,3]"), A(V, "[1,2,3]")}, "1"},
    {"vector_lt", false, 2, {A(V, "[1,2]"), A(V, "[1,3]")}, "t"},
    {"vector_ge", false, 2, {A(V, "[1,2]"), A(V, "[1,3]")}, "f"},
    /* one vector */
    {"vector_dims", false, 1, {A(V, "[1,2,3]")}, "3"},
    {"vector_norm", false, 1, {A(V, "[3,4]")}, "5"},
    {"vector_norm", false, 1, {A(V, "[0,1]")}, "1"},
    {"vector_norm", false, 1, {A(V, "[1,1]")}, "1.4142135623730951"},
    {"vector_norm", false, 1, {A(V, "[0,0]")}, "0"},
    {"vector_norm", false, 1, {A(V, "[2]")}, "2"},
    {"vector_norm", false, 1, {A(V, "[3e37,4e37]")}, "5.000000042966943e+37"},
    {"l2_normalize", false, 1, {A(V, "[3,4]")}, "[0.6,0.8]"},
    {"l2_normalize", false, 1, {A(V, "[3,0]")}, "[1,0]"},
    {"l2_normalize", false, 1, {A(V, "[0,0.1]")}, "[0,1]"},
    {"l2_normalize", false, 1, {A(V, "[0,0]")}, "[0,0]"},
    {"l2_normalize", false, 1, {A(V, "[3e38]")}, "[1]"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "1"), A(I4, "3")}, "[1,2,3]"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "3"), A(I4, "2")}, "[3,4]"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "-1"), A(I4, "3")}, "[1]"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "3"), A(I4, "9")}, "[3,4,5]"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "1"), A(I4, "0")},
     "ERROR 22000: vector must have at least 1 dimension"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "3"), A(I4, "-1")},
     "ERROR 22000: vector must have at least 1 dimension"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "-1"), A(I4, "2")},
     "ERROR 22000: vector must have at least 1 dimension"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "2147483647"), A(I4, "10")},
     "ERROR 22000: vector must have at least 1 dimension"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "3"), A(I4, "2147483647")}, "[3,4,5]"},
    {"subvector", false, 3, {A(V, "[1,2,3,4,5]"), A(I4, "-2147483644"), A(I4, "2147483647")},
     "[1,2]"},
    /* distances */
    {"l2_distance", false, 2, {A(V, "[0,0]"), A(V, "[3,4]")}, "5"},
    {"l2_distance", false, 2, {A(V, "[0,0]"), A(V, "[0,1]")}, "1"},
    {"l2_distance", false, 2, {A(V, "[1,2]"), A(V, "[3]")},
     "ERROR 22000: different vector dimensions 2 and 1"},
    {"l2_distance", false, 2, {A(V, "[3e38]"), A(V, "[-3e38]")}, "Infinity"},
    {"l2_distance", false, 2, {A(V, "[1,1,1,1,1,1,1,1,1]"), A(V, "[1,1,1,1,1,1,1,4,5]")}, "5"},
    {"<->", true, 2, {A(V, "[0,0]"), A(V, "[3,4]")}, "5"},
    {"<->", true, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "5.196152422706632"},
    {"vector_l2_squared_distance", false, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "27"},
    {"inner_product", false, 2, {A(V, "[1,2]"), A(V, "[3,4]")}, "11"},
    {"inner_product", false, 2, {A(V, "[1,2]"), A(V, "[3]")},
     "ERROR 22000: different vector dimensions 2 and 1"},
    {"inner_product", false, 2, {A(V, "[3e38]"), A(V, "[3e38]")}, "Infinity"},
    {"inner_product", false, 2, {A(V, "[1,1,1,1,1,1,1,1,1]"), A(V, "[1,2,3,4,5,6,7,8,9]")},
     "45"},
    {"<#>", true, 2, {A(V, "[1,2]"), A(V, "[3,4]")}, "-11"},
    {"vector_negative_inner_product", false, 2, {A(V, "[1,2]"), A(V, "[3,4]")}, "-11"},
    {"cosine_distance", false, 2, {A(V, "[1,2]"), A(V, "[2,4]")}, "0"},
    {"cosine_distance", false, 2, {A(V, "[1,2]"), A(V, "[0,0]")}, "NaN"},
    {"cosine_distance", false, 2, {A(V, "[1,1]"), A(V, "[1,1]")}, "0"},
    {"cosine_distance", false, 2, {A(V, "[1,0]"), A(V, "[0,2]")}, "1"},
    {"cosine_distance", false, 2, {A(V, "[1,1]"), A(V, "[-1,-1]")}, "2"},
    {"cosine_distance", false, 2, {A(V, "[1,2]"), A(V, "[3]")},
     "ERROR 22000: different vector dimensions 2 and 1"},
    {"cosine_distance", false, 2, {A(V, "[1,1]"), A(V, "[1.1,1.1]")}, "0"},
    {"cosine_distance", false, 2, {A(V, "[1,1]"), A(V, "[-1.1,-1.1]")}, "2"},
    {"cosine_distance", false, 2, {A(V, "[3e38]"), A(V, "[3e38]")}, "NaN"},
    {"cosine_distance", false, 2, {A(V, "[1,2,3,4,5,6,7,8,9]"), A(V, "[1,2,3,4,5,6,7,8,9]")},
     "0"},
    {"cosine_distance", false, 2,
     {A(V, "[1,2,3,4,5,6,7,8,9]"), A(V, "[-1,-2,-3,-4,-5,-6,-7,-8,-9]")}, "2"},
    {"<=>", true, 2, {A(V, "[1,2]"), A(V, "[2,4]")}, "0"},
    {"<=>", true, 2, {A(V, "[1,2,3]"), A(V, "[4,5,6]")}, "0.025368153802923787"},
    {"vector_spherical_distance", false, 2, {A(V, "[1,0]"), A(V, "[0,1]")}, "0.5"},
    {"vector_spherical_distance", false, 2, {A(V, "[1,0]"), A(V, "[-1,0]")}, "1"},
    {"l1_distance", false, 2, {A(V, "[0,0]"), A(V, "[3,4]")}, "7"},
    {"l1_distance", false, 2, {A(V, "[0,0]"), A(V, "[0,1]")}, "1"},
    {"l1_distance", false, 2, {A(V, "[1,2]"), A(V, "[3]")},
     "ERROR 22000: different vector dimensions 2 and 1"},
    {"l1_distance", false, 2, {A(V, "[3e38]"), A(V, "[-3e38]")}, "Infinity"},
    {"l1_distance", false, 2, {A(V, "[1,2,3,4,5,6,7,8,9]"), A(V, "[0,3,2,5,4,7,6,9,8]")}, "9"},
    {"<+>", true, 2, {A(V, "[0,0]"), A(V, "[3,4]")}, "7"},
    /* NULL in, NULL out */
    {"<->", true, 2, {A(V, NULL), A(V, "[3,4]")}, "<NULL>"},
    {"vector_dims", false, 1, {A(V, NULL)}, "<NULL>"},
    /* the cast functions */
    {"vector", false, 3, {A(V, "[1,2,3]"), A(I4, "3"), A(B, "true")}, "[1,2,3]"},
    {"vector", false, 3, {A(V, "[1,2,3]"), A(I4, "2"), A(B, "true")},
     "ERROR 22000: expected 2 dimensions, not 3"},
    {"array_to_vector", false, 3, {A(I4A, "{1,2,3}"), A(I4, "-1"), A(B, "true")}, "[1,2,3]"},
    {"array_to_vector", false, 3, {A(F4A, "{1.5,-2}"), A(I4, "-1"), A(B, "true")}, "[1.5,-2]"},
    {"array_to_vector", false, 3, {A(F8A, "{0.1,1e10}"), A(I4, "2"), A(B, "true")},
     "[0.1,1e+10]"},
    {"array_to_vector", false, 3, {A(F8A, "{1,2}"), A(I4, "3"), A(B, "true")},
     "ERROR 22000: expected 3 dimensions, not 2"},
    {"array_to_vector", false, 3, {A(I4A, "{1,NULL}"), A(I4, "-1"), A(B, "true")},
     "ERROR 22004: array must not contain nulls"},
    {"array_to_vector", false, 3, {A(I4A, "{{1,2},{3,4}}"), A(I4, "-1"), A(B, "true")},
     "ERROR 22000: array must be 1-D"},
    {"array_to_vector", false, 3, {A(F8A, "{NaN}"), A(I4, "-1"), A(B, "true")},
     "ERROR 22000: NaN not allowed in vector"},
    {"array_to_vector", false, 3, {A(F8A, "{Infinity}"), A(I4, "-1"), A(B, "true")},
     "ERROR 22000: infinite value not allowed in vector"},
    {"array_to_vector", false, 3, {A(I4A, "{}"), A(I4, "-1"), A(B, "true")},
     "ERROR 22000: vector must have at least 1 dimension"},
    /* the aggregate support functions over pgvector's float8[] state */
    {"vector_accum", false, 2, {A(F8A, "{0}"), A(V, "[1,2,3]")}, "{1,1,2,3}"},
    {"vector_accum", false, 2, {A(F8A, "{0,0,0,0}"), A(V, "[1,2,3]")}, "{1,1,2,3}"},
    {"vector_accum", false, 2, {A(F8A, "{1,1,2,3}"), A(V, "[3,5,7]")}, "{2,4,7,10}"},
    {"vector_accum", false, 2, {A(F8A, "{NULL}"), A(V, "[1,2,3]")},
     "ERROR XX000: vector_accum: expected state array"},
    {"vector_accum", false, 2, {A(F8A, "{}"), A(V, "[1,2,3]")},
     "ERROR XX000: vector_accum: expected state array"},
    {"vector_accum", false, 2, {A(F8A, "{0,0}"), A(V, "[1,2,3]")},
     "ERROR 22000: expected 1 dimensions, not 3"},
    {"vector_combine", false, 2, {A(F8A, "{1,2}"), A(F8A, "{3,4}")}, "{4,6}"},
    {"vector_combine", false, 2, {A(F8A, "{0}"), A(F8A, "{2,4,6}")}, "{2,4,6}"},
    {"vector_combine", false, 2, {A(F8A, "{NULL,2}"), A(F8A, "{3,4}")},
     "ERROR XX000: vector_combine: expected state array"},
    {"vector_combine", false, 2, {A(F8A, "{1,2}"), A(F8A, "{3,NULL}")},
     "ERROR XX000: vector_combine: expected state array"},
    {"vector_avg", false, 1, {A(F8A, "{2,2,4,6}")}, "[1,2,3]"},
    {"vector_avg", false, 1, {A(F8A, "{0}")}, "<NULL>"},
    {"vector_avg", false, 1, {A(F8A, "{1}")}, "ERROR 22000: vector must have at least 1 dimension"},
    {"vector_avg", false, 1, {A(F8A, "{NULL,2,4,6}")},
     "ERROR XX000: vector_avg: expected state array"},
    {"vector_avg", false, 1, {A(F8A, "{}")}, "ERROR XX000: vector_avg: expected state array"},
    {"vector_to_float4", false, 3, {A(V, "[1,2.5,-3]"), A(I4, "-1"), A(B, "true")},
     "{1,2.5,-3}"},
};

static void test_sql_fn_vector_matches_pgvector(void **state) {
    (void)state;
    tf_run_cases(vector_cases, sizeof vector_cases / sizeof vector_cases[0]);
}

/* Many rows in one batch: NULL rows are skipped, and each row's own dimensions count (a
 * mismatch in one row fails the whole call, as it fails the statement). */
static void test_sql_fn_vector_batch(void **state) {
    (void)state;
    const tf_arg types[] = {A(V, ""), A(V, "")};
    const char *rows[] = {"[0,0]", "[3,4]", NULL, "[1,1]", "[1,2,3]", "[4,5,6]", "[1]", NULL,
                          "[2]", "[-2]"};
    const char *out[5];
    assert_null(tf_eval_rows("<->", true, types, 2, rows, 5, out));
    assert_string_equal(out[0], "5");
    assert_string_equal(out[1], "<NULL>");
    assert_string_equal(out[2], "5.196152422706632");
    assert_string_equal(out[3], "<NULL>");
    assert_string_equal(out[4], "4");
    const char *bad[] = {"[0,0]", "[3,4]", "[1,2]", "[1,2,3]"};
    const char *err = tf_eval_rows("<=>", true, types, 2, bad, 2, out);
    assert_string_equal(err, "ERROR 22000: different vector dimensions 2 and 3");
}

/* A row outside the active mask is never computed, so its mismatch raises nothing (CASE WHEN
 * vector_dims(a) = vector_dims(b) THEN a <-> b END). */
static void test_sql_fn_vector_inactive_rows(void **state) {
    (void)state;
    uint32_t elem;
    tf_arg types[] = {A(V, ""), A(V, "")};
    const sql_func_def *d = tf_find("<->", true, types, 2, &elem);
    sql_expr *e = tf_expr(d, types, 2, elem);
    sql_batch *b = sql_batch_new(tf_arena, 2, 2);
    const char *texts[2][2] = {{"[1,2]", "[1]"}, {"[0,0]", "[0,2]"}};
    for (uint32_t a = 0; a < 2; a++) {
        sql_vec_init(tf_arena, &b->cols[a], V, -1, 2);
        for (uint32_t r = 0; r < 2; r++) {
            tf_arg one = A(V, texts[r][a]);
            sql_value v = tf_value(&one);
            sql_vec_set(&b->cols[a], r, &v);
        }
    }
    b->rows = 2;
    rt_err err;
    rt_err_clear(&err);
    sql_eval_ctx ec = {.arena = tf_arena, .io = tf_io(&err), .err = &err};
    const uint8_t active[2] = {0, 1};
    sql_vec *out = sql_eval(&ec, e, b, 2, active);
    assert_non_null(out);
    assert_true(sql_vec_is_null(out, 0));
    assert_true(out->f64[1] == 2.0);
}

/* A vector of `dims` copies of `x` in text form. */
static const char *tf_vector_text(uint32_t dims, const char *x) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 16 * dims);
    sql_strbuf_putc(&sb, '[');
    for (uint32_t i = 0; i < dims; i++) {
        if (i > 0) sql_strbuf_putc(&sb, ',');
        sql_strbuf_puts(&sb, x);
    }
    sql_strbuf_puts(&sb, "]");
    sql_strbuf_putc(&sb, '\0');
    return sb.data;
}

/* Dreambase's limit is ENG_VECTOR_DIMS_MAX (pgvector's is 16000): concatenation past it is
 * 54000, and the SIMD kernels give exact answers at the largest size. */
static void test_sql_fn_vector_dimension_limit(void **state) {
    (void)state;
    const char *ones = tf_vector_text(ENG_VECTOR_DIMS_MAX, "1");
    const char *zeros = tf_vector_text(ENG_VECTOR_DIMS_MAX, "0");
    assert_string_equal(OP("<->", A(V, ones), A(V, zeros)), "64");
    assert_string_equal(OP("<#>", A(V, ones), A(V, ones)), "-4096");
    assert_string_equal(OP("<+>", A(V, ones), A(V, zeros)), "4096");
    assert_string_equal(FN("vector_norm", A(V, ones)), "64");
    assert_string_equal(FN("vector_dims", A(V, ones)), "4096");
    assert_string_equal(OP("||", A(V, ones), A(V, "[1]")),
                        "ERROR 54000: vector cannot have more than 4096 dimensions");
    const char *half = tf_vector_text(ENG_VECTOR_DIMS_MAX / 2, "2");
    assert_string_equal(FN("vector_dims", A(V, OP("||", A(V, half), A(V, half)))), "4096");
}

/* Runs aggregate `name` over vector texts (NULL: SQL NULL, skipped since it is strict). With
 * `split` > 0 the rows go into two states, merged as partial aggregation would. */
static const char *tf_vector_agg(const char *name, const char *const *rows, uint32_t count,
                                 uint32_t split) {
    sql_agg_list l = sql_aggs_lookup(name);
    const sql_agg_def *d = NULL;
    for (uint32_t k = 0; k < l.count; k++) {
        if (l.items[k]->args[0] == V) d = l.items[k];
    }
    assert_non_null(d);
    assert_int_equal(d->ret, V);
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    sql_agg_ctx c = {.arena = tf_arena, .err = &err, .io = &io, .arg_type = V, .result_type = V};
    void *s1 = rt_arena_alloc(tf_arena, d->state_bytes);
    void *s2 = rt_arena_alloc(tf_arena, d->state_bytes);
    d->init(&c, s1);
    d->init(&c, s2);
    for (uint32_t r = 0; r < count; r++) {
        tf_arg a = A(V, rows[r]);
        sql_value v = tf_value(&a);
        if (v.is_null && d->strict) continue;
        if (!d->step(&c, split > 0 && r >= split ? s2 : s1, &v)) return tf_error(&err);
    }
    if (split > 0 && !d->merge(&c, s1, s2)) return tf_error(&err);
    sql_value out = {.type_oid = V};
    if (!d->final(&c, s1, &out)) return tf_error(&err);
    return tf_text(&out);
}

/* avg and sum with pgvector's answers, errors and overflow behaviour. */
static void test_sql_fn_vector_aggregates(void **state) {
    (void)state;
    const char *two[] = {"[1,2,3]", "[3,5,7]", NULL};
    assert_string_equal(tf_vector_agg("avg", two, 2, 0), "[2,3.5,5]");
    assert_string_equal(tf_vector_agg("avg", two, 3, 0), "[2,3.5,5]");
    assert_string_equal(tf_vector_agg("avg", two, 0, 0), "<NULL>");
    assert_string_equal(tf_vector_agg("sum", two, 2, 0), "[4,7,10]");
    assert_string_equal(tf_vector_agg("sum", two, 3, 0), "[4,7,10]");
    assert_string_equal(tf_vector_agg("sum", two, 0, 0), "<NULL>");
    const char *mixed[] = {"[1,2]", "[3]"};
    assert_string_equal(tf_vector_agg("avg", mixed, 2, 0),
                        "ERROR 22000: expected 2 dimensions, not 1");
    assert_string_equal(tf_vector_agg("sum", mixed, 2, 0),
                        "ERROR 22000: different vector dimensions 2 and 1");
    /* avg sums in double: no overflow where sum's float32 overflows */
    const char *big[] = {"[3e38]", "[3e38]"};
    assert_string_equal(tf_vector_agg("avg", big, 2, 0), "[3e+38]");
    assert_string_equal(tf_vector_agg("sum", big, 2, 0),
                        "ERROR 22003: value out of range: overflow");
    /* partial states merge to the same answer, an empty partial included */
    const char *four[] = {"[1,2,3]", "[3,5,7]", "[0,0,0]", "[4,1,2]"};
    assert_string_equal(tf_vector_agg("avg", four, 4, 2), "[2,2,3]");
    assert_string_equal(tf_vector_agg("sum", four, 4, 3), "[8,8,12]");
    assert_string_equal(tf_vector_agg("avg", four, 2, 2), "[2,3.5,5]");
}

/* The casts pgvector defines, in the contexts it defines them: arrays of int, real, double
 * precision and numeric become vectors on assignment, a vector becomes real[] implicitly, and
 * no other array type (PostgreSQL: "cannot cast type vector to double precision[]"). */
static void test_sql_fn_vector_casts(void **state) {
    (void)state;
    const uint32_t arrays[] = {I4A, F4A, F8A, NMA};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
        assert_false(sql_cast_allowed(arrays[k], V, SQL_CAST_IMPLICIT));
        assert_true(sql_cast_allowed(arrays[k], V, SQL_CAST_ASSIGNMENT));
    }
    assert_false(sql_cast_allowed(I8A, V, SQL_CAST_EXPLICIT));
    assert_true(sql_cast_allowed(V, F4A, SQL_CAST_IMPLICIT));
    assert_false(sql_cast_allowed(V, F8A, SQL_CAST_EXPLICIT));
    assert_false(sql_cast_allowed(V, I4A, SQL_CAST_EXPLICIT));
    assert_false(sql_cast_allowed(V, NMA, SQL_CAST_EXPLICIT));
    assert_true(sql_cast_allowed(V, V, SQL_CAST_IMPLICIT));
    assert_true(sql_cast_allowed(V, T, SQL_CAST_ASSIGNMENT));
    assert_true(sql_cast_allowed(T, V, SQL_CAST_EXPLICIT));
    assert_false(sql_cast_allowed(T, V, SQL_CAST_IMPLICIT));
}

/* Runs the cast of one value, as a query's CAST does. */
static const char *tv_cast(uint32_t from, const char *text, uint32_t to) {
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    tf_arg arg = A(from, text);
    sql_value v = tf_value(&arg);
    sql_vec *in = sql_vec_new(tf_arena, from, -1, 1);
    sql_vec *out = sql_vec_new(tf_arena, to, -1, 1);
    sql_vec_set(in, 0, &v);
    out->nulls[0] = 0;
    sql_fctx f = {.arena = tf_arena, .err = &err, .io = &io};
    if (!sql_cast_vec(&f, 1, NULL, in, to, -1, true, out)) return tf_error(&err);
    sql_value r;
    sql_vec_get(out, 0, &r);
    return tf_text(&r);
}

/* vector::text and text::vector go through the type's output and input (psycopg2 reads
 * embedding::text), not through the array casts. */
static void test_sql_fn_vector_text_casts(void **state) {
    (void)state;
    assert_string_equal(tv_cast(V, "[1,2.5,-3]", T), "[1,2.5,-3]");
    assert_string_equal(tv_cast(V, "[1,2]", SQL_T_VARCHAR), "[1,2]");
    assert_string_equal(tv_cast(T, "[4,5]", V), "[4,5]");
    assert_string_equal(tv_cast(V, "[1,2]", F4A), "{1,2}");
}

static int tf_setup_vector(void **state) {
    sql_aggs_init();
    return tf_setup(state);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_fn_vector_matches_pgvector),
        cmocka_unit_test(test_sql_fn_vector_batch),
        cmocka_unit_test(test_sql_fn_vector_inactive_rows),
        cmocka_unit_test(test_sql_fn_vector_dimension_limit),
        cmocka_unit_test(test_sql_fn_vector_aggregates),
        cmocka_unit_test(test_sql_fn_vector_casts),
        cmocka_unit_test(test_sql_fn_vector_text_casts),
    };
    return cmocka_run_group_tests(tests, tf_setup_vector, tf_teardown);
}
