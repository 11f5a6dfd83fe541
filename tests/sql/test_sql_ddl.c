/* test_sql_ddl.c: DDL statements against a real engine: CREATE TABLE / INDEX / SEQUENCE /
 * SCHEMA / ROLE / EXTENSION / VIEW / DOMAIN, ALTER, DROP, TRUNCATE, COMMENT, with PostgreSQL's
 * names, errors, notices and command tags; then the engine restarts and the DDL must still be there.
 * How: a data directory in /tmp and real shards; a fiber on shard 0 parses each SQL string and
 * runs its statements through sql_ddl_exec in one transaction (committed, or aborted on error),
 * as the session does, and reads the published catalog back. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sql/sql_ddl.h"
#include "sql/sql_expr.h"
#include "sql/sql_types.h"
#include "tests/common/test_engine.h"

#define NOTICES_MAX 8

typedef struct td_result {
    bool ok;
    rt_err err;
    char tag[SQL_TAG_BYTES];
    uint32_t nnotices;
    rt_err notices[NOTICES_MAX];
} td_result;

static void td_notice(void *arg, const char *severity, const rt_err *n) {
    td_result *r = arg;
    (void)severity;
    if (r->nnotices < NOTICES_MAX) r->notices[r->nnotices++] = *n;
}

/* Runs every statement of `sql` in one transaction block (in_block) or implicit transaction. */
static td_result td_exec_block(const char *sql, bool in_block) {
    static td_result r;
    memset(&r, 0, sizeof r);
    rt_err_clear(&r.err);
    rt_arena *arena = rt_arena_create(64u << 20);
    sql_stmt_list stmts;
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    static const char *const path[] = {"$user", "public"};
    sql_bind_ctx bc = {.arena = arena, .err = &r.err, .catalog = ref.catalog, .db = db,
                       .search_path = path, .nsearch = 2, .sql = sql,
                       .sql_len = (uint32_t)strlen(sql), .shard_count = eng_shard_count()};
    sql_sink sink = {.arg = &r, .notice = td_notice};
    eng_txn_ctx txn;
    r.ok = sql_parse(arena, sql, (uint32_t)strlen(sql), &stmts, &r.err) &&
           eng_txn_start(&txn, &r.err);
    bool started = r.ok;
    sql_ddl_ctx dc = {.bc = &bc, .txn = &txn, .db_oid = db->oid,
                      .user_oid = ENG_OID_BOOTSTRAP_ROLE, .superuser = true,
                      .in_txn_block = in_block,
                      .lock_timeout_ms = 1000, .sink = &sink};
    for (uint32_t i = 0; r.ok && i < stmts.count; i++) {
        TEST_CHECK(sql_ddl_handles(stmts.stmts[i].node));
        r.ok = sql_ddl_exec(&dc, stmts.stmts[i].node, r.tag, &r.err);
    }
    eng_catalog_unpin(&ref);
    if (started && r.ok) {
        r.ok = eng_txn_finish_commit(&txn, &r.err);
    } else if (started) {
        eng_txn_finish_abort(&txn);
    }
    rt_arena_destroy(arena);
    return r;
}

static td_result td_exec(const char *sql) { return td_exec_block(sql, false); }

static bool td_ok(const char *sql, const char *tag) {
    td_result r = td_exec(sql);
    if (!r.ok) rt_log(RT_LOG_ERROR, NULL, "%s: %s %s", sql, r.err.sqlstate, r.err.message);
    if (r.ok && tag != NULL && strcmp(r.tag, tag) != 0) {
        rt_log(RT_LOG_ERROR, NULL, "%s: tag %s, want %s", sql, r.tag, tag);
        return false;
    }
    return r.ok;
}

static bool td_fails(const char *sql, const char *sqlstate, const char *message) {
    td_result r = td_exec(sql);
    bool good = !r.ok && strcmp(r.err.sqlstate, sqlstate) == 0 &&
                (message == NULL || strcmp(r.err.message, message) == 0);
    if (!good) {
        rt_log(RT_LOG_ERROR, NULL, "%s: got %s %s %s, want %s %s", sql, r.ok ? "ok" : "error",
               r.err.sqlstate, r.err.message, sqlstate, message ? message : "");
    }
    return good;
}

static bool td_notice_is(const char *sql, const char *sqlstate, const char *message) {
    td_result r = td_exec(sql);
    bool good = r.ok && r.nnotices == 1 && strcmp(r.notices[0].sqlstate, sqlstate) == 0 &&
                strcmp(r.notices[0].message, message) == 0;
    if (!good) {
        rt_log(RT_LOG_ERROR, NULL, "%s: %s notices %u: %s %s", sql, r.ok ? "ok" : r.err.message,
               r.nnotices, r.nnotices ? r.notices[0].sqlstate : "",
               r.nnotices ? r.notices[0].message : "");
    }
    return good;
}

/* ---- reading the published catalog ---- */

static eng_catalog_ref cat_ref;

static const eng_database *cat_db(void) {
    eng_catalog_pin(&cat_ref);
    return eng_catalog_db_by_name(cat_ref.catalog, "postgres");
}
static void cat_done(void) { eng_catalog_unpin(&cat_ref); }

static const eng_table *cat_table(const eng_database *db, const char *schema, const char *name) {
    const eng_schema *s = eng_db_schema_by_name(db, schema);
    return s == NULL ? NULL : eng_db_table_by_name(db, s->oid, name);
}

static const eng_index *cat_index(const eng_table *t, const char *name) {
    for (uint32_t i = 0; t != NULL && i < t->index_count; i++) {
        if (strcmp(t->indexes[i].name, name) == 0) return &t->indexes[i];
    }
    return NULL;
}

