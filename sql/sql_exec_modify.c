/* sql_exec_modify.c: INSERT (coordinator: builds full rows with defaults, checks NOT NULL and
 * CHECK, routes rows to the shards owning their partitions, which insert them and handle ON
 * CONFLICT) and UPDATE / DELETE (fragments: lock each target row version; under READ COMMITTED a
 * row updated meanwhile by a committed transaction is re-read in its newest version and the
 * WHERE clause re-checked, as PostgreSQL's EvalPlanQual does). UPDATE ... FROM / DELETE ...
 * USING read the target's rows joined with the other relations: a target row changes once,
 * with the first joined row that still qualifies; the re-check evaluates the whole WHERE over
 * the newest version and that joined row's other columns as they were first read (as
 * PostgreSQL's EvalPlanQual keeps the other relations' rows). RETURNING rows stream back. */
#include <stdio.h>
#include <string.h>

#include "engine/eng_key.h"
#include "sql/sql_domain.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_exec_unique.h"
#include "sql/sql_fk.h"
#include "sql/sql_types.h"
#include "runtime/rt_loop.h"

/* ---- constraint checks on full rows ---- */

/* "Failing row contains (1, null, ...)." as PostgreSQL's detail. */
static void sql_failing_row(sql_exec_ctx *x, const eng_table *t, const sql_value *row) {
    rt_arena *a = rt_arena_create(1u << 20);
    sql_strbuf sb;
    sql_strbuf_init(&sb, a, 128);
    sql_io_ctx io = {.arena = a, .fmt = &x->fmt, .now_us = x->now_us, .err = x->err};
    sql_strbuf_putc(&sb, '(');
    bool first = true;
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (t->columns[c].dropped) continue;
        if (!first) sql_strbuf_puts(&sb, ", ");
        first = false;
        rt_err tmp;
        rt_err_clear(&tmp);
        io.err = &tmp;
        if (row[c].is_null) sql_strbuf_puts(&sb, "null");
        else if (!sql_value_out(&io, &row[c], t->columns[c].typmod, &sb)) sql_strbuf_puts(&sb, "?");
    }
    sql_strbuf_putc(&sb, ')');
    sql_strbuf_putc(&sb, '\0');
    rt_err_detail(x->err, "Failing row contains %s.", sb.failed ? "(...)" : sb.data);
    rt_arena_destroy(a);
}

bool sql_exec_check_row(sql_exec_ctx *x, const sql_plan *p, const sql_value *row,
                        rt_arena *arena) {
    const eng_table *t = p->modify.table;
    if (p->modify.domains != NULL) {
        sql_eval_ctx ec;
        sql_exec_eval_ctx(x, arena, &ec);
        for (uint32_t c = 0; c < t->column_count; c++) {
            const sql_domain_info *di = p->modify.domains[c];
            if (di != NULL && !sql_domain_check_value(&ec, di, &row[c])) return false;
        }
    }
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        if (col->dropped || !col->not_null || !row[c].is_null) continue;
        rt_err_set(x->err, SQLSTATE_NOT_NULL_VIOLATION,
                   "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                   col->name, t->name);
        sql_failing_row(x, t, row);
        return false;
    }
    if (p->modify.nchecks == 0) return true;
    sql_batch *b = sql_batch_new(arena, t->column_count, 1);
    if (b == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (!sql_vec_init(arena, &b->cols[c], t->columns[c].type_oid, t->columns[c].typmod, 1)) {
            return rt_arena_fail(arena, x->err);
        }
        sql_vec_set(&b->cols[c], 0, &row[c]);
    }
    b->rows = 1;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    for (uint32_t k = 0; k < p->modify.nchecks; k++) {
        sql_vec *v = sql_eval(&ec, p->modify.checks[k], b, 1, NULL);
        if (v == NULL) return false;
        if (sql_vec_is_null(v, 0) || v->i64[0]) continue; /* NULL passes a CHECK */
        rt_err_set(x->err, SQLSTATE_CHECK_VIOLATION,
                   "new row for relation \"%s\" violates check constraint \"%s\"", t->name,
                   p->modify.check_names[k]);
        sql_failing_row(x, t, row);
        return false;
    }
    return true;
}

/* A one-row batch of a full table row (all columns in attnum order). */
static sql_batch *sql_row_batch(rt_arena *arena, const eng_table *t, const sql_value *row,
                                uint32_t extra_cols, const sql_value *extra) {
    sql_batch *b = sql_batch_new(arena, t->column_count + extra_cols, 1);
    if (b == NULL) return NULL;
    for (uint32_t c = 0; c < t->column_count + extra_cols; c++) {
        const sql_value *v = c < t->column_count ? &row[c] : &extra[c - t->column_count];
        uint32_t type = c < t->column_count ? t->columns[c].type_oid : v->type_oid;
        if (!sql_vec_init(arena, &b->cols[c], type, -1, 1)) return NULL;
        sql_vec_set(&b->cols[c], 0, v);
    }
    b->rows = 1;
    return b;
}

/* RETURNING values of one row into `out` (a row set of the plan's columns); `extra` (nextra
 * values) follow the row in the joined row of UPDATE ... FROM / DELETE ... USING. */
static bool sql_returning_joined(sql_exec_ctx *x, const sql_plan *p, rt_arena *arena,
                                 const sql_value *row, uint32_t nextra, const sql_value *extra,
                                 sql_rowset *out) {
    if (p->modify.nreturning == 0) return true;
    sql_batch *b = sql_row_batch(arena, p->modify.table, row, nextra, extra);
    if (b == NULL) return rt_arena_fail(arena, x->err);
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    sql_value vals[256];
    if (p->modify.nreturning > 256) {
        return rt_err_set(x->err, SQLSTATE_TOO_MANY_COLUMNS, "too many RETURNING columns");
    }
    for (uint32_t c = 0; c < p->modify.nreturning; c++) {
        sql_vec *v = sql_eval(&ec, p->modify.returning[c], b, 1, NULL);
        if (v == NULL) return false;
        sql_vec_get(v, 0, &vals[c]);
        vals[c].type_oid = p->cols[c].type_oid;
    }
    return sql_rowset_add_values(out, vals) || rt_arena_fail(out->arena, x->err);
}

static bool sql_returning(sql_exec_ctx *x, const sql_plan *p, rt_arena *arena,
                          const sql_value *row, sql_rowset *out) {
    return sql_returning_joined(x, p, arena, row, 0, NULL, out);
}

/* Keeps the companion rows of the table's unique keys in step with one UPDATE (`after` the
 * new row) or DELETE (`after` NULL): the old key's row goes, the new key's row comes (23505 if
 * another row has it). */
static bool sql_companions_move(sql_exec_ctx *x, const eng_table *t, const sql_value *before,
                                const sql_value *after, rt_arena *arena) {
    sql_uniq_set u;
    sql_uniq_collect(x->db, t, &u);
    if (u.n == 0) return true;
    sql_value *okey = rt_arena_alloc(arena, sizeof(sql_value) * ENG_INDEX_COLUMNS_MAX * 4);
    if (okey == NULL) return rt_arena_fail(arena, x->err);
    sql_value *nkey = okey + ENG_INDEX_COLUMNS_MAX * 2;
    for (uint32_t k = 0; k < u.n; k++) {
        bool had = sql_uniq_key(t, u.ix[k], before, okey, arena, x->err);
        bool has = !rt_err_is_set(x->err) && after != NULL &&
                   sql_uniq_key(t, u.ix[k], after, nkey, arena, x->err);
        if (rt_err_is_set(x->err)) return false;
        if (had && has && sql_uniq_same_row(u.comp[k], okey, nkey)) continue;
        /* A new key goes in before the old one goes (as sql_update_move's rows), unless the
         * key stays and only the primary key it names changes. */
        bool first = has && !(had && sql_uniq_same_key(u.comp[k], okey, nkey));
        if (first && !sql_uniq_write(x, u.comp[k], u.ix[k]->name, nkey, true)) return false;
        if (had && !sql_uniq_write(x, u.comp[k], u.ix[k]->name, okey, false)) return false;
        if (has && !first && !sql_uniq_write(x, u.comp[k], u.ix[k]->name, nkey, true)) {
            return false;
        }
    }
    return true;
}

