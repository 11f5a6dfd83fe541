/* sql_exec_misc.c: catalog relations, set-returning functions in FROM, materialised CTEs,
 * WITH RECURSIVE, and subquery expressions (scalar, EXISTS, IN/ANY/ALL, ARRAY) with or without
 * correlation to the enclosing row. */
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_pgcat.h"

/* ---- an operator that hands out a row set ---- */

typedef struct sql_op_rows {
    sql_op base;
    sql_rowset rows;
    sql_rowset *source;      /* the rows to emit (own `rows`, or a shared material) */
    uint64_t emitted;
    bool ready;
} sql_op_rows;

static bool sql_rows_emit(sql_op_rows *r, sql_batch **out) {
    *out = NULL;
    if (r->emitted >= r->source->count) return true;
    uint64_t left = r->source->count - r->emitted;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    if (!sql_rowset_emit(r->source, r->emitted, n, r->base.plan->cols, r->base.batch_arena,
                         out)) {
        return false;
    }
    r->emitted += n;
    return true;
}

/* ---- CATALOG ---- */

static bool sql_catalog_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_rows *r = (sql_op_rows *)op;
    if (!r->ready) {
        r->ready = true;
        r->source = &r->rows;
        if (!sql_pgcat_scan(x, op->plan->catalog.rel_id, &r->rows)) return false;
    }
    for (;;) {
        if (!sql_rows_emit(r, out)) return false;
        if (*out == NULL || op->plan->catalog.filter == NULL) return true;
        uint8_t *sel = rt_arena_alloc(op->batch_arena, (*out)->rows + 1u);
        uint32_t kept;
        if (sel == NULL || !sql_exec_predicate(x, op->batch_arena, op->plan->catalog.filter,
                                               *out, sel, &kept)) {
            return false;
        }
        if (kept == 0) continue;
        if (kept < (*out)->rows) *out = sql_exec_select_rows(op->batch_arena, *out, sel, kept);
        return *out != NULL;
    }
}
static const sql_op_vt sql_catalog_vt = {NULL, sql_catalog_next, NULL};

sql_op *sql_op_new_catalog(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_rows *r = (sql_op_rows *)sql_op_alloc(x, p, &sql_catalog_vt, sizeof *r);
    if (r == NULL) return NULL;
    sql_rowset_init(&r->rows, x->arena, p->ncols);
    return &r->base;
}

/* ---- FUNCSCAN ---- */

static bool sql_funcscan_fill(sql_op_rows *r, sql_exec_ctx *x) {
    const sql_plan *p = r->base.plan;
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, x->arena, &ec);
    sql_value args[SQL_FUNC_ARGS_MAX * 8];
    uint32_t n = p->func.nargs < SQL_FUNC_ARGS_MAX * 8 ? p->func.nargs : SQL_FUNC_ARGS_MAX * 8;
    bool any_null = false;
    for (uint32_t i = 0; i < n; i++) {
        if (!sql_eval_scalar(&ec, p->func.args[i], &args[i])) return false;
        args[i].type_oid = p->func.args[i]->type_oid;
        any_null |= args[i].is_null;
    }
    if (any_null && (p->func.def->flags & SQL_F_STRICT)) return true; /* no rows */
    uint32_t width = p->ncols - (p->func.ordinality ? 1 : 0);
    sql_rowset raw;
    sql_rowset_init(&raw, x->arena, width);
    if (!p->func.def->srf(x, args, n, &raw)) return false;
    if (!p->func.ordinality) {
        r->rows = raw;
        return true;
    }
    sql_value *row = rt_arena_alloc(x->arena, sizeof(sql_value) * p->ncols);
    if (row == NULL) return false;
    for (uint64_t i = 0; i < raw.count; i++) {
        memcpy(row, sql_rowset_row(&raw, i), sizeof(sql_value) * width);
        row[width] = (sql_value){.type_oid = SQL_T_INT8, .i64 = (int64_t)i + 1};
        if (!sql_rowset_add_values(&r->rows, row)) return false;
    }
    return true;
}

static bool sql_funcscan_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_rows *r = (sql_op_rows *)op;
    if (!r->ready) {
        r->ready = true;
        r->source = &r->rows;
        if (!sql_funcscan_fill(r, x)) return false;
    }
    return sql_rows_emit(r, out);
}
static const sql_op_vt sql_funcscan_vt = {NULL, sql_funcscan_next, NULL};

sql_op *sql_op_new_funcscan(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_rows *r = (sql_op_rows *)sql_op_alloc(x, p, &sql_funcscan_vt, sizeof *r);
    if (r == NULL) return NULL;
    sql_rowset_init(&r->rows, x->arena, p->ncols);
    return &r->base;
}

