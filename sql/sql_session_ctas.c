/* sql_session_ctas.c: CREATE TABLE ... AS query [WITH [NO] DATA]. The query is bound once for
 * its output columns (names, or the names the statement lists, and types with their typmods);
 * a plain CREATE TABLE of those columns then runs as DDL, and, unless WITH NO DATA, an
 * INSERT INTO the new table of the same query fills it, in the same transaction. The
 * command tag is PostgreSQL's: SELECT n, or CREATE TABLE AS without data or when IF NOT
 * EXISTS found the table. CREATE TABLE ... (LIKE other) is expanded here too: the other
 * table's columns become column definitions of the statement. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind.h"
#include "sql/sql_plan.h"
#include "sql/sql_session_int.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"

/* The type of output column `c`: a plain column of a table keeps its domain and its "C"
 * collation (PostgreSQL's exprType / exprCollation of the Var); others are their type. */
static void ctas_column_type(const eng_database *db, const sql_col *c, sql_strbuf *sb) {
    const eng_table *t = c->table_oid != 0 ? eng_db_table_by_oid(db, c->table_oid) : NULL;
    const eng_column *col =
        t != NULL && c->attnum > 0 ? eng_table_column_by_attnum(t, (uint16_t)c->attnum) : NULL;
    const eng_domain *d = col != NULL ? eng_db_domain_by_oid(db, col->domain_oid) : NULL;
    const eng_schema *ds = d != NULL ? eng_db_schema_by_oid(db, d->schema_oid) : NULL;
    if (ds != NULL) {
        sql_strbuf_put_ident(sb, ds->name);
        sql_strbuf_putc(sb, '.');
        sql_strbuf_put_ident(sb, d->name);
    } else {
        /* An untyped literal's column is text, as in PostgreSQL. */
        bool unknown = c->type_oid == SQL_T_UNKNOWN;
        sql_type_format(unknown ? SQL_T_TEXT : c->type_oid, unknown ? -1 : c->typmod, sb);
    }
    if (col != NULL && d == NULL && col->collation == 950) sql_strbuf_puts(sb, " COLLATE \"C\"");
}

/* The CREATE TABLE statement of the query's columns, as text (NUL-terminated). */
static bool ctas_create_text(const sql_create_table *ct, const eng_database *db,
                             const sql_plan *plan, sql_strbuf *sb, rt_err *err) {
    if (ct->columns.count > plan->ncols) {
        return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "too many column names were specified");
    }
    sql_strbuf_printf(sb, "CREATE %s%sTABLE %s", ct->temporary ? "TEMP " : "",
                      ct->unlogged ? "UNLOGGED " : "", ct->if_not_exists ? "IF NOT EXISTS " : "");
    for (uint32_t i = 0; i < ct->name.count; i++) {
        if (i > 0) sql_strbuf_putc(sb, '.');
        sql_strbuf_put_ident(sb, ct->name.parts[i]);
    }
    sql_strbuf_putc(sb, '(');
    for (uint32_t i = 0; i < plan->ncols; i++) {
        const sql_col *c = &plan->cols[i];
        if (i > 0) sql_strbuf_puts(sb, ", ");
        const sql_columndef *named = i < ct->columns.count ? SQL_LIST_AT(ct->columns, i) : NULL;
        sql_strbuf_put_ident(sb, named != NULL ? named->name : c->name);
        sql_strbuf_putc(sb, ' ');
        ctas_column_type(db, c, sb);
    }
    sql_strbuf_putc(sb, ')');
    static const char *const on_commit[] = {"", " ON COMMIT PRESERVE ROWS",
                                            " ON COMMIT DELETE ROWS", " ON COMMIT DROP"};
    sql_strbuf_puts(sb, on_commit[ct->on_commit]);
    sql_strbuf_putc(sb, '\0');
    return true;
}

