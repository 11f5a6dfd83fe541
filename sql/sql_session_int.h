/* sql_session_int.h: private state of the session (sql_session*.c). */
#ifndef SQL_SESSION_INT_H
#define SQL_SESSION_INT_H

#include "engine/eng.h"
#include "runtime/rt_loop.h"
#include "sql/sql_ast.h"
#include "sql/sql_bind.h"
#include "sql/sql_exec.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_session.h"

/* Settings whose values the session keeps decoded (the rest are only strings). */
typedef enum sql_guc_apply {
    SQL_GUC_PLAIN = 0,
    SQL_GUC_DATESTYLE,
    SQL_GUC_INTERVALSTYLE,
    SQL_GUC_TIMEZONE,
    SQL_GUC_EXTRA_FLOAT_DIGITS,
    SQL_GUC_BYTEA_OUTPUT,
    SQL_GUC_SEARCH_PATH,
    SQL_GUC_CLIENT_ENCODING,
    SQL_GUC_STD_STRINGS,
    SQL_GUC_TXN_ISOLATION,
    SQL_GUC_TXN_READ_ONLY,
} sql_guc_apply;

/* One SET inside a transaction, undone at rollback (and at commit when LOCAL). SET ROLE and
 * SET SESSION AUTHORIZATION are entries of their own (idx SQL_GUC_UNDO_ROLE) that keep the
 * roles by oid: the two settings are one state (the latter resets the former). */
typedef struct sql_guc_undo {
    uint32_t idx;
    bool is_local;
    char *old;
    uint32_t role_oid, session_oid; /* SQL_GUC_UNDO_ROLE: sql_session's role_oid and
                                       session_user_oid before the SET */
} sql_guc_undo;

#define SQL_GUC_UNDO_ROLE UINT32_MAX

/* Microseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
#define SQL_PG_EPOCH_OFFSET_US 946684800000000ll

/* Search-path schema names, expanded ("$user" -> the user name). */
#define SQL_SEARCH_PATH_MAX 32u

/* A prepared statement: its text, parse tree and (when it plans) the bound query, valid for
 * the catalog version it was bound on. */
typedef struct sql_prepared {
    char *name;
    rt_arena *arena;
    const sql_node *stmt;        /* NULL for an empty statement */
    const char *sql;             /* this statement's text (for error positions) */
    uint32_t sql_len;
    uint32_t nparams;
    uint32_t *param_types;
    sql_query *query;            /* SELECT / DML: bound and planned; NULL for utility */
    bool returns_rows;
    uint32_t ncols;
    sql_col *cols;
    uint32_t refs;               /* portals using it */
    bool closed;                 /* closed while portals still used it */
    /* pg_prepared_statements */
    const char *source;          /* the query string that created it (PREPARE: all of it) */
    bool from_sql;               /* PREPARE rather than the protocol's Parse */
    int64_t prepare_us;          /* PostgreSQL-epoch microseconds */
    uint64_t executions;         /* plans handed out: EXECUTE and Bind */
    uint64_t custom_plans;       /* of them custom plans (the rest are generic) */
    double custom_cost_total;    /* the custom plans' costs with their planning */
    /* the generic plan's cost, computed once per generic plan as PostgreSQL's
       CachedPlanSource keeps it (every Bind compares it with the custom plans' average) */
    const sql_query *generic_cost_of;
    double generic_cost;
} sql_prepared;

/* A portal (Bind) or a cursor (DECLARE): a statement with parameter values, run in steps. */
typedef struct sql_portal {
    char *name;
    rt_arena *arena;
    sql_prepared *stmt;
    sql_value *params;
    int16_t *formats;            /* per result column; NULL = all text */
    bool is_cursor;
    bool scroll;                 /* SCROLL or WITH HOLD: rows materialised in `mat` */
    bool holdable;               /* WITH HOLD: survives its transaction's commit */
    bool held;                   /* its transaction committed */
    struct sql_rowset *mat;
    uint64_t pos;                /* materialised: 0 before the first row, n + 1 after the last */
    bool started, done;
    uint64_t rows_sent;
    eng_catalog_ref pin;
    bool pinned;
    const sql_query *query;      /* the plan being run */
    const struct sql_names *names; /* reg* output of its rows */
    sql_exec_ctx x;
    rt_err run_err;
    sql_cursor cur;
    char tag[SQL_TAG_BYTES];     /* utility statements: their tag after running */
    /* pg_cursors (DECLARE'd cursors only) */
    const char *source;          /* the query string that declared it */
    bool binary;                 /* DECLARE ... BINARY */
    bool scrollable;             /* DECLARE ... SCROLL */
    int64_t created_us;
} sql_portal;

