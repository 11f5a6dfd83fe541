/* eng_ckpt.c: checkpoint rounds, their triggers, the shutdown checkpoint, the registry of the
 * newest durable checkpoint of each partition, WAL trimming, and the startup scan of DATADIR/ckpt.
 *
 * Unchanged partitions: a partition whose newest checkpoint is of this boot and whose last WAL
 * record ends at or before that checkpoint's position in its shard's log holds everything the
 * log has of it: a round keeps that checkpoint instead of writing it again, and it needs no
 * WAL at all. (A record of it appended later ends past the round's own positions.)
 * Trimming rule: a WAL record at (boot, shard, LSN) is still needed if some partition's newest
 * checkpoint, or the newest catalog checkpoint, needs it (eng_ckpt_need_covers). After a round
 * every logged partition of the catalog has a checkpoint of this boot, so segments of older
 * boots go, and shard j's segments that end at or before the lowest need of shard j go. A
 * partition's need for another shard's log covers the 2PC decisions of transactions that were
 * prepared but not yet applied on its shard when it was captured (eng_wal.h, Pins). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng_ckpt_int.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

/* The newest durable checkpoint of one partition. */
typedef struct eng_ckpt_entry {
    uint64_t storage_id;
    uint32_t partno;
    bool used;
    uint64_t file_id;
    eng_ckpt_need need;
} eng_ckpt_entry;

typedef struct eng_ckpt_map {
    eng_ckpt_entry *e;
    uint32_t cap, count;
} eng_ckpt_map;

typedef struct eng_ckpt_shard {
    eng_ckpt_map reg;             /* this shard's partitions; touched on this shard only */
    uint64_t trigger_base;        /* appended LSN when this shard last checkpointed */
    bool requested;               /* a triggered round is on its way */
    bool stop_ok;                 /* the shutdown checkpoint succeeded */
    _Atomic uint64_t snapshot;    /* of the partition checkpoint being written, or UINT64_MAX */
    _Atomic(const eng_part *) writing;
    _Atomic uint64_t parts_written, rows_written, bytes_written;
} eng_ckpt_shard;

static eng_ckpt_shard eng_ckpt_shards[RT_SHARDS_MAX];

static struct {
    uint32_t boot, shard_count;
    uint64_t trigger_bytes;
    bool started;                 /* eng_ckpt_start ran since the last eng_ckpt_stop */
    bool at_stop;
    _Atomic bool busy;            /* one round (or shutdown checkpoint) at a time */
    _Atomic uint64_t file_seq;
    eng_ckpt_map loaded;          /* partition checkpoints loaded by recovery */
    bool catalog_known;           /* the newest durable catalog checkpoint: */
    uint64_t catalog_file_id;
    eng_ckpt_need catalog_need;
    bool catalog_stop_ok;
    eng_ckpt_stats recovery;
    _Atomic uint64_t rounds, failures, segments_removed;
} eng_ckpt_g;

/* Checkpoint files the startup scan found superseded by newer ones: deleted once recovery
 * succeeded (until then they are left for whoever must investigate a refused start). */
static char (*eng_ckpt_superseded)[600];
static uint32_t eng_ckpt_superseded_count;

static eng_ckpt_hooks eng_ckpt_hooks_installed;
static bool eng_ckpt_hooks_present;

/* ---- small things ---- */

void eng_ckpt_set_hooks(const eng_ckpt_hooks *hooks) {
    eng_ckpt_hooks_present = hooks != NULL;
    if (hooks != NULL) eng_ckpt_hooks_installed = *hooks;
}

const eng_ckpt_hooks *eng_ckpt_hooks_get(void) {
    return eng_ckpt_hooks_present ? &eng_ckpt_hooks_installed : NULL;
}

uint64_t eng_ckpt_new_file_id(void) { return atomic_fetch_add(&eng_ckpt_g.file_seq, 1) + 1; }

uint64_t eng_ckpt_oldest_snapshot(uint32_t core) {
    RT_ASSERT(core < RT_SHARDS_MAX);
    return atomic_load(&eng_ckpt_shards[core].snapshot);
}

bool eng_ckpt_writing(const eng_part *p) {
    for (uint32_t s = 0; s < eng_ckpt_g.shard_count; s++) {
        if (atomic_load(&eng_ckpt_shards[s].writing) == p) return true;
    }
    return false;
}

