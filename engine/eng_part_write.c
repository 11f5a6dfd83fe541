/* eng_part_write.c: inserts, updates, deletes and row locks of a partition, inside a
 * transaction. Every stamp set here is recorded in the transaction's participant (eng_tx) so
 * that commit, abort and ROLLBACK TO can finish or undo it, and every change appends a logical
 * redo record (a full row image, or a key for deletes) to the participant's redo buffer. */
#include <string.h>

#include "engine/eng_key.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_mem.h"

/* ---- redo ----
 * A redo record: u8 type, u32 body length, body. The length lets recovery skip records of
 * storages that no longer exist without knowing their columns. */

static uint64_t eng_redo_begin(eng_tx *tx, uint8_t type, const eng_part *p) {
    eng_w_u8(&tx->redo, type);
    uint64_t at = tx->redo.len;
    eng_w_u32(&tx->redo, 0);
    eng_w_u64(&tx->redo, p->storage_id);
    eng_w_u32(&tx->redo, p->partition_no);
    return at;
}

static void eng_redo_end(eng_tx *tx, uint64_t at) {
    uint32_t body = (uint32_t)(tx->redo.len - at - 4);
    memcpy(tx->redo.buf + at, &body, 4);
    tx->redo_records++;
}

static void eng_redo_upsert(eng_tx *tx, const eng_part *p, const sql_value *row, int64_t rowid) {
    if (!p->logged) return;
    uint64_t at = eng_redo_begin(tx, ENG_REDO_UPSERT, p);
    eng_w_u64(&tx->redo, (uint64_t)rowid);
    eng_row_encode(&tx->redo, p, row);
    eng_redo_end(tx, at);
}

static void eng_redo_delete(eng_tx *tx, const eng_part *p, const uint8_t *key, uint32_t len) {
    if (!p->logged) return;
    uint64_t at = eng_redo_begin(tx, ENG_REDO_DELETE, p);
    eng_w_bytes(&tx->redo, key, len);
    eng_redo_end(tx, at);
}

/* ---- key states ---- */

typedef enum eng_key_state { ENG_KEY_FREE = 1, ENG_KEY_TAKEN, ENG_KEY_WAIT } eng_key_state;

/* Is the key whose newest version is `slot` in use? TAKEN: a live row (committed, ours, or
 * locked); FREE: deleted (or never committed); WAIT: a running transaction decides (its stamp
 * in *wait). *live gets the live version for TAKEN. */
static eng_key_state eng_key_check(const eng_part *p, const eng_tx *tx, uint32_t slot,
                                   uint64_t *wait, uint32_t *live) {
    while (slot != ENG_SLOT_NONE) {
        uint64_t b, e;
        eng_part_stamps(p, slot, &b, &e);
        bool dead = b == ENG_TS_INF;
        if (!dead && eng_stamp_is_txn(b) && !eng_stamp_same_txn(b, tx->stamp)) {
            uint64_t ts = eng_stamp_resolve(b);
            if (ts == 0) {
                *wait = b;
                return ENG_KEY_WAIT;
            }
            dead = ts == ENG_TS_INF;
        }
        if (dead) { /* an aborted version: what was before it decides */
            slot = eng_part_older(p, slot);
            continue;
        }
        *live = slot;
        if (e == ENG_TS_INF || eng_stamp_is_lock(e)) return ENG_KEY_TAKEN;
        if (!eng_stamp_is_txn(e)) return ENG_KEY_FREE;
        if (eng_stamp_same_txn(e, tx->stamp)) return ENG_KEY_FREE;
        uint64_t ts = eng_stamp_resolve(e);
        if (ts == 0) {
            *wait = e;
            return ENG_KEY_WAIT;
        }
        return ts == ENG_TS_INF ? ENG_KEY_TAKEN : ENG_KEY_FREE;
    }
    return ENG_KEY_FREE;
}

static bool eng_unique_violation(const eng_part *p, rt_err *err) {
    (void)p;
    return rt_err_set(err, SQLSTATE_UNIQUE_VIOLATION,
                      "duplicate key value violates unique constraint");
}

/* Waits until `key` is FREE or TAKEN; returns the state (newest version in *newest). */
static eng_key_state eng_key_settle(eng_part *p, eng_tx *tx, const uint8_t *key, uint32_t len,
                                    uint32_t *newest, uint32_t *live, rt_err *err) {
    for (;;) {
        *newest = eng_part_pk_newest(p, key, len);
        uint64_t wait = 0;
        eng_key_state st = eng_key_check(p, tx, *newest, &wait, live);
        if (st != ENG_KEY_WAIT) return st;
        if (!eng_tx_wait(tx, wait, err)) return ENG_KEY_WAIT;
    }
}

