/* eng_part.c: partition layout, schema changes, reads, scans and key lookups. Writes are in
 * eng_part_write.c. */
#include "engine/eng_part_int.h"

#include <string.h>
#include <sys/mman.h>

#include "engine/eng_key.h"
#include "engine/eng_vac.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

static void eng_part_col_set(eng_part_col *pc, const eng_column *c) {
    pc->type_oid = c->type_oid;
    pc->typmod = c->typmod;
    pc->store = c->store;
    pc->width = eng_store_width((eng_store)c->store);
    pc->dims = c->vector_dims;
    pc->dropped = c->dropped;
    pc->encodable = c->store == ENG_STORE_VARLEN &&
                    (c->type_oid == SQL_T_TEXT || c->type_oid == SQL_T_VARCHAR ||
                     c->type_oid == SQL_T_BPCHAR || c->type_oid == SQL_T_NAME);
    rt_free(pc->missing);
    pc->missing = NULL;
    pc->missing_len = 0;
    pc->has_missing = c->missing != NULL;
    if (pc->has_missing) {
        pc->missing = rt_xmalloc(c->missing_len > 0 ? c->missing_len : 1);
        memcpy(pc->missing, c->missing, c->missing_len);
        pc->missing_len = c->missing_len;
    }
}

void eng_part_unpark(eng_part *p) {
    for (uint32_t j = 0; j < p->parked_count; j++) eng_btree_destroy(p->parked[j].tree);
    rt_free(p->parked);
    p->parked = NULL;
    p->parked_count = 0;
}

/* The parked tree of index `pi` when it was built for definition `def_gen`, else NULL. */
static eng_btree *eng_part_parked_take(eng_part *p, uint64_t def_gen, const eng_pindex *pi) {
    for (uint32_t j = 0; p->parked_def_gen == def_gen && j < p->parked_count; j++) {
        eng_pindex *k = &p->parked[j];
        if (k->oid != pi->oid || k->filenode != pi->filenode || k->tree == NULL) continue;
        eng_btree *tree = k->tree;
        k->tree = NULL;
        return tree;
    }
    return NULL;
}

/* The old indexes' trees no index of the new definition took: parked (definition `was`). */
static void eng_part_park(eng_part *p, uint64_t was) {
    eng_part_unpark(p);
    for (uint32_t j = 0; j < p->index_count; j++) {
        eng_pindex *old = &p->indexes[j];
        eng_part_ixdef_free(old->def);
        if (old->tree == NULL) continue;
        if (p->parked == NULL) p->parked = rt_xcalloc(p->index_count, sizeof *p->parked);
        p->parked[p->parked_count++] = (eng_pindex){.oid = old->oid, .filenode = old->filenode,
                                                    .tree = old->tree};
    }
    p->parked_def_gen = was;
}

static bool eng_part_sync_indexes(eng_part *p, const eng_table *t, uint64_t was, rt_err *err) {
    /* Keep the trees of indexes that still exist in the same storage; build new ones from the
     * rows stored so far (CREATE INDEX on a table with rows, REINDEX) unless one is parked. */
    eng_pindex *fresh = rt_xcalloc(t->index_count + 1u, sizeof *fresh);
    uint32_t *built = rt_xcalloc(t->index_count + 1u, sizeof *built);
    uint32_t n = 0, nbuilt = 0;
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (ix->method != ENG_INDEX_BTREE || ix->primary) continue;
        eng_pindex *pi = &fresh[n++];
        pi->oid = ix->oid;
        pi->filenode = eng_index_filenode(ix);
        pi->unique = ix->unique;
        pi->ncols = ix->column_count;
        memcpy(pi->attnums, ix->attnums, sizeof pi->attnums);
        memcpy(pi->desc, ix->desc, sizeof pi->desc);
        bool exprs = ix->predicate_text != NULL;
        for (uint32_t k = 0; k < ix->column_count; k++) exprs |= ix->attnums[k] == 0;
        if (exprs) pi->def = eng_part_ixdef_new(t, ix);
        for (uint32_t j = 0; j < p->index_count; j++) {
            if (p->indexes[j].oid == ix->oid && p->indexes[j].filenode == pi->filenode) {
                pi->tree = p->indexes[j].tree;
                p->indexes[j].tree = NULL;
            }
        }
        if (pi->tree == NULL) pi->tree = eng_part_parked_take(p, t->def_gen, pi);
        if (pi->tree == NULL) {
            pi->tree = eng_btree_create();
            built[nbuilt++] = ix->oid;
        }
    }
    eng_part_park(p, was);
    rt_free(p->indexes);
    p->indexes = fresh;
    p->index_count = n;
    bool ok = true;
    for (uint32_t i = 0; i < nbuilt && p->next_slot > 0; i++) {
        rt_err e;
        rt_err_clear(&e);
        if (eng_part_index_build(p, built[i], &e)) continue;
        /* A key past the index's size limit (or no room for the sort): the rows were accepted
         * by the primary key, so say which index is incomplete rather than stop the shard; the
         * CREATE INDEX that asked for it fails with the error (sql_session_ddl). */
        rt_log(RT_LOG_ERROR, NULL, "index %u of table %u is incomplete: %s", built[i], t->oid,
               e.message);
        if (ok && err != NULL) *err = e;
        ok = false;
    }
    rt_free(built);
    return ok;
}

eng_part *eng_part_create(const eng_table *t, uint32_t partition_no) {
    eng_part *p = rt_xcalloc(1, sizeof *p);
    p->storage_id = t->storage_id;
    p->partition_no = partition_no;
    p->core = (uint32_t)(rt_core_id_or_none() < 0 ? 0 : rt_core_id_or_none());
    p->table_oid = t->oid;
    p->pk = eng_btree_create();
    p->next_rowid = 1;
    p->tstat = eng_vac_tstat_of(t->storage_id);
    (void)eng_part_sync_schema(p, t, NULL); /* no rows: no index to build */
    return p;
}

static void eng_chunk_free(const eng_part_col *pc, eng_chunk *ch, uint32_t used);

/* Frees the values of column index `c` in every row group: rows read its missing value. */
static void eng_part_col_discard(eng_part *p, uint32_t c) {
    for (uint32_t g = 0; g < p->rg_count; g++) {
        eng_rowgroup *rg = p->rgs[g];
        if (c >= rg->ncols || rg->cols[c] == NULL) continue;
        eng_chunk_free(&p->cols[c], rg->cols[c], rg->used);
        rg->cols[c] = NULL;
    }
}

