/* test_sql_datetime.c: the date/time types (sql_datetime.h).
 * How: test_sql_datetime_cases.h holds ~2800 cases whose expected text PostgreSQL 15 produced
 * (gen_sql_datetime_cases.py ran each one as SQL on a scratch cluster, e.g.
 *   initdb -D /tmp/pg --locale=C -E UTF8 --auth=trust -U postgres
 *   pg_ctl -D /tmp/pg -o "-p 55432 -k /tmp" start
 *   tests/sql/gen_sql_datetime_cases.py --port 55432 > tests/sql/test_sql_datetime_cases.h):
 * input of every type in several zones (DST gaps and overlaps in Europe/Berlin and
 * America/New_York, Asia/Kolkata, LMT offsets), output in every DateStyle and IntervalStyle,
 * typmods, arithmetic and its overflow errors, every extract field, date_trunc, age, AT TIME
 * ZONE, make_*, date_bin, to_char and to_date/to_timestamp, with error SQLSTATEs, messages
 * and hints. A case is run through the module with the same session settings and its result
 * printed the way PostgreSQL prints it. Then hand-written tests for what the table cannot
 * hold: the clock ('now', 'today'), the binary representation, received-value checks,
 * hashing, typmods and session settings. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_mem.h"
#include "sql/sql_datetime.h"

typedef struct dt_case {
    const char *op;
    const char *args;
    const char *want;
} dt_case;

#include "test_sql_datetime_cases.h"

/* ---- running one case ---------------------------------------------------------------------- */

enum { T_DATE, T_TIME, T_TIMETZ, T_TS, T_TSTZ, T_IV };

typedef struct val {
    int type;
    int64_t i; /* date, time, timestamp, timestamptz */
    sql_interval iv;
    sql_timetz tt;
} val;

typedef struct runner {
    sql_datetime_ctx ctx;
    rt_err err;
    char *arg[8];
    int nargs;
    char out[4096];
    rt_arena *arena;
} runner;

static int type_code(const char *t) {
    if (strcmp(t, "date") == 0) return T_DATE;
    if (strcmp(t, "time") == 0) return T_TIME;
    if (strcmp(t, "timetz") == 0) return T_TIMETZ;
    if (strcmp(t, "timestamp") == 0) return T_TS;
    if (strcmp(t, "timestamptz") == 0) return T_TSTZ;
    return T_IV;
}

static bool parse(runner *r, int type, const char *s, int32_t typmod, val *v) {
    size_t n = strlen(s);
    sql_date d;
    v->type = type;
    switch (type) {
    case T_DATE:
        if (!sql_date_in(&r->ctx, s, n, &d, &r->err)) return false;
        v->i = d;
        return true;
    case T_TIME: return sql_time_in(&r->ctx, s, n, typmod, &v->i, &r->err);
    case T_TIMETZ: return sql_timetz_in(&r->ctx, s, n, typmod, &v->tt, &r->err);
    case T_TS: return sql_timestamp_in(&r->ctx, s, n, typmod, &v->i, &r->err);
    case T_TSTZ: return sql_timestamptz_in(&r->ctx, s, n, typmod, &v->i, &r->err);
    default: return sql_interval_in(&r->ctx, s, n, typmod, &v->iv, &r->err);
    }
}

static bool show(runner *r, const val *v) {
    size_t len;
    switch (v->type) {
    case T_DATE: sql_date_out(&r->ctx, (sql_date)v->i, r->out); return true;
    case T_TIME: sql_time_out(&r->ctx, v->i, r->out); return true;
    case T_TIMETZ: sql_timetz_out(&r->ctx, v->tt, r->out); return true;
    case T_TS: return sql_timestamp_out(&r->ctx, v->i, r->out, &len, &r->err);
    case T_TSTZ: return sql_timestamptz_out(&r->ctx, v->i, r->out, &len, &r->err);
    default: sql_interval_out(&r->ctx, v->iv, r->out); return true;
    }
}

/* float8 as PostgreSQL prints it: the shortest digits that read back exactly, in plain
 * notation for exponents -4..14 and scientific notation otherwise. */
static void f8_text(double d, char *buf) {
    if (isinf(d)) return (void)strcpy(buf, d < 0 ? "-Infinity" : "Infinity");
    if (isnan(d)) return (void)strcpy(buf, "NaN");
    if (d == 0) return (void)strcpy(buf, signbit(d) ? "-0" : "0");
    char e[64], digits[32];
    for (int p = 1; p <= 17; p++) {
        sprintf(e, "%.*e", p - 1, d);
        if (strtod(e, NULL) == d) break;
    }
    int nd = 0;
    const char *q = e;
    char *o = buf;
    if (*q == '-') *o++ = *q++;
    for (; *q != 'e'; q++) {
        if (*q != '.') digits[nd++] = *q;
    }
    int exp = atoi(q + 1);
    if (exp < -4 || exp >= 15) {
        o += sprintf(o, "%c", digits[0]);
        if (nd > 1) o += sprintf(o, ".%.*s", nd - 1, digits + 1);
        sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        o += sprintf(o, "0.");
        for (int i = 0; i < -exp - 1; i++) *o++ = '0';
        sprintf(o, "%.*s", nd, digits);
    } else {
        for (int i = 0; i <= exp; i++) *o++ = i < nd ? digits[i] : '0';
        if (nd > exp + 1) o += sprintf(o, ".%.*s", nd - exp - 1, digits + exp + 1);
        *o = '\0';
    }
}

