/* sql_tz.c: loading, caching and applying time zones (see sql_tz.h).
 *
 * A zone is a table of transitions (instants where the offset, DST flag or abbreviation
 * change) plus an optional POSIX TZ rule for instants after the table, which is what a TZif
 * file holds (RFC 8536): version 1 data with 32-bit times, then version 2+ data with 64-bit
 * times, then a footer line with the rule. We read only the 64-bit data. A POSIX string given
 * as a zone name ("UTC+3") is a zone with an empty table and only the rule. */
#include "sql/sql_tz.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/rt_assert.h"
#include "runtime/rt_mem.h"

#define TZ_SECS_PER_DAY 86400
#define TZ_SECS_PER_HOUR 3600
/* POSIX offsets and rule times may be up to 167 hours (RFC 8536 extension, as zic writes). */
#define TZ_RULE_HOURS_MAX 167
/* TZif limits: a type index is one byte; offsets beyond +-26 hours are not real zones. */
#define TZ_TYPES_MAX 256
#define TZ_OFFSET_S_MAX (26 * TZ_SECS_PER_HOUR)
/* Cache slots: a power of two at least twice SQL_TZ_CACHE_ZONES_MAX, so probes stay short. */
#define TZ_CACHE_SLOTS 8192
RT_STATIC_ASSERT((TZ_CACHE_SLOTS & (TZ_CACHE_SLOTS - 1)) == 0);
RT_STATIC_ASSERT(TZ_CACHE_SLOTS >= 2 * SQL_TZ_CACHE_ZONES_MAX);

typedef struct tz_type {
    int32_t utc_offset_s;
    bool is_dst;
    uint16_t abbrev_index; /* into sql_tz.chars */
} tz_type;

enum { TZ_DATE_JULIAN_1 = 1, TZ_DATE_JULIAN_0 = 2, TZ_DATE_MONTH_WEEK = 3 };

/* One end of a DST period in a POSIX rule: "Jn", "n" or "Mm.w.d", at a local wall time. */
typedef struct tz_rule_date {
    uint8_t kind;
    uint8_t month, week, weekday;
    int16_t day;
    int32_t time_s; /* local wall clock, may be negative or past 24h */
} tz_rule_date;

typedef struct tz_rule {
    tz_type std, dst;
    bool has_dst;
    tz_rule_date start, end;
} tz_rule;

struct sql_tz {
    char name[SQL_TZ_NAME_BYTES_MAX];
    char key[SQL_TZ_NAME_BYTES_MAX]; /* upper-cased lookup name */
    uint32_t trans_count;
    uint32_t type_count;
    int64_t *trans_s;
    uint8_t *trans_types;
    tz_type *types;
    char *chars;
    bool has_rule;
    tz_rule rule;
};

/* ---- calendar (proleptic Gregorian, days since 1970-01-01) ------------------------------ */

static int64_t tz_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static bool tz_is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int64_t tz_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = tz_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t tz_year_of_days(int64_t days) {
    int64_t z = days + 719468;
    int64_t era = tz_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

static int tz_month_days(int64_t y, int m) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && tz_is_leap(y)) ? 29 : days[m - 1];
}

/* ---- POSIX TZ rules --------------------------------------------------------------------- */

/* Local seconds (since 1970, wall clock) at which `date` happens in year `y`. */
static int64_t tz_rule_date_local(const tz_rule_date *date, int64_t y) {
    int64_t day;
    if (date->kind == TZ_DATE_JULIAN_1) {
        /* Jn counts 1..365 and never names Feb 29. */
        day = tz_days_from_civil(y, 1, 1) + date->day - 1;
        if (tz_is_leap(y) && date->day >= 60) day++;
    } else if (date->kind == TZ_DATE_JULIAN_0) {
        day = tz_days_from_civil(y, 1, 1) + date->day;
    } else {
        int64_t first = tz_days_from_civil(y, date->month, 1);
        int first_wday = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
        int mday = 1 + (date->weekday - first_wday + 7) % 7 + (date->week - 1) * 7;
        while (mday > tz_month_days(y, date->month)) mday -= 7; /* week 5 = the last one */
        day = first + mday - 1;
    }
    return day * TZ_SECS_PER_DAY + date->time_s;
}

/* UTC instants of DST start and end in year `y`. The start is read in standard time, the end
 * in daylight time, as POSIX says. */
static void tz_rule_year(const tz_rule *rule, int64_t y, int64_t *start_s, int64_t *end_s) {
    *start_s = tz_rule_date_local(&rule->start, y) - rule->std.utc_offset_s;
    *end_s = tz_rule_date_local(&rule->end, y) - rule->dst.utc_offset_s;
}

static const tz_type *tz_rule_at(const tz_rule *rule, int64_t t) {
    if (!rule->has_dst) return &rule->std;
    int64_t y = tz_year_of_days(tz_floor_div(t + rule->std.utc_offset_s, TZ_SECS_PER_DAY));
    int64_t start, end;
    tz_rule_year(rule, y, &start, &end);
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? &rule->dst : &rule->std;
}

/* First rule transition strictly after t; false when the rule has no DST. */
static bool tz_rule_next(const tz_rule *rule, int64_t t, int64_t *boundary) {
    if (!rule->has_dst) return false;
    int64_t y = tz_year_of_days(tz_floor_div(t + rule->std.utc_offset_s, TZ_SECS_PER_DAY));
    bool found = false;
    int64_t best = 0;
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        int64_t cand[2];
        tz_rule_year(rule, yy, &cand[0], &cand[1]);
        for (int i = 0; i < 2; i++) {
            if (cand[i] > t && (!found || cand[i] < best)) {
                best = cand[i];
                found = true;
            }
        }
    }
    *boundary = best;
    return found;
}

