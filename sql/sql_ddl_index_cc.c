/* sql_ddl_index_cc.c: the steps of CREATE [UNIQUE] INDEX CONCURRENTLY after its first
 * transaction committed the index invalid (sql_ddl_index.c), also REINDEX CONCURRENTLY's for
 * its _ccnew copies, with its swap, and DROP INDEX CONCURRENTLY's; the session runs each in a
 * transaction of its own (sql_session_index.c), all under SHARE UPDATE EXCLUSIVE, so writers
 * go on throughout. An index without a companion needs no fill: every partition builds its
 * tree when it meets the definition; its finish computes its expressions over the rows (an
 * error leaves it invalid). A unique one's:
 *   ready:   the index becomes "building" and gets its empty companion table (sql_unique.h):
 *            from this commit on every writer that reads the new catalog writes companion rows
 *            for the rows it inserts, updates and deletes;
 *   (wait):  the session waits until no statement reads an older catalog and every
 *            transaction that held ROW EXCLUSIVE on the table then has ended: after it, every
 *            row no build step sees is written by a writer that keeps the companion;
 *   fill:    one partition per transaction: a FOR SHARE scan locks each row's newest version
 *            (a row being written is waited for; one deleted meanwhile is passed over) and
 *            inserts its companion row unless the same row's is there (a writer's); another
 *            row's key there is a duplicate: 23505 "could not create unique index". The row
 *            lock keeps a writer from ending the row before the companion row commits, and a
 *            writer that ends it afterwards deletes that companion row itself;
 *   finish:  the index becomes valid (the planner reads it, ON CONFLICT may name it);
 *   abandon: after a failure: invalid and not building, its companion dropped, as
 *            PostgreSQL leaves a failed build (indisvalid and indisready false). */
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_exec.h"
#include "sql/sql_exec_unique.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_tablelock.h"
#include "sql/sql_unique.h"

void (*sql_ddl_index_build_hook)(uint32_t index_oid);

/* Sets the index's state in a new catalog version (SHARE UPDATE EXCLUSIVE on its table). */
static bool ddl_cc_set_state(sql_ddl_ctx *dc, uint32_t index_oid, bool invalid, bool building,
                             rt_err *err) {
    const eng_index *ix;
    const eng_table *base = eng_db_table_of_index(dc->bc->db, index_oid, &ix);
    if (base != NULL &&
        !sql_ddl_lock_table(dc, base, SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE, err)) {
        return false;
    }
    if (!sql_ddl_begin(dc, err)) return false;
    base = eng_db_table_of_index(dc->bc->db, index_oid, &ix);
    if (base == NULL) { /* dropped in between (the session's lock keeps DDL out: a bug) */
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "index with OID %u does not exist",
                          index_oid);
    }
    eng_table *t = sql_ddl_table_copy(dc, base, err);
    if (t == NULL) return false;
    for (uint32_t i = 0; i < t->index_count; i++) {
        if (t->indexes[i].oid != index_oid) continue;
        t->indexes[i].invalid = invalid;
        t->indexes[i].building = building;
    }
    t->def_gen = eng_catalog_def_gen();
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
    sql_ddl_db(dc);
    rt_err *saved = dc->bc->err;
    dc->bc->err = err;
    bool ok = sql_ddl_unique_sync(dc, err);
    dc->bc->err = saved;
    return ok;
}

/* Whether the index gets a companion table once it is building (sql_unique.h). */
static bool ddl_cc_companion(const eng_table *t, const eng_index *ix) {
    eng_index building = *ix;
    building.building = true;
    return sql_unique_needs_companion(t, &building);
}

bool sql_ddl_index_ready(sql_ddl_ctx *dc, uint32_t index_oid, uint32_t *table_oid,
                         uint32_t *partitions, rt_err *err) {
    const eng_index *ix;
    const eng_table *t = eng_db_table_of_index(dc->bc->db, index_oid, &ix);
    if (t == NULL) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "index with OID %u does not exist",
                          index_oid);
    }
    *table_oid = t->oid;
    *partitions = 0;
    /* Without a companion every partition builds the tree itself: nothing to fill. */
    if (!ddl_cc_companion(t, ix)) return true;
    if (!ddl_cc_set_state(dc, index_oid, true, true, err)) return false;
    t = eng_db_table_of_index(dc->bc->db, index_oid, &ix);
    *partitions = t->partition_count;
    return true;
}

bool sql_ddl_index_finish(sql_ddl_ctx *dc, uint32_t index_oid, rt_err *err) {
    const eng_index *ix;
    const eng_table *t = eng_db_table_of_index(dc->bc->db, index_oid, &ix);
    /* An expression or a predicate is computed over every row: an error leaves it invalid. */
    if (t != NULL && !ddl_cc_companion(t, ix) && !sql_ddl_index_validate(dc, t, ix, err)) {
        return false;
    }
    return ddl_cc_set_state(dc, index_oid, false, false, err);
}

