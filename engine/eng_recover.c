/* eng_recover.c: rebuilding the catalog and every partition at start.
 * 1. The newest catalog checkpoint gives a catalog version and the sequences' values; the
 *    newest checkpoint of each partition will give its rows (eng_ckpt.h).
 * 2. Pass 1 reads every WAL segment for 2PC decisions, newer catalog versions and sequence
 *    records past the catalog checkpoint's position.
 * 3. The newest catalog is installed; partition checkpoints of tables it still has are loaded.
 * 4. Pass 2 replays the redo of committed transactions (COMMIT records, and PREPARE records
 *    whose decision was commit) into partitions, in WAL order per shard and boot, skipping
 *    records before the position the partition's checkpoint needs. Redo is logical and
 *    idempotent (full row images keyed by primary key), so replaying from any earlier point
 *    gives the same result.
 * A torn tail (the last record of a shard's last segment of a boot, or a torn segment header
 * there) is cut with a log line; a bad record, a missing segment or a truncated one anywhere
 * else, or a damaged checkpoint, refuses to start: serving would mean serving wrong data. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng_ckpt_int.h"
#include "engine/eng_int.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

typedef struct eng_rec_state {
    uint64_t *committed;     /* gids with a commit decision, sorted after pass 1 */
    uint32_t committed_count, committed_cap;
    eng_catalog *catalog;    /* the newest committed catalog version seen */
    eng_ckpt_need cat_need;  /* where the catalog checkpoint's sequences end (boot 0: none) */
    uint32_t boot, shard;    /* position of the record being read */
    uint64_t lsn;
    uint64_t records;
    uint64_t unlogged_logged; /* storage id of the last unlogged table reported emptied */
    eng_ckpt_stats fig;
} eng_rec_state;

typedef bool (*eng_rec_fn)(eng_rec_state *st, uint8_t type, const uint8_t *p, uint64_t len,
                           rt_err *err);

static int eng_u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool eng_rec_is_committed(const eng_rec_state *st, uint64_t gid) {
    if (st->committed_count == 0) return false;
    return bsearch(&gid, st->committed, st->committed_count, 8, eng_u64_cmp) != NULL;
}

/* True if `seg` is the last segment of its (boot, shard) series. */
static bool eng_rec_last_of_series(const eng_wal_segment *segs, uint32_t n, uint32_t i) {
    return i + 1 == n || segs[i + 1].boot != segs[i].boot || segs[i + 1].shard != segs[i].shard;
}

static bool eng_rec_corrupt_wal(rt_err *err, const char *path, const char *what) {
    rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "WAL segment \"%s\" %s", path, what);
    rt_err_hint(err, "The log is damaged in its middle: refusing to start rather than serve "
                     "wrong data. Restore the data directory from a backup.");
    return false;
}

/* Segments of one series follow each other without gaps: consecutive numbers, and each one
 * starts where the one before ends (a closed segment was fsynced whole before the next). */
static bool eng_rec_check_series(const eng_wal_segment *segs, uint32_t n, rt_err *err) {
    for (uint32_t i = 0; i + 1 < n; i++) {
        if (eng_rec_last_of_series(segs, n, i)) continue;
        const eng_wal_segment *a = &segs[i], *b = &segs[i + 1];
        if (!a->header_ok) return eng_rec_corrupt_wal(err, a->path, "has a damaged header");
        if (b->seq != a->seq + 1) return eng_rec_corrupt_wal(err, b->path, "follows a gap");
        if (b->header_ok && b->start_lsn != eng_wal_segment_end_lsn(a)) {
            return eng_rec_corrupt_wal(err, a->path, "is truncated or overlong");
        }
    }
    return true;
}

/* The log a checkpoint needs must still be there: each series of its boot starts at or before
 * the checkpoint's position in it. */
static bool eng_rec_check_need(const eng_wal_segment *segs, uint32_t n, const eng_ckpt_need *need,
                               const char *what, rt_err *err) {
    for (uint32_t i = 0; i < n; i++) {
        bool first = i == 0 || segs[i - 1].boot != segs[i].boot ||
                     segs[i - 1].shard != segs[i].shard;
        if (!first || segs[i].boot != need->boot || segs[i].shard >= need->shard_count) continue;
        if (segs[i].header_ok && segs[i].start_lsn > need->lsn[segs[i].shard]) {
            rt_err_set(err, SQLSTATE_DATA_CORRUPTED,
                       "WAL of boot %u shard %u is missing from position %" PRIu64
                       ", which %s needs", segs[i].boot, segs[i].shard, need->lsn[segs[i].shard],
                       what);
            rt_err_hint(err, "Refusing to start rather than serve wrong data. Restore the data "
                             "directory from a backup.");
            return false;
        }
    }
    return true;
}

