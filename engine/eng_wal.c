/* eng_wal.c: the per-shard WAL: appending, the group-commit flusher, segment files and their
 * headers, pins and published floors, trimming, reading. */
#include "engine/eng_wal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_crc32c.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

#define ENG_WAL_SEGMENT_MAGIC 0x4c574244u /* "DBWL" */

/* One pinned LSN and how many pins name it; the ring keeps them in append (LSN) order. */
typedef struct eng_wal_pinned {
    uint64_t lsn;
    uint32_t count;
} eng_wal_pinned;

struct eng_wal {
    uint32_t shard, boot, seq;
    char dir[400];
    int fd;
    uint64_t file_off;
    uint64_t segment_bytes;
    uint8_t *pend;           /* records appended since the flusher took the last batch */
    uint64_t pend_len, pend_cap;
    uint8_t *wbuf;           /* the batch being written */
    uint64_t wbuf_cap;
    uint64_t appended_lsn;
    uint64_t written_lsn;    /* end of the data handed to the current segment */
    uint64_t flushed_lsn;
    eng_wal_waiter *head, *tail;
    rt_fiber *flusher;       /* frees the WAL when it ends after eng_wal_close() */
    eng_wal **owner;         /* cleared when the flusher frees the WAL */
    bool flusher_idle;
    bool closing;
    bool failed;
    bool fail_next_sync;
    rt_err fail_err;
    /* Segments of this boot still on disk, oldest first: seqs[i] starts at starts[i]. */
    uint32_t *seg_seqs;
    uint64_t *seg_starts;
    uint32_t seg_count, seg_cap;
    /* Pins: a ring of pin_cap (a power of two) entries, pin_len used from pin_head. */
    eng_wal_pinned *pins;
    uint32_t pin_head, pin_len, pin_cap;
};

static uint64_t eng_wal_segment_bytes_cfg;
static _Atomic uint64_t eng_wal_floors[RT_SHARDS_MAX];
static _Atomic bool eng_wal_some_failed;
/* Per shard, written by that shard only (no shared cache line on the commit path). */
static struct {
    _Alignas(64) _Atomic uint64_t records, syncs, bytes;
} eng_wal_counts[RT_SHARDS_MAX];

