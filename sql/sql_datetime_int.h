/* sql_datetime_int.h: what the sql_datetime*.c files share; not included from outside.
 * Calendar arithmetic uses Julian day numbers (day 0 = 4714-11-24 BC, proleptic Gregorian)
 * and astronomical years (year 0 is 1 BC), as PostgreSQL does internally. */
#ifndef SQL_DATETIME_INT_H
#define SQL_DATETIME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/sql_datetime.h"

#define DT_USECS_PER_SEC INT64_C(1000000)
#define DT_USECS_PER_MINUTE INT64_C(60000000)
#define DT_USECS_PER_HOUR INT64_C(3600000000)
#define DT_USECS_PER_DAY INT64_C(86400000000)
#define DT_SECS_PER_DAY 86400
#define DT_SECS_PER_HOUR 3600
#define DT_DAYS_PER_MONTH 30    /* interval arithmetic's month */
#define DT_MONTHS_PER_YEAR 12
#define DT_HOURS_PER_DAY 24

#define DT_POSTGRES_EPOCH_JDATE 2451545 /* 2000-01-01 */
#define DT_UNIX_EPOCH_JDATE 2440588     /* 1970-01-01 */

/* Valid ranges, PostgreSQL's: dates from Julian day 0 to 5874897-12-31, timestamps from
 * 4714-11-24 BC to 294276-12-31 23:59:59.999999. */
#define DT_JULIAN_MINYEAR (-4713)
#define DT_JULIAN_MINMONTH 11
#define DT_JULIAN_MAXYEAR 5874898
#define DT_JULIAN_MAXMONTH 6
#define DT_DATE_END_JULIAN 2147483494     /* 5874898-01-01 */
#define DT_TIMESTAMP_END_JULIAN 109203528 /* 294277-01-01 */
#define DT_MIN_TIMESTAMP INT64_C(-211813488000000000)
#define DT_END_TIMESTAMP INT64_C(9223371331200000000)
/* Zone offsets accepted in text and timetz: under 16 hours either way. */
#define DT_MAX_TZDISP_HOUR 15
#define DT_TZDISP_LIMIT ((DT_MAX_TZDISP_HOUR + 1) * DT_SECS_PER_HOUR)

/* Broken-down date and time. */
typedef struct dt_tm {
    int32_t year; /* astronomical: 0 = 1 BC, -1 = 2 BC */
    int32_t mon;  /* 1..12 */
    int32_t mday; /* 1..31 */
    int32_t hour, min, sec;
    int32_t usec; /* 0..999999 */
    int32_t wday; /* 0 = Sunday (input: from a weekday name, unused) */
    int32_t yday; /* 1..366 (input: day of year) */
    int32_t gmtoff;   /* seconds east of UTC, for zoned values */
    int32_t isdst;    /* -1 unknown */
    const char *zone; /* abbreviation, NULL if none */
} dt_tm;

/* Broken-down interval: PostgreSQL's pg_itm. */
typedef struct dt_itm {
    int64_t usec; /* 0..999999 with the sign of the time */
    int64_t hour;
    int32_t min, sec;
    int32_t mday, mon, year;
} dt_itm;

/* Parse errors, turned into an rt_err with the input text by sql_dt_parse_error(). */
enum {
    DT_OK = 0,
    DT_ERR_BAD_FORMAT = 1,
    DT_ERR_FIELD_OVERFLOW = 2,
    DT_ERR_MD_FIELD_OVERFLOW = 3,
    DT_ERR_INTERVAL_OVERFLOW = 4,
    DT_ERR_TZDISP_OVERFLOW = 5,
    DT_ERR_BAD_TIMEZONE = 6,
};

/* ---- calendar (sql_datetime_cal.c) ----------------------------------------------------- */

int64_t sql_dt_date2j(int64_t year, int32_t mon, int32_t mday);
void sql_dt_j2date(int64_t jd, int32_t *year, int32_t *mon, int32_t *mday);
int32_t sql_dt_j2day(int64_t jd); /* 0 = Sunday */
bool sql_dt_is_leap(int64_t year);
int32_t sql_dt_month_days(int64_t year, int32_t mon);
/* PostgreSQL's IS_VALID_JULIAN: month-granular check before date2j. */
bool sql_dt_julian_ok(int64_t year, int32_t mon, int32_t mday);
bool sql_dt_date_ok(int64_t days); /* days since 2000-01-01 within date range */
bool sql_dt_timestamp_ok(int64_t ts);
int64_t sql_dt_floor_div(int64_t a, int64_t b);
/* ISO 8601 week number, ISO year, day of ISO week-numbering year. */
int32_t sql_dt_iso_week(int32_t year, int32_t mon, int32_t mday);
int32_t sql_dt_iso_year(int32_t year, int32_t mon, int32_t mday);
int32_t sql_dt_iso_yday(int32_t year, int32_t mon, int32_t mday);
/* Julian day of the Monday starting ISO week 1 of `iso_year`. */
int64_t sql_dt_iso_week1(int32_t iso_year);

