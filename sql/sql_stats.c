/* sql_stats.c: ANALYZE's sampling and statistics, and selectivity estimates (sql_stats.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ck_spinlock.h>

#include "engine/eng.h"
#include "engine/eng_vac.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "sql/sql_exec.h"
#include "sql/sql_stats.h"
#include "sql/sql_stats_int.h"

static sql_stats_slot sql_stats_slots[SQL_STATS_TABLES_MAX];

/* Arena of one table's statistics and of one shard's sample. */
#define SQL_STATS_ARENA_BYTES (512ull * 1024 * 1024)

static sql_stats_slot *sql_stats_slot_of(uint32_t oid) {
    return &sql_stats_slots[oid % SQL_STATS_TABLES_MAX];
}

static void sql_stats_free_here(void *arg) {
    sql_table_stats *st = arg;
    if (st->arena != NULL) {
        rt_arena_destroy(st->arena);
    } else {
        sql_stats_free_loaded(st);
    }
    rt_free(st);
}

/* An arena belongs to the thread that made it: statistics replaced from another shard are
 * freed by a message to their own. Loaded ones (no arena) are freed anywhere. */
static void sql_stats_free(sql_table_stats *st) {
    if (st == NULL) return;
    if (st->arena == NULL || st->core == rt_core_id_or_none() || rt_fiber_self() == NULL) {
        sql_stats_free_here(st);
        return;
    }
    rt_err err;
    rt_err_clear(&err);
    if (!rt_run_on((uint32_t)st->core, sql_stats_free_here, st, &err)) {
        rt_log(RT_LOG_WARNING, NULL, "statistics not freed: %s", err.message);
    }
}

static _Atomic uint64_t sql_stats_gen;

/* Publishes st; the statistics it replaces are freed, or given to *kept (not NULL). Returns
 * st's generation (st itself may be freed by a newer ANALYZE as soon as it is published). */
static uint64_t sql_stats_publish(uint32_t oid, sql_table_stats *st, sql_table_stats **kept) {
    sql_stats_slot *slot = sql_stats_slot_of(oid);
    uint64_t gen = atomic_fetch_add(&sql_stats_gen, 1) + 1;
    st->gen = gen;
    ck_spinlock_lock(&slot->lock);
    sql_table_stats *old = slot->st;
    slot->st = st;
    ck_spinlock_unlock(&slot->lock);
    if (old != NULL && old->table_oid != oid) { /* another table's, evicted */
        sql_stats_free(old);
        old = NULL;
    }
    if (kept != NULL) *kept = old;
    else sql_stats_free(old);
    return gen;
}

bool sql_stats_publish_loaded(sql_table_stats *st) {
    sql_stats_slot *slot = sql_stats_slot_of(st->table_oid);
    ck_spinlock_lock(&slot->lock);
    /* Occupied only when an engine ran before in this process (tests): its statistics stay,
     * their arenas belong to threads that are gone. */
    bool empty = slot->st == NULL;
    if (empty) slot->st = st;
    ck_spinlock_unlock(&slot->lock);
    return empty;
}

void sql_stats_forget(uint32_t table_oid) {
    sql_stats_slot *slot = sql_stats_slot_of(table_oid);
    ck_spinlock_lock(&slot->lock);
    sql_table_stats *old = NULL;
    if (slot->st != NULL && slot->st->table_oid == table_oid) {
        old = slot->st;
        slot->st = NULL;
    }
    ck_spinlock_unlock(&slot->lock);
    sql_stats_free(old);
}

/* ---- sampling, on each shard ---- */

/* One chunk's zone map as sampled: ZONE_EMPTY no non-NULL value (every range skips the group),
 * ZONE_ALWAYS no zone map (none does), else [min, max]. */
enum { SQL_ZONE_RANGE = 0, SQL_ZONE_EMPTY, SQL_ZONE_ALWAYS };
typedef struct sql_zone_rec {
    int64_t min, max;
    uint8_t kind;
} sql_zone_rec;

typedef struct sql_sample {
    const eng_table *table;
    eng_snapshot snap;
    uint16_t natts;
    uint16_t *attnums;
    uint32_t *types;
    rt_arena *arena;
    sql_value *rows;         /* cap rows of natts values */
    uint32_t cap, n;
    uint64_t seen;           /* visible rows of this shard's partitions */
    uint64_t rng;
    /* Zone maps: a reservoir of row groups (zone_n of up to SQL_STATS_ZONES_MAX, among
     * zone_seen), nzone columns' zones each (their positions in attnums in zcols). */
    uint16_t nzone;
    uint16_t *zcols;
    sql_zone_rec *zones;     /* [group * nzone + k] */
    uint32_t *zone_group_rows;
    uint32_t zone_n;
    uint64_t zone_seen;
    bool ok;
    rt_err err;
} sql_sample;

