/* sql_bind_srf.c: set-returning functions in the select list (SELECT unnest(a), 1,
 * generate_series(1, 3) * 2), with PostgreSQL's ProjectSet semantics: per input row every
 * set-returning call of the list runs, their rows advance in lockstep, the shorter sets are
 * padded with NULLs, and a row whose sets are all empty yields nothing.
 * The calls are lifted into a PROJECTSET node over the input (its columns: the input's, then
 * one per call); the targets above it read the calls' columns. Calls nested in another
 * call's arguments, or under CASE / COALESCE (PostgreSQL refuses those), are not supported
 * (0A000). */
#include "sql/sql_bind_int.h"

/* The set-returning calls of a target list: at most this many per query level. */
#define SQL_SRF_CALLS_MAX 64

typedef struct sql_srf_lift {
    sql_qlevel *q;
    sql_expr *calls[SQL_SRF_CALLS_MAX];
    uint32_t ncalls;
    uint32_t first_col;   /* the PROJECTSET column of calls[0] */
} sql_srf_lift;

static bool sql_is_srf(const sql_expr *e) {
    return e->kind == SQL_X_FUNC && e->func.def != NULL && (e->func.def->flags & SQL_F_SRF);
}

static bool sql_has_srf(const sql_expr *e) {
    if (e == NULL || e->kind == SQL_X_SUBQUERY) return false; /* a subquery's own level */
    if (sql_is_srf(e)) return true;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (sql_has_srf(e->args[i])) return true;
    }
    return false;
}

/* Replaces the calls under *ep by references to the PROJECTSET's columns. */
static bool sql_srf_replace(sql_srf_lift *l, sql_expr **ep, const char *under) {
    sql_expr *e = *ep;
    sql_binder *b = l->q->b;
    if (e == NULL || e->kind == SQL_X_SUBQUERY) return true;
    if (!sql_is_srf(e)) {
        const char *ctx = e->kind == SQL_X_CASE ? "CASE" : e->kind == SQL_X_COALESCE
                                                            ? "COALESCE" : under;
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (!sql_srf_replace(l, &e->args[i], ctx)) return false;
        }
        return true;
    }
    if (under != NULL) {
        sql_bind_error(b, e->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "set-returning functions are not allowed in %s", under);
        rt_err_hint(b->bc->err, "You might be able to move the set-returning function into a "
                    "LATERAL FROM item.");
        return false;
    }
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (sql_has_srf(e->args[i])) {
            return sql_bind_error(b, e->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "nested set-returning functions are not supported yet");
        }
    }
    if (e->func.def->srf_ncols > 1) {
        return sql_bind_error(b, e->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "set-returning function %s in the select list is not supported "
                              "yet; call it in FROM", e->func.def->name);
    }
    if (l->ncalls == SQL_SRF_CALLS_MAX) {
        return sql_bind_error(b, e->location, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "too many set-returning functions in the select list (at most "
                              "%d)", SQL_SRF_CALLS_MAX);
    }
    l->calls[l->ncalls] = e;
    sql_expr *ref = sql_expr_column(b->arena, l->first_col + l->ncalls, e->type_oid, e->typmod);
    if (ref == NULL) return sql_bind_oom(b);
    ref->location = e->location;
    l->ncalls++;
    *ep = ref;
    return true;
}

static sql_plan *sql_srf_oom(sql_binder *b) {
    sql_bind_oom(b);
    return NULL;
}

sql_plan *sql_bind_project_set(sql_qlevel *q, sql_plan *in, sql_expr **exprs, uint32_t n) {
    bool any = false;
    for (uint32_t i = 0; i < n && !any; i++) any = sql_has_srf(exprs[i]);
    if (!any) return in;
    sql_binder *b = q->b;
    sql_srf_lift l = {.q = q, .first_col = in->ncols};
    for (uint32_t i = 0; i < n; i++) {
        if (!sql_srf_replace(&l, &exprs[i], NULL)) return NULL;
    }
    sql_plan *p = sql_plan_new(b->arena, SQL_P_PROJECTSET, in->ncols + l.ncalls);
    if (p == NULL) return sql_srf_oom(b);
    p->left = in;
    p->project.exprs = rt_arena_alloc(b->arena, sizeof(sql_expr *) * (p->ncols + 1u));
    if (p->project.exprs == NULL) return sql_srf_oom(b);
    for (uint32_t c = 0; c < in->ncols; c++) {
        p->cols[c] = in->cols[c];
        p->project.exprs[c] = sql_expr_column(b->arena, c, in->cols[c].type_oid,
                                              in->cols[c].typmod);
        if (p->project.exprs[c] == NULL) return sql_srf_oom(b);
    }
    for (uint32_t k = 0; k < l.ncalls; k++) {
        const sql_expr *e = l.calls[k];
        p->cols[in->ncols + k] = (sql_col){.name = e->func.def->name, .type_oid = e->type_oid,
                                           .typmod = e->typmod};
        p->project.exprs[in->ncols + k] = l.calls[k];
    }
    p->est_rows = in->est_rows * 10;
    return p;
}
