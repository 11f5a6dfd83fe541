/* eng_seq.c: sequence values. Like PostgreSQL's, sequences are not transactional: a value
 * handed out stays used even if the transaction aborts. Values are logged ahead in batches of
 * ENG_SEQ_LOG_AHEAD (a WAL record made durable before the first value of a batch is returned),
 * so a crash may skip up to that many values but never returns one twice. The state is one
 * table for the whole server; an entry's short critical section is a spin lock, since several
 * shards may call nextval on the same sequence. An unlogged sequence (the serial or identity
 * sequence of an unlogged table) goes back to its start after a crash, as its table starts
 * empty then (PostgreSQL 15's unlogged sequences). */
#include <stdatomic.h>
#include <string.h>

#include "engine/eng_int.h"
#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"

#define ENG_SEQUENCES_MAX 65536u   /* sequences with state in the server (53000 past it) */
#define ENG_SEQ_LOG_AHEAD 32       /* values logged per WAL record, as PostgreSQL's */

typedef struct eng_seq_state {
    _Atomic uint64_t key;   /* (db_oid << 32) | seq_oid; 0 = free */
    atomic_flag lock;
    bool ready;
    int64_t last;
    bool is_called;
    int64_t logged;         /* values up to here (in the increment's direction) are logged */
} eng_seq_state;

static eng_seq_state *eng_seqs;

void eng_seq_init(void) { eng_seqs = rt_xcalloc(ENG_SEQUENCES_MAX, sizeof(eng_seq_state)); }

void eng_seq_free(void) {
    rt_free(eng_seqs);
    eng_seqs = NULL;
}

static eng_seq_state *eng_seq_find(uint32_t db_oid, uint32_t seq_oid, bool create) {
    uint64_t key = (uint64_t)db_oid << 32 | seq_oid;
    uint32_t h = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & (ENG_SEQUENCES_MAX - 1);
    for (uint32_t i = 0; i < ENG_SEQUENCES_MAX; i++) {
        eng_seq_state *s = &eng_seqs[(h + i) & (ENG_SEQUENCES_MAX - 1)];
        uint64_t k = atomic_load(&s->key);
        if (k == key) return s;
        if (k == 0) {
            if (!create) return NULL;
            uint64_t expected = 0;
            if (atomic_compare_exchange_strong(&s->key, &expected, key)) return s;
            if (expected == key) return s;
        }
    }
    return NULL;
}

static void eng_seq_lock(eng_seq_state *s) {
    while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire)) {
        __builtin_ia32_pause();
    }
}

static void eng_seq_unlock(eng_seq_state *s) {
    atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

void eng_seq_recover(uint32_t db_oid, uint32_t seq_oid, int64_t value, bool is_called) {
    eng_seq_state *s = eng_seq_find(db_oid, seq_oid, true);
    if (s == NULL) return;
    /* Records are replayed in log order: the last one wins. */
    s->ready = true;
    s->last = value;
    s->is_called = is_called;
    s->logged = value;
}

void eng_seq_reset_unlogged(void) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    for (uint32_t i = 0; i < eng_catalog_db_count(pin.catalog); i++) {
        const eng_database *db = eng_catalog_db_at(pin.catalog, i);
        for (uint32_t j = 0; j < db->sequence_count; j++) {
            const eng_sequence *def = &db->sequences[j];
            eng_seq_state *s = def->persistence == 'u' ? eng_seq_find(db->oid, def->oid, false)
                                                        : NULL;
            /* Not ready: the next use starts from the definition. What the WAL still holds
             * of it is replayed again after another crash and reset again here. */
            if (s != NULL) s->ready = false;
        }
    }
    eng_catalog_unpin(&pin);
}

static void eng_seq_ready(eng_seq_state *s, const eng_sequence *def) {
    if (s->ready) return;
    s->ready = true;
    s->last = def->start;
    s->is_called = false;
    s->logged = def->increment > 0 ? def->start - 1 : def->start + 1;
}

/* Makes `value` durable as the logged bound of the sequence (from a shard fiber). */
static bool eng_seq_log(uint32_t db_oid, const eng_sequence *def, int64_t value, bool is_called,
                        rt_err *err) {
    uint8_t rec[17];
    memcpy(rec, &db_oid, 4);
    memcpy(rec + 4, &def->oid, 4);
    memcpy(rec + 8, &value, 8);
    rec[16] = is_called;
    const void *parts[1] = {rec};
    uint64_t lens[1] = {sizeof rec};
    eng_wal *wal = eng_shard_wal();
    uint64_t lsn = eng_wal_append(wal, ENG_WAL_SEQUENCE, parts, lens, 1, err);
    return lsn != 0 && eng_wal_wait_fiber(wal, lsn, err);
}

