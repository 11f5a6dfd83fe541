/* sql_bind_jsonrec.c: the result row type of json[b]_populate_record[set] (the base argument's
 * row type) and json[b]_to_record[set] (the column definition list of the FROM item), given to
 * the call as a last argument, the shape record sql_fn_jsonrec.c reads: the result type's
 * columns with their names, types and typmods, NULL values except for composite columns, which
 * hold their own type's shape. */
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_record.h"

/* Composite columns inside composite columns: at most this deep (a type cannot contain
 * itself, so only a very deep chain of types reaches it). */
#define SQL_JSONREC_SHAPE_DEPTH_MAX 100

static bool sql_jsonrec_shape(sql_binder *b, uint32_t n, const char **names,
                              const uint32_t *types, const int32_t *typmods, uint32_t rowtype,
                              uint32_t depth, uint32_t loc, sql_value *out);

/* The shape of a table's (or composite type's) row type. */
static bool sql_jsonrec_shape_of(sql_binder *b, const eng_table *t, uint32_t depth,
                                 uint32_t loc, sql_value *out) {
    uint32_t cap = t->column_count + 1u, n = 0;
    const char **names = rt_arena_alloc(b->arena, sizeof(char *) * cap);
    uint32_t *types = rt_arena_alloc(b->arena, sizeof(uint32_t) * cap);
    int32_t *typmods = rt_arena_alloc(b->arena, sizeof(int32_t) * cap);
    if (names == NULL || types == NULL || typmods == NULL) return sql_bind_oom(b);
    for (uint32_t i = 0; i < t->column_count; i++) {
        const eng_column *c = &t->columns[i];
        if (c->dropped) continue;
        if (c->domain_oid != 0) {
            return sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "json_populate_record into a row type with a domain column "
                                  "is not supported yet");
        }
        names[n] = c->name;
        types[n] = c->type_oid;
        typmods[n++] = c->typmod;
    }
    return sql_jsonrec_shape(b, n, names, types, typmods, t->rowtype_oid, depth, loc, out);
}

static bool sql_jsonrec_shape(sql_binder *b, uint32_t n, const char **names,
                              const uint32_t *types, const int32_t *typmods, uint32_t rowtype,
                              uint32_t depth, uint32_t loc, sql_value *out) {
    if (depth > SQL_JSONREC_SHAPE_DEPTH_MAX) {
        return sql_bind_error(b, loc, SQLSTATE_STATEMENT_TOO_COMPLEX,
                              "composite types nest more than %d deep",
                              SQL_JSONREC_SHAPE_DEPTH_MAX);
    }
    sql_value *vals = rt_arena_alloc(b->arena, sizeof(sql_value) * (n + 1u));
    if (vals == NULL) return sql_bind_oom(b);
    for (uint32_t i = 0; i < n; i++) {
        vals[i] = (sql_value){.type_oid = types[i], .is_null = true};
        if (types[i] == SQL_T_RECORD || !sql_type_is_record(types[i])) continue;
        const eng_table *t = sql_bind_rowtype_table(b->bc->db, types[i]);
        if (t == NULL) {
            return sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "json_populate_record into a column of type %u is not "
                                  "supported yet", types[i]);
        }
        if (!sql_jsonrec_shape_of(b, t, depth + 1, loc, &vals[i])) return false;
        vals[i].type_oid = types[i];
    }
    *out = (sql_value){.type_oid = rowtype};
    if (!sql_record_build(b->arena, rowtype, n, names, typmods, vals, &out->b)) {
        return sql_bind_oom(b);
    }
    return true;
}