/* The next batch of RETURNING rows kept by INSERT / UPDATE / DELETE (*out NULL at the end). */
static bool sql_returning_next(sql_op *op, const sql_rowset *rows, uint64_t *emitted,
                               sql_batch **out) {
    if (*emitted >= rows->count) return true;
    uint64_t left = rows->count - *emitted;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    if (!sql_rowset_emit(rows, *emitted, n, op->plan->cols, op->batch_arena, out)) return false;
    *emitted += n;
    return true;
}

/* ---- INSERT on the owning shard ---- */

/* Rows bound for one table on one shard: the statement's table (target 0) or a companion. */
typedef struct sql_insert_target {
    const eng_table *table;
    const char *conname;     /* companions: the constraint named in 23505 */
    sql_rowset rows;         /* full rows (attnum order), already checked */
    uint32_t *partitions;    /* per row */
} sql_insert_target;

typedef struct sql_insert_job {
    sql_exec_ctx *x;         /* the coordinator's context (read-only here) */
    const sql_plan *plan;
    sql_insert_target *targets; /* [ntargets] for this shard */
    uint32_t ntargets;
    sql_rowset returning;    /* filled on the shard, read by the coordinator */
    uint64_t inserted;
    uint64_t conflicts;      /* rows that met an existing key (ON CONFLICT) */
    bool no_conflict;        /* ON CONFLICT on another constraint: a primary-key clash is 23505 */
    const sql_value *locate; /* ON CONFLICT DO UPDATE on a unique constraint: the full-row
                                array whose primary-key columns name the row to update */
    uint32_t find_index;     /* ... on a table without a primary key: the index whose entries
                                beginning with find_key lead to the row (this shard's part) */
    const uint8_t *find_key;
    uint32_t find_len;
    bool found;              /* find_index: this shard held the row */
    bool gone;               /* the row named was deleted meanwhile: the caller tries again */
    rt_err err;
    bool ok;
} sql_insert_job;

static bool sql_conflict_update(sql_exec_ctx *x, const sql_plan *p, eng_part *part, eng_tx *tx,
                                uint32_t slot, const sql_value *excluded, rt_arena *arena,
                                sql_insert_job *job);

/* A companion row of a UNIQUE constraint (or a row of a companion being filled by DDL). */
static bool sql_insert_companion_row(sql_exec_ctx *x, const sql_insert_target *tg, eng_tx *tx,
                                     uint64_t r) {
    const sql_value *row = sql_rowset_row(&tg->rows, r);
    eng_part *part = eng_partition(tg->table, tg->partitions[r]);
    uint32_t slot;
    if (eng_part_insert(part, tx, row, &slot, NULL, x->err) == ENG_INSERTED) return true;
    if (!rt_err_is(x->err, SQLSTATE_UNIQUE_VIOLATION)) return false;
    return sql_uniq_violation(x, tg->table, tg->conname, row);
}

/* The engine's primary-key violation in PostgreSQL's words: the constraint (its primary
 * index's name: t_pkey unless CONSTRAINT named it), and the key in the detail. */
static void sql_pk_violation(sql_exec_ctx *x, const eng_table *t, const sql_value *row) {
    char con[RT_ERR_NAME_BYTES_MAX];
    snprintf(con, sizeof con, "%.58s_pkey", t->name);
    for (uint32_t i = 0; i < t->index_count; i++) {
        if (t->indexes[i].primary) snprintf(con, sizeof con, "%s", t->indexes[i].name);
    }
    const char *names[ENG_INDEX_COLUMNS_MAX];
    sql_value key[ENG_INDEX_COLUMNS_MAX];
    int32_t typmods[ENG_INDEX_COLUMNS_MAX];
    for (uint32_t k = 0; k < t->pk_count; k++) {
        const eng_column *c = &t->columns[t->pk_attnums[k] - 1];
        names[k] = c->name;
        key[k] = row[c->attnum - 1];
        typmods[k] = c->typmod;
    }
    sql_exec_key_violation(x, t->name, con, t->pk_count, names, key, typmods);
}

static bool sql_insert_row(sql_exec_ctx *x, sql_insert_job *job, eng_tx *tx, uint64_t r,
                           rt_arena *arena) {
    const sql_plan *p = job->plan;
    const sql_value *row = sql_rowset_row(&job->targets[0].rows, r);
    if (sql_unique_is_companion(p->modify.table)) {
        if (!sql_insert_companion_row(x, &job->targets[0], tx, r)) return false;
        job->inserted++;
        return true;
    }
    eng_part *part = eng_partition(p->modify.table, job->targets[0].partitions[r]);
    uint32_t slot, conflict;
    bool want_conflict = p->modify.on_conflict != 0 && !job->no_conflict;
    eng_insert_result res = eng_part_insert(part, tx, row, &slot,
                                            want_conflict ? &conflict : NULL, x->err);
    if (res == ENG_INSERT_FAILED) {
        if (rt_err_is(x->err, SQLSTATE_UNIQUE_VIOLATION)) {
            sql_pk_violation(x, p->modify.table, row);
        }
        return false;
    }
    if (res == ENG_CONFLICT) {
        if (x->isolation == ENG_ISO_REPEATABLE_READ && !eng_part_visible(part, conflict, &x->snap)) {
            return rt_err_set(x->err, SQLSTATE_SERIALIZATION_FAILURE,
                              "could not serialize access due to concurrent update");
        }
        job->conflicts++;
        if (p->modify.on_conflict == 1) return true; /* DO NOTHING */
        return sql_conflict_update(x, p, part, tx, conflict, row, arena, job);
    }
    job->inserted++;
    if (p->modify.on_conflict != 0 && !sql_fk_note(x, p->modify.table, NULL, row)) return false;
    return sql_returning(x, p, arena, row, &job->returning);
}

/* ON CONFLICT DO UPDATE found through a unique constraint: the row its companion names. */
static bool sql_insert_located(sql_exec_ctx *x, sql_insert_job *job, eng_tx *tx,
                               rt_arena *arena) {
    const sql_plan *p = job->plan;
    const eng_table *t = p->modify.table;
    eng_codec_w key;
    eng_w_init(&key);
    bool ok = true;
    for (uint32_t i = 0; ok && i < t->pk_count; i++) {
        ok = eng_key_append(&key, &job->locate[t->pk_attnums[i] - 1], false, x->err);
    }
    eng_part *part = eng_partition(t, job->targets[0].partitions[0]);
    uint32_t slot = ok ? eng_part_pk_newest(part, key.buf, (uint32_t)key.len) : ENG_SLOT_NONE;
    rt_free(key.buf);
    if (!ok) return false;
    job->conflicts++;
    if (slot == ENG_SLOT_NONE) {
        job->gone = true; /* deleted meanwhile */
        return true;
    }
    return sql_conflict_update(x, p, part, tx, slot, sql_rowset_row(&job->targets[0].rows, 0),
                               arena, job);
}

/* The version of a row found through an index entry (`v` its newest) that ON CONFLICT locks:
 * the newest committed one (or ours), past versions of running or aborted updaters (locking
 * it waits for a running one); ENG_SLOT_NONE when the row was deleted, by a committed
 * transaction or by ours, or was never committed. */
