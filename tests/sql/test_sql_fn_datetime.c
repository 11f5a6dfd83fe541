/* test_sql_fn_datetime.c: date, time, timetz, timestamp, timestamptz and interval as
 * registered (sql_type_datetime.c), their operators and functions (sql_fn_datetime.c), casts
 * (sql_cast_types.c) and aggregates (sql_agg_numeric.c, and min/max over their order), called
 * through the registries as a query calls them, in PostgreSQL's default session (TimeZone UTC,
 * DateStyle ISO, MDY).
 * How: the case tables hold a call and PostgreSQL 15's answer, written by tests/sql/gen-fn-cases
 * from a real server: month-end arithmetic, infinities, zones with DST, typmod rounding, every
 * error. Other tests check the binary formats, DateStyle and TimeZone of the session (answers
 * from PostgreSQL 15 with SET timezone = 'Europe/Berlin'), and that now() reads the statement's
 * time. */
#include "test_sql_fn_types_util.h"
#include "sql/sql_tz.h"

static const tf_case dt_cases[] = {
/* BEGIN CASES datetime */
    {"+", true, 2, {A(DA, "2024-02-28"), A(I4, "2")},
     "2024-03-01"},
    {"+", true, 2, {A(I4, "1"), A(DA, "2024-12-31")},
     "2025-01-01"},
    {"-", true, 2, {A(DA, "2024-03-01"), A(I4, "1")},
     "2024-02-29"},
    {"-", true, 2, {A(DA, "2024-03-01"), A(DA, "2023-03-01")},
     "366"},
    {"-", true, 2, {A(DA, "infinity"), A(DA, "2023-03-01")},
     "ERROR 22008: cannot subtract infinite dates"},
    {"+", true, 2, {A(DA, "2024-01-31"), A(IV, "1 month")},
     "2024-02-29 00:00:00"},
    {"-", true, 2, {A(DA, "2024-03-31"), A(IV, "1 month 1 hour")},
     "2024-02-28 23:00:00"},
    {"+", true, 2, {A(DA, "2024-01-01"), A(TM, "12:30")},
     "2024-01-01 12:30:00"},
    {"+", true, 2, {A(TS, "2024-01-31 10:00"), A(IV, "1 mon 2 days 03:00")},
     "2024-03-02 13:00:00"},
    {"-", true, 2, {A(TS, "2024-03-01"), A(TS, "2024-02-01 12:00")},
     "28 days 12:00:00"},
    {"-", true, 2, {A(TS, "2024-03-01"), A(IV, "1 year")},
     "2023-03-01 00:00:00"},
    {"+", true, 2, {A(TSZ, "2024-03-30 12:00+00"), A(IV, "1 day")},
     "2024-03-31 12:00:00+00"},
    {"-", true, 2, {A(TSZ, "2024-03-30 12:00+00"), A(TSZ, "2024-03-01 00:00+05")},
     "29 days 17:00:00"},
    {"+", true, 2, {A(TM, "23:00"), A(IV, "2 hours")},
     "01:00:00"},
    {"-", true, 2, {A(TM, "01:00"), A(TM, "23:00")},
     "-22:00:00"},
    {"+", true, 2, {A(IV, "1 day"), A(IV, "25 hours")},
     "1 day 25:00:00"},
    {"-", true, 1, {A(IV, "1 mon")},
     "-1 mons"},
    {"*", true, 2, {A(IV, "1 mon 1 day"), A(F8, "1.5")},
     "1 mon 16 days 12:00:00"},
    {"/", true, 2, {A(IV, "1 day"), A(F8, "3")},
     "08:00:00"},
    {"/", true, 2, {A(IV, "1 day"), A(F8, "0")},
     "ERROR 22012: division by zero"},
    {"*", true, 2, {A(F8, "2"), A(IV, "01:30")},
     "03:00:00"},
    {"<", true, 2, {A(IV, "1 mon"), A(IV, "31 days")},
     "t"},
    {"=", true, 2, {A(IV, "1 mon"), A(IV, "30 days")},
     "t"},
    {"+", true, 2, {A(TS, "294276-12-31 23:59:59"), A(IV, "1 day")},
     "ERROR 22008: timestamp out of range"},
    {"=", true, 2, {A(DA, "2024-01-01"), A(TS, "2024-01-01 00:00")},
     "t"},
    {"<", true, 2, {A(DA, "5874897-12-31"), A(TS, "infinity")},
     "t"},
    {">", true, 2, {A(DA, "5874897-12-31"), A(TS, "2024-01-01")},
     "t"},
    {"=", true, 2, {A(TS, "2024-01-01"), A(TSZ, "2024-01-01 00:00+00")},
     "t"},
    {"<", true, 2, {A(TSZ, "2024-01-01 00:00+00"), A(DA, "2024-01-01")},
     "f"},
    {">=", true, 2, {A(TSZ, "2024-01-01 00:00+00"), A(TS, "2024-01-01")},
     "t"},
    {"<>", true, 2, {A(TS, "2024-01-01 00:00:01"), A(DA, "2024-01-01")},
     "t"},
    {"<=", true, 2, {A(DA, "-infinity"), A(TSZ, "-infinity")},
     "t"},
    {"extract", false, 2, {A(T, "year"), A(TS, "2024-02-29 13:45:30.25")},
     "2024"},
    {"extract", false, 2, {A(T, "epoch"), A(TSZ, "2024-01-01 00:00+00")},
     "1704067200.000000"},
    {"extract", false, 2, {A(T, "second"), A(TM, "13:45:30.5")},
     "30.500000"},
    {"extract", false, 2, {A(T, "dow"), A(DA, "2024-02-29")},
     "4"},
    {"extract", false, 2, {A(T, "epoch"), A(IV, "1 day 2 hours")},
     "93600.000000"},
    {"extract", false, 2, {A(T, "foo"), A(TS, "2024-01-01")},
     "ERROR 22023: unit \"foo\" not recognized for type timestamp without time zone"},
    {"extract", false, 2, {A(T, "hour"), A(DA, "2024-01-01")},
     "ERROR 0A000: unit \"hour\" not supported for type date"},
    {"extract", false, 2, {A(T, "year"), A(TS, "infinity")},
     "Infinity"},
    {"date_part", false, 2, {A(T, "doy"), A(DA, "2024-12-31")},
     "366"},
    {"date_part", false, 2, {A(T, "epoch"), A(TS, "2024-01-01 00:00:00.5")},
     "1704067200.5"},
    {"date_part", false, 2, {A(T, "month"), A(IV, "14 months")},
     "2"},
    {"date_trunc", false, 2, {A(T, "month"), A(TS, "2024-02-29 13:45")},
     "2024-02-01 00:00:00"},
    {"date_trunc", false, 2, {A(T, "week"), A(TSZ, "2024-02-29 13:45+00")},
     "2024-02-26 00:00:00+00"},
    {"date_trunc", false, 2, {A(T, "hour"), A(IV, "1 day 02:45:10")},
     "1 day 02:00:00"},
    {"date_trunc", false, 3, {A(T, "day"), A(TSZ, "2024-02-29 23:45+00"), A(T, "Asia/Tokyo")},
     "2024-02-29 15:00:00+00"},
    {"date_bin", false, 3, {A(IV, "15 minutes"), A(TS, "2024-02-29 13:52"), A(TS, "2000-01-01")},
     "2024-02-29 13:45:00"},
    {"age", false, 2, {A(TS, "2024-03-01"), A(TS, "2023-01-15 12:00")},
     "1 year 1 mon 16 days 12:00:00"},
    {"justify_days", false, 1, {A(IV, "35 days")},
     "1 mon 5 days"},
    {"justify_hours", false, 1, {A(IV, "50 hours")},
     "2 days 02:00:00"},
    {"justify_interval", false, 1, {A(IV, "1 mon -1 hour")},
     "29 days 23:00:00"},
    {"make_date", false, 3, {A(I4, "2024"), A(I4, "2"), A(I4, "29")},
     "2024-02-29"},
    {"make_date", false, 3, {A(I4, "2023"), A(I4, "2"), A(I4, "29")},
     "ERROR 22008: date field value out of range: 2023-02-29"},
    {"make_time", false, 3, {A(I4, "13"), A(I4, "45"), A(F8, "30.5")},
     "13:45:30.5"},
    {"make_timestamp", false, 6, {
        A(I4, "2024"),
        A(I4, "1"),
        A(I4, "2"),
        A(I4, "3"),
        A(I4, "4"),
        A(F8, "5.5"),
     },
     "2024-01-02 03:04:05.5"},
    {"make_timestamptz", false, 7, {
        A(I4, "2024"),
        A(I4, "1"),
        A(I4, "2"),
        A(I4, "3"),
        A(I4, "4"),
        A(F8, "5"),
        A(T, "America/New_York"),
     },
     "2024-01-02 08:04:05+00"},
    {"make_interval", false, 7, {
        A(I4, "1"),
        A(I4, "2"),
        A(I4, "3"),
        A(I4, "4"),
        A(I4, "5"),
        A(I4, "6"),
        A(F8, "7.5"),
     },
     "1 year 2 mons 25 days 05:06:07.5"},
    {"to_char", false, 2, {A(TS, "2024-02-29 13:45:30"), A(T, "YYYY-MM-DD HH24:MI:SS Day Mon")},
     "2024-02-29 13:45:30 Thursday  Feb"},
    {"to_char", false, 2, {A(IV, "1 day 02:03:04"), A(T, "DD HH24 MI SS")},
     "01 02 03 04"},
    {"to_date", false, 2, {A(T, "29 Feb 2024"), A(T, "DD Mon YYYY")},
     "2024-02-29"},
    {"to_timestamp", false, 2, {A(T, "2024-02-29 13:45"), A(T, "YYYY-MM-DD HH24:MI")},
     "2024-02-29 13:45:00+00"},
    {"to_timestamp", false, 1, {A(F8, "1700000000.5")},
     "2023-11-14 22:13:20.5+00"},
    {"timezone", false, 2, {A(T, "America/New_York"), A(TS, "2024-07-01 12:00")},
     "2024-07-01 16:00:00+00"},
    {"timezone", false, 2, {A(T, "Europe/Berlin"), A(TSZ, "2024-01-01 12:00+00")},
     "2024-01-01 13:00:00"},
    {"timezone", false, 2, {A(T, "Nowhere/City"), A(TSZ, "2024-01-01 12:00+00")},
     "ERROR 22023: time zone \"Nowhere/City\" not recognized"},
    {"timezone", false, 2, {A(IV, "05:30"), A(TSZ, "2024-01-01 12:00+00")},
     "2024-01-01 17:30:00"},
    {"isfinite", false, 1, {A(DA, "infinity")},
     "f"},
    {"isfinite", false, 1, {A(TS, "2024-01-01")},
     "t"},
    {"isfinite", false, 1, {A(IV, "1 day")},
     "t"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(TS, "2024-02-01"),
        A(TS, "2024-01-15"),
        A(TS, "2024-03-01"),
     },
     "t"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(TS, "2024-02-01"),
        A(TS, "2024-02-01"),
        A(TS, "2024-03-01"),
     },
     "f"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(IV, "1 mon"),
        A(TS, "2024-01-31"),
        A(IV, "1 day"),
     },
     "t"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(TS, "2024-02-01"),
        A(TS, "2024-02-01"),
        A(IV, "-1 day"),
     },
     "t"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(TS, NULL),
        A(TS, "2023-01-01"),
        A(TS, "2025-01-01"),
     },
     "t"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(TS, NULL),
        A(TS, "2025-01-01"),
        A(TS, "2026-01-01"),
     },
     "<NULL>"},
    {"overlaps", false, 4, {
        A(TS, "2024-01-01"),
        A(IV, NULL),
        A(TS, "2024-01-01"),
        A(TS, "2026-01-01"),
     },
     "<NULL>"},
    {"overlaps", false, 4, {
        A(TS, NULL),
        A(TS, "2024-06-01"),
        A(TS, "2024-01-01"),
        A(TS, "2024-03-01"),
     },
     "<NULL>"},
    {"overlaps", false, 4, {
        A(TS, "2024-02-01"),
        A(TS, "2024-01-01"),
        A(TS, "2024-01-15"),
        A(TS, NULL),
     },
     "t"},
    {"overlaps", false, 4, {A(TM, "23:00"), A(IV, "2 hours"), A(TM, "00:30"), A(TM, "02:00")},
     "t"},
    {"overlaps", false, 4, {
        A(TSZ, "2024-01-01 00:00+00"),
        A(IV, "1 day"),
        A(TSZ, "2024-01-01 12:00+00"),
        A(IV, "1 day"),
     },
     "t"},
    {"date", false, 1, {A(TS, "2024-02-29 23:00")},
     "2024-02-29"},
    {"date", false, 1, {A(TSZ, "2024-02-29 23:00-05")},
     "2024-03-01"},
    {"timestamptz", false, 1, {A(DA, "2024-02-29")},
     "2024-02-29 00:00:00+00"},
    {"generate_series", false, 3, {A(TS, "2024-01-30"), A(TS, "2024-04-30"), A(IV, "1 month")},
     "2024-01-30 00:00:00;2024-02-29 00:00:00;2024-03-29 00:00:00;2024-04-29 00:00:00"},
    {"generate_series", false, 3, {
        A(TSZ, "2024-01-01 00:00+00"),
        A(TSZ, "2024-01-01 03:00+00"),
        A(IV, "90 minutes"),
     },
     "2024-01-01 00:00:00+00;2024-01-01 01:30:00+00;2024-01-01 03:00:00+00"},
