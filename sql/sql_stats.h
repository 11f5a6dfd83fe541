/* sql_stats.h: table statistics for the cost-based planner, and the selectivity estimates it
 * draws from them (PostgreSQL's model: null fraction, distinct count, most common values with
 * frequencies, an equi-depth histogram of the rest).
 * Owns:    the statistics of every analysed table, by table oid, process-wide.
 * Core:    sql_stats_analyze from a fiber on any shard (it samples every partition on its
 *          owning shard over the rings); estimates from any shard.
 * Memory:  one immutable block per table (values copied in); replaced whole by the next
 *          ANALYZE. Readers copy what they need under a per-table spin lock held for a few
 *          comparisons, so a replaced block can be freed at once.
 * Durable: each ANALYZE (manual or automatic) saves the table's statistics (eng_relstat.h);
 *          eng_start loads them back, so a restart plans from the same figures (PostgreSQL's
 *          pg_statistic). Statistics describe one storage of the table: after TRUNCATE (new
 *          storage) they are stale and ignored, as are those of a dropped or retyped column;
 *          a rewrite by ALTER TABLE carries them over. A damaged file is logged and dropped,
 *          never stops a start.
 * Sampling: up to SQL_STATS_SAMPLE_ROWS rows per table, a reservoir per partition sized by the
 *          partition's share of the table's rows.
 * Limits:  SQL_STATS_TABLES_MAX tables with statistics (older entries are evicted). */
#ifndef SQL_STATS_H
#define SQL_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "engine/eng_part.h"
#include "sql/sql_expr.h"

#define SQL_STATS_SAMPLE_ROWS 30000u  /* PostgreSQL's default_statistics_target 100 * 300 */
#define SQL_STATS_MCV_MAX 100u
#define SQL_STATS_HIST_BOUNDS 101u
#define SQL_STATS_TABLES_MAX 4096u
/* Selectivities PostgreSQL assumes without statistics (selfuncs.h). */
#define SQL_SEL_DEFAULT_EQ 0.005
#define SQL_SEL_DEFAULT_INEQ (1.0 / 3.0)
#define SQL_SEL_DEFAULT_MATCH 0.005
#define SQL_SEL_DEFAULT_UNKNOWN 0.5

struct sql_exec_ctx;

/* Installs the loader of saved statistics (before eng_start; sql_session_global_init). */
void sql_stats_init(void);

/* Samples table `t` (as of the statement's snapshot in x), publishes its statistics and saves
 * them (a failure to save is logged: they stay in memory). `undo` NULL: outside a transaction
 * (they are final). Else ANALYZE inside a transaction, as PostgreSQL's (whose pg_statistic
 * rows are MVCC): the column statistics serve the transaction's own plans at once (the
 * session passes its undo list to the planner: sql_stats_plan_params_begin) and other
 * sessions' only once it commits, when they are also saved; a rollback of it, or of the
 * savepoint (level) they were taken after, drops them. The row count goes to every session at
 * once and stays after a rollback, as PostgreSQL's pg_class.reltuples does (ANALYZE updates
 * it in place, not transactionally). An entry is pushed on *undo for sql_stats_undo_end. */
typedef struct sql_stats_undo sql_stats_undo;
bool sql_stats_analyze(struct sql_exec_ctx *x, const eng_table *t, sql_stats_undo **undo,
                       uint32_t level, rt_err *err);
/* Transaction end (commit: publishes and saves its statistics; else drops them) or
 * ROLLBACK TO / a failed statement's subtransaction (commit false, the entries of `level` and
 * deeper). Tables of database `db_oid`. From a fiber. */
void sql_stats_undo_end(sql_stats_undo **undo, uint32_t db_oid, uint32_t level, bool commit);
/* RELEASE SAVEPOINT: entries deeper than `level` now belong to it. */
void sql_stats_undo_merge(sql_stats_undo *undo, uint32_t level);
/* Auto-analyze, PostgreSQL's autovacuum_analyze rule: after 50 + 10% of the table's rows
 * changed since the last statistics, a background ANALYZE runs in a fiber of the shard that
 * noted the change (one at a time per table; never for a table WITH (autovacuum_enabled =
 * off), as PostgreSQL's). A table the planner finds without statistics
 * (a new table, or one truncated or rewritten) gets one at once.
 * Changes are noted once their transaction has committed (as PostgreSQL counts them at
 * transaction end): noted earlier, the ANALYZE could sample the table before the rows are
 * visible, publish the old row count and count the changes as seen, so a bulk COPY would
 * leave statistics of an empty table (and cross joins in the plans) until the next ANALYZE. */
#define SQL_STATS_AUTO_BASE 50.0
#define SQL_STATS_AUTO_SCALE 0.1
void sql_stats_note_changes(uint32_t table_oid, uint64_t rows);
void sql_stats_note_unknown(const eng_table *t);

/* ALTER TABLE is rewriting table t's rows into new storage `storage_id`: its statistics
 * hold for the new storage too (those of a retyped column are ignored: its type changed), as
 * PostgreSQL keeps them (from a fiber: they are saved again); `mine`, the undo list of the
 * transaction that rewrites, has its own statistics of t follow too. */
void sql_stats_rewritten(const sql_stats_undo *mine, const eng_table *t, uint64_t storage_id);

/* Forgets a table's statistics (DROP TABLE, TRUNCATE). */
void sql_stats_forget(uint32_t table_oid);

/* Rows the planner expects in table t: the engine's live-row estimates of its partitions when
 * known to the caller, else the last ANALYZE's count; -1 when neither is known. */
double sql_stats_rows(const eng_table *t);
/* True if the table has been analysed. */
bool sql_stats_known(const eng_table *t);

