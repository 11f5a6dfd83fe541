/* sql_bind_special.c: functions the binder handles itself because the function registry cannot
 * express them:
 *   pg_typeof(any)            its result is the argument's type, known only at bind time;
 *   nextval(regclass)         the argument names a sequence: resolved once, at bind time,
 *   setval(regclass, bigint [, boolean])   through the search path, like PostgreSQL's
 *                                           regclass literal;
 *   currval(regclass)         likewise; the value is the session's memory of nextval/setval
 *                             (which these kernels record), lastval is the registry's.
 * Anything else: NULL without an error, and the registry resolves the call. */
#include <string.h>

#include "engine/eng.h"
#include "sql/sql_bind_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_exec.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_session.h"

/* Weak: programs that link the binder without the session module have no currval memory. */
#define SQL_SEQ_WEAK(fn) extern __typeof__(fn) fn __attribute__((weak))
SQL_SEQ_WEAK(sql_session_seq_used);
SQL_SEQ_WEAK(sql_session_currval);
SQL_SEQ_WEAK(sql_session_seq_lock);
SQL_SEQ_WEAK(sql_session_read_only);

/* What a sequence call's state holds: the sequence and its database, resolved at bind time. */
typedef struct sql_seq_ref {
    const eng_sequence *seq;
    uint32_t db_oid;
} sql_seq_ref;

static const eng_sequence *sql_seq_of(const sql_fctx *f) {
    return ((const sql_seq_ref *)f->call->func.state)->seq;
}

static bool sql_seq_db(sql_fctx *f, uint32_t *db_oid) {
    *db_oid = ((const sql_seq_ref *)f->call->func.state)->db_oid;
    return true;
}

/* The statement's session when it runs in one (NULL in a fragment or a tool). */
static sql_session *sql_seq_session(const sql_fctx *f) {
    sql_exec_ctx *x = f->ec != NULL ? f->ec->exec : NULL;
    return x != NULL ? x->session : NULL;
}

/* nextval and setval change the sequence: refused in a read-only transaction, as PostgreSQL
 * (which names nextval() for both). */
static bool sql_seq_writable(const sql_fctx *f, rt_err *err) {
    sql_session *s = sql_seq_session(f);
    if (s != NULL && sql_session_read_only != NULL && sql_session_read_only(s)) {
        return rt_err_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                          "cannot execute nextval() in a read-only transaction");
    }
    return true;
}

/* A session's nextval and setval hold ROW EXCLUSIVE on the sequence (sql_session.h). */
static bool sql_seq_lock(const sql_fctx *f, rt_err *err) {
    sql_session *s = sql_seq_session(f);
    return s == NULL || sql_session_seq_lock == NULL ||
           sql_session_seq_lock(s, sql_seq_of(f)->oid, err);
}

/* The value becomes the session's currval of the sequence and its lastval. */
static void sql_seq_remember(const sql_fctx *f, int64_t value) {
    sql_session *s = sql_seq_session(f);
    if (s != NULL && sql_session_seq_used != NULL) {
        sql_session_seq_used(s, sql_seq_of(f)->oid, value);
    }
}

static bool sql_nextval_k(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    (void)args;
    uint32_t db;
    if (!sql_seq_db(f, &db) || !sql_seq_writable(f, f->err) || !sql_seq_lock(f, f->err)) {
        return false;
    }
    SQL_FOR_ACTIVE(i) {
        if (!eng_seq_next(db, sql_seq_of(f), &out->i64[i], f->err)) return false;
        out->nulls[i] = 0;
        sql_seq_remember(f, out->i64[i]);
    }
    return true;
}

static bool sql_currval_k(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                          sql_vec *out) {
    (void)args;
    sql_session *s = sql_seq_session(f);
    if (s == NULL || sql_session_currval == NULL) {
        return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "function currval() needs the session and cannot run here");
    }
    const eng_sequence *seq = sql_seq_of(f);
    SQL_FOR_ACTIVE(i) {
        if (!sql_session_currval(s, seq->oid, seq->name, &out->i64[i], f->err)) return false;
        out->nulls[i] = 0;
    }
    return true;
}

static bool sql_setval_k(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out) {
    uint32_t db;
    if (!sql_seq_db(f, &db) || !sql_seq_writable(f, f->err) || !sql_seq_lock(f, f->err)) {
        return false;
    }
    SQL_FOR_ACTIVE(i) {
        bool is_called = f->call->nargs < 3 || args[2]->i64[i] != 0;
        if (!eng_seq_set(db, sql_seq_of(f), args[1]->i64[i], is_called, f->err)) return false;
        out->i64[i] = args[1]->i64[i];
        out->nulls[i] = 0;
        if (is_called) sql_seq_remember(f, out->i64[i]);
    }
    return true;
}

