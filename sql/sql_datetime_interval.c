/* sql_datetime_interval.c: the interval type: text input (postgres, SQL and ISO 8601
 * forms), output in the four IntervalStyles, typmods, arithmetic, justify_*, comparison.
 *
 * An interval keeps months, days and microseconds apart because their lengths vary: a month
 * is 28..31 days and a day 23..25 hours across DST. Only comparison and hashing treat a month
 * as 30 days and a day as 24 hours, as PostgreSQL does. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* Interval input accumulates into this, then checks that months fit (PostgreSQL pg_itm_in). */
typedef struct dt_itm_in {
    int64_t usec;
    int32_t mday, mon, year;
} dt_itm_in;

/* Parts an interval field can claim (a part given twice is an error). */
enum {
    DT_IB_YEAR = 1u << 0,
    DT_IB_MONTH = 1u << 1,
    DT_IB_DAY = 1u << 2,
    DT_IB_HOUR = 1u << 3,
    DT_IB_MINUTE = 1u << 4,
    DT_IB_SECOND = 1u << 5,
    DT_IB_MILLISEC = 1u << 6,
    DT_IB_MICROSEC = 1u << 7,
    DT_IB_WEEK = 1u << 8,
    DT_IB_DECADE = 1u << 9,
    DT_IB_CENTURY = 1u << 10,
    DT_IB_MILLENNIUM = 1u << 11,
};
#define DT_IB_ALL_SECS (DT_IB_SECOND | DT_IB_MILLISEC | DT_IB_MICROSEC)
#define DT_IB_TIME (DT_IB_HOUR | DT_IB_MINUTE | DT_IB_ALL_SECS)

/* ---- accumulating parts, with overflow checks ---------------------------------------------- */

static bool dt_add_frac_usec(double frac, int64_t scale, dt_itm_in *itm) {
    if (frac == 0) return true;
    frac *= (double)scale;
    int64_t usec = (int64_t)frac;
    frac -= (double)usec;
    if (frac > 0.5) usec++;
    else if (frac < -0.5) usec--;
    return !__builtin_add_overflow(itm->usec, usec, &itm->usec);
}

static bool dt_add_frac_days(double frac, int scale, dt_itm_in *itm) {
    if (frac == 0) return true;
    frac *= scale;
    int32_t extra = (int32_t)frac;
    if (__builtin_add_overflow(itm->mday, extra, &itm->mday)) return false;
    return dt_add_frac_usec(frac - extra, DT_USECS_PER_DAY, itm);
}

static bool dt_add_frac_years(double frac, int scale, dt_itm_in *itm) {
    int32_t extra = (int32_t)rint(frac * scale * DT_MONTHS_PER_YEAR);
    return !__builtin_add_overflow(itm->mon, extra, &itm->mon);
}

static bool dt_add_usec(int64_t val, double fval, int64_t scale, dt_itm_in *itm) {
    int64_t prod;
    if (__builtin_mul_overflow(val, scale, &prod) ||
        __builtin_add_overflow(itm->usec, prod, &itm->usec))
        return false;
    return dt_add_frac_usec(fval, scale, itm);
}

static bool dt_add_days(int64_t val, int scale, dt_itm_in *itm) {
    int32_t days;
    if (val < INT32_MIN || val > INT32_MAX) return false;
    return !__builtin_mul_overflow((int32_t)val, scale, &days) &&
           !__builtin_add_overflow(itm->mday, days, &itm->mday);
}

static bool dt_add_months(int64_t val, dt_itm_in *itm) {
    if (val < INT32_MIN || val > INT32_MAX) return false;
    return !__builtin_add_overflow(itm->mon, (int32_t)val, &itm->mon);
}

static bool dt_add_years(int64_t val, int scale, dt_itm_in *itm) {
    int32_t years;
    if (val < INT32_MIN || val > INT32_MAX) return false;
    return !__builtin_mul_overflow((int32_t)val, scale, &years) &&
           !__builtin_add_overflow(itm->year, years, &itm->year);
}

/* Adds `val.fval` of `unit`; the part claimed goes to *tmask. */
static int dt_interval_add(int unit, int64_t val, double fval, dt_itm_in *itm, uint32_t *tmask) {
    bool ok;
    switch (unit) {
    case DT_U_MICROSEC: ok = dt_add_usec(val, fval, 1, itm), *tmask = DT_IB_MICROSEC; break;
    case DT_U_MILLISEC: ok = dt_add_usec(val, fval, 1000, itm), *tmask = DT_IB_MILLISEC; break;
    case DT_U_SECOND:
        ok = dt_add_usec(val, fval, DT_USECS_PER_SEC, itm);
        *tmask = fval == 0 ? DT_IB_SECOND : DT_IB_ALL_SECS; /* "1.5 s" also fills ms and us */
        break;
    case DT_U_MINUTE: ok = dt_add_usec(val, fval, DT_USECS_PER_MINUTE, itm), *tmask = DT_IB_MINUTE;
        break;
    case DT_U_HOUR: ok = dt_add_usec(val, fval, DT_USECS_PER_HOUR, itm), *tmask = DT_IB_HOUR; break;
    case DT_U_DAY:
        ok = dt_add_days(val, 1, itm) && dt_add_frac_usec(fval, DT_USECS_PER_DAY, itm);
        *tmask = DT_IB_DAY;
        break;
    case DT_U_WEEK:
        ok = dt_add_days(val, 7, itm) && dt_add_frac_days(fval, 7, itm);
        *tmask = DT_IB_WEEK;
        break;
    case DT_U_MONTH:
        ok = dt_add_months(val, itm) && dt_add_frac_days(fval, DT_DAYS_PER_MONTH, itm);
        *tmask = DT_IB_MONTH;
        break;
    case DT_U_YEAR: ok = dt_add_years(val, 1, itm) && dt_add_frac_years(fval, 1, itm);
        *tmask = DT_IB_YEAR;
        break;
    case DT_U_DECADE: ok = dt_add_years(val, 10, itm) && dt_add_frac_years(fval, 10, itm);
        *tmask = DT_IB_DECADE;
        break;
    case DT_U_CENTURY: ok = dt_add_years(val, 100, itm) && dt_add_frac_years(fval, 100, itm);
        *tmask = DT_IB_CENTURY;
        break;
    case DT_U_MILLENNIUM: ok = dt_add_years(val, 1000, itm) && dt_add_frac_years(fval, 1000, itm);
        *tmask = DT_IB_MILLENNIUM;
        break;
    default: return DT_ERR_BAD_FORMAT;
    }
    return ok ? DT_OK : DT_ERR_FIELD_OVERFLOW;
}

