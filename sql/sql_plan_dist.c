/* sql_plan_dist.c: where a join runs. The optimiser (sql_plan.c, sql_plan_join.c) plans
 * every equality join as a HASHJOIN of two gathered inputs; sql_opt_join_strategy() then
 * moves it to the shards when that costs less:
 *   - index nested loop: few outer rows, the inner side a table read whose primary key (or
 *     the leading column of a B-tree index) the join fixes: per outer row, a lookup on the
 *     owning shard (a LATERAL nested loop over PKGET / IXSCAN keyed by the outer row);
 *   - co-located: both tables hash-partitioned on the join key with the same partition count:
 *     partition p of both lives on the same shard, so each shard joins its own partitions and
 *     only the joined rows are gathered;
 *   - broadcast: a small plain table read, or the small result of a join itself run on the
 *     shards, joined to a big distributed side: every shard's fragment reads (or computes) the
 *     small side whole and joins its partitions of the big side with it;
 *   - re-partition: two big table reads partitioned otherwise: both sides re-partitioned
 *     between the shards by a hash of the join key, each shard joining its share;
 *   - merge: both inputs already come ordered on the join keys (sorted subqueries, merged
 *     sorted gathers): merged as they stream, holding only one key's right rows, instead of
 *     hashing the whole right side.
 * Otherwise the join stays on the coordinator over both gathered inputs. */
#include <string.h>

#include "engine/eng.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_plan_int.h"
#include "sql/sql_stats.h"

/* The scan a side's GATHER runs as its fragment (through an optional PROJECT), when the side
 * is a plain read of one table: every partition, no row locks, no writes. */
sql_plan *sql_side_scan(const sql_plan *g) {
    if (g->kind != SQL_P_GATHER || g->gather.writes || g->gather.merge_sorted) return NULL;
    sql_plan *f = g->left;
    if (f != NULL && f->kind == SQL_P_PROJECT) f = f->left;
    if (f == NULL || (f->kind != SQL_P_SCAN && f->kind != SQL_P_IXSCAN) || f->scan.want_slots ||
        f->scan.lock_strength != 0) {
        return NULL;
    }
    return f;
}

/* The table column (attnum) a side's output column `col` reads, 0 if computed; the side is a
 * GATHER or (UPDATE ... FROM's target) the scan itself. */
static uint16_t sql_side_attnum(const sql_plan *g, const sql_plan *scan, const sql_expr *e) {
    /* int4 = int8 compares through a widening cast; the key bytes are the same. */
    while (e->kind == SQL_X_FUNC && e->nargs == 1 && e->func.def != NULL &&
           strcmp(e->func.def->name, "cast") == 0 && sql_is_int_type(e->type_oid) &&
           sql_is_int_type(e->args[0]->type_oid)) {
        e = e->args[0];
    }
    if (e->kind != SQL_X_COLUMN || e->column.index >= g->ncols) return 0;
    uint32_t c = e->column.index;
    if (g->kind == SQL_P_GATHER && g->left->kind == SQL_P_PROJECT) {
        const sql_expr *pe = g->left->project.exprs[c];
        if (pe->kind != SQL_X_COLUMN) return 0;
        c = pe->column.index;
    }
    return c < scan->scan.natts ? scan->scan.attnums[c] : 0;
}

/* Whether the hash keys pair every primary-key column of the left table with the same
 * primary-key column of the right one (so equal keys live in equal partition numbers). */
static bool sql_keys_cover_pk(const sql_plan *j, const sql_plan *ls, const sql_plan *rs) {
    const eng_table *lt = ls->scan.table, *rt = rs->scan.table;
    if (lt->pk_count == 0 || lt->pk_count != rt->pk_count) return false;
    for (uint32_t k = 0; k < lt->pk_count; k++) {
        uint32_t lt_type = lt->columns[lt->pk_attnums[k] - 1].type_oid;
        uint32_t rt_type = rt->columns[rt->pk_attnums[k] - 1].type_oid;
        if (!sql_key_types_match(lt_type, rt_type)) return false;
        bool found = false;
        for (uint32_t i = 0; i < j->join.nkeys && !found; i++) {
            found = sql_side_attnum(j->left, ls, j->join.left_keys[i]) == lt->pk_attnums[k] &&
                    sql_side_attnum(j->right, rs, j->join.right_keys[i]) == rt->pk_attnums[k];
        }
        if (!found) return false;
    }
    return true;
}

