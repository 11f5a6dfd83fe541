/* sql_fn_catalog.c: the functions psql's and the drivers' catalog queries call: format_type,
 * the visibility tests, pg_get_expr / indexdef / constraintdef / viewdef / userbyid /
 * serial_sequence, object sizes, the privilege tests (a superuser or owner has every
 * privilege, which is all Dreambase checks), comments, encodings, to_reg*, current_schemas,
 * and stand-ins for objects Dreambase has none of (triggers, rules, partitions).
 * They read the catalog of the running statement (f->ec->exec), so they are STABLE: never
 * folded at bind time. Without a statement (no catalog) they return NULL. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_pgcat_int.h"

#define PC_KERNEL(name)                                                                        \
    static bool name(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,          \
                     sql_vec *out)

static sql_exec_ctx *pc_fx(sql_fctx *f) {
    sql_exec_ctx *x = f->ec != NULL ? f->ec->exec : NULL;
    return x != NULL && x->db != NULL ? x : NULL;
}

static bool pc_set_text(sql_fctx *f, sql_vec *out, uint32_t i, const char *s) {
    if (s == NULL) {
        out->nulls[i] = 1;
        return true;
    }
    return sql_fn_text(f, out, i, s, (uint32_t)strlen(s));
}

static bool pc_set_sb(sql_fctx *f, sql_vec *out, uint32_t i, const sql_strbuf *sb) {
    if (sb->failed) return rt_arena_fail(f->arena, f->err);
    return sql_fn_text(f, out, i, sb->data, sb->len);
}

/* Rows a kernel gives no value stay NULL (the evaluator hands over active rows as non-NULL). */
static void pc_nulls(uint32_t n, const uint8_t *active, sql_vec *out) {
    SQL_FOR_ACTIVE(i) out->nulls[i] = 1;
}

static void pc_set_int(sql_vec *out, uint32_t i, int64_t v) {
    out->nulls[i] = 0;
    out->i64[i] = v;
}

static bool pc_null_arg(sql_vec **args, uint32_t nargs, uint32_t i) {
    for (uint32_t k = 0; k < nargs; k++) {
        if (sql_vec_is_null(args[k], i)) return true;
    }
    return false;
}

/* A text argument as a NUL-terminated string in the arena. */
static const char *pc_arg_cstr(sql_fctx *f, const sql_vec *v, uint32_t i) {
    char *s = rt_arena_strndup(f->arena, (const char *)v->b[i].ptr, v->b[i].len);
    if (s == NULL) rt_arena_fail(f->arena, f->err);
    return s;
}

/* Reads `text` as a value of a reg* type through its input function (errors as PostgreSQL). */
static bool pc_reg_in(sql_fctx *f, uint32_t type, const sql_bytes *text, uint32_t *oid) {
    sql_value v = {.type_oid = type};
    if (!sql_value_in(f->io, type, (const char *)text->ptr, text->len, -1, &v)) return false;
    *oid = (uint32_t)v.i64;
    return true;
}

/* ---- format_type, visibility ---- */

PC_KERNEL(pc_format_type) {
    pc_nulls(n, active, out);
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 32);
    sql_exec_ctx *x = pc_fx(f);
    pc_path p;
    if (x != NULL) pc_path_of(x, &p);
    SQL_FOR_ACTIVE(i) {
        if (sql_vec_is_null(args[0], i)) {
            out->nulls[i] = 1;
            continue;
        }
        sql_strbuf_reset(&sb);
        uint32_t oid = (uint32_t)args[0]->i64[i];
        if (oid == 0) sql_strbuf_puts(&sb, "-"); /* InvalidOid, as in a cast without a type */
        else if (x != NULL && pc_format_user_type(x->db, &p, oid, &sb)) {}
        else if (sql_vec_is_null(args[1], i)) pc_format_type_nomod(oid, &sb);
        else sql_type_format(oid, (int32_t)args[1]->i64[i], &sb);
        if (!pc_set_sb(f, out, i, &sb)) return false;
    }
    return true;
}

PC_KERNEL(pc_table_is_visible) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    pc_path p;
    if (x != NULL) pc_path_of(x, &p);
    SQL_FOR_ACTIVE(i) {
        const char *schema, *name;
        uint32_t oid = (uint32_t)args[0]->i64[i];
        if (x == NULL || !pc_relation_name(x->db, oid, &schema, &name)) continue;
        pc_set_int(out, i, pc_rel_visible(x->db, &p, oid));
    }
    return true;
}

PC_KERNEL(pc_type_is_visible) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    pc_path p;
    if (x != NULL) pc_path_of(x, &p);
    SQL_FOR_ACTIVE(i) {
        uint32_t oid = (uint32_t)args[0]->i64[i];
        const sql_type_def *t = sql_type_by_oid(oid);
        if (x != NULL && t != NULL) pc_set_int(out, i, pc_path_has(&p, t->namespace_oid));
        pc_user_type u;
        if (x != NULL && t == NULL && pc_user_type_by_oid(x->db, oid, &u)) {
            char name[ENG_NAME_BYTES + 1];
            snprintf(name, sizeof name, "%s%s", oid == u.array_oid ? "_" : "", u.name);
            pc_set_int(out, i, pc_user_type_lookup(x->db, &p, NULL, name) == oid);
        }
    }
    return true;
}

