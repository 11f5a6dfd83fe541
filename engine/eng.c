/* eng.c: the engine service: data directory, shard state and partition maps, the commit
 * protocol. Recovery is in eng_recover.c, sequences in eng_seq.c. */
#include "engine/eng_actstat.h"
#include "engine/eng_ckpt_int.h"
#include "engine/eng_int.h"
#include "engine/eng_vac.h"
#include "engine/eng_part_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

/* How often a shard that has built its recovered graphs looks whether the others are done
 * (at start only, before it serves anything). */
#define ENG_RECOVER_WAIT_NS (200ull * 1000ull)

eng_engine eng_global;
void (*eng_test_hook)(int point, void *arg);
void *eng_test_hook_arg;

uint32_t eng_shard_count(void) { return eng_global.shard_count; }
bool eng_clean_start(void) { return eng_global.clean_boot != 0; }
const char *eng_data_dir(void) { return eng_global.data_dir; }

eng_shard *eng_shard_self(void) { return &eng_global.shards[rt_core_id()]; }

eng_wal *eng_shard_wal(void) { return eng_shard_self()->wal; }

eng_wal *eng_shard_wal_open(rt_err *err) {
    eng_wal *wal = eng_shard_self()->wal;
    if (wal == NULL) {
        rt_err_set(err, SQLSTATE_ADMIN_SHUTDOWN, "terminating connection due to administrator "
                                                 "command");
    }
    return wal;
}

/* ---- partition maps ---- */

static uint64_t eng_pmap_hash(uint64_t storage_id, uint32_t partno) {
    uint64_t h = storage_id * 0x9E3779B97F4A7C15ull ^ (partno + 0x632BE59BD9B4E019ull);
    h ^= h >> 31;
    return h | 1;
}

