/* eng_tx_share.c: shared row locks (FOR SHARE, FOR KEY SHARE) of one shard.
 * An exclusive lock lives in the version's end stamp, which has room for one transaction. A
 * shared lock may have many holders, so they live beside the partition in a per-shard hash
 * table keyed by (partition, slot): a writer or an exclusive locker that finds another running
 * holder there waits for it; shared lockers never wait for each other. A holder is recorded
 * in its transaction's write log (ENG_W_SHARE), so commit, abort and ROLLBACK TO remove it. */
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
    uint64_t *holders;       /* eng_stamp_txn(slot, generation, 0) of each holder */
    struct eng_share *next;
} eng_share;

static eng_share **eng_share_tables[RT_SHARDS_MAX];

static eng_share **eng_share_bucket(const eng_part *p, uint32_t slot) {
    uint32_t core = rt_core_id();
    if (eng_share_tables[core] == NULL) {
        eng_share_tables[core] = rt_xcalloc(ENG_SHARE_BUCKETS, sizeof(eng_share *));
    }
    uint64_t h = ((uint64_t)(uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull ^ slot * 0xff51afd7ull;
    return &eng_share_tables[core][(h >> 20) & (ENG_SHARE_BUCKETS - 1)];
}

static eng_share *eng_share_find(const eng_part *p, uint32_t slot, eng_share ***link) {
    eng_share **l = eng_share_bucket(p, slot);
    for (; *l != NULL; l = &(*l)->next) {
        if ((*l)->part == p && (*l)->slot == slot) break;
    }
    if (link != NULL) *link = l;
    return *l;
}

static bool eng_share_holds(const eng_share *s, uint64_t stamp) {
    for (uint32_t i = 0; s != NULL && i < s->count; i++) {
        if (eng_stamp_same_txn(s->holders[i], stamp)) return true;
    }
    return false;
}

bool eng_tx_share_add(eng_tx *tx, eng_part *p, uint32_t slot, rt_err *err) {
    RT_ASSERT(tx->core == rt_core_id());
    eng_share **link;
    eng_share *s = eng_share_find(p, slot, &link);
    if (eng_share_holds(s, tx->stamp)) return true;
    if (!eng_tx_log_write(tx, p, slot, ENG_W_SHARE, err)) return false;
    if (s == NULL) {
        s = rt_xcalloc(1, sizeof *s);
        s->part = p;
        s->slot = slot;
        *link = s;
    }
    if (s->count == s->cap) {
        s->cap = s->cap == 0 ? 2 : s->cap * 2;
        s->holders = rt_xrealloc(s->holders, s->cap * sizeof(uint64_t));
    }
    s->holders[s->count++] = tx->stamp;
    return true;
}

uint64_t eng_tx_share_other(const eng_tx *tx, const eng_part *p, uint32_t slot) {
    const eng_share *s = eng_share_find(p, slot, NULL);
    for (uint32_t i = 0; s != NULL && i < s->count; i++) {
        uint64_t h = s->holders[i];
        if (eng_stamp_same_txn(h, tx->stamp)) continue;
        if (eng_txn_stamp_running(h)) return h;
    }
    return 0;
}

bool eng_tx_share_held(const eng_tx *tx, const eng_part *p, uint32_t slot) {
    return eng_share_holds(eng_share_find(p, slot, NULL), tx->stamp);
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
    if (s->count > 0) return;
    *link = s->next;
    rt_free(s->holders);
    rt_free(s);
}
