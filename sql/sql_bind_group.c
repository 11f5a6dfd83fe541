/* sql_bind_group.c: GROUP BY with ROLLUP, CUBE and GROUPING SETS, the GROUPING() operation,
 * and the ordered-set aggregates' WITHIN GROUP calls.
 * Grouping sets expand as PostgreSQL 15 defines them: every GROUP BY item stands for a list of
 * sets (a plain expression for one set holding it; ROLLUP (a, b) for (a, b), (a), (); CUBE for
 * every subset; GROUPING SETS for the concatenation of its items' lists, () the empty set), and
 * the GROUP BY clause is the cross product of its items' lists, duplicates kept unless GROUP BY
 * DISTINCT. A set is a bitmask over the grouping expressions (each bound once), which the AGG
 * node carries (sql_plan.h); one set holding everything is a plain GROUP BY.
 * GROUPING(a, b) is registered with the query's aggregates (def sql_agg_grouping()) so the
 * grouped rewrite reads it like an aggregate's result; the AGG node computes its bits from the
 * set a group belongs to. Limits: SQL_GROUPING_SETS_MAX, SQL_CUBE_ITEMS_MAX,
 * SQL_GROUPING_ARGS_MAX (PostgreSQL's) and SQL_GROUPING_COLUMNS_MAX (the bitmask). */
#include <string.h>

#include "sql/sql_bind_int.h"
#include "sql/sql_strbuf.h"

/* PostgreSQL's bounds, with its errors: 54001 past 4096 sets, 54011 for a CUBE of more than 12
 * items, 54023 for GROUPING of 32 arguments or more (its result is an int4 bitmask). */
#define SQL_GROUPING_SETS_MAX 4096u
#define SQL_CUBE_ITEMS_MAX 12u
#define SQL_GROUPING_ARGS_MAX 31u

typedef struct sql_gset_list {
    uint64_t *masks;
    uint32_t count, cap;
} sql_gset_list;

typedef struct sql_gset_ctx {
    sql_qlevel *q;
    sql_bind_group_item_fn bind;
    void *bind_ctx;
    sql_group_spec *out;
    uint32_t cap;
} sql_gset_ctx;

static bool sql_gset_push(sql_gset_ctx *g, sql_gset_list *l, uint64_t mask, uint32_t loc) {
    if (l->count >= SQL_GROUPING_SETS_MAX) {
        return sql_bind_error(g->q->b, loc, SQLSTATE_STATEMENT_TOO_COMPLEX,
                              "too many grouping sets present (maximum %u)",
                              SQL_GROUPING_SETS_MAX);
    }
    if (l->count == l->cap) {
        uint32_t cap = l->cap == 0 ? 8 : l->cap * 2;
        uint64_t *m = rt_arena_grow(g->q->b->arena, l->masks, sizeof(uint64_t) * l->cap,
                                    sizeof(uint64_t) * cap);
        if (m == NULL) return sql_bind_oom(g->q->b);
        l->masks = m;
        l->cap = cap;
    }
    l->masks[l->count++] = mask;
    return true;
}

/* The bit of one grouping expression (bound through the caller, each distinct one once). */
static bool sql_gset_expr(sql_gset_ctx *g, const sql_node *n, uint64_t *mask) {
    sql_group_spec *s = g->out;
    sql_expr *e = g->bind(g->bind_ctx, n);
    if (e == NULL) return false;
    for (uint32_t i = 0; i < s->nexprs; i++) {
        if (sql_expr_equal(s->exprs[i], e)) {
            *mask |= 1ull << (i < 64 ? i : 63);
            return true;
        }
    }
    if (s->nexprs == g->cap) {
        uint32_t cap = g->cap == 0 ? 8 : g->cap * 2;
        sql_expr **x = rt_arena_grow(g->q->b->arena, s->exprs, sizeof(void *) * g->cap,
                                     sizeof(void *) * cap);
        if (x == NULL) return sql_bind_oom(g->q->b);
        s->exprs = x;
        g->cap = cap;
    }
    if (s->nexprs < 64) *mask |= 1ull << s->nexprs;
    s->exprs[s->nexprs++] = e;
    return true;
}