static uint64_t sql_stats_rand(uint64_t *s) {
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

/* Reservoir sampling (Algorithm R) over one batch. */
static void sql_sample_batch(sql_sample *w, const sql_batch *b) {
    for (uint32_t r = 0; r < b->rows; r++) {
        w->seen++;
        uint64_t at = w->n < w->cap ? w->n++ : sql_stats_rand(&w->rng) % w->seen;
        if (at >= w->cap) continue;
        sql_value *row = &w->rows[at * w->natts];
        for (uint16_t c = 0; c < w->natts; c++) {
            sql_vec_get(&b->cols[c], r, &row[c]);
            row[c].type_oid = w->types[c];
            if (!sql_value_copy(w->arena, &row[c])) w->ok = false;
        }
    }
}

/* Arenas belong to the thread that made them: each shard makes and frees its own sample's. */
static void sql_sample_free(void *arg) {
    sql_sample *w = arg;
    if (w->arena != NULL) rt_arena_destroy(w->arena);
    w->arena = NULL;
}

/* Reservoir sampling of the row groups of one partition, by their zone maps. */
static void sql_sample_zones(sql_sample *w, const eng_part *p) {
    uint32_t end = eng_part_slot_count(p);
    for (uint32_t slot = 0; w->nzone > 0 && slot < end; slot = eng_part_next_rowgroup(p, slot)) {
        w->zone_seen++;
        uint64_t at = w->zone_n < SQL_STATS_ZONES_MAX ? w->zone_n++
                                                      : sql_stats_rand(&w->rng) % w->zone_seen;
        if (at >= SQL_STATS_ZONES_MAX) continue;
        uint32_t next = eng_part_next_rowgroup(p, slot);
        w->zone_group_rows[at] = (next < end ? next : end) - slot;
        for (uint16_t k = 0; k < w->nzone; k++) {
            const eng_zone *z = eng_part_zone(p, slot, w->attnums[w->zcols[k]]);
            sql_zone_rec *r = &w->zones[at * w->nzone + k];
            r->kind = z == NULL ? SQL_ZONE_ALWAYS : !z->any ? SQL_ZONE_EMPTY : SQL_ZONE_RANGE;
            r->min = z != NULL ? z->min.i64 : 0;
            r->max = z != NULL ? z->max.i64 : 0;
        }
    }
}

static void sql_sample_shard(void *arg) {
    sql_sample *w = arg;
    w->arena = rt_arena_create(SQL_STATS_ARENA_BYTES);
    w->rows = rt_arena_alloc(w->arena, sizeof(sql_value) * w->cap * (w->natts + 1u));
    w->zones = rt_arena_alloc(w->arena, sizeof(sql_zone_rec) * SQL_STATS_ZONES_MAX *
                                            (w->nzone + 1u));
    w->zone_group_rows = rt_arena_alloc(w->arena, sizeof(uint32_t) * SQL_STATS_ZONES_MAX);
    if (w->rows == NULL || w->zones == NULL || w->zone_group_rows == NULL) {
        w->rows = NULL;
        rt_err_set(&w->err, SQLSTATE_OUT_OF_MEMORY, "ANALYZE sample exceeds memory");
        return;
    }
    rt_arena *scratch = rt_arena_create(SQL_STATS_ARENA_BYTES);
    sql_batch *b = sql_batch_new(scratch, w->natts, ENG_RG_ROWS);
    for (uint16_t c = 0; b != NULL && c < w->natts; c++) {
        sql_vec_init(scratch, &b->cols[c], w->types[c], -1, ENG_RG_ROWS);
    }
    w->ok = b != NULL;
    uint32_t shards = eng_shard_count();
    for (uint32_t partno = 0; w->ok && partno < w->table->partition_count; partno++) {
        if (eng_partition_owner(partno, shards) != rt_core_id()) continue;
        eng_part *p = eng_partition(w->table, partno);
        uint32_t cursor = 0;
        while (w->ok && eng_part_scan(p, &w->snap, &cursor, w->attnums, w->natts, b, NULL)) {
            sql_sample_batch(w, b);
            rt_fiber_maybe_yield();
        }
        sql_sample_zones(w, p);
    }
    if (!w->ok) rt_err_set(&w->err, SQLSTATE_OUT_OF_MEMORY, "ANALYZE sample exceeds memory");
    rt_arena_destroy(scratch);
}

/* ---- statistics of one column from the merged sample ---- */

static int sql_stats_cmp(const void *a, const void *b) {
    return sql_value_cmp((const sql_value *)a, (const sql_value *)b);
}

static void sql_stats_column(sql_col_stats *cs, rt_arena *arena, sql_value *vals, uint32_t n,
                             uint32_t nulls, double table_rows) {
    uint32_t total = n + nulls;
    cs->null_frac = total ? (double)nulls / total : 0;
    if (n == 0) return;
    qsort(vals, n, sizeof *vals, sql_stats_cmp);
    /* Runs of equal values: distinct count, singletons, and candidates for MCVs. */
    uint32_t d = 0, f1 = 0;
    uint32_t *run_start = rt_arena_alloc(arena, sizeof(uint32_t) * n);
    uint32_t *run_len = rt_arena_alloc(arena, sizeof(uint32_t) * n);
    if (run_start == NULL || run_len == NULL) return;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && sql_value_cmp(&vals[i], &vals[j]) == 0) j++;
        run_start[d] = i, run_len[d] = j - i;
        f1 += j - i == 1;
        d++;
        i = j;
    }
    double nonnull_rows = table_rows * (1 - cs->null_frac);
    /* Haas and Stokes' Duj1 estimator, as PostgreSQL's ANALYZE. */
    double est = nonnull_rows;
    if (f1 < n) est = (double)n * d / ((double)(n - f1) + (double)f1 * n / fmax(nonnull_rows, n));
    cs->ndistinct = fmax(1, fmin(est, fmax(nonnull_rows, d)));
    /* MCVs: every value when few, else those clearly more common than average. */
    uint32_t *order = rt_arena_alloc(arena, sizeof(uint32_t) * d);
    if (order == NULL) return;
    for (uint32_t i = 0; i < d; i++) order[i] = i;
    for (uint32_t i = 1; i < d; i++) { /* insertion sort by run length, longest first */
        uint32_t v = order[i], j = i;
        while (j > 0 && run_len[order[j - 1]] < run_len[v]) order[j] = order[j - 1], j--;
        order[j] = v;
    }
    double avg = (double)n / d;
    bool all = d <= SQL_STATS_MCV_MAX && f1 < d;
    cs->mcv = rt_arena_alloc(arena, sizeof(sql_value) * SQL_STATS_MCV_MAX);
    cs->mcv_freq = rt_arena_alloc(arena, sizeof(double) * SQL_STATS_MCV_MAX);
    uint8_t *is_mcv = rt_arena_zalloc(arena, d);
    if (cs->mcv == NULL || cs->mcv_freq == NULL || is_mcv == NULL) return;
    for (uint32_t i = 0; i < d && cs->nmcv < SQL_STATS_MCV_MAX; i++) {
        uint32_t r = order[i];
        if (!all && (run_len[r] < 2 || run_len[r] < 1.25 * avg)) break;
        cs->mcv[cs->nmcv] = vals[run_start[r]];
        cs->mcv_freq[cs->nmcv] = (double)run_len[r] / total;
        cs->mcv_total += cs->mcv_freq[cs->nmcv];
        cs->nmcv++;
        is_mcv[r] = 1;
    }
    /* Histogram over the remaining values (sorted already). */
    uint32_t rest = 0;
    for (uint32_t r = 0; r < d; r++) rest += is_mcv[r] ? 0 : run_len[r];
    if (rest < 2) return;
    sql_value *left = rt_arena_alloc(arena, sizeof(sql_value) * rest);
    if (left == NULL) return;
    uint32_t k = 0;
    for (uint32_t r = 0; r < d; r++) {
        if (is_mcv[r]) continue;
        for (uint32_t i = 0; i < run_len[r]; i++) left[k++] = vals[run_start[r] + i];
    }
    uint32_t nb = rest < SQL_STATS_HIST_BOUNDS ? rest : SQL_STATS_HIST_BOUNDS;
    cs->hist = rt_arena_alloc(arena, sizeof(sql_value) * nb);
    if (cs->hist == NULL) return;
    for (uint32_t i = 0; i < nb; i++) {
        cs->hist[i] = left[(uint64_t)i * (rest - 1) / (nb - 1)];
    }
    cs->nhist = nb;
}

