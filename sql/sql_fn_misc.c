/* sql_fn_misc.c: PostgreSQL 15's session and system information functions:
 *   version(), current_user / session_user / current_database() / current_schema() (the
 *   binder turns CURRENT_USER, USER, CURRENT_ROLE, SESSION_USER, CURRENT_CATALOG and
 *   CURRENT_SCHEMA into these calls), current_setting, set_config, pg_backend_pid,
 *   inet_server_addr/port and inet_client_addr/port (from the backend table, net_pg.h; NULL
 *   over a Unix socket), host / masklen / family of an inet, pg_postmaster_start_time,
 *   pg_conf_load_time, txid_current / pg_current_xact_id, pg_sleep, pg_typeof,
 *   pg_is_in_recovery, pg_client_encoding, gen_random_uuid, the sequence functions nextval /
 *   currval / setval / lastval, pg_cancel_backend and pg_terminate_backend, and the advisory
 *   lock family (sql_advisory.h). current_schemas and the comment functions
 *   (obj_description, ...) are the catalog module's.
 * Session state is reached only through sql_session.h's accessors, from the statement's
 * execution context (sql_eval_ctx.exec->session). Those calls are weak references: a program
 * that links the function registry without the session module (the function tests, tools)
 * still links, and a session function called there fails with XX000 instead of crashing.
 * Core:    session functions run where the session lives (the coordinator): they are marked
 *          VOLATILE, which keeps the planner from shipping them to fragments on other shards
 *          (PostgreSQL calls them STABLE; a statement sees one value either way). With no
 *          session they fail with 0A000 rather than guess.
 * Errors:  PostgreSQL's: 42704 unknown setting, 22004 set_config(NULL, ...), 42P01 / 3F000 /
 *          42809 / 42601 / 42602 for sequence names, 55000 currval before nextval, 57014 when
 *          a pg_sleep is cancelled. */
#include <math.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng.h"
#include "engine/eng_vac.h"
#include "net/net_pg.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_time.h"
#include "sql/sql_acl.h"
#include "sql/sql_advisory.h"
#include "sql/sql_array.h"
#include "sql/sql_exec.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_inet.h"
#include "sql/sql_session.h"
#include "sql/sql_stats.h"

#define SQL_MISC_KERNEL(name)                                                                 \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

/* What version() reports. Clients parse "PostgreSQL <major>.<minor>" from it (SQLAlchemy,
 * psycopg's server_version fallback, pgAdmin), so it starts like PostgreSQL 15's. */
#if defined(__x86_64__)
#define SQL_MISC_TARGET "x86_64-pc-linux-gnu"
#elif defined(__aarch64__)
#define SQL_MISC_TARGET "aarch64-unknown-linux-gnu"
#else
#define SQL_MISC_TARGET "unknown-linux-gnu"
#endif
#if defined(__clang__)
#define SQL_MISC_COMPILER "clang"
#else
#define SQL_MISC_COMPILER "gcc"
#endif
#define SQL_MISC_VERSION_TEXT                                                                  \
    "PostgreSQL 15.0 (Dreambase 0.1.0) on " SQL_MISC_TARGET ", compiled by " SQL_MISC_COMPILER  \
    ", 64-bit"

/* pg_sleep wakes this often to notice a cancel request (PostgreSQL: at most 1 s, and at once
 * on an interrupt; 10 ms keeps a cancel prompt without busy waiting). */
#define SQL_MISC_SLEEP_SLICE_NS (10ull * RT_NS_PER_MS)
/* Dotted parts of a sequence name: catalog.schema.name at most (as regclass input). */
#define SQL_MISC_NAME_PARTS_MAX 3u

/* ---- the session, through weak references ---- */

#define SQL_MISC_WEAK(fn) extern __typeof__(fn) fn __attribute__((weak))
SQL_MISC_WEAK(sql_session_user);
SQL_MISC_WEAK(sql_session_session_user);
SQL_MISC_WEAK(sql_session_backend_pid);
SQL_MISC_WEAK(sql_session_get_setting);
SQL_MISC_WEAK(sql_session_setting_check);
SQL_MISC_WEAK(sql_session_set_setting);
SQL_MISC_WEAK(sql_session_seq_used);
SQL_MISC_WEAK(sql_session_seq_lock);
SQL_MISC_WEAK(sql_session_currval);
SQL_MISC_WEAK(sql_session_lastval);
SQL_MISC_WEAK(sql_session_read_only);
SQL_MISC_WEAK(sql_session_db_oid);
SQL_MISC_WEAK(sql_session_savepoint_level);
SQL_MISC_WEAK(sql_session_notify);
SQL_MISC_WEAK(sql_session_listen_channels);
SQL_MISC_WEAK(sql_session_is_superuser);
SQL_MISC_WEAK(sql_session_user_oid);
SQL_MISC_WEAK(sql_session_warning);
/* The network layer's backend table (net/net_pg.h). */
extern bool net_pg_cancel_backend(uint32_t pid) __attribute__((weak));
extern bool net_pg_backend_role(uint32_t pid, uint32_t *role_oid) __attribute__((weak));
extern bool net_pg_terminate_backend(uint32_t pid, uint64_t *generation) __attribute__((weak));
extern bool net_pg_backend_running(uint32_t pid, uint64_t generation) __attribute__((weak));
extern uint32_t net_pg_backend_slots(void) __attribute__((weak));
extern bool net_pg_activity_get(uint32_t slot, net_pg_activity *out) __attribute__((weak));
extern bool net_pg_activity_of(uint32_t pid, net_pg_activity *out) __attribute__((weak));
extern void net_pg_backend_wait(uint32_t pid, net_pg_wait wait, uint32_t holder_pid)
    __attribute__((weak));

static sql_exec_ctx *sql_misc_exec(const sql_fctx *f) {
    return f->ec != NULL ? f->ec->exec : NULL;
}

/* The statement's session, or NULL with the error set: 0A000 where there is no session (a
 * fragment on another shard, a tool), XX000 where the accessor the caller needs (`linked`:
 * its weak reference resolved) is missing from the program. */
