/* sql_dt_int.h: sql_datetime.h for the modules that also include sql_types.h (the registry's
 * datetime type, functions and aggregates).
 * Both headers name their DateStyle, DateOrder and IntervalStyle constants SQL_DATESTYLE_*
 * (with different values for SQL and Postgres), so one translation unit cannot include both
 * as they are: here sql_datetime.h's constants are renamed SQL_DT_* while it is included, and
 * sql_dt_ctx() builds its context from the session's sql_fmt, translating the styles. */
#ifndef SQL_DT_INT_H
#define SQL_DT_INT_H

#define SQL_DATESTYLE_ISO SQL_DT_DATESTYLE_ISO
#define SQL_DATESTYLE_POSTGRES SQL_DT_DATESTYLE_POSTGRES
#define SQL_DATESTYLE_SQL SQL_DT_DATESTYLE_SQL
#define SQL_DATESTYLE_GERMAN SQL_DT_DATESTYLE_GERMAN
#define SQL_DATEORDER_MDY SQL_DT_DATEORDER_MDY
#define SQL_DATEORDER_DMY SQL_DT_DATEORDER_DMY
#define SQL_DATEORDER_YMD SQL_DT_DATEORDER_YMD
#define SQL_INTERVALSTYLE_POSTGRES SQL_DT_INTERVALSTYLE_POSTGRES
#define SQL_INTERVALSTYLE_POSTGRES_VERBOSE SQL_DT_INTERVALSTYLE_POSTGRES_VERBOSE
#define SQL_INTERVALSTYLE_SQL_STANDARD SQL_DT_INTERVALSTYLE_SQL_STANDARD
#define SQL_INTERVALSTYLE_ISO_8601 SQL_DT_INTERVALSTYLE_ISO_8601
#include "sql/sql_datetime.h"
#undef SQL_DATESTYLE_ISO
#undef SQL_DATESTYLE_POSTGRES
#undef SQL_DATESTYLE_SQL
#undef SQL_DATESTYLE_GERMAN
#undef SQL_DATEORDER_MDY
#undef SQL_DATEORDER_DMY
#undef SQL_DATEORDER_YMD
#undef SQL_INTERVALSTYLE_POSTGRES
#undef SQL_INTERVALSTYLE_POSTGRES_VERBOSE
#undef SQL_INTERVALSTYLE_SQL_STANDARD
#undef SQL_INTERVALSTYLE_ISO_8601

#include "sql/sql_types_int.h"

/* The BYTES forms of interval and timetz (pg_type.typlen of each). */
#define SQL_DT_INTERVAL_BYTES 16u
#define SQL_DT_TIMETZ_BYTES 12u

/* The datetime context of a session's settings (NULL fmt: PostgreSQL's defaults) and its
 * statement time. */
static inline sql_datetime_ctx sql_dt_ctx(const sql_fmt *fmt, int64_t now_us) {
    sql_datetime_ctx c;
    sql_datetime_ctx_init(&c);
    c.now = now_us;
    if (fmt == NULL) return c;
    if (fmt->timezone != NULL) c.tz = (const sql_tz *)fmt->timezone;
    switch (fmt->datestyle) {
    case SQL_DATESTYLE_SQL: c.date_style = SQL_DT_DATESTYLE_SQL; break;
    case SQL_DATESTYLE_POSTGRES: c.date_style = SQL_DT_DATESTYLE_POSTGRES; break;
    case SQL_DATESTYLE_GERMAN: c.date_style = SQL_DT_DATESTYLE_GERMAN; break;
    default: c.date_style = SQL_DT_DATESTYLE_ISO; break;
    }
    c.date_order = (uint8_t)fmt->dateorder;       /* same order of values in both headers */
    c.interval_style = (uint8_t)fmt->intervalstyle;
    return c;
}

static inline sql_datetime_ctx sql_dt_io_ctx(const sql_io_ctx *io) {
    return sql_dt_ctx(io->fmt, io->now_us);
}

/* Intervals are BYTES values of 16 bytes: time_us, days, months in host order. Values come
 * from this module (input, arithmetic, or storage that checks its pages): another length is
 * a bug. */
static inline sql_interval sql_dt_interval_get(sql_bytes b) {
    sql_interval iv;
    RT_ASSERT(b.len == SQL_DT_INTERVAL_BYTES);
    memcpy(&iv.time_us, b.ptr, 8);
    memcpy(&iv.days, b.ptr + 8, 4);
    memcpy(&iv.months, b.ptr + 12, 4);
    return iv;
}

/* timetz values are BYTES of 12: time_us then zone_s, host order. */
static inline sql_timetz sql_dt_timetz_get(sql_bytes b) {
    sql_timetz t;
    RT_ASSERT(b.len == SQL_DT_TIMETZ_BYTES);
    memcpy(&t.time_us, b.ptr, 8);
    memcpy(&t.zone_s, b.ptr + 8, 4);
    return t;
}

bool sql_dt_interval_put(rt_arena *arena, sql_interval iv, sql_bytes *out, rt_err *err);
bool sql_dt_timetz_put(rt_arena *arena, sql_timetz t, sql_bytes *out, rt_err *err);

#endif
