/* eng_relstat.h: durable planner statistics of tables (what PostgreSQL keeps in pg_statistic
 * and pg_class.reltuples), stored for the SQL layer as opaque bytes it encodes and decodes.
 * Owns:    DATADIR/stats/: one file per table, t-<oid>.stat, written whole by each ANALYZE.
 * Protocol: a file is written as <name>.<n>.tmp, fsynced, renamed, and the directory
 *          fsynced: a crash leaves the old or the new file whole (leftover .tmp files go at
 *          start). The newest rename wins when two ANALYZEs of one table race.
 * Format:  u32 magic "DBST", u16 format, u16 flags (0), u32 table oid, u32 zero, u64 storage
 *          id, u64 second storage id (0: none), u64 payload length, payload, u32 crc32c of
 *          everything before it.
 * Advisory: statistics only guide the planner, so unlike data a file that is damaged, or stale
 *          (its table dropped, or truncated since: neither storage id is the table's; an unlogged
 *          table emptied by a start after a crash), is logged, deleted and forgotten: it never
 *          stops a start. The SQL layer checks columns itself (dropped or retyped ones).
 * Core:    eng_relstat_save() from a fiber on any shard (its I/O parks the fiber) or off the
 *          shards; the loader runs inside eng_start(), off the shards, after recovery.
 * Errors:  save: 58030/53100 from the file I/O, 54000 past ENG_RELSTAT_BYTES_MAX; the caller
 *          logs them (the statistics stay in memory).
 * Limits:  ENG_RELSTAT_BYTES_MAX. */
#ifndef ENG_RELSTAT_H
#define ENG_RELSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "runtime/rt_err.h"

#define ENG_RELSTAT_FORMAT 1u
/* One table's statistics: 100 MCVs and 101 histogram bounds per column are small unless the
 * values are wide; past this a table keeps its statistics in memory only (a loader reads a
 * whole file into memory at start). */
#define ENG_RELSTAT_BYTES_MAX (256u << 20)

/* Receives the statistics saved for table `t` of the recovered catalog (still current: same
 * storage). False with *err: the bytes are not accepted, the file is logged and deleted. */
typedef bool (*eng_relstat_load_fn)(const eng_table *t, const uint8_t *bytes, size_t len,
                                    rt_err *err);

/* Installs the loader eng_start() calls for every valid file (NULL: files are left alone). */
void eng_relstat_set_loader(eng_relstat_load_fn fn);

/* Makes `bytes` the durable statistics of table `t` (temporary tables: nothing is written,
 * they do not outlive their session). They also hold for the table with storage
 * `rewrite_storage_id` (not 0): the same rows rewritten by an ALTER TABLE not yet committed. */
bool eng_relstat_save(const eng_table *t, uint64_t rewrite_storage_id, const void *bytes,
                      size_t len, rt_err *err);

/* Inside eng_start (eng.c): makes DATADIR/stats, loads every file against the installed
 * catalog. */
void eng_relstat_load_all(void);

#endif
