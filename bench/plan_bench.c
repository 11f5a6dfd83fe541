/* plan_bench.c: parse + bind + plan time per statement against a real catalog, the work a
 * simple query does before it executes (the target: <= 5 us for a typical OLTP
 * statement). Starts the engine in-process on a temporary data directory with two shards,
 * creates the tables the statements name, then for each statement runs `--iterations`
 * times: pin the catalog, parse, bind (names, types, parameter types) and optimise into one
 * per-query arena, unpin, reset the arena; and the same with the parse alone. Reports the
 * mean time of the best of `--rounds` rounds (the machine is shared: the best round is the
 * least disturbed).
 * Usage: plan_bench [--iterations N] [--rounds N] [--only NAME] (one statement, for perf)
 *        [--analyze] (fill t with 100,000 rows clustered on a and ANALYZE it first: the planner
 *        then estimates from statistics, zone maps included).
 * Run on a Release build; see bench/RESULTS.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_time.h"
#include "sql/sql_session.h"
#include "tests/sql/sql_test_db.h"

static const struct {
    const char *name;
    const char *sql;
} plan_stmts[] = {
    {"point select", "SELECT * FROM pgbench_accounts WHERE aid = $1"},
    {"point update", "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"},
    {"insert", "INSERT INTO documents (user_id, content, embedding) VALUES ($1, $2, $3)"},
    {"filtered aggregate",
     "SELECT category, count(*), avg(x) FROM t WHERE a > 10 AND b = 'x' GROUP BY category"},
    {"hybrid query",
     "SELECT id, content FROM documents WHERE user_id = 'u_441' ORDER BY embedding NEAR $1 "
     "LIMIT 5"},
};

static const char *const plan_tables[] = {
    "CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, "
    "filler char(84))",
    "CREATE TABLE documents (id bigint PRIMARY KEY, user_id text, content text, "
    "embedding vector(3))",
    "CREATE TABLE t (id int PRIMARY KEY, category text, x float8, a int, b text)",
};

typedef struct plan_bench_args {
    uint64_t iterations;
    int rounds;
    const char *only;
    bool analyze;
    int failed;
} plan_bench_args;

/* One round: mean ns per statement; `bind` false measures the parse alone. */
static double plan_round_ns(const char *sql, uint64_t n, bool bind) {
    static const char *const path[] = {"public"};
    rt_err err;
    rt_err_clear(&err);
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    uint32_t len = (uint32_t)strlen(sql);
    uint64_t t0 = rt_time_mono_ns();
    for (uint64_t i = 0; i < n; i++) {
        rt_arena_reset(arena);
        eng_catalog_ref ref;
        eng_catalog_pin(&ref);
        sql_bind_ctx bc = {.arena = arena, .err = &err, .catalog = ref.catalog,
                           .db = eng_catalog_db_by_oid(ref.catalog, ENG_OID_POSTGRES_DB),
                           .search_path = path, .nsearch = 1, .sql = sql, .sql_len = len,
                           .shard_count = eng_shard_count()};
        sql_stmt_list list;
        sql_query *q = NULL;
        bool ok = sql_parse(arena, sql, len, &list, &err) && list.count == 1 &&
                  (!bind || sql_bind_query(&bc, list.stmts[0].node, &q));
        eng_catalog_unpin(&ref);
        if (!ok) {
            fprintf(stderr, "plan_bench: %s: %s\n", sql, err.message);
            exit(1);
        }
    }
    double ns = (double)(rt_time_mono_ns() - t0) / (double)n;
    rt_arena_destroy(arena);
    return ns;
}

static double plan_best_ns(const char *sql, const plan_bench_args *a, bool bind) {
    double best = 0;
    for (int r = 0; r < a->rounds; r++) {
        double ns = plan_round_ns(sql, a->iterations, bind);
        if (r == 0 || ns < best) best = ns;
    }
    return best;
}

static bool plan_sink_complete(void *arg, const char *tag, rt_err *err) {
    (void)arg, (void)tag, (void)err;
    return true;
}

/* --analyze: rows in t (clustered on a, so its zone maps narrow ranges) and their statistics,
 * through a session as a client would make them. */
static bool plan_bench_analyze(void) {
    static const char *const stmts[] = {
        "INSERT INTO t SELECT g, 'c' || (g % 10), g, g, 'x' FROM generate_series(1, 100000) g",
        "ANALYZE t"};
    rt_err err;
    rt_err_clear(&err);
    sql_startup st = {.user = "postgres", .database = "postgres", .backend_pid = 1};
    sql_session *ss;
    if (!sql_session_open(&st, &ss, &err)) {
        fprintf(stderr, "plan_bench: --analyze: %s\n", err.message);
        return false;
    }
    sql_sink sink = {.complete = plan_sink_complete};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof stmts / sizeof stmts[0]; i++) {
        ok = sql_session_simple_query(ss, stmts[i], (uint32_t)strlen(stmts[i]), &sink, &err);
    }
    if (!ok) fprintf(stderr, "plan_bench: --analyze: %s\n", err.message);
    sql_session_close(ss);
    return ok;
}

static void plan_bench_fiber(void *arg) {
    plan_bench_args *a = arg;
    for (size_t i = 0; i < sizeof plan_tables / sizeof plan_tables[0]; i++) {
        if (sdb_create_table(plan_tables[i], 8) == 0) {
            a->failed = 1;
            rt_runtime_stop();
            return;
        }
    }
    if (a->analyze && !plan_bench_analyze()) {
        a->failed = 1;
        rt_runtime_stop();
        return;
    }
    printf("%-20s %10s %16s\n", "statement", "ns/parse", "ns/parse+plan");
    for (size_t s = 0; s < sizeof plan_stmts / sizeof plan_stmts[0]; s++) {
        if (a->only != NULL && strcmp(a->only, plan_stmts[s].name) != 0) continue;
        double parse = plan_best_ns(plan_stmts[s].sql, a, false);
        double plan = plan_best_ns(plan_stmts[s].sql, a, true);
        printf("%-20s %10.0f %16.0f\n", plan_stmts[s].name, parse, plan);
    }
    rt_runtime_stop();
}

int main(int argc, char **argv) {
    plan_bench_args a = {.iterations = 200000, .rounds = 5};
    static const struct option opts[] = {
        {"iterations", required_argument, NULL, 'n'}, {"rounds", required_argument, NULL, 'r'},
        {"only", required_argument, NULL, 'o'}, {"analyze", no_argument, NULL, 'a'},
        {NULL, 0, NULL, 0}};
    for (int c; (c = getopt_long(argc, argv, "n:r:o:a", opts, NULL)) != -1;) {
        if (c == 'n') a.iterations = strtoull(optarg, NULL, 10);
        else if (c == 'r') a.rounds = atoi(optarg);
        else if (c == 'o') a.only = optarg;
        else if (c == 'a') a.analyze = true;
        else return 2;
    }
    if (a.iterations == 0 || a.rounds <= 0) return 2;
    rt_log_set_level(RT_LOG_WARNING);
    int failures = sdb_run(2, plan_bench_fiber, &a);
    return failures != 0 || a.failed ? 1 : 0;
}
