/* sql_datetime.h: PostgreSQL 15's date/time types: date, time, timetz, timestamp, timestamptz
 * and interval, with their text forms, arithmetic and functions.
 * Owns:    nothing; every value is a fixed-width integer (or a small struct of them) with
 *          PostgreSQL's own representation, so the binary wire format is a copy of it:
 *            date        int32 days since 2000-01-01 (INT32_MIN/INT32_MAX = -/+infinity)
 *            time        int64 microseconds since midnight, 0..24:00:00
 *            timetz      time + int32 zone offset in seconds, WEST-positive (as PostgreSQL)
 *            timestamp   int64 microseconds since 2000-01-01 00:00:00 (INT64_MIN/MAX = inf)
 *            timestamptz same, in UTC
 *            interval    { int64 microseconds; int32 days; int32 months; }
 * Session: a sql_datetime_ctx carries what PostgreSQL takes from the session: TimeZone,
 *          DateStyle, IntervalStyle, and the transaction start time for 'now', 'today',
 *          now(), age(ts). The caller owns the clock; nothing here reads it.
 * Core:    any thread; pure functions of their arguments (zones come from sql_tz.h).
 * Memory:  text results go into a caller buffer of SQL_DATETIME_TEXT_BYTES_MAX, except
 *          to_char, which allocates its result in the caller's arena.
 * Errors:  PostgreSQL's SQLSTATEs and messages: 22007 invalid input syntax, 22008 date/time
 *          field value out of range / timestamp out of range / interval out of range, 22009
 *          time zone displacement out of range, 22015 interval field value out of range,
 *          22023 invalid parameter (bad units, unknown zones), 22012 division by zero,
 *          0A000 for units a type does not support. Each function says what it can fail with.
 * Limits:  SQL_DATETIME_INPUT_BYTES_MAX (longer input is a syntax error, as in PostgreSQL),
 *          SQL_DATETIME_TEXT_BYTES_MAX, SQL_DATETIME_FORMAT_BYTES_MAX. */
#ifndef SQL_DATETIME_H
#define SQL_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"
#include "sql/sql_tz.h"

typedef int32_t sql_date;
typedef int64_t sql_time;
typedef int64_t sql_timestamp;
typedef int64_t sql_timestamptz;

typedef struct sql_interval {
    int64_t time_us; /* all time fields, microseconds */
    int32_t days;
    int32_t months;
} sql_interval;

typedef struct sql_timetz {
    int64_t time_us; /* local time of day */
    int32_t zone_s;  /* seconds WEST of UTC, as PostgreSQL stores it: +05:30 is -19800 */
} sql_timetz;

#define SQL_DATE_NOBEGIN INT32_MIN /* '-infinity' */
#define SQL_DATE_NOEND INT32_MAX   /* 'infinity' */
#define SQL_TIMESTAMP_NOBEGIN INT64_MIN
#define SQL_TIMESTAMP_NOEND INT64_MAX
#define SQL_USECS_PER_DAY INT64_C(86400000000)
/* Seconds from 1970-01-01 (Unix) to 2000-01-01 (PostgreSQL's epoch). */
#define SQL_EPOCH_UNIX_S INT64_C(946684800)

/* PostgreSQL's input limit: a date/time string has at most 128 characters plus one separator
 * per field; longer text cannot be a valid value and is rejected as a syntax error. */
#define SQL_DATETIME_INPUT_BYTES_MAX 153
/* Longest text form of any value (the verbose interval style is the longest, ~100). */
#define SQL_DATETIME_TEXT_BYTES_MAX 160
/* to_char/to_timestamp patterns and their results (PostgreSQL has no bound; a pattern this
 * long is a mistake, and the result of one is bounded by it). */
#define SQL_DATETIME_FORMAT_BYTES_MAX 4096
/* Fractional digits of time, timestamp and interval (typmods 0..6). */
#define SQL_DATETIME_PRECISION_MAX 6

/* ---- session settings ------------------------------------------------------------------ */

