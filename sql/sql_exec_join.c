/* sql_exec_join.c: NESTLOOP and HASHJOIN for INNER, LEFT, RIGHT, FULL and CROSS joins and the
 * semi/anti forms behind EXISTS / NOT EXISTS. The inner (right) input is read once into a row
 * set; for each outer batch, candidate pairs are built into a combined batch (left columns then
 * right columns) and the join condition is evaluated over it vectorised. Unmatched rows of the
 * preserved side(s) are padded with NULLs.
 * A LATERAL nested loop (join.lateral: INNER, CROSS or LEFT) instead runs its right input once
 * per outer row, with that row as the enclosing row of the right plan (its SQL_X_OUTER depth 1
 * references, as for a correlated subquery): the right operators live in an arena reset per
 * row, the right rows in the output batch's arena (they back the joined rows handed out).
 * A merge join (HASHJOIN with join.merge: INNER or LEFT, both inputs ordered on the keys)
 * streams the right input alongside the left and keeps only the right rows of the current
 * key, which are the candidates of each left row with that key.
 * A hash join whose unmatched left rows add nothing (INNER, RIGHT, semi) hands the scan below
 * it the set of one integer or date key's build values once it is built: the store leaves out
 * the rows that cannot match before it copies them (sql_join_push_keys); through a GATHER of
 * such a scan, every fragment's scan gets it.
 * A broadcast hash join in a fragment uses the build side its GATHER built once for all its
 * fragments when there is one (sql_join_shared_build), instead of building its own.
 * A hash join planned probe side first (join.probe_first) reads its left rows before it
 * builds, and hands the right side's scan the set of one key's left values the same way
 * (sql_join_probe_first): the build keeps only the right rows some left row can match. */
#include <string.h>

#include "sql/sql_exec_int.h"

enum { SQL_JT_INNER = 1, SQL_JT_LEFT, SQL_JT_RIGHT, SQL_JT_FULL, SQL_JT_CROSS };

typedef struct sql_op_join {
    sql_op base;
    rt_arena *mem;           /* inner rows and hash table: bounded by sql_exec_hash_bytes_max */
    sql_rowset right;        /* inner rows */
    uint8_t *right_matched;  /* RIGHT / FULL */
    bool built;
    /* hash join */
    sql_htab keys;           /* right key values ++ [first row index] */
    uint64_t *chain;         /* next right row with the same key, UINT64_MAX ends */
    /* outer progress */
    sql_batch *outer;
    uint32_t outer_row;
    bool outer_done;
    uint64_t right_emit;     /* emitting unmatched right rows at the end */
    sql_vec **left_keys;     /* evaluated keys of the current outer batch */
    uint64_t *left_hash;     /* hash join: their hashes, computed for the whole batch */
    uint8_t *left_null;      /* hash join: the row has a NULL key (it never joins) */
    /* merge join: `right` holds the right rows of key `gkey` only */
    rt_arena *gmem[2];       /* gmem[gcur]: the rows of the keys met during this next() call;
                                the current key's rows move to the other one at the next */
    uint32_t gcur;
    sql_value *gkey;         /* the key of the rows in `right`; NULL: none */
    bool mempty;             /* the current outer row has no right rows */
    sql_batch *rb;           /* the right batch being read, its evaluated keys, position */
    sql_vec **rkeys;
    uint32_t rpos;
    bool rdone;
    sql_sort_key *mkeys;     /* ascending, NULLs last: the order both inputs come in */
    uint32_t nleft, nright;
    bool keys_decide;        /* the condition is only the hash keys' equality: not re-tested */
    rt_arena *lateral_arena; /* LATERAL: the right operators of the current outer row */
    /* probe_first: the left rows read before the build (in mem), handed out first */
    sql_rowset left_rows;
    uint64_t left_emit;      /* the next of them to hand out */
    bool left_ended;         /* they are all of the left input's rows */
} sql_op_join;

/* LATERAL: reads the right input for outer row `orow` into j->right. Materials and subquery
 * results computed inside stay private to the row (they may depend on it). */
static bool sql_join_lateral_right(sql_op_join *j, sql_exec_ctx *x, uint32_t orow) {
    if (j->lateral_arena == NULL) j->lateral_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    if (j->lateral_arena == NULL) return rt_arena_fail(x->arena, x->err);
    rt_arena_reset(j->lateral_arena);
    sql_exec_ctx child = *x;
    child.arena = j->lateral_arena;
    child.materials = NULL;
    child.subquery_cache = NULL;
    child.outer[0] = j->outer;
    child.outer_row[0] = orow;
    child.outer_depth = 1;
    for (uint32_t i = 0; i < x->outer_depth && child.outer_depth < 4; i++) {
        child.outer[child.outer_depth] = x->outer[i];
        child.outer_row[child.outer_depth++] = x->outer_row[i];
    }
    sql_rowset_init(&j->right, j->base.batch_arena, j->nright);
    sql_op *op = sql_op_build(&child, j->base.plan->right);
    bool ok = op != NULL;
    while (ok) {
        sql_batch *in;
        ok = sql_op_next(op, &child, &in);
        if (!ok || in == NULL) break;
        for (uint32_t r = 0; ok && r < in->rows; r++) ok = sql_rowset_add(&j->right, in, r);
        if (!ok && !rt_err_is_set(x->err)) rt_arena_fail(j->base.batch_arena, x->err);
    }
    sql_op_close(op, &child);
    x->stats.rows_scanned += child.stats.rows_scanned;
    x->stats.fragments += child.stats.fragments;
    return ok;
}

