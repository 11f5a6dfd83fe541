/* sql_bind_record.c: composite values in expressions (sql_record.h): ROW(...) and (a, b) as
 * values, whole-row references to FROM items (`t`, `t.*`), (expr).field and casts to a
 * table's row type. A whole-row reference is a ROW over the item's visible columns, of the
 * table's (or view's) row type, or of type record with the columns' names for a subquery, a
 * CTE or a function, as PostgreSQL types them. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_record.h"

/* A ROW expression over bound columns; unknown literals become text as PostgreSQL's
 * ROW('a') does. */
static sql_expr *sql_bind_record_of(sql_qlevel *q, sql_expr **args, uint32_t n, uint32_t type,
                                    const char *const *names, uint32_t loc) {
    if (n > SQL_RECORD_COLS_MAX) {
        sql_bind_error(q->b, loc, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                       "ROW expressions can have at most %u entries", SQL_RECORD_COLS_MAX);
        return NULL;
    }
    sql_expr *e = sql_expr_new(q->b->arena, SQL_X_ROW, type, n);
    if (e == NULL) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *a = args[i];
        if (a->type_oid == SQL_T_UNKNOWN) {
            a = sql_bind_coerce(q, a, SQL_T_TEXT, -1, SQL_CAST_IMPLICIT, loc, NULL);
            if (a == NULL) return NULL;
        }
        e->args[i] = a;
    }
    e->row.names = names;
    e->location = loc;
    return e;
}

sql_expr *sql_bind_row_value(sql_qlevel *q, const sql_row *row) {
    uint32_t n = row->args.count;
    sql_expr **args = rt_arena_alloc(q->b->arena, sizeof(sql_expr *) * (n + 1u));
    if (args == NULL) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        if ((args[i] = sql_bind_expr(q, SQL_LIST_AT(row->args, i))) == NULL) return NULL;
    }
    return sql_bind_record_of(q, args, n, SQL_T_RECORD, NULL, row->hdr.location);
}

sql_expr *sql_bind_wholerow(sql_qlevel *q, const sql_rte *rte, const sql_scope *scope,
                            uint32_t loc) {
    if (rte->nullable) {
        sql_bind_error(q->b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "whole-row reference to \"%s\" on the nullable side of an outer join is "
                       "not supported yet", rte->name);
        return NULL;
    }
    rt_arena *a = q->b->arena;
    sql_expr **args = rt_arena_alloc(a, sizeof(sql_expr *) * (rte->ncols + 1u));
    const char **names = rt_arena_alloc(a, sizeof(char *) * (rte->ncols + 1u));
    if (args == NULL || names == NULL) return NULL;
    uint32_t n = 0;
    const eng_table *t = rte->table;
    for (uint32_t i = rte->first; i < rte->first + rte->ncols; i++) {
        /* a column merged away by USING is still the item's; a dropped one is not */
        uint32_t k = i - rte->first;
        if (scope->cols[i].hidden &&
            t != NULL && k < t->column_count && t->columns[k].dropped) {
            continue;
        }
        sql_columnref f = {.hdr = {.kind = SQL_N_COLUMNREF, .location = loc},
                           .name = {.count = 2, .parts = {rte->name, scope->cols[i].name},
                                    .location = loc}};
        if ((args[n] = sql_bind_expr(q, &f.hdr)) == NULL) return NULL;
        names[n++] = scope->cols[i].name;
    }
    uint32_t type = t != NULL && t->rowtype_oid != 0 ? t->rowtype_oid : SQL_T_RECORD;
    sql_expr *e = sql_bind_record_of(q, args, n, type, names, loc);
    if (e != NULL) e->row.wholerow = rte->name;
    return e;
}

const eng_table *sql_bind_rowtype_table(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; db != NULL && i < db->table_count; i++) {
        if (db->tables[i].rowtype_oid == oid) return &db->tables[i];
    }
    return NULL;
}

