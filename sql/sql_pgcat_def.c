/* sql_pgcat_def.c: definitions as PostgreSQL 15 prints them (pg_get_indexdef,
 * pg_get_constraintdef, pg_get_expr of a default) and the search path that decides which
 * names are visible (pg_table_is_visible) and which references need their schema.
 * Expressions are stored as SQL text, so they print as written; PostgreSQL prints its parsed
 * form (with casts such as (0)::numeric), which can differ in spelling, not in meaning. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "sql/sql_unique.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_lex.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_session.h"

/* Weak, as in sql_pgcat.c: without the session module the path is "$user", public. */
extern bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                                    const char **value, rt_err *err) __attribute__((weak));
extern const char *sql_session_user(const sql_session *s) __attribute__((weak));

const char *pc_strbuf_cstr(sql_strbuf *sb) {
    sql_strbuf_putc(sb, '\0');
    if (sb->failed) return NULL;
    sb->len--;
    return sb->data;
}

/* format_type(oid, NULL): as with typmod -1, except the types whose bare name PostgreSQL
 * spells differently then (regtype output uses this form too). */
void pc_format_type_nomod(uint32_t oid, sql_strbuf *sb) {
    if (oid == SQL_T_BPCHAR) sql_strbuf_puts(sb, "character");
    else if (oid == SQL_T_BPCHAR_ARRAY) sql_strbuf_puts(sb, "character[]");
    else if (oid == SQL_T_ANY) sql_strbuf_puts(sb, "\"any\"");
    else sql_type_format(oid, -1, sb);
}

bool pc_user_type_by_oid(const eng_database *db, uint32_t oid, pc_user_type *u) {
    const eng_domain *d = db != NULL && oid != 0 ? eng_db_domain_by_oid(db, oid) : NULL;
    if (d != NULL) {
        *u = (pc_user_type){.name = d->name, .schema_oid = d->schema_oid, .oid = d->oid,
                            .array_oid = d->array_oid, .domain = d};
        return true;
    }
    const eng_enum *e = db != NULL && oid != 0 ? eng_db_enum_by_oid(db, oid) : NULL;
    if (e != NULL) {
        *u = (pc_user_type){.name = e->name, .schema_oid = e->schema_oid, .oid = e->oid,
                            .array_oid = e->array_oid};
        return true;
    }
    for (uint32_t i = 0; db != NULL && oid != 0 && i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->rowtype_oid != oid && t->rowtype_array_oid != oid) continue;
        if (sql_unique_is_companion(t)) return false;
        *u = (pc_user_type){.name = t->name, .schema_oid = t->schema_oid, .oid = t->rowtype_oid,
                            .array_oid = t->rowtype_array_oid, .table = t};
        return true;
    }
    return false;
}

/* The user type named `name` in schema `schema_oid`, 0 if none. */
static uint32_t pc_user_type_in(const eng_database *db, uint32_t schema_oid, const char *name) {
    const eng_domain *d = eng_db_domain_by_name(db, schema_oid, name);
    if (d != NULL) return d->oid;
    const eng_enum *e = eng_db_enum_by_name(db, schema_oid, name);
    if (e != NULL) return e->oid;
    const eng_table *t = eng_db_table_by_name(db, schema_oid, name);
    return t != NULL && !sql_unique_is_companion(t) ? t->rowtype_oid : 0;
}

bool pc_format_user_type(const eng_database *db, const pc_path *p, uint32_t oid,
                         sql_strbuf *sb) {
    pc_user_type u;
    if (!pc_user_type_by_oid(db, oid, &u)) return false;
    bool visible = p == NULL || pc_user_type_lookup(db, p, NULL, u.name) == u.oid;
    pc_qualified(sb, pc_schema_name(db, u.schema_oid), u.name, !visible);
    if (oid == u.array_oid) sql_strbuf_puts(sb, "[]");
    return true;
}

