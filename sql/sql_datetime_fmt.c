/* sql_datetime_fmt.c: to_char(timestamp | timestamptz | interval, pattern), and the pattern
 * parser shared with to_date/to_timestamp (sql_datetime_fmtin.c).
 *
 * A pattern is read left to right: an optional prefix (FM fill mode, TM), then the longest
 * field name at that position (YYYY, Month, HH24, ...; case matters: Month -> "January",
 * MONTH -> "JANUARY"), then an optional suffix (TH/th ordinal). Anything else is copied:
 * "double-quoted text" verbatim, \" as a quote. Names are English: TM has no other locale. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "sql/sql_datetime_int.h"


#define G DT_FMODE_GREGORIAN
#define I DT_FMODE_ISOWEEK
/* Per first letter, longer names first: the first one that matches wins. */
static const dt_fkey dt_fkeys[] = {
    {"A.D.", 4, DK_A_D, false, 0}, {"A.M.", 4, DK_A_M, false, 0}, {"AD", 2, DK_AD, false, 0},
    {"AM", 2, DK_AM, false, 0}, {"B.C.", 4, DK_B_C, false, 0}, {"BC", 2, DK_BC, false, 0},
    {"CC", 2, DK_CC, true, 0}, {"DAY", 3, DK_DAY, false, 0}, {"DDD", 3, DK_DDD, true, G},
    {"DD", 2, DK_DD, true, G}, {"DY", 2, DK_DY, false, 0}, {"Day", 3, DK_Day, false, 0},
    {"Dy", 2, DK_Dy, false, 0}, {"D", 1, DK_D, true, G}, {"FF1", 3, DK_FF1, true, 0},
    {"FF2", 3, DK_FF2, true, 0}, {"FF3", 3, DK_FF3, true, 0}, {"FF4", 3, DK_FF4, true, 0},
    {"FF5", 3, DK_FF5, true, 0}, {"FF6", 3, DK_FF6, true, 0}, {"FX", 2, DK_FX, false, 0},
    {"HH24", 4, DK_HH24, true, 0}, {"HH12", 4, DK_HH12, true, 0}, {"HH", 2, DK_HH, true, 0},
    {"IDDD", 4, DK_IDDD, true, I}, {"ID", 2, DK_ID, true, I}, {"IW", 2, DK_IW, true, I},
    {"IYYY", 4, DK_IYYY, true, I}, {"IYY", 3, DK_IYY, true, I}, {"IY", 2, DK_IY, true, I},
    {"I", 1, DK_I, true, I}, {"J", 1, DK_J, true, 0}, {"MI", 2, DK_MI, true, 0},
    {"MM", 2, DK_MM, true, G}, {"MONTH", 5, DK_MONTH, false, G}, {"MON", 3, DK_MON, false, G},
    {"MS", 2, DK_MS, true, 0}, {"Month", 5, DK_Month, false, G}, {"Mon", 3, DK_Mon, false, G},
    {"OF", 2, DK_OF, false, 0}, {"P.M.", 4, DK_P_M, false, 0}, {"PM", 2, DK_PM, false, 0},
    {"Q", 1, DK_Q, true, 0}, {"RM", 2, DK_RM, false, G}, {"SSSSS", 5, DK_SSSS, true, 0},
    {"SSSS", 4, DK_SSSS, true, 0}, {"SS", 2, DK_SS, true, 0}, {"TZH", 3, DK_TZH, false, 0},
    {"TZM", 3, DK_TZM, true, 0}, {"TZ", 2, DK_TZ, false, 0}, {"US", 2, DK_US, true, 0},
    {"WW", 2, DK_WW, true, G}, {"W", 1, DK_W, true, G}, {"Y,YYY", 5, DK_Y_YYY, true, G},
    {"YYYY", 4, DK_YYYY, true, G}, {"YYY", 3, DK_YYY, true, G}, {"YY", 2, DK_YY, true, G},
    {"Y", 1, DK_Y, true, G}, {"a.d.", 4, DK_a_d, false, 0}, {"a.m.", 4, DK_a_m, false, 0},
    {"ad", 2, DK_ad, false, 0}, {"am", 2, DK_am, false, 0}, {"b.c.", 4, DK_b_c, false, 0},
    {"bc", 2, DK_bc, false, 0}, {"cc", 2, DK_CC, true, 0}, {"day", 3, DK_day, false, 0},
    {"ddd", 3, DK_DDD, true, G}, {"dd", 2, DK_DD, true, G}, {"dy", 2, DK_dy, false, 0},
    {"d", 1, DK_D, true, G}, {"ff1", 3, DK_FF1, true, 0}, {"ff2", 3, DK_FF2, true, 0},
    {"ff3", 3, DK_FF3, true, 0}, {"ff4", 3, DK_FF4, true, 0}, {"ff5", 3, DK_FF5, true, 0},
    {"ff6", 3, DK_FF6, true, 0}, {"fx", 2, DK_FX, false, 0}, {"hh24", 4, DK_HH24, true, 0},
    {"hh12", 4, DK_HH12, true, 0}, {"hh", 2, DK_HH, true, 0}, {"iddd", 4, DK_IDDD, true, I},
    {"id", 2, DK_ID, true, I}, {"iw", 2, DK_IW, true, I}, {"iyyy", 4, DK_IYYY, true, I},
    {"iyy", 3, DK_IYY, true, I}, {"iy", 2, DK_IY, true, I}, {"i", 1, DK_I, true, I},
    {"j", 1, DK_J, true, 0}, {"mi", 2, DK_MI, true, 0}, {"mm", 2, DK_MM, true, G},
    {"month", 5, DK_month, false, G}, {"mon", 3, DK_mon, false, G}, {"ms", 2, DK_MS, true, 0},
    {"of", 2, DK_OF, false, 0}, {"p.m.", 4, DK_p_m, false, 0}, {"pm", 2, DK_pm, false, 0},
    {"q", 1, DK_Q, true, 0}, {"rm", 2, DK_rm, false, G}, {"sssss", 5, DK_SSSS, true, 0},
    {"ssss", 4, DK_SSSS, true, 0}, {"ss", 2, DK_SS, true, 0}, {"tzh", 3, DK_TZH, false, 0},
    {"tzm", 3, DK_TZM, true, 0}, {"tz", 2, DK_tz, false, 0}, {"us", 2, DK_US, true, 0},
    {"ww", 2, DK_WW, true, G}, {"w", 1, DK_W, true, G}, {"y,yyy", 5, DK_Y_YYY, true, G},
    {"yyyy", 4, DK_YYYY, true, G}, {"yyy", 3, DK_YYY, true, G}, {"yy", 2, DK_YY, true, G},
    {"y", 1, DK_Y, true, G},
};
#undef G
#undef I

