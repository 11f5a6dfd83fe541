/* eng_ckpt_file.c: checkpoint files: the header, checksummed sections, the write-fsync-rename
 * protocol, validated reading, and the catalog checkpoint (catalog + sequences).
 *
 * Header (ENG_CKPT_HEADER_FIXED_BYTES, then the need, then a crc32c of all before it):
 *   u32 magic "DBCP", u16 format, u16 kind, u64 file id, u64 snapshot ts, u64 object
 *   (storage id or catalog version), u32 partition number, u32 boot, u32 shard count,
 *   u32 flags (0), u64 reserved (0), u64 lsn[shard count], u32 crc32c
 * Section: u32 type, u32 crc32c of the body, u64 body length, body.
 * END:     u32 sections before it, u64 count (committed rows, or sequences). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng_ckpt_int.h"
#include "runtime/rt_crc32c.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

bool eng_ckpt_allowed(rt_err *err) {
    if (!eng_wal_any_failed()) return true;
    return rt_err_set(err, SQLSTATE_IO_ERROR, "checkpoint refused: a WAL failed, only recovery "
                                              "can tell which transactions are durable");
}

bool eng_ckpt_corrupt(rt_err *err, const char *path, const char *what) {
    rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "checkpoint file \"%s\" is corrupt: %s", path, what);
    rt_err_hint(err, "Refusing to start rather than serve wrong data. Restore the data "
                     "directory from a backup.");
    return false;
}

void eng_ckpt_dir_path(char *out, size_t size) {
    snprintf(out, size, "%s/ckpt", eng_data_dir());
}

void eng_ckpt_part_path(char *out, size_t size, uint64_t storage_id, uint32_t partno,
                        uint64_t file_id) {
    snprintf(out, size, "%s/ckpt/p-%016llx-%08x-%016llx.ckp", eng_data_dir(),
             (unsigned long long)storage_id, partno, (unsigned long long)file_id);
}

void eng_ckpt_catalog_path(char *out, size_t size, uint64_t file_id) {
    snprintf(out, size, "%s/ckpt/catalog-%016llx.ckp", eng_data_dir(),
             (unsigned long long)file_id);
}

/* ---- writing ---- */

bool eng_ckpt_writer_open(eng_ckpt_writer *w, const char *path, rt_err *err) {
    memset(w, 0, sizeof *w);
    eng_w_init(&w->buf);
    snprintf(w->path, sizeof w->path, "%s", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.tmp", path);
    w->fd = rt_file_open(w->tmp, O_CREAT | O_TRUNC | O_WRONLY, 0600, err);
    return w->fd >= 0;
}

void eng_ckpt_writer_header(eng_ckpt_writer *w, const eng_ckpt_header *h) {
    RT_ASSERT(w->buf.len == 0 && w->off == 0);
    RT_ASSERT(h->need.shard_count <= RT_SHARDS_MAX);
    eng_w_u32(&w->buf, ENG_CKPT_MAGIC);
    uint16_t format = ENG_CKPT_FORMAT, kind = (uint16_t)h->kind;
    eng_w_raw(&w->buf, &format, 2);
    eng_w_raw(&w->buf, &kind, 2);
    eng_w_u64(&w->buf, h->file_id);
    eng_w_u64(&w->buf, h->snapshot_ts);
    eng_w_u64(&w->buf, h->object);
    eng_w_u32(&w->buf, h->partno);
    eng_w_u32(&w->buf, h->need.boot);
    eng_w_u32(&w->buf, h->need.shard_count);
    eng_w_u32(&w->buf, 0);
    eng_w_u64(&w->buf, 0);
    RT_ASSERT(w->buf.len == ENG_CKPT_HEADER_FIXED_BYTES);
    for (uint32_t i = 0; i < h->need.shard_count; i++) eng_w_u64(&w->buf, h->need.lsn[i]);
    eng_w_u32(&w->buf, rt_crc32c(0, w->buf.buf, w->buf.len));
}

static bool eng_ckpt_writer_flush(eng_ckpt_writer *w, rt_err *err) {
    if (w->buf.len == 0) return true;
    if (!rt_file_write(w->fd, w->buf.buf, w->buf.len, w->off, err)) return false;
    w->off += w->buf.len;
    w->bytes_total += w->buf.len;
    w->buf.len = 0;
    return true;
}

void eng_ckpt_section_begin(eng_ckpt_writer *w, uint32_t type) {
    w->section_at = w->buf.len;
    uint8_t *h = eng_w_reserve(&w->buf, ENG_CKPT_SECTION_HEADER_BYTES);
    memcpy(h, &type, 4);
}

bool eng_ckpt_section_end(eng_ckpt_writer *w, rt_err *err) {
    uint8_t *h = w->buf.buf + w->section_at;
    uint64_t len = w->buf.len - w->section_at - ENG_CKPT_SECTION_HEADER_BYTES;
    if (len > ENG_CKPT_SECTION_BYTES_MAX) { /* a row group of huge values */
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "checkpoint section of %llu bytes exceeds the limit of %llu",
                          (unsigned long long)len, (unsigned long long)ENG_CKPT_SECTION_BYTES_MAX);
    }
    uint32_t crc = rt_crc32c(0, h + ENG_CKPT_SECTION_HEADER_BYTES, len);
    memcpy(h + 4, &crc, 4);
    memcpy(h + 8, &len, 8);
    w->sections++;
    if (w->buf.len >= ENG_CKPT_WRITE_BUFFER_BYTES) return eng_ckpt_writer_flush(w, err);
    return true;
}