static sql_session *sql_misc_session(sql_fctx *f, bool linked) {
    sql_exec_ctx *x = sql_misc_exec(f);
    const char *name = f->call->func.def->name;
    if (x == NULL || x->session == NULL) {
        rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "function %s() needs the session and cannot run here", name);
        return NULL;
    }
    if (!linked) {
        rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR,
                   "function %s(): session support is not linked into this program", name);
        return NULL;
    }
    return x->session;
}

/* The statement's database in its pinned catalog version. */
static const eng_database *sql_misc_db(sql_fctx *f) {
    sql_exec_ctx *x = sql_misc_exec(f);
    if (x != NULL && x->db != NULL) return x->db;
    rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "function %s() needs a database and "
               "cannot run here", f->call->func.def->name);
    return NULL;
}

/* ---- results ---- */

/* The same text (or name) in every active row; the bytes are shared. */
static bool sql_misc_text_rows(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec *out,
                               const char *s) {
    sql_bytes b;
    if (!sql_fn_bytes(f, s, (uint32_t)strlen(s), &b)) return false;
    SQL_FOR_ACTIVE(i) {
        out->nulls[i] = 0;
        out->b[i] = b;
    }
    return true;
}

static void sql_misc_i64_rows(uint32_t n, const uint8_t *active, sql_vec *out, int64_t v) {
    SQL_FOR_ACTIVE(i) {
        out->nulls[i] = 0;
        out->i64[i] = v;
    }
}

static void sql_misc_null_rows(uint32_t n, const uint8_t *active, sql_vec *out) {
    SQL_FOR_ACTIVE(i) out->nulls[i] = 1;
}

/* A NUL-terminated arena copy of a text argument. */
static const char *sql_misc_cstr(sql_fctx *f, const sql_bytes *b) {
    char *s = rt_arena_alloc(f->arena, b->len + 1u);
    if (s == NULL) {
        rt_arena_fail(f->arena, f->err);
        return NULL;
    }
    memcpy(s, b->ptr, b->len);
    s[b->len] = '\0';
    return s;
}

/* ---- version, users, database ---- */

SQL_MISC_KERNEL(sql_misc_version) {
    (void)args;
    return sql_misc_text_rows(f, n, active, out, SQL_MISC_VERSION_TEXT);
}

SQL_MISC_KERNEL(sql_misc_current_user) {
    (void)args;
    sql_session *s = sql_misc_session(f, sql_session_user != NULL);
    return s != NULL && sql_misc_text_rows(f, n, active, out, sql_session_user(s));
}

SQL_MISC_KERNEL(sql_misc_session_user) {
    (void)args;
    sql_session *s = sql_misc_session(f, sql_session_session_user != NULL);
    return s != NULL && sql_misc_text_rows(f, n, active, out, sql_session_session_user(s));
}

SQL_MISC_KERNEL(sql_misc_current_database) {
    (void)args;
    const eng_database *db = sql_misc_db(f);
    return db != NULL && sql_misc_text_rows(f, n, active, out, db->name);
}

SQL_MISC_KERNEL(sql_misc_backend_pid) {
    (void)args;
    sql_session *s = sql_misc_session(f, sql_session_backend_pid != NULL);
    if (s == NULL) return false;
    sql_misc_i64_rows(n, active, out, (int64_t)sql_session_backend_pid(s));
    return true;
}

/* pg_terminate_backend(pid, timeout) polls this often for the backend to be gone. */
#define SQL_MISC_TERMINATE_POLL_NS (10ull * RT_NS_PER_MS)

/* Whether the current user may signal `role`'s backend, as PostgreSQL 15 decides: superusers
 * any; others not a superuser's, and only their own roles' or with the privileges of
 * pg_signal_backend. `terminate` picks pg_terminate_backend's wording of the errors. */
static bool sql_misc_may_signal(sql_fctx *f, sql_session *s, uint32_t role, bool terminate) {
    if (sql_session_is_superuser(s)) return true;
    const eng_catalog *c = sql_misc_exec(f)->catalog;
    const eng_role *target = eng_catalog_role_by_oid(c, role);
    if (target != NULL && target->superuser) {
        return rt_err_set(f->err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          terminate ? "must be a superuser to terminate superuser process"
                                    : "must be a superuser to cancel superuser query");
    }
    uint32_t me = sql_session_user_oid(s);
    if (sql_acl_has_privs_of(c, me, role) ||
        sql_acl_has_privs_of(c, me, ENG_OID_PG_SIGNAL_BACKEND)) {
        return true;
    }
    return rt_err_set(f->err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                      "must be a member of the role whose %s or member of pg_signal_backend",
                      terminate ? "process is being terminated" : "query is being canceled");
}

/* The backend `pid` names, after the permission check; false (with PostgreSQL's WARNING)
 * when it is no backend. */
static bool sql_misc_signal_target(sql_fctx *f, sql_session *s, int64_t pid, bool terminate,
                                   bool *found) {
    uint32_t role = 0;
    *found = pid > 0 && pid <= INT32_MAX && net_pg_backend_role((uint32_t)pid, &role);
    if (!*found) {
        if (sql_session_warning != NULL) {
            sql_session_warning(s, "PID %lld is not a PostgreSQL backend process", (long long)pid);
        }
        return true;
    }
    return sql_misc_may_signal(f, s, role, terminate);
}

/* pg_cancel_backend(pid): cancels the query the backend runs (57014 there); false for a pid
 * that is no backend. */
SQL_MISC_KERNEL(sql_misc_cancel_backend) {
    sql_session *s = sql_misc_session(f, sql_session_is_superuser != NULL &&
                                             sql_session_user_oid != NULL &&
                                             net_pg_backend_role != NULL);
    if (s == NULL) return false;
    SQL_FOR_ACTIVE(i) {
        bool found = false;
        if (!sql_misc_signal_target(f, s, args[0]->i64[i], false, &found)) return false;
        out->nulls[i] = 0;
        out->i64[i] = found && net_pg_cancel_backend((uint32_t)args[0]->i64[i]);
    }
    return true;
}

/* Waits up to timeout_ms for the terminated backend to be gone: *gone false (with
 * PostgreSQL's WARNING) when it is still there; a cancel of the caller's statement ends the
 * wait with 57014. */
