/* sql_domain.h: domains (CREATE DOMAIN) where values are made: a value becomes a domain's by
 * a cast (x::d), an INSERT / UPDATE / COPY into a column declared with it, or its DEFAULT;
 * each time the domain's NOT NULL and CHECK constraints (and those of the domains under it,
 * innermost first) are checked, as PostgreSQL's CoerceToDomain does. Values themselves are of
 * the innermost base type: operators, aggregates, indexes and the wire see that type.
 * Core:    any (bound data only; no catalog access after binding).
 * Memory:  bound rules live in the binder's arena.
 * Errors:  23502 "domain d does not allow null values", 23514 "value for domain d violates
 *          check constraint \"c\"", 54000 past SQL_DOMAIN_DEPTH_MAX. */
#ifndef SQL_DOMAIN_H
#define SQL_DOMAIN_H

#include "engine/eng_catalog.h"
#include "sql/sql_bind.h"
#include "sql/sql_expr.h"

#define SQL_DOMAIN_DEPTH_MAX 32   /* domains over domains, nested this deep at most */

/* One constraint to check: NOT NULL (check NULL) or a CHECK over one column, VALUE. */
typedef struct sql_domain_rule {
    const char *domain;        /* the domain values are made for (errors name it) */
    const char *check_name;    /* NULL: NOT NULL */
    const sql_expr *check;
} sql_domain_rule;

typedef struct sql_domain_info {
    uint32_t oid;              /* the domain (its array type's for `array`) */
    const char *name;
    uint32_t base_oid;         /* the innermost base type and its typmod */
    int32_t typmod;
    bool array;                /* values are arrays of base_oid: each element is checked */
    uint32_t nrules;
    sql_domain_rule *rules;    /* innermost domain's first */
} sql_domain_info;

/* The domain named [schema.]name through the search path; NULL if none (no error set). */
const eng_domain *sql_domain_find(sql_bind_ctx *bc, const sql_name *name);
/* The innermost base type of `d` and its typmod; false (XX000) for a broken chain. */
bool sql_domain_base(const eng_database *db, const eng_domain *d, uint32_t *oid,
                     int32_t *typmod, rt_err *err);
/* Binds the constraints of `d` and of the domains under it. */
sql_domain_info *sql_domain_bind(sql_bind_ctx *bc, const eng_domain *d);
/* The same for values of d's array type (d[]): every element is checked, as PostgreSQL's
 * array coercion of a domain's elements does. */
sql_domain_info *sql_domain_bind_array(sql_bind_ctx *bc, const eng_domain *d);
/* The DEFAULT that `d` (or the nearest domain under it with one) gives, as SQL text; NULL. */
const char *sql_domain_default(const eng_database *db, const eng_domain *d);
/* Checks the active rows of `v` (n rows, of the base type, or arrays of it) against the
 * rules. */
bool sql_domain_check(sql_eval_ctx *ec, const sql_domain_info *di, const sql_vec *v, uint32_t n,
                      const uint8_t *active);
/* Checks one value. */
bool sql_domain_check_value(sql_eval_ctx *ec, const sql_domain_info *di, const sql_value *v);
/* Wraps `e` (already of the base type) so that evaluating it checks the domain. */
sql_expr *sql_domain_wrap(rt_arena *arena, const sql_domain_info *di, sql_expr *e);

#endif