typedef struct sql_savepoint {
    char *name;
    uint32_t command;            /* first command after the savepoint */
    uint32_t nundo;              /* GUC undo entries before it */
    uint32_t notify_pending, notify_actions; /* sql_notify_mark before it */
    bool had_draft;              /* DDL ran before it: `draft` is the catalog as of then */
    eng_catalog *draft;
} sql_savepoint;

#define SQL_SAVEPOINTS_MAX 1024u

/* Tables whose changed-row counts a transaction holds until it commits (auto-analyze must
 * sample the rows once they are visible, sql_stats.h). A transaction that writes more tables
 * notes the changes of the others at once, as if it had committed. */
#define SQL_STATS_PENDING_MAX 16u

typedef struct sql_stats_pending {
    uint32_t table_oid;
    uint64_t rows;
} sql_stats_pending;

/* plan_cache_mode */
enum { SQL_PLAN_CACHE_AUTO, SQL_PLAN_CACHE_GENERIC, SQL_PLAN_CACHE_CUSTOM };

/* Settings every statement reads, parsed from guc_values (sql_session_hot_settings). */
typedef struct sql_session_hot {
    uint64_t changes;            /* guc_changes + 1 when parsed; 0: never */
    uint32_t ef_search;          /* sql_session_ef_search */
    bool quantized_walk;
    uint8_t plan_cache_mode;     /* SQL_PLAN_CACHE_* */
    bool sync_commit;            /* synchronous_commit is not off */
} sql_session_hot;

struct sql_session {
    char user[ENG_NAME_BYTES];
    char database[ENG_NAME_BYTES];
    uint32_t user_oid, db_oid;   /* user: the current role (current_user, SET ROLE) */
    uint32_t temp_schema_oid;    /* pg_temp_N once a temporary object was created */
    bool superuser;              /* of the current role: it skips every privilege check */
    char session_user[ENG_NAME_BYTES]; /* session_user (SET SESSION AUTHORIZATION) */
    uint32_t session_user_oid;
    uint32_t auth_user_oid;      /* the role that authenticated */
    bool auth_superuser;         /* ... was a superuser: may SET SESSION AUTHORIZATION */
    uint32_t role_oid;           /* SET ROLE's role; 0 = none: current_user is session_user */
    uint32_t role_unused[2];     /* keeps the offsets of the fields below (see the end) */
    uint32_t backend_pid;
    _Atomic bool *cancel;
    _Atomic bool own_cancel;     /* when the protocol layer gave none */
    struct sql_hybrid_actual *hybrid_actual; /* EXPLAIN ANALYZE HYBRID's per-shard actuals,
                                                while it runs its statement; else NULL */
    sql_shared_actual *shared_actual; /* EXPLAIN ANALYZE's shared-build figures (one per
                                         shard) while it runs its query; else NULL */
    bool timed_out;
    struct sql_tlock_owner *tlock; /* table locks (sql_tablelock.h), made at first use */

    /* settings */
    char **guc_values;           /* per setting (sql_setting_at order), heap strings */
    char **guc_reported;         /* last value sent as ParameterStatus */
    char **guc_reset;            /* what RESET returns to where the startup packet set the
                                    setting (NULL: the server's default), heap strings */
    uint64_t guc_changes;        /* counts sql_guc_store calls (every change of guc_values) */
    uint64_t guc_reported_changes; /* guc_changes when ParameterStatus was last looked at */
    sql_guc_undo *undo;
    uint32_t nundo, undo_cap;
    sql_fmt fmt;
    const char *search_path[SQL_SEARCH_PATH_MAX];
    uint32_t nsearch;
    char *search_path_buf;
    int64_t statement_timeout_ms, lock_timeout_ms;
    eng_isolation default_isolation;
    bool default_read_only;
    uint8_t client_min_messages; /* severity rank below which notices are dropped */

