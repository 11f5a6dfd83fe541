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
} eng_shard;

typedef struct eng_engine {
    char data_dir[400];
    uint32_t shard_count;
    uint32_t boot;
    int lock_fd;
    eng_shard *shards;
    eng_pmap recovered;      /* partitions rebuilt by recovery, until their shards take them */
    _Atomic uint64_t next_gid;
} eng_engine;

extern eng_engine eng_global;

eng_shard *eng_shard_self(void);
eng_part *eng_pmap_get(eng_pmap *m, uint64_t storage_id, uint32_t partno);
void eng_pmap_put(eng_pmap *m, uint64_t storage_id, uint32_t partno, eng_part *part);
void eng_pmap_free(eng_pmap *m, bool destroy_parts);

/* eng_recover.c: installs the recovered catalog and fills eng_global.recovered. */
bool eng_recover(const char *superuser, rt_err *err);

/* eng_seq.c */
void eng_seq_init(void);
void eng_seq_free(void);
void eng_seq_recover(uint32_t db_oid, uint32_t seq_oid, int64_t value, bool is_called);

#endif