static bool run_extract(runner *r) {
    int t = type_code(r->arg[0]);
    const char *u = r->arg[1];
    size_t ul = strlen(u);
    val a;
    sql_datetime_num n, f;
    if (!parse(r, t, r->arg[2], -1, &a)) return false;
    bool ok;
    switch (t) {
    case T_DATE: ok = sql_date_extract(u, ul, (sql_date)a.i, &n, &r->err); break;
    case T_TIME: ok = sql_time_extract(u, ul, a.i, &n, &r->err); break;
    case T_TIMETZ: ok = sql_timetz_extract(u, ul, a.tt, &n, &r->err); break;
    case T_TS: ok = sql_timestamp_extract(u, ul, a.i, &n, &r->err); break;
    case T_TSTZ: ok = sql_timestamptz_extract(&r->ctx, u, ul, a.i, &n, &r->err); break;
    default: ok = sql_interval_extract(u, ul, a.iv, &n, &r->err); break;
    }
    if (!ok) return false;
    f = n;
    if (t == T_DATE) { /* date_part(text, date) is date_part(text, date::timestamp) */
        sql_timestamp ts;
        rt_err e2 = {0};
        if (!sql_date_to_timestamp((sql_date)a.i, &ts, &e2) ||
            !sql_timestamp_extract(u, ul, ts, &f, &e2))
            return false;
    }
    char f8[64];
    if (f.kind == SQL_DTNUM_NULL) strcpy(f8, "NULL");
    else f8_text(f.f8, f8);
    sprintf(r->out, "%s;%s", n.kind == SQL_DTNUM_NULL ? "NULL" : n.text, f8);
    return true;
}

static bool run_trunc_age(runner *r, bool trunc) {
    int t = type_code(r->arg[0]);
    val a, b, res = {.type = t};
    if (!trunc) {
        res.type = T_IV;
        if (!parse(r, t, r->arg[1], -1, &a) || !parse(r, t, r->arg[2], -1, &b)) return false;
        bool ok = t == T_TS ? sql_timestamp_age(a.i, b.i, &res.iv, &r->err)
                            : sql_timestamptz_age(&r->ctx, a.i, b.i, &res.iv, &r->err);
        return ok && show(r, &res);
    }
    const char *u = r->arg[1];
    if (!parse(r, t, r->arg[2], -1, &a)) return false;
    bool ok;
    if (t == T_TS) ok = sql_timestamp_trunc(u, strlen(u), a.i, &res.i, &r->err);
    else if (t == T_TSTZ) {
        const char *z = r->nargs > 3 ? r->arg[3] : NULL;
        ok = sql_timestamptz_trunc(&r->ctx, u, strlen(u), a.i, z, z != NULL ? strlen(z) : 0,
                                   &res.i, &r->err);
    } else {
        ok = sql_interval_trunc(u, strlen(u), a.iv, &res.iv, &r->err);
    }
    return ok && show(r, &res);
}

static bool run_interval_op(runner *r, const char *name, const val *a, val *res) {
    res->type = T_IV;
    if (strcmp(name, "iv_mul") == 0 || strcmp(name, "iv_div") == 0) {
        double f = strtod(r->arg[4], NULL);
        return name[3] == 'm' ? sql_interval_mul(a->iv, f, &res->iv, &r->err)
                              : sql_interval_div(a->iv, f, &res->iv, &r->err);
    }
    if (strcmp(name, "um") == 0) return sql_interval_um(a->iv, &res->iv, &r->err);
    if (strcmp(name, "justify_days") == 0)
        return sql_interval_justify_days(a->iv, &res->iv, &r->err);
    if (strcmp(name, "justify_hours") == 0)
        return sql_interval_justify_hours(a->iv, &res->iv, &r->err);
    return sql_interval_justify_interval(a->iv, &res->iv, &r->err);
}

