/* sql_type_array.c: array encoding, text and binary I/O, comparison, hashing; int2vector and
 * oidvector (space-separated text forms of int2[] / oid[] with lower bound 0). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/sql_array.h"
#include "sql/sql_types_int.h"

#define SQL_ARRAY_HEADER_BYTES 8u

/* ---- views and iteration ---- */

void sql_array_view_of(const sql_bytes *b, sql_array_view *v) {
    memset(v, 0, sizeof *v);
    if (b->len < SQL_ARRAY_HEADER_BYTES) { /* an empty array written as 0 bytes */
        v->data = v->end = b->ptr;
        return;
    }
    v->ndim = b->ptr[0];
    v->has_nulls = b->ptr[1] != 0;
    memcpy(&v->elem_oid, b->ptr + 4, 4);
    RT_ASSERT(v->ndim <= SQL_ARRAY_DIMS_MAX);
    const uint8_t *p = b->ptr + SQL_ARRAY_HEADER_BYTES;
    v->nitems = v->ndim > 0 ? 1 : 0;
    for (uint32_t i = 0; i < v->ndim; i++) {
        memcpy(&v->dims[i], p, 4);
        memcpy(&v->lbounds[i], p + 4, 4);
        p += 8;
        v->nitems *= (uint32_t)v->dims[i];
    }
    v->data = p;
    v->end = b->ptr + b->len;
}

void sql_array_iter_init(sql_array_iter *it, const sql_array_view *v) {
    it->view = v;
    it->pos = v->data;
    it->index = 0;
    it->phys = sql_phys_of_type(v->elem_oid);
}

bool sql_array_iter_next(sql_array_iter *it, sql_value *elem) {
    if (it->index >= it->view->nitems) return false;
    elem->type_oid = it->view->elem_oid;
    elem->is_null = false;
    if (it->view->has_nulls) elem->is_null = *it->pos++ != 0;
    if (!elem->is_null) {
        if (it->phys == SQL_PHYS_BYTES) {
            uint32_t len;
            memcpy(&len, it->pos, 4);
            elem->b = (sql_bytes){.ptr = it->pos + 4, .len = len};
            it->pos += 4 + len;
        } else {
            memcpy(&elem->i64, it->pos, 8);
            it->pos += 8;
        }
    }
    it->index++;
    return true;
}

void sql_array_get(const sql_array_view *v, uint32_t index, sql_value *out) {
    sql_array_iter it;
    sql_array_iter_init(&it, v);
    out->is_null = true;
    out->type_oid = v->elem_oid;
    while (sql_array_iter_next(&it, out)) {
        if (it.index == index + 1) return;
    }
    out->is_null = true;
}

/* ---- building ---- */

bool sql_array_builder_init(sql_array_builder *b, rt_arena *arena, uint32_t elem_oid) {
    memset(b, 0, sizeof *b);
    b->arena = arena;
    b->elem_oid = elem_oid;
    sql_strbuf_init(&b->items, arena, 256);
    return !b->items.failed;
}

bool sql_array_builder_add(sql_array_builder *b, const sql_value *elem) {
    if (b->count >= SQL_ARRAY_ITEMS_MAX) return false;
    if (b->count == b->null_cap) {
        uint32_t cap = b->null_cap == 0 ? 64 : b->null_cap * 2;
        b->null_flags = rt_arena_grow(b->arena, b->null_flags, b->null_cap, cap);
        if (b->null_flags == NULL) return false;
        b->null_cap = cap;
    }
    b->null_flags[b->count++] = elem->is_null;
    if (elem->is_null) {
        b->has_nulls = true;
        return true;
    }
    if (sql_phys_of_type(b->elem_oid) == SQL_PHYS_BYTES) {
        sql_strbuf_append(&b->items, &elem->b.len, 4);
        sql_strbuf_append(&b->items, elem->b.ptr, elem->b.len);
    } else {
        sql_strbuf_append(&b->items, &elem->i64, 8);
    }
    return !b->items.failed;
}

