/* sql_ddl_fk.c: FOREIGN KEY definitions (sql_fk.h): resolving the referenced table and columns
 * (its primary key when none are named; else a primary key or unique constraint with exactly
 * those columns), type compatibility, PostgreSQL's generated names (child_a_b_fkey), and the
 * check of existing rows when ALTER TABLE adds or validates one. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_fk.h"
#include "sql/sql_exec.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"

/* Resolves column names of `t` for a foreign key; 42703 for an unknown one. */
static bool ddl_fk_columns(const eng_table *t, const char *const *names, uint32_t n,
                           uint16_t *attnums, rt_err *err) {
    if (n > ENG_INDEX_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS,
                          "cannot have more than %d keys in a foreign key",
                          ENG_INDEX_COLUMNS_MAX);
    }
    for (uint32_t i = 0; i < n; i++) {
        const eng_column *c = eng_table_column_by_name(t, names[i]);
        if (c == NULL || c->dropped) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                              "column \"%s\" referenced in foreign key constraint does not exist",
                              names[i]);
        }
        attnums[i] = c->attnum;
    }
    return true;
}

/* True if `ix` is a unique (or primary key) index over exactly the columns `attnums`, in any
 * order, that a foreign key may reference (no partial index). */
static bool ddl_fk_index_matches(const eng_index *ix, const uint16_t *attnums, uint32_t n) {
    if (!(ix->unique || ix->primary) || ix->column_count != n || ix->predicate_text != NULL) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        bool found = false;
        for (uint32_t k = 0; k < n && !found; k++) found = ix->attnums[k] == attnums[i];
        if (!found) return false;
    }
    return true;
}

/* The referenced columns: those named (a unique key must have exactly them: 42830), or the
 * primary key (42704 when there is none). */
static bool ddl_fk_ref_columns(const eng_table *ref, const sql_constraint *con, uint16_t *attnums,
                               uint32_t *n, rt_err *err) {
    if (con->fk_cols.count == 0) {
        if (ref->pk_count == 0) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                              "there is no primary key for referenced table \"%s\"", ref->name);
        }
        memcpy(attnums, ref->pk_attnums, sizeof(uint16_t) * ref->pk_count);
        *n = ref->pk_count;
        return true;
    }
    *n = con->fk_cols.count;
    if (!ddl_fk_columns(ref, (const char *const *)con->fk_cols.items, *n, attnums, err)) {
        return false;
    }
    for (uint32_t i = 0; i < ref->index_count; i++) {
        if (ddl_fk_index_matches(&ref->indexes[i], attnums, *n)) return true;
    }
    return rt_err_set(err, SQLSTATE_INVALID_FOREIGN_KEY,
                      "there is no unique constraint matching given keys for referenced table "
                      "\"%s\"", ref->name);
}

/* Whether the referenced key's equality can take the referencing type (PostgreSQL: an
 * operator of the key's btree family after an implicit cast of the referencing value): the
 * same type; integers for an integer key; integers or numeric for numeric; any number for a
 * float; any two strings; any two of date, timestamp, timestamptz. */
static bool ddl_fk_types_compatible(uint32_t fk, uint32_t pk) {
    if (fk == pk) return true;
    const sql_type_def *tf = sql_type_by_oid(fk), *tp = sql_type_by_oid(pk);
    if (tf == NULL || tp == NULL || tf->category != tp->category) return false;
    if (tf->category == 'S') return true;
    if (tf->category == 'N') {
        bool fk_int = sql_type_is_integer(fk), pk_int = sql_type_is_integer(pk);
        if (pk_int) return fk_int;
        if (pk == SQL_T_NUMERIC) return fk_int || fk == SQL_T_NUMERIC;
        if (pk == SQL_T_FLOAT4 || pk == SQL_T_FLOAT8) {
            return fk_int || fk == SQL_T_NUMERIC || fk == SQL_T_FLOAT4 || fk == SQL_T_FLOAT8;
        }
        return false;
    }
    bool f_ts = fk == SQL_T_DATE || fk == SQL_T_TIMESTAMP || fk == SQL_T_TIMESTAMPTZ;
    bool p_ts = pk == SQL_T_DATE || pk == SQL_T_TIMESTAMP || pk == SQL_T_TIMESTAMPTZ;
    return tf->category == 'D' && f_ts && p_ts;
}

