/* test_eng_ckpt.c: checkpoints and WAL trimming (eng_ckpt.h), and what recovery makes of them.
 * How: real data directories in /tmp and real shards (tests/common/test_engine.h). Each test
 * runs the engine several times on one directory: a phase writes rows through transactions
 * (one- and multi-shard), checkpoints, writes more; the engine stops with or without its
 * shutdown checkpoint (without it, a restart must replay the WAL as after a crash); the next
 * phase checks every row against a model, and the recovery figures say how many rows came
 * from checkpoints and how many WAL records were replayed. Damage is done to files between
 * runs with plain file calls, and a damaged checkpoint or mid-log WAL must stop the start
 * with XX001 while a torn WAL tail is cut. */
// ctest: TIMEOUT 300
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/eng_int.h"
#include "tests/common/test_engine.h"

#define IDS 4000

/* What the table must hold: txn number per id (0 = absent). */
typedef struct model {
    int64_t txn[IDS];
} model;

static struct {
    char dir[256];
    model m;
    uint32_t oid, oid2;
    uint32_t parts;
    int64_t next_txn;
    eng_ckpt_stats stats;       /* taken at the end of a phase */
    eng_ckpt_stats start_stats; /* taken at the start of a phase (recovery figures) */
    uint32_t bad;               /* rows that differ from the model */
    uint32_t seen;
    int64_t seq_value;
} g;

static eng_config cfg_of(uint32_t shards) {
    return (eng_config){.data_dir = g.dir, .superuser = "postgres", .shard_count = shards};
}

static void fresh_dir(const char *name) {
    snprintf(g.dir, sizeof g.dir, "/tmp/test_eng_ckpt_%s_%d", name, (int)getpid());
    te_rmdir(g.dir);
    memset(&g.m, 0, sizeof g.m);
    g.next_txn = 1;
    g.oid = g.oid2 = 0;
}

/* Writes ids [from, to) in transactions of `per_txn` rows (multi-shard when rows land on
 * several shards), recording them in the model. */
static void write_range(int64_t from, int64_t to, uint32_t per_txn, const char *tag) {
    te_op ops[64];
    for (int64_t id = from; id < to;) {
        uint32_t n = 0;
        int64_t txn = g.next_txn++;
        for (; n < per_txn && id < to; n++, id++) {
            ops[n] = (te_op){.kind = TE_UPSERT, .id = id, .txn = txn};
            snprintf(ops[n].payload, sizeof ops[n].payload, "%s-%lld", tag, (long long)id);
        }
        rt_err err;
        rt_err_clear(&err);
        bool ok = te_commit_ops(g.oid, ops, n, &err);
        if (!ok) rt_log(RT_LOG_ERROR, NULL, "commit failed: %s", err.message);
        TEST_CHECK(ok);
        for (uint32_t i = 0; ok && i < n; i++) g.m.txn[ops[i].id] = txn;
    }
}

static void delete_every(int64_t step, int64_t from) {
    te_op ops[1];
    for (int64_t id = from; id < IDS; id += step) {
        if (g.m.txn[id] == 0) continue;
        ops[0] = (te_op){.kind = TE_DELETE, .id = id, .txn = 0};
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(te_commit_ops(g.oid, ops, 1, &err));
        g.m.txn[id] = 0;
    }
}

/* Compares the table with the model. */
static void verify(void) {
    te_rows rows;
    TEST_CHECK(te_scan(g.oid, 0, &rows));
    static uint8_t seen[IDS];
    memset(seen, 0, sizeof seen);
    g.bad = 0;
    g.seen = rows.count;
    for (uint32_t i = 0; i < rows.count; i++) {
        te_row *r = &rows.rows[i];
        if (r->id < 0 || r->id >= IDS || seen[r->id] || !r->crc_ok || g.m.txn[r->id] != r->txn) {
            g.bad++;
            continue;
        }
        seen[r->id] = 1;
    }
    for (int64_t id = 0; id < IDS; id++) {
        if (g.m.txn[id] != 0 && !seen[id]) g.bad++;
    }
    rt_free(rows.rows);
}

