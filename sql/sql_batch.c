/* sql_batch.c: physical forms of types and batch allocation. */
#include "sql/sql_batch.h"
#include "sql/sql_enum.h"

#include <string.h>

sql_phys sql_phys_of_type(uint32_t type_oid) {
    switch (type_oid) {
    case SQL_T_BOOL: case SQL_T_CHAR: case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8:
    case SQL_T_OID: case SQL_T_REGCLASS: case SQL_T_REGTYPE: case SQL_T_REGPROC:
    case SQL_T_REGPROCEDURE: case SQL_T_REGOPER: case SQL_T_REGOPERATOR:
    case SQL_T_REGNAMESPACE: case SQL_T_REGROLE: case SQL_T_XID: case SQL_T_CID:
    case SQL_T_DATE: case SQL_T_TIME: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
    case SQL_T_MONEY:
        return SQL_PHYS_I64;
    case SQL_T_FLOAT4: case SQL_T_FLOAT8:
        return SQL_PHYS_F64;
    default:
        return type_oid >= SQL_OID_FIRST_USER && sql_enum_is(type_oid) ? SQL_PHYS_I64
                                                                       : SQL_PHYS_BYTES;
    }
}

sql_batch *sql_batch_new(rt_arena *arena, uint32_t ncols, uint32_t cap) {
    sql_batch *b = rt_arena_alloc(arena, sizeof *b);
    if (b == NULL) return NULL;
    b->rows = 0;
    b->cap = cap;
    b->ncols = ncols;
    b->cols = rt_arena_zalloc(arena, sizeof(sql_vec) * (ncols > 0 ? ncols : 1));
    return b->cols != NULL ? b : NULL;
}

bool sql_vec_init(rt_arena *arena, sql_vec *v, uint32_t type_oid, int32_t typmod, uint32_t cap) {
    v->type_oid = type_oid;
    v->typmod = typmod;
    v->phys = (uint8_t)sql_phys_of_type(type_oid);
    size_t width = v->phys == SQL_PHYS_BYTES ? sizeof(sql_bytes) : 8;
    v->data = rt_arena_alloc(arena, width * (cap > 0 ? cap : 1));
    v->nulls = rt_arena_zalloc(arena, cap > 0 ? cap : 1);
#if defined(__SANITIZE_ADDRESS__)
    /* A slot read before it is written holds whatever the arena had in a Release build; under
       AddressSanitizer it holds a pattern no pointer or length can be, so the read fails at
       once instead of now and then. */
    if (v->data != NULL) memset(v->data, 0xA5, width * (cap > 0 ? cap : 1));
#endif
    return v->data != NULL && v->nulls != NULL;
}

void sql_vec_get(const sql_vec *v, uint32_t row, sql_value *out) {
    out->type_oid = v->type_oid;
    out->is_null = sql_vec_is_null(v, row);
    if (out->is_null) {
        out->i64 = 0;
        out->b.len = 0;
        return;
    }
    switch ((sql_phys)v->phys) {
    case SQL_PHYS_I64: out->i64 = v->i64[row]; break;
    case SQL_PHYS_F64: out->f64 = v->f64[row]; break;
    case SQL_PHYS_BYTES: out->b = v->b[row]; break;
    }
}

void sql_vec_set(sql_vec *v, uint32_t row, const sql_value *val) {
    v->nulls[row] = val->is_null ? 1 : 0;
    if (val->is_null) return;
    switch ((sql_phys)v->phys) {
    case SQL_PHYS_I64: v->i64[row] = val->i64; break;
    case SQL_PHYS_F64: v->f64[row] = val->f64; break;
    case SQL_PHYS_BYTES: v->b[row] = val->b; break;
    }
}