PC_KERNEL(pc_function_is_visible) {
    pc_nulls(n, active, out);
    (void)f;
    SQL_FOR_ACTIVE(i) {
        if (pc_proc_by_oid((uint32_t)args[0]->i64[i]) != NULL) pc_set_int(out, i, 1);
    }
    return true;
}

/* ---- definitions ---- */

/* The pg_node_tree columns hold SQL text already: pg_get_expr prints it; pretty (psql's \d),
 * an index's expression or predicate prints with the fewer parentheses of PostgreSQL's pretty
 * form. */
PC_KERNEL(pc_get_expr) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        const sql_bytes *text = &args[0]->b[i];
        bool pretty = f->call->nargs > 2 && !sql_vec_is_null(args[2], i) && args[2]->i64[i];
        const eng_table *t = pretty && !sql_vec_is_null(args[1], i)
                                 ? eng_db_table_by_oid(x->db, (uint32_t)args[1]->i64[i])
                                 : NULL;
        sql_strbuf sb;
        sql_strbuf_init(&sb, f->arena, text->len + 16u);
        if (t != NULL && sql_ixexpr_pretty(&sb, x->catalog, x->db, t, (const char *)text->ptr,
                                           text->len)) {
            if (!sql_fn_text(f, out, i, (const uint8_t *)sb.data, sb.len)) return false;
            continue;
        }
        if (!sql_fn_text(f, out, i, text->ptr, text->len)) return false;
    }
    return true;
}

PC_KERNEL(pc_get_indexdef) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 128);
    uint32_t nargs = f->call->nargs;
    SQL_FOR_ACTIVE(i) {
        if (pc_null_arg(args, nargs, i)) continue;
        const eng_index *ix = NULL;
        const eng_table *t = x != NULL ? eng_db_table_of_index(x->db, args[0]->i64[i], &ix) : NULL;
        if (t == NULL) continue;
        sql_strbuf_reset(&sb);
        uint32_t column = nargs > 1 && args[1]->i64[i] > 0 ? (uint32_t)args[1]->i64[i] : 0;
        bool pretty = nargs > 2 && !pc_null_arg(args, nargs, i) && args[2]->i64[i] != 0;
        pc_index_def(&sb, x->db, t, ix, column, pretty);
        if (!pc_set_sb(f, out, i, &sb)) return false;
    }
    return true;
}

PC_KERNEL(pc_get_constraintdef) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 128);
    pc_path p;
    if (x != NULL) pc_path_of(x, &p);
    SQL_FOR_ACTIVE(i) {
        const eng_table *t = NULL;
        const eng_constraint *con =
            x != NULL ? pc_constraint_by_oid(x->db, (uint32_t)args[0]->i64[i], &t) : NULL;
        bool pretty = f->call->nargs > 1 && !sql_vec_is_null(args[1], i) && args[1]->i64[i];
        sql_strbuf_reset(&sb);
        const eng_domain_check *dk =
            x != NULL && con == NULL ? pc_domain_check_by_oid(x->db, (uint32_t)args[0]->i64[i])
                                     : NULL;
        if (dk != NULL) { /* a domain's CHECK: its text as written */
            sql_strbuf_printf(&sb, pretty ? "CHECK (%s)" : "CHECK ((%s))", dk->check_text);
            if (!pc_set_sb(f, out, i, &sb)) return false;
        }
        if (con == NULL) continue;
        pc_constraint_def(&sb, x->db, &p, t, con, pretty);
        if (!pc_set_sb(f, out, i, &sb)) return false;
    }
    return true;
}

PC_KERNEL(pc_get_viewdef) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        if (x == NULL) continue;
        uint32_t oid;
        if (f->call->args[0]->type_oid == SQL_T_TEXT) {
            if (!pc_reg_in(f, SQL_T_REGCLASS, &args[0]->b[i], &oid)) return false;
        } else {
            oid = (uint32_t)args[0]->i64[i];
        }
        const eng_table *t = eng_db_table_by_oid(x->db, oid);
        if (t != NULL && t->kind == 'v' && !pc_set_text(f, out, i, t->view_text)) return false;
    }
    return true;
}

PC_KERNEL(pc_get_userbyid) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    char buf[48];
    SQL_FOR_ACTIVE(i) {
        uint32_t oid = (uint32_t)args[0]->i64[i];
        const char *name = x != NULL ? pc_role_name(x->catalog, oid) : NULL;
        if (name == NULL) {
            snprintf(buf, sizeof buf, "unknown (OID=%u)", oid);
            name = buf;
        }
        if (!pc_set_text(f, out, i, name)) return false;
    }
    return true;
}

PC_KERNEL(pc_get_serial_sequence) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    SQL_FOR_ACTIVE(i) {
        uint32_t oid;
        if (x == NULL) continue;
        if (!pc_reg_in(f, SQL_T_REGCLASS, &args[0]->b[i], &oid)) return false;
        const eng_table *t = eng_db_table_by_oid(x->db, oid);
        const char *colname = pc_arg_cstr(f, args[1], i);
        if (colname == NULL) return false;
        const eng_column *col = t != NULL ? eng_table_column_by_name(t, colname) : NULL;
        if (col == NULL || col->dropped) {
            const char *schema, *name;
            if (!pc_relation_name(x->db, oid, &schema, &name)) name = "?";
            return rt_err_set(f->err, SQLSTATE_UNDEFINED_COLUMN,
                              "column \"%s\" of relation \"%s\" does not exist", colname, name);
        }
        const eng_sequence *s = pc_column_sequence(x->db, t, col);
        if (s == NULL) continue;
        sql_strbuf_reset(&sb);
        pc_qualified(&sb, pc_schema_name(x->db, s->schema_oid), s->name, true);
        if (!pc_set_sb(f, out, i, &sb)) return false;
    }
    return true;
}

