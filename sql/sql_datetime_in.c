/* sql_datetime_in.c: text input of date, time, timetz, timestamp and timestamptz.
 *
 * The fields from sql_dt_tokenize() are read left to right. Each one claims the parts it
 * supplies (year, month, day, hour..., zone) in a bit mask; a part claimed twice makes the
 * input invalid, and a bare number takes the next part that makes sense after those already
 * seen (and the DateStyle order). That is how PostgreSQL accepts "2024-01-31", "1/31/2024",
 * "January 31, 2024", "31-jan-2024", "20240131T134500", "J2451187" and friends, and rejects
 * the same inputs it rejects: the rules here reproduce its behaviour, including its quirks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* Parts a field can claim. */
enum {
    DT_B_RESERV,
    DT_B_MONTH,
    DT_B_YEAR,
    DT_B_DAY,
    DT_B_TZ,
    DT_B_DTZ,
    DT_B_DYNTZ,
    DT_B_AMPM,
    DT_B_HOUR,
    DT_B_MINUTE,
    DT_B_SECOND,
    DT_B_MILLISEC,
    DT_B_MICROSEC,
    DT_B_DOY,
    DT_B_DOW,
    DT_B_ADBC,
    DT_B_DTZMOD,
};
#define DT_M(b) (1u << (b))
#define DT_DATE_M (DT_M(DT_B_YEAR) | DT_M(DT_B_MONTH) | DT_M(DT_B_DAY))
#define DT_ALL_SECS_M (DT_M(DT_B_SECOND) | DT_M(DT_B_MILLISEC) | DT_M(DT_B_MICROSEC))
#define DT_TIME_M (DT_M(DT_B_HOUR) | DT_M(DT_B_MINUTE) | DT_ALL_SECS_M)

/* What the input turned out to be. */
enum { DT_DTYPE_DATE, DT_DTYPE_TIME, DT_DTYPE_EPOCH, DT_DTYPE_LATE, DT_DTYPE_EARLY };
/* A pending "t" before an ISO time (the other prefixes are DT_U_* units). */
#define DT_PT_ISOTIME 100
enum { DT_MER_24, DT_MER_AM, DT_MER_PM };

typedef struct dt_decode {
    const sql_datetime_ctx *ctx;
    dt_fields *f;
    bool time_only; /* decoding a time (with optional date and zone), not a timestamp */
    uint32_t fmask; /* parts seen so far */
    int ptype;      /* unit prefix waiting for its number ("j", "y", "t"), 0 = none */
    dt_tm tm;       /* tm.usec holds the fraction of a second */
    int32_t tz;     /* zone in seconds WEST of UTC, PostgreSQL's sign */
    int mer;
    bool text_month, julian, two_digit, bc;
    int dtype;
    const sql_tz *named_tz;
    const sql_tz_abbrev *dyn_abbrev;
    const char *bad_tz; /* the unknown zone name of DT_ERR_BAD_TIMEZONE */
} dt_decode;

/* ---- number helpers (strtol semantics, as PostgreSQL uses them) ------------------------- */

static int dt_strtoint(const char *s, char **end, int32_t *val) {
    errno = 0;
    long v = strtol(s, end, 10);
    if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX) return DT_ERR_FIELD_OVERFLOW;
    *val = (int32_t)v;
    return DT_OK;
}

/* A fraction ".nnn" that must end the string (a lone "." is zero). */
static int dt_parse_fraction(const char *cp, double *frac) {
    RT_ASSERT(*cp == '.');
    if (cp[1] == '\0') {
        *frac = 0;
        return DT_OK;
    }
    char *end;
    errno = 0;
    *frac = strtod(cp, &end);
    if (*end != '\0' || errno != 0) return DT_ERR_BAD_FORMAT;
    return DT_OK;
}

static int dt_parse_fsec(const char *cp, int32_t *fsec) {
    double frac;
    int rc = dt_parse_fraction(cp, &frac);
    if (rc != DT_OK) return rc;
    *fsec = (int32_t)sql_dt_rint_usec(frac * 1000000.0);
    return DT_OK;
}

/* ---- field decoders ------------------------------------------------------------------------ */

int sql_dt_decode_tz(const char *str, int32_t *tz_west) {
    if (*str != '+' && *str != '-') return DT_ERR_BAD_FORMAT;
    char *cp;
    int32_t hr, min = 0, sec = 0;
    if (dt_strtoint(str + 1, &cp, &hr) != DT_OK) return DT_ERR_TZDISP_OVERFLOW;
    if (*cp == ':') {
        if (dt_strtoint(cp + 1, &cp, &min) != DT_OK) return DT_ERR_TZDISP_OVERFLOW;
        if (*cp == ':' && dt_strtoint(cp + 1, &cp, &sec) != DT_OK) return DT_ERR_TZDISP_OVERFLOW;
    } else if (*cp == '\0' && strlen(str) > 3) {
        min = hr % 100; /* "+0530" */
        hr /= 100;
    }
    if (hr < 0 || hr > DT_MAX_TZDISP_HOUR || min < 0 || min >= 60 || sec < 0 || sec >= 60)
        return DT_ERR_TZDISP_OVERFLOW;
    int32_t tz = (hr * 60 + min) * 60 + sec;
    *tz_west = *str == '-' ? tz : -tz;
    return *cp == '\0' ? DT_OK : DT_ERR_BAD_FORMAT;
}