/* ---- PROJECTSET ---- */

/* Per input batch: the scalar columns and the calls' arguments, evaluated once; per input
 * row: every call's set (in row_arena, reset per row). A returned batch never spans two input
 * batches, so the scalar columns it shares with the input stay valid until the next call. */
typedef struct sql_op_pset {
    sql_op base;
    rt_arena *in_arena, *row_arena;
    sql_batch *in;
    uint32_t row;
    sql_vec **vals;          /* per column: the scalar's values, NULL for a call */
    sql_vec ***call_args;    /* per call column: its arguments' values */
    sql_rowset *sets;        /* per column: the current row's set (calls only) */
    uint64_t pos, longest;   /* position in the current row's sets; the longest set */
    bool row_ready, done;
} sql_op_pset;

static bool sql_pset_is_call(const sql_expr *e) {
    return e->kind == SQL_X_FUNC && e->func.def != NULL && (e->func.def->flags & SQL_F_SRF);
}

static bool sql_pset_load(sql_op_pset *s, sql_exec_ctx *x) {
    const sql_plan *p = s->base.plan;
    rt_arena_reset(s->in_arena);
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, s->in_arena, &ec);
    s->vals = rt_arena_zalloc(s->in_arena, sizeof(sql_vec *) * (p->ncols + 1u));
    s->call_args = rt_arena_zalloc(s->in_arena, sizeof(sql_vec **) * (p->ncols + 1u));
    if (s->vals == NULL || s->call_args == NULL) return rt_arena_fail(s->in_arena, x->err);
    for (uint32_t c = 0; c < p->ncols; c++) {
        const sql_expr *e = p->project.exprs[c];
        if (!sql_pset_is_call(e)) {
            if ((s->vals[c] = sql_eval(&ec, e, s->in, s->in->rows, NULL)) == NULL) return false;
            continue;
        }
        s->call_args[c] = rt_arena_alloc(s->in_arena, sizeof(sql_vec *) * (e->nargs + 1u));
        if (s->call_args[c] == NULL) return rt_arena_fail(s->in_arena, x->err);
        for (uint32_t a = 0; a < e->nargs; a++) {
            s->call_args[c][a] = sql_eval(&ec, e->args[a], s->in, s->in->rows, NULL);
            if (s->call_args[c][a] == NULL) return false;
        }
    }
    s->row = 0;
    s->row_ready = false;
    return true;
}

/* Runs every call for the current input row. */
static bool sql_pset_row(sql_op_pset *s, sql_exec_ctx *x) {
    const sql_plan *p = s->base.plan;
    rt_arena_reset(s->row_arena);
    sql_exec_ctx rx = *x; /* the sets' memory lives for the row */
    rx.arena = s->row_arena;
    s->longest = 0;
    s->pos = 0;
    for (uint32_t c = 0; c < p->ncols; c++) {
        const sql_expr *e = p->project.exprs[c];
        if (s->vals[c] != NULL) continue;
        sql_value args[SQL_FUNC_ARGS_MAX * 8];
        uint32_t n = e->nargs < SQL_FUNC_ARGS_MAX * 8 ? e->nargs : SQL_FUNC_ARGS_MAX * 8;
        bool any_null = false;
        for (uint32_t a = 0; a < n; a++) {
            sql_vec_get(s->call_args[c][a], s->row, &args[a]);
            args[a].type_oid = e->args[a]->type_oid;
            any_null |= args[a].is_null;
        }
        if (!sql_rowset_init(&s->sets[c], s->row_arena, 1)) {
            return rt_arena_fail(s->row_arena, x->err);
        }
        if (any_null && (e->func.def->flags & SQL_F_STRICT)) continue; /* no rows */
        if (!e->func.def->srf(&rx, args, n, &s->sets[c])) return false;
        if (s->sets[c].count > s->longest) s->longest = s->sets[c].count;
    }
    s->row_ready = true;
    return true;
}

static bool sql_pset_emit(sql_op_pset *s, sql_batch *b, uint32_t at) {
    const sql_plan *p = s->base.plan;
    for (uint32_t c = 0; c < p->ncols; c++) {
        sql_value v = {.type_oid = p->cols[c].type_oid, .is_null = true};
        if (s->vals[c] != NULL) {
            sql_vec_get(s->vals[c], s->row, &v);
        } else if (s->pos < s->sets[c].count) {
            v = sql_rowset_row(&s->sets[c], s->pos)[0];
            if (!v.is_null && sql_phys_of_type(v.type_oid) == SQL_PHYS_BYTES &&
                !sql_value_copy(s->base.batch_arena, &v)) {
                return false;
            }
        }
        sql_vec_set(&b->cols[c], at, &v);
    }
    return true;
}

