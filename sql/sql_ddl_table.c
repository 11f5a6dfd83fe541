/* sql_ddl_table.c: CREATE TABLE: columns of every type, DEFAULT, NOT NULL, CHECK, PRIMARY KEY
 * (the partitioning key), serial and identity columns (a sequence owned by the column), the
 * automatic HNSW index of vector columns, and storage options (fillfactor, partitions). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_fk.h"

/* A table under construction: arrays sized for everything the statement can add. */
typedef struct ddl_build {
    sql_ddl_ctx *dc;
    eng_table *t;
    const sql_constraint *pk;       /* the PRIMARY KEY (column or table constraint) */
    const char *pk_column;          /* its column when declared on the column */
    sql_list keys;                  /* UNIQUE constraints: of sql_constraint* */
    sql_list unique_columns;        /* parallel: the column of a column constraint, or NULL */
    sql_list fks;                   /* FOREIGN KEY / REFERENCES: of sql_constraint* */
    sql_list fk_columns;            /* parallel: the column of a column constraint, or NULL */
    const sql_node **default_exprs; /* per column: DEFAULT to validate */
    const sql_constraint **checks;  /* CHECK constraints to validate, parallel to check_cols */
    const char **check_cols;
    uint32_t ncheck;
    const char **seq_kind;          /* per column: "serial"... or "identity", NULL */
    const sql_constraint **identity;
} ddl_build;

static bool ddl_unsupported(rt_err *err, const char *what) {
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
}

/* A column given both a default (DEFAULT or serial's nextval) and an identity. */
static bool ddl_default_and_identity(const sql_columndef *cd, const char *tname, rt_err *err) {
    return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                      "both default and identity specified for column \"%s\" of table \"%s\"",
                      cd->name, tname);
}

/* serial types: the integer type behind them, 0 if `tn` is not one. */
static uint32_t ddl_serial_type(const sql_typename *tn) {
    if (tn->name.count != 1 || tn->array_dims != 0 || tn->typmods.count != 0) return 0;
    const char *n = tn->name.parts[0];
    if (strcmp(n, "serial") == 0 || strcmp(n, "serial4") == 0) return SQL_T_INT4;
    if (strcmp(n, "bigserial") == 0 || strcmp(n, "serial8") == 0) return SQL_T_INT8;
    if (strcmp(n, "smallserial") == 0 || strcmp(n, "serial2") == 0) return SQL_T_INT2;
    return 0;
}

static uint32_t ddl_collation(const sql_name *n) {
    if (n->count == 0) return 0;
    const char *c = n->parts[n->count - 1];
    return strcmp(c, "C") == 0 || strcmp(c, "POSIX") == 0 ? 950u : 0u;
}

static bool ddl_column_type(ddl_build *b, const sql_columndef *cd, eng_column *col,
                            rt_err *err) {
    uint32_t serial = ddl_serial_type(cd->type);
    if (serial != 0) {
        col->type_oid = serial;
        col->typmod = -1;
        col->not_null = true;
        b->seq_kind[col->attnum - 1] = "serial";
    } else {
        const eng_domain *domain;
        bool array;
        if (!sql_bind_typename_domain(b->dc->bc, cd->type, &col->type_oid, &col->typmod,
                                      &domain, &array)) {
            return false;
        }
        col->domain_oid = domain == NULL ? 0 : array ? domain->array_oid : domain->oid;
    }
    if (col->type_oid == SQL_T_VECTOR) {
        if (col->typmod < 1) {
            rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "vector column \"%s\" needs a dimension", cd->name);
            rt_err_hint(err, "Declare it as vector(n), for example vector(1536).");
            return false;
        }
        col->vector_dims = (uint32_t)col->typmod;
    }
    col->store = (uint8_t)eng_store_of_type(col->type_oid);
    col->collation = ddl_collation(&cd->collation);
    return true;
}

static bool ddl_add_check(ddl_build *b, const sql_constraint *con, const char *column) {
    b->checks[b->ncheck] = con;
    b->check_cols[b->ncheck++] = column;
    return true;
}