/* "hh:mm[:ss[.f]]" or "mm:ss.f"; `mmss` reads "a:b" as minutes:seconds (interval MINUTE TO
 * SECOND). Hours may be large (intervals); callers range-check them. */
int sql_dt_decode_time(const char *str, bool mmss, int64_t *hour, int32_t *min, int32_t *sec,
                       int32_t *fsec) {
    char *cp;
    errno = 0;
    long long h = strtoll(str, &cp, 10);
    if (errno == ERANGE) return DT_ERR_FIELD_OVERFLOW;
    if (*cp != ':') return DT_ERR_BAD_FORMAT;
    if (dt_strtoint(cp + 1, &cp, min) != DT_OK) return DT_ERR_FIELD_OVERFLOW;
    *sec = 0;
    *fsec = 0;
    bool shift = false; /* the two numbers were minutes and seconds */
    if (*cp == '\0') {
        shift = mmss;
    } else if (*cp == '.') {
        int rc = dt_parse_fsec(cp, fsec);
        if (rc != DT_OK) return rc;
        shift = true;
    } else if (*cp == ':') {
        if (dt_strtoint(cp + 1, &cp, sec) != DT_OK) return DT_ERR_FIELD_OVERFLOW;
        if (*cp == '.') {
            int rc = dt_parse_fsec(cp, fsec);
            if (rc != DT_OK) return rc;
        } else if (*cp != '\0') {
            return DT_ERR_BAD_FORMAT;
        }
    } else {
        return DT_ERR_BAD_FORMAT;
    }
    if (shift) {
        if (h > INT32_MAX || h < INT32_MIN) return DT_ERR_FIELD_OVERFLOW;
        *sec = *min;
        *min = (int32_t)h;
        h = 0;
    }
    if (h < 0 || *min < 0 || *min > 59 || *sec < 0 || *sec > 60 || *fsec < 0 ||
        *fsec > 1000000)
        return DT_ERR_FIELD_OVERFLOW;
    *hour = h;
    return DT_OK;
}

static int dt_decode_time_tm(dt_decode *d, const char *str, uint32_t *tmask) {
    int64_t hour;
    *tmask = DT_TIME_M;
    int rc = sql_dt_decode_time(str, false, &hour, &d->tm.min, &d->tm.sec, &d->tm.usec);
    if (rc != DT_OK) return rc;
    if (hour > INT32_MAX) return DT_ERR_FIELD_OVERFLOW;
    d->tm.hour = (int32_t)hour;
    return DT_OK;
}

/* A run of digits that holds several parts: "20240131", "240131", "134500", "1345",
 * "134500.5". Returns DT_F_DATE or DT_F_TIME for what it was, or a negative error. */
static int dt_decode_number_field(dt_decode *d, char *str, uint32_t fmask, uint32_t *tmask) {
    size_t len = strlen(str);
    char *cp = strchr(str, '.');
    if (cp != NULL) {
        double frac = 0;
        if (cp[1] != '\0') {
            errno = 0;
            frac = strtod(cp, NULL);
            if (errno != 0) return -DT_ERR_BAD_FORMAT;
        }
        d->tm.usec = (int32_t)sql_dt_rint_usec(frac * 1000000.0);
        *cp = '\0';
        len = strlen(str);
    } else if ((fmask & DT_DATE_M) != DT_DATE_M && len >= 6) {
        /* Day and month are the last four digits; the year is the rest. */
        *tmask = DT_DATE_M;
        d->tm.mday = atoi(str + len - 2);
        str[len - 2] = '\0';
        d->tm.mon = atoi(str + len - 4);
        str[len - 4] = '\0';
        d->tm.year = atoi(str);
        if (len - 4 == 2) d->two_digit = true;
        return DT_F_DATE;
    }
    if ((fmask & DT_TIME_M) != DT_TIME_M && (len == 6 || len == 4)) {
        *tmask = DT_TIME_M;
        d->tm.sec = len == 6 ? atoi(str + 4) : 0;
        str[4] = '\0';
        d->tm.min = atoi(str + 2);
        str[2] = '\0';
        d->tm.hour = atoi(str);
        return DT_F_TIME;
    }
    return -DT_ERR_BAD_FORMAT;
}

