/* test_sql_fn_misc.c: the session and system functions (sql_fn_misc.c) called through the
 * function registry and the evaluator, with an execution context that has a session, a
 * database and a transaction, as a statement on the coordinator has.
 * How: the session is a fake defined here (the few sql_session.h accessors the module calls,
 * with PostgreSQL's messages for currval/lastval and unknown settings), the catalog a
 * bootstrap catalog with a schema, a table with an index, and sequences added. Expected values and
 * errors are PostgreSQL 15's for the same calls. Sequences and pg_sleep need the engine and a
 * fiber: one test starts the engine on a temporary data directory with one shard and runs
 * nextval/currval/setval/lastval and pg_sleep (timing and cancellation) inside a fiber. */
// ctest: TIMEOUT 180
#include <stdlib.h>
#include <unistd.h>

#include "engine/eng.h"
#include "runtime/rt_time.h"
#include "sql/sql_session.h"
#include "test_sql_fn_util.h"
#include "tests/common/test_engine.h"

/* ---- the fake session ---- */

#define TM_SETTINGS_MAX 16
#define TM_SEQS_MAX 8

struct sql_session {
    const char *user;
    uint32_t pid;
    uint32_t nsettings;
    char names[TM_SETTINGS_MAX][64];
    char values[TM_SETTINGS_MAX][128];
    uint32_t seq_oids[TM_SEQS_MAX];
    int64_t seq_values[TM_SEQS_MAX];
    uint32_t nseqs;
    bool has_last;
    int64_t last;
};

static sql_session tm_session;

static void tm_session_reset(void) {
    memset(&tm_session, 0, sizeof tm_session);
    tm_session.user = "alice";
    tm_session.pid = 4242;
    const char *boot[][2] = {{"search_path", "\"$user\", public"},
                             {"application_name", ""},
                             {"TimeZone", "Etc/UTC"}};
    for (uint32_t i = 0; i < 3; i++) {
        snprintf(tm_session.names[i], 64, "%s", boot[i][0]);
        snprintf(tm_session.values[i], 128, "%s", boot[i][1]);
    }
    tm_session.nsettings = 3;
}

static int tm_setting_find(const sql_session *s, const char *name) {
    for (uint32_t i = 0; i < s->nsettings; i++) {
        if (strcasecmp(s->names[i], name) == 0) return (int)i;
    }
    return -1;
}

const char *sql_session_user(const sql_session *s) { return s->user; }
const char *sql_session_session_user(const sql_session *s) { return s->user; }
uint32_t sql_session_backend_pid(const sql_session *s) { return s->pid; }
const struct sql_stats_undo *sql_session_stats_mine(const sql_session *s) {
    (void)s;
    return NULL; /* no transactions here: no ANALYZE of their own */
}

bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                             const char **value, rt_err *err) {
    int i = tm_setting_find(s, name);
    *value = i >= 0 ? s->values[i] : NULL;
    if (i < 0 && !missing_ok) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%s\"", name);
    }
    return true;
}

bool sql_session_set_setting(sql_session *s, const char *name, const char *value,
                             bool is_local, const char **shown, rt_err *err) {
    (void)is_local;
    int i = tm_setting_find(s, name);
    if (i < 0 && strchr(name, '.') == NULL) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%s\"", name);
    }
    if (i < 0) {
        i = (int)s->nsettings++;
        snprintf(s->names[i], 64, "%s", name);
    }
    snprintf(s->values[i], 128, "%s", value != NULL ? value : ""); /* NULL: the default */
    *shown = s->values[i];
    return true;
}

void sql_session_seq_used(sql_session *s, uint32_t seq_oid, int64_t value) {
    uint32_t i = 0;
    while (i < s->nseqs && s->seq_oids[i] != seq_oid) i++;
    if (i == s->nseqs && s->nseqs < TM_SEQS_MAX) s->seq_oids[s->nseqs++] = seq_oid;
    if (i < TM_SEQS_MAX) s->seq_values[i] = value;
    s->has_last = true;
    s->last = value;
}

bool sql_session_currval(sql_session *s, uint32_t seq_oid, const char *seq_name, int64_t *value,
                         rt_err *err) {
    for (uint32_t i = 0; i < s->nseqs; i++) {
        if (s->seq_oids[i] == seq_oid) {
            *value = s->seq_values[i];
            return true;
        }
    }
    return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "currval of sequence \"%s\" is not yet defined in this session", seq_name);
}

