/* sql_ddl_rewrite.c: moving a table's rows into new storage. ALTER TABLE ... ADD PRIMARY KEY on
 * a table with rows changes how rows are partitioned, so every row moves; ALTER COLUMN ... TYPE
 * converts the column on the way (the column as an assignment cast, or USING expr), with the
 * CHECK constraints and NOT NULL of the new definition checked on every converted row and the
 * errors PostgreSQL gives for a table that fails them. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_exec.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"

static bool ddl_rewrite_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                             rt_err *err) {
    (void)arg, (void)b, (void)from, (void)to, (void)err;
    return true;
}

/* ---- ALTER COLUMN ... TYPE: the conversion of one column ---- */

/* The column as an expression over the table's row: its quoted name, bound as stored text. */
static bool ddl_column_expr(sql_ddl_ctx *dc, const eng_table *base, const eng_column *col,
                            uint32_t type, int32_t typmod, sql_expr **out) {
    char text[2 * ENG_NAME_BYTES + 3];
    size_t n = 0;
    text[n++] = '"';
    for (const char *p = col->name; *p != '\0'; p++) {
        if (*p == '"') text[n++] = '"';
        text[n++] = *p;
    }
    text[n++] = '"';
    text[n] = '\0';
    return sql_bind_stored_expr(dc->bc, base, text, type, typmod, out);
}

static const char *ddl_type_text(sql_ddl_ctx *dc, uint32_t type, int32_t typmod) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, dc->bc->arena, 32);
    sql_type_format(type, typmod, &sb);
    sql_strbuf_putc(&sb, '\0');
    return sb.failed ? "?" : sb.data;
}

bool sql_ddl_type_conversion(sql_ddl_ctx *dc, const eng_table *base, const eng_column *col,
                             uint32_t type, int32_t typmod, const sql_node *using_expr,
                             sql_expr **out, rt_err *err) {
    sql_expr *src;
    bool ok = using_expr != NULL
                  ? sql_bind_table_expr(dc->bc, base, using_expr, SQL_T_ANY, -1, &src)
                  : ddl_column_expr(dc, base, col, SQL_T_ANY, -1, &src);
    if (!ok) return false;
    bool castable = src->type_oid == type || src->type_oid == SQL_T_UNKNOWN ||
                    sql_cast_allowed(src->type_oid, type, SQL_CAST_ASSIGNMENT);
    if (!castable && using_expr == NULL) {
        const char *tn = ddl_type_text(dc, type, typmod);
        rt_err_set(err, SQLSTATE_DATATYPE_MISMATCH,
                   "column \"%s\" cannot be cast automatically to type %s", col->name, tn);
        rt_err_hint(err, "You might need to specify \"USING %s::%s\".", col->name, tn);
        return false;
    }
    if (!castable) {
        rt_err_set(err, SQLSTATE_DATATYPE_MISMATCH,
                   "result of USING clause for column \"%s\" cannot be cast automatically to "
                   "type %s", col->name, ddl_type_text(dc, type, typmod));
        rt_err_hint(err, "You might need to add an explicit cast.");
        return false;
    }
    return using_expr != NULL
               ? sql_bind_table_expr(dc->bc, base, using_expr, type, typmod, out)
               : ddl_column_expr(dc, base, col, type, typmod, out);
}

/* ---- the copy ---- */

/* Column references of an expression bound over all of `old`'s columns (index attnum - 1)
 * renumbered to the scan's output, which leaves dropped columns out. */
static bool ddl_rewrite_remap(sql_expr *e, const uint32_t *pos, rt_err *err) {
    if (e == NULL) return true;
    if (e->kind == SQL_X_SUBQUERY) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot use subquery in transform expression");
    }
    if (e->kind == SQL_X_COLUMN) e->column.index = pos[e->column.index];
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (!ddl_rewrite_remap(e->args[i], pos, err)) return false;
    }
    return true;
}