static uint32_t count_files(const char *sub, const char *prefix) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", g.dir, sub);
    DIR *d = opendir(path);
    if (d == NULL) return 0;
    uint32_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
    }
    closedir(d);
    return n;
}

/* The path of the first file in DIR/sub whose name starts with prefix ("" if none). */
static void first_file(const char *sub, const char *prefix, char *out, size_t size) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", g.dir, sub);
    out[0] = '\0';
    DIR *d = opendir(path);
    if (d == NULL) return;
    struct dirent *e;
    char best[300] = "";
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        if (best[0] == '\0' || strcmp(e->d_name, best) < 0) {
            snprintf(best, sizeof best, "%s", e->d_name);
        }
    }
    closedir(d);
    if (best[0] != '\0') snprintf(out, size, "%s/%s", path, best);
}

static void flip_byte(const char *path, long offset_from_end_or_start) {
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    off_t at = offset_from_end_or_start >= 0 ? offset_from_end_or_start
                                             : st.st_size + offset_from_end_or_start;
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
    close(fd);
}

/* ---- phases (fibers on shard 0) ---- */

static void phase_create_and_write(void *arg) {
    (void)arg;
    g.oid = te_create_table("t", g.parts, true);
    TEST_CHECK(g.oid != 0);
    write_range(0, 1500, 7, "a");
    rt_runtime_stop();
}

static void phase_checkpoint_then_tail(void *arg) {
    int64_t tail = *(int64_t *)arg;
    g.start_stats = eng_ckpt_get_stats();
    verify();
    TEST_CHECK(g.bad == 0);
    write_range(1500, 3000, 5, "b");
    write_range(0, 600, 3, "c"); /* updates */
    delete_every(11, 0);
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_checkpoint_all(&err));
    if (tail > 0) write_range(3000, 3000 + tail, 1, "tail"); /* one record per row */
    g.stats = eng_ckpt_get_stats();
    rt_runtime_stop();
}

static void phase_verify(void *arg) {
    (void)arg;
    g.start_stats = eng_ckpt_get_stats();
    verify();
    rt_runtime_stop();
}

static void phase_verify_write_checkpoint(void *arg) {
    int64_t *range = arg;
    g.start_stats = eng_ckpt_get_stats();
    verify();
    TEST_CHECK(g.bad == 0);
    write_range(range[0], range[1], 4, "more");
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_checkpoint_all(&err));
    g.stats = eng_ckpt_get_stats();
    rt_runtime_stop();
}

/* A restart loads the checkpoint and replays only what came after it; the row id counter of a
 * table without a primary key survives; nothing differs from the model. */
static void test_ckpt_restart_replays_only_the_tail(void **state) {
    (void)state;
    fresh_dir("tail");
    g.parts = 4;
    eng_config cfg = cfg_of(2);
    assert_int_equal(te_run(&cfg, phase_create_and_write, NULL, NULL), 0);
    int64_t tail = 40;
    cfg.no_checkpoint_at_stop = true; /* as after a crash: the WAL tail must be replayed */
    assert_int_equal(te_run(&cfg, phase_checkpoint_then_tail, &tail, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.stats.rounds, 1);
    assert_true(g.stats.partitions_written >= 4);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.start_stats.recovered_checkpoints, 4);
    assert_int_equal(g.start_stats.replayed_records, (uint64_t)tail);
    uint64_t live = 0;
    for (int64_t id = 0; id < IDS; id++) live += g.m.txn[id] != 0;
    assert_int_equal(g.start_stats.recovered_rows + tail, live);
    /* An orderly stop checkpoints and trims: the next start replays nothing. */
    cfg.no_checkpoint_at_stop = false;
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.start_stats.replayed_records, 0);
    assert_int_equal(g.start_stats.recovered_rows, live);
    assert_int_equal(count_files("wal", "0"), 0);
    te_rmdir(g.dir);
}