enum {
    SQL_DATESTYLE_ISO = 0,      /* 2024-01-31 13:45:00+01 */
    SQL_DATESTYLE_POSTGRES = 1, /* Wed Jan 31 13:45:00 2024 CET */
    SQL_DATESTYLE_SQL = 2,      /* 01/31/2024 13:45:00 CET */
    SQL_DATESTYLE_GERMAN = 3,   /* 31.01.2024 13:45:00 CET */
};
enum { SQL_DATEORDER_MDY = 0, SQL_DATEORDER_DMY = 1, SQL_DATEORDER_YMD = 2 };
enum {
    SQL_INTERVALSTYLE_POSTGRES = 0,         /* 1 year 2 mons 3 days 04:05:06 */
    SQL_INTERVALSTYLE_POSTGRES_VERBOSE = 1, /* @ 1 year 2 mons 3 days 4 hours 5 mins 6 secs */
    SQL_INTERVALSTYLE_SQL_STANDARD = 2,     /* +1-2 +3 +4:05:06 */
    SQL_INTERVALSTYLE_ISO_8601 = 3,         /* P1Y2M3DT4H5M6S */
};

typedef struct sql_datetime_ctx {
    const sql_tz *tz;       /* TimeZone */
    uint8_t date_style;     /* SQL_DATESTYLE_* */
    uint8_t date_order;     /* SQL_DATEORDER_* */
    uint8_t interval_style; /* SQL_INTERVALSTYLE_* */
    sql_timestamptz now;    /* transaction start: 'now', 'today', age(ts) */
} sql_datetime_ctx;

/* PostgreSQL's defaults: UTC, "ISO, MDY", postgres; `now` is 2000-01-01 until set. */
void sql_datetime_ctx_init(sql_datetime_ctx *ctx);

/* SET DateStyle: "ISO, MDY", "German", "SQL, DMY", "Postgres, YMD", "European", "US"...
 * Fills style and order from the value and the current setting, as PostgreSQL does.
 * 22023 `invalid value for parameter "DateStyle": "x"`. */
bool sql_datetime_datestyle_set(sql_datetime_ctx *ctx, const char *value, size_t len,
                                rt_err *err);
/* SHOW DateStyle: "ISO, MDY". */
size_t sql_datetime_datestyle_show(const sql_datetime_ctx *ctx, char *buf);
/* SET IntervalStyle: postgres, postgres_verbose, sql_standard, iso_8601. 22023 otherwise. */
bool sql_datetime_intervalstyle_set(sql_datetime_ctx *ctx, const char *value, size_t len,
                                    rt_err *err);

/* ---- text input (the type's input function; `typmod` -1 = none) ----------------------- */

bool sql_date_in(const sql_datetime_ctx *ctx, const char *str, size_t len, sql_date *out,
                 rt_err *err);
bool sql_time_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                 sql_time *out, rt_err *err);
bool sql_timetz_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                   sql_timetz *out, rt_err *err);
bool sql_timestamp_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                      sql_timestamp *out, rt_err *err);
bool sql_timestamptz_in(const sql_datetime_ctx *ctx, const char *str, size_t len,
                        int32_t typmod, sql_timestamptz *out, rt_err *err);
/* Postgres ('1 year 2 mons', '@ 1 day ago'), SQL ('1-2', '3 4:05:06') and ISO 8601
 * ('P1Y2M', 'P0001-02-03T04:05:06') forms; the typmod's field range picks the unit of a bare
 * number (interval '5' minute is 5 minutes). */
bool sql_interval_in(const sql_datetime_ctx *ctx, const char *str, size_t len, int32_t typmod,
                     sql_interval *out, rt_err *err);

/* ---- text output (DateStyle / IntervalStyle of ctx); returns the length ---------------- */

size_t sql_date_out(const sql_datetime_ctx *ctx, sql_date value, char *buf);
size_t sql_time_out(const sql_datetime_ctx *ctx, sql_time value, char *buf);
size_t sql_timetz_out(const sql_datetime_ctx *ctx, sql_timetz value, char *buf);
/* Fails (22008 timestamp out of range) only for a value outside the valid range. */
bool sql_timestamp_out(const sql_datetime_ctx *ctx, sql_timestamp value, char *buf,
                       size_t *len, rt_err *err);
bool sql_timestamptz_out(const sql_datetime_ctx *ctx, sql_timestamptz value, char *buf,
                         size_t *len, rt_err *err);
size_t sql_interval_out(const sql_datetime_ctx *ctx, sql_interval value, char *buf);

/* ---- typmods ----------------------------------------------------------------------------- */

