/* eng_ckpt.h: checkpoints of partitions and of the catalog, and WAL trimming.
 * Owns:    DATADIR/ckpt/: one file per partition checkpoint (p-<storage>-<partno>-<id>.ckp)
 *          and per catalog checkpoint (catalog-<id>.ckp); the checkpoint rounds and the
 *          per-shard registry of the newest durable checkpoint of each partition.
 * Protocol: a file is written as <name>.tmp, fsynced, renamed, and the directory fsynced; only
 *          then are older files of the same partition and WAL segments no checkpoint needs
 *          deleted. A crash at any point leaves either the old or the new file complete, never
 *          a torn one under a .ckp name (leftover .tmp files are removed at start).
 * Contents: a partition checkpoint holds every slot of the partition as of its capture (slot
 *          numbers kept, so indexes that name slots, like HNSW graphs, load as they were): the
 *          column values, which slots are committed as of the checkpoint's snapshot (the others
 *          load as dead versions), the hidden row id counter, and the extra data of the hooks.
 *          It records from which WAL position (per shard of its boot) replay must start: the
 *          floors (eng_wal.h) read just before its snapshot, so prepared or committing
 *          transactions the snapshot does not hold are replayed. The catalog checkpoint holds
 *          the catalog version and the sequences' logged values, with its own floors.
 * Rounds:  a round writes the catalog checkpoint, then every shard checkpoints its own logged
 *          partitions in a fiber sliced with rt_fiber_maybe_yield (the shard keeps serving),
 *          keeping the checkpoint of a partition the WAL has nothing newer of (unchanged),
 *          then each shard deletes its WAL segments below the lowest position any checkpoint
 *          still needs (and segments of older boots once every checkpoint is of this boot).
 *          One round at a time. A shard starts a round in the background once it has appended
 *          ENG_CKPT_WAL_TRIGGER_BYTES since its last one; orderly shutdown checkpoints every
 *          shard (eng_shard_stop) and trims once the shards stopped (eng_stop).
 * Unlogged: tables without WAL are checkpointed only at an orderly shutdown; when every shard's
 *          shutdown checkpoint succeeded, DATADIR/clean_shutdown records that boot. The next
 *          start loads those files only if the marker names the boot that wrote them, then
 *          deletes them and the marker: after a crash unlogged tables start empty, as
 *          PostgreSQL's.
 * Core:    eng_checkpoint_all() from a fiber on any shard; recovery (eng_recover.c) off the
 *          shards.
 * Format:  little-endian, versioned (ENG_CKPT_FORMAT), every byte validated on load: a header
 *          with its crc32c, then sections [u32 type][u32 crc32c of body][u64 length][body],
 *          closed by an END section. Rows are stored per row group as bulk column arrays
 *          (null bytes, fixed-width values, varlen lengths + bytes, vector floats) copied into
 *          the column store as they are.
 * Errors:  writing: the file I/O's 58030/53100 (the round fails, nothing is trimmed, the
 *          server goes on: the WAL still holds everything); loading: XX001 data_corrupted for
 *          any damage, refusing to start rather than serving wrong data.
 * Limits:  ENG_CKPT_SECTION_BYTES_MAX per section: a row group whose values exceed it cannot be
 *          checkpointed (54000; the WAL is kept). */
#ifndef ENG_CKPT_H
#define ENG_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/eng_part.h"
#include "runtime/rt_err.h"

#define ENG_CKPT_FORMAT 1u
/* WAL a shard appends before it starts a checkpoint round: bounds the WAL a restart replays
 * and keeps on disk to a few times this per shard. */
#define ENG_CKPT_WAL_TRIGGER_BYTES (256ull << 20)
/* One section of a checkpoint file (a row group's column arrays, a chunk of hook data): a
 * loader allocates this much at most at once. */
#define ENG_CKPT_SECTION_BYTES_MAX (1ull << 30)

/* Checkpoints every partition and the catalog now and trims the WAL (the SQL CHECKPOINT).
 * From a fiber on a shard; waits for a running round to end first. */
bool eng_checkpoint_all(rt_err *err);

/* ---- hooks for extra per-partition data (the HNSW graphs of vector columns) ---- */

/* Receives the next `len` bytes of the hook's stream (the writer may park the fiber). */
typedef bool (*eng_ckpt_write_fn)(void *ctx, const void *bytes, size_t len, rt_err *err);
/* Fills buf with up to `len` next bytes; *got < len only at the end of the stream. */
typedef bool (*eng_ckpt_read_fn)(void *ctx, void *buf, size_t len, size_t *got, rt_err *err);

typedef struct eng_ckpt_hooks {
    /* Streams the partition's extra data as of the call (on its shard; may yield; shards call
     * it at the same time for their own partitions). It is called right after the capture,
     * so it names only slots the checkpoint holds. NULL: no extra data is written, and
     * checkpoints keep only committed rows (slot numbers change at a restart). */
    bool (*save)(eng_part *p, rt_err *err, eng_ckpt_write_fn write, void *write_ctx);
    /* Reads it back after the partition's rows are loaded at their old slots (off the
     * shards, at start). Called only for partitions whose checkpoint has extra data; a stream
     * it does not accept is XX001. */
    bool (*load)(eng_part *p, rt_err *err, eng_ckpt_read_fn read, void *read_ctx);
} eng_ckpt_hooks;

/* Installs the hooks (before eng_start; NULL removes them). */
void eng_ckpt_set_hooks(const eng_ckpt_hooks *hooks);

/* ---- for vacuum ---- */

/* The snapshot a checkpoint of shard `core` reads at the moment (UINT64_MAX if none): versions
 * it can see must stay. */
uint64_t eng_ckpt_oldest_snapshot(uint32_t core);
/* True while a checkpoint writes partition `p`: vacuum frees no slot of it meanwhile (the
 * writer reads row groups between yields). */
bool eng_ckpt_writing(const eng_part *p);

/* ---- figures (tests, monitoring) ---- */

typedef struct eng_ckpt_stats {
    /* checkpoints written since eng_start */
    uint64_t rounds;
    uint64_t partitions_written;
    uint64_t rows_written;         /* committed rows */
    uint64_t bytes_written;
    uint64_t segments_removed;     /* WAL segments deleted by trimming */
    uint64_t round_failures;
    /* the last recovery */
    uint64_t recovered_checkpoints;  /* partition checkpoints loaded */
    uint64_t recovered_rows;         /* committed rows loaded from them */
    uint64_t recovered_segments;     /* WAL segments read */
    uint64_t replayed_records;       /* redo records applied from the WAL */
    uint64_t skipped_records;        /* redo records already in a checkpoint (or dropped) */
    uint64_t recovery_ns;
} eng_ckpt_stats;

eng_ckpt_stats eng_ckpt_get_stats(void);

#endif