bool sql_session_lastval(sql_session *s, int64_t *value, rt_err *err) {
    if (!s->has_last) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "lastval is not yet defined in this session");
    }
    *value = s->last;
    return true;
}

/* ---- calls with an execution context ---- */

static sql_exec_ctx tm_exec;      /* session, database, transaction of the calls */
static _Atomic bool tm_cancel;
static eng_catalog *tm_catalog;
static uint32_t tm_table_oid, tm_seq_oid, tm_index_oid;

/* Evaluates one call over one row in tm_exec (NULL: no execution context at all); returns
 * the result vector, or NULL with *error set to the error text. */
static sql_vec *tm_eval(sql_exec_ctx *x, const char *name, const tf_arg *args, uint32_t nargs,
                        const char **error) {
    uint32_t elem;
    const sql_func_def *d = tf_find(name, false, args, nargs, &elem);
    rt_err err;
    rt_err_clear(&err);
    sql_expr *e = tf_expr(d, args, nargs, elem);
    sql_batch *b = sql_batch_new(tf_arena, nargs > 0 ? nargs : 1, 1);
    for (uint32_t a = 0; a < nargs; a++) {
        sql_vec_init(tf_arena, &b->cols[a], args[a].type, -1, 1);
        sql_value v = tf_value(&args[a]);
        sql_vec_set(&b->cols[a], 0, &v);
    }
    b->rows = 1;
    sql_eval_ctx ec = {.arena = tf_arena, .io = tf_io(&err), .err = &err, .exec = x};
    sql_vec *out = sql_eval(&ec, e, b, 1, NULL);
    if (out == NULL) *error = tf_error(&err);
    return out;
}

static const char *tm_call_in(sql_exec_ctx *x, const char *name, const tf_arg *args,
                              uint32_t nargs) {
    const char *error = NULL;
    sql_vec *out = tm_eval(x, name, args, nargs, &error);
    if (out == NULL) return error;
    sql_value v;
    sql_vec_get(out, 0, &v);
    if (v.type_oid == SQL_T_VOID && !v.is_null) return ""; /* void's output: empty */
    return tf_text(&v);
}

#define MF(name, ...) tm_call_in(&tm_exec, name, (tf_arg[]){__VA_ARGS__}, TF_N(__VA_ARGS__))
#define MF0(name) tm_call_in(&tm_exec, name, NULL, 0)

/* The bootstrap catalog plus schema "alice", table public.t (a, b) with an index, sequence
 * public.s and sequence public."S". */
static void tm_catalog_build(void) {
    eng_catalog *c = eng_catalog_bootstrap("alice");
    eng_schema sc = {.oid = eng_catalog_new_oid(c), .owner_oid = ENG_OID_BOOTSTRAP_ROLE};
    snprintf(sc.name, sizeof sc.name, "alice");
    eng_draft_add_schema(c, ENG_OID_POSTGRES_DB, &sc);
    eng_column cols[2];
    memset(cols, 0, sizeof cols);
    snprintf(cols[0].name, sizeof cols[0].name, "a");
    snprintf(cols[1].name, sizeof cols[1].name, "b");
    for (int i = 0; i < 2; i++) {
        cols[i].type_oid = SQL_T_INT4;
        cols[i].typmod = -1;
        cols[i].attnum = (uint16_t)(i + 1);
        cols[i].store = (uint8_t)eng_store_of_type(SQL_T_INT4);
    }
    eng_index ix;
    memset(&ix, 0, sizeof ix);
    ix.oid = tm_index_oid = eng_catalog_new_oid(c);
    snprintf(ix.name, sizeof ix.name, "t_a_idx");
    ix.method = ENG_INDEX_BTREE;
    ix.column_count = 1;
    ix.attnums[0] = 1;
    eng_table t;
    memset(&t, 0, sizeof t);
    t.oid = tm_table_oid = eng_catalog_new_oid(c);
    ix.table_oid = t.oid;
    snprintf(t.name, sizeof t.name, "t");
    t.schema_oid = ENG_OID_PUBLIC;
    t.kind = 'r';
    t.persistence = 'p';
    t.partition_count = 1;
    t.column_count = 2;
    t.columns = cols;
    t.index_count = 1;
    t.indexes = &ix;
    eng_draft_add_table(c, ENG_OID_POSTGRES_DB, &t);
    eng_sequence s = {.oid = tm_seq_oid = eng_catalog_new_oid(c), .schema_oid = ENG_OID_PUBLIC,
                      .type_oid = SQL_T_INT8, .start = 1, .increment = 1, .min_value = 1,
                      .max_value = INT64_MAX, .cache = 1, .persistence = 'p'};
    snprintf(s.name, sizeof s.name, "s");
    eng_draft_add_sequence(c, ENG_OID_POSTGRES_DB, &s);
    s.oid = eng_catalog_new_oid(c);
    snprintf(s.name, sizeof s.name, "S");
    eng_draft_add_sequence(c, ENG_OID_POSTGRES_DB, &s);
    tm_catalog = c;
}