static void eng_wal_count(_Atomic uint64_t *counter, uint64_t n) {
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

eng_wal_totals eng_wal_get_totals(void) {
    eng_wal_totals t = {0};
    for (uint32_t i = 0; i < RT_SHARDS_MAX; i++) {
        t.records += atomic_load_explicit(&eng_wal_counts[i].records, memory_order_relaxed);
        t.syncs += atomic_load_explicit(&eng_wal_counts[i].syncs, memory_order_relaxed);
        t.bytes += atomic_load_explicit(&eng_wal_counts[i].bytes, memory_order_relaxed);
    }
    return t;
}

void eng_wal_set_segment_bytes(uint64_t bytes) {
    if (bytes != 0 && bytes < ENG_WAL_SEGMENT_BYTES_MIN) bytes = ENG_WAL_SEGMENT_BYTES_MIN;
    eng_wal_segment_bytes_cfg = bytes;
}

void eng_wal_floors_reset(void) {
    for (uint32_t i = 0; i < RT_SHARDS_MAX; i++) atomic_store(&eng_wal_floors[i], 0);
    atomic_store(&eng_wal_some_failed, false);
    for (uint32_t i = 0; i < RT_SHARDS_MAX; i++) {
        atomic_store(&eng_wal_counts[i].records, 0);
        atomic_store(&eng_wal_counts[i].syncs, 0);
        atomic_store(&eng_wal_counts[i].bytes, 0);
    }
}

bool eng_wal_any_failed(void) { return atomic_load(&eng_wal_some_failed); }

uint64_t eng_wal_floor(uint32_t shard) {
    RT_ASSERT(shard < RT_SHARDS_MAX);
    return atomic_load_explicit(&eng_wal_floors[shard], memory_order_acquire);
}

/* ---- pins and floors ---- */

static void eng_wal_publish_floor(eng_wal *wal) {
    uint64_t floor = wal->pin_len > 0 ? wal->pins[wal->pin_head].lsn : wal->appended_lsn;
    atomic_store_explicit(&eng_wal_floors[wal->shard], floor, memory_order_release);
}

static eng_wal_pinned *eng_wal_pin_at(eng_wal *wal, uint32_t i) {
    return &wal->pins[(wal->pin_head + i) & (wal->pin_cap - 1)];
}

uint64_t eng_wal_pin(eng_wal *wal) {
    RT_ASSERT(rt_core_id() == wal->shard);
    uint64_t lsn = wal->appended_lsn;
    if (wal->pin_len > 0 && eng_wal_pin_at(wal, wal->pin_len - 1)->lsn == lsn) {
        eng_wal_pin_at(wal, wal->pin_len - 1)->count++;
        return lsn;
    }
    if (wal->pin_len == wal->pin_cap) {
        uint32_t cap = wal->pin_cap == 0 ? 64 : wal->pin_cap * 2;
        eng_wal_pinned *fresh = rt_xmalloc(cap * sizeof *fresh);
        for (uint32_t i = 0; i < wal->pin_len; i++) fresh[i] = *eng_wal_pin_at(wal, i);
        rt_free(wal->pins);
        wal->pins = fresh;
        wal->pin_cap = cap;
        wal->pin_head = 0;
    }
    *eng_wal_pin_at(wal, wal->pin_len++) = (eng_wal_pinned){.lsn = lsn, .count = 1};
    eng_wal_publish_floor(wal);
    return lsn;
}

void eng_wal_unpin(eng_wal *wal, uint64_t pin) {
    RT_ASSERT(rt_core_id() == wal->shard);
    uint32_t lo = 0, hi = wal->pin_len;
    while (lo < hi) { /* entries are sorted by LSN: binary search */
        uint32_t mid = lo + (hi - lo) / 2;
        if (eng_wal_pin_at(wal, mid)->lsn < pin) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    RT_ASSERT(lo < wal->pin_len);
    eng_wal_pinned *e = eng_wal_pin_at(wal, lo);
    RT_ASSERT(e->lsn == pin && e->count > 0);
    e->count--;
    if (lo != 0) return;
    while (wal->pin_len > 0 && eng_wal_pin_at(wal, 0)->count == 0) {
        wal->pin_head = (wal->pin_head + 1) & (wal->pin_cap - 1);
        wal->pin_len--;
    }
    eng_wal_publish_floor(wal);
}

/* ---- segments ---- */

static void eng_wal_segment_path(const eng_wal *wal, uint32_t seq, char *path, size_t size) {
    snprintf(path, size, "%s/%08u-%03u-%08u.wal", wal->dir, wal->boot, wal->shard, seq);
}

static void eng_wal_header_encode(uint8_t *h, uint32_t boot, uint32_t shard, uint32_t seq,
                                  uint64_t start_lsn) {
    uint32_t fields[5] = {ENG_WAL_SEGMENT_MAGIC, ENG_WAL_FORMAT, boot, shard, seq};
    memcpy(h, fields, 20);
    memcpy(h + 24, &start_lsn, 8);
    uint32_t crc = rt_crc32c(rt_crc32c(0, h, 20), h + 24, 8);
    memcpy(h + 20, &crc, 4);
}

/* Decodes a segment header; false if it is not a valid header. */
static bool eng_wal_header_decode(const uint8_t *h, uint32_t *boot, uint32_t *shard,
                                  uint32_t *seq, uint64_t *start_lsn) {
    uint32_t fields[5], crc;
    memcpy(fields, h, 20);
    memcpy(&crc, h + 20, 4);
    if (fields[0] != ENG_WAL_SEGMENT_MAGIC || fields[1] != ENG_WAL_FORMAT) return false;
    if (crc != rt_crc32c(rt_crc32c(0, h, 20), h + 24, 8)) return false;
    *boot = fields[2];
    *shard = fields[3];
    *seq = fields[4];
    memcpy(start_lsn, h + 24, 8);
    return true;
}

static void eng_wal_segment_note(eng_wal *wal, uint32_t seq, uint64_t start_lsn) {
    if (wal->seg_count == wal->seg_cap) {
        wal->seg_cap = wal->seg_cap == 0 ? 8 : wal->seg_cap * 2;
        wal->seg_seqs = rt_xrealloc(wal->seg_seqs, wal->seg_cap * sizeof(uint32_t));
        wal->seg_starts = rt_xrealloc(wal->seg_starts, wal->seg_cap * sizeof(uint64_t));
    }
    wal->seg_seqs[wal->seg_count] = seq;
    wal->seg_starts[wal->seg_count] = start_lsn;
    wal->seg_count++;
}

/* Creates segment wal->seq whose first record will have LSN `start_lsn`; writes its header.
 * The header becomes durable with the first batch's fdatasync; the directory entry at once. */
static bool eng_wal_open_segment(eng_wal *wal, uint64_t start_lsn, rt_err *err) {
    char path[512];
    eng_wal_segment_path(wal, wal->seq, path, sizeof path);
    wal->fd = rt_file_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600, err);
    if (wal->fd < 0) return false;
    uint8_t h[ENG_WAL_SEGMENT_HEADER_BYTES];
    memset(h, 0, sizeof h);
    eng_wal_header_encode(h, wal->boot, wal->shard, wal->seq, start_lsn);
    if (!rt_file_write(wal->fd, h, sizeof h, 0, err)) return false;
    wal->file_off = sizeof h;
    eng_wal_segment_note(wal, wal->seq, start_lsn);
    /* The new file's directory entry must be durable before a record in it is acknowledged. */
    return rt_dir_sync(wal->dir, err);
}

bool eng_wal_trim(eng_wal *wal, uint64_t horizon_lsn, uint32_t *removed, rt_err *err) {
    RT_ASSERT(rt_core_id() == wal->shard);
    /* The last listed segment is the one being written: never removed. */
    while (wal->seg_count > 1 && wal->seg_starts[1] <= horizon_lsn) {
        char path[512];
        eng_wal_segment_path(wal, wal->seg_seqs[0], path, sizeof path);
        /* Forget it before unlinking: the unlink parks, the flusher may rotate meanwhile. */
        memmove(wal->seg_seqs, wal->seg_seqs + 1, (wal->seg_count - 1) * sizeof(uint32_t));
        memmove(wal->seg_starts, wal->seg_starts + 1, (wal->seg_count - 1) * sizeof(uint64_t));
        wal->seg_count--;
        if (!rt_file_unlink(path, err)) return false;
        (*removed)++;
    }
    return true;
}

/* ---- the flusher ---- */

static void eng_wal_fail(eng_wal *wal, const rt_err *err) {
    atomic_store(&eng_wal_some_failed, true); /* before any waiter learns of it */
    wal->failed = true;
    wal->fail_err = *err;
    wal->fail_err.severity = RT_SEV_PANIC;
    rt_log(RT_LOG_FATAL, NULL, "WAL of shard %u failed, the server stops: %s", wal->shard,
           err->message);
    while (wal->head != NULL) {
        eng_wal_waiter *w = wal->head;
        wal->head = w->next;
        w->done(w, &wal->fail_err);
    }
    wal->tail = NULL;
    rt_runtime_stop();
}

static void eng_wal_wake_durable(eng_wal *wal) {
    while (wal->head != NULL && wal->head->lsn <= wal->flushed_lsn) {
        eng_wal_waiter *w = wal->head;
        wal->head = w->next;
        if (wal->head == NULL) wal->tail = NULL;
        w->done(w, NULL);
    }
}

/* Writes and fdatasyncs one batch ending at LSN `end_lsn`; rotates a full segment. */
static bool eng_wal_flush_batch(eng_wal *wal, uint64_t len, uint64_t end_lsn, rt_err *err) {
    if (!rt_file_write(wal->fd, wal->wbuf, len, wal->file_off, err)) return false;
    wal->file_off += len;
    wal->written_lsn = end_lsn;
    if (wal->fail_next_sync) {
        wal->fail_next_sync = false;
        return rt_err_set(err, SQLSTATE_IO_ERROR, "could not fsync WAL segment: injected fault");
    }
    if (!rt_file_sync(wal->fd, true, err)) return false;
    eng_wal_count(&eng_wal_counts[wal->shard].syncs, 1);
    eng_wal_count(&eng_wal_counts[wal->shard].bytes, len);
    if (wal->file_off >= wal->segment_bytes) {
        if (!rt_file_close(wal->fd, err)) return false;
        wal->fd = -1;
        wal->seq++;
        if (!eng_wal_open_segment(wal, end_lsn, err)) return false;
    }
    return true;
}

static void eng_wal_release(eng_wal *wal) {
    rt_err err;
    rt_err_clear(&err);
    if (wal->fd >= 0) rt_file_close(wal->fd, &err);
    rt_free(wal->pend);
    rt_free(wal->wbuf);
    rt_free(wal->seg_seqs);
    rt_free(wal->seg_starts);
    rt_free(wal->pins);
    rt_free(wal);
}

/* The flusher writes batches until the WAL is closed; then it stays until every other fiber
 * of the shard has ended (their last commits still need it), and frees the WAL. */
static void eng_wal_flusher(void *arg) {
    eng_wal *wal = arg;
    for (;;) {
        while (wal->pend_len == 0) {
            if (wal->closing && rt_fiber_count() == 1) {
                if (wal->owner != NULL) *wal->owner = NULL;
                eng_wal_release(wal);
                return;
            }
            wal->flusher_idle = true;
            if (wal->closing) {
                rt_fiber_sleep_ns(RT_NS_PER_MS);
            } else {
                rt_fiber_park();
            }
        }
        wal->flusher_idle = false;
        if (wal->failed) {
            wal->pend_len = 0;
            continue;
        }
        /* Swap buffers: appends during the write go to the other one. */
        uint8_t *buf = wal->pend;
        uint64_t cap = wal->pend_cap, len = wal->pend_len;
        wal->pend = wal->wbuf;
        wal->pend_cap = wal->wbuf_cap;
        wal->pend_len = 0;
        wal->wbuf = buf;
        wal->wbuf_cap = cap;
        uint64_t target = wal->appended_lsn;
        rt_err err;
        rt_err_clear(&err);
        if (!eng_wal_flush_batch(wal, len, target, &err)) {
            eng_wal_fail(wal, &err);
            continue;
        }
        wal->flushed_lsn = target;
        eng_wal_wake_durable(wal);
    }
}

eng_wal *eng_wal_open(const char *data_dir, uint32_t boot, uint32_t shard, rt_err *err) {
    RT_ASSERT(shard < RT_SHARDS_MAX);
    eng_wal *wal = rt_xcalloc(1, sizeof *wal);
    wal->shard = shard;
    wal->boot = boot;
    wal->seq = 1;
    wal->fd = -1;
    wal->segment_bytes = eng_wal_segment_bytes_cfg != 0 ? eng_wal_segment_bytes_cfg
                                                        : ENG_WAL_SEGMENT_BYTES;
    snprintf(wal->dir, sizeof wal->dir, "%s/wal", data_dir);
    atomic_store(&eng_wal_floors[shard], 0);
    if (!rt_dir_make(wal->dir, err) || !eng_wal_open_segment(wal, 0, err)) {
        eng_wal_release(wal);
        return NULL;
    }
    wal->flusher = rt_fiber_spawn(eng_wal_flusher, wal, err);
    if (wal->flusher == NULL) {
        eng_wal_release(wal);
        return NULL;
    }
    return wal;
}

void eng_wal_close(eng_wal *wal, eng_wal **owner) {
    if (wal == NULL) return;
    wal->closing = true;
    wal->owner = owner;
    if (wal->flusher_idle) rt_fiber_wake(wal->flusher);
}

uint64_t eng_wal_append(eng_wal *wal, eng_wal_type type, const void *const *parts,
                        const uint64_t *part_lens, uint32_t nparts, rt_err *err) {
    RT_ASSERT(rt_core_id() == wal->shard);
    if (wal->failed) {
        *err = wal->fail_err;
        return 0;
    }
    uint64_t body = 1;
    for (uint32_t i = 0; i < nparts; i++) body += part_lens[i];
    if (body > ENG_WAL_RECORD_BYTES_MAX) {
        rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                   "transaction too large: %llu bytes of WAL on one shard (limit %llu)",
                   (unsigned long long)body, (unsigned long long)ENG_WAL_RECORD_BYTES_MAX);
        return 0;
    }
    uint64_t need = wal->pend_len + 8 + body;
    if (need > wal->pend_cap) {
        uint64_t cap = wal->pend_cap < 65536 ? 65536 : wal->pend_cap;
        while (cap < need) cap *= 2;
        wal->pend = rt_xrealloc(wal->pend, cap);
        wal->pend_cap = cap;
    }
    uint8_t *rec = wal->pend + wal->pend_len;
    uint32_t len32 = (uint32_t)body;
    memcpy(rec, &len32, 4);
    rec[8] = (uint8_t)type;
    uint64_t off = 9;
    for (uint32_t i = 0; i < nparts; i++) {
        if (part_lens[i] > 0) memcpy(rec + off, parts[i], part_lens[i]);
        off += part_lens[i];
    }
    uint32_t crc = rt_crc32c(rt_crc32c(0, rec, 4), rec + 8, body);
    memcpy(rec + 4, &crc, 4);
    wal->pend_len += 8 + body;
    wal->appended_lsn += 8 + body;
    eng_wal_count(&eng_wal_counts[wal->shard].records, 1);
    if (wal->pin_len == 0) eng_wal_publish_floor(wal);
    if (wal->flusher != NULL && wal->flusher_idle) {
        wal->flusher_idle = false;
        rt_fiber_wake(wal->flusher);
    }
    return wal->appended_lsn;
}

