/* sql_exec_ixscan.c: IXSCAN, a partition read through a secondary B-tree index.
 * The index condition becomes key ranges over the leading column's encoding (one per distinct
 * `=` / IN value, or one range), computed once per fragment. An entry (index key ++ primary
 * key -> slot of the version that wrote it) is only a candidate: the row's version visible to
 * the snapshot is found through the primary key, and the entry counts only when it is that
 * version's own entry (its current index key and primary key give the same bytes). So a row
 * comes once even when older versions left entries under other values, and never under a
 * value it no longer has; the whole filter is then re-checked on the visible version. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_dist.h"
#include "engine/eng_hnsw.h"
#include "engine/eng_key.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_hybrid.h"

/* Top-k mode (the hybrid planner's scalar-first by index, p->scan.topk_col != 0): instead of
 * every candidate row, the scan returns the k nearest of its fragment by the ORDER BY
 * distance. The distances are computed from the vectors in place, a few candidates at a time
 * with the next vector prefetched, and only the k kept rows are copied out at the end: no
 * sort of every candidate, no row materialised for a candidate that loses. The value is the
 * SQL operator's own (sql_fn_vector.c: same kernels, same double arithmetic), so the k rows
 * are the ones the sort above would have kept; NaN ranks after numbers and NULL after NaN,
 * as ORDER BY ... ASC orders them. */
#define SQL_IX_TOPK_CHUNK 16u /* vectors scored per kernel call: stay in L2 for the norms */
/* Top-k mode reads its candidates in slot order, not in index order: a round takes up to
 * SQL_IX_ROUND_ENTRIES entries from the index, sorts them by slot and only then checks and
 * reads them. On a large partition the entries of one index range point all over the store;
 * in slot order the reads of neighbouring candidates share row groups, pages and TLB entries,
 * and the next candidates' stamps and cells are prefetched while one is checked. The result
 * is the same: the heap keeps the k nearest whatever the order. */
#define SQL_IX_ROUND_ENTRIES 8192u      /* 96 KiB of entries: 1.6 rounds for 1% of 500K rows */
#define SQL_IX_ROUND_KEY_BYTES (256u * 1024u) /* keys of a round (a round ends when full) */
#define SQL_IX_PREFETCH_AHEAD 8u        /* candidates whose cells load while one is checked */

typedef struct sql_ix_hit {
    double dist;
    uint32_t rank;           /* 0 a number, 1 NaN, 2 NULL */
    uint32_t part_index;     /* position in x->frag_partitions */
    uint32_t slot;
} sql_ix_hit;

typedef struct sql_ix_topk {
    const float *query;
    uint32_t dims;
    double query_norm_sq;
    uint32_t k;
    uint32_t count;
    sql_ix_hit *heap;        /* max-heap: the farthest kept hit on top */
    bool emitted;
} sql_ix_topk;

/* An index entry of a round: its slot and its key (in the round's key bytes). */
typedef struct sql_ix_entry {
    uint32_t slot;
    uint32_t key_off;
    uint32_t key_len;
} sql_ix_entry;

typedef struct sql_ix_round {
    sql_ix_entry *entries;   /* SQL_IX_ROUND_ENTRIES */
    sql_ix_entry *spare;     /* as many: the radix sort's other buffer */
    uint8_t *keys;           /* SQL_IX_ROUND_KEY_BYTES */
} sql_ix_round;

typedef struct sql_ix_range {
    const uint8_t *lo, *hi;   /* encoded bounds of the leading column; NULL = open */
    uint32_t lo_len, hi_len;
    bool lo_incl, hi_incl;
} sql_ix_range;

typedef struct sql_op_ixscan {
    sql_op base;
    sql_ix_range *ranges;
    uint32_t nranges;
    uint32_t part_index;     /* position in x->frag_partitions */
    uint32_t range_index;
    bool positioned;         /* `it` is seeked for the current range and partition */
    uint32_t *slots;         /* visible versions of the batch being filled */
    eng_btree_iter it;
    sql_ix_topk *topk;       /* top-k mode, or NULL */
    sql_ix_round round;      /* top-k mode's buffers */
} sql_op_ixscan;