bool sql_array_builder_finish_dims(sql_array_builder *b, uint32_t ndim, const int32_t *dims,
                                   const int32_t *lbounds, sql_bytes *out, rt_err *err) {
    if (b->count == 0) ndim = 0;
    uint64_t total = SQL_ARRAY_HEADER_BYTES + 8ull * ndim + b->items.len +
                     (b->has_nulls ? b->count : 0);
    if (total > SQL_VALUE_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "array size exceeds the maximum allowed (%u bytes)",
                          SQL_VALUE_BYTES_MAX);
    }
    uint8_t *p = rt_arena_alloc(b->arena, total);
    if (p == NULL) return rt_arena_fail(b->arena, err);
    memset(p, 0, SQL_ARRAY_HEADER_BYTES);
    p[0] = (uint8_t)ndim;
    p[1] = b->has_nulls;
    memcpy(p + 4, &b->elem_oid, 4);
    uint8_t *q = p + SQL_ARRAY_HEADER_BYTES;
    for (uint32_t i = 0; i < ndim; i++) {
        memcpy(q, &dims[i], 4);
        memcpy(q + 4, &lbounds[i], 4);
        q += 8;
    }
    /* Interleave null flags with the values. */
    const uint8_t *src = (const uint8_t *)b->items.data;
    bool bytes = sql_phys_of_type(b->elem_oid) == SQL_PHYS_BYTES;
    for (uint32_t i = 0; i < b->count; i++) {
        if (b->has_nulls) *q++ = b->null_flags[i];
        if (b->null_flags[i]) continue;
        uint32_t n = 8;
        if (bytes) {
            memcpy(&n, src, 4);
            n += 4;
        }
        memcpy(q, src, n);
        q += n;
        src += n;
    }
    *out = (sql_bytes){.ptr = p, .len = (uint32_t)(q - p)};
    return true;
}

bool sql_array_builder_finish(sql_array_builder *b, sql_bytes *out) {
    int32_t dims[1] = {(int32_t)b->count}, lb[1] = {1};
    rt_err err;
    rt_err_clear(&err);
    return sql_array_builder_finish_dims(b, 1, dims, lb, out, &err);
}

/* ---- text input ---- */

typedef struct sql_arr_parse {
    sql_io_ctx *io;
    const char *text;
    uint32_t len, pos;
    uint32_t elem_oid;
    int32_t typmod;
    sql_array_builder builder;
    uint32_t ndim;
    int32_t dims[SQL_ARRAY_DIMS_MAX];
    bool dims_seen[SQL_ARRAY_DIMS_MAX];
    int32_t lbounds[SQL_ARRAY_DIMS_MAX];
    bool explicit_dims;
    sql_strbuf tok;
} sql_arr_parse;

static bool sql_arr_malformed(sql_arr_parse *ap, const char *detail) {
    rt_err_set(ap->io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
               "malformed array literal: \"%.*s\"", (int)ap->len, ap->text);
    rt_err_detail(ap->io->err, "%s", detail);
    return false;
}

static void sql_arr_skip_space(sql_arr_parse *ap) {
    while (ap->pos < ap->len && isspace((unsigned char)ap->text[ap->pos])) ap->pos++;
}

/* One element: quoted ("..." with backslash escapes) or unquoted (NULL, or text up to , or }
 * with surrounding whitespace removed and backslash escapes honoured). */
static bool sql_arr_element(sql_arr_parse *ap) {
    sql_strbuf_reset(&ap->tok);
    bool quoted = false, any_quote = false;
    uint32_t trailing_ws_from = 0;
    sql_arr_skip_space(ap);
    while (ap->pos < ap->len) {
        char c = ap->text[ap->pos];
        if (!quoted && (c == ',' || c == '}')) break;
        if (!quoted && (c == '{')) return sql_arr_malformed(ap, "Unexpected \"{\" character.");
        ap->pos++;
        if (c == '\\') {
            if (ap->pos >= ap->len) return sql_arr_malformed(ap, "Unexpected end of input.");
            sql_strbuf_putc(&ap->tok, ap->text[ap->pos++]);
            trailing_ws_from = ap->tok.len;
        } else if (c == '"') {
            quoted = !quoted;
            any_quote = true;
            trailing_ws_from = ap->tok.len;
        } else {
            sql_strbuf_putc(&ap->tok, c);
            if (quoted || !isspace((unsigned char)c)) trailing_ws_from = ap->tok.len;
        }
    }
    if (quoted) return sql_arr_malformed(ap, "Unexpected end of input.");
    ap->tok.len = trailing_ws_from; /* unquoted trailing whitespace is not part of the value */
    sql_value v = {.type_oid = ap->elem_oid};
    if (!any_quote && ap->tok.len == 4 && strncasecmp(ap->tok.data, "NULL", 4) == 0) {
        v.is_null = true;
    } else if (!any_quote && ap->tok.len == 0) {
        return sql_arr_malformed(ap, "Unexpected \",\" character.");
    } else {
        sql_strbuf_putc(&ap->tok, '\0');
        if (!sql_value_in(ap->io, ap->elem_oid, ap->tok.data, ap->tok.len - 1, ap->typmod, &v)) {
            return false;
        }
    }
    if (!sql_array_builder_add(&ap->builder, &v)) {
        return rt_err_set(ap->io->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "array too large");
    }
    return true;
}

