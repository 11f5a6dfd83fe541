/* eng_replay_bench.c: restart time of the storage engine with vectors and no checkpoint: the
 * WAL replay stores the rows on one thread, then the HNSW graphs get the replayed rows' nodes,
 * either each shard its own partitions' in parallel (what the server does) or all of them on
 * the recovering thread (the way before, eng_config.replay_graphs_serial).
 * How: a child process creates a table (id int8 primary key, v vector(dims)) with `parts`
 * partitions, loads `rows` rows in transactions of 10,000 (every shard writes its partitions'
 * rows; two-phase commit), checkpoints never, and kills itself with SIGKILL once the last
 * commit is acknowledged. Then each round recovers that directory twice, serially and in
 * parallel, each in a child process of its own, alternating so that both see the same load on
 * a shared machine; a recovery ends when every shard has started (the server listens then).
 * Vectors: 100 Gaussian clusters (centre + 0.3 * noise per component), like embeddings.
 * Usage: eng_replay_bench [--dir DIR] [--shards N] [--rows N] [--dims D] [--parts P]
 *        [--rounds R]   (defaults: /var/tmp/eng_replay_bench_<pid>, 2, 100000, 128, 8, 3)
 * Prints per recovery: eng_start (the WAL replay; serially, the graphs too), the shards' start
 * (in parallel, the graphs), the total until every shard serves, nodes inserted; the CPU time
 * of the recovering thread and of each shard's start, whose critical path (eng_start + the
 * slowest shard) is the wall time a machine with free cores would see; then the median ratios
 * serial / parallel of both, and the load average before and after (BENCH_LOG=1: info logs). */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/eng_key.h"
#include "runtime/rt_time.h"
#include "tests/common/test_engine.h"

#define BENCH_TXN_ROWS 10000u
#define BENCH_CLUSTERS 100u
#define BENCH_ROUNDS_MAX 20u
#define BENCH_DIMS_MAX 4096u

static struct {
    char dir[256];
    uint32_t shards, dims, parts, rounds;
    uint64_t rows;
} opt;

/* What a child reports through its pipe. */
typedef struct bench_fig {
    double load_s, replay_s, graphs_s, total_s;
    /* CPU time of the recovering thread in eng_start, and of each shard thread until it has
     * started: on a machine whose cores are free, the wall time is about start + max. */
    double start_cpu_s, shard_cpu_max_s, shard_cpu_sum_s;
    uint64_t nodes, rows_replayed;
    bool ok;
} bench_fig;

static bench_fig fig;
static int fig_fd = -1;             /* the child's end of the pipe */
static void (*bench_fiber)(void *); /* what the child runs on shard 0 */
static uint64_t t_start_ns, t_engine_ns;
static _Atomic bool graphs_timed;
static double shard_cpu_s[RT_SHARDS_MAX];
static _Atomic uint32_t shards_timed;

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fig_send(void) {
    if (write(fig_fd, &fig, sizeof fig) != (ssize_t)sizeof fig) _exit(1);
}

/* ---- data ---- */