/* ---- postgres / SQL form ---------------------------------------------------------------- */

typedef struct dt_interval_dec {
    uint32_t range;      /* typmod field range: picks the unit of a bare trailing number */
    bool force_negative; /* sql_standard "-1 2:03:04": the sign applies to every field */
    int unit;            /* unit for the next number to the left; 0 = from range, -1 = none */
    uint32_t fmask;
    dt_itm_in itm;
} dt_interval_dec;

static int dt_unit_from_range(uint32_t range) {
    switch (range) {
    case SQL_INTERVAL_YEAR: return DT_U_YEAR;
    case SQL_INTERVAL_MONTH:
    case SQL_INTERVAL_YEAR | SQL_INTERVAL_MONTH: return DT_U_MONTH;
    case SQL_INTERVAL_DAY: return DT_U_DAY;
    case SQL_INTERVAL_HOUR:
    case SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR: return DT_U_HOUR;
    case SQL_INTERVAL_MINUTE:
    case SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE:
    case SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE: return DT_U_MINUTE;
    default: return DT_U_SECOND;
    }
}

/* "hh:mm:ss" in an interval (sets all of the time). */
static int dt_interval_time(dt_interval_dec *d, const char *str, uint32_t *tmask) {
    int64_t hour;
    int32_t min, sec, fsec;
    *tmask = DT_IB_TIME;
    bool mmss = d->range == (SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND);
    int rc = sql_dt_decode_time(str, mmss, &hour, &min, &sec, &fsec);
    if (rc != DT_OK) return rc;
    int64_t usec = fsec;
    int64_t part;
    if (__builtin_mul_overflow(hour, DT_USECS_PER_HOUR, &part) ||
        __builtin_add_overflow(usec, part, &usec) ||
        __builtin_add_overflow(usec, (int64_t)min * DT_USECS_PER_MINUTE, &usec) ||
        __builtin_add_overflow(usec, (int64_t)sec * DT_USECS_PER_SEC, &usec))
        return DT_ERR_FIELD_OVERFLOW;
    d->itm.usec = usec;
    return DT_OK;
}

/* A number: "5", "1.5", "-2", "1-2" (years-months). */
static int dt_interval_number(dt_interval_dec *d, const char *field, uint32_t *tmask) {
    if (d->unit == 0) d->unit = dt_unit_from_range(d->range);
    char *cp;
    errno = 0;
    long long v = strtoll(field, &cp, 10);
    if (errno == ERANGE) return DT_ERR_FIELD_OVERFLOW;
    int64_t val = v;
    double fval = 0;
    if (*cp == '-') { /* SQL "years-months" */
        errno = 0;
        long v2 = strtol(cp + 1, &cp, 10);
        if (errno == ERANGE || v2 < 0 || v2 >= DT_MONTHS_PER_YEAR) return DT_ERR_FIELD_OVERFLOW;
        if (*cp != '\0') return DT_ERR_BAD_FORMAT;
        d->unit = DT_U_MONTH;
        if (*field == '-') v2 = -v2;
        if (__builtin_mul_overflow(val, DT_MONTHS_PER_YEAR, &val) ||
            __builtin_add_overflow(val, (int64_t)v2, &val))
            return DT_ERR_FIELD_OVERFLOW;
    } else if (*cp == '.') {
        if (cp[1] != '\0') {
            char *end;
            errno = 0;
            fval = strtod(cp, &end);
            if (*end != '\0' || errno != 0) return DT_ERR_BAD_FORMAT;
        }
        if (*field == '-') fval = -fval;
    } else if (*cp != '\0') {
        return DT_ERR_BAD_FORMAT;
    }
    if (d->force_negative) {
        if (val > 0) val = -val;
        if (fval > 0) fval = -fval;
    }
    if (d->unit < 0) return DT_ERR_BAD_FORMAT;
    int rc = dt_interval_add(d->unit, val, fval, &d->itm, tmask);
    if (rc == DT_OK && d->unit == DT_U_HOUR) d->unit = DT_U_DAY; /* "1 02" is 1 day 2 hours */
    return rc;
}