static bool sql_pset_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_pset *s = (sql_op_pset *)op;
    *out = NULL;
    sql_batch *b = sql_exec_batch(op->batch_arena, op->plan, SQL_BATCH_ROWS);
    if (b == NULL) return false;
    uint32_t count = 0;
    while (count < SQL_BATCH_ROWS && !s->done) {
        if (s->in == NULL || s->row >= s->in->rows) {
            if (count > 0) break; /* the batch keeps pointing into this input batch */
            if (!sql_op_next(op->child, x, &s->in)) return false;
            if (s->in == NULL) {
                s->done = true;
                break;
            }
            if (!sql_pset_load(s, x)) return false;
            continue;
        }
        if (!s->row_ready && !sql_pset_row(s, x)) return false;
        if (s->pos >= s->longest) {
            s->row++;
            s->row_ready = false;
            continue;
        }
        if (!sql_pset_emit(s, b, count)) return false;
        count++;
        s->pos++;
    }
    if (count == 0) return true;
    b->rows = count;
    *out = b;
    return true;
}

static bool sql_pset_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_pset *s = (sql_op_pset *)op;
    s->in_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    s->row_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    s->sets = rt_arena_zalloc(x->arena, sizeof(sql_rowset) * (op->plan->ncols + 1u));
    if (s->sets == NULL) return rt_arena_fail(x->arena, x->err);
    return true;
}

static void sql_pset_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_pset *s = (sql_op_pset *)op;
    if (s->in_arena != NULL) rt_arena_destroy(s->in_arena);
    if (s->row_arena != NULL) rt_arena_destroy(s->row_arena);
    s->in_arena = s->row_arena = NULL;
    s->in = NULL;
    s->done = false;
}
static const sql_op_vt sql_pset_vt = {sql_pset_open, sql_pset_next, sql_pset_close};

sql_op *sql_op_new_projectset(sql_exec_ctx *x, const sql_plan *p) {
    return sql_op_alloc(x, p, &sql_pset_vt, sizeof(sql_op_pset));
}

/* ---- MATERIAL / CTESCAN / WORKTABLE ---- */

/* A result shared by id within one execution. The MATERIAL reader that comes first pulls its
 * child only as far as some reader has read, so a CTE under a LIMIT (an endless WITH RECURSIVE
 * among them) stops when the LIMIT does, as PostgreSQL's CTE scans do. */
typedef struct sql_material {
    sql_rowset rows;         /* the rows produced so far, in the query arena */
    sql_op *producer;        /* the MATERIAL operator whose child produces them, or NULL */
    uint64_t producer_rows;  /* rows the producer's child has returned */
    bool complete;           /* the producer reached its end (or there is none) */
} sql_material;

static sql_material *sql_material_slot(sql_exec_ctx *x, uint32_t id, bool *filled) {
    if (x->materials == NULL) {
        x->materials = rt_arena_zalloc(x->arena, sizeof(sql_material *) * (x->nmaterials + 1u));
        if (x->materials == NULL) return NULL;
    }
    RT_ASSERT(id < x->nmaterials);
    sql_material **slots = x->materials;
    *filled = slots[id] != NULL;
    if (slots[id] == NULL) slots[id] = rt_arena_zalloc(x->arena, sizeof(sql_material));
    return slots[id];
}

/* Runs the producer's child for one batch. A WITH query is bound one level below the query
 * owning the WITH (that level's FROM items are not visible to it), so its references to
 * enclosing rows count one level more than the plan it sits in has: the rows are shifted by
 * one for it, an empty row at depth 1. */
static bool sql_material_child_next(sql_material *m, sql_exec_ctx *x, sql_batch **in) {
    static const sql_batch none;
    const sql_batch *outer[4];
    uint32_t outer_row[4], depth = x->outer_depth;
    memcpy(outer, x->outer, sizeof outer);
    memcpy(outer_row, x->outer_row, sizeof outer_row);
    x->outer[0] = &none;
    x->outer_row[0] = 0;
    x->outer_depth = depth < 4 ? depth + 1 : 4;
    for (uint32_t i = 1; i < x->outer_depth; i++) {
        x->outer[i] = outer[i - 1];
        x->outer_row[i] = outer_row[i - 1];
    }
    bool ok = sql_op_next(m->producer->child, x, in);
    memcpy(x->outer, outer, sizeof outer);
    memcpy(x->outer_row, outer_row, sizeof outer_row);
    x->outer_depth = depth;
    return ok;
}