static bool ddl_column_constraint(ddl_build *b, const sql_columndef *cd, eng_column *col,
                                  const sql_constraint *con, bool *saw_null, rt_err *err) {
    const char *tname = b->t->name;
    switch (con->constr_kind) {
    case SQL_CONSTR_NULL:
    case SQL_CONSTR_NOTNULL:
        if (*saw_null && col->not_null != (con->constr_kind == SQL_CONSTR_NOTNULL)) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                              "conflicting NULL/NOT NULL declarations for column \"%s\" of "
                              "table \"%s\"", cd->name, tname);
        }
        *saw_null = true;
        col->not_null = con->constr_kind == SQL_CONSTR_NOTNULL;
        return true;
    case SQL_CONSTR_DEFAULT:
        if (b->identity[col->attnum - 1] != NULL) return ddl_default_and_identity(cd, tname, err);
        if (b->default_exprs[col->attnum - 1] != NULL) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                              "multiple default values specified for column \"%s\" of table "
                              "\"%s\"", cd->name, tname);
        }
        b->default_exprs[col->attnum - 1] = con->expr;
        col->default_text = con->expr_text;
        return true;
    case SQL_CONSTR_IDENTITY:
        if (b->identity[col->attnum - 1] != NULL) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                              "multiple identity specifications for column \"%s\" of table "
                              "\"%s\"", cd->name, tname);
        }
        if (b->default_exprs[col->attnum - 1] != NULL) {
            return ddl_default_and_identity(cd, tname, err);
        }
        b->identity[col->attnum - 1] = con;
        col->identity = con->identity_always ? 'a' : 'd';
        col->not_null = true;
        return true;
    case SQL_CONSTR_GENERATED: return ddl_unsupported(err, "GENERATED ... STORED");
    case SQL_CONSTR_CHECK: return ddl_add_check(b, con, cd->name);
    case SQL_CONSTR_PRIMARY:
        if (b->pk != NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                              "multiple primary keys for table \"%s\" are not allowed", tname);
        }
        b->pk = con;
        b->pk_column = cd->name;
        return true;
    case SQL_CONSTR_UNIQUE:
        return sql_list_push(b->dc->bc->arena, &b->keys, (void *)con) &&
               sql_list_push(b->dc->bc->arena, &b->unique_columns, (void *)cd->name);
    case SQL_CONSTR_FOREIGN:
        return (sql_list_push(b->dc->bc->arena, &b->fks, (void *)con) &&
                sql_list_push(b->dc->bc->arena, &b->fk_columns, (void *)cd->name)) ||
               rt_arena_fail(b->dc->bc->arena, err);
    case SQL_CONSTR_EXCLUSION: return ddl_unsupported(err, "EXCLUDE");
    }
    return true;
}

static bool ddl_columns(ddl_build *b, const sql_create_table *ct, rt_err *err) {
    eng_table *t = b->t;
    for (uint32_t i = 0; i < ct->columns.count; i++) {
        const sql_columndef *cd = SQL_LIST_AT(ct->columns, i);
        if (eng_table_column_by_name(t, cd->name) != NULL) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                              "column \"%s\" specified more than once", cd->name);
        }
        eng_column *col = &t->columns[t->column_count++];
        memset(col, 0, sizeof *col);
        snprintf(col->name, sizeof col->name, "%s", cd->name);
        col->attnum = (uint16_t)(i + 1);
        if (!ddl_column_type(b, cd, col, err)) return false;
        bool saw_null = false;
        for (uint32_t j = 0; j < cd->constraints.count; j++) {
            if (!ddl_column_constraint(b, cd, col, SQL_LIST_AT(cd->constraints, j), &saw_null,
                                       err)) {
                return false;
            }
        }
        if (b->seq_kind[i] != NULL && b->identity[i] != NULL) {
            return ddl_default_and_identity(cd, t->name, err);
        }
        if (b->seq_kind[i] != NULL && b->default_exprs[i] != NULL) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                              "multiple default values specified for column \"%s\" of table "
                              "\"%s\"", cd->name, t->name);
        }
        if (b->identity[i] != NULL) b->seq_kind[i] = "identity";
        if (b->identity[i] != NULL && col->type_oid != SQL_T_INT2 &&
            col->type_oid != SQL_T_INT4 && col->type_oid != SQL_T_INT8) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "identity column type must be smallint, integer, or bigint");
        }
    }
    return true;
}

