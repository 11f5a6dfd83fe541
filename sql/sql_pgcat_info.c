/* sql_pgcat_info.c: the information_schema views clients and ORMs read (tables, columns,
 * schemata, table_constraints, key_column_usage, referential_constraints, check_constraints,
 * sequences, views, routines), computed as PostgreSQL 15's view definitions compute them for
 * a superuser, who sees every object. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_domain.h"
#include "sql/sql_unique.h"
#include "sql/sql_pgcat_int.h"

static const char *pc_yes(bool b) { return b ? "YES" : "NO"; }

static const char *pc_cstr(pc_row *r, sql_strbuf *sb) {
    const char *s = pc_strbuf_cstr(sb);
    if (s == NULL) rt_arena_fail(r->x->arena, r->x->err);
    return s;
}

static const char *pc_int_text(pc_row *r, int64_t v) {
    return rt_arena_sprintf(r->x->arena, "%lld", (long long)v);
}

/* ---- tables ---- */

static bool pc_is_table_row(pc_row *r, const char *schema, const char *name, const char *type,
                            bool insertable) {
    pc_clear(r);
    pc_str(r, "table_catalog", r->x->db->name);
    pc_str(r, "table_schema", schema);
    pc_str(r, "table_name", name);
    pc_str(r, "table_type", type);
    pc_str(r, "is_insertable_into", pc_yes(insertable));
    pc_str(r, "is_typed", "NO");
    return pc_add(r);
}

bool pc_scan_is_tables(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < sql_pgcat_count(); i++) {
        const sql_pgcat_rel *rel = sql_pgcat_at(i);
        bool view = pc_rel_is_view(rel);
        if (!pc_is_table_row(r, rel->schema, rel->name, view ? "VIEW" : "BASE TABLE", !view)) {
            return false;
        }
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'r' && t->kind != 'v') continue;
        const char *type = t->kind == 'v'           ? "VIEW"
                           : t->persistence == 't' ? "LOCAL TEMPORARY"
                                                   : "BASE TABLE";
        if (!pc_is_table_row(r, pc_schema_name(db, t->schema_oid), t->name, type,
                             t->kind == 'r')) {
            return false;
        }
    }
    return true;
}

/* ---- columns ---- */

/* The numeric facets of a type: precision, radix and scale (-1 = NULL). */
static void pc_numeric_facets(uint32_t type, int32_t typmod, int32_t f[3]) {
    f[0] = f[1] = f[2] = -1;
    switch (type) {
    case SQL_T_INT2: f[0] = 16, f[1] = 2, f[2] = 0; break;
    case SQL_T_INT4: f[0] = 32, f[1] = 2, f[2] = 0; break;
    case SQL_T_INT8: f[0] = 64, f[1] = 2, f[2] = 0; break;
    case SQL_T_FLOAT4: f[0] = 24, f[1] = 2; break;
    case SQL_T_FLOAT8: f[0] = 53, f[1] = 2; break;
    case SQL_T_NUMERIC:
        f[1] = 10;
        if (typmod >= SQL_TYPMOD_VARHDR) {
            int32_t m = typmod - SQL_TYPMOD_VARHDR;
            f[0] = (m >> 16) & 0xffff;
            f[2] = ((m & 0x7ff) ^ 1024) - 1024;
        }
        break;
    default: break;
    }
}

static int32_t pc_datetime_precision(uint32_t type, int32_t typmod) {
    switch (type) {
    case SQL_T_DATE: return 0;
    case SQL_T_TIME: case SQL_T_TIMETZ: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
        return typmod >= 0 ? typmod : 6;
    case SQL_T_INTERVAL: return typmod >= 0 ? (typmod & 0xffff) : 6;
    default: return -1;
    }
}

static void pc_int_or_null(pc_row *r, const char *col, int64_t v) {
    if (v >= 0) pc_int(r, col, v);
    else pc_null(r, col);
}

/* An enum type's column (or one of its array type): USER-DEFINED (ARRAY) with the type as
 * udt, no facets. */
