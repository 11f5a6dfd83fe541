/* test_sql_pgcat.c: the pg_catalog and information_schema relations (sql_pgcat.h), the reg*
 * types and the catalog functions (sql_fn_catalog.c).
 * How: builds a catalog with the schema catalog.slt uses (eng_catalog_bootstrap plus a draft:
 *   CREATE SCHEMA cat_s;
 *   CREATE TABLE cat_s.parent (id int PRIMARY KEY, code varchar(10) UNIQUE NOT NULL);
 *   CREATE TABLE cat_s.child (id bigserial PRIMARY KEY, parent_id int REFERENCES cat_s.parent
 *     ON DELETE CASCADE, qty numeric(8,2) DEFAULT 0 CHECK (qty >= 0), created timestamptz
 *     DEFAULT now(), flags bool[]) WITH (fillfactor = 80);
 *   COMMENT ON TABLE cat_s.child IS 'child rows';
 *   CREATE TABLE cat_s.ident (id bigint GENERATED ALWAYS AS IDENTITY, note char(4));
 *   CREATE TABLE cat_s.items (id int, embedding vector(3)) and an HNSW index with cosine
 *   distance (m = 16, ef_construction = 64) next to the automatic one, which stays hidden;)
 * scans the relations as the executor's CATALOG node does, prints cells with the types' output
 * functions, and calls functions as expressions of a statement. Expected values are PostgreSQL
 * 15's answers for the same schema (OIDs compared through regclass output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_agg.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_session.h"
#include "sql/sql_unique.h"

/* Settings come from the session module; stand-ins for when it is not linked. */
static const sql_setting_def tc_settings[] = {
    {"search_path", "\"$user\", public", NULL, "Client Connection Defaults / Statement Behavior",
     "Sets the schema search order for names that are not schema-qualified.", "string", "user",
     false},
    {"server_version_num", "150000", NULL, "Preset Options", "Shows the server version as an "
     "integer.", "integer", "internal", false},
};
__attribute__((weak)) uint32_t sql_setting_count(void) { return 2; }
__attribute__((weak)) const sql_setting_def *sql_setting_at(uint32_t i) {
    return &tc_settings[i];
}

static rt_arena *tc_arena;
static eng_catalog *tc_cat;
static sql_exec_ctx tc_x;
static rt_err tc_err;
static uint32_t tc_parent, tc_child, tc_seq, tc_schema;

/* ---- the catalog ---- */

static eng_column tc_col(const char *name, uint16_t attnum, uint32_t type, int32_t typmod,
                         bool not_null, const char *def) {
    eng_column c = {.type_oid = type, .typmod = typmod, .attnum = attnum, .not_null = not_null,
                    .default_text = def};
    snprintf(c.name, sizeof c.name, "%s", name);
    c.store = (uint8_t)eng_store_of_type(type);
    return c;
}

static eng_index tc_index(const char *name, uint32_t table, uint16_t attnum, bool primary) {
    eng_index ix = {.oid = eng_catalog_new_oid(tc_cat), .table_oid = table,
                    .method = ENG_INDEX_BTREE, .unique = true, .primary = primary,
                    .column_count = 1, .attnums = {attnum}};
    snprintf(ix.name, sizeof ix.name, "%s", name);
    return ix;
}

static eng_constraint tc_con(const char *name, char kind, uint32_t table, uint16_t attnum,
                             uint32_t index) {
    eng_constraint c = {.oid = eng_catalog_new_oid(tc_cat), .kind = kind, .table_oid = table,
                        .column_count = 1, .attnums = {attnum}, .index_oid = index,
                        .validated = true};
    snprintf(c.name, sizeof c.name, "%s", name);
    return c;
}

static void tc_add_parent(void) {
    eng_column cols[2] = {tc_col("id", 1, SQL_T_INT4, -1, true, NULL),
                          tc_col("code", 2, SQL_T_VARCHAR, 14, true, NULL)};
    tc_parent = eng_catalog_new_oid(tc_cat);
    eng_index ix[2] = {tc_index("parent_pkey", tc_parent, 1, true),
                       tc_index("parent_code_key", tc_parent, 2, false)};
    eng_constraint cons[2] = {tc_con("parent_pkey", 'p', tc_parent, 1, ix[0].oid),
                              tc_con("parent_code_key", 'u', tc_parent, 2, ix[1].oid)};
    eng_table t = {.oid = tc_parent, .schema_oid = tc_schema, .owner_oid = 10, .kind = 'r',
                   .persistence = 'p', .column_count = 2, .columns = cols, .pk_count = 1,
                   .pk_attnums = {1}, .index_count = 2, .indexes = ix, .constraint_count = 2,
                   .constraints = cons, .fillfactor = 100};
    snprintf(t.name, sizeof t.name, "parent");
    eng_draft_add_table(tc_cat, ENG_OID_POSTGRES_DB, &t);
}

static void tc_add_child(void) {
    tc_child = eng_catalog_new_oid(tc_cat);
    tc_seq = eng_catalog_new_oid(tc_cat);
    eng_sequence s = {.oid = tc_seq, .schema_oid = tc_schema, .owner_oid = 10,
                      .type_oid = SQL_T_INT8, .start = 1, .increment = 1, .min_value = 1,
                      .max_value = INT64_MAX, .cache = 1, .owned_by_table = tc_child,
                      .owned_by_attnum = 1, .persistence = 'p'};
    snprintf(s.name, sizeof s.name, "child_id_seq");
    eng_draft_add_sequence(tc_cat, ENG_OID_POSTGRES_DB, &s);
    eng_column cols[5] = {
        tc_col("id", 1, SQL_T_INT8, -1, true, "nextval('cat_s.child_id_seq'::regclass)"),
        tc_col("parent_id", 2, SQL_T_INT4, -1, false, NULL),
        tc_col("qty", 3, SQL_T_NUMERIC, sql_typmod_numeric(8, 2), false, "0"),
        tc_col("created", 4, SQL_T_TIMESTAMPTZ, -1, false, "now()"),
        tc_col("flags", 5, SQL_T_BOOL_ARRAY, -1, false, NULL)};
    cols[0].default_seq = tc_seq;
    eng_index ix[1] = {tc_index("child_pkey", tc_child, 1, true)};
    eng_constraint cons[3] = {tc_con("child_pkey", 'p', tc_child, 1, ix[0].oid),
                              tc_con("child_parent_id_fkey", 'f', tc_child, 2, 0),
                              tc_con("child_qty_check", 'c', tc_child, 3, 0)};
    cons[1].ref_table_oid = tc_parent, cons[1].ref_attnums[0] = 1;
    cons[1].on_delete = 'c', cons[1].on_update = 'a', cons[1].match = 's';
    cons[2].check_text = "qty >= 0";
    eng_table t = {.oid = tc_child, .schema_oid = tc_schema, .owner_oid = 10, .kind = 'r',
                   .persistence = 'p', .column_count = 5, .columns = cols, .pk_count = 1,
                   .pk_attnums = {1}, .index_count = 1, .indexes = ix, .constraint_count = 3,
                   .constraints = cons, .fillfactor = 80, .comment = "child rows"};
    snprintf(t.name, sizeof t.name, "child");
    eng_draft_add_table(tc_cat, ENG_OID_POSTGRES_DB, &t);
}

