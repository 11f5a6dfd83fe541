/* sql_jsonb_build.c: jsonb and json values built from SQL values: to_jsonb, jsonb_build_object,
 * jsonb_build_array, json_build_object, json_build_array, the builder API and the aggregates
 * (jsonb_agg, jsonb_object_agg, json_agg, json_object_agg).
 *
 * SQL values arrive as (type, text in PostgreSQL's output format). PostgreSQL maps them by
 * category: numbers stay numbers (but NaN and the infinities, which JSON cannot spell, become
 * strings), booleans become true/false, json and jsonb are embedded, timestamps are written in
 * ISO 8601 with a "T" and a full "+HH:MM" offset, and everything else becomes a string. */
#include "sql/sql_jsonb_int.h"

/* Builder and aggregate value lists start this large and double. */
#define JB_LIST_INITIAL 16

/* ---- categories of SQL types -------------------------------------------------------------- */

typedef enum jb_category {
    JB_CAT_NUMBER,
    JB_CAT_BOOL,
    JB_CAT_JSON,
    JB_CAT_JSONB,
    JB_CAT_TIMESTAMP,   /* "T" between date and time */
    JB_CAT_TIMESTAMPTZ, /* and the offset as +HH:MM */
    JB_CAT_COMPOSITE,   /* arrays and records: not allowed as object keys */
    JB_CAT_TEXT,
} jb_category;

static jb_category jb_category_of(uint32_t type_oid) {
    switch (type_oid) {
    case SQL_T_INT2:
    case SQL_T_INT4:
    case SQL_T_INT8:
    case SQL_T_FLOAT4:
    case SQL_T_FLOAT8:
    case SQL_T_NUMERIC:
        return JB_CAT_NUMBER;
    case SQL_T_BOOL:
        return JB_CAT_BOOL;
    case SQL_T_JSON:
        return JB_CAT_JSON;
    case SQL_T_JSONB:
        return JB_CAT_JSONB;
    case SQL_T_TIMESTAMP:
        return JB_CAT_TIMESTAMP;
    case SQL_T_TIMESTAMPTZ:
        return JB_CAT_TIMESTAMPTZ;
    case SQL_T_RECORD:
    case SQL_T_RECORD_ARRAY:
    case SQL_T_ANYARRAY:
        return JB_CAT_COMPOSITE;
    default:
        break;
    }
    /* The built-in array types (their OIDs are scattered). */
    static const uint32_t arrays[] = {
        SQL_T_BOOL_ARRAY,     SQL_T_BYTEA_ARRAY,       SQL_T_CHAR_ARRAY,   SQL_T_NAME_ARRAY,
        SQL_T_INT2_ARRAY,     SQL_T_INT2VECTOR_ARRAY,  SQL_T_INT4_ARRAY,   SQL_T_REGPROC_ARRAY,
        SQL_T_TEXT_ARRAY,     SQL_T_OID_ARRAY,         SQL_T_BPCHAR_ARRAY, SQL_T_VARCHAR_ARRAY,
        SQL_T_INT8_ARRAY,     SQL_T_FLOAT4_ARRAY,      SQL_T_FLOAT8_ARRAY, SQL_T_ACLITEM_ARRAY,
        SQL_T_TIMESTAMP_ARRAY, SQL_T_DATE_ARRAY,       SQL_T_TIME_ARRAY,
        SQL_T_TIMESTAMPTZ_ARRAY, SQL_T_INTERVAL_ARRAY, SQL_T_NUMERIC_ARRAY,
        SQL_T_TIMETZ_ARRAY,   SQL_T_BIT_ARRAY,         SQL_T_VARBIT_ARRAY, SQL_T_CSTRING_ARRAY,
        SQL_T_REGTYPE_ARRAY,  SQL_T_REGCLASS_ARRAY,    SQL_T_UUID_ARRAY,   SQL_T_JSON_ARRAY,
        SQL_T_JSONB_ARRAY,    SQL_T_VECTOR_ARRAY,      SQL_T_INET_ARRAY,   SQL_T_CIDR_ARRAY,
    };
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        if (arrays[i] == type_oid) return JB_CAT_COMPOSITE;
    }
    return JB_CAT_TEXT;
}

/* NaN and the infinities print as words, which JSON numbers cannot be. */
static bool jb_number_is_word(sql_bytes v) {
    return v.len > 0 && (v.ptr[0] == 'N' || v.ptr[0] == 'I' || (v.ptr[0] == '-' && v.len > 1 &&
                                                                 v.ptr[1] == 'I'));
}

