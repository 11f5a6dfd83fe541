/* sql_datetime_func.c: date_trunc, date_bin, age, make_*, to_timestamp(float8),
 * AT TIME ZONE and current_date. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* ---- zones named in SQL ------------------------------------------------------------------- */

/* AT TIME ZONE and date_trunc's zone: an abbreviation first ("EST" is the fixed -05 offset
 * even though a zone file of that name exists), then a zone name or POSIX string. */
bool sql_dt_zone_parse(const char *zone, size_t len, dt_zone *out, rt_err *err) {
    memset(out, 0, sizeof(*out));
    const sql_tz_abbrev *ab = sql_tz_abbrev_find(zone, len);
    if (ab != NULL && ab->zone_name == NULL) {
        out->gmtoff = ab->utc_offset_s;
        return true;
    }
    if (ab != NULL) {
        out->dyn_abbrev = ab;
        return sql_tz_load(ab->zone_name, strlen(ab->zone_name), &out->tz, err);
    }
    return sql_tz_load(zone, len, &out->tz, err);
}

bool sql_dt_zone_offset_utc(const dt_zone *z, int64_t ts, int32_t *gmtoff, rt_err *err) {
    if (z->tz == NULL) return *gmtoff = z->gmtoff, true;
    int64_t unix_s = sql_dt_floor_div(ts, DT_USECS_PER_SEC) + SQL_EPOCH_UNIX_S;
    if (z->dyn_abbrev != NULL) {
        bool dst;
        return sql_tz_abbrev_resolve(z->dyn_abbrev, unix_s, gmtoff, &dst, err);
    }
    sql_tz_local loc;
    sql_tz_at(z->tz, unix_s, &loc);
    *gmtoff = loc.utc_offset_s;
    return true;
}

bool sql_dt_zone_offset_local(const dt_zone *z, dt_tm *tm, int32_t *gmtoff, rt_err *err) {
    if (z->tz == NULL) return *gmtoff = z->gmtoff, true;
    if (z->dyn_abbrev == NULL) return *gmtoff = sql_dt_local_offset(tm, z->tz), true;
    int64_t local = 0;
    if (sql_dt_julian_ok(tm->year, tm->mon, tm->mday))
        local = (sql_dt_date2j(tm->year, tm->mon, tm->mday) - DT_UNIX_EPOCH_JDATE) *
                    DT_SECS_PER_DAY + tm->hour * 3600 + tm->min * 60 + tm->sec;
    bool dst;
    return sql_tz_abbrev_resolve_local(z->dyn_abbrev, local, gmtoff, &dst, err);
}

bool sql_timestamp_at_zone(const char *zone, size_t zone_len, sql_timestamp ts,
                           sql_timestamptz *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true; /* before the zone lookup */
    dt_zone z;
    if (!sql_dt_zone_parse(zone, zone_len, &z, err)) return false;
    dt_tm tm;
    int32_t off;
    if (!sql_dt_ts2tm(ts, NULL, &tm)) return sql_dt_err_timestamp_range(err);
    if (!sql_dt_zone_offset_local(&z, &tm, &off, err)) return false;
    int64_t r = ts - (int64_t)off * DT_USECS_PER_SEC;
    if (!sql_dt_timestamp_ok(r)) return sql_dt_err_timestamp_range(err);
    *out = r;
    return true;
}

bool sql_timestamptz_at_zone(const char *zone, size_t zone_len, sql_timestamptz ts,
                             sql_timestamp *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true; /* before the zone lookup */
    dt_zone z;
    if (!sql_dt_zone_parse(zone, zone_len, &z, err)) return false;
    int32_t off;
    if (!sql_dt_zone_offset_utc(&z, ts, &off, err)) return false;
    int64_t r = ts + (int64_t)off * DT_USECS_PER_SEC;
    if (!sql_dt_timestamp_ok(r)) return sql_dt_err_timestamp_range(err);
    *out = r;
    return true;
}

