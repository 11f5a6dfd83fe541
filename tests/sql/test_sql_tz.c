/* test_sql_tz.c: time zones (sql_tz.h).
 * How: loads zones from the system's compiled zone files (Debian package tzdata) and POSIX
 * strings, and compares offsets, abbreviations and local -> UTC readings (DST gaps and
 * overlaps, LMT, far future) with what PostgreSQL 15 answered for the same zones and
 * instants on a scratch cluster; then names, errors, abbreviations, threads and the cache
 * limit. The cache-limit test fills the process-wide cache, so it runs last. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_tz.h"

static const sql_tz *load(const char *name) {
    const sql_tz *tz = NULL;
    rt_err err = {0};
    if (!sql_tz_load(name, strlen(name), &tz, &err)) fail_msg("%s: %s", name, err.message);
    return tz;
}

/* UTC -> local; expected values from PostgreSQL 15: SET TimeZone, then
 * extract(timezone from ts) and to_char(ts, 'TZ'). */
static void test_sql_tz_utc_to_local_matches_postgres(void **state) {
    static const struct { const char *zone; int64_t unix_s; int32_t off; const char *abbrev; }
    cases[] = {
        {"Europe/Berlin", 1711846799, 3600, "CET"},        /* 2024-03-31 00:59:59 UTC */
        {"Europe/Berlin", 1711846800, 7200, "CEST"},       /* 2024-03-31 01:00:00 UTC */
        {"Europe/Berlin", 1729990799, 7200, "CEST"},       /* 2024-10-27 00:59:59 UTC */
        {"Europe/Berlin", 1729990800, 3600, "CET"},        /* 2024-10-27 01:00:00 UTC */
        {"Europe/Berlin", -3786825600, 3208, "LMT"},       /* 1850-01-01 00:00:00 UTC */
        {"Europe/Berlin", -775828800, 10800, "CEMT"},      /* 1945-06-01 12:00:00 UTC */
        {"Europe/Berlin", 4118126400, 7200, "CEST"},       /* 2100-07-01 12:00:00 UTC */
        {"Europe/Berlin", 253386446400, 7200, "CEST"},     /* 9999-07-01 12:00:00 UTC */
        {"America/New_York", 1710053999, -18000, "EST"},   /* 2024-03-10 06:59:59 UTC */
        {"America/New_York", 1710054000, -14400, "EDT"},   /* 2024-03-10 07:00:00 UTC */
        {"America/New_York", 1730613599, -14400, "EDT"},   /* 2024-11-03 05:59:59 UTC */
        {"America/New_York", 1730613600, -18000, "EST"},   /* 2024-11-03 06:00:00 UTC */
        {"America/New_York", -2717654400, -17762, "LMT"},  /* 1883-11-18 16:00:00 UTC */
        {"America/New_York", -2717650800, -18000, "EST"},  /* 1883-11-18 17:00:00 UTC */
        {"America/New_York", 127483200, -14400, "EDT"},    /* 1974-01-15 12:00:00 UTC */
        {"Asia/Kolkata", 1706702400, 19800, "IST"},        /* 2024-01-31 12:00:00 UTC */
        {"Asia/Kolkata", -862617600, 23400, "+0630"},      /* 1942-09-01 00:00:00 UTC */
        {"Asia/Kolkata", -2840140800, 19270, "MMT"},       /* 1880-01-01 00:00:00 UTC */
        {"Asia/Kolkata", -3786825600, 21208, "LMT"},       /* 1850-01-01 00:00:00 UTC */
        {"Australia/Lord_Howe", 1893456000, 39600, "+11"}, /* 2030-01-01 00:00:00 UTC */
        {"Australia/Lord_Howe", 1909094400, 37800, "+1030"}, /* 2030-07-01 00:00:00 UTC */
        {"America/Sao_Paulo", 1514764800, -7200, "-02"},   /* 2018-01-01 00:00:00 UTC */
        {"America/Sao_Paulo", 1704067200, -10800, "-03"},  /* 2024-01-01 00:00:00 UTC */
        {"Europe/Dublin", 1705320000, 0, "GMT"},           /* 2024-01-15 12:00:00 UTC */
        {"Europe/Dublin", 1721044800, 3600, "IST"},        /* 2024-07-15 12:00:00 UTC */
        {"Europe/London", 47174400, 3600, "BST"},          /* 1971-07-01 00:00:00 UTC */
        {"Pacific/Apia", 1325246400, 50400, "+14"},        /* 2011-12-30 12:00:00 UTC */
        {"UTC", 1704067200, 0, "UTC"},                     /* 2024-01-01 00:00:00 UTC */
        {"Etc/GMT+3", 1704067200, -10800, "-03"},          /* 2024-01-01 00:00:00 UTC */
        {"UTC+3", 1704067200, -10800, "UTC"},              /* POSIX: 3 hours west */
        {"XXX5YYY", 1719792000, -14400, "YYY"},            /* default US rules: DST */
        {"XXX5YYY", 1704067200, -18000, "XXX"},
        {"<+0530>-05:30", 1704067200, 19800, "+0530"},
        {"+05:30", 1704067200, -19800, ""},                /* POSIX: 5:30 west, no name */
        {"EST5EDT", 1719792000, -14400, "EDT"},
        {"XXX-2YYY-3,M3.5.0/2,M10.5.0/3", 1719792000, 10800, "YYY"},
        {"Africa/Casablanca", 1710936000, 0, "+00"},       /* Ramadan: negative DST */
        {"Africa/Casablanca", 1718884800, 3600, "+01"},
        {"Antarctica/Troll", 1719792000, 7200, "+02"},     /* two-hour DST */
        {"Asia/Kathmandu", 1704067200, 20700, "+0545"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sql_tz_local loc;
        sql_tz_at(load(cases[i].zone), cases[i].unix_s, &loc);
        if (loc.utc_offset_s != cases[i].off || strcmp(loc.abbrev, cases[i].abbrev) != 0) {
            fail_msg("%s at %lld: got %d %s, want %d %s", cases[i].zone,
                     (long long)cases[i].unix_s, loc.utc_offset_s, loc.abbrev, cases[i].off,
                     cases[i].abbrev);
        }
    }
}

/* Local -> UTC; expected values from PostgreSQL 15: 'local'::timestamptz in the zone. A
 * local time in a spring-forward gap reads with the offset before the gap; one in a
 * fall-back overlap reads as the later instant. */
static void test_sql_tz_local_to_utc_gaps_and_overlaps(void **state) {
    static const struct { const char *zone; int64_t local_s; int64_t utc_s; } cases[] = {
        {"Europe/Berlin", 1711850399, 1711846799},     /* 2024-03-31 01:59:59 */
        {"Europe/Berlin", 1711850400, 1711846800},     /* 02:00:00, in the gap */
        {"Europe/Berlin", 1711852200, 1711848600},     /* 02:30:00 -> 03:30 CEST */
        {"Europe/Berlin", 1711854000, 1711846800},     /* 03:00:00 */
        {"Europe/Berlin", 1729994399, 1729987199},     /* 2024-10-27 01:59:59 */
        {"Europe/Berlin", 1729994400, 1729990800},     /* 02:00:00, ambiguous -> CET */
        {"Europe/Berlin", 1729996200, 1729992600},     /* 02:30:00 -> CET */
        {"Europe/Berlin", 1729998000, 1729994400},     /* 03:00:00 */
        {"America/New_York", 1710037800, 1710055800},  /* 2024-03-10 02:30 (gap) */
        {"America/New_York", 1730597400, 1730615400},  /* 2024-11-03 01:30 (overlap) */
        {"America/New_York", 1730595599, 1730609999},  /* 2024-11-03 00:59:59 */
        {"America/New_York", 1730599200, 1730617200},  /* 2024-11-03 02:00 */
        {"Australia/Lord_Howe", 1728180900, 1728143100}, /* half-hour gap */
        {"Australia/Lord_Howe", 1712454300, 1712416500}, /* half-hour overlap */
        {"Asia/Kolkata", 1717243200, 1717223400},
        {"Europe/Moscow", 1414287000, 1414276200},     /* 2014 change, both "standard" */
        {"America/Sao_Paulo", 1541291400, 1541302200}, /* gap at midnight */
        {"Pacific/Apia", 1325246400, 1325282400},      /* the day Samoa skipped */
        {"XXX5YYY", 1899340200, 1899358200},           /* POSIX rule, gap */
        {"UTC+3", 1717243200, 1717254000},
        {"Europe/Berlin", -62135596800, -62135600008}, /* 0001-01-01: LMT +00:53:28 */
        {"Europe/Berlin", 32519361600, 32519354400},   /* 3000-07-01: footer rule */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool dst;
        int32_t off = sql_tz_offset_for_local(load(cases[i].zone), cases[i].local_s, &dst);
        if (cases[i].local_s - off != cases[i].utc_s) {
            fail_msg("%s local %lld: got %lld, want %lld", cases[i].zone,
                     (long long)cases[i].local_s, (long long)(cases[i].local_s - off),
                     (long long)cases[i].utc_s);
        }
    }
}

static void test_sql_tz_names_are_case_insensitive_and_canonical(void **state) {
    const sql_tz *a = load("Europe/Berlin");
    const sql_tz *b = load("europe/berlin");
    assert_ptr_equal(a, b); /* loaded once, shared */
    assert_string_equal(sql_tz_name(b), "Europe/Berlin");
    assert_string_equal(sql_tz_name(load("america/NEW_york")), "America/New_York");
    assert_string_equal(sql_tz_name(load("utc")), "UTC");
    assert_string_equal(sql_tz_name(sql_tz_utc()), "UTC");
    assert_string_equal(sql_tz_name(load("utc+3")), "UTC+3"); /* POSIX: upper-cased */
    assert_string_equal(sql_tz_name(load("<+0530>-05:30")), "<+0530>-05:30");
}

static void expect_unknown(const char *name) {
    const sql_tz *tz;
    rt_err err = {0};
    assert_false(sql_tz_load(name, strlen(name), &tz, &err));
    assert_string_equal(err.sqlstate, "22023");
    char want[300];
    snprintf(want, sizeof(want), "time zone \"%s\" not recognized", name);
    assert_string_equal(err.message, want);
}

static void test_sql_tz_unknown_zone_is_22023(void **state) {
    expect_unknown("Mars/Olympus_Mons");
    expect_unknown("FOO");               /* POSIX needs an offset */
    expect_unknown("America/Foo");
    expect_unknown("../../../etc/passwd"); /* never leaves the zone directory */
    expect_unknown("/etc/localtime");
    expect_unknown("zone.tab");          /* a file there, but not a zone */
    expect_unknown("");
}

static void test_sql_tz_setting_numbers_are_hours_east(void **state) {
    const sql_tz *tz;
    rt_err err = {0};
    sql_tz_local loc;
    assert_true(sql_tz_from_setting("5", 1, &tz, &err));
    assert_string_equal(sql_tz_name(tz), "<+05>-05"); /* SHOW TimeZone after SET TIME ZONE 5 */
    sql_tz_at(tz, 0, &loc);
    assert_int_equal(loc.utc_offset_s, 5 * 3600);
    assert_string_equal(loc.abbrev, "+05");
    assert_true(sql_tz_from_setting("-3.5", 4, &tz, &err));
    assert_string_equal(sql_tz_name(tz), "<-03:30>+03:30");
    assert_true(sql_tz_from_setting("+05:30", 6, &tz, &err)); /* not a number: POSIX, west */
    sql_tz_at(tz, 0, &loc);
    assert_int_equal(loc.utc_offset_s, -19800);
    assert_true(sql_tz_from_setting("Europe/Berlin", 13, &tz, &err));
    assert_false(sql_tz_from_setting("foo", 3, &tz, &err));
    assert_string_equal(err.sqlstate, "22023");
    assert_string_equal(err.message, "invalid value for parameter \"TimeZone\": \"foo\"");
}

static void test_sql_tz_fixed_offset_zones(void **state) {
    int32_t off = 0;
    assert_true(sql_tz_fixed_offset(load("UTC+3"), &off));
    assert_int_equal(off, -10800);
    assert_true(sql_tz_fixed_offset(load("Etc/GMT-14"), &off));
    assert_int_equal(off, 14 * 3600);
    assert_true(sql_tz_fixed_offset(load("UTC"), &off));
    assert_false(sql_tz_fixed_offset(load("Asia/Kolkata"), &off)); /* LMT, +0630 history */
    assert_false(sql_tz_fixed_offset(load("XXX5YYY"), &off));
}

/* Abbreviations as PostgreSQL 15's default set defines them (pg_timezone_abbrevs). */
static void test_sql_tz_abbreviations(void **state) {
    static const struct { const char *name; int32_t off; bool dst; } fixed[] = {
        {"UTC", 0, false},   {"gmt", 0, false},     {"Z", 0, false},      {"zulu", 0, false},
        {"EST", -18000, false}, {"edt", -14400, true}, {"PST", -28800, false},
        {"CET", 3600, false}, {"CEST", 7200, true},  {"MET", 3600, false}, {"IST", 7200, false},
        {"JST", 32400, false}, {"NZDT", 46800, true}, {"ACST", 34200, false},
        {"NPT", 20700, false}, {"CHADT", 49500, true},
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        const sql_tz_abbrev *ab = sql_tz_abbrev_find(fixed[i].name, strlen(fixed[i].name));
        assert_non_null(ab);
        assert_null(ab->zone_name);
        assert_int_equal(ab->utc_offset_s, fixed[i].off);
        assert_int_equal(ab->is_dst, fixed[i].dst);
    }
    assert_null(sql_tz_abbrev_find("xyz", 3));
    assert_null(sql_tz_abbrev_find("Europe/Berlin", 13));
    /* MSK means what Moscow meant by it at the time: +04 in 2011, +03 since 2014. */
    const sql_tz_abbrev *msk = sql_tz_abbrev_find("MSK", 3);
    assert_non_null(msk);
    assert_string_equal(msk->zone_name, "Europe/Moscow");
    int32_t off;
    bool dst;
    rt_err err = {0};
    assert_true(sql_tz_abbrev_resolve_local(msk, 1306935900, &off, &dst, &err)); /* 2011-06-01 */
    assert_int_equal(off, 14400);
    assert_true(sql_tz_abbrev_resolve_local(msk, 1706708700, &off, &dst, &err)); /* 2024-01-31 */
    assert_int_equal(off, 10800);
    assert_true(sql_tz_abbrev_resolve(msk, 1706708700, &off, &dst, &err));
    assert_int_equal(off, 10800);
}

#define THREADS 4
static const char *const thread_zones[] = {"Asia/Tokyo", "America/Chicago", "Europe/Paris",
                                           "Africa/Cairo", "Australia/Perth", "UTC-7"};
static const sql_tz *thread_seen[THREADS][6];

static void *load_all(void *arg) {
    int t = (int)(intptr_t)arg;
    for (int rep = 0; rep < 50; rep++) {
        for (int i = 0; i < 6; i++) thread_seen[t][i] = load(thread_zones[i]);
    }
    return NULL;
}

static void test_sql_tz_concurrent_loads_share_one_zone(void **state) {
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, load_all, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    for (int i = 0; i < 6; i++) {
        for (int t = 1; t < THREADS; t++) assert_ptr_equal(thread_seen[t][i], thread_seen[0][i]);
    }
}

/* Distinct zones are bounded; past the bound a new one fails with 54000 and the server keeps
 * every zone it has. Runs last: it fills the process-wide cache. */
static void test_sql_tz_cache_limit_is_an_error(void **state) {
    const sql_tz *tz;
    rt_err err = {0};
    int loaded = 0;
    for (int i = 0; i < SQL_TZ_CACHE_ZONES_MAX + 10; i++) {
        char name[32];
        snprintf(name, sizeof(name), "LIM%d:%02d:%02d", i / 3600, i / 60 % 60, i % 60);
        rt_err_clear(&err);
        if (!sql_tz_load(name, strlen(name), &tz, &err)) break;
        loaded++;
    }
    assert_true(loaded < SQL_TZ_CACHE_ZONES_MAX);
    assert_string_equal(err.sqlstate, "54000");
    assert_ptr_equal(load("Europe/Berlin"), load("europe/berlin")); /* old zones still there */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_tz_utc_to_local_matches_postgres),
        cmocka_unit_test(test_sql_tz_local_to_utc_gaps_and_overlaps),
        cmocka_unit_test(test_sql_tz_names_are_case_insensitive_and_canonical),
        cmocka_unit_test(test_sql_tz_unknown_zone_is_22023),
        cmocka_unit_test(test_sql_tz_setting_numbers_are_hours_east),
        cmocka_unit_test(test_sql_tz_fixed_offset_zones),
        cmocka_unit_test(test_sql_tz_abbreviations),
        cmocka_unit_test(test_sql_tz_concurrent_loads_share_one_zone),
        cmocka_unit_test(test_sql_tz_cache_limit_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
