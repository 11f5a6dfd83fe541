/* sql_ddl_unique.c: keeps the hidden companion tables of UNIQUE constraints (sql_unique.h) in
 * step with the catalog at the end of every DDL statement: a unique index without a companion
 * gets one, filled from the table's rows (duplicates: 23505 "could not create unique index");
 * a companion whose index is gone, whose key columns changed type, or whose table moved to new
 * storage (TRUNCATE, a rewrite) is dropped and, if its index remains, built again. Doing it in
 * one place keeps every DDL path (DROP, ALTER, TRUNCATE, RENAME) correct without each knowing. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_exec.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_unique.h"

/* The table's column behind column i of its companion: the key's, then the primary key's. */
static uint16_t ddl_unique_source_attnum(const eng_table *t, const eng_index *ix, uint32_t i) {
    return i < ix->column_count ? ix->attnums[i] : t->pk_attnums[i - ix->column_count];
}

/* Type, typmod and collation of companion column i: the table column's or the expression's. */
static bool ddl_unique_source_type(const eng_table *t, const eng_index *ix, uint32_t i,
                                   eng_column *out) {
    uint16_t att = ddl_unique_source_attnum(t, ix, i);
    if (att != 0) {
        const eng_column *a = &t->columns[att - 1];
        if (a->dropped) return false;
        out->type_oid = a->type_oid;
        out->typmod = a->typmod;
        out->collation = a->collation;
        out->vector_dims = a->vector_dims;
        out->store = a->store;
        return true;
    }
    rt_err tmp;
    rt_err_clear(&tmp);
    if (!sql_ixexpr_key_type(t, ix, i, &out->type_oid, &out->typmod, &tmp)) return false;
    out->collation = 0;
    out->vector_dims = 0;
    out->store = (uint8_t)eng_store_of_type(out->type_oid);
    return true;
}

static bool ddl_unique_current(const eng_table *t, const eng_index *ix, const eng_table *c) {
    uint32_t n = ix->column_count + t->pk_count;
    if (sql_unique_source_storage(c) != t->storage_id || c->column_count != n ||
        c->pk_count != ix->column_count || c->partition_count != t->partition_count ||
        c->persistence != t->persistence || c->schema_oid != t->schema_oid) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        eng_column a;
        const eng_column *b = &c->columns[i];
        if (!ddl_unique_source_type(t, ix, i, &a) || a.type_oid != b->type_oid ||
            a.typmod != b->typmod || a.collation != b->collation) {
            return false;
        }
    }
    return true;
}

/* Drops one companion that no longer matches its index; false when none is left to drop. */
static bool ddl_unique_drop_stale(sql_ddl_ctx *dc) {
    const eng_database *db = sql_ddl_db(dc);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *c = &db->tables[i];
        if (!sql_unique_is_companion(c)) continue;
        const eng_table *t;
        const eng_index *ix;
        if (sql_unique_owner(db, c, &t, &ix) && sql_unique_needs_companion(t, ix) &&
            ddl_unique_current(t, ix, c)) {
            continue;
        }
        eng_draft_remove_table(sql_ddl_draft(dc), dc->db_oid, c->oid);
        sql_ddl_db(dc);
        return true;
    }
    return false;
}

static bool ddl_unique_fill_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                                 rt_err *err) {
    (void)arg, (void)b, (void)from, (void)to, (void)err;
    return true;
}

/* The rows an expression or partial index's companion gets: every column of t read (so the
 * bound expressions' column numbers hold), the predicate as the scan's filter, and a
 * projection to the key's values and the primary key. */
sql_plan *sql_ddl_unique_expr_source(sql_ddl_ctx *dc, const eng_table *t, const eng_index *ix,
                                     uint32_t n, rt_err *err) {
    rt_arena *arena = dc->bc->arena;
    sql_expr *exprs[ENG_INDEX_COLUMNS_MAX];
    sql_expr *pred;
    if (!sql_ixexpr_bind(arena, t, ix, exprs, &pred, err)) return NULL;
    sql_plan *scan = sql_plan_new(arena, SQL_P_SCAN, t->column_count);
    sql_plan *proj = sql_plan_new(arena, SQL_P_PROJECT, n);
    uint16_t *atts = rt_arena_alloc(arena, sizeof(uint16_t) * (t->column_count + 1u));
    sql_expr **out = rt_arena_zalloc(arena, sizeof(sql_expr *) * (n + 1u));
    if (scan == NULL || proj == NULL || atts == NULL || out == NULL) {
        return rt_arena_fail(arena, err), NULL;
    }
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        atts[c] = col->attnum;
        scan->cols[c] = (sql_col){.name = col->name, .type_oid = col->type_oid,
                                  .typmod = col->typmod, .table_oid = t->oid,
                                  .attnum = (int16_t)col->attnum};
    }
    scan->scan.table = t;
    scan->scan.natts = t->column_count;
    scan->scan.attnums = atts;
    scan->scan.filter = pred;
    for (uint32_t k = 0; k < n; k++) {
        uint16_t att = ddl_unique_source_attnum(t, ix, k);
        if (att == 0) {
            out[k] = exprs[k];
        } else {
            const eng_column *col = &t->columns[att - 1];
            out[k] = sql_expr_new(arena, SQL_X_COLUMN, col->type_oid, 0);
            if (out[k] == NULL) return rt_arena_fail(arena, err), NULL;
            out[k]->typmod = col->typmod;
            out[k]->column.index = att - 1u;
        }
        proj->cols[k] = (sql_col){.name = "key", .type_oid = out[k]->type_oid,
                                  .typmod = out[k]->typmod};
    }
    proj->left = scan;
    proj->project.exprs = out;
    return proj;
}