static sql_timetz dt_timetz_rezone(sql_timetz t, int32_t zone_west) {
    int64_t r = t.time_us + (int64_t)(t.zone_s - zone_west) * DT_USECS_PER_SEC;
    r %= DT_USECS_PER_DAY;
    if (r < 0) r += DT_USECS_PER_DAY;
    return (sql_timetz){r, zone_west};
}

/* A time has no date, so a zone's offset is taken as of now (the transaction start). */
bool sql_timetz_at_zone(const sql_datetime_ctx *ctx, const char *zone, size_t zone_len,
                        sql_timetz t, sql_timetz *out, rt_err *err) {
    dt_zone z;
    int32_t off;
    if (!sql_dt_zone_parse(zone, zone_len, &z, err)) return false;
    if (!sql_dt_zone_offset_utc(&z, ctx->now, &off, err)) return false;
    *out = dt_timetz_rezone(t, -off);
    return true;
}

static bool dt_izone_check(const sql_datetime_ctx *ctx, sql_interval zone, rt_err *err) {
    if (zone.months == 0 && zone.days == 0) return true;
    char text[SQL_DATETIME_TEXT_BYTES_MAX];
    sql_interval_out(ctx, zone, text);
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "interval time zone \"%s\" must not include months or days", text);
}

bool sql_timestamp_at_izone(const sql_datetime_ctx *ctx, sql_interval zone, sql_timestamp ts,
                            sql_timestamptz *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true;
    if (!dt_izone_check(ctx, zone, err)) return false;
    int64_t r = ts - (zone.time_us / DT_USECS_PER_SEC) * DT_USECS_PER_SEC;
    if (!sql_dt_timestamp_ok(r)) return sql_dt_err_timestamp_range(err);
    *out = r;
    return true;
}

bool sql_timestamptz_at_izone(const sql_datetime_ctx *ctx, sql_interval zone,
                              sql_timestamptz ts, sql_timestamp *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true;
    if (!dt_izone_check(ctx, zone, err)) return false;
    int64_t r = ts + (zone.time_us / DT_USECS_PER_SEC) * DT_USECS_PER_SEC;
    if (!sql_dt_timestamp_ok(r)) return sql_dt_err_timestamp_range(err);
    *out = r;
    return true;
}

bool sql_timetz_at_izone(const sql_datetime_ctx *ctx, sql_interval zone, sql_timetz t,
                         sql_timetz *out, rt_err *err) {
    if (!dt_izone_check(ctx, zone, err)) return false;
    *out = dt_timetz_rezone(t, (int32_t)-(zone.time_us / DT_USECS_PER_SEC));
    return true;
}

/* ---- date_trunc --------------------------------------------------------------------------- */

/* Truncates broken-down fields to `unit`; false for units date_trunc does not support. Years
 * BC are handled so that centuries and millennia start on year 1 like PostgreSQL's. */
static bool dt_trunc_tm(int unit, dt_tm *tm) {
    switch (unit) {
    case DT_U_WEEK: {
        int32_t week = sql_dt_iso_week(tm->year, tm->mon, tm->mday);
        int32_t iy = tm->year;
        if (week >= 52 && tm->mon == 1) iy--;
        if (week <= 1 && tm->mon == 12) iy++;
        sql_dt_j2date(sql_dt_iso_week1(iy) + (int64_t)(week - 1) * 7, &tm->year, &tm->mon,
                      &tm->mday);
        tm->hour = tm->min = tm->sec = tm->usec = 0;
        return true;
    }
    case DT_U_MILLENNIUM:
        tm->year = tm->year > 0 ? ((tm->year + 999) / 1000) * 1000 - 999
                                : -((999 - (tm->year - 1)) / 1000) * 1000 + 1;
        break;
    case DT_U_CENTURY:
        tm->year = tm->year > 0 ? ((tm->year + 99) / 100) * 100 - 99
                                : -((99 - (tm->year - 1)) / 100) * 100 + 1;
        break;
    case DT_U_DECADE:
        tm->year = tm->year > 0 ? (tm->year / 10) * 10 : -((8 - (tm->year - 1)) / 10) * 10;
        break;
    case DT_U_YEAR:
    case DT_U_QUARTER:
    case DT_U_MONTH:
    case DT_U_DAY:
    case DT_U_HOUR:
    case DT_U_MINUTE:
    case DT_U_SECOND:
    case DT_U_MILLISEC:
    case DT_U_MICROSEC: break;
    default: return false;
    }
    /* Everything below the unit goes to its start. */
    bool below_year = unit == DT_U_MILLENNIUM || unit == DT_U_CENTURY || unit == DT_U_DECADE ||
                      unit == DT_U_YEAR;
    if (below_year) tm->mon = 1;
    if (below_year || unit == DT_U_QUARTER) tm->mon = 3 * ((tm->mon - 1) / 3) + 1;
    if (below_year || unit == DT_U_QUARTER || unit == DT_U_MONTH) tm->mday = 1;
    bool day = below_year || unit == DT_U_QUARTER || unit == DT_U_MONTH || unit == DT_U_DAY;
    if (day) tm->hour = 0;
    if (day || unit == DT_U_HOUR) tm->min = 0;
    if (day || unit == DT_U_HOUR || unit == DT_U_MINUTE) tm->sec = 0;
    if (day || unit == DT_U_HOUR || unit == DT_U_MINUTE || unit == DT_U_SECOND) tm->usec = 0;
    if (unit == DT_U_MILLISEC) tm->usec = (tm->usec / 1000) * 1000;
    return true;
}

