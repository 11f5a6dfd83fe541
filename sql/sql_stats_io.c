/* sql_stats_io.c: statistics that outlive a restart (sql_stats.h, Durable). Every ANALYZE
 * saves the table's statistics through eng_relstat (one file per table, written whole); the
 * engine's start hands back those still current and sql_stats_load rebuilds them, so the
 * first plan after a restart uses the figures the last plan before it used.
 *
 * Payload (little-endian, inside eng_relstat's checksummed file):
 *   u32 format, u64 rows (double bits), u32 ncols, u32 columns that follow; per column:
 *   u32 attnum, u32 type oid, u8 phys, 3 x u64 null_frac/ndistinct/mcv_total (double bits),
 *   u32 nmcv, nmcv x (value, u64 frequency), u32 nhist, nhist x value,
 *   (format 3) u32 avg_width, u64 stadistinct (double bits), u8 has_correlation, u64
 *   correlation (double bits),
 *   u32 nzones, 2 x u64 zone_rows/zone_always, nzones x (u64 min, u64 rows up to it),
 *   nzones x (u64 max, u64 rows up to it);
 *   value: u64 (I64, F64 bits) or u32 length + bytes (BYTES).
 * Loading trusts nothing: counts, ranges, lengths and the values' physical kind are checked
 * against the format and the current table; anything wrong rejects the whole file (logged
 * and dropped by the engine: statistics are advisory). */
#include <math.h>
#include <string.h>

#include "engine/eng_actstat.h"
#include "engine/eng.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "sql/sql_stats.h"
#include "sql/sql_stats_int.h"

#define SQL_STATS_FORMAT 3u
/* Files of format 2 (no width, PostgreSQL's distinct figure nor correlation) still load. */
#define SQL_STATS_FORMAT_OLD 2u
/* Zone bounds a file may hold: every shard's reservoir of row groups. */
#define SQL_STATS_ZONES_SAVED_MAX (SQL_STATS_ZONES_MAX * RT_SHARDS_MAX)

static void sql_stats_put_f64(eng_codec_w *w, double v) {
    uint64_t bits;
    memcpy(&bits, &v, 8);
    eng_w_u64(w, bits);
}

static double sql_stats_get_f64(eng_codec_r *r) {
    uint64_t bits = eng_r_u64(r);
    double v;
    memcpy(&v, &bits, 8);
    return v;
}

static void sql_stats_put_value(eng_codec_w *w, sql_phys phys, const sql_value *v) {
    if (phys == SQL_PHYS_BYTES) {
        eng_w_bytes(w, v->b.ptr, v->b.len);
    } else {
        eng_w_u64(w, (uint64_t)v->i64); /* the union's 8 bytes: int64 or double bits */
    }
}

static void sql_stats_put_zones(eng_codec_w *w, const sql_col_stats *cs) {
    eng_w_u32(w, cs->nzones);
    sql_stats_put_f64(w, cs->zone_rows);
    sql_stats_put_f64(w, cs->zone_always);
    for (uint32_t i = 0; i < cs->nzones; i++) {
        eng_w_u64(w, (uint64_t)cs->zone_min[i]);
        sql_stats_put_f64(w, cs->zone_min_rows[i]);
    }
    for (uint32_t i = 0; i < cs->nzones; i++) {
        eng_w_u64(w, (uint64_t)cs->zone_max[i]);
        sql_stats_put_f64(w, cs->zone_max_rows[i]);
    }
}

void sql_stats_encode(const sql_table_stats *st, eng_codec_w *out) {
    eng_w_init(out);
    eng_w_u32(out, SQL_STATS_FORMAT);
    sql_stats_put_f64(out, st->rows);
    eng_w_u32(out, st->ncols);
    uint32_t with = 0;
    for (uint16_t c = 0; c < st->ncols; c++) with += st->cols[c].type_oid != 0;
    eng_w_u32(out, with);
    for (uint16_t c = 0; c < st->ncols; c++) {
        const sql_col_stats *cs = &st->cols[c];
        if (cs->type_oid == 0) continue;
        sql_phys phys = sql_phys_of_type(cs->type_oid);
        eng_w_u32(out, (uint32_t)c + 1);
        eng_w_u32(out, cs->type_oid);
        eng_w_u8(out, (uint8_t)phys);
        sql_stats_put_f64(out, cs->null_frac);
        sql_stats_put_f64(out, cs->ndistinct);
        sql_stats_put_f64(out, cs->mcv_total);
        eng_w_u32(out, cs->nmcv);
        for (uint32_t i = 0; i < cs->nmcv; i++) {
            sql_stats_put_value(out, phys, &cs->mcv[i]);
            sql_stats_put_f64(out, cs->mcv_freq[i]);
        }
        eng_w_u32(out, cs->nhist);
        for (uint32_t i = 0; i < cs->nhist; i++) sql_stats_put_value(out, phys, &cs->hist[i]);
        eng_w_u32(out, (uint32_t)cs->avg_width);
        sql_stats_put_f64(out, cs->stadistinct);
        eng_w_u8(out, cs->has_correlation);
        sql_stats_put_f64(out, cs->correlation);
        sql_stats_put_zones(out, cs);
    }
}