static void tc_add_ident(void) {
    uint32_t table = eng_catalog_new_oid(tc_cat);
    eng_sequence s = {.oid = eng_catalog_new_oid(tc_cat), .schema_oid = tc_schema,
                      .owner_oid = 10, .type_oid = SQL_T_INT8, .start = 1, .increment = 1,
                      .min_value = 1, .max_value = INT64_MAX, .cache = 1,
                      .owned_by_table = table, .owned_by_attnum = 1, .persistence = 'p'};
    snprintf(s.name, sizeof s.name, "ident_id_seq");
    eng_draft_add_sequence(tc_cat, ENG_OID_POSTGRES_DB, &s);
    eng_column cols[2] = {tc_col("id", 1, SQL_T_INT8, -1, true, NULL),
                          tc_col("note", 2, SQL_T_BPCHAR, 8, false, NULL)};
    cols[0].identity = 'a';
    eng_table t = {.oid = table, .schema_oid = tc_schema, .owner_oid = 10, .kind = 'r',
                   .persistence = 'p', .column_count = 2, .columns = cols};
    snprintf(t.name, sizeof t.name, "ident");
    eng_draft_add_table(tc_cat, ENG_OID_POSTGRES_DB, &t);
}

static void tc_add_items(void) {
    uint32_t table = eng_catalog_new_oid(tc_cat);
    eng_column cols[2] = {tc_col("id", 1, SQL_T_INT4, -1, false, NULL),
                          tc_col("embedding", 2, SQL_T_VECTOR, 3, false, NULL)};
    cols[1].vector_dims = 3;
    eng_index ix[2] = {tc_index("items_embedding_idx", table, 2, false),
                       tc_index("items_embedding_auto", table, 2, false)};
    for (uint32_t i = 0; i < 2; i++) {
        ix[i].method = ENG_INDEX_HNSW, ix[i].unique = false, ix[i].hnsw_m = 16;
        ix[i].hnsw_ef_construction = 64;
    }
    ix[0].metric = ENG_METRIC_COSINE, ix[0].options_text = "m = 16, ef_construction = 64";
    ix[1].metric = ENG_METRIC_L2, ix[1].automatic = true;
    eng_table t = {.oid = table, .schema_oid = tc_schema, .owner_oid = 10, .kind = 'r',
                   .persistence = 'p', .column_count = 2, .columns = cols, .index_count = 2,
                   .indexes = ix};
    snprintf(t.name, sizeof t.name, "items");
    eng_draft_add_table(tc_cat, ENG_OID_POSTGRES_DB, &t);
}

static int tc_setup(void **state) {
    (void)state;
    sql_types_init();
    sql_funcs_init();
    sql_aggs_init();
    tc_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    eng_catalog *boot = eng_catalog_bootstrap("postgres");
    tc_cat = eng_catalog_draft(boot);
    eng_schema s = {.oid = eng_catalog_new_oid(tc_cat), .owner_oid = 10};
    snprintf(s.name, sizeof s.name, "cat_s");
    tc_schema = s.oid;
    eng_draft_add_schema(tc_cat, ENG_OID_POSTGRES_DB, &s);
    tc_add_parent();
    tc_add_child();
    tc_add_ident();
    tc_add_items();
    /* A draft's databases still point at the base version for lookups by name until it is
     * published; installing it as the current version relinks them. */
    eng_catalog_install(tc_cat);
    eng_catalog_draft_free(boot);
    memset(&tc_x, 0, sizeof tc_x);
    tc_x.arena = tc_arena;
    tc_x.err = &tc_err;
    tc_x.catalog = tc_cat;
    tc_x.db = eng_draft_db(tc_cat, ENG_OID_POSTGRES_DB);
    tc_x.fmt.extra_float_digits = 1;
    return 0;
}

static int tc_teardown(void **state) {
    (void)state;
    eng_catalog_shutdown();
    rt_arena_destroy(tc_arena);
    return 0;
}

/* ---- scanning and printing ---- */

typedef struct tc_rel {
    const sql_pgcat_rel *rel;
    sql_rowset rs;
} tc_rel;

static tc_rel tc_scan(const char *schema, const char *name) {
    tc_rel r = {.rel = sql_pgcat_find(schema, name)};
    assert_non_null(r.rel);
    rt_err_clear(&tc_err);
    sql_rowset_init(&r.rs, tc_arena, r.rel->ncols);
    if (!sql_pgcat_scan(&tc_x, r.rel->id, &r.rs)) fail_msg("scan %s: %s", name, tc_err.message);
    return r;
}

static sql_io_ctx tc_io(rt_err *err) {
    return (sql_io_ctx){.arena = tc_arena, .fmt = &tc_x.fmt, .err = err,
                        .names = sql_pgcat_names(&tc_x, tc_arena)};
}

static const char *tc_text(const sql_value *v) {
    if (v->is_null) return "<NULL>";
    rt_err err;
    rt_err_clear(&err);
    sql_io_ctx io = tc_io(&err);
    sql_strbuf sb;
    sql_strbuf_init(&sb, tc_arena, 64);
    if (!sql_value_out(&io, v, -1, &sb)) fail_msg("output failed: %s", err.message);
    sql_strbuf_putc(&sb, '\0');
    return sb.data;
}

static uint32_t tc_colno(const tc_rel *r, const char *col) {
    for (uint32_t c = 0; c < r->rel->ncols; c++) {
        if (strcmp(r->rel->cols[c].name, col) == 0) return c;
    }
    fail_msg("no column %s in %s", col, r->rel->name);
    return 0;
}

static const char *tc_cell(const tc_rel *r, int64_t row, const char *col) {
    assert_true(row >= 0);
    return tc_text(&sql_rowset_row(&r->rs, (uint64_t)row)[tc_colno(r, col)]);
}

/* The row whose `col` prints as `value` (and `col2` as `value2` when given). */
static int64_t tc_find2(const tc_rel *r, const char *col, const char *value, const char *col2,
                        const char *value2) {
    for (uint64_t i = 0; i < r->rs.count; i++) {
        if (strcmp(tc_cell(r, (int64_t)i, col), value) != 0) continue;
        if (col2 == NULL || strcmp(tc_cell(r, (int64_t)i, col2), value2) == 0) return (int64_t)i;
    }
    return -1;
}

static int64_t tc_find(const tc_rel *r, const char *col, const char *value) {
    return tc_find2(r, col, value, NULL, NULL);
}

static uint32_t tc_count(const tc_rel *r, const char *col, const char *value) {
    uint32_t n = 0;
    for (uint64_t i = 0; i < r->rs.count; i++) n += strcmp(tc_cell(r, (int64_t)i, col), value) == 0;
    return n;
}

#define O SQL_T_OID
#define RC SQL_T_REGCLASS

/* ---- calling functions ---- */

/* One call of `name` with arguments of `types` given as text (NULL = SQL NULL): its output,
 * or "ERROR <sqlstate>: <message>". */