/* An item of ROLLUP / CUBE / GROUPING SETS: an expression, or (a, b) for several together. */
static bool sql_gset_item_mask(sql_gset_ctx *g, const sql_node *n, uint64_t *mask) {
    *mask = 0;
    if (SQL_NODE_KIND(n) == SQL_N_ROW && !((const sql_row *)n)->explicit_row) {
        const sql_row *r = (const sql_row *)n;
        for (uint32_t i = 0; i < r->args.count; i++) {
            if (!sql_gset_expr(g, SQL_LIST_AT(r->args, i), mask)) return false;
        }
        return true;
    }
    return sql_gset_expr(g, n, mask);
}

static bool sql_gset_expand(sql_gset_ctx *g, const sql_node *n, sql_gset_list *out);

static bool sql_gset_rollup_cube(sql_gset_ctx *g, const sql_grouping_set *gs,
                                 sql_gset_list *out) {
    uint32_t n = gs->content.count;
    if (gs->set_kind == SQL_GSET_CUBE && n > SQL_CUBE_ITEMS_MAX) {
        return sql_bind_error(g->q->b, gs->hdr.location, SQLSTATE_TOO_MANY_COLUMNS,
                              "CUBE is limited to %u elements", SQL_CUBE_ITEMS_MAX);
    }
    uint64_t items[64];
    if (n > 64) {
        return sql_bind_error(g->q->b, gs->hdr.location, SQLSTATE_STATEMENT_TOO_COMPLEX,
                              "too many grouping sets present (maximum %u)",
                              SQL_GROUPING_SETS_MAX);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!sql_gset_item_mask(g, SQL_LIST_AT(gs->content, i), &items[i])) return false;
    }
    if (gs->set_kind == SQL_GSET_ROLLUP) { /* (a, b, c), (a, b), (a), () */
        for (uint32_t k = n + 1; k-- > 0;) {
            uint64_t m = 0;
            for (uint32_t i = 0; i < k; i++) m |= items[i];
            if (!sql_gset_push(g, out, m, gs->hdr.location)) return false;
        }
        return true;
    }
    for (uint64_t sub = 1ull << n; sub-- > 0;) { /* every subset, the whole first */
        uint64_t m = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (sub & (1ull << (n - 1 - i))) m |= items[i];
        }
        if (!sql_gset_push(g, out, m, gs->hdr.location)) return false;
    }
    return true;
}

/* The list of sets one GROUP BY item (or an item of GROUPING SETS) stands for. */
static bool sql_gset_expand(sql_gset_ctx *g, const sql_node *n, sql_gset_list *out) {
    if (SQL_NODE_KIND(n) != SQL_N_GROUPING_SET) {
        uint64_t m;
        return sql_gset_item_mask(g, n, &m) && sql_gset_push(g, out, m, n->location);
    }
    const sql_grouping_set *gs = (const sql_grouping_set *)n;
    switch (gs->set_kind) {
    case SQL_GSET_EMPTY: return sql_gset_push(g, out, 0, n->location);
    case SQL_GSET_ROLLUP: case SQL_GSET_CUBE: return sql_gset_rollup_cube(g, gs, out);
    default:
        for (uint32_t i = 0; i < gs->content.count; i++) {
            if (!sql_gset_expand(g, SQL_LIST_AT(gs->content, i), out)) return false;
        }
        return true;
    }
}

/* acc := { a | b : a in acc, b in item } */
static bool sql_gset_cross(sql_gset_ctx *g, sql_gset_list *acc, const sql_gset_list *item,
                           uint32_t loc) {
    if ((uint64_t)acc->count * item->count > SQL_GROUPING_SETS_MAX) {
        return sql_bind_error(g->q->b, loc, SQLSTATE_STATEMENT_TOO_COMPLEX,
                              "too many grouping sets present (maximum %u)",
                              SQL_GROUPING_SETS_MAX);
    }
    sql_gset_list next = {0};
    for (uint32_t i = 0; i < acc->count; i++) {
        for (uint32_t k = 0; k < item->count; k++) {
            if (!sql_gset_push(g, &next, acc->masks[i] | item->masks[k], loc)) return false;
        }
    }
    *acc = next;
    return true;
}