bool sql_ddl_index_set_state(sql_ddl_ctx *dc, uint32_t index_oid, bool invalid, bool ready,
                             rt_err *err) {
    return ddl_cc_set_state(dc, index_oid, invalid, invalid && ready, err);
}

/* Index `oid` of working copy `t`, NULL if none. */
static eng_index *ddl_cc_index(eng_table *t, uint32_t oid) {
    for (uint32_t i = 0; i < t->index_count; i++) {
        if (t->indexes[i].oid == oid) return &t->indexes[i];
    }
    return NULL;
}

/* SHARE UPDATE EXCLUSIVE on the tables of indexes `oids`, then the draft. */
static bool ddl_cc_begin(sql_ddl_ctx *dc, const uint32_t *oids, uint32_t count, rt_err *err) {
    for (uint32_t k = 0; k < count; k++) {
        const eng_index *ix;
        const eng_table *base = eng_db_table_of_index(dc->bc->db, oids[k], &ix);
        if (base != NULL &&
            !sql_ddl_lock_table(dc, base, SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE, err)) {
            return false;
        }
    }
    return sql_ddl_begin(dc, err);
}

/* A working copy of the table of index `oid` in the draft; NULL if it is gone (or, with *err
 * set, past the arena's budget). */
static eng_table *ddl_cc_table_copy(sql_ddl_ctx *dc, uint32_t oid, rt_err *err) {
    const eng_index *ix;
    const eng_table *base = eng_db_table_of_index(dc->bc->db, oid, &ix);
    return base != NULL ? sql_ddl_table_copy(dc, base, err) : NULL;
}

bool sql_ddl_index_swap(sql_ddl_ctx *dc, const uint32_t *old_oids, const uint32_t *new_oids,
                        uint32_t count, rt_err *err) {
    if (!ddl_cc_begin(dc, old_oids, count, err)) return false;
    for (uint32_t k = 0; k < count; k++) {
        eng_table *t = ddl_cc_table_copy(dc, old_oids[k], err);
        if (t == NULL) {
            if (rt_err_is_set(err)) return false;
            continue;
        }
        eng_index *old = ddl_cc_index(t, old_oids[k]), *fresh = ddl_cc_index(t, new_oids[k]);
        if (old == NULL || fresh == NULL) continue;
        /* The new index takes the old one's name, constraint, primary key and comment; the old
         * one is renamed <name>_ccold and is no longer valid nor ready (its companion goes). */
        char name[ENG_NAME_BYTES], ccold[ENG_NAME_BYTES];
        snprintf(name, sizeof name, "%s", old->name);
        sql_ddl_choose_name(dc, t->schema_oid, t, name, NULL, "ccold", ccold);
        snprintf(old->name, sizeof old->name, "%s", ccold);
        snprintf(fresh->name, sizeof fresh->name, "%s", name);
        fresh->primary = old->primary;
        fresh->comment = old->comment;
        old->primary = false;
        old->comment = NULL;
        old->invalid = true;
        old->building = false;
        for (uint32_t i = 0; i < t->constraint_count; i++) {
            if (t->constraints[i].index_oid == old_oids[k]) {
                t->constraints[i].index_oid = new_oids[k];
            }
        }
        t->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
        sql_ddl_db(dc);
    }
    return sql_ddl_unique_sync(dc, err);
}

bool sql_ddl_index_remove(sql_ddl_ctx *dc, const uint32_t *oids, uint32_t count, rt_err *err) {
    if (!ddl_cc_begin(dc, oids, count, err)) return false;
    for (uint32_t k = 0; k < count; k++) {
        eng_table *t = ddl_cc_table_copy(dc, oids[k], err);
        if (t == NULL) {
            if (rt_err_is_set(err)) return false;
            continue;
        }
        uint32_t at = (uint32_t)(ddl_cc_index(t, oids[k]) - t->indexes);
        memmove(&t->indexes[at], &t->indexes[at + 1],
                (t->index_count - at - 1) * sizeof(eng_index));
        t->index_count--;
        t->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, t);
        sql_ddl_db(dc);
    }
    return sql_ddl_unique_sync(dc, err);
}

bool sql_ddl_index_abandon(sql_ddl_ctx *dc, uint32_t index_oid, rt_err *err) {
    return ddl_cc_set_state(dc, index_oid, true, false, err);
}

typedef struct ddl_cc_fill {
    sql_exec_ctx *x;
    const eng_table *c;
    const eng_index *ix;
} ddl_cc_fill;

