/* sql_datetime_extract.c: extract(field from x) and date_part(field, x).
 *
 * PostgreSQL 15's extract() returns numeric and date_part() float8; both come out of one
 * computation here: the exact value as decimal text (an integer, or an integer count of
 * 10^-scale units, or for julian an exact quotient with numeric division's result scale) and
 * the float8 computed the way PostgreSQL computes it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* ---- numeric text ---------------------------------------------------------------------- */

static void dt_num_int(sql_datetime_num *out, int64_t v) {
    out->kind = SQL_DTNUM_VALUE;
    out->f8 = (double)v;
    snprintf(out->text, sizeof(out->text), "%lld", (long long)v);
}

/* Formats a signed 128-bit count of 10^-scale units as decimal text. */
static void dt_num_scaled128(char *buf, size_t bytes, __int128 v, int scale) {
    char digits[64];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-v) : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0 || n <= scale);
    size_t k = 0;
    if (neg) buf[k++] = '-';
    for (int i = n - 1; i >= 0 && k + 2 < bytes; i--) {
        buf[k++] = digits[i];
        if (i == scale && scale > 0) buf[k++] = '.';
    }
    buf[k] = '\0';
}

/* v / 10^scale exactly, e.g. seconds with microseconds: 7250000, 6 -> "7.250000". */
static void dt_num_scaled(sql_datetime_num *out, int64_t v, int scale, double f8) {
    out->kind = SQL_DTNUM_VALUE;
    out->f8 = f8;
    dt_num_scaled128(out->text, sizeof(out->text), v, scale);
}

/* Weight (power of 10000) and leading base-10000 digit of n >= 0, as numeric stores it. */
static void dt_num_weight(int64_t n, int *weight, int64_t *first) {
    *weight = 0;
    *first = n;
    while (*first >= 10000) {
        *first /= 10000;
        (*weight)++;
    }
}

/* Result scale of numeric division a / b (PostgreSQL's select_div_scale): at least 16
 * significant digits. */
static int dt_num_div_scale(int64_t a, int64_t b) {
    int wa, wb;
    int64_t fa, fb;
    dt_num_weight(a, &wa, &fa);
    dt_num_weight(b, &wb, &fb);
    if (a == 0) wa = 0, fa = 0;
    int qweight = wa - wb;
    if (fa <= fb) qweight--;
    int rscale = 16 - qweight * 4;
    return rscale < 0 ? 0 : rscale;
}

/* round(a / b, scale) * 10^scale for 0 <= a, 0 < b, rounding half away from zero. */
static __int128 dt_num_div_round(int64_t a, int64_t b, int scale) {
    __int128 q = a / b, r = a % b;
    for (int i = 0; i < scale; i++) {
        r *= 10;
        q = q * 10 + r / b;
        r %= b;
    }
    if (r * 2 >= b) q++;
    return q;
}

/* extract(julian): the Julian day plus the fraction of the day, as numeric computes it. */
static void dt_num_julian(sql_datetime_num *out, int64_t jd, int64_t day_us) {
    int scale = dt_num_div_scale(day_us, DT_USECS_PER_DAY);
    __int128 p10 = 1;
    for (int i = 0; i < scale; i++) p10 *= 10;
    __int128 v = (__int128)jd * p10 + dt_num_div_round(day_us, DT_USECS_PER_DAY, scale);
    out->kind = SQL_DTNUM_VALUE;
    double secs = (double)(day_us / DT_USECS_PER_SEC) + (double)(day_us % DT_USECS_PER_SEC) / 1e6;
    out->f8 = (double)jd + secs / DT_SECS_PER_DAY;
    dt_num_scaled128(out->text, sizeof(out->text), v, scale);
}

/* extract(epoch): seconds since 1970 with 6 decimals. Past year ~264000 the microsecond
 * count overflows int64 and PostgreSQL divides in numeric (4 decimals), then rounds to 6. */
static void dt_num_epoch(sql_datetime_num *out, int64_t ts) {
    const int64_t epoch = -SQL_EPOCH_UNIX_S * DT_USECS_PER_SEC;
    if (ts < INT64_MAX + epoch) {
        dt_num_scaled(out, ts - epoch, 6, (double)(ts - epoch) / 1000000.0);
        return;
    }
    __int128 us = (__int128)ts - epoch;
    __int128 q = us / 100; /* to 4 decimals, half up */
    if (us % 100 >= 50) q++;
    out->kind = SQL_DTNUM_VALUE;
    out->f8 = ((double)ts - (double)epoch) / 1000000.0;
    dt_num_scaled128(out->text, sizeof(out->text), q * 100, 6);
}