static void sql_gset_dedup(sql_gset_list *l) {
    uint32_t kept = 0;
    for (uint32_t i = 0; i < l->count; i++) {
        bool dup = false;
        for (uint32_t k = 0; k < kept && !dup; k++) dup = l->masks[k] == l->masks[i];
        if (!dup) l->masks[kept++] = l->masks[i];
    }
    l->count = kept;
}

bool sql_bind_group_spec(sql_qlevel *q, const sql_list *items, bool distinct,
                         sql_bind_group_item_fn bind, void *ctx, sql_group_spec *out) {
    memset(out, 0, sizeof *out);
    sql_gset_ctx g = {.q = q, .bind = bind, .bind_ctx = ctx, .out = out};
    sql_gset_list acc = {0};
    if (!sql_gset_push(&g, &acc, 0, UINT32_MAX)) return false;
    bool any_sets = false;
    for (uint32_t i = 0; i < items->count; i++) {
        const sql_node *n = SQL_LIST_AT(*items, i);
        sql_gset_list one = {0};
        any_sets |= SQL_NODE_KIND(n) == SQL_N_GROUPING_SET;
        /* A bare (a, b) at the top is a list of expressions, as PostgreSQL flattens it. */
        bool ok = SQL_NODE_KIND(n) == SQL_N_GROUPING_SET ? sql_gset_expand(&g, n, &one)
                                                         : sql_gset_push(&g, &one, 0, 0);
        if (ok && SQL_NODE_KIND(n) != SQL_N_GROUPING_SET) ok = sql_gset_item_mask(&g, n,
                                                                                &one.masks[0]);
        if (!ok || !sql_gset_cross(&g, &acc, &one, n->location)) return false;
    }
    if (out->nexprs > SQL_GROUPING_COLUMNS_MAX && any_sets) {
        return sql_bind_error(q->b, UINT32_MAX, SQLSTATE_TOO_MANY_COLUMNS,
                              "grouping sets over more than %u grouping expressions are not "
                              "supported", SQL_GROUPING_COLUMNS_MAX);
    }
    if (distinct) sql_gset_dedup(&acc);
    if (acc.count > 1) {
        out->sets = acc.masks;
        out->nsets = acc.count;
    }
    return true;
}

/* ---- GROUPING() ---- */

sql_expr *sql_bind_grouping_func(sql_qlevel *q, const sql_grouping *gn) {
    sql_binder *b = q->b;
    uint32_t loc = gn->hdr.location;
    if (q->agg_forbidden != NULL) {
        sql_bind_error(b, loc, SQLSTATE_GROUPING_ERROR, "grouping operations are not allowed in %s",
                       q->agg_forbidden);
        return NULL;
    }
    if (q->in_agg_args) {
        sql_bind_error(b, loc, SQLSTATE_GROUPING_ERROR,
                       "aggregate function calls cannot be nested");
        return NULL;
    }
    if (gn->args.count > SQL_GROUPING_ARGS_MAX) {
        sql_bind_error(b, loc, SQLSTATE_TOO_MANY_ARGUMENTS,
                       "GROUPING must have fewer than %u arguments", SQL_GROUPING_ARGS_MAX + 1);
        return NULL;
    }
    sql_agg_call call = {.def = sql_agg_grouping(), .nargs = gn->args.count,
                         .type_oid = SQL_T_INT4, .typmod = -1};
    call.args = rt_arena_zalloc(b->arena, sizeof(sql_expr *) * (call.nargs + 1u));
    if (call.args == NULL) return NULL;
    for (uint32_t i = 0; i < call.nargs; i++) {
        if ((call.args[i] = sql_bind_expr(q, SQL_LIST_AT(gn->args, i))) == NULL) return NULL;
    }
    if (q->naggs == q->agg_cap) {
        uint32_t cap = q->agg_cap == 0 ? 8 : q->agg_cap * 2;
        sql_agg_call *aggs = rt_arena_grow(b->arena, q->aggs, q->agg_cap * sizeof *aggs,
                                           cap * sizeof *aggs);
        if (aggs == NULL) return NULL;
        q->aggs = aggs;
        q->agg_cap = cap;
    }
    q->aggs[q->naggs] = call;
    sql_expr *e = sql_expr_new(b->arena, SQL_X_AGGREF, SQL_T_INT4, 0);
    if (e == NULL) return NULL;
    e->typmod = -1;
    e->aggref.index = q->naggs++;
    e->location = loc;
    return e;
}