typedef struct tz_cursor {
    const char *p;
    const char *end;
} tz_cursor;

static bool tz_cur_digit(const tz_cursor *c) { return c->p < c->end && isdigit((uint8_t)*c->p); }
static bool tz_cur_is(const tz_cursor *c, char ch) { return c->p < c->end && *c->p == ch; }

static bool tz_parse_num(tz_cursor *c, int min, int max, int *out) {
    if (!tz_cur_digit(c)) return false;
    int v = 0;
    while (tz_cur_digit(c)) {
        v = v * 10 + (*c->p++ - '0');
        if (v > max) return false;
    }
    *out = v;
    return v >= min;
}

/* hh[:mm[:ss]] with hours up to TZ_RULE_HOURS_MAX. */
static bool tz_parse_hms(tz_cursor *c, int32_t *secs) {
    int h, m = 0, s = 0;
    if (!tz_parse_num(c, 0, TZ_RULE_HOURS_MAX, &h)) return false;
    if (tz_cur_is(c, ':')) {
        c->p++;
        if (!tz_parse_num(c, 0, 59, &m)) return false;
        if (tz_cur_is(c, ':')) {
            c->p++;
            if (!tz_parse_num(c, 0, 60, &s)) return false;
        }
    }
    *secs = h * TZ_SECS_PER_HOUR + m * 60 + s;
    return true;
}

static bool tz_parse_signed_hms(tz_cursor *c, int32_t *secs) {
    int sign = 1;
    if (tz_cur_is(c, '+') || tz_cur_is(c, '-')) sign = *c->p++ == '-' ? -1 : 1;
    if (!tz_parse_hms(c, secs)) return false;
    *secs *= sign;
    return true;
}

/* An abbreviation: anything up to a digit, ',', '-' or '+' (tzcode's rule, so "EST", but
 * also "abc." or "a/b"), or anything inside <...>. PostgreSQL accepts an empty standard-time
 * name ("+05:30", "5:30"), so `min_len` is 0 for it. */
static bool tz_parse_name(tz_cursor *c, size_t min_len, const char **name, size_t *len) {
    if (tz_cur_is(c, '<')) {
        const char *start = ++c->p;
        while (c->p < c->end && *c->p != '>') c->p++;
        if (c->p >= c->end) return false;
        *name = start;
        *len = (size_t)(c->p++ - start);
        return true;
    }
    *name = c->p;
    while (c->p < c->end && !isdigit((uint8_t)*c->p) && *c->p != ',' && *c->p != '-' &&
           *c->p != '+')
        c->p++;
    *len = (size_t)(c->p - *name);
    return *len >= min_len;
}

static bool tz_parse_rule_date(tz_cursor *c, tz_rule_date *date) {
    int v, w, d;
    if (tz_cur_is(c, 'J')) {
        c->p++;
        if (!tz_parse_num(c, 1, 365, &v)) return false;
        date->kind = TZ_DATE_JULIAN_1;
        date->day = (int16_t)v;
    } else if (tz_cur_is(c, 'M')) {
        c->p++;
        if (!tz_parse_num(c, 1, 12, &v) || !tz_cur_is(c, '.')) return false;
        c->p++;
        if (!tz_parse_num(c, 1, 5, &w) || !tz_cur_is(c, '.')) return false;
        c->p++;
        if (!tz_parse_num(c, 0, 6, &d)) return false;
        date->kind = TZ_DATE_MONTH_WEEK;
        date->month = (uint8_t)v;
        date->week = (uint8_t)w;
        date->weekday = (uint8_t)d;
    } else {
        if (!tz_parse_num(c, 0, 365, &v)) return false;
        date->kind = TZ_DATE_JULIAN_0;
        date->day = (int16_t)v;
    }
    date->time_s = 2 * TZ_SECS_PER_HOUR; /* POSIX default: 02:00 local */
    if (tz_cur_is(c, '/')) {
        c->p++;
        if (!tz_parse_signed_hms(c, &date->time_s)) return false;
    }
    return true;
}

/* Parsed rule plus its two names, before they are copied into a zone's character pool. */
typedef struct tz_rule_text {
    tz_rule rule;
    const char *std_name, *dst_name;
    size_t std_len, dst_len;
} tz_rule_text;

/* "std offset [dst [offset] [,start[/time],end[/time]]]"; offsets are west-positive. A DST
 * name without rules gets the US rules, as PostgreSQL does. */
static bool tz_parse_rule(const char *s, size_t len, tz_rule_text *out) {
    tz_cursor c = {s, s + len};
    int32_t off;
    memset(out, 0, sizeof(*out));
    if (!tz_parse_name(&c, 0, &out->std_name, &out->std_len)) return false;
    if (c.p >= c.end || !tz_parse_signed_hms(&c, &off)) return false;
    out->rule.std.utc_offset_s = -off;
    if (c.p == c.end) return true;
    if (!tz_parse_name(&c, 1, &out->dst_name, &out->dst_len)) return false;
    out->rule.has_dst = true;
    out->rule.dst.is_dst = true;
    out->rule.dst.utc_offset_s = out->rule.std.utc_offset_s + TZ_SECS_PER_HOUR;
    if (c.p < c.end && *c.p != ',') {
        if (!tz_parse_signed_hms(&c, &off)) return false;
        out->rule.dst.utc_offset_s = -off;
    }
    if (c.p == c.end) {
        static const char us_rules[] = ",M3.2.0,M11.1.0";
        c.p = us_rules;
        c.end = us_rules + sizeof(us_rules) - 1;
    }
    if (!tz_cur_is(&c, ',')) return false;
    c.p++;
    if (!tz_parse_rule_date(&c, &out->rule.start) || !tz_cur_is(&c, ',')) return false;
    c.p++;
    if (!tz_parse_rule_date(&c, &out->rule.end)) return false;
    return c.p == c.end;
}

