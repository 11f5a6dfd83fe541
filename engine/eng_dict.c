/* eng_dict.c: dictionaries of encoded text chunks (eng_dict.h). Lookups go through an
 * open-addressing probe table of twice the entries' capacity (a power of two), so a probe
 * sequence ends at an empty slot after about two looks on average. */
#include "engine/eng_dict.h"

#include <stdatomic.h>
#include <string.h>

#include "engine/eng_key.h"
#include "runtime/rt_assert.h"
#include "runtime/rt_mem.h"

#define ENG_DICT_FIRST_CAP 8u /* most text columns that encode have few distinct values */

RT_STATIC_ASSERT(ENG_DICT_VALUES_MAX <= 256u); /* codes are one byte */

static _Atomic bool eng_dict_on = true;

void eng_dict_set_enabled(bool on) { atomic_store(&eng_dict_on, on); }
bool eng_dict_enabled(void) { return atomic_load_explicit(&eng_dict_on, memory_order_relaxed); }

eng_dict *eng_dict_create(void) { return rt_xcalloc(1, sizeof(eng_dict)); }

void eng_dict_destroy(eng_dict *d) {
    if (d == NULL) return;
    for (uint32_t i = 0; i < d->count; i++) rt_free((void *)d->vals[i].ptr);
    rt_free(d->vals);
    rt_free(d->hashes);
    rt_free(d->refs);
    rt_free(d->probe);
    rt_free(d);
}

static uint32_t eng_dict_hash(const uint8_t *ptr, uint32_t len) {
    return (uint32_t)eng_key_hash(ptr, len);
}

static void eng_dict_probe_add(eng_dict *d, uint32_t code) {
    uint32_t mask = d->probe_slots - 1u;
    uint32_t at = d->hashes[code] & mask;
    while (d->probe[at] != 0) at = (at + 1u) & mask;
    d->probe[at] = (uint16_t)(code + 1u);
}

static void eng_dict_probe_build(eng_dict *d) {
    rt_free(d->probe);
    d->probe_slots = d->cap * 2u;
    d->probe = rt_xcalloc(d->probe_slots, sizeof(uint16_t));
    for (uint32_t c = 0; c < d->count; c++) eng_dict_probe_add(d, c);
}

uint32_t eng_dict_find(eng_dict *d, const uint8_t *ptr, uint32_t len) {
    if (d->count == 0) return ENG_DICT_CODE_NONE;
    if (d->probe == NULL) eng_dict_probe_build(d);
    uint32_t h = eng_dict_hash(ptr, len);
    uint32_t mask = d->probe_slots - 1u;
    for (uint32_t at = h & mask; d->probe[at] != 0; at = (at + 1u) & mask) {
        uint32_t c = d->probe[at] - 1u;
        const sql_bytes *v = &d->vals[c];
        if (d->hashes[c] == h && v->len == len && (len == 0 || memcmp(v->ptr, ptr, len) == 0)) {
            return c;
        }
    }
    return ENG_DICT_CODE_NONE;
}

static void eng_dict_grow(eng_dict *d) {
    uint32_t cap = d->cap == 0 ? ENG_DICT_FIRST_CAP : d->cap * 2u;
    if (cap > ENG_DICT_VALUES_MAX) cap = ENG_DICT_VALUES_MAX;
    d->vals = rt_xrealloc(d->vals, cap * sizeof(sql_bytes));
    d->hashes = rt_xrealloc(d->hashes, cap * sizeof(uint32_t));
    d->refs = rt_xrealloc(d->refs, cap * sizeof(uint16_t));
    d->cap = cap;
    eng_dict_probe_build(d);
}

static const uint8_t *eng_dict_copy(const uint8_t *ptr, uint32_t len) {
    uint8_t *copy = rt_xmalloc(len > 0 ? len : 1);
    if (len > 0) memcpy(copy, ptr, len);
    return copy;
}

/* An entry no row names takes the new value; the probe table is rebuilt (an entry's hash
 * changed). Only when the dictionary is full, so under update churn, never on a plain load. */
static uint32_t eng_dict_recycle(eng_dict *d, const uint8_t *ptr, uint32_t len, uint32_t h) {
    for (uint32_t c = 0; c < d->count; c++) {
        if (d->refs[c] != 0) continue;
        d->value_bytes -= d->vals[c].len;
        rt_free((void *)d->vals[c].ptr);
        d->vals[c] = (sql_bytes){.ptr = eng_dict_copy(ptr, len), .len = len};
        d->value_bytes += len;
        d->hashes[c] = h;
        d->refs[c] = 1;
        eng_dict_probe_build(d);
        return c;
    }
    return ENG_DICT_CODE_NONE;
}

uint32_t eng_dict_put(eng_dict *d, const uint8_t *ptr, uint32_t len) {
    uint32_t c = eng_dict_find(d, ptr, len);
    if (c != ENG_DICT_CODE_NONE) {
        RT_ASSERT(d->refs[c] < UINT16_MAX);
        d->refs[c]++;
        return c;
    }
    uint32_t h = eng_dict_hash(ptr, len);
    if (d->count == ENG_DICT_VALUES_MAX) return eng_dict_recycle(d, ptr, len, h);
    if (d->count == d->cap) eng_dict_grow(d);
    if (d->probe == NULL) eng_dict_probe_build(d);
    c = d->count++;
    d->vals[c] = (sql_bytes){.ptr = eng_dict_copy(ptr, len), .len = len};
    d->hashes[c] = h;
    d->refs[c] = 1;
    d->value_bytes += len;
    eng_dict_probe_add(d, c);
    return c;
}

bool eng_dict_unref(eng_dict *d, uint32_t code) {
    RT_ASSERT(code < d->count);
    RT_ASSERT(d->refs[code] > 0);
    return --d->refs[code] == 0;
}

void eng_dict_drop(eng_dict *d, uint32_t code) {
    RT_ASSERT(d->refs[code] == 0);
    RT_ASSERT(d->probe == NULL); /* no lookups may find it */
    d->value_bytes -= d->vals[code].len;
    rt_free((void *)d->vals[code].ptr);
    d->vals[code] = (sql_bytes){0};
}

void eng_dict_seal(eng_dict *d) {
    rt_free(d->probe);
    d->probe = NULL;
    d->probe_slots = 0;
}

uint64_t eng_dict_bytes(const eng_dict *d) {
    return sizeof *d + (uint64_t)d->cap * (sizeof(sql_bytes) + 4u + 2u) +
           (uint64_t)d->probe_slots * 2u + d->value_bytes;
}
