/* sql_stats.c: ANALYZE's sampling and statistics, and selectivity estimates (sql_stats.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ck_spinlock.h>

#include "engine/eng_actstat.h"
#include "engine/eng.h"
#include "engine/eng_vac.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_exec.h"
#include "sql/sql_numeric.h"
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

/* The slot's analyze figures, begun again when they were another table's. */
static void sql_stats_activity_own(sql_stats_slot *slot, uint32_t oid) {
    if (slot->activity_oid == oid) return;
    slot->activity_oid = oid;
    slot->last_analyze_us = slot->last_autoanalyze_us = 0;
    slot->analyze_count = slot->autoanalyze_count = 0;
    slot->seq_scan = slot->idx_scan = 0;
}

/* pg_stat_user_tables' seq_scan and idx_scan as each shard counts them, in a table of its
 * own: one counter shared by the shards, under the slot's lock, took a spin lock and moved a
 * cache line between the cores on every statement. Entry `oid % SQL_STATS_TABLES_MAX` of
 * shard s counts the scans of table `oid` begun on s (a scan of another table that shares the
 * entry begins it again, as the shared slot does). Written by its shard only, read by anyone;
 * allocated by the shard on first use and kept for the process's life. Threads that are no
 * shard (tests) count in the slot, under its lock. */
typedef struct sql_stats_scans {
    _Atomic uint32_t oid;
    _Atomic uint64_t seq_scan, idx_scan;
} sql_stats_scans;
static _Atomic(sql_stats_scans *) sql_stats_scans_of[RT_SHARDS_MAX];

static sql_stats_scans *sql_stats_scans_mine(int core) {
    sql_stats_scans *t = atomic_load_explicit(&sql_stats_scans_of[core], memory_order_acquire);
    if (t != NULL) return t;
    t = rt_xcalloc(SQL_STATS_TABLES_MAX, sizeof *t);
    atomic_store_explicit(&sql_stats_scans_of[core], t, memory_order_release);
    return t;
}

/* Adds each shard's counts of table `oid` to *out. */
static void sql_stats_scans_sum(uint32_t oid, sql_stats_activity *out) {
    for (uint32_t s = 0; s < RT_SHARDS_MAX; s++) {
        sql_stats_scans *t = atomic_load_explicit(&sql_stats_scans_of[s], memory_order_acquire);
        if (t == NULL) continue;
        sql_stats_scans *e = &t[oid % SQL_STATS_TABLES_MAX];
        if (atomic_load_explicit(&e->oid, memory_order_acquire) != oid) continue;
        out->seq_scan += atomic_load_explicit(&e->seq_scan, memory_order_relaxed);
        out->idx_scan += atomic_load_explicit(&e->idx_scan, memory_order_relaxed);
    }
}

void sql_stats_note_scan(uint32_t table_oid, bool index) {
    int core = rt_core_id_or_none();
    if (core >= 0 && core < RT_SHARDS_MAX) {
        sql_stats_scans *e = &sql_stats_scans_mine(core)[table_oid % SQL_STATS_TABLES_MAX];
        if (atomic_load_explicit(&e->oid, memory_order_relaxed) != table_oid) {
            atomic_store_explicit(&e->oid, 0, memory_order_release); /* readers skip it */
            atomic_store_explicit(&e->seq_scan, 0, memory_order_relaxed);
            atomic_store_explicit(&e->idx_scan, 0, memory_order_relaxed);
            atomic_store_explicit(&e->oid, table_oid, memory_order_release);
        }
        _Atomic uint64_t *n = index ? &e->idx_scan : &e->seq_scan;
        atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return;
    }
    sql_stats_slot *slot = sql_stats_slot_of(table_oid);
    ck_spinlock_lock(&slot->lock);
    sql_stats_activity_own(slot, table_oid);
    if (index) slot->idx_scan++;
    else slot->seq_scan++;
    ck_spinlock_unlock(&slot->lock);
}

/* Counts an ANALYZE in pg_stat_user_tables' figures (at its end, committed or not, as
 * PostgreSQL's statistics collector does). */
static void sql_stats_activity_note(uint32_t oid, bool automatic) {
    sql_stats_slot *slot = sql_stats_slot_of(oid);
    int64_t now_us = rt_time_wall_us();
    ck_spinlock_lock(&slot->lock);
    sql_stats_activity_own(slot, oid);
    if (automatic) {
        slot->last_autoanalyze_us = now_us;
        slot->autoanalyze_count++;
    } else {
        slot->last_analyze_us = now_us;
        slot->analyze_count++;
    }
    ck_spinlock_unlock(&slot->lock);
}

/* Publishes st (every session plans with it from now on); the statistics it replaces are
 * freed. st itself may be freed by a newer ANALYZE as soon as it is published. */
static void sql_stats_publish(uint32_t oid, sql_table_stats *st) {
    sql_stats_slot *slot = sql_stats_slot_of(oid);
    st->gen = atomic_fetch_add(&sql_stats_gen, 1) + 1;
    ck_spinlock_lock(&slot->lock);
    sql_table_stats *old = slot->st;
    slot->st = st;
    ck_spinlock_unlock(&slot->lock);
    sql_stats_free(old);
}