/* Pulls one more batch of the shared result into its rows; at the end marks it complete. */
static bool sql_material_pull(sql_material *m, sql_exec_ctx *x) {
    sql_batch *in;
    if (!sql_material_child_next(m, x, &in)) return false;
    if (in == NULL) {
        m->complete = true;
        return true;
    }
    for (uint32_t i = 0; i < in->rows; i++) {
        if (m->producer_rows++ < m->rows.count) continue; /* a successor's repeat, see below */
        if (!sql_rowset_add(&m->rows, in, i)) return rt_arena_fail(x->arena, x->err);
    }
    return true;
}

static bool sql_material_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_rows *r = (sql_op_rows *)op;
    const sql_plan *p = op->plan;
    sql_material *m;
    if (!r->ready) {
        r->ready = true;
        bool filled;
        if ((m = sql_material_slot(x, p->material.id, &filled)) == NULL) {
            return rt_arena_fail(x->arena, x->err);
        }
        r->source = &m->rows;
        if (!filled) {
            sql_rowset_init(&m->rows, x->arena, p->ncols);
            /* A CTESCAN or WORKTABLE first: an empty working table. */
            m->complete = p->kind != SQL_P_MATERIAL;
            if (!m->complete) m->producer = op;
        }
    }
    m = (sql_material *)r->source; /* rows is the first member */
    while (r->emitted >= m->rows.count && !m->complete) {
        if (m->producer == NULL && op->child == NULL) {
            return rt_err_set(x->err, SQLSTATE_INTERNAL_ERROR,
                              "CTE read after its producer was closed");
        }
        if (m->producer == NULL) {
            /* The producer was closed part-way (it sat in a subquery or a recursive round
               that is over): this reader's own child takes over, its first rows being the
               ones already kept (the plan is the same). */
            m->producer = op;
            m->producer_rows = 0;
        }
        if (!sql_material_pull(m, x)) return false;
    }
    return sql_rows_emit(r, out);
}

static void sql_material_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_rows *r = (sql_op_rows *)op;
    sql_material *m = (sql_material *)r->source;
    if (m != NULL && m->producer == op) m->producer = NULL;
}
static const sql_op_vt sql_material_vt = {NULL, sql_material_next, sql_material_close};

sql_op *sql_op_new_material(sql_exec_ctx *x, const sql_plan *p) {
    /* A CTESCAN reads the MATERIAL node of its CTE; only MATERIAL has the child. */
    return sql_op_alloc(x, p, &sql_material_vt, sizeof(sql_op_rows));
}

/* ---- RECURSIVE: seed (left), then the recursive term (right) over the working table ----
 * Evaluated a round at a time as the reader pulls: the rows of a round are handed out before
 * the next round is computed, so a reader that stops (LIMIT) stops the recursion. Only two
 * rounds are held (the one handed out, which the next one reads as its working table, and the
 * next one), each in its own arena; UNION (not ALL) also keeps every row produced, to drop
 * duplicates. Both are bounded by the operator memory budget (53200 past it). */

typedef struct sql_op_recursive {
    sql_op base;
    sql_htab seen;           /* UNION (not ALL): rows already produced */
    rt_arena *seen_mem;
    rt_arena *round_mem[2];  /* round_mem[cur] holds `round` */
    uint32_t cur;
    sql_rowset round;        /* the rows of the last round computed, being handed out */
    uint64_t emitted;
    uint64_t produced;       /* rows produced by every round so far */
    sql_value *scratch;      /* one row, for the duplicate check */
    bool started;
} sql_op_recursive;

#define SQL_RECURSION_ROWS_MAX (64ull << 20) /* rows a recursive CTE may produce; more is
                                                taken for a runaway recursion (54000) */

static bool sql_recursive_add(sql_op_recursive *rc, sql_exec_ctx *x, const sql_batch *in,
                              uint32_t i, sql_rowset *next, bool dedupe) {
    if (dedupe) {
        uint32_t nc = rc->base.plan->ncols;
        for (uint32_t c = 0; c < nc; c++) sql_vec_get(&in->cols[c], i, &rc->scratch[c]);
        bool inserted, oom;
        sql_htab_find(&rc->seen, rc->scratch, sql_htab_hash(rc->scratch, nc), rc->scratch, true,
                      &inserted, &oom);
        if (oom) return sql_exec_hash_fail(rc->seen_mem, x, "recursive query");
        if (!inserted) return true;
    }
    if (rc->produced >= SQL_RECURSION_ROWS_MAX) {
        return rt_err_set(x->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "recursive query produced more than %llu rows",
                          (unsigned long long)SQL_RECURSION_ROWS_MAX);
    }
    rc->produced++;
    if (!sql_rowset_add(next, in, i)) return sql_exec_hash_fail(next->arena, x, "recursive query");
    return true;
}

