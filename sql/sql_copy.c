/* sql_copy.c: COPY statements, the binding side: the statement's checks in PostgreSQL's order
 * (server files, options, the relation, its columns), then a plan from the binder: for COPY
 * FROM an INSERT into the copied columns (defaults, NOT NULL, CHECK and routing to the shards
 * are the INSERT's), for COPY TO a SELECT of the columns or the statement's query. Running it
 * is sql_copy_run.c's (which sees the executor; this file sees the parse tree). */
#include <stdio.h>
#include <string.h>

#include "sql/sql_bind.h"
#include "sql/sql_copy.h"
#include "sql/sql_copy_int.h"

static const char SQL_COPY_HINT[] =
    "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";

/* The first error wins, whichever of the contexts' error slots it was written to. */
static bool copy_fail(sql_bind_ctx *bc, rt_err *err) {
    if (!rt_err_is_set(err) && bc->err != err && rt_err_is_set(bc->err)) *err = *bc->err;
    if (!rt_err_is_set(err)) rt_arena_fail(bc->arena, err);
    return false;
}

/* A server file or program: never opened by Dreambase; non-superusers get PostgreSQL's 42501. */
static bool copy_server_file(sql_bind_ctx *bc, const sql_copy *c, rt_err *err) {
    bool superuser = true;
    if (bc->session != NULL) {
        const eng_role *role = eng_catalog_role_by_oid(bc->catalog,
                                                       sql_session_user_oid(bc->session));
        superuser = role != NULL && role->superuser;
    }
    if (!superuser) {
        if (c->is_program) {
            rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be superuser or have "
                       "privileges of the pg_execute_server_program role to COPY to or from an "
                       "external program");
        } else {
            rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be superuser or have "
                       "privileges of the pg_%s_server_files role to COPY %s a file",
                       c->is_from ? "read" : "write", c->is_from ? "from" : "to");
        }
    } else {
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY %s %s is not supported",
                   c->is_from ? "from" : "to", c->is_program ? "a program" : "a server file");
    }
    rt_err_hint(err, "%s", SQL_COPY_HINT);
    return false;
}

static const eng_table *copy_table(sql_bind_ctx *bc, const sql_copy *c, rt_err *err) {
    const sql_name *name = &c->table->name;
    const eng_table *t = sql_bind_find_table(bc, name);
    if (t == NULL) {
        rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                   name->parts[name->count - 1]);
        return NULL;
    }
    if (t->kind == 'r') return t;
    const char *what = t->kind == 'v' ? "view" : t->kind == 'S' ? "sequence" : "non-table relation";
    rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot copy %s %s \"%s\"",
               c->is_from ? "to" : "from", what, t->name);
    if (t->kind == 'v') {
        rt_err_hint(err, c->is_from ? "To enable copying to a view, provide an INSTEAD OF INSERT "
                                      "trigger." : "Try the COPY (SELECT ...) TO variant.");
    }
    return NULL;
}

/* The copied columns: the list, or every column that is neither dropped nor generated. */
static bool copy_columns(sql_bind_ctx *bc, const sql_copy *c, const eng_table *t,
                         const eng_column ***out, uint32_t *n, rt_err *err) {
    uint32_t cap = c->columns.count > 0 ? c->columns.count : t->column_count;
    const eng_column **cols = rt_arena_alloc(bc->arena, sizeof(eng_column *) * (cap + 1u));
    if (cols == NULL) return rt_arena_fail(bc->arena, err);
    *n = 0;
    if (c->columns.count == 0) {
        for (uint32_t i = 0; i < t->column_count; i++) {
            const eng_column *col = &t->columns[i];
            if (!col->dropped && col->generated == 0) cols[(*n)++] = col;
        }
    }
    for (uint32_t i = 0; i < c->columns.count; i++) {
        const char *name = SQL_LIST_AT(c->columns, i);
        const eng_column *col = eng_table_column_by_name(t, name);
        if (col == NULL || col->dropped) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                              "column \"%s\" of relation \"%s\" does not exist", name, t->name);
        }
        if (col->generated != 0) {
            rt_err_set(err, SQLSTATE_INVALID_COLUMN_REFERENCE, "column \"%s\" is a generated "
                       "column", name);
            rt_err_detail(err, "Generated columns cannot be used in COPY.");
            return false;
        }
        for (uint32_t k = 0; k < *n; k++) {
            if (cols[k] == col) {
                return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                  "column \"%s\" specified more than once", name);
            }
        }
        cols[(*n)++] = col;
    }
    if (*n > SQL_COPY_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS, "COPY of more than %u columns",
                          SQL_COPY_COLUMNS_MAX);
    }
    *out = cols;
    return true;
}