void sql_stats_activity_get(uint32_t table_oid, sql_stats_activity *out) {
    sql_stats_slot *slot = sql_stats_slot_of(table_oid);
    memset(out, 0, sizeof *out);
    ck_spinlock_lock(&slot->lock);
    if (slot->activity_oid == table_oid) {
        out->last_analyze_us = slot->last_analyze_us;
        out->last_autoanalyze_us = slot->last_autoanalyze_us;
        out->analyze_count = slot->analyze_count;
        out->autoanalyze_count = slot->autoanalyze_count;
        out->seq_scan = slot->seq_scan;
        out->idx_scan = slot->idx_scan;
    }
    bool mine = slot->st == NULL || slot->st->table_oid == table_oid;
    ck_spinlock_unlock(&slot->lock);
    sql_stats_scans_sum(table_oid, out);
    /* Changes count per slot: not this table's when another's statistics hold it. */
    if (mine) out->mod_since_analyze = atomic_load(&slot->changes);
}

void sql_stats_activity_reset(uint32_t table_oid) {
    sql_stats_slot *slot = sql_stats_slot_of(table_oid);
    ck_spinlock_lock(&slot->lock);
    if (slot->activity_oid == table_oid) {
        slot->activity_oid = 0;
        sql_stats_activity_own(slot, table_oid);
    }
    ck_spinlock_unlock(&slot->lock);
    /* A shard's entry begins again at its next scan; until then readers skip it. */
    for (uint32_t s = 0; s < RT_SHARDS_MAX; s++) {
        sql_stats_scans *t = atomic_load_explicit(&sql_stats_scans_of[s], memory_order_acquire);
        if (t == NULL) continue;
        sql_stats_scans *e = &t[table_oid % SQL_STATS_TABLES_MAX];
        uint32_t expected = table_oid;
        atomic_compare_exchange_strong(&e->oid, &expected, 0);
    }
}

/* The figures eng_actstat saves at an orderly stop: scans, then ANALYZE's counts and times. */
void sql_stats_activity_save(const eng_table *t, uint64_t *values) {
    sql_stats_activity a;
    sql_stats_activity_get(t->oid, &a);
    uint64_t v[ENG_ACTSTAT_SQL_VALUES] = {a.seq_scan, a.idx_scan, a.analyze_count,
                                          a.autoanalyze_count, (uint64_t)a.last_analyze_us,
                                          (uint64_t)a.last_autoanalyze_us};
    memcpy(values, v, sizeof v);
}

void sql_stats_activity_restore(const eng_table *t, const uint64_t *values) {
    sql_stats_slot *slot = sql_stats_slot_of(t->oid);
    ck_spinlock_lock(&slot->lock);
    slot->activity_oid = t->oid;
    slot->seq_scan = values[0];
    slot->idx_scan = values[1];
    slot->analyze_count = values[2];
    slot->autoanalyze_count = values[3];
    slot->last_analyze_us = (int64_t)values[4];
    slot->last_autoanalyze_us = (int64_t)values[5];
    ck_spinlock_unlock(&slot->lock);
}

bool sql_stats_publish_loaded(sql_table_stats *st) {
    sql_stats_slot *slot = sql_stats_slot_of(st->table_oid);
    ck_spinlock_lock(&slot->lock);
    bool empty = slot->st == NULL;
    if (empty) slot->st = st;
    ck_spinlock_unlock(&slot->lock);
    return empty;
}

/* Statistics in the arenas of shard threads that are gone: only an arena's own thread may
 * free it, so they stay allocated, reachable from here. */
static sql_table_stats *sql_stats_left;

void sql_stats_reset(void) {
    for (uint32_t i = 0; i < SQL_STATS_TABLES_MAX; i++) {
        sql_stats_slot *slot = &sql_stats_slots[i];
        sql_table_stats *st = slot->st;
        if (st != NULL && st->arena == NULL) {
            sql_stats_free_here(st);
        } else if (st != NULL) {
            st->left_next = sql_stats_left;
            sql_stats_left = st;
        }
        memset(slot, 0, sizeof *slot);
        ck_spinlock_init(&slot->lock);
    }
    for (uint32_t s = 0; s < RT_SHARDS_MAX; s++) {
        rt_free(atomic_exchange_explicit(&sql_stats_scans_of[s], NULL, memory_order_acq_rel));
    }
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
    uint64_t *pos;           /* each row's physical place: partition << 32 | slot */
    uint32_t *slots;         /* the slots of the batch being sampled */
    uint32_t part;           /* the partition being sampled */
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
        w->pos[at] = (uint64_t)w->part << 32 | w->slots[r];
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
    w->pos = rt_arena_alloc(w->arena, sizeof(uint64_t) * w->cap);
    w->slots = rt_arena_alloc(w->arena, sizeof(uint32_t) * ENG_RG_ROWS);
    w->zones = rt_arena_alloc(w->arena, sizeof(sql_zone_rec) * SQL_STATS_ZONES_MAX *
                                            (w->nzone + 1u));
    w->zone_group_rows = rt_arena_alloc(w->arena, sizeof(uint32_t) * SQL_STATS_ZONES_MAX);
    if (w->rows == NULL || w->pos == NULL || w->slots == NULL || w->zones == NULL ||
        w->zone_group_rows == NULL) {
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
        w->part = partno;
        while (w->ok && eng_part_scan(p, &w->snap, &cursor, w->attnums, w->natts, b, w->slots)) {
            sql_sample_batch(w, b);
            rt_fiber_maybe_yield();
        }
        sql_sample_zones(w, p);
    }
    if (!w->ok) rt_err_set(&w->err, SQLSTATE_OUT_OF_MEMORY, "ANALYZE sample exceeds memory");
    rt_arena_destroy(scratch);
}

