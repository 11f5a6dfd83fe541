/* sql_datetime_fmtin.c: to_date(text, pattern) and to_timestamp(text, pattern).
 *
 * The pattern's fields are matched against the text left to right: numeric fields read their
 * width in digits (or as many as there are with FM, or when a non-digit follows), names are
 * matched case-insensitively, and outside FX mode blanks and separators are skipped loosely.
 * The collected fields are then combined into a date as PostgreSQL 15 does: the year
 * defaults to 1 BC, two-digit years move toward 2020, CC/YY, ISO weeks, day of year, J. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"

/* Widest numeric field read in fixed-width mode (PostgreSQL's DCH_MAX_ITEM_SIZ). */
#define DT_FIELD_CHARS_MAX 12

/* Fields collected from the text (0 = not given). */
typedef struct dt_tmfc {
    int mode;
    int hh, pm, mi, ss, ssss, d, dd, ddd, mm, ms, year, bc, ww, w, cc, j, us, yysz, ff;
    bool clock12;
    int tzsign, tzh, tzm;
} dt_tmfc;

typedef struct dt_fin {
    const char *s;  /* position in the text */
    const char *in; /* the whole text (NUL-terminated copy) */
    dt_tmfc f;
    rt_err *err;
} dt_fin;


static const char *const dt_fin_months[] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December",
                                            NULL};
static const char *const dt_fin_months_short[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                                  "Aug", "Sep", "Oct", "Nov", "Dec", NULL};
static const char *const dt_fin_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday", NULL};
static const char *const dt_fin_days_short[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
                                                "Sat", NULL};
static const char *const dt_fin_ampm[] = {"am", "pm", "AM", "PM", NULL};
static const char *const dt_fin_ampm_long[] = {"a.m.", "p.m.", "A.M.", "P.M.", NULL};
static const char *const dt_fin_adbc[] = {"ad", "bc", "AD", "BC", NULL};
static const char *const dt_fin_adbc_long[] = {"a.d.", "b.c.", "A.D.", "B.C.", NULL};
static const char *const dt_fin_rm[] = {"xii", "xi", "x", "ix", "viii", "vii", "vi", "v",
                                        "iv", "iii", "ii", "i", NULL};

/* PostgreSQL does this arithmetic in int and wraps on overflow (-fwrapv); so do we, without
 * undefined behaviour: absurd field values give the same absurd date, or an error later. */
static int dt_wrap(int64_t v) { return (int)(int32_t)(uint32_t)(uint64_t)v; }

static bool dt_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static char dt_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static bool dt_fin_sep(char c) {
    return c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') &&
           !(c >= '0' && c <= '9');
}

static size_t dt_fin_char_len(const char *s) {
    uint8_t c = (uint8_t)s[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++) {
        if (s[i] == '\0') return i;
    }
    return n;
}

/* ---- setting and reading fields ---------------------------------------------------------- */

static bool dt_fin_set(dt_fin *x, int *dest, int value, const dt_fnode *n) {
    if (*dest != 0 && *dest != value) {
        rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT,
                   "conflicting values for \"%s\" field in formatting string", n->key->name);
        rt_err_detail(x->err, "This value contradicts a previous setting for the same field type.");
        return false;
    }
    *dest = value;
    return true;
}

/* Does a non-digit come after this field (so it may read as many digits as there are)? */
static bool dt_fin_next_is_separator(const dt_fnode *n) {
    if (n->suffix & (DT_FS_TH | DT_FS_th)) return true;
    n++;
    if (n->type == DT_FN_END) return true;
    if (n->type == DT_FN_ACTION) return !n->key->is_digit;
    return !(n->char_len == 1 && n->ch[0] >= '0' && n->ch[0] <= '9');
}

static bool dt_fin_width_error(dt_fin *x, const dt_fnode *n, const char *fmt, size_t a,
                               size_t b, const char *copy) {
    if (copy != NULL)
        rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT, fmt, copy, n->key->name);
    else
        rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT, fmt, n->key->name);
    if (copy == NULL)
        rt_err_detail(x->err, "Field requires %zu characters, but only %zu remain.", a, b);
    else
        rt_err_detail(x->err, "Field requires %zu characters, but only %zu could be parsed.", a, b);
    rt_err_hint(x->err, "If your source string is not fixed-width, try using the \"FM\" modifier.");
    return false;
}

/* Reads an integer of `len` characters (any length with FM or before a non-digit). Returns
 * the characters consumed, or -1 with the error set. */
