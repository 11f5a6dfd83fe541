/* sql_type_vector.c: pgvector's `vector` type: text form "[1,2,3]", binary form (int16 dims,
 * int16 unused, float4 values, network order) byte-identical to pgvector's, typmod = dims.
 * A value is stored as n native float32 (sql_bytes of 4n bytes).
 * Errors as pgvector reports them: 22P02 malformed text, 22000 NaN / infinity / wrong length /
 * empty, 22023 bad typmod. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eng_catalog.h"
#include "sql/sql_float.h"
#include "sql/sql_types_int.h"

static bool sql_vector_bad(sql_io_ctx *io, const char *text, uint32_t len) {
    return rt_err_set(io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type vector: \"%.*s\"", (int)len, text);
}

/* Checks a value's elements (finite) and dimension count against typmod. */
bool sql_vector_check(sql_io_ctx *io, const float *x, uint32_t dims, int32_t typmod) {
    if (dims == 0) {
        return rt_err_set(io->err, SQLSTATE_DATA_EXCEPTION,
                          "vector must have at least 1 dimension");
    }
    if (dims > ENG_VECTOR_DIMS_MAX) {
        return rt_err_set(io->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "vector cannot have more than %d dimensions", ENG_VECTOR_DIMS_MAX);
    }
    for (uint32_t i = 0; i < dims; i++) {
        if (isnan(x[i])) return rt_err_set(io->err, SQLSTATE_DATA_EXCEPTION,
                                           "NaN not allowed in vector");
        if (isinf(x[i])) return rt_err_set(io->err, SQLSTATE_DATA_EXCEPTION,
                                           "infinite value not allowed in vector");
    }
    if (typmod > 0 && (uint32_t)typmod != dims) {
        return rt_err_set(io->err, SQLSTATE_DATA_EXCEPTION, "expected %d dimensions, not %u",
                          typmod, dims);
    }
    return true;
}

static bool sql_vector_in(sql_io_ctx *io, const char *text, uint32_t len, int32_t typmod,
                          sql_value *out) {
    uint32_t i = 0;
    while (i < len && isspace((unsigned char)text[i])) i++;
    if (i >= len || text[i] != '[') return sql_vector_bad(io, text, len);
    i++;
    uint32_t cap = 16, n = 0;
    float *x = rt_arena_alloc(io->arena, cap * sizeof(float));
    if (x == NULL) return sql_io_alloc_fail(io);
    char num[128];
    for (;;) {
        while (i < len && isspace((unsigned char)text[i])) i++;
        if (i < len && text[i] == ']' && n == 0) break; /* "[]": reported as 0 dims below */
        uint32_t start = i;
        while (i < len && text[i] != ',' && text[i] != ']' && !isspace((unsigned char)text[i])) {
            i++;
        }
        if (i == start || i - start >= sizeof num) return sql_vector_bad(io, text, len);
        memcpy(num, text + start, i - start);
        num[i - start] = '\0';
        char *end;
        errno = 0;
        float v = strtof(num, &end);
        if (*end != '\0') return sql_vector_bad(io, text, len);
        if (errno == ERANGE && isinf(v)) {
            return rt_err_set(io->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "\"%s\" is out of range for type vector", num);
        }
        if (n == cap) {
            if (cap >= 2 * ENG_VECTOR_DIMS_MAX) {
                return rt_err_set(io->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                  "vector cannot have more than %d dimensions",
                                  ENG_VECTOR_DIMS_MAX);
            }
            x = rt_arena_grow(io->arena, x, cap * sizeof(float), cap * 2 * sizeof(float));
            if (x == NULL) return sql_io_alloc_fail(io);
            cap *= 2;
        }
        x[n++] = v;
        while (i < len && isspace((unsigned char)text[i])) i++;
        if (i >= len) return sql_vector_bad(io, text, len);
        if (text[i] == ']') break;
        if (text[i] != ',') return sql_vector_bad(io, text, len);
        i++;
    }
    i++; /* ']' */
    while (i < len && isspace((unsigned char)text[i])) i++;
    if (i != len) return sql_vector_bad(io, text, len);
    if (!sql_vector_check(io, x, n, typmod)) return false;
    out->b = (sql_bytes){.ptr = (const uint8_t *)x, .len = n * (uint32_t)sizeof(float)};
    return true;
}

