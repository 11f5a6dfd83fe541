/* eng_relstat.c: the files of the planner's statistics (eng_relstat.h). */
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng.h"
#include "engine/eng_codec.h"
#include "engine/eng_relstat.h"
#include "runtime/rt_crc32c.h"
#include "runtime/rt_io.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

#define ENG_RELSTAT_MAGIC 0x54534244u /* "DBST" */
#define ENG_RELSTAT_HEADER_BYTES 40u
#define ENG_RELSTAT_TRAILER_BYTES 4u

static eng_relstat_load_fn eng_relstat_loader;

void eng_relstat_set_loader(eng_relstat_load_fn fn) { eng_relstat_loader = fn; }

static void eng_relstat_dir(char *out, size_t size) {
    snprintf(out, size, "%s/stats", eng_data_dir());
}

static void eng_relstat_path(char *out, size_t size, uint32_t table_oid) {
    snprintf(out, size, "%s/stats/t-%08x.stat", eng_data_dir(), table_oid);
}

bool eng_relstat_save(const eng_table *t, uint64_t rewrite_storage_id, const void *bytes,
                      size_t len, rt_err *err) {
    if (t->persistence == 't') return true;
    if (len > ENG_RELSTAT_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "statistics of table \"%s\" exceed %u bytes", t->name,
                          ENG_RELSTAT_BYTES_MAX);
    }
    eng_codec_w w;
    eng_w_init(&w);
    eng_w_u32(&w, ENG_RELSTAT_MAGIC);
    uint16_t format = ENG_RELSTAT_FORMAT, flags = 0;
    eng_w_raw(&w, &format, 2);
    eng_w_raw(&w, &flags, 2);
    eng_w_u32(&w, t->oid);
    eng_w_u32(&w, 0); /* reserved */
    eng_w_u64(&w, t->storage_id);
    eng_w_u64(&w, rewrite_storage_id);
    eng_w_u64(&w, len);
    RT_ASSERT(w.len == ENG_RELSTAT_HEADER_BYTES);
    eng_w_raw(&w, bytes, len);
    eng_w_u32(&w, rt_crc32c(0, w.buf, w.len));
    char dir[520], path[600], tmp[620];
    eng_relstat_dir(dir, sizeof dir);
    eng_relstat_path(path, sizeof path, t->oid);
    /* A name per write: two ANALYZEs of one table never write the same temporary file. */
    static _Atomic uint64_t seq;
    snprintf(tmp, sizeof tmp, "%s.%llx.tmp", path, (unsigned long long)atomic_fetch_add(&seq, 1));
    bool ok = rt_file_replace(path, tmp, dir, w.buf, w.len, err); /* dir is made at start */
    rt_free(w.buf);
    return ok;
}

/* ---- loading at start ---- */

static void eng_relstat_drop(const char *path, const char *why) {
    rt_log(RT_LOG_WARNING, NULL, "statistics file \"%s\" dropped: %s (ANALYZE gathers the "
           "statistics again)", path, why);
    rt_err err;
    rt_err_clear(&err);
    if (!rt_file_unlink(path, &err)) rt_log(RT_LOG_WARNING, NULL, "%s", err.message);
}

/* Removes a file whose table is gone or changed: expected, so not a warning. */
static void eng_relstat_forget(const char *path, const char *why) {
    rt_log(RT_LOG_DEBUG, NULL, "statistics file \"%s\" removed: %s", path, why);
    rt_err err;
    rt_err_clear(&err);
    if (!rt_file_unlink(path, &err)) rt_log(RT_LOG_WARNING, NULL, "%s", err.message);
}

/* Reads the whole file (at most the largest valid size); NULL with *why on failure. */
static uint8_t *eng_relstat_read(const char *path, uint64_t *size, const char **why) {
    return rt_file_read_whole(path, ENG_RELSTAT_HEADER_BYTES + ENG_RELSTAT_TRAILER_BYTES,
                              (uint64_t)ENG_RELSTAT_BYTES_MAX + ENG_RELSTAT_HEADER_BYTES +
                                  ENG_RELSTAT_TRAILER_BYTES,
                              size, why);
}

