/* sql_session_guc.c: the session's settings: the table of every setting, SET / RESET / SHOW
 * with PostgreSQL's validation, units and messages, and transactional undo of SET. */
#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/rt_mem.h"
#include "sql/sql_session_dt.h"
#include "sql/sql_session_int.h"
#include "sql/sql_tz.h"

typedef enum sql_guc_kind { GUC_BOOL = 1, GUC_INT, GUC_REAL, GUC_STRING, GUC_ENUM } sql_guc_kind;

typedef struct sql_guc {
    sql_setting_def def;
    sql_guc_kind kind;
    sql_guc_apply apply;
    int64_t min, max;
    const char *const *choices;  /* GUC_ENUM: accepted values, NULL-terminated */
} sql_guc;

static const char *const sql_guc_isolations[] = {"serializable", "repeatable read",
                                                 "read committed", "read uncommitted", NULL};
static const char *const sql_guc_bytea[] = {"hex", "escape", NULL};
static const char *const sql_guc_sync[] = {"local", "remote_write", "remote_apply", "on", "off",
                                           NULL};
static const char *const sql_guc_levels[] = {"debug5", "debug4", "debug3", "debug2", "debug1",
                                             "log", "notice", "warning", "error", NULL};
static const char *const sql_guc_log_levels[] = {"debug5", "debug4", "debug3", "debug2",
                                                 "debug1", "debug", "info", "notice",
                                                 "warning", "error", "log", "fatal", "panic",
                                                 NULL};
static const char *const sql_guc_plan_cache[] = {"auto", "force_generic_plan",
                                                 "force_custom_plan", NULL};
static const char *const sql_guc_xmloption[] = {"content", "document", NULL};
static const char *const sql_guc_backslash[] = {"safe_encoding", "on", "off", NULL};

#define G_STR(n, v, ctx, rep, cat, desc, ap)                                                  \
    {{n, v, NULL, cat, desc, "string", ctx, rep}, GUC_STRING, ap, 0, 0, NULL}
#define G_BOOL(n, v, ctx, rep, cat, desc, ap)                                                 \
    {{n, v, NULL, cat, desc, "bool", ctx, rep}, GUC_BOOL, ap, 0, 0, NULL}
#define G_INT(n, v, unit, ctx, lo, hi, cat, desc)                                             \
    {{n, v, unit, cat, desc, "integer", ctx, false}, GUC_INT, SQL_GUC_PLAIN, lo, hi, NULL}
#define G_REAL(n, v, ctx, cat, desc)                                                          \
    {{n, v, NULL, cat, desc, "real", ctx, false}, GUC_REAL, SQL_GUC_PLAIN, 0, 0, NULL}
#define G_ENUM(n, v, ctx, choices, cat, desc, ap)                                             \
    {{n, v, NULL, cat, desc, "enum", ctx, false}, GUC_ENUM, ap, 0, 0, choices}

#define CAT_CLIENT "Client Connection Defaults / Locale and Formatting"
#define CAT_STMT "Client Connection Defaults / Statement Behavior"
#define CAT_PRESET "Preset Options"
#define CAT_PLAN "Query Tuning / Planner Method Configuration"
#define CAT_COST "Query Tuning / Planner Cost Constants"
#define CAT_MEM "Resource Usage / Memory"
#define CAT_CONN "Connections and Authentication / Connection Settings"
#define CAT_VEC "Customized Options"
#define CAT_AUTH "Connections and Authentication / Authentication"
#define CAT_SSL "Connections and Authentication / SSL"
#define CAT_FILES "File Locations"
#define CAT_LOG "Reporting and Logging / When to Log"
#define CAT_SRV "Dreambase / Server"
#define CAT_LIMIT "Dreambase / Limits"
#define INT_MAXV 2147483647

