/* sql_ddl_index.c: CREATE INDEX (btree, hash, and HNSW with pgvector's operator classes and
 * build options) and the indexes behind PRIMARY KEY and UNIQUE constraints. The engine builds
 * a new index over the existing rows when a partition adapts to the new definition; a unique
 * index the primary key does not cover is enforced by its companion table (sql_ddl_unique.c).
 * Index expressions and WHERE predicates are bound over the table, must be IMMUTABLE (42P17),
 * and are kept as the text PostgreSQL prints (sql_ixexpr.h); they are computed over the rows
 * once in the statement so that an error there fails CREATE INDEX. */
#include <stdio.h>
#include <string.h>

#include "engine/eng_key.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_ddl_int.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_unique.h"

static bool ddl_index_name_free(sql_ddl_ctx *dc, const eng_table *t, const char *name,
                                rt_err *err) {
    bool taken = sql_ddl_relname_taken(dc->bc->db, t->schema_oid, name);
    for (uint32_t i = 0; !taken && i < t->index_count; i++) {
        taken = strcmp(t->indexes[i].name, name) == 0;
    }
    if (taken) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
    }
    return true;
}

static bool ddl_key_columns(const eng_table *t, const sql_constraint *con, uint16_t *attnums,
                            rt_err *err) {
    const char *what = con->constr_kind == SQL_CONSTR_PRIMARY ? "primary key" : "unique";
    if (con->keys.count > ENG_INDEX_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS,
                          "cannot use more than %d columns in an index", ENG_INDEX_COLUMNS_MAX);
    }
    for (uint32_t i = 0; i < con->keys.count; i++) {
        const char *name = SQL_LIST_AT(con->keys, i);
        const eng_column *c = eng_table_column_by_name(t, name);
        if (c == NULL || c->dropped) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                              "column \"%s\" named in key does not exist", name);
        }
        for (uint32_t j = 0; j < i; j++) {
            if (attnums[j] == c->attnum) {
                return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                  "column \"%s\" appears twice in %s constraint", name, what);
            }
        }
        attnums[i] = c->attnum;
    }
    return true;
}

bool sql_ddl_add_key(sql_ddl_ctx *dc, eng_table *t, const sql_constraint *con, rt_err *err) {
    bool primary = con->constr_kind == SQL_CONSTR_PRIMARY;
    uint16_t attnums[ENG_INDEX_COLUMNS_MAX];
    if (!ddl_key_columns(t, con, attnums, err)) return false;
    uint32_t n = con->keys.count;
    if (primary && t->pk_count > 0) {
        return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                          "multiple primary keys for table \"%s\" are not allowed", t->name);
    }
    eng_index *ix = &t->indexes[t->index_count];
    memset(ix, 0, sizeof *ix);
    if (con->name != NULL) {
        if (!ddl_index_name_free(dc, t, con->name, err)) return false;
        snprintf(ix->name, sizeof ix->name, "%s", con->name);
    } else if (primary) {
        sql_ddl_choose_name(dc, t->schema_oid, t, t->name, NULL, "pkey", ix->name);
    } else {
        char cols[ENG_NAME_BYTES * 2] = "";
        size_t len = 0;
        for (uint32_t i = 0; i < n && len < ENG_NAME_BYTES; i++) {
            len += (size_t)snprintf(cols + len, sizeof cols - len, "%s%s", i > 0 ? "_" : "",
                                    t->columns[attnums[i] - 1].name);
        }
        sql_ddl_choose_name(dc, t->schema_oid, t, t->name, cols, "key", ix->name);
    }
    ix->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    ix->table_oid = t->oid;
    ix->method = ENG_INDEX_BTREE;
    ix->unique = true;
    ix->primary = primary;
    ix->nulls_not_distinct = con->nulls_not_distinct;
    ix->column_count = (uint16_t)n;
    memcpy(ix->attnums, attnums, n * sizeof attnums[0]);
    t->index_count++;
    if (primary) {
        t->pk_count = (uint16_t)n;
        memcpy(t->pk_attnums, attnums, n * sizeof attnums[0]);
        for (uint32_t i = 0; i < n; i++) t->columns[attnums[i] - 1].not_null = true;
    }
    eng_constraint *c = &t->constraints[t->constraint_count++];
    memset(c, 0, sizeof *c);
    c->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    snprintf(c->name, sizeof c->name, "%s", ix->name);
    c->kind = primary ? 'p' : 'u';
    c->table_oid = t->oid;
    c->column_count = (uint16_t)n;
    memcpy(c->attnums, attnums, n * sizeof attnums[0]);
    c->index_oid = ix->oid;
    c->on_delete = c->on_update = 'a';
    c->match = 's';
    c->deferrable = con->deferrable;
    c->deferred = con->initially_deferred;
    c->validated = true;
    return true;
}