/* One field, read right to left so units come before their numbers. */
static int dt_interval_field(dt_interval_dec *d, const dt_fields *f, int i, uint32_t *tmask,
                             bool *is_before, bool *skip) {
    const char *field = f->str[i];
    int rc;
    switch (f->kind[i]) {
    case DT_F_TIME:
        rc = dt_interval_time(d, field, tmask);
        if (rc != DT_OK) return rc;
        if (d->force_negative && d->itm.usec > 0) d->itm.usec = -d->itm.usec;
        d->unit = DT_U_DAY;
        return DT_OK;
    case DT_F_TZ: /* signed: "+02:03" is a time, else a signed number */
        if (strchr(field + 1, ':') != NULL && dt_interval_time(d, field + 1, tmask) == DT_OK) {
            if (*field == '-') {
                if (d->itm.usec == INT64_MIN) return DT_ERR_FIELD_OVERFLOW;
                d->itm.usec = -d->itm.usec;
            }
            if (d->force_negative && d->itm.usec > 0) d->itm.usec = -d->itm.usec;
            d->unit = DT_U_DAY;
            return DT_OK;
        }
        *tmask = 0;
        return dt_interval_number(d, field, tmask);
    case DT_F_DATE:
    case DT_F_NUMBER:
        *tmask = 0;
        return dt_interval_number(d, field, tmask);
    default: {
        int32_t val;
        int k = sql_dt_unit_word(field, &val);
        *tmask = 0;
        if (k == DT_K_IGNORE) *skip = true;
        else if (k == DT_K_UNITS) d->unit = val;
        else if (k == DT_K_AGO) *is_before = true, d->unit = -1;
        else return DT_ERR_BAD_FORMAT;
        return DT_OK;
    }
    }
}

static int dt_decode_interval(const sql_datetime_ctx *ctx, const dt_fields *f, uint32_t range,
                              dt_itm_in *out) {
    dt_interval_dec d;
    memset(&d, 0, sizeof(d));
    d.range = range;
    bool is_before = false;
    if (ctx->interval_style == SQL_INTERVALSTYLE_SQL_STANDARD && f->count > 0 &&
        f->str[0][0] == '-') {
        d.force_negative = true;
        for (int i = 1; i < f->count; i++) {
            if (f->str[i][0] == '-' || f->str[i][0] == '+') d.force_negative = false;
        }
    }
    for (int i = f->count - 1; i >= 0; i--) {
        uint32_t tmask = 0;
        bool skip = false;
        int rc = dt_interval_field(&d, f, i, &tmask, &is_before, &skip);
        if (rc != DT_OK) return rc;
        if (skip) continue;
        if (tmask & d.fmask) return DT_ERR_BAD_FORMAT;
        d.fmask |= tmask;
    }
    if (d.fmask == 0) return DT_ERR_BAD_FORMAT;
    if (is_before) { /* "ago" negates everything */
        if (d.itm.usec == INT64_MIN || d.itm.mday == INT32_MIN || d.itm.mon == INT32_MIN ||
            d.itm.year == INT32_MIN)
            return DT_ERR_FIELD_OVERFLOW;
        d.itm.usec = -d.itm.usec;
        d.itm.mday = -d.itm.mday;
        d.itm.mon = -d.itm.mon;
        d.itm.year = -d.itm.year;
    }
    *out = d.itm;
    return DT_OK;
}

/* ---- ISO 8601 form ---------------------------------------------------------------------- */

/* A decimal number, split into an integral part (truncated toward zero) and a fraction. */
static int dt_iso_number(const char *str, const char **end, int64_t *ipart, double *fpart) {
    if (!((*str >= '0' && *str <= '9') || *str == '-' || *str == '.')) return DT_ERR_BAD_FORMAT;
    char *e;
    errno = 0;
    double val = strtod(str, &e);
    *end = e;
    if (e == str || errno != 0) return DT_ERR_BAD_FORMAT;
    if (isnan(val) || val < -1.0e15 || val > 1.0e15) return DT_ERR_FIELD_OVERFLOW;
    *ipart = val >= 0 ? (int64_t)floor(val) : -(int64_t)floor(-val);
    *fpart = val - (double)*ipart;
    return DT_OK;
}

static int dt_iso_digits(const char *s) {
    if (*s == '-') s++;
    int n = 0;
    while (s[n] >= '0' && s[n] <= '9') n++;
    return n;
}

/* "P0001-02-03" (or "P00010203"): the alternative format's date part. */
static int dt_iso_alt_date(const char *start, int64_t val, double fval, char unit,
                           const char **str, dt_itm_in *itm, bool *done) {
    *done = false;
    if (unit != '-' && dt_iso_digits(start) == 8) {
        if (!dt_add_years(val / 10000, 1, itm) || !dt_add_months((val / 100) % 100, itm) ||
            !dt_add_days(val % 100, 1, itm) || !dt_add_frac_usec(fval, DT_USECS_PER_DAY, itm))
            return DT_ERR_FIELD_OVERFLOW;
        *done = unit == '\0';
        return DT_OK;
    }
    if (!dt_add_years(val, 1, itm) || !dt_add_frac_years(fval, 1, itm))
        return DT_ERR_FIELD_OVERFLOW;
    if (unit == '\0') return *done = true, DT_OK;
    if (unit == 'T') return DT_OK;
    int rc = dt_iso_number(*str, str, &val, &fval);
    if (rc != DT_OK) return rc;
    if (!dt_add_months(val, itm) || !dt_add_frac_days(fval, DT_DAYS_PER_MONTH, itm))
        return DT_ERR_FIELD_OVERFLOW;
    if (**str == '\0') return *done = true, DT_OK;
    if (**str == 'T') return (*str)++, DT_OK;
    if (**str != '-') return DT_ERR_BAD_FORMAT;
    (*str)++;
    rc = dt_iso_number(*str, str, &val, &fval);
    if (rc != DT_OK) return rc;
    if (!dt_add_days(val, 1, itm) || !dt_add_frac_usec(fval, DT_USECS_PER_DAY, itm))
        return DT_ERR_FIELD_OVERFLOW;
    if (**str == '\0') return *done = true, DT_OK;
    if (**str == 'T') return (*str)++, DT_OK;
    return DT_ERR_BAD_FORMAT;
}

