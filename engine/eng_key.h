/* eng_key.h: order-preserving encoding of SQL values into byte strings for indexes.
 * memcmp order of two encodings equals the SQL sort order of the values (ascending, NULLS LAST;
 * a DESC column's bytes are inverted, which gives DESC NULLS FIRST, PostgreSQL's default).
 * Equal values encode to equal bytes (1.0 and 1.00 as numerics, 'a' and 'a ' as char(n)), so a
 * unique index compares encodings. Composite keys concatenate: every encoding is prefix-free.
 * Errors:  0A000 for types that have no B-tree order here; 54000 past ENG_BTREE_KEY_BYTES_MAX
 *          (reported by the B-tree). */
#ifndef ENG_KEY_H
#define ENG_KEY_H

#include "engine/eng_codec.h"
#include "runtime/rt_err.h"
#include "sql/sql_batch.h"

bool eng_key_append(eng_codec_w *w, const sql_value *v, bool desc, rt_err *err);
/* True if values of this type can be encoded (B-tree indexable). */
bool eng_key_type_supported(uint32_t type_oid);
/* A 64-bit hash of an encoded key: picks the partition of a row (same key -> same partition). */
uint64_t eng_key_hash(const uint8_t *key, uint32_t len);

#endif