/* a + b and a - b for every pair of types the SQL layer calls this module for. */
static bool run_pl_mi(runner *r, bool pl, const val *a, const val *b, val *res) {
    int ta = a->type, tb = b->type;
    const sql_datetime_ctx *c = &r->ctx;
    rt_err *e = &r->err;
    if ((ta == T_TS || ta == T_TSTZ) && tb == T_IV) {
        res->type = ta;
        if (ta == T_TS)
            return pl ? sql_timestamp_pl_interval(a->i, b->iv, &res->i, e)
                      : sql_timestamp_mi_interval(a->i, b->iv, &res->i, e);
        return pl ? sql_timestamptz_pl_interval(c, a->i, b->iv, &res->i, e)
                  : sql_timestamptz_mi_interval(c, a->i, b->iv, &res->i, e);
    }
    if (ta == T_DATE && tb == T_IV) {
        res->type = T_TS;
        return pl ? sql_date_pl_interval((sql_date)a->i, b->iv, &res->i, e)
                  : sql_date_mi_interval((sql_date)a->i, b->iv, &res->i, e);
    }
    if (ta == tb && (ta == T_TS || ta == T_TSTZ)) {
        res->type = T_IV;
        return sql_timestamp_mi(a->i, b->i, &res->iv, e);
    }
    if (ta == T_DATE && tb == T_TIME) {
        res->type = T_TS;
        return sql_date_pl_time((sql_date)a->i, b->i, &res->i, e);
    }
    if (ta == T_DATE && tb == T_TIMETZ) {
        res->type = T_TSTZ;
        return sql_date_pl_timetz((sql_date)a->i, b->tt, &res->i, e);
    }
    if (ta == T_IV && tb == T_IV) {
        res->type = T_IV;
        return pl ? sql_interval_pl(a->iv, b->iv, &res->iv, e)
                  : sql_interval_mi(a->iv, b->iv, &res->iv, e);
    }
    if (ta == T_TIME && tb == T_IV) {
        res->type = T_TIME;
        res->i = pl ? sql_time_pl_interval(a->i, b->iv) : sql_time_mi_interval(a->i, b->iv);
        return true;
    }
    if (ta == T_TIMETZ && tb == T_IV) {
        res->type = T_TIMETZ;
        res->tt = pl ? sql_timetz_pl_interval(a->tt, b->iv) : sql_timetz_mi_interval(a->tt, b->iv);
        return true;
    }
    res->type = T_IV; /* time - time */
    res->iv = sql_time_mi_time(a->i, b->i);
    return true;
}

static int compare(runner *r, const val *a, const val *b) {
    if (a->type == T_IV) return sql_interval_cmp(a->iv, b->iv);
    if (a->type == T_TIMETZ) return sql_timetz_cmp(a->tt, b->tt);
    if (a->type == T_DATE && b->type == T_TS) return sql_date_cmp_timestamp((sql_date)a->i, b->i);
    if (a->type == T_DATE) return sql_date_cmp_timestamptz(&r->ctx, (sql_date)a->i, b->i);
    return sql_timestamp_cmp_timestamptz(&r->ctx, a->i, b->i);
}

/* "arith|name|type_a|a|type_b|b[|type_c|c]" */
static bool run_arith(runner *r) {
    const char *name = r->arg[0];
    val a, b, res;
    if (!parse(r, type_code(r->arg[1]), r->arg[2], -1, &a)) return false;
    if (strncmp(name, "date_", 5) == 0) {
        sql_date d;
        int32_t n = atoi(r->arg[4]);
        bool ok = name[5] == 'p' ? sql_date_pl_days((sql_date)a.i, n, &d, &r->err)
                                 : sql_date_mi_days((sql_date)a.i, n, &d, &r->err);
        res = (val){.type = T_DATE, .i = d};
        return ok && show(r, &res);
    }
    if (strcmp(name, "pl") != 0 && strcmp(name, "mi") != 0 && strcmp(name, "cmp") != 0 &&
        strcmp(name, "bin") != 0)
        return run_interval_op(r, name, &a, &res) && show(r, &res);
    if (!parse(r, type_code(r->arg[3]), r->arg[4], -1, &b)) return false;
    if (strcmp(name, "cmp") == 0) return sprintf(r->out, "%d", compare(r, &a, &b)), true;
    if (strcmp(name, "bin") == 0) {
        val origin;
        if (!parse(r, b.type, r->arg[6], -1, &origin)) return false;
        res.type = b.type;
        return sql_timestamp_bin(a.iv, b.i, origin.i, &res.i, &r->err) && show(r, &res);
    }
    if (a.type == T_DATE && b.type == T_DATE) {
        int32_t days;
        if (!sql_date_mi_date((sql_date)a.i, (sql_date)b.i, &days, &r->err)) return false;
        return sprintf(r->out, "%d", days), true;
    }
    return run_pl_mi(r, name[0] == 'p', &a, &b, &res) && show(r, &res);
}

/* "cast|from|to|value"; an infinite timestamp cast to a time is SQL NULL. */
static bool run_cast(runner *r) {
    int ta = type_code(r->arg[0]), tb = type_code(r->arg[1]);
    val a, res = {.type = tb};
    const sql_datetime_ctx *c = &r->ctx;
    rt_err *e = &r->err;
    if (!parse(r, ta, r->arg[2], -1, &a)) return false;
    bool ok = true, is_null = false;
    sql_date d;
    if (ta == T_DATE && tb == T_TS) ok = sql_date_to_timestamp((sql_date)a.i, &res.i, e);
    else if (ta == T_DATE) ok = sql_date_to_timestamptz(c, (sql_date)a.i, &res.i, e);
    else if (ta == T_TS && tb == T_DATE) ok = sql_timestamp_to_date(a.i, &d, e), res.i = d;
    else if (ta == T_TSTZ && tb == T_DATE) ok = sql_timestamptz_to_date(c, a.i, &d, e), res.i = d;
    else if (ta == T_TS && tb == T_TSTZ) ok = sql_timestamp_to_timestamptz(c, a.i, &res.i, e);
    else if (ta == T_TSTZ && tb == T_TS) ok = sql_timestamptz_to_timestamp(c, a.i, &res.i, e);
    else if (ta == T_TS) ok = sql_timestamp_to_time(a.i, &res.i, &is_null, e);
    else if (ta == T_TSTZ && tb == T_TIME)
        ok = sql_timestamptz_to_time(c, a.i, &res.i, &is_null, e);
    else if (ta == T_TSTZ) ok = sql_timestamptz_to_timetz(c, a.i, &res.tt, &is_null, e);
    else if (ta == T_TIME && tb == T_TIMETZ) res.tt = sql_time_to_timetz(c, a.i);
    else if (ta == T_TIMETZ) res.i = sql_timetz_to_time(a.tt);
    else if (ta == T_TIME) res.iv = sql_time_to_interval(a.i);
    else res.i = sql_interval_to_time(a.iv);
    if (ok && is_null) return strcpy(r->out, "NULL"), true;
    return ok && show(r, &res);
}