static const char *tc_call(const char *name, uint32_t nargs, const uint32_t *types,
                           const char *const *texts) {
    sql_func_list l = sql_funcs_lookup(name, false);
    const sql_func_def *d = NULL;
    for (uint32_t k = 0; k < l.count && d == NULL; k++) {
        if (l.items[k]->nargs == nargs &&
            memcmp(l.items[k]->args, types, nargs * sizeof types[0]) == 0) {
            d = l.items[k];
        }
    }
    if (d == NULL) fail_msg("no %s with these argument types", name);
    rt_err_clear(&tc_err);
    sql_io_ctx io = tc_io(&tc_err);
    sql_expr *e = sql_expr_new(tc_arena, SQL_X_FUNC, d->ret, nargs);
    e->func.def = d;
    for (uint32_t a = 0; a < nargs; a++) {
        sql_value v = {.type_oid = types[a], .is_null = texts[a] == NULL};
        if (texts[a] != NULL &&
            !sql_value_in(&io, types[a], texts[a], (uint32_t)strlen(texts[a]), -1, &v)) {
            return rt_arena_sprintf(tc_arena, "ERROR %s: %s", tc_err.sqlstate, tc_err.message);
        }
        e->args[a] = sql_expr_const(tc_arena, &v, -1);
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(&tc_x, tc_arena, &ec);
    sql_value out;
    if (!sql_eval_scalar(&ec, e, &out)) {
        return rt_arena_sprintf(tc_arena, "ERROR %s: %s", tc_err.sqlstate, tc_err.message);
    }
    out.type_oid = d->ret;
    return tc_text(&out);
}

#define TY(...) {__VA_ARGS__}
#define CALL(name, n, types, ...) tc_call(name, n, (uint32_t[])types, (const char *[]){__VA_ARGS__})

/* Reads `text` as a value of `type` and prints it back (or the error). */
static const char *tc_roundtrip(uint32_t type, const char *text) {
    rt_err_clear(&tc_err);
    sql_io_ctx io = tc_io(&tc_err);
    sql_value v = {.type_oid = type};
    if (!sql_value_in(&io, type, text, (uint32_t)strlen(text), -1, &v)) {
        return rt_arena_sprintf(tc_arena, "ERROR %s: %s", tc_err.sqlstate, tc_err.message);
    }
    return tc_text(&v);
}

#define T SQL_T_TEXT
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define B SQL_T_BOOL
#define NM SQL_T_NAME

/* ---- relations by name ---- */

static void test_pgcat_find_by_schema_and_name(void **state) {
    (void)state;
    const sql_pgcat_rel *r = sql_pgcat_find(NULL, "pg_class");
    assert_non_null(r);
    assert_int_equal(r->id, 1259);
    assert_int_equal(r->ncols, 33);
    assert_string_equal(r->cols[0].name, "oid");
    assert_string_equal(r->cols[1].name, "relname");
    assert_int_equal(r->cols[1].type_oid, SQL_T_NAME);
    assert_ptr_equal(sql_pgcat_find("pg_catalog", "pg_class"), r);
    assert_ptr_equal(sql_pgcat_by_id(1259), r);
    assert_non_null(sql_pgcat_find("information_schema", "columns"));
    assert_null(sql_pgcat_find(NULL, "columns"));
    assert_null(sql_pgcat_find("public", "pg_class"));
    assert_null(sql_pgcat_find(NULL, "pg_nothing"));
}

/* Every relation scans (a column a scan names that the relation lacks would abort). */
static void test_pgcat_every_relation_scans(void **state) {
    (void)state;
    for (uint32_t i = 0; i < sql_pgcat_count(); i++) {
        const sql_pgcat_rel *rel = sql_pgcat_at(i);
        tc_rel r = tc_scan(rel->schema, rel->name);
        for (uint64_t row = 0; row < r.rs.count && row < 50; row++) {
            for (uint32_t c = 0; c < rel->ncols; c++) {
                const sql_type_def *t = sql_type_by_oid(rel->cols[c].type_oid);
                assert_non_null(t);
                if (t->out != NULL) tc_text(&sql_rowset_row(&r.rs, row)[c]);
            }
        }
    }
    /* The registry's types, then each table's and view's row type and its array type. */
    uint32_t rowtypes = 0;
    for (uint32_t i = 0; i < tc_x.db->table_count; i++) {
        const eng_table *t = &tc_x.db->tables[i];
        rowtypes += t->rowtype_oid != 0 && !sql_unique_is_companion(t);
    }
    assert_true(rowtypes >= 4);
    assert_true(tc_scan(NULL, "pg_type").rs.count == sql_type_count() + 2 * rowtypes);
    assert_int_equal(tc_scan(NULL, "pg_trigger").rs.count, 0);
}

/* ---- pg_class, pg_attribute, pg_index ---- */

static void test_pgcat_class_rows(void **state) {
    (void)state;
    tc_rel r = tc_scan(NULL, "pg_class");
    int64_t child = tc_find(&r, "relname", "child");
    assert_string_equal(tc_cell(&r, child, "relkind"), "r");
    assert_string_equal(tc_cell(&r, child, "relnatts"), "5");
    assert_string_equal(tc_cell(&r, child, "relhasindex"), "t");
    assert_string_equal(tc_cell(&r, child, "relpersistence"), "p");
    assert_string_equal(tc_cell(&r, child, "reloptions"), "{fillfactor=80}");
    assert_string_equal(tc_cell(&r, child, "relam"), "2");
    assert_string_equal(tc_cell(&r, child, "relchecks"), "1");
    assert_string_equal(tc_cell(&r, child, "relreplident"), "d");
    assert_string_equal(tc_cell(&r, child, "reltuples"), "-1");
    assert_string_equal(tc_cell(&r, child, "relhasrules"), "f");
    int64_t seq = tc_find(&r, "relname", "child_id_seq");
    assert_string_equal(tc_cell(&r, seq, "relkind"), "S");
    assert_string_equal(tc_cell(&r, seq, "relnatts"), "3");
    assert_string_equal(tc_cell(&r, seq, "relam"), "0");
    assert_string_equal(tc_cell(&r, seq, "relreplident"), "n");
    int64_t pkey = tc_find(&r, "relname", "parent_code_key");
    assert_string_equal(tc_cell(&r, pkey, "relkind"), "i");
    assert_string_equal(tc_cell(&r, pkey, "relam"), "403");
    assert_string_equal(tc_cell(&r, pkey, "reltuples"), "0");
    assert_string_equal(tc_cell(&r, pkey, "relhasindex"), "f");
    assert_string_equal(tc_cell(&r, tc_find(&r, "relname", "parent"), "reloptions"), "<NULL>");
    int64_t self = tc_find(&r, "relname", "pg_class");
    assert_string_equal(tc_cell(&r, self, "oid"), "1259");
    assert_string_equal(tc_cell(&r, self, "relkind"), "r");
    assert_string_equal(tc_cell(&r, self, "relnamespace"), "11");
    assert_string_equal(tc_cell(&r, self, "relhasindex"), "t");
    assert_string_equal(tc_cell(&r, tc_find(&r, "relname", "pg_roles"), "relkind"), "v");
    assert_string_equal(tc_cell(&r, tc_find(&r, "relname", "pg_database"), "relisshared"), "t");
}

static void test_pgcat_attribute_rows(void **state) {
    (void)state;
    tc_rel r = tc_scan(NULL, "pg_attribute");
    char rel[16];
    snprintf(rel, sizeof rel, "%u", tc_child);
    /* attnum|attname|atttypid|attnotnull|atthasdef|atttypmod|attlen|attndims|attbyval|
     * attalign|attstorage, as PostgreSQL 15 has them */
    static const char *const want[][11] = {
        {"-6", "tableoid", "26", "t", "f", "-1", "4", "0", "t", "i", "p"},
        {"-1", "ctid", "27", "t", "f", "-1", "6", "0", "f", "s", "p"},
        {"1", "id", "20", "t", "t", "-1", "8", "0", "t", "d", "p"},
        {"2", "parent_id", "23", "f", "f", "-1", "4", "0", "t", "i", "p"},
        {"3", "qty", "1700", "f", "t", "524294", "-1", "0", "f", "i", "m"},
        {"4", "created", "1184", "f", "t", "-1", "8", "0", "t", "d", "p"},
        {"5", "flags", "1000", "f", "f", "-1", "-1", "1", "f", "i", "x"},
    };
    static const char *const cols[] = {"attnum", "attname", "atttypid", "attnotnull",
                                       "atthasdef", "atttypmod", "attlen", "attndims",
                                       "attbyval", "attalign", "attstorage"};
    for (uint32_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t row = tc_find2(&r, "attrelid", rel, "attnum", want[i][0]);
        for (uint32_t c = 1; c < 11; c++) {
            assert_string_equal(tc_cell(&r, row, cols[c]), want[i][c]);
        }
        assert_string_equal(tc_cell(&r, row, "attisdropped"), "f");
        assert_string_equal(tc_cell(&r, row, "attidentity"), "");
    }
    assert_int_equal(tc_count(&r, "attrelid", rel), 11);
    /* the index on code has one attribute: code, varchar with the default collation */
    tc_rel cls = tc_scan(NULL, "pg_class");
    const char *ix = tc_cell(&cls, tc_find(&cls, "relname", "parent_code_key"), "oid");
    int64_t row = tc_find(&r, "attrelid", ix);
    assert_string_equal(tc_cell(&r, row, "attname"), "code");
    assert_string_equal(tc_cell(&r, row, "atttypid"), "1043");
    assert_string_equal(tc_cell(&r, row, "attcollation"), "100");
    assert_int_equal(tc_count(&r, "attrelid", ix), 1);
}

/* The OID of a relation, as text. */
static const char *tc_oid(const char *relation) {
    rt_err_clear(&tc_err);
    sql_io_ctx io = tc_io(&tc_err);
    sql_value v = {.type_oid = RC};
    if (!sql_value_in(&io, RC, relation, (uint32_t)strlen(relation), -1, &v)) {
        fail_msg("no relation %s", relation);
    }
    return rt_arena_sprintf(tc_arena, "%u", (uint32_t)v.i64);
}

static void test_pgcat_index_rows(void **state) {
    (void)state;
    tc_rel r = tc_scan(NULL, "pg_index");
    int64_t pk = tc_find(&r, "indexrelid", tc_oid("cat_s.parent_pkey"));
    assert_string_equal(tc_cell(&r, pk, "indrelid"), tc_oid("cat_s.parent"));
    assert_string_equal(tc_cell(&r, pk, "indnatts"), "1");
    assert_string_equal(tc_cell(&r, pk, "indisunique"), "t");
    assert_string_equal(tc_cell(&r, pk, "indisprimary"), "t");
    assert_string_equal(tc_cell(&r, pk, "indkey"), "1");
    assert_string_equal(tc_cell(&r, pk, "indcollation"), "0");
    assert_string_equal(tc_cell(&r, pk, "indoption"), "0");
    assert_string_equal(tc_cell(&r, pk, "indclass"), "1978");
    int64_t uq = tc_find(&r, "indexrelid", tc_oid("cat_s.parent_code_key"));
    assert_string_equal(tc_cell(&r, uq, "indisprimary"), "f");
    assert_string_equal(tc_cell(&r, uq, "indkey"), "2");
    assert_string_equal(tc_cell(&r, uq, "indcollation"), "100");
    assert_string_equal(tc_cell(&r, uq, "indclass"), "3126");
    int64_t hnsw = tc_find(&r, "indexrelid", tc_oid("cat_s.items_embedding_idx"));
    assert_string_equal(tc_cell(&r, hnsw, "indisunique"), "f");
    assert_string_equal(tc_cell(&r, hnsw, "indclass"), "16390"); /* vector_cosine_ops */
    assert_int_equal(r.rs.count, 4); /* not the automatic HNSW index */
    assert_string_equal(CALL("pg_get_indexdef", 1, TY(O), tc_oid("cat_s.items_embedding_idx")),
                        "CREATE INDEX items_embedding_idx ON cat_s.items USING hnsw (embedding "
                        "vector_cosine_ops) WITH (m='16', ef_construction='64')");
    assert_string_equal(tc_roundtrip(RC, "cat_s.items_embedding_auto"),
                        "ERROR 42P01: relation \"items_embedding_auto\" does not exist");
    tc_rel cls = tc_scan(NULL, "pg_class");
    int64_t ixrow = tc_find(&cls, "relname", "items_embedding_idx");
    assert_string_equal(tc_cell(&cls, ixrow, "relam"), "16387");
    assert_string_equal(tc_cell(&cls, ixrow, "reloptions"), "{m=16,ef_construction=64}");
}

/* ---- constraints and definitions ---- */

static void test_pgcat_constraint_rows(void **state) {
    (void)state;
    tc_rel r = tc_scan(NULL, "pg_constraint");
    /* conname|contype|conkey|confkey|confdeltype|confupdtype|confmatchtype|conindid */
    static const char *const want[][8] = {
        {"child_parent_id_fkey", "f", "{2}", "{1}", "c", "a", "s", "cat_s.parent_pkey"},
        {"child_pkey", "p", "{1}", "<NULL>", " ", " ", " ", "cat_s.child_pkey"},
        {"child_qty_check", "c", "{3}", "<NULL>", " ", " ", " ", "-"},
        {"parent_code_key", "u", "{2}", "<NULL>", " ", " ", " ", "cat_s.parent_code_key"},
        {"parent_pkey", "p", "{1}", "<NULL>", " ", " ", " ", "cat_s.parent_pkey"},
    };
    static const char *const cols[] = {"conname", "contype", "conkey", "confkey",
                                       "confdeltype", "confupdtype", "confmatchtype",
                                       "conindid"};
    char oid[16];
    for (uint32_t i = 0; i < 5; i++) {
        int64_t row = tc_find(&r, "conname", want[i][0]);
        for (uint32_t c = 1; c < 8; c++) {
            const char *got = tc_cell(&r, row, cols[c]);
            if (strcmp(cols[c], "conindid") == 0) got = tc_roundtrip(RC, got);
            assert_string_equal(got, want[i][c]);
        }
        assert_string_equal(tc_cell(&r, row, "convalidated"), "t");
        assert_string_equal(tc_cell(&r, row, "condeferrable"), "f");
        snprintf(oid, sizeof oid, "%s", tc_cell(&r, row, "oid"));
        static const char *const defs[] = {
            "FOREIGN KEY (parent_id) REFERENCES cat_s.parent(id) ON DELETE CASCADE",
            "PRIMARY KEY (id)", "CHECK ((qty >= (0)::numeric))", "UNIQUE (code)",
            "PRIMARY KEY (id)"};
        assert_string_equal(CALL("pg_get_constraintdef", 1, TY(O), oid), defs[i]);
        assert_string_equal(CALL("pg_get_constraintdef", 2, TY(O, B), oid, "t"),
                            i == 2 ? "CHECK (qty >= 0::numeric)" : defs[i]);
    }
    assert_int_equal(r.rs.count, 5);
    int64_t check = tc_find(&r, "conname", "child_qty_check");
    assert_string_equal(CALL("pg_get_expr", 2, TY(SQL_T_PG_NODE_TREE, O),
                             tc_cell(&r, check, "conbin"), tc_cell(&r, check, "conrelid")),
                        "(qty >= (0)::numeric)");
}

static void test_pgcat_defaults_and_definitions(void **state) {
    (void)state;
    tc_rel r = tc_scan(NULL, "pg_attrdef");
    static const char *const want[][2] = {
        {"1", "nextval('cat_s.child_id_seq'::regclass)"}, {"3", "0"}, {"4", "now()"}};
    assert_int_equal(r.rs.count, 3);
    for (uint32_t i = 0; i < 3; i++) {
        int64_t row = tc_find(&r, "adnum", want[i][0]);
        assert_string_equal(tc_cell(&r, row, "adrelid"), rt_arena_sprintf(tc_arena, "%u",
                                                                           tc_child));
        assert_string_equal(CALL("pg_get_expr", 2, TY(SQL_T_PG_NODE_TREE, O),
                                 tc_cell(&r, row, "adbin"), tc_cell(&r, row, "adrelid")),
                            want[i][1]);
    }
    char ix[16];
    snprintf(ix, sizeof ix, "%s", tc_oid("cat_s.parent_code_key"));
    assert_string_equal(CALL("pg_get_indexdef", 1, TY(O), ix),
                        "CREATE UNIQUE INDEX parent_code_key ON cat_s.parent USING btree (code)");
    assert_string_equal(CALL("pg_get_indexdef", 3, TY(O, I4, B), ix, "1", "t"), "code");
    assert_string_equal(CALL("pg_get_indexdef", 1, TY(O), "12345"), "<NULL>");
    assert_string_equal(CALL("pg_get_serial_sequence", 2, TY(T, T), "cat_s.child", "id"),
                        "cat_s.child_id_seq");
    assert_string_equal(CALL("pg_get_serial_sequence", 2, TY(T, T), "cat_s.child", "qty"),
                        "<NULL>");
    assert_string_equal(CALL("pg_get_serial_sequence", 2, TY(T, T), "cat_s.child", "nope"),
                        "ERROR 42703: column \"nope\" of relation \"child\" does not exist");
    assert_string_equal(CALL("pg_get_serial_sequence", 2, TY(T, T), "nope", "id"),
                        "ERROR 42P01: relation \"nope\" does not exist");
    tc_rel idx = tc_scan(NULL, "pg_indexes");
    assert_string_equal(tc_cell(&idx, tc_find(&idx, "indexname", "child_pkey"), "indexdef"),
                        "CREATE UNIQUE INDEX child_pkey ON cat_s.child USING btree (id)");
    assert_string_equal(tc_cell(&idx, tc_find(&idx, "indexname", "child_pkey"), "tablename"),
                        "child");
}

/* ---- pg_type, pg_proc ---- */

static void test_pgcat_type_rows(void **state) {
    (void)state;
    tc_rel r = tc_scan(NULL, "pg_type");
    /* typname|typlen|typbyval|typtype|typcategory|typelem|typarray|typinput|typoutput|
     * typreceive|typsend|typmodin|typalign|typstorage|typcollation|typsubscript */
    static const char *const want[][16] = {
        {"int4", "4", "t", "b", "N", "0", "1007", "int4in", "int4out", "int4recv", "int4send",
         "-", "i", "p", "0", "-"},
        {"text", "-1", "f", "b", "S", "0", "1009", "textin", "textout", "textrecv", "textsend",
         "-", "i", "x", "100", "-"},
        {"_int4", "-1", "f", "b", "A", "23", "0", "array_in", "array_out", "array_recv",
         "array_send", "-", "i", "x", "0", "array_subscript_handler"},
        {"varchar", "-1", "f", "b", "S", "0", "1015", "varcharin", "varcharout", "varcharrecv",
         "varcharsend", "varchartypmodin", "i", "x", "100", "-"},
        {"numeric", "-1", "f", "b", "N", "0", "1231", "numeric_in", "numeric_out",
         "numeric_recv", "numeric_send", "numerictypmodin", "i", "m", "0", "-"},
    };
    static const char *const cols[] = {"typname", "typlen", "typbyval", "typtype",
                                       "typcategory", "typelem", "typarray", "typinput",
                                       "typoutput", "typreceive", "typsend", "typmodin",
                                       "typalign", "typstorage", "typcollation", "typsubscript"};
    for (uint32_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t row = tc_find(&r, "typname", want[i][0]);
        for (uint32_t c = 1; c < 16; c++) {
            assert_string_equal(tc_cell(&r, row, cols[c]), want[i][c]);
        }
        assert_string_equal(tc_cell(&r, row, "typnamespace"), "11");
        assert_string_equal(tc_cell(&r, row, "typisdefined"), "t");
        assert_string_equal(tc_cell(&r, row, "typdelim"), ",");
        assert_string_equal(tc_cell(&r, row, "typtypmod"), "-1");
        assert_string_equal(tc_cell(&r, row, "typbasetype"), "0");
    }
    assert_string_equal(tc_cell(&r, tc_find(&r, "typname", "vector"), "typnamespace"), "2200");
    assert_string_equal(tc_cell(&r, tc_find(&r, "typname", "_text"), "typcollation"), "100");
    assert_string_equal(tc_cell(&r, tc_find(&r, "typname", "_name"), "typcollation"), "950");
    tc_rel p = tc_scan(NULL, "pg_proc");
    int64_t lower = tc_find(&p, "proname", "lower");
    assert_true(lower >= 0);
    assert_string_equal(tc_cell(&p, lower, "prokind"), "f");
    assert_string_equal(tc_cell(&p, lower, "pronamespace"), "11");
    int64_t count = tc_find(&p, "proname", "count");
    assert_string_equal(tc_cell(&p, count, "prokind"), "a");
    int64_t series = tc_find(&p, "proname", "generate_series");
    assert_string_equal(tc_cell(&p, series, "proretset"), "t");
}

/* ---- reg* types ---- */

static void test_pgcat_reg_types_read_and_print_names(void **state) {
    (void)state;
    assert_string_equal(tc_roundtrip(RC, "cat_s.parent"), "cat_s.parent");
    assert_string_equal(tc_roundtrip(RC, "CAT_S.\"parent\""), "cat_s.parent");
    assert_string_equal(tc_roundtrip(RC, "pg_class"), "pg_class");
    assert_string_equal(tc_roundtrip(RC, "pg_catalog.pg_class"), "pg_class");
    assert_string_equal(tc_roundtrip(RC, "information_schema.tables"),
                        "information_schema.tables");
    assert_string_equal(tc_roundtrip(RC, "postgres.cat_s.child"), "cat_s.child");
    assert_string_equal(tc_roundtrip(RC, "0"), "-");
    assert_string_equal(tc_roundtrip(RC, "-"), "-");
    assert_string_equal(tc_roundtrip(RC, "99999"), "99999");
    assert_string_equal(tc_roundtrip(RC, "nope"),
                        "ERROR 42P01: relation \"nope\" does not exist");
    assert_string_equal(tc_roundtrip(RC, "a.nope"), "ERROR 3F000: schema \"a\" does not exist");
    assert_string_equal(tc_roundtrip(RC, "int4"),
                        "ERROR 42P01: relation \"int4\" does not exist");
    assert_string_equal(tc_roundtrip(RC, "x.y.z"), "ERROR 0A000: cross-database references "
                                                   "are not implemented: \"x.y.z\"");
    assert_string_equal(tc_roundtrip(RC, "a.b.c.d"), "ERROR 42601: improper relation name "
                                                     "(too many dotted names): a.b.c.d");
    assert_string_equal(tc_roundtrip(RC, "\"bad"), "ERROR 42602: invalid name syntax");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "int4"), "integer");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "pg_catalog.int4"), "integer");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "int4[]"), "integer[]");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "varchar(10)"), "character varying");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "\"char\""), "\"char\"");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "char"), "character");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "timestamp(3) with time zone"),
                        "timestamp with time zone");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "double precision"), "double precision");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "0"), "-");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "99999"), "99999");
    assert_string_equal(tc_roundtrip(SQL_T_REGTYPE, "nope"),
                        "ERROR 42704: type \"nope\" does not exist");
    assert_string_equal(tc_roundtrip(SQL_T_REGPROC, "nope"),
                        "ERROR 42883: function \"nope\" does not exist");
    assert_string_equal(tc_roundtrip(SQL_T_REGPROC, "abs"),
                        "ERROR 42725: more than one function named \"abs\"");
    assert_string_equal(tc_roundtrip(SQL_T_REGPROC, "int4in"), "int4in");
    assert_string_equal(tc_roundtrip(SQL_T_REGPROC, "0"), "-");
    assert_string_equal(tc_roundtrip(SQL_T_REGPROCEDURE, "lower(text)"), "lower(text)");
    assert_string_equal(tc_roundtrip(SQL_T_REGPROCEDURE, "nope(int)"),
                        "ERROR 42883: function \"nope(int)\" does not exist");
    assert_string_equal(tc_roundtrip(SQL_T_REGNAMESPACE, "cat_s"), "cat_s");
    assert_string_equal(tc_roundtrip(SQL_T_REGNAMESPACE, "11"), "pg_catalog");
    assert_string_equal(tc_roundtrip(SQL_T_REGNAMESPACE, "nope"),
                        "ERROR 3F000: schema \"nope\" does not exist");
    assert_string_equal(tc_roundtrip(SQL_T_REGROLE, "postgres"), "postgres");
    assert_string_equal(tc_roundtrip(SQL_T_REGROLE, "nope"),
                        "ERROR 42704: role \"nope\" does not exist");
    assert_string_equal(tc_roundtrip(SQL_T_REGOPER, "0"), "0");
    assert_string_equal(tc_roundtrip(SQL_T_REGOPER, "nope"),
                        "ERROR 42883: operator does not exist: nope");
    assert_string_equal(CALL("to_regclass", 1, TY(T), "nope"), "<NULL>");
    assert_string_equal(CALL("to_regclass", 1, TY(T), "cat_s.child"), "cat_s.child");
    assert_string_equal(CALL("to_regtype", 1, TY(T), "nope"), "<NULL>");
    assert_string_equal(CALL("to_regtype", 1, TY(T), "integer"), "integer");
    assert_string_equal(CALL("to_regproc", 1, TY(T), "abs"), "<NULL>");
    assert_string_equal(CALL("to_regproc", 1, TY(T), "initcap"), "initcap");
    /* lower(text) and lower() of every range type, as PostgreSQL's lower(anyrange) */
    assert_string_equal(CALL("to_regproc", 1, TY(T), "lower"), "<NULL>");
    assert_string_equal(CALL("to_regnamespace", 1, TY(T), "x"), "<NULL>");
}

