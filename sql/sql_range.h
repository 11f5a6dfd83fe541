/* sql_range.h: PostgreSQL 15's built-in range types: int4range, int8range, numrange, tsrange,
 * tstzrange and daterange (their multirange types are in the catalog only: values are 0A000).
 * Owns:    the encoding of range values, their construction (the bound order check, empty
 *          ranges, the canonical [) form of the discrete ones), order and bound comparisons.
 * Core:    any; pure apart from the caller's arena.
 * Memory:  a decoded range's numeric bounds point into the encoded value; results are
 *          allocated in the caller's arena.
 * Errors:  22000 "range lower bound must be less than or equal to range upper bound", 22003 /
 *          22008 when a discrete bound cannot move to its canonical form, 53200 past the arena.
 *
 * Encoding (in memory and in the column store, canonical): byte 0 holds the flags (the bits of
 * PostgreSQL's range flags, also the first byte of the binary form); then each finite bound of
 * a non-empty range, lower first: 8 bytes (the int64 of an int4, int8, date, timestamp or
 * timestamptz bound, native order) or, for numrange, a native uint32 length and the numeric's
 * bytes (sql_numeric.h). An infinite bound is never inclusive; an empty range is byte 0 alone. */
#ifndef SQL_RANGE_H
#define SQL_RANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_batch.h"

#define SQL_RANGE_EMPTY 0x01u
#define SQL_RANGE_LB_INC 0x02u
#define SQL_RANGE_UB_INC 0x04u
#define SQL_RANGE_LB_INF 0x08u
#define SQL_RANGE_UB_INF 0x10u
#define SQL_RANGE_FLAGS_ALL 0x1Fu

/* One built-in range type: what pg_range says about it. */
typedef struct sql_range_type {
    uint32_t oid, sub_oid, multi_oid, array_oid, multi_array_oid;
    uint32_t subopc_oid;            /* the subtype's default btree operator class */
    const char *canonical, *subdiff; /* pg_proc names ("-" when none) */
    bool discrete;                  /* canonicalised to [) */
} sql_range_type;

const sql_range_type *sql_range_type_of(uint32_t oid); /* NULL if not a range type */
const sql_range_type *sql_range_type_at(uint32_t i);   /* i < SQL_RANGE_TYPE_COUNT */
#define SQL_RANGE_TYPE_COUNT 6u
static inline bool sql_type_is_range(uint32_t oid) { return sql_range_type_of(oid) != NULL; }

typedef struct sql_range_bound {
    sql_value val;    /* of the subtype; unset when infinite */
    bool infinite;
    bool inclusive;
    bool lower;
} sql_range_bound;

typedef struct sql_range {
    uint32_t type_oid;
    bool empty;
    sql_range_bound lower, upper;
} sql_range;

/* Decodes a non-NULL value of a range type (bytes this module made). */
void sql_range_decode(const sql_value *v, sql_range *out);
/* Builds a range as PostgreSQL's make_range: the 22000 order check, empty when the bounds meet
 * without both being inclusive, infinite bounds exclusive, discrete types to [). */
bool sql_range_make(rt_arena *arena, uint32_t type_oid, sql_range_bound lower,
                    sql_range_bound upper, bool empty, sql_value *out, rt_err *err);
/* range_cmp_bounds: the order of two bounds (lower or upper) where they sit on the line. */
int sql_range_cmp_bounds(const sql_range_bound *a, const sql_range_bound *b);
/* range_cmp_bound_values: the same on the values alone (inclusivity ignored). */
int sql_range_cmp_bound_values(const sql_range_bound *a, const sql_range_bound *b);
/* The B-tree order of ranges: empty first, then by lower bound, then by upper bound. */
int sql_range_cmp(const sql_value *a, const sql_value *b);

#endif
