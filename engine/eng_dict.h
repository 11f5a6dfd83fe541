/* eng_dict.h: the dictionary of a dictionary-encoded text chunk (eng_part.c) and of the
 * checkpoint writer's encoded columns (eng_ckpt_part.c).
 * Owns:    up to ENG_DICT_VALUES_MAX distinct byte strings, each in its own allocation, with a
 *          count of the rows naming each (refs) and a hash probe table for lookups by value.
 * Codes:   a row stores the one-byte index of its value in the dictionary. An entry no row
 *          names any more (refs 0, its rows freed by vacuum) is taken by the next new value:
 *          vacuum frees only versions no snapshot can read, so no reader holds its bytes.
 * Stable:  an entry's bytes never move while a row names it (readers keep pointers into them
 *          across yields, as they do into plain chunks); growing the entry arrays copies only
 *          the pointers.
 * Core:    the owning partition's shard (no locks).
 * Memory:  rt_xmalloc; eng_dict_destroy frees everything. The probe table is rebuilt on
 *          demand: eng_dict_seal drops it when a row group is full (no new rows come but
 *          through vacuum's slot reuse) so a sealed chunk costs codes + entries only.
 * Limits:  ENG_DICT_VALUES_MAX entries: eng_dict_put reports "full" past it and the caller
 *          stores the chunk plainly. */
#ifndef ENG_DICT_H
#define ENG_DICT_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_batch.h"

/* Distinct values of one dictionary. Codes are one byte: a row costs 1 byte instead of a
 * 16-byte pointer + length and its own allocation. Past 256 distinct values in a row group of
 * ENG_RG_ROWS (1024) rows a value repeats fewer than 4 times on average, the saving shrinks
 * towards the per-entry overhead, and a wider code would halve what an encoded scan gains. */
#define ENG_DICT_VALUES_MAX 256u
#define ENG_DICT_CODE_NONE 0xffffu

typedef struct eng_dict {
    uint32_t count;       /* entries in use (codes 0 .. count - 1) */
    uint32_t cap;         /* entries allocated */
    sql_bytes *vals;      /* [cap] */
    uint32_t *hashes;     /* [cap] */
    uint16_t *refs;       /* [cap]: rows naming the entry (a row group has at most 1024) */
    uint16_t *probe;      /* [probe_slots]: code + 1, 0 = empty; NULL: rebuilt on next use */
    uint32_t probe_slots;
    uint64_t value_bytes; /* sum of the entries' lengths */
} eng_dict;

/* Process-wide switch (on by default): off, new text chunks are stored plain and scans ignore
 * equality pre-filters, as before dictionaries existed. For benchmarks comparing the two; set
 * it before any table has rows. */
void eng_dict_set_enabled(bool on);
bool eng_dict_enabled(void);

eng_dict *eng_dict_create(void);
void eng_dict_destroy(eng_dict *d);
/* The code of `v` (ENG_DICT_CODE_NONE if absent); no row is counted. */
uint32_t eng_dict_find(eng_dict *d, const uint8_t *ptr, uint32_t len);
/* The code of `v` with one more row naming it: an existing entry, else a new one (a copy of
 * the bytes), else a recycled entry no row names. ENG_DICT_CODE_NONE when the dictionary is
 * full (the caller converts the chunk to plain). */
uint32_t eng_dict_put(eng_dict *d, const uint8_t *ptr, uint32_t len);
/* One row fewer names `code` (its slot was freed); true when none does any more. */
bool eng_dict_unref(eng_dict *d, uint32_t code);
/* Frees the bytes of an entry no row names (a dictionary no longer taking values). */
void eng_dict_drop(eng_dict *d, uint32_t code);
/* The row group is full: the probe table goes until the next put. */
void eng_dict_seal(eng_dict *d);
/* Bytes the dictionary holds (entries, probe table, values). */
uint64_t eng_dict_bytes(const eng_dict *d);

#endif