/* ---- building zones --------------------------------------------------------------------- */

/* Everything a zone holds before it is packed into one long-lived block. */
typedef struct tz_build {
    uint32_t trans_count, type_count, char_bytes;
    const uint8_t *trans_be;   /* big-endian 64-bit times (NULL: none) */
    const uint8_t *trans_idx;  /* one type index per transition */
    tz_type types[TZ_TYPES_MAX];
    const char *chars;
    bool has_rule;
    tz_rule_text rule;
} tz_build;

static int64_t tz_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return (int64_t)v;
}

static int32_t tz_be32(const uint8_t *p) {
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static void tz_copy_abbrev(char *dst, const char *src, size_t len) {
    if (len >= SQL_TZ_ABBREV_BYTES_MAX) len = SQL_TZ_ABBREV_BYTES_MAX - 1;
    if (len > 0) memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Packs a zone into one never-freed block: the struct, transitions, types and names. */
static sql_tz *tz_build_zone(const tz_build *b, const char *name, const char *key) {
    size_t rule_chars = b->has_rule ? 2 * SQL_TZ_ABBREV_BYTES_MAX : 0;
    size_t size = sizeof(sql_tz) + (size_t)b->trans_count * 9 +
                  (size_t)b->type_count * sizeof(tz_type) + b->char_bytes + rule_chars + 16;
    sql_tz *tz = rt_xcalloc(1, size);
    snprintf(tz->name, sizeof(tz->name), "%s", name);
    snprintf(tz->key, sizeof(tz->key), "%s", key);
    uint8_t *p = (uint8_t *)(tz + 1);
    tz->trans_s = (int64_t *)p;
    p += (size_t)b->trans_count * 8;
    tz->types = (tz_type *)(((uintptr_t)p + 7) & ~(uintptr_t)7);
    p = (uint8_t *)(tz->types + b->type_count);
    tz->trans_types = p;
    p += b->trans_count;
    tz->chars = (char *)p;
    tz->trans_count = b->trans_count;
    tz->type_count = b->type_count;
    for (uint32_t i = 0; i < b->trans_count; i++) {
        tz->trans_s[i] = tz_be64(b->trans_be + (size_t)i * 8);
        tz->trans_types[i] = b->trans_idx[i];
    }
    memcpy(tz->types, b->types, (size_t)b->type_count * sizeof(tz_type));
    memcpy(tz->chars, b->chars, b->char_bytes);
    if (b->has_rule) {
        tz->has_rule = true;
        tz->rule = b->rule.rule;
        uint16_t at = (uint16_t)b->char_bytes;
        tz->rule.std.abbrev_index = at;
        tz_copy_abbrev(tz->chars + at, b->rule.std_name, b->rule.std_len);
        tz->rule.dst.abbrev_index = (uint16_t)(at + SQL_TZ_ABBREV_BYTES_MAX);
        tz_copy_abbrev(tz->chars + at + SQL_TZ_ABBREV_BYTES_MAX, b->rule.dst_name,
                       b->rule.dst_len);
    }
    return tz;
}

typedef struct tz_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tz_counts;

static bool tz_read_header(const uint8_t *p, size_t avail, tz_counts *c, char *version) {
    if (avail < 44 || memcmp(p, "TZif", 4) != 0) return false;
    *version = (char)p[4];
    uint32_t v[6];
    for (int i = 0; i < 6; i++) {
        int32_t n = tz_be32(p + 20 + 4 * i);
        if (n < 0 || n > (int32_t)SQL_TZ_FILE_BYTES_MAX) return false;
        v[i] = (uint32_t)n;
    }
    *c = (tz_counts){v[0], v[1], v[2], v[3], v[4], v[5]};
    return c->type >= 1 && c->type <= TZ_TYPES_MAX && c->chars >= 1 &&
           (c->isut == 0 || c->isut == c->type) && (c->isstd == 0 || c->isstd == c->type);
}

static size_t tz_block_bytes(const tz_counts *c, size_t time_bytes) {
    return (size_t)c->time * (time_bytes + 1) + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (time_bytes + 4) + c->isstd + c->isut;
}

/* Checks and collects the 64-bit data block that starts at `p`. */
static bool tz_read_block(const uint8_t *p, const tz_counts *c, tz_build *b) {
    b->trans_count = c->time;
    b->type_count = c->type;
    b->char_bytes = c->chars;
    b->trans_be = p;
    b->trans_idx = p + (size_t)c->time * 8;
    for (uint32_t i = 1; i < c->time; i++) {
        if (tz_be64(p + (size_t)i * 8) <= tz_be64(p + (size_t)(i - 1) * 8)) return false;
    }
    for (uint32_t i = 0; i < c->time; i++) {
        if (b->trans_idx[i] >= c->type) return false;
    }
    const uint8_t *t = b->trans_idx + c->time;
    b->chars = (const char *)(t + (size_t)c->type * 6);
    if (b->chars[c->chars - 1] != '\0') return false;
    for (uint32_t i = 0; i < c->type; i++, t += 6) {
        int32_t off = tz_be32(t);
        if (off < -TZ_OFFSET_S_MAX || off > TZ_OFFSET_S_MAX || t[4] > 1 || t[5] >= c->chars)
            return false;
        b->types[i] = (tz_type){off, t[4] == 1, t[5]};
    }
    return true;
}

/* Parses a TZif v2+ image (the v1 block is skipped) and its footer rule. */
static bool tz_parse_tzif(const uint8_t *data, size_t size, tz_build *b) {
    tz_counts c;
    char version;
    memset(b, 0, sizeof(*b));
    if (!tz_read_header(data, size, &c, &version) || version < '2') return false;
    size_t off = 44 + tz_block_bytes(&c, 4);
    if (off > size || !tz_read_header(data + off, size - off, &c, &version)) return false;
    off += 44;
    size_t block = tz_block_bytes(&c, 8);
    if (block > size - off || !tz_read_block(data + off, &c, b)) return false;
    off += block;
    /* Footer: "\n<POSIX rule>\n"; an empty rule means "no rule". */
    if (off < size && data[off] == '\n') {
        const char *rule = (const char *)data + off + 1;
        const char *nl = memchr(rule, '\n', size - off - 1);
        if (nl != NULL && nl > rule && tz_parse_rule(rule, (size_t)(nl - rule), &b->rule))
            b->has_rule = true;
    }
    return true;
}

/* ---- finding zone files ----------------------------------------------------------------- */

/* A name may become a path under SQL_TZ_DIR only if it cannot leave it: no leading '/', no
 * empty, "." or ".." components, nothing but the characters zone names use. */
static bool tz_name_is_path(const char *name, size_t len) {
    if (len == 0 || name[0] == '/') return false;
    size_t comp = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (ch == '/') {
            if (comp == 0) return false;
            comp = 0;
            continue;
        }
        if (comp == 0 && ch == '.') return false;
        if (!isalnum((uint8_t)ch) && ch != '_' && ch != '-' && ch != '+' && ch != '.')
            return false;
        comp++;
    }
    return comp > 0;
}

/* Resolves `name` component by component, case-insensitively, writing the file's own
 * spelling into `canon`. */
static bool tz_find_file(const char *name, char *path, size_t path_bytes, char *canon) {
    size_t plen = (size_t)snprintf(path, path_bytes, "%s", SQL_TZ_DIR);
    size_t clen = 0;
    const char *comp = name;
    while (*comp != '\0') {
        const char *slash = strchr(comp, '/');
        size_t n = slash != NULL ? (size_t)(slash - comp) : strlen(comp);
        DIR *dir = opendir(path);
        if (dir == NULL) return false;
        struct dirent *de;
        bool found = false;
        while ((de = readdir(dir)) != NULL) {
            if (strlen(de->d_name) == n && strncasecmp(de->d_name, comp, n) == 0) {
                found = plen + n + 2 < path_bytes && clen + n + 2 < SQL_TZ_NAME_BYTES_MAX;
                if (found) {
                    plen += (size_t)snprintf(path + plen, path_bytes - plen, "/%s", de->d_name);
                    clen += (size_t)snprintf(canon + clen, SQL_TZ_NAME_BYTES_MAX - clen,
                                             "%s%s", clen > 0 ? "/" : "", de->d_name);
                }
                break;
            }
        }
        closedir(dir);
        if (!found) return false;
        comp += n;
        if (*comp == '/') comp++;
    }
    return true;
}

/* Reads a whole zone file; false when it is missing, not a regular file or too big. */
static uint8_t *tz_read_file(const char *path, size_t *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    uint8_t *data = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= SQL_TZ_FILE_BYTES_MAX) {
        data = rt_xmalloc((size_t)st.st_size);
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got != (size_t)st.st_size) {
            rt_free(data);
            data = NULL;
        }
        *size = got;
    }
    close(fd);
    return data;
}

