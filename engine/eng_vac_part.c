/* eng_vac_part.c: one vacuum pass over a partition (eng_vac.h, Pass): sweep, graphs, free.
 *
 * Version chains are per key: the primary key names the newest version and each version's
 * `older` names the one before it. Ends along a chain only go down (an older version ended
 * when the next one committed), so once a version is dead every older one is too; undone
 * inserts may sit anywhere in a chain (a writer can link to a version whose inserter aborted
 * but was not yet undone). A dead version found by the sweep therefore has its whole chain
 * cleaned at once: every dead version in it is unlinked and taken. A dead version that is in
 * no chain (an undone insert the undo unlinked, a version replay replaced, a dead slot loaded
 * from a checkpoint) is linked from nowhere and is taken directly. Nothing in a step yields,
 * so writers and readers of the shard always see whole chains. */
#include <stdlib.h>
#include <string.h>

#include "engine/eng.h"
#include "engine/eng_ckpt.h"
#include "engine/eng_part_int.h"
#include "engine/eng_vac.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

/* Slots freed between two yields of the free phase (each is a few stores and maybe a free). */
#define ENG_VAC_FREE_SLICE 4096u

typedef struct vac_pass {
    eng_part *p;
    uint64_t horizon;
    uint32_t *dying;          /* slots taken by this pass (DYING) */
    uint32_t ndying, dying_cap;
    bool graph_work;          /* some taken slot has a graph node */
    eng_codec_w key;          /* the primary key of the chain being cleaned */
    eng_vac_result *res;
} vac_pass;

/* Dead for every snapshot at or after `horizon`: undone, or ended at or before it. */
static bool vac_dead(uint64_t begin, uint64_t end, uint64_t horizon) {
    if (eng_slot_taken_by_vacuum(end)) return false;
    if (begin == ENG_TS_INF) return true;
    if (eng_stamp_is_txn(begin) || eng_stamp_is_txn(end) || end == ENG_TS_INF) return false;
    return end <= horizon;
}

/* vac_dead for the version at `slot`: a version some transaction still holds a KEY SHARE
 * lock on stays (later lockers of the row look for that lock along the chain). */
static bool vac_dead_slot(const vac_pass *v, uint32_t slot, uint64_t begin, uint64_t end) {
    return vac_dead(begin, end, v->horizon) && !eng_tx_share_pinned(v->p, slot);
}

static void vac_dying_add(vac_pass *v, uint32_t slot) {
    if (v->ndying == v->dying_cap) {
        v->dying_cap = v->dying_cap == 0 ? 256 : v->dying_cap * 2;
        v->dying = rt_xrealloc(v->dying, v->dying_cap * sizeof(uint32_t));
    }
    v->dying[v->ndying++] = slot;
    eng_part_set_end(v->p, slot, ENG_STAMP_DYING);
}

/* Takes a version that no chain links to any more: its index entries and graph nodes go. */
static void vac_take(vac_pass *v, uint32_t slot) {
    eng_part_index_remove(v->p, slot, &v->key);
    if (eng_part_ann_release(v->p, slot)) v->graph_work = true;
    eng_part_set_begin(v->p, slot, ENG_TS_INF);
    eng_tx_share_forget(v->p, slot); /* a mark of a move away */
    vac_dying_add(v, slot);
}

/* Cleans the chain of the key of `slot` (a dead version) and takes `slot` in any case. */
static void vac_chain(vac_pass *v, uint32_t slot) {
    eng_part *p = v->p;
    rt_err err;
    rt_err_clear(&err);
    v->key.len = 0;
    if (!eng_part_key_of(p, slot, &v->key, &err)) return; /* a stored key always encodes */
    const uint8_t *k = v->key.buf;
    uint32_t klen = (uint32_t)v->key.len;
    bool found = false;
    uint32_t newer = ENG_SLOT_NONE;
    for (uint32_t cur = eng_part_pk_newest(p, k, klen); cur != ENG_SLOT_NONE;) {
        uint64_t b, e;
        eng_part_stamps(p, cur, &b, &e);
        RT_ASSERT(!eng_slot_taken_by_vacuum(e)); /* taken slots are in no chain */
        uint32_t older = eng_part_older(p, cur);
        if (!vac_dead_slot(v, cur, b, e)) {
            newer = cur;
            cur = older;
            continue;
        }
        if (newer != ENG_SLOT_NONE) {
            eng_part_set_older(p, newer, older);
        } else if (older == ENG_SLOT_NONE) {
            eng_btree_delete(p->pk, k, klen); /* the row is gone for everyone */
        } else {
            eng_btree_put(p->pk, k, klen, older, NULL, &err); /* replaces: never fails */
        }
        found = found || cur == slot;
        vac_take(v, cur);
        cur = older;
    }
    if (!found) vac_take(v, slot);
}

