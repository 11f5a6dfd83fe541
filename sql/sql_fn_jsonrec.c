/* sql_fn_jsonrec.c: json[b]_populate_record, json[b]_populate_recordset, json[b]_to_record and
 * json[b]_to_recordset, with PostgreSQL 15's conversion rules: a field takes the value of the
 * object's key of its name (the last one when a key repeats), the base record's value when the
 * key is missing (NULL without a base), NULL for a JSON null; a nested object fills a composite
 * field, a JSON array an array field (nested arrays give dimensions), and every other value
 * goes through the field type's input function: a string as its contents, anything else as its
 * JSON text (so {"a": 1.5} into an integer is 22P02 `invalid input syntax for type integer`).
 * json and jsonb fields take the value's JSON text; jsonb input is read as its text output, so
 * json input keeps the spelling the user wrote (1e2, spaces) as PostgreSQL's does.
 * The binder appends a last argument, the result's shape: a record of the result's row type
 * whose columns carry the names, types and typmods, all NULL except composite columns, which
 * hold the shape of their own type (sql_bind_jsonrec.c). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_jsonb_int.h"
#include "sql/sql_record.h"

/* Nested composite fields followed into nested objects: at most this deep. */
#define SQL_JSONREC_DEPTH_MAX 100

/* The columns of a result (or of a nested composite field), read from a shape record. */
typedef struct jr_shape {
    uint32_t rowtype;
    uint32_t count;
    const char **names;
    uint32_t *name_lens;
    uint32_t *types;
    int32_t *typmods;
    struct jr_shape **nested;   /* per column: the shape of a composite column, else NULL */
} jr_shape;

/* One conversion: where errors and results go, and the key being filled (for hints). */
typedef struct jr_ctx {
    sql_io_ctx *io;
    const char *key;            /* the key of the field being converted, NUL-terminated */
} jr_ctx;

static bool jr_oom(jr_ctx *c) { return rt_arena_fail(c->io->arena, c->io->err); }

static bool jr_shape_read(jr_ctx *c, sql_bytes rec, uint32_t depth, jr_shape **out) {
    if (depth > SQL_JSONREC_DEPTH_MAX) return jb_too_deep(c->io->err);
    rt_arena *a = c->io->arena;
    jr_shape *s = rt_arena_alloc(a, sizeof *s);
    if (s == NULL) return jr_oom(c);
    s->rowtype = sql_record_rowtype(rec);
    s->count = sql_record_count(rec);
    uint32_t cap = s->count + 1u;
    s->names = rt_arena_alloc(a, sizeof(char *) * cap);
    s->name_lens = rt_arena_alloc(a, sizeof(uint32_t) * cap);
    s->types = rt_arena_alloc(a, sizeof(uint32_t) * cap);
    s->typmods = rt_arena_alloc(a, sizeof(int32_t) * cap);
    s->nested = rt_arena_alloc(a, sizeof(jr_shape *) * cap);
    if (s->names == NULL || s->name_lens == NULL || s->types == NULL || s->typmods == NULL ||
        s->nested == NULL) {
        return jr_oom(c);
    }
    sql_record_iter it;
    sql_record_col col;
    sql_record_iter_init(&it, rec);
    for (uint32_t i = 0; sql_record_iter_next(&it, &col); i++) {
        if ((s->names[i] = rt_arena_strndup(a, col.name, col.name_len)) == NULL) return jr_oom(c);
        s->name_lens[i] = col.name_len;
        s->types[i] = col.value.type_oid;
        s->typmods[i] = col.typmod;
        s->nested[i] = NULL;
        if (!col.value.is_null && !jr_shape_read(c, col.value.b, depth + 1, &s->nested[i])) {
            return false;
        }
    }
    *out = s;
    return true;
}

/* ---- reading valid JSON text (json values are checked on input, jsonb prints valid text):
 * the spans of values as written ---- */

/* Iterates the elements of an array or the members of an object at s[*pos] ('[' or '{'):
 * each call gives the next key (objects only) and value span, false at the end. */
