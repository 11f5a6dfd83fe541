/* eng_txn.c: the transaction table, commit clock and visibility rules. */
#include "engine/eng_txn.h"

#include <string.h>

#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

_Atomic uint64_t eng_commit_clock = ENG_TS_FROZEN;

static eng_txn_slot *eng_txn_table;
static uint32_t eng_txn_shards;

/* Per-shard free lists of slots and published oldest snapshots; each written by its shard. */
typedef struct eng_txn_shard {
    _Alignas(64) uint32_t *free_slots;
    uint32_t free_count;
    uint32_t first, count;
    _Atomic uint64_t oldest_snapshot;
} eng_txn_shard;
static eng_txn_shard *eng_txn_shard_state;

#define ENG_STATE_STATUS_SHIFT 61

static inline uint64_t eng_state_make(eng_txn_status status, uint32_t generation) {
    return ((uint64_t)status << ENG_STATE_STATUS_SHIFT) | (generation & ENG_GENERATION_MASK);
}
static inline eng_txn_status eng_state_status(uint64_t state) {
    return (eng_txn_status)(state >> ENG_STATE_STATUS_SHIFT);
}
static inline uint32_t eng_state_generation(uint64_t state) {
    return (uint32_t)(state & ENG_GENERATION_MASK);
}

void eng_txn_init(uint32_t shard_count) {
    RT_ASSERT(shard_count > 0 && shard_count <= RT_SHARDS_MAX);
    RT_STATIC_ASSERT(ENG_TXN_SLOTS <= (1u << 20));
    eng_txn_table = rt_malloc_aligned(sizeof(eng_txn_slot) * ENG_TXN_SLOTS, 64);
    memset(eng_txn_table, 0, sizeof(eng_txn_slot) * ENG_TXN_SLOTS);
    eng_txn_shards = shard_count;
    eng_txn_shard_state = rt_malloc_aligned(sizeof(eng_txn_shard) * shard_count, 64);
    memset(eng_txn_shard_state, 0, sizeof(eng_txn_shard) * shard_count);
    uint32_t per = ENG_TXN_SLOTS / shard_count;
    for (uint32_t s = 0; s < shard_count; s++) {
        eng_txn_shard *sh = &eng_txn_shard_state[s];
        /* Slot 0 is never used, so a zero stamp can never name a transaction. */
        sh->first = s == 0 ? 1 : s * per;
        sh->count = (s + 1) * per - sh->first;
        sh->free_slots = rt_xmalloc(sizeof(uint32_t) * sh->count);
        for (uint32_t i = 0; i < sh->count; i++) sh->free_slots[i] = sh->first + sh->count - 1 - i;
        sh->free_count = sh->count;
        atomic_store(&sh->oldest_snapshot, UINT64_MAX);
    }
}

void eng_txn_shutdown(void) {
    if (eng_txn_table == NULL) return;
    for (uint32_t s = 0; s < eng_txn_shards; s++) rt_free(eng_txn_shard_state[s].free_slots);
    rt_free_aligned(eng_txn_shard_state);
    rt_free_aligned(eng_txn_table);
    eng_txn_table = NULL;
    eng_txn_shard_state = NULL;
}

void eng_txn_set_clock(uint64_t ts) {
    uint64_t cur = atomic_load(&eng_commit_clock);
    while (ts > cur && !atomic_compare_exchange_weak(&eng_commit_clock, &cur, ts)) {
    }
}

eng_txn_slot *eng_txn_slot_get(uint32_t slot) {
    RT_ASSERT(slot > 0 && slot < ENG_TXN_SLOTS);
    return &eng_txn_table[slot];
}

static uint32_t eng_txn_home_shard(void) {
    int core = rt_core_id_or_none();
    return core < 0 ? 0 : (uint32_t)core % eng_txn_shards;
}

bool eng_txn_begin(eng_txn_id *out, rt_err *err) {
    eng_txn_shard *sh = &eng_txn_shard_state[eng_txn_home_shard()];
    if (sh->free_count == 0) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_RESOURCES,
                          "too many concurrent transactions (limit %u per shard)", sh->count);
    }
    uint32_t slot = sh->free_slots[--sh->free_count];
    eng_txn_slot *s = &eng_txn_table[slot];
    uint32_t generation = (eng_state_generation(atomic_load(&s->state)) + 1) & ENG_GENERATION_MASK;
    atomic_store(&s->commit_ts, 0);
    atomic_store(&s->waiting_for, 0);
    atomic_store(&s->cancel, 0);
    atomic_store(&s->state, eng_state_make(ENG_TXN_ACTIVE, generation));
    out->slot = slot;
    out->generation = generation;
    return true;
}