bool sql_bind_grouping_resolve(sql_qlevel *q, sql_expr **group, uint32_t ngroup) {
    for (uint32_t a = 0; a < q->naggs; a++) {
        sql_agg_call *c = &q->aggs[a];
        if (c->def != sql_agg_grouping() || c->grouping != NULL) continue;
        uint32_t *cols = rt_arena_alloc(q->b->arena, sizeof(uint32_t) * (c->nargs + 1u));
        if (cols == NULL) return sql_bind_oom(q->b);
        for (uint32_t i = 0; i < c->nargs; i++) {
            cols[i] = UINT32_MAX;
            for (uint32_t k = 0; k < ngroup && cols[i] == UINT32_MAX; k++) {
                if (sql_expr_equal(c->args[i], group[k])) cols[i] = k;
            }
            if (cols[i] == UINT32_MAX) {
                return sql_bind_error(q->b, c->args[i]->location, SQLSTATE_GROUPING_ERROR,
                                      "arguments to GROUPING must be grouping expressions of "
                                      "the associated query level");
            }
        }
        c->grouping = cols;
        c->ngrouping = c->nargs;
        c->nargs = 0; /* nothing to evaluate per row: the AGG node knows the group's set */
    }
    return true;
}

/* ---- WITHIN GROUP ---- */

/* "name(type, type, ...)" of a call's direct and ordered arguments, for 42883. */
static const char *sql_ordset_signature(sql_qlevel *q, const char *name,
                                        const sql_agg_call *call) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, q->b->arena, 64);
    sql_strbuf_printf(&sb, "%s(", name);
    for (uint32_t i = 0; i < call->nargs + call->norder; i++) {
        const sql_expr *e = i < call->nargs ? call->args[i] : call->order[i - call->nargs].expr;
        sql_strbuf_printf(&sb, "%s%s", i > 0 ? ", " : "", sql_type_name(e->type_oid));
    }
    sql_strbuf_putc(&sb, ')');
    sql_strbuf_putc(&sb, '\0');
    return sb.failed ? name : sb.data;
}

static bool sql_ordset_matches(const sql_agg_def *d, sql_expr *const *args, uint32_t n,
                               int pass) {
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = args[i]->type_oid, t = d->args[i];
        bool poly = t == SQL_T_ANY || t == SQL_T_ANYELEMENT;
        bool ok = pass == 0 ? (a == t || (poly && a != SQL_T_UNKNOWN))
                  : pass == 1 ? (a == t || poly || sql_cast_allowed(a, t, SQL_CAST_IMPLICIT))
                              : (a == SQL_T_UNKNOWN || poly);
        if (!ok) return false;
    }
    return true;
}

/* Among several candidates matching an unknown literal (percentile_disc(NULL) or ('0.5')),
 * PostgreSQL's last rule assumes the unknown argument has the known arguments' type (here the
 * WITHIN GROUP argument's) and keeps the one candidate that accepts it; else 42725. */
