/* sql_fn_activity.c: the monitoring functions over the backend table (net/net_pg.h) that
 * lock-wait scripts, psql and pgAdmin call: pg_blocking_pids(pid), pg_stat_get_activity(pid)
 * (the set-returning function PostgreSQL builds pg_stat_activity on; here it reads the view's
 * rows), and the backend-id family pg_stat_get_backend_idset() / _pid(beid) / _activity(beid),
 * with PostgreSQL 15's result types. Backend ids number pg_stat_activity's rows 1..n in its
 * order, background workers included, as PostgreSQL numbers its local copy of the backend
 * status array; another session's query text needs the privileges of its user or
 * pg_read_all_stats, as in pg_stat_activity ('<insufficient privilege>' otherwise), a
 * worker's superuser or pg_read_all_stats. Where no server is linked (tools, unit tests) the
 * view has the caller's own row only, and pg_blocking_pids answers '{}'. */
#include <string.h>

#include "net/net_pg.h"
#include "sql/sql_acl.h"
#include "sql/sql_advisory.h"
#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_session.h"
#include "sql/sql_tablelock.h"

/* The most blockers one waiter can have: each is another session. */
#define SQL_ACT_BLOCKERS_MAX NET_PG_CONNECTIONS_MAX
/* Row waiters ahead listed for one queued behind them (a queue longer than this is cut). */
#define SQL_ACT_ROW_AHEAD_MAX 256u

extern uint32_t net_pg_backend_slots(void) __attribute__((weak));
extern bool net_pg_activity_get(uint32_t slot, net_pg_activity *out) __attribute__((weak));
extern bool net_pg_activity_of(uint32_t pid, net_pg_activity *out) __attribute__((weak));
extern uint32_t net_pg_row_waiters_ahead(const net_pg_activity *a, uint32_t *pids, uint32_t cap)
    __attribute__((weak));
extern uint32_t sql_session_user_oid(const sql_session *s) __attribute__((weak));
extern bool sql_session_is_superuser(const sql_session *s) __attribute__((weak));

#define SQL_ACT_KERNEL(name)                                                                  \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

static sql_exec_ctx *sql_act_exec(const sql_fctx *f) {
    return f->ec != NULL ? f->ec->exec : NULL;
}

/* A copy of backend `pid`'s activity into the arena; NULL when there is none. */
static net_pg_activity *sql_act_of(sql_fctx *f, int64_t pid, bool *oom) {
    *oom = false;
    if (net_pg_activity_of == NULL || pid <= 0 || pid > INT32_MAX) return NULL;
    net_pg_activity *a = rt_arena_alloc(f->arena, sizeof *a);
    if (a == NULL) {
        *oom = true;
        return NULL;
    }
    return net_pg_activity_of((uint32_t)pid, a) ? a : NULL;
}

/* Room for the first look at the table-lock list; a longer one is read again at its length. */
#define SQL_ACT_LOCKS_FIRST 256u

/* The table locks held and waited for in the server, into the arena; NULL when out of it. */
static sql_tlock_info *sql_act_tlocks(sql_fctx *f, uint32_t *n) {
    uint32_t cap = SQL_ACT_LOCKS_FIRST;
    sql_tlock_info *locks = rt_arena_alloc(f->arena, cap * sizeof *locks);
    if (locks == NULL) return NULL;
    *n = sql_tlock_list(locks, cap);
    if (*n <= cap) return locks;
    cap = *n + SQL_ACT_LOCKS_FIRST; /* some may come meanwhile: those are not seen */
    locks = rt_arena_alloc(f->arena, cap * sizeof *locks);
    if (locks == NULL) return NULL;
    *n = sql_tlock_list(locks, cap);
    if (*n > cap) *n = cap;
    return locks;
}

/* Adds `pid` to the `*n` pids of `pids` (ascending, no repeats): pg_blocking_pids' order is
 * then the same on every call, whatever order the lock table lists its holders in. */
static void sql_act_pid_add(uint32_t *pids, uint32_t *n, uint32_t pid) {
    uint32_t at = 0;
    while (at < *n && pids[at] < pid) at++;
    if (at < *n && pids[at] == pid) return;
    memmove(&pids[at + 1], &pids[at], (*n - at) * sizeof *pids);
    pids[at] = pid;
    (*n)++;
}

/* The sessions holding a table lock that conflicts with the one `pid` waits for: every one of
 * them blocks it (two sessions holding ROW EXCLUSIVE both block a LOCK TABLE ... SHARE). */
