/* sql_type_record.c: composite values (sql_record.h): their encoding, record_out / record_in
 * (PostgreSQL's quoting rules), record_send, record_cmp and the JSON text of a record. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_funcs_int.h"
#include "sql/sql_jsonb.h"
#include "sql/sql_record.h"
#include "sql/sql_types_int.h"

static uint32_t rec_get32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint32_t sql_record_rowtype(sql_bytes rec) {
    RT_ASSERT(rec.len >= 8);
    return rec_get32(rec.ptr);
}

uint32_t sql_record_count(sql_bytes rec) {
    RT_ASSERT(rec.len >= 8);
    return rec_get32(rec.ptr + 4);
}

void sql_record_iter_init(sql_record_iter *it, sql_bytes rec) {
    it->pos = rec.ptr + 8;
    it->end = rec.ptr + rec.len;
    it->index = 0;
    it->count = sql_record_count(rec);
}

bool sql_record_iter_next(sql_record_iter *it, sql_record_col *col) {
    if (it->index >= it->count) return false;
    const uint8_t *p = it->pos;
    RT_ASSERT(p + 11 <= it->end);
    uint32_t type = rec_get32(p);
    memcpy(&col->typmod, p + 4, 4);
    uint16_t name_len;
    memcpy(&name_len, p + 8, 2);
    col->name = (const char *)p + 10;
    col->name_len = name_len;
    p += 10u + name_len;
    col->value.type_oid = type;
    col->value.is_null = *p++ != 0;
    col->value.i64 = 0;
    col->value.b.len = 0;
    if (!col->value.is_null) {
        switch (sql_phys_of_type(type)) {
        case SQL_PHYS_I64: memcpy(&col->value.i64, p, 8); p += 8; break;
        case SQL_PHYS_F64: memcpy(&col->value.f64, p, 8); p += 8; break;
        case SQL_PHYS_BYTES:
            col->value.b.len = rec_get32(p);
            col->value.b.ptr = p + 4;
            p += 4u + col->value.b.len;
            break;
        }
    }
    RT_ASSERT(p <= it->end);
    it->pos = p;
    it->index++;
    return true;
}

bool sql_record_field(sql_bytes rec, uint32_t index, sql_record_col *col) {
    sql_record_iter it;
    sql_record_iter_init(&it, rec);
    while (sql_record_iter_next(&it, col)) {
        if (it.index == index + 1) return true;
    }
    return false;
}

bool sql_record_build(rt_arena *arena, uint32_t rowtype, uint32_t count,
                      const char *const *names, const int32_t *typmods, const sql_value *vals,
                      sql_bytes *out) {
    RT_ASSERT(count <= SQL_RECORD_COLS_MAX);
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 16u + 24u * count);
    sql_strbuf_append(&sb, &rowtype, 4);
    sql_strbuf_append(&sb, &count, 4);
    for (uint32_t i = 0; i < count; i++) {
        const sql_value *v = &vals[i];
        char fname[16];
        const char *name = names != NULL ? names[i] : NULL;
        if (name == NULL) {
            snprintf(fname, sizeof fname, "f%u", i + 1);
            name = fname;
        }
        size_t nl = strlen(name);
        uint16_t name_len = (uint16_t)(nl < SQL_RECORD_NAME_BYTES_MAX ? nl
                                                                       : SQL_RECORD_NAME_BYTES_MAX);
        int32_t typmod = typmods != NULL ? typmods[i] : -1;
        uint8_t is_null = v->is_null ? 1 : 0;
        sql_strbuf_append(&sb, &v->type_oid, 4);
        sql_strbuf_append(&sb, &typmod, 4);
        sql_strbuf_append(&sb, &name_len, 2);
        sql_strbuf_append(&sb, name, name_len);
        sql_strbuf_append(&sb, &is_null, 1);
        if (v->is_null) continue;
        switch (sql_phys_of_type(v->type_oid)) {
        case SQL_PHYS_I64: sql_strbuf_append(&sb, &v->i64, 8); break;
        case SQL_PHYS_F64: sql_strbuf_append(&sb, &v->f64, 8); break;
        case SQL_PHYS_BYTES:
            sql_strbuf_append(&sb, &v->b.len, 4);
            if (v->b.len > 0) sql_strbuf_append(&sb, v->b.ptr, v->b.len);
            break;
        }
    }
    if (sb.failed) return false;
    *out = (sql_bytes){.ptr = (const uint8_t *)sb.data, .len = sb.len};
    return true;
}

/* ---- text ---- */

