/* sql_type_datetime.c: date, time, timetz, timestamp, timestamptz and interval in the
 * registry: text I/O in the session's DateStyle, IntervalStyle and TimeZone, PostgreSQL's
 * binary wire formats (int32 days, int64 microseconds, interval as int64 time, int32 days,
 * int32 months; timetz as int64 time, int32 zone seconds west), order, hash, precision and
 * interval-field typmods and the coercion to them.
 * date, time, timestamp and timestamptz are I64 values; interval and timetz are BYTES holding
 * their struct fields in host order (sql_dt_int.h). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_dt_int.h"

bool sql_dt_interval_put(rt_arena *arena, sql_interval iv, sql_bytes *out, rt_err *err) {
    uint8_t *p = rt_arena_alloc(arena, SQL_DT_INTERVAL_BYTES);
    if (p == NULL) return rt_arena_fail(arena, err);
    memcpy(p, &iv.time_us, 8);
    memcpy(p + 8, &iv.days, 4);
    memcpy(p + 12, &iv.months, 4);
    *out = (sql_bytes){.ptr = p, .len = SQL_DT_INTERVAL_BYTES};
    return true;
}

bool sql_dt_timetz_put(rt_arena *arena, sql_timetz t, sql_bytes *out, rt_err *err) {
    uint8_t *p = rt_arena_alloc(arena, SQL_DT_TIMETZ_BYTES);
    if (p == NULL) return rt_arena_fail(arena, err);
    memcpy(p, &t.time_us, 8);
    memcpy(p + 8, &t.zone_s, 4);
    *out = (sql_bytes){.ptr = p, .len = SQL_DT_TIMETZ_BYTES};
    return true;
}

/* ---- text input ---- */

static bool sql_dt_in_fn(sql_io_ctx *io, const char *s, uint32_t len, int32_t typmod,
                         sql_value *o) {
    sql_datetime_ctx c = sql_dt_io_ctx(io);
    switch (o->type_oid) {
    case SQL_T_DATE: {
        sql_date d;
        if (!sql_date_in(&c, s, len, &d, io->err)) return false;
        o->i64 = d;
        return true;
    }
    case SQL_T_TIME:
        return sql_time_in(&c, s, len, typmod, &o->i64, io->err);
    case SQL_T_TIMESTAMP:
        return sql_timestamp_in(&c, s, len, typmod, &o->i64, io->err);
    case SQL_T_TIMESTAMPTZ:
        return sql_timestamptz_in(&c, s, len, typmod, &o->i64, io->err);
    case SQL_T_TIMETZ: {
        sql_timetz t;
        return sql_timetz_in(&c, s, len, typmod, &t, io->err) &&
               sql_dt_timetz_put(io->arena, t, &o->b, io->err);
    }
    default: {
        sql_interval iv;
        return sql_interval_in(&c, s, len, typmod, &iv, io->err) &&
               sql_dt_interval_put(io->arena, iv, &o->b, io->err);
    }
    }
}

/* ---- text output ---- */

static bool sql_dt_out_fn(sql_io_ctx *io, const sql_value *v, int32_t typmod, sql_strbuf *sb) {
    (void)typmod;
    sql_datetime_ctx c = sql_dt_io_ctx(io);
    char buf[SQL_DATETIME_TEXT_BYTES_MAX];
    size_t len = 0;
    switch (v->type_oid) {
    case SQL_T_DATE: len = sql_date_out(&c, (sql_date)v->i64, buf); break;
    case SQL_T_TIME: len = sql_time_out(&c, v->i64, buf); break;
    case SQL_T_TIMESTAMP:
        if (!sql_timestamp_out(&c, v->i64, buf, &len, io->err)) return false;
        break;
    case SQL_T_TIMESTAMPTZ:
        if (!sql_timestamptz_out(&c, v->i64, buf, &len, io->err)) return false;
        break;
    case SQL_T_TIMETZ: len = sql_timetz_out(&c, sql_dt_timetz_get(v->b), buf); break;
    default: len = sql_interval_out(&c, sql_dt_interval_get(v->b), buf); break;
    }
    sql_strbuf_append(sb, buf, (uint32_t)len);
    return true;
}