static bool sql_act_table_holders(sql_fctx *f, uint32_t pid, uint32_t *pids, uint32_t *n) {
    uint32_t count = 0;
    const sql_tlock_info *l = sql_act_tlocks(f, &count);
    if (l == NULL) return false;
    for (uint32_t w = 0; w < count; w++) {
        if (l[w].pid != pid || l[w].granted) continue;
        for (uint32_t h = 0; h < count; h++) {
            if (!l[h].granted || l[h].pid == 0 || l[h].pid == pid ||
                l[h].db_oid != l[w].db_oid || l[h].table_oid != l[w].table_oid ||
                !sql_tlock_conflicts(l[h].mode, l[w].mode) || *n >= SQL_ACT_BLOCKERS_MAX) {
                continue;
            }
            sql_act_pid_add(pids, n, l[h].pid);
        }
    }
    return true;
}

/* The sessions blocking `pid`'s wait for an advisory lock, as PostgreSQL counts them: every
 * holder of a conflicting lock on the key and every session waiting for the key since before
 * it with a conflicting request. */
static bool sql_act_advisory_blockers(sql_fctx *f, uint32_t pid, uint32_t *pids, uint32_t *n) {
    uint32_t cap = SQL_ACT_LOCKS_FIRST;
    sql_advisory_info *l = rt_arena_alloc(f->arena, cap * sizeof *l);
    if (l == NULL) return false;
    uint32_t count = sql_advisory_list(l, cap);
    if (count > cap) {
        cap = count + SQL_ACT_LOCKS_FIRST;
        l = rt_arena_alloc(f->arena, cap * sizeof *l);
        if (l == NULL) return false;
        count = sql_advisory_list(l, cap);
        if (count > cap) count = cap;
    }
    for (uint32_t w = 0; w < count; w++) {
        if (l[w].pid != pid || l[w].granted) continue;
        for (uint32_t h = 0; h < count; h++) {
            bool ahead = l[h].granted || l[h].seq < l[w].seq;
            if (!ahead || l[h].pid == 0 || !sql_advisory_conflicts(&l[h], &l[w]) ||
                *n >= SQL_ACT_BLOCKERS_MAX) {
                continue;
            }
            sql_act_pid_add(pids, n, l[h].pid);
        }
    }
    return true;
}

/* pg_blocking_pids(pid): the backends holding the lock `pid` waits for (every holder of a
 * conflicting table lock; every holder of a conflicting advisory lock and every waiter queued
 * ahead for it; the transaction whose row it waits for), in ascending order, '{}' when it
 * waits for none. */
SQL_ACT_KERNEL(sql_act_blocking_pids) {
    uint32_t *pids = rt_arena_alloc(f->arena, SQL_ACT_BLOCKERS_MAX * sizeof *pids);
    if (pids == NULL) return rt_arena_fail(f->arena, f->err);
    SQL_FOR_ACTIVE(i) {
        bool oom;
        const net_pg_activity *a = sql_act_of(f, args[0]->i64[i], &oom);
        if (oom) return rt_arena_fail(f->arena, f->err);
        uint32_t np = 0;
        bool lock = a != NULL && a->state == NET_PG_STATE_ACTIVE &&
                    a->wait != NET_PG_WAIT_NONE && a->wait != NET_PG_WAIT_PG_SLEEP;
        if (lock && a->wait == NET_PG_WAIT_RELATION &&
            !sql_act_table_holders(f, a->pid, pids, &np)) {
            return rt_arena_fail(f->arena, f->err);
        }
        if (lock && a->wait == NET_PG_WAIT_ADVISORY &&
            !sql_act_advisory_blockers(f, a->pid, pids, &np)) {
            return rt_arena_fail(f->arena, f->err);
        }
        /* a row queued behind others: every session waiting for it since before (the
         * first holds PostgreSQL's tuple lock, the others would take it first) */
        if (lock && a->wait == NET_PG_WAIT_TUPLE && net_pg_row_waiters_ahead != NULL) {
            uint32_t ahead[SQL_ACT_ROW_AHEAD_MAX];
            uint32_t na = net_pg_row_waiters_ahead(a, ahead, SQL_ACT_ROW_AHEAD_MAX);
            for (uint32_t k = 0; k < na; k++) sql_act_pid_add(pids, &np, ahead[k]);
        }
        /* the published holder: the only one of a row or advisory lock, and of a table lock
         * whose holders let go between the two looks */
        if (lock && np == 0 && a->wait_pid != 0) pids[np++] = a->wait_pid;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, SQL_T_INT4)) {
            return rt_arena_fail(f->arena, f->err);
        }
        for (uint32_t k = 0; k < np; k++) {
            sql_value e = {.type_oid = SQL_T_INT4, .i64 = pids[k]};
            if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(f->arena, f->err);
        }
        if (!sql_array_builder_finish(&b, &out->b[i])) return rt_arena_fail(f->arena, f->err);
        out->nulls[i] = 0;
    }
    return true;
}

