/* eng_ckpt_part.c: a partition's checkpoint: writing it (sliced, while the shard serves) and
 * loading it back into a fresh partition at start.
 *
 * Sections of a partition file, after the header (eng_ckpt_file.c):
 *   COLUMNS  u32 slot count, i64 next row id, u16 primary key columns, u16 flags (1: only
 *            committed rows, packed; the slot count is then the partition's before; 2: varlen
 *            columns carry an encoding byte, ENG_CKPT_FLAG_ENCODED), u32 columns,
 *            per column: u32 type oid, i32 typmod, u8 store, u8 dropped, u16 0, u32 dims
 *   EXTRA    the hooks' stream in pieces of ENG_CKPT_EXTRA_SECTION_BYTES (saved at capture,
 *            so it comes before the rows)
 *   ROWS     one per row group in slot order: u32 first slot, u32 rows, u8 committed[rows],
 *            (tables without a primary key) i64 row id[rows], then for every column not
 *            dropped: u8 null[rows] and its values as the column store keeps them: fixed
 *            widths as arrays, vectors as floats, varlen as u8 encoding then either (0, plain)
 *            u32 length[rows] and the bytes, or (1, dictionary) u32 entries, u32 length[entries],
 *            their bytes, u8 code[rows] (NULL rows' codes mean nothing). Files written before
 *            flag 2 existed have no encoding byte and are plain; either form loads through the
 *            column store's own encoding, so a restart restores encoded chunks as they were.
 *   END      the committed row count
 * With a save hook installed (extra data naming slots, such as HNSW graphs), every slot below
 * the slot count is written, committed or not, so slot numbers survive a restart: slots not
 * committed as of the snapshot load as dead versions (never visible). Without one, only the
 * committed rows are written, packed into row groups in slot order: a restart sheds the old
 * versions (nothing else names slots; WAL redo names rows by key). */
#include <string.h>

#include "engine/eng_ckpt_int.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

#define ENG_CKPT_FLAG_COMPACT 1u
#define ENG_CKPT_FLAG_ENCODED 2u
#define ENG_CKPT_VARLEN_PLAIN 0u
#define ENG_CKPT_VARLEN_DICT 1u

typedef struct eng_ckpt_col {
    uint32_t type_oid;
    int32_t typmod;
    uint8_t store;
    bool dropped;
    uint32_t dims;
} eng_ckpt_col;

/* What a checkpoint holds, fixed at its capture. */
typedef struct eng_ckpt_cap {
    eng_snapshot snap;
    bool compact;           /* committed rows only (no hook needs slot numbers) */
    uint32_t scan_cursor;   /* compact: the next slot of the partition to look at */
    uint32_t out_slots;     /* compact: rows written so far */
    uint32_t slot_count;
    int64_t next_rowid;
    uint16_t pk_count;
    uint32_t ncols;
    eng_ckpt_col *cols;
} eng_ckpt_cap;

static uint32_t eng_ckpt_col_width(const eng_ckpt_col *c) {
    if (c->store == ENG_STORE_VECTOR) return c->dims * (uint32_t)sizeof(float);
    return eng_store_width((eng_store)c->store);
}

static uint32_t eng_ckpt_group_rows(uint32_t first_slot) {
    return first_slot == 0 ? ENG_RG_FIRST_ROWS : ENG_RG_ROWS;
}

/* ---- writing ---- */

/* The fixed-width bytes of one value, as eng_part.c stores it in a chunk. */
static void eng_ckpt_put_fixed(eng_codec_w *w, const eng_ckpt_col *col, const sql_value *v) {
    switch ((eng_store)col->store) {
    case ENG_STORE_I8: eng_w_u8(w, (uint8_t)v->i64); break;
    case ENG_STORE_I16: {
        int16_t x = (int16_t)v->i64;
        eng_w_raw(w, &x, 2);
        break;
    }
    case ENG_STORE_I32: {
        int32_t x = (int32_t)v->i64;
        eng_w_raw(w, &x, 4);
        break;
    }
    case ENG_STORE_I64: eng_w_u64(w, (uint64_t)v->i64); break;
    case ENG_STORE_F32: {
        float x = (float)v->f64;
        eng_w_raw(w, &x, 4);
        break;
    }
    case ENG_STORE_F64: eng_w_raw(w, &v->f64, 8); break;
    case ENG_STORE_FIXED16:
    case ENG_STORE_VECTOR: eng_w_raw(w, v->b.ptr, eng_ckpt_col_width(col)); break;
    case ENG_STORE_VARLEN: RT_ASSERT(false); break;
    }
}