void eng_ckpt_writing_begin(const eng_part *p, uint64_t ts) {
    eng_ckpt_shard *cs = &eng_ckpt_shards[rt_core_id()];
    atomic_store(&cs->snapshot, ts);
    atomic_store(&cs->writing, p);
}

void eng_ckpt_writing_end(void) {
    eng_ckpt_shard *cs = &eng_ckpt_shards[rt_core_id()];
    atomic_store(&cs->writing, NULL);
    atomic_store(&cs->snapshot, UINT64_MAX);
}

eng_ckpt_stats eng_ckpt_get_stats(void) {
    eng_ckpt_stats st = eng_ckpt_g.recovery;
    st.rounds = atomic_load(&eng_ckpt_g.rounds);
    st.round_failures = atomic_load(&eng_ckpt_g.failures);
    st.segments_removed = atomic_load(&eng_ckpt_g.segments_removed);
    for (uint32_t s = 0; s < RT_SHARDS_MAX; s++) {
        st.partitions_written += atomic_load(&eng_ckpt_shards[s].parts_written);
        st.rows_written += atomic_load(&eng_ckpt_shards[s].rows_written);
        st.bytes_written += atomic_load(&eng_ckpt_shards[s].bytes_written);
    }
    return st;
}

/* ---- the registry ---- */

static uint64_t eng_ckpt_hash(uint64_t storage_id, uint32_t partno) {
    uint64_t h = storage_id * 0x9E3779B97F4A7C15ull ^ (partno * 0xC2B2AE3D27D4EB4Full);
    return h ^ (h >> 29);
}

static eng_ckpt_entry *eng_ckpt_map_find(eng_ckpt_map *m, uint64_t storage_id, uint32_t partno,
                                         bool create) {
    if (create && (m->count + 1) * 2 > m->cap) {
        eng_ckpt_map old = *m;
        m->cap = old.cap == 0 ? 16 : old.cap * 2;
        m->e = rt_xcalloc(m->cap, sizeof(eng_ckpt_entry));
        m->count = 0;
        for (uint32_t i = 0; i < old.cap; i++) {
            if (!old.e[i].used) continue;
            *eng_ckpt_map_find(m, old.e[i].storage_id, old.e[i].partno, true) = old.e[i];
        }
        rt_free(old.e);
    }
    if (m->cap == 0) return NULL;
    for (uint32_t i = (uint32_t)eng_ckpt_hash(storage_id, partno) & (m->cap - 1);;
         i = (i + 1) & (m->cap - 1)) {
        eng_ckpt_entry *e = &m->e[i];
        if (e->used && e->storage_id == storage_id && e->partno == partno) return e;
        if (e->used) continue;
        if (!create) return NULL;
        memset(e, 0, sizeof *e);
        e->used = true;
        e->storage_id = storage_id;
        e->partno = partno;
        m->count++;
        return e;
    }
}

static void eng_ckpt_map_free(eng_ckpt_map *m) {
    rt_free(m->e);
    memset(m, 0, sizeof *m);
}

void eng_ckpt_note_loaded(uint64_t storage_id, uint32_t partno, uint64_t file_id,
                          const eng_ckpt_need *need) {
    eng_ckpt_entry *e = eng_ckpt_map_find(&eng_ckpt_g.loaded, storage_id, partno, true);
    e->file_id = file_id;
    e->need = *need;
}

void eng_ckpt_note_loaded_catalog(uint64_t file_id, const eng_ckpt_need *need) {
    eng_ckpt_g.catalog_known = true;
    eng_ckpt_g.catalog_file_id = file_id;
    eng_ckpt_g.catalog_need = *need;
}

const eng_ckpt_need *eng_ckpt_loaded_need(uint64_t storage_id, uint32_t partno) {
    eng_ckpt_entry *e = eng_ckpt_map_find(&eng_ckpt_g.loaded, storage_id, partno, false);
    return e != NULL ? &e->need : NULL;
}

void eng_ckpt_note_recovery(const eng_ckpt_stats *figures) { eng_ckpt_g.recovery = *figures; }

/* The table whose data is `storage_id`, NULL if no table of this catalog version has it. */
const eng_table *eng_ckpt_table_of(const eng_catalog *c, uint64_t storage_id) {
    for (uint32_t d = 0; d < eng_catalog_db_count(c); d++) {
        const eng_database *db = eng_catalog_db_at(c, d);
        for (uint32_t t = 0; t < db->table_count; t++) {
            if (db->tables[t].storage_id == storage_id) return &db->tables[t];
        }
    }
    return NULL;
}

