/* sql_datetime_cal.c: calendar arithmetic, field <-> value conversion, session settings and
 * the error messages shared by the datetime module. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* ---- Julian days ------------------------------------------------------------------------ */

int64_t sql_dt_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool sql_dt_is_leap(int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int32_t sql_dt_month_days(int64_t year, int32_t mon) {
    static const int32_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    RT_ASSERT(mon >= 1 && mon <= 12);
    return (mon == 2 && sql_dt_is_leap(year)) ? 29 : days[mon - 1];
}

/* Days are counted in 400-year eras from March 1, which puts the leap day last in the year
 * and makes every era identical (146097 days). Works for any year, negative included. */
int64_t sql_dt_date2j(int64_t year, int32_t mon, int32_t mday) {
    int64_t y = year - (mon <= 2);
    int64_t era = sql_dt_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + mday - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 + DT_UNIX_EPOCH_JDATE;
}

void sql_dt_j2date(int64_t jd, int32_t *year, int32_t *mon, int32_t *mday) {
    int64_t z = jd - DT_UNIX_EPOCH_JDATE + 719468;
    int64_t era = sql_dt_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *mday = (int32_t)(doy - (153 * mp + 2) / 5 + 1);
    *mon = (int32_t)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int32_t)(yoe + era * 400 + (*mon <= 2));
}

int32_t sql_dt_j2day(int64_t jd) {
    int64_t d = (jd + 1) % 7;
    return (int32_t)(d < 0 ? d + 7 : d);
}

bool sql_dt_julian_ok(int64_t year, int32_t mon, int32_t mday) {
    (void)mday; /* PostgreSQL checks only to the month; date2j ranges catch the rest */
    bool lo = year > DT_JULIAN_MINYEAR || (year == DT_JULIAN_MINYEAR && mon >= DT_JULIAN_MINMONTH);
    bool hi = year < DT_JULIAN_MAXYEAR || (year == DT_JULIAN_MAXYEAR && mon < DT_JULIAN_MAXMONTH);
    return lo && hi;
}

bool sql_dt_date_ok(int64_t days) {
    return days >= -DT_POSTGRES_EPOCH_JDATE && days < DT_DATE_END_JULIAN - DT_POSTGRES_EPOCH_JDATE;
}

bool sql_dt_timestamp_ok(int64_t ts) { return ts >= DT_MIN_TIMESTAMP && ts < DT_END_TIMESTAMP; }

/* ---- ISO 8601 weeks --------------------------------------------------------------------- */

int64_t sql_dt_iso_week1(int32_t iso_year) {
    /* Week 1 holds January 4th; it starts on the Monday on or before it. */
    int64_t jan4 = sql_dt_date2j(iso_year, 1, 4);
    int32_t dow = sql_dt_j2day(jan4 - 1); /* 0 = Monday */
    return jan4 - dow;
}

int32_t sql_dt_iso_year(int32_t year, int32_t mon, int32_t mday) {
    int64_t jd = sql_dt_date2j(year, mon, mday);
    if (jd < sql_dt_iso_week1(year)) return year - 1;
    if (jd >= sql_dt_iso_week1(year + 1)) return year + 1;
    return year;
}

int32_t sql_dt_iso_week(int32_t year, int32_t mon, int32_t mday) {
    int32_t iy = sql_dt_iso_year(year, mon, mday);
    return (int32_t)((sql_dt_date2j(year, mon, mday) - sql_dt_iso_week1(iy)) / 7 + 1);
}

int32_t sql_dt_iso_yday(int32_t year, int32_t mon, int32_t mday) {
    int32_t iy = sql_dt_iso_year(year, mon, mday);
    return (int32_t)(sql_dt_date2j(year, mon, mday) - sql_dt_iso_week1(iy) + 1);
}

/* ---- values <-> fields ------------------------------------------------------------------ */

void sql_dt_time2tm(int64_t time_us, dt_tm *tm) {
    tm->hour = (int32_t)(time_us / DT_USECS_PER_HOUR);
    time_us -= tm->hour * DT_USECS_PER_HOUR;
    tm->min = (int32_t)(time_us / DT_USECS_PER_MINUTE);
    time_us -= tm->min * DT_USECS_PER_MINUTE;
    tm->sec = (int32_t)(time_us / DT_USECS_PER_SEC);
    tm->usec = (int32_t)(time_us - tm->sec * DT_USECS_PER_SEC);
}

