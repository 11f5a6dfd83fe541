/* eng_vac.c: the snapshot registry and horizon, vacuum statistics, and autovacuum
 * (eng_vac.h). The pass itself is in eng_vac_part.c. */
#include "engine/eng_vac.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "engine/eng_int.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_log.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_time.h"

/* ---- snapshot registry ---- */

typedef struct eng_vac_shard {
    eng_snap_reg *regs;       /* this shard's registered readers */
    uint32_t nregs;
    uint64_t published;       /* what this shard published (UINT64_MAX: none) */
    rt_timer timer;           /* autovacuum */
    bool started, stopping, running;
} eng_vac_shard;

static eng_vac_shard eng_vac_shards[RT_SHARDS_MAX];
static _Atomic bool eng_vac_auto_on = true;
static _Atomic uint64_t eng_vac_auto_count;

static void eng_vac_publish(uint32_t core, uint64_t ts) {
    eng_vac_shards[core].published = ts;
    eng_txn_publish_oldest(core, ts);
    /* A vacuum that read the clock before this store either sees it or read a clock value
     * that this shard's next snapshot cannot be below (eng_vac_horizon fences likewise). */
    atomic_thread_fence(memory_order_seq_cst);
}

void eng_snap_register(eng_snap_reg *r) {
    RT_ASSERT(!r->active);
    uint32_t core = rt_core_id();
    eng_vac_shard *sh = &eng_vac_shards[core];
    if (sh->nregs == 0) eng_vac_publish(core, eng_txn_snapshot_ts());
    r->ts = eng_txn_snapshot_ts();
    r->core = core;
    r->active = true;
    r->prev = NULL;
    r->next = sh->regs;
    if (sh->regs != NULL) sh->regs->prev = r;
    sh->regs = r;
    sh->nregs++;
}

void eng_snap_unregister(eng_snap_reg *r) {
    if (!r->active) return;
    RT_ASSERT(r->core == (uint32_t)rt_core_id());
    eng_vac_shard *sh = &eng_vac_shards[r->core];
    if (r->prev != NULL) r->prev->next = r->next;
    else sh->regs = r->next;
    if (r->next != NULL) r->next->prev = r->prev;
    r->active = false;
    sh->nregs--;
    if (sh->nregs == 0) {
        eng_vac_publish(r->core, UINT64_MAX);
    } else if (r->ts <= sh->published) {
        uint64_t oldest = UINT64_MAX;
        for (const eng_snap_reg *x = sh->regs; x != NULL; x = x->next) {
            if (x->ts < oldest) oldest = x->ts;
        }
        eng_vac_publish(r->core, oldest);
    }
}

uint64_t eng_vac_horizon(void) {
    uint64_t h = eng_txn_snapshot_ts();
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t o = eng_txn_oldest_snapshot();
    if (o < h) h = o;
    for (uint32_t s = 0; s < eng_global.shard_count; s++) {
        uint64_t c = eng_ckpt_oldest_snapshot(s);
        if (c < h) h = c;
    }
    return h;
}

/* ---- statistics ---- */

static eng_vac_tstat eng_vac_tstats[ENG_VAC_TABLES_MAX];

static uint32_t eng_vac_hash(uint64_t id) {
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdull;
    id ^= id >> 33;
    return (uint32_t)id & (ENG_VAC_TABLES_MAX - 1);
}
RT_STATIC_ASSERT((ENG_VAC_TABLES_MAX & (ENG_VAC_TABLES_MAX - 1)) == 0);

static eng_vac_tstat *eng_vac_tstat_find(uint64_t storage_id, bool create) {
    if (storage_id == 0) return NULL;
    uint32_t i = eng_vac_hash(storage_id);
    for (uint32_t n = 0; n < ENG_VAC_TABLES_MAX; n++, i = (i + 1) & (ENG_VAC_TABLES_MAX - 1)) {
        eng_vac_tstat *t = &eng_vac_tstats[i];
        uint64_t id = atomic_load(&t->storage_id);
        if (id == storage_id) return t;
        if (id != 0) continue;
        if (!create) return NULL;
        uint64_t expected = 0;
        if (atomic_compare_exchange_strong(&t->storage_id, &expected, storage_id)) return t;
        if (expected == storage_id) return t;
    }
    return NULL;
}

