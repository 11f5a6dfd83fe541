/* sql_exec_int.h: private helpers of the executor (sql_exec*.c). */
#ifndef SQL_EXEC_INT_H
#define SQL_EXEC_INT_H

#include "runtime/rt_loop.h"
#include "sql/sql_exec.h"

/* Rows kept by an operator (sort, hash table, material): values copied into the set's arena. */
typedef struct sql_rowset {
    rt_arena *arena;
    uint32_t ncols;
    sql_value *values;     /* row r at values[r * ncols] */
    uint64_t count, cap;
} sql_rowset;

bool sql_rowset_init(sql_rowset *rs, rt_arena *arena, uint32_t ncols);
/* Makes room for `rows` rows at once (a set filled to a known size grows without copying
 * itself at every doubling). False when out of memory. */
bool sql_rowset_reserve(sql_rowset *rs, uint64_t rows);
/* Copies row `row` of `b` (all columns) into the set. */
bool sql_rowset_add(sql_rowset *rs, const sql_batch *b, uint32_t row);
bool sql_rowset_add_values(sql_rowset *rs, const sql_value *vals);
static inline sql_value *sql_rowset_row(const sql_rowset *rs, uint64_t r) {
    return &rs->values[r * rs->ncols];
}
/* Fills `out` (typed like `cols`) with rows [from, from + n) of the set. */
bool sql_rowset_emit(const sql_rowset *rs, uint64_t from, uint32_t n, const sql_col *cols,
                     rt_arena *arena, sql_batch **out);

/* A batch of the plan's output columns with room for `cap` rows. */
sql_batch *sql_exec_batch(rt_arena *arena, const sql_plan *p, uint32_t cap);
/* Keeps rows where sel[i] is set (a new batch sharing nothing with `in`). */
sql_batch *sql_exec_select_rows(rt_arena *arena, const sql_batch *in, const uint8_t *sel,
                                uint32_t kept);
/* Evaluates a boolean over a batch into a selection (NULL counts as false). */
bool sql_exec_predicate(sql_exec_ctx *x, rt_arena *arena, const sql_expr *pred,
                        const sql_batch *in, uint8_t *sel, uint32_t *kept);
/* Value of a constant LIMIT / OFFSET expression (NULL = no limit): 2201W/2201X if negative. */
bool sql_exec_count_expr(sql_exec_ctx *x, const sql_expr *e, bool is_offset, int64_t *out);

/* Compares two rows on sort keys already evaluated to values. */
int sql_exec_sort_cmp(const sql_sort_key *keys, uint32_t nkeys, const sql_value *a,
                      const sql_value *b);

