/* sql_session_dt.c: DateStyle / IntervalStyle settings (see sql_session_dt.h). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_datetime.h"
#include "sql/sql_session_dt.h"

static const char *const sql_dt_interval_names[] = {"postgres", "postgres_verbose",
                                                    "sql_standard", "iso_8601"};

static void sql_dt_ctx_from(const char *shown, sql_datetime_ctx *ctx) {
    sql_datetime_ctx_init(ctx);
    rt_err e;
    rt_err_clear(&e);
    if (shown != NULL) sql_datetime_datestyle_set(ctx, shown, strlen(shown), &e);
}

bool sql_session_dt_datestyle(const char *current, const char *value, char *buf, size_t cap,
                              rt_err *err) {
    sql_datetime_ctx ctx;
    sql_dt_ctx_from(current, &ctx);
    if (!sql_datetime_datestyle_set(&ctx, value, strlen(value), err)) return false;
    char out[64];
    size_t n = sql_datetime_datestyle_show(&ctx, out);
    snprintf(buf, cap, "%.*s", (int)n, out);
    return true;
}

void sql_session_dt_datestyle_codes(const char *shown, uint8_t *style, uint8_t *order) {
    sql_datetime_ctx ctx;
    sql_dt_ctx_from(shown, &ctx);
    *style = ctx.date_style;
    *order = ctx.date_order;
}

bool sql_session_dt_intervalstyle(const char *value, char *buf, size_t cap, rt_err *err) {
    sql_datetime_ctx ctx;
    sql_datetime_ctx_init(&ctx);
    if (!sql_datetime_intervalstyle_set(&ctx, value, strlen(value), err)) return false;
    snprintf(buf, cap, "%s", sql_dt_interval_names[ctx.interval_style & 3]);
    return true;
}

uint8_t sql_session_dt_intervalstyle_code(const char *shown) {
    for (uint8_t i = 0; i < 4; i++) {
        if (strcmp(shown, sql_dt_interval_names[i]) == 0) return i;
    }
    return 0;
}
