/* sql_plan.c: plan nodes and the optimiser.
 * The binder reads every table with a SCAN of all its columns and puts WHERE in a FILTER above
 * it; sql_plan_optimize() makes that tree executable and distributed:
 *   - a table read becomes GATHER over a per-partition fragment (SCAN, or PKGET on the one
 *     owning partition when the conjuncts fix the whole primary key to row-independent values);
 *   - WHERE conjuncts move below joins to the side they refer to, and into the scan's filter;
 *   - a projection, a partial aggregation (when every aggregate merges; grouping sets are then
 *     formed by the final one; aggregates that are all DISTINCT over one argument instead drop
 *     duplicate (group, argument) pairs in the fragment) and a local top-k (ORDER BY ...
 *     LIMIT) move into the fragment; a single-table pipeline reads only the columns it needs;
 *   - NESTLOOP with equality conjuncts across the sides becomes HASHJOIN; trees of inner
 *     joins are reordered by cost (sql_plan_join.c) and each hash join placed where it costs
 *     least: index lookups per outer row, co-located, broadcast or gathered (sql_plan_dist.c);
 *   - UPDATE / DELETE become GATHER(writes) over their fragment; INSERT stays on the
 *     coordinator.
 * What runs in a fragment (on another shard, in a context without the session, materials or
 * subquery caches) is restricted to expressions without subqueries, aggregates or volatile
 * functions; everything else stays on the coordinator, above the GATHER. Subquery plans inside
 * expressions and CTE bodies are optimised the same way (once each, as they may be shared). */
#include <math.h>
#include <string.h>

#include "engine/eng_key.h"
#include "sql/sql_array.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

/* sql_plan_cost walks a plan with its own stack: nodes pending at once; past it the rest of
 * a very wide plan goes uncounted, which only makes its estimate lower. */
#define SQL_PLAN_COST_DEPTH_MAX 256

sql_plan *sql_plan_new(rt_arena *arena, sql_plan_kind kind, uint32_t ncols) {
    sql_plan *p = rt_arena_zalloc(arena, sizeof *p);
    if (p == NULL) return NULL;
    p->kind = kind;
    p->ncols = ncols;
    p->cols = rt_arena_zalloc(arena, sizeof(sql_col) * (ncols + 1u));
    return p->cols != NULL ? p : NULL;
}

/* ---- expression helpers ---- */

uint32_t sql_plan_conjuncts(sql_expr *e, sql_expr **out, uint32_t cap) {
    if (e == NULL || cap == 0) return 0;
    if (e->kind != SQL_X_AND || cap == 1) {
        out[0] = e;
        return 1;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->nargs && n < cap; i++) {
        /* The last slot takes whatever is left, still ANDed together. */
        if (n == cap - 1 && i < e->nargs - 1) {
            out[n++] = e;
            return n;
        }
        n += sql_plan_conjuncts(e->args[i], out + n, cap - n);
    }
    return n;
}

static bool sql_expr_info_fn(const sql_expr *e, void *arg) {
    sql_expr_info *in = arg;
    switch (e->kind) {
    case SQL_X_COLUMN:
        if (e->column.index < in->min_col) in->min_col = e->column.index;
        if (e->column.index > in->max_col || in->max_col == UINT32_MAX) {
            in->max_col = e->column.index;
        }
        break;
    case SQL_X_SUBQUERY: in->subquery = true; break;
    case SQL_X_AGGREF: case SQL_X_WINDOWREF: in->aggref = true; break;
    case SQL_X_FUNC:
        if (e->func.def != NULL && (e->func.def->flags & SQL_F_VOLATILE)) in->volatile_fn = true;
        break;
    default: break;
    }
    return true;
}

sql_expr_info sql_expr_info_of(const sql_expr *e) {
    sql_expr_info in = {.min_col = UINT32_MAX, .max_col = UINT32_MAX};
    sql_expr_walk(e, sql_expr_info_fn, &in);
    return in;
}

static bool sql_info_has_cols(const sql_expr_info *in) { return in->min_col != UINT32_MAX; }

/* Whether `e` may be evaluated inside a fragment on another shard. */
bool sql_expr_fragment_safe(const sql_expr *e) {
    if (e == NULL) return true;
    sql_expr_info in = sql_expr_info_of(e);
    return !in.subquery && !in.volatile_fn && !in.aggref;
}

bool sql_is_int_type(uint32_t t) {
    return t == SQL_T_INT2 || t == SQL_T_INT4 || t == SQL_T_INT8;
}

static bool sql_is_inet_type(uint32_t t) { return t == SQL_T_INET || t == SQL_T_CIDR; }

/* Types whose values encode to the same key bytes when `=` holds between them. */
bool sql_key_types_match(uint32_t a, uint32_t b) {
    if (a == b) return true;
    if (sql_is_int_type(a) && sql_is_int_type(b)) return true;
    if (sql_is_inet_type(a) && sql_is_inet_type(b)) return true;
    return (a == SQL_T_TEXT || a == SQL_T_VARCHAR) && (b == SQL_T_TEXT || b == SQL_T_VARCHAR);
}

extern const sql_func_def sql_cast_def;

const sql_expr *sql_expr_unrelabel(const sql_expr *e) {
    if (e->kind == SQL_X_FUNC && e->func.def == &sql_cast_def && e->type_oid == SQL_T_INET &&
        e->args[0]->type_oid == SQL_T_CIDR) {
        return e->args[0];
    }
    return e;
}

bool sql_is_eq_operator(const sql_expr *c) {
    return c->kind == SQL_X_FUNC && c->nargs == 2 && c->func.def != NULL &&
           c->func.def->is_operator && strcmp(c->func.def->name, "=") == 0;
}

bool sql_is_join_key_operator(const sql_expr *c) {
    return sql_is_eq_operator(c) || (c->kind == SQL_X_DISTINCT && c->test.is_not && c->nargs == 2);
}

bool sql_plan_pk_conjunct(const sql_plan *scan, const sql_expr *c, uint32_t *pk_pos,
                          sql_expr **value) {
    const eng_table *t = scan->scan.table;
    if (t == NULL || t->pk_count == 0 || !sql_is_eq_operator(c)) return false;
    for (uint32_t side = 0; side < 2; side++) {
        const sql_expr *col = sql_expr_unrelabel(c->args[side]);
        sql_expr *other = c->args[1 - side];
        if (col->kind != SQL_X_COLUMN || col->column.index >= scan->scan.natts) continue;
        uint16_t attnum = scan->scan.attnums[col->column.index];
        if (attnum == 0 || attnum > t->column_count) continue;
        sql_expr_info in = sql_expr_info_of(other);
        if (sql_info_has_cols(&in) || in.subquery || in.volatile_fn || in.aggref) continue;
        if (!sql_key_types_match(t->columns[attnum - 1].type_oid, other->type_oid)) continue;
        for (uint32_t k = 0; k < t->pk_count; k++) {
            if (t->pk_attnums[k] != attnum) continue;
            *pk_pos = k;
            *value = other;
            return true;
        }
    }
    return false;
}

/* ---- the optimiser's state ---- */

void *sql_opt_oom(sql_opt *o) {
    if (!rt_err_is_set(o->err)) rt_arena_fail(o->arena, o->err);
    return NULL;
}

sql_expr *sql_opt_and(sql_opt *o, sql_expr **conj, uint32_t n) {
    if (n == 0) return NULL;
    sql_expr *acc = conj[0];
    for (uint32_t i = 1; i < n; i++) {
        sql_expr *a = sql_expr_new(o->arena, SQL_X_AND, SQL_T_BOOL, 2);
        if (a == NULL) return sql_opt_oom(o);
        a->typmod = -1;
        a->location = UINT32_MAX;
        a->args[0] = acc;
        a->args[1] = conj[i];
        acc = a;
    }
    return acc;
}

/* Optimises a plan that may be referred to from several places, once. */
static sql_plan *sql_opt_shared(sql_opt *o, sql_plan *p) {
    for (uint32_t i = 0; i < o->nmemo; i++) {
        if (o->memo[i].from == p) return o->memo[i].to;
        if (o->memo[i].to == p) return p;
    }
    sql_plan *np = sql_opt_node(o, p);
    if (np == NULL || !sql_plan_prune(o->arena, np, o->err)) return NULL;
    if (o->nmemo == o->memo_cap) {
        uint32_t cap = o->memo_cap == 0 ? 8 : o->memo_cap * 2;
        sql_opt_memo *m = rt_arena_grow(o->arena, o->memo, sizeof *m * o->memo_cap,
                                        sizeof *m * cap);
        if (m == NULL) return sql_opt_oom(o);
        o->memo = m;
        o->memo_cap = cap;
    }
    o->memo[o->nmemo++] = (sql_opt_memo){.from = p, .to = np};
    return np;
}

