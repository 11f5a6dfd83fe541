/* sql_exec_lockrows.c: LOCKROWS (sql_plan_lockrows.c), on the coordinator under a LIMIT: pulls
 * rows in their final order and locks each on the shard owning it, in the transaction's
 * participant there, with the scan's strength and wait policy, until LIMIT + OFFSET rows are
 * locked; the rows after those are never locked. A row SKIP LOCKED passes over, or one deleted
 * meanwhile or updated out of the scan's filter (READ COMMITTED), is left out and the next
 * one taken instead; a row updated meanwhile that still matches is returned as its newest
 * version, through the projections between the scan and here again (as PostgreSQL's
 * EvalPlanQual: such a row may come out of ORDER BY order, as there). */
#include <string.h>

#include "engine/eng_tx.h"
#include "sql/sql_exec_int.h"

typedef struct sql_op_lockrows {
    sql_op base;
    sql_batch *in;           /* the input batch being locked, row `next` onwards */
    uint32_t next;
    int64_t left;            /* rows still to lock (LIMIT + OFFSET), -1 = no limit */
    bool evaluated;
} sql_op_lockrows;

/* One row lock, run on the shard owning the row. */
typedef struct sql_lockrows_job {
    const sql_exec_ctx *x;   /* the coordinator's */
    const sql_plan *scan;
    uint32_t partno, slot;
    sql_value *newest;       /* out: the newest version's scan columns, when it replaced it */
    bool keep, replaced, ok;
    rt_err err;
} sql_lockrows_job;

static void sql_lockrows_run(void *arg) {
    sql_lockrows_job *job = arg;
    const sql_plan *scan = job->scan;
    rt_err_clear(&job->err);
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_exec_ctx x;
    sql_frag_ctx(&x, job->x, arena, &job->err, NULL, 0);
    eng_part *part = eng_partition(scan->scan.table, job->partno);
    sql_batch *b = sql_exec_batch(arena, scan, 1);
    job->ok = b != NULL || rt_arena_fail(arena, &job->err);
    uint32_t slot = job->slot;
    if (job->ok) {
        sql_scan_read_row(scan, part, job->partno, slot, b, 0);
        b->rows = 1;
        job->ok = sql_lock_row(&x, sql_lock_tx(&x), scan, part, job->partno, &slot, b, 0, arena,
                               &job->keep);
    }
    /* Values read from the store stay valid while the version is locked by this transaction. */
    job->replaced = job->ok && job->keep && slot != job->slot;
    for (uint32_t c = 0; job->replaced && c < scan->scan.natts; c++) {
        eng_part_read(part, slot, scan->scan.attnums[c], &job->newest[c]);
        job->newest[c].type_oid = scan->cols[c].type_oid;
    }
    job->slot = slot;
    rt_arena_destroy(arena);
}

/* The newest version of a row as the scan, then each projection above it, would produce it:
 * a one-row batch laid out as LOCKROWS's input. */
static sql_batch *sql_lockrows_redo(sql_op *op, sql_exec_ctx *x, const sql_lockrows_job *job) {
    const sql_plan *p = op->plan, *scan = p->lockrows.scan;
    sql_batch *b = sql_exec_batch(op->batch_arena, scan, 1);
    if (b == NULL) return NULL;
    for (uint32_t c = 0; c < scan->scan.natts; c++) sql_vec_set(&b->cols[c], 0, &job->newest[c]);
    sql_value loc = {.type_oid = SQL_T_INT8, .i64 = (int64_t)job->partno << 32 | job->slot};
    sql_vec_set(&b->cols[scan->scan.natts], 0, &loc);
    b->rows = 1;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, op->batch_arena, &ec);
    for (uint32_t i = 0; i < p->lockrows.nprojects; i++) {
        const sql_plan *pr = p->lockrows.projects[i];
        sql_batch *o = sql_batch_new(op->batch_arena, pr->ncols, 1);
        if (o == NULL) return NULL;
        for (uint32_t c = 0; c < pr->ncols; c++) {
            sql_vec *v = sql_eval(&ec, pr->project.exprs[c], b, 1, NULL);
            if (v == NULL) return NULL;
            o->cols[c] = *v;
            o->cols[c].type_oid = pr->cols[c].type_oid;
        }
        o->rows = 1;
        b = o;
    }
    return b;
}

