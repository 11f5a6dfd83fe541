/* sql_pgcat.c: the catalog relations: lookup by name, the row builder, the dispatch of scans,
 * and the relations about cluster-wide and fixed objects (namespaces, databases, roles,
 * settings, access methods, collations, tablespaces, extensions, the session's activity).
 * Every relation PostgreSQL has and Dreambase keeps nothing for (triggers, rules, policies,
 * publications, enums, ranges, inheritance) scans empty, which is what PostgreSQL answers for a
 * database without such objects. */
#include <string.h>
#include <unistd.h>

#include "engine/eng_part.h"
#include "net/net_pg.h"
#include "sql/sql_array.h"
#include "sql/sql_inet.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_range.h"
#include "sql/sql_session.h"

/* Weak: programs that link the catalog without the session module (unit tests of functions
 * and relations) get settings at their defaults and no session. */
extern bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                                    const char **value, rt_err *err) __attribute__((weak));
extern uint32_t sql_setting_count(void) __attribute__((weak));
extern bool sql_session_setting_readable(const sql_session *s, const char *name)
    __attribute__((weak));
extern const sql_setting_def *sql_setting_at(uint32_t i) __attribute__((weak));
extern uint32_t sql_session_backend_pid(const sql_session *s) __attribute__((weak));
extern const char *sql_session_user(const sql_session *s) __attribute__((weak));
extern uint32_t sql_session_prepared_count(const sql_session *s) __attribute__((weak));
extern bool sql_session_prepared_at(const sql_session *s, uint32_t i, sql_prepared_info *out)
    __attribute__((weak));
extern uint32_t sql_session_cursor_count(const sql_session *s) __attribute__((weak));
extern bool sql_session_cursor_at(const sql_session *s, uint32_t i, sql_cursor_info *out)
    __attribute__((weak));
extern uint32_t sql_session_user_oid(const sql_session *s) __attribute__((weak));
extern bool sql_session_is_superuser(const sql_session *s) __attribute__((weak));
/* The network layer's backend table (net/net_pg.h): absent where no server is linked. */
extern uint32_t net_pg_backend_slots(void) __attribute__((weak));
extern bool net_pg_activity_get(uint32_t slot, net_pg_activity *out) __attribute__((weak));
extern int64_t net_pg_start_time_us(void) __attribute__((weak));

/* ---- relations by name ---- */

const sql_pgcat_rel *sql_pgcat_find(const char *schema, const char *name) {
    if (schema == NULL) schema = "pg_catalog";
    for (uint32_t i = 0; i < sql_pgcat_rel_count; i++) {
        const sql_pgcat_rel *r = &sql_pgcat_rels[i];
        if (strcmp(r->name, name) == 0 && strcmp(r->schema, schema) == 0) return r;
    }
    return NULL;
}

const sql_pgcat_rel *sql_pgcat_by_id(uint32_t id) {
    for (uint32_t i = 0; i < sql_pgcat_rel_count; i++) {
        if (sql_pgcat_rels[i].id == id) return &sql_pgcat_rels[i];
    }
    return NULL;
}

uint32_t sql_pgcat_count(void) { return sql_pgcat_rel_count; }
const sql_pgcat_rel *sql_pgcat_at(uint32_t i) { return &sql_pgcat_rels[i]; }

uint32_t pc_rel_schema_oid(const sql_pgcat_rel *rel) {
    return strcmp(rel->schema, "pg_catalog") == 0 ? ENG_OID_PG_CATALOG
                                                   : ENG_OID_INFORMATION_SCHEMA;
}

/* ---- the row builder ---- */

bool pc_open(pc_row *r, sql_exec_ctx *x, uint32_t rel_id, sql_rowset *out) {
    r->x = x;
    r->rel = sql_pgcat_by_id(rel_id);
    RT_ASSERT(r->rel != NULL);
    r->out = out;
    r->hint = 0;
    r->v = rt_arena_alloc(x->arena, sizeof(sql_value) * r->rel->ncols);
    if (r->v == NULL) return rt_arena_fail(x->arena, x->err);
    return true;
}

void pc_clear(pc_row *r) {
    bool zero = strcmp(r->rel->schema, "pg_catalog") == 0;
    for (uint32_t c = 0; c < r->rel->ncols; c++) {
        uint32_t t = r->rel->cols[c].type_oid;
        sql_phys ph = sql_phys_of_type(t);
        bool nullable = ph == SQL_PHYS_BYTES || t == SQL_T_TIMESTAMPTZ; /* never "epoch" */
        r->v[c] = (sql_value){.type_oid = t, .is_null = !zero || nullable};
    }
    r->hint = 0;
}

bool pc_add(pc_row *r) {
    if (!sql_rowset_add_values(r->out, r->v)) return rt_arena_fail(r->out->arena, r->x->err);
    return true;
}

/* The column named `col`: columns are mostly set in order, so the search starts after the
 * previous one. A wrong name is a bug in this module. */
static sql_value *pc_col(pc_row *r, const char *col) {
    uint32_t n = r->rel->ncols;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t c = (r->hint + k) % n;
        if (strcmp(r->rel->cols[c].name, col) == 0) {
            r->hint = c + 1;
            return &r->v[c];
        }
    }
    RT_ASSERT(!"no such catalog column");
    return NULL;
}

void pc_int(pc_row *r, const char *col, int64_t v) {
    sql_value *d = pc_col(r, col);
    RT_ASSERT(sql_phys_of_type(d->type_oid) == SQL_PHYS_I64);
    d->is_null = false;
    d->i64 = v;
}

void pc_f64(pc_row *r, const char *col, double v) {
    sql_value *d = pc_col(r, col);
    RT_ASSERT(sql_phys_of_type(d->type_oid) == SQL_PHYS_F64);
    d->is_null = false;
    d->f64 = v;
}

void pc_null(pc_row *r, const char *col) { pc_col(r, col)->is_null = true; }

void pc_bytes(pc_row *r, const char *col, sql_bytes b) {
    sql_value *d = pc_col(r, col);
    RT_ASSERT(sql_phys_of_type(d->type_oid) == SQL_PHYS_BYTES);
    d->is_null = false;
    d->b = b;
}