bool eng_part_sync_schema(eng_part *p, const eng_table *t, rt_err *err) {
    /* A transaction's draft definition reaches partitions when it writes after its DDL, and the
     * draft may then be rolled back: the columns it added go again (only that transaction wrote
     * them), and an attnum it used may come back with another type. */
    if (t->column_count < p->ncols) {
        for (uint32_t c = t->column_count; c < p->ncols; c++) {
            eng_part_col_discard(p, c);
            rt_free(p->cols[c].missing);
            p->cols[c].missing = NULL;
        }
        for (uint32_t g = 0; g < p->rg_count; g++) {
            if (p->rgs[g]->ncols > t->column_count) p->rgs[g]->ncols = t->column_count;
        }
        p->ncols = t->column_count;
    }
    for (uint32_t i = 0; i < p->ncols; i++) {
        const eng_column *c = &t->columns[i];
        if (p->cols[i].store != c->store || p->cols[i].dims != c->vector_dims) {
            eng_part_col_discard(p, i);
        }
    }
    if (t->column_count > p->ncols) {
        p->cols = rt_xrealloc(p->cols, t->column_count * sizeof(eng_part_col));
        memset(p->cols + p->ncols, 0, (t->column_count - p->ncols) * sizeof(eng_part_col));
    }
    for (uint32_t i = 0; i < t->column_count; i++) eng_part_col_set(&p->cols[i], &t->columns[i]);
    p->ncols = t->column_count;
    p->logged = t->persistence == 'p';
    uint64_t was = p->def_gen;
    p->def_gen = t->def_gen;
    p->pk_count = t->pk_count;
    memcpy(p->pk_attnums, t->pk_attnums, sizeof p->pk_attnums);
    bool ok = eng_part_sync_indexes(p, t, was, err);
    eng_part_ann_sync(p, t);
    return ok;
}

static bool eng_chunk_kept_row(const eng_chunk *ch, uint32_t off) {
    return ch->kept_rows != NULL && (ch->kept_rows[off / 64u] >> (off % 64u) & 1u) != 0;
}

static void eng_chunk_kept_free(eng_chunk *ch) {
    eng_dict_destroy(ch->kept);
    rt_free(ch->kept_codes);
    rt_free(ch->kept_rows);
    ch->kept = NULL;
    ch->kept_codes = NULL;
    ch->kept_rows = NULL;
    ch->kept_count = 0;
}

static void eng_chunk_free(const eng_part_col *pc, eng_chunk *ch, uint32_t used) {
    if (ch == NULL) return;
    if (ch->dict != NULL) {
        eng_dict_destroy(ch->dict); /* the rows' values are its entries */
    } else if (pc->store == ENG_STORE_VARLEN) {
        sql_bytes *vals = ch->data;
        for (uint32_t i = 0; i < used; i++) {
            if (!ch->nulls[i] && !eng_chunk_kept_row(ch, i)) rt_free((void *)vals[i].ptr);
        }
    }
    eng_chunk_kept_free(ch);
    if (pc->store == ENG_STORE_VECTOR) {
        rt_free_aligned(ch->data);
    } else {
        rt_free(ch->data);
    }
    rt_free(ch->nulls);
    rt_free(ch);
}

void eng_part_destroy(eng_part *p) {
    if (p == NULL) return;
    eng_tx_share_forget_part(p);
    for (uint32_t g = 0; g < p->rg_count; g++) {
        eng_rowgroup *rg = p->rgs[g];
        for (uint32_t c = 0; c < rg->ncols; c++) {
            eng_chunk_free(&p->cols[c], rg->cols[c], rg->used);
        }
        rt_free(rg->cols);
        rt_free(rg->begin);
        rt_free(rg->end);
        rt_free(rg->older);
        rt_free(rg->rowid);
        rt_free(rg);
    }
    rt_free(p->rgs);
    rt_free(p->free_slots);
    for (uint32_t c = 0; c < p->ncols; c++) rt_free(p->cols[c].missing);
    rt_free(p->cols);
    eng_btree_destroy(p->pk);
    for (uint32_t j = 0; j < p->index_count; j++) {
        eng_btree_destroy(p->indexes[j].tree);
        eng_part_ixdef_free(p->indexes[j].def);
    }
    rt_free(p->indexes);
    eng_part_unpark(p);
    eng_part_ann_destroy(p);
    rt_free(p);
}

uint64_t eng_part_storage_id(const eng_part *p) { return p->storage_id; }
uint64_t eng_part_def_gen(const eng_part *p) { return p->def_gen; }
uint32_t eng_part_number(const eng_part *p) { return p->partition_no; }
uint32_t eng_part_slot_count(const eng_part *p) { return p->next_slot; }
uint64_t eng_part_live_rows_estimate(const eng_part *p) { return p->live_estimate; }
const eng_btree *eng_part_pk_index(const eng_part *p) { return p->pk; }

const eng_btree *eng_part_index(const eng_part *p, uint32_t index_oid) {
    for (uint32_t i = 0; i < p->index_count; i++) {
        if (p->indexes[i].oid == index_oid) return p->indexes[i].tree;
    }
    return NULL;
}

/* A chunk's arrays and dictionaries (plain varlen values are in p->value_bytes). */
static uint64_t eng_chunk_bytes(const eng_part_col *pc, const eng_chunk *ch, uint32_t cap) {
    uint64_t bytes = cap; /* nulls */
    if (ch->dict != NULL) {
        bytes += cap + eng_dict_bytes(ch->dict); /* one-byte codes */
    } else {
        uint32_t width = pc->store == ENG_STORE_VECTOR ? pc->dims * 4u : pc->width;
        bytes += (uint64_t)cap * width;
    }
    if (ch->kept != NULL) bytes += cap + cap / 8u + eng_dict_bytes(ch->kept);
    return bytes;
}

uint64_t eng_part_memory_bytes(const eng_part *p) {
    uint64_t bytes = sizeof *p + p->value_bytes + eng_btree_bytes(p->pk) +
                     (uint64_t)p->free_cap * sizeof(uint32_t);
    for (uint32_t g = 0; g < p->rg_count; g++) {
        const eng_rowgroup *rg = p->rgs[g];
        bytes += sizeof *rg + rg->cap * (8u + 8u + 4u);
        for (uint32_t c = 0; c < rg->ncols; c++) {
            if (rg->cols[c] == NULL) continue;
            bytes += eng_chunk_bytes(&p->cols[c], rg->cols[c], rg->cap);
        }
    }
    for (uint32_t i = 0; i < p->index_count; i++) bytes += eng_btree_bytes(p->indexes[i].tree);
    return bytes;
}

void eng_part_chunk_forms(const eng_part *p, uint16_t attnum, uint32_t *encoded,
                          uint32_t *plain) {
    *encoded = *plain = 0;
    for (uint32_t g = 0; g < p->rg_count; g++) {
        const eng_rowgroup *rg = p->rgs[g];
        if (attnum == 0 || attnum > rg->ncols || rg->cols[attnum - 1] == NULL) continue;
        if (rg->cols[attnum - 1]->dict != NULL) {
            (*encoded)++;
        } else {
            (*plain)++;
        }
    }
}

/* ---- slots and row groups ---- */

static eng_rowgroup *eng_rowgroup_new(const eng_part *p, uint32_t first_slot, uint32_t cap) {
    eng_rowgroup *rg = rt_xcalloc(1, sizeof *rg);
    rg->first_slot = first_slot;
    rg->cap = cap;
    rg->begin = rt_xmalloc(cap * sizeof(uint64_t));
    rg->end = rt_xmalloc(cap * sizeof(uint64_t));
    rg->older = rt_xmalloc(cap * sizeof(uint32_t));
    if (p->pk_count == 0) rg->rowid = rt_xcalloc(cap, sizeof(int64_t));
    rg->ncols = p->ncols;
    rg->cols = rt_xcalloc(p->ncols + 1u, sizeof(eng_chunk *));
    return rg;
}

