/* sql_fn_json.c: PostgreSQL 15's json and jsonb operators and functions over sql_jsonb.h:
 * -> ->> #> #>> on both types, @> <@ ? ?| ?& || - #- on jsonb, jsonb_set, jsonb_insert,
 * jsonb_strip_nulls, jsonb_pretty, *_typeof, *_array_length, to_json[b], the json[b]_build_*
 * builders, array_to_json, the set-returning jsonb_each[_text], jsonb_array_elements[_text]
 * and jsonb_object_keys, and jsonb subscripting (j['a'], j[0]). Builders take SQL values as
 * their text in ISO DateStyle (sql_json_arg), arrays as JSON arrays; an unknown literal is
 * text, as PostgreSQL resolves it for "any". */
#include <stdio.h>
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_jsonb.h"
#include "sql/sql_record.h"

/* A result of sql_jsonb.h ({NULL, 0} is SQL NULL) into row i. */
static void sql_js_put(sql_vec *out, uint32_t i, sql_bytes r) {
    if (sql_jsonb_is_null(r)) out->nulls[i] = 1;
    else out->b[i] = r;
}

/* The elements of a text[] as sql_bytes ({NULL, 0} for NULL elements), in the arena. */
static bool sql_js_text_array(sql_fctx *f, sql_bytes arr, sql_bytes **items, uint32_t *count) {
    sql_array_view av;
    sql_array_view_of(&arr, &av);
    *items = rt_arena_alloc(f->arena, sizeof(sql_bytes) * (av.nitems + 1));
    if (*items == NULL) return rt_arena_fail(f->arena, f->err);
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    uint32_t k = 0;
    while (sql_array_iter_next(&it, &e)) {
        (*items)[k++] = e.is_null ? (sql_bytes){NULL, 0}
                                  : (sql_bytes){e.b.ptr != NULL ? e.b.ptr : (const uint8_t *)"",
                                                e.b.len};
    }
    *count = k;
    return true;
}

/* ---- accessors: -> ->> #> #>> on json and jsonb ---- */

static bool sql_js_get(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                       sql_vec *out, bool as_text) {
    bool is_json = args[0]->type_oid == SQL_T_JSON;
    uint32_t kt = args[1]->type_oid;
    SQL_FOR_ACTIVE(i) {
        sql_bytes v = args[0]->b[i], r;
        bool ok;
        if (kt == SQL_T_INT4) {
            int32_t k = (int32_t)args[1]->i64[i];
            ok = is_json ? sql_json_array_element(f->arena, v, k, as_text, &r, f->err)
                         : sql_jsonb_array_element(f->arena, v, k, as_text, &r, f->err);
        } else if (kt == SQL_T_TEXT_ARRAY) {
            sql_bytes *path;
            uint32_t len;
            if (!sql_js_text_array(f, args[1]->b[i], &path, &len)) return false;
            ok = is_json ? sql_json_extract_path(f->arena, v, path, len, as_text, &r, f->err)
                         : sql_jsonb_extract_path(f->arena, v, path, len, as_text, &r, f->err);
        } else {
            const char *key = (const char *)args[1]->b[i].ptr;
            uint32_t kl = args[1]->b[i].len;
            ok = is_json ? sql_json_object_field(f->arena, v, key, kl, as_text, &r, f->err)
                         : sql_jsonb_object_field(f->arena, v, key, kl, as_text, &r, f->err);
        }
        if (!ok) return false;
        sql_js_put(out, i, r);
    }
    return true;
}
static bool sql_fn_js_get(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return sql_js_get(f, n, active, args, out, false);
}
static bool sql_fn_js_get_text(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out) {
    return sql_js_get(f, n, active, args, out, true);
}