static const eng_constraint *cat_constraint(const eng_table *t, const char *name) {
    for (uint32_t i = 0; t != NULL && i < t->constraint_count; i++) {
        if (strcmp(t->constraints[i].name, name) == 0) return &t->constraints[i];
    }
    return NULL;
}

static bool streq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ---- phase 1: create ---- */

static void check_items_table(bool after_restart) {
    const eng_database *db = cat_db();
    const eng_table *t = cat_table(db, "public", "items");
    TEST_CHECK(t != NULL);
    if (t == NULL) return cat_done();
    TEST_CHECK(t->kind == 'r' && t->persistence == 'p');
    TEST_CHECK(t->column_count >= 5);
    const eng_column *id = eng_table_column_by_name(t, "id");
    TEST_CHECK(id != NULL && id->type_oid == SQL_T_INT4 && id->not_null);
    TEST_CHECK(id != NULL && streq(id->default_text, "nextval('items_id_seq'::regclass)"));
    const eng_sequence *s = eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "items_id_seq");
    TEST_CHECK(s != NULL && s->owned_by_table == t->oid && s->owned_by_attnum == 1);
    TEST_CHECK(s != NULL && s->type_oid == SQL_T_INT4 && s->max_value == INT32_MAX);
    TEST_CHECK(id != NULL && s != NULL && id->default_seq == s->oid);
    const eng_column *name = eng_table_column_by_name(t, "name");
    TEST_CHECK(name != NULL && name->type_oid == SQL_T_VARCHAR && name->typmod == 40 + 4);
    TEST_CHECK(name != NULL && streq(name->default_text, "'none'"));
    TEST_CHECK(name != NULL && streq(name->comment, "the name"));
    const eng_column *v = eng_table_column_by_name(t, "v");
    TEST_CHECK(v != NULL && v->type_oid == SQL_T_VECTOR && v->vector_dims == 3 &&
               v->store == ENG_STORE_VECTOR);
    TEST_CHECK(t->pk_count == 1 && t->pk_attnums[0] == 1);
    const eng_index *pk = cat_index(t, "items_pkey");
    TEST_CHECK(pk != NULL && pk->primary && pk->unique && pk->method == ENG_INDEX_BTREE);
    const eng_constraint *ck = cat_constraint(t, "items_score_check");
    TEST_CHECK(ck != NULL && ck->kind == 'c' && streq(ck->check_text, "score > 0"));
    const eng_constraint *pkc = cat_constraint(t, "items_pkey");
    TEST_CHECK(pkc != NULL && pkc->kind == 'p' && pk != NULL && pkc->index_oid == pk->oid);
    TEST_CHECK(streq(t->comment, "all the items"));
    /* The explicit HNSW index replaced the automatic one of v. */
    TEST_CHECK(cat_index(t, "items_v_idx") == NULL);
    const eng_index *hv = cat_index(t, "items_v_l2");
    TEST_CHECK(hv != NULL && hv->method == ENG_INDEX_HNSW && hv->metric == ENG_METRIC_L2 &&
               hv->hnsw_m == 8 && hv->hnsw_ef_construction == 32 && !hv->automatic);
    TEST_CHECK(cat_index(t, "items_name_idx") != NULL);
    TEST_CHECK(cat_index(t, "items_name_idx1") != NULL);
    const eng_column *extra = eng_table_column_by_name(t, "extra2");
    TEST_CHECK(extra != NULL && extra->type_oid == SQL_T_INT4 && extra->missing_len == 8);
    TEST_CHECK(eng_table_column_by_name(t, "gone") == NULL);
    TEST_CHECK(cat_constraint(t, "gone_pos") == NULL); /* went with its column */
    (void)after_restart;
    cat_done();
}

static void check_other_objects(void) {
    const eng_database *db = cat_db();
    const eng_table *w = cat_table(db, "public", "pairs");
    TEST_CHECK(w != NULL && w->pk_count == 2);
    TEST_CHECK(cat_index(w, "pairs_a_b_key") != NULL || cat_index(w, "pairs_ab") != NULL);
    TEST_CHECK(cat_constraint(w, "pairs_a_check") != NULL);
    TEST_CHECK(cat_constraint(w, "pairs_check") != NULL);
    const eng_table *idt = cat_table(db, "public", "idt");
    const eng_column *ic = idt != NULL ? eng_table_column_by_name(idt, "id") : NULL;
    TEST_CHECK(ic != NULL && ic->identity == 'a' && ic->not_null && ic->type_oid == SQL_T_INT8);
    const eng_sequence *s = eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "counter");
    TEST_CHECK(s != NULL && s->increment == 5 && s->start == 10 && s->min_value == 1 &&
               s->max_value == INT64_MAX && s->cache == 1 && !s->cycle);
    const eng_sequence *d = eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "down");
    TEST_CHECK(d != NULL && d->increment == -1 && d->start == -1 && d->max_value == -1 &&
               d->min_value == INT16_MIN && d->type_oid == SQL_T_INT2);
    TEST_CHECK(db->extension_count == 1 && streq(db->extensions[0].name, "vector"));
    const eng_schema *app = eng_db_schema_by_name(db, "app");
    TEST_CHECK(app != NULL && streq(app->comment, "application"));
    TEST_CHECK(cat_table(db, "app", "things") != NULL);
    TEST_CHECK(eng_db_schema_by_name(db, "scratch") == NULL);
    const eng_table *view = cat_table(db, "public", "names");
    TEST_CHECK(view != NULL && view->kind == 'v' && view->column_count == 2 &&
               streq(view->columns[1].name, "label"));
    const eng_role *alice = eng_catalog_role_by_name(cat_ref.catalog, "alice");
    TEST_CHECK(alice != NULL && alice->login && !alice->superuser && alice->createdb);
    TEST_CHECK(alice != NULL && alice->password != NULL &&
               strncmp(alice->password, "SCRAM-SHA-256$4096:", 19) == 0);
    TEST_CHECK(eng_catalog_role_by_name(cat_ref.catalog, "bob") != NULL);
    TEST_CHECK(eng_catalog_db_by_name(cat_ref.catalog, "other") != NULL);
    cat_done();
}

