/* sql_ddl_ctype.c: CREATE TYPE ... AS (...), ALTER TYPE of a composite type and DROP TYPE.
 * A composite type is what PostgreSQL makes of it: a pg_class entry of relkind 'c' (an
 * eng_table without storage) whose columns are the attributes, and its row type (pg_type
 * typtype 'c', typrelid the entry) with the array type "_name". Its values are records of that
 * row type (sql_record.h), as a table's row type's are; (v).a, casts and comparison come from
 * there. DROP TYPE dispatches on what the name is: a domain, a composite type, or a table's
 * row type (refused, as PostgreSQL: the table requires it). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_record.h"

/* The relation `n` names when it is a composite type, NULL otherwise. */
static const eng_table *ctype_find(sql_ddl_ctx *dc, const sql_name *n) {
    const eng_table *t = sql_bind_find_table(dc->bc, n);
    return t != NULL && t->kind == 'c' ? t : NULL;
}

/* One attribute's type and collation (CREATE TYPE, ADD ATTRIBUTE, ALTER ATTRIBUTE TYPE). */
static bool ctype_attr_type(sql_ddl_ctx *dc, const sql_columndef *cd, eng_column *col,
                            rt_err *err) {
    const eng_domain *domain;
    bool array;
    if (!sql_bind_typename_domain(dc->bc, cd->type, &col->type_oid, &col->typmod, &domain,
                                  &array)) {
        return false;
    }
    if (sql_type_is_record(col->type_oid)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "attributes of a composite type in a composite type are not "
                          "supported yet");
    }
    col->domain_oid = domain == NULL ? 0 : array ? domain->array_oid : domain->oid;
    if (col->type_oid == SQL_T_VECTOR && col->typmod > 0) col->vector_dims = (uint32_t)col->typmod;
    col->store = (uint8_t)eng_store_of_type(col->type_oid);
    col->collation = 0;
    if (cd->collation.count > 0) {
        const sql_type_def *td = sql_type_by_oid(col->type_oid);
        if (td == NULL || td->collation == 0) {
            sql_strbuf tn;
            sql_strbuf_init(&tn, dc->bc->arena, 32);
            sql_type_format(col->type_oid, -1, &tn);
            sql_strbuf_putc(&tn, '\0');
            return rt_err_set(err, SQLSTATE_DATATYPE_MISMATCH,
                              "collations are not supported by type %s",
                              tn.failed ? "?" : tn.data);
        }
        const char *c = cd->collation.parts[cd->collation.count - 1];
        col->collation = strcmp(c, "C") == 0 || strcmp(c, "POSIX") == 0 ? 950u : 0u;
    }
    return true;
}

/* True (with the error set) when `name` is taken in `schema`: another type (42710), another
 * relation (42P07). */
static bool ctype_name_taken(const eng_database *db, uint32_t schema_oid, const char *name,
                             rt_err *err) {
    if (sql_ddl_type_name_taken(db, schema_oid, name)) {
        rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", name);
        return true;
    }
    if (sql_ddl_relname_taken(db, schema_oid, name)) {
        rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return true;
    }
    return false;
}

bool sql_ddl_create_composite(sql_ddl_ctx *dc, const sql_create_composite *cc, rt_err *err) {
    uint32_t schema_oid;
    const char *name;
    if (!sql_bind_creation_schema(dc->bc, &cc->name, &schema_oid, &name)) return false;
    if (schema_oid == ENG_OID_PG_CATALOG || schema_oid == ENG_OID_INFORMATION_SCHEMA) {
        rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied to create \"%s.%s\"",
                   schema_oid == ENG_OID_PG_CATALOG ? "pg_catalog" : "information_schema",
                   name);
        rt_err_detail(err, "System catalog modifications are currently disallowed.");
        return false;
    }
    if (!sql_ddl_may_create(dc, schema_oid, err)) return false;
    if (ctype_name_taken(dc->bc->db, schema_oid, name, err)) return false;
    if (cc->attrs.count > ENG_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most %d columns",
                          ENG_COLUMNS_MAX);
    }
    rt_arena *a = dc->bc->arena;
    eng_table t;
    memset(&t, 0, sizeof t);
    t.columns = rt_arena_zalloc(a, sizeof(eng_column) * (cc->attrs.count + 1u));
    if (t.columns == NULL) return rt_arena_fail(a, err);
    snprintf(t.name, sizeof t.name, "%s", name);
    t.schema_oid = schema_oid;
    t.owner_oid = dc->user_oid;
    t.kind = 'c';
    t.persistence = 'p';
    t.on_commit = 'p';
    t.fillfactor = 100;
    for (uint32_t i = 0; i < cc->attrs.count; i++) {
        const sql_columndef *cd = SQL_LIST_AT(cc->attrs, i);
        if (eng_table_column_by_name(&t, cd->name) != NULL) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                              "column \"%s\" specified more than once", cd->name);
        }
        eng_column *col = &t.columns[t.column_count++];
        snprintf(col->name, sizeof col->name, "%s", cd->name);
        col->attnum = (uint16_t)(i + 1);
        if (!ctype_attr_type(dc, cd, col, err)) return false;
    }
    t.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    t.def_gen = eng_catalog_def_gen();
    eng_draft_add_table(sql_ddl_draft(dc), dc->db_oid, &t);
    sql_ddl_db(dc);
    return true;
}