/* Interval field ranges, as PostgreSQL encodes them in the typmod (visible on the wire). */
#define SQL_INTERVAL_MONTH (1u << 1)
#define SQL_INTERVAL_YEAR (1u << 2)
#define SQL_INTERVAL_DAY (1u << 3)
#define SQL_INTERVAL_HOUR (1u << 10)
#define SQL_INTERVAL_MINUTE (1u << 11)
#define SQL_INTERVAL_SECOND (1u << 12)
#define SQL_INTERVAL_FULL_RANGE 0x7fffu
#define SQL_INTERVAL_FULL_PRECISION 0xffffu

/* timestamp(p), timestamptz(p), time(p), timetz(p): the typmod is p. Negative p is 22023
 * "TIMESTAMP(-1) precision must not be negative"; p > 6 becomes 6 and *reduced is set so the
 * caller can warn "TIMESTAMP(7) precision reduced to maximum allowed, 6" as PostgreSQL does.
 * `type_name` is "TIMESTAMP", "TIME"; `with_tz` adds " WITH TIME ZONE" to messages. */
bool sql_datetime_typmod_make(const char *type_name, bool with_tz, int32_t precision,
                              int32_t *typmod, bool *reduced, rt_err *err);
/* INTERVAL [fields] [(p)]: `range` is one of the SQL ranges (YEAR, YEAR TO MONTH, DAY TO
 * SECOND...; SQL_INTERVAL_FULL_RANGE for none), `precision` -1 for none. */
bool sql_interval_typmod_make(uint32_t range, int32_t precision, int32_t *typmod,
                              bool *reduced, rt_err *err);
/* format_type's suffix: "(3)", " year to month", " day to second(3)". */
size_t sql_interval_typmod_out(int32_t typmod, char *buf);

/* Coercion to a typmod (PostgreSQL rounds half away from zero to p digits). */
bool sql_timestamp_apply_typmod(sql_timestamp *value, int32_t typmod, rt_err *err);
sql_time sql_time_apply_typmod(sql_time value, int32_t typmod);
sql_timetz sql_timetz_apply_typmod(sql_timetz value, int32_t typmod);
/* Truncates to the typmod's fields (interval '1 day 2 hours' day -> 1 day) and rounds. */
bool sql_interval_apply_typmod(sql_interval *value, int32_t typmod, rt_err *err);

/* ---- binary receive: range checks of values read from the wire (22008) ------------------ */

bool sql_date_recv_check(sql_date value, rt_err *err);
bool sql_time_recv_check(sql_time value, rt_err *err);
bool sql_timetz_recv_check(sql_timetz value, rt_err *err);
bool sql_timestamp_recv_check(sql_timestamp value, rt_err *err);

/* ---- comparison and hashing (hash is consistent with equality) -------------------------- */

int sql_interval_cmp(sql_interval a, sql_interval b); /* months as 30 days, days as 24 h */
uint64_t sql_interval_hash(sql_interval value);
int sql_timetz_cmp(sql_timetz a, sql_timetz b); /* by UTC instant, then by zone */
uint64_t sql_timetz_hash(sql_timetz value);
/* date vs timestamp(tz) without overflow: a date beyond timestamp range still compares. */
int sql_date_cmp_timestamp(sql_date a, sql_timestamp b);
int sql_date_cmp_timestamptz(const sql_datetime_ctx *ctx, sql_date a, sql_timestamptz b);
int sql_timestamp_cmp_timestamptz(const sql_datetime_ctx *ctx, sql_timestamp a,
                                  sql_timestamptz b);

static inline bool sql_date_is_finite(sql_date d) {
    return d != SQL_DATE_NOBEGIN && d != SQL_DATE_NOEND;
}
static inline bool sql_timestamp_is_finite(sql_timestamp t) {
    return t != SQL_TIMESTAMP_NOBEGIN && t != SQL_TIMESTAMP_NOEND;
}
/* isfinite(interval): PostgreSQL 15 has no infinite intervals. */
static inline bool sql_interval_is_finite(sql_interval iv) {
    (void)iv;
    return true;
}

/* ---- conversions (casts) ------------------------------------------------------------------ */

bool sql_date_to_timestamp(sql_date d, sql_timestamp *out, rt_err *err);
bool sql_date_to_timestamptz(const sql_datetime_ctx *ctx, sql_date d, sql_timestamptz *out,
                             rt_err *err);