/* The build side's row set is sized once from the planner's estimate, up to this many bytes:
 * growing it by doubling copied it again at every step (Q3's 147,000 joined rows: a sixth of
 * the query's time in copies and fresh pages). A larger estimate grows as before, so a wrong
 * one never holds more than this. */
#define SQL_JOIN_BUILD_RESERVE_BYTES_MAX (32u << 20)

static bool sql_join_build_right(sql_op_join *j, sql_exec_ctx *x) {
    double est = j->base.plan->right->est_rows;
    size_t width = sizeof(sql_value) * (j->nright > 0 ? j->nright : 1);
    if (est > 0 && est * (double)width <= SQL_JOIN_BUILD_RESERVE_BYTES_MAX &&
        est * (double)width <= (double)(sql_exec_hash_bytes_max / 8) &&
        !sql_rowset_reserve(&j->right, (uint64_t)est + 1)) {
        return sql_exec_hash_fail(j->mem, x, "join");
    }
    for (;;) {
        sql_batch *in;
        if (!sql_op_next(j->base.child2, x, &in)) return false;
        if (in == NULL) break;
        for (uint32_t r = 0; r < in->rows; r++) {
            if (!sql_rowset_add(&j->right, in, r)) return sql_exec_hash_fail(j->mem, x, "join");
        }
    }
    uint32_t jt = j->base.plan->join.join_type;
    if (jt == SQL_JT_RIGHT || jt == SQL_JT_FULL) {
        j->right_matched = rt_arena_zalloc(j->mem, j->right.count + 1);
        if (j->right_matched == NULL) return sql_exec_hash_fail(j->mem, x, "join");
    }
    return true;
}

/* Whether every right key is a plain column of the right row (the usual equi-join): then the
 * build reads the keys from the kept rows instead of evaluating them row by row. */
static bool sql_join_keys_plain(const sql_plan *p, uint32_t nright) {
    for (uint32_t k = 0; k < p->join.nkeys; k++) {
        const sql_expr *e = p->join.right_keys[k];
        if (e->kind != SQL_X_COLUMN || e->column.index >= nright) return false;
    }
    return true;
}

/* Inserts right row `r` under its key (key[nk] free for the row index): the first row of a
 * key heads its chain, later ones (built backwards: earlier rows) are linked in front. */
static bool sql_join_build_insert(sql_op_join *j, sql_value *key, uint32_t nk, uint64_t r) {
    key[nk] = (sql_value){.type_oid = SQL_T_INT8, .i64 = (int64_t)r};
    bool inserted, oom;
    uint64_t idx = sql_htab_find(&j->keys, key, sql_htab_hash(key, nk), key, true, &inserted,
                                 &oom);
    if (oom) return false;
    if (!inserted) {
        sql_value *head = &sql_rowset_row(&j->keys.rows, idx)[nk];
        j->chain[r] = (uint64_t)head->i64;
        head->i64 = (int64_t)r;
    }
    return true;
}

/* The build over plain column keys: no evaluation, no copies (the rows stay in j->mem). */
static bool sql_join_build_plain(sql_op_join *j, sql_exec_ctx *x, sql_value *key) {
    const sql_plan *p = j->base.plan;
    uint32_t nk = p->join.nkeys;
    for (uint64_t r = j->right.count; r-- > 0;) { /* backwards: chains keep input order */
        const sql_value *row = sql_rowset_row(&j->right, r);
        bool has_null = false;
        for (uint32_t k = 0; k < nk; k++) {
            key[k] = row[p->join.right_keys[k]->column.index];
            has_null |= key[k].is_null && !(p->join.nulls_equal & (1u << k));
        }
        j->chain[r] = UINT64_MAX;
        if (!has_null && !sql_join_build_insert(j, key, nk, r)) {
            return sql_exec_hash_fail(j->mem, x, "join");
        }
    }
    return true;
}

static bool sql_join_build_hash(sql_op_join *j, sql_exec_ctx *x) {
    const sql_plan *p = j->base.plan;
    uint32_t nk = p->join.nkeys;
    if (!sql_htab_init(&j->keys, j->mem, nk, nk + 1) ||
        !sql_htab_reserve(&j->keys, j->right.count)) {
        return sql_exec_hash_fail(j->mem, x, "join");
    }
    j->chain = rt_arena_alloc(j->mem, sizeof(uint64_t) * (j->right.count + 1));
    sql_value *key = rt_arena_alloc(j->mem, sizeof(sql_value) * (nk + 1));
    if (j->chain == NULL || key == NULL) return sql_exec_hash_fail(j->mem, x, "join");
    if (sql_join_keys_plain(p, j->nright)) return sql_join_build_plain(j, x, key);
    /* Evaluate the right keys row by row over one-row batches of the kept values. */
    sql_batch *one = sql_batch_new(x->arena, j->nright, 1);
    if (one == NULL) return false;
    for (uint32_t c = 0; c < j->nright; c++) {
        const sql_col *col = &p->right->cols[c];
        if (!sql_vec_init(x->arena, &one->cols[c], col->type_oid, col->typmod, 1)) return false;
    }
    one->rows = 1;
    rt_arena *tmp = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_eval_ctx ec;
    for (uint64_t r = j->right.count; r-- > 0;) { /* backwards: chains keep input order */
        const sql_value *row = sql_rowset_row(&j->right, r);
        for (uint32_t c = 0; c < j->nright; c++) sql_vec_set(&one->cols[c], 0, &row[c]);
        rt_arena_reset(tmp);
        sql_exec_eval_ctx(x, tmp, &ec);
        bool has_null = false;
        for (uint32_t k = 0; k < nk; k++) {
            sql_vec *v = sql_eval(&ec, p->join.right_keys[k], one, 1, NULL);
            if (v == NULL) {
                rt_arena_destroy(tmp);
                return false;
            }
            sql_vec_get(v, 0, &key[k]);
            has_null |= key[k].is_null && !(p->join.nulls_equal & (1u << k));
            if (!sql_value_copy(j->mem, &key[k])) has_null = true;
        }
        j->chain[r] = UINT64_MAX;
        if (has_null) continue; /* a NULL key never joins (but under IS NOT DISTINCT FROM) */
        if (!sql_join_build_insert(j, key, nk, r)) {
            rt_arena_destroy(tmp);
            return sql_exec_hash_fail(j->mem, x, "join");
        }
    }
    rt_arena_destroy(tmp);
    return true;
}

