/* sql_jsonb_out.c: jsonb as text: jsonb_out's `{"a": 1, "b": [1, 2]}` and jsonb_pretty's
 * indented form, with PostgreSQL's string escapes. */
#include "sql/sql_jsonb_int.h"

static const char jb_hex_digits[] = "0123456789abcdef";

/* Bytes that need an escape: quote, backslash and the C0 controls. */
static inline bool jb_needs_escape(uint8_t c) { return c < 0x20 || c == '"' || c == '\\'; }

void jb_buf_json_string(jb_buf *b, const uint8_t *s, uint32_t len) {
    jb_buf_char(b, '"');
    uint32_t run = 0; /* start of the bytes not yet appended */
    for (uint32_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (RT_LIKELY(!jb_needs_escape(c))) continue;
        jb_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0};
        uint32_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = jb_hex_digits[c >> 4];
            esc[5] = jb_hex_digits[c & 15];
            n = 6;
        }
        jb_buf_append(b, esc, n);
    }
    jb_buf_append(b, s + run, len - run);
    jb_buf_char(b, '"');
}

static void jb_buf_scalar(jb_buf *b, jb_val v) {
    switch (v.type) {
    case JB_NULL:
        jb_buf_append(b, "null", 4);
        break;
    case JB_FALSE:
        jb_buf_append(b, "false", 5);
        break;
    case JB_TRUE:
        jb_buf_append(b, "true", 4);
        break;
    case JB_STRING:
        jb_buf_json_string(b, v.ptr, v.len);
        break;
    default:
        RT_ASSERT(v.type == JB_NUMBER);
        jb_buf_append(b, v.ptr, v.len);
        break;
    }
}

/* `indent` < 0: jsonb_out's one-line form; else jsonb_pretty at that depth. */
static void jb_buf_value_at(jb_buf *b, jb_val v, int indent) {
    if (v.type != JB_CONTAINER) {
        jb_buf_scalar(b, v);
        return;
    }
    jb_cont c = jb_cont_open(v.ptr);
    if (c.kind == JB_KIND_SCALAR) {
        jb_buf_scalar(b, jb_scalar_value(&c));
        return;
    }
    bool object = c.kind == JB_KIND_OBJECT;
    jb_buf_char(b, object ? '{' : '[');
    for (uint32_t i = 0; i < c.count && !b->failed; i++) {
        if (indent >= 0) {
            if (i > 0) jb_buf_char(b, ',');
            jb_buf_char(b, '\n');
            for (int k = 0; k <= indent; k++) jb_buf_append(b, "    ", 4);
        } else if (i > 0) {
            jb_buf_append(b, ", ", 2);
        }
        if (object) {
            jb_buf_scalar(b, jb_cont_get(&c, i));
            jb_buf_append(b, ": ", 2);
            jb_buf_value_at(b, jb_cont_get(&c, c.count + i), indent < 0 ? indent : indent + 1);
        } else {
            jb_buf_value_at(b, jb_cont_get(&c, i), indent < 0 ? indent : indent + 1);
        }
    }
    if (indent >= 0) {
        /* Even an empty container gets its closing bracket on a line of its own. */
        jb_buf_char(b, '\n');
        for (int k = 0; k < indent; k++) jb_buf_append(b, "    ", 4);
    }
    jb_buf_char(b, object ? '}' : ']');
}

void jb_buf_value(jb_buf *b, jb_val v) { jb_buf_value_at(b, v, -1); }

static jb_val jb_datum_val(sql_bytes jb) {
    return (jb_val){.type = JB_CONTAINER, .len = jb.len, .ptr = jb.ptr};
}

bool sql_jsonb_to_text(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err) {
    jb_buf b;
    jb_buf_init(&b, arena, jb.len + jb.len / 4 + 16);
    jb_buf_value(&b, jb_datum_val(jb));
    return jb_buf_finish(&b, out, err);
}

bool sql_jsonb_pretty(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err) {
    jb_buf b;
    jb_buf_init(&b, arena, jb.len * 2 + 16);
    jb_buf_value_at(&b, jb_datum_val(jb), 0);
    return jb_buf_finish(&b, out, err);
}

bool sql_jsonb_to_wire(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err) {
    jb_buf b;
    jb_buf_init(&b, arena, jb.len + jb.len / 4 + 16);
    jb_buf_char(&b, 1);
    jb_buf_value(&b, jb_datum_val(jb));
    return jb_buf_finish(&b, out, err);
}
