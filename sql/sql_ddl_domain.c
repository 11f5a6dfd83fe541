/* sql_ddl_domain.c: CREATE DOMAIN, ALTER DOMAIN and DROP DOMAIN. A domain is a catalog object
 * (eng_domain): its base type, DEFAULT, NOT NULL and named CHECK constraints over VALUE, kept as
 * SQL text and bound where values are made (sql_domain.h). Constraints added to a domain in use
 * are checked against the columns declared with it (and with domains over it) by a query in
 * the statement's transaction, as PostgreSQL's validateDomainConstraint does. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_fk.h"
#include "sql/sql_record.h"

/* The constraint names of a domain are unique among the domain's constraints. */
static bool ddl_domain_conname_taken(const eng_domain *d, const char *name) {
    for (uint32_t k = 0; k < d->check_count; k++) {
        if (strcmp(d->checks[k].name, name) == 0) return true;
    }
    return false;
}

/* A CHECK over VALUE: bound against the base type to validate it, then named (given, or
 * PostgreSQL's domain_check, domain_check1, ...) and added to `d`. */
static bool ddl_domain_add_check(sql_ddl_ctx *dc, eng_domain *d, const sql_constraint *con,
                                 rt_err *err) {
    if (d->check_count == ENG_DOMAIN_CHECKS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "a domain can have at most %d check constraints", ENG_DOMAIN_CHECKS_MAX);
    }
    eng_domain_check *k = &d->checks[d->check_count];
    if (con->name != NULL) {
        if (ddl_domain_conname_taken(d, con->name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "constraint \"%s\" for domain \"%s\" already exists", con->name,
                              d->name);
        }
        snprintf(k->name, sizeof k->name, "%s", con->name);
    } else {
        for (uint32_t pass = 0;; pass++) {
            char label[16];
            snprintf(label, sizeof label, pass == 0 ? "check" : "check%u", pass);
            snprintf(k->name, sizeof k->name, "%.*s_%s", (int)(ENG_NAME_BYTES - 2 - strlen(label)),
                     d->name, label);
            if (!ddl_domain_conname_taken(d, k->name)) break;
        }
    }
    /* Bind it alone first: the errors (unknown column, not boolean) are about it. */
    eng_domain probe = *d;
    probe.check_count = 0;
    probe.not_null = false;
    probe.checks[0] = (eng_domain_check){.check_text = con->expr_text};
    snprintf(probe.checks[0].name, sizeof probe.checks[0].name, "%s", k->name);
    probe.check_count = 1;
    uint32_t base;
    int32_t typmod;
    if (!sql_domain_base(dc->bc->db, d, &base, &typmod, err)) return false;
    probe.base_oid = base;
    probe.typmod = typmod;
    if (sql_domain_bind(dc->bc, &probe) == NULL) return false;
    k->check_text = con->expr_text;
    k->oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    d->check_count++;
    return true;
}

/* DEFAULT / NOT NULL / NULL / CHECK of CREATE DOMAIN; the others are errors, as PostgreSQL's. */
static bool ddl_domain_constraint(sql_ddl_ctx *dc, eng_domain *d, const sql_constraint *con,
                                  bool *saw_null, rt_err *err) {
    switch (con->constr_kind) {
    case SQL_CONSTR_DEFAULT: {
        if (d->default_text != NULL) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "multiple default expressions");
        }
        sql_expr *e;
        if (!sql_bind_column_default(dc->bc, d->name, con->expr, d->base_oid, d->typmod, &e)) {
            return false;
        }
        d->default_text = con->expr_text;
        return true;
    }
    case SQL_CONSTR_NULL:
    case SQL_CONSTR_NOTNULL:
        if (*saw_null && d->not_null != (con->constr_kind == SQL_CONSTR_NOTNULL)) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "conflicting NULL/NOT NULL constraints");
        }
        *saw_null = true;
        d->not_null = con->constr_kind == SQL_CONSTR_NOTNULL;
        return true;
    case SQL_CONSTR_CHECK: return ddl_domain_add_check(dc, d, con, err);
    case SQL_CONSTR_UNIQUE:
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "unique constraints not possible for domains");
    case SQL_CONSTR_PRIMARY:
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                          "primary key constraints not possible for domains");
    case SQL_CONSTR_FOREIGN:
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                          "foreign key constraints not possible for domains");
    default:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this constraint is not possible for domains");
    }
}