/* Encodes `first` then more[0..nmore) as consecutive index columns (desc[i] each); *null when
 * one is NULL (the condition then matches nothing). */
static bool sql_ix_encode_n(sql_exec_ctx *x, sql_eval_ctx *ec, const sql_expr *first,
                            sql_expr *const *more, uint32_t nmore, const bool *desc,
                            const uint8_t **out, uint32_t *len, bool *null) {
    eng_codec_w w;
    eng_w_init(&w);
    bool ok = true;
    *null = false;
    for (uint32_t i = 0; ok && !*null && i <= nmore; i++) {
        sql_value v;
        ok = sql_eval_scalar(ec, i == 0 ? first : more[i - 1], &v);
        if (ok) *null = v.is_null;
        if (ok && !v.is_null) ok = eng_key_append(&w, &v, desc[i], x->err);
    }
    uint8_t *copy = ok && !*null ? rt_arena_alloc(x->arena, w.len + 1u) : NULL;
    if (ok && !*null && copy == NULL) ok = rt_arena_fail(x->arena, x->err);
    if (copy != NULL) memcpy(copy, w.buf, w.len);
    *out = copy;
    *len = (uint32_t)w.len;
    rt_free(w.buf);
    return ok;
}

static bool sql_ix_encode(sql_exec_ctx *x, sql_eval_ctx *ec, const sql_expr *e, bool desc,
                          const uint8_t **out, uint32_t *len, bool *null) {
    return sql_ix_encode_n(x, ec, e, NULL, 0, &desc, out, len, null);
}

static int sql_ix_range_cmp(const void *a, const void *b) {
    const sql_ix_range *ra = a, *rb = b;
    uint32_t n = ra->lo_len < rb->lo_len ? ra->lo_len : rb->lo_len;
    int c = memcmp(ra->lo, rb->lo, n);
    return c != 0 ? c : (ra->lo_len > rb->lo_len) - (ra->lo_len < rb->lo_len);
}

/* One range per distinct value (with the next columns' `=` values), in key order. */
static bool sql_ix_eq_ranges(sql_op_ixscan *s, sql_exec_ctx *x, sql_eval_ctx *ec) {
    const sql_plan *p = s->base.plan;
    s->ranges = rt_arena_zalloc(x->arena, sizeof(sql_ix_range) * (p->scan.ix_nvals + 1u));
    if (s->ranges == NULL) return rt_arena_fail(x->arena, x->err);
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->scan.ix_nvals; i++) {
        sql_ix_range *r = &s->ranges[n];
        bool null;
        if (!sql_ix_encode_n(x, ec, p->scan.ix_vals[i], p->scan.ix_more, p->scan.ix_nmore,
                             p->scan.index->desc, &r->lo, &r->lo_len, &null)) {
            return false;
        }
        if (null) continue;
        r->hi = r->lo;
        r->hi_len = r->lo_len;
        r->lo_incl = r->hi_incl = true;
        n++;
    }
    qsort(s->ranges, n, sizeof(sql_ix_range), sql_ix_range_cmp);
    s->nranges = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (s->nranges > 0 && sql_ix_range_cmp(&s->ranges[s->nranges - 1], &s->ranges[i]) == 0) {
            continue;
        }
        s->ranges[s->nranges++] = s->ranges[i];
    }
    return true;
}

/* ---- top-k mode ---------------------------------------------------------------------- */

/* Top-k mode's state when the plan asks for it and the statement allows it: a NULL or
 * wrong-length query, or a k beyond ENG_HNSW_K_MAX, leaves every row to the sort above (which
 * orders them, or raises the operator's error). */