/* date_trunc's units are interval units only ("dow", "epoch", "julian" are not). */
static int dt_trunc_unit(const char *unit, size_t len, char *lower) {
    int32_t val;
    size_t n = len > 63 ? 63 : len;
    for (size_t i = 0; i < n; i++) lower[i] = (char)tolower((uint8_t)unit[i]);
    lower[n] = '\0';
    if (memchr(unit, '\0', len) != NULL) return -1;
    return sql_dt_unit_word(lower, &val) == DT_K_UNITS ? val : -1;
}

bool sql_timestamp_trunc(const char *unit, size_t unit_len, sql_timestamp ts,
                         sql_timestamp *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true;
    char lower[64];
    int u = dt_trunc_unit(unit, unit_len, lower);
    if (u < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "unit \"%s\" not recognized for type %s", lower,
                          "timestamp without time zone");
    }
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, NULL, &tm)) return sql_dt_err_timestamp_range(err);
    if (!dt_trunc_tm(u, &tm)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "unit \"%s\" not supported for type %s", lower,
                          "timestamp without time zone");
    }
    if (!sql_dt_tm2ts(&tm, 0, out)) return sql_dt_err_timestamp_range(err);
    return true;
}

/* The zone argument of date_trunc: a fixed abbreviation becomes a fixed-offset zone, a dynamic
 * one its underlying zone. */
static bool dt_trunc_zone(const sql_datetime_ctx *ctx, const char *zone, size_t len,
                          const sql_tz **tz, rt_err *err) {
    if (zone == NULL) return *tz = ctx->tz, true;
    dt_zone z;
    if (!sql_dt_zone_parse(zone, len, &z, err)) return false;
    if (z.tz != NULL) return *tz = z.tz, true;
    return sql_tz_fixed(z.gmtoff, tz, err);
}

bool sql_timestamptz_trunc(const sql_datetime_ctx *ctx, const char *unit, size_t unit_len,
                           sql_timestamptz ts, const char *zone, size_t zone_len,
                           sql_timestamptz *out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts)) return *out = ts, true; /* before the zone lookup */
    const sql_tz *tz;
    if (!dt_trunc_zone(ctx, zone, zone_len, &tz, err)) return false;
    char lower[64];
    int u = dt_trunc_unit(unit, unit_len, lower);
    if (u < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "unit \"%s\" not recognized for type %s", lower,
                          "timestamp with time zone");
    }
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, tz, &tm)) return sql_dt_err_timestamp_range(err);
    int32_t off = tm.gmtoff;
    if (!dt_trunc_tm(u, &tm)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "unit \"%s\" not supported for type %s", lower,
                          "timestamp with time zone");
    }
    /* From a day up the local midnight may have another offset; below a day the original
     * offset stays (truncating to the hour inside a DST overlap keeps the same instant). */
    if (u != DT_U_HOUR && u != DT_U_MINUTE && u != DT_U_SECOND && u != DT_U_MILLISEC &&
        u != DT_U_MICROSEC)
        off = sql_dt_local_offset(&tm, tz);
    if (!sql_dt_tm2ts(&tm, off, out)) return sql_dt_err_timestamp_range(err);
    return true;
}