/* Sorted by name (case-insensitive) so SHOW ALL lists them as PostgreSQL. */
static const sql_guc sql_gucs[] = {
    G_STR("application_name", "", "user", true, "Reporting and Logging / What to Log",
          "Sets the application name to be reported in statistics and logs.", SQL_GUC_PLAIN),
    G_BOOL("array_nulls", "on", "user", false, "Version and Platform Compatibility",
           "Enable input of NULL elements in arrays.", SQL_GUC_PLAIN),
    G_INT("authentication_timeout", "60000", "ms", "sighup", 1000, 600000, CAT_AUTH,
          "Sets the maximum allowed time to complete client authentication."),
    /* The server's (dreambase.conf, -c autovacuum=off); sessions show it (sql_guc_init). */
    G_BOOL("autovacuum", "on", "sighup", false, "Autovacuum",
           "Starts the autovacuum subprocess.", SQL_GUC_PLAIN),
    G_ENUM("backslash_quote", "safe_encoding", "user", sql_guc_backslash,
           "Version and Platform Compatibility",
           "Sets whether \"\\'\" is allowed in string literals.", SQL_GUC_PLAIN),
    G_INT("block_size", "8192", NULL, "internal", 8192, 8192, CAT_PRESET,
          "Shows the size of a disk block."),
    G_ENUM("bytea_output", "hex", "user", sql_guc_bytea, CAT_STMT,
           "Sets the output format for bytea.", SQL_GUC_BYTEA_OUTPUT),
    G_BOOL("check_function_bodies", "on", "user", false, CAT_STMT,
           "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.", SQL_GUC_PLAIN),
    G_STR("client_encoding", "UTF8", "user", true, CAT_CLIENT,
          "Sets the client's character set encoding.", SQL_GUC_CLIENT_ENCODING),
    G_ENUM("client_min_messages", "notice", "user", sql_guc_levels, CAT_STMT,
           "Sets the message levels that are sent to the client.", SQL_GUC_PLAIN),
    G_STR("config_file", "", "postmaster", false, CAT_FILES,
          "Sets the server's main configuration file.", SQL_GUC_PLAIN),
    G_REAL("cpu_operator_cost", "0.0025", "user", CAT_COST,
           "Sets the planner's estimate of the cost of processing each operator."),
    G_REAL("cpu_tuple_cost", "0.01", "user", CAT_COST,
           "Sets the planner's estimate of the cost of processing each tuple (row)."),
    G_STR("data_directory", "", "postmaster", false, CAT_FILES,
          "Sets the server's data directory.", SQL_GUC_PLAIN),
    G_STR("DateStyle", "ISO, MDY", "user", true, CAT_CLIENT,
          "Sets the display format for date and time values.", SQL_GUC_DATESTYLE),
    G_STR("default_table_access_method", "heap", "user", false, CAT_STMT,
          "Sets the default table access method for new tables.", SQL_GUC_PLAIN),
    G_STR("default_tablespace", "", "user", false, CAT_STMT,
          "Sets the default tablespace to create tables and indexes in.", SQL_GUC_PLAIN),
    G_BOOL("default_transaction_deferrable", "off", "user", false, CAT_STMT,
           "Sets the default deferrable status of new transactions.", SQL_GUC_PLAIN),
    G_ENUM("default_transaction_isolation", "read committed", "user", sql_guc_isolations,
           CAT_STMT, "Sets the transaction isolation level of each new transaction.",
           SQL_GUC_TXN_ISOLATION),
    G_BOOL("default_transaction_read_only", "off", "user", true, CAT_STMT,
           "Sets the default read-only status of new transactions.", SQL_GUC_TXN_READ_ONLY),
    G_INT("dreambase.ef_search", "0", NULL, "user", 0, 1000, CAT_VEC,
          "Sets the size of the dynamic candidate list for search (0: hnsw.ef_search)."),
    G_INT("effective_cache_size", "524288", "8kB", "user", 1, INT_MAXV, CAT_COST,
          "Sets the planner's assumption about the total size of the data caches."),
    G_BOOL("enable_hashagg", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of hashed aggregation plans.", SQL_GUC_PLAIN),
    G_BOOL("enable_hashjoin", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of hash join plans.", SQL_GUC_PLAIN),
    G_BOOL("enable_indexscan", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of index-scan plans.", SQL_GUC_PLAIN),
    G_BOOL("enable_mergejoin", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of merge join plans.", SQL_GUC_PLAIN),
    G_BOOL("enable_nestloop", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of nested-loop join plans.", SQL_GUC_PLAIN),
    G_BOOL("enable_seqscan", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of sequential-scan plans.", SQL_GUC_PLAIN),
    G_BOOL("enable_sort", "on", "user", false, CAT_PLAN,
           "Enables the planner's use of explicit sort steps.", SQL_GUC_PLAIN),
    G_BOOL("escape_string_warning", "on", "user", false, "Version and Platform Compatibility",
           "Warn about backslash escapes in ordinary string literals.", SQL_GUC_PLAIN),
    G_INT("extra_float_digits", "1", NULL, "user", -15, 3, CAT_CLIENT,
          "Sets the number of digits displayed for floating-point values."),
    G_STR("hba_file", "dreambase_hba.conf", "sighup", false, CAT_FILES,
          "Sets the server's \"hba\" configuration file.", SQL_GUC_PLAIN),
    G_INT("hnsw.ef_search", "40", NULL, "user", 1, 1000, CAT_VEC,
          "Sets the size of the dynamic candidate list for search."),
    G_BOOL("hnsw.quantized_walk", "on", "user", false, CAT_VEC,
           "Walks large HNSW graphs with their int8 copy of the vectors, then re-ranks exactly.",
           SQL_GUC_PLAIN),
    G_INT("idle_in_transaction_session_timeout", "0", "ms", "user", 0, INT_MAXV, CAT_STMT,
          "Sets the maximum allowed idle time between queries, when in a transaction."),
    G_INT("idle_session_timeout", "0", "ms", "user", 0, INT_MAXV, CAT_STMT,
          "Sets the maximum allowed idle time between queries, when not in a transaction."),
    G_BOOL("in_hot_standby", "off", "internal", true, CAT_PRESET,
           "Shows whether hot standby is currently active.", SQL_GUC_PLAIN),
    G_BOOL("integer_datetimes", "on", "internal", true, CAT_PRESET,
           "Shows whether datetimes are integer based.", SQL_GUC_PLAIN),
    G_STR("IntervalStyle", "postgres", "user", true, CAT_CLIENT,
          "Sets the display format for interval values.", SQL_GUC_INTERVALSTYLE),
    G_BOOL("is_superuser", "off", "internal", true, CAT_PRESET,
           "Shows whether the current user is a superuser.", SQL_GUC_PLAIN),
    G_BOOL("jit", "off", "user", false, "Query Tuning / Other Planner Options",
           "Allow JIT compilation.", SQL_GUC_PLAIN),
    G_STR("lc_collate", "C", "internal", false, CAT_PRESET,
          "Shows the collation order locale.", SQL_GUC_PLAIN),
    G_STR("lc_ctype", "C", "internal", false, CAT_PRESET,
          "Shows the character classification and case conversion locale.", SQL_GUC_PLAIN),
    G_STR("lc_messages", "C", "superuser", false, CAT_CLIENT,
          "Sets the language in which messages are displayed.", SQL_GUC_PLAIN),
    G_STR("lc_monetary", "C", "user", false, CAT_CLIENT,
          "Sets the locale for formatting monetary amounts.", SQL_GUC_PLAIN),
    G_STR("lc_numeric", "C", "user", false, CAT_CLIENT,
          "Sets the locale for formatting numbers.", SQL_GUC_PLAIN),
    G_STR("lc_time", "C", "user", false, CAT_CLIENT,
          "Sets the locale for formatting date and time values.", SQL_GUC_PLAIN),
    G_STR("listen_addresses", "127.0.0.1", "postmaster", false, CAT_CONN,
          "Sets the host name or IP address(es) to listen to.", SQL_GUC_PLAIN),
    G_INT("lock_timeout", "0", "ms", "user", 0, INT_MAXV, CAT_STMT,
          "Sets the maximum allowed duration of any wait for a lock."),
    G_ENUM("log_min_messages", "info", "sighup", sql_guc_log_levels, CAT_LOG,
           "Sets the message levels that are logged.", SQL_GUC_PLAIN),
    G_INT("maintenance_work_mem", "65536", "kB", "user", 1024, INT_MAXV, CAT_MEM,
          "Sets the maximum memory to be used for maintenance operations."),
    G_INT("max_connections", "100", NULL, "postmaster", 1, 262143, CAT_CONN,
          "Sets the maximum number of concurrent connections."),
    G_INT("max_identifier_length", "63", NULL, "internal", 63, 63, CAT_PRESET,
          "Shows the maximum identifier length."),
    G_INT("max_index_keys", "32", NULL, "internal", 32, 32, CAT_PRESET,
          "Shows the maximum number of index keys."),
    G_INT("max_message_size", "1073741823", NULL, "postmaster", 8192, 1073741823, CAT_LIMIT,
          "Sets the largest message, in bytes, a client may send."),
    G_INT("max_parallel_workers_per_gather", "2", NULL, "user", 0, 1024,
          "Resource Usage / Asynchronous Behavior",
          "Sets the maximum number of parallel processes per executor node."),
    G_STR("password_encryption", "scram-sha-256", "user", false, CAT_CONN,
          "Chooses the algorithm for encrypting passwords.", SQL_GUC_PLAIN),
    G_ENUM("plan_cache_mode", "auto", "user", sql_guc_plan_cache,
           "Query Tuning / Other Planner Options",
           "Controls the planner's selection of custom or generic plan.", SQL_GUC_PLAIN),
    G_INT("port", "5432", NULL, "postmaster", 1, 65535, CAT_CONN,
          "Sets the TCP port the server listens on."),
    G_REAL("random_page_cost", "4", "user", CAT_COST,
           "Sets the planner's estimate of the cost of a nonsequentially fetched disk page."),
    G_BOOL("row_security", "on", "user", false, CAT_STMT, "Enable row security.",
           SQL_GUC_PLAIN),
    G_STR("search_path", "\"$user\", public", "user", false, CAT_STMT,
          "Sets the schema search order for names that are not schema-qualified.",
          SQL_GUC_SEARCH_PATH),
    G_REAL("seq_page_cost", "1", "user", CAT_COST,
           "Sets the planner's estimate of the cost of a sequentially fetched disk page."),
    G_STR("server_encoding", "UTF8", "internal", true, CAT_CLIENT,
          "Shows the server (database) character set encoding.", SQL_GUC_PLAIN),
    G_STR("server_version", "15.0 (Dreambase 0.1.0)", "internal", true, CAT_PRESET,
          "Shows the server version.", SQL_GUC_PLAIN),
    G_INT("server_version_num", "150000", NULL, "internal", 150000, 150000, CAT_PRESET,
          "Shows the server version as an integer."),
    G_STR("session_authorization", "", "user", true, CAT_PRESET,
          "Sets the session user name.", SQL_GUC_PLAIN),
    G_INT("shards", "0", NULL, "postmaster", 0, 64, CAT_SRV,
          "Sets the number of shard threads (0: one per online core)."),
    G_INT("shared_buffers", "16384", "8kB", "postmaster", 16, INT_MAXV, CAT_MEM,
          "Sets the number of shared memory buffers used by the server."),
    G_INT("spin_us", "500", NULL, "postmaster", 0, 1000000, CAT_SRV,
          "Sets how long, in microseconds, an idle shard busy-polls before it sleeps."),
    G_BOOL("ssl", "off", "postmaster", false, CAT_SSL, "Enables SSL connections.",
           SQL_GUC_PLAIN),
    G_STR("ssl_cert_file", "server.crt", "postmaster", false, CAT_SSL,
          "Location of the SSL server certificate file.", SQL_GUC_PLAIN),
    G_STR("ssl_key_file", "server.key", "postmaster", false, CAT_SSL,
          "Location of the SSL server private key file.", SQL_GUC_PLAIN),
    G_BOOL("standard_conforming_strings", "on", "user", true,
           "Version and Platform Compatibility",
           "Causes '...' strings to treat backslashes literally.", SQL_GUC_STD_STRINGS),
    G_INT("statement_timeout", "0", "ms", "user", 0, INT_MAXV, CAT_STMT,
          "Sets the maximum allowed duration of any statement."),
    G_ENUM("synchronous_commit", "on", "user", sql_guc_sync, "Write-Ahead Log / Settings",
           "Sets the current transaction's synchronization level.", SQL_GUC_PLAIN),
    G_STR("temp_tablespaces", "", "user", false, CAT_STMT,
          "Sets the tablespace(s) to use for temporary tables and sort files.", SQL_GUC_PLAIN),
    G_STR("TimeZone", "UTC", "user", true, CAT_CLIENT,
          "Sets the time zone for displaying and interpreting time stamps.", SQL_GUC_TIMEZONE),
    G_STR("timezone_abbreviations", "Default", "user", false, CAT_CLIENT,
          "Selects a file of time zone abbreviations.", SQL_GUC_PLAIN),
    G_BOOL("transaction_deferrable", "off", "user", false, CAT_STMT,
           "Whether to defer a read-only serializable transaction until it can be executed "
           "with no possible serialization failures.", SQL_GUC_PLAIN),
    G_ENUM("transaction_isolation", "read committed", "user", sql_guc_isolations, CAT_STMT,
           "Sets the current transaction's isolation level.", SQL_GUC_TXN_ISOLATION),
    G_BOOL("transaction_read_only", "off", "user", false, CAT_STMT,
           "Sets the current transaction's read-only status.", SQL_GUC_TXN_READ_ONLY),
    G_STR("unix_socket_directories", "/tmp", "postmaster", false, CAT_CONN,
          "Sets the directories where Unix-domain sockets will be created.", SQL_GUC_PLAIN),
    G_INT("work_mem", "4096", "kB", "user", 64, INT_MAXV, CAT_MEM,
          "Sets the maximum memory to be used for query workspaces."),
    G_ENUM("xmloption", "content", "user", sql_guc_xmloption, CAT_STMT,
           "Sets whether XML data in implicit parsing and serialization operations is to be "
           "considered as documents or content fragments.", SQL_GUC_PLAIN),
};

#define SQL_GUC_COUNT (sizeof sql_gucs / sizeof sql_gucs[0])
/* Custom placeholder settings ("myapp.tenant") a session may define. */
#define SQL_GUC_CUSTOM_MAX 256u

/* The server's defaults (sql_setting_set_default): NULL = the boot value. Published by the
 * main thread with a release store and read by every shard when a session starts; a replaced
 * value is kept on the retired list, since a shard may be copying it. */
static _Atomic(char *) sql_guc_defaults[SQL_GUC_COUNT];
static char **sql_guc_retired;
static uint32_t sql_guc_retired_count;

uint32_t sql_setting_count(void) { return (uint32_t)SQL_GUC_COUNT; }
const sql_setting_def *sql_setting_at(uint32_t i) {
    return i < SQL_GUC_COUNT ? &sql_gucs[i].def : NULL;
}

int sql_guc_find(const char *name) {
    /* Every transaction looks a few settings up: comparing the first letter before the whole
     * name keeps strcasecmp off all but a handful of the entries. */
    int first = tolower((unsigned char)name[0]);
    for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) {
        if (tolower((unsigned char)sql_gucs[i].def.name[0]) != first) continue;
        if (strcasecmp(sql_gucs[i].def.name, name) == 0) return (int)i;
    }
    return -1;
}

int sql_guc_find_cached(const char *name, _Atomic int *cache) {
    int idx = atomic_load_explicit(cache, memory_order_relaxed);
    if (idx == SQL_GUC_UNCACHED) {
        idx = sql_guc_find(name); /* racing shards store the same index */
        atomic_store_explicit(cache, idx, memory_order_relaxed);
    }
    return idx;
}

/* What RESET returns to: the server's default, else the boot value. */
static const char *sql_guc_reset_value(uint32_t idx) {
    const char *v = atomic_load_explicit(&sql_guc_defaults[idx], memory_order_acquire);
    return v != NULL ? v : sql_gucs[idx].def.boot_value;
}

/* ---- values ---- */

static bool sql_guc_parse_bool(const char *v, bool *out) {
    static const char *const yes[] = {"on", "true", "yes", "1", "t", "y", "tr", "tru", "ye"};
    static const char *const no[] = {"off", "false", "no", "0", "f", "n", "fa", "fal", "fals"};
    for (uint32_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(v, yes[i]) == 0) return *out = true, true;
        if (strcasecmp(v, no[i]) == 0) return *out = false, true;
    }
    return false;
}

/* Converts "5s", "100ms", "4MB" to the setting's base unit. */
static bool sql_guc_parse_int(const sql_guc *g, const char *v, int64_t *out) {
    errno = 0;
    char *end = NULL;
    double d = strtod(v, &end);
    if (end == v || errno != 0) return false;
    while (*end == ' ') end++;
    double mult = 1;
    const char *unit = g->def.unit;
    if (*end != '\0') {
        if (unit == NULL) return false;
        static const struct { const char *u; double ms; } times[] = {
            {"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000},
            {"d", 86400000}};
        static const struct { const char *u; double kb; } mems[] = {
            {"B", 1.0 / 1024}, {"kB", 1}, {"MB", 1024}, {"GB", 1048576}, {"TB", 1073741824.0}};
        bool found = false;
        if (strcmp(unit, "ms") == 0) {
            for (uint32_t i = 0; i < 6 && !found; i++) {
                if (strcmp(end, times[i].u) == 0) mult = times[i].ms, found = true;
            }
        } else {
            double base = strcmp(unit, "8kB") == 0 ? 8 : 1;
            for (uint32_t i = 0; i < 5 && !found; i++) {
                if (strcmp(end, mems[i].u) == 0) mult = mems[i].kb / base, found = true;
            }
        }
        if (!found) return false;
    } else if (d != (double)(int64_t)d) {
        return false;
    }
    double r = d * mult;
    if (r > 9.2e18 || r < -9.2e18) return false;
    *out = (int64_t)(r + (r >= 0 ? 0.5 : -0.5));
    return true;
}

/* SHOW's form of an integer with a unit: the largest unit that divides it. */
static void sql_guc_format_int(const sql_guc *g, int64_t v, char *buf, size_t cap) {
    const char *unit = g->def.unit;
    if (unit == NULL || v == 0) {
        snprintf(buf, cap, "%lld", (long long)v);
        return;
    }
    if (strcmp(unit, "ms") == 0) {
        static const struct { const char *u; int64_t ms; } t[] = {
            {"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}};
        for (uint32_t i = 0; i < 5; i++) {
            if (v % t[i].ms == 0) {
                snprintf(buf, cap, "%lld%s", (long long)(v / t[i].ms), t[i].u);
                return;
            }
        }
    }
    int64_t kb = strcmp(unit, "8kB") == 0 ? v * 8 : v;
    static const struct { const char *u; int64_t kb; } m[] = {
        {"TB", 1073741824}, {"GB", 1048576}, {"MB", 1024}, {"kB", 1}};
    for (uint32_t i = 0; i < 4; i++) {
        if (kb % m[i].kb == 0) {
            snprintf(buf, cap, "%lld%s", (long long)(kb / m[i].kb), m[i].u);
            return;
        }
    }
}

/* Validates `v` for setting g and writes its canonical (SHOW) form into buf. */
static bool sql_guc_canon(sql_session *s, const sql_guc *g, const char *v, char *buf, size_t cap,
                          rt_err *err) {
    const char *name = g->def.name;
    switch (g->kind) {
    case GUC_BOOL: {
        bool b;
        if (!sql_guc_parse_bool(v, &b)) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "parameter \"%s\" requires a Boolean value", name);
        }
        snprintf(buf, cap, "%s", b ? "on" : "off");
        return true;
    }
    case GUC_INT: {
        int64_t n;
        if (!sql_guc_parse_int(g, v, &n)) {
            rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                       "invalid value for parameter \"%s\": \"%s\"", name, v);
            if (g->def.unit != NULL && strcmp(g->def.unit, "ms") == 0) {
                rt_err_hint(err, "Valid units for this parameter are \"us\", \"ms\", \"s\", "
                                 "\"min\", \"h\", and \"d\".");
            }
            return false;
        }
        if (n < g->min || n > g->max) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "%lld%s%s is outside the valid range for parameter \"%s\" "
                              "(%lld .. %lld)", (long long)n, g->def.unit ? " " : "",
                              g->def.unit ? g->def.unit : "", name, (long long)g->min,
                              (long long)g->max);
        }
        sql_guc_format_int(g, n, buf, cap);
        return true;
    }
    case GUC_REAL: {
        char *end = NULL;
        double d = strtod(v, &end);
        if (end == v || *end != '\0') {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "parameter \"%s\" requires a numeric value", name);
        }
        snprintf(buf, cap, "%g", d);
        return true;
    }
    case GUC_ENUM:
        for (uint32_t i = 0; g->choices[i] != NULL; i++) {
            if (strcasecmp(v, g->choices[i]) == 0) {
                snprintf(buf, cap, "%s", g->choices[i]);
                return true;
            }
        }
        rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "invalid value for parameter \"%s\": \"%s\"", name, v);
        {
            char hint[256];
            size_t off = (size_t)snprintf(hint, sizeof hint, "Available values: ");
            for (uint32_t i = 0; g->choices[i] != NULL && off < sizeof hint; i++) {
                off += (size_t)snprintf(hint + off, sizeof hint - off, "%s%s",
                                        i ? ", " : "", g->choices[i]);
            }
            if (off < sizeof hint) snprintf(hint + off, sizeof hint - off, ".");
            rt_err_hint(err, "%s", hint);
        }
        return false;
    case GUC_STRING: break;
    }
    switch (g->apply) {
    case SQL_GUC_DATESTYLE:
    {
        /* Without a session (a server default), the change applies to the default. */
        uint32_t ds = (uint32_t)sql_guc_find("DateStyle");
        return sql_session_dt_datestyle(s != NULL ? s->guc_values[ds] : sql_guc_reset_value(ds),
                                        v, buf, cap, err);
    }
    case SQL_GUC_INTERVALSTYLE: return sql_session_dt_intervalstyle(v, buf, cap, err);
    case SQL_GUC_TIMEZONE: {
        const sql_tz *tz;
        if (!sql_tz_from_setting(v, strlen(v), &tz, err)) return false;
        snprintf(buf, cap, "%s", sql_tz_name(tz));
        return true;
    }
    case SQL_GUC_CLIENT_ENCODING: {
        /* Names compare as PostgreSQL compares them: letters and digits only ('utf-8'). */
        char clean[32];
        size_t n = 0;
        for (const char *c = v; *c != '\0' && n + 1 < sizeof clean; c++) {
            if (isalnum((unsigned char)*c)) clean[n++] = (char)tolower((unsigned char)*c);
        }
        clean[n] = '\0';
        if (strcmp(clean, "utf8") == 0 || strcmp(clean, "unicode") == 0) {
            snprintf(buf, cap, "UTF8");
            return true;
        }
        if (strcmp(clean, "sqlascii") == 0) {
            snprintf(buf, cap, "SQL_ASCII");
            return true;
        }
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "client encoding \"%s\" is not supported: Dreambase speaks UTF8", v);
    }
    default: break;
    }
    snprintf(buf, cap, "%s", v);
    return true;
}

