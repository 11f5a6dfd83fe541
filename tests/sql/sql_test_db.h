/* sql_test_db.h: an in-process database for SQL tests, without the network or the session.
 * sdb_run() starts the engine on a fresh temporary data directory and `shards` shards, runs
 * fn(arg) in a fiber on shard 0, stops everything and removes the directory. Inside the fiber:
 *   sdb_create_table("CREATE TABLE t (id int8 PRIMARY KEY, name text NOT NULL)", parts)
 *       makes the table through a catalog draft (columns, types with typmods, NOT NULL,
 *       DEFAULT text, PRIMARY KEY on a column or as a table constraint);
 *   sdb_create_sequence(name) makes a bigint sequence starting at 1;
 *   sdb_exec(sql, &res) runs one statement in its own transaction: parse, bind (which
 *       optimises), execute through a cursor, commit (abort on error). res.text has the rows
 *       as text, columns separated by '|', each row ended by '\n', NULL as "NULL"; for
 *       EXPLAIN it has the plan text. res.err the error when res.ok is false.
 *   sdb_exec_params(sql, n, texts, &res) the same with $1..$n given as text (typed as the
 *       binder infers them; a NULL pointer is SQL NULL).
 *   sdb_expect(sql, rows_text) / sdb_expect_error(sql, sqlstate) check and log mismatches.
 * Checks inside the fiber use TEST_CHECK (tests/common/test_runtime.h); the cmocka test asserts
 * that sdb_run() returned 0. */
#ifndef SQL_TEST_DB_H
#define SQL_TEST_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/eng.h"
#include "sql/sql_agg.h"
/* The parse tree's operator node and the executor's operator share the name sql_op; this
 * header needs both modules, and never the parse tree's operator. */
#define sql_op sql_ast_op
#include "sql/sql_ast.h"
#include "sql/sql_bind.h"
#undef sql_op
#include "sql/sql_exec.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"
#include "tests/common/test_engine.h"

#define SDB_RESULT_BYTES_MAX (1u << 20)

typedef struct sdb_result {
    bool ok;
    rt_err err;
    char text[SDB_RESULT_BYTES_MAX]; /* rows, or the EXPLAIN text */
    uint64_t rows;                   /* rows returned */
    uint64_t affected;               /* INSERT / UPDATE / DELETE count */
} sdb_result;

/* ---- running ---- */

static inline int sdb_run(uint32_t shards, void (*fn)(void *), void *arg) {
    sql_types_init();
    sql_funcs_init();
    sql_aggs_init();
    char dir[] = "/tmp/sdb_XXXXXX";
    if (mkdtemp(dir) == NULL) return -1;
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = shards};
    rt_err err;
    rt_err_clear(&err);
    int failures = te_run(&cfg, fn, arg, &err);
    if (failures < 0) fprintf(stderr, "sdb_run: %s\n", err.message);
    te_rmdir(dir);
    return failures;
}

/* ---- binding context ---- */

typedef struct sdb_ctx {
    eng_catalog_ref ref;
    const eng_database *db;
    sql_bind_ctx bc;
    rt_arena *arena;
} sdb_ctx;

static inline void sdb_ctx_open(sdb_ctx *c, const char *sql, rt_err *err) {
    static const char *const path[] = {"public"};
    eng_catalog_pin(&c->ref);
    c->db = eng_catalog_db_by_oid(c->ref.catalog, ENG_OID_POSTGRES_DB);
    c->arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    c->bc = (sql_bind_ctx){.arena = c->arena, .err = err, .catalog = c->ref.catalog,
                           .db = c->db, .search_path = path, .nsearch = 1, .sql = sql,
                           .sql_len = (uint32_t)strlen(sql), .shard_count = eng_shard_count()};
}

static inline void sdb_ctx_close(sdb_ctx *c) {
    rt_arena_destroy(c->arena);
    eng_catalog_unpin(&c->ref);
}

/* ---- tables ---- */

static inline bool sdb_is_pk(const sql_create_table *ct, const sql_columndef *cd) {
    for (uint32_t i = 0; i < cd->constraints.count; i++) {
        const sql_constraint *k = SQL_LIST_AT(cd->constraints, i);
        if (k->constr_kind == SQL_CONSTR_PRIMARY) return true;
    }
    (void)ct;
    return false;
}

