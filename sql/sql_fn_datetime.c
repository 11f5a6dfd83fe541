/* sql_fn_datetime.c: PostgreSQL 15's date/time operators and functions over sql_datetime.h:
 * + and - between date, time, timetz, timestamp, timestamptz and interval, interval * / float8,
 * now() and the other clocks, extract/date_part, date_trunc, date_bin, age, justify_*, make_*,
 * to_char/to_date/to_timestamp, AT TIME ZONE (timezone()), isfinite, overlaps, generate_series
 * over timestamps, and the comparisons across date, timestamp and timestamptz.
 * The session's TimeZone and styles come from the evaluation's sql_fmt; now() and friends read
 * the statement's transaction and statement times from the executor (the evaluation's io time
 * when there is no executor, as in unit tests). Cross-type comparisons (date < timestamp)
 * compare without casting, so a date beyond timestamp's range still compares. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sql/sql_dt_int.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_numeric.h"

static int64_t sql_dtf_now(const sql_fctx *f) {
    if (f->ec != NULL && f->ec->exec != NULL) return f->ec->exec->now_us;
    return f->io->now_us;
}

static sql_datetime_ctx sql_dtf_ctx(const sql_fctx *f) {
    return sql_dt_ctx(f->io->fmt, sql_dtf_now(f));
}

static sql_interval sql_iv(const sql_vec *v, uint32_t i) { return sql_dt_interval_get(v->b[i]); }

static bool sql_put_iv(sql_fctx *f, sql_vec *out, uint32_t i, sql_interval iv) {
    return sql_dt_interval_put(f->arena, iv, &out->b[i], f->err);
}

/* ---- arithmetic: one kernel per operator family, switching on the argument types ---- */

typedef enum sql_dt_op { DOP_ADD, DOP_SUB } sql_dt_op;

/* date + int, date - int, date - date, date + time/timetz, date +/- interval. */
static bool sql_dt_date_arith(sql_fctx *f, sql_vec **a, uint32_t i, bool add, sql_vec *out) {
    uint32_t tb = a[1]->type_oid;
    rt_err *err = f->err;
    sql_date d = (sql_date)a[0]->i64[i];
    if (tb == SQL_T_INT4) {
        sql_date r;
        int32_t k = (int32_t)a[1]->i64[i];
        if (!(add ? sql_date_pl_days(d, k, &r, err) : sql_date_mi_days(d, k, &r, err))) {
            return false;
        }
        out->i64[i] = r;
        return true;
    }
    if (tb == SQL_T_DATE) {
        int32_t days;
        if (!sql_date_mi_date(d, (sql_date)a[1]->i64[i], &days, err)) return false;
        out->i64[i] = days;
        return true;
    }
    if (tb == SQL_T_TIME) return sql_date_pl_time(d, a[1]->i64[i], &out->i64[i], err);
    if (tb == SQL_T_TIMETZ) {
        return sql_date_pl_timetz(d, sql_dt_timetz_get(a[1]->b[i]), &out->i64[i], err);
    }
    return add ? sql_date_pl_interval(d, sql_iv(a[1], i), &out->i64[i], err)
               : sql_date_mi_interval(d, sql_iv(a[1], i), &out->i64[i], err);
}

/* a + b and a - b where a is a date, time, timetz, timestamp(tz) or interval. */
static bool sql_dt_arith_row(sql_fctx *f, const sql_datetime_ctx *c, sql_vec **a, uint32_t i,
                             sql_dt_op op, sql_vec *out) {
    uint32_t ta = a[0]->type_oid, tb = a[1]->type_oid;
    rt_err *err = f->err;
    bool add = op == DOP_ADD;
    if (ta == SQL_T_INTERVAL && tb != SQL_T_INTERVAL) { /* interval + x: commute */
        sql_vec *sw[2] = {a[1], a[0]};
        return sql_dt_arith_row(f, c, sw, i, op, out);
    }
    if (ta == SQL_T_INT4 && tb == SQL_T_DATE) { /* int + date */
        sql_vec *sw[2] = {a[1], a[0]};
        return sql_dt_arith_row(f, c, sw, i, op, out);
    }
    if (ta == SQL_T_TIME && tb == SQL_T_DATE) {
        sql_vec *sw[2] = {a[1], a[0]};
        return sql_dt_arith_row(f, c, sw, i, op, out);
    }
    switch (ta) {
    case SQL_T_DATE: return sql_dt_date_arith(f, a, i, add, out);
    case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ: {
        int64_t ts = a[0]->i64[i];
        if (tb == ta) {
            sql_interval r;
            return sql_timestamp_mi(ts, a[1]->i64[i], &r, err) && sql_put_iv(f, out, i, r);
        }
        sql_interval iv = sql_iv(a[1], i);
        if (ta == SQL_T_TIMESTAMP) {
            return add ? sql_timestamp_pl_interval(ts, iv, &out->i64[i], err)
                       : sql_timestamp_mi_interval(ts, iv, &out->i64[i], err);
        }
        return add ? sql_timestamptz_pl_interval(c, ts, iv, &out->i64[i], err)
                   : sql_timestamptz_mi_interval(c, ts, iv, &out->i64[i], err);
    }
    case SQL_T_TIME: {
        if (tb == SQL_T_TIME) {
            return sql_put_iv(f, out, i, sql_time_mi_time(a[0]->i64[i], a[1]->i64[i]));
        }
        sql_interval iv = sql_iv(a[1], i);
        out->i64[i] = add ? sql_time_pl_interval(a[0]->i64[i], iv)
                          : sql_time_mi_interval(a[0]->i64[i], iv);
        return true;
    }
    case SQL_T_TIMETZ: {
        sql_timetz t = sql_dt_timetz_get(a[0]->b[i]);
        sql_interval iv = sql_iv(a[1], i);
        t = add ? sql_timetz_pl_interval(t, iv) : sql_timetz_mi_interval(t, iv);
        return sql_dt_timetz_put(f->arena, t, &out->b[i], err);
    }
    default: {
        sql_interval r;
        bool ok = add ? sql_interval_pl(sql_iv(a[0], i), sql_iv(a[1], i), &r, err)
                      : sql_interval_mi(sql_iv(a[0], i), sql_iv(a[1], i), &r, err);
        return ok && sql_put_iv(f, out, i, r);
    }
    }
}