bool eng_ckpt_writer_finish(eng_ckpt_writer *w, uint64_t count, rt_err *err) {
    uint32_t before = w->sections;
    eng_ckpt_section_begin(w, ENG_CKPT_S_END);
    eng_w_u32(&w->buf, before);
    eng_w_u64(&w->buf, count);
    if (!eng_ckpt_section_end(w, err) || !eng_ckpt_writer_flush(w, err)) return false;
    if (!rt_file_sync(w->fd, true, err)) return false;
    int fd = w->fd;
    w->fd = -1;
    if (!rt_file_close(fd, err)) return false;
    rt_free(w->buf.buf);
    w->buf.buf = NULL;
    return rt_file_rename(w->tmp, w->path, err);
}

void eng_ckpt_writer_abandon(eng_ckpt_writer *w) {
    rt_err ignored;
    rt_err_clear(&ignored);
    if (w->fd >= 0) rt_file_close(w->fd, &ignored);
    w->fd = -1;
    rt_err_clear(&ignored);
    rt_file_unlink(w->tmp, &ignored);
    rt_free(w->buf.buf);
    w->buf.buf = NULL;
}

/* ---- reading ---- */

static bool eng_ckpt_read_exact(eng_ckpt_reader *r, void *out, uint64_t len, uint64_t off,
                                rt_err *err) {
    if (off > r->size || len > r->size - off) {
        return eng_ckpt_corrupt(err, r->path, "the file is truncated");
    }
    size_t got;
    if (!rt_file_read(r->fd, out, len, off, &got, err)) return false;
    if (got != len) return eng_ckpt_corrupt(err, r->path, "the file is truncated");
    return true;
}

static bool eng_ckpt_header_decode(eng_ckpt_reader *r, const uint8_t *b, uint32_t kind,
                                   rt_err *err) {
    eng_codec_r c;
    eng_r_init(&c, b, ENG_CKPT_HEADER_FIXED_BYTES);
    eng_ckpt_header *h = &r->header;
    uint32_t magic = eng_r_u32(&c);
    const uint8_t *fk = eng_r_raw(&c, 4);
    uint16_t format, got_kind;
    memcpy(&format, fk, 2);
    memcpy(&got_kind, fk + 2, 2);
    if (magic != ENG_CKPT_MAGIC) return eng_ckpt_corrupt(err, r->path, "bad magic number");
    if (format != ENG_CKPT_FORMAT) {
        rt_err_set(err, SQLSTATE_DATA_CORRUPTED,
                   "checkpoint file \"%s\" has format version %u, this server reads %u",
                   r->path, format, ENG_CKPT_FORMAT);
        return false;
    }
    if (got_kind != kind) return eng_ckpt_corrupt(err, r->path, "wrong kind of checkpoint");
    h->kind = got_kind;
    h->file_id = eng_r_u64(&c);
    h->snapshot_ts = eng_r_u64(&c);
    h->object = eng_r_u64(&c);
    h->partno = eng_r_u32(&c);
    h->need.boot = eng_r_u32(&c);
    h->need.shard_count = eng_r_u32(&c);
    if (h->need.boot == 0 || h->need.shard_count == 0 || h->need.shard_count > RT_SHARDS_MAX) {
        return eng_ckpt_corrupt(err, r->path, "bad WAL position");
    }
    return true;
}