static const dt_fkey *dt_fkey_find(const char *s, size_t left) {
    for (size_t i = 0; i < sizeof(dt_fkeys) / sizeof(dt_fkeys[0]); i++) {
        const dt_fkey *k = &dt_fkeys[i];
        if (k->name[0] == s[0] && k->len <= left && memcmp(k->name, s, k->len) == 0) return k;
    }
    return NULL;
}

static int dt_fsuffix(const char *s, size_t left, bool prefix) {
    if (left < 2) return 0;
    if (prefix) {
        if (memcmp(s, "FM", 2) == 0 || memcmp(s, "fm", 2) == 0) return DT_FS_FM;
        if (memcmp(s, "TM", 2) == 0 || memcmp(s, "tm", 2) == 0) return DT_FS_TM;
        return 0;
    }
    if (memcmp(s, "TH", 2) == 0) return DT_FS_TH;
    if (memcmp(s, "th", 2) == 0) return DT_FS_th;
    if (memcmp(s, "SP", 2) == 0) return DT_FS_SP;
    return 0;
}

/* Bytes in the UTF-8 character at s (1 for anything malformed). */
static size_t dt_char_len(const char *s, size_t left) {
    uint8_t c = (uint8_t)s[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return n <= left ? n : 1;
}

static bool dt_fsep(char c) {
    return c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') &&
           !(c >= '0' && c <= '9');
}

static void dt_fnode_char(dt_fnode *n, const char *s, size_t clen, uint8_t type) {
    n->type = type;
    n->suffix = 0;
    n->key = NULL;
    n->char_len = (uint8_t)clen;
    memcpy(n->ch, s, clen);
}

void sql_dt_fmt_parse(const char *fmt, size_t len, dt_fnode *nodes) {
    const char *p = fmt, *end = fmt + len;
    dt_fnode *n = nodes;
    while (p < end) {
        int suffix = dt_fsuffix(p, (size_t)(end - p), true);
        if (suffix != 0) p += 2; /* a prefix without a field after it is dropped */
        const dt_fkey *k = p < end ? dt_fkey_find(p, (size_t)(end - p)) : NULL;
        if (k != NULL) {
            p += k->len;
            int post = p < end ? dt_fsuffix(p, (size_t)(end - p), false) : 0;
            if (post != 0) p += 2;
            *n++ = (dt_fnode){DT_FN_ACTION, (uint8_t)(suffix | post), 0, {0}, k};
            continue;
        }
        if (p >= end) break;
        if (*p == '"') { /* quoted text; \ escapes the next character */
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) p++;
                size_t cl = dt_char_len(p, (size_t)(end - p));
                dt_fnode_char(n++, p, cl, DT_FN_CHAR);
                p += cl;
            }
            if (p < end) p++;
            continue;
        }
        if (*p == '\\' && p + 1 < end && p[1] == '"') p++;
        size_t cl = dt_char_len(p, (size_t)(end - p));
        uint8_t type = dt_fsep(*p) ? DT_FN_SEPARATOR
                                   : (*p == ' ' || (*p >= '\t' && *p <= '\r')) ? DT_FN_SPACE
                                                                                : DT_FN_CHAR;
        dt_fnode_char(n++, p, cl, type);
        p += cl;
    }
    n->type = DT_FN_END;
}

