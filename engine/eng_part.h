/* eng_part.h: one partition of a table: an in-memory column store with MVCC row versions.
 * Owns:    row groups (one typed chunk per column with a null map and a zone map, the MVCC
 *          stamps, version links), the primary-key index (key -> newest version), secondary
 *          B-tree indexes and the partition's HNSW graphs (vector columns).
 * Core:    the shard that owns the partition, only (asserted).
 * Layout:  rows live in slots; slot s is row s % rows of row group s / rows (the first group is
 *          small so tiny tables stay tiny). A VECTOR(n) chunk is one 64-byte aligned float
 *          array of n floats per row: the HNSW graph reads vectors there, in place.
 * Versions: an UPDATE writes a new version in a new slot whose `older` link names the previous
 *          one; the primary-key index names the newest. Readers walk from newest to older until
 *          a version is visible to their snapshot (eng_txn.h).
 * Writes:  go through an eng_tx (eng_tx.h): it records every stamp it sets so that commit and
 *          abort (and ROLLBACK TO SAVEPOINT) can finish or undo them.
 * Vacuum:  versions dead for every snapshot are unlinked and their slots freed (eng_vac.h); a
 *          write takes a freed slot before a new one, so slot numbers are not in insert order.
 * Text:    a chunk of a text column (text, varchar, bpchar, name) is dictionary-encoded from
 *          its first row: one-byte codes into a dictionary of its distinct values (eng_dict.h),
 *          so an insert costs a hash probe instead of an allocation. The value past
 *          ENG_DICT_VALUES_MAX distinct ones, or a full row group whose dictionary is not
 *          smaller than the plain form, turns the chunk plain for good. Reads, scans, slot reuse
 *          and checkpoints see the same values either way.
 * Memory:  varlen values are copied into the store (one allocation each, or one per distinct
 *          value of an encoded chunk) and freed by vacuum; eng_part_memory_bytes counts both
 *          forms as they are.
 * Limits:  ENG_PART_SLOTS_MAX slots per partition (54000 past it); a scan's key set is at most
 *          1 << ENG_SCAN_KEYS_WORDS_LOG2_MAX words (more keys let more values through). */
#ifndef ENG_PART_H
#define ENG_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/eng_btree.h"
#include "engine/eng_codec.h"
#include "engine/eng_hnsw.h"
#include "engine/eng_catalog.h"
#include "engine/eng_txn.h"
#include "runtime/rt_err.h"
#include "sql/sql_batch.h"

#define ENG_RG_ROWS SQL_BATCH_ROWS   /* rows per row group: one executor batch */
#define ENG_RG_FIRST_ROWS 64u        /* the first row group of a partition */
#define ENG_PART_SLOTS_MAX (1u << 30) /* slots per partition: 2^30 rows, slot ids fit 32 bits */
/* Every slot has its (page, tuple) (eng_tid_page), and the pages of all partitions fit int4. */
RT_STATIC_ASSERT(ENG_PART_SLOTS_MAX <=
                 (uint64_t)ENG_TID_PAGES_PER_PARTITION * ENG_TID_TUPLES_PER_PAGE);
RT_STATIC_ASSERT((uint64_t)ENG_PARTITIONS_MAX * ENG_TID_PAGES_PER_PARTITION <= INT32_MAX);
#define ENG_SLOT_NONE UINT32_MAX
/* Sort buffer of one B-tree index build of one partition (6.7 million entries of 40 bytes; a
 * partition with more versions builds in runs, eng_part_ixbuild.c). */
#define ENG_PART_INDEX_BUILD_BYTES_MAX (256ull << 20)

typedef struct eng_part eng_part;
typedef struct eng_tx eng_tx;

/* Bytes of the least and the greatest value a varlen chunk of a byte-ordered type keeps in its
 * zone map (eng_zone.min_bytes / max_bytes): values sharing their first 8 bytes (one key) are
 * told apart up to this length. 64 covers the common long prefixes (URLs, paths, padded codes)
 * for 2 x 64 bytes per chunk of ENG_RG_ROWS values (under 1% of the chunk's own arrays). */