/* ---- functions ---- */

static void test_pgcat_functions_answer_as_postgresql(void **state) {
    (void)state;
    assert_string_equal(CALL("format_type", 2, TY(O, I4), "1043", "14"),
                        "character varying(10)");
    assert_string_equal(CALL("format_type", 2, TY(O, I4), "23", NULL), "integer");
    assert_string_equal(CALL("format_type", 2, TY(O, I4), "1700", "524294"), "numeric(8,2)");
    assert_string_equal(CALL("format_type", 2, TY(O, I4), NULL, NULL), "<NULL>");
    char child[16];
    snprintf(child, sizeof child, "%u", tc_child);
    assert_string_equal(CALL("pg_table_is_visible", 1, TY(O), child), "f");
    assert_string_equal(CALL("pg_table_is_visible", 1, TY(O), "1259"), "t");
    assert_string_equal(CALL("pg_table_is_visible", 1, TY(O), "99999"), "<NULL>");
    assert_string_equal(CALL("pg_type_is_visible", 1, TY(O), "23"), "t");
    assert_string_equal(CALL("obj_description", 2, TY(O, NM), child, "pg_class"), "child rows");
    assert_string_equal(CALL("obj_description", 2, TY(O, NM), "1259", "pg_class"), "<NULL>");
    assert_string_equal(CALL("col_description", 2, TY(O, I4), child, "1"), "<NULL>");
    assert_string_equal(CALL("pg_get_userbyid", 1, TY(O), "10"), "postgres");
    assert_string_equal(CALL("pg_get_userbyid", 1, TY(O), "12345"), "unknown (OID=12345)");
    assert_string_equal(CALL("pg_encoding_to_char", 1, TY(I4), "6"), "UTF8");
    assert_string_equal(CALL("pg_encoding_to_char", 1, TY(I4), "99"), "");
    assert_string_equal(CALL("pg_char_to_encoding", 1, TY(NM), "utf8"), "6");
    assert_string_equal(CALL("pg_char_to_encoding", 1, TY(NM), "xx"), "-1");
    assert_string_equal(CALL("pg_size_pretty", 1, TY(I8), "10239"), "10239 bytes");
    assert_string_equal(CALL("pg_size_pretty", 1, TY(I8), "10240"), "10 kB");
    assert_string_equal(CALL("pg_size_pretty", 1, TY(I8), "20971519"), "20 MB");
    assert_string_equal(CALL("pg_size_pretty", 1, TY(I8), "-5000000"), "-4883 kB");
    assert_string_equal(CALL("pg_size_pretty", 1, TY(I8), "1099511627776"), "1024 GB");
    assert_string_equal(CALL("has_table_privilege", 2, TY(T, T), "cat_s.child", "SELECT"), "t");
    assert_string_equal(CALL("has_table_privilege", 2, TY(T, T), "cat_s.nope", "SELECT"),
                        "ERROR 42P01: relation \"nope\" does not exist");
    assert_string_equal(CALL("has_table_privilege", 3, TY(NM, O, T), "postgres", "99999", "select"),
                        "<NULL>");
    assert_string_equal(CALL("has_table_privilege", 2, TY(T, T), "cat_s.child",
                             "select, Insert WITH GRANT OPTION"), "t");
    assert_string_equal(CALL("has_table_privilege", 2, TY(T, T), "cat_s.child", "usage"),
                        "ERROR 22023: unrecognized privilege type: \"usage\"");
    assert_string_equal(CALL("has_table_privilege", 3, TY(NM, T, T), "nobody", "cat_s.child",
                             "select"), "ERROR 42704: role \"nobody\" does not exist");
    assert_string_equal(CALL("has_schema_privilege", 2, TY(T, T), "cat_s", "USAGE"), "t");
    assert_string_equal(CALL("has_database_privilege", 2, TY(T, T), "postgres", "temp"), "t");
    assert_string_equal(CALL("has_schema_privilege", 2, TY(T, T), "nope", "USAGE"),
                        "ERROR 3F000: schema \"nope\" does not exist");
    assert_string_equal(CALL("has_database_privilege", 2, TY(T, T), "postgres", "CONNECT"), "t");
    assert_string_equal(CALL("current_schemas", 1, TY(B), "t"), "{pg_catalog,public}");
    assert_string_equal(CALL("current_schemas", 1, TY(B), "f"), "{public}");
    assert_string_equal(CALL("pg_relation_is_publishable", 1, TY(RC), "cat_s.child"), "t");
    assert_string_equal(CALL("pg_get_triggerdef", 1, TY(O), "1"), "<NULL>");
}

