/* sql_jsonb.h: the json and jsonb types, as PostgreSQL 15 has them.
 * Owns:    JSON text parsing (RFC 8259 with PostgreSQL's error messages), the binary jsonb
 *          format, jsonb text output (plain and pretty), the jsonb operators and functions
 *          (->, ->>, #>, #>>, @>, <@, ?, ?|, ?&, ||, -, #-, jsonb_set, jsonb_insert, ...),
 *          builders (jsonb_build_object, to_jsonb, jsonb_agg, json_build_object, json_agg),
 *          btree ordering and hashing. json values are their text, kept as the user wrote it.
 * Core:    any; no global state.
 * Memory:  results are allocated in the caller's rt_arena (never freed one by one) or point
 *          into an input value; an input must stay alive as long as results derived from it.
 *          Text results are not NUL-terminated unless the function says so.
 *          Past the arena's budget a function fails with 53200 (rt_arena_fail).
 * Format:  a jsonb value is one container, storable as-is and position independent:
 *            u32 header   count (28 bits) | kind (2 bits: array, object, scalar) | version (2)
 *            u32 levels   nesting depth of containers (1: no container inside)
 *            u32 entry[]  one per element, or per key then per value for objects:
 *                         end offset of the payload in the data area (29 bits) | type (3 bits)
 *            data         payloads: string bytes (UTF-8, unescaped), number text (canonical,
 *                         as numeric prints it), or a nested container
 *          All integers are little-endian, and nothing is aligned. A top-level scalar is a
 *          "scalar" container of one element. Object keys are unique (the last duplicate wins)
 *          and sorted as PostgreSQL sorts them (shorter first, then bytewise), so a field is
 *          found by binary search and any nested container can be returned without copying.
 * Nulls:   a result that is SQL NULL is returned as {NULL, 0}; any other result, even an empty
 *          string, has a non-NULL pointer (sql_jsonb_is_null). Arguments follow the same rule
 *          (a NULL element of a text[] path is {NULL, 0}).
 * Errors:  PostgreSQL's SQLSTATEs and wording: 22P02 `invalid input syntax for type json` with
 *          its DETAIL lines, 22P05 `unsupported Unicode escape sequence`, 22003 `value overflows
 *          numeric format`, 22023 for functions applied to the wrong kind of value, 22004 null
 *          path elements, 54001 past SQL_JSONB_DEPTH_MAX, 54000 past SQL_JSONB_BYTES_MAX,
 *          22021 invalid UTF-8, XX001 for a corrupted binary value (sql_jsonb_validate).
 * Differs: no CONTEXT line ("JSON data, line 1: ...") in parse errors; strings compare bytewise
 *          (the C collation); json #> with a negative index below the first level counts from
 *          the end of the array on the path (PostgreSQL 15 uses the first array it met at that
 *          depth, a quirk of its streaming parser). */
#ifndef SQL_JSONB_H
#define SQL_JSONB_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_type.h"

/* Nesting of arrays and objects. Parsing is iterative, but output, comparison, containment,
 * hashing and editing recurse once per level, with frames of at most ~230 bytes (measured with
 * -fstack-usage): 500 levels take ~115 KB, under half a fiber's RT_FIBER_STACK_BYTES. Every
 * container records its depth, so values built by edits and builders are held to the limit
 * too; deeper values fail with 54001. */
#define SQL_JSONB_DEPTH_MAX 500

/* A jsonb value (and the text built from one) is at most one field: 54000 past it. Also keeps
 * every offset inside a container within its 29-bit entry field. */
#define SQL_JSONB_BYTES_MAX SQL_VALUE_BYTES_MAX

/* Elements of one array or pairs of one object (the 28-bit count of a container header). */
#define SQL_JSONB_COUNT_MAX ((1u << 28) - 1)

/* Numbers take numeric's limits: digits before the point and after it. */
#define SQL_JSONB_NUMBER_INT_DIGITS_MAX SQL_NUMERIC_DIGITS_MAX
#define SQL_JSONB_NUMBER_SCALE_MAX SQL_NUMERIC_DSCALE_MAX

static inline bool sql_jsonb_is_null(sql_bytes v) { return v.ptr == NULL; }

/* ---- input, output, validation ----------------------------------------------------------- */

/* jsonb_in: JSON text to a jsonb value. */
bool sql_jsonb_from_text(rt_arena *arena, const char *text, uint32_t len, sql_bytes *out,
                         rt_err *err);
/* json_in: checks the text is JSON (the json value is the text itself). */
bool sql_json_validate(const char *text, uint32_t len, rt_err *err);
/* jsonb_out: `{"a": 1, "b": [1, 2]}`. The text is NUL-terminated (the NUL not counted). */
bool sql_jsonb_to_text(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err);
/* jsonb_pretty: four-space indentation, one member per line. */
bool sql_jsonb_pretty(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err);
/* Checks a binary value read from storage before any other function may look at it (XX001). */
bool sql_jsonb_validate(sql_bytes jb, rt_err *err);
/* jsonb's binary format on the wire (jsonb_recv / jsonb_send): version byte 1, then the text.
 * Other versions are XX000 `unsupported jsonb version number N`, as in PostgreSQL. */