/* ---- sizes ---- */

/* The column store keeps no per-relation byte counts the catalog could read: sizes are
 * estimates, one 8 kB page per index as an empty PostgreSQL index has. */
static int64_t pc_size(const eng_database *db, uint32_t oid, const char *which) {
    const eng_index *ix = NULL;
    if (eng_db_table_of_index(db, oid, &ix) != NULL) return strcmp(which, "indexes") == 0 ? 0
                                                                                           : 8192;
    const eng_table *t = eng_db_table_by_oid(db, oid);
    if (t == NULL) return eng_db_sequence_by_oid(db, oid) != NULL ? 8192 : -1;
    int64_t indexes = 0;
    for (uint32_t i = 0; i < t->index_count; i++) indexes += pc_index_shown(&t->indexes[i]) * 8192;
    if (strcmp(which, "indexes") == 0 || strcmp(which, "total") == 0) return indexes;
    return 0;
}

static bool pc_size_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, const char *which) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        int64_t size = x != NULL ? pc_size(x->db, (uint32_t)args[0]->i64[i], which) : -1;
        if (size >= 0) pc_set_int(out, i, size);
    }
    return true;
}

PC_KERNEL(pc_relation_size) { return pc_size_kernel(f, n, active, args, out, "relation"); }
PC_KERNEL(pc_table_size) { return pc_size_kernel(f, n, active, args, out, "table"); }
PC_KERNEL(pc_indexes_size) { return pc_size_kernel(f, n, active, args, out, "indexes"); }
PC_KERNEL(pc_total_size) { return pc_size_kernel(f, n, active, args, out, "total"); }

/* PostgreSQL's units: a unit is used below 10 * 1024 of it (bytes) or 20 * 1024 - 1 halves
 * (larger units), rounding half away from zero. */
PC_KERNEL(pc_size_pretty) {
    pc_nulls(n, active, out);
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    char buf[48];
    SQL_FOR_ACTIVE(i) {
        int64_t size = args[0]->i64[i];
        if (size > -10240 && size < 10240) {
            snprintf(buf, sizeof buf, "%lld bytes", (long long)size);
        } else {
            int64_t halves = size / (1 << 9);
            uint32_t u = 0;
            while (u + 1 < 5 && (halves <= -(20 * 1024 - 1) || halves >= 20 * 1024 - 1)) {
                halves /= 1 << 10;
                u++;
            }
            int64_t rounded = (halves + (halves < 0 ? -1 : 1)) / 2;
            snprintf(buf, sizeof buf, "%lld %s", (long long)rounded, units[u]);
        }
        if (!pc_set_text(f, out, i, buf)) return false;
    }
    return true;
}

/* ---- privileges ---- */

/* The privileges each kind of object has, as the privilege tests accept them. */
enum { PC_PRIV_TABLE, PC_PRIV_SCHEMA, PC_PRIV_DATABASE, PC_PRIV_FUNCTION, PC_PRIV_SEQUENCE,
       PC_PRIV_ROLE, PC_PRIV_COLUMN, PC_PRIV_ONE_COLUMN };
static const char *const pc_privs[][8] = {
    {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", NULL},
    {"CREATE", "USAGE", NULL},
    {"CREATE", "CONNECT", "TEMPORARY", "TEMP", NULL},
    {"EXECUTE", NULL},
    {"USAGE", "SELECT", "UPDATE", NULL},
    {"MEMBER", "USAGE", "SET", NULL},
    {"SELECT", "INSERT", "UPDATE", "REFERENCES", NULL},
    {"SELECT", "INSERT", "UPDATE", "REFERENCES", NULL},
};

/* "select, insert WITH GRANT OPTION": the privilege bits (ENG_ACL_*; for roles bit k is the
 * k-th name) and, per privilege, whether its grant option is asked for (*option: any); 22023
 * for a privilege the object kind does not have. */
static bool pc_priv_check(sql_fctx *f, const sql_bytes *text, uint32_t kind, uint32_t *bits,
                          uint32_t *option_bits) {
    const char *s = (const char *)text->ptr, *end = s + text->len;
    *bits = *option_bits = 0;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma != NULL ? comma : end;
        while (s < e && *s == ' ') s++;
        const char *w = e;
        while (w > s && w[-1] == ' ') w--;
        uint32_t len = (uint32_t)(w - s);
        bool option = false;
        static const char *const suffixes[] = {" WITH GRANT OPTION", " WITH ADMIN OPTION"};
        for (uint32_t k = 0; k < 2; k++) {
            if (len > 18 && strncasecmp(s + len - 18, suffixes[k], 18) == 0) {
                len -= 18;
                option = true;
            }
        }
        while (len > 0 && s[len - 1] == ' ') len--;
        uint32_t bit = 0;
        for (uint32_t k = 0; pc_privs[kind][k] != NULL && bit == 0; k++) {
            if (strlen(pc_privs[kind][k]) != len || strncasecmp(pc_privs[kind][k], s, len) != 0) {
                continue;
            }
            char word[16];
            snprintf(word, sizeof word, "%s", pc_privs[kind][k]);
            bit = kind == PC_PRIV_ROLE ? 1u << k : sql_acl_priv_of_name(word);
        }
        if (bit == 0) {
            return rt_err_set(f->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "unrecognized privilege type: \"%.*s\"", (int)(w - s), s);
        }
        *bits |= bit;
        if (option) *option_bits |= bit;
        s = e + (comma != NULL);
    }
    return true;
}