/* Fills one engine column from a column definition; false with *err. */
static inline bool sdb_column(sdb_ctx *c, const sql_columndef *cd, uint16_t attnum,
                              eng_column *col, rt_err *err) {
    memset(col, 0, sizeof *col);
    snprintf(col->name, sizeof col->name, "%s", cd->name);
    if (!sql_bind_typename(&c->bc, cd->type, &col->type_oid, &col->typmod)) return false;
    col->attnum = attnum;
    col->store = (uint8_t)eng_store_of_type(col->type_oid);
    if (col->type_oid == SQL_T_VECTOR) col->vector_dims = (uint32_t)col->typmod;
    for (uint32_t i = 0; i < cd->constraints.count; i++) {
        const sql_constraint *k = SQL_LIST_AT(cd->constraints, i);
        if (k->constr_kind == SQL_CONSTR_NOTNULL || k->constr_kind == SQL_CONSTR_PRIMARY) {
            col->not_null = true;
        }
        if (k->constr_kind == SQL_CONSTR_DEFAULT) col->default_text = k->expr_text;
    }
    (void)err;
    return true;
}

/* Creates the table a CREATE TABLE statement describes, with `parts` partitions; returns its
 * oid, 0 on failure (logged). */
static inline uint32_t sdb_create_table(const char *sql, uint32_t parts) {
    rt_err err;
    rt_err_clear(&err);
    sdb_ctx c;
    sdb_ctx_open(&c, sql, &err);
    sql_stmt_list list;
    uint32_t oid = 0;
    eng_column cols[64];
    eng_table t;
    memset(&t, 0, sizeof t);
    if (!sql_parse(c.arena, sql, (uint32_t)strlen(sql), &list, &err) || list.count != 1 ||
        SQL_NODE_KIND(list.stmts[0].node) != SQL_N_CREATE_TABLE) {
        rt_log(RT_LOG_ERROR, NULL, "sdb_create_table: %s", err.message);
        sdb_ctx_close(&c);
        return 0;
    }
    const sql_create_table *ct = (const sql_create_table *)list.stmts[0].node;
    eng_catalog *draft = eng_catalog_draft(c.ref.catalog);
    for (uint32_t i = 0; i < ct->columns.count && i < 64; i++) {
        const sql_columndef *cd = SQL_LIST_AT(ct->columns, i);
        if (!sdb_column(&c, cd, (uint16_t)(i + 1), &cols[i], &err)) goto fail;
        if (sdb_is_pk(ct, cd)) t.pk_attnums[t.pk_count++] = (uint16_t)(i + 1);
    }
    for (uint32_t i = 0; i < ct->constraints.count; i++) {
        const sql_constraint *k = SQL_LIST_AT(ct->constraints, i);
        if (k->constr_kind != SQL_CONSTR_PRIMARY) continue;
        for (uint32_t j = 0; j < k->keys.count; j++) {
            for (uint32_t a = 0; a < ct->columns.count; a++) {
                if (strcmp(cols[a].name, SQL_LIST_AT(k->keys, j)) != 0) continue;
                t.pk_attnums[t.pk_count++] = (uint16_t)(a + 1);
                cols[a].not_null = true;
            }
        }
    }
    t.oid = eng_catalog_new_oid(draft);
    snprintf(t.name, sizeof t.name, "%s", ct->name.parts[ct->name.count - 1]);
    t.schema_oid = ENG_OID_PUBLIC;
    t.kind = 'r';
    t.persistence = 'p';
    t.storage_id = eng_catalog_new_storage_id(draft);
    t.def_gen = eng_catalog_def_gen();
    t.partition_count = parts;
    t.column_count = ct->columns.count;
    t.columns = cols;
    eng_draft_add_table(draft, ENG_OID_POSTGRES_DB, &t);
    eng_txn_ctx txn;
    if (!eng_txn_start(&txn, &err)) goto fail;
    txn.draft = draft;
    if (!eng_txn_finish_commit(&txn, &err)) goto fail;
    oid = t.oid;
    sdb_ctx_close(&c);
    return oid;
fail:
    rt_log(RT_LOG_ERROR, NULL, "sdb_create_table: %s", err.message);
    sdb_ctx_close(&c);
    return 0;
}