/* END CASES */
};

static const tf_case cast_cases[] = {
/* BEGIN CASES casts */
    {"::timestamp", false, 1, {A(DA, "2024-02-29")},
     "2024-02-29 00:00:00"},
    {"::timestamptz", false, 1, {A(DA, "2024-02-29")},
     "2024-02-29 00:00:00+00"},
    {"::date", false, 1, {A(TS, "2024-02-29 23:59")},
     "2024-02-29"},
    {"::time", false, 1, {A(TS, "2024-02-29 23:59:01.5")},
     "23:59:01.5"},
    {"::timestamptz", false, 1, {A(TS, "2024-02-29 23:59")},
     "2024-02-29 23:59:00+00"},
    {"::timestamp", false, 1, {A(TSZ, "2024-02-29 23:59+02")},
     "2024-02-29 21:59:00"},
    {"::date", false, 1, {A(TSZ, "2024-02-29 23:59-05")},
     "2024-03-01"},
    {"::timetz", false, 1, {A(TSZ, "2024-02-29 23:59-05")},
     "04:59:00+00"},
    {"::interval", false, 1, {A(TM, "12:34:56")},
     "12:34:56"},
    {"::time", false, 1, {A(IV, "1 day 25:00")},
     "01:00:00"},
    {"::time", false, 1, {A(TS, "infinity")},
     "<NULL>"},
    {"::date", false, 1, {A(TS, "infinity")},
     "infinity"},
    {"::timestamp(0)", false, 1, {A(TS, "2024-02-29 23:59:59.5")},
     "2024-03-01 00:00:00"},
    {"::timestamptz(2)", false, 1, {A(TSZ, "2024-02-29 12:00:00.125+00")},
     "2024-02-29 12:00:00.13+00"},
    {"::time(1)", false, 1, {A(TM, "12:00:00.25")},
     "12:00:00.3"},
    {"::interval(0)", false, 1, {A(IV, "1 day 00:00:01.6")},
     "1 day 00:00:02"},
    {"::text", false, 1, {A(TSZ, "2024-02-29 12:00+00")},
     "2024-02-29 12:00:00+00"},
    {"::date", false, 1, {A(T, "2024-02-30")},
     "ERROR 22008: date/time field value out of range: \"2024-02-30\""},
    {"::date", false, 1, {A(T, "20240229")},
     "2024-02-29"},
    {"::timestamp", false, 1, {A(T, "epoch")},
     "1970-01-01 00:00:00"},
    {"::interval", false, 1, {A(T, "P1Y2M3DT4H5M6S")},
     "1 year 2 mons 3 days 04:05:06"},
    {"::interval", false, 1, {A(T, "1-2")},
     "1 year 2 mons"},
    {"::interval", false, 1, {A(T, "garbage")},
     "ERROR 22007: invalid input syntax for type interval: \"garbage\""},
    {"::timestamptz", false, 1, {A(T, "2024-02-29 12:00 PST")},
     "2024-02-29 20:00:00+00"},
    {"::time", false, 1, {A(T, "24:00:00")},
     "24:00:00"},
    {"::time", false, 1, {A(T, "24:00:01")},
     "ERROR 22008: date/time field value out of range: \"24:00:01\""},
    {"::timetz", false, 1, {A(T, "12:00+05:30")},
     "12:00:00+05:30"},
    {"::_date", false, 1, {A(T, "{2024-01-01,infinity,NULL}")},
     "{2024-01-01,infinity,NULL}"},
    {"::_interval", false, 1, {A(T, "{\"1 day\",\"-1 mon 02:00\"}")},
     "{\"1 day\",\"-1 mons +02:00:00\"}"},
    {"::_timestamp", false, 1, {A(SQL_T_DATE_ARRAY, "{2024-01-01}")},
     "{\"2024-01-01 00:00:00\"}"},
    {"::text", false, 1, {A(SQL_T_TIMESTAMPTZ_ARRAY, "{\"2024-01-01 00:00+03\"}")},
     "{\"2023-12-31 21:00:00+00\"}"},
/* END CASES */
};