/* ---- CREATE INDEX ---- */

static bool ddl_index_method(const sql_create_index *ci, eng_index *ix, rt_err *err) {
    const char *m = ci->method != NULL ? ci->method : "btree";
    if (strcmp(m, "btree") == 0) {
        ix->method = ENG_INDEX_BTREE;
    } else if (strcmp(m, "hash") == 0) {
        ix->method = ENG_INDEX_HASH;
    } else if (strcmp(m, "hnsw") == 0) {
        ix->method = ENG_INDEX_HNSW;
    } else if (strcmp(m, "ivfflat") == 0 || strcmp(m, "gin") == 0 || strcmp(m, "gist") == 0 ||
               strcmp(m, "brin") == 0 || strcmp(m, "spgist") == 0) {
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "access method \"%s\" is not supported yet",
                   m);
        if (strcmp(m, "ivfflat") == 0) rt_err_hint(err, "Use USING hnsw for vector columns.");
        return false;
    } else {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist", m);
    }
    if (ci->unique && ix->method != ENG_INDEX_BTREE) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "access method \"%s\" does not support unique indexes", m);
    }
    return true;
}

static bool ddl_hnsw_option(const sql_defelem *d, const char *name, int64_t min, int64_t max,
                            uint16_t *out, rt_err *err) {
    const sql_const *v = (const sql_const *)d->value;
    bool is_int =
        v != NULL && SQL_NODE_KIND(v) == SQL_N_CONST && v->const_kind == SQL_CONST_INTEGER;
    if (!is_int) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid value for integer option \"%s\": %s", name,
                          v != NULL && SQL_NODE_KIND(v) == SQL_N_CONST && v->text != NULL
                              ? v->text : d->word != NULL ? d->word : "");
    }
    if (v->int_value < min || v->int_value > max) {
        rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "value %lld out of bounds for option \"%s\"", (long long)v->int_value, name);
        rt_err_detail(err, "Valid values are between \"%lld\" and \"%lld\".", (long long)min,
                      (long long)max);
        return false;
    }
    *out = (uint16_t)v->int_value;
    return true;
}

static bool ddl_index_options(sql_ddl_ctx *dc, const sql_create_index *ci, eng_index *ix,
                              rt_err *err) {
    char text[256];
    size_t len = 0;
    text[0] = '\0';
    ix->hnsw_m = SQL_DDL_HNSW_M_DEFAULT;
    ix->hnsw_ef_construction = SQL_DDL_HNSW_EF_DEFAULT;
    for (uint32_t i = 0; i < ci->options.count; i++) {
        const sql_defelem *d = SQL_LIST_AT(ci->options, i);
        bool hnsw = ix->method == ENG_INDEX_HNSW;
        if (hnsw && strcmp(d->name, "m") == 0) {
            if (!ddl_hnsw_option(d, "m", SQL_DDL_HNSW_M_MIN, SQL_DDL_HNSW_M_MAX, &ix->hnsw_m,
                                 err)) {
                return false;
            }
        } else if (hnsw && strcmp(d->name, "ef_construction") == 0) {
            if (!ddl_hnsw_option(d, "ef_construction", SQL_DDL_HNSW_EF_MIN, SQL_DDL_HNSW_EF_MAX,
                                 &ix->hnsw_ef_construction, err)) {
                return false;
            }
        } else if (hnsw || (strcmp(d->name, "fillfactor") != 0 &&
                            strcmp(d->name, "deduplicate_items") != 0)) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "unrecognized parameter \"%s\"", d->name);
        }
        const sql_const *v = (const sql_const *)d->value;
        const char *val = d->word != NULL ? d->word
                          : v != NULL && SQL_NODE_KIND(v) == SQL_N_CONST && v->text ? v->text
                                                                                    : "true";
        len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0,
                                "%s%s=%s", len > 0 ? ", " : "", d->name, val);
    }
    if (ix->method == ENG_INDEX_HNSW && ix->hnsw_ef_construction < 2 * ix->hnsw_m) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "ef_construction must be greater than or equal to 2 * m");
    }
    if (len > 0) ix->options_text = rt_arena_strdup(dc->bc->arena, text);
    return true;
}

