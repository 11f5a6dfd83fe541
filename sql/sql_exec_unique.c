/* sql_exec_unique.c: companion rows of UNIQUE constraints (sql_exec_unique.h). A row's key
 * lives in the companion partition its hash names, which may be on another shard: the write
 * runs there, in the same transaction (the shard's local part of it), so commit, abort,
 * savepoints and recovery treat it like the row itself. */
#include <stdio.h>
#include <string.h>

#include "engine/eng_key.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_exec_unique.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_types.h"
#include "runtime/rt_loop.h"

void sql_uniq_collect(const eng_database *db, const eng_table *t, sql_uniq_set *u) {
    u->n = 0;
    if (db == NULL || sql_unique_is_companion(t)) return;
    for (uint32_t i = 0; i < t->index_count && u->n < SQL_UNIQUE_PER_TABLE_MAX; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!sql_unique_needs_companion(t, ix)) continue;
        const eng_table *c = sql_unique_companion(db, t, ix);
        if (c == NULL) continue;
        u->comp[u->n] = c;
        u->ix[u->n++] = ix;
    }
}

bool sql_uniq_any(const eng_database *db, const eng_table *t) {
    sql_uniq_set u;
    sql_uniq_collect(db, t, &u);
    return u.n > 0;
}

bool sql_uniq_key(const eng_table *t, const eng_index *ix, const sql_value *row, sql_value *key,
                  rt_arena *arena, rt_err *err) {
    bool has_null = false;
    if (sql_ixexpr_any(ix)) {
        bool included;
        if (!sql_ixexpr_eval_copy(t, ix, row, key, &included, arena, err) || !included) {
            return false;
        }
    }
    for (uint32_t k = 0; k < ix->column_count + t->pk_count; k++) {
        uint16_t att = k < ix->column_count ? ix->attnums[k] : t->pk_attnums[k - ix->column_count];
        if (att == 0) { /* an expression's value, computed above */
            has_null |= key[k].is_null;
            continue;
        }
        key[k] = row[att - 1];
        key[k].type_oid = t->columns[att - 1].type_oid;
        has_null |= k < ix->column_count && key[k].is_null;
    }
    return !has_null || ix->nulls_not_distinct;
}

bool sql_uniq_row_skipped(const eng_table *c, const sql_value *row) {
    for (uint32_t k = 0; k < c->pk_count; k++) {
        if (row[k].is_null && c->columns[k].not_null) return true;
    }
    return false;
}

static bool sql_uniq_encode(const eng_table *c, const sql_value *key, eng_codec_w *w,
                            rt_err *err) {
    eng_w_init(w);
    for (uint32_t k = 0; k < c->pk_count; k++) {
        if (!eng_key_append(w, &key[c->pk_attnums[k] - 1], false, err)) return false;
    }
    return true;
}

uint32_t sql_uniq_partition(const eng_table *c, const sql_value *key, rt_err *err) {
    eng_codec_w w;
    bool ok = sql_uniq_encode(c, key, &w, err);
    uint32_t part = ok ? (uint32_t)(eng_key_hash(w.buf, (uint32_t)w.len) % c->partition_count)
                       : 0;
    rt_free(w.buf);
    return part;
}

static bool sql_uniq_encode_all(const eng_table *c, const sql_value *row, eng_codec_w *w,
                                rt_err *err) {
    eng_w_init(w);
    for (uint32_t k = 0; k < c->column_count; k++) {
        if (!eng_key_append(w, &row[k], false, err)) return false;
    }
    return true;
}

/* Whether rows a and b of companion `c` encode alike: all columns, or only the key. */
static bool sql_uniq_same(const eng_table *c, const sql_value *a, const sql_value *b, bool all) {
    rt_err tmp;
    rt_err_clear(&tmp);
    eng_codec_w wa, wb;
    bool ok = all ? sql_uniq_encode_all(c, a, &wa, &tmp) : sql_uniq_encode(c, a, &wa, &tmp);
    ok = ok && (all ? sql_uniq_encode_all(c, b, &wb, &tmp) : sql_uniq_encode(c, b, &wb, &tmp));
    bool same = ok && wa.len == wb.len && memcmp(wa.buf, wb.buf, wa.len) == 0;
    rt_free(wa.buf);
    if (ok) rt_free(wb.buf);
    return same;
}

bool sql_uniq_same_row(const eng_table *c, const sql_value *a, const sql_value *b) {
    return sql_uniq_same(c, a, b, true);
}

bool sql_uniq_same_key(const eng_table *c, const sql_value *a, const sql_value *b) {
    return sql_uniq_same(c, a, b, false);
}

void sql_exec_key_violation(sql_exec_ctx *x, const char *table, const char *conname,
                            uint32_t n, const char *const *names, const sql_value *key,
                            const int32_t *typmods) {
    rt_arena *a = rt_arena_create(1u << 20);
    sql_strbuf cols, vals;
    sql_strbuf_init(&cols, a, 64);
    sql_strbuf_init(&vals, a, 64);
    rt_err tmp;
    sql_io_ctx io = {.arena = a, .fmt = &x->fmt, .now_us = x->now_us, .err = &tmp};
    for (uint32_t k = 0; k < n; k++) {
        if (k > 0) {
            sql_strbuf_puts(&cols, ", ");
            sql_strbuf_puts(&vals, ", ");
        }
        sql_strbuf_puts(&cols, names[k]);
        rt_err_clear(&tmp);
        if (key[k].is_null) sql_strbuf_puts(&vals, "null");
        else if (!sql_value_out(&io, &key[k], typmods[k], &vals)) sql_strbuf_puts(&vals, "?");
    }
    sql_strbuf_putc(&cols, '\0');
    sql_strbuf_putc(&vals, '\0');
    rt_err_clear(x->err);
    rt_err_set(x->err, SQLSTATE_UNIQUE_VIOLATION,
               "duplicate key value violates unique constraint \"%s\"", conname);
    rt_err_detail(x->err, "Key (%s)=(%s) already exists.", cols.failed ? "..." : cols.data,
                  vals.failed ? "..." : vals.data);
    rt_err_names(x->err, table, conname);
    rt_arena_destroy(a);
}