/* ---- statistics of one column from the merged sample ----
 * PostgreSQL 15's ANALYZE of a column whose type has an order: the sample's non-NULL values
 * sorted (equal values by their place in the sample), runs of equal values counted; the
 * distinct count from the runs, the most common values among those seen more than once, an
 * equi-depth histogram of the distinct values left, and the correlation between the values'
 * order and their physical order. With the whole table in the sample (fewer rows than
 * SQL_STATS_SAMPLE_ROWS) the figures are exact, as PostgreSQL's are. */

/* Values wider than this (with a 4-byte header) are only counted, as PostgreSQL's
 * WIDTH_THRESHOLD: comparing them would cost too much, and they are assumed distinct. */
#define SQL_STATS_WIDE_BYTES 1024u

/* One non-NULL sampled value: its place in the sample (tupno) and in its partition. */
typedef struct sql_stats_item {
    sql_value v;
    uint32_t tupno;
    uint32_t part;
    uint32_t part_tupno;
} sql_stats_item;

static int sql_stats_item_cmp(const void *a, const void *b) {
    const sql_stats_item *x = a, *y = b;
    int c = sql_value_cmp(&x->v, &y->v);
    if (c != 0) return c;
    return (x->tupno > y->tupno) - (x->tupno < y->tupno);
}

/* The bytes PostgreSQL stores for a value (pg_stats.avg_width): the type's length, or a
 * variable-length value with its 1-byte header (4 past 126 bytes); numeric as base-10000
 * digits after a 2-byte header. */
static double sql_stats_value_width(const sql_value *v) {
    const sql_type_def *t = sql_type_by_oid(v->type_oid);
    if (t != NULL && t->typlen > 0) return t->typlen;
    if (sql_phys_of_type(v->type_oid) != SQL_PHYS_BYTES) return 8;
    uint32_t len = v->b.len;
    if (v->type_oid == SQL_T_NUMERIC) len = 2 + (sql_numeric_send_len(v->b) - 8);
    return len + 1u <= 127u ? len + 1.0 : len + 4.0;
}

static bool sql_stats_too_wide(const sql_value *v) {
    return sql_phys_of_type(v->type_oid) == SQL_PHYS_BYTES &&
           (uint64_t)v->b.len + 4 > SQL_STATS_WIDE_BYTES;
}

/* PostgreSQL's stadistinct from the runs of the sample: -fraction of the rows when the column
 * looks unique or its estimate passes 10% of the rows, else a count (Haas and Stokes' Duj1
 * estimator, n*d / (n - f1 + f1*n/N), when some values were seen once). */
static double sql_stats_stadistinct(double null_frac, uint32_t ndist, uint32_t nmultiple,
                                    uint32_t wide, double nonnull_n, double table_rows) {
    double sd;
    if (nmultiple == 0) {
        sd = -1.0 * (1.0 - null_frac);
    } else if (wide == 0 && nmultiple == ndist) {
        sd = ndist;
    } else {
        double f1 = (double)ndist - nmultiple + wide, d = f1 + nmultiple;
        double big_n = table_rows * (1.0 - null_frac);
        double est = big_n > 0 ? (nonnull_n * d) / ((nonnull_n - f1) + f1 * nonnull_n / big_n)
                               : 0;
        if (est < d) est = d;
        if (est > big_n) est = big_n;
        sd = floor(est + 0.5);
    }
    if (sd > 0.1 * table_rows) sd = -(sd / table_rows);
    return sd;
}

/* How many of the candidate MCVs (counts, most common first) to keep: PostgreSQL's rule
 * keeps the least common only while it is significantly (two standard errors of a
 * hypergeometric sample) more common than the values outside the list would be. */
static uint32_t sql_stats_mcv_keep(const uint32_t *counts, uint32_t num, double stadistinct,
                                   double null_frac, double samplerows, double rows) {
    if (samplerows == rows || rows <= 1.0) return num;
    double ndist_table = stadistinct < 0 ? -stadistinct * rows : stadistinct;
    double sum = 0;
    for (uint32_t i = 0; i + 1 < num; i++) sum += counts[i];
    while (num > 0) {
        double selec = fmin(1, fmax(0, 1.0 - sum / samplerows - null_frac));
        double other = ndist_table - (num - 1);
        if (other > 1) selec /= other;
        double k = rows * counts[num - 1] / samplerows;
        double var = samplerows * k * (rows - k) * (rows - samplerows) / (rows * rows * (rows - 1));
        if (counts[num - 1] > selec * samplerows + 2 * sqrt(var) + 0.5) break;
        num--;
        if (num == 0) break;
        sum -= counts[num - 1];
    }
    return num;
}

/* The correlation of sorted position with physical position. The physical order of a
 * Dreambase table is its partitions' slot order (rows are spread over the partitions by
 * key), so each partition with two values or more gives PostgreSQL's coefficient of its own
 * values and the column's is their average weighted by values; a sample with no such partition
 * is taken in partition order. With both orders 0..n-1 the coefficient reduces to
 * (n*sum(xy) - sum(x)^2) / (n*sum(x^2) - sum(x)^2). */
static double sql_stats_corr_of(double n, double xysum) {
    double xsum = (n - 1) * n / 2.0, x2sum = (n - 1) * n * (2 * n - 1) / 6.0;
    return (n * xysum - xsum * xsum) / (n * x2sum - xsum * xsum);
}

