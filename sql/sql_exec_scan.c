/* sql_exec_scan.c: partition scans and primary-key lookups (fragments), and GATHER, which runs
 * a fragment on every shard owning target partitions: inline on the coordinator's own shard,
 * in a fiber elsewhere. A remote fragment sends each batch in a "ready" message and gets it
 * back by the coordinator's "ack" (the batch has been consumed): up to SQL_FRAG_WINDOW_BATCHES
 * batches (copies in the fragment's own memory) may be in flight at once, so the fragment
 * computes ahead instead of waiting a round trip per batch; a fragment that writes or locks
 * rows keeps one batch in flight (it runs no further ahead than the coordinator reads).
 * SELECT ... FOR UPDATE / SHARE: the scan and the lookup lock each row that passes their filter
 * (on the shard owning it, in the transaction's participant there). Under READ COMMITTED a row
 * updated meanwhile by a committed transaction is replaced by its newest version if the filter
 * still holds on it (PostgreSQL's EvalPlanQual re-check), rows deleted meanwhile vanish; under
 * REPEATABLE READ either is 40001. NOWAIT fails with 55P03, SKIP LOCKED leaves the row out. */
#include <stdio.h>
#include <string.h>

#include "engine/eng_key.h"
#include "engine/eng_tx.h"
#include "runtime/rt_time.h"
#include "sql/sql_ast.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_stats.h"
#include "sql/sql_hybrid.h"
#include "sql/sql_exec_unique.h"

/* ---- row locks (SELECT ... FOR UPDATE / SHARE) ---- */

eng_tx *sql_lock_tx(sql_exec_ctx *x) {
    eng_tx *tx = eng_tx_local(x->txn_id, true);
    eng_tx_set_statement(tx, x->command, x->isolation, x->lock_timeout_ms, x->cancel);
    return tx;
}

/* NOWAIT's message names the relation, which the engine does not know (NOWAIT never waits, so
 * its 55P03 is not lock_timeout's). */
static bool sql_lock_failed(sql_exec_ctx *x, const sql_plan *p) {
    if (p->scan.lock_wait == SQL_LOCK_WAIT_NOWAIT &&
        rt_err_is(x->err, SQLSTATE_LOCK_NOT_AVAILABLE)) {
        snprintf(x->err->message, sizeof x->err->message,
                 "could not obtain lock on row in relation \"%s\"", p->scan.table->name);
    }
    return false;
}

void sql_scan_read_row(const sql_plan *p, const eng_part *part, uint32_t partno, uint32_t slot,
                       sql_batch *b, uint32_t r) {
    for (uint32_t c = 0; c < p->scan.natts; c++) {
        sql_value v;
        eng_part_read(part, slot, p->scan.attnums[c], &v);
        v.type_oid = p->cols[c].type_oid;
        sql_vec_set(&b->cols[c], r, &v);
    }
    if (p->scan.want_slots) {
        sql_value loc = {.type_oid = SQL_T_INT8, .i64 = (int64_t)partno << 32 | slot};
        sql_vec_set(&b->cols[p->scan.natts], r, &loc);
    }
}

bool sql_lock_row(sql_exec_ctx *x, eng_tx *tx, const sql_plan *p, eng_part *part,
                  uint32_t partno, uint32_t *slot_io, sql_batch *b, uint32_t r,
                  rt_arena *arena, bool *keep) {
    uint32_t slot = *slot_io;
    uint32_t st = p->scan.lock_strength;
    eng_lock_mode mode = st == SQL_LOCK_KEY_SHARE        ? ENG_LOCK_FOR_KEY_SHARE
                         : st == SQL_LOCK_SHARE          ? ENG_LOCK_FOR_SHARE
                         : st == SQL_LOCK_NO_KEY_UPDATE ? ENG_LOCK_FOR_NO_KEY_UPDATE
                                                         : ENG_LOCK_FOR_UPDATE;
    eng_lock_wait wait = p->scan.lock_wait == SQL_LOCK_WAIT_SKIP     ? ENG_WAIT_SKIP
                         : p->scan.lock_wait == SQL_LOCK_WAIT_NOWAIT ? ENG_WAIT_NOWAIT
                                                                     : ENG_WAIT_BLOCK;
    *keep = false;
    for (;;) {
        uint32_t newer;
        eng_lock_result lr = eng_part_lock(part, tx, slot, mode, wait, &newer, x->err);
        if (lr == ENG_LOCKED) {
            *keep = true;
            *slot_io = slot;
            return true;
        }
        if (lr == ENG_GONE || lr == ENG_SKIPPED) return true;
        if (lr != ENG_MOVED) return sql_lock_failed(x, p);
        slot = newer;
        sql_batch *one = sql_exec_batch(arena, p, 1);
        if (one == NULL) return rt_arena_fail(arena, x->err);
        sql_scan_read_row(p, part, partno, slot, one, 0);
        one->rows = 1;
        if (p->scan.filter != NULL) {
            uint8_t sel[1];
            uint32_t kept;
            if (!sql_exec_predicate(x, arena, p->scan.filter, one, sel, &kept)) return false;
            if (kept == 0) return true; /* the newest version no longer matches */
        }
        sql_scan_read_row(p, part, partno, slot, b, r);
    }
}

/* Locks the rows of a scan batch (slots[r]: the version of row r); drops those that went. */
static bool sql_lock_batch(sql_exec_ctx *x, sql_op *op, eng_part *part, uint32_t partno,
                           const uint32_t *slots, sql_batch **b) {
    const sql_plan *p = op->plan;
    eng_tx *tx = sql_lock_tx(x);
    uint8_t *sel = rt_arena_alloc(op->batch_arena, (*b)->rows + 1u);
    if (sel == NULL) return rt_arena_fail(op->batch_arena, x->err);
    uint32_t kept = 0;
    for (uint32_t r = 0; r < (*b)->rows; r++) {
        bool keep;
        uint32_t slot = slots[r];
        if (!sql_lock_row(x, tx, p, part, partno, &slot, *b, r, op->batch_arena, &keep)) {
            return false;
        }
        sel[r] = keep;
        kept += keep;
    }
    if (kept == (*b)->rows) return true;
    *b = sql_exec_select_rows(op->batch_arena, *b, sel, kept);
    return *b != NULL || rt_arena_fail(op->batch_arena, x->err);
}

/* ---- SCAN ---- */

/* Text constants an IN list may hand the store's equality pre-filter: each costs a compare
 * per dictionary entry (or per row of a plain chunk); longer lists stay in the filter. */
#define SQL_SCAN_EQ_VALUES_MAX 64u

typedef struct sql_op_scan {
    sql_op base;
    uint32_t part_index;
    uint32_t cursor;
    sql_batch *raw;          /* columns read from the store */
    uint32_t *slots;
    eng_scan_pre pre;        /* the store's pre-filters (text column = constants, ranges, a
                                hash join's keys) */
    bool has_eq;
    uint64_t seen;           /* rows the store looked at in the last call (pre.seen) */
    uint64_t visible;        /* EXPLAIN ANALYZE of a filtered scan: the visible rows the store
                                passed in the last call (pre.visible), to count those removed */
    eng_scan_keys_stats keys_stats; /* the trial of a hash join's key set (pre.keys.stats) */
    bool keys_early;         /* pre.keys given before the scan opened (by a GATHER to its
                                fragment's scan): the opening keeps them */
} sql_op_scan;

/* A text or varchar column of the scan (not the row id), as its attnum; 0 if not. */
static uint16_t sql_scan_eq_column(const sql_plan *p, const sql_expr *e) {
    if (e->kind != SQL_X_COLUMN || e->column.depth != 0 || e->column.index >= p->scan.natts) {
        return 0;
    }
    if (e->type_oid != SQL_T_TEXT && e->type_oid != SQL_T_VARCHAR) return 0;
    return p->scan.attnums[e->column.index];
}