/* jsonb_extract_path(jsonb, VARIADIC text[]) with the path as separate arguments. */
static bool sql_js_path_args(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out, bool as_text) {
    bool is_json = args[0]->type_oid == SQL_T_JSON;
    uint32_t len = f->call->nargs - 1;
    sql_bytes *path = rt_arena_alloc(f->arena, sizeof(sql_bytes) * (len + 1));
    if (path == NULL) return rt_arena_fail(f->arena, f->err);
    SQL_FOR_ACTIVE(i) {
        for (uint32_t k = 0; k < len; k++) {
            path[k] = sql_vec_is_null(args[k + 1], i) ? (sql_bytes){NULL, 0} : args[k + 1]->b[i];
        }
        sql_bytes r, v = args[0]->b[i];
        if (!(is_json ? sql_json_extract_path(f->arena, v, path, len, as_text, &r, f->err)
                      : sql_jsonb_extract_path(f->arena, v, path, len, as_text, &r, f->err))) {
            return false;
        }
        sql_js_put(out, i, r);
    }
    return true;
}
static bool sql_fn_js_path(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out) {
    return sql_js_path_args(f, n, active, args, out, false);
}
static bool sql_fn_js_path_text(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                                sql_vec *out) {
    return sql_js_path_args(f, n, active, args, out, true);
}

/* jsonb subscripting, j['key'] and j[0] (the binder calls array_subscript): an object is
 * indexed by the subscript's text, an array by its integer value; anything else is NULL. */
static bool sql_js_subscript_key(const sql_vec *k, uint32_t i, char *buf, sql_bytes *out) {
    if (k->type_oid != SQL_T_INT4) {
        *out = k->b[i];
        return true;
    }
    int n = snprintf(buf, 16, "%d", (int)k->i64[i]);
    *out = (sql_bytes){.ptr = (const uint8_t *)buf, .len = (uint32_t)n};
    return true;
}

static bool sql_js_subscript_index(sql_bytes key, int32_t *index) {
    uint32_t p = key.len > 0 && (key.ptr[0] == '-' || key.ptr[0] == '+') ? 1 : 0;
    if (p == key.len || key.len - p > 10) return false;
    int64_t v = 0;
    for (uint32_t j = p; j < key.len; j++) {
        if (key.ptr[j] < '0' || key.ptr[j] > '9') return false;
        v = v * 10 + (key.ptr[j] - '0');
    }
    if (key.ptr[0] == '-') v = -v;
    if (v < INT32_MIN || v > INT32_MAX) return false;
    *index = (int32_t)v;
    return true;
}

static bool sql_fn_jb_subscript(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                                sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        char buf[16];
        sql_bytes key, r = {NULL, 0}, jb = args[0]->b[i];
        sql_js_subscript_key(args[1], i, buf, &key);
        const char *kind = sql_jsonb_typeof(jb);
        int32_t index;
        bool ok = true;
        if (strcmp(kind, "object") == 0) {
            ok = sql_jsonb_object_field(f->arena, jb, (const char *)key.ptr, key.len, false, &r,
                                        f->err);
        } else if (strcmp(kind, "array") == 0 && sql_js_subscript_index(key, &index)) {
            ok = sql_jsonb_array_element(f->arena, jb, index, false, &r, f->err);
        }
        if (!ok) return false;
        sql_js_put(out, i, r);
    }
    return true;
}

/* ---- predicates ---- */

typedef enum sql_js_pred { JP_CONTAINS, JP_CONTAINED, JP_EXISTS, JP_ANY, JP_ALL } sql_js_pred;

static bool sql_js_pred_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out, sql_js_pred p) {
    SQL_FOR_ACTIVE(i) {
        sql_bytes a = args[0]->b[i], b = args[1]->b[i];
        bool r;
        switch (p) {
        case JP_CONTAINS: r = sql_jsonb_contains(a, b); break;
        case JP_CONTAINED: r = sql_jsonb_contains(b, a); break;
        case JP_EXISTS: r = sql_jsonb_exists(a, (const char *)b.ptr, b.len); break;
        default: {
            sql_bytes *keys;
            uint32_t cnt;
            if (!sql_js_text_array(f, b, &keys, &cnt)) return false;
            r = p == JP_ANY ? sql_jsonb_exists_any(a, keys, cnt)
                            : sql_jsonb_exists_all(a, keys, cnt);
            break;
        }
        }
        out->i64[i] = r;
    }
    return true;
}
#define SQL_JS_PRED(name, p)                                                                 \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_js_pred_kernel(f, n, active, args, out, p);                               \
    }