static bool pc_is_enum_type(pc_row *r, const eng_enum *e, bool array) {
    pc_str(r, "data_type", array ? "ARRAY" : "USER-DEFINED");
    pc_str(r, "udt_catalog", r->x->db->name);
    pc_str(r, "udt_schema", pc_schema_name(r->x->db, e->schema_oid));
    const char *udt = rt_arena_sprintf(r->x->arena, "%s%s", array ? "_" : "", e->name);
    if (udt == NULL) return rt_arena_fail(r->x->arena, r->x->err);
    pc_str(r, "udt_name", udt);
    return true;
}

static bool pc_is_column_type(pc_row *r, uint32_t type, int32_t typmod, sql_strbuf *sb) {
    const sql_type_def *td = sql_type_by_oid(type);
    const eng_enum *e = td == NULL ? eng_db_enum_by_oid(r->x->db, type) : NULL;
    if (e != NULL) return pc_is_enum_type(r, e, type == e->array_oid);
    bool array = td != NULL && sql_type_is_array(td);
    bool user = td != NULL && td->namespace_oid != ENG_OID_PG_CATALOG;
    sql_strbuf_reset(sb);
    if (array) sql_strbuf_puts(sb, "ARRAY");
    else if (user) sql_strbuf_puts(sb, "USER-DEFINED");
    else pc_format_type_nomod(type, sb);
    const char *dt = pc_cstr(r, sb);
    if (dt == NULL) return false;
    pc_str(r, "data_type", dt);
    bool chars = type == SQL_T_VARCHAR || type == SQL_T_BPCHAR;
    if (chars && typmod >= SQL_TYPMOD_VARHDR) {
        pc_int(r, "character_maximum_length", typmod - SQL_TYPMOD_VARHDR);
        pc_int(r, "character_octet_length", (int64_t)(typmod - SQL_TYPMOD_VARHDR) * 4);
    } else if (chars || type == SQL_T_TEXT) {
        pc_int(r, "character_octet_length", 1073741824);
    }
    int32_t f[3];
    pc_numeric_facets(type, typmod, f);
    pc_int_or_null(r, "numeric_precision", f[0]);
    pc_int_or_null(r, "numeric_precision_radix", f[1]);
    pc_int_or_null(r, "numeric_scale", f[2]);
    pc_int_or_null(r, "datetime_precision", pc_datetime_precision(type, typmod));
    pc_str(r, "udt_catalog", r->x->db->name);
    pc_str(r, "udt_schema", td != NULL ? pc_schema_name(r->x->db, td->namespace_oid) : NULL);
    pc_str(r, "udt_name", td != NULL ? td->name : NULL);
    return true;
}