static bool ddl_table_constraints(ddl_build *b, const sql_create_table *ct, rt_err *err) {
    for (uint32_t i = 0; i < ct->constraints.count; i++) {
        const sql_constraint *con = SQL_LIST_AT(ct->constraints, i);
        switch (con->constr_kind) {
        case SQL_CONSTR_CHECK: ddl_add_check(b, con, NULL); break;
        case SQL_CONSTR_PRIMARY:
            if (b->pk != NULL) {
                return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                                  "multiple primary keys for table \"%s\" are not allowed",
                                  b->t->name);
            }
            b->pk = con;
            break;
        case SQL_CONSTR_UNIQUE:
            if (!sql_list_push(b->dc->bc->arena, &b->keys, (void *)con) ||
                !sql_list_push(b->dc->bc->arena, &b->unique_columns, NULL)) {
                return rt_arena_fail(b->dc->bc->arena, err);
            }
            break;
        case SQL_CONSTR_FOREIGN:
            if (!sql_list_push(b->dc->bc->arena, &b->fks, (void *)con) ||
                !sql_list_push(b->dc->bc->arena, &b->fk_columns, NULL)) {
                return rt_arena_fail(b->dc->bc->arena, err);
            }
            break;
        case SQL_CONSTR_EXCLUSION: return ddl_unsupported(err, "EXCLUDE");
        default:
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "misplaced constraint in CREATE TABLE");
        }
    }
    return true;
}

/* A column constraint of a key: the same constraint with keys = (column). */
static const sql_constraint *ddl_on_column(ddl_build *b, const sql_constraint *con,
                                           const char *column, rt_err *err) {
    if (column == NULL) return con;
    sql_constraint *c = rt_arena_alloc(b->dc->bc->arena, sizeof *c);
    if (c == NULL) {
        rt_arena_fail(b->dc->bc->arena, err);
        return NULL;
    }
    *c = *con;
    memset(&c->keys, 0, sizeof c->keys);
    if (!sql_list_push(b->dc->bc->arena, &c->keys, (void *)column)) {
        rt_arena_fail(b->dc->bc->arena, err);
        return NULL;
    }
    return c;
}

static bool ddl_keys(ddl_build *b, rt_err *err) {
    if (b->pk != NULL) {
        const sql_constraint *pk = ddl_on_column(b, b->pk, b->pk_column, err);
        if (pk == NULL || !sql_ddl_add_key(b->dc, b->t, pk, err)) return false;
    }
    for (uint32_t i = 0; i < b->keys.count; i++) {
        const sql_constraint *u = ddl_on_column(b, SQL_LIST_AT(b->keys, i),
                                                SQL_LIST_AT(b->unique_columns, i), err);
        if (u == NULL || !sql_ddl_add_key(b->dc, b->t, u, err)) return false;
    }
    return true;
}

/* The column of `t` a CHECK's text names, when it names exactly one: PostgreSQL names the
 * constraint after it (t_a_check), and t_check otherwise. */
static const char *ddl_check_column(const eng_table *t, const char *text) {
    const char *found = NULL;
    const char *p = text;
    while (*p != '\0') {
        if (*p == '\'') { /* skip string literals */
            for (p++; *p != '\0' && *p != '\''; p++) {}
            if (*p != '\0') p++;
            continue;
        }
        if (!isalpha((unsigned char)*p) && *p != '_') {
            p++;
            continue;
        }
        char word[ENG_NAME_BYTES];
        size_t n = 0;
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '$') {
            if (n < sizeof word - 1) word[n++] = (char)tolower((unsigned char)*p);
            p++;
        }
        word[n] = '\0';
        const eng_column *c = eng_table_column_by_name(t, word);
        if (c == NULL || c->dropped) continue;
        if (found != NULL && strcmp(found, c->name) != 0) return NULL;
        found = c->name;
    }
    return found;
}