static bool sql_stats_correlation(rt_arena *arena, const sql_stats_item *sorted, uint32_t n,
                                  uint32_t nparts, double *out) {
    double *xy = rt_arena_zalloc(arena, sizeof(double) * (nparts + 1u));
    uint32_t *rank = rt_arena_zalloc(arena, sizeof(uint32_t) * (nparts + 1u));
    if (xy == NULL || rank == NULL || n < 2) return false;
    double global_xy = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = sorted[i].part < nparts ? sorted[i].part : nparts;
        xy[p] += (double)rank[p]++ * sorted[i].part_tupno;
        global_xy += (double)i * sorted[i].tupno;
    }
    double sum = 0, weight = 0;
    for (uint32_t p = 0; p <= nparts; p++) {
        if (rank[p] < 2) continue;
        sum += rank[p] * sql_stats_corr_of(rank[p], xy[p]);
        weight += rank[p];
    }
    *out = weight > 0 ? sum / weight : sql_stats_corr_of(n, global_xy);
    return true;
}

/* Equi-depth histogram over the values that are not MCVs (sorted): PostgreSQL takes as many
 * bounds as distinct values remain, at most SQL_STATS_HIST_BOUNDS, at positions
 * i * (left - 1) / (bounds - 1). */
static void sql_stats_histogram(sql_col_stats *cs, rt_arena *arena, const sql_stats_item *it,
                                const uint32_t *run_start, const uint32_t *run_len,
                                const uint8_t *is_mcv, uint32_t d) {
    uint32_t rest = 0, dist_rest = 0;
    for (uint32_t r = 0; r < d; r++) {
        if (is_mcv[r]) continue;
        rest += run_len[r];
        dist_rest++;
    }
    uint32_t nb = dist_rest > SQL_STATS_HIST_BOUNDS - 1 ? SQL_STATS_HIST_BOUNDS : dist_rest;
    if (nb < 2) return;
    const sql_value **left = rt_arena_alloc(arena, sizeof(sql_value *) * rest);
    cs->hist = rt_arena_alloc(arena, sizeof(sql_value) * nb);
    if (left == NULL || cs->hist == NULL) return;
    uint32_t k = 0;
    for (uint32_t r = 0; r < d; r++) {
        if (is_mcv[r]) continue;
        for (uint32_t i = 0; i < run_len[r]; i++) left[k++] = &it[run_start[r] + i].v;
    }
    for (uint32_t i = 0; i < nb; i++) cs->hist[i] = *left[(uint64_t)i * (rest - 1) / (nb - 1)];
    cs->nhist = nb;
}

/* The most common values: candidates are the values seen more than once, most frequent first
 * (equal counts in value order), at most SQL_STATS_MCV_MAX; all are kept when they are every
 * distinct value, else those sql_stats_mcv_keep judges common enough. */
static bool sql_stats_mcvs(sql_col_stats *cs, rt_arena *arena, const sql_stats_item *it,
                           const uint32_t *run_start, const uint32_t *run_len, uint32_t d,
                           uint32_t wide, double samplerows, double rows, uint8_t *is_mcv) {
    uint32_t *order = rt_arena_alloc(arena, sizeof(uint32_t) * (d + 1u));
    uint32_t *counts = rt_arena_alloc(arena, sizeof(uint32_t) * (d + 1u));
    cs->mcv = rt_arena_alloc(arena, sizeof(sql_value) * SQL_STATS_MCV_MAX);
    cs->mcv_freq = rt_arena_alloc(arena, sizeof(double) * SQL_STATS_MCV_MAX);
    if (order == NULL || counts == NULL || cs->mcv == NULL || cs->mcv_freq == NULL) return false;
    uint32_t track = 0;
    for (uint32_t r = 0; r < d; r++) {
        if (run_len[r] > 1) order[track++] = r;
    }
    for (uint32_t i = 1; i < track; i++) { /* stable insertion sort, longest runs first */
        uint32_t v = order[i], j = i;
        while (j > 0 && run_len[order[j - 1]] < run_len[v]) order[j] = order[j - 1], j--;
        order[j] = v;
    }
    uint32_t all_multiple = track;
    if (track > SQL_STATS_MCV_MAX) track = SQL_STATS_MCV_MAX;
    for (uint32_t i = 0; i < track; i++) counts[i] = run_len[order[i]];
    uint32_t keep = track;
    if (!(all_multiple == d && d <= SQL_STATS_MCV_MAX && wide == 0 && cs->stadistinct > 0)) {
        keep = sql_stats_mcv_keep(counts, track, cs->stadistinct, cs->null_frac, samplerows,
                                  rows);
    }
    for (uint32_t i = 0; i < keep; i++) {
        cs->mcv[i] = it[run_start[order[i]]].v;
        cs->mcv_freq[i] = (double)counts[i] / samplerows;
        cs->mcv_total += cs->mcv_freq[i];
        is_mcv[order[i]] = 1;
    }
    cs->nmcv = keep;
    return true;
}

/* it[0..n) are the sampled non-NULL values in sample order; `wide` more were too wide to
 * keep, `nulls` NULL; widths their total width; nparts the table's partitions. */