uint32_t pc_user_type_lookup(const eng_database *db, const pc_path *p, const char *schema,
                             const char *name) {
    char buf[ENG_NAME_BYTES + 2];
    size_t len = strlen(name);
    bool array = len > 2 && strcmp(name + len - 2, "[]") == 0;
    if (array) {
        snprintf(buf, sizeof buf, "%.*s", (int)(len - 2), name);
        name = buf;
    }
    uint32_t oid = 0;
    for (int pass = 0; pass < 2 && oid == 0; pass++) {
        if (pass == 1) { /* "_d": the array type */
            if (name[0] != '_') break;
            name++;
            array = true;
        }
        const eng_schema *s = schema != NULL ? eng_db_schema_by_name(db, schema) : NULL;
        if (s != NULL) oid = pc_user_type_in(db, s->oid, name);
        for (uint32_t i = 0; schema == NULL && p != NULL && i < p->n && oid == 0; i++) {
            oid = pc_user_type_in(db, p->oids[i], name);
        }
    }
    pc_user_type u;
    if (oid == 0 || !pc_user_type_by_oid(db, oid, &u)) return 0;
    return array ? u.array_oid : u.oid;
}

/* ---- identifiers ---- */

void pc_quote_ident(sql_strbuf *sb, const char *name) {
    bool plain = name[0] != '\0' && (islower((unsigned char)name[0]) || name[0] == '_');
    for (const char *p = name; plain && *p != '\0'; p++) {
        plain = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' ||
                *p == '$';
    }
    if (plain) {
        sql_kw kw = sql_keyword_lookup(name, strlen(name));
        plain = kw == SQL_KW_INVALID || sql_keyword_get(kw)->category == SQL_KWCAT_UNRESERVED;
    }
    if (plain) {
        sql_strbuf_puts(sb, name);
        return;
    }
    sql_strbuf_putc(sb, '"');
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"') sql_strbuf_putc(sb, '"');
        sql_strbuf_putc(sb, *p);
    }
    sql_strbuf_putc(sb, '"');
}

void pc_qualified(sql_strbuf *sb, const char *schema, const char *name, bool qualify) {
    if (qualify && schema != NULL) {
        pc_quote_ident(sb, schema);
        sql_strbuf_putc(sb, '.');
    }
    pc_quote_ident(sb, name);
}

/* ---- the search path ---- */

static void pc_path_add(pc_path *p, uint32_t oid) {
    if (oid == 0 || p->n >= PC_PATH_MAX || pc_path_has(p, oid)) return;
    p->oids[p->n++] = oid;
}

bool pc_path_has(const pc_path *p, uint32_t schema_oid) {
    for (uint32_t i = 0; i < p->n; i++) {
        if (p->oids[i] == schema_oid) return true;
    }
    return false;
}

/* The schema of one search_path element (trimmed, unquoted, "$user" resolved), 0 if none. */
static uint32_t pc_path_item(const sql_names *nm, const char *s, uint32_t len) {
    while (len > 0 && isspace((unsigned char)*s)) s++, len--;
    while (len > 0 && isspace((unsigned char)s[len - 1])) len--;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') s++, len -= 2;
    char name[ENG_NAME_BYTES];
    if (len == 0 || len >= sizeof name) return 0;
    memcpy(name, s, len);
    name[len] = '\0';
    if (strcmp(name, "pg_temp") == 0) return nm->temp_schema_oid;
    if (strcmp(name, "$user") == 0) {
        if (nm->session == NULL || sql_session_user == NULL) return 0;
        const char *user = sql_session_user(nm->session);
        if (user == NULL || strlen(user) >= sizeof name) return 0;
        strcpy(name, user);
    }
    const eng_schema *sc = eng_db_schema_by_name(nm->db, name);
    return sc != NULL ? sc->oid : 0;
}

/* The session's search_path setting, or PostgreSQL's default. */
static const char *pc_session_path(struct sql_session *s) {
    const char *v = NULL;
    if (s != NULL && sql_session_get_setting != NULL) {
        rt_err err;
        rt_err_clear(&err);
        if (!sql_session_get_setting(s, "search_path", true, &v, &err)) v = NULL;
    }
    return v != NULL ? v : "\"$user\", public";
}

