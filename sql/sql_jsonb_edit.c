/* sql_jsonb_edit.c: functions that build a changed copy of a jsonb value: ||, - (key, keys,
 * index), #-, jsonb_set, jsonb_insert and jsonb_strip_nulls.
 *
 * Edits rebuild only the containers on the way to the change: each is opened into a node
 * whose members point into the input, the one member on the path is replaced, and encoding
 * copies every untouched member verbatim. When nothing changes the input itself is returned. */
#include "sql/sql_jsonb_int.h"

static bool jb_delete_from_scalar(rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot delete from scalar");
}

/* ---- concatenation ------------------------------------------------------------------------- */

/* Members of a value as array elements: an array's elements, a scalar, or the whole object. */
static uint32_t jb_concat_items(const jb_cont *c, sql_bytes whole, jb_node *items) {
    if (c->kind == JB_KIND_OBJECT) {
        items[0] = (jb_node){.type = JB_CONTAINER, .len = whole.len, .u.bytes = whole.ptr};
        return 1;
    }
    for (uint32_t i = 0; i < c->count; i++) items[i] = jb_node_from_val(jb_cont_get(c, i));
    return c->count;
}

bool sql_jsonb_concat(rt_arena *arena, sql_bytes a, sql_bytes b, sql_bytes *out, rt_err *err) {
    jb_cont ca = jb_root(a), cb = jb_root(b);
    bool objects = ca.kind == JB_KIND_OBJECT && cb.kind == JB_KIND_OBJECT;
    if (objects && cb.count == 0) {
        *out = a;
        return true;
    }
    if (objects && ca.count == 0) {
        *out = b;
        return true;
    }
    uint64_t n = (uint64_t)jb_cont_entries(&ca) + jb_cont_entries(&cb) + 2;
    if (n > 2 * (uint64_t)SQL_JSONB_COUNT_MAX) return jb_too_big(err);
    jb_node *items = rt_arena_alloc(arena, sizeof(jb_node) * (size_t)n);
    if (items == NULL) return rt_arena_fail(arena, err);
    jb_node node;
    if (objects) {
        /* Both objects' pairs, b's after a's: normalizing keeps b's value for shared keys. */
        for (uint32_t i = 0; i < ca.count; i++) {
            items[2 * i] = jb_node_from_val(jb_cont_get(&ca, i));
            items[2 * i + 1] = jb_node_from_val(jb_cont_get(&ca, ca.count + i));
        }
        for (uint32_t i = 0; i < cb.count; i++) {
            items[2 * (ca.count + i)] = jb_node_from_val(jb_cont_get(&cb, i));
            items[2 * (ca.count + i) + 1] = jb_node_from_val(jb_cont_get(&cb, cb.count + i));
        }
        node = (jb_node){.type = JB_NODE_OBJECT, .len = ca.count + cb.count, .u.items = items};
        if (!jb_node_object_normalize(arena, &node, err)) return false;
    } else {
        uint32_t count = jb_concat_items(&ca, a, items);
        count += jb_concat_items(&cb, b, items + count);
        if (count > SQL_JSONB_COUNT_MAX) return jb_too_big(err);
        node = (jb_node){.type = JB_NODE_ARRAY, .len = count, .u.items = items};
    }
    return jb_node_encode(arena, &node, out, err);
}

/* ---- deleting keys and elements ------------------------------------------------------------ */

/* True if `key` is one of the non-NULL `keys`. */
static bool jb_key_listed(jb_val key, const sql_bytes *keys, uint32_t key_count) {
    for (uint32_t i = 0; i < key_count; i++) {
        if (!sql_jsonb_is_null(keys[i]) && keys[i].len == key.len &&
            memcmp(keys[i].ptr, key.ptr, key.len) == 0) {
            return true;
        }
    }
    return false;
}

