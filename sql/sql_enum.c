/* sql_enum.c: the enum type registry and the I/O and order of enum values (sql_enum.h).
 * The labels are read from the statement's catalog (sql_io_ctx.names), or from the current
 * catalog version when a caller has none; they are never cached here, so RENAME VALUE and a
 * rolled-back ADD VALUE need nothing of this module. */
#include "sql/sql_enum.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng_catalog.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_types_int.h"

/* ---- registry: open addressing, keys only ever added ---- */

#define SQL_ENUM_SLOTS (SQL_ENUM_TYPES_MAX * 4u) /* enum and array oids, at most half full */
RT_STATIC_ASSERT((SQL_ENUM_SLOTS & (SQL_ENUM_SLOTS - 1)) == 0);

typedef struct sql_enum_slot {
    _Atomic uint32_t oid;    /* 0 = empty */
    _Atomic uint32_t other;  /* the array type of an enum, the enum of an array type */
    _Atomic bool is_array;
} sql_enum_slot;

static sql_enum_slot sql_enum_slots[SQL_ENUM_SLOTS];
static _Atomic uint32_t sql_enum_used;

static uint32_t sql_enum_home(uint32_t oid) {
    return (uint32_t)((oid * 2654435761u) & (SQL_ENUM_SLOTS - 1));
}

static const sql_enum_slot *sql_enum_slot_of(uint32_t oid) {
    if (oid < SQL_OID_FIRST_USER) return NULL;
    for (uint32_t i = sql_enum_home(oid), n = 0; n < SQL_ENUM_SLOTS;
         i = (i + 1) & (SQL_ENUM_SLOTS - 1), n++) {
        uint32_t k = atomic_load_explicit(&sql_enum_slots[i].oid, memory_order_acquire);
        if (k == oid) return &sql_enum_slots[i];
        if (k == 0) return NULL;
    }
    return NULL;
}

static bool sql_enum_put(uint32_t oid, uint32_t other, bool is_array) {
    for (uint32_t i = sql_enum_home(oid), n = 0; n < SQL_ENUM_SLOTS;
         i = (i + 1) & (SQL_ENUM_SLOTS - 1), n++) {
        sql_enum_slot *s = &sql_enum_slots[i];
        uint32_t k = atomic_load_explicit(&s->oid, memory_order_acquire);
        if (k == oid) return true;
        if (k != 0) continue;
        if (atomic_fetch_add(&sql_enum_used, 1) >= SQL_ENUM_SLOTS / 2) return false;
        atomic_store_explicit(&s->other, other, memory_order_relaxed);
        atomic_store_explicit(&s->is_array, is_array, memory_order_relaxed);
        uint32_t expected = 0;
        if (atomic_compare_exchange_strong(&s->oid, &expected, oid)) return true;
        if (expected == oid) return true; /* another writer put the same oid */
    }
    return false;
}

bool sql_enum_note(uint32_t oid, uint32_t array_oid) {
    RT_ASSERT(oid >= SQL_OID_FIRST_USER);
    if (sql_enum_slot_of(oid) != NULL) return true;
    return sql_enum_put(oid, array_oid, false) &&
           (array_oid == 0 || sql_enum_put(array_oid, oid, true));
}

bool sql_enum_is(uint32_t oid) {
    const sql_enum_slot *s = sql_enum_slot_of(oid);
    return s != NULL && !atomic_load_explicit(&s->is_array, memory_order_relaxed);
}

uint32_t sql_enum_array_of(uint32_t oid) {
    const sql_enum_slot *s = sql_enum_slot_of(oid);
    if (s == NULL || atomic_load_explicit(&s->is_array, memory_order_relaxed)) return 0;
    return atomic_load_explicit(&s->other, memory_order_relaxed);
}

uint32_t sql_enum_elem_of(uint32_t array_oid) {
    const sql_enum_slot *s = sql_enum_slot_of(array_oid);
    if (s == NULL || !atomic_load_explicit(&s->is_array, memory_order_relaxed)) return 0;
    return atomic_load_explicit(&s->other, memory_order_relaxed);
}

/* ---- values ---- */

/* float4 bits -> an int32 in the same order (negative floats have their bits reversed). */
int64_t sql_enum_value(float sortorder, uint32_t label_oid) {
    uint32_t u;
    memcpy(&u, &sortorder, 4);
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    int32_t key = (int32_t)(u ^ 0x80000000u);
    return (int64_t)key * 4294967296LL + (int64_t)label_oid;
}

