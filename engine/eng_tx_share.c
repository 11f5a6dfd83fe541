/* eng_tx_share.c: shared row locks (FOR SHARE, FOR KEY SHARE) of one shard, and the marks of
 * versions moved to another partition.
 * An exclusive lock lives in the version's end stamp, which has room for one transaction. A
 * shared lock may have many holders, so they live beside the partition in a per-shard hash
 * table keyed by (partition, slot): a locker whose strength conflicts with a running holder's
 * (eng_lock_conflicts) waits for it; shared lockers never wait for each other. A holder is
 * recorded in its transaction's write log (ENG_W_SHARE), so commit, abort and ROLLBACK TO
 * remove it. A NO KEY UPDATE may end a version that KEY SHARE holders hold, so the holders of
 * older versions of a row count too, and vacuum keeps a version while it has holders.
 * An UPDATE that moves a row to another partition marks the version it ended here, so that a
 * concurrent locker that waited for it learns the row moved (40001) rather than that it was
 * deleted; the mark goes when vacuum takes the slot or the move is undone. */
#include <string.h>

#include "engine/eng_part_int.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

/* Buckets of one shard's table: a lock set is short-lived, so a few thousand chains suffice
 * for the locks of thousands of concurrent transactions. */
#define ENG_SHARE_BUCKETS 4096u
RT_STATIC_ASSERT((ENG_SHARE_BUCKETS & (ENG_SHARE_BUCKETS - 1)) == 0);

typedef struct eng_share {
    const eng_part *part;
    uint32_t slot;
    uint32_t count, cap;
    uint64_t *holders;       /* eng_stamp_txn(slot, generation, mode) of each holder */
    bool moved;              /* the version was ended by a move to another partition */
    struct eng_share *next;
} eng_share;

typedef struct eng_share_table {
    eng_share **buckets;
    uint64_t entries;        /* 0: no lookup needed (the common case) */
} eng_share_table;

static eng_share_table eng_share_tables[RT_SHARDS_MAX];

static eng_share_table *eng_share_self(void) {
    eng_share_table *t = &eng_share_tables[rt_core_id()];
    if (t->buckets == NULL) t->buckets = rt_xcalloc(ENG_SHARE_BUCKETS, sizeof(eng_share *));
    return t;
}