/* Optimises the plans of subqueries inside an expression. */
bool sql_opt_expr(sql_opt *o, sql_expr *e) {
    if (e == NULL) return true;
    if (e->kind == SQL_X_SUBQUERY && e->sub.plan != NULL) {
        sql_plan *np = sql_opt_shared(o, e->sub.plan);
        if (np == NULL) return false;
        e->sub.plan = np;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!sql_opt_expr(o, e->args[i])) return false;
    }
    return true;
}

static bool sql_opt_exprs(sql_opt *o, sql_expr **list, uint32_t n) {
    for (uint32_t i = 0; list != NULL && i < n; i++) {
        if (!sql_opt_expr(o, list[i])) return false;
    }
    return true;
}

static bool sql_opt_agg_exprs(sql_opt *o, sql_plan *p) {
    if (!sql_opt_exprs(o, p->agg.group, p->agg.ngroup)) return false;
    for (uint32_t a = 0; a < p->agg.naggs; a++) {
        sql_agg_call *c = &p->agg.aggs[a];
        if (!sql_opt_exprs(o, c->args, c->nargs) || !sql_opt_expr(o, c->filter)) return false;
        for (uint32_t k = 0; k < c->norder; k++) {
            if (!sql_opt_expr(o, c->order[k].expr)) return false;
        }
    }
    return true;
}

static bool sql_opt_modify_exprs(sql_opt *o, sql_plan *p) {
    uint32_t ncols = p->modify.table != NULL ? p->modify.table->column_count : 0;
    return sql_opt_exprs(o, p->modify.defaults, ncols) &&
           sql_opt_exprs(o, p->modify.checks, p->modify.nchecks) &&
           sql_opt_exprs(o, p->modify.conflict_set, ncols) &&
           sql_opt_expr(o, p->modify.conflict_where) &&
           sql_opt_exprs(o, p->modify.set, ncols) && sql_opt_expr(o, p->modify.where) &&
           sql_opt_exprs(o, p->modify.returning, p->modify.nreturning);
}

/* Subquery plans in the expressions of node `p` itself. */
static bool sql_opt_node_exprs(sql_opt *o, sql_plan *p) {
    switch (p->kind) {
    case SQL_P_VALUES:
        for (uint32_t r = 0; r < p->values.nrows; r++) {
            if (!sql_opt_exprs(o, p->values.rows[r], p->ncols)) return false;
        }
        return true;
    case SQL_P_SCAN: case SQL_P_PKGET:
        return sql_opt_expr(o, p->scan.filter) && sql_opt_exprs(o, p->scan.key, p->scan.nkey);
    case SQL_P_CATALOG: return sql_opt_expr(o, p->catalog.filter);
    case SQL_P_FUNCSCAN: return sql_opt_exprs(o, p->func.args, p->func.nargs);
    case SQL_P_FILTER: return sql_opt_expr(o, p->filter.pred);
    case SQL_P_PROJECT: case SQL_P_PROJECTSET:
        return sql_opt_exprs(o, p->project.exprs, p->ncols);
    case SQL_P_NESTLOOP: case SQL_P_HASHJOIN:
        return sql_opt_expr(o, p->join.quals);
    case SQL_P_AGG: return sql_opt_agg_exprs(o, p);
    case SQL_P_SORT:
        for (uint32_t k = 0; k < p->sort.nkeys; k++) {
            if (!sql_opt_expr(o, p->sort.keys[k].expr)) return false;
        }
        return sql_opt_expr(o, p->sort.limit) && sql_opt_expr(o, p->sort.offset);
    case SQL_P_LIMIT:
        for (uint32_t k = 0; k < p->limit.nties; k++) {
            if (!sql_opt_expr(o, p->limit.ties[k].expr)) return false;
        }
        return sql_opt_expr(o, p->limit.limit) && sql_opt_expr(o, p->limit.offset);
    case SQL_P_DISTINCT: return sql_opt_exprs(o, p->distinct.keys, p->distinct.nkeys);
    case SQL_P_INSERT: case SQL_P_UPDATE: case SQL_P_DELETE: return sql_opt_modify_exprs(o, p);
    default: return true;
    }
}

/* ---- new nodes ---- */

sql_plan *sql_opt_filter_over(sql_opt *o, sql_plan *child, sql_expr **conj, uint32_t n) {
    if (n == 0) return child;
    sql_plan *f = sql_plan_new(o->arena, SQL_P_FILTER, child->ncols);
    if (f == NULL) return sql_opt_oom(o);
    memcpy(f->cols, child->cols, sizeof(sql_col) * child->ncols);
    f->left = child;
    f->est_rows = child->est_rows / 3 + 1;
    if ((f->filter.pred = sql_opt_and(o, conj, n)) == NULL) return NULL;
    return f;
}

static sql_plan *sql_opt_gather(sql_opt *o, sql_plan *frag, const eng_table *t, bool writes) {
    sql_plan *g = sql_plan_new(o->arena, SQL_P_GATHER, 0);
    if (g == NULL) return sql_opt_oom(o);
    g->ncols = frag->ncols;
    g->cols = frag->cols;
    g->left = frag;
    g->gather.table = t;
    g->gather.writes = writes;
    g->est_rows = frag->est_rows;
    return g;
}

/* Turns `scan` into a PKGET when its conjuncts fix every primary-key column. With
 * `keep_filter` the whole filter stays (UPDATE re-checks it on newer row versions); otherwise
 * only the conjuncts that are not key equalities. */
static bool sql_opt_pkget(sql_opt *o, sql_plan *scan, bool keep_filter) {
    const eng_table *t = scan->scan.table;
    if (t->pk_count == 0 || scan->scan.filter == NULL) return true;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX], *rest[SQL_PLAN_CONJUNCTS_MAX];
    sql_expr *key[ENG_INDEX_COLUMNS_MAX] = {0};
    uint32_t n = sql_plan_conjuncts(scan->scan.filter, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t nrest = 0, found = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t pos;
        sql_expr *value;
        if (sql_plan_pk_conjunct(scan, conj[i], &pos, &value) && key[pos] == NULL) {
            key[pos] = value;
            found++;
            continue;
        }
        rest[nrest++] = conj[i];
    }
    if (found < t->pk_count) return true;
    scan->scan.key = rt_arena_alloc(o->arena, sizeof(sql_expr *) * t->pk_count);
    if (scan->scan.key == NULL) return sql_opt_oom(o);
    memcpy(scan->scan.key, key, sizeof(sql_expr *) * t->pk_count);
    scan->scan.nkey = t->pk_count;
    scan->kind = SQL_P_PKGET;
    scan->est_rows = 1;
    if (!keep_filter) {
        scan->scan.filter = NULL;
        if (nrest > 0 && (scan->scan.filter = sql_opt_and(o, rest, nrest)) == NULL) return false;
    }
    return true;
}

/* ---- partition pruning for IN lists ---- */

/* The value of a constant (or a cast of one) known at plan time; false when it is not one or
 * does not evaluate (then nothing is pruned and execution reports any error). */
static bool sql_opt_const_value(sql_opt *o, const sql_expr *e, sql_value *out) {
    bool cast = e->kind == SQL_X_FUNC && e->func.def != NULL && e->nargs == 1 &&
                strcmp(e->func.def->name, "cast") == 0 && e->args[0]->kind == SQL_X_CONST &&
                e->args[0]->type_oid != SQL_T_TEXT; /* text may read by session settings */
    if (e->kind != SQL_X_CONST && !cast) return false;
    rt_err err;
    rt_err_clear(&err);
    sql_fmt fmt = {.extra_float_digits = 1};
    sql_eval_ctx ec = {.arena = o->arena, .err = &err,
                       .io = {.arena = o->arena, .fmt = &fmt, .err = &err}};
    return sql_eval_scalar(&ec, e, out) && !rt_err_is_set(&err);
}