bool sql_jsonb_from_wire(rt_arena *arena, sql_bytes wire, sql_bytes *out, rt_err *err);
bool sql_jsonb_to_wire(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err);

/* ---- numbers ----------------------------------------------------------------------------- */

/* A JSON number (already lexically valid) in numeric's canonical text: no exponent, no leading
 * zeros, scale kept ("1.50e1" is "15.0", "-0" is "0"). 22003 past numeric's limits. */
bool sql_jsonb_number_canonical(rt_arena *arena, const char *text, uint32_t len, sql_bytes *out,
                                rt_err *err);
/* Numeric order of two canonical number texts (1.0 = 1.00 = 1). */
int sql_jsonb_number_cmp(const char *a, uint32_t a_len, const char *b, uint32_t b_len);

/* ---- accessors (PostgreSQL gives NULL, not an error, when the value is not there) -------- */

/* jsonb -> text (`as_text` = false) and ->> text (true). */
bool sql_jsonb_object_field(rt_arena *arena, sql_bytes jb, const char *key, uint32_t key_len,
                            bool as_text, sql_bytes *out, rt_err *err);
/* jsonb -> int and ->> int; a negative index counts from the end. */
bool sql_jsonb_array_element(rt_arena *arena, sql_bytes jb, int32_t index, bool as_text,
                             sql_bytes *out, rt_err *err);
/* jsonb #> text[] and #>> text[]. */
bool sql_jsonb_extract_path(rt_arena *arena, sql_bytes jb, const sql_bytes *path,
                            uint32_t path_len, bool as_text, sql_bytes *out, rt_err *err);

/* jsonb_typeof: "object", "array", "string", "number", "boolean" or "null". */
const char *sql_jsonb_typeof(sql_bytes jb);
/* jsonb_array_length: 22023 for objects and scalars. */
bool sql_jsonb_array_length(sql_bytes jb, int32_t *out, rt_err *err);

/* The same operators on json text: results are pieces of the text as written (->, #>) or, as
 * text, strings unescaped (->>, #>>). The whole document's escapes are checked first, as
 * PostgreSQL does (22P05 for a \u0000 anywhere). */
bool sql_json_object_field(rt_arena *arena, sql_bytes json, const char *key, uint32_t key_len,
                           bool as_text, sql_bytes *out, rt_err *err);
bool sql_json_array_element(rt_arena *arena, sql_bytes json, int32_t index, bool as_text,
                            sql_bytes *out, rt_err *err);
bool sql_json_extract_path(rt_arena *arena, sql_bytes json, const sql_bytes *path,
                           uint32_t path_len, bool as_text, sql_bytes *out, rt_err *err);
/* json_typeof of valid json text; json_array_length (22023 for objects and scalars). */
const char *sql_json_typeof(sql_bytes json);
bool sql_json_array_length(sql_bytes json, int32_t *out, rt_err *err);

/* ---- operators ------------------------------------------------------------------------------ */

/* jsonb ? text: a key of an object, a string element of an array, or the string scalar. */
bool sql_jsonb_exists(sql_bytes jb, const char *key, uint32_t key_len);
/* ?| and ?&: NULL elements of `keys` are skipped; ?& of no keys is true, ?| false. */
bool sql_jsonb_exists_any(sql_bytes jb, const sql_bytes *keys, uint32_t key_count);
bool sql_jsonb_exists_all(sql_bytes jb, const sql_bytes *keys, uint32_t key_count);
/* a @> b (b <@ a is the same call). */
bool sql_jsonb_contains(sql_bytes a, sql_bytes b);

/* btree order (PostgreSQL's: object > array > boolean > number > string > null, an empty
 * top-level array below everything) and a hash consistent with it. */
int sql_jsonb_cmp(sql_bytes a, sql_bytes b);
uint64_t sql_jsonb_hash(sql_bytes jb);

/* ---- edits (each returns a new value; the inputs are not changed) ----------------------- */

bool sql_jsonb_concat(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err);
bool sql_jsonb_delete_key(rt_arena *arena, sql_bytes jb, const char *key, uint32_t key_len,
                          sql_bytes *out, rt_err *err);
bool sql_jsonb_delete_keys(rt_arena *arena, sql_bytes jb, const sql_bytes *keys,
                           uint32_t key_count, sql_bytes *out, rt_err *err);
bool sql_jsonb_delete_index(rt_arena *arena, sql_bytes jb, int32_t index, sql_bytes *out,
                            rt_err *err);
/* jsonb #- text[]. */
bool sql_jsonb_delete_path(rt_arena *arena, sql_bytes jb, const sql_bytes *path,
                           uint32_t path_len, sql_bytes *out, rt_err *err);
bool sql_jsonb_set(rt_arena *arena, sql_bytes jb, const sql_bytes *path, uint32_t path_len,
                   sql_bytes new_value, bool create_missing, sql_bytes *out, rt_err *err);
