/* sql_fn_enum.c: enum_first, enum_last and enum_range, which read an enum type's labels from
 * the catalog. As in PostgreSQL they take the type from their argument and ignore its value
 * where only the type matters (enum_first(NULL::mood)); enum_range(a, b) takes the labels
 * from a to b in sort order, a NULL bound leaving that end open. */
#include "sql/sql_array.h"
#include "sql/sql_enum.h"
#include "sql/sql_funcs_int.h"

/* The labels of the enum type of `v`, pinned in *ref; a type that is gone is
 * XX000, as PostgreSQL's "cache lookup failed". */
static const eng_enum *fn_enum_of(sql_fctx *f, const sql_vec *v, eng_catalog_ref *ref) {
    const eng_enum *e = sql_enum_find(f->io, v->type_oid, ref);
    if (e == NULL) {
        sql_enum_done(ref);
        rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR, "cache lookup failed for type %u",
                   v->type_oid);
    }
    return e;
}

static bool fn_enum_end(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                        sql_vec *out, bool last) {
    eng_catalog_ref ref;
    const eng_enum *e = fn_enum_of(f, args[0], &ref);
    if (e == NULL) return false;
    if (e->label_count == 0) {
        rt_err_set(f->err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                   "enum %s contains no values", e->name);
        sql_enum_done(&ref);
        return false;
    }
    SQL_FOR_ACTIVE(i) {
        out->nulls[i] = 0;
        const eng_enum_label *l = &e->labels[last ? e->label_count - 1 : 0];
        out->i64[i] = sql_enum_value(l->sortorder, l->oid);
    }
    sql_enum_done(&ref);
    return true;
}

static bool fn_enum_first(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    return fn_enum_end(f, n, active, args, out, false);
}

static bool fn_enum_last(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out) {
    return fn_enum_end(f, n, active, args, out, true);
}

/* The labels from `lo` to `hi` (NULL pointers: open ends) as an array. */
static bool fn_enum_array(sql_fctx *f, const eng_enum *e, uint32_t type_oid, const int64_t *lo,
                          const int64_t *hi, sql_bytes *out) {
    sql_array_builder b;
    if (!sql_array_builder_init(&b, f->arena, type_oid)) return rt_arena_fail(f->arena, f->err);
    for (uint32_t k = 0; k < e->label_count; k++) {
        sql_value v = {.type_oid = type_oid};
        v.i64 = sql_enum_value(e->labels[k].sortorder, e->labels[k].oid);
        if ((lo != NULL && v.i64 < *lo) || (hi != NULL && v.i64 > *hi)) continue;
        if (!sql_array_builder_add(&b, &v)) return rt_arena_fail(f->arena, f->err);
    }
    if (!sql_array_builder_finish(&b, out)) return rt_arena_fail(f->arena, f->err);
    return true;
}

/* enum_range(e): every label; enum_range(lo, hi): from lo to hi, NULL bounds open. */
static bool fn_enum_range(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    eng_catalog_ref ref;
    const eng_enum *e = fn_enum_of(f, args[0], &ref);
    if (e == NULL) return false;
    bool bounded = f->call->nargs == 2, ok = true;
    SQL_FOR_ACTIVE(i) {
        if (!ok) break;
        out->nulls[i] = 0;
        const int64_t *lo = NULL, *hi = NULL;
        if (bounded && !sql_vec_is_null(args[0], i)) lo = &args[0]->i64[i];
        if (bounded && !sql_vec_is_null(args[1], i)) hi = &args[1]->i64[i];
        ok = fn_enum_array(f, e, args[0]->type_oid, lo, hi, &out->b[i]);
    }
    sql_enum_done(&ref);
    return ok;
}

static const sql_func_def sql_enum_funcs[] = {
    {.name = "enum_first", .nargs = 1, .args = {SQL_T_ANYENUM}, .ret = SQL_T_ANYENUM,
     .flags = SQL_F_STABLE, .fn = fn_enum_first},
    {.name = "enum_last", .nargs = 1, .args = {SQL_T_ANYENUM}, .ret = SQL_T_ANYENUM,
     .flags = SQL_F_STABLE, .fn = fn_enum_last},
    {.name = "enum_range", .nargs = 1, .args = {SQL_T_ANYENUM}, .ret = SQL_T_ANYARRAY,
     .flags = SQL_F_STABLE, .fn = fn_enum_range},
    {.name = "enum_range", .nargs = 2, .args = {SQL_T_ANYENUM, SQL_T_ANYENUM},
     .ret = SQL_T_ANYARRAY, .flags = SQL_F_STABLE, .fn = fn_enum_range},
};

void sql_funcs_register_enum(void) {
    sql_funcs_register(sql_enum_funcs, sizeof sql_enum_funcs / sizeof sql_enum_funcs[0]);
}