/* Runs `plan` to completion into `next` (one round). */
static bool sql_recursive_run(sql_op_recursive *rc, sql_exec_ctx *x, const sql_plan *plan,
                              sql_rowset *next, bool dedupe) {
    sql_op *op = sql_op_build(x, plan);
    if (op == NULL) return rt_arena_fail(x->arena, x->err);
    bool ok = true;
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(op, x, &in)) {
            ok = false;
            break;
        }
        if (in == NULL) break;
        for (uint32_t i = 0; ok && i < in->rows; i++) {
            ok = sql_recursive_add(rc, x, in, i, next, dedupe);
        }
        if (!ok) break;
    }
    sql_op_close(op, x);
    return ok;
}

/* Computes the next round (the seed first) into the other arena; the rows of the round before
 * the last one are no longer needed. */
static bool sql_recursive_round(sql_op_recursive *rc, sql_exec_ctx *x) {
    const sql_plan *p = rc->base.plan;
    uint32_t other = rc->started ? 1u - rc->cur : rc->cur;
    rt_arena_reset(rc->round_mem[other]);
    sql_rowset next;
    if (!sql_rowset_init(&next, rc->round_mem[other], p->ncols)) {
        return sql_exec_hash_fail(rc->round_mem[other], x, "recursive query");
    }
    const sql_plan *term = p->left;
    if (rc->started) {
        bool filled;
        sql_material *work = sql_material_slot(x, p->recursive.worktable_id, &filled);
        if (work == NULL) return rt_arena_fail(x->arena, x->err);
        work->rows = rc->round; /* the recursive term reads the rows of the last round */
        work->complete = true;
        term = p->right;
    }
    rc->started = true;
    if (!sql_recursive_run(rc, x, term, &next, !p->recursive.all)) return false;
    rc->round = next;
    rc->cur = other;
    rc->emitted = 0;
    return true;
}

static bool sql_recursive_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_recursive *rc = (sql_op_recursive *)op;
    *out = NULL;
    if (!rc->started && !sql_recursive_round(rc, x)) return false;
    while (rc->emitted >= rc->round.count) {
        if (rc->round.count == 0) return true; /* a round without rows ends the recursion */
        if (!sql_recursive_round(rc, x)) return false;
        rt_fiber_maybe_yield();
    }
    uint64_t left = rc->round.count - rc->emitted;
    uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
    if (!sql_rowset_emit(&rc->round, rc->emitted, n, op->plan->cols, op->batch_arena, out)) {
        return rt_arena_fail(op->batch_arena, x->err);
    }
    rc->emitted += n;
    return true;
}

static bool sql_recursive_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_recursive *rc = (sql_op_recursive *)op;
    uint32_t nc = op->plan->ncols;
    for (uint32_t i = 0; i < 2; i++) {
        if ((rc->round_mem[i] = rt_arena_create(sql_exec_hash_bytes_max)) == NULL) {
            return rt_arena_fail(x->arena, x->err);
        }
    }
    if (!op->plan->recursive.all) {
        if ((rc->seen_mem = rt_arena_create(sql_exec_hash_bytes_max)) == NULL ||
            !sql_htab_init(&rc->seen, rc->seen_mem, nc, nc)) {
            return sql_exec_hash_fail(rc->seen_mem, x, "recursive query");
        }
    }
    rc->scratch = rt_arena_alloc(x->arena, sizeof(sql_value) * (nc + 1u));
    return rc->scratch != NULL || rt_arena_fail(x->arena, x->err);
}

static void sql_recursive_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_recursive *rc = (sql_op_recursive *)op;
    for (uint32_t i = 0; i < 2; i++) {
        if (rc->round_mem[i] != NULL) rt_arena_destroy(rc->round_mem[i]);
        rc->round_mem[i] = NULL;
    }
    if (rc->seen_mem != NULL) rt_arena_destroy(rc->seen_mem);
    rc->seen_mem = NULL;
    rc->started = false;
    rc->round = (sql_rowset){0};
    rc->emitted = rc->produced = 0;
}
static const sql_op_vt sql_recursive_vt = {sql_recursive_open, sql_recursive_next,
                                           sql_recursive_close};