static bool pc_is_identity(pc_row *r, const eng_table *t, const eng_column *col) {
    pc_str(r, "is_identity", pc_yes(col->identity != 0));
    pc_str(r, "identity_cycle", "NO");
    if (col->identity == 0) return true;
    pc_str(r, "identity_generation", col->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
    const eng_sequence *s = t != NULL ? pc_column_sequence(r->x->db, t, col) : NULL;
    if (s == NULL) return true;
    pc_str(r, "identity_start", pc_int_text(r, s->start));
    pc_str(r, "identity_increment", pc_int_text(r, s->increment));
    pc_str(r, "identity_maximum", pc_int_text(r, s->max_value));
    pc_str(r, "identity_minimum", pc_int_text(r, s->min_value));
    pc_str(r, "identity_cycle", pc_yes(s->cycle));
    return true;
}

/* The type facets of domain d (of a column declared with it, or of information_schema.domains):
 * those of the type right under it; a domain under it is USER-DEFINED with no facets, as
 * PostgreSQL's _pg_* functions give for a domain's oid. */
static bool pc_is_domain_type(pc_row *r, const eng_domain *d, sql_strbuf *sb) {
    const eng_database *db = r->x->db;
    const eng_domain *under = eng_db_domain_by_oid(db, d->base_oid);
    if (under == NULL) return pc_is_column_type(r, d->base_oid, d->typmod, sb);
    pc_str(r, "data_type", "USER-DEFINED");
    pc_str(r, "udt_catalog", db->name);
    pc_str(r, "udt_schema", pc_schema_name(db, under->schema_oid));
    pc_str(r, "udt_name", under->name);
    return true;
}

static bool pc_is_column_row(pc_row *r, const char *schema, const char *table,
                             const eng_table *t, const eng_column *col, sql_strbuf *sb) {
    bool updatable = t != NULL && t->kind == 'r';
    pc_clear(r);
    pc_str(r, "table_catalog", r->x->db->name);
    pc_str(r, "table_schema", schema);
    pc_str(r, "table_name", table);
    pc_str(r, "column_name", col->name);
    pc_int(r, "ordinal_position", col->attnum);
    if (col->default_text != NULL && col->identity == 0 && col->generated == 0) {
        sql_strbuf_reset(sb);
        pc_default_def(sb, r->x, t, col);
        const char *d = pc_cstr(r, sb);
        if (d == NULL) return false;
        pc_str(r, "column_default", rt_arena_strdup(r->x->arena, d));
    }
    pc_str(r, "is_nullable", pc_yes(!col->not_null));
    const eng_domain *d = col->domain_oid != 0 ? eng_db_domain_by_oid(r->x->db, col->domain_oid)
                                               : NULL;
    bool of_domain = d != NULL && col->domain_oid == d->oid;
    if (!(of_domain ? pc_is_domain_type(r, d, sb)
                    : pc_is_column_type(r, col->type_oid, col->typmod, sb))) {
        return false;
    }
    uint32_t coll = pc_column_collation(col);
    if (coll == PC_OID_C_COLL || coll == PC_OID_POSIX_COLL) {
        pc_str(r, "collation_catalog", r->x->db->name);
        pc_str(r, "collation_schema", "pg_catalog");
        pc_str(r, "collation_name", coll == PC_OID_C_COLL ? "C" : "POSIX");
    }
    if (d != NULL && !of_domain) { /* an ARRAY of the domain's array type */
        const char *udt = rt_arena_sprintf(r->x->arena, "_%s", d->name);
        if (udt == NULL) return rt_arena_fail(r->x->arena, r->x->err);
        pc_str(r, "udt_schema", pc_schema_name(r->x->db, d->schema_oid));
        pc_str(r, "udt_name", udt);
    } else if (d != NULL) {
        pc_str(r, "domain_catalog", r->x->db->name);
        pc_str(r, "domain_schema", pc_schema_name(r->x->db, d->schema_oid));
        pc_str(r, "domain_name", d->name);
    }
    pc_str(r, "dtd_identifier", pc_int_text(r, col->attnum));
    pc_str(r, "is_self_referencing", "NO");
    if (!pc_is_identity(r, t, col)) return false;
    pc_str(r, "is_generated", col->generated != 0 ? "ALWAYS" : "NEVER");
    if (col->generated != 0) pc_str(r, "generation_expression", col->default_text);
    pc_str(r, "is_updatable", pc_yes(updatable));
    return pc_add(r);
}

bool pc_scan_is_columns(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 64);
    for (uint32_t i = 0; i < sql_pgcat_count(); i++) {
        const sql_pgcat_rel *rel = sql_pgcat_at(i);
        for (uint32_t c = 0; c < rel->ncols; c++) {
            eng_column col = {.type_oid = rel->cols[c].type_oid, .typmod = -1,
                              .attnum = (uint16_t)(c + 1)};
            snprintf(col.name, sizeof col.name, "%s", rel->cols[c].name);
            if (!pc_is_column_row(r, rel->schema, rel->name, NULL, &col, &sb)) return false;
        }
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'r' && t->kind != 'v') continue;
        const char *schema = pc_schema_name(db, t->schema_oid);
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            if (col->dropped) continue;
            if (!pc_is_column_row(r, schema, t->name, t, col, &sb)) return false;
        }
    }
    return true;
}

/* ---- domains ---- */