/* ---- tables without a primary key: the hidden row id counter ---- */

static void phase_rowid_write(void *arg) {
    int round = *(int *)arg;
    g.start_stats = eng_ckpt_get_stats();
    if (g.oid2 == 0) g.oid2 = te_create_table("nokey", 2, false);
    TEST_CHECK(g.oid2 != 0);
    te_op ops[8];
    for (int i = 0; i < 50; i++) {
        for (int k = 0; k < 8; k++) {
            ops[k] = (te_op){.kind = TE_INSERT, .id = k, .txn = round * 1000 + i};
            snprintf(ops[k].payload, sizeof ops[k].payload, "r%d", round);
        }
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(te_commit_ops(g.oid2, ops, 8, &err));
        if (i == 25) TEST_CHECK(eng_checkpoint_all(&err));
    }
    te_rows rows;
    TEST_CHECK(te_scan(g.oid2, 0, &rows));
    g.seen = rows.count;
    g.bad = 0;
    for (uint32_t i = 0; i < rows.count; i++) {
        g.bad += !rows.rows[i].crc_ok;
        for (uint32_t j = i + 1; j < rows.count; j++) { /* row ids are per partition (id % 2) */
            g.bad += rows.rows[i].rowid == rows.rows[j].rowid &&
                     rows.rows[i].id % 2 == rows.rows[j].id % 2;
        }
    }
    rt_free(rows.rows);
    rt_runtime_stop();
}

static void test_ckpt_hidden_row_ids_survive(void **state) {
    (void)state;
    fresh_dir("rowid");
    eng_config cfg = cfg_of(2);
    cfg.no_checkpoint_at_stop = true;
    for (int round = 1; round <= 3; round++) {
        assert_int_equal(te_run(&cfg, phase_rowid_write, &round, NULL), 0);
        assert_int_equal(g.seen, (uint32_t)round * 400);
        assert_int_equal(g.bad, 0); /* no row id handed out twice */
        if (round > 1) assert_int_equal(g.start_stats.recovered_checkpoints, 2);
    }
    te_rmdir(g.dir);
}

/* ---- WAL trimming ---- */

static void phase_many_writes(void *arg) {
    (void)arg;
    g.start_stats = eng_ckpt_get_stats();
    if (g.oid == 0) g.oid = te_create_table("t", g.parts, true);
    for (int round = 0; round < 6; round++) write_range(0, 1200, 6, round % 2 ? "odd" : "even");
    verify();
    g.stats = eng_ckpt_get_stats();
    rt_runtime_stop();
}