static bool sql_misc_terminate_wait(sql_fctx *f, sql_session *s, uint32_t pid,
                                    uint64_t generation, int64_t timeout_ms, bool *gone) {
    *gone = true;
    if (timeout_ms <= 0 || rt_fiber_self() == NULL) return true;
    const sql_exec_ctx *x = sql_misc_exec(f);
    uint64_t now_ns = rt_time_mono_ns();
    uint64_t end = (uint64_t)timeout_ms >= (UINT64_MAX - now_ns) / RT_NS_PER_MS
                       ? UINT64_MAX /* bigint milliseconds: "for ever" */
                       : now_ns + (uint64_t)timeout_ms * RT_NS_PER_MS;
    while (net_pg_backend_running(pid, generation)) {
        if (x->cancel != NULL && atomic_load(x->cancel)) {
            return rt_err_set(f->err, SQLSTATE_QUERY_CANCELED,
                              "canceling statement due to user request");
        }
        uint64_t now = rt_time_mono_ns();
        if (now >= end) {
            if (sql_session_warning != NULL) {
                sql_session_warning(s, "backend with PID %u did not terminate within %lld "
                                    "millisecond%s", pid, (long long)timeout_ms,
                                    timeout_ms == 1 ? "" : "s");
            }
            *gone = false;
            return true;
        }
        uint64_t left = end - now;
        rt_fiber_sleep_ns(left < SQL_MISC_TERMINATE_POLL_NS ? left : SQL_MISC_TERMINATE_POLL_NS);
    }
    return true;
}

/* pg_terminate_backend(pid [, timeout]): ends the backend's connection (FATAL 57P01 there,
 * its transaction rolled back); with a timeout in ms, waits for it to be gone. The caller's
 * own backend ends with that FATAL once the other rows of the batch are done, as a SIGTERM to
 * itself ends a PostgreSQL backend at its next interrupt check. */
SQL_MISC_KERNEL(sql_misc_terminate_backend) {
    sql_session *s = sql_misc_session(f, sql_session_is_superuser != NULL &&
                                             sql_session_user_oid != NULL &&
                                             net_pg_backend_role != NULL &&
                                             net_pg_terminate_backend != NULL &&
                                             sql_session_backend_pid != NULL);
    if (s == NULL) return false;
    bool self = false;
    SQL_FOR_ACTIVE(i) {
        int64_t timeout_ms = f->call->nargs > 1 ? args[1]->i64[i] : 0;
        if (timeout_ms < 0) {
            return rt_err_set(f->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                              "\"timeout\" must not be negative");
        }
        int64_t pid = args[0]->i64[i];
        bool found = false;
        if (!sql_misc_signal_target(f, s, pid, true, &found)) return false;
        uint64_t generation = 0;
        found = found && net_pg_terminate_backend((uint32_t)pid, &generation);
        bool gone = found;
        if (found && (uint32_t)pid == sql_session_backend_pid(s)) {
            self = true;
        } else if (found &&
                   !sql_misc_terminate_wait(f, s, (uint32_t)pid, generation, timeout_ms, &gone)) {
            return false;
        }
        out->nulls[i] = 0;
        out->i64[i] = gone;
    }
    if (!self) return true;
    rt_err_set(f->err, SQLSTATE_ADMIN_SHUTDOWN,
               "terminating connection due to administrator command");
    f->err->severity = RT_SEV_FATAL;
    return false;
}

SQL_MISC_KERNEL(sql_misc_client_encoding) {
    (void)args;
    return sql_misc_text_rows(f, n, active, out, "UTF8");
}

/* ---- inet_client_addr / inet_client_port / inet_server_addr / inet_server_port ---- */

/* This backend's row of the backend table into *out, NULL where there is none (no session,
 * no server: a tool, a unit test); the addresses are then NULL as over a Unix socket. */
static bool sql_misc_own_activity(sql_fctx *f, net_pg_activity **out) {
    *out = NULL;
    sql_exec_ctx *x = sql_misc_exec(f);
    if (x == NULL || x->session == NULL || sql_session_backend_pid == NULL ||
        net_pg_backend_slots == NULL || net_pg_activity_get == NULL) {
        return true;
    }
    uint32_t pid = sql_session_backend_pid(x->session);
    if (pid < NET_PG_PID_BASE || pid - NET_PG_PID_BASE >= net_pg_backend_slots()) return true;
    net_pg_activity *a = rt_arena_alloc(f->arena, sizeof *a);
    if (a == NULL) return rt_arena_fail(f->arena, f->err);
    if (net_pg_activity_get(pid - NET_PG_PID_BASE, a)) *out = a;
    return true;
}

/* One end's address (`server`: ours) or port of the connection; NULL over a Unix socket. */
static bool sql_misc_conn_end(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec *out,
                              bool server, bool port) {
    net_pg_activity *a;
    if (!sql_misc_own_activity(f, &a)) return false;
    const char *text = a == NULL ? "" : server ? a->server_addr : a->client_addr;
    sql_bytes b;
    if (!sql_inet_parse_copy(f->arena, text, &b, f->err)) return false;
    if (b.ptr == NULL) {
        sql_misc_null_rows(n, active, out);
        return true;
    }
    if (port) {
        sql_misc_i64_rows(n, active, out, server ? a->server_port : a->client_port);
        return true;
    }
    SQL_FOR_ACTIVE(i) {
        out->nulls[i] = 0;
        out->b[i] = b;
    }
    return true;
}

SQL_MISC_KERNEL(sql_misc_client_addr) {
    (void)args;
    return sql_misc_conn_end(f, n, active, out, false, false);
}

SQL_MISC_KERNEL(sql_misc_client_port) {
    (void)args;
    return sql_misc_conn_end(f, n, active, out, false, true);
}

SQL_MISC_KERNEL(sql_misc_server_addr) {
    (void)args;
    return sql_misc_conn_end(f, n, active, out, true, false);
}

SQL_MISC_KERNEL(sql_misc_server_port) {
    (void)args;
    return sql_misc_conn_end(f, n, active, out, true, true);
}