static uint32_t sql_insert_found_version(const sql_exec_ctx *x, const eng_part *part,
                                         uint32_t v) {
    uint64_t me = eng_stamp_txn(x->txn_id.slot, x->txn_id.generation, 0);
    for (; v != ENG_SLOT_NONE; v = eng_part_older(part, v)) {
        uint64_t begin, end;
        eng_part_stamps(part, v, &begin, &end);
        if (eng_stamp_is_txn(begin) && !eng_stamp_same_txn(begin, me)) {
            uint64_t r = eng_stamp_resolve(begin);
            if (r == 0 || r == ENG_TS_INF) continue; /* not committed: the version before */
        }
        if (end == ENG_TS_INF || eng_stamp_is_lock(end)) return v;
        if (!eng_stamp_is_txn(end) || eng_stamp_same_txn(end, me)) return ENG_SLOT_NONE;
        uint64_t r = eng_stamp_resolve(end);
        return r == 0 || r == ENG_TS_INF ? v : ENG_SLOT_NONE; /* a deleter running, aborted */
    }
    return ENG_SLOT_NONE;
}

/* The version to lock (sql_insert_found_version), in `part`, of a row owning an entry of the
 * job's index that begins with the job's key (prefix-free encodings make that the whole key). */
static bool sql_insert_find_slot(sql_exec_ctx *x, sql_insert_job *job, const eng_part *part,
                                 eng_btree_iter *it, uint32_t *found) {
    *found = ENG_SLOT_NONE;
    const eng_btree *tree = eng_part_index(part, job->find_index);
    if (tree == NULL) return true;
    eng_btree_seek(it, tree, job->find_key, job->find_len, true);
    const uint8_t *key;
    uint32_t len;
    uint64_t slot;
    bool ok = true;
    while (ok && *found == ENG_SLOT_NONE && eng_btree_next(it, &key, &len, &slot) &&
           len >= job->find_len && memcmp(key, job->find_key, job->find_len) == 0) {
        eng_codec_w pk, mine;
        eng_w_init(&pk);
        eng_w_init(&mine);
        bool included = false;
        ok = eng_part_key_of(part, (uint32_t)slot, &pk, x->err);
        uint32_t v = ok ? eng_part_pk_newest(part, pk.buf, (uint32_t)pk.len) : ENG_SLOT_NONE;
        v = sql_insert_found_version(x, part, v);
        if (v != ENG_SLOT_NONE) {
            ok = eng_part_index_entry(part, job->find_index, v, &mine, &included, x->err);
        }
        if (ok && included && mine.len == len && memcmp(mine.buf, key, len) == 0) *found = v;
        rt_free(pk.buf);
        rt_free(mine.buf);
    }
    return ok;
}

/* ON CONFLICT DO UPDATE on a table without a primary key: the row behind the conflicting key,
 * if one of this shard's partitions holds it, is updated here. */
static bool sql_insert_find(sql_exec_ctx *x, sql_insert_job *job, eng_tx *tx, rt_arena *arena) {
    const eng_table *t = job->plan->modify.table;
    uint32_t shards = eng_shard_count(), me = rt_core_id();
    eng_btree_iter *it = rt_arena_alloc(arena, sizeof *it);
    if (it == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t pno = 0; pno < t->partition_count; pno++) {
        if (eng_partition_owner(pno, shards) != me) continue;
        eng_part *part = eng_partition(t, pno);
        uint32_t slot;
        if (!sql_insert_find_slot(x, job, part, it, &slot)) return false;
        if (slot == ENG_SLOT_NONE) continue;
        job->found = true;
        job->conflicts++;
        return sql_conflict_update(x, job->plan, part, tx, slot,
                                   sql_rowset_row(&job->targets[0].rows, 0), arena, job);
    }
    return true;
}

static void sql_insert_job_run(void *arg) {
    sql_insert_job *job = arg;
    sql_exec_ctx x = *job->x;
    rt_err_clear(&job->err);
    x.err = &job->err;
    eng_tx *tx = eng_tx_local(x.txn_id, true);
    eng_tx_set_statement(tx, x.command, x.isolation, x.lock_timeout_ms, x.cancel);
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_rowset_init(&job->returning, arena, job->plan->ncols);
    job->ok = true;
    rt_arena *row_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    bool one = job->locate != NULL || job->find_index != 0;
    if (job->locate != NULL) job->ok = sql_insert_located(&x, job, tx, row_arena);
    if (job->find_index != 0) job->ok = sql_insert_find(&x, job, tx, row_arena);
    for (uint64_t r = 0; !one && r < job->targets[0].rows.count && job->ok; r++) {
        if ((r & 255) == 255) rt_fiber_maybe_yield();
        rt_arena_reset(row_arena);
        job->ok = sql_insert_row(&x, job, tx, r, row_arena);
    }
    for (uint32_t k = 1; k < job->ntargets && job->ok; k++) {
        for (uint64_t r = 0; r < job->targets[k].rows.count && job->ok; r++) {
            if ((r & 255) == 255) rt_fiber_maybe_yield();
            job->ok = sql_insert_companion_row(&x, &job->targets[k], tx, r);
        }
    }
    rt_arena_destroy(row_arena);
    /* RETURNING rows stay in this shard's arena until the coordinator has copied them; then it
     * asks this shard to free them (sql_insert_job_free). */
    if (job->returning.count == 0) {
        rt_arena_destroy(arena);
        job->returning.arena = NULL;
    }
}

static void sql_insert_job_free(void *arg) {
    sql_insert_job *job = arg;
    rt_arena_destroy(job->returning.arena);
    job->returning.arena = NULL;
}

/* Whether column `attnum` is a key column: of the primary key or of a unique index (what a
 * foreign key may reference, which FOR KEY SHARE lockers guard). */
static bool sql_update_is_key(const eng_table *t, uint16_t attnum) {
    for (uint32_t k = 0; k < t->pk_count; k++) {
        if (t->pk_attnums[k] == attnum) return true;
    }
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!ix->unique || ix->predicate_text != NULL) continue;
        for (uint32_t c = 0; c < ix->column_count; c++) {
            if (ix->attnums[c] == attnum) return true;
        }
    }
    return false;
}

/* The row lock ON CONFLICT DO UPDATE takes: FOR NO KEY UPDATE unless its SET names a key
 * column; then FOR UPDATE, as DELETE (set NULL). */
static eng_lock_mode sql_update_lock_mode(const eng_table *t, sql_expr *const *set) {
    if (set == NULL) return ENG_LOCK_FOR_UPDATE;
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (set[c] != NULL && sql_update_is_key(t, (uint16_t)(c + 1))) return ENG_LOCK_FOR_UPDATE;
    }
    return ENG_LOCK_FOR_NO_KEY_UPDATE;
}

/* Whether an UPDATE's new values change a key column of the old row (`old`, full-row layout):
 * PostgreSQL picks an UPDATE's lock by the values, so SET of a key column to the value it has
 * keeps FOR NO KEY UPDATE. Compared by key encoding, as the indexes compare. */
static bool sql_update_key_changed(const eng_table *t, sql_expr *const *set, const sql_batch *old,
                                   const sql_value *vals) {
    eng_codec_w a, b;
    eng_w_init(&a);
    eng_w_init(&b);
    bool changed = false;
    for (uint32_t c = 0; c < t->column_count && !changed; c++) {
        if (set[c] == NULL || !sql_update_is_key(t, (uint16_t)(c + 1))) continue;
        sql_value o;
        sql_vec_get(&old->cols[c], 0, &o);
        o.type_oid = t->columns[c].type_oid;
        rt_err ignore;
        rt_err_clear(&ignore);
        a.len = b.len = 0;
        changed = !eng_key_append(&a, &o, false, &ignore) ||
                  !eng_key_append(&b, &vals[c], false, &ignore) || a.len != b.len ||
                  memcmp(a.buf, b.buf, a.len) != 0;
    }
    rt_free(a.buf);
    rt_free(b.buf);
    return changed;
}

/* Locks the existing row of ON CONFLICT DO UPDATE (following updates); *locked false when it
 * was deleted meanwhile: the row is then inserted after all, or (found through a unique key)
 * the coordinator tries it again. */