bool sql_ddl_column_type_ok(uint32_t type_oid, rt_err *err) {
    if (!sql_type_is_record(type_oid)) return true;
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "ALTER COLUMN ... TYPE to a composite type is not supported yet");
}

/* ---- ALTER TYPE ---- */

uint32_t sql_ddl_rowtype_users(const eng_database *db, const eng_table *type, char *detail,
                            size_t cap) {
    size_t len = 0;
    uint32_t n = 0;
    if (cap > 0) detail[0] = '\0';
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            bool array = col->type_oid == type->rowtype_array_oid;
            if (col->dropped || (col->type_oid != type->rowtype_oid && !array)) continue;
            if (len < cap) {
                len += (size_t)snprintf(detail + len, cap - len,
                                        "%scolumn %s of %s %s depends on type %s%s",
                                        n > 0 ? "\n" : "", col->name,
                                        t->kind == 'c' ? "composite type" : "table", t->name,
                                        type->name, array ? "[]" : "");
            }
            n++;
        }
    }
    return n;
}

static bool ctype_alter_add(sql_ddl_ctx *dc, eng_table *t, const sql_alter_composite_cmd *c,
                            rt_err *err) {
    if (eng_table_column_by_name(t, c->def->name) != NULL) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                          "column \"%s\" of relation \"%s\" already exists", c->def->name,
                          t->name);
    }
    if (t->column_count >= ENG_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most %d columns",
                          ENG_COLUMNS_MAX);
    }
    eng_column *col = &t->columns[t->column_count];
    memset(col, 0, sizeof *col);
    snprintf(col->name, sizeof col->name, "%s", c->def->name);
    col->attnum = (uint16_t)(t->column_count + 1);
    if (!ctype_attr_type(dc, c->def, col, err)) return false;
    t->column_count++;
    return true;
}

static eng_column *ctype_attr(eng_table *t, const char *name) {
    for (uint32_t i = 0; i < t->column_count; i++) {
        if (!t->columns[i].dropped && strcmp(t->columns[i].name, name) == 0) {
            return &t->columns[i];
        }
    }
    return NULL;
}

static bool ctype_missing_attr(sql_ddl_ctx *dc, const eng_table *t, const char *name,
                               bool if_exists, rt_err *err) {
    if (if_exists) {
        sql_ddl_notice(dc, "00000", "column \"%s\" of relation \"%s\" does not exist, skipping",
                       name, t->name);
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                      "column \"%s\" of relation \"%s\" does not exist", name, t->name);
}

static bool ctype_alter_cmd(sql_ddl_ctx *dc, eng_table *t, const sql_alter_composite_cmd *c,
                            rt_err *err) {
    switch (c->cmd) {
    case SQL_AC_ADD_ATTR: return ctype_alter_add(dc, t, c, err);
    case SQL_AC_DROP_ATTR: {
        eng_column *col = ctype_attr(t, c->name);
        if (col == NULL) return ctype_missing_attr(dc, t, c->name, c->if_exists, err);
        col->dropped = true;
        snprintf(col->name, sizeof col->name, "........pg.dropped.%u........", col->attnum);
        col->domain_oid = 0;
        return true;
    }
    case SQL_AC_ALTER_ATTR_TYPE: {
        eng_column *col = ctype_attr(t, c->name);
        if (col == NULL) return ctype_missing_attr(dc, t, c->name, false, err);
        return ctype_attr_type(dc, c->def, col, err);
    }
    case SQL_AC_RENAME_ATTR: {
        eng_column *col = ctype_attr(t, c->name);
        if (col == NULL) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                              c->name);
        }
        if (ctype_attr(t, c->new_name) != NULL) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                              "column \"%s\" of relation \"%s\" already exists", c->new_name,
                              t->name);
        }
        snprintf(col->name, sizeof col->name, "%s", c->new_name);
        return true;
    }
    case SQL_AC_RENAME:
        if (sql_ddl_relname_taken(dc->bc->db, t->schema_oid, c->new_name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                              c->new_name);
        }
        if (ctype_name_taken(dc->bc->db, t->schema_oid, c->new_name, err)) return false;
        snprintf(t->name, sizeof t->name, "%s", c->new_name);
        return true;
    case SQL_AC_OWNER:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER TYPE ... OWNER TO is not supported yet");
    case SQL_AC_SET_SCHEMA:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER TYPE ... SET SCHEMA is not supported yet");
    }
    return true;
}