/* ---- secondary indexes ---- */

static bool eng_part_index_put(eng_part *p, eng_pindex *ix, uint32_t slot, const eng_codec_w *pk,
                               rt_err *err) {
    eng_codec_w key;
    eng_w_init(&key);
    bool included = false;
    bool ok = eng_part_pindex_key(p, ix, slot, pk, &key, &included, err) &&
              (!included || eng_btree_put(ix->tree, key.buf, (uint32_t)key.len, slot, NULL, err));
    rt_free(key.buf);
    return ok;
}

void eng_part_index_remove(eng_part *p, uint32_t slot, const eng_codec_w *pk) {
    if (p->parked != NULL) eng_part_unpark(p);
    eng_codec_w key;
    eng_w_init(&key);
    for (uint32_t i = 0; i < p->index_count; i++) {
        eng_pindex *ix = &p->indexes[i];
        rt_err err;
        rt_err_clear(&err);
        key.len = 0;
        uint64_t named;
        bool included = false;
        /* A later version with the same index key took the entry over: it stays. */
        if (eng_part_pindex_key(p, ix, slot, pk, &key, &included, &err) && included &&
            eng_btree_get(ix->tree, key.buf, (uint32_t)key.len, &named) && named == slot) {
            eng_btree_delete(ix->tree, key.buf, (uint32_t)key.len);
        }
    }
    rt_free(key.buf);
}

bool eng_part_index_add(eng_part *p, uint32_t slot, rt_err *err) {
    if (p->index_count == 0) return true;
    eng_codec_w pk;
    eng_w_init(&pk);
    bool ok = eng_part_key_of(p, slot, &pk, err);
    for (uint32_t i = 0; ok && i < p->index_count; i++) {
        ok = eng_part_index_put(p, &p->indexes[i], slot, &pk, err);
    }
    rt_free(pk.buf);
    return ok;
}

/* ---- insert ---- */

static bool eng_part_add_version(eng_part *p, eng_tx *tx, const sql_value *row, int64_t rowid,
                                 uint32_t older, uint32_t *slot_out, rt_err *err) {
    uint32_t slot = eng_part_alloc_slot(p);
    if (slot == ENG_SLOT_NONE) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "partition %u of the table is full (%u row versions)",
                          p->partition_no, ENG_PART_SLOTS_MAX);
    }
    eng_part_store_row(p, slot, row);
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    if (rg->rowid != NULL) rg->rowid[off] = rowid;
    rg->older[off] = older;
    rg->begin[off] = eng_tx_stamp_now(tx);
    if (!eng_tx_log_write(tx, p, slot, ENG_W_INSERT, err)) {
        rg->begin[off] = ENG_TS_INF;
        return false;
    }
    *slot_out = slot;
    /* After the write is logged: a failure here aborts the statement, whose undo then takes
     * the version (and any node) back. */
    return eng_part_index_add(p, slot, err) && eng_part_ann_add(p, slot, err);
}

eng_insert_result eng_part_insert(eng_part *p, eng_tx *tx, const sql_value *row,
                                  uint32_t *slot_out, uint32_t *conflict, rt_err *err) {
    int64_t rowid = p->pk_count == 0 ? p->next_rowid++ : 0;
    eng_codec_w key;
    eng_w_init(&key);
    eng_insert_result result = ENG_INSERT_FAILED;
    if (!eng_part_row_key(p, row, rowid, &key, err)) goto out;
    uint32_t newest, live = ENG_SLOT_NONE;
    eng_key_state st = eng_key_settle(p, tx, key.buf, (uint32_t)key.len, &newest, &live, err);
    if (st == ENG_KEY_WAIT) goto out; /* the wait failed: err is set */
    if (st == ENG_KEY_TAKEN) {
        if (conflict != NULL) {
            *conflict = live;
            result = ENG_CONFLICT;
        } else {
            eng_unique_violation(p, err);
        }
        goto out;
    }
    uint32_t slot;
    if (!eng_part_add_version(p, tx, row, rowid, newest, &slot, err)) goto out;
    if (!eng_btree_put(p->pk, key.buf, (uint32_t)key.len, slot, NULL, err)) goto out;
    eng_redo_upsert(tx, p, row, rowid);
    eng_part_live_add(p, 1);
    *slot_out = slot;
    result = ENG_INSERTED;
out:
    rt_free(key.buf);
    return result;
}

/* ---- locks ---- */