SQL_MISC_KERNEL(sql_misc_false) {
    (void)f;
    (void)args;
    sql_misc_i64_rows(n, active, out, 0);
    return true;
}

/* Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for timestamps (sql_datetime.h
 * says the same, but cannot be included next to sql_types.h). */
#define SQL_MISC_EPOCH_UNIX_S INT64_C(946684800)

/* When the function registry was set up: the server's start, in PostgreSQL's epoch. */
static int64_t sql_misc_start_us;

SQL_MISC_KERNEL(sql_misc_start_time) {
    (void)f;
    (void)args;
    sql_misc_i64_rows(n, active, out, sql_misc_start_us);
    return true;
}

/* The running transaction's durable number: unique across restarts, increasing. */
SQL_MISC_KERNEL(sql_misc_txid) {
    (void)args;
    sql_exec_ctx *x = sql_misc_exec(f);
    if (x == NULL || x->txn == NULL) {
        return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "function %s() needs the transaction and cannot run here",
                          f->call->func.def->name);
    }
    sql_misc_i64_rows(n, active, out, (int64_t)x->txn->gid);
    return true;
}

/* pg_typeof("any"): the argument's type, NULL or not (not strict). */
SQL_MISC_KERNEL(sql_misc_typeof) {
    (void)f;
    sql_misc_i64_rows(n, active, out, (int64_t)args[0]->type_oid);
    return true;
}

/* ---- search_path ---- */

/* Distinct schemas that exist: at most the database's schema count, so no other bound. */
typedef struct sql_misc_path {
    const char **names;
    uint32_t count;
} sql_misc_path;

/* Reads one element of a search_path value at *p: a quoted identifier ("" escapes a quote)
 * or an unquoted one, folded to lower case. Returns NULL at the end of the list. */
static const char *sql_misc_path_next(sql_fctx *f, const char **p) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == ',') s++;
    if (*s == '\0') return NULL;
    char *out = rt_arena_alloc(f->arena, strlen(s) + 1);
    if (out == NULL) {
        rt_arena_fail(f->arena, f->err);
        return NULL;
    }
    size_t k = 0;
    if (*s == '"') {
        for (s++; *s != '\0'; s++) {
            if (*s == '"' && s[1] == '"') s++;
            else if (*s == '"') break;
            out[k++] = *s;
        }
        if (*s == '"') s++;
    } else {
        for (; *s != '\0' && *s != ',' && *s != ' ' && *s != '\t'; s++) {
            out[k++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
        }
    }
    out[k] = '\0';
    while (*s != '\0' && *s != ',') s++;
    *p = s;
    return out;
}

/* The schemas of the session's search_path that exist, in order ("$user" is the user's own
 * schema when there is one). */
static bool sql_misc_search_path(sql_fctx *f, const eng_database *db, sql_misc_path *path) {
    path->count = 0;
    path->names = rt_arena_alloc(f->arena, (db->schema_count + 1u) * sizeof(const char *));
    if (path->names == NULL) return rt_arena_fail(f->arena, f->err);
    sql_session *s = sql_misc_session(f, sql_session_get_setting != NULL &&
                                             sql_session_user != NULL);
    const char *value = NULL;
    if (s == NULL || !sql_session_get_setting(s, "search_path", false, &value, f->err)) {
        return false;
    }
    const char *p = value != NULL ? value : "";
    const char *name;
    while ((name = sql_misc_path_next(f, &p)) != NULL) {
        if (strcmp(name, "$user") == 0) name = sql_session_user(s);
        if (eng_db_schema_by_name(db, name) == NULL) continue;
        bool dup = false;
        for (uint32_t k = 0; k < path->count; k++) dup = dup || strcmp(path->names[k], name) == 0;
        if (!dup) path->names[path->count++] = name;
    }
    return !rt_err_is_set(f->err);
}

SQL_MISC_KERNEL(sql_misc_current_schema) {
    (void)args;
    const eng_database *db = sql_misc_db(f);
    sql_misc_path path;
    if (db == NULL || !sql_misc_search_path(f, db, &path)) return false;
    if (path.count == 0) {
        sql_misc_null_rows(n, active, out);
        return true;
    }
    return sql_misc_text_rows(f, n, active, out, path.names[0]);
}

/* ---- settings ---- */

/* current_setting(name [, missing_ok]). */
SQL_MISC_KERNEL(sql_misc_current_setting) {
    sql_session *s = sql_misc_session(f, sql_session_get_setting != NULL);
    if (s == NULL) return false;
    SQL_FOR_ACTIVE(i) {
        const char *name = sql_misc_cstr(f, &args[0]->b[i]);
        bool missing_ok = f->call->nargs > 1 && args[1]->i64[i] != 0;
        const char *value = NULL;
        if (name == NULL || (sql_session_setting_check != NULL &&
                             !sql_session_setting_check(s, name, f->err)) ||
            !sql_session_get_setting(s, name, missing_ok, &value, f->err)) {
            return false;
        }
        if (value == NULL) {
            out->nulls[i] = 1;
        } else if (!sql_fn_text(f, out, i, value, (uint32_t)strlen(value))) {
            return false;
        }
    }
    return true;
}

/* set_config(name, value, is_local): not strict; a NULL value resets the setting (passed on
 * as value NULL), a NULL is_local means false, as in PostgreSQL. */
SQL_MISC_KERNEL(sql_misc_set_config) {
    sql_session *s = sql_misc_session(f, sql_session_set_setting != NULL);
    if (s == NULL) return false;
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            return rt_err_set(f->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                              "SET requires parameter name");
        }
        const char *name = sql_misc_cstr(f, &args[0]->b[i]);
        const char *value = NULL, *shown = NULL;
        if (!sql_vec_is_null(args[1], i)) value = sql_misc_cstr(f, &args[1]->b[i]);
        if (name == NULL || (value == NULL && !sql_vec_is_null(args[1], i))) return false;
        bool is_local = !sql_vec_is_null(args[2], i) && args[2]->i64[i] != 0;
        if (!sql_session_set_setting(s, name, value, is_local, &shown, f->err)) return false;
        if (shown == NULL) {
            out->nulls[i] = 1;
        } else if (!sql_fn_text(f, out, i, shown, (uint32_t)strlen(shown))) {
            return false;
        }
    }
    return true;
}

