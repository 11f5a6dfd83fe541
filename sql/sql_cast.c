/* sql_cast.c: which casts exist in which context (PostgreSQL's pg_cast rules for the built-in
 * types), and how a vector of values is converted. Numeric widening, integer narrowing with
 * range errors, float/integer with rounding, string relabelling (char(n) loses its padding),
 * bool/int, oid/reg*, arrays element by element, pgvector's array/vector casts; everything else
 * goes through text (output then input), as PostgreSQL's I/O conversion casts do. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_funcs_int.h"

static bool sql_is_oidish(uint32_t t) {
    switch (t) {
    case SQL_T_OID: case SQL_T_REGCLASS: case SQL_T_REGTYPE: case SQL_T_REGPROC:
    case SQL_T_REGPROCEDURE: case SQL_T_REGOPER: case SQL_T_REGOPERATOR:
    case SQL_T_REGNAMESPACE: case SQL_T_REGROLE: case SQL_T_REGCOLLATION:
        return true;
    default:
        return false;
    }
}

/* Rank in the numeric widening chain int2 < int4 < int8 < numeric < float4 < float8. */
static int sql_num_rank(uint32_t t) {
    switch (t) {
    case SQL_T_INT2: return 1;
    case SQL_T_INT4: return 2;
    case SQL_T_INT8: return 3;
    case SQL_T_NUMERIC: return 4;
    case SQL_T_FLOAT4: return 5;
    case SQL_T_FLOAT8: return 6;
    default: return 0;
    }
}

static bool sql_is_datetime(uint32_t t) {
    return t == SQL_T_DATE || t == SQL_T_TIME || t == SQL_T_TIMESTAMP ||
           t == SQL_T_TIMESTAMPTZ || t == SQL_T_TIMETZ || t == SQL_T_INTERVAL;
}

/* Context a date/time conversion needs (0 = none exists). */
static sql_cast_context sql_datetime_cast(uint32_t from, uint32_t to) {
    if (from == SQL_T_DATE && (to == SQL_T_TIMESTAMP || to == SQL_T_TIMESTAMPTZ)) {
        return SQL_CAST_IMPLICIT;
    }
    if (from == SQL_T_TIMESTAMP && to == SQL_T_TIMESTAMPTZ) return SQL_CAST_IMPLICIT;
    if (from == SQL_T_TIME && (to == SQL_T_TIMETZ || to == SQL_T_INTERVAL)) {
        return SQL_CAST_IMPLICIT;
    }
    if ((from == SQL_T_TIMESTAMP || from == SQL_T_TIMESTAMPTZ) &&
        (to == SQL_T_DATE || to == SQL_T_TIME || to == SQL_T_TIMESTAMP || to == SQL_T_TIMETZ)) {
        return SQL_CAST_ASSIGNMENT;
    }
    if ((from == SQL_T_INTERVAL || from == SQL_T_TIMETZ) && to == SQL_T_TIME) {
        return SQL_CAST_ASSIGNMENT;
    }
    return 0;
}