/* A column of a row group that was never materialised: every row reads its missing value. */
static void eng_ckpt_put_missing(eng_codec_w *w, const eng_part *p, uint32_t first, uint32_t n,
                                 uint32_t c, const eng_ckpt_col *col) {
    sql_value v;
    eng_part_read(p, first, (uint16_t)(c + 1), &v);
    memset(eng_w_reserve(w, n), v.is_null ? 1 : 0, n);
    if (col->store == ENG_STORE_VARLEN) {
        eng_w_u8(w, ENG_CKPT_VARLEN_PLAIN);
        uint32_t len = v.is_null ? 0 : v.b.len;
        for (uint32_t i = 0; i < n; i++) eng_w_u32(w, len);
        for (uint32_t i = 0; i < n && !v.is_null; i++) eng_w_raw(w, v.b.ptr, len);
        return;
    }
    if (v.is_null) {
        memset(eng_w_reserve(w, (uint64_t)n * eng_ckpt_col_width(col)), 0,
               (uint64_t)n * eng_ckpt_col_width(col));
        return;
    }
    for (uint32_t i = 0; i < n; i++) eng_ckpt_put_fixed(w, col, &v);
}

/* A varlen column in dictionary form: the entries, then one code per row. */
static void eng_ckpt_put_dict(eng_codec_w *w, const eng_dict *d, const uint8_t *codes,
                              uint32_t n) {
    eng_w_u8(w, ENG_CKPT_VARLEN_DICT);
    eng_w_u32(w, d->count);
    for (uint32_t c = 0; c < d->count; c++) eng_w_u32(w, d->vals[c].len);
    for (uint32_t c = 0; c < d->count; c++) eng_w_raw(w, d->vals[c].ptr, d->vals[c].len);
    eng_w_raw(w, codes, n);
}

static void eng_ckpt_put_column(eng_codec_w *w, const eng_part *p, const eng_rowgroup *rg,
                                uint32_t n, uint32_t c, const eng_ckpt_col *col) {
    const eng_chunk *ch = c < rg->ncols ? rg->cols[c] : NULL;
    if (ch == NULL) {
        eng_ckpt_put_missing(w, p, rg->first_slot, n, c, col);
        return;
    }
    eng_w_raw(w, ch->nulls, n);
    if (col->store != ENG_STORE_VARLEN) {
        eng_w_raw(w, ch->data, (uint64_t)n * eng_ckpt_col_width(col));
        return;
    }
    if (ch->dict != NULL) {
        eng_ckpt_put_dict(w, ch->dict, ch->data, n);
        return;
    }
    eng_w_u8(w, ENG_CKPT_VARLEN_PLAIN);
    const sql_bytes *vals = ch->data;
    for (uint32_t i = 0; i < n; i++) eng_w_u32(w, ch->nulls[i] ? 0 : vals[i].len);
    for (uint32_t i = 0; i < n; i++) {
        if (!ch->nulls[i]) eng_w_raw(w, vals[i].ptr, vals[i].len);
    }
}

/* One ROWS section for the row group holding `first` (no yield inside). */
static uint64_t eng_ckpt_put_rows(eng_codec_w *w, const eng_part *p, const eng_ckpt_cap *cap,
                                  uint32_t first) {
    const eng_rowgroup *rg = eng_rg_of(p, first);
    RT_ASSERT(rg->first_slot == first);
    uint32_t n = cap->slot_count - first;
    if (n > rg->cap) n = rg->cap;
    RT_ASSERT(n <= rg->used);
    eng_w_u32(w, first);
    eng_w_u32(w, n);
    uint8_t *vis = eng_w_reserve(w, n);
    uint64_t visible = 0;
    for (uint32_t i = 0; i < n; i++) {
        vis[i] = eng_part_visible(p, first + i, &cap->snap) ? 1 : 0;
        visible += vis[i];
    }
    if (cap->pk_count == 0) eng_w_raw(w, rg->rowid, (uint64_t)n * sizeof(int64_t));
    for (uint32_t c = 0; c < cap->ncols; c++) {
        if (!cap->cols[c].dropped) eng_ckpt_put_column(w, p, rg, n, c, &cap->cols[c]);
    }
    return visible;
}

/* ---- compact mode: committed rows only, gathered slot by slot ---- */

/* Compact mode: a varlen column of gathered rows in dictionary form, if its values fit one;
 * false (nothing written) if not, or if the column is not a text column. */
static bool eng_ckpt_put_slots_dict(eng_codec_w *w, const eng_part *p, const uint32_t *slots,
                                    uint32_t n, uint32_t c) {
    if (!p->cols[c].encodable) return false;
    eng_dict *d = eng_dict_create();
    uint8_t codes[ENG_RG_ROWS];
    bool fits = true;
    for (uint32_t i = 0; fits && i < n; i++) {
        sql_value v;
        eng_part_read(p, slots[i], (uint16_t)(c + 1), &v);
        uint32_t code = v.is_null ? 0 : eng_dict_put(d, v.b.ptr, v.b.len);
        fits = code != ENG_DICT_CODE_NONE;
        codes[i] = (uint8_t)code;
    }
    if (fits) eng_ckpt_put_dict(w, d, codes, n);
    eng_dict_destroy(d);
    return fits;
}

