/* test_eng_crash.c: the crash harness: a child process runs concurrent transactions (one- and
 * multi-shard) with frequent checkpoints, the parent kills it with SIGKILL at random moments,
 * recovers the data directory itself and checks it.
 * How: before each commit a child worker writes "started txn" to a pipe, after an acknowledged
 * commit "acked txn" (fixed 12-byte records, atomic in a pipe). The parent reads the pipe into
 * the model of tests/common/test_workload.h, waits a random 10-250 ms after the child said it
 * recovered, kills it, drains the pipe, then starts the engine itself (another shard count)
 * and checks: every acknowledged commit is there, every transaction is all or nothing across
 * partitions and shards, every row's checksum holds (and recovery verified every WAL record's
 * and checkpoint section's checksum). The next child starts from that directory.
 * Every other cycle a vacuumer passes over the workload's partitions again and again while
 * the child runs, so kills also land in the middle of vacuum passes (slots being taken, graph
 * nodes removed, slots freed and reused by the workers' next writes).
 * Options: --cycles N (default 20), --seed S. */
// ctest: TIMEOUT 600
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/rt_time.h"
#include "tests/common/test_workload.h"

#define WORKERS 8
#define PARTS 16
#define READY_TIMEOUT_MS 60000

enum { MSG_READY = 1, MSG_STARTED, MSG_ACKED };

typedef struct msg {
    uint8_t kind, worker, is_delete, pad;
    uint32_t txn;
    uint32_t victim;
} msg;

static tw_model model;
static char dir[256];
static uint64_t cycles = 20, seed0 = 1;
static int pipe_fd = -1;       /* the child's write end */
static uint32_t table_oid;

/* ---- the child ---- */

static void pipe_send(const msg *m) {
    ssize_t n;
    do {
        n = write(pipe_fd, m, sizeof *m);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *m) _exit(3); /* the parent is gone */
}

static void child_started(void *ctx, uint32_t worker, uint32_t txn, bool is_delete,
                          uint32_t victim) {
    (void)ctx;
    msg m = {.kind = MSG_STARTED, .worker = (uint8_t)worker, .is_delete = is_delete,
             .txn = txn, .victim = victim};
    pipe_send(&m);
}

static void child_acked(void *ctx, uint32_t worker, uint32_t txn) {
    (void)ctx;
    msg m = {.kind = MSG_ACKED, .worker = (uint8_t)worker, .txn = txn};
    pipe_send(&m);
}

static void child_checkpointer(void *arg) {
    (void)arg;
    for (;;) {
        rt_err err;
        rt_err_clear(&err);
        eng_checkpoint_all(&err);
        rt_fiber_sleep_ns(15 * RT_NS_PER_MS);
    }
}

/* Vacuums every partition of the workload's table that this shard owns. */
static void child_vacuum_shard(void *arg) {
    (void)arg;
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    const eng_table *t = db != NULL ? eng_db_table_by_oid(db, table_oid) : NULL;
    for (uint32_t partno = 0; t != NULL && partno < t->partition_count; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != (uint32_t)rt_core_id()) continue;
        eng_vac_result res;
        rt_err err;
        rt_err_clear(&err);
        eng_vac_partition(eng_partition(t, partno), ENG_VAC_MANUAL, &res, &err);
    }
    eng_catalog_unpin(&ref);
}

static void child_vacuumer(void *arg) {
    (void)arg;
    for (;;) {
        for (uint32_t s = 0; s < rt_shard_count(); s++) {
            rt_err err;
            rt_err_clear(&err);
            rt_run_on(s, child_vacuum_shard, NULL, &err);
        }
        rt_fiber_sleep_ns(2 * RT_NS_PER_MS);
    }
}

static bool child_vacuums; /* this cycle's child runs the vacuumer */

static void child_fiber(void *arg) {
    uint64_t seed = *(uint64_t *)arg;
    msg ready = {.kind = MSG_READY};
    pipe_send(&ready);
    static tw_hooks hooks = {.started = child_started, .acked = child_acked};
    static tw_worker_arg args[WORKERS];
    static rt_remote_call calls[WORKERS];
    rt_wg wg = {0};
    test_spawn(child_checkpointer, NULL);
    if (child_vacuums) test_spawn(child_vacuumer, NULL);
    for (uint32_t w = 0; w < WORKERS; w++) {
        args[w] = (tw_worker_arg){.m = &model, .hooks = &hooks, .oid = table_oid, .worker = w,
                                  .budget = UINT32_MAX, .seed = seed * 131 + w + 1};
        rt_run_on_wg(&calls[w], w % rt_shard_count(), tw_worker, &args[w], &wg);
    }
    rt_wg_wait(&wg); /* only when the transaction numbers run out; normally killed before */
    rt_runtime_stop();
}

static void child_main(uint32_t shards, uint64_t seed) {
    rt_log_set_level(RT_LOG_ERROR);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = shards,
                      .wal_segment_bytes = 64 << 10, .checkpoint_wal_bytes = 256 << 10};
    int rc = te_run(&cfg, child_fiber, &seed, NULL);
    _exit(rc == 0 ? 0 : 2);
}

/* ---- the parent ---- */

static void parent_take(const msg *m) {
    if (m->kind == MSG_STARTED) {
        tw_model_started(&model, m->worker, m->txn, m->is_delete, m->victim);
        if (m->txn + 1 > atomic_load(&model.next_txn)) atomic_store(&model.next_txn, m->txn + 1);
    } else if (m->kind == MSG_ACKED) {
        tw_model_acked(&model, m->worker, m->txn);
    }
}