void pc_str(pc_row *r, const char *col, const char *s) {
    if (s == NULL) {
        pc_null(r, col);
        return;
    }
    pc_bytes(r, col, (sql_bytes){.ptr = (const uint8_t *)s, .len = (uint32_t)strlen(s)});
}

static bool pc_array_finish(pc_row *r, const char *col, sql_array_builder *b, int32_t lbound) {
    sql_bytes out;
    int32_t dims[1] = {(int32_t)b->count}, lb[1] = {lbound};
    bool ok = lbound == 1 ? sql_array_builder_finish(b, &out)
                          : sql_array_builder_finish_dims(b, 1, dims, lb, &out, r->x->err);
    if (!ok) return rt_err_is_set(r->x->err) ? false : rt_arena_fail(r->x->arena, r->x->err);
    pc_bytes(r, col, out);
    return true;
}

static bool pc_int_array(pc_row *r, const char *col, uint32_t elem, const int64_t *v, uint32_t n,
                         int32_t lbound) {
    sql_array_builder b;
    if (!sql_array_builder_init(&b, r->x->arena, elem)) {
        return rt_arena_fail(r->x->arena, r->x->err);
    }
    for (uint32_t i = 0; i < n; i++) {
        sql_value e = {.type_oid = elem, .i64 = v[i]};
        if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(r->x->arena, r->x->err);
    }
    return pc_array_finish(r, col, &b, lbound);
}

bool pc_oid_array(pc_row *r, const char *col, const uint32_t *oids, uint32_t n) {
    int64_t v[ENG_INDEX_COLUMNS_MAX + SQL_FUNC_ARGS_MAX];
    RT_ASSERT(n <= ENG_INDEX_COLUMNS_MAX + SQL_FUNC_ARGS_MAX);
    for (uint32_t i = 0; i < n; i++) v[i] = oids[i];
    return pc_int_array(r, col, SQL_T_OID, v, n, 1);
}

bool pc_oidvector(pc_row *r, const char *col, const uint32_t *oids, uint32_t n) {
    int64_t v[ENG_INDEX_COLUMNS_MAX + SQL_FUNC_ARGS_MAX];
    RT_ASSERT(n <= ENG_INDEX_COLUMNS_MAX + SQL_FUNC_ARGS_MAX);
    for (uint32_t i = 0; i < n; i++) v[i] = oids[i];
    return pc_int_array(r, col, SQL_T_OID, v, n, 0);
}

bool pc_int2_array(pc_row *r, const char *col, const uint16_t *vals, uint32_t n, bool vector) {
    int64_t v[ENG_INDEX_COLUMNS_MAX];
    RT_ASSERT(n <= ENG_INDEX_COLUMNS_MAX);
    for (uint32_t i = 0; i < n; i++) v[i] = vals[i];
    return pc_int_array(r, col, SQL_T_INT2, v, n, vector ? 0 : 1);
}

bool pc_text_array(pc_row *r, const char *col, const char *const *items, uint32_t n) {
    sql_array_builder b;
    if (!sql_array_builder_init(&b, r->x->arena, SQL_T_TEXT)) {
        return rt_arena_fail(r->x->arena, r->x->err);
    }
    for (uint32_t i = 0; i < n; i++) {
        sql_value e = {.type_oid = SQL_T_TEXT,
                       .b = {(const uint8_t *)items[i], (uint32_t)strlen(items[i])}};
        if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(r->x->arena, r->x->err);
    }
    return pc_array_finish(r, col, &b, 1);
}

/* An access list as aclitem[] (NULL when it is the defaults, as PostgreSQL's NULL acl; the
 * schemas a database starts with show theirs, as after initdb). */
bool pc_acl(pc_row *r, const char *col, const eng_acl *acl, sql_acl_kind kind, uint32_t owner,
            uint32_t oid) {
    if (acl == NULL && sql_acl_text(r->x->arena, r->x->catalog, acl, kind, owner, oid) == NULL) {
        pc_null(r, col);
        return true;
    }
    eng_aclitem defaults[2];
    const eng_aclitem *items;
    uint32_t n = sql_acl_items(acl, kind, owner, oid, defaults, &items);
    sql_array_builder b;
    if (!sql_array_builder_init(&b, r->x->arena, SQL_T_ACLITEM)) {
        return rt_arena_fail(r->x->arena, r->x->err);
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *text = sql_acl_item_text(r->x->arena, r->x->catalog, &items[i]);
        if (text == NULL) return rt_arena_fail(r->x->arena, r->x->err);
        sql_value e = {.type_oid = SQL_T_ACLITEM,
                       .b = {(const uint8_t *)text, (uint32_t)strlen(text)}};
        if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(r->x->arena, r->x->err);
    }
    return pc_array_finish(r, col, &b, 1);
}

uint32_t pc_current_role(const pc_row *r) {
    if (r->x->session == NULL || sql_session_user_oid == NULL) return ENG_OID_BOOTSTRAP_ROLE;
    return sql_session_user_oid(r->x->session);
}

/* ---- names ---- */

const char *pc_schema_name(const eng_database *db, uint32_t oid) {
    const eng_schema *s = db != NULL ? eng_db_schema_by_oid(db, oid) : NULL;
    if (s != NULL) return s->name;
    if (oid == ENG_OID_PG_CATALOG) return "pg_catalog";
    if (oid == ENG_OID_INFORMATION_SCHEMA) return "information_schema";
    if (oid == ENG_OID_PUBLIC) return "public";
    if (oid == ENG_OID_PG_TOAST) return "pg_toast";
    return NULL;
}

const char *pc_role_name(const eng_catalog *c, uint32_t oid) {
    const eng_role *r = c != NULL ? eng_catalog_role_by_oid(c, oid) : NULL;
    return r != NULL ? r->name : NULL;
}

uint32_t pc_column_collation(const eng_column *col) {
    if (col->collation != 0) return col->collation;
    const sql_type_def *t = sql_type_by_oid(col->type_oid);
    if (t == NULL && sql_type_elem_of(col->type_oid) != 0) {
        t = sql_type_by_oid(sql_type_elem_of(col->type_oid));
    }
    const sql_type_def *e = t != NULL && t->elem_oid != 0 ? sql_type_by_oid(t->elem_oid) : NULL;
    if (t != NULL && t->collation != 0) return t->collation;
    return e != NULL ? e->collation : 0;
}