static bool sql_scan_eq_const(const sql_expr *e) {
    return (e->kind == SQL_X_CONST || e->kind == SQL_X_PARAM) &&
           (e->type_oid == SQL_T_TEXT || e->type_oid == SQL_T_VARCHAR);
}

/* `col = const` (either side) or `col IN (consts)` with text equality, which is byte
 * equality: the store can test it on dictionary codes. Sets *attnum and the constants' range
 * args[first .. first + count). */
static bool sql_scan_eq_shape(const sql_plan *p, const sql_expr *e, uint16_t *attnum,
                              uint32_t *first, uint32_t *count) {
    if (e->kind == SQL_X_FUNC && e->func.def->is_operator && e->nargs == 2 &&
        strcmp(e->func.def->name, "=") == 0 && e->func.def->args[0] == SQL_T_TEXT &&
        e->func.def->args[1] == SQL_T_TEXT) {
        uint32_t col = sql_scan_eq_column(p, e->args[0]) != 0 ? 0 : 1;
        *attnum = sql_scan_eq_column(p, e->args[col]);
        *first = 1 - col;
        *count = 1;
        return *attnum != 0 && sql_scan_eq_const(e->args[1 - col]);
    }
    if (e->kind != SQL_X_IN_LIST || e->test.is_not || e->nargs < 2 ||
        e->nargs - 1 > SQL_SCAN_EQ_VALUES_MAX) {
        return false;
    }
    *attnum = sql_scan_eq_column(p, e->args[0]);
    for (uint32_t a = 1; a < e->nargs; a++) {
        if (!sql_scan_eq_const(e->args[a])) return false;
    }
    *first = 1;
    *count = e->nargs - 1;
    return *attnum != 0;
}

/* `col op const` (either side; op one of = < <= > >=) on a column of an integer-ordered type:
 * a range the store checks against its zone maps. Constants evaluated once; a NULL one is left
 * to the filter. */
static bool sql_scan_range_prepare(sql_op_scan *s, sql_exec_ctx *x, const sql_expr *e) {
    const sql_plan *p = s->base.plan;
    if (s->pre.nranges == ENG_SCAN_RANGES_MAX || e->kind != SQL_X_FUNC || e->nargs != 2 ||
        !e->func.def->is_operator) {
        return true;
    }
    static const char *const ops[] = {"=", "<", "<=", ">", ">="};
    uint32_t op = 0;
    while (op < 5 && strcmp(e->func.def->name, ops[op]) != 0) op++;
    uint32_t col = e->args[0]->kind == SQL_X_COLUMN ? 0 : 1;
    const sql_expr *c = e->args[col], *k = e->args[1 - col];
    int fam = sql_stats_zone_family(c->type_oid), kfam = sql_stats_zone_family(k->type_oid);
    bool date_ts = fam == 2 && kfam == 3; /* date column against a timestamp (Q6's bound) */
    if (op == 5 || c->kind != SQL_X_COLUMN || c->column.depth != 0 ||
        c->column.index >= p->scan.natts || p->scan.attnums[c->column.index] == 0 || fam == 0 ||
        (k->kind != SQL_X_CONST && k->kind != SQL_X_PARAM) || (kfam != fam && !date_ts)) {
        return true;
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    sql_value v;
    if (!sql_eval_scalar(&ec, k, &v)) return false;
    if (v.is_null) return true;
    if (col == 1 && op >= 1) op = op <= 2 ? op + 2 : op - 2; /* const < col: col > const */
    if (date_ts) {
        /* A date compares as its midnight: d < T holds only for days up to floor(T / day),
         * d > T only from it on. The range may keep a day the filter then rejects, never the
         * other way. Infinite timestamps are left to the filter. */
        const int64_t usecs_per_day = INT64_C(86400000000); /* both count from 2000-01-01 */
        if (v.i64 == INT64_MIN || v.i64 == INT64_MAX) return true;
        int64_t day = v.i64 / usecs_per_day;
        if (v.i64 % usecs_per_day < 0) day--;
        v.i64 = day;
        if (op == 1 || op == 3) op++; /* < as <=, > as >= */
    }
    eng_scan_range r = {.attnum = p->scan.attnums[c->column.index], .type_oid = c->type_oid,
                        .lo = INT64_MIN, .hi = INT64_MAX};
    bool exact = true; /* text, bytea, uuid: keys (sql_stats_zone_key), strict bounds kept */
    sql_bytes bytes = {0}; /* and the value, for the zone maps' longer prefixes */
    if (!date_ts && fam >= SQL_STATS_ZONE_BYTES_FAMILY) bytes = v.b;
    if (!date_ts) v.i64 = sql_stats_zone_key(&v, &exact);
    if (op == 0 || op == 3 || op == 4) {
        r.lo = exact && op == 3 && v.i64 < INT64_MAX ? v.i64 + 1 : v.i64;
        if (!exact) r.lo_bytes = bytes.ptr, r.lo_len = bytes.len;
    }
    if (op == 0 || op == 1 || op == 2) {
        r.hi = exact && op == 1 && v.i64 > INT64_MIN ? v.i64 - 1 : v.i64;
        if (!exact) r.hi_bytes = bytes.ptr, r.hi_len = bytes.len;
    }
    s->pre.ranges[s->pre.nranges++] = r;
    return true;
}

/* The first conjunct of the scan's filter the store can apply itself, with its constants
 * evaluated once (NULLs left out: they match nothing). The whole filter still runs on the rows
 * the store returns, so this only spares the rows that cannot pass it. */
static bool sql_scan_eq_prepare(sql_op_scan *s, sql_exec_ctx *x, const sql_expr *e) {
    if (e == NULL) return true;
    if (e->kind == SQL_X_AND) {
        for (uint32_t a = 0; a < e->nargs; a++) {
            if (!sql_scan_eq_prepare(s, x, e->args[a])) return false;
        }
        return true;
    }
    if (!sql_scan_range_prepare(s, x, e)) return false;
    uint16_t attnum;
    uint32_t first, count;
    if (s->has_eq || !sql_scan_eq_shape(s->base.plan, e, &attnum, &first, &count)) return true;
    sql_bytes *vals = rt_arena_alloc(x->arena, sizeof(sql_bytes) * count);
    if (vals == NULL) return false;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    uint32_t n = 0;
    for (uint32_t k = 0; k < count; k++) {
        sql_value v;
        if (!sql_eval_scalar(&ec, e->args[first + k], &v)) return false;
        if (!v.is_null) vals[n++] = v.b;
    }
    s->pre.attnum = attnum;
    s->pre.count = n;
    s->pre.values = vals;
    s->has_eq = true; /* n == 0: no row can pass; the store returns none */
    return true;
}

static bool sql_scan_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_scan *s = (sql_op_scan *)op;
    const sql_plan *p = op->plan;
    s->raw = sql_batch_new(x->arena, p->scan.natts, ENG_RG_ROWS);
    s->slots = rt_arena_alloc(x->arena, sizeof(uint32_t) * ENG_RG_ROWS);
    if (s->raw == NULL || s->slots == NULL) return false;
    for (uint32_t c = 0; c < p->scan.natts; c++) {
        if (!sql_vec_init(x->arena, &s->raw->cols[c], p->cols[c].type_oid, p->cols[c].typmod,
                          ENG_RG_ROWS)) {
            return false;
        }
    }
    eng_scan_keys keys = s->pre.keys;
    s->pre = (eng_scan_pre){0};
    if (s->keys_early) s->pre.keys = keys;
    s->keys_early = false;
    s->has_eq = false;
    return sql_scan_eq_prepare(s, x, p->scan.filter);
}