static sql_tz *tz_load_file(const char *name, const char *key) {
    char path[SQL_TZ_NAME_BYTES_MAX + sizeof(SQL_TZ_DIR) + 8];
    char canon[SQL_TZ_NAME_BYTES_MAX];
    canon[0] = '\0';
    if (!tz_find_file(name, path, sizeof(path), canon)) return NULL;
    size_t size = 0;
    uint8_t *data = tz_read_file(path, &size);
    if (data == NULL) return NULL;
    tz_build *b = rt_xmalloc(sizeof(tz_build));
    sql_tz *tz = tz_parse_tzif(data, size, b) ? tz_build_zone(b, canon, key) : NULL;
    rt_free(b);
    rt_free(data);
    return tz;
}

static sql_tz *tz_load_rule(const char *name, size_t len, const char *key) {
    tz_build b;
    memset(&b, 0, sizeof(b));
    if (!tz_parse_rule(name, len, &b.rule)) return NULL;
    b.has_rule = true;
    b.type_count = 1;
    b.types[0] = b.rule.rule.std;
    b.chars = "";
    b.char_bytes = 1;
    /* The canonical name of a POSIX zone is its text upper-cased, as PostgreSQL shows it. */
    return tz_build_zone(&b, key, key);
}

/* ---- the process-wide cache ------------------------------------------------------------- */

static _Atomic(sql_tz *) tz_cache[TZ_CACHE_SLOTS];
static pthread_mutex_t tz_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t tz_cache_count; /* under tz_cache_lock */