void pc_path_build(const sql_names *nm, pc_path *p) {
    p->n = 0;
    pc_path_add(p, nm->temp_schema_oid);
    if (nm->search_path != NULL) {
        bool listed = false;
        for (uint32_t i = 0; i < nm->nsearch; i++) {
            listed |= strcmp(nm->search_path[i], "pg_catalog") == 0;
        }
        if (!listed) pc_path_add(p, ENG_OID_PG_CATALOG);
        for (uint32_t i = 0; i < nm->nsearch; i++) {
            const char *s = nm->search_path[i];
            pc_path_add(p, pc_path_item(nm, s, (uint32_t)strlen(s)));
        }
        return;
    }
    const char *path = pc_session_path(nm->session);
    if (strstr(path, "pg_catalog") == NULL) pc_path_add(p, ENG_OID_PG_CATALOG);
    for (const char *s = path; *s != '\0';) {
        const char *end = strchr(s, ',');
        uint32_t len = end != NULL ? (uint32_t)(end - s) : (uint32_t)strlen(s);
        pc_path_add(p, pc_path_item(nm, s, len));
        s += len + (end != NULL);
    }
}

/* The executor does not know the session's own temporary schema: every pg_temp_N counts
 * (another session's temporary tables are seen as visible too). */
void pc_path_of(const sql_exec_ctx *x, pc_path *p) {
    sql_names nm = {.catalog = x->catalog, .db = x->db, .session = x->session};
    for (uint32_t i = 0; i < x->db->schema_count; i++) {
        if (strncmp(x->db->schemas[i].name, "pg_temp_", 8) == 0) {
            nm.temp_schema_oid = x->db->schemas[i].oid;
        }
    }
    pc_path_build(&nm, p);
}

const sql_names *sql_pgcat_names(struct sql_exec_ctx *x, rt_arena *arena) {
    if (x->db == NULL) return NULL;
    sql_names *nm = rt_arena_alloc(arena, sizeof *nm);
    if (nm == NULL) return NULL; /* reg* values then print as numbers */
    *nm = (sql_names){.catalog = x->catalog, .db = x->db, .session = x->session};
    return nm;
}

/* The OID of the relation `name` in schema `ns`, 0 if none. */
static uint32_t pc_rel_in_schema(const eng_database *db, uint32_t ns, const char *name) {
    const eng_table *t = eng_db_table_by_name(db, ns, name);
    if (t != NULL) return t->oid;
    const eng_sequence *s = eng_db_sequence_by_name(db, ns, name);
    if (s != NULL) return s->oid;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *tt = &db->tables[i];
        if (sql_unique_is_companion(tt)) continue; /* hidden */
        if (tt->schema_oid != ns) continue;
        for (uint32_t k = 0; k < tt->index_count; k++) {
            if (pc_index_shown(&tt->indexes[k]) && strcmp(tt->indexes[k].name, name) == 0) {
                return tt->indexes[k].oid;
            }
        }
    }
    if (ns == ENG_OID_PG_CATALOG || ns == ENG_OID_INFORMATION_SCHEMA) {
        const sql_pgcat_rel *rel =
            sql_pgcat_find(ns == ENG_OID_PG_CATALOG ? "pg_catalog" : "information_schema", name);
        if (rel != NULL) return rel->id;
    }
    return 0;
}

uint32_t pc_rel_lookup(const eng_database *db, const pc_path *p, const char *name) {
    for (uint32_t i = 0; i < p->n; i++) {
        uint32_t oid = pc_rel_in_schema(db, p->oids[i], name);
        if (oid != 0) return oid;
    }
    return 0;
}

bool pc_rel_visible(const eng_database *db, const pc_path *p, uint32_t oid) {
    const char *schema, *name;
    if (!pc_relation_name(db, oid, &schema, &name)) return false;
    return pc_rel_lookup(db, p, name) == oid;
}

/* ---- index definitions ---- */

static const char *pc_am_name(eng_index_method m) {
    return m == ENG_INDEX_HNSW ? "hnsw" : m == ENG_INDEX_HASH ? "hash" : "btree";
}

