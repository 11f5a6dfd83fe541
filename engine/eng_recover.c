/* eng_recover.c: rebuilding the catalog and every partition at start.
 * Pass 1 reads every WAL segment for 2PC decisions, catalog versions and sequence values;
 * pass 2 replays the redo of committed transactions (COMMIT records, and PREPARE records whose
 * decision was commit) into partitions, in WAL order per shard and boot. Redo is logical and
 * idempotent (full row images keyed by primary key), so replaying from any earlier point gives
 * the same result. A torn tail (the last record of a shard's last segment of a boot) is cut
 * with a log line; a bad record anywhere else refuses to start: serving would mean serving
 * wrong data. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng_int.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_mem.h"

typedef struct eng_rec_state {
    uint64_t *committed;     /* gids with a commit decision, sorted after pass 1 */
    uint32_t committed_count, committed_cap;
    eng_catalog *catalog;    /* the newest committed catalog version seen */
    uint64_t records, replayed, skipped;
} eng_rec_state;

static int eng_u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool eng_rec_is_committed(const eng_rec_state *st, uint64_t gid) {
    return bsearch(&gid, st->committed, st->committed_count, 8, eng_u64_cmp) != NULL;
}

/* True if `seg` is the last segment of its (boot, shard) series. */
static bool eng_rec_last_of_series(const eng_wal_segment *segs, uint32_t n, uint32_t i) {
    return i + 1 == n || segs[i + 1].boot != segs[i].boot || segs[i + 1].shard != segs[i].shard;
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
    } else if (type == ENG_WAL_SEQUENCE && len >= 17) {
        uint32_t db, seq;
        int64_t value;
        memcpy(&db, p, 4);
        memcpy(&seq, p + 4, 4);
        memcpy(&value, p + 8, 8);
        eng_seq_recover(db, seq, value, p[16] != 0);
    }
    return true;
}

/* Reads every segment, calling `fn` per record; checks for corruption. */
static bool eng_rec_scan(const eng_wal_segment *segs, uint32_t n, bool cut_tails,
                         bool (*fn)(eng_rec_state *, uint8_t, const uint8_t *, uint64_t,
                                    rt_err *),
                         eng_rec_state *st, rt_err *err) {
    for (uint32_t i = 0; i < n; i++) {
        eng_wal_reader r;
        if (!eng_wal_reader_open(&r, segs[i].path, err)) return false;
        uint8_t type;
        const uint8_t *payload;
        uint64_t len;
        bool ok = true;
        while (ok && eng_wal_reader_next(&r, &type, &payload, &len)) {
            st->records++;
            ok = fn(st, type, payload, len, err);
        }
        if (ok && r.bad_tail) {
            if (!eng_rec_last_of_series(segs, n, i)) {
                rt_err_set(err, SQLSTATE_DATA_CORRUPTED,
                           "WAL segment \"%s\" is corrupt at offset %llu, before its end",
                           segs[i].path, (unsigned long long)r.last_good);
                rt_err_hint(err, "The log is damaged in its middle: refusing to start rather "
                                 "than serve wrong data. Restore the data directory from a "
                                 "backup.");
                ok = false;
            } else if (cut_tails) {
                rt_log(RT_LOG_WARNING, NULL, "WAL segment \"%s\": torn tail cut at offset %llu "
                       "(%llu bytes dropped; they were never acknowledged)", segs[i].path,
                       (unsigned long long)r.last_good, (unsigned long long)(r.len - r.last_good));
                if (truncate(segs[i].path, (off_t)r.last_good) != 0) {
                    rt_log(RT_LOG_WARNING, NULL, "could not truncate \"%s\"", segs[i].path);
                }
            }
        }
        eng_wal_reader_close(&r);
        if (!ok) return false;
    }
    return true;
}

/* ---- pass 2: redo ---- */

static const eng_table *eng_rec_table(const eng_catalog *c, uint64_t storage_id) {
    for (uint32_t d = 0; d < eng_catalog_db_count(c); d++) {
        const eng_database *db = eng_catalog_db_at(c, d);
        for (uint32_t t = 0; t < db->table_count; t++) {
            if (db->tables[t].storage_id == storage_id) return &db->tables[t];
        }
    }
    return NULL;
}

static bool eng_rec_apply_one(eng_rec_state *st, uint8_t type, eng_codec_r *r, rt_err *err) {
    uint64_t storage = eng_r_u64(r);
    uint32_t partno = eng_r_u32(r);
    const eng_table *t = eng_rec_table(st->catalog, storage);
    if (t == NULL || partno >= t->partition_count) { /* dropped since, or never committed */
        st->skipped++;
        return true;
    }
    eng_part *p = eng_pmap_get(&eng_global.recovered, storage, partno);
    if (p == NULL) {
        p = eng_part_create(t, partno);
        eng_pmap_put(&eng_global.recovered, storage, partno, p);
    }
    st->replayed++;
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

bool eng_recover(const char *superuser, rt_err *err) {
    eng_wal_segment *segs;
    uint32_t n;
    if (!eng_wal_list(eng_global.data_dir, &segs, &n, err)) return false;
    eng_rec_state st;
    memset(&st, 0, sizeof st);
    bool ok = eng_rec_scan(segs, n, true, eng_rec_pass1_record, &st, err);
    if (ok) {
        if (st.committed_count > 0) qsort(st.committed, st.committed_count, 8, eng_u64_cmp);
        if (st.catalog == NULL) st.catalog = eng_catalog_bootstrap(superuser);
        eng_catalog_install(st.catalog);
        st.records = 0;
        ok = eng_rec_scan(segs, n, false, eng_rec_pass2_record, &st, err);
    } else if (st.catalog != NULL) {
        eng_catalog_draft_free(st.catalog);
    }
    if (ok && n > 0) {
        char fields[160];
        snprintf(fields, sizeof fields, "segments=%u records=%llu rows_replayed=%llu skipped=%llu",
                 n, (unsigned long long)st.records, (unsigned long long)st.replayed,
                 (unsigned long long)st.skipped);
        rt_log(RT_LOG_INFO, fields, "recovery complete");
    }
    eng_txn_set_clock(ENG_TS_FROZEN + 1);
    rt_free(st.committed);
    rt_free(segs);
    return ok;
}