/* Columns worth statistics: comparable scalars (not vectors, not dropped). */
static bool sql_stats_wanted(const eng_column *c) {
    if (c->dropped || c->type_oid == SQL_T_VECTOR) return false;
    const sql_type_def *t = sql_type_by_oid(c->type_oid);
    return t != NULL && t->cmp != NULL;
}

typedef struct sql_zone_bound {
    int64_t v;
    double rows;
} sql_zone_bound;

static int sql_zone_bound_cmp(const void *a, const void *b) {
    int64_t x = ((const sql_zone_bound *)a)->v, y = ((const sql_zone_bound *)b)->v;
    return (x > y) - (x < y);
}

/* Sorted bounds with their cumulative rows into v[] and cum[]; false out of memory. */
static bool sql_stats_zone_sorted(rt_arena *arena, sql_zone_bound *b, uint32_t n, int64_t **v,
                                  double **cum) {
    qsort(b, n, sizeof *b, sql_zone_bound_cmp);
    *v = rt_arena_alloc(arena, sizeof(int64_t) * (n + 1u));
    *cum = rt_arena_alloc(arena, sizeof(double) * (n + 1u));
    if (*v == NULL || *cum == NULL) return false;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        (*v)[i] = b[i].v;
        (*cum)[i] = sum += b[i].rows;
    }
    return true;
}

/* Zone statistics of the k-th zone column from every shard's reservoir of row groups: each
 * sampled group stands for zone_seen / zone_n of its shard's groups. */
static void sql_stats_zones(sql_col_stats *cs, rt_arena *arena, const sql_sample *works,
                            uint32_t nshards, uint16_t k) {
    uint32_t total = 0;
    for (uint32_t s = 0; s < nshards; s++) total += works[s].zone_n;
    sql_zone_bound *mins = rt_arena_alloc(arena, sizeof(sql_zone_bound) * (total + 1u));
    sql_zone_bound *maxs = rt_arena_alloc(arena, sizeof(sql_zone_bound) * (total + 1u));
    if (mins == NULL || maxs == NULL) return;
    uint32_t n = 0;
    double rows = 0, always = 0;
    for (uint32_t s = 0; s < nshards; s++) {
        const sql_sample *w = &works[s];
        double scale = w->zone_n > 0 ? (double)w->zone_seen / w->zone_n : 0;
        for (uint32_t g = 0; g < w->zone_n; g++) {
            const sql_zone_rec *r = &w->zones[g * w->nzone + k];
            double gr = w->zone_group_rows[g] * scale;
            rows += gr;
            if (r->kind == SQL_ZONE_ALWAYS) always += gr;
            if (r->kind != SQL_ZONE_RANGE) continue;
            mins[n] = (sql_zone_bound){r->min, gr};
            maxs[n++] = (sql_zone_bound){r->max, gr};
        }
    }
    if (!sql_stats_zone_sorted(arena, mins, n, &cs->zone_min, &cs->zone_min_rows) ||
        !sql_stats_zone_sorted(arena, maxs, n, &cs->zone_max, &cs->zone_max_rows)) {
        return; /* no zone statistics: zone_rows stays 0 */
    }
    cs->nzones = n;
    cs->zone_always = always;
    cs->zone_rows = rows;
}