/* The shape from AS x(a int, b text). */
static bool sql_jsonrec_coldefs(sql_binder *b, const sql_list *defs, sql_value *out) {
    uint32_t n = defs->count;
    const char **names = rt_arena_alloc(b->arena, sizeof(char *) * (n + 1u));
    uint32_t *types = rt_arena_alloc(b->arena, sizeof(uint32_t) * (n + 1u));
    int32_t *typmods = rt_arena_alloc(b->arena, sizeof(int32_t) * (n + 1u));
    if (names == NULL || types == NULL || typmods == NULL) return sql_bind_oom(b);
    if (n > SQL_RECORD_COLS_MAX) {
        return sql_bind_error(b, UINT32_MAX, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "tables can have at most %u columns", SQL_RECORD_COLS_MAX);
    }
    for (uint32_t i = 0; i < n; i++) {
        const sql_columndef *cd = SQL_LIST_AT(*defs, i);
        for (uint32_t k = 0; k < i; k++) {
            if (strcmp(names[k], cd->name) == 0) {
                return sql_bind_error(b, UINT32_MAX, SQLSTATE_DUPLICATE_COLUMN,
                                      "column name \"%s\" specified more than once", cd->name);
            }
        }
        names[i] = cd->name;
        if (!sql_bind_typename(b->bc, cd->type, &types[i], &typmods[i])) {
            if (b->bc->err->position == 0) b->bc->err->position = cd->hdr.location + 1;
            return false;
        }
    }
    return sql_jsonrec_shape(b, n, names, types, typmods, SQL_T_RECORD, 0,
                             n > 0 ? ((const sql_columndef *)SQL_LIST_AT(*defs, 0))->hdr.location
                                   : 0, out);
}

sql_expr *sql_bind_jsonrec(sql_qlevel *q, sql_expr *call, const sql_list *col_defs,
                           bool in_from, uint32_t loc) {
    sql_binder *b = q->b;
    const sql_func_def *d = call->func.def;
    bool populate = d->ret != SQL_T_RECORD;
    sql_value shape;
    if (populate) {
        uint32_t t = call->args[0]->type_oid;
        if (!sql_type_is_record(t)) {
            sql_bind_error(b, UINT32_MAX, SQLSTATE_DATATYPE_MISMATCH,
                           "first argument of %s must be a row type", d->name);
            return NULL;
        }
        const eng_table *rt = t != SQL_T_RECORD ? sql_bind_rowtype_table(b->bc->db, t) : NULL;
        if (rt == NULL) {
            sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "%s with a base of type record is not supported yet", d->name);
            return NULL;
        }
        if (col_defs != NULL && col_defs->count > 0) {
            const sql_columndef *cd = SQL_LIST_AT(*col_defs, 0);
            sql_bind_error(b, cd->hdr.location, SQLSTATE_SYNTAX_ERROR,
                           "a column definition list is redundant for a function returning a "
                           "named composite type");
            return NULL;
        }
        if (!sql_jsonrec_shape_of(b, rt, 0, loc, &shape)) return NULL;
    } else if (col_defs == NULL || col_defs->count == 0) {
        if (in_from) {
            sql_bind_error(b, loc, SQLSTATE_SYNTAX_ERROR,
                           "a column definition list is required for functions returning "
                           "\"record\"");
        } else {
            sql_bind_error(b, UINT32_MAX, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "could not determine row type for result of %s", d->name);
            rt_err_hint(b->bc->err, "Provide a non-null record argument, or call the function "
                        "in the FROM clause using a column definition list.");
        }
        return NULL;
    } else if (!sql_jsonrec_coldefs(b, col_defs, &shape)) {
        return NULL;
    }
    sql_expr *e = sql_expr_new(b->arena, SQL_X_FUNC, call->type_oid, call->nargs + 1u);
    sql_expr *c = sql_expr_const(b->arena, &shape, -1);
    if (e == NULL || c == NULL) {
        sql_bind_oom(b);
        return NULL;
    }
    e->typmod = -1;
    e->location = call->location;
    e->func = call->func;
    memcpy(e->args, call->args, sizeof(sql_expr *) * call->nargs);
    e->args[call->nargs] = c;
    return e;
}