/* ---- to_char ------------------------------------------------------------------------------ */

static const char *const dt_months_full[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
static const char *const dt_days_full[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                            "Thursday", "Friday", "Saturday"};
static const char *const dt_rm_upper[12] = {"XII", "XI",  "X",  "IX", "VIII", "VII",
                                            "VI",  "V",   "IV", "III", "II",  "I"};
static const char *const dt_rm_lower[12] = {"xii", "xi",  "x",  "ix", "viii", "vii",
                                            "vi",  "v",   "iv", "iii", "ii",  "i"};

/* What to_char formats: a broken-down timestamp, or an interval's fields. */
typedef struct dt_tochar {
    int32_t year, mon, mday, min, sec, wday, yday;
    int64_t hour, usec;
    int32_t gmtoff;
    const char *zone; /* NULL: no zone (timestamp, interval) */
    bool is_interval;
} dt_tochar;

typedef struct dt_wbuf {
    char *p, *end;
} dt_wbuf;

static void dt_wf(dt_wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dt_wf(dt_wbuf *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->p, (size_t)(w->end - w->p), fmt, ap);
    va_end(ap);
    if (n > 0) w->p = n < w->end - w->p ? w->p + n : w->end - 1;
}

/* Ordinal suffix of the number just written at `start`: 1st 2nd 3rd 4th, 11th..13th. */
static bool dt_wth(dt_wbuf *w, const char *start, bool upper, rt_err *err) {
    size_t len = (size_t)(w->p - start);
    char last = len > 0 ? start[len - 1] : '\0';
    if (!(last >= '0' && last <= '9')) {
        return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "\"%.*s\" is not a number",
                          (int)len, start);
    }
    if (len > 1 && start[len - 2] == '1') last = '0';
    const char *th = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
    dt_wf(w, "%c%c", upper ? th[0] - 32 : th[0], upper ? th[1] - 32 : th[1]);
    return true;
}

static void dt_wcase(dt_wbuf *w, const char *s, int style, bool fm, int width) {
    char buf[16];
    size_t n = strlen(s);
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (style > 0 && c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (style < 0 && c >= 'A' && c <= 'Z') c = (char)(c + 32);
        buf[i] = c;
    }
    dt_wf(w, "%-*s", fm ? 0 : width, buf);
}

static int32_t dt_adjust_year(int32_t year, bool is_interval) {
    return is_interval ? year : (year <= 0 ? -(year - 1) : year);
}

static int32_t dt_tochar_iso_year(const dt_tochar *t) {
    return dt_adjust_year(sql_dt_iso_year(t->year, t->mon, t->mday), t->is_interval);
}

static bool dt_interval_invalid(rt_err *err) {
    rt_err_set(err, SQLSTATE_INVALID_DATETIME_FORMAT,
               "invalid format specification for an interval value");
    rt_err_hint(err, "Intervals are not tied to specific calendar dates.");
    return false;
}

/* Fields that cannot be shown for an interval. */
static bool dt_key_needs_date(int id) {
    switch (id) {
    case DK_TZ: case DK_tz: case DK_TZH: case DK_TZM: case DK_OF: case DK_A_D: case DK_B_C:
    case DK_AD: case DK_BC: case DK_a_d: case DK_b_c: case DK_ad: case DK_bc: case DK_MONTH:
    case DK_Month: case DK_month: case DK_MON: case DK_Mon: case DK_mon: case DK_DAY:
    case DK_Day: case DK_day: case DK_DY: case DK_Dy: case DK_dy: case DK_D: case DK_ID:
        return true;
    default: return false;
    }
}