static eng_share **eng_share_bucket(eng_share_table *t, const eng_part *p, uint32_t slot) {
    uint64_t h = ((uint64_t)(uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull ^ slot * 0xff51afd7ull;
    return &t->buckets[(h >> 20) & (ENG_SHARE_BUCKETS - 1)];
}

static eng_share *eng_share_find(const eng_part *p, uint32_t slot, eng_share ***link) {
    eng_share_table *t = eng_share_self();
    if (t->entries == 0 && link == NULL) return NULL;
    eng_share **l = eng_share_bucket(t, p, slot);
    for (; *l != NULL; l = &(*l)->next) {
        if ((*l)->part == p && (*l)->slot == slot) break;
    }
    if (link != NULL) *link = l;
    return *l;
}

static eng_share *eng_share_get(const eng_part *p, uint32_t slot) {
    eng_share **link;
    eng_share *s = eng_share_find(p, slot, &link);
    if (s != NULL) return s;
    s = rt_xcalloc(1, sizeof *s);
    s->part = p;
    s->slot = slot;
    *link = s;
    eng_share_self()->entries++;
    return s;
}

/* Frees the entry once it holds nothing worth keeping. */
static void eng_share_maybe_free(eng_share *s, eng_share **link) {
    if (s->count > 0 || s->moved) return;
    *link = s->next;
    rt_free(s->holders);
    rt_free(s);
    eng_share_self()->entries--;
}

static eng_lock_mode eng_share_mode(uint64_t holder) {
    return (eng_lock_mode)eng_stamp_command(holder);
}

bool eng_tx_share_add(eng_tx *tx, eng_part *p, uint32_t slot, eng_lock_mode mode, rt_err *err) {
    RT_ASSERT(tx->core == rt_core_id());
    RT_ASSERT(mode == ENG_LOCK_FOR_KEY_SHARE || mode == ENG_LOCK_FOR_SHARE);
    eng_share *s = eng_share_find(p, slot, NULL);
    for (uint32_t i = 0; s != NULL && i < s->count; i++) {
        if (!eng_stamp_same_txn(s->holders[i], tx->stamp)) continue;
        if (eng_share_mode(s->holders[i]) < mode) {
            s->holders[i] = eng_stamp_txn(tx->id.slot, tx->id.generation, mode);
        }
        return true;
    }
    if (!eng_tx_log_write(tx, p, slot, ENG_W_SHARE, err)) return false;
    s = eng_share_get(p, slot);
    if (s->count == s->cap) {
        s->cap = s->cap == 0 ? 2 : s->cap * 2;
        s->holders = rt_xrealloc(s->holders, s->cap * sizeof(uint64_t));
    }
    s->holders[s->count++] = eng_stamp_txn(tx->id.slot, tx->id.generation, mode);
    return true;
}

uint64_t eng_tx_share_conflict(const eng_tx *tx, const eng_part *p, uint32_t slot,
                               eng_lock_mode mode) {
    if (eng_share_self()->entries == 0) return 0;
    /* The chain is as long as vacuum left it (it walks it the same way). */
    while (slot != ENG_SLOT_NONE) {
        const eng_share *s = eng_share_find(p, slot, NULL);
        for (uint32_t i = 0; s != NULL && i < s->count; i++) {
            uint64_t h = s->holders[i];
            if (eng_stamp_same_txn(h, tx->stamp)) continue;
            if (!eng_lock_conflicts(mode, eng_share_mode(h))) continue;
            if (eng_txn_stamp_running(h)) return h;
        }
        slot = eng_part_older(p, slot);
    }
    return 0;
}

bool eng_tx_share_holds(const eng_tx *tx, const eng_part *p, uint32_t slot) {
    const eng_share *s = eng_share_find(p, slot, NULL);
    for (uint32_t i = 0; s != NULL && i < s->count; i++) {
        if (eng_stamp_same_txn(s->holders[i], tx->stamp)) return true;
    }
    return false;
}

void eng_tx_share_remove(const eng_tx *tx, const eng_part *p, uint32_t slot) {
    eng_share **link;
    eng_share *s = eng_share_find(p, slot, &link);
    if (s == NULL) return;
    for (uint32_t i = 0; i < s->count; i++) {
        if (!eng_stamp_same_txn(s->holders[i], tx->stamp)) continue;
        s->holders[i] = s->holders[--s->count];
        break;
    }
    eng_share_maybe_free(s, link);
}

bool eng_tx_share_pinned(const eng_part *p, uint32_t slot) {
    const eng_share *s = eng_share_find(p, slot, NULL);
    return s != NULL && s->count > 0;
}

void eng_tx_share_set_moved(const eng_part *p, uint32_t slot, bool moved) {
    if (moved) {
        eng_share_get(p, slot)->moved = true;
        return;
    }
    if (eng_share_find(p, slot, NULL) == NULL) return; /* the common undo: no lookup */
    eng_share **link;
    eng_share *s = eng_share_find(p, slot, &link);
    s->moved = false;
    eng_share_maybe_free(s, link);
}

bool eng_tx_share_moved(const eng_part *p, uint32_t slot) {
    const eng_share *s = eng_share_find(p, slot, NULL);
    return s != NULL && s->moved;
}

void eng_tx_share_forget(const eng_part *p, uint32_t slot) {
    if (eng_share_find(p, slot, NULL) == NULL) return;
    eng_share **link;
    eng_share *s = eng_share_find(p, slot, &link);
    if (s == NULL) return;
    RT_ASSERT(s->count == 0); /* vacuum keeps versions with holders */
    s->moved = false;
    eng_share_maybe_free(s, link);
}

void eng_tx_share_forget_part(const eng_part *p) {
    /* Every shard's table: partitions are destroyed at shutdown and in recovery, by the main
     * thread, while no shard runs. */
    for (uint32_t core = 0; core < RT_SHARDS_MAX; core++) {
        eng_share_table *t = &eng_share_tables[core];
        for (uint32_t b = 0; t->entries > 0 && b < ENG_SHARE_BUCKETS; b++) {
            eng_share **l = &t->buckets[b];
            while (*l != NULL) {
                eng_share *s = *l;
                if (s->part != p) {
                    l = &s->next;
                    continue;
                }
                *l = s->next;
                rt_free(s->holders);
                rt_free(s);
                t->entries--;
            }
        }
    }
}