static bool sql_conflict_lock(sql_exec_ctx *x, const sql_plan *p, eng_part *part, eng_tx *tx,
                              uint32_t *slot, const sql_value *excluded, rt_arena *arena,
                              sql_insert_job *job, bool *locked) {
    const eng_table *t = p->modify.table;
    uint32_t newer;
    *locked = false;
    for (;;) {
        eng_lock_result lr = eng_part_lock(part, tx, *slot,
                                           sql_update_lock_mode(t, p->modify.conflict_set),
                                           ENG_WAIT_BLOCK, &newer, x->err);
        if (lr == ENG_LOCKED) return *locked = true;
        if (lr == ENG_MOVED) {
            *slot = newer;
            continue;
        }
        if (lr != ENG_GONE) return false;
        if (job->locate != NULL || job->find_index != 0) {
            job->gone = true;
            return true;
        }
        uint32_t s2, c2;
        eng_insert_result r2 = eng_part_insert(part, tx, excluded, &s2, &c2, x->err);
        if (r2 == ENG_INSERTED) {
            job->inserted++;
            if (!sql_fk_note(x, t, NULL, excluded)) return false;
            return sql_returning(x, p, arena, excluded, &job->returning);
        }
        if (r2 != ENG_CONFLICT) return false;
        *slot = c2;
    }
}

/* ON CONFLICT DO UPDATE: lock the existing row, compute SET over (existing ++ excluded). */
static bool sql_conflict_update(sql_exec_ctx *x, const sql_plan *p, eng_part *part, eng_tx *tx,
                                uint32_t slot, const sql_value *excluded, rt_arena *arena,
                                sql_insert_job *job) {
    const eng_table *t = p->modify.table;
    bool locked;
    if (!sql_conflict_lock(x, p, part, tx, &slot, excluded, arena, job, &locked)) return false;
    if (!locked) return true;
    uint64_t begin, end;
    eng_part_stamps(part, slot, &begin, &end);
    if (begin == eng_stamp_txn(x->txn_id.slot, x->txn_id.generation, x->command)) {
        rt_err_set(x->err, SQLSTATE_CARDINALITY_VIOLATION,
                   "ON CONFLICT DO UPDATE command cannot affect row a second time");
        rt_err_hint(x->err, "Ensure that no rows proposed for insertion within the same command "
                            "have duplicate constrained values.");
        return false;
    }
    sql_value *existing = rt_arena_alloc(arena, sizeof(sql_value) * (t->column_count + 1u));
    sql_value *updated = rt_arena_alloc(arena, sizeof(sql_value) * (t->column_count + 1u));
    if (existing == NULL || updated == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t c = 0; c < t->column_count; c++) {
        eng_part_read(part, slot, (uint16_t)(c + 1), &existing[c]);
    }
    sql_batch *b = sql_row_batch(arena, t, existing, t->column_count, excluded);
    if (b == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t c = 0; c < t->column_count; c++) {
        b->cols[t->column_count + c].type_oid = t->columns[c].type_oid; /* EXCLUDED row */
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    if (p->modify.conflict_where != NULL) {
        sql_vec *w = sql_eval(&ec, p->modify.conflict_where, b, 1, NULL);
        if (w == NULL) return false;
        if (sql_vec_is_null(w, 0) || !w->i64[0]) return true; /* row locked, not updated */
    }
    for (uint32_t c = 0; c < t->column_count; c++) {
        updated[c] = existing[c];
        if (p->modify.conflict_set[c] == NULL) continue;
        sql_vec *v = sql_eval(&ec, p->modify.conflict_set[c], b, 1, NULL);
        if (v == NULL) return false;
        sql_vec_get(v, 0, &updated[c]);
        updated[c].type_oid = t->columns[c].type_oid;
    }
    uint32_t new_slot;
    if (!sql_exec_check_row(x, p, updated, arena) ||
        !eng_part_update(part, tx, slot, updated, &new_slot, x->err) ||
        !sql_companions_move(x, t, existing, updated, arena) ||
        !sql_fk_note(x, t, existing, updated)) {
        return false;
    }
    job->inserted++;
    return sql_returning(x, p, arena, updated, &job->returning);
}

/* ---- INSERT (coordinator) ---- */

typedef struct sql_op_insert {
    sql_op base;
    sql_rowset returning;
    uint64_t emitted;
    bool done;
    uint64_t rr;             /* round robin for tables without a primary key */
    bool fk;                 /* plain INSERT into a table with foreign keys: noted here */
} sql_op_insert;

/* Builds the full row of input row r: mapped columns, defaults, NULLs. */
static bool sql_insert_full_row(sql_exec_ctx *x, const sql_plan *p, const sql_batch *in,
                                uint32_t r, rt_arena *arena, sql_value *row) {
    const eng_table *t = p->modify.table;
    for (uint32_t c = 0; c < t->column_count; c++) {
        row[c] = (sql_value){.type_oid = t->columns[c].type_oid, .is_null = true};
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (t->columns[c].dropped || p->modify.defaults == NULL || p->modify.defaults[c] == NULL) {
            continue;
        }
        bool given = false;
        for (uint32_t k = 0; k < p->modify.ncols; k++) given |= p->modify.attnums[k] == c + 1;
        if (given) continue;
        if (!sql_eval_scalar(&ec, p->modify.defaults[c], &row[c])) return false;
        row[c].type_oid = t->columns[c].type_oid;
    }
    for (uint32_t k = 0; k < p->modify.ncols; k++) {
        uint32_t c = p->modify.attnums[k] - 1u;
        sql_vec_get(&in->cols[k], r, &row[c]);
        row[c].type_oid = t->columns[c].type_oid;
    }
    /* A companion being filled: rows with a NULL key have no companion row (skipped later). */
    if (sql_unique_is_companion(t) && sql_uniq_row_skipped(t, row)) return true;
    return sql_exec_check_row(x, p, row, arena);
}

static uint32_t sql_insert_partition(sql_op_insert *ins, sql_exec_ctx *x, const eng_table *t,
                                     const sql_value *row) {
    if (t->pk_count == 0) return (uint32_t)(ins->rr++ % t->partition_count);
    eng_codec_w key;
    eng_w_init(&key);
    for (uint32_t i = 0; i < t->pk_count; i++) {
        eng_key_append(&key, &row[t->pk_attnums[i] - 1], false, x->err);
    }
    uint32_t part = (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) % t->partition_count);
    rt_free(key.buf);
    return part;
}

/* Rows waiting to be sent, per shard: the statement's table (target 0), then each companion. */
typedef struct sql_insert_bufs {
    rt_arena *arena;
    uint32_t shards;
    uint32_t ntargets;
    sql_insert_target *t[RT_SHARDS_MAX]; /* [ntargets] per shard */
} sql_insert_bufs;

static bool sql_insert_bufs_init(sql_insert_bufs *bb, const eng_table *t, const sql_uniq_set *u,
                                 rt_err *err) {
    rt_arena_reset(bb->arena);
    for (uint32_t s = 0; s < bb->shards; s++) {
        bb->t[s] = rt_arena_alloc(bb->arena, sizeof(sql_insert_target) * bb->ntargets);
        if (bb->t[s] == NULL) return rt_arena_fail(bb->arena, err);
        for (uint32_t k = 0; k < bb->ntargets; k++) {
            sql_insert_target *tg = &bb->t[s][k];
            tg->table = k == 0 ? t : u->comp[k - 1];
            tg->conname = k == 0 ? NULL : u->ix[k - 1]->name;
            tg->partitions = rt_arena_alloc(bb->arena, sizeof(uint32_t) * SQL_BATCH_ROWS);
            if (!sql_rowset_init(&tg->rows, bb->arena, tg->table->column_count) ||
                tg->partitions == NULL) {
                return rt_arena_fail(bb->arena, err);
            }
        }
    }
    return true;
}

static bool sql_insert_bufs_empty(const sql_insert_bufs *bb, uint32_t s) {
    for (uint32_t k = 0; k < bb->ntargets; k++) {
        if (bb->t[s][k].rows.count > 0) return false;
    }
    return true;
}