/* `pk IN (constants)` on a one-column primary key: only the partitions owning those keys. */
static bool sql_opt_in_partitions(sql_opt *o, sql_plan *scan, sql_plan *gather) {
    const eng_table *t = scan->scan.table;
    if (t->pk_count != 1 || scan->kind != SQL_P_SCAN || scan->scan.filter == NULL) return true;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(scan->scan.filter, conj, SQL_PLAN_CONJUNCTS_MAX);
    for (uint32_t i = 0; i < n; i++) {
        const sql_expr *c = conj[i];
        if (c->kind != SQL_X_IN_LIST || c->test.is_not || c->args[0]->kind != SQL_X_COLUMN ||
            c->args[0]->column.index >= scan->scan.natts ||
            scan->scan.attnums[c->args[0]->column.index] != t->pk_attnums[0]) {
            continue;
        }
        uint32_t *parts = rt_arena_alloc(o->arena, sizeof(uint32_t) * c->nargs);
        bool *seen = rt_arena_zalloc(o->arena, t->partition_count + 1u);
        if (parts == NULL || seen == NULL) return sql_opt_oom(o);
        uint32_t np = 0, pk_type = t->columns[t->pk_attnums[0] - 1].type_oid;
        bool ok = true;
        for (uint32_t k = 1; k < c->nargs && ok; k++) {
            sql_value v;
            ok = sql_key_types_match(pk_type, c->args[k]->type_oid) &&
                 sql_opt_const_value(o, c->args[k], &v);
            if (!ok || v.is_null) continue; /* NULL matches no row */
            eng_codec_w key;
            eng_w_init(&key);
            rt_err err;
            rt_err_clear(&err);
            ok = eng_key_append(&key, &v, false, &err);
            uint32_t part = ok ? (uint32_t)(eng_key_hash(key.buf, (uint32_t)key.len) %
                                            t->partition_count)
                               : 0;
            rt_free(key.buf);
            if (ok && !seen[part]) parts[np++] = part;
            if (ok) seen[part] = true;
        }
        if (!ok) continue;
        if (np == 0) parts[np++] = 0; /* no key can match: one partition answers "none" */
        gather->gather.partitions = parts;
        gather->gather.npartitions = np;
        return true;
    }
    return true;
}

/* ---- table reads ---- */

static bool sql_is_table_read(const sql_plan *p) {
    return p->kind == SQL_P_SCAN && !p->scan.want_slots && p->scan.table != NULL;
}

/* A table read with the conjuncts `conj` (all fragment-safe) as its filter: GATHER over a
 * SCAN, or over a PKGET of the one partition its primary key names. */
static sql_plan *sql_opt_table(sql_opt *o, sql_plan *scan, sql_expr **conj, uint32_t n) {
    if (!sql_opt_node_exprs(o, scan)) return NULL;
    if (n > 0) {
        sql_expr *all[SQL_PLAN_CONJUNCTS_MAX + 1];
        uint32_t k = 0;
        if (scan->scan.filter != NULL) all[k++] = scan->scan.filter;
        for (uint32_t i = 0; i < n && k < SQL_PLAN_CONJUNCTS_MAX + 1; i++) all[k++] = conj[i];
        if ((scan->scan.filter = sql_opt_and(o, all, k)) == NULL) return NULL;
    }
    /* Rows: the last ANALYZE's (or automatic statistics'), else a fixed guess; the
     * selectivity of the filter from the same statistics or PostgreSQL's defaults. */
    const eng_table *t = scan->scan.table;
    double rows = sql_stats_rows(t);
    if (rows < 0) rows = SQL_PLAN_DEFAULT_ROWS;
    scan->est_rows = rows * sql_stats_selectivity(t, scan->scan.attnums, scan->scan.natts,
                                                  scan->scan.filter);
    if (scan->est_rows < 1) scan->est_rows = 1;
    if (!sql_opt_pkget(o, scan, false)) return NULL;
    sql_plan *g = sql_opt_gather(o, scan, scan->scan.table, scan->scan.lock_strength != 0);
    if (g == NULL || !sql_opt_in_partitions(o, scan, g)) return NULL;
    if (!sql_plan_ixscan(o->arena, scan, o->err)) return NULL; /* a selective secondary index */
    return g;
}

/* The scan at the bottom of a GATHER's fragment when nothing but an optional PROJECT sits
 * between them (NULL otherwise). */
static sql_plan *sql_frag_scan(const sql_plan *g, bool allow_project) {
    if (g == NULL || g->kind != SQL_P_GATHER || g->gather.writes || g->left == NULL) return NULL;
    sql_plan *f = g->left;
    if (allow_project && f->kind == SQL_P_PROJECT) f = f->left;
    bool read = f != NULL && (f->kind == SQL_P_SCAN || f->kind == SQL_P_PKGET ||
                              f->kind == SQL_P_IXSCAN);
    if (!read || f->scan.want_slots) {
        return NULL;
    }
    return f;
}

/* Whether a GATHER's fragment is a join run on the shards (co-located, broadcast or
 * re-partitioned), through an optional PROJECT: an aggregation above can run partially in it
 * too. */
static bool sql_frag_join(const sql_plan *g) {
    if (g == NULL || g->kind != SQL_P_GATHER || g->gather.writes || g->left == NULL) return false;
    const sql_plan *f = g->left;
    if (f->kind == SQL_P_PROJECT) f = f->left;
    return f != NULL && f->kind == SQL_P_HASHJOIN &&
           (f->join.strategy == SQL_JOIN_COLOCATED || f->join.strategy == SQL_JOIN_BROADCAST ||
            f->join.strategy == SQL_JOIN_REPARTITION);
}

typedef struct sql_col_use {
    bool *used;
    uint32_t n;
} sql_col_use;

static bool sql_col_use_fn(const sql_expr *e, void *arg) {
    sql_col_use *u = arg;
    if (e->kind == SQL_X_COLUMN && e->column.index < u->n) u->used[e->column.index] = true;
    return true;
}

/* Reads only the columns of `scan` that its filter and the expressions `exprs` (over the
 * scan's output) use; remaps them in place. The caller guarantees nothing else refers to the
 * scan's columns. */
static bool sql_opt_prune(sql_opt *o, sql_plan *scan, sql_expr ***exprs, uint32_t n) {
    uint32_t natts = scan->scan.natts;
    sql_col_use u = {.used = rt_arena_zalloc(o->arena, natts + 1u), .n = natts};
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (natts + 1u));
    if (u.used == NULL || map == NULL) return sql_opt_oom(o);
    sql_expr_walk(scan->scan.filter, sql_col_use_fn, &u);
    for (uint32_t i = 0; i < n; i++) sql_expr_walk(*exprs[i], sql_col_use_fn, &u);
    uint32_t kept = 0;
    for (uint32_t c = 0; c < natts; c++) kept += u.used[c];
    if (kept == natts) return true;
    if (kept == 0) { /* count(*): one column still carries the rows */
        u.used[0] = true;
        kept = 1;
    }
    uint16_t *attnums = rt_arena_alloc(o->arena, sizeof(uint16_t) * (kept + 1u));
    sql_col *cols = rt_arena_zalloc(o->arena, sizeof(sql_col) * (kept + 1u));
    if (attnums == NULL || cols == NULL) return sql_opt_oom(o);
    uint32_t k = 0;
    for (uint32_t c = 0; c < natts; c++) {
        map[c] = UINT32_MAX;
        if (!u.used[c]) continue;
        map[c] = k;
        attnums[k] = scan->scan.attnums[c];
        cols[k++] = scan->cols[c];
    }
    for (uint32_t i = 0; i < n; i++) {
        if (*exprs[i] != NULL && (*exprs[i] = sql_expr_remap(o->arena, *exprs[i], map, natts)) ==
                                     NULL) {
            return sql_opt_oom(o);
        }
    }
    if (scan->scan.filter != NULL &&
        (scan->scan.filter = sql_expr_remap(o->arena, scan->scan.filter, map, natts)) == NULL) {
        return sql_opt_oom(o);
    }
    scan->scan.attnums = attnums;
    scan->scan.natts = kept;
    scan->cols = cols;
    scan->ncols = kept;
    return true;
}

/* ---- filters and joins ---- */

int sql_conj_side(const sql_expr *c, uint32_t nleft) {
    sql_expr_info in = sql_expr_info_of(c);
    if (in.subquery || in.aggref || !sql_info_has_cols(&in)) return SQL_SIDE_NONE;
    if (in.max_col < nleft) return SQL_SIDE_LEFT;
    if (in.min_col >= nleft) return SQL_SIDE_RIGHT;
    return SQL_SIDE_BOTH;
}

