/* sql_datetime_out.c: text output of date, time, timetz, timestamp and timestamptz in the
 * four DateStyles (ISO, Postgres, SQL, German) and both field orders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

static const char *const dt_month_abbrevs[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const dt_day_abbrevs[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* Writes "%0*d" of a non-negative value; returns chars written. */
static size_t dt_put_num(char *buf, int64_t v, int width) {
    return (size_t)sprintf(buf, "%0*lld", width, (long long)v);
}

/* Seconds with the fraction's trailing zeros trimmed: "05", "05.5", "5.123". */
size_t sql_dt_encode_seconds(char *buf, int32_t sec, int32_t usec, bool fill_zero) {
    size_t n = dt_put_num(buf, abs(sec), fill_zero ? 2 : 1);
    if (usec == 0) return n;
    int32_t v = abs(usec);
    if (v >= 1000000) return n + (size_t)sprintf(buf + n, ".%d", v); /* cannot happen */
    char frac[16];
    sprintf(frac, "%06d", v);
    int digits = 6;
    while (digits > 1 && frac[digits - 1] == '0') digits--;
    buf[n++] = '.';
    memcpy(buf + n, frac, (size_t)digits);
    n += (size_t)digits;
    buf[n] = '\0';
    return n;
}

/* "+05:30", "+01", "-03:30:15" from seconds east of UTC. */
size_t sql_dt_encode_offset(char *buf, int32_t gmtoff, bool always_minutes) {
    int32_t a = abs(gmtoff);
    int32_t hour = a / 3600, min = a / 60 % 60, sec = a % 60;
    size_t n = 0;
    buf[n++] = gmtoff >= 0 ? '+' : '-';
    n += dt_put_num(buf + n, hour, 2);
    if (sec != 0 || min != 0 || always_minutes) {
        buf[n++] = ':';
        n += dt_put_num(buf + n, min, 2);
    }
    if (sec != 0) {
        buf[n++] = ':';
        n += dt_put_num(buf + n, sec, 2);
    }
    buf[n] = '\0';
    return n;
}

static int32_t dt_year_ad(int32_t year) { return year > 0 ? year : -(year - 1); }

static size_t dt_put_bc(char *buf, size_t n, int32_t year) {
    if (year <= 0) {
        memcpy(buf + n, " BC", 4);
        n += 3;
    }
    buf[n] = '\0';
    return n;
}

/* The date part in the session's DateStyle (no BC suffix). */
static size_t dt_encode_date_part(const sql_datetime_ctx *ctx, const dt_tm *tm, char *buf) {
    bool dmy = ctx->date_order == SQL_DATEORDER_DMY;
    int32_t y = dt_year_ad(tm->year);
    switch (ctx->date_style) {
    case SQL_DATESTYLE_SQL:
        return (size_t)sprintf(buf, "%02d/%02d/%04d", dmy ? tm->mday : tm->mon,
                               dmy ? tm->mon : tm->mday, y);
    case SQL_DATESTYLE_GERMAN:
        return (size_t)sprintf(buf, "%02d.%02d.%04d", tm->mday, tm->mon, y);
    case SQL_DATESTYLE_POSTGRES:
        return (size_t)sprintf(buf, "%02d-%02d-%04d", dmy ? tm->mday : tm->mon,
                               dmy ? tm->mon : tm->mday, y);
    default:
        return (size_t)sprintf(buf, "%04d-%02d-%02d", y, tm->mon, tm->mday);
    }
}

size_t sql_dt_encode_date(const sql_datetime_ctx *ctx, const dt_tm *tm, char *buf) {
    size_t n = dt_encode_date_part(ctx, tm, buf);
    return dt_put_bc(buf, n, tm->year);
}

/* "hh:mm:ss[.ffffff]" */
static size_t dt_encode_clock(const dt_tm *tm, char *buf) {
    size_t n = (size_t)sprintf(buf, "%02d:%02d:", tm->hour, tm->min);
    return n + sql_dt_encode_seconds(buf + n, tm->sec, tm->usec, true);
}

/* Zone suffix of a timestamptz: the offset in ISO style, the abbreviation in the others
 * (PostgreSQL prints the zone's abbreviation even when it is empty). */