bool sql_interval_trunc(const char *unit, size_t unit_len, sql_interval iv, sql_interval *out,
                        rt_err *err) {
    char lower[64];
    int u = dt_trunc_unit(unit, unit_len, lower);
    if (u < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "unit \"%s\" not recognized for type %s", lower, "interval");
    }
    dt_itm t;
    sql_dt_interval2itm(iv, &t);
    switch (u) {
    case DT_U_MILLENNIUM: t.year = (t.year / 1000) * 1000; /* fall through */
    case DT_U_CENTURY: t.year = (t.year / 100) * 100;       /* fall through */
    case DT_U_DECADE: t.year = (t.year / 10) * 10;          /* fall through */
    case DT_U_YEAR: t.mon = 0;                              /* fall through */
    case DT_U_QUARTER: t.mon = 3 * (t.mon / 3);             /* fall through */
    case DT_U_MONTH: t.mday = 0;                            /* fall through */
    case DT_U_DAY: t.hour = 0;                              /* fall through */
    case DT_U_HOUR: t.min = 0;                              /* fall through */
    case DT_U_MINUTE: t.sec = 0;                            /* fall through */
    case DT_U_SECOND: t.usec = 0; break;
    case DT_U_MILLISEC: t.usec = (t.usec / 1000) * 1000; break;
    case DT_U_MICROSEC: break;
    default:
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s",
                   lower, "interval");
        if (u == DT_U_WEEK) rt_err_detail(err, "Months usually have fractional weeks.");
        return false;
    }
    if (!sql_dt_itm2interval(&t, out)) return sql_dt_err_interval_range(err);
    return true;
}

/* ---- date_bin ----------------------------------------------------------------------------- */

bool sql_timestamp_bin(sql_interval stride, sql_timestamp source, sql_timestamp origin,
                       sql_timestamp *out, rt_err *err) {
    if (!sql_timestamp_is_finite(source)) return *out = source, true;
    if (!sql_timestamp_is_finite(origin))
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "origin out of range");
    if (stride.months != 0) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "timestamps cannot be binned into intervals containing months or years");
    }
    int64_t stride_us, diff;
    if (__builtin_mul_overflow((int64_t)stride.days, DT_USECS_PER_DAY, &stride_us) ||
        __builtin_add_overflow(stride_us, stride.time_us, &stride_us))
        return sql_dt_err_interval_range(err);
    if (stride_us <= 0)
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "stride must be greater than zero");
    if (__builtin_sub_overflow(source, origin, &diff)) return sql_dt_err_interval_range(err);
    int64_t mod = diff % stride_us;
    int64_t r = origin + (diff - mod);
    /* Bins are left-closed: before the origin, round toward -infinity, not toward it. */
    if (mod < 0 && (__builtin_sub_overflow(r, stride_us, &r) || !sql_dt_timestamp_ok(r)))
        return sql_dt_err_timestamp_range(err);
    *out = r;
    return true;
}

/* ---- age ----------------------------------------------------------------------------------- */

/* The symbolic difference a - b: field by field, borrowing from the next larger field, with
 * month lengths taken from the earlier of the two dates' months. */