/* One domain, its DEFAULT as pg_type.typdefault keeps it (a literal with its cast). */
static bool pc_is_domain_row(pc_row *r, const eng_domain *d, sql_strbuf *sb) {
    const eng_database *db = r->x->db;
    pc_clear(r);
    pc_str(r, "domain_catalog", db->name);
    pc_str(r, "domain_schema", pc_schema_name(db, d->schema_oid));
    pc_str(r, "domain_name", d->name);
    if (!pc_is_domain_type(r, d, sb)) return false;
    if (d->collation == PC_OID_C_COLL || d->collation == PC_OID_POSIX_COLL) {
        pc_str(r, "collation_catalog", db->name);
        pc_str(r, "collation_schema", "pg_catalog");
        pc_str(r, "collation_name", d->collation == PC_OID_C_COLL ? "C" : "POSIX");
    }
    if (d->default_text != NULL) {
        eng_column col = {.default_text = d->default_text};
        if (!sql_domain_base(db, d, &col.type_oid, &col.typmod, r->x->err)) return false;
        sql_strbuf text; /* sb holds data_type until the row is added */
        sql_strbuf_init(&text, r->x->arena, 32);
        pc_default_def(&text, r->x, NULL, &col);
        const char *def = pc_cstr(r, &text);
        if (def == NULL) return false;
        pc_str(r, "domain_default", def);
    }
    pc_str(r, "dtd_identifier", "1");
    return pc_add(r);
}

bool pc_scan_is_domains(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 64);
    for (uint32_t i = 0; i < db->domain_count; i++) {
        if (!pc_is_domain_row(r, &db->domains[i], &sb)) return false;
    }
    return true;
}