eng_part *eng_pmap_get(eng_pmap *m, uint64_t storage_id, uint32_t partno) {
    if (m->cap == 0) return NULL;
    uint64_t h = eng_pmap_hash(storage_id, partno);
    for (uint32_t i = (uint32_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        eng_pmap_entry *e = &m->entries[i];
        if (e->hash == 0) return NULL;
        if (e->hash == h && e->storage_id == storage_id && e->partno == partno) return e->part;
    }
}

void eng_pmap_put(eng_pmap *m, uint64_t storage_id, uint32_t partno, eng_part *part) {
    if ((m->count + 1) * 2 > m->cap) {
        eng_pmap old = *m;
        m->cap = old.cap == 0 ? 64 : old.cap * 2;
        m->entries = rt_xcalloc(m->cap, sizeof(eng_pmap_entry));
        m->count = 0;
        for (uint32_t i = 0; i < old.cap; i++) {
            if (old.entries[i].hash != 0 && old.entries[i].part != NULL) {
                eng_pmap_put(m, old.entries[i].storage_id, old.entries[i].partno,
                             old.entries[i].part);
            }
        }
        rt_free(old.entries);
    }
    uint64_t h = eng_pmap_hash(storage_id, partno);
    for (uint32_t i = (uint32_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        eng_pmap_entry *e = &m->entries[i];
        if (e->hash == 0) {
            *e = (eng_pmap_entry){.hash = h, .storage_id = storage_id, .partno = partno,
                                  .part = part};
            m->count++;
            return;
        }
        if (e->hash == h && e->storage_id == storage_id && e->partno == partno) {
            e->part = part;
            return;
        }
    }
}

void eng_pmap_free(eng_pmap *m, bool destroy_parts) {
    for (uint32_t i = 0; i < m->cap; i++) {
        if (destroy_parts && m->entries[i].hash != 0) eng_part_destroy(m->entries[i].part);
    }
    rt_free(m->entries);
    memset(m, 0, sizeof *m);
}

/* eng_partition, with the error of an index the adaptation could not build (else logged). */
static eng_part *eng_partition_err(const eng_table *t, uint32_t partition_no, rt_err *err) {
    eng_shard *sh = eng_shard_self();
    RT_ASSERT(eng_partition_owner(partition_no, eng_global.shard_count) == rt_core_id());
    eng_part *p = eng_pmap_get(&sh->parts, t->storage_id, partition_no);
    if (p == NULL) {
        p = eng_part_create(t, partition_no);
        eng_pmap_put(&sh->parts, t->storage_id, partition_no, p);
    } else if (eng_part_def_gen(p) != t->def_gen) {
        (void)eng_part_sync_schema(p, t, err);
    }
    return p;
}

eng_part *eng_partition(const eng_table *t, uint32_t partition_no) {
    return eng_partition_err(t, partition_no, NULL);
}

/* One shard's part of eng_table_adapt: the partitions of the table it owns. */
typedef struct eng_adapt_job {
    const eng_table *t;
    rt_err err;
} eng_adapt_job;

static void eng_table_adapt_shard(void *arg) {
    eng_adapt_job *j = arg;
    uint32_t shards = eng_shard_count();
    for (uint32_t i = 0; i < j->t->partition_count; i++) {
        if (eng_partition_owner(i, shards) != rt_core_id()) continue;
        rt_err e;
        rt_err_clear(&e);
        (void)eng_partition_err(j->t, i, &e);
        if (rt_err_is_set(&e) && !rt_err_is_set(&j->err)) j->err = e;
    }
}

bool eng_table_adapt(const eng_table *t, rt_err *err) {
    uint32_t shards = eng_shard_count();
    rt_remote_call *calls = rt_xcalloc(shards, sizeof *calls);
    eng_adapt_job *jobs = rt_xcalloc(shards, sizeof *jobs);
    rt_wg wg = {0};
    for (uint32_t s = 0; s < shards; s++) {
        jobs[s].t = t;
        rt_err_clear(&jobs[s].err);
        rt_run_on_wg(&calls[s], s, eng_table_adapt_shard, &jobs[s], &wg);
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint32_t s = 0; s < shards && ok; s++) {
        if (!calls[s].ran) {
            *err = calls[s].err; /* no fiber on that shard: nothing ran there */
            ok = false;
        } else if (rt_err_is_set(&jobs[s].err)) {
            *err = jobs[s].err;
            ok = false;
        }
    }
    rt_free(jobs);
    rt_free(calls);
    return ok;
}

/* ---- data directory ---- */

static bool eng_dir_lock(const char *dir, rt_err *err) {
    char path[600];
    snprintf(path, sizeof path, "%s/dreambase.pid", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return rt_err_from_errno(err, errno, "could not open lock file \"%s\"", path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        rt_err_set(err, SQLSTATE_LOCK_FILE_EXISTS, "lock file \"%s\" is held", path);
        rt_err_hint(err, "Is another dreambase server running in data directory \"%s\"?", dir);
        return false;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        close(fd);
        return rt_err_from_errno(err, errno, "could not write lock file \"%s\"", path);
    }
    eng_global.lock_fd = fd; /* held until exit */
    return true;
}

static bool eng_next_boot(const char *dir, uint32_t *boot, rt_err *err) {
    char path[600], tmp[620];
    snprintf(path, sizeof path, "%s/boot", dir);
    snprintf(tmp, sizeof tmp, "%s/boot.tmp", dir);
    uint32_t prev = 0;
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fscanf(f, "%u", &prev) != 1) prev = 0;
        fclose(f);
    }
    *boot = prev + 1;
    char text[32];
    int n = snprintf(text, sizeof text, "%u\n", *boot);
    return rt_file_replace(path, tmp, dir, text, (size_t)n, err);
}

/* ---- vector graphs of the replayed rows ---- */

/* Gives the rows the WAL replay stored their graph nodes in every partition of `m`. One call
 * per shard, on its thread and with its own partitions, so the shards build in parallel; the
 * graph of one partition is built by one thread, in slot order, as live writes would. */
static bool eng_graphs_recover(const eng_pmap *m, rt_err *err) {
    uint64_t t0 = rt_time_mono_ns(), nodes = 0;
    uint32_t parts = 0;
    for (uint32_t i = 0; i < m->cap; i++) {
        const eng_pmap_entry *e = &m->entries[i];
        if (e->hash == 0 || e->part == NULL) continue;
        parts++;
        if (!eng_part_ann_recover(e->part, &nodes, err)) return false;
    }
    if (nodes == 0) return true;
    char fields[160];
    snprintf(fields, sizeof fields, "shard=%d partitions=%u nodes=%llu ms=%llu",
             rt_core_id_or_none(), parts, (unsigned long long)nodes,
             (unsigned long long)((rt_time_mono_ns() - t0) / RT_NS_PER_MS));
    rt_log(RT_LOG_INFO, fields, "vector graphs of the replayed rows complete");
    return true;
}

/* Adapts the recovered partitions of `m` to the recovered catalog: a definition the WAL replay
 * brought (CREATE INDEX after the partition's checkpoint) builds its indexes now, each shard
 * its own partitions in parallel, rather than in the first query that uses the partition. */
static void eng_parts_adapt(const eng_pmap *m) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    for (uint32_t i = 0; i < m->cap; i++) {
        const eng_pmap_entry *e = &m->entries[i];
        if (e->hash == 0 || e->part == NULL) continue;
        const eng_table *t = eng_ckpt_table_of(pin.catalog, e->storage_id);
        if (t != NULL && eng_part_def_gen(e->part) != t->def_gen) {
            (void)eng_part_sync_schema(e->part, t, NULL); /* logs an incomplete index */
        }
    }
    eng_catalog_unpin(&pin);
}