static bool sql_ix_topk_open(sql_op_ixscan *s, sql_exec_ctx *x, sql_eval_ctx *ec) {
    const sql_plan *p = s->base.plan;
    if (p->scan.topk_col == 0) return true;
    sql_value q, k;
    if (!sql_eval_scalar(ec, p->scan.topk_query, &q) || !sql_eval_scalar(ec, p->scan.topk_k, &k)) {
        return false;
    }
    uint16_t attnum = p->scan.attnums[p->scan.topk_col - 1];
    uint32_t dims = (uint32_t)p->scan.table->columns[attnum - 1].vector_dims;
    if (q.is_null || k.is_null || k.i64 <= 0 || k.i64 > ENG_HNSW_K_MAX || dims == 0 ||
        q.b.len != dims * (uint32_t)sizeof(float)) {
        return true;
    }
    sql_ix_topk *t = rt_arena_zalloc(x->arena, sizeof *t);
    if (t != NULL) t->heap = rt_arena_alloc(x->arena, sizeof(sql_ix_hit) * (size_t)k.i64);
    if (t == NULL || t->heap == NULL) return rt_arena_fail(x->arena, x->err);
    t->query = (const float *)q.b.ptr;
    t->dims = dims;
    t->k = (uint32_t)k.i64;
    if (p->scan.topk_metric == ENG_HNSW_COSINE) t->query_norm_sq = eng_dist_norm_sq(t->query, dims);
    s->topk = t;
    return true;
}

static bool sql_ix_hit_less(const sql_ix_hit *a, const sql_ix_hit *b) {
    return a->rank != b->rank ? a->rank < b->rank : a->dist < b->dist;
}

/* Keeps `h` if it is among the k nearest so far (a max-heap of at most k). */
static void sql_ix_topk_push(sql_ix_topk *t, sql_ix_hit h) {
    sql_ix_hit *heap = t->heap;
    uint32_t i;
    if (t->count < t->k) {
        i = t->count++;
        while (i > 0 && sql_ix_hit_less(&heap[(i - 1) / 2], &h)) {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        heap[i] = h;
        return;
    }
    if (!sql_ix_hit_less(&h, &heap[0])) return;
    i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= t->count) break;
        if (c + 1 < t->count && sql_ix_hit_less(&heap[c], &heap[c + 1])) c++;
        if (!sql_ix_hit_less(&h, &heap[c])) break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = h;
}

/* The operator's value from the kernel's sum (sql_fn_vector.c computes the same). */
static double sql_ix_topk_finish(const sql_ix_topk *t, uint32_t metric, float raw,
                                 const float *v) {
    switch (metric) {
    case ENG_HNSW_L2: return sqrt((double)raw);
    case ENG_HNSW_IP: return -(double)raw;
    default: {
        double nb = eng_dist_norm_sq(v, t->dims); /* the vector is in cache from the sum */
        double sim = (double)raw / sqrt(t->query_norm_sq * nb);
        if (isnan(sim)) return NAN;
        if (sim > 1) sim = 1;
        if (sim < -1) sim = -1;
        return 1.0 - sim;
    }
    }
}

/* Scores up to SQL_IX_TOPK_CHUNK candidates (the kernel prefetches each next vector). */
static void sql_ix_topk_score(sql_ix_topk *t, uint32_t metric, const float **vecs,
                              const uint32_t *slots, uint32_t n, uint32_t part_index) {
    float raw[SQL_IX_TOPK_CHUNK];
    if (metric == ENG_HNSW_L2) eng_dist_active->l2sq_ptrs(t->query, vecs, n, t->dims, raw);
    else eng_dist_active->dot_ptrs(t->query, vecs, n, t->dims, raw);
    for (uint32_t i = 0; i < n; i++) {
        double d = sql_ix_topk_finish(t, metric, raw[i], vecs[i]);
        sql_ix_hit h = {.dist = d, .rank = isnan(d) ? 1u : 0u, .part_index = part_index,
                        .slot = slots[i]};
        sql_ix_topk_push(t, h);
    }
}

/* The rows of batch `b` (slots s->slots) that passed the WHERE (sel) go to the heap. */
static void sql_ix_topk_add(sql_op_ixscan *s, const sql_batch *b, const uint8_t *sel,
                            uint32_t part_index) {
    const sql_plan *p = s->base.plan;
    sql_ix_topk *t = s->topk;
    const sql_vec *col = &b->cols[p->scan.topk_col - 1];
    const float *vecs[SQL_IX_TOPK_CHUNK];
    uint32_t slots[SQL_IX_TOPK_CHUNK], n = 0;
    for (uint32_t r = 0; r < b->rows; r++) {
        if (!sel[r]) continue;
        if (sql_vec_is_null(col, r) || col->b[r].len != t->dims * sizeof(float)) {
            /* NULL sorts last; a wrong length cannot be stored in a vector(n) column */
            sql_ix_topk_push(t, (sql_ix_hit){.rank = 2, .part_index = part_index,
                                             .slot = s->slots[r]});
            continue;
        }
        vecs[n] = (const float *)col->b[r].ptr;
        slots[n++] = s->slots[r];
        if (n == SQL_IX_TOPK_CHUNK) {
            sql_ix_topk_score(t, p->scan.topk_metric, vecs, slots, n, part_index);
            n = 0;
        }
    }
    if (n > 0) sql_ix_topk_score(t, p->scan.topk_metric, vecs, slots, n, part_index);
}