static float bench_unit(uint64_t h) {
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return (float)((h >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static void bench_vector(int64_t id, float *v) {
    uint64_t c = (uint64_t)id * 0x9e3779b97f4a7c15ull % BENCH_CLUSTERS;
    for (uint32_t d = 0; d < opt.dims; d++) {
        float centre = bench_unit(c * 0x100000001b3ull + d);
        v[d] = centre + 0.3f * bench_unit(((uint64_t)id << 20) ^ (d * 0x632be59bd9b4e019ull));
    }
}

/* ---- the table ---- */

static const eng_table *bench_table(eng_catalog_ref *ref) {
    eng_catalog_pin(ref);
    const eng_database *db = eng_catalog_db_by_oid(ref->catalog, ENG_OID_POSTGRES_DB);
    return eng_db_table_by_name(db, ENG_OID_PUBLIC, "vecs");
}

/* ---- load ---- */

typedef struct load_work {
    eng_txn_id txn;
    const eng_table *table;
    int64_t from, to;
    bool ok;
    rt_err err;
} load_work;

static void load_shard(void *arg) {
    load_work *w = arg;
    eng_tx *tx = eng_tx_local(w->txn, true);
    eng_tx_set_statement(tx, 1, ENG_ISO_READ_COMMITTED, 0, NULL);
    float *v = rt_xmalloc(opt.dims * sizeof(float));
    w->ok = true;
    for (int64_t id = w->from; id < w->to && w->ok; id++) {
        uint32_t partno = te_partition_of(id, opt.parts);
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        bench_vector(id, v);
        sql_value row[2] = {{.type_oid = SQL_T_INT8, .i64 = id},
                            {.type_oid = SQL_T_VECTOR,
                             .b = {.ptr = (const uint8_t *)v,
                                   .len = opt.dims * (uint32_t)sizeof(float)}}};
        uint32_t slot;
        w->ok = eng_part_insert(eng_partition(w->table, partno), tx, row, &slot, NULL,
                                &w->err) == ENG_INSERTED;
        rt_fiber_maybe_yield();
    }
    rt_free(v);
}

static bool load_txn(const eng_table *t, int64_t from, int64_t to, rt_err *err) {
    eng_txn_ctx ctx;
    if (!eng_txn_start(&ctx, err)) return false;
    load_work works[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        works[s] = (load_work){.txn = ctx.id, .table = t, .from = from, .to = to};
        rt_err_clear(&works[s].err);
        ctx.participants |= 1ull << s;
        rt_run_on_wg(&calls[s], s, load_shard, &works[s], &wg);
    }
    rt_wg_wait(&wg);
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        if (!works[s].ok) {
            *err = works[s].err;
            eng_txn_finish_abort(&ctx);
            return false;
        }
    }
    return eng_txn_finish_commit(&ctx, err);
}

/* Loads every row, then dies: the next start finds only the WAL. */
static void load_fiber(void *arg) {
    (void)arg;
    uint64_t t0 = rt_time_mono_ns();
    rt_err err;
    rt_err_clear(&err);
    bool ok = te_create_vec_table("vecs", opt.dims, opt.parts) != 0;
    eng_catalog_ref ref;
    const eng_table *t = bench_table(&ref);
    for (uint64_t done = 0; ok && done < opt.rows; done += BENCH_TXN_ROWS) {
        uint64_t end = done + BENCH_TXN_ROWS < opt.rows ? done + BENCH_TXN_ROWS : opt.rows;
        ok = load_txn(t, (int64_t)done, (int64_t)end, &err);
    }
    eng_catalog_unpin(&ref);
    if (!ok) fprintf(stderr, "load: %s\n", err.message);
    fig.load_s = (double)(rt_time_mono_ns() - t0) / 1e9;
    fig.ok = ok;
    fig_send();
    /* Every commit is acknowledged (durable): die as a crash would, without a shutdown
     * checkpoint or a clean close of anything. */
    if (ok) kill(getpid(), SIGKILL);
    rt_runtime_stop();
}

/* ---- recovery ---- */

static void recover_fiber(void *arg) {
    (void)arg;
    while (atomic_load(&shards_timed) < rt_shard_count()) rt_fiber_sleep_ns(RT_NS_PER_MS);
    for (uint32_t s = 0; s < rt_shard_count(); s++) {
        fig.shard_cpu_sum_s += shard_cpu_s[s];
        if (shard_cpu_s[s] > fig.shard_cpu_max_s) fig.shard_cpu_max_s = shard_cpu_s[s];
    }
    eng_ckpt_stats st = eng_ckpt_get_stats();
    fig.rows_replayed = st.replayed_records;
    fig.nodes = eng_part_ann_replayed_inserts();
    fig.ok = fig.nodes == opt.rows;
    fig_send();
    rt_runtime_stop();
}

static void bench_on_start(rt_loop *loop, void *arg) {
    (void)loop;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_shard_start(&err)) {
        fprintf(stderr, "shard start: %s\n", err.message);
        exit(1);
    }
    shard_cpu_s[rt_core_id()] = thread_cpu_s(); /* the thread began just before on_start */
    atomic_fetch_add(&shards_timed, 1);
    /* eng_shard_start returns once every shard has built its graphs. */
    if (!atomic_exchange(&graphs_timed, true)) {
        uint64_t now = rt_time_mono_ns();
        fig.replay_s = (double)(t_engine_ns - t_start_ns) / 1e9;
        fig.graphs_s = (double)(now - t_engine_ns) / 1e9;
        fig.total_s = (double)(now - t_start_ns) / 1e9;
    }
    if (rt_core_id() == 0) test_spawn(bench_fiber, NULL);
}

static void bench_on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    eng_shard_stop();
}

/* In a child: starts the engine over opt.dir (timed), runs `fiber`, which sends the figures
 * through a pipe. */
static bench_fig bench_child(bool serial, void (*fiber)(void *)) {
    fflush(NULL);
    int fds[2];
    bench_fig out = {0};
    if (pipe(fds) != 0) return out;
    bench_fiber = fiber;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        fig_fd = fds[1];
        eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
        eng_config cfg = {.data_dir = opt.dir, .superuser = "postgres",
                          .shard_count = opt.shards, .checkpoint_wal_bytes = UINT64_MAX,
                          .no_checkpoint_at_stop = true, .replay_graphs_serial = serial};
        rt_err err;
        rt_err_clear(&err);
        t_start_ns = rt_time_mono_ns();
        double cpu0 = thread_cpu_s();
        if (!eng_start(&cfg, &err)) {
            fprintf(stderr, "engine start: %s\n", err.message);
            _exit(1);
        }
        fig.start_cpu_s = thread_cpu_s() - cpu0;
        t_engine_ns = rt_time_mono_ns();
        int failures = test_runtime_run(opt.shards, bench_on_start, bench_on_stop, NULL);
        eng_stop();
        _exit(failures == 0 ? 0 : 1);
    }
    close(fds[1]);
    if (read(fds[0], &out, sizeof out) != (ssize_t)sizeof out) out.ok = false;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return out;
}