static sql_table_stats *sql_stats_build(const eng_table *t, sql_sample *works, uint32_t nshards,
                                        uint16_t natts, const uint16_t *attnums) {
    sql_table_stats *st = rt_xcalloc(1, sizeof *st);
    st->arena = rt_arena_create(SQL_STATS_ARENA_BYTES);
    st->core = rt_core_id_or_none();
    st->table_oid = t->oid;
    st->storage_id = t->storage_id;
    st->ncols = t->column_count;
    st->cols = rt_arena_zalloc(st->arena, sizeof(sql_col_stats) * (t->column_count + 1u));
    uint64_t seen = 0, sampled = 0;
    for (uint32_t s = 0; s < nshards; s++) seen += works[s].seen, sampled += works[s].n;
    st->rows = (double)seen;
    sql_value *vals = rt_arena_alloc(st->arena, sizeof(sql_value) * (sampled + 1));
    if (st->cols == NULL || vals == NULL) {
        sql_stats_free(st);
        return NULL;
    }
    uint16_t zk = 0; /* the next zone column */
    for (uint16_t c = 0; c < natts; c++) {
        uint32_t n = 0, nulls = 0;
        for (uint32_t s = 0; s < nshards; s++) {
            /* Each shard's share of the sample follows its share of the rows. */
            uint64_t take = seen ? (uint64_t)((double)SQL_STATS_SAMPLE_ROWS * works[s].seen / seen)
                                 : 0;
            if (take > works[s].n) take = works[s].n;
            for (uint64_t r = 0; r < take; r++) {
                sql_value v = works[s].rows[r * natts + c];
                if (v.is_null) {
                    nulls++;
                } else {
                    if (!sql_value_copy(st->arena, &v)) break;
                    vals[n++] = v;
                }
            }
        }
        sql_col_stats *cs = &st->cols[attnums[c] - 1];
        cs->type_oid = t->columns[attnums[c] - 1].type_oid;
        sql_stats_column(cs, st->arena, vals, n, nulls, st->rows);
        if (zk < works[0].nzone && works[0].zcols[zk] == c) {
            sql_stats_zones(cs, st->arena, works, nshards, zk++);
        }
    }
    return st;
}

/* ANALYZE without the saving: `saved` gets the bytes to save (after the snapshot is let go:
 * a slow disk must not hold back vacuum). */
static bool sql_stats_analyze_run(sql_exec_ctx *x, const eng_table *t, eng_codec_w *saved,
                                  sql_table_stats **made, uint64_t *made_gen,
                                  sql_table_stats **kept, rt_err *err) {
    uint16_t *attnums = rt_arena_alloc(x->arena, sizeof(uint16_t) * (t->column_count + 1u));
    uint32_t *types = rt_arena_alloc(x->arena, sizeof(uint32_t) * (t->column_count + 1u));
    if (attnums == NULL || types == NULL) return rt_arena_fail(x->arena, err);
    uint16_t *zcols = rt_arena_alloc(x->arena, sizeof(uint16_t) * (t->column_count + 1u));
    if (zcols == NULL) return rt_arena_fail(x->arena, err);
    uint16_t natts = 0, nzone = 0;
    for (uint16_t c = 0; c < t->column_count; c++) {
        if (!sql_stats_wanted(&t->columns[c])) continue;
        if (sql_stats_zone_family(t->columns[c].type_oid) != 0) zcols[nzone++] = natts;
        attnums[natts] = (uint16_t)(c + 1);
        types[natts++] = t->columns[c].type_oid;
    }
    uint64_t changes_before = atomic_load(&sql_stats_slot_of(t->oid)->changes);
    uint32_t nshards = eng_shard_count();
    /* On the heap: a fiber's stack is small and each carries an rt_err. */
    sql_sample *works = rt_xcalloc(nshards, sizeof *works);
    rt_remote_call *calls = rt_xcalloc(nshards, sizeof *calls);
    rt_wg wg = {0};
    for (uint32_t s = 0; s < nshards; s++) {
        sql_sample *w = &works[s];
        w->table = t, w->snap = x->snap, w->natts = natts, w->attnums = attnums;
        w->types = types, w->cap = SQL_STATS_SAMPLE_ROWS, w->rng = 0x2545f4914f6cdd1dull + s;
        w->nzone = nzone, w->zcols = zcols;
        rt_err_clear(&w->err);
        rt_run_on_wg(&calls[s], s, sql_sample_shard, w, &wg);
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint32_t s = 0; s < nshards && ok; s++) {
        if (!calls[s].ran) {
            *err = calls[s].err;
            ok = false;
        } else if (!works[s].ok || works[s].rows == NULL) {
            *err = works[s].err;
            if (!rt_err_is_set(err)) rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "ANALYZE failed");
            ok = false;
        }
    }
    sql_table_stats *st = ok ? sql_stats_build(t, works, nshards, natts, attnums) : NULL;
    rt_wg done = {0};
    for (uint32_t s = 0; s < nshards; s++) {
        rt_run_on_wg(&calls[s], s, sql_sample_free, &works[s], &done);
    }
    rt_wg_wait(&done);
    rt_free(works);
    rt_free(calls);
    if (ok && st == NULL) ok = rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "ANALYZE exceeds memory");
    if (ok) {
        /* Encoded before it is published: from then on a newer ANALYZE may free it. */
        sql_stats_encode(st, saved);
        if (made != NULL) *made = st;
        uint64_t gen = sql_stats_publish(t->oid, st, kept);
        if (made_gen != NULL) *made_gen = gen;
        /* Changes noted while sampling may not be in the sample: they still count. Two
         * ANALYZEs that overlap both subtract what they saw: never below zero (a wrapped
         * counter would start an auto-analyze at every later change). */
        _Atomic uint64_t *changes = &sql_stats_slot_of(t->oid)->changes;
        uint64_t now = atomic_load(changes);
        while (!atomic_compare_exchange_weak(changes, &now,
                                             now > changes_before ? now - changes_before : 0)) {
        }
    }
    return ok;
}

/* ---- ANALYZE in a transaction ---- */