bool sql_timestamp_to_date(sql_timestamp ts, sql_date *out, rt_err *err);
bool sql_timestamptz_to_date(const sql_datetime_ctx *ctx, sql_timestamptz ts, sql_date *out,
                             rt_err *err);
bool sql_timestamp_to_timestamptz(const sql_datetime_ctx *ctx, sql_timestamp ts,
                                  sql_timestamptz *out, rt_err *err);
bool sql_timestamptz_to_timestamp(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                  sql_timestamp *out, rt_err *err);
/* An infinite timestamp gives SQL NULL (*is_null), as in PostgreSQL. */
bool sql_timestamp_to_time(sql_timestamp ts, sql_time *out, bool *is_null, rt_err *err);
bool sql_timestamptz_to_time(const sql_datetime_ctx *ctx, sql_timestamptz ts, sql_time *out,
                             bool *is_null, rt_err *err);
bool sql_timestamptz_to_timetz(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                               sql_timetz *out, bool *is_null, rt_err *err);
/* time -> timetz takes the session zone's offset on today's date (ctx->now). */
sql_timetz sql_time_to_timetz(const sql_datetime_ctx *ctx, sql_time t);
sql_time sql_timetz_to_time(sql_timetz t);
sql_interval sql_time_to_interval(sql_time t);
sql_time sql_interval_to_time(sql_interval iv); /* the time part, wrapped into 0..24h */

/* ---- arithmetic --------------------------------------------------------------------------- */

/* date +/- integer days; 22008 "date out of range". Infinite dates stay infinite. */
bool sql_date_pl_days(sql_date d, int32_t days, sql_date *out, rt_err *err);
bool sql_date_mi_days(sql_date d, int32_t days, sql_date *out, rt_err *err);
/* date - date in days; 22008 "cannot subtract infinite dates". */
bool sql_date_mi_date(sql_date a, sql_date b, int32_t *days, rt_err *err);
bool sql_date_pl_time(sql_date d, sql_time t, sql_timestamp *out, rt_err *err);
/* date +/- interval is a timestamp (the date at midnight, then the interval). */
bool sql_date_pl_interval(sql_date d, sql_interval iv, sql_timestamp *out, rt_err *err);
bool sql_date_mi_interval(sql_date d, sql_interval iv, sql_timestamp *out, rt_err *err);
bool sql_date_pl_timetz(sql_date d, sql_timetz t, sql_timestamptz *out, rt_err *err);
/* Months first (clamped to the month's end), then days, then time; timestamptz does the
 * calendar steps in the session zone. 22008 "timestamp out of range". */
bool sql_timestamp_pl_interval(sql_timestamp ts, sql_interval iv, sql_timestamp *out,
                               rt_err *err);
bool sql_timestamp_mi_interval(sql_timestamp ts, sql_interval iv, sql_timestamp *out,
                               rt_err *err);
bool sql_timestamptz_pl_interval(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                 sql_interval iv, sql_timestamptz *out, rt_err *err);
bool sql_timestamptz_mi_interval(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                 sql_interval iv, sql_timestamptz *out, rt_err *err);
/* timestamp - timestamp: days and time, as PostgreSQL (no months); 22008 "cannot subtract
 * infinite timestamps", "interval out of range". Works for timestamptz too (both UTC). */
bool sql_timestamp_mi(sql_timestamp a, sql_timestamp b, sql_interval *out, rt_err *err);
sql_time sql_time_pl_interval(sql_time t, sql_interval iv); /* wraps around midnight */
sql_time sql_time_mi_interval(sql_time t, sql_interval iv);
sql_interval sql_time_mi_time(sql_time a, sql_time b);
sql_timetz sql_timetz_pl_interval(sql_timetz t, sql_interval iv);
sql_timetz sql_timetz_mi_interval(sql_timetz t, sql_interval iv);

/* 22008 "interval out of range" on overflow. */
bool sql_interval_pl(sql_interval a, sql_interval b, sql_interval *out, rt_err *err);
bool sql_interval_mi(sql_interval a, sql_interval b, sql_interval *out, rt_err *err);
bool sql_interval_um(sql_interval a, sql_interval *out, rt_err *err);
/* interval * float8 and / float8 spill fractional months into days and days into time the
 * way PostgreSQL does; 22012 "division by zero". */