static void eng_ckpt_put_column_slots(eng_codec_w *w, const eng_part *p, const uint32_t *slots,
                                      uint32_t n, uint32_t c, const eng_ckpt_col *col) {
    uint8_t *nulls = eng_w_reserve(w, n);
    sql_value v;
    for (uint32_t i = 0; i < n; i++) {
        eng_part_read(p, slots[i], (uint16_t)(c + 1), &v);
        nulls[i] = v.is_null ? 1 : 0;
    }
    if (col->store == ENG_STORE_VARLEN && eng_ckpt_put_slots_dict(w, p, slots, n, c)) return;
    if (col->store == ENG_STORE_VARLEN) eng_w_u8(w, ENG_CKPT_VARLEN_PLAIN);
    uint32_t width = eng_ckpt_col_width(col);
    for (uint32_t i = 0; i < n; i++) {
        eng_part_read(p, slots[i], (uint16_t)(c + 1), &v);
        if (col->store == ENG_STORE_VARLEN) {
            eng_w_u32(w, v.is_null ? 0 : v.b.len);
        } else if (v.is_null) {
            memset(eng_w_reserve(w, width), 0, width);
        } else {
            eng_ckpt_put_fixed(w, col, &v);
        }
    }
    for (uint32_t i = 0; i < n && col->store == ENG_STORE_VARLEN; i++) {
        eng_part_read(p, slots[i], (uint16_t)(c + 1), &v);
        if (!v.is_null) eng_w_raw(w, v.b.ptr, v.b.len);
    }
}

/* The next committed slots (up to `want`), in slot order; yields now and then while it skips
 * dead versions (nothing here is a pointer into the partition). */
static uint32_t eng_ckpt_next_committed(const eng_part *p, eng_ckpt_cap *cap, uint32_t *slots,
                                        uint32_t want) {
    uint32_t n = 0, looked = 0;
    while (n < want && cap->scan_cursor < cap->slot_count) {
        uint32_t s = cap->scan_cursor++;
        if (eng_part_visible(p, s, &cap->snap)) slots[n++] = s;
        if ((++looked & 0xffffu) == 0) rt_fiber_maybe_yield();
    }
    return n;
}

/* One ROWS section of committed rows filling the next row group of the loaded partition;
 * returns the rows written (0: none left, nothing written). */
static uint32_t eng_ckpt_put_compact(eng_ckpt_writer *wr, const eng_part *p, eng_ckpt_cap *cap) {
    uint32_t slots[ENG_RG_ROWS];
    uint32_t n = eng_ckpt_next_committed(p, cap, slots, eng_ckpt_group_rows(cap->out_slots));
    if (n == 0) return 0;
    eng_ckpt_section_begin(wr, ENG_CKPT_S_ROWS);
    eng_codec_w *w = &wr->buf;
    eng_w_u32(w, cap->out_slots);
    eng_w_u32(w, n);
    memset(eng_w_reserve(w, n), 1, n);
    for (uint32_t i = 0; i < n && cap->pk_count == 0; i++) {
        eng_w_u64(w, (uint64_t)eng_rg_of(p, slots[i])->rowid[eng_rg_offset(slots[i])]);
    }
    for (uint32_t c = 0; c < cap->ncols; c++) {
        if (!cap->cols[c].dropped) eng_ckpt_put_column_slots(w, p, slots, n, c, &cap->cols[c]);
    }
    cap->out_slots += n;
    return n;
}

static void eng_ckpt_put_columns(eng_codec_w *w, const eng_ckpt_cap *cap) {
    eng_w_u32(w, cap->slot_count);
    eng_w_u64(w, (uint64_t)cap->next_rowid);
    uint16_t pk[2] = {cap->pk_count,
                      (uint16_t)((cap->compact ? ENG_CKPT_FLAG_COMPACT : 0u) |
                                 ENG_CKPT_FLAG_ENCODED)};
    eng_w_raw(w, pk, 4);
    eng_w_u32(w, cap->ncols);
    for (uint32_t c = 0; c < cap->ncols; c++) {
        const eng_ckpt_col *col = &cap->cols[c];
        eng_w_u32(w, col->type_oid);
        eng_w_u32(w, (uint32_t)col->typmod);
        uint8_t b[4] = {col->store, col->dropped, 0, 0};
        eng_w_raw(w, b, 4);
        eng_w_u32(w, col->dims);
    }
}

/* The capture: floors first, then the snapshot (eng_wal.h, Pins), then the partition's shape.
 * Nothing here yields, so the three agree. */