static eng_txn_ctx tm_txn;

static int tm_setup(void **state) {
    tf_setup(state);
    tm_catalog_build();
    tm_session_reset();
    memset(&tm_exec, 0, sizeof tm_exec);
    tm_exec.arena = tf_arena;
    tm_exec.catalog = tm_catalog;
    tm_exec.db = eng_catalog_db_by_oid(tm_catalog, ENG_OID_POSTGRES_DB);
    tm_exec.session = &tm_session;
    tm_exec.cancel = &tm_cancel;
    tm_txn.gid = (3ull << 40) | 77;
    tm_exec.txn = &tm_txn;
    tm_exec.fmt = tf_fmt;
    return 0;
}

static int tm_teardown(void **state) {
    eng_catalog_draft_free(tm_catalog);
    return tf_teardown(state);
}

static int tm_reset(void **state) {
    (void)state;
    tm_session_reset();
    return 0;
}

/* ---- tests ---- */

/* version() looks like PostgreSQL 15's to the clients that parse it. */
static void test_sql_fn_misc_version(void **state) {
    (void)state;
    assert_string_equal(MF0("version"), "PostgreSQL 15.0 (Dreambase 0.1.0) on "
                                        "x86_64-pc-linux-gnu, compiled by gcc, 64-bit");
    assert_string_equal(MF0("pg_client_encoding"), "UTF8");
    assert_string_equal(MF0("pg_is_in_recovery"), "f");
    assert_string_equal(MF0("inet_server_addr"), "<NULL>");
    assert_string_equal(MF0("inet_server_port"), "<NULL>");
    assert_string_equal(MF0("inet_client_addr"), "<NULL>");
    assert_string_equal(MF0("pg_backend_pid"), "4242");
    assert_string_equal(MF0("txid_current"), "3298534883405");
    assert_string_equal(MF0("pg_current_xact_id"), "3298534883405");
}

/* CURRENT_USER, SESSION_USER, CURRENT_CATALOG and their function forms. */
static void test_sql_fn_misc_user_and_database(void **state) {
    (void)state;
    assert_string_equal(MF0("current_user"), "alice");
    assert_string_equal(MF0("session_user"), "alice");
    assert_string_equal(MF0("current_database"), "postgres");
    const char *error = NULL;
    sql_vec *v = tm_eval(&tm_exec, "current_user", NULL, 0, &error);
    assert_non_null(v);
    assert_int_equal(v->type_oid, SQL_T_NAME);
}

/* current_schema follows search_path: "$user" is the user's schema when it exists, missing
 * schemas are skipped, names fold to lower case unless quoted. */
static void test_sql_fn_misc_search_path(void **state) {
    (void)state;
    assert_string_equal(MF0("current_schema"), "alice");
    snprintf(tm_session.values[0], 128, "nosuch, public, \"$user\"");
    assert_string_equal(MF0("current_schema"), "public");
    snprintf(tm_session.values[0], 128, "nosuch");
    assert_string_equal(MF0("current_schema"), "<NULL>");
    tm_session.values[0][0] = '\0';
    assert_string_equal(MF0("current_schema"), "<NULL>");
    snprintf(tm_session.values[0], 128, "\"Alice\", PG_CATALOG,public");
    assert_string_equal(MF0("current_schema"), "pg_catalog");
    snprintf(tm_session.values[0], 128, "  \"ali\"\"ce\" , ALICE");
    assert_string_equal(MF0("current_schema"), "alice");
    const char *error = NULL;
    sql_vec *v = tm_eval(&tm_exec, "current_schema", NULL, 0, &error);
    assert_non_null(v);
    assert_int_equal(v->type_oid, SQL_T_NAME);
}