SQL_JS_PRED(sql_fn_jb_contains, JP_CONTAINS)
SQL_JS_PRED(sql_fn_jb_contained, JP_CONTAINED)
SQL_JS_PRED(sql_fn_jb_exists, JP_EXISTS)
SQL_JS_PRED(sql_fn_jb_exists_any, JP_ANY)
SQL_JS_PRED(sql_fn_jb_exists_all, JP_ALL)

/* ---- edits ---- */

static bool sql_fn_jb_concat(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_jsonb_concat(f->arena, args[0]->b[i], args[1]->b[i], &out->b[i], f->err)) {
            return false;
        }
    }
    return true;
}

/* jsonb - text, jsonb - text[], jsonb - int, jsonb #- text[] (`path`). */
static bool sql_js_delete(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out, bool path) {
    uint32_t kt = args[1]->type_oid;
    SQL_FOR_ACTIVE(i) {
        sql_bytes v = args[0]->b[i], r;
        bool ok;
        if (kt == SQL_T_INT4) {
            ok = sql_jsonb_delete_index(f->arena, v, (int32_t)args[1]->i64[i], &r, f->err);
        } else if (kt == SQL_T_TEXT_ARRAY) {
            sql_bytes *keys;
            uint32_t cnt;
            if (!sql_js_text_array(f, args[1]->b[i], &keys, &cnt)) return false;
            ok = path ? sql_jsonb_delete_path(f->arena, v, keys, cnt, &r, f->err)
                      : sql_jsonb_delete_keys(f->arena, v, keys, cnt, &r, f->err);
        } else {
            ok = sql_jsonb_delete_key(f->arena, v, (const char *)args[1]->b[i].ptr,
                                      args[1]->b[i].len, &r, f->err);
        }
        if (!ok) return false;
        sql_js_put(out, i, r);
    }
    return true;
}
static bool sql_fn_jb_delete(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_js_delete(f, n, active, args, out, false);
}
static bool sql_fn_jb_delete_path(sql_fctx *f, uint32_t n, const uint8_t *active,
                                  sql_vec **args, sql_vec *out) {
    return sql_js_delete(f, n, active, args, out, true);
}

/* jsonb_set(target, path, new [, create_missing = true]) and jsonb_insert(target, path, new
 * [, insert_after = false]). */
static bool sql_js_set(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                       sql_vec *out, bool insert) {
    bool has_flag = f->call->nargs > 3;
    SQL_FOR_ACTIVE(i) {
        sql_bytes *path;
        uint32_t cnt;
        if (!sql_js_text_array(f, args[1]->b[i], &path, &cnt)) return false;
        bool flag = has_flag ? args[3]->i64[i] != 0 : !insert;
        sql_bytes r;
        bool ok = insert ? sql_jsonb_insert(f->arena, args[0]->b[i], path, cnt, args[2]->b[i],
                                            flag, &r, f->err)
                         : sql_jsonb_set(f->arena, args[0]->b[i], path, cnt, args[2]->b[i],
                                         flag, &r, f->err);
        if (!ok) return false;
        sql_js_put(out, i, r);
    }
    return true;
}
static bool sql_fn_jb_set(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return sql_js_set(f, n, active, args, out, false);
}
static bool sql_fn_jb_insert(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_js_set(f, n, active, args, out, true);
}

typedef bool (*sql_jb_unary)(rt_arena *arena, sql_bytes jb, sql_bytes *out, rt_err *err);
static bool sql_js_unary(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out, sql_jb_unary fn) {
    SQL_FOR_ACTIVE(i) {
        if (!fn(f->arena, args[0]->b[i], &out->b[i], f->err)) return false;
    }
    return true;
}
static bool sql_fn_jb_strip_nulls(sql_fctx *f, uint32_t n, const uint8_t *active,
                                  sql_vec **args, sql_vec *out) {
    return sql_js_unary(f, n, active, args, out, sql_jsonb_strip_nulls);
}
static bool sql_fn_jb_pretty(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    return sql_js_unary(f, n, active, args, out, sql_jsonb_pretty);
}