static const sql_func_def sql_nextval_def = {
    .name = "nextval", .oid = 1574, .nargs = 1, .args = {SQL_T_REGCLASS}, .ret = SQL_T_INT8,
    .flags = SQL_F_STRICT | SQL_F_VOLATILE, .fn = sql_nextval_k};
static const sql_func_def sql_currval_def = {
    .name = "currval", .oid = 1575, .nargs = 1, .args = {SQL_T_REGCLASS}, .ret = SQL_T_INT8,
    .flags = SQL_F_STRICT | SQL_F_VOLATILE, .fn = sql_currval_k};
static const sql_func_def sql_setval2_def = {
    .name = "setval", .oid = 1576, .nargs = 2, .args = {SQL_T_REGCLASS, SQL_T_INT8},
    .ret = SQL_T_INT8, .flags = SQL_F_STRICT | SQL_F_VOLATILE, .fn = sql_setval_k};
static const sql_func_def sql_setval3_def = {
    .name = "setval", .oid = 1765, .nargs = 3, .args = {SQL_T_REGCLASS, SQL_T_INT8, SQL_T_BOOL},
    .ret = SQL_T_INT8, .flags = SQL_F_STRICT | SQL_F_VOLATILE, .fn = sql_setval_k};

/* Splits 'schema.name' / '"Quoted".name' as regclass input does: unquoted parts fold to lower
 * case. False when the text is not a name. */
static bool sql_split_relname(rt_arena *arena, const char *text, sql_name *out) {
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p != '\0') {
        if (out->count == 3) return false;
        size_t len = strlen(p) + 1;
        char *part = rt_arena_alloc(arena, len);
        if (part == NULL) return false;
        size_t k = 0;
        if (*p == '"') {
            for (p++; *p != '\0'; p++) {
                if (*p == '"' && p[1] == '"') part[k++] = *p++;
                else if (*p == '"') break;
                else part[k++] = *p;
            }
            if (*p++ != '"') return false;
        } else {
            for (; *p != '\0' && *p != '.'; p++) {
                part[k++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
            }
        }
        part[k] = '\0';
        if (k == 0) return false;
        out->parts[out->count++] = part;
        if (*p == '.') p++;
        else if (*p != '\0') return false;
    }
    return out->count > 0;
}

/* The sequence named by a call's first argument: a string literal, possibly cast to regclass
 * ('s'::regclass is how serial defaults read). */
static const eng_sequence *sql_bind_seq_arg(sql_qlevel *q, const sql_func *f, const char *name) {
    sql_binder *b = q->b;
    const sql_node *arg = SQL_LIST_AT(f->args, 0);
    if (SQL_NODE_KIND(arg) == SQL_N_CAST) {
        const sql_cast *c = (const sql_cast *)arg;
        const sql_name *tn = &c->type->name;
        if (strcmp(tn->parts[tn->count - 1], "regclass") == 0) arg = c->arg;
    }
    const sql_const *k = (const sql_const *)arg;
    /* A stored DEFAULT's nextval: the sequence recorded with it, renamed or not. */
    const eng_sequence *rec = strcmp(name, "nextval") == 0 && b->bc->default_seq != 0
                                  ? eng_db_sequence_by_oid(b->bc->db, b->bc->default_seq)
                                  : NULL;
    if (rec != NULL) return rec;
    if (SQL_NODE_KIND(arg) != SQL_N_CONST || k->const_kind != SQL_CONST_STRING) {
        sql_bind_error(b, arg->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "%s() needs a sequence name literal here", name);
        return NULL;
    }
    sql_name nm;
    if (!sql_split_relname(b->arena, k->text, &nm)) {
        sql_bind_error(b, arg->location, SQLSTATE_INVALID_NAME, "invalid name syntax");
        return NULL;
    }
    const eng_sequence *s = sql_bind_find_sequence(b->bc, &nm);
    if (s != NULL || rt_err_is_set(b->bc->err)) return s;
    if (sql_bind_find_table(b->bc, &nm) != NULL) {
        sql_bind_error(b, arg->location, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a sequence",
                       nm.parts[nm.count - 1]);
    } else {
        sql_bind_error(b, arg->location, SQLSTATE_UNDEFINED_TABLE,
                       "relation \"%s\" does not exist", nm.count == 1 ? nm.parts[0] : k->text);
    }
    return NULL;
}