float sql_enum_sortorder(int64_t v) {
    int32_t key = (int32_t)((v - (int64_t)sql_enum_label_oid(v)) / 4294967296LL);
    uint32_t u = (uint32_t)key ^ 0x80000000u;
    u = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* ---- the catalog's labels ---- */

const eng_enum *sql_enum_find(sql_io_ctx *io, uint32_t oid, eng_catalog_ref *ref) {
    ref->catalog = NULL;
    if (io->names != NULL && io->names->db != NULL) {
        return eng_db_enum_by_oid(io->names->db, oid);
    }
    eng_catalog_pin(ref);
    for (uint32_t i = 0; i < eng_catalog_db_count(ref->catalog); i++) {
        const eng_enum *e = eng_db_enum_by_oid(eng_catalog_db_at(ref->catalog, i), oid);
        if (e != NULL) return e;
    }
    return NULL;
}

void sql_enum_done(eng_catalog_ref *ref) {
    if (ref->catalog != NULL) eng_catalog_unpin(ref);
}

void sql_enum_type_name(uint32_t oid, char *buf, uint32_t cap) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    snprintf(buf, cap, "???");
    for (uint32_t i = 0; i < eng_catalog_db_count(ref.catalog); i++) {
        const eng_database *db = eng_catalog_db_at(ref.catalog, i);
        const eng_enum *e = eng_db_enum_by_oid(db, oid);
        if (e == NULL) continue;
        /* Qualified outside public, as format_type names a type off the usual path. */
        const eng_schema *s = eng_db_schema_by_oid(db, e->schema_oid);
        bool qualify = s != NULL && e->schema_oid != ENG_OID_PUBLIC;
        snprintf(buf, cap, "%s%s%s%s", qualify ? s->name : "", qualify ? "." : "", e->name,
                 e->array_oid == oid ? "[]" : "");
        break;
    }
    eng_catalog_unpin(&ref);
}

static bool sql_enum_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                        sql_value *out) {
    (void)typmod;
    eng_catalog_ref ref;
    const eng_enum *e = sql_enum_find(io, out->type_oid, &ref);
    bool found = false;
    for (uint32_t k = 0; e != NULL && k < e->label_count && !found; k++) {
        const eng_enum_label *l = &e->labels[k];
        if (strlen(l->name) != len || memcmp(l->name, text, len) != 0) continue;
        out->i64 = sql_enum_value(l->sortorder, l->oid);
        found = true;
    }
    if (!found) {
        rt_err_set(io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                   "invalid input value for enum %s: \"%.*s\"", e != NULL ? e->name : "???",
                   (int)len, text);
    }
    sql_enum_done(&ref);
    return found;
}

/* The label of `v` into `sb`. */
static bool sql_enum_label(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    eng_catalog_ref ref;
    const eng_enum *e = sql_enum_find(io, v->type_oid, &ref);
    uint32_t label_oid = sql_enum_label_oid(v->i64);
    bool found = false;
    for (uint32_t k = 0; e != NULL && k < e->label_count && !found; k++) {
        if (e->labels[k].oid != label_oid) continue;
        sql_strbuf_puts(sb, e->labels[k].name);
        found = true;
    }
    sql_enum_done(&ref);
    if (!found) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "invalid internal value for enum: %u", label_oid);
    }
    return true;
}

static bool sql_enum_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    return sql_enum_label(io, v, sb);
}

/* Binary form: the label's bytes, as PostgreSQL's enum_send / enum_recv. */
static bool sql_enum_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    return sql_enum_label(io, v, sb);
}

static bool sql_enum_recv(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                          sql_value *out) {
    return sql_enum_in(io, (const char *)p, len, typmod, out);
}

static const sql_type_def sql_enum_def = {
    .oid = SQL_T_ANYENUM, .name = "anyenum", .namespace_oid = 11, .typlen = 4, .byval = true,
    .typtype = 'e', .category = 'E', .align = 'i', .storage = 'p',
    .input = "enum_in", .output = "enum_out", .receive = "enum_recv", .send = "enum_send",
    .in = sql_enum_in, .out = sql_enum_out, .recv = sql_enum_recv, .send_fn = sql_enum_send,
    .cmp = sql_cmp_i64, .hash = sql_hash_value_i64,
};

const sql_type_def *sql_enum_type_def(void) { return &sql_enum_def; }