bool sql_ddl_fk_check_types(sql_ddl_ctx *dc, const eng_table *t, const eng_table *ref,
                            const eng_constraint *c, rt_err *err) {
    for (uint32_t i = 0; i < c->column_count; i++) {
        const eng_column *fc = &t->columns[c->attnums[i] - 1];
        const eng_column *pc = &ref->columns[c->ref_attnums[i] - 1];
        if (ddl_fk_types_compatible(fc->type_oid, pc->type_oid)) continue;
        sql_strbuf a, b;
        sql_strbuf_init(&a, dc->bc->arena, 32);
        sql_strbuf_init(&b, dc->bc->arena, 32);
        sql_type_format(fc->type_oid, -1, &a);
        sql_type_format(pc->type_oid, -1, &b);
        sql_strbuf_putc(&a, '\0');
        sql_strbuf_putc(&b, '\0');
        if (a.failed || b.failed) return rt_arena_fail(dc->bc->arena, err);
        rt_err_set(err, SQLSTATE_DATATYPE_MISMATCH,
                   "foreign key constraint \"%s\" cannot be implemented", c->name);
        rt_err_detail(err, "Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.",
                      fc->name, pc->name, a.data, b.data);
        return false;
    }
    return true;
}

/* The referenced table: `t` itself when the name is its own (CREATE TABLE of a table that
 * refers to itself is not in the draft yet), else a table of the draft. */
static const eng_table *ddl_fk_ref_table(sql_ddl_ctx *dc, const eng_table *t,
                                         const sql_constraint *con, rt_err *err) {
    const sql_name *n = &con->fk_table;
    const char *rel = n->parts[n->count - 1];
    bool self_schema = n->count < 2;
    if (!self_schema) {
        const eng_schema *s = eng_db_schema_by_name(dc->bc->db, n->parts[n->count - 2]);
        self_schema = s != NULL && s->oid == t->schema_oid;
    }
    if (self_schema && strcmp(rel, t->name) == 0) {
        const eng_table *found = sql_bind_find_table(dc->bc, n);
        if (found == NULL || found->oid == t->oid) return t;
    }
    const eng_table *ref = sql_ddl_find_rel(dc, n, 0, false, NULL, err);
    if (ref != NULL && !sql_ddl_table_priv(dc, ref, ENG_ACL_REFERENCES, err)) return NULL;
    if (ref != NULL && ref->kind != 'r') {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "referenced relation \"%s\" is not a table",
                   rel);
        return NULL;
    }
    if (ref != NULL && ref->persistence != 't' && t->persistence == 't') return ref;
    if (ref != NULL && ref->persistence != 'p' && t->persistence == 'p') {
        rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                   "constraints on permanent tables may reference only permanent tables");
        return NULL;
    }
    if (ref != NULL && ref->persistence == 't' && t->persistence == 'u') {
        rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                   "constraints on unlogged tables may reference only permanent or unlogged "
                   "tables");
        return NULL;
    }
    return ref;
}

/* PostgreSQL's name: table_col1_col2_fkey (columns joined while they fit). */
static void ddl_fk_name(sql_ddl_ctx *dc, const eng_table *t, eng_constraint *c) {
    char cols[ENG_NAME_BYTES * 2];
    size_t len = 0;
    cols[0] = '\0';
    for (uint32_t i = 0; i < c->column_count && len < ENG_NAME_BYTES; i++) {
        len += (size_t)snprintf(cols + len, sizeof cols - len, "%s%s", i > 0 ? "_" : "",
                                t->columns[c->attnums[i] - 1].name);
    }
    cols[ENG_NAME_BYTES - 1] = '\0';
    sql_ddl_choose_name(dc, t->schema_oid, t, t->name, cols, "fkey", c->name);
}

static char ddl_fk_action_code(sql_fk_action a) {
    switch (a) {
    case SQL_FK_RESTRICT: return 'r';
    case SQL_FK_CASCADE: return 'c';
    case SQL_FK_SET_NULL: return 'n';
    case SQL_FK_SET_DEFAULT: return 'd';
    default: return 'a';
    }
}

bool sql_ddl_add_fk(sql_ddl_ctx *dc, eng_table *t, const sql_constraint *con,
                    const char *column, rt_err *err) {
    eng_constraint *c = &t->constraints[t->constraint_count];
    memset(c, 0, sizeof *c);
    uint32_t n = column != NULL ? 1u : con->keys.count;
    const char *const *names = column != NULL ? &column : (const char *const *)con->keys.items;
    if (!ddl_fk_columns(t, names, n, c->attnums, err)) return false;
    const eng_table *ref = ddl_fk_ref_table(dc, t, con, err);
    if (ref == NULL) return false;
    uint32_t nref = 0;
    if (!ddl_fk_ref_columns(ref, con, c->ref_attnums, &nref, err)) return false;
    if (nref != n) {
        return rt_err_set(err, SQLSTATE_INVALID_FOREIGN_KEY,
                          "number of referencing and referenced columns for foreign key "
                          "disagree");
    }
    c->column_count = (uint16_t)n;
    if (con->name != NULL) {
        for (uint32_t i = 0; i < t->constraint_count; i++) {
            if (strcmp(t->constraints[i].name, con->name) != 0) continue;
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "constraint \"%s\" for relation \"%s\" already exists", con->name,
                              t->name);
        }
        snprintf(c->name, sizeof c->name, "%s", con->name);
    } else {
        ddl_fk_name(dc, t, c);
    }
    if (!sql_ddl_fk_check_types(dc, t, ref, c, err)) return false;
    c->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    c->kind = 'f';
    c->table_oid = t->oid;
    c->ref_table_oid = ref->oid;
    c->on_delete = ddl_fk_action_code(con->fk_on_delete);
    c->on_update = ddl_fk_action_code(con->fk_on_update);
    c->match = con->fk_match == 'f' ? 'f' : 's';
    c->deferrable = con->deferrable;
    c->deferred = con->initially_deferred;
    c->validated = !con->not_valid;
    t->constraint_count++;
    return true;
}