/* Counts this shard done and waits for the others: a shard that serves early would send work
 * to one still building (correct, but slow), and "ready" would not mean ready. */
static void eng_shard_start_wait(void) {
    atomic_fetch_add(&eng_global.shards_recovered, 1);
    while (atomic_load(&eng_global.shards_recovered) < rt_shard_count() &&
           !rt_runtime_stopping()) {
        struct timespec ts = {.tv_nsec = (long)ENG_RECOVER_WAIT_NS};
        nanosleep(&ts, NULL);
    }
}

bool eng_start(const eng_config *config, rt_err *err) {
    memset(&eng_global, 0, sizeof eng_global);
    eng_global.lock_fd = -1;
    snprintf(eng_global.data_dir, sizeof eng_global.data_dir, "%s", config->data_dir);
    eng_global.shard_count = config->shard_count;
    eng_global.shards = rt_xcalloc(config->shard_count, sizeof(eng_shard));
    eng_txn_init(config->shard_count);
    if (!rt_dir_make(config->data_dir, err)) return false;
    if (access(config->data_dir, W_OK) != 0) {
        return rt_err_from_errno(err, errno, "data directory \"%s\" is not writable",
                                 config->data_dir);
    }
    if (!eng_dir_lock(config->data_dir, err)) return false;
    if (!eng_next_boot(config->data_dir, &eng_global.boot, err)) return false;
    atomic_store(&eng_global.next_gid, (uint64_t)eng_global.boot << 40);
    eng_seq_init();
    eng_wal_set_segment_bytes(config->wal_segment_bytes);
    eng_wal_floors_reset();
    eng_ckpt_start(config, eng_global.boot);
    eng_global.clean_boot = eng_ckpt_clean_boot();
    if (eng_global.clean_boot >= eng_global.boot) eng_global.clean_boot = 0; /* not of a past run */
    if (!eng_recover(config->superuser, err) || !eng_ckpt_clean_consume(err)) return false;
    if (eng_global.clean_boot == 0) eng_seq_reset_unlogged();
    if (config->replay_graphs_serial && !eng_graphs_recover(&eng_global.recovered, err)) {
        return false;
    }
    eng_relstat_load_all();
    eng_actstat_load();
    return true;
}

void eng_stop(void) {
    if (eng_global.shards != NULL) {
        eng_ckpt_stop();
        eng_actstat_save();
    }
    for (uint32_t s = 0; s < eng_global.shard_count; s++) {
        eng_pmap_free(&eng_global.shards[s].parts, true);
        rt_free(eng_global.shards[s].prepare_pins);
    }
    eng_pmap_free(&eng_global.recovered, true);
    rt_free(eng_global.shards);
    eng_global.shards = NULL;
    eng_catalog_shutdown();
    eng_seq_free();
    eng_txn_shutdown();
    if (eng_global.lock_fd >= 0) close(eng_global.lock_fd);
    eng_global.lock_fd = -1;
}