static int dt_fin_int_len(dt_fin *x, int *dest, size_t len, const dt_fnode *n) {
    const char *init = x->s;
    long result;
    char copy[DT_FIELD_CHARS_MAX + 1];
    x->s += strspn(x->s, " ");
    size_t left = strlen(x->s);
    snprintf(copy, sizeof(copy), "%.*s", (int)len, x->s);
    if ((n->suffix & DT_FS_FM) || dt_fin_next_is_separator(n)) {
        char *end;
        errno = 0;
        result = strtol(init, &end, 10);
        x->s = end;
    } else {
        if (left < len) {
            return dt_fin_width_error(x, n, "source string too short for \"%s\" formatting field",
                                      len, left, NULL) ? 0 : -1;
        }
        char *last;
        errno = 0;
        result = strtol(copy, &last, 10);
        size_t used = (size_t)(last - copy);
        if (used > 0 && used < len) {
            dt_fin_width_error(x, n, "invalid value \"%s\" for \"%s\"", len, used, copy);
            return -1;
        }
        x->s += used;
    }
    if (x->s == init) {
        rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT, "invalid value \"%s\" for \"%s\"",
                   copy, n->key->name);
        rt_err_detail(x->err, "Value must be an integer.");
        return -1;
    }
    if (errno == ERANGE || result < INT32_MIN || result > INT32_MAX) {
        rt_err_set(x->err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                   "value for \"%s\" in source string is out of range", n->key->name);
        rt_err_detail(x->err, "Value must be in the range %d to %d.", INT32_MIN, INT32_MAX);
        return -1;
    }
    if (dest != NULL && !dt_fin_set(x, dest, (int)result, n)) return -1;
    return (int)(x->s - init);
}

static int dt_fin_int(dt_fin *x, int *dest, const dt_fnode *n) {
    return dt_fin_int_len(x, dest, n->key->len, n);
}

/* Matches one of `names` at the position, ignoring ASCII case; the first match wins. */
static bool dt_fin_name(dt_fin *x, const char *const *names, int *value, const dt_fnode *n) {
    for (int i = 0; names[i] != NULL; i++) {
        const char *a = names[i], *p = x->s;
        while (*a != '\0' && *p != '\0' && dt_lower(*a) == dt_lower(*p)) a++, p++;
        if (*a == '\0') {
            x->s = p;
            *value = i;
            return true;
        }
    }
    char copy[64];
    size_t k = 0;
    while (x->s[k] != '\0' && !dt_space(x->s[k]) && k + 1 < sizeof(copy)) copy[k] = x->s[k], k++;
    copy[k] = '\0';
    rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT, "invalid value \"%s\" for \"%s\"", copy,
               n->key->name);
    rt_err_detail(x->err,
                  "The given value did not match any of the allowed values for this field.");
    return false;
}

static void dt_fin_skip_th(dt_fin *x, const dt_fnode *n) {
    if (!(n->suffix & (DT_FS_TH | DT_FS_th))) return;
    for (int i = 0; i < 2 && *x->s != '\0'; i++) x->s += dt_fin_char_len(x->s);
}

/* Two-digit (or 1- or 3-digit) years move toward 2020: 70..99 -> 19xx, 0..69 -> 20xx. */
static int dt_year_toward_2020(int year) {
    if (year < 70) return year + 2000;
    if (year < 100) return year + 1900;
    if (year < 520) return year + 2000;
    if (year < 1000) return year + 1000;
    return year;
}

/* ---- one field ------------------------------------------------------------------------ */