/* Sends the buffered rows to their shards (in parallel) and collects RETURNING rows. */
static bool sql_insert_flush(sql_op_insert *ins, sql_exec_ctx *x, sql_insert_bufs *bb) {
    uint32_t shards = eng_shard_count();
    sql_insert_job jobs[RT_SHARDS_MAX];
    rt_remote_call calls[RT_SHARDS_MAX];
    rt_wg wg = {0};
    uint32_t used[RT_SHARDS_MAX], n = 0;
    for (uint32_t s = 0; s < shards; s++) {
        if (sql_insert_bufs_empty(bb, s)) continue;
        jobs[s] = (sql_insert_job){.x = x, .plan = ins->base.plan, .targets = bb->t[s],
                                   .ntargets = bb->ntargets};
        x->txn->participants |= 1ull << s;
        rt_run_on_wg(&calls[s], s, sql_insert_job_run, &jobs[s], &wg);
        used[n++] = s;
    }
    rt_wg_wait(&wg);
    bool ok = true;
    for (uint32_t i = 0; i < n; i++) {
        sql_insert_job *job = &jobs[used[i]];
        if (!calls[used[i]].ran) {
            if (ok) *x->err = calls[used[i]].err;
            ok = false;
        } else if (!job->ok) {
            if (ok) *x->err = job->err;
            ok = false;
        }
        atomic_fetch_add(x->affected, job->inserted);
        for (uint64_t r = 0; ok && r < job->returning.count; r++) {
            if (!sql_rowset_add_values(&ins->returning, sql_rowset_row(&job->returning, r))) {
                ok = rt_arena_fail(x->arena, x->err);
            }
        }
    }
    /* Free the shards' RETURNING memory on the shards that own it. */
    rt_wg free_wg = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (!calls[used[i]].ran || jobs[used[i]].returning.arena == NULL) continue;
        rt_run_on_wg(&calls[used[i]], used[i], sql_insert_job_free, &jobs[used[i]], &free_wg);
    }
    rt_wg_wait(&free_wg);
    return ok;
}

/* Buffers one row for target k (partition `part`); true in *full when a buffer is full. */
static bool sql_insert_buffer(sql_insert_bufs *bb, uint32_t k, uint32_t part,
                              const sql_value *row, bool *full, rt_err *err) {
    uint32_t s = eng_partition_owner(part, bb->shards);
    sql_insert_target *tg = &bb->t[s][k];
    tg->partitions[tg->rows.count] = part;
    if (!sql_rowset_add_values(&tg->rows, row)) return rt_arena_fail(bb->arena, err);
    *full |= tg->rows.count == SQL_BATCH_ROWS;
    return true;
}

/* Buffers a full row of the statement's table and the companion rows of its unique keys. */
static bool sql_insert_route(sql_op_insert *ins, sql_exec_ctx *x, const sql_uniq_set *u,
                             sql_insert_bufs *bb, const sql_value *row, bool *full) {
    const eng_table *t = ins->base.plan->modify.table;
    if (sql_unique_is_companion(t) && sql_uniq_row_skipped(t, row)) return true;
    uint32_t part = sql_insert_partition(ins, x, t, row);
    if (!sql_insert_buffer(bb, 0, part, row, full, x->err)) return false;
    if (ins->fk && !sql_fk_note(x, t, NULL, row)) return false;
    for (uint32_t k = 0; k < u->n; k++) {
        sql_value key[ENG_INDEX_COLUMNS_MAX * 2];
        if (!sql_uniq_key(t, u->ix[k], row, key, bb->arena, x->err)) {
            if (rt_err_is_set(x->err)) return false;
            continue; /* NULLs are distinct; a partial index's predicate leaves it out */
        }
        uint32_t cpart = sql_uniq_partition(u->comp[k], key, x->err);
        if (rt_err_is_set(x->err) || !sql_insert_buffer(bb, k + 1, cpart, key, full, x->err)) {
            return false;
        }
    }
    return true;
}

/* ---- INSERT ... ON CONFLICT on a table with UNIQUE constraints: row by row ---- */

/* Runs `job` (its targets[0] the one row `row`, in partition `part`) on shard `s` and takes
 * its counts and RETURNING rows. */
static bool sql_upsert_run(sql_op_insert *ins, sql_exec_ctx *x, uint32_t s, uint32_t part,
                           const sql_value *row, sql_insert_job *job) {
    const eng_table *t = ins->base.plan->modify.table;
    rt_arena *a = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_insert_target tg = {.table = t, .partitions = &part};
    bool ok = sql_rowset_init(&tg.rows, a, t->column_count) &&
              sql_rowset_add_values(&tg.rows, row);
    if (!ok) {
        rt_arena_fail(a, x->err);
        rt_arena_destroy(a);
        return false;
    }
    job->x = x;
    job->plan = ins->base.plan;
    job->targets = &tg;
    job->ntargets = 1;
    x->txn->participants |= 1ull << s;
    ok = rt_run_on(s, sql_insert_job_run, job, x->err);
    if (ok && !job->ok) {
        *x->err = job->err;
        ok = false;
    }
    atomic_fetch_add(x->affected, job->inserted);
    for (uint64_t r = 0; ok && r < job->returning.count; r++) {
        if (!sql_rowset_add_values(&ins->returning, sql_rowset_row(&job->returning, r))) {
            ok = rt_arena_fail(x->arena, x->err);
        }
    }
    rt_err tmp;
    rt_err_clear(&tmp);
    if (job->returning.arena != NULL) rt_run_on(s, sql_insert_job_free, job, &tmp);
    rt_arena_destroy(a);
    return ok;
}

/* One row of the statement's table on its shard: inserted (ON CONFLICT handled there unless
 * no_conflict), or with `locate` the DO UPDATE of the row it names. *conflicted when the row
 * met an existing key, *gone when the row named was deleted meanwhile. */
static bool sql_upsert_main(sql_op_insert *ins, sql_exec_ctx *x, const sql_value *row,
                            const sql_value *locate, bool no_conflict, bool *conflicted,
                            bool *gone) {
    const eng_table *t = ins->base.plan->modify.table;
    uint32_t part = sql_insert_partition(ins, x, t, locate != NULL ? locate : row);
    uint32_t s = eng_partition_owner(part, eng_shard_count());
    sql_insert_job job = {.no_conflict = no_conflict, .locate = locate};
    bool ok = sql_upsert_run(ins, x, s, part, row, &job);
    *conflicted = job.conflicts > 0;
    *gone = job.gone;
    return ok;
}

/* ON CONFLICT DO UPDATE on a table without a primary key, after a conflict on index `ix` (the
 * key in key[]): the row is looked up through the index on each shard in turn (the table's
 * rows are spread round robin, so any partition may hold it); the shard holding it updates it.
 * *gone when no shard has it any more (deleted meanwhile). */
static bool sql_upsert_find(sql_op_insert *ins, sql_exec_ctx *x, const eng_index *ix,
                            const sql_value *key, const sql_value *row, bool *gone) {
    eng_codec_w w;
    eng_w_init(&w);
    bool ok = true;
    for (uint32_t c = 0; ok && c < ix->column_count; c++) {
        ok = eng_key_append(&w, &key[c], ix->desc[c], x->err);
    }
    *gone = ok;
    uint32_t shards = eng_shard_count();
    for (uint32_t s = 0; ok && *gone && s < shards; s++) {
        sql_insert_job job = {.find_index = ix->oid, .find_key = w.buf,
                              .find_len = (uint32_t)w.len};
        ok = sql_upsert_run(ins, x, s, 0, row, &job);
        *gone = !job.found || job.gone;
        if (job.found) break;
    }
    rt_free(w.buf);
    return ok;
}

/* Takes back the companion rows this row inserted (it met a conflict and is skipped). */
static bool sql_upsert_undo(sql_exec_ctx *x, const sql_uniq_set *u, sql_value *const *crow,
                            bool *inserted) {
    for (uint32_t k = 0; k < u->n; k++) {
        if (inserted[k] && !sql_uniq_write(x, u->comp[k], u->ix[k]->name, crow[k], false)) {
            return false;
        }
        inserted[k] = false;
    }
    return true;
}