/* Makes the decoded copy of a setting follow its string value. */
static void sql_guc_apply_value(sql_session *s, uint32_t idx) {
    const sql_guc *g = &sql_gucs[idx];
    const char *v = s->guc_values[idx];
    const char *name = g->def.name;
    switch (g->apply) {
    case SQL_GUC_DATESTYLE: {
        uint8_t style, order;
        sql_session_dt_datestyle_codes(v, &style, &order);
        /* sql_datetime.h's codes -> sql_types.h's */
        static const sql_datestyle styles[4] = {SQL_DATESTYLE_ISO, SQL_DATESTYLE_POSTGRES,
                                                SQL_DATESTYLE_SQL, SQL_DATESTYLE_GERMAN};
        static const sql_dateorder orders[3] = {SQL_DATEORDER_MDY, SQL_DATEORDER_DMY,
                                                SQL_DATEORDER_YMD};
        s->fmt.datestyle = styles[style & 3];
        s->fmt.dateorder = orders[order % 3];
        break;
    }
    case SQL_GUC_INTERVALSTYLE:
        s->fmt.intervalstyle = (sql_intervalstyle)sql_session_dt_intervalstyle_code(v);
        break;
    case SQL_GUC_TIMEZONE: {
        const sql_tz *tz = NULL;
        rt_err e;
        rt_err_clear(&e);
        if (!sql_tz_from_setting(v, strlen(v), &tz, &e)) tz = sql_tz_utc();
        s->fmt.timezone = tz;
        s->fmt.timezone_name = sql_tz_name(tz);
        break;
    }
    case SQL_GUC_EXTRA_FLOAT_DIGITS: break;
    case SQL_GUC_BYTEA_OUTPUT: s->fmt.bytea_escape = strcmp(v, "escape") == 0; break;
    case SQL_GUC_SEARCH_PATH: {
        rt_free(s->search_path_buf);
        s->search_path_buf = rt_xmalloc(strlen(v) + 1 + ENG_NAME_BYTES * SQL_SEARCH_PATH_MAX);
        char *out = s->search_path_buf;
        s->nsearch = 0;
        const char *p = v;
        while (*p != '\0' && s->nsearch < SQL_SEARCH_PATH_MAX) {
            while (*p == ' ' || *p == ',') p++;
            if (*p == '\0') break;
            char *start = out;
            if (*p == '"') {
                for (p++; *p != '\0'; p++) {
                    if (*p == '"' && p[1] == '"') *out++ = *p++;
                    else if (*p == '"') { p++; break; }
                    else *out++ = *p;
                }
            } else {
                for (; *p != '\0' && *p != ','; p++) {
                    if (*p != ' ') *out++ = (char)tolower((unsigned char)*p);
                }
            }
            *out++ = '\0';
            s->search_path[s->nsearch++] = strcmp(start, "$user") == 0 ? s->user : start;
        }
        break;
    }
    case SQL_GUC_TXN_ISOLATION:
        if (strcmp(name, "default_transaction_isolation") == 0) {
            s->default_isolation = strcmp(v, "repeatable read") == 0 ? ENG_ISO_REPEATABLE_READ
                                                                     : ENG_ISO_READ_COMMITTED;
        }
        break;
    case SQL_GUC_TXN_READ_ONLY:
        if (strcmp(name, "default_transaction_read_only") == 0) {
            s->default_read_only = strcmp(v, "on") == 0;
        } else {
            s->read_only = strcmp(v, "on") == 0;
        }
        break;
    default: break;
    }
    if (strcmp(name, "extra_float_digits") == 0) s->fmt.extra_float_digits = atoi(v);
    if (strcmp(name, "statement_timeout") == 0 || strcmp(name, "lock_timeout") == 0) {
        int64_t ms = 0;
        sql_guc_parse_int(g, v, &ms);
        if (name[0] == 's') s->statement_timeout_ms = ms;
        else s->lock_timeout_ms = ms;
    }
    if (strcmp(name, "client_min_messages") == 0) {
        for (uint8_t i = 0; sql_guc_levels[i] != NULL; i++) {
            if (strcmp(v, sql_guc_levels[i]) == 0) s->client_min_messages = i;
        }
    }
}