static bool sql_fn_js_typeof(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                             sql_vec *out) {
    bool is_json = args[0]->type_oid == SQL_T_JSON;
    SQL_FOR_ACTIVE(i) {
        const char *t = is_json ? sql_json_typeof(args[0]->b[i]) : sql_jsonb_typeof(args[0]->b[i]);
        out->b[i] = (sql_bytes){.ptr = (const uint8_t *)t, .len = (uint32_t)strlen(t)};
    }
    return true;
}

static bool sql_fn_js_array_length(sql_fctx *f, uint32_t n, const uint8_t *active,
                                   sql_vec **args, sql_vec *out) {
    bool is_json = args[0]->type_oid == SQL_T_JSON;
    SQL_FOR_ACTIVE(i) {
        int32_t len;
        if (!(is_json ? sql_json_array_length(args[0]->b[i], &len, f->err)
                      : sql_jsonb_array_length(args[0]->b[i], &len, f->err))) {
            return false;
        }
        out->i64[i] = len;
    }
    return true;
}

/* ---- builders ---- */

/* One element of an array as JSON text: json as written, anything else through jsonb. */
static bool sql_json_elem_text(sql_io_ctx *io, const sql_value *e, sql_strbuf *sb) {
    sql_json_arg a;
    sql_bytes jb, text;
    if (e->is_null) {
        sql_strbuf_puts(sb, "null");
        return true;
    }
    if (!sql_json_arg_of(io, e, &a)) return false;
    if (a.type_oid == SQL_T_JSON) {
        sql_strbuf_append(sb, a.value.ptr, a.value.len);
        return true;
    }
    if (!sql_jsonb_from_arg(io->arena, &a, &jb, io->err) ||
        !sql_jsonb_to_text(io->arena, jb, &text, io->err)) {
        return false;
    }
    sql_strbuf_append(sb, text.ptr, text.len);
    return true;
}

/* An array as PostgreSQL's array_to_json text ("[[1,2],[3,null]]"), given to the builders as
 * json so that both json and jsonb results nest it. */
static bool sql_json_array_arg(sql_io_ctx *io, const sql_value *v, struct sql_json_arg *out) {
    sql_array_view av;
    sql_array_view_of(&v->b, &av);
    uint64_t stride[SQL_ARRAY_DIMS_MAX + 1];
    stride[av.ndim] = 1;
    for (uint32_t d = av.ndim; d > 0; d--) stride[d - 1] = stride[d] * (uint64_t)av.dims[d - 1];
    sql_strbuf sb;
    sql_strbuf_init(&sb, io->arena, 64);
    if (av.nitems == 0) sql_strbuf_puts(&sb, "[]");
    sql_array_iter it;
    sql_array_iter_init(&it, &av);
    sql_value e;
    for (uint64_t k = 0; sql_array_iter_next(&it, &e); k++) {
        if (k > 0) sql_strbuf_putc(&sb, ',');
        for (uint32_t d = 0; d < av.ndim; d++) {
            if (k % stride[d] == 0) sql_strbuf_putc(&sb, '[');
        }
        if (!sql_json_elem_text(io, &e, &sb)) return false;
        for (uint32_t d = av.ndim; d > 0; d--) {
            if ((k + 1) % stride[d - 1] == 0) sql_strbuf_putc(&sb, ']');
        }
    }
    if (sb.failed) return sql_io_alloc_fail(io);
    out->type_oid = SQL_T_JSON;
    out->structured = true;
    out->value = (sql_bytes){.ptr = (const uint8_t *)sb.data, .len = sb.len};
    return true;
}

/* A record as row_to_json's text, given to the builders as json likewise. */
static bool sql_json_record_arg(sql_io_ctx *io, const sql_value *v, struct sql_json_arg *out) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, io->arena, 64);
    if (!sql_record_to_json(io, v->b, false, &sb)) return false;
    out->type_oid = SQL_T_JSON;
    out->is_null = false;
    out->structured = true;
    out->value = (sql_bytes){.ptr = (const uint8_t *)sb.data, .len = sb.len};
    return true;
}