/* Names: AM/PM, AD/BC, months, days, roman months. False if `id` is not one of them. */
static bool dt_tochar_name(dt_wbuf *w, int id, const dt_tochar *t, bool fm) {
    bool pm = t->hour % 24 >= 12, bc = t->year <= 0;
    switch (id) {
    case DK_A_M: case DK_P_M: dt_wf(w, pm ? "P.M." : "A.M."); return true;
    case DK_AM: case DK_PM: dt_wf(w, pm ? "PM" : "AM"); return true;
    case DK_a_m: case DK_p_m: dt_wf(w, pm ? "p.m." : "a.m."); return true;
    case DK_am: case DK_pm: dt_wf(w, pm ? "pm" : "am"); return true;
    case DK_A_D: case DK_B_C: dt_wf(w, bc ? "B.C." : "A.D."); return true;
    case DK_AD: case DK_BC: dt_wf(w, bc ? "BC" : "AD"); return true;
    case DK_a_d: case DK_b_c: dt_wf(w, bc ? "b.c." : "a.d."); return true;
    case DK_ad: case DK_bc: dt_wf(w, bc ? "bc" : "ad"); return true;
    default: break;
    }
    if (id == DK_MONTH || id == DK_Month || id == DK_month || id == DK_MON || id == DK_Mon ||
        id == DK_mon) {
        if (t->mon == 0) return true; /* an interval without months prints nothing */
        char abbr[4];
        memcpy(abbr, dt_months_full[t->mon - 1], 3);
        abbr[3] = '\0';
        int style = (id == DK_MONTH || id == DK_MON)   ? 1
                    : (id == DK_month || id == DK_mon) ? -1
                                                       : 0;
        bool full = id == DK_MONTH || id == DK_Month || id == DK_month;
        dt_wcase(w, full ? dt_months_full[t->mon - 1] : abbr, style, fm || !full, 9);
        return true;
    }
    if (id == DK_DAY || id == DK_Day || id == DK_day || id == DK_DY || id == DK_Dy || id == DK_dy) {
        char abbr[4];
        memcpy(abbr, dt_days_full[t->wday], 3);
        abbr[3] = '\0';
        int style = (id == DK_DAY || id == DK_DY) ? 1 : (id == DK_day || id == DK_dy) ? -1 : 0;
        bool full = id == DK_DAY || id == DK_Day || id == DK_day;
        dt_wcase(w, full ? dt_days_full[t->wday] : abbr, style, fm || !full, 9);
        return true;
    }
    if (id == DK_RM || id == DK_rm) {
        if (t->mon == 0 && t->year == 0) return true;
        /* the tables run December..January; interval months may be negative */
        int i = t->mon == 0 ? (t->year >= 0 ? 0 : 11) : t->mon < 0 ? -(t->mon + 1) : 12 - t->mon;
        dt_wf(w, "%-*s", fm ? 0 : 4, (id == DK_RM ? dt_rm_upper : dt_rm_lower)[i]);
        return true;
    }
    return false;
}

/* The zone fields of a timestamptz (a timestamp has offset 0 and no name). */
static bool dt_tochar_zone(dt_wbuf *w, int id, const dt_tochar *t, bool fm) {
    int32_t a = abs(t->gmtoff);
    switch (id) {
    case DK_TZ:
    case DK_tz:
        if (t->zone != NULL) dt_wcase(w, t->zone, id == DK_tz ? -1 : 0, true, 0);
        return true;
    case DK_TZH: dt_wf(w, "%c%02d", t->gmtoff >= 0 ? '+' : '-', a / 3600); return true;
    case DK_TZM: dt_wf(w, "%02d", a % 3600 / 60); return true;
    case DK_OF:
        dt_wf(w, "%c%0*d", t->gmtoff >= 0 ? '+' : '-', fm ? 0 : 2, a / 3600);
        if (a % 3600 != 0) dt_wf(w, ":%02d", a % 3600 / 60);
        return true;
    default: return false;
    }
}

/* Years: YYYY pads to 4 digits (5 with a minus), YYY/YY/Y keep the last digits. The ISO
 * variants print the ISO year but pad by the calendar year's sign, as PostgreSQL does. */