/* Adds the row locator column (partition << 32 | slot) UPDATE and DELETE use. */
static bool sql_scan_locators(sql_op_scan *s, uint32_t partno, sql_batch *out) {
    const sql_plan *p = s->base.plan;
    sql_vec *loc = &out->cols[p->scan.natts];
    if (!sql_vec_init(s->base.batch_arena, loc, SQL_T_INT8, -1, out->rows)) return false;
    for (uint32_t r = 0; r < out->rows; r++) loc->i64[r] = (int64_t)partno << 32 | s->slots[r];
    return true;
}

/* This shard's EXPLAIN ANALYZE HYBRID entry when the scan is the hybrid planner's
 * scalar-first path, else NULL. */
static sql_hybrid_actual *sql_scan_actual(const sql_plan *p, sql_exec_ctx *x) {
    if (x->hybrid_actual == NULL || p->hybrid == NULL) return NULL;
    sql_hybrid_actual *act = &x->hybrid_actual[rt_core_id()];
    act->ran = true;
    return act;
}

static bool sql_scan_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_scan *s = (sql_op_scan *)op;
    const sql_plan *p = op->plan;
    sql_hybrid_actual *act = sql_scan_actual(p, x);
    *out = NULL;
    while (s->part_index < x->frag_npartitions) {
        uint32_t partno = x->frag_partitions[s->part_index];
        eng_part *part = eng_partition(p->scan.table, partno);
        rt_fiber_maybe_yield();
        if (act != NULL && s->cursor == 0) act->partitions++;
        uint64_t t0 = rt_time_thread_cpu_ns();
        uint32_t from = s->cursor;
        s->pre.seen = &s->seen; /* set here: open clears `pre` */
        bool count_removed = op->actual != NULL && p->scan.filter != NULL;
        s->pre.visible = count_removed ? &s->visible : NULL;
        s->visible = 0;
        if (!eng_part_scan_pre(part, &x->snap, &s->cursor, p->scan.attnums, p->scan.natts,
                               &s->pre, s->raw, s->slots)) {
            s->part_index++;
            s->cursor = 0;
            continue;
        }
        /* With the store's pre-filter, the rows it looked at are the ones scanned (the
         * calibration prices reading them). */
        uint32_t end = s->cursor < eng_part_slot_count(part) ? s->cursor
                                                             : eng_part_slot_count(part);
        uint64_t scanned = s->has_eq ? end - from : s->seen;
        s->seen = 0;
        sql_hybrid_note_scan(scanned, rt_time_thread_cpu_ns() - t0);
        x->stats.rows_scanned += scanned;
        if (p->hybrid != NULL) x->stats.hybrid_rows += scanned;
        if (act != NULL) {
            act->visited += scanned;
            act->filtered += scanned - s->raw->rows;
        }
        if (count_removed) op->actual->removed += s->visible; /* less the rows kept, below */
        if (s->raw->rows == 0) continue;
        sql_batch *b = sql_batch_new(op->batch_arena, p->ncols, s->raw->rows);
        if (b == NULL) return false;
        memcpy(b->cols, s->raw->cols, sizeof(sql_vec) * p->scan.natts);
        b->rows = s->raw->rows;
        if (p->scan.want_slots && !sql_scan_locators(s, partno, b)) return false;
        if (p->scan.filter != NULL) {
            uint8_t *sel = rt_arena_alloc(op->batch_arena, b->rows + 1u);
            uint32_t kept;
            if (sel == NULL || !sql_exec_predicate(x, op->batch_arena, p->scan.filter, b, sel,
                                                   &kept)) {
                return false;
            }
            if (act != NULL) act->filtered += b->rows - kept;
            if (count_removed) op->actual->removed -= kept;
            if (kept == 0) { /* the filter's temporaries go: `raw` lives in the query's arena */
                rt_arena_reset(op->batch_arena);
                continue;
            }
            uint32_t k = 0; /* the slots of the rows kept, for locking them */
            for (uint32_t r = 0; r < b->rows; r++) if (sel[r]) s->slots[k++] = s->slots[r];
            if (kept < b->rows) b = sql_exec_select_rows(op->batch_arena, b, sel, kept);
            if (b == NULL) return false;
        }
        if (p->scan.lock_strength != 0 && !p->scan.lock_deferred) {
            if (!sql_lock_batch(x, op, part, partno, s->slots, &b)) return false;
            if (b->rows == 0) continue;
        }
        if (p->hybrid != NULL) x->stats.hybrid_distances += b->rows;
        if (act != NULL) {
            act->candidates += b->rows;
            act->distances += b->rows; /* each candidate's exact distance, above the scan */
        }
        *out = b;
        return true;
    }
    return true;
}
static const sql_op_vt sql_scan_vt = {sql_scan_open, sql_scan_next, NULL};

/* The integer families a key set compares within: numerically equal values of int2, int4
 * and int8 have the same sql_value.i64, as do equal dates. 0: not a key set type. */
int sql_scan_keys_family(uint32_t type_oid) {
    switch (type_oid) {
    case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8: return 1;
    case SQL_T_DATE: return 2;
    default: return 0;
    }
}

static const sql_op_vt sql_gather_vt;
static uint32_t sql_gather_keys_col(const sql_op *op, uint32_t col);
static void sql_gather_keys_set(sql_op *op, uint32_t col, int64_t lo, int64_t hi,
                                const uint64_t *words, uint32_t words_log2);

bool sql_scan_keys_column(const sql_op *op, uint32_t col) {
    const sql_plan *p = op->plan;
    if (op->vt == &sql_gather_vt) return sql_gather_keys_col(op, col) != UINT32_MAX;
    return op->vt == &sql_scan_vt && col < p->scan.natts && p->scan.attnums[col] != 0 &&
           sql_scan_keys_family(p->cols[col].type_oid) != 0 && p->scan.lock_strength == 0;
}

void sql_scan_keys_set(sql_op *op, uint32_t col, int64_t lo, int64_t hi, const uint64_t *words,
                       uint32_t words_log2) {
    RT_ASSERT(sql_scan_keys_column(op, col));
    if (op->vt == &sql_gather_vt) {
        sql_gather_keys_set(op, col, lo, hi, words, words_log2);
        return;
    }
    sql_op_scan *s = (sql_op_scan *)op;
    const sql_plan *p = op->plan;
    s->pre.keys = (eng_scan_keys){
        .range = {.attnum = p->scan.attnums[col], .type_oid = p->cols[col].type_oid,
                  .lo = lo, .hi = hi},
        .words = words,
        .words_log2 = words_log2,
        .stats = &s->keys_stats,
    };
    s->keys_stats = (eng_scan_keys_stats){0};
    s->keys_early = !op->opened;
}

sql_op *sql_op_new_scan(sql_exec_ctx *x, const sql_plan *p) {
    return sql_op_alloc(x, p, &sql_scan_vt, sizeof(sql_op_scan));
}

/* ---- PKGET ---- */

/* Encodes the primary key of a lookup from its key expressions; false with *err set, or with
 * *null when a key value is NULL (no row can match). */
static bool sql_pk_encode(sql_exec_ctx *x, const sql_plan *p, rt_arena *arena, eng_codec_w *key,
                          bool *null) {
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    *null = false;
    for (uint32_t k = 0; k < p->scan.nkey; k++) {
        sql_value v;
        if (!sql_eval_scalar(&ec, p->scan.key[k], &v)) return false;
        if (v.is_null) {
            *null = true;
            return true;
        }
        if (!eng_key_append(key, &v, false, x->err)) return false;
    }
    return true;
}

