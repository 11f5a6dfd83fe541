/* sql_bind.c: the binder's entry points: statements, type names, table and sequence lookup
 * through the search path, and stored expressions (DEFAULT, CHECK) over a table's columns. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_session.h"
#include "sql/sql_stats.h"

static sql_binder *sql_binder_new(sql_bind_ctx *bc) {
    sql_binder *b = rt_arena_zalloc(bc->arena, sizeof *b);
    if (b == NULL) return NULL;
    b->bc = bc;
    b->arena = bc->arena;
    b->nparams = bc->nparams;
    b->param_types = rt_arena_alloc(bc->arena, sizeof(uint32_t) * (bc->nparams + 1u));
    b->param_used = rt_arena_zalloc(bc->arena, sizeof(bool) * (bc->nparams + 1u));
    if (b->param_types == NULL || b->param_used == NULL) return NULL;
    for (uint32_t i = 0; i < bc->nparams; i++) {
        b->param_types[i] = bc->param_types[i] != 0 ? bc->param_types[i] : SQL_T_UNKNOWN;
    }
    return b;
}

bool sql_bind_need_priv(sql_binder *b, uint32_t oid, uint32_t privs, bool sequence, bool any) {
    for (uint32_t i = 0; i < b->nacl_reqs; i++) {
        sql_acl_req *r = &b->acl_reqs[i];
        if (r->oid == oid && r->sequence == sequence && r->any == any) {
            r->privs |= privs;
            return true;
        }
    }
    if (b->nacl_reqs == b->acl_req_cap) {
        uint32_t cap = b->acl_req_cap == 0 ? 4 : b->acl_req_cap * 2;
        sql_acl_req *grown = rt_arena_alloc(b->arena, sizeof *grown * cap);
        if (grown == NULL) return rt_arena_fail(b->arena, b->bc->err);
        if (b->nacl_reqs > 0) memcpy(grown, b->acl_reqs, sizeof *grown * b->nacl_reqs);
        b->acl_reqs = grown;
        b->acl_req_cap = cap;
    }
    b->acl_reqs[b->nacl_reqs++] =
        (sql_acl_req){.oid = oid, .privs = privs, .sequence = sequence, .any = any};
    return true;
}

bool sql_bind_note_col(sql_binder *b, uint32_t table_oid, int32_t attnum, uint32_t priv) {
    if (table_oid == 0 || attnum <= 0) return true;
    sql_acl_colset set = priv == ENG_ACL_SELECT   ? SQL_ACL_COLS_SELECT
                         : priv == ENG_ACL_INSERT ? SQL_ACL_COLS_INSERT
                                                  : SQL_ACL_COLS_UPDATE;
    RT_ASSERT(priv == ENG_ACL_SELECT || priv == ENG_ACL_INSERT || priv == ENG_ACL_UPDATE);
    for (uint32_t i = 0; i < b->nacl_reqs; i++) {
        sql_acl_req *r = &b->acl_reqs[i];
        if (r->oid != table_oid || r->sequence || r->any) continue;
        if (r->cols[set] == NULL) {
            const eng_table *t = eng_db_table_by_oid(b->bc->db, table_oid);
            if (t == NULL) return true;
            r->col_words = (t->column_count + 63u) / 64u;
            r->cols[set] = rt_arena_zalloc(b->arena, sizeof(uint64_t) * (r->col_words + 1u));
            if (r->cols[set] == NULL) return rt_arena_fail(b->arena, b->bc->err);
        }
        uint32_t bit = (uint32_t)attnum - 1u;
        if (bit / 64u >= r->col_words) return true;
        r->cols[set][bit / 64u] |= 1ull << (bit % 64u);
        r->privs |= priv;
        return true;
    }
    return true;
}

bool sql_bind_note_untyped_param(sql_binder *b, const sql_expr *param) {
    if (b->nuntyped_params == b->untyped_param_cap) {
        uint32_t cap = b->untyped_param_cap == 0 ? 4 : b->untyped_param_cap * 2;
        const sql_expr **grown = rt_arena_alloc(b->arena, sizeof *grown * cap);
        if (grown == NULL) return rt_arena_fail(b->arena, b->bc->err);
        if (b->nuntyped_params > 0) {
            memcpy(grown, b->untyped_params, sizeof *grown * b->nuntyped_params);
        }
        b->untyped_params = grown;
        b->untyped_param_cap = cap;
    }
    b->untyped_params[b->nuntyped_params++] = param;
    return true;
}

/* PostgreSQL's check_variable_parameters, then exec_parse_message's check: a use that left a
 * parameter untyped before a later use typed it is 42P08 (`$1 IS NULL, $1 + 1`; the clauses
 * are bound in PostgreSQL's order, a SELECT's list before its WHERE, so the same queries
 * pass); one used only where nothing gives it a type (`$1 IS NULL`, pg_typeof($1)), or not at
 * all (`SELECT $2`), is 42P18; the others no context typed are text. */
