/* parse_bench.c: parse time per statement of the SQL parser (lexer + parser + tree).
 * For each statement below: parses it `--iterations` times into one arena reset between
 * parses (the per-query arena of the server), and reports the mean time per parse of the
 * best of `--rounds` rounds (the machine is shared: the best round is the least disturbed).
 * The goal is well under 2 us per statement (the whole parse + plan budget is 5 us).
 * Usage: parse_bench [--iterations N] [--rounds N].
 * Run on a Release build; see bench/RESULTS.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_ast.h"

static const struct {
    const char *name;
    const char *sql;
} bench_stmts[] = {
    {"point select", "SELECT * FROM pgbench_accounts WHERE aid = $1"},
    {"insert", "INSERT INTO documents (user_id, content, embedding) VALUES ($1, $2, $3)"},
    {"filtered aggregate",
     "SELECT category, count(*), avg(x) FROM t WHERE a > 10 AND b = 'x' GROUP BY category"},
    {"hybrid query",
     "SELECT id, content FROM documents WHERE user_id = 'u_441' ORDER BY embedding NEAR $1 "
     "LIMIT 5"},
};

static double bench_round_ns(rt_arena *arena, const char *sql, uint32_t len, uint64_t n) {
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list out;
    uint64_t t0 = rt_time_mono_ns();
    for (uint64_t i = 0; i < n; i++) {
        rt_arena_reset(arena);
        if (!sql_parse(arena, sql, len, &out, &err) || out.count != 1) {
            fprintf(stderr, "parse failed: %s\n", err.message);
            exit(1);
        }
    }
    return (double)(rt_time_mono_ns() - t0) / (double)n;
}

int main(int argc, char **argv) {
    uint64_t iterations = 1000000;
    int rounds = 5;
    static const struct option opts[] = {
        {"iterations", required_argument, NULL, 'n'}, {"rounds", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0}};
    for (int c; (c = getopt_long(argc, argv, "n:r:", opts, NULL)) != -1;) {
        if (c == 'n') iterations = strtoull(optarg, NULL, 10);
        else if (c == 'r') rounds = atoi(optarg);
        else return 2;
    }
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    printf("%-20s %12s\n", "statement", "ns/parse");
    for (size_t s = 0; s < sizeof bench_stmts / sizeof bench_stmts[0]; s++) {
        const char *sql = bench_stmts[s].sql;
        uint32_t len = (uint32_t)strlen(sql);
        bench_round_ns(arena, sql, len, iterations / 10 + 1); /* warm-up */
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            double ns = bench_round_ns(arena, sql, len, iterations);
            if (r == 0 || ns < best) best = ns;
        }
        printf("%-20s %12.1f\n", bench_stmts[s].name, best);
    }
    rt_arena_destroy(arena);
    return 0;
}
