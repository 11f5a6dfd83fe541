/* eng_vac.h: vacuum: reclaiming the row versions no snapshot can see any more.
 * Owns:    the snapshot registry of every shard (which readers still read as of which commit
 *          timestamp) and the horizon drawn from it; the process-wide vacuum statistics of
 *          every table storage (live and dead versions, vacuum counts and times); each shard's
 *          autovacuum timer and fiber.
 * Horizon: a reader registers before it reads the commit clock for its snapshot
 *          (eng_snap_register), so its snapshot is never older than its registration; a shard
 *          publishes the oldest registration it holds (eng_txn_publish_oldest). The horizon is
 *          the oldest of: the clock, every shard's published value, and every running
 *          checkpoint's snapshot. A version whose end committed at or before the horizon, or
 *          whose insert was undone (begin ENG_TS_INF), is dead for every snapshot now and later.
 * Pass:    eng_vac_partition runs on the partition's shard in the calling fiber and yields
 *          between row groups (never a long stall). It (1) sweeps the slots: for each dead
 *          version it unlinks every dead version of that key from the version chain (or drops
 *          the primary-key entry when none is left), removes their secondary-index entries and
 *          marks their graph nodes dead (state DYING, eng_part_int.h); (2) removes the dead
 *          nodes from the HNSW graphs, repairing their neighbours' lists (eng_hnsw_vacuum);
 *          (3) frees the DYING slots' values and puts them on the partition's free list, where
 *          writes take slots before making new ones; a row group whose slots are all free gives
 *          its column chunks back. Slots are freed only while no checkpoint writes the
 *          partition, and checkpoints wait while step 2 runs (a graph is saved whole).
 * Durable: nothing here is logged. The WAL names rows by key, never by slot, so replay does
 *          not care where a row lives; a checkpoint writes a DYING or free slot as a dead
 *          version, which the first pass after a restart takes again. A crash at any point of a
 *          pass therefore loses nothing.
 * Autovacuum: every ENG_AUTOVAC_NAPTIME_NS each shard looks at its partitions; one whose table
 *          has more than ENG_AUTOVAC_BASE + ENG_AUTOVAC_SCALE x live dead versions (PostgreSQL's
 *          autovacuum_vacuum_threshold and _scale_factor) is vacuumed in a background fiber,
 *          unless the table says autovacuum_enabled = off or autovacuum is off for the server.
 * Core:    registrations, passes and the timer on shard threads; statistics from anywhere.
 * Memory:  a pass allocates its list of taken slots (rt_xmalloc) and frees it at its end; a
 *          registration lives in its caller's memory (a session, a stack frame) until
 *          eng_snap_unregister.
 * Errors:  a pass fails only when relinking graph nodes meets the graph's memory bound (54000);
 *          its taken slots then stay out of every chain and index for the next pass.
 * Limits:  ENG_VAC_TABLES_MAX table storages with statistics (past it a table's totals are
 *          not kept: pg_stat_user_tables reads zero for it and autovacuum judges its partitions
 *          by their own counts). */
#ifndef ENG_VAC_H
#define ENG_VAC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

typedef struct eng_part eng_part;
typedef struct eng_table eng_table;

/* PostgreSQL's autovacuum_vacuum_threshold and autovacuum_vacuum_scale_factor. */
#define ENG_AUTOVAC_BASE 50.0
#define ENG_AUTOVAC_SCALE 0.2
/* How often a shard looks for work: PostgreSQL naps a minute between rounds per database; a
 * look here is a walk over the shard's partitions' counters, cheap enough to do every second,
 * which keeps memory under a steady update load close to the threshold. */
#define ENG_AUTOVAC_NAPTIME_NS (1000ull * 1000u * 1000u)
/* Table storages with statistics: a fixed table, so counting never allocates or locks. */
#define ENG_VAC_TABLES_MAX 16384u

/* ---- snapshot registry ---- */

typedef struct eng_snap_reg {
    uint64_t ts;                      /* the clock when registered: <= any snapshot read after */
    struct eng_snap_reg *prev, *next;
    uint32_t core;
    bool active;
} eng_snap_reg;

/* Registers a reader on this shard (r zeroed or unregistered). Read the snapshot after. */
void eng_snap_register(eng_snap_reg *r);
/* Ends a registration (no-op when not registered), on the shard that made it. */
void eng_snap_unregister(eng_snap_reg *r);
/* Versions that ended at or before this are dead for every reader, now and later. */
uint64_t eng_vac_horizon(void);

/* ---- vacuuming ---- */

typedef enum eng_vac_kind { ENG_VAC_MANUAL = 1, ENG_VAC_AUTO } eng_vac_kind;

typedef struct eng_vac_result {
    uint64_t scanned;          /* slots looked at */
    uint64_t removed;          /* dead versions reclaimed (slots freed) */
    uint64_t dead_kept;        /* ended versions an open snapshot may still read */
    uint64_t live;             /* versions live now */
    uint64_t nodes_removed;    /* HNSW nodes removed */
    uint64_t rowgroups_freed;  /* row groups whose chunks were given back */
} eng_vac_result;

/* Vacuums partition p now, in the calling fiber on p's shard (yields). One pass at a time per
 * partition: a second caller waits for the running one and returns its figures' share of
 * nothing. Errors only from the graphs (54000 memory bound while relinking). */
bool eng_vac_partition(eng_part *p, eng_vac_kind kind, eng_vac_result *out, rt_err *err);

/* ---- statistics ---- */

typedef struct eng_vac_tstat {
    _Atomic uint64_t storage_id;  /* 0: unused */
    _Atomic int64_t live, dead;
    _Atomic uint64_t vacuum_count, autovacuum_count;
    _Atomic int64_t last_vacuum_us, last_autovacuum_us; /* Unix epoch; 0 = never */
} eng_vac_tstat;

typedef struct eng_vac_stats {
    int64_t live, dead;
    uint64_t vacuum_count, autovacuum_count;
    int64_t last_vacuum_us, last_autovacuum_us;
} eng_vac_stats;

/* The statistics entry of a table storage (created on first use); NULL past the limit. */
eng_vac_tstat *eng_vac_tstat_of(uint64_t storage_id);
/* Totals of a table storage (all zero when it has none). */
eng_vac_stats eng_vac_stats_get(uint64_t storage_id);
/* pg_stat_reset(): the storage's vacuum counts and times start again from zero (not its row
 * counts, which autovacuum works from). */
void eng_vac_stats_reset(uint64_t storage_id);
/* A manual pass over a whole table finished (counted once per table, not per partition). */
void eng_vac_note_manual(uint64_t storage_id);

/* ---- autovacuum ---- */

/* The server setting `autovacuum` (on unless the server was started with it off). */
void eng_vac_set_autovacuum(bool on);
bool eng_vac_autovacuum_on(void);
/* The table option autovacuum_enabled from its options text ("autovacuum_enabled=off"). */
bool eng_vac_table_enabled(const eng_table *t);
/* Autovacuum passes started since the process started (tests). */
uint64_t eng_vac_auto_passes(void);
/* Per shard, from eng_shard_start / eng_shard_stop. */
void eng_vac_shard_start(void);
void eng_vac_shard_stop(void);

#endif
