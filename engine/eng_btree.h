/* eng_btree.h: an in-memory B+tree mapping byte-string keys (memcmp order) to 64-bit values.
 * Used for primary-key and secondary indexes of a partition: keys are order-preserving encodings
 * of the indexed columns (eng_key.h), so one comparison routine serves every type.
 * Owns:    its nodes and a copy of every key.
 * Core:    single-threaded: a tree belongs to one partition, used on its shard only.
 * Memory:  rt_xmalloc; a key is copied on insert and freed on delete.
 * Iterators survive modifications: an iterator remembers the last key it returned and re-seeks
 * after the tree changed (a scan fiber may yield between batches while others insert).
 * Limits:  ENG_BTREE_KEY_BYTES_MAX per key (54000 past it). */
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