static bool sql_dt_arith(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, sql_dt_op op) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    SQL_FOR_ACTIVE(i) {
        if (!sql_dt_arith_row(f, &c, args, i, op, out)) return false;
    }
    return true;
}
static bool sql_fn_dt_add(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return sql_dt_arith(f, n, active, args, out, DOP_ADD);
}
static bool sql_fn_dt_sub(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return sql_dt_arith(f, n, active, args, out, DOP_SUB);
}

static bool sql_fn_iv_neg(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        sql_interval r;
        if (!sql_interval_um(sql_iv(args[0], i), &r, f->err) || !sql_put_iv(f, out, i, r)) {
            return false;
        }
    }
    return true;
}

/* interval * float8, float8 * interval, interval / float8. */
static bool sql_iv_scale(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, bool divide) {
    bool swapped = args[0]->type_oid == SQL_T_FLOAT8;
    const sql_vec *iv = swapped ? args[1] : args[0], *x = swapped ? args[0] : args[1];
    SQL_FOR_ACTIVE(i) {
        sql_interval r;
        bool ok = divide ? sql_interval_div(sql_iv(iv, i), x->f64[i], &r, f->err)
                         : sql_interval_mul(sql_iv(iv, i), x->f64[i], &r, f->err);
        if (!ok || !sql_put_iv(f, out, i, r)) return false;
    }
    return true;
}
static bool sql_fn_iv_mul(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return sql_iv_scale(f, n, active, args, out, false);
}
static bool sql_fn_iv_div(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return sql_iv_scale(f, n, active, args, out, true);
}

typedef bool (*sql_iv_unary)(sql_interval a, sql_interval *out, rt_err *err);
static bool sql_iv_apply(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, sql_iv_unary fn) {
    SQL_FOR_ACTIVE(i) {
        sql_interval r;
        if (!fn(sql_iv(args[0], i), &r, f->err) || !sql_put_iv(f, out, i, r)) return false;
    }
    return true;
}
#define SQL_IV_UNARY(name, fn)                                                               \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_iv_apply(f, n, active, args, out, fn);                                    \
    }
SQL_IV_UNARY(sql_fn_justify_days, sql_interval_justify_days)
SQL_IV_UNARY(sql_fn_justify_hours, sql_interval_justify_hours)
SQL_IV_UNARY(sql_fn_justify_interval, sql_interval_justify_interval)

/* ---- clocks ---- */

static int64_t sql_dtf_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - SQL_EPOCH_UNIX_S) * 1000000 + ts.tv_nsec / 1000;
}

typedef enum sql_clock { CLK_NOW, CLK_STMT, CLK_CLOCK, CLK_DATE, CLK_TIMETZ, CLK_LOCALTIME,
                         CLK_LOCALTS } sql_clock;

static bool sql_dt_clock(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec *out,
                         sql_clock which) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    int64_t now = c.now, v = now;
    if (which == CLK_STMT && f->ec != NULL && f->ec->exec != NULL) v = f->ec->exec->stmt_us;
    if (which == CLK_CLOCK) v = sql_dtf_clock_us();
    bool null = false;
    sql_timetz tt = {0, 0};
    switch (which) {
    case CLK_DATE: v = sql_datetime_current_date(&c); break;
    case CLK_LOCALTS:
        if (!sql_timestamptz_to_timestamp(&c, now, &v, f->err)) return false;
        break;
    case CLK_LOCALTIME:
        if (!sql_timestamptz_to_time(&c, now, &v, &null, f->err)) return false;
        break;
    case CLK_TIMETZ:
        if (!sql_timestamptz_to_timetz(&c, now, &tt, &null, f->err)) return false;
        break;
    default: break;
    }
    SQL_FOR_ACTIVE(i) {
        if (which == CLK_TIMETZ) {
            if (!sql_dt_timetz_put(f->arena, tt, &out->b[i], f->err)) return false;
        } else {
            out->i64[i] = v;
        }
    }
    return true;
}
#define SQL_CLOCK(name, which)                                                               \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        (void)args;                                                                          \
        return sql_dt_clock(f, n, active, out, which);                                       \
    }
SQL_CLOCK(sql_fn_now, CLK_NOW)
SQL_CLOCK(sql_fn_stmt_ts, CLK_STMT)
SQL_CLOCK(sql_fn_clock_ts, CLK_CLOCK)
SQL_CLOCK(sql_fn_current_date, CLK_DATE)
SQL_CLOCK(sql_fn_current_time, CLK_TIMETZ)
SQL_CLOCK(sql_fn_localtime, CLK_LOCALTIME)
SQL_CLOCK(sql_fn_localtimestamp, CLK_LOCALTS)

static bool sql_fn_timeofday(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    (void)args;
    sql_datetime_ctx c = sql_dtf_ctx(f);
    char buf[SQL_DATETIME_TEXT_BYTES_MAX];
    size_t len = sql_datetime_timeofday(&c, sql_dtf_clock_us(), buf);
    SQL_FOR_ACTIVE(i) {
        if (!sql_fn_text(f, out, i, buf, (uint32_t)len)) return false;
    }
    return true;
}