bool sql_ddl_create_domain(sql_ddl_ctx *dc, const sql_create_domain *cd, rt_err *err) {
    eng_domain d;
    memset(&d, 0, sizeof d);
    const char *name;
    if (!sql_bind_creation_schema(dc->bc, &cd->name, &d.schema_oid, &name)) return false;
    if (!sql_ddl_may_create(dc, d.schema_oid, err)) return false;
    if (sql_ddl_type_name_taken(dc->bc->db, d.schema_oid, name)) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", name);
    }
    snprintf(d.name, sizeof d.name, "%s", name);
    d.owner_oid = dc->user_oid;
    const eng_domain *under;
    int32_t typmod;
    if (!sql_bind_typename_domain(dc->bc, cd->def->type, &d.base_oid, &typmod, &under,
                                  NULL)) {
        return false;
    }
    if (sql_type_is_record(d.base_oid)) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "domains over composite types are not supported yet");
    }
    if (under != NULL) {
        d.base_oid = under->oid; /* a domain over a domain: typbasetype is the domain */
        typmod = -1;
    }
    d.typmod = typmod;
    d.collation = cd->def->collation.count > 0 &&
                  strcmp(cd->def->collation.parts[cd->def->collation.count - 1], "C") == 0
                      ? 950u : 0u;
    bool saw_null = false;
    eng_domain resolved = d; /* the base type, for binding DEFAULT and CHECK */
    /* The new domain's own chain, so that one nested too deep is refused here. */
    if (!sql_domain_base(dc->bc->db, &d, &resolved.base_oid, &resolved.typmod, err)) {
        return false;
    }
    for (uint32_t i = 0; i < cd->def->constraints.count; i++) {
        const sql_constraint *con = SQL_LIST_AT(cd->def->constraints, i);
        if (con->deferrable || con->initially_deferred) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR,
                              "specifying constraint deferrability not supported for domains");
        }
        if (con->constr_kind == SQL_CONSTR_DEFAULT) {
            if (!ddl_domain_constraint(dc, &resolved, con, &saw_null, err)) return false;
            continue;
        }
        if (!ddl_domain_constraint(dc, &d, con, &saw_null, err)) return false;
    }
    d.default_text = resolved.default_text;
    d.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    d.array_oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    eng_draft_add_domain(sql_ddl_draft(dc), dc->db_oid, &d);
    sql_ddl_db(dc);
    return true;
}

/* ---- what uses a domain ---- */

/* True if `d` is `oid` or a domain over it. */
static bool ddl_domain_is_over(const eng_database *db, const eng_domain *d, uint32_t oid) {
    for (uint32_t depth = 0; d != NULL && depth < SQL_DOMAIN_DEPTH_MAX; depth++) {
        if (d->oid == oid) return true;
        d = eng_db_domain_by_oid(db, d->base_oid);
    }
    return false;
}

/* Runs `query` (the rows of a column using the domain that break a new rule): false with
 * *bad when it returns a row. */
static bool ddl_domain_any_row(sql_ddl_ctx *dc, sql_strbuf *sb, bool *bad, rt_err *err) {
    if (dc->x == NULL) { /* a catalog-only caller: no executor to read the rows with */
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ALTER DOMAIN of a domain in use is not supported here");
    }
    sql_strbuf_putc(sb, '\0');
    uint64_t rows;
    if (!sql_ddl_existing_rows(dc, sb, &rows, NULL, err)) return false;
    *bad = rows > 0;
    return true;
}

/* Checks every column declared with `d` or a domain over it against a new NOT NULL (check
 * NULL) or CHECK: 23502 / 23514 with PostgreSQL's messages. */
