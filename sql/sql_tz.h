/* sql_tz.h: time zones, as PostgreSQL 15 resolves and applies them.
 * Owns:    the process-wide cache of loaded zones. A zone is read once from the system's
 *          compiled zone files (TZif v2+, SQL_TZ_DIR, Debian package tzdata) or built from a
 *          POSIX TZ string ("UTC+3", "<+0530>-05:30", "+05:30"), and is never freed, so a
 *          `const sql_tz *` stays valid for the life of the process and may be shared freely.
 * Core:    any thread. Lookups of a cached zone take no lock; a miss loads under a mutex and
 *          reads one small file synchronously (once per zone per process; the zone files sit
 *          in the page cache, so this costs microseconds, not an I/O wait).
 * Memory:  zones are long-lived (rt_xmalloc); nothing here allocates per call otherwise.
 * Errors:  unknown zone -> 22023 `time zone "x" not recognized`; SET TimeZone syntax ->
 *          22023 `invalid value for parameter "TimeZone": "x"`.
 * Limits:  SQL_TZ_NAME_BYTES_MAX, SQL_TZ_FILE_BYTES_MAX, SQL_TZ_CACHE_ZONES_MAX (54000 past it).
 * Signs:   everything here is east-positive (local = UTC + utc_offset_s), like tm_gmtoff.
 *          POSIX strings are west-positive in their text only ("UTC+3" is three hours west).
 * Time:    instants are seconds since 1970-01-01 00:00:00 UTC ("unix seconds"), int64. */
#ifndef SQL_TZ_H
#define SQL_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_err.h"

#define SQL_TZ_DIR "/usr/share/zoneinfo"
/* Zone names and POSIX strings longer than this are not zones (PostgreSQL: TZ_STRLEN_MAX 255). */
#define SQL_TZ_NAME_BYTES_MAX 256
/* A compiled zone file is a few KiB; anything this big is not one. */
#define SQL_TZ_FILE_BYTES_MAX (256u * 1024u)
/* Distinct zones kept loaded: tzdata has about 600 names; the rest of the room is for POSIX
 * strings users make up. Past it a new zone fails with 54000 instead of growing forever. */
#define SQL_TZ_CACHE_ZONES_MAX 4096
/* Longest abbreviation kept ("+0530", "CEST", "<-03>" is stored as "-03"). */
#define SQL_TZ_ABBREV_BYTES_MAX 16

typedef struct sql_tz sql_tz;

/* What a zone says at one instant. */
typedef struct sql_tz_local {
    int32_t utc_offset_s; /* local = UTC + utc_offset_s */
    bool is_dst;
    const char *abbrev; /* immortal; "" for POSIX strings without a name ("+05:30") */
} sql_tz_local;

/* The "UTC" zone (always available, even without zone files). */
const sql_tz *sql_tz_utc(void);

/* PostgreSQL's pg_tzset(): a zone file name, matched case-insensitively ("europe/berlin"),
 * or else a POSIX TZ string. The zone's canonical name is the file's spelling, or the POSIX
 * string upper-cased. 22023 `time zone "x" not recognized` when neither. */
bool sql_tz_load(const char *name, size_t len, const sql_tz **out, rt_err *err);

/* SET TimeZone semantics (PostgreSQL's check_timezone): a plain number is hours east of UTC
 * in SQL's sign convention ("5", "-3.5"); anything else goes to sql_tz_load(). 22023
 * `invalid value for parameter "TimeZone": "x"` when it is neither. */
bool sql_tz_from_setting(const char *value, size_t len, const sql_tz **out, rt_err *err);

/* A zone with a fixed offset and the name PostgreSQL gives it ("<+05>-05"). */
bool sql_tz_fixed(int32_t utc_offset_s, const sql_tz **out, rt_err *err);

const char *sql_tz_name(const sql_tz *tz);

/* True (with the offset) when the zone has one offset at all times, however many names it
 * used (PostgreSQL's pg_get_timezone_offset): then a time without a date can use it. */
bool sql_tz_fixed_offset(const sql_tz *tz, int32_t *utc_offset_s);

/* UTC -> local. */
void sql_tz_at(const sql_tz *tz, int64_t unix_s, sql_tz_local *out);

/* Local -> UTC with PostgreSQL's rules: a local time in a spring-forward gap is read with the
 * offset in force before the gap (02:30 on a CET->CEST night is 03:30 CEST); an ambiguous
 * local time in a fall-back overlap is read as the later (standard time) instant. Returns the
 * offset to subtract: UTC = local - offset. */
int32_t sql_tz_offset_for_local(const sql_tz *tz, int64_t local_s, bool *is_dst);

/* ---- abbreviations accepted in input (PostgreSQL's "Default" timezone_abbreviations) ---- */

typedef struct sql_tz_abbrev {
    const char *name;      /* lower case: "cest" */
    int32_t utc_offset_s;  /* fixed meaning; unused when zone_name is set */
    bool is_dst;
    const char *zone_name; /* dynamic meaning: what this zone called it at the time ("msk") */
} sql_tz_abbrev;

/* Case-insensitive lookup; NULL when `name` is not a known abbreviation. */
const sql_tz_abbrev *sql_tz_abbrev_find(const char *name, size_t len);

/* The offset an abbreviation stands for. A fixed one ignores the time; a dynamic one is
 * resolved in its zone near `unix_s` (latest use at or before it, else the earliest use after
 * it, else the zone's offset then). Fails only when the abbreviation's zone cannot be loaded. */
bool sql_tz_abbrev_resolve(const sql_tz_abbrev *abbrev, int64_t unix_s, int32_t *utc_offset_s,
                           bool *is_dst, rt_err *err);

/* Same for a local time: the instant probed is the zone's reading of `local_s`. */
bool sql_tz_abbrev_resolve_local(const sql_tz_abbrev *abbrev, int64_t local_s,
                                 int32_t *utc_offset_s, bool *is_dst, rt_err *err);

#endif