/* ---- extract / date_part ---- */

static bool sql_dt_extract_row(const sql_datetime_ctx *c, sql_bytes unit, uint32_t type,
                               int64_t x, sql_bytes b, sql_datetime_num *r, rt_err *err) {
    const char *u = (const char *)unit.ptr;
    switch (type) {
    case SQL_T_DATE: return sql_date_extract(u, unit.len, (sql_date)x, r, err);
    case SQL_T_TIME: return sql_time_extract(u, unit.len, x, r, err);
    case SQL_T_TIMETZ: return sql_timetz_extract(u, unit.len, sql_dt_timetz_get(b), r, err);
    case SQL_T_TIMESTAMP: return sql_timestamp_extract(u, unit.len, x, r, err);
    case SQL_T_TIMESTAMPTZ: return sql_timestamptz_extract(c, u, unit.len, x, r, err);
    default: return sql_interval_extract(u, unit.len, sql_dt_interval_get(b), r, err);
    }
}

/* One extracted field into row i: numeric text for extract(), float8 for date_part(). */
static bool sql_dt_extract_put(sql_fctx *f, const sql_datetime_num *r, bool as_numeric,
                               sql_vec *out, uint32_t i) {
    if (r->kind == SQL_DTNUM_NULL) {
        out->nulls[i] = 1;
        return true;
    }
    if (!as_numeric) {
        out->f64[i] = r->kind == SQL_DTNUM_POS_INF   ? (double)INFINITY
                      : r->kind == SQL_DTNUM_NEG_INF ? -(double)INFINITY : r->f8;
        return true;
    }
    const char *t = r->kind == SQL_DTNUM_POS_INF   ? "Infinity"
                    : r->kind == SQL_DTNUM_NEG_INF ? "-Infinity" : r->text;
    return sql_numeric_in(f->arena, t, strlen(t), SQL_TYPMOD_NONE, &out->b[i], f->err);
}

/* extract(): numeric; date_part(): float8 (date_part of a date is that of the timestamp). */
static bool sql_dt_extract(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, bool as_numeric) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    const sql_vec *x = args[1];
    bool phys_i64 = x->phys == SQL_PHYS_I64;
    SQL_FOR_ACTIVE(i) {
        sql_datetime_num r;
        uint32_t type = x->type_oid;
        int64_t v = phys_i64 ? x->i64[i] : 0;
        sql_bytes b = phys_i64 ? (sql_bytes){NULL, 0} : x->b[i];
        if (!as_numeric && type == SQL_T_DATE) {
            if (!sql_date_to_timestamp((sql_date)v, &v, f->err)) return false;
            type = SQL_T_TIMESTAMP;
        }
        if (!sql_dt_extract_row(&c, args[0]->b[i], type, v, b, &r, f->err) ||
            !sql_dt_extract_put(f, &r, as_numeric, out, i)) {
            return false;
        }
    }
    return true;
}
static bool sql_fn_extract(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out) {
    return sql_dt_extract(f, n, active, args, out, true);
}
static bool sql_fn_date_part(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_dt_extract(f, n, active, args, out, false);
}

/* ---- date_trunc, date_bin, age ---- */

static bool sql_fn_date_trunc(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                              sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    uint32_t type = args[1]->type_oid;
    bool has_zone = f->call->nargs > 2;
    SQL_FOR_ACTIVE(i) {
        sql_bytes u = args[0]->b[i];
        const char *us = (const char *)u.ptr;
        if (type == SQL_T_INTERVAL) {
            sql_interval r;
            if (!sql_interval_trunc(us, u.len, sql_iv(args[1], i), &r, f->err) ||
                !sql_put_iv(f, out, i, r)) {
                return false;
            }
        } else if (type == SQL_T_TIMESTAMP) {
            if (!sql_timestamp_trunc(us, u.len, args[1]->i64[i], &out->i64[i], f->err)) {
                return false;
            }
        } else {
            const char *z = has_zone ? (const char *)args[2]->b[i].ptr : NULL;
            size_t zl = has_zone ? args[2]->b[i].len : 0;
            if (!sql_timestamptz_trunc(&c, us, u.len, args[1]->i64[i], z, zl, &out->i64[i],
                                       f->err)) {
                return false;
            }
        }
    }
    return true;
}

static bool sql_fn_date_bin(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_timestamp_bin(sql_iv(args[0], i), args[1]->i64[i], args[2]->i64[i],
                               &out->i64[i], f->err)) {
            return false;
        }
    }
    return true;
}

static bool sql_fn_age(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                       sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    bool tz = args[0]->type_oid == SQL_T_TIMESTAMPTZ, one = f->call->nargs == 1;
    SQL_FOR_ACTIVE(i) {
        sql_interval r;
        int64_t a = args[0]->i64[i];
        bool ok;
        if (one) {
            ok = tz ? sql_timestamptz_age_current(&c, a, &r, f->err)
                    : sql_timestamp_age_current(&c, a, &r, f->err);
        } else {
            ok = tz ? sql_timestamptz_age(&c, a, args[1]->i64[i], &r, f->err)
                    : sql_timestamp_age(a, args[1]->i64[i], &r, f->err);
        }
        if (!ok || !sql_put_iv(f, out, i, r)) return false;
    }
    return true;
}

/* ---- make_* ---- */

static int32_t sql_arg_i32(sql_vec **args, uint32_t k, uint32_t nargs, uint32_t i) {
    return k < nargs ? (int32_t)args[k]->i64[i] : 0;
}