void eng_wal_wait(eng_wal *wal, eng_wal_waiter *w) {
    if (wal->failed) {
        w->done(w, &wal->fail_err);
        return;
    }
    if (w->lsn <= wal->flushed_lsn) {
        w->done(w, NULL);
        return;
    }
    w->next = NULL;
    if (wal->tail != NULL) {
        RT_ASSERT(wal->tail->lsn <= w->lsn);
        wal->tail->next = w;
    } else {
        wal->head = w;
    }
    wal->tail = w;
}

typedef struct eng_wal_fiber_wait {
    eng_wal_waiter w;
    rt_fiber *fiber;
    bool done;
    rt_err err;
} eng_wal_fiber_wait;

static void eng_wal_fiber_done(eng_wal_waiter *w, const rt_err *err) {
    eng_wal_fiber_wait *fw = (eng_wal_fiber_wait *)w;
    fw->done = true;
    if (err != NULL) fw->err = *err;
    rt_fiber_wake(fw->fiber);
}

bool eng_wal_wait_fiber(eng_wal *wal, uint64_t lsn, rt_err *err) {
    eng_wal_fiber_wait fw;
    memset(&fw, 0, sizeof fw);
    fw.w.lsn = lsn;
    fw.w.done = eng_wal_fiber_done;
    fw.fiber = rt_fiber_self();
    rt_err_clear(&fw.err);
    eng_wal_wait(wal, &fw.w);
    while (!fw.done) rt_fiber_park();
    if (rt_err_is_set(&fw.err)) {
        *err = fw.err;
        return false;
    }
    return true;
}