static bool dt_fin_names_field(dt_fin *x, const dt_fnode *n, int id) {
    int v;
    dt_tmfc *f = &x->f;
    switch (id) {
    case DK_A_M: case DK_P_M: case DK_a_m: case DK_p_m:
        if (!dt_fin_name(x, dt_fin_ampm_long, &v, n) || !dt_fin_set(x, &f->pm, v % 2, n))
            return false;
        f->clock12 = true;
        return true;
    case DK_AM: case DK_PM: case DK_am: case DK_pm:
        if (!dt_fin_name(x, dt_fin_ampm, &v, n) || !dt_fin_set(x, &f->pm, v % 2, n)) return false;
        f->clock12 = true;
        return true;
    case DK_A_D: case DK_B_C: case DK_a_d: case DK_b_c:
        return dt_fin_name(x, dt_fin_adbc_long, &v, n) && dt_fin_set(x, &f->bc, v % 2, n);
    case DK_AD: case DK_BC: case DK_ad: case DK_bc:
        return dt_fin_name(x, dt_fin_adbc, &v, n) && dt_fin_set(x, &f->bc, v % 2, n);
    case DK_MONTH: case DK_Month: case DK_month:
        return dt_fin_name(x, dt_fin_months, &v, n) && dt_fin_set(x, &f->mm, v + 1, n);
    case DK_MON: case DK_Mon: case DK_mon:
        return dt_fin_name(x, dt_fin_months_short, &v, n) && dt_fin_set(x, &f->mm, v + 1, n);
    case DK_DAY: case DK_Day: case DK_day:
        if (!dt_fin_name(x, dt_fin_days, &v, n) || !dt_fin_set(x, &f->d, v, n)) return false;
        f->d++;
        return true;
    case DK_DY: case DK_Dy: case DK_dy:
        if (!dt_fin_name(x, dt_fin_days_short, &v, n) || !dt_fin_set(x, &f->d, v, n)) return false;
        f->d++;
        return true;
    case DK_RM: case DK_rm:
        return dt_fin_name(x, dt_fin_rm, &v, n) && dt_fin_set(x, &f->mm, 12 - v, n);
    default: return false;
    }
}

/* A year field; shorter ones are moved toward 2020. */
static bool dt_fin_year(dt_fin *x, const dt_fnode *n, int id) {
    dt_tmfc *f = &x->f;
    if (id == DK_Y_YYY) {
        int millennia, years, used;
        if (sscanf(x->s, "%d,%03d%n", &millennia, &years, &used) < 2) {
            return rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT,
                              "invalid input string for \"Y,YYY\"");
        }
        if (!dt_fin_set(x, &f->year, dt_wrap(years + (int64_t)millennia * 1000), n)) return false;
        f->yysz = 4;
        x->s += used;
        return true;
    }
    int len = dt_fin_int(x, &f->year, n);
    if (len < 0) return false;
    int size = (id == DK_YYYY || id == DK_IYYY) ? 4 : (id == DK_YYY || id == DK_IYY) ? 3
             : (id == DK_YY || id == DK_IY) ? 2 : 1;
    if (size < 4 && len < 4) f->year = dt_year_toward_2020(f->year);
    f->yysz = size;
    return true;
}

/* Fractions: "5" after SS. is 0.5 seconds whatever the field's width. */
static bool dt_fin_fraction(dt_fin *x, const dt_fnode *n, int id) {
    dt_tmfc *f = &x->f;
    static const int scale[7] = {1, 100000, 10000, 1000, 100, 10, 1};
    if (id == DK_MS) {
        int len = dt_fin_int_len(x, &f->ms, 3, n);
        if (len < 0) return false;
        f->ms = dt_wrap((int64_t)f->ms * (len == 1 ? 100 : len == 2 ? 10 : 1));
        return true;
    }
    if (id != DK_US) f->ff = id - DK_FF1 + 1;
    int len = dt_fin_int_len(x, &f->us, id == DK_US ? 6 : (size_t)f->ff, n);
    if (len < 0) return false;
    f->us = dt_wrap((int64_t)f->us * (len >= 1 && len <= 6 ? scale[len] : 1));
    return true;
}

/* A '-' the previous separator skipping swallowed may be the sign of TZH. */
static bool dt_fin_tzh(dt_fin *x, const dt_fnode *n, int extra_skip) {
    dt_tmfc *f = &x->f;
    if (*x->s == '+' || *x->s == '-' || *x->s == ' ') {
        f->tzsign = *x->s == '-' ? -1 : 1;
        x->s++;
    } else {
        f->tzsign = extra_skip > 0 && x->s > x->in && x->s[-1] == '-' ? -1 : 1;
    }
    return dt_fin_int_len(x, &f->tzh, 2, n) >= 0;
}

