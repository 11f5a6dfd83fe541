/* eng_hnsw_io.c: the graph as a byte stream, for checkpoints.
 *
 * Format (little-endian, version 1):
 *   header   "DBHNSW\0\0", u32 version, u8 metric, u8 0, u16 m, u32 dims, u64 rng state,
 *            u32 slot_bound, u64 node_count, u32 entry slot, u32 top level
 *   nodes    node_count records in ascending slot order: u32 slot, u8 height, u8 flags, then
 *            per level 0..height-1: u16 count, count x u32 neighbour slots
 *   trailer  u32 CRC-32C of every byte before it
 * The generator state is saved so levels drawn after a restart continue the same sequence.
 *
 * Reading trusts nothing: every field is range-checked as it arrives (slots ascending and
 * below slot_bound, heights and counts within the parameters' limits, no self or duplicate
 * links), then the checksum, then a second pass checks that every link names a node that
 * exists on that level and that the entry point is a node of the top level. Any failure is
 * XX001 and the partial graph is freed; memory use is bounded by memory_bytes_max as usual. */
#include <stdlib.h>
#include <string.h>

#include "engine/eng_hnsw_int.h"
#include "runtime/rt_crc32c.h"
#include "runtime/rt_mem.h"

#define HNSW_IO_MAGIC "DBHNSW\0\0"
#define HNSW_IO_MAGIC_BYTES 8u
#define HNSW_IO_VERSION 1u
#define HNSW_IO_BUFFER_BYTES (64u * 1024u) /* one write or read callback per 64 KiB */

/* ---- writing ------------------------------------------------------------------------------- */

typedef struct hnsw_writer {
    uint8_t *buf;
    size_t len;
    uint32_t crc;
    bool failed;
    eng_hnsw_write_fn fn;
    void *ctx;
    rt_err *err;
} hnsw_writer;

static void hnsw_w_flush(hnsw_writer *w) {
    if (w->failed || w->len == 0) return;
    if (!w->fn(w->ctx, w->buf, w->len, w->err)) w->failed = true;
    w->len = 0;
}

static void hnsw_w_bytes(hnsw_writer *w, const void *p, size_t n) {
    const uint8_t *b = p;
    w->crc = rt_crc32c(w->crc, b, n);
    while (n > 0 && !w->failed) {
        size_t room = HNSW_IO_BUFFER_BYTES - w->len;
        size_t take = n < room ? n : room;
        memcpy(w->buf + w->len, b, take);
        w->len += take;
        b += take;
        n -= take;
        if (w->len == HNSW_IO_BUFFER_BYTES) hnsw_w_flush(w);
    }
}

static void hnsw_w_u8(hnsw_writer *w, uint8_t v) {
    hnsw_w_bytes(w, &v, 1);
}
static void hnsw_w_u16(hnsw_writer *w, uint16_t v) {
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    hnsw_w_bytes(w, b, 2);
}
static void hnsw_w_u32(hnsw_writer *w, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    hnsw_w_bytes(w, b, 4);
}
static void hnsw_w_u64(hnsw_writer *w, uint64_t v) {
    hnsw_w_u32(w, (uint32_t)v);
    hnsw_w_u32(w, (uint32_t)(v >> 32));
}

/* The nodes present when the save began: links to later nodes are left out, so the stream
 * is self-consistent even if inserts run while the writer is parked. */
static uint64_t *hnsw_save_snapshot(eng_hnsw *h, uint32_t bound, uint64_t *count) {
    uint64_t *bits = hnsw_zalloc(h, ((size_t)bound / 64 + 1) * sizeof(uint64_t));
    *count = 0;
    for (uint32_t slot = 0; slot < bound; slot++) {
        if (hnsw_height(h, slot) == 0) continue;
        bits[slot / 64] |= 1ull << (slot % 64);
        (*count)++;
    }
    return bits;
}