/* "PT01:02:03" (or "PT010203"): the alternative format's time part. */
static int dt_iso_alt_time(const char *start, int64_t val, double fval, char unit,
                           const char **str, dt_itm_in *itm) {
    if (unit == '\0' && dt_iso_digits(start) == 6) {
        if (!dt_add_usec(val / 10000, 0, DT_USECS_PER_HOUR, itm) ||
            !dt_add_usec((val / 100) % 100, 0, DT_USECS_PER_MINUTE, itm) ||
            !dt_add_usec(val % 100, 0, DT_USECS_PER_SEC, itm) || !dt_add_frac_usec(fval, 1, itm))
            return DT_ERR_FIELD_OVERFLOW;
        return DT_OK;
    }
    if (!dt_add_usec(val, fval, DT_USECS_PER_HOUR, itm)) return DT_ERR_FIELD_OVERFLOW;
    if (unit == '\0') return DT_OK;
    int rc = dt_iso_number(*str, str, &val, &fval);
    if (rc != DT_OK) return rc;
    if (!dt_add_usec(val, fval, DT_USECS_PER_MINUTE, itm)) return DT_ERR_FIELD_OVERFLOW;
    if (**str == '\0') return DT_OK;
    if (**str != ':') return DT_ERR_BAD_FORMAT;
    (*str)++;
    rc = dt_iso_number(*str, str, &val, &fval);
    if (rc != DT_OK) return rc;
    if (!dt_add_usec(val, fval, DT_USECS_PER_SEC, itm)) return DT_ERR_FIELD_OVERFLOW;
    return **str == '\0' ? DT_OK : DT_ERR_BAD_FORMAT;
}

/* One designator unit ("3D", "4H"); false for an unknown designator. */
static bool dt_iso_unit(bool datepart, char unit, int64_t val, double fval, dt_itm_in *itm,
                        int *rc) {
    bool ok;
    if (datepart) {
        switch (unit) {
        case 'Y': ok = dt_add_years(val, 1, itm) && dt_add_frac_years(fval, 1, itm); break;
        case 'M': ok = dt_add_months(val, itm) && dt_add_frac_days(fval, DT_DAYS_PER_MONTH, itm);
            break;
        case 'W': ok = dt_add_days(val, 7, itm) && dt_add_frac_days(fval, 7, itm); break;
        case 'D': ok = dt_add_days(val, 1, itm) && dt_add_frac_usec(fval, DT_USECS_PER_DAY, itm);
            break;
        default: return false;
        }
    } else {
        switch (unit) {
        case 'H': ok = dt_add_usec(val, fval, DT_USECS_PER_HOUR, itm); break;
        case 'M': ok = dt_add_usec(val, fval, DT_USECS_PER_MINUTE, itm); break;
        case 'S': ok = dt_add_usec(val, fval, DT_USECS_PER_SEC, itm); break;
        default: return false;
        }
    }
    *rc = ok ? DT_OK : DT_ERR_FIELD_OVERFLOW;
    return true;
}

/* ISO 8601 "format with designators" (P1Y2M3DT4H5M6S) and "alternative format"
 * (P0001-02-03T04:05:06). Works on the raw text: the designators are upper case. */
static int dt_decode_iso8601(const char *str, dt_itm_in *itm) {
    bool datepart = true, havefield = false;
    memset(itm, 0, sizeof(*itm));
    if (strlen(str) < 2 || str[0] != 'P') return DT_ERR_BAD_FORMAT;
    str++;
    while (*str != '\0') {
        if (*str == 'T') {
            datepart = false;
            havefield = false;
            str++;
            continue;
        }
        const char *start = str;
        int64_t val;
        double fval;
        int rc = dt_iso_number(str, &str, &val, &fval);
        if (rc != DT_OK) return rc;
        char unit = *str;
        if (unit != '\0') str++;
        if (dt_iso_unit(datepart, unit, val, fval, itm, &rc)) {
            if (rc != DT_OK) return rc;
            havefield = true;
            continue;
        }
        bool alt = datepart ? (unit == 'T' || unit == '\0' || unit == '-')
                            : (unit == '\0' || unit == ':');
        if (!alt || havefield) return DT_ERR_BAD_FORMAT;
        if (!datepart) return dt_iso_alt_time(start, val, fval, unit, &str, itm);
        bool done;
        rc = dt_iso_alt_date(start, val, fval, unit, &str, itm, &done);
        if (rc != DT_OK || done) return rc;
        datepart = false;
        havefield = false;
    }
    return DT_OK;
}

/* ---- interval_in ------------------------------------------------------------------------ */

static uint32_t dt_typmod_range(int32_t typmod) {
    return typmod < 0 ? SQL_INTERVAL_FULL_RANGE : ((uint32_t)typmod >> 16) & 0x7fff;
}

static int32_t dt_typmod_precision(int32_t typmod) {
    return typmod < 0 ? (int32_t)SQL_INTERVAL_FULL_PRECISION : typmod & 0xffff;
}