/* The partition's checkpoint `e` holds everything the WAL has of it (see the top). */
static bool eng_ckpt_complete(const eng_part *p, const eng_ckpt_entry *e, uint32_t shard) {
    return e != NULL && e->need.boot == eng_ckpt_g.boot && shard < e->need.shard_count &&
           p->wal_end_lsn <= e->need.lsn[shard];
}

/* A partition whose data must survive a restart: a permanent table of the current catalog;
 * at an orderly shutdown (`at_stop`) an unlogged one too (it survives a clean restart). */
static bool eng_ckpt_part_wanted(const eng_part *p, bool at_stop) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_table *t = eng_ckpt_table_of(ref.catalog, p->storage_id);
    bool wanted = t != NULL && t->kind == 'r' && p->partition_no < t->partition_count &&
                  ((p->logged && t->persistence == 'p') ||
                   (at_stop && !p->logged && t->persistence == 'u'));
    eng_catalog_unpin(&ref);
    return wanted;
}

/* ---- the engine service ---- */

void eng_ckpt_start(const eng_config *config, uint32_t boot) {
    eng_ckpt_map_free(&eng_ckpt_g.loaded);
    for (uint32_t s = 0; s < RT_SHARDS_MAX; s++) {
        eng_ckpt_shard *cs = &eng_ckpt_shards[s];
        eng_ckpt_map_free(&cs->reg);
        cs->trigger_base = 0;
        cs->requested = cs->stop_ok = false;
        atomic_store(&cs->snapshot, UINT64_MAX);
        atomic_store(&cs->writing, NULL);
        atomic_store(&cs->parts_written, 0);
        atomic_store(&cs->rows_written, 0);
        atomic_store(&cs->bytes_written, 0);
    }
    eng_ckpt_g.started = true;
    eng_ckpt_g.boot = boot;
    eng_ckpt_g.shard_count = config->shard_count;
    eng_ckpt_g.trigger_bytes = config->checkpoint_wal_bytes != 0 ? config->checkpoint_wal_bytes
                                                                 : ENG_CKPT_WAL_TRIGGER_BYTES;
    eng_ckpt_g.at_stop = !config->no_checkpoint_at_stop;
    atomic_store(&eng_ckpt_g.busy, false);
    atomic_store(&eng_ckpt_g.file_seq, (uint64_t)boot << 32);
    eng_ckpt_g.catalog_known = eng_ckpt_g.catalog_stop_ok = false;
    memset(&eng_ckpt_g.recovery, 0, sizeof eng_ckpt_g.recovery);
    atomic_store(&eng_ckpt_g.rounds, 0);
    atomic_store(&eng_ckpt_g.failures, 0);
    atomic_store(&eng_ckpt_g.segments_removed, 0);
}

void eng_ckpt_shard_start(void) {
    uint32_t me = rt_core_id();
    eng_ckpt_shard *cs = &eng_ckpt_shards[me];
    const eng_ckpt_map *m = &eng_ckpt_g.loaded;
    for (uint32_t i = 0; i < m->cap; i++) {
        const eng_ckpt_entry *e = &m->e[i];
        if (!e->used || eng_partition_owner(e->partno, eng_ckpt_g.shard_count) != me) continue;
        *eng_ckpt_map_find(&cs->reg, e->storage_id, e->partno, true) = *e;
    }
}

static void eng_ckpt_lock(void) {
    while (atomic_exchange(&eng_ckpt_g.busy, true)) rt_fiber_sleep_ns(RT_NS_PER_MS);
}

static void eng_ckpt_unlock(void) { atomic_store(&eng_ckpt_g.busy, false); }

/* ---- one shard's part of a round ---- */

typedef struct eng_ckpt_job {
    bool at_stop;                     /* the shutdown checkpoint: unlogged tables too */
    bool ok;
    rt_err err;
    uint32_t kept;                    /* unchanged partitions whose checkpoint was kept */
    uint64_t min_need[RT_SHARDS_MAX]; /* lowest need of this shard's checkpoints, per shard */
    uint64_t horizon;                 /* trim: this shard's segments ending before it go */
    uint32_t removed;
} eng_ckpt_job;

static void eng_ckpt_unlink_quietly(const char *path) {
    rt_err err;
    rt_err_clear(&err);
    if (!rt_file_unlink(path, &err)) rt_log(RT_LOG_WARNING, NULL, "%s", err.message);
}