/* Whether the join's conditions and keys can be evaluated in a fragment on a shard. */
static bool sql_join_fragment_safe(const sql_plan *j) {
    if (!sql_expr_fragment_safe(j->join.quals)) return false;
    for (uint32_t i = 0; i < j->join.nkeys; i++) {
        if (!sql_expr_fragment_safe(j->join.left_keys[i]) ||
            !sql_expr_fragment_safe(j->join.right_keys[i])) {
            return false;
        }
    }
    return true;
}

/* HASHJOIN of two tables partitioned alike on its key: the join moves into one fragment that
 * runs on every partition's shard (partition p of both tables lives on the same shard), and
 * only the joined rows are gathered. */
static sql_plan *sql_opt_colocate(sql_opt *o, sql_plan *j) {
    if (j->kind != SQL_P_HASHJOIN || j->join.semi || j->join.anti || j->join.lateral) return j;
    sql_plan *ls = sql_side_scan(j->left), *rs = sql_side_scan(j->right);
    if (ls == NULL || rs == NULL || j->right->gather.npartitions != 0) return j;
    /* Unmatched rows of a preserved side come from every partition it has. */
    uint32_t jt = j->join.join_type;
    if (jt != SQL_JOIN_INNER && jt != SQL_JOIN_LEFT && j->left->gather.npartitions != 0) return j;
    const eng_table *lt = ls->scan.table, *rt = rs->scan.table;
    if (lt->partition_count != rt->partition_count || !sql_keys_cover_pk(j, ls, rs)) return j;
    if (!sql_join_fragment_safe(j)) return j;
    sql_plan *g = sql_plan_new(o->arena, SQL_P_GATHER, 0);
    if (g == NULL) return sql_opt_oom(o);
    *g = *j->left; /* the left side's table and partitions */
    g->ncols = j->ncols;
    g->cols = j->cols;
    g->est_rows = j->est_rows;
    j->left = j->left->left;
    j->right = j->right->left;
    j->join.strategy = SQL_JOIN_COLOCATED;
    g->left = j;
    return g;
}

/* A copy of `e` (over the join's left row) as the right side of a LATERAL join reads it:
 * columns become depth-1 outer references, outer references one level deeper. NULL when it
 * holds a subquery (its plan cannot move) or memory runs out (then *oom). */
static sql_expr *sql_expr_outer_copy(rt_arena *arena, const sql_expr *e, bool *oom) {
    if (e->kind == SQL_X_SUBQUERY || e->kind == SQL_X_AGGREF || e->kind == SQL_X_WINDOWREF) {
        return NULL;
    }
    sql_expr *c = sql_expr_copy_node(arena, e);
    if (c == NULL) {
        *oom = true;
        return NULL;
    }
    if (e->kind == SQL_X_COLUMN) {
        c->kind = SQL_X_OUTER;
        c->column.depth = 1;
    } else if (e->kind == SQL_X_OUTER) {
        c->column.depth = e->column.depth + 1;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if ((c->args[i] = sql_expr_outer_copy(arena, e->args[i], oom)) == NULL) return NULL;
    }
    return c;
}

typedef struct sql_outer_free {
    bool found;
} sql_outer_free;

static bool sql_outer_free_fn(const sql_expr *e, void *arg) {
    if (e->kind == SQL_X_OUTER || e->kind == SQL_X_SUBQUERY) ((sql_outer_free *)arg)->found = true;
    return true;
}

/* Copy of conjunct `c` (over the join's row: left columns, then right) as the right side's
 * scan filter reads it: left columns become depth-1 outer references, right columns the scan
 * columns they come from (through the fragment's PROJECT). NULL when a right column is
 * computed, or for a subquery; *oom when memory ran out. */