/* The kept rows, read from their partitions once every candidate has been seen. */
static bool sql_ix_topk_emit(sql_op_ixscan *s, sql_exec_ctx *x, sql_batch **out) {
    const sql_plan *p = s->base.plan;
    sql_ix_topk *t = s->topk;
    t->emitted = true;
    if (t->count == 0) return true;
    sql_batch *b = sql_exec_batch(s->base.batch_arena, p, t->count);
    if (b == NULL) return false;
    for (uint32_t r = 0; r < t->count; r++) {
        const sql_ix_hit *h = &t->heap[r];
        uint32_t partno = x->frag_partitions[h->part_index];
        sql_scan_read_row(p, eng_partition(p->scan.table, partno), partno, h->slot, b, r);
    }
    b->rows = t->count;
    *out = b;
    return true;
}

static bool sql_ixscan_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_ixscan *s = (sql_op_ixscan *)op;
    const sql_plan *p = op->plan;
    bool desc = p->scan.index->desc[0];
    s->slots = rt_arena_alloc(x->arena, sizeof(uint32_t) * SQL_BATCH_ROWS);
    if (s->slots == NULL) return rt_arena_fail(x->arena, x->err);
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    if (!sql_ix_topk_open(s, x, &ec)) return false;
    if (p->scan.ix_nvals > 0) return sql_ix_eq_ranges(s, x, &ec);
    s->ranges = rt_arena_zalloc(x->arena, sizeof(sql_ix_range));
    if (s->ranges == NULL) return rt_arena_fail(x->arena, x->err);
    sql_ix_range *r = s->ranges;
    bool lo_null = false, hi_null = false;
    if (p->scan.ix_lo != NULL &&
        !sql_ix_encode(x, &ec, p->scan.ix_lo, desc, &r->lo, &r->lo_len, &lo_null)) {
        return false;
    }
    if (p->scan.ix_hi != NULL &&
        !sql_ix_encode(x, &ec, p->scan.ix_hi, desc, &r->hi, &r->hi_len, &hi_null)) {
        return false;
    }
    r->lo_incl = p->scan.ix_lo_incl;
    r->hi_incl = p->scan.ix_hi_incl;
    if (desc) { /* inverted bytes: the value range runs backwards over the keys */
        sql_ix_range d = {.lo = r->hi, .lo_len = r->hi_len, .lo_incl = r->hi_incl,
                          .hi = r->lo, .hi_len = r->lo_len, .hi_incl = r->lo_incl};
        *r = d;
    }
    s->nranges = lo_null || hi_null ? 0 : 1; /* a NULL bound matches no row */
    return true;
}

static bool sql_ix_has_prefix(const uint8_t *key, uint32_t len, const uint8_t *pre,
                              uint32_t pre_len) {
    return len >= pre_len && memcmp(key, pre, pre_len) == 0;
}

/* Whether `key` lies past the range's upper end (the scan of this range is over). */
static bool sql_ix_past_hi(const sql_ix_range *r, const uint8_t *key, uint32_t len) {
    if (r->hi == NULL) return false;
    if (sql_ix_has_prefix(key, len, r->hi, r->hi_len)) return !r->hi_incl;
    uint32_t n = len < r->hi_len ? len : r->hi_len;
    int c = memcmp(key, r->hi, n);
    return c > 0 || (c == 0 && len > r->hi_len);
}

/* The visible version of the row behind entry (key, slot) when that version owns the entry;
 * ENG_SLOT_NONE otherwise. */