static void eng_ckpt_capture(const eng_part *p, eng_ckpt_cap *cap, eng_ckpt_header *h) {
    h->need.boot = eng_global.boot;
    h->need.shard_count = eng_global.shard_count;
    for (uint32_t j = 0; j < eng_global.shard_count; j++) h->need.lsn[j] = eng_wal_floor(j);
    cap->snap = (eng_snapshot){.ts = eng_txn_snapshot_ts(), .own = 0, .command = 0};
    const eng_ckpt_hooks *hooks = eng_ckpt_hooks_get();
    cap->compact = hooks == NULL || hooks->save == NULL;
    h->snapshot_ts = cap->snap.ts;
    cap->slot_count = p->next_slot;
    cap->next_rowid = p->next_rowid;
    cap->pk_count = p->pk_count;
    cap->ncols = p->ncols;
    cap->cols = rt_xcalloc(p->ncols + 1u, sizeof(eng_ckpt_col));
    for (uint32_t c = 0; c < p->ncols; c++) {
        const eng_part_col *pc = &p->cols[c];
        cap->cols[c] = (eng_ckpt_col){.type_oid = pc->type_oid, .typmod = pc->typmod,
                                      .store = pc->store, .dropped = pc->dropped,
                                      .dims = pc->store == ENG_STORE_VECTOR ? pc->dims : 0};
    }
}

/* The hooks' stream goes into EXTRA sections as it comes. */
typedef struct eng_ckpt_extra_w {
    eng_ckpt_writer *w;
    bool open;
    uint64_t in_section;
    uint32_t sections;
} eng_ckpt_extra_w;

static bool eng_ckpt_extra_write(void *ctx, const void *bytes, size_t len, rt_err *err) {
    eng_ckpt_extra_w *x = ctx;
    const uint8_t *b = bytes;
    while (len > 0) {
        if (!x->open) {
            if (x->sections == ENG_CKPT_EXTRA_SECTIONS_MAX) {
                return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                  "checkpoint extra data is too large");
            }
            eng_ckpt_section_begin(x->w, ENG_CKPT_S_EXTRA);
            x->open = true;
            x->in_section = 0;
        }
        uint64_t room = ENG_CKPT_EXTRA_SECTION_BYTES - x->in_section;
        uint64_t take = len < room ? len : room;
        eng_w_raw(&x->w->buf, b, take);
        x->in_section += take;
        b += take;
        len -= take;
        if (x->in_section == ENG_CKPT_EXTRA_SECTION_BYTES) {
            x->open = false;
            x->sections++;
            if (!eng_ckpt_section_end(x->w, err)) return false;
        }
    }
    return true;
}

static bool eng_ckpt_extra_save(eng_part *p, eng_ckpt_writer *w, rt_err *err) {
    const eng_ckpt_hooks *hooks = eng_ckpt_hooks_get();
    if (hooks == NULL || hooks->save == NULL) return true;
    eng_ckpt_extra_w x = {.w = w};
    if (!hooks->save(p, err, eng_ckpt_extra_write, &x)) return false;
    return !x.open || eng_ckpt_section_end(w, err);
}

/* Everything after the file is open: capture, sections, END (yields between row groups). */
static bool eng_ckpt_part_fill(eng_part *p, eng_ckpt_writer *w, eng_ckpt_header *h,
                               eng_ckpt_cap *cap, uint64_t *visible, rt_err *err) {
    if (!eng_ckpt_allowed(err)) return false;
    /* Vacuum is removing graph nodes (eng_vac.h): the graph is saved once that is done. */
    while (p->ann_vacuuming) rt_fiber_sleep_ns(RT_NS_PER_MS);
    eng_ckpt_capture(p, cap, h);
    eng_ckpt_writing_begin(p, cap->snap.ts);
    eng_ckpt_writer_header(w, h);
    eng_ckpt_section_begin(w, ENG_CKPT_S_COLUMNS);
    eng_ckpt_put_columns(&w->buf, cap);
    if (!eng_ckpt_section_end(w, err) || !eng_ckpt_extra_save(p, w, err)) return false;
    if (cap->compact) {
        for (uint32_t n; (n = eng_ckpt_put_compact(w, p, cap)) > 0;) {
            *visible += n;
            if (!eng_ckpt_section_end(w, err)) return false;
            rt_fiber_maybe_yield();
        }
        return eng_ckpt_writer_finish(w, *visible, err);
    }
    for (uint32_t first = 0; first < cap->slot_count;) {
        eng_ckpt_section_begin(w, ENG_CKPT_S_ROWS);
        *visible += eng_ckpt_put_rows(&w->buf, p, cap, first);
        if (!eng_ckpt_section_end(w, err)) return false;
        first += eng_ckpt_group_rows(first);
        rt_fiber_maybe_yield();
    }
    return eng_ckpt_writer_finish(w, *visible, err);
}