static bool hnsw_in_snapshot(const uint64_t *bits, uint32_t bound, uint32_t slot) {
    return slot < bound && (bits[slot / 64] >> (slot % 64) & 1u);
}

static void hnsw_save_header(eng_hnsw *h, hnsw_writer *w, uint32_t bound, uint64_t count) {
    hnsw_w_bytes(w, HNSW_IO_MAGIC, HNSW_IO_MAGIC_BYTES);
    hnsw_w_u32(w, HNSW_IO_VERSION);
    hnsw_w_u8(w, (uint8_t)h->params.metric);
    hnsw_w_u8(w, 0);
    hnsw_w_u16(w, (uint16_t)h->m);
    hnsw_w_u32(w, h->dims);
    hnsw_w_u64(w, h->rng);
    hnsw_w_u32(w, bound);
    hnsw_w_u64(w, count);
    hnsw_w_u32(w, h->entry);
    hnsw_w_u32(w, h->top_level);
}

/* One node record; returns the number of links written (for yielding). */
static uint32_t hnsw_save_node(eng_hnsw *h, hnsw_writer *w, const uint64_t *bits, uint32_t bound,
                               uint32_t slot) {
    uint32_t kept[2 * ENG_HNSW_M_MAX]; /* not h->ids: the writer may park, others run */
    uint32_t height = hnsw_height(h, slot), links = 0;
    hnsw_w_u32(w, slot);
    hnsw_w_u8(w, (uint8_t)height);
    hnsw_w_u8(w, hnsw_flags(h, slot) & HNSW_DEAD);
    for (uint32_t level = 0; level < height; level++) {
        const uint32_t *list = hnsw_list(h, slot, level);
        uint32_t n = 0;
        for (uint32_t i = 1; i <= list[0]; i++) {
            if (hnsw_in_snapshot(bits, bound, list[i])) kept[n++] = list[i];
        }
        hnsw_w_u16(w, (uint16_t)n);
        for (uint32_t i = 0; i < n; i++) hnsw_w_u32(w, kept[i]);
        links += n;
    }
    return links;
}

bool eng_hnsw_save(eng_hnsw *h, rt_err *err, eng_hnsw_write_fn write, void *write_ctx,
                   const eng_hnsw_yield *yield) {
    RT_ASSERT(!h->vacuum_running && !h->save_running);
    h->save_running = true;
    uint32_t bound = h->slot_bound;
    uint64_t count = 0;
    uint64_t *bits = hnsw_save_snapshot(h, bound, &count);
    hnsw_writer w = {.buf = hnsw_alloc(h, HNSW_IO_BUFFER_BYTES), .crc = 0,
                     .fn = write, .ctx = write_ctx, .err = err};
    hnsw_yielder y = {.yield = yield};
    hnsw_save_header(h, &w, bound, count);
    for (uint32_t slot = 0; slot < bound && !w.failed; slot++) {
        if (!hnsw_in_snapshot(bits, bound, slot)) continue;
        uint32_t links = hnsw_save_node(h, &w, bits, bound, slot);
        hnsw_yield_count(&y, 1 + links / 16);
    }
    hnsw_w_u32(&w, w.crc);
    hnsw_w_flush(&w);
    hnsw_free(h, w.buf, HNSW_IO_BUFFER_BYTES);
    hnsw_free(h, bits, ((size_t)bound / 64 + 1) * sizeof(uint64_t));
    h->save_running = false;
    return !w.failed;
}

/* ---- reading ------------------------------------------------------------------------------- */

typedef struct hnsw_reader {
    uint8_t *buf;
    size_t len;
    size_t pos;
    bool eof;
    uint32_t crc;
    eng_hnsw_read_fn fn;
    void *ctx;
    rt_err *err;
} hnsw_reader;

static bool hnsw_corrupt(rt_err *err, const char *what) {
    rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "hnsw graph stream is corrupted: %s", what);
    rt_err_hint(err, "The index can be rebuilt from its table with REINDEX.");
    return false;
}