/* ---- pg_sleep ---- */

static bool sql_misc_canceled(const sql_exec_ctx *x) {
    return x != NULL && x->cancel != NULL && atomic_load(x->cancel);
}

/* The slices of sql_misc_sleep. */
static bool sql_misc_sleep_for(const sql_exec_ctx *x, double secs, rt_err *err) {
    double ns = secs * (double)RT_NS_PER_S;
    uint64_t now = rt_time_mono_ns();
    uint64_t end = ns >= (double)(UINT64_MAX - now) ? UINT64_MAX : now + (uint64_t)ns;
    while (now < end) {
        if (sql_misc_canceled(x)) {
            return rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                              "canceling statement due to user request");
        }
        uint64_t left = end - now;
        rt_fiber_sleep_ns(left < SQL_MISC_SLEEP_SLICE_NS ? left : SQL_MISC_SLEEP_SLICE_NS);
        now = rt_time_mono_ns();
    }
    if (sql_misc_canceled(x)) {
        return rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                          "canceling statement due to user request");
    }
    return true;
}

/* Parks the fiber in slices until `secs` have passed, giving up at a cancel request; never
 * blocks the shard. */
static bool sql_misc_sleep(sql_fctx *f, double secs) {
    if (!(secs > 0)) return true; /* zero, negative and NaN return at once, as in PostgreSQL */
    sql_exec_ctx *x = sql_misc_exec(f);
    if (rt_fiber_self() == NULL) {
        return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "pg_sleep() can only run inside a session");
    }
    uint32_t pid = x != NULL && x->session != NULL && sql_session_backend_pid != NULL
                       ? sql_session_backend_pid(x->session)
                       : 0;
    if (pid != 0 && net_pg_backend_wait != NULL) {
        net_pg_backend_wait(pid, NET_PG_WAIT_PG_SLEEP, 0);
    }
    bool ok = sql_misc_sleep_for(x, secs, f->err);
    if (pid != 0 && net_pg_backend_wait != NULL) net_pg_backend_wait(pid, NET_PG_WAIT_NONE, 0);
    return ok;
}

SQL_MISC_KERNEL(sql_misc_pg_sleep) {
    SQL_FOR_ACTIVE(i) {
        if (!sql_misc_sleep(f, args[0]->f64[i])) return false;
        out->nulls[i] = 0; /* void: a value with no bytes */
        out->b[i] = (sql_bytes){0};
    }
    return true;
}

/* pg_stat_reset(): zeroes the activity figures of the current database's tables (scans,
 * VACUUM and ANALYZE counts and times), superusers only as PostgreSQL 15's default grant. The
 * row counts stay: they are the engine's counts of the rows, which autovacuum works from. */
SQL_MISC_KERNEL(sql_misc_pg_stat_reset) {
    sql_session *s = sql_misc_session(f, sql_session_is_superuser != NULL);
    if (s == NULL) return false;
    if (!sql_session_is_superuser(s)) {
        return rt_err_set(f->err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "permission denied for function pg_stat_reset");
    }
    const eng_database *db = sql_misc_exec(f)->db;
    for (uint32_t t = 0; t < db->table_count; t++) {
        sql_stats_activity_reset(db->tables[t].oid);
        eng_vac_stats_reset(db->tables[t].storage_id);
    }
    SQL_FOR_ACTIVE(i) {
        out->nulls[i] = 0; /* void: a value with no bytes */
        out->b[i] = (sql_bytes){0};
    }
    return true;
}

/* ---- gen_random_uuid ---- */

/* Version 4 UUIDs from OpenSSL's CSPRNG, one call for the whole batch. */
SQL_MISC_KERNEL(sql_misc_random_uuid) {
    (void)args;
    uint8_t *bytes = rt_arena_alloc(f->arena, (size_t)n * 16u + 1u);
    if (bytes == NULL) return rt_arena_fail(f->arena, f->err);
    if (n > 0 && RAND_bytes(bytes, (int)(n * 16u)) != 1) {
        return rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR, "could not generate random values");
    }
    SQL_FOR_ACTIVE(i) {
        uint8_t *u = bytes + 16u * i;
        u[6] = (uint8_t)((u[6] & 0x0f) | 0x40); /* version 4 */
        u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
        out->nulls[i] = 0;
        out->b[i] = (sql_bytes){.ptr = u, .len = 16};
    }
    return true;
}

/* ---- sequences ---- */

/* Splits a relation name as regclass input does: dotted parts, each quoted ("" escapes a
 * quote, case kept) or unquoted (folded to lower case, no spaces inside). */
static bool sql_misc_split_name(sql_fctx *f, const char *text, const char **parts,
                                uint32_t *count) {
    size_t len = strlen(text);
    char *buf = rt_arena_alloc(f->arena, len + 1);
    if (buf == NULL) return rt_arena_fail(f->arena, f->err);
    const char *s = text;
    *count = 0;
    for (;;) {
        while (*s == ' ') s++;
        char *part = buf;
        if (*s == '"') {
            for (s++;;) {
                if (*s == '\0') goto bad;
                if (*s == '"' && s[1] != '"') break;
                if (*s == '"') s++; /* "" is one quote */
                *buf++ = *s++;
            }
            s++;
            if (buf == part) goto bad;
        } else {
            for (; *s != '\0' && *s != '.' && *s != ' '; s++) {
                *buf++ = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
            }
            if (buf == part) goto bad;
        }
        *buf++ = '\0';
        if (*count == SQL_MISC_NAME_PARTS_MAX) {
            return rt_err_set(f->err, SQLSTATE_SYNTAX_ERROR,
                              "improper relation name (too many dotted names): %s", text);
        }
        parts[(*count)++] = part;
        while (*s == ' ') s++;
        if (*s == '\0') return true;
        if (*s != '.') goto bad;
        s++;
    }
bad:
    return rt_err_set(f->err, SQLSTATE_INVALID_NAME, "invalid name syntax");
}