bool sql_ddl_add_check(sql_ddl_ctx *dc, eng_table *t, const sql_constraint *con,
                       const char *column, rt_err *err) {
    sql_expr *e;
    if (!sql_bind_table_expr(dc->bc, t, con->expr, SQL_T_BOOL, -1, &e)) return false;
    eng_constraint *c = &t->constraints[t->constraint_count];
    memset(c, 0, sizeof *c);
    if (con->name != NULL) {
        for (uint32_t i = 0; i < t->constraint_count; i++) {
            if (strcmp(t->constraints[i].name, con->name) != 0) continue;
            if (eng_db_table_by_oid(dc->bc->db, t->oid) == NULL) { /* CREATE TABLE */
                return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                                  "check constraint \"%s\" already exists", con->name);
            }
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "constraint \"%s\" for relation \"%s\" already exists",
                              con->name, t->name);
        }
        snprintf(c->name, sizeof c->name, "%s", con->name);
    } else {
        if (column == NULL) column = ddl_check_column(t, con->expr_text);
        sql_ddl_choose_name(dc, t->schema_oid, t, t->name, column, "check", c->name);
    }
    c->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    c->kind = 'c';
    c->table_oid = t->oid;
    c->check_text = con->expr_text;
    c->validated = true;
    c->on_delete = c->on_update = 'a';
    c->match = 's';
    t->constraint_count++;
    return true;
}

/* Notes in *oid the sequence of every nextval call under `e`: UINT32_MAX once two differ. */
static void ddl_default_sequence_walk(const sql_expr *e, uint32_t *oid) {
    if (e == NULL) return;
    if (e->kind == SQL_X_FUNC && e->func.def != NULL && e->func.def->oid == 1574 /* nextval */ &&
        e->nargs == 1 && e->args[0]->kind == SQL_X_CONST &&
        e->args[0]->type_oid == SQL_T_REGCLASS && !e->args[0]->constval.is_null) {
        uint32_t seq = (uint32_t)e->args[0]->constval.i64;
        *oid = *oid == 0 || *oid == seq ? seq : UINT32_MAX;
    }
    for (uint32_t i = 0; i < e->nargs; i++) ddl_default_sequence_walk(e->args[i], oid);
}

uint32_t sql_ddl_default_sequence(const sql_expr *e) {
    uint32_t oid = 0;
    ddl_default_sequence_walk(e, &oid);
    return oid == UINT32_MAX ? 0 : oid;
}

bool sql_ddl_column_sequence(sql_ddl_ctx *dc, eng_table *t, eng_column *col,
                             const sql_list *seq_options, rt_err *err) {
    eng_sequence s;
    memset(&s, 0, sizeof s);
    s.type_oid = col->type_oid;
    s.schema_oid = t->schema_oid;
    s.owner_oid = t->owner_oid;
    s.persistence = t->persistence;
    if (!sql_ddl_seq_apply(dc, &s, seq_options, true, err)) return false;
    if (s.name[0] == '\0') {
        sql_ddl_choose_name(dc, t->schema_oid, t, t->name, col->name, "seq", s.name);
    } else if (sql_ddl_relname_taken(dc->bc->db, s.schema_oid, s.name)) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                          s.name);
    }
    s.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    s.owned_by_table = t->oid;
    s.owned_by_attnum = col->attnum;
    col->default_seq = s.oid;
    /* Identity columns get the same nextval default so INSERT fills them (the catalog views
     * show identity columns without a default, as PostgreSQL). */
    const eng_schema *sch = eng_db_schema_by_oid(dc->bc->db, s.schema_oid);
    bool qualify = sch != NULL && s.schema_oid != ENG_OID_PUBLIC;
    col->default_text = qualify ? sql_ddl_printf(dc, err, "nextval('%s.%s'::regclass)",
                                                 sch->name, s.name)
                                : sql_ddl_printf(dc, err, "nextval('%s'::regclass)", s.name);
    if (col->default_text == NULL) return false;
    eng_draft_add_sequence(sql_ddl_draft(dc), dc->db_oid, &s);
    sql_ddl_db(dc);
    return true;
}