/* Index expressions and the predicate, bound again for psql's pretty form (the catalog keeps
 * the plain one); NULL when binding fails (the plain text is printed then). */
typedef struct pc_ixexprs {
    bool bound;
    sql_expr *exprs[ENG_INDEX_COLUMNS_MAX];
    sql_expr *pred;
} pc_ixexprs;

static void pc_ixexprs_bind(sql_strbuf *sb, const eng_table *t, const eng_index *ix, bool pretty,
                            pc_ixexprs *bx) {
    rt_err tmp;
    rt_err_clear(&tmp);
    bx->bound = pretty && sql_ixexpr_any(ix) &&
                sql_ixexpr_bind(sb->arena, t, ix, bx->exprs, &bx->pred, &tmp);
}

/* Appends the pretty text of a bound expression (as an index column when `column`), else
 * `plain`. */
static void pc_ixexpr_put(sql_strbuf *sb, const eng_table *t, const sql_expr *e, bool column,
                          const char *plain) {
    sql_strbuf tmp;
    sql_strbuf_init(&tmp, sb->arena, 64);
    bool ok = e != NULL && (column ? sql_ixexpr_column_text(&tmp, t, NULL, 0, e, true)
                                   : sql_ixexpr_deparse(&tmp, t, NULL, 0, e, true));
    if (ok) sql_strbuf_append(sb, tmp.data, tmp.len);
    else sql_strbuf_puts(sb, plain != NULL ? plain : "expr");
}

static void pc_index_key(sql_strbuf *sb, const eng_table *t, const eng_index *ix, uint32_t k,
                         const pc_ixexprs *bx) {
    if (ix->attnums[k] == 0) {
        pc_ixexpr_put(sb, t, bx->bound ? bx->exprs[k] : NULL, true, ix->expr_text[k]);
    } else {
        const eng_column *col = eng_table_column_by_attnum(t, ix->attnums[k]);
        pc_quote_ident(sb, col != NULL ? col->name : "expr");
    }
    if (ix->opclass[k] != NULL) {
        sql_strbuf_putc(sb, ' ');
        sql_strbuf_puts(sb, ix->opclass[k]);
    } else if (ix->method == ENG_INDEX_HNSW) {
        sql_strbuf_puts(sb, ix->metric == ENG_METRIC_COSINE ? " vector_cosine_ops"
                            : ix->metric == ENG_METRIC_IP   ? " vector_ip_ops"
                                                            : " vector_l2_ops");
    }
    if (ix->method == ENG_INDEX_HNSW) return; /* no ordering options */
    if (ix->desc[k]) sql_strbuf_puts(sb, " DESC");
    if (ix->desc[k] && !ix->nulls_first[k]) sql_strbuf_puts(sb, " NULLS LAST");
    if (!ix->desc[k] && ix->nulls_first[k]) sql_strbuf_puts(sb, " NULLS FIRST");
}

/* WITH (m='16', ef_construction='64') from "m=16, ef_construction=64". */
static void pc_index_options(sql_strbuf *sb, const char *text) {
    sql_strbuf_puts(sb, " WITH (");
    bool first = true;
    for (const char *s = text; *s != '\0';) {
        while (*s == ' ' || *s == ',') s++;
        if (*s == '\0') break;
        const char *eq = strchr(s, '=');
        const char *end = strchr(s, ',');
        if (end == NULL) end = s + strlen(s);
        if (eq == NULL || eq > end) eq = end;
        const char *ke = eq;
        while (ke > s && ke[-1] == ' ') ke--;
        if (!first) sql_strbuf_puts(sb, ", ");
        first = false;
        sql_strbuf_append(sb, s, (uint32_t)(ke - s));
        if (eq < end) {
            const char *v = eq + 1, *ve = end;
            while (*v == ' ' || *v == '\'') v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\'')) ve--;
            sql_strbuf_puts(sb, "='");
            sql_strbuf_append(sb, v, (uint32_t)(ve - v));
            sql_strbuf_putc(sb, '\'');
        }
        s = end;
    }
    sql_strbuf_putc(sb, ')');
}

