/* eng_int.h: private state of the engine service (eng*.c only). */
#ifndef ENG_INT_H
#define ENG_INT_H

#include <stdatomic.h>

#include "engine/eng.h"

typedef struct eng_pmap_entry {
    uint64_t hash; /* 0 = empty */
    uint64_t storage_id;
    uint32_t partno;
    eng_part *part;
} eng_pmap_entry;

/* (storage id, partition number) -> partition. */
typedef struct eng_pmap {
    eng_pmap_entry *entries;
    uint32_t cap, count;
} eng_pmap;

typedef struct eng_shard {
    eng_wal *wal;
    eng_pmap parts;
    /* The WAL pin of each transaction prepared here and not yet applied or aborted, by
     * transaction slot (pin + 1; 0 = none); allocated at the first PREPARE. */
    uint64_t *prepare_pins;
} eng_shard;

typedef struct eng_engine {
    char data_dir[400];
    uint32_t shard_count;
    uint32_t boot;
    int lock_fd;
    eng_shard *shards;
    eng_pmap recovered;      /* partitions rebuilt by recovery, until their shards take them */
    uint32_t clean_boot;     /* the last run ended by an orderly shutdown of this boot, or 0 */
    _Atomic uint64_t next_gid;
    _Atomic uint32_t shards_recovered; /* shards done with their partitions' graphs */
} eng_engine;

extern eng_engine eng_global;

eng_shard *eng_shard_self(void);
/* This shard's WAL, or NULL with 57P01 once it is gone (the shard stopped). */
eng_wal *eng_shard_wal_open(rt_err *err);
eng_part *eng_pmap_get(eng_pmap *m, uint64_t storage_id, uint32_t partno);
void eng_pmap_put(eng_pmap *m, uint64_t storage_id, uint32_t partno, eng_part *part);
void eng_pmap_free(eng_pmap *m, bool destroy_parts);

/* Tests only: called by eng_txn_finish_commit of a multi-shard transaction at these points
 * (to checkpoint right then). NULL normally. */
enum { ENG_TEST_PREPARED = 1, /* every participant prepared, the decision not yet logged */
       ENG_TEST_DECIDED = 2   /* the decision is durable, no participant applied it yet */ };
extern void (*eng_test_hook)(int point, void *arg);
extern void *eng_test_hook_arg;

/* eng_recover.c: installs the recovered catalog and fills eng_global.recovered (partitions
 * loaded from their checkpoints, then the WAL tail replayed). */
bool eng_recover(const char *superuser, rt_err *err);

/* eng_seq.c */
void eng_seq_init(void);
void eng_seq_free(void);
void eng_seq_recover(uint32_t db_oid, uint32_t seq_oid, int64_t value, bool is_called);
/* After recovery from a crash: unlogged sequences start again from their definition. */
void eng_seq_reset_unlogged(void);
/* Calls fn for every sequence with state, with the value a restart must continue from (for
 * the catalog checkpoint; eng_seq_recover takes it back). */
void eng_seq_each(void (*fn)(void *arg, uint32_t db_oid, uint32_t seq_oid, int64_t value,
                             bool is_called),
                  void *arg);

#endif
