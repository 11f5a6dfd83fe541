/* sql_session.h: one client session: its settings (GUCs), transaction state, prepared
 * statements and portals, and the execution of every kind of statement. The wire protocol
 * (net_pg.c) drives it; results flow back through an sql_sink the protocol layer implements.
 * Owns:    the session's settings, its open transaction (eng_txn_ctx), prepared statements,
 *          portals and cursors, the pinned catalog version of the running statement.
 * Core:    the shard that accepted the connection, inside the connection's fiber; calls may
 *          park that fiber (fragments on other shards, lock waits, WAL fsync at commit).
 * Memory:  session state on the heap; each statement runs in a query arena reset after it;
 *          a portal keeps its own arena until it is closed or its transaction ends.
 * Errors:  a failed call returns false with *err set (severity ERROR: the session goes on;
 *          FATAL: the protocol layer reports it and closes the connection). A failure inside a
 *          transaction block leaves the transaction failed: later statements get 25P02 until
 *          ROLLBACK. Notices (severity below ERROR) go through sink->notice.
 * Limits:  SQL_SESSION_PREPARED_MAX, SQL_SESSION_PORTALS_MAX, SQL_SESSION_QUERY_ARENA_BYTES. */
#ifndef SQL_SESSION_H
#define SQL_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"
#include "sql/sql_batch.h"
#include "sql/sql_plan.h"
#include "sql/sql_types.h"

/* Prepared statements per session (ORMs prepare per distinct query; a leak must not grow
 * without bound). */
#define SQL_SESSION_PREPARED_MAX 10000u
/* Open portals and cursors per session. */
#define SQL_SESSION_PORTALS_MAX 1000u
/* Memory of one statement's execution (operator state, sorts, hash tables): 53200 past it. */
#define SQL_SESSION_QUERY_ARENA_BYTES (1024ull * 1024 * 1024)
/* Longest command tag ("INSERT 0 4294967295" and the like). */
#define SQL_TAG_BYTES 64u

typedef struct sql_session sql_session;

/* The startup packet, as the protocol layer decoded it. */
typedef struct sql_startup {
    const char *user;
    const char *database;          /* defaults to the user name, as PostgreSQL */
    uint32_t nsettings;            /* other parameters (application_name, client_encoding,
                                      DateStyle, ...) and `options` split into -c name=value */
    const char *const *names;
    const char *const *values;
    uint32_t backend_pid;
    _Atomic bool *cancel;          /* set by a CancelRequest for this backend; the session
                                      also sets it for statement_timeout and clears it
                                      when a statement starts */
} sql_startup;

/* ReadyForQuery's transaction status. */
typedef enum sql_txn_status {
    SQL_TXN_IDLE = 'I',
    SQL_TXN_BLOCK = 'T',
    SQL_TXN_FAILED = 'E',
} sql_txn_status;

/* COPY's description for CopyInResponse / CopyOutResponse. */
typedef struct sql_copy_desc {
    bool binary;               /* overall format */
    uint32_t ncols;
} sql_copy_desc;

/* Where results go. Every callback returns false with *err set when the client is gone or a
 * limit is hit; the statement then fails with that error. */
typedef struct sql_sink {
    void *arg;
    /* A result with rows begins: RowDescription. Simple query only; in the extended protocol
     * Describe reports columns (sql_session_describe_*). formats NULL = all text. */
    bool (*describe)(void *arg, const sql_col *cols, uint32_t ncols, const int16_t *formats,
                     rt_err *err);
    /* Rows from..to-1 of a batch, one DataRow each; formats NULL = all text. */
    bool (*rows)(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                 const int16_t *formats, rt_err *err);
    /* CommandComplete. */
    bool (*complete)(void *arg, const char *tag, rt_err *err);
    /* An empty statement (EmptyQueryResponse). */
    bool (*empty)(void *arg, rt_err *err);
    /* NOTICE / WARNING (n->sqlstate class 00 or 01; n->message, n->detail, n->hint). */
    void (*notice)(void *arg, const char *severity, const rt_err *n);
    /* COPY FROM STDIN: sends CopyInResponse, then copy_read returns the bytes of each
     * CopyData in order; *done at CopyDone; a CopyFail is an error (57014 "COPY from stdin
     * failed: ..."). */
    bool (*copy_in)(void *arg, const sql_copy_desc *d, rt_err *err);
    bool (*copy_read)(void *arg, const uint8_t **data, uint32_t *len, bool *done, rt_err *err);
    /* COPY TO STDOUT: CopyOutResponse, CopyData per chunk, CopyDone. */
    bool (*copy_out)(void *arg, const sql_copy_desc *d, rt_err *err);
    bool (*copy_write)(void *arg, const void *data, uint32_t len, rt_err *err);
    bool (*copy_done)(void *arg, rt_err *err);
} sql_sink;