void pc_index_def(sql_strbuf *sb, const eng_database *db, const eng_table *t,
                  const eng_index *ix, uint32_t column, bool pretty) {
    pc_ixexprs bx;
    pc_ixexprs_bind(sb, t, ix, pretty, &bx);
    if (column > 0) {
        if (column <= ix->column_count && ix->attnums[column - 1] == 0) {
            pc_ixexpr_put(sb, t, bx.bound ? bx.exprs[column - 1] : NULL, true,
                          ix->expr_text[column - 1]);
        } else if (column <= ix->column_count) {
            const eng_column *col = eng_table_column_by_attnum(t, ix->attnums[column - 1]);
            pc_quote_ident(sb, col != NULL ? col->name : "expr");
        }
        return;
    }
    sql_strbuf_puts(sb, ix->unique || ix->primary ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    pc_quote_ident(sb, ix->name);
    sql_strbuf_puts(sb, " ON ");
    pc_qualified(sb, pc_schema_name(db, t->schema_oid), t->name, true);
    sql_strbuf_printf(sb, " USING %s (", pc_am_name(ix->method));
    for (uint32_t k = 0; k < ix->column_count; k++) {
        if (k > 0) sql_strbuf_puts(sb, ", ");
        pc_index_key(sb, t, ix, k, &bx);
    }
    sql_strbuf_putc(sb, ')');
    if (ix->nulls_not_distinct) sql_strbuf_puts(sb, " NULLS NOT DISTINCT");
    if (ix->options_text != NULL) pc_index_options(sb, ix->options_text);
    if (ix->predicate_text == NULL) return;
    sql_strbuf_puts(sb, " WHERE ");
    pc_ixexpr_put(sb, t, bx.bound ? bx.pred : NULL, false, ix->predicate_text);
}

/* ---- constraint definitions ---- */

static void pc_column_list(sql_strbuf *sb, const eng_table *t, const uint16_t *attnums,
                           uint32_t n) {
    sql_strbuf_putc(sb, '(');
    for (uint32_t i = 0; i < n; i++) {
        const eng_column *col = t != NULL ? eng_table_column_by_attnum(t, attnums[i]) : NULL;
        if (i > 0) sql_strbuf_puts(sb, ", ");
        pc_quote_ident(sb, col != NULL ? col->name : "?");
    }
    sql_strbuf_putc(sb, ')');
}

/* ---- CHECK expressions ---- */

/* The parts of "column op literal", the shape most CHECK constraints have. */
typedef struct pc_cmp {
    char column[ENG_NAME_BYTES];
    char op[3];
    const char *lit;          /* the literal as written */
    uint32_t lit_len;
    bool is_string;
    bool is_decimal;
} pc_cmp;

static const char *pc_skip_space(const char *p) {
    while (isspace((unsigned char)*p)) p++;
    return p;
}

static const char *pc_parse_ident(const char *p, char *out) {
    uint32_t k = 0;
    if (*p == '"') {
        for (p++; *p != '\0' && !(*p == '"' && p[1] != '"'); p++) {
            if (*p == '"') p++;
            if (k + 1 < ENG_NAME_BYTES) out[k++] = *p;
        }
        if (*p != '"') return NULL;
        out[k] = '\0';
        return p + 1;
    }
    if (!isalpha((unsigned char)*p) && *p != '_') return NULL;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == '$') {
        if (k + 1 < ENG_NAME_BYTES) out[k++] = (char)tolower((unsigned char)*p);
        p++;
    }
    out[k] = '\0';
    return p;
}

static const char *pc_parse_literal(const char *p, pc_cmp *c) {
    c->lit = p;
    if (*p == '\'') {
        for (p++; *p != '\0' && !(*p == '\'' && p[1] != '\''); p++) {
            if (*p == '\'') p++;
        }
        if (*p != '\'') return NULL;
        c->is_string = true;
        c->lit_len = (uint32_t)(p + 1 - c->lit);
        return p + 1;
    }
    if (!isdigit((unsigned char)*p)) return NULL;
    while (isdigit((unsigned char)*p) || *p == '.') c->is_decimal |= *p++ == '.';
    c->lit_len = (uint32_t)(p - c->lit);
    return p;
}