sql_op *sql_op_new_recursive(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_recursive *rc = rt_arena_zalloc(x->arena, sizeof *rc);
    if (rc == NULL) return NULL;
    rc->base.vt = &sql_recursive_vt;
    rc->base.plan = p; /* both terms are built per round, not here */
    return &rc->base;
}

/* ---- subqueries ---- */

/* The rows of a subquery its result needs: EXISTS is decided by one row and a scalar subquery
 * by two (a second one is the cardinality error), so those stop reading there, as PostgreSQL
 * does (an endless WITH RECURSIVE under EXISTS returns). */
static uint64_t sql_subquery_rows_needed(const sql_expr *e) {
    if (e->sub.kind == SQL_SUB_EXISTS) return 1;
    if (e->sub.kind == SQL_SUB_SCALAR || e->sub.kind == SQL_SUB_ROWCMP) return 2;
    return UINT64_MAX;
}

/* Runs a subquery plan into a row set (up to `max_rows` rows). */
static bool sql_subquery_rows(sql_exec_ctx *x, const sql_plan *plan, sql_rowset *out,
                              uint64_t max_rows) {
    sql_op *op = sql_op_build(x, plan);
    if (op == NULL) return false;
    bool ok = true;
    while (out->count < max_rows) {
        sql_batch *in;
        if (!sql_op_next(op, x, &in)) {
            ok = false;
            break;
        }
        if (in == NULL) break;
        for (uint32_t i = 0; ok && i < in->rows && out->count < max_rows; i++) {
            ok = sql_rowset_add(out, in, i);
        }
        if (!ok) {
            rt_arena_fail(out->arena, x->err);
            break;
        }
    }
    sql_op_close(op, x);
    return ok;
}

enum { SQL_CMP_FAILED = -2, SQL_CMP_NULL = -1, SQL_CMP_FALSE = 0, SQL_CMP_TRUE = 1 };

/* One pair of an ANY / ALL comparison: `t op v` (NULL when either is). */
static int sql_subquery_cmp1(sql_eval_ctx *ec, const sql_func_def *op, const sql_value *t,
                             const sql_value *v) {
    if (t->is_null || v->is_null) return SQL_CMP_NULL;
    sql_expr call = {.kind = SQL_X_FUNC, .type_oid = SQL_T_BOOL, .typmod = -1, .nargs = 2};
    call.func.def = op;
    sql_vec *a1 = sql_vec_new(ec->arena, t->type_oid, -1, 1);
    sql_vec *a2 = sql_vec_new(ec->arena, v->type_oid, -1, 1);
    sql_vec *r = sql_vec_new(ec->arena, SQL_T_BOOL, -1, 1);
    if (a1 == NULL || a2 == NULL || r == NULL) {
        rt_arena_fail(ec->arena, ec->err);
        return SQL_CMP_FAILED;
    }
    sql_vec_set(a1, 0, t);
    sql_vec_set(a2, 0, v);
    sql_vec *args[2] = {a1, a2};
    sql_fctx f = {.ec = ec, .arena = ec->arena, .err = ec->err, .io = &ec->io, .call = &call};
    if (!op->fn(&f, 1, NULL, args, r)) return SQL_CMP_FAILED;
    if (r->nulls[0]) return SQL_CMP_NULL;
    return r->i64[0] != 0 ? SQL_CMP_TRUE : SQL_CMP_FALSE;
}

/* The test value(s) against one subquery row. A row test combines its pairs as PostgreSQL's
 * row comparison does: for = a false pair decides false, for <> a true pair decides true;
 * otherwise a NULL pair makes the result NULL. */
/* Rows ordered lexicographically: the first pair that is not equal decides by the strict
 * operator; a NULL pair before it makes the result NULL; equal rows pass <= and >= only. */
static int sql_subquery_cmp_order(sql_eval_ctx *ec, const sql_expr *e, const sql_value *test,
                                  const sql_value *row) {
    for (uint32_t i = 0; i < e->nargs; i++) {
        int eq = sql_subquery_cmp1(ec, e->sub.row_eq_ops[i], &test[i], &row[i]);
        if (eq == SQL_CMP_FAILED || eq == SQL_CMP_NULL) return eq;
        if (eq == SQL_CMP_FALSE) return sql_subquery_cmp1(ec, e->sub.row_ops[i], &test[i], &row[i]);
    }
    return e->sub.row_order == 2 ? SQL_CMP_TRUE : SQL_CMP_FALSE;
}

