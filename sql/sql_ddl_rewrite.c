/* sql_ddl_rewrite.c: moving a table's rows into new storage (ALTER TABLE ... ADD PRIMARY KEY on
 * a table with rows changes how rows are partitioned, so every row moves). */
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_exec.h"

static bool ddl_rewrite_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                             rt_err *err) {
    (void)arg, (void)b, (void)from, (void)to, (void)err;
    return true;
}

bool sql_ddl_rewrite(sql_ddl_ctx *dc, const eng_table *old, const eng_table *fresh, rt_err *err) {
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
    sql_plan *plan = sql_plan_optimize(arena, ins, eng_shard_count(), 0, err);
    if (plan == NULL) return false;
    sql_exec_ctx *x = dc->x;
    sql_cursor cur;
    bool ok = sql_cursor_open(&cur, x, plan);
    uint64_t emitted = 0;
    bool more = false;
    if (ok) ok = sql_cursor_fetch(&cur, 0, ddl_rewrite_rows, NULL, &emitted, &more);
    sql_cursor_close(&cur);
    return ok;
}