static bool dt_fin_field(dt_fin *x, const dt_fnode *n, int extra_skip) {
    dt_tmfc *f = &x->f;
    int id = n->key->id;
    if (n->key->mode != DT_FMODE_NONE) {
        if (f->mode == DT_FMODE_NONE) f->mode = n->key->mode;
        else if (f->mode != n->key->mode) {
            rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT,
                       "invalid combination of date conventions");
            rt_err_hint(x->err, "Do not mix Gregorian and ISO week date conventions in a "
                                "formatting template.");
            return false;
        }
    }
    int rc = 0;
    switch (id) {
    case DK_HH: case DK_HH12: rc = dt_fin_int_len(x, &f->hh, 2, n); f->clock12 = true; break;
    case DK_HH24: rc = dt_fin_int_len(x, &f->hh, 2, n); break;
    case DK_MI: rc = dt_fin_int(x, &f->mi, n); break;
    case DK_SS: rc = dt_fin_int(x, &f->ss, n); break;
    case DK_SSSS: rc = dt_fin_int(x, &f->ssss, n); break;
    case DK_MM: rc = dt_fin_int(x, &f->mm, n); break;
    case DK_DDD: rc = dt_fin_int(x, &f->ddd, n); break;
    case DK_IDDD: rc = dt_fin_int_len(x, &f->ddd, 3, n); break;
    case DK_DD: rc = dt_fin_int(x, &f->dd, n); break;
    case DK_D: rc = dt_fin_int(x, &f->d, n); break;
    case DK_ID:
        rc = dt_fin_int_len(x, &f->d, 1, n);
        if (++f->d > 7) f->d = 1; /* Monday-first to Sunday-first */
        break;
    case DK_WW: case DK_IW: rc = dt_fin_int(x, &f->ww, n); break;
    case DK_Q: rc = dt_fin_int(x, NULL, n); break; /* read, then ignored: which month? */
    case DK_CC: rc = dt_fin_int(x, &f->cc, n); break;
    case DK_W: rc = dt_fin_int(x, &f->w, n); break;
    case DK_J: rc = dt_fin_int(x, &f->j, n); break;
    case DK_TZM:
        if (f->tzsign == 0) f->tzsign = 1;
        rc = dt_fin_int_len(x, &f->tzm, 2, n);
        break;
    case DK_TZH: return dt_fin_tzh(x, n, extra_skip);
    case DK_TZ: case DK_tz: case DK_OF:
        return rt_err_set(x->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "formatting field \"%s\" is only supported in to_char", n->key->name);
    case DK_MS: case DK_US: case DK_FF1: case DK_FF2: case DK_FF3: case DK_FF4: case DK_FF5:
    case DK_FF6:
        if (!dt_fin_fraction(x, n, id)) return false;
        break;
    case DK_Y_YYY: case DK_YYYY: case DK_IYYY: case DK_YYY: case DK_IYY: case DK_YY: case DK_IY:
    case DK_Y: case DK_I:
        if (!dt_fin_year(x, n, id)) return false;
        break;
    case DK_FX: return true;
    default: return dt_fin_names_field(x, n, id);
    }
    if (rc < 0) return false;
    dt_fin_skip_th(x, n);
    return true;
}

/* Walks pattern and text together; stops at the end of either. */
static bool dt_fin_run(dt_fin *x, const dt_fnode *nodes) {
    bool fx = false;
    int extra_skip = 0;
    for (const dt_fnode *n = nodes; n->type != DT_FN_END && *x->s != '\0'; n++) {
        bool is_fx = n->type == DT_FN_ACTION && n->key->id == DK_FX;
        if (!fx && !is_fx && (n->type == DT_FN_ACTION || n == nodes)) {
            while (*x->s != '\0' && dt_space(*x->s)) x->s++, extra_skip++;
        }
        if (n->type == DT_FN_SPACE || n->type == DT_FN_SEPARATOR) {
            if (fx) {
                x->s += dt_fin_char_len(x->s); /* any one character */
            } else {
                extra_skip--;
                if (dt_space(*x->s) || dt_fin_sep(*x->s)) x->s++, extra_skip++;
            }
            continue;
        }
        if (n->type != DT_FN_ACTION) { /* literal text: one character, not checked */
            if (!fx && extra_skip > 0) extra_skip--;
            else x->s += dt_fin_char_len(x->s);
            continue;
        }
        if (is_fx) fx = true;
        if (!dt_fin_field(x, n, extra_skip)) return false;
        if (!fx) {
            extra_skip = 0;
            while (*x->s != '\0' && dt_space(*x->s)) x->s++, extra_skip++;
        }
    }
    return true;
}

/* ---- fields -> date and time ---------------------------------------------------------- */