static bool sql_fn_make_date(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        sql_date d;
        if (!sql_date_make((int32_t)args[0]->i64[i], (int32_t)args[1]->i64[i],
                           (int32_t)args[2]->i64[i], &d, f->err)) {
            return false;
        }
        out->i64[i] = d;
    }
    return true;
}

static bool sql_fn_make_time(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_time_make((int32_t)args[0]->i64[i], (int32_t)args[1]->i64[i], args[2]->f64[i],
                           &out->i64[i], f->err)) {
            return false;
        }
    }
    return true;
}

static bool sql_fn_make_ts(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    bool tz = f->call->type_oid == SQL_T_TIMESTAMPTZ, zone = f->call->nargs > 6;
    SQL_FOR_ACTIVE(i) {
        int32_t y = (int32_t)args[0]->i64[i], mo = (int32_t)args[1]->i64[i];
        int32_t d = (int32_t)args[2]->i64[i], h = (int32_t)args[3]->i64[i];
        int32_t mi = (int32_t)args[4]->i64[i];
        double s = args[5]->f64[i];
        bool ok;
        if (!tz) {
            ok = sql_timestamp_make(y, mo, d, h, mi, s, &out->i64[i], f->err);
        } else {
            const char *z = zone ? (const char *)args[6]->b[i].ptr : NULL;
            size_t zl = zone ? args[6]->b[i].len : 0;
            ok = sql_timestamptz_make(&c, y, mo, d, h, mi, s, z, zl, &out->i64[i], f->err);
        }
        if (!ok) return false;
    }
    return true;
}

/* make_interval(years, months, weeks, days, hours, mins, secs): trailing ones default to 0. */
static bool sql_fn_make_interval(sql_fctx *f, uint32_t n, const uint8_t *active,
                                 sql_vec **args, sql_vec *out) {
    uint32_t k = f->call->nargs;
    SQL_FOR_ACTIVE(i) {
        sql_interval r;
        double secs = k > 6 ? args[6]->f64[i] : 0.0;
        if (!sql_interval_make(sql_arg_i32(args, 0, k, i), sql_arg_i32(args, 1, k, i),
                               sql_arg_i32(args, 2, k, i), sql_arg_i32(args, 3, k, i),
                               sql_arg_i32(args, 4, k, i), sql_arg_i32(args, 5, k, i), secs, &r,
                               f->err) ||
            !sql_put_iv(f, out, i, r)) {
            return false;
        }
    }
    return true;
}

/* ---- to_char, to_date, to_timestamp ---- */

static bool sql_fn_dt_to_char(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                              sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    uint32_t type = args[0]->type_oid;
    SQL_FOR_ACTIVE(i) {
        const char *fmt = (const char *)args[1]->b[i].ptr;
        size_t fl = args[1]->b[i].len;
        char *r = NULL;
        bool ok = type == SQL_T_INTERVAL
                      ? sql_interval_to_char(f->arena, sql_iv(args[0], i), fmt, fl, &r, f->err)
                  : type == SQL_T_TIMESTAMP
                      ? sql_timestamp_to_char(f->arena, args[0]->i64[i], fmt, fl, &r, f->err)
                      : sql_timestamptz_to_char(&c, f->arena, args[0]->i64[i], fmt, fl, &r,
                                                f->err);
        if (!ok) return false;
        if (r == NULL) out->nulls[i] = 1;
        else out->b[i] = (sql_bytes){.ptr = (const uint8_t *)r, .len = (uint32_t)strlen(r)};
    }
    return true;
}

static bool sql_fn_to_date(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    bool ts = f->call->type_oid == SQL_T_TIMESTAMPTZ;
    SQL_FOR_ACTIVE(i) {
        sql_bytes s = args[0]->b[i], p = args[1]->b[i];
        if (ts) {
            if (!sql_timestamptz_from_char(&c, f->arena, (const char *)s.ptr, s.len,
                                           (const char *)p.ptr, p.len, &out->i64[i], f->err)) {
                return false;
            }
        } else {
            sql_date d;
            if (!sql_date_from_char(&c, f->arena, (const char *)s.ptr, s.len,
                                    (const char *)p.ptr, p.len, &d, f->err)) {
                return false;
            }
            out->i64[i] = d;
        }
    }
    return true;
}

static bool sql_fn_to_timestamp_unix(sql_fctx *f, uint32_t n, const uint8_t *active,
                                     sql_vec **args, sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_timestamptz_from_unix(args[0]->f64[i], &out->i64[i], f->err)) return false;
    }
    return true;
}

/* ---- AT TIME ZONE: timezone(zone, value) ---- */

static bool sql_fn_timezone(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    bool by_iv = args[0]->type_oid == SQL_T_INTERVAL;
    uint32_t type = args[1]->type_oid;
    SQL_FOR_ACTIVE(i) {
        const char *z = by_iv ? NULL : (const char *)args[0]->b[i].ptr;
        size_t zl = by_iv ? 0 : args[0]->b[i].len;
        sql_interval iz = by_iv ? sql_iv(args[0], i) : (sql_interval){0, 0, 0};
        bool ok;
        if (type == SQL_T_TIMETZ) {
            sql_timetz t = sql_dt_timetz_get(args[1]->b[i]), r;
            ok = by_iv ? sql_timetz_at_izone(&c, iz, t, &r, f->err)
                       : sql_timetz_at_zone(&c, z, zl, t, &r, f->err);
            ok = ok && sql_dt_timetz_put(f->arena, r, &out->b[i], f->err);
        } else if (type == SQL_T_TIMESTAMP) {
            int64_t ts = args[1]->i64[i];
            ok = by_iv ? sql_timestamp_at_izone(&c, iz, ts, &out->i64[i], f->err)
                       : sql_timestamp_at_zone(z, zl, ts, &out->i64[i], f->err);
        } else {
            int64_t ts = args[1]->i64[i];
            ok = by_iv ? sql_timestamptz_at_izone(&c, iz, ts, &out->i64[i], f->err)
                       : sql_timestamptz_at_zone(z, zl, ts, &out->i64[i], f->err);
        }
        if (!ok) return false;
    }
    return true;
}

