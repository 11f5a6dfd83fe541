/* sql_datetime_arith.c: typmods, range checks of received values, casts between the
 * date/time types, and date/timestamp arithmetic. */
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* ---- typmods ------------------------------------------------------------------------------ */

bool sql_datetime_typmod_make(const char *type_name, bool with_tz, int32_t precision,
                              int32_t *typmod, bool *reduced, rt_err *err) {
    *reduced = false;
    if (precision < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "%s(%d)%s precision must not be negative", type_name, precision,
                          with_tz ? " WITH TIME ZONE" : "");
    }
    if (precision > SQL_DATETIME_PRECISION_MAX) {
        *reduced = true; /* PostgreSQL warns "... precision reduced to maximum allowed, 6" */
        precision = SQL_DATETIME_PRECISION_MAX;
    }
    *typmod = precision;
    return true;
}

bool sql_timestamp_apply_typmod(sql_timestamp *value, int32_t typmod, rt_err *err) {
    if (!sql_timestamp_is_finite(*value) || typmod == -1 || typmod == SQL_DATETIME_PRECISION_MAX)
        return true;
    if (typmod < 0 || typmod > SQL_DATETIME_PRECISION_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "timestamp(%d) precision must be between %d and %d", typmod, 0,
                          SQL_DATETIME_PRECISION_MAX);
    }
    /* No range check after rounding, as in PostgreSQL 15: 294276-12-31 23:59:59.999999
     * rounded to whole seconds is 294277-01-01 00:00:00. */
    *value = sql_dt_round_time(*value, typmod);
    return true;
}

sql_time sql_time_apply_typmod(sql_time value, int32_t typmod) {
    if (typmod < 0 || typmod > SQL_DATETIME_PRECISION_MAX) return value;
    return sql_dt_round_time(value, typmod);
}

sql_timetz sql_timetz_apply_typmod(sql_timetz value, int32_t typmod) {
    value.time_us = sql_time_apply_typmod(value.time_us, typmod);
    return value;
}

/* ---- received values ---------------------------------------------------------------------- */

bool sql_date_recv_check(sql_date value, rt_err *err) {
    if (sql_date_is_finite(value) && !sql_dt_date_ok(value)) return sql_dt_err_date_range(err);
    return true;
}

bool sql_time_recv_check(sql_time value, rt_err *err) {
    if (value < 0 || value > DT_USECS_PER_DAY)
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "time out of range");
    return true;
}

bool sql_timetz_recv_check(sql_timetz value, rt_err *err) {
    if (!sql_time_recv_check(value.time_us, err)) return false;
    if (value.zone_s <= -DT_TZDISP_LIMIT || value.zone_s >= DT_TZDISP_LIMIT) {
        return rt_err_set(err, SQLSTATE_INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                          "time zone displacement out of range");
    }
    return true;
}

bool sql_timestamp_recv_check(sql_timestamp value, rt_err *err) {
    if (sql_timestamp_is_finite(value) && !sql_dt_timestamp_ok(value))
        return sql_dt_err_timestamp_range(err);
    return true;
}

/* ---- comparisons ---------------------------------------------------------------------------- */

int sql_timetz_cmp(sql_timetz a, sql_timetz b) {
    /* By the instant first; equal instants in different zones are still different values. */
    int64_t x = a.time_us + (int64_t)a.zone_s * DT_USECS_PER_SEC;
    int64_t y = b.time_us + (int64_t)b.zone_s * DT_USECS_PER_SEC;
    if (x != y) return x < y ? -1 : 1;
    return a.zone_s < b.zone_s ? -1 : a.zone_s > b.zone_s ? 1 : 0;
}

uint64_t sql_timetz_hash(sql_timetz value) {
    uint64_t h = (uint64_t)value.time_us * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)(uint32_t)value.zone_s * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 29;
    return h * 0xbf58476d1ce4e5b9ull;
}