static bool ddl_hnsw_opclass(const eng_column *c, const sql_index_elem *e, eng_index *ix,
                             rt_err *err) {
    if (c->type_oid != SQL_T_VECTOR) {
        /* PostgreSQL's format_type names for the common ones. */
        static const struct { uint32_t oid; const char *name; } names[] = {
            {SQL_T_INT2, "smallint"}, {SQL_T_INT4, "integer"}, {SQL_T_INT8, "bigint"},
            {SQL_T_FLOAT4, "real"}, {SQL_T_FLOAT8, "double precision"},
            {SQL_T_VARCHAR, "character varying"}, {SQL_T_BOOL, "boolean"},
        };
        const sql_type_def *td = sql_type_by_oid(c->type_oid);
        const char *tn = td != NULL ? td->name : "?";
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (names[i].oid == c->type_oid) tn = names[i].name;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "data type %s has no default operator class for access method "
                          "\"hnsw\"", tn);
    }
    const char *op = e->opclass.count > 0 ? e->opclass.parts[e->opclass.count - 1] : NULL;
    if (op == NULL) {
        rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                   "data type vector has no default operator class for access method \"hnsw\"");
        rt_err_hint(err, "You must specify an operator class for the index or define a default "
                         "operator class for the data type.");
        return false;
    }
    if (strcmp(op, "vector_l2_ops") == 0) {
        ix->metric = ENG_METRIC_L2;
    } else if (strcmp(op, "vector_cosine_ops") == 0) {
        ix->metric = ENG_METRIC_COSINE;
    } else if (strcmp(op, "vector_ip_ops") == 0) {
        ix->metric = ENG_METRIC_IP;
    } else {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "operator class \"%s\" does not exist for access method \"hnsw\"", op);
    }
    return true;
}

/* An index column given as an expression: bound over the table, checked (IMMUTABLE, a type
 * the B-tree can order) and kept as the text PostgreSQL prints; `name` is the part it lends
 * the generated index name (the function's name, or "expr"). */
static bool ddl_index_expr(sql_ddl_ctx *dc, const eng_table *t, const sql_index_elem *e,
                           eng_index *ix, uint32_t k, const char **name, rt_err *err) {
    if (ix->method != ENG_INDEX_BTREE) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "index expressions are supported for btree indexes only");
    }
    sql_expr *bound;
    if (!sql_bind_table_expr(dc->bc, t, e->expr, SQL_T_ANY, -1, &bound) ||
        !sql_ixexpr_check(bound, "expression", err)) {
        return false;
    }
    if (!eng_key_type_supported(bound->type_oid)) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "data type %s has no default operator class for access method "
                          "\"btree\"", sql_type_name(bound->type_oid));
    }
    sql_strbuf sb;
    sql_strbuf_init(&sb, dc->bc->arena, 64);
    if (!sql_ixexpr_column_text(&sb, t, NULL, 0, bound, false)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this kind of index expression is not supported yet");
    }
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(dc->bc->arena, err);
    ix->attnums[k] = 0;
    ix->expr_text[k] = sb.data;
    const char *colname = sql_bind_colname(e->expr);
    *name = strcmp(colname, "?column?") == 0 ? "expr" : colname;
    return true;
}