static uint32_t tz_hash(const char *key) {
    uint32_t h = 2166136261u;
    for (const char *p = key; *p != '\0'; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    return h;
}

/* Lock-free read: slots only ever go from NULL to a zone that is never freed. */
static sql_tz *tz_cache_find(const char *key, uint32_t *slot) {
    uint32_t i = tz_hash(key) & (TZ_CACHE_SLOTS - 1);
    for (;;) {
        sql_tz *tz = atomic_load_explicit(&tz_cache[i], memory_order_acquire);
        if (tz == NULL || strcmp(tz->key, key) == 0) {
            *slot = i;
            return tz;
        }
        i = (i + 1) & (TZ_CACHE_SLOTS - 1);
    }
}

/* Loads (once) the zone named `name` whose upper-cased form is `key`. */
static bool tz_cache_load(const char *name, size_t len, const char *key, const sql_tz **out,
                          rt_err *err) {
    uint32_t slot;
    sql_tz *tz = tz_cache_find(key, &slot);
    if (tz != NULL) {
        *out = tz;
        return true;
    }
    pthread_mutex_lock(&tz_cache_lock);
    tz = tz_cache_find(key, &slot); /* another thread may have loaded it meanwhile */
    if (tz == NULL && tz_cache_count >= SQL_TZ_CACHE_ZONES_MAX) {
        pthread_mutex_unlock(&tz_cache_lock);
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many distinct time zones in use (limit %d)",
                          SQL_TZ_CACHE_ZONES_MAX);
    }
    if (tz == NULL) {
        if (tz_name_is_path(name, len)) tz = tz_load_file(name, key);
        if (tz == NULL && name[0] != ':') tz = tz_load_rule(name, len, key);
        if (tz != NULL) {
            atomic_store_explicit(&tz_cache[slot], tz, memory_order_release);
            tz_cache_count++;
        }
    }
    pthread_mutex_unlock(&tz_cache_lock);
    if (tz == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "time zone \"%.*s\" not recognized", (int)len, name);
    }
    *out = tz;
    return true;
}

static sql_tz *tz_utc_builtin;
static pthread_once_t tz_utc_once = PTHREAD_ONCE_INIT;

static void tz_utc_init(void) { tz_utc_builtin = tz_load_rule("UTC0", 4, "UTC"); }

/* "UTC" must work even on a system without zone files: it is the default session zone. */
static const sql_tz *tz_utc_zone(void) {
    pthread_once(&tz_utc_once, tz_utc_init);
    return tz_utc_builtin;
}

bool sql_tz_load(const char *name, size_t len, const sql_tz **out, rt_err *err) {
    char buf[SQL_TZ_NAME_BYTES_MAX], key[SQL_TZ_NAME_BYTES_MAX];
    if (len == 0 || len >= SQL_TZ_NAME_BYTES_MAX || memchr(name, '\0', len) != NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "time zone \"%.*s\" not recognized", (int)(len > 200 ? 200 : len),
                          name);
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    for (size_t i = 0; i <= len; i++) key[i] = (char)toupper((uint8_t)buf[i]);
    if (strcmp(key, "UTC") == 0) {
        rt_err ignored = {0};
        if (!tz_cache_load(buf, len, key, out, &ignored)) *out = tz_utc_zone();
        return true;
    }
    return tz_cache_load(buf, len, key, out, err);
}

const sql_tz *sql_tz_utc(void) {
    const sql_tz *tz;
    rt_err ignored = {0};
    sql_tz_load("UTC", 3, &tz, &ignored);
    return tz;
}

const char *sql_tz_name(const sql_tz *tz) { return tz->name; }

bool sql_tz_fixed_offset(const sql_tz *tz, int32_t *utc_offset_s) {
    int32_t off = tz->types[0].utc_offset_s;
    for (uint32_t i = 1; i < tz->type_count; i++) {
        if (tz->types[i].utc_offset_s != off) return false;
    }
    if (tz->has_rule && (tz->rule.std.utc_offset_s != off ||
                         (tz->rule.has_dst && tz->rule.dst.utc_offset_s != off)))
        return false;
    *utc_offset_s = off;
    return true;
}

/* ---- applying zones --------------------------------------------------------------------- */

static void tz_fill(const sql_tz *tz, const tz_type *type, sql_tz_local *out) {
    out->utc_offset_s = type->utc_offset_s;
    out->is_dst = type->is_dst;
    out->abbrev = tz->chars + type->abbrev_index;
}