void sql_guc_store(sql_session *s, uint32_t idx, const char *v) {
    size_t n = strlen(v);
    char *copy = rt_xmalloc(n + 1);
    memcpy(copy, v, n + 1);
    rt_free(s->guc_values[idx]);
    s->guc_values[idx] = copy;
    s->guc_changes++;
    sql_guc_apply_value(s, idx);
}

static char *sql_guc_dup(const char *v) {
    size_t n = strlen(v);
    char *c = rt_xmalloc(n + 1);
    memcpy(c, v, n + 1);
    return c;
}

bool sql_guc_init(sql_session *s, rt_err *err) {
    (void)err;
    s->guc_values = rt_xcalloc(SQL_GUC_COUNT + SQL_GUC_CUSTOM_MAX, sizeof(char *));
    s->guc_reported = rt_xcalloc(SQL_GUC_COUNT, sizeof(char *));
    s->guc_reset = rt_xcalloc(SQL_GUC_COUNT, sizeof(char *));
    s->guc_reported_changes = UINT64_MAX; /* the first report sends every setting */
    s->fmt.extra_float_digits = 1;
    s->client_min_messages = 6;
    for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) {
        /* Boot values in SHOW's form ("4096" kB shows as "4MB"). */
        char canon[512];
        rt_err e;
        rt_err_clear(&e);
        const sql_guc *g = &sql_gucs[i];
        bool plain = g->kind != GUC_INT || g->def.unit == NULL;
        const char *dflt = atomic_load_explicit(&sql_guc_defaults[i], memory_order_acquire);
        if (dflt != NULL) {
            snprintf(canon, sizeof canon, "%s", dflt); /* canonical when it was set */
        } else if (plain || !sql_guc_canon(s, g, g->def.boot_value, canon, sizeof canon, &e)) {
            snprintf(canon, sizeof canon, "%s", g->def.boot_value);
        }
        sql_guc_store(s, i, canon);
    }
    sql_guc_store(s, (uint32_t)sql_guc_find("session_authorization"), s->user);
    sql_guc_store(s, (uint32_t)sql_guc_find("is_superuser"), s->superuser ? "on" : "off");
    sql_guc_store(s, (uint32_t)sql_guc_find("autovacuum"), eng_vac_autovacuum_on() ? "on" : "off");
    return true;
}