static eng_lock_result eng_lock_moved(eng_part *p, eng_tx *tx, uint32_t slot, uint32_t *newer,
                                      rt_err *err) {
    if (tx->isolation == ENG_ISO_REPEATABLE_READ) {
        rt_err_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                   "could not serialize access due to concurrent update");
        return ENG_LOCK_FAILED;
    }
    if (eng_tx_share_moved(p, slot)) {
        /* Its newest version is in another partition, where this statement's scan of this
         * partition cannot follow it: PostgreSQL gives up the same way. */
        rt_err_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                   "tuple to be locked was already moved to another partition due to "
                   "concurrent update");
        return ENG_LOCK_FAILED;
    }
    eng_codec_w key;
    eng_w_init(&key);
    if (!eng_part_key_of(p, slot, &key, err)) {
        rt_free(key.buf);
        return ENG_LOCK_FAILED;
    }
    uint32_t newest = eng_part_pk_newest(p, key.buf, (uint32_t)key.len);
    rt_free(key.buf);
    if (newest == slot || newest == ENG_SLOT_NONE) return ENG_GONE;
    uint64_t b, e;
    eng_part_stamps(p, newest, &b, &e);
    if (b == ENG_TS_INF) return ENG_GONE;
    *newer = newest;
    return ENG_MOVED;
}

/* Waiting for `holder` (another running transaction) as `wait` says, in the row's queue `q`
 * unless tx holds a shared lock on it already. */
static eng_lock_result eng_lock_wait_for(const eng_part *p, uint32_t slot, eng_tx *tx,
                                         eng_waiter *q, uint64_t holder, eng_lock_mode mode,
                                         eng_lock_wait wait, rt_err *err) {
    if (wait == ENG_WAIT_SKIP) return ENG_SKIPPED;
    if (wait == ENG_WAIT_NOWAIT) {
        rt_err_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "could not obtain lock on row in relation");
        return ENG_LOCK_FAILED;
    }
    bool queue = q->linked ? q->queued : !eng_tx_share_holds(tx, p, slot);
    return eng_tx_wait_row(tx, q, holder, p->table_oid, eng_txn_row_of(p->partition_no, slot),
                           mode, queue, err)
               ? ENG_LOCKED
               : ENG_LOCK_FAILED;
}

/* The strength of the exclusive holder an end stamp names (a lock or a write). */
static eng_lock_mode eng_lock_held_mode(uint64_t end) {
    return eng_stamp_is_key(end) ? ENG_LOCK_FOR_UPDATE : ENG_LOCK_FOR_NO_KEY_UPDATE;
}

typedef enum eng_end_state {
    ENG_END_FREE = 1,  /* no exclusive holder, or one `mode` does not conflict with */
    ENG_END_MINE,      /* tx holds it exclusively already, at least as strongly */
    ENG_END_UPGRADE,   /* tx holds it FOR NO KEY UPDATE and asks FOR UPDATE */
    ENG_END_DONE,      /* the answer is in *result */
} eng_end_state;

/* What the end stamp of the version says to a locker of strength `mode`; waits (as `wait`
 * says) for a conflicting running holder, then looks again. */
static eng_end_state eng_lock_end(eng_part *p, eng_tx *tx, uint32_t slot, eng_lock_mode mode,
                                  eng_lock_wait wait, eng_waiter *q, uint32_t *newer,
                                  eng_lock_result *result, rt_err *err) {
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    for (;;) {
        uint64_t e = rg->end[off];
        if (e == ENG_TS_INF) return ENG_END_FREE;
        if (eng_stamp_same_txn(e, tx->stamp)) {
            if (!eng_stamp_is_lock(e)) break; /* we updated or deleted it ourselves */
            if (mode <= eng_lock_held_mode(e) || mode <= ENG_LOCK_FOR_SHARE) return ENG_END_MINE;
            return ENG_END_UPGRADE;
        }
        uint64_t ts = eng_stamp_is_txn(e) ? eng_stamp_resolve(e) : e;
        if (ts == 0) { /* another transaction holds it */
            if (!eng_lock_conflicts(mode, eng_lock_held_mode(e))) return ENG_END_FREE;
            *result = eng_lock_wait_for(p, slot, tx, q, e, mode, wait, err);
            if (*result != ENG_LOCKED) return ENG_END_DONE;
            continue;
        }
        if (ts != ENG_TS_INF && !eng_stamp_is_lock(e)) {
            *result = eng_lock_moved(p, tx, slot, newer, err);
            return ENG_END_DONE;
        }
        return ENG_END_FREE; /* aborted, or only locked by a finished transaction */
    }
    *result = ENG_GONE;
    return ENG_END_DONE;
}