static sql_expr *sql_conj_to_scan(rt_arena *arena, const sql_expr *c, const sql_plan *j,
                                  const sql_plan *rs, bool *oom) {
    if (c->kind == SQL_X_SUBQUERY || c->kind == SQL_X_AGGREF || c->kind == SQL_X_WINDOWREF ||
        c->kind == SQL_X_OUTER) {
        return NULL;
    }
    sql_expr *e = sql_expr_copy_node(arena, c);
    if (e == NULL) {
        *oom = true;
        return NULL;
    }
    uint32_t nl = j->left->ncols;
    if (c->kind == SQL_X_COLUMN && c->column.index < nl) {
        e->kind = SQL_X_OUTER;
        e->column.depth = 1;
    } else if (c->kind == SQL_X_COLUMN) {
        uint32_t col = c->column.index - nl;
        const sql_plan *frag = j->right->left;
        if (frag->kind == SQL_P_PROJECT) {
            const sql_expr *pe = frag->project.exprs[col];
            if (pe->kind != SQL_X_COLUMN) return NULL;
            col = pe->column.index;
        }
        if (col >= rs->scan.natts) return NULL;
        e->column.index = col;
    }
    for (uint32_t i = 0; i < c->nargs; i++) {
        if ((e->args[i] = sql_conj_to_scan(arena, c->args[i], j, rs, oom)) == NULL) return NULL;
    }
    return e;
}

/* The secondary-index form of the index nested loop: an equality of the join makes the
 * right side's scan an IXSCAN keyed by the outer row (on every partition: the index is per
 * partition). True when it did. */
static bool sql_opt_ix_join(sql_opt *o, sql_plan *j, sql_plan *rs, double table_rows,
                            const sql_expr **used) {
    double shards = o->shard_count > 0 ? o->shard_count : 1;
    if (rs->scan.table->index_count == 0 ||
        j->left->est_rows * SQL_JOIN_LOOKUP_ROWS * shards >= table_rows) {
        return true;
    }
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
    for (uint32_t i = 0; i < n && rs->kind == SQL_P_SCAN; i++) {
        if (!sql_is_eq_operator(conj[i]) ||
            sql_conj_side(conj[i], j->left->ncols) != SQL_SIDE_BOTH) {
            continue;
        }
        bool oom = false;
        sql_expr *f = sql_conj_to_scan(o->arena, conj[i], j, rs, &oom);
        if (oom) return sql_opt_oom(o);
        if (f == NULL) continue;
        sql_expr *saved = rs->scan.filter, *both[2] = {f, saved};
        if ((rs->scan.filter = sql_opt_and(o, both, saved != NULL ? 2 : 1)) == NULL) return false;
        if (!sql_plan_ixscan(o->arena, rs, o->err)) return false;
        if (rs->kind != SQL_P_IXSCAN) rs->scan.filter = saved;
        else *used = conj[i];
    }
    return true;
}

/* The join re-runs its right side (now keyed by the outer row) per outer row. The
 * conditions the lookup answers exactly (`used`, n of them) leave the join's own. */
static sql_plan *sql_opt_index_lateral(sql_opt *o, sql_plan *j, const sql_expr **used,
                                       uint32_t n) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t nc = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX), keep = 0;
    for (uint32_t i = 0; i < nc; i++) {
        bool drop = false;
        for (uint32_t k = 0; k < n && !drop; k++) drop = conj[i] == used[k];
        if (!drop) conj[keep++] = conj[i];
    }
    if (keep < nc) {
        j->join.quals = NULL;
        if (keep > 0 && (j->join.quals = sql_opt_and(o, conj, keep)) == NULL) return NULL;
    }
    j->kind = SQL_P_NESTLOOP;
    j->join.lateral = true;
    j->join.nkeys = 0;
    j->join.left_keys = j->join.right_keys = NULL;
    j->join.strategy = SQL_JOIN_INDEX;
    return j;
}

/* The `=` conjunct of the join's quals that gave hash key `left_key`, or NULL. */
static const sql_expr *sql_key_conjunct(const sql_plan *j, const sql_expr *left_key) {
    sql_expr *conj[SQL_PLAN_CONJUNCTS_MAX];
    uint32_t n = sql_plan_conjuncts(j->join.quals, conj, SQL_PLAN_CONJUNCTS_MAX);
    for (uint32_t i = 0; i < n; i++) {
        if (sql_is_eq_operator(conj[i]) &&
            (conj[i]->args[0] == left_key || conj[i]->args[1] == left_key)) {
            return conj[i];
        }
    }
    return NULL;
}

/* HASHJOIN (INNER or LEFT) whose build side is a table read keyed by its whole primary key,
 * with few outer rows: instead of scanning the whole table, look each outer row's key up on
 * the one shard that owns it (a LATERAL nested loop over a primary-key lookup). */