/* pg_stat_activity's rows, in its order, and the columns the backend-id functions read:
 * backend id n is the n-th row, background workers included, as PostgreSQL numbers its local
 * copy of the status array that pg_stat_activity lists in the same order. A statement that
 * calls these functions reads the view once per batch of ids. */
typedef struct sql_act_rows {
    sql_rowset rows;
    uint32_t pid_col, query_col, user_col;
} sql_act_rows;

static bool sql_act_rows_read(sql_fctx *f, sql_act_rows *r) {
    sql_exec_ctx *x = sql_act_exec(f);
    const sql_pgcat_rel *view = sql_pgcat_find(NULL, "pg_stat_activity");
    RT_ASSERT(view != NULL);
    if (!sql_rowset_init(&r->rows, f->arena, view->ncols)) {
        return rt_arena_fail(f->arena, f->err);
    }
    r->pid_col = r->query_col = r->user_col = UINT32_MAX;
    for (uint32_t k = 0; k < view->ncols; k++) {
        if (strcmp(view->cols[k].name, "pid") == 0) r->pid_col = k;
        if (strcmp(view->cols[k].name, "query") == 0) r->query_col = k;
        if (strcmp(view->cols[k].name, "usesysid") == 0) r->user_col = k;
    }
    RT_ASSERT(r->pid_col != UINT32_MAX && r->query_col != UINT32_MAX);
    RT_ASSERT(r->user_col != UINT32_MAX);
    return x == NULL || sql_pgcat_scan(x, view->id, &r->rows); /* no statement: no backends */
}

/* The row of backend id `beid` (1-based), NULL when it names none. */
static const sql_value *sql_act_row(const sql_act_rows *r, int64_t beid) {
    if (beid < 1 || (uint64_t)beid > r->rows.count) return NULL;
    return sql_rowset_row(&r->rows, (uint64_t)beid - 1);
}

/* pg_stat_get_backend_pid(beid): NULL for an id that names no backend. */
SQL_ACT_KERNEL(sql_act_backend_pid) {
    sql_act_rows r;
    if (!sql_act_rows_read(f, &r)) return false;
    SQL_FOR_ACTIVE(i) {
        const sql_value *row = sql_act_row(&r, args[0]->i64[i]);
        out->nulls[i] = row == NULL || row[r.pid_col].is_null;
        out->i64[i] = out->nulls[i] ? 0 : row[r.pid_col].i64;
    }
    return true;
}

/* Whether the caller may read the query text of a backend of role `role_oid` (0: a
 * background worker, whose text needs superuser or pg_read_all_stats, as PostgreSQL's). */
static bool sql_act_visible(const sql_exec_ctx *x, uint32_t role_oid) {
    if (x == NULL || x->session == NULL || sql_session_user_oid == NULL) return false;
    if (sql_session_is_superuser != NULL && sql_session_is_superuser(x->session)) return true;
    uint32_t me = sql_session_user_oid(x->session);
    return (role_oid != 0 && sql_acl_has_privs_of(x->catalog, me, role_oid)) ||
           sql_acl_has_privs_of(x->catalog, me, ENG_OID_PG_READ_ALL_STATS);
}

/* pg_stat_get_backend_activity(beid): its query text as pg_stat_activity.query, with
 * PostgreSQL 15's texts for an id that names no backend and for an empty one (a worker's). */
SQL_ACT_KERNEL(sql_act_backend_activity) {
    sql_exec_ctx *x = sql_act_exec(f);
    sql_act_rows r;
    if (!sql_act_rows_read(f, &r)) return false;
    SQL_FOR_ACTIVE(i) {
        const sql_value *row = sql_act_row(&r, args[0]->i64[i]);
        const char *q = "<backend information not available>";
        uint32_t len = (uint32_t)strlen(q);
        if (row != NULL && !sql_act_visible(x, row[r.user_col].is_null
                                                   ? 0 : (uint32_t)row[r.user_col].i64)) {
            q = "<insufficient privilege>";
            len = (uint32_t)strlen(q);
        } else if (row != NULL && !row[r.query_col].is_null && row[r.query_col].b.len > 0) {
            q = (const char *)row[r.query_col].b.ptr;
            len = row[r.query_col].b.len;
        } else if (row != NULL) {
            q = "<command string not enabled>";
            len = (uint32_t)strlen(q);
        }
        out->nulls[i] = 0;
        if (!sql_fn_bytes(f, q, len, &out->b[i])) return false;
    }
    return true;
}