/* The parenthesised column of an index element: ((name)) is the column itself. */
static const char *ddl_index_elem_column(const sql_index_elem *e) {
    if (e->column != NULL) return e->column;
    if (e->expr == NULL || SQL_NODE_KIND(e->expr) != SQL_N_COLUMNREF) return NULL;
    const sql_name *nm = &((const sql_columnref *)e->expr)->name;
    return nm->count == 1 ? nm->parts[0] : NULL;
}

/* Appends a column's part of the generated name; a repeated part gets a number, as
 * PostgreSQL's ChooseIndexColumnNames does (t_expr_expr1_idx). */
static size_t ddl_index_name_part(const char **parts, uint32_t k, const char *name, char *cols,
                                  size_t cols_size, size_t len) {
    uint32_t same = 0;
    for (uint32_t j = 0; j < k; j++) same += strcmp(parts[j], name) == 0;
    parts[k] = name;
    if (len >= cols_size) return len;
    len += (size_t)snprintf(cols + len, cols_size - len, "%s%s", k > 0 ? "_" : "", name);
    if (same > 0 && len < cols_size) {
        len += (size_t)snprintf(cols + len, cols_size - len, "%u", same);
    }
    return len;
}

static bool ddl_index_elems(sql_ddl_ctx *dc, const sql_create_index *ci, const eng_table *t,
                            eng_index *ix, char *cols, size_t cols_size, rt_err *err) {
    size_t len = 0;
    const char *parts[ENG_INDEX_COLUMNS_MAX];
    if (ci->elems.count > ENG_INDEX_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS,
                          "cannot use more than %d columns in an index", ENG_INDEX_COLUMNS_MAX);
    }
    if (ix->method == ENG_INDEX_HNSW && ci->elems.count != 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "access method \"hnsw\" does not support multicolumn indexes");
    }
    for (uint32_t i = 0; i < ci->elems.count; i++) {
        const sql_index_elem *e = SQL_LIST_AT(ci->elems, i);
        const char *column = ddl_index_elem_column(e);
        ix->desc[i] = e->dir == SQL_SORT_DESC;
        ix->nulls_first[i] = e->nulls == SQL_NULLS_DEFAULT ? ix->desc[i]
                                                           : e->nulls == SQL_NULLS_FIRST;
        if (column == NULL) {
            const char *name = "expr";
            if (!ddl_index_expr(dc, t, e, ix, i, &name, err)) return false;
            if (e->opclass.count > 0) {
                ix->opclass[i] = rt_arena_strdup(dc->bc->arena,
                                                 e->opclass.parts[e->opclass.count - 1]);
            }
            len = ddl_index_name_part(parts, i, name, cols, cols_size, len);
            continue;
        }
        const eng_column *c = eng_table_column_by_name(t, column);
        if (c == NULL || c->dropped) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                              column);
        }
        ix->attnums[i] = c->attnum;
        if (ix->method == ENG_INDEX_HNSW) {
            if (!ddl_hnsw_opclass(c, e, ix, err)) return false;
        } else if (e->opclass.count > 0) {
            ix->opclass[i] = rt_arena_strdup(dc->bc->arena,
                                             e->opclass.parts[e->opclass.count - 1]);
        }
        len = ddl_index_name_part(parts, i, c->name, cols, cols_size, len);
    }
    ix->column_count = (uint16_t)ci->elems.count;
    return true;
}

/* WHERE of a partial index: a boolean over the table's columns, IMMUTABLE, kept as the text
 * PostgreSQL prints ("(active = true)"). */