/* Names of the relation's columns (for FORCE_* lists) and the copied columns' descriptions. */
static bool copy_describe(sql_bind_ctx *bc, sql_copy_opts *o, const eng_table *t,
                          const eng_column **cols, uint32_t n, sql_copy_col **out, rt_err *err) {
    const char **rel = rt_arena_alloc(bc->arena, sizeof(char *) * (t->column_count + 1u));
    const char **names = rt_arena_alloc(bc->arena, sizeof(char *) * (n + 1u));
    sql_copy_col *cc = rt_arena_alloc(bc->arena, sizeof(sql_copy_col) * (n + 1u));
    if (rel == NULL || names == NULL || cc == NULL) return rt_arena_fail(bc->arena, err);
    uint32_t nrel = 0;
    for (uint32_t i = 0; i < t->column_count; i++) {
        if (!t->columns[i].dropped) rel[nrel++] = t->columns[i].name;
    }
    for (uint32_t i = 0; i < n; i++) {
        names[i] = cols[i]->name;
        cc[i] = (sql_copy_col){.name = cols[i]->name, .type_oid = cols[i]->type_oid,
                               .typmod = cols[i]->typmod};
    }
    *out = cc;
    return sql_copy_opts_columns(o, bc->arena, t->name, rel, nrel, names, n, err);
}

static void *copy_node(sql_bind_ctx *bc, size_t size, sql_node_kind kind) {
    sql_node *n = rt_arena_zalloc(bc->arena, size);
    if (n != NULL) {
        n->kind = kind;
        n->location = UINT32_MAX;
    }
    return n;
}

/* INSERT INTO t (cols) VALUES (DEFAULT, ...): the binder's INSERT plan for these columns,
 * whose VALUES child the rows of the input replace. */
static bool copy_bind_insert(sql_bind_ctx *bc, const sql_copy *c, const eng_column **cols,
                             uint32_t n, sql_plan **out, rt_err *err) {
    sql_insert *ins = copy_node(bc, sizeof *ins, SQL_N_INSERT);
    sql_select *values = copy_node(bc, sizeof *values, SQL_N_SELECT);
    sql_list *row = rt_arena_zalloc(bc->arena, sizeof *row);
    if (ins == NULL || values == NULL || row == NULL) return rt_arena_fail(bc->arena, err);
    ins->table = c->table;
    ins->source = values;
    for (uint32_t i = 0; i < n; i++) {
        sql_target *tg = copy_node(bc, sizeof *tg, SQL_N_TARGET);
        sql_default *d = copy_node(bc, sizeof *d, SQL_N_DEFAULT);
        if (tg == NULL || d == NULL) return rt_arena_fail(bc->arena, err);
        tg->alias = cols[i]->name;
        if (!sql_list_push(bc->arena, &ins->columns, tg) ||
            !sql_list_push(bc->arena, row, d)) {
            return rt_arena_fail(bc->arena, err);
        }
    }
    if (n == 0) {
        ins->source = NULL; /* DEFAULT VALUES */
    } else if (!sql_list_push(bc->arena, &values->values, row)) {
        return rt_arena_fail(bc->arena, err);
    }
    sql_query *qy;
    if (!sql_bind_query(bc, &ins->hdr, &qy)) return copy_fail(bc, err);
    if (bc->session != NULL &&
        !sql_session_check_privs(bc->session, bc->catalog, bc->db, qy, err)) {
        return false;
    }
    if (qy->plan->kind != SQL_P_INSERT) {
        return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "COPY FROM: unexpected plan shape");
    }
    *out = qy->plan;
    return true;
}

/* COPY FROM ... WHERE: bound over the copied columns, as a table of just those (PostgreSQL also
 * sees the other columns, with their defaults; here naming one is 42703). */
static bool copy_bind_where(sql_bind_ctx *bc, const sql_copy *c, const eng_table *t,
                            const eng_column **cols, uint32_t n, sql_expr **out, rt_err *err) {
    eng_table *fake = rt_arena_alloc(bc->arena, sizeof *fake);
    eng_column *fc = rt_arena_alloc(bc->arena, sizeof(eng_column) * (n + 1u));
    if (fake == NULL || fc == NULL) return rt_arena_fail(bc->arena, err);
    *fake = *t;
    for (uint32_t i = 0; i < n; i++) {
        fc[i] = *cols[i];
        fc[i].attnum = (uint16_t)(i + 1);
    }
    fake->columns = fc;
    fake->column_count = (uint16_t)n;
    fake->pk_count = 0;
    fake->index_count = 0;
    fake->constraint_count = 0;
    if (!sql_bind_table_expr(bc, fake, c->where, SQL_T_BOOL, -1, out)) return copy_fail(bc, err);
    return true;
}