/* timestamp -> fields; with a zone, local fields plus gmtoff/isdst/zone. False when the
 * timestamp is outside the valid range. */
bool sql_dt_ts2tm(int64_t ts, const sql_tz *tz, dt_tm *tm);
/* fields (+ offset east of UTC, subtracted) -> timestamp; false when out of range. */
bool sql_dt_tm2ts(const dt_tm *tm, int32_t gmtoff, int64_t *ts);
void sql_dt_time2tm(int64_t time_us, dt_tm *tm);
int64_t sql_dt_tm2time(const dt_tm *tm);
/* Seconds east of UTC for a local time in `tz` (DetermineTimeZoneOffset); sets tm->isdst. */
int32_t sql_dt_local_offset(dt_tm *tm, const sql_tz *tz);
/* The session zone's offset now, for values with a time but no date. */
void sql_dt_now_tm(const sql_datetime_ctx *ctx, dt_tm *tm);

/* Interval <-> broken-down interval. */
void sql_dt_interval2itm(sql_interval iv, dt_itm *itm);
bool sql_dt_itm2interval(const dt_itm *itm, sql_interval *iv);

/* ---- errors ----------------------------------------------------------------------------- */

/* The PostgreSQL error for `code` about input `str` of type `type_name` ("date"...). */
bool sql_dt_parse_error(int code, const char *type_name, const char *str, size_t len,
                        const char *tzname, rt_err *err);
bool sql_dt_err_timestamp_range(rt_err *err);
bool sql_dt_err_interval_range(rt_err *err);
bool sql_dt_err_date_range(rt_err *err);

/* ---- tokens (sql_datetime_lex.c) -------------------------------------------------------- */

/* Field kinds of the tokenizer. */
enum {
    DT_F_NUMBER = 0,  /* digits, maybe '.' (also yy.ddd) */
    DT_F_DATE = 1,    /* digits with two delimiters, digits+text, or a zone name */
    DT_F_TIME = 2,    /* digits with ':' */
    DT_F_STRING = 3,  /* letters */
    DT_F_SPECIAL = 4, /* sign then letters */
    DT_F_TZ = 5,      /* sign then digits (also ':', '.', '-') */
};
#define DT_FIELDS_MAX 25

typedef struct dt_fields {
    char *str[DT_FIELDS_MAX];
    uint8_t kind[DT_FIELDS_MAX];
    int count;
    char buf[SQL_DATETIME_INPUT_BYTES_MAX];
} dt_fields;

int sql_dt_tokenize(const char *str, size_t len, dt_fields *out);

/* Keyword classes (what a word means in date/time input). */
enum {
    DT_K_UNKNOWN = 0,
    DT_K_RESERV,  /* value: DT_V_* below */
    DT_K_MONTH,   /* value: 1..12 */
    DT_K_DOW,     /* value: 0..6 */
    DT_K_AMPM,    /* value: DT_V_AM / DT_V_PM */
    DT_K_ADBC,    /* value: DT_V_AD / DT_V_BC */
    DT_K_IGNORE,  /* "at", "on", "@" */
    DT_K_UNITS,   /* value: DT_U_* */
    DT_K_ISOTIME, /* "t" */
    DT_K_DTZMOD,  /* "dst": value seconds added */
    DT_K_AGO,
};
enum {
    DT_V_EARLY = 1, /* -infinity */
    DT_V_LATE,      /* infinity */
    DT_V_EPOCH,
    DT_V_NOW,
    DT_V_TODAY,
    DT_V_TOMORROW,
    DT_V_YESTERDAY,
    DT_V_ZULU, /* allballs */
    DT_V_AM,
    DT_V_PM,
    DT_V_AD,
    DT_V_BC,
};
/* Units (interval input, extract, date_trunc). */
enum {
    DT_U_MICROSEC = 1,
    DT_U_MILLISEC,
    DT_U_SECOND,
    DT_U_MINUTE,
    DT_U_HOUR,
    DT_U_DAY,
    DT_U_WEEK,
    DT_U_MONTH,
    DT_U_QUARTER,
    DT_U_YEAR,
    DT_U_DECADE,
    DT_U_CENTURY,
    DT_U_MILLENNIUM,
    DT_U_JULIAN,
    DT_U_ISOYEAR,
    DT_U_TZ,
    DT_U_TZ_HOUR,
    DT_U_TZ_MINUTE,
    DT_U_DOW,
    DT_U_ISODOW,
    DT_U_DOY,
};

/* PostgreSQL's two keyword tables: date/time words and interval unit words. */
int sql_dt_keyword(const char *lower, int32_t *value);
int sql_dt_unit_word(const char *lower, int32_t *value);

/* ---- shared by input, output and functions ---------------------------------------------- */