static bool eng_rec_pass1_record(eng_rec_state *st, uint8_t type, const uint8_t *p,
                                 uint64_t len, rt_err *err) {
    if (type == ENG_WAL_DECISION && len >= 9) {
        uint64_t gid;
        memcpy(&gid, p, 8);
        if (p[8] != 1) return true;
        if (st->committed_count == st->committed_cap) {
            st->committed_cap = st->committed_cap == 0 ? 64 : st->committed_cap * 2;
            st->committed = rt_xrealloc(st->committed, st->committed_cap * 8);
        }
        st->committed[st->committed_count++] = gid;
        if (len > 9) {
            eng_catalog *c = eng_catalog_deserialize(p + 9, len - 9, err);
            if (c == NULL) return false;
            if (st->catalog == NULL || eng_catalog_version(c) > eng_catalog_version(st->catalog)) {
                eng_catalog_draft_free(st->catalog);
                st->catalog = c;
            } else {
                eng_catalog_draft_free(c);
            }
        }
    } else if (type == ENG_WAL_SEQUENCE && len >= 17 &&
               eng_ckpt_need_covers(&st->cat_need, st->boot, st->shard, st->lsn)) {
        uint32_t db, seq;
        int64_t value;
        memcpy(&db, p, 4);
        memcpy(&seq, p + 4, 4);
        memcpy(&value, p + 8, 8);
        eng_seq_recover(db, seq, value, p[16] != 0);
    }
    return true;
}

/* Cuts the torn tail of the last segment of a series (never acknowledged: a commit is
 * acknowledged only after the fdatasync that covers it). */
static void eng_rec_cut_tail(const eng_wal_segment *seg, const eng_wal_reader *r) {
    if (r->bad_header) {
        rt_log(RT_LOG_WARNING, NULL, "WAL segment \"%s\" was created just before a crash and "
               "has no complete header: emptied (%llu bytes, never acknowledged)", seg->path,
               (unsigned long long)r->len);
    } else {
        rt_log(RT_LOG_WARNING, NULL, "WAL segment \"%s\": torn tail cut at offset %llu (%llu "
               "bytes dropped; they were never acknowledged)", seg->path,
               (unsigned long long)r->last_good, (unsigned long long)(r->len - r->last_good));
    }
    rt_err err;
    rt_err_clear(&err);
    int fd = rt_file_open(seg->path, O_WRONLY, 0, &err);
    bool ok = fd >= 0 && rt_file_truncate(fd, r->last_good, &err) && rt_file_sync(fd, false, &err);
    if (fd >= 0) rt_file_close(fd, &err);
    if (!ok) rt_log(RT_LOG_WARNING, NULL, "could not truncate \"%s\": %s", seg->path, err.message);
}

/* Reads every segment, calling `fn` per record; checks for corruption. */
static bool eng_rec_scan(const eng_wal_segment *segs, uint32_t n, bool cut_tails, eng_rec_fn fn,
                         eng_rec_state *st, rt_err *err) {
    for (uint32_t i = 0; i < n; i++) {
        eng_wal_reader r;
        if (!eng_wal_reader_open(&r, segs[i].path, segs[i].boot, segs[i].shard, segs[i].seq,
                                 err)) {
            return false;
        }
        st->boot = segs[i].boot;
        st->shard = segs[i].shard;
        uint8_t type;
        const uint8_t *payload;
        uint64_t len;
        bool ok = true;
        while (ok && eng_wal_reader_next(&r, &type, &payload, &len)) {
            st->records++;
            st->lsn = r.rec_lsn;
            ok = fn(st, type, payload, len, err);
        }
        if (ok && r.bad_tail) {
            if (!eng_rec_last_of_series(segs, n, i)) {
                char what[64];
                snprintf(what, sizeof what, "is corrupt at offset %llu, before its end",
                         (unsigned long long)r.last_good);
                ok = eng_rec_corrupt_wal(err, segs[i].path, what);
            } else if (cut_tails) {
                eng_rec_cut_tail(&segs[i], &r);
            }
        }
        eng_wal_reader_close(&r);
        if (!ok) return false;
    }
    return true;
}

/* ---- pass 2: redo ---- */