static void dt_fin_year_of(const dt_tmfc *fc, dt_tm *tm) {
    dt_tmfc f = *fc;
    if (f.year != 0) {
        if (f.cc != 0 && f.yysz <= 2) { /* CC with YY: the year within that century */
            int64_t yy = f.year % 100, cc = f.bc ? -(int64_t)f.cc : f.cc;
            if (yy != 0)
                tm->year = dt_wrap(cc >= 0 ? yy + (cc - 1) * 100 : (cc + 1) * 100 - yy + 1);
            else
                tm->year = dt_wrap(cc * 100 + (cc >= 0 ? 0 : 1));
        } else {
            tm->year = f.bc ? dt_wrap(-(int64_t)f.year) : f.year;
            if (tm->year < 0) tm->year++; /* 1 BC is year 0 */
        }
    } else if (f.cc != 0) { /* first year of the century */
        int64_t cc = f.bc ? -(int64_t)f.cc : f.cc;
        tm->year = dt_wrap(cc >= 0 ? (cc - 1) * 100 + 1 : cc * 100 + 1);
    }
}

static bool dt_fin_ddd(dt_fin *x, dt_tm *tm, uint32_t *have) {
    static const int ysum[2][13] = {
        {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
        {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};
    if (tm->year == 0 && x->f.bc == 0) {
        return rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT,
                          "cannot calculate day of year without year information");
    }
    if (x->f.mode == DT_FMODE_ISOWEEK) {
        int64_t j0 = sql_dt_iso_week1(tm->year) - 1;
        sql_dt_j2date(j0 + x->f.ddd, &tm->year, &tm->mon, &tm->mday);
        *have |= 7;
        return true;
    }
    const int *y = ysum[sql_dt_is_leap(tm->year)];
    int i;
    for (i = 1; i <= 12; i++) {
        if (x->f.ddd <= y[i]) break;
    }
    if (tm->mon <= 1) tm->mon = i;
    if (tm->mday <= 1) tm->mday = x->f.ddd - y[i - 1];
    *have |= 6;
    return true;
}

/* The date fields; `have` gets 1 year, 2 month, 4 day for the range check. */
static bool dt_fin_date(dt_fin *x, dt_tm *tm, uint32_t *have) {
    dt_tmfc *f = &x->f;
    if (f->year != 0 || f->cc != 0) *have |= 1;
    dt_fin_year_of(f, tm);
    if (f->j != 0) {
        sql_dt_j2date(f->j, &tm->year, &tm->mon, &tm->mday);
        *have |= 7;
    }
    if (f->ww != 0) {
        if (f->mode == DT_FMODE_ISOWEEK) {
            int64_t jd = sql_dt_iso_week1(tm->year) + (int64_t)(f->ww - 1) * 7 +
                         (f->d != 0 ? (f->d + 5) % 7 : 0); /* d: 1 = Sunday */
            sql_dt_j2date(jd, &tm->year, &tm->mon, &tm->mday);
            *have |= 7;
        } else {
            f->ddd = dt_wrap(((int64_t)f->ww - 1) * 7 + 1);
        }
    }
    if (f->w != 0) f->dd = dt_wrap(((int64_t)f->w - 1) * 7 + 1);
    if (f->dd != 0) tm->mday = f->dd, *have |= 4;
    if (f->mm != 0) tm->mon = f->mm, *have |= 2;
    if (f->ddd != 0 && (tm->mon <= 1 || tm->mday <= 1)) return dt_fin_ddd(x, tm, have);
    return true;
}

static bool dt_fin_range_error(dt_fin *x) {
    return sql_dt_parse_error(DT_ERR_FIELD_OVERFLOW, "timestamp", x->in, strlen(x->in), NULL,
                              x->err);
}

/* PostgreSQL's do_to_timestamp(): the text as fields of a timestamp (zone not applied). */
static bool dt_fin_to_tm(dt_fin *x, dt_tm *tm, int *fprec) {
    dt_tmfc *f = &x->f;
    memset(tm, 0, sizeof(*tm));
    tm->mon = tm->mday = 1; /* year 0: a missing year is 1 BC, as in PostgreSQL */
    if (f->ssss != 0) {
        tm->hour = f->ssss / 3600;
        tm->min = f->ssss % 3600 / 60;
        tm->sec = f->ssss % 60;
    }
    if (f->ss != 0) tm->sec = f->ss;
    if (f->mi != 0) tm->min = f->mi;
    if (f->hh != 0) tm->hour = f->hh;
    if (f->clock12) {
        if (tm->hour < 1 || tm->hour > 12) {
            rt_err_set(x->err, SQLSTATE_INVALID_DATETIME_FORMAT,
                       "hour \"%d\" is invalid for the 12-hour clock", tm->hour);
            rt_err_hint(x->err, "Use the 24-hour clock, or give an hour between 1 and 12.");
            return false;
        }
        if (f->pm && tm->hour < 12) tm->hour += 12;
        else if (!f->pm && tm->hour == 12) tm->hour = 0;
    }
    uint32_t have = 0;
    if (!dt_fin_date(x, tm, &have)) return false;
    int64_t usec = (int64_t)f->ms * 1000 + f->us;
    *fprec = f->ff;
    if (have != 0) {
        if ((have & 2) && (tm->mon < 1 || tm->mon > 12)) return dt_fin_range_error(x);
        if ((have & 4) && (tm->mday < 1 || tm->mday > 31)) return dt_fin_range_error(x);
        if ((have & 7) == 7 && tm->mday > sql_dt_month_days(tm->year, tm->mon))
            return dt_fin_range_error(x);
    }
    if (tm->hour < 0 || tm->hour >= 24 || tm->min < 0 || tm->min >= 60 || tm->sec < 0 ||
        tm->sec >= 60 || usec < 0 || usec >= DT_USECS_PER_SEC)
        return dt_fin_range_error(x);
    tm->usec = (int32_t)usec;
    if (f->tzsign != 0 && (f->tzh < 0 || f->tzh > DT_MAX_TZDISP_HOUR || f->tzm < 0 || f->tzm >= 60))
        return sql_dt_parse_error(DT_ERR_TZDISP_OVERFLOW, "timestamp", x->in, strlen(x->in), NULL,
                                  x->err);
    return true;
}

/* Copies the text (NUL-terminated) and runs the pattern over it. */
static bool dt_fin_parse(rt_arena *arena, const char *str, size_t len, const char *fmt,
                         size_t fmt_len, dt_fin *x, dt_tm *tm, int *fprec, rt_err *err) {
    if (fmt_len > SQL_DATETIME_FORMAT_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "format string is too long (limit %d bytes)",
                          SQL_DATETIME_FORMAT_BYTES_MAX);
    }
    char *in = rt_arena_strndup(arena, str, len);
    dt_fnode *nodes = rt_arena_alloc(arena, (fmt_len + 1) * sizeof(dt_fnode));
    if (in == NULL || nodes == NULL) return rt_arena_fail(arena, err);
    sql_dt_fmt_parse(fmt, fmt_len, nodes);
    memset(x, 0, sizeof(*x));
    x->s = x->in = in;
    x->err = err;
    return dt_fin_run(x, nodes) && dt_fin_to_tm(x, tm, fprec);
}