uint64_t eng_wal_flushed_lsn(const eng_wal *wal) { return wal->flushed_lsn; }
uint64_t eng_wal_appended_lsn(const eng_wal *wal) { return wal->appended_lsn; }

bool eng_wal_failed(const eng_wal *wal, rt_err *err) {
    if (wal->failed && err != NULL) *err = wal->fail_err;
    return wal->failed;
}

void eng_wal_fail_next_sync(eng_wal *wal) { wal->fail_next_sync = true; }

/* ---- reading ---- */

bool eng_wal_reader_open(eng_wal_reader *r, const char *path, uint32_t boot, uint32_t shard,
                         uint32_t seq, rt_err *err) {
    memset(r, 0, sizeof *r);
    r->fd = rt_file_open(path, O_RDONLY, 0, err);
    if (r->fd < 0) return false;
    uint64_t size;
    if (!rt_file_size(r->fd, &size, err)) {
        eng_wal_reader_close(r);
        return false;
    }
    r->buf = rt_xmalloc(size > 0 ? size : 1);
    size_t got;
    if (!rt_file_read(r->fd, r->buf, size, 0, &got, err)) {
        eng_wal_reader_close(r);
        return false;
    }
    r->len = got;
    uint32_t hb, hs, hq;
    if (got < ENG_WAL_SEGMENT_HEADER_BYTES ||
        !eng_wal_header_decode(r->buf, &hb, &hs, &hq, &r->start_lsn) || hb != boot ||
        hs != shard || hq != seq) {
        r->bad_header = true;
        r->bad_tail = true;
        r->pos = r->len; /* nothing to read */
        return true;
    }
    r->pos = r->last_good = ENG_WAL_SEGMENT_HEADER_BYTES;
    return true;
}