/* Step 1: one row group per slice. */
static void vac_sweep(vac_pass *v) {
    eng_part *p = v->p;
    uint32_t end = p->next_slot; /* later slots hold versions too new to be dead */
    for (uint32_t first = 0; first < end;) {
        eng_rowgroup *rg = eng_rg_of(p, first);
        uint32_t stop = rg->first_slot + rg->used;
        for (uint32_t slot = first; slot < stop && slot < end; slot++) {
            uint32_t off = eng_rg_offset(slot);
            uint64_t b = rg->begin[off], e = rg->end[off];
            v->res->scanned++;
            if (e == ENG_STAMP_LEFT) {
                vac_dying_add(v, slot);
                v->graph_work = true; /* its node may still be in a graph */
            } else if (vac_dead_slot(v, slot, b, e)) {
                vac_chain(v, slot);
            } else if (!eng_slot_taken_by_vacuum(e) && !eng_stamp_is_txn(b) && b != ENG_TS_INF) {
                if (e == ENG_TS_INF || eng_stamp_is_txn(e)) v->res->live++;
                else v->res->dead_kept++;
            }
        }
        first = rg->first_slot + rg->cap;
        rt_fiber_maybe_yield();
    }
}

static int vac_cmp_desc(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Step 3: never while a checkpoint writes the partition (eng_ckpt.h). Freed in descending
 * order, so the free list hands out the lowest slots first and high row groups empty out. */
static void vac_free(vac_pass *v) {
    eng_part *p = v->p;
    if (v->ndying == 0) return;
    qsort(v->dying, v->ndying, sizeof(uint32_t), vac_cmp_desc);
    for (uint32_t i = 0; i < v->ndying; i++) {
        if (i % ENG_VAC_FREE_SLICE == 0) {
            rt_fiber_maybe_yield();
            while (eng_ckpt_writing(p)) rt_fiber_sleep_ns(RT_NS_PER_MS);
        }
        uint32_t slot = v->dying[i];
        eng_rowgroup *rg = eng_rg_of(p, slot);
        eng_part_slot_release(p, slot);
        v->res->removed++;
        if (rg->free == rg->cap) v->res->rowgroups_freed++;
    }
    v->ndying = 0;
}

/* Step 2 (when a taken slot had a node). Checkpoints wait meanwhile: a graph is saved whole. */
static bool vac_graphs(vac_pass *v, rt_err *err) {
    if (!v->graph_work) return true;
    while (eng_ckpt_writing(v->p)) rt_fiber_sleep_ns(RT_NS_PER_MS);
    v->p->ann_vacuuming = true;
    bool ok = eng_part_ann_vacuum(v->p, &v->res->nodes_removed, err);
    v->p->ann_vacuuming = false;
    return ok;
}

/* The partition's counters take the pass's exact figures. */
static void vac_recount(eng_part *p, const eng_vac_result *r) {
    eng_part_live_add(p, (int64_t)r->live - (int64_t)p->live_estimate);
    eng_part_dead_add(p, (int64_t)r->dead_kept - (int64_t)p->dead_estimate);
}

static void vac_note(eng_part *p, eng_vac_kind kind) {
    if (p->tstat == NULL || kind != ENG_VAC_AUTO) return; /* manual: once per table (SQL) */
    atomic_fetch_add(&p->tstat->autovacuum_count, 1);
    atomic_store(&p->tstat->last_autovacuum_us, rt_time_wall_us());
}

bool eng_vac_partition(eng_part *p, eng_vac_kind kind, eng_vac_result *out, rt_err *err) {
    RT_ASSERT(eng_partition_owner(p->partition_no, eng_shard_count()) == rt_core_id());
    RT_ASSERT(rt_fiber_self() != NULL);
    memset(out, 0, sizeof *out);
    while (p->vacuuming) rt_fiber_sleep_ns(RT_NS_PER_MS); /* one pass at a time */
    p->vacuuming = true;
    vac_pass v = {.p = p, .horizon = eng_vac_horizon(), .res = out};
    eng_w_init(&v.key);
    vac_sweep(&v);
    bool ok = vac_graphs(&v, err);
    if (ok) {
        vac_free(&v);
        vac_recount(p, out);
        vac_note(p, kind);
    } else {
        /* The slots stay out of every chain and index; the next pass takes them again. */
        for (uint32_t i = 0; i < v.ndying; i++) eng_part_set_end(p, v.dying[i], ENG_STAMP_LEFT);
    }
    rt_free(v.dying);
    rt_free(v.key.buf);
    p->vacuuming = false;
    return ok;
}