static const eng_sequence *sql_misc_not_sequence(sql_fctx *f, const char *name) {
    rt_err_set(f->err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a sequence", name);
    return NULL;
}

/* The sequence `name` in schema `schema_oid`; *other: a table or view has that name. */
static const eng_sequence *sql_misc_seq_in(const eng_database *db, uint32_t schema_oid,
                                           const char *name, bool *other) {
    const eng_sequence *seq = eng_db_sequence_by_name(db, schema_oid, name);
    if (seq == NULL) *other = *other || eng_db_table_by_name(db, schema_oid, name) != NULL;
    return seq;
}

/* A sequence named by text, resolved like regclass input: qualified names directly, others
 * through pg_catalog and then the search path. */
static const eng_sequence *sql_misc_seq_by_name(sql_fctx *f, const eng_database *db,
                                                const sql_bytes *text) {
    const char *full = sql_misc_cstr(f, text);
    const char *parts[SQL_MISC_NAME_PARTS_MAX];
    uint32_t count = 0;
    if (full == NULL || !sql_misc_split_name(f, full, parts, &count)) return NULL;
    RT_ASSERT(count >= 1 && count <= SQL_MISC_NAME_PARTS_MAX);
    const char *name = parts[count - 1];
    bool other = false;
    if (count == 3 && strcmp(parts[0], db->name) != 0) {
        rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "cross-database references are not implemented: %s", full);
        return NULL;
    }
    if (count > 1) {
        const char *schema = parts[count - 2];
        const eng_schema *sc = eng_db_schema_by_name(db, schema);
        if (sc == NULL) {
            rt_err_set(f->err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                       schema);
            return NULL;
        }
        const eng_sequence *seq = sql_misc_seq_in(db, sc->oid, name, &other);
        if (seq != NULL) return seq;
        if (other) return sql_misc_not_sequence(f, name);
        rt_err_set(f->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s.%s\" does not exist", schema,
                   name);
        return NULL;
    }
    sql_misc_path path;
    if (!sql_misc_search_path(f, db, &path)) return NULL;
    const eng_sequence *seq = sql_misc_seq_in(db, ENG_OID_PG_CATALOG, name, &other);
    for (uint32_t k = 0; seq == NULL && !other && k < path.count; k++) {
        const eng_schema *sc = eng_db_schema_by_name(db, path.names[k]);
        if (sc != NULL) seq = sql_misc_seq_in(db, sc->oid, name, &other);
    }
    if (seq != NULL) return seq;
    if (other) return sql_misc_not_sequence(f, name);
    rt_err_set(f->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
    return NULL;
}

/* A sequence named by regclass (its OID). */
static const eng_sequence *sql_misc_seq_by_oid(sql_fctx *f, const eng_database *db,
                                               uint32_t oid) {
    const eng_sequence *seq = eng_db_sequence_by_oid(db, oid);
    if (seq != NULL) return seq;
    const eng_table *t = eng_db_table_by_oid(db, oid);
    const eng_index *ix = NULL;
    if (t == NULL) t = eng_db_table_of_index(db, oid, &ix);
    if (t != NULL) return sql_misc_not_sequence(f, ix != NULL ? ix->name : t->name);
    rt_err_set(f->err, SQLSTATE_INTERNAL_ERROR, "could not open relation with OID %u", oid);
    return NULL;
}

/* The sequence argument of row i (regclass or text). */
static const eng_sequence *sql_misc_seq_arg(sql_fctx *f, const eng_database *db,
                                            const sql_vec *arg, uint32_t i) {
    if (arg->phys == SQL_PHYS_I64) {
        return sql_misc_seq_by_oid(f, db, (uint32_t)arg->i64[i]);
    }
    return sql_misc_seq_by_name(f, db, &arg->b[i]);
}

/* A session's nextval and setval hold ROW EXCLUSIVE on the sequence (sql_session.h). */
static bool sql_misc_seq_lock(sql_exec_ctx *x, const eng_sequence *seq, rt_err *err) {
    return x->session == NULL || sql_session_seq_lock == NULL ||
           sql_session_seq_lock(x->session, seq->oid, err);
}

/* nextval: the engine hands out the value (not transactional); the session remembers it
 * for currval and lastval when there is one. */
SQL_MISC_KERNEL(sql_misc_nextval) {
    const eng_database *db = sql_misc_db(f);
    if (db == NULL) return false;
    sql_exec_ctx *x = sql_misc_exec(f);
    bool remember = x->session != NULL && sql_session_seq_used != NULL;
    if (x->session != NULL && sql_session_read_only != NULL && sql_session_read_only(x->session)) {
        return rt_err_set(f->err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                          "cannot execute nextval() in a read-only transaction");
    }
    SQL_FOR_ACTIVE(i) {
        const eng_sequence *seq = sql_misc_seq_arg(f, db, args[0], i);
        if (seq == NULL || !sql_misc_seq_lock(x, seq, f->err) ||
            !eng_seq_next(db->oid, seq, &out->i64[i], f->err)) {
            return false;
        }
        if (remember) sql_session_seq_used(x->session, seq->oid, out->i64[i]);
    }
    return true;
}

SQL_MISC_KERNEL(sql_misc_currval) {
    const eng_database *db = sql_misc_db(f);
    sql_session *s = db != NULL ? sql_misc_session(f, sql_session_currval != NULL) : NULL;
    if (s == NULL) return false;
    SQL_FOR_ACTIVE(i) {
        const eng_sequence *seq = sql_misc_seq_arg(f, db, args[0], i);
        if (seq == NULL || !sql_session_currval(s, seq->oid, seq->name, &out->i64[i], f->err)) {
            return false;
        }
    }
    return true;
}

SQL_MISC_KERNEL(sql_misc_lastval) {
    (void)args;
    sql_session *s = sql_misc_session(f, sql_session_lastval != NULL);
    int64_t v;
    if (s == NULL || !sql_session_lastval(s, &v, f->err)) return false;
    sql_misc_i64_rows(n, active, out, v);
    return true;
}

/* setval(seq, value [, is_called]): returns value; with is_called (the default) the value
 * also becomes the session's currval, as in PostgreSQL. */
SQL_MISC_KERNEL(sql_misc_setval) {
    const eng_database *db = sql_misc_db(f);
    if (db == NULL) return false;
    sql_exec_ctx *x = sql_misc_exec(f);
    bool remember = x->session != NULL && sql_session_seq_used != NULL;
    if (x->session != NULL && sql_session_read_only != NULL && sql_session_read_only(x->session)) {
        return rt_err_set(f->err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                          "cannot execute nextval() in a read-only transaction");
    }
    SQL_FOR_ACTIVE(i) {
        const eng_sequence *seq = sql_misc_seq_arg(f, db, args[0], i);
        int64_t value = args[1]->i64[i];
        bool is_called = f->call->nargs < 3 || args[2]->i64[i] != 0;
        if (seq == NULL || !sql_misc_seq_lock(x, seq, f->err) ||
            !eng_seq_set(db->oid, seq, value, is_called, f->err)) {
            return false;
        }
        if (remember && is_called) sql_session_seq_used(x->session, seq->oid, value);
        out->i64[i] = value;
    }
    return true;
}

/* ---- a sequence read as a relation: SELECT last_value, is_called FROM seq ---- */

/* The columns of the one row (sql_bind_select.c binds them over the sequence's OID). log_cnt
 * (values WAL-logged ahead) depends on PostgreSQL's WAL and checkpoints; Dreambase keeps no
 * such count, so reading it is 0A000 rather than a made-up number. */
SQL_MISC_KERNEL(sql_misc_seq_row) {
    const eng_database *db = sql_misc_db(f);
    if (db == NULL) return false;
    const char *col = f->call->func.def->name;
    SQL_FOR_ACTIVE(i) {
        const eng_sequence *seq = sql_misc_seq_by_oid(f, db, (uint32_t)args[0]->i64[i]);
        int64_t last;
        bool called;
        if (seq == NULL || !eng_seq_peek(db->oid, seq, &last, &called)) return false;
        if (strcmp(col, "log_cnt") == 0) {
            return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "reading log_cnt of a sequence is not supported");
        }
        out->i64[i] = strcmp(col, "is_called") == 0 ? called : last;
    }
    return true;
}