/* Creates sequence `name` (bigint, start 1, increment 1) in schema public; false on failure. */
static inline bool sdb_create_sequence(const char *name) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_catalog *draft = eng_catalog_draft(ref.catalog);
    eng_catalog_unpin(&ref);
    eng_sequence seq;
    memset(&seq, 0, sizeof seq);
    seq.oid = eng_catalog_new_oid(draft);
    snprintf(seq.name, sizeof seq.name, "%s", name);
    seq.schema_oid = ENG_OID_PUBLIC;
    seq.type_oid = SQL_T_INT8;
    seq.start = 1;
    seq.increment = 1;
    seq.min_value = 1;
    seq.max_value = INT64_MAX;
    seq.cache = 1;
    seq.persistence = 'p';
    eng_draft_add_sequence(draft, ENG_OID_POSTGRES_DB, &seq);
    eng_txn_ctx txn;
    rt_err err;
    rt_err_clear(&err);
    if (!eng_txn_start(&txn, &err)) return false;
    txn.draft = draft;
    return eng_txn_finish_commit(&txn, &err);
}

/* ---- statements ---- */

typedef struct sdb_sink {
    sdb_result *res;
    const sql_plan *plan;
    sql_fmt *fmt;
    rt_arena *arena;
    size_t len;
} sdb_sink;

static inline void sdb_append(sdb_sink *s, const char *p, size_t n) {
    if (s->len + n + 1 >= SDB_RESULT_BYTES_MAX) return; /* truncated: the test will notice */
    memcpy(s->res->text + s->len, p, n);
    s->len += n;
    s->res->text[s->len] = '\0';
}

static inline bool sdb_sink_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                                 rt_err *err) {
    sdb_sink *s = arg;
    sql_io_ctx io = {.arena = s->arena, .fmt = s->fmt, .err = err};
    for (uint32_t r = from; r < to; r++) {
        for (uint32_t c = 0; c < b->ncols; c++) {
            if (c > 0) sdb_append(s, "|", 1);
            sql_value v;
            sql_vec_get(&b->cols[c], r, &v);
            if (v.is_null) {
                sdb_append(s, "NULL", 4);
                continue;
            }
            sql_strbuf sb;
            sql_strbuf_init(&sb, s->arena, 32);
            if (!sql_value_out(&io, &v, s->plan->cols[c].typmod, &sb)) return false;
            sdb_append(s, sb.data, sb.len);
        }
        sdb_append(s, "\n", 1);
        s->res->rows++;
    }
    return true;
}

/* Parameter values from text (NULL pointer: SQL NULL), typed as the binder inferred. */
static inline sql_value *sdb_params(sdb_ctx *c, const sql_query *q, uint32_t n,
                                    const char *const *texts, const sql_fmt *fmt, rt_err *err) {
    sql_value *vals = rt_arena_zalloc(c->arena, sizeof(sql_value) * (n + 1u));
    if (vals == NULL) return NULL;
    sql_io_ctx io = {.arena = c->arena, .fmt = fmt, .err = err};
    for (uint32_t i = 0; i < n; i++) {
        uint32_t type = i < q->nparams ? q->param_types[i] : SQL_T_TEXT;
        vals[i] = (sql_value){.type_oid = type, .is_null = true};
        if (texts[i] == NULL) continue;
        if (!sql_value_in(&io, type, texts[i], (uint32_t)strlen(texts[i]), -1, &vals[i])) {
            return NULL;
        }
        vals[i].type_oid = type;
    }
    return vals;
}