/* Conjunct over the join's row rewritten over its right input. */
static sql_expr *sql_opt_to_right(sql_opt *o, const sql_expr *c, uint32_t nleft, uint32_t n) {
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (n + 1u));
    if (map == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < n; i++) map[i] = i < nleft ? UINT32_MAX : i - nleft;
    sql_expr *r = sql_expr_remap(o->arena, c, map, n);
    return r != NULL ? r : sql_opt_oom(o);
}

/* Moves the conjuncts `conj` of a join's WHERE (where_clause) or ON condition into the sides
 * where that keeps the result; returns how many stay (compacted at the front of conj). ON
 * conditions may also stay as the join's quals. */
static int32_t sql_opt_distribute(sql_opt *o, sql_plan *j, sql_expr **conj, uint32_t n,
                                  bool where_clause) {
    uint32_t jt = j->join.join_type, nleft = j->left->ncols;
    bool inner = jt == SQL_JOIN_INNER || jt == SQL_JOIN_CROSS;
    /* WHERE may filter a preserved side early; ON may filter the side it does not preserve. */
    bool to_left = inner || (where_clause ? jt == SQL_JOIN_LEFT : jt == SQL_JOIN_RIGHT);
    bool to_right = inner || (where_clause ? jt == SQL_JOIN_RIGHT : jt == SQL_JOIN_LEFT);
    sql_expr *left[SQL_PLAN_CONJUNCTS_MAX], *right[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nl = 0, nr = 0, keep = 0;
    for (uint32_t i = 0; i < n; i++) {
        int side = j->join.semi || j->join.anti ? SQL_SIDE_NONE : sql_conj_side(conj[i], nleft);
        if (side == SQL_SIDE_LEFT && to_left) {
            left[nl++] = conj[i];
        } else if (side == SQL_SIDE_RIGHT && to_right) {
            if ((right[nr++] = sql_opt_to_right(o, conj[i], nleft, j->ncols)) == NULL) return -1;
        } else {
            conj[keep++] = conj[i];
        }
    }
    if ((j->left = sql_opt_filter_over(o, j->left, left, nl)) == NULL) return -1;
    if ((j->right = sql_opt_filter_over(o, j->right, right, nr)) == NULL) return -1;
    return (int32_t)keep;
}

/* Types whose hash and equality agree with `=` between two values of that same type. */
static bool sql_hashable_type(uint32_t t) {
    switch (t) {
    case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8: case SQL_T_TEXT: case SQL_T_VARCHAR:
    case SQL_T_BOOL: case SQL_T_DATE: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
    case SQL_T_UUID: case SQL_T_OID: case SQL_T_BYTEA: case SQL_T_NAME: case SQL_T_INET:
    case SQL_T_CIDR: /* is_cidr is 0 in memory (sql_inet.h): equal values, equal bytes */
    case SQL_T_BIT: case SQL_T_VARBIT: /* pad bits are zero (sql_bit.h) */
        return true;
    default: return false;
    }
}

/* NESTLOOP -> HASHJOIN on the equality (and IS NOT DISTINCT FROM: NULLs match there)
 * conjuncts of its quals that compare a left-only expression with a right-only one of a type
 * with the same hash and equality. The quals stay whole: the executor re-checks them on each
 * candidate pair. */
bool sql_opt_hash_keys(sql_opt *o, sql_plan *j) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t nleft = j->left->ncols, nk = 0;
    sql_expr **lk = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (n + 1u));
    sql_expr **rk = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (n + 1u));
    if (lk == NULL || rk == NULL) return sql_opt_oom(o);
    uint16_t nulls_equal = 0;
    for (uint32_t i = 0; i < n && nk < 16; i++) {
        sql_expr *c = conj[i];
        bool not_distinct = c->kind == SQL_X_DISTINCT && c->test.is_not;
        /* Integer types share one hash and comparison, so do text and varchar. */
        if (!sql_is_join_key_operator(c) ||
            !sql_key_types_match(c->args[0]->type_oid, c->args[1]->type_oid) ||
            !sql_hashable_type(c->args[0]->type_oid) || !sql_hashable_type(c->args[1]->type_oid)) {
            continue;
        }
        int s0 = sql_conj_side(c->args[0], nleft), s1 = sql_conj_side(c->args[1], nleft);
        sql_expr *l, *r;
        if (s0 == SQL_SIDE_LEFT && s1 == SQL_SIDE_RIGHT) {
            l = c->args[0];
            r = c->args[1];
        } else if (s0 == SQL_SIDE_RIGHT && s1 == SQL_SIDE_LEFT) {
            l = c->args[1];
            r = c->args[0];
        } else {
            continue;
        }
        if (sql_expr_info_of(l).volatile_fn || sql_expr_info_of(r).volatile_fn) continue;
        lk[nk] = l;
        if ((rk[nk] = sql_opt_to_right(o, r, nleft, j->ncols)) == NULL) return false;
        if (not_distinct) nulls_equal |= (uint16_t)(1u << nk);
        nk++;
    }
    if (nk == 0) return true;
    j->kind = SQL_P_HASHJOIN;
    j->join.nulls_equal = nulls_equal;
    j->join.nkeys = nk;
    j->join.left_keys = lk;
    j->join.right_keys = rk;
    return true;
}

/* A LEFT hash join on the coordinator whose preserved (left) side is estimated smaller than
 * its nullable side builds the preserved side instead: the sides swapped as a RIGHT join,
 * which emits the build rows nothing matched at the end (PostgreSQL's Hash Right Join), under
 * a projection of the written columns. The hash table holds the smaller side. */
static sql_plan *sql_opt_hash_right(sql_opt *o, sql_plan *j) {
    if (j->kind != SQL_P_HASHJOIN || j->join.join_type != SQL_JOIN_LEFT || j->join.merge ||
        j->join.lateral || j->join.semi || j->join.anti ||
        j->join.strategy != SQL_JOIN_GATHERED || j->left->est_rows >= j->right->est_rows) {
        return j;
    }
    uint32_t nl = j->left->ncols, nr = j->right->ncols, n = nl + nr;
    RT_ASSERT(j->ncols == n);
    uint32_t *map = rt_arena_alloc(o->arena, sizeof(uint32_t) * (n + 1u));
    sql_plan *s = sql_plan_new(o->arena, SQL_P_HASHJOIN, n);
    if (map == NULL || s == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < n; i++) map[i] = i < nl ? nr + i : i - nl;
    sql_col *cols = s->cols;
    *s = *j;
    s->cols = cols;
    memcpy(s->cols, j->right->cols, sizeof(sql_col) * nr);
    memcpy(s->cols + nr, j->left->cols, sizeof(sql_col) * nl);
    s->left = j->right;
    s->right = j->left;
    s->join.join_type = SQL_JOIN_RIGHT;
    s->join.probe_first = false; /* the small side is the build side now */
    s->join.left_keys = j->join.right_keys;
    s->join.right_keys = j->join.left_keys;
    if (j->join.quals != NULL &&
        (s->join.quals = sql_expr_remap(o->arena, j->join.quals, map, n)) == NULL) {
        return sql_opt_oom(o);
    }
    return sql_opt_project_to(o, s, j, map);
}

static sql_plan *sql_opt_join(sql_opt *o, sql_plan *j) {
    if (!sql_opt_outer_reduce(o, j)) return NULL;
    sql_plan *oj = sql_opt_reorder_outer(o, j);
    if (oj != j) return oj;
    if (sql_is_reorderable(j)) {
        sql_plan *p = sql_opt_outer_pullup(o, j);
        if (p == NULL) return NULL;
        if (p != j) return sql_opt_node(o, p);
        return sql_opt_reorder(o, j);
    }
    if (j->join.join_type == SQL_JOIN_LEFT) {
        sql_plan *p = sql_opt_outer_assoc(o, j);
        if (p != j) return p;
    }
    if (!sql_opt_node_exprs(o, j)) return NULL;
    if (j->join.quals != NULL && j->join.join_type != SQL_JOIN_FULL) {
        sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
        uint32_t n = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
        int32_t keep = sql_opt_distribute(o, j, conj, n, false);
        if (keep < 0) return NULL;
        j->join.quals = NULL;
        if (keep > 0 && (j->join.quals = sql_opt_and(o, conj, (uint32_t)keep)) == NULL) {
            return NULL;
        }
    }
    if ((j->left = sql_opt_node(o, j->left)) == NULL) return NULL;
    if ((j->right = sql_opt_node(o, j->right)) == NULL) return NULL;
    /* A LATERAL right side depends on the left row: it cannot be hashed once. */
    if (j->join.quals != NULL && !j->join.lateral && !sql_opt_hash_keys(o, j)) return NULL;
    if (j->join.semi || j->join.anti) {
        j->est_rows = j->left->est_rows / 2 + 1;
        return sql_opt_join_strategy(o, j);
    }
    j->est_rows = j->join.quals != NULL ? (j->left->est_rows > j->right->est_rows
                                               ? j->left->est_rows : j->right->est_rows)
                                        : j->left->est_rows * j->right->est_rows;
    sql_plan *p = sql_opt_join_strategy(o, j);
    return p != NULL ? sql_opt_hash_right(o, p) : NULL;
}

