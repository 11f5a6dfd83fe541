/* eng_part_ixbuild.c: bulk builds of a partition's B-tree indexes (CREATE INDEX and REINDEX on a
 * table with rows, checkpoint loads). Every version a reader may still see gets its entry, and
 * only those: a secondary index leaves out the versions that ended at or before the vacuum
 * horizon (dead to every snapshot, as PostgreSQL's build skips HEAPTUPLE_DEAD), so an
 * expression is never computed over a row no one can read any more. The (key, slot)
 * pairs are sorted and the tree is built bottom up (eng_btree_load) instead of descending and
 * splitting per key. The sort buffer is bounded: past eng_part_index_build_bytes of entries the
 * build goes in runs, the first built bottom up, each later run sorted and inserted in key
 * order. Keys are the tree's own allocations from the start, so a run costs its entries only. */
#include "engine/eng_part_int.h"

#include <stdatomic.h>

#include "engine/eng_vac.h"

#include "runtime/rt_mem.h"

static uint64_t eng_ixbuild_bytes = ENG_PART_INDEX_BUILD_BYTES_MAX;
static _Atomic uint64_t eng_ixbuild_count;

void eng_part_index_build_bytes_set(uint64_t bytes) {
    eng_ixbuild_bytes = bytes != 0 ? bytes : ENG_PART_INDEX_BUILD_BYTES_MAX;
}

uint64_t eng_part_index_builds(void) { return atomic_load(&eng_ixbuild_count); }

/* One build: the tree, the index (NULL: the primary key) and the run being filled. */
typedef struct eng_ixbuild {
    eng_part *p;
    const eng_pindex *ix;
    eng_btree *tree;
    eng_btree_entry *run;
    uint64_t n, cap;
    uint64_t horizon; /* versions ended at or before it are left out (0: none) */
    bool duplicate;   /* the primary key: two versions with one key */
} eng_ixbuild;

/* Whether a version with these stamps is dead to every snapshot now and later: it ended (its
 * deleter committed, or the stamp already says when) at or before `horizon`. */
static bool eng_ixbuild_dead(uint64_t end, uint64_t horizon) {
    if (end == ENG_TS_INF || (end & ENG_STAMP_LOCK_BIT) != 0) return false;
    if (eng_stamp_is_txn(end)) end = eng_stamp_resolve(end); /* 0: running, INF: aborted */
    return end != 0 && end != ENG_TS_INF && end <= horizon;
}

/* Of two versions with one entry key (one row whose update kept the key), the newer: the one
 * whose chain of older versions reaches the other. Slot order does not tell (vacuum reuses
 * slots); entries made by writes name the newest version, so the build does too. */
static uint32_t eng_ixbuild_newer(const eng_part *p, uint32_t a, uint32_t b) {
    for (uint32_t s = eng_part_older(p, a); s != ENG_SLOT_NONE; s = eng_part_older(p, s)) {
        if (s == b) return a;
    }
    return b;
}

/* Keeps one entry of each key: the newest version's (the primary key: notes a duplicate). */
static void eng_ixbuild_dedupe(eng_ixbuild *b) {
    uint64_t out = 0;
    for (uint64_t i = 0; i < b->n; i++) {
        eng_btree_entry *e = &b->run[i];
        eng_btree_entry *last = out > 0 ? &b->run[out - 1] : NULL;
        if (last == NULL || last->len != e->len || memcmp(last->key, e->key, e->len) != 0) {
            b->run[out++] = *e;
            continue;
        }
        if (b->ix == NULL) b->duplicate = true;
        last->value = eng_ixbuild_newer(b->p, (uint32_t)last->value, (uint32_t)e->value);
        rt_free(e->key);
    }
    b->n = out;
}

/* Sorts the run and adds it: bottom up into the empty tree, else key by key in order. */
static bool eng_ixbuild_flush(eng_ixbuild *b, rt_err *err) {
    eng_btree_sort(b->run, b->n, true);
    eng_ixbuild_dedupe(b);
    if (b->duplicate) return false;
    if (eng_btree_count(b->tree) == 0) {
        eng_btree_load(b->tree, b->run, b->n);
        b->n = 0;
        return true;
    }
    bool ok = true;
    for (uint64_t i = 0; i < b->n; i++) {
        eng_btree_entry *e = &b->run[i];
        uint64_t had, slot = e->value;
        if (ok && b->ix != NULL && eng_btree_get(b->tree, e->key, e->len, &had)) {
            slot = eng_ixbuild_newer(b->p, (uint32_t)had, (uint32_t)slot);
        }
        bool replaced = false;
        ok = ok && eng_btree_put(b->tree, e->key, e->len, slot, &replaced, err);
        if (ok && replaced && b->ix == NULL) b->duplicate = true;
        ok = ok && !b->duplicate;
        rt_free(e->key);
    }
    b->n = 0;
    return ok;
}