static bool hnsw_r_bytes(hnsw_reader *r, void *dst, size_t n) {
    uint8_t *d = dst;
    while (n > 0) {
        if (r->pos == r->len) {
            if (r->eof) return hnsw_corrupt(r->err, "it ends early");
            size_t got = 0;
            if (!r->fn(r->ctx, r->buf, HNSW_IO_BUFFER_BYTES, &got, r->err)) return false;
            if (got > HNSW_IO_BUFFER_BYTES) return hnsw_corrupt(r->err, "reader overran");
            r->eof = got < HNSW_IO_BUFFER_BYTES;
            r->len = got;
            r->pos = 0;
            continue;
        }
        size_t take = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(d, r->buf + r->pos, take);
        r->crc = rt_crc32c(r->crc, d, take);
        r->pos += take;
        d += take;
        n -= take;
    }
    return true;
}

/* True in *at_end if no byte follows (reads ahead once if the buffer is used up). */
static bool hnsw_r_at_end(hnsw_reader *r, bool *at_end) {
    if (r->pos < r->len || r->eof) {
        *at_end = r->pos == r->len;
        return true;
    }
    size_t got = 0;
    if (!r->fn(r->ctx, r->buf, HNSW_IO_BUFFER_BYTES, &got, r->err)) return false;
    if (got > HNSW_IO_BUFFER_BYTES) return hnsw_corrupt(r->err, "reader overran");
    r->len = got;
    r->pos = 0;
    r->eof = got < HNSW_IO_BUFFER_BYTES;
    *at_end = got == 0;
    return true;
}

static bool hnsw_r_u8(hnsw_reader *r, uint8_t *v) {
    return hnsw_r_bytes(r, v, 1);
}
static bool hnsw_r_u16(hnsw_reader *r, uint16_t *v) {
    uint8_t b[2];
    if (!hnsw_r_bytes(r, b, 2)) return false;
    *v = (uint16_t)(b[0] | b[1] << 8);
    return true;
}
static bool hnsw_r_u32(hnsw_reader *r, uint32_t *v) {
    uint8_t b[4];
    if (!hnsw_r_bytes(r, b, 4)) return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}