bool eng_ckpt_reader_open(eng_ckpt_reader *r, const char *path, uint32_t kind, rt_err *err) {
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->fd = rt_file_open(path, O_RDONLY, 0, err);
    if (r->fd < 0) return false;
    uint8_t b[ENG_CKPT_HEADER_FIXED_BYTES + 8 * RT_SHARDS_MAX + 4];
    if (!rt_file_size(r->fd, &r->size, err) ||
        !eng_ckpt_read_exact(r, b, ENG_CKPT_HEADER_FIXED_BYTES, 0, err)) {
        return false;
    }
    /* The fixed part is checked by the crc with the rest; decode only what sizes the rest. */
    uint32_t count;
    memcpy(&count, b + 40, 4);
    if (count == 0 || count > RT_SHARDS_MAX) return eng_ckpt_corrupt(err, path, "bad header");
    uint64_t total = ENG_CKPT_HEADER_FIXED_BYTES + 8ull * count + 4;
    if (!eng_ckpt_read_exact(r, b + ENG_CKPT_HEADER_FIXED_BYTES,
                             total - ENG_CKPT_HEADER_FIXED_BYTES, ENG_CKPT_HEADER_FIXED_BYTES,
                             err)) {
        return false;
    }
    uint32_t crc;
    memcpy(&crc, b + total - 4, 4);
    if (crc != rt_crc32c(0, b, total - 4)) {
        return eng_ckpt_corrupt(err, path, "header checksum mismatch");
    }
    if (!eng_ckpt_header_decode(r, b, kind, err)) return false;
    memcpy(r->header.need.lsn, b + ENG_CKPT_HEADER_FIXED_BYTES, 8ull * count);
    r->off = total;
    return true;
}

static bool eng_ckpt_reader_end(eng_ckpt_reader *r, const uint8_t *body, uint64_t len,
                                rt_err *err) {
    uint32_t sections;
    if (len != 12) return eng_ckpt_corrupt(err, r->path, "bad END section");
    memcpy(&sections, body, 4);
    memcpy(&r->end_count, body + 4, 8);
    if (sections != r->sections) return eng_ckpt_corrupt(err, r->path, "sections are missing");
    if (r->off != r->size) return eng_ckpt_corrupt(err, r->path, "bytes after the END section");
    r->ended = true;
    return true;
}

bool eng_ckpt_reader_next(eng_ckpt_reader *r, uint32_t *type, const uint8_t **body,
                          uint64_t *len, uint64_t *body_off, rt_err *err) {
    uint8_t h[ENG_CKPT_SECTION_HEADER_BYTES];
    if (!eng_ckpt_read_exact(r, h, sizeof h, r->off, err)) return false;
    uint32_t crc;
    memcpy(type, h, 4);
    memcpy(&crc, h + 4, 4);
    memcpy(len, h + 8, 8);
    if (*len > ENG_CKPT_SECTION_BYTES_MAX) {
        return eng_ckpt_corrupt(err, r->path, "section too long");
    }
    *body_off = r->off + sizeof h;
    if (*len > r->body_cap) {
        rt_free(r->body);
        r->body_cap = *len;
        r->body = rt_xmalloc(*len);
    }
    if (!eng_ckpt_read_exact(r, r->body, *len, *body_off, err)) return false;
    if (rt_crc32c(0, r->body, *len) != crc) {
        return eng_ckpt_corrupt(err, r->path, "section checksum mismatch");
    }
    r->off = *body_off + *len;
    *body = r->body;
    if (*type == ENG_CKPT_S_END) {
        eng_ckpt_reader_end(r, r->body, *len, err);
        return false;
    }
    r->sections++;
    return true;
}

bool eng_ckpt_reader_reread(eng_ckpt_reader *r, uint64_t body_off, uint64_t len, uint8_t *out,
                            rt_err *err) {
    uint8_t h[ENG_CKPT_SECTION_HEADER_BYTES];
    uint32_t crc;
    if (body_off < sizeof h || !eng_ckpt_read_exact(r, h, sizeof h, body_off - sizeof h, err) ||
        !eng_ckpt_read_exact(r, out, len, body_off, err)) {
        return false;
    }
    memcpy(&crc, h + 4, 4);
    if (rt_crc32c(0, out, len) != crc) {
        return eng_ckpt_corrupt(err, r->path, "section checksum mismatch");
    }
    return true;
}

void eng_ckpt_reader_close(eng_ckpt_reader *r) {
    rt_err ignored;
    rt_err_clear(&ignored);
    if (r->fd >= 0) rt_file_close(r->fd, &ignored);
    r->fd = -1;
    rt_free(r->body);
    r->body = NULL;
}

/* ---- the catalog checkpoint ---- */

static void eng_ckpt_seq_put(void *arg, uint32_t db_oid, uint32_t seq_oid, int64_t value,
                             bool is_called) {
    eng_codec_w *w = arg;
    eng_w_u32(w, db_oid);
    eng_w_u32(w, seq_oid);
    eng_w_u64(w, (uint64_t)value);
    eng_w_u8(w, is_called);
}

/* Reads the floors, then the catalog and the sequences: a change logged after the floors are
 * read is past them and gets replayed (eng_wal.h, Pins). */