bool eng_ckpt_part_write(eng_part *p, eng_ckpt_written *out, rt_err *err) {
    eng_ckpt_header h;
    memset(&h, 0, sizeof h);
    h.kind = ENG_CKPT_KIND_PART;
    h.file_id = eng_ckpt_new_file_id();
    h.object = p->storage_id;
    h.partno = p->partition_no;
    char path[600];
    eng_ckpt_part_path(path, sizeof path, p->storage_id, p->partition_no, h.file_id);
    eng_ckpt_writer w;
    if (!eng_ckpt_writer_open(&w, path, err)) return false;
    eng_ckpt_cap cap;
    memset(&cap, 0, sizeof cap);
    uint64_t visible = 0;
    bool ok = eng_ckpt_part_fill(p, &w, &h, &cap, &visible, err);
    eng_ckpt_writing_end();
    rt_free(cap.cols);
    if (!ok) {
        eng_ckpt_writer_abandon(&w);
        return false;
    }
    out->file_id = h.file_id;
    out->need = h.need;
    out->rows = visible;
    out->bytes = w.bytes_total;
    return true;
}

/* ---- loading ---- */

typedef struct eng_ckpt_extra_piece {
    uint64_t off, len;
} eng_ckpt_extra_piece;

typedef struct eng_ckpt_loader {
    eng_part *p;
    eng_ckpt_reader *r;
    eng_ckpt_cap cap;
    bool *use;                  /* per checkpoint column: copy its values into the partition */
    bool short_group;           /* packed: a row group that is not full was seen (the last) */
    bool encoded;               /* varlen columns carry an encoding byte */
    uint64_t visible;
    eng_ckpt_extra_piece *extra;
    uint32_t extra_count, extra_cap;
} eng_ckpt_loader;

static bool eng_ckpt_load_columns(eng_ckpt_loader *ld, const uint8_t *body, uint64_t len,
                                  rt_err *err) {
    const char *path = ld->r->path;
    eng_part *p = ld->p;
    eng_codec_r r;
    eng_r_init(&r, body, len);
    ld->cap.slot_count = eng_r_u32(&r);
    ld->cap.next_rowid = (int64_t)eng_r_u64(&r);
    const uint8_t *pk = eng_r_raw(&r, 4);
    ld->cap.ncols = eng_r_count(&r, ENG_COLUMNS_MAX);
    if (!eng_r_ok(&r)) return eng_ckpt_corrupt(err, path, "bad column section");
    uint16_t flags;
    memcpy(&ld->cap.pk_count, pk, 2);
    memcpy(&flags, pk + 2, 2);
    if ((flags & ~(ENG_CKPT_FLAG_COMPACT | ENG_CKPT_FLAG_ENCODED)) != 0) {
        return eng_ckpt_corrupt(err, path, "unknown flags");
    }
    ld->cap.compact = (flags & ENG_CKPT_FLAG_COMPACT) != 0;
    ld->encoded = (flags & ENG_CKPT_FLAG_ENCODED) != 0;
    if (ld->cap.slot_count > ENG_PART_SLOTS_MAX) {
        return eng_ckpt_corrupt(err, path, "too many slots");
    }
    if (ld->cap.ncols > p->ncols || ld->cap.pk_count != p->pk_count) {
        return eng_ckpt_corrupt(err, path, "its columns do not match the table");
    }
    ld->cap.cols = rt_xcalloc(ld->cap.ncols + 1u, sizeof(eng_ckpt_col));
    ld->use = rt_xcalloc(ld->cap.ncols + 1u, sizeof(bool));
    for (uint32_t c = 0; c < ld->cap.ncols; c++) {
        eng_ckpt_col *col = &ld->cap.cols[c];
        col->type_oid = eng_r_u32(&r);
        col->typmod = (int32_t)eng_r_u32(&r);
        const uint8_t *b = eng_r_raw(&r, 4);
        col->dims = eng_r_u32(&r);
        if (!eng_r_ok(&r)) return eng_ckpt_corrupt(err, path, "bad column section");
        col->store = b[0];
        col->dropped = b[1] != 0;
        const eng_part_col *pc = &p->cols[c];
        if (col->dropped || pc->dropped) continue; /* values not written, or not wanted */
        bool same = col->type_oid == pc->type_oid && col->store == pc->store &&
                    (col->store != ENG_STORE_VECTOR || col->dims == pc->dims);
        if (!same) return eng_ckpt_corrupt(err, path, "a column does not match the table");
        ld->use[c] = true;
    }
    if (r.pos != len) return eng_ckpt_corrupt(err, path, "bad column section");
    return true;
}