/* current_setting and set_config go through the session. */
static void test_sql_fn_misc_settings(void **state) {
    (void)state;
    assert_string_equal(MF("current_setting", A(T, "search_path")), "\"$user\", public");
    assert_string_equal(MF("current_setting", A(T, "timezone")), "Etc/UTC");
    assert_string_equal(MF("current_setting", A(T, "nosuch")),
                        "ERROR 42704: unrecognized configuration parameter \"nosuch\"");
    assert_string_equal(MF("current_setting", A(T, "nosuch.x"), A(B, "true")), "<NULL>");
    assert_string_equal(MF("current_setting", A(T, "nosuch"), A(B, "false")),
                        "ERROR 42704: unrecognized configuration parameter \"nosuch\"");
    assert_string_equal(MF("set_config", A(T, "application_name"), A(T, "app"), A(B, "false")),
                        "app");
    assert_string_equal(MF("current_setting", A(T, "application_name")), "app");
    assert_string_equal(MF("set_config", A(T, "my.x"), A(T, "v"), A(B, "true")), "v");
    assert_string_equal(MF("current_setting", A(T, "my.x")), "v");
    assert_string_equal(MF("set_config", A(T, "application_name"), A(T, NULL), A(B, NULL)), "");
    assert_string_equal(MF("set_config", A(T, NULL), A(T, "x"), A(B, "false")),
                        "ERROR 22004: SET requires parameter name");
}

/* pg_typeof reports the argument's type, NULL or not (the regtype's OID; its name is the
 * regtype output's business). */
static void test_sql_fn_misc_typeof(void **state) {
    (void)state;
    const struct { tf_arg arg; uint32_t oid; } cases[] = {
        {A(I4, "1"), SQL_T_INT4}, {A(T, "a"), SQL_T_TEXT}, {A(I8, NULL), SQL_T_INT8},
        {A(SQL_T_UNKNOWN, NULL), SQL_T_UNKNOWN}, {A(I4A, "{1}"), SQL_T_INT4_ARRAY},
        {A(SQL_T_VECTOR, "[1,2]"), SQL_T_VECTOR},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *error = NULL;
        sql_vec *v = tm_eval(&tm_exec, "pg_typeof", &cases[k].arg, 1, &error);
        assert_non_null(v);
        assert_int_equal(v->type_oid, SQL_T_REGTYPE);
        assert_false(sql_vec_is_null(v, 0));
        assert_int_equal(v->i64[0], cases[k].oid);
    }
}

/* Version 4 UUIDs, different on every row and call. */
static void test_sql_fn_misc_random_uuid(void **state) {
    (void)state;
    const char *a = MF0("gen_random_uuid"), *b = MF0("gen_random_uuid");
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    uint32_t elem;
    const sql_func_def *d = tf_find("gen_random_uuid", false, NULL, 0, &elem);
    sql_expr *e = tf_expr(d, NULL, 0, elem);
    rt_err err;
    rt_err_clear(&err);
    sql_batch *batch = sql_batch_new(tf_arena, 1, SQL_BATCH_ROWS);
    batch->rows = SQL_BATCH_ROWS;
    sql_eval_ctx ec = {.arena = tf_arena, .io = tf_io(&err), .err = &err, .exec = &tm_exec};
    sql_vec *v = sql_eval(&ec, e, batch, SQL_BATCH_ROWS, NULL);
    assert_non_null(v);
    for (uint32_t i = 1; i < SQL_BATCH_ROWS; i++) {
        assert_int_equal(v->b[i].len, 16);
        assert_int_equal(v->b[i].ptr[6] >> 4, 4);
        assert_memory_not_equal(v->b[i].ptr, v->b[i - 1].ptr, 16);
    }
}

/* Sequence names resolve like regclass input, with PostgreSQL's errors; these fail before
 * the engine is asked for a value. */
