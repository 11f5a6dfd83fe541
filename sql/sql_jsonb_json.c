/* sql_jsonb_json.c: operators on json (text) values: ->, ->>, #>, #>>, json_typeof and
 * json_array_length.
 *
 * A json value is the text the user wrote, so -> returns a piece of that text (spacing, number
 * spelling and duplicate keys kept; the last duplicate is the one found, as in PostgreSQL).
 * Like PostgreSQL, the whole document is parsed first with escapes given their meaning, so a
 * \u0000 or a lone surrogate anywhere makes the operator fail even when the member asked for
 * is elsewhere. After that check the text is known to be valid and a light scanner that only
 * matches brackets and skips strings finds members. */
#include "sql/sql_jsonb_int.h"

static const sql_bytes JJ_SQL_NULL = {NULL, 0};

uint32_t jj_string_end(const uint8_t *s, uint32_t len, uint32_t i) {
    for (i++; i < len && s[i] != '"'; i++) {
        if (s[i] == '\\') i++;
    }
    return i < len ? i + 1 : len;
}

uint32_t jj_value_end(const uint8_t *s, uint32_t len, uint32_t i) {
    if (i >= len) return len;
    if (s[i] == '"') return jj_string_end(s, len, i);
    if (s[i] != '{' && s[i] != '[') {
        while (i < len && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != ':' &&
               s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            i++;
        }
        return i;
    }
    uint32_t depth = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c == '"') {
            i = jj_string_end(s, len, i);
            continue;
        }
        if (c == '{' || c == '[') depth++;
        if (c == '}' || c == ']') depth--;
        i++;
        if (depth == 0) break;
    }
    return i;
}

/* A string token [start, end) unescaped: the bytes in place when it has no escape. */
static bool jj_unescape(rt_arena *arena, const uint8_t *s, uint32_t start, uint32_t end,
                        sql_bytes *out, rt_err *err) {
    if (memchr(s + start, '\\', end - start) == NULL) {
        *out = (sql_bytes){s + start + 1, end - start - 2};
        return true;
    }
    jb_node node;
    if (!jb_parse(arena, (const char *)s + start, end - start, JB_PARSE_JSONB, &node, err)) {
        return false;
    }
    *out = (sql_bytes){node.u.bytes, node.len};
    return true;
}

/* Elements of the array at s[i] ('['): their count, and the span of element `want` if it
 * exists (want < 0 counts only). */
static uint32_t jj_array_scan(const uint8_t *s, uint32_t len, uint32_t i, int64_t want,
                              uint32_t *vs, uint32_t *ve) {
    uint32_t count = 0;
    i = jj_ws(s, len, i + 1);
    if (i < len && s[i] == ']') return 0;
    while (i < len) {
        uint32_t v_end = jj_value_end(s, len, i);
        if (count == want) {
            *vs = i;
            *ve = v_end;
        }
        count++;
        i = jj_ws(s, len, v_end);
        if (i >= len || s[i] != ',') break;
        i = jj_ws(s, len, i + 1);
    }
    return count;
}

/* Element `index` (negative: from the end) of the array at s[i]. */
static bool jj_array_element(const uint8_t *s, uint32_t len, uint32_t i, int64_t index,
                             uint32_t *vs, uint32_t *ve) {
    if (index < 0) {
        index += jj_array_scan(s, len, i, -1, vs, ve);
        if (index < 0) return false;
    }
    return (int64_t)jj_array_scan(s, len, i, index, vs, ve) > index;
}

/* The value s[vs, ve) as -> (json text) or ->> (strings unescaped, null as SQL NULL). */
static bool jj_result(rt_arena *arena, const uint8_t *s, uint32_t vs, uint32_t ve, bool as_text,
                      sql_bytes *out, rt_err *err) {
    if (as_text && s[vs] == '"') return jj_unescape(arena, s, vs, ve, out, err);
    if (as_text && s[vs] == 'n') {
        *out = JJ_SQL_NULL;
        return true;
    }
    *out = (sql_bytes){s + vs, ve - vs};
    return true;
}

/* The operators' check of the whole document (see the file comment). */
static bool jj_check(sql_bytes json, rt_err *err) {
    return jb_parse(NULL, (const char *)json.ptr, json.len, JB_PARSE_JSON_UNESCAPE, NULL, err);
}

/* The path search: what PostgreSQL's streaming parser finds. Every member whose key matches
 * is followed, in document order, and the last value where the whole path matched is the
 * result ({"a":{"b":1},"a":3} #> '{a,b}' is 1, but -> 'a' is 3). Depth is bounded by the
 * parse that checked the document. */
