/* test_sql_fn_types_util.h: casts and aggregates through the registries, for the tests of the
 * numeric, date/time and json registrations (test_sql_fn_numeric.c, _datetime.c, _json.c).
 * A cast case is named "::type" or "::type(mods)" (the typmod goes through the type's typmod
 * input and the explicit-cast coercion, as a query's CAST does); an aggregate case gives one
 * argument per row. Both come back as text like test_sql_fn_util.h's calls. Aggregates whose
 * state can be merged are also run as two partial states merged, which must agree. */
#ifndef TEST_SQL_FN_TYPES_UTIL_H
#define TEST_SQL_FN_TYPES_UTIL_H

#include <stdlib.h>

#include "sql/sql_agg.h"
#include "test_sql_fn_util.h"

#define NU SQL_T_NUMERIC
#define F4 SQL_T_FLOAT4
#define DA SQL_T_DATE
#define TM SQL_T_TIME
#define TTZ SQL_T_TIMETZ
#define TS SQL_T_TIMESTAMP
#define TSZ SQL_T_TIMESTAMPTZ
#define IV SQL_T_INTERVAL
#define JB SQL_T_JSONB
#define JS SQL_T_JSON

static int tft_setup(void **state) {
    sql_aggs_init();
    return tf_setup(state);
}

/* "::numeric(5,2)" -> type and typmod. */
static void tft_cast_target(const char *name, uint32_t *oid, int32_t *typmod) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s", name + 2);
    char *paren = strchr(buf, '(');
    int32_t mods[4];
    uint32_t nmods = 0;
    if (paren != NULL) {
        *paren = '\0';
        for (char *p = paren + 1; *p != '\0' && *p != ')' && nmods < 4;) {
            mods[nmods++] = (int32_t)strtol(p, &p, 10);
            if (*p == ',') p++;
        }
    }
    const sql_type_def *t = sql_type_by_name(buf);
    if (t == NULL) fail_msg("unknown cast target %s", name);
    *oid = t->oid;
    *typmod = -1;
    if (nmods > 0) {
        rt_err err;
        rt_err_clear(&err);
        if (!t->typmod_in(mods, nmods, typmod, &err)) fail_msg("typmod: %s", err.message);
    }
}

static const char *tft_cast(const char *name, const tf_arg *arg) {
    uint32_t to;
    int32_t typmod;
    tft_cast_target(name, &to, &typmod);
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    sql_value v = tf_value(arg);
    if (v.is_null) return "<NULL>";
    sql_vec *in = sql_vec_new(tf_arena, arg->type, -1, 1);
    sql_vec *out = sql_vec_new(tf_arena, to, -1, 1);
    sql_vec_set(in, 0, &v);
    out->nulls[0] = 0;
    sql_fctx f = {.arena = tf_arena, .err = &err, .io = &io};
    if (!sql_cast_vec(&f, 1, NULL, in, to, -1, true, out)) return tf_error(&err);
    sql_value r;
    sql_vec_get(out, 0, &r);
    if (!sql_value_coerce(&io, &r, typmod, true)) return tf_error(&err);
    return tf_text(&r);
}

static const sql_agg_def *tft_agg_find(const char *name, uint32_t type) {
    sql_agg_list l = sql_aggs_lookup(name);
    for (uint32_t k = 0; k < l.count; k++) {
        uint32_t a = l.items[k]->args[0];
        if (a == type) return l.items[k];
    }
    for (uint32_t k = 0; k < l.count; k++) {
        uint32_t a = l.items[k]->args[0];
        if (a == SQL_T_ANYELEMENT || a == SQL_T_ANY) return l.items[k];
    }
    fail_msg("no aggregate %s for type %u", name, type);
    return NULL;
}

/* Steps rows [from, to) into a fresh state. */
static void *tft_agg_state(const sql_agg_def *d, sql_agg_ctx *c, const tf_arg *rows,
                           uint32_t from, uint32_t to, bool *ok) {
    void *st = rt_arena_zalloc(tf_arena, d->state_bytes);
    d->init(c, st);
    *ok = true;
    for (uint32_t r = from; r < to && *ok; r++) {
        sql_value v = tf_value(&rows[r]);
        if (v.is_null && d->strict) continue;
        *ok = d->step(c, st, &v);
    }
    return st;
}

static const char *tft_agg_final(const sql_agg_def *d, sql_agg_ctx *c, const void *st) {
    sql_value out = {.type_oid = c->result_type};
    if (!d->final(c, st, &out)) return tf_error(c->err);
    out.type_oid = c->result_type;
    return tf_text(&out);
}

static const char *tft_agg(const char *name, const tf_arg *rows, uint32_t nrows) {
    const sql_agg_def *d = tft_agg_find(name, rows[0].type);
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tf_io(&err);
    uint32_t ret = d->ret == SQL_T_ANYELEMENT ? rows[0].type : d->ret;
    sql_agg_ctx c = {.arena = tf_arena, .err = &err, .io = &io, .arg_type = rows[0].type,
                     .result_type = ret};
    bool ok;
    void *st = tft_agg_state(d, &c, rows, 0, nrows, &ok);
    if (!ok) return tf_error(&err);
    const char *whole = tft_agg_final(d, &c, st);
    if (d->merge != NULL && nrows > 1) {
        void *a = tft_agg_state(d, &c, rows, 0, nrows / 2, &ok);
        void *b = ok ? tft_agg_state(d, &c, rows, nrows / 2, nrows, &ok) : NULL;
        if (ok && d->flatten != NULL) { /* what a shard sends, as the executor does */
            sql_bytes flat;
            ok = d->flatten(&c, b, &flat);
            b = ok ? (void *)flat.ptr : NULL;
        }
        if (ok) ok = d->merge(&c, a, b);
        const char *merged = ok ? tft_agg_final(d, &c, a) : tf_error(&err);
        if (strcmp(merged, whole) != 0) {
            fail_msg("%s: merged partial states give %s, one state %s", name, merged, whole);
        }
    }
    return whole;
}

/* Runs a table of cast cases ("::type") or aggregate cases. */
static void tft_run(const tf_case *cases, size_t count, bool is_agg) {
    int failures = 0;
    for (size_t k = 0; k < count; k++) {
        const tf_case *c = &cases[k];
        const char *got = is_agg ? tft_agg(c->name, c->args, c->nargs)
                                 : tft_cast(c->name, &c->args[0]);
        if (strcmp(got, c->expect) != 0) {
            print_error("case %zu %s: expected [%s] got [%s]\n", k, c->name, c->expect, got);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

#endif