/* Whether unique index `ix` is an arbiter of the statement's ON CONFLICT. */
static bool sql_upsert_is_arbiter(const sql_plan *p, const eng_index *ix) {
    if (p->modify.conflict_any) return true;
    for (uint32_t i = 0; i < p->modify.nconflict_ixs; i++) {
        if (p->modify.conflict_ixs[i] == ix->oid) return true;
    }
    return false;
}

/* DO UPDATE of the row whose key met the row's key in companion k (found[] the companion row:
 * the key, then the table's primary key when it has one). */
static bool sql_upsert_conflict(sql_op_insert *ins, sql_exec_ctx *x, const sql_uniq_set *u,
                                uint32_t k, const sql_value *found, const sql_value *row,
                                bool *gone, rt_arena *arena) {
    const eng_table *t = ins->base.plan->modify.table;
    if (t->pk_count == 0) return sql_upsert_find(ins, x, u->ix[k], found, row, gone);
    sql_value *loc = rt_arena_zalloc(arena, sizeof(sql_value) * (t->column_count + 1u));
    if (loc == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t i = 0; i < t->pk_count; i++) {
        loc[t->pk_attnums[i] - 1] = found[u->ix[k]->column_count + i];
    }
    bool conflicted;
    return sql_upsert_main(ins, x, row, loc, false, &conflicted, gone);
}

/* The arbiter companions first (all of them for DO NOTHING without a target): a conflict
 * there skips the row or updates the row the companion names. *handled when it did; *gone
 * when that row was deleted meanwhile (the row is then tried again). */
static bool sql_upsert_arbiters(sql_op_insert *ins, sql_exec_ctx *x, const sql_uniq_set *u,
                                const sql_value *row, sql_value *const *crow, const bool *has,
                                bool *inserted, bool *handled, bool *gone, rt_arena *arena) {
    const sql_plan *p = ins->base.plan;
    *handled = false;
    *gone = false;
    for (uint32_t k = 0; k < u->n; k++) {
        if (!has[k] || !sql_upsert_is_arbiter(p, u->ix[k])) continue;
        sql_value *found = rt_arena_alloc(arena, sizeof(sql_value) * u->comp[k]->column_count);
        if (found == NULL) return rt_arena_fail(arena, x->err);
        eng_insert_result res = sql_uniq_insert_arbiter(x, u->comp[k], crow[k], found);
        if (res == ENG_INSERT_FAILED) return false;
        if (res == ENG_INSERTED) {
            inserted[k] = true;
            continue;
        }
        *handled = true;
        if (!sql_upsert_undo(x, u, crow, inserted)) return false;
        if (p->modify.on_conflict == 1) return true; /* DO NOTHING */
        return sql_upsert_conflict(ins, x, u, k, found, row, gone, arena);
    }
    return true;
}

/* Attempts at one row whose conflicting row keeps being deleted before it is locked: each
 * attempt waited for a transaction that deleted the key, so only a storm of concurrent
 * re-inserts and deletes of that one key gets here (then 40001: the client retries). */
#define SQL_UPSERT_TRIES_MAX 1000u

/* One row of INSERT ... ON CONFLICT on a table with companions: the arbiters' keys, then the
 * row (a primary-key conflict is handled there when the primary key is an arbiter), then the
 * other keys (23505 on a conflict, as PostgreSQL's non-arbiter indexes). */
static bool sql_upsert_row(sql_op_insert *ins, sql_exec_ctx *x, const sql_uniq_set *u,
                           const sql_value *row, rt_arena *arena) {
    const sql_plan *p = ins->base.plan;
    const eng_table *t = p->modify.table;
    sql_value *crow[SQL_UNIQUE_PER_TABLE_MAX];
    bool has[SQL_UNIQUE_PER_TABLE_MAX], inserted[SQL_UNIQUE_PER_TABLE_MAX];
    for (uint32_t k = 0; k < u->n; k++) {
        crow[k] = rt_arena_alloc(arena, sizeof(sql_value) * ENG_INDEX_COLUMNS_MAX * 2);
        if (crow[k] == NULL) return rt_arena_fail(arena, x->err);
        has[k] = sql_uniq_key(t, u->ix[k], row, crow[k], arena, x->err);
        if (rt_err_is_set(x->err)) return false;
        inserted[k] = false;
    }
    bool handled, conflicted = false, gone = true;
    /* As PostgreSQL, a conflicting row deleted meanwhile: the row is tried again. */
    for (uint32_t tries = 0; gone; tries++) {
        if (tries == SQL_UPSERT_TRIES_MAX) {
            return rt_err_set(x->err, SQLSTATE_SERIALIZATION_FAILURE,
                              "could not serialize access due to concurrent update");
        }
        if (!sql_upsert_arbiters(ins, x, u, row, crow, has, inserted, &handled, &gone, arena)) {
            return false;
        }
        if (handled && !gone) return true;
        if (gone) continue;
        bool no_conflict = !p->modify.conflict_any && !p->modify.conflict_pk;
        if (!sql_upsert_main(ins, x, row, NULL, no_conflict, &conflicted, &gone)) return false;
    }
    if (conflicted) return sql_upsert_undo(x, u, crow, inserted);
    for (uint32_t k = 0; k < u->n; k++) {
        if (has[k] && !inserted[k] &&
            !sql_uniq_write(x, u->comp[k], u->ix[k]->name, crow[k], true)) {
            return false;
        }
    }
    return true;
}

/* INSERT ... ON CONFLICT with companions: each row's keys are settled before the next row. */
static bool sql_upsert_consume(sql_op_insert *ins, sql_exec_ctx *x, const sql_uniq_set *u) {
    const sql_plan *p = ins->base.plan;
    const eng_table *t = p->modify.table;
    sql_value *row = rt_arena_alloc(x->arena, sizeof(sql_value) * (t->column_count + 1u));
    bool ok = row != NULL;
    /* Companion rows are written (and taken back) on any shard. */
    uint32_t shards = eng_shard_count();
    x->txn->participants |= shards >= 64 ? ~0ull : (1ull << shards) - 1u;
    rt_arena *row_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    for (;;) {
        sql_batch *in;
        if (!ok || !sql_op_next(ins->base.child, x, &in)) {
            ok = false;
            break;
        }
        if (in == NULL) break;
        for (uint32_t r = 0; ok && r < in->rows; r++) {
            rt_arena_reset(row_arena);
            ok = sql_insert_full_row(x, p, in, r, row_arena, row) &&
                 sql_upsert_row(ins, x, u, row, row_arena);
        }
    }
    if (!ok && !rt_err_is_set(x->err)) rt_arena_fail(row_arena, x->err);
    rt_arena_destroy(row_arena);
    return ok;
}

static bool sql_insert_consume(sql_op_insert *ins, sql_exec_ctx *x) {
    const sql_plan *p = ins->base.plan;
    const eng_table *t = p->modify.table;
    sql_uniq_set u;
    sql_uniq_collect(x->db, t, &u);
    ins->fk = p->modify.on_conflict == 0 && sql_fk_involved(x->db, t);
    if (u.n > 0 && p->modify.on_conflict != 0) return sql_upsert_consume(ins, x, &u);
    sql_insert_bufs bb = {.arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX),
                          .shards = eng_shard_count(), .ntargets = 1 + u.n};
    sql_value *row = rt_arena_alloc(x->arena, sizeof(sql_value) * (t->column_count + 1u));
    bool ok = row != NULL && sql_insert_bufs_init(&bb, t, &u, x->err);
    /* Defaults and CHECKs of one row, reset per row: an INSERT ... SELECT or a COPY of any
     * size runs in bounded memory (the row set copies what it keeps). */
    rt_arena *row_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    for (;;) {
        sql_batch *in;
        if (!ok || !sql_op_next(ins->base.child, x, &in)) {
            ok = false;
            break;
        }
        if (in == NULL) break;
        for (uint32_t r = 0; ok && r < in->rows; r++) {
            rt_arena_reset(row_arena);
            ok = sql_insert_full_row(x, p, in, r, row_arena, row);
            bool full = false;
            if (ok) ok = sql_insert_route(ins, x, &u, &bb, row, &full);
            if (ok && full) {
                ok = sql_insert_flush(ins, x, &bb) && sql_insert_bufs_init(&bb, t, &u, x->err);
            }
        }
    }
    if (ok) ok = sql_insert_flush(ins, x, &bb);
    if (!ok && !rt_err_is_set(x->err)) rt_arena_fail(row_arena, x->err);
    rt_arena_destroy(row_arena);
    rt_arena_destroy(bb.arena);
    return ok;
}