/* A domain's CHECK constraints (its NOT NULL is no constraint row in PostgreSQL 15). */
bool pc_scan_is_domain_constraints(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->domain_count; i++) {
        const eng_domain *d = &db->domains[i];
        const char *schema = pc_schema_name(db, d->schema_oid);
        for (uint32_t k = 0; k < d->check_count; k++) {
            pc_clear(r);
            pc_str(r, "constraint_catalog", db->name);
            pc_str(r, "constraint_schema", schema);
            pc_str(r, "constraint_name", d->checks[k].name);
            pc_str(r, "domain_catalog", db->name);
            pc_str(r, "domain_schema", schema);
            pc_str(r, "domain_name", d->name);
            pc_str(r, "is_deferrable", "NO");
            pc_str(r, "initially_deferred", "NO");
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

bool pc_scan_is_schemata(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->schema_count; i++) {
        const eng_schema *s = &db->schemas[i];
        pc_clear(r);
        pc_str(r, "catalog_name", db->name);
        pc_str(r, "schema_name", s->name);
        pc_str(r, "schema_owner", pc_role_name(r->x->catalog, s->owner_oid));
        if (!pc_add(r)) return false;
    }
    return true;
}

/* ---- privileges ---- */

/* The columns a table_privileges or column_privileges row shares: one privilege of one
 * grant on table `t` (the caller adds its own columns, then the row). */
static void pc_is_grant_row(pc_row *r, const eng_table *t, const eng_aclitem *it,
                            const char *priv, bool grantable) {
    const eng_catalog *c = r->x->catalog;
    pc_clear(r);
    pc_str(r, "grantor", pc_role_name(c, it->grantor));
    pc_str(r, "grantee", it->grantee == 0 ? "PUBLIC" : pc_role_name(c, it->grantee));
    pc_str(r, "table_catalog", r->x->db->name);
    pc_str(r, "table_schema", pc_schema_name(r->x->db, t->schema_oid));
    pc_str(r, "table_name", t->name);
    pc_str(r, "privilege_type", priv);
    pc_str(r, "is_grantable", grantable ? "YES" : "NO");
}

/* The rows of one table's access list (the owner's defaults when it has none): one per
 * grantee, grantor and privilege that the current role can see, as PostgreSQL's views. */
static bool pc_is_privileges_of(pc_row *r, const eng_table *t, uint32_t me, bool public_too) {
    static const struct { uint32_t bit; const char *name; } privs[] = {
        {ENG_ACL_INSERT, "INSERT"},   {ENG_ACL_SELECT, "SELECT"},
        {ENG_ACL_UPDATE, "UPDATE"},   {ENG_ACL_DELETE, "DELETE"},
        {ENG_ACL_TRUNCATE, "TRUNCATE"}, {ENG_ACL_REFERENCES, "REFERENCES"},
        {ENG_ACL_TRIGGER, "TRIGGER"},
    };
    const eng_catalog *c = r->x->catalog;
    uint32_t dbo = r->x->db->owner_oid; /* a member of pg_database_owner */
    eng_aclitem defaults[2];
    const eng_aclitem *items;
    uint32_t n = sql_acl_items(t->acl, SQL_ACL_TABLE, t->owner_oid, t->oid, defaults, &items);
    for (uint32_t i = 0; i < n; i++) {
        const eng_aclitem *it = &items[i];
        bool visible = sql_acl_has_privs_of_in(c, dbo, me, it->grantor) ||
                       (it->grantee != 0 && sql_acl_has_privs_of_in(c, dbo, me, it->grantee)) ||
                       (it->grantee == 0 && public_too);
        if (!visible) continue;
        bool owner = it->grantee != 0 &&
                     sql_acl_has_privs_of_in(c, dbo, it->grantee, t->owner_oid);
        for (uint32_t p = 0; p < sizeof privs / sizeof privs[0]; p++) {
            if ((it->privs & privs[p].bit) == 0) continue;
            bool grantable = owner || (it->grant_options & privs[p].bit) != 0;
            pc_is_grant_row(r, t, it, privs[p].name, grantable);
            pc_str(r, "with_hierarchy", privs[p].bit == ENG_ACL_SELECT ? "YES" : "NO");
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

/* The column privileges of one column: its own grants and the table's (a table privilege is
 * one on every column), each (grantor, grantee, privilege, grant option) once, as
 * PostgreSQL's view (a UNION of the two) lists them to roles that granted or hold them. */
static bool pc_is_column_privileges_of(pc_row *r, const eng_table *t, const eng_column *col,
                                       uint32_t me) {
    static const struct { uint32_t bit; const char *name; } privs[] = {
        {ENG_ACL_INSERT, "INSERT"}, {ENG_ACL_SELECT, "SELECT"},
        {ENG_ACL_UPDATE, "UPDATE"}, {ENG_ACL_REFERENCES, "REFERENCES"},
    };
    const eng_catalog *c = r->x->catalog;
    uint32_t dbo = r->x->db->owner_oid;
    eng_aclitem tdef[2], cdef[2];
    const eng_aclitem *titems, *citems;
    uint32_t nt = sql_acl_items(t->acl, SQL_ACL_TABLE, t->owner_oid, t->oid, tdef, &titems);
    uint32_t nc = sql_acl_items(col->acl, SQL_ACL_COLUMN, t->owner_oid, t->oid, cdef, &citems);
    for (uint32_t i = 0; i < nt + nc; i++) {
        const eng_aclitem *it = i < nt ? &titems[i] : &citems[i - nt];
        bool visible = it->grantee == 0 || sql_acl_has_privs_of_in(c, dbo, me, it->grantor) ||
                       sql_acl_has_privs_of_in(c, dbo, me, it->grantee);
        if (!visible) continue;
        bool owner = it->grantee != 0 &&
                     sql_acl_has_privs_of_in(c, dbo, it->grantee, t->owner_oid);
        for (uint32_t p = 0; p < sizeof privs / sizeof privs[0]; p++) {
            uint32_t bit = privs[p].bit;
            if ((it->privs & bit) == 0) continue;
            bool dup = false; /* the same row from the table's list (UNION) */
            for (uint32_t k = 0; i >= nt && k < nt && !dup; k++) {
                dup = titems[k].grantee == it->grantee && titems[k].grantor == it->grantor &&
                      (titems[k].privs & bit) != 0 &&
                      (titems[k].grant_options & bit) == (it->grant_options & bit);
            }
            if (dup) continue;
            pc_is_grant_row(r, t, it, privs[p].name, owner || (it->grant_options & bit) != 0);
            pc_str(r, "column_name", col->name);
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

bool pc_scan_is_column_privileges(pc_row *r) {
    const eng_database *db = r->x->db;
    uint32_t me = pc_current_role(r);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if ((t->kind != 'r' && t->kind != 'v') || sql_unique_is_companion(t)) continue;
        for (uint32_t k = 0; k < t->column_count; k++) {
            if (t->columns[k].dropped) continue;
            if (!pc_is_column_privileges_of(r, t, &t->columns[k], me)) return false;
        }
    }
    return true;
}

bool pc_scan_is_table_privileges(pc_row *r) {
    const eng_database *db = r->x->db;
    bool public_too = strcmp(r->rel->name, "table_privileges") == 0;
    uint32_t me = pc_current_role(r);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if ((t->kind != 'r' && t->kind != 'v') || sql_unique_is_companion(t)) continue;
        if (!pc_is_privileges_of(r, t, me, public_too)) return false;
    }
    return true;
}

/* ---- constraints ---- */

static const char *pc_constraint_type(char kind) {
    switch (kind) {
    case 'p': return "PRIMARY KEY";
    case 'u': return "UNIQUE";
    case 'f': return "FOREIGN KEY";
    case 'c': return "CHECK";
    default: return NULL;
    }
}

/* NOT NULL columns show as CHECK constraints named "<schema oid>_<table oid>_<attnum>_not_null". */
static const char *pc_not_null_name(pc_row *r, const eng_table *t, const eng_column *col) {
    return rt_arena_sprintf(r->x->arena, "%u_%u_%u_not_null", t->schema_oid, t->oid,
                            col->attnum);
}

static bool pc_is_tc_row(pc_row *r, const eng_table *t, const char *name, const char *type,
                         const eng_constraint *con) {
    const char *schema = pc_schema_name(r->x->db, t->schema_oid);
    pc_clear(r);
    pc_str(r, "constraint_catalog", r->x->db->name);
    pc_str(r, "constraint_schema", schema);
    pc_str(r, "constraint_name", name);
    pc_str(r, "table_catalog", r->x->db->name);
    pc_str(r, "table_schema", schema);
    pc_str(r, "table_name", t->name);
    pc_str(r, "constraint_type", type);
    pc_str(r, "is_deferrable", pc_yes(con != NULL && con->deferrable));
    pc_str(r, "initially_deferred", pc_yes(con != NULL && con->deferred));
    pc_str(r, "enforced", "YES");
    if (con != NULL && con->kind == 'u') {
        const eng_index *ix = NULL;
        if (con->index_oid != 0) eng_db_table_of_index(r->x->db, con->index_oid, &ix);
        pc_str(r, "nulls_distinct", pc_yes(ix == NULL || !ix->nulls_not_distinct));
    }
    return pc_add(r);
}

bool pc_scan_is_table_constraints(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'r') continue;
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *con = &t->constraints[k];
            const char *type = pc_constraint_type(con->kind);
            if (type != NULL && !pc_is_tc_row(r, t, con->name, type, con)) return false;
        }
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            if (col->dropped || !col->not_null) continue;
            const char *name = pc_not_null_name(r, t, col);
            if (name == NULL) return rt_arena_fail(r->x->arena, r->x->err);
            if (!pc_is_tc_row(r, t, name, "CHECK", NULL)) return false;
        }
    }
    return true;
}

bool pc_scan_is_key_column_usage(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        const char *schema = pc_schema_name(db, t->schema_oid);
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *con = &t->constraints[k];
            if (con->kind != 'p' && con->kind != 'u' && con->kind != 'f') continue;
            for (uint32_t c = 0; c < con->column_count; c++) {
                const eng_column *col = eng_table_column_by_attnum(t, con->attnums[c]);
                pc_clear(r);
                pc_str(r, "constraint_catalog", db->name);
                pc_str(r, "constraint_schema", schema);
                pc_str(r, "constraint_name", con->name);
                pc_str(r, "table_catalog", db->name);
                pc_str(r, "table_schema", schema);
                pc_str(r, "table_name", t->name);
                pc_str(r, "column_name", col != NULL ? col->name : NULL);
                pc_int(r, "ordinal_position", c + 1);
                if (con->kind == 'f') pc_int(r, "position_in_unique_constraint", c + 1);
                if (!pc_add(r)) return false;
            }
        }
    }
    return true;
}