/* Reads messages until `deadline_ns` (0: until end of stream), or until a READY message when
 * *ready is false on entry. Returns false at end of stream. */
static bool parent_read(int fd, uint64_t deadline_ns, bool *ready, uint64_t *acked) {
    bool wait_ready = !*ready;
    static msg buf[512];
    static size_t have;
    for (;;) {
        int timeout_ms = -1;
        if (deadline_ns != 0) {
            uint64_t now = rt_time_mono_ns();
            if (now >= deadline_ns) return true;
            timeout_ms = (int)((deadline_ns - now) / RT_NS_PER_MS) + 1;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc == 0) continue; /* the deadline check above ends it */
        ssize_t n = read(fd, (char *)buf + have, sizeof buf - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            have = 0;
            return false;
        }
        have += (size_t)n;
        size_t whole = have / sizeof(msg);
        for (size_t i = 0; i < whole; i++) {
            if (buf[i].kind == MSG_READY) *ready = true;
            if (buf[i].kind == MSG_ACKED) (*acked)++;
            parent_take(&buf[i]);
        }
        have -= whole * sizeof(msg);
        memmove(buf, (char *)buf + whole * sizeof(msg), have);
        if (wait_ready && *ready) return true;
    }
}

static struct {
    tw_report report;
    bool verified;
    int64_t static_rows;
} check;
static uint32_t static_oid;

static void verify_fiber(void *arg) {
    (void)arg;
    check.report = tw_verify(&model, table_oid);
    check.static_rows = tw_static_count(static_oid);
    check.verified = true;
    rt_runtime_stop();
}

/* The workload's table, and a static one whose checkpoints are kept from round to round. */
static void setup_fiber(void *arg) {
    (void)arg;
    table_oid = te_create_table("t", PARTS, true);
    TEST_CHECK(table_oid != 0);
    static_oid = te_create_table("static", 4, true);
    TEST_CHECK(static_oid != 0 && tw_static_fill(static_oid));
    rt_runtime_stop();
}

/* One cycle: fork, let it run, kill it; returns the acknowledged commits it made. */
static uint64_t run_child(uint64_t cycle, uint64_t *delay_ms) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    uint32_t shards = 1 + (uint32_t)(cycle % 3);
    child_vacuums = cycle % 2 == 1;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        pipe_fd = fds[1];
        child_main(shards, seed0 + cycle);
    }
    close(fds[1]);
    bool ready = false, open = true;
    uint64_t acked = 0;
    uint64_t deadline = rt_time_mono_ns() + READY_TIMEOUT_MS * RT_NS_PER_MS;
    while (open && !ready && rt_time_mono_ns() < deadline) {
        open = parent_read(fds[0], deadline, &ready, &acked);
    }
    assert_true(ready); /* the child recovered and started */
    uint64_t x = (seed0 + cycle) * 0x9E3779B97F4A7C15ull;
    *delay_ms = 10 + (x >> 33) % 241;
    if (open) open = parent_read(fds[0], rt_time_mono_ns() + *delay_ms * RT_NS_PER_MS, &ready,
                                 &acked);
    kill(pid, SIGKILL);
    while (open) open = parent_read(fds[0], 0, &ready, &acked);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status)) fail_msg("the child ended by itself (status %d)", status);
    close(fds[0]);
    return acked;
}

static void test_crash_harness_sigkill(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_eng_crash_%d", (int)getpid());
    te_rmdir(dir);
    tw_model_reset(&model, WORKERS);
    rt_log_set_level(RT_LOG_WARNING);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = 2};
    assert_int_equal(te_run(&cfg, setup_fiber, NULL, NULL), 0);
    uint64_t t0 = rt_time_mono_ns(), total_acked = 0, survived = 0;
    for (uint64_t cycle = 0; cycle < cycles; cycle++) {
        uint64_t delay_ms;
        uint64_t acked = run_child(cycle, &delay_ms);
        total_acked += acked;
        check.verified = false;
        cfg.shard_count = 2 + (uint32_t)(cycle % 3); /* never the child's count */
        int failures = te_run(&cfg, verify_fiber, NULL, NULL);
        if (failures != 0 || !check.verified || !tw_report_ok(&check.report) ||
            check.static_rows != TW_STATIC_ROWS) {
            tw_report_log(&check.report, "after SIGKILL");
            fail_msg("cycle %llu (seed %llu, killed after %llu ms, %llu acknowledged): "
                     "recovery or checks failed", (unsigned long long)cycle,
                     (unsigned long long)(seed0 + cycle), (unsigned long long)delay_ms,
                     (unsigned long long)acked);
        }
        survived += check.report.unacked_survived;
    }
    fprintf(stderr, "crash harness: %llu SIGKILL cycles, %llu acknowledged commits verified "
                    "(%llu unacknowledged found durable), %.1f s\n",
            (unsigned long long)cycles, (unsigned long long)total_acked,
            (unsigned long long)survived, (double)(rt_time_mono_ns() - t0) / 1e9);
    assert_true(total_acked > 0);
    te_rmdir(dir);
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--cycles") == 0) cycles = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0) seed0 = strtoull(argv[++i], NULL, 10);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_harness_sigkill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