sql_expr *sql_bind_field(sql_qlevel *q, const sql_field *f) {
    sql_expr *arg = sql_bind_expr(q, f->arg);
    if (arg == NULL) return NULL;
    if (f->field == NULL) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "(expression).* is not supported yet outside the select list");
        return NULL;
    }
    const eng_table *t = arg->type_oid != SQL_T_RECORD && sql_type_is_record(arg->type_oid)
                             ? sql_bind_rowtype_table(q->b->bc->db, arg->type_oid) : NULL;
    if (arg->kind == SQL_X_ROW) { /* ROW(...).f2, (t).a: the column itself */
        for (uint32_t i = 0; i < arg->nargs; i++) {
            char fname[16];
            const char *name = arg->row.names != NULL ? arg->row.names[i] : NULL;
            if (name == NULL) {
                snprintf(fname, sizeof fname, "f%u", i + 1);
                name = fname;
            }
            if (strcmp(name, f->field) == 0) return arg->args[i];
        }
    } else if (sql_type_is_record(arg->type_oid) && arg->type_oid != SQL_T_RECORD) {
        for (uint32_t i = 0, k = 0; t != NULL && i < t->column_count; i++) {
            const eng_column *c = &t->columns[i];
            if (c->dropped) continue;
            if (strcmp(c->name, f->field) == 0) {
                sql_expr *e = sql_expr_new(q->b->arena, SQL_X_FIELD, c->type_oid, 1);
                if (e == NULL) return NULL;
                e->typmod = c->typmod;
                e->args[0] = arg;
                e->field.index = k;
                e->field.name = c->name;
                return e;
            }
            k++;
        }
    } else if (arg->type_oid == SQL_T_RECORD) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "field selection from a record of unknown columns is not supported yet");
        return NULL;
    } else {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "column notation .%s applied to type %s, which is not a composite type",
                       f->field, sql_type_name(arg->type_oid));
        return NULL;
    }
    if (arg->kind == SQL_X_ROW && SQL_NODE_KIND(f->arg) == SQL_N_COLUMNREF) { /* (t).zz */
        const sql_name *nm = &((const sql_columnref *)f->arg)->name;
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                       "column %s.%s does not exist", nm->parts[nm->count - 1], f->field);
    } else if (arg->type_oid == SQL_T_RECORD) {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                       "could not identify column \"%s\" in record data type", f->field);
    } else {
        sql_bind_error(q->b, f->hdr.location, SQLSTATE_UNDEFINED_COLUMN,
                       "column \"%s\" not found in data type %s", f->field,
                       t != NULL ? t->name : sql_type_name(arg->type_oid));
    }
    return NULL;
}

bool sql_bind_field_star(sql_qlevel *q, const sql_field *f, sql_expr ***cols,
                         const char ***names, uint32_t *n) {
    sql_expr *arg = sql_bind_expr(q, f->arg);
    if (arg == NULL) return false;
    rt_arena *a = q->b->arena;
    const eng_table *t = arg->kind == SQL_X_ROW || arg->type_oid == SQL_T_RECORD
                             ? NULL : sql_bind_rowtype_table(q->b->bc->db, arg->type_oid);
    uint32_t cap = arg->kind == SQL_X_ROW ? arg->nargs : t != NULL ? t->column_count : 0;
    if (arg->kind != SQL_X_ROW && t == NULL) {
        return sql_bind_error(q->b, f->hdr.location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "(expression).* of this expression is not supported yet");
    }
    *cols = rt_arena_alloc(a, sizeof(sql_expr *) * (cap + 1u));
    *names = rt_arena_alloc(a, sizeof(char *) * (cap + 1u));
    if (*cols == NULL || *names == NULL) return sql_bind_oom(q->b);
    *n = 0;
    for (uint32_t i = 0; arg->kind == SQL_X_ROW && i < arg->nargs; i++) {
        char *fname = rt_arena_alloc(a, 16);
        if (fname == NULL) return sql_bind_oom(q->b);
        snprintf(fname, 16, "f%u", i + 1);
        (*cols)[*n] = arg->args[i];
        (*names)[(*n)++] = arg->row.names != NULL ? arg->row.names[i] : fname;
    }
    for (uint32_t i = 0, k = 0; t != NULL && i < t->column_count; i++) {
        const eng_column *c = &t->columns[i];
        if (c->dropped) continue;
        sql_expr *e = sql_expr_new(a, SQL_X_FIELD, c->type_oid, 1);
        if (e == NULL) return sql_bind_oom(q->b);
        e->typmod = c->typmod;
        e->args[0] = arg;
        e->field.index = k++;
        e->field.name = c->name;
        (*cols)[*n] = e;
        (*names)[(*n)++] = c->name;
    }
    return true;
}

/* The row type named by a cast's type name (a table or view in the search path, when no
 * built-in type or domain has the name), NULL if none. */
const eng_table *sql_bind_rowtype_name(sql_qlevel *q, const sql_typename *tn) {
    if (tn->array_dims > 0 || tn->typmods.count > 0 || q->b->bc->db == NULL) return NULL;
    if (tn->name.count == 1 && sql_type_by_name(tn->name.parts[0]) != NULL) return NULL;
    const eng_table *t = sql_bind_find_table(q->b->bc, &tn->name);
    return t != NULL && t->rowtype_oid != 0 && (t->kind == 'r' || t->kind == 'v' || t->kind == 'c')
               ? t : NULL;
}

static sql_expr *sql_rowtype_cast_fail(sql_qlevel *q, const sql_expr *arg, const eng_table *t,
                                       uint32_t loc, const char *detail) {
    sql_bind_error(q->b, loc, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s",
                   arg->type_oid == SQL_T_RECORD ? "record" : sql_type_name(arg->type_oid),
                   t->name);
    if (detail != NULL) rt_err_detail(q->b->bc->err, "%s", detail);
    return NULL;
}

