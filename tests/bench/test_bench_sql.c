/* test_bench_sql.c: what dreambase-bench sends and how it is configured.
 * How: the SQL of both dialects compared with the exact text each server must accept (the
 * dialects may differ only in the words the issue names); vectors as text (every float must
 * read back as itself) and in pgvector's binary format; the parser of vector output; the
 * command-line options, good and bad; and the /proc parsers the server figures come from. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench/dreambase-bench/bench.h"

static bench_schema test_schema(bench_dialect dialect, uint32_t dims) {
    return (bench_schema){.dialect = dialect, .metric = BENCH_METRIC_COSINE, .table = "documents",
                          .dims = dims, .k = 10};
}

static void test_bench_sql_dreambase(void **state) {
    bench_schema s = test_schema(BENCH_DIALECT_DREAMBASE, 1536);
    char sql[BENCH_SQL_BYTES_MAX];
    assert_string_equal(bench_sql_create_table(&s, sql),
                        "CREATE TABLE documents (id bigint PRIMARY KEY, user_id text NOT NULL, "
                        "content text, category text, created_at timestamptz, "
                        "bucket integer NOT NULL, embedding vector(1536))");
    assert_null(bench_sql_create_extension(&s, sql)); /* vectors are built in */
    assert_null(bench_sql_create_vector_index(&s, sql)); /* the index is automatic */
    assert_null(bench_sql_set_iterative_scan(&s, sql));
    assert_string_equal(bench_sql_topk(&s, 0, false, sql),
                        "SELECT id FROM documents ORDER BY embedding NEAR $1 LIMIT 10");
    assert_string_equal(bench_sql_topk(&s, 10, false, sql),
                        "SELECT id FROM documents WHERE bucket < 10 "
                        "ORDER BY embedding NEAR $1 LIMIT 10");
    assert_string_equal(bench_sql_topk(&s, 0, true, sql),
                        "SELECT id FROM documents WHERE user_id = $2 "
                        "ORDER BY embedding NEAR $1 LIMIT 10");
    assert_string_equal(bench_sql_set_ef_search(&s, 64, sql), "SET hnsw.ef_search = 64");
    s.metric = BENCH_METRIC_L2; /* other metrics: pgvector's operators, which Dreambase speaks */
    assert_string_equal(bench_sql_topk(&s, 0, false, sql),
                        "SELECT id FROM documents ORDER BY embedding <-> $1 LIMIT 10");
    /* The automatic graph is cosine: an L2 search walks a graph only if one is L2. */
    assert_string_equal(bench_sql_create_vector_index(&s, sql),
                        "CREATE INDEX ON documents USING hnsw (embedding vector_l2_ops)");
}

static void test_bench_sql_exact(void **state) {
    /* PostgreSQL with a vector type and no vector index: exact scans, pgvector's operators. */
    bench_schema s = test_schema(BENCH_DIALECT_EXACT, 96);
    s.metric = BENCH_METRIC_L2;
    char sql[BENCH_SQL_BYTES_MAX];
    assert_null(bench_sql_create_extension(&s, sql));
    assert_null(bench_sql_create_vector_index(&s, sql));
    assert_null(bench_sql_set_iterative_scan(&s, sql));
    assert_string_equal(bench_sql_topk(&s, 100, false, sql),
                        "SELECT id FROM documents WHERE bucket < 100 "
                        "ORDER BY embedding <-> $1 LIMIT 10");
    assert_string_equal(bench_dialect_name(BENCH_DIALECT_EXACT), "exact");
}