static void test_ckpt_trims_wal_by_volume(void **state) {
    (void)state;
    fresh_dir("trim");
    g.parts = 4;
    eng_config cfg = cfg_of(2);
    cfg.wal_segment_bytes = 16 << 10;
    cfg.checkpoint_wal_bytes = 96 << 10;
    cfg.no_checkpoint_at_stop = true;
    assert_int_equal(te_run(&cfg, phase_many_writes, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    /* Several rounds started by volume alone; most segments are gone. */
    assert_true(g.stats.rounds >= 3);
    assert_true(g.stats.segments_removed >= 10);
    uint32_t left = count_files("wal", "0");
    assert_true(left <= 2 * (96 / 16 + 2));
    /* A crash-like restart replays only the tail; the first round of the new boot deletes the
     * old boot's segments. */
    assert_int_equal(te_run(&cfg, phase_many_writes, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.start_stats.recovered_checkpoints, 4);
    assert_true(g.start_stats.skipped_records + g.start_stats.replayed_records < 2000);
    assert_int_equal(count_files("wal", "00000001-"), 0);
    assert_true(count_files("ckpt", "catalog-") == 1);
    assert_true(count_files("ckpt", "p-") == 4);
    te_rmdir(g.dir);
}

/* ---- unchanged partitions keep their checkpoint and need no WAL ---- */

static struct {
    uint32_t static_oid;
    uint32_t static_rows;
    eng_ckpt_stats after_first, after_second;
    char files_before[4096], files_after[4096];
} stc;

/* The names of the partition checkpoint files of storage 2 (the static table), in order. */
static void static_files(char *out, size_t size) {
    char path[400];
    snprintf(path, sizeof path, "%s/ckpt", g.dir);
    DIR *d = opendir(path);
    char names[16][300];
    uint32_t n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL && n < 16) {
        if (strncmp(e->d_name, "p-0000000000000002-", 19) == 0) {
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
        }
    }
    if (d != NULL) closedir(d);
    qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        strncat(out, names[i], size - strlen(out) - 1);
        strncat(out, " ", size - strlen(out) - 1);
    }
}

static void phase_static_and_busy(void *arg) {
    (void)arg;
    g.oid = te_create_table("t", g.parts, true);         /* storage 1 */
    stc.static_oid = te_create_table("static", 4, true);  /* storage 2 */
    te_op ops[10];
    for (int64_t base = 0; base < 200; base += 10) {
        for (int i = 0; i < 10; i++) {
            ops[i] = (te_op){.kind = TE_INSERT, .id = base + i, .txn = 7};
            snprintf(ops[i].payload, sizeof ops[i].payload, "static %lld", (long long)(base + i));
        }
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(te_commit_ops(stc.static_oid, ops, 10, &err));
    }
    write_range(0, 300, 5, "first");
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_checkpoint_all(&err));
    stc.after_first = eng_ckpt_get_stats();
    static_files(stc.files_before, sizeof stc.files_before);
    write_range(0, 2000, 5, "second"); /* only t changes: many WAL segments */
    TEST_CHECK(eng_checkpoint_all(&err));
    stc.after_second = eng_ckpt_get_stats();
    static_files(stc.files_after, sizeof stc.files_after);
    rt_runtime_stop();
}

static void phase_verify_both(void *arg) {
    (void)arg;
    g.start_stats = eng_ckpt_get_stats();
    verify();
    te_rows rows;
    TEST_CHECK(te_scan(stc.static_oid, 0, &rows));
    stc.static_rows = 0;
    for (uint32_t i = 0; i < rows.count; i++) stc.static_rows += rows.rows[i].crc_ok;
    rt_free(rows.rows);
    rt_runtime_stop();
}