    /* transaction */
    bool txn_active;             /* an engine transaction is open */
    bool xid_shown;              /* pg_stat_activity shows the transaction's id (it wrote) */
    bool in_block;               /* BEGIN was given */
    bool failed;                 /* an error happened in the block */
    bool implicit_multi;         /* several statements of one simple query */
    bool on_commit_running;      /* ON COMMIT actions of temporary tables are running */
    bool discard_temp;           /* DISCARD ALL / TEMP: drop pg_temp once the query ends */
    eng_txn_ctx txn;
    eng_isolation isolation;
    bool read_only;
    bool txn_has_query;          /* SET TRANSACTION must come first */
    uint32_t command;
    uint64_t snap_ts;            /* REPEATABLE READ: the transaction's snapshot */
    /* The session's readers for vacuum's horizon (eng_vac.h): taken before the first snapshot
     * of a statement, kept while a REPEATABLE READ transaction or an open portal reads as of
     * one, dropped when the session goes idle (sql_session_snap_settle). */
    eng_snap_reg snap_reg;
    int64_t txn_start_us;
    sql_savepoint savepoints[SQL_SAVEPOINTS_MAX];
    uint32_t nsavepoints;

    /* statements and portals */
    sql_prepared **prepared;
    /* The extended-protocol portal running a utility statement: DECLARE's query reads its
     * parameters ($n in DECLARE c CURSOR FOR SELECT ... WHERE x = $1). NULL otherwise. */
    const struct sql_portal *utility_portal;
    uint32_t nprepared, prepared_cap;
    sql_portal **portals;
    uint32_t nportals, portals_cap;

    /* sequences used (currval / lastval) */
    uint32_t *seq_oids;
    int64_t *seq_values;
    uint32_t nseqs, seqs_cap;
    bool have_lastval;
    int64_t lastval;
    uint32_t lastval_oid;

    struct sql_fk_deferred *fk_deferred; /* deferred foreign-key checks (sql_session_fk.c) */
    const struct sql_names *names; /* the running statement's names for reg* output */
    struct sql_notify_state *notify; /* LISTEN / NOTIFY (sql_notify.c), NULL until used */
    rt_arena *query_arena;       /* one statement's bind + execution */
    rt_arena *parse_arena;       /* a simple query's parse trees */
    rt_timer stmt_timer;         /* statement_timeout */

    sql_stats_pending stats_pending[SQL_STATS_PENDING_MAX]; /* the transaction's, at commit */
    struct sql_stats_undo *stats_undo; /* the transaction's ANALYZEs (sql_stats.h) */
    uint32_t nstats_pending;
    const sql_sink *stmt_sink;   /* while a Query or Execute runs: where its WARNINGs go */
    /* The wall clock of the protocol message being served (sql_session_clock_us): read once
       per message, not once per use; msg_clock off: read at every use (no protocol layer) */
    bool msg_clock;
    int64_t msg_us;              /* Unix-epoch microseconds; 0 = not read for this message */
    sql_session_hot hot;         /* settings parsed from guc_values (sql_session_hot_settings) */
};

/* ---- settings (sql_session_guc.c) ---- */
bool sql_guc_init(sql_session *s, rt_err *err);
void sql_guc_free(sql_session *s);
void sql_guc_startup_set(sql_session *s, const char *name);
/* Index of a setting by case-insensitive name, or -1. */
int sql_guc_find(const char *name);
/* The same, remembered in *cache (a static initialised to SQL_GUC_UNCACHED): for the settings
 * read on every transaction. */