#define SQL_MISC_SEQ_COL(nm, r)                                                               \
    {.name = nm, .nargs = 1, .args = {SQL_T_OID}, .ret = r,                                   \
     .flags = SQL_F_STRICT | SQL_F_VOLATILE, .fn = sql_misc_seq_row}
const sql_func_def sql_seq_row_defs[SQL_SEQ_ROW_COLS] = {
    SQL_MISC_SEQ_COL("last_value", SQL_T_INT8), SQL_MISC_SEQ_COL("log_cnt", SQL_T_INT8),
    SQL_MISC_SEQ_COL("is_called", SQL_T_BOOL),
};

/* ---- advisory locks (sql_advisory.h): the session is the owner ---- */

SQL_MISC_KERNEL(sql_misc_advisory) {
    sql_session *sess = sql_misc_session(f, sql_session_db_oid != NULL);
    if (sess == NULL) return false;
    sql_exec_ctx *x = sql_misc_exec(f);
    const char *name = f->call->func.def->name;
    bool shared = strstr(name, "_shared") != NULL, xact = strstr(name, "_xact_") != NULL;
    bool try_only = strncmp(name, "pg_try_", 7) == 0, unlock = strstr(name, "unlock") != NULL;
    SQL_FOR_ACTIVE(i) {
        sql_advisory_key k = {.db_oid = sql_session_db_oid(sess), .space = 1,
                              .key = args[0]->i64[i]};
        if (f->call->nargs == 2) {
            k.space = 2;
            k.key = (int64_t)((uint64_t)(uint32_t)args[0]->i64[i] << 32 |
                              (uint32_t)args[1]->i64[i]);
        }
        out->nulls[i] = 0;
        if (unlock) {
            out->i64[i] = sql_advisory_unlock(sess, &k, shared);
            continue;
        }
        bool got = false;
        uint32_t level = xact && sql_session_savepoint_level != NULL
                             ? sql_session_savepoint_level(sess)
                             : 0;
        if (!sql_advisory_lock(sess, &k, shared, xact, level, !try_only, x->cancel,
                               x->lock_timeout_ms, &got, f->err)) {
            return false;
        }
        if (try_only) out->i64[i] = got;
        else out->b[i] = (sql_bytes){0}; /* void */
    }
    return true;
}

SQL_MISC_KERNEL(sql_misc_advisory_unlock_all) {
    (void)args;
    sql_session *sess = sql_misc_session(f, sql_session_db_oid != NULL);
    if (sess == NULL) return false;
    sql_advisory_release(sess, false, true);
    SQL_FOR_ACTIVE(i) out->nulls[i] = 0, out->b[i] = (sql_bytes){0}; /* void */
    return true;
}

/* pg_notify(channel, payload): NOTIFY with values from expressions. */
SQL_MISC_KERNEL(sql_misc_pg_notify) {
    sql_session *sess = sql_misc_session(f, sql_session_notify != NULL);
    if (sess == NULL) return false;
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "channel name cannot be empty");
        }
        char channel[ENG_NAME_BYTES];
        const sql_bytes *c = &args[0]->b[i];
        snprintf(channel, sizeof channel, "%.*s", (int)c->len, (const char *)c->ptr);
        char *payload = NULL;
        if (!sql_vec_is_null(args[1], i)) {
            const sql_bytes *p = &args[1]->b[i];
            payload = rt_arena_alloc(f->arena, (size_t)p->len + 1);
            if (payload == NULL) return rt_arena_fail(f->arena, f->err);
            memcpy(payload, p->ptr, p->len);
            payload[p->len] = '\0';
        }
        if (!sql_session_notify(sess, channel, payload, f->err)) return false;
        out->nulls[i] = 0; /* void: a value that prints as nothing */
        out->b[i] = (sql_bytes){0};
    }
    return true;
}