/* ---- life cycle ---- */

/* Registers every type, function and aggregate: once, before the shards start. */
void sql_session_global_init(void);

/* Opens a session for an authenticated user: 3D000 if the database does not exist, 28000 if
 * the role does not exist or may not log in (FATAL). Applies the startup settings (22023 /
 * 42704 for bad ones, FATAL). */
bool sql_session_open(const sql_startup *st, sql_session **out, rt_err *err);
/* Rolls back an open transaction, closes portals, frees everything. */
void sql_session_close(sql_session *s);

/* Calls `fn` for every reportable setting (server_version, server_encoding, client_encoding,
 * application_name, DateStyle, IntervalStyle, TimeZone, integer_datetimes,
 * standard_conforming_strings, is_superuser, session_authorization, in_hot_standby) whose
 * value changed since the previous call; the first call reports all of them. */
void sql_session_report_params(sql_session *s,
                               void (*fn)(void *arg, const char *name, const char *value),
                               void *arg);
sql_txn_status sql_session_txn_status(const sql_session *s);
/* The protocol layer calls sql_session_msg_begin before serving each message; from then on
 * sql_session_clock_us reads the wall clock (Unix-epoch microseconds) at its first call for
 * the message and returns that reading until the next message. Its uses (now() at the start
 * of a transaction, statement_timestamp(), a portal's creation time, pg_stat_activity's
 * times) are PostgreSQL's "time of receipt of the latest command message": one clock read
 * per message instead of one per use. Without sql_session_msg_begin every call reads. */
void sql_session_msg_begin(sql_session *s);
int64_t sql_session_clock_us(sql_session *s);
/* Between statements, for pg_stat_activity: whether the open transaction wrote (PostgreSQL
 * assigns a transaction id at the first write) and whether it keeps its snapshot until it
 * ends (REPEATABLE READ or SERIALIZABLE once a statement took one). */
void sql_session_xact_info(const sql_session *s, bool *wrote, bool *keeps_snapshot);

/* LISTEN / NOTIFY: whether the session listens (the protocol layer then watches for
 * notifications while idle), and the next notification to send (NotificationResponse) when
 * the session is between transactions; the caller frees *payload with rt_free. */
bool sql_session_listening(const sql_session *s);
bool sql_session_notification(sql_session *s, uint32_t *pid, char channel[64], char **payload);
/* NOTIFY / pg_notify(): queued until the transaction commits. */
bool sql_session_notify(sql_session *s, const char *channel, const char *payload, rt_err *err);
/* pg_listening_channels(): the channels the session listens to, copied into `arena`; false
 * when the arena is out of memory. */
bool sql_session_listen_channels(sql_session *s, rt_arena *arena, const char ***names,
                                 uint32_t *count);

/* The formatting context of the session's settings (DateStyle, TimeZone, extra_float_digits,
 * bytea_output) for encoding result values and decoding parameters. */
void sql_session_io(sql_session *s, rt_arena *arena, rt_err *err, sql_io_ctx *io);
/* Pins the current catalog for `io` when no statement runs (a parameter of a row type reads
 * its columns there); the caller unpins `pin` once the values are read. */
struct eng_catalog_ref;
struct sql_names;
void sql_session_io_pin(sql_session *s, sql_io_ctx *io, struct eng_catalog_ref *pin,
                        struct sql_names *names);

/* ---- simple query protocol ---- */

/* Runs every statement of `sql` in order, each reported to `sink` (describe, rows, complete;
 * `empty` for an empty string). Several statements without BEGIN run as one implicit
 * transaction, as PostgreSQL. Stops at the first error (returns false). */
bool sql_session_simple_query(sql_session *s, const char *sql, uint32_t len,
                              const sql_sink *sink, rt_err *err);

/* ---- extended query protocol ---- */

/* Parse: one statement (or none) named `name` ("" = the unnamed one, replaced silently; a
 * named one that exists is 42P05). param_types[i] == 0: infer. */