#define SQL_GUC_UNCACHED (-2)
int sql_guc_find_cached(const char *name, _Atomic int *cache);
/* Stores a setting's value (no checks, no undo): settings the session derives itself. */
void sql_guc_store(sql_session *s, uint32_t idx, const char *v);
/* SET ROLE / RESET ROLE / SET SESSION AUTHORIZATION (sql_session_role.c); `value` is the
 * role name, NULL for RESET / DEFAULT. */
bool sql_session_set_role(sql_session *s, const sql_set *st, const char *value, rt_err *err);
/* Makes the role state of an undo entry current again (ROLLBACK [TO SAVEPOINT], the end of
 * SET LOCAL); roles dropped meanwhile fall back to the authenticated one. */
void sql_session_role_restore(sql_session *s, uint32_t role_oid, uint32_t session_oid);
/* Back to the authenticated role (DISCARD ALL). */
void sql_session_role_reset(sql_session *s);
/* SHOW role: the role SET ROLE chose, or "none". */
const char *sql_session_role_shown(const sql_session *s);
/* Records the role state in the undo log before SET ROLE / SESSION AUTHORIZATION changes it. */
void sql_guc_note_role(sql_session *s, bool is_local);
/* Applies SET / RESET / SET LOCAL from a statement. */
bool sql_guc_set_stmt(sql_session *s, const sql_set *st, rt_err *err);
/* Transaction end: drops or applies the undo log. */
void sql_guc_txn_end(sql_session *s, bool committed);
void sql_guc_rollback_to(sql_session *s, uint32_t nundo);
/* transaction_isolation / transaction_read_only take their defaults (transaction start/end). */
void sql_guc_sync_txn(sql_session *s);
/* SHOW name / SHOW ALL as rows through the sink. */
bool sql_guc_show(sql_session *s, const char *name, const sql_sink *sink, rt_err *err);
/* The column label of SHOW name: the registered spelling of the setting. */
const char *sql_guc_label(const char *name);

/* ---- transactions (sql_session_txn.c) ---- */
bool sql_txn_ensure(sql_session *s, rt_err *err);
/* After a statement: once the transaction has written, pg_stat_activity shows its id. */
void sql_txn_note_write(sql_session *s);
/* pg_stat_activity shows the transaction's id from now on (PostgreSQL gives one to a
 * transaction that takes an ACCESS EXCLUSIVE lock, to log the lock, before it waits). */
void sql_txn_show_xid(sql_session *s);
/* The implicit table locks of a plan's tables (sql_tablelock.h): ROW EXCLUSIVE for the table
 * it writes, ROW SHARE for tables whose rows it locks, ACCESS SHARE for those it reads. */
bool sql_session_lock_plan(sql_session *s, const sql_plan *plan, rt_err *err);
/* The read-only check and the locks of a bound query; *waited when a lock had to wait, after
 * which the caller binds again over the catalog of now (the holder may have been DDL). */
bool sql_session_lock_query(sql_session *s, const sql_query *q, bool *waited, rt_err *err);
/* The transaction's table locks end (commit, abort). */
void sql_session_unlock_tables(sql_session *s);
/* Those taken with `level` or more savepoints open end (ROLLBACK TO, a failed statement). */
void sql_session_unlock_tables_from(sql_session *s, uint32_t level);
/* Those taken with more than `level` savepoints open now belong to `level` (RELEASE). */
void sql_session_tables_merge(sql_session *s, uint32_t level);
/* Drops savepoints from index `keep` on. */
void sql_txn_release_savepoints(sql_session *s, uint32_t keep);
bool sql_txn_commit(sql_session *s, rt_err *err);
/* Rows a statement wrote to table t, for auto-analyze once the transaction commits. */
void sql_txn_note_changes(sql_session *s, const eng_table *t, uint64_t rows);
/* The same for a statement that ran to its end in `x`: its own `rows` (none for a SELECT) and
 * those of its data-modifying WITH queries. */
void sql_txn_note_stmt_changes(sql_session *s, const sql_query *q, const sql_exec_ctx *x,
                               uint64_t rows);