uint32_t sql_pk_partition(sql_exec_ctx *x, const sql_plan *p, rt_arena *scratch, bool *none) {
    eng_codec_w key;
    eng_w_init(&key);
    bool null;
    bool ok = sql_pk_encode(x, p, scratch, &key, &null);
    *none = !ok || null;
    uint32_t part = *none ? 0
                          : (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) %
                                       p->scan.table->partition_count);
    rt_free(key.buf);
    return part;
}

typedef struct sql_op_pkget {
    sql_op base;
    bool done;
} sql_op_pkget;

static bool sql_pkget_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_pkget *g = (sql_op_pkget *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    if (g->done) return true;
    g->done = true;
    eng_codec_w key;
    eng_w_init(&key);
    bool null;
    bool ok = sql_pk_encode(x, p, op->batch_arena, &key, &null);
    if (!ok || null) {
        rt_free(key.buf);
        return ok;
    }
    uint32_t partno = (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) %
                                 p->scan.table->partition_count);
    eng_part *part = eng_partition(p->scan.table, partno);
    uint32_t slot = eng_part_pk_lookup(part, key.buf, (uint32_t)key.len, &x->snap);
    rt_free(key.buf);
    if (slot == ENG_SLOT_NONE) return true;
    sql_batch *b = sql_exec_batch(op->batch_arena, p, 1);
    if (b == NULL) return false;
    for (uint32_t c = 0; c < p->scan.natts; c++) {
        sql_value v;
        eng_part_read(part, slot, p->scan.attnums[c], &v);
        v.type_oid = p->cols[c].type_oid;
        sql_vec_set(&b->cols[c], 0, &v);
    }
    if (p->scan.want_slots) {
        sql_value loc = {.type_oid = SQL_T_INT8, .i64 = (int64_t)partno << 32 | slot};
        sql_vec_set(&b->cols[p->scan.natts], 0, &loc);
    }
    b->rows = 1;
    x->stats.rows_scanned++;
    if (p->scan.filter != NULL) {
        uint8_t sel[1];
        uint32_t kept;
        if (!sql_exec_predicate(x, op->batch_arena, p->scan.filter, b, sel, &kept)) return false;
        if (op->actual != NULL) op->actual->removed += 1u - kept;
        if (kept == 0) return true;
    }
    if (p->scan.lock_strength != 0 && !p->scan.lock_deferred) {
        bool keep;
        if (!sql_lock_row(x, sql_lock_tx(x), p, part, partno, &slot, b, 0, op->batch_arena,
                          &keep)) {
            return false;
        }
        if (!keep) return true;
    }
    *out = b;
    return true;
}
static const sql_op_vt sql_pkget_vt = {NULL, sql_pkget_next, NULL};

sql_op *sql_op_new_pkget(sql_exec_ctx *x, const sql_plan *p) {
    return sql_op_alloc(x, p, &sql_pkget_vt, sizeof(sql_op_pkget));
}

/* ---- GATHER ---- */

typedef struct sql_op_gather sql_op_gather;

/* Batches a remote fragment may have sent and not yet seen acknowledged. With one, a fragment
 * idled from sending a batch until the coordinator had consumed it (a round trip between two
 * shards per batch, and a scheduler time slice each time the other core was busy); with a
 * window it computes ahead while the coordinator consumes. Each batch in flight is a copy in
 * a slot arena of the fragment's (the operators' own batches last until their next call), so
 * the window bounds a fragment's extra memory to this many batches. */
#define SQL_FRAG_WINDOW_BATCHES 4u

/* One batch in flight from a remote fragment and its two messages. A slot is reused only once
 * its ack has arrived, so each message is in flight at most once at a time; slots are used
 * and consumed in turn (messages between two shards arrive in the order sent). */
typedef struct sql_frag_slot {
    rt_msg ready;            /* shard -> coordinator: a batch (or the end, or an error) */
    rt_msg ack;              /* coordinator -> shard: batch consumed (cancel: stop) */
    struct sql_frag *frag;
    sql_batch *batch;        /* NULL: the fragment's end (or its error) */
    bool last;               /* `batch` is the fragment's only one: no end message follows */
    bool failed;
    bool busy;               /* shard side: sent with a batch, ack not yet back */
    bool arrived;            /* coordinator side: `ready` came, not yet consumed */
    rt_arena *arena;         /* shard side: the copy of `batch` (window > 1) */
} sql_frag_slot;

/* One remote fragment instance. Its messages are embedded here (in the coordinator's query
 * arena); GATHER's close waits until the fragment's fiber has ended before the arena can go. */
typedef struct sql_frag {
    rt_msg start;            /* coordinator -> shard: run it; the reply says the fiber ended */
    sql_op_gather *gather;
    uint32_t *partitions;
    uint32_t npartitions;
    sql_frag_slot slots[SQL_FRAG_WINDOW_BATCHES];
    uint32_t window;         /* slots used: 1 for fragments that write or lock rows (they run
                                no further ahead than the coordinator reads) */
    rt_err err;              /* the failed slot's error */
    _Atomic bool cancel;     /* set by the coordinator, read by the fragment at any time */
    uint8_t *inline_buf;     /* coordinator's memory for a primary-key lookup's one row, run
                                in the start message's handler (sql_frag_inline_run); NULL:
                                the fragment runs in a fiber */
    bool inlined;            /* shard side, read after the start reply: it ran that way, its
                                result is in slots[0] and no ack is sent for it */
    /* shard side */
    rt_fiber *fiber;
    uint32_t send_next;      /* the slot the next batch goes in */
    /* coordinator side */
    uint32_t recv_next;      /* the slot whose batch comes next */
    bool ended;              /* the fragment's last batch or end has been consumed */
    bool finished;           /* its fiber has ended */
} sql_frag;

struct sql_op_gather {
    sql_op base;
    sql_exec_ctx *x;         /* the coordinator's context, read by fragments */
    sql_frag *frags;
    uint32_t nfrags;
    sql_op *local;           /* the fragment on this shard, run inline */
    sql_exec_ctx local_x;
    uint32_t *local_parts;
    uint32_t nlocal;
    bool local_done;
    sql_frag_slot *handed;   /* remote slot whose batch was handed out last (acked at the next
                                call: the consumer is done with it by then) */
    rt_fiber *waiter;
    uint32_t turn;
    bool started;
    const sql_plan *hybrid;  /* the fragment's hybrid node (timed, calibrates), or NULL */
    uint64_t local_ns;       /* the local fragment's own time */
    sql_join_shared *shared; /* build sides built once for all the fragments */
    /* a hash join's key set for the fragments' scans (sql_scan_keys_set on a GATHER): set
       before the fragments start, read by each of them (words: the joiner's, kept until
       this GATHER has closed) */
    const uint64_t *keys_words;
    uint32_t keys_words_log2, keys_col; /* keys_col: the fragment scan's column */
    int64_t keys_lo, keys_hi;
};

/* The column of the fragment's scan that the GATHER's output column `col` is, when the
 * GATHER has not started, writes nothing, and its fragment is a plain SCAN (or a PROJECT of
 * its columns) taking no row locks, of a key set family; else UINT32_MAX. */
static uint32_t sql_gather_keys_col(const sql_op *op, uint32_t col) {
    const sql_op_gather *g = (const sql_op_gather *)op;
    const sql_plan *f = op->plan->left;
    if (g->started || op->plan->gather.writes || f == NULL) return UINT32_MAX;
    if (f->kind == SQL_P_PROJECT) {
        const sql_expr *e = col < f->ncols ? f->project.exprs[col] : NULL;
        if (e == NULL || e->kind != SQL_X_COLUMN || e->column.depth != 0) return UINT32_MAX;
        col = e->column.index;
        f = f->left;
    }
    bool plain = f != NULL && f->kind == SQL_P_SCAN && f->hybrid == NULL &&
                 !f->scan.want_slots && f->scan.lock_strength == 0 && col < f->scan.natts &&
                 f->scan.attnums[col] != 0 && sql_scan_keys_family(f->cols[col].type_oid) != 0;
    return plain ? col : UINT32_MAX;
}