void sql_stats_save(const eng_table *t, uint64_t rewrite_storage_id, eng_codec_w *saved) {
    rt_err err;
    rt_err_clear(&err);
    if (!eng_relstat_save(t, rewrite_storage_id, saved->buf, saved->len, &err)) {
        rt_log(RT_LOG_WARNING, NULL, "statistics of table \"%s\" not saved (a restart will "
               "gather them again): %s", t->name, err.message);
    }
    rt_free(saved->buf);
    eng_w_init(saved);
}

void sql_stats_free_loaded(sql_table_stats *st) {
    for (uint16_t c = 0; st->cols != NULL && c < st->ncols; c++) {
        rt_free(st->cols[c].mcv);
        rt_free(st->cols[c].mcv_freq);
        rt_free(st->cols[c].hist);
        rt_free(st->cols[c].zone_min);
        rt_free(st->cols[c].zone_max);
        rt_free(st->cols[c].zone_min_rows);
        rt_free(st->cols[c].zone_max_rows);
    }
    rt_free(st->cols);
    rt_free(st->blob);
}

/* ---- loading ---- */

static bool sql_stats_fraction_ok(double v) { return isfinite(v) && v >= 0 && v <= 1.0001; }

static void sql_stats_get_value(eng_codec_r *r, sql_phys phys, uint32_t type_oid,
                                sql_value *v) {
    memset(v, 0, sizeof *v);
    v->type_oid = type_oid;
    if (phys == SQL_PHYS_BYTES) {
        v->b.ptr = eng_r_bytes(r, &v->b.len);
    } else {
        v->i64 = (int64_t)eng_r_u64(r);
    }
}

/* n sorted bounds with their rising row counts (sql_stats_zone_fraction's binary searches
 * rely on both orders); false when they are not. */
static bool sql_stats_get_bounds(eng_codec_r *r, uint32_t n, int64_t **v, double **rows) {
    *v = rt_xcalloc(n + 1u, sizeof(int64_t));
    *rows = rt_xcalloc(n + 1u, sizeof(double));
    bool ok = true;
    for (uint32_t i = 0; i < n; i++) {
        (*v)[i] = (int64_t)eng_r_u64(r);
        (*rows)[i] = sql_stats_get_f64(r);
        ok &= isfinite((*rows)[i]) && (*rows)[i] >= 0;
        if (i > 0) ok &= (*v)[i] >= (*v)[i - 1] && (*rows)[i] >= (*rows)[i - 1];
    }
    return ok;
}

static bool sql_stats_get_zones(eng_codec_r *r, sql_col_stats *cs) {
    cs->nzones = eng_r_count(r, SQL_STATS_ZONES_SAVED_MAX);
    cs->zone_rows = sql_stats_get_f64(r);
    cs->zone_always = sql_stats_get_f64(r);
    bool ok = isfinite(cs->zone_rows) && cs->zone_rows >= 0 && isfinite(cs->zone_always) &&
              cs->zone_always >= 0 && cs->zone_always <= cs->zone_rows;
    ok &= sql_stats_get_bounds(r, cs->nzones, &cs->zone_min, &cs->zone_min_rows);
    ok &= sql_stats_get_bounds(r, cs->nzones, &cs->zone_max, &cs->zone_max_rows);
    return ok;
}

/* One column's figures into cs (arrays from rt_xcalloc); false when they cannot be right. */
/* The figures format 3 added (format 2: PostgreSQL's distinct figure from the count). */
static bool sql_stats_get_pg(eng_codec_r *r, uint32_t format, double rows, sql_col_stats *cs) {
    if (format == SQL_STATS_FORMAT_OLD) {
        cs->stadistinct = cs->ndistinct > 0.1 * rows && rows > 0 ? -(cs->ndistinct / rows)
                                                                 : cs->ndistinct;
        return true;
    }
    cs->avg_width = (int32_t)eng_r_u32(r);
    cs->stadistinct = sql_stats_get_f64(r);
    uint8_t has = eng_r_u8(r);
    cs->correlation = sql_stats_get_f64(r);
    cs->has_correlation = has == 1;
    return has <= 1 && cs->avg_width >= 0 && isfinite(cs->stadistinct) &&
           cs->stadistinct >= -1.0001 && isfinite(cs->correlation) &&
           fabs(cs->correlation) <= 1.0001;
}