static int dt_cmp64(int64_t a, int64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

/* A date as a timestamp, or +1/-1 when it lies beyond the finite timestamps. */
static int64_t dt_date_ts(sql_date d, int *overflow) {
    *overflow = 0;
    if (d == SQL_DATE_NOBEGIN) return SQL_TIMESTAMP_NOBEGIN;
    if (d == SQL_DATE_NOEND) return SQL_TIMESTAMP_NOEND;
    if (d >= DT_TIMESTAMP_END_JULIAN - DT_POSTGRES_EPOCH_JDATE) {
        *overflow = 1;
        return 0;
    }
    return (int64_t)d * DT_USECS_PER_DAY;
}

int sql_date_cmp_timestamp(sql_date a, sql_timestamp b) {
    int overflow;
    int64_t t = dt_date_ts(a, &overflow);
    if (overflow > 0) return b == SQL_TIMESTAMP_NOEND ? -1 : 1;
    return dt_cmp64(t, b);
}

/* Midnight of a date in the session zone; overflow -1/+1 beyond the finite range. */
static int64_t dt_date_tstz(const sql_datetime_ctx *ctx, sql_date d, int *overflow) {
    int64_t t = dt_date_ts(d, overflow);
    if (*overflow != 0 || !sql_date_is_finite(d)) return t;
    dt_tm tm;
    memset(&tm, 0, sizeof(tm));
    sql_dt_j2date((int64_t)d + DT_POSTGRES_EPOCH_JDATE, &tm.year, &tm.mon, &tm.mday);
    t -= (int64_t)sql_dt_local_offset(&tm, ctx->tz) * DT_USECS_PER_SEC;
    if (t < DT_MIN_TIMESTAMP) *overflow = -1;
    else if (t >= DT_END_TIMESTAMP) *overflow = 1;
    return t;
}

int sql_date_cmp_timestamptz(const sql_datetime_ctx *ctx, sql_date a, sql_timestamptz b) {
    int overflow;
    int64_t t = dt_date_tstz(ctx, a, &overflow);
    if (overflow > 0) return b == SQL_TIMESTAMP_NOEND ? -1 : 1;
    if (overflow < 0) return b == SQL_TIMESTAMP_NOBEGIN ? 1 : -1;
    return dt_cmp64(t, b);
}

int sql_timestamp_cmp_timestamptz(const sql_datetime_ctx *ctx, sql_timestamp a,
                                  sql_timestamptz b) {
    if (!sql_timestamp_is_finite(a)) return dt_cmp64(a, b);
    dt_tm tm;
    if (!sql_dt_ts2tm(a, NULL, &tm)) return a < 0 ? (b == SQL_TIMESTAMP_NOBEGIN ? 1 : -1)
                                                  : (b == SQL_TIMESTAMP_NOEND ? -1 : 1);
    int32_t off = sql_dt_local_offset(&tm, ctx->tz);
    int64_t t = a - (int64_t)off * DT_USECS_PER_SEC;
    if (t < DT_MIN_TIMESTAMP) return b == SQL_TIMESTAMP_NOBEGIN ? 1 : -1;
    if (t >= DT_END_TIMESTAMP) return b == SQL_TIMESTAMP_NOEND ? -1 : 1;
    return dt_cmp64(t, b);
}

/* ---- casts -------------------------------------------------------------------------------- */

static bool dt_err_date_for_ts(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range for timestamp");
}

bool sql_date_to_timestamp(sql_date d, sql_timestamp *out, rt_err *err) {
    int overflow;
    *out = dt_date_ts(d, &overflow);
    return overflow == 0 ? true : dt_err_date_for_ts(err);
}

bool sql_date_to_timestamptz(const sql_datetime_ctx *ctx, sql_date d, sql_timestamptz *out,
                             rt_err *err) {
    int overflow;
    *out = dt_date_tstz(ctx, d, &overflow);
    return overflow == 0 ? true : dt_err_date_for_ts(err);
}

static bool dt_ts_to_date(int64_t ts, const sql_tz *tz, sql_date *out, rt_err *err) {
    if (ts == SQL_TIMESTAMP_NOBEGIN) return *out = SQL_DATE_NOBEGIN, true;
    if (ts == SQL_TIMESTAMP_NOEND) return *out = SQL_DATE_NOEND, true;
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, tz, &tm)) return sql_dt_err_timestamp_range(err);
    *out = (sql_date)(sql_dt_date2j(tm.year, tm.mon, tm.mday) - DT_POSTGRES_EPOCH_JDATE);
    return true;
}

bool sql_timestamp_to_date(sql_timestamp ts, sql_date *out, rt_err *err) {
    return dt_ts_to_date(ts, NULL, out, err);
}

bool sql_timestamptz_to_date(const sql_datetime_ctx *ctx, sql_timestamptz ts, sql_date *out,
                             rt_err *err) {
    return dt_ts_to_date(ts, ctx->tz, out, err);
}

bool sql_timestamp_to_timestamptz(const sql_datetime_ctx *ctx, sql_timestamp ts,
                                  sql_timestamptz *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true;
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, NULL, &tm)) return sql_dt_err_timestamp_range(err);
    int32_t off = sql_dt_local_offset(&tm, ctx->tz);
    if (!sql_dt_tm2ts(&tm, off, out)) return sql_dt_err_timestamp_range(err);
    return true;
}