/* Executes a bound query in transaction `txn`. */
static inline bool sdb_execute(sdb_ctx *c, const sql_query *q, eng_txn_ctx *txn,
                               uint32_t nparams, const char *const *params, sdb_result *res) {
    sql_exec_ctx *x = rt_arena_zalloc(c->arena, sizeof *x);
    if (x == NULL) return rt_arena_fail(c->arena, &res->err);
    sql_fmt fmt = {.extra_float_digits = 1};
    x->params = sdb_params(c, q, nparams, params, &fmt, &res->err);
    x->nparams = nparams;
    if (x->params == NULL) return rt_err_is_set(&res->err) ? false
                                                           : rt_arena_fail(c->arena, &res->err);
    x->arena = c->arena;
    x->err = &res->err;
    x->catalog = c->ref.catalog;
    x->db = c->db;
    x->snap = (eng_snapshot){.ts = eng_txn_snapshot_ts(),
                             .own = eng_stamp_txn(txn->id.slot, txn->id.generation, 0),
                             .command = 1};
    x->txn = txn;
    x->txn_id = txn->id;
    x->command = 1;
    x->isolation = ENG_ISO_READ_COMMITTED;
    x->lock_timeout_ms = 10000;
    x->fmt = fmt;
    x->coordinator_core = rt_core_id();
    x->nsubqueries = q->nsubqueries;
    x->nmaterials = q->nmaterials;
    x->affected = &x->rows_affected;
    sdb_sink sink = {.res = res, .plan = q->plan, .fmt = &x->fmt, .arena = c->arena};
    sql_cursor cur;
    bool ok = sql_cursor_open(&cur, x, q->plan);
    uint64_t emitted;
    bool more;
    if (ok) ok = sql_cursor_fetch(&cur, 0, sdb_sink_rows, &sink, &emitted, &more);
    sql_cursor_close(&cur);
    res->affected = atomic_load(&x->rows_affected);
    return ok;
}

/* Runs one statement (SELECT / INSERT / UPDATE / DELETE, or EXPLAIN of one) in its own
 * transaction, with parameters $1..$n given as text (NULL: SQL NULL). Returns res->ok. */
static inline bool sdb_exec_params(const char *sql, uint32_t nparams, const char *const *params,
                                   sdb_result *res) {
    memset(res, 0, sizeof *res);
    rt_err_clear(&res->err);
    sdb_ctx c;
    sdb_ctx_open(&c, sql, &res->err);
    sql_stmt_list list;
    sql_query *q = NULL;
    bool ok = sql_parse(c.arena, sql, (uint32_t)strlen(sql), &list, &res->err);
    if (ok && list.count != 1) ok = rt_err_set(&res->err, "42601", "one statement expected");
    const sql_node *stmt = ok ? list.stmts[0].node : NULL;
    bool explain = ok && SQL_NODE_KIND(stmt) == SQL_N_EXPLAIN;
    if (explain) stmt = ((const sql_explain *)stmt)->stmt;
    if (ok) ok = sql_bind_query(&c.bc, stmt, &q);
    if (ok && explain) {
        sql_strbuf sb;
        sql_strbuf_init(&sb, c.arena, 256);
        sql_plan_explain(q->plan, &sb, 0);
        size_t n = sb.len < SDB_RESULT_BYTES_MAX - 1 ? sb.len : SDB_RESULT_BYTES_MAX - 1;
        memcpy(res->text, sb.data, n);
        res->text[n] = '\0';
    } else if (ok) {
        eng_txn_ctx txn;
        ok = eng_txn_start(&txn, &res->err);
        if (ok && !sdb_execute(&c, q, &txn, nparams, params, res)) {
            eng_txn_finish_abort(&txn);
            ok = false;
        } else if (ok) {
            ok = eng_txn_finish_commit(&txn, &res->err);
        }
    }
    sdb_ctx_close(&c);
    res->ok = ok;
    return ok;
}

static inline bool sdb_exec(const char *sql, sdb_result *res) {
    return sdb_exec_params(sql, 0, NULL, res);
}

/* sdb_exec that must succeed and return exactly `want` as text. */
static inline bool sdb_expect(const char *sql, const char *want) {
    static sdb_result res;
    if (!sdb_exec(sql, &res)) {
        rt_log(RT_LOG_ERROR, NULL, "%s: %s: %s", sql, res.err.sqlstate, res.err.message);
        return false;
    }
    if (strcmp(res.text, want) != 0) {
        rt_log(RT_LOG_ERROR, NULL, "%s:\n got:\n%s\n want:\n%s", sql, res.text, want);
        return false;
    }
    return true;
}

/* sdb_exec that must fail with SQLSTATE `state`. */
static inline bool sdb_expect_error(const char *sql, const char *state) {
    static sdb_result res;
    if (sdb_exec(sql, &res)) {
        rt_log(RT_LOG_ERROR, NULL, "%s: succeeded, want %s", sql, state);
        return false;
    }
    if (strcmp(res.err.sqlstate, state) != 0) {
        rt_log(RT_LOG_ERROR, NULL, "%s: %s %s, want %s", sql, res.err.sqlstate,
               res.err.message, state);
        return false;
    }
    return true;
}

#endif