static bool sql_stats_get_column(eng_codec_r *r, const eng_table *t, sql_table_stats *st,
                                 uint32_t format, const char **why) {
    uint32_t att = eng_r_u32(r), type_oid = eng_r_u32(r);
    uint8_t phys = eng_r_u8(r);
    if (!eng_r_ok(r)) return false;
    if (att == 0 || att > st->ncols || st->cols[att - 1].type_oid != 0 || type_oid == 0) {
        *why = "a column number out of range or repeated";
        return false;
    }
    const eng_column *col = &t->columns[att - 1];
    bool current = !col->dropped && col->type_oid == type_oid;
    if (phys < SQL_PHYS_I64 || phys > SQL_PHYS_BYTES ||
        (current && phys != (uint8_t)sql_phys_of_type(type_oid))) {
        *why = "a value kind that does not match its column";
        return false;
    }
    sql_col_stats *cs = &st->cols[att - 1];
    cs->type_oid = type_oid;
    cs->null_frac = sql_stats_get_f64(r);
    cs->ndistinct = sql_stats_get_f64(r);
    cs->mcv_total = sql_stats_get_f64(r);
    cs->nmcv = eng_r_count(r, SQL_STATS_MCV_MAX);
    cs->mcv = rt_xcalloc(cs->nmcv + 1u, sizeof(sql_value));
    cs->mcv_freq = rt_xcalloc(cs->nmcv + 1u, sizeof(double));
    bool ok = sql_stats_fraction_ok(cs->null_frac) && sql_stats_fraction_ok(cs->mcv_total) &&
              isfinite(cs->ndistinct) && cs->ndistinct >= 0;
    for (uint32_t i = 0; i < cs->nmcv; i++) {
        sql_stats_get_value(r, (sql_phys)phys, type_oid, &cs->mcv[i]);
        cs->mcv_freq[i] = sql_stats_get_f64(r);
        ok &= sql_stats_fraction_ok(cs->mcv_freq[i]);
    }
    cs->nhist = eng_r_count(r, SQL_STATS_HIST_BOUNDS);
    cs->hist = rt_xcalloc(cs->nhist + 1u, sizeof(sql_value));
    for (uint32_t i = 0; i < cs->nhist; i++) {
        sql_stats_get_value(r, (sql_phys)phys, type_oid, &cs->hist[i]);
    }
    ok &= sql_stats_get_pg(r, format, st->rows, cs);
    if (!ok) *why = "a fraction or distinct count out of range";
    if (ok && !sql_stats_get_zones(r, cs)) *why = "zone bounds out of order", ok = false;
    return ok && eng_r_ok(r);
}

/* Decodes into st (its blob holds the bytes); false with *why. */
static bool sql_stats_decode(sql_table_stats *st, const eng_table *t, size_t len,
                             const char **why) {
    eng_codec_r r;
    eng_r_init(&r, st->blob, len);
    uint32_t format = eng_r_u32(&r);
    st->rows = sql_stats_get_f64(&r);
    uint32_t ncols = eng_r_u32(&r);
    uint32_t with = eng_r_u32(&r);
    bool ok = eng_r_ok(&r);
    if (ok && format != SQL_STATS_FORMAT && format != SQL_STATS_FORMAT_OLD) {
        *why = "an unknown format", ok = false;
    }
    if (ok && !(isfinite(st->rows) && st->rows >= 0)) *why = "an impossible row count", ok = false;
    /* Columns are only ever added (a dropped one keeps its number). */
    if (ok && (ncols > t->column_count || with > ncols)) {
        *why = "more columns than its table has", ok = false;
    }
    if (ok) {
        st->ncols = (uint16_t)ncols;
        st->cols = rt_xcalloc(ncols + 1u, sizeof(sql_col_stats));
    }
    for (uint32_t i = 0; ok && i < with; i++) ok = sql_stats_get_column(&r, t, st, format, why);
    if (ok && !eng_r_ok(&r)) *why = r.failure, ok = false;
    if (ok && r.pos != r.len) *why = "bytes after its end", ok = false;
    if (!ok && *why == NULL) *why = r.failure != NULL ? r.failure : "damaged data";
    eng_r_done(&r);
    return ok;
}

/* eng_relstat's loader: the saved statistics of t become its statistics in memory. */
static bool sql_stats_load(const eng_table *t, const uint8_t *bytes, size_t len, rt_err *err) {
    sql_table_stats *st = rt_xcalloc(1, sizeof *st);
    st->table_oid = t->oid;
    st->storage_id = t->storage_id;
    st->core = rt_core_id_or_none();
    st->blob = rt_xmalloc(len + 1u);
    memcpy(st->blob, bytes, len);
    const char *why = NULL;
    if (!sql_stats_decode(st, t, len, &why)) {
        sql_stats_free_loaded(st);
        rt_free(st);
        return rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "statistics of table \"%s\" have %s",
                          t->name, why);
    }
    if (!sql_stats_publish_loaded(st)) {
        sql_stats_free_loaded(st);
        rt_free(st);
    }
    return true;
}

void sql_stats_init(void) {
    sql_stats_reset();
    eng_relstat_set_loader(sql_stats_load);
    eng_actstat_set_hooks(sql_stats_activity_save, sql_stats_activity_restore);
}