uint64_t eng_txn_commit(eng_txn_id id) {
    eng_txn_slot *s = eng_txn_slot_get(id.slot);
    RT_ASSERT(eng_state_status(atomic_load(&s->state)) == ENG_TXN_ACTIVE);
    RT_ASSERT(eng_state_generation(atomic_load(&s->state)) == id.generation);
    /* PRECOMMIT before the clock moves: a snapshot taken after the increment finds it. */
    atomic_store(&s->state, eng_state_make(ENG_TXN_PRECOMMIT, id.generation));
    uint64_t ts = atomic_fetch_add(&eng_commit_clock, 1) + 1;
    RT_ASSERT(ts < ENG_TS_INF);
    atomic_store(&s->commit_ts, ts);
    atomic_store(&s->state, eng_state_make(ENG_TXN_COMMITTED, id.generation));
    return ts;
}

void eng_txn_abort(eng_txn_id id) {
    eng_txn_slot *s = eng_txn_slot_get(id.slot);
    RT_ASSERT(eng_state_generation(atomic_load(&s->state)) == id.generation);
    RT_ASSERT(eng_state_status(atomic_load(&s->state)) == ENG_TXN_ACTIVE);
    atomic_store(&s->state, eng_state_make(ENG_TXN_ABORTED, id.generation));
}

void eng_txn_release(eng_txn_id id) {
    eng_txn_slot *s = eng_txn_slot_get(id.slot);
    uint64_t state = atomic_load(&s->state);
    RT_ASSERT(eng_state_generation(state) == id.generation);
    RT_ASSERT(eng_state_status(state) == ENG_TXN_COMMITTED ||
              eng_state_status(state) == ENG_TXN_ABORTED);
    atomic_store(&s->state, eng_state_make(ENG_TXN_FREE, id.generation));
    /* Slots return to the range they came from: that shard's list is touched by it only. */
    uint32_t per = ENG_TXN_SLOTS / eng_txn_shards;
    uint32_t home = id.slot / per;
    if (home >= eng_txn_shards) home = eng_txn_shards - 1;
    RT_ASSERT(home == eng_txn_home_shard());
    eng_txn_shard *sh = &eng_txn_shard_state[home];
    RT_ASSERT(sh->free_count < sh->count);
    sh->free_slots[sh->free_count++] = id.slot;
}

eng_txn_status eng_txn_status_of(eng_txn_id id, uint64_t *commit_ts) {
    eng_txn_slot *s = eng_txn_slot_get(id.slot);
    for (;;) {
        uint64_t state = atomic_load(&s->state);
        RT_ASSERT(eng_state_generation(state) == id.generation);
        eng_txn_status status = eng_state_status(state);
        if (status == ENG_TXN_PRECOMMIT) {
            __builtin_ia32_pause(); /* a few instructions on another core */
            continue;
        }
        if (commit_ts != NULL) {
            *commit_ts = status == ENG_TXN_COMMITTED ? atomic_load(&s->commit_ts) : 0;
        }
        return status;
    }
}

bool eng_txn_stamp_running(uint64_t stamp) {
    eng_txn_slot *s = eng_txn_slot_get(eng_stamp_slot(stamp));
    for (;;) {
        uint64_t state = atomic_load(&s->state);
        if (eng_state_generation(state) != eng_stamp_generation(stamp)) return false;
        eng_txn_status status = eng_state_status(state);
        if (status != ENG_TXN_PRECOMMIT) return status == ENG_TXN_ACTIVE;
        __builtin_ia32_pause(); /* a few instructions on another core */
    }
}

void eng_txn_note_wait(uint64_t waiter, uint64_t holder) {
    atomic_store(&eng_txn_slot_get(eng_stamp_slot(waiter))->waiting_for,
                 holder & ~ENG_STAMP_LOCK_BIT);
}

void eng_txn_note_soft_wait(uint64_t waiter, uint64_t ahead) {
    atomic_store(&eng_txn_slot_get(eng_stamp_slot(waiter))->waiting_for,
                 ahead | ENG_TXN_WAIT_SOFT);
}