/* "atz|type|zone|value" and "atiz|type|interval|value" */
static bool run_at_zone(runner *r, bool by_interval) {
    int t = type_code(r->arg[0]);
    const char *z = r->arg[1];
    val a, zone, res;
    if (!parse(r, t, r->arg[2], -1, &a)) return false;
    if (by_interval && !parse(r, T_IV, z, -1, &zone)) return false;
    bool ok;
    res.type = t == T_TS ? T_TSTZ : t == T_TSTZ ? T_TS : T_TIMETZ;
    if (by_interval) {
        if (t == T_TS) ok = sql_timestamp_at_izone(&r->ctx, zone.iv, a.i, &res.i, &r->err);
        else if (t == T_TSTZ) ok = sql_timestamptz_at_izone(&r->ctx, zone.iv, a.i, &res.i, &r->err);
        else ok = sql_timetz_at_izone(&r->ctx, zone.iv, a.tt, &res.tt, &r->err);
    } else {
        if (t == T_TS) ok = sql_timestamp_at_zone(z, strlen(z), a.i, &res.i, &r->err);
        else if (t == T_TSTZ) ok = sql_timestamptz_at_zone(z, strlen(z), a.i, &res.i, &r->err);
        else ok = sql_timetz_at_zone(&r->ctx, z, strlen(z), a.tt, &res.tt, &r->err);
    }
    return ok && show(r, &res);
}

/* "make|what|numbers..." */
static bool run_make(runner *r) {
    const char *w = r->arg[0];
    int32_t n[6] = {0};
    for (int i = 0; i < 6 && i + 1 < r->nargs; i++) n[i] = atoi(r->arg[i + 1]);
    val res = {.type = T_TSTZ};
    sql_date d;
    bool ok;
    if (strcmp(w, "date") == 0) {
        ok = sql_date_make(n[0], n[1], n[2], &d, &r->err);
        res = (val){.type = T_DATE, .i = d};
    } else if (strcmp(w, "time") == 0) {
        res.type = T_TIME;
        ok = sql_time_make(n[0], n[1], strtod(r->arg[3], NULL), &res.i, &r->err);
    } else if (strcmp(w, "timestamp") == 0) {
        res.type = T_TS;
        ok = sql_timestamp_make(n[0], n[1], n[2], n[3], n[4], strtod(r->arg[6], NULL), &res.i,
                                &r->err);
    } else if (strcmp(w, "timestamptz") == 0) {
        const char *z = r->nargs > 7 ? r->arg[7] : NULL;
        ok = sql_timestamptz_make(&r->ctx, n[0], n[1], n[2], n[3], n[4], strtod(r->arg[6], NULL),
                                  z, z != NULL ? strlen(z) : 0, &res.i, &r->err);
    } else if (strcmp(w, "interval") == 0) {
        res.type = T_IV;
        ok = sql_interval_make(n[0], n[1], n[2], n[3], n[4], n[5], strtod(r->arg[7], NULL),
                               &res.iv, &r->err);
    } else {
        ok = sql_timestamptz_from_unix(strtod(r->arg[1], NULL), &res.i, &r->err);
    }
    return ok && show(r, &res);
}

/* "tochar|type|pattern|value" and "fromchar|date or timestamptz|text|pattern" */
static bool run_format(runner *r, bool to_char) {
    int t = type_code(r->arg[0]);
    const char *a = r->arg[1], *b = r->arg[2];
    val v, res = {.type = t};
    bool ok;
    if (to_char) {
        char *text = NULL;
        if (!parse(r, t, b, -1, &v)) return false;
        if (t == T_TS) ok = sql_timestamp_to_char(r->arena, v.i, a, strlen(a), &text, &r->err);
        else if (t == T_TSTZ)
            ok = sql_timestamptz_to_char(&r->ctx, r->arena, v.i, a, strlen(a), &text, &r->err);
        else ok = sql_interval_to_char(r->arena, v.iv, a, strlen(a), &text, &r->err);
        if (ok) snprintf(r->out, sizeof(r->out), "%s", text != NULL ? text : "NULL");
        return ok;
    }
    sql_date d;
    if (t == T_DATE) {
        ok = sql_date_from_char(&r->ctx, r->arena, a, strlen(a), b, strlen(b), &d, &r->err);
        res.i = d;
    } else {
        ok = sql_timestamptz_from_char(&r->ctx, r->arena, a, strlen(a), b, strlen(b), &res.i,
                                       &r->err);
    }
    return ok && show(r, &res);
}