/* INSERT INTO companion SELECT key columns FROM t, in the statement's transaction; the insert
 * skips keys with a NULL and reports a duplicate as 23505 with the key. */
static bool ddl_unique_fill(sql_ddl_ctx *dc, const eng_table *t, const eng_index *ix,
                            const eng_table *c, rt_err *err) {
    rt_arena *arena = dc->bc->arena;
    uint32_t n = c->column_count;
    bool exprs = sql_ixexpr_any(ix);
    sql_plan *scan = exprs ? sql_ddl_unique_expr_source(dc, t, ix, n, err)
                           : sql_plan_new(arena, SQL_P_SCAN, n);
    if (scan == NULL && exprs) return false;
    sql_plan *ins = sql_plan_new(arena, SQL_P_INSERT, 0);
    uint16_t *scan_atts = rt_arena_alloc(arena, sizeof(uint16_t) * n);
    uint16_t *ins_atts = rt_arena_alloc(arena, sizeof(uint16_t) * n);
    sql_expr **defaults = rt_arena_zalloc(arena, sizeof(sql_expr *) * (n + 1u));
    if (scan == NULL || ins == NULL || scan_atts == NULL || ins_atts == NULL ||
        defaults == NULL) {
        return rt_arena_fail(arena, err);
    }
    for (uint32_t k = 0; k < n; k++) {
        ins_atts[k] = (uint16_t)(k + 1);
        if (exprs) continue;
        const eng_column *col = &t->columns[ddl_unique_source_attnum(t, ix, k) - 1];
        scan_atts[k] = col->attnum;
        scan->cols[k] = (sql_col){.name = col->name, .type_oid = col->type_oid,
                                  .typmod = col->typmod, .table_oid = t->oid,
                                  .attnum = (int16_t)col->attnum};
    }
    if (!exprs) {
        scan->scan.table = t;
        scan->scan.natts = n;
        scan->scan.attnums = scan_atts;
    }
    ins->left = scan;
    ins->modify.table = c;
    ins->modify.ncols = n;
    ins->modify.attnums = ins_atts;
    ins->modify.defaults = defaults;
    sql_plan *plan = sql_plan_optimize(arena, ins, eng_shard_count(), 0, err);
    if (plan == NULL) return false;
    sql_cursor cur;
    bool ok = sql_cursor_open(&cur, dc->x, plan);
    uint64_t emitted = 0;
    bool more = false;
    if (ok) ok = sql_cursor_fetch(&cur, 0, ddl_unique_fill_rows, NULL, &emitted, &more);
    sql_cursor_close(&cur);
    if (!ok && rt_err_is(err, SQLSTATE_UNIQUE_VIOLATION)) sql_ddl_unique_build_error(ix, err);
    return ok;
}

void sql_ddl_unique_build_error(const eng_index *ix, rt_err *err) {
    /* The executor says "Key (a)=(1) already exists."; CREATE INDEX says "is duplicated". */
    char detail[sizeof err->detail];
    snprintf(detail, sizeof detail, "%s", err->detail);
    char *tail = strstr(detail, " already exists.");
    size_t room = tail != NULL ? sizeof detail - (size_t)(tail - detail) : 0;
    if (tail != NULL) snprintf(tail, room, " is duplicated.");
    rt_err_clear(err);
    rt_err_set(err, SQLSTATE_UNIQUE_VIOLATION, "could not create unique index \"%s\"", ix->name);
    rt_err_detail(err, "%s", detail);
}

static bool ddl_index_validate_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                                    rt_err *err) {
    (void)arg, (void)b, (void)from, (void)to, (void)err;
    return true;
}

bool sql_ddl_index_validate(sql_ddl_ctx *dc, const eng_table *t, const eng_index *ix,
                            rt_err *err) {
    if (dc->x == NULL || !sql_ixexpr_any(ix)) return true;
    uint32_t n = ix->column_count + t->pk_count;
    sql_plan *src = sql_ddl_unique_expr_source(dc, t, ix, n, err);
    if (src == NULL) return false;
    sql_plan *plan = sql_plan_optimize(dc->bc->arena, src, eng_shard_count(), 0, err);
    if (plan == NULL) return false;
    sql_cursor cur;
    bool ok = sql_cursor_open(&cur, dc->x, plan);
    uint64_t emitted = 0;
    bool more = false;
    if (ok) ok = sql_cursor_fetch(&cur, 0, ddl_index_validate_rows, NULL, &emitted, &more);
    sql_cursor_close(&cur);
    return ok;
}

