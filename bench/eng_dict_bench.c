/* eng_dict_bench.c: dictionary-encoded text chunks against the plain form: memory per row and
 * the time of equality filters on a low-cardinality text column.
 * In-process (engine, shards and one session, as tests/sql/sql_session_harness.h drives them):
 * a table t (id int primary key, cat text, n int) of --rows rows whose cat takes --distinct
 * values ('category-0' ...) is loaded with INSERT ... SELECT; then the table's memory (column
 * store, values and indexes summed over its partitions on their shards) and the process RSS
 * growth are read, and each query below runs --repeat times (best and median wall time of the
 * whole statement, and the process's CPU time per run over all threads). The run is made
 * twice, each in a child process of its own: with encoding off (eng_dict_set_enabled(false):
 * plain chunks, filters evaluated by the executor on every row, as before) and on.
 * Usage: eng_dict_bench [--rows N] [--distinct D] [--repeat R] [--shards N]
 *        (defaults: 1000000 rows, 16 values, 15 repeats, 2 shards) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "engine/eng_dict.h"
#include "runtime/rt_time.h"
#include "bench/bench_mem.h"

static struct {
    uint32_t rows, distinct, repeat, shards;
} opt = {1000000, 16, 15, 2};

#define QUERIES 4
static const char *const queries[QUERIES] = {
    "SELECT count(*) FROM t WHERE cat = 'category-7'",
    "SELECT count(*) FROM t WHERE cat IN ('category-1', 'category-2')",
    "SELECT count(*) FROM t WHERE cat = 'absent'",
    "SELECT sum(n) FROM t WHERE cat = 'category-3' AND n > 10",
};

typedef struct result {
    double load_s, load_cpu_s, table_bytes_per_row, rss_mib;
    double best_ms[QUERIES], median_ms[QUERIES], cpu_ms[QUERIES];
    char answer[QUERIES][64];
} result;

static result res;

/* CPU time of the whole process (every shard thread): on a machine shared with other work the
 * wall time of a statement mostly measures the others. */
static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void time_query(capture *c, uint32_t q) {
    double ms[256];
    uint32_t n = opt.repeat < 256 ? opt.repeat : 256;
    double cpu0 = cpu_s();
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t0 = rt_time_mono_ns();
        const char *r = run(c, queries[q]);
        ms[i] = (double)(rt_time_mono_ns() - t0) / 1e6;
        const char *line = strchr(r, '\n');
        snprintf(res.answer[q], sizeof res.answer[q], "%.*s", line != NULL ? 30 : 0,
                 line != NULL ? line + 1 : "");
        char *nl = strchr(res.answer[q], '\n');
        if (nl != NULL) *nl = '\0';
    }
    res.cpu_ms[q] = (cpu_s() - cpu0) * 1e3 / n;
    qsort(ms, n, sizeof ms[0], cmp_double);
    res.best_ms[q] = ms[0];
    res.median_ms[q] = ms[n / 2];
}

static void bench_script(capture *c) {
    run(c, "CREATE TABLE t (id int PRIMARY KEY, cat text, n int) "
           "WITH (autovacuum_enabled = off)");
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO t SELECT g, 'category-' || (g %% %u)::text, g %% 1000 "
             "FROM generate_series(1, %u) g",
             opt.distinct, opt.rows);
    double rss0 = bench_rss_mib();
    uint64_t t0 = rt_time_mono_ns();
    double cpu0 = cpu_s();
    const char *r = run(c, sql);
    if (strncmp(r, "INSERT", 6) != 0) fprintf(stderr, "load: %s", r);
    res.load_s = (double)(rt_time_mono_ns() - t0) / 1e9;
    res.load_cpu_s = cpu_s() - cpu0;
    res.rss_mib = bench_rss_mib() - rss0;
    res.table_bytes_per_row = (double)bench_table_bytes("t") / opt.rows;
    run(c, "ANALYZE t");
    for (uint32_t q = 0; q < QUERIES; q++) time_query(c, q);
}

/* One configuration in a child process (an engine starts once per process); the child sends
 * its figures back through a pipe. */
static bool run_config(bool encoded, result *out) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        eng_dict_set_enabled(encoded);
        int failed = sh_run(opt.shards, bench_script);
        ssize_t w = write(fds[1], &res, sizeof res);
        _exit(failed != 0 || w != (ssize_t)sizeof res);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], out, sizeof *out);
    close(fds[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return false;
    return got == (ssize_t)sizeof *out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void report(const result *plain, const result *enc) {
    printf("%u rows, cat text with %u distinct values, %u shards, %u runs per query\n",
           opt.rows, opt.distinct, opt.shards, opt.repeat);
    printf("%-36s %14s %14s\n", "", "plain", "encoded");
    printf("%-36s %14.2f %14.2f\n", "load (INSERT ... SELECT) wall s", plain->load_s,
           enc->load_s);
    printf("%-36s %14.2f %14.2f\n", "load CPU s (all threads)", plain->load_cpu_s,
           enc->load_cpu_s);
    printf("%-36s %14.1f %14.1f\n", "table memory, bytes per row", plain->table_bytes_per_row,
           enc->table_bytes_per_row);
    printf("%-36s %14.1f %14.1f\n", "RSS growth during load, MiB", plain->rss_mib,
           enc->rss_mib);
    for (uint32_t q = 0; q < QUERIES; q++) {
        printf("%s  (answer %s / %s)\n", queries[q], plain->answer[q], enc->answer[q]);
        printf("%-36s %7.2f/%6.2f %7.2f/%6.2f\n", "  wall best/median ms", plain->best_ms[q],
               plain->median_ms[q], enc->best_ms[q], enc->median_ms[q]);
        printf("%-36s %14.2f %14.2f\n", "  CPU ms per run (all threads)", plain->cpu_ms[q],
               enc->cpu_ms[q]);
    }
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        uint32_t v = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--rows") == 0) opt.rows = v;
        else if (strcmp(argv[i], "--distinct") == 0) opt.distinct = v;
        else if (strcmp(argv[i], "--repeat") == 0) opt.repeat = v;
        else if (strcmp(argv[i], "--shards") == 0) opt.shards = v;
        else {
            fprintf(stderr, "usage: eng_dict_bench [--rows N] [--distinct D] [--repeat R] "
                            "[--shards N]\n");
            return 2;
        }
    }
    if (opt.rows == 0 || opt.distinct == 0 || opt.repeat == 0) return 2;
    rt_log_set_level(RT_LOG_WARNING);
    result plain, enc;
    if (!run_config(false, &plain) || !run_config(true, &enc)) {
        fprintf(stderr, "eng_dict_bench: a run failed\n");
        return 1;
    }
    report(&plain, &enc);
    return 0;
}