static void sql_stats_column(sql_col_stats *cs, rt_arena *arena, sql_stats_item *it, uint32_t n,
                             uint32_t wide, uint32_t nulls, double widths, double table_rows,
                             uint32_t nparts) {
    double samplerows = (double)n + wide + nulls;
    cs->null_frac = samplerows > 0 ? nulls / samplerows : 0;
    cs->avg_width = n + wide > 0 ? (int32_t)(widths / (n + wide)) : 0;
    cs->stadistinct = 0;
    if (n + wide == 0) { /* all NULL: PostgreSQL gives a fixed-size type its size */
        const sql_type_def *type = sql_type_by_oid(cs->type_oid);
        cs->avg_width = type != NULL && type->typlen > 0 ? type->typlen : 0;
        return;
    }
    if (n > 0) qsort(it, n, sizeof *it, sql_stats_item_cmp);
    uint32_t d = 0, nmultiple = 0;
    uint32_t *run_start = rt_arena_alloc(arena, sizeof(uint32_t) * (n + 1u));
    uint32_t *run_len = rt_arena_alloc(arena, sizeof(uint32_t) * (n + 1u));
    if (run_start == NULL || run_len == NULL) return;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && sql_value_cmp(&it[i].v, &it[j].v) == 0) j++;
        run_start[d] = i, run_len[d] = j - i;
        nmultiple += j - i > 1;
        d++;
        i = j;
    }
    cs->stadistinct = sql_stats_stadistinct(cs->null_frac, d, nmultiple, wide, (double)n + wide,
                                            table_rows);
    cs->ndistinct = fmax(1, cs->stadistinct < 0 ? -cs->stadistinct * table_rows
                                                : cs->stadistinct);
    cs->has_correlation = sql_stats_correlation(arena, it, n, nparts, &cs->correlation);
    uint8_t *is_mcv = rt_arena_zalloc(arena, d + 1u);
    if (is_mcv == NULL) return;
    if (!sql_stats_mcvs(cs, arena, it, run_start, run_len, d, wide, samplerows, table_rows,
                        is_mcv)) {
        return;
    }
    sql_stats_histogram(cs, arena, it, run_start, run_len, is_mcv, d);
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

/* Copies a column's MCVs (with their frequencies) and histogram bounds into `arena`, values
 * and all: ANALYZE moves them out of its scratch arena, pg_stats out of the shared figures
 * (which a newer ANALYZE may free). */
static bool sql_stats_values_copy(const sql_col_stats *cs, rt_arena *arena, sql_value **mcv,
                                  double **freq, sql_value **hist) {
    *mcv = rt_arena_alloc(arena, sizeof(sql_value) * (cs->nmcv + 1u));
    *freq = rt_arena_alloc(arena, sizeof(double) * (cs->nmcv + 1u));
    *hist = rt_arena_alloc(arena, sizeof(sql_value) * (cs->nhist + 1u));
    if (*mcv == NULL || *freq == NULL || *hist == NULL) return false;
    for (uint32_t i = 0; i < cs->nmcv; i++) {
        (*mcv)[i] = cs->mcv[i];
        (*freq)[i] = cs->mcv_freq[i];
        if (!sql_value_copy(arena, &(*mcv)[i])) return false;
    }
    for (uint32_t i = 0; i < cs->nhist; i++) {
        (*hist)[i] = cs->hist[i];
        if (!sql_value_copy(arena, &(*hist)[i])) return false;
    }
    return true;
}

/* Moves a column's MCVs and histogram from the scratch arena into the statistics' own. */
static bool sql_stats_keep(sql_col_stats *cs, rt_arena *arena) {
    sql_value *mcv, *hist;
    double *freq;
    if (!sql_stats_values_copy(cs, arena, &mcv, &freq, &hist)) return false;
    cs->mcv = mcv, cs->mcv_freq = freq, cs->hist = hist;
    return true;
}

/* A sampled row: where it is in the table, and where in its shard's reservoir. */
typedef struct sql_stats_ref {
    uint64_t pos;
    const sql_value *row;
} sql_stats_ref;

static int sql_stats_ref_cmp(const void *a, const void *b) {
    uint64_t x = ((const sql_stats_ref *)a)->pos, y = ((const sql_stats_ref *)b)->pos;
    return (x > y) - (x < y);
}

/* The merged sample in physical order (PostgreSQL sorts its sample by position too): each
 * shard's share of the sample follows its share of the rows. */
static sql_stats_ref *sql_stats_sample_order(rt_arena *arena, const sql_sample *works,
                                             uint32_t nshards, uint64_t seen, uint32_t *count) {
    uint64_t sampled = 0;
    for (uint32_t s = 0; s < nshards; s++) sampled += works[s].n;
    sql_stats_ref *refs = rt_arena_alloc(arena, sizeof(sql_stats_ref) * (sampled + 1));
    if (refs == NULL) return NULL;
    uint32_t n = 0;
    for (uint32_t s = 0; s < nshards; s++) {
        uint64_t take = seen ? (uint64_t)((double)SQL_STATS_SAMPLE_ROWS * works[s].seen / seen)
                             : 0;
        if (take > works[s].n) take = works[s].n;
        for (uint64_t r = 0; r < take; r++) {
            refs[n++] = (sql_stats_ref){works[s].pos[r], &works[s].rows[r * works[s].natts]};
        }
    }
    qsort(refs, n, sizeof *refs, sql_stats_ref_cmp);
    *count = n;
    return refs;
}