bool sql_ddl_alter_composite(sql_ddl_ctx *dc, const sql_alter_composite *ac, rt_err *err) {
    const eng_table *old = sql_bind_find_table(dc->bc, &ac->name);
    const char *name = ac->name.parts[ac->name.count - 1];
    if (old == NULL) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
    }
    if (old->kind != 'c') {
        return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a composite type",
                          name);
    }
    if (!sql_ddl_owns(dc, old->owner_oid, "type", old->name, err)) return false;
    const sql_alter_composite_cmd *first = SQL_LIST_AT(ac->cmds, 0);
    char detail[RT_ERR_DETAIL_BYTES_MAX];
    if (first->cmd != SQL_AC_RENAME &&
        sql_ddl_rowtype_users(dc->bc->db, old, detail, sizeof detail) > 0) {
        /* Stored values carry the attributes (and names) they were written with. */
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER TYPE of a composite type in use is not supported yet");
    }
    rt_arena *a = dc->bc->arena;
    eng_table *t = rt_arena_alloc(a, sizeof *t);
    eng_column *cols = rt_arena_alloc(a, sizeof(eng_column) * (old->column_count +
                                                              ac->cmds.count + 1u));
    if (t == NULL || cols == NULL) return rt_arena_fail(a, err);
    *t = *old;
    if (old->column_count > 0) memcpy(cols, old->columns, sizeof(eng_column) * old->column_count);
    t->columns = cols;
    for (uint32_t i = 0; i < ac->cmds.count; i++) {
        if (!ctype_alter_cmd(dc, t, SQL_LIST_AT(ac->cmds, i), err)) return false;
    }
    t->def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
    sql_ddl_db(dc);
    return true;
}

/* ---- DROP TYPE ---- */

bool sql_ddl_drop_composite(sql_ddl_ctx *dc, const sql_drop *drop, const sql_name *n,
                            rt_err *err) {
    const eng_table *t = ctype_find(dc, n);
    RT_ASSERT(t != NULL);
    if (!sql_ddl_owns(dc, t->owner_oid, "type", t->name, err)) return false;
    char detail[RT_ERR_DETAIL_BYTES_MAX];
    if (sql_ddl_rowtype_users(dc->bc->db, t, detail, sizeof detail) > 0) {
        if (drop->cascade) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "DROP TYPE ... CASCADE of a composite type in use is not "
                              "supported yet");
        }
        rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                   "cannot drop type %s because other objects depend on it", t->name);
        rt_err_detail(err, "%s", detail);
        rt_err_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
        return false;
    }
    eng_draft_remove_table(sql_ddl_draft(dc), dc->db_oid, t->oid);
    sql_ddl_db(dc);
    return true;
}

bool sql_ddl_drop_type(sql_ddl_ctx *dc, const sql_drop *drop, const sql_name *n, rt_err *err) {
    const char *name = n->parts[n->count - 1];
    if (dc->bc->db != NULL) {
        const eng_enum *e = sql_bind_find_enum(dc->bc, n);
        if (e != NULL) return sql_ddl_drop_enum(dc, drop, e, err);
        if (sql_domain_find(dc->bc, n) != NULL) return sql_ddl_drop_domain(dc, drop, n, err);
    }
    const eng_table *t = sql_bind_find_table(dc->bc, n);
    if (t != NULL && t->kind == 'c') return sql_ddl_drop_composite(dc, drop, n, err);
    if (t != NULL && t->rowtype_oid != 0) {
        const char *kind = t->kind == 'v' ? "view" : "table";
        rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                   "cannot drop type %s because %s %s requires it", t->name, kind, t->name);
        rt_err_hint(err, "You can drop %s %s instead.", kind, t->name);
        return false;
    }
    if (drop->if_exists) {
        sql_ddl_notice(dc, "00000", "type \"%s\" does not exist, skipping", name);
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
}
