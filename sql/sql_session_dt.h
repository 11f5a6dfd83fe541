/* sql_session_dt.h: DateStyle and IntervalStyle settings through the datetime module
 * (a separate unit because sql_datetime.h and sql_types.h name their style codes alike).
 * Codes returned are sql_datetime.h's: ISO 0, POSTGRES 1, SQL 2, GERMAN 3; MDY 0, DMY 1,
 * YMD 2; intervals postgres 0, postgres_verbose 1, sql_standard 2, iso_8601 3. */
#ifndef SQL_SESSION_DT_H
#define SQL_SESSION_DT_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_err.h"

/* Validates SET DateStyle `value` given the current setting; SHOW form into buf. */
bool sql_session_dt_datestyle(const char *current, const char *value, char *buf, size_t cap,
                              rt_err *err);
void sql_session_dt_datestyle_codes(const char *shown, uint8_t *style, uint8_t *order);
bool sql_session_dt_intervalstyle(const char *value, char *buf, size_t cap, rt_err *err);
uint8_t sql_session_dt_intervalstyle_code(const char *shown);

#endif