void sql_guc_free(sql_session *s) {
    for (uint32_t i = 0; i < SQL_GUC_COUNT + SQL_GUC_CUSTOM_MAX; i++) rt_free(s->guc_values[i]);
    for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) rt_free(s->guc_reported[i]);
    for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) rt_free(s->guc_reset[i]);
    for (uint32_t i = 0; i < s->nundo; i++) rt_free(s->undo[i].old);
    rt_free(s->guc_values);
    rt_free(s->guc_reported);
    rt_free(s->guc_reset);
    rt_free(s->undo);
    rt_free(s->search_path_buf);
}

/* ---- custom placeholders ("x.y"): stored as "name\0value" after the known settings ---- */

static char **sql_guc_custom_slot(sql_session *s, const char *name, bool create) {
    for (uint32_t i = 0; i < SQL_GUC_CUSTOM_MAX; i++) {
        char **slot = &s->guc_values[SQL_GUC_COUNT + i];
        if (*slot != NULL && strcasecmp(*slot, name) == 0) return slot;
    }
    if (!create) return NULL;
    for (uint32_t i = 0; i < SQL_GUC_CUSTOM_MAX; i++) {
        char **slot = &s->guc_values[SQL_GUC_COUNT + i];
        if (*slot == NULL) return slot;
    }
    return NULL;
}