bool eng_shard_start(rt_err *err) {
    eng_shard *sh = eng_shard_self();
    uint32_t me = rt_core_id();
    /* Take over the recovered partitions this shard owns. */
    eng_pmap *rec = &eng_global.recovered;
    for (uint32_t i = 0; i < rec->cap; i++) {
        eng_pmap_entry *e = &rec->entries[i];
        if (e->hash == 0 || e->part == NULL) continue;
        if (eng_partition_owner(e->partno, eng_global.shard_count) != me) continue;
        eng_pmap_put(&sh->parts, e->storage_id, e->partno, e->part);
        e->part = NULL;
    }
    bool ok = eng_graphs_recover(&sh->parts, err); /* it holds only recovered ones yet */
    if (ok) eng_parts_adapt(&sh->parts);
    eng_shard_start_wait();
    if (!ok) return false;
    eng_ckpt_shard_start();
    sh->wal = eng_wal_open(eng_global.data_dir, eng_global.boot, me, err);
    if (sh->wal == NULL) return false;
    eng_vac_shard_start();
    return true;
}

void eng_shard_stop(void) {
    eng_vac_shard_stop();
    eng_ckpt_shard_stop();
}

/* ---- commit protocol ---- */

enum { ENG_CM_COMMIT_ONE = 1, ENG_CM_PREPARE, ENG_CM_APPLY, ENG_CM_ABORT, ENG_CM_ROLLBACK_TO };

typedef struct eng_commit_msg {
    rt_msg msg;
    eng_wal_waiter w;
    uint64_t pin;       /* COMMIT_ONE: the WAL pin of its record, until applied */
    bool pinned;
    int op;
    eng_txn_id id;
    uint64_t gid;
    uint64_t ts;
    uint32_t coordinator;
    uint32_t command;
    bool sync;
    bool ok;
    rt_err err;
} eng_commit_msg;

/* Releases the COMMIT record's pin: its transaction is applied (or will never be). */
static void eng_cm_unpin(eng_commit_msg *m) {
    if (!m->pinned) return;
    m->pinned = false;
    eng_wal *wal = eng_shard_self()->wal;
    if (wal != NULL) eng_wal_unpin(wal, m->pin);
}

/* The PREPARE pin of transaction `id` on this shard, released once it is applied or aborted
 * here (eng_wal.h, Pins). */
static void eng_cm_prepare_pin_set(eng_txn_id id, uint64_t pin) {
    eng_shard *sh = eng_shard_self();
    if (sh->prepare_pins == NULL) sh->prepare_pins = rt_xcalloc(ENG_TXN_SLOTS, sizeof(uint64_t));
    RT_ASSERT(sh->prepare_pins[id.slot] == 0);
    sh->prepare_pins[id.slot] = pin + 1;
}

static void eng_cm_prepare_unpin(eng_txn_id id) {
    eng_shard *sh = eng_shard_self();
    if (sh->prepare_pins == NULL || sh->prepare_pins[id.slot] == 0) return;
    uint64_t pin = sh->prepare_pins[id.slot] - 1;
    sh->prepare_pins[id.slot] = 0;
    if (sh->wal != NULL) eng_wal_unpin(sh->wal, pin);
}

static void eng_cm_finish_one(eng_commit_msg *m, eng_tx *tx) {
    m->ts = eng_txn_commit(m->id);
    if (tx != NULL) {
        eng_tx_apply_commit(tx, m->ts);
        eng_tx_forget(tx);
    }
    eng_cm_unpin(m);
    m->ok = true;
    rt_msg_reply(&m->msg);
}

static void eng_cm_durable(eng_wal_waiter *w, const rt_err *err) {
    eng_commit_msg *m = (eng_commit_msg *)((char *)w - offsetof(eng_commit_msg, w));
    eng_tx *tx = eng_tx_local(m->id, false);
    if (err != NULL) { /* the server is stopping: the outcome is unknown to the client */
        eng_cm_unpin(m);
        m->err = *err;
        m->ok = false;
        rt_msg_reply(&m->msg);
        return;
    }
    if (m->op == ENG_CM_COMMIT_ONE) {
        eng_cm_finish_one(m, tx);
        return;
    }
    m->ok = true; /* prepared */
    rt_msg_reply(&m->msg);
}