sql_plan *sql_opt_index_join(sql_opt *o, sql_plan *j) {
    uint32_t jt = j->join.join_type;
    if (j->kind != SQL_P_HASHJOIN || j->join.semi || j->join.anti ||
        (jt != SQL_JOIN_INNER && jt != SQL_JOIN_LEFT)) {
        return j;
    }
    sql_plan *rs = sql_side_scan(j->right);
    if (rs == NULL || rs->kind != SQL_P_SCAN || j->right->gather.npartitions != 0) return j;
    const eng_table *t = rs->scan.table;
    double table_rows = sql_stats_rows(t);
    if (table_rows < 0) table_rows = SQL_PLAN_DEFAULT_ROWS;
    if (j->left->est_rows * SQL_JOIN_LOOKUP_ROWS >= table_rows) return j;
    sql_outer_free of = {false};
    sql_expr_walk(rs->scan.filter, sql_outer_free_fn, &of);
    if (of.found) return j;
    sql_expr *key[ENG_INDEX_COLUMNS_MAX] = {0};
    const sql_expr *used[ENG_INDEX_COLUMNS_MAX] = {0};
    for (uint32_t k = 0; k < t->pk_count; k++) {
        uint32_t pk_type = t->columns[t->pk_attnums[k] - 1].type_oid;
        for (uint32_t i = 0; i < j->join.nkeys && key[k] == NULL; i++) {
            if ((j->join.nulls_equal & (1u << i)) ||
                sql_side_attnum(j->right, rs, j->join.right_keys[i]) != t->pk_attnums[k] ||
                !sql_key_types_match(pk_type, j->join.left_keys[i]->type_oid)) {
                continue;
            }
            bool oom = false;
            key[k] = sql_expr_outer_copy(o->arena, j->join.left_keys[i], &oom);
            if (oom) return sql_opt_oom(o);
            used[k] = sql_key_conjunct(j, j->join.left_keys[i]);
        }
        if (key[k] == NULL) break;
    }
    if (t->pk_count == 0 || key[t->pk_count - 1] == NULL) { /* a secondary index, maybe */
        if (!sql_opt_ix_join(o, j, rs, table_rows, &used[0])) return NULL;
        if (rs->kind != SQL_P_IXSCAN) return j;
        return sql_opt_index_lateral(o, j, used, 1);
    }
    rs->scan.key = rt_arena_alloc(o->arena, sizeof(sql_expr *) * t->pk_count);
    if (rs->scan.key == NULL) return sql_opt_oom(o);
    memcpy(rs->scan.key, key, sizeof(sql_expr *) * t->pk_count);
    rs->scan.nkey = t->pk_count;
    rs->kind = SQL_P_PKGET;
    rs->est_rows = 1;
    j->right->est_rows = 1;
    return sql_opt_index_lateral(o, j, used, t->pk_count);
}

/* Rows' worth of work one fragment costs to start (messages, a fiber, operator setup). */
#define SQL_JOIN_FRAGMENT_ROWS 500.0

/* The small side of a broadcast join is read by every shard; past this many rows (or when
 * that costs more than gathering the big side) the join stays on the coordinator. */
#define SQL_JOIN_BROADCAST_ROWS_MAX 100000.0

/* A join's result broadcast is held whole by every shard's hash table (the gathered plan
 * holds it once, on the coordinator): past this many estimated rows it is not. */
#define SQL_JOIN_BROADCAST_RESULT_ROWS_MAX 1000000.0

/* Rows' worth of work below `p`: the rows every node of it hands up (a rough measure of what
 * running it again costs). */
static double sql_plan_work_rows(const sql_plan *p) {
    if (p == NULL) return 0;
    return p->est_rows + sql_plan_work_rows(p->left) + sql_plan_work_rows(p->right);
}

/* Whether the fragment `p` only reads: no row locks, no writes (a broadcast side runs in
 * another fragment, outside the transaction's row-locking). */