bool sql_json_arg_of(sql_io_ctx *io, const sql_value *v, struct sql_json_arg *out) {
    if (!v->is_null && sql_type_elem_of(v->type_oid) != 0 && v->type_oid != SQL_T_INT2VECTOR &&
        v->type_oid != SQL_T_OIDVECTOR) {
        out->is_null = false;
        return sql_json_array_arg(io, v, out);
    }
    if (!v->is_null && sql_type_is_record(v->type_oid)) return sql_json_record_arg(io, v, out);
    out->structured = false;
    out->type_oid = v->type_oid == SQL_T_UNKNOWN ? SQL_T_TEXT : v->type_oid;
    out->is_null = v->is_null;
    out->value = (sql_bytes){NULL, 0};
    if (v->is_null) return true;
    if (v->type_oid == SQL_T_JSONB || v->type_oid == SQL_T_JSON ||
        v->type_oid == SQL_T_UNKNOWN || sql_type_is_string(v->type_oid)) {
        out->value = v->b;
        if (out->value.ptr == NULL) out->value.ptr = (const uint8_t *)"";
        return true;
    }
    /* Dates and times in ISO style, whatever the session's DateStyle, as PostgreSQL does. */
    sql_fmt iso = io->fmt != NULL ? *io->fmt : (sql_fmt){.extra_float_digits = 1};
    iso.datestyle = SQL_DATESTYLE_ISO;
    sql_io_ctx io2 = *io;
    io2.fmt = &iso;
    sql_strbuf sb;
    sql_strbuf_init(&sb, io->arena, 32);
    if (!sql_value_out(&io2, v, -1, &sb)) return false;
    if (sb.failed) return sql_io_alloc_fail(io);
    out->value = (sql_bytes){.ptr = (const uint8_t *)(sb.data != NULL ? sb.data : ""),
                             .len = sb.len};
    return true;
}

typedef enum sql_js_build { JB_TO_JSONB, JB_TO_JSON, JB_OBJ, JB_ARR, J_OBJ, J_ARR } sql_js_build;

static bool sql_js_build_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                                sql_vec *out, sql_js_build kind) {
    uint32_t nargs = f->call->nargs;
    sql_json_arg *jargs = rt_arena_alloc(f->arena, sizeof(sql_json_arg) * (nargs + 1));
    if (jargs == NULL) return rt_arena_fail(f->arena, f->err);
    SQL_FOR_ACTIVE(i) {
        for (uint32_t k = 0; k < nargs; k++) {
            sql_value v;
            sql_vec_get(args[k], i, &v);
            if (!sql_json_arg_of(f->io, &v, &jargs[k])) return false;
        }
        sql_bytes r;
        bool ok = true;
        switch (kind) {
        case JB_TO_JSONB: ok = sql_jsonb_from_arg(f->arena, &jargs[0], &r, f->err); break;
        case JB_TO_JSON: /* to_json: the json text of the same value */
            ok = sql_json_build_array(f->arena, jargs, 1, &r, f->err);
            if (ok && r.len >= 2) r = (sql_bytes){r.ptr + 1, r.len - 2};
            break;
        case JB_OBJ: ok = sql_jsonb_build_object(f->arena, jargs, nargs, &r, f->err); break;
        case JB_ARR: ok = sql_jsonb_build_array(f->arena, jargs, nargs, &r, f->err); break;
        case J_OBJ: ok = sql_json_build_object(f->arena, jargs, nargs, &r, f->err); break;
        default: ok = sql_json_build_array(f->arena, jargs, nargs, &r, f->err); break;
        }
        if (!ok) return false;
        sql_js_put(out, i, r);
    }
    return true;
}
#define SQL_JS_BUILD(name, kind)                                                             \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,         \
                     sql_vec *out) {                                                         \
        return sql_js_build_kernel(f, n, active, args, out, kind);                           \
    }
SQL_JS_BUILD(sql_fn_to_jsonb, JB_TO_JSONB)
SQL_JS_BUILD(sql_fn_to_json, JB_TO_JSON)
SQL_JS_BUILD(sql_fn_jb_build_object, JB_OBJ)
SQL_JS_BUILD(sql_fn_jb_build_array, JB_ARR)
SQL_JS_BUILD(sql_fn_j_build_object, J_OBJ)
SQL_JS_BUILD(sql_fn_j_build_array, J_ARR)