int64_t sql_dt_tm2time(const dt_tm *tm) {
    return ((((int64_t)tm->hour * 60) + tm->min) * 60 + tm->sec) * DT_USECS_PER_SEC + tm->usec;
}

/* Splits microseconds since 2000-01-01, shifted by `shift_s` seconds, into calendar fields.
 * The shift is applied after the split so that no value near the int64 limits overflows. */
static void dt_split(int64_t ts, int32_t shift_s, dt_tm *tm) {
    int64_t secs = sql_dt_floor_div(ts, DT_USECS_PER_SEC);
    int64_t usec = ts - secs * DT_USECS_PER_SEC;
    secs += shift_s;
    int64_t date = sql_dt_floor_div(secs, DT_SECS_PER_DAY);
    int64_t time = (secs - date * DT_SECS_PER_DAY) * DT_USECS_PER_SEC + usec;
    sql_dt_j2date(date + DT_POSTGRES_EPOCH_JDATE, &tm->year, &tm->mon, &tm->mday);
    sql_dt_time2tm(time, tm);
    tm->wday = sql_dt_j2day(date + DT_POSTGRES_EPOCH_JDATE);
    tm->yday = (int32_t)(date + DT_POSTGRES_EPOCH_JDATE - sql_dt_date2j(tm->year, 1, 1) + 1);
}

bool sql_dt_ts2tm(int64_t ts, const sql_tz *tz, dt_tm *tm) {
    int64_t jd = sql_dt_floor_div(ts, DT_USECS_PER_DAY) + DT_POSTGRES_EPOCH_JDATE;
    if (jd < 0 || jd > INT32_MAX) return false;
    tm->gmtoff = 0;
    tm->isdst = -1;
    tm->zone = NULL;
    if (tz == NULL) {
        dt_split(ts, 0, tm);
        return true;
    }
    sql_tz_local loc;
    sql_tz_at(tz, sql_dt_floor_div(ts, DT_USECS_PER_SEC) + SQL_EPOCH_UNIX_S, &loc);
    dt_split(ts, loc.utc_offset_s, tm);
    tm->gmtoff = loc.utc_offset_s;
    tm->isdst = loc.is_dst;
    tm->zone = loc.abbrev;
    return true;
}

bool sql_dt_tm2ts(const dt_tm *tm, int32_t gmtoff, int64_t *ts) {
    if (!sql_dt_julian_ok(tm->year, tm->mon, tm->mday)) return false;
    int64_t date = sql_dt_date2j(tm->year, tm->mon, tm->mday) - DT_POSTGRES_EPOCH_JDATE;
    int64_t time = sql_dt_tm2time(tm);
    int64_t v;
    if (__builtin_mul_overflow(date, DT_USECS_PER_DAY, &v) || __builtin_add_overflow(v, time, &v))
        return false;
    if (__builtin_sub_overflow(v, (int64_t)gmtoff * DT_USECS_PER_SEC, &v)) return false;
    if (!sql_dt_timestamp_ok(v)) return false;
    *ts = v;
    return true;
}

int32_t sql_dt_local_offset(dt_tm *tm, const sql_tz *tz) {
    if (!sql_dt_julian_ok(tm->year, tm->mon, tm->mday)) {
        tm->isdst = 0; /* out of range: PostgreSQL assumes UTC and a later check fails */
        return 0;
    }
    int64_t day = sql_dt_date2j(tm->year, tm->mon, tm->mday) - DT_UNIX_EPOCH_JDATE;
    int64_t local = day * DT_SECS_PER_DAY + tm->hour * 3600 + tm->min * 60 + tm->sec;
    bool dst;
    int32_t off = sql_tz_offset_for_local(tz, local, &dst);
    tm->isdst = dst;
    return off;
}

void sql_dt_now_tm(const sql_datetime_ctx *ctx, dt_tm *tm) {
    if (!sql_dt_ts2tm(ctx->now, ctx->tz, tm)) sql_dt_ts2tm(0, ctx->tz, tm);
}

/* ---- intervals <-> fields --------------------------------------------------------------- */

void sql_dt_interval2itm(sql_interval iv, dt_itm *itm) {
    itm->year = iv.months / DT_MONTHS_PER_YEAR;
    itm->mon = iv.months % DT_MONTHS_PER_YEAR;
    itm->mday = iv.days;
    int64_t t = iv.time_us;
    itm->hour = t / DT_USECS_PER_HOUR;
    t -= itm->hour * DT_USECS_PER_HOUR;
    itm->min = (int32_t)(t / DT_USECS_PER_MINUTE);
    t -= itm->min * DT_USECS_PER_MINUTE;
    itm->sec = (int32_t)(t / DT_USECS_PER_SEC);
    itm->usec = t - itm->sec * DT_USECS_PER_SEC;
}