static void test_ckpt_unchanged_partitions_are_kept(void **state) {
    (void)state;
    fresh_dir("static");
    g.parts = 4;
    eng_config cfg = cfg_of(2);
    cfg.wal_segment_bytes = 8 << 10;
    cfg.checkpoint_wal_bytes = UINT64_MAX;
    cfg.no_checkpoint_at_stop = true;
    assert_int_equal(te_run(&cfg, phase_static_and_busy, NULL, NULL), 0);
    assert_int_equal(stc.after_first.partitions_written, 8);
    /* The second round wrote t's 4 partitions only, kept the static table's files, and still
     * trimmed the WAL past the static table's records. */
    assert_int_equal(stc.after_second.partitions_written, 12);
    assert_true(stc.files_before[0] != '\0');
    assert_string_equal(stc.files_before, stc.files_after);
    assert_true(stc.after_second.segments_removed > stc.after_first.segments_removed);
    assert_int_equal(te_run(&cfg, phase_verify_both, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(stc.static_rows, 200);
    assert_int_equal(g.start_stats.recovered_checkpoints, 8);
    te_rmdir(g.dir);
}

/* ---- another shard count ---- */

static void test_ckpt_restart_with_other_shard_counts(void **state) {
    (void)state;
    fresh_dir("shards");
    g.parts = 6;
    eng_config cfg = cfg_of(2);
    cfg.no_checkpoint_at_stop = true;
    assert_int_equal(te_run(&cfg, phase_create_and_write, NULL, NULL), 0);
    int64_t tail = 30;
    assert_int_equal(te_run(&cfg, phase_checkpoint_then_tail, &tail, NULL), 0);
    /* 3 shards: partitions move; the tail of boot 2's shard WALs is replayed. */
    cfg = cfg_of(3);
    cfg.no_checkpoint_at_stop = true;
    int64_t range[2] = {3100, 3400};
    assert_int_equal(te_run(&cfg, phase_verify_write_checkpoint, range, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.start_stats.replayed_records, (uint64_t)tail);
    int64_t range2[2] = {3400, 3500};
    assert_int_equal(te_run(&cfg, phase_verify_write_checkpoint, range2, NULL), 0);
    assert_int_equal(g.bad, 0);
    /* 1 shard, with an orderly stop this time; then 4 shards. */
    cfg = cfg_of(1);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    cfg = cfg_of(4);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.start_stats.replayed_records, 0);
    te_rmdir(g.dir);
}

/* ---- damage ---- */

static void expect_start_refused(const eng_config *cfg, const char *needle) {
    rt_err err;
    rt_err_clear(&err);
    assert_int_equal(te_run(cfg, phase_verify, NULL, &err), -1);
    assert_string_equal(err.sqlstate, "XX001");
    if (strstr(err.message, needle) == NULL) fail_msg("unexpected message: %s", err.message);
}

static void test_ckpt_corrupt_checkpoint_refuses_to_start(void **state) {
    (void)state;
    fresh_dir("corrupt");
    g.parts = 2;
    eng_config cfg = cfg_of(2);
    assert_int_equal(te_run(&cfg, phase_create_and_write, NULL, NULL), 0); /* stop checkpoints */
    char path[600];
    first_file("ckpt", "p-", path, sizeof path);
    assert_true(path[0] != '\0');
    flip_byte(path, -100); /* inside a row group */
    expect_start_refused(&cfg, "checksum mismatch");
    flip_byte(path, -100);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    /* The header, and the catalog checkpoint. */
    first_file("ckpt", "p-", path, sizeof path);
    flip_byte(path, 20);
    expect_start_refused(&cfg, "checksum");
    flip_byte(path, 20);
    first_file("ckpt", "catalog-", path, sizeof path);
    flip_byte(path, -30);
    expect_start_refused(&cfg, "checkpoint file");
    flip_byte(path, -30);
    /* A truncated checkpoint (a file cut short behind the rename protocol's back). */
    first_file("ckpt", "p-", path, sizeof path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 5), 0);
    expect_start_refused(&cfg, "truncated");
    te_rmdir(g.dir);
}

static void test_wal_mid_log_corruption_refuses_and_torn_tail_is_cut(void **state) {
    (void)state;
    fresh_dir("walbad");
    g.parts = 2;
    eng_config cfg = cfg_of(1);
    cfg.wal_segment_bytes = 8 << 10;
    cfg.checkpoint_wal_bytes = UINT64_MAX;
    cfg.no_checkpoint_at_stop = true;
    assert_int_equal(te_run(&cfg, phase_create_and_write, NULL, NULL), 0);
    assert_true(count_files("wal", "00000001-000-") >= 3);
    char first[600], last[600];
    snprintf(first, sizeof first, "%s/wal/00000001-000-00000001.wal", g.dir);
    /* Damage in a segment that is not the last: refuse. */
    flip_byte(first, 200);
    expect_start_refused(&cfg, "before its end");
    flip_byte(first, 200);
    /* A torn tail: the last segment cut inside its last record; that transaction is lost, the
     * rest is there, and the start goes on. (If the last segment holds only its header, a
     * rotation just happened: its header is torn instead, and nothing is lost.) */
    uint32_t n = count_files("wal", "00000001-000-");
    snprintf(last, sizeof last, "%s/wal/00000001-000-%08u.wal", g.dir, n);
    struct stat st;
    assert_int_equal(stat(last, &st), 0);
    if (st.st_size > ENG_WAL_SEGMENT_HEADER_BYTES) {
        assert_int_equal(truncate(last, st.st_size - 3), 0);
        int64_t last_txn = g.next_txn - 1;
        for (int64_t id = 0; id < IDS; id++) {
            if (g.m.txn[id] == last_txn) g.m.txn[id] = 0;
        }
    } else {
        assert_int_equal(truncate(last, 10), 0);
    }
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(stat(last, &st), 0);
    te_rmdir(g.dir);
}

/* ---- a transaction prepared but not decided when the checkpoint is captured ---- */

static void hook_checkpoint(int point, void *arg) {
    (void)arg;
    if (point != ENG_TEST_PREPARED) return;
    eng_test_hook = NULL; /* once */
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_checkpoint_all(&err));
}