/* The sequence behind a serial or identity column: t_col_seq, owned by the column. */
static bool ddl_column_sequence(ddl_build *b, eng_column *col, rt_err *err) {
    const sql_constraint *ident = b->identity[col->attnum - 1];
    return sql_ddl_column_sequence(b->dc, b->t, col, ident != NULL ? &ident->seq_options : NULL,
                                   err);
}

static bool ddl_options(sql_ddl_ctx *dc, eng_table *t, const sql_list *opts, rt_err *err) {
    char text[512];
    size_t len = 0;
    text[0] = '\0';
    for (uint32_t i = 0; i < opts->count; i++) {
        const sql_defelem *d = SQL_LIST_AT(*opts, i);
        const sql_const *v = (const sql_const *)d->value;
        bool is_int = v != NULL && SQL_NODE_KIND(v) == SQL_N_CONST &&
                      v->const_kind == SQL_CONST_INTEGER;
        if (d->ns == NULL && strcmp(d->name, "fillfactor") == 0) {
            if (!is_int || v->int_value < 10 || v->int_value > 100) {
                rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                           "value %s out of bounds for option \"fillfactor\"",
                           v != NULL && v->text != NULL ? v->text : "");
                rt_err_detail(err, "Valid values are between \"10\" and \"100\".");
                return false;
            }
            t->fillfactor = (uint16_t)v->int_value;
        } else if (d->ns == NULL && strcmp(d->name, "partitions") == 0) {
            if (!is_int || v->int_value < 1 || v->int_value > ENG_PARTITIONS_MAX) {
                rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                           "value %s out of bounds for option \"partitions\"",
                           v != NULL && v->text != NULL ? v->text : "");
                rt_err_detail(err, "Valid values are between \"1\" and \"%d\".",
                              ENG_PARTITIONS_MAX);
                return false;
            }
            t->partition_count = (uint32_t)v->int_value;
        } else if (!(d->ns != NULL && strcmp(d->ns, "toast") == 0) &&
                   strncmp(d->name, "autovacuum_", 11) != 0 &&
                   strcmp(d->name, "parallel_workers") != 0) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "unrecognized parameter \"%s\"", d->name);
        }
        const char *val = v == NULL ? "true" : d->word != NULL ? d->word
                          : SQL_NODE_KIND(v) == SQL_N_CONST && v->text != NULL ? v->text : "";
        len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0,
                                "%s%s%s%s=%s", len > 0 ? ", " : "", d->ns ? d->ns : "",
                                d->ns ? "." : "", d->name, val);
    }
    if (len > 0) t->options_text = rt_arena_strdup(dc->bc->arena, text);
    return true;
}

/* The automatic HNSW index of every vector column (the product's promise: no CREATE INDEX
 * needed). An explicit CREATE INDEX ... USING hnsw replaces it. */
void sql_ddl_vector_index(sql_ddl_ctx *dc, eng_table *t, const eng_column *c) {
    eng_index *ix = &t->indexes[t->index_count];
    memset(ix, 0, sizeof *ix);
    ix->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    sql_ddl_choose_name(dc, t->schema_oid, t, t->name, c->name, "idx", ix->name);
    ix->table_oid = t->oid;
    ix->method = ENG_INDEX_HNSW;
    ix->automatic = true;
    ix->column_count = 1;
    ix->attnums[0] = c->attnum;
    ix->metric = ENG_METRIC_COSINE;
    ix->hnsw_m = SQL_DDL_HNSW_M_DEFAULT;
    ix->hnsw_ef_construction = SQL_DDL_HNSW_EF_DEFAULT;
    t->index_count++;
}

static void ddl_vector_indexes(sql_ddl_ctx *dc, eng_table *t) {
    for (uint32_t i = 0; i < t->column_count; i++) {
        const eng_column *c = &t->columns[i];
        if (!c->dropped && c->type_oid == SQL_T_VECTOR) sql_ddl_vector_index(dc, t, c);
    }
}