/* Zone map of a chunk just filled, over its non-NULL rows (as eng_part.c keeps them). */
static void eng_ckpt_zone(const eng_part_col *pc, eng_chunk *ch, uint32_t n) {
    eng_zone *z = &ch->zone;
    if (pc->store == ENG_STORE_VARLEN) return; /* each value went through the store's put */
    memset(z, 0, sizeof *z);
    for (uint32_t i = 0; i < n; i++) {
        if (ch->nulls[i]) {
            z->has_null = true;
            continue;
        }
        sql_value v;
        bool isf = pc->store == ENG_STORE_F32 || pc->store == ENG_STORE_F64;
        const uint8_t *base = ch->data;
        switch ((eng_store)pc->store) {
        case ENG_STORE_I8: v.i64 = pc->type_oid == SQL_T_CHAR ? (int8_t)base[i] : base[i]; break;
        case ENG_STORE_I16: v.i64 = ((const int16_t *)base)[i]; break;
        case ENG_STORE_I32: /* oid and reg* types are unsigned, as eng_part_read reads them */
            v.i64 = pc->type_oid == SQL_T_INT4 || pc->type_oid == SQL_T_DATE
                        ? ((const int32_t *)base)[i]
                        : (int64_t)((const uint32_t *)base)[i];
            break;
        case ENG_STORE_I64: v.i64 = ((const int64_t *)base)[i]; break;
        case ENG_STORE_F32: v.f64 = ((const float *)base)[i]; break;
        case ENG_STORE_F64: v.f64 = ((const double *)base)[i]; break;
        case ENG_STORE_FIXED16:
            if (!eng_zone_bytes_type(pc->type_oid)) {
                z->any = true;
                continue;
            }
            v.i64 = eng_zone_bytes_key(base + 16ull * i, 16);
            break;
        default: z->any = true; continue;
        }
        if (isf) {
            if (!z->any || v.f64 < z->min.f64) z->min.f64 = v.f64;
            if (!z->any || v.f64 > z->max.f64) z->max.f64 = v.f64;
        } else {
            if (!z->any || v.i64 < z->min.i64) z->min.i64 = v.i64;
            if (!z->any || v.i64 > z->max.i64) z->max.i64 = v.i64;
        }
        z->any = true;
    }
}

/* Stores row i of a varlen column through the column store's own put, which encodes text
 * chunks as inserts do (so a plain file, or one written before encoding, loads encoded). */
static void eng_ckpt_load_value(eng_ckpt_loader *ld, eng_rowgroup *rg, uint32_t c, uint32_t i,
                                bool null, const uint8_t *bytes, uint32_t len) {
    if (!ld->use[c]) return;
    sql_value v = {.type_oid = ld->p->cols[c].type_oid, .is_null = null};
    if (!null) v.b = (sql_bytes){.ptr = bytes, .len = len};
    eng_part_chunk_put(ld->p, rg, c, i, &v);
}

static bool eng_ckpt_load_plain(eng_ckpt_loader *ld, eng_codec_r *r, eng_rowgroup *rg,
                                uint32_t n, uint32_t c, const uint8_t *nulls) {
    const uint8_t *lens = eng_r_raw(r, (uint64_t)n * 4);
    if (lens == NULL) return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        memcpy(&len, lens + 4ull * i, 4);
        if (nulls[i] && len != 0) return false;
        const uint8_t *bytes = nulls[i] ? NULL : eng_r_raw(r, len);
        if (!nulls[i] && bytes == NULL) return false;
        eng_ckpt_load_value(ld, rg, c, i, nulls[i] != 0, bytes, len);
    }
    return true;
}

static bool eng_ckpt_load_dict(eng_ckpt_loader *ld, eng_codec_r *r, eng_rowgroup *rg,
                               uint32_t n, uint32_t c, const uint8_t *nulls) {
    uint32_t count = eng_r_count(r, ENG_DICT_VALUES_MAX);
    const uint8_t *lens = eng_r_raw(r, (uint64_t)count * 4);
    if (lens == NULL && count > 0) return false;
    sql_bytes vals[ENG_DICT_VALUES_MAX];
    for (uint32_t e = 0; e < count; e++) {
        memcpy(&vals[e].len, lens + 4ull * e, 4);
        vals[e].ptr = eng_r_raw(r, vals[e].len);
        if (vals[e].ptr == NULL) return false;
    }
    const uint8_t *codes = eng_r_raw(r, n);
    if (codes == NULL) return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!nulls[i] && codes[i] >= count) return false;
        const sql_bytes *v = nulls[i] ? NULL : &vals[codes[i]];
        eng_ckpt_load_value(ld, rg, c, i, nulls[i] != 0, v ? v->ptr : NULL, v ? v->len : 0);
    }
    return true;
}