struct sql_stats_undo {
    sql_stats_undo *next;    /* older */
    uint32_t table_oid, level;
    sql_table_stats *old;    /* what `made` replaced (NULL: none); ours until the end */
    sql_table_stats *made;   /* published by the ANALYZE: valid only while gen matches */
    uint64_t gen;
    eng_codec_w saved;       /* made's bytes, saved at commit */
};

bool sql_stats_analyze(sql_exec_ctx *x, const eng_table *t, sql_stats_undo **undo,
                       uint32_t level, rt_err *err) {
    eng_codec_w saved;
    if (undo == NULL) {
        if (!sql_stats_analyze_run(x, t, &saved, NULL, NULL, NULL, err)) return false;
        sql_stats_save(t, 0, &saved);
        return true;
    }
    sql_table_stats *made = NULL, *old = NULL;
    uint64_t gen = 0;
    if (!sql_stats_analyze_run(x, t, &saved, &made, &gen, &old, err)) return false;
    sql_stats_undo *u = rt_xcalloc(1, sizeof *u);
    *u = (sql_stats_undo){*undo, t->oid, level, old, made, gen, saved};
    *undo = u;
    return true;
}

/* The table `oid` of database `db_oid` in the catalog now committed, as of what it names. */
static void sql_stats_undo_save(uint32_t db_oid, uint32_t oid, uint64_t storage_id,
                                eng_codec_w *saved) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_database *db = eng_catalog_db_by_oid(pin.catalog, db_oid);
    const eng_table *t = db != NULL ? eng_db_table_by_oid(db, oid) : NULL;
    if (t != NULL && t->storage_id == storage_id) sql_stats_save(t, 0, saved);
    eng_catalog_unpin(&pin);
    rt_free(saved->buf);
    eng_w_init(saved);
}

/* A rollback: `old` (or, where there was none for this storage, figures of the row count
 * alone) takes the slot back if it still holds what the ANALYZE made; a later ANALYZE's
 * stay. */
static void sql_stats_undo_one(sql_stats_undo *u, uint32_t db_oid) {
    sql_stats_slot *slot = sql_stats_slot_of(u->table_oid);
    sql_table_stats *back = u->old;
    ck_spinlock_lock(&slot->lock);
    bool ours = slot->st == u->made && slot->st->gen == u->gen;
    double rows = ours ? u->made->rows : 0;
    uint64_t storage_id = ours ? u->made->storage_id : 0;
    ck_spinlock_unlock(&slot->lock);
    if (!ours) {
        sql_stats_free(back);
        return;
    }
    if (back != NULL && back->storage_id != storage_id &&
        back->rewrite_storage_id != storage_id) {
        sql_stats_free(back); /* of storage since replaced (TRUNCATE): stale, never again */
        back = NULL;
    }
    if (back == NULL) {
        back = rt_xcalloc(1, sizeof *back);
        back->table_oid = u->table_oid;
        back->core = -1;
        back->storage_id = storage_id;
    }
    back->rows = rows;
    eng_codec_w saved;
    sql_stats_encode(back, &saved); /* before it is published: then anyone may free it */
    ck_spinlock_lock(&slot->lock);
    ours = slot->st == u->made && slot->st->gen == u->gen;
    if (ours) {
        back->gen = atomic_fetch_add(&sql_stats_gen, 1) + 1;
        slot->st = back;
    }
    ck_spinlock_unlock(&slot->lock);
    if (ours) {
        sql_stats_free(u->made);
        sql_stats_undo_save(db_oid, u->table_oid, storage_id, &saved);
    } else {
        sql_stats_free(back);
        rt_free(saved.buf);
    }
}

void sql_stats_undo_end(sql_stats_undo **undo, uint32_t db_oid, uint32_t level, bool commit) {
    /* Newest first: each rollback puts back what the one before it made. */
    while (*undo != NULL && (*undo)->level >= level) {
        sql_stats_undo *u = *undo;
        *undo = u->next;
        if (commit) {
            sql_stats_slot *slot = sql_stats_slot_of(u->table_oid);
            ck_spinlock_lock(&slot->lock);
            bool current = slot->st == u->made && slot->st->gen == u->gen;
            uint64_t storage_id = current ? u->made->storage_id : 0;
            ck_spinlock_unlock(&slot->lock);
            /* Replaced since (a later ANALYZE, TRUNCATE): the newer state was saved or
             * will be; these bytes are stale. */
            if (current) sql_stats_undo_save(db_oid, u->table_oid, storage_id, &u->saved);
            sql_stats_free(u->old);
        } else {
            sql_stats_undo_one(u, db_oid);
        }
        rt_free(u->saved.buf);
        rt_free(u);
    }
}

void sql_stats_undo_merge(sql_stats_undo *undo, uint32_t level) {
    for (sql_stats_undo *u = undo; u != NULL; u = u->next) {
        if (u->level > level) u->level = level;
    }
}

/* ---- auto-analyze ---- */

typedef struct sql_stats_job {
    uint32_t table_oid;
} sql_stats_job;