/* The columns each constraint uses: a foreign key's are the referenced table's columns, the
 * others' their own table's (CHECK: the columns its expression names). */
bool pc_scan_is_constraint_column_usage(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *con = &t->constraints[k];
            const eng_table *on = con->kind == 'f' ? eng_db_table_by_oid(db, con->ref_table_oid)
                                                   : t;
            uint16_t cols[ENG_INDEX_COLUMNS_MAX];
            uint32_t n = con->column_count;
            memcpy(cols, con->kind == 'f' ? con->ref_attnums : con->attnums, n * sizeof cols[0]);
            if (con->kind == 'c' && n == 0 && con->check_text != NULL) {
                n = pc_check_columns(t, con->check_text, cols, ENG_INDEX_COLUMNS_MAX);
            }
            for (uint32_t c = 0; on != NULL && c < n; c++) {
                const eng_column *col = eng_table_column_by_attnum(on, cols[c]);
                pc_clear(r);
                pc_str(r, "table_catalog", db->name);
                pc_str(r, "table_schema", pc_schema_name(db, on->schema_oid));
                pc_str(r, "table_name", on->name);
                pc_str(r, "column_name", col != NULL ? col->name : NULL);
                pc_str(r, "constraint_catalog", db->name);
                pc_str(r, "constraint_schema", pc_schema_name(db, t->schema_oid));
                pc_str(r, "constraint_name", con->name);
                if (!pc_add(r)) return false;
            }
        }
    }
    return true;
}