bool eng_wal_reader_next(eng_wal_reader *r, uint8_t *type, const uint8_t **payload,
                         uint64_t *payload_len) {
    if (r->bad_header) return false;
    if (r->pos + 8 > r->len) {
        r->bad_tail = r->pos != r->len; /* a partial header */
        return false;
    }
    uint32_t len, crc;
    memcpy(&len, r->buf + r->pos, 4);
    memcpy(&crc, r->buf + r->pos + 4, 4);
    if (len == 0 || len > ENG_WAL_RECORD_BYTES_MAX || r->pos + 8 + len > r->len) {
        r->bad_tail = true;
        return false;
    }
    uint32_t actual = rt_crc32c(rt_crc32c(0, r->buf + r->pos, 4), r->buf + r->pos + 8, len);
    if (actual != crc) {
        r->bad_tail = true;
        return false;
    }
    *type = r->buf[r->pos + 8];
    *payload = r->buf + r->pos + 9;
    *payload_len = len - 1;
    r->rec_lsn = r->start_lsn + (r->pos - ENG_WAL_SEGMENT_HEADER_BYTES);
    r->pos += 8 + len;
    r->last_good = r->pos;
    return true;
}

void eng_wal_reader_close(eng_wal_reader *r) {
    rt_err err;
    rt_err_clear(&err);
    if (r->fd >= 0) rt_file_close(r->fd, &err);
    r->fd = -1;
    rt_free(r->buf);
    r->buf = NULL;
}