/* PROJECT over the scan: each column as it is, or converted. */
static sql_plan *ddl_rewrite_project(sql_ddl_ctx *dc, const eng_table *old,
                                     const eng_table *fresh, sql_plan *scan,
                                     sql_expr *const *convert, rt_err *err) {
    rt_arena *arena = dc->bc->arena;
    sql_plan *pr = sql_plan_new(arena, SQL_P_PROJECT, scan->ncols);
    uint32_t *pos = rt_arena_alloc(arena, sizeof(uint32_t) * (old->column_count + 1u));
    if (pr == NULL || pos == NULL) return rt_arena_fail(arena, err), NULL;
    pr->project.exprs = rt_arena_alloc(arena, sizeof(sql_expr *) * (scan->ncols + 1u));
    if (pr->project.exprs == NULL) return rt_arena_fail(arena, err), NULL;
    for (uint32_t c = 0, k = 0; c < old->column_count; c++) {
        pos[c] = old->columns[c].dropped ? 0 : k++;
    }
    for (uint32_t k = 0; k < scan->ncols; k++) {
        uint16_t attnum = (uint16_t)scan->cols[k].attnum;
        const eng_column *nc = &fresh->columns[attnum - 1];
        sql_expr *e = convert[attnum - 1];
        if (e == NULL) {
            e = sql_expr_new(arena, SQL_X_COLUMN, scan->cols[k].type_oid, 0);
            if (e == NULL) return rt_arena_fail(arena, err), NULL;
            e->typmod = scan->cols[k].typmod;
            e->column.index = k;
        } else if (!ddl_rewrite_remap(e, pos, err)) {
            return NULL;
        }
        pr->project.exprs[k] = e;
        pr->cols[k] = (sql_col){.name = nc->name, .type_oid = nc->type_oid,
                                .typmod = nc->typmod, .table_oid = fresh->oid,
                                .attnum = (int16_t)attnum};
    }
    pr->left = scan;
    return pr;
}

/* The CHECK constraints of the new definition, checked on every copied row. */
static bool ddl_rewrite_checks(sql_ddl_ctx *dc, const eng_table *fresh, sql_plan *ins,
                               rt_err *err) {
    rt_arena *arena = dc->bc->arena;
    uint32_t n = 0;
    for (uint32_t i = 0; i < fresh->constraint_count; i++) n += fresh->constraints[i].kind == 'c';
    ins->modify.checks = rt_arena_alloc(arena, sizeof(sql_expr *) * (n + 1u));
    ins->modify.check_names = rt_arena_alloc(arena, sizeof(char *) * (n + 1u));
    if (ins->modify.checks == NULL || ins->modify.check_names == NULL) {
        return rt_arena_fail(arena, err);
    }
    for (uint32_t i = 0; i < fresh->constraint_count; i++) {
        const eng_constraint *con = &fresh->constraints[i];
        if (con->kind != 'c' || con->check_text == NULL) continue;
        uint32_t k = ins->modify.nchecks;
        if (!sql_bind_stored_expr(dc->bc, fresh, con->check_text, SQL_T_BOOL, -1,
                                  &ins->modify.checks[k])) {
            return false;
        }
        ins->modify.check_names[k] = con->name;
        ins->modify.nchecks++;
    }
    return true;
}

/* A row that fails a constraint during ALTER TABLE is reported for the table, as
 * PostgreSQL's table rewrite does ("... is violated by some row"). */