static void create_objects(void) {
    TEST_CHECK(td_ok("CREATE TABLE items (id serial PRIMARY KEY, "
                     "name varchar(40) NOT NULL DEFAULT 'none', "
                     "score numeric CHECK (score > 0), v vector(3), "
                     "made int8 DEFAULT 1 + 2, gone int)", "CREATE TABLE"));
    TEST_CHECK(td_ok("CREATE INDEX ON items (name)", "CREATE INDEX"));
    TEST_CHECK(td_ok("CREATE INDEX ON items (name DESC)", "CREATE INDEX"));
    TEST_CHECK(td_ok("CREATE INDEX items_v_l2 ON items USING hnsw (v vector_l2_ops) "
                     "WITH (m = 8, ef_construction = 32)", "CREATE INDEX"));
    TEST_CHECK(td_ok("COMMENT ON TABLE items IS 'all the items'; "
                     "COMMENT ON COLUMN items.name IS 'the name'", "COMMENT"));
    TEST_CHECK(td_ok("ALTER TABLE items ADD COLUMN extra int DEFAULT 7", "ALTER TABLE"));
    TEST_CHECK(td_ok("ALTER TABLE items RENAME COLUMN extra TO extra2", "ALTER TABLE"));
    TEST_CHECK(td_ok("ALTER TABLE items ADD CONSTRAINT gone_pos CHECK (gone > 0)",
                     "ALTER TABLE"));
    TEST_CHECK(td_ok("ALTER TABLE items DROP COLUMN gone", "ALTER TABLE"));
    TEST_CHECK(td_ok("CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b), UNIQUE (a, b), "
                     "CHECK (a < 100), CHECK (a > b))", "CREATE TABLE"));
    TEST_CHECK(td_ok("CREATE TABLE idt (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                     "x int)", "CREATE TABLE"));
    TEST_CHECK(td_ok("CREATE SEQUENCE counter INCREMENT BY 5 START WITH 10", "CREATE SEQUENCE"));
    TEST_CHECK(td_ok("CREATE SEQUENCE down AS smallint INCREMENT -1", "CREATE SEQUENCE"));
    TEST_CHECK(td_ok("CREATE EXTENSION vector", "CREATE EXTENSION"));
    TEST_CHECK(td_ok("CREATE SCHEMA app; CREATE TABLE app.things (a int); "
                     "COMMENT ON SCHEMA app IS 'application'", "COMMENT"));
    TEST_CHECK(td_ok("CREATE SCHEMA scratch; CREATE TABLE scratch.t (a int); "
                     "CREATE SEQUENCE scratch.s", "CREATE SEQUENCE"));
    TEST_CHECK(td_fails("DROP SCHEMA scratch", "2BP01",
                        "cannot drop schema scratch because other objects depend on it"));
    TEST_CHECK(td_notice_is("DROP SCHEMA scratch CASCADE", "00000",
                            "drop cascades to 2 other objects"));
    TEST_CHECK(td_ok("CREATE VIEW names (ident, label) AS SELECT id, name FROM items",
                     "CREATE VIEW"));
    TEST_CHECK(td_ok("CREATE ROLE alice LOGIN CREATEDB PASSWORD 'secret'", "CREATE ROLE"));
    TEST_CHECK(td_ok("CREATE ROLE bob", "CREATE ROLE"));
    const eng_role *bob = eng_catalog_role_by_name((cat_db(), cat_ref.catalog), "bob");
    TEST_CHECK(bob != NULL && !bob->login && bob->password == NULL);
    cat_done();
    TEST_CHECK(td_ok("CREATE DATABASE other", "CREATE DATABASE"));
    TEST_CHECK(td_ok("GRANT SELECT ON items TO alice", "GRANT"));
    check_items_table(false);
    check_other_objects();
}

static void check_errors(void) {
    TEST_CHECK(td_fails("CREATE TABLE items (a int)", "42P07",
                        "relation \"items\" already exists"));
    TEST_CHECK(td_notice_is("CREATE TABLE IF NOT EXISTS items (a int)", "42P07",
                            "relation \"items\" already exists, skipping"));
    TEST_CHECK(td_fails("CREATE TABLE u1 (a int UNIQUE)", "0A000", NULL));
    TEST_CHECK(td_fails("CREATE TABLE u2 (a int REFERENCES items (nosuch))", "42703",
                        "column \"nosuch\" referenced in foreign key constraint does not "
                        "exist"));
    TEST_CHECK(td_fails("CREATE TABLE u3 (a int, a text)", "42701",
                        "column \"a\" specified more than once"));
    TEST_CHECK(td_fails("CREATE TABLE u4 (a int PRIMARY KEY, b int PRIMARY KEY)", "42P16",
                        "multiple primary keys for table \"u4\" are not allowed"));
    TEST_CHECK(td_fails("CREATE TABLE u5 (a nosuchtype)", "42704",
                        "type \"nosuchtype\" does not exist"));
    TEST_CHECK(td_fails("CREATE TABLE u6 (a int) PARTITION BY RANGE (a)", "0A000", NULL));
    TEST_CHECK(td_fails("CREATE TABLE u9 (a int, CONSTRAINT c1 CHECK (a > 0), "
                        "CONSTRAINT c1 CHECK (a < 9))", "42710",
                        "check constraint \"c1\" already exists"));
    TEST_CHECK(td_fails("CREATE TABLE u7 (a int NULL NOT NULL)", "42601",
                        "conflicting NULL/NOT NULL declarations for column \"a\" of table "
                        "\"u7\""));
    TEST_CHECK(td_fails("CREATE TABLE u8 (a int DEFAULT 'abc')", "22P02", NULL));
    TEST_CHECK(td_fails("CREATE INDEX ON nope (a)", "42P01",
                        "relation \"nope\" does not exist"));
    TEST_CHECK(td_fails("CREATE INDEX ON items (nope)", "42703",
                        "column \"nope\" does not exist"));
    TEST_CHECK(td_fails("CREATE INDEX ON items USING hnsw (v)", "42704", NULL));
    TEST_CHECK(td_fails("CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (m = 1)",
                        "22023", "value 1 out of bounds for option \"m\""));
    TEST_CHECK(td_fails("CREATE INDEX items_pkey ON items (name)", "42P07",
                        "relation \"items_pkey\" already exists"));
    TEST_CHECK(td_notice_is("CREATE INDEX IF NOT EXISTS items_pkey ON items (name)", "42P07",
                            "relation \"items_pkey\" already exists, skipping"));
    TEST_CHECK(td_fails("CREATE SEQUENCE bad MINVALUE 10 MAXVALUE 5", "22023",
                        "MINVALUE (10) must be less than MAXVALUE (5)"));
    TEST_CHECK(td_fails("CREATE SEQUENCE bad INCREMENT 0", "22023", "INCREMENT must not be zero"));
    TEST_CHECK(td_fails("CREATE EXTENSION plpgsql", "0A000", NULL));
    TEST_CHECK(td_notice_is("CREATE EXTENSION IF NOT EXISTS vector", "42710",
                            "extension \"vector\" already exists, skipping"));
    TEST_CHECK(td_fails("CREATE SCHEMA app", "42P06", "schema \"app\" already exists"));
    TEST_CHECK(td_fails("CREATE SCHEMA pg_mine", "42939", "unacceptable schema name \"pg_mine\""));
    TEST_CHECK(td_fails("CREATE ROLE alice", "42710", "role \"alice\" already exists"));
    td_result r = td_exec_block("CREATE DATABASE x", true);
    TEST_CHECK(!r.ok && strcmp(r.err.sqlstate, "25001") == 0 &&
               strcmp(r.err.message, "CREATE DATABASE cannot run inside a transaction block") == 0);
    TEST_CHECK(td_fails("DROP TABLE nope", "42P01", "table \"nope\" does not exist"));
    TEST_CHECK(td_notice_is("DROP TABLE IF EXISTS nope", "00000",
                            "table \"nope\" does not exist, skipping"));
    TEST_CHECK(td_fails("DROP TABLE names", "42809", "\"names\" is not a table"));
    TEST_CHECK(td_fails("DROP TABLE items", "2BP01",
                        "cannot drop table items because other objects depend on it"));
    TEST_CHECK(td_fails("DROP SCHEMA app", "2BP01",
                        "cannot drop schema app because other objects depend on it"));
    TEST_CHECK(td_fails("DROP SEQUENCE items_id_seq", "2BP01",
                        "cannot drop sequence items_id_seq because other objects depend on it"));
    TEST_CHECK(td_fails("DROP INDEX items_pkey", "2BP01",
                        "cannot drop index items_pkey because constraint items_pkey on table "
                        "items requires it"));
    TEST_CHECK(td_fails("DROP ROLE postgres", "55006", "current user cannot be dropped"));
    TEST_CHECK(td_fails("ALTER TABLE items ADD COLUMN name text", "42701",
                        "column \"name\" of relation \"items\" already exists"));
    TEST_CHECK(td_fails("ALTER TABLE items ALTER COLUMN id DROP NOT NULL", "42P16",
                        "column \"id\" is in a primary key"));
    TEST_CHECK(td_fails("ALTER TABLE items ADD CONSTRAINT u UNIQUE (name)", "0A000", NULL));
    /* A failed statement leaves nothing behind: the transaction's draft is discarded. */
    TEST_CHECK(td_fails("CREATE TABLE half (a int); CREATE TABLE items (b int)", "42P07", NULL));
    const eng_database *db = cat_db();
    TEST_CHECK(cat_table(db, "public", "half") == NULL);
    TEST_CHECK(cat_table(db, "public", "u1") == NULL);
    cat_done();
}

static void check_drops(void) {
    TEST_CHECK(td_ok("CREATE TABLE tmp1 (id bigserial PRIMARY KEY, x int); "
                     "CREATE INDEX tmp1_x ON tmp1 (x)", "CREATE INDEX"));
    TEST_CHECK(td_ok("DROP INDEX tmp1_x", "DROP INDEX"));
    TEST_CHECK(td_ok("TRUNCATE tmp1 RESTART IDENTITY", "TRUNCATE TABLE"));
    uint64_t storage = 0;
    const eng_database *db = cat_db();
    const eng_table *t = cat_table(db, "public", "tmp1");
    TEST_CHECK(t != NULL && cat_index(t, "tmp1_x") == NULL);
    if (t != NULL) storage = t->storage_id;
    cat_done();
    TEST_CHECK(td_ok("TRUNCATE tmp1", "TRUNCATE TABLE"));
    db = cat_db();
    t = cat_table(db, "public", "tmp1");
    TEST_CHECK(t != NULL && t->storage_id != storage);
    cat_done();
    TEST_CHECK(td_ok("DROP TABLE tmp1", "DROP TABLE"));
    db = cat_db();
    TEST_CHECK(cat_table(db, "public", "tmp1") == NULL);
    TEST_CHECK(eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "tmp1_id_seq") == NULL);
    cat_done();
    TEST_CHECK(td_ok("CREATE ROLE carol; DROP ROLE carol", "DROP ROLE"));
    TEST_CHECK(td_ok("CREATE TABLE ident (a int NOT NULL, b int); "
                     "ALTER TABLE ident ALTER COLUMN a ADD GENERATED BY DEFAULT AS IDENTITY",
                     "ALTER TABLE"));
    TEST_CHECK(td_fails("ALTER TABLE ident ALTER COLUMN b ADD GENERATED ALWAYS AS IDENTITY",
                        "55000", "column \"b\" of relation \"ident\" must be declared NOT NULL "
                        "before identity can be added"));
    db = cat_db();
    const eng_table *ident = cat_table(db, "public", "ident");
    const eng_column *ia = ident != NULL ? eng_table_column_by_name(ident, "a") : NULL;
    TEST_CHECK(ia != NULL && ia->identity == 'd' && ia->default_seq != 0);
    TEST_CHECK(eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "ident_a_seq") != NULL);
    cat_done();
    TEST_CHECK(td_ok("ALTER TABLE ident ALTER COLUMN a DROP IDENTITY", "ALTER TABLE"));
    TEST_CHECK(td_notice_is("ALTER TABLE ident ALTER COLUMN a DROP IDENTITY IF EXISTS", "00000",
                            "column \"a\" of relation \"ident\" is not an identity column, "
                            "skipping"));
    db = cat_db();
    TEST_CHECK(eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "ident_a_seq") == NULL);
    cat_done();
    TEST_CHECK(td_fails("CREATE INDEX ON names (ident)", "42809",
                        "cannot create index on relation \"names\""));
    TEST_CHECK(td_ok("CREATE SEQUENCE again START 10; "
                     "ALTER SEQUENCE again INCREMENT BY 2 RESTART WITH 50", "ALTER SEQUENCE"));
    int64_t last = 0;
    bool called = true;
    db = cat_db();
    const eng_sequence *counter = eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "again");
    TEST_CHECK(counter != NULL && counter->increment == 2 && counter->start == 10);
    TEST_CHECK(counter != NULL && eng_seq_peek(db->oid, counter, &last, &called) &&
               last == 50 && !called);
    cat_done();
    TEST_CHECK(td_ok("CREATE SEQUENCE pairs_seq OWNED BY pairs.b", "CREATE SEQUENCE"));
    TEST_CHECK(td_ok("CREATE ROLE dave; CREATE SCHEMA AUTHORIZATION dave", "CREATE SCHEMA"));
    TEST_CHECK(td_ok("CREATE SCHEMA inner_s CREATE TABLE t1 (a int PRIMARY KEY) "
                     "CREATE INDEX ON t1 (a) CREATE SEQUENCE q1", "CREATE SCHEMA"));
    db = cat_db();
    const eng_table *t1 = cat_table(db, "inner_s", "t1");
    TEST_CHECK(t1 != NULL && cat_index(t1, "t1_a_idx") != NULL);
    TEST_CHECK(cat_table(db, "public", "t1") == NULL);
    const eng_schema *inner = eng_db_schema_by_name(db, "inner_s");
    TEST_CHECK(inner != NULL && eng_db_sequence_by_name(db, inner->oid, "q1") != NULL);
    cat_done();
    TEST_CHECK(td_fails("DROP ROLE dave", "2BP01",
                        "role \"dave\" cannot be dropped because some objects depend on it"));
    TEST_CHECK(td_ok("ALTER ROLE bob WITH LOGIN PASSWORD 'pw2'", "ALTER ROLE"));
    TEST_CHECK(td_ok("CREATE DATABASE gone; DROP DATABASE gone", "DROP DATABASE"));
    TEST_CHECK(td_fails("DROP DATABASE postgres", "55006",
                        "cannot drop the currently open database"));
    TEST_CHECK(td_notice_is("DROP DATABASE IF EXISTS gone", "00000",
                            "database \"gone\" does not exist, skipping"));
    db = cat_db();
    const eng_sequence *ps = eng_db_sequence_by_name(db, ENG_OID_PUBLIC, "pairs_seq");
    const eng_table *pairs = cat_table(db, "public", "pairs");
    TEST_CHECK(ps != NULL && pairs != NULL && ps->owned_by_table == pairs->oid &&
               ps->owned_by_attnum == 2);
    const eng_schema *dave = eng_db_schema_by_name(db, "dave");
    const eng_role *dave_role = eng_catalog_role_by_name(cat_ref.catalog, "dave");
    TEST_CHECK(dave != NULL && dave_role != NULL && dave->owner_oid == dave_role->oid);
    const eng_role *bob = eng_catalog_role_by_name(cat_ref.catalog, "bob");
    TEST_CHECK(bob != NULL && bob->login && bob->password != NULL);
    TEST_CHECK(eng_catalog_db_by_name(cat_ref.catalog, "gone") == NULL);
    cat_done();
    TEST_CHECK(td_ok("CREATE TABLE renamed_from (a int); "
                     "CREATE VIEW on_renamed AS SELECT a FROM renamed_from; "
                     "ALTER TABLE renamed_from RENAME TO renamed_to", "ALTER TABLE"));
    TEST_CHECK(td_ok("ALTER TABLE renamed_to OWNER TO alice, SET (fillfactor = 70)",
                     "ALTER TABLE"));
    TEST_CHECK(td_ok("CREATE INDEX ix_old ON renamed_to (a); ALTER INDEX ix_old RENAME TO ix_new",
                     "ALTER INDEX"));
    TEST_CHECK(td_ok("ALTER TABLE pairs RENAME CONSTRAINT pairs_a_b_key TO pairs_ab",
                     "ALTER TABLE"));
    db = cat_db();
    const eng_table *rt = cat_table(db, "public", "renamed_to");
    const eng_role *alice = eng_catalog_role_by_name(cat_ref.catalog, "alice");
    TEST_CHECK(rt != NULL && alice != NULL && rt->owner_oid == alice->oid &&
               rt->fillfactor == 70);
    TEST_CHECK(cat_index(rt, "ix_new") != NULL && cat_index(rt, "ix_old") == NULL);
    const eng_table *onr = cat_table(db, "public", "on_renamed");
    TEST_CHECK(onr != NULL && strstr(onr->view_text, "FROM renamed_to") != NULL);
    const eng_table *pr = cat_table(db, "public", "pairs");
    TEST_CHECK(cat_index(pr, "pairs_ab") != NULL && cat_constraint(pr, "pairs_ab") != NULL);
    TEST_CHECK(cat_table(db, "public", "renamed_from") == NULL);
    cat_done();
}