static void sql_gather_keys_set(sql_op *op, uint32_t col, int64_t lo, int64_t hi,
                                const uint64_t *words, uint32_t words_log2) {
    sql_op_gather *g = (sql_op_gather *)op;
    g->keys_col = sql_gather_keys_col(op, col);
    g->keys_lo = lo;
    g->keys_hi = hi;
    g->keys_words = words;
    g->keys_words_log2 = words_log2;
}

/* Hands a fragment's scan (the root of its operators, or below its PROJECT) the key set the
 * GATHER was given, if any. */
static void sql_gather_keys_apply(const sql_op_gather *g, sql_op *op) {
    if (g->keys_words == NULL || op == NULL) return;
    sql_op *scan = g->base.plan->left->kind == SQL_P_PROJECT ? op->child : op;
    if (scan != NULL && sql_scan_keys_column(scan, g->keys_col)) {
        sql_scan_keys_set(scan, g->keys_col, g->keys_lo, g->keys_hi, g->keys_words,
                          g->keys_words_log2);
    }
}

static void sql_frag_wake(sql_op_gather *g) {
    if (g->waiter != NULL) rt_fiber_wake(g->waiter);
}

static void sql_frag_ready_run(rt_msg *msg) { /* on the coordinator */
    sql_frag_slot *slot = (sql_frag_slot *)((char *)msg - offsetof(sql_frag_slot, ready));
    slot->arrived = true;
    sql_frag_wake(slot->frag->gather);
}

static void sql_frag_start_done(rt_msg *msg) { /* on the coordinator */
    sql_frag *f = (sql_frag *)msg;
    f->finished = true;
    if (f->inlined) f->slots[0].arrived = true; /* the reply carried its one result */
    sql_frag_wake(f->gather);
}

static void sql_frag_ack_run(rt_msg *msg) { /* on the fragment's shard */
    sql_frag_slot *slot = (sql_frag_slot *)((char *)msg - offsetof(sql_frag_slot, ack));
    slot->busy = false;
    if (slot->frag->fiber != NULL) rt_fiber_wake(slot->frag->fiber);
}

void sql_frag_ctx(sql_exec_ctx *dst, const sql_exec_ctx *coord, rt_arena *arena,
                         rt_err *err, const uint32_t *parts, uint32_t nparts) {
    *dst = *coord;
    dst->err = err;
    dst->arena = arena;
    dst->in_fragment = true;
    dst->session = NULL;
    dst->txn = NULL;
    dst->materials = NULL;
    dst->subquery_cache = NULL;
    dst->frag_partitions = parts;
    dst->frag_npartitions = nparts;
    memset(&dst->stats, 0, sizeof dst->stats);
}

/* The fragment's node the hybrid planner estimated, or NULL. */
static const sql_plan *sql_frag_hybrid(const sql_plan *p) {
    if (p == NULL) return NULL;
    if (p->hybrid != NULL) return p;
    const sql_plan *l = sql_frag_hybrid(p->left);
    return l != NULL ? l : sql_frag_hybrid(p->right);
}

/* Pulls a fragment's next batch. A fragment holding the hybrid node counts its own time (not
 * the waits for the coordinator's acks; CPU time, so that a preempted shard's wait for its
 * core is not taken for work) and, under EXPLAIN ANALYZE HYBRID, its rows. */
static bool sql_frag_pull(sql_op *op, sql_exec_ctx *x, const sql_plan *hybrid,
                          uint64_t *time_ns, sql_batch **b) {
    if (hybrid == NULL) return sql_op_next(op, x, b);
    uint64_t t0 = rt_time_thread_cpu_ns();
    bool ok = sql_op_next(op, x, b);
    uint64_t ns = rt_time_thread_cpu_ns() - t0;
    *time_ns += ns;
    if (x->hybrid_actual == NULL) return ok;
    sql_hybrid_actual *act = &x->hybrid_actual[rt_core_id()];
    act->ran = true;
    act->time_ns += ns;
    if (ok && *b != NULL) act->rows += (*b)->rows;
    return ok;
}

/* A REPARTITION input's fragment keeps the rows whose key hashes to shard `dest` (where the
 * GATHER reading it runs): a batch left empty is not sent, the next one is pulled. */
static bool sql_frag_pull_share(sql_op *op, sql_exec_ctx *x, const sql_plan *gp,
                                const sql_plan *hybrid, uint64_t *time_ns, uint32_t dest,
                                sql_batch **b) {
    const sql_expr *key = gp->gather.share_key;
    for (;;) {
        if (!sql_frag_pull(op, x, hybrid, time_ns, b)) return false;
        if (key == NULL || *b == NULL) return true;
        sql_eval_ctx ec;
        sql_exec_eval_ctx(x, op->batch_arena, &ec);
        sql_vec *k = sql_eval(&ec, key, *b, (*b)->rows, NULL);
        uint8_t *sel = rt_arena_alloc(op->batch_arena, (*b)->rows + 1u);
        if (k == NULL || sel == NULL) return rt_arena_fail(op->batch_arena, x->err);
        uint32_t kept = 0, shards = eng_shard_count();
        for (uint32_t i = 0; i < (*b)->rows; i++) {
            sql_value v;
            sql_vec_get(k, i, &v);
            sel[i] = sql_htab_hash(&v, 1) % shards == dest;
            kept += sel[i];
        }
        if (kept == (*b)->rows) return true;
        if (kept == 0) continue;
        *b = sql_exec_select_rows(op->batch_arena, *b, sel, kept);
        return *b != NULL || rt_arena_fail(op->batch_arena, x->err);
    }
}

/* A fragment ran to its end: its time feeds the chosen path's calibration. */
static void sql_frag_calibrate(const sql_exec_ctx *x, const sql_plan *hybrid, uint32_t partitions,
                               uint64_t time_ns) {
    if (hybrid == NULL) return;
    /* An index scan's rows are not the scan's (sql_hybrid.h prices them apart): they would
     * teach the sequential scalar path a wrong factor. */
    if (hybrid->kind == SQL_P_IXSCAN) {
        sql_hybrid_note_ixscan(hybrid->hybrid->dims, partitions, x->stats.hybrid_rows,
                               x->stats.hybrid_distances, time_ns);
        return;
    }
    sql_hybrid_note_fragment(hybrid->hybrid, hybrid->kind == SQL_P_ANNSCAN, partitions,
                             x->stats.hybrid_rows, x->stats.hybrid_distances,
                             x->stats.hybrid_filter_calls, time_ns);
}

/* True for a fragment that yields at most one batch: a primary-key lookup under projections.
 * It sends that batch as its last, which saves the coordinator's wait for the end. */
static bool sql_frag_single_batch(const sql_plan *p) {
    while (p != NULL && p->kind == SQL_P_PROJECT && p->right == NULL) p = p->left;
    return p != NULL && p->kind == SQL_P_PKGET;
}

/* A copy of `in` that shares nothing with it (values of variable length included), in
 * `arena`: the batch a fragment sends while its operators go on to the next one. */