static bool run_case(runner *r, const char *op) {
    if (strcmp(op, "in") == 0) {
        val v;
        int32_t typmod = r->arg[2][0] != '\0' ? atoi(r->arg[2]) : -1;
        return parse(r, type_code(r->arg[0]), r->arg[1], typmod, &v) && show(r, &v);
    }
    if (strcmp(op, "extract") == 0) return run_extract(r);
    if (strcmp(op, "trunc") == 0) return run_trunc_age(r, true);
    if (strcmp(op, "age") == 0) return run_trunc_age(r, false);
    if (strcmp(op, "arith") == 0) return run_arith(r);
    if (strcmp(op, "cast") == 0) return run_cast(r);
    if (strcmp(op, "atz") == 0) return run_at_zone(r, false);
    if (strcmp(op, "atiz") == 0) return run_at_zone(r, true);
    if (strcmp(op, "make") == 0) return run_make(r);
    return run_format(r, strcmp(op, "tochar") == 0);
}

static void split_args(runner *r, char *buf) {
    r->nargs = 0;
    for (char *p = buf;; p++) {
        r->arg[r->nargs++] = p;
        p = strchr(p, '|');
        if (p == NULL || r->nargs == 8) break;
        *p = '\0';
    }
}

/* The session settings of a "set" row: "TimeZone|DateStyle|IntervalStyle". */
static void apply_settings(runner *r) {
    rt_err err = {0};
    sql_datetime_ctx_init(&r->ctx);
    assert_true(sql_tz_from_setting(r->arg[0], strlen(r->arg[0]), &r->ctx.tz, &err));
    assert_true(sql_datetime_datestyle_set(&r->ctx, r->arg[1], strlen(r->arg[1]), &err));
    assert_true(sql_datetime_intervalstyle_set(&r->ctx, r->arg[2], strlen(r->arg[2]), &err));
}

static void test_sql_datetime_matches_postgres(void **state) {
    static runner r;
    char args[1024];
    int failures = 0, count = 0;
    r.arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    for (size_t i = 0; i < sizeof(dt_cases) / sizeof(dt_cases[0]); i++) {
        const dt_case *c = &dt_cases[i];
        snprintf(args, sizeof(args), "%s", c->args);
        split_args(&r, args);
        if (strcmp(c->op, "set") == 0) {
            apply_settings(&r);
            continue;
        }
        rt_err_clear(&r.err);
        r.out[0] = '\0';
        if (!run_case(&r, c->op)) {
            snprintf(r.out, sizeof(r.out), "ERROR %s %s%s%s", r.err.sqlstate, r.err.message,
                     r.err.hint[0] != '\0' ? " HINT " : "", r.err.hint);
        }
        count++;
        if (strcmp(r.out, c->want) != 0 && failures++ < 20) {
            print_error("case %zu %s %s (tz %s)\n   want: %s\n    got: %s\n", i, c->op, c->args,
                        sql_tz_name(r.ctx.tz), c->want, r.out);
        }
        rt_arena_reset(r.arena);
    }
    rt_arena_destroy(r.arena);
    if (failures > 0) fail_msg("%d of %d cases differ from PostgreSQL", failures, count);
}

/* ---- the clock ------------------------------------------------------------------------------ */

static sql_datetime_ctx berlin_at(const char *utc_text) {
    sql_datetime_ctx ctx;
    rt_err err = {0};
    sql_datetime_ctx_init(&ctx);
    assert_true(sql_timestamptz_in(&ctx, utc_text, strlen(utc_text), -1, &ctx.now, &err));
    assert_true(sql_tz_load("Europe/Berlin", 13, &ctx.tz, &err));
    return ctx;
}

static void expect_tstz(const sql_datetime_ctx *ctx, const char *in, const char *want) {
    sql_timestamptz v;
    rt_err err = {0};
    char buf[SQL_DATETIME_TEXT_BYTES_MAX];
    size_t len;
    assert_true(sql_timestamptz_in(ctx, in, strlen(in), -1, &v, &err));
    assert_true(sql_timestamptz_out(ctx, v, buf, &len, &err));
    assert_string_equal(buf, want);
}

/* 'now', 'today', 'tomorrow', 'yesterday' and current_date read the caller's clock in the
 * session zone: 23:30 UTC on March 30 is already March 31 in Berlin. */