/* The object argument (the last but one): *oid, and *exists. A name that does not exist is an
 * error, an OID that does not gives NULL, as in PostgreSQL. */
static bool pc_priv_object(sql_fctx *f, sql_exec_ctx *x, const sql_vec *arg, uint32_t i,
                           uint32_t reg_type, bool *exists, uint32_t *oid) {
    *oid = (uint32_t)arg->i64[i];
    const char *schema, *name;
    *exists = true;
    if (!sql_type_is_string(arg->type_oid)) {
        *exists = reg_type == SQL_T_REGCLASS       ? pc_relation_name(x->db, *oid, &schema, &name)
                  : reg_type == SQL_T_REGNAMESPACE ? pc_schema_name(x->db, *oid) != NULL
                  : reg_type == SQL_T_NAME ? eng_catalog_db_by_oid(x->catalog, *oid) != NULL
                  : reg_type == SQL_T_REGROLE
                      ? eng_catalog_role_by_oid(x->catalog, *oid) != NULL
                      : pc_proc_by_oid(*oid) != NULL;
        return true;
    }
    if (reg_type != SQL_T_NAME) return pc_reg_in(f, reg_type, &arg->b[i], oid);
    const char *dbname = pc_arg_cstr(f, arg, i);
    if (dbname == NULL) return false;
    const eng_database *d = eng_catalog_db_by_name(x->catalog, dbname);
    if (d != NULL) {
        *oid = d->oid;
        return true;
    }
    return rt_err_set(f->err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist",
                      dbname);
}

extern uint32_t sql_session_user_oid(const struct sql_session *s) __attribute__((weak));

/* The role a privilege test is about: its first argument when it has three, else the
 * current role. Returns false with *err set, or *role 0 for an OID that is no role. */
static bool pc_priv_role(sql_fctx *f, sql_exec_ctx *x, sql_vec **args, uint32_t k, uint32_t i,
                         uint32_t *role) {
    if (k == 0) {
        *role = x->session != NULL && sql_session_user_oid != NULL
                    ? sql_session_user_oid(x->session)
                    : ENG_OID_BOOTSTRAP_ROLE;
        return true;
    }
    if (sql_type_is_string(args[0]->type_oid)) {
        return pc_reg_in(f, SQL_T_REGROLE, &args[0]->b[i], role);
    }
    *role = eng_catalog_role_by_oid(x->catalog, (uint32_t)args[0]->i64[i]) != NULL
                ? (uint32_t)args[0]->i64[i]
                : 0;
    return true;
}

/* Whether `role` holds any of `bits` on an object (with its grant option for those in
 * `options`), as PostgreSQL's has_*_privilege answer. */
static bool pc_priv_holds(sql_exec_ctx *x, uint32_t role, uint32_t kind, uint32_t oid,
                          uint32_t bits, uint32_t options) {
    const eng_catalog *c = x->catalog;
    uint32_t owner = ENG_OID_BOOTSTRAP_ROLE, akind = SQL_ACL_TABLE;
    const eng_acl *acl = NULL;
    if (kind == PC_PRIV_FUNCTION) return true; /* EXECUTE is PUBLIC's on every function */
    if (kind == PC_PRIV_ROLE) {
        uint32_t dba = x->db != NULL ? x->db->owner_oid : 0;
        bool member = sql_acl_is_member_in(c, dba, role, oid);
        bool usage = sql_acl_has_privs_of_in(c, dba, role, oid);
        bool admin = sql_acl_is_admin(c, role, oid);
        bool held[3] = {member, usage, member};
        for (uint32_t k = 0; k < 3; k++) {
            if ((bits & (1u << k)) && held[k] && (!(options & (1u << k)) || admin)) return true;
        }
        return false;
    }
    if (kind == PC_PRIV_DATABASE) {
        const eng_database *d = eng_catalog_db_by_oid(c, oid);
        owner = d->owner_oid, acl = d->acl, akind = SQL_ACL_DATABASE;
    } else if (kind == PC_PRIV_SCHEMA) {
        const eng_schema *s = eng_db_schema_by_oid(x->db, oid);
        if (s == NULL) return (bits & ENG_ACL_USAGE) != 0; /* pg_catalog and friends */
        owner = s->owner_oid, acl = s->acl, akind = SQL_ACL_SCHEMA;
    } else {
        const eng_table *t = eng_db_table_by_oid(x->db, oid);
        const eng_sequence *q = t == NULL ? eng_db_sequence_by_oid(x->db, oid) : NULL;
        if (t != NULL) owner = t->owner_oid, acl = t->acl;
        if (q != NULL) owner = q->owner_oid, acl = q->acl, akind = SQL_ACL_SEQUENCE;
        if (t == NULL && q == NULL && sql_pgcat_by_id(oid) != NULL) {
            return (bits & ENG_ACL_SELECT) != 0 && options == 0; /* catalogs: =r/postgres */
        }
    }
    uint32_t dbo = x->db != NULL ? x->db->owner_oid : 0;
    uint32_t held = sql_acl_mask(c, dbo, role, owner, acl, akind, oid);
    uint32_t grantable = sql_acl_grant_mask(c, dbo, role, owner, acl, akind, oid);
    for (uint32_t b = 0; b < 32; b++) {
        uint32_t bit = 1u << b;
        if ((bits & bit) && (held & bit) && (!(options & bit) || (grantable & bit))) return true;
    }
    return false;
}