static bool copy_from(sql_bind_ctx *bc, struct sql_exec_ctx *x, const sql_copy *c,
                      sql_copy_opts *o, const sql_sink *sink, uint64_t *rows, rt_err *err) {
    const eng_table *t = copy_table(bc, c, err);
    const eng_column **cols;
    uint32_t n;
    sql_copy_col *cc;
    if (t == NULL || !copy_columns(bc, c, t, &cols, &n, err) ||
        !copy_describe(bc, o, t, cols, n, &cc, err)) {
        return false;
    }
    sql_expr *where = NULL;
    if (c->where != NULL && !copy_bind_where(bc, c, t, cols, n, &where, err)) return false;
    sql_plan *insert = NULL;
    if (!copy_bind_insert(bc, c, cols, n, &insert, err)) return false;
    return sql_copy_run_from(x, insert, where, o, t->name, cc, n, sink, rows, err);
}

/* SELECT cols FROM t, for COPY t [(cols)] TO. */
static sql_node *copy_select(sql_bind_ctx *bc, const sql_copy *c, const eng_column **cols,
                             uint32_t n) {
    sql_select *s = copy_node(bc, sizeof *s, SQL_N_SELECT);
    if (s == NULL || !sql_list_push(bc->arena, &s->from, c->table)) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        sql_target *tg = copy_node(bc, sizeof *tg, SQL_N_TARGET);
        sql_columnref *ref = copy_node(bc, sizeof *ref, SQL_N_COLUMNREF);
        if (tg == NULL || ref == NULL) return NULL;
        ref->name.count = 1;
        ref->name.parts[0] = cols[i]->name;
        ref->name.location = UINT32_MAX;
        tg->expr = &ref->hdr;
        tg->alias = cols[i]->name;
        if (!sql_list_push(bc->arena, &s->targets, tg)) return NULL;
    }
    return &s->hdr;
}

static bool copy_to(sql_bind_ctx *bc, struct sql_exec_ctx *x, const sql_copy *c,
                    sql_copy_opts *o, const sql_sink *sink, uint64_t *rows, rt_err *err) {
    const sql_node *query = c->query;
    const char *relname = NULL;
    if (query == NULL) {
        const eng_table *t = copy_table(bc, c, err);
        const eng_column **cols;
        uint32_t n;
        sql_copy_col *cc;
        if (t == NULL || !copy_columns(bc, c, t, &cols, &n, err) ||
            !copy_describe(bc, o, t, cols, n, &cc, err)) {
            return false;
        }
        relname = t->name;
        if ((query = copy_select(bc, c, cols, n)) == NULL) return rt_arena_fail(bc->arena, err);
    }
    sql_query *qy;
    if (!sql_bind_query(bc, query, &qy)) return copy_fail(bc, err);
    if (bc->session != NULL &&
        !sql_session_check_privs(bc->session, bc->catalog, bc->db, qy, err)) {
        return false;
    }
    if (!qy->returns_rows) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY query must have a RETURNING clause");
    }
    const sql_plan *p = qy->plan;
    sql_copy_col *cc = rt_arena_alloc(bc->arena, sizeof(sql_copy_col) * (p->ncols + 1u));
    const char **names = rt_arena_alloc(bc->arena, sizeof(char *) * (p->ncols + 1u));
    if (cc == NULL || names == NULL) return rt_arena_fail(bc->arena, err);
    for (uint32_t i = 0; i < p->ncols; i++) {
        cc[i] = (sql_copy_col){.name = p->cols[i].name != NULL ? p->cols[i].name : "?column?",
                               .type_oid = p->cols[i].type_oid, .typmod = p->cols[i].typmod};
        names[i] = cc[i].name;
    }
    if (relname == NULL &&
        !sql_copy_opts_columns(o, bc->arena, NULL, NULL, 0, names, p->ncols, err)) {
        return false;
    }
    return sql_copy_run_to(x, p, o, cc, p->ncols, sink, rows, err);
}

bool sql_copy_exec(sql_bind_ctx *bc, struct sql_exec_ctx *x, const sql_node *stmt,
                   const sql_sink *sink, char tag[SQL_TAG_BYTES], rt_err *err) {
    RT_ASSERT(SQL_NODE_KIND(stmt) == SQL_N_COPY);
    const sql_copy *c = (const sql_copy *)stmt;
    if (c->filename != NULL || c->is_program) return copy_server_file(bc, c, err);
    sql_copy_opts *o = rt_arena_zalloc(bc->arena, sizeof *o);
    if (o == NULL) return rt_arena_fail(bc->arena, err);
    if (!sql_copy_opts_parse(&c->options, c->is_from, o, err)) return false;
    uint64_t rows = 0;
    bool ok = c->is_from ? copy_from(bc, x, c, o, sink, &rows, err)
                         : copy_to(bc, x, c, o, sink, &rows, err);
    if (!ok) return false;
    snprintf(tag, SQL_TAG_BYTES, "COPY %llu", (unsigned long long)rows);
    return true;
}