/* Appends the participant's redo as one COMMIT or PREPARE record and waits for it. */
static void eng_cm_log(eng_commit_msg *m, eng_tx *tx, eng_wal_type type) {
    eng_shard *sh = eng_shard_self();
    uint8_t head[12];
    memcpy(head, &m->gid, 8);
    memcpy(head + 8, &m->coordinator, 4);
    const void *parts[2] = {head, tx->redo.buf};
    uint64_t lens[2] = {type == ENG_WAL_COMMIT ? 8 : 12, tx->redo.len};
    if (eng_shard_wal_open(&m->err) == NULL) {
        m->ok = false;
        rt_msg_reply(&m->msg);
        return;
    }
    uint64_t pin = eng_wal_pin(sh->wal);
    m->w.lsn = eng_wal_append(sh->wal, type, parts, lens, 2, &m->err);
    m->w.done = eng_cm_durable;
    if (m->w.lsn == 0) {
        eng_wal_unpin(sh->wal, pin);
        m->ok = false;
        rt_msg_reply(&m->msg);
        return;
    }
    if (type == ENG_WAL_COMMIT) {
        m->pin = pin;
        m->pinned = true;
    } else {
        eng_cm_prepare_pin_set(m->id, pin);
    }
    for (uint32_t i = 0; i < tx->write_count; i++) tx->writes[i].part->wal_end_lsn = m->w.lsn;
    eng_ckpt_note_wal(sh->wal);
    /* synchronous_commit = off: a single-shard commit does not wait for the disk. A PREPARE
     * always does: the decision must never be durable before every participant's redo. */
    if (!m->sync && type == ENG_WAL_COMMIT) m->w.lsn = 0;
    eng_wal_wait(sh->wal, &m->w);
}

static void eng_cm_run(rt_msg *msg) {
    eng_commit_msg *m = (eng_commit_msg *)msg;
    eng_tx *tx = eng_tx_local(m->id, false);
    bool has_redo = tx != NULL && tx->redo.len > 0;
    switch (m->op) {
    case ENG_CM_COMMIT_ONE:
        if (has_redo) {
            eng_cm_log(m, tx, ENG_WAL_COMMIT);
        } else {
            eng_cm_finish_one(m, tx);
        }
        return;
    case ENG_CM_PREPARE:
        if (has_redo) {
            eng_cm_log(m, tx, ENG_WAL_PREPARE);
            return;
        }
        m->ok = true;
        break;
    case ENG_CM_APPLY:
        if (tx != NULL) {
            eng_tx_apply_commit(tx, m->ts);
            eng_tx_forget(tx);
        }
        eng_cm_prepare_unpin(m->id);
        m->ok = true;
        break;
    case ENG_CM_ABORT:
        if (tx != NULL) {
            eng_tx_apply_abort(tx);
            eng_tx_forget(tx);
        }
        eng_cm_prepare_unpin(m->id);
        m->ok = true;
        break;
    case ENG_CM_ROLLBACK_TO:
        if (tx != NULL) eng_tx_rollback_to(tx, m->command);
        m->ok = true;
        break;
    }
    rt_msg_reply(msg);
}

/* Sends `op` to every participant and waits for all replies; false if any failed. */
static bool eng_cm_broadcast(eng_txn_ctx *t, int op, uint64_t ts, uint32_t command,
                             rt_err *err) {
    eng_commit_msg msgs[RT_SHARDS_MAX];
    rt_wg wg = {0};
    uint32_t n = 0;
    for (uint64_t bits = t->participants; bits != 0; bits &= bits - 1) {
        uint32_t shard = (uint32_t)__builtin_ctzll(bits);
        eng_commit_msg *m = &msgs[n++];
        memset(m, 0, sizeof *m);
        m->msg.run = eng_cm_run;
        m->op = op;
        m->id = t->id;
        m->gid = t->gid;
        m->ts = ts;
        m->command = command;
        m->coordinator = rt_core_id();
        m->sync = t->sync;
        rt_err_clear(&m->err);
        rt_msg_send_wg(&m->msg, shard, &wg);
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint32_t i = 0; i < n; i++) {
        if (!msgs[i].ok && ok) {
            ok = false;
            if (err != NULL) *err = msgs[i].err;
        }
    }
    return ok;
}

bool eng_txn_start(eng_txn_ctx *t, rt_err *err) {
    memset(t, 0, sizeof *t);
    t->sync = true;
    if (!eng_txn_begin(&t->id, err)) return false;
    t->gid = atomic_fetch_add(&eng_global.next_gid, 1);
    return true;
}

uint64_t eng_txn_next_gid(void) { return atomic_load(&eng_global.next_gid); }