/* has_column_privilege / has_any_column_privilege: the table's privilege, else column
 * `col`'s own, or (`col` NULL) any column's, as PostgreSQL tests the table first. */
static bool pc_column_holds(sql_exec_ctx *x, uint32_t role, uint32_t oid,
                            const eng_column *col, uint32_t bits, uint32_t options) {
    if (pc_priv_holds(x, role, PC_PRIV_TABLE, oid, bits, options)) return true;
    const eng_table *t = eng_db_table_by_oid(x->db, oid);
    if (t == NULL) return false;
    for (uint32_t i = 0; i < t->column_count; i++) {
        const eng_column *cc = &t->columns[i];
        if (cc->dropped || cc->acl == NULL || (col != NULL && cc != col)) continue;
        uint32_t held = sql_acl_column_mask(x->catalog, x->db->owner_oid, role, t, cc);
        uint32_t grantable = sql_acl_grant_mask(x->catalog, x->db->owner_oid, role,
                                                t->owner_oid, cc->acl, SQL_ACL_COLUMN, t->oid);
        for (uint32_t b = 0; b < 32; b++) {
            uint32_t bit = 1u << b;
            if ((bits & bit) && (held & bit) && (!(options & bit) || (grantable & bit))) {
                return true;
            }
        }
    }
    return false;
}

/* has_column_privilege's column argument (a name or a number) of table `oid`: *col, NULL for
 * a number the table has no column of (or a dropped one: the answer is NULL, as for an
 * unknown table OID); a name it has no column of is 42703 (PostgreSQL). */
static bool pc_priv_column(sql_fctx *f, sql_exec_ctx *x, const sql_vec *arg, uint32_t i,
                           bool exists, uint32_t oid, const eng_column **col) {
    const eng_table *t = exists ? eng_db_table_by_oid(x->db, oid) : NULL;
    *col = NULL;
    if (!sql_type_is_string(arg->type_oid)) {
        int64_t attnum = arg->i64[i];
        if (t != NULL && attnum >= 1 && attnum <= t->column_count &&
            !t->columns[attnum - 1].dropped) {
            *col = &t->columns[attnum - 1];
        }
        return true;
    }
    const char *cname = pc_arg_cstr(f, arg, i);
    if (cname == NULL) return false;
    *col = t != NULL ? eng_table_column_by_name(t, cname) : NULL;
    if (!exists || *col != NULL) return true;
    const char *schema, *name;
    if (!pc_relation_name(x->db, oid, &schema, &name)) name = "?";
    return rt_err_set(f->err, SQLSTATE_UNDEFINED_COLUMN,
                      "column \"%s\" of relation \"%s\" does not exist", cname, name);
}

static bool pc_priv_kernel(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                           sql_vec *out, uint32_t reg_type, uint32_t kind) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    bool one_column = kind == PC_PRIV_ONE_COLUMN; /* (table, column, privilege) */
    uint32_t k = f->call->nargs - (one_column ? 3u : 2u);
    SQL_FOR_ACTIVE(i) {
        if (x == NULL) continue;
        uint32_t role, oid, bits, options;
        bool exists;
        const eng_column *col = NULL;
        if (!pc_priv_role(f, x, args, k, i, &role)) return false;
        if (role == 0) continue;
        if (!pc_priv_object(f, x, args[k], i, reg_type, &exists, &oid)) return false;
        if (one_column && !pc_priv_column(f, x, args[k + 1], i, exists, oid, &col)) return false;
        if (!pc_priv_check(f, &args[f->call->nargs - 1u]->b[i], kind, &bits, &options)) {
            return false;
        }
        if (!exists || (one_column && col == NULL)) continue;
        if (kind == PC_PRIV_COLUMN || one_column) {
            pc_set_int(out, i, pc_column_holds(x, role, oid, col, bits, options));
            continue;
        }
        if (kind == PC_PRIV_SEQUENCE && eng_db_sequence_by_oid(x->db, oid) == NULL) {
            const char *schema, *name;
            if (!pc_relation_name(x->db, oid, &schema, &name)) name = "?";
            return rt_err_set(f->err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a sequence",
                              name);
        }
        pc_set_int(out, i, pc_priv_holds(x, role, kind, oid, bits, options));
    }
    return true;
}

PC_KERNEL(pc_has_column_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGCLASS, PC_PRIV_ONE_COLUMN);
}
PC_KERNEL(pc_has_any_column_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGCLASS, PC_PRIV_COLUMN);
}
PC_KERNEL(pc_has_table_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGCLASS, PC_PRIV_TABLE);
}
PC_KERNEL(pc_has_seq_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGCLASS, PC_PRIV_SEQUENCE);
}
PC_KERNEL(pc_has_schema_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGNAMESPACE, PC_PRIV_SCHEMA);
}
PC_KERNEL(pc_has_db_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_NAME, PC_PRIV_DATABASE);
}
PC_KERNEL(pc_has_func_priv) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGPROCEDURE, PC_PRIV_FUNCTION);
}
PC_KERNEL(pc_has_role) {
    return pc_priv_kernel(f, n, active, args, out, SQL_T_REGROLE, PC_PRIV_ROLE);
}