bool sql_jsonb_insert(rt_arena *arena, sql_bytes jb, const sql_bytes *path, uint32_t path_len,
                      sql_bytes new_value, bool insert_after, sql_bytes *out, rt_err *err);
bool sql_jsonb_strip_nulls(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err);

/* ---- set-returning functions, as iterators ------------------------------------------------- */

typedef struct sql_jsonb_iter {
    const uint8_t *container; /* private */
    uint32_t index;
    uint32_t count;
    bool as_text;
} sql_jsonb_iter;

/* jsonb_object_keys: keys point into `jb`. */
bool sql_jsonb_object_keys_begin(sql_jsonb_iter *it, sql_bytes jb, rt_err *err);
bool sql_jsonb_object_keys_next(sql_jsonb_iter *it, sql_bytes *key);
/* jsonb_each / jsonb_each_text: one (key, value) per call while *has_row; as text, a JSON null
 * value is SQL NULL and a string is its contents. */
bool sql_jsonb_each_begin(sql_jsonb_iter *it, sql_bytes jb, bool as_text, rt_err *err);
bool sql_jsonb_each_next(rt_arena *arena, sql_jsonb_iter *it, bool *has_row, sql_bytes *key,
                         sql_bytes *value, rt_err *err);
/* jsonb_array_elements / jsonb_array_elements_text. */
bool sql_jsonb_array_elements_begin(sql_jsonb_iter *it, sql_bytes jb, bool as_text,
                                    rt_err *err);
bool sql_jsonb_array_elements_next(rt_arena *arena, sql_jsonb_iter *it, bool *has_row,
                                   sql_bytes *value, rt_err *err);

/* ---- building values from SQL values ------------------------------------------------------- */

/* One SQL value given to a builder: its type and either its text in PostgreSQL's output
 * format (ISO DateStyle for dates and times), or for SQL_T_JSONB the binary value, for
 * SQL_T_JSON the JSON text. NULL is {is_null = true}. Numbers become JSON numbers (NaN and
 * the infinities become strings), booleans true/false, json/jsonb are embedded, timestamps
 * take the JSON "T" form, everything else becomes a string. */
typedef struct sql_json_arg {
    uint32_t type_oid;
    bool is_null;
    bool structured;   /* an array or a record given as json: json_agg puts "\n " before it */
    sql_bytes value;
} sql_json_arg;

/* to_jsonb(value). */
bool sql_jsonb_from_arg(rt_arena *arena, const sql_json_arg *arg, sql_bytes *out, rt_err *err);
/* jsonb_build_object(k1, v1, ...) / jsonb_build_array(v1, ...): PostgreSQL's errors for an odd
 * argument count, NULL keys and non-scalar keys. */
bool sql_jsonb_build_object(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                            sql_bytes *out, rt_err *err);
bool sql_jsonb_build_array(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                           sql_bytes *out, rt_err *err);
/* json_build_object / json_build_array: JSON text, `{"a" : 1, "b" : 2}`. */
bool sql_json_build_object(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                           sql_bytes *out, rt_err *err);
bool sql_json_build_array(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                          sql_bytes *out, rt_err *err);

/* A small builder for other callers (row_to_json-like code, the REST API): nested begin/end,
 * keys before object members, values from SQL values. Duplicate keys: the last one wins. Keys
 * are copied; values are referenced until sql_jsonb_builder_finish (keep them alive). Calls
 * out of order (a value without its key, an unbalanced end) are bugs and assert. */
typedef struct sql_jsonb_builder sql_jsonb_builder;
sql_jsonb_builder *sql_jsonb_builder_create(rt_arena *arena);
bool sql_jsonb_builder_begin_object(sql_jsonb_builder *b, rt_err *err);
bool sql_jsonb_builder_begin_array(sql_jsonb_builder *b, rt_err *err);
bool sql_jsonb_builder_end(sql_jsonb_builder *b, rt_err *err);
bool sql_jsonb_builder_key(sql_jsonb_builder *b, const char *key, uint32_t key_len,
                           rt_err *err);
bool sql_jsonb_builder_value(sql_jsonb_builder *b, const sql_json_arg *value, rt_err *err);
/* The finished value; exactly one top-level value must have been given. */
bool sql_jsonb_builder_finish(sql_jsonb_builder *b, sql_bytes *out, rt_err *err);

/* Aggregates: jsonb_agg / jsonb_object_agg (object = true) and json_agg / json_object_agg
 * (json = true). Finishing an aggregate that saw no rows gives SQL NULL. */
typedef struct sql_json_agg sql_json_agg;
sql_json_agg *sql_json_agg_create(rt_arena *arena, bool object, bool json);
bool sql_json_agg_add(sql_json_agg *agg, const sql_json_arg *value, rt_err *err);
/* The object aggregates: a NULL key is 22023 `field name must not be null`. */
bool sql_json_agg_add_pair(sql_json_agg *agg, const sql_json_arg *key,
                           const sql_json_arg *value, rt_err *err);
bool sql_json_agg_finish(sql_json_agg *agg, sql_bytes *out, rt_err *err);

#endif