static bool sql_bind_resolve_params(sql_binder *b) {
    for (uint32_t i = 0; i < b->nuntyped_params; i++) {
        const sql_expr *p = b->untyped_params[i];
        if (p->type_oid != SQL_T_UNKNOWN) continue; /* coerced where it stands since */
        bool typed = b->param_types[p->param - 1] != SQL_T_UNKNOWN;
        if (!typed) continue; /* 42P18 below, without a position as PostgreSQL's */
        return sql_bind_error(b, p->location, SQLSTATE_AMBIGUOUS_PARAMETER,
                              "could not determine data type of parameter $%u", p->param);
    }
    for (uint32_t i = 0; i < b->nparams; i++) {
        bool untyped = b->param_types[i] == SQL_T_UNKNOWN;
        bool left = false; /* used only where nothing typed it */
        for (uint32_t k = 0; k < b->nuntyped_params && untyped && !left; k++) {
            left = b->untyped_params[k]->param == i + 1 &&
                   b->untyped_params[k]->type_oid == SQL_T_UNKNOWN;
        }
        if (untyped && (left || !b->param_used[i])) { /* `SELECT $2` leaves $1 untyped */
            return sql_bind_error(b, UINT32_MAX, SQLSTATE_INDETERMINATE_DATATYPE,
                                  "could not determine data type of parameter $%u", i + 1);
        }
    }
    for (uint32_t i = 0; i < b->nparams; i++) {
        if (b->param_types[i] == SQL_T_UNKNOWN) b->param_types[i] = SQL_T_TEXT;
    }
    return true;
}

bool sql_bind_query(sql_bind_ctx *bc, const sql_node *stmt, sql_query **out) {
    sql_binder *b = sql_binder_new(bc);
    sql_query *qy = rt_arena_zalloc(bc->arena, sizeof *qy);
    if (b == NULL || qy == NULL) return rt_arena_fail(bc->arena, bc->err);
    sql_plan *plan = NULL;
    switch (SQL_NODE_KIND(stmt)) {
    case SQL_N_SELECT: {
        sql_qlevel *root = sql_qlevel_new(b, NULL, NULL);
        if (root == NULL) return rt_arena_fail(bc->arena, bc->err);
        b->top_with = ((const sql_select *)stmt)->with;
        plan = sql_bind_select(root, (const sql_select *)stmt, NULL);
        qy->cmd = SQL_CMD_SELECT;
        qy->returns_rows = true;
        break;
    }
    case SQL_N_INSERT:
        b->top_with = ((const sql_insert *)stmt)->with;
        plan = sql_bind_insert(b, (const sql_insert *)stmt, qy, NULL);
        break;
    case SQL_N_UPDATE:
        b->top_with = ((const sql_update *)stmt)->with;
        plan = sql_bind_update(b, (const sql_update *)stmt, qy, NULL);
        break;
    case SQL_N_DELETE:
        b->top_with = ((const sql_delete *)stmt)->with;
        plan = sql_bind_delete(b, (const sql_delete *)stmt, qy, NULL);
        break;
    default:
        return sql_bind_error(b, stmt->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "statement cannot be planned");
    }
    if (plan == NULL) {
        if (!rt_err_is_set(bc->err)) rt_arena_fail(bc->arena, bc->err);
        return false;
    }
    if (b->ndml_ctes > 0) {
        if ((plan = sql_bind_modifycte(b, plan)) == NULL) return rt_arena_fail(bc->arena, bc->err);
        qy->modifying_ctes = true;
    }
    if (!sql_bind_resolve_params(b)) return false;
    sql_stats_plan_params_begin(bc->param_values, b->nparams,
                                sql_session_stats_mine(bc->session));
    plan = sql_plan_optimize(bc->arena, plan, bc->shard_count, bc->ann_ef_search, bc->err);
    sql_stats_plan_params_end();
    if (plan == NULL) return false;
    qy->plan = plan;
    qy->nparams = b->nparams;
    qy->param_types = b->param_types;
    qy->nmaterials = b->nmaterials;
    qy->nsubqueries = b->nsubqueries;
    qy->volatile_funcs = b->volatile_funcs;
    qy->for_update = b->for_update;
    qy->catalog_version = eng_catalog_version(bc->catalog);
    qy->acl_reqs = b->acl_reqs;
    qy->nacl_reqs = b->nacl_reqs;
    *out = qy;
    return true;
}