/* "hh:mm[:ss[.f]]" (or "mm:ss.f"; "a:b" is minutes:seconds when `mmss`) into parts. */
int sql_dt_decode_time(const char *str, bool mmss, int64_t *hour, int32_t *min, int32_t *sec,
                       int32_t *fsec);
/* Decodes a numeric zone "+05:30", "-0800", "+5" into seconds WEST of UTC. */
int sql_dt_decode_tz(const char *str, int32_t *tz_west);
/* "+05:30" / "+05" / "-03:30:15" (ISO) into buf; returns chars written. */
size_t sql_dt_encode_offset(char *buf, int32_t gmtoff, bool with_colon_minutes);
/* Zone spec for AT TIME ZONE and date_trunc(..., zone): fixed offset or a zone. */
typedef struct dt_zone {
    const sql_tz *tz;                /* NULL for a fixed offset */
    const sql_tz_abbrev *dyn_abbrev; /* dynamic abbreviation (resolve within tz) */
    int32_t gmtoff;                  /* fixed offset, seconds east */
} dt_zone;
bool sql_dt_zone_parse(const char *zone, size_t len, dt_zone *out, rt_err *err);
/* Offset east of UTC of a zone spec at a UTC instant / for a local time. */
bool sql_dt_zone_offset_utc(const dt_zone *z, int64_t ts, int32_t *gmtoff, rt_err *err);
bool sql_dt_zone_offset_local(const dt_zone *z, dt_tm *tm, int32_t *gmtoff, rt_err *err);

/* Unit lookup for extract/date_trunc: class DT_K_UNITS or DT_K_RESERV, with its value;
 * writes the lower-cased unit (for messages) into `lower` (64 bytes). */
int sql_dt_unit_lookup(const char *unit, size_t len, char *lower, int32_t *value);

/* 2-digit-year aware timestamp output helpers. */
size_t sql_dt_encode_date(const sql_datetime_ctx *ctx, const dt_tm *tm, char *buf);
size_t sql_dt_encode_seconds(char *buf, int32_t sec, int32_t usec, bool fill_zero);
int64_t sql_dt_round_time(int64_t usec, int32_t precision);
int64_t sql_dt_rint_usec(double usec);

#endif

/* ---- to_char / to_timestamp patterns (sql_datetime_fmt.c, sql_datetime_fmtin.c) --------- */

/* Pattern field ids (one id for the upper- and lower-case spelling of a numeric field). */
enum {
    DK_A_D = 1, DK_A_M, DK_AD, DK_AM, DK_B_C, DK_BC, DK_CC, DK_DAY, DK_DDD, DK_DD, DK_DY,
    DK_Day, DK_Dy, DK_D, DK_FF1, DK_FF2, DK_FF3, DK_FF4, DK_FF5, DK_FF6, DK_FX, DK_HH24,
    DK_HH12, DK_HH, DK_IDDD, DK_ID, DK_IW, DK_IYYY, DK_IYY, DK_IY, DK_I, DK_J, DK_MI, DK_MM,
    DK_MONTH, DK_MON, DK_MS, DK_Month, DK_Mon, DK_OF, DK_P_M, DK_PM, DK_Q, DK_RM, DK_SSSS,
    DK_SS, DK_TZH, DK_TZM, DK_TZ, DK_US, DK_WW, DK_W, DK_Y_YYY, DK_YYYY, DK_YYY, DK_YY, DK_Y,
    DK_a_d, DK_a_m, DK_ad, DK_am, DK_b_c, DK_bc, DK_day, DK_dy, DK_month, DK_mon, DK_p_m,
    DK_pm, DK_rm, DK_tz,
};

enum { DT_FN_END = 0, DT_FN_ACTION, DT_FN_CHAR, DT_FN_SEPARATOR, DT_FN_SPACE };
enum { DT_FS_FM = 1, DT_FS_TM = 2, DT_FS_TH = 4, DT_FS_th = 8, DT_FS_SP = 16 };
/* Date conventions a pattern field belongs to (Gregorian or ISO week); mixing is an error. */
enum { DT_FMODE_NONE = 0, DT_FMODE_GREGORIAN, DT_FMODE_ISOWEEK };

typedef struct dt_fkey {
    const char *name;
    uint8_t len;
    uint8_t id;       /* DT_K_* of sql_datetime_fmt.c */
    bool is_digit;    /* the field reads digits (to_timestamp) */
    uint8_t mode;     /* DT_FMODE_* */
} dt_fkey;

typedef struct dt_fnode {
    uint8_t type;     /* DT_FN_* */
    uint8_t suffix;   /* DT_FS_* */
    uint8_t char_len; /* bytes in ch (one character, UTF-8 aware) */
    char ch[4];
    const dt_fkey *key;
} dt_fnode;

/* Splits a pattern into nodes (array of len + 1, ending with DT_FN_END). */
void sql_dt_fmt_parse(const char *fmt, size_t len, dt_fnode *nodes);