static const sql_agg_def *sql_ordset_unknown(sql_qlevel *q, const char *name, uint32_t loc,
                                             const sql_agg_call *call, sql_expr *const *args,
                                             uint32_t n, const sql_agg_def **cands,
                                             uint32_t ncands) {
    uint32_t known = args[n - 1]->type_oid, kept = 0;
    const sql_agg_def *pick = NULL;
    for (uint32_t k = 0; k < ncands; k++) {
        bool ok = true;
        for (uint32_t i = 0; i + 1 < n && ok; i++) {
            uint32_t t = cands[k]->args[i];
            ok = args[i]->type_oid != SQL_T_UNKNOWN || t == known ||
                 sql_cast_allowed(known, t, SQL_CAST_IMPLICIT);
        }
        if (ok) {
            pick = cands[k];
            kept++;
        }
    }
    if (kept == 1) return pick;
    sql_bind_error(q->b, loc, SQLSTATE_AMBIGUOUS_FUNCTION, "function %s is not unique",
                   sql_ordset_signature(q, name, call));
    rt_err_hint(q->b->bc->err, "Could not choose a best candidate function. You might need to "
                "add explicit type casts.");
    return NULL;
}

bool sql_bind_ordset_resolve(sql_qlevel *q, const char *name, uint32_t loc, sql_agg_call *call) {
    uint32_t n = call->nargs + call->norder;
    sql_expr *args[3];
    sql_agg_list list = sql_aggs_lookup(name);
    const sql_agg_def *def = NULL, *cands[16];
    uint32_t ncands = 0;
    bool unknown = false;
    if (n <= 2) {
        for (uint32_t i = 0; i < n; i++) {
            args[i] = i < call->nargs ? call->args[i] : call->order[i - call->nargs].expr;
            unknown |= i < call->nargs && args[i]->type_oid == SQL_T_UNKNOWN;
        }
        for (int pass = 0; pass < 3 && ncands == 0; pass++) {
            for (uint32_t k = 0; k < list.count && ncands < 16; k++) {
                const sql_agg_def *d = list.items[k];
                if (d->ordered_set && d->nargs == n && sql_ordset_matches(d, args, n, pass)) {
                    cands[ncands++] = d;
                }
            }
        }
        def = ncands > 0 ? cands[0] : NULL;
    }
    if (ncands > 1 && unknown && args[n - 1]->type_oid != SQL_T_UNKNOWN) {
        def = sql_ordset_unknown(q, name, loc, call, args, n, cands, ncands);
        if (def == NULL) return false;
    }
    for (uint32_t k = 0; def == NULL && n <= 2 && k < list.count; k++) {
        const sql_agg_def *d = list.items[k]; /* count(*) WITHIN GROUP: count(any) exists */
        if (!d->ordered_set && d->nargs == n && sql_ordset_matches(d, args, n, 1)) {
            return sql_bind_error(q->b, loc, SQLSTATE_WRONG_OBJECT_TYPE,
                                  "%s is not an ordered-set aggregate, so it cannot have WITHIN "
                                  "GROUP", name);
        }
    }
    if (def == NULL) {
        sql_bind_error(q->b, loc, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist",
                       sql_ordset_signature(q, name, call));
        rt_err_hint(q->b->bc->err, "No function matches the given name and argument types. You "
                    "might need to add explicit type casts.");
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = def->args[i];
        if (t == SQL_T_ANY) continue;
        if (t == SQL_T_ANYELEMENT) t = args[i]->type_oid == SQL_T_UNKNOWN ? SQL_T_TEXT
                                                                         : args[i]->type_oid;
        args[i] = sql_bind_coerce(q, args[i], t, -1, SQL_CAST_IMPLICIT, args[i]->location, NULL);
        if (args[i] == NULL) return false;
        if (i < call->nargs) call->args[i] = args[i];
        else call->order[i - call->nargs].expr = args[i];
    }
    const sql_expr *sorted = call->order[0].expr;
    call->def = def;
    call->type_oid = def->ret == SQL_T_ANYELEMENT ? sorted->type_oid
                     : def->ret == SQL_T_ANYARRAY ? sql_type_array_of(sorted->type_oid)
                                                  : def->ret;
    call->typmod = def->ret == SQL_T_ANYELEMENT ? sorted->typmod : -1;
    if (call->type_oid == 0) {
        return sql_bind_array_type_error(q->b, loc, SQLSTATE_UNDEFINED_FUNCTION,
                                         sorted->type_oid);
    }
    return true;
}