/* ---- tables with rows ---- */

#define ROWS 300

typedef struct index_count {
    const eng_table *t;
    uint32_t index_oid;
    uint64_t entries;
} index_count;

static void count_index_shard(void *arg) {
    index_count *c = arg;
    for (uint32_t p = rt_core_id(); p < c->t->partition_count; p += eng_shard_count()) {
        const eng_btree *tree = eng_part_index(eng_partition(c->t, p), c->index_oid);
        TEST_CHECK(tree != NULL);
        if (tree != NULL) c->entries += eng_btree_count(tree);
    }
}

/* Entries of index `name` of table `table` over all partitions. */
static uint64_t count_index(const char *table, const char *name) {
    const eng_database *db = cat_db();
    const eng_table *t = cat_table(db, "public", table);
    const eng_index *ix = cat_index(t, name);
    uint64_t total = 0;
    for (uint32_t s = 0; ix != NULL && s < eng_shard_count(); s++) {
        index_count c = {.t = t, .index_oid = ix->oid};
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(rt_run_on(s, count_index_shard, &c, &err));
        total += c.entries;
    }
    cat_done();
    return ix == NULL ? UINT64_MAX : total;
}

static void touch_shard(void *arg) {
    const eng_table *t = arg;
    for (uint32_t p = rt_core_id(); p < t->partition_count; p += eng_shard_count()) {
        (void)eng_partition(t, p);
    }
}