/* One plain number in a date: which part it is depends on what came before and DateStyle. */
static int dt_decode_number(dt_decode *d, const char *str, bool text_month, uint32_t fmask,
                            uint32_t *tmask) {
    size_t flen = strlen(str);
    char *cp;
    int32_t val;
    *tmask = 0;
    if (dt_strtoint(str, &cp, &val) != DT_OK) return DT_ERR_FIELD_OVERFLOW;
    if (cp == str) return DT_ERR_BAD_FORMAT;
    if (*cp == '.') {
        if (cp - str > 2) { /* "2001.360", "20011225.5", "040506.789" */
            int rc = dt_decode_number_field(d, (char *)str, fmask | DT_DATE_M, tmask);
            return rc < 0 ? -rc : DT_OK;
        }
        int rc = dt_parse_fsec(cp, &d->tm.usec);
        if (rc != DT_OK) return rc;
    } else if (*cp != '\0') {
        return DT_ERR_BAD_FORMAT;
    }
    /* Three digits right after a year: day of the year. */
    if (flen == 3 && (fmask & DT_DATE_M) == DT_M(DT_B_YEAR) && val >= 1 && val <= 366) {
        *tmask = DT_M(DT_B_DOY) | DT_M(DT_B_MONTH) | DT_M(DT_B_DAY);
        d->tm.yday = val;
        return DT_OK;
    }
    int order = d->ctx->date_order;
    switch (fmask & DT_DATE_M) {
    case 0: /* first: a 3+ digit year, else the DateStyle order decides */
        if (flen >= 3 || order == SQL_DATEORDER_YMD) *tmask = DT_M(DT_B_YEAR), d->tm.year = val;
        else if (order == SQL_DATEORDER_DMY) *tmask = DT_M(DT_B_DAY), d->tm.mday = val;
        else *tmask = DT_M(DT_B_MONTH), d->tm.mon = val;
        break;
    case DT_M(DT_B_YEAR):
        *tmask = DT_M(DT_B_MONTH), d->tm.mon = val;
        break;
    case DT_M(DT_B_MONTH):
        if (text_month && (flen >= 3 || order == SQL_DATEORDER_YMD))
            *tmask = DT_M(DT_B_YEAR), d->tm.year = val;
        else *tmask = DT_M(DT_B_DAY), d->tm.mday = val;
        break;
    case DT_M(DT_B_YEAR) | DT_M(DT_B_MONTH):
        if (text_month && flen >= 3 && d->two_digit) {
            /* "dd-mon-yyyy": the 2-digit "year" seen first was the day */
            *tmask = DT_M(DT_B_DAY);
            d->tm.mday = d->tm.year;
            d->tm.year = val;
            d->two_digit = false;
        } else {
            *tmask = DT_M(DT_B_DAY), d->tm.mday = val;
        }
        break;
    case DT_M(DT_B_DAY):
        *tmask = DT_M(DT_B_MONTH), d->tm.mon = val;
        break;
    case DT_M(DT_B_MONTH) | DT_M(DT_B_DAY):
        *tmask = DT_M(DT_B_YEAR), d->tm.year = val;
        break;
    case DT_DATE_M: {
        int rc = dt_decode_number_field(d, (char *)str, fmask, tmask);
        return rc < 0 ? -rc : DT_OK;
    }
    default:
        return DT_ERR_BAD_FORMAT;
    }
    if (*tmask == DT_M(DT_B_YEAR)) d->two_digit = flen <= 2;
    return DT_OK;
}

/* A date with separators: "2024-01-31", "1/31/2024", "31-jan-2024", "2024.031". */
static int dt_decode_date(dt_decode *d, char *str, uint32_t fmask, uint32_t *tmask) {
    char *sub[DT_FIELDS_MAX];
    int n = 0;
    *tmask = 0;
    while (*str != '\0' && n < DT_FIELDS_MAX) {
        while (*str != '\0' && !((*str >= '0' && *str <= '9') || (*str >= 'a' && *str <= 'z')))
            str++;
        if (*str == '\0') return DT_ERR_BAD_FORMAT; /* ends with a separator */
        sub[n++] = str;
        if (*str >= '0' && *str <= '9') {
            while (*str >= '0' && *str <= '9') str++;
        } else {
            while (*str >= 'a' && *str <= 'z') str++;
        }
        if (*str != '\0') *str++ = '\0';
    }
    bool text_month = false;
    for (int i = 0; i < n; i++) { /* month names first: they are unambiguous */
        if (!(*sub[i] >= 'a' && *sub[i] <= 'z')) continue;
        int32_t val;
        int k = sql_dt_keyword(sub[i], &val);
        if (k == DT_K_IGNORE) continue;
        if (k != DT_K_MONTH || (fmask & DT_M(DT_B_MONTH))) return DT_ERR_BAD_FORMAT;
        d->tm.mon = val;
        text_month = true;
        fmask |= DT_M(DT_B_MONTH);
        *tmask |= DT_M(DT_B_MONTH);
        sub[i] = NULL;
    }
    for (int i = 0; i < n; i++) {
        if (sub[i] == NULL || *sub[i] == '\0') continue;
        uint32_t dmask;
        int rc = dt_decode_number(d, sub[i], text_month, fmask, &dmask);
        if (rc != DT_OK) return rc;
        if (fmask & dmask) return DT_ERR_BAD_FORMAT;
        fmask |= dmask;
        *tmask |= dmask;
    }
    if ((fmask & ~(DT_M(DT_B_DOY) | DT_M(DT_B_TZ))) != DT_DATE_M) return DT_ERR_BAD_FORMAT;
    return DT_OK;
}

/* Final checks of year, month and day; BC and 2-digit years; day of year. */
static int dt_validate_date(dt_decode *d) {
    dt_tm *tm = &d->tm;
    if (d->fmask & DT_M(DT_B_YEAR)) {
        if (d->julian) {
            /* the year came from a Julian day and is right as is */
        } else if (d->bc) {
            if (tm->year <= 0) return DT_ERR_FIELD_OVERFLOW; /* there is no year 0 BC */
            tm->year = -(tm->year - 1);
        } else if (d->two_digit) {
            if (tm->year < 0) return DT_ERR_FIELD_OVERFLOW;
            if (tm->year < 70) tm->year += 2000; /* 00..69 -> 2000..2069 */
            else if (tm->year < 100) tm->year += 1900;
        } else if (tm->year <= 0) {
            return DT_ERR_FIELD_OVERFLOW;
        }
    }
    if (d->fmask & DT_M(DT_B_DOY))
        sql_dt_j2date(sql_dt_date2j(tm->year, 1, 1) + tm->yday - 1, &tm->year, &tm->mon,
                      &tm->mday);
    if ((d->fmask & DT_M(DT_B_MONTH)) && (tm->mon < 1 || tm->mon > 12))
        return DT_ERR_MD_FIELD_OVERFLOW;
    if ((d->fmask & DT_M(DT_B_DAY)) && (tm->mday < 1 || tm->mday > 31))
        return DT_ERR_MD_FIELD_OVERFLOW;
    if ((d->fmask & DT_DATE_M) == DT_DATE_M && tm->mday > sql_dt_month_days(tm->year, tm->mon))
        return DT_ERR_FIELD_OVERFLOW;
    return DT_OK;
}