static void phase_prepared_during_checkpoint(void *arg) {
    (void)arg;
    g.oid = te_create_table("t", g.parts, true);
    write_range(0, 100, 4, "before");
    /* One transaction over many partitions: between its PREPAREs and its decision the hook
     * checkpoints everything. Its redo is only in the PREPARE records before the checkpoint's
     * WAL position; the position must not skip them. */
    eng_test_hook = hook_checkpoint;
    write_range(100, 140, 40, "prepared");
    TEST_CHECK(eng_test_hook == NULL);
    g.stats = eng_ckpt_get_stats();
    rt_runtime_stop();
}

static void test_ckpt_keeps_transactions_prepared_at_capture(void **state) {
    (void)state;
    fresh_dir("prepared");
    g.parts = 8;
    eng_config cfg = cfg_of(2);
    cfg.no_checkpoint_at_stop = true;
    assert_int_equal(te_run(&cfg, phase_prepared_during_checkpoint, NULL, NULL), 0);
    assert_int_equal(g.stats.rounds, 1);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.seen, 140);
    assert_true(g.start_stats.replayed_records >= 40);
    te_rmdir(g.dir);
}

/* ---- a decision logged but not yet applied when the checkpoint is captured ---- */

static int64_t decided_ids[2];

/* Between T's durable decision (on shard 0, which T did not write on) and its application on
 * shards 1 and 2: fills shard 0's WAL past a few segments and checkpoints everything. The
 * checkpoints of shards 1 and 2 do not hold T and replay its PREPAREs, which need T's decision:
 * trimming must keep the segment that holds it. */
static void hook_fill_and_checkpoint(int point, void *arg) {
    (void)arg;
    if (point != ENG_TEST_DECIDED) return;
    eng_test_hook = NULL;
    int64_t id = 0;
    for (int n = 0; n < 40; id++) {
        if (te_owner(id, g.parts) != 0) continue;
        te_op op = {.kind = TE_UPSERT, .id = id, .txn = g.next_txn++};
        memset(op.payload, 'f', 150);
        op.payload[150] = '\0';
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(te_commit_ops(g.oid, &op, 1, &err));
        g.m.txn[id] = op.txn;
        n++;
    }
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_checkpoint_all(&err));
    g.stats = eng_ckpt_get_stats();
}

static void phase_decided_during_checkpoint(void *arg) {
    (void)arg;
    g.oid = te_create_table("t", g.parts, true);
    decided_ids[0] = decided_ids[1] = -1;
    for (int64_t id = 1000; decided_ids[0] < 0 || decided_ids[1] < 0; id++) {
        uint32_t owner = te_owner(id, g.parts);
        if (owner == 1 && decided_ids[0] < 0) decided_ids[0] = id;
        if (owner == 2 && decided_ids[1] < 0) decided_ids[1] = id;
    }
    te_op ops[2];
    int64_t txn = g.next_txn++;
    for (int i = 0; i < 2; i++) {
        ops[i] = (te_op){.kind = TE_INSERT, .id = decided_ids[i], .txn = txn};
        snprintf(ops[i].payload, sizeof ops[i].payload, "decided");
    }
    eng_test_hook = hook_fill_and_checkpoint;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(te_commit_ops(g.oid, ops, 2, &err)); /* coordinated from shard 0 */
    TEST_CHECK(eng_test_hook == NULL);
    for (int i = 0; i < 2; i++) g.m.txn[decided_ids[i]] = txn;
    rt_runtime_stop();
}