static bool sql_frag_reads_only(const sql_plan *p) {
    if (p == NULL) return true;
    if (p->kind == SQL_P_UPDATE || p->kind == SQL_P_DELETE || p->kind == SQL_P_INSERT ||
        p->kind == SQL_P_LOCKROWS) {
        return false;
    }
    if ((p->kind == SQL_P_SCAN || p->kind == SQL_P_PKGET || p->kind == SQL_P_IXSCAN) &&
        (p->scan.lock_strength != 0 || p->scan.want_slots)) {
        return false;
    }
    return sql_frag_reads_only(p->left) && sql_frag_reads_only(p->right);
}

/* Whether the right side `r`, a GATHER of a fragment that is not a plain table read (a join
 * run on the shards), is worth broadcasting to the big side's shards: each of them runs it
 * whole (its own fragments on every shard) and hashes its result, instead of the coordinator
 * receiving and probing every row of the big side `l` on one core. */
static bool sql_broadcast_result_pays(const sql_opt *o, const sql_plan *l, const sql_plan *r) {
    if (r->kind != SQL_P_GATHER || r->gather.writes || r->gather.merge_sorted ||
        r->gather.share_key != NULL || r->left == NULL || !sql_frag_reads_only(r->left)) {
        return false;
    }
    double shards = o->shard_count;
    double again = (shards - 1) * sql_plan_work_rows(r->left);
    double setup = shards * shards * SQL_JOIN_FRAGMENT_ROWS;
    return r->est_rows <= SQL_JOIN_BROADCAST_RESULT_ROWS_MAX &&
           r->est_rows * shards + again + setup < l->est_rows;
}

/* HASHJOIN (INNER or LEFT) of a big distributed side with a small plain table read, or with
 * the small result of a join run on the shards: the join moves into the big side's fragment,
 * each fragment reading the small side whole (a GATHER inside the fragment) and probing it
 * with its own partitions in parallel; only joined rows come back. */
static sql_plan *sql_opt_broadcast(sql_opt *o, sql_plan *j) {
    uint32_t jt = j->join.join_type;
    if (j->kind != SQL_P_HASHJOIN || j->join.semi || j->join.anti || j->join.lateral ||
        (jt != SQL_JOIN_INNER && jt != SQL_JOIN_LEFT)) {
        return j;
    }
    const sql_plan *l = j->left, *r = j->right;
    if (l->kind != SQL_P_GATHER || l->gather.writes || l->gather.merge_sorted) return j;
    double shards = o->shard_count > 0 ? o->shard_count : 1;
    if (shards < 2) return j;
    if (sql_side_scan(r) != NULL) {
        if (r->est_rows > SQL_JOIN_BROADCAST_ROWS_MAX || r->est_rows * shards >= l->est_rows) {
            return j;
        }
    } else if (!sql_broadcast_result_pays(o, l, r)) {
        return j;
    }
    if (!sql_join_fragment_safe(j)) return j;
    sql_plan *g = sql_plan_new(o->arena, SQL_P_GATHER, 0);
    if (g == NULL) return sql_opt_oom(o);
    *g = *j->left;
    g->ncols = j->ncols;
    g->cols = j->cols;
    g->est_rows = j->est_rows;
    j->left = j->left->left;
    j->join.strategy = SQL_JOIN_BROADCAST;
    g->left = j;
    return g;
}

/* UPDATE ... FROM / DELETE ... USING (the join's left side the target's scan, in its write
 * fragment): when the other side is a plain read of a table partitioned like the target on
 * the join key, each fragment joins its own partitions of both (co-located); otherwise each
 * fragment reads the other side whole (broadcast). */
void sql_opt_modify_strategy(sql_plan *j) {
    j->join.strategy = SQL_JOIN_BROADCAST;
    if (j->kind != SQL_P_HASHJOIN) return;
    sql_plan *ls = j->left, *rs = sql_side_scan(j->right);
    if (rs == NULL || j->right->gather.npartitions != 0) return;
    if (ls->scan.table->partition_count != rs->scan.table->partition_count ||
        !sql_keys_cover_pk(j, ls, rs) || !sql_join_fragment_safe(j)) {
        return;
    }
    j->right = j->right->left;
    j->join.strategy = SQL_JOIN_COLOCATED;
}

/* The input column `p`'s column `col` is, through projections of plain columns and row
 * filters; UINT32_MAX when computed. *below is the node that decides the order. */