bool sql_cast_allowed(uint32_t from, uint32_t to, sql_cast_context ctx) {
    if (from == to || from == SQL_T_UNKNOWN) return true;
    bool to_str = sql_type_is_string(to), from_str = sql_type_is_string(from);
    if (to_str && from_str) return true;
    /* Any type becomes a string by its output function in assignment and explicit casts. */
    if (to_str) return ctx >= SQL_CAST_ASSIGNMENT || from == SQL_T_CHAR;
    if (from == SQL_T_CHAR && to == SQL_T_TEXT) return true;
    int rf = sql_num_rank(from), rt = sql_num_rank(to);
    if (rf && rt) return rt > rf || ctx >= SQL_CAST_ASSIGNMENT;
    if (sql_is_oidish(to) && (sql_is_oidish(from) || from == SQL_T_INT4 || from == SQL_T_INT8 ||
                              from == SQL_T_INT2)) {
        return true;
    }
    if (sql_is_oidish(from) && (to == SQL_T_INT4 || to == SQL_T_INT8)) {
        return ctx >= SQL_CAST_ASSIGNMENT;
    }
    if ((from == SQL_T_BOOL && to == SQL_T_INT4) || (from == SQL_T_INT4 && to == SQL_T_BOOL)) {
        return ctx >= SQL_CAST_EXPLICIT;
    }
    if (sql_is_datetime(from) && sql_is_datetime(to)) {
        sql_cast_context need = sql_datetime_cast(from, to);
        return need != 0 && ctx >= need;
    }
    if (to == SQL_T_VECTOR) {
        if (from == SQL_T_INT4_ARRAY || from == SQL_T_FLOAT4_ARRAY ||
            from == SQL_T_FLOAT8_ARRAY || from == SQL_T_NUMERIC_ARRAY) {
            return ctx >= SQL_CAST_ASSIGNMENT;
        }
    }
    /* pgvector's only cast from vector to an array (implicit); no other array type. */
    if (from == SQL_T_VECTOR && to == SQL_T_FLOAT4_ARRAY) return true;
    if ((from == SQL_T_JSON && to == SQL_T_JSONB) || (from == SQL_T_JSONB && to == SQL_T_JSON)) {
        return ctx >= SQL_CAST_ASSIGNMENT;
    }
    if (from == SQL_T_JSONB && (to == SQL_T_BOOL || rt != 0)) return ctx >= SQL_CAST_EXPLICIT;
    if (from == SQL_T_CIDR && to == SQL_T_INET) return true; /* binary-coercible */
    if ((from == SQL_T_BIT && to == SQL_T_VARBIT) || (from == SQL_T_VARBIT && to == SQL_T_BIT)) {
        return true; /* binary-coercible */
    }
    if (((from == SQL_T_INT4 || from == SQL_T_INT8) && to == SQL_T_BIT) ||
        (from == SQL_T_BIT && (to == SQL_T_INT4 || to == SQL_T_INT8))) {
        return ctx >= SQL_CAST_EXPLICIT;
    }
    if (from == SQL_T_INET && to == SQL_T_CIDR) return ctx >= SQL_CAST_ASSIGNMENT; /* cidr() */
    uint32_t fe = sql_type_elem_of(from), te = sql_type_elem_of(to);
    /* The catalog's vector types are targets of no implicit cast (oid[] = '{0}' is anyarray's) */
    if (to == SQL_T_INT2VECTOR || to == SQL_T_OIDVECTOR) return ctx >= SQL_CAST_EXPLICIT && fe != 0;
    if (fe != 0 && te != 0) return sql_cast_allowed(fe, te, ctx);
    /* From a string, any type by its input function: explicit only. */
    if (from_str) return ctx >= SQL_CAST_EXPLICIT;
    return false;
}

/* ---- conversion kernels ---- */

static bool sql_cast_int_range(sql_fctx *f, int64_t v, uint32_t to) {
    if (to == SQL_T_INT2 && (v < INT16_MIN || v > INT16_MAX)) {
        return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range");
    }
    if (to == SQL_T_INT4 && (v < INT32_MIN || v > INT32_MAX)) {
        return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
    }
    if (sql_is_oidish(to) && (v < INT32_MIN || v > (int64_t)UINT32_MAX)) {
        return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range");
    }
    return true;
}

static bool sql_cast_float_to_int(sql_fctx *f, double d, uint32_t to, int64_t *out) {
    double r = rint(d); /* PostgreSQL rounds half to even when casting floats to integers */
    bool bad = isnan(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0;
    if (!bad) *out = (int64_t)r;
    if (bad || !sql_cast_int_range(f, *out, to)) {
        if (!rt_err_is_set(f->err)) {
            rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                       to == SQL_T_INT2 ? "smallint" : to == SQL_T_INT4 ? "integer" : "bigint");
        }
        return false;
    }
    return true;
}

/* Through text: output of the source type, input of the target type. */
static bool sql_cast_io(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                        uint32_t to, int32_t typmod, sql_vec *out) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    SQL_FOR_ACTIVE(i) {
        sql_value v, r = {.type_oid = to};
        sql_vec_get(in, i, &v);
        sql_strbuf_reset(&sb);
        if (in->type_oid == SQL_T_UNKNOWN) {
            sql_strbuf_append(&sb, v.b.ptr, v.b.len);
        } else if (!sql_value_out(f->io, &v, in->typmod, &sb)) {
            return false;
        }
        sql_strbuf_putc(&sb, '\0');
        if (sb.failed) return rt_arena_fail(f->arena, f->err);
        if (!sql_value_in(f->io, to, sb.data, sb.len - 1, typmod, &r)) return false;
        if (sql_phys_of_type(to) == SQL_PHYS_BYTES && r.b.ptr == (const uint8_t *)sb.data) {
            if (!sql_fn_bytes(f, r.b.ptr, r.b.len, &r.b)) return false; /* sb is reused */
        }
        sql_vec_set(out, i, &r);
    }
    return true;
}