/* pg_stat_get_backend_idset(): 1..n, one per row of pg_stat_activity. */
static bool sql_act_idset_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                              struct sql_rowset *out) {
    (void)args;
    (void)nargs;
    const sql_pgcat_rel *view = sql_pgcat_find(NULL, "pg_stat_activity");
    RT_ASSERT(view != NULL);
    sql_rowset rows;
    if (!sql_rowset_init(&rows, x->arena, view->ncols)) return rt_arena_fail(x->arena, x->err);
    if (!sql_pgcat_scan(x, view->id, &rows)) return false;
    for (uint64_t beid = 1; beid <= rows.count; beid++) {
        sql_value row = {.type_oid = SQL_T_INT4, .i64 = (int64_t)beid};
        if (!sql_rowset_add_values(out, &row)) return rt_arena_fail(x->arena, x->err);
    }
    return true;
}

/* pg_stat_get_activity's output columns, as PostgreSQL 15's pg_proc entry names and types
 * them (pg_stat_activity is built on it there). */
static const char *const sql_act_cols[] = {
    "datid", "pid", "usesysid", "application_name", "state", "query", "wait_event_type",
    "wait_event", "xact_start", "query_start", "backend_start", "state_change", "client_addr",
    "client_hostname", "client_port", "backend_xid", "backend_xmin", "backend_type", "ssl",
    "sslversion", "sslcipher", "sslbits", "ssl_client_dn", "ssl_client_serial",
    "ssl_issuer_dn", "gss_auth", "gss_princ", "gss_enc", "leader_pid", "query_id",
};
static const uint32_t sql_act_types[] = {
    SQL_T_OID, SQL_T_INT4, SQL_T_OID, SQL_T_TEXT, SQL_T_TEXT, SQL_T_TEXT, SQL_T_TEXT,
    SQL_T_TEXT, SQL_T_TIMESTAMPTZ, SQL_T_TIMESTAMPTZ, SQL_T_TIMESTAMPTZ, SQL_T_TIMESTAMPTZ,
    SQL_T_INET, SQL_T_TEXT, SQL_T_INT4, SQL_T_XID, SQL_T_XID, SQL_T_TEXT, SQL_T_BOOL,
    SQL_T_TEXT, SQL_T_TEXT, SQL_T_INT4, SQL_T_TEXT, SQL_T_NUMERIC, SQL_T_TEXT, SQL_T_BOOL,
    SQL_T_TEXT, SQL_T_BOOL, SQL_T_INT4, SQL_T_INT8,
};
#define SQL_ACT_NCOLS (sizeof sql_act_cols / sizeof sql_act_cols[0])
_Static_assert(SQL_ACT_NCOLS == sizeof sql_act_types / sizeof sql_act_types[0],
               "pg_stat_get_activity: a type per column");

/* Positions in sql_act_cols. */
#define SQL_ACT_COL_CLIENT_PORT 14u
#define SQL_ACT_COL_SSL 18u

/* For each output column, its column in pg_stat_activity's rows, or UINT32_MAX for one the
 * view does not show: ssl, gss_auth and gss_enc are false (no GSSAPI), the others NULL; the
 * TLS columns then come from the backend's connection (sql_act_ssl). */
static void sql_act_map(const sql_pgcat_rel *view, uint32_t *from) {
    RT_ASSERT(strcmp(sql_act_cols[SQL_ACT_COL_CLIENT_PORT], "client_port") == 0);
    RT_ASSERT(strcmp(sql_act_cols[SQL_ACT_COL_SSL], "ssl") == 0);
    for (uint32_t c = 0; c < SQL_ACT_NCOLS; c++) {
        from[c] = UINT32_MAX;
        for (uint32_t k = 0; k < view->ncols; k++) {
            if (strcmp(view->cols[k].name, sql_act_cols[c]) == 0) from[c] = k;
        }
    }
}

/* The TLS columns (ssl, sslversion, sslcipher, sslbits) of a row the caller may see (its
 * client_port shows): those of the backend's connection, as pg_stat_ssl's. False when out of
 * memory. */
