/* sql_cast_types.c: the casts of numeric, the date/time types and jsonb that PostgreSQL does
 * with functions rather than text I/O (pg_cast method 'f'): integers and floats to and from
 * numeric (rounding half away from zero to integers, 15 significant digits from float8),
 * date/timestamp/timestamptz/time/timetz/interval among themselves in the session's TimeZone,
 * jsonb scalars to bool and the number types, inet and cidr to text (with the masklen), cidr
 * to inet (a relabelling) and inet to cidr (the host bits cleared).
 * sql_cast_vec (sql_cast.c) calls this first and falls back to its own paths when *done stays
 * false. The same conversions are registered
 * as the functions PostgreSQL names after the target type: date(timestamptz), int4(numeric),
 * numeric(int4), float8(jsonb)... */
#include <string.h>

#include "sql/sql_dt_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_inet.h"
#include "sql/sql_jsonb.h"
#include "sql/sql_numeric.h"

static bool sql_num_from(sql_fctx *f, const sql_vec *in, uint32_t i, sql_bytes *out) {
    switch (in->type_oid) {
    case SQL_T_FLOAT8: return sql_numeric_from_float8(f->arena, in->f64[i], out, f->err);
    case SQL_T_FLOAT4: return sql_numeric_from_float4(f->arena, (float)in->f64[i], out, f->err);
    default: return sql_numeric_from_int64(f->arena, in->i64[i], out, f->err);
    }
}

/* A numeric value into row i of `out` (int2/int4/int8, float4/float8 or numeric). */
static bool sql_num_to(sql_fctx *f, sql_bytes num, uint32_t to, sql_vec *out, uint32_t i) {
    switch (to) {
    case SQL_T_INT2: {
        int16_t v;
        if (!sql_numeric_to_int16(num, &v, f->err)) return false;
        out->i64[i] = v;
        return true;
    }
    case SQL_T_INT4: {
        int32_t v;
        if (!sql_numeric_to_int32(num, &v, f->err)) return false;
        out->i64[i] = v;
        return true;
    }
    case SQL_T_INT8: return sql_numeric_to_int64(num, &out->i64[i], f->err);
    case SQL_T_FLOAT4: {
        float v;
        if (!sql_numeric_to_float4(num, &v, f->err)) return false;
        out->f64[i] = v;
        return true;
    }
    case SQL_T_FLOAT8: return sql_numeric_to_float8(num, &out->f64[i], f->err);
    default: out->b[i] = num; return true;
    }
}

static bool sql_is_num_target(uint32_t t) {
    return t == SQL_T_INT2 || t == SQL_T_INT4 || t == SQL_T_INT8 || t == SQL_T_FLOAT4 ||
           t == SQL_T_FLOAT8 || t == SQL_T_NUMERIC;
}

static const char *sql_cast_type_name(uint32_t t) {
    switch (t) {
    case SQL_T_BOOL: return "boolean";
    case SQL_T_INT2: return "smallint";
    case SQL_T_INT4: return "integer";
    case SQL_T_INT8: return "bigint";
    case SQL_T_FLOAT4: return "real";
    case SQL_T_FLOAT8: return "double precision";
    default: return "numeric";
    }
}

/* jsonb -> bool / number: only the matching scalar converts. */
static bool sql_cast_jsonb_scalar(sql_fctx *f, sql_bytes jb, uint32_t to, sql_vec *out,
                                  uint32_t i) {
    const char *kind = sql_jsonb_typeof(jb);
    bool want_bool = to == SQL_T_BOOL;
    bool is_scalar = strcmp(kind, "object") != 0 && strcmp(kind, "array") != 0;
    bool ok = is_scalar && strcmp(kind, want_bool ? "boolean" : "number") == 0;
    if (!ok) {
        /* PostgreSQL names a number "numeric" in this message. */
        return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "cannot cast jsonb %s to type %s",
                          strcmp(kind, "number") == 0 ? "numeric" : kind,
                          sql_cast_type_name(to));
    }
    sql_bytes text;
    if (!sql_jsonb_to_text(f->arena, jb, &text, f->err)) return false;
    if (want_bool) {
        out->i64[i] = text.len == 4 && memcmp(text.ptr, "true", 4) == 0;
        return true;
    }
    sql_bytes num;
    if (!sql_numeric_in(f->arena, (const char *)text.ptr, text.len, SQL_TYPMOD_NONE, &num,
                        f->err)) {
        return false;
    }
    return sql_num_to(f, num, to, out, i);
}

/* ---- date/time ---- */