/* ---- per-kind handlers ---------------------------------------------------------------- */

/* A date-kind field when month and day are known, or after "t": a run-together time with a
 * trailing numeric zone ("134500-05"), else a zone name ("america/new_york"). */
static int dt_zone_or_time(dt_decode *d, char *field, bool as_time, uint32_t extra_mask,
                           uint32_t *tmask) {
    if (as_time) {
        if ((d->fmask & DT_TIME_M) == DT_TIME_M) return DT_ERR_BAD_FORMAT;
        char *cp = strchr(field, '-');
        if (cp == NULL) return DT_ERR_BAD_FORMAT;
        int rc = sql_dt_decode_tz(cp, &d->tz);
        if (rc != DT_OK) return rc;
        *cp = '\0';
        rc = dt_decode_number_field(d, field, d->fmask | extra_mask, tmask);
        if (rc < 0) return -rc;
        *tmask |= DT_M(DT_B_TZ);
        return DT_OK;
    }
    rt_err ignored = {0};
    if (!sql_tz_load(field, strlen(field), &d->named_tz, &ignored)) {
        d->bad_tz = field;
        return DT_ERR_BAD_TIMEZONE;
    }
    *tmask = DT_M(DT_B_TZ);
    return DT_OK;
}

static int dt_field_date(dt_decode *d, int i, uint32_t *tmask) {
    char *field = d->f->str[i];
    if (d->time_only) {
        int n = d->f->count;
        if (i == 0 && n >= 2 && (d->f->kind[n - 1] == DT_F_DATE || d->f->kind[1] == DT_F_TIME))
            return dt_decode_date(d, field, d->fmask, tmask);
        return dt_zone_or_time(d, field, field[0] >= '0' && field[0] <= '9', DT_DATE_M, tmask);
    }
    if (d->ptype == DT_U_JULIAN) { /* "j2451187-05": Julian day with a zone */
        char *cp;
        int32_t jday;
        if (dt_strtoint(field, &cp, &jday) != DT_OK || jday < 0) return DT_ERR_FIELD_OVERFLOW;
        sql_dt_j2date(jday, &d->tm.year, &d->tm.mon, &d->tm.mday);
        d->julian = true;
        int rc = sql_dt_decode_tz(cp, &d->tz);
        if (rc != DT_OK) return rc;
        *tmask = DT_DATE_M | DT_TIME_M | DT_M(DT_B_TZ);
        d->ptype = 0;
        return DT_OK;
    }
    uint32_t md = DT_M(DT_B_MONTH) | DT_M(DT_B_DAY);
    if (d->ptype != 0 || (d->fmask & md) == md) {
        bool as_time = d->ptype != 0 || (field[0] >= '0' && field[0] <= '9');
        if (d->ptype != 0 && d->ptype != DT_PT_ISOTIME) return DT_ERR_BAD_FORMAT;
        d->ptype = 0;
        return dt_zone_or_time(d, field, as_time, 0, tmask);
    }
    return dt_decode_date(d, field, d->fmask, tmask);
}

/* Each field in range, and the whole at most 24:00:00 (23:59:60 is allowed, 23:59:60.5 not). */
static bool dt_time_overflows(const dt_tm *tm) {
    if (tm->hour < 0 || tm->hour > 24 || tm->min < 0 || tm->min > 59 || tm->sec < 0 ||
        tm->sec > 60 || tm->usec < 0 || tm->usec > 1000000)
        return true;
    return sql_dt_tm2time(tm) > DT_USECS_PER_DAY;
}

/* A time "13:45:00.5". In a timestamp only "t" may precede it; in a time PostgreSQL 15 does
 * not look at a pending prefix here. */
static int dt_field_time(dt_decode *d, int i, uint32_t *tmask) {
    if (d->ptype != 0 && !d->time_only) {
        if (d->ptype != DT_PT_ISOTIME) return DT_ERR_BAD_FORMAT;
        d->ptype = 0;
    }
    int rc = dt_decode_time_tm(d, d->f->str[i], tmask);
    if (rc != DT_OK) return rc;
    if (!d->time_only && dt_time_overflows(&d->tm)) return DT_ERR_FIELD_OVERFLOW;
    return DT_OK;
}