/* Whether a projection's output column may stand in a condition moved below it. */
static bool sql_opt_subst_safe(const sql_expr *e) {
    sql_expr_info in = sql_expr_info_of(e);
    return !in.subquery && !in.volatile_fn && !in.aggref;
}

typedef struct sql_opt_subst {
    sql_expr **exprs;        /* a PROJECT's */
    uint32_t nexprs;
    const uint32_t *identity; /* over its input, for copying */
    uint32_t ninput;
    bool safe;
} sql_opt_subst;

static bool sql_opt_subst_check(const sql_expr *e, void *arg) {
    sql_opt_subst *s = arg;
    if (e->kind == SQL_X_COLUMN) {
        s->safe = s->safe && e->column.index < s->nexprs &&
                  sql_opt_subst_safe(s->exprs[e->column.index]);
    }
    return s->safe;
}

/* The substitution of the PROJECT proj's expressions for its columns; false when out of
 * memory (o->err set). */
static bool sql_opt_subst_of(sql_opt *o, const sql_plan *proj, sql_opt_subst *s) {
    uint32_t ninput = proj->left->ncols;
    uint32_t *identity = rt_arena_alloc(o->arena, sizeof(uint32_t) * (ninput + 1u));
    if (identity == NULL) {
        sql_opt_oom(o);
        return false;
    }
    for (uint32_t i = 0; i < ninput; i++) identity[i] = i;
    *s = (sql_opt_subst){.exprs = proj->project.exprs, .nexprs = proj->ncols,
                         .identity = identity, .ninput = ninput, .safe = true};
    return true;
}

/* A copy of `e` with each column replaced by (a copy of) the projection's expression. */
static sql_expr *sql_opt_subst_copy(sql_opt *o, const sql_expr *e, const sql_opt_subst *s) {
    if (e->kind == SQL_X_COLUMN) {
        return sql_expr_remap(o->arena, s->exprs[e->column.index], s->identity, s->ninput);
    }
    sql_expr *c = sql_expr_copy_node(o->arena, e);
    if (c == NULL) return NULL;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((c->args[i] = sql_opt_subst_copy(o, e->args[i], s)) == NULL) return NULL;
    }
    return c;
}

/* FILTER over a PROJECT (a subquery in FROM, an inlined WITH query): the conjuncts that read
 * only its plain output columns go below it, rewritten over its input, so they reach the
 * table read, join or index there (what PostgreSQL's pull-up of a simple subquery gives).
 * Returns how many conjuncts stay (compacted at the front of conj), UINT32_MAX when out of
 * memory. */
static uint32_t sql_opt_filter_project(sql_opt *o, sql_plan *proj, sql_expr **conj, uint32_t n) {
    sql_opt_subst s;
    if (!sql_opt_subst_of(o, proj, &s)) return UINT32_MAX;
    sql_expr *push[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t keep = 0, npush = 0;
    for (uint32_t i = 0; i < n; i++) {
        s.safe = sql_opt_subst_safe(conj[i]);
        if (s.safe) sql_expr_walk(conj[i], sql_opt_subst_check, &s);
        sql_expr *c = s.safe ? sql_opt_subst_copy(o, conj[i], &s) : NULL;
        if (s.safe && c == NULL) {
            sql_opt_oom(o);
            return UINT32_MAX;
        }
        if (c != NULL) push[npush++] = c;
        else conj[keep++] = conj[i];
    }
    if (npush == 0) return keep;
    sql_plan *f = sql_plan_new(o->arena, SQL_P_FILTER, 0);
    if (f == NULL || (f->filter.pred = sql_opt_and(o, push, npush)) == NULL) {
        sql_opt_oom(o);
        return UINT32_MAX;
    }
    f->ncols = proj->left->ncols;
    f->cols = proj->left->cols;
    f->left = proj->left;
    f->est_rows = proj->left->est_rows / 3 + 1;
    proj->left = f;
    return keep;
}

/* FILTER: conjuncts go into the table read below, into a join's sides or its quals, below a
 * projection; what cannot move (subqueries, sides a join does not allow) stays here. */
static sql_plan *sql_opt_filter(sql_opt *o, sql_plan *f) {
    sql_plan *sj = sql_opt_semijoins(o, f);
    if (sj != f) return sj != NULL ? sql_opt_node(o, sj) : NULL;
    if (!sql_opt_node_exprs(o, f)) return NULL;
    if (f->left->kind == SQL_P_NESTLOOP && !sql_opt_outer_reduce(o, f)) return NULL;
    sql_plan *child = f->left;
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX], *push[SQL_PLAN_CONJUNCTS_MAX + 1]; /* + the quals */
    uint32_t n = sql_plan_conjuncts(f->filter.pred, conj, SQL_PLAN_CONJUNCTS_MAX);
    uint32_t keep = 0, npush = 0;
    if (sql_is_table_read(child)) {
        for (uint32_t i = 0; i < n; i++) {
            if (sql_expr_fragment_safe(conj[i])) push[npush++] = conj[i];
            else conj[keep++] = conj[i];
        }
        child = sql_opt_table(o, child, push, npush);
    } else if (child->kind == SQL_P_NESTLOOP && !child->join.semi && !child->join.anti) {
        int32_t k = sql_opt_distribute(o, child, conj, n, true);
        if (k < 0) return NULL;
        keep = 0;
        uint32_t jt = child->join.join_type;
        for (uint32_t i = 0; i < (uint32_t)k; i++) { /* cross-side conjuncts join the quals */
            bool inner = jt == SQL_JOIN_INNER || jt == SQL_JOIN_CROSS;
            if (inner && sql_conj_side(conj[i], child->left->ncols) == SQL_SIDE_BOTH) {
                push[npush++] = conj[i];
            } else {
                conj[keep++] = conj[i];
            }
        }
        if (npush > 0) {
            if (child->join.quals != NULL) push[npush++] = child->join.quals;
            if ((child->join.quals = sql_opt_and(o, push, npush)) == NULL) return NULL;
            child->join.join_type = SQL_JOIN_INNER;
        }
        child = sql_opt_node(o, child);
    } else if (child->kind == SQL_P_PROJECT) {
        keep = sql_opt_filter_project(o, child, conj, n);
        if (keep == UINT32_MAX) return NULL;
        child = sql_opt_node(o, child);
    } else {
        keep = n;
        child = sql_opt_node(o, child);
    }
    if (child == NULL) return NULL;
    if (keep == 0) return child;
    f->left = child;
    if ((f->filter.pred = sql_opt_and(o, conj, keep)) == NULL) return NULL;
    f->est_rows = child->est_rows / 3 + 1;
    return f;
}

/* ---- projections, aggregation, sorting ---- */

static bool sql_exprs_fragment_safe(sql_expr **list, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (!sql_expr_fragment_safe(list[i])) return false;
    }
    return true;
}

/* Composes the PROJECT p with the PROJECT `inner` it reads (a subquery in FROM, an inlined
 * WITH query): `inner` computes p's columns from its own input afterwards. False when they
 * must stay apart (p reads a volatile or subquery column of `inner`, or has a subquery of its
 * own, whose outer references read p's input) or when out of memory (o->err set). */