/* Files of `old` not kept in `fresh` are superseded (or their table is gone): deletes them. */
static void eng_ckpt_drop_replaced(const eng_ckpt_map *old, eng_ckpt_map *fresh) {
    for (uint32_t i = 0; i < old->cap; i++) {
        const eng_ckpt_entry *e = &old->e[i];
        if (!e->used) continue;
        const eng_ckpt_entry *f = eng_ckpt_map_find(fresh, e->storage_id, e->partno, false);
        if (f != NULL && f->file_id == e->file_id) continue;
        char path[600];
        eng_ckpt_part_path(path, sizeof path, e->storage_id, e->partno, e->file_id);
        eng_ckpt_unlink_quietly(path);
    }
}

/* The partitions of this shard as of now (the map may grow while the checkpoint yields). */
static eng_part **eng_ckpt_shard_parts(uint32_t *count) {
    eng_pmap *m = &eng_shard_self()->parts;
    eng_part **parts = rt_xmalloc((m->count + 1u) * sizeof *parts);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->cap; i++) {
        if (m->entries[i].hash != 0 && m->entries[i].part != NULL) parts[n++] = m->entries[i].part;
    }
    *count = n;
    return parts;
}

static bool eng_ckpt_shard_write_all(eng_ckpt_job *job, eng_ckpt_map *fresh, rt_err *err) {
    eng_ckpt_shard *cs = &eng_ckpt_shards[rt_core_id()];
    uint32_t n;
    eng_part **parts = eng_ckpt_shard_parts(&n);
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        if (!eng_ckpt_part_wanted(parts[i], job->at_stop)) continue;
        const eng_ckpt_entry *old = eng_ckpt_map_find(&cs->reg, parts[i]->storage_id,
                                                      parts[i]->partition_no, false);
        /* An unlogged partition's changes leave no WAL to tell: it is always written. */
        if (parts[i]->logged && eng_ckpt_complete(parts[i], old, rt_core_id())) {
            *eng_ckpt_map_find(fresh, old->storage_id, old->partno, true) = *old;
            job->kept++; /* needs no WAL: left out of the horizons */
            continue;
        }
        eng_ckpt_written wr;
        ok = eng_ckpt_part_write(parts[i], &wr, err);
        if (!ok) break;
        eng_ckpt_entry *e = eng_ckpt_map_find(fresh, parts[i]->storage_id,
                                              parts[i]->partition_no, true);
        e->file_id = wr.file_id;
        e->need = wr.need;
        for (uint32_t j = 0; j < wr.need.shard_count; j++) {
            if (wr.need.lsn[j] < job->min_need[j]) job->min_need[j] = wr.need.lsn[j];
        }
        atomic_fetch_add(&cs->parts_written, 1);
        atomic_fetch_add(&cs->rows_written, wr.rows);
        atomic_fetch_add(&cs->bytes_written, wr.bytes);
        rt_fiber_maybe_yield();
    }
    rt_free(parts);
    return ok;
}

/* Checkpoints every logged partition of this shard; on success the registry names the new
 * files (durable: the directory is synced) and the superseded ones are deleted. */
static bool eng_ckpt_shard_checkpoint(eng_ckpt_job *job, rt_err *err) {
    eng_ckpt_shard *cs = &eng_ckpt_shards[rt_core_id()];
    eng_shard *sh = eng_shard_self();
    if (sh->wal != NULL) cs->trigger_base = eng_wal_appended_lsn(sh->wal);
    cs->requested = false;
    for (uint32_t j = 0; j < RT_SHARDS_MAX; j++) job->min_need[j] = UINT64_MAX;
    eng_ckpt_map fresh;
    memset(&fresh, 0, sizeof fresh);
    char dir[520];
    eng_ckpt_dir_path(dir, sizeof dir);
    bool ok = eng_ckpt_shard_write_all(job, &fresh, err);
    if (ok && fresh.count > 0) ok = rt_dir_sync(dir, err);
    if (!ok) {
        eng_ckpt_map_free(&fresh); /* files written stay: newer than the registry, harmless */
        return false;
    }
    eng_ckpt_drop_replaced(&cs->reg, &fresh);
    eng_ckpt_map_free(&cs->reg);
    cs->reg = fresh;
    return true;
}