typedef struct jr_iter {
    const uint8_t *s;
    uint32_t pos, len;
    bool first;
} jr_iter;

static void jr_iter_init(jr_iter *it, sql_bytes v) {
    *it = (jr_iter){.s = v.ptr, .pos = 1, .len = v.len, .first = true};
}

static bool jr_iter_next(jr_iter *it, sql_bytes *key, sql_bytes *val) {
    const uint8_t *s = it->s;
    uint32_t i = jj_ws(s, it->len, it->pos);
    if (i >= it->len || s[i] == ']' || s[i] == '}') return false;
    if (!it->first) i = jj_ws(s, it->len, i + 1); /* the comma */
    it->first = false;
    if (key != NULL) {
        uint32_t end = jj_string_end(s, it->len, i);
        *key = (sql_bytes){s + i, end - i};
        i = jj_ws(s, it->len, jj_ws(s, it->len, end) + 1); /* the colon */
    }
    uint32_t end = jj_value_end(s, it->len, i);
    *val = (sql_bytes){s + i, end - i};
    it->pos = end;
    return true;
}

/* The contents of a JSON string literal (escapes resolved), NUL-terminated. */
static bool jr_unescape(jr_ctx *c, sql_bytes lit, sql_bytes *out) {
    bool plain = true;
    for (uint32_t i = 1; i + 1 < lit.len && plain; i++) plain = lit.ptr[i] != '\\';
    if (plain) {
        char *t = rt_arena_strndup(c->io->arena, (const char *)lit.ptr + 1, lit.len - 2);
        if (t == NULL) return jr_oom(c);
        *out = (sql_bytes){(const uint8_t *)t, lit.len - 2};
        return true;
    }
    sql_bytes jb;
    if (!sql_jsonb_from_text(c->io->arena, (const char *)lit.ptr, lit.len, &jb, c->io->err)) {
        return false;
    }
    jb_cont root = jb_root(jb);
    jb_val v = jb_scalar_value(&root);
    char *t = rt_arena_strndup(c->io->arena, (const char *)v.ptr, v.len);
    if (t == NULL) return jr_oom(c);
    *out = (sql_bytes){(const uint8_t *)t, v.len};
    return true;
}

static bool jr_key_equal(jr_ctx *c, sql_bytes key, const char *name, uint32_t name_len,
                         bool *equal) {
    sql_bytes k = {key.ptr + 1, key.len - 2};
    if (memchr(k.ptr, '\\', k.len) != NULL && !jr_unescape(c, key, &k)) return false;
    *equal = k.len == name_len && memcmp(k.ptr, name, name_len) == 0;
    return true;
}

/* ---- conversion ---- */

static bool jr_populate(jr_ctx *c, const jr_shape *s, const sql_value *base, sql_bytes obj,
                        sql_value *out);

/* Text input of `type` from a JSON value: a string's contents, or the JSON text. */
static bool jr_input(jr_ctx *c, uint32_t type, int32_t typmod, sql_bytes v, sql_value *out) {
    sql_bytes text = v;
    if (v.ptr[0] == '"') {
        if (!jr_unescape(c, v, &text)) return false;
    } else {
        char *t = rt_arena_strndup(c->io->arena, (const char *)v.ptr, v.len);
        if (t == NULL) return jr_oom(c);
        text.ptr = (const uint8_t *)t;
    }
    return sql_value_in(c->io, type, (const char *)text.ptr, text.len, typmod, out);
}

/* PostgreSQL's hint naming the value that was not an array: key "d", element [1][0] of it. */
static bool jr_expected_array(jr_ctx *c, const int32_t *path, uint32_t depth) {
    rt_err_set(c->io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "expected JSON array");
    if (depth == 0) {
        rt_err_hint(c->io->err, "See the value of key \"%s\".", c->key);
        return false;
    }
    char where[128];
    uint32_t at = 0;
    where[0] = '\0';
    for (uint32_t i = 0; i < depth && at + 14 < sizeof where; i++) {
        at += (uint32_t)snprintf(where + at, sizeof where - at, "[%d]", path[i]);
    }
    rt_err_hint(c->io->err, "See the array element %s of key \"%s\".", where, c->key);
    return false;
}