static bool hnsw_r_u64(hnsw_reader *r, uint64_t *v) {
    uint32_t lo, hi;
    if (!hnsw_r_u32(r, &lo) || !hnsw_r_u32(r, &hi)) return false;
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

typedef struct hnsw_header {
    uint64_t rng;
    uint64_t count;
    uint32_t bound;
    uint32_t entry;
    uint32_t top_level;
} hnsw_header;

static bool hnsw_load_header(hnsw_reader *r, const eng_hnsw *h, hnsw_header *hd) {
    uint8_t magic[HNSW_IO_MAGIC_BYTES], metric, pad;
    uint16_t m;
    uint32_t version, dims;
    if (!hnsw_r_bytes(r, magic, sizeof magic)) return false;
    if (memcmp(magic, HNSW_IO_MAGIC, HNSW_IO_MAGIC_BYTES) != 0) {
        return hnsw_corrupt(r->err, "it is not an hnsw graph");
    }
    if (!hnsw_r_u32(r, &version) || !hnsw_r_u8(r, &metric) || !hnsw_r_u8(r, &pad) ||
        !hnsw_r_u16(r, &m) || !hnsw_r_u32(r, &dims) || !hnsw_r_u64(r, &hd->rng) ||
        !hnsw_r_u32(r, &hd->bound) || !hnsw_r_u64(r, &hd->count) ||
        !hnsw_r_u32(r, &hd->entry) || !hnsw_r_u32(r, &hd->top_level)) {
        return false;
    }
    if (version != HNSW_IO_VERSION) return hnsw_corrupt(r->err, "unknown format version");
    if (metric != (uint8_t)h->params.metric || m != h->m || dims != h->dims || pad != 0) {
        return hnsw_corrupt(r->err, "it was written for another index definition");
    }
    if (hd->bound > ENG_HNSW_SLOTS_MAX || hd->count > hd->bound ||
        hd->top_level > ENG_HNSW_LEVEL_MAX) {
        return hnsw_corrupt(r->err, "header out of range");
    }
    if ((hd->count == 0) != (hd->entry == ENG_HNSW_SLOT_NONE) ||
        (hd->count != 0 && hd->entry >= hd->bound)) {
        return hnsw_corrupt(r->err, "bad entry point");
    }
    return true;
}

/* Reads one list into the node's storage; links are checked against the node itself, the
 * slot bound and each other (sorted copy, so duplicates sit side by side). */
static bool hnsw_load_list(hnsw_reader *r, eng_hnsw *h, uint32_t slot, uint32_t level,
                           uint32_t bound) {
    uint16_t count;
    if (!hnsw_r_u16(r, &count)) return false;
    if (count > hnsw_list_cap(h, level)) return hnsw_corrupt(r->err, "list too long");
    uint32_t *list = hnsw_list(h, slot, level);
    for (uint32_t i = 1; i <= count; i++) {
        if (!hnsw_r_u32(r, &list[i])) return false;
        if (list[i] >= bound || list[i] == slot) return hnsw_corrupt(r->err, "bad link");
    }
    list[0] = count;
    if (level == 0) h->edges_level0 += count;
    for (uint32_t i = 0; i < count; i++) h->ids[i] = list[1 + i];
    for (uint32_t i = 1; i < count; i++) { /* insertion sort: lists are short */
        uint32_t x = h->ids[i], j = i;
        while (j > 0 && h->ids[j - 1] > x) {
            h->ids[j] = h->ids[j - 1];
            j--;
        }
        h->ids[j] = x;
    }
    for (uint32_t i = 1; i < count; i++) {
        if (h->ids[i] == h->ids[i - 1]) return hnsw_corrupt(r->err, "duplicate link");
    }
    return true;
}

/* One node record: allocated as it is read, so its lists can be read in place. */
static bool hnsw_load_node(hnsw_reader *r, eng_hnsw *h, uint32_t bound, uint32_t *prev_slot,
                           rt_err *err) {
    uint32_t slot;
    uint8_t height, flags;
    if (!hnsw_r_u32(r, &slot) || !hnsw_r_u8(r, &height) || !hnsw_r_u8(r, &flags)) return false;
    if (slot >= bound || (*prev_slot != ENG_HNSW_SLOT_NONE && slot <= *prev_slot)) {
        return hnsw_corrupt(err, "node slots out of order");
    }
    if (height == 0 || height > ENG_HNSW_LEVEL_MAX + 1 || (flags & ~HNSW_DEAD) != 0) {
        return hnsw_corrupt(err, "bad node header");
    }
    *prev_slot = slot;
    const float *v = h->vec(h->vec_ctx, slot);
    if (v == NULL) return hnsw_corrupt(err, "a node has no vector in the table");
    if (!hnsw_node_alloc(h, slot, height, err)) return false;
    hnsw_chunk *c = hnsw_chunk_of(h, slot);
    uint32_t i = slot & HNSW_CHUNK_MASK;
    if (flags & HNSW_DEAD) {
        c->flags[i] = HNSW_DEAD;
        h->dead++;
    }
    if (h->params.metric == ENG_HNSW_COSINE) {
        double norm_sq = eng_dist_norm_sq(v, h->dims);
        if (!(norm_sq > 0.0)) return hnsw_corrupt(err, "a node has a zero vector");
        c->inv_norm[i] = (float)(1.0 / sqrt(norm_sq));
    }
    for (uint32_t level = 0; level < height; level++) {
        if (!hnsw_load_list(r, h, slot, level, bound)) return false;
    }
    return true;
}

/* Second pass: every link names a node present on that level; the entry point tops the graph. */
static bool hnsw_load_check_links(eng_hnsw *h, const hnsw_header *hd, rt_err *err) {
    uint32_t top_height = 0;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        uint32_t height = hnsw_height(h, slot);
        if (height > top_height) top_height = height;
        for (uint32_t level = 0; level < height; level++) {
            const uint32_t *list = hnsw_list(h, slot, level);
            for (uint32_t i = 1; i <= list[0]; i++) {
                if (hnsw_height(h, list[i]) <= level) {
                    return hnsw_corrupt(err, "a link names a missing node");
                }
            }
        }
    }
    if (hd->count == 0) return true;
    if (hnsw_height(h, hd->entry) != hd->top_level + 1 || top_height != hd->top_level + 1) {
        return hnsw_corrupt(err, "the entry point is not on the top level");
    }
    return true;
}

