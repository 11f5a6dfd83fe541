/* sql_jsonb_ops.c: reading jsonb values: the accessor operators (->, ->>, #>, #>>), the
 * existence operators (?, ?|, ?&), containment (@>), btree order, hashing, the type and length
 * functions and the set-returning functions as iterators. Containers found inside a value are
 * returned in place; only scalars (which need a scalar container) are copied. */
#include "sql/sql_jsonb_int.h"

static const sql_bytes JB_SQL_NULL = {NULL, 0};

/* ---- values as results -------------------------------------------------------------------- */

/* A value as a jsonb datum: nested containers are already datums. */
static bool jb_val_to_datum(rt_arena *arena, jb_val v, sql_bytes *out, rt_err *err) {
    if (v.type == JB_CONTAINER) {
        *out = (sql_bytes){v.ptr, v.len};
        return true;
    }
    jb_node n = jb_node_from_val(v);
    return jb_node_encode(arena, &n, out, err);
}

/* A value as ->> gives it: strings unquoted, JSON null as SQL NULL, containers as jsonb text. */
static bool jb_val_to_text(rt_arena *arena, jb_val v, sql_bytes *out, rt_err *err) {
    switch (v.type) {
    case JB_NULL:
        *out = JB_SQL_NULL;
        return true;
    case JB_FALSE:
        *out = (sql_bytes){(const uint8_t *)"false", 5};
        return true;
    case JB_TRUE:
        *out = (sql_bytes){(const uint8_t *)"true", 4};
        return true;
    case JB_STRING:
    case JB_NUMBER:
        /* An empty string must still be non-NULL: point at the (valid) payload address. */
        *out = (sql_bytes){v.ptr, v.len};
        return true;
    default: {
        jb_buf b;
        jb_buf_init(&b, arena, v.len + v.len / 4 + 16);
        jb_buf_value(&b, v);
        return jb_buf_finish(&b, out, err);
    }
    }
}

static bool jb_result(rt_arena *arena, jb_val v, bool as_text, sql_bytes *out, rt_err *err) {
    return as_text ? jb_val_to_text(arena, v, out, err) : jb_val_to_datum(arena, v, out, err);
}

/* ---- accessors ---------------------------------------------------------------------------- */

bool sql_jsonb_object_field(rt_arena *arena, sql_bytes jb, const char *key, uint32_t key_len,
                            bool as_text, sql_bytes *out, rt_err *err) {
    jb_cont c = jb_root(jb);
    uint32_t i;
    if (c.kind != JB_KIND_OBJECT || !jb_object_find(&c, (const uint8_t *)key, key_len, &i)) {
        *out = JB_SQL_NULL;
        return true;
    }
    return jb_result(arena, jb_cont_get(&c, c.count + i), as_text, out, err);
}

/* -> int works on a top-level scalar as on a one-element array (PostgreSQL 15 does so). */
bool sql_jsonb_array_element(rt_arena *arena, sql_bytes jb, int32_t index, bool as_text,
                             sql_bytes *out, rt_err *err) {
    jb_cont c = jb_root(jb);
    int64_t i = index < 0 ? (int64_t)c.count + index : index;
    if (c.kind == JB_KIND_OBJECT || i < 0 || i >= c.count) {
        *out = JB_SQL_NULL;
        return true;
    }
    return jb_result(arena, jb_cont_get(&c, (uint32_t)i), as_text, out, err);
}

bool jb_path_index(sql_bytes elem, int32_t *out) {
    uint32_t i = 0, n = elem.len;
    const uint8_t *s = elem.ptr;
    while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
    bool negative = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    if (i == n || s[i] < '0' || s[i] > '9') return false;
    int64_t v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > (int64_t)INT32_MAX + 1) return false;
    }
    if (i != n) return false;
    if (negative) v = -v;
    if (v > INT32_MAX || v < INT32_MIN) return false;
    *out = (int32_t)v;
    return true;
}

/* One step of a path: the member of container `c` named by `elem`, if there is one. */
static bool jb_path_step(const jb_cont *c, sql_bytes elem, jb_val *out) {
    if (sql_jsonb_is_null(elem)) return false;
    if (c->kind == JB_KIND_OBJECT) {
        uint32_t i;
        if (!jb_object_find(c, elem.ptr, elem.len, &i)) return false;
        *out = jb_cont_get(c, c->count + i);
        return true;
    }
    int32_t index;
    if (c->kind != JB_KIND_ARRAY || !jb_path_index(elem, &index)) return false;
    int64_t i = index < 0 ? (int64_t)c->count + index : index;
    if (i < 0 || i >= c->count) return false;
    *out = jb_cont_get(c, (uint32_t)i);
    return true;
}

