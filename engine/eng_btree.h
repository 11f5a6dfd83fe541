/* eng_btree.h: an in-memory B+tree mapping byte-string keys (memcmp order) to 64-bit values.
 * Used for primary-key and secondary indexes of a partition: keys are order-preserving encodings
 * of the indexed columns (eng_key.h), so one comparison routine serves every type.
 * Owns:    its nodes and a copy of every key.
 * Core:    single-threaded: a tree belongs to one partition, used on its shard only.
 * Memory:  rt_xmalloc; a key is copied on insert and freed on delete.
 * Iterators survive modifications: an iterator remembers the last key it returned and re-seeks
 * after the tree changed (a scan fiber may yield between batches while others insert).
 * Limits:  ENG_BTREE_KEY_BYTES_MAX per key (54000 past it).
 * Bulk:    eng_btree_entry_set() + eng_btree_sort() + eng_btree_load() build a tree from many
 *          entries at once: sorted, then packed into leaves and inner nodes bottom up (CREATE
 *          INDEX, checkpoint loads) instead of descending and splitting per key. */
#ifndef ENG_BTREE_H
#define ENG_BTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

/* As PostgreSQL's B-tree: an index row must fit a third of a page there (~2700 bytes). */
#define ENG_BTREE_KEY_BYTES_MAX 2704u

typedef struct eng_btree eng_btree;

eng_btree *eng_btree_create(void);
void eng_btree_destroy(eng_btree *tree);

/* Inserts or replaces. *replaced (if not NULL) says whether the key existed. */
bool eng_btree_put(eng_btree *tree, const uint8_t *key, uint32_t key_len, uint64_t value,
                   bool *replaced, rt_err *err);
bool eng_btree_get(const eng_btree *tree, const uint8_t *key, uint32_t key_len, uint64_t *value);
/* Removes the key; false if it was not there. */
bool eng_btree_delete(eng_btree *tree, const uint8_t *key, uint32_t key_len);
uint64_t eng_btree_count(const eng_btree *tree);
/* Bytes of nodes and keys, for memory accounting. */
uint64_t eng_btree_bytes(const eng_btree *tree);

/* One (key, value) pair of a bulk build. `key` is rt_xmalloc'd by the caller and handed to the
 * tree by eng_btree_load; `head` caches the key's first bytes for sorting. */
typedef struct eng_btree_entry {
    uint64_t head[2];
    uint8_t *key;
    uint32_t len;
    uint64_t value;
} eng_btree_entry;

/* Fills *e for `key` (the caller's allocation, handed over) and `value`. */
void eng_btree_entry_set(eng_btree_entry *e, uint8_t *key, uint32_t len, uint64_t value);
/* Sorts entries by key (memcmp order); equal keys keep no particular order among themselves
 * unless `by_value` (then ascending value). */
void eng_btree_sort(eng_btree_entry *entries, uint64_t n, bool by_value);
/* Builds empty `tree` bottom up from `n` sorted entries with distinct keys (checked under
 * DB_VERIFY) that passed eng_btree_key_fits, taking their keys: leaves and inner nodes packed to
 * ENG_BTREE_BUILD_FILL entries, linked level by level. */
void eng_btree_load(eng_btree *tree, eng_btree_entry *entries, uint64_t n);
/* False with 54000 (PostgreSQL's message) when a key of `key_len` bytes cannot be indexed. */
bool eng_btree_key_fits(uint32_t key_len, rt_err *err);

typedef struct eng_btree_iter {
    const eng_btree *tree;
    const void *leaf;      /* current leaf; re-derived after the tree changed */
    uint32_t pos;
    uint64_t tree_version; /* the tree's version when `leaf`/`pos` were valid */
    bool started;          /* a key has been returned (last_key is valid) */
    bool done;
    uint32_t last_len;
    uint8_t last_key[ENG_BTREE_KEY_BYTES_MAX];
} eng_btree_iter;

/* Positions before the first key >= `key` (or > `key` when !inclusive); key NULL = the start. */
void eng_btree_seek(eng_btree_iter *it, const eng_btree *tree, const uint8_t *key,
                    uint32_t key_len, bool inclusive);
/* The next entry in key order; false at the end. The key pointer is valid until the next call
 * or a modification of the tree. */
bool eng_btree_next(eng_btree_iter *it, const uint8_t **key, uint32_t *key_len, uint64_t *value);

/* Checks ordering and structure (O(n)); for tests and DB_VERIFY. */
bool eng_btree_check(const eng_btree *tree);

#endif