/* ---- comments ---- */

/* The comment on object `oid` of catalog `cat` (pg_class, pg_namespace, pg_constraint,
 * pg_type). */
static const char *pc_comment(const eng_database *db, uint32_t oid, const char *cat) {
    if (strcmp(cat, "pg_namespace") == 0) {
        const eng_schema *s = eng_db_schema_by_oid(db, oid);
        return s != NULL ? s->comment : NULL;
    }
    if (strcmp(cat, "pg_constraint") == 0) {
        const eng_table *t;
        const eng_constraint *c = pc_constraint_by_oid(db, oid, &t);
        return c != NULL ? c->comment : NULL;
    }
    if (strcmp(cat, "pg_type") == 0) {
        const eng_enum *e = eng_db_enum_by_oid(db, oid);
        const eng_domain *d = eng_db_domain_by_oid(db, oid);
        return e != NULL && e->oid == oid ? e->comment
               : d != NULL && d->oid == oid ? d->comment : NULL;
    }
    if (strcmp(cat, "pg_class") != 0 && cat[0] != '\0') return NULL;
    const eng_table *t = eng_db_table_by_oid(db, oid);
    if (t != NULL) return t->comment;
    const eng_index *ix = NULL;
    if (eng_db_table_of_index(db, oid, &ix) != NULL) return ix->comment;
    const eng_sequence *s = eng_db_sequence_by_oid(db, oid);
    return s != NULL ? s->comment : NULL;
}

PC_KERNEL(pc_obj_description) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        if (x == NULL) continue;
        const char *cat = f->call->nargs > 1 ? pc_arg_cstr(f, args[1], i) : "";
        if (cat == NULL) return false;
        if (!pc_set_text(f, out, i, pc_comment(x->db, (uint32_t)args[0]->i64[i], cat))) {
            return false;
        }
    }
    return true;
}

PC_KERNEL(pc_col_description) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        const eng_table *t = x != NULL ? eng_db_table_by_oid(x->db, args[0]->i64[i]) : NULL;
        int64_t attnum = args[1]->i64[i];
        if (t == NULL || attnum <= 0 || attnum > UINT16_MAX) continue;
        const eng_column *col = eng_table_column_by_attnum(t, (uint16_t)attnum);
        if (col != NULL && !pc_set_text(f, out, i, col->comment)) return false;
    }
    return true;
}

PC_KERNEL(pc_shobj_description) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        if (x == NULL || args[1]->b[i].len != 11 || memcmp(args[1]->b[i].ptr, "pg_database", 11)) {
            continue;
        }
        const eng_database *d = eng_catalog_db_by_oid(x->catalog, (uint32_t)args[0]->i64[i]);
        if (d != NULL && !pc_set_text(f, out, i, d->comment)) return false;
    }
    return true;
}

/* ---- encodings ---- */

static const struct { int32_t id; const char *name; } pc_encodings[] = {
    {0, "SQL_ASCII"}, {6, "UTF8"}, {8, "LATIN1"}, {35, "SJIS"}, {36, "BIG5"}, {38, "WIN1252"},
};
#define PC_ENCODING_COUNT (sizeof pc_encodings / sizeof pc_encodings[0])

PC_KERNEL(pc_encoding_to_char) {
    pc_nulls(n, active, out);
    SQL_FOR_ACTIVE(i) {
        const char *name = "";
        for (uint32_t k = 0; k < PC_ENCODING_COUNT; k++) {
            if (pc_encodings[k].id == args[0]->i64[i]) name = pc_encodings[k].name;
        }
        if (!pc_set_text(f, out, i, name)) return false;
    }
    return true;
}

PC_KERNEL(pc_char_to_encoding) {
    pc_nulls(n, active, out);
    (void)f;
    SQL_FOR_ACTIVE(i) {
        int32_t id = -1;
        for (uint32_t k = 0; k < PC_ENCODING_COUNT; k++) {
            const char *name = pc_encodings[k].name;
            if (strlen(name) == args[0]->b[i].len &&
                strncasecmp(name, (const char *)args[0]->b[i].ptr, args[0]->b[i].len) == 0) {
                id = pc_encodings[k].id;
            }
        }
        pc_set_int(out, i, id);
    }
    return true;
}

/* ---- to_reg*: the reg* input, NULL where it would fail ---- */

PC_KERNEL(pc_to_reg) {
    pc_nulls(n, active, out);
    uint32_t type = f->call->type_oid;
    SQL_FOR_ACTIVE(i) {
        rt_err scratch;
        rt_err_clear(&scratch);
        sql_io_ctx io = *f->io;
        io.err = &scratch;
        sql_value v = {.type_oid = type};
        const sql_bytes *b = &args[0]->b[i];
        if (sql_value_in(&io, type, (const char *)b->ptr, b->len, -1, &v)) {
            pc_set_int(out, i, v.i64);
        } else if (rt_err_is(&scratch, SQLSTATE_OUT_OF_MEMORY)) {
            return rt_err_set(f->err, SQLSTATE_OUT_OF_MEMORY, "%s", scratch.message);
        }
    }
    return true;
}