/* ---- binary I/O ---- */

static bool sql_dt_bad_binary(sql_io_ctx *io) {
    return rt_err_set(io->err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "incorrect binary data format");
}

static bool sql_dt_recv_fn(sql_io_ctx *io, const uint8_t *p, uint32_t len, int32_t typmod,
                           sql_value *o) {
    (void)typmod;
    switch (o->type_oid) {
    case SQL_T_DATE:
        if (len != 4) return sql_dt_bad_binary(io);
        o->i64 = (int32_t)sql_get_be32(p);
        return sql_date_recv_check((sql_date)o->i64, io->err);
    case SQL_T_TIME: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
        if (len != 8) return sql_dt_bad_binary(io);
        o->i64 = (int64_t)sql_get_be64(p);
        if (o->type_oid == SQL_T_TIME) return sql_time_recv_check(o->i64, io->err);
        return sql_timestamp_recv_check(o->i64, io->err);
    case SQL_T_TIMETZ: {
        if (len != 12) return sql_dt_bad_binary(io);
        sql_timetz t = {(int64_t)sql_get_be64(p), (int32_t)sql_get_be32(p + 8)};
        return sql_timetz_recv_check(t, io->err) &&
               sql_dt_timetz_put(io->arena, t, &o->b, io->err);
    }
    default: {
        if (len != 16) return sql_dt_bad_binary(io);
        sql_interval iv = {(int64_t)sql_get_be64(p), (int32_t)sql_get_be32(p + 8),
                           (int32_t)sql_get_be32(p + 12)};
        return sql_dt_interval_put(io->arena, iv, &o->b, io->err);
    }
    }
}

static bool sql_dt_send_fn(sql_io_ctx *io, const sql_value *v, sql_strbuf *sb) {
    (void)io;
    switch (v->type_oid) {
    case SQL_T_DATE: sql_put_be32(sb, (uint32_t)(int32_t)v->i64); break;
    case SQL_T_TIMETZ: {
        sql_timetz t = sql_dt_timetz_get(v->b);
        sql_put_be64(sb, (uint64_t)t.time_us);
        sql_put_be32(sb, (uint32_t)t.zone_s);
        break;
    }
    case SQL_T_INTERVAL: {
        sql_interval iv = sql_dt_interval_get(v->b);
        sql_put_be64(sb, (uint64_t)iv.time_us);
        sql_put_be32(sb, (uint32_t)iv.days);
        sql_put_be32(sb, (uint32_t)iv.months);
        break;
    }
    default: sql_put_be64(sb, (uint64_t)v->i64); break;
    }
    return true;
}

/* ---- order and hash ---- */

static int sql_interval_cmp_fn(const sql_value *a, const sql_value *b) {
    return sql_interval_cmp(sql_dt_interval_get(a->b), sql_dt_interval_get(b->b));
}
static uint64_t sql_interval_hash_fn(const sql_value *v) {
    return sql_interval_hash(sql_dt_interval_get(v->b));
}
static int sql_timetz_cmp_fn(const sql_value *a, const sql_value *b) {
    return sql_timetz_cmp(sql_dt_timetz_get(a->b), sql_dt_timetz_get(b->b));
}
static uint64_t sql_timetz_hash_fn(const sql_value *v) {
    return sql_timetz_hash(sql_dt_timetz_get(v->b));
}

/* ---- typmods ---- */

static bool sql_dt_coerce_fn(sql_io_ctx *io, sql_value *v, int32_t typmod, bool is_explicit) {
    (void)is_explicit;
    switch (v->type_oid) {
    case SQL_T_TIME: v->i64 = sql_time_apply_typmod(v->i64, typmod); return true;
    case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
        return sql_timestamp_apply_typmod(&v->i64, typmod, io->err);
    case SQL_T_TIMETZ:
        return sql_dt_timetz_put(io->arena,
                                 sql_timetz_apply_typmod(sql_dt_timetz_get(v->b), typmod),
                                 &v->b, io->err);
    case SQL_T_INTERVAL: {
        sql_interval iv = sql_dt_interval_get(v->b);
        return sql_interval_apply_typmod(&iv, typmod, io->err) &&
               sql_dt_interval_put(io->arena, iv, &v->b, io->err);
    }
    default: return true;
    }
}