/* Object pairs or array string elements named in `keys` removed; the input if none was. */
static bool jb_delete_listed(rt_arena *arena, sql_bytes jb, const sql_bytes *keys,
                             uint32_t key_count, sql_bytes *out, rt_err *err) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_SCALAR) return jb_delete_from_scalar(err);
    jb_node node;
    if (!jb_node_from_cont(arena, &c, &node, err)) return false;
    bool object = c.kind == JB_KIND_OBJECT;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < node.len; i++) {
        jb_node *m = object ? &node.u.items[2 * i] : &node.u.items[i];
        jb_val named = {.type = m->type, .len = m->len, .ptr = m->u.bytes};
        if (m->type == JB_STRING && jb_key_listed(named, keys, key_count)) continue;
        if (object) {
            node.u.items[2 * kept] = m[0];
            node.u.items[2 * kept + 1] = m[1];
        } else {
            node.u.items[kept] = m[0];
        }
        kept++;
    }
    if (kept == node.len) {
        *out = jb;
        return true;
    }
    node.len = kept;
    return jb_node_encode(arena, &node, out, err);
}

bool sql_jsonb_delete_key(rt_arena *arena, sql_bytes jb, const char *key, uint32_t key_len,
                          sql_bytes *out, rt_err *err) {
    sql_bytes k = {(const uint8_t *)(key != NULL ? key : ""), key_len};
    return jb_delete_listed(arena, jb, &k, 1, out, err);
}

bool sql_jsonb_delete_keys(rt_arena *arena, sql_bytes jb, const sql_bytes *keys,
                           uint32_t key_count, sql_bytes *out, rt_err *err) {
    return jb_delete_listed(arena, jb, keys, key_count, out, err);
}

/* Removes member i (a pair of an object) from an opened container node. */
static void jb_node_remove(jb_node *node, uint32_t i) {
    if (node->type == JB_NODE_OBJECT) {
        memmove(&node->u.items[2 * i], &node->u.items[2 * i + 2],
                sizeof(jb_node) * 2 * (node->len - i - 1));
    } else {
        memmove(&node->u.items[i], &node->u.items[i + 1], sizeof(jb_node) * (node->len - i - 1));
    }
    node->len--;
}

bool sql_jsonb_delete_index(rt_arena *arena, sql_bytes jb, int32_t index, sql_bytes *out,
                            rt_err *err) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_SCALAR) return jb_delete_from_scalar(err);
    if (c.kind == JB_KIND_OBJECT) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "cannot delete from object using integer index");
    }
    int64_t i = index < 0 ? (int64_t)c.count + index : index;
    if (i < 0 || i >= c.count) {
        *out = jb;
        return true;
    }
    jb_node node;
    if (!jb_node_from_cont(arena, &c, &node, err)) return false;
    jb_node_remove(&node, (uint32_t)i);
    return jb_node_encode(arena, &node, out, err);
}

/* ---- paths ---------------------------------------------------------------------------------- */

typedef enum jb_path_op {
    JB_PATH_DELETE,
    JB_PATH_SET,
    JB_PATH_INSERT_BEFORE,
    JB_PATH_INSERT_AFTER,
} jb_path_op;

typedef struct jb_path_edit {
    rt_arena *arena;
    const sql_bytes *path;
    uint32_t path_len;
    jb_path_op op;
    bool create_missing; /* jsonb_set's create_if_missing */
    jb_node new_value;
    rt_err *err;
} jb_path_edit;

static bool jb_path_null(const jb_path_edit *e, uint32_t level) {
    return rt_err_set(e->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                      "path element at position %u is null", level + 1);
}

/* Inserts `value` (a pair with `key` for objects) at member position `at`. */
static bool jb_node_insert(const jb_path_edit *e, jb_node *node, uint32_t at, const jb_node *key,
                           const jb_node *value) {
    bool object = node->type == JB_NODE_OBJECT;
    uint32_t per = object ? 2 : 1;
    if (node->len >= SQL_JSONB_COUNT_MAX) return jb_too_big(e->err);
    jb_node *items = rt_arena_alloc(e->arena, sizeof(jb_node) * per * ((size_t)node->len + 1));
    if (items == NULL) return rt_arena_fail(e->arena, e->err);
    memcpy(items, node->u.items, sizeof(jb_node) * per * at);
    memcpy(items + per * (at + 1), node->u.items + per * at,
           sizeof(jb_node) * per * (node->len - at));
    if (object) {
        items[2 * at] = *key;
        items[2 * at + 1] = *value;
    } else {
        items[at] = *value;
    }
    node->u.items = items;
    node->len++;
    return object ? jb_node_object_normalize(e->arena, node, e->err) : true;
}