/* ALTER TABLE in a transaction whose writes make the partitions adopt the draft definition (as
 * DML after DDL in one transaction does), then ROLLBACK: the partitions go back. */
static void alter_then_rollback(const char *sql, uint32_t oid) {
    rt_arena *arena = rt_arena_create(16u << 20);
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list stmts;
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    static const char *const path[] = {"public"};
    sql_bind_ctx bc = {.arena = arena, .err = &err, .catalog = ref.catalog, .db = db,
                       .search_path = path, .nsearch = 1, .shard_count = eng_shard_count()};
    eng_txn_ctx txn;
    TEST_CHECK(sql_parse(arena, sql, (uint32_t)strlen(sql), &stmts, &err));
    TEST_CHECK(eng_txn_start(&txn, &err));
    sql_ddl_ctx dc = {.bc = &bc, .txn = &txn, .db_oid = db->oid,
                      .user_oid = ENG_OID_BOOTSTRAP_ROLE, .superuser = true, .sink = NULL};
    char tag[SQL_TAG_BYTES];
    TEST_CHECK(sql_ddl_exec(&dc, stmts.stmts[0].node, tag, &err));
    const eng_table *t = eng_db_table_by_oid(eng_catalog_db_by_oid(txn.draft, db->oid), oid);
    for (uint32_t s = 0; t != NULL && s < eng_shard_count(); s++) {
        TEST_CHECK(rt_run_on(s, touch_shard, (void *)t, &err));
    }
    eng_catalog_unpin(&ref);
    eng_txn_finish_abort(&txn);
    rt_arena_destroy(arena);
}