static bool eng_rec_apply_one(eng_rec_state *st, uint8_t type, eng_codec_r *r, rt_err *err) {
    uint64_t storage = eng_r_u64(r);
    uint32_t partno = eng_r_u32(r);
    const eng_table *t = eng_ckpt_table_of(st->catalog, storage);
    if (t == NULL || partno >= t->partition_count) { /* dropped since, or never committed */
        st->fig.skipped_records++;
        return true;
    }
    const eng_ckpt_need *need = eng_ckpt_loaded_need(storage, partno);
    if (need != NULL && !eng_ckpt_need_covers(need, st->boot, st->shard, st->lsn)) {
        st->fig.skipped_records++; /* its checkpoint holds it already */
        return true;
    }
    eng_part *p = eng_pmap_get(&eng_global.recovered, storage, partno);
    if (p == NULL) {
        p = eng_part_create(t, partno);
        eng_pmap_put(&eng_global.recovered, storage, partno, p);
    }
    st->fig.replayed_records++;
    if (type == ENG_REDO_DELETE) {
        uint32_t klen;
        const uint8_t *key = eng_r_bytes(r, &klen);
        if (key != NULL) eng_part_replay_delete(p, key, klen);
        return true;
    }
    int64_t rowid = (int64_t)eng_r_u64(r);
    sql_value *row = rt_xcalloc(t->column_count + 1u, sizeof(sql_value));
    bool ok = eng_row_decode(r, p, row) && eng_part_replay_upsert(p, row, rowid, err);
    rt_free(row);
    if (!ok && !rt_err_is_set(err)) {
        rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "a WAL row image does not match its table");
    }
    return ok;
}

static bool eng_rec_apply_redo(eng_rec_state *st, const uint8_t *p, uint64_t len, rt_err *err) {
    uint64_t pos = 0;
    while (pos < len) {
        if (len - pos < 5) break;
        uint8_t type = p[pos];
        uint32_t body;
        memcpy(&body, p + pos + 1, 4);
        if (body > len - pos - 5) break;
        eng_codec_r r;
        eng_r_init(&r, p + pos + 5, body);
        bool ok = eng_rec_apply_one(st, type, &r, err);
        eng_r_done(&r);
        if (!ok) return false;
        pos += 5 + body;
    }
    if (pos != len) {
        return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "a WAL commit record has bad redo");
    }
    return true;
}

static bool eng_rec_pass2_record(eng_rec_state *st, uint8_t type, const uint8_t *p,
                                 uint64_t len, rt_err *err) {
    if (type == ENG_WAL_COMMIT && len >= 8) return eng_rec_apply_redo(st, p + 8, len - 8, err);
    if (type == ENG_WAL_PREPARE && len >= 12) {
        uint64_t gid;
        memcpy(&gid, p, 8);
        if (!eng_rec_is_committed(st, gid)) return true; /* no decision: it never committed */
        return eng_rec_apply_redo(st, p + 12, len - 12, err);
    }
    return true;
}

/* ---- checkpoints ---- */

static bool eng_rec_load_catalog(eng_rec_state *st, const eng_ckpt_file *file, rt_err *err) {
    if (file->path[0] == '\0') return true; /* none yet: the WAL has everything */
    eng_ckpt_header h;
    st->catalog = eng_ckpt_catalog_load(file->path, &h, err);
    if (st->catalog == NULL) return false;
    if (h.file_id != file->file_id) return eng_ckpt_corrupt(err, file->path, "wrong file id");
    st->cat_need = h.need;
    eng_ckpt_note_loaded_catalog(h.file_id, &h.need);
    return true;
}

/* An unlogged table's checkpoint is written only by an orderly shutdown and holds its rows
 * only if that shutdown was the last run's (the clean-shutdown marker names its boot; file ids
 * start with the boot that wrote them). Used or not, it is deleted once recovery succeeded:
 * after a later crash the table must start empty, as PostgreSQL's unlogged tables do. */
static bool eng_rec_unlogged_wanted(eng_rec_state *st, const eng_table *t,
                                    const eng_ckpt_file *f) {
    eng_ckpt_discard(f->path);
    bool clean = eng_global.clean_boot != 0 && (f->file_id >> 32) == eng_global.clean_boot;
    if (!clean && st->unlogged_logged != f->storage_id) {
        st->unlogged_logged = f->storage_id;
        rt_log(RT_LOG_INFO, NULL, "unlogged table \"%s\" starts empty: the last run did not "
               "shut down cleanly", t->name);
    }
    return clean;
}