/* ---- information_schema ---- */

static void test_pgcat_information_schema_columns(void **state) {
    (void)state;
    tc_rel r = tc_scan("information_schema", "columns");
    /* column_name|ordinal_position|column_default|is_nullable|data_type|
     * character_maximum_length|character_octet_length|numeric_precision|
     * numeric_precision_radix|numeric_scale|datetime_precision|udt_name */
    static const char *const want[][12] = {
        {"id", "1", "nextval('cat_s.child_id_seq'::regclass)", "NO", "bigint", "<NULL>",
         "<NULL>", "64", "2", "0", "<NULL>", "int8"},
        {"parent_id", "2", "<NULL>", "YES", "integer", "<NULL>", "<NULL>", "32", "2", "0",
         "<NULL>", "int4"},
        {"qty", "3", "0", "YES", "numeric", "<NULL>", "<NULL>", "8", "10", "2", "<NULL>",
         "numeric"},
        {"created", "4", "now()", "YES", "timestamp with time zone", "<NULL>", "<NULL>",
         "<NULL>", "<NULL>", "<NULL>", "6", "timestamptz"},
        {"flags", "5", "<NULL>", "YES", "ARRAY", "<NULL>", "<NULL>", "<NULL>", "<NULL>",
         "<NULL>", "<NULL>", "_bool"},
    };
    static const char *const cols[] = {"column_name", "ordinal_position", "column_default",
                                       "is_nullable", "data_type", "character_maximum_length",
                                       "character_octet_length", "numeric_precision",
                                       "numeric_precision_radix", "numeric_scale",
                                       "datetime_precision", "udt_name"};
    for (uint32_t i = 0; i < 5; i++) {
        int64_t row = tc_find2(&r, "table_name", "child", "column_name", want[i][0]);
        for (uint32_t c = 1; c < 12; c++) {
            assert_string_equal(tc_cell(&r, row, cols[c]), want[i][c]);
        }
        assert_string_equal(tc_cell(&r, row, "table_schema"), "cat_s");
        assert_string_equal(tc_cell(&r, row, "table_catalog"), "postgres");
        assert_string_equal(tc_cell(&r, row, "is_identity"), "NO");
        assert_string_equal(tc_cell(&r, row, "is_generated"), "NEVER");
        assert_string_equal(tc_cell(&r, row, "is_updatable"), "YES");
        assert_string_equal(tc_cell(&r, row, "dtd_identifier"), want[i][1]);
    }
    /* identity and char(n) columns */
    static const char *const ident[][13] = {
        {"id", "<NULL>", "YES", "ALWAYS", "1", "1", "9223372036854775807", "1", "NO", "bigint",
         "<NULL>", "<NULL>", "int8"},
        {"note", "<NULL>", "NO", "<NULL>", "<NULL>", "<NULL>", "<NULL>", "<NULL>", "NO",
         "character", "4", "16", "bpchar"}};
    static const char *const icols[] = {
        "column_name", "column_default", "is_identity", "identity_generation",
        "identity_start", "identity_increment", "identity_maximum", "identity_minimum",
        "identity_cycle", "data_type", "character_maximum_length", "character_octet_length",
        "udt_name"};
    for (uint32_t i = 0; i < 2; i++) {
        int64_t row = tc_find2(&r, "table_name", "ident", "column_name", ident[i][0]);
        for (uint32_t c = 1; c < 13; c++) {
            assert_string_equal(tc_cell(&r, row, icols[c]), ident[i][c]);
        }
    }
    assert_string_equal(CALL("pg_get_serial_sequence", 2, TY(T, T), "cat_s.ident", "id"),
                        "cat_s.ident_id_seq");
    assert_string_equal(CALL("format_type", 2, TY(O, I4), "1042", "8"), "character(4)");
    assert_string_equal(CALL("format_type", 2, TY(O, I4), "1042", NULL), "character");
    int64_t emb = tc_find2(&r, "table_name", "items", "column_name", "embedding");
    assert_string_equal(tc_cell(&r, emb, "data_type"), "USER-DEFINED");
    assert_string_equal(tc_cell(&r, emb, "udt_schema"), "public");
    assert_string_equal(tc_cell(&r, emb, "udt_name"), "vector");
    int64_t code = tc_find2(&r, "table_name", "parent", "column_name", "code");
    assert_string_equal(tc_cell(&r, code, "data_type"), "character varying");
    assert_string_equal(tc_cell(&r, code, "character_maximum_length"), "10");
    assert_string_equal(tc_cell(&r, code, "character_octet_length"), "40");
    assert_string_equal(tc_cell(&r, code, "collation_name"), "<NULL>");
}