/* Column c's statistics from the ordered sample (scratch memory from `scratch`). */
static bool sql_stats_build_column(sql_col_stats *cs, rt_arena *scratch, const eng_table *t,
                                   const sql_stats_ref *refs, uint32_t nrefs, uint16_t c,
                                   double rows) {
    uint32_t nparts = t->partition_count;
    sql_stats_item *items = rt_arena_alloc(scratch, sizeof(sql_stats_item) * (nrefs + 1u));
    uint32_t *in_part = rt_arena_zalloc(scratch, sizeof(uint32_t) * (nparts + 1u));
    if (items == NULL || in_part == NULL) return false;
    uint32_t n = 0, wide = 0, nulls = 0;
    double widths = 0;
    for (uint32_t r = 0; r < nrefs; r++) {
        const sql_value *v = &refs[r].row[c];
        if (v->is_null) {
            nulls++;
            continue;
        }
        widths += sql_stats_value_width(v);
        if (sql_stats_too_wide(v)) {
            wide++;
            continue;
        }
        uint32_t part = (uint32_t)(refs[r].pos >> 32);
        if (part > nparts) part = nparts;
        items[n] = (sql_stats_item){*v, n, part, in_part[part]++};
        n++;
    }
    sql_stats_column(cs, scratch, items, n, wide, nulls, widths, rows, nparts);
    return true;
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
    uint64_t seen = 0;
    for (uint32_t s = 0; s < nshards; s++) seen += works[s].seen;
    st->rows = (double)seen;
    rt_arena *scratch = rt_arena_create(SQL_STATS_ARENA_BYTES);
    uint32_t nrefs = 0;
    sql_stats_ref *refs = sql_stats_sample_order(scratch, works, nshards, seen, &nrefs);
    bool ok = st->cols != NULL && refs != NULL;
    uint16_t zk = 0; /* the next zone column */
    for (uint16_t c = 0; ok && c < natts; c++) {
        sql_col_stats *cs = &st->cols[attnums[c] - 1];
        cs->type_oid = t->columns[attnums[c] - 1].type_oid;
        ok = sql_stats_build_column(cs, scratch, t, refs, nrefs, c, st->rows) &&
             sql_stats_keep(cs, st->arena);
        if (ok && zk < works[0].nzone && works[0].zcols[zk] == c) {
            sql_stats_zones(cs, st->arena, works, nshards, zk++);
        }
    }
    rt_arena_destroy(scratch);
    if (!ok) {
        sql_stats_free(st);
        return NULL;
    }
    return st;
}

/* ANALYZE without the saving: `saved` gets the bytes to save (after the snapshot is let go:
 * a slow disk must not hold back vacuum). The statistics are published, or when `made` is
 * not NULL handed to the caller (an ANALYZE in a transaction: sql_stats_analyze). */