static void test_ckpt_keeps_decisions_of_unapplied_transactions(void **state) {
    (void)state;
    fresh_dir("decided");
    g.parts = 9;
    eng_config cfg = cfg_of(3);
    cfg.wal_segment_bytes = 4 << 10;
    cfg.checkpoint_wal_bytes = UINT64_MAX;
    cfg.no_checkpoint_at_stop = true;
    assert_int_equal(te_run(&cfg, phase_decided_during_checkpoint, NULL, NULL), 0);
    assert_int_equal(g.stats.rounds, 1);
    assert_true(count_files("wal", "00000001-000-") >= 3); /* the decision's segment is closed */
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    assert_int_equal(g.bad, 0);
    te_rmdir(g.dir);
}

/* ---- dropped tables, catalog, sequences ---- */

static eng_sequence seq_def(uint32_t oid) {
    eng_sequence s;
    memset(&s, 0, sizeof s);
    s.oid = oid;
    snprintf(s.name, sizeof s.name, "s");
    s.schema_oid = ENG_OID_PUBLIC;
    s.type_oid = SQL_T_INT8;
    s.start = 1;
    s.increment = 1;
    s.min_value = 1;
    s.max_value = INT64_MAX;
    s.cache = 1;
    return s;
}

static void phase_seq_and_drop(void *arg) {
    int step = *(int *)arg;
    g.start_stats = eng_ckpt_get_stats();
    eng_sequence s = seq_def(77777);
    rt_err err;
    rt_err_clear(&err);
    int64_t v = 0;
    for (int i = 0; i < 100; i++) TEST_CHECK(eng_seq_next(ENG_OID_POSTGRES_DB, &s, &v, &err));
    TEST_CHECK(v > g.seq_value); /* never a value handed out before */
    g.seq_value = v;
    if (step == 0) {
        g.oid = te_create_table("t", 2, true);
        g.oid2 = te_create_table("gone", 2, true);
        write_range(0, 200, 4, "x");
        te_op op = {.kind = TE_INSERT, .id = 5, .txn = 1};
        snprintf(op.payload, sizeof op.payload, "doomed");
        TEST_CHECK(te_commit_ops(g.oid2, &op, 1, &err));
    }
    TEST_CHECK(eng_checkpoint_all(&err));
    if (step == 0) TEST_CHECK(te_drop_table(g.oid2));
    if (step == 1) {
        eng_catalog_ref ref;
        TEST_CHECK(te_table(&ref, g.oid2) == NULL);
        eng_catalog_unpin(&ref);
    }
    verify();
    rt_runtime_stop();
}

static void test_ckpt_catalog_sequences_and_dropped_tables(void **state) {
    (void)state;
    fresh_dir("catalog");
    g.seq_value = 0;
    eng_config cfg = cfg_of(2);
    cfg.no_checkpoint_at_stop = true;
    int step = 0;
    assert_int_equal(te_run(&cfg, phase_seq_and_drop, &step, NULL), 0);
    assert_int_equal(g.bad, 0);
    /* t's two partitions and the one partition of "gone" its single row created */
    assert_int_equal(count_files("ckpt", "p-"), 3);
    step = 1; /* the drop is in the WAL tail; the next round deletes the dropped files */
    assert_int_equal(te_run(&cfg, phase_seq_and_drop, &step, NULL), 0);
    assert_int_equal(g.bad, 0);
    assert_int_equal(g.start_stats.recovered_checkpoints, 2);
    assert_int_equal(count_files("ckpt", "p-"), 2);
    step = 2;
    assert_int_equal(te_run(&cfg, phase_seq_and_drop, &step, NULL), 0);
    assert_int_equal(g.bad, 0);
    te_rmdir(g.dir);
}

/* ---- hooks: extra per-partition data, slots kept ---- */

#define HOOK_PAD_BYTES (3u << 20) /* spans several EXTRA sections */

static struct {
    _Atomic uint32_t saved;
    uint32_t loaded, mismatches; /* loads run at start, on one thread */
} hk;