static int sql_subquery_cmp(sql_eval_ctx *ec, const sql_expr *e, const sql_value *test,
                            const sql_value *row) {
    if (e->sub.row_ops == NULL) return sql_subquery_cmp1(ec, e->sub.op, &test[0], &row[0]);
    if (e->sub.row_order != 0) return sql_subquery_cmp_order(ec, e, test, row);
    int decisive = e->sub.row_or ? SQL_CMP_TRUE : SQL_CMP_FALSE, result = !decisive;
    for (uint32_t i = 0; i < e->nargs; i++) {
        int r = sql_subquery_cmp1(ec, e->sub.row_ops[i], &test[i], &row[i]);
        if (r == SQL_CMP_FAILED || r == decisive) return r;
        if (r == SQL_CMP_NULL) result = SQL_CMP_NULL;
    }
    return result;
}

/* The result of one subquery evaluation for the current outer row. */
static bool sql_subquery_value(sql_eval_ctx *ec, const sql_expr *e, const sql_rowset *rows,
                               const sql_value *test, sql_value *out) {
    out->type_oid = e->type_oid;
    out->is_null = false;
    switch (e->sub.kind) {
    case SQL_SUB_EXISTS:
        out->i64 = rows->count > 0;
        return true;
    case SQL_SUB_SCALAR:
        if (rows->count > 1) {
            return rt_err_set(ec->err, SQLSTATE_CARDINALITY_VIOLATION,
                              "more than one row returned by a subquery used as an expression");
        }
        if (rows->count == 0) {
            out->is_null = true;
            return true;
        }
        *out = sql_rowset_row(rows, 0)[0];
        out->type_oid = e->type_oid;
        return true;
    case SQL_SUB_ROWCMP: {
        if (rows->count > 1) {
            return rt_err_set(ec->err, SQLSTATE_CARDINALITY_VIOLATION,
                              "more than one row returned by a subquery used as an expression");
        }
        int r = rows->count == 0 ? SQL_CMP_NULL
                                 : sql_subquery_cmp(ec, e, test, sql_rowset_row(rows, 0));
        if (r == SQL_CMP_FAILED) return false;
        out->is_null = r == SQL_CMP_NULL;
        out->i64 = r == SQL_CMP_TRUE;
        return true;
    }
    case SQL_SUB_ARRAY: {
        sql_array_builder b;
        if (!sql_array_builder_init(&b, ec->arena, sql_type_elem_of(e->type_oid))) return false;
        for (uint64_t i = 0; i < rows->count; i++) {
            if (!sql_array_builder_add(&b, &sql_rowset_row(rows, i)[0])) return false;
        }
        return sql_array_builder_finish(&b, &out->b);
    }
    default: break;
    }
    /* ANY / ALL: three-valued over the rows. */
    bool is_all = e->sub.kind == SQL_SUB_ALL, decided = false, saw_null = false;
    for (uint64_t i = 0; i < rows->count && !decided; i++) {
        int r = sql_subquery_cmp(ec, e, test, sql_rowset_row(rows, i));
        if (r == SQL_CMP_FAILED) return false;
        if (r == SQL_CMP_NULL) saw_null = true;
        else if ((r == SQL_CMP_TRUE) != is_all) decided = true;
    }
    if (decided) out->i64 = !is_all;
    else if (saw_null) out->is_null = true;
    else out->i64 = is_all;
    return true;
}

static sql_vec *sql_subquery_oom(sql_eval_ctx *ec) {
    rt_arena_fail(ec->arena, ec->err);
    return NULL;
}

/* A child execution context for running a subquery plan (correlated: with the outer row, and
 * the WITH results computed so far, computed again for each row from then on, as they may
 * depend on it). */
static bool sql_subquery_ctx(sql_exec_ctx *child, const sql_eval_ctx *ec, rt_arena *arena,
                             const sql_batch *row_batch, uint32_t row) {
    *child = *ec->exec;
    child->arena = arena;
    child->err = ec->err;
    child->outer_depth = 0;
    if (row_batch != NULL) {
        child->outer[0] = row_batch;
        child->outer_row[0] = row;
        child->outer_depth = 1;
        if (child->materials != NULL) {
            size_t bytes = sizeof(void *) * (child->nmaterials + 1u);
            void *own = rt_arena_alloc(arena, bytes);
            if (own == NULL) return rt_arena_fail(arena, ec->err);
            memcpy(own, child->materials, bytes);
            child->materials = own;
        }
    }
    for (uint32_t i = 0; i < ec->outer_depth && child->outer_depth < 4; i++) {
        child->outer[child->outer_depth] = ec->outer[i];
        child->outer_row[child->outer_depth++] = ec->outer_row[i];
    }
    return true;
}

/* In a grouped query, the enclosing row a correlated subquery reads: the level's FROM columns
 * (only grouped ones are read, the binder checks) and aggregates, from the AGG output `in`.
 * The vectors are shared, not copied. */