static bool sql_stats_analyze_run(sql_exec_ctx *x, const eng_table *t, bool automatic,
                                  eng_codec_w *saved, sql_table_stats **made, rt_err *err) {
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
        sql_stats_activity_note(t->oid, automatic);
        if (made != NULL) *made = st;
        else sql_stats_publish(t->oid, st);
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

static sql_table_stats *sql_stats_lock_shared(const eng_table *t, sql_stats_slot **slot);

/* ---- ANALYZE in a transaction ----
 * PostgreSQL's pg_statistic rows are MVCC: the column statistics of an ANALYZE in a
 * transaction serve that transaction's own plans at once and every other session's only once
 * it commits (never after a rollback). The statistics stay in the transaction's undo list
 * (private to its session, so read without a lock) until then. pg_class.reltuples, which
 * ANALYZE updates in place, goes to the shared figures at once. */

struct sql_stats_undo {
    sql_stats_undo *next;    /* older */
    uint32_t table_oid, level;
    sql_table_stats *made;   /* the transaction's: published at commit, else freed */
    eng_codec_w saved;       /* made's bytes, saved at commit */
};

/* The statistics of the session whose statement is being planned on this thread (planning
 * runs from begin to end without yielding: see sql_stats_plan_params_begin). */
static _Thread_local const sql_stats_undo *sql_stats_mine;

/* The row count of table t becomes `rows` for every session now: in the shared statistics
 * when they are t's, else in figures of the row count alone. */
static void sql_stats_rows_in_place(const eng_table *t, double rows) {
    sql_stats_slot *slot = sql_stats_slot_of(t->oid);
    sql_table_stats *only = rt_xcalloc(1, sizeof *only);
    only->table_oid = t->oid;
    only->core = -1;
    only->storage_id = t->storage_id;
    only->rows = rows;
    only->gen = atomic_fetch_add(&sql_stats_gen, 1) + 1;
    ck_spinlock_lock(&slot->lock);
    sql_table_stats *st = slot->st, *old = NULL;
    if (st != NULL && st->table_oid == t->oid &&
        (st->storage_id == t->storage_id || st->rewrite_storage_id == t->storage_id)) {
        st->rows = rows; /* read only under the lock */
    } else {
        old = st; /* another table's, or of a storage since replaced: stale */
        slot->st = only;
        only = NULL;
    }
    ck_spinlock_unlock(&slot->lock);
    sql_stats_free(old);
    if (only != NULL) rt_free(only);
}

bool sql_stats_analyze(sql_exec_ctx *x, const eng_table *t, sql_stats_undo **undo,
                       uint32_t level, rt_err *err) {
    eng_codec_w saved;
    if (undo == NULL) {
        if (!sql_stats_analyze_run(x, t, false, &saved, NULL, err)) return false;
        sql_stats_save(t, 0, &saved);
        return true;
    }
    sql_table_stats *made = NULL;
    if (!sql_stats_analyze_run(x, t, false, &saved, &made, err)) return false;
    sql_stats_rows_in_place(t, made->rows);
    sql_stats_undo *u = rt_xcalloc(1, sizeof *u);
    *u = (sql_stats_undo){*undo, t->oid, level, made, saved};
    *undo = u;
    return true;
}

/* The table `oid` of database `db_oid` in the catalog now committed (NULL if gone); unpin
 * `pin` after use. */
static const eng_table *sql_stats_committed_table(eng_catalog_ref *pin, uint32_t db_oid,
                                                  uint32_t oid) {
    eng_catalog_pin(pin);
    const eng_database *db = eng_catalog_db_by_oid(pin->catalog, db_oid);
    return db != NULL ? eng_db_table_by_oid(db, oid) : NULL;
}

/* Commit: the transaction's statistics become everyone's and are saved, when they still
 * describe the table's storage (a later TRUNCATE or rewrite in the transaction made them
 * stale). The undo entry's blocks are the caller's to free. */
static void sql_stats_undo_commit(sql_stats_undo *u, uint32_t db_oid) {
    eng_catalog_ref pin;
    const eng_table *t = sql_stats_committed_table(&pin, db_oid, u->table_oid);
    if (t != NULL && (u->made->storage_id == t->storage_id ||
                      u->made->rewrite_storage_id == t->storage_id)) {
        uint64_t rewrite = u->made->rewrite_storage_id;
        sql_stats_publish(u->table_oid, u->made);
        u->made = NULL; /* everyone's now */
        sql_stats_save(t, rewrite, &u->saved); /* frees the bytes */
        eng_w_init(&u->saved);
    }
    eng_catalog_unpin(&pin);
}

/* Rollback: the shared statistics stay as they were, with the row count the ANALYZE put in
 * place (saved, as PostgreSQL's in-place update of reltuples outlives the rollback). */
static void sql_stats_undo_rollback(sql_stats_undo *u, uint32_t db_oid) {
    eng_catalog_ref pin;
    const eng_table *t = sql_stats_committed_table(&pin, db_oid, u->table_oid);
    sql_stats_slot *slot;
    sql_table_stats *st = t != NULL ? sql_stats_lock_shared(t, &slot) : NULL;
    if (st != NULL) {
        eng_codec_w saved;
        sql_stats_encode(st, &saved); /* under the lock: a newer ANALYZE may free st */
        uint64_t rewrite = st->rewrite_storage_id;
        ck_spinlock_unlock(&slot->lock);
        sql_stats_save(t, rewrite, &saved);
    }
    eng_catalog_unpin(&pin);
}

void sql_stats_undo_end(sql_stats_undo **undo, uint32_t db_oid, uint32_t level, bool commit) {
    /* The list is newest first; ending it oldest first publishes a table's newest statistics
     * last, so they win. */
    sql_stats_undo *oldest_first = NULL;
    while (*undo != NULL && (*undo)->level >= level) {
        sql_stats_undo *u = *undo;
        *undo = u->next;
        u->next = oldest_first;
        oldest_first = u;
    }
    while (oldest_first != NULL) {
        sql_stats_undo *u = oldest_first;
        oldest_first = u->next;
        if (commit) sql_stats_undo_commit(u, db_oid);
        else sql_stats_undo_rollback(u, db_oid);
        sql_stats_free(u->made);
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
        bool ok = sql_stats_analyze_run(&x, t, true, &saved, NULL, &err);
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

/* The statistics every session plans with of a table, locked; NULL (unlocked) if none. */
static sql_table_stats *sql_stats_lock_oid_shared(uint32_t table_oid, sql_stats_slot **slot) {
    *slot = sql_stats_slot_of(table_oid);
    ck_spinlock_lock(&(*slot)->lock);
    sql_table_stats *st = (*slot)->st;
    if (st != NULL && st->table_oid == table_oid) return st;
    ck_spinlock_unlock(&(*slot)->lock);
    return NULL;
}

/* ... or, while a session plans, its transaction's own when it analysed the table (its own
 * block, returned with the slot locked all the same so that every caller unlocks alike). */
static sql_table_stats *sql_stats_lock_oid(uint32_t table_oid, sql_stats_slot **slot) {
    for (const sql_stats_undo *u = sql_stats_mine; u != NULL; u = u->next) {
        if (u->table_oid != table_oid) continue;
        *slot = sql_stats_slot_of(table_oid);
        ck_spinlock_lock(&(*slot)->lock);
        return u->made;
    }
    return sql_stats_lock_oid_shared(table_oid, slot);
}

/* ... and only while they describe the table's current storage: TRUNCATE gives it new, empty
 * storage and the old figures are stale (until the next ANALYZE, which auto-analyze starts
 * after enough changes). A rewrite (ALTER COLUMN TYPE, a new primary key) keeps the rows in
 * new storage: sql_stats_rewritten lets the figures follow. */
static sql_table_stats *sql_stats_lock_current(sql_table_stats *st, const eng_table *t,
                                               sql_stats_slot *slot) {
    if (st == NULL || st->storage_id == t->storage_id ||
        (st->rewrite_storage_id != 0 && st->rewrite_storage_id == t->storage_id)) {
        return st;
    }
    ck_spinlock_unlock(&slot->lock);
    return NULL;
}

static sql_table_stats *sql_stats_lock(const eng_table *t, sql_stats_slot **slot) {
    sql_table_stats *st = sql_stats_lock_oid(t->oid, slot); /* sets *slot */
    return sql_stats_lock_current(st, t, *slot);
}

static sql_table_stats *sql_stats_lock_shared(const eng_table *t, sql_stats_slot **slot) {
    sql_table_stats *st = sql_stats_lock_oid_shared(t->oid, slot); /* sets *slot */
    return sql_stats_lock_current(st, t, *slot);
}

void sql_stats_rewritten(const sql_stats_undo *mine, const eng_table *t, uint64_t storage_id) {
    /* The transaction's own statistics follow the rows too (published at its commit). */
    for (const sql_stats_undo *u = mine; u != NULL; u = u->next) {
        if (u->table_oid == t->oid && u->made->storage_id == t->storage_id) {
            u->made->rewrite_storage_id = storage_id;
        }
    }
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock_shared(t, &slot);
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

static bool sql_stats_view_copy(const sql_col_stats *cs, rt_arena *arena,
                                sql_stats_view *out) {
    *out = (sql_stats_view){.null_frac = cs->null_frac, .avg_width = cs->avg_width,
                            .n_distinct = cs->stadistinct, .nmcv = cs->nmcv,
                            .nhist = cs->nhist, .has_correlation = cs->has_correlation,
                            .correlation = cs->correlation};
    return sql_stats_values_copy(cs, arena, &out->mcv, &out->mcv_freq, &out->hist);
}

bool sql_stats_view_get(const sql_stats_undo *mine, const eng_table *t, uint16_t attnum,
                        rt_arena *arena, sql_stats_view *out) {
    const sql_stats_undo *outer = sql_stats_mine; /* nothing in between yields */
    sql_stats_mine = mine;
    sql_stats_slot *slot;
    sql_table_stats *st = sql_stats_lock(t, &slot);
    sql_stats_mine = outer;
    if (st == NULL) return false;
    /* Copied under the lock: a newer ANALYZE may free these figures once it is let go. */
    bool ok = sql_stats_col_ok(st, t, attnum) &&
              sql_stats_view_copy(&st->cols[attnum - 1], arena, out);
    ck_spinlock_unlock(&slot->lock);
    return ok;
}

/* Compares a column value with a constant of a possibly different numeric type; false when
 * the two cannot be compared meaningfully. */
/* A number-like value as a double, in a unit its comparable types share: a date (days since
 * 2000-01-01) in microseconds, as timestamp and timestamptz count (`l_shipdate < date
 * '1995-10-01' + interval '1 month'` compares a date column with a timestamp: compared as
 * raw numbers, every 1995 timestamp sorted below every date and the estimate was one row). */
static double sql_stats_number(const sql_value *v) {
    if (v->type_oid == SQL_T_DATE) return (double)v->i64 * 86400e6;
    return sql_phys_of_type(v->type_oid) == SQL_PHYS_I64 ? (double)v->i64 : v->f64;
}

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
    double x = sql_stats_number(a), y = sql_stats_number(b);
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
            double a = sql_stats_number(&cs->hist[lo - 1]), b = sql_stats_number(&cs->hist[lo]);
            double v = sql_stats_number(c);
            if (b > a) within = fmin(1, fmax(0, (v - a) / (b - a)));
        }
        frac = ((double)(lo - 1) + within) / (double)(cs->nhist - 1);
    }
    return sel + rest * frac;
}

/* The planning of one statement runs on one thread from begin to end: its parameter values
 * are the thread's, so estimates deep in the planner read them without a context. */
static _Thread_local const sql_value *sql_plan_values;
static _Thread_local uint32_t sql_plan_nvalues;

void sql_stats_plan_params_begin(const sql_value *values, uint32_t n,
                                 const sql_stats_undo *mine) {
    sql_stats_mine = mine;
    sql_plan_values = values;
    sql_plan_nvalues = values != NULL ? n : 0;
}

void sql_stats_plan_params_end(void) {
    sql_stats_mine = NULL;
    sql_plan_values = NULL;
    sql_plan_nvalues = 0;
}

const sql_value *sql_stats_plan_param(uint32_t param) {
    if (param == 0 || param > sql_plan_nvalues) return NULL;
    return &sql_plan_values[param - 1];
}

/* A constant, or the bound value of a parameter in a custom plan; NULL with *is_param for a
 * parameter of a generic plan. */
static const sql_value *sql_stats_const(const sql_expr *e, bool *is_param) {
    *is_param = false;
    if (e->kind == SQL_X_CONST) return &e->constval;
    if (e->kind != SQL_X_PARAM) return NULL;
    const sql_value *v = sql_stats_plan_param(e->param);
    /* A value of another type than the expression's (never so from Bind) is not judged. */
    if (v != NULL && v->type_oid == e->type_oid) return v;
    *is_param = true;
    return NULL;
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
    bool eq = strcmp(op, "=") == 0, ne = strcmp(op, "<>") == 0;
    bool lt = strcmp(op, "<") == 0, le = strcmp(op, "<=") == 0;
    bool gt = strcmp(op, ">") == 0, ge = strcmp(op, ">=") == 0;
    bool is_param = false;
    const sql_value *c = cs != NULL ? sql_stats_const(r, &is_param) : NULL;
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