static bool dt_tochar_year(dt_wbuf *w, int id, const dt_tochar *t, bool fm) {
    int32_t cal = dt_adjust_year(t->year, t->is_interval);
    bool iso = id == DK_IYYY || id == DK_IYY || id == DK_IY || id == DK_I;
    int32_t y = iso ? dt_tochar_iso_year(t) : cal;
    switch (id) {
    case DK_Y_YYY: dt_wf(w, "%d,%03d", cal / 1000, cal - (cal / 1000) * 1000); return true;
    case DK_YYYY: case DK_IYYY: dt_wf(w, "%0*d", fm ? 0 : (cal >= 0 ? 4 : 5), y); return true;
    case DK_YYY: case DK_IYY: dt_wf(w, "%0*d", fm ? 0 : (cal >= 0 ? 3 : 4), y % 1000); return true;
    case DK_YY: case DK_IY: dt_wf(w, "%0*d", fm ? 0 : (cal >= 0 ? 2 : 3), y % 100); return true;
    case DK_Y: case DK_I: dt_wf(w, "%1d", y % 10); return true;
    case DK_CC: {
        int32_t c = t->is_interval ? t->year / 100
                                   : t->year > 0 ? (t->year - 1) / 100 + 1 : t->year / 100 - 1;
        if (c <= 99 && c >= -99) dt_wf(w, "%0*d", fm ? 0 : (c >= 0 ? 2 : 3), c);
        else dt_wf(w, "%d", c);
        return true;
    }
    default: return false;
    }
}

/* Time-of-day fields; widths grow by one for a negative (interval) value. */
static bool dt_tochar_time(dt_wbuf *w, int id, const dt_tochar *t, bool fm) {
    static const int64_t frac_div[6] = {100000, 10000, 1000, 100, 10, 1};
    switch (id) {
    case DK_HH: case DK_HH12: {
        int64_t h = t->hour % 12 == 0 ? 12 : t->hour % 12;
        dt_wf(w, "%0*lld", fm ? 0 : (t->hour >= 0 ? 2 : 3), (long long)h);
        return true;
    }
    case DK_HH24: dt_wf(w, "%0*lld", fm ? 0 : (t->hour >= 0 ? 2 : 3), (long long)t->hour);
        return true;
    case DK_MI: dt_wf(w, "%0*d", fm ? 0 : (t->min >= 0 ? 2 : 3), t->min); return true;
    case DK_SS: dt_wf(w, "%0*d", fm ? 0 : (t->sec >= 0 ? 2 : 3), t->sec); return true;
    case DK_MS: dt_wf(w, "%03d", (int)(t->usec / 1000)); return true;
    case DK_US: dt_wf(w, "%06d", (int)t->usec); return true;
    case DK_FF1: case DK_FF2: case DK_FF3: case DK_FF4: case DK_FF5: case DK_FF6: {
        int digits = id - DK_FF1 + 1;
        dt_wf(w, "%0*d", digits, (int)(t->usec / frac_div[digits - 1]));
        return true;
    }
    case DK_SSSS:
        dt_wf(w, "%lld", (long long)(t->hour * 3600 + t->min * 60 + t->sec));
        return true;
    default: return false;
    }
}

/* Day, week and month numbers. */
static bool dt_tochar_date(dt_wbuf *w, int id, const dt_tochar *t, bool fm) {
    switch (id) {
    case DK_MM: dt_wf(w, "%0*d", fm ? 0 : (t->mon >= 0 ? 2 : 3), t->mon); return true;
    case DK_DDD: dt_wf(w, "%0*d", fm ? 0 : 3, t->yday); return true;
    case DK_IDDD:
        dt_wf(w, "%0*d", fm ? 0 : 3, sql_dt_iso_yday(t->year, t->mon, t->mday));
        return true;
    case DK_DD: dt_wf(w, "%0*d", fm ? 0 : 2, t->mday); return true;
    case DK_D: dt_wf(w, "%d", t->wday + 1); return true;
    case DK_ID: dt_wf(w, "%d", t->wday == 0 ? 7 : t->wday); return true;
    case DK_WW: dt_wf(w, "%0*d", fm ? 0 : 2, (t->yday - 1) / 7 + 1); return true;
    case DK_IW:
        dt_wf(w, "%0*d", fm ? 0 : 2, sql_dt_iso_week(t->year, t->mon, t->mday));
        return true;
    case DK_Q:
        if (t->mon != 0) dt_wf(w, "%d", (t->mon - 1) / 3 + 1);
        return true;
    case DK_W: dt_wf(w, "%d", (t->mday - 1) / 7 + 1); return true;
    case DK_J: dt_wf(w, "%lld", (long long)sql_dt_date2j(t->year, t->mon, t->mday)); return true;
    default: return false;
    }
}