/* current_schemas(include_implicit): the path's schemas that exist, as name[]. */
PC_KERNEL(pc_current_schemas) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    pc_path p;
    if (x != NULL) pc_path_of(x, &p);
    SQL_FOR_ACTIVE(i) {
        if (x == NULL) continue;
        sql_array_builder b;
        if (!sql_array_builder_init(&b, f->arena, SQL_T_NAME)) {
            return rt_arena_fail(f->arena, f->err);
        }
        for (uint32_t k = 0; k < p.n; k++) {
            const char *name = pc_schema_name(x->db, p.oids[k]);
            /* the session's own temporary schema is not known here: none is listed */
            if (strncmp(name, "pg_temp", 7) == 0) continue;
            if (p.oids[k] == ENG_OID_PG_CATALOG && !args[0]->i64[i]) continue;
            sql_value e = {.type_oid = SQL_T_NAME,
                           .b = {(const uint8_t *)name, (uint32_t)strlen(name)}};
            if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(f->arena, f->err);
        }
        if (!sql_array_builder_finish(&b, &out->b[i])) return rt_arena_fail(f->arena, f->err);
        out->nulls[i] = 0;
    }
    return true;
}

/* ---- functions ---- */

static bool pc_function_text(sql_fctx *f, sql_vec *out, uint32_t i, const pc_proc *p,
                             bool result) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, f->arena, 64);
    if (result) {
        if (p->def != NULL && (p->def->flags & SQL_F_SRF)) sql_strbuf_puts(&sb, "SETOF ");
        pc_format_type_nomod(p->def != NULL ? p->def->ret : SQL_T_ANY, &sb);
    } else {
        for (uint32_t k = 0; p->def != NULL && k < p->def->nargs; k++) {
            if (k > 0) sql_strbuf_puts(&sb, ", ");
            bool variadic = (p->def->flags & SQL_F_VARIADIC) && k + 1 == p->def->nargs;
            if (variadic) sql_strbuf_puts(&sb, "VARIADIC ");
            pc_format_type_nomod(p->def->args[k], &sb);
        }
    }
    return pc_set_sb(f, out, i, &sb);
}

PC_KERNEL(pc_get_function_result) {
    pc_nulls(n, active, out);
    SQL_FOR_ACTIVE(i) {
        const pc_proc *p = pc_proc_by_oid((uint32_t)args[0]->i64[i]);
        if (p != NULL && !pc_function_text(f, out, i, p, true)) return false;
    }
    return true;
}

PC_KERNEL(pc_get_function_arguments) {
    pc_nulls(n, active, out);
    SQL_FOR_ACTIVE(i) {
        const pc_proc *p = pc_proc_by_oid((uint32_t)args[0]->i64[i]);
        if (p != NULL && !pc_function_text(f, out, i, p, false)) return false;
    }
    return true;
}

/* Ordinary permanent tables can be published (pg_relation_is_publishable). */
PC_KERNEL(pc_relation_is_publishable) {
    pc_nulls(n, active, out);
    sql_exec_ctx *x = pc_fx(f);
    SQL_FOR_ACTIVE(i) {
        const eng_table *t = x != NULL ? eng_db_table_by_oid(x->db, args[0]->i64[i]) : NULL;
        if (t != NULL) pc_set_int(out, i, t->kind == 'r' && t->persistence == 'p');
    }
    return true;
}

/* Triggers, rules and extended statistics do not exist: their definitions are NULL. */
PC_KERNEL(pc_null_result) {
    (void)f;
    (void)args;
    pc_nulls(n, active, out);
    return true;
}

/* Tables are never partitions: no ancestors. */
static bool pc_partition_ancestors_srf(struct sql_exec_ctx *x, const sql_value *args,
                                       uint32_t nargs, struct sql_rowset *out) {
    (void)x;
    (void)args;
    (void)nargs;
    (void)out;
    return true;
}

/* ---- registration ---- */

#define T SQL_T_TEXT
#define B SQL_T_BOOL
#define O SQL_T_OID
#define I2 SQL_T_INT2
#define I4 SQL_T_INT4
#define I8 SQL_T_INT8
#define NM SQL_T_NAME
#define RC SQL_T_REGCLASS
#define SS (SQL_F_STRICT | SQL_F_STABLE)
#define FN(nm, r, fl, k, ...) {.name = nm, .nargs = sizeof((uint32_t[]){__VA_ARGS__}) / 4,     \
                               .args = {__VA_ARGS__}, .ret = r, .flags = fl, .fn = k}
#define PRIV(nm, k, obj)                                                                       \
    FN(nm, B, SS, k, obj, T), FN(nm, B, SS, k, NM, obj, T), FN(nm, B, SS, k, O, obj, T)
#define PRIV_COL(rel, col)                                                                     \
    FN("has_column_privilege", B, SS, pc_has_column_priv, rel, col, T),                        \
        FN("has_column_privilege", B, SS, pc_has_column_priv, NM, rel, col, T),                \
        FN("has_column_privilege", B, SS, pc_has_column_priv, O, rel, col, T)

