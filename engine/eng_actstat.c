/* eng_actstat.c: the activity statistics file (eng_actstat.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng.h"
#include "engine/eng_actstat.h"
#include "engine/eng_codec.h"
#include "engine/eng_vac.h"
#include "runtime/rt_crc32c.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_mem.h"

#define ENG_ACTSTAT_MAGIC 0x53414244u /* "DBAS" */
#define ENG_ACTSTAT_HEADER_BYTES 16u
#define ENG_ACTSTAT_RECORD_BYTES (16u + 8u * ENG_ACTSTAT_VALUES)

static eng_actstat_get_fn eng_actstat_get;
static eng_actstat_put_fn eng_actstat_put;

void eng_actstat_set_hooks(eng_actstat_get_fn get, eng_actstat_put_fn put) {
    eng_actstat_get = get;
    eng_actstat_put = put;
}

static void eng_actstat_path(char *out, size_t size, const char *suffix) {
    snprintf(out, size, "%s/activity.stat%s", eng_data_dir(), suffix);
}

/* Table t's figures; false when all are zero (nothing worth a record). */
static bool eng_actstat_values(const eng_table *t, uint64_t *v) {
    memset(v, 0, sizeof(uint64_t) * ENG_ACTSTAT_VALUES);
    eng_vac_stats vs = eng_vac_stats_get(t->storage_id);
    v[0] = vs.vacuum_count;
    v[1] = vs.autovacuum_count;
    v[2] = (uint64_t)vs.last_vacuum_us;
    v[3] = (uint64_t)vs.last_autovacuum_us;
    if (eng_actstat_get != NULL) eng_actstat_get(t, v + ENG_ACTSTAT_VAC_VALUES);
    bool any = false;
    for (uint32_t i = 0; i < ENG_ACTSTAT_VALUES; i++) any |= v[i] != 0;
    return any;
}

/* The records of every table of catalog c that has figures (temporary ones die with their
 * session). */
static uint32_t eng_actstat_encode(const eng_catalog *c, eng_codec_w *w) {
    uint32_t n = 0, skipped = 0;
    for (uint32_t d = 0; d < eng_catalog_db_count(c); d++) {
        const eng_database *db = eng_catalog_db_at(c, d);
        for (uint32_t i = 0; i < db->table_count; i++) {
            const eng_table *t = &db->tables[i];
            uint64_t v[ENG_ACTSTAT_VALUES];
            if (t->kind != 'r' || t->persistence == 't' || !eng_actstat_values(t, v)) continue;
            if (n == ENG_ACTSTAT_TABLES_MAX) {
                skipped++;
                continue;
            }
            eng_w_u32(w, t->oid);
            eng_w_u32(w, 0);
            eng_w_u64(w, t->storage_id);
            for (uint32_t k = 0; k < ENG_ACTSTAT_VALUES; k++) eng_w_u64(w, v[k]);
            n++;
        }
    }
    if (skipped > 0) {
        rt_log(RT_LOG_WARNING, NULL, "activity statistics of %u tables not saved (more than %u)",
               skipped, ENG_ACTSTAT_TABLES_MAX);
    }
    return n;
}

void eng_actstat_save(void) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    if (pin.catalog == NULL) { /* the start failed before recovery: nothing was counted */
        eng_catalog_unpin(&pin);
        return;
    }
    eng_codec_w w;
    eng_w_init(&w);
    eng_w_u32(&w, ENG_ACTSTAT_MAGIC);
    uint16_t format = ENG_ACTSTAT_FORMAT, flags = 0;
    eng_w_raw(&w, &format, 2);
    eng_w_raw(&w, &flags, 2);
    eng_w_u32(&w, 0); /* the count, known once encoded */
    eng_w_u32(&w, 0);
    RT_ASSERT(w.len == ENG_ACTSTAT_HEADER_BYTES);
    uint32_t n = eng_actstat_encode(pin.catalog, &w);
    eng_catalog_unpin(&pin);
    memcpy(w.buf + 8, &n, 4);
    eng_w_u32(&w, rt_crc32c(0, w.buf, w.len));
    char path[600], tmp[620];
    eng_actstat_path(path, sizeof path, "");
    eng_actstat_path(tmp, sizeof tmp, ".tmp");
    rt_err err;
    rt_err_clear(&err);
    if (!rt_file_replace(path, tmp, eng_data_dir(), w.buf, w.len, &err)) {
        rt_log(RT_LOG_WARNING, NULL, "activity statistics not saved: %s", err.message);
    }
    rt_free(w.buf);
}