static bool ddl_domain_validate(sql_ddl_ctx *dc, const eng_domain *d, const char *check,
                                rt_err *err) {
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        for (uint32_t c = 0; t->kind == 'r' && c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            if (col->dropped || col->domain_oid == 0) continue;
            const eng_domain *cd = eng_db_domain_by_oid(db, col->domain_oid);
            if (!ddl_domain_is_over(db, cd, d->oid)) continue;
            if (col->domain_oid == cd->array_oid) { /* PostgreSQL does not look into arrays */
                return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "cannot alter type \"%s\" because column \"%s.%s\" uses it",
                                  d->name, t->name, col->name);
            }
            sql_strbuf sb;
            sql_strbuf_init(&sb, dc->bc->arena, 256);
            sql_strbuf_puts(&sb, "SELECT 1 FROM (SELECT ");
            sql_strbuf_put_ident(&sb, col->name);
            sql_strbuf_puts(&sb, " AS value FROM ");
            sql_fk_put_relname(&sb, db, t);
            if (check == NULL) {
                sql_strbuf_puts(&sb, ") AS v WHERE value IS NULL LIMIT 1");
            } else {
                sql_strbuf_printf(&sb, ") AS v WHERE NOT (%s) LIMIT 1", check);
            }
            bool bad = false;
            if (!ddl_domain_any_row(dc, &sb, &bad, err)) return false;
            if (!bad) continue;
            if (check == NULL) {
                return rt_err_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                                  "column \"%s\" of table \"%s\" contains null values", col->name,
                                  t->name);
            }
            return rt_err_set(err, SQLSTATE_CHECK_VIOLATION,
                              "column \"%s\" of table \"%s\" contains values that violate the "
                              "new constraint", col->name, t->name);
        }
    }
    return true;
}

/* ---- ALTER DOMAIN ---- */

static const eng_domain *ddl_domain_lookup(sql_ddl_ctx *dc, const sql_name *name, rt_err *err) {
    const eng_domain *d = sql_domain_find(dc->bc, name);
    if (d == NULL) {
        rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist",
                   name->parts[name->count - 1]);
    }
    return d;
}

static bool ddl_domain_drop_constraint(sql_ddl_ctx *dc, eng_domain *d,
                                       const sql_alter_domain *ad, rt_err *err) {
    for (uint32_t k = 0; k < d->check_count; k++) {
        if (strcmp(d->checks[k].name, ad->old_name) != 0) continue;
        memmove(&d->checks[k], &d->checks[k + 1], (d->check_count - k - 1) * sizeof d->checks[0]);
        d->check_count--;
        return true;
    }
    if (ad->if_exists) {
        sql_ddl_notice(dc, "00000", "constraint \"%s\" of domain \"%s\" does not exist, skipping",
                       ad->old_name, d->name);
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                      "constraint \"%s\" of domain \"%s\" does not exist", ad->old_name, d->name);
}

static bool ddl_domain_rename_constraint(eng_domain *d, const sql_alter_domain *ad,
                                         rt_err *err) {
    for (uint32_t k = 0; k < d->check_count; k++) {
        if (strcmp(d->checks[k].name, ad->old_name) != 0) continue;
        if (ddl_domain_conname_taken(d, ad->new_name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "constraint \"%s\" for domain \"%s\" already exists", ad->new_name,
                              d->name);
        }
        snprintf(d->checks[k].name, sizeof d->checks[k].name, "%s", ad->new_name);
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                      "constraint \"%s\" for domain \"%s\" does not exist", ad->old_name, d->name);
}

static bool ddl_domain_add(sql_ddl_ctx *dc, eng_domain *d, const sql_alter_domain *ad,
                           rt_err *err) {
    const sql_constraint *con = ad->constraint;
    if (con->constr_kind == SQL_CONSTR_NOTNULL) {
        if (!ddl_domain_validate(dc, d, NULL, err)) return false;
        d->not_null = true;
        return true;
    }
    if (con->constr_kind != SQL_CONSTR_CHECK) {
        bool saw_null = false;
        if (con->constr_kind == SQL_CONSTR_NULL || con->constr_kind == SQL_CONSTR_DEFAULT) {
            return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%s\"",
                              con->constr_kind == SQL_CONSTR_NULL ? "NULL" : "DEFAULT");
        }
        return ddl_domain_constraint(dc, d, con, &saw_null, err);
    }
    if (!ddl_domain_add_check(dc, d, con, err)) return false;
    return con->not_valid || ddl_domain_validate(dc, d, con->expr_text, err);
}

