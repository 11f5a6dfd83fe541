/* sql_exec_cte.c: data-modifying WITH queries (MODIFYCTE at the top of the statement).
 * Each INSERT / UPDATE / DELETE of the WITH runs exactly once and to its end, whether or not
 * the main query reads its rows, in a context of its own (its row count is not the command
 * tag's) but with the statement's snapshot and command id: no part of the statement sees the
 * others' changes to tables (a version written by the current command is invisible to it,
 * eng_version_visible), only their RETURNING rows. A row that two parts change is changed by
 * the first; the second finds it changed by its own command and leaves it (ENG_GONE), as
 * PostgreSQL does. The queries something reads run before the main query, in WITH order (an
 * entry reads only entries before it); the others after it, last one first, as PostgreSQL
 * runs them. The RETURNING rows are kept in the statement's arena until it ends: every
 * context copied from the coordinator's (fragments on other shards, LATERAL, subqueries)
 * reads them through cte_runs, so none of them ever runs a query body again. */
#include <string.h>

#include "sql/sql_exec_int.h"

typedef struct sql_cte_run {
    sql_rowset rows;         /* the RETURNING rows, in the coordinator's query arena */
    const eng_table *table;  /* the table it writes */
    uint64_t affected;       /* ... and the rows it changed there */
    bool done;
} sql_cte_run;

struct sql_cte_runs {
    uint32_t n;
    sql_cte_run *runs;       /* by material.id */
};

typedef struct sql_op_modifycte {
    sql_op base;
    sql_cte_runs runs;
    sql_op *main;            /* built once the queries it reads have run */
    bool started;
    bool main_done;
} sql_op_modifycte;

/* Runs the body of the MATERIAL node `mat` to its end, keeping its RETURNING rows. */
static bool sql_cte_run_one(sql_exec_ctx *x, const sql_plan *mat, sql_cte_run *run) {
    RT_ASSERT(!run->done);
    RT_ASSERT(mat->left != NULL);
    /* Materials and uncorrelated subqueries are shared with the main query; its counts not. */
    if (x->materials == NULL) {
        x->materials = rt_arena_zalloc(x->arena, sizeof(void *) * (x->nmaterials + 1u));
        if (x->materials == NULL) return rt_arena_fail(x->arena, x->err);
    }
    sql_exec_ctx cx = *x;
    atomic_store(&cx.rows_affected, 0);
    cx.affected = &cx.rows_affected;
    memset(&cx.stats, 0, sizeof cx.stats);
    sql_op *op = sql_op_build(&cx, mat->left);
    bool ok = op != NULL;
    while (ok) {
        sql_batch *b;
        ok = sql_op_next(op, &cx, &b);
        if (!ok || b == NULL) break;
        for (uint32_t r = 0; ok && r < b->rows; r++) {
            if (!sql_rowset_add(&run->rows, b, r)) ok = rt_arena_fail(x->arena, x->err);
        }
    }
    sql_op_close(op, &cx);
    if (x->subquery_cache == NULL) x->subquery_cache = cx.subquery_cache;
    x->stats.rows_scanned += cx.stats.rows_scanned;
    x->stats.fragments += cx.stats.fragments;
    run->affected = atomic_load(&cx.rows_affected);
    run->done = ok;
    return ok;
}

/* Runs the queries read by something (`read`) in WITH order, or the others last first. */
static bool sql_cte_run_phase(sql_op_modifycte *m, sql_exec_ctx *x, bool read) {
    const sql_plan *p = m->base.plan;
    for (uint32_t k = 0; k < p->modifycte.nctes; k++) {
        uint32_t i = read ? k : p->modifycte.nctes - 1 - k;
        const sql_plan *mat = p->modifycte.ctes[i];
        if (mat->material.read != read || m->runs.runs[i].done) continue;
        if (!sql_cte_run_one(x, mat, &m->runs.runs[i])) return false;
    }
    return true;
}

static bool sql_modifycte_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_modifycte *m = (sql_op_modifycte *)op;
    *out = NULL;
    if (!m->started) {
        m->started = true;
        if (!sql_cte_run_phase(m, x, true)) return false;
        if ((m->main = sql_op_build(x, op->plan->left)) == NULL) return false;
    }
    if (m->main_done) return true;
    if (!sql_op_next(m->main, x, out)) return false;
    if (*out != NULL) return true;
    m->main_done = true;
    return sql_cte_run_phase(m, x, false);
}

static void sql_modifycte_close(sql_op *op, sql_exec_ctx *x) {
    sql_op_modifycte *m = (sql_op_modifycte *)op;
    sql_op_close(m->main, x);
    m->main = NULL;
}
static const sql_op_vt sql_modifycte_vt = {NULL, sql_modifycte_next, sql_modifycte_close};

sql_op *sql_op_new_modifycte(sql_exec_ctx *x, const sql_plan *p) {
    /* No child built here: the main query's operators open only after the queries it reads
     * have run (a GATHER starts its fragments when it opens). */
    sql_op_modifycte *m = rt_arena_zalloc(x->arena, sizeof *m);
    if (m == NULL) return NULL;
    m->base.vt = &sql_modifycte_vt;
    m->base.plan = p;
    m->runs.n = p->modifycte.nctes;
    m->runs.runs = rt_arena_zalloc(x->arena, sizeof(sql_cte_run) * (m->runs.n + 1u));
    if (m->runs.runs == NULL) return NULL;
    for (uint32_t i = 0; i < m->runs.n; i++) {
        sql_rowset_init(&m->runs.runs[i].rows, x->arena, p->modifycte.ctes[i]->ncols);
        m->runs.runs[i].table = p->modifycte.ctes[i]->material.table;
    }
    x->cte_runs = &m->runs; /* before anything is copied from x */
    return &m->base;
}

/* ---- a reference to a data-modifying WITH query: its kept RETURNING rows ---- */

typedef struct sql_op_ctescan {
    sql_op base;
    uint64_t emitted;
} sql_op_ctescan;

static bool sql_ctescan_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_ctescan *s = (sql_op_ctescan *)op;
    const sql_plan *p = op->plan;
    *out = NULL;
    const sql_cte_runs *rs = x->cte_runs;
    /* The MODIFYCTE runs every query something reads before the main query starts. */
    RT_ASSERT(rs != NULL && p->material.id < rs->n);
    const sql_cte_run *run = &rs->runs[p->material.id];
    RT_ASSERT(run->done);
    if (s->emitted >= run->rows.count) return true;
    uint64_t left = run->rows.count - s->emitted;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    if (!sql_rowset_emit(&run->rows, s->emitted, n, p->cols, op->batch_arena, out)) {
        return rt_arena_fail(op->batch_arena, x->err);
    }
    s->emitted += n;
    return true;
}
static const sql_op_vt sql_ctescan_vt = {NULL, sql_ctescan_next, NULL};

sql_op *sql_op_new_dml_ctescan(sql_exec_ctx *x, const sql_plan *p) {
    RT_ASSERT(p->material.dml);
    return sql_op_alloc(x, p, &sql_ctescan_vt, sizeof(sql_op_ctescan));
}

bool sql_exec_cte_changes(const sql_exec_ctx *x, uint32_t i, const eng_table **table,
                          uint64_t *rows) {
    const sql_cte_runs *runs = x->cte_runs;
    if (runs == NULL || i >= runs->n) return false;
    *table = runs->runs[i].done ? runs->runs[i].table : NULL;
    *rows = runs->runs[i].done ? runs->runs[i].affected : 0;
    return true;
}