static bool sql_cast_dt_one(sql_fctx *f, const sql_datetime_ctx *c, const sql_vec *in,
                            uint32_t i, uint32_t to, sql_vec *out) {
    uint32_t from = in->type_oid;
    int64_t x = in->i64 != NULL && in->phys == SQL_PHYS_I64 ? in->i64[i] : 0;
    rt_err *err = f->err;
    bool null = false;
    if (from == SQL_T_DATE) {
        if (to == SQL_T_TIMESTAMP) return sql_date_to_timestamp((sql_date)x, &out->i64[i], err);
        return sql_date_to_timestamptz(c, (sql_date)x, &out->i64[i], err);
    }
    if (from == SQL_T_TIMESTAMP || from == SQL_T_TIMESTAMPTZ) {
        bool tz = from == SQL_T_TIMESTAMPTZ;
        switch (to) {
        case SQL_T_DATE: {
            sql_date d;
            bool ok = tz ? sql_timestamptz_to_date(c, x, &d, err)
                         : sql_timestamp_to_date(x, &d, err);
            if (!ok) return false;
            out->i64[i] = d;
            return true;
        }
        case SQL_T_TIME:
            if (!(tz ? sql_timestamptz_to_time(c, x, &out->i64[i], &null, err)
                     : sql_timestamp_to_time(x, &out->i64[i], &null, err))) {
                return false;
            }
            out->nulls[i] = null;
            return true;
        case SQL_T_TIMETZ: {
            sql_timetz t;
            if (!sql_timestamptz_to_timetz(c, x, &t, &null, err)) return false;
            out->nulls[i] = null;
            return null || sql_dt_timetz_put(f->arena, t, &out->b[i], err);
        }
        case SQL_T_TIMESTAMPTZ: return sql_timestamp_to_timestamptz(c, x, &out->i64[i], err);
        default: return sql_timestamptz_to_timestamp(c, x, &out->i64[i], err);
        }
    }
    if (from == SQL_T_TIME) {
        if (to == SQL_T_INTERVAL) {
            return sql_dt_interval_put(f->arena, sql_time_to_interval(x), &out->b[i], err);
        }
        return sql_dt_timetz_put(f->arena, sql_time_to_timetz(c, x), &out->b[i], err);
    }
    if (from == SQL_T_TIMETZ) {
        out->i64[i] = sql_timetz_to_time(sql_dt_timetz_get(in->b[i]));
        return true;
    }
    out->i64[i] = sql_interval_to_time(sql_dt_interval_get(in->b[i])); /* interval -> time */
    return true;
}

static bool sql_is_dt(uint32_t t) {
    return t == SQL_T_DATE || t == SQL_T_TIME || t == SQL_T_TIMESTAMP ||
           t == SQL_T_TIMESTAMPTZ || t == SQL_T_TIMETZ || t == SQL_T_INTERVAL;
}

bool sql_cast_typed(sql_fctx *f, uint32_t n, const uint8_t *active, const sql_vec *in,
                    uint32_t to, sql_vec *out, bool *done) {
    uint32_t from = in->type_oid;
    *done = true;
    bool num_from = from == SQL_T_NUMERIC || sql_type_is_integer(from) ||
                    from == SQL_T_FLOAT4 || from == SQL_T_FLOAT8;
    if ((from == SQL_T_NUMERIC && sql_is_num_target(to)) ||
        (to == SQL_T_NUMERIC && num_from)) {
        SQL_FOR_ACTIVE(i) {
            sql_bytes num;
            if (from == SQL_T_NUMERIC) num = in->b[i];
            else if (!sql_num_from(f, in, i, &num)) return false;
            if (!sql_num_to(f, num, to, out, i)) return false;
        }
        return true;
    }
    if (from == SQL_T_JSONB && (to == SQL_T_BOOL || sql_is_num_target(to))) {
        SQL_FOR_ACTIVE(i) {
            if (!sql_cast_jsonb_scalar(f, in->b[i], to, out, i)) return false;
        }
        return true;
    }
    if (sql_is_dt(from) && sql_is_dt(to) && from != to) {
        int64_t now = f->io != NULL ? f->io->now_us : 0;
        sql_datetime_ctx c = sql_dt_ctx(f->io != NULL ? f->io->fmt : NULL, now);
        SQL_FOR_ACTIVE(i) {
            if (!sql_cast_dt_one(f, &c, in, i, to, out)) return false;
        }
        return true;
    }
    /* text(inet) keeps the masklen; PostgreSQL has no such cast to name (inet_out's text) */
    if ((from == SQL_T_INET || from == SQL_T_CIDR) && sql_type_is_string(to) &&
        to != SQL_T_NAME) {
        return sql_inet_format_rows(f, n, active, in, SQL_INET_MASK_ALWAYS, out);
    }
    if (from == SQL_T_CIDR && to == SQL_T_INET) { /* binary-coercible (sql_inet.h) */
        SQL_FOR_ACTIVE(i) out->b[i] = in->b[i];
        return true;
    }
    if (from == SQL_T_INET && to == SQL_T_CIDR) { /* cidr(inet): the host bits cleared */
        SQL_FOR_ACTIVE(i) {
            uint8_t v[SQL_INET_BYTES_MAX];
            memcpy(v, in->b[i].ptr, in->b[i].len);
            sql_inet_fill_host(v, v[1], false);
            if (!sql_fn_bytes(f, v, in->b[i].len, &out->b[i])) return false;
        }
        return true;
    }
    *done = false;
    return true;
}