/* The query's plan, bound in the statement's environment (for its columns only). */
static bool ctas_columns(sql_session *s, const sql_create_table *ct, const char *sql,
                         uint32_t sql_len, sql_strbuf *create, rt_err *err) {
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
    sql_query *q = NULL;
    bool ok = sql_bind_query(&env.bc, &ct->as_query->hdr, &q);
    if (ok && q->nparams > 0) {
        ok = rt_err_set(err, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $1");
    }
    if (ok) ok = ctas_create_text(ct, env.bc.db, q->plan, create, err);
    sql_session_env_close(&env);
    return ok;
}

/* Whether the relation the statement names exists now (IF NOT EXISTS then skips the rows). */
static bool ctas_exists(sql_session *s, const sql_create_table *ct, const char *sql,
                        uint32_t sql_len, rt_err *err) {
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
    bool found = sql_bind_find_table(&env.bc, &ct->name) != NULL;
    sql_session_env_close(&env);
    rt_err_clear(err);
    return found;
}

bool sql_session_create_table_as(sql_session *s, const sql_create_table *ct, const char *sql,
                                 uint32_t sql_len, const sql_sink *sink, char *tag,
                                 rt_err *err) {
    sql_strbuf create;
    sql_strbuf_init(&create, s->query_arena, 256);
    if (!ctas_columns(s, ct, sql, sql_len, &create, err)) return false;
    if (create.failed) return rt_arena_fail(s->query_arena, err);
    bool existed = ct->if_not_exists && ctas_exists(s, ct, sql, sql_len, err);
    sql_stmt_list list;
    if (!sql_parse(s->query_arena, create.data, create.len - 1, &list, err)) return false;
    RT_ASSERT(list.count == 1 && list.stmts[0].node->kind == SQL_N_CREATE_TABLE);
    if (!sql_session_ddl(s, list.stmts[0].node, create.data, create.len - 1, sink, tag, err)) {
        return false;
    }
    snprintf(tag, SQL_TAG_BYTES, "CREATE TABLE AS");
    if (existed || ct->with_no_data) return true;
    sql_rangevar *rv = rt_arena_zalloc(s->query_arena, sizeof *rv);
    sql_insert *ins = rt_arena_zalloc(s->query_arena, sizeof *ins);
    if (rv == NULL || ins == NULL) return rt_arena_fail(s->query_arena, err);
    rv->hdr = (sql_node){.kind = SQL_N_RANGEVAR, .location = ct->hdr.location};
    rv->name = ct->name;
    ins->hdr = (sql_node){.kind = SQL_N_INSERT, .location = ct->hdr.location};
    ins->table = rv;
    ins->source = ct->as_query;
    char itag[SQL_TAG_BYTES];
    if (!sql_session_planned(s, &ins->hdr, sql, sql_len, sink, itag, err)) return false;
    unsigned long long rows = 0;
    if (sscanf(itag, "INSERT %*u %llu", &rows) != 1) rows = 0;
    snprintf(tag, SQL_TAG_BYTES, "SELECT %llu", rows);
    return true;
}

/* ---- CREATE TABLE ... (LIKE other [INCLUDING DEFAULTS]) ---- */

/* The columns of the LIKE tables as column definitions text: names, types, NOT NULL (always
 * copied, as PostgreSQL does) and the defaults where INCLUDING DEFAULTS (or ALL) asks. */
static bool like_columns_text(sql_session *s, const sql_create_table *ct, const char *sql,
                              uint32_t sql_len, sql_strbuf *sb, rt_err *err) {
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, sql, sql_len, &env);
    bool ok = true, first = true;
    sql_strbuf_puts(sb, "CREATE TABLE t (");
    for (uint32_t k = 0; ok && k < ct->like.count; k++) {
        const sql_rangevar *rv = SQL_LIST_AT(ct->like, k);
        const eng_table *t = sql_bind_find_table(&env.bc, &rv->name);
        if (t == NULL) {
            if (!rt_err_is_set(err)) {
                rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                           rv->name.parts[rv->name.count - 1]);
            }
            ok = false;
            break;
        }
        bool defaults = k < 32 && (ct->like_defaults >> k & 1u) != 0;
        for (uint32_t i = 0; i < t->column_count; i++) {
            const eng_column *c = &t->columns[i];
            if (c->dropped) continue;
            if (!first) sql_strbuf_puts(sb, ", ");
            first = false;
            sql_strbuf_put_ident(sb, c->name);
            sql_strbuf_putc(sb, ' ');
            sql_type_format(c->type_oid, c->typmod, sb);
            if (c->not_null) sql_strbuf_puts(sb, " NOT NULL");
            if (defaults && c->default_text != NULL && c->identity == 0) {
                sql_strbuf_printf(sb, " DEFAULT %s", c->default_text);
            }
        }
    }
    sql_strbuf_puts(sb, ")");
    sql_strbuf_putc(sb, '\0');
    sql_session_env_close(&env);
    return ok;
}

bool sql_session_create_table_like(sql_session *s, const sql_create_table *ct, const char *sql,
                                   uint32_t sql_len, const sql_sink *sink, char *tag,
                                   rt_err *err) {
    sql_strbuf text;
    sql_strbuf_init(&text, s->query_arena, 256);
    if (!like_columns_text(s, ct, sql, sql_len, &text, err)) return false;
    if (text.failed) return rt_arena_fail(s->query_arena, err);
    sql_stmt_list list;
    if (!sql_parse(s->query_arena, text.data, text.len - 1, &list, err)) return false;
    RT_ASSERT(list.count == 1 && list.stmts[0].node->kind == SQL_N_CREATE_TABLE);
    const sql_list *like_cols = &((const sql_create_table *)list.stmts[0].node)->columns;
    sql_create_table *copy = rt_arena_alloc(s->query_arena, sizeof *copy);
    uint32_t n = like_cols->count + ct->columns.count;
    void **items = rt_arena_alloc(s->query_arena, sizeof(void *) * (n > 0 ? n : 1));
    if (copy == NULL || items == NULL) return rt_arena_fail(s->query_arena, err);
    *copy = *ct;
    /* The copied columns come first (PostgreSQL places them where LIKE stands; most often
     * that is first). */
    for (uint32_t i = 0; i < like_cols->count; i++) items[i] = like_cols->items[i];
    for (uint32_t i = 0; i < ct->columns.count; i++) {
        items[like_cols->count + i] = ct->columns.items[i];
    }
    copy->columns = (sql_list){.count = n, .cap = n, .items = items};
    copy->like = (sql_list){0};
    copy->like_defaults = 0;
    return sql_session_ddl(s, &copy->hdr, sql, sql_len, sink, tag, err);
}