/* A number after a unit prefix: "j2451187", "y2024", "t134500", "s5.5". */
static int dt_field_prefixed(dt_decode *d, char *field, uint32_t *tmask) {
    char *cp;
    int32_t val;
    if (dt_strtoint(field, &cp, &val) != DT_OK) return DT_ERR_FIELD_OVERFLOW;
    if (*cp == '.') {
        if (d->ptype != DT_U_JULIAN && d->ptype != DT_PT_ISOTIME && d->ptype != DT_U_SECOND)
            return DT_ERR_BAD_FORMAT;
    } else if (*cp != '\0') {
        return DT_ERR_BAD_FORMAT;
    }
    dt_tm *tm = &d->tm;
    switch (d->ptype) {
    case DT_U_YEAR: tm->year = val, *tmask = DT_M(DT_B_YEAR); break;
    case DT_U_MONTH: /* after a month and an hour, "m" means minutes */
        if ((d->fmask & DT_M(DT_B_MONTH)) && (d->fmask & DT_M(DT_B_HOUR)))
            tm->min = val, *tmask = DT_M(DT_B_MINUTE);
        else tm->mon = val, *tmask = DT_M(DT_B_MONTH);
        break;
    case DT_U_DAY: tm->mday = val, *tmask = DT_M(DT_B_DAY); break;
    case DT_U_HOUR: tm->hour = val, *tmask = DT_M(DT_B_HOUR); break;
    case DT_U_MINUTE: tm->min = val, *tmask = DT_M(DT_B_MINUTE); break;
    case DT_U_SECOND:
        tm->sec = val;
        *tmask = DT_M(DT_B_SECOND);
        if (*cp == '.') {
            int rc = dt_parse_fsec(cp, &tm->usec);
            if (rc != DT_OK) return rc;
            *tmask = DT_ALL_SECS_M;
        }
        break;
    case DT_U_JULIAN: {
        if (val < 0) return DT_ERR_FIELD_OVERFLOW;
        *tmask = DT_DATE_M;
        sql_dt_j2date(val, &tm->year, &tm->mon, &tm->mday);
        d->julian = true;
        if (*cp == '.') { /* fraction of a day */
            double frac;
            int rc = dt_parse_fraction(cp, &frac);
            if (rc != DT_OK) return rc;
            sql_dt_time2tm(sql_dt_rint_usec(frac * (double)DT_USECS_PER_DAY), tm);
            *tmask |= DT_TIME_M;
        }
        break;
    }
    case DT_PT_ISOTIME: {
        int rc = dt_decode_number_field(d, field, d->fmask | DT_DATE_M, tmask);
        if (rc < 0) return -rc;
        if (*tmask != DT_TIME_M) return DT_ERR_BAD_FORMAT;
        break;
    }
    default:
        return DT_ERR_BAD_FORMAT;
    }
    d->ptype = 0;
    d->dtype = DT_DTYPE_DATE;
    return DT_OK;
}

static int dt_field_number(dt_decode *d, int i, uint32_t *tmask) {
    char *field = d->f->str[i];
    if (d->ptype != 0) return dt_field_prefixed(d, field, tmask);
    size_t flen = strlen(field);
    char *cp = strchr(field, '.');
    int rc;
    if (d->time_only) {
        int n = d->f->count;
        if (cp != NULL) {
            if (i == 0 && n >= 2 && d->f->kind[n - 1] == DT_F_DATE)
                return dt_decode_date(d, field, d->fmask, tmask);
            if (flen - strlen(cp) <= 2) return DT_ERR_BAD_FORMAT;
            rc = dt_decode_number_field(d, field, d->fmask | DT_DATE_M, tmask);
            return rc < 0 ? -rc : DT_OK;
        }
        if (flen > 4) {
            rc = dt_decode_number_field(d, field, d->fmask | DT_DATE_M, tmask);
            return rc < 0 ? -rc : DT_OK;
        }
        return dt_decode_number(d, field, false, d->fmask | DT_DATE_M, tmask);
    }
    if (cp != NULL && !(d->fmask & DT_DATE_M)) return dt_decode_date(d, field, d->fmask, tmask);
    /* Six or more digits are YMD or HMS unless both are known; five digits are a year. */
    if ((cp != NULL && flen - strlen(cp) > 2) ||
        (cp == NULL && flen >= 6 && (!(d->fmask & DT_DATE_M) || !(d->fmask & DT_TIME_M)))) {
        rc = dt_decode_number_field(d, field, d->fmask, tmask);
        return rc < 0 ? -rc : DT_OK;
    }
    return dt_decode_number(d, field, d->text_month, d->fmask, tmask);
}

/* Reserved words: now, today, tomorrow, yesterday, allballs, epoch, infinity. */
static int dt_field_reserved(dt_decode *d, int32_t val, uint32_t *tmask) {
    dt_tm now;
    dt_tm *tm = &d->tm;
    if (d->time_only) {
        if (val == DT_V_NOW) {
            *tmask = DT_TIME_M;
            d->dtype = DT_DTYPE_TIME;
            sql_dt_now_tm(d->ctx, &now);
            tm->hour = now.hour, tm->min = now.min, tm->sec = now.sec, tm->usec = now.usec;
        } else if (val == DT_V_ZULU) {
            *tmask = DT_TIME_M | DT_M(DT_B_TZ);
            d->dtype = DT_DTYPE_TIME;
            tm->hour = tm->min = tm->sec = 0;
            tm->isdst = 0;
        } else {
            return DT_ERR_BAD_FORMAT;
        }
        return DT_OK;
    }
    switch (val) {
    case DT_V_NOW:
        *tmask = DT_DATE_M | DT_TIME_M | DT_M(DT_B_TZ);
        d->dtype = DT_DTYPE_DATE;
        sql_dt_now_tm(d->ctx, tm);
        d->tz = -tm->gmtoff;
        break;
    case DT_V_TODAY:
    case DT_V_TOMORROW:
    case DT_V_YESTERDAY: {
        *tmask = DT_DATE_M;
        d->dtype = DT_DTYPE_DATE;
        sql_dt_now_tm(d->ctx, &now);
        int shift = val == DT_V_TODAY ? 0 : val == DT_V_TOMORROW ? 1 : -1;
        sql_dt_j2date(sql_dt_date2j(now.year, now.mon, now.mday) + shift, &tm->year, &tm->mon,
                      &tm->mday);
        break;
    }
    case DT_V_ZULU:
        *tmask = DT_TIME_M | DT_M(DT_B_TZ);
        d->dtype = DT_DTYPE_DATE;
        tm->hour = tm->min = tm->sec = 0;
        d->tz = 0;
        break;
    case DT_V_EPOCH: d->dtype = DT_DTYPE_EPOCH; break;
    case DT_V_LATE: d->dtype = DT_DTYPE_LATE; break;
    case DT_V_EARLY: d->dtype = DT_DTYPE_EARLY; break;
    default: return DT_ERR_BAD_FORMAT;
    }
    return DT_OK;
}