bool sql_jsonb_extract_path(rt_arena *arena, sql_bytes jb, const sql_bytes *path,
                            uint32_t path_len, bool as_text, sql_bytes *out, rt_err *err) {
    jb_val v = {.type = JB_CONTAINER, .len = jb.len, .ptr = jb.ptr};
    jb_cont root = jb_root(jb);
    if (path_len == 0 && root.kind == JB_KIND_SCALAR) v = jb_scalar_value(&root);
    for (uint32_t k = 0; k < path_len; k++) {
        if (v.type != JB_CONTAINER) {
            *out = JB_SQL_NULL;
            return true;
        }
        jb_cont c = jb_cont_open(v.ptr);
        if (!jb_path_step(&c, path[k], &v)) {
            *out = JB_SQL_NULL;
            return true;
        }
    }
    return jb_result(arena, v, as_text, out, err);
}

const char *sql_jsonb_typeof(sql_bytes jb) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_OBJECT) return "object";
    if (c.kind == JB_KIND_ARRAY) return "array";
    switch (jb_scalar_value(&c).type) {
    case JB_NULL:
        return "null";
    case JB_STRING:
        return "string";
    case JB_NUMBER:
        return "number";
    default:
        return "boolean";
    }
}

bool sql_jsonb_array_length(sql_bytes jb, int32_t *out, rt_err *err) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_SCALAR) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "cannot get array length of a scalar");
    }
    if (c.kind == JB_KIND_OBJECT) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "cannot get array length of a non-array");
    }
    *out = (int32_t)c.count;
    return true;
}

/* ---- existence ---------------------------------------------------------------------------- */

bool sql_jsonb_exists(sql_bytes jb, const char *key, uint32_t key_len) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_OBJECT) {
        uint32_t i;
        return jb_object_find(&c, (const uint8_t *)key, key_len, &i);
    }
    /* Arrays (and a string scalar) match their top-level string elements. */
    for (uint32_t i = 0; i < c.count; i++) {
        jb_val v = jb_cont_get(&c, i);
        if (v.type == JB_STRING && v.len == key_len && memcmp(v.ptr, key, key_len) == 0) {
            return true;
        }
    }
    return false;
}

bool sql_jsonb_exists_any(sql_bytes jb, const sql_bytes *keys, uint32_t key_count) {
    for (uint32_t i = 0; i < key_count; i++) {
        if (sql_jsonb_is_null(keys[i])) continue;
        if (sql_jsonb_exists(jb, (const char *)keys[i].ptr, keys[i].len)) return true;
    }
    return false;
}

bool sql_jsonb_exists_all(sql_bytes jb, const sql_bytes *keys, uint32_t key_count) {
    for (uint32_t i = 0; i < key_count; i++) {
        if (sql_jsonb_is_null(keys[i])) continue;
        if (!sql_jsonb_exists(jb, (const char *)keys[i].ptr, keys[i].len)) return false;
    }
    return true;
}

/* ---- containment -------------------------------------------------------------------------- */

static bool jb_scalar_equal(jb_val a, jb_val b) {
    if (a.type != b.type) return false;
    if (a.type == JB_STRING) return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
    if (a.type == JB_NUMBER) {
        return sql_jsonb_number_cmp((const char *)a.ptr, a.len, (const char *)b.ptr, b.len) == 0;
    }
    return true;
}

static bool jb_cont_contains(const jb_cont *a, const jb_cont *b);

/* A value of `a` contains a value of `b`: equal scalars, or containers of the same kind where
 * one contains the other. */
static bool jb_val_contains(jb_val a, jb_val b) {
    if (b.type != JB_CONTAINER) return a.type != JB_CONTAINER && jb_scalar_equal(a, b);
    if (a.type != JB_CONTAINER) return false;
    jb_cont ca = jb_cont_open(a.ptr), cb = jb_cont_open(b.ptr);
    return ca.kind == cb.kind && jb_cont_contains(&ca, &cb);
}