static void test_sql_datetime_now_and_today_use_the_callers_clock(void **state) {
    sql_datetime_ctx ctx = berlin_at("2024-03-30 23:30:00.25+00");
    expect_tstz(&ctx, "now", "2024-03-31 00:30:00.25+01");
    expect_tstz(&ctx, "today", "2024-03-31 00:00:00+01");
    expect_tstz(&ctx, "tomorrow", "2024-04-01 00:00:00+02");
    expect_tstz(&ctx, "yesterday 12:00", "2024-03-30 12:00:00+01");
    char buf[SQL_DATETIME_TEXT_BYTES_MAX];
    sql_date_out(&ctx, sql_datetime_current_date(&ctx), buf);
    assert_string_equal(buf, "2024-03-31");
    sql_time t;
    rt_err err = {0};
    assert_true(sql_time_in(&ctx, "now", 3, -1, &t, &err));
    sql_time_out(&ctx, t, buf);
    assert_string_equal(buf, "00:30:00.25");
    /* A time's zone offset is today's: after 02:00 on March 31 Berlin is on summer time. */
    sql_timetz_out(&ctx, sql_time_to_timetz(&ctx, 12 * 3600 * INT64_C(1000000)), buf);
    assert_string_equal(buf, "12:00:00+02");
    sql_timetz tz;
    assert_true(sql_timetz_in(&ctx, "12:00", 5, -1, &tz, &err));
    sql_timetz_out(&ctx, tz, buf);
    assert_string_equal(buf, "12:00:00+02");
    assert_true(sql_timetz_at_zone(&ctx, "Europe/Berlin", 13, (sql_timetz){0, 0}, &tz, &err));
    sql_timetz_out(&ctx, tz, buf);
    assert_string_equal(buf, "01:00:00+01"); /* the offset at ctx->now, still winter time */
    /* age(x) counts from today's midnight; PostgreSQL: age('2024-03-31', '2020-01-01') */
    sql_interval iv;
    sql_timestamp ts;
    assert_true(sql_timestamp_in(&ctx, "2020-01-01", 10, -1, &ts, &err));
    assert_true(sql_timestamp_age_current(&ctx, ts, &iv, &err));
    sql_interval_out(&ctx, iv, buf);
    assert_string_equal(buf, "4 years 2 mons 30 days");
    assert_true(sql_timestamptz_age_current(&ctx, 0, &iv, &err)); /* 2000-01-01 00:00 UTC */
    sql_interval_out(&ctx, iv, buf);
    assert_string_equal(buf, "24 years 2 mons 29 days 23:00:00");
    sql_datetime_timeofday(&ctx, ctx.now, buf);
    assert_string_equal(buf, "Sun Mar 31 00:30:00.250000 2024 CET");
}

/* ---- representation and received values ----------------------------------------------------- */

static void test_sql_datetime_binary_representation_is_postgres(void **state) {
    sql_datetime_ctx ctx;
    rt_err err = {0};
    sql_datetime_ctx_init(&ctx);
    sql_date d;
    assert_true(sql_date_in(&ctx, "2000-01-01", 10, &d, &err));
    assert_int_equal(d, 0);
    assert_true(sql_date_in(&ctx, "1970-01-01", 10, &d, &err));
    assert_int_equal(d, -10957);
    assert_true(sql_date_in(&ctx, "infinity", 8, &d, &err));
    assert_int_equal(d, INT32_MAX);
    assert_true(sql_date_in(&ctx, "-infinity", 9, &d, &err));
    assert_int_equal(d, INT32_MIN);
    sql_timestamp ts;
    assert_true(sql_timestamp_in(&ctx, "2000-01-01 00:00:00.000001", 26, -1, &ts, &err));
    assert_int_equal(ts, 1);
    assert_true(sql_timestamp_in(&ctx, "-infinity", 9, -1, &ts, &err));
    assert_true(ts == INT64_MIN);
    sql_timestamptz tstz;
    assert_true(sql_timestamptz_in(&ctx, "2000-01-01 05:30+05:30", 22, -1, &tstz, &err));
    assert_int_equal(tstz, 0); /* stored in UTC */
    sql_interval iv;
    assert_true(sql_interval_in(&ctx, "1 year 2 mons 3 days 04:05:06.789", 33, -1, &iv, &err));
    assert_int_equal(iv.months, 14);
    assert_int_equal(iv.days, 3);
    assert_int_equal(iv.time_us, INT64_C(14706789000));
    sql_timetz tt;
    assert_true(sql_timetz_in(&ctx, "12:00+05:30", 11, -1, &tt, &err));
    assert_int_equal(tt.time_us, INT64_C(43200000000));
    assert_int_equal(tt.zone_s, -19800); /* west-positive, as PostgreSQL stores it */
}

static void expect_err(bool ok, const rt_err *err, const char *state, const char *msg) {
    assert_false(ok);
    assert_string_equal(err->sqlstate, state);
    assert_string_equal(err->message, msg);
}

static void test_sql_datetime_received_values_are_range_checked(void **state) {
    rt_err err = {0};
    assert_true(sql_date_recv_check(SQL_DATE_NOEND, &err));
    assert_true(sql_date_recv_check(-2451545, &err)); /* 4714-11-24 BC */
    expect_err(sql_date_recv_check(-2451546, &err), &err, "22008", "date out of range");
    rt_err_clear(&err);
    expect_err(sql_date_recv_check(2147483494 - 2451545, &err), &err, "22008", "date out of range");
    rt_err_clear(&err);
    assert_true(sql_time_recv_check(86400 * INT64_C(1000000), &err)); /* 24:00:00 */
    expect_err(sql_time_recv_check(-1, &err), &err, "22008", "time out of range");
    rt_err_clear(&err);
    expect_err(sql_timetz_recv_check((sql_timetz){0, 57600}, &err), &err, "22009",
               "time zone displacement out of range");
    rt_err_clear(&err);
    assert_true(sql_timestamp_recv_check(SQL_TIMESTAMP_NOBEGIN, &err));
    assert_true(sql_timestamp_recv_check(INT64_C(9223371331199999999), &err)); /* 294276 AD */
    expect_err(sql_timestamp_recv_check(INT64_C(9223371331200000000), &err), &err, "22008",
               "timestamp out of range");
    rt_err_clear(&err);
    expect_err(sql_timestamp_recv_check(INT64_C(-211813488000000001), &err), &err, "22008",
               "timestamp out of range");
}