static bool sql_insert_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_insert *ins = (sql_op_insert *)op;
    *out = NULL;
    if (!ins->done) {
        ins->done = true;
        if (!sql_insert_consume(ins, x)) return false;
    }
    return sql_returning_next(op, &ins->returning, &ins->emitted, out);
}
static const sql_op_vt sql_insert_vt = {NULL, sql_insert_next, NULL};

sql_op *sql_op_new_insert(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_insert *ins = (sql_op_insert *)sql_op_alloc(x, p, &sql_insert_vt, sizeof *ins);
    if (ins == NULL) return NULL;
    sql_rowset_init(&ins->returning, x->arena, p->ncols);
    return &ins->base;
}

/* ---- UPDATE / DELETE (fragment) ---- */

/* Target rows an UPDATE ... FROM / DELETE ... USING fragment has changed, by locator: a row the
 * join pairs with several rows changes once (PostgreSQL's semantics). Open addressing over
 * locator + 1 (0 = empty), in the query's arena (its budget bounds it: 53200 past it). */
typedef struct sql_locset {
    uint64_t *slots;
    uint32_t cap;            /* a power of two */
    uint32_t count;
} sql_locset;

#define SQL_LOCSET_SLOTS_MIN 1024u /* the first table; it doubles at half full */

static uint32_t sql_locset_hash(uint64_t loc) {
    return (uint32_t)((loc * 0x9E3779B97F4A7C15ull) >> 32);
}

static bool sql_locset_has(const sql_locset *s, uint64_t loc) {
    if (s->cap == 0) return false;
    uint64_t key = loc + 1;
    for (uint32_t i = sql_locset_hash(loc);; i++) {
        uint64_t v = s->slots[i & (s->cap - 1)];
        if (v == key) return true;
        if (v == 0) return false;
    }
}

static void sql_locset_put(sql_locset *s, uint64_t loc) {
    uint64_t key = loc + 1;
    uint32_t i = sql_locset_hash(loc);
    while (s->slots[i & (s->cap - 1)] != 0) i++;
    s->slots[i & (s->cap - 1)] = key;
    s->count++;
}

static bool sql_locset_add(sql_locset *s, rt_arena *arena, uint64_t loc) {
    if (2 * (s->count + 1) > s->cap) {
        uint32_t cap = s->cap == 0 ? SQL_LOCSET_SLOTS_MIN : s->cap * 2;
        uint64_t *old = s->slots;
        uint32_t ocap = s->cap;
        if (cap < ocap || (s->slots = rt_arena_zalloc(arena, sizeof(uint64_t) * cap)) == NULL) {
            s->slots = old;
            return false;
        }
        s->cap = cap;
        s->count = 0;
        for (uint32_t k = 0; k < ocap; k++) {
            if (old[k] != 0) sql_locset_put(s, old[k] - 1);
        }
    }
    sql_locset_put(s, loc);
    return true;
}

typedef struct sql_op_update {
    sql_op base;
    sql_rowset returning;
    uint64_t emitted;
    bool done;
    bool fk;                 /* the table takes part in foreign keys: changes are noted */
    const sql_plan *scan;    /* the target's scan (p->left, or the left side of its join) */
    bool joined;             /* UPDATE ... FROM / DELETE ... USING */
    sql_locset changed;      /* joined: the target rows changed so far */
} sql_op_update;

/* Reads the full row of `slot` (attnum order) plus its locator into a one-row batch of the
 * child's columns; joined, the other relations' columns come from row `r` of `in`. */
static sql_batch *sql_update_row_batch(rt_arena *arena, const sql_op_update *u, eng_part *part,
                                       uint32_t partno, uint32_t slot, const sql_batch *in,
                                       uint32_t r) {
    const sql_plan *scan = u->scan, *child = u->base.plan->left;
    sql_batch *b = sql_exec_batch(arena, child, 1);
    if (b == NULL) return NULL;
    for (uint32_t c = 0; c < scan->scan.natts; c++) {
        sql_value v;
        eng_part_read(part, slot, scan->scan.attnums[c], &v);
        v.type_oid = scan->cols[c].type_oid;
        sql_vec_set(&b->cols[c], 0, &v);
    }
    sql_value loc = {.type_oid = SQL_T_INT8, .i64 = (int64_t)partno << 32 | slot};
    sql_vec_set(&b->cols[scan->scan.natts], 0, &loc);
    for (uint32_t c = scan->ncols; c < child->ncols; c++) {
        sql_value v;
        sql_vec_get(&in->cols[c], r, &v);
        sql_vec_set(&b->cols[c], 0, &v);
    }
    b->rows = 1;
    return b;
}

/* Locks the row version at `slot`, following newer versions under READ COMMITTED while the
 * WHERE clause still holds on them (joined: with the same rows of the other relations, as
 * PostgreSQL's EvalPlanQual re-checks). *row_batch gets the row to write from; false with no
 * error means the row is gone or no longer qualifies: skip it. */
static bool sql_update_lock(sql_exec_ctx *x, const sql_op_update *u, eng_part *part,
                            uint32_t partno, eng_tx *tx, uint32_t *slot, sql_batch **row_batch,
                            const sql_batch *in, uint32_t r, rt_arena *arena) {
    const sql_plan *p = u->base.plan;
    const sql_expr *recheck = u->joined ? p->modify.where : u->scan->scan.filter;
    /* An UPDATE that turns out to change a key upgrades to FOR UPDATE (sql_update_write). */
    eng_lock_mode mode = p->kind == SQL_P_UPDATE ? ENG_LOCK_FOR_NO_KEY_UPDATE
                                                 : ENG_LOCK_FOR_UPDATE;
    for (;;) {
        uint32_t newer;
        eng_lock_result lr = eng_part_lock(part, tx, *slot, mode, ENG_WAIT_BLOCK, &newer, x->err);
        if (lr == ENG_LOCKED) return true;
        if (lr != ENG_MOVED) return false;
        *slot = newer;
        *row_batch = sql_update_row_batch(arena, u, part, partno, newer, in, r);
        if (*row_batch == NULL) return rt_arena_fail(arena, x->err);
        if (recheck == NULL) continue;
        uint8_t sel[1];
        uint32_t kept;
        if (!sql_exec_predicate(x, arena, recheck, *row_batch, sel, &kept)) return false;
        if (kept == 0) return false; /* the newest version no longer matches: skip */
    }
}

/* sql_companions_move with the old row read from the scanned one-row batch. */
static bool sql_update_companions(sql_exec_ctx *x, const eng_table *t, const sql_batch *old,
                                  const sql_value *after, rt_arena *arena) {
    if (!sql_uniq_any(x->db, t)) return true;
    sql_value *before = rt_arena_alloc(arena, sizeof(sql_value) * (t->column_count + 1u));
    if (before == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t c = 0; c < t->column_count; c++) sql_vec_get(&old->cols[c], 0, &before[c]);
    return sql_companions_move(x, t, before, after, arena);
}

/* The partition a full row's primary key hashes to (`partno` itself for a table without one:
 * its rows never move). */