bool sql_dt_itm2interval(const dt_itm *itm, sql_interval *iv) {
    int64_t months = (int64_t)itm->year * DT_MONTHS_PER_YEAR + itm->mon;
    if (months < INT32_MIN || months > INT32_MAX) return false;
    int64_t t;
    if (__builtin_mul_overflow(itm->hour, DT_USECS_PER_HOUR, &t)) return false;
    int64_t rest = (int64_t)itm->min * DT_USECS_PER_MINUTE + (int64_t)itm->sec * DT_USECS_PER_SEC +
                   itm->usec;
    if (__builtin_add_overflow(t, rest, &t)) return false;
    iv->months = (int32_t)months;
    iv->days = itm->mday;
    iv->time_us = t;
    return true;
}

/* ---- rounding ------------------------------------------------------------------------------ */

/* Rounds microseconds to `precision` fraction digits, half away from zero (PostgreSQL's
 * AdjustTimestampForTypmod / AdjustTimeForTypmod). */
int64_t sql_dt_round_time(int64_t usec, int32_t precision) {
    static const int64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    if (precision < 0 || precision >= SQL_DATETIME_PRECISION_MAX) return usec;
    int64_t s = scale[precision];
    if (usec >= 0) return ((usec + s / 2) / s) * s;
    return -(((-usec) + s / 2) / s) * s;
}

/* rint() to the nearest microsecond, clamped so the cast cannot overflow. */
int64_t sql_dt_rint_usec(double usec) {
    double r = __builtin_rint(usec);
    if (r >= 9.2e18) return INT64_MAX;
    if (r <= -9.2e18) return INT64_MIN;
    return (int64_t)r;
}

/* ---- errors ----------------------------------------------------------------------------- */

bool sql_dt_parse_error(int code, const char *type_name, const char *str, size_t len,
                        const char *tzname, rt_err *err) {
    int n = (int)(len > 400 ? 400 : len);
    switch (code) {
    case DT_ERR_FIELD_OVERFLOW:
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "date/time field value out of range: \"%.*s\"", n, str);
    case DT_ERR_MD_FIELD_OVERFLOW:
        rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                   "date/time field value out of range: \"%.*s\"", n, str);
        rt_err_hint(err, "Perhaps you need a different \"datestyle\" setting.");
        return false;
    case DT_ERR_INTERVAL_OVERFLOW:
        return rt_err_set(err, SQLSTATE_INTERVAL_FIELD_OVERFLOW,
                          "interval field value out of range: \"%.*s\"", n, str);
    case DT_ERR_TZDISP_OVERFLOW:
        return rt_err_set(err, SQLSTATE_INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                          "time zone displacement out of range: \"%.*s\"", n, str);
    case DT_ERR_BAD_TIMEZONE:
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "time zone \"%s\" not recognized", tzname != NULL ? tzname : "");
    default:
        return rt_err_set(err, SQLSTATE_INVALID_DATETIME_FORMAT,
                          "invalid input syntax for type %s: \"%.*s\"", type_name, n, str);
    }
}

bool sql_dt_err_timestamp_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
}

bool sql_dt_err_interval_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "interval out of range");
}

bool sql_dt_err_date_range(rt_err *err) {
    return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range");
}

/* ---- session settings ------------------------------------------------------------------- */

void sql_datetime_ctx_init(sql_datetime_ctx *ctx) {
    ctx->tz = sql_tz_utc();
    ctx->date_style = SQL_DATESTYLE_ISO;
    ctx->date_order = SQL_DATEORDER_MDY;
    ctx->interval_style = SQL_INTERVALSTYLE_POSTGRES;
    ctx->now = 0;
}

typedef struct dt_datestyle {
    int style, order; /* -1: not given */
    bool conflict;
} dt_datestyle;

static void dt_datestyle_style(dt_datestyle *ds, int style) {
    if (ds->style >= 0 && ds->style != style) ds->conflict = true;
    ds->style = style;
}

static void dt_datestyle_order(dt_datestyle *ds, int order) {
    if (ds->order >= 0 && ds->order != order) ds->conflict = true;
    ds->order = order;
}

