/* eng_part_int.h: private layout of a partition (eng_part*.c, eng_tx.c, and the checkpoint
 * writer, loader and recovery: eng_ckpt*.c, eng_recover.c). */
#ifndef ENG_PART_INT_H
#define ENG_PART_INT_H

#include "engine/eng_part.h"
#include "engine/eng_tx.h"

typedef struct eng_chunk {
    void *data;          /* width * cap bytes; sql_bytes[cap] for VARLEN; floats for VECTOR */
    uint8_t *nulls;      /* cap bytes, 1 = NULL */
    eng_zone zone;
} eng_chunk;

typedef struct eng_rowgroup {
    uint32_t first_slot;
    uint32_t cap;
    uint32_t used;
    uint64_t *begin;
    uint64_t *end;
    uint32_t *older;     /* previous version of the same row, ENG_SLOT_NONE if none */
    int64_t *rowid;      /* hidden row id (tables without a primary key), else NULL */
    uint32_t ncols;
    eng_chunk **cols;    /* [attnum - 1]; NULL = not materialised: reads give `missing` */
} eng_rowgroup;

typedef struct eng_part_col {
    uint32_t type_oid;
    int32_t typmod;
    uint8_t store;
    uint32_t width;
    uint32_t dims;
    bool dropped;
    bool has_missing;    /* rows stored before ADD COLUMN read `missing` (else NULL) */
    uint8_t *missing;
    uint32_t missing_len;
} eng_part_col;

typedef struct eng_pindex {
    uint32_t oid;
    bool unique;
    uint16_t ncols;
    uint16_t attnums[ENG_INDEX_COLUMNS_MAX];
    bool desc[ENG_INDEX_COLUMNS_MAX];
    eng_btree *tree;
} eng_pindex;

struct eng_part {
    uint64_t storage_id;
    uint32_t partition_no;
    uint32_t core;
    uint32_t table_oid;
    uint64_t def_gen;    /* the table definition the partition was last adapted to */
    bool logged;         /* permanent table: changes go to the WAL */
    uint32_t ncols;
    eng_part_col *cols;
    uint16_t pk_count;
    uint16_t pk_attnums[ENG_INDEX_COLUMNS_MAX];
    eng_rowgroup **rgs;
    uint32_t rg_count, rg_cap;
    uint32_t next_slot;
    int64_t next_rowid;
    eng_btree *pk;
    eng_pindex *indexes;
    uint32_t index_count;
    struct eng_pann **anns;  /* HNSW graphs of the vector columns (eng_part_ann.c) */
    uint32_t ann_count;
    uint64_t live_estimate;
    uint64_t value_bytes;
    /* End LSN (this boot, the owning shard's WAL) of the last record holding its redo, 0 if
     * none: a checkpoint whose position is past it holds everything (eng_ckpt.c). */
    uint64_t wal_end_lsn;
};

/* ---- HNSW graphs (eng_part_ann.c) ---- */
typedef struct eng_pann eng_pann;
/* Follows the table's definition: graphs for new vector columns or changed metrics. */
void eng_part_ann_sync(eng_part *p, const eng_table *t);
void eng_part_ann_destroy(eng_part *p);
/* A version stored at `slot` (and every slot before it) gets its node. */
bool eng_part_ann_add(eng_part *p, uint32_t slot, rt_err *err);
/* An undone insert: its node is dead. */
void eng_part_ann_undo(eng_part *p, uint32_t slot);

static inline uint32_t eng_rg_index(uint32_t slot) {
    return slot < ENG_RG_FIRST_ROWS ? 0 : 1 + (slot - ENG_RG_FIRST_ROWS) / ENG_RG_ROWS;
}
static inline uint32_t eng_rg_offset(uint32_t slot) {
    return slot < ENG_RG_FIRST_ROWS ? slot : (slot - ENG_RG_FIRST_ROWS) % ENG_RG_ROWS;
}
static inline eng_rowgroup *eng_rg_of(const eng_part *p, uint32_t slot) {
    return p->rgs[eng_rg_index(slot)];
}

/* Encodes a row's values (row[attnum - 1]) for the WAL and checkpoints, and back. */
void eng_row_encode(eng_codec_w *w, const eng_part *p, const sql_value *row);
bool eng_row_decode(eng_codec_r *r, const eng_part *p, sql_value *row);
/* The encoded primary key of a row given as values (or of a row id). */
bool eng_part_row_key(const eng_part *p, const sql_value *row, int64_t rowid, eng_codec_w *key,
                      rt_err *err);
/* Allocates the next slot (new row group as needed); ENG_SLOT_NONE past the limit. */
uint32_t eng_part_alloc_slot(eng_part *p);
/* The chunk of column index `c` (attnum - 1) in `rg`, materialised (all NULL) if it was not. */
eng_chunk *eng_part_chunk(eng_part *p, eng_rowgroup *rg, uint32_t c);
/* Stores the values of `row` into `slot` (copies varlen values). */
void eng_part_store_row(eng_part *p, uint32_t slot, const sql_value *row);
/* Adds index entries of the version at `slot` (all secondary indexes). */
bool eng_part_index_add(eng_part *p, uint32_t slot, rt_err *err);
/* Fills secondary index `index_oid` (new, empty) from every version stored so far: CREATE INDEX
 * on a table with rows, when the partition adapts to the new definition. */
bool eng_part_index_build(eng_part *p, uint32_t index_oid, rt_err *err);

#define ENG_REDO_UPSERT 1
#define ENG_REDO_DELETE 2

#endif