/* An exclusive lock (FOR UPDATE, FOR NO KEY UPDATE, and every write) is the version's end
 * stamp, its strength in ENG_STAMP_KEY_BIT; shared locks (FOR SHARE / KEY SHARE) are kept
 * beside it (eng_tx_share.c). A locker waits for every running holder of either kind whose
 * strength conflicts with its own. */
static eng_lock_result eng_part_lock_queued(eng_part *p, eng_tx *tx, uint32_t slot,
                                            eng_lock_mode mode, eng_lock_wait wait,
                                            eng_waiter *q, uint32_t *newer, rt_err *err) {
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    eng_end_state st;
    for (;;) {
        eng_lock_result r = ENG_LOCKED;
        st = eng_lock_end(p, tx, slot, mode, wait, q, newer, &r, err);
        if (st == ENG_END_DONE) return r;
        if (st == ENG_END_MINE) return ENG_LOCKED;
        if (mode <= ENG_LOCK_FOR_SHARE) {
            return eng_tx_share_add(tx, p, slot, mode, err) ? ENG_LOCKED : ENG_LOCK_FAILED;
        }
        uint64_t holder = eng_tx_share_conflict(tx, p, slot, mode);
        if (holder == 0) break;
        r = eng_lock_wait_for(p, slot, tx, q, holder, mode, wait, err);
        if (r != ENG_LOCKED) return r;
    }
    uint64_t key = mode == ENG_LOCK_FOR_UPDATE ? ENG_STAMP_KEY_BIT : 0;
    if (st == ENG_END_UPGRADE) { /* logged when first locked */
        rg->end[off] |= key;
        return ENG_LOCKED;
    }
    rg->end[off] = eng_tx_stamp_now(tx) | ENG_STAMP_LOCK_BIT | key;
    if (!eng_tx_log_write(tx, p, slot, ENG_W_LOCK, err)) {
        rg->end[off] = ENG_TS_INF;
        return ENG_LOCK_FAILED;
    }
    return ENG_LOCKED;
}

eng_lock_result eng_part_lock(eng_part *p, eng_tx *tx, uint32_t slot, eng_lock_mode mode,
                              eng_lock_wait wait, uint32_t *newer, rt_err *err) {
    eng_waiter q; /* the request's place in the row's queue from its first wait to here */
    memset(&q, 0, sizeof q);
    eng_lock_result r = eng_part_lock_queued(p, tx, slot, mode, wait, &q, newer, err);
    eng_tx_row_queue_leave(&q);
    return r;
}

/* ---- update and delete ---- */

/* Ends a version tx locked; the write keeps the lock's strength (KEY_BIT), which `key` says
 * it must have (a delete or a key change: FOR UPDATE). */
static bool eng_part_end_locked(eng_part *p, eng_tx *tx, uint32_t slot, bool key, rt_err *err) {
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    uint64_t e = rg->end[off];
    RT_ASSERT(eng_stamp_is_lock(e));
    RT_ASSERT(eng_stamp_same_txn(e, tx->stamp));
    RT_ASSERT(!key || eng_stamp_is_key(e));
    rg->end[off] = eng_tx_stamp_now(tx) | (e & ENG_STAMP_KEY_BIT);
    return eng_tx_log_write(tx, p, slot, ENG_W_END, err);
}

bool eng_part_delete(eng_part *p, eng_tx *tx, uint32_t locked_slot, bool moved, rt_err *err) {
    eng_codec_w key;
    eng_w_init(&key);
    bool ok = eng_part_key_of(p, locked_slot, &key, err) &&
              eng_part_end_locked(p, tx, locked_slot, true, err);
    if (ok && moved) eng_tx_share_set_moved(p, locked_slot, true);
    if (ok) {
        eng_redo_delete(tx, p, key.buf, (uint32_t)key.len);
        eng_part_live_add(p, -1);
    }
    rt_free(key.buf);
    return ok;
}