static size_t dt_encode_zone(const sql_datetime_ctx *ctx, const dt_tm *tm, char *buf) {
    if (ctx->date_style == SQL_DATESTYLE_ISO) return sql_dt_encode_offset(buf, tm->gmtoff, false);
    if (tm->zone != NULL) return (size_t)sprintf(buf, " %.10s", tm->zone);
    buf[0] = ' ';
    return 1 + sql_dt_encode_offset(buf + 1, tm->gmtoff, false);
}

static size_t dt_encode_datetime(const sql_datetime_ctx *ctx, const dt_tm *tm, bool print_tz,
                                 char *buf) {
    size_t n;
    if (ctx->date_style == SQL_DATESTYLE_POSTGRES) {
        bool dmy = ctx->date_order == SQL_DATEORDER_DMY;
        int32_t wday = sql_dt_j2day(sql_dt_date2j(tm->year, tm->mon, tm->mday));
        const char *mon = dt_month_abbrevs[tm->mon - 1];
        n = (size_t)sprintf(buf, "%s ", dt_day_abbrevs[wday]);
        if (dmy) n += (size_t)sprintf(buf + n, "%02d %s", tm->mday, mon);
        else n += (size_t)sprintf(buf + n, "%s %02d", mon, tm->mday);
        buf[n++] = ' ';
        n += dt_encode_clock(tm, buf + n);
        n += (size_t)sprintf(buf + n, " %04d", dt_year_ad(tm->year));
    } else {
        n = dt_encode_date_part(ctx, tm, buf);
        buf[n++] = ' ';
        n += dt_encode_clock(tm, buf + n);
    }
    if (print_tz) n += dt_encode_zone(ctx, tm, buf + n);
    return dt_put_bc(buf, n, tm->year);
}

static size_t dt_encode_special(int64_t v, char *buf) {
    const char *s = v == SQL_TIMESTAMP_NOBEGIN || v == SQL_DATE_NOBEGIN ? "-infinity" : "infinity";
    strcpy(buf, s);
    return strlen(s);
}

size_t sql_date_out(const sql_datetime_ctx *ctx, sql_date value, char *buf) {
    if (!sql_date_is_finite(value)) return dt_encode_special(value, buf);
    dt_tm tm;
    sql_dt_j2date((int64_t)value + DT_POSTGRES_EPOCH_JDATE, &tm.year, &tm.mon, &tm.mday);
    return sql_dt_encode_date(ctx, &tm, buf);
}

size_t sql_time_out(const sql_datetime_ctx *ctx, sql_time value, char *buf) {
    (void)ctx;
    dt_tm tm;
    sql_dt_time2tm(value, &tm);
    return dt_encode_clock(&tm, buf);
}

size_t sql_timetz_out(const sql_datetime_ctx *ctx, sql_timetz value, char *buf) {
    (void)ctx;
    dt_tm tm;
    sql_dt_time2tm(value.time_us, &tm);
    size_t n = dt_encode_clock(&tm, buf);
    return n + sql_dt_encode_offset(buf + n, -value.zone_s, false);
}

bool sql_timestamp_out(const sql_datetime_ctx *ctx, sql_timestamp value, char *buf,
                       size_t *len, rt_err *err) {
    if (!sql_timestamp_is_finite(value)) {
        *len = dt_encode_special(value, buf);
        return true;
    }
    dt_tm tm;
    if (!sql_dt_ts2tm(value, NULL, &tm)) return sql_dt_err_timestamp_range(err);
    *len = dt_encode_datetime(ctx, &tm, false, buf);
    return true;
}

bool sql_timestamptz_out(const sql_datetime_ctx *ctx, sql_timestamptz value, char *buf,
                         size_t *len, rt_err *err) {
    if (!sql_timestamp_is_finite(value)) {
        *len = dt_encode_special(value, buf);
        return true;
    }
    dt_tm tm;
    if (!sql_dt_ts2tm(value, ctx->tz, &tm)) return sql_dt_err_timestamp_range(err);
    *len = dt_encode_datetime(ctx, &tm, true, buf);
    return true;
}