static void eng_ckpt_job_checkpoint(void *arg) {
    eng_ckpt_job *job = arg;
    job->ok = eng_ckpt_shard_checkpoint(job, &job->err);
}

static void eng_ckpt_job_trim(void *arg) {
    eng_ckpt_job *job = arg;
    eng_shard *sh = eng_shard_self();
    job->ok = sh->wal == NULL || eng_wal_trim(sh->wal, job->horizon, &job->removed, &job->err);
}

/* ---- rounds ---- */

/* A new catalog checkpoint is durable: it replaces the previous one. */
static void eng_ckpt_catalog_done(const eng_ckpt_written *cat) {
    if (eng_ckpt_g.catalog_known && eng_ckpt_g.catalog_file_id != cat->file_id) {
        char path[600];
        eng_ckpt_catalog_path(path, sizeof path, eng_ckpt_g.catalog_file_id);
        eng_ckpt_unlink_quietly(path);
    }
    eng_ckpt_note_loaded_catalog(cat->file_id, &cat->need);
}

/* Runs fn(job) on every shard and waits; false with the first error. */
static bool eng_ckpt_on_all(eng_ckpt_job *jobs, void (*fn)(void *), rt_err *err) {
    uint32_t n = eng_ckpt_g.shard_count;
    rt_remote_call *calls = rt_xcalloc(n, sizeof *calls);
    rt_wg wg = {0};
    for (uint32_t s = 0; s < n; s++) {
        jobs[s].ok = false;
        rt_err_clear(&jobs[s].err);
        rt_run_on_wg(&calls[s], s, fn, &jobs[s], &wg);
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint32_t s = 0; s < n && ok; s++) {
        if (!calls[s].ran) {
            *err = calls[s].err;
            ok = false;
        } else if (!jobs[s].ok) {
            *err = jobs[s].err;
            ok = false;
        }
    }
    rt_free(calls);
    return ok;
}

/* Deletes the WAL segments of older boots (every checkpoint is of this boot now). */
static bool eng_ckpt_trim_old_boots(uint32_t *removed, rt_err *err) {
    eng_wal_segment *segs;
    uint32_t n;
    if (!eng_wal_list(eng_data_dir(), &segs, &n, err)) return false;
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        if (segs[i].boot >= eng_ckpt_g.boot) continue;
        ok = rt_file_unlink(segs[i].path, err);
        if (ok) (*removed)++;
    }
    rt_free(segs);
    return ok;
}

static bool eng_ckpt_round(rt_err *err) {
    uint32_t n = eng_ckpt_g.shard_count;
    eng_ckpt_written cat;
    if (!eng_ckpt_catalog_write(&cat, err)) return false;
    eng_ckpt_catalog_done(&cat);
    eng_ckpt_job *jobs = rt_xcalloc(n, sizeof *jobs);
    bool ok = eng_ckpt_on_all(jobs, eng_ckpt_job_checkpoint, err);
    if (ok) {
        for (uint32_t j = 0; j < n; j++) {
            uint64_t h = cat.need.lsn[j];
            for (uint32_t s = 0; s < n; s++) {
                if (jobs[s].min_need[j] < h) h = jobs[s].min_need[j];
            }
            jobs[j].horizon = h;
        }
        ok = eng_ckpt_allowed(err) && eng_ckpt_on_all(jobs, eng_ckpt_job_trim, err);
    }
    uint32_t removed = 0;
    for (uint32_t s = 0; s < n; s++) removed += jobs[s].removed;
    if (ok) ok = eng_ckpt_trim_old_boots(&removed, err);
    atomic_fetch_add(&eng_ckpt_g.segments_removed, removed);
    rt_free(jobs);
    return ok;
}

bool eng_checkpoint_all(rt_err *err) {
    RT_ASSERT(rt_fiber_self() != NULL);
    eng_ckpt_lock();
    uint64_t t0 = rt_time_mono_ns();
    bool ok = eng_ckpt_round(err);
    eng_ckpt_unlock();
    if (!ok) {
        atomic_fetch_add(&eng_ckpt_g.failures, 1);
        rt_log(RT_LOG_WARNING, NULL, "checkpoint failed, the WAL is kept: %s", err->message);
        return false;
    }
    atomic_fetch_add(&eng_ckpt_g.rounds, 1);
    char fields[64];
    uint64_t ms = (rt_time_mono_ns() - t0) / RT_NS_PER_MS;
    snprintf(fields, sizeof fields, "ms=%" PRIu64, ms);
    rt_log(RT_LOG_DEBUG, fields, "checkpoint complete");
    return true;
}