static const sql_batch *sql_subquery_outer_row(sql_eval_ctx *ec, const sql_expr *e,
                                               const sql_batch *in, uint32_t n) {
    sql_batch *b = rt_arena_alloc(ec->arena, sizeof *b);
    sql_vec *cols = rt_arena_alloc(ec->arena, sizeof *cols * (e->sub.outer_map_len + 1u));
    sql_vec *none = sql_vec_new(ec->arena, SQL_T_INT4, -1, n);
    if (b == NULL || cols == NULL || none == NULL) {
        rt_arena_fail(ec->arena, ec->err);
        return NULL;
    }
    for (uint32_t i = 0; i < e->sub.outer_map_len; i++) {
        uint32_t k = e->sub.outer_map[i];
        RT_ASSERT(k == UINT32_MAX || k < in->ncols);
        cols[i] = k == UINT32_MAX ? *none : in->cols[k];
    }
    *b = (sql_batch){.rows = in->rows, .cap = in->rows, .ncols = e->sub.outer_map_len,
                     .cols = cols};
    return b;
}

sql_vec *sql_exec_subquery(sql_eval_ctx *ec, const sql_expr *e, const sql_batch *in, uint32_t n,
                           const uint8_t *active) {
    sql_exec_ctx *x = ec->exec;
    sql_vec *out = sql_vec_new(ec->arena, e->type_oid, e->typmod, n);
    sql_vec **test = NULL; /* the left side of IN / ANY / ALL (a row: a vector per column) */
    sql_value *t = NULL;
    if (out == NULL) return NULL;
    if (e->nargs > 0) {
        test = rt_arena_alloc(ec->arena, sizeof *test * e->nargs);
        t = rt_arena_alloc(ec->arena, sizeof *t * e->nargs);
        if (test == NULL || t == NULL) return sql_subquery_oom(ec);
        for (uint32_t k = 0; k < e->nargs; k++) {
            if ((test[k] = sql_eval(ec, e->args[k], in, n, active)) == NULL) return NULL;
        }
    }
    sql_rowset *cached = NULL;
    if (!e->sub.correlated) {
        if (x->subquery_cache == NULL) {
            x->subquery_cache = rt_arena_zalloc(x->arena,
                                                sizeof(sql_rowset *) * (x->nsubqueries + 1u));
            if (x->subquery_cache == NULL) return NULL;
        }
        sql_rowset **slots = x->subquery_cache;
        RT_ASSERT(e->sub.id < x->nsubqueries);
        if (slots[e->sub.id] == NULL) {
            sql_rowset *rs = rt_arena_zalloc(x->arena, sizeof *rs);
            if (rs == NULL) return NULL;
            sql_rowset_init(rs, x->arena, e->sub.plan->ncols);
            sql_exec_ctx child;
            if (!sql_subquery_ctx(&child, ec, x->arena, NULL, 0) ||
                !sql_subquery_rows(&child, e->sub.plan, rs, sql_subquery_rows_needed(e))) {
                return NULL;
            }
            slots[e->sub.id] = rs;
        }
        cached = slots[e->sub.id];
    }
    if (e->sub.outer_map != NULL && (in = sql_subquery_outer_row(ec, e, in, n)) == NULL) {
        return NULL;
    }
    rt_arena *tmp = e->sub.correlated ? rt_arena_create(RT_QUERY_ARENA_BYTES_MAX) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = 1;
        if (active != NULL && !active[i]) continue;
        sql_rowset local, *rows = cached;
        if (rows == NULL) {
            rt_arena_reset(tmp);
            sql_rowset_init(&local, tmp, e->sub.plan->ncols);
            sql_exec_ctx child;
            if (!sql_subquery_ctx(&child, ec, tmp, in, i) ||
                !sql_subquery_rows(&child, e->sub.plan, &local, sql_subquery_rows_needed(e))) {
                goto fail;
            }
            rows = &local;
        }
        sql_value v;
        for (uint32_t k = 0; k < e->nargs; k++) sql_vec_get(test[k], i, &t[k]);
        if (!sql_subquery_value(ec, e, rows, t, &v)) goto fail;
        if (!v.is_null && sql_phys_of_type(e->type_oid) == SQL_PHYS_BYTES &&
            !sql_value_copy(ec->arena, &v)) {
            goto fail;
        }
        sql_vec_set(out, i, &v);
    }
    if (tmp != NULL) rt_arena_destroy(tmp);
    return out;
fail:
    if (tmp != NULL) rt_arena_destroy(tmp);
    return NULL;
}
