/* sql_acl.c: privileges of roles on objects (sql_acl.h). An object's access list is NULL
 * until a GRANT or REVOKE first changes it; until then it has its kind's defaults, as in
 * PostgreSQL 15: the owner holds every privilege, PUBLIC holds CONNECT and TEMPORARY on a
 * database and USAGE on the schemas a database starts with (public, pg_catalog,
 * information_schema), nothing on tables, sequences and other schemas. */
#include "sql/sql_acl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_strbuf.h"

/* The aclitem letters, by bit (PostgreSQL's ACL_ALL_RIGHTS_STR). */
static const char sql_acl_letters[] = "arwdDxtXUCTc";

uint32_t sql_acl_kind_all(sql_acl_kind kind) {
    switch (kind) {
    case SQL_ACL_TABLE:
        return ENG_ACL_INSERT | ENG_ACL_SELECT | ENG_ACL_UPDATE | ENG_ACL_DELETE |
               ENG_ACL_TRUNCATE | ENG_ACL_REFERENCES | ENG_ACL_TRIGGER;
    case SQL_ACL_SEQUENCE: return ENG_ACL_USAGE | ENG_ACL_SELECT | ENG_ACL_UPDATE;
    case SQL_ACL_SCHEMA: return ENG_ACL_USAGE | ENG_ACL_CREATE;
    case SQL_ACL_DATABASE: return ENG_ACL_CREATE | ENG_ACL_TEMP | ENG_ACL_CONNECT;
    case SQL_ACL_COLUMN:
        return ENG_ACL_INSERT | ENG_ACL_SELECT | ENG_ACL_UPDATE | ENG_ACL_REFERENCES;
    }
    return 0;
}

const char *sql_acl_kind_noun(sql_acl_kind kind) {
    static const char *const nouns[] = {"table", "sequence", "schema", "database", "column"};
    return nouns[kind];
}

uint32_t sql_acl_priv_of_name(const char *name) {
    static const struct { const char *name; uint32_t bit; } names[] = {
        {"insert", ENG_ACL_INSERT}, {"select", ENG_ACL_SELECT}, {"update", ENG_ACL_UPDATE},
        {"delete", ENG_ACL_DELETE}, {"truncate", ENG_ACL_TRUNCATE},
        {"references", ENG_ACL_REFERENCES}, {"trigger", ENG_ACL_TRIGGER},
        {"execute", ENG_ACL_EXECUTE}, {"usage", ENG_ACL_USAGE}, {"create", ENG_ACL_CREATE},
        {"temporary", ENG_ACL_TEMP}, {"temp", ENG_ACL_TEMP}, {"connect", ENG_ACL_CONNECT},
    };
    for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(names[i].name, name) == 0) return names[i].bit;
    }
    return 0;
}

/* ---- roles ---- */

static bool sql_acl_is_superuser(const eng_catalog *c, uint32_t role) {
    const eng_role *r = eng_catalog_role_by_oid(c, role);
    return r != NULL && r->superuser;
}

static void sql_acl_note(uint32_t *seen, uint32_t *nseen, uint32_t role) {
    for (uint32_t k = 0; k < *nseen; k++) {
        if (seen[k] == role) return;
    }
    if (*nseen < SQL_ACL_ROLE_DEPTH_MAX) seen[(*nseen)++] = role;
}

/* Walks the roles `role` belongs to, breadth first, following only members that INHERIT
 * when `inherit_only`: true once `of_role` is reached. Reaching `db_owner` (0: no database)
 * reaches pg_database_owner too, whose one member is implicit (PostgreSQL's rule). */
static bool sql_acl_reaches(const eng_catalog *c, uint32_t role, uint32_t of_role,
                            bool inherit_only, uint32_t db_owner) {
    uint32_t seen[SQL_ACL_ROLE_DEPTH_MAX];
    uint32_t nseen = 0, next = 0;
    seen[nseen++] = role;
    uint32_t nmembers = eng_catalog_member_count(c);
    while (next < nseen) {
        uint32_t at = seen[next++];
        if (at == of_role) return true;
        if (inherit_only) {
            const eng_role *r = eng_catalog_role_by_oid(c, at);
            if (r == NULL || !r->inherit) continue;
        }
        if (db_owner != 0 && at == db_owner) {
            sql_acl_note(seen, &nseen, ENG_OID_PG_DATABASE_OWNER);
        }
        for (uint32_t i = 0; i < nmembers; i++) {
            const eng_member *m = eng_catalog_member_at(c, i);
            if (m->member == at) sql_acl_note(seen, &nseen, m->role);
        }
    }
    return false;
}