static void eng_ckpt_trigger_fiber(void *arg) {
    (void)arg;
    rt_err err;
    rt_err_clear(&err);
    if (atomic_load(&eng_ckpt_g.busy) || rt_runtime_stopping()) {
        eng_ckpt_shards[rt_core_id()].requested = false;
        return;
    }
    eng_checkpoint_all(&err); /* a failure is logged; the next trigger tries again */
}

void eng_ckpt_note_wal(eng_wal *wal) {
    eng_ckpt_shard *cs = &eng_ckpt_shards[rt_core_id()];
    if (eng_wal_appended_lsn(wal) - cs->trigger_base < eng_ckpt_g.trigger_bytes) return;
    if (cs->requested || atomic_load(&eng_ckpt_g.busy) || rt_runtime_stopping()) return;
    cs->requested = true;
    cs->trigger_base = eng_wal_appended_lsn(wal); /* a failed round waits for more volume */
    rt_err err;
    rt_err_clear(&err);
    if (rt_fiber_spawn(eng_ckpt_trigger_fiber, NULL, &err) == NULL) cs->requested = false;
}

/* ---- shutdown ---- */

static void eng_ckpt_close_wal(void) {
    eng_shard *sh = eng_shard_self();
    eng_wal_close(sh->wal, &sh->wal); /* the shard's last commits still use it */
}

static void eng_ckpt_stop_fiber(void *arg) {
    (void)arg;
    eng_ckpt_lock();
    rt_err err;
    rt_err_clear(&err);
    bool ok = true;
    if (rt_core_id() == 0) {
        eng_ckpt_written cat;
        ok = eng_ckpt_catalog_write(&cat, &err);
        if (ok) eng_ckpt_catalog_done(&cat);
        eng_ckpt_g.catalog_stop_ok = ok;
    }
    eng_ckpt_job job;
    memset(&job, 0, sizeof job);
    job.at_stop = true;
    if (ok) ok = eng_ckpt_shard_checkpoint(&job, &err);
    eng_ckpt_unlock();
    if (!ok) {
        rt_log(RT_LOG_WARNING, NULL, "shutdown checkpoint of shard %u failed: %s", rt_core_id(),
               err.message);
    }
    eng_ckpt_shards[rt_core_id()].stop_ok = ok;
    eng_ckpt_close_wal();
}

void eng_ckpt_shard_stop(void) {
    eng_shard *sh = eng_shard_self();
    eng_ckpt_shards[rt_core_id()].stop_ok = false;
    if (sh->wal == NULL) return;
    if (!eng_ckpt_g.at_stop || eng_wal_failed(sh->wal, NULL)) {
        eng_ckpt_close_wal();
        return;
    }
    rt_err err;
    rt_err_clear(&err);
    if (rt_fiber_spawn(eng_ckpt_stop_fiber, NULL, &err) == NULL) eng_ckpt_close_wal();
}

/* Lowers the horizons to the needs of shard s's checkpoints, but those of unchanged
 * partitions (they need no WAL). */
static void eng_ckpt_stop_needs(eng_ckpt_map *reg, eng_pmap *parts, uint32_t s,
                                uint64_t *horizon) {
    for (uint32_t i = 0; i < reg->cap; i++) {
        const eng_ckpt_entry *e = &reg->e[i];
        if (!e->used) continue;
        const eng_part *p = eng_pmap_get(parts, e->storage_id, e->partno);
        if (p != NULL && eng_ckpt_complete(p, e, s)) continue;
        for (uint32_t j = 0; j < e->need.shard_count; j++) {
            if (e->need.lsn[j] < horizon[j]) horizon[j] = e->need.lsn[j];
        }
    }
}

/* The lowest need of every shard's log among all registered checkpoints of this boot; false
 * if some checkpoint is of an older boot or a logged partition has none. Off the shards. */