bool sql_interval_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                     sql_interval *out, rt_err *err) {
    dt_fields f;
    dt_itm_in itm;
    int rc = sql_dt_tokenize(str, len, &f);
    if (rc == DT_OK) rc = dt_decode_interval(ctx, &f, dt_typmod_range(typmod), &itm);
    if (rc == DT_ERR_BAD_FORMAT) {
        char buf[SQL_DATETIME_INPUT_BYTES_MAX + 1];
        rc = DT_ERR_BAD_FORMAT;
        if (len < sizeof(buf) && memchr(str, '\0', len) == NULL) {
            memcpy(buf, str, len);
            buf[len] = '\0';
            rc = dt_decode_iso8601(buf, &itm);
        }
    }
    if (rc == DT_ERR_FIELD_OVERFLOW) rc = DT_ERR_INTERVAL_OVERFLOW;
    if (rc != DT_OK) return sql_dt_parse_error(rc, "interval", str, len, NULL, err);
    int64_t months = (int64_t)itm.year * DT_MONTHS_PER_YEAR + itm.mon;
    if (months < INT32_MIN || months > INT32_MAX) return sql_dt_err_interval_range(err);
    out->months = (int32_t)months;
    out->days = itm.mday;
    out->time_us = itm.usec;
    return sql_interval_apply_typmod(out, typmod, err);
}

/* ---- interval_out ----------------------------------------------------------------------- */

typedef struct dt_out {
    char *buf;
    size_t n;
} dt_out;

static void dt_outf(dt_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dt_outf(dt_out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(o->buf + o->n, SQL_DATETIME_TEXT_BYTES_MAX - o->n, fmt, ap);
    va_end(ap);
    if (w > 0) o->n += (size_t)w;
    if (o->n >= SQL_DATETIME_TEXT_BYTES_MAX) o->n = SQL_DATETIME_TEXT_BYTES_MAX - 1;
}

static void dt_out_seconds(dt_out *o, int32_t sec, int64_t usec, bool fill_zero) {
    o->n += sql_dt_encode_seconds(o->buf + o->n, sec, (int32_t)usec, fill_zero);
}

/* "1 year 2 mons -3 days +04:05:06": after a negative part, a positive one gets '+'. */
static void dt_out_postgres_part(dt_out *o, int32_t value, const char *unit, bool *is_zero,
                                 bool *is_before) {
    if (value == 0) return;
    dt_outf(o, "%s%s%d %s%s", *is_zero ? "" : " ", (*is_before && value > 0) ? "+" : "", value,
            unit, value != 1 ? "s" : "");
    *is_before = value < 0;
    *is_zero = false;
}

static void dt_out_postgres(dt_out *o, const dt_itm *t) {
    bool is_zero = true, is_before = false;
    dt_out_postgres_part(o, t->year, "year", &is_zero, &is_before);
    dt_out_postgres_part(o, t->mon, "mon", &is_zero, &is_before);
    dt_out_postgres_part(o, t->mday, "day", &is_zero, &is_before);
    if (is_zero || t->hour != 0 || t->min != 0 || t->sec != 0 || t->usec != 0) {
        bool minus = t->hour < 0 || t->min < 0 || t->sec < 0 || t->usec < 0;
        dt_outf(o, "%s%s%02lld:%02d:", is_zero ? "" : " ", minus ? "-" : (is_before ? "+" : ""),
                (long long)llabs(t->hour), abs(t->min));
        dt_out_seconds(o, t->sec, t->usec, true);
    }
}

static void dt_out_verbose_part(dt_out *o, int64_t value, const char *unit, bool *is_zero,
                                bool *is_before) {
    if (value == 0) return;
    if (*is_zero) { /* the first nonzero part decides "ago" */
        *is_before = value < 0;
        value = llabs(value);
    } else if (*is_before) {
        value = -value;
    }
    dt_outf(o, " %lld %s%s", (long long)value, unit, value == 1 ? "" : "s");
    *is_zero = false;
}

static void dt_out_verbose(dt_out *o, const dt_itm *t) {
    bool is_zero = true, is_before = false;
    dt_outf(o, "@");
    dt_out_verbose_part(o, t->year, "year", &is_zero, &is_before);
    dt_out_verbose_part(o, t->mon, "mon", &is_zero, &is_before);
    dt_out_verbose_part(o, t->mday, "day", &is_zero, &is_before);
    dt_out_verbose_part(o, t->hour, "hour", &is_zero, &is_before);
    dt_out_verbose_part(o, t->min, "min", &is_zero, &is_before);
    if (t->sec != 0 || t->usec != 0) {
        dt_outf(o, " ");
        if (t->sec < 0 || (t->sec == 0 && t->usec < 0)) {
            if (is_zero) is_before = true;
            else if (!is_before) dt_outf(o, "-");
        } else if (is_before) {
            dt_outf(o, "-");
        }
        dt_out_seconds(o, t->sec, t->usec, false);
        dt_outf(o, " sec%s", (abs(t->sec) != 1 || t->usec != 0) ? "s" : "");
        is_zero = false;
    }
    if (is_zero) dt_outf(o, " 0");
    if (is_before) dt_outf(o, " ago");
}

static void dt_out_sql_standard(dt_out *o, const dt_itm *t) {
    /* int64 so that negating INT32_MIN days or months cannot overflow */
    int64_t year = t->year, mon = t->mon, mday = t->mday, hour = t->hour, min = t->min;
    int64_t sec = t->sec, usec = t->usec;
    bool neg = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || usec < 0;
    bool pos = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || usec > 0;
    bool year_month = year != 0 || mon != 0;
    bool day_time = mday != 0 || hour != 0 || min != 0 || sec != 0 || usec != 0;
    bool standard = !(neg && pos) && !(year_month && day_time);
    if (neg && standard) { /* one sign in front of it all */
        dt_outf(o, "-");
        year = -year, mon = -mon, mday = -mday, hour = -hour, min = -min, sec = -sec;
        usec = -usec;
    }
    if (!neg && !pos) {
        dt_outf(o, "0");
    } else if (!standard) { /* mixed: every part signed so it reads back the same */
        char ysign = (year < 0 || mon < 0) ? '-' : '+';
        char dsign = mday < 0 ? '-' : '+';
        char ssign = (hour < 0 || min < 0 || sec < 0 || usec < 0) ? '-' : '+';
        dt_outf(o, "%c%lld-%lld %c%lld %c%lld:%02lld:", ysign, llabs(year), llabs(mon), dsign,
                llabs(mday), ssign, llabs(hour), llabs(min));
        dt_out_seconds(o, (int32_t)sec, usec, true);
    } else if (year_month) {
        dt_outf(o, "%lld-%lld", (long long)year, (long long)mon);
    } else {
        if (mday != 0) dt_outf(o, "%lld ", (long long)mday);
        dt_outf(o, "%lld:%02lld:", (long long)hour, (long long)min);
        dt_out_seconds(o, (int32_t)sec, usec, true);
    }
}

static void dt_out_iso_part(dt_out *o, int64_t value, char unit) {
    if (value != 0) dt_outf(o, "%lld%c", (long long)value, unit);
}

static void dt_out_iso8601(dt_out *o, const dt_itm *t) {
    if (t->year == 0 && t->mon == 0 && t->mday == 0 && t->hour == 0 && t->min == 0 &&
        t->sec == 0 && t->usec == 0) {
        dt_outf(o, "PT0S");
        return;
    }
    dt_outf(o, "P");
    dt_out_iso_part(o, t->year, 'Y');
    dt_out_iso_part(o, t->mon, 'M');
    dt_out_iso_part(o, t->mday, 'D');
    if (t->hour != 0 || t->min != 0 || t->sec != 0 || t->usec != 0) dt_outf(o, "T");
    dt_out_iso_part(o, t->hour, 'H');
    dt_out_iso_part(o, t->min, 'M');
    if (t->sec != 0 || t->usec != 0) {
        if (t->sec < 0 || t->usec < 0) dt_outf(o, "-");
        dt_out_seconds(o, t->sec, t->usec, false);
        dt_outf(o, "S");
    }
}

size_t sql_interval_out(const sql_datetime_ctx *ctx, sql_interval value, char *buf) {
    dt_itm t;
    sql_dt_interval2itm(value, &t);
    dt_out o = {buf, 0};
    buf[0] = '\0';
    switch (ctx->interval_style) {
    case SQL_INTERVALSTYLE_POSTGRES_VERBOSE: dt_out_verbose(&o, &t); break;
    case SQL_INTERVALSTYLE_SQL_STANDARD: dt_out_sql_standard(&o, &t); break;
    case SQL_INTERVALSTYLE_ISO_8601: dt_out_iso8601(&o, &t); break;
    default: dt_out_postgres(&o, &t); break;
    }
    buf[o.n] = '\0';
    return o.n;
}

/* ---- typmods ----------------------------------------------------------------------------- */

static bool dt_interval_range_ok(uint32_t range) {
    switch (range) {
    case SQL_INTERVAL_YEAR:
    case SQL_INTERVAL_MONTH:
    case SQL_INTERVAL_DAY:
    case SQL_INTERVAL_HOUR:
    case SQL_INTERVAL_MINUTE:
    case SQL_INTERVAL_SECOND:
    case SQL_INTERVAL_YEAR | SQL_INTERVAL_MONTH:
    case SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR:
    case SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE:
    case SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND:
    case SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE:
    case SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND:
    case SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND:
    case SQL_INTERVAL_FULL_RANGE: return true;
    default: return false;
    }
}

bool sql_interval_typmod_make(uint32_t range, int32_t precision, int32_t *typmod,
                              bool *reduced, rt_err *err) {
    *reduced = false;
    if (!dt_interval_range_ok(range)) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid INTERVAL type modifier");
    }
    if (precision < 0 && precision != -1) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "INTERVAL(%d) precision must not be negative", precision);
    }
    if (precision > SQL_DATETIME_PRECISION_MAX) {
        *reduced = true;
        precision = SQL_DATETIME_PRECISION_MAX;
    }
    if (precision == -1) precision = (int32_t)SQL_INTERVAL_FULL_PRECISION;
    if (range == SQL_INTERVAL_FULL_RANGE && precision == (int32_t)SQL_INTERVAL_FULL_PRECISION) {
        *typmod = -1;
        return true;
    }
    *typmod = (int32_t)(((range & 0x7fff) << 16) | ((uint32_t)precision & 0xffff));
    return true;
}