bool sql_acl_has_privs_of_in(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                             uint32_t of_role) {
    if (role == of_role || sql_acl_is_superuser(c, role)) return true;
    return sql_acl_reaches(c, role, of_role, true, db_owner);
}

bool sql_acl_is_member_in(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                          uint32_t of_role) {
    if (role == of_role || sql_acl_is_superuser(c, role)) return true;
    return sql_acl_reaches(c, role, of_role, false, db_owner);
}

bool sql_acl_has_privs_of(const eng_catalog *c, uint32_t role, uint32_t of_role) {
    return sql_acl_has_privs_of_in(c, 0, role, of_role);
}

bool sql_acl_is_member(const eng_catalog *c, uint32_t role, uint32_t of_role) {
    return sql_acl_is_member_in(c, 0, role, of_role);
}

bool sql_acl_in_role(const eng_catalog *c, uint32_t role, uint32_t of_role) {
    return role == of_role || sql_acl_reaches(c, role, of_role, false, 0);
}

bool sql_acl_is_admin(const eng_catalog *c, uint32_t role, uint32_t of_role) {
    if (sql_acl_is_superuser(c, role)) return true;
    uint32_t n = eng_catalog_member_count(c);
    for (uint32_t i = 0; i < n; i++) {
        const eng_member *m = eng_catalog_member_at(c, i);
        if (m->role == of_role && m->admin && sql_acl_has_privs_of(c, role, m->member)) {
            return true;
        }
    }
    return false;
}

/* ---- access lists ---- */

/* The schemas a database starts with, on which PUBLIC has USAGE (PostgreSQL's initdb). */
static bool sql_acl_builtin_schema(uint32_t oid) {
    return oid == ENG_OID_PUBLIC || oid == ENG_OID_PG_CATALOG ||
           oid == ENG_OID_INFORMATION_SCHEMA;
}

/* Objects whose access list initdb sets, so PostgreSQL shows it even before any GRANT. */
static bool sql_acl_shown_by_default(sql_acl_kind kind, uint32_t oid) {
    if (kind == SQL_ACL_SCHEMA) return sql_acl_builtin_schema(oid);
    return kind == SQL_ACL_DATABASE && (oid == ENG_OID_TEMPLATE0 || oid == ENG_OID_TEMPLATE1);
}

uint32_t sql_acl_items(const eng_acl *acl, sql_acl_kind kind, uint32_t owner, uint32_t oid,
                       eng_aclitem defaults[2], const eng_aclitem **items) {
    if (acl != NULL) {
        *items = acl->items;
        return acl->count;
    }
    uint32_t n = 0;
    *items = defaults;
    if (kind == SQL_ACL_COLUMN) return 0; /* a column has no grants of its own by default */
    /* PostgreSQL lists PUBLIC first for a database and after the owner elsewhere; initdb
     * leaves PUBLIC only CONNECT on the templates. */
    if (kind == SQL_ACL_DATABASE) {
        bool tmpl = oid == ENG_OID_TEMPLATE0 || oid == ENG_OID_TEMPLATE1;
        defaults[n++] = (eng_aclitem){0, owner, ENG_ACL_CONNECT | (tmpl ? 0 : ENG_ACL_TEMP), 0};
    }
    defaults[n++] = (eng_aclitem){owner, owner, sql_acl_kind_all(kind), 0};
    if (kind == SQL_ACL_SCHEMA && sql_acl_builtin_schema(oid)) {
        defaults[n++] = (eng_aclitem){0, owner, ENG_ACL_USAGE, 0};
    }
    return n;
}

/* What pg_read_all_data and pg_write_all_data give on every object of a kind, as if
 * granted: SELECT, or INSERT, UPDATE and DELETE, on tables, views and sequences, and USAGE
 * on schemas to both (PostgreSQL 15). Looked up in the database owned by `db_owner`, like
 * every other membership of sql_acl_mask: the owner's implicit pg_database_owner role is on
 * the path (PostgreSQL refuses to make it a member of either role, so it adds nothing today,
 * but the walk is the same one). */