static sql_batch *sql_frag_batch_copy(rt_arena *arena, const sql_batch *in) {
    uint32_t n = in->rows;
    sql_batch *b = sql_batch_new(arena, in->ncols, n > 0 ? n : 1);
    if (b == NULL) return NULL;
    for (uint32_t c = 0; c < in->ncols; c++) {
        const sql_vec *src = &in->cols[c];
        sql_vec *dst = &b->cols[c];
        if (!sql_vec_init(arena, dst, src->type_oid, src->typmod, b->cap)) return NULL;
        if (src->nulls != NULL) memcpy(dst->nulls, src->nulls, n);
        else memset(dst->nulls, 0, n);
        if (src->phys != SQL_PHYS_BYTES) {
            memcpy(dst->data, src->data, sizeof(int64_t) * n);
            continue;
        }
        for (uint32_t r = 0; r < n; r++) {
            if (dst->nulls[r] || src->b[r].len == 0) {
                dst->b[r] = (sql_bytes){0};
                continue;
            }
            uint8_t *copy = rt_arena_alloc(arena, src->b[r].len);
            if (copy == NULL) return NULL;
            memcpy(copy, src->b[r].ptr, src->b[r].len);
            dst->b[r] = (sql_bytes){.ptr = copy, .len = src->b[r].len};
        }
    }
    b->rows = n;
    return b;
}

/* Waits until the next slot is free (its batch consumed): before the next batch is computed,
 * since with a window of one the batch still in flight lives in the operators' memory. False
 * when the coordinator asked the fragment to stop. */
static bool sql_frag_slot_wait(sql_frag *f) {
    while (f->slots[f->send_next].busy) rt_fiber_park();
    return !atomic_load_explicit(&f->cancel, memory_order_relaxed);
}

/* Sends batch `b` (NULL: the end; !ok: the error in `err`) in the next slot, free by now.
 * False when the fragment must stop sending (its end, an error, a copy that did not fit:
 * then the copy's error is sent). */
static bool sql_frag_send(sql_frag *f, bool ok, sql_batch *b, bool single, rt_err *err) {
    sql_frag_slot *slot = &f->slots[f->send_next];
    RT_ASSERT(!slot->busy);
    if (ok && b != NULL && f->window > 1) {
        if (slot->arena == NULL) slot->arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
        else rt_arena_reset(slot->arena);
        b = sql_frag_batch_copy(slot->arena, b); /* rt_arena_create never fails */
        if (b == NULL) ok = rt_arena_fail(slot->arena, err);
    }
    slot->batch = ok ? b : NULL;
    slot->last = ok && b != NULL && single;
    slot->failed = !ok;
    if (!ok) f->err = *err;
    slot->busy = ok && b != NULL;
    f->send_next = (f->send_next + 1) % f->window;
    rt_msg_send(&slot->ready, f->start.from_core);
    return slot->busy && !slot->last;
}

static void sql_frag_fiber(void *arg) {
    sql_frag *f = arg;
    rt_err err;
    rt_err_clear(&err);
    sql_exec_ctx x;
    sql_frag_ctx(&x, f->gather->x, rt_arena_create(RT_QUERY_ARENA_BYTES_MAX), &err,
                 f->partitions, f->npartitions);
    x.join_shared = f->gather->shared;
    sql_op *op = sql_op_build(&x, f->gather->base.plan->left);
    sql_gather_keys_apply(f->gather, op);
    const sql_plan *hybrid = f->gather->hybrid;
    bool single = hybrid == NULL && sql_frag_single_batch(f->gather->base.plan->left);
    uint64_t time_ns = 0;
    while (sql_frag_slot_wait(f)) {
        sql_batch *b = NULL;
        bool ok = op != NULL && sql_frag_pull_share(op, &x, f->gather->base.plan, hybrid,
                                                    &time_ns, f->start.from_core, &b);
        if (ok && b == NULL) sql_frag_calibrate(&x, hybrid, f->npartitions, time_ns);
        if (!sql_frag_send(f, ok, b, single, &err)) break;
    }
    /* The batches in flight live in the slots' arenas (or, with a window of one, in the
     * operators'): the coordinator acknowledges each before they go. */
    for (uint32_t k = 0; k < f->window; k++) {
        while (f->slots[k].busy) rt_fiber_park();
    }
    for (uint32_t k = 0; k < f->window; k++) {
        if (f->slots[k].arena != NULL) rt_arena_destroy(f->slots[k].arena);
        f->slots[k].arena = NULL;
    }
    if (op != NULL) sql_op_close(op, &x);
    rt_arena_destroy(x.arena);
    f->fiber = NULL;
    rt_msg_reply(&f->start);
}

/* ---- a remote primary-key lookup in the message handler ----
 * A point select whose key lives on another shard would otherwise spawn a fiber there and
 * take four messages (start, batch, ack, end): two wake-ups of that shard when it sleeps, the
 * second one on the coordinator's path to CommandComplete. A lookup that cannot wait (no row
 * locks, no writes, expressions that only compute) runs in the start message's handler and
 * copies its row into memory the coordinator gave with the message: one round trip. */

/* Room for the one row's copy; a wider row (long text values) takes the fiber path. */
#define SQL_FRAG_INLINE_BYTES 4096u

/* An expression the handler may evaluate: it reads constants, parameters and its row and
 * calls functions that neither wait nor change anything (no subqueries, no volatile calls). */
static bool sql_frag_inline_expr(const sql_expr *e) {
    if (e == NULL) return true;
    switch (e->kind) {
    case SQL_X_CONST:
    case SQL_X_PARAM:
    case SQL_X_COLUMN:
        return true;
    case SQL_X_FUNC:
        if ((e->func.def->flags & (SQL_F_VOLATILE | SQL_F_SRF | SQL_F_AGG | SQL_F_WINDOW)) != 0) {
            return false;
        }
        break;
    case SQL_X_AND:
    case SQL_X_OR:
    case SQL_X_NOT:
    case SQL_X_NULLTEST:
    case SQL_X_COERCE:
        break;
    default:
        return false;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!sql_frag_inline_expr(e->args[i])) return false;
    }
    return true;
}

/* Whether GATHER `g`'s fragment is such a lookup: projections of a PKGET without row locks. */
static bool sql_frag_inline_plan(const sql_plan *g) {
    if (g->gather.share_key != NULL) return false;
    const sql_plan *p = g->left;
    while (p != NULL && p->kind == SQL_P_PROJECT && p->right == NULL) {
        for (uint32_t c = 0; c < p->ncols; c++) {
            if (!sql_frag_inline_expr(p->project.exprs[c])) return false;
        }
        p = p->left;
    }
    if (p == NULL || p->kind != SQL_P_PKGET || p->scan.lock_strength != 0) return false;
    for (uint32_t k = 0; k < p->scan.nkey; k++) {
        if (!sql_frag_inline_expr(p->scan.key[k])) return false;
    }
    return sql_frag_inline_expr(p->scan.filter);
}

/* Bump allocation in the coordinator's buffer; NULL when the copy does not fit. */
static void *sql_frag_inline_take(uint8_t *buf, size_t *used, size_t size) {
    size_t at = (*used + 15u) & ~(size_t)15u;
    if (at > SQL_FRAG_INLINE_BYTES || size > SQL_FRAG_INLINE_BYTES - at) return NULL;
    *used = at + size;
    return buf + at;
}