/* Copies one column's arrays of a ROWS section into its chunk (bulk, except varlen). */
static bool eng_ckpt_load_column(eng_ckpt_loader *ld, eng_codec_r *r, eng_rowgroup *rg,
                                 uint32_t n, uint32_t c) {
    const eng_ckpt_col *col = &ld->cap.cols[c];
    const uint8_t *nulls = eng_r_raw(r, n);
    if (nulls == NULL) return false;
    for (uint32_t i = 0; i < n; i++) {
        if (nulls[i] > 1) return false;
    }
    if (col->store == ENG_STORE_VARLEN) {
        uint8_t enc = ld->encoded ? eng_r_u8(r) : ENG_CKPT_VARLEN_PLAIN;
        bool ok = enc == ENG_CKPT_VARLEN_PLAIN  ? eng_ckpt_load_plain(ld, r, rg, n, c, nulls)
                  : enc == ENG_CKPT_VARLEN_DICT ? eng_ckpt_load_dict(ld, r, rg, n, c, nulls)
                                                : false;
        if (ok && ld->use[c]) eng_ckpt_zone(&ld->p->cols[c], eng_part_chunk(ld->p, rg, c), n);
        return ok && eng_r_ok(r);
    }
    eng_chunk *ch = ld->use[c] ? eng_part_chunk(ld->p, rg, c) : NULL;
    if (ch != NULL) memcpy(ch->nulls, nulls, n);
    const uint8_t *data = eng_r_raw(r, (uint64_t)n * eng_ckpt_col_width(col));
    if (data == NULL) return false;
    if (ch != NULL) memcpy(ch->data, data, (uint64_t)n * eng_ckpt_col_width(col));
    if (ch != NULL) eng_ckpt_zone(&ld->p->cols[c], ch, n);
    return true;
}

static bool eng_ckpt_load_rows(eng_ckpt_loader *ld, const uint8_t *body, uint64_t len,
                               rt_err *err) {
    const char *path = ld->r->path;
    eng_part *p = ld->p;
    eng_codec_r r;
    eng_r_init(&r, body, len);
    uint32_t first = eng_r_u32(&r), n = eng_r_u32(&r);
    uint32_t want = first < ld->cap.slot_count ? ld->cap.slot_count - first : 0;
    if (want > eng_ckpt_group_rows(first)) want = eng_ckpt_group_rows(first);
    /* Packed: full row groups but the last one (which the previous one must not have been). */
    bool fits = ld->cap.compact ? !ld->short_group && n <= eng_ckpt_group_rows(first) : n == want;
    if (!eng_r_ok(&r) || first != p->next_slot || n == 0 || !fits) {
        return eng_ckpt_corrupt(err, path, "row groups out of order");
    }
    ld->short_group = n < eng_ckpt_group_rows(first);
    const uint8_t *vis = eng_r_raw(&r, n);
    const uint8_t *rowids = p->pk_count == 0 ? eng_r_raw(&r, (uint64_t)n * 8) : NULL;
    if (!eng_r_ok(&r)) return eng_ckpt_corrupt(err, path, "bad row section");
    for (uint32_t i = 0; i < n; i++) {
        if (vis[i] > 1) return eng_ckpt_corrupt(err, path, "bad row section");
        uint32_t slot = eng_part_alloc_slot(p);
        RT_ASSERT(slot == first + i);
        if (vis[i]) eng_part_set_begin(p, slot, ENG_TS_FROZEN);
        ld->visible += vis[i];
    }
    eng_rowgroup *rg = eng_rg_of(p, first);
    if (rowids != NULL) memcpy(rg->rowid, rowids, (uint64_t)n * 8);
    for (uint32_t c = 0; c < ld->cap.ncols; c++) {
        if (ld->cap.cols[c].dropped) continue;
        if (!eng_ckpt_load_column(ld, &r, rg, n, c)) {
            return eng_ckpt_corrupt(err, path, "bad column values");
        }
    }
    if (r.pos != len) return eng_ckpt_corrupt(err, path, "bad row section");
    for (uint32_t i = 0; i < n; i++) {
        eng_part_live_add(p, vis[i]);
        eng_part_dead_add(p, 1 - vis[i]); /* loaded dead: vacuum takes it */
    }
    return true;
}

/* The hooks read the EXTRA sections back as one stream. */
typedef struct eng_ckpt_extra_r {
    eng_ckpt_loader *ld;
    uint32_t next;
    uint8_t *buf;
    uint64_t len, pos;
} eng_ckpt_extra_r;

static bool eng_ckpt_extra_read(void *ctx, void *out, size_t len, size_t *got, rt_err *err) {
    eng_ckpt_extra_r *x = ctx;
    *got = 0;
    while (*got < len) {
        if (x->pos == x->len) {
            if (x->next == x->ld->extra_count) return true; /* end of the stream */
            const eng_ckpt_extra_piece *pc = &x->ld->extra[x->next++];
            if (!eng_ckpt_reader_reread(x->ld->r, pc->off, pc->len, x->buf, err)) return false;
            x->len = pc->len;
            x->pos = 0;
        }
        uint64_t take = x->len - x->pos;
        if (take > len - *got) take = len - *got;
        memcpy((uint8_t *)out + *got, x->buf + x->pos, take);
        x->pos += take;
        *got += take;
    }
    return true;
}