static int eng_wal_segment_cmp(const void *a, const void *b) {
    const eng_wal_segment *x = a, *y = b;
    if (x->boot != y->boot) return x->boot < y->boot ? -1 : 1;
    if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Fills the header fields of a listed segment (a short or bad header: header_ok false). */
static bool eng_wal_segment_probe(eng_wal_segment *s, rt_err *err) {
    int fd = rt_file_open(s->path, O_RDONLY, 0, err);
    if (fd < 0) return false;
    uint8_t h[ENG_WAL_SEGMENT_HEADER_BYTES];
    size_t got = 0;
    bool ok = rt_file_size(fd, &s->size_bytes, err) && rt_file_read(fd, h, sizeof h, 0, &got, err);
    rt_err ignored;
    rt_err_clear(&ignored);
    rt_file_close(fd, &ignored);
    if (!ok) return false;
    uint32_t boot, shard, seq;
    s->header_ok = got == sizeof h &&
                   eng_wal_header_decode(h, &boot, &shard, &seq, &s->start_lsn) &&
                   boot == s->boot && shard == s->shard && seq == s->seq;
    return true;
}

bool eng_wal_list(const char *data_dir, eng_wal_segment **segments, uint32_t *count,
                  rt_err *err) {
    char dir[480];
    snprintf(dir, sizeof dir, "%s/wal", data_dir);
    *segments = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return true; /* no WAL yet */
    uint32_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint32_t boot, shard, seq;
        char tail[8];
        if (e->d_name[0] == '.') continue;
        if (sscanf(e->d_name, "%8u-%3u-%8u.%3s", &boot, &shard, &seq, tail) != 4) continue;
        if (strcmp(tail, "wal") != 0 || strlen(e->d_name) != 25) continue;
        if (*count == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            *segments = rt_xrealloc(*segments, cap * sizeof(eng_wal_segment));
        }
        eng_wal_segment *s = &(*segments)[(*count)++];
        memset(s, 0, sizeof *s);
        snprintf(s->path, sizeof s->path, "%s/%s", dir, e->d_name);
        s->boot = boot;
        s->shard = shard;
        s->seq = seq;
    }
    closedir(d);
    if (*count > 0) qsort(*segments, *count, sizeof(eng_wal_segment), eng_wal_segment_cmp);
    for (uint32_t i = 0; i < *count; i++) {
        if (!eng_wal_segment_probe(&(*segments)[i], err)) {
            rt_free(*segments);
            *segments = NULL;
            *count = 0;
            return false;
        }
    }
    return true;
}

uint64_t eng_wal_segment_end_lsn(const eng_wal_segment *seg) {
    if (!seg->header_ok) return 0;
    return seg->start_lsn + (seg->size_bytes - ENG_WAL_SEGMENT_HEADER_BYTES);
}
