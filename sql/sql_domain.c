/* sql_domain.c: finding domains by name, binding their constraints, and checking values
 * against them (sql_domain.h). */
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_domain.h"

const eng_domain *sql_domain_find(sql_bind_ctx *bc, const sql_name *name) {
    const char *type = name->parts[name->count - 1];
    if (name->count >= 2) {
        const eng_schema *s = eng_db_schema_by_name(bc->db, name->parts[name->count - 2]);
        return s != NULL ? eng_db_domain_by_name(bc->db, s->oid, type) : NULL;
    }
    if (bc->temp_schema_oid != 0) {
        const eng_domain *d = eng_db_domain_by_name(bc->db, bc->temp_schema_oid, type);
        if (d != NULL) return d;
    }
    for (uint32_t i = 0; i < bc->nsearch; i++) {
        const eng_schema *s = eng_db_schema_by_name(bc->db, bc->search_path[i]);
        const eng_domain *d = s != NULL ? eng_db_domain_by_name(bc->db, s->oid, type) : NULL;
        if (d != NULL) return d;
    }
    return NULL;
}

/* The chain from `d` down to the innermost domain, outermost first; 0 when broken. */
static uint32_t sql_domain_chain(const eng_database *db, const eng_domain *d,
                                 const eng_domain **chain) {
    uint32_t n = 0;
    while (d != NULL) {
        if (n == SQL_DOMAIN_DEPTH_MAX) return 0;
        chain[n++] = d;
        const eng_domain *under = eng_db_domain_by_oid(db, d->base_oid);
        if (under == NULL) break;
        if (under->oid != d->base_oid) return 0; /* an array of a domain under a domain */
        d = under;
    }
    return n;
}

bool sql_domain_base(const eng_database *db, const eng_domain *d, uint32_t *oid,
                     int32_t *typmod, rt_err *err) {
    const eng_domain *chain[SQL_DOMAIN_DEPTH_MAX];
    uint32_t n = sql_domain_chain(db, d, chain);
    if (n == 0) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "domain \"%s\" is nested deeper than %d domains", d->name,
                          SQL_DOMAIN_DEPTH_MAX);
    }
    *oid = chain[n - 1]->base_oid;
    *typmod = chain[n - 1]->typmod;
    return true;
}

const char *sql_domain_default(const eng_database *db, const eng_domain *d) {
    const eng_domain *chain[SQL_DOMAIN_DEPTH_MAX];
    uint32_t n = sql_domain_chain(db, d, chain);
    for (uint32_t i = 0; i < n; i++) {
        if (chain[i]->default_text != NULL) return chain[i]->default_text;
    }
    return NULL;
}

/* Binds one CHECK over VALUE: a table of one column named "value" of the base type. */
static const sql_expr *sql_domain_bind_check(sql_bind_ctx *bc, const sql_domain_info *di,
                                             const char *text) {
    eng_column col = {.type_oid = di->base_oid, .typmod = di->typmod, .attnum = 1};
    memcpy(col.name, "value", 6);
    eng_table t = {.kind = 'r', .column_count = 1, .columns = &col};
    memcpy(t.name, "value", 6);
    sql_expr *e;
    if (!sql_bind_stored_expr(bc, &t, text, SQL_T_BOOL, -1, &e)) return NULL;
    return e;
}

sql_domain_info *sql_domain_bind(sql_bind_ctx *bc, const eng_domain *d) {
    const eng_domain *chain[SQL_DOMAIN_DEPTH_MAX];
    uint32_t n = sql_domain_chain(bc->db, d, chain);
    sql_domain_info *di = rt_arena_zalloc(bc->arena, sizeof *di);
    if (di == NULL) return rt_arena_fail(bc->arena, bc->err), NULL;
    di->oid = d->oid;
    di->name = d->name;
    if (!sql_domain_base(bc->db, d, &di->base_oid, &di->typmod, bc->err)) return NULL;
    uint32_t cap = 0;
    for (uint32_t i = 0; i < n; i++) cap += chain[i]->check_count + 1u;
    di->rules = rt_arena_zalloc(bc->arena, sizeof(sql_domain_rule) * cap);
    if (di->rules == NULL) return rt_arena_fail(bc->arena, bc->err), NULL;
    for (uint32_t i = n; i-- > 0;) {
        const eng_domain *c = chain[i];
        /* Errors name the domain the value is made for, whichever declares the rule. */
        if (c->not_null) di->rules[di->nrules++] = (sql_domain_rule){.domain = d->name};
        for (uint32_t k = 0; k < c->check_count; k++) {
            const sql_expr *e = sql_domain_bind_check(bc, di, c->checks[k].check_text);
            if (e == NULL) return NULL;
            di->rules[di->nrules++] = (sql_domain_rule){
                .domain = d->name, .check_name = c->checks[k].name, .check = e};
        }
    }
    return di;
}