/* ---- unit errors -------------------------------------------------------------------------- */

static bool dt_unit_unsupported(const char *lower, const char *type, rt_err *err) {
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "unit \"%s\" not supported for type %s", lower, type);
}

static bool dt_unit_unknown(const char *lower, const char *type, rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "unit \"%s\" not recognized for type %s", lower, type);
}

/* ---- calendar fields shared by date, timestamp and timestamptz -------------------------- */

/* Year-based fields: years BC count down from -1; decades, centuries and millennia follow
 * PostgreSQL's definitions (century 21 is 2001..2100, century -1 is 100 BC..1 BC). */
static bool dt_year_field(int unit, int32_t year, int64_t *v) {
    switch (unit) {
    case DT_U_YEAR: *v = year > 0 ? year : year - 1; return true;
    case DT_U_DECADE: *v = year >= 0 ? year / 10 : -((8 - (year - 1)) / 10); return true;
    case DT_U_CENTURY: *v = year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100); return true;
    case DT_U_MILLENNIUM:
        *v = year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
        return true;
    default: return false;
    }
}

/* Integer-valued date fields of a day; false for other units. */
static bool dt_date_field(int unit, const dt_tm *tm, int64_t *v) {
    int64_t jd = sql_dt_date2j(tm->year, tm->mon, tm->mday);
    switch (unit) {
    case DT_U_DAY: *v = tm->mday; return true;
    case DT_U_MONTH: *v = tm->mon; return true;
    case DT_U_QUARTER: *v = (tm->mon - 1) / 3 + 1; return true;
    case DT_U_WEEK: *v = sql_dt_iso_week(tm->year, tm->mon, tm->mday); return true;
    case DT_U_ISOYEAR: {
        int32_t iy = sql_dt_iso_year(tm->year, tm->mon, tm->mday);
        *v = iy <= 0 ? iy - 1 : iy;
        return true;
    }
    case DT_U_DOW: *v = sql_dt_j2day(jd); return true;
    case DT_U_ISODOW: *v = sql_dt_j2day(jd) == 0 ? 7 : sql_dt_j2day(jd); return true;
    case DT_U_DOY: *v = jd - sql_dt_date2j(tm->year, 1, 1) + 1; return true;
    default: return dt_year_field(unit, tm->year, v);
    }
}

/* Seconds-based fields of a time of day (microseconds, milliseconds, seconds). */
static bool dt_second_field(int unit, int32_t sec, int64_t usec, sql_datetime_num *out) {
    int64_t us = (int64_t)sec * DT_USECS_PER_SEC + usec;
    switch (unit) {
    case DT_U_MICROSEC: dt_num_int(out, us); return true;
    case DT_U_MILLISEC:
        dt_num_scaled(out, us, 3, sec * 1000.0 + (double)usec / 1000.0);
        return true;
    case DT_U_SECOND: dt_num_scaled(out, us, 6, sec + (double)usec / 1000000.0); return true;
    default: return false;
    }
}

/* What an infinite timestamp gives: +/-Infinity for units that grow forever, else NULL. */
static bool dt_infinite_part(int klass, int32_t unit, bool negative, const char *lower,
                             const char *type, sql_datetime_num *out, rt_err *err) {
    if (klass != DT_K_UNITS && klass != DT_K_RESERV) return dt_unit_unknown(lower, type, err);
    bool grows = klass == DT_K_RESERV ? unit == DT_V_EPOCH
                                      : (unit == DT_U_YEAR || unit == DT_U_DECADE ||
                                         unit == DT_U_CENTURY || unit == DT_U_MILLENNIUM ||
                                         unit == DT_U_JULIAN || unit == DT_U_ISOYEAR);
    if (klass == DT_K_RESERV && unit != DT_V_EPOCH) return dt_unit_unsupported(lower, type, err);
    if (grows) {
        out->kind = negative ? SQL_DTNUM_NEG_INF : SQL_DTNUM_POS_INF;
        out->f8 = negative ? -INFINITY : INFINITY;
        strcpy(out->text, negative ? "-Infinity" : "Infinity");
        return true;
    }
    out->kind = SQL_DTNUM_NULL;
    out->f8 = 0;
    out->text[0] = '\0';
    return true;
}

/* ---- timestamp and timestamptz ------------------------------------------------------------ */