/* A brace-delimited level (dimension `depth`), recursively. */
static bool sql_arr_level(sql_arr_parse *ap, uint32_t depth) {
    if (depth >= SQL_ARRAY_DIMS_MAX) {
        return rt_err_set(ap->io->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "number of array dimensions (%u) exceeds the maximum allowed (%d)",
                          depth + 1, SQL_ARRAY_DIMS_MAX);
    }
    ap->pos++; /* '{' */
    int32_t count = 0;
    sql_arr_skip_space(ap);
    if (ap->pos < ap->len && ap->text[ap->pos] == '}') {
        ap->pos++;
        if (depth == 0) return true; /* '{}' is the empty array */
        return sql_arr_malformed(ap, "Multidimensional arrays must have sub-arrays with "
                                     "matching dimensions.");
    }
    for (;;) {
        sql_arr_skip_space(ap);
        if (ap->pos >= ap->len) return sql_arr_malformed(ap, "Unexpected end of input.");
        bool nested = ap->text[ap->pos] == '{';
        if (depth + 1 > ap->ndim) ap->ndim = depth + 1;
        if (nested) {
            if (!sql_arr_level(ap, depth + 1)) return false;
        } else {
            if (ap->ndim > depth + 1) {
                return sql_arr_malformed(ap, "Multidimensional arrays must have sub-arrays "
                                             "with matching dimensions.");
            }
            if (!sql_arr_element(ap)) return false;
        }
        count++;
        sql_arr_skip_space(ap);
        if (ap->pos >= ap->len) return sql_arr_malformed(ap, "Unexpected end of input.");
        char c = ap->text[ap->pos++];
        if (c == '}') break;
        if (c != ',') return sql_arr_malformed(ap, "Unexpected array element.");
    }
    if (ap->dims_seen[depth] && ap->dims[depth] != count) {
        return sql_arr_malformed(ap, "Multidimensional arrays must have sub-arrays with "
                                     "matching dimensions.");
    }
    ap->dims[depth] = count;
    ap->dims_seen[depth] = true;
    return true;
}

/* Optional "[lo:hi][lo:hi]=" prefix. */
static bool sql_arr_dims_prefix(sql_arr_parse *ap) {
    sql_arr_skip_space(ap);
    uint32_t n = 0;
    while (ap->pos < ap->len && ap->text[ap->pos] == '[') {
        if (n >= SQL_ARRAY_DIMS_MAX) return sql_arr_malformed(ap, "Too many dimensions.");
        long lo = 1, hi;
        char *end;
        ap->pos++;
        hi = strtol(ap->text + ap->pos, &end, 10);
        ap->pos = (uint32_t)(end - ap->text);
        if (ap->pos < ap->len && ap->text[ap->pos] == ':') {
            lo = hi;
            hi = strtol(ap->text + ap->pos + 1, &end, 10);
            ap->pos = (uint32_t)(end - ap->text);
        }
        if (ap->pos >= ap->len || ap->text[ap->pos] != ']') {
            return sql_arr_malformed(ap, "Missing \"]\" after array dimensions.");
        }
        ap->pos++;
        if (hi < lo - 1) {
            return rt_err_set(ap->io->err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                              "upper bound cannot be less than lower bound");
        }
        ap->lbounds[n] = (int32_t)lo;
        ap->dims[n] = (int32_t)(hi - lo + 1);
        n++;
    }
    if (n == 0) return true;
    sql_arr_skip_space(ap);
    if (ap->pos >= ap->len || ap->text[ap->pos] != '=') {
        return sql_arr_malformed(ap, "Missing \"=\" after array dimensions.");
    }
    ap->pos++;
    ap->explicit_dims = true;
    ap->ndim = n;
    return true;
}