static bool dt_tochar_run(const dt_fnode *nodes, const dt_tochar *t, dt_wbuf *w, rt_err *err) {
    for (const dt_fnode *n = nodes; n->type != DT_FN_END; n++) {
        if (n->type != DT_FN_ACTION) {
            dt_wf(w, "%.*s", n->char_len, n->ch);
            continue;
        }
        int id = n->key->id;
        bool fm = (n->suffix & DT_FS_FM) != 0;
        bool names_fm = fm || (n->suffix & DT_FS_TM) != 0; /* TM names are not padded */
        if (t->is_interval && dt_key_needs_date(id)) return dt_interval_invalid(err);
        char *start = w->p;
        if (id == DK_FX || dt_tochar_name(w, id, t, names_fm) || dt_tochar_zone(w, id, t, fm))
            continue; /* names take no ordinal suffix */
        if (!dt_tochar_year(w, id, t, fm) && !dt_tochar_time(w, id, t, fm))
            dt_tochar_date(w, id, t, fm);
        if ((n->suffix & (DT_FS_TH | DT_FS_th)) && w->p > start &&
            !dt_wth(w, start, (n->suffix & DT_FS_TH) != 0, err))
            return false;
    }
    *w->p = '\0';
    return true;
}

/* Pattern -> result in the arena. PostgreSQL bounds a field's output at 12 bytes per pattern
 * byte; that (plus room for names) sizes the buffer. */
static bool dt_tochar_make(rt_arena *arena, const dt_tochar *t, const char *fmt, size_t fmt_len,
                      char **out, rt_err *err) {
    if (fmt_len > SQL_DATETIME_FORMAT_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "format string is too long (limit %d bytes)",
                          SQL_DATETIME_FORMAT_BYTES_MAX);
    }
    dt_fnode *nodes = rt_arena_alloc(arena, (fmt_len + 1) * sizeof(dt_fnode));
    size_t cap = fmt_len * 12 + 64;
    char *buf = rt_arena_alloc(arena, cap);
    if (nodes == NULL || buf == NULL) return rt_arena_fail(arena, err);
    sql_dt_fmt_parse(fmt, fmt_len, nodes);
    dt_wbuf w = {buf, buf + cap};
    if (!dt_tochar_run(nodes, t, &w, err)) return false;
    *out = buf;
    return true;
}

static bool dt_ts_tochar(rt_arena *arena, int64_t ts, const sql_tz *tz, const char *fmt,
                         size_t fmt_len, char **out, rt_err *err) {
    dt_tm tm;
    if (!sql_dt_ts2tm(ts, tz, &tm)) return sql_dt_err_timestamp_range(err);
    dt_tochar t = {tm.year, tm.mon, tm.mday, tm.min, tm.sec, tm.wday, tm.yday, tm.hour,
                   tm.usec, tm.gmtoff, tm.zone, false};
    return dt_tochar_make(arena, &t, fmt, fmt_len, out, err);
}

bool sql_timestamp_to_char(rt_arena *arena, sql_timestamp ts, const char *fmt, size_t fmt_len,
                           char **out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts) || fmt_len == 0) return *out = NULL, true; /* SQL NULL */
    return dt_ts_tochar(arena, ts, NULL, fmt, fmt_len, out, err);
}

bool sql_timestamptz_to_char(const sql_datetime_ctx *ctx, rt_arena *arena, sql_timestamptz ts,
                             const char *fmt, size_t fmt_len, char **out, rt_err *err) {
    if (!sql_timestamp_is_finite(ts) || fmt_len == 0) return *out = NULL, true;
    return dt_ts_tochar(arena, ts, ctx->tz, fmt, fmt_len, out, err);
}

bool sql_interval_to_char(rt_arena *arena, sql_interval iv, const char *fmt, size_t fmt_len,
                          char **out, rt_err *err) {
    if (fmt_len == 0) return *out = NULL, true;
    dt_itm it;
    sql_dt_interval2itm(iv, &it);
    /* yday approximates the whole span in days; there is no weekday */
    int32_t yday = (int32_t)(((int64_t)it.year * 12 + it.mon) * DT_DAYS_PER_MONTH + it.mday);
    dt_tochar t = {it.year, it.mon, it.mday, it.min, it.sec, 0, yday, it.hour, it.usec, 0,
                   NULL, true};
    return dt_tochar_make(arena, &t, fmt, fmt_len, out, err);
}