static bool pc_parse_cmp(const char *text, pc_cmp *c) {
    static const char *const ops[] = {"<>", "!=", "<=", ">=", "=", "<", ">"};
    memset(c, 0, sizeof *c);
    const char *p = pc_parse_ident(pc_skip_space(text), c->column);
    if (p == NULL) return false;
    p = pc_skip_space(p);
    for (uint32_t i = 0; i < 7 && c->op[0] == '\0'; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(p, ops[i], n) == 0) {
            memcpy(c->op, i == 1 ? "<>" : ops[i], strlen(i == 1 ? "<>" : ops[i]) + 1);
            p += n;
        }
    }
    if (c->op[0] == '\0') return false;
    p = pc_parse_literal(pc_skip_space(p), c);
    return p != NULL && *pc_skip_space(p) == '\0';
}

/* The casts PostgreSQL's parser puts into "column op literal" for the column's type: the
 * literal's (as "::type", or NULL for none) and the column's. False: a shape not handled. */
static bool pc_cmp_casts(const pc_cmp *c, uint32_t type, const char **lit_cast,
                         const char **col_cast) {
    *lit_cast = NULL, *col_cast = NULL;
    if (c->is_string) {
        if (type == SQL_T_VARCHAR) *col_cast = "text", *lit_cast = "text";
        else if (type == SQL_T_TEXT) *lit_cast = "text";
        else if (type == SQL_T_BPCHAR) *lit_cast = "bpchar";
        else return false;
        return true;
    }
    switch (type) {
    case SQL_T_INT2: case SQL_T_INT4: case SQL_T_INT8: return !c->is_decimal;
    case SQL_T_NUMERIC: *lit_cast = c->is_decimal ? NULL : "numeric"; return true;
    case SQL_T_FLOAT4: case SQL_T_FLOAT8: *lit_cast = "double precision"; return true;
    default: return false;
    }
}

/* Appends a CHECK expression as pg_get_expr prints it: "(qty >= (0)::numeric)", or with
 * `pretty` "qty >= 0::numeric". Shapes other than "column op literal" print as written. */
void pc_check_expr(sql_strbuf *sb, const eng_table *t, const char *text, bool pretty) {
    pc_cmp c;
    const eng_column *col = NULL;
    const char *lit_cast, *col_cast;
    if (pc_parse_cmp(text, &c)) col = eng_table_column_by_name(t, c.column);
    if (col == NULL || col->dropped || !pc_cmp_casts(&c, col->type_oid, &lit_cast, &col_cast)) {
        size_t n = strlen(text);
        bool wrapped = n >= 2 && text[0] == '(' && text[n - 1] == ')';
        for (size_t i = 1, depth = 1; wrapped && i + 1 < n; i++) {
            depth += text[i] == '(';
            if (text[i] == ')' && --depth == 0) wrapped = false;
        }
        sql_strbuf_printf(sb, wrapped || pretty ? "%s" : "(%s)", text);
        return;
    }
    const char *open = pretty ? "" : "(", *close = pretty ? "" : ")";
    sql_strbuf_puts(sb, open);
    if (col_cast != NULL) sql_strbuf_puts(sb, open);
    pc_quote_ident(sb, col->name);
    if (col_cast != NULL) sql_strbuf_printf(sb, "%s::%s", close, col_cast);
    sql_strbuf_printf(sb, " %s ", c.op);
    bool paren = lit_cast != NULL && !c.is_string && !pretty;
    if (paren) sql_strbuf_putc(sb, '(');
    sql_strbuf_append(sb, c.lit, c.lit_len);
    if (paren) sql_strbuf_putc(sb, ')');
    if (lit_cast != NULL) sql_strbuf_printf(sb, "::%s", lit_cast);
    sql_strbuf_puts(sb, close);
}