eng_vac_tstat *eng_vac_tstat_of(uint64_t storage_id) {
    return eng_vac_tstat_find(storage_id, true);
}

eng_vac_stats eng_vac_stats_get(uint64_t storage_id) {
    eng_vac_stats st;
    memset(&st, 0, sizeof st);
    const eng_vac_tstat *t = eng_vac_tstat_find(storage_id, false);
    if (t == NULL) return st;
    st.live = atomic_load(&t->live);
    st.dead = atomic_load(&t->dead);
    if (st.live < 0) st.live = 0;
    if (st.dead < 0) st.dead = 0;
    st.vacuum_count = atomic_load(&t->vacuum_count);
    st.autovacuum_count = atomic_load(&t->autovacuum_count);
    st.last_vacuum_us = atomic_load(&t->last_vacuum_us);
    st.last_autovacuum_us = atomic_load(&t->last_autovacuum_us);
    return st;
}

void eng_vac_stats_reset(uint64_t storage_id) {
    eng_vac_tstat *t = eng_vac_tstat_find(storage_id, false);
    if (t == NULL) return;
    atomic_store(&t->vacuum_count, 0);
    atomic_store(&t->autovacuum_count, 0);
    atomic_store(&t->last_vacuum_us, 0);
    atomic_store(&t->last_autovacuum_us, 0);
}

void eng_vac_note_manual(uint64_t storage_id) {
    eng_vac_tstat *t = eng_vac_tstat_find(storage_id, true);
    if (t == NULL) return;
    atomic_fetch_add(&t->vacuum_count, 1);
    atomic_store(&t->last_vacuum_us, rt_time_wall_us());
}

/* Counters never go below zero; the table's total moves by what the partition's moved. */
static int64_t eng_vac_counter_add(uint64_t *counter, int64_t delta) {
    if (delta < 0 && (uint64_t)-delta > *counter) delta = -(int64_t)*counter;
    *counter = (uint64_t)((int64_t)*counter + delta);
    return delta;
}

void eng_part_live_add(eng_part *p, int64_t delta) {
    delta = eng_vac_counter_add(&p->live_estimate, delta);
    if (p->tstat != NULL && delta != 0) atomic_fetch_add(&p->tstat->live, delta);
}

void eng_part_dead_add(eng_part *p, int64_t delta) {
    delta = eng_vac_counter_add(&p->dead_estimate, delta);
    if (p->tstat != NULL && delta != 0) atomic_fetch_add(&p->tstat->dead, delta);
}

/* ---- autovacuum ---- */

void eng_vac_set_autovacuum(bool on) { atomic_store(&eng_vac_auto_on, on); }
bool eng_vac_autovacuum_on(void) { return atomic_load(&eng_vac_auto_on); }
uint64_t eng_vac_auto_passes(void) { return atomic_load(&eng_vac_auto_count); }

/* "autovacuum_enabled = off" (any case, spaces, PostgreSQL's boolean spellings) in the
 * table's options text. */
bool eng_vac_table_enabled(const eng_table *t) {
    const char *s = t->options_text;
    static const char name[] = "autovacuum_enabled";
    while (s != NULL && *s != '\0') {
        while (*s == ' ' || *s == ',') s++;
        const char *item = s;
        while (*s != '\0' && *s != ',') s++;
        if (strncasecmp(item, name, sizeof name - 1) != 0) continue;
        const char *v = item + sizeof name - 1;
        while (*v == ' ') v++;
        if (*v != '=') return true; /* no value: true */
        v++;
        while (*v == ' ' || *v == '\'') v++;
        if (strncasecmp(v, "of", 2) == 0 || strncasecmp(v, "f", 1) == 0 ||
            strncasecmp(v, "n", 1) == 0 || *v == '0') {
            return false;
        }
    }
    return true;
}

