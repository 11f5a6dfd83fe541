/* sql_type_rowtype.c: record_in and record_recv for a named row type (a composite type's, a
 * table's or a view's): a COPY field, a parameter's text or binary value. The columns come
 * from the catalog of the running statement (io->names), as PostgreSQL's record_in looks the
 * type up in its type cache. */
#include <string.h>

#include "engine/eng_catalog.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_record.h"
#include "sql/sql_types_int.h"

/* The visible columns of the row type `oid`: their names, types and typmods (arena arrays). */
typedef struct rowtype_cols {
    const eng_table *t;
    uint32_t count;
    const char **names;
    uint32_t *types;
    int32_t *typmods;
} rowtype_cols;

static bool rowtype_cols_of(sql_io_ctx *io, uint32_t oid, rowtype_cols *rc) {
    const eng_database *db = io->names != NULL ? io->names->db : NULL;
    rc->t = NULL;
    for (uint32_t i = 0; db != NULL && i < db->table_count && rc->t == NULL; i++) {
        if (db->tables[i].rowtype_oid == oid) rc->t = &db->tables[i];
    }
    if (rc->t == NULL) {
        return rt_err_set(io->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "input of a value of row type %u is not supported here", oid);
    }
    uint32_t cap = rc->t->column_count + 1u;
    rc->names = rt_arena_alloc(io->arena, sizeof(char *) * cap);
    rc->types = rt_arena_alloc(io->arena, sizeof(uint32_t) * cap);
    rc->typmods = rt_arena_alloc(io->arena, sizeof(int32_t) * cap);
    if (rc->names == NULL || rc->types == NULL || rc->typmods == NULL) {
        return sql_io_alloc_fail(io);
    }
    rc->count = 0;
    for (uint32_t i = 0; i < rc->t->column_count; i++) {
        const eng_column *c = &rc->t->columns[i];
        if (c->dropped) continue;
        if (c->domain_oid != 0) {
            return rt_err_set(io->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "input of a row type with a domain column is not supported yet");
        }
        rc->names[rc->count] = c->name;
        rc->types[rc->count] = c->type_oid;
        rc->typmods[rc->count++] = c->typmod;
    }
    return true;
}

bool sql_record_in_rowtype(sql_io_ctx *io, uint32_t oid, const char *text, uint32_t len,
                           sql_value *out) {
    rowtype_cols rc;
    if (!rowtype_cols_of(io, oid, &rc)) return false;
    return sql_record_in(io, text, len, oid, rc.t->name, rc.count, rc.names, rc.types,
                         rc.typmods, out);
}

static uint32_t rowtype_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PostgreSQL's record_recv: column count, then per column its type OID (which must be the
 * column's), length (-1 for NULL) and value in the type's binary format. */
bool sql_record_recv_rowtype(sql_io_ctx *io, uint32_t oid, const uint8_t *p, uint32_t len,
                             sql_value *out) {
    rowtype_cols rc;
    if (!rowtype_cols_of(io, oid, &rc)) return false;
    if (len < 4) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "insufficient data left in message");
    }
    uint32_t n = rowtype_be32(p), at = 4;
    if (n != rc.count) {
        return rt_err_set(io->err, SQLSTATE_DATATYPE_MISMATCH,
                          "wrong number of columns: %u, expected %u", n, rc.count);
    }
    sql_value *vals = rt_arena_alloc(io->arena, sizeof(sql_value) * (n + 1u));
    if (vals == NULL) return sql_io_alloc_fail(io);
    for (uint32_t i = 0; i < n; i++) {
        if (len - at < 8) {
            return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                              "insufficient data left in message");
        }
        uint32_t type = rowtype_be32(p + at), vlen = rowtype_be32(p + at + 4);
        at += 8;
        if (type != rc.types[i]) {
            return rt_err_set(io->err, SQLSTATE_DATATYPE_MISMATCH,
                              "wrong data type: %u, expected %u", type, rc.types[i]);
        }
        vals[i] = (sql_value){.type_oid = type, .is_null = vlen == UINT32_MAX};
        if (vlen == UINT32_MAX) continue;
        if (vlen > len - at) {
            return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                              "insufficient data left in message");
        }
        if (!sql_value_recv(io, type, p + at, vlen, rc.typmods[i], &vals[i])) return false;
        at += vlen;
    }
    if (at != len) {
        return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    }
    out->type_oid = oid;
    out->is_null = false;
    if (!sql_record_build(io->arena, oid, n, rc.names, rc.typmods, vals, &out->b)) {
        return sql_io_alloc_fail(io);
    }
    return true;
}