/* A zone abbreviation ("pst", "cest", "msk"). */
static void dt_field_abbrev(dt_decode *d, const sql_tz_abbrev *ab, uint32_t *tmask) {
    if (ab->zone_name != NULL) {
        *tmask = DT_M(DT_B_DYNTZ) | DT_M(DT_B_TZ);
        d->dyn_abbrev = ab;
    } else if (ab->is_dst) {
        *tmask = DT_M(DT_B_DTZ) | DT_M(DT_B_TZ);
        d->tm.isdst = 1;
        d->tz = -ab->utc_offset_s;
    } else {
        *tmask = DT_M(DT_B_TZ);
        d->tm.isdst = 0;
        d->tz = -ab->utc_offset_s;
    }
}

/* A word: keyword, month, weekday, AM/PM, AD/BC, zone abbreviation or zone name. Returns
 * DT_OK with *skip set for words that mean nothing ("at", "on"). */
static int dt_field_word(dt_decode *d, int i, uint32_t *tmask, bool *skip) {
    char *field = d->f->str[i];
    const sql_tz_abbrev *ab = sql_tz_abbrev_find(field, strlen(field));
    if (ab != NULL) { /* zone abbreviations win over other words */
        dt_field_abbrev(d, ab, tmask);
        return DT_OK;
    }
    int32_t val;
    int k = sql_dt_keyword(field, &val);
    switch (k) {
    case DT_K_IGNORE: *skip = true; return DT_OK;
    case DT_K_RESERV: *tmask = DT_M(DT_B_RESERV); return dt_field_reserved(d, val, tmask);
    case DT_K_MONTH:
        if (d->time_only) return DT_ERR_BAD_FORMAT;
        *tmask = DT_M(DT_B_MONTH);
        /* a number seen as the month ("31 jan") was the day */
        if ((d->fmask & DT_M(DT_B_MONTH)) && !d->text_month && !(d->fmask & DT_M(DT_B_DAY)) &&
            d->tm.mon >= 1 && d->tm.mon <= 31) {
            d->tm.mday = d->tm.mon;
            *tmask = DT_M(DT_B_DAY);
        }
        d->text_month = true;
        d->tm.mon = val;
        return DT_OK;
    case DT_K_DTZMOD:
        *tmask = DT_M(DT_B_DTZMOD) | DT_M(DT_B_DTZ);
        d->tm.isdst = 1;
        d->tz -= val;
        return DT_OK;
    case DT_K_AMPM: *tmask = DT_M(DT_B_AMPM); d->mer = val == DT_V_AM ? DT_MER_AM : DT_MER_PM;
        return DT_OK;
    case DT_K_ADBC: *tmask = DT_M(DT_B_ADBC); d->bc = val == DT_V_BC; return DT_OK;
    case DT_K_DOW:
        if (d->time_only) return DT_ERR_BAD_FORMAT;
        *tmask = DT_M(DT_B_DOW);
        d->tm.wday = val;
        return DT_OK;
    case DT_K_UNITS: *tmask = 0; d->ptype = val; return DT_OK;
    case DT_K_ISOTIME: {
        *tmask = 0;
        if (!d->time_only && (d->fmask & DT_DATE_M) != DT_DATE_M) return DT_ERR_BAD_FORMAT;
        int next = i + 1 < d->f->count ? d->f->kind[i + 1] : -1;
        if (next != DT_F_NUMBER && next != DT_F_TIME && next != DT_F_DATE)
            return DT_ERR_BAD_FORMAT;
        d->ptype = DT_PT_ISOTIME;
        return DT_OK;
    }
    default: { /* maybe an all-letters zone name ("utc", "japan") */
        rt_err ignored = {0};
        if (!sql_tz_load(field, strlen(field), &d->named_tz, &ignored)) return DT_ERR_BAD_FORMAT;
        *tmask = DT_M(DT_B_TZ);
        return DT_OK;
    }
    }
}