static bool sql_ix_candidate(sql_exec_ctx *x, const eng_part *part, const eng_index *ix,
                             const uint8_t *key, uint32_t len, uint32_t slot, uint32_t *vis) {
    *vis = ENG_SLOT_NONE;
    eng_codec_w pk, mine;
    eng_w_init(&pk);
    eng_w_init(&mine);
    bool ok = true;
    uint32_t v = slot;
    /* A row has at most one version visible to a snapshot, so when the entry's own slot is
     * visible it is the version the primary-key lookup would find: skip that lookup (a
     * B-tree search per candidate, most of an index scan's time on a large partition). */
    if (!eng_part_visible(part, slot, &x->snap)) {
        ok = eng_part_key_of(part, slot, &pk, x->err);
        v = ok ? eng_part_pk_lookup(part, pk.buf, (uint32_t)pk.len, &x->snap) : ENG_SLOT_NONE;
    }
    bool included = false;
    /* The engine computes the entry as it made it (expressions, a partial index's predicate). */
    if (ok && v != ENG_SLOT_NONE) ok = eng_part_index_entry(part, ix->oid, v, &mine, &included,
                                                            x->err);
    if (ok && included && mine.len == len && memcmp(mine.buf, key, len) == 0) *vis = v;
    rt_free(pk.buf);
    rt_free(mine.buf);
    return ok;
}

/* The next entry of the current partition's ranges (false: none left), moving on to the next
 * range past each one's end and skipping keys an exclusive lower bound leaves out. */
static bool sql_ix_next_entry(sql_op_ixscan *s, sql_exec_ctx *x, const eng_btree *tree,
                              const uint8_t **key, uint32_t *len, uint64_t *slot) {
    while (s->range_index < s->nranges) {
        const sql_ix_range *r = &s->ranges[s->range_index];
        if (!s->positioned) {
            eng_btree_seek(&s->it, tree, r->lo, r->lo_len, true);
            s->positioned = true;
        }
        bool more = eng_btree_next(&s->it, key, len, slot);
        if (!more || sql_ix_past_hi(r, *key, *len)) {
            s->range_index++;
            s->positioned = false;
            continue;
        }
        x->stats.rows_scanned++;
        if (r->lo != NULL && !r->lo_incl && sql_ix_has_prefix(*key, *len, r->lo, r->lo_len)) {
            continue;
        }
        return true;
    }
    return false;
}

/* Collects up to a batch of visible slots from the current partition's ranges; *n rows. */
static bool sql_ix_collect(sql_op_ixscan *s, sql_exec_ctx *x, const eng_part *part,
                           const eng_btree *tree, uint32_t *n) {
    const eng_index *ix = s->base.plan->scan.index;
    *n = 0;
    while (*n < SQL_BATCH_ROWS) {
        const uint8_t *key;
        uint32_t len;
        uint64_t slot;
        if (!sql_ix_next_entry(s, x, tree, &key, &len, &slot)) break;
        uint32_t vis;
        if (!sql_ix_candidate(x, part, ix, key, len, (uint32_t)slot, &vis)) return false;
        if (vis != ENG_SLOT_NONE) s->slots[(*n)++] = vis;
    }
    return true;
}

/* The batch of the collected rows, filtered. */
static bool sql_ix_emit(sql_op_ixscan *s, sql_exec_ctx *x, uint32_t part_index, uint32_t n,
                        sql_batch **out, uint32_t *kept_out) {
    const sql_plan *p = s->base.plan;
    uint32_t partno = x->frag_partitions[part_index];
    const eng_part *part = eng_partition(p->scan.table, partno);
    rt_arena *arena = s->base.batch_arena;
    sql_batch *b = sql_exec_batch(arena, p, n);
    if (b == NULL) return false;
    for (uint32_t r = 0; r < n; r++) sql_scan_read_row(p, part, partno, s->slots[r], b, r);
    b->rows = n;
    uint8_t *sel = rt_arena_alloc(arena, n + 1u);
    uint32_t kept;
    if (sel == NULL || !sql_exec_predicate(x, arena, p->scan.filter, b, sel, &kept)) return false;
    *kept_out = kept;
    if (s->base.actual != NULL) s->base.actual->removed += n - kept;
    if (s->topk != NULL) {
        sql_ix_topk_add(s, b, sel, part_index);
        return true;
    }
    if (kept < n) b = kept == 0 ? NULL : sql_exec_select_rows(arena, b, sel, kept);
    if (kept > 0 && b == NULL) return false;
    *out = b;
    return true;
}