static void sql_stats_auto_fiber(void *arg) {
    sql_stats_job job = *(sql_stats_job *)arg;
    rt_free(arg);
    sql_stats_slot *slot = sql_stats_slot_of(job.table_oid);
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    /* OIDs are unique in the cluster: the table is in exactly one database. */
    const eng_database *db = NULL;
    const eng_table *t = NULL;
    for (uint32_t i = 0; t == NULL && i < eng_catalog_db_count(pin.catalog); i++) {
        db = eng_catalog_db_at(pin.catalog, i);
        t = eng_db_table_by_oid(db, job.table_oid);
    }
    /* The table option autovacuum_enabled = off stops auto-analyze too, as PostgreSQL's. */
    if (t != NULL && t->kind == 'r' && eng_vac_table_enabled(t)) {
        rt_err err;
        rt_err_clear(&err);
        sql_exec_ctx x;
        memset(&x, 0, sizeof x);
        x.arena = rt_arena_create(SQL_STATS_ARENA_BYTES);
        x.err = &err;
        x.catalog = pin.catalog;
        x.db = db;
        eng_snap_reg reg = {0}; /* vacuum keeps what the sample reads */
        eng_snap_register(&reg);
        x.snap.ts = eng_txn_snapshot_ts();
        eng_codec_w saved;
        bool ok = sql_stats_analyze_run(&x, t, &saved, NULL, NULL, NULL, &err);
        if (!ok) rt_log(RT_LOG_WARNING, NULL, "auto-analyze of %s: %s", t->name, err.message);
        eng_snap_unregister(&reg);
        if (ok) sql_stats_save(t, 0, &saved);
        rt_arena_destroy(x.arena);
    }
    eng_catalog_unpin(&pin);
    atomic_store(&slot->analyzing, false);
}

/* Starts a background ANALYZE of the table on this shard unless one runs. */
static void sql_stats_auto_start(uint32_t table_oid) {
    sql_stats_slot *slot = sql_stats_slot_of(table_oid);
    bool idle = false;
    if (rt_loop_self() == NULL ||
        !atomic_compare_exchange_strong(&slot->analyzing, &idle, true)) {
        return;
    }
    sql_stats_job *job = rt_xmalloc(sizeof *job);
    *job = (sql_stats_job){table_oid};
    rt_err err;
    rt_err_clear(&err);
    if (rt_fiber_spawn(sql_stats_auto_fiber, job, &err) == NULL) {
        rt_free(job);
        atomic_store(&slot->analyzing, false);
    }
}

static double sql_stats_rows_of(uint32_t table_oid);

void sql_stats_note_changes(uint32_t table_oid, uint64_t rows) {
    if (rows == 0) return;
    sql_stats_slot *slot = sql_stats_slot_of(table_oid);
    uint64_t changes = atomic_fetch_add(&slot->changes, rows) + rows;
    double known = sql_stats_rows_of(table_oid);
    double threshold = SQL_STATS_AUTO_BASE + SQL_STATS_AUTO_SCALE * (known > 0 ? known : 0);
    if ((double)changes >= threshold) sql_stats_auto_start(table_oid);
}

void sql_stats_note_unknown(const eng_table *t) {
    if (t != NULL && t->kind == 'r' && !sql_stats_known(t)) sql_stats_auto_start(t->oid);
}

/* ---- estimates ---- */

/* The statistics of a table, locked; NULL (unlocked) if none. */
static sql_table_stats *sql_stats_lock_oid(uint32_t table_oid, sql_stats_slot **slot) {
    *slot = sql_stats_slot_of(table_oid);
    ck_spinlock_lock(&(*slot)->lock);
    sql_table_stats *st = (*slot)->st;
    if (st != NULL && st->table_oid == table_oid) return st;
    ck_spinlock_unlock(&(*slot)->lock);
    return NULL;
}

/* ... and only while they describe the table's current storage: TRUNCATE gives it new, empty
 * storage and the old figures are stale (until the next ANALYZE, which auto-analyze starts
 * after enough changes). A rewrite (ALTER COLUMN TYPE, a new primary key) keeps the rows in
 * new storage: sql_stats_rewritten lets the figures follow. */
static sql_table_stats *sql_stats_lock(const eng_table *t, sql_stats_slot **slot) {
    sql_table_stats *st = sql_stats_lock_oid(t->oid, slot);
    if (st == NULL || st->storage_id == t->storage_id ||
        (st->rewrite_storage_id != 0 && st->rewrite_storage_id == t->storage_id)) {
        return st;
    }
    ck_spinlock_unlock(&(*slot)->lock);
    return NULL;
}

void sql_stats_rewritten(const eng_table *t, uint64_t storage_id) {
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock(t, &slot);
    if (st == NULL) return;
    /* Both storages match until the next ANALYZE: the old one if the ALTER rolls back. */
    st->rewrite_storage_id = storage_id;
    eng_codec_w saved;
    sql_stats_encode(st, &saved); /* under the lock: a newer ANALYZE may free st after it */
    ck_spinlock_unlock(&slot->lock);
    sql_stats_save(t, storage_id, &saved);
}

/* Column `att` has statistics that still describe it (not dropped nor retyped since). */
static bool sql_stats_col_ok(const sql_table_stats *st, const eng_table *t, uint16_t att) {
    if (att == 0 || att > st->ncols || att > t->column_count) return false;
    const eng_column *c = &t->columns[att - 1];
    return st->cols[att - 1].type_oid != 0 && !c->dropped &&
           c->type_oid == st->cols[att - 1].type_oid;
}

static double sql_stats_rows_of(uint32_t table_oid) {
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock_oid(table_oid, &slot);
    if (st == NULL) return -1;
    double rows = st->rows;
    ck_spinlock_unlock(&slot->lock);
    return rows;
}

double sql_stats_rows(const eng_table *t) {
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock(t, &slot);
    if (st == NULL) return -1;
    double rows = st->rows;
    ck_spinlock_unlock(&slot->lock);
    return rows;
}

bool sql_stats_known(const eng_table *t) { return sql_stats_rows(t) >= 0; }

bool sql_stats_distinct(const eng_table *t, uint16_t attnum, double *ndistinct,
                        double *null_frac) {
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock(t, &slot);
    if (st == NULL) return false;
    bool known = sql_stats_col_ok(st, t, attnum);
    if (known) {
        *ndistinct = st->cols[attnum - 1].ndistinct;
        *null_frac = st->cols[attnum - 1].null_frac;
    }
    ck_spinlock_unlock(&slot->lock);
    return known;
}

