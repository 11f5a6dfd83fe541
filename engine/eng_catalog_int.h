/* eng_catalog_int.h: private layout of a catalog version (eng_catalog*.c only). */
#ifndef ENG_CATALOG_INT_H
#define ENG_CATALOG_INT_H

#include <ck_epoch.h>

#include "engine/eng_catalog.h"

#define ENG_CAT_CHUNK_BYTES 16384u

enum { ENG_CAT_K_ROLE = 1, ENG_CAT_K_DB, ENG_CAT_K_SCHEMA, ENG_CAT_K_TABLE, ENG_CAT_K_SEQUENCE };

typedef struct eng_cat_chunk {
    struct eng_cat_chunk *next;
    size_t size, used;
    char data[];
} eng_cat_chunk;

typedef struct eng_cat_slot {
    uint64_t hash; /* 0 = empty */
    uint32_t kind;
    uint32_t db;   /* index into dbs */
    uint32_t obj;  /* index into the kind's array */
} eng_cat_slot;

typedef struct eng_cat_index {
    eng_cat_slot *slots;
    uint32_t cap;
} eng_cat_index;

struct eng_catalog {
    uint64_t version;
    uint32_t next_oid;
    uint64_t next_storage_id;
    uint32_t role_count;
    eng_role *roles;
    uint32_t member_count;
    eng_member *members;     /* role memberships */
    uint32_t db_count;
    eng_database *dbs;
    eng_cat_chunk *chunks;   /* strings and small blobs of this version */
    eng_cat_index index;     /* name lookups; rebuilt when a draft changes */
    bool index_dirty;
    ck_epoch_entry_t epoch_entry;
};

eng_catalog *eng_cat_new(void);
void eng_cat_free(eng_catalog *c);
const uint8_t *eng_cat_memdup(eng_catalog *c, const uint8_t *p, uint32_t len);

#endif