size_t sql_interval_typmod_out(int32_t typmod, char *buf) {
    static const struct { uint32_t range; const char *text; } names[] = {
        {SQL_INTERVAL_YEAR, " year"},
        {SQL_INTERVAL_MONTH, " month"},
        {SQL_INTERVAL_DAY, " day"},
        {SQL_INTERVAL_HOUR, " hour"},
        {SQL_INTERVAL_MINUTE, " minute"},
        {SQL_INTERVAL_SECOND, " second"},
        {SQL_INTERVAL_YEAR | SQL_INTERVAL_MONTH, " year to month"},
        {SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR, " day to hour"},
        {SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE, " day to minute"},
        {SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND,
         " day to second"},
        {SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE, " hour to minute"},
        {SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND, " hour to second"},
        {SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND, " minute to second"},
    };
    buf[0] = '\0';
    if (typmod < 0) return 0;
    uint32_t range = dt_typmod_range(typmod);
    const char *fields = "";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].range == range) fields = names[i].text;
    }
    int32_t p = dt_typmod_precision(typmod);
    if (p != (int32_t)SQL_INTERVAL_FULL_PRECISION)
        return (size_t)snprintf(buf, SQL_DATETIME_TEXT_BYTES_MAX, "%s(%d)", fields, p);
    return (size_t)snprintf(buf, SQL_DATETIME_TEXT_BYTES_MAX, "%s", fields);
}