/* ---- names ---- */

/* The schemas an unqualified name is looked up in: pg_temp, pg_catalog, then the path. */
static uint32_t sql_path_schemas(sql_bind_ctx *bc, uint32_t *oids, uint32_t cap) {
    uint32_t n = 0;
    if (bc->temp_schema_oid != 0 && n < cap) oids[n++] = bc->temp_schema_oid;
    bool catalog_listed = false;
    for (uint32_t i = 0; i < bc->nsearch; i++) {
        catalog_listed |= strcmp(bc->search_path[i], "pg_catalog") == 0;
    }
    if (!catalog_listed && n < cap) oids[n++] = ENG_OID_PG_CATALOG;
    for (uint32_t i = 0; i < bc->nsearch && n < cap; i++) {
        const char *name = bc->search_path[i];
        if (strcmp(name, "$user") == 0) continue;
        const eng_schema *s = eng_db_schema_by_name(bc->db, name);
        if (s != NULL) oids[n++] = s->oid;
    }
    return n;
}

static uint32_t sql_schema_oid(sql_bind_ctx *bc, const char *name) {
    if (strcmp(name, "pg_temp") == 0) return bc->temp_schema_oid;
    const eng_schema *s = eng_db_schema_by_name(bc->db, name);
    return s != NULL ? s->oid : 0;
}

const eng_table *sql_bind_find_table(sql_bind_ctx *bc, const sql_name *name) {
    const char *rel = name->parts[name->count - 1];
    if (name->count >= 2) {
        if (name->count == 3 && strcmp(name->parts[0], bc->db->name) != 0) return NULL;
        uint32_t schema = sql_schema_oid(bc, name->parts[name->count - 2]);
        return schema != 0 ? eng_db_table_by_name(bc->db, schema, rel) : NULL;
    }
    uint32_t oids[32];
    uint32_t n = sql_path_schemas(bc, oids, 32);
    for (uint32_t i = 0; i < n; i++) {
        const eng_table *t = eng_db_table_by_name(bc->db, oids[i], rel);
        if (t != NULL) return t;
    }
    return NULL;
}

const eng_sequence *sql_bind_find_sequence(sql_bind_ctx *bc, const sql_name *name) {
    const char *rel = name->parts[name->count - 1];
    if (name->count >= 2) {
        uint32_t schema = sql_schema_oid(bc, name->parts[name->count - 2]);
        return schema != 0 ? eng_db_sequence_by_name(bc->db, schema, rel) : NULL;
    }
    uint32_t oids[32];
    uint32_t n = sql_path_schemas(bc, oids, 32);
    for (uint32_t i = 0; i < n; i++) {
        const eng_sequence *s = eng_db_sequence_by_name(bc->db, oids[i], rel);
        if (s != NULL) return s;
    }
    return NULL;
}

