/* eng_commit_bench.c: commit throughput and restart time of the storage engine, without SQL.
 * On a real data directory (fsync on; not tmpfs), through the engine API as the tests drive it
 * (tests/common/test_engine.h):
 *   1. single-row INSERT commits/s, 1 writer and 64 concurrent writers (fibers spread over the
 *      shards, each writing rows of partitions its shard owns): group commit shows as
 *      commits per fdatasync;
 *   2. bulk insert rows/s: transactions of 10,000 rows over every partition (two-phase commit);
 *   3. restart time after N rows (default 1M): replaying the WAL alone, writing a checkpoint,
 *      and restarting from the checkpoint.
 * Usage: eng_commit_bench [--dir DIR] [--shards N] [--seconds S] [--rows N]
 *        (defaults: /var/tmp/eng_commit_bench_<pid>, 2 shards, 5 s per commit test, 1000000) */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/rt_time.h"
#include "tests/common/test_engine.h"

#define PARTS 8
#define BULK_TXN_ROWS 10000

static struct {
    char dir[256];
    uint32_t shards;
    double seconds;
    uint64_t rows;
} opt;

static uint32_t table_oid;
static _Atomic int64_t next_id;

/* ---- engine runs ---- */

typedef struct bench_ctx {
    void (*fn)(void *);
    void *arg;
} bench_ctx;

static void bench_on_start(rt_loop *loop, void *arg) {
    (void)loop;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_shard_start(&err)) {
        fprintf(stderr, "shard start: %s\n", err.message);
        exit(1);
    }
    bench_ctx *ctx = arg;
    if (rt_core_id() == 0) test_spawn(ctx->fn, ctx->arg);
}

static void bench_on_stop(rt_loop *loop, void *arg) {
    (void)loop;
    (void)arg;
    eng_shard_stop();
}

/* Starts the engine (timed: recovery), runs fn in a fiber on shard 0, stops (timed). */
static void bench_run(const eng_config *cfg, void (*fn)(void *), void *arg, double *start_s,
                      double *stop_s) {
    rt_err err;
    rt_err_clear(&err);
    uint64_t t0 = rt_time_mono_ns();
    if (!eng_start(cfg, &err)) {
        fprintf(stderr, "engine start: %s\n", err.message);
        exit(1);
    }
    if (start_s != NULL) *start_s = (double)(rt_time_mono_ns() - t0) / 1e9;
    bench_ctx ctx = {.fn = fn, .arg = arg};
    if (test_runtime_run(cfg->shard_count, bench_on_start, bench_on_stop, &ctx) != 0) exit(1);
    uint64_t t1 = rt_time_mono_ns();
    eng_stop();
    if (stop_s != NULL) *stop_s = (double)(rt_time_mono_ns() - t1) / 1e9;
}

static eng_config base_cfg(void) {
    return (eng_config){.data_dir = opt.dir, .superuser = "postgres", .shard_count = opt.shards,
                        .checkpoint_wal_bytes = UINT64_MAX, .no_checkpoint_at_stop = true};
}

/* ---- 1: single-row commits ---- */

typedef struct writer {
    uint64_t deadline_ns;
    uint64_t commits, failures;
} writer;

/* The next id whose partition this shard owns (ids are shared by all writers). */
static int64_t next_local_id(void) {
    for (;;) {
        int64_t id = atomic_fetch_add(&next_id, 1);
        if (te_owner(id, PARTS) == rt_core_id()) return id;
    }
}

static void writer_fiber(void *arg) {
    writer *w = arg;
    te_op op = {.kind = TE_INSERT};
    snprintf(op.payload, sizeof op.payload, "a row of a benchmark");
    while (rt_time_mono_ns() < w->deadline_ns) {
        op.id = next_local_id();
        op.txn = op.id;
        rt_err err;
        rt_err_clear(&err);
        if (te_commit_ops(table_oid, &op, 1, &err)) {
            w->commits++;
        } else {
            w->failures++;
        }
    }
}

static struct {
    uint32_t writers;
    double rate, per_sync, us_per_commit;
    uint64_t failures;
} commit_result;

static void commits_fiber(void *arg) {
    (void)arg;
    if (table_oid == 0) table_oid = te_create_table("t", PARTS, true);
    uint32_t n = commit_result.writers;
    writer *ws = rt_xcalloc(n, sizeof *ws);
    rt_remote_call *calls = rt_xcalloc(n, sizeof *calls);
    rt_wg wg = {0};
    eng_wal_totals before = eng_wal_get_totals();
    uint64_t t0 = rt_time_mono_ns();
    for (uint32_t i = 0; i < n; i++) {
        ws[i].deadline_ns = t0 + (uint64_t)(opt.seconds * 1e9);
        rt_run_on_wg(&calls[i], i % rt_shard_count(), writer_fiber, &ws[i], &wg);
    }
    rt_wg_wait(&wg);
    double secs = (double)(rt_time_mono_ns() - t0) / 1e9;
    eng_wal_totals after = eng_wal_get_totals();
    uint64_t commits = 0;
    for (uint32_t i = 0; i < n; i++) {
        commits += ws[i].commits;
        commit_result.failures += ws[i].failures;
    }
    commit_result.rate = (double)commits / secs;
    commit_result.per_sync = (double)commits / (double)(after.syncs - before.syncs);
    commit_result.us_per_commit = secs * 1e6 * n / (double)commits;
    rt_free(ws);
    rt_free(calls);
    rt_runtime_stop();
}