/* ---- main ---- */

static void parse_args(int argc, char **argv) {
    snprintf(opt.dir, sizeof opt.dir, "/var/tmp/eng_replay_bench_%d", (int)getpid());
    opt.shards = 2, opt.rows = 100000, opt.dims = 128, opt.parts = 8, opt.rounds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0) snprintf(opt.dir, sizeof opt.dir, "%s", argv[i + 1]);
        else if (strcmp(argv[i], "--shards") == 0) opt.shards = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--rows") == 0) opt.rows = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--dims") == 0) opt.dims = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--parts") == 0) opt.parts = (uint32_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--rounds") == 0) opt.rounds = (uint32_t)atoi(argv[i + 1]);
        else opt.rounds = 0;
    }
    if (argc % 2 == 0 || opt.rounds == 0 || opt.rounds > BENCH_ROUNDS_MAX || opt.shards == 0 ||
        opt.shards > RT_SHARDS_MAX || opt.dims == 0 || opt.dims > BENCH_DIMS_MAX ||
        opt.parts == 0 || opt.rows == 0) {
        fprintf(stderr, "usage: eng_replay_bench [--dir DIR] [--shards N] [--rows N] "
                        "[--dims D] [--parts P] [--rounds R]\n");
        exit(2);
    }
}

static void print_loadavg(const char *when) {
    char text[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fgets(text, sizeof text, f) == NULL) snprintf(text, sizeof text, "?\n");
        fclose(f);
    }
    printf("load average %s: %s", when, text);
}

static int double_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_fig(const char *mode, const bench_fig *f) {
    printf("  %-9s eng_start %7.2f s  shards' start %7.2f s  total %7.2f s  (%llu nodes, %llu "
           "records)%s\n", mode, f->replay_s, f->graphs_s, f->total_s,
           (unsigned long long)f->nodes, (unsigned long long)f->rows_replayed,
           f->ok ? "" : "  FAILED");
    printf("  %-9s cpu: eng_start %6.2f s, shards max %6.2f s (sum %6.2f s); critical path "
           "%6.2f s\n", "", f->start_cpu_s, f->shard_cpu_max_s, f->shard_cpu_sum_s,
           f->start_cpu_s + f->shard_cpu_max_s);
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    rt_log_set_level(getenv("BENCH_LOG") ? RT_LOG_INFO : RT_LOG_WARNING);
    te_rmdir(opt.dir);
    printf("engine replay benchmark: %llu rows x vector(%u), %u partitions, %u shards, no "
           "checkpoint, data directory %s\n", (unsigned long long)opt.rows, opt.dims,
           opt.parts, opt.shards, opt.dir);
    print_loadavg("at start");
    bench_fig load = bench_child(false, load_fiber);
    if (!load.ok) return 1;
    printf("load (HNSW maintained, then SIGKILL): %.1f s, %.0f rows/s\n", load.load_s,
           (double)opt.rows / load.load_s);
    double ratios[BENCH_ROUNDS_MAX], cpu_ratios[BENCH_ROUNDS_MAX];
    bool ok = true;
    for (uint32_t r = 0; r < opt.rounds; r++) {
        printf("round %u\n", r + 1);
        /* Alternate which goes first, so a drift in the machine's load hits both alike. */
        bool serial_first = r % 2 == 0;
        bench_fig a = bench_child(serial_first, recover_fiber);
        bench_fig b = bench_child(!serial_first, recover_fiber);
        const bench_fig *serial = serial_first ? &a : &b, *par = serial_first ? &b : &a;
        print_fig("serial", serial);
        print_fig("parallel", par);
        ok = ok && a.ok && b.ok;
        ratios[r] = serial->total_s / par->total_s;
        cpu_ratios[r] = (serial->start_cpu_s + serial->shard_cpu_max_s) /
                        (par->start_cpu_s + par->shard_cpu_max_s);
        printf("  serial / parallel: wall %.2fx, cpu critical path %.2fx\n", ratios[r],
               cpu_ratios[r]);
    }
    qsort(ratios, opt.rounds, sizeof(double), double_cmp);
    qsort(cpu_ratios, opt.rounds, sizeof(double), double_cmp);
    printf("median serial / parallel over %u rounds: wall %.2fx, cpu critical path %.2fx\n",
           opt.rounds, ratios[opt.rounds / 2], cpu_ratios[opt.rounds / 2]);
    print_loadavg("at end");
    te_rmdir(opt.dir);
    return ok ? 0 : 1;
}