static const tf_case agg_cases[] = {
/* BEGIN CASES aggs */
    {"sum", false, 4, {A(IV, "1 day"), A(IV, "2 hours"), A(IV, NULL), A(IV, "1 mon")},
     "1 mon 1 day 02:00:00"},
    {"avg", false, 3, {A(IV, "1 day"), A(IV, "2 hours"), A(IV, "1 mon")},
     "10 days 08:40:00"},
    {"min", false, 2, {A(DA, "2024-01-02"), A(DA, "2023-12-31")},
     "2023-12-31"},
    {"max", false, 2, {A(TSZ, "2024-01-02 00:00+00"), A(TSZ, "2024-01-01 23:00-05")},
     "2024-01-02 04:00:00+00"},
    {"max", false, 2, {A(IV, "1 mon"), A(IV, "31 days")},
     "31 days"},
    {"min", false, 2, {A(TM, "12:00"), A(TM, "01:00")},
     "01:00:00"},
/* END CASES */
};

static void test_datetime_functions(void **state) {
    (void)state;
    tf_run_cases(dt_cases, sizeof dt_cases / sizeof dt_cases[0]);
}

static void test_datetime_casts(void **state) {
    (void)state;
    tft_run(cast_cases, sizeof cast_cases / sizeof cast_cases[0], false);
}