/* Walks the chain of waits from `holder` (an edge of `waiter`'s): whether it comes back to
 * `waiter`, with the highest slot on the cycle in *max_slot and whether any edge of it
 * (`holder`'s own included) is soft in *soft. */
static bool eng_txn_wait_walk(uint64_t waiter, uint64_t holder, uint32_t *max_slot,
                              bool *soft) {
    uint32_t me = eng_stamp_slot(waiter);
    *max_slot = me;
    *soft = (holder & ENG_TXN_WAIT_SOFT) != 0;
    uint64_t cur = holder & ~ENG_TXN_WAIT_SOFT;
    for (uint32_t steps = 0; steps < ENG_TXN_SLOTS && cur != 0; steps++) {
        uint32_t slot = eng_stamp_slot(cur);
        if (slot == me) return eng_stamp_generation(cur) == eng_stamp_generation(waiter);
        if (!eng_txn_stamp_running(cur)) return false;
        if (slot > *max_slot) *max_slot = slot;
        cur = atomic_load(&eng_txn_slot_get(slot)->waiting_for);
        if ((cur & ENG_TXN_WAIT_SOFT) != 0) *soft = true;
        cur &= ~ENG_TXN_WAIT_SOFT;
    }
    return false;
}

/* Slots are read without locks: a stale link (a transaction that ended) breaks the chain,
 * which only delays detection; a wait the chain ran through that ended meanwhile may make a
 * cycle appear that no longer exists, as PostgreSQL's detector may too (rarely: the victim's
 * wait has lasted ENG_DEADLOCK_TIMEOUT_NS). */
bool eng_txn_deadlock_victim(uint64_t waiter, uint64_t holder) {
    uint32_t max_slot;
    bool soft;
    return eng_txn_wait_walk(waiter, holder & ~ENG_STAMP_LOCK_BIT, &max_slot, &soft) && !soft &&
           max_slot == eng_stamp_slot(waiter);
}

bool eng_txn_soft_cycle(uint64_t waiter, uint64_t ahead) {
    uint32_t max_slot;
    bool soft;
    return eng_txn_wait_walk(waiter, ahead | ENG_TXN_WAIT_SOFT, &max_slot, &soft);
}

uint64_t eng_stamp_resolve(uint64_t stamp) {
    eng_txn_id id = {.slot = eng_stamp_slot(stamp), .generation = eng_stamp_generation(stamp)};
    uint64_t ts;
    switch (eng_txn_status_of(id, &ts)) {
    case ENG_TXN_COMMITTED: return ts;
    case ENG_TXN_ABORTED: return ENG_TS_INF;
    default: return 0;
    }
}

bool eng_version_visible(uint64_t begin, uint64_t end, const eng_snapshot *snap) {
    if (!eng_stamp_is_txn(begin)) {
        if (begin > snap->ts) return false;
    } else if (eng_stamp_same_txn(begin, snap->own)) {
        if (eng_stamp_command(begin) >= snap->command) return false;
    } else {
        uint64_t ts = eng_stamp_resolve(begin);
        if (ts == 0 || ts > snap->ts) return false; /* running, aborted (INF) or too new */
    }
    if (end == ENG_TS_INF || eng_stamp_is_lock(end)) return true;
    if (!eng_stamp_is_txn(end)) return end > snap->ts;
    if (eng_stamp_same_txn(end, snap->own)) return eng_stamp_command(end) >= snap->command;
    uint64_t ts = eng_stamp_resolve(end);
    return ts == 0 || ts > snap->ts; /* deleter running or aborted (INF): still there */
}

void eng_txn_publish_oldest(uint32_t core, uint64_t ts) {
    RT_ASSERT(core < eng_txn_shards);
    atomic_store_explicit(&eng_txn_shard_state[core].oldest_snapshot, ts, memory_order_release);
}

uint64_t eng_txn_oldest_snapshot(void) {
    uint64_t oldest = eng_txn_snapshot_ts();
    for (uint32_t s = 0; s < eng_txn_shards; s++) {
        uint64_t v = atomic_load_explicit(&eng_txn_shard_state[s].oldest_snapshot,
                                          memory_order_acquire);
        if (v < oldest) oldest = v;
    }
    return oldest;
}
