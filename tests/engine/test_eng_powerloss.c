/* test_eng_powerloss.c: power loss and I/O errors under load, through rt_faultfs.
 * How: a chain of seeded scenarios on one data directory. Each scenario starts the engine
 * (recovery) with fault injection armed for one event: a power loss at the n-th sync (most
 * scenarios), or an EIO from the n-th sync or write; it checks the table against the model
 * (tests/common/test_workload.h: every acknowledged commit there, no partial multi-shard
 * transaction, checksums hold), then runs concurrent one- and multi-shard transactions with
 * small WAL segments and frequent checkpoints until the event stops the server (or the work
 * is done and it stops in order, checkpointing: the event may hit that too). Unsynced writes
 * are kept, dropped, torn or garbled and unsynced renames undone, by the seed. The shard count
 * changes between scenarios. Separately, an fsync or write error on the WAL must stop all
 * acknowledgements at once.
 * DB_POWERLOSS_SCENARIOS and DB_POWERLOSS_SEED override the count and the first seed;
 * DB_POWERLOSS_VERBOSE=1 keeps the engine's log lines. */
// ctest: TIMEOUT 900
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rt_faultfs.h"
#include "runtime/rt_time.h"
#include "tests/common/test_workload.h"

#ifdef DB_SANITIZE
#define SCENARIOS_DEFAULT 250
#else
#define SCENARIOS_DEFAULT 1000
#endif
#define CHAIN 50     /* scenarios on one data directory before it is wiped */
#define WORKERS 6
#define BUDGET 30    /* transactions per worker and scenario */

static tw_model model;
static char dir[256];

static struct {
    uint32_t oid;
    bool static_filled;   /* the static table's fill was acknowledged (or found whole) */
    bool bad_static;
    bool lost_table;
    bool verified;
    tw_report report;
    uint32_t acked;
    bool workers_done;
    uint64_t seed;
} run;

static eng_config cfg_for(uint64_t seed) {
    return (eng_config){.data_dir = dir, .superuser = "postgres",
                        .shard_count = 1 + (uint32_t)(seed % 3),
                        .wal_segment_bytes = 8 << 10, .checkpoint_wal_bytes = 32 << 10};
}

/* The table of this chain: found after a restart, or created (if none was acknowledged). */
static uint32_t find_or_create_table(void) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_oid(ref.catalog, ENG_OID_POSTGRES_DB);
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, "t");
    uint32_t oid = t != NULL ? t->oid : 0;
    eng_catalog_unpin(&ref);
    if (oid != 0) return oid;
    if (run.oid != 0) run.lost_table = true; /* its creation was acknowledged */
    return te_create_table("t", 8, true);
}

static void checkpointer(void *arg) {
    (void)arg;
    while (!run.workers_done && !rt_runtime_stopping()) {
        rt_err err;
        rt_err_clear(&err);
        eng_checkpoint_all(&err); /* fails once the I/O does; that is fine */
        rt_fiber_sleep_ns(3 * RT_NS_PER_MS);
    }
}

/* The static table: created and filled once per chain; afterwards all its rows, or (until
 * its fill was acknowledged) none, are there. False if the event hit its creation. */
static bool static_table_check(void) {
    uint32_t oid = tw_table_oid("static");
    if (oid == 0) {
        if (run.static_filled) run.bad_static = true;
        oid = te_create_table("static", 4, true);
        if (oid == 0) return false;
    }
    int64_t n = tw_static_count(oid);
    if (n == TW_STATIC_ROWS) {
        run.static_filled = true;
    } else if (n != 0 || run.static_filled) {
        run.bad_static = true;
    } else {
        if (!tw_static_fill(oid)) return false;
        run.static_filled = true;
    }
    return true;
}

static void scenario_fiber(void *arg) {
    (void)arg;
    uint32_t oid = find_or_create_table();
    if (oid == 0) {
        rt_runtime_stop(); /* the event hit the CREATE TABLE */
        return;
    }
    if (run.oid == oid) {
        run.report = tw_verify(&model, oid);
        run.verified = true;
    }
    run.oid = oid;
    if (!static_table_check()) {
        rt_runtime_stop();
        return;
    }
    tw_hooks hooks = {.started = tw_model_started, .acked = tw_model_acked, .ctx = &model};
    tw_worker_arg args[WORKERS];
    rt_remote_call calls[WORKERS];
    rt_wg wg = {0};
    run.workers_done = false;
    test_spawn(checkpointer, NULL);
    for (uint32_t w = 0; w < WORKERS; w++) {
        args[w] = (tw_worker_arg){.m = &model, .hooks = &hooks, .oid = oid, .worker = w,
                                  .budget = BUDGET, .seed = run.seed * 31 + w + 1};
        rt_run_on_wg(&calls[w], w % rt_shard_count(), tw_worker, &args[w], &wg);
    }
    rt_wg_wait(&wg);
    run.workers_done = true;
    for (uint32_t w = 0; w < WORKERS; w++) run.acked += args[w].acked;
    rt_runtime_stop();
}