/* Whether a left (probe) row without a match adds nothing to the result: then leaving such
 * rows out before the join changes nothing. */
static bool sql_join_drops_unmatched_left(const sql_plan *p) {
    uint32_t jt = p->join.join_type;
    return p->kind == SQL_P_HASHJOIN && !p->join.merge && !p->join.lateral && !p->join.anti &&
           (p->join.semi || jt == SQL_JT_INNER || jt == SQL_JT_RIGHT);
}

/* The first join key a key filter can be made of: the filtered side's term (the left one, the
 * right one when `right`) a plain column read by the scan `child` when given, the other an
 * integer or date term of the same family (equal keys have equal int64 values; read from the
 * kept rows, the left one a plain column too), not compared by IS NOT DISTINCT FROM;
 * p->join.nkeys when none is. */
static uint32_t sql_join_filter_key(const sql_plan *p, const sql_op *child, bool right) {
    uint32_t k = 0;
    for (; k < p->join.nkeys; k++) {
        const sql_expr *lk = p->join.left_keys[k], *rk = p->join.right_keys[k];
        const sql_expr *mine = right ? rk : lk, *other = right ? lk : rk;
        int fam = sql_scan_keys_family(mine->type_oid);
        bool plain = mine->kind == SQL_X_COLUMN && mine->column.depth == 0 &&
                     (!right || (other->kind == SQL_X_COLUMN && other->column.depth == 0));
        if (!(p->join.nulls_equal & (1u << k)) && plain && fam != 0 &&
            sql_scan_keys_family(other->type_oid) == fam &&
            (child == NULL || sql_scan_keys_column(child, mine->column.index))) {
            break;
        }
    }
    return k;
}

/* The bloom filter and range of key k's build values (`keys`' rows), in `mem`; false (no
 * filter) when it cannot be allocated: the join still filters every row. */
static bool sql_join_filter_make(const sql_htab *keys, uint32_t k, rt_arena *mem,
                                 sql_join_keyset *out) {
    uint64_t count = keys->rows.count;
    uint32_t words_log2 = eng_scan_keys_words_log2(count);
    uint64_t *words = rt_arena_zalloc(mem, sizeof(uint64_t) << words_log2);
    if (words == NULL) return false;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint64_t r = 0; r < count; r++) {
        const sql_value *v = &sql_rowset_row(&keys->rows, r)[k];
        RT_ASSERT(!v->is_null); /* rows with a NULL key are not in the table */
        lo = v->i64 < lo ? v->i64 : lo;
        hi = v->i64 > hi ? v->i64 : hi;
        eng_scan_keys_add(words, words_log2, v->i64);
    }
    *out = (sql_join_keyset){.key = k, .lo = lo, .hi = hi, .words = words,
                             .words_log2 = words_log2};
    return true;
}

/* After the build, hands the scan the left rows come from the set of one key's build values
 * (a bloom filter and their range, eng_scan_keys), so it leaves out rows no right row can
 * match before their columns are copied: a selective join (Q3: about 1% of lineitem finds
 * an order) probed every row before. NULL keys never join. `shared`: the filter the shared
 * build made once for every fragment (used when it is of the key this scan takes). */
static void sql_join_push_keys(sql_op_join *j, sql_exec_ctx *x, const sql_join_keyset *shared) {
    const sql_plan *p = j->base.plan;
    if (!sql_join_drops_unmatched_left(p) || j->base.child == NULL) return;
    uint32_t k = sql_join_filter_key(p, j->base.child, false);
    if (k == p->join.nkeys) return;
    sql_join_keyset ks;
    if (shared != NULL && shared->words != NULL && shared->key == k) {
        ks = *shared;
    } else {
        /* A GATHER's fragments may still read the set after this join's close (they end at
         * the GATHER's, which follows): there it lives as long as the context. */
        bool gather = j->base.child->plan->kind == SQL_P_GATHER;
        if (!sql_join_filter_make(&j->keys, k, gather ? x->arena : j->mem, &ks)) return;
    }
    sql_scan_keys_set(j->base.child, p->join.left_keys[k]->column.index, ks.lo, ks.hi, ks.words,
                      ks.words_log2);
}

/* Left rows a probe-first hash join reads before its build, at most: past them the rest of the
 * left side streams as usual and the right side is read unfiltered (an estimate that was far
 * too low costs no more memory than this many rows). */
#define SQL_JOIN_PROBE_FIRST_ROWS_MAX 100000u