static bool hook_save(eng_part *p, rt_err *err, eng_ckpt_write_fn write, void *ctx) {
    uint32_t n = eng_part_slot_count(p);
    bool ok = write(ctx, &n, 4, err);
    for (uint32_t s = 0; ok && s < n; s++) {
        const float *v = eng_part_vector(p, s, 5);
        float x = v != NULL ? v[0] : -7.0f;
        ok = write(ctx, &x, 4, err);
    }
    uint8_t *pad = rt_xmalloc(HOOK_PAD_BYTES); /* shards save at the same time */
    for (uint32_t i = 0; i < HOOK_PAD_BYTES; i++) pad[i] = (uint8_t)(i * 7u + n);
    ok = ok && write(ctx, pad, HOOK_PAD_BYTES, err);
    rt_free(pad);
    atomic_fetch_add(&hk.saved, 1);
    return ok;
}

static bool hook_load(eng_part *p, rt_err *err, eng_ckpt_read_fn read, void *ctx) {
    uint32_t n;
    size_t got;
    if (!read(ctx, &n, 4, &got, err) || got != 4) return false;
    if (n > eng_part_slot_count(p)) hk.mismatches++;
    for (uint32_t s = 0; s < n; s++) {
        float x;
        if (!read(ctx, &x, 4, &got, err) || got != 4) return false;
        const float *v = eng_part_vector(p, s, 5);
        if ((v != NULL ? v[0] : -7.0f) != x) hk.mismatches++;
    }
    uint8_t *pad = rt_xmalloc(HOOK_PAD_BYTES);
    bool ok = read(ctx, pad, HOOK_PAD_BYTES, &got, err) && got == HOOK_PAD_BYTES;
    for (uint32_t i = 0; ok && i < HOOK_PAD_BYTES; i++) {
        hk.mismatches += pad[i] != (uint8_t)(i * 7u + n);
    }
    rt_free(pad);
    if (!ok) return false;
    uint8_t extra;
    if (!read(ctx, &extra, 1, &got, err) || got != 0) hk.mismatches++; /* the stream's end */
    hk.loaded++;
    return true;
}

static void test_ckpt_hooks_see_the_same_slots(void **state) {
    (void)state;
    fresh_dir("hooks");
    g.parts = 2;
    memset(&hk, 0, sizeof hk);
    eng_ckpt_hooks hooks = {.save = hook_save, .load = hook_load};
    eng_ckpt_set_hooks(&hooks);
    eng_config cfg = cfg_of(2);
    int64_t tail = 0;
    assert_int_equal(te_run(&cfg, phase_create_and_write, NULL, NULL), 0);
    assert_int_equal(te_run(&cfg, phase_checkpoint_then_tail, &tail, NULL), 0);
    assert_true(hk.saved >= 4); /* unchanged partitions are not saved again */
    assert_int_equal(hk.mismatches, 0);
    hk.loaded = 0;
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    eng_ckpt_set_hooks(NULL);
    assert_int_equal(g.bad, 0);
    assert_int_equal(hk.loaded, 2);
    assert_int_equal(hk.mismatches, 0);
    te_rmdir(g.dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ckpt_restart_replays_only_the_tail),
        cmocka_unit_test(test_ckpt_hidden_row_ids_survive),
        cmocka_unit_test(test_ckpt_trims_wal_by_volume),
        cmocka_unit_test(test_ckpt_unchanged_partitions_are_kept),
        cmocka_unit_test(test_ckpt_restart_with_other_shard_counts),
        cmocka_unit_test(test_ckpt_corrupt_checkpoint_refuses_to_start),
        cmocka_unit_test(test_wal_mid_log_corruption_refuses_and_torn_tail_is_cut),
        cmocka_unit_test(test_ckpt_keeps_transactions_prepared_at_capture),
        cmocka_unit_test(test_ckpt_keeps_decisions_of_unapplied_transactions),
        cmocka_unit_test(test_ckpt_catalog_sequences_and_dropped_tables),
        cmocka_unit_test(test_ckpt_hooks_see_the_same_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