typedef struct jr_arr {
    sql_array_builder items;
    uint32_t ndim;              /* 0 until the first non-array element fixes it */
    int32_t dims[SQL_ARRAY_DIMS_MAX];
    int32_t path[SQL_ARRAY_DIMS_MAX];
    uint32_t elem_type;
} jr_arr;

static bool jr_array_level(jr_ctx *c, jr_arr *ar, sql_bytes v, uint32_t level) {
    if (level >= SQL_ARRAY_DIMS_MAX) {
        return rt_err_set(c->io->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "number of array dimensions (%u) exceeds the maximum allowed (%d)",
                          level + 1, SQL_ARRAY_DIMS_MAX);
    }
    jr_iter it;
    sql_bytes e;
    int32_t count = 0;
    jr_iter_init(&it, v);
    while (jr_iter_next(&it, NULL, &e)) {
        ar->path[level] = count++;
        bool is_array = e.ptr[0] == '[';
        if (ar->ndim == 0 && !is_array) ar->ndim = level + 1;
        if (ar->ndim == 0 || level + 1 < ar->ndim) {
            if (!is_array) return jr_expected_array(c, ar->path, level + 1);
            if (!jr_array_level(c, ar, e, level + 1)) return false;
            continue;
        }
        sql_value ev = {.type_oid = ar->elem_type, .is_null = true};
        if (e.ptr[0] != 'n' && !jr_input(c, ar->elem_type, -1, e, &ev)) return false;
        ev.type_oid = ar->elem_type;
        if (!sql_array_builder_add(&ar->items, &ev)) return jr_oom(c);
    }
    if (ar->ndim == 0) return true; /* [] or [[], []]: no dimension yet */
    if (ar->dims[level] == -1) ar->dims[level] = count;
    if (ar->dims[level] != count) {
        rt_err_set(c->io->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "malformed JSON array");
        rt_err_detail(c->io->err,
                      "Multidimensional arrays must have sub-arrays with matching dimensions.");
        return false;
    }
    return true;
}

static bool jr_array(jr_ctx *c, uint32_t type, uint32_t elem, sql_bytes v, sql_value *out) {
    if (sql_type_is_record(elem)) {
        return rt_err_set(c->io->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "arrays of composite values are not supported yet");
    }
    jr_arr ar = {.elem_type = elem};
    for (uint32_t i = 0; i < SQL_ARRAY_DIMS_MAX; i++) ar.dims[i] = -1;
    if (!sql_array_builder_init(&ar.items, c->io->arena, elem)) return jr_oom(c);
    if (!jr_array_level(c, &ar, v, 0)) return false;
    out->type_oid = type;
    out->is_null = false;
    if (ar.ndim == 0) return sql_array_builder_finish(&ar.items, &out->b) || jr_oom(c);
    int32_t lbounds[SQL_ARRAY_DIMS_MAX];
    for (uint32_t i = 0; i < ar.ndim; i++) lbounds[i] = 1;
    return sql_array_builder_finish_dims(&ar.items, ar.ndim, ar.dims, lbounds, &out->b,
                                         c->io->err);
}

static bool jr_composite_error(jr_ctx *c, sql_bytes v) {
    return rt_err_set(c->io->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "cannot call populate_composite on %s",
                      v.ptr[0] == '[' ? "an array" : "a scalar");
}

/* One field: the value `v` (a span of JSON text) as type `type`. */
static bool jr_field(jr_ctx *c, uint32_t type, int32_t typmod, const jr_shape *nested,
                     const sql_value *base, sql_bytes v, sql_value *out) {
    *out = (sql_value){.type_oid = type, .is_null = true};
    char first = (char)v.ptr[0];
    if (first == 'n') return true;
    if (type == SQL_T_JSON) {
        if (!sql_bytes_dup(c->io->arena, v.ptr, v.len, &out->b)) return jr_oom(c);
        out->is_null = false;
        return true;
    }
    if (type == SQL_T_JSONB) {
        out->is_null = false;
        return sql_jsonb_from_text(c->io->arena, (const char *)v.ptr, v.len, &out->b,
                                   c->io->err);
    }
    if (nested != NULL && first != '"') {
        if (first != '{') return jr_composite_error(c, v);
        return jr_populate(c, nested, base, v, out);
    }
    uint32_t elem = sql_type_elem_of(type);
    if (elem != 0 && first != '"') {
        if (first != '[') return jr_expected_array(c, NULL, 0);
        return jr_array(c, type, elem, v, out);
    }
    return jr_input(c, type, typmod, v, out);
}