/* x::t for a table's row type t: a ROW cast column by column, a literal read by record_in. */
sql_expr *sql_bind_rowtype_cast(sql_qlevel *q, sql_expr *arg, const eng_table *t,
                                uint32_t loc) {
    uint32_t n = 0;
    rt_arena *a = q->b->arena;
    const char **names = rt_arena_alloc(a, sizeof(char *) * (t->column_count + 1u));
    uint32_t *types = rt_arena_alloc(a, sizeof(uint32_t) * (t->column_count + 1u));
    int32_t *typmods = rt_arena_alloc(a, sizeof(int32_t) * (t->column_count + 1u));
    if (names == NULL || types == NULL || typmods == NULL) return NULL;
    for (uint32_t i = 0; i < t->column_count; i++) {
        const eng_column *c = &t->columns[i];
        if (c->dropped) continue;
        if (c->domain_oid != 0) {
            sql_bind_error(q->b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "casts to a row type with a domain column are not supported yet");
            return NULL;
        }
        names[n] = c->name;
        types[n] = c->type_oid;
        typmods[n++] = c->typmod;
    }
    if (arg->type_oid == t->rowtype_oid) return arg;
    if (arg->kind == SQL_X_PARAM && arg->type_oid == SQL_T_UNKNOWN) { /* $1::t: a value of t */
        q->b->param_types[arg->param - 1] = t->rowtype_oid;
        arg->type_oid = t->rowtype_oid;
        arg->typmod = -1;
        return arg;
    }
    if (arg->kind == SQL_X_CONST && arg->type_oid == SQL_T_UNKNOWN) {
        sql_value v = {.type_oid = t->rowtype_oid, .is_null = true};
        if (!arg->constval.is_null) {
            sql_fmt fmt = {.extra_float_digits = 1};
            sql_io_ctx io = {.arena = a, .fmt = &fmt, .err = q->b->bc->err};
            if (!sql_record_in(&io, (const char *)arg->constval.b.ptr, arg->constval.b.len,
                               t->rowtype_oid, t->name, n, names, types, typmods, &v)) {
                q->b->bc->err->position = loc + 1;
                return NULL;
            }
        }
        return sql_expr_const(a, &v, -1);
    }
    if (arg->kind != SQL_X_ROW) return sql_rowtype_cast_fail(q, arg, t, loc, NULL);
    if (arg->nargs != n) {
        return sql_rowtype_cast_fail(q, arg, t, loc, arg->nargs < n ? "Input has too few columns."
                                                                    : "Input has too many columns.");
    }
    sql_expr **args = rt_arena_alloc(a, sizeof(sql_expr *) * (n + 1u));
    if (args == NULL) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        args[i] = sql_bind_coerce(q, arg->args[i], types[i], typmods[i], SQL_CAST_EXPLICIT, loc,
                                  NULL);
        if (args[i] == NULL) return NULL;
    }
    return sql_bind_record_of(q, args, n, t->rowtype_oid, names, loc);
}

bool sql_bind_array_type_error(sql_binder *b, uint32_t loc, const char *sqlstate,
                               uint32_t elem) {
    if (sql_type_is_record(elem)) {
        return sql_bind_error(b, loc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "arrays of composite values are not supported yet");
    }
    return sql_bind_error(b, loc, sqlstate, "could not find array type for data type %s",
                          sql_type_name(elem));
}

sql_expr *sql_bind_field_assign(sql_qlevel *q, sql_expr *base, const char *column,
                                const char *field, const sql_node *value, uint32_t loc) {
    sql_binder *b = q->b;
    const eng_table *t = sql_bind_rowtype_table(b->bc->db, base->type_oid);
    if (t == NULL || base->type_oid == SQL_T_RECORD) {
        sql_bind_error(b, loc, SQLSTATE_DATATYPE_MISMATCH,
                       "cannot assign to field \"%s\" of column \"%s\" because its type %s is "
                       "not a composite type", field, column, sql_type_name(base->type_oid));
        return NULL;
    }
    sql_expr **args = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (t->column_count + 1u));
    const char **names = rt_arena_alloc(b->arena, sizeof(char *) * (t->column_count + 1u));
    if (args == NULL || names == NULL) return NULL;
    uint32_t n = 0;
    bool found = false;
    for (uint32_t i = 0; i < t->column_count; i++) {
        const eng_column *c = &t->columns[i];
        if (c->dropped) continue;
        if (strcmp(c->name, field) == 0) {
            char *what = rt_arena_sprintf(b->arena, "column \"%s\"", column);
            args[n] = sql_bind_expr_as(q, value, c->type_oid, c->typmod, SQL_CAST_ASSIGNMENT,
                                       what);
            found = true;
        } else { /* (base).c, NULL when base is */
            args[n] = sql_expr_new(b->arena, SQL_X_FIELD, c->type_oid, 1);
            if (args[n] != NULL) {
                args[n]->typmod = c->typmod;
                args[n]->args[0] = base;
                args[n]->field.index = n;
                args[n]->field.name = c->name;
            }
        }
        if (args[n] == NULL) return NULL;
        names[n++] = c->name;
    }
    if (!found) {
        sql_bind_error(b, loc, SQLSTATE_UNDEFINED_COLUMN,
                       "cannot assign to field \"%s\" of column \"%s\" because there is no such "
                       "column in data type %s", field, column, t->name);
        return NULL;
    }
    return sql_bind_record_of(q, args, n, t->rowtype_oid, names, loc);
}