static bool hnsw_load_body(hnsw_reader *r, eng_hnsw *h, const eng_hnsw_yield *yield,
                           rt_err *err) {
    hnsw_header hd;
    if (!hnsw_load_header(r, h, &hd)) return false;
    hnsw_yielder y = {.yield = yield};
    uint32_t prev = ENG_HNSW_SLOT_NONE;
    for (uint64_t n = 0; n < hd.count; n++) {
        if (!hnsw_load_node(r, h, hd.bound, &prev, err)) return false;
        hnsw_yield_count(&y, 1);
    }
    uint32_t want = r->crc, crc;
    if (!hnsw_r_u32(r, &crc)) return false;
    if (crc != want) return hnsw_corrupt(err, "checksum mismatch");
    bool at_end = false;
    if (!hnsw_r_at_end(r, &at_end)) return false;
    if (!at_end) return hnsw_corrupt(err, "trailing bytes");
    if (!hnsw_load_check_links(h, &hd, err)) return false;
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) { /* level-0 in-degrees */
        if (hnsw_height(h, slot) == 0) continue;
        const uint32_t *list = hnsw_list(h, slot, 0);
        for (uint32_t i = 1; i <= list[0]; i++) hnsw_indegree_inc(h, list[i]);
    }
    h->rng = hd.rng;
    h->entry = hd.entry;
    h->top_level = hd.count == 0 ? 0 : hd.top_level;
    /* A save that ran beside inserts leaves their links out, which can leave an older node
     * named by no list: give it one now, as insert would have. */
    for (uint32_t slot = 0; slot < h->slot_bound; slot++) {
        if (hnsw_height(h, slot) == 0 || *hnsw_indegree(h, slot) != 0) continue;
        hnsw_reserve_orphans(h, h->orphan_count + 1);
        h->orphans[h->orphan_count++] = slot;
    }
    hnsw_rescue_orphans(h);
    /* Nothing searches the graph before the load returns: its copy is made here, in slices
     * between the loader's yields. */
    hnsw_quant_maybe_start(h);
    while (!hnsw_quant_step(h, ENG_HNSW_QUANT_SLICE_ELEMS)) {
        hnsw_yield_count(&y, ENG_HNSW_QUANT_SLICE_ELEMS / h->dims + 1);
    }
    RT_VERIFY(hnsw_check(h));
    return true;
}

eng_hnsw *eng_hnsw_load(const eng_hnsw_params *params, rt_err *err, eng_hnsw_read_fn read,
                        void *read_ctx, eng_hnsw_vec_fn vec, void *vec_ctx,
                        const eng_hnsw_yield *yield) {
    eng_hnsw *h = hnsw_new(params, err, vec, vec_ctx);
    if (h == NULL) return NULL;
    hnsw_reader r = {.buf = hnsw_alloc(h, HNSW_IO_BUFFER_BYTES), .crc = 0,
                     .fn = read, .ctx = read_ctx, .err = err};
    hnsw_reserve_ids(h, 2 * ENG_HNSW_M_MAX + 1);
    bool ok = hnsw_load_body(&r, h, yield, err);
    hnsw_free(h, r.buf, HNSW_IO_BUFFER_BYTES);
    if (!ok) {
        eng_hnsw_destroy(h);
        return NULL;
    }
    return h;
}
