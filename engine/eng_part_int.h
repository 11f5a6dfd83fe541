/* eng_part_int.h: private layout of a partition (eng_part*.c, eng_tx.c, and the checkpoint
 * writer, loader and recovery: eng_ckpt*.c, eng_recover.c). */
#ifndef ENG_PART_INT_H
#define ENG_PART_INT_H

#include "engine/eng_dict.h"
#include "engine/eng_part.h"
#include "engine/eng_tx.h"

/* A text chunk starts dictionary-encoded (eng_dict.h: `data` holds one-byte codes) and stays
 * so while its distinct values fit the dictionary; the value that does not fit turns it plain
 * for good (new rows' bytes in their own allocations), and so does a full row group whose
 * dictionary does not pay (eng_part.c, eng_chunk_seal). */
typedef struct eng_chunk {
    void *data;          /* width * cap bytes; sql_bytes[cap] for VARLEN; floats for VECTOR;
                            uint8_t codes[cap] while `dict` is set */
    uint8_t *nulls;      /* cap bytes, 1 = NULL */
    eng_zone zone;
    eng_dict *dict;      /* dictionary-encoded text, else NULL */
    /* A chunk turned plain: rows stored before point at the old dictionary's entries (no copy,
     * so readers' pointers stay good); kept_rows has their bits, kept_codes their codes. An
     * entry goes when vacuum has freed its last row, the dictionary with the last entry. */
    eng_dict *kept;
    uint8_t *kept_codes;
    uint64_t *kept_rows;
    uint32_t kept_count;
} eng_chunk;

typedef struct eng_rowgroup {
    uint32_t first_slot;
    uint32_t cap;
    uint32_t used;
    uint64_t *begin;
    uint64_t *end;
    uint32_t *older;     /* previous version of the same row, ENG_SLOT_NONE if none */
    int64_t *rowid;      /* hidden row id (tables without a primary key), else NULL */
    uint32_t free;       /* slots of the group on the partition's free list (eng_vac.c) */
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
    bool encodable;      /* text types: chunks start dictionary-encoded */
    bool has_missing;    /* rows stored before ADD COLUMN read `missing` (else NULL) */
    uint8_t *missing;
    uint32_t missing_len;
} eng_part_col;

typedef struct eng_pindex {
    uint32_t oid;
    uint32_t filenode; /* eng_index_filenode: a new one (REINDEX) means a new tree */
    bool unique;
    uint16_t ncols;
    uint16_t attnums[ENG_INDEX_COLUMNS_MAX];
    bool desc[ENG_INDEX_COLUMNS_MAX];
    eng_btree *tree;
    /* Expression or partial index: a private copy of the table's columns and of the index
     * (def->indexes[0]) that the SQL layer's evaluator reads; NULL for plain column lists. */
    eng_table *def;
} eng_pindex;

/* Drops the parked trees (eng_part.parked): the rows change, so they would be stale. */
void eng_part_unpark(eng_part *p);

/* The copy behind eng_pindex.def, and its release (eng_part_ixexpr.c). */
eng_table *eng_part_ixdef_new(const eng_table *t, const eng_index *ix);
void eng_part_ixdef_free(eng_table *def);

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
    /* The trees the last schema sync dropped (oid, filenode, tree only), built for definition
     * parked_def_gen, kept until the next sync or write: a reader on an older catalog while a
     * transaction's CREATE INDEX / REINDEX is uncommitted adapts the partition back to the
     * older definition, and the next sync to the newer one takes them back instead of
     * building them again. Any new version or vacuum's removal drops them (eng_part_unpark). */
    eng_pindex *parked;
    uint32_t parked_count;
    uint64_t parked_def_gen;
    struct eng_pann **anns;  /* HNSW graphs of the vector columns (eng_part_ann.c) */
    uint32_t ann_count;
    uint64_t live_estimate;
    uint64_t value_bytes; /* bytes of plain varlen values (dictionaries count their own) */
    /* Vacuum (eng_vac.c): slots it freed, reused before new ones (a stack); versions ended or
     * aborted since its last pass; the table's process-wide statistics. */
    uint32_t *free_slots;
    uint32_t free_count, free_cap;
    uint64_t dead_estimate;
    struct eng_vac_tstat *tstat;
    bool vacuuming;      /* a vacuum runs on the partition (one at a time) */
    bool ann_vacuuming;  /* ... and is removing graph nodes: checkpoints wait (eng_ann_save) */
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
/* Recovery, once the WAL is replayed (which leaves the graphs alone): gives every serving graph
 * of the partition the nodes of the slots it does not cover yet, adding to *nodes; on a shard,
 * also hands a rebuild (a saved graph had other settings) to the shard's builder. Call on one
 * thread per partition (the owning shard's), never concurrently with other use of it. */