static void test_bench_sql_pgvector(void **state) {
    bench_schema s = test_schema(BENCH_DIALECT_PGVECTOR, 768);
    char sql[BENCH_SQL_BYTES_MAX];
    assert_string_equal(bench_sql_create_extension(&s, sql),
                        "CREATE EXTENSION IF NOT EXISTS vector");
    assert_string_equal(bench_sql_create_vector_index(&s, sql),
                        "CREATE INDEX ON documents USING hnsw (embedding vector_cosine_ops)");
    s.hnsw_m = 16, s.ef_construction = 64;
    assert_string_equal(bench_sql_create_vector_index(&s, sql),
                        "CREATE INDEX ON documents USING hnsw (embedding vector_cosine_ops) "
                        "WITH (m = 16, ef_construction = 64)");
    assert_string_equal(bench_sql_topk(&s, 5000, false, sql),
                        "SELECT id FROM documents WHERE bucket < 5000 "
                        "ORDER BY embedding <=> $1 LIMIT 10");
    assert_string_equal(bench_sql_set_iterative_scan(&s, sql),
                        "SET hnsw.iterative_scan = relaxed_order");
    s.metric = BENCH_METRIC_IP;
    assert_string_equal(bench_sql_topk(&s, 0, false, sql),
                        "SELECT id FROM documents ORDER BY embedding <#> $1 LIMIT 10");
    assert_non_null(strstr(bench_sql_create_vector_index(&s, sql), "vector_ip_ops"));
    /* The same table, statements and filters in both dialects. */
    bench_schema d = test_schema(BENCH_DIALECT_DREAMBASE, 768);
    char other[BENCH_SQL_BYTES_MAX];
    assert_string_equal(bench_sql_create_table(&s, sql), bench_sql_create_table(&d, other));
    assert_string_equal(bench_sql_update(&s, sql), bench_sql_update(&d, other));
    assert_string_equal(bench_sql_update(&s, sql),
                        "UPDATE documents SET embedding = $2, content = $3 WHERE id = $1");
    assert_string_equal(bench_sql_copy(&s, true, sql),
                        "COPY documents (id, user_id, content, category, created_at, bucket, "
                        "embedding) FROM STDIN WITH (FORMAT binary)");
}

static void test_bench_sql_scalar_only_and_insert(void **state) {
    bench_schema s = test_schema(BENCH_DIALECT_PGVECTOR, 0);
    char sql[BENCH_SQL_BYTES_MAX];
    assert_null(strstr(bench_sql_create_table(&s, sql), "embedding"));
    assert_null(bench_sql_create_extension(&s, sql)); /* no vectors, no pgvector needed */
    assert_null(bench_sql_create_vector_index(&s, sql));
    assert_string_equal(bench_sql_update(&s, sql),
                        "UPDATE documents SET content = $2 WHERE id = $1");
    assert_string_equal(bench_sql_copy(&s, false, sql),
                        "COPY documents (id, user_id, content, category, created_at, bucket) "
                        "FROM STDIN");
    char *insert = bench_sql_insert(&s, 2);
    assert_string_equal(insert, "INSERT INTO documents (id, user_id, content, category, "
                                "created_at, bucket) VALUES ($1, $2, $3, $4, $5, $6),"
                                "($7, $8, $9, $10, $11, $12)");
    free(insert);
    s.dims = 4;
    insert = bench_sql_insert(&s, 9362); /* the most rows of 7 parameters a Bind can carry */
    assert_non_null(strstr(insert, "$65534)"));
    free(insert);
}