bool sql_session_parse(sql_session *s, const char *name, const char *sql, uint32_t len,
                       uint32_t nparams, const uint32_t *param_types, rt_err *err);

typedef struct sql_bind_args {
    const char *portal;
    const char *statement;
    uint32_t nparams;
    const int16_t *param_formats;   /* per parameter (the protocol layer expands 0/1 codes) */
    const uint8_t *const *values;   /* NULL = SQL NULL */
    const uint32_t *lengths;
    uint32_t nresult_formats;       /* 0 = all text, 1 = one for all, else one per column */
    const int16_t *result_formats;
    const sql_value *decoded;       /* internal: values already decoded (DECLARE's $n), or NULL */
} sql_bind_args;

/* Bind: a portal from a prepared statement and parameter values (08P01 wrong count, 22P02 /
 * 22P03 for values that do not decode). */
bool sql_session_bind(sql_session *s, const sql_bind_args *a, rt_err *err);
/* A WARNING (01000) to the client of the statement running now, as functions raise them
 * (pg_terminate_backend's "PID %d is not a PostgreSQL backend process"); dropped below
 * client_min_messages or outside a statement. */
void sql_session_warning(sql_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The query text that prepared statement `name` was parsed from (pg_stat_activity shows it
 * while a portal of it runs); false, leaving *text alone, when there is no such statement. */
bool sql_session_statement_text(sql_session *s, const char *name, const char **text,
                                uint32_t *len);

/* Describe statement: its parameter types and result columns (*ncols = 0 and *returns_rows
 * false for a statement without rows: NoData). */
bool sql_session_describe_statement(sql_session *s, const char *name, uint32_t *nparams,
                                    const uint32_t **param_types, bool *returns_rows,
                                    const sql_col **cols, uint32_t *ncols, rt_err *err);
/* Describe portal: its result columns and formats. */
bool sql_session_describe_portal(sql_session *s, const char *name, bool *returns_rows,
                                 const sql_col **cols, uint32_t *ncols,
                                 const int16_t **formats, rt_err *err);
/* Execute: up to max_rows rows (0 = all) through sink->rows (never sink->describe), then
 * sink->complete, or *suspended = true when rows remain (PortalSuspended). */
bool sql_session_execute(sql_session *s, const char *portal, uint64_t max_rows,
                         const sql_sink *sink, bool *suspended, rt_err *err);
void sql_session_close_statement(sql_session *s, const char *name);
void sql_session_close_portal(sql_session *s, const char *name);
/* Sync: ends the implicit transaction of the messages since the last Sync (commit, or
 * rollback after an error). A failed commit returns false. */
bool sql_session_sync(sql_session *s, rt_err *err);
/* An error in the extended protocol: the protocol layer skips to Sync; the session marks the
 * implicit or explicit transaction failed. */
void sql_session_fail(sql_session *s);

/* ---- for functions that read session state (current_setting, current_user, currval) ---- */

const char *sql_session_user(const sql_session *s);
const char *sql_session_database(const sql_session *s);
uint32_t sql_session_user_oid(const sql_session *s);
/* session_user (current_user is sql_session_user: they differ after SET ROLE). */
const char *sql_session_session_user(const sql_session *s);
/* Whether the current role may see the value of setting `name`: PostgreSQL shows the paths
 * of the server's files (data_directory, config_file, hba_file, unix_socket_directories)
 * only to superusers and roles with the privileges of pg_read_all_settings. _check: 42501
 * with PostgreSQL's message otherwise (SHOW, current_setting). */
bool sql_session_setting_readable(const sql_session *s, const char *name);
bool sql_session_setting_check(const sql_session *s, const char *name, rt_err *err);
/* The current role is a superuser (no privilege checks). */
bool sql_session_is_superuser(const sql_session *s);
/* The privileges a planned statement needs (sql_query's acl_reqs), for the current role:
 * 42501 when one is missing; free for a superuser. */
struct sql_query;
bool sql_session_check_privs(const sql_session *s, const eng_catalog *cat,
                             const eng_database *db, const struct sql_query *q, rt_err *err);
uint32_t sql_session_db_oid(const sql_session *s);
/* Savepoints open in the running transaction (the subtransaction level locks belong to). */
uint32_t sql_session_savepoint_level(const sql_session *s);
/* The running transaction's ANALYZEs (sql_stats.h): its plans use their statistics (NULL
 * session: none). */
struct sql_stats_undo;
const struct sql_stats_undo *sql_session_stats_mine(const sql_session *s);
uint32_t sql_session_backend_pid(const sql_session *s);
/* The running transaction is READ ONLY (nextval and writes refuse with 25006). */
bool sql_session_read_only(const sql_session *s);
/* current_setting(name [, missing_ok]): *value NULL when missing_ok and unknown (42704
 * "unrecognized configuration parameter \"x\"" otherwise). */
bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                             const char **value, rt_err *err);
/* Counts the changes of the built-in settings' values: a caller that keeps one parsed (the
 * protocol's idle timeouts) reads it again only when the count has moved. */
