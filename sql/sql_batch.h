/* sql_batch.h: values and batches of column values, the currency between the column store and
 * the vectorised executor.
 * A column vector holds every value in one of three physical forms, chosen by type:
 *   I64   bool, int2, int4, int8, oid and reg* types, "char", date (days), time, timestamp,
 *         timestamptz (microseconds): widened to int64 so operators need one loop per op;
 *   F64   float4 (rounded to float precision when stored), float8;
 *   BYTES every other type (text, numeric, bytea, jsonb, arrays, uuid, interval, vector):
 *         pointer + length; bytes stay in the column store or the query arena (zero copy).
 * Memory:  a batch's arrays come from the query arena; BYTES values point into the column store
 *          (valid while the reader's snapshot is registered) or into an arena. */
#ifndef SQL_BATCH_H
#define SQL_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_mem.h"
#include "sql/sql_type.h"

/* Rows per batch: one row group of the column store. */
#define SQL_BATCH_ROWS 1024u

typedef enum sql_phys { SQL_PHYS_I64 = 1, SQL_PHYS_F64, SQL_PHYS_BYTES } sql_phys;

sql_phys sql_phys_of_type(uint32_t type_oid);

typedef struct sql_value {
    uint32_t type_oid;
    bool is_null;
    union {
        int64_t i64;
        double f64;
        sql_bytes b;
    };
} sql_value;

typedef struct sql_vec {
    uint32_t type_oid;
    int32_t typmod;
    uint8_t phys;      /* sql_phys */
    uint8_t *nulls;    /* nulls[i] = 1 if row i is NULL; NULL pointer: no NULLs at all */
    union {
        int64_t *i64;
        double *f64;
        sql_bytes *b;
        void *data;
    };
} sql_vec;

typedef struct sql_batch {
    uint32_t rows;
    uint32_t cap;
    uint32_t ncols;
    sql_vec *cols;
} sql_batch;

static inline bool sql_vec_is_null(const sql_vec *v, uint32_t row) {
    return v->nulls != NULL && v->nulls[row] != 0;
}

/* Allocates a batch of `ncols` columns with room for `cap` rows in the arena (types set later
 * with sql_vec_init); NULL past the arena budget. */
sql_batch *sql_batch_new(rt_arena *arena, uint32_t ncols, uint32_t cap);
/* Gives column `col` its type and arrays (values and nulls) of batch->cap rows. */
bool sql_vec_init(rt_arena *arena, sql_vec *v, uint32_t type_oid, int32_t typmod, uint32_t cap);
/* Reads row `row` of a vector as a value, and stores a value into row `row`. */
void sql_vec_get(const sql_vec *v, uint32_t row, sql_value *out);
void sql_vec_set(sql_vec *v, uint32_t row, const sql_value *val);

#endif