/* Probe side first (join.probe_first: INNER, LEFT, semi or anti, where a right row no left
 * row matches adds nothing): reads the left rows, and when they are all read hands the right
 * side's scan the set of one key's left values (a bloom filter and their range, as
 * sql_join_push_keys does the other way), so the store leaves out the right rows no left row
 * can match before they are copied and hashed. Q21's EXISTS / NOT EXISTS built the whole of
 * lineitem for a few thousand outer rows. */
static bool sql_join_probe_first(sql_op_join *j, sql_exec_ctx *x) {
    const sql_plan *p = j->base.plan;
    uint32_t jt = p->join.join_type;
    RT_ASSERT(p->kind == SQL_P_HASHJOIN && !p->join.lateral && !p->join.merge);
    RT_ASSERT(jt == SQL_JT_INNER || jt == SQL_JT_LEFT);
    sql_rowset_init(&j->left_rows, j->mem, j->nleft);
    while (j->left_rows.count < SQL_JOIN_PROBE_FIRST_ROWS_MAX) {
        sql_batch *in;
        if (!sql_op_next(j->base.child, x, &in)) return false;
        if (in == NULL) {
            j->left_ended = true;
            break;
        }
        for (uint32_t r = 0; r < in->rows; r++) {
            if (!sql_rowset_add(&j->left_rows, in, r)) return sql_exec_hash_fail(j->mem, x, "join");
        }
    }
    uint32_t k = sql_join_filter_key(p, j->base.child2, true);
    if (!j->left_ended || k == p->join.nkeys) return true;
    uint32_t col = p->join.left_keys[k]->column.index;
    uint64_t count = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint64_t r = 0; r < j->left_rows.count; r++) {
        const sql_value *v = &sql_rowset_row(&j->left_rows, r)[col];
        count += !v->is_null;
    }
    if (count == 0) return true; /* no left row can match: see sql_join_next */
    uint32_t words_log2 = eng_scan_keys_words_log2(count);
    /* A GATHER's fragments may still read the set after this join's close (as in
     * sql_join_push_keys): there it lives as long as the context. */
    bool gather = j->base.child2->plan->kind == SQL_P_GATHER;
    uint64_t *words = rt_arena_zalloc(gather ? x->arena : j->mem, sizeof(uint64_t) << words_log2);
    if (words == NULL) return true; /* no filter: the join still matches every row */
    for (uint64_t r = 0; r < j->left_rows.count; r++) {
        const sql_value *v = &sql_rowset_row(&j->left_rows, r)[col];
        if (v->is_null) continue; /* a NULL key never joins */
        lo = v->i64 < lo ? v->i64 : lo;
        hi = v->i64 > hi ? v->i64 : hi;
        eng_scan_keys_add(words, words_log2, v->i64);
    }
    sql_scan_keys_set(j->base.child2, p->join.right_keys[k]->column.index, lo, hi, words,
                      words_log2);
    return true;
}

/* Output batch of the join's columns (left ++ right). */
static sql_batch *sql_join_out(sql_op_join *j) {
    return sql_exec_batch(j->base.batch_arena, j->base.plan, SQL_BATCH_ROWS);
}

static void sql_join_put(sql_op_join *j, sql_batch *b, const sql_batch *outer, uint32_t orow,
                         const sql_value *right) {
    uint32_t r = b->rows++;
    sql_value v;
    for (uint32_t c = 0; c < j->nleft; c++) {
        if (outer != NULL) {
            sql_vec_get(&outer->cols[c], orow, &v);
        } else {
            v = (sql_value){.type_oid = b->cols[c].type_oid, .is_null = true};
        }
        sql_vec_set(&b->cols[c], r, &v);
    }
    /* A semi- or anti-join's inner columns are NULL (right is NULL): a join above it may
       copy every column of its rows. */
    for (uint32_t c = 0; c < j->nright; c++) {
        if (right != NULL) {
            v = right[c];
        } else {
            v = (sql_value){.type_oid = b->cols[j->nleft + c].type_oid, .is_null = true};
        }
        sql_vec_set(&b->cols[j->nleft + c], r, &v);
    }
}

/* Candidates of outer row `orow`: right row indexes (all rows, or one hash chain). */
static uint64_t sql_join_candidates(sql_op_join *j, sql_exec_ctx *x, uint32_t orow,
                                    uint64_t **out) {
    const sql_plan *p = j->base.plan;
    if (p->kind == SQL_P_NESTLOOP || p->join.merge) {
        *out = NULL;
        return j->mempty ? 0 : j->right.count;
    }
    uint32_t nk = p->join.nkeys;
    if (j->left_null[orow]) return 0;
    sql_value key[16];
    for (uint32_t k = 0; k < nk && k < 16; k++) sql_vec_get(j->left_keys[k], orow, &key[k]);
    bool inserted, oom;
    uint64_t idx = sql_htab_find(&j->keys, key, j->left_hash[orow], NULL, false, &inserted,
                                 &oom);
    if (idx == UINT64_MAX) return 0;
    uint64_t count = 0, cap = 16;
    uint64_t *list = rt_arena_alloc(j->base.batch_arena, sizeof(uint64_t) * cap);
    for (uint64_t r = (uint64_t)sql_rowset_row(&j->keys.rows, idx)[nk].i64; list != NULL &&
                                                                            r != UINT64_MAX;
         r = j->chain[r]) {
        if (count == cap) {
            list = rt_arena_grow(j->base.batch_arena, list, cap * 8, cap * 16);
            cap *= 2;
            if (list == NULL) break;
        }
        list[count++] = r;
    }
    if (list == NULL) rt_arena_fail(j->base.batch_arena, x->err);
    *out = list;
    return list != NULL ? count : 0;
}