/* A timestamp in PostgreSQL's JSON form: "2020-01-02 03:04:05+00" becomes
 * "2020-01-02T03:04:05+00:00" (the offset gains minutes only for timestamptz). Words like
 * "infinity" and a trailing " BC" are kept. */
static bool jb_timestamp_text(rt_arena *arena, sql_bytes v, bool with_zone, sql_bytes *out,
                              rt_err *err) {
    const uint8_t *space = memchr(v.ptr, ' ', v.len);
    if (v.len == 0 || v.ptr[0] < '0' || v.ptr[0] > '9' || space == NULL) {
        *out = v;
        return true;
    }
    uint8_t *p = rt_arena_alloc(arena, (size_t)v.len + 3);
    if (p == NULL) return rt_arena_fail(arena, err);
    memcpy(p, v.ptr, v.len);
    uint32_t t = (uint32_t)(space - v.ptr);
    p[t] = 'T';
    uint32_t len = v.len;
    if (with_zone) {
        uint32_t z = t + 1;
        while (z < len && p[z] != '+' && p[z] != '-') z++;
        uint32_t end = z;
        while (end < len && p[end] != ' ') end++;
        if (z < len && end - z == 3) { /* "+HH": add ":00" before anything after it */
            memmove(p + end + 3, p + end, len - end);
            memcpy(p + end, ":00", 3);
            len += 3;
        }
    }
    *out = (sql_bytes){p, len};
    return true;
}

/* ---- SQL values as jsonb nodes -------------------------------------------------------------- */

/* to_jsonb's conversion of one SQL value. Nodes may point into arg->value. */
static bool jb_arg_node(rt_arena *arena, const sql_json_arg *arg, jb_node *out, rt_err *err) {
    if (arg->is_null) {
        *out = jb_node_scalar(JB_NULL, NULL, 0);
        return true;
    }
    sql_bytes v = arg->value;
    switch (jb_category_of(arg->type_oid)) {
    case JB_CAT_JSONB:
        *out = jb_node_from_datum(v);
        return true;
    case JB_CAT_JSON:
        return jb_parse(arena, (const char *)v.ptr, v.len, JB_PARSE_JSONB, out, err);
    case JB_CAT_BOOL:
        *out = jb_node_scalar(v.len > 0 && v.ptr[0] == 't' ? JB_TRUE : JB_FALSE, NULL, 0);
        return true;
    case JB_CAT_NUMBER:
        if (jb_number_is_word(v)) break;
        if (!sql_jsonb_number_canonical(arena, (const char *)v.ptr, v.len, &v, err)) return false;
        *out = jb_node_scalar(JB_NUMBER, v.ptr, v.len);
        return true;
    case JB_CAT_TIMESTAMP:
    case JB_CAT_TIMESTAMPTZ:
        if (!jb_timestamp_text(arena, v, arg->type_oid == SQL_T_TIMESTAMPTZ, &v, err)) {
            return false;
        }
        break;
    default:
        break;
    }
    *out = jb_node_scalar(JB_STRING, v.ptr, v.len);
    return true;
}

/* An object key from an SQL value: its text (booleans as true/false, timestamps in JSON
 * form). `argument` (1-based, 0 = none) names it in the NULL-key error of the build
 * functions; aggregates report their own message. */
static bool jb_arg_key(rt_arena *arena, const sql_json_arg *arg, uint32_t argument, bool json,
                       sql_bytes *out, rt_err *err) {
    if (arg->is_null) {
        if (argument == 0) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "field name must not be null");
        }
        if (json) {
            rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "argument %u cannot be null",
                       argument);
            rt_err_hint(err, "Object keys should be text.");
            return false;
        }
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "argument %u: key must not be null", argument);
    }
    jb_category cat = jb_category_of(arg->type_oid);
    if (cat == JB_CAT_COMPOSITE || cat == JB_CAT_JSON || cat == JB_CAT_JSONB) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "key value must be scalar, not array, composite, or json");
    }
    *out = arg->value;
    if (cat == JB_CAT_BOOL) {
        bool t = out->len > 0 && out->ptr[0] == 't';
        *out = (sql_bytes){(const uint8_t *)(t ? "true" : "false"), t ? 4u : 5u};
    } else if (cat == JB_CAT_TIMESTAMP || cat == JB_CAT_TIMESTAMPTZ) {
        return jb_timestamp_text(arena, arg->value, cat == JB_CAT_TIMESTAMPTZ, out, err);
    }
    return true;
}

/* ---- SQL values as json text ---------------------------------------------------------------- */