static void test_sql_fn_misc_sequence_names(void **state) {
    (void)state;
    char t[16];
    snprintf(t, sizeof t, "%u", tm_table_oid);
    assert_string_equal(MF("nextval", A(T, "nosuch")),
                        "ERROR 42P01: relation \"nosuch\" does not exist");
    assert_string_equal(MF("nextval", A(T, "\"s\"x")), "ERROR 42602: invalid name syntax");
    assert_string_equal(MF("nextval", A(T, "t")), "ERROR 42809: \"t\" is not a sequence");
    assert_string_equal(MF("nextval", A(T, "public.T")), "ERROR 42809: \"t\" is not a sequence");
    assert_string_equal(MF("nextval", A(T, "nosuch.s")),
                        "ERROR 3F000: schema \"nosuch\" does not exist");
    assert_string_equal(MF("nextval", A(T, "alice.s")),
                        "ERROR 42P01: relation \"alice.s\" does not exist");
    assert_string_equal(MF("nextval", A(T, "other.public.s")),
                        "ERROR 0A000: cross-database references are not implemented: "
                        "other.public.s");
    assert_string_equal(MF("nextval", A(T, "a.b.c.d")),
                        "ERROR 42601: improper relation name (too many dotted names): a.b.c.d");
    assert_string_equal(MF("nextval", A(T, "")), "ERROR 42602: invalid name syntax");
    assert_string_equal(MF("nextval", A(T, "s x")), "ERROR 42602: invalid name syntax");
    assert_string_equal(MF("nextval", A(SQL_T_REGCLASS, "12345")),
                        "ERROR XX000: could not open relation with OID 12345");
    assert_string_equal(MF("nextval", A(SQL_T_REGCLASS, t)),
                        "ERROR 42809: \"t\" is not a sequence");
    char ix[16], seq[16];
    snprintf(ix, sizeof ix, "%u", tm_index_oid);
    snprintf(seq, sizeof seq, "%u", tm_seq_oid);
    assert_string_equal(MF("currval", A(SQL_T_REGCLASS, seq)),
                        "ERROR 55000: currval of sequence \"s\" is not yet defined in this "
                        "session");
    assert_string_equal(MF("nextval", A(SQL_T_REGCLASS, ix)),
                        "ERROR 42809: \"t_a_idx\" is not a sequence");
    assert_string_equal(MF("currval", A(T, "t")), "ERROR 42809: \"t\" is not a sequence");
    assert_string_equal(MF("currval", A(T, "s")),
                        "ERROR 55000: currval of sequence \"s\" is not yet defined in this "
                        "session");
    assert_string_equal(MF("currval", A(T, "postgres.public.\"S\"")),
                        "ERROR 55000: currval of sequence \"S\" is not yet defined in this "
                        "session");
    assert_string_equal(MF0("lastval"), "ERROR 55000: lastval is not yet defined in this session");
    assert_string_equal(MF("nextval", A(T, NULL)), "<NULL>");
}

/* Functions that need no session, called as a fragment would (no execution context);
 * advisory locks belong to a session and refuse to run without one. */
static const tf_case sessionless_cases[] = {
    {"pg_client_encoding", false, 0, {{0}}, "UTF8"},
    {"pg_is_in_recovery", false, 0, {{0}}, "f"},
    {"inet_client_port", false, 0, {{0}}, "<NULL>"},
    {"pg_sleep", false, 1, {A(F8, NULL)}, "<NULL>"},
    {"pg_advisory_lock", false, 1, {A(I8, "1")},
     "ERROR 0A000: function pg_advisory_lock() needs the session and cannot run here"},
    {"pg_try_advisory_lock", false, 2, {A(I4, "1"), A(I4, "2")},
     "ERROR 0A000: function pg_try_advisory_lock() needs the session and cannot run here"},
    {"pg_advisory_xact_lock_shared", false, 1, {A(I8, "7")},
     "ERROR 0A000: function pg_advisory_xact_lock_shared() needs the session and cannot run "
     "here"},
    {"pg_advisory_unlock_all", false, 0, {{0}},
     "ERROR 0A000: function pg_advisory_unlock_all() needs the session and cannot run here"},
};

static void test_sql_fn_misc_sessionless(void **state) {
    (void)state;
    tf_run_cases(sessionless_cases, sizeof sessionless_cases / sizeof sessionless_cases[0]);
}