static bool ddl_index_predicate(sql_ddl_ctx *dc, const sql_create_index *ci, const eng_table *t,
                                eng_index *ix, rt_err *err) {
    if (ix->method == ENG_INDEX_HNSW) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "partial indexes are supported for btree indexes only");
    }
    sql_expr *pred;
    if (!sql_bind_table_expr(dc->bc, t, ci->where, SQL_T_BOOL, -1, &pred) ||
        !sql_ixexpr_check(pred, "predicate", err)) {
        return false;
    }
    sql_strbuf sb;
    sql_strbuf_init(&sb, dc->bc->arena, 64);
    if (!sql_ixexpr_deparse(&sb, t, NULL, 0, pred, false)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this kind of index predicate is not supported yet");
    }
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(dc->bc->arena, err);
    ix->predicate_text = sb.data;
    return true;
}

/* An explicit HNSW index on a column replaces the column's automatic one. */
static void ddl_drop_automatic(eng_table *t, uint16_t attnum) {
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!ix->automatic || ix->attnums[0] != attnum) continue;
        memmove(&t->indexes[i], &t->indexes[i + 1], (t->index_count - i - 1) * sizeof *ix);
        t->index_count--;
        return;
    }
}

static bool ddl_index_check(sql_ddl_ctx *dc, const sql_create_index *ci, rt_err *err) {
    if (ci->concurrently && dc->in_txn_block) {
        return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "CREATE INDEX CONCURRENTLY cannot run inside a transaction block");
    }
    if (ci->name == NULL && ci->if_not_exists) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"ON\"");
    }
    return true;
}

bool sql_ddl_create_index(sql_ddl_ctx *dc, const sql_create_index *ci, rt_err *err) {
    if (!ddl_index_check(dc, ci, err)) return false;
    const eng_table *base = sql_ddl_find_rel(dc, &ci->table, 0, false, NULL, err);
    if (base == NULL) return false;
    if (!sql_ddl_owns(dc, base->owner_oid, "table", base->name, err)) return false;
    if (base->kind != 'r') {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot create index on relation \"%s\"",
                   base->name);
        rt_err_detail(err, "This operation is not supported for views.");
        return false;
    }
    if (ci->name != NULL && sql_ddl_relname_taken(dc->bc->db, base->schema_oid, ci->name)) {
        if (ci->if_not_exists) {
            sql_ddl_notice(dc, SQLSTATE_DUPLICATE_TABLE,
                           "relation \"%s\" already exists, skipping", ci->name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                          ci->name);
    }
    eng_table *t = sql_ddl_table_copy(dc, base, err);
    if (t == NULL) return false;
    eng_index ix;
    memset(&ix, 0, sizeof ix);
    char cols[ENG_NAME_BYTES * 2] = "";
    if (!ddl_index_method(ci, &ix, err) ||
        !ddl_index_elems(dc, ci, t, &ix, cols, sizeof cols, err) ||
        !ddl_index_options(dc, ci, &ix, err)) {
        return false;
    }
    ix.unique = ci->unique;
    ix.nulls_not_distinct = ci->nulls_not_distinct;
    if (ci->where != NULL && !ddl_index_predicate(dc, ci, t, &ix, err)) return false;
    /* The oid first: bound definitions are cached by index oid and table generation. */
    ix.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    bool later = ci->concurrently && ix.method == ENG_INDEX_BTREE;
    if (!ix.unique && !later && !sql_ddl_index_validate(dc, base, &ix, err)) return false;
    if (later) {
        /* Committed invalid (nothing reads or checks it yet), built in the next transactions
         * (sql_ddl_index_cc.c): a duplicate or an error in an expression found then leaves it
         * invalid, as PostgreSQL's. */
        ix.invalid = true;
        dc->concurrent_index_oid = ix.oid;
    }
    if (ix.method == ENG_INDEX_HNSW) ddl_drop_automatic(t, ix.attnums[0]);
    if (ci->name != NULL) {
        snprintf(ix.name, sizeof ix.name, "%s", ci->name);
    } else {
        sql_ddl_choose_name(dc, t->schema_oid, t, t->name, cols, "idx",
                            ix.name);
    }
    ix.table_oid = t->oid;
    t->indexes[t->index_count++] = ix;
    t->def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
    sql_ddl_db(dc);
    return true;
}