/* Distinct non-NULL values of column `attnum` of t and the fraction of NULLs, from the last
 * ANALYZE; false when unknown (the join planner then assumes a key). */
bool sql_stats_distinct(const eng_table *t, uint16_t attnum, double *ndistinct,
                        double *null_frac);

/* pg_stat_user_tables' figures of ANALYZE for a table (zeros when never analysed; kept over
 * an orderly restart, reset by a crash: eng_actstat.h), and the rows changed since its statistics (n_mod_since_analyze). */
typedef struct sql_stats_activity {
    int64_t last_analyze_us, last_autoanalyze_us;   /* Unix epoch, 0: never */
    uint64_t analyze_count, autoanalyze_count;
    uint64_t mod_since_analyze;
    uint64_t seq_scan, idx_scan;
} sql_stats_activity;
void sql_stats_activity_get(uint32_t table_oid, sql_stats_activity *out);
/* pg_stat_reset(): the table's scan counts and ANALYZE figures start again from zero. */
void sql_stats_activity_reset(uint32_t table_oid);
/* A statement started a scan of table `table_oid`: sequential, or through an index (the
 * primary key's or another). */
void sql_stats_note_scan(uint32_t table_oid, bool index);

/* One column's statistics as PostgreSQL's pg_stats shows them. */
typedef struct sql_stats_view {
    double null_frac;
    int32_t avg_width;
    double n_distinct;       /* a count, or < 0 minus the fraction of the rows */
    uint32_t nmcv;
    sql_value *mcv;          /* most common first */
    double *mcv_freq;
    uint32_t nhist;
    sql_value *hist;
    bool has_correlation;
    double correlation;
} sql_stats_view;

/* The statistics of column `attnum` of t, values copied into `arena`, as the transaction whose
 * undo list is `mine` sees them (its own ANALYZE's first); false when it has none that still
 * describe it (or `arena` is exhausted). */
bool sql_stats_view_get(const sql_stats_undo *mine, const eng_table *t, uint16_t attnum,
                        rt_arena *arena, sql_stats_view *out);

/* The fraction of t's rows that satisfy `pred`, an expression whose COLUMN references are
 * positions into attnums[] (columns of t, as a SCAN reads them). Parameters count as unknown
 * values, unless a custom plan is being made (sql_stats_plan_params). Never fails: shapes it
 * cannot judge get PostgreSQL's defaults. */
double sql_stats_selectivity(const eng_table *t, const uint16_t *attnums, uint32_t natts,
                             const sql_expr *pred);

/* ---- parameters of a custom plan ----
 * A prepared statement planned after Bind (a custom plan, as PostgreSQL makes for its first
 * executions) knows its parameter values: between sql_stats_plan_params_begin and _end on
 * this thread, the estimates (selectivity, zone maps) read $n as values[n-1] (NULL: a generic
 * plan, $n unknown), and the statistics of the tables the planning session's transaction
 * analysed are those in `mine`, its undo list (NULL: none, the shared ones). */
void sql_stats_plan_params_begin(const sql_value *values, uint32_t n,
                                 const sql_stats_undo *mine);
void sql_stats_plan_params_end(void);

/* The value $param (1-based) is bound to in the plan being made; NULL for a generic plan. */
const sql_value *sql_stats_plan_param(uint32_t param);

/* ---- zone maps (the row groups a range condition lets a scan skip) ----
 * ANALYZE also reads the zone map (min and max) of every row group of the columns whose
 * stores keep one (int2/int4/int8, date, timestamp[tz]: sql_value.i64 in the type's order;
 * text, varchar, char(n), bytea, uuid: keys of eng_zone_value_key),
 * a reservoir of up to SQL_STATS_ZONES_MAX groups per shard, each weighted by its rows. */
#define SQL_STATS_ZONES_MAX 4096u

/* The order family of a type whose zone maps the store keeps (the integer types compare with
 * each other, so do text and varchar); 0 for the others. A range `col op const` is checked
 * against the zone maps when both sides are of one family (sql_exec_scan.c). */
#define SQL_STATS_ZONE_BYTES_FAMILY 5 /* the first family of byte-ordered types */
static inline int sql_stats_zone_family(uint32_t type_oid) {
    switch (type_oid) {
    case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8: return 1;
    case SQL_T_DATE: return 2;
    case SQL_T_TIMESTAMP: return 3;
    case SQL_T_TIMESTAMPTZ: return 4;
    case SQL_T_TEXT: case SQL_T_VARCHAR: return SQL_STATS_ZONE_BYTES_FAMILY;
    case SQL_T_BYTEA: return SQL_STATS_ZONE_BYTES_FAMILY + 1;
    case SQL_T_UUID: return SQL_STATS_ZONE_BYTES_FAMILY + 2;
    case SQL_T_BPCHAR: return SQL_STATS_ZONE_BYTES_FAMILY + 3; /* keys without trailing spaces */
    default: return 0;
    }
}

/* The zone-map key of a non-NULL value of a zone family's type: the value itself for the
 * integer families (*exact), else its key (eng_zone_bytes_key: not exact, so a strict bound
 * must not be moved by one). */
static inline int64_t sql_stats_zone_key(const sql_value *v, bool *exact) {
    *exact = sql_stats_zone_family(v->type_oid) < SQL_STATS_ZONE_BYTES_FAMILY;
    return *exact ? v->i64 : eng_zone_value_key(v->type_oid, v->b.ptr, v->b.len);
}

/* The fraction of t's rows in row groups whose zone map of column `attnum` admits a value in
 * [lo, hi] (inclusive): the share of the table a scan reads when it skips the others. 1 when
 * unknown (no statistics, or none for that column). Two binary searches. */
double sql_stats_zone_fraction(const eng_table *t, uint16_t attnum, int64_t lo, int64_t hi);

#endif