/* Evaluates the join condition for outer row `orow` against candidates [from, to); sets
 * match[i] for passing candidates. */
static bool sql_join_test(sql_op_join *j, sql_exec_ctx *x, uint32_t orow, const uint64_t *cand,
                          uint64_t from, uint32_t n, uint8_t *match) {
    const sql_plan *p = j->base.plan;
    if (p->join.quals == NULL || j->keys_decide) {
        memset(match, 1, n);
        return true;
    }
    sql_batch *pairs = sql_batch_new(j->base.batch_arena, j->nleft + j->nright, n);
    if (pairs == NULL) return false;
    const sql_plan *lp = p->left, *rp = p->right;
    for (uint32_t c = 0; c < j->nleft; c++) {
        if (!sql_vec_init(j->base.batch_arena, &pairs->cols[c], lp->cols[c].type_oid,
                          lp->cols[c].typmod, n)) return false;
        sql_value v;
        sql_vec_get(&j->outer->cols[c], orow, &v);
        for (uint32_t i = 0; i < n; i++) sql_vec_set(&pairs->cols[c], i, &v);
    }
    for (uint32_t c = 0; c < j->nright; c++) {
        sql_vec *dst = &pairs->cols[j->nleft + c];
        if (!sql_vec_init(j->base.batch_arena, dst, rp->cols[c].type_oid, rp->cols[c].typmod, n)) {
            return false;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint64_t r = cand != NULL ? cand[from + i] : from + i;
            sql_vec_set(dst, i, &sql_rowset_row(&j->right, r)[c]);
        }
    }
    pairs->rows = n;
    uint32_t kept;
    if (!sql_exec_predicate(x, j->base.batch_arena, p->join.quals, pairs, match, &kept)) {
        return false;
    }
    if (j->base.actual != NULL) j->base.actual->join_removed += n - kept;
    return true;
}


/* ---- merge join ---- */

static bool sql_merge_right_next(sql_op_join *j, sql_exec_ctx *x) {
    const sql_plan *p = j->base.plan;
    if (!sql_op_next(j->base.child2, x, &j->rb)) return false;
    j->rpos = 0;
    if (j->rb == NULL) {
        j->rdone = true;
        return true;
    }
    sql_eval_ctx ec;
    sql_exec_eval_ctx(x, j->base.child2->batch_arena, &ec);
    j->rkeys = rt_arena_alloc(j->base.child2->batch_arena,
                              sizeof(sql_vec *) * (p->join.nkeys + 1u));
    if (j->rkeys == NULL) return rt_arena_fail(j->base.child2->batch_arena, x->err);
    for (uint32_t k = 0; k < p->join.nkeys; k++) {
        j->rkeys[k] = sql_eval(&ec, p->join.right_keys[k], j->rb, j->rb->rows, NULL);
        if (j->rkeys[k] == NULL) return false;
    }
    return true;
}

/* Positions the right input at outer row `orow`'s key: the right rows with a smaller key are
 * passed over (no later left row can match them, both inputs being ordered), those with the
 * key are kept in `right`; a left row with the same key as the last one keeps them. */
static bool sql_merge_seek(sql_op_join *j, sql_exec_ctx *x, uint32_t orow) {
    uint32_t nk = j->base.plan->join.nkeys;
    sql_value key[16], rkey[16];
    for (uint32_t k = 0; k < nk; k++) {
        sql_vec_get(j->left_keys[k], orow, &key[k]);
        if (key[k].is_null) { /* a NULL key never joins (and sorts after every other) */
            j->mempty = true;
            return true;
        }
    }
    j->mempty = false;
    if (j->gkey != NULL && sql_exec_sort_cmp(j->mkeys, nk, key, j->gkey) == 0) return true;
    j->gkey = NULL;
    rt_arena *mem = j->gmem[j->gcur];
    sql_rowset_init(&j->right, mem, j->nright);
    while (!j->rdone) {
        if (j->rb == NULL || j->rpos >= j->rb->rows) {
            if (!sql_merge_right_next(j, x)) return false;
            continue;
        }
        for (uint32_t k = 0; k < nk; k++) sql_vec_get(j->rkeys[k], j->rpos, &rkey[k]);
        int c = sql_exec_sort_cmp(j->mkeys, nk, rkey, key);
        if (c > 0) break;
        if (c == 0 && !sql_rowset_add(&j->right, j->rb, j->rpos)) {
            return sql_exec_hash_fail(mem, x, "join");
        }
        j->rpos++;
    }
    j->mempty = j->right.count == 0;
    if (j->mempty) return true;
    if ((j->gkey = rt_arena_alloc(mem, sizeof(sql_value) * nk)) == NULL) {
        return sql_exec_hash_fail(mem, x, "join");
    }
    for (uint32_t k = 0; k < nk; k++) {
        j->gkey[k] = key[k];
        if (!sql_value_copy(mem, &j->gkey[k])) return sql_exec_hash_fail(mem, x, "join");
    }
    return true;
}

/* At the start of a next() call: the rows handed out before are no longer referenced, so the
 * arena of the keys met then is freed after the current key's rows move to the other one. */
