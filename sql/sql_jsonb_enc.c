/* sql_jsonb_enc.c: encoding jb_node trees as jsonb values, and the shared pieces every jsonb
 * file uses (key lookup, the text buffer, limits).
 *
 * Encoding is two passes over the tree: jb_node_measure() sizes every container (so offsets
 * are known before anything is written), jb_node_write() then fills one exactly sized block.
 * Containers taken from existing values (JB_CONTAINER nodes) are copied as they are: their
 * offsets are relative to themselves, so edits rebuild only the containers they touch. */
#include "sql/sql_jsonb_int.h"

#include <stdlib.h>

bool jb_too_big(rt_err *err) {
    return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                      "total size of jsonb value exceeds the maximum of %u bytes",
                      (unsigned)SQL_JSONB_BYTES_MAX);
}

bool jb_too_deep(rt_err *err) {
    rt_err_set(err, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
    rt_err_hint(err, "JSON values may nest at most %d arrays and objects deep.",
                SQL_JSONB_DEPTH_MAX);
    return false;
}

bool jb_object_find(const jb_cont *c, const uint8_t *key, uint32_t key_len, uint32_t *index) {
    uint32_t lo = 0, hi = c->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        jb_val k = jb_cont_get(c, mid);
        int order = jb_key_order(k.ptr, k.len, key, key_len);
        if (order == 0) {
            *index = mid;
            return true;
        }
        if (order < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* ---- nodes ------------------------------------------------------------------------------- */

jb_node jb_node_from_datum(sql_bytes jb) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_SCALAR) return jb_node_from_val(jb_scalar_value(&c));
    return (jb_node){.type = JB_CONTAINER, .len = jb.len, .u.bytes = jb.ptr};
}

bool jb_node_from_cont(rt_arena *arena, const jb_cont *c, jb_node *out, rt_err *err) {
    uint32_t n = jb_cont_entries(c);
    jb_node *items = rt_arena_alloc(arena, sizeof(jb_node) * (size_t)(n == 0 ? 1 : n));
    if (items == NULL) return rt_arena_fail(arena, err);
    if (c->kind == JB_KIND_OBJECT) {
        for (uint32_t i = 0; i < c->count; i++) {
            items[2 * i] = jb_node_from_val(jb_cont_get(c, i));
            items[2 * i + 1] = jb_node_from_val(jb_cont_get(c, c->count + i));
        }
        *out = (jb_node){.type = JB_NODE_OBJECT, .len = c->count, .u.items = items};
    } else {
        for (uint32_t i = 0; i < n; i++) items[i] = jb_node_from_val(jb_cont_get(c, i));
        *out = (jb_node){.type = JB_NODE_ARRAY, .len = n, .u.items = items};
    }
    return true;
}

/* ---- object normalization ----------------------------------------------------------------- */

typedef struct jb_sort_key {
    const uint8_t *key;
    uint32_t len;
    uint32_t index; /* pair index: later duplicates win, and sorting stays stable */
} jb_sort_key;

static int jb_sort_key_cmp(const void *a, const void *b) {
    const jb_sort_key *x = a, *y = b;
    int order = jb_key_order(x->key, x->len, y->key, y->len);
    if (order != 0) return order;
    return (x->index > y->index) - (x->index < y->index);
}

bool jb_node_object_normalize(rt_arena *arena, jb_node *obj, rt_err *err) {
    uint32_t n = obj->len;
    jb_node *items = obj->u.items;
    bool sorted = true; /* strictly increasing keys: nothing to do (the common case) */
    for (uint32_t i = 1; i < n && sorted; i++) {
        const jb_node *a = &items[2 * (i - 1)], *b = &items[2 * i];
        sorted = jb_key_order(a->u.bytes, a->len, b->u.bytes, b->len) < 0;
    }
    if (sorted) return true;
    jb_sort_key *keys = rt_arena_alloc(arena, sizeof(jb_sort_key) * (size_t)n);
    jb_node *out = rt_arena_alloc(arena, sizeof(jb_node) * 2 * (size_t)n);
    if (keys == NULL || out == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = (jb_sort_key){items[2 * i].u.bytes, items[2 * i].len, i};
    }
    qsort(keys, n, sizeof *keys, jb_sort_key_cmp);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool last_of_run = i + 1 == n || jb_key_order(keys[i].key, keys[i].len, keys[i + 1].key,
                                                      keys[i + 1].len) != 0;
        if (!last_of_run) continue;
        out[2 * kept] = items[2 * keys[i].index];
        out[2 * kept + 1] = items[2 * keys[i].index + 1];
        kept++;
    }
    obj->len = kept;
    obj->u.items = out;
    return true;
}

/* ---- encoding ----------------------------------------------------------------------------- */

static inline uint8_t jb_node_entry_type(const jb_node *n) {
    return n->type >= JB_CONTAINER ? (uint8_t)JB_CONTAINER : n->type;
}

/* Sizes and levels of every node below `n` (stored in ->size and ->levels) and of `n`; false
 * past the byte limit or the nesting limit. A copied container's levels are in its header, so
 * no value, however it was edited together, ever nests deeper than SQL_JSONB_DEPTH_MAX. */