static bool eng_seq_limit(const eng_sequence *def, bool max, rt_err *err) {
    return rt_err_set(err, SQLSTATE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                      "nextval: reached %s value of sequence \"%s\" (%lld)",
                      max ? "maximum" : "minimum", def->name,
                      (long long)(max ? def->max_value : def->min_value));
}

bool eng_seq_next(uint32_t db_oid, const eng_sequence *def, int64_t *value, rt_err *err) {
    eng_seq_state *s = eng_seq_find(db_oid, def->oid, true);
    if (s == NULL) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_RESOURCES,
                          "too many sequences in use (limit %u)", ENG_SEQUENCES_MAX);
    }
    eng_seq_lock(s);
    eng_seq_ready(s, def);
    int64_t next = s->last;
    if (s->is_called) {
        if (__builtin_add_overflow(s->last, def->increment, &next)) {
            next = def->increment > 0 ? INT64_MAX : INT64_MIN;
        }
        bool over = def->increment > 0 ? next > def->max_value || next < s->last
                                       : next < def->min_value || next > s->last;
        if (over && !def->cycle) {
            eng_seq_unlock(s);
            return eng_seq_limit(def, def->increment > 0, err);
        }
        if (over) next = def->increment > 0 ? def->min_value : def->max_value;
    }
    bool need_log = def->increment > 0 ? next > s->logged : next < s->logged;
    int64_t bound = next;
    if (need_log) {
        int64_t ahead = def->increment * ENG_SEQ_LOG_AHEAD;
        if (__builtin_add_overflow(next, ahead, &bound)) bound = next;
    }
    s->last = next;
    s->is_called = true;
    eng_seq_unlock(s);
    if (need_log) {
        /* Pinned until the bound is in memory: a catalog checkpoint that misses it in
         * s->logged replays the record instead (eng_wal.h, Pins). */
        eng_wal *wal = eng_shard_wal_open(err);
        if (wal == NULL) return false;
        uint64_t pin = eng_wal_pin(wal);
        bool ok = eng_seq_log(db_oid, def, bound, true, err);
        if (ok) {
            eng_seq_lock(s);
            if (def->increment > 0 ? bound > s->logged : bound < s->logged) s->logged = bound;
            eng_seq_unlock(s);
        }
        eng_wal_unpin(wal, pin);
        if (!ok) return false;
    }
    *value = next;
    return true;
}

bool eng_seq_set(uint32_t db_oid, const eng_sequence *def, int64_t value, bool is_called,
                 rt_err *err) {
    if (value < def->min_value || value > def->max_value) {
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                          (long long)value, def->name, (long long)def->min_value,
                          (long long)def->max_value);
    }
    eng_seq_state *s = eng_seq_find(db_oid, def->oid, true);
    if (s == NULL) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_RESOURCES,
                          "too many sequences in use (limit %u)", ENG_SEQUENCES_MAX);
    }
    eng_wal *wal = eng_shard_wal_open(err);
    if (wal == NULL) return false;
    uint64_t pin = eng_wal_pin(wal);
    bool ok = eng_seq_log(db_oid, def, value, is_called, err);
    if (ok) {
        eng_seq_lock(s);
        s->ready = true;
        s->last = value;
        s->is_called = is_called;
        s->logged = value;
        eng_seq_unlock(s);
    }
    eng_wal_unpin(wal, pin);
    return ok;
}

void eng_seq_each(void (*fn)(void *arg, uint32_t db_oid, uint32_t seq_oid, int64_t value,
                             bool is_called),
                  void *arg) {
    for (uint32_t i = 0; i < ENG_SEQUENCES_MAX; i++) {
        eng_seq_state *s = &eng_seqs[i];
        uint64_t key = atomic_load(&s->key);
        if (key == 0) continue;
        eng_seq_lock(s);
        bool ready = s->ready, called = s->is_called;
        /* A called sequence continues after its logged bound (values up to it may have been
         * handed out without a record), as a restart from the WAL does. */
        int64_t value = called ? s->logged : s->last;
        eng_seq_unlock(s);
        if (ready) fn(arg, (uint32_t)(key >> 32), (uint32_t)key, value, called);
    }
}

bool eng_seq_peek(uint32_t db_oid, const eng_sequence *def, int64_t *last_value,
                  bool *is_called) {
    eng_seq_state *s = eng_seq_find(db_oid, def->oid, false);
    if (s == NULL || !s->ready) {
        *last_value = def->start;
        *is_called = false;
        return true;
    }
    eng_seq_lock(s);
    *last_value = s->last;
    *is_called = s->is_called;
    eng_seq_unlock(s);
    return true;
}