static bool sql_opt_project_compose(sql_opt *o, sql_plan *p, sql_plan *inner) {
    for (uint32_t c = 0; c < p->ncols; c++) {
        if (sql_expr_info_of(p->project.exprs[c]).subquery) return false;
    }
    sql_opt_subst s;
    sql_expr **exprs = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (p->ncols + 1u));
    if (exprs == NULL) {
        sql_opt_oom(o);
        return false;
    }
    if (!sql_opt_subst_of(o, inner, &s)) return false;
    for (uint32_t c = 0; c < p->ncols && s.safe; c++) {
        sql_expr_walk(p->project.exprs[c], sql_opt_subst_check, &s);
    }
    if (!s.safe) return false;
    for (uint32_t c = 0; c < p->ncols; c++) {
        if ((exprs[c] = sql_opt_subst_copy(o, p->project.exprs[c], &s)) == NULL) {
            sql_opt_oom(o);
            return false;
        }
    }
    inner->project.exprs = exprs;
    inner->ncols = p->ncols;
    inner->cols = p->cols;
    return true;
}

/* PROJECT over a table read moves into the fragment, which then reads only what it uses. */
static sql_plan *sql_opt_project(sql_opt *o, sql_plan *p) {
    if (!sql_opt_node_exprs(o, p)) return NULL;
    sql_plan *child = sql_opt_node(o, p->left);
    if (child == NULL) return NULL;
    p->left = child;
    p->est_rows = child->est_rows;
    /* Over another projection (directly, or as a fragment's over a table read): one. */
    if (child->kind == SQL_P_PROJECT ||
        (sql_frag_scan(child, true) != NULL && child->left->kind == SQL_P_PROJECT &&
         sql_exprs_fragment_safe(p->project.exprs, p->ncols))) {
        sql_plan *inner = child->kind == SQL_P_PROJECT ? child : child->left;
        if (sql_opt_project_compose(o, p, inner)) {
            child->ncols = p->ncols;
            child->cols = p->cols;
            return child;
        }
        if (rt_err_is_set(o->err)) return NULL;
    }
    sql_plan *scan = sql_frag_scan(child, false);
    if (scan == NULL || !sql_exprs_fragment_safe(p->project.exprs, p->ncols)) return p;
    sql_expr ***refs = rt_arena_alloc(o->arena, sizeof(sql_expr **) * (p->ncols + 1u));
    if (refs == NULL) return sql_opt_oom(o);
    for (uint32_t c = 0; c < p->ncols; c++) refs[c] = &p->project.exprs[c];
    if (!sql_opt_prune(o, scan, refs, p->ncols)) return NULL;
    p->left = scan;
    child->left = p;
    child->ncols = p->ncols;
    child->cols = p->cols;
    return child;
}

/* Whether an aggregation can run as PARTIAL on the shards and FINAL on the coordinator. */
static bool sql_agg_splittable(const sql_plan *a) {
    if (a->agg.mode != SQL_AGG_SINGLE) return false;
    if (!sql_exprs_fragment_safe(a->agg.group, a->agg.ngroup)) return false;
    for (uint32_t i = 0; i < a->agg.naggs; i++) {
        const sql_agg_call *c = &a->agg.aggs[i];
        if (!c->def->portable || c->def->merge == NULL || c->distinct || c->norder > 0) {
            return false;
        }
        if (!sql_exprs_fragment_safe(c->args, c->nargs) || !sql_expr_fragment_safe(c->filter)) {
            return false;
        }
    }
    return true;
}

/* Column references to everything an aggregation reads from its input. */
static sql_expr ***sql_agg_refs(sql_opt *o, sql_plan *a, uint32_t *n) {
    uint32_t cap = a->agg.ngroup + 1;
    for (uint32_t i = 0; i < a->agg.naggs; i++) cap += a->agg.aggs[i].nargs + 1;
    sql_expr ***refs = rt_arena_alloc(o->arena, sizeof(sql_expr **) * cap);
    if (refs == NULL) return sql_opt_oom(o);
    uint32_t k = 0;
    for (uint32_t g = 0; g < a->agg.ngroup; g++) refs[k++] = &a->agg.group[g];
    for (uint32_t i = 0; i < a->agg.naggs; i++) {
        sql_agg_call *c = &a->agg.aggs[i];
        for (uint32_t j = 0; j < c->nargs; j++) refs[k++] = &c->args[j];
        refs[k++] = &c->filter;
    }
    *n = k;
    return refs;
}

/* The one argument every aggregate of `a` takes with DISTINCT (count(DISTINCT x), sum(DISTINCT
 * x), GROUPING() aside), or NULL when they are not all of that shape. */
static const sql_agg_call *sql_agg_distinct_arg(const sql_plan *a) {
    const sql_agg_call *first = NULL;
    for (uint32_t i = 0; i < a->agg.naggs; i++) {
        const sql_agg_call *c = &a->agg.aggs[i];
        if (c->grouping != NULL) continue;
        if (!c->distinct || c->nargs != 1 || c->norder > 0 || c->filter != NULL || c->star ||
            !sql_expr_fragment_safe(c->args[0])) {
            return NULL;
        }
        if (first == NULL) first = c;
        else if (!sql_expr_equal(first->args[0], c->args[0])) return NULL;
    }
    return first;
}

/* DISTINCT aggregates cannot merge states, but the shards can drop the duplicate (group keys,
 * argument) pairs they hold: the fragment keeps each pair once and the coordinator aggregates
 * what is left (still with DISTINCT, for pairs found on several shards). */
static sql_plan *sql_opt_agg_distinct(sql_opt *o, sql_plan *a, sql_plan *child,
                                      sql_plan *scan) {
    if (a->agg.mode != SQL_AGG_SINGLE || sql_agg_distinct_arg(a) == NULL ||
        !sql_exprs_fragment_safe(a->agg.group, a->agg.ngroup)) {
        return a;
    }
    if (child->left == scan) { /* nothing else reads the scan: read only what we use */
        uint32_t n;
        sql_expr ***refs = sql_agg_refs(o, a, &n);
        if (refs == NULL || !sql_opt_prune(o, scan, refs, n)) return NULL;
    }
    uint32_t ng = a->agg.ngroup;
    const sql_expr *arg = sql_agg_distinct_arg(a)->args[0];
    sql_plan *proj = sql_plan_new(o->arena, SQL_P_PROJECT, ng + 1);
    sql_plan *dist = sql_plan_new(o->arena, SQL_P_DISTINCT, ng + 1);
    sql_expr **group = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (ng + 1u));
    sql_agg_call *aggs = rt_arena_alloc(o->arena, sizeof(sql_agg_call) * (a->agg.naggs + 1u));
    if (proj == NULL || dist == NULL || group == NULL || aggs == NULL ||
        (proj->project.exprs = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (ng + 1u))) == NULL) {
        return sql_opt_oom(o);
    }
    for (uint32_t g = 0; g < ng; g++) {
        proj->project.exprs[g] = a->agg.group[g];
        proj->cols[g] = a->cols[g];
        group[g] = sql_expr_column(o->arena, g, a->cols[g].type_oid, a->cols[g].typmod);
        if (group[g] == NULL) return sql_opt_oom(o);
    }
    proj->project.exprs[ng] = (sql_expr *)arg;
    proj->cols[ng] = (sql_col){.name = "?distinct?", .type_oid = arg->type_oid,
                               .typmod = arg->typmod};
    sql_expr *col = sql_expr_column(o->arena, ng, arg->type_oid, arg->typmod);
    if (col == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < a->agg.naggs; i++) {
        aggs[i] = a->agg.aggs[i];
        if (aggs[i].grouping != NULL) continue;
        if ((aggs[i].args = rt_arena_alloc(o->arena, sizeof(sql_expr *))) == NULL) {
            return sql_opt_oom(o);
        }
        aggs[i].args[0] = col;
    }
    proj->left = child->left;
    proj->est_rows = dist->est_rows = a->est_rows;
    memcpy(dist->cols, proj->cols, sizeof(sql_col) * (ng + 1u));
    dist->left = proj;
    child->left = dist;
    child->ncols = dist->ncols;
    child->cols = dist->cols;
    a->agg.group = group;
    a->agg.aggs = aggs;
    return a;
}

/* A PROJECT over a GATHER of a join run on the shards (a reordered join tree gives its
 * columns back in the written order through one) moves into the fragment, so an aggregation
 * above can run partially there too. Returns the node that now stands for `child`. */
static sql_plan *sql_opt_sink_project(sql_plan *child) {
    if (child->kind != SQL_P_PROJECT || !sql_frag_join(child->left) ||
        child->left->left->kind != SQL_P_HASHJOIN) {
        return child;
    }
    for (uint32_t i = 0; i < child->ncols; i++) {
        if (!sql_expr_fragment_safe(child->project.exprs[i])) return child;
    }
    sql_plan *g = child->left;
    child->left = g->left;
    g->left = child;
    g->ncols = child->ncols;
    g->cols = child->cols;
    return g;
}