static bool sql_merge_carry(sql_op_join *j, sql_exec_ctx *x) {
    uint32_t nk = j->base.plan->join.nkeys, next = 1u - j->gcur;
    rt_arena *mem = j->gmem[next];
    rt_arena_reset(mem);
    sql_rowset moved;
    sql_rowset_init(&moved, mem, j->nright);
    for (uint64_t r = 0; j->gkey != NULL && r < j->right.count; r++) {
        if (!sql_rowset_add_values(&moved, sql_rowset_row(&j->right, r))) {
            return sql_exec_hash_fail(mem, x, "join");
        }
    }
    if (j->gkey != NULL) {
        sql_value *gkey = rt_arena_alloc(mem, sizeof(sql_value) * nk);
        if (gkey == NULL) return sql_exec_hash_fail(mem, x, "join");
        for (uint32_t k = 0; k < nk; k++) {
            gkey[k] = j->gkey[k];
            if (!sql_value_copy(mem, &gkey[k])) return sql_exec_hash_fail(mem, x, "join");
        }
        j->gkey = gkey;
    }
    j->right = moved;
    j->gcur = next;
    return true;
}

static bool sql_merge_open(sql_op_join *j, sql_exec_ctx *x) {
    uint32_t nk = j->base.plan->join.nkeys;
    RT_ASSERT(nk > 0 && nk <= 16);
    for (uint32_t i = 0; i < 2; i++) {
        if ((j->gmem[i] = rt_arena_create(sql_exec_hash_bytes_max)) == NULL) {
            return rt_arena_fail(x->arena, x->err);
        }
    }
    j->mkeys = rt_arena_zalloc(x->arena, sizeof(sql_sort_key) * nk);
    if (j->mkeys == NULL) return rt_arena_fail(x->arena, x->err);
    sql_rowset_init(&j->right, j->gmem[0], j->nright);
    return true;
}

/* Joins outer row `orow` into `b`; false on error. Emits at most what fits: the caller gives
 * a batch with room for every candidate (chunks of SQL_BATCH_ROWS). */
static bool sql_join_row(sql_op_join *j, sql_exec_ctx *x, uint32_t orow, sql_batch *b) {
    const sql_plan *p = j->base.plan;
    if (p->join.lateral && !sql_join_lateral_right(j, x, orow)) return false;
    if (p->join.merge && !sql_merge_seek(j, x, orow)) return false;
    uint64_t *cand;
    uint64_t ncand = sql_join_candidates(j, x, orow, &cand);
    if (rt_err_is_set(x->err)) return false;
    bool matched = false;
    /* Most outer rows of a selective hash join have no candidate: allocate only for those
       that have. */
    uint8_t *match = ncand > 0 ? rt_arena_alloc(j->base.batch_arena, SQL_BATCH_ROWS) : NULL;
    if (ncand > 0 && match == NULL) return false;
    for (uint64_t from = 0; from < ncand; from += SQL_BATCH_ROWS) {
        uint32_t n = ncand - from > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)(ncand - from);
        if (!sql_join_test(j, x, orow, cand, from, n, match)) return false;
        for (uint32_t i = 0; i < n; i++) {
            if (!match[i]) continue;
            matched = true;
            uint64_t r = cand != NULL ? cand[from + i] : from + i;
            if (j->right_matched != NULL) j->right_matched[r] = 1;
            if (p->join.semi || p->join.anti) break;
            if (b->rows == b->cap) {
                sql_batch *bigger = sql_batch_new(j->base.batch_arena, b->ncols, b->cap * 2);
                if (bigger == NULL) return false;
                for (uint32_t c = 0; c < b->ncols; c++) {
                    if (!sql_vec_init(j->base.batch_arena, &bigger->cols[c], b->cols[c].type_oid,
                                      b->cols[c].typmod, bigger->cap)) return false;
                    for (uint32_t k = 0; k < b->rows; k++) {
                        sql_value v;
                        sql_vec_get(&b->cols[c], k, &v);
                        sql_vec_set(&bigger->cols[c], k, &v);
                    }
                }
                bigger->rows = b->rows;
                *b = *bigger;
            }
            sql_join_put(j, b, j->outer, orow, sql_rowset_row(&j->right, r));
        }
        if (matched && (p->join.semi || p->join.anti)) break;
    }
    if (p->join.semi && matched) sql_join_put(j, b, j->outer, orow, NULL);
    if (p->join.anti && !matched) sql_join_put(j, b, j->outer, orow, NULL);
    uint32_t jt = p->join.join_type;
    if (!matched && !p->join.semi && !p->join.anti && (jt == SQL_JT_LEFT || jt == SQL_JT_FULL)) {
        sql_join_put(j, b, j->outer, orow, NULL);
    }
    return true;
}

/* Hashes the keys of the whole outer batch before any row is probed, and prefetches the slot
 * each hash starts at: a big build side's slots do not fit in the cache, and probing row by
 * row waited for one memory load per outer row (most of a selective join's time). Loads
 * issued for a whole batch overlap. */
static bool sql_join_hash_outer(sql_op_join *j, rt_arena *arena) {
    uint32_t n = j->outer->rows, nk = j->base.plan->join.nkeys;
    j->left_hash = rt_arena_alloc(arena, sizeof(uint64_t) * (n + 1u));
    j->left_null = rt_arena_alloc(arena, n + 1u);
    if (j->left_hash == NULL || j->left_null == NULL) return false;
    const uint64_t *slots = j->keys.slots;
    uint64_t mask = j->keys.cap - 1;
    sql_value key[16];
    for (uint32_t r = 0; r < n; r++) {
        bool null = false;
        uint16_t nulls_equal = j->base.plan->join.nulls_equal;
        for (uint32_t k = 0; k < nk && k < 16; k++) {
            sql_vec_get(j->left_keys[k], r, &key[k]);
            null |= key[k].is_null && !(nulls_equal & (1u << k));
        }
        j->left_null[r] = null;
        if (null) continue;
        j->left_hash[r] = sql_htab_hash(key, nk);
        __builtin_prefetch(&slots[j->left_hash[r] & mask]);
    }
    return true;
}