/* Locks the row behind row r of `in`; *row gets the batch and row to emit, *row_batch NULL
 * when the row is left out. */
static bool sql_lockrows_one(sql_op *op, sql_exec_ctx *x, const sql_batch *in, uint32_t r,
                             const sql_batch **row_batch, uint32_t *row) {
    const sql_plan *scan = op->plan->lockrows.scan;
    int64_t loc = in->cols[in->ncols - 1].i64[r];
    sql_lockrows_job job = {.x = x, .scan = scan, .partno = (uint32_t)(loc >> 32),
                            .slot = (uint32_t)loc};
    job.newest = rt_arena_alloc(op->batch_arena, sizeof(sql_value) * (scan->scan.natts + 1u));
    if (job.newest == NULL) return rt_arena_fail(op->batch_arena, x->err);
    uint32_t shard = eng_partition_owner(job.partno, eng_shard_count());
    if (!rt_run_on(shard, sql_lockrows_run, &job, x->err)) return false;
    if (!job.ok) {
        *x->err = job.err;
        return false;
    }
    *row_batch = NULL;
    if (!job.keep) return true;
    *row_batch = in;
    *row = r;
    if (!job.replaced) return true;
    *row_batch = sql_lockrows_redo(op, x, &job);
    *row = 0;
    return *row_batch != NULL || rt_err_is_set(x->err) || rt_arena_fail(op->batch_arena, x->err);
}

/* Copies row r of `src` (the input layout) into row k of `out` (the same less the locator). */
static void sql_lockrows_copy(sql_batch *out, uint32_t k, const sql_batch *src, uint32_t r) {
    for (uint32_t c = 0; c < out->ncols; c++) {
        sql_value v;
        sql_vec_get(&src->cols[c], r, &v);
        sql_vec_set(&out->cols[c], k, &v);
    }
}

static bool sql_lockrows_limit(sql_op_lockrows *l, sql_exec_ctx *x) {
    int64_t limit, offset;
    if (!sql_exec_count_expr(x, l->base.plan->lockrows.limit, false, &limit) ||
        !sql_exec_count_expr(x, l->base.plan->lockrows.offset, true, &offset)) {
        return false;
    }
    if (offset < 0) offset = 0;
    l->left = limit < 0 ? -1 : limit > INT64_MAX - offset ? INT64_MAX : limit + offset;
    l->evaluated = true;
    return true;
}

static bool sql_lockrows_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_lockrows *l = (sql_op_lockrows *)op;
    *out = NULL;
    if (!l->evaluated && !sql_lockrows_limit(l, x)) return false;
    while (l->left != 0) {
        if (l->in == NULL || l->next >= l->in->rows) {
            if (!sql_op_next(op->child, x, &l->in)) return false;
            l->next = 0;
            if (l->in == NULL) return true;
            continue;
        }
        /* Rows of one input batch only: the next pull resets the child's batches. */
        uint32_t cap = l->in->rows - l->next;
        if (l->left > 0 && (int64_t)cap > l->left) cap = (uint32_t)l->left;
        sql_batch *b = sql_exec_batch(op->batch_arena, op->plan, cap);
        if (b == NULL) return false;
        while (l->next < l->in->rows && b->rows < cap) {
            const sql_batch *src;
            uint32_t row;
            if (!sql_lockrows_one(op, x, l->in, l->next++, &src, &row)) return false;
            if (src == NULL) continue;
            sql_lockrows_copy(b, b->rows++, src, row);
            if (l->left > 0) l->left--;
        }
        if (b->rows == 0) continue;
        *out = b;
        return true;
    }
    return true;
}
static const sql_op_vt sql_lockrows_vt = {NULL, sql_lockrows_next, NULL};

sql_op *sql_op_new_lockrows(sql_exec_ctx *x, const sql_plan *p) {
    return sql_op_alloc(x, p, &sql_lockrows_vt, sizeof(sql_op_lockrows));
}