bool sql_date_from_char(const sql_datetime_ctx *ctx, rt_arena *arena, const char *str,
                        size_t len, const char *fmt, size_t fmt_len, sql_date *out,
                        rt_err *err) {
    (void)ctx;
    dt_fin x;
    dt_tm tm;
    int fprec;
    if (!dt_fin_parse(arena, str, len, fmt, fmt_len, &x, &tm, &fprec, err)) return false;
    int64_t d = sql_dt_date2j(tm.year, tm.mon, tm.mday) - DT_POSTGRES_EPOCH_JDATE;
    if (!sql_dt_julian_ok(tm.year, tm.mon, tm.mday) || !sql_dt_date_ok(d)) {
        return rt_err_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range: \"%s\"",
                          x.in);
    }
    *out = (sql_date)d;
    return true;
}

bool sql_timestamptz_from_char(const sql_datetime_ctx *ctx, rt_arena *arena, const char *str,
                               size_t len, const char *fmt, size_t fmt_len,
                               sql_timestamptz *out, rt_err *err) {
    dt_fin x;
    dt_tm tm;
    int fprec;
    if (!dt_fin_parse(arena, str, len, fmt, fmt_len, &x, &tm, &fprec, err)) return false;
    int32_t gmtoff;
    if (x.f.tzsign != 0) {
        gmtoff = x.f.tzsign * (x.f.tzh * 3600 + x.f.tzm * 60);
    } else {
        gmtoff = sql_dt_local_offset(&tm, ctx->tz);
    }
    if (!sql_dt_tm2ts(&tm, gmtoff, out)) return sql_dt_err_timestamp_range(err);
    if (fprec != 0) return sql_timestamp_apply_typmod(out, fprec, err);
    return true;
}