/* ---- loading at start ---- */

/* The whole file, NULL with *why (NULL too when there is none). */
static uint8_t *eng_actstat_read(const char *path, uint64_t *size, const char **why) {
    if (access(path, F_OK) != 0) return NULL;
    return rt_file_read_whole(path, ENG_ACTSTAT_HEADER_BYTES + 4u,
                              ENG_ACTSTAT_HEADER_BYTES + 4u +
                                  (uint64_t)ENG_ACTSTAT_TABLES_MAX * ENG_ACTSTAT_RECORD_BYTES,
                              size, why);
}

/* The table of `oid` in catalog `c` when it still has storage `storage_id`. */
static const eng_table *eng_actstat_table(const eng_catalog *c, uint32_t oid,
                                          uint64_t storage_id) {
    for (uint32_t i = 0; i < eng_catalog_db_count(c); i++) {
        const eng_table *t = eng_db_table_by_oid(eng_catalog_db_at(c, i), oid);
        if (t != NULL) return t->storage_id == storage_id && t->kind == 'r' ? t : NULL;
    }
    return NULL;
}

static void eng_actstat_restore(const eng_table *t, const uint64_t *v) {
    eng_vac_tstat *vt = eng_vac_tstat_of(t->storage_id);
    if (vt != NULL) {
        atomic_store(&vt->vacuum_count, v[0]);
        atomic_store(&vt->autovacuum_count, v[1]);
        atomic_store(&vt->last_vacuum_us, (int64_t)v[2]);
        atomic_store(&vt->last_autovacuum_us, (int64_t)v[3]);
    }
    if (eng_actstat_put != NULL) eng_actstat_put(t, v + ENG_ACTSTAT_VAC_VALUES);
}

/* Checks the file and gives each table still there its figures; NULL or why it is refused. */
static const char *eng_actstat_apply(const uint8_t *buf, uint64_t size) {
    uint32_t crc;
    memcpy(&crc, buf + size - 4, 4);
    if (rt_crc32c(0, buf, size - 4) != crc) return "its checksum does not match";
    eng_codec_r r;
    eng_r_init(&r, buf, size - 4);
    uint32_t magic = eng_r_u32(&r);
    uint32_t format = eng_r_u32(&r) & 0xffff;
    uint32_t n = eng_r_u32(&r);
    (void)eng_r_u32(&r);
    if (magic != ENG_ACTSTAT_MAGIC || format != ENG_ACTSTAT_FORMAT) {
        return "it is not an activity statistics file of this version";
    }
    if (size - 4 - ENG_ACTSTAT_HEADER_BYTES != (uint64_t)n * ENG_ACTSTAT_RECORD_BYTES) {
        return "its length does not match";
    }
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t oid = eng_r_u32(&r);
        (void)eng_r_u32(&r);
        uint64_t storage_id = eng_r_u64(&r);
        uint64_t v[ENG_ACTSTAT_VALUES];
        for (uint32_t k = 0; k < ENG_ACTSTAT_VALUES; k++) v[k] = eng_r_u64(&r);
        const eng_table *t = eng_actstat_table(pin.catalog, oid, storage_id);
        if (t != NULL) eng_actstat_restore(t, v);
    }
    eng_catalog_unpin(&pin);
    eng_r_done(&r);
    return NULL;
}

void eng_actstat_load(void) {
    char path[600], tmp[620];
    eng_actstat_path(path, sizeof path, "");
    eng_actstat_path(tmp, sizeof tmp, ".tmp");
    rt_err err;
    rt_err_clear(&err);
    rt_file_unlink(tmp, &err); /* never renamed: a stop that did not finish */
    rt_err_clear(&err);
    uint64_t size = 0;
    const char *why = NULL;
    uint8_t *buf = eng_actstat_read(path, &size, &why);
    if (buf == NULL && why == NULL) return; /* none */
    if (buf != NULL && !eng_clean_start()) {
        rt_log(RT_LOG_INFO, NULL, "activity statistics reset after a crash");
    } else if (buf != NULL) {
        why = eng_actstat_apply(buf, size);
    }
    if (why != NULL) {
        rt_log(RT_LOG_WARNING, NULL, "activity statistics file \"%s\" dropped: %s", path, why);
    }
    rt_free(buf);
    if (!rt_file_unlink(path, &err)) rt_log(RT_LOG_WARNING, NULL, "%s", err.message);
}