static bool sql_cast_array(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                           uint32_t to, int32_t typmod, bool is_explicit, sql_vec *out) {
    uint32_t te = sql_type_elem_of(to);
    SQL_FOR_ACTIVE(i) {
        sql_array_view av;
        sql_array_view_of(&in->b[i], &av);
        sql_vec *elems = sql_vec_new(f->arena, av.elem_oid, -1, av.nitems + 1);
        sql_vec *conv = sql_vec_new(f->arena, te, typmod, av.nitems + 1);
        if (elems == NULL || conv == NULL) return rt_arena_fail(f->arena, f->err);
        sql_array_iter it;
        sql_array_iter_init(&it, &av);
        sql_value e;
        uint32_t k = 0;
        while (sql_array_iter_next(&it, &e)) sql_vec_set(elems, k++, &e);
        uint8_t *mask = rt_arena_alloc(f->arena, k + 1);
        if (mask == NULL) return rt_arena_fail(f->arena, f->err);
        for (uint32_t j = 0; j < k; j++) mask[j] = !elems->nulls[j];
        if (!sql_cast_vec(f, k, mask, elems, te, typmod, is_explicit, conv)) return false;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, te)) return rt_arena_fail(f->arena, f->err);
        for (uint32_t j = 0; j < k; j++) {
            sql_value v;
            sql_vec_get(conv, j, &v);
            v.is_null = elems->nulls[j];
            if (!sql_array_builder_add(&b, &v)) return rt_arena_fail(f->arena, f->err);
        }
        if (!sql_array_builder_finish_dims(&b, av.ndim, av.dims, av.lbounds, &out->b[i], f->err)) {
            return false;
        }
    }
    return true;
}

bool sql_vector_check(sql_io_ctx *io, const float *x, uint32_t dims, int32_t typmod);

/* int[] / real[] / double precision[] / numeric[] -> vector, and vector -> real[] etc. */
static bool sql_cast_vector(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                            uint32_t to, int32_t typmod, sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (to == SQL_T_VECTOR) {
            sql_array_view av;
            sql_array_view_of(&in->b[i], &av);
            if (av.ndim > 1) {
                return rt_err_set(f->err, SQLSTATE_DATA_EXCEPTION, "array must be 1-D");
            }
            float *x = rt_arena_alloc(f->arena, sizeof(float) * (av.nitems + 1));
            if (x == NULL) return rt_arena_fail(f->arena, f->err);
            sql_array_iter it;
            sql_array_iter_init(&it, &av);
            sql_value e;
            uint32_t k = 0;
            while (sql_array_iter_next(&it, &e)) {
                if (e.is_null) {
                    return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                                      "array must not contain nulls");
                }
                double d = sql_phys_of_type(av.elem_oid) == SQL_PHYS_F64 ? e.f64 : (double)e.i64;
                if (av.elem_oid == SQL_T_NUMERIC) {
                    sql_strbuf sb;
                    sql_strbuf_init(&sb, f->arena, 32);
                    if (!sql_value_out(f->io, &e, -1, &sb)) return false;
                    sql_strbuf_putc(&sb, '\0');
                    d = strtod(sb.data, NULL);
                }
                x[k++] = (float)d;
            }
            if (!sql_vector_check(f->io, x, k, typmod)) return false;
            out->b[i] = (sql_bytes){.ptr = (const uint8_t *)x, .len = k * 4};
            continue;
        }
        uint32_t dims = in->b[i].len / 4;
        uint32_t te = sql_type_elem_of(to);
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, te)) return rt_arena_fail(f->arena, f->err);
        for (uint32_t k = 0; k < dims; k++) {
            float x;
            memcpy(&x, in->b[i].ptr + 4 * k, 4);
            sql_value e = {.type_oid = te};
            if (sql_phys_of_type(te) == SQL_PHYS_F64) e.f64 = x;
            else if (!sql_cast_float_to_int(f, x, te, &e.i64)) return false;
            if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(f->arena, f->err);
        }
        if (!sql_array_builder_finish(&b, &out->b[i])) return rt_arena_fail(f->arena, f->err);
    }
    return true;
}