/* Compares a column value with a constant of a possibly different numeric type; false when
 * the two cannot be compared meaningfully. */
static bool sql_stats_compare(const sql_value *a, const sql_value *b, int *out) {
    sql_phys pa = sql_phys_of_type(a->type_oid), pb = sql_phys_of_type(b->type_oid);
    if (a->type_oid == b->type_oid) {
        *out = sql_value_cmp(a, b);
        return true;
    }
    if (pa == SQL_PHYS_BYTES || pb == SQL_PHYS_BYTES) {
        if (!sql_type_is_string(a->type_oid) || !sql_type_is_string(b->type_oid)) return false;
        uint32_t n = a->b.len < b->b.len ? a->b.len : b->b.len;
        int c = memcmp(a->b.ptr, b->b.ptr, n);
        *out = c != 0 ? c : (a->b.len > b->b.len) - (a->b.len < b->b.len);
        return true;
    }
    double x = pa == SQL_PHYS_I64 ? (double)a->i64 : a->f64;
    double y = pb == SQL_PHYS_I64 ? (double)b->i64 : b->f64;
    *out = (x > y) - (x < y);
    return true;
}

static double sql_sel_eq(const sql_col_stats *cs, const sql_value *c) {
    if (c == NULL) return (1 - cs->null_frac) / cs->ndistinct;
    if (c->is_null) return 0;
    for (uint32_t i = 0; i < cs->nmcv; i++) {
        int r;
        if (!sql_stats_compare(&cs->mcv[i], c, &r)) return SQL_SEL_DEFAULT_EQ;
        if (r == 0) return cs->mcv_freq[i];
    }
    double others = cs->ndistinct - cs->nmcv;
    if (others < 1) return cs->nmcv > 0 ? 0 : (1 - cs->null_frac);
    return fmax(0, 1 - cs->mcv_total - cs->null_frac) / others;
}