/* Checks the header and checksum; the payload's place on success, NULL with *why. */
static const uint8_t *eng_relstat_check(const uint8_t *buf, uint64_t size, uint32_t *oid,
                                        uint64_t storage_id[2], uint64_t *len,
                                        const char **why) {
    uint32_t crc;
    memcpy(&crc, buf + size - ENG_RELSTAT_TRAILER_BYTES, 4);
    if (rt_crc32c(0, buf, size - ENG_RELSTAT_TRAILER_BYTES) != crc) {
        *why = "its checksum does not match";
        return NULL;
    }
    eng_codec_r r;
    eng_r_init(&r, buf, ENG_RELSTAT_HEADER_BYTES);
    uint32_t magic = eng_r_u32(&r);
    uint32_t format = eng_r_u32(&r) & 0xffff;
    *oid = eng_r_u32(&r);
    (void)eng_r_u32(&r);
    storage_id[0] = eng_r_u64(&r);
    storage_id[1] = eng_r_u64(&r);
    *len = eng_r_u64(&r);
    eng_r_done(&r);
    if (magic != ENG_RELSTAT_MAGIC || format != ENG_RELSTAT_FORMAT) {
        *why = "it is not a statistics file of this version";
        return NULL;
    }
    if (*len != size - ENG_RELSTAT_HEADER_BYTES - ENG_RELSTAT_TRAILER_BYTES) {
        *why = "its length does not match";
        return NULL;
    }
    return buf + ENG_RELSTAT_HEADER_BYTES;
}

/* The table of `oid` in catalog `c`, NULL if none. */
static const eng_table *eng_relstat_table(const eng_catalog *c, uint32_t oid) {
    for (uint32_t i = 0; i < eng_catalog_db_count(c); i++) {
        const eng_table *t = eng_db_table_by_oid(eng_catalog_db_at(c, i), oid);
        if (t != NULL) return t;
    }
    return NULL;
}

static void eng_relstat_load_one(const eng_catalog *c, const char *path, uint32_t name_oid) {
    uint64_t size, storage_id[2], len;
    uint32_t oid;
    const char *why = NULL;
    uint8_t *buf = eng_relstat_read(path, &size, &why);
    const uint8_t *payload = buf != NULL ? eng_relstat_check(buf, size, &oid, storage_id, &len,
                                                             &why) : NULL;
    if (payload != NULL && oid != name_oid) why = "it names another table", payload = NULL;
    if (payload == NULL) {
        eng_relstat_drop(path, why);
        rt_free(buf);
        return;
    }
    const eng_table *t = eng_relstat_table(c, oid);
    if (t == NULL || t->kind != 'r' || t->persistence == 't') {
        eng_relstat_forget(path, "its table was dropped");
    } else if (t->storage_id != storage_id[0] &&
               (storage_id[1] == 0 || t->storage_id != storage_id[1])) {
        eng_relstat_forget(path, "its table was truncated since");
    } else if (t->persistence == 'u' && !eng_clean_start()) {
        eng_relstat_forget(path, "its unlogged table was emptied after a crash");
    } else {
        rt_err err;
        rt_err_clear(&err);
        if (!eng_relstat_loader(t, payload, len, &err)) eng_relstat_drop(path, err.message);
    }
    rt_free(buf);
}

void eng_relstat_load_all(void) {
    char dir[520];
    eng_relstat_dir(dir, sizeof dir);
    rt_err err;
    rt_err_clear(&err);
    /* Made here, off the shards: saving from a shard then only writes files. */
    if (!rt_dir_make(dir, &err)) {
        rt_log(RT_LOG_WARNING, NULL, "statistics will not be saved: %s", err.message);
        return;
    }
    if (eng_relstat_loader == NULL) return;
    DIR *d = opendir(dir);
    if (d == NULL) return;
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[600];
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.') continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        unsigned oid;
        char tail[8];
        if (n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0) { /* never renamed */
            eng_relstat_forget(path, "an incomplete write");
        } else if (n == 15 && sscanf(e->d_name, "t-%8x.%4s", &oid, tail) == 2 &&
                   strcmp(tail, "stat") == 0) {
            eng_relstat_load_one(pin.catalog, path, oid);
        }
    }
    eng_catalog_unpin(&pin);
    closedir(d);
}