bool sql_interval_mul(sql_interval a, double factor, sql_interval *out, rt_err *err);
bool sql_interval_div(sql_interval a, double divisor, sql_interval *out, rt_err *err);
bool sql_interval_justify_days(sql_interval a, sql_interval *out, rt_err *err);
bool sql_interval_justify_hours(sql_interval a, sql_interval *out, rt_err *err);
bool sql_interval_justify_interval(sql_interval a, sql_interval *out, rt_err *err);

/* ---- functions ------------------------------------------------------------------------------ */

/* extract(field from x) and date_part(field, x). PostgreSQL 15's extract returns numeric, so
 * the exact value comes as decimal text; date_part's float8 comes as `f8` (computed in float
 * as PostgreSQL does, so it can differ in the last digit from the numeric). Infinite inputs
 * give +/-Infinity for fields that grow without bound (epoch, year, julian...) and NULL for
 * the others. Unit names are PostgreSQL's ("year", "years", "y", "dow", "epoch"...):
 * 22023 unit "x" not recognized for type T, 0A000 unit "x" not supported for type T. */
enum { SQL_DTNUM_VALUE = 0, SQL_DTNUM_NULL = 1, SQL_DTNUM_POS_INF = 2, SQL_DTNUM_NEG_INF = 3 };
typedef struct sql_datetime_num {
    uint8_t kind;  /* SQL_DTNUM_* */
    double f8;     /* date_part's result */
    char text[64]; /* extract's exact numeric, e.g. "1706708700.123456", "-0.5" */
} sql_datetime_num;

/* extract(field from date). PostgreSQL defines date_part(text, date) as date_part over
 * date::timestamp: use sql_timestamp_extract() on the cast value for that. */
bool sql_date_extract(const char *unit, size_t unit_len, sql_date d, sql_datetime_num *out,
                      rt_err *err);
bool sql_time_extract(const char *unit, size_t unit_len, sql_time t, sql_datetime_num *out,
                      rt_err *err);
bool sql_timetz_extract(const char *unit, size_t unit_len, sql_timetz t, sql_datetime_num *out,
                        rt_err *err);
bool sql_timestamp_extract(const char *unit, size_t unit_len, sql_timestamp ts,
                           sql_datetime_num *out, rt_err *err);
bool sql_timestamptz_extract(const sql_datetime_ctx *ctx, const char *unit, size_t unit_len,
                             sql_timestamptz ts, sql_datetime_num *out, rt_err *err);
bool sql_interval_extract(const char *unit, size_t unit_len, sql_interval iv,
                          sql_datetime_num *out, rt_err *err);

/* date_trunc(field, x [, zone]). `zone` NULL means the session zone. */
bool sql_timestamp_trunc(const char *unit, size_t unit_len, sql_timestamp ts,
                         sql_timestamp *out, rt_err *err);
bool sql_timestamptz_trunc(const sql_datetime_ctx *ctx, const char *unit, size_t unit_len,
                           sql_timestamptz ts, const char *zone, size_t zone_len,
                           sql_timestamptz *out, rt_err *err);
bool sql_interval_trunc(const char *unit, size_t unit_len, sql_interval iv, sql_interval *out,
                        rt_err *err);

/* date_bin(stride, source, origin): 22023 for zero/negative or month strides. */
bool sql_timestamp_bin(sql_interval stride, sql_timestamp source, sql_timestamp origin,
                       sql_timestamp *out, rt_err *err);

/* age(a, b) symbolic result ("1 year 2 mons 3 days"); timestamptz works in the session zone.
 * age(x) is age(current_date, x) in PostgreSQL: the caller casts sql_datetime_current_date(). */
bool sql_timestamp_age(sql_timestamp a, sql_timestamp b, sql_interval *out, rt_err *err);
bool sql_timestamptz_age(const sql_datetime_ctx *ctx, sql_timestamptz a, sql_timestamptz b,
                         sql_interval *out, rt_err *err);
/* age(x): age(current_date, x) with current_date cast to x's type. */
bool sql_timestamp_age_current(const sql_datetime_ctx *ctx, sql_timestamp ts, sql_interval *out,
                               rt_err *err);
bool sql_timestamptz_age_current(const sql_datetime_ctx *ctx, sql_timestamptz ts,
                                 sql_interval *out, rt_err *err);
