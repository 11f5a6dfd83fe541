/* sql_exec_hash.c: open-addressing hash table over rows, shared by DISTINCT, set operations,
 * hash aggregation and hash joins. Rows are kept in a row set; the table stores row indexes
 * with 32 bits of hash to skip most unequal comparisons. */
#include "sql/sql_exec_int.h"

#include <string.h>

bool sql_htab_init(sql_htab *h, rt_arena *arena, uint32_t nkeys, uint32_t row_width) {
    memset(h, 0, sizeof *h);
    h->arena = arena;
    h->nkeys = nkeys;
    h->cap = 64;
    h->slots = rt_arena_zalloc(arena, h->cap * sizeof(uint64_t));
    return h->slots != NULL && sql_rowset_init(&h->rows, arena, row_width);
}

uint64_t sql_htab_hash(const sql_value *key, uint32_t nkeys) {
    uint64_t h = 0x243F6A8885A308D3ull;
    for (uint32_t i = 0; i < nkeys; i++) {
        uint64_t v = key[i].is_null ? 0x9E3779B97F4A7C15ull : sql_value_hash(&key[i]);
        h = (h ^ v) * 0x100000001B3ull;
        h ^= h >> 29;
    }
    return h;
}

bool sql_values_equal(const sql_value *a, const sql_value *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].is_null != b[i].is_null) return false;
        if (!a[i].is_null && sql_value_cmp(&a[i], &b[i]) != 0) return false;
    }
    return true;
}

static bool sql_htab_resize(sql_htab *h, uint64_t cap) {
    uint64_t *slots = rt_arena_zalloc(h->arena, cap * sizeof(uint64_t));
    if (slots == NULL) return false;
    for (uint64_t i = 0; i < h->cap; i++) {
        uint64_t s = h->slots[i];
        if (s == 0) continue;
        uint64_t row = (s >> 32) - 1;
        uint64_t hash = sql_htab_hash(sql_rowset_row(&h->rows, row), h->nkeys);
        for (uint64_t j = hash & (cap - 1);; j = (j + 1) & (cap - 1)) {
            if (slots[j] == 0) {
                slots[j] = s;
                break;
            }
        }
    }
    h->slots = slots;
    h->cap = cap;
    return true;
}

bool sql_htab_reserve(sql_htab *h, uint64_t n) {
    uint64_t cap = h->cap;
    while (cap < n * 2) cap *= 2;
    return cap == h->cap || sql_htab_resize(h, cap);
}

uint64_t sql_htab_find(sql_htab *h, const sql_value *key, uint64_t hash, const sql_value *row,
                       bool insert, bool *inserted, bool *oom) {
    *inserted = false;
    *oom = false;
    uint32_t tag = (uint32_t)(hash >> 32);
    uint64_t mask = h->cap - 1;
    for (uint64_t i = hash & mask;; i = (i + 1) & mask) {
        uint64_t s = h->slots[i];
        if (s == 0) {
            if (!insert) return UINT64_MAX;
            if ((h->count + 1) * 2 > h->cap) {
                if (!sql_htab_resize(h, h->cap * 2)) break;
                return sql_htab_find(h, key, hash, row, insert, inserted, oom);
            }
            if (!sql_rowset_add_values(&h->rows, row)) break;
            uint64_t idx = h->rows.count - 1;
            h->slots[i] = (idx + 1) << 32 | tag;
            h->count++;
            *inserted = true;
            return idx;
        }
        if ((uint32_t)s != tag) continue;
        uint64_t idx = (s >> 32) - 1;
        if (sql_values_equal(sql_rowset_row(&h->rows, idx), key, h->nkeys)) return idx;
    }
    *oom = true;
    return UINT64_MAX;
}

/* ---- the memory budget of hash operators ---- */

size_t sql_exec_hash_bytes_max = SQL_EXEC_HASH_BYTES_MAX;

bool sql_exec_hash_fail(rt_arena *mem, sql_exec_ctx *x, const char *what) {
    if (rt_err_is_set(x->err)) return false;
    if (mem == NULL || rt_arena_error(mem) == NULL) return rt_arena_fail(x->arena, x->err);
    rt_err_set(x->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    rt_err_detail(x->err, "The %s needs more than its memory budget of %zu bytes.", what,
                  sql_exec_hash_bytes_max);
    return false;
}