static bool dt_ts_extract(const char *unit, size_t len, int64_t ts, const sql_tz *tz,
                          sql_datetime_num *out, rt_err *err) {
    const char *type = tz != NULL ? "timestamp with time zone" : "timestamp without time zone";
    char lower[64];
    int32_t val;
    int klass = sql_dt_unit_lookup(unit, len, lower, &val);
    if (!sql_timestamp_is_finite(ts))
        return dt_infinite_part(klass, val, ts == SQL_TIMESTAMP_NOBEGIN, lower, type, out, err);
    if (klass == DT_K_RESERV) {
        if (val != DT_V_EPOCH) return dt_unit_unsupported(lower, type, err);
        dt_num_epoch(out, ts);
        return true;
    }
    if (klass != DT_K_UNITS) return dt_unit_unknown(lower, type, err);
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, tz, &tm)) return sql_dt_err_timestamp_range(err);
    int64_t v;
    if (dt_second_field(val, tm.sec, tm.usec, out)) return true;
    if (val == DT_U_JULIAN) {
        dt_num_julian(out, sql_dt_date2j(tm.year, tm.mon, tm.mday), sql_dt_tm2time(&tm));
        return true;
    }
    if (val == DT_U_MINUTE) v = tm.min;
    else if (val == DT_U_HOUR) v = tm.hour;
    else if (tz != NULL && val == DT_U_TZ) v = tm.gmtoff;
    else if (tz != NULL && val == DT_U_TZ_MINUTE) v = (tm.gmtoff / 60) % 60;
    else if (tz != NULL && val == DT_U_TZ_HOUR) v = tm.gmtoff / 3600;
    else if (!dt_date_field(val, &tm, &v)) return dt_unit_unsupported(lower, type, err);
    dt_num_int(out, v);
    return true;
}

bool sql_timestamp_extract(const char *unit, size_t unit_len, sql_timestamp ts,
                           sql_datetime_num *out, rt_err *err) {
    return dt_ts_extract(unit, unit_len, ts, NULL, out, err);
}

bool sql_timestamptz_extract(const sql_datetime_ctx *ctx, const char *unit, size_t unit_len,
                             sql_timestamptz ts, sql_datetime_num *out, rt_err *err) {
    return dt_ts_extract(unit, unit_len, ts, ctx->tz, out, err);
}

/* ---- date --------------------------------------------------------------------------------- */

/* extract(... from date) has its own rules: no time fields, infinite dates give NULL or
 * +/-Infinity. (date_part(text, date) is date_part over the date cast to timestamp.) */
static bool dt_date_extract_num(const char *lower, int klass, int32_t val, sql_date d,
                                sql_datetime_num *out, rt_err *err) {
    if (!sql_date_is_finite(d)) {
        bool grows = (klass == DT_K_RESERV && val == DT_V_EPOCH) ||
                     (klass == DT_K_UNITS &&
                      (val == DT_U_YEAR || val == DT_U_DECADE || val == DT_U_CENTURY ||
                       val == DT_U_MILLENNIUM || val == DT_U_JULIAN || val == DT_U_ISOYEAR));
        bool oscillates = klass == DT_K_UNITS &&
                          (val == DT_U_DAY || val == DT_U_MONTH || val == DT_U_QUARTER ||
                           val == DT_U_WEEK || val == DT_U_DOW || val == DT_U_ISODOW ||
                           val == DT_U_DOY);
        if (klass != DT_K_UNITS && klass != DT_K_RESERV) return dt_unit_unknown(lower, "date", err);
        if (!grows && !oscillates) return dt_unit_unsupported(lower, "date", err);
        return dt_infinite_part(klass, val, d == SQL_DATE_NOBEGIN, lower, "date", out, err);
    }
    int64_t v;
    dt_tm tm;
    sql_dt_j2date((int64_t)d + DT_POSTGRES_EPOCH_JDATE, &tm.year, &tm.mon, &tm.mday);
    if (klass == DT_K_RESERV) {
        if (val != DT_V_EPOCH) return dt_unit_unsupported(lower, "date", err);
        v = ((int64_t)d + DT_POSTGRES_EPOCH_JDATE - DT_UNIX_EPOCH_JDATE) * DT_SECS_PER_DAY;
    } else if (klass != DT_K_UNITS) {
        return dt_unit_unknown(lower, "date", err);
    } else if (val == DT_U_JULIAN) {
        v = (int64_t)d + DT_POSTGRES_EPOCH_JDATE;
    } else if (!dt_date_field(val, &tm, &v)) {
        return dt_unit_unsupported(lower, "date", err);
    }
    dt_num_int(out, v);
    return true;
}

bool sql_date_extract(const char *unit, size_t unit_len, sql_date d, sql_datetime_num *out,
                      rt_err *err) {
    char lower[64];
    int32_t val;
    int klass = sql_dt_unit_lookup(unit, unit_len, lower, &val);
    return dt_date_extract_num(lower, klass, val, d, out, err);
}

