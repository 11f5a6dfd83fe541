/* sql_jsonb_int.h: private to sql_jsonb*.c. The binary format (see sql_jsonb.h), reading it
 * (jb_cont, jb_val), the tree of nodes that values are built from (jb_node), a text buffer,
 * and the helpers the files share. */
#ifndef SQL_JSONB_INT_H
#define SQL_JSONB_INT_H

#include <string.h>

#include "sql/sql_jsonb.h"

/* ---- format ---------------------------------------------------------------------------- */

#define JB_FORMAT_VERSION 1u
#define JB_HEADER_BYTES 8u
#define JB_ENTRY_BYTES 4u
#define JB_COUNT_MASK 0x0fffffffu
#define JB_KIND_SHIFT 28
#define JB_VERSION_SHIFT 30
#define JB_OFFSET_MASK 0x1fffffffu
#define JB_TYPE_SHIFT 29

RT_STATIC_ASSERT(SQL_JSONB_COUNT_MAX == JB_COUNT_MASK);
RT_STATIC_ASSERT(SQL_JSONB_BYTES_MAX <= JB_OFFSET_MASK);

enum { JB_KIND_ARRAY = 0, JB_KIND_OBJECT = 1, JB_KIND_SCALAR = 2 };

/* Entry types. The order of the scalars is also their btree rank, except that PostgreSQL puts
 * strings below numbers below booleans (jb_type_rank). */
enum {
    JB_NULL = 0,
    JB_FALSE = 1,
    JB_TRUE = 2,
    JB_STRING = 3,
    JB_NUMBER = 4,
    JB_CONTAINER = 5,
    /* Node-only types: containers being built. */
    JB_NODE_ARRAY = 6,
    JB_NODE_OBJECT = 7,
};

static inline uint32_t jb_load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline void jb_store32(uint8_t *p, uint32_t v) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, sizeof v);
}

/* ---- reading --------------------------------------------------------------------------- */

/* An encoded container: `base` points at its header. */
typedef struct jb_cont {
    const uint8_t *base;
    uint32_t count; /* elements, or pairs of an object */
    uint8_t kind;   /* JB_KIND_* */
} jb_cont;

/* One element, key or value: a scalar payload or (JB_CONTAINER) a nested container. */
typedef struct jb_val {
    uint8_t type;
    uint32_t len;
    const uint8_t *ptr;
} jb_val;

static inline jb_cont jb_cont_open(const uint8_t *base) {
    uint32_t h = jb_load32(base);
    return (jb_cont){.base = base, .count = h & JB_COUNT_MASK,
                     .kind = (uint8_t)((h >> JB_KIND_SHIFT) & 3)};
}

static inline jb_cont jb_root(sql_bytes jb) { return jb_cont_open(jb.ptr); }

static inline uint32_t jb_cont_entries(const jb_cont *c) {
    return c->kind == JB_KIND_OBJECT ? 2 * c->count : c->count;
}

static inline const uint8_t *jb_cont_data(const jb_cont *c) {
    return c->base + JB_HEADER_BYTES + JB_ENTRY_BYTES * jb_cont_entries(c);
}

/* Entry i: keys of an object are 0..count-1, its values count..2count-1. */
static inline jb_val jb_cont_get(const jb_cont *c, uint32_t i) {
    const uint8_t *entries = c->base + JB_HEADER_BYTES;
    uint32_t e = jb_load32(entries + JB_ENTRY_BYTES * i);
    uint32_t end = e & JB_OFFSET_MASK;
    uint32_t start = i == 0 ? 0 : jb_load32(entries + JB_ENTRY_BYTES * (i - 1)) & JB_OFFSET_MASK;
    return (jb_val){.type = (uint8_t)(e >> JB_TYPE_SHIFT), .len = end - start,
                    .ptr = jb_cont_data(c) + start};
}

/* Levels of containers in a container: 1 when it holds no container (second header word). */
static inline uint32_t jb_cont_levels(const uint8_t *base) { return jb_load32(base + 4); }

/* PostgreSQL's order of object keys in storage: shorter first, then bytewise. */
static inline int jb_key_order(const uint8_t *a, uint32_t a_len, const uint8_t *b,
                               uint32_t b_len) {
    if (a_len != b_len) return a_len < b_len ? -1 : 1;
    return memcmp(a, b, a_len);
}

/* Binary search of an object's keys; true with *index set if found. */
bool jb_object_find(const jb_cont *c, const uint8_t *key, uint32_t key_len, uint32_t *index);

/* The single element of a scalar container, as a value. */
static inline jb_val jb_scalar_value(const jb_cont *c) { return jb_cont_get(c, 0); }

/* ---- building ------------------------------------------------------------------------- */

/* A value under construction. Scalars point at their payload; JB_CONTAINER points at an
 * encoded container that is copied as-is; JB_NODE_ARRAY/OBJECT own `items` (objects hold
 * key, value, key, value, ... and are normalized by jb_node_object_normalize). */