/* A record of shape `s` from the JSON object `obj`, missing keys from `base` (may be NULL). */
static bool jr_populate(jr_ctx *c, const jr_shape *s, const sql_value *base, sql_bytes obj,
                        sql_value *out) {
    if (obj.ptr[0] != '{') return jr_composite_error(c, obj);
    sql_value *vals = rt_arena_alloc(c->io->arena, sizeof(sql_value) * (s->count + 1u));
    if (vals == NULL) return jr_oom(c);
    bool have_base = base != NULL && !base->is_null;
    for (uint32_t i = 0; i < s->count; i++) {
        sql_record_col bc = {.value = {.type_oid = s->types[i], .is_null = true}};
        if (have_base && !sql_record_field(base->b, i, &bc)) {
            bc.value = (sql_value){.type_oid = s->types[i], .is_null = true};
        }
        bc.value.type_oid = s->types[i];
        jr_iter it;
        sql_bytes k, v, found = {NULL, 0};
        jr_iter_init(&it, obj);
        while (jr_iter_next(&it, &k, &v)) {
            bool eq;
            if (!jr_key_equal(c, k, s->names[i], s->name_lens[i], &eq)) return false;
            if (eq) found = v;
        }
        if (found.ptr == NULL) {
            vals[i] = bc.value;
            continue;
        }
        const char *outer_key = c->key;
        c->key = s->names[i];
        if (!jr_field(c, s->types[i], s->typmods[i], s->nested[i], &bc.value, found, &vals[i])) {
            return false;
        }
        c->key = outer_key;
    }
    out->type_oid = s->rowtype;
    out->is_null = false;
    if (!sql_record_build(c->io->arena, s->rowtype, s->count, s->names, s->typmods, vals,
                          &out->b)) {
        return jr_oom(c);
    }
    return true;
}

/* The JSON text of a json or jsonb argument. */
static bool jr_text(jr_ctx *c, uint32_t type, sql_bytes v, sql_bytes *out) {
    if (type == SQL_T_JSONB) return sql_jsonb_to_text(c->io->arena, v, out, c->io->err);
    *out = v;
    return true;
}

/* A span without the whitespace around it. */
static sql_bytes jr_trim(sql_bytes v) {
    uint32_t i = jj_ws(v.ptr, v.len, 0);
    uint32_t end = jj_value_end(v.ptr, v.len, i);
    return (sql_bytes){v.ptr + i, end - i};
}

/* ---- json[b]_populate_record(base, from_json, shape), json[b]_to_record(from_json, shape) */

static bool sql_fn_jsonrec(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out) {
    uint32_t nargs = f->call->nargs, js = nargs - 2;
    jr_ctx c = {.io = f->io, .key = ""};
    jr_shape *s = NULL;
    SQL_FOR_ACTIVE(i) {
        sql_value base = {.type_oid = out->type_oid, .is_null = true};
        if (js == 1) sql_vec_get(args[0], i, &base);
        base.type_oid = out->type_oid;
        if (sql_vec_is_null(args[js], i)) { /* the base record as it is */
            out->nulls[i] = base.is_null;
            if (!base.is_null) out->b[i] = base.b;
            continue;
        }
        if (s == NULL && !jr_shape_read(&c, args[nargs - 1]->b[i], 0, &s)) return false;
        sql_bytes text;
        sql_value rec;
        if (!jr_text(&c, args[js]->type_oid, args[js]->b[i], &text) ||
            !jr_populate(&c, s, &base, jr_trim(text), &rec)) {
            return false;
        }
        out->nulls[i] = 0;
        out->b[i] = rec.b;
    }
    return true;
}