/* ---- existing rows ---- */

bool sql_ddl_existing_rows(sql_ddl_ctx *dc, const sql_strbuf *sb, uint64_t *rows,
                          sql_value *first, rt_err *err) {
    if (sb->failed) return rt_arena_fail(dc->bc->arena, err);
    sql_exec_ctx x = *dc->x;
    x.db = dc->bc->db;
    x.catalog = dc->bc->catalog;
    x.err = err;
    x.fk = NULL;
    *rows = 0;
    return sql_fk_run_sql(&x, sb->data, NULL, 0, rows, first, dc->bc->arena);
}

/* The existing rows of `t` against foreign key `con`: one query finds a referencing key that
 * no referenced row has (23503 with that key, as PostgreSQL reports it). */
bool sql_ddl_fk_validate(sql_ddl_ctx *dc, const eng_table *t, const eng_constraint *con,
                         rt_err *err) {
    const eng_database *db = dc->bc->db;
    const eng_table *ref = con->ref_table_oid == t->oid
                               ? t : eng_db_table_by_oid(db, con->ref_table_oid);
    if (ref == NULL || dc->x == NULL) return true;
    sql_strbuf sb;
    sql_strbuf_init(&sb, dc->bc->arena, 512);
    sql_strbuf_puts(&sb, "SELECT ");
    for (uint32_t i = 0; i < con->column_count; i++) {
        sql_strbuf_puts(&sb, i > 0 ? ", c." : "c.");
        sql_strbuf_put_ident(&sb, t->columns[con->attnums[i] - 1].name);
    }
    sql_strbuf_puts(&sb, " FROM ");
    sql_fk_put_relname(&sb, db, t);
    sql_strbuf_puts(&sb, " c WHERE ");
    for (uint32_t i = 0; i < con->column_count; i++) {
        sql_strbuf_puts(&sb, i > 0 ? (con->match == 'f' ? " OR " : " AND ") : "(");
        sql_strbuf_puts(&sb, "c.");
        sql_strbuf_put_ident(&sb, t->columns[con->attnums[i] - 1].name);
        sql_strbuf_puts(&sb, " IS NOT NULL");
    }
    sql_strbuf_puts(&sb, ") AND NOT EXISTS (SELECT 1 FROM ");
    sql_fk_put_relname(&sb, db, ref);
    sql_strbuf_puts(&sb, " p WHERE ");
    for (uint32_t i = 0; i < con->column_count; i++) {
        if (i > 0) sql_strbuf_puts(&sb, " AND ");
        sql_strbuf_puts(&sb, "p.");
        sql_strbuf_put_ident(&sb, ref->columns[con->ref_attnums[i] - 1].name);
        sql_strbuf_puts(&sb, " = c.");
        sql_strbuf_put_ident(&sb, t->columns[con->attnums[i] - 1].name);
    }
    sql_strbuf_puts(&sb, ") LIMIT 1");
    sql_strbuf_putc(&sb, '\0');
    uint64_t rows;
    sql_value key[ENG_INDEX_COLUMNS_MAX];
    if (!sql_ddl_existing_rows(dc, &sb, &rows, key, err)) return false;
    if (rows == 0) return true;
    char text[RT_ERR_DETAIL_BYTES_MAX];
    sql_fk_key_text(dc->x, t, con->attnums, key, con->column_count, text, sizeof text);
    rt_err_set(err, SQLSTATE_FOREIGN_KEY_VIOLATION,
               "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
               t->name, con->name);
    if (con->match == 'f') {
        bool nulls = false;
        for (uint32_t i = 0; i < con->column_count; i++) nulls |= key[i].is_null;
        if (nulls) {
            rt_err_detail(err, "MATCH FULL does not allow mixing of null and nonnull key values.");
            rt_err_names(err, t->name, con->name);
            return false;
        }
    }
    rt_err_detail(err, "%.900s is not present in table \"%s\".", text, ref->name);
    rt_err_names(err, t->name, con->name);
    return false;
}