static void eng_ckpt_catalog_capture(eng_ckpt_header *h, uint8_t **cat, uint64_t *cat_len,
                                     eng_codec_w *seqs, uint64_t *seq_count) {
    h->need.boot = eng_global.boot;
    h->need.shard_count = eng_global.shard_count;
    for (uint32_t j = 0; j < eng_global.shard_count; j++) h->need.lsn[j] = eng_wal_floor(j);
    h->snapshot_ts = eng_txn_snapshot_ts();
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    rt_err ignored;
    rt_err_clear(&ignored);
    eng_catalog_serialize(ref.catalog, cat, cat_len, &ignored); /* cannot fail */
    h->object = eng_catalog_version(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_w_u32(seqs, 0);
    eng_seq_each(eng_ckpt_seq_put, seqs);
    *seq_count = (seqs->len - 4) / 17;
    uint32_t n32 = (uint32_t)*seq_count;
    memcpy(seqs->buf, &n32, 4);
}

bool eng_ckpt_catalog_write(eng_ckpt_written *out, rt_err *err) {
    eng_ckpt_header h;
    memset(&h, 0, sizeof h);
    h.kind = ENG_CKPT_KIND_CATALOG;
    h.file_id = eng_ckpt_new_file_id();
    char path[600], dir[520];
    eng_ckpt_catalog_path(path, sizeof path, h.file_id);
    eng_ckpt_dir_path(dir, sizeof dir);
    eng_ckpt_writer w;
    if (!eng_ckpt_writer_open(&w, path, err)) return false;
    uint8_t *cat = NULL;
    uint64_t cat_len = 0, seq_count = 0;
    eng_codec_w seqs;
    eng_w_init(&seqs);
    if (!eng_ckpt_allowed(err)) {
        eng_ckpt_writer_abandon(&w);
        return false;
    }
    eng_ckpt_catalog_capture(&h, &cat, &cat_len, &seqs, &seq_count);
    eng_ckpt_writer_header(&w, &h);
    eng_ckpt_section_begin(&w, ENG_CKPT_S_CATALOG);
    eng_w_raw(&w.buf, cat, cat_len);
    bool ok = eng_ckpt_section_end(&w, err);
    if (ok) {
        eng_ckpt_section_begin(&w, ENG_CKPT_S_SEQUENCES);
        eng_w_raw(&w.buf, seqs.buf, seqs.len);
        ok = eng_ckpt_section_end(&w, err);
    }
    rt_free(cat);
    rt_free(seqs.buf);
    uint64_t bytes = w.off + w.buf.len;
    ok = ok && eng_ckpt_writer_finish(&w, seq_count, err) && rt_dir_sync(dir, err);
    if (!ok) {
        eng_ckpt_writer_abandon(&w);
        return false;
    }
    out->file_id = h.file_id;
    out->need = h.need;
    out->rows = seq_count;
    out->bytes = bytes;
    return true;
}

static bool eng_ckpt_seqs_load(const char *path, const uint8_t *body, uint64_t len,
                               uint64_t *count, rt_err *err) {
    eng_codec_r r;
    eng_r_init(&r, body, len);
    uint32_t n = eng_r_u32(&r);
    if (!eng_r_ok(&r) || (uint64_t)n * 17 != len - 4) {
        return eng_ckpt_corrupt(err, path, "bad sequence section");
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t db = eng_r_u32(&r), seq = eng_r_u32(&r);
        int64_t value = (int64_t)eng_r_u64(&r);
        uint8_t called = eng_r_u8(&r);
        if (called > 1) return eng_ckpt_corrupt(err, path, "bad sequence section");
        eng_seq_recover(db, seq, value, called != 0);
    }
    *count = n;
    return true;
}

eng_catalog *eng_ckpt_catalog_load(const char *path, eng_ckpt_header *h, rt_err *err) {
    eng_ckpt_reader r;
    eng_catalog *c = NULL;
    uint64_t seq_count = 0;
    bool ok = eng_ckpt_reader_open(&r, path, ENG_CKPT_KIND_CATALOG, err);
    uint32_t type;
    const uint8_t *body;
    uint64_t len, off;
    while (ok && eng_ckpt_reader_next(&r, &type, &body, &len, &off, err)) {
        if (type == ENG_CKPT_S_CATALOG && c == NULL) {
            c = eng_catalog_deserialize(body, len, err);
            ok = c != NULL;
        } else if (type == ENG_CKPT_S_SEQUENCES) {
            ok = eng_ckpt_seqs_load(path, body, len, &seq_count, err);
        } else {
            ok = eng_ckpt_corrupt(err, path, "unexpected section");
        }
    }
    ok = ok && r.ended;
    if (ok && (c == NULL || eng_catalog_version(c) != r.header.object ||
               r.end_count != seq_count)) {
        ok = eng_ckpt_corrupt(err, path, "the catalog does not match the header");
    }
    if (ok) *h = r.header;
    eng_ckpt_reader_close(&r);
    if (!ok) {
        if (c != NULL) eng_catalog_draft_free(c);
        return NULL;
    }
    return c;
}