/* AGG over a table read: PARTIAL in the fragment, FINAL (merging states) here. */
static sql_plan *sql_opt_agg(sql_opt *o, sql_plan *a) {
    if (!sql_opt_node_exprs(o, a)) return NULL;
    sql_plan *child = sql_opt_node(o, a->left);
    if (child == NULL) return NULL;
    child = sql_opt_sink_project(child);
    a->left = child;
    sql_plan *scan = sql_frag_scan(child, true);
    if (scan == NULL && !sql_frag_join(child)) return a;
    if (!sql_agg_splittable(a)) return scan != NULL ? sql_opt_agg_distinct(o, a, child, scan) : a;
    /* Nothing else reads the scan: read only what we use. */
    if (scan != NULL && child->left == scan) {
        uint32_t n;
        sql_expr ***refs = sql_agg_refs(o, a, &n);
        if (refs == NULL || !sql_opt_prune(o, scan, refs, n)) return NULL;
    }
    sql_plan *part = sql_plan_new(o->arena, SQL_P_AGG, a->ncols);
    sql_expr **group = rt_arena_alloc(o->arena, sizeof(sql_expr *) * (a->agg.ngroup + 1u));
    if (part == NULL || group == NULL) return sql_opt_oom(o);
    part->agg = a->agg;
    part->agg.mode = SQL_AGG_PARTIAL;
    part->agg.nsets = 0; /* shards group by every column; FINAL forms the grouping sets */
    part->agg.sets = NULL;
    part->left = child->left;
    part->est_rows = a->est_rows;
    memcpy(part->cols, a->cols, sizeof(sql_col) * a->ncols);
    for (uint32_t i = 0; i < a->agg.naggs; i++) {
        part->cols[a->agg.ngroup + i] = (sql_col){.name = a->cols[a->agg.ngroup + i].name,
                                                  .type_oid = SQL_T_BYTEA, .typmod = -1};
    }
    for (uint32_t g = 0; g < a->agg.ngroup; g++) {
        group[g] = sql_expr_column(o->arena, g, a->cols[g].type_oid, a->cols[g].typmod);
        if (group[g] == NULL) return sql_opt_oom(o);
    }
    child->left = part;
    child->ncols = part->ncols;
    child->cols = part->cols;
    a->agg.mode = SQL_AGG_FINAL;
    a->agg.group = group;
    return a;
}

static sql_plan *sql_opt_sort(sql_opt *o, sql_plan *s) {
    if (!sql_opt_node_exprs(o, s)) return NULL;
    sql_plan *child = sql_opt_node(o, s->left);
    if (child == NULL) return NULL;
    s->left = child;
    s->est_rows = child->est_rows;
    if (s->sort.limit == NULL || sql_frag_scan(child, true) == NULL) return s;
    for (uint32_t k = 0; k < s->sort.nkeys; k++) {
        if (!sql_expr_fragment_safe(s->sort.keys[k].expr)) return s;
    }
    /* Local top-k: each fragment keeps only its first limit + offset rows. */
    sql_plan *local = sql_plan_new(o->arena, SQL_P_SORT, 0);
    if (local == NULL) return sql_opt_oom(o);
    local->ncols = child->ncols;
    local->cols = child->cols;
    local->sort = s->sort;
    local->left = child->left;
    local->est_rows = child->left->est_rows;
    child->left = local;
    if (!sql_plan_hybrid(o->arena, s, child, o->ann_ef_search, o->err)) return NULL;
    return s;
}

static bool sql_expr_row_independent(const sql_expr *e) {
    if (e == NULL) return true;
    sql_expr_info in = sql_expr_info_of(e);
    return !sql_info_has_cols(&in) && !in.subquery && !in.volatile_fn && !in.aggref;
}

/* LIMIT over SORT makes it a top-k; LIMIT without OFFSET over a table read also limits each
 * fragment. */
static sql_plan *sql_opt_limit(sql_opt *o, sql_plan *l) {
    if (!sql_opt_node_exprs(o, l)) return NULL;
    sql_plan *child = l->left;
    bool plain = !l->limit.with_ties && l->limit.limit != NULL &&
                 sql_expr_row_independent(l->limit.limit) &&
                 sql_expr_row_independent(l->limit.offset);
    if (plain && child->kind == SQL_P_SORT && child->sort.limit == NULL) {
        child->sort.limit = l->limit.limit;
        child->sort.offset = l->limit.offset;
    }
    if ((child = sql_opt_node(o, child)) == NULL) return NULL;
    l->left = child;
    l->est_rows = child->est_rows;
    if (plain && l->limit.offset == NULL && sql_frag_scan(child, true) != NULL &&
        sql_expr_fragment_safe(l->limit.limit)) {
        sql_plan *local = sql_plan_new(o->arena, SQL_P_LIMIT, 0);
        if (local == NULL) return sql_opt_oom(o);
        local->ncols = child->ncols;
        local->cols = child->cols;
        local->limit.limit = l->limit.limit;
        local->left = child->left;
        local->est_rows = child->left->est_rows;
        child->left = local;
    }
    return l;
}

/* ---- data modification ---- */

/* UPDATE ... FROM / DELETE ... USING: the join of the target's scan (left) with the other
 * relations runs inside the target's write fragment. WHERE's conjuncts on the target alone
 * filter its scan (and may fix its primary key), those on the relations alone go below them,
 * the rest stay the join's condition, hashed on its equalities (sql_opt_modify_strategy
 * decides how the fragment reads the relations). */
static bool sql_opt_modify_join(sql_opt *o, sql_plan *j) {
    sql_plan *scan = j->left;
    if (!sql_opt_node_exprs(o, j)) return false;
    if (j->join.quals != NULL) {
        sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
        uint32_t n = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
        int32_t keep = sql_opt_distribute(o, j, conj, n, true);
        if (keep < 0) return false;
        j->join.quals = NULL;
        if (keep > 0 && (j->join.quals = sql_opt_and(o, conj, (uint32_t)keep)) == NULL) {
            return false;
        }
    }
    if (j->left != scan) { /* the target's own conjuncts: into its scan's filter */
        sql_expr *all[2] = {scan->scan.filter, j->left->filter.pred};
        uint32_t k = scan->scan.filter != NULL ? 0 : 1;
        if ((scan->scan.filter = sql_opt_and(o, all + k, 2 - k)) == NULL) return false;
        j->left = scan;
    }
    if ((j->right = sql_opt_node(o, j->right)) == NULL) return false;
    if (j->join.quals != NULL && !j->join.lateral && !sql_opt_hash_keys(o, j)) return false;
    j->join.ordered = true;
    sql_opt_modify_strategy(j);
    return true;
}

/* UPDATE / DELETE run as fragments on the shards owning the rows (one, when the WHERE
 * clause fixes the primary key). */
static sql_plan *sql_opt_modify(sql_opt *o, sql_plan *p) {
    sql_plan *scan = p->left, *j = NULL;
    if (scan != NULL && scan->kind == SQL_P_NESTLOOP) {
        j = scan;
        scan = j->left;
    }
    if (scan == NULL || scan->kind != SQL_P_SCAN || !scan->scan.want_slots) {
        rt_err_set(o->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "this form of UPDATE or DELETE is not supported yet");
        return NULL;
    }
    if (!sql_opt_node_exprs(o, p) || !sql_opt_node_exprs(o, scan)) return NULL;
    if (j != NULL && !sql_opt_modify_join(o, j)) return NULL;
    if (!sql_opt_pkget(o, scan, true)) return NULL;
    p->est_rows = scan->est_rows;
    if (j != NULL) {
        j->est_rows = scan->est_rows > j->right->est_rows ? scan->est_rows : j->right->est_rows;
        p->est_rows = j->est_rows;
    }
    return sql_opt_gather(o, p, p->modify.table, true);
}

/* ---- dispatch ---- */

/* PostgreSQL's guess for the elements of an array it cannot count (estimate_array_length). */
#define SQL_PLAN_ARRAY_LENGTH_DEFAULT 10.0

/* Elements of a (multidimensional) ARRAY[...] of constants, -1 when one is not a constant. */
static double sql_opt_array_const_items(const sql_expr *e) {
    if (e->kind != SQL_X_ARRAY) return e->kind == SQL_X_CONST ? 1 : -1;
    double count = 0;
    for (uint32_t i = 0; i < e->nargs; i++) {
        double c = sql_opt_array_const_items(e->args[i]);
        if (c < 0) return -1;
        count += c;
    }
    return count;
}