static void ddl_rewrite_error(const eng_table *fresh, rt_err *err) {
    char name[ENG_NAME_BYTES];
    rt_err e;
    rt_err_clear(&e);
    if (rt_err_is(err, SQLSTATE_CHECK_VIOLATION) &&
        sscanf(err->message, "new row for relation \"%*[^\"]\" violates check constraint "
                             "\"%63[^\"]\"", name) == 1) {
        rt_err_set(&e, SQLSTATE_CHECK_VIOLATION,
                   "check constraint \"%s\" of relation \"%s\" is violated by some row", name,
                   fresh->name);
    } else if (rt_err_is(err, SQLSTATE_NOT_NULL_VIOLATION) &&
               sscanf(err->message, "null value in column \"%63[^\"]\"", name) == 1) {
        rt_err_set(&e, SQLSTATE_NOT_NULL_VIOLATION,
                   "column \"%s\" of relation \"%s\" contains null values", name, fresh->name);
    } else if (rt_err_is(err, SQLSTATE_UNIQUE_VIOLATION) &&
               sscanf(err->message, "duplicate key value violates unique constraint "
                                    "\"%63[^\"]\"", name) == 1) {
        /* Converted keys that collide: the key's index could not be built again. */
        char detail[RT_ERR_DETAIL_BYTES_MAX];
        snprintf(detail, sizeof detail, "%s", err->detail);
        char *tail = strstr(detail, " already exists.");
        size_t room = tail != NULL ? sizeof detail - (size_t)(tail - detail) : 0;
        if (tail != NULL) snprintf(tail, room, " is duplicated.");
        rt_err_set(&e, SQLSTATE_UNIQUE_VIOLATION, "could not create unique index \"%s\"", name);
        rt_err_detail(&e, "%s", detail);
    } else {
        return;
    }
    *err = e;
}

bool sql_ddl_next_command(sql_ddl_ctx *dc, rt_err *err) {
    if (dc->command == NULL || dc->x == NULL) return true;
    if (*dc->command + 1u >= ENG_TXN_COMMANDS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "cannot have more than 2^20-1 commands in a transaction");
    }
    (*dc->command)++;
    dc->x->command = *dc->command;
    dc->x->snap.command = *dc->command;
    return true;
}

bool sql_ddl_rewrite(sql_ddl_ctx *dc, const eng_table *old, const eng_table *fresh,
                     sql_expr *const *convert, rt_err *err) {
    rt_arena *arena = dc->bc->arena;
    uint32_t n = 0;
    for (uint32_t c = 0; c < old->column_count; c++) n += !old->columns[c].dropped;
    sql_plan *scan = sql_plan_new(arena, SQL_P_SCAN, n);
    sql_plan *ins = sql_plan_new(arena, SQL_P_INSERT, 0);
    uint16_t *attnums = rt_arena_alloc(arena, sizeof(uint16_t) * (n + 1u));
    sql_expr **defaults = rt_arena_zalloc(arena, sizeof(sql_expr *) * (fresh->column_count + 1u));
    if (scan == NULL || ins == NULL || attnums == NULL || defaults == NULL) {
        return rt_arena_fail(arena, err);
    }
    uint32_t k = 0;
    for (uint32_t c = 0; c < old->column_count; c++) {
        const eng_column *col = &old->columns[c];
        if (col->dropped) continue;
        attnums[k] = col->attnum;
        scan->cols[k] = (sql_col){.name = col->name, .type_oid = col->type_oid,
                                  .typmod = col->typmod, .table_oid = old->oid,
                                  .attnum = (int16_t)col->attnum};
        k++;
    }
    scan->scan.table = old;
    scan->scan.natts = n;
    scan->scan.attnums = attnums;
    ins->left = scan;
    ins->modify.table = fresh;
    ins->modify.ncols = n;
    ins->modify.attnums = attnums;
    ins->modify.defaults = defaults;
    if (convert != NULL) {
        ins->left = ddl_rewrite_project(dc, old, fresh, scan, convert, err);
        if (ins->left == NULL || !ddl_rewrite_checks(dc, fresh, ins, err)) return false;
    }
    sql_plan *plan = sql_plan_optimize(arena, ins, eng_shard_count(), 0, err);
    if (plan == NULL) return false;
    sql_exec_ctx *x = dc->x;
    sql_cursor cur;
    bool ok = sql_cursor_open(&cur, x, plan);
    uint64_t emitted = 0;
    bool more = false;
    if (ok) ok = sql_cursor_fetch(&cur, 0, ddl_rewrite_rows, NULL, &emitted, &more);
    sql_cursor_close(&cur);
    if (!ok && convert != NULL) ddl_rewrite_error(fresh, err);
    return ok && sql_ddl_next_command(dc, err);
}