uint32_t pc_check_columns(const eng_table *t, const char *text, uint16_t *attnums,
                          uint32_t cap) {
    uint32_t n = 0;
    char name[ENG_NAME_BYTES];
    for (const char *p = text; *p != '\0' && n < cap;) {
        if (*p == '\'') { /* skip string literals */
            for (p++; *p != '\0' && !(*p == '\'' && p[1] != '\''); p++) {
                if (*p == '\'') p++;
            }
            if (*p != '\0') p++;
            continue;
        }
        const char *end = (isalpha((unsigned char)*p) || *p == '_' || *p == '"')
                              ? pc_parse_ident(p, name) : NULL;
        if (end == NULL) {
            p++;
            continue;
        }
        const eng_column *col = eng_table_column_by_name(t, name);
        bool seen = false;
        for (uint32_t i = 0; col != NULL && i < n; i++) seen |= attnums[i] == col->attnum;
        if (col != NULL && !col->dropped && !seen) attnums[n++] = col->attnum;
        p = end;
    }
    return n;
}

static const char *pc_fk_action(char a) {
    switch (a) {
    case 'r': return "RESTRICT";
    case 'c': return "CASCADE";
    case 'n': return "SET NULL";
    case 'd': return "SET DEFAULT";
    default: return NULL;
    }
}

static void pc_fk_def(sql_strbuf *sb, const eng_database *db, const pc_path *path,
                      const eng_table *t, const eng_constraint *con) {
    const eng_table *ref = eng_db_table_by_oid(db, con->ref_table_oid);
    sql_strbuf_puts(sb, "FOREIGN KEY ");
    pc_column_list(sb, t, con->attnums, con->column_count);
    sql_strbuf_puts(sb, " REFERENCES ");
    if (ref != NULL) {
        bool qualify = path == NULL || !pc_rel_visible(db, path, ref->oid);
        pc_qualified(sb, pc_schema_name(db, ref->schema_oid), ref->name, qualify);
    }
    pc_column_list(sb, ref, con->ref_attnums, con->column_count);
    if (con->match == 'f') sql_strbuf_puts(sb, " MATCH FULL");
    const char *upd = pc_fk_action(con->on_update), *del = pc_fk_action(con->on_delete);
    if (upd != NULL) sql_strbuf_printf(sb, " ON UPDATE %s", upd);
    if (del != NULL) sql_strbuf_printf(sb, " ON DELETE %s", del);
}

void pc_constraint_def(sql_strbuf *sb, const eng_database *db, const pc_path *path,
                       const eng_table *t, const eng_constraint *con, bool pretty) {
    switch (con->kind) {
    case 'p':
    case 'u': {
        sql_strbuf_puts(sb, con->kind == 'p' ? "PRIMARY KEY " : "UNIQUE ");
        const eng_index *ix = NULL;
        if (con->index_oid != 0) eng_db_table_of_index(db, con->index_oid, &ix);
        if (ix != NULL && ix->nulls_not_distinct) sql_strbuf_puts(sb, "NULLS NOT DISTINCT ");
        pc_column_list(sb, t, con->attnums, con->column_count);
        break;
    }
    case 'c':
        sql_strbuf_puts(sb, "CHECK (");
        pc_check_expr(sb, t, con->check_text != NULL ? con->check_text : "true", pretty);
        sql_strbuf_putc(sb, ')');
        break;
    case 'f':
        pc_fk_def(sb, db, path, t, con);
        break;
    default:
        break;
    }
    if (con->deferrable) sql_strbuf_puts(sb, " DEFERRABLE");
    if (con->deferred) sql_strbuf_puts(sb, " INITIALLY DEFERRED");
    if (con->kind != 'p' && con->kind != 'u' && !con->validated) {
        sql_strbuf_puts(sb, " NOT VALID");
    }
}

/* ---- defaults ---- */

const eng_sequence *pc_column_sequence(const eng_database *db, const eng_table *t,
                                       const eng_column *col) {
    /* Only a sequence the column owns (pg_get_serial_sequence's rule): a default that calls
     * nextval on some other sequence names none, though DROP SEQUENCE sees it (default_seq). */
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *c = &db->sequences[i];
        if (c->owned_by_table == t->oid && c->owned_by_attnum == col->attnum) return c;
    }
    return NULL;
}