bool sql_bind_creation_schema(sql_bind_ctx *bc, const sql_name *name, uint32_t *schema_oid,
                              const char **object_name) {
    *object_name = name->parts[name->count - 1];
    if (name->count >= 2) {
        const char *schema = name->parts[name->count - 2];
        *schema_oid = sql_schema_oid(bc, schema);
        if (*schema_oid == 0) {
            return rt_err_set(bc->err, SQLSTATE_INVALID_SCHEMA_NAME,
                              "schema \"%s\" does not exist", schema);
        }
        return true;
    }
    for (uint32_t i = 0; i < bc->nsearch; i++) {
        if (strcmp(bc->search_path[i], "$user") == 0) continue;
        const eng_schema *s = eng_db_schema_by_name(bc->db, bc->search_path[i]);
        if (s != NULL && s->oid != ENG_OID_PG_CATALOG) {
            *schema_oid = s->oid;
            return true;
        }
    }
    return rt_err_set(bc->err, SQLSTATE_INVALID_SCHEMA_NAME,
                      "no schema has been selected to create in");
}

/* ---- type names ---- */

/* An interval typmod is (field range << 16) | precision; this precision means "not given". */
#define SQL_BIND_INTERVAL_FULL_PRECISION 0xffff

/* The keyword CHAR is bpchar already (sql_parse_type.c): a name "char" here was quoted, and
 * is PostgreSQL's one-byte "char" type. */
static const sql_type_def *sql_lookup_type_name(const char *name) {
    static const struct { const char *alias, *name; } aliases[] = {
        {"integer", "int4"}, {"int", "int4"}, {"smallint", "int2"}, {"bigint", "int8"},
        {"real", "float4"}, {"float", "float8"}, {"double precision", "float8"},
        {"decimal", "numeric"}, {"boolean", "bool"}, {"character varying", "varchar"},
        {"character", "bpchar"}, {"timestamp with time zone", "timestamptz"},
        {"time with time zone", "timetz"}, {"bit varying", "varbit"}, {"\"char\"", "char"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(name, aliases[i].alias) == 0) return sql_type_by_name(aliases[i].name);
    }
    return sql_type_by_name(name);
}

/* A domain named by `tn` (none when a built-in type of that name comes first in the path):
 * its base type, or the array of it for an array of the domain (`is_array`); typmods are
 * refused, and arrays where the caller takes none (array NULL). */
static bool sql_bind_domain_type(sql_bind_ctx *bc, const sql_typename *tn, const eng_domain *d,
                                 bool is_array, uint32_t *oid, int32_t *typmod,
                                 const eng_domain **domain, bool *array) {
    if (tn->typmods.count > 0) {
        return rt_err_set(bc->err, SQLSTATE_SYNTAX_ERROR,
                          "type modifier is not allowed for type \"%s\"", d->name);
    }
    is_array |= tn->array_dims > 0;
    if (is_array && array == NULL) {
        return rt_err_set(bc->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "arrays of domains are not supported yet");
    }
    if (domain == NULL) {
        return rt_err_set(bc->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "domain %s cannot be used here yet", d->name);
    }
    *domain = d;
    if (!sql_domain_base(bc->db, d, oid, typmod, bc->err)) return false;
    if (!is_array) return true;
    *array = true;
    uint32_t arr = sql_type_elem_of(*oid) == 0 ? sql_type_array_of(*oid) : 0;
    if (arr == 0) { /* a domain over an array: PostgreSQL's arrays of it are not kept here */
        return rt_err_set(bc->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "arrays of domain %s over type %s are not supported", d->name,
                          sql_type_name(*oid));
    }
    *oid = arr;
    return true;
}

/* The domain or array-of-domain type named `tn`, NULL if none. */
static const eng_domain *sql_bind_find_domain(sql_bind_ctx *bc, const sql_typename *tn,
                                              bool *is_array) {
    const eng_domain *d = sql_domain_find(bc, &tn->name);
    *is_array = false;
    const char *name = tn->name.parts[tn->name.count - 1];
    if (d == NULL && name[0] == '_') { /* "_d": the array type of domain d */
        sql_name elem = tn->name;
        elem.parts[elem.count - 1] = name + 1;
        d = sql_domain_find(bc, &elem);
        *is_array = d != NULL;
    }
    return d;
}