static uint32_t sql_order_source(const sql_plan *p, uint32_t col, const sql_plan **below) {
    for (;;) {
        if (p->kind == SQL_P_PROJECT) {
            const sql_expr *e = p->project.exprs[col];
            if (e->kind != SQL_X_COLUMN) return UINT32_MAX;
            col = e->column.index;
        } else if (p->kind != SQL_P_FILTER && p->kind != SQL_P_LIMIT) {
            *below = p;
            return col;
        }
        p = p->left;
    }
}

/* Whether `p` returns its rows ordered ascending, NULLs last, on `keys` (plain columns of
 * its output) in that order: a SORT, or a GATHER merging sorted fragments, on them. */
static bool sql_plan_ordered_on(const sql_plan *p, sql_expr *const *keys, uint32_t nkeys) {
    const sql_plan *sorted = NULL;
    for (uint32_t k = 0; k < nkeys; k++) {
        if (keys[k]->kind != SQL_X_COLUMN) return false;
        const sql_plan *below = NULL;
        uint32_t col = sql_order_source(p, keys[k]->column.index, &below);
        if (col == UINT32_MAX || (sorted != NULL && below != sorted)) return false;
        sorted = below;
        const sql_sort_key *sk;
        uint32_t nsort;
        if (below->kind == SQL_P_SORT) {
            sk = below->sort.keys;
            nsort = below->sort.nkeys;
        } else if (below->kind == SQL_P_GATHER && below->gather.merge_sorted) {
            sk = below->gather.sort_keys;
            nsort = below->gather.nsort;
        } else {
            return false;
        }
        if (k >= nsort || sk[k].desc || sk[k].nulls_first || sk[k].expr->kind != SQL_X_COLUMN ||
            sk[k].expr->column.index != col) {
            return false;
        }
    }
    return nkeys > 0;
}

/* A hash join costs building the right side (hashing and keeping every row) and probing it
 * with the left; a merge of inputs that already come ordered costs one comparison per row of
 * each and keeps one key's right rows. Relative costs per row. */
#define SQL_JOIN_HASH_BUILD_COST 2.0
#define SQL_JOIN_HASH_PROBE_COST 1.0
#define SQL_JOIN_MERGE_ROW_COST  1.0

/* HASHJOIN (INNER or LEFT) whose inputs are both ordered on its keys: a merge join when that
 * costs less than hashing (the inputs are not sorted for it: only an order that is there). */
static sql_plan *sql_opt_merge(sql_opt *o, sql_plan *j) {
    (void)o;
    uint32_t jt = j->join.join_type;
    if (j->kind != SQL_P_HASHJOIN || j->join.semi || j->join.anti || j->join.lateral ||
        j->join.nulls_equal != 0 || (jt != SQL_JOIN_INNER && jt != SQL_JOIN_LEFT)) {
        return j;
    }
    /* The merge keys: those the inputs are ordered on, in that order (the others stay
       conditions checked on each pair, as every key is). */
    uint32_t nk = j->join.nkeys, m = 0;
    sql_expr *lk[16], *rk[16];
    bool used[16] = {false};
    for (bool grew = true; grew && m < nk && nk <= 16;) {
        grew = false;
        for (uint32_t k = 0; k < nk && !grew; k++) {
            if (used[k] || j->join.left_keys[k]->type_oid != j->join.right_keys[k]->type_oid) {
                continue;
            }
            lk[m] = j->join.left_keys[k];
            rk[m] = j->join.right_keys[k];
            if (sql_plan_ordered_on(j->left, lk, m + 1) &&
                sql_plan_ordered_on(j->right, rk, m + 1)) {
                used[k] = grew = true;
                m++;
            }
        }
    }
    double l = j->left->est_rows, r = j->right->est_rows;
    double hash = r * SQL_JOIN_HASH_BUILD_COST + l * SQL_JOIN_HASH_PROBE_COST;
    if (m == 0 || (l + r) * SQL_JOIN_MERGE_ROW_COST > hash) return j;
    memcpy(j->join.left_keys, lk, sizeof(sql_expr *) * m);
    memcpy(j->join.right_keys, rk, sizeof(sql_expr *) * m);
    j->join.nkeys = m;
    j->join.merge = true;
    return j;
}

/* Re-partitioning pays off once the join's inputs are this large: below it, starting a
 * fragment per shard pair (2 x shards x shards) costs more than joining on one core. */
#define SQL_JOIN_REPARTITION_ROWS_MIN 20000.0