static void test_pgcat_information_schema_constraints(void **state) {
    (void)state;
    tc_rel tc = tc_scan("information_schema", "table_constraints");
    static const char *const want[][2] = {
        {"child_parent_id_fkey", "FOREIGN KEY"}, {"child_pkey", "PRIMARY KEY"},
        {"child_qty_check", "CHECK"}, {"parent_code_key", "UNIQUE"},
        {"parent_pkey", "PRIMARY KEY"}};
    for (uint32_t i = 0; i < 5; i++) {
        int64_t row = tc_find(&tc, "constraint_name", want[i][0]);
        assert_string_equal(tc_cell(&tc, row, "constraint_type"), want[i][1]);
        assert_string_equal(tc_cell(&tc, row, "is_deferrable"), "NO");
        assert_string_equal(tc_cell(&tc, row, "enforced"), "YES");
        assert_string_equal(tc_cell(&tc, row, "nulls_distinct"),
                            strcmp(want[i][1], "UNIQUE") == 0 ? "YES" : "<NULL>");
    }
    char nn[64];
    snprintf(nn, sizeof nn, "%u_%u_2_not_null", tc_schema, tc_parent);
    assert_string_equal(tc_cell(&tc, tc_find(&tc, "constraint_name", nn), "constraint_type"),
                        "CHECK");
    assert_int_equal(tc_count(&tc, "constraint_type", "CHECK"), 5);
    tc_rel k = tc_scan("information_schema", "key_column_usage");
    int64_t fk = tc_find(&k, "constraint_name", "child_parent_id_fkey");
    assert_string_equal(tc_cell(&k, fk, "column_name"), "parent_id");
    assert_string_equal(tc_cell(&k, fk, "position_in_unique_constraint"), "1");
    int64_t pk = tc_find(&k, "constraint_name", "parent_pkey");
    assert_string_equal(tc_cell(&k, pk, "position_in_unique_constraint"), "<NULL>");
    assert_int_equal(k.rs.count, 4);
    tc_rel rc = tc_scan("information_schema", "referential_constraints");
    assert_int_equal(rc.rs.count, 1);
    assert_string_equal(tc_cell(&rc, 0, "unique_constraint_name"), "parent_pkey");
    assert_string_equal(tc_cell(&rc, 0, "match_option"), "NONE");
    assert_string_equal(tc_cell(&rc, 0, "update_rule"), "NO ACTION");
    assert_string_equal(tc_cell(&rc, 0, "delete_rule"), "CASCADE");
    tc_rel cc = tc_scan("information_schema", "check_constraints");
    assert_string_equal(tc_cell(&cc, tc_find(&cc, "constraint_name", nn), "check_clause"),
                        "code IS NOT NULL");
    assert_string_equal(tc_cell(&cc, tc_find(&cc, "constraint_name", "child_qty_check"),
                                "check_clause"),
                        "((qty >= (0)::numeric))");
    tc_rel sq = tc_scan("information_schema", "sequences");
    assert_int_equal(sq.rs.count, 1); /* not the identity column's */
    static const char *const seq[][2] = {
        {"sequence_name", "child_id_seq"}, {"data_type", "bigint"}, {"numeric_precision", "64"},
        {"start_value", "1"}, {"minimum_value", "1"}, {"maximum_value", "9223372036854775807"},
        {"increment", "1"}, {"cycle_option", "NO"}};
    for (uint32_t i = 0; i < 8; i++) assert_string_equal(tc_cell(&sq, 0, seq[i][0]), seq[i][1]);
}