/* Copies batch `in` (one row at most) into `buf`; NULL when it does not fit. */
static sql_batch *sql_frag_inline_pack(uint8_t *buf, const sql_batch *in) {
    size_t used = 0;
    uint32_t n = in->rows;
    sql_batch *b = sql_frag_inline_take(buf, &used, sizeof *b);
    sql_vec *cols = sql_frag_inline_take(buf, &used, sizeof(sql_vec) * (in->ncols + 1u));
    if (b == NULL || cols == NULL) return NULL;
    *b = (sql_batch){.rows = n, .cap = n > 0 ? n : 1, .ncols = in->ncols, .cols = cols};
    for (uint32_t c = 0; c < in->ncols; c++) {
        const sql_vec *src = &in->cols[c];
        sql_vec *dst = &cols[c];
        *dst = *src;
        dst->data = sql_frag_inline_take(buf, &used, sizeof(int64_t) * b->cap);
        dst->nulls = sql_frag_inline_take(buf, &used, b->cap);
        if (dst->data == NULL || dst->nulls == NULL) return NULL;
        if (src->nulls != NULL) memcpy(dst->nulls, src->nulls, n);
        else memset(dst->nulls, 0, b->cap);
        if (src->phys != SQL_PHYS_BYTES) {
            memcpy(dst->data, src->data, sizeof(int64_t) * n);
            continue;
        }
        for (uint32_t r = 0; r < n; r++) {
            dst->b[r] = (sql_bytes){0};
            if (dst->nulls[r] || src->b[r].len == 0) continue;
            uint8_t *copy = sql_frag_inline_take(buf, &used, src->b[r].len);
            if (copy == NULL) return NULL;
            memcpy(copy, src->b[r].ptr, src->b[r].len);
            dst->b[r] = (sql_bytes){.ptr = copy, .len = src->b[r].len};
        }
    }
    return b;
}

/* Runs the lookup now, on the fragment's shard, and leaves its result (row, none, or error)
 * in slots[0]. False when the row did not fit the buffer: the fiber path runs it again. */
static bool sql_frag_inline_run(sql_frag *f) {
    rt_err err;
    rt_err_clear(&err);
    sql_exec_ctx x;
    sql_frag_ctx(&x, f->gather->x, rt_arena_create(RT_QUERY_ARENA_BYTES_MAX), &err,
                 f->partitions, f->npartitions);
    sql_op *op = sql_op_build(&x, f->gather->base.plan->left);
    sql_batch *b = NULL;
    bool ok = op != NULL && sql_op_next(op, &x, &b);
    sql_batch *copy = ok && b != NULL ? sql_frag_inline_pack(f->inline_buf, b) : NULL;
    bool fits = !ok || b == NULL || copy != NULL;
    if (op != NULL) sql_op_close(op, &x);
    rt_arena_destroy(x.arena);
    if (!fits) return false;
    sql_frag_slot *slot = &f->slots[0];
    slot->batch = ok ? copy : NULL;
    slot->last = ok && copy != NULL;
    slot->failed = !ok;
    if (!ok) f->err = err;
    f->inlined = true;
    return true;
}

static void sql_frag_start_run(rt_msg *msg) { /* on the fragment's shard */
    sql_frag *f = (sql_frag *)msg;
    if (f->inline_buf != NULL && sql_frag_inline_run(f)) {
        rt_msg_reply(msg);
        return;
    }
    rt_err err;
    rt_err_clear(&err);
    f->fiber = rt_fiber_spawn(sql_frag_fiber, f, &err);
    if (f->fiber != NULL) return;
    sql_frag_slot *slot = &f->slots[0];
    slot->failed = true;
    f->err = err;
    slot->batch = NULL;
    rt_msg_send(&slot->ready, msg->from_core);
    rt_msg_reply(msg);
}

/* Which partitions, on which shards: all of them, or the one a primary key names. */
static bool sql_gather_targets(sql_op_gather *g, sql_exec_ctx *x, uint32_t **parts,
                               uint32_t *nparts) {
    const sql_plan *p = g->base.plan;
    const sql_plan *frag = p->left;
    while (frag != NULL && frag->kind != SQL_P_PKGET && frag->kind != SQL_P_SCAN &&
           frag->kind != SQL_P_UPDATE && frag->kind != SQL_P_DELETE) {
        frag = frag->left;
    }
    if (frag != NULL && (frag->kind == SQL_P_UPDATE || frag->kind == SQL_P_DELETE)) {
        while (frag != NULL && frag->kind != SQL_P_PKGET && frag->kind != SQL_P_SCAN) {
            frag = frag->left;
        }
    }
    if (frag != NULL && frag->kind == SQL_P_PKGET) {
        bool none;
        /* GATHER's batch arena is empty while it starts (reset before each call) */
        uint32_t part = sql_pk_partition(x, frag, g->base.batch_arena, &none);
        if (rt_err_is_set(x->err)) return false;
        *nparts = none ? 0 : 1;
        *parts = rt_arena_alloc(x->arena, sizeof(uint32_t));
        if (*parts == NULL) return false;
        (*parts)[0] = part;
        return true;
    }
    *nparts = p->gather.npartitions > 0 ? p->gather.npartitions
                                        : p->gather.table->partition_count;
    *parts = rt_arena_alloc(x->arena, sizeof(uint32_t) * (*nparts + 1));
    if (*parts == NULL) return false;
    for (uint32_t i = 0; i < *nparts; i++) {
        (*parts)[i] = p->gather.npartitions > 0 ? p->gather.partitions[i] : i;
    }
    return true;
}

/* True for an UPDATE fragment that assigns a primary-key column. */
static bool sql_gather_sets_pk(const sql_plan *frag) {
    if (frag == NULL || frag->kind != SQL_P_UPDATE || frag->modify.set == NULL) return false;
    const eng_table *t = frag->modify.table;
    for (uint32_t k = 0; k < t->pk_count; k++) {
        if (frag->modify.set[t->pk_attnums[k] - 1] != NULL) return true;
    }
    return false;
}

/* Builds, once for all the fragments, the build side of each broadcast hash join of the
 * fragment plan `p` (not of a LATERAL join's right side, re-run per row, nor inside a nested
 * GATHER, whose own start does it). */
static bool sql_gather_share_builds(sql_op_gather *g, sql_exec_ctx *x, const sql_plan *p) {
    if (p == NULL || p->kind == SQL_P_GATHER) return true;
    if (sql_plan_join_shareable(p)) {
        sql_join_shared *sh = rt_arena_zalloc(x->arena, sizeof *sh);
        if (sh == NULL) return rt_arena_fail(x->arena, x->err);
        rt_arena *mem = rt_arena_create(sql_exec_hash_bytes_max);
        if (mem == NULL) return rt_arena_fail(x->arena, x->err);
        sh->mem = mem;
        sh->next = g->shared;
        g->shared = sh; /* destroyed at close, whether the build succeeds or not */
        bool ok = sql_join_shared_build(x, p, mem, sh);
        return ok && sql_gather_share_builds(g, x, p->left);
    }
    bool lateral = (p->kind == SQL_P_NESTLOOP || p->kind == SQL_P_HASHJOIN) && p->join.lateral;
    return sql_gather_share_builds(g, x, p->left) &&
           (lateral || sql_gather_share_builds(g, x, p->right));
}

/* Whether the partitions `parts` live on more than one shard (then each shard's fragment
 * would build the same broadcast side). */
static bool sql_gather_spread(const uint32_t *parts, uint32_t nparts, uint32_t shards) {
    for (uint32_t i = 1; i < nparts; i++) {
        if (eng_partition_owner(parts[i], shards) != eng_partition_owner(parts[0], shards)) {
            return true;
        }
    }
    return false;
}