static uint32_t sql_acl_all_data(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                                 sql_acl_kind kind) {
    if (kind == SQL_ACL_DATABASE || kind == SQL_ACL_COLUMN) return 0;
    uint32_t mask = 0;
    bool read = sql_acl_has_privs_of_in(c, db_owner, role, ENG_OID_PG_READ_ALL_DATA);
    bool write = sql_acl_has_privs_of_in(c, db_owner, role, ENG_OID_PG_WRITE_ALL_DATA);
    if (kind == SQL_ACL_SCHEMA) return read || write ? ENG_ACL_USAGE : 0;
    if (read) mask |= ENG_ACL_SELECT;
    if (write) mask |= ENG_ACL_INSERT | ENG_ACL_UPDATE | ENG_ACL_DELETE;
    return mask & sql_acl_kind_all(kind);
}

uint32_t sql_acl_mask(const eng_catalog *c, uint32_t db_owner, uint32_t role, uint32_t owner,
                      const eng_acl *acl, sql_acl_kind kind, uint32_t oid) {
    if (sql_acl_is_superuser(c, role)) return sql_acl_kind_all(kind);
    eng_aclitem defaults[2];
    const eng_aclitem *items;
    uint32_t n = sql_acl_items(acl, kind, owner, oid, defaults, &items), mask = 0;
    for (uint32_t i = 0; i < n; i++) {
        if ((items[i].privs & ~mask) == 0) continue;
        if (items[i].grantee == 0 || sql_acl_has_privs_of_in(c, db_owner, role,
                                                             items[i].grantee)) {
            mask |= items[i].privs;
        }
    }
    /* The owner (and any role granted everything) needs no walk of its memberships for
     * pg_read_all_data / pg_write_all_data: they could add nothing. */
    if ((mask & sql_acl_kind_all(kind)) == sql_acl_kind_all(kind)) return mask;
    return mask | sql_acl_all_data(c, db_owner, role, kind);
}

uint32_t sql_acl_grant_mask(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                            uint32_t owner, const eng_acl *acl, sql_acl_kind kind,
                            uint32_t oid) {
    if (sql_acl_has_privs_of_in(c, db_owner, role, owner)) return sql_acl_kind_all(kind);
    eng_aclitem defaults[2];
    const eng_aclitem *items;
    uint32_t n = sql_acl_items(acl, kind, owner, oid, defaults, &items), mask = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (items[i].grantee == 0 || sql_acl_has_privs_of_in(c, db_owner, role,
                                                             items[i].grantee)) {
            mask |= items[i].grant_options;
        }
    }
    return mask;
}

/* ---- text ---- */

/* A role name in an aclitem: double-quoted when it has anything but letters, digits and
 * '_' (PostgreSQL's putid); a role that no longer exists prints as its OID. */
static void sql_acl_put_role(sql_strbuf *sb, const eng_catalog *c, uint32_t oid) {
    const eng_role *r = eng_catalog_role_by_oid(c, oid);
    if (r == NULL) {
        sql_strbuf_printf(sb, "%u", oid);
        return;
    }
    bool quote = r->name[0] == '\0';
    for (const char *p = r->name; *p != '\0'; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_') quote = true;
    }
    if (!quote) {
        sql_strbuf_puts(sb, r->name);
        return;
    }
    sql_strbuf_putc(sb, '"');
    for (const char *p = r->name; *p != '\0'; p++) {
        if (*p == '"') sql_strbuf_putc(sb, '"');
        sql_strbuf_putc(sb, *p);
    }
    sql_strbuf_putc(sb, '"');
}

static void sql_acl_put_item(sql_strbuf *sb, const eng_catalog *c, const eng_aclitem *it) {
    if (it->grantee != 0) sql_acl_put_role(sb, c, it->grantee);
    sql_strbuf_putc(sb, '=');
    for (uint32_t b = 0; sql_acl_letters[b] != '\0'; b++) {
        if ((it->privs & (1u << b)) == 0) continue;
        sql_strbuf_putc(sb, sql_acl_letters[b]);
        if (it->grant_options & (1u << b)) sql_strbuf_putc(sb, '*');
    }
    sql_strbuf_putc(sb, '/');
    sql_acl_put_role(sb, c, it->grantor);
}

const char *sql_acl_item_text(rt_arena *arena, const eng_catalog *c, const eng_aclitem *item) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 32);
    sql_acl_put_item(&sb, c, item);
    sql_strbuf_putc(&sb, '\0');
    return sb.failed ? NULL : sb.data;
}