static void eng_txn_done(eng_txn_ctx *t) {
    eng_txn_release(t->id);
    if (t->holds_ddl_lock) {
        eng_catalog_ddl_unlock(eng_stamp_txn(t->id.slot, t->id.generation, 0));
        t->holds_ddl_lock = false;
    }
    t->participants = 0;
}

void eng_txn_finish_abort(eng_txn_ctx *t) {
    eng_txn_abort(t->id);
    if (t->participants != 0) eng_cm_broadcast(t, ENG_CM_ABORT, 0, 0, NULL);
    if (t->draft != NULL) {
        eng_catalog_draft_free(t->draft);
        t->draft = NULL;
    }
    eng_txn_done(t);
}

/* The coordinator's decision record (with the new catalog, if the transaction changed it).
 * It stays pinned (*pin) until every participant applied it and the catalog is published, so
 * a checkpoint that does not hold the transaction replays the decision (eng_wal.h, Pins). */
static bool eng_cm_decide(eng_txn_ctx *t, uint64_t *pin, rt_err *err) {
    uint8_t head[9];
    memcpy(head, &t->gid, 8);
    head[8] = 1;
    uint8_t *cat = NULL;
    uint64_t cat_len = 0;
    if (t->draft != NULL && !eng_catalog_serialize(t->draft, &cat, &cat_len, err)) return false;
    const void *parts[2] = {head, cat};
    uint64_t lens[2] = {9, cat_len};
    eng_wal *wal = eng_shard_wal_open(err);
    if (wal == NULL) {
        rt_free(cat);
        return false;
    }
    *pin = eng_wal_pin(wal);
    uint64_t lsn = eng_wal_append(wal, ENG_WAL_DECISION, parts, lens, 2, err);
    rt_free(cat);
    if (lsn == 0) {
        eng_wal_unpin(wal, *pin);
        return false;
    }
    eng_ckpt_note_wal(wal);
    if (!eng_wal_wait_fiber(wal, lsn, err)) {
        eng_wal_unpin(wal, *pin);
        return false;
    }
    return true;
}

bool eng_txn_finish_commit(eng_txn_ctx *t, rt_err *err) {
    uint32_t nparts = (uint32_t)__builtin_popcountll(t->participants);
    if (t->draft == NULL && nparts == 0) { /* read-only: nothing to make durable */
        eng_txn_abort(t->id);
        eng_txn_done(t);
        return true;
    }
    if (t->draft == NULL && nparts == 1) {
        eng_commit_msg m;
        memset(&m, 0, sizeof m);
        m.msg.run = eng_cm_run;
        m.op = ENG_CM_COMMIT_ONE;
        m.id = t->id;
        m.gid = t->gid;
        m.sync = t->sync;
        rt_err_clear(&m.err);
        rt_msg_call(&m.msg, (uint32_t)__builtin_ctzll(t->participants));
        if (!m.ok) {
            /* The WAL failed (the server is stopping) or the record was too large: the
             * transaction did not commit here, its locks go. */
            *err = m.err;
            eng_txn_finish_abort(t);
            return false;
        }
        eng_txn_done(t);
        return true;
    }
    uint64_t pin = 0;
    bool prepared = eng_cm_broadcast(t, ENG_CM_PREPARE, 0, 0, err);
    if (prepared && eng_test_hook != NULL) eng_test_hook(ENG_TEST_PREPARED, eng_test_hook_arg);
    if (!prepared || !eng_cm_decide(t, &pin, err)) {
        eng_txn_finish_abort(t);
        return false;
    }
    if (eng_test_hook != NULL) eng_test_hook(ENG_TEST_DECIDED, eng_test_hook_arg);
    uint64_t ts = eng_txn_commit(t->id);
    if (t->draft != NULL) {
        eng_catalog_publish(t->draft);
        t->draft = NULL;
    }
    if (t->participants != 0) eng_cm_broadcast(t, ENG_CM_APPLY, ts, 0, NULL);
    eng_txn_done(t);
    eng_wal *wal = eng_shard_wal();
    if (wal != NULL) eng_wal_unpin(wal, pin);
    return true;
}

void eng_txn_rollback_to(eng_txn_ctx *t, uint32_t command) {
    if (t->participants != 0) eng_cm_broadcast(t, ENG_CM_ROLLBACK_TO, 0, command, NULL);
}