/* Index of the last transition at or before t, or -1 when t precedes them all. */
static int64_t tz_trans_index(const sql_tz *tz, int64_t t) {
    int64_t lo = 0, hi = (int64_t)tz->trans_count; /* answer in [lo-1, hi-1] */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz->trans_s[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo - 1;
}

static const tz_type *tz_type_at(const sql_tz *tz, int64_t t) {
    if (tz->trans_count == 0) return tz->has_rule ? tz_rule_at(&tz->rule, t) : &tz->types[0];
    int64_t i = tz_trans_index(tz, t);
    if (i < 0) return &tz->types[0]; /* before the table: type 0 (RFC 8536) */
    if (i == (int64_t)tz->trans_count - 1 && tz->has_rule) return tz_rule_at(&tz->rule, t);
    return &tz->types[tz->trans_types[i]];
}

void sql_tz_at(const sql_tz *tz, int64_t unix_s, sql_tz_local *out) {
    tz_fill(tz, tz_type_at(tz, unix_s), out);
}

/* The first transition after t, with the types in force before and after it. */
static bool tz_next_boundary(const sql_tz *tz, int64_t t, const tz_type **before,
                             int64_t *boundary, const tz_type **after) {
    *before = tz_type_at(tz, t);
    if (tz->trans_count > 0 && t < tz->trans_s[tz->trans_count - 1]) {
        int64_t i = tz_trans_index(tz, t) + 1;
        *boundary = tz->trans_s[i];
        *after = &tz->types[tz->trans_types[i]];
        return true;
    }
    if (!tz->has_rule || !tz_rule_next(&tz->rule, t, boundary)) return false;
    *after = tz_rule_at(&tz->rule, *boundary);
    return true;
}

int32_t sql_tz_offset_for_local(const sql_tz *tz, int64_t local_s, bool *is_dst) {
    /* Look for a transition from a day before: both readings of the local time (with the
     * offset before and after it) then tell which side of the transition it is on. */
    const tz_type *before, *after;
    int64_t boundary;
    const tz_type *pick;
    if (!tz_next_boundary(tz, local_s - TZ_SECS_PER_DAY, &before, &boundary, &after)) {
        pick = before;
    } else {
        int64_t before_t = local_s - before->utc_offset_s;
        int64_t after_t = local_s - after->utc_offset_s;
        if (before_t < boundary && after_t < boundary) pick = before;
        else if (before_t >= boundary && after_t >= boundary) pick = after;
        else pick = before_t > after_t ? before : after; /* gap: before; overlap: after */
    }
    if (is_dst != NULL) *is_dst = pick->is_dst;
    return pick->utc_offset_s;
}

/* ---- fixed offsets and SET TimeZone ----------------------------------------------------- */

/* PostgreSQL's name for a fixed-offset zone: "<+05:30>-05:30" (POSIX sign inside). */
static void tz_fixed_name(int32_t off, char *buf, size_t bytes) {
    int32_t a = off < 0 ? -off : off;
    char hms[40];
    int h = a / 3600, m = a / 60 % 60, s = a % 60;
    if (s != 0) snprintf(hms, sizeof(hms), "%02d:%02d:%02d", h, m, s);
    else if (m != 0) snprintf(hms, sizeof(hms), "%02d:%02d", h, m);
    else snprintf(hms, sizeof(hms), "%02d", h);
    snprintf(buf, bytes, "<%c%s>%c%s", off < 0 ? '-' : '+', hms, off < 0 ? '+' : '-', hms);
}

bool sql_tz_fixed(int32_t utc_offset_s, const sql_tz **out, rt_err *err) {
    char name[100];
    tz_fixed_name(utc_offset_s, name, sizeof(name));
    return sql_tz_load(name, strlen(name), out, err);
}

bool sql_tz_from_setting(const char *value, size_t len, const sql_tz **out, rt_err *err) {
    char buf[SQL_TZ_NAME_BYTES_MAX];
    rt_err local = {0};
    if (len > 0 && len < sizeof(buf)) {
        memcpy(buf, value, len);
        buf[len] = '\0';
        char *end;
        errno = 0;
        double hours = strtod(buf, &end);
        if (end != buf && *end == '\0') {
            /* SQL's sign convention: "5" is five hours east. */
            double secs = hours * TZ_SECS_PER_HOUR;
            if (errno == 0 && secs > -TZ_RULE_HOURS_MAX * 3600.0 &&
                secs < TZ_RULE_HOURS_MAX * 3600.0 && sql_tz_fixed((int32_t)secs, out, &local))
                return true;
        } else if (sql_tz_load(buf, len, out, &local)) {
            return true;
        }
    }
    if (rt_err_is(&local, SQLSTATE_PROGRAM_LIMIT_EXCEEDED)) {
        *err = local;
        return false;
    }
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "invalid value for parameter \"TimeZone\": \"%.*s\"",
                      (int)(len > 200 ? 200 : len), value);
}

/* ---- abbreviations ---------------------------------------------------------------------- */

/* PostgreSQL 15's "Default" timezone_abbreviations set, sorted by name. Offsets are seconds
 * east of UTC; a zone name means the abbreviation's offset depends on the date. */