static bool ddl_build_alloc(ddl_build *b, const sql_create_table *ct, rt_err *err) {
    rt_arena *a = b->dc->bc->arena;
    uint32_t ncol = ct->columns.count + 1u, ncons = ct->constraints.count;
    uint32_t ncon_col = 0;
    for (uint32_t i = 0; i < ct->columns.count; i++) {
        ncon_col += ((const sql_columndef *)SQL_LIST_AT(ct->columns, i))->constraints.count;
    }
    eng_table *t = rt_arena_zalloc(a, sizeof *t);
    b->t = t;
    if (t != NULL) {
        t->columns = rt_arena_zalloc(a, sizeof(eng_column) * ncol);
        t->indexes = rt_arena_zalloc(a, sizeof(eng_index) * (ncol * 2 + ncons + ncon_col));
        t->constraints = rt_arena_zalloc(a, sizeof(eng_constraint) * (ncons + ncon_col + 2));
    }
    b->default_exprs = rt_arena_zalloc(a, sizeof(sql_node *) * ncol);
    b->checks = rt_arena_zalloc(a, sizeof(sql_constraint *) * (ncons + ncon_col + 1));
    b->check_cols = rt_arena_zalloc(a, sizeof(char *) * (ncons + ncon_col + 1));
    b->seq_kind = rt_arena_zalloc(a, sizeof(char *) * ncol);
    b->identity = rt_arena_zalloc(a, sizeof(sql_constraint *) * ncol);
    if (t == NULL || t->columns == NULL || t->indexes == NULL || t->constraints == NULL ||
        b->default_exprs == NULL || b->checks == NULL || b->check_cols == NULL ||
        b->seq_kind == NULL || b->identity == NULL) {
        return rt_arena_fail(a, err);
    }
    return true;
}

static bool ddl_refuse(const sql_create_table *ct, rt_err *err) {
    if (ct->as_query != NULL) return ddl_unsupported(err, "CREATE TABLE ... AS");
    if (ct->has_partition_by) return ddl_unsupported(err, "PARTITION BY");
    if (ct->has_inherits) return ddl_unsupported(err, "INHERITS");
    if (ct->like.count > 0) return ddl_unsupported(err, "CREATE TABLE ... (LIKE ...)");
    if (ct->columns.count > ENG_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most %d columns",
                          ENG_COLUMNS_MAX);
    }
    return true;
}

/* The schema of a new relation: temporary ones go to the session's pg_temp. */
static bool ddl_rel_schema(sql_ddl_ctx *dc, const sql_name *name, bool temporary,
                           uint32_t *schema_oid, const char **rel, rt_err *err) {
    if (!temporary) {
        if (!sql_bind_creation_schema(dc->bc, name, schema_oid, rel)) return false;
        if (*schema_oid == ENG_OID_PG_CATALOG || *schema_oid == ENG_OID_INFORMATION_SCHEMA) {
            return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "permission denied to create \"%s.%s\"",
                              *schema_oid == ENG_OID_PG_CATALOG ? "pg_catalog"
                                                                 : "information_schema", *rel);
        }
        if (sql_ddl_may_create(dc, *schema_oid, err)) return true;
        err->position = name->location + 1;
        return false;
    }
    if (!sql_ddl_may_create_temp(dc, err)) return false;
    *rel = name->parts[name->count - 1];
    if (name->count >= 2 && strncmp(name->parts[name->count - 2], "pg_temp", 7) != 0) {
        return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                          "cannot create temporary relation in non-temporary schema");
    }
    if (dc->bc->temp_schema_oid == 0) {
        /* The session's pg_temp schema, made on first use; the session reads the oid back
         * from bc->temp_schema_oid. */
        eng_schema s;
        memset(&s, 0, sizeof s);
        s.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
        snprintf(s.name, sizeof s.name, "pg_temp_%u", s.oid);
        s.owner_oid = dc->user_oid;
        eng_draft_add_schema(sql_ddl_draft(dc), dc->db_oid, &s);
        sql_ddl_db(dc);
        dc->bc->temp_schema_oid = s.oid;
    }
    *schema_oid = dc->bc->temp_schema_oid;
    return true;
}