static bool dt_age(int64_t a, int64_t b, const sql_tz *tz, sql_interval *out, rt_err *err) {
    dt_tm t1, t2;
    /* As in PostgreSQL, 'infinity' is not refused here: it breaks down like any int64. */
    if (!sql_dt_ts2tm(a, tz, &t1) || !sql_dt_ts2tm(b, tz, &t2))
        return sql_dt_err_timestamp_range(err);
    bool flip = a < b;
    int s = flip ? -1 : 1;
    int64_t usec = s * ((int64_t)t1.usec - t2.usec);
    int64_t sec = s * (t1.sec - t2.sec), min = s * (t1.min - t2.min);
    int64_t hour = s * (t1.hour - t2.hour), mday = s * (t1.mday - t2.mday);
    int64_t mon = s * (t1.mon - t2.mon), year = s * ((int64_t)t1.year - t2.year);
    while (usec < 0) usec += DT_USECS_PER_SEC, sec--;
    while (sec < 0) sec += 60, min--;
    while (min < 0) min += 60, hour--;
    while (hour < 0) hour += 24, mday--;
    const dt_tm *ref = flip ? &t1 : &t2;
    while (mday < 0) mday += sql_dt_month_days(ref->year, ref->mon), mon--;
    while (mon < 0) mon += 12, year--;
    dt_itm itm = {s * usec, s * hour, (int32_t)(s * min), (int32_t)(s * sec),
                  (int32_t)(s * mday), (int32_t)(s * mon), 0};
    if (year > INT32_MAX || year < INT32_MIN) return sql_dt_err_interval_range(err);
    itm.year = (int32_t)(s * year);
    if (!sql_dt_itm2interval(&itm, out)) return sql_dt_err_interval_range(err);
    return true;
}

bool sql_timestamp_age(sql_timestamp a, sql_timestamp b, sql_interval *out, rt_err *err) {
    return dt_age(a, b, NULL, out, err);
}

bool sql_timestamptz_age(const sql_datetime_ctx *ctx, sql_timestamptz a, sql_timestamptz b,
                         sql_interval *out, rt_err *err) {
    return dt_age(a, b, ctx->tz, out, err);
}

sql_date sql_datetime_current_date(const sql_datetime_ctx *ctx) {
    dt_tm tm;
    sql_dt_now_tm(ctx, &tm);
    return (sql_date)(sql_dt_date2j(tm.year, tm.mon, tm.mday) - DT_POSTGRES_EPOCH_JDATE);
}

bool sql_timestamp_age_current(const sql_datetime_ctx *ctx, sql_timestamp ts, sql_interval *out,
                               rt_err *err) {
    sql_timestamp today;
    return sql_date_to_timestamp(sql_datetime_current_date(ctx), &today, err) &&
           dt_age(today, ts, NULL, out, err);
}

bool sql_timestamptz_age_current(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                 sql_interval *out, rt_err *err) {
    sql_timestamptz today;
    return sql_date_to_timestamptz(ctx, sql_datetime_current_date(ctx), &today, err) &&
           dt_age(today, ts, ctx->tz, out, err);
}

size_t sql_datetime_timeofday(const sql_datetime_ctx *ctx, sql_timestamptz now, char *buf) {
    static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    dt_tm tm;
    if (!sql_dt_ts2tm(now, ctx->tz, &tm)) sql_dt_ts2tm(0, ctx->tz, &tm);
    /* strftime's %Y: the astronomical year, as PostgreSQL's pg_strftime prints it */
    return (size_t)snprintf(buf, SQL_DATETIME_TEXT_BYTES_MAX,
                            "%s %s %02d %02d:%02d:%02d.%06d %d %s", days[tm.wday],
                            months[tm.mon - 1], tm.mday, tm.hour, tm.min, tm.sec, tm.usec, tm.year,
                            tm.zone != NULL ? tm.zone : "");
}

/* "%g" as PostgreSQL's own printf writes it: NaN and Infinity spelled out. */
static const char *dt_fmt_g(double v, char *buf, size_t bytes) {
    if (isnan(v)) snprintf(buf, bytes, "NaN");
    else if (isinf(v)) snprintf(buf, bytes, "%sInfinity", v < 0 ? "-" : "");
    else snprintf(buf, bytes, "%g", v);
    return buf;
}

static bool dt_err_time_fields(int32_t hour, int32_t min, double sec, rt_err *err) {
    char g[32];
    dt_fmt_g(sec, g, sizeof(g));
    /* "%02g" pads to two characters: 5 -> "05", 5.5 stays "5.5" */
    return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                      "time field value out of range: %d:%02d:%s%s", hour, min,
                      strlen(g) < 2 ? "0" : "", g);
}