/* Without a session (a fragment on another shard, a tool) the session functions refuse
 * instead of guessing; the others still answer. */
static void test_sql_fn_misc_without_session(void **state) {
    (void)state;
    /* VOLATILE keeps the planner from shipping them to fragments, which have no session */
    const char *coordinator_only[] = {"current_user", "session_user", "current_schema",
                                      "pg_backend_pid", "txid_current", "lastval"};
    for (size_t k = 0; k < sizeof coordinator_only / sizeof coordinator_only[0]; k++) {
        sql_func_list l = sql_funcs_lookup(coordinator_only[k], false);
        assert_int_equal(l.count, 1);
        assert_true(l.items[0]->flags & SQL_F_VOLATILE);
    }
    sql_exec_ctx bare = tm_exec;
    bare.session = NULL;
    bare.txn = NULL;
    assert_string_equal(tm_call_in(&bare, "current_user", NULL, 0),
                        "ERROR 0A000: function current_user() needs the session and cannot "
                        "run here");
    assert_string_equal(tm_call_in(&bare, "txid_current", NULL, 0),
                        "ERROR 0A000: function txid_current() needs the transaction and "
                        "cannot run here");
    assert_string_equal(tm_call_in(&bare, "current_database", NULL, 0), "postgres");
    assert_string_equal(tm_call_in(NULL, "current_database", NULL, 0),
                        "ERROR 0A000: function current_database() needs a database and "
                        "cannot run here");
    assert_string_equal(tm_call_in(NULL, "version", NULL, 0),
                        "PostgreSQL 15.0 (Dreambase 0.1.0) on x86_64-pc-linux-gnu, compiled "
                        "by gcc, 64-bit");
    assert_string_equal(tm_call_in(NULL, "pg_sleep", (tf_arg[]){A(F8, "0")}, 1), "");
    /* advisory locks belong to a session */
    assert_string_equal(tm_call_in(NULL, "pg_advisory_unlock_all", NULL, 0),
                        "ERROR 0A000: function pg_advisory_unlock_all() needs the session and "
                        "cannot run here");
}

/* ---- with the engine: sequences and pg_sleep in a fiber ---- */

#define TM_RESULTS_MAX 32

static struct {
    const char *got[TM_RESULTS_MAX];
    uint32_t count;
    uint64_t slept_ns;
    uint64_t canceled_ns;
    const char *canceled;
} tm_run;

static void tm_record(const char *text) {
    if (tm_run.count < TM_RESULTS_MAX) tm_run.got[tm_run.count++] = strdup(text);
}

/* Creates sequence public.s (start 1) through a catalog draft committed by the engine. */
static uint32_t tm_create_sequence(void) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_sequence s = {.oid = eng_catalog_new_oid(draft), .schema_oid = ENG_OID_PUBLIC,
                      .type_oid = SQL_T_INT8, .start = 1, .increment = 1, .min_value = 1,
                      .max_value = 1000, .cache = 1, .persistence = 'p'};
    snprintf(s.name, sizeof s.name, "s");
    eng_draft_add_sequence(draft, ENG_OID_POSTGRES_DB, &s);
    eng_txn_ctx ctx;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_txn_start(&ctx, &err)) return 0;
    ctx.draft = draft;
    return eng_txn_finish_commit(&ctx, &err) ? s.oid : 0;
}

static void tm_cancel_fiber(void *arg) {
    (void)arg;
    rt_fiber_sleep_ns(30 * RT_NS_PER_MS);
    atomic_store(&tm_cancel, true);
}