#define ENG_ZONE_PREFIX_BYTES_MAX 64u

/* Zone map of one chunk: the range of its non-NULL values (numeric stores, and the byte-ordered
 * types of eng_zone_bytes_type as keys). A varlen chunk of such a type also keeps the first
 * ENG_ZONE_PREFIX_BYTES_MAX bytes of its least value (no value sorts below them) and of its
 * greatest (max_cut: some value with those first bytes is longer, so the greatest value sorts
 * above them: a bound is past it only if its own first bytes sort above them). char(n) keeps
 * them without trailing spaces. */
typedef struct eng_zone {
    bool any;        /* at least one non-NULL value */
    bool has_null;
    bool max_cut;
    uint8_t min_len, max_len;
    union { int64_t i64; double f64; } min, max;
    uint8_t min_bytes[ENG_ZONE_PREFIX_BYTES_MAX], max_bytes[ENG_ZONE_PREFIX_BYTES_MAX];
} eng_zone;

/* Types whose values order as their bytes do (memcmp, then the shorter first): text and
 * varchar (Dreambase compares text in the C collation's byte order, as PostgreSQL does under
 * COLLATE "C"), bytea, uuid. Their zone maps keep keys, not values: the first 8 bytes as a
 * big-endian integer (a shorter value padded with zero bytes), offset to signed order. The key
 * never decreases as the value grows (it is not strict: values sharing 8 bytes share a key), so
 * a chunk whose [min key, max key] misses [key(lo), key(hi)] holds no value in [lo, hi]; a
 * strict bound (< 'b') must stay inclusive on keys. bpchar is left out: it compares without
 * trailing spaces. */
static inline bool eng_zone_bytes_type(uint32_t type_oid) {
    return type_oid == SQL_T_TEXT || type_oid == SQL_T_VARCHAR || type_oid == SQL_T_BYTEA ||
           type_oid == SQL_T_UUID || type_oid == SQL_T_BPCHAR;
}
static inline int64_t eng_zone_bytes_key(const uint8_t *bytes, uint32_t len) {
    uint64_t k = 0;
    for (uint32_t i = 0; i < 8; i++) k = k << 8 | (i < len ? bytes[i] : 0u);
    return (int64_t)(k ^ (UINT64_C(1) << 63));
}
/* The key of a value of type `type_oid` (eng_zone_bytes_type): char(n) compares without its
 * trailing spaces (PostgreSQL's bpchar operators: 'a' = 'a  ', and 'a ' < 'a!'), so its key is
 * that of the value without them; the others' is of their bytes. */
static inline int64_t eng_zone_value_key(uint32_t type_oid, const uint8_t *bytes, uint32_t len) {
    if (type_oid == SQL_T_BPCHAR) {
        while (len > 0 && bytes[len - 1] == ' ') len--;
    }
    return eng_zone_bytes_key(bytes, len);
}

eng_part *eng_part_create(const eng_table *t, uint32_t partition_no);
void eng_part_destroy(eng_part *p);
/* Adapts the partition to another definition of its table (ADD/DROP COLUMN, new indexes; or the
 * committed one again after a transaction's draft definition was rolled back). A new index that
 * cannot be built over the stored rows (a key past ENG_BTREE_KEY_BYTES_MAX: 54000; its sort
 * buffer: 53200) stays incomplete: false with *err (NULL: logged only). */
bool eng_part_sync_schema(eng_part *p, const eng_table *t, rt_err *err);
/* Sets the sort buffer bound of index builds (tests: builds in runs); 0 restores
 * ENG_PART_INDEX_BUILD_BYTES_MAX. Before the shards run. */
void eng_part_index_build_bytes_set(uint64_t bytes);
/* Secondary indexes built over a partition's stored rows (a CREATE INDEX reaching a partition
 * with rows), since the process started, all shards. */
uint64_t eng_part_index_builds(void);