static bool pc_is_string_literal(const char *s) {
    size_t n = strlen(s);
    if (n < 2 || s[0] != '\'' || s[n - 1] != '\'') return false;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\'' && s[i + 1] != '\'') return false;
        if (s[i] == '\'') i++;
    }
    return true;
}

static bool pc_is_negative_number(const char *s) {
    if (s[0] != '-' || s[1] == '\0') return false;
    for (const char *p = s + 1; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p) && *p != '.') return false;
    }
    return true;
}

/* The end of the string literal that starts at `p` (its opening quote), NULL if unclosed. */
static const char *pc_literal_end(const char *p) {
    for (p++; *p != '\0'; p++) {
        if (*p == '\'' && p[1] == '\'') p++;
        else if (*p == '\'') return p + 1;
    }
    return NULL;
}

/* A default calling nextval on its sequence (default_seq) with the sequence named as it is
 * now, qualified when the search path does not find it: PostgreSQL keeps the sequence's OID
 * (nextval('s'::regclass)) and prints its current name, where the text keeps the name it
 * was written with. The text itself when it has no such call or the sequence is gone. */
static const char *pc_default_seq_text(sql_strbuf *sb, const sql_exec_ctx *x,
                                       const eng_column *col) {
    const char *text = col->default_text, *schema, *name;
    if (col->default_seq == 0 || x->db == NULL ||
        !pc_relation_name(x->db, col->default_seq, &schema, &name)) {
        return text;
    }
    pc_path path;
    pc_path_of(x, &path);
    sql_strbuf rel, out;
    sql_strbuf_init(&rel, sb->arena, 64);
    pc_qualified(&rel, schema, name, !pc_rel_visible(x->db, &path, col->default_seq));
    sql_strbuf_init(&out, sb->arena, 64);
    for (const char *p = text; *p != '\0';) {
        const char *lit = strncasecmp(p, "nextval('", 9) == 0 ? p + 8 : NULL;
        const char *end = lit != NULL ? pc_literal_end(lit) : NULL;
        if (end == NULL) {
            const char *q = *p == '\'' ? pc_literal_end(p) : NULL; /* not inside a literal */
            size_t n = q != NULL ? (size_t)(q - p) : 1;
            sql_strbuf_append(&out, p, (uint32_t)n);
            p += n;
            continue;
        }
        sql_strbuf_puts(&out, "nextval('");
        for (uint32_t i = 0; i < rel.len; i++) {
            if (rel.data[i] == '\'') sql_strbuf_putc(&out, '\'');
            sql_strbuf_putc(&out, rel.data[i]);
        }
        sql_strbuf_puts(&out, "'::regclass");
        p = end;
        if (strncasecmp(p, "::regclass", 10) == 0) p += 10;
    }
    const char *s = pc_strbuf_cstr(&out);
    return s != NULL ? s : text;
}

/* PostgreSQL prints a literal default with the cast to the column's type ('x'::text,
 * '2024-01-01'::date, '-1'::integer); other expressions as its deparser does (upper('x'::text))
 * where ours knows their shape, else as written. */
void pc_default_def(sql_strbuf *sb, const sql_exec_ctx *x, const eng_table *t,
                    const eng_column *col) {
    const char *text = pc_default_seq_text(sb, x, col);
    if (pc_is_string_literal(text)) {
        sql_strbuf_puts(sb, text);
    } else if (pc_is_negative_number(text)) {
        sql_strbuf_printf(sb, "'%s'", text);
    } else {
        if (t == NULL || !sql_ixexpr_reprint(sb, x->catalog, x->db, t, text)) {
            sql_strbuf_puts(sb, text);
        }
        return;
    }
    sql_strbuf_puts(sb, "::");
    if (!pc_format_user_type(x->db, NULL, col->type_oid, sb)) {
        sql_type_format(col->type_oid, -1, sb);
    }
}