bool sql_timestamptz_to_timestamp(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                  sql_timestamp *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true;
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, ctx->tz, &tm) || !sql_dt_tm2ts(&tm, 0, out))
        return sql_dt_err_timestamp_range(err);
    return true;
}

static bool dt_ts_to_time(int64_t ts, const sql_tz *tz, dt_tm *tm, bool *is_null, rt_err *err) {
    *is_null = !sql_timestamp_is_finite(ts);
    if (*is_null) return true;
    if (!sql_dt_ts2tm(ts, tz, tm)) return sql_dt_err_timestamp_range(err);
    return true;
}

bool sql_timestamp_to_time(sql_timestamp ts, sql_time *out, bool *is_null, rt_err *err) {
    dt_tm tm;
    if (!dt_ts_to_time(ts, NULL, &tm, is_null, err)) return false;
    if (!*is_null) *out = sql_dt_tm2time(&tm);
    return true;
}

bool sql_timestamptz_to_time(const sql_datetime_ctx *ctx, sql_timestamptz ts, sql_time *out,
                             bool *is_null, rt_err *err) {
    dt_tm tm;
    if (!dt_ts_to_time(ts, ctx->tz, &tm, is_null, err)) return false;
    if (!*is_null) *out = sql_dt_tm2time(&tm);
    return true;
}

bool sql_timestamptz_to_timetz(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                               sql_timetz *out, bool *is_null, rt_err *err) {
    dt_tm tm;
    if (!dt_ts_to_time(ts, ctx->tz, &tm, is_null, err)) return false;
    if (!*is_null) *out = (sql_timetz){sql_dt_tm2time(&tm), -tm.gmtoff};
    return true;
}

sql_timetz sql_time_to_timetz(const sql_datetime_ctx *ctx, sql_time t) {
    dt_tm tm;
    sql_dt_now_tm(ctx, &tm);
    sql_dt_time2tm(t, &tm);
    return (sql_timetz){t, -sql_dt_local_offset(&tm, ctx->tz)};
}

sql_time sql_timetz_to_time(sql_timetz t) { return t.time_us; }

/* ---- date arithmetic ----------------------------------------------------------------------- */

bool sql_date_pl_days(sql_date d, int32_t days, sql_date *out, rt_err *err) {
    if (!sql_date_is_finite(d)) return *out = d, true;
    int64_t r = (int64_t)d + days;
    if (!sql_dt_date_ok(r)) return sql_dt_err_date_range(err);
    *out = (sql_date)r;
    return true;
}

bool sql_date_mi_days(sql_date d, int32_t days, sql_date *out, rt_err *err) {
    if (!sql_date_is_finite(d)) return *out = d, true;
    int64_t r = (int64_t)d - days;
    if (!sql_dt_date_ok(r)) return sql_dt_err_date_range(err);
    *out = (sql_date)r;
    return true;
}

bool sql_date_mi_date(sql_date a, sql_date b, int32_t *days, rt_err *err) {
    if (!sql_date_is_finite(a) || !sql_date_is_finite(b))
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite dates");
    *days = a - b;
    return true;
}

bool sql_date_pl_time(sql_date d, sql_time t, sql_timestamp *out, rt_err *err) {
    if (!sql_date_to_timestamp(d, out, err)) return false;
    if (!sql_timestamp_is_finite(*out)) return true;
    *out += t;
    if (!sql_dt_timestamp_ok(*out)) return sql_dt_err_timestamp_range(err);
    return true;
}

bool sql_date_pl_interval(sql_date d, sql_interval iv, sql_timestamp *out, rt_err *err) {
    sql_timestamp ts;
    return sql_date_to_timestamp(d, &ts, err) && sql_timestamp_pl_interval(ts, iv, out, err);
}

bool sql_date_mi_interval(sql_date d, sql_interval iv, sql_timestamp *out, rt_err *err) {
    sql_timestamp ts;
    return sql_date_to_timestamp(d, &ts, err) && sql_timestamp_mi_interval(ts, iv, out, err);
}

bool sql_date_pl_timetz(sql_date d, sql_timetz t, sql_timestamptz *out, rt_err *err) {
    if (d == SQL_DATE_NOBEGIN) return *out = SQL_TIMESTAMP_NOBEGIN, true;
    if (d == SQL_DATE_NOEND) return *out = SQL_TIMESTAMP_NOEND, true;
    if (d >= DT_TIMESTAMP_END_JULIAN - DT_POSTGRES_EPOCH_JDATE) return dt_err_date_for_ts(err);
    int64_t r = (int64_t)d * DT_USECS_PER_DAY + t.time_us + (int64_t)t.zone_s * DT_USECS_PER_SEC;
    if (!sql_dt_timestamp_ok(r)) return dt_err_date_for_ts(err);
    *out = r;
    return true;
}