/* record_out: a field is quoted when empty or holding a quote, backslash, parenthesis, comma
 * or white space; quotes and backslashes inside are doubled. */
static bool sql_record_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    sql_record_iter it;
    sql_record_col col;
    sql_strbuf field;
    sql_strbuf_init(&field, io->arena, 32);
    sql_strbuf_putc(sb, '(');
    sql_record_iter_init(&it, v->b);
    while (sql_record_iter_next(&it, &col)) {
        if (it.index > 1) sql_strbuf_putc(sb, ',');
        if (col.value.is_null) continue;
        sql_strbuf_reset(&field);
        if (!sql_value_out(io, &col.value, col.typmod, &field)) return false;
        if (field.failed) return sql_io_alloc_fail(io);
        bool quote = field.len == 0;
        for (uint32_t k = 0; k < field.len && !quote; k++) {
            char c = field.data[k];
            quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' ||
                    isspace((unsigned char)c);
        }
        if (quote) sql_strbuf_putc(sb, '"');
        for (uint32_t k = 0; k < field.len; k++) {
            char c = field.data[k];
            if (quote && (c == '"' || c == '\\')) sql_strbuf_putc(sb, c);
            sql_strbuf_putc(sb, c);
        }
        if (quote) sql_strbuf_putc(sb, '"');
    }
    sql_strbuf_putc(sb, ')');
    return sb->failed ? sql_io_alloc_fail(io) : true;
}

static bool sql_record_malformed(sql_io_ctx *io, const char *text, uint32_t len,
                                 const char *detail) {
    rt_err_set(io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
               "malformed record literal: \"%.*s\"", (int)len, text);
    rt_err_detail(io->err, "%s", detail);
    return false;
}

bool sql_record_in(sql_io_ctx *io, const char *text, uint32_t len, uint32_t rowtype,
                   const char *type_name, uint32_t count, const char *const *names,
                   const uint32_t *types, const int32_t *typmods, sql_value *out) {
    (void)type_name;
    sql_value *vals = rt_arena_alloc(io->arena, sizeof(sql_value) * (count + 1u));
    if (vals == NULL) return sql_io_alloc_fail(io);
    const char *p = text, *end = text + len;
    while (p < end && isspace((unsigned char)*p)) p++;
    if (p >= end || *p++ != '(') {
        return sql_record_malformed(io, text, len, "Missing left parenthesis.");
    }
    sql_strbuf field;
    sql_strbuf_init(&field, io->arena, 32);
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0) {
            if (p < end && *p == ',') {
                p++;
            } else {
                return sql_record_malformed(io, text, len, "Too few columns.");
            }
        }
        vals[i] = (sql_value){.type_oid = types[i], .is_null = true};
        if (p < end && (*p == ',' || *p == ')')) continue;
        bool inquote = false;
        sql_strbuf_reset(&field);
        while (inquote || !(p < end && (*p == ',' || *p == ')'))) {
            if (p >= end) return sql_record_malformed(io, text, len, "Unexpected end of input.");
            char c = *p++;
            if (c == '\\') {
                if (p >= end) {
                    return sql_record_malformed(io, text, len, "Unexpected end of input.");
                }
                sql_strbuf_putc(&field, *p++);
            } else if (c == '"') {
                if (!inquote) {
                    inquote = true;
                } else if (p < end && *p == '"') {
                    sql_strbuf_putc(&field, *p++);
                } else {
                    inquote = false;
                }
            } else {
                sql_strbuf_putc(&field, c);
            }
        }
        if (field.failed) return sql_io_alloc_fail(io);
        if (!sql_value_in(io, types[i], field.data != NULL ? field.data : "", field.len,
                          typmods[i], &vals[i]) ||
            !sql_value_copy(io->arena, &vals[i])) {
            return false;
        }
    }
    if (p >= end || *p++ != ')') return sql_record_malformed(io, text, len, "Too many columns.");
    while (p < end && isspace((unsigned char)*p)) p++;
    if (p < end) return sql_record_malformed(io, text, len, "Junk after right parenthesis.");
    out->type_oid = rowtype;
    out->is_null = false;
    if (!sql_record_build(io->arena, rowtype, count, names, typmods, vals, &out->b)) {
        return sql_io_alloc_fail(io);
    }
    return true;
}