/* ---- comparison and hashing ----------------------------------------------------------------- */

static sql_interval iv_of(const char *s) {
    sql_datetime_ctx ctx;
    sql_interval iv;
    rt_err err = {0};
    sql_datetime_ctx_init(&ctx);
    assert_true(sql_interval_in(&ctx, s, strlen(s), -1, &iv, &err));
    return iv;
}

static void test_sql_datetime_interval_hash_follows_equality(void **state) {
    static const char *const equal[][2] = {
        {"1 mon", "30 days"}, {"1 day", "24 hours"}, {"1 year", "360 days"},
        {"-1 mon", "-720 hours"}, {"1 mon -1 day", "29 days"}, {"0", "1 day -24 hours"},
        {"178956970 years", "2147483640 mons"},
    };
    for (size_t i = 0; i < sizeof(equal) / sizeof(equal[0]); i++) {
        sql_interval a = iv_of(equal[i][0]), b = iv_of(equal[i][1]);
        assert_int_equal(sql_interval_cmp(a, b), 0);
        assert_true(sql_interval_hash(a) == sql_interval_hash(b));
    }
    assert_true(sql_interval_cmp(iv_of("1 mon"), iv_of("31 days")) < 0);
    assert_true(sql_interval_cmp(iv_of("1 day 00:00:00.000001"), iv_of("24 hours")) > 0);
    assert_true(sql_interval_hash(iv_of("1 mon")) != sql_interval_hash(iv_of("31 days")));
    /* timetz: the same instant in two zones is not the same value */
    sql_timetz a = {12 * 3600 * INT64_C(1000000), 0}, b = {13 * 3600 * INT64_C(1000000), -3600};
    assert_int_not_equal(sql_timetz_cmp(a, b), 0);
    assert_int_equal(sql_timetz_cmp(a, a), 0);
    assert_true(sql_timetz_hash(a) == sql_timetz_hash((sql_timetz){a.time_us, a.zone_s}));
}

/* ---- typmods and settings ------------------------------------------------------------------ */

static void test_sql_datetime_typmods(void **state) {
    int32_t typmod;
    bool reduced;
    rt_err err = {0};
    assert_true(sql_datetime_typmod_make("TIMESTAMP", false, 3, &typmod, &reduced, &err));
    assert_int_equal(typmod, 3);
    assert_false(reduced);
    assert_true(sql_datetime_typmod_make("TIMESTAMP", true, 7, &typmod, &reduced, &err));
    assert_int_equal(typmod, 6);
    assert_true(reduced);
    expect_err(sql_datetime_typmod_make("TIME", true, -1, &typmod, &reduced, &err), &err, "22023",
               "TIME(-1) WITH TIME ZONE precision must not be negative");
    rt_err_clear(&err);
    char buf[SQL_DATETIME_TEXT_BYTES_MAX];
    uint32_t dts = SQL_INTERVAL_DAY | SQL_INTERVAL_HOUR | SQL_INTERVAL_MINUTE | SQL_INTERVAL_SECOND;
    assert_true(sql_interval_typmod_make(dts, 3, &typmod, &reduced, &err));
    assert_int_equal(typmod, (int32_t)((dts << 16) | 3));
    sql_interval_typmod_out(typmod, buf);
    assert_string_equal(buf, " day to second(3)");
    assert_true(sql_interval_typmod_make(SQL_INTERVAL_YEAR | SQL_INTERVAL_MONTH, -1, &typmod,
                                         &reduced, &err));
    sql_interval_typmod_out(typmod, buf);
    assert_string_equal(buf, " year to month");
    assert_true(sql_interval_typmod_make(SQL_INTERVAL_FULL_RANGE, -1, &typmod, &reduced, &err));
    assert_int_equal(typmod, -1);
    expect_err(sql_interval_typmod_make(SQL_INTERVAL_YEAR | SQL_INTERVAL_DAY, -1, &typmod,
                                        &reduced, &err),
               &err, "22023", "invalid INTERVAL type modifier");
}