static bool sql_array_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                         sql_value *out) {
    sql_arr_parse ap;
    memset(&ap, 0, sizeof ap);
    ap.io = io;
    ap.text = text;
    ap.len = len;
    ap.elem_oid = sql_type_elem_of(out->type_oid); /* built-in or enum element */
    ap.typmod = typmod;
    for (uint32_t i = 0; i < SQL_ARRAY_DIMS_MAX; i++) ap.lbounds[i] = 1;
    sql_strbuf_init(&ap.tok, io->arena, 64);
    if (!sql_array_builder_init(&ap.builder, io->arena, ap.elem_oid)) return sql_io_alloc_fail(io);
    if (!sql_arr_dims_prefix(&ap)) return false;
    int32_t given[SQL_ARRAY_DIMS_MAX];
    uint32_t given_n = ap.ndim;
    memcpy(given, ap.dims, sizeof given);
    sql_arr_skip_space(&ap);
    if (ap.pos >= len || text[ap.pos] != '{') {
        return sql_arr_malformed(&ap, "Array value must start with \"{\" or dimension "
                                      "information.");
    }
    if (!ap.explicit_dims) ap.ndim = 0;
    memset(ap.dims_seen, 0, sizeof ap.dims_seen);
    if (!sql_arr_level(&ap, 0)) return false;
    sql_arr_skip_space(&ap);
    if (ap.pos != len) return sql_arr_malformed(&ap, "Junk after closing right brace.");
    if (ap.explicit_dims) {
        for (uint32_t i = 0; i < given_n; i++) {
            if (given[i] != ap.dims[i]) {
                return sql_arr_malformed(&ap, "Specified array dimensions do not match "
                                              "array contents.");
            }
        }
    }
    return sql_array_builder_finish_dims(&ap.builder, ap.ndim, ap.dims, ap.lbounds, &out->b,
                                         io->err);
}

/* ---- text output ---- */

static bool sql_arr_needs_quote(const char *s, uint32_t n) {
    if (n == 0) return true;
    if (n == 4 && strncasecmp(s, "NULL", 4) == 0) return true;
    for (uint32_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' ||
            isspace((unsigned char)c)) {
            return true;
        }
    }
    return false;
}

static bool sql_arr_out_elem(sql_io_ctx *io, const sql_value *e, sql_strbuf *sb,
                             sql_strbuf *tmp) {
    if (e->is_null) {
        sql_strbuf_puts(sb, "NULL");
        return true;
    }
    sql_strbuf_reset(tmp);
    if (!sql_value_out(io, e, -1, tmp)) return false;
    if (!sql_arr_needs_quote(tmp->data, tmp->len)) {
        sql_strbuf_append(sb, tmp->data, tmp->len);
        return true;
    }
    sql_strbuf_putc(sb, '"');
    for (uint32_t i = 0; i < tmp->len; i++) {
        if (tmp->data[i] == '"' || tmp->data[i] == '\\') sql_strbuf_putc(sb, '\\');
        sql_strbuf_putc(sb, tmp->data[i]);
    }
    sql_strbuf_putc(sb, '"');
    return true;
}