/* json_build_object's rendering of one SQL value. */
static bool jb_buf_arg_json(jb_buf *b, const sql_json_arg *arg, rt_err *err) {
    if (arg->is_null) {
        jb_buf_append(b, "null", 4);
        return true;
    }
    sql_bytes v = arg->value;
    switch (jb_category_of(arg->type_oid)) {
    case JB_CAT_JSON:
        jb_buf_append(b, v.ptr, v.len); /* json is embedded as the user wrote it */
        return true;
    case JB_CAT_JSONB:
        jb_buf_value(b, (jb_val){.type = JB_CONTAINER, .len = v.len, .ptr = v.ptr});
        return true;
    case JB_CAT_BOOL:
        jb_buf_str(b, v.len > 0 && v.ptr[0] == 't' ? "true" : "false");
        return true;
    case JB_CAT_NUMBER:
        if (jb_number_is_word(v)) break;
        jb_buf_append(b, v.ptr, v.len); /* kept as written: 1e+20 stays 1e+20 */
        return true;
    case JB_CAT_TIMESTAMP:
    case JB_CAT_TIMESTAMPTZ:
        if (!jb_timestamp_text(b->arena, v, arg->type_oid == SQL_T_TIMESTAMPTZ, &v, err)) {
            return false;
        }
        break;
    default:
        break;
    }
    jb_buf_json_string(b, v.ptr, v.len);
    return true;
}

/* ---- to_jsonb and the build functions -------------------------------------------------------- */

bool sql_jsonb_from_arg(rt_arena *arena, const sql_json_arg *arg, sql_bytes *out, rt_err *err) {
    jb_node node;
    if (!jb_arg_node(arena, arg, &node, err)) return false;
    return jb_node_encode(arena, &node, out, err);
}

static bool jb_odd_arguments(const char *fn, rt_err *err) {
    rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
               "argument list must have even number of elements");
    rt_err_hint(err, "The arguments of %s() must consist of alternating keys and values.", fn);
    return false;
}

bool sql_jsonb_build_object(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                            sql_bytes *out, rt_err *err) {
    if (arg_count % 2 != 0) return jb_odd_arguments("jsonb_build_object", err);
    uint32_t pairs = arg_count / 2;
    jb_node *items = rt_arena_alloc(arena, sizeof(jb_node) * (size_t)(arg_count + 1));
    if (items == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; i < pairs; i++) {
        sql_bytes key;
        if (!jb_arg_key(arena, &args[2 * i], 2 * i + 1, false, &key, err)) return false;
        items[2 * i] = jb_node_scalar(JB_STRING, key.ptr, key.len);
        if (!jb_arg_node(arena, &args[2 * i + 1], &items[2 * i + 1], err)) return false;
    }
    jb_node node = {.type = JB_NODE_OBJECT, .len = pairs, .u.items = items};
    if (!jb_node_object_normalize(arena, &node, err)) return false;
    return jb_node_encode(arena, &node, out, err);
}

bool sql_jsonb_build_array(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                           sql_bytes *out, rt_err *err) {
    jb_node *items = rt_arena_alloc(arena, sizeof(jb_node) * (size_t)(arg_count + 1));
    if (items == NULL) return rt_arena_fail(arena, err);
    for (uint32_t i = 0; i < arg_count; i++) {
        if (!jb_arg_node(arena, &args[i], &items[i], err)) return false;
    }
    jb_node node = {.type = JB_NODE_ARRAY, .len = arg_count, .u.items = items};
    return jb_node_encode(arena, &node, out, err);
}

bool sql_json_build_object(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                           sql_bytes *out, rt_err *err) {
    if (arg_count % 2 != 0) return jb_odd_arguments("json_build_object", err);
    jb_buf b;
    jb_buf_init(&b, arena, 64);
    jb_buf_char(&b, '{');
    for (uint32_t i = 0; i < arg_count; i += 2) {
        sql_bytes key;
        if (!jb_arg_key(arena, &args[i], i + 1, true, &key, err)) return false;
        if (i > 0) jb_buf_append(&b, ", ", 2);
        jb_buf_json_string(&b, key.ptr, key.len);
        jb_buf_append(&b, " : ", 3);
        if (!jb_buf_arg_json(&b, &args[i + 1], err)) return false;
    }
    jb_buf_char(&b, '}');
    return jb_buf_finish(&b, out, err);
}