static bool sql_join_next_outer(sql_op_join *j, sql_exec_ctx *x) {
    const sql_plan *p = j->base.plan;
    rt_arena *arena = j->base.child->batch_arena;
    if (j->left_emit < j->left_rows.count) { /* probe_first: the rows read before the build */
        uint64_t left = j->left_rows.count - j->left_emit;
        uint32_t n = left > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)left;
        arena = j->mem;
        if (!sql_rowset_emit(&j->left_rows, j->left_emit, n, p->left->cols, arena, &j->outer)) {
            return sql_exec_hash_fail(j->mem, x, "join");
        }
        j->left_emit += n;
    } else if (j->left_ended) {
        j->outer = NULL;
    } else if (!sql_op_next(j->base.child, x, &j->outer)) {
        return false;
    }
    j->outer_row = 0;
    if (j->outer == NULL) {
        j->outer_done = true;
        return true;
    }
    if (p->kind == SQL_P_HASHJOIN) {
        sql_eval_ctx ec;
        sql_exec_eval_ctx(x, arena, &ec);
        j->left_keys = rt_arena_alloc(arena, sizeof(sql_vec *) * (p->join.nkeys + 1u));
        if (j->left_keys == NULL) return false;
        for (uint32_t k = 0; k < p->join.nkeys; k++) {
            j->left_keys[k] = sql_eval(&ec, p->join.left_keys[k], j->outer, j->outer->rows, NULL);
            if (j->left_keys[k] == NULL) return false;
        }
        if (!p->join.merge) return sql_join_hash_outer(j, arena);
    }
    return true;
}

static bool sql_join_next(sql_op *op, sql_exec_ctx *x, sql_batch **out) {
    sql_op_join *j = (sql_op_join *)op;
    *out = NULL;
    if (op->plan->join.merge) {
        if (!sql_merge_carry(j, x)) return false;
    } else if (!j->built) {
        j->built = true;
        const sql_join_shared *sh = x->join_shared;
        while (sh != NULL && sh->plan != op->plan) sh = sh->next;
        if (sh != NULL) { /* built once by the GATHER above: read in place */
            j->right = sh->right;
            j->keys = sh->keys;
            j->chain = sh->chain;
        } else {
            if (op->plan->join.probe_first && !sql_join_probe_first(j, x)) return false;
            /* probe_first and no left rows: nothing to match, the right side is not read */
            bool none = op->plan->join.probe_first && j->left_ended && j->left_rows.count == 0;
            if (!op->plan->join.lateral && !none && !sql_join_build_right(j, x)) return false;
            if (op->plan->kind == SQL_P_HASHJOIN && !sql_join_build_hash(j, x)) return false;
        }
        if (op->plan->kind == SQL_P_HASHJOIN && !op->plan->join.probe_first) {
            sql_join_push_keys(j, x, sh != NULL ? &sh->filter : NULL);
        }
    }
    sql_batch *b = sql_join_out(j);
    if (b == NULL) return false;
    while (!j->outer_done && b->rows < SQL_BATCH_ROWS / 2) {
        if (j->outer == NULL || j->outer_row >= j->outer->rows) {
            /* Rows already in b point into the outer batch: hand them out before the next
             * outer batch replaces it. */
            if (b->rows > 0) break;
            if (!sql_join_next_outer(j, x)) return false;
            continue;
        }
        if (!sql_join_row(j, x, j->outer_row++, b)) return false;
    }
    if (j->outer_done && j->right_matched != NULL) {
        while (b->rows < SQL_BATCH_ROWS && j->right_emit < j->right.count) {
            uint64_t r = j->right_emit++;
            if (!j->right_matched[r]) sql_join_put(j, b, NULL, 0, sql_rowset_row(&j->right, r));
        }
    }
    *out = b->rows > 0 ? b : NULL;
    return true;
}
static bool sql_join_open(sql_op *op, sql_exec_ctx *x) {
    sql_op_join *j = (sql_op_join *)op;
    if ((j->mem = rt_arena_create(sql_exec_hash_bytes_max)) == NULL) {
        return rt_arena_fail(x->arena, x->err);
    }
    j->left_rows = (sql_rowset){0};
    j->left_emit = 0;
    j->left_ended = false;
    if (op->plan->join.merge) return sql_merge_open(j, x);
    sql_rowset_init(&j->right, j->mem, j->nright);
    return true;
}

static void sql_join_close(sql_op *op, sql_exec_ctx *x) {
    (void)x;
    sql_op_join *j = (sql_op_join *)op;
    if (j->mem != NULL) rt_arena_destroy(j->mem);
    j->mem = NULL;
    j->built = false; /* what was built lived in mem */
    j->right_matched = NULL;
    if (j->lateral_arena != NULL) rt_arena_destroy(j->lateral_arena);
    j->lateral_arena = NULL;
    for (uint32_t i = 0; i < 2; i++) {
        if (j->gmem[i] != NULL) rt_arena_destroy(j->gmem[i]);
        j->gmem[i] = NULL;
    }
    j->gkey = NULL;
    j->rb = NULL;
    j->rdone = false;
}