static void test_pgcat_namespaces_tables_and_settings(void **state) {
    (void)state;
    tc_rel ns = tc_scan(NULL, "pg_namespace");
    static const char *const names[] = {"pg_catalog", "public", "information_schema", "cat_s",
                                        "pg_toast"};
    for (uint32_t i = 0; i < 5; i++) assert_true(tc_find(&ns, "nspname", names[i]) >= 0);
    tc_rel t = tc_scan(NULL, "pg_tables");
    int64_t child = tc_find2(&t, "schemaname", "cat_s", "tablename", "child");
    assert_string_equal(tc_cell(&t, child, "tableowner"), "postgres");
    assert_string_equal(tc_cell(&t, child, "hasindexes"), "t");
    assert_string_equal(tc_cell(&t, child, "tablespace"), "<NULL>");
    assert_true(tc_find2(&t, "schemaname", "pg_catalog", "tablename", "pg_class") >= 0);
    tc_rel db = tc_scan(NULL, "pg_database");
    int64_t pg = tc_find(&db, "datname", "postgres");
    assert_string_equal(tc_cell(&db, pg, "datallowconn"), "t");
    assert_string_equal(tc_cell(&db, pg, "datistemplate"), "f");
    assert_string_equal(tc_cell(&db, pg, "encoding"), "6");
    assert_string_equal(tc_cell(&db, tc_find(&db, "datname", "template0"), "datallowconn"), "f");
    tc_rel ro = tc_scan(NULL, "pg_roles");
    int64_t su = tc_find(&ro, "rolname", "postgres");
    assert_string_equal(tc_cell(&ro, su, "rolsuper"), "t");
    assert_string_equal(tc_cell(&ro, su, "rolcanlogin"), "t");
    assert_string_equal(tc_cell(&ro, su, "rolpassword"), "********");
    assert_string_equal(tc_cell(&ro, su, "rolvaliduntil"), "<NULL>");
    tc_rel seq = tc_scan(NULL, "pg_sequence");
    assert_string_equal(tc_cell(&seq, 0, "seqrelid"), tc_oid("cat_s.child_id_seq"));
    assert_string_equal(tc_cell(&seq, 0, "seqtypid"), "20");
    assert_string_equal(tc_cell(&seq, 0, "seqmax"), "9223372036854775807");
    tc_rel dep = tc_scan(NULL, "pg_depend");
    int64_t owned = tc_find(&dep, "objid", tc_oid("cat_s.child_id_seq"));
    assert_string_equal(tc_cell(&dep, owned, "refobjid"), tc_oid("cat_s.child"));
    assert_string_equal(tc_cell(&dep, owned, "refobjsubid"), "1");
    assert_string_equal(tc_cell(&dep, owned, "deptype"), "a");
    owned = tc_find(&dep, "objid", tc_oid("cat_s.ident_id_seq"));
    assert_string_equal(tc_cell(&dep, owned, "deptype"), "i");
    tc_rel d = tc_scan(NULL, "pg_description");
    assert_int_equal(d.rs.count, 2);
    int64_t com = tc_find(&d, "objoid", tc_oid("cat_s.child"));
    assert_string_equal(tc_cell(&d, com, "description"), "child rows");
    assert_string_equal(tc_cell(&d, com, "classoid"), "1259");
    assert_string_equal(tc_cell(&d, tc_find(&d, "classoid", "3079"), "description"),
                        "PL/pgSQL procedural language");
    tc_rel s = tc_scan(NULL, "pg_settings");
    assert_int_equal(s.rs.count, sql_setting_count());
    int64_t sp = tc_find(&s, "name", sql_setting_at(0)->name);
    assert_string_equal(tc_cell(&s, sp, "setting"), sql_setting_at(0)->boot_value);
    assert_string_equal(tc_cell(&s, sp, "context"), sql_setting_at(0)->context);
    tc_rel am = tc_scan(NULL, "pg_am");
    assert_string_equal(tc_cell(&am, tc_find(&am, "amname", "btree"), "oid"), "403");
    assert_string_equal(tc_cell(&am, tc_find(&am, "amname", "heap"), "amtype"), "t");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgcat_find_by_schema_and_name),
        cmocka_unit_test(test_pgcat_every_relation_scans),
        cmocka_unit_test(test_pgcat_class_rows),
        cmocka_unit_test(test_pgcat_attribute_rows),
        cmocka_unit_test(test_pgcat_index_rows),
        cmocka_unit_test(test_pgcat_constraint_rows),
        cmocka_unit_test(test_pgcat_defaults_and_definitions),
        cmocka_unit_test(test_pgcat_type_rows),
        cmocka_unit_test(test_pgcat_reg_types_read_and_print_names),
        cmocka_unit_test(test_pgcat_functions_answer_as_postgresql),
        cmocka_unit_test(test_pgcat_information_schema_columns),
        cmocka_unit_test(test_pgcat_information_schema_constraints),
        cmocka_unit_test(test_pgcat_namespaces_tables_and_settings),
    };
    return cmocka_run_group_tests(tests, tc_setup, tc_teardown);
}