static void test_bench_float_text_reads_back_exactly(void **state) {
    char buf[BENCH_FLOAT_TEXT_BYTES_MAX + 1];
    struct { float f; const char *text; } known[] = {
        {0.0f, "0"}, {1.0f, "1"}, {-0.5f, "-0.5"}, {0.1f, "0.100000001"}, {100.0f, "100"},
        {1e-5f, "9.99999975e-06"}, {123456792.0f, "123456792"}, {1e10f, "1e+10"},
        {-3.4028235e38f, "-3.40282347e+38"}, {0.00123f, "0.00123000005"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        bench_float_format(known[i].f, buf);
        assert_string_equal(buf, known[i].text);
    }
    /* Every kind of float, normal and subnormal, comes back bit for bit. */
    bench_rng rng;
    bench_rng_seed(&rng, 1, 2, 3);
    for (int i = 0; i < 200000; i++) {
        uint32_t bits = (uint32_t)bench_rng_next(&rng);
        float f;
        memcpy(&f, &bits, 4);
        if (!isfinite(f)) continue;
        size_t len = bench_float_format(f, buf);
        assert_true(len <= BENCH_FLOAT_TEXT_BYTES_MAX);
        assert_int_equal(len, strlen(buf));
        float back = strtof(buf, NULL);
        if (back != f) fail_msg("%.9g formatted as %s reads back as %.9g", f, buf, back);
    }
    float tiny = 1.4e-45f; /* the smallest subnormal */
    bench_float_format(tiny, buf);
    assert_true(strtof(buf, NULL) == tiny);
}

static void test_bench_vector_text_and_binary(void **state) {
    float v[3] = {1.5f, -0.25f, 3e-7f}, back[3];
    char text[BENCH_VECTOR_TEXT_BYTES_MAX];
    assert_int_equal(bench_vector_format_text(v, 3, text), strlen("[1.5,-0.25,3.00000011e-07]"));
    assert_string_equal(text, "[1.5,-0.25,3.00000011e-07]");
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_vector_parse_text(text, 3, back, &err));
    assert_memory_equal(back, v, sizeof v);
    assert_true(bench_vector_parse_text("[1, 2.5 ,-3]", 3, back, &err)); /* spaces allowed */
    assert_true(back[2] == -3);
    const char *bad[] = {"[1,2]", "[1,2,3,4]", "1,2,3", "[1,2,3", "[1,x,3]", "[1,2,3]x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_err_clear(&err);
        assert_false(bench_vector_parse_text(bad[i], 3, back, &err));
        assert_string_equal(err.sqlstate, "22P02");
    }
    /* pgvector's binary: uint16 dims, uint16 0, big-endian float4. */
    char bin[16];
    float one = 1.0f;
    assert_int_equal(bench_vector_format_binary(&one, 1, bin), 8);
    assert_memory_equal(bin, "\x00\x01\x00\x00\x3f\x80\x00\x00", 8);
}

static bool test_parse(bench_opts *o, rt_err *err, int argc, ...) {
    char *argv[32];
    va_list ap;
    va_start(ap, argc);
    argv[0] = "dreambase-bench";
    for (int i = 1; i <= argc; i++) argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc + 1] = NULL;
    bench_opts_defaults(o);
    rt_err_clear(err);
    return bench_opts_parse(o, argc + 1, argv, err);
}

static void test_bench_opts_good(void **state) {
    bench_opts o;
    rt_err err;
    assert_true(test_parse(&o, &err, 10, "--workload", "load,hybrid", "--dialect", "pgvector",
                           "--selectivity", "0.0001,0.5,1", "--ef-search", "40,80",
                           "--dims", "8"));
    assert_int_equal(o.workloads, BENCH_WL_LOAD | BENCH_WL_HYBRID);
    assert_int_equal(o.dialect, BENCH_DIALECT_PGVECTOR);
    assert_int_equal(o.selectivity_count, 3);
    assert_true(o.selectivity[0] == 0.0001 && o.selectivity[2] == 1.0);
    assert_int_equal(o.ef_search_count, 2);
    assert_int_equal(o.ef_search[1], 80);
    assert_string_equal(o.label, "pgvector");
    assert_true(o.duration_s == 10); /* the default when neither duration nor count */
    assert_true(o.analyze);
    assert_true(test_parse(&o, &err, 5, "--workload", "load", "--dialect", "exact",
                           "--no-analyze"));
    assert_int_equal(o.dialect, BENCH_DIALECT_EXACT);
    assert_false(o.analyze);
    assert_string_equal(o.label, "exact");
    /* Defaults: the sweep of selectivities. */
    assert_true(test_parse(&o, &err, 2, "--workload", "ann"));
    assert_int_equal(o.selectivity_count, 6);
    assert_true(o.selectivity[0] == 0.0001 && o.selectivity[5] == 1.0);
    assert_int_equal(o.filters, BENCH_FILTER_BUCKET | BENCH_FILTER_USER);
    assert_true(test_parse(&o, &err, 4, "--chart-from", "a.jsonl,b.jsonl", "--svg-out", "c.svg"));
}