/* row_to_json(record [, pretty]). */
static bool sql_fn_row_to_json(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                               sql_vec *out) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    SQL_FOR_ACTIVE(i) {
        sql_strbuf_reset(&sb);
        bool pretty = f->call->nargs > 1 && args[1]->i64[i] != 0;
        if (!sql_record_to_json(f->io, args[0]->b[i], pretty, &sb)) return false;
        sql_bytes r;
        if (!sql_bytes_dup(f->arena, sb.data, sb.len, &r)) return rt_arena_fail(f->arena, f->err);
        sql_js_put(out, i, r);
    }
    return true;
}

/* ---- set-returning functions ---- */

typedef enum sql_js_srf { JS_KEYS, JS_EACH, JS_EACH_TEXT, JS_ELEMS, JS_ELEMS_TEXT } sql_js_srf;

static bool sql_js_srf_run(struct sql_exec_ctx *x, const sql_value *args, sql_js_srf kind,
                           struct sql_rowset *out) {
    sql_jsonb_iter it;
    sql_bytes jb = args[0].b;
    bool as_text = kind == JS_EACH_TEXT || kind == JS_ELEMS_TEXT;
    uint32_t vtype = as_text ? SQL_T_TEXT : SQL_T_JSONB;
    bool ok = kind == JS_KEYS ? sql_jsonb_object_keys_begin(&it, jb, x->err)
              : kind == JS_EACH || kind == JS_EACH_TEXT
                  ? sql_jsonb_each_begin(&it, jb, as_text, x->err)
                  : sql_jsonb_array_elements_begin(&it, jb, as_text, x->err);
    if (!ok) return false;
    for (;;) {
        sql_value row[2] = {{.type_oid = SQL_T_TEXT}, {.type_oid = vtype}};
        sql_bytes k = {NULL, 0}, v = {NULL, 0};
        bool has = true;
        if (kind == JS_KEYS) {
            has = sql_jsonb_object_keys_next(&it, &k);
        } else if (kind == JS_EACH || kind == JS_EACH_TEXT) {
            if (!sql_jsonb_each_next(x->arena, &it, &has, &k, &v, x->err)) return false;
        } else if (!sql_jsonb_array_elements_next(x->arena, &it, &has, &v, x->err)) {
            return false;
        }
        if (!has) return true;
        row[0].b = k;
        row[1].b = v;
        row[1].is_null = sql_jsonb_is_null(v);
        const sql_value *vals = row;
        if (kind == JS_ELEMS || kind == JS_ELEMS_TEXT) vals = &row[1];
        if (!sql_rowset_add_values(out, vals)) return rt_arena_fail(x->arena, x->err);
    }
}
#define SQL_JS_SRF(name, kind)                                                               \
    static bool name(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,          \
                     struct sql_rowset *out) {                                               \
        (void)nargs;                                                                         \
        return sql_js_srf_run(x, args, kind, out);                                           \
    }
SQL_JS_SRF(sql_srf_jb_keys, JS_KEYS)
SQL_JS_SRF(sql_srf_jb_each, JS_EACH)
SQL_JS_SRF(sql_srf_jb_each_text, JS_EACH_TEXT)
SQL_JS_SRF(sql_srf_jb_elems, JS_ELEMS)
SQL_JS_SRF(sql_srf_jb_elems_text, JS_ELEMS_TEXT)

/* ---- registration ---- */

#define JB SQL_T_JSONB
#define JS SQL_T_JSON
#define TX SQL_T_TEXT
#define TA SQL_T_TEXT_ARRAY
#define I4 SQL_T_INT4
#define BO SQL_T_BOOL
#define ST (SQL_F_STRICT | SQL_F_LEAKPROOF)
#define OP(sym, l, r, res, k, pro) {.name = sym, .is_operator = true, .nargs = 2,              \
                                    .args = {l, r}, .ret = res, .flags = ST, .fn = k,        \
                                    .proname = pro}