static bool ddl_finish(ddl_build *b, rt_err *err) {
    sql_ddl_ctx *dc = b->dc;
    eng_table *t = b->t;
    if (!ddl_keys(b, err)) return false;
    ddl_vector_indexes(dc, t);
    for (uint32_t i = 0; i < t->column_count; i++) {
        eng_column *col = &t->columns[i];
        sql_expr *e;
        if (b->default_exprs[i] == NULL) continue;
        if (!sql_bind_column_default(dc->bc, col->name, b->default_exprs[i], col->type_oid,
                                     col->typmod, &e)) {
            return false;
        }
        col->default_seq = sql_ddl_default_sequence(e);
    }
    for (uint32_t i = 0; i < b->ncheck; i++) {
        if (!sql_ddl_add_check(dc, t, b->checks[i], b->check_cols[i], err)) return false;
    }
    /* After the keys: a table may refer to its own primary key. */
    for (uint32_t i = 0; i < b->fks.count; i++) {
        const sql_constraint *fk = SQL_LIST_AT(b->fks, i);
        if (!sql_ddl_add_fk(dc, t, fk, SQL_LIST_AT(b->fk_columns, i), err)) return false;
        t->constraints[t->constraint_count - 1].validated = true; /* a new table has no rows */
    }
    /* Everything is checked: only now does the draft change (sequences, then the table). */
    for (uint32_t i = 0; i < t->column_count; i++) {
        if (b->seq_kind[i] != NULL && !ddl_column_sequence(b, &t->columns[i], err)) return false;
    }
    eng_draft_add_table(sql_ddl_draft(dc), dc->db_oid, t);
    sql_ddl_db(dc);
    return true;
}

bool sql_ddl_create_table(sql_ddl_ctx *dc, const sql_create_table *ct, rt_err *err) {
    if (!ddl_refuse(ct, err)) return false;
    uint32_t schema_oid;
    const char *rel;
    if (!ddl_rel_schema(dc, &ct->name, ct->temporary, &schema_oid, &rel, err)) return false;
    if (sql_ddl_relname_taken(dc->bc->db, schema_oid, rel)) {
        if (ct->if_not_exists) {
            sql_ddl_notice(dc, SQLSTATE_DUPLICATE_TABLE,
                           "relation \"%s\" already exists, skipping", rel);
            return true;
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", rel);
    }
    if (sql_ddl_type_name_taken(dc->bc->db, schema_oid, rel)) { /* its row type's name */
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", rel);
    }
    ddl_build b = {.dc = dc};
    if (!ddl_build_alloc(&b, ct, err)) return false;
    eng_table *t = b.t;
    t->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    snprintf(t->name, sizeof t->name, "%s", rel);
    t->schema_oid = schema_oid;
    t->owner_oid = dc->user_oid;
    t->kind = 'r';
    t->persistence = ct->temporary ? 't' : ct->unlogged ? 'u' : 'p';
    t->on_commit = ct->on_commit == SQL_ONCOMMIT_DELETE_ROWS ? 'd'
                   : ct->on_commit == SQL_ONCOMMIT_DROP      ? 'D'
                                                             : 'p';
    t->storage_id = eng_catalog_new_storage_id(sql_ddl_draft(dc));
    t->def_gen = eng_catalog_def_gen();
    t->partition_count = dc->bc->shard_count > 0 ? dc->bc->shard_count : 1;
    t->fillfactor = 100;
    if (ct->on_commit != SQL_ONCOMMIT_NOOP && !ct->temporary) {
        return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                          "ON COMMIT can only be used on temporary tables");
    }
    if (!ddl_options(dc, t, &ct->options, err) || !ddl_columns(&b, ct, err) ||
        !ddl_table_constraints(&b, ct, err)) {
        return false;
    }
    return ddl_finish(&b, err);
}