static sql_expr *sql_bind_seq_call(sql_qlevel *q, const sql_func *f, const char *name,
                                   const sql_func_def *def) {
    sql_binder *b = q->b;
    if (f->args.count != def->nargs) return NULL; /* the registry reports 42883 */
    const eng_sequence *s = sql_bind_seq_arg(q, f, name);
    if (s == NULL) return NULL;
    sql_expr *e = sql_expr_new(b->arena, SQL_X_FUNC, SQL_T_INT8, def->nargs);
    if (e == NULL) return NULL;
    e->typmod = -1;
    e->location = f->hdr.location;
    e->func.def = def;
    /* nextval needs USAGE or UPDATE, currval USAGE or SELECT, setval UPDATE (checked when the
     * statement runs). */
    bool next = def == &sql_nextval_def, cur = def == &sql_currval_def;
    uint32_t need = next ? ENG_ACL_USAGE | ENG_ACL_UPDATE
                    : cur ? ENG_ACL_USAGE | ENG_ACL_SELECT : ENG_ACL_UPDATE;
    if (!sql_bind_need_priv(b, s->oid, need, true, next || cur)) return NULL;
    sql_seq_ref *ref = rt_arena_alloc(b->arena, sizeof *ref);
    if (ref == NULL) return NULL;
    *ref = (sql_seq_ref){.seq = s, .db_oid = b->bc->db->oid};
    e->func.state = ref;
    sql_value oid = {.type_oid = SQL_T_REGCLASS, .i64 = s->oid};
    if ((e->args[0] = sql_expr_const(b->arena, &oid, -1)) == NULL) return NULL;
    for (uint32_t i = 1; i < def->nargs; i++) {
        e->args[i] = sql_bind_expr_as(q, SQL_LIST_AT(f->args, i), def->args[i], -1,
                                      SQL_CAST_IMPLICIT, NULL);
        if (e->args[i] == NULL) return NULL;
    }
    b->volatile_funcs = true;
    return e;
}

/* The domain a table column read by `e` (SQL_X_COLUMN / OUTER) is declared with, 0 if none. */
static uint32_t sql_bind_column_domain(const sql_qlevel *q, const sql_expr *e) {
    for (uint32_t d = 0; q != NULL && d < e->column.depth; d++) q = q->parent;
    if (q == NULL || q->scope == NULL || e->column.index >= q->scope->ncols) return 0;
    const sql_scope_col *sc = &q->scope->cols[e->column.index];
    const eng_table *t = sc->table_oid != 0 ? eng_db_table_by_oid(q->b->bc->db, sc->table_oid)
                                            : NULL;
    const eng_column *col = t != NULL && sc->attnum > 0
                                ? eng_table_column_by_attnum(t, (uint16_t)sc->attnum)
                                : NULL;
    return col != NULL && col->type_oid == sc->type_oid ? col->domain_oid : 0;
}

/* pg_typeof(x): x's type, a domain's own for a value cast to it or a column declared with it
 * (values are of the domain's base type everywhere else, as PostgreSQL's operators see them). */
static sql_expr *sql_bind_pg_typeof(sql_qlevel *q, const sql_func *f) {
    if (f->args.count != 1) return NULL;
    sql_expr *arg = sql_bind_expr(q, SQL_LIST_AT(f->args, 0));
    if (arg == NULL) return NULL;
    /* An untyped parameter stays untyped here: 42P18, or 42P08 when a later use types it. */
    if (arg->kind == SQL_X_PARAM && arg->type_oid == SQL_T_UNKNOWN &&
        !sql_bind_note_untyped_param(q->b, arg)) {
        return NULL;
    }
    uint32_t type = arg->type_oid;
    if (arg->kind == SQL_X_DOMAIN) type = arg->domain.info->oid;
    uint32_t col_domain = arg->kind == SQL_X_COLUMN || arg->kind == SQL_X_OUTER
                              ? sql_bind_column_domain(q, arg)
                              : 0;
    if (col_domain != 0) type = col_domain;
    sql_value v = {.type_oid = SQL_T_REGTYPE, .i64 = type};
    sql_expr *e = sql_expr_const(q->b->arena, &v, -1);
    if (e != NULL) e->location = f->hdr.location;
    return e;
}

sql_expr *sql_bind_special_func(sql_qlevel *q, const sql_func *f, const char *name) {
    if (strcmp(name, "pg_typeof") == 0) return sql_bind_pg_typeof(q, f);
    if (strcmp(name, "nextval") == 0) return sql_bind_seq_call(q, f, name, &sql_nextval_def);
    if (strcmp(name, "setval") == 0) {
        return sql_bind_seq_call(q, f, name,
                                 f->args.count == 3 ? &sql_setval3_def : &sql_setval2_def);
    }
    if (strcmp(name, "currval") == 0) return sql_bind_seq_call(q, f, name, &sql_currval_def);
    return NULL;
}