/* ---- as rows: json[b]_populate_recordset(base, from_json, shape), json[b]_to_recordset, and
 * in FROM (`spread`: the record's columns, not the record) all eight functions ---- */

/* Adds one row: the record, or its columns (all NULL for a NULL record). */
static bool jr_emit(struct sql_exec_ctx *x, const jr_shape *s, const sql_value *rec,
                    bool spread, struct sql_rowset *out) {
    if (!spread) return sql_rowset_add_values(out, rec) || rt_arena_fail(x->arena, x->err);
    sql_value *vals = rt_arena_alloc(x->arena, sizeof(sql_value) * (s->count + 1u));
    if (vals == NULL) return rt_arena_fail(x->arena, x->err);
    for (uint32_t i = 0; i < s->count; i++) {
        sql_record_col col;
        if (rec->is_null || !sql_record_field(rec->b, i, &col)) {
            col.value = (sql_value){.is_null = true};
        }
        vals[i] = col.value;
        vals[i].type_oid = s->types[i];
    }
    return sql_rowset_add_values(out, vals) || rt_arena_fail(x->arena, x->err);
}

static bool sql_srf_jsonrec_rows(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                                 struct sql_rowset *out, const char *fn, bool set,
                                 bool spread) {
    uint32_t js = nargs - 2;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    jr_ctx c = {.io = &ec.io, .key = ""};
    jr_shape *s;
    if (!jr_shape_read(&c, args[nargs - 1].b, 0, &s)) return false;
    sql_value base = {.type_oid = s->rowtype, .is_null = true};
    if (js == 1) base = args[0];
    base.type_oid = s->rowtype;
    if (args[js].is_null) return set || jr_emit(x, s, &base, spread, out);
    sql_bytes text;
    if (!jr_text(&c, args[js].type_oid, args[js].b, &text)) return false;
    sql_bytes arr = jr_trim(text);
    sql_value rec;
    if (!set) return jr_populate(&c, s, &base, arr, &rec) && jr_emit(x, s, &rec, spread, out);
    if (arr.ptr[0] != '[') {
        return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot call %s on %s", fn,
                          args[js].type_oid == SQL_T_JSONB ? "a non-array"
                          : arr.ptr[0] == '{'             ? "an object" : "a scalar");
    }
    jr_iter it;
    sql_bytes e;
    jr_iter_init(&it, arr);
    while (jr_iter_next(&it, NULL, &e)) {
        if (e.ptr[0] != '{') {
            return rt_err_set(x->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "argument of %s must be an array of objects", fn);
        }
        if (!jr_populate(&c, s, &base, e, &rec) || !jr_emit(x, s, &rec, spread, out)) {
            return false;
        }
    }
    return true;
}

#define SQL_JR_SRF(name, fn, set, spread)                                                    \
    static bool name(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,          \
                     struct sql_rowset *out) {                                               \
        return sql_srf_jsonrec_rows(x, args, nargs, out, fn, set, spread);                   \
    }
SQL_JR_SRF(sql_srf_js_populate_set, "json_populate_recordset", true, false)
SQL_JR_SRF(sql_srf_jb_populate_set, "jsonb_populate_recordset", true, false)
SQL_JR_SRF(sql_srf_js_to_set, "json_to_recordset", true, false)
SQL_JR_SRF(sql_srf_jb_to_set, "jsonb_to_recordset", true, false)
SQL_JR_SRF(sql_srf_js_populate_from, "json_populate_record", false, true)
SQL_JR_SRF(sql_srf_jb_populate_from, "jsonb_populate_record", false, true)
SQL_JR_SRF(sql_srf_js_to_from, "json_to_record", false, true)
SQL_JR_SRF(sql_srf_jb_to_from, "jsonb_to_record", false, true)
SQL_JR_SRF(sql_srf_js_populate_set_from, "json_populate_recordset", true, true)
SQL_JR_SRF(sql_srf_jb_populate_set_from, "jsonb_populate_recordset", true, true)
SQL_JR_SRF(sql_srf_js_to_set_from, "json_to_recordset", true, true)
SQL_JR_SRF(sql_srf_jb_to_set_from, "jsonb_to_recordset", true, true)