static int dt_decode_fields(dt_decode *d) {
    for (int i = 0; i < d->f->count; i++) {
        uint32_t tmask = 0;
        bool skip = false;
        int rc;
        switch (d->f->kind[i]) {
        case DT_F_DATE: rc = dt_field_date(d, i, &tmask); break;
        case DT_F_TIME: rc = dt_field_time(d, i, &tmask); break;
        case DT_F_TZ:
            rc = sql_dt_decode_tz(d->f->str[i], &d->tz);
            tmask = DT_M(DT_B_TZ);
            break;
        case DT_F_NUMBER: rc = dt_field_number(d, i, &tmask); break;
        default: rc = dt_field_word(d, i, &tmask, &skip); break;
        }
        if (rc != DT_OK) return rc;
        if (skip) continue;
        if (tmask & d->fmask) return DT_ERR_BAD_FORMAT;
        d->fmask |= tmask;
    }
    return DT_OK;
}

static int dt_apply_meridian(dt_decode *d) {
    if (d->mer != DT_MER_24 && d->tm.hour > 12) return DT_ERR_FIELD_OVERFLOW;
    if (d->mer == DT_MER_AM && d->tm.hour == 12) d->tm.hour = 0;
    else if (d->mer == DT_MER_PM && d->tm.hour != 12) d->tm.hour += 12;
    return DT_OK;
}

/* Offset (east) a dynamic abbreviation stands for at a local time. */
static int dt_dyn_abbrev_offset(dt_decode *d, const dt_tm *tm) {
    int32_t off;
    bool dst;
    rt_err ignored = {0};
    int64_t local = 0;
    if (sql_dt_julian_ok(tm->year, tm->mon, tm->mday))
        local = (sql_dt_date2j(tm->year, tm->mon, tm->mday) - DT_UNIX_EPOCH_JDATE) *
                    DT_SECS_PER_DAY + tm->hour * 3600 + tm->min * 60 + tm->sec;
    if (!sql_tz_abbrev_resolve_local(d->dyn_abbrev, local, &off, &dst, &ignored))
        return DT_ERR_BAD_FORMAT;
    d->tz = -off;
    d->tm.isdst = dst;
    return DT_OK;
}

/* The zone of a full date and time, once all fields are known. */
static int dt_resolve_zone(dt_decode *d) {
    bool dtzmod = (d->fmask & DT_M(DT_B_DTZMOD)) != 0;
    if (d->named_tz != NULL) {
        if (dtzmod) return DT_ERR_BAD_FORMAT; /* "DST" goes with an abbreviation only */
        d->tz = -sql_dt_local_offset(&d->tm, d->named_tz);
    }
    if (d->dyn_abbrev != NULL) {
        if (dtzmod) return DT_ERR_BAD_FORMAT;
        int rc = dt_dyn_abbrev_offset(d, &d->tm);
        if (rc != DT_OK) return rc;
    }
    if (!(d->fmask & DT_M(DT_B_TZ))) {
        if (dtzmod) return DT_ERR_BAD_FORMAT;
        d->tz = -sql_dt_local_offset(&d->tm, d->ctx->tz);
    }
    return DT_OK;
}

/* PostgreSQL's DecodeDateTime(): fields of a date or timestamp. */
static int dt_decode_datetime(dt_decode *d) {
    d->dtype = DT_DTYPE_DATE;
    d->tm.isdst = -1;
    int rc = dt_decode_fields(d);
    if (rc == DT_OK) rc = dt_validate_date(d); /* even for "infinity": "2024-02-30 infinity" */
    if (rc == DT_OK) rc = dt_apply_meridian(d);
    if (rc != DT_OK || d->dtype != DT_DTYPE_DATE) return rc;
    if ((d->fmask & DT_DATE_M) != DT_DATE_M) return DT_ERR_BAD_FORMAT;
    return dt_resolve_zone(d);
}

/* The date a zone is read at for a time: the one given (it must be complete), or today's
 * when none was given. */
static int dt_time_zone_date(dt_decode *d, dt_tm *probe) {
    *probe = d->tm;
    if ((d->fmask & DT_DATE_M) == 0) {
        dt_tm now;
        sql_dt_now_tm(d->ctx, &now);
        probe->year = now.year, probe->mon = now.mon, probe->mday = now.mday;
    } else if ((d->fmask & DT_DATE_M) != DT_DATE_M) {
        return DT_ERR_BAD_FORMAT;
    }
    return DT_OK;
}

/* The zone of a time: a fixed-offset zone needs no date; other zones need the date given,
 * or today's when there is none. */
static int dt_resolve_time_zone(dt_decode *d) {
    bool dtzmod = (d->fmask & DT_M(DT_B_DTZMOD)) != 0;
    dt_tm probe;
    if (d->named_tz != NULL) {
        if (dtzmod) return DT_ERR_BAD_FORMAT;
        int32_t off;
        if (sql_tz_fixed_offset(d->named_tz, &off)) d->tz = -off;
        else if ((d->fmask & DT_DATE_M) != DT_DATE_M) return DT_ERR_BAD_FORMAT;
        else d->tz = -sql_dt_local_offset(&d->tm, d->named_tz);
    }
    if (d->dyn_abbrev != NULL) {
        if (dtzmod) return DT_ERR_BAD_FORMAT;
        int rc = dt_time_zone_date(d, &probe);
        if (rc == DT_OK) rc = dt_dyn_abbrev_offset(d, &probe);
        if (rc != DT_OK) return rc;
    }
    if (!(d->fmask & DT_M(DT_B_TZ))) {
        if (dtzmod) return DT_ERR_BAD_FORMAT;
        int rc = dt_time_zone_date(d, &probe);
        if (rc != DT_OK) return rc;
        d->tz = -sql_dt_local_offset(&probe, d->ctx->tz);
        d->tm.isdst = probe.isdst;
    }
    return DT_OK;
}