static void test_datetime_aggregates(void **state) {
    (void)state;
    tft_run(agg_cases, sizeof agg_cases / sizeof agg_cases[0], true);
}

/* interval_send: int64 microseconds, int32 days, int32 months; timestamp: int64. */
static void test_datetime_binary(void **state) {
    (void)state;
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    sql_value v = tf_value(&A(IV, "1 mon 2 days 00:00:03"));
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 16);
    assert_true(sql_value_send(&io, &v, &sb));
    const uint8_t want[] = {0, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0, 0, 0, 0, 2, 0, 0, 0, 1};
    assert_int_equal(sb.len, sizeof want);
    assert_memory_equal(sb.data, want, sizeof want);
    sql_value back;
    assert_true(sql_value_recv(&io, IV, (const uint8_t *)sb.data, sb.len, -1, &back));
    assert_string_equal(tf_text(&back), "1 mon 2 days 00:00:03");
    v = tf_value(&A(TS, "2000-01-01 00:00:01"));
    sql_strbuf_reset(&sb);
    assert_true(sql_value_send(&io, &v, &sb));
    const uint8_t ts[] = {0, 0, 0, 0, 0, 0x0f, 0x42, 0x40};
    assert_memory_equal(sb.data, ts, sizeof ts);
}

/* The session's DateStyle and TimeZone change output; now() reads the statement time. */
static void test_datetime_session(void **state) {
    (void)state;
    const sql_tz *tz;
    rt_err err;
    rt_err_clear(&err);
    assert_true(sql_tz_load("Europe/Berlin", 13, &tz, &err));
    sql_fmt saved = tf_fmt;
    tf_fmt.timezone = tz;
    tf_fmt.datestyle = SQL_DATESTYLE_SQL;
    tf_fmt.dateorder = SQL_DATEORDER_DMY;
    assert_string_equal(tf_text(&(sql_value){.type_oid = TSZ, .i64 = 0}),
                        "01/01/2000 01:00:00 CET");
    tf_fmt.datestyle = SQL_DATESTYLE_POSTGRES;
    assert_string_equal(tf_text(&(sql_value){.type_oid = DA, .i64 = 0}), "01-01-2000");
    tf_fmt.datestyle = SQL_DATESTYLE_ISO;
    tf_fmt.dateorder = SQL_DATEORDER_MDY;
    /* Calendar steps in the session's zone, across the spring-forward night. */
    static const tf_case berlin[] = {
        {"+", true, 2, {A(TSZ, "2024-03-30 12:00+01"), A(IV, "1 day")}, "2024-03-31 12:00:00+02"},
        {"+", true, 2, {A(TSZ, "2024-03-30 12:00+01"), A(IV, "24 hours")},
         "2024-03-31 13:00:00+02"},
        {"date_trunc", false, 2, {A(T, "day"), A(TSZ, "2024-03-31 12:00+00")},
         "2024-03-31 00:00:00+01"},
        {"extract", false, 2, {A(T, "timezone"), A(TSZ, "2024-07-01 00:00+00")}, "7200"},
        {"age", false, 2, {A(TSZ, "2024-03-31 12:00+02"), A(TSZ, "2024-01-31 12:00+01")},
         "2 mons"},
        {"to_char", false, 2, {A(TSZ, "2024-07-01 12:00+00"), A(T, "HH24:MI TZ OF")},
         "14:00 CEST +02"},
        {"=", true, 2, {A(TS, "2024-01-01 00:00"), A(TSZ, "2023-12-31 23:00+00")}, "t"},
        {"<", true, 2, {A(DA, "2024-01-01"), A(TSZ, "2023-12-31 23:30+00")}, "t"},
        {"<", true, 2, {A(DA, "2024-01-01"), A(TSZ, "2023-12-31 22:30+00")}, "f"},
    };
    tf_run_cases(berlin, sizeof berlin / sizeof berlin[0]);
    static const tf_case casts[] = {
        {"::timestamptz", false, 1, {A(TS, "2024-03-31 02:30")}, "2024-03-31 03:30:00+02"},
        {"::timestamp", false, 1, {A(TSZ, "2024-03-31 01:00+00")}, "2024-03-31 03:00:00"},
        {"::timestamptz", false, 1, {A(DA, "2024-03-31")}, "2024-03-31 00:00:00+01"},
    };
    tft_run(casts, sizeof casts / sizeof casts[0], false);
    tf_fmt = saved;
    assert_string_equal(FN("now"), "2000-01-01 00:00:00+00");
}