bool sql_json_build_array(rt_arena *arena, const sql_json_arg *args, uint32_t arg_count,
                          sql_bytes *out, rt_err *err) {
    jb_buf b;
    jb_buf_init(&b, arena, 64);
    jb_buf_char(&b, '[');
    for (uint32_t i = 0; i < arg_count; i++) {
        if (i > 0) jb_buf_append(&b, ", ", 2);
        if (!jb_buf_arg_json(&b, &args[i], err)) return false;
    }
    jb_buf_char(&b, ']');
    return jb_buf_finish(&b, out, err);
}

/* ---- node lists ------------------------------------------------------------------------------ */

typedef struct jb_list {
    jb_node *items;
    uint32_t count;
    uint32_t cap;
} jb_list;

static bool jb_list_push(rt_arena *arena, jb_list *l, jb_node node, rt_err *err) {
    if (l->count == l->cap) {
        if (l->cap >= 2 * SQL_JSONB_COUNT_MAX) return jb_too_big(err);
        uint32_t cap = l->cap == 0 ? JB_LIST_INITIAL : 2 * l->cap;
        jb_node *grown = rt_arena_alloc(arena, sizeof(jb_node) * (size_t)cap);
        if (grown == NULL) return rt_arena_fail(arena, err);
        if (l->count > 0) memcpy(grown, l->items, sizeof(jb_node) * l->count);
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = node;
    return true;
}

/* Replaces the nodes from `base` on with one container holding them. */
static bool jb_list_close(rt_arena *arena, jb_list *l, uint32_t base, bool object,
                          rt_err *err) {
    uint32_t n = l->count - base;
    jb_node node = {.type = object ? JB_NODE_OBJECT : JB_NODE_ARRAY, .len = object ? n / 2 : n};
    node.u.items = rt_arena_alloc(arena, sizeof(jb_node) * (size_t)(n + 1));
    if (node.u.items == NULL) return rt_arena_fail(arena, err);
    memcpy(node.u.items, l->items + base, sizeof(jb_node) * n);
    if (object && !jb_node_object_normalize(arena, &node, err)) return false;
    l->count = base;
    return jb_list_push(arena, l, node, err);
}

/* ---- the builder ----------------------------------------------------------------------------- */

struct sql_jsonb_builder {
    rt_arena *arena;
    jb_list nodes;
    uint32_t frames[SQL_JSONB_DEPTH_MAX]; /* (first node << 1) | is_object */
    uint32_t depth;
    bool key_pending;
};

sql_jsonb_builder *sql_jsonb_builder_create(rt_arena *arena) {
    sql_jsonb_builder *b = rt_arena_zalloc(arena, sizeof *b);
    if (b != NULL) b->arena = arena;
    return b;
}

/* A value may go where no container is open (once), after a key, or into an array. */
static void jb_builder_check_value_slot(const sql_jsonb_builder *b) {
    if (b->depth == 0) {
        RT_ASSERT(b->nodes.count == 0);
    } else if ((b->frames[b->depth - 1] & 1) != 0) {
        RT_ASSERT(b->key_pending);
    }
}

static bool jb_builder_begin(sql_jsonb_builder *b, bool object, rt_err *err) {
    jb_builder_check_value_slot(b);
    if (b->depth == SQL_JSONB_DEPTH_MAX) return jb_too_deep(err);
    b->frames[b->depth++] = b->nodes.count << 1 | (object ? 1u : 0u);
    b->key_pending = false;
    return true;
}

bool sql_jsonb_builder_begin_object(sql_jsonb_builder *b, rt_err *err) {
    return jb_builder_begin(b, true, err);
}

bool sql_jsonb_builder_begin_array(sql_jsonb_builder *b, rt_err *err) {
    return jb_builder_begin(b, false, err);
}

bool sql_jsonb_builder_end(sql_jsonb_builder *b, rt_err *err) {
    RT_ASSERT(b->depth > 0);
    RT_ASSERT(!b->key_pending);
    uint32_t frame = b->frames[--b->depth];
    if (!jb_list_close(b->arena, &b->nodes, frame >> 1, (frame & 1) != 0, err)) return false;
    b->key_pending = false;
    return true;
}

bool sql_jsonb_builder_key(sql_jsonb_builder *b, const char *key, uint32_t key_len,
                           rt_err *err) {
    RT_ASSERT(b->depth > 0 && (b->frames[b->depth - 1] & 1) != 0);
    RT_ASSERT(!b->key_pending);
    char *copy = rt_arena_strndup(b->arena, key, key_len);
    if (copy == NULL) return rt_arena_fail(b->arena, err);
    if (!jb_list_push(b->arena, &b->nodes, jb_node_scalar(JB_STRING, copy, key_len), err)) {
        return false;
    }
    b->key_pending = true;
    return true;
}

bool sql_jsonb_builder_value(sql_jsonb_builder *b, const sql_json_arg *value, rt_err *err) {
    jb_builder_check_value_slot(b);
    jb_node node;
    if (!jb_arg_node(b->arena, value, &node, err)) return false;
    if (!jb_list_push(b->arena, &b->nodes, node, err)) return false;
    b->key_pending = false;
    return true;
}

bool sql_jsonb_builder_finish(sql_jsonb_builder *b, sql_bytes *out, rt_err *err) {
    RT_ASSERT(b->depth == 0 && b->nodes.count == 1);
    return jb_node_encode(b->arena, &b->nodes.items[0], out, err);
}

/* ---- aggregates ------------------------------------------------------------------------------ */

struct sql_json_agg {
    rt_arena *arena;
    bool object;
    bool json;
    uint64_t rows;
    jb_list nodes; /* jsonb: the members so far */
    jb_buf text;   /* json: the text so far */
};

sql_json_agg *sql_json_agg_create(rt_arena *arena, bool object, bool json) {
    sql_json_agg *agg = rt_arena_zalloc(arena, sizeof *agg);
    if (agg == NULL) return NULL;
    agg->arena = arena;
    agg->object = object;
    agg->json = json;
    if (json) jb_buf_init(&agg->text, arena, 256);
    return agg;
}

/* Rows come from batches that are freed before the aggregate ends: keep a copy. */
static bool jb_agg_own(sql_json_agg *agg, const sql_json_arg *arg, sql_json_arg *copy,
                       rt_err *err) {
    *copy = *arg;
    if (arg->is_null || arg->value.len == 0) return true;
    uint8_t *p = rt_arena_alloc(agg->arena, arg->value.len);
    if (p == NULL) return rt_arena_fail(agg->arena, err);
    memcpy(p, arg->value.ptr, arg->value.len);
    copy->value.ptr = p;
    return true;
}

bool sql_json_agg_add(sql_json_agg *agg, const sql_json_arg *value, rt_err *err) {
    RT_ASSERT(!agg->object);
    if (agg->json) {
        jb_buf_append(&agg->text, agg->rows == 0 ? "[" : ", ", agg->rows == 0 ? 1 : 2);
        if (agg->rows > 0 && value->structured) jb_buf_append(&agg->text, "\n ", 2);
        agg->rows++;
        return jb_buf_arg_json(&agg->text, value, err);
    }
    sql_json_arg own;
    jb_node node;
    if (!jb_agg_own(agg, value, &own, err) || !jb_arg_node(agg->arena, &own, &node, err)) {
        return false;
    }
    agg->rows++;
    return jb_list_push(agg->arena, &agg->nodes, node, err);
}

bool sql_json_agg_add_pair(sql_json_agg *agg, const sql_json_arg *key,
                           const sql_json_arg *value, rt_err *err) {
    RT_ASSERT(agg->object);
    sql_json_arg own_key, own_value;
    if (!jb_agg_own(agg, key, &own_key, err)) return false;
    sql_bytes k;
    if (!jb_arg_key(agg->arena, &own_key, 0, agg->json, &k, err)) return false;
    if (agg->json) {
        jb_buf_append(&agg->text, agg->rows == 0 ? "{ " : ", ", 2);
        agg->rows++;
        jb_buf_json_string(&agg->text, k.ptr, k.len);
        jb_buf_append(&agg->text, " : ", 3);
        return jb_buf_arg_json(&agg->text, value, err);
    }
    jb_node node;
    if (!jb_agg_own(agg, value, &own_value, err) ||
        !jb_arg_node(agg->arena, &own_value, &node, err)) {
        return false;
    }
    agg->rows++;
    if (!jb_list_push(agg->arena, &agg->nodes, jb_node_scalar(JB_STRING, k.ptr, k.len), err)) {
        return false;
    }
    return jb_list_push(agg->arena, &agg->nodes, node, err);
}

bool sql_json_agg_finish(sql_json_agg *agg, sql_bytes *out, rt_err *err) {
    if (agg->rows == 0) {
        *out = (sql_bytes){NULL, 0};
        return true;
    }
    if (agg->json) {
        jb_buf_str(&agg->text, agg->object ? " }" : "]");
        return jb_buf_finish(&agg->text, out, err);
    }
    if (!jb_list_close(agg->arena, &agg->nodes, 0, agg->object, err)) return false;
    return jb_node_encode(agg->arena, &agg->nodes.items[0], out, err);
}