/* ---- time and timetz ---------------------------------------------------------------------- */

static bool dt_time_extract(const char *unit, size_t len, int64_t time_us, const int32_t *zone,
                            sql_datetime_num *out, rt_err *err) {
    const char *type = zone != NULL ? "time with time zone" : "time without time zone";
    char lower[64];
    int32_t val;
    int klass = sql_dt_unit_lookup(unit, len, lower, &val);
    if (klass == DT_K_RESERV && val == DT_V_EPOCH) {
        int64_t us = time_us + (zone != NULL ? (int64_t)*zone * DT_USECS_PER_SEC : 0);
        double f8 = (double)time_us / 1000000.0 + (zone != NULL ? *zone : 0);
        dt_num_scaled(out, us, 6, f8);
        return true;
    }
    if (klass != DT_K_UNITS) return dt_unit_unknown(lower, type, err);
    dt_tm tm;
    sql_dt_time2tm(time_us, &tm);
    if (dt_second_field(val, tm.sec, tm.usec, out)) return true;
    int64_t v;
    if (val == DT_U_MINUTE) v = tm.min;
    else if (val == DT_U_HOUR) v = tm.hour;
    else if (zone != NULL && val == DT_U_TZ) v = -*zone;
    else if (zone != NULL && val == DT_U_TZ_MINUTE) v = (-*zone / 60) % 60;
    else if (zone != NULL && val == DT_U_TZ_HOUR) v = -*zone / 3600;
    else return dt_unit_unsupported(lower, type, err);
    dt_num_int(out, v);
    return true;
}

bool sql_time_extract(const char *unit, size_t unit_len, sql_time t, sql_datetime_num *out,
                      rt_err *err) {
    return dt_time_extract(unit, unit_len, t, NULL, out, err);
}

bool sql_timetz_extract(const char *unit, size_t unit_len, sql_timetz t, sql_datetime_num *out,
                        rt_err *err) {
    return dt_time_extract(unit, unit_len, t.time_us, &t.zone_s, out, err);
}

/* ---- interval ----------------------------------------------------------------------------- */

/* extract(epoch from interval): a year is 365.25 days and a month 30 days. */
static void dt_interval_epoch(sql_interval iv, sql_datetime_num *out) {
    /* In quarter days so 365.25 stays an integer. */
    int64_t secs = ((int64_t)(4 * 365.25) * (iv.months / 12) +
                    (int64_t)(4 * DT_DAYS_PER_MONTH) * (iv.months % 12) + (int64_t)4 * iv.days) *
                   (DT_SECS_PER_DAY / 4);
    double f8 = (double)iv.time_us / 1000000.0 + 365.25 * DT_SECS_PER_DAY * (iv.months / 12) +
                (double)DT_DAYS_PER_MONTH * DT_SECS_PER_DAY * (iv.months % 12) +
                (double)DT_SECS_PER_DAY * iv.days;
    __int128 us = (__int128)secs * DT_USECS_PER_SEC + iv.time_us;
    out->kind = SQL_DTNUM_VALUE;
    out->f8 = f8;
    dt_num_scaled128(out->text, sizeof(out->text), us, 6);
}

bool sql_interval_extract(const char *unit, size_t unit_len, sql_interval iv,
                          sql_datetime_num *out, rt_err *err) {
    char lower[64];
    int32_t val;
    int klass = sql_dt_unit_lookup(unit, unit_len, lower, &val);
    if (klass == DT_K_RESERV && val == DT_V_EPOCH) {
        dt_interval_epoch(iv, out);
        return true;
    }
    if (klass != DT_K_UNITS) return dt_unit_unknown(lower, "interval", err);
    dt_itm t;
    sql_dt_interval2itm(iv, &t);
    if (dt_second_field(val, t.sec, t.usec, out)) return true;
    int64_t v;
    switch (val) {
    case DT_U_MINUTE: v = t.min; break;
    case DT_U_HOUR: v = t.hour; break;
    case DT_U_DAY: v = t.mday; break;
    case DT_U_MONTH: v = t.mon; break;
    case DT_U_QUARTER: v = t.mon / 3 + 1; break;
    case DT_U_YEAR: v = t.year; break;
    case DT_U_DECADE: v = t.year / 10; break;
    case DT_U_CENTURY: v = t.year / 100; break;
    case DT_U_MILLENNIUM: v = t.year / 1000; break;
    default: return dt_unit_unsupported(lower, "interval", err);
    }
    dt_num_int(out, v);
    return true;
}