/* ---- 2: bulk insert ---- */

static struct {
    double rate;
    uint64_t rows;
} bulk_result;

static void bulk_fiber(void *arg) {
    (void)arg;
    if (table_oid == 0) table_oid = te_create_table("t", PARTS, true);
    te_op *ops = rt_xcalloc(BULK_TXN_ROWS, sizeof *ops);
    int64_t base = 1ll << 40;
    uint64_t t0 = rt_time_mono_ns();
    for (uint64_t done = 0; done < opt.rows;) {
        uint32_t n = opt.rows - done < BULK_TXN_ROWS ? (uint32_t)(opt.rows - done) : BULK_TXN_ROWS;
        for (uint32_t i = 0; i < n; i++) {
            int64_t id = base + (int64_t)(done + i);
            ops[i] = (te_op){.kind = TE_INSERT, .id = id, .txn = id};
            snprintf(ops[i].payload, sizeof ops[i].payload, "bulk row %lld", (long long)id);
        }
        rt_err err;
        rt_err_clear(&err);
        if (!te_commit_ops(table_oid, ops, n, &err)) {
            fprintf(stderr, "bulk commit: %s\n", err.message);
            break;
        }
        done += n;
        bulk_result.rows = done;
    }
    bulk_result.rate = (double)bulk_result.rows / ((double)(rt_time_mono_ns() - t0) / 1e9);
    rt_free(ops);
    rt_runtime_stop();
}

/* ---- 3: restart ---- */

static struct {
    uint64_t rows;
    double checkpoint_s;
    uint64_t checkpoint_bytes;
    eng_ckpt_stats recovery;
} restart_result;

static void count_fiber(void *arg) {
    bool checkpoint = arg != NULL;
    restart_result.recovery = eng_ckpt_get_stats();
    te_rows rows;
    te_scan(table_oid, 0, &rows);
    restart_result.rows = rows.count;
    rt_free(rows.rows);
    if (checkpoint) {
        rt_err err;
        rt_err_clear(&err);
        uint64_t t0 = rt_time_mono_ns();
        if (!eng_checkpoint_all(&err)) fprintf(stderr, "checkpoint: %s\n", err.message);
        restart_result.checkpoint_s = (double)(rt_time_mono_ns() - t0) / 1e9;
        restart_result.checkpoint_bytes = eng_ckpt_get_stats().bytes_written;
    }
    rt_runtime_stop();
}

static void parse_args(int argc, char **argv) {
    snprintf(opt.dir, sizeof opt.dir, "/var/tmp/eng_commit_bench_%d", (int)getpid());
    opt.shards = 2;
    opt.seconds = 5;
    opt.rows = 1000000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0) snprintf(opt.dir, sizeof opt.dir, "%s", argv[i + 1]);
        else if (strcmp(argv[i], "--shards") == 0) opt.shards = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seconds") == 0) opt.seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--rows") == 0) opt.rows = strtoull(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "usage: eng_commit_bench [--dir DIR] [--shards N] [--seconds S] "
                            "[--rows N]\n");
            exit(2);
        }
    }
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    rt_log_set_level(RT_LOG_WARNING);
    te_rmdir(opt.dir);
    eng_config cfg = base_cfg();
    printf("engine commit benchmark: %u shards, data directory %s (fsync on)\n", opt.shards,
           opt.dir);
    uint32_t writer_counts[2] = {1, 64};
    for (int k = 0; k < 2; k++) {
        memset(&commit_result, 0, sizeof commit_result);
        commit_result.writers = writer_counts[k];
        bench_run(&cfg, commits_fiber, NULL, NULL, NULL);
        printf("single-row insert commits, %2u writer%s: %9.0f commits/s  %6.1f commits per "
               "fdatasync  %7.1f us per commit per writer  (%llu failed)\n",
               writer_counts[k], writer_counts[k] == 1 ? " " : "s", commit_result.rate,
               commit_result.per_sync, commit_result.us_per_commit,
               (unsigned long long)commit_result.failures);
    }
    te_rmdir(opt.dir);
    table_oid = 0;
    bench_run(&cfg, bulk_fiber, NULL, NULL, NULL);
    printf("bulk insert (transactions of %u rows over %u partitions): %9.0f rows/s  (%llu rows)\n",
           BULK_TXN_ROWS, PARTS, bulk_result.rate, (unsigned long long)bulk_result.rows);
    double start_s;
    bench_run(&cfg, count_fiber, (void *)1, &start_s, NULL);
    printf("restart after %llu rows, WAL replay only: %.2f s (%llu records replayed); rows "
           "found %llu\n", (unsigned long long)bulk_result.rows, start_s,
           (unsigned long long)restart_result.recovery.replayed_records,
           (unsigned long long)restart_result.rows);
    printf("checkpoint of %llu rows: %.2f s, %.1f MiB written\n",
           (unsigned long long)restart_result.rows, restart_result.checkpoint_s,
           (double)restart_result.checkpoint_bytes / (1 << 20));
    cfg.no_checkpoint_at_stop = false;
    bench_run(&cfg, count_fiber, NULL, &start_s, NULL);
    printf("restart from the checkpoint: %.2f s (%llu rows loaded, %llu records replayed); "
           "rows found %llu\n", start_s,
           (unsigned long long)restart_result.recovery.recovered_rows,
           (unsigned long long)restart_result.recovery.replayed_records,
           (unsigned long long)restart_result.rows);
    te_rmdir(opt.dir);
    return 0;
}