/* ---- isfinite, overlaps ---- */

static bool sql_fn_isfinite(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out) {
    (void)f;
    uint32_t type = args[0]->type_oid;
    SQL_FOR_ACTIVE(i) {
        if (type == SQL_T_INTERVAL) out->i64[i] = sql_interval_is_finite(sql_iv(args[0], i));
        else if (type == SQL_T_DATE) out->i64[i] = sql_date_is_finite((sql_date)args[0]->i64[i]);
        else out->i64[i] = sql_timestamp_is_finite(args[0]->i64[i]);
    }
    return true;
}

/* (s1, e1) OVERLAPS (s2, e2) over values of one ordered I64 type, with PostgreSQL's NULL
 * rules: a NULL end is read as the start, and the answer is NULL only when the non-NULL
 * values cannot decide it. An end given as an interval is the start plus it. */
typedef struct sql_ovl_end {
    int64_t v;
    bool null;
} sql_ovl_end;

/* Orders one period (start first); a missing start takes the end's place, and the end is
 * then unknown. False when both are missing. */
static bool sql_ovl_norm(sql_ovl_end *s, sql_ovl_end *e) {
    if (s->null) {
        if (e->null) return false;
        *s = *e;
        e->null = true;
    } else if (!e->null && s->v > e->v) {
        sql_ovl_end t = *s;
        *s = *e;
        *e = t;
    }
    return true;
}

/* 1 true, 0 false, -1 NULL. The SQL standard's rule: the later start must lie before the
 * other period's end; equal starts overlap. Unknown ends decide nothing. */
static int sql_ovl_decide(sql_ovl_end s1, sql_ovl_end e1, sql_ovl_end s2, sql_ovl_end e2) {
    if (!sql_ovl_norm(&s1, &e1) || !sql_ovl_norm(&s2, &e2)) return -1;
    if (s1.v == s2.v) return e1.null || e2.null ? -1 : 1;
    if (s1.v < s2.v) { /* swap the periods so that s1 is the later start */
        sql_ovl_end t = s1;
        s1 = s2;
        s2 = t;
        t = e1;
        e1 = e2;
        e2 = t;
    }
    if (e2.null) return -1;
    if (s1.v < e2.v) return 1;
    return e1.null ? -1 : 0;
}

/* The end of one period: argument `k` (a value, or an interval added to argument k - 1). */
static bool sql_ovl_get(sql_fctx *f, const sql_datetime_ctx *c, sql_vec **args, uint32_t k,
                        uint32_t i, sql_ovl_end *out) {
    const sql_vec *v = args[k];
    out->null = sql_vec_is_null(v, i);
    if (v->type_oid != SQL_T_INTERVAL) {
        out->v = out->null ? 0 : v->i64[i];
        return true;
    }
    const sql_vec *s = args[k - 1];
    out->null = out->null || sql_vec_is_null(s, i);
    if (out->null) return true;
    sql_interval iv = sql_iv(v, i);
    switch (s->type_oid) {
    case SQL_T_TIMESTAMP: return sql_timestamp_pl_interval(s->i64[i], iv, &out->v, f->err);
    case SQL_T_TIMESTAMPTZ:
        return sql_timestamptz_pl_interval(c, s->i64[i], iv, &out->v, f->err);
    default: out->v = sql_time_pl_interval(s->i64[i], iv); return true;
    }
}

static bool sql_fn_overlaps(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                            sql_vec *out) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    SQL_FOR_ACTIVE(i) {
        sql_ovl_end p[4];
        for (uint32_t k = 0; k < 4; k++) {
            if (!sql_ovl_get(f, &c, args, k, i, &p[k])) return false;
        }
        int r = sql_ovl_decide(p[0], p[1], p[2], p[3]);
        out->nulls[i] = r < 0;
        out->i64[i] = r > 0;
    }
    return true;
}

/* ---- generate_series(timestamp[tz], timestamp[tz], interval) ---- */

#define SQL_DT_SERIES_ROWS_MAX (UINT32_C(1) << 26) /* beyond this a series is a mistake */

static bool sql_dt_series_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                              struct sql_rowset *out) {
    (void)nargs;
    sql_interval step = sql_dt_interval_get(args[2].b);
    sql_interval zero = {0, 0, 0};
    int dir = sql_interval_cmp(step, zero);
    if (dir == 0) {
        return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "step size cannot equal zero");
    }
    bool tz = args[0].type_oid == SQL_T_TIMESTAMPTZ;
    sql_datetime_ctx c = sql_dt_ctx(&x->fmt, x->now_us);
    int64_t v = args[0].i64, stop = args[1].i64;
    for (uint32_t k = 0; dir > 0 ? v <= stop : v >= stop; k++) {
        if (k >= SQL_DT_SERIES_ROWS_MAX) {
            return rt_err_set(x->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "generate_series would return more than %u rows",
                              (unsigned)SQL_DT_SERIES_ROWS_MAX);
        }
        sql_value row = {.type_oid = args[0].type_oid, .is_null = false, .i64 = v};
        if (!sql_rowset_add_values(out, &row)) return rt_arena_fail(x->arena, x->err);
        bool ok = tz ? sql_timestamptz_pl_interval(&c, v, step, &v, x->err)
                     : sql_timestamp_pl_interval(v, step, &v, x->err);
        if (!ok) {
            rt_err_clear(x->err); /* the next value is past the range: the series ends */
            break;
        }
    }
    return true;
}