uint64_t eng_part_storage_id(const eng_part *p);
uint64_t eng_part_def_gen(const eng_part *p);
uint32_t eng_part_number(const eng_part *p);
/* Slots handed out so far (visible or not): scans go from 0 to this. */
uint32_t eng_part_slot_count(const eng_part *p);
uint64_t eng_part_live_rows_estimate(const eng_part *p);
uint64_t eng_part_memory_bytes(const eng_part *p);
/* Chunks of column `attnum` stored dictionary-encoded and plain (tests, benchmarks). */
void eng_part_chunk_forms(const eng_part *p, uint16_t attnum, uint32_t *encoded,
                          uint32_t *plain);

/* ---- reading ---- */
bool eng_part_visible(const eng_part *p, uint32_t slot, const eng_snapshot *snap);
void eng_part_stamps(const eng_part *p, uint32_t slot, uint64_t *begin, uint64_t *end);
uint32_t eng_part_older(const eng_part *p, uint32_t slot);
/* One value of a slot (any version), by attnum; attnum 0 reads the hidden row id (int8). */
void eng_part_read(const eng_part *p, uint32_t slot, uint16_t attnum, sql_value *out);
/* The vector of a slot in place (NULL if the value is NULL). */
const float *eng_part_vector(const eng_part *p, uint32_t slot, uint16_t attnum);
/* A hint that `slot` is about to be read: starts loading its visibility stamps and the cells
 * of columns attnums[0..n) (0 = row id; a vector's null flag only, not its floats, which the
 * distance kernels stream themselves) into the cache. A caller that knows the next slots it
 * will read overlaps their memory latency (a read at a random slot of a large partition costs
 * several misses). No effect on any result. */
void eng_part_prefetch(const eng_part *p, uint32_t slot, const uint16_t *attnums, uint32_t n);
/* The same hint for eng_part_vector(p, slot, attnum): its null flag and the vector's first
 * lines (the distance kernels stream the rest). */
void eng_part_vector_prefetch(const eng_part *p, uint32_t slot, uint16_t attnum);
/* The encoded primary key of a slot (hidden row id when the table has none). */
bool eng_part_key_of(const eng_part *p, uint32_t slot, eng_codec_w *key, rt_err *err);

/* Fills `out` with the rows visible to `snap` among slots [*cursor, end of a row group): at
 * most one row group per call, so the caller can yield between calls. attnums[i] (0 = row id)
 * goes to out->cols[i] (already typed by the caller; arrays of out->cap >= ENG_RG_ROWS rows).
 * slots_out[r] receives the slot of row r (may be NULL). Returns false at the end. */
bool eng_part_scan(const eng_part *p, const eng_snapshot *snap, uint32_t *cursor,
                   const uint16_t *attnums, uint32_t natts, sql_batch *out, uint32_t *slots_out);
/* Pre-filters for eng_part_scan_pre, applied by the store before any column is copied out; the
 * caller still evaluates its whole filter on the rows returned, so they only spare rows that
 * cannot pass it.
 * Equality (attnum != 0): rows whose column `attnum` (a varlen column) is NULL or byte-wise
 * equal to none of `values` are left out. A dictionary-encoded chunk compares the values with
 * its dictionary once and then selects rows by their one-byte codes; a row group whose
 * dictionary holds none of them costs no row look at all. Byte equality is the equality of
 * text and varchar (deterministic C collation).
 * Ranges: a row group is skipped whole when the zone map of a range's column (an integer store:
 * int2/4/8, date, timestamp[tz], whose sql_value.i64 order is the type's order; or a type of
 * eng_zone_bytes_type, whose [lo, hi] are keys of eng_zone_bytes_key) shows no non-NULL value
 * in [lo, hi]. Zone maps only grow while a chunk lives, so they cover every
 * version in it; a chunk not materialised (rows read the column's missing value) is not
 * skipped. In a row group that is read, rows whose value is NULL or outside [lo, hi] are left
 * out before the other columns are copied (a selective range copies a fraction of the rows).
 * Keys: a set of integer values (a hash join's build keys, eng_scan_keys_add) with their range:
 * rows whose column is NULL, outside [lo, hi] or not in the set are left out; the set may let
 * through values it does not hold (it is a bloom filter: one word, two bits per value), never
 * the other way. The range also skips row groups by their zone maps. A set given `stats` is
 * on trial for its first ENG_SCAN_KEYS_PROBE_ROWS rows within its range (counted across the
 * calls that share the stats: one scan); when it left out fewer than
 * ENG_SCAN_KEYS_REJECT_MIN_PCT percent of them it is switched off (stats->off) and only its
 * range is applied from then on, so a join whose probe rows nearly all match stops paying a
 * hash and a memory load per row. Switching it off only lets more rows through. */