static bool sql_array_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    sql_array_view av;
    sql_array_view_of(&v->b, &av);
    if (av.ndim == 0) {
        sql_strbuf_puts(sb, "{}");
        return true;
    }
    bool lb_default = true;
    for (uint32_t i = 0; i < av.ndim; i++) lb_default &= av.lbounds[i] == 1;
    if (!lb_default) {
        for (uint32_t i = 0; i < av.ndim; i++) {
            sql_strbuf_printf(sb, "[%d:%d]", av.lbounds[i], av.lbounds[i] + av.dims[i] - 1);
        }
        sql_strbuf_putc(sb, '=');
    }
    sql_strbuf tmp;
    sql_strbuf_init(&tmp, io->arena, 64);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    int32_t idx[SQL_ARRAY_DIMS_MAX] = {0};
    for (uint32_t i = 0; i < av.ndim; i++) sql_strbuf_putc(sb, '{');
    sql_value e;
    while (sql_array_iter_next(&it, &e)) {
        if (!sql_arr_out_elem(io, &e, sb, &tmp)) return false;
        /* Advance the multi-index: close and reopen braces where a dimension wraps. */
        uint32_t d = av.ndim;
        while (d > 0) {
            d--;
            if (++idx[d] < av.dims[d]) break;
            idx[d] = 0;
            sql_strbuf_putc(sb, '}');
            if (d == 0) break;
        }
        if (it.index < av.nitems) {
            sql_strbuf_putc(sb, ',');
            for (uint32_t k = d + 1; k < av.ndim; k++) sql_strbuf_putc(sb, '{');
        }
    }
    return !tmp.failed || sql_io_alloc_fail(io);
}

/* int2vector / oidvector: "1 2 3". */
static bool sql_vector_list_out(sql_io_ctx *io, const sql_value *v, int32_t typmod,
                                sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    sql_array_view av;
    sql_array_view_of(&v->b, &av);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    char buf[24];
    while (sql_array_iter_next(&it, &e)) {
        if (it.index > 1) sql_strbuf_putc(sb, ' ');
        sql_strbuf_append(sb, buf, sql_i64_to_text(e.i64, buf));
    }
    return true;
}

static bool sql_vector_list_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                               sql_value *out) {
    (void)typmod;
    uint32_t elem = out->type_oid == SQL_T_INT2VECTOR ? SQL_T_INT2 : SQL_T_OID;
    sql_array_builder b;
    if (!sql_array_builder_init(&b, io->arena, elem)) return sql_io_alloc_fail(io);
    uint32_t i = 0;
    while (i < len) {
        while (i < len && isspace((unsigned char)text[i])) i++;
        uint32_t start = i;
        while (i < len && !isspace((unsigned char)text[i])) i++;
        if (i == start) break;
        sql_value e = {.type_oid = elem};
        if (!sql_value_in(io, elem, text + start, i - start, -1, &e)) return false;
        sql_array_builder_add(&b, &e);
    }
    int32_t dims[1] = {(int32_t)b.count}, lb[1] = {0};
    return sql_array_builder_finish_dims(&b, 1, dims, lb, &out->b, io->err);
}

/* ---- binary I/O (PostgreSQL's array_send/array_recv format) ---- */

static bool sql_array_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    sql_array_view av;
    sql_array_view_of(&v->b, &av);
    sql_put_be32(sb, av.ndim);
    sql_put_be32(sb, av.has_nulls);
    sql_put_be32(sb, av.elem_oid);
    for (uint32_t i = 0; i < av.ndim; i++) {
        sql_put_be32(sb, (uint32_t)av.dims[i]);
        sql_put_be32(sb, (uint32_t)av.lbounds[i]);
    }
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    while (sql_array_iter_next(&it, &e)) {
        if (e.is_null) {
            sql_put_be32(sb, UINT32_MAX);
            continue;
        }
        uint32_t at = sb->len;
        sql_put_be32(sb, 0);
        if (!sql_value_send(io, &e, sb)) return false;
        if (!sb->failed) {
            uint32_t n = sb->len - at - 4;
            uint8_t b4[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                             (uint8_t)n};
            memcpy(sb->data + at, b4, 4);
        }
    }
    return true;
}