#define FN(nm, r, fl, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,     \
                               .args = {__VA_ARGS__}, .ret = r, .flags = fl, .fn = k}
#define SRF1(nm, r, k) {.name = nm, .nargs = 1, .args = {JB}, .ret = r,                         \
                        .flags = SQL_F_STRICT | SQL_F_SRF, .fn = sql_func_srf_scalar, .srf = k}
#define SRF2(nm, vt, k) {.name = nm, .nargs = 1, .args = {JB}, .ret = SQL_T_RECORD,             \
                         .flags = SQL_F_STRICT | SQL_F_SRF, .fn = sql_func_srf_scalar, .srf = k,   \
                         .srf_ncols = 2, .srf_types = (const uint32_t[]){TX, vt},               \
                         .srf_names = (const char *const[]){"key", "value"}}
#define VAR (SQL_F_VARIADIC | SQL_F_STABLE)

static const sql_func_def sql_json_defs[] = {
    OP("->", JB, TX, JB, sql_fn_js_get, "jsonb_object_field"),
    OP("->", JB, I4, JB, sql_fn_js_get, "jsonb_array_element"),
    OP("->>", JB, TX, TX, sql_fn_js_get_text, "jsonb_object_field_text"),
    OP("->>", JB, I4, TX, sql_fn_js_get_text, "jsonb_array_element_text"),
    OP("#>", JB, TA, JB, sql_fn_js_get, "jsonb_extract_path_op"),
    OP("#>>", JB, TA, TX, sql_fn_js_get_text, "jsonb_extract_path_text_op"),
    OP("->", JS, TX, JS, sql_fn_js_get, "json_object_field"),
    OP("->", JS, I4, JS, sql_fn_js_get, "json_array_element"),
    OP("->>", JS, TX, TX, sql_fn_js_get_text, "json_object_field_text"),
    OP("->>", JS, I4, TX, sql_fn_js_get_text, "json_array_element_text"),
    OP("#>", JS, TA, JS, sql_fn_js_get, "json_extract_path_op"),
    OP("#>>", JS, TA, TX, sql_fn_js_get_text, "json_extract_path_text_op"),
    OP("@>", JB, JB, BO, sql_fn_jb_contains, "jsonb_contains"),
    OP("<@", JB, JB, BO, sql_fn_jb_contained, "jsonb_contained"),
    OP("?", JB, TX, BO, sql_fn_jb_exists, "jsonb_exists"),
    OP("?|", JB, TA, BO, sql_fn_jb_exists_any, "jsonb_exists_any"),
    OP("?&", JB, TA, BO, sql_fn_jb_exists_all, "jsonb_exists_all"),
    OP("||", JB, JB, JB, sql_fn_jb_concat, "jsonb_concat"),
    OP("-", JB, TX, JB, sql_fn_jb_delete, "jsonb_delete"),
    OP("-", JB, TA, JB, sql_fn_jb_delete, "jsonb_delete"),
    OP("-", JB, I4, JB, sql_fn_jb_delete, "jsonb_delete"),
    OP("#-", JB, TA, JB, sql_fn_jb_delete_path, "jsonb_delete_path"),
    FN("array_subscript", JB, ST, sql_fn_jb_subscript, JB, TX),
    FN("array_subscript", JB, ST, sql_fn_jb_subscript, JB, I4),
    FN("jsonb_contains", BO, ST, sql_fn_jb_contains, JB, JB),
    FN("jsonb_exists", BO, ST, sql_fn_jb_exists, JB, TX),
    FN("jsonb_concat", JB, ST, sql_fn_jb_concat, JB, JB),
    FN("jsonb_set", JB, ST, sql_fn_jb_set, JB, TA, JB),
    FN("jsonb_set", JB, ST, sql_fn_jb_set, JB, TA, JB, BO),
    FN("jsonb_insert", JB, ST, sql_fn_jb_insert, JB, TA, JB),
    FN("jsonb_insert", JB, ST, sql_fn_jb_insert, JB, TA, JB, BO),
    FN("jsonb_delete_path", JB, ST, sql_fn_jb_delete_path, JB, TA),
    FN("jsonb_strip_nulls", JB, ST, sql_fn_jb_strip_nulls, JB),
    FN("jsonb_pretty", TX, ST, sql_fn_jb_pretty, JB),
    FN("jsonb_typeof", TX, ST, sql_fn_js_typeof, JB),
    FN("json_typeof", TX, ST, sql_fn_js_typeof, JS),
    FN("jsonb_array_length", I4, ST, sql_fn_js_array_length, JB),
    FN("json_array_length", I4, ST, sql_fn_js_array_length, JS),
    {.name = "jsonb_extract_path", .nargs = 2, .args = {JB, TX}, .ret = JB,
     .flags = SQL_F_STRICT | SQL_F_VARIADIC, .fn = sql_fn_js_path},
    {.name = "jsonb_extract_path_text", .nargs = 2, .args = {JB, TX}, .ret = TX,
     .flags = SQL_F_STRICT | SQL_F_VARIADIC, .fn = sql_fn_js_path_text},
    {.name = "json_extract_path", .nargs = 2, .args = {JS, TX}, .ret = JS,
     .flags = SQL_F_STRICT | SQL_F_VARIADIC, .fn = sql_fn_js_path},
    {.name = "json_extract_path_text", .nargs = 2, .args = {JS, TX}, .ret = TX,
     .flags = SQL_F_STRICT | SQL_F_VARIADIC, .fn = sql_fn_js_path_text},
    FN("to_jsonb", JB, SQL_F_STRICT | SQL_F_STABLE, sql_fn_to_jsonb, SQL_T_ANYELEMENT),
    FN("to_json", JS, SQL_F_STRICT | SQL_F_STABLE, sql_fn_to_json, SQL_T_ANYELEMENT),
    FN("row_to_json", JS, SQL_F_STRICT | SQL_F_STABLE, sql_fn_row_to_json, SQL_T_RECORD),
    FN("row_to_json", JS, SQL_F_STRICT | SQL_F_STABLE, sql_fn_row_to_json, SQL_T_RECORD, BO),
    FN("array_to_json", JS, SQL_F_STRICT | SQL_F_STABLE, sql_fn_to_json, SQL_T_ANYARRAY),
    {.name = "jsonb_build_object", .nargs = 1, .args = {SQL_T_ANY}, .ret = JB, .flags = VAR,
     .fn = sql_fn_jb_build_object},
    {.name = "jsonb_build_array", .nargs = 1, .args = {SQL_T_ANY}, .ret = JB, .flags = VAR,
     .fn = sql_fn_jb_build_array},
    {.name = "json_build_object", .nargs = 1, .args = {SQL_T_ANY}, .ret = JS, .flags = VAR,
     .fn = sql_fn_j_build_object},
    {.name = "json_build_array", .nargs = 1, .args = {SQL_T_ANY}, .ret = JS, .flags = VAR,
     .fn = sql_fn_j_build_array},
    {.name = "jsonb_build_object", .nargs = 0, .ret = JB, .flags = SQL_F_STABLE,
     .fn = sql_fn_jb_build_object},
    {.name = "jsonb_build_array", .nargs = 0, .ret = JB, .flags = SQL_F_STABLE,
     .fn = sql_fn_jb_build_array},
    {.name = "json_build_object", .nargs = 0, .ret = JS, .flags = SQL_F_STABLE,
     .fn = sql_fn_j_build_object},
    {.name = "json_build_array", .nargs = 0, .ret = JS, .flags = SQL_F_STABLE,
     .fn = sql_fn_j_build_array},
    SRF1("jsonb_object_keys", TX, sql_srf_jb_keys),
    SRF1("jsonb_array_elements", JB, sql_srf_jb_elems),
    SRF1("jsonb_array_elements_text", TX, sql_srf_jb_elems_text),
    SRF2("jsonb_each", JB, sql_srf_jb_each),
    SRF2("jsonb_each_text", TX, sql_srf_jb_each_text),
};

void sql_funcs_register_json(void) {
    sql_funcs_register(sql_json_defs, sizeof sql_json_defs / sizeof sql_json_defs[0]);
}