bool sql_cast_vec(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in, uint32_t to,
                  int32_t to_typmod, bool is_explicit, sql_vec *out) {
    uint32_t from = in->type_oid;
    sql_phys pf = (sql_phys)in->phys, pt = sql_phys_of_type(to);
    if (from == to || (sql_is_oidish(from) && sql_is_oidish(to))) {
        SQL_FOR_ACTIVE(i) {
            sql_value v;
            sql_vec_get(in, i, &v);
            v.type_oid = to;
            sql_vec_set(out, i, &v);
        }
        return true;
    }
    bool done = false;
    if (!sql_cast_typed(f, n, active, in, to, out, &done)) return false;
    if (done) return true;
    if (!sql_bit_cast(f, n, active, in, to, to_typmod, out, &done)) return false;
    if (done) return true;
    /* vector <-> arrays; from and to strings it goes through text like any type. */
    if ((to == SQL_T_VECTOR && from != SQL_T_UNKNOWN && !sql_type_is_string(from)) ||
        (from == SQL_T_VECTOR && !sql_type_is_string(to))) {
        return sql_cast_vector(f, n, active, in, to, to_typmod, out);
    }
    if (pf == SQL_PHYS_I64 && pt == SQL_PHYS_I64 && from != SQL_T_BOOL && to != SQL_T_BOOL &&
        (sql_num_rank(from) || sql_is_oidish(from)) && (sql_num_rank(to) || sql_is_oidish(to))) {
        SQL_FOR_ACTIVE(i) {
            if (!sql_cast_int_range(f, in->i64[i], to)) return false;
            out->i64[i] = sql_is_oidish(to) ? (int64_t)(uint32_t)in->i64[i] : in->i64[i];
        }
        return true;
    }
    if (pf == SQL_PHYS_I64 && pt == SQL_PHYS_F64 && sql_num_rank(from)) {
        SQL_FOR_ACTIVE(i) {
            out->f64[i] = to == SQL_T_FLOAT4 ? (double)(float)in->i64[i] : (double)in->i64[i];
        }
        return true;
    }
    if (pf == SQL_PHYS_F64 && pt == SQL_PHYS_I64 && sql_num_rank(to)) {
        SQL_FOR_ACTIVE(i) {
            if (!sql_cast_float_to_int(f, in->f64[i], to, &out->i64[i])) return false;
        }
        return true;
    }
    if (pf == SQL_PHYS_F64 && pt == SQL_PHYS_F64) {
        SQL_FOR_ACTIVE(i) {
            double d = in->f64[i];
            if (to == SQL_T_FLOAT4) {
                float g = (float)d;
                if (isinf(g) && !isinf(d)) {
                    return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                                      "value out of range: overflow");
                }
                if (g == 0 && d != 0) {
                    return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                                      "value out of range: underflow");
                }
                d = g;
            }
            out->f64[i] = d;
        }
        return true;
    }
    if ((from == SQL_T_BOOL && to == SQL_T_INT4) || (from == SQL_T_INT4 && to == SQL_T_BOOL)) {
        SQL_FOR_ACTIVE(i) out->i64[i] = to == SQL_T_BOOL ? in->i64[i] != 0 : in->i64[i];
        return true;
    }
    if (sql_type_is_string(from) && sql_type_is_string(to)) {
        SQL_FOR_ACTIVE(i) {
            sql_bytes b = in->b[i];
            if (from == SQL_T_BPCHAR && to != SQL_T_BPCHAR) {
                while (b.len > 0 && b.ptr[b.len - 1] == ' ') b.len--;
            }
            if (to == SQL_T_NAME && b.len > 63) b.len = sql_utf8_prefix(b.ptr, b.len, 63);
            out->b[i] = b;
        }
        return true;
    }
    if (from == SQL_T_BOOL && sql_type_is_string(to)) { /* booltext: words, not t/f */
        SQL_FOR_ACTIVE(i) {
            const char *w = in->i64[i] ? "true" : "false";
            out->b[i] = (sql_bytes){.ptr = (const uint8_t *)w, .len = (uint32_t)strlen(w)};
        }
        return true;
    }
    if (from == SQL_T_CHAR && sql_type_is_string(to)) {
        SQL_FOR_ACTIVE(i) {
            char c = (char)in->i64[i];
            if (!sql_fn_bytes(f, &c, c != 0 ? 1 : 0, &out->b[i])) return false;
        }
        return true;
    }
    if (sql_type_elem_of(from) != 0 && sql_type_elem_of(to) != 0) {
        return sql_cast_array(f, n, active, in, to, to_typmod, is_explicit, out);
    }
    (void)is_explicit;
    return sql_cast_io(f, n, active, in, to, to_typmod, out);
}

/* The kernel of a cast expression (a FUNC node whose def is sql_cast_def). */
static bool sql_cast_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out) {
    return sql_cast_vec(f, n, active, args[0], f->call->type_oid, f->call->typmod, false, out);
}

const sql_func_def sql_cast_def = {.name = "cast", .nargs = 1, .args = {SQL_T_ANY},
                                   .ret = SQL_T_ANY, .flags = SQL_F_STRICT, .fn = sql_cast_kernel};