static void test_bench_opts_bad(void **state) {
    bench_opts o;
    rt_err err;
    struct { int argc; const char *args[4]; const char *needle; } bad[] = {
        {0, {NULL}, "--workload is required"},
        {2, {"--workload", "ann,bogus"}, "unknown workload"},
        {4, {"--workload", "ann", "--selectivity", "0.00015"}, "multiple of 1/10000"},
        {4, {"--workload", "ann", "--selectivity", "0"}, "multiple of 1/10000"},
        {4, {"--workload", "ann", "--selectivity", "1.5"}, "--selectivity"},
        {4, {"--workload", "ann", "--selectivity", "0.1,,0.2"}, "non-empty"},
        {4, {"--workload", "ann", "--dims", "4097"}, "--dims"},
        {4, {"--workload", "ann", "--dims", "0"}, "vector column"},
        {4, {"--workload", "point", "--k", "12x"}, "--k"},
        {4, {"--workload", "point", "--table", "Documents"}, "lower-case identifier"},
        {4, {"--workload", "point", "--table", "a;drop"}, "lower-case identifier"},
        {4, {"--workload", "point", "--dialect", "mysql"}, "--dialect"},
        {4, {"--workload", "point", "--duration", "-1"}, "--duration"},
        {4, {"--workload", "point", "--queries", "q.fvecs"}, "--queries needs --dataset"},
        {4, {"--workload", "point", "--concurrency", "0"}, "--concurrency"},
        {4, {"--workload", "point", "--pipeline", "65"}, "--pipeline"},
        {2, {"--chart-from", "a.jsonl"}, "--svg-out"},
        {3, {"--workload", "point", "extra"}, "unexpected argument"},
        {1, {"--nope"}, "unknown option"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[8] = {"dreambase-bench"};
        for (int j = 0; j < bad[i].argc; j++) argv[j + 1] = (char *)bad[i].args[j];
        bench_opts_defaults(&o);
        rt_err_clear(&err);
        if (bench_opts_parse(&o, bad[i].argc + 1, argv, &err)) fail_msg("case %zu accepted", i);
        assert_string_equal(err.sqlstate, "22023");
        if (strstr(err.message, bad[i].needle) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, bad[i].needle);
        }
    }
    /* Both a duration and a count, and an INSERT batch past the Bind limit. */
    assert_false(test_parse(&o, &err, 6, "--workload", "point", "--duration", "1", "--count",
                            "5"));
    assert_false(test_parse(&o, &err, 6, "--workload", "load", "--load-method", "insert",
                            "--batch", "10000"));
    assert_non_null(strstr(err.message, "9362"));
}

static void test_bench_proc_parsers(void **state) {
    /* A command name with spaces and a ')' inside: the fields start after the last ')'. */
    const char *stat = "4242 (post gres) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 "
                       "250 125 30 15 20 0 1 0 12345 1000000 500";
    int ppid;
    uint64_t ut, st, cut, cst;
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_proc_parse_stat(stat, &ppid, &ut, &st, &cut, &cst, &err));
    assert_int_equal(ppid, 17);
    assert_true(ut == 250 && st == 125 && cut == 30 && cst == 15);
    assert_false(bench_proc_parse_stat("4242 (x) S 1 2", &ppid, &ut, &st, &cut, &cst, &err));
    assert_string_equal(err.sqlstate, "22P02");
    uint64_t kb = 0;
    const char *status = "Name:\tpostgres\nVmHWM:\t  9000 kB\nVmRSS:\t   8124 kB\n";
    assert_true(bench_proc_parse_kb(status, "VmRSS:", &kb));
    assert_int_equal(kb, 8124);
    assert_false(bench_proc_parse_kb(status, "Pss:", &kb));
    /* This very process, as a stand-in server: it has used some CPU and memory. */
    bench_proc_usage u;
    rt_err_clear(&err);
    assert_true(bench_proc_sample((int)getpid(), &u, &err));
    assert_true(u.memory_kb > 0);
    assert_true(u.processes >= 1);
    rt_err_clear(&err);
    assert_false(bench_proc_sample(999999999, &u, &err));
    assert_string_equal(err.sqlstate, "58P01");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_sql_dreambase),
        cmocka_unit_test(test_bench_sql_pgvector),
        cmocka_unit_test(test_bench_sql_exact),
        cmocka_unit_test(test_bench_sql_scalar_only_and_insert),
        cmocka_unit_test(test_bench_float_text_reads_back_exactly),
        cmocka_unit_test(test_bench_vector_text_and_binary),
        cmocka_unit_test(test_bench_opts_good),
        cmocka_unit_test(test_bench_opts_bad),
        cmocka_unit_test(test_bench_proc_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