static void tm_engine_fiber(void *arg) {
    (void)arg;
    rt_arena *main_arena = tf_arena;
    tf_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX); /* this thread's own */
    uint32_t oid = tm_create_sequence();
    TEST_CHECK(oid != 0);
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    sql_exec_ctx x = tm_exec;
    x.arena = tf_arena;
    x.catalog = ref.catalog;
    x.db = eng_catalog_db_by_oid(ref.catalog, ENG_OID_POSTGRES_DB);
    char regclass[16];
    snprintf(regclass, sizeof regclass, "%u", oid);
    tm_record(tm_call_in(&x, "nextval", (tf_arg[]){A(T, "s")}, 1));
    tm_record(tm_call_in(&x, "nextval", (tf_arg[]){A(SQL_T_REGCLASS, regclass)}, 1));
    tm_record(tm_call_in(&x, "currval", (tf_arg[]){A(T, "public.s")}, 1));
    tm_record(tm_call_in(&x, "lastval", NULL, 0));
    tm_record(tm_call_in(&x, "setval", (tf_arg[]){A(T, "s"), A(I8, "100")}, 2));
    tm_record(tm_call_in(&x, "currval", (tf_arg[]){A(T, "s")}, 1));
    tm_record(tm_call_in(&x, "nextval", (tf_arg[]){A(T, "s")}, 1));
    tm_record(tm_call_in(&x, "setval", (tf_arg[]){A(T, "s"), A(I8, "5"), A(B, "false")}, 3));
    tm_record(tm_call_in(&x, "currval", (tf_arg[]){A(T, "s")}, 1));
    tm_record(tm_call_in(&x, "nextval", (tf_arg[]){A(T, "s")}, 1));
    tm_record(tm_call_in(&x, "setval", (tf_arg[]){A(T, "s"), A(I8, "0")}, 2));
    tm_record(tm_call_in(&x, "setval", (tf_arg[]){A(T, "s"), A(I8, "1000")}, 2));
    tm_record(tm_call_in(&x, "nextval", (tf_arg[]){A(T, "s")}, 1));
    uint64_t t0 = rt_time_mono_ns();
    tm_record(tm_call_in(&x, "pg_sleep", (tf_arg[]){A(F8, "0.05")}, 1));
    tm_run.slept_ns = rt_time_mono_ns() - t0;
    test_spawn(tm_cancel_fiber, NULL);
    t0 = rt_time_mono_ns();
    tm_run.canceled = strdup(tm_call_in(&x, "pg_sleep", (tf_arg[]){A(F8, "60")}, 1));
    tm_run.canceled_ns = rt_time_mono_ns() - t0;
    eng_catalog_unpin(&ref);
    rt_arena_destroy(tf_arena);
    tf_arena = main_arena;
    rt_runtime_stop();
}

static void test_sql_fn_misc_sequences_and_sleep(void **state) {
    (void)state;
    char dir[] = "/tmp/test_sql_fn_misc_XXXXXX";
    assert_non_null(mkdtemp(dir));
    eng_config cfg = {.data_dir = dir, .superuser = "alice", .shard_count = 1};
    rt_err err;
    rt_err_clear(&err);
    memset(&tm_run, 0, sizeof tm_run);
    atomic_store(&tm_cancel, false);
    int failures = te_run(&cfg, tm_engine_fiber, NULL, &err);
    te_rmdir(dir);
    if (failures < 0) fail_msg("engine did not start: %s", err.message);
    assert_int_equal(failures, 0);
    const char *expect[] = {
        "1", "2", "2", "2", "100", "100", "101", "5", "101", "5",
        "ERROR 22003: setval: value 0 is out of bounds for sequence \"s\" (1..1000)", "1000",
        "ERROR 2200H: nextval: reached maximum value of sequence \"s\" (1000)", "",
    };
    assert_int_equal(tm_run.count, sizeof expect / sizeof expect[0]);
    for (uint32_t i = 0; i < tm_run.count; i++) {
        if (strcmp(tm_run.got[i], expect[i]) != 0) {
            fail_msg("call %u: expected [%s] got [%s]", i, expect[i], tm_run.got[i]);
        }
        free((void *)tm_run.got[i]);
    }
    assert_true(tm_run.slept_ns >= 50 * RT_NS_PER_MS);
    assert_string_equal(tm_run.canceled, "ERROR 57014: canceling statement due to user request");
    assert_true(tm_run.canceled_ns < 5 * RT_NS_PER_S);
    free((void *)tm_run.canceled);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sql_fn_misc_version, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_user_and_database, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_search_path, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_settings, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_typeof, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_random_uuid, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_sequence_names, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_sessionless, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_without_session, tm_reset),
        cmocka_unit_test_setup(test_sql_fn_misc_sequences_and_sleep, tm_reset),
    };
    return cmocka_run_group_tests(tests, tm_setup, tm_teardown);
}