const eng_enum *sql_bind_find_enum(sql_bind_ctx *bc, const sql_name *name) {
    const char *type = name->parts[name->count - 1];
    if (name->count >= 2) {
        const eng_schema *s = eng_db_schema_by_name(bc->db, name->parts[name->count - 2]);
        return s != NULL ? eng_db_enum_by_name(bc->db, s->oid, type) : NULL;
    }
    const eng_enum *e = NULL;
    if (bc->temp_schema_oid != 0) e = eng_db_enum_by_name(bc->db, bc->temp_schema_oid, type);
    for (uint32_t i = 0; e == NULL && i < bc->nsearch; i++) {
        const eng_schema *s = eng_db_schema_by_name(bc->db, bc->search_path[i]);
        if (s != NULL) e = eng_db_enum_by_name(bc->db, s->oid, type);
    }
    return e;
}

/* The enum or array-of-enum type named `tn` ("mood", "_mood", "mood[]"), 0 if none. */
static uint32_t sql_bind_enum_type(sql_bind_ctx *bc, const sql_typename *tn) {
    const eng_enum *e = sql_bind_find_enum(bc, &tn->name);
    const char *name = tn->name.parts[tn->name.count - 1];
    bool array = tn->array_dims > 0;
    if (e == NULL && name[0] == '_') {
        sql_name elem = tn->name;
        elem.parts[elem.count - 1] = name + 1;
        e = sql_bind_find_enum(bc, &elem);
        array = true;
    }
    return e == NULL ? 0 : array ? e->array_oid : e->oid;
}

/* The row type of a table, view or composite type named as a type. */
static bool sql_bind_rowtype_type(sql_bind_ctx *bc, const sql_typename *tn, const eng_table *rel,
                                  uint32_t *oid, int32_t *typmod) {
    if (tn->typmods.count > 0) {
        return rt_err_set(bc->err, SQLSTATE_SYNTAX_ERROR,
                          "type modifier is not allowed for type \"%s\"", rel->name);
    }
    if (tn->array_dims > 0) {
        return rt_err_set(bc->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "arrays of composite values are not supported yet");
    }
    *oid = rel->rowtype_oid;
    *typmod = -1;
    return true;
}

bool sql_bind_typename(sql_bind_ctx *bc, const sql_typename *tn, uint32_t *oid, int32_t *typmod) {
    return sql_bind_typename_domain(bc, tn, oid, typmod, NULL, NULL);
}