static bool jb_node_measure(jb_node *n, rt_err *err) {
    uint64_t size;
    uint32_t levels = 0;
    if (n->type == JB_NODE_ARRAY || n->type == JB_NODE_OBJECT) {
        uint32_t items = n->type == JB_NODE_OBJECT ? 2 * n->len : n->len;
        size = JB_HEADER_BYTES + (uint64_t)JB_ENTRY_BYTES * items;
        for (uint32_t i = 0; i < items; i++) {
            jb_node *child = &n->u.items[i];
            if (!jb_node_measure(child, err)) return false;
            size += child->size;
            if (child->levels > levels) levels = child->levels;
        }
        levels++;
    } else {
        size = n->len;
        if (n->type == JB_CONTAINER) levels = jb_cont_levels(n->u.bytes);
    }
    if (size > SQL_JSONB_BYTES_MAX) return jb_too_big(err);
    if (levels > SQL_JSONB_DEPTH_MAX) return jb_too_deep(err);
    n->size = (uint32_t)size;
    n->levels = (uint16_t)levels;
    return true;
}

/* Writes a measured node's payload at `out`. */
static void jb_node_write(const jb_node *n, uint8_t *out) {
    if (n->type != JB_NODE_ARRAY && n->type != JB_NODE_OBJECT) {
        if (n->len > 0) memcpy(out, n->u.bytes, n->len);
        return;
    }
    bool object = n->type == JB_NODE_OBJECT;
    uint32_t items = object ? 2 * n->len : n->len;
    /* Every member costs an entry, so the byte limit already keeps counts within 28 bits. */
    RT_ASSERT(n->len <= SQL_JSONB_COUNT_MAX);
    jb_store32(out, n->len | (uint32_t)(object ? JB_KIND_OBJECT : JB_KIND_ARRAY) << JB_KIND_SHIFT |
                        JB_FORMAT_VERSION << JB_VERSION_SHIFT);
    jb_store32(out + 4, n->levels);
    uint8_t *entries = out + JB_HEADER_BYTES;
    uint8_t *data = entries + (size_t)JB_ENTRY_BYTES * items;
    uint32_t offset = 0;
    /* Objects list all keys, then all values. */
    for (uint32_t e = 0; e < items; e++) {
        uint32_t i = object ? (e < n->len ? 2 * e : 2 * (e - n->len) + 1) : e;
        const jb_node *child = &n->u.items[i];
        jb_node_write(child, data + offset);
        offset += child->size;
        jb_store32(entries + JB_ENTRY_BYTES * e,
                   offset | (uint32_t)jb_node_entry_type(child) << JB_TYPE_SHIFT);
    }
}

bool jb_node_encode(rt_arena *arena, jb_node *root, sql_bytes *out, rt_err *err) {
    if (!jb_node_measure(root, err)) return false;
    bool scalar = root->type != JB_NODE_ARRAY && root->type != JB_NODE_OBJECT &&
                  root->type != JB_CONTAINER;
    uint64_t size = root->size + (scalar ? JB_HEADER_BYTES + JB_ENTRY_BYTES : 0);
    if (size > SQL_JSONB_BYTES_MAX) return jb_too_big(err);
    uint8_t *p = rt_arena_alloc(arena, (size_t)size);
    if (p == NULL) return rt_arena_fail(arena, err);
    if (scalar) {
        jb_store32(p, 1u | (uint32_t)JB_KIND_SCALAR << JB_KIND_SHIFT |
                          JB_FORMAT_VERSION << JB_VERSION_SHIFT);
        jb_store32(p + 4, 1);
        jb_store32(p + JB_HEADER_BYTES, root->size | (uint32_t)root->type << JB_TYPE_SHIFT);
        jb_node_write(root, p + JB_HEADER_BYTES + JB_ENTRY_BYTES);
    } else {
        jb_node_write(root, p);
    }
    *out = (sql_bytes){p, (uint32_t)size};
    return true;
}

/* ---- text buffer -------------------------------------------------------------------------- */

void jb_buf_init(jb_buf *b, rt_arena *arena, uint32_t initial) {
    *b = (jb_buf){.arena = arena};
    if (initial < 64) initial = 64;
    b->data = rt_arena_alloc(arena, initial);
    if (b->data == NULL) {
        b->failed = true;
        return;
    }
    b->cap = initial;
}

void jb_buf_grow(jb_buf *b, uint32_t more) {
    if (b->failed) return;
    uint64_t need = (uint64_t)b->len + more + 1; /* room for the final NUL */
    if (need > (uint64_t)SQL_JSONB_BYTES_MAX + 1) {
        b->failed = b->too_big = true;
        return;
    }
    uint64_t cap = (uint64_t)b->cap * 2;
    if (cap < need) cap = need;
    if (cap > (uint64_t)SQL_JSONB_BYTES_MAX + 1) cap = (uint64_t)SQL_JSONB_BYTES_MAX + 1;
    char *grown = rt_arena_alloc(b->arena, (size_t)cap);
    if (grown == NULL) {
        b->failed = true;
        return;
    }
    memcpy(grown, b->data, b->len);
    b->data = grown;
    b->cap = (uint32_t)cap;
}

bool jb_buf_finish(jb_buf *b, sql_bytes *out, rt_err *err) {
    if (!b->failed && b->len == b->cap) jb_buf_grow(b, 1);
    if (b->failed) return b->too_big ? jb_too_big(err) : rt_arena_fail(b->arena, err);
    b->data[b->len] = '\0';
    *out = (sql_bytes){(const uint8_t *)b->data, b->len};
    return true;
}