static bool ddl_unique_create(sql_ddl_ctx *dc, const eng_table *t, const eng_index *ix,
                              rt_err *err) {
    if (dc->x == NULL) { /* no executor to fill the companion with (catalog-only callers) */
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "UNIQUE constraints other than the primary key need the statement's "
                          "executor");
    }
    uint32_t n = ix->column_count + t->pk_count;
    eng_column cols[ENG_INDEX_COLUMNS_MAX * 2];
    eng_index pk;
    eng_table c;
    memset(&c, 0, sizeof c);
    memset(&pk, 0, sizeof pk);
    c.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    sql_unique_name(ix, c.name);
    c.schema_oid = t->schema_oid;
    c.owner_oid = t->owner_oid;
    c.kind = 'r';
    c.persistence = t->persistence;
    c.on_commit = SQL_UNIQUE_MARK;
    c.temp_session = t->temp_session;
    c.storage_id = eng_catalog_new_storage_id(sql_ddl_draft(dc));
    c.def_gen = eng_catalog_def_gen();
    c.partition_count = t->partition_count;
    c.fillfactor = 100;
    c.column_count = (uint16_t)n;
    c.columns = cols;
    c.pk_count = ix->column_count;
    /* Columns: the key (the companion's primary key), then the table's primary key, which
     * finds the row owning a key (ON CONFLICT ... DO UPDATE on the constraint). */
    for (uint32_t k = 0; k < n; k++) {
        uint16_t att = ddl_unique_source_attnum(t, ix, k);
        eng_column *col = &cols[k];
        memset(col, 0, sizeof *col);
        if (!ddl_unique_source_type(t, ix, k, col)) {
            return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "cannot type key column %u of \"%s\"",
                              k + 1, ix->name);
        }
        if (att != 0) snprintf(col->name, sizeof col->name, "%s", t->columns[att - 1].name);
        else snprintf(col->name, sizeof col->name, "%s", sql_ixexpr_key_name(t, ix, k));
        col->attnum = (uint16_t)(k + 1);
        /* NULLS NOT DISTINCT: NULL keys collide too */
        col->not_null = k < ix->column_count && !ix->nulls_not_distinct;
        if (k >= ix->column_count) continue;
        c.pk_attnums[k] = (uint16_t)(k + 1);
        pk.attnums[k] = (uint16_t)(k + 1);
    }
    pk.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    snprintf(pk.name, sizeof pk.name, "%.40s_pkey", c.name);
    pk.table_oid = c.oid;
    pk.method = ENG_INDEX_BTREE;
    pk.unique = pk.primary = true;
    pk.column_count = ix->column_count;
    c.index_count = 1;
    c.indexes = &pk;
    c.options_text = sql_ddl_printf(dc, err, "source_storage=%llu",
                                    (unsigned long long)t->storage_id);
    if (c.options_text == NULL) return false;
    eng_draft_add_table(sql_ddl_draft(dc), dc->db_oid, &c);
    const eng_database *db = sql_ddl_db(dc);
    const eng_table *added = eng_db_table_by_oid(db, c.oid);
    const eng_index *owner_ix;
    const eng_table *owner = eng_db_table_of_index(db, ix->oid, &owner_ix);
    /* CONCURRENTLY fills it later, batch by batch, beside the writers (sql_ddl_index_cc.c). */
    if (added == NULL || owner == NULL || owner_ix->building) return true;
    return ddl_unique_fill(dc, owner, owner_ix, added, err);
}

/* Creates one missing companion; *done when none is missing. */
static bool ddl_unique_add_missing(sql_ddl_ctx *dc, bool *done, rt_err *err) {
    const eng_database *db = sql_ddl_db(dc);
    *done = true;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->kind != 'r' || sql_unique_is_companion(t)) continue;
        for (uint32_t j = 0; j < t->index_count; j++) {
            const eng_index *ix = &t->indexes[j];
            if (!sql_unique_needs_companion(t, ix)) continue;
            char name[ENG_NAME_BYTES];
            sql_unique_name(ix, name);
            if (eng_db_table_by_name(db, t->schema_oid, name) != NULL) continue;
            *done = false;
            return ddl_unique_create(dc, t, ix, err);
        }
    }
    return true;
}

bool sql_ddl_unique_sync(sql_ddl_ctx *dc, rt_err *err) {
    if (dc->txn == NULL || dc->txn->draft == NULL) return true;
    while (ddl_unique_drop_stale(dc)) {}
    for (;;) {
        bool done;
        if (!ddl_unique_add_missing(dc, &done, err)) return false;
        if (done) return true;
    }
}