/* ---- comparisons across date, timestamp and timestamptz (no cast, so no range error) ---- */

static int sql_dt_cross_cmp(const sql_datetime_ctx *c, uint32_t ta, int64_t a, uint32_t tb,
                            int64_t b) {
    if (ta == SQL_T_DATE) {
        return tb == SQL_T_TIMESTAMP ? sql_date_cmp_timestamp((sql_date)a, b)
                                     : sql_date_cmp_timestamptz(c, (sql_date)a, b);
    }
    if (tb == SQL_T_DATE) return -sql_dt_cross_cmp(c, tb, b, ta, a);
    if (ta == SQL_T_TIMESTAMP) return sql_timestamp_cmp_timestamptz(c, a, b);
    return -sql_timestamp_cmp_timestamptz(c, b, a);
}

typedef enum sql_dt_cmp_op { DCMP_EQ, DCMP_NE, DCMP_LT, DCMP_LE, DCMP_GT, DCMP_GE } sql_dt_cmp_op;

static bool sql_dt_cross(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, sql_dt_cmp_op op) {
    sql_datetime_ctx c = sql_dtf_ctx(f);
    uint32_t ta = args[0]->type_oid, tb = args[1]->type_oid;
    SQL_FOR_ACTIVE(i) {
        int r = sql_dt_cross_cmp(&c, ta, args[0]->i64[i], tb, args[1]->i64[i]);
        bool v = false;
        switch (op) {
        case DCMP_EQ: v = r == 0; break;
        case DCMP_NE: v = r != 0; break;
        case DCMP_LT: v = r < 0; break;
        case DCMP_LE: v = r <= 0; break;
        case DCMP_GT: v = r > 0; break;
        case DCMP_GE: v = r >= 0; break;
        }
        out->i64[i] = v;
    }
    return true;
}
#define SQL_DT_CROSS(name, op)                                                               \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_dt_cross(f, n, active, args, out, op);                                    \
    }
SQL_DT_CROSS(sql_fn_dt_eq, DCMP_EQ)
SQL_DT_CROSS(sql_fn_dt_ne, DCMP_NE)
SQL_DT_CROSS(sql_fn_dt_lt, DCMP_LT)
SQL_DT_CROSS(sql_fn_dt_le, DCMP_LE)
SQL_DT_CROSS(sql_fn_dt_gt, DCMP_GT)
SQL_DT_CROSS(sql_fn_dt_ge, DCMP_GE)

static const struct {
    const char *sym, *commutator, *negator, *suffix;
    sql_kernel fn;
} sql_dt_cross_ops[] = {
    {"=", "=", "<>", "eq", sql_fn_dt_eq}, {"<>", "<>", "=", "ne", sql_fn_dt_ne},
    {"<", ">", ">=", "lt", sql_fn_dt_lt}, {"<=", ">=", ">", "le", sql_fn_dt_le},
    {">", "<", "<=", "gt", sql_fn_dt_gt}, {">=", "<=", "<", "ge", sql_fn_dt_ge},
};

/* PostgreSQL's cross-type pairs and their function name stems (date_lt_timestamp...). */
static const struct {
    uint32_t a, b;
    const char *stem_a, *stem_b;
} sql_dt_cross_pairs[] = {
    {SQL_T_DATE, SQL_T_TIMESTAMP, "date", "timestamp"},
    {SQL_T_DATE, SQL_T_TIMESTAMPTZ, "date", "timestamptz"},
    {SQL_T_TIMESTAMP, SQL_T_DATE, "timestamp", "date"},
    {SQL_T_TIMESTAMPTZ, SQL_T_DATE, "timestamptz", "date"},
    {SQL_T_TIMESTAMP, SQL_T_TIMESTAMPTZ, "timestamp", "timestamptz"},
    {SQL_T_TIMESTAMPTZ, SQL_T_TIMESTAMP, "timestamptz", "timestamp"},
};

#define SQL_DT_CROSS_OPS (sizeof sql_dt_cross_ops / sizeof sql_dt_cross_ops[0])
#define SQL_DT_CROSS_PAIRS (sizeof sql_dt_cross_pairs / sizeof sql_dt_cross_pairs[0])

static sql_func_def sql_dt_cross_defs[SQL_DT_CROSS_OPS * SQL_DT_CROSS_PAIRS];
static char sql_dt_cross_names[SQL_DT_CROSS_OPS * SQL_DT_CROSS_PAIRS][32];

static void sql_funcs_register_dt_cross(void) {
    uint32_t k = 0;
    for (uint32_t p = 0; p < SQL_DT_CROSS_PAIRS; p++) {
        for (uint32_t o = 0; o < SQL_DT_CROSS_OPS; o++, k++) {
            snprintf(sql_dt_cross_names[k], sizeof sql_dt_cross_names[k], "%s_%s_%s",
                     sql_dt_cross_pairs[p].stem_a, sql_dt_cross_ops[o].suffix,
                     sql_dt_cross_pairs[p].stem_b);
            sql_dt_cross_defs[k] = (sql_func_def){
                .name = sql_dt_cross_ops[o].sym, .is_operator = true, .nargs = 2,
                .args = {sql_dt_cross_pairs[p].a, sql_dt_cross_pairs[p].b}, .ret = SQL_T_BOOL,
                .flags = SQL_F_STRICT | SQL_F_STABLE, .fn = sql_dt_cross_ops[o].fn,
                .commutator = sql_dt_cross_ops[o].commutator,
                .negator = sql_dt_cross_ops[o].negator, .proname = sql_dt_cross_names[k]};
        }
    }
    sql_funcs_register(sql_dt_cross_defs, k);
}