static const char *pc_rule_name(char a) {
    switch (a) {
    case 'r': return "RESTRICT";
    case 'c': return "CASCADE";
    case 'n': return "SET NULL";
    case 'd': return "SET DEFAULT";
    default: return "NO ACTION";
    }
}

/* The unique or primary key constraint a foreign key refers to (through its columns). */
static const eng_constraint *pc_fk_target(const eng_database *db, const eng_constraint *fk) {
    const eng_table *ref = eng_db_table_by_oid(db, fk->ref_table_oid);
    for (uint32_t i = 0; ref != NULL && i < ref->constraint_count; i++) {
        const eng_constraint *c = &ref->constraints[i];
        if ((c->kind == 'p' || c->kind == 'u') && c->column_count == fk->column_count &&
            memcmp(c->attnums, fk->ref_attnums, c->column_count * sizeof c->attnums[0]) == 0) {
            return c;
        }
    }
    return NULL;
}

bool pc_scan_is_referential_constraints(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *con = &t->constraints[k];
            if (con->kind != 'f') continue;
            const eng_constraint *target = pc_fk_target(db, con);
            const eng_table *ref = eng_db_table_by_oid(db, con->ref_table_oid);
            pc_clear(r);
            pc_str(r, "constraint_catalog", db->name);
            pc_str(r, "constraint_schema", pc_schema_name(db, t->schema_oid));
            pc_str(r, "constraint_name", con->name);
            if (target != NULL && ref != NULL) {
                pc_str(r, "unique_constraint_catalog", db->name);
                pc_str(r, "unique_constraint_schema", pc_schema_name(db, ref->schema_oid));
                pc_str(r, "unique_constraint_name", target->name);
            }
            pc_str(r, "match_option", con->match == 'f' ? "FULL" : "NONE");
            pc_str(r, "update_rule", pc_rule_name(con->on_update));
            pc_str(r, "delete_rule", pc_rule_name(con->on_delete));
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

static bool pc_is_check_row(pc_row *r, uint32_t schema_oid, const char *name,
                            const char *clause) {
    pc_clear(r);
    pc_str(r, "constraint_catalog", r->x->db->name);
    pc_str(r, "constraint_schema", pc_schema_name(r->x->db, schema_oid));
    pc_str(r, "constraint_name", name);
    pc_str(r, "check_clause", clause);
    return pc_add(r);
}

bool pc_scan_is_check_constraints(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 64);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'r') continue;
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *con = &t->constraints[k];
            if (con->kind != 'c') continue;
            sql_strbuf_reset(&sb);
            pc_constraint_def(&sb, db, NULL, t, con, false);
            const char *def = pc_cstr(r, &sb);
            if (def == NULL) return false;
            /* check_clause is the definition without its CHECK keyword */
            if (!pc_is_check_row(r, t->schema_oid, con->name, def + 6)) return false;
        }
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            if (col->dropped || !col->not_null) continue;
            sql_strbuf_reset(&sb);
            pc_quote_ident(&sb, col->name);
            sql_strbuf_puts(&sb, " IS NOT NULL");
            const char *clause = pc_cstr(r, &sb);
            const char *name = pc_not_null_name(r, t, col);
            if (clause == NULL || name == NULL) return false;
            if (!pc_is_check_row(r, t->schema_oid, name, clause)) return false;
        }
    }
    for (uint32_t i = 0; i < db->domain_count; i++) { /* as pg_get_constraintdef prints them */
        const eng_domain *d = &db->domains[i];
        for (uint32_t k = 0; k < d->check_count; k++) {
            sql_strbuf_reset(&sb);
            sql_strbuf_printf(&sb, "((%s))", d->checks[k].check_text);
            const char *clause = pc_cstr(r, &sb);
            if (clause == NULL || !pc_is_check_row(r, d->schema_oid, d->checks[k].name, clause)) {
                return false;
            }
        }
    }
    return true;
}