/* The calibration and EXPLAIN ANALYZE HYBRID: what this shard did when the index scan is the
 * hybrid planner's scalar-first path (n candidates read, `kept` passed the whole WHERE, each
 * then gets its exact distance above the scan). */
static void sql_ix_actual(const sql_plan *p, sql_exec_ctx *x, bool part_done, uint32_t n,
                          uint32_t kept) {
    if (p->hybrid == NULL) return;
    x->stats.hybrid_rows += n; /* the calibration of the index path (sql_hybrid.h) */
    x->stats.hybrid_distances += kept;
    if (x->hybrid_actual == NULL) return;
    sql_hybrid_actual *act = &x->hybrid_actual[rt_core_id()];
    act->ran = true;
    act->partitions += part_done;
    act->visited += n;
    act->filtered += n - kept;
    act->candidates += kept;
    act->distances += kept;
}

/* ---- top-k mode's rounds ------------------------------------------------------------- */

/* The entries sorted by slot (LSD radix, a byte at a time; a byte every slot shares is
 * skipped): the sorted array is `a` or `tmp`. */
static sql_ix_entry *sql_ix_sort_slots(sql_ix_entry *a, sql_ix_entry *tmp, uint32_t n) {
    uint32_t any = 0, all = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        any |= a[i].slot;
        all &= a[i].slot;
    }
    for (uint32_t shift = 0; shift < 32; shift += 8) {
        if ((((any ^ all) >> shift) & 0xffu) == 0) continue;
        uint32_t start[257] = {0};
        for (uint32_t i = 0; i < n; i++) start[((a[i].slot >> shift) & 0xffu) + 1u]++;
        for (uint32_t b = 0; b < 256; b++) start[b + 1u] += start[b];
        for (uint32_t i = 0; i < n; i++) tmp[start[(a[i].slot >> shift) & 0xffu]++] = a[i];
        sql_ix_entry *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

/* The next entries of the current partition's ranges, their keys copied: up to
 * SQL_IX_ROUND_ENTRIES, fewer when the round's key bytes could not hold another key. */
static uint32_t sql_ix_round_fill(sql_op_ixscan *s, sql_exec_ctx *x, const eng_btree *tree) {
    sql_ix_round *rd = &s->round;
    uint32_t n = 0, key_bytes = 0;
    while (n < SQL_IX_ROUND_ENTRIES &&
           key_bytes + ENG_BTREE_KEY_BYTES_MAX <= SQL_IX_ROUND_KEY_BYTES) {
        const uint8_t *key;
        uint32_t len;
        uint64_t slot;
        if (!sql_ix_next_entry(s, x, tree, &key, &len, &slot)) break;
        memcpy(rd->keys + key_bytes, key, len);
        rd->entries[n++] = (sql_ix_entry){.slot = (uint32_t)slot, .key_off = key_bytes,
                                          .key_len = len};
        key_bytes += len;
    }
    return n;
}

/* Checks a round's entries in slot order, the next ones' cells prefetched, and ranks the
 * visible candidates a batch at a time (the heap keeps only slots: the batch memory is
 * reused, and the fiber may yield between batches as between index batches). */
static bool sql_ix_round_run(sql_op_ixscan *s, sql_exec_ctx *x, uint32_t part_index,
                             const sql_ix_entry *e, uint32_t n) {
    const sql_plan *p = s->base.plan;
    const eng_part *part = eng_partition(p->scan.table, x->frag_partitions[part_index]);
    uint32_t nvis = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i + SQL_IX_PREFETCH_AHEAD < n) {
            eng_part_prefetch(part, e[i + SQL_IX_PREFETCH_AHEAD].slot, p->scan.attnums,
                              p->scan.natts);
        }
        uint32_t vis;
        if (!sql_ix_candidate(x, part, p->scan.index, s->round.keys + e[i].key_off,
                              e[i].key_len, e[i].slot, &vis)) {
            return false;
        }
        if (vis != ENG_SLOT_NONE) s->slots[nvis++] = vis;
        if (nvis == SQL_BATCH_ROWS || (i + 1u == n && nvis > 0)) {
            rt_arena_reset(s->base.batch_arena);
            sql_batch *out = NULL;
            uint32_t kept = 0;
            if (!sql_ix_emit(s, x, part_index, nvis, &out, &kept)) return false;
            sql_ix_actual(p, x, false, nvis, kept);
            nvis = 0;
            rt_fiber_maybe_yield();
        }
    }
    return true;
}