static bool eng_ckpt_stop_horizons(uint64_t *horizon) {
    uint32_t n = eng_ckpt_g.shard_count;
    if (eng_ckpt_g.catalog_need.boot != eng_ckpt_g.boot) return false;
    for (uint32_t j = 0; j < n; j++) horizon[j] = eng_ckpt_g.catalog_need.lsn[j];
    for (uint32_t s = 0; s < n; s++) {
        eng_ckpt_map *reg = &eng_ckpt_shards[s].reg;
        for (uint32_t i = 0; i < reg->cap; i++) {
            const eng_ckpt_entry *e = &reg->e[i];
            if (e->used && (e->need.boot != eng_ckpt_g.boot || e->need.shard_count != n)) {
                return false;
            }
        }
        eng_pmap *parts = &eng_global.shards[s].parts;
        for (uint32_t i = 0; i < parts->cap; i++) {
            const eng_part *p = parts->entries[i].part;
            if (parts->entries[i].hash == 0 || p == NULL || !eng_ckpt_part_wanted(p, false)) {
                continue;
            }
            if (eng_ckpt_map_find(reg, p->storage_id, p->partition_no, false) == NULL) return false;
        }
        eng_ckpt_stop_needs(reg, parts, s, horizon);
    }
    return true;
}

/* After an orderly shutdown checkpoint of every shard: the WAL they cover goes. */
static void eng_ckpt_trim_at_stop(void) {
    uint64_t horizon[RT_SHARDS_MAX];
    if (!eng_ckpt_stop_horizons(horizon)) return;
    eng_wal_segment *segs;
    uint32_t n, removed = 0;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_wal_list(eng_data_dir(), &segs, &n, &err)) return;
    for (uint32_t i = 0; i < n; i++) {
        const eng_wal_segment *s = &segs[i];
        bool old = s->boot < eng_ckpt_g.boot;
        bool covered = s->boot == eng_ckpt_g.boot && s->shard < eng_ckpt_g.shard_count &&
                       s->header_ok && eng_wal_segment_end_lsn(s) <= horizon[s->shard];
        if (!old && !covered) continue;
        if (!rt_file_unlink(s->path, &err)) break;
        removed++;
    }
    rt_free(segs);
    atomic_fetch_add(&eng_ckpt_g.segments_removed, removed);
}

/* ---- the clean-shutdown marker ---- */

static void eng_ckpt_clean_path(char *out, size_t size) {
    snprintf(out, size, "%s/clean_shutdown", eng_data_dir());
}

/* Every shard's shutdown checkpoint, unlogged tables' included, is durable: the next start may
 * load the unlogged ones (written as .tmp, synced, renamed, the directory synced). */