/* One DateStyle word; false when it is not a DateStyle word at all. */
static bool dt_datestyle_word(const char *w, dt_datestyle *ds, int *german_order) {
    if (strcasecmp(w, "ISO") == 0) dt_datestyle_style(ds, SQL_DATESTYLE_ISO);
    else if (strcasecmp(w, "SQL") == 0) dt_datestyle_style(ds, SQL_DATESTYLE_SQL);
    else if (strncasecmp(w, "POSTGRES", 8) == 0 && w[8] == '\0')
        dt_datestyle_style(ds, SQL_DATESTYLE_POSTGRES);
    else if (strcasecmp(w, "GERMAN") == 0) {
        dt_datestyle_style(ds, SQL_DATESTYLE_GERMAN);
        if (ds->order < 0) *german_order = SQL_DATEORDER_DMY; /* unless given explicitly */
    } else if (strcasecmp(w, "YMD") == 0) dt_datestyle_order(ds, SQL_DATEORDER_YMD);
    else if (strcasecmp(w, "DMY") == 0 || strncasecmp(w, "EURO", 4) == 0)
        dt_datestyle_order(ds, SQL_DATEORDER_DMY);
    else if (strcasecmp(w, "MDY") == 0 || strcasecmp(w, "US") == 0 ||
             strncasecmp(w, "NONEURO", 7) == 0)
        dt_datestyle_order(ds, SQL_DATEORDER_MDY);
    else if (strcasecmp(w, "DEFAULT") == 0) {
        dt_datestyle_style(ds, SQL_DATESTYLE_ISO);
        dt_datestyle_order(ds, SQL_DATEORDER_MDY);
    } else return false;
    return true;
}

static bool dt_datestyle_fail(const char *value, size_t len, const char *detail,
                              const char *word, rt_err *err) {
    rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
               "invalid value for parameter \"DateStyle\": \"%.*s\"",
               (int)(len > 200 ? 200 : len), value);
    if (word != NULL) rt_err_detail(err, detail, word);
    else rt_err_detail(err, "%s", detail);
    return false;
}

bool sql_datetime_datestyle_set(sql_datetime_ctx *ctx, const char *value, size_t len,
                                rt_err *err) {
    dt_datestyle ds = {-1, -1, false};
    int german_order = -1;
    char word[64];
    size_t i = 0;
    while (i < len) {
        while (i < len && (value[i] == ',' || isspace((uint8_t)value[i]))) i++;
        size_t n = 0;
        while (i < len && value[i] != ',' && !isspace((uint8_t)value[i])) {
            if (n + 1 < sizeof(word)) word[n++] = value[i];
            i++;
        }
        word[n] = '\0';
        if (n > 0 && !dt_datestyle_word(word, &ds, &german_order))
            return dt_datestyle_fail(value, len, "Unrecognized key word: \"%s\".", word, err);
    }
    if (ds.conflict)
        return dt_datestyle_fail(value, len, "Conflicting \"datestyle\" specifications.", NULL,
                                 err);
    if (ds.style >= 0) ctx->date_style = (uint8_t)ds.style;
    if (ds.order >= 0) ctx->date_order = (uint8_t)ds.order;
    else if (german_order >= 0) ctx->date_order = (uint8_t)german_order;
    return true;
}

size_t sql_datetime_datestyle_show(const sql_datetime_ctx *ctx, char *buf) {
    static const char *styles[] = {"ISO", "Postgres", "SQL", "German"};
    static const char *orders[] = {"MDY", "DMY", "YMD"};
    return (size_t)snprintf(buf, SQL_DATETIME_TEXT_BYTES_MAX, "%s, %s",
                            styles[ctx->date_style], orders[ctx->date_order]);
}

bool sql_datetime_intervalstyle_set(sql_datetime_ctx *ctx, const char *value, size_t len,
                                    rt_err *err) {
    static const char *names[] = {"postgres", "postgres_verbose", "sql_standard", "iso_8601"};
    for (int i = 0; i < 4; i++) {
        if (strlen(names[i]) == len && strncasecmp(value, names[i], len) == 0) {
            ctx->interval_style = (uint8_t)i;
            return true;
        }
    }
    rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
               "invalid value for parameter \"IntervalStyle\": \"%.*s\"",
               (int)(len > 200 ? 200 : len), value);
    rt_err_hint(err, "Available values: postgres, postgres_verbose, sql_standard, iso_8601.");
    return false;
}