static bool sql_vector_out(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)io;
    (void)typmod;
    uint32_t n = v->b.len / sizeof(float);
    sql_strbuf_putc(sb, '[');
    char buf[SQL_FLOAT4_TEXT_BYTES_MAX];
    for (uint32_t i = 0; i < n; i++) {
        float x;
        memcpy(&x, v->b.ptr + 4 * i, 4);
        if (i > 0) sql_strbuf_putc(sb, ',');
        sql_strbuf_append(sb, buf, sql_float4_to_shortest(x, buf));
    }
    sql_strbuf_putc(sb, ']');
    return true;
}

static bool sql_vector_recv(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                            sql_value *out) {
    if (len < 4) goto bad;
    uint32_t dims = (uint32_t)p[0] << 8 | p[1];
    uint32_t unused = (uint32_t)p[2] << 8 | p[3];
    if (unused != 0) {
        return rt_err_set(io->err, SQLSTATE_DATA_EXCEPTION, "expected unused to be 0, not %u",
                          unused);
    }
    if (len != 4 + 4 * dims) goto bad;
    float *x = rt_arena_alloc(io->arena, dims * sizeof(float) + 1);
    if (x == NULL) return sql_io_alloc_fail(io);
    for (uint32_t i = 0; i < dims; i++) {
        uint32_t bits = sql_get_be32(p + 4 + 4 * i);
        memcpy(&x[i], &bits, 4);
    }
    if (!sql_vector_check(io, x, dims, typmod)) return false;
    out->b = (sql_bytes){.ptr = (const uint8_t *)x, .len = dims * (uint32_t)sizeof(float)};
    return true;
bad:
    return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "incorrect binary data format in vector");
}

static bool sql_vector_send(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    uint32_t n = v->b.len / sizeof(float);
    sql_put_be16(sb, (uint16_t)n);
    sql_put_be16(sb, 0);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, v->b.ptr + 4 * i, 4);
        sql_put_be32(sb, bits);
    }
    return true;
}

/* pgvector's order: element by element, then the shorter vector first. */
static int sql_vector_cmp(const sql_value *a, const sql_value *b) {
    uint32_t na = a->b.len / 4, nb = b->b.len / 4;
    uint32_t n = na < nb ? na : nb;
    for (uint32_t i = 0; i < n; i++) {
        float x, y;
        memcpy(&x, a->b.ptr + 4 * i, 4);
        memcpy(&y, b->b.ptr + 4 * i, 4);
        if (x < y) return -1;
        if (x > y) return 1;
    }
    return na < nb ? -1 : na > nb;
}

static bool sql_vector_coerce(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    (void)is_explicit;
    uint32_t n = v->b.len / 4;
    if (typmod > 0 && (uint32_t)typmod != n) {
        return rt_err_set(io->err, SQLSTATE_DATA_EXCEPTION, "expected %d dimensions, not %u",
                          typmod, n);
    }
    return true;
}

static bool sql_vector_typmod_in(const int32_t *mods, uint32_t n, int32_t *typmod, rt_err *err) {
    if (n != 1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
    }
    if (mods[0] < 1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "dimensions for type vector must be at least 1");
    }
    if (mods[0] > ENG_VECTOR_DIMS_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "dimensions for type vector cannot exceed %d", ENG_VECTOR_DIMS_MAX);
    }
    *typmod = mods[0];
    return true;
}

static void sql_vector_typmod_out(int32_t typmod, char *buf, uint32_t cap) {
    if (typmod >= 0) snprintf(buf, cap, "(%d)", typmod);
    else buf[0] = '\0';
}

void sql_types_vector_register(sql_type_def *t) {
    if (t->oid == SQL_T_VECTOR_ARRAY) {
        t->typmod_in = sql_vector_typmod_in;
        return;
    }
    if (t->oid != SQL_T_VECTOR) return;
    t->in = sql_vector_in;
    t->out = sql_vector_out;
    t->recv = sql_vector_recv;
    t->send_fn = sql_vector_send;
    t->cmp = sql_vector_cmp;
    t->hash = sql_hash_value_bytes;
    t->coerce = sql_vector_coerce;
    t->typmod_in = sql_vector_typmod_in;
    t->typmod_out = sql_vector_typmod_out;
}