static bool jb_path_edit_cont(const jb_path_edit *e, const jb_cont *c, uint32_t level,
                              jb_node *out, bool *changed);

/* Member `m` (at `level`) lies on the path but is not its end: descend if it is a container.
 * PostgreSQL rejects a NULL next element even when `m` turns out to be a scalar. */
static bool jb_path_descend(const jb_path_edit *e, jb_node *m, uint32_t level, bool *changed) {
    if (sql_jsonb_is_null(e->path[level + 1])) return jb_path_null(e, level + 1);
    if (m->type != JB_CONTAINER) return true; /* the path runs into a scalar: no change */
    jb_cont inner = jb_cont_open(m->u.bytes);
    jb_node rebuilt;
    if (!jb_path_edit_cont(e, &inner, level + 1, &rebuilt, changed)) return false;
    if (*changed) *m = rebuilt;
    return true;
}

static bool jb_path_edit_object(const jb_path_edit *e, jb_node *node, uint32_t level,
                                bool *changed) {
    sql_bytes key = e->path[level];
    bool last = level + 1 == e->path_len;
    uint32_t i = 0;
    bool found = false;
    for (; i < node->len; i++) {
        const jb_node *k = &node->u.items[2 * i];
        found = k->len == key.len && memcmp(k->u.bytes, key.ptr, key.len) == 0;
        if (found) break;
    }
    if (found) {
        if (!last) return jb_path_descend(e, &node->u.items[2 * i + 1], level, changed);
        if (e->op == JB_PATH_DELETE) {
            jb_node_remove(node, i);
        } else if (e->op == JB_PATH_SET) {
            node->u.items[2 * i + 1] = e->new_value;
        } else {
            rt_err_set(e->err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot replace existing key");
            rt_err_hint(e->err, "Try using the function jsonb_set to replace key value.");
            return false;
        }
        *changed = true;
        return true;
    }
    if (!last || e->op == JB_PATH_DELETE || (e->op == JB_PATH_SET && !e->create_missing)) {
        return true;
    }
    jb_node k = jb_node_scalar(JB_STRING, key.ptr, key.len);
    *changed = true;
    return jb_node_insert(e, node, node->len, &k, &e->new_value);
}

/* Where a new element goes: jsonb_set and jsonb_insert prepend for an index before the start,
 * append after the end. */
static bool jb_path_edit_array(const jb_path_edit *e, jb_node *node, uint32_t level,
                               bool *changed) {
    int32_t index;
    if (!jb_path_index(e->path[level], &index)) {
        return rt_err_set(e->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                          "path element at position %u is not an integer: \"%.*s\"", level + 1,
                          (int)e->path[level].len, (const char *)e->path[level].ptr);
    }
    bool last = level + 1 == e->path_len;
    int64_t n = node->len;
    int64_t i = index;
    bool before_start = false;
    if (i < 0) {
        before_start = -i > n;
        i += n;
    }
    if (!before_start && i < n) {
        jb_node *m = &node->u.items[i];
        if (!last) return jb_path_descend(e, m, level, changed);
        *changed = true;
        switch (e->op) {
        case JB_PATH_DELETE:
            jb_node_remove(node, (uint32_t)i);
            return true;
        case JB_PATH_SET:
            *m = e->new_value;
            return true;
        default:
            return jb_node_insert(e, node, (uint32_t)i + (e->op == JB_PATH_INSERT_AFTER), NULL,
                                  &e->new_value);
        }
    }
    if (!last || e->op == JB_PATH_DELETE || (e->op == JB_PATH_SET && !e->create_missing)) {
        return true;
    }
    *changed = true;
    return jb_node_insert(e, node, before_start ? 0 : (uint32_t)n, NULL, &e->new_value);
}

/* Applies the edit inside container `c` at path position `level`; *out is the rebuilt
 * container when *changed. */
static bool jb_path_edit_cont(const jb_path_edit *e, const jb_cont *c, uint32_t level,
                              jb_node *out, bool *changed) {
    *changed = false;
    if (sql_jsonb_is_null(e->path[level])) return jb_path_null(e, level);
    if (!jb_node_from_cont(e->arena, c, out, e->err)) return false;
    if (c->kind == JB_KIND_OBJECT) return jb_path_edit_object(e, out, level, changed);
    return jb_path_edit_array(e, out, level, changed);
}

static bool jb_path_apply(const jb_path_edit *e, sql_bytes jb, const char *scalar_message,
                          sql_bytes *out) {
    jb_cont c = jb_root(jb);
    if (c.kind == JB_KIND_SCALAR) {
        return rt_err_set(e->err, SQLSTATE_INVALID_PARAMETER_VALUE, "%s", scalar_message);
    }
    *out = jb;
    if (e->path_len == 0) return true;
    /* An empty value that nothing may be added to is returned before the path is looked at
     * (PostgreSQL does so: '[]' #- '{x}' is [] and not an error). */
    bool adds = e->op != JB_PATH_DELETE && (e->op != JB_PATH_SET || e->create_missing);
    if (c.count == 0 && !adds) return true;
    jb_node node;
    bool changed;
    if (!jb_path_edit_cont(e, &c, 0, &node, &changed)) return false;
    return !changed || jb_node_encode(e->arena, &node, out, e->err);
}

bool sql_jsonb_delete_path(rt_arena *arena, sql_bytes jb, const sql_bytes *path,
                           uint32_t path_len, sql_bytes *out, rt_err *err) {
    jb_path_edit e = {.arena = arena, .path = path, .path_len = path_len, .op = JB_PATH_DELETE,
                      .err = err};
    return jb_path_apply(&e, jb, "cannot delete path in scalar", out);
}

bool sql_jsonb_set(rt_arena *arena, sql_bytes jb, const sql_bytes *path, uint32_t path_len,
                   sql_bytes new_value, bool create_missing, sql_bytes *out, rt_err *err) {
    jb_path_edit e = {.arena = arena, .path = path, .path_len = path_len, .op = JB_PATH_SET,
                      .create_missing = create_missing,
                      .new_value = jb_node_from_datum(new_value), .err = err};
    return jb_path_apply(&e, jb, "cannot set path in scalar", out);
}

bool sql_jsonb_insert(rt_arena *arena, sql_bytes jb, const sql_bytes *path, uint32_t path_len,
                      sql_bytes new_value, bool insert_after, sql_bytes *out, rt_err *err) {
    jb_path_edit e = {.arena = arena, .path = path, .path_len = path_len,
                      .op = insert_after ? JB_PATH_INSERT_AFTER : JB_PATH_INSERT_BEFORE,
                      .new_value = jb_node_from_datum(new_value), .err = err};
    return jb_path_apply(&e, jb, "cannot set path in scalar", out);
}

/* ---- jsonb_strip_nulls ---------------------------------------------------------------------- */

/* Container `c` without object members whose value is null, at any depth; *changed false
 * (and *out untouched) when there were none. */
static bool jb_strip(rt_arena *arena, const jb_cont *c, jb_node *out, bool *changed,
                     rt_err *err) {
    *changed = false;
    jb_node node;
    if (!jb_node_from_cont(arena, c, &node, err)) return false;
    bool object = c->kind == JB_KIND_OBJECT;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < node.len; i++) {
        jb_node *m = object ? &node.u.items[2 * i] : &node.u.items[i];
        jb_node *v = object ? m + 1 : m;
        if (object && v->type == JB_NULL) {
            *changed = true;
            continue;
        }
        if (v->type == JB_CONTAINER) {
            jb_cont inner = jb_cont_open(v->u.bytes);
            jb_node rebuilt;
            bool inner_changed;
            if (!jb_strip(arena, &inner, &rebuilt, &inner_changed, err)) return false;
            if (inner_changed) {
                *v = rebuilt;
                *changed = true;
            }
        }
        if (object) {
            node.u.items[2 * kept] = m[0];
            node.u.items[2 * kept + 1] = m[1];
        } else {
            node.u.items[kept] = m[0];
        }
        kept++;
    }
    node.len = kept;
    *out = node;
    return true;
}

bool sql_jsonb_strip_nulls(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err) {
    jb_cont c = jb_root(jb);
    *out = jb;
    if (c.kind == JB_KIND_SCALAR) return true;
    jb_node node;
    bool changed;
    if (!jb_strip(arena, &c, &node, &changed, err)) return false;
    return !changed || jb_node_encode(arena, &node, out, err);
}