/* Whether every shard owns a partition of `t`: then a GATHER of it runs on every shard. */
static bool sql_table_on_every_shard(const eng_table *t, uint32_t shards) {
    for (uint32_t s = 0; s < shards; s++) {
        bool owns = false;
        for (uint32_t p = 0; p < t->partition_count && !owns; p++) {
            owns = eng_partition_owner(p, shards) == s;
        }
        if (!owns) return false;
    }
    return true;
}

/* HASHJOIN (INNER or LEFT) of two big table reads partitioned otherwise than on its key:
 * both sides are re-partitioned between the shards by a hash of the first key, each shard
 * joining its share (a fragment on every shard, reading both sides through GATHERs whose
 * fragments send it only its share), instead of gathering both to one core. Chosen when the
 * join work split over the shards saves more than the fragments cost. */
static sql_plan *sql_opt_repartition(sql_opt *o, sql_plan *j) {
    uint32_t jt = j->join.join_type;
    if (j->kind != SQL_P_HASHJOIN || j->join.semi || j->join.anti || j->join.lateral ||
        j->join.merge || (j->join.nulls_equal & 1u) ||
        (jt != SQL_JOIN_INNER && jt != SQL_JOIN_LEFT)) {
        return j;
    }
    double shards = o->shard_count;
    sql_plan *ls = sql_side_scan(j->left), *rs = sql_side_scan(j->right);
    if (shards < 2 || ls == NULL || rs == NULL || j->left->gather.npartitions != 0 ||
        j->right->gather.npartitions != 0 ||
        !sql_table_on_every_shard(ls->scan.table, o->shard_count)) {
        return j;
    }
    const sql_expr *lk = j->join.left_keys[0], *rk = j->join.right_keys[0];
    if (lk->type_oid != rk->type_oid || !sql_join_fragment_safe(j)) return j;
    double l = j->left->est_rows, r = j->right->est_rows;
    double work = r * SQL_JOIN_HASH_BUILD_COST + l * SQL_JOIN_HASH_PROBE_COST;
    double setup = 2 * shards * shards * SQL_JOIN_FRAGMENT_ROWS;
    if (l + r < SQL_JOIN_REPARTITION_ROWS_MIN || work / shards + setup >= work) return j;
    /* Copies of the keys (the join's own may be remapped apart from them later). */
    uint32_t *lmap = rt_arena_alloc(o->arena, sizeof(uint32_t) * (j->left->ncols + 1u));
    uint32_t *rmap = rt_arena_alloc(o->arena, sizeof(uint32_t) * (j->right->ncols + 1u));
    sql_plan *g = sql_plan_new(o->arena, SQL_P_GATHER, 0);
    if (lmap == NULL || rmap == NULL || g == NULL) return sql_opt_oom(o);
    for (uint32_t i = 0; i < j->left->ncols; i++) lmap[i] = i;
    for (uint32_t i = 0; i < j->right->ncols; i++) rmap[i] = i;
    j->left->gather.share_key = sql_expr_remap(o->arena, lk, lmap, j->left->ncols);
    j->right->gather.share_key = sql_expr_remap(o->arena, rk, rmap, j->right->ncols);
    if (j->left->gather.share_key == NULL || j->right->gather.share_key == NULL) {
        return sql_opt_oom(o);
    }
    *g = *j->left; /* a fragment on every shard owning a partition of the left table */
    g->gather.share_key = NULL;
    g->ncols = j->ncols;
    g->cols = j->cols;
    g->est_rows = j->est_rows;
    j->join.strategy = SQL_JOIN_REPARTITION;
    g->left = j;
    return g;
}

/* A coordinator hash join reads its left (probe) side first when that side is estimated at
 * most this many rows and this many times fewer than its right (build) side: the left keys
 * then filter the right side's scan (join.probe_first). The executor's own bound on the rows
 * it reads first is SQL_JOIN_PROBE_FIRST_ROWS_MAX (sql_exec_join.c). */
#define SQL_JOIN_PROBE_FIRST_ROWS 50000.0
#define SQL_JOIN_PROBE_FIRST_RATIO 4.0

