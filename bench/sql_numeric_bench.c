/* sql_numeric_bench.c: nanoseconds per numeric operation, for short values (money amounts,
 * ids: the 128-bit fast paths) and for long ones (40 digits: the base-10000 vars).
 * Usage: build/release/bench/sql_numeric_bench [iterations]. The arena is reset every 4096
 * operations, as a query's would be freed at its end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/rt_mem.h"
#include "sql/sql_numeric.h"

typedef struct bench_ctx {
    rt_arena *arena;
    sql_bytes a, b;
    rt_err err;
} bench_ctx;

static double bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static sql_bytes bench_parse(rt_arena *arena, const char *text) {
    rt_err err;
    rt_err_clear(&err);
    sql_bytes v;
    if (!sql_numeric_in(arena, text, strlen(text), SQL_TYPMOD_NONE, &v, &err)) abort();
    return v;
}

typedef void (*bench_fn)(bench_ctx *b);

static volatile uint64_t bench_sink;

static void bench_in(bench_ctx *b) {
    sql_bytes v;
    sql_numeric_in(b->arena, "12345.67", 8, SQL_TYPMOD_NONE, &v, &b->err);
    bench_sink += v.len;
}
static void bench_out(bench_ctx *b) {
    char buf[512]; /* the suites' values print in far fewer bytes */
    bench_sink += sql_numeric_out_buf(b->a, buf);
}
#define BENCH_BINARY(name, fn)                                                                  \
    static void name(bench_ctx *b) {                                                            \
        sql_bytes r;                                                                            \
        if (!fn(b->arena, b->a, b->b, &r, &b->err)) abort();                                    \
        bench_sink += r.len;                                                                    \
    }
BENCH_BINARY(bench_add, sql_numeric_add)
BENCH_BINARY(bench_mul, sql_numeric_mul)
BENCH_BINARY(bench_div, sql_numeric_div)
BENCH_BINARY(bench_pow, sql_numeric_power)
static void bench_cmp(bench_ctx *b) { bench_sink += (uint64_t)sql_numeric_cmp(b->a, b->b); }
static void bench_hash(bench_ctx *b) { bench_sink += sql_numeric_hash(b->a, 0); }
static void bench_key(bench_ctx *b) {
    uint8_t key[SQL_NUMERIC_KEY_BYTES_MAX];
    bench_sink += sql_numeric_key_buf(b->a, key);
}
static void bench_sqrt(bench_ctx *b) {
    sql_bytes r;
    if (!sql_numeric_sqrt(b->arena, b->a, &r, &b->err)) abort();
    bench_sink += r.len;
}
static void bench_exp(bench_ctx *b) {
    sql_bytes r;
    if (!sql_numeric_exp(b->arena, b->b, &r, &b->err)) abort();
    bench_sink += r.len;
}
static void bench_ln(bench_ctx *b) {
    sql_bytes r;
    if (!sql_numeric_ln(b->arena, b->a, &r, &b->err)) abort();
    bench_sink += r.len;
}

static void bench_run(const char *label, bench_fn fn, bench_ctx *b, long iterations) {
    double start = bench_now_ns();
    for (long i = 0; i < iterations; i++) {
        fn(b);
        if ((i & 4095) == 4095) rt_arena_reset(b->arena);
    }
    double ns = (bench_now_ns() - start) / (double)iterations;
    printf("  %-28s %10.1f ns/op\n", label, ns);
}

static void bench_accum(bench_ctx *b, long iterations) {
    sql_numeric_accum acc;
    sql_numeric_accum_init(&acc, b->arena);
    double start = bench_now_ns();
    for (long i = 0; i < iterations; i++) {
        sql_numeric_accum_add(&acc, (i & 1) ? b->a : b->b, &b->err);
    }
    double ns = (bench_now_ns() - start) / (double)iterations;
    sql_bytes sum;
    bool is_null;
    sql_numeric_accum_sum(&acc, b->arena, &sum, &is_null, &b->err);
    printf("  %-28s %10.1f ns/op\n", "accum_add", ns);
}

static void bench_suite(const char *title, const char *a, const char *b, long iterations) {
    rt_arena *keep = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    bench_ctx ctx = {.arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX)};
    rt_err_clear(&ctx.err);
    ctx.a = bench_parse(keep, a);
    ctx.b = bench_parse(keep, b);
    printf("%s: a = %s, b = %s\n", title, a, b);
    bench_run("in (\"12345.67\")", bench_in, &ctx, iterations);
    bench_run("out", bench_out, &ctx, iterations);
    bench_run("add", bench_add, &ctx, iterations);
    bench_run("mul", bench_mul, &ctx, iterations);
    bench_run("div", bench_div, &ctx, iterations);
    bench_run("cmp", bench_cmp, &ctx, iterations);
    bench_run("hash", bench_hash, &ctx, iterations);
    bench_run("key", bench_key, &ctx, iterations);
    bench_accum(&ctx, iterations);
    bench_run("sqrt(a)", bench_sqrt, &ctx, iterations / 20);
    bench_run("ln(a)", bench_ln, &ctx, iterations / 20);
    bench_run("exp(b)", bench_exp, &ctx, iterations / 20);
    bench_run("a ^ b", bench_pow, &ctx, iterations / 20);
    rt_arena_destroy(ctx.arena);
    rt_arena_destroy(keep);
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 2000000;
    bench_suite("short values", "12345.67", "3.25", iterations);
    bench_suite("long values", "1234567890123456789012345.678901234567",
                "9.87654321098765432101234567", iterations / 4);
    bench_suite("100-digit values",
                "1234567890.123456789012345678901234567890123456789012345678901234567890123456789"
                "012345678901234567890",
                "9.87654321098765432109876543210987654321098765432109876543210987654321098765432"
                "1098765432109876543210", iterations / 40);
    return 0;
}