/* Zeroes the fields right of the range's last one, then rounds to the precision. */
bool sql_interval_apply_typmod(sql_interval *iv, int32_t typmod, rt_err *err) {
    if (typmod < 0) return true;
    uint32_t range = dt_typmod_range(typmod);
    int32_t precision = dt_typmod_precision(typmod);
    const uint32_t dhm = SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE;
    if (range == SQL_INTERVAL_YEAR) {
        iv->months = (iv->months / DT_MONTHS_PER_YEAR) * DT_MONTHS_PER_YEAR;
        iv->days = 0;
        iv->time_us = 0;
    } else if (range == SQL_INTERVAL_MONTH || range == (SQL_INTERVAL_YEAR | SQL_INTERVAL_MONTH)) {
        iv->days = 0;
        iv->time_us = 0;
    } else if (range == SQL_INTERVAL_DAY) {
        iv->time_us = 0;
    } else if (range == SQL_INTERVAL_HOUR || range == (SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR)) {
        iv->time_us = (iv->time_us / DT_USECS_PER_HOUR) * DT_USECS_PER_HOUR;
    } else if (range == SQL_INTERVAL_MINUTE || range == dhm ||
               range == (SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE)) {
        iv->time_us = (iv->time_us / DT_USECS_PER_MINUTE) * DT_USECS_PER_MINUTE;
    }
    if (precision != (int32_t)SQL_INTERVAL_FULL_PRECISION) {
        if (precision < 0 || precision > SQL_DATETIME_PRECISION_MAX) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "interval(%d) precision must be between %d and %d", precision, 0,
                              SQL_DATETIME_PRECISION_MAX);
        }
        static const int64_t half[7] = {500000, 50000, 5000, 500, 50, 5, 0};
        if (iv->time_us > INT64_MAX - half[precision] || iv->time_us < INT64_MIN + half[precision])
            return sql_dt_err_interval_range(err); /* PostgreSQL 15 wraps around here */
        iv->time_us = sql_dt_round_time(iv->time_us, precision);
    }
    return true;
}

/* ---- arithmetic -------------------------------------------------------------------------- */

bool sql_interval_um(sql_interval a, sql_interval *out, rt_err *err) {
    if (a.time_us == INT64_MIN || a.days == INT32_MIN || a.months == INT32_MIN)
        return sql_dt_err_interval_range(err);
    out->time_us = -a.time_us;
    out->days = -a.days;
    out->months = -a.months;
    return true;
}

bool sql_interval_pl(sql_interval a, sql_interval b, sql_interval *out, rt_err *err) {
    if (__builtin_add_overflow(a.months, b.months, &out->months) ||
        __builtin_add_overflow(a.days, b.days, &out->days) ||
        __builtin_add_overflow(a.time_us, b.time_us, &out->time_us))
        return sql_dt_err_interval_range(err);
    return true;
}

bool sql_interval_mi(sql_interval a, sql_interval b, sql_interval *out, rt_err *err) {
    if (__builtin_sub_overflow(a.months, b.months, &out->months) ||
        __builtin_sub_overflow(a.days, b.days, &out->days) ||
        __builtin_sub_overflow(a.time_us, b.time_us, &out->time_us))
        return sql_dt_err_interval_range(err);
    return true;
}

/* Rounds to the microsecond in seconds' units (PostgreSQL's TSROUND). */
static double dt_tsround(double v) { return rint(v * 1000000.0) / 1000000.0; }