/* Operator constructors per kind. */
sql_op *sql_op_new_sort(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_projectset(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_distinct(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_setop(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_agg(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_nestloop(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_hashjoin(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_scan(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_pkget(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_gather(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_insert(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_update(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_catalog(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_funcscan(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_material(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_recursive(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_window(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_annscan(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_ixscan(sql_exec_ctx *x, const sql_plan *p);
/* Data-modifying WITH queries (sql_exec_cte.c): the statement's MODIFYCTE, and a reference
 * (MATERIAL with material.dml) reading the RETURNING rows it kept. */
typedef struct sql_cte_runs sql_cte_runs;
sql_op *sql_op_new_modifycte(sql_exec_ctx *x, const sql_plan *p);
sql_op *sql_op_new_dml_ctescan(sql_exec_ctx *x, const sql_plan *p);

/* NOT NULL and CHECK constraints of a full row (attnum order) of p->modify.table. */
bool sql_exec_check_row(sql_exec_ctx *x, const sql_plan *p, const sql_value *row,
                        rt_arena *arena);

/* The partition a primary-key lookup plan names (*none: a NULL key, no row can match); the
 * key's values are computed in `scratch` (the caller's, reset by it). */
uint32_t sql_pk_partition(sql_exec_ctx *x, const sql_plan *p, rt_arena *scratch, bool *none);

/* ---- row locks of SELECT ... FOR UPDATE / SHARE (sql_exec_scan.c) ---- */
/* The transaction's participant on this shard, set up for this statement. */
eng_tx *sql_lock_tx(sql_exec_ctx *x);
/* Reads version `slot` into row r of `b` (the scan's columns, then its locator if any): the
 * row read of row locks and of the index scan (SCAN and IXSCAN plans). */
void sql_scan_read_row(const sql_plan *p, const eng_part *part, uint32_t partno, uint32_t slot,
                       sql_batch *b, uint32_t r);
/* Locks version *slot_io, the one row r of `b` (laid out as scan `p`) came from. A version
 * updated meanwhile by a committed transaction (READ COMMITTED) is followed to its newest
 * version, which replaces row r (and *slot_io) if the filter still holds on it. *keep: the
 * row is locked and stays (false: it was deleted meanwhile, no longer matches, or SKIP LOCKED
 * met a lock). On the shard owning the partition. */
bool sql_lock_row(sql_exec_ctx *x, eng_tx *tx, const sql_plan *p, eng_part *part,
                  uint32_t partno, uint32_t *slot_io, sql_batch *b, uint32_t r,
                  rt_arena *arena, bool *keep);
/* A fragment's own context: the coordinator's, with its own arena and error. */
void sql_frag_ctx(sql_exec_ctx *dst, const sql_exec_ctx *coord, rt_arena *arena, rt_err *err,
                  const uint32_t *parts, uint32_t nparts);
sql_op *sql_op_new_lockrows(sql_exec_ctx *x, const sql_plan *p);

/* ---- a hash join's keys handed to the scan it probes with (sql_exec_scan.c) ---- */
/* The family whose values a key set compares (1: int2/int4/int8, 2: date; 0: none). */
int sql_scan_keys_family(uint32_t type_oid);
/* Whether `op` is a partition scan (taking no row locks) whose output column `col` is a table
 * column of a key set family, so the store can leave out rows by their value in it; or a
 * GATHER not yet started of such a scan (then each of its fragments' scans gets the set). */
bool sql_scan_keys_column(const sql_op *op, uint32_t col);
/* From the scan's next batch on, the store leaves out rows whose column `col` is NULL, outside
 * [lo, hi] or absent from the key set `words` (eng_scan_keys; a superset test). `words` must
 * stay until the scan is closed or given another set. */
void sql_scan_keys_set(sql_op *op, uint32_t col, int64_t lo, int64_t hi, const uint64_t *words,
                       uint32_t words_log2);

/* Allocates an operator of `size` bytes with the common header filled. */
sql_op *sql_op_alloc(sql_exec_ctx *x, const sql_plan *p, const sql_op_vt *vt, size_t size);

#endif

/* ---- hash tables over rows (distinct, set operations, aggregation, hash joins) ----
 * Keys are value arrays compared with NULL equal to NULL (grouping semantics; joins skip NULL
 * keys themselves). Entries point into a row set: the key values of entry e are the first
 * `nkeys` values of row e of `keys`. */
typedef struct sql_htab {
    rt_arena *arena;
    uint32_t nkeys;
    uint64_t *slots;       /* (row index + 1) << 32 | hash high bits; 0 = empty */
    uint64_t cap, count;
    sql_rowset rows;       /* key values (and whatever else the user appends after them) */
} sql_htab;

bool sql_htab_init(sql_htab *h, rt_arena *arena, uint32_t nkeys, uint32_t row_width);
uint64_t sql_htab_hash(const sql_value *key, uint32_t nkeys);
/* Makes room for `n` entries at once (a hash join knows its build rows before it inserts
 * them: growing step by step rehashed every entry again at each doubling). False when out of
 * memory. */
bool sql_htab_reserve(sql_htab *h, uint64_t n);
/* Finds the row whose key equals `key`; inserts `row` (row_width values, key first) when absent
 * and `insert` is set. Returns the row index, or UINT64_MAX if absent / out of memory
 * (then *oom is set). */
uint64_t sql_htab_find(sql_htab *h, const sql_value *key, uint64_t hash, const sql_value *row,
                       bool insert, bool *inserted, bool *oom);
bool sql_values_equal(const sql_value *a, const sql_value *b, uint32_t n);

/* A broadcast hash join's build side (its right input read whole and hashed), built once by
 * the GATHER whose fragments run the join and read by all of them: each fragment built the
 * same table before (Q3: customer JOIN orders computed once per lineitem shard). Read-only
 * once built (INNER and LEFT joins never mark build rows), so fragments on other shards read
 * it in place; it lives until the GATHER closes, after every fragment has ended. */
/* The key filter a hash join hands its probe scan (sql_join_push_keys): build key `key`'s
 * values as a bloom filter (eng_scan_keys) and their range. */
typedef struct sql_join_keyset {
    uint32_t key;              /* index into the join's keys */
    int64_t lo, hi;
    const uint64_t *words;     /* NULL: none */
    uint32_t words_log2;
} sql_join_keyset;

typedef struct sql_join_shared {
    const sql_plan *plan;      /* the HASHJOIN */
    sql_join_keyset filter;    /* its probe scans' key filter, built once with it (words NULL:
                                  none; a fragment whose scan takes another key builds its own) */
    sql_rowset right;          /* its right rows */
    sql_htab keys;             /* right key values ++ [first row index] */
    uint64_t *chain;           /* next right row with the same key */
    rt_arena *mem;             /* all of the above; the GATHER destroys it at its close */
    struct sql_join_shared *next;
} sql_join_shared;

/* Reads `p`'s right input whole (in x, the GATHER's context) and hashes it in `mem` (an
 * arena of sql_exec_hash_bytes_max: 53200 past it); fills out's plan, right, keys, chain and
 * the key filter; under EXPLAIN ANALYZE counts the build in x->shared_actual. */
bool sql_join_shared_build(sql_exec_ctx *x, const sql_plan *p, rt_arena *mem,
                           sql_join_shared *out);

/* 53200 "out of memory" naming the budget when `mem` (an operator's arena of
 * sql_exec_hash_bytes_max) ran out, else the error already set; `what` is "join" or
 * "aggregation". Returns false. */
bool sql_exec_hash_fail(rt_arena *mem, sql_exec_ctx *x, const char *what);