typedef struct jb_node jb_node;
struct jb_node {
    uint8_t type;
    uint16_t levels; /* container levels of the encoded value, set by jb_node_measure */
    uint32_t len;    /* payload bytes; items of an array; pairs of an object */
    uint32_t size; /* encoded bytes, set by jb_node_measure */
    union {
        const uint8_t *bytes;
        jb_node *items;
    } u;
};

static inline jb_node jb_node_scalar(uint8_t type, const void *bytes, uint32_t len) {
    return (jb_node){.type = type, .len = len, .u.bytes = bytes};
}

/* A value read from an encoded container, as a node (nested containers are copied as-is). */
static inline jb_node jb_node_from_val(jb_val v) {
    return (jb_node){.type = v.type, .len = v.len, .u.bytes = v.ptr};
}

/* The top-level value of a jsonb datum as a node: the scalar itself for a scalar container. */
jb_node jb_node_from_datum(sql_bytes jb);

/* Sorts the pairs by key and drops all but the last of equal keys. */
bool jb_node_object_normalize(rt_arena *arena, jb_node *obj, rt_err *err);
/* Encodes `root` (any node) as a jsonb datum; scalars get their scalar container. */
bool jb_node_encode(rt_arena *arena, jb_node *root, sql_bytes *out, rt_err *err);
/* The elements (pairs) of an encoded container as a node whose children are in-place values:
 * what edits start from. */
bool jb_node_from_cont(rt_arena *arena, const jb_cont *c, jb_node *out, rt_err *err);

/* ---- text buffer ---------------------------------------------------------------------- */

/* A growing text in an arena (doubling; old blocks stay in the arena until it is freed). */
typedef struct jb_buf {
    rt_arena *arena;
    char *data;
    uint32_t len;
    uint32_t cap;
    bool failed; /* out of arena budget or past SQL_JSONB_BYTES_MAX */
    bool too_big;
} jb_buf;

void jb_buf_init(jb_buf *b, rt_arena *arena, uint32_t initial);
void jb_buf_grow(jb_buf *b, uint32_t more);
static inline void jb_buf_append(jb_buf *b, const void *p, uint32_t n) {
    if (RT_UNLIKELY(b->cap - b->len < n)) {
        jb_buf_grow(b, n);
        if (b->failed) return;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}
static inline void jb_buf_char(jb_buf *b, char c) { jb_buf_append(b, &c, 1); }
static inline void jb_buf_str(jb_buf *b, const char *s) {
    jb_buf_append(b, s, (uint32_t)strlen(s));
}
/* NUL-terminates and hands out the text; false (with the error) if the buffer failed. */
bool jb_buf_finish(jb_buf *b, sql_bytes *out, rt_err *err);

/* A JSON string literal: quotes and PostgreSQL's escapes (\" \\ \b \f \n \r \t \u00XX). */
void jb_buf_json_string(jb_buf *b, const uint8_t *s, uint32_t len);
/* jsonb text of a value (scalars and containers), as jsonb_out writes it. */
void jb_buf_value(jb_buf *b, jb_val v);

/* ---- shared helpers ------------------------------------------------------------------- */

typedef enum jb_parse_mode {
    JB_PARSE_JSON,          /* syntax only: json_in */
    JB_PARSE_JSON_UNESCAPE, /* and every escape must make text: the json operators' check */
    JB_PARSE_JSONB,         /* and build *root: strings unescaped, numbers canonical */
} jb_parse_mode;

/* Parses JSON text; `root` is given (and `arena` used) in JB_PARSE_JSONB mode only. */
bool jb_parse(rt_arena *arena, const char *text, uint32_t len, jb_parse_mode mode, jb_node *root,
              rt_err *err);

/* Over valid JSON text (sql_jsonb_json.c): whitespace skipped from i; i at an opening quote:
 * the index just past the closing one; i at the first byte of a value: the index just past
 * it. */
static inline uint32_t jj_ws(const uint8_t *s, uint32_t len, uint32_t i) {
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}
uint32_t jj_string_end(const uint8_t *s, uint32_t len, uint32_t i);
uint32_t jj_value_end(const uint8_t *s, uint32_t len, uint32_t i);

/* Length of the valid UTF-8 sequence at s[i] (i < len), or 0 if there is none. */
uint32_t jb_utf8_len(const uint8_t *s, uint32_t i, uint32_t len);

/* Normalized number text for hashing: canonical text without trailing fraction zeros. */
uint32_t jb_number_hash_len(const uint8_t *text, uint32_t len);

/* strtol-like parse of a path element as int32: leading spaces, sign, digits, nothing after. */
bool jb_path_index(sql_bytes elem, int32_t *out);

/* The ranks PostgreSQL orders types by: null < string < number < boolean < array < object. */
int jb_type_rank(uint8_t type, const uint8_t *ptr);

/* Errors of the size and nesting limits. */
bool jb_too_big(rt_err *err);
bool jb_too_deep(rt_err *err);

#endif
