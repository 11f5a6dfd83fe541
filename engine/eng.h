/* eng.h: the storage engine as a service to the SQL layer.
 * Owns:    the data directory (its lock file, boot counter, WAL, checkpoints), the partitions
 *          of every shard, the WAL of every shard, sequences' state, and the commit protocol.
 * Core:    eng_start() before the shards run (it recovers); eng_shard_start() on each shard in
 *          its on_start hook; everything else on shard threads.
 * Partitions: partition p of a table lives on shard p % shard_count; a shard creates its
 *          partitions on first use and adapts them when the table's definition changes.
 * Commit:  a transaction that wrote on one shard commits with one WAL record there; one that
 *          wrote on several prepares on each (durable), then the coordinator's shard logs the
 *          decision (durable) before any participant applies it (two-phase commit inside the
 *          process). Catalog changes ride in the decision record.
 * Errors:  rt_err; a failed WAL write or fsync stops the server (eng_wal.h). */
#ifndef ENG_H
#define ENG_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_catalog.h"
#include "engine/eng_ckpt.h"
#include "engine/eng_part.h"
#include "engine/eng_relstat.h"
#include "engine/eng_tx.h"
#include "engine/eng_txn.h"
#include "engine/eng_vac.h"
#include "engine/eng_wal.h"
#include "runtime/rt_err.h"

typedef struct eng_config {
    const char *data_dir;
    const char *superuser;     /* bootstrap superuser of a fresh data directory */
    uint32_t shard_count;
    /* Zero for the defaults; tests and benchmarks set them. */
    uint64_t wal_segment_bytes;    /* ENG_WAL_SEGMENT_BYTES */
    uint64_t checkpoint_wal_bytes; /* ENG_CKPT_WAL_TRIGGER_BYTES; UINT64_MAX: never by volume */
    bool no_checkpoint_at_stop;    /* skip the shutdown checkpoint (to measure WAL replay) */
    /* Give replayed rows their vector graph nodes on the recovering thread, one partition after
     * the other, instead of each shard doing its partitions' in parallel (to measure both). */
    bool replay_graphs_serial;
} eng_config;

/* Locks and opens the data directory (initialising it when empty), recovers the catalog and
 * every partition from checkpoints and WAL, then loads the planner's saved statistics
 * (eng_relstat.h) and, after a clean stop, the tables' activity statistics (eng_actstat.h).
 * Unlogged tables keep the rows of their shutdown checkpoint only after an
 * orderly shutdown; after a crash they start empty. Off the shards, before they start. */
bool eng_start(const eng_config *config, rt_err *err);
/* Deletes the WAL the shutdown checkpoints cover, saves the activity statistics, frees
 * everything (after the shards stopped). */
void eng_stop(void);
/* Per shard, in on_start: takes over its recovered partitions, gives the rows the WAL replay
 * stored their vector graph nodes and adapts the partitions to the recovered catalog (indexes
 * created after their checkpoint are built; every shard its own partitions', in parallel),
 * then waits until every shard has (or the runtime stops) and opens this shard's WAL. So no
 * shard serves before recovery is complete everywhere. */
bool eng_shard_start(rt_err *err);
/* Per shard, in on_stop: checkpoints the shard's partitions, unlogged tables' included (in a
 * fiber the runtime drains), then flushes and closes the WAL. */
void eng_shard_stop(void);

/* True if the last run ended with an orderly shutdown whose checkpoints all succeeded:
 * unlogged tables kept their rows. False after a crash (they started empty, as PostgreSQL's
 * do). */
bool eng_clean_start(void);

uint32_t eng_shard_count(void);
static inline uint32_t eng_partition_owner(uint32_t partition_no, uint32_t shard_count) {
    return partition_no % shard_count;
}
/* Partition `partition_no` of table `t` on this shard (created on first use). */
eng_part *eng_partition(const eng_table *t, uint32_t partition_no);
/* Makes every partition of `t` (a transaction's draft definition, or the committed one) follow
 * its definition now, each shard adapting its own in parallel: CREATE INDEX builds its B-tree
 * in every partition within the statement and starts vector graph rebuilds, instead of at the
 * partitions' first use. From a fiber; parks until all shards are done. False with the first
 * index build's error (54000 for a key past ENG_BTREE_KEY_BYTES_MAX). */
bool eng_table_adapt(const eng_table *t, rt_err *err);
eng_wal *eng_shard_wal(void);
const char *eng_data_dir(void);

/* ---- transactions (coordinator side, on the session's shard) ---- */

typedef struct eng_txn_ctx {
    eng_txn_id id;
    uint64_t gid;              /* durable transaction number (WAL records) */
    uint64_t participants;     /* bit s: the transaction wrote on shard s */
    eng_catalog *draft;        /* catalog changes to publish at commit, NULL if none */
    bool holds_ddl_lock;
    bool sync;                 /* synchronous_commit */
} eng_txn_ctx;

bool eng_txn_start(eng_txn_ctx *t, rt_err *err);
/* The number the next transaction will get (pg_stat_activity's backend_xmin horizon). */
uint64_t eng_txn_next_gid(void);
/* Commits: durable before it returns true. On failure the transaction is aborted. */
bool eng_txn_finish_commit(eng_txn_ctx *t, rt_err *err);
void eng_txn_finish_abort(eng_txn_ctx *t);
/* ROLLBACK TO SAVEPOINT: undo writes of commands >= `command` on every participant. */
void eng_txn_rollback_to(eng_txn_ctx *t, uint32_t command);

/* ---- sequences (not transactional, as PostgreSQL's) ---- */
/* nextval: the next value of sequence `s` in database `db_oid`; 2200H at the end. */
bool eng_seq_next(uint32_t db_oid, const eng_sequence *s, int64_t *value, rt_err *err);
/* setval(s, value, is_called). */
bool eng_seq_set(uint32_t db_oid, const eng_sequence *s, int64_t value, bool is_called,
                 rt_err *err);
/* The last value handed out (for currval the session keeps its own). */
bool eng_seq_peek(uint32_t db_oid, const eng_sequence *s, int64_t *last_value, bool *is_called);

#endif