static bool eng_ckpt_extra_load(eng_ckpt_loader *ld, rt_err *err) {
    const eng_ckpt_hooks *hooks = eng_ckpt_hooks_get();
    if (ld->extra_count == 0 || hooks == NULL || hooks->load == NULL) return true;
    eng_ckpt_extra_r x = {.ld = ld, .buf = rt_xmalloc(ENG_CKPT_EXTRA_SECTION_BYTES)};
    bool ok = hooks->load(ld->p, err, eng_ckpt_extra_read, &x);
    rt_free(x.buf);
    return ok;
}

static bool eng_ckpt_note_extra(eng_ckpt_loader *ld, uint64_t off, uint64_t len, rt_err *err) {
    if (len == 0 || len > ENG_CKPT_EXTRA_SECTION_BYTES) {
        return eng_ckpt_corrupt(err, ld->r->path, "bad extra section");
    }
    if (ld->extra_count == ld->extra_cap) {
        ld->extra_cap = ld->extra_cap == 0 ? 8 : ld->extra_cap * 2;
        ld->extra = rt_xrealloc(ld->extra, ld->extra_cap * sizeof(eng_ckpt_extra_piece));
    }
    ld->extra[ld->extra_count++] = (eng_ckpt_extra_piece){.off = off, .len = len};
    return true;
}

/* Reads every section in order: COLUMNS first, EXTRA pieces (noted), ROWS, END. */
static bool eng_ckpt_load_sections(eng_ckpt_loader *ld, rt_err *err) {
    uint32_t type;
    const uint8_t *body;
    uint64_t len, off;
    bool have_cols = false;
    while (eng_ckpt_reader_next(ld->r, &type, &body, &len, &off, err)) {
        bool ok;
        if (!have_cols) {
            ok = type == ENG_CKPT_S_COLUMNS ? eng_ckpt_load_columns(ld, body, len, err)
                                            : eng_ckpt_corrupt(err, ld->r->path, "no columns");
            have_cols = true;
        } else if (type == ENG_CKPT_S_EXTRA) {
            ok = eng_ckpt_note_extra(ld, off, len, err);
        } else if (type == ENG_CKPT_S_ROWS) {
            ok = eng_ckpt_load_rows(ld, body, len, err);
        } else {
            ok = eng_ckpt_corrupt(err, ld->r->path, "unexpected section");
        }
        if (!ok) return false;
    }
    if (!ld->r->ended) return false;
    uint64_t slots = ld->cap.compact ? ld->visible : ld->cap.slot_count;
    if (!have_cols || ld->p->next_slot != slots || ld->r->end_count != ld->visible) {
        return eng_ckpt_corrupt(err, ld->r->path, "row groups are missing");
    }
    return true;
}

/* The primary key and the secondary indexes of the loaded rows, built in bulk once all are in
 * (eng_part_ixbuild.c): 1M rows take a sort instead of a million descents. */
static bool eng_ckpt_load_indexes(eng_ckpt_loader *ld, rt_err *err) {
    bool duplicate = false;
    if (eng_part_index_build_all(ld->p, &duplicate, err)) return true;
    return duplicate && eng_ckpt_corrupt(err, ld->r->path, "two rows with one key");
}

bool eng_ckpt_part_load(eng_part *p, const eng_table *t, const char *path, eng_ckpt_header *h,
                        uint64_t *rows, rt_err *err) {
    (void)t;
    RT_ASSERT(p->next_slot == 0);
    eng_ckpt_reader r;
    eng_ckpt_loader ld;
    memset(&ld, 0, sizeof ld);
    ld.p = p;
    ld.r = &r;
    bool ok = eng_ckpt_reader_open(&r, path, ENG_CKPT_KIND_PART, err);
    if (ok && (r.header.object != p->storage_id || r.header.partno != p->partition_no)) {
        ok = eng_ckpt_corrupt(err, path, "it belongs to another partition");
    }
    ok = ok && eng_ckpt_load_sections(&ld, err) && eng_ckpt_load_indexes(&ld, err) &&
         eng_ckpt_extra_load(&ld, err);
    if (ok) {
        if (ld.cap.next_rowid > p->next_rowid) p->next_rowid = ld.cap.next_rowid;
        *h = r.header;
        *rows = ld.visible;
    }
    eng_ckpt_reader_close(&r);
    rt_free(ld.cap.cols);
    rt_free(ld.use);
    rt_free(ld.extra);
    return ok;
}