/* A slot vacuum freed: its stamps say "never visible" until the caller stores the row. */
static uint32_t eng_part_reuse_slot(eng_part *p) {
    uint32_t slot = p->free_slots[--p->free_count];
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    RT_ASSERT(rg->end[off] == ENG_STAMP_FREE);
    RT_ASSERT(rg->free > 0);
    rg->free--;
    rg->begin[off] = ENG_TS_INF;
    rg->end[off] = ENG_TS_INF;
    rg->older[off] = ENG_SLOT_NONE;
    return slot;
}

/* Frees the value of a plain varlen row: its own allocation, or its share of an entry of the
 * dictionary the chunk gave up (vacuum frees only versions no reader can see, so once no row
 * names an entry, nobody holds its bytes). */
static void eng_chunk_release_plain(eng_part *p, eng_chunk *ch, uint32_t off) {
    sql_bytes *b = &((sql_bytes *)ch->data)[off];
    if (eng_chunk_kept_row(ch, off)) {
        ch->kept_rows[off / 64u] &= ~(1ull << (off % 64u));
        uint32_t code = ch->kept_codes[off];
        if (eng_dict_unref(ch->kept, code)) eng_dict_drop(ch->kept, code);
        if (--ch->kept_count == 0) eng_chunk_kept_free(ch);
    } else {
        p->value_bytes -= b->len;
        rt_free((void *)b->ptr);
    }
    *b = (sql_bytes){0};
}

void eng_part_slot_release(eng_part *p, uint32_t slot) {
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    RT_ASSERT(rg->end[off] == ENG_STAMP_DYING);
    for (uint32_t c = 0; c < rg->ncols; c++) {
        eng_chunk *ch = rg->cols[c];
        if (ch == NULL || ch->nulls[off]) continue;
        if (ch->dict != NULL) {
            eng_dict_unref(ch->dict, ((uint8_t *)ch->data)[off]); /* the entry may be reused */
        } else if (p->cols[c].store == ENG_STORE_VARLEN) {
            eng_chunk_release_plain(p, ch, off);
        }
        ch->nulls[off] = 1;
    }
    if (rg->rowid != NULL) rg->rowid[off] = 0;
    rg->begin[off] = ENG_TS_INF;
    rg->end[off] = ENG_STAMP_FREE;
    rg->older[off] = ENG_SLOT_NONE;
    rg->free++;
    if (rg->free == rg->cap) { /* every slot free: the chunks go, re-made on reuse */
        for (uint32_t c = 0; c < rg->ncols; c++) {
            eng_chunk_free(&p->cols[c], rg->cols[c], rg->used);
            rg->cols[c] = NULL;
        }
    }
    if (p->free_count == p->free_cap) {
        p->free_cap = p->free_cap == 0 ? 64 : p->free_cap * 2;
        p->free_slots = rt_xrealloc(p->free_slots, p->free_cap * sizeof(uint32_t));
    }
    p->free_slots[p->free_count++] = slot;
}

uint32_t eng_part_alloc_slot(eng_part *p) {
    if (p->parked != NULL) eng_part_unpark(p);
    if (p->free_count > 0) return eng_part_reuse_slot(p);
    if (p->next_slot >= ENG_PART_SLOTS_MAX) return ENG_SLOT_NONE;
    uint32_t slot = p->next_slot;
    uint32_t g = eng_rg_index(slot);
    if (g == p->rg_count) {
        if (p->rg_count == p->rg_cap) {
            p->rg_cap = p->rg_cap == 0 ? 8 : p->rg_cap * 2;
            p->rgs = rt_xrealloc(p->rgs, p->rg_cap * sizeof(eng_rowgroup *));
        }
        uint32_t cap = g == 0 ? ENG_RG_FIRST_ROWS : ENG_RG_ROWS;
        p->rgs[p->rg_count++] = eng_rowgroup_new(p, slot, cap);
    }
    eng_rowgroup *rg = p->rgs[g];
    uint32_t off = eng_rg_offset(slot);
    RT_ASSERT(off == rg->used);
    rg->used++;
    rg->begin[off] = ENG_TS_INF;
    rg->end[off] = ENG_TS_INF;
    rg->older[off] = ENG_SLOT_NONE;
    p->next_slot++;
    return slot;
}

/* A vector chunk (3 MiB at 768 dimensions) starts on a 2 MiB boundary and asks for
 * transparent huge pages over its whole 2 MiB pages before it is first touched: a read of one
 * vector at a random slot of a large partition (scalar-first candidates, the HNSW walk) then
 * costs no page walk through 4 KiB page tables that no longer fit in the cache. The tail past
 * the last whole huge page stays on small pages (rounding up would waste up to 2 MiB a chunk).
 * A hint: where the kernel has no huge page at hand, the chunk is on small pages as before. */
#define ENG_HUGE_PAGE_BYTES (2u << 20)

static void *eng_vector_chunk_alloc(size_t bytes) {
    bool huge = bytes >= ENG_HUGE_PAGE_BYTES;
    void *data = rt_malloc_aligned(bytes, huge ? ENG_HUGE_PAGE_BYTES : 64u);
#ifdef MADV_HUGEPAGE
    if (huge) (void)madvise(data, bytes / ENG_HUGE_PAGE_BYTES * ENG_HUGE_PAGE_BYTES,
                            MADV_HUGEPAGE);
#endif
    memset(data, 0, bytes);
    return data;
}

/* The chunk of column `c` in `rg`, materialised on first write: earlier rows of the group
 * (stored before ADD COLUMN) get the column's missing value (eng_part_store_row does that;
 * a checkpoint load fills the whole chunk itself). */
eng_chunk *eng_part_chunk(eng_part *p, eng_rowgroup *rg, uint32_t c) {
    if (c >= rg->ncols) {
        rg->cols = rt_xrealloc(rg->cols, (p->ncols + 1u) * sizeof(eng_chunk *));
        memset(rg->cols + rg->ncols, 0, (p->ncols - rg->ncols) * sizeof(eng_chunk *));
        rg->ncols = p->ncols;
    }
    if (rg->cols[c] != NULL) return rg->cols[c];
    const eng_part_col *pc = &p->cols[c];
    eng_chunk *ch = rt_xcalloc(1, sizeof *ch);
    if (pc->store == ENG_STORE_VECTOR) {
        ch->data = eng_vector_chunk_alloc((size_t)rg->cap * pc->dims * sizeof(float));
    } else if (pc->encodable && eng_dict_enabled()) {
        ch->data = rt_xcalloc(rg->cap, 1); /* codes */
        ch->dict = eng_dict_create();
    } else {
        ch->data = rt_xcalloc(rg->cap, pc->width);
    }
    ch->nulls = rt_xmalloc(rg->cap);
    memset(ch->nulls, 1, rg->cap);
    rg->cols[c] = ch; /* eng_part_store_row fills earlier rows with the missing value */
    return ch;
}