/* ---- registration ---- */

#define DT SQL_T_DATE
#define TM SQL_T_TIME
#define TTZ SQL_T_TIMETZ
#define TS SQL_T_TIMESTAMP
#define TSZ SQL_T_TIMESTAMPTZ
#define IV SQL_T_INTERVAL
#define I4 SQL_T_INT4
#define F8 SQL_T_FLOAT8
#define TX SQL_T_TEXT
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define STB (SQL_F_STRICT | SQL_F_STABLE)
#define OP(sym, l, r, res, k, pro) {.name = sym, .is_operator = true, .nargs = 2,              \
                                    .args = {l, r}, .ret = res, .flags = ST, .fn = k,        \
                                    .proname = pro}
#define OPS(sym, l, r, res, k, pro) {.name = sym, .is_operator = true, .nargs = 2,             \
                                     .args = {l, r}, .ret = res, .flags = STB, .fn = k,      \
                                     .proname = pro}
#define FN(nm, r, fl, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,     \
                               .args = {__VA_ARGS__}, .ret = r, .flags = fl, .fn = k}
#define FN0(nm, r, fl, k) {.name = nm, .nargs = 0, .ret = r, .flags = fl, .fn = k}
#define SRF(nm, r, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,         \
                            .args = {__VA_ARGS__}, .ret = r, .flags = SQL_F_STRICT | SQL_F_SRF, \
                            .fn = sql_func_srf_scalar, .srf = k}