static bool dt_fits_int32(double v) { return !isnan(v) && v >= -2147483648.0 && v < 2147483648.0; }
static bool dt_fits_int64(double v) {
    return !isnan(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0;
}

/* Months and days scaled by a non-integral factor leave fractions; they cascade down (a month
 * fraction becomes 30-day days, a day fraction becomes seconds), never up. */
static bool dt_interval_scale(double month_d, double day_d, double time_d,
                              sql_interval *out, rt_err *err) {
    if (!dt_fits_int32(month_d) || !dt_fits_int32(day_d)) return sql_dt_err_interval_range(err);
    int32_t months = (int32_t)month_d, days = (int32_t)day_d;
    double month_rem_days = dt_tsround((month_d - months) * DT_DAYS_PER_MONTH);
    double sec_rem = dt_tsround((day_d - days + month_rem_days - (int32_t)month_rem_days) *
                                DT_SECS_PER_DAY);
    if (fabs(sec_rem) >= DT_SECS_PER_DAY) {
        int32_t whole = (int32_t)(sec_rem / DT_SECS_PER_DAY);
        if (__builtin_add_overflow(days, whole, &days)) return sql_dt_err_interval_range(err);
        sec_rem -= (double)whole * DT_SECS_PER_DAY;
    }
    if (__builtin_add_overflow(days, (int32_t)month_rem_days, &days))
        return sql_dt_err_interval_range(err);
    double t = rint(time_d + sec_rem * (double)DT_USECS_PER_SEC);
    if (!dt_fits_int64(t)) return sql_dt_err_interval_range(err);
    out->months = months;
    out->days = days;
    out->time_us = (int64_t)t;
    return true;
}

bool sql_interval_mul(sql_interval a, double factor, sql_interval *out, rt_err *err) {
    return dt_interval_scale(a.months * factor, a.days * factor, (double)a.time_us * factor,
                             out, err);
}

bool sql_interval_div(sql_interval a, double divisor, sql_interval *out, rt_err *err) {
    if (divisor == 0.0) return rt_err_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    return dt_interval_scale(a.months / divisor, a.days / divisor,
                             (double)a.time_us / divisor, out, err);
}

bool sql_interval_justify_hours(sql_interval a, sql_interval *out, rt_err *err) {
    *out = a;
    int64_t whole = out->time_us / DT_USECS_PER_DAY;
    out->time_us -= whole * DT_USECS_PER_DAY;
    if (__builtin_add_overflow(out->days, (int32_t)whole, &out->days))
        return sql_dt_err_interval_range(err);
    if (out->days > 0 && out->time_us < 0) out->time_us += DT_USECS_PER_DAY, out->days--;
    else if (out->days < 0 && out->time_us > 0) out->time_us -= DT_USECS_PER_DAY, out->days++;
    return true;
}

bool sql_interval_justify_days(sql_interval a, sql_interval *out, rt_err *err) {
    *out = a;
    int32_t whole = out->days / DT_DAYS_PER_MONTH;
    out->days -= whole * DT_DAYS_PER_MONTH;
    if (__builtin_add_overflow(out->months, whole, &out->months))
        return sql_dt_err_interval_range(err);
    if (out->months > 0 && out->days < 0) out->days += DT_DAYS_PER_MONTH, out->months--;
    else if (out->months < 0 && out->days > 0) out->days -= DT_DAYS_PER_MONTH, out->months++;
    return true;
}

bool sql_interval_justify_interval(sql_interval a, sql_interval *out, rt_err *err) {
    *out = a;
    /* Moving whole months out of days first keeps the day sum below from overflowing. */
    if ((out->days > 0 && out->time_us > 0) || (out->days < 0 && out->time_us < 0)) {
        int32_t whole = out->days / DT_DAYS_PER_MONTH;
        out->days -= whole * DT_DAYS_PER_MONTH;
        if (__builtin_add_overflow(out->months, whole, &out->months))
            return sql_dt_err_interval_range(err);
    }
    int64_t wholeday = out->time_us / DT_USECS_PER_DAY;
    out->time_us -= wholeday * DT_USECS_PER_DAY;
    out->days += (int32_t)wholeday;
    int32_t whole = out->days / DT_DAYS_PER_MONTH;
    out->days -= whole * DT_DAYS_PER_MONTH;
    if (__builtin_add_overflow(out->months, whole, &out->months))
        return sql_dt_err_interval_range(err);
    if (out->months > 0 && (out->days < 0 || (out->days == 0 && out->time_us < 0))) {
        out->days += DT_DAYS_PER_MONTH;
        out->months--;
    } else if (out->months < 0 && (out->days > 0 || (out->days == 0 && out->time_us > 0))) {
        out->days -= DT_DAYS_PER_MONTH;
        out->months++;
    }
    if (out->days > 0 && out->time_us < 0) out->time_us += DT_USECS_PER_DAY, out->days--;
    else if (out->days < 0 && out->time_us > 0) out->time_us -= DT_USECS_PER_DAY, out->days++;
    return true;
}

/* ---- comparison ---------------------------------------------------------------------------- */

/* The interval as one 128-bit count of microseconds, months as 30 days, days as 24 hours. */
static __int128 dt_interval_span(sql_interval iv) {
    int64_t days = iv.time_us / DT_USECS_PER_DAY + (int64_t)iv.months * DT_DAYS_PER_MONTH + iv.days;
    return (__int128)(iv.time_us % DT_USECS_PER_DAY) + (__int128)days * DT_USECS_PER_DAY;
}

int sql_interval_cmp(sql_interval a, sql_interval b) {
    __int128 x = dt_interval_span(a), y = dt_interval_span(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

uint64_t sql_interval_hash(sql_interval value) {
    unsigned __int128 s = (unsigned __int128)dt_interval_span(value);
    uint64_t h = (uint64_t)s ^ ((uint64_t)(s >> 64) * 0x9e3779b97f4a7c15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* ---- time and interval ---------------------------------------------------------------------- */

sql_interval sql_time_to_interval(sql_time t) { return (sql_interval){t, 0, 0}; }

sql_time sql_interval_to_time(sql_interval iv) {
    int64_t t = iv.time_us % DT_USECS_PER_DAY;
    return t < 0 ? t + DT_USECS_PER_DAY : t;
}

/* A time of day moved by `delta_us`, wrapped around midnight. The sum wraps in 64 bits
 * first, as PostgreSQL's does, so huge intervals give the same odd answer it gives. */
static sql_time dt_time_wrap(sql_time t, int64_t delta_us) {
    int64_t r = (int64_t)((uint64_t)t + (uint64_t)delta_us);
    r -= r / DT_USECS_PER_DAY * DT_USECS_PER_DAY;
    return r < 0 ? r + DT_USECS_PER_DAY : r;
}

static int64_t dt_neg_wrap(int64_t v) { return (int64_t)(0u - (uint64_t)v); }

sql_time sql_time_pl_interval(sql_time t, sql_interval iv) { return dt_time_wrap(t, iv.time_us); }

sql_time sql_time_mi_interval(sql_time t, sql_interval iv) {
    return dt_time_wrap(t, dt_neg_wrap(iv.time_us));
}

sql_interval sql_time_mi_time(sql_time a, sql_time b) { return (sql_interval){a - b, 0, 0}; }

sql_timetz sql_timetz_pl_interval(sql_timetz t, sql_interval iv) {
    return (sql_timetz){dt_time_wrap(t.time_us, iv.time_us), t.zone_s};
}

sql_timetz sql_timetz_mi_interval(sql_timetz t, sql_interval iv) {
    return (sql_timetz){dt_time_wrap(t.time_us, dt_neg_wrap(iv.time_us)), t.zone_s};
}