/* Marks gathered hash join j (INNER, LEFT, semi or anti: a right row no left row matches adds
 * nothing) probe_first when its left side is small against its right, a table read whose
 * column one integer or date key compares with a plain left column: reading the left rows
 * first lets their key values leave out the right rows that cannot match before the build
 * (PostgreSQL gets there with a parameterised index scan per outer row; here one filtered
 * scan serves them all, without a round trip to the shards per row). */
static void sql_opt_probe_first(sql_plan *j) {
    uint32_t jt = j->join.join_type;
    const sql_plan *l = j->left, *r = j->right;
    if (j->kind != SQL_P_HASHJOIN || j->join.merge || j->join.lateral ||
        j->join.strategy != SQL_JOIN_GATHERED || (jt != SQL_JOIN_INNER && jt != SQL_JOIN_LEFT) ||
        l->est_rows > SQL_JOIN_PROBE_FIRST_ROWS ||
        l->est_rows * SQL_JOIN_PROBE_FIRST_RATIO >= r->est_rows) {
        return;
    }
    const sql_plan *rs = sql_side_scan(r);
    if (rs == NULL || rs->kind != SQL_P_SCAN) return;
    for (uint32_t k = 0; k < j->join.nkeys; k++) {
        const sql_expr *lk = j->join.left_keys[k], *rk = j->join.right_keys[k];
        uint32_t t = lk->type_oid;
        bool typed = sql_is_int_type(t) ? sql_is_int_type(rk->type_oid)
                                        : t == SQL_T_DATE && rk->type_oid == SQL_T_DATE;
        if (!(j->join.nulls_equal & (1u << k)) && lk->kind == SQL_X_COLUMN && typed &&
            sql_side_attnum(r, rs, rk) != 0 && rk->kind == SQL_X_COLUMN) {
            j->join.probe_first = true;
            return;
        }
    }
}

/* Where a hash join runs: a semi-join as lookups over its inner side made unique when its
 * keys are few (sql_opt_semi_unique), else merged where both inputs come ordered on its keys,
 * else by primary-key lookups when the outer side is small, else on the shards when both
 * tables are partitioned alike on its key, else on the shards of the big side with the small
 * one broadcast, else gathered on the coordinator (probe side first when it is the small one:
 * sql_opt_probe_first). */
sql_plan *sql_opt_join_strategy(sql_opt *o, sql_plan *j) {
    if (j->join.semi) {
        sql_plan *u = sql_opt_semi_unique(o, j);
        if (u != j) return u;
    }
    if ((j = sql_opt_merge(o, j)) == NULL || j->join.merge) return j;
    if ((j = sql_opt_index_join(o, j)) == NULL || j->kind != SQL_P_HASHJOIN) return j;
    sql_plan *c = sql_opt_colocate(o, j);
    if (c == NULL || c != j) return c;
    if ((c = sql_opt_broadcast(o, j)) == NULL || c != j) return c;
    if ((c = sql_opt_repartition(o, j)) == NULL || c != j) return c;
    sql_opt_probe_first(j);
    return j;
}

/* Whether the plan `p` (a fragment's, or a node of it) writes or locks rows. */
static bool sql_plan_frag_locks(const sql_plan *p) {
    if (p == NULL) return false;
    if (p->kind == SQL_P_GATHER && p->gather.writes) return true;
    if ((p->kind == SQL_P_SCAN || p->kind == SQL_P_PKGET || p->kind == SQL_P_IXSCAN) &&
        p->scan.lock_strength != 0) {
        return true;
    }
    if (p->kind == SQL_P_UPDATE || p->kind == SQL_P_DELETE || p->kind == SQL_P_INSERT ||
        p->kind == SQL_P_LOCKROWS) {
        return true;
    }
    return sql_plan_frag_locks(p->left) || sql_plan_frag_locks(p->right);
}

bool sql_plan_gather_shares(const sql_plan *g) {
    RT_ASSERT(g->kind == SQL_P_GATHER);
    return !sql_plan_frag_locks(g);
}

bool sql_plan_join_shareable(const sql_plan *p) {
    uint32_t jt = p->join.join_type;
    return p->kind == SQL_P_HASHJOIN && p->join.strategy == SQL_JOIN_BROADCAST &&
           !p->join.merge && !p->join.lateral && !p->join.semi && !p->join.anti &&
           (jt == SQL_JOIN_INNER || jt == SQL_JOIN_LEFT) && p->right->kind == SQL_P_GATHER;
}