/* Byte order (text in the C collation, bytea): memcmp, then the shorter first. */
static int eng_zone_bytes_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen) {
    uint32_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* The length a value compares with: char(n) without its trailing spaces. */
static uint32_t eng_zone_bytes_len(uint32_t type_oid, const uint8_t *bytes, uint32_t len) {
    if (type_oid == SQL_T_BPCHAR) {
        while (len > 0 && bytes[len - 1] == ' ') len--;
    }
    return len;
}

/* The least and greatest first ENG_ZONE_PREFIX_BYTES_MAX bytes (eng_zone), before z->any is
 * set for this value. Cutting keeps order (a <= b: cut(a) <= cut(b)), so the least cut value is
 * the least value's cut and the greatest the greatest's. */
static void eng_zone_note_bytes(eng_zone *z, uint32_t type_oid, const sql_bytes *b) {
    uint32_t len = eng_zone_bytes_len(type_oid, b->ptr, b->len);
    uint32_t n = len < ENG_ZONE_PREFIX_BYTES_MAX ? len : ENG_ZONE_PREFIX_BYTES_MAX;
    if (!z->any || eng_zone_bytes_cmp(b->ptr, n, z->min_bytes, z->min_len) < 0) {
        if (n > 0) memcpy(z->min_bytes, b->ptr, n);
        z->min_len = (uint8_t)n;
    }
    int c = z->any ? eng_zone_bytes_cmp(b->ptr, n, z->max_bytes, z->max_len) : 1;
    if (c > 0) {
        if (n > 0) memcpy(z->max_bytes, b->ptr, n);
        z->max_len = (uint8_t)n;
        z->max_cut = false;
    }
    if (c >= 0 && len > n) z->max_cut = true;
}
RT_STATIC_ASSERT(ENG_ZONE_PREFIX_BYTES_MAX <= UINT8_MAX);

static void eng_zone_note(eng_zone *z, const eng_part_col *pc, const sql_value *v) {
    if (v->is_null) {
        z->has_null = true;
        return;
    }
    if (pc->store == ENG_STORE_F32 || pc->store == ENG_STORE_F64) {
        if (!z->any || v->f64 < z->min.f64) z->min.f64 = v->f64;
        if (!z->any || v->f64 > z->max.f64) z->max.f64 = v->f64;
    } else if (pc->store <= ENG_STORE_I64) {
        if (!z->any || v->i64 < z->min.i64) z->min.i64 = v->i64;
        if (!z->any || v->i64 > z->max.i64) z->max.i64 = v->i64;
    } else if (eng_zone_bytes_type(pc->type_oid)) {
        int64_t k = eng_zone_value_key(pc->type_oid, v->b.ptr, v->b.len);
        if (!z->any || k < z->min.i64) z->min.i64 = k;
        if (!z->any || k > z->max.i64) z->max.i64 = k;
        if (pc->store == ENG_STORE_VARLEN) eng_zone_note_bytes(z, pc->type_oid, &v->b);
    }
    z->any = true;
}

/* Gives up a chunk's dictionary: rows stored so far keep pointing at its entries (readers may
 * hold those pointers), new rows get their own allocations. */
static void eng_chunk_unencode(eng_chunk *ch, uint32_t cap) {
    eng_dict *d = ch->dict;
    const uint8_t *codes = ch->data;
    sql_bytes *vals = rt_xcalloc(cap, sizeof(sql_bytes));
    ch->kept_rows = rt_xcalloc((cap + 63u) / 64u, sizeof(uint64_t));
    for (uint32_t i = 0; i < cap; i++) {
        if (ch->nulls[i]) continue;
        vals[i] = d->vals[codes[i]];
        ch->kept_rows[i / 64u] |= 1ull << (i % 64u);
        ch->kept_count++;
    }
    eng_dict_seal(d);
    /* Entries no row names are garbage now (nothing looks values up any more). */
    for (uint32_t c = 0; c < d->count; c++) {
        if (d->refs[c] == 0) eng_dict_drop(d, c);
    }
    ch->kept = d;
    ch->kept_codes = ch->data;
    ch->data = vals;
    ch->dict = NULL;
    if (ch->kept_count == 0) eng_chunk_kept_free(ch);
}

/* A row group's last row is stored: the dictionary stays only if codes + dictionary are
 * smaller than the plain form would be (a pointer and length per row plus every row's bytes;
 * the allocator's overhead per plain value is left out, which errs towards plain). */
static void eng_chunk_seal(eng_chunk *ch, uint32_t cap) {
    eng_dict *d = ch->dict;
    eng_dict_seal(d);
    uint64_t rows_bytes = 0;
    for (uint32_t c = 0; c < d->count; c++) rows_bytes += (uint64_t)d->vals[c].len * d->refs[c];
    uint64_t encoded = cap + eng_dict_bytes(d);
    uint64_t plain = (uint64_t)cap * sizeof(sql_bytes) + rows_bytes;
    if (encoded >= plain) eng_chunk_unencode(ch, cap);
}

static void eng_chunk_put_varlen(eng_part *p, eng_chunk *ch, uint32_t cap, uint32_t off,
                                 const sql_bytes *b) {
    if (ch->dict != NULL) {
        uint32_t code = eng_dict_put(ch->dict, b->ptr, b->len);
        if (code != ENG_DICT_CODE_NONE) {
            ((uint8_t *)ch->data)[off] = (uint8_t)code;
            if (off + 1u == cap) eng_chunk_seal(ch, cap);
            return;
        }
        ch->nulls[off] = 1; /* not stored yet: the plain chunk must not see the row */
        eng_chunk_unencode(ch, cap);
        ch->nulls[off] = 0;
    }
    uint8_t *copy = rt_xmalloc(b->len > 0 ? b->len : 1);
    if (b->len > 0) memcpy(copy, b->ptr, b->len);
    ((sql_bytes *)ch->data)[off] = (sql_bytes){.ptr = copy, .len = b->len};
    p->value_bytes += b->len;
}

static void eng_chunk_put(eng_part *p, eng_chunk *ch, const eng_part_col *pc, uint32_t cap,
                          uint32_t off, const sql_value *v) {
    eng_zone_note(&ch->zone, pc, v);
    ch->nulls[off] = v->is_null ? 1 : 0;
    if (v->is_null) {
        if (ch->dict != NULL && off + 1u == cap) eng_chunk_seal(ch, cap);
        return;
    }
    uint8_t *base = ch->data;
    switch ((eng_store)pc->store) {
    case ENG_STORE_I8: base[off] = (uint8_t)v->i64; break;
    case ENG_STORE_I16: ((int16_t *)base)[off] = (int16_t)v->i64; break;
    case ENG_STORE_I32: ((int32_t *)base)[off] = (int32_t)v->i64; break;
    case ENG_STORE_I64: ((int64_t *)base)[off] = v->i64; break;
    case ENG_STORE_F32: ((float *)base)[off] = (float)v->f64; break;
    case ENG_STORE_F64: ((double *)base)[off] = v->f64; break;
    case ENG_STORE_FIXED16:
        RT_ASSERT(v->b.len == 16);
        memcpy(base + (size_t)off * 16, v->b.ptr, 16);
        break;
    case ENG_STORE_VARLEN: eng_chunk_put_varlen(p, ch, cap, off, &v->b); break;
    case ENG_STORE_VECTOR:
        RT_ASSERT(v->b.len == pc->dims * sizeof(float));
        memcpy((float *)base + (size_t)off * pc->dims, v->b.ptr, v->b.len);
        break;
    }
}

void eng_part_store_row(eng_part *p, uint32_t slot, const sql_value *row) {
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    for (uint32_t c = 0; c < p->ncols; c++) {
        const eng_part_col *pc = &p->cols[c];
        if (pc->dropped) continue;
        bool fresh = c >= rg->ncols || rg->cols[c] == NULL;
        eng_chunk *ch = eng_part_chunk(p, rg, c);
        if (fresh && pc->has_missing) {
            /* Rows of this group stored before the column existed read its missing value. */
            for (uint32_t i = 0; i < off; i++) {
                if (rg->end[i] == ENG_STAMP_FREE) continue; /* stays NULL until reused */
                sql_value mv = {.type_oid = pc->type_oid};
                eng_codec_r r;
                eng_r_init(&r, pc->missing, pc->missing_len);
                if (sql_phys_of_type(pc->type_oid) == SQL_PHYS_BYTES) {
                    mv.b = (sql_bytes){.ptr = pc->missing, .len = pc->missing_len};
                } else {
                    mv.i64 = (int64_t)eng_r_u64(&r);
                }
                eng_chunk_put(p, ch, pc, rg->cap, i, &mv);
            }
        }
        eng_chunk_put(p, ch, pc, rg->cap, off, &row[c]);
    }
}

void eng_part_chunk_put(eng_part *p, eng_rowgroup *rg, uint32_t c, uint32_t off,
                        const sql_value *v) {
    eng_chunk_put(p, eng_part_chunk(p, rg, c), &p->cols[c], rg->cap, off, v);
}

/* ---- reading ---- */

void eng_part_stamps(const eng_part *p, uint32_t slot, uint64_t *begin, uint64_t *end) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    *begin = rg->begin[off];
    *end = rg->end[off];
}