static void sql_guc_push_undo(sql_session *s, const sql_guc_undo *u);

/* "name\0value" in one block. */
static char *sql_guc_custom_pair(const char *name, const char *value) {
    size_t nl = strlen(name), vl = strlen(value);
    char *c = rt_xmalloc(nl + vl + 2);
    for (size_t i = 0; i <= nl; i++) c[i] = (char)tolower((unsigned char)name[i]);
    memcpy(c + nl + 1, value, vl + 1);
    return c;
}

/* Sets a placeholder; in a transaction (or LOCAL) undone like any setting. Undoing its first
 * SET leaves it with the empty value: PostgreSQL keeps a placeholder once it exists. */
static bool sql_guc_set_custom(sql_session *s, const char *name, const char *value,
                               bool is_local, rt_err *err) {
    char **slot = sql_guc_custom_slot(s, name, true);
    if (slot == NULL) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many custom settings (limit %u)", SQL_GUC_CUSTOM_MAX);
    }
    if (s->in_block || is_local) {
        const char *was = *slot != NULL ? *slot + strlen(*slot) + 1 : "";
        sql_guc_undo u = {.idx = (uint32_t)(slot - s->guc_values),
                          .is_local = is_local || !s->in_block,
                          .old = sql_guc_custom_pair(name, was)};
        sql_guc_push_undo(s, &u);
    }
    rt_free(*slot);
    *slot = sql_guc_custom_pair(name, value);
    return true;
}

/* ---- SET ---- */

static bool sql_guc_check_settable(sql_session *s, int idx, const char *name, rt_err *err) {
    if (idx < 0) {
        if (strchr(name, '.') != NULL) return true;
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%s\"", name);
    }
    const char *ctx = sql_gucs[idx].def.context;
    const char *gname = sql_gucs[idx].def.name;
    if (strcmp(ctx, "internal") == 0 || strcmp(gname, "session_authorization") == 0) {
        return rt_err_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed", gname);
    }
    if (strcmp(ctx, "sighup") == 0) {
        return rt_err_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed now", gname);
    }
    if (strcmp(ctx, "postmaster") == 0) {
        return rt_err_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed without restarting the server",
                          gname);
    }
    if (strcmp(ctx, "sighup") == 0) {
        return rt_err_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed now", gname);
    }
    if (strcmp(ctx, "superuser") == 0 && !s->superuser) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "permission denied to set parameter \"%s\"", gname);
    }
    return true;
}

static bool sql_guc_txn_rules(sql_session *s, const sql_guc *g, const char *canon, rt_err *err) {
    if (g->apply == SQL_GUC_STD_STRINGS && strcmp(canon, "on") != 0) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "standard_conforming_strings cannot be turned off in Dreambase");
    }
    if (g->apply != SQL_GUC_TXN_ISOLATION) return true;
    if (strcmp(g->def.name, "transaction_isolation") == 0 && s->txn_has_query) {
        return rt_err_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    }
    if (strcmp(canon, "serializable") == 0) {
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "SERIALIZABLE isolation is not supported");
        rt_err_hint(err, "Use REPEATABLE READ: Dreambase does not run serializable snapshot "
                         "isolation and will not run a weaker level in its place.");
        return false;
    }
    return true;
}

/* transaction_isolation / transaction_read_only follow the defaults when a transaction
 * starts or ends (SET TRANSACTION changes them inside one, undone at its end). */
void sql_guc_sync_txn(sql_session *s) {
    static const char *const pairs[2][2] = {
        {"transaction_isolation", "default_transaction_isolation"},
        {"transaction_read_only", "default_transaction_read_only"}};
    static _Atomic int cache[2][2] = {{SQL_GUC_UNCACHED, SQL_GUC_UNCACHED},
                                      {SQL_GUC_UNCACHED, SQL_GUC_UNCACHED}};
    for (uint32_t i = 0; i < 2; i++) {
        int to = sql_guc_find_cached(pairs[i][0], &cache[i][0]);
        int from = sql_guc_find_cached(pairs[i][1], &cache[i][1]);
        /* Runs at every transaction's start and end: usually the value is already there. */
        if (strcmp(s->guc_values[to], s->guc_values[from]) == 0) continue;
        sql_guc_store(s, (uint32_t)to, s->guc_values[from]);
    }
}

/* Appends `u` to the undo log. */
static void sql_guc_push_undo(sql_session *s, const sql_guc_undo *u) {
    if (s->nundo == s->undo_cap) {
        s->undo_cap = s->undo_cap ? s->undo_cap * 2 : 16;
        s->undo = rt_xrealloc(s->undo, s->undo_cap * sizeof *s->undo);
    }
    s->undo[s->nundo++] = *u;
}

void sql_guc_note_role(sql_session *s, bool is_local) {
    sql_guc_undo u = {.idx = SQL_GUC_UNDO_ROLE, .is_local = is_local || !s->in_block,
                      .role_oid = s->role_oid, .session_oid = s->session_user_oid};
    sql_guc_push_undo(s, &u);
}

/* Puts back what entry `u` saved (a placeholder's pair moves back into its slot). */
static void sql_guc_undo_apply(sql_session *s, sql_guc_undo *u) {
    if (u->idx == SQL_GUC_UNDO_ROLE) {
        sql_session_role_restore(s, u->role_oid, u->session_oid);
    } else if (u->idx >= SQL_GUC_COUNT) {
        rt_free(s->guc_values[u->idx]);
        s->guc_values[u->idx] = u->old;
        u->old = NULL;
    } else {
        sql_guc_store(s, u->idx, u->old);
    }
}

