/* sql_stats_int.h: private parts of the statistics module: one table's statistics, and their
 * saving and loading (sql_stats.c, sql_stats_io.c only). */
#ifndef SQL_STATS_INT_H
#define SQL_STATS_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ck_spinlock.h>

#include "engine/eng_codec.h"
#include "sql/sql_stats.h"

typedef struct sql_col_stats {
    uint32_t type_oid;       /* 0: no statistics for this column */
    double null_frac;
    double ndistinct;        /* distinct non-NULL values in the table (estimate) */
    double stadistinct;      /* PostgreSQL's form of it: a count, or < 0 minus a fraction of
                              * the rows (pg_stats.n_distinct) */
    int32_t avg_width;       /* average stored bytes of the non-NULL values */
    bool has_correlation;
    double correlation;      /* of the values' order with their physical order */
    uint32_t nmcv;
    sql_value *mcv;          /* most common values, most frequent first */
    double *mcv_freq;        /* fraction of all rows */
    double mcv_total;
    uint32_t nhist;
    sql_value *hist;         /* equi-depth bounds of the values that are not MCVs */
    /* Zone maps of the sampled row groups with a non-NULL value (sql_stats_zone_fraction):
     * their minimums and maximums, each sorted, with the rows of the groups up to each. */
    uint32_t nzones;
    int64_t *zone_min, *zone_max;
    double *zone_min_rows, *zone_max_rows;
    double zone_rows;        /* rows of every sampled group (0: no zone statistics) */
    double zone_always;      /* rows of groups no range skips (the chunk not materialised) */
} sql_col_stats;

typedef struct sql_table_stats {
    uint32_t table_oid;
    uint64_t storage_id;     /* the table's storage they were taken of (eng_table.storage_id) */
    uint64_t rewrite_storage_id; /* the same rows rewritten by ALTER TABLE, 0 if none (set under
                                  * the slot's lock: the one field that changes) */
    int core;                /* the shard whose thread made `arena` (it must free it) */
    uint64_t gen;            /* set when published: tells a block from one at its address */
    double rows;
    uint16_t ncols;
    sql_col_stats *cols;     /* [attnum - 1] */
    rt_arena *arena;         /* NULL: loaded at start, in rt_xmalloc blocks (any thread frees) */
    uint8_t *blob;           /* loaded: the saved bytes, which byte values point into */
    struct sql_table_stats *left_next; /* left by an engine stopped before (sql_stats_reset) */
} sql_table_stats;

typedef struct sql_stats_slot {
    ck_spinlock_t lock;
    sql_table_stats *st;
    /* Auto-analyze (tables whose oids share the slot share these: harmless, at worst an
     * extra ANALYZE). */
    _Atomic uint64_t changes;   /* rows written since the statistics were taken */
    _Atomic bool analyzing;     /* a background ANALYZE runs */
    /* pg_stat_user_tables' analyze figures of table `activity_oid`, under `lock` (an
     * orderly stop saves them, the next clean start gives them back: eng_actstat.h). */
    uint32_t activity_oid;
    int64_t last_analyze_us, last_autoanalyze_us;
    uint64_t analyze_count, autoanalyze_count;
    uint64_t seq_scan, idx_scan;  /* scans the table's statements started */
} sql_stats_slot;

/* sql_stats.c: eng_actstat's hooks (ENG_ACTSTAT_SQL_VALUES figures of table t). */
void sql_stats_activity_save(const eng_table *t, uint64_t *values);
void sql_stats_activity_restore(const eng_table *t, const uint64_t *values);
/* sql_stats.c: installs loaded statistics in their empty slot; false (the caller frees them)
 * if the slot is taken. */
bool sql_stats_publish_loaded(sql_table_stats *st);
/* sql_stats.c: before an engine starts, forgets what one that ran before in this process
 * (tests) left: statistics, figures, per-shard scan counts. */
void sql_stats_reset(void);

/* sql_stats_io.c */
/* The bytes eng_relstat_save keeps for `st` (the caller frees out->buf with rt_free). */
void sql_stats_encode(const sql_table_stats *st, eng_codec_w *out);
/* Saves the encoded statistics of t (also valid for `rewrite_storage_id`, 0 if none) durably
 * and frees `saved`; a failure is logged (they stay in memory until the next ANALYZE). */
void sql_stats_save(const eng_table *t, uint64_t rewrite_storage_id, eng_codec_w *saved);
/* Frees the blocks of loaded statistics (not `st` itself). */
void sql_stats_free_loaded(sql_table_stats *st);

#endif