bool eng_part_ann_recover(eng_part *p, uint64_t *nodes, rt_err *err);

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
/* Frees the values of a DYING slot and puts it on the free list; a row group all of whose
 * slots are free gives its column chunks back (vacuum, eng_vac.c). */
void eng_part_slot_release(eng_part *p, uint32_t slot);
/* Allocates a slot: a freed one first, else the next (new row group as needed);
 * ENG_SLOT_NONE past the limit. */
uint32_t eng_part_alloc_slot(eng_part *p);
/* The chunk of column index `c` (attnum - 1) in `rg`, materialised (all NULL) if it was not. */
eng_chunk *eng_part_chunk(eng_part *p, eng_rowgroup *rg, uint32_t c);
/* Stores value `v` into row `off` of chunk `c` of `rg` (a fresh slot: nothing stored there
 * since it was allocated or freed). */
void eng_part_chunk_put(eng_part *p, eng_rowgroup *rg, uint32_t c, uint32_t off,
                        const sql_value *v);
/* Stores the values of `row` into `slot` (copies varlen values). */
void eng_part_store_row(eng_part *p, uint32_t slot, const sql_value *row);
/* Removes the secondary-index entries that name the version at `slot` (vacuum); `pk` is its
 * encoded primary key. */
void eng_part_index_remove(eng_part *p, uint32_t slot, const eng_codec_w *pk);
/* The entry of index `ix` for the version at `slot` (index key ++ `pk`); *included false when
 * a partial index leaves the version out (no entry). */
bool eng_part_pindex_key(const eng_part *p, const eng_pindex *ix, uint32_t slot,
                         const eng_codec_w *pk, eng_codec_w *key, bool *included, rt_err *err);
/* Adds index entries of the version at `slot` (all secondary indexes). */
bool eng_part_index_add(eng_part *p, uint32_t slot, rt_err *err);
/* Fills secondary index `index_oid` (new, empty) from every version stored so far: CREATE INDEX
 * on a table with rows, when the partition adapts to the new definition (eng_part_ixbuild.c).
 * A bulk build: the entries are sorted and the tree built bottom up, in runs of at most
 * ENG_PART_INDEX_BUILD_BYTES_MAX of sort buffer (eng_part_index_build_bytes_set). */
bool eng_part_index_build(eng_part *p, uint32_t index_oid, rt_err *err);
/* Builds the primary key and every secondary index of a partition whose rows were just loaded
 * (a checkpoint) the same way; *duplicate (err unset) when two visible rows share a key. */
bool eng_part_index_build_all(eng_part *p, bool *duplicate, rt_err *err);

/* End stamps of slots vacuum took (begin is ENG_TS_INF): they name transaction slot 0, which
 * no transaction uses, with the lock bit, so no code that resolves stamps ever sees them
 * (a begin of ENG_TS_INF ends every visibility check first). DYING: out of every chain and
 * index, its graph nodes going; FREE: on the free list, values released. */
#define ENG_STAMP_VAC(n) (ENG_STAMP_TXN_BIT | ENG_STAMP_LOCK_BIT | (0x3fffffull << 40) | \
                          ((uint64_t)(n) << 20))
#define ENG_STAMP_DYING ENG_STAMP_VAC(0xffffdu) /* taken by the running pass */
#define ENG_STAMP_LEFT ENG_STAMP_VAC(0xffffeu)  /* DYING, left by a pass that stopped early */
#define ENG_STAMP_FREE ENG_STAMP_VAC(0xfffffu)
static inline bool eng_slot_taken_by_vacuum(uint64_t end) {
    return end == ENG_STAMP_DYING || end == ENG_STAMP_LEFT || end == ENG_STAMP_FREE;
}

/* Live and dead row counts (eng_vac.c keeps the table's totals with the partition's). */
void eng_part_live_add(eng_part *p, int64_t delta);
void eng_part_set_older(eng_part *p, uint32_t slot, uint32_t older);
void eng_part_dead_add(eng_part *p, int64_t delta);

/* ---- vacuum's hooks into the graphs (eng_part_ann.c) ---- */
/* Marks the nodes of `slot` dead in every graph; true if some graph has a node for it (the
 * slot may be reused only after eng_part_ann_vacuum). */
bool eng_part_ann_release(eng_part *p, uint32_t slot);
/* Removes every node marked dead from every graph (Algorithm 4 repairs; yields). */
bool eng_part_ann_vacuum(eng_part *p, uint64_t *nodes_removed, rt_err *err);

#define ENG_REDO_UPSERT 1
#define ENG_REDO_DELETE 2

#endif