static rt_faultfs_config event_for(uint64_t seed) {
    rt_faultfs_config c = {.seed = seed};
    uint64_t x = seed * 0x9E3779B97F4A7C15ull;
    uint64_t at = 1 + (x >> 20) % 160;
    switch (seed % 10) {
    case 8: c.fail_sync_at = at; break;
    case 9: c.fail_write_at = 1 + (x >> 20) % 400; break;
    default: c.crash_at_sync = at; break;
    }
    return c;
}

static uint64_t env_u64(const char *name, uint64_t dflt) {
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? strtoull(v, NULL, 10) : dflt;
}

/* Verifies the directory without fault injection (end of a chain). */
static void verify_only(void *arg) {
    (void)arg;
    uint32_t oid = find_or_create_table();
    if (oid != 0 && run.oid == oid) {
        run.report = tw_verify(&model, oid);
        run.verified = true;
        static_table_check();
    }
    rt_runtime_stop();
}

static void check_run(uint64_t seed, int failures) {
    if (failures > 0 || run.lost_table || run.bad_static ||
        (run.verified && !tw_report_ok(&run.report))) {
        const tw_report *r = &run.report;
        fprintf(stderr, "rows=%u bad_crc=%u partial=%u lost_acked=%u resurrected=%u "
                "bad_worker=%u unknown=%u\n", r->rows, r->bad_crc, r->partial, r->lost_acked,
                r->resurrected, r->bad_worker, r->unknown);
        fail_msg("scenario seed %llu: %d check failures, table lost %d, static table bad %d; "
                 "rerun with "
                 "DB_POWERLOSS_SEED=%llu DB_POWERLOSS_VERBOSE=1",
                 (unsigned long long)seed, failures, run.lost_table, run.bad_static,
                 (unsigned long long)(seed - (seed - 1) % CHAIN));
    }
}

static void test_powerloss_scenarios(void **state) {
    (void)state;
    uint64_t count = env_u64("DB_POWERLOSS_SCENARIOS", SCENARIOS_DEFAULT);
    uint64_t first = env_u64("DB_POWERLOSS_SEED", 1);
    if (!env_u64("DB_POWERLOSS_VERBOSE", 0)) rt_log_set_level((rt_log_level)(RT_LOG_FATAL + 1));
    snprintf(dir, sizeof dir, "/tmp/test_eng_powerloss_%d", (int)getpid());
    uint64_t t0 = rt_time_mono_ns(), verified = 0, started = 0, acked = 0, crashes = 0;
    uint64_t unacked_survived = 0, rounds = 0, loaded = 0;
    for (uint64_t seed = first; seed < first + count; seed++) {
        if ((seed - first) % CHAIN == 0) {
            te_rmdir(dir);
            tw_model_reset(&model, WORKERS);
            memset(&run, 0, sizeof run);
        }
        run.verified = run.lost_table = false;
        run.seed = seed;
        rt_faultfs_config ev = event_for(seed);
        rt_faultfs_start(&ev);
        eng_config cfg = cfg_for(seed);
        int failures = te_run(&cfg, scenario_fiber, NULL, NULL);
        crashes += rt_faultfs_get_stats().crashed;
        rt_faultfs_stop();
        eng_ckpt_stats cs = eng_ckpt_get_stats();
        rounds += cs.rounds;
        loaded += cs.recovered_checkpoints;
        started += failures >= 0;
        verified += run.verified;
        unacked_survived += run.verified ? run.report.unacked_survived : 0;
        check_run(seed, failures < 0 ? 0 : failures);
        bool chain_end = (seed - first + 1) % CHAIN == 0 || seed + 1 == first + count;
        if (chain_end) {
            run.verified = false;
            eng_config plain = cfg_for(seed + 1);
            check_run(seed, te_run(&plain, verify_only, NULL, NULL));
            verified += run.verified;
        }
    }
    acked = run.acked;
    rt_log_set_level(RT_LOG_INFO);
    fprintf(stderr, "power loss: %llu scenarios (%llu power losses), %llu engine starts, "
                    "%llu verified restarts, %llu checkpoint rounds, %llu partition checkpoints "
                    "loaded, %llu unacknowledged commits found durable, %.1f s\n",
            (unsigned long long)count, (unsigned long long)crashes, (unsigned long long)started,
            (unsigned long long)verified, (unsigned long long)rounds, (unsigned long long)loaded,
            (unsigned long long)unacked_survived, (double)(rt_time_mono_ns() - t0) / 1e9);
    assert_true(rounds >= count && loaded >= count);
    (void)acked;
    assert_true(verified >= count / 2);
    te_rmdir(dir);
}