/* Elements of array expression `e` as PostgreSQL's estimate_array_length counts them: a
 * constant's (a custom plan's bound parameter's) element count, 0 for NULL; ARRAY[...] of
 * scalars its length; anything else SQL_PLAN_ARRAY_LENGTH_DEFAULT. */
static double sql_opt_array_length(const sql_expr *e) {
    while (e->kind == SQL_X_FUNC && e->func.def == &sql_cast_def && e->nargs == 1 &&
           e->args[0]->type_oid == e->type_oid) {
        e = e->args[0]; /* a relabelling cast (a typmod) of the same array type */
    }
    if (e->kind == SQL_X_ARRAY) {
        bool nested = false;
        for (uint32_t i = 0; i < e->nargs; i++) nested |= e->args[i]->kind == SQL_X_ARRAY;
        if (!nested) return e->nargs;
        /* ARRAY[ARRAY[...], ...]: PostgreSQL folds it to a constant when its elements are */
        double count = sql_opt_array_const_items(e);
        return count >= 0 ? count : SQL_PLAN_ARRAY_LENGTH_DEFAULT;
    }
    const sql_value *v = e->kind == SQL_X_CONST ? &e->constval
                         : e->kind == SQL_X_PARAM ? sql_stats_plan_param(e->param) : NULL;
    if (v == NULL || v->type_oid != e->type_oid || sql_type_elem_of(e->type_oid) == 0) {
        return SQL_PLAN_ARRAY_LENGTH_DEFAULT;
    }
    if (v->is_null) return 0;
    sql_array_view view;
    sql_array_view_of(&v->b, &view);
    return view.nitems;
}

/* Rows of a VALUES list or a set-returning function's scan, as PostgreSQL estimates them: the
 * list's rows; generate_series over integer constants its count and unnest its array's
 * length (their support functions); any other function SQL_PLAN_DEFAULT_ROWS (the default
 * prorows). At least one row (clamp_row_est). */
static double sql_opt_srf_rows(const sql_plan *p) {
    if (p->kind == SQL_P_VALUES) return p->values.nrows;
    const sql_expr *const *a = (const sql_expr *const *)p->func.args;
    uint32_t n = p->func.nargs;
    if (strcmp(p->func.def->name, "unnest") == 0 && n == 1 && sql_type_elem_of(a[0]->type_oid)) {
        double count = sql_opt_array_length(a[0]);
        return count > 1 ? count : 1;
    }
    if (strcmp(p->func.def->name, "generate_series") != 0 || n < 2 || n > 3) {
        return SQL_PLAN_DEFAULT_ROWS;
    }
    int64_t v[3] = {0, 0, 1};
    for (uint32_t i = 0; i < n; i++) {
        const sql_expr *e = a[i];
        if (e->kind == SQL_X_FUNC && e->func.def == &sql_cast_def && e->nargs == 1 &&
            sql_is_int_type(e->type_oid)) {
            e = e->args[0]; /* an integer constant cast to the other arguments' type */
        }
        if (e->kind != SQL_X_CONST || e->constval.is_null || !sql_is_int_type(e->type_oid)) {
            return SQL_PLAN_DEFAULT_ROWS;
        }
        v[i] = e->constval.i64;
    }
    if (v[2] == 0) return SQL_PLAN_DEFAULT_ROWS; /* an error when it runs */
    double count = floor(((double)v[1] - (double)v[0]) / (double)v[2]) + 1;
    return count > 1 ? count : 1;
}

static bool sql_opt_children(sql_opt *o, sql_plan *p) {
    if (p->left != NULL && (p->left = sql_opt_node(o, p->left)) == NULL) return false;
    if (p->right != NULL && (p->right = sql_opt_node(o, p->right)) == NULL) return false;
    return true;
}

sql_plan *sql_opt_node(sql_opt *o, sql_plan *p) {
    switch (p->kind) {
    case SQL_P_SCAN:
        if (sql_is_table_read(p)) return sql_opt_table(o, p, NULL, 0);
        break;
    case SQL_P_FILTER: return sql_opt_filter(o, p);
    case SQL_P_PROJECT: return sql_opt_project(o, p);
    case SQL_P_AGG: return sql_opt_agg(o, p);
    case SQL_P_SORT: return sql_opt_sort(o, p);
    case SQL_P_LIMIT: return sql_opt_limit(o, p);
    case SQL_P_NESTLOOP:
        if (p->join.ordered) return p; /* built by sql_opt_reorder */
        return sql_opt_join(o, p);
    case SQL_P_UPDATE: case SQL_P_DELETE: return sql_opt_modify(o, p);
    case SQL_P_GATHER: case SQL_P_PKGET: case SQL_P_HASHJOIN:
        return p; /* already optimised (a shared subtree) */
    case SQL_P_MATERIAL:
        if (p->left != NULL && (p->left = sql_opt_shared(o, p->left)) == NULL) return NULL;
        return p;
    case SQL_P_MODIFYCTE: /* each data-modifying WITH query is a plan of its own */
        for (uint32_t i = 0; i < p->modifycte.nctes; i++) {
            if (sql_opt_node(o, p->modifycte.ctes[i]) == NULL) return NULL;
        }
        if ((p->left = sql_opt_node(o, p->left)) == NULL) return NULL;
        p->cols = p->left->cols;
        p->ncols = p->left->ncols;
        return p;
    case SQL_P_APPEND:
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            if ((p->append.inputs[i] = sql_opt_node(o, p->append.inputs[i])) == NULL) {
                return NULL;
            }
        }
        return p;
    case SQL_P_VALUES: case SQL_P_FUNCSCAN:
        if (p->est_rows <= 0) p->est_rows = sql_opt_srf_rows(p);
        break;
    case SQL_P_RECURSIVE: {
        /* The recursive term is re-run per iteration over the work table: keep it whole. */
        break;
    }
    default: break;
    }
    if (!sql_opt_node_exprs(o, p) || !sql_opt_children(o, p)) return NULL;
    return p;
}

sql_plan *sql_plan_optimize(rt_arena *arena, sql_plan *root, uint32_t shard_count,
                            uint32_t ann_ef_search, rt_err *err) {
    RT_ASSERT(root != NULL);
    sql_opt o = {.arena = arena, .err = err, .shard_count = shard_count,
                 .ann_ef_search = ann_ef_search};
    sql_plan *p = sql_opt_node(&o, root);
    if (p != NULL && !sql_plan_prune(arena, p, err)) p = NULL;
    if (p != NULL && !sql_plan_lockrows(arena, p, err)) p = NULL;
    if (p == NULL && !rt_err_is_set(err)) rt_arena_fail(arena, err);
    return p;
}

double sql_plan_cost(const sql_plan *p, uint32_t *relations) {
    uint32_t n = 0;
    double cost = 0;
    const sql_plan *stack[SQL_PLAN_COST_DEPTH_MAX];
    uint32_t depth = 0;
    if (p != NULL) stack[depth++] = p;
    while (depth > 0) {
        const sql_plan *q = stack[--depth];
        if (q->kind == SQL_P_SCAN || q->kind == SQL_P_IXSCAN || q->kind == SQL_P_PKGET) {
            double c = q->kind == SQL_P_PKGET ? 1 : q->est_cost;
            if (c <= 0) { /* not estimated: read whole */
                double all = sql_stats_rows(q->scan.table);
                c = all < 0 ? SQL_PLAN_DEFAULT_ROWS : all;
            }
            cost += c;
            n++;
        } else if (q->kind == SQL_P_ANNSCAN) {
            cost += q->est_rows > 1 ? q->est_rows : 1;
            n++;
        }
        if (q->kind == SQL_P_CTESCAN || q->kind == SQL_P_WORKTABLE) continue; /* read once */
        for (uint32_t i = 0; q->kind == SQL_P_APPEND && i < q->append.ninputs; i++) {
            if (depth < SQL_PLAN_COST_DEPTH_MAX) stack[depth++] = q->append.inputs[i];
        }
        if (q->left != NULL && depth < SQL_PLAN_COST_DEPTH_MAX) stack[depth++] = q->left;
        if (q->right != NULL && depth < SQL_PLAN_COST_DEPTH_MAX) stack[depth++] = q->right;
    }
    if (relations != NULL) *relations = n;
    return cost;
}