static bool rows_intact(uint32_t oid, uint32_t want) {
    te_rows rows;
    bool ok = te_scan(oid, 0, &rows) && rows.count == want;
    for (uint32_t i = 0; ok && i < rows.count; i++) ok = rows.rows[i].crc_ok;
    rt_free(rows.rows);
    return ok;
}

static void check_rows(void) {
    TEST_CHECK(td_ok("CREATE TABLE r (id int8 PRIMARY KEY, txn int8, payload text, crc int8, "
                     "v vector(4)) WITH (partitions = 4)", "CREATE TABLE"));
    const eng_database *db = cat_db();
    const eng_table *t = cat_table(db, "public", "r");
    uint32_t oid = t != NULL ? t->oid : 0;
    TEST_CHECK(t != NULL && t->partition_count == 4);
    cat_done();
    static te_op ops[ROWS];
    for (int i = 0; i < ROWS; i++) {
        ops[i] = (te_op){.kind = TE_INSERT, .id = i, .txn = i % 7};
        snprintf(ops[i].payload, sizeof ops[i].payload, "p%d", i % 10);
    }
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(te_commit_ops(oid, ops, ROWS, &err));
    /* The engine builds a new index over the rows already stored. */
    TEST_CHECK(td_ok("CREATE INDEX r_payload ON r (payload)", "CREATE INDEX"));
    TEST_CHECK(count_index("r", "r_payload") == ROWS);
    TEST_CHECK(td_fails("ALTER TABLE r ADD COLUMN must int NOT NULL", "23502",
                        "column \"must\" of relation \"r\" contains null values"));
    alter_then_rollback("ALTER TABLE r ADD COLUMN z text DEFAULT 'x'", oid);
    TEST_CHECK(rows_intact(oid, ROWS));
    alter_then_rollback("ALTER TABLE r ADD COLUMN z2 text", oid);
    /* The same attnum again, with another type. */
    TEST_CHECK(td_ok("ALTER TABLE r ADD COLUMN must int NOT NULL DEFAULT 5", "ALTER TABLE"));
    TEST_CHECK(rows_intact(oid, ROWS));
    TEST_CHECK(td_ok("ALTER TABLE r ALTER COLUMN txn SET NOT NULL", "ALTER TABLE"));
    TEST_CHECK(td_ok("ALTER TABLE r ADD COLUMN e text DEFAULT ''", "ALTER TABLE"));
    db = cat_db();
    t = cat_table(db, "public", "r");
    const eng_column *e = t != NULL ? eng_table_column_by_name(t, "e") : NULL;
    TEST_CHECK(e != NULL && e->missing != NULL && e->missing_len == 0);
    cat_done();
    TEST_CHECK(td_fails("ALTER TABLE r ALTER COLUMN must TYPE text", "0A000", NULL));
    TEST_CHECK(td_fails("ALTER TABLE r ADD CONSTRAINT c CHECK (txn >= 0)", "0A000", NULL));
    TEST_CHECK(td_ok("ALTER TABLE r ADD CONSTRAINT c CHECK (txn >= 0) NOT VALID", "ALTER TABLE"));
    TEST_CHECK(td_ok("CREATE TABLE nopk (a int, b text); ALTER TABLE nopk ADD PRIMARY KEY (a)",
                     "ALTER TABLE"));
    TEST_CHECK(td_ok("TRUNCATE r", "TRUNCATE TABLE"));
    TEST_CHECK(td_ok("ALTER TABLE r ALTER COLUMN must TYPE text", "ALTER TABLE"));
    TEST_CHECK(count_index("r", "r_payload") == 0);
}