bool pc_relation_name(const eng_database *db, uint32_t oid, const char **schema,
                      const char **name) {
    const eng_table *t = db != NULL ? eng_db_table_by_oid(db, oid) : NULL;
    if (t != NULL) {
        *schema = pc_schema_name(db, t->schema_oid), *name = t->name;
        return true;
    }
    const eng_index *ix = NULL;
    t = db != NULL ? eng_db_table_of_index(db, oid, &ix) : NULL;
    if (t != NULL) {
        *schema = pc_schema_name(db, t->schema_oid), *name = ix->name;
        return true;
    }
    const eng_sequence *s = db != NULL ? eng_db_sequence_by_oid(db, oid) : NULL;
    if (s != NULL) {
        *schema = pc_schema_name(db, s->schema_oid), *name = s->name;
        return true;
    }
    const sql_pgcat_rel *rel = sql_pgcat_by_id(oid);
    if (rel != NULL) {
        *schema = rel->schema, *name = rel->name;
        return true;
    }
    return false;
}

/* ---- namespaces, databases, roles ---- */

static bool pc_scan_namespace(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->schema_count; i++) {
        const eng_schema *s = &db->schemas[i];
        pc_clear(r);
        pc_int(r, "oid", s->oid);
        pc_str(r, "nspname", s->name);
        pc_int(r, "nspowner", s->owner_oid);
        if (!pc_acl(r, "nspacl", s->acl, SQL_ACL_SCHEMA, s->owner_oid, s->oid) || !pc_add(r)) {
            return false;
        }
    }
    if (eng_db_schema_by_oid(db, ENG_OID_PG_TOAST) == NULL) {
        pc_clear(r);
        pc_int(r, "oid", ENG_OID_PG_TOAST);
        pc_str(r, "nspname", "pg_toast");
        pc_int(r, "nspowner", ENG_OID_BOOTSTRAP_ROLE);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_scan_database(pc_row *r) {
    const eng_catalog *c = r->x->catalog;
    for (uint32_t i = 0; i < eng_catalog_db_count(c); i++) {
        const eng_database *d = eng_catalog_db_at(c, i);
        pc_clear(r);
        pc_int(r, "oid", d->oid);
        pc_str(r, "datname", d->name);
        pc_int(r, "datdba", d->owner_oid);
        pc_int(r, "encoding", 6); /* UTF8 */
        pc_char(r, "datlocprovider", 'c');
        pc_bool(r, "datistemplate", d->oid == ENG_OID_TEMPLATE1 || d->oid == ENG_OID_TEMPLATE0);
        pc_bool(r, "datallowconn", d->oid != ENG_OID_TEMPLATE0);
        pc_int(r, "datconnlimit", -1);
        pc_int(r, "datfrozenxid", 716);
        pc_int(r, "datminmxid", 1);
        pc_int(r, "dattablespace", PC_OID_PG_DEFAULT_TS);
        pc_str(r, "datcollate", "C");
        pc_str(r, "datctype", "C");
        if (!pc_acl(r, "datacl", d->acl, SQL_ACL_DATABASE, d->owner_oid, d->oid) || !pc_add(r)) {
            return false;
        }
    }
    return true;
}

/* pg_authid, pg_roles and pg_user: the same roles, the password shown only in pg_authid. */
static bool pc_scan_roles(pc_row *r) {
    const eng_catalog *c = r->x->catalog;
    bool authid = strcmp(r->rel->name, "pg_authid") == 0;
    bool user = strcmp(r->rel->name, "pg_user") == 0;
    if (authid && r->x->session != NULL && sql_session_user_oid != NULL) {
        const eng_role *me = eng_catalog_role_by_oid(c, sql_session_user_oid(r->x->session));
        if (me == NULL || !me->superuser) { /* it holds the password verifiers */
            return rt_err_set(r->x->err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "permission denied for table pg_authid");
        }
    }
    for (uint32_t i = 0; i < eng_catalog_role_count(c); i++) {
        const eng_role *ro = eng_catalog_role_at(c, i);
        if (user && !ro->login) continue;
        pc_clear(r);
        if (user) {
            pc_str(r, "usename", ro->name);
            pc_int(r, "usesysid", ro->oid);
            pc_bool(r, "usecreatedb", ro->createdb);
            pc_bool(r, "usesuper", ro->superuser);
            pc_bool(r, "userepl", ro->replication);
            pc_bool(r, "usebypassrls", ro->bypassrls);
            pc_str(r, "passwd", "********");
        } else {
            pc_int(r, "oid", ro->oid);
            pc_str(r, "rolname", ro->name);
            pc_bool(r, "rolsuper", ro->superuser);
            pc_bool(r, "rolinherit", ro->inherit);
            pc_bool(r, "rolcreaterole", ro->createrole);
            pc_bool(r, "rolcreatedb", ro->createdb);
            pc_bool(r, "rolcanlogin", ro->login);
            pc_bool(r, "rolreplication", ro->replication);
            pc_int(r, "rolconnlimit", ro->connection_limit);
            pc_bool(r, "rolbypassrls", ro->bypassrls);
            if (authid) pc_str(r, "rolpassword", ro->password);
            else pc_str(r, "rolpassword", "********");
        }
        if (ro->valid_until_us != INT64_MAX) {
            pc_int(r, user ? "valuntil" : "rolvaliduntil", ro->valid_until_us);
        }
        if (!pc_add(r)) return false;
    }
    return true;
}

/* pg_auth_members: the role memberships (GRANT role TO role). */
static bool pc_scan_auth_members(pc_row *r) {
    const eng_catalog *c = r->x->catalog;
    for (uint32_t i = 0; i < eng_catalog_member_count(c); i++) {
        const eng_member *m = eng_catalog_member_at(c, i);
        pc_clear(r);
        pc_int(r, "roleid", m->role);
        pc_int(r, "member", m->member);
        pc_int(r, "grantor", m->grantor);
        pc_bool(r, "admin_option", m->admin);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* ---- settings ---- */

static const char *pc_setting_value(sql_exec_ctx *x, const sql_setting_def *d) {
    if (x->session == NULL || sql_session_get_setting == NULL) return d->boot_value;
    const char *v = NULL;
    rt_err err;
    rt_err_clear(&err);
    if (!sql_session_get_setting(x->session, d->name, true, &v, &err) || v == NULL) {
        return d->boot_value;
    }
    return v;
}

static bool pc_scan_settings(pc_row *r) {
    if (sql_setting_count == NULL || sql_setting_at == NULL) return true;
    for (uint32_t i = 0; i < sql_setting_count(); i++) {
        const sql_setting_def *d = sql_setting_at(i);
        if (r->x->session != NULL && sql_session_setting_readable != NULL &&
            !sql_session_setting_readable(r->x->session, d->name)) {
            continue; /* PostgreSQL leaves out what the role may not read */
        }
        const char *v = pc_setting_value(r->x, d);
        pc_clear(r);
        pc_str(r, "name", d->name);
        pc_str(r, "setting", v);
        pc_str(r, "unit", d->unit);
        pc_str(r, "category", d->category);
        pc_str(r, "short_desc", d->short_desc);
        pc_str(r, "context", d->context);
        pc_str(r, "vartype", d->vartype);
        pc_str(r, "source", strcmp(v, d->boot_value) == 0 ? "default" : "session");
        pc_str(r, "boot_val", d->boot_value);
        pc_str(r, "reset_val", d->boot_value);
        pc_bool(r, "pending_restart", false);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* ---- fixed objects ---- */

static bool pc_scan_am(pc_row *r) {
    static const struct { uint32_t oid; const char *name, *handler; char type; } ams[] = {
        {PC_OID_HEAP_AM, "heap", "heap_tableam_handler", 't'},
        {PC_OID_BTREE_AM, "btree", "bthandler", 'i'},
        {PC_OID_HASH_AM, "hash", "hashhandler", 'i'},
        {PC_OID_HNSW_AM, "hnsw", "hnswhandler", 'i'},
    };
    for (uint32_t i = 0; i < sizeof ams / sizeof ams[0]; i++) {
        pc_clear(r);
        pc_int(r, "oid", ams[i].oid);
        pc_str(r, "amname", ams[i].name);
        pc_int(r, "amhandler", pc_proc_oid(ams[i].handler));
        pc_char(r, "amtype", ams[i].type);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* The default operator classes of the index methods, for the types that have one (varchar
 * uses text's and cidr inet's, as in PostgreSQL), and pgvector's HNSW classes, none of them a
 * default. */
static const struct { uint32_t oid, am, type; const char *name; bool dflt; } pc_opclasses[] = {
    {1978, PC_OID_BTREE_AM, SQL_T_INT4, "int4_ops", true},
    {3124, PC_OID_BTREE_AM, SQL_T_INT8, "int8_ops", true},
    {1979, PC_OID_BTREE_AM, SQL_T_INT2, "int2_ops", true},
    {3126, PC_OID_BTREE_AM, SQL_T_TEXT, "text_ops", true},
    {3126, PC_OID_BTREE_AM, SQL_T_VARCHAR, NULL, true},
    {1986, PC_OID_BTREE_AM, SQL_T_NAME, "name_ops", true},
    {1981, PC_OID_BTREE_AM, SQL_T_OID, "oid_ops", true},
    {3125, PC_OID_BTREE_AM, SQL_T_NUMERIC, "numeric_ops", true},
    {1970, PC_OID_BTREE_AM, SQL_T_FLOAT8, "float8_ops", true},
    {3123, PC_OID_BTREE_AM, SQL_T_BOOL, "bool_ops", true},
    {3127, PC_OID_BTREE_AM, SQL_T_TIMESTAMPTZ, "timestamptz_ops", true},
    {3122, PC_OID_BTREE_AM, SQL_T_DATE, "date_ops", true},
    {3128, PC_OID_BTREE_AM, SQL_T_TIMESTAMP, "timestamp_ops", true},
    {2968, PC_OID_BTREE_AM, SQL_T_UUID, "uuid_ops", true},
    {10015, PC_OID_BTREE_AM, SQL_T_INET, "inet_ops", true}, /* genbki's oid in PostgreSQL 15 */
    {10015, PC_OID_BTREE_AM, SQL_T_CIDR, NULL, true},      /* cidr columns use inet's */
    {10009, PC_OID_BTREE_AM, SQL_T_INET, "cidr_ops", false},
    {10002, PC_OID_BTREE_AM, SQL_T_BIT, "bit_ops", true},
    {10043, PC_OID_BTREE_AM, SQL_T_VARBIT, "varbit_ops", true},
    {10076, PC_OID_BTREE_AM, SQL_T_ANYRANGE, "range_ops", true}, /* every range type's */
    {10076, PC_OID_BTREE_AM, SQL_T_INT4RANGE, NULL, true},
    {10076, PC_OID_BTREE_AM, SQL_T_INT8RANGE, NULL, true},
    {10076, PC_OID_BTREE_AM, SQL_T_NUMRANGE, NULL, true},
    {10076, PC_OID_BTREE_AM, SQL_T_DATERANGE, NULL, true},
    {10076, PC_OID_BTREE_AM, SQL_T_TSRANGE, NULL, true},
    {10076, PC_OID_BTREE_AM, SQL_T_TSTZRANGE, NULL, true},
    {PC_OID_VECTOR_L2_OPS, PC_OID_HNSW_AM, SQL_T_VECTOR, "vector_l2_ops", false},
    {PC_OID_VECTOR_IP_OPS, PC_OID_HNSW_AM, SQL_T_VECTOR, "vector_ip_ops", false},
    {PC_OID_VECTOR_COSINE_OPS, PC_OID_HNSW_AM, SQL_T_VECTOR, "vector_cosine_ops", false},
};
#define PC_OPCLASS_COUNT (sizeof pc_opclasses / sizeof pc_opclasses[0])

uint32_t pc_default_opclass(uint32_t am, uint32_t type) {
    for (uint32_t i = 0; i < PC_OPCLASS_COUNT; i++) {
        if (pc_opclasses[i].am == am && pc_opclasses[i].type == type && pc_opclasses[i].dflt) {
            return pc_opclasses[i].oid;
        }
    }
    return 0;
}

static bool pc_scan_opclass(pc_row *r) {
    for (uint32_t i = 0; i < PC_OPCLASS_COUNT; i++) {
        if (pc_opclasses[i].name == NULL) continue;
        pc_clear(r);
        pc_int(r, "oid", pc_opclasses[i].oid);
        pc_int(r, "opcmethod", pc_opclasses[i].am);
        pc_str(r, "opcname", pc_opclasses[i].name);
        bool hnsw = pc_opclasses[i].am == PC_OID_HNSW_AM;
        pc_int(r, "opcnamespace", hnsw ? ENG_OID_PUBLIC : ENG_OID_PG_CATALOG);
        pc_int(r, "opcowner", ENG_OID_BOOTSTRAP_ROLE);
        pc_int(r, "opcintype", pc_opclasses[i].type);
        pc_bool(r, "opcdefault", pc_opclasses[i].dflt);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_scan_collation(pc_row *r) {
    static const struct { uint32_t oid; const char *name, *collate; char provider; } colls[] = {
        {PC_OID_DEFAULT_COLL, "default", NULL, 'd'},
        {PC_OID_C_COLL, "C", "C", 'c'},
        {PC_OID_POSIX_COLL, "POSIX", "POSIX", 'c'},
    };
    for (uint32_t i = 0; i < sizeof colls / sizeof colls[0]; i++) {
        pc_clear(r);
        pc_int(r, "oid", colls[i].oid);
        pc_str(r, "collname", colls[i].name);
        pc_int(r, "collnamespace", ENG_OID_PG_CATALOG);
        pc_int(r, "collowner", ENG_OID_BOOTSTRAP_ROLE);
        pc_char(r, "collprovider", colls[i].provider);
        pc_bool(r, "collisdeterministic", true);
        pc_int(r, "collencoding", -1);
        pc_str(r, "collcollate", colls[i].collate);
        pc_str(r, "collctype", colls[i].collate);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_scan_range(pc_row *r) {
    for (uint32_t i = 0; i < SQL_RANGE_TYPE_COUNT; i++) {
        const sql_range_type *rt = sql_range_type_at(i);
        pc_clear(r);
        pc_int(r, "rngtypid", rt->oid);
        pc_int(r, "rngsubtype", rt->sub_oid);
        pc_int(r, "rngmultitypid", rt->multi_oid);
        pc_int(r, "rngcollation", 0);
        pc_int(r, "rngsubopc", rt->subopc_oid);
        pc_int(r, "rngcanonical", pc_proc_oid(rt->canonical));
        pc_int(r, "rngsubdiff", pc_proc_oid(rt->subdiff));
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_scan_tablespace(pc_row *r) {
    static const struct { uint32_t oid; const char *name; } ts[] = {
        {PC_OID_PG_DEFAULT_TS, "pg_default"}, {PC_OID_PG_GLOBAL_TS, "pg_global"}};
    for (uint32_t i = 0; i < 2; i++) {
        pc_clear(r);
        pc_int(r, "oid", ts[i].oid);
        pc_str(r, "spcname", ts[i].name);
        pc_int(r, "spcowner", ENG_OID_BOOTSTRAP_ROLE);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_scan_language(pc_row *r) {
    static const struct { uint32_t oid; const char *name; } langs[] = {
        {PC_OID_LANG_INTERNAL, "internal"}, {13, "c"}, {14, "sql"}};
    for (uint32_t i = 0; i < 3; i++) {
        pc_clear(r);
        pc_int(r, "oid", langs[i].oid);
        pc_str(r, "lanname", langs[i].name);
        pc_int(r, "lanowner", ENG_OID_BOOTSTRAP_ROLE);
        pc_bool(r, "lanpltrusted", i == 2);
        if (!pc_add(r)) return false;
    }
    return true;
}

static bool pc_scan_extension(pc_row *r) {
    const eng_database *db = r->x->db;
    /* plpgsql is there in every PostgreSQL database; clients list it. */
    pc_clear(r);
    pc_int(r, "oid", PC_OID_PLPGSQL_EXT);
    pc_str(r, "extname", "plpgsql");
    pc_int(r, "extowner", ENG_OID_BOOTSTRAP_ROLE);
    pc_int(r, "extnamespace", ENG_OID_PG_CATALOG);
    pc_str(r, "extversion", "1.0");
    if (!pc_add(r)) return false;
    for (uint32_t i = 0; i < db->extension_count; i++) {
        const eng_extension *e = &db->extensions[i];
        pc_clear(r);
        pc_int(r, "oid", e->oid);
        pc_str(r, "extname", e->name);
        pc_int(r, "extowner", db->owner_oid);
        pc_int(r, "extnamespace", e->schema_oid);
        pc_bool(r, "extrelocatable", true);
        pc_str(r, "extversion", e->version);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* Comments on databases (pg_shdescription). */
static bool pc_scan_shdescription(pc_row *r) {
    const eng_catalog *c = r->x->catalog;
    for (uint32_t i = 0; i < eng_catalog_db_count(c); i++) {
        const eng_database *d = eng_catalog_db_at(c, i);
        if (d->comment == NULL) continue;
        pc_clear(r);
        pc_int(r, "objoid", d->oid);
        pc_int(r, "classoid", 1262);
        pc_str(r, "description", d->comment);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* The current session only: other sessions live on other shards' fibers. */
/* Unix-epoch microseconds to a timestamptz (PostgreSQL's epoch); 0 is NULL. */
static void pc_unix_time(pc_row *r, const char *col, int64_t unix_us) {
    if (unix_us != 0) pc_int(r, col, unix_us - INT64_C(946684800000000));
}

static const char *pc_activity_state(net_pg_state st) {
    switch (st) {
    case NET_PG_STATE_IDLE: return "idle";
    case NET_PG_STATE_ACTIVE: return "active";
    case NET_PG_STATE_IDLE_IN_TXN: return "idle in transaction";
    case NET_PG_STATE_IDLE_IN_TXN_ABORTED: return "idle in transaction (aborted)";
    default: return NULL;
    }
}

/* Whether the caller sees all of a backend's activity (PostgreSQL 15): superusers, members
 * with the privileges of its user, and pg_read_all_stats. */
static bool pc_activity_visible(const sql_exec_ctx *x, uint32_t role_oid) {
    if (x->session == NULL || sql_session_user_oid == NULL) return false;
    if (sql_session_is_superuser != NULL && sql_session_is_superuser(x->session)) return true;
    uint32_t me = sql_session_user_oid(x->session);
    return sql_acl_has_privs_of(x->catalog, me, role_oid) ||
           sql_acl_has_privs_of(x->catalog, me, ENG_OID_PG_READ_ALL_STATS);
}

/* client_addr from the text the backend table recorded: NULL over a Unix socket. */
static bool pc_activity_client_addr(pc_row *r, const char *text) {
    sql_bytes v;
    if (!sql_inet_parse_copy(r->x->arena, text, &v, r->x->err)) return false;
    if (v.ptr == NULL) {
        pc_null(r, "client_addr");
    } else {
        pc_bytes(r, "client_addr", v);
    }
    return true;
}

/* wait_event_type and wait_event: an idle backend waits for its client, an active one for
 * what it published (or the engine's transaction table shows), else it runs (NULL). */
static void pc_activity_wait(pc_row *r, const net_pg_activity *a) {
    static const char *const types[] = {NULL, "Lock", "Lock", "Lock", "Timeout", "Lock"};
    static const char *const events[] = {NULL, "relation", "advisory", "transactionid",
                                         "PgSleep", "tuple"};
    bool idle = a->state != NET_PG_STATE_ACTIVE && a->state != NET_PG_STATE_STARTING;
    uint32_t w = a->wait <= NET_PG_WAIT_TUPLE ? (uint32_t)a->wait : 0;
    pc_str(r, "wait_event_type", idle ? "Client" : types[w]);
    pc_str(r, "wait_event", idle ? "ClientRead" : events[w]);
}

/* The columns only a caller with the privileges of the backend's user sees; the others get
 * '<insufficient privilege>' as the query and NULL for them. */
static bool pc_activity_private(pc_row *r, const net_pg_activity *a) {
    rt_arena *arena = r->x->arena;
    const char *query = rt_arena_strdup(arena, a->query);
    if (query == NULL) return rt_arena_fail(arena, r->x->err);
    if (!pc_activity_client_addr(r, a->client_addr)) return false;
    pc_int(r, "client_port", a->client_port);
    pc_unix_time(r, "backend_start", a->backend_start_us);
    pc_unix_time(r, "xact_start", a->xact_start_us);
    pc_unix_time(r, "query_start", a->query_start_us);
    pc_unix_time(r, "state_change", a->state_change_us);
    pc_activity_wait(r, a);
    pc_str(r, "state", pc_activity_state(a->state));
    pc_str(r, "query", query);
    pc_str(r, "backend_type", "client backend");
    return true;
}

/* One backend's row. */
static bool pc_activity_row(pc_row *r, const net_pg_activity *a) {
    rt_arena *arena = r->x->arena;
    pc_clear(r);
    const char *datname = rt_arena_strdup(arena, a->datname);
    const char *usename = rt_arena_strdup(arena, a->usename);
    const char *app = rt_arena_strdup(arena, a->application_name);
    if (datname == NULL || usename == NULL || app == NULL) return rt_arena_fail(arena, r->x->err);
    pc_int(r, "datid", a->db_oid);
    pc_str(r, "datname", datname);
    pc_int(r, "pid", a->pid);
    pc_null(r, "leader_pid");
    pc_int(r, "usesysid", a->role_oid);
    pc_str(r, "usename", usename);
    pc_str(r, "application_name", app);
    pc_null(r, "client_port");
    /* Type xid: the low 32 bits of the transaction's number, as xid(xid8) gives. */
    if (a->xid != 0) {
        pc_int(r, "backend_xid", (int64_t)(uint32_t)a->xid);
    } else {
        pc_null(r, "backend_xid");
    }
    if (a->xmin != 0) {
        pc_int(r, "backend_xmin", (int64_t)(uint32_t)a->xmin);
    } else {
        pc_null(r, "backend_xmin");
    }
    pc_null(r, "query_id"); /* compute_query_id = auto: none without pg_stat_statements */
    if (pc_activity_visible(r->x, a->role_oid)) {
        if (!pc_activity_private(r, a)) return false;
    } else {
        pc_str(r, "query", "<insufficient privilege>");
    }
    return pc_add(r);
}

/* The server's own workers, listed as PostgreSQL lists its auxiliary processes: the
 * checkpoint trigger (checkpointer), the WAL flushers (walwriter) and, with autovacuum on, the
 * vacuum and analyze scheduler (autovacuum launcher). Each is one fiber per shard; a row
 * stands for all of them. Dreambase has no background writer (pages are never written back
 * one by one) and no logical replication, so those are not listed. */
static bool pc_activity_workers(pc_row *r) {
    static const struct { uint32_t pid; const char *type, *event; } workers[] = {
        {NET_PG_PID_AUTOVACUUM, "autovacuum launcher", "AutoVacuumMain"},
        {NET_PG_PID_CHECKPOINTER, "checkpointer", "CheckpointerMain"},
        {NET_PG_PID_WALWRITER, "walwriter", "WalWriterMain"},
    };
    const char *autovacuum = NULL;
    rt_err err;
    rt_err_clear(&err);
    if (r->x->session != NULL && sql_session_get_setting != NULL &&
        !sql_session_get_setting(r->x->session, "autovacuum", true, &autovacuum, &err)) {
        autovacuum = NULL;
    }
    for (uint32_t i = 0; i < sizeof workers / sizeof workers[0]; i++) {
        if (i == 0 && autovacuum != NULL && strcmp(autovacuum, "off") == 0) continue;
        pc_clear(r);
        pc_null(r, "datid");
        pc_null(r, "usesysid");
        pc_null(r, "client_port");
        pc_null(r, "backend_xid");
        pc_null(r, "backend_xmin");
        pc_null(r, "leader_pid");
        pc_null(r, "query_id");
        pc_int(r, "pid", workers[i].pid);
        pc_str(r, "application_name", "");
        if (net_pg_start_time_us != NULL) {
            pc_unix_time(r, "backend_start", net_pg_start_time_us());
        }
        pc_str(r, "wait_event_type", "Activity");
        pc_str(r, "wait_event", workers[i].event);
        pc_str(r, "query", "");
        pc_str(r, "backend_type", workers[i].type);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* pg_stat_activity: every client backend of the server, on every shard, from copies of the
 * backend table's slots (net_pg.h); without a server (tools, unit tests), the caller's own
 * session. The activity is a snapshot taken slot by slot, as PostgreSQL's is. */
static bool pc_scan_stat_activity(pc_row *r) {
    sql_exec_ctx *x = r->x;
    if (net_pg_backend_slots != NULL && net_pg_backend_slots() > 0) {
        net_pg_activity *a = rt_arena_alloc(x->arena, sizeof *a);
        if (a == NULL) return rt_arena_fail(x->arena, x->err);
        for (uint32_t i = 0; i < net_pg_backend_slots(); i++) {
            if (net_pg_activity_get(i, a) && !pc_activity_row(r, a)) return false;
        }
        return pc_activity_workers(r);
    }
    pc_clear(r);
    pc_int(r, "datid", x->db->oid);
    pc_str(r, "datname", x->db->name);
    if (x->session != NULL && sql_session_backend_pid != NULL) {
        pc_int(r, "pid", sql_session_backend_pid(x->session));
        pc_int(r, "usesysid", sql_session_user_oid(x->session));
        pc_str(r, "usename", sql_session_user(x->session));
    }
    const char *app = NULL;
    rt_err err;
    rt_err_clear(&err);
    if (x->session != NULL && sql_session_get_setting != NULL &&
        !sql_session_get_setting(x->session, "application_name", true, &app, &err)) {
        app = NULL;
    }
    pc_str(r, "application_name", app != NULL ? app : "");
    pc_int(r, "backend_start", x->now_us);
    pc_int(r, "xact_start", x->now_us);
    pc_int(r, "query_start", x->stmt_us);
    pc_int(r, "state_change", x->stmt_us);
    pc_str(r, "state", "active");
    pc_str(r, "backend_type", "client backend");
    pc_str(r, "query", "");
    return pc_add(r);
}

/* pg_stat_ssl: a row per client backend whose pg_stat_activity row the caller may see in
 * full (PostgreSQL's view keeps those with a client_port), ssl true with the protocol
 * version, cipher and its bits on TLS connections, NULL there otherwise. No client
 * certificates are asked for, so client_dn, client_serial and issuer_dn are NULL. */
static bool pc_scan_stat_ssl(pc_row *r) {
    sql_exec_ctx *x = r->x;
    if (net_pg_backend_slots == NULL || net_pg_backend_slots() == 0) {
        if (x->session == NULL || sql_session_backend_pid == NULL) return true;
        pc_clear(r);
        pc_int(r, "pid", sql_session_backend_pid(x->session));
        pc_bool(r, "ssl", false);
        pc_null(r, "bits");
        return pc_add(r);
    }
    net_pg_activity *a = rt_arena_alloc(x->arena, sizeof *a);
    if (a == NULL) return rt_arena_fail(x->arena, x->err);
    for (uint32_t i = 0; i < net_pg_backend_slots(); i++) {
        if (!net_pg_activity_get(i, a) || !pc_activity_visible(x, a->role_oid)) continue;
        pc_clear(r);
        pc_int(r, "pid", a->pid);
        pc_bool(r, "ssl", a->ssl);
        if (a->ssl) {
            const char *version = rt_arena_strdup(x->arena, a->ssl_version);
            const char *cipher = rt_arena_strdup(x->arena, a->ssl_cipher);
            if (version == NULL || cipher == NULL) return rt_arena_fail(x->arena, x->err);
            pc_str(r, "version", version);
            pc_str(r, "cipher", cipher);
            pc_int(r, "bits", a->ssl_bits);
        } else {
            pc_null(r, "bits");
        }
        if (!pc_add(r)) return false;
    }
    return true;
}

/* pg_prepared_statements: the session's named prepared statements. */
static bool pc_scan_prepared(pc_row *r) {
    sql_exec_ctx *x = r->x;
    if (x->session == NULL || sql_session_prepared_count == NULL) return true;
    for (uint32_t i = 0; i < sql_session_prepared_count(x->session); i++) {
        sql_prepared_info p;
        if (!sql_session_prepared_at(x->session, i, &p)) continue;
        pc_clear(r);
        pc_str(r, "name", p.name);
        pc_str(r, "statement", p.statement);
        pc_int(r, "prepare_time", p.prepare_us);
        sql_array_builder b;
        if (!sql_array_builder_init(&b, x->arena, SQL_T_REGTYPE)) {
            return rt_arena_fail(x->arena, x->err);
        }
        for (uint32_t k = 0; k < p.nparams; k++) {
            sql_value e = {.type_oid = SQL_T_REGTYPE, .i64 = p.param_types[k]};
            if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(x->arena, x->err);
        }
        if (!pc_array_finish(r, "parameter_types", &b, 1)) return false;
        pc_bool(r, "from_sql", p.from_sql);
        pc_int(r, "generic_plans", (int64_t)p.generic_plans);
        pc_int(r, "custom_plans", (int64_t)p.custom_plans);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* pg_cursors: the cursors the session DECLAREd (protocol portals are not shown). */
static bool pc_scan_cursors(pc_row *r) {
    sql_exec_ctx *x = r->x;
    if (x->session == NULL || sql_session_cursor_count == NULL) return true;
    for (uint32_t i = 0; i < sql_session_cursor_count(x->session); i++) {
        sql_cursor_info c;
        if (!sql_session_cursor_at(x->session, i, &c)) continue;
        pc_clear(r);
        pc_str(r, "name", c.name);
        pc_str(r, "statement", c.statement);
        pc_bool(r, "is_holdable", c.holdable);
        pc_bool(r, "is_binary", c.binary);
        pc_bool(r, "is_scrollable", c.scrollable);
        pc_int(r, "creation_time", c.created_us);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* pg_stat_progress_create_index: the background rebuilds of vector indexes, one row per shard
 * and index (the process's pid, as every shard is a thread of it). A Dreambase "block" is a
 * row group's worth of slots; there are no lockers to wait for. */
static bool pc_scan_progress_create_index(pc_row *r) {
    eng_ann_build_progress prog[RT_SHARDS_MAX * 4];
    uint32_t n = eng_part_ann_progress(prog, sizeof prog / sizeof prog[0]);
    for (uint32_t i = 0; i < n; i++) {
        const eng_database *db = NULL;
        for (uint32_t d = 0; db == NULL && d < eng_catalog_db_count(r->x->catalog); d++) {
            const eng_database *cand = eng_catalog_db_at(r->x->catalog, d);
            if (eng_db_table_by_oid(cand, prog[i].table_oid) != NULL) db = cand;
        }
        if (db == NULL) continue; /* dropped meanwhile */
        pc_clear(r);
        pc_int(r, "pid", getpid());
        pc_int(r, "datid", db->oid);
        pc_str(r, "datname", db->name);
        pc_int(r, "relid", prog[i].table_oid);
        pc_int(r, "index_relid", prog[i].index_oid);
        pc_str(r, "command", "CREATE INDEX");
        pc_str(r, "phase", "building index: loading tuples");
        pc_int(r, "lockers_total", 0);
        pc_int(r, "lockers_done", 0);
        pc_int(r, "current_locker_pid", 0);
        uint64_t blocks = (prog[i].tuples_total + ENG_RG_ROWS - 1) / ENG_RG_ROWS;
        pc_int(r, "blocks_total", (int64_t)blocks);
        pc_int(r, "blocks_done", (int64_t)(prog[i].tuples_done / ENG_RG_ROWS));
        pc_int(r, "tuples_total", (int64_t)prog[i].tuples_total);
        pc_int(r, "tuples_done", (int64_t)prog[i].tuples_done);
        pc_int(r, "partitions_total", (int64_t)prog[i].partitions_total);
        pc_int(r, "partitions_done", (int64_t)prog[i].partitions_done);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* ---- dispatch ---- */

typedef bool (*pc_scan_fn)(pc_row *r);

static const struct { const char *schema, *name; pc_scan_fn fn; } pc_scans[] = {
    {"pg_catalog", "pg_namespace", pc_scan_namespace},
    {"pg_catalog", "pg_database", pc_scan_database},
    {"pg_catalog", "pg_roles", pc_scan_roles},
    {"pg_catalog", "pg_authid", pc_scan_roles},
    {"pg_catalog", "pg_user", pc_scan_roles},
    {"pg_catalog", "pg_auth_members", pc_scan_auth_members},
    {"pg_catalog", "pg_settings", pc_scan_settings},
    {"pg_catalog", "pg_am", pc_scan_am},
    {"pg_catalog", "pg_opclass", pc_scan_opclass},
    {"pg_catalog", "pg_collation", pc_scan_collation},
    {"pg_catalog", "pg_range", pc_scan_range},
    {"pg_catalog", "pg_tablespace", pc_scan_tablespace},
    {"pg_catalog", "pg_language", pc_scan_language},
    {"pg_catalog", "pg_extension", pc_scan_extension},
    {"pg_catalog", "pg_shdescription", pc_scan_shdescription},
    {"pg_catalog", "pg_stat_activity", pc_scan_stat_activity},
    {"pg_catalog", "pg_stat_ssl", pc_scan_stat_ssl},
    {"pg_catalog", "pg_locks", pc_scan_locks},
    {"pg_catalog", "pg_prepared_statements", pc_scan_prepared},
    {"pg_catalog", "pg_cursors", pc_scan_cursors},
    {"pg_catalog", "pg_stat_progress_create_index", pc_scan_progress_create_index},
    {"pg_catalog", "pg_class", pc_scan_class},
    {"pg_catalog", "pg_attribute", pc_scan_attribute},
    {"pg_catalog", "pg_index", pc_scan_index},
    {"pg_catalog", "pg_constraint", pc_scan_constraint},
    {"pg_catalog", "pg_attrdef", pc_scan_attrdef},
    {"pg_catalog", "pg_description", pc_scan_description},
    {"pg_catalog", "pg_sequence", pc_scan_sequence},
    {"pg_catalog", "pg_sequences", pc_scan_sequences},
    {"pg_catalog", "pg_depend", pc_scan_depend},
    {"pg_catalog", "pg_tables", pc_scan_tables},
    {"pg_catalog", "pg_views", pc_scan_views},
    {"pg_catalog", "pg_indexes", pc_scan_indexes},
    {"pg_catalog", "pg_stat_user_tables", pc_scan_stat_user_tables},
    {"pg_catalog", "pg_stat_all_tables", pc_scan_stat_user_tables}, /* the user tables */
    {"pg_catalog", "pg_stats", pc_scan_stats},
    {"pg_catalog", "pg_statistic", pc_scan_statistic},
    {"pg_catalog", "pg_type", pc_scan_type},
    {"pg_catalog", "pg_enum", pc_scan_enum},
    {"pg_catalog", "pg_proc", pc_scan_proc},
    {"pg_catalog", "pg_cast", pc_scan_cast},
    {"information_schema", "tables", pc_scan_is_tables},
    {"information_schema", "columns", pc_scan_is_columns},
    {"information_schema", "schemata", pc_scan_is_schemata},
    {"information_schema", "table_constraints", pc_scan_is_table_constraints},
    {"information_schema", "key_column_usage", pc_scan_is_key_column_usage},
    {"information_schema", "referential_constraints", pc_scan_is_referential_constraints},
    {"information_schema", "constraint_column_usage", pc_scan_is_constraint_column_usage},
    {"information_schema", "check_constraints", pc_scan_is_check_constraints},
    {"information_schema", "domain_constraints", pc_scan_is_domain_constraints},
    {"information_schema", "domains", pc_scan_is_domains},
    {"information_schema", "sequences", pc_scan_is_sequences},
    {"information_schema", "views", pc_scan_is_views},
    {"information_schema", "routines", pc_scan_is_routines},
    {"information_schema", "table_privileges", pc_scan_is_table_privileges},
    {"information_schema", "role_table_grants", pc_scan_is_table_privileges},
    {"information_schema", "column_privileges", pc_scan_is_column_privileges},
};

bool sql_pgcat_scan(struct sql_exec_ctx *x, uint32_t id, struct sql_rowset *out) {
    pc_row r;
    if (!pc_open(&r, x, id, out)) return false;
    for (uint32_t i = 0; i < sizeof pc_scans / sizeof pc_scans[0]; i++) {
        if (strcmp(pc_scans[i].name, r.rel->name) == 0 &&
            strcmp(pc_scans[i].schema, r.rel->schema) == 0) {
            return pc_scans[i].fn(&r);
        }
    }
    return true; /* a relation Dreambase has no objects for */
}