static const sql_func_def pc_catalog_defs[] = {
    FN("format_type", T, SQL_F_STABLE, pc_format_type, O, I4),
    FN("pg_table_is_visible", B, SS, pc_table_is_visible, O),
    FN("pg_type_is_visible", B, SS, pc_type_is_visible, O),
    FN("pg_function_is_visible", B, SS, pc_function_is_visible, O),
    FN("pg_get_expr", T, SS, pc_get_expr, SQL_T_PG_NODE_TREE, O),
    FN("pg_get_expr", T, SS, pc_get_expr, SQL_T_PG_NODE_TREE, O, B),
    FN("pg_get_indexdef", T, SS, pc_get_indexdef, O),
    FN("pg_get_indexdef", T, SS, pc_get_indexdef, O, I4, B),
    FN("pg_get_constraintdef", T, SS, pc_get_constraintdef, O),
    FN("pg_get_constraintdef", T, SS, pc_get_constraintdef, O, B),
    FN("pg_get_viewdef", T, SS, pc_get_viewdef, O),
    FN("pg_get_viewdef", T, SS, pc_get_viewdef, O, B),
    FN("pg_get_viewdef", T, SS, pc_get_viewdef, T),
    FN("pg_get_viewdef", T, SS, pc_get_viewdef, T, B),
    FN("pg_get_userbyid", NM, SS, pc_get_userbyid, O),
    FN("pg_get_serial_sequence", T, SS, pc_get_serial_sequence, T, T),
    FN("pg_relation_size", I8, SS, pc_relation_size, RC),
    FN("pg_relation_size", I8, SS, pc_relation_size, RC, T),
    FN("pg_table_size", I8, SS, pc_table_size, RC),
    FN("pg_indexes_size", I8, SS, pc_indexes_size, RC),
    FN("pg_total_relation_size", I8, SS, pc_total_size, RC),
    FN("pg_size_pretty", T, SQL_F_STRICT, pc_size_pretty, I8),
    PRIV("has_table_privilege", pc_has_table_priv, T),
    PRIV("has_table_privilege", pc_has_table_priv, O),
    PRIV("has_schema_privilege", pc_has_schema_priv, T),
    PRIV("has_schema_privilege", pc_has_schema_priv, O),
    PRIV("has_database_privilege", pc_has_db_priv, T),
    PRIV("has_database_privilege", pc_has_db_priv, O),
    PRIV("has_function_privilege", pc_has_func_priv, T),
    PRIV("has_function_privilege", pc_has_func_priv, O),
    PRIV("has_sequence_privilege", pc_has_seq_priv, T),
    PRIV("has_sequence_privilege", pc_has_seq_priv, O),
    PRIV("has_any_column_privilege", pc_has_any_column_priv, T),
    PRIV("has_any_column_privilege", pc_has_any_column_priv, O),
    PRIV_COL(T, T), PRIV_COL(T, I2), PRIV_COL(O, T), PRIV_COL(O, I2),
    PRIV("pg_has_role", pc_has_role, NM),
    PRIV("pg_has_role", pc_has_role, O),
    FN("obj_description", T, SS, pc_obj_description, O, NM),
    FN("obj_description", T, SS, pc_obj_description, O),
    FN("col_description", T, SS, pc_col_description, O, I4),
    FN("shobj_description", T, SS, pc_shobj_description, O, NM),
    FN("pg_encoding_to_char", NM, SQL_F_STRICT, pc_encoding_to_char, I4),
    FN("pg_char_to_encoding", I4, SQL_F_STRICT, pc_char_to_encoding, NM),
    FN("to_regclass", RC, SS, pc_to_reg, T),
    FN("to_regtype", SQL_T_REGTYPE, SS, pc_to_reg, T),
    FN("to_regproc", SQL_T_REGPROC, SS, pc_to_reg, T),
    FN("to_regprocedure", SQL_T_REGPROCEDURE, SS, pc_to_reg, T),
    FN("to_regnamespace", SQL_T_REGNAMESPACE, SS, pc_to_reg, T),
    FN("to_regrole", SQL_T_REGROLE, SS, pc_to_reg, T),
    FN("current_schemas", SQL_T_NAME_ARRAY, SS, pc_current_schemas, B),
    FN("pg_get_function_result", T, SS, pc_get_function_result, O),
    FN("pg_get_function_arguments", T, SS, pc_get_function_arguments, O),
    FN("pg_get_function_identity_arguments", T, SS, pc_get_function_arguments, O),
    FN("pg_relation_is_publishable", B, SS, pc_relation_is_publishable, RC),
    FN("pg_get_triggerdef", T, SS, pc_null_result, O),
    FN("pg_get_triggerdef", T, SS, pc_null_result, O, B),
    FN("pg_get_ruledef", T, SS, pc_null_result, O),
    FN("pg_get_ruledef", T, SS, pc_null_result, O, B),
    FN("pg_get_statisticsobjdef_columns", T, SS, pc_null_result, O),
    /* NULL for a function without a SQL-standard body: every one (psql's \df+) */
    FN("pg_get_function_sqlbody", T, SS, pc_null_result, O),
    {.name = "pg_partition_ancestors", .nargs = 1, .args = {RC}, .ret = RC,
     .flags = SS | SQL_F_SRF, .fn = sql_func_srf_scalar, .srf = pc_partition_ancestors_srf},
};

void sql_funcs_register_catalog(void) {
    sql_funcs_register(pc_catalog_defs, sizeof pc_catalog_defs / sizeof pc_catalog_defs[0]);
}