static bool eng_rec_load_part(eng_rec_state *st, const eng_ckpt_file *f,
                              const eng_wal_segment *segs, uint32_t nsegs, rt_err *err) {
    const eng_table *t = eng_ckpt_table_of(st->catalog, f->storage_id);
    if (t == NULL || t->kind != 'r' || f->partno >= t->partition_count ||
        t->persistence == 't') {
        eng_ckpt_discard(f->path); /* its table was dropped: deleted once recovery succeeded */
        return true;
    }
    bool unlogged = t->persistence == 'u';
    if (unlogged && !eng_rec_unlogged_wanted(st, t, f)) return true;
    eng_part *p = eng_part_create(t, f->partno);
    eng_ckpt_header h;
    uint64_t rows = 0;
    bool ok = eng_ckpt_part_load(p, t, f->path, &h, &rows, err);
    if (ok && h.file_id != f->file_id) ok = eng_ckpt_corrupt(err, f->path, "wrong file id");
    /* No check that the WAL from its position on is still there, as for the catalog: the
     * checkpoint of a partition that has not changed since is kept for good while the WAL
     * behind it is trimmed (it needs none of it). */
    (void)segs;
    (void)nsegs;
    if (!ok) {
        eng_part_destroy(p);
        return false;
    }
    eng_pmap_put(&eng_global.recovered, f->storage_id, f->partno, p);
    /* The registry names files rounds keep; an unlogged table's file is gone after start. */
    if (!unlogged) eng_ckpt_note_loaded(f->storage_id, f->partno, h.file_id, &h.need);
    st->fig.recovered_checkpoints++;
    st->fig.recovered_rows += rows;
    return true;
}

/* ---- the whole recovery ---- */

static bool eng_rec_run(eng_rec_state *st, const char *superuser, eng_wal_segment *segs,
                        uint32_t n, rt_err *err) {
    eng_ckpt_file *parts = NULL, catalog;
    uint32_t part_count = 0;
    bool ok = eng_ckpt_scan(&parts, &part_count, &catalog, err) &&
              eng_rec_load_catalog(st, &catalog, err) && eng_rec_check_series(segs, n, err) &&
              (st->cat_need.boot == 0 ||
               eng_rec_check_need(segs, n, &st->cat_need, catalog.path, err)) &&
              eng_rec_scan(segs, n, true, eng_rec_pass1_record, st, err);
    if (ok) {
        if (st->committed_count > 0) qsort(st->committed, st->committed_count, 8, eng_u64_cmp);
        if (st->catalog == NULL) st->catalog = eng_catalog_bootstrap(superuser);
        eng_catalog_install(st->catalog); /* the engine owns it from here */
        for (uint32_t i = 0; ok && i < part_count; i++) {
            ok = eng_rec_load_part(st, &parts[i], segs, n, err);
        }
        st->records = 0;
        ok = ok && eng_rec_scan(segs, n, false, eng_rec_pass2_record, st, err);
    } else if (st->catalog != NULL) {
        eng_catalog_draft_free(st->catalog);
    }
    rt_free(parts);
    eng_ckpt_scan_done(ok);
    return ok;
}

bool eng_recover(const char *superuser, rt_err *err) {
    uint64_t t0 = rt_time_mono_ns();
    eng_wal_segment *segs;
    uint32_t n;
    if (!eng_wal_list(eng_global.data_dir, &segs, &n, err)) return false;
    eng_rec_state st;
    memset(&st, 0, sizeof st);
    bool ok = eng_rec_run(&st, superuser, segs, n, err);
    st.fig.recovered_segments = n;
    st.fig.recovery_ns = rt_time_mono_ns() - t0;
    if (ok) {
        eng_ckpt_note_recovery(&st.fig);
        char fields[256];
        snprintf(fields, sizeof fields,
                 "ms=%" PRIu64 " checkpoints=%" PRIu64 " rows_loaded=%" PRIu64
                 " segments=%u records_replayed=%" PRIu64 " records_skipped=%" PRIu64,
                 (uint64_t)(st.fig.recovery_ns / RT_NS_PER_MS), st.fig.recovered_checkpoints,
                 st.fig.recovered_rows, n, st.fig.replayed_records, st.fig.skipped_records);
        if (n > 0 || st.fig.recovered_checkpoints > 0) {
            rt_log(RT_LOG_INFO, fields, "recovery complete");
        }
    }
    eng_txn_set_clock(ENG_TS_FROZEN + 1);
    rt_free(st.committed);
    rt_free(segs);
    return ok;
}