/* pg_listening_channels(): one row per channel the session listens to. */
static bool sql_misc_listening_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                                   struct sql_rowset *out) {
    (void)args;
    (void)nargs;
    if (x->session == NULL || sql_session_listen_channels == NULL) {
        return rt_err_set(x->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "function pg_listening_channels() needs the session and cannot run "
                          "here");
    }
    const char **names;
    uint32_t count;
    if (!sql_session_listen_channels(x->session, x->arena, &names, &count)) {
        return rt_arena_fail(x->arena, x->err);
    }
    for (uint32_t i = 0; i < count; i++) {
        sql_value v = {.type_oid = SQL_T_TEXT,
                       .b = {.ptr = (const uint8_t *)names[i], .len = (uint32_t)strlen(names[i])}};
        if (!sql_rowset_add_values(out, &v)) return rt_arena_fail(x->arena, x->err);
    }
    return true;
}

/* ---- registration ---- */

#define T SQL_T_TEXT
#define NM SQL_T_NAME
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define B SQL_T_BOOL
#define RC SQL_T_REGCLASS
#define ST SQL_F_STRICT
#define VO SQL_F_VOLATILE
#define SB SQL_F_STABLE
/* Reads the session or the transaction, which only the coordinator has (see the header). */
#define SV (SQL_F_STABLE | SQL_F_VOLATILE)
#define FN0(nm, r, fl, k) {.name = nm, .nargs = 0, .ret = r, .flags = (fl) | ST, .fn = k}
#define FN(nm, r, fl, k, ...)                                                                  \
    {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4, .args = {__VA_ARGS__},        \
     .ret = r, .flags = fl, .fn = k}
#define ADVISORY(nm, r)                                                                        \
    FN(nm, r, ST | VO, sql_misc_advisory, I8), FN(nm, r, ST | VO, sql_misc_advisory, I4, I4)

static const sql_func_def sql_misc_defs[] = {
    FN0("version", T, SB, sql_misc_version),
    FN0("current_user", NM, SV, sql_misc_current_user),
    FN0("session_user", NM, SV, sql_misc_session_user),
    FN0("current_database", NM, SB, sql_misc_current_database),
    FN0("current_schema", NM, SV, sql_misc_current_schema),
    FN("current_setting", T, ST | SV, sql_misc_current_setting, T),
    FN("current_setting", T, ST | SV, sql_misc_current_setting, T, B),
    FN("set_config", T, VO, sql_misc_set_config, T, T, B),
    FN0("pg_backend_pid", I4, SV, sql_misc_backend_pid),
    FN0("pg_client_encoding", NM, SB, sql_misc_client_encoding),
    FN("pg_cancel_backend", B, VO, sql_misc_cancel_backend, I4),
    FN("pg_terminate_backend", B, VO, sql_misc_terminate_backend, I4),
    FN("pg_terminate_backend", B, VO, sql_misc_terminate_backend, I4, I8),
    FN0("inet_server_addr", SQL_T_INET, SV, sql_misc_server_addr),
    FN0("inet_server_port", I4, SV, sql_misc_server_port),
    FN0("inet_client_addr", SQL_T_INET, SV, sql_misc_client_addr),
    FN0("inet_client_port", I4, SV, sql_misc_client_port),
    FN0("pg_postmaster_start_time", SQL_T_TIMESTAMPTZ, SB, sql_misc_start_time),
    FN0("pg_conf_load_time", SQL_T_TIMESTAMPTZ, SB, sql_misc_start_time),
    FN0("pg_is_in_recovery", B, SB, sql_misc_false),
    FN0("txid_current", I8, SV, sql_misc_txid),
    FN0("pg_current_xact_id", I8, SV, sql_misc_txid),
    FN("pg_sleep", SQL_T_VOID, ST | VO, sql_misc_pg_sleep, SQL_T_FLOAT8),
    FN0("pg_stat_reset", SQL_T_VOID, VO, sql_misc_pg_stat_reset),
    FN("pg_typeof", SQL_T_REGTYPE, SB, sql_misc_typeof, SQL_T_ANY),
    FN0("gen_random_uuid", SQL_T_UUID, VO, sql_misc_random_uuid),
    FN("nextval", I8, ST | VO, sql_misc_nextval, RC),
    FN("nextval", I8, ST | VO, sql_misc_nextval, T),
    FN("currval", I8, ST | VO, sql_misc_currval, RC),
    FN("currval", I8, ST | VO, sql_misc_currval, T),
    FN0("lastval", I8, VO, sql_misc_lastval),
    FN("setval", I8, ST | VO, sql_misc_setval, RC, I8),
    FN("setval", I8, ST | VO, sql_misc_setval, T, I8),
    FN("setval", I8, ST | VO, sql_misc_setval, RC, I8, B),
    FN("setval", I8, ST | VO, sql_misc_setval, T, I8, B),
    ADVISORY("pg_advisory_lock", SQL_T_VOID),
    ADVISORY("pg_advisory_lock_shared", SQL_T_VOID),
    ADVISORY("pg_advisory_xact_lock", SQL_T_VOID),
    ADVISORY("pg_advisory_xact_lock_shared", SQL_T_VOID),
    ADVISORY("pg_try_advisory_lock", B),
    ADVISORY("pg_try_advisory_lock_shared", B),
    ADVISORY("pg_try_advisory_xact_lock", B),
    ADVISORY("pg_try_advisory_xact_lock_shared", B),
    ADVISORY("pg_advisory_unlock", B),
    ADVISORY("pg_advisory_unlock_shared", B),
    FN0("pg_advisory_unlock_all", SQL_T_VOID, VO, sql_misc_advisory_unlock_all),
    FN("pg_notify", SQL_T_VOID, VO, sql_misc_pg_notify, T, T),
    {.name = "pg_listening_channels", .nargs = 0, .ret = T, .flags = ST | SV | SQL_F_SRF,
     .fn = sql_func_srf_scalar, .srf = sql_misc_listening_srf},
};

void sql_funcs_register_misc(void) {
    sql_misc_start_us = rt_time_wall_us() - SQL_MISC_EPOCH_UNIX_S * 1000000;
    sql_funcs_register(sql_misc_defs, sizeof sql_misc_defs / sizeof sql_misc_defs[0]);
}