static bool ddl_domain_set_default(sql_ddl_ctx *dc, eng_domain *d, const sql_constraint *con,
                                   rt_err *err) {
    uint32_t base;
    int32_t typmod;
    if (!sql_domain_base(dc->bc->db, d, &base, &typmod, err)) return false;
    sql_expr *e;
    if (!sql_bind_column_default(dc->bc, d->name, con->expr, base, typmod, &e)) return false;
    d->default_text = con->expr_text;
    return true;
}

bool sql_ddl_alter_domain(sql_ddl_ctx *dc, const sql_alter_domain *ad, rt_err *err) {
    const eng_domain *cur = ddl_domain_lookup(dc, &ad->name, err);
    if (cur == NULL || !sql_ddl_owns(dc, cur->owner_oid, "type", cur->name, err)) return false;
    eng_domain d = *cur;
    switch (ad->cmd) {
    case SQL_AD_SET_DEFAULT:
        if (!ddl_domain_set_default(dc, &d, ad->constraint, err)) return false;
        break;
    case SQL_AD_DROP_DEFAULT: d.default_text = NULL; break;
    case SQL_AD_SET_NOT_NULL:
        if (!d.not_null && !ddl_domain_validate(dc, &d, NULL, err)) return false;
        d.not_null = true;
        break;
    case SQL_AD_DROP_NOT_NULL: d.not_null = false; break;
    case SQL_AD_ADD_CONSTRAINT:
        if (!ddl_domain_add(dc, &d, ad, err)) return false;
        break;
    case SQL_AD_DROP_CONSTRAINT:
        if (!ddl_domain_drop_constraint(dc, &d, ad, err)) return false;
        break;
    case SQL_AD_RENAME:
        if (sql_ddl_type_name_taken(dc->bc->db, d.schema_oid, ad->new_name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists",
                              ad->new_name);
        }
        snprintf(d.name, sizeof d.name, "%s", ad->new_name);
        break;
    case SQL_AD_RENAME_CONSTRAINT:
        if (!ddl_domain_rename_constraint(&d, ad, err)) return false;
        break;
    case SQL_AD_OWNER: {
        const eng_role *r = eng_catalog_role_by_name(dc->bc->catalog, ad->new_name);
        if (r == NULL) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist",
                              ad->new_name);
        }
        d.owner_oid = r->oid;
        break;
    }
    case SQL_AD_SET_SCHEMA: {
        const eng_schema *s = eng_db_schema_by_name(dc->bc->db, ad->new_name);
        if (s == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                              ad->new_name);
        }
        if (s->oid != d.schema_oid && sql_ddl_type_name_taken(dc->bc->db, s->oid, d.name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "type \"%s\" already exists in schema \"%s\"", d.name, s->name);
        }
        if (!sql_ddl_may_create(dc, s->oid, err)) return false;
        d.schema_oid = s->oid;
        break;
    }
    }
    eng_draft_replace_domain(sql_ddl_draft(dc), dc->db_oid, &d);
    sql_ddl_db(dc);
    return true;
}

/* ---- DROP DOMAIN ---- */

bool sql_ddl_drop_domain(sql_ddl_ctx *dc, const sql_drop *drop, const sql_name *n,
                         rt_err *err) {
    const char *name = n->parts[n->count - 1];
    const eng_domain *d = sql_domain_find(dc->bc, n);
    if (d == NULL) {
        if (drop->if_exists) {
            sql_ddl_notice(dc, "00000", "type \"%s\" does not exist, skipping", name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
    }
    if (!sql_ddl_owns(dc, d->owner_oid, "type", d->name, err)) return false;
    bool used;
    if (!sql_ddl_type_unused(dc, drop, d->oid, d->array_oid, true, d->name, &used, err)) {
        return false;
    }
    if (used) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "DROP DOMAIN ... CASCADE of a domain in use is not supported yet");
    }
    eng_draft_remove_domain(sql_ddl_draft(dc), dc->db_oid, d->oid);
    sql_ddl_db(dc);
    return true;
}