static void test_sql_datetime_session_settings(void **state) {
    sql_datetime_ctx ctx;
    rt_err err = {0};
    char buf[SQL_DATETIME_TEXT_BYTES_MAX];
    sql_datetime_ctx_init(&ctx);
    sql_datetime_datestyle_show(&ctx, buf);
    assert_string_equal(buf, "ISO, MDY");
    assert_true(sql_datetime_datestyle_set(&ctx, "German", 6, &err));
    sql_datetime_datestyle_show(&ctx, buf);
    assert_string_equal(buf, "German, DMY"); /* German implies day first */
    assert_true(sql_datetime_datestyle_set(&ctx, "sql", 3, &err));
    sql_datetime_datestyle_show(&ctx, buf);
    assert_string_equal(buf, "SQL, DMY"); /* the order is kept */
    assert_true(sql_datetime_datestyle_set(&ctx, "MDY, German", 11, &err));
    sql_datetime_datestyle_show(&ctx, buf);
    assert_string_equal(buf, "German, MDY");
    expect_err(sql_datetime_datestyle_set(&ctx, "ISO, German", 11, &err), &err, "22023",
               "invalid value for parameter \"DateStyle\": \"ISO, German\"");
    assert_string_equal(err.detail, "Conflicting \"datestyle\" specifications.");
    rt_err_clear(&err);
    expect_err(sql_datetime_datestyle_set(&ctx, "foo", 3, &err), &err, "22023",
               "invalid value for parameter \"DateStyle\": \"foo\"");
    assert_string_equal(err.detail, "Unrecognized key word: \"foo\".");
    rt_err_clear(&err);
    assert_true(sql_datetime_intervalstyle_set(&ctx, "ISO_8601", 8, &err));
    assert_int_equal(ctx.interval_style, SQL_INTERVALSTYLE_ISO_8601);
    expect_err(sql_datetime_intervalstyle_set(&ctx, "foo", 3, &err), &err, "22023",
               "invalid value for parameter \"IntervalStyle\": \"foo\"");
    assert_string_equal(err.hint, "Available values: postgres, postgres_verbose, sql_standard, "
                                  "iso_8601.");
}

/* Where PostgreSQL 15 lets int64/int32 arithmetic wrap around silently (make_interval,
 * timestamp - timestamp over ~292000 years, rounding the largest interval), we report the
 * overflow instead, as later PostgreSQL versions do. */
static void test_sql_datetime_overflow_is_an_error(void **state) {
    sql_datetime_ctx ctx;
    rt_err err = {0};
    sql_interval iv;
    sql_datetime_ctx_init(&ctx);
    expect_err(sql_interval_make(178956971, 0, 0, 0, 0, 0, 0, &iv, &err), &err, "22008",
               "interval out of range");
    rt_err_clear(&err);
    sql_timestamp a, b;
    assert_true(sql_timestamp_in(&ctx, "294276-12-31", 12, -1, &a, &err));
    assert_true(sql_timestamp_in(&ctx, "1000-01-01 BC", 13, -1, &b, &err));
    expect_err(sql_timestamp_mi(a, b, &iv, &err), &err, "22008", "interval out of range");
    rt_err_clear(&err);
    int32_t typmod = (int32_t)(SQL_INTERVAL_FULL_RANGE << 16 | 0);
    expect_err(sql_interval_in(&ctx, "2562047788:00:54.775807", 23, typmod, &iv, &err), &err,
               "22008", "interval out of range");
    rt_err_clear(&err);
    expect_err(sql_interval_mul(iv_of("1 day"), 1e300, &iv, &err), &err, "22008",
               "interval out of range");
    rt_err_clear(&err);
    expect_err(sql_interval_div(iv_of("1 day"), 0.0, &iv, &err), &err, "22012",
               "division by zero");
}

/* Text longer than any valid value is refused as a syntax error, not truncated. */
static void test_sql_datetime_overlong_input_is_a_syntax_error(void **state) {
    sql_datetime_ctx ctx;
    rt_err err = {0};
    sql_datetime_ctx_init(&ctx);
    char in[400];
    memset(in, ' ', sizeof(in));
    memcpy(in, "2024-01-31", 10);
    memcpy(in + 300, "13:45", 5);
    sql_timestamp ts;
    assert_true(sql_timestamp_in(&ctx, in, 200, -1, &ts, &err)); /* blanks are free */
    char many[200];
    for (int i = 0; i < 199; i++) many[i] = i % 2 ? ' ' : '1';
    assert_false(sql_timestamp_in(&ctx, many, 199, -1, &ts, &err));
    assert_string_equal(err.sqlstate, "22007");
    rt_arena *arena = rt_arena_create(1u << 20);
    char *out;
    rt_err_clear(&err);
    char pattern[SQL_DATETIME_FORMAT_BYTES_MAX + 1];
    memset(pattern, 'Y', sizeof(pattern));
    assert_false(sql_timestamp_to_char(arena, ts, pattern, sizeof(pattern), &out, &err));
    assert_string_equal(err.sqlstate, "54000");
    rt_arena_destroy(arena);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_datetime_matches_postgres),
        cmocka_unit_test(test_sql_datetime_now_and_today_use_the_callers_clock),
        cmocka_unit_test(test_sql_datetime_binary_representation_is_postgres),
        cmocka_unit_test(test_sql_datetime_received_values_are_range_checked),
        cmocka_unit_test(test_sql_datetime_interval_hash_follows_equality),
        cmocka_unit_test(test_sql_datetime_typmods),
        cmocka_unit_test(test_sql_datetime_session_settings),
        cmocka_unit_test(test_sql_datetime_overflow_is_an_error),
        cmocka_unit_test(test_sql_datetime_overlong_input_is_a_syntax_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