static bool sql_dt_typmod_common(const char *name, bool with_tz, const int32_t *mods,
                                 uint32_t n, int32_t *typmod, rt_err *err) {
    if (n != 1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid type modifier");
    }
    bool reduced = false;
    /* PostgreSQL warns when it reduces the precision; the value is the same without it. */
    return sql_datetime_typmod_make(name, with_tz, mods[0], typmod, &reduced, err);
}
static bool sql_time_typmod_in(const int32_t *m, uint32_t n, int32_t *t, rt_err *e) {
    return sql_dt_typmod_common("TIME", false, m, n, t, e);
}
static bool sql_timetz_typmod_in(const int32_t *m, uint32_t n, int32_t *t, rt_err *e) {
    return sql_dt_typmod_common("TIME", true, m, n, t, e);
}
static bool sql_ts_typmod_in(const int32_t *m, uint32_t n, int32_t *t, rt_err *e) {
    return sql_dt_typmod_common("TIMESTAMP", false, m, n, t, e);
}
static bool sql_tstz_typmod_in(const int32_t *m, uint32_t n, int32_t *t, rt_err *e) {
    return sql_dt_typmod_common("TIMESTAMP", true, m, n, t, e);
}
/* interval(p): the binder passes only the precision (field ranges are not bound yet). */
static bool sql_interval_typmod_in(const int32_t *m, uint32_t n, int32_t *t, rt_err *e) {
    if (n != 1) {
        return rt_err_set(e, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid INTERVAL type modifier");
    }
    bool reduced = false;
    return sql_interval_typmod_make(SQL_INTERVAL_FULL_RANGE, m[0], t, &reduced, e);
}

static void sql_dt_typmod_out(int32_t typmod, char *buf, uint32_t cap) {
    if (cap == 0) return;
    if (typmod < 0) buf[0] = '\0';
    else snprintf(buf, cap, "(%d)", (int)typmod);
}

static void sql_interval_typmod_out_fn(int32_t typmod, char *buf, uint32_t cap) {
    char tmp[64];
    size_t len = typmod < 0 ? 0 : sql_interval_typmod_out(typmod, tmp);
    if (cap == 0) return;
    if (len >= cap) len = cap - 1;
    memcpy(buf, tmp, len);
    buf[len] = '\0';
}

void sql_types_datetime_register(sql_type_def *t) {
    switch (t->oid) {
    case SQL_T_DATE: case SQL_T_TIME: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
        t->cmp = sql_cmp_i64, t->hash = sql_hash_value_i64;
        break;
    case SQL_T_TIMETZ:
        t->cmp = sql_timetz_cmp_fn, t->hash = sql_timetz_hash_fn;
        break;
    case SQL_T_INTERVAL:
        t->cmp = sql_interval_cmp_fn, t->hash = sql_interval_hash_fn;
        break;
    default:
        return;
    }
    t->in = sql_dt_in_fn, t->out = sql_dt_out_fn, t->recv = sql_dt_recv_fn;
    t->send_fn = sql_dt_send_fn;
    if (t->oid == SQL_T_DATE) return;
    t->coerce = sql_dt_coerce_fn;
    t->typmod_out = sql_dt_typmod_out;
    switch (t->oid) {
    case SQL_T_TIME: t->typmod_in = sql_time_typmod_in; break;
    case SQL_T_TIMETZ: t->typmod_in = sql_timetz_typmod_in; break;
    case SQL_T_TIMESTAMP: t->typmod_in = sql_ts_typmod_in; break;
    case SQL_T_TIMESTAMPTZ: t->typmod_in = sql_tstz_typmod_in; break;
    default:
        t->typmod_in = sql_interval_typmod_in;
        t->typmod_out = sql_interval_typmod_out_fn;
        break;
    }
}