/* At commit a SET LOCAL is undone unless a plain SET of the same setting came after it (and
 * was not itself rolled back to a savepoint): that value stays. */
static bool sql_guc_undo_at_commit(const sql_session *s, uint32_t i) {
    if (!s->undo[i].is_local) return false;
    for (uint32_t j = i + 1; j < s->nundo; j++) {
        if (s->undo[j].idx == s->undo[i].idx && !s->undo[j].is_local) return false;
    }
    return true;
}

bool sql_session_set_setting(sql_session *s, const char *name, const char *value,
                             bool is_local, const char **shown, rt_err *err) {
    if (strcasecmp(name, "role") == 0) { /* set_config('role', ...), as PostgREST calls it */
        sql_set st = {.hdr = {SQL_N_SET, 0}, .name = "role", .is_local = is_local,
                      .set_kind = value != NULL ? SQL_SET_VALUE : SQL_SET_RESET};
        if (!sql_session_set_role(s, &st, value, err)) return false;
        if (shown != NULL) *shown = sql_session_role_shown(s);
        return true;
    }
    int idx = sql_guc_find(name);
    if (!sql_guc_check_settable(s, idx, name, err)) return false;
    if (idx < 0) {
        if (!sql_guc_set_custom(s, name, value, is_local, err)) return false;
        if (shown != NULL) sql_session_get_setting(s, name, false, shown, err);
        return true;
    }
    const sql_guc *g = &sql_gucs[idx];
    char canon[512];
    if (!sql_guc_canon(s, g, value, canon, sizeof canon, err)) return false;
    if (!sql_guc_txn_rules(s, g, canon, err)) return false;
    bool txn_scoped = g->apply == SQL_GUC_TXN_ISOLATION &&
                      strcmp(g->def.name, "transaction_isolation") == 0;
    if (txn_scoped) {
        s->isolation = strcmp(canon, "repeatable read") == 0 ? ENG_ISO_REPEATABLE_READ
                                                             : ENG_ISO_READ_COMMITTED;
    }
    if (s->in_block || is_local || txn_scoped) {
        sql_guc_undo u = {.idx = (uint32_t)idx, .is_local = is_local || txn_scoped ||
                                                            !s->in_block,
                          .old = sql_guc_dup(s->guc_values[idx])};
        sql_guc_push_undo(s, &u);
    }
    sql_guc_store(s, (uint32_t)idx, canon);
    if (shown != NULL) *shown = s->guc_values[idx];
    return true;
}

uint64_t sql_session_setting_changes(const sql_session *s) { return s->guc_changes; }

bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                             const char **value, rt_err *err) {
    if (strcasecmp(name, "role") == 0) { /* kept as the session's state, not as a string */
        *value = sql_session_role_shown(s);
        return true;
    }
    int idx = sql_guc_find(name);
    if (idx >= 0) {
        *value = s->guc_values[idx];
        return true;
    }
    char **slot = sql_guc_custom_slot(s, name, false);
    if (slot != NULL) {
        *value = *slot + strlen(*slot) + 1;
        return true;
    }
    *value = NULL;
    if (missing_ok) return true;
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                      "unrecognized configuration parameter \"%s\"", name);
}

/* SET TIME ZONE INTERVAL '[+-]HH[:MM]' [HOUR TO MINUTE]: the fixed offset as the POSIX zone
 * PostgreSQL shows for it ('+05:30' is <+05:30>-05:30, '-08:00' is <-08>+08). Other interval
 * forms are 0A000. */
static bool sql_guc_tz_interval(const sql_cast *c, char *buf, size_t cap, rt_err *err) {
    const sql_const *k = (const sql_const *)c->arg;
    int h = 0, m = 0, used = 0;
    char sign = '+';
    const char *t = k->text;
    if (c->arg->kind == SQL_N_CONST && k->const_kind == SQL_CONST_STRING && t != NULL) {
        if (*t == '+' || *t == '-') sign = *t++;
        if (sscanf(t, "%2d:%2d%n", &h, &m, &used) != 2) used = sscanf(t, "%2d%n", &h, &used) == 1
                                                               ? used : 0;
    }
    if (used == 0 || t[used] != '\0' || h > 14 || m > 59) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "SET TIME ZONE INTERVAL is supported for '+HH:MM' offsets only");
    }
    char back = sign == '+' ? '-' : '+'; /* POSIX offsets count west of Greenwich */
    if (m != 0) snprintf(buf, cap, "<%c%02d:%02d>%c%02d:%02d", sign, h, m, back, h, m);
    else snprintf(buf, cap, "<%c%02d>%c%02d", sign, h, back, h);
    return true;
}

/* The text of SET's value list ("a, b" for lists, as PostgreSQL flattens them). */
static bool sql_guc_value_text(const sql_set *st, char *buf, size_t cap, rt_err *err) {
    size_t off = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < st->values.count; i++) {
        const sql_node *n = SQL_LIST_AT(st->values, i);
        const char *text = NULL;
        bool quote = false;
        if (n->kind == SQL_N_CONST) {
            const sql_const *c = (const sql_const *)n;
            text = c->text;
            quote = st->values.count > 1 && c->const_kind == SQL_CONST_STRING &&
                    strcmp(st->name, "search_path") == 0 && strcmp(c->text, "$user") == 0;
        } else if (n->kind == SQL_N_COLUMNREF) {
            const sql_columnref *cr = (const sql_columnref *)n;
            text = cr->name.parts[cr->name.count - 1];
        } else if (n->kind == SQL_N_CAST && strcmp(st->name, "timezone") == 0 &&
                   st->values.count == 1) {
            return sql_guc_tz_interval((const sql_cast *)n, buf, cap, err);
        }
        if (text == NULL) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error in SET value");
        }
        int w = snprintf(buf + off, cap - off, quote ? "%s\"%s\"" : "%s%s", i ? ", " : "", text);
        if (w < 0 || (size_t)w >= cap - off) {
            return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "SET value is too long");
        }
        off += (size_t)w;
    }
    return true;
}

/* A setting the startup packet gave (`options` included) is what RESET returns to in this
 * session, as PostgreSQL's reset value: a pool's RESET ALL keeps the application_name and the
 * -c settings the connection was opened with. Called once the value is stored. */
void sql_guc_startup_set(sql_session *s, const char *name) {
    int idx = sql_guc_find(name);
    if (idx < 0) return;
    rt_free(s->guc_reset[idx]);
    s->guc_reset[idx] = sql_guc_dup(s->guc_values[idx]);
}

/* What RESET returns to in session `s`. */
static const char *sql_guc_session_reset(const sql_session *s, uint32_t idx) {
    return s->guc_reset[idx] != NULL ? s->guc_reset[idx] : sql_guc_reset_value(idx);
}