static const sql_func_def sql_datetime_defs[] = {
    OP("+", DT, I4, DT, sql_fn_dt_add, "date_pli"),
    OP("+", I4, DT, DT, sql_fn_dt_add, "integer_pl_date"),
    OP("-", DT, I4, DT, sql_fn_dt_sub, "date_mii"), OP("-", DT, DT, I4, sql_fn_dt_sub, "date_mi"),
    OP("+", DT, IV, TS, sql_fn_dt_add, "date_pl_interval"),
    OP("+", IV, DT, TS, sql_fn_dt_add, "interval_pl_date"),
    OP("-", DT, IV, TS, sql_fn_dt_sub, "date_mi_interval"),
    OP("+", DT, TM, TS, sql_fn_dt_add, "datetime_pl"),
    OP("+", TM, DT, TS, sql_fn_dt_add, "timedate_pl"),
    OP("+", DT, TTZ, TSZ, sql_fn_dt_add, "datetimetz_pl"),
    OP("+", TS, IV, TS, sql_fn_dt_add, "timestamp_pl_interval"),
    OP("+", IV, TS, TS, sql_fn_dt_add, "interval_pl_timestamp"),
    OP("-", TS, IV, TS, sql_fn_dt_sub, "timestamp_mi_interval"),
    OP("-", TS, TS, IV, sql_fn_dt_sub, "timestamp_mi"),
    OPS("+", TSZ, IV, TSZ, sql_fn_dt_add, "timestamptz_pl_interval"),
    OPS("+", IV, TSZ, TSZ, sql_fn_dt_add, "interval_pl_timestamptz"),
    OPS("-", TSZ, IV, TSZ, sql_fn_dt_sub, "timestamptz_mi_interval"),
    OP("-", TSZ, TSZ, IV, sql_fn_dt_sub, "timestamptz_mi"),
    OP("+", TM, IV, TM, sql_fn_dt_add, "time_pl_interval"),
    OP("+", IV, TM, TM, sql_fn_dt_add, "interval_pl_time"),
    OP("-", TM, IV, TM, sql_fn_dt_sub, "time_mi_interval"),
    OP("-", TM, TM, IV, sql_fn_dt_sub, "time_mi_time"),
    OP("+", TTZ, IV, TTZ, sql_fn_dt_add, "timetz_pl_interval"),
    OP("-", TTZ, IV, TTZ, sql_fn_dt_sub, "timetz_mi_interval"),
    OP("+", IV, IV, IV, sql_fn_dt_add, "interval_pl"),
    OP("-", IV, IV, IV, sql_fn_dt_sub, "interval_mi"),
    {.name = "-", .is_operator = true, .nargs = 1, .args = {IV}, .ret = IV, .flags = ST,
     .fn = sql_fn_iv_neg, .proname = "interval_um"},
    OP("*", IV, F8, IV, sql_fn_iv_mul, "interval_mul"),
    OP("*", F8, IV, IV, sql_fn_iv_mul, "mul_d_interval"),
    OP("/", IV, F8, IV, sql_fn_iv_div, "interval_div"),
    FN("justify_days", IV, ST, sql_fn_justify_days, IV),
    FN("justify_hours", IV, ST, sql_fn_justify_hours, IV),
    FN("justify_interval", IV, ST, sql_fn_justify_interval, IV),
    FN0("now", TSZ, SQL_F_STABLE, sql_fn_now),
    FN0("transaction_timestamp", TSZ, SQL_F_STABLE, sql_fn_now),
    FN0("statement_timestamp", TSZ, SQL_F_STABLE, sql_fn_stmt_ts),
    FN0("clock_timestamp", TSZ, SQL_F_VOLATILE, sql_fn_clock_ts),
    FN0("current_date", DT, SQL_F_STABLE, sql_fn_current_date),
    FN0("current_time", TTZ, SQL_F_STABLE, sql_fn_current_time),
    FN0("localtime", TM, SQL_F_STABLE, sql_fn_localtime),
    FN0("localtimestamp", TS, SQL_F_STABLE, sql_fn_localtimestamp),
    FN0("timeofday", TX, SQL_F_VOLATILE, sql_fn_timeofday),
    FN("extract", SQL_T_NUMERIC, ST, sql_fn_extract, TX, DT),
    FN("extract", SQL_T_NUMERIC, ST, sql_fn_extract, TX, TM),
    FN("extract", SQL_T_NUMERIC, ST, sql_fn_extract, TX, TTZ),
    FN("extract", SQL_T_NUMERIC, ST, sql_fn_extract, TX, TS),
    FN("extract", SQL_T_NUMERIC, STB, sql_fn_extract, TX, TSZ),
    FN("extract", SQL_T_NUMERIC, ST, sql_fn_extract, TX, IV),
    FN("date_part", F8, ST, sql_fn_date_part, TX, DT),
    FN("date_part", F8, ST, sql_fn_date_part, TX, TM),
    FN("date_part", F8, ST, sql_fn_date_part, TX, TTZ),
    FN("date_part", F8, ST, sql_fn_date_part, TX, TS),
    FN("date_part", F8, STB, sql_fn_date_part, TX, TSZ),
    FN("date_part", F8, ST, sql_fn_date_part, TX, IV),
    FN("date_trunc", TS, ST, sql_fn_date_trunc, TX, TS),
    FN("date_trunc", TSZ, STB, sql_fn_date_trunc, TX, TSZ),
    FN("date_trunc", TSZ, ST, sql_fn_date_trunc, TX, TSZ, TX),
    FN("date_trunc", IV, ST, sql_fn_date_trunc, TX, IV),
    FN("date_bin", TS, ST, sql_fn_date_bin, IV, TS, TS),
    FN("date_bin", TSZ, ST, sql_fn_date_bin, IV, TSZ, TSZ),
    FN("age", IV, ST, sql_fn_age, TS, TS), FN("age", IV, STB, sql_fn_age, TSZ, TSZ),
    FN("age", IV, STB, sql_fn_age, TS), FN("age", IV, STB, sql_fn_age, TSZ),
    FN("make_date", DT, ST, sql_fn_make_date, I4, I4, I4),
    FN("make_time", TM, ST, sql_fn_make_time, I4, I4, F8),
    FN("make_timestamp", TS, ST, sql_fn_make_ts, I4, I4, I4, I4, I4, F8),
    FN("make_timestamptz", TSZ, STB, sql_fn_make_ts, I4, I4, I4, I4, I4, F8),
    FN("make_timestamptz", TSZ, STB, sql_fn_make_ts, I4, I4, I4, I4, I4, F8, TX),
    FN0("make_interval", IV, ST, sql_fn_make_interval),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4, I4),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4, I4, I4),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4, I4, I4, I4),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4, I4, I4, I4, I4),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4, I4, I4, I4, I4, I4),
    FN("make_interval", IV, ST, sql_fn_make_interval, I4, I4, I4, I4, I4, I4, F8),
    FN("to_char", TX, ST, sql_fn_dt_to_char, TS, TX),
    FN("to_char", TX, STB, sql_fn_dt_to_char, TSZ, TX),
    FN("to_char", TX, ST, sql_fn_dt_to_char, IV, TX),
    FN("to_date", DT, STB, sql_fn_to_date, TX, TX),
    FN("to_timestamp", TSZ, STB, sql_fn_to_date, TX, TX),
    FN("to_timestamp", TSZ, ST, sql_fn_to_timestamp_unix, F8),
    FN("timezone", TSZ, ST, sql_fn_timezone, TX, TS),
    FN("timezone", TS, ST, sql_fn_timezone, TX, TSZ),
    FN("timezone", TTZ, STB, sql_fn_timezone, TX, TTZ),
    FN("timezone", TSZ, ST, sql_fn_timezone, IV, TS),
    FN("timezone", TS, ST, sql_fn_timezone, IV, TSZ),
    FN("timezone", TTZ, ST, sql_fn_timezone, IV, TTZ),
    FN("isfinite", SQL_T_BOOL, ST, sql_fn_isfinite, DT),
    FN("isfinite", SQL_T_BOOL, ST, sql_fn_isfinite, TS),
    FN("isfinite", SQL_T_BOOL, ST, sql_fn_isfinite, TSZ),
    FN("isfinite", SQL_T_BOOL, ST, sql_fn_isfinite, IV),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TS, TS, TS, TS),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TSZ, TSZ, TSZ, TSZ),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TM, TM, TM, TM),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TS, IV, TS, IV),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TS, TS, TS, IV),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TS, IV, TS, TS),
    FN("overlaps", SQL_T_BOOL, SQL_F_STABLE, sql_fn_overlaps, TSZ, IV, TSZ, IV),
    FN("overlaps", SQL_T_BOOL, SQL_F_STABLE, sql_fn_overlaps, TSZ, TSZ, TSZ, IV),
    FN("overlaps", SQL_T_BOOL, SQL_F_STABLE, sql_fn_overlaps, TSZ, IV, TSZ, TSZ),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TM, IV, TM, IV),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TM, TM, TM, IV),
    FN("overlaps", SQL_T_BOOL, 0, sql_fn_overlaps, TM, IV, TM, TM),
    SRF("generate_series", TS, sql_dt_series_srf, TS, TS, IV),
    SRF("generate_series", TSZ, sql_dt_series_srf, TSZ, TSZ, IV),
};

void sql_funcs_register_datetime(void) {
    sql_funcs_register(sql_datetime_defs, sizeof sql_datetime_defs / sizeof sql_datetime_defs[0]);
    sql_funcs_register_dt_cross();
}