uint64_t sql_session_setting_changes(const sql_session *s);
/* set_config(name, value, is_local) and SET; returns the new value as SHOW prints it. */
bool sql_session_set_setting(sql_session *s, const char *name, const char *value,
                             bool is_local, const char **shown, rt_err *err);
/* A fresh command id in the running transaction for a statement the executor runs inside
 * another (foreign-key checks and actions): it sees the writes of every earlier command. */
uint32_t sql_session_take_command(sql_session *s);
/* pg_prepared_statements and pg_cursors: the session's named prepared statements (SQL
 * PREPARE and the protocol's named Parse), its DECLAREd cursors and the protocol's portals.
 * An entry that is not shown (the unnamed statement, internal ones) gives false. Strings stay
 * valid until the statement or cursor is closed. */
typedef struct sql_prepared_info {
    const char *name, *statement;
    int64_t prepare_us;              /* PostgreSQL-epoch microseconds */
    const uint32_t *param_types;
    uint32_t nparams;
    bool from_sql;
    uint64_t generic_plans, custom_plans;
} sql_prepared_info;
typedef struct sql_cursor_info {
    const char *name, *statement;
    bool holdable, binary, scrollable;
    int64_t created_us;
} sql_cursor_info;
uint32_t sql_session_prepared_count(const sql_session *s);
bool sql_session_prepared_at(const sql_session *s, uint32_t i, sql_prepared_info *out);
uint32_t sql_session_cursor_count(const sql_session *s);
bool sql_session_cursor_at(const sql_session *s, uint32_t i, sql_cursor_info *out);

/* Sequences: nextval records the value for currval/lastval (55000 before any nextval). */
void sql_session_seq_used(sql_session *s, uint32_t seq_oid, int64_t value);
/* nextval, setval, currval and lastval hold ROW EXCLUSIVE on their sequence to the
 * transaction's end, as PostgreSQL's (pg_locks lists it); currval and lastval take it here. */
bool sql_session_seq_lock(sql_session *s, uint32_t seq_oid, rt_err *err);
bool sql_session_currval(sql_session *s, uint32_t seq_oid, const char *seq_name, int64_t *value,
                         rt_err *err);
bool sql_session_lastval(sql_session *s, int64_t *value, rt_err *err);

/* ---- the settings every session knows (pg_settings, SHOW ALL) ---- */

typedef struct sql_setting_def {
    const char *name;
    const char *boot_value;
    const char *unit;           /* "ms", "kB", or NULL */
    const char *category;
    const char *short_desc;
    const char *vartype;        /* bool, integer, real, string, enum */
    const char *context;        /* user, superuser, internal, postmaster, ... */
    bool reportable;            /* sent as ParameterStatus */
} sql_setting_def;

uint32_t sql_setting_count(void);
const sql_setting_def *sql_setting_at(uint32_t i);

/* The server's default of a setting (from dreambase.conf or the command line): what new
 * sessions start with, RESET returns to and SHOW reports until a session SETs its own. Any
 * context may be given (max_connections, ssl, ... are shown, not set, by sessions). Validates
 * the value as SET would: 42704 unknown name, 22023 bad value; *canon (may be NULL) gets the
 * canonical text (valid until the next call for that setting). Off the shards or between
 * sessions' starts: a new value applies to sessions opened after it; earlier values stay
 * allocated until sql_setting_defaults_free(). */
bool sql_setting_set_default(const char *name, const char *value, const char **canon,
                             rt_err *err);
/* Checks a value without storing it (configuration reload dry run). */
bool sql_setting_check(const char *name, const char *value, rt_err *err);
/* Forgets every server default (after the shards stopped). */
void sql_setting_defaults_free(void);

#endif