/* ---- an fsync or write error on the WAL stops every acknowledgement ---- */

#define COMMITS 60

static struct {
    uint32_t oid;
    bool ok[COMMITS];
    char sqlstate[COMMITS][6];
    uint8_t severity[COMMITS];
    bool stopping_after_failure;
    uint32_t present[COMMITS];
} io;

static void commits_fiber(void *arg) {
    (void)arg;
    io.oid = te_create_table("t", 4, true);
    TEST_CHECK(io.oid != 0);
    for (uint32_t i = 0; i < COMMITS; i++) {
        te_op op = {.kind = TE_INSERT, .id = i, .txn = i};
        snprintf(op.payload, sizeof op.payload, "c%u", i);
        rt_err err;
        rt_err_clear(&err);
        io.ok[i] = te_commit_ops(io.oid, &op, 1, &err);
        memcpy(io.sqlstate[i], err.sqlstate, 6);
        io.severity[i] = err.severity;
        if (!io.ok[i] && rt_runtime_stopping()) io.stopping_after_failure = true;
    }
    rt_runtime_stop();
}

static void count_fiber(void *arg) {
    (void)arg;
    te_rows rows;
    TEST_CHECK(te_scan(io.oid, 0, &rows));
    for (uint32_t i = 0; i < rows.count; i++) {
        TEST_CHECK(rows.rows[i].crc_ok);
        if (rows.rows[i].id >= 0 && rows.rows[i].id < COMMITS) io.present[rows.rows[i].id]++;
    }
    rt_free(rows.rows);
    rt_runtime_stop();
}

static void run_io_error(const rt_faultfs_config *ev) {
    snprintf(dir, sizeof dir, "/tmp/test_eng_ioerr_%d", (int)getpid());
    te_rmdir(dir);
    memset(&io, 0, sizeof io);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = 1,
                      .checkpoint_wal_bytes = UINT64_MAX};
    rt_faultfs_start(ev);
    int failures = te_run(&cfg, commits_fiber, NULL, NULL);
    rt_faultfs_stop();
    assert_int_equal(failures, 0);
    uint32_t first_failure = COMMITS;
    for (uint32_t i = 0; i < COMMITS; i++) {
        if (!io.ok[i] && first_failure == COMMITS) first_failure = i;
        if (i > first_failure) assert_false(io.ok[i]); /* nothing acknowledged after it */
    }
    assert_true(first_failure > 0 && first_failure < COMMITS);
    assert_string_equal(io.sqlstate[first_failure], "58030");
    assert_int_equal(io.severity[first_failure], RT_SEV_PANIC);
    assert_true(io.stopping_after_failure); /* the server stops by itself */
    cfg.shard_count = 2;
    assert_int_equal(te_run(&cfg, count_fiber, NULL, NULL), 0);
    for (uint32_t i = 0; i < COMMITS; i++) {
        if (i < first_failure) assert_int_equal(io.present[i], 1);
        if (i > first_failure) assert_int_equal(io.present[i], 0);
    }
    te_rmdir(dir);
}

static void test_wal_fsync_error_stops_acknowledging(void **state) {
    (void)state;
    /* Syncs before the commits: boot file and its directory, the WAL's directory, the CREATE
     * TABLE decision. The 12th sync is the 8th commit's. */
    for (uint64_t seed = 1; seed <= 4; seed++) {
        run_io_error(&(rt_faultfs_config){.seed = seed, .fail_sync_at = 12});
    }
}

static void test_wal_write_error_stops_acknowledging(void **state) {
    (void)state;
    run_io_error(&(rt_faultfs_config){.seed = 1, .fail_write_at = 9});
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wal_fsync_error_stops_acknowledging),
        cmocka_unit_test(test_wal_write_error_stops_acknowledging),
        cmocka_unit_test(test_powerloss_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
