/* eng_vacuum_bench.c: memory under a steady UPDATE load, with autovacuum and without.
 * In-process (engine, shards and one session, as tests/sql/sql_session_harness.h drives them):
 * a table of --rows rows (id, text, vector(--dims)) is updated again and again, 100 rows per
 * statement, text and vector both (so every update adds a row version and an HNSW node), for
 * --seconds; every half second the table's memory (column store, values, indexes, graphs,
 * summed over its partitions on their shards) and the process RSS are sampled. The same run is
 * made twice: once with the table's autovacuum on, once with autovacuum_enabled = off.
 * Usage: eng_vacuum_bench [--rows N] [--dims D] [--seconds S] [--shards N]
 *        (defaults: 10000 rows, 64 dims, 20 s per run, 2 shards) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_time.h"
#include "bench/bench_mem.h"

static struct {
    uint32_t rows, dims, seconds, shards;
} opt = {10000, 64, 20, 2};

#define SAMPLES_MAX 512
#define BATCH_ROWS 100

typedef struct series {
    double t[SAMPLES_MAX];
    double table_mib[SAMPLES_MAX];
    double rss_mib[SAMPLES_MAX];
    uint32_t n;
    uint64_t updates;
    double seconds;
} series;

static series with_vacuum, without_vacuum;

static void vec_literal(char *out, size_t size, uint64_t *x, double scale) {
    size_t n = (size_t)snprintf(out, size, "'[");
    for (uint32_t d = 0; d < opt.dims; d++) {
        *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
        n += (size_t)snprintf(out + n, size - n, "%s%.3f", d ? "," : "",
                              scale * (double)(*x % 2000) / 1000.0 - scale);
    }
    snprintf(out + n, size - n, "]'");
}

static void fill(capture *c, const char *table) {
    static char sql[4 << 20];
    uint64_t x = 88172645463325252ull;
    for (uint32_t from = 1; from <= opt.rows; from += 500) {
        size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s VALUES ", table);
        for (uint32_t i = from; i < from + 500 && i <= opt.rows; i++) {
            static char v[65536];
            vec_literal(v, sizeof v, &x, 1.0);
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s(%u, 'row %u', %s)",
                                  i > from ? "," : "", i, i, v);
        }
        const char *r = run(c, sql);
        if (strncmp(r, "INSERT", 6) != 0) fprintf(stderr, "fill: %s", r);
    }
}

static void steady(capture *c, const char *table, series *out) {
    static char sql[1 << 20];
    static char delta[2][65536];
    uint64_t x = 0x2545F4914F6CDD1Dull;
    vec_literal(delta[0], sizeof delta[0], &x, 0.01);
    snprintf(delta[1], sizeof delta[1], "%s", delta[0]);
    uint64_t start = rt_time_mono_ns(), next_sample = start;
    uint32_t from = 1;
    for (uint32_t round = 0;; round++) {
        uint64_t now = rt_time_mono_ns();
        if (now >= next_sample && out->n < SAMPLES_MAX) {
            out->t[out->n] = (double)(now - start) / 1e9;
            out->table_mib[out->n] = (double)bench_table_bytes(table) / (1 << 20);
            out->rss_mib[out->n] = bench_rss_mib();
            out->n++;
            next_sample += 500 * RT_NS_PER_MS;
        }
        if (now - start >= (uint64_t)opt.seconds * 1000000000ull) break;
        /* Alternate + and - the same small vector: the vectors stay where they were. */
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET v = 'round %u', e = e %c %s WHERE id BETWEEN %u AND %u", table,
                 round, round % 2 ? '-' : '+', delta[0], from, from + BATCH_ROWS - 1);
        const char *r = run(c, sql);
        if (strncmp(r, "UPDATE", 6) != 0) {
            fprintf(stderr, "update: %s", r);
            break;
        }
        out->updates += BATCH_ROWS;
        from = from + BATCH_ROWS > opt.rows ? 1 : from + BATCH_ROWS;
    }
    out->seconds = (double)(rt_time_mono_ns() - start) / 1e9;
}

static void bench_script(capture *c) {
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE TABLE bv (id int PRIMARY KEY, v text, e vector(%u))",
             opt.dims);
    run(c, sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE bn (id int PRIMARY KEY, v text, e vector(%u)) "
             "WITH (autovacuum_enabled = off)",
             opt.dims);
    run(c, sql);
    fill(c, "bv");
    fill(c, "bn");
    run(c, "VACUUM");
    steady(c, "bv", &with_vacuum);
    run(c, "DROP TABLE bv");
    run(c, "VACUUM");
    steady(c, "bn", &without_vacuum);
}

static void report(void) {
    printf("steady UPDATE load: %u rows, vector(%u), %u shards, %u s per run\n", opt.rows,
           opt.dims, opt.shards, opt.seconds);
    printf("%-8s %-22s %-22s\n", "", "autovacuum on", "autovacuum_enabled=off");
    printf("%-8s %10s %10s  %10s %10s\n", "time s", "table MiB", "RSS MiB", "table MiB",
           "RSS MiB");
    uint32_t n = with_vacuum.n > without_vacuum.n ? with_vacuum.n : without_vacuum.n;
    for (uint32_t i = 0; i < n; i += 4) {
        printf("%-8.1f", i < with_vacuum.n ? with_vacuum.t[i] : without_vacuum.t[i]);
        if (i < with_vacuum.n) {
            printf(" %10.1f %10.1f", with_vacuum.table_mib[i], with_vacuum.rss_mib[i]);
        } else {
            printf(" %10s %10s", "", "");
        }
        if (i < without_vacuum.n) {
            printf("  %10.1f %10.1f", without_vacuum.table_mib[i], without_vacuum.rss_mib[i]);
        }
        printf("\n");
    }
    printf("updates/s: autovacuum on %.0f, off %.0f\n",
           (double)with_vacuum.updates / with_vacuum.seconds,
           (double)without_vacuum.updates / without_vacuum.seconds);
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        uint32_t v = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--rows") == 0) opt.rows = v;
        else if (strcmp(argv[i], "--dims") == 0) opt.dims = v;
        else if (strcmp(argv[i], "--seconds") == 0) opt.seconds = v;
        else if (strcmp(argv[i], "--shards") == 0) opt.shards = v;
        else {
            fprintf(stderr, "usage: eng_vacuum_bench [--rows N] [--dims D] [--seconds S] "
                            "[--shards N]\n");
            return 2;
        }
    }
    rt_log_set_level(RT_LOG_WARNING);
    if (sh_run(opt.shards, bench_script) != 0) {
        fprintf(stderr, "eng_vacuum_bench: a statement failed\n");
        return 1;
    }
    report();
    return 0;
}