static void eng_ckpt_mark_clean(void) {
    char path[600], tmp[620], text[32];
    eng_ckpt_clean_path(path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(text, sizeof text, "boot %u\n", eng_ckpt_g.boot);
    rt_err err;
    rt_err_clear(&err);
    if (!rt_file_replace(path, tmp, eng_data_dir(), text, (size_t)n, &err)) {
        rt_log(RT_LOG_WARNING, NULL, "clean shutdown not recorded, unlogged tables will start "
               "empty: %s", err.message);
    }
}

uint32_t eng_ckpt_clean_boot(void) {
    char path[600];
    eng_ckpt_clean_path(path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    unsigned boot = 0;
    if (fscanf(f, "boot %u", &boot) != 1) boot = 0;
    fclose(f);
    return boot;
}

bool eng_ckpt_clean_consume(rt_err *err) {
    char path[600], tmp[620];
    eng_ckpt_clean_path(path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (unlink(tmp) != 0 && errno != ENOENT) {
        return rt_err_from_errno(err, errno, "could not remove \"%s\"", tmp);
    }
    if (unlink(path) != 0) {
        if (errno == ENOENT) return true;
        return rt_err_from_errno(err, errno, "could not remove \"%s\"", path);
    }
    return rt_dir_sync(eng_data_dir(), err);
}

void eng_ckpt_stop(void) {
    /* An engine start that failed before eng_ckpt_start leaves the last run's state here (its
     * shard count, its stop flags): nothing of it may decide about this run's WAL. */
    bool trim = eng_ckpt_g.started && eng_ckpt_g.at_stop && eng_ckpt_g.catalog_stop_ok &&
                !eng_wal_any_failed();
    eng_ckpt_g.started = false;
    for (uint32_t s = 0; s < eng_ckpt_g.shard_count; s++) trim &= eng_ckpt_shards[s].stop_ok;
    if (trim) {
        eng_ckpt_trim_at_stop();
        eng_ckpt_mark_clean();
    }
    for (uint32_t s = 0; s < RT_SHARDS_MAX; s++) eng_ckpt_map_free(&eng_ckpt_shards[s].reg);
    eng_ckpt_map_free(&eng_ckpt_g.loaded);
}

/* ---- the startup scan ---- */

static int eng_ckpt_file_cmp(const void *a, const void *b) {
    const eng_ckpt_file *x = a, *y = b;
    if (x->storage_id != y->storage_id) return x->storage_id < y->storage_id ? -1 : 1;
    if (x->partno != y->partno) return x->partno < y->partno ? -1 : 1;
    return x->file_id < y->file_id ? -1 : x->file_id > y->file_id;
}

static void eng_ckpt_supersede(const char *path) {
    size_t bytes = (eng_ckpt_superseded_count + 1u) * sizeof *eng_ckpt_superseded;
    eng_ckpt_superseded = rt_xrealloc(eng_ckpt_superseded, bytes);
    snprintf(eng_ckpt_superseded[eng_ckpt_superseded_count++], 600, "%s", path);
}

void eng_ckpt_discard(const char *path) { eng_ckpt_supersede(path); }

void eng_ckpt_scan_done(bool recovered) {
    for (uint32_t i = 0; recovered && i < eng_ckpt_superseded_count; i++) {
        eng_ckpt_unlink_quietly(eng_ckpt_superseded[i]);
    }
    rt_free(eng_ckpt_superseded);
    eng_ckpt_superseded = NULL;
    eng_ckpt_superseded_count = 0;
}

/* Sorts the partition files and keeps the newest of each partition; older ones are noted
 * for deletion once recovery succeeded. */
static uint32_t eng_ckpt_keep_newest(eng_ckpt_file *files, uint32_t n) {
    if (n > 0) qsort(files, n, sizeof *files, eng_ckpt_file_cmp);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool superseded = i + 1 < n && files[i + 1].storage_id == files[i].storage_id &&
                          files[i + 1].partno == files[i].partno;
        if (superseded) {
            eng_ckpt_supersede(files[i].path);
        } else {
            files[kept++] = files[i];
        }
    }
    return kept;
}

/* Classifies one directory entry: a partition file, a catalog file, or to be deleted. */
static void eng_ckpt_scan_entry(const char *dir, const char *name, eng_ckpt_file **parts,
                                uint32_t *n, uint32_t *cap, eng_ckpt_file *catalog) {
    char path[600];
    size_t len = strlen(name);
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return;
    if (len > 4 && strcmp(name + len - 4, ".tmp") == 0) { /* never renamed: incomplete */
        eng_ckpt_unlink_quietly(path);
        return;
    }
    unsigned long long storage, id;
    unsigned partno;
    char tail[8];
    if (len == 48 && sscanf(name, "p-%16llx-%8x-%16llx.%3s", &storage, &partno, &id, tail) == 4 &&
        strcmp(tail, "ckp") == 0) {
        if (*n == *cap) {
            *cap = *cap == 0 ? 64 : *cap * 2;
            *parts = rt_xrealloc(*parts, *cap * sizeof(eng_ckpt_file));
        }
        eng_ckpt_file *f = &(*parts)[(*n)++];
        *f = (eng_ckpt_file){.storage_id = storage, .partno = partno, .file_id = id};
        snprintf(f->path, sizeof f->path, "%s", path);
    } else if (len == 28 && sscanf(name, "catalog-%16llx.%3s", &id, tail) == 2 &&
               strcmp(tail, "ckp") == 0) {
        if (catalog->path[0] != '\0' && catalog->file_id > id) {
            eng_ckpt_supersede(path);
            return;
        }
        if (catalog->path[0] != '\0') eng_ckpt_supersede(catalog->path);
        catalog->file_id = id;
        snprintf(catalog->path, sizeof catalog->path, "%s", path);
    }
}

bool eng_ckpt_scan(eng_ckpt_file **parts, uint32_t *part_count, eng_ckpt_file *catalog,
                   rt_err *err) {
    char dir[520];
    eng_ckpt_dir_path(dir, sizeof dir);
    *parts = NULL;
    *part_count = 0;
    memset(catalog, 0, sizeof *catalog);
    eng_ckpt_scan_done(false);
    if (!rt_dir_make(dir, err)) return false;
    DIR *d = opendir(dir);
    if (d == NULL) return rt_err_from_errno(err, errno, "could not open directory \"%s\"", dir);
    uint32_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        eng_ckpt_scan_entry(dir, e->d_name, parts, part_count, &cap, catalog);
    }
    closedir(d);
    *part_count = eng_ckpt_keep_newest(*parts, *part_count);
    return true;
}