bool eng_part_update(eng_part *p, eng_tx *tx, uint32_t locked_slot, const sql_value *row,
                     uint32_t *new_slot, rt_err *err) {
    int64_t rowid = 0;
    if (p->pk_count == 0) rowid = eng_rg_of(p, locked_slot)->rowid[eng_rg_offset(locked_slot)];
    eng_codec_w old_key, new_key;
    eng_w_init(&old_key);
    eng_w_init(&new_key);
    bool ok = eng_part_key_of(p, locked_slot, &old_key, err) &&
              eng_part_row_key(p, row, rowid, &new_key, err);
    bool same = ok && old_key.len == new_key.len &&
                memcmp(old_key.buf, new_key.buf, old_key.len) == 0;
    uint32_t older = locked_slot;
    if (ok && !same) {
        uint32_t newest, live = ENG_SLOT_NONE;
        eng_key_state st = eng_key_settle(p, tx, new_key.buf, (uint32_t)new_key.len, &newest,
                                          &live, err);
        if (st == ENG_KEY_WAIT) ok = false;
        else if (st == ENG_KEY_TAKEN) ok = eng_unique_violation(p, err);
        older = newest;
    }
    ok = ok && eng_part_end_locked(p, tx, locked_slot, !same, err) &&
         eng_part_add_version(p, tx, row, rowid, older, new_slot, err) &&
         eng_btree_put(p->pk, new_key.buf, (uint32_t)new_key.len, *new_slot, NULL, err);
    if (ok) {
        if (!same) eng_redo_delete(tx, p, old_key.buf, (uint32_t)old_key.len);
        eng_redo_upsert(tx, p, row, rowid);
    }
    rt_free(old_key.buf);
    rt_free(new_key.buf);
    return ok;
}

/* ---- finishing ---- */

void eng_part_set_begin(eng_part *p, uint32_t slot, uint64_t stamp) {
    eng_rg_of(p, slot)->begin[eng_rg_offset(slot)] = stamp;
}

void eng_part_set_end(eng_part *p, uint32_t slot, uint64_t stamp) {
    eng_rg_of(p, slot)->end[eng_rg_offset(slot)] = stamp;
    /* A committed end (not a released lock): the version is dead once no snapshot needs it. */
    if (!eng_stamp_is_txn(stamp) && stamp != ENG_TS_INF) eng_part_dead_add(p, 1);
}

void eng_part_set_older(eng_part *p, uint32_t slot, uint32_t older) {
    eng_rg_of(p, slot)->older[eng_rg_offset(slot)] = older;
}

void eng_part_undo_insert(eng_part *p, uint32_t slot) {
    eng_rowgroup *rg = eng_rg_of(p, slot);
    uint32_t off = eng_rg_offset(slot);
    rg->begin[off] = ENG_TS_INF; /* never visible */
    eng_part_ann_undo(p, slot);
    eng_codec_w key;
    eng_w_init(&key);
    rt_err err;
    rt_err_clear(&err);
    if (eng_part_key_of(p, slot, &key, &err)) {
        uint32_t newest = eng_part_pk_newest(p, key.buf, (uint32_t)key.len);
        if (newest == slot) {
            uint32_t older = rg->older[off];
            if (older == ENG_SLOT_NONE) {
                eng_btree_delete(p->pk, key.buf, (uint32_t)key.len);
            } else {
                eng_btree_put(p->pk, key.buf, (uint32_t)key.len, older, NULL, &err);
            }
        }
    }
    rt_free(key.buf);
    eng_part_live_add(p, -1);
    eng_part_dead_add(p, 1); /* an aborted version, for vacuum */
}

/* ---- replay (recovery) ---- */

bool eng_part_replay_upsert(eng_part *p, const sql_value *row, int64_t rowid, rt_err *err) {
    eng_codec_w key;
    eng_w_init(&key);
    bool ok = eng_part_row_key(p, row, rowid, &key, err);
    if (ok) {
        uint32_t old = eng_part_pk_newest(p, key.buf, (uint32_t)key.len);
        if (old != ENG_SLOT_NONE) eng_part_set_end(p, old, ENG_TS_FROZEN);
        uint32_t slot = eng_part_alloc_slot(p);
        ok = slot != ENG_SLOT_NONE;
        if (ok) {
            eng_part_store_row(p, slot, row);
            eng_rowgroup *rg = eng_rg_of(p, slot);
            uint32_t off = eng_rg_offset(slot);
            if (rg->rowid != NULL) rg->rowid[off] = rowid;
            rg->begin[off] = ENG_TS_FROZEN;
            rg->older[off] = ENG_SLOT_NONE;
            if (p->pk_count == 0 && rowid >= p->next_rowid) p->next_rowid = rowid + 1;
            ok = eng_btree_put(p->pk, key.buf, (uint32_t)key.len, slot, NULL, err) &&
                 eng_part_index_add(p, slot, err);
            if (old == ENG_SLOT_NONE) eng_part_live_add(p, 1);
        } else {
            rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "partition is full");
        }
    }
    rt_free(key.buf);
    return ok;
}

bool eng_part_replay_delete(eng_part *p, const uint8_t *key, uint32_t len) {
    uint32_t old = eng_part_pk_newest(p, key, len);
    if (old == ENG_SLOT_NONE) return false;
    eng_part_set_end(p, old, ENG_TS_FROZEN);
    eng_btree_delete(p->pk, key, len);
    eng_part_live_add(p, -1);
    return true;
}