typedef struct jj_search {
    rt_arena *arena;
    const uint8_t *s;
    uint32_t len;
    const sql_bytes *path;
    uint32_t path_len;
    bool found;
    uint32_t vs; /* the match: s[vs, ve) */
    uint32_t ve;
    rt_err *err;
} jj_search;

static bool jj_find(jj_search *q, uint32_t vs, uint32_t ve, uint32_t level) {
    if (level == q->path_len) {
        q->found = true;
        q->vs = vs;
        q->ve = ve;
        return true;
    }
    sql_bytes want = q->path[level];
    const uint8_t *s = q->s;
    if (sql_jsonb_is_null(want)) return true;
    if (s[vs] == '[') {
        int32_t index;
        uint32_t es, ee;
        if (!jb_path_index(want, &index) || !jj_array_element(s, q->len, vs, index, &es, &ee)) {
            return true;
        }
        return jj_find(q, es, ee, level + 1);
    }
    if (s[vs] != '{') return true;
    uint32_t i = jj_ws(s, q->len, vs + 1);
    while (i < q->len && s[i] == '"') {
        uint32_t key_end = jj_string_end(s, q->len, i);
        sql_bytes name;
        if (!jj_unescape(q->arena, s, i, key_end, &name, q->err)) return false;
        uint32_t v = jj_ws(s, q->len, jj_ws(s, q->len, key_end) + 1); /* past ':' */
        uint32_t v_end = jj_value_end(s, q->len, v);
        if (name.len == want.len && memcmp(name.ptr, want.ptr, want.len) == 0 &&
            !jj_find(q, v, v_end, level + 1)) {
            return false;
        }
        i = jj_ws(s, q->len, v_end);
        if (i >= q->len || s[i] != ',') break;
        i = jj_ws(s, q->len, i + 1);
    }
    return true;
}

bool sql_json_extract_path(rt_arena *arena, sql_bytes json, const sql_bytes *path,
                           uint32_t path_len, bool as_text, sql_bytes *out, rt_err *err) {
    if (!jj_check(json, err)) return false;
    jj_search q = {.arena = arena, .s = json.ptr, .len = json.len, .path = path,
                   .path_len = path_len, .err = err};
    uint32_t vs = jj_ws(json.ptr, json.len, 0);
    if (!jj_find(&q, vs, jj_value_end(json.ptr, json.len, vs), 0)) return false;
    *out = JJ_SQL_NULL;
    return !q.found || jj_result(arena, json.ptr, q.vs, q.ve, as_text, out, err);
}

bool sql_json_object_field(rt_arena *arena, sql_bytes json, const char *key, uint32_t key_len,
                           bool as_text, sql_bytes *out, rt_err *err) {
    const uint8_t *s = json.ptr;
    uint32_t i = jj_ws(s, json.len, 0);
    if (i < json.len && s[i] != '{') { /* -> on an array or scalar: NULL (after the check) */
        *out = JJ_SQL_NULL;
        return jj_check(json, err);
    }
    sql_bytes path = {(const uint8_t *)key, key_len};
    return sql_json_extract_path(arena, json, &path, 1, as_text, out, err);
}

bool sql_json_array_element(rt_arena *arena, sql_bytes json, int32_t index, bool as_text,
                            sql_bytes *out, rt_err *err) {
    if (!jj_check(json, err)) return false;
    const uint8_t *s = json.ptr;
    uint32_t i = jj_ws(s, json.len, 0), vs, ve;
    *out = JJ_SQL_NULL;
    if (s[i] != '[' || !jj_array_element(s, json.len, i, index, &vs, &ve)) return true;
    return jj_result(arena, s, vs, ve, as_text, out, err);
}

const char *sql_json_typeof(sql_bytes json) {
    uint32_t i = jj_ws(json.ptr, json.len, 0);
    switch (i < json.len ? json.ptr[i] : 'n') {
    case '{':
        return "object";
    case '[':
        return "array";
    case '"':
        return "string";
    case 't':
    case 'f':
        return "boolean";
    case 'n':
        return "null";
    default:
        return "number";
    }
}

bool sql_json_array_length(sql_bytes json, int32_t *out, rt_err *err) {
    if (!jb_parse(NULL, (const char *)json.ptr, json.len, JB_PARSE_JSON, NULL, err)) return false;
    const uint8_t *s = json.ptr;
    uint32_t i = jj_ws(s, json.len, 0), vs, ve;
    if (s[i] == '[') {
        *out = (int32_t)jj_array_scan(s, json.len, i, -1, &vs, &ve);
        return true;
    }
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot get array length of %s",
                      s[i] == '{' ? "a non-array" : "a scalar");
}