/* PostgreSQL's rules: every pair of an object must be matched by the same key's value; every
 * element of an array by some element (order and repetition do not matter); a top-level array
 * contains a scalar it has as an element, but a scalar contains no array. */
static bool jb_cont_contains(const jb_cont *a, const jb_cont *b) {
    if (b->kind == JB_KIND_OBJECT) {
        if (a->kind != JB_KIND_OBJECT || a->count < b->count) return false;
        for (uint32_t i = 0; i < b->count; i++) {
            jb_val key = jb_cont_get(b, i);
            uint32_t at;
            if (!jb_object_find(a, key.ptr, key.len, &at)) return false;
            if (!jb_val_contains(jb_cont_get(a, a->count + at), jb_cont_get(b, b->count + i))) {
                return false;
            }
        }
        return true;
    }
    if (a->kind == JB_KIND_OBJECT) return false;
    if (a->kind == JB_KIND_SCALAR && b->kind != JB_KIND_SCALAR) return false;
    for (uint32_t i = 0; i < b->count; i++) {
        jb_val want = jb_cont_get(b, i);
        bool found = false;
        for (uint32_t j = 0; j < a->count && !found; j++) {
            found = jb_val_contains(jb_cont_get(a, j), want);
        }
        if (!found) return false;
    }
    return true;
}

bool sql_jsonb_contains(sql_bytes a, sql_bytes b) {
    jb_cont ca = jb_root(a), cb = jb_root(b);
    return jb_cont_contains(&ca, &cb);
}

/* ---- btree order -------------------------------------------------------------------------- */

int jb_type_rank(uint8_t type, const uint8_t *ptr) {
    switch (type) {
    case JB_NULL:
        return 0;
    case JB_STRING:
        return 1;
    case JB_NUMBER:
        return 2;
    case JB_FALSE:
    case JB_TRUE:
        return 3;
    default:
        return jb_cont_open(ptr).kind == JB_KIND_OBJECT ? 5 : 4;
    }
}

/* Strings order as in the C collation: bytes, then length. */
static int jb_string_cmp(jb_val a, jb_val b) {
    int r = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);
    if (r != 0) return r < 0 ? -1 : 1;
    return (a.len > b.len) - (a.len < b.len);
}

static int jb_cont_cmp(const jb_cont *a, const jb_cont *b);

static int jb_val_cmp(jb_val a, jb_val b) {
    int ra = jb_type_rank(a.type, a.ptr), rb = jb_type_rank(b.type, b.ptr);
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (a.type) {
    case JB_NULL:
        return 0;
    case JB_STRING:
        return jb_string_cmp(a, b);
    case JB_NUMBER:
        return sql_jsonb_number_cmp((const char *)a.ptr, a.len, (const char *)b.ptr, b.len);
    case JB_FALSE:
    case JB_TRUE:
        return (a.type > b.type) - (a.type < b.type);
    default: {
        jb_cont ca = jb_cont_open(a.ptr), cb = jb_cont_open(b.ptr);
        return jb_cont_cmp(&ca, &cb);
    }
    }
}

/* Objects above arrays; more members above fewer; then member by member (key, then value).
 * A top-level scalar counts as a one-element array that sorts below a real array of equal
 * length, which is why an empty top-level array sorts below every scalar. */
static int jb_cont_cmp(const jb_cont *a, const jb_cont *b) {
    bool ao = a->kind == JB_KIND_OBJECT, bo = b->kind == JB_KIND_OBJECT;
    if (ao != bo) return ao ? 1 : -1;
    int res = 0;
    if (!ao && (a->kind == JB_KIND_SCALAR) != (b->kind == JB_KIND_SCALAR)) {
        res = a->kind == JB_KIND_SCALAR ? -1 : 1;
    }
    if (a->count != b->count) res = a->count > b->count ? 1 : -1;
    if (res != 0) return res;
    for (uint32_t i = 0; i < a->count; i++) {
        if (ao) {
            res = jb_string_cmp(jb_cont_get(a, i), jb_cont_get(b, i));
            if (res != 0) return res;
            res = jb_val_cmp(jb_cont_get(a, a->count + i), jb_cont_get(b, b->count + i));
        } else {
            res = jb_val_cmp(jb_cont_get(a, i), jb_cont_get(b, i));
        }
        if (res != 0) return res;
    }
    return 0;
}