/* Does p's table have enough dead versions (PostgreSQL's rule, over the whole table)? */
static bool eng_vac_wanted(const eng_part *p) {
    if (p->dead_estimate == 0) return false;
    double live = (double)p->live_estimate, dead = (double)p->dead_estimate;
    if (p->tstat != NULL) {
        live = (double)atomic_load(&p->tstat->live);
        dead = (double)atomic_load(&p->tstat->dead);
    }
    return dead > ENG_AUTOVAC_BASE + ENG_AUTOVAC_SCALE * live;
}

/* The table of p in the current catalog, if p still holds its data. */
static const eng_table *eng_vac_table_of(const eng_catalog *c, const eng_part *p) {
    for (uint32_t d = 0; d < eng_catalog_db_count(c); d++) {
        const eng_table *t = eng_db_table_by_oid(eng_catalog_db_at(c, d), p->table_oid);
        if (t != NULL) return t->storage_id == p->storage_id ? t : NULL;
    }
    return NULL;
}

/* The next partition of this shard autovacuum should take, at or after pmap index *from. */
static eng_part *eng_vac_next(uint32_t *from) {
    eng_pmap *m = &eng_shard_self()->parts;
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    eng_part *found = NULL;
    for (; found == NULL && *from < m->cap; (*from)++) {
        eng_part *p = m->entries[*from].part;
        if (m->entries[*from].hash == 0 || p == NULL || p->vacuuming || !eng_vac_wanted(p)) {
            continue;
        }
        const eng_table *t = eng_vac_table_of(ref.catalog, p);
        if (t != NULL && eng_vac_table_enabled(t)) found = p;
    }
    eng_catalog_unpin(&ref);
    return found;
}

static void eng_vac_fiber(void *arg) {
    eng_vac_shard *sh = arg;
    uint32_t from = 0;
    for (eng_part *p; !sh->stopping && (p = eng_vac_next(&from)) != NULL;) {
        eng_vac_result res;
        rt_err err;
        rt_err_clear(&err);
        atomic_fetch_add(&eng_vac_auto_count, 1);
        if (!eng_vac_partition(p, ENG_VAC_AUTO, &res, &err)) {
            rt_log(RT_LOG_WARNING, NULL, "automatic vacuum of table %u: %s", p->table_oid,
                   err.message);
        }
    }
    sh->running = false;
}

static void eng_vac_tick(rt_timer *t) {
    eng_vac_shard *sh = (eng_vac_shard *)((char *)t - offsetof(eng_vac_shard, timer));
    if (sh->stopping) return;
    rt_err err;
    rt_err_clear(&err);
    if (!sh->running && eng_vac_autovacuum_on()) {
        sh->running = rt_fiber_spawn(eng_vac_fiber, sh, &err) != NULL;
    }
    rt_err_clear(&err);
    rt_timer_start(&sh->timer, ENG_AUTOVAC_NAPTIME_NS, eng_vac_tick, &err);
}

void eng_vac_shard_start(void) {
    eng_vac_shard *sh = &eng_vac_shards[rt_core_id()];
    sh->regs = NULL; /* a new runtime: registrations of an earlier one in this process died */
    sh->nregs = 0;
    memset(&sh->timer, 0, sizeof sh->timer);
    eng_vac_publish(rt_core_id(), UINT64_MAX);
    sh->stopping = false;
    sh->running = false;
    sh->started = true;
    rt_err err;
    rt_err_clear(&err);
    rt_timer_start(&sh->timer, ENG_AUTOVAC_NAPTIME_NS, eng_vac_tick, &err);
}

void eng_vac_shard_stop(void) {
    eng_vac_shard *sh = &eng_vac_shards[rt_core_id()];
    if (!sh->started) return;
    sh->stopping = true; /* a running fiber ends after its partition */
    rt_timer_cancel(&sh->timer);
    sh->started = false;
}