static const sql_tz_abbrev tz_abbrevs[] = {
    {"acdt", 37800, true, NULL},
    {"acsst", 37800, true, NULL},
    {"acst", 34200, false, NULL},
    {"act", -18000, false, NULL},
    {"acwst", 31500, false, NULL},
    {"adt", -10800, true, NULL},
    {"aedt", 39600, true, NULL},
    {"aesst", 39600, true, NULL},
    {"aest", 36000, false, NULL},
    {"aft", 16200, false, NULL},
    {"akdt", -28800, true, NULL},
    {"akst", -32400, false, NULL},
    {"almst", 25200, true, NULL},
    {"almt", 21600, false, NULL},
    {"amst", 0, false, "Asia/Yerevan"},
    {"amt", -14400, false, NULL},
    {"anast", 0, false, "Asia/Anadyr"},
    {"anat", 0, false, "Asia/Anadyr"},
    {"arst", 0, false, "America/Argentina/Buenos_Aires"},
    {"art", 0, false, "America/Argentina/Buenos_Aires"},
    {"ast", -14400, false, NULL},
    {"awsst", 32400, true, NULL},
    {"awst", 28800, false, NULL},
    {"azost", 0, true, NULL},
    {"azot", -3600, false, NULL},
    {"azst", 0, false, "Asia/Baku"},
    {"azt", 0, false, "Asia/Baku"},
    {"bdst", 7200, true, NULL},
    {"bdt", 21600, false, NULL},
    {"bnt", 28800, false, NULL},
    {"bort", 28800, false, NULL},
    {"bot", -14400, false, NULL},
    {"bra", -10800, false, NULL},
    {"brst", -7200, true, NULL},
    {"brt", -10800, false, NULL},
    {"bst", 3600, true, NULL},
    {"btt", 21600, false, NULL},
    {"cadt", 37800, true, NULL},
    {"cast", 34200, false, NULL},
    {"cct", 28800, false, NULL},
    {"cdt", -18000, true, NULL},
    {"cest", 7200, true, NULL},
    {"cet", 3600, false, NULL},
    {"cetdst", 7200, true, NULL},
    {"chadt", 49500, true, NULL},
    {"chast", 45900, false, NULL},
    {"chut", 36000, false, NULL},
    {"ckt", 0, false, "Pacific/Rarotonga"},
    {"clst", -10800, true, NULL},
    {"clt", 0, false, "America/Santiago"},
    {"cot", -18000, false, NULL},
    {"cst", -21600, false, NULL},
    {"cxt", 25200, false, NULL},
    {"davt", 0, false, "Antarctica/Davis"},
    {"ddut", 36000, false, NULL},
    {"easst", 0, false, "Pacific/Easter"},
    {"east", 0, false, "Pacific/Easter"},
    {"eat", 10800, false, NULL},
    {"edt", -14400, true, NULL},
    {"eest", 10800, true, NULL},
    {"eet", 7200, false, NULL},
    {"eetdst", 10800, true, NULL},
    {"egst", 0, true, NULL},
    {"egt", -3600, false, NULL},
    {"est", -18000, false, NULL},
    {"fet", 10800, false, NULL},
    {"fjst", 46800, true, NULL},
    {"fjt", 43200, false, NULL},
    {"fkst", 0, false, "Atlantic/Stanley"},
    {"fkt", 0, false, "Atlantic/Stanley"},
    {"fnst", -3600, true, NULL},
    {"fnt", -7200, false, NULL},
    {"galt", -21600, false, NULL},
    {"gamt", -32400, false, NULL},
    {"gest", 0, false, "Asia/Tbilisi"},
    {"get", 0, false, "Asia/Tbilisi"},
    {"gft", -10800, false, NULL},
    {"gilt", 43200, false, NULL},
    {"gmt", 0, false, NULL},
    {"gyt", 0, false, "America/Guyana"},
    {"hkt", 28800, false, NULL},
    {"hst", -36000, false, NULL},
    {"ict", 25200, false, NULL},
    {"idt", 10800, true, NULL},
    {"iot", 0, false, "Indian/Chagos"},
    {"irkst", 0, false, "Asia/Irkutsk"},
    {"irkt", 0, false, "Asia/Irkutsk"},
    {"irt", 12600, false, NULL},
    {"ist", 7200, false, NULL},
    {"jayt", 32400, false, NULL},
    {"jst", 32400, false, NULL},
    {"kdt", 36000, true, NULL},
    {"kgst", 21600, true, NULL},
    {"kgt", 0, false, "Asia/Bishkek"},
    {"kost", 0, false, "Pacific/Kosrae"},
    {"krast", 0, false, "Asia/Krasnoyarsk"},
    {"krat", 0, false, "Asia/Krasnoyarsk"},
    {"kst", 32400, false, NULL},
    {"lhdt", 0, false, "Australia/Lord_Howe"},
    {"lhst", 37800, false, NULL},
    {"ligt", 36000, false, NULL},
    {"lint", 0, false, "Pacific/Kiritimati"},
    {"lkt", 0, false, "Asia/Colombo"},
    {"magst", 0, false, "Asia/Magadan"},
    {"magt", 0, false, "Asia/Magadan"},
    {"mart", -34200, false, NULL},
    {"mawt", 0, false, "Antarctica/Mawson"},
    {"mdt", -21600, true, NULL},
    {"mest", 7200, true, NULL},
    {"mesz", 7200, true, NULL},
    {"met", 3600, false, NULL},
    {"metdst", 7200, true, NULL},
    {"mez", 3600, false, NULL},
    {"mht", 43200, false, NULL},
    {"mmt", 23400, false, NULL},
    {"mpt", 36000, false, NULL},
    {"msd", 14400, true, NULL},
    {"msk", 0, false, "Europe/Moscow"},
    {"mst", -25200, false, NULL},
    {"must", 18000, true, NULL},
    {"mut", 14400, false, NULL},
    {"mvt", 18000, false, NULL},
    {"myt", 28800, false, NULL},
    {"ndt", -9000, true, NULL},
    {"nft", -12600, false, NULL},
    {"novst", 0, false, "Asia/Novosibirsk"},
    {"novt", 0, false, "Asia/Novosibirsk"},
    {"npt", 20700, false, NULL},
    {"nst", -12600, false, NULL},
    {"nut", 0, false, "Pacific/Niue"},
    {"nzdt", 46800, true, NULL},
    {"nzst", 43200, false, NULL},
    {"nzt", 43200, false, NULL},
    {"omsst", 0, false, "Asia/Omsk"},
    {"omst", 0, false, "Asia/Omsk"},
    {"pdt", -25200, true, NULL},
    {"pet", -18000, false, NULL},
    {"petst", 0, false, "Asia/Kamchatka"},
    {"pett", 0, false, "Asia/Kamchatka"},
    {"pgt", 36000, false, NULL},
    {"pht", 28800, false, NULL},
    {"pkst", 21600, true, NULL},
    {"pkt", 18000, false, NULL},
    {"pmdt", -7200, true, NULL},
    {"pmst", -10800, false, NULL},
    {"pont", 39600, false, NULL},
    {"pst", -28800, false, NULL},
    {"pwt", 32400, false, NULL},
    {"pyst", -10800, true, NULL},
    {"pyt", 0, false, "America/Asuncion"},
    {"ret", 14400, false, NULL},
    {"sadt", 37800, true, NULL},
    {"sast", 7200, false, NULL},
    {"sct", 14400, false, NULL},
    {"sgt", 0, false, "Asia/Singapore"},
    {"taht", -36000, false, NULL},
    {"tft", 18000, false, NULL},
    {"tjt", 18000, false, NULL},
    {"tkt", 0, false, "Pacific/Fakaofo"},
    {"tmt", 0, false, "Asia/Ashgabat"},
    {"tot", 46800, false, NULL},
    {"trut", 36000, false, NULL},
    {"tvt", 43200, false, NULL},
    {"uct", 0, false, NULL},
    {"ulast", 32400, true, NULL},
    {"ulat", 0, false, "Asia/Ulaanbaatar"},
    {"ut", 0, false, NULL},
    {"utc", 0, false, NULL},
    {"uyst", -7200, true, NULL},
    {"uyt", -10800, false, NULL},
    {"uzst", 21600, true, NULL},
    {"uzt", 18000, false, NULL},
    {"vet", 0, false, "America/Caracas"},
    {"vlast", 0, false, "Asia/Vladivostok"},
    {"vlat", 0, false, "Asia/Vladivostok"},
    {"volt", 0, false, "Europe/Volgograd"},
    {"vut", 39600, false, NULL},
    {"wadt", 28800, true, NULL},
    {"wakt", 43200, false, NULL},
    {"wast", 25200, false, NULL},
    {"wat", 3600, false, NULL},
    {"wdt", 32400, true, NULL},
    {"wet", 0, false, NULL},
    {"wetdst", 3600, true, NULL},
    {"wft", 43200, false, NULL},
    {"wgst", -7200, true, NULL},
    {"wgt", -10800, false, NULL},
    {"xjt", 21600, false, NULL},
    {"yakst", 0, false, "Asia/Yakutsk"},
    {"yakt", 0, false, "Asia/Yakutsk"},
    {"yapt", 36000, false, NULL},
    {"yekst", 21600, true, NULL},
    {"yekt", 0, false, "Asia/Yekaterinburg"},
    {"z", 0, false, NULL},
    {"zulu", 0, false, NULL},
};