static bool sql_gather_start(sql_op_gather *g, sql_exec_ctx *x) {
    g->started = true;
    g->x = x;
    g->hybrid = sql_frag_hybrid(g->base.plan->left);
    uint32_t *parts, nparts;
    if (!sql_gather_targets(g, x, &parts, &nparts)) return false;
    uint32_t shards = eng_shard_count(), me = rt_core_id();
    /* UPDATE/DELETE of a table with UNIQUE constraints writes companion rows on any shard, and
     * an UPDATE of the primary key may move rows to any shard. */
    if (g->base.plan->gather.writes && x->txn != NULL &&
        (sql_uniq_any(x->db, g->base.plan->gather.table) ||
         sql_gather_sets_pk(g->base.plan->left))) {
        x->txn->participants |= shards >= 64 ? ~0ull : (1ull << shards) - 1u;
    }
    /* A fragment that writes or locks rows runs no further ahead than the coordinator reads (a
     * LIMIT above must not find more rows locked or written). */
    bool shares = sql_plan_gather_shares(g->base.plan);
    uint32_t window = shares ? SQL_FRAG_WINDOW_BATCHES : 1;
    if (shares && sql_gather_spread(parts, nparts, shards) &&
        !sql_gather_share_builds(g, x, g->base.plan->left)) {
        return false;
    }
    bool inline_ok = window > 1 && !g->base.plan->gather.writes && g->hybrid == NULL &&
                     sql_frag_inline_plan(g->base.plan);
    /* One fragment per other shard that holds some of the partitions (a sql_frag is ~2 KiB
     * with its error buffer: not one per shard for a lookup that touches one). */
    RT_STATIC_ASSERT(RT_SHARDS_MAX <= 64); /* a word of shards */
    uint32_t remote = 0;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < nparts && remote + 1 < shards; i++) {
        uint32_t s = eng_partition_owner(parts[i], shards);
        if (s == me || (seen & (1ull << s)) != 0) continue;
        seen |= 1ull << s;
        remote++;
    }
    g->frags = rt_arena_zalloc(x->arena, sizeof(sql_frag) * (remote + 1));
    g->local_parts = rt_arena_alloc(x->arena, sizeof(uint32_t) * (nparts + 1));
    if (g->frags == NULL || g->local_parts == NULL) return false;
    for (uint32_t s = 0; s < shards; s++) {
        uint32_t *mine = rt_arena_alloc(x->arena, sizeof(uint32_t) * (nparts + 1));
        uint32_t n = 0;
        if (mine == NULL) return false;
        for (uint32_t i = 0; i < nparts; i++) {
            if (eng_partition_owner(parts[i], shards) == s) mine[n++] = parts[i];
        }
        if (n == 0) continue;
        if (g->base.plan->gather.writes && x->txn != NULL) x->txn->participants |= 1ull << s;
        if (s == me) {
            memcpy(g->local_parts, mine, sizeof(uint32_t) * n);
            g->nlocal = n;
            continue;
        }
        RT_ASSERT(g->nfrags < remote);
        sql_frag *f = &g->frags[g->nfrags++];
        f->gather = g;
        f->partitions = mine;
        f->npartitions = n;
        f->start.run = sql_frag_start_run;
        f->start.done = sql_frag_start_done;
        f->window = window;
        for (uint32_t k = 0; k < SQL_FRAG_WINDOW_BATCHES; k++) {
            f->slots[k].frag = f;
            f->slots[k].ready.run = sql_frag_ready_run;
            f->slots[k].ack.run = sql_frag_ack_run;
        }
        rt_err_clear(&f->err);
        if (inline_ok) f->inline_buf = rt_arena_alloc(x->arena, SQL_FRAG_INLINE_BYTES);
        x->stats.fragments++;
        rt_msg_send(&f->start, s);
    }
    if (g->nlocal > 0) {
        sql_frag_ctx(&g->local_x, x, x->arena, x->err, g->local_parts, g->nlocal);
        g->local_x.join_shared = g->shared;
        g->local = sql_op_build(&g->local_x, g->base.plan->left);
        if (g->local == NULL) return false;
        sql_gather_keys_apply(g, g->local);
    } else {
        g->local_done = true;
    }
    return true;
}

/* Gives the slot handed out last back to its fragment: the consumer is done with its batch. */
static void sql_gather_ack(sql_op_gather *g) {
    sql_frag_slot *slot = g->handed;
    g->handed = NULL;
    if (slot != NULL && !slot->frag->inlined) rt_msg_send(&slot->ack, slot->frag->start.to_core);
}

/* A remote fragment whose next slot has arrived, or NULL; *pending: some fragment has not
 * ended. */
static sql_frag *sql_gather_ready(sql_op_gather *g, bool *pending) {
    *pending = false;
    for (uint32_t k = 0; k < g->nfrags; k++) {
        sql_frag *f = &g->frags[(g->turn + k) % g->nfrags];
        if (f->ended) continue;
        if (f->slots[f->recv_next].arrived) {
            g->turn = (g->turn + k + 1) % g->nfrags;
            return f;
        }
        *pending = true;
    }
    return NULL;
}

/* Takes fragment f's next slot: its batch in *out (NULL: the fragment ended). */
static bool sql_gather_take(sql_op_gather *g, sql_frag *f, sql_exec_ctx *x, sql_batch **out) {
    sql_frag_slot *slot = &f->slots[f->recv_next];
    slot->arrived = false;
    f->recv_next = (f->recv_next + 1) % f->window;
    *out = NULL;
    if (slot->failed) {
        f->ended = true;
        *x->err = f->err;
        return false;
    }
    if (slot->batch == NULL || slot->last) f->ended = true;
    if (slot->batch == NULL) return true;
    g->handed = slot;
    *out = slot->batch;
    return true;
}

static bool sql_gather_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_gather *g = (sql_op_gather *)op;
    *out = NULL;
    if (!g->started && !sql_gather_start(g, x)) return false;
    sql_gather_ack(g); /* the batch handed out last time has been consumed */
    for (;;) {
        bool pending;
        sql_frag *f = sql_gather_ready(g, &pending);
        if (f != NULL) {
            if (!sql_gather_take(g, f, x, out)) return false;
            if (*out != NULL) return true;
            continue;
        }
        if (!g->local_done) {
            sql_batch *b;
            if (!sql_frag_pull_share(g->local, &g->local_x, op->plan, g->hybrid, &g->local_ns,
                                     rt_core_id(), &b)) {
                return false;
            }
            if (b != NULL) {
                *out = b;
                return true;
            }
            sql_frag_calibrate(&g->local_x, g->hybrid, g->nlocal, g->local_ns);
            g->local_done = true;
            continue;
        }
        if (!pending) return true;
        g->waiter = rt_fiber_self();
        rt_fiber_park();
        g->waiter = NULL;
    }
}

/* Stops remote fragments early (LIMIT reached, error) and waits until all have ended: every
 * batch that arrives unread is given back with the cancel flag set. */
static void sql_gather_close(sql_op *op, sql_exec_ctx *x) {
    sql_op_gather *g = (sql_op_gather *)op;
    if (g->local != NULL) sql_op_close(g->local, &g->local_x);
    for (uint32_t k = 0; k < g->nfrags; k++) {
        atomic_store_explicit(&g->frags[k].cancel, true, memory_order_relaxed);
    }
    sql_gather_ack(g);
    for (;;) {
        bool all = true;
        for (uint32_t k = 0; k < g->nfrags; k++) {
            sql_frag *f = &g->frags[k];
            for (uint32_t s = 0; s < f->window; s++) {
                sql_frag_slot *slot = &f->slots[s];
                if (!slot->arrived) continue;
                slot->arrived = false;
                if (slot->batch != NULL && !slot->failed && !f->inlined) {
                    rt_msg_send(&slot->ack, f->start.to_core);
                }
            }
            all &= f->finished;
        }
        if (all) break;
        g->waiter = rt_fiber_self();
        rt_fiber_park();
        g->waiter = NULL;
    }
    for (sql_join_shared *sh = g->shared; sh != NULL; sh = sh->next) rt_arena_destroy(sh->mem);
    g->shared = NULL;
    (void)x;
}
static const sql_op_vt sql_gather_vt = {NULL, sql_gather_next, sql_gather_close};

sql_op *sql_op_new_gather(sql_exec_ctx *x, const sql_plan *p) {
    sql_op *op = rt_arena_zalloc(x->arena, sizeof(sql_op_gather));
    if (op == NULL) return NULL;
    op->vt = &sql_gather_vt;
    op->plan = p; /* the fragment (p->left) is instantiated per shard, not here */
    return op;
}