/* current_date: the date of ctx->now in the session zone. */
sql_date sql_datetime_current_date(const sql_datetime_ctx *ctx);
/* timeofday(): "Wed Jan 31 13:45:00.123456 2024 CET" for the wall-clock time `now` (the
 * caller reads the clock; PostgreSQL uses the current time, not the transaction start). */
size_t sql_datetime_timeofday(const sql_datetime_ctx *ctx, sql_timestamptz now, char *buf);

bool sql_date_make(int32_t year, int32_t month, int32_t day, sql_date *out, rt_err *err);
bool sql_time_make(int32_t hour, int32_t min, double sec, sql_time *out, rt_err *err);
bool sql_timestamp_make(int32_t year, int32_t month, int32_t day, int32_t hour, int32_t min,
                        double sec, sql_timestamp *out, rt_err *err);
/* `zone` NULL: the session zone. */
bool sql_timestamptz_make(const sql_datetime_ctx *ctx, int32_t year, int32_t month,
                          int32_t day, int32_t hour, int32_t min, double sec, const char *zone,
                          size_t zone_len, sql_timestamptz *out, rt_err *err);
bool sql_interval_make(int32_t years, int32_t months, int32_t weeks, int32_t days,
                       int32_t hours, int32_t mins, double secs, sql_interval *out,
                       rt_err *err);
/* to_timestamp(float8): Unix seconds -> timestamptz ('Infinity' -> infinity). */
bool sql_timestamptz_from_unix(double seconds, sql_timestamptz *out, rt_err *err);

/* AT TIME ZONE, both ways. `zone` is an abbreviation (EST, fixed or dynamic) or a zone name
 * or POSIX string, as PostgreSQL resolves it; unknown: 22023 time zone "x" not recognized. */
bool sql_timestamp_at_zone(const char *zone, size_t zone_len, sql_timestamp ts,
                           sql_timestamptz *out, rt_err *err);
bool sql_timestamptz_at_zone(const char *zone, size_t zone_len, sql_timestamptz ts,
                             sql_timestamp *out, rt_err *err);
bool sql_timetz_at_zone(const sql_datetime_ctx *ctx, const char *zone, size_t zone_len,
                        sql_timetz t, sql_timetz *out, rt_err *err);
/* AT TIME ZONE INTERVAL '...' (hours east): 22023 if the interval has months or days. */
bool sql_timestamp_at_izone(const sql_datetime_ctx *ctx, sql_interval zone, sql_timestamp ts,
                            sql_timestamptz *out, rt_err *err);
bool sql_timestamptz_at_izone(const sql_datetime_ctx *ctx, sql_interval zone,
                              sql_timestamptz ts, sql_timestamp *out, rt_err *err);
bool sql_timetz_at_izone(const sql_datetime_ctx *ctx, sql_interval zone, sql_timetz t,
                         sql_timetz *out, rt_err *err);

/* to_char(x, pattern): the result is NUL-terminated in `arena`; *out is NULL (SQL NULL) for
 * an infinite value or an empty pattern, as in PostgreSQL. Patterns longer than
 * SQL_DATETIME_FORMAT_BYTES_MAX fail with 54000. */
bool sql_timestamp_to_char(rt_arena *arena, sql_timestamp ts, const char *fmt, size_t fmt_len,
                           char **out, rt_err *err);
bool sql_timestamptz_to_char(const sql_datetime_ctx *ctx, rt_arena *arena, sql_timestamptz ts,
                             const char *fmt, size_t fmt_len, char **out, rt_err *err);
bool sql_interval_to_char(rt_arena *arena, sql_interval iv, const char *fmt, size_t fmt_len,
                          char **out, rt_err *err);
/* to_date(text, pattern) and to_timestamp(text, pattern); `arena` holds scratch copies.
 * Fields missing from the text default as in PostgreSQL (the year to 1 BC). */
bool sql_date_from_char(const sql_datetime_ctx *ctx, rt_arena *arena, const char *str,
                        size_t len, const char *fmt, size_t fmt_len, sql_date *out,
                        rt_err *err);
bool sql_timestamptz_from_char(const sql_datetime_ctx *ctx, rt_arena *arena, const char *str,
                               size_t len, const char *fmt, size_t fmt_len,
                               sql_timestamptz *out, rt_err *err);

#endif