/* ---- binary: column count, then per column its type, length (-1: NULL) and value ---- */

static bool sql_record_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    sql_record_iter it;
    sql_record_col col;
    sql_put_be32(sb, sql_record_count(v->b));
    sql_record_iter_init(&it, v->b);
    while (sql_record_iter_next(&it, &col)) {
        sql_put_be32(sb, col.value.type_oid);
        if (col.value.is_null) {
            sql_put_be32(sb, UINT32_MAX);
            continue;
        }
        uint32_t at = sb->len;
        sql_put_be32(sb, 0);
        if (!sql_value_send(io, &col.value, sb)) return false;
        if (sb->failed) return sql_io_alloc_fail(io);
        uint32_t n = sb->len - at - 4;
        uint8_t b4[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
        memcpy(sb->data + at, b4, 4);
    }
    return sb->failed ? sql_io_alloc_fail(io) : true;
}

/* ---- order: column by column, NULL after every value and equal to NULL (record_cmp) ---- */

static int sql_record_cmp(const sql_value *a, const sql_value *b) {
    sql_record_iter ia, ib;
    sql_record_col ca, cb;
    sql_record_iter_init(&ia, a->b);
    sql_record_iter_init(&ib, b->b);
    for (;;) {
        bool more_a = sql_record_iter_next(&ia, &ca), more_b = sql_record_iter_next(&ib, &cb);
        if (!more_a || !more_b) return more_a ? 1 : more_b ? -1 : 0;
        if (ca.value.is_null || cb.value.is_null) {
            if (ca.value.is_null != cb.value.is_null) return ca.value.is_null ? 1 : -1;
            continue;
        }
        if (ca.value.type_oid != cb.value.type_oid) {
            return ca.value.type_oid < cb.value.type_oid ? -1 : 1;
        }
        int c = sql_value_cmp(&ca.value, &cb.value);
        if (c != 0) return c;
    }
}

static uint64_t sql_record_hash(const sql_value *v) {
    sql_record_iter it;
    sql_record_col col;
    uint64_t h = 0x52454344ull;
    sql_record_iter_init(&it, v->b);
    while (sql_record_iter_next(&it, &col)) {
        h = h * 31u + (col.value.is_null ? 0 : sql_value_hash(&col.value));
    }
    return h;
}

/* ---- JSON ---- */

/* The JSON text of one value, as to_json prints it (json_build_array's one element). */
static bool sql_record_json_elem(sql_io_ctx *io, const sql_json_arg *arg, sql_strbuf *sb) {
    sql_bytes arr;
    if (!sql_json_build_array(io->arena, arg, 1, &arr, io->err)) return false;
    RT_ASSERT(arr.len >= 2);
    sql_strbuf_append(sb, arr.ptr + 1, arr.len - 2);
    return true;
}

bool sql_record_to_json(sql_io_ctx *io, sql_bytes rec, bool pretty, sql_strbuf *sb) {
    sql_record_iter it;
    sql_record_col col;
    sql_strbuf_putc(sb, '{');
    sql_record_iter_init(&it, rec);
    while (sql_record_iter_next(&it, &col)) {
        if (it.index > 1) sql_strbuf_puts(sb, pretty ? ",\n " : ",");
        sql_json_arg key = {.type_oid = SQL_T_TEXT,
                            .value = {(const uint8_t *)col.name, col.name_len}};
        sql_json_arg val;
        if (col.name_len == 0) key.value.ptr = (const uint8_t *)"";
        if (!sql_record_json_elem(io, &key, sb)) return false;
        sql_strbuf_putc(sb, ':');
        if (!sql_json_arg_of(io, &col.value, &val) || !sql_record_json_elem(io, &val, sb)) {
            return false;
        }
    }
    sql_strbuf_putc(sb, '}');
    return sb->failed ? sql_io_alloc_fail(io) : true;
}

void sql_types_record_register(sql_type_def *t) {
    if (t->oid != SQL_T_RECORD) return;
    t->out = sql_record_out;
    t->send_fn = sql_record_send;
    t->cmp = sql_record_cmp;
    t->hash = sql_record_hash;
}