sql_domain_info *sql_domain_bind_array(sql_bind_ctx *bc, const eng_domain *d) {
    sql_domain_info *di = sql_domain_bind(bc, d);
    if (di == NULL) return NULL;
    di->oid = d->array_oid;
    di->array = true;
    return di;
}

static bool sql_domain_check_rules(sql_eval_ctx *ec, const sql_domain_info *di,
                                   const sql_vec *v, uint32_t n, const uint8_t *active) {
    sql_batch in = {.rows = n, .cap = n, .ncols = 1, .cols = (sql_vec *)v};
    for (uint32_t k = 0; k < di->nrules; k++) {
        const sql_domain_rule *r = &di->rules[k];
        if (r->check == NULL) {
            for (uint32_t i = 0; i < n; i++) {
                if ((active == NULL || active[i]) && sql_vec_is_null(v, i)) {
                    return rt_err_set(ec->err, SQLSTATE_NOT_NULL_VIOLATION,
                                      "domain %s does not allow null values", r->domain);
                }
            }
            continue;
        }
        sql_vec *ok = sql_eval(ec, r->check, &in, n, active);
        if (ok == NULL) return false;
        for (uint32_t i = 0; i < n; i++) {
            if ((active != NULL && !active[i]) || sql_vec_is_null(ok, i) || ok->i64[i]) continue;
            return rt_err_set(ec->err, SQLSTATE_CHECK_VIOLATION,
                              "value for domain %s violates check constraint \"%s\"", r->domain,
                              r->check_name);
        }
    }
    return true;
}

/* The elements of the active, non-NULL arrays of `v`, each array's as one vector. */
static bool sql_domain_check_elems(sql_eval_ctx *ec, const sql_domain_info *di,
                                   const sql_vec *v, uint32_t n, const uint8_t *active) {
    for (uint32_t i = 0; i < n; i++) {
        if ((active != NULL && !active[i]) || sql_vec_is_null(v, i)) continue;
        sql_array_view av;
        sql_array_view_of(&v->b[i], &av);
        if (av.nitems == 0) continue;
        sql_vec elems;
        if (!sql_vec_init(ec->arena, &elems, di->base_oid, di->typmod, av.nitems)) {
            return rt_arena_fail(ec->arena, ec->err);
        }
        sql_array_iter it;
        sql_array_iter_init(&it, &av);
        sql_value e;
        for (uint32_t k = 0; sql_array_iter_next(&it, &e); k++) sql_vec_set(&elems, k, &e);
        if (!sql_domain_check_rules(ec, di, &elems, av.nitems, NULL)) return false;
    }
    return true;
}

bool sql_domain_check(sql_eval_ctx *ec, const sql_domain_info *di, const sql_vec *v, uint32_t n,
                      const uint8_t *active) {
    return di->array ? sql_domain_check_elems(ec, di, v, n, active)
                     : sql_domain_check_rules(ec, di, v, n, active);
}

bool sql_domain_check_value(sql_eval_ctx *ec, const sql_domain_info *di, const sql_value *v) {
    sql_vec vec;
    uint32_t type = di->array ? sql_type_array_of(di->base_oid) : di->base_oid;
    if (!sql_vec_init(ec->arena, &vec, type, di->array ? -1 : di->typmod, 1)) {
        return rt_arena_fail(ec->arena, ec->err);
    }
    sql_vec_set(&vec, 0, v);
    return sql_domain_check(ec, di, &vec, 1, NULL);
}

sql_expr *sql_domain_wrap(rt_arena *arena, const sql_domain_info *di, sql_expr *e) {
    sql_expr *w = sql_expr_new(arena, SQL_X_DOMAIN, e->type_oid, 1);
    if (w == NULL) return NULL;
    w->typmod = e->typmod;
    w->location = e->location;
    w->args[0] = e;
    w->domain.info = di;
    return w;
}