uint32_t eng_part_older(const eng_part *p, uint32_t slot) {
    return eng_rg_of(p, slot)->older[eng_rg_offset(slot)];
}

static inline bool eng_visible_fast(uint64_t begin, uint64_t end, const eng_snapshot *snap) {
    if (RT_LIKELY(begin <= snap->ts && end == ENG_TS_INF)) return true;
    return eng_version_visible(begin, end, snap);
}

bool eng_part_visible(const eng_part *p, uint32_t slot, const eng_snapshot *snap) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    return eng_visible_fast(rg->begin[off], rg->end[off], snap);
}

static void eng_read_missing(const eng_part_col *pc, sql_value *out) {
    out->is_null = !pc->has_missing;
    if (out->is_null) return;
    if (sql_phys_of_type(pc->type_oid) == SQL_PHYS_BYTES) {
        out->b = (sql_bytes){.ptr = pc->missing, .len = pc->missing_len};
    } else {
        memcpy(&out->i64, pc->missing, 8); /* i64 and f64 share the 8 bytes */
    }
}

static void eng_chunk_read(const eng_part_col *pc, const eng_chunk *ch, uint32_t off,
                           sql_value *out) {
    out->is_null = ch->nulls[off] != 0;
    if (out->is_null) return;
    const uint8_t *base = ch->data;
    switch ((eng_store)pc->store) {
    case ENG_STORE_I8: out->i64 = pc->type_oid == SQL_T_CHAR ? (int8_t)base[off] : base[off]; break;
    case ENG_STORE_I16: out->i64 = ((const int16_t *)base)[off]; break;
    case ENG_STORE_I32:
        /* oid and reg* types are unsigned 32-bit */
        out->i64 = pc->type_oid == SQL_T_INT4 || pc->type_oid == SQL_T_DATE
                       ? ((const int32_t *)base)[off]
                       : (int64_t)((const uint32_t *)base)[off];
        break;
    case ENG_STORE_I64: out->i64 = ((const int64_t *)base)[off]; break;
    case ENG_STORE_F32: out->f64 = ((const float *)base)[off]; break;
    case ENG_STORE_F64: out->f64 = ((const double *)base)[off]; break;
    case ENG_STORE_FIXED16: out->b = (sql_bytes){.ptr = base + (size_t)off * 16, .len = 16}; break;
    case ENG_STORE_VARLEN:
        out->b = ch->dict != NULL ? ch->dict->vals[base[off]] : ((const sql_bytes *)base)[off];
        break;
    case ENG_STORE_VECTOR:
        out->b = (sql_bytes){.ptr = (const uint8_t *)((const float *)base + (size_t)off * pc->dims),
                             .len = pc->dims * (uint32_t)sizeof(float)};
        break;
    }
}

void eng_part_read(const eng_part *p, uint32_t slot, uint16_t attnum, sql_value *out) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    if (attnum == 0) {
        out->type_oid = SQL_T_INT8;
        out->is_null = false;
        out->i64 = rg->rowid != NULL ? rg->rowid[off] : 0;
        return;
    }
    RT_ASSERT(attnum <= p->ncols);
    const eng_part_col *pc = &p->cols[attnum - 1];
    out->type_oid = pc->type_oid;
    if (attnum > rg->ncols || rg->cols[attnum - 1] == NULL) {
        eng_read_missing(pc, out);
        return;
    }
    eng_chunk_read(pc, rg->cols[attnum - 1], off, out);
}

void eng_part_prefetch(const eng_part *p, uint32_t slot, const uint16_t *attnums, uint32_t n) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    __builtin_prefetch(&rg->begin[off]);
    __builtin_prefetch(&rg->end[off]);
    for (uint32_t i = 0; i < n; i++) {
        uint16_t a = attnums[i];
        if (a == 0) {
            if (rg->rowid != NULL) __builtin_prefetch(&rg->rowid[off]);
            continue;
        }
        if (a > rg->ncols || rg->cols[a - 1] == NULL) continue;
        const eng_chunk *ch = rg->cols[a - 1];
        const eng_part_col *pc = &p->cols[a - 1];
        __builtin_prefetch(&ch->nulls[off]);
        if (pc->store == ENG_STORE_VECTOR) continue;
        size_t width = ch->dict != NULL ? 1u : pc->width; /* one-byte codes when encoded */
        __builtin_prefetch((const uint8_t *)ch->data + (size_t)off * width);
    }
}

/* Lines of a vector eng_part_vector_prefetch asks for: the kernels prefetch the next vector's
 * first lines themselves, so this only has to start each one's stream early. */
#define ENG_PART_VECTOR_PREFETCH_LINES 2u
#define ENG_PART_CACHE_LINE_BYTES 64u

void eng_part_vector_prefetch(const eng_part *p, uint32_t slot, uint16_t attnum) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    if (attnum > rg->ncols || rg->cols[attnum - 1] == NULL) return;
    const eng_chunk *ch = rg->cols[attnum - 1];
    __builtin_prefetch(&ch->nulls[off]);
    const float *vec = (const float *)ch->data + (size_t)off * p->cols[attnum - 1].dims;
    const char *v = (const char *)vec;
    for (uint32_t i = 0; i < ENG_PART_VECTOR_PREFETCH_LINES; i++) {
        __builtin_prefetch(v + ENG_PART_CACHE_LINE_BYTES * i);
    }
}

