/* eng_actstat.h: tables' activity statistics across a restart (PostgreSQL's cumulative
 * statistics: what pg_stat_user_tables counts, scans and vacuum / analyze counts and times).
 * Owns:    DATADIR/activity.stat, written whole at an orderly stop, read and removed at start.
 * Protocol: as PostgreSQL 15 keeps its statistics file: eng_stop writes it after the shutdown
 *          checkpoints; eng_start reads it back only when the start is clean (eng_clean_start:
 *          the last run stopped in order and its checkpoints all succeeded), and after a crash
 *          removes it unread, so every counter starts from zero. Read or not, it is removed at
 *          start: a crash later never brings back an earlier run's figures. Written as a
 *          .tmp file, synced, renamed.
 * Format:  u32 magic "DBAS", u16 format, u16 flags (0), u32 record count, u32 zero, then per
 *          table u32 oid, u32 zero, u64 storage id, ENG_ACTSTAT_VALUES x u64; u32 crc32c of
 *          everything before it.
 * Values:  the engine's vacuum figures of the table (eng_vac.h), then ENG_ACTSTAT_SQL_VALUES
 *          the SQL layer keeps and gives through the hooks (sql_stats.c says which).
 * Advisory: statistics never stop a start: a damaged file is logged and removed; a record
 *          whose table was dropped, or truncated since (another storage), is skipped.
 * Core:    off the shards (eng_start, eng_stop).
 * Limits:  ENG_ACTSTAT_TABLES_MAX tables are saved (the others start from zero, logged). */
#ifndef ENG_ACTSTAT_H
#define ENG_ACTSTAT_H

#include <stdint.h>

#include "engine/eng_catalog.h"

#define ENG_ACTSTAT_FORMAT 1u
/* As many tables as eng_vac keeps figures for (ENG_VAC_TABLES_MAX table storages). */
#define ENG_ACTSTAT_TABLES_MAX 16384u
#define ENG_ACTSTAT_SQL_VALUES 6u
#define ENG_ACTSTAT_VAC_VALUES 4u
#define ENG_ACTSTAT_VALUES (ENG_ACTSTAT_VAC_VALUES + ENG_ACTSTAT_SQL_VALUES)

/* The SQL layer's figures of table t (all zero: nothing to save). */
typedef void (*eng_actstat_get_fn)(const eng_table *t, uint64_t *values);
/* Gives table t back the figures saved for it at the last orderly stop. */
typedef void (*eng_actstat_put_fn)(const eng_table *t, const uint64_t *values);

/* Installs the SQL layer's hooks (before eng_start; NULL: only the engine's figures). */
void eng_actstat_set_hooks(eng_actstat_get_fn get, eng_actstat_put_fn put);

/* Inside eng_start, after recovery: loads the file when the start is clean, then removes it. */
void eng_actstat_load(void);
/* Inside eng_stop, after the shards stopped: writes the file (a failure is logged). */
void eng_actstat_save(void);

#endif