/* Fraction of rows with value < c (or <= c when `inclusive`). */
static double sql_sel_below(const sql_col_stats *cs, const sql_value *c, bool inclusive) {
    double sel = 0;
    for (uint32_t i = 0; i < cs->nmcv; i++) {
        int r;
        if (!sql_stats_compare(&cs->mcv[i], c, &r)) return SQL_SEL_DEFAULT_INEQ;
        if (r < 0 || (inclusive && r == 0)) sel += cs->mcv_freq[i];
    }
    double rest = fmax(0, 1 - cs->mcv_total - cs->null_frac);
    if (cs->nhist < 2) return sel + rest * 0.5;
    uint32_t lo = 0, hi = cs->nhist;
    while (lo < hi) { /* first bound >= c */
        uint32_t mid = (lo + hi) / 2;
        int r;
        if (!sql_stats_compare(&cs->hist[mid], c, &r)) return SQL_SEL_DEFAULT_INEQ;
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    double frac;
    if (lo == 0) {
        frac = 0;
    } else if (lo >= cs->nhist) {
        frac = 1;
    } else {
        /* Linear interpolation inside the bucket for numbers, its middle otherwise. */
        double within = 0.5;
        sql_phys ph = sql_phys_of_type(c->type_oid);
        if (ph != SQL_PHYS_BYTES && sql_phys_of_type(cs->hist[lo].type_oid) != SQL_PHYS_BYTES) {
            double a = sql_phys_of_type(cs->hist[lo - 1].type_oid) == SQL_PHYS_I64
                           ? (double)cs->hist[lo - 1].i64 : cs->hist[lo - 1].f64;
            double b = sql_phys_of_type(cs->hist[lo].type_oid) == SQL_PHYS_I64
                           ? (double)cs->hist[lo].i64 : cs->hist[lo].f64;
            double v = ph == SQL_PHYS_I64 ? (double)c->i64 : c->f64;
            if (b > a) within = fmin(1, fmax(0, (v - a) / (b - a)));
        }
        frac = ((double)(lo - 1) + within) / (double)(cs->nhist - 1);
    }
    return sel + rest * frac;
}

static const sql_value *sql_stats_const(const sql_expr *e, bool *is_param) {
    *is_param = e->kind == SQL_X_PARAM;
    return e->kind == SQL_X_CONST ? &e->constval : NULL;
}

/* What a selectivity estimate reads: the statistics, the table as the statement sees it, and
 * the columns its expression's COLUMN references name. */
typedef struct sql_sel_ctx {
    const sql_table_stats *st;
    const eng_table *t;
    const uint16_t *attnums;
    uint32_t natts;
} sql_sel_ctx;

static const sql_col_stats *sql_stats_col(const sql_sel_ctx *sc, const sql_expr *e) {
    if (e->kind != SQL_X_COLUMN || e->column.index >= sc->natts) return NULL;
    uint16_t att = sc->attnums[e->column.index];
    if (!sql_stats_col_ok(sc->st, sc->t, att)) return NULL;
    return &sc->st->cols[att - 1];
}

/* col OP const (or const OP col, flipped). */
static double sql_sel_op(const sql_sel_ctx *sc, const sql_expr *e) {
    const char *op = e->func.def->name;
    const sql_expr *l = e->args[0], *r = e->args[1];
    const sql_col_stats *cs = sql_stats_col(sc, l);
    bool flipped = false;
    if (cs == NULL) {
        cs = sql_stats_col(sc, r);
        const sql_expr *tmp = l;
        l = r, r = tmp;
        flipped = true;
    }
    bool is_param;
    const sql_value *c = cs != NULL ? sql_stats_const(r, &is_param) : NULL;
    bool eq = strcmp(op, "=") == 0, ne = strcmp(op, "<>") == 0;
    bool lt = strcmp(op, "<") == 0, le = strcmp(op, "<=") == 0;
    bool gt = strcmp(op, ">") == 0, ge = strcmp(op, ">=") == 0;
    if (cs == NULL || (c == NULL && !is_param)) {
        if (eq) return SQL_SEL_DEFAULT_EQ;
        if (lt || le || gt || ge) return SQL_SEL_DEFAULT_INEQ;
        return strstr(op, "~") != NULL ? SQL_SEL_DEFAULT_MATCH : SQL_SEL_DEFAULT_INEQ;
    }
    if (eq) return sql_sel_eq(cs, c);
    if (ne) return fmax(0, 1 - sql_sel_eq(cs, c) - cs->null_frac);
    if (!(lt || le || gt || ge)) return SQL_SEL_DEFAULT_MATCH;
    if (c == NULL) return SQL_SEL_DEFAULT_INEQ;
    if (c->is_null) return 0;
    if (flipped) { /* const < col  ==  col > const */
        bool t1 = lt, t2 = le;
        lt = gt, le = ge, gt = t1, ge = t2;
    }
    double nonnull = 1 - cs->null_frac;
    if (lt) return sql_sel_below(cs, c, false);
    if (le) return sql_sel_below(cs, c, true);
    if (gt) return fmax(0, nonnull - sql_sel_below(cs, c, true));
    return fmax(0, nonnull - sql_sel_below(cs, c, false));
}

static double sql_sel(const sql_sel_ctx *sc, const sql_expr *e) {
    double s;
    switch (e->kind) {
    case SQL_X_AND:
        s = 1;
        for (uint32_t i = 0; i < e->nargs; i++) s *= sql_sel(sc, e->args[i]);
        return s;
    case SQL_X_OR:
        s = 1;
        for (uint32_t i = 0; i < e->nargs; i++) s *= 1 - sql_sel(sc, e->args[i]);
        return 1 - s;
    case SQL_X_NOT: return 1 - sql_sel(sc, e->args[0]);
    case SQL_X_NULLTEST: {
        const sql_col_stats *cs = sql_stats_col(sc, e->args[0]);
        double nf = cs != NULL ? cs->null_frac : SQL_SEL_DEFAULT_EQ;
        return e->test.is_not ? 1 - nf : nf;
    }
    case SQL_X_IN_LIST: {
        const sql_col_stats *cs = sql_stats_col(sc, e->args[0]);
        s = 0;
        for (uint32_t i = 1; i < e->nargs; i++) {
            bool is_param;
            const sql_value *c = sql_stats_const(e->args[i], &is_param);
            s += cs != NULL && (c != NULL || is_param) ? sql_sel_eq(cs, c) : SQL_SEL_DEFAULT_EQ;
        }
        s = fmin(1, s);
        return e->test.is_not ? 1 - s : s;
    }
    case SQL_X_FUNC:
        if (e->func.def->is_operator && e->nargs == 2) return sql_sel_op(sc, e);
        return SQL_SEL_DEFAULT_INEQ;
    case SQL_X_CONST:
        return !e->constval.is_null && e->type_oid == SQL_T_BOOL && e->constval.i64 ? 1 : 0;
    default: return SQL_SEL_DEFAULT_INEQ;
    }
}

double sql_stats_selectivity(const eng_table *t, const uint16_t *attnums, uint32_t natts,
                             const sql_expr *pred) {
    if (pred == NULL) return 1;
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock(t, &slot);
    if (st == NULL) {
        /* Without statistics: PostgreSQL's defaults through the same combinators. */
        static const sql_table_stats none;
        sql_sel_ctx sc = {.st = &none, .t = t, .attnums = attnums, .natts = 0};
        return fmin(1, fmax(0, sql_sel(&sc, pred)));
    }
    sql_sel_ctx sc = {.st = st, .t = t, .attnums = attnums, .natts = natts};
    double s = sql_sel(&sc, pred);
    ck_spinlock_unlock(&slot->lock);
    return fmin(1, fmax(0, s));
}

/* Rows of the groups whose bound (sorted v[0..n), cumulative rows cum[]) is below x, or at
 * most x when `inclusive`. */
static double sql_zone_rows_below(const int64_t *v, const double *cum, uint32_t n, int64_t x,
                                  bool inclusive) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (inclusive ? v[mid] <= x : v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 ? cum[lo - 1] : 0;
}

double sql_stats_zone_fraction(const eng_table *t, uint16_t attnum, int64_t lo, int64_t hi) {
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock(t, &slot);
    if (st == NULL) return 1;
    double frac = 1;
    const sql_col_stats *cs = attnum >= 1 && attnum <= st->ncols ? &st->cols[attnum - 1] : NULL;
    if (cs != NULL && cs->zone_rows > 0) {
        double read = cs->zone_always;
        if (lo <= hi && cs->nzones > 0) {
            /* A group is read unless its maximum is below lo or its minimum above hi (never
             * both, as min <= max and lo <= hi). */
            double ranged = cs->zone_max_rows[cs->nzones - 1];
            double below = sql_zone_rows_below(cs->zone_max, cs->zone_max_rows, cs->nzones, lo,
                                               false);
            double above = ranged - sql_zone_rows_below(cs->zone_min, cs->zone_min_rows,
                                                         cs->nzones, hi, true);
            read += ranged - below - above;
        }
        frac = fmin(1, fmax(0, read / cs->zone_rows));
    }
    ck_spinlock_unlock(&slot->lock);
    return frac;
}