static void sql_guc_reset_one(sql_session *s, uint32_t idx) {
    const sql_guc *g = &sql_gucs[idx];
    if (strcmp(g->def.context, "user") != 0 && strcmp(g->def.context, "superuser") != 0) return;
    const char *shown;
    rt_err e;
    rt_err_clear(&e);
    sql_session_set_setting(s, g->def.name, sql_guc_session_reset(s, idx), false, &shown, &e);
}

bool sql_guc_set_stmt(sql_session *s, const sql_set *st, rt_err *err) {
    if (st->set_kind == SQL_SET_RESET_ALL) {
        for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) sql_guc_reset_one(s, i);
        return true;
    }
    const char *name = st->name;
    if (strcmp(name, "role") == 0 || strcmp(name, "session_authorization") == 0) {
        char role[ENG_NAME_BYTES * 2];
        if (st->set_kind == SQL_SET_VALUE && !sql_guc_value_text(st, role, sizeof role, err)) {
            return false;
        }
        return sql_session_set_role(s, st, st->set_kind == SQL_SET_VALUE ? role : NULL, err);
    }
    if (strcmp(name, "timezone") == 0) name = "TimeZone";
    if (st->set_kind == SQL_SET_RESET || st->set_kind == SQL_SET_DEFAULT) {
        int idx = sql_guc_find(name);
        if (!sql_guc_check_settable(s, idx, name, err)) return false;
        if (idx < 0) return sql_guc_set_custom(s, name, "", st->is_local, err);
        return sql_session_set_setting(s, name, sql_guc_session_reset(s, (uint32_t)idx),
                                       st->is_local, NULL, err);
    }
    if (st->set_kind != SQL_SET_VALUE) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "SET FROM CURRENT is not supported");
    }
    char value[1024];
    if (!sql_guc_value_text(st, value, sizeof value, err)) return false;
    if (strcmp(name, "TimeZone") == 0 && strcasecmp(value, "local") == 0) {
        return sql_session_set_setting(s, name, "UTC", st->is_local, NULL, err);
    }
    return sql_session_set_setting(s, name, value, st->is_local, NULL, err);
}

void sql_guc_txn_end(sql_session *s, bool committed) {
    for (uint32_t i = s->nundo; i-- > 0;) {
        sql_guc_undo *u = &s->undo[i];
        if (!committed || sql_guc_undo_at_commit(s, i)) sql_guc_undo_apply(s, u);
        rt_free(u->old);
    }
    s->nundo = 0;
}

void sql_guc_rollback_to(sql_session *s, uint32_t nundo) {
    while (s->nundo > nundo) {
        sql_guc_undo *u = &s->undo[--s->nundo];
        sql_guc_undo_apply(s, u);
        rt_free(u->old);
    }
}

/* ---- SHOW and ParameterStatus ---- */

bool sql_guc_show(sql_session *s, const char *name, const sql_sink *sink, rt_err *err) {
    if (strcmp(name, "all") == 0) {
        const char *lines[SQL_GUC_COUNT * 3];
        uint32_t n = 0;
        for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) {
            if (!sql_session_setting_readable(s, sql_gucs[i].def.name)) continue;
            lines[n * 3] = sql_gucs[i].def.name;
            lines[n * 3 + 1] = s->guc_values[i];
            lines[n * 3 + 2] = sql_gucs[i].def.short_desc;
            n++;
        }
        return sql_session_show_all_rows(s, lines, n, sink, err);
    }
    const char *value;
    if (!sql_session_setting_check(s, name, err)) return false;
    if (!sql_session_get_setting(s, name, false, &value, err)) return false;
    const char *label = sql_guc_label(name);
    return sql_session_text_rows(s, label, &value, 1, sink, true, err);
}

/* SHOW's column is named as the setting is registered ("TimeZone" for SHOW timezone), as in
 * PostgreSQL; a name we do not register (a custom placeholder) as given. */
const char *sql_guc_label(const char *name) {
    int idx = sql_guc_find(name);
    return idx >= 0 ? sql_gucs[idx].def.name : name;
}

void sql_session_report_params(sql_session *s,
                               void (*fn)(void *arg, const char *name, const char *value),
                               void *arg) {
    /* Every ReadyForQuery asks: with no setting stored since the last time, none changed. */
    if (s->guc_reported_changes == s->guc_changes) return;
    s->guc_reported_changes = s->guc_changes;
    for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) {
        if (!sql_gucs[i].def.reportable) continue;
        const char *v = s->guc_values[i];
        if (s->guc_reported[i] != NULL && strcmp(s->guc_reported[i], v) == 0) continue;
        fn(arg, sql_gucs[i].def.name, v);
        rt_free(s->guc_reported[i]);
        s->guc_reported[i] = sql_guc_dup(v);
    }
}

/* ---- the server's defaults ---- */

static bool sql_setting_canon(const char *name, const char *value, int *idx, char *buf,
                              size_t cap, rt_err *err) {
    *idx = sql_guc_find(name);
    if (*idx < 0) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%s\"", name);
    }
    const sql_guc *g = &sql_gucs[*idx];
    if (strcmp(g->def.context, "internal") == 0) {
        return rt_err_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed", g->def.name);
    }
    if (!sql_guc_canon(NULL, g, value, buf, cap, err)) return false;
    /* transaction_isolation itself follows default_transaction_isolation. */
    bool txn_only = strcmp(g->def.name, "transaction_isolation") == 0 ||
                    strcmp(g->def.name, "transaction_read_only") == 0;
    if (txn_only) {
        return rt_err_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed", g->def.name);
    }
    return sql_guc_txn_rules(NULL, g, buf, err);
}

bool sql_setting_check(const char *name, const char *value, rt_err *err) {
    char canon[512];
    int idx;
    return sql_setting_canon(name, value, &idx, canon, sizeof canon, err);
}

bool sql_setting_set_default(const char *name, const char *value, const char **canon,
                             rt_err *err) {
    char buf[512];
    int idx;
    if (!sql_setting_canon(name, value, &idx, buf, sizeof buf, err)) return false;
    char *copy = sql_guc_dup(buf);
    char *old = atomic_exchange_explicit(&sql_guc_defaults[idx], copy, memory_order_acq_rel);
    if (old != NULL) {
        sql_guc_retired = rt_xrealloc(sql_guc_retired,
                                      (sql_guc_retired_count + 1) * sizeof(char *));
        sql_guc_retired[sql_guc_retired_count++] = old;
    }
    if (canon != NULL) *canon = copy;
    return true;
}

void sql_setting_defaults_free(void) {
    for (uint32_t i = 0; i < SQL_GUC_COUNT; i++) {
        rt_free(atomic_exchange(&sql_guc_defaults[i], NULL));
    }
    for (uint32_t i = 0; i < sql_guc_retired_count; i++) rt_free(sql_guc_retired[i]);
    rt_free(sql_guc_retired);
    sql_guc_retired = NULL;
    sql_guc_retired_count = 0;
}