const float *eng_part_vector(const eng_part *p, uint32_t slot, uint16_t attnum) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    const eng_part_col *pc = &p->cols[attnum - 1];
    RT_ASSERT(pc->store == ENG_STORE_VECTOR);
    if (attnum > rg->ncols || rg->cols[attnum - 1] == NULL) return NULL;
    const eng_chunk *ch = rg->cols[attnum - 1];
    if (ch->nulls[off]) return NULL;
    return (const float *)ch->data + (size_t)off * pc->dims;
}

const eng_zone *eng_part_zone(const eng_part *p, uint32_t slot, uint16_t attnum) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    if (attnum == 0 || attnum > rg->ncols || rg->cols[attnum - 1] == NULL) return NULL;
    return &rg->cols[attnum - 1]->zone;
}

uint32_t eng_part_next_rowgroup(const eng_part *p, uint32_t slot) {
    const eng_rowgroup *rg = eng_rg_of(p, slot);
    return rg->first_slot + rg->cap;
}

/* Copies one column of the selected rows of a row group into an output vector. */
static void eng_scan_column(const eng_part *p, const eng_rowgroup *rg, uint16_t attnum,
                            const uint16_t *sel, uint32_t n, sql_vec *out) {
    if (attnum == 0) {
        for (uint32_t i = 0; i < n; i++) out->i64[i] = rg->rowid != NULL ? rg->rowid[sel[i]] : 0;
        if (out->nulls != NULL) memset(out->nulls, 0, n);
        return;
    }
    const eng_part_col *pc = &p->cols[attnum - 1];
    const eng_chunk *ch = attnum <= rg->ncols ? rg->cols[attnum - 1] : NULL;
    if (ch != NULL && ch->dict != NULL && out->phys == SQL_PHYS_BYTES) {
        const uint8_t *codes = ch->data;
        const sql_bytes *vals = ch->dict->vals;
        for (uint32_t i = 0; i < n; i++) {
            out->nulls[i] = ch->nulls[sel[i]];
            if (!out->nulls[i]) out->b[i] = vals[codes[sel[i]]];
        }
        return;
    }
    sql_value v;
    for (uint32_t i = 0; i < n; i++) {
        if (ch == NULL) {
            eng_read_missing(pc, &v);
        } else {
            eng_chunk_read(pc, ch, sel[i], &v);
        }
        out->nulls[i] = v.is_null;
        if (v.is_null) continue;
        switch ((sql_phys)out->phys) {
        case SQL_PHYS_I64: out->i64[i] = v.i64; break;
        case SQL_PHYS_F64: out->f64[i] = v.f64; break;
        case SQL_PHYS_BYTES: out->b[i] = v.b; break;
        }
    }
}

static bool eng_scan_eq_match(const eng_scan_pre *eq, const sql_bytes *v) {
    for (uint32_t k = 0; k < eq->count; k++) {
        const sql_bytes *w = &eq->values[k];
        if (w->len == v->len && (v->len == 0 || memcmp(w->ptr, v->ptr, v->len) == 0)) return true;
    }
    return false;
}

/* The rows of [start, rg->used) that may pass `eq`, into cand[]; returns how many. A dictionary
 * chunk compares the values with its entries once, then only looks at codes. */
static uint32_t eng_scan_eq_rows(const eng_part *p, const eng_rowgroup *rg, const eng_scan_pre *eq,
                                 uint32_t start, uint16_t *cand) {
    const eng_part_col *pc = &p->cols[eq->attnum - 1];
    const eng_chunk *ch = eq->attnum <= rg->ncols ? rg->cols[eq->attnum - 1] : NULL;
    uint32_t n = 0;
    if (ch == NULL) { /* every row reads the column's missing value */
        sql_value v;
        eng_read_missing(pc, &v);
        if (v.is_null || !eng_scan_eq_match(eq, &v.b)) return 0;
        for (uint32_t i = start; i < rg->used; i++) cand[n++] = (uint16_t)i;
        return n;
    }
    if (ch->dict != NULL) {
        const eng_dict *d = ch->dict;
        uint8_t hit[ENG_DICT_VALUES_MAX];
        bool any = false;
        for (uint32_t c = 0; c < d->count; c++) {
            hit[c] = d->refs[c] > 0 && eng_scan_eq_match(eq, &d->vals[c]);
            any |= hit[c];
        }
        if (!any) return 0; /* the row group holds none of the values */
        const uint8_t *codes = ch->data;
        for (uint32_t i = start; i < rg->used; i++) {
            if (!ch->nulls[i] && hit[codes[i]]) cand[n++] = (uint16_t)i;
        }
        return n;
    }
    const sql_bytes *vals = ch->data;
    for (uint32_t i = start; i < rg->used; i++) {
        if (!ch->nulls[i] && eng_scan_eq_match(eq, &vals[i])) cand[n++] = (uint16_t)i;
    }
    return n;
}

bool eng_part_scan(const eng_part *p, const eng_snapshot *snap, uint32_t *cursor,
                   const uint16_t *attnums, uint32_t natts, sql_batch *out, uint32_t *slots_out) {
    return eng_part_scan_pre(p, snap, cursor, attnums, natts, NULL, out, slots_out);
}

/* The chunk of a range's column when the store keeps it as ordered integers and the column
 * still has the range's type; *missing when the row group has no chunk for it (every row reads
 * the column's missing value). NULL and !*missing: the range does not apply here. */
static const eng_chunk *eng_scan_range_chunk(const eng_part *p, const eng_rowgroup *rg,
                                             const eng_scan_range *r, bool *missing) {
    *missing = false;
    uint32_t c = r->attnum - 1u;
    if (r->attnum == 0 || c >= p->ncols) return NULL;
    const eng_part_col *pc = &p->cols[c];
    bool ints = pc->store >= ENG_STORE_I16 && pc->store <= ENG_STORE_I64;
    if (pc->type_oid != r->type_oid || (!ints && !eng_zone_bytes_type(pc->type_oid))) {
        return NULL;
    }
    if (c >= rg->ncols || rg->cols[c] == NULL) {
        *missing = true;
        return NULL;
    }
    return rg->cols[c];
}

static bool eng_scan_range_zone_excludes(const eng_part *p, const eng_rowgroup *rg,
                                         const eng_scan_range *r) {
    bool missing;
    const eng_chunk *ch = eng_scan_range_chunk(p, rg, r, &missing);
    if (ch == NULL) return false;
    const eng_zone *z = &ch->zone;
    if (!z->any) return false;
    if (z->max.i64 < r->lo || z->min.i64 > r->hi) return true;
    if (p->cols[r->attnum - 1u].store != ENG_STORE_VARLEN) return false;
    /* the keys overlap: the prefixes may still tell the values apart (eng_zone) */
    if (r->hi_bytes != NULL) {
        uint32_t len = eng_zone_bytes_len(r->type_oid, r->hi_bytes, r->hi_len);
        if (eng_zone_bytes_cmp(r->hi_bytes, len, z->min_bytes, z->min_len) < 0) return true;
    }
    if (r->lo_bytes != NULL) {
        uint32_t len = eng_zone_bytes_len(r->type_oid, r->lo_bytes, r->lo_len);
        if (z->max_cut && len > z->max_len) len = z->max_len; /* compare their first bytes */
        if (eng_zone_bytes_cmp(r->lo_bytes, len, z->max_bytes, z->max_len) > 0) return true;
    }
    return false;
}