bool pc_scan_is_sequences(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 32);
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        const eng_table *owner = eng_db_table_by_oid(db, s->owned_by_table);
        const eng_column *col =
            owner != NULL ? eng_table_column_by_attnum(owner, s->owned_by_attnum) : NULL;
        if (col != NULL && col->identity != 0) continue; /* identity sequences are not listed */
        sql_strbuf_reset(&sb);
        sql_type_format(s->type_oid, -1, &sb);
        const char *type = pc_cstr(r, &sb);
        if (type == NULL) return false;
        pc_clear(r);
        pc_str(r, "sequence_catalog", db->name);
        pc_str(r, "sequence_schema", pc_schema_name(db, s->schema_oid));
        pc_str(r, "sequence_name", s->name);
        pc_str(r, "data_type", type);
        int32_t f[3];
        pc_numeric_facets(s->type_oid, -1, f);
        pc_int(r, "numeric_precision", f[0]);
        pc_int(r, "numeric_precision_radix", 2);
        pc_int(r, "numeric_scale", 0);
        pc_str(r, "start_value", pc_int_text(r, s->start));
        pc_str(r, "minimum_value", pc_int_text(r, s->min_value));
        pc_str(r, "maximum_value", pc_int_text(r, s->max_value));
        pc_str(r, "increment", pc_int_text(r, s->increment));
        pc_str(r, "cycle_option", pc_yes(s->cycle));
        if (!pc_add(r)) return false;
    }
    return true;
}

bool pc_scan_is_views(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'v') continue;
        pc_clear(r);
        pc_str(r, "table_catalog", db->name);
        pc_str(r, "table_schema", pc_schema_name(db, t->schema_oid));
        pc_str(r, "table_name", t->name);
        pc_str(r, "view_definition", t->view_text);
        pc_str(r, "check_option", "NONE");
        pc_str(r, "is_updatable", "NO");
        pc_str(r, "is_insertable_into", "NO");
        pc_str(r, "is_trigger_updatable", "NO");
        pc_str(r, "is_trigger_deletable", "NO");
        pc_str(r, "is_trigger_insertable_into", "NO");
        if (!pc_add(r)) return false;
    }
    return true;
}

/* The built-in functions, each named "<name>_<oid>" as PostgreSQL's specific names are. */
bool pc_scan_is_routines(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 32);
    for (uint32_t i = 0; i < pc_proc_count(); i++) {
        const pc_proc *p = pc_proc_at(i);
        if (p->def == NULL) continue;
        sql_strbuf_reset(&sb);
        sql_type_format(p->def->ret, -1, &sb);
        const char *type = pc_cstr(r, &sb);
        const char *specific = rt_arena_sprintf(r->x->arena, "%s_%u", p->name, p->oid);
        if (type == NULL || specific == NULL) return rt_arena_fail(r->x->arena, r->x->err);
        pc_clear(r);
        pc_str(r, "specific_catalog", db->name);
        pc_str(r, "specific_schema", "pg_catalog");
        pc_str(r, "specific_name", specific);
        pc_str(r, "routine_catalog", db->name);
        pc_str(r, "routine_schema", "pg_catalog");
        pc_str(r, "routine_name", p->name);
        pc_str(r, "routine_type", "FUNCTION");
        pc_str(r, "data_type", type);
        pc_str(r, "routine_body", "EXTERNAL");
        pc_str(r, "external_language", "INTERNAL");
        if (!pc_add(r)) return false;
    }
    return true;
}