/* Domains: created, altered, refused while used; what survives the restart is checked by
 * check_domains. */
static void create_domains(void) {
    TEST_CHECK(td_ok("CREATE DOMAIN d_pos AS int CHECK (VALUE > 0)", "CREATE DOMAIN"));
    TEST_CHECK(td_ok("CREATE DOMAIN d_code varchar(5) NOT NULL DEFAULT 'x' "
                     "CONSTRAINT d_code_len CHECK (length(VALUE) > 0)", "CREATE DOMAIN"));
    TEST_CHECK(td_ok("CREATE DOMAIN d_small AS d_pos CHECK (VALUE < 10)", "CREATE DOMAIN"));
    TEST_CHECK(td_fails("CREATE DOMAIN d_pos AS int", "42710", "type \"d_pos\" already exists"));
    TEST_CHECK(td_fails("CREATE DOMAIN d_bad AS int PRIMARY KEY", "42601",
                        "primary key constraints not possible for domains"));
    /* An array of a domain is a column type; PostgreSQL refuses a new constraint then. */
    TEST_CHECK(td_ok("CREATE TABLE dom_arr (a d_pos[])", "CREATE TABLE"));
    TEST_CHECK(td_fails("ALTER DOMAIN d_pos ADD CONSTRAINT d_pos_lim CHECK (VALUE < 5)", "0A000",
                        "cannot alter type \"d_pos\" because column \"dom_arr.a\" uses it"));
    TEST_CHECK(td_ok("DROP TABLE dom_arr", "DROP TABLE"));
    TEST_CHECK(td_ok("ALTER DOMAIN d_pos ADD CONSTRAINT d_pos_odd CHECK (VALUE % 2 = 1)",
                     "ALTER DOMAIN"));
    TEST_CHECK(td_ok("ALTER DOMAIN d_code DROP NOT NULL; ALTER DOMAIN d_code SET NOT NULL",
                     "ALTER DOMAIN"));
    TEST_CHECK(td_ok("CREATE TABLE dom_t (id int PRIMARY KEY, a d_pos, c d_code, s d_small)",
                     "CREATE TABLE"));
    TEST_CHECK(td_ok("ALTER DOMAIN d_pos RENAME CONSTRAINT d_pos_check TO d_pos_positive",
                     "ALTER DOMAIN"));
    /* Validating a column needs the executor, which this catalog-only caller lacks. */
    TEST_CHECK(td_fails("ALTER DOMAIN d_pos ADD CHECK (VALUE < 1000)", "0A000", NULL));
    td_result r = td_exec("DROP DOMAIN d_pos");
    TEST_CHECK(!r.ok && strcmp(r.err.sqlstate, "2BP01") == 0 &&
               strcmp(r.err.detail, "column a of table dom_t depends on type d_pos\n"
                                    "type d_small depends on type d_pos") == 0);
    TEST_CHECK(td_notice_is("DROP DOMAIN IF EXISTS d_none", "00000",
                            "type \"d_none\" does not exist, skipping"));
    TEST_CHECK(td_ok("CREATE DOMAIN d_gone AS text; DROP DOMAIN d_gone", "DROP DOMAIN"));
    TEST_CHECK(td_fails("ALTER DOMAIN d_gone DROP DEFAULT", "42704",
                        "type \"d_gone\" does not exist"));
}