/* Whether a range of `pre` shows from the zone maps that no row of `rg` can pass. */
static bool eng_scan_zone_excludes(const eng_part *p, const eng_rowgroup *rg,
                                   const eng_scan_pre *pre) {
    for (uint32_t k = 0; k < pre->nranges; k++) {
        if (eng_scan_range_zone_excludes(p, rg, &pre->ranges[k])) return true;
    }
    return pre->keys.range.attnum != 0 && eng_scan_range_zone_excludes(p, rg, &pre->keys.range);
}

/* Keeps the rows of sel[0..n) whose value `v` satisfies `keep` (no branch per row: the test
 * is data). Column values widen to int64 exactly as eng_chunk_read reads them. */
#define ENG_SCAN_KEEP_ROWS(T, keep)                                                            \
    do {                                                                                       \
        const T *vals = ch->data;                                                              \
        for (uint32_t i = 0; i < n; i++) {                                                     \
            uint32_t row = sel[i];                                                             \
            int64_t v = vals[row];                                                             \
            sel[k] = (uint16_t)row;                                                            \
            k += (uint32_t)((nulls[row] == 0) & (keep));                                       \
        }                                                                                      \
    } while (0)

/* The key of row `row` of a chunk of a byte-ordered type (eng_zone_bytes_type). */
static int64_t eng_scan_bytes_key(const eng_chunk *ch, eng_store store, uint32_t type_oid,
                                  uint32_t row) {
    if (store == ENG_STORE_FIXED16) {
        return eng_zone_bytes_key((const uint8_t *)ch->data + 16u * row, 16);
    }
    const sql_bytes *b = ch->dict != NULL ? &ch->dict->vals[((const uint8_t *)ch->data)[row]]
                                          : &((const sql_bytes *)ch->data)[row];
    return eng_zone_value_key(type_oid, b->ptr, b->len);
}

/* The rows of sel[0..n) whose byte-ordered column is non-NULL with a key in [lo, hi]. */
static uint32_t eng_scan_bytes_rows(const eng_chunk *ch, eng_store store, uint32_t type_oid,
                                    int64_t lo, int64_t hi, uint16_t *sel, uint32_t n) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t row = sel[i];
        if (ch->nulls[row]) continue;
        int64_t v = eng_scan_bytes_key(ch, store, type_oid, row);
        if (v >= lo && v <= hi) sel[k++] = (uint16_t)row;
    }
    return k;
}

/* The rows of sel[0..n) (compacted in place) whose column is non-NULL and in [r->lo, r->hi],
 * and in the key set `words` when there is one (integer columns: a byte-ordered one is
 * checked by key, its set, never made for it, ignored). Returns how many. */
static uint32_t eng_scan_range_rows(const eng_part *p, const eng_rowgroup *rg,
                                    const eng_scan_range *r, const uint64_t *words,
                                    uint32_t words_log2, uint16_t *sel, uint32_t n) {
    bool missing;
    const eng_chunk *ch = eng_scan_range_chunk(p, rg, r, &missing);
    if (missing) { /* one value for every row */
        sql_value mv = {.is_null = true};
        const eng_part_col *pc = &p->cols[r->attnum - 1u];
        eng_read_missing(pc, &mv);
        if (!mv.is_null && eng_zone_bytes_type(pc->type_oid)) {
            mv.i64 = eng_zone_value_key(pc->type_oid, mv.b.ptr, mv.b.len);
            words = NULL;
        }
        bool pass = !mv.is_null && mv.i64 >= r->lo && mv.i64 <= r->hi;
        if (pass && words != NULL) pass = eng_scan_keys_has(words, words_log2, mv.i64);
        return pass ? n : 0;
    }
    if (ch == NULL) return n;
    const uint8_t *nulls = ch->nulls;
    int64_t lo = r->lo, hi = r->hi;
    uint32_t k = 0;
    eng_store store = (eng_store)p->cols[r->attnum - 1u].store;
    if (store == ENG_STORE_VARLEN || store == ENG_STORE_FIXED16) {
        return eng_scan_bytes_rows(ch, store, p->cols[r->attnum - 1u].type_oid, lo, hi, sel, n);
    }
    if (words == NULL) {
        if (store == ENG_STORE_I16) ENG_SCAN_KEEP_ROWS(int16_t, (v >= lo) & (v <= hi));
        else if (store == ENG_STORE_I32) ENG_SCAN_KEEP_ROWS(int32_t, (v >= lo) & (v <= hi));
        else ENG_SCAN_KEEP_ROWS(int64_t, (v >= lo) & (v <= hi));
        return k;
    }
    uint32_t lg = words_log2;
    if (store == ENG_STORE_I16) {
        ENG_SCAN_KEEP_ROWS(int16_t, (v >= lo) & (v <= hi) & eng_scan_keys_has(words, lg, v));
    } else if (store == ENG_STORE_I32) {
        ENG_SCAN_KEEP_ROWS(int32_t, (v >= lo) & (v <= hi) & eng_scan_keys_has(words, lg, v));
    } else {
        ENG_SCAN_KEEP_ROWS(int64_t, (v >= lo) & (v <= hi) & eng_scan_keys_has(words, lg, v));
    }
    return k;
}

/* The rows of sel[0..n) that may pass key set `keys` (range and set). On trial, the range and
 * the set run as two passes so that the set's own rejects are counted (NULLs and values
 * outside the range are the range's, which stays on whatever the verdict); judged, the set
 * runs fused with its range, or not at all when it was switched off. */
static uint32_t eng_scan_keys_rows(const eng_part *p, const eng_rowgroup *rg,
                                   const eng_scan_keys *keys, uint16_t *sel, uint32_t n) {
    eng_scan_keys_stats *st = keys->stats;
    if (st == NULL || st->tested >= ENG_SCAN_KEYS_PROBE_ROWS) {
        const uint64_t *words = st != NULL && st->off ? NULL : keys->words;
        return eng_scan_range_rows(p, rg, &keys->range, words, keys->words_log2, sel, n);
    }
    n = eng_scan_range_rows(p, rg, &keys->range, NULL, 0, sel, n);
    /* The set alone: its range over every value (the rows left are in range already). */
    eng_scan_range all = {.attnum = keys->range.attnum, .type_oid = keys->range.type_oid,
                          .lo = INT64_MIN, .hi = INT64_MAX};
    uint32_t kept = n > 0 ? eng_scan_range_rows(p, rg, &all, keys->words, keys->words_log2,
                                                sel, n) : 0;
    st->tested += n;
    st->rejected += n - kept;
    if (st->tested >= ENG_SCAN_KEYS_PROBE_ROWS) {
        st->off = st->rejected * 100u < st->tested * ENG_SCAN_KEYS_REJECT_MIN_PCT;
    }
    return kept;
}