/* PostgreSQL's DecodeTimeOnly(): fields of a time or timetz. */
static int dt_decode_time_only(dt_decode *d) {
    d->dtype = DT_DTYPE_TIME;
    d->tm.isdst = -1;
    int rc = dt_decode_fields(d);
    if (rc == DT_OK) rc = dt_validate_date(d);
    if (rc == DT_OK) rc = dt_apply_meridian(d);
    if (rc != DT_OK) return rc;
    if (dt_time_overflows(&d->tm)) return DT_ERR_FIELD_OVERFLOW;
    if ((d->fmask & DT_TIME_M) != DT_TIME_M) return DT_ERR_BAD_FORMAT;
    return dt_resolve_time_zone(d);
}

/* ---- the input functions ------------------------------------------------------------------ */

typedef struct dt_input {
    dt_fields fields;
    dt_decode dec;
} dt_input;

static int dt_parse(const sql_datetime_ctx *ctx, const char *str, size_t len, bool time_only,
                    dt_input *in) {
    memset(&in->dec, 0, sizeof(in->dec));
    in->dec.ctx = ctx;
    in->dec.f = &in->fields;
    in->dec.time_only = time_only;
    int rc = sql_dt_tokenize(str, len, &in->fields);
    if (rc != DT_OK) return rc;
    return time_only ? dt_decode_time_only(&in->dec) : dt_decode_datetime(&in->dec);
}

static bool dt_fail(const dt_input *in, int rc, const char *type_name, const char *str,
                    size_t len, rt_err *err) {
    return sql_dt_parse_error(rc, type_name, str, len, in->dec.bad_tz, err);
}

bool sql_date_in(const sql_datetime_ctx *ctx, const char *str, size_t len, sql_date *out,
                 rt_err *err) {
    dt_input in;
    int rc = dt_parse(ctx, str, len, false, &in);
    if (rc != DT_OK) return dt_fail(&in, rc, "date", str, len, err);
    const dt_tm *tm = &in.dec.tm;
    switch (in.dec.dtype) {
    case DT_DTYPE_EPOCH: *out = (sql_date)(DT_UNIX_EPOCH_JDATE - DT_POSTGRES_EPOCH_JDATE); break;
    case DT_DTYPE_LATE: *out = SQL_DATE_NOEND; break;
    case DT_DTYPE_EARLY: *out = SQL_DATE_NOBEGIN; break;
    default: {
        int64_t days = sql_dt_date2j(tm->year, tm->mon, tm->mday) - DT_POSTGRES_EPOCH_JDATE;
        if (!sql_dt_julian_ok(tm->year, tm->mon, tm->mday) || !sql_dt_date_ok(days)) {
            return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                              "date out of range: \"%.*s\"", (int)(len > 400 ? 400 : len), str);
        }
        *out = (sql_date)days;
    }
    }
    return true;
}

static bool dt_timestamp_in(const sql_datetime_ctx *ctx, const char *str, size_t len,
                            int32_t typmod, bool with_tz, int64_t *out, rt_err *err) {
    const char *type_name = with_tz ? "timestamp with time zone" : "timestamp";
    dt_input in;
    int rc = dt_parse(ctx, str, len, false, &in);
    if (rc != DT_OK) return dt_fail(&in, rc, type_name, str, len, err);
    switch (in.dec.dtype) {
    case DT_DTYPE_EPOCH: *out = -SQL_EPOCH_UNIX_S * DT_USECS_PER_SEC; break;
    case DT_DTYPE_LATE: *out = SQL_TIMESTAMP_NOEND; break;
    case DT_DTYPE_EARLY: *out = SQL_TIMESTAMP_NOBEGIN; break;
    default:
        if (!sql_dt_tm2ts(&in.dec.tm, with_tz ? -in.dec.tz : 0, out)) {
            return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                              "timestamp out of range: \"%.*s\"", (int)(len > 400 ? 400 : len),
                              str);
        }
    }
    return sql_timestamp_apply_typmod(out, typmod, err);
}

bool sql_timestamp_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                      sql_timestamp *out, rt_err *err) {
    return dt_timestamp_in(ctx, str, len, typmod, false, out, err);
}

bool sql_timestamptz_in(const sql_datetime_ctx *ctx, const char *str, size_t len,
                        int32_t typmod, sql_timestamptz *out, rt_err *err) {
    return dt_timestamp_in(ctx, str, len, typmod, true, out, err);
}

bool sql_time_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                 sql_time *out, rt_err *err) {
    dt_input in;
    int rc = dt_parse(ctx, str, len, true, &in);
    if (rc != DT_OK) return dt_fail(&in, rc, "time", str, len, err);
    *out = sql_time_apply_typmod(sql_dt_tm2time(&in.dec.tm), typmod);
    return true;
}

bool sql_timetz_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                   sql_timetz *out, rt_err *err) {
    dt_input in;
    int rc = dt_parse(ctx, str, len, true, &in);
    if (rc != DT_OK) return dt_fail(&in, rc, "time with time zone", str, len, err);
    out->time_us = sql_dt_tm2time(&in.dec.tm);
    out->zone_s = in.dec.tz;
    *out = sql_timetz_apply_typmod(*out, typmod);
    return true;
}