/* The partition's index, or 55000 when it is not there. */
static bool sql_ix_tree(const sql_plan *p, sql_exec_ctx *x, uint32_t part_index,
                        eng_part **part, const eng_btree **tree) {
    *part = eng_partition(p->scan.table, x->frag_partitions[part_index]);
    *tree = eng_part_index(*part, p->scan.index->oid);
    if (*tree != NULL) return true;
    return rt_err_set(x->err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "index \"%s\" is not available", p->scan.index->name);
}

/* Whether the current partition's ranges are all read: then the scan moves on to the next
 * partition, from its first range. */
static bool sql_ix_part_done(sql_op_ixscan *s) {
    if (s->range_index < s->nranges) return false;
    s->part_index++;
    s->range_index = 0;
    s->positioned = false;
    return true;
}

/* Top-k mode: every partition's candidates in rounds, then the k kept rows. */
static bool sql_ix_topk_next(sql_op_ixscan *s, sql_exec_ctx *x, sql_batch **out) {
    const sql_plan *p = s->base.plan;
    sql_ix_round *rd = &s->round;
    if (rd->entries == NULL) {
        rd->entries = rt_arena_alloc(x->arena, sizeof(sql_ix_entry) * SQL_IX_ROUND_ENTRIES);
        rd->spare = rt_arena_alloc(x->arena, sizeof(sql_ix_entry) * SQL_IX_ROUND_ENTRIES);
        rd->keys = rt_arena_alloc(x->arena, SQL_IX_ROUND_KEY_BYTES);
        if (rd->entries == NULL || rd->spare == NULL || rd->keys == NULL) {
            return rt_arena_fail(x->arena, x->err);
        }
    }
    while (s->part_index < x->frag_npartitions) {
        uint32_t part_index = s->part_index;
        eng_part *part;
        const eng_btree *tree;
        if (!sql_ix_tree(p, x, part_index, &part, &tree)) return false;
        rt_fiber_maybe_yield();
        uint32_t n = sql_ix_round_fill(s, x, tree);
        bool part_done = sql_ix_part_done(s);
        sql_ix_entry *sorted = sql_ix_sort_slots(rd->entries, rd->spare, n);
        if (!sql_ix_round_run(s, x, part_index, sorted, n)) return false;
        if (part_done) sql_ix_actual(p, x, true, 0, 0);
    }
    return s->topk->emitted || sql_ix_topk_emit(s, x, out);
}

static bool sql_ixscan_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_ixscan *s = (sql_op_ixscan *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    if (s->topk != NULL) return sql_ix_topk_next(s, x, out);
    while (s->part_index < x->frag_npartitions) {
        uint32_t part_index = s->part_index;
        eng_part *part;
        const eng_btree *tree;
        if (!sql_ix_tree(p, x, part_index, &part, &tree)) return false;
        rt_fiber_maybe_yield();
        uint32_t n, kept = 0;
        if (!sql_ix_collect(s, x, part, tree, &n)) return false;
        bool part_done = sql_ix_part_done(s);
        if (n > 0 && !sql_ix_emit(s, x, part_index, n, out, &kept)) return false;
        sql_ix_actual(p, x, part_done, n, kept);
        if (*out != NULL) return true;
    }
    return true;
}
static const sql_op_vt sql_ixscan_vt = {sql_ixscan_open, sql_ixscan_next, NULL};

sql_op *sql_op_new_ixscan(sql_exec_ctx *x, const sql_plan *p) {
    return sql_op_alloc(x, p, &sql_ixscan_vt, sizeof(sql_op_ixscan));
}