bool sql_bind_typename_domain(sql_bind_ctx *bc, const sql_typename *tn, uint32_t *oid,
                              int32_t *typmod, const eng_domain **domain, bool *array) {
    const char *name = tn->name.parts[tn->name.count - 1];
    if (domain != NULL) *domain = NULL;
    if (array != NULL) *array = false;
    bool builtin_schema = true;
    if (tn->name.count >= 2) {
        const char *schema = tn->name.parts[tn->name.count - 2];
        builtin_schema = strcmp(schema, "pg_catalog") == 0 || strcmp(schema, "public") == 0;
    }
    const sql_type_def *t = builtin_schema ? sql_lookup_type_name(name) : NULL;
    if (t == NULL && bc->db != NULL) {
        bool is_array;
        const eng_domain *d = sql_bind_find_domain(bc, tn, &is_array);
        if (d != NULL) {
            return sql_bind_domain_type(bc, tn, d, is_array, oid, typmod, domain, array);
        }
        uint32_t e = sql_bind_enum_type(bc, tn);
        if (e != 0) {
            if (tn->typmods.count > 0) {
                return rt_err_set(bc->err, SQLSTATE_SYNTAX_ERROR,
                                  "type modifier is not allowed for type \"%s\"",
                                  tn->name.parts[tn->name.count - 1]);
            }
            *oid = e;
            *typmod = -1;
            return true;
        }
        const eng_table *rel = sql_bind_find_table(bc, &tn->name);
        if (rel != NULL && rel->rowtype_oid != 0 &&
            (rel->kind == 'r' || rel->kind == 'v' || rel->kind == 'c')) {
            return sql_bind_rowtype_type(bc, tn, rel, oid, typmod);
        }
    }
    if (!builtin_schema) {
        return rt_err_set(bc->err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s.%s\" does not exist",
                          tn->name.parts[tn->name.count - 2], name);
    }
    if (t == NULL || t->typtype == 'p') {
        rt_err_set(bc->err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s%s\" does not exist", name,
                   tn->array_dims > 0 ? "[]" : "");
        if (tn->hdr.location != UINT32_MAX) bc->err->position = tn->hdr.location + 1;
        return false;
    }
    *typmod = -1;
    if (tn->typmods.count > 0) {
        int32_t mods[8];
        uint32_t n = tn->typmods.count > 8 ? 8 : tn->typmods.count;
        for (uint32_t i = 0; i < n; i++) {
            const sql_const *c = SQL_LIST_AT(tn->typmods, i);
            if (SQL_NODE_KIND(c) != SQL_N_CONST || c->const_kind != SQL_CONST_INTEGER) {
                return rt_err_set(bc->err, SQLSTATE_SYNTAX_ERROR,
                                  "type modifiers must be simple constants or identifiers");
            }
            mods[i] = (int32_t)c->int_value;
        }
        if (t->typmod_in == NULL) {
            return rt_err_set(bc->err, SQLSTATE_SYNTAX_ERROR,
                              "type modifier is not allowed for type \"%s\"", t->name);
        }
        if (!t->typmod_in(mods, n, typmod, bc->err)) return false;
    }
    if (t->oid == SQL_T_INTERVAL && tn->interval_fields >= 0) {
        /* INTERVAL '1' HOUR, interval day to second(3): the range and precision together. */
        int32_t precision = SQL_BIND_INTERVAL_FULL_PRECISION;
        if (tn->typmods.count > 0) precision = *typmod & 0xffff;
        *typmod = (int32_t)(((uint32_t)tn->interval_fields & 0x7fffu) << 16) | precision;
    }
    *oid = t->oid;
    for (uint32_t d = 0; d < tn->array_dims; d++) {
        uint32_t arr = sql_type_array_of(*oid);
        if (arr == 0) {
            if (sql_type_elem_of(*oid) != 0) break; /* int[][]: still int[] */
            return rt_err_set(bc->err, SQLSTATE_UNDEFINED_OBJECT,
                              "could not find array type for data type %s", t->name);
        }
        *oid = arr;
    }
    return true;
}

/* ---- expressions over one table's columns ---- */

static sql_qlevel *sql_table_level(sql_binder *b, const eng_table *t) {
    sql_qlevel *q = sql_qlevel_new(b, NULL, NULL);
    if (q == NULL) return NULL;
    sql_plan *p = sql_bind_table_plan(b, t, UINT32_MAX);
    if (p == NULL) return NULL;
    sql_scope *s = rt_arena_zalloc(b->arena, sizeof *s);
    if (s == NULL) return NULL;
    s->cols = rt_arena_zalloc(b->arena, sizeof(sql_scope_col) * (p->ncols + 1u));
    s->rtes = rt_arena_zalloc(b->arena, sizeof(sql_rte));
    if (s->cols == NULL || s->rtes == NULL) return NULL;
    for (uint32_t i = 0; i < p->ncols; i++) {
        s->cols[i] = (sql_scope_col){.name = p->cols[i].name, .type_oid = p->cols[i].type_oid,
                                     .typmod = p->cols[i].typmod, .table_oid = t->oid,
                                     .attnum = p->cols[i].attnum,
                                     .hidden = t->columns[i].dropped};
    }
    s->ncols = p->ncols;
    s->rtes[0] = (sql_rte){.name = t->name, .first = 0, .ncols = p->ncols, .table = t};
    s->nrtes = 1;
    q->scope = s;
    return q;
}