void sql_txn_abort(sql_session *s);
/* A statement failed in a block: the block is failed, and what its innermost subtransaction
 * (since the last savepoint, or all of it) holds is released: row locks and writes, table
 * locks, a catalog draft that can no longer commit. */
void sql_txn_fail(sql_session *s);
bool sql_txn_stmt(sql_session *s, const sql_transaction *t, const sql_sink *sink,
                  char tag[SQL_TAG_BYTES], rt_err *err);
void sql_session_notice(sql_session *s, const sql_sink *sink, const char *severity,
                        const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- statements (sql_session_run.c) ---- */
/* Runs one parsed statement to completion (RowDescription and rows to the sink; the command
 * tag into `tag`, empty if none); the caller commits an implicit transaction, then completes. */
bool sql_session_run(sql_session *s, const sql_node *stmt, const char *sql, uint32_t sql_len,
                     const sql_sink *sink, char tag[SQL_TAG_BYTES], rt_err *err);
/* Runs a bound query to its end (rows to the sink; RowDescription first if `describe`). */
bool sql_session_run_query(sql_session *s, const sql_query *q, const eng_catalog *cat,
                           const eng_database *db, const sql_value *params, const sql_sink *sink,
                           bool describe, char tag[SQL_TAG_BYTES], rt_err *err);
/* statement_timeout around one statement (or one Execute of a portal): arms the timer and
 * clears the cancel flag; the end names a timeout in the error as PostgreSQL. */
void sql_session_timer_start(sql_session *s);
void sql_session_timer_end(sql_session *s, bool ok, rt_err *err);
/* The catalog and database a statement binds against: the transaction's draft if DDL ran. */
void sql_session_catalog(sql_session *s, eng_catalog_ref *pin, const eng_catalog **catalog,
                         const eng_database **db);
/* What one statement binds against: the pinned catalog (or the transaction's draft), its
 * database, and a bind context over them. Opened and closed around each use. */
typedef struct sql_stmt_env {
    eng_catalog_ref pin;
    const eng_catalog *cat;
    const eng_database *db;
    sql_bind_ctx bc;
} sql_stmt_env;
void sql_session_env_open(sql_session *s, rt_arena *arena, rt_err *err, const char *sql,
                          uint32_t sql_len, sql_stmt_env *env);
void sql_session_env_close(sql_stmt_env *env);
void sql_session_bind_ctx(sql_session *s, rt_arena *arena, rt_err *err, const eng_catalog *cat,
                          const eng_database *db, const char *sql, uint32_t sql_len,
                          sql_bind_ctx *bc);
/* The settings every statement or transaction reads (ef_search, hnsw.quantized_walk,
 * plan_cache_mode, synchronous_commit), parsed again only after some setting changed
 * (guc_changes counts every change). */
const sql_session_hot *sql_session_hot_settings(sql_session *s);
/* ef_search for HNSW walks: dreambase.ef_search when set (not 0), else hnsw.ef_search. */
uint32_t sql_session_ef_search(sql_session *s);
/* hnsw.quantized_walk (default on). */
bool sql_session_quantized_walk(sql_session *s);
/* PostgreSQL's plan cache: the first runs of a statement with parameters that get custom
 * plans before the generic plan is considered, and what planning a custom plan costs per
 * relation (and once more), in rows' worth of work: PostgreSQL charges 1000 x
 * cpu_operator_cost (2.5), about what it charges for reading 125 rows in a Seq Scan. */
#define SQL_PREPARED_CUSTOM_FIRST  5u
#define SQL_PREPARED_PLANNING_ROWS 125.0

/* Binds prepared statement p for one run with `values` (its parameters) into *q, with `bc`
 * opened by the caller: a custom plan (planned, and EXPLAINed, for the values) or the generic
 * one, by plan_cache_mode: force_custom_plan / force_generic_plan always, auto PostgreSQL's
 * rule: a statement with parameters gets custom plans for its first SQL_PREPARED_CUSTOM_FIRST
 * runs, then the generic plan unless that costs more than the custom plans did on average
 * with their planning (SQL_PREPARED_PLANNING_ROWS per relation). `reuse`: p->query is still
 * valid and may be run as it is when the generic plan is chosen. Counts a custom plan in p
 * (pg_prepared_statements); *custom (may be NULL) says which plan it is. */
bool sql_session_bind_prepared(sql_session *s, sql_prepared *p, const sql_value *values,
                               bool reuse, sql_bind_ctx *bc, sql_query **q, bool *custom);
/* The session's table-lock owner, for its transaction at the current savepoint level. */
struct sql_tlock_owner *sql_session_tlock(sql_session *s);
/* CREATE INDEX, REINDEX and DROP INDEX CONCURRENTLY after their first transaction ran
 * (sql_session_index.c): the transactions that follow, each committed. */
struct sql_ddl_ctx;
bool sql_session_index_steps(sql_session *s, struct sql_ddl_ctx *dc, sql_stmt_env *env,
                             struct sql_exec_ctx *x, rt_err *err);
void sql_session_exec_ctx(sql_session *s, rt_arena *arena, rt_err *err, const eng_catalog *cat,
                          const eng_database *db, const sql_value *params, uint32_t nparams,
                          const sql_query *q, sql_exec_ctx *x);
/* Drops the session's snapshot registration when nothing reads as of it any more. */
void sql_session_snap_settle(sql_session *s);
/* After a query ended outside a block: the temporary schema a DISCARD ALL / TEMP in it
 * dropped (sql_session.c). */
void sql_session_on_commit(sql_session *s);
/* ON COMMIT DELETE ROWS / DROP of the session's temporary tables, as the last statements of
 * the transaction sql_txn_commit is about to commit (PostgreSQL's PreCommit_on_commit_actions):
 * the commit carries them, and a failure among them fails it. Each runs as its table's owner,
 * in a read-only transaction too. */
bool sql_session_on_commit_actions(sql_session *s, rt_err *err);
/* A DDL statement, and a SELECT / INSERT / UPDATE / DELETE, run in the session's transaction
 * (sql_session.c); CREATE TABLE ... AS runs as the two (sql_session_ctas.c). */
bool sql_session_ddl(sql_session *s, const sql_node *stmt, const char *sql, uint32_t sql_len,
                     const sql_sink *sink, char *tag, rt_err *err);
bool sql_session_planned(sql_session *s, const sql_node *stmt, const char *sql, uint32_t sql_len,
                         const sql_sink *sink, char *tag, rt_err *err);
bool sql_session_create_table_like(sql_session *s, const sql_create_table *ct, const char *sql,
                                   uint32_t sql_len, const sql_sink *sink, char *tag,
                                   rt_err *err);
bool sql_session_create_table_as(sql_session *s, const sql_create_table *ct, const char *sql,
                                 uint32_t sql_len, const sql_sink *sink, char *tag,
                                 rt_err *err);
/* The command tag of a finished planned statement. */
void sql_session_tag(const sql_query *q, uint64_t rows, char tag[SQL_TAG_BYTES]);
/* Emits a single-column text result (SHOW, EXPLAIN). */
bool sql_session_text_rows(sql_session *s, const char *colname, const char *const *lines,
                           uint32_t n, const sql_sink *sink, bool describe, rt_err *err);

/* The FORMAT of an EXPLAIN and the type of its QUERY PLAN column (json for JSON, xml for
 * XML, text otherwise, as PostgreSQL describes it). */
sql_explain_format sql_session_explain_format(const sql_explain *ex, uint32_t *type_oid);

/* SHOW ALL: rows of (name, setting, description), `n` triples. */
bool sql_session_show_all_rows(sql_session *s, const char *const *triples, uint32_t n,
                               const sql_sink *sink, rt_err *err);

/* ---- LISTEN / NOTIFY (sql_notify.c) ---- */
/* LISTEN (listen) or UNLISTEN (channel NULL: all): in a transaction block (or several
 * statements of one query) it takes effect at commit, as PostgreSQL's, not at all on rollback. */
bool sql_notify_listen_stmt(sql_session *s, const char *channel, bool listen, rt_err *err);
void sql_notify_unlisten(sql_session *s, const char *channel); /* NULL: all, at once */
bool sql_notify_add(sql_session *s, const char *channel, const char *payload, rt_err *err);
/* Transaction end: a commit applies this transaction's LISTEN / UNLISTEN and then delivers
 * its notifications to their listeners. */
void sql_notify_end(sql_session *s, bool committed);
/* SAVEPOINT notes how many NOTIFYs and LISTEN / UNLISTENs are pending; ROLLBACK TO drops the
 * ones made after it. */
void sql_notify_mark(const sql_session *s, uint32_t *pending, uint32_t *actions);
void sql_notify_rollback_to(sql_session *s, uint32_t pending, uint32_t actions);
void sql_notify_free(sql_session *s);
/* sql_session_listening / sql_session_notification (sql_session.h) of a real session. */
bool sql_notify_listening(const sql_session *s);
bool sql_notify_channels(sql_session *s, rt_arena *arena, const char ***names, uint32_t *count);
bool sql_notify_next(sql_session *s, uint32_t *pid, char channel[64], char **payload);

/* ---- extended protocol (sql_session_ext.c) ---- */
sql_prepared *sql_prepared_find(sql_session *s, const char *name);
sql_portal *sql_session_portal_find(sql_session *s, const char *name);
/* Creates prepared statement `name` from one statement's text (Parse, PREPARE, DECLARE). */
bool sql_session_prepare_text(sql_session *s, const char *name, const char *sql, uint32_t len,
                              uint32_t nparams, const uint32_t *param_types, rt_err *err);
/* Bind; a cursor's portal starts running at once (its snapshot is DECLARE's). */
bool sql_session_bind_portal(sql_session *s, const sql_bind_args *a, bool is_cursor,
                             rt_err *err);
/* Up to max_rows (0 = all) rows of a started portal to the sink (NULL: discarded). */
bool sql_session_portal_fetch(sql_session *s, sql_portal *pt, uint64_t max_rows,
                              const sql_sink *sink, uint64_t *got, rt_err *err);
/* Runs a started portal to its end into pt->mat (SCROLL and WITH HOLD cursors). */
bool sql_session_portal_materialize(sql_session *s, sql_portal *pt, rt_err *err);
void sql_prepared_release(sql_session *s, sql_prepared *p);
/* PREPARE / EXECUTE / DEALLOCATE / DECLARE / FETCH / CLOSE. */
bool sql_session_prepare_stmt(sql_session *s, const sql_prepare *p, const char *sql,
                              uint32_t sql_len, rt_err *err);
/* EXECUTE's prepared statement and its arguments decoded as the parameters' types (in the
 * query arena), counted as an execution; PostgreSQL's errors for a wrong name or count. */
bool sql_session_execute_args(sql_session *s, const sql_execute *e, sql_prepared **out,
                              sql_value **values, rt_err *err);
bool sql_session_execute_stmt(sql_session *s, const sql_execute *e, const sql_sink *sink,
                              char tag[SQL_TAG_BYTES], rt_err *err);
bool sql_session_deallocate_stmt(sql_session *s, const sql_deallocate *d, rt_err *err);
bool sql_session_cursor_stmt(sql_session *s, const sql_node *stmt, const char *sql,
                             uint32_t sql_len, const sql_sink *sink, char tag[SQL_TAG_BYTES],
                             rt_err *err);
/* Transaction end: commit keeps WITH HOLD cursors (then held), abort keeps held ones. */
void sql_session_portals_close_all(sql_session *s, bool keep_holdable);
void sql_session_portals_abort(sql_session *s);

/* Foreign keys (sql_session_fk.c): SET CONSTRAINTS, the checks deferred to COMMIT (run by
 * sql_txn_commit before the transaction commits), and their undo. */
bool sql_session_set_constraints(sql_session *s, const sql_set *st, const sql_sink *sink,
                                 rt_err *err);
bool sql_session_fk_commit(sql_session *s, rt_err *err);
void sql_session_fk_rollback_to(sql_session *s, uint32_t command);
void sql_session_fk_reset(sql_session *s);

#endif