bool sql_uniq_violation(sql_exec_ctx *x, const eng_table *c, const char *conname,
                        const sql_value *key) {
    const eng_table *t = NULL;
    const eng_index *ix = NULL;
    if (x->db == NULL || !sql_unique_owner(x->db, c, &t, &ix)) t = NULL;
    if (conname == NULL) conname = t != NULL ? ix->name : c->name;
    const char *names[ENG_INDEX_COLUMNS_MAX];
    int32_t typmods[ENG_INDEX_COLUMNS_MAX];
    for (uint32_t k = 0; k < c->pk_count; k++) {
        /* The table's column names: they may have been renamed since the companion was made. */
        names[k] = t != NULL ? sql_ixexpr_key_name(t, ix, k) : c->columns[k].name;
        typmods[k] = c->columns[k].typmod;
    }
    sql_exec_key_violation(x, t != NULL ? t->name : NULL, conname, c->pk_count, names, key,
                           typmods);
    return false;
}

typedef struct sql_uniq_job {
    sql_exec_ctx *x;
    const eng_table *c;
    const sql_value *key;
    uint32_t part;
    bool insert;
    sql_value *found;        /* ON CONFLICT: the existing companion row goes here */
    bool ok;
    bool duplicate;
    bool conflict;
    rt_err err;
} sql_uniq_job;

/* Deletes the newest version of the key (ours or committed), following concurrent updates. */
static bool sql_uniq_delete(sql_uniq_job *job, eng_part *part, eng_tx *tx) {
    eng_codec_w w;
    if (!sql_uniq_encode(job->c, job->key, &w, &job->err)) return false;
    uint32_t slot = eng_part_pk_newest(part, w.buf, (uint32_t)w.len);
    rt_free(w.buf);
    while (slot != ENG_SLOT_NONE) {
        uint32_t newer;
        eng_lock_result lr = eng_part_lock(part, tx, slot, ENG_LOCK_FOR_UPDATE, ENG_WAIT_BLOCK,
                                           &newer, &job->err);
        if (lr == ENG_LOCKED) return eng_part_delete(part, tx, slot, false, &job->err);
        if (lr == ENG_GONE) return true;
        if (lr != ENG_MOVED) return false;
        slot = newer;
    }
    return true;
}

static void sql_uniq_job_run(void *arg) {
    sql_uniq_job *job = arg;
    const sql_exec_ctx *x = job->x;
    rt_err_clear(&job->err);
    eng_tx *tx = eng_tx_local(x->txn_id, true);
    eng_tx_set_statement(tx, x->command, x->isolation, x->lock_timeout_ms, x->cancel);
    eng_part *part = eng_partition(job->c, job->part);
    if (!job->insert) {
        job->ok = sql_uniq_delete(job, part, tx);
        return;
    }
    uint32_t slot, conflict;
    eng_insert_result res = eng_part_insert(part, tx, job->key, &slot,
                                            job->found != NULL ? &conflict : NULL, &job->err);
    job->ok = res == ENG_INSERTED;
    job->duplicate = res == ENG_INSERT_FAILED && rt_err_is(&job->err, SQLSTATE_UNIQUE_VIOLATION);
    if (res != ENG_CONFLICT) return;
    if (x->isolation == ENG_ISO_REPEATABLE_READ && !eng_part_visible(part, conflict, &x->snap)) {
        rt_err_set(&job->err, SQLSTATE_SERIALIZATION_FAILURE,
                   "could not serialize access due to concurrent update");
        return;
    }
    job->conflict = true;
    for (uint32_t k = 0; k < job->c->column_count; k++) {
        eng_part_read(part, conflict, (uint16_t)(k + 1), &job->found[k]);
    }
}

static bool sql_uniq_run(sql_exec_ctx *x, sql_uniq_job *job) {
    job->part = sql_uniq_partition(job->c, job->key, x->err);
    if (rt_err_is_set(x->err)) return false;
    uint32_t shard = eng_partition_owner(job->part, eng_shard_count());
    return rt_run_on(shard, sql_uniq_job_run, job, x->err);
}

bool sql_uniq_write(sql_exec_ctx *x, const eng_table *c, const char *conname,
                    const sql_value *key, bool insert) {
    sql_uniq_job job = {.x = x, .c = c, .key = key, .insert = insert};
    if (!sql_uniq_run(x, &job)) return false;
    if (job.ok) return true;
    if (job.duplicate) return sql_uniq_violation(x, c, conname, key);
    *x->err = job.err;
    return false;
}

eng_insert_result sql_uniq_insert_arbiter(sql_exec_ctx *x, const eng_table *c,
                                          const sql_value *row, sql_value *found) {
    sql_uniq_job job = {.x = x, .c = c, .key = row, .insert = true, .found = found};
    if (!sql_uniq_run(x, &job)) return ENG_INSERT_FAILED;
    if (job.ok) return ENG_INSERTED;
    if (job.conflict) return ENG_CONFLICT;
    *x->err = job.err;
    return ENG_INSERT_FAILED;
}