/* ---- the conversion functions PostgreSQL has under type names (date(ts), int4(numeric)) ---- */

static bool sql_fn_type_conv(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_cast_vec(f, n, active, args[0], f->call->type_oid, SQL_TYPMOD_NONE, true, out);
}

#define CONV(nm, from, to, fl) {.name = nm, .nargs = 1, .args = {from}, .ret = to,              \
                                .flags = SQL_F_STRICT | (fl), .fn = sql_fn_type_conv}

static const sql_func_def sql_conv_defs[] = {
    CONV("date", SQL_T_TIMESTAMP, SQL_T_DATE, 0),
    CONV("date", SQL_T_TIMESTAMPTZ, SQL_T_DATE, SQL_F_STABLE),
    CONV("timestamptz", SQL_T_DATE, SQL_T_TIMESTAMPTZ, SQL_F_STABLE),
    CONV("timestamptz", SQL_T_TIMESTAMP, SQL_T_TIMESTAMPTZ, SQL_F_STABLE),
    CONV("timestamp", SQL_T_DATE, SQL_T_TIMESTAMP, 0),
    CONV("timestamp", SQL_T_TIMESTAMPTZ, SQL_T_TIMESTAMP, SQL_F_STABLE),
    CONV("time", SQL_T_TIMESTAMP, SQL_T_TIME, 0),
    CONV("time", SQL_T_TIMESTAMPTZ, SQL_T_TIME, SQL_F_STABLE),
    CONV("time", SQL_T_INTERVAL, SQL_T_TIME, 0), CONV("time", SQL_T_TIMETZ, SQL_T_TIME, 0),
    CONV("timetz", SQL_T_TIME, SQL_T_TIMETZ, SQL_F_STABLE),
    CONV("timetz", SQL_T_TIMESTAMPTZ, SQL_T_TIMETZ, SQL_F_STABLE),
    CONV("interval", SQL_T_TIME, SQL_T_INTERVAL, 0),
    CONV("numeric", SQL_T_INT2, SQL_T_NUMERIC, 0), CONV("numeric", SQL_T_INT4, SQL_T_NUMERIC, 0),
    CONV("numeric", SQL_T_INT8, SQL_T_NUMERIC, 0),
    CONV("numeric", SQL_T_FLOAT4, SQL_T_NUMERIC, 0),
    CONV("numeric", SQL_T_FLOAT8, SQL_T_NUMERIC, 0),
    CONV("numeric", SQL_T_JSONB, SQL_T_NUMERIC, 0),
    CONV("int2", SQL_T_NUMERIC, SQL_T_INT2, 0), CONV("int4", SQL_T_NUMERIC, SQL_T_INT4, 0),
    CONV("int8", SQL_T_NUMERIC, SQL_T_INT8, 0), CONV("float4", SQL_T_NUMERIC, SQL_T_FLOAT4, 0),
    CONV("float8", SQL_T_NUMERIC, SQL_T_FLOAT8, 0),
    CONV("bool", SQL_T_JSONB, SQL_T_BOOL, 0), CONV("int2", SQL_T_JSONB, SQL_T_INT2, 0),
    CONV("int4", SQL_T_JSONB, SQL_T_INT4, 0), CONV("int8", SQL_T_JSONB, SQL_T_INT8, 0),
    CONV("float4", SQL_T_JSONB, SQL_T_FLOAT4, 0), CONV("float8", SQL_T_JSONB, SQL_T_FLOAT8, 0),
};

void sql_funcs_register_type_conv(void) {
    sql_funcs_register(sql_conv_defs, sizeof sql_conv_defs / sizeof sql_conv_defs[0]);
}
