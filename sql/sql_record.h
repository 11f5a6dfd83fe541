/* sql_record.h: composite values (PostgreSQL's records): ROW(...), a whole-row reference to a
 * FROM item, a cast to a table's row type. A value carries its row type and, per column, its
 * name, type and typmod, so that output (record_out, record_send, row_to_json) needs no
 * catalog.
 * Encoding (an sql_bytes, unaligned, read with memcpy): u32 row type (a table's row type, or
 * SQL_T_RECORD for an anonymous record), u32 column count, then per column: u32 type, i32
 * typmod, u16 name length, the name, u8 null flag, and unless NULL the value: 8 bytes for
 * I64/F64 types, u32 length + bytes for BYTES types.
 * Core:    any (pure functions over bytes).
 * Memory:  results in the caller's arena.
 * Errors:  22P02 malformed record literal (PostgreSQL's messages), 54000 past
 *          SQL_RECORD_COLS_MAX. */
#ifndef SQL_RECORD_H
#define SQL_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_enum.h"
#include "sql/sql_types.h"

#define SQL_RECORD_COLS_MAX 1664u       /* MaxTupleAttributeNumber in PostgreSQL */
#define SQL_RECORD_NAME_BYTES_MAX 255u  /* a column name in a value: NAMEDATALEN - 1 at most */

/* One column of a record as read back. */
typedef struct sql_record_col {
    const char *name;        /* not NUL-terminated */
    uint32_t name_len;
    int32_t typmod;
    sql_value value;         /* value.type_oid is the column's type */
} sql_record_col;

typedef struct sql_record_iter {
    const uint8_t *pos;
    const uint8_t *end;
    uint32_t index;
    uint32_t count;
} sql_record_iter;

/* The row type of an encoded record and its column count. */
uint32_t sql_record_rowtype(sql_bytes rec);
uint32_t sql_record_count(sql_bytes rec);
void sql_record_iter_init(sql_record_iter *it, sql_bytes rec);
bool sql_record_iter_next(sql_record_iter *it, sql_record_col *col);
/* Column `index` (0-based) of a record, false when there is no such column. */
bool sql_record_field(sql_bytes rec, uint32_t index, sql_record_col *col);

/* Encodes `count` values (names may be NULL: f1, f2, ... as PostgreSQL names them). */
bool sql_record_build(rt_arena *arena, uint32_t rowtype, uint32_t count,
                      const char *const *names, const int32_t *typmods, const sql_value *vals,
                      sql_bytes *out);

/* record_in for a known row type: '(1,"a b",)' into columns of the given types. */
bool sql_record_in(sql_io_ctx *io, const char *text, uint32_t len, uint32_t rowtype,
                   const char *type_name, uint32_t count, const char *const *names,
                   const uint32_t *types, const int32_t *typmods, sql_value *out);

/* record_in / record_recv of a named row type (a composite type's, a table's): its columns
 * from io->names' catalog; 0A000 without one. */
bool sql_record_in_rowtype(sql_io_ctx *io, uint32_t oid, const char *text, uint32_t len,
                           sql_value *out);
bool sql_record_recv_rowtype(sql_io_ctx *io, uint32_t oid, const uint8_t *p, uint32_t len,
                             sql_value *out);

/* The JSON text of a record as row_to_json prints it: {"a":1,"b":"x"} (pretty: a line feed
 * and a space after each comma). */
bool sql_record_to_json(sql_io_ctx *io, sql_bytes rec, bool pretty, sql_strbuf *sb);

/* True for the OIDs of composite types: record, and the user range that is not pgvector's
 * nor an enum type's or its array type's (table row types; domains never reach values, they
 * are of their base type). */
static inline bool sql_type_is_record(uint32_t oid) {
    return oid == SQL_T_RECORD ||
           (oid >= SQL_OID_FIRST_USER && !sql_enum_is(oid) && sql_enum_elem_of(oid) == 0);
}

#endif