/* ---- make_* -------------------------------------------------------------------------------- */

/* Validates y-m-d (negative years are BC) into tm; fills the date part of an error message. */
static bool dt_make_date_tm(int32_t year, int32_t month, int32_t day, dt_tm *tm, bool *range_ok) {
    memset(tm, 0, sizeof(*tm));
    bool bc = year < 0;
    tm->year = bc ? (year == INT32_MIN ? year : -year) : year; /* INT32_MIN fails below */
    tm->mon = month;
    tm->mday = day;
    *range_ok = true;
    if (tm->year <= 0) return false; /* there is no year 0 */
    if (bc) tm->year = -(tm->year - 1);
    if (month < 1 || month > 12 || day < 1 || day > 31) return false;
    if (day > sql_dt_month_days(tm->year, month)) return false;
    *range_ok = sql_dt_julian_ok(tm->year, tm->mon, tm->mday);
    return true;
}

bool sql_date_make(int32_t year, int32_t month, int32_t day, sql_date *out, rt_err *err) {
    dt_tm tm;
    bool range_ok;
    if (!dt_make_date_tm(year, month, day, &tm, &range_ok)) {
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "date field value out of range: %d-%02d-%02d", tm.year, tm.mon, tm.mday);
    }
    int64_t d = sql_dt_date2j(tm.year, tm.mon, tm.mday) - DT_POSTGRES_EPOCH_JDATE;
    if (!range_ok || !sql_dt_date_ok(d)) {
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range: %d-%02d-%02d",
                          tm.year, tm.mon, tm.mday);
    }
    *out = (sql_date)d;
    return true;
}

/* Hour, minute and fractional seconds within a day (24:00:00 and :60 allowed, not beyond). */
static bool dt_time_fields_ok(int32_t hour, int32_t min, double sec, int64_t *time_us) {
    if (hour < 0 || hour > 24 || min < 0 || min >= 60 || isnan(sec)) return false;
    double us = rint(sec * 1000000.0);
    if (us < 0 || us > 60.0 * 1000000.0) return false;
    *time_us = ((int64_t)hour * 60 + min) * 60 * DT_USECS_PER_SEC + (int64_t)us;
    return *time_us <= DT_USECS_PER_DAY;
}

bool sql_time_make(int32_t hour, int32_t min, double sec, sql_time *out, rt_err *err) {
    if (!dt_time_fields_ok(hour, min, sec, out)) return dt_err_time_fields(hour, min, sec, err);
    return true;
}

bool sql_timestamp_make(int32_t year, int32_t month, int32_t day, int32_t hour, int32_t min,
                        double sec, sql_timestamp *out, rt_err *err) {
    dt_tm tm;
    bool range_ok;
    if (!dt_make_date_tm(year, month, day, &tm, &range_ok)) {
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "date field value out of range: %d-%02d-%02d", year, month, day);
    }
    if (!range_ok) {
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range: %d-%02d-%02d",
                          year, month, day);
    }
    int64_t time_us;
    if (!dt_time_fields_ok(hour, min, sec, &time_us))
        return dt_err_time_fields(hour, min, sec, err);
    int64_t date = sql_dt_date2j(tm.year, tm.mon, tm.mday) - DT_POSTGRES_EPOCH_JDATE;
    int64_t r;
    if (__builtin_mul_overflow(date, DT_USECS_PER_DAY, &r) ||
        __builtin_add_overflow(r, time_us, &r) || !sql_dt_timestamp_ok(r)) {
        char g[32];
        dt_fmt_g(sec, g, sizeof(g));
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "timestamp out of range: %d-%02d-%02d %d:%02d:%s%s", year, month, day,
                          hour, min, strlen(g) < 2 ? "0" : "", g);
    }
    *out = r;
    return true;
}

/* make_timestamptz's zone: a numeric offset in ISO sign ("+05:30" is east), else an
 * abbreviation or a zone name. A leading digit is refused, as PostgreSQL does. */