/* ---- registration: the signatures pg_proc shows (the shape argument is the binder's) ---- */

#define AE SQL_T_ANYELEMENT
#define REC SQL_T_RECORD
#define JS SQL_T_JSON
#define JB SQL_T_JSONB
#define POP(nm, js, fl, k) {.name = nm, .nargs = 2, .args = {AE, js}, .ret = AE,                \
                            .flags = SQL_F_STABLE | (fl), .fn = sql_fn_jsonrec, .srf = k}
#define TO(nm, js, fl, k) {.name = nm, .nargs = 1, .args = {js}, .ret = REC,                    \
                           .flags = SQL_F_STABLE | (fl), .fn = sql_fn_jsonrec, .srf = k}
#define POPSET(nm, js, fl, k) {.name = nm, .nargs = 2, .args = {AE, js}, .ret = AE,             \
                               .flags = SQL_F_STABLE | SQL_F_SRF | (fl),                      \
                               .fn = sql_func_srf_scalar, .srf = k}
#define TOSET(nm, js, fl, k) {.name = nm, .nargs = 1, .args = {js}, .ret = REC,                 \
                              .flags = SQL_F_STABLE | SQL_F_SRF | (fl),                       \
                              .fn = sql_func_srf_scalar, .srf = k}
#define ST SQL_F_STRICT
#define SRF SQL_F_SRF

static const sql_func_def sql_jsonrec_defs[] = {
    POP("json_populate_record", JS, 0, NULL),
    POP("jsonb_populate_record", JB, 0, NULL),
    TO("json_to_record", JS, ST, NULL),
    TO("jsonb_to_record", JB, ST, NULL),
    POPSET("json_populate_recordset", JS, 0, sql_srf_js_populate_set),
    POPSET("jsonb_populate_recordset", JB, 0, sql_srf_jb_populate_set),
    TOSET("json_to_recordset", JS, ST, sql_srf_js_to_set),
    TOSET("jsonb_to_recordset", JB, ST, sql_srf_jb_to_set),
};
#define SQL_JSONREC_FUNCS (sizeof sql_jsonrec_defs / sizeof sql_jsonrec_defs[0])

/* The same functions as FROM runs them (not registered, same order): rows of the result's
 * columns; a NULL record is a row of NULLs, as PostgreSQL expands a composite result. */
static const sql_func_def sql_jsonrec_from_defs[SQL_JSONREC_FUNCS] = {
    POP("json_populate_record", JS, SRF, sql_srf_js_populate_from),
    POP("jsonb_populate_record", JB, SRF, sql_srf_jb_populate_from),
    TO("json_to_record", JS, SRF, sql_srf_js_to_from),
    TO("jsonb_to_record", JB, SRF, sql_srf_jb_to_from),
    POPSET("json_populate_recordset", JS, 0, sql_srf_js_populate_set_from),
    POPSET("jsonb_populate_recordset", JB, 0, sql_srf_jb_populate_set_from),
    TOSET("json_to_recordset", JS, 0, sql_srf_js_to_set_from),
    TOSET("jsonb_to_recordset", JB, 0, sql_srf_jb_to_set_from),
};

static int sql_jsonrec_index(const sql_func_def *d) {
    for (uint32_t i = 0; i < SQL_JSONREC_FUNCS; i++) {
        if (d == &sql_jsonrec_defs[i] || d == &sql_jsonrec_from_defs[i]) return (int)i;
    }
    return -1;
}

bool sql_jsonrec_is(const sql_func_def *d) { return sql_jsonrec_index(d) >= 0; }

const sql_func_def *sql_jsonrec_from_def(const sql_func_def *d) {
    int i = sql_jsonrec_index(d);
    RT_ASSERT(i >= 0);
    return &sql_jsonrec_from_defs[i];
}

void sql_funcs_register_jsonrec(void) {
    sql_funcs_register(sql_jsonrec_defs, SQL_JSONREC_FUNCS);
}
