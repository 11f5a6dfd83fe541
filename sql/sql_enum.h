/* sql_enum.h: values of enum types (CREATE TYPE ... AS ENUM). A value is one int64: the
 * label's sort order (pg_enum.enumsortorder, a float4 mapped to an order-preserving int32) in
 * the high half and the label's oid in the low half. Plain int64 comparison is therefore
 * PostgreSQL's enum order, so sorting, B-tree keys and zone maps need nothing of their own;
 * text and binary I/O read the labels from the catalog.
 * The registry says which user oids are enum types (and their array types): the column store
 * and the executor choose a value's physical form from its type oid alone. It only grows: an
 * oid once handed out is never handed out again in this process (eng_catalog_new_oid).
 * Core:    any; the registry is written under the DDL lock or at catalog load, read lock-free.
 * Errors:  22P02 `invalid input value for enum mood: "x"`, XX000 for a value whose label is
 *          gone; 54000 past SQL_ENUM_TYPES_MAX. */
#ifndef SQL_ENUM_H
#define SQL_ENUM_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "sql/sql_types.h"

#define SQL_ENUM_TYPES_MAX 65536u  /* enum types one server process knows (all databases) */

/* Records that `oid` is an enum type whose array type is `array_oid`; false when the
 * registry is full. */
bool sql_enum_note(uint32_t oid, uint32_t array_oid);
bool sql_enum_is(uint32_t oid);
/* The array type of enum `oid`, the enum type of array type `array_oid`; 0 if none. */
uint32_t sql_enum_array_of(uint32_t oid);
uint32_t sql_enum_elem_of(uint32_t array_oid);

/* The value of a label. */
int64_t sql_enum_value(float sortorder, uint32_t label_oid);
static inline uint32_t sql_enum_label_oid(int64_t v) { return (uint32_t)(uint64_t)v; }
float sql_enum_sortorder(int64_t v);

/* The name of enum type `oid` ("mood", "mood[]" for its array type, "s.mood" outside
 * public) as the current catalog version has it, for messages; "???" if it has none. */
void sql_enum_type_name(uint32_t oid, char *buf, uint32_t cap);

/* Enum type `oid` in the statement's database (io->names), or in any database of the current
 * catalog version, pinned in *ref until sql_enum_done(ref); NULL if none. */
const eng_enum *sql_enum_find(sql_io_ctx *io, uint32_t oid, eng_catalog_ref *ref);
void sql_enum_done(eng_catalog_ref *ref);

/* How values of every enum type are read, written and compared. */
const sql_type_def *sql_enum_type_def(void);

#endif
