/* sql_bind_cte.c: inlining WITH queries, as PostgreSQL 12+ does.
 *
 * A WITH entry is computed once and re-read (a MATERIAL node, EXPLAIN's "CTE Scan") unless
 * PostgreSQL would inline it: a non-recursive SELECT without volatile functions that is
 * written NOT MATERIALIZED, or written without either keyword and referenced once. An
 * inlined entry's query takes the place of each reference, as a subquery in FROM would, so
 * the planner pushes filters, joins, index and zone-map reads and the hybrid NEAR plan into
 * it.
 *
 * How many times an entry is referenced is known only when the query that owns the WITH is
 * bound. Until then every reference is a MATERIAL node noted in the entry's `uses`; then
 * (sql_cte_resolve, entries in WITH order) an inlined entry's first reference is overwritten
 * by the plan bound for the entry and every further one by the entry's query bound again.
 * Entries are resolved in WITH order, so an earlier entry's references inside a later one's
 * plan are already replaced when that plan is copied in, and a copy bound later reads an
 * already resolved entry directly (sql_cte_note_ref).
 *
 * An entry whose query refers to a query enclosing the WITH is bound for the WITH's level, so
 * its outer references count one level too many for a subquery in FROM: each reference is
 * bound again where it is written (the query level owning the WITH), and that copy replaces
 * it. Not inlined, where PostgreSQL would: such an entry when it is referenced from anywhere
 * else (a subquery, another WITH entry), one with FOR UPDATE / SHARE and a WITH RECURSIVE
 * entry of the UNION form that does not refer to itself. They are materialized: the same
 * rows, another plan. */
#include <string.h>

#include "sql/sql_bind_int.h"

bool sql_cte_inline_rule(sql_cte_materialize materialize, uint32_t nwritten) {
    switch (materialize) {
    case SQL_CTE_NOT_MATERIALIZED: return true;
    case SQL_CTE_MATERIALIZED: return false;
    case SQL_CTE_DEFAULT: return nwritten == 1;
    }
    return false;
}

/* Whether an outer reference made since `first` reaches q or a level enclosing it. */
static bool sql_cte_correlated(const sql_qlevel *q, uint32_t first) {
    const sql_binder *b = q->b;
    for (uint32_t i = first; i < b->nuprefs; i++) {
        for (const sql_qlevel *l = q; l != NULL; l = l->parent) {
            if (b->uprefs[i].level == l) return true;
        }
    }
    return false;
}

void sql_cte_note_def(sql_qlevel *q, sql_cte_def *c, const sql_cte *ast, sql_cte_def *visible,
                      uint32_t first_upref, bool volatile_funcs) {
    const sql_select *s = (const sql_select *)ast->query;
    c->ast = ast;
    c->scope_ctes = visible;
    c->owner = q;
    c->inlinable = !volatile_funcs && s->locking.count == 0;
    c->correlated = sql_cte_correlated(q, first_upref);
}

/* Overwrites the reference `ref` with the plan `body` of the entry's query; the reference
 * keeps its own output columns (the entry's column names, or the FROM item's aliases). */
static void sql_cte_inline(sql_plan *ref, const sql_plan *body) {
    RT_ASSERT(ref->kind == SQL_P_MATERIAL);
    RT_ASSERT(ref->ncols == body->ncols);
    sql_col *cols = ref->cols;
    *ref = *body;
    ref->cols = cols;
}

/* The entry's query bound again, for one more inlined reference. */
static sql_plan *sql_cte_copy(sql_binder *b, const sql_cte_def *c) {
    b->cte_copies++;
    sql_plan *p = sql_bind_select(c->owner, (const sql_select *)c->ast->query, c->scope_ctes);
    b->cte_copies--;
    return p;
}

/* A correlated entry's query bound at a reference in the FROM list of the WITH's own query
 * level q, as a subquery written there (earlier FROM items invisible) would be. */
static sql_plan *sql_cte_copy_here(sql_qlevel *q, const sql_cte_def *c) {
    sql_binder *b = q->b;
    RT_ASSERT(q->parent != NULL); /* what it refers to encloses the WITH */
    const sql_scope *invisible = b->invisible;
    if (q->scope != NULL) b->invisible = q->scope;
    b->cte_copies++;
    sql_plan *p = sql_bind_select(q->parent, (const sql_select *)c->ast->query, c->scope_ctes);
    b->cte_copies--;
    b->invisible = invisible;
    return p;
}

bool sql_cte_note_ref(sql_qlevel *q, sql_cte_def *c, sql_plan *ref) {
    sql_binder *b = q->b;
    if (c->ast == NULL) return true;
    if (b->cte_copies == 0) c->nwritten++;
    if (c->resolved) {
        if (!c->inline_refs) return true;
        RT_ASSERT(!c->correlated); /* its only references are in the WITH's FROM list */
        sql_plan *body = sql_cte_copy(b, c);
        if (body == NULL) return false;
        sql_cte_inline(ref, body);
        return true;
    }
    sql_plan *copy = NULL;
    if (c->correlated && c->inlinable) {
        if (q != c->owner) {
            c->inlinable = false; /* materialized, as a reference elsewhere reads it */
        } else if ((copy = sql_cte_copy_here(q, c)) == NULL) {
            return false;
        }
    }
    if (c->nuses == c->use_cap) {
        uint32_t cap = c->use_cap == 0 ? 4 : c->use_cap * 2;
        sql_cte_use *uses = rt_arena_grow(b->arena, c->uses, sizeof *uses * c->nuses,
                                          sizeof *uses * cap);
        if (uses == NULL) return sql_bind_oom(b);
        c->uses = uses;
        c->use_cap = cap;
    }
    c->uses[c->nuses++] = (sql_cte_use){.ref = ref, .copy = copy};
    return true;
}

static bool sql_cte_resolve_one(sql_binder *b, sql_cte_def *c) {
    c->resolved = true;
    c->inline_refs = c->ast != NULL && c->inlinable &&
                     sql_cte_inline_rule(c->ast->materialize, c->nwritten);
    for (uint32_t k = 0; c->inline_refs && k < c->nuses; k++) {
        const sql_plan *body = c->correlated ? c->uses[k].copy
                               : k == 0      ? c->material->left
                                             : sql_cte_copy(b, c);
        if (body == NULL) return false;
        sql_cte_inline(c->uses[k].ref, body);
    }
    return true;
}

bool sql_cte_resolve(sql_binder *b, sql_cte_def *mine, const sql_cte_def *outer) {
    uint32_t n = 0;
    for (const sql_cte_def *c = mine; c != outer; c = c->next) n++;
    if (n == 0) return true;
    sql_cte_def **order = rt_arena_alloc(b->arena, sizeof(sql_cte_def *) * n);
    if (order == NULL) return sql_bind_oom(b);
    uint32_t i = n;
    for (sql_cte_def *c = mine; c != outer; c = c->next) order[--i] = c; /* WITH order */
    for (i = 0; i < n; i++) {
        if (!sql_cte_resolve_one(b, order[i])) return false;
    }
    return true;
}