/* ---- timestamp +/- interval ----------------------------------------------------------------- */

/* Adds months to broken-down fields, clamping the day to the new month's length. */
static void dt_tm_add_months(dt_tm *tm, int32_t months) {
    int64_t m = (int64_t)tm->mon - 1 + months;
    int64_t years = sql_dt_floor_div(m, 12);
    tm->year = (int32_t)(tm->year + years);
    tm->mon = (int32_t)(m - years * 12 + 1);
    int32_t last = sql_dt_month_days(tm->year, tm->mon);
    if (tm->mday > last) tm->mday = last;
}

/* Months, then days, then time. With a zone, the calendar steps happen in local time and
 * the offset is recomputed after each (adding a day across DST keeps the wall clock). */
static bool dt_ts_add(int64_t ts, sql_interval iv, const sql_tz *tz, int64_t *out,
                      rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true;
    dt_tm tm;
    if (iv.months != 0) {
        if (!sql_dt_ts2tm(ts, tz, &tm)) return sql_dt_err_timestamp_range(err);
        int64_t year = (int64_t)tm.year + ((int64_t)tm.mon - 1 + iv.months) / 12;
        if (year > INT32_MAX / 2 || year < INT32_MIN / 2) return sql_dt_err_timestamp_range(err);
        dt_tm_add_months(&tm, iv.months);
        int32_t off = tz != NULL ? sql_dt_local_offset(&tm, tz) : 0;
        if (!sql_dt_tm2ts(&tm, off, &ts)) return sql_dt_err_timestamp_range(err);
    }
    if (iv.days != 0) {
        if (!sql_dt_ts2tm(ts, tz, &tm)) return sql_dt_err_timestamp_range(err);
        int64_t jd = sql_dt_date2j(tm.year, tm.mon, tm.mday) + iv.days;
        sql_dt_j2date(jd, &tm.year, &tm.mon, &tm.mday);
        int32_t off = tz != NULL ? sql_dt_local_offset(&tm, tz) : 0;
        if (!sql_dt_tm2ts(&tm, off, &ts)) return sql_dt_err_timestamp_range(err);
    }
    if (__builtin_add_overflow(ts, iv.time_us, &ts) || !sql_dt_timestamp_ok(ts))
        return sql_dt_err_timestamp_range(err);
    *out = ts;
    return true;
}

/* Negates the way PostgreSQL 15 does for timestamp - interval: a field at its minimum wraps
 * to itself (two's complement), which then fails as "timestamp out of range". */
static bool dt_neg(sql_interval iv, sql_interval *out, rt_err *err) {
    (void)err;
    out->months = (int32_t)(0u - (uint32_t)iv.months);
    out->days = (int32_t)(0u - (uint32_t)iv.days);
    out->time_us = (int64_t)(0u - (uint64_t)iv.time_us);
    return true;
}

bool sql_timestamp_pl_interval(sql_timestamp ts, sql_interval iv, sql_timestamp *out,
                               rt_err *err) {
    return dt_ts_add(ts, iv, NULL, out, err);
}

bool sql_timestamp_mi_interval(sql_timestamp ts, sql_interval iv, sql_timestamp *out,
                               rt_err *err) {
    sql_interval neg;
    return dt_neg(iv, &neg, err) && dt_ts_add(ts, neg, NULL, out, err);
}

bool sql_timestamptz_pl_interval(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                 sql_interval iv, sql_timestamptz *out, rt_err *err) {
    return dt_ts_add(ts, iv, ctx->tz, out, err);
}

bool sql_timestamptz_mi_interval(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                 sql_interval iv, sql_timestamptz *out, rt_err *err) {
    sql_interval neg;
    return dt_neg(iv, &neg, err) && dt_ts_add(ts, neg, ctx->tz, out, err);
}

bool sql_timestamp_mi(sql_timestamp a, sql_timestamp b, sql_interval *out, rt_err *err) {
    if (!sql_timestamp_is_finite(a) || !sql_timestamp_is_finite(b)) {
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "cannot subtract infinite timestamps");
    }
    sql_interval d = {0, 0, 0};
    if (__builtin_sub_overflow(a, b, &d.time_us)) return sql_dt_err_interval_range(err);
    /* PostgreSQL folds whole 24-hour days into the day field (justify_hours). */
    return sql_interval_justify_hours(d, out, err);
}