static bool dt_make_zone_offset(const char *zone, size_t len, dt_tm *tm, int32_t *gmtoff,
                                rt_err *err) {
    char buf[SQL_TZ_NAME_BYTES_MAX];
    size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
    memcpy(buf, zone, n);
    buf[n] = '\0';
    if (buf[0] >= '0' && buf[0] <= '9') {
        rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "invalid input syntax for type %s: \"%s\"", "numeric time zone", buf);
        rt_err_hint(err, "Numeric time zones must have \"-\" or \"+\" as first character.");
        return false;
    }
    int32_t west;
    int rc = sql_dt_decode_tz(buf, &west);
    if (rc == DT_OK) return *gmtoff = -west, true;
    if (rc == DT_ERR_TZDISP_OVERFLOW) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "numeric time zone \"%s\" out of range", buf);
    }
    if (rc != DT_ERR_BAD_FORMAT) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "time zone \"%s\" not recognized", buf);
    }
    dt_zone z;
    if (!sql_dt_zone_parse(buf, n, &z, err)) return false;
    return sql_dt_zone_offset_local(&z, tm, gmtoff, err);
}

bool sql_timestamptz_make(const sql_datetime_ctx *ctx, int32_t year, int32_t month,
                          int32_t day, int32_t hour, int32_t min, double sec, const char *zone,
                          size_t zone_len, sql_timestamptz *out, rt_err *err) {
    sql_timestamp ts;
    if (!sql_timestamp_make(year, month, day, hour, min, sec, &ts, err)) return false;
    if (zone == NULL) return sql_timestamp_to_timestamptz(ctx, ts, out, err);
    dt_tm tm;
    int32_t off;
    if (!sql_dt_ts2tm(ts, NULL, &tm)) return sql_dt_err_timestamp_range(err);
    if (!dt_make_zone_offset(zone, zone_len, &tm, &off, err)) return false;
    int64_t r = ts - (int64_t)off * DT_USECS_PER_SEC;
    if (!sql_dt_timestamp_ok(r)) return sql_dt_err_timestamp_range(err);
    *out = r;
    return true;
}

bool sql_interval_make(int32_t years, int32_t months, int32_t weeks, int32_t days,
                       int32_t hours, int32_t mins, double secs, sql_interval *out,
                       rt_err *err) {
    if (isinf(secs) || isnan(secs)) return sql_dt_err_interval_range(err);
    int32_t m, d, w;
    int64_t t, part;
    double us = rint(secs * 1000000.0);
    if (__builtin_mul_overflow(years, 12, &m) || __builtin_add_overflow(m, months, &m) ||
        __builtin_mul_overflow(weeks, 7, &w) || __builtin_add_overflow(w, days, &d) ||
        us < -9.2e18 || us > 9.2e18 ||
        __builtin_mul_overflow((int64_t)hours, DT_USECS_PER_HOUR, &t) ||
        __builtin_mul_overflow((int64_t)mins, DT_USECS_PER_MINUTE, &part) ||
        __builtin_add_overflow(t, part, &t) || __builtin_add_overflow(t, (int64_t)us, &t))
        return sql_dt_err_interval_range(err);
    *out = (sql_interval){t, d, m};
    return true;
}

/* to_timestamp(float8): seconds since 1970-01-01 UTC. */
bool sql_timestamptz_from_unix(double seconds, sql_timestamptz *out, rt_err *err) {
    if (isnan(seconds))
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN");
    if (isinf(seconds)) {
        *out = seconds < 0 ? SQL_TIMESTAMP_NOBEGIN : SQL_TIMESTAMP_NOEND;
        return true;
    }
    double lo = (double)DT_SECS_PER_DAY * (0 - DT_UNIX_EPOCH_JDATE);
    double hi = (double)DT_SECS_PER_DAY * (DT_TIMESTAMP_END_JULIAN - DT_UNIX_EPOCH_JDATE);
    double us = rint((seconds - (double)SQL_EPOCH_UNIX_S) * 1000000.0);
    if (seconds < lo || seconds >= hi || !sql_dt_timestamp_ok((int64_t)us)) {
        char g[32];
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%s\"",
                          dt_fmt_g(seconds, g, sizeof(g)));
    }
    *out = (int64_t)us;
    return true;
}