uint32_t eng_scan_keys_words_log2(uint64_t key_count) {
    uint32_t log2 = ENG_SCAN_KEYS_WORDS_LOG2_MIN;
    while (log2 < ENG_SCAN_KEYS_WORDS_LOG2_MAX &&
           (UINT64_C(64) << log2) < key_count * ENG_SCAN_KEYS_BITS_PER_KEY) {
        log2++;
    }
    while (log2 < ENG_SCAN_KEYS_SMALL_WORDS_LOG2 &&
           (UINT64_C(64) << log2) < key_count * ENG_SCAN_KEYS_SMALL_BITS_PER_KEY) {
        log2++;
    }
    return log2;
}

/* The visible rows of [start, rg->used). */
static uint32_t eng_scan_visible_count(const eng_rowgroup *rg, uint32_t start,
                                       const eng_snapshot *snap) {
    uint32_t n = 0;
    for (uint32_t i = start; i < rg->used; i++) {
        n += eng_visible_fast(rg->begin[i], rg->end[i], snap);
    }
    return n;
}

/* The visible rows of [start, rg->used) that may pass `pre`, into sel[]; returns how many. */
static uint32_t eng_scan_select(const eng_part *p, const eng_rowgroup *rg, uint32_t start,
                                const eng_snapshot *snap, const eng_scan_pre *pre,
                                uint16_t *sel) {
    uint32_t n = 0;
    if (pre != NULL && pre->attnum != 0 && eng_dict_enabled()) {
        uint16_t cand[ENG_RG_ROWS];
        if (pre->visible != NULL) *pre->visible += eng_scan_visible_count(rg, start, snap);
        uint32_t m = eng_scan_eq_rows(p, rg, pre, start, cand);
        for (uint32_t k = 0; k < m; k++) {
            uint32_t i = cand[k];
            if (eng_visible_fast(rg->begin[i], rg->end[i], snap)) sel[n++] = (uint16_t)i;
        }
    } else {
        for (uint32_t i = start; i < rg->used; i++) {
            if (eng_visible_fast(rg->begin[i], rg->end[i], snap)) sel[n++] = (uint16_t)i;
        }
    }
    if (pre == NULL) return n;
    if (pre->seen != NULL) *pre->seen += n;
    if (pre->visible != NULL && (pre->attnum == 0 || !eng_dict_enabled())) *pre->visible += n;
    for (uint32_t k = 0; k < pre->nranges && n > 0; k++) {
        n = eng_scan_range_rows(p, rg, &pre->ranges[k], NULL, 0, sel, n);
    }
    const eng_scan_keys *keys = &pre->keys;
    if (keys->range.attnum != 0 && n > 0) n = eng_scan_keys_rows(p, rg, keys, sel, n);
    return n;
}

bool eng_part_scan_pre(const eng_part *p, const eng_snapshot *snap, uint32_t *cursor,
                       const uint16_t *attnums, uint32_t natts, const eng_scan_pre *pre,
                       sql_batch *out, uint32_t *slots_out) {
    out->rows = 0;
    if (*cursor >= p->next_slot) return false;
    const eng_rowgroup *rg = eng_rg_of(p, *cursor);
    uint32_t start = eng_rg_offset(*cursor);
    if (pre != NULL && eng_scan_zone_excludes(p, rg, pre)) {
        if (pre->visible != NULL) *pre->visible += eng_scan_visible_count(rg, start, snap);
        *cursor = rg->first_slot + rg->cap;
        return true;
    }
    uint16_t sel[ENG_RG_ROWS];
    uint32_t n = eng_scan_select(p, rg, start, snap, pre, sel);
    RT_ASSERT(n <= out->cap);
    for (uint32_t c = 0; c < natts; c++) eng_scan_column(p, rg, attnums[c], sel, n, &out->cols[c]);
    if (slots_out != NULL) {
        for (uint32_t i = 0; i < n; i++) slots_out[i] = rg->first_slot + sel[i];
    }
    out->rows = n;
    *cursor = rg->first_slot + rg->cap;
    return true;
}

/* ---- keys ---- */

bool eng_part_row_key(const eng_part *p, const sql_value *row, int64_t rowid, eng_codec_w *key,
                      rt_err *err) {
    if (p->pk_count == 0) {
        sql_value v = {.type_oid = SQL_T_INT8, .is_null = false, .i64 = rowid};
        return eng_key_append(key, &v, false, err);
    }
    for (uint32_t i = 0; i < p->pk_count; i++) {
        if (!eng_key_append(key, &row[p->pk_attnums[i] - 1], false, err)) return false;
    }
    return true;
}

bool eng_part_key_of(const eng_part *p, uint32_t slot, eng_codec_w *key, rt_err *err) {
    if (p->pk_count == 0) {
        sql_value v;
        eng_part_read(p, slot, 0, &v);
        return eng_key_append(key, &v, false, err);
    }
    for (uint32_t i = 0; i < p->pk_count; i++) {
        sql_value v;
        eng_part_read(p, slot, p->pk_attnums[i], &v);
        if (!eng_key_append(key, &v, false, err)) return false;
    }
    return true;
}

uint32_t eng_part_pk_newest(const eng_part *p, const uint8_t *key, uint32_t len) {
    uint64_t slot;
    return eng_btree_get(p->pk, key, len, &slot) ? (uint32_t)slot : ENG_SLOT_NONE;
}

uint32_t eng_part_pk_lookup(const eng_part *p, const uint8_t *key, uint32_t len,
                            const eng_snapshot *snap) {
    uint32_t slot = eng_part_pk_newest(p, key, len);
    while (slot != ENG_SLOT_NONE) {
        if (eng_part_visible(p, slot, snap)) return slot;
        slot = eng_part_older(p, slot);
    }
    return ENG_SLOT_NONE;
}

/* ---- row images (WAL, checkpoints) ---- */

void eng_row_encode(eng_codec_w *w, const eng_part *p, const sql_value *row) {
    eng_w_u32(w, p->ncols);
    for (uint32_t c = 0; c < p->ncols; c++) {
        const sql_value *v = &row[c];
        if (p->cols[c].dropped || v->is_null) {
            eng_w_u8(w, 0);
            continue;
        }
        eng_w_u8(w, 1);
        if (sql_phys_of_type(p->cols[c].type_oid) == SQL_PHYS_BYTES) {
            eng_w_bytes(w, v->b.ptr, v->b.len);
        } else {
            eng_w_u64(w, (uint64_t)v->i64);
        }
    }
}

bool eng_row_decode(eng_codec_r *r, const eng_part *p, sql_value *row) {
    uint32_t n = eng_r_u32(r);
    for (uint32_t c = 0; c < p->ncols; c++) {
        sql_value *v = &row[c];
        v->type_oid = p->cols[c].type_oid;
        if (c >= n) { /* written before ADD COLUMN */
            eng_read_missing(&p->cols[c], v);
            continue;
        }
        v->is_null = eng_r_u8(r) == 0;
        if (v->is_null) continue;
        if (sql_phys_of_type(p->cols[c].type_oid) == SQL_PHYS_BYTES) {
            v->b.ptr = eng_r_bytes(r, &v->b.len);
        } else {
            v->i64 = (int64_t)eng_r_u64(r);
        }
    }
    return eng_r_ok(r) && n <= p->ncols;
}