bool sql_bind_table_expr(sql_bind_ctx *bc, const eng_table *t, const sql_node *expr,
                         uint32_t target_type, int32_t target_typmod, sql_expr **out) {
    sql_binder *b = sql_binder_new(bc);
    if (b == NULL) return rt_arena_fail(bc->arena, bc->err);
    b->default_context = "DEFAULT expressions";
    sql_qlevel *q = t != NULL ? sql_table_level(b, t) : sql_qlevel_new(b, NULL, NULL);
    if (q == NULL) return rt_arena_fail(bc->arena, bc->err);
    q->agg_forbidden = "DEFAULT expressions";
    sql_expr *e = target_type == SQL_T_BOOL && t != NULL
                      ? sql_bind_condition(q, expr, "CHECK")
                      : sql_bind_expr_as(q, expr, target_type, target_typmod,
                                         SQL_CAST_ASSIGNMENT, NULL);
    if (e == NULL) return false;
    *out = e;
    return true;
}

bool sql_bind_column_default(sql_bind_ctx *bc, const char *column, const sql_node *expr,
                             uint32_t type, int32_t typmod, sql_expr **out) {
    sql_binder *b = sql_binder_new(bc);
    if (b == NULL) return rt_arena_fail(bc->arena, bc->err);
    b->default_context = "DEFAULT expressions";
    sql_qlevel *q = sql_qlevel_new(b, NULL, NULL);
    if (q == NULL) return rt_arena_fail(bc->arena, bc->err);
    q->agg_forbidden = "DEFAULT expressions";
    sql_expr *e = sql_bind_expr(q, expr);
    if (e == NULL && rt_err_is(bc->err, SQLSTATE_UNDEFINED_COLUMN)) {
        /* No column is in scope: whatever the name, PostgreSQL refuses the reference. */
        uint32_t pos = bc->err->position;
        rt_err_clear(bc->err);
        rt_err_set(bc->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "cannot use column reference in DEFAULT expression");
        bc->err->position = pos;
        return false;
    }
    if (e == NULL) return false;
    if (e->type_oid != type && e->type_oid != SQL_T_UNKNOWN &&
        !sql_cast_allowed(e->type_oid, type, SQL_CAST_ASSIGNMENT)) {
        sql_bind_error(b, expr->location, SQLSTATE_DATATYPE_MISMATCH,
                       "column \"%s\" is of type %s but default expression is of type %s",
                       column, sql_type_name(type), sql_type_name(e->type_oid));
        rt_err_hint(bc->err, "You will need to rewrite or cast the expression.");
        return false;
    }
    *out = sql_bind_coerce(q, e, type, typmod, SQL_CAST_ASSIGNMENT, expr->location, NULL);
    return *out != NULL;
}

bool sql_bind_stored_default(sql_bind_ctx *bc, const eng_column *col, uint32_t type,
                             int32_t typmod, sql_expr **out) {
    uint32_t saved = bc->default_seq;
    bc->default_seq = col->default_seq;
    bool ok = sql_bind_stored_expr(bc, NULL, col->default_text, type, typmod, out);
    bc->default_seq = saved;
    return ok;
}

bool sql_bind_stored_expr(sql_bind_ctx *bc, const eng_table *t, const char *text,
                          uint32_t target_type, int32_t target_typmod, sql_expr **out) {
    /* Stored expressions are SQL text: parse them as the select list of a SELECT. */
    size_t n = strlen(text);
    char *sql = rt_arena_alloc(bc->arena, n + 8);
    if (sql == NULL) return rt_arena_fail(bc->arena, bc->err);
    memcpy(sql, "SELECT ", 7);
    memcpy(sql + 7, text, n + 1);
    sql_stmt_list stmts;
    if (!sql_parse(bc->arena, sql, (uint32_t)(n + 7), &stmts, bc->err)) return false;
    const sql_select *s = (const sql_select *)stmts.stmts[0].node;
    if (stmts.count != 1 || SQL_NODE_KIND(s) != SQL_N_SELECT || s->targets.count != 1) {
        return rt_err_set(bc->err, SQLSTATE_DATA_CORRUPTED, "stored expression is malformed: %s",
                          text);
    }
    const sql_target *tg = SQL_LIST_AT(s->targets, 0);
    const char *saved_sql = bc->sql;
    uint32_t saved_len = bc->sql_len;
    bc->sql = NULL;
    bool ok = sql_bind_table_expr(bc, t, tg->expr, target_type, target_typmod, out);
    bc->sql = saved_sql;
    bc->sql_len = saved_len;
    return ok;
}