/* The entry key of the version at `slot` into *key; *included false when a partial index leaves
 * it out. */
static bool eng_ixbuild_key(eng_ixbuild *b, uint32_t slot, eng_codec_w *pk, eng_codec_w *key,
                            bool *included, rt_err *err) {
    pk->len = 0;
    key->len = 0;
    *included = true;
    if (b->ix == NULL) return eng_part_key_of(b->p, slot, key, err);
    return eng_part_key_of(b->p, slot, pk, err) &&
           eng_part_pindex_key(b->p, b->ix, slot, pk, key, included, err);
}

static bool eng_ixbuild_run(eng_ixbuild *b, rt_err *err) {
    eng_part *p = b->p;
    eng_codec_w pk, key;
    eng_w_init(&pk);
    eng_w_init(&key);
    bool ok = true;
    /* Versions that never became visible are skipped (begin unset), as writes leave them. */
    for (uint32_t slot = 0; ok && slot < p->next_slot; slot++) {
        uint64_t begin, end;
        eng_part_stamps(p, slot, &begin, &end);
        if (begin == ENG_TS_INF || eng_ixbuild_dead(end, b->horizon)) continue;
        bool included;
        ok = eng_ixbuild_key(b, slot, &pk, &key, &included, err) &&
             (!included || eng_btree_key_fits((uint32_t)key.len, err));
        if (!ok || !included) continue;
        uint8_t *copy = rt_xmalloc(key.len > 0 ? key.len : 1);
        memcpy(copy, key.buf, key.len);
        eng_btree_entry_set(&b->run[b->n++], copy, (uint32_t)key.len, slot);
        if (b->n == b->cap) ok = eng_ixbuild_flush(b, err);
    }
    if (ok) ok = eng_ixbuild_flush(b, err);
    for (uint64_t i = 0; i < b->n; i++) rt_free(b->run[i].key); /* a run a failure cut short */
    rt_free(pk.buf);
    rt_free(key.buf);
    return ok;
}

static bool eng_ixbuild_tree(eng_part *p, const eng_pindex *ix, eng_btree *tree, bool *duplicate,
                             rt_err *err) {
    RT_ASSERT(eng_btree_count(tree) == 0);
    if (p->next_slot == 0) return true;
    uint64_t cap = eng_ixbuild_bytes / sizeof(eng_btree_entry);
    if (cap < 2) {
        rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "index build sort buffer of %llu bytes is too "
                   "small", (unsigned long long)eng_ixbuild_bytes);
        return false;
    }
    if (cap > p->next_slot) cap = p->next_slot;
    /* The primary key keeps its dead versions: its entry heads the chain vacuum walks. */
    eng_ixbuild b = {.p = p, .ix = ix, .tree = tree, .cap = cap,
                     .horizon = ix != NULL ? eng_vac_horizon() : 0};
    b.run = rt_malloc(cap * sizeof *b.run);
    if (b.run == NULL) {
        rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        rt_err_detail(err, "Failed on request of size %llu for an index build's sort buffer.",
                      (unsigned long long)(cap * sizeof *b.run));
        return false;
    }
    bool ok = eng_ixbuild_run(&b, err);
    rt_free(b.run);
    if (duplicate != NULL) *duplicate = b.duplicate;
    return ok;
}

bool eng_part_index_build(eng_part *p, uint32_t index_oid, rt_err *err) {
    eng_pindex *ix = NULL;
    for (uint32_t i = 0; i < p->index_count; i++) {
        if (p->indexes[i].oid == index_oid) ix = &p->indexes[i];
    }
    RT_ASSERT(ix != NULL);
    atomic_fetch_add(&eng_ixbuild_count, 1);
    return eng_ixbuild_tree(p, ix, ix->tree, NULL, err);
}

bool eng_part_index_build_all(eng_part *p, bool *duplicate, rt_err *err) {
    *duplicate = false;
    if (!eng_ixbuild_tree(p, NULL, p->pk, duplicate, err)) return false;
    for (uint32_t i = 0; i < p->index_count; i++) {
        if (!eng_ixbuild_tree(p, &p->indexes[i], p->indexes[i].tree, NULL, err)) return false;
    }
    return true;
}