static void check_domains(void) {
    const eng_database *db = cat_db();
    const eng_domain *pos = eng_db_domain_by_name(db, ENG_OID_PUBLIC, "d_pos");
    const eng_domain *code = eng_db_domain_by_name(db, ENG_OID_PUBLIC, "d_code");
    const eng_domain *small = eng_db_domain_by_name(db, ENG_OID_PUBLIC, "d_small");
    TEST_CHECK(pos != NULL && pos->base_oid == SQL_T_INT4 && pos->typmod == -1 &&
               pos->check_count == 2 && streq(pos->checks[0].name, "d_pos_positive") &&
               streq(pos->checks[0].check_text, "VALUE > 0") &&
               streq(pos->checks[1].name, "d_pos_odd") && pos->array_oid != 0 &&
               !pos->not_null && pos->default_text == NULL);
    TEST_CHECK(code != NULL && code->base_oid == SQL_T_VARCHAR && code->typmod == 9 &&
               code->not_null && streq(code->default_text, "'x'") &&
               code->check_count == 1 && streq(code->checks[0].name, "d_code_len"));
    TEST_CHECK(small != NULL && pos != NULL && small->base_oid == pos->oid &&
               small->check_count == 1 && streq(small->checks[0].name, "d_small_check"));
    TEST_CHECK(eng_db_domain_by_name(db, ENG_OID_PUBLIC, "d_gone") == NULL);
    const eng_table *t = cat_table(db, "public", "dom_t");
    const eng_column *a = t != NULL ? eng_table_column_by_name(t, "a") : NULL;
    const eng_column *c = t != NULL ? eng_table_column_by_name(t, "c") : NULL;
    TEST_CHECK(a != NULL && pos != NULL && a->domain_oid == pos->oid && a->type_oid == SQL_T_INT4);
    TEST_CHECK(c != NULL && code != NULL && c->domain_oid == code->oid &&
               c->type_oid == SQL_T_VARCHAR && c->typmod == 9 && c->default_text == NULL);
    cat_done();
}

/* Composite types (CREATE TYPE ... AS): a relkind 'c' entry with a row type; ALTER TYPE's
 * dropped and renamed attributes and the renamed type survive the restart. */
static void create_composites(void) {
    TEST_CHECK(td_ok("CREATE TYPE ct_pair AS (a int, b text COLLATE \"C\", c numeric(5,2))",
                     "CREATE TYPE"));
    TEST_CHECK(td_fails("CREATE TYPE ct_pair AS (x int)", "42710",
                        "type \"ct_pair\" already exists"));
    TEST_CHECK(td_ok("ALTER TYPE ct_pair DROP ATTRIBUTE b, ADD ATTRIBUTE d varchar(3)",
                     "ALTER TYPE"));
    TEST_CHECK(td_ok("ALTER TYPE ct_pair RENAME ATTRIBUTE a TO aa", "ALTER TYPE"));
    TEST_CHECK(td_ok("CREATE TYPE ct_old AS (x int); ALTER TYPE ct_old RENAME TO ct_new",
                     "ALTER TYPE"));
    TEST_CHECK(td_ok("CREATE TYPE ct_gone AS (x int); DROP TYPE ct_gone", "DROP TYPE"));
    TEST_CHECK(td_ok("CREATE TABLE ct_use (id int, p ct_pair)", "CREATE TABLE"));
    TEST_CHECK(td_fails("ALTER TYPE ct_pair ADD ATTRIBUTE e int", "0A000", NULL));
    TEST_CHECK(td_fails("DROP TYPE ct_pair", "2BP01", "cannot drop type ct_pair because other "
                        "objects depend on it"));
}

static void check_composites(void) {
    const eng_database *db = cat_db();
    const eng_table *t = cat_table(db, "public", "ct_pair");
    TEST_CHECK(t != NULL && t->kind == 'c' && t->rowtype_oid != 0 &&
               t->rowtype_array_oid != 0 && t->column_count == 4);
    if (t != NULL && t->column_count == 4) {
        TEST_CHECK(streq(t->columns[0].name, "aa") && t->columns[0].type_oid == SQL_T_INT4);
        TEST_CHECK(t->columns[1].dropped && t->columns[1].attnum == 2);
        TEST_CHECK(streq(t->columns[2].name, "c") && t->columns[2].type_oid == SQL_T_NUMERIC);
        TEST_CHECK(streq(t->columns[3].name, "d") && t->columns[3].type_oid == SQL_T_VARCHAR &&
                   t->columns[3].typmod == 7);
    }
    const eng_table *use = cat_table(db, "public", "ct_use");
    const eng_column *p = use != NULL ? eng_table_column_by_name(use, "p") : NULL;
    TEST_CHECK(p != NULL && t != NULL && p->type_oid == t->rowtype_oid &&
               p->store == ENG_STORE_VARLEN);
    const eng_table *renamed = cat_table(db, "public", "ct_new");
    TEST_CHECK(renamed != NULL && renamed->kind == 'c');
    TEST_CHECK(cat_table(db, "public", "ct_old") == NULL);
    TEST_CHECK(cat_table(db, "public", "ct_gone") == NULL);
    cat_done();
}

static void phase_create(void *arg) {
    (void)arg;
    create_objects();
    create_domains();
    check_domains();
    create_composites();
    check_composites();
    check_errors();
    check_drops();
    check_rows();
    rt_runtime_stop();
}

static void phase_verify(void *arg) {
    (void)arg;
    check_items_table(true);
    check_other_objects();
    check_domains();
    check_composites();
    rt_runtime_stop();
}

static char data_dir[256];

static void test_ddl_survives_restart(void **state) {
    (void)state;
    snprintf(data_dir, sizeof data_dir, "/tmp/test_sql_ddl_%d", (int)getpid());
    te_rmdir(data_dir);
    eng_config cfg = {.data_dir = data_dir, .superuser = "postgres", .shard_count = 2};
    assert_int_equal(te_run(&cfg, phase_create, NULL, NULL), 0);
    assert_int_equal(te_run(&cfg, phase_verify, NULL, NULL), 0);
    te_rmdir(data_dir);
}

int main(void) {
    sql_types_init();
    sql_funcs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddl_survives_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