static bool sql_act_ssl(struct sql_exec_ctx *x, const sql_value *pid, sql_value *v) {
    net_pg_activity *a = rt_arena_alloc(x->arena, sizeof *a);
    if (a == NULL) return false;
    if (net_pg_activity_of == NULL || !net_pg_activity_of((uint32_t)pid->i64, a) || !a->ssl) {
        return true;
    }
    v[SQL_ACT_COL_SSL].i64 = 1;
    const char *version = rt_arena_strdup(x->arena, a->ssl_version);
    const char *cipher = rt_arena_strdup(x->arena, a->ssl_cipher);
    if (version == NULL || cipher == NULL) return false;
    v[SQL_ACT_COL_SSL + 1] = (sql_value){.type_oid = SQL_T_TEXT, .b = {
        .ptr = (const uint8_t *)version, .len = (uint32_t)strlen(version)}};
    v[SQL_ACT_COL_SSL + 2] = (sql_value){.type_oid = SQL_T_TEXT, .b = {
        .ptr = (const uint8_t *)cipher, .len = (uint32_t)strlen(cipher)}};
    v[SQL_ACT_COL_SSL + 3] = (sql_value){.type_oid = SQL_T_INT4, .i64 = a->ssl_bits};
    return true;
}

/* pg_stat_get_activity(pid): the row of backend `pid`, or of every backend and worker for
 * NULL (and for -1, as on PostgreSQL). The rows are pg_stat_activity's own, built by its
 * scan (sql_pgcat.c), in this function's column order. */
static bool sql_act_activity_srf(struct sql_exec_ctx *x, const sql_value *args, uint32_t nargs,
                                 struct sql_rowset *out) {
    bool all = nargs == 0 || args[0].is_null || args[0].i64 == -1;
    const sql_pgcat_rel *view = sql_pgcat_find(NULL, "pg_stat_activity");
    RT_ASSERT(view != NULL);
    sql_rowset rows;
    uint32_t from[SQL_ACT_NCOLS];
    sql_value *v = rt_arena_alloc(x->arena, SQL_ACT_NCOLS * sizeof *v);
    if (v == NULL || !sql_rowset_init(&rows, x->arena, view->ncols)) {
        return rt_arena_fail(x->arena, x->err);
    }
    if (!sql_pgcat_scan(x, view->id, &rows)) return false;
    sql_act_map(view, from);
    uint32_t pid_col = from[1];
    for (uint64_t r = 0; r < rows.count; r++) {
        const sql_value *in = sql_rowset_row(&rows, r);
        if (!all && (in[pid_col].is_null || in[pid_col].i64 != args[0].i64)) continue;
        for (uint32_t c = 0; c < SQL_ACT_NCOLS; c++) {
            uint32_t t = sql_act_types[c];
            bool flag = t == SQL_T_BOOL; /* ssl, gss_auth, gss_enc */
            v[c] = from[c] != UINT32_MAX ? in[from[c]]
                                         : (sql_value){.type_oid = t, .is_null = !flag};
        }
        if (!in[from[SQL_ACT_COL_CLIENT_PORT]].is_null && !sql_act_ssl(x, &in[pid_col], v)) {
            return rt_arena_fail(x->arena, x->err);
        }
        if (!sql_rowset_add_values(out, v)) return rt_arena_fail(x->arena, x->err);
    }
    return true;
}

static const sql_func_def sql_activity_defs[] = {
    {.name = "pg_blocking_pids", .nargs = 1, .args = {SQL_T_INT4}, .ret = SQL_T_INT4_ARRAY,
     .flags = SQL_F_STRICT | SQL_F_VOLATILE, .fn = sql_act_blocking_pids},
    {.name = "pg_stat_get_backend_pid", .nargs = 1, .args = {SQL_T_INT4}, .ret = SQL_T_INT4,
     .flags = SQL_F_STRICT | SQL_F_STABLE | SQL_F_VOLATILE, .fn = sql_act_backend_pid},
    {.name = "pg_stat_get_backend_activity", .nargs = 1, .args = {SQL_T_INT4},
     .ret = SQL_T_TEXT, .flags = SQL_F_STRICT | SQL_F_STABLE | SQL_F_VOLATILE,
     .fn = sql_act_backend_activity},
    {.name = "pg_stat_get_backend_idset", .nargs = 0, .ret = SQL_T_INT4,
     .flags = SQL_F_STRICT | SQL_F_VOLATILE | SQL_F_SRF, .fn = sql_func_srf_scalar,
     .srf = sql_act_idset_srf},
    {.name = "pg_stat_get_activity", .nargs = 1, .args = {SQL_T_INT4}, .ret = SQL_T_RECORD,
     .flags = SQL_F_VOLATILE | SQL_F_SRF, .fn = sql_func_srf_scalar, .srf = sql_act_activity_srf,
     .srf_ncols = SQL_ACT_NCOLS, .srf_types = sql_act_types, .srf_names = sql_act_cols},
};

void sql_funcs_register_activity(void) {
    sql_funcs_register(sql_activity_defs, sizeof sql_activity_defs / sizeof sql_activity_defs[0]);
}