/* Companion rows for a batch of locked rows (the key, then the primary key). */
static bool ddl_cc_fill_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                             rt_err *err) {
    ddl_cc_fill *f = arg;
    sql_value row[ENG_INDEX_COLUMNS_MAX * 2], found[ENG_INDEX_COLUMNS_MAX * 2];
    for (uint32_t r = from; r < to; r++) {
        for (uint32_t k = 0; k < f->c->column_count; k++) {
            sql_vec_get(&b->cols[k], r, &row[k]);
            row[k].type_oid = f->c->columns[k].type_oid;
        }
        if (sql_uniq_row_skipped(f->c, row)) continue; /* a NULL in the key: no companion row */
        eng_insert_result res = sql_uniq_insert_arbiter(f->x, f->c, row, found);
        if (res == ENG_INSERTED) continue;
        if (res != ENG_CONFLICT) {
            if (f->x->err != err && rt_err_is_set(f->x->err)) *err = *f->x->err;
            return false;
        }
        if (sql_uniq_same_row(f->c, row, found)) continue; /* a writer's, for this row */
        sql_uniq_violation(f->x, f->c, NULL, row);
        if (f->x->err != err) *err = *f->x->err;
        sql_ddl_unique_build_error(f->ix, err);
        return false;
    }
    return true;
}

/* SCAN of the key's and the primary key's columns (or the expression source), locking. */
static sql_plan *ddl_cc_source(sql_ddl_ctx *dc, const eng_table *t, const eng_index *ix,
                               uint32_t n, rt_err *err) {
    rt_arena *arena = dc->bc->arena;
    sql_plan *top, *scan;
    if (sql_ixexpr_any(ix)) {
        top = sql_ddl_unique_expr_source(dc, t, ix, n, err);
        if (top == NULL) return NULL;
        scan = top->left;
    } else {
        top = scan = sql_plan_new(arena, SQL_P_SCAN, n);
        uint16_t *atts = rt_arena_alloc(arena, sizeof(uint16_t) * n);
        if (scan == NULL || atts == NULL) return rt_arena_fail(arena, err), NULL;
        for (uint32_t k = 0; k < n; k++) {
            uint16_t att = k < ix->column_count ? ix->attnums[k]
                                                : t->pk_attnums[k - ix->column_count];
            const eng_column *col = &t->columns[att - 1];
            atts[k] = att;
            scan->cols[k] = (sql_col){.name = col->name, .type_oid = col->type_oid,
                                      .typmod = col->typmod, .table_oid = t->oid,
                                      .attnum = (int16_t)att};
        }
        scan->scan.table = t;
        scan->scan.natts = n;
        scan->scan.attnums = atts;
    }
    scan->scan.lock_strength = SQL_LOCK_SHARE;
    scan->scan.lock_wait = SQL_LOCK_WAIT_BLOCK;
    return top;
}

/* Restricts the plan's GATHER to partition `part`. */
static void ddl_cc_one_partition(sql_plan *p, uint32_t *part) {
    for (; p != NULL; p = p->left) {
        if (p->kind != SQL_P_GATHER) continue;
        p->gather.partitions = part;
        p->gather.npartitions = 1;
        return;
    }
}

bool sql_ddl_index_fill_part(sql_ddl_ctx *dc, uint32_t index_oid, uint32_t part, rt_err *err) {
    const eng_index *ix;
    const eng_table *t = eng_db_table_of_index(dc->bc->db, index_oid, &ix);
    const eng_table *c = t != NULL ? sql_unique_companion(dc->bc->db, t, ix) : NULL;
    if (c == NULL || !ix->building) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "index with OID %u does not exist",
                          index_oid);
    }
    if (!sql_ddl_lock_table(dc, t, SQL_TLOCK_SHARE_UPDATE_EXCLUSIVE, err)) return false;
    if (part >= t->partition_count) return true;
    sql_plan *src = ddl_cc_source(dc, t, ix, c->column_count, err);
    if (src == NULL) return false;
    sql_plan *plan = sql_plan_optimize(dc->bc->arena, src, eng_shard_count(), 0, err);
    if (plan == NULL) return false;
    uint32_t *one = rt_arena_alloc(dc->bc->arena, sizeof *one);
    if (one == NULL) return rt_arena_fail(dc->bc->arena, err);
    *one = part;
    ddl_cc_one_partition(plan, one);
    ddl_cc_fill f = {.x = dc->x, .c = c, .ix = ix};
    sql_cursor cur;
    bool ok = sql_cursor_open(&cur, dc->x, plan);
    uint64_t emitted = 0;
    bool more = false;
    if (ok) ok = sql_cursor_fetch(&cur, 0, ddl_cc_fill_rows, &f, &emitted, &more);
    sql_cursor_close(&cur);
    return ok;
}