const char *sql_acl_text(rt_arena *arena, const eng_catalog *c, const eng_acl *acl,
                         sql_acl_kind kind, uint32_t owner, uint32_t oid) {
    if (acl == NULL && !sql_acl_shown_by_default(kind, oid)) return NULL;
    eng_aclitem defaults[2];
    const eng_aclitem *items;
    uint32_t n = sql_acl_items(acl, kind, owner, oid, defaults, &items);
    sql_strbuf sb;
    sql_strbuf_init(&sb, arena, 64);
    sql_strbuf_putc(&sb, '{');
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) sql_strbuf_putc(&sb, ',');
        sql_acl_put_item(&sb, c, &items[i]);
    }
    sql_strbuf_putc(&sb, '}');
    sql_strbuf_putc(&sb, '\0');
    return sb.failed ? NULL : sb.data;
}

/* ---- GRANT / REVOKE ---- */

bool sql_acl_edit(eng_catalog *draft, const eng_acl *acl, sql_acl_kind kind, uint32_t owner,
                  uint32_t oid, bool grant, uint32_t grantee, uint32_t grantor, uint32_t privs,
                  bool option, const eng_acl **out, rt_err *err) {
    eng_aclitem defaults[2];
    const eng_aclitem *items;
    uint32_t n = sql_acl_items(acl, kind, owner, oid, defaults, &items);
    if (grant && n >= ENG_ACL_ITEMS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many grants on one object (at most %u)", ENG_ACL_ITEMS_MAX);
    }
    size_t bytes = sizeof(eng_acl) + (n + 1u) * sizeof(eng_aclitem);
    eng_acl *edit = rt_xmalloc(bytes);
    edit->count = 0;
    bool found = false;
    for (uint32_t i = 0; i < n; i++) {
        eng_aclitem it = items[i];
        if (it.grantee == grantee && it.grantor == grantor) {
            found = true;
            if (grant) {
                it.privs |= privs;
                if (option) it.grant_options |= privs;
            } else {
                it.grant_options &= ~privs;
                if (!option) it.privs &= ~privs;
            }
        }
        if (it.privs != 0) edit->items[edit->count++] = it;
    }
    if (!found && grant) {
        edit->items[edit->count++] = (eng_aclitem){grantee, grantor, privs, option ? privs : 0};
    }
    /* A column left with no grants goes back to NULL attacl, as PostgreSQL's does. */
    *out = kind == SQL_ACL_COLUMN && edit->count == 0 ? NULL : eng_draft_acl(draft, edit);
    rt_free(edit);
    return true;
}

const eng_acl *sql_acl_new_owner(eng_catalog *draft, const eng_acl *acl, uint32_t old_owner,
                                 uint32_t new_owner) {
    if (acl == NULL || old_owner == new_owner) return acl;
    eng_acl *edit = rt_xmalloc(sizeof(eng_acl) + acl->count * sizeof(eng_aclitem));
    edit->count = 0;
    for (uint32_t i = 0; i < acl->count; i++) {
        eng_aclitem it = acl->items[i];
        if (it.grantee == old_owner) it.grantee = new_owner;
        if (it.grantor == old_owner) it.grantor = new_owner;
        /* Two items that now have the same grantee and grantor merge into one. */
        uint32_t k = 0;
        while (k < edit->count &&
               (edit->items[k].grantee != it.grantee || edit->items[k].grantor != it.grantor)) {
            k++;
        }
        if (k < edit->count) {
            edit->items[k].privs |= it.privs;
            edit->items[k].grant_options |= it.grant_options;
        } else {
            edit->items[edit->count++] = it;
        }
    }
    const eng_acl *out = eng_draft_acl(draft, edit);
    rt_free(edit);
    return out;
}

/* ---- checks ---- */

bool sql_acl_denied(rt_err *err, sql_acl_kind kind, const char *name) {
    return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s",
                      sql_acl_kind_noun(kind), name);
}

bool sql_acl_not_owner(rt_err *err, const char *kind_noun, const char *name) {
    return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be owner of %s %s", kind_noun,
                      name);
}

uint32_t sql_acl_column_mask(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                             const eng_table *t, const eng_column *col) {
    if (col->acl == NULL || col->dropped) return 0;
    return sql_acl_mask(c, db_owner, role, t->owner_oid, col->acl, SQL_ACL_COLUMN, t->oid);
}