static const sql_op_vt sql_join_vt = {sql_join_open, sql_join_next, sql_join_close};

/* Whether conjunct `c` (over left ++ right columns) is `left column = right column` of hash
 * key k, between two values of one integer or date type: the hash table compares such keys
 * exactly as `=` does (NULL keys never reach it). */
static bool sql_join_key_conjunct(const sql_plan *p, const sql_expr *c, uint32_t k) {
    const sql_expr *lk = p->join.left_keys[k], *rk = p->join.right_keys[k];
    uint32_t nleft = p->left->ncols, t = lk->type_oid;
    if (c->kind != SQL_X_FUNC || c->nargs != 2 || c->func.def == NULL ||
        !c->func.def->is_operator || strcmp(c->func.def->name, "=") != 0 ||
        lk->kind != SQL_X_COLUMN || rk->kind != SQL_X_COLUMN || rk->type_oid != t ||
        (t != SQL_T_INT2 && t != SQL_T_INT4 && t != SQL_T_INT8 && t != SQL_T_DATE)) {
        return false;
    }
    const sql_expr *a = c->args[0], *b = c->args[1];
    if (a->kind != SQL_X_COLUMN || b->kind != SQL_X_COLUMN || a->type_oid != t ||
        b->type_oid != t) {
        return false;
    }
    uint32_t l = lk->column.index, r = nleft + rk->column.index;
    return (a->column.index == l && b->column.index == r) ||
           (a->column.index == r && b->column.index == l);
}

/* Whether a hash join's condition is exactly its keys' equalities, one conjunct per key in
 * key order (as the planner derives the keys): a candidate of the hash chain then passes it
 * without evaluating it over a batch of pairs per outer row. */
static bool sql_join_keys_decide(const sql_plan *p) {
    if (p->kind != SQL_P_HASHJOIN || p->join.merge || p->join.lateral || p->join.quals == NULL) {
        return false;
    }
    const sql_expr *q = p->join.quals;
    uint32_t nk = p->join.nkeys;
    if (q->kind != SQL_X_AND) return nk == 1 && sql_join_key_conjunct(p, q, 0);
    if (q->nargs != nk) return false;
    for (uint32_t k = 0; k < nk; k++) {
        if (!sql_join_key_conjunct(p, q->args[k], k)) return false;
    }
    return true;
}

static sql_op *sql_op_new_join(sql_exec_ctx *x, const sql_plan *p) {
    sql_op_join *j = (sql_op_join *)sql_op_alloc(x, p, &sql_join_vt, sizeof *j);
    if (j == NULL) return NULL;
    if (!p->join.lateral) { /* a LATERAL right input is built per outer row */
        j->base.child2 = sql_op_build(x, p->right);
        if (j->base.child2 == NULL) return NULL;
    }
    j->nleft = p->left->ncols;
    j->nright = p->right->ncols;
    j->keys_decide = sql_join_keys_decide(p);
    return &j->base;
}

/* EXPLAIN ANALYZE: one more build of shared build side `p`, of `rows` rows, counted on this
 * shard (past SQL_SHARED_ACTUALS_MAX builds in a statement, not counted). */
static void sql_shared_actual_note(sql_exec_ctx *x, const sql_plan *p, uint64_t rows) {
    if (x->shared_actual == NULL) return;
    sql_shared_actual *a = &x->shared_actual[rt_core_id()];
    uint32_t i = 0;
    while (i < a->count && a->join[i] != p) i++;
    if (i == SQL_SHARED_ACTUALS_MAX) return;
    if (i == a->count) {
        a->join[a->count++] = p;
    }
    a->rows[i] += rows;
    a->builds[i]++;
}

bool sql_join_shared_build(sql_exec_ctx *x, const sql_plan *p, rt_arena *mem,
                           sql_join_shared *out) {
    RT_ASSERT(sql_plan_join_shareable(p));
    sql_op_join *j = rt_arena_zalloc(x->arena, sizeof *j);
    if (j == NULL) return rt_arena_fail(x->arena, x->err);
    j->base.plan = p;
    j->mem = mem;
    j->nleft = p->left->ncols;
    j->nright = p->right->ncols;
    sql_rowset_init(&j->right, mem, j->nright);
    if ((j->base.child2 = sql_op_build(x, p->right)) == NULL) {
        return rt_err_is_set(x->err) ? false : rt_arena_fail(x->arena, x->err);
    }
    bool ok = sql_join_build_right(j, x) && sql_join_build_hash(j, x);
    sql_op_close(j->base.child2, x);
    out->plan = p;
    out->right = j->right;
    out->keys = j->keys;
    out->chain = j->chain;
    out->filter = (sql_join_keyset){.words = NULL};
    /* The probe scans' key filter, once here rather than in every fragment (they take the
     * first key whose column a scan reads: the same in each). */
    uint32_t k = sql_join_filter_key(p, NULL, false);
    if (ok && sql_join_drops_unmatched_left(p) && k < p->join.nkeys) {
        (void)sql_join_filter_make(&j->keys, k, mem, &out->filter);
    }
    if (ok) sql_shared_actual_note(x, p, j->right.count);
    return ok;
}

sql_op *sql_op_new_nestloop(sql_exec_ctx *x, const sql_plan *p) { return sql_op_new_join(x, p); }
sql_op *sql_op_new_hashjoin(sql_exec_ctx *x, const sql_plan *p) { return sql_op_new_join(x, p); }
