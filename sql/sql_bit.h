/* sql_bit.h: the bit(n) and bit varying(n) types (PostgreSQL's bit strings): the value layout,
 * text I/O and order shared by the type module (sql_types_bit.c), the operators and functions
 * (sql_fn_bit.c) and the index key (eng_key.c).
 * Owns:    nothing; values are byte strings in the caller's arena or the column store.
 * Core:    any; pure functions.
 * Memory:  a value is PostgreSQL's binary format: the bit length as a big-endian int32, then
 *          ceil(length / 8) bytes, the first bit the high bit of the first byte and the bits
 *          past the length zero (so equal values have equal bytes, and send is a copy).
 * Errors:  22P02 "\"x\" is not a valid binary digit", 22026 string_data_length_mismatch,
 *          22001 past varbit(n), 54000 past SQL_BIT_LENGTH_MAX.
 * Limits:  SQL_BIT_LENGTH_MAX bits per value, SQL_BIT_TYPMOD_MAX for bit(n) / varbit(n). */
#ifndef SQL_BIT_H
#define SQL_BIT_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_type.h"

#define SQL_BIT_HEADER_BYTES 4u
/* One value's bits: its bytes stay within SQL_VALUE_BYTES_MAX (PostgreSQL: 1 GB). */
#define SQL_BIT_LENGTH_MAX ((SQL_VALUE_BYTES_MAX - SQL_BIT_HEADER_BYTES) * 8u)
/* bit(n) / varbit(n): PostgreSQL's limit, MaxAttrSize (10 MB) in bits. */
#define SQL_BIT_TYPMOD_MAX (10485760 * 8)

static inline uint32_t sql_bit_length(const uint8_t *v) {
    return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}
static inline uint32_t sql_bit_bytes(uint32_t bits) { return (bits + 7) / 8; }
static inline bool sql_bit_get(const uint8_t *v, uint32_t i) {
    return (v[SQL_BIT_HEADER_BYTES + i / 8] >> (7 - i % 8)) & 1;
}
static inline void sql_bit_set(uint8_t *v, uint32_t i, bool on) {
    uint8_t m = (uint8_t)(0x80u >> (i % 8));
    uint8_t *b = &v[SQL_BIT_HEADER_BYTES + i / 8];
    *b = on ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
}

/* A zeroed value of `bits` bits in the arena (its length written); NULL when out of memory. */
uint8_t *sql_bit_new(rt_arena *arena, uint32_t bits);
/* Parses bit_in's text: binary digits, or hexadecimal after a leading 'x' / 'X' (a leading
 * 'b' / 'B' is skipped). Errors as PostgreSQL: 22P02 for a bad digit, 54000 when too long. */
bool sql_bit_parse(rt_arena *arena, const char *text, uint32_t len, sql_bytes *out, rt_err *err);
/* PostgreSQL's order (bit_cmp): the bytes over the shorter length, then the bit length. */
int sql_bit_cmp(const uint8_t *a, const uint8_t *b);

#endif