#define ENG_SCAN_RANGES_MAX 4
#define ENG_SCAN_KEYS_WORDS_LOG2_MIN 3  /* 512 bits: the smallest set worth its word lookups */
#define ENG_SCAN_KEYS_WORDS_LOG2_MAX 19 /* 32 Mibit (4 MiB): past 2M keys the set lets more
                                           values through instead of growing further */
#define ENG_SCAN_KEYS_BITS_PER_KEY 16u  /* about 1% of absent values pass with two bits a key */
#define ENG_SCAN_KEYS_SMALL_BITS_PER_KEY 64u /* under 0.1% pass: a set of a few thousand keys
                                                tested against a whole table (Q21's EXISTS over
                                                lineitem) let through 3-4 times the rows it
                                                held at 16 bits a key */
#define ENG_SCAN_KEYS_SMALL_WORDS_LOG2 15 /* 256 KiB: sets up to this size get the small sets'
                                             bits a key (a set stays in a core's L2 cache) */
#define ENG_SCAN_KEYS_PROBE_ROWS 16384u /* rows a key set is judged on: 16 row groups, enough to
                                           know its share of rejects within a few percent */
#define ENG_SCAN_KEYS_REJECT_MIN_PCT 10u /* a set leaving out fewer of the rows it tests is
                                            switched off: a test (hash, load) costs about a
                                            tenth of what a row let through costs above the
                                            store (copied out, hashed, probed) */
typedef struct eng_scan_range {
    uint16_t attnum;
    uint32_t type_oid;         /* the column's type when the range was made (else not used) */
    int64_t lo, hi;            /* inclusive */
    /* A byte-ordered varlen column: the bounds' values (NULL: none), inclusive, checked
     * against the zone maps' prefixes after the keys; the caller keeps them for the scan. */
    const uint8_t *lo_bytes, *hi_bytes;
    uint32_t lo_len, hi_len;
} eng_scan_range;
typedef struct eng_scan_keys_stats {
    uint64_t tested;           /* rows the set was tested on during its trial (non-NULL, in
                                  its range) */
    uint64_t rejected;         /* of them, the rows it left out */
    bool off;                  /* judged not worth its tests: only the range is applied */
} eng_scan_keys_stats;
typedef struct eng_scan_keys {
    eng_scan_range range;      /* attnum 0: no key set */
    const uint64_t *words;     /* 1 << words_log2 words, filled by eng_scan_keys_add */
    uint32_t words_log2;
    eng_scan_keys_stats *stats; /* the scan's trial of the set (zeroed by the caller before the
                                   first call); NULL: the set is always tested */
} eng_scan_keys;
typedef struct eng_scan_pre {
    uint16_t attnum;           /* equality column; 0: none */
    uint32_t count;            /* 0: no row passes */
    const sql_bytes *values;
    uint32_t nranges;
    eng_scan_range ranges[ENG_SCAN_RANGES_MAX];
    eng_scan_keys keys;
    uint64_t *seen;            /* when set, the store adds the visible rows of each row group it
                                  reads before ranges and keys leave rows out (what a scan
                                  without them would have returned: its cost calibration) */
    uint64_t *visible;         /* when set, the store adds every visible row of the row groups
                                  it passes, those its zone maps skip and those the equality
                                  passes over included (EXPLAIN ANALYZE's rows removed) */
} eng_scan_pre;
/* The words a key set of `key_count` values takes (log2), within the limits above. */
uint32_t eng_scan_keys_words_log2(uint64_t key_count);
/* The word of a key set of 1 << words_log2 words that value `v` sets two bits in (*word),
 * and those bits: both in one word, so a test costs one memory load. The one hash that
 * eng_scan_keys_add and eng_scan_keys_has share. The word and the bits come from the
 * product's high bits (bits 45-63 at most and 33-44): its low bits depend only on the value's
 * low bits, and TPC-H's order keys (runs of 8 in every 32) let three times as many absent
 * values through with the bits taken from there. */
static inline uint64_t eng_scan_keys_bits(int64_t v, uint32_t words_log2, uint64_t *word) {
    uint64_t h = ((uint64_t)v ^ ((uint64_t)v >> 29)) * UINT64_C(0x9e3779b97f4a7c15);
    *word = h >> (64 - words_log2);
    return (UINT64_C(1) << ((h >> 33) & 63)) | (UINT64_C(1) << ((h >> 39) & 63));
}
static inline void eng_scan_keys_add(uint64_t *words, uint32_t words_log2, int64_t v) {
    uint64_t w, bits = eng_scan_keys_bits(v, words_log2, &w);
    words[w] |= bits;
}
/* Whether `v` may be in the key set (1) or is certainly not (0). */
static inline uint32_t eng_scan_keys_has(const uint64_t *words, uint32_t words_log2, int64_t v) {
    uint64_t w, bits = eng_scan_keys_bits(v, words_log2, &w);
    return (uint32_t)((words[w] & bits) == bits);
}
/* eng_part_scan with `pre` applied first (NULL: none). */
bool eng_part_scan_pre(const eng_part *p, const eng_snapshot *snap, uint32_t *cursor,
                       const uint16_t *attnums, uint32_t natts, const eng_scan_pre *pre,
                       sql_batch *out, uint32_t *slots_out);
/* The zone map of chunk `attnum` of the row group containing `slot` (NULL if none). */
const eng_zone *eng_part_zone(const eng_part *p, uint32_t slot, uint16_t attnum);
/* First slot of the next row group after the one holding `slot`. */
uint32_t eng_part_next_rowgroup(const eng_part *p, uint32_t slot);

/* Primary key: the version of `key` visible to `snap`, or ENG_SLOT_NONE. */
uint32_t eng_part_pk_lookup(const eng_part *p, const uint8_t *key, uint32_t len,
                            const eng_snapshot *snap);
/* The newest version of `key` regardless of visibility, or ENG_SLOT_NONE. */
uint32_t eng_part_pk_newest(const eng_part *p, const uint8_t *key, uint32_t len);
const eng_btree *eng_part_pk_index(const eng_part *p);
/* Secondary index by catalog index oid (NULL if the partition has none for it). Entries map
 * index key ++ primary key -> slot of the version that created the entry. */
const eng_btree *eng_part_index(const eng_part *p, uint32_t index_oid);

/* ---- expression and partial indexes ----
 * The engine stores index keys but does not evaluate SQL: for an index with expression columns
 * (attnums[k] == 0) or a predicate, the SQL layer's function computes the expression values of
 * a row (row[attnum - 1]) into keys[k] and whether the predicate holds (*included). Values may
 * point into memory the function owns until its next call on the same thread. Without a
 * function such an index gets no entries and writes to its table fail with 0A000. */
typedef bool (*eng_index_expr_fn)(const eng_table *t, const eng_index *ix, const sql_value *row,
                                  sql_value *keys, bool *included, rt_err *err);
void eng_part_set_index_expr_fn(eng_index_expr_fn fn);
/* The entry key (index key ++ primary key) the version at `slot` has in secondary index
 * `index_oid`; *included false when the partition has no such index or a partial index's
 * predicate leaves the version out. */
bool eng_part_index_entry(const eng_part *p, uint32_t index_oid, uint32_t slot,
                          eng_codec_w *key, bool *included, rt_err *err);

/* ---- writing (within a transaction) ---- */
/* PostgreSQL's four row-lock strengths, weakest first. An UPDATE that changes no key column
 * (primary key or unique index) takes NO KEY UPDATE; DELETE and key-changing UPDATE take
 * UPDATE; foreign-key checks take KEY SHARE on the referenced row. */
typedef enum eng_lock_mode {
    ENG_LOCK_FOR_KEY_SHARE = 1,
    ENG_LOCK_FOR_SHARE,
    ENG_LOCK_FOR_NO_KEY_UPDATE,
    ENG_LOCK_FOR_UPDATE,
} eng_lock_mode;
/* The conflict table: KEY SHARE conflicts with UPDATE only; SHARE with both updates; NO KEY
 * UPDATE with SHARE and both updates; UPDATE with everything. (A transaction never conflicts
 * with itself.) */
static inline bool eng_lock_conflicts(eng_lock_mode a, eng_lock_mode b) {
    static const bool table[5][5] = {
        [ENG_LOCK_FOR_KEY_SHARE] = {[ENG_LOCK_FOR_UPDATE] = true},
        [ENG_LOCK_FOR_SHARE] = {[ENG_LOCK_FOR_NO_KEY_UPDATE] = true, [ENG_LOCK_FOR_UPDATE] = true},
        [ENG_LOCK_FOR_NO_KEY_UPDATE] = {[ENG_LOCK_FOR_SHARE] = true,
                                        [ENG_LOCK_FOR_NO_KEY_UPDATE] = true,
                                        [ENG_LOCK_FOR_UPDATE] = true},
        [ENG_LOCK_FOR_UPDATE] = {[ENG_LOCK_FOR_KEY_SHARE] = true, [ENG_LOCK_FOR_SHARE] = true,
                                 [ENG_LOCK_FOR_NO_KEY_UPDATE] = true,
                                 [ENG_LOCK_FOR_UPDATE] = true},
    };
    return table[a][b];
}
typedef enum eng_lock_wait { ENG_WAIT_BLOCK = 0, ENG_WAIT_SKIP, ENG_WAIT_NOWAIT } eng_lock_wait;
typedef enum eng_lock_result {
    ENG_LOCKED = 1,  /* the version is ours to update or delete */
    ENG_GONE,        /* deleted by a transaction that committed meanwhile */
    ENG_MOVED,       /* updated by a committed transaction: *newer is the newest version */
    ENG_SKIPPED,     /* SKIP LOCKED and it was locked */
    ENG_LOCK_FAILED, /* *err set: 40001, 55P03, 40P01, 57014 */
} eng_lock_result;

/* Locks a version the transaction saw, for update/delete or FOR UPDATE/SHARE. May park the fiber
 * while another transaction holds a conflicting lock (READ COMMITTED waits, then reports
 * MOVED/GONE so the executor re-checks its WHERE on the newest version; REPEATABLE READ reports
 * 40001). A row that a committed UPDATE moved to another partition is 40001 under either (as
 * PostgreSQL's "tuple to be locked was already moved to another partition"). A stronger lock
 * of the same transaction upgrades its weaker one. */
eng_lock_result eng_part_lock(eng_part *p, eng_tx *tx, uint32_t slot, eng_lock_mode mode,
                              eng_lock_wait wait, uint32_t *newer, rt_err *err);

typedef enum eng_insert_result {
    ENG_INSERTED = 1,
    ENG_CONFLICT,     /* a committed row has the key: *conflict is its visible version */
    ENG_INSERT_FAILED /* *err set (23505 when no conflict slot was asked for, 23502, ...) */
} eng_insert_result;

/* Inserts a row (row[attnum - 1] for every column; dropped columns ignored). When `conflict` is
 * not NULL, a key conflict with a committed row is reported as ENG_CONFLICT instead of 23505
 * (INSERT ... ON CONFLICT). Waits for a concurrent inserter of the same key to finish. */
eng_insert_result eng_part_insert(eng_part *p, eng_tx *tx, const sql_value *row,
                                  uint32_t *slot_out, uint32_t *conflict, rt_err *err);
/* Writes a new version of the row at `locked_slot` (locked by tx) with the values of `row`. */
bool eng_part_update(eng_part *p, eng_tx *tx, uint32_t locked_slot, const sql_value *row,
                     uint32_t *new_slot, rt_err *err);
/* Deletes the row at `locked_slot` (locked by tx FOR UPDATE). `moved`: the row goes to another
 * partition (an UPDATE of its primary key), which concurrent lockers are told (40001). */
bool eng_part_delete(eng_part *p, eng_tx *tx, uint32_t locked_slot, bool moved, rt_err *err);

/* ---- finishing versions (eng_tx.c) ---- */
void eng_part_set_begin(eng_part *p, uint32_t slot, uint64_t stamp);
void eng_part_set_end(eng_part *p, uint32_t slot, uint64_t stamp);
/* Undo of an insert: the version is dead and the primary key names its older version again. */
void eng_part_undo_insert(eng_part *p, uint32_t slot);

/* ---- vector search (the partition's HNSW graphs, one per VECTOR column) ----
 * Every row version with a non-NULL vector has a node from the write that stored it; undone
 * inserts are marked dead; versions a snapshot cannot see are still in the graph, so a search
 * passes a filter that checks visibility (and any WHERE clause) for each candidate. The graph's
 * metric is the column's HNSW index's (CREATE INDEX ... USING hnsw (v vector_l2_ops)), else
 * cosine. A definition with another metric, m or ef_construction rebuilds the graph in the
 * background (eng_part_ann.c): the old graph serves until the new one has every row. */

/* The metric of the column's graph; false if the column has none. */
bool eng_part_ann_metric(const eng_part *p, uint16_t attnum, eng_hnsw_metric *metric);
/* The k nearest (by the graph's metric) nodes passing opts->filter, nearest first. May yield
 * (a graph catching up). 54000 past the graph's memory bound. */
bool eng_part_ann_search(eng_part *p, uint16_t attnum, const float *query,
                         const eng_hnsw_search_opts *opts, eng_hnsw_hit *hits,
                         eng_hnsw_search_stats *stats, rt_err *err);
/* Graph figures for the planner; false if the column has none. */
bool eng_part_ann_info(const eng_part *p, uint16_t attnum, eng_hnsw_info *out);
/* Nodes inserted by a graph catching up with rows it did not see written (a rebuild after a
 * metric change, rows loaded without a saved graph), since the process started. */
uint64_t eng_part_ann_catchup_inserts(void);
/* Nodes inserted after recovery for the rows the WAL replay stored (each partition's graphs on
 * its own shard, in parallel), since the process started. */
uint64_t eng_part_ann_replayed_inserts(void);
/* REINDEX of column `attnum`'s HNSW index: every partition of `t` builds a new graph with the
 * same settings in the background, the old one serving until the new one has every row. From
 * a fiber; parks until all shards have started theirs. */
void eng_part_ann_reindex(const eng_table *t, uint16_t attnum);
/* Partitions whose graph is being rebuilt, and rebuilds completed, since the process started
 * (all shards). */
uint64_t eng_part_ann_rebuilds_pending(void);
uint64_t eng_part_ann_rebuilds_done(void);
/* One shard's rebuild of one index (pg_stat_progress_create_index): its partitions on that
 * shard, and slots offered to the new graphs of those still building against their slots. */
typedef struct eng_ann_build_progress {
    uint32_t shard, table_oid, index_oid; /* index_oid 0: the automatic index */
    uint64_t partitions_total, partitions_done, tuples_total, tuples_done;
} eng_ann_build_progress;
/* Any core: up to `cap` rebuilds in progress into out[]; returns how many. */
uint32_t eng_part_ann_progress(eng_ann_build_progress *out, uint32_t cap);
/* Checkpoint hooks that save and load every partition's graphs (install with
 * eng_ckpt_set_hooks before eng_start: a restart then never rebuilds a graph). */
extern const struct eng_ckpt_hooks eng_part_ann_ckpt_hooks;

/* ---- recovery and checkpoints ---- */
/* Applies a committed row image directly (replay): replaces the row with the same key. The
 * vector graphs are left behind: each shard inserts the nodes of its partitions afterwards, in
 * parallel (eng_shard_start), instead of one thread inserting them all during the replay. */
bool eng_part_replay_upsert(eng_part *p, const sql_value *row, int64_t rowid, rt_err *err);
bool eng_part_replay_delete(eng_part *p, const uint8_t *key, uint32_t len);

#endif