int sql_jsonb_cmp(sql_bytes a, sql_bytes b) {
    jb_cont ca = jb_root(a), cb = jb_root(b);
    return jb_cont_cmp(&ca, &cb);
}

/* ---- hashing ------------------------------------------------------------------------------ */

static uint64_t jb_mix(uint64_t h) {
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static uint64_t jb_hash_bytes(uint64_t h, const uint8_t *p, uint32_t n) {
    h ^= n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, n);
    return jb_mix(h ^ tail);
}

/* Equal values (in jb_val_cmp's sense) hash equal: numbers by their normalized digits. */
static uint64_t jb_hash_val(uint64_t h, jb_val v) {
    h = jb_mix(h + v.type + 1);
    switch (v.type) {
    case JB_STRING:
        return jb_hash_bytes(h, v.ptr, v.len);
    case JB_NUMBER:
        return jb_hash_bytes(h, v.ptr, jb_number_hash_len(v.ptr, v.len));
    case JB_CONTAINER: {
        jb_cont c = jb_cont_open(v.ptr);
        h = jb_mix(h ^ ((uint64_t)c.kind << 32 | c.count));
        uint32_t n = jb_cont_entries(&c);
        for (uint32_t i = 0; i < n; i++) h = jb_hash_val(h, jb_cont_get(&c, i));
        return h;
    }
    default:
        return h;
    }
}

uint64_t sql_jsonb_hash(sql_bytes jb) {
    return jb_hash_val(0, (jb_val){.type = JB_CONTAINER, .len = jb.len, .ptr = jb.ptr});
}

/* ---- iterators ---------------------------------------------------------------------------- */

static bool jb_not_object(const jb_cont *c, const char *fn, rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot call %s on %s", fn,
                      c->kind == JB_KIND_SCALAR ? "a scalar" : "an array");
}

bool sql_jsonb_object_keys_begin(sql_jsonb_iter *it, sql_bytes jb, rt_err *err) {
    jb_cont c = jb_root(jb);
    if (c.kind != JB_KIND_OBJECT) return jb_not_object(&c, "jsonb_object_keys", err);
    *it = (sql_jsonb_iter){.container = jb.ptr, .count = c.count};
    return true;
}

bool sql_jsonb_object_keys_next(sql_jsonb_iter *it, sql_bytes *key) {
    if (it->index == it->count) return false;
    jb_cont c = jb_cont_open(it->container);
    jb_val k = jb_cont_get(&c, it->index++);
    *key = (sql_bytes){k.ptr, k.len};
    return true;
}

bool sql_jsonb_each_begin(sql_jsonb_iter *it, sql_bytes jb, bool as_text, rt_err *err) {
    jb_cont c = jb_root(jb);
    if (c.kind != JB_KIND_OBJECT) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot call %s on a non-object",
                          as_text ? "jsonb_each_text" : "jsonb_each");
    }
    *it = (sql_jsonb_iter){.container = jb.ptr, .count = c.count, .as_text = as_text};
    return true;
}

bool sql_jsonb_each_next(rt_arena *arena, sql_jsonb_iter *it, bool *has_row, sql_bytes *key,
                         sql_bytes *value, rt_err *err) {
    *has_row = it->index < it->count;
    if (!*has_row) return true;
    jb_cont c = jb_cont_open(it->container);
    jb_val k = jb_cont_get(&c, it->index);
    jb_val v = jb_cont_get(&c, c.count + it->index);
    it->index++;
    *key = (sql_bytes){k.ptr, k.len};
    return jb_result(arena, v, it->as_text, value, err);
}

bool sql_jsonb_array_elements_begin(sql_jsonb_iter *it, sql_bytes jb, bool as_text,
                                    rt_err *err) {
    jb_cont c = jb_root(jb);
    if (c.kind != JB_KIND_ARRAY) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "cannot extract elements from %s",
                          c.kind == JB_KIND_SCALAR ? "a scalar" : "an object");
    }
    *it = (sql_jsonb_iter){.container = jb.ptr, .count = c.count, .as_text = as_text};
    return true;
}

bool sql_jsonb_array_elements_next(rt_arena *arena, sql_jsonb_iter *it, bool *has_row,
                                   sql_bytes *value, rt_err *err) {
    *has_row = it->index < it->count;
    if (!*has_row) return true;
    jb_cont c = jb_cont_open(it->container);
    return jb_result(arena, jb_cont_get(&c, it->index++), it->as_text, value, err);
}