/* Precision typmods as format_type prints them, and PostgreSQL's errors for bad ones. */
static void test_datetime_typmods(void **state) {
    (void)state;
    int32_t tm;
    rt_err err;
    rt_err_clear(&err);
    const sql_type_def *iv = sql_type_by_oid(IV), *ts = sql_type_by_oid(TSZ);
    assert_true(iv->typmod_in((int32_t[]){3}, 1, &tm, &err));
    sql_strbuf sb;
    sql_strbuf_init(&sb, tf_arena, 32);
    sql_type_format(IV, tm, &sb);
    sql_strbuf_putc(&sb, '\0');
    assert_string_equal(sb.data, "interval(3)");
    assert_true(ts->typmod_in((int32_t[]){2}, 1, &tm, &err));
    sql_strbuf_reset(&sb);
    sql_type_format(TSZ, tm, &sb);
    sql_strbuf_putc(&sb, '\0');
    assert_string_equal(sb.data, "timestamp(2) with time zone");
    assert_false(ts->typmod_in((int32_t[]){-1}, 1, &tm, &err));
    assert_string_equal(err.message, "TIMESTAMP(-1) WITH TIME ZONE precision must not be negative");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datetime_functions), cmocka_unit_test(test_datetime_casts),
        cmocka_unit_test(test_datetime_aggregates), cmocka_unit_test(test_datetime_binary),
        cmocka_unit_test(test_datetime_session), cmocka_unit_test(test_datetime_typmods),
    };
    return cmocka_run_group_tests(tests, tft_setup, tf_teardown);
}