static int tz_abbrev_cmp(const void *key, const void *elem) {
    return strcmp(key, ((const sql_tz_abbrev *)elem)->name);
}

const sql_tz_abbrev *sql_tz_abbrev_find(const char *name, size_t len) {
    char lower[16];
    if (len == 0 || len >= sizeof(lower)) return NULL;
    for (size_t i = 0; i < len; i++) lower[i] = (char)tolower((uint8_t)name[i]);
    lower[len] = '\0';
    return bsearch(lower, tz_abbrevs, sizeof(tz_abbrevs) / sizeof(tz_abbrevs[0]),
                   sizeof(tz_abbrevs[0]), tz_abbrev_cmp);
}

static bool tz_type_named(const sql_tz *tz, const tz_type *type, const char *name) {
    return strcasecmp(tz->chars + type->abbrev_index, name) == 0;
}

/* What `tz` meant by `name` around t: its latest use at or before t, else its earliest use
 * after t (PostgreSQL's reading of a dynamic abbreviation). */
static const tz_type *tz_abbrev_meaning(const sql_tz *tz, const char *name, int64_t t) {
    const tz_type *cur = tz_type_at(tz, t);
    if (tz_type_named(tz, cur, name)) return cur;
    int64_t i = tz_trans_index(tz, t);
    for (int64_t j = i; j >= 0; j--) {
        const tz_type *ty = &tz->types[tz->trans_types[j]];
        if (tz_type_named(tz, ty, name)) return ty;
    }
    if (i < 0 && tz_type_named(tz, &tz->types[0], name)) return &tz->types[0];
    for (int64_t j = i + 1; j < (int64_t)tz->trans_count; j++) {
        const tz_type *ty = &tz->types[tz->trans_types[j]];
        if (tz_type_named(tz, ty, name)) return ty;
    }
    if (tz->has_rule) {
        if (tz_type_named(tz, &tz->rule.std, name)) return &tz->rule.std;
        if (tz->rule.has_dst && tz_type_named(tz, &tz->rule.dst, name)) return &tz->rule.dst;
    }
    return NULL;
}

bool sql_tz_abbrev_resolve(const sql_tz_abbrev *abbrev, int64_t unix_s, int32_t *utc_offset_s,
                           bool *is_dst, rt_err *err) {
    if (abbrev->zone_name == NULL) {
        *utc_offset_s = abbrev->utc_offset_s;
        *is_dst = abbrev->is_dst;
        return true;
    }
    const sql_tz *tz;
    if (!sql_tz_load(abbrev->zone_name, strlen(abbrev->zone_name), &tz, err)) return false;
    const tz_type *ty = tz_abbrev_meaning(tz, abbrev->name, unix_s);
    if (ty == NULL) ty = tz_type_at(tz, unix_s);
    *utc_offset_s = ty->utc_offset_s;
    *is_dst = ty->is_dst;
    return true;
}

bool sql_tz_abbrev_resolve_local(const sql_tz_abbrev *abbrev, int64_t local_s,
                                 int32_t *utc_offset_s, bool *is_dst, rt_err *err) {
    if (abbrev->zone_name == NULL) return sql_tz_abbrev_resolve(abbrev, 0, utc_offset_s,
                                                                is_dst, err);
    const sql_tz *tz;
    if (!sql_tz_load(abbrev->zone_name, strlen(abbrev->zone_name), &tz, err)) return false;
    int32_t zone_off = sql_tz_offset_for_local(tz, local_s, is_dst);
    const tz_type *ty = tz_abbrev_meaning(tz, abbrev->name, local_s - zone_off);
    if (ty == NULL) {
        *utc_offset_s = zone_off;
        return true;
    }
    *utc_offset_s = ty->utc_offset_s;
    *is_dst = ty->is_dst;
    return true;
}
