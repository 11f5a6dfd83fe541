/* sql_array.h: array values (int[], text[][], ...) in Dreambase's internal encoding.
 * Encoding (an sql_bytes): u8 ndim, u8 has_nulls, u16 0, u32 element type oid, then per
 * dimension i32 length and i32 lower bound, then the elements in row-major order, each: a null
 * byte (only when has_nulls) and the value: 8 bytes for I64/F64 element types, or u32 length +
 * bytes for BYTES types. Unaligned; read with memcpy.
 * Errors:  22P02 malformed array literal (PostgreSQL's messages and details), 2202E
 *          array_subscript_error, 54000 past SQL_ARRAY_DIMS_MAX or SQL_ARRAY_ITEMS_MAX. */
#ifndef SQL_ARRAY_H
#define SQL_ARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_types.h"

#define SQL_ARRAY_DIMS_MAX 6               /* MAXDIM in PostgreSQL */
#define SQL_ARRAY_ITEMS_MAX (128u << 20)   /* elements in one array (MaxArraySize is ~134M) */

typedef struct sql_array_view {
    uint32_t ndim;
    bool has_nulls;
    uint32_t elem_oid;
    int32_t dims[SQL_ARRAY_DIMS_MAX];
    int32_t lbounds[SQL_ARRAY_DIMS_MAX];
    uint32_t nitems;
    const uint8_t *data;     /* first element */
    const uint8_t *end;
} sql_array_view;

/* Validates and describes an encoded array (the bytes come from our own store: asserted
 * well-formed, except the binary wire input which goes through sql_array_recv). */
void sql_array_view_of(const sql_bytes *b, sql_array_view *v);

/* Iteration over elements in storage order. */
typedef struct sql_array_iter {
    const sql_array_view *view;
    const uint8_t *pos;
    uint32_t index;
    sql_phys phys;
} sql_array_iter;
void sql_array_iter_init(sql_array_iter *it, const sql_array_view *v);
bool sql_array_iter_next(sql_array_iter *it, sql_value *elem);

/* Building an array: append elements, then finish with dimensions. */
typedef struct sql_array_builder {
    rt_arena *arena;
    uint32_t elem_oid;
    sql_strbuf items;
    uint32_t count;
    bool has_nulls;
    uint8_t *null_flags;   /* one per element, grown with the items */
    uint32_t null_cap;
} sql_array_builder;
bool sql_array_builder_init(sql_array_builder *b, rt_arena *arena, uint32_t elem_oid);
bool sql_array_builder_add(sql_array_builder *b, const sql_value *elem);
/* One-dimensional result [1:count] (or an empty array, ndim 0, when count is 0). */
bool sql_array_builder_finish(sql_array_builder *b, sql_bytes *out);
/* With explicit dimensions (product must equal the element count). */
bool sql_array_builder_finish_dims(sql_array_builder *b, uint32_t ndim, const int32_t *dims,
                                   const int32_t *lbounds, sql_bytes *out, rt_err *err);

/* Element `index` (0-based, storage order), or NULL value. */
void sql_array_get(const sql_array_view *v, uint32_t index, sql_value *out);

#endif