/* True if `role` holds `priv` on every column of `cols`, or on any one column of `t` when
 * `cols` is empty (PostgreSQL's pg_attribute_aclcheck_all with ACLMASK_ANY). */
static bool sql_acl_columns_hold(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                                 const eng_table *t, uint32_t priv, const uint64_t *cols,
                                 uint32_t words) {
    bool listed_any = false;
    for (uint32_t i = 0; cols != NULL && i < t->column_count; i++) {
        uint32_t bit = t->columns[i].attnum - 1u;
        if (bit / 64u >= words || ((cols[bit / 64u] >> (bit % 64u)) & 1u) == 0) continue;
        listed_any = true;
        if ((sql_acl_column_mask(c, db_owner, role, t, &t->columns[i]) & priv) == 0) {
            return false;
        }
    }
    for (uint32_t i = 0; !listed_any && i < t->column_count; i++) {
        if (sql_acl_column_mask(c, db_owner, role, t, &t->columns[i]) & priv) return true;
    }
    return listed_any;
}

bool sql_acl_table_or_columns(const eng_catalog *c, uint32_t db_owner, uint32_t role,
                              const eng_table *t, uint32_t privs, const uint64_t *cols,
                              uint32_t words) {
    uint32_t mask = sql_acl_mask(c, db_owner, role, t->owner_oid, t->acl, SQL_ACL_TABLE, t->oid);
    uint32_t missing = privs & ~mask;
    for (uint32_t b = 0; missing != 0 && b < 32; b++) {
        uint32_t bit = 1u << b;
        if ((missing & bit) == 0 || (bit & sql_acl_kind_all(SQL_ACL_COLUMN)) == 0) continue;
        if (!sql_acl_columns_hold(c, db_owner, role, t, bit, cols, words)) return false;
        missing &= ~bit;
    }
    return missing == 0;
}

/* The column set of a requirement for privilege `bit`, NULL if it has none. */
static const uint64_t *sql_acl_req_cols(const sql_acl_req *q, uint32_t bit) {
    switch (bit) {
    case ENG_ACL_SELECT: return q->cols[SQL_ACL_COLS_SELECT];
    case ENG_ACL_INSERT: return q->cols[SQL_ACL_COLS_INSERT];
    case ENG_ACL_UPDATE: return q->cols[SQL_ACL_COLS_UPDATE];
    default: return NULL;
    }
}

/* A table's requirement: every privilege on the table or on the columns it names. */
static bool sql_acl_check_table(const eng_catalog *c, const eng_database *db, uint32_t role,
                                const eng_table *t, const sql_acl_req *q) {
    for (uint32_t b = 0; b < 32; b++) {
        uint32_t bit = 1u << b;
        if ((q->privs & bit) == 0) continue;
        if (!sql_acl_table_or_columns(c, db->owner_oid, role, t, bit, sql_acl_req_cols(q, bit),
                                      q->col_words)) {
            return false;
        }
    }
    return true;
}

bool sql_acl_check_reqs(const eng_catalog *c, const eng_database *db, uint32_t role,
                        const sql_acl_req *reqs, uint32_t nreqs, rt_err *err) {
    for (uint32_t i = 0; i < nreqs; i++) {
        const sql_acl_req *q = &reqs[i];
        uint32_t mask;
        const char *name;
        sql_acl_kind kind;
        if (q->sequence) {
            const eng_sequence *s = eng_db_sequence_by_oid(db, q->oid);
            if (s == NULL) continue; /* dropped since planning: the run reports it */
            mask = sql_acl_mask(c, db->owner_oid, role, s->owner_oid, s->acl, SQL_ACL_SEQUENCE,
                                s->oid);
            name = s->name;
            kind = SQL_ACL_SEQUENCE;
        } else {
            const eng_table *t = eng_db_table_by_oid(db, q->oid);
            if (t == NULL) continue;
            kind = t->kind == 'S' ? SQL_ACL_SEQUENCE : SQL_ACL_TABLE;
            if (kind == SQL_ACL_TABLE && !q->any) {
                if (sql_acl_check_table(c, db, role, t, q)) continue;
                return sql_acl_denied(err, kind, t->name);
            }
            mask = sql_acl_mask(c, db->owner_oid, role, t->owner_oid, t->acl, kind, t->oid);
            name = t->name;
        }
        bool ok = q->any ? (mask & q->privs) != 0 : (mask & q->privs) == q->privs;
        if (!ok) return sql_acl_denied(err, kind, name);
    }
    return true;
}