static bool sql_update_partition(sql_exec_ctx *x, const eng_table *t, uint32_t partno,
                                 const sql_value *vals, uint32_t *target) {
    *target = partno;
    if (t->pk_count == 0) return true;
    eng_codec_w key;
    eng_w_init(&key);
    bool ok = true;
    for (uint32_t k = 0; ok && k < t->pk_count; k++) {
        ok = eng_key_append(&key, &vals[t->pk_attnums[k] - 1], false, x->err);
    }
    if (ok) *target = (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) % t->partition_count);
    rt_free(key.buf);
    return ok;
}

/* The new version of a row whose new primary key belongs to another partition, inserted on
 * the shard that owns that partition (in the statement's transaction there). */
typedef struct sql_update_move_job {
    const sql_exec_ctx *x;
    const eng_table *table;
    const sql_value *row;
    uint32_t partno;
    bool ok;
    rt_err err;
} sql_update_move_job;

static void sql_update_move_run(void *arg) {
    sql_update_move_job *job = arg;
    const sql_exec_ctx *x = job->x;
    rt_err_clear(&job->err);
    eng_tx *tx = eng_tx_local(x->txn_id, true);
    eng_tx_set_statement(tx, x->command, x->isolation, x->lock_timeout_ms, x->cancel);
    uint32_t slot;
    job->ok = eng_part_insert(eng_partition(job->table, job->partno), tx, job->row, &slot, NULL,
                              &job->err) == ENG_INSERTED;
}

/* UPDATE that moves a row to another partition, as PostgreSQL moves a row between partitions:
 * the new row is inserted where its key hashes and then the locked old version deleted, both
 * in this transaction (the gather made every shard a participant, so 2PC covers both). A key
 * that exists there is 23505 like any update's. Inserting first keeps the old key taken until
 * the new one is: the shards update their rows at the same time, and with the delete first
 * two rows swapping keys (SET id = 6 - id) could each find the other's key already gone,
 * where PostgreSQL, checking row by row, always finds one of them still held (23505). */
static bool sql_update_move(sql_exec_ctx *x, const eng_table *t, eng_part *part, eng_tx *tx,
                            uint32_t slot, uint32_t target, const sql_value *vals) {
    sql_update_move_job job = {.x = x, .table = t, .row = vals, .partno = target};
    uint32_t shard = eng_partition_owner(target, eng_shard_count());
    if (!rt_run_on(shard, sql_update_move_run, &job, x->err)) return false;
    if (!job.ok) {
        *x->err = job.err;
        if (rt_err_is(x->err, SQLSTATE_UNIQUE_VIOLATION)) {
            rt_err_clear(x->err);
            sql_pk_violation(x, t, vals);
        }
        return false;
    }
    return eng_part_delete(part, tx, slot, true, x->err);
}

/* UPDATE of the locked row at `slot` (read into `row`; vals: its values, changed here). */
static bool sql_update_write(sql_exec_ctx *x, sql_op_update *u, eng_tx *tx, eng_part *part,
                             uint32_t partno, uint32_t slot, const sql_batch *row,
                             sql_value *vals, rt_arena *arena) {
    const sql_plan *p = u->base.plan;
    const eng_table *t = p->modify.table;
    sql_value *before = NULL;
    if (u->fk) {
        before = rt_arena_alloc(arena, sizeof(sql_value) * (t->column_count + 1u));
        if (before == NULL) return rt_arena_fail(arena, x->err);
        memcpy(before, vals, sizeof(sql_value) * t->column_count);
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, arena, &ec);
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (p->modify.set[c] == NULL) continue;
        sql_vec *v = sql_eval(&ec, p->modify.set[c], row, 1, NULL);
        if (v == NULL) return false;
        sql_vec_get(v, 0, &vals[c]);
        vals[c].type_oid = t->columns[c].type_oid;
    }
    uint32_t new_slot, target;
    if (!sql_update_partition(x, t, partno, vals, &target) ||
        !sql_exec_check_row(x, p, vals, arena)) {
        return false;
    }
    if (sql_update_key_changed(t, p->modify.set, row, vals)) {
        uint32_t newer;
        if (eng_part_lock(part, tx, slot, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK, &newer, x->err) !=
            ENG_LOCKED) {
            return false; /* our own lock: only a failed wait (40P01, 55P03, 57014) ends it */
        }
    }
    if (target != partno) {
        if (!sql_update_move(x, t, part, tx, slot, target, vals)) return false;
    } else if (!eng_part_update(part, tx, slot, vals, &new_slot, x->err)) {
        if (rt_err_is(x->err, SQLSTATE_UNIQUE_VIOLATION)) sql_pk_violation(x, t, vals);
        return false;
    }
    if (!sql_update_companions(x, t, row, vals, arena)) return false;
    return !u->fk || sql_fk_note(x, t, before, vals);
}

static bool sql_update_one(sql_exec_ctx *x, sql_op_update *u, eng_tx *tx, const sql_batch *in,
                           uint32_t r, rt_arena *arena) {
    const sql_plan *p = u->base.plan;
    const eng_table *t = p->modify.table;
    int64_t loc = in->cols[u->scan->scan.natts].i64[r];
    if (u->joined && sql_locset_has(&u->changed, (uint64_t)loc)) return true;
    uint32_t partno = (uint32_t)(loc >> 32), slot = (uint32_t)loc;
    eng_part *part = eng_partition(t, partno);
    sql_batch *row = sql_update_row_batch(arena, u, part, partno, slot, in, r);
    if (row == NULL) return rt_arena_fail(arena, x->err);
    if (!sql_update_lock(x, u, part, partno, tx, &slot, &row, in, r, arena)) {
        return !rt_err_is_set(x->err);
    }
    if (u->joined && !sql_locset_add(&u->changed, x->arena, (uint64_t)loc)) {
        return rt_arena_fail(x->arena, x->err);
    }
    uint32_t nall = p->left->ncols;
    sql_value *vals = rt_arena_alloc(arena, sizeof(sql_value) * (nall + 1u));
    if (vals == NULL) return rt_arena_fail(arena, x->err);
    for (uint32_t c = 0; c < nall; c++) sql_vec_get(&row->cols[c], 0, &vals[c]);
    if (p->kind == SQL_P_DELETE) {
        if (!eng_part_delete(part, tx, slot, false, x->err) ||
            !sql_update_companions(x, t, row, NULL, arena) ||
            (u->fk && !sql_fk_note(x, t, vals, NULL))) {
            return false;
        }
    } else if (!sql_update_write(x, u, tx, part, partno, slot, row, vals, arena)) {
        return false;
    }
    atomic_fetch_add(x->affected, 1);
    return sql_returning_joined(x, p, arena, vals, nall - t->column_count,
                                vals + t->column_count, &u->returning);
}

static bool sql_update_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_update *u = (sql_op_update *)op;
    *out = NULL;
    if (!u->done) {
        u->done = true;
        u->fk = sql_fk_involved(x->db, u->base.plan->modify.table);
        eng_tx *tx = eng_tx_local(x->txn_id, true);
        eng_tx_set_statement(tx, x->command, x->isolation, x->lock_timeout_ms, x->cancel);
        rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
        bool ok = true;
        for (;;) {
            sql_batch *in;
            if (!sql_op_next(op->child, x, &in)) {
                ok = false;
                break;
            }
            if (in == NULL) break;
            for (uint32_t r = 0; ok && r < in->rows; r++) {
                rt_arena_reset(arena);
                ok = sql_update_one(x, u, tx, in, r, arena);
            }
            if (!ok) break;
        }
        rt_arena_destroy(arena);
        if (!ok) return false;
    }
    return sql_returning_next(op, &u->returning, &u->emitted, out);
}
static const sql_op_vt sql_update_vt = {NULL, sql_update_next, NULL};

sql_op *sql_op_new_update(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_update *u = (sql_op_update *)sql_op_alloc(x, p, &sql_update_vt, sizeof *u);
    if (u == NULL) return NULL;
    u->joined = p->left->kind == SQL_P_NESTLOOP || p->left->kind == SQL_P_HASHJOIN;
    u->scan = u->joined ? p->left->left : p->left;
    sql_rowset_init(&u->returning, x->arena, p->ncols);
    return &u->base;
}