static bool sql_array_recv(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                           sql_value *out) {
    uint32_t want = sql_type_elem_of(out->type_oid);
    if (len < 12) goto bad;
    uint32_t ndim = sql_get_be32(p), elem_oid = sql_get_be32(p + 8);
    if (ndim > SQL_ARRAY_DIMS_MAX) goto bad;
    if (elem_oid != want) {
        return rt_err_set(io->err, SQLSTATE_DATATYPE_MISMATCH,
                          "binary data has array element type %u instead of expected %u",
                          elem_oid, want);
    }
    if (len < 12 + 8 * ndim) goto bad;
    int32_t dims[SQL_ARRAY_DIMS_MAX], lbs[SQL_ARRAY_DIMS_MAX];
    uint64_t items = ndim > 0 ? 1 : 0;
    for (uint32_t i = 0; i < ndim; i++) {
        dims[i] = (int32_t)sql_get_be32(p + 12 + 8 * i);
        lbs[i] = (int32_t)sql_get_be32(p + 16 + 8 * i);
        if (dims[i] < 0) goto bad;
        items *= (uint64_t)dims[i];
        if (items > SQL_ARRAY_ITEMS_MAX) goto bad;
    }
    uint32_t pos = 12 + 8 * ndim;
    sql_array_builder b;
    if (!sql_array_builder_init(&b, io->arena, elem_oid)) return sql_io_alloc_fail(io);
    for (uint64_t i = 0; i < items; i++) {
        if (len - pos < 4) goto bad;
        uint32_t n = sql_get_be32(p + pos);
        pos += 4;
        sql_value e = {.type_oid = elem_oid, .is_null = n == UINT32_MAX};
        if (!e.is_null) {
            if (n > len - pos) goto bad;
            if (!sql_value_recv(io, elem_oid, p + pos, n, typmod, &e)) return false;
            pos += n;
        }
        if (!sql_array_builder_add(&b, &e)) return sql_io_alloc_fail(io);
    }
    if (pos != len) goto bad;
    return sql_array_builder_finish_dims(&b, ndim, dims, lbs, &out->b, io->err);
bad:
    return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "incorrect binary data format in array");
}

/* ---- comparison ---- */

static int sql_array_cmp(const sql_value *a, const sql_value *b) {
    sql_array_view va, vb;
    sql_array_view_of(&a->b, &va);
    sql_array_view_of(&b->b, &vb);
    sql_array_iter ia, ib;
    sql_array_iter_init(&ia, &va);
    sql_array_iter_init(&ib, &vb);
    sql_value ea, eb;
    for (;;) {
        bool ha = sql_array_iter_next(&ia, &ea), hb = sql_array_iter_next(&ib, &eb);
        if (!ha || !hb) {
            if (ha != hb) return ha ? 1 : -1;
            break;
        }
        if (ea.is_null || eb.is_null) { /* NULL elements sort after everything */
            if (ea.is_null != eb.is_null) return ea.is_null ? 1 : -1;
            continue;
        }
        int c = sql_value_cmp(&ea, &eb);
        if (c != 0) return c;
    }
    if (va.ndim != vb.ndim) return va.ndim < vb.ndim ? -1 : 1;
    for (uint32_t i = 0; i < va.ndim; i++) {
        if (va.dims[i] != vb.dims[i]) return va.dims[i] < vb.dims[i] ? -1 : 1;
        if (va.lbounds[i] != vb.lbounds[i]) return va.lbounds[i] < vb.lbounds[i] ? -1 : 1;
    }
    return 0;
}

static uint64_t sql_array_hash(const sql_value *v) {
    sql_array_view av;
    sql_array_view_of(&v->b, &av);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    uint64_t h = 1;
    sql_value e;
    while (sql_array_iter_next(&it, &e)) h = h * 31 + (e.is_null ? 0 : sql_value_hash(&e));
    return h;
}

void sql_types_array_register(sql_type_def *t) {
    if (t->oid == SQL_T_INT2VECTOR || t->oid == SQL_T_OIDVECTOR) {
        t->elem_oid = t->oid == SQL_T_INT2VECTOR ? SQL_T_INT2 : SQL_T_OID;
        t->in = sql_vector_list_in;
        t->out = sql_vector_list_out;
        t->recv = sql_array_recv;
        t->send_fn = sql_array_send;
        t->cmp = sql_array_cmp;
        t->hash = sql_array_hash;
        return;
    }
    if (t->oid == SQL_T_ANYARRAY) { /* output of any array (pg_stats' values): as the array */
        t->out = sql_array_out;
        t->send_fn = sql_array_send;
        return;
    }
    if (t->category != 'A' || t->elem_oid == 0) return;
    t->in = sql_array_in;
    t->out = sql_array_out;
    t->recv = sql_array_recv;
    t->send_fn = sql_array_send;
    t->cmp = sql_array_cmp;
    t->hash = sql_array_hash;
}
