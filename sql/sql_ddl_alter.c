/* sql_ddl_alter.c: ALTER TABLE / INDEX / SEQUENCE / VIEW. Each statement edits a working copy
 * of the table and replaces it in the draft once, with a new definition generation.
 * Changes that need the rows rewritten (a new primary key, a type change) copy them into fresh
 * storage through the executor (sql_ddl_rewrite.c); the unique keys' companions are rebuilt
 * over the new values afterwards and foreign keys over a converted column are checked again.
 * What cannot be rewritten (a volatile default for existing rows, a vector's dimension) is done
 * when the table has no rows and refused with 0A000 otherwise; rows are counted on the shards
 * that own them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "sql/sql_ddl_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_fk.h"
#include "sql/sql_session.h"
#include "sql/sql_stats.h"
#include "sql/sql_exec_unique.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"
#include "sql/sql_unique.h"

/* ---- counting rows (on the shards) ---- */

typedef struct ddl_scan {
    const eng_table *t;
    uint16_t attnum;     /* count NULLs of this column too (0: none) */
    uint32_t shard, shards;
    eng_snapshot snap;
    uint64_t rows, nulls;
} ddl_scan;

static void ddl_scan_shard(void *arg) {
    ddl_scan *s = arg;
    for (uint32_t p = s->shard; p < s->t->partition_count; p += s->shards) {
        eng_part *part = eng_partition(s->t, p);
        uint32_t n = eng_part_slot_count(part);
        for (uint32_t slot = 0; slot < n; slot++) {
            uint64_t begin, end;
            eng_part_stamps(part, slot, &begin, &end);
            /* Rows another transaction is inserting count too: they may commit. */
            bool live = eng_part_visible(part, slot, &s->snap) ||
                        (eng_stamp_is_txn(begin) && !eng_stamp_same_txn(begin, s->snap.own) &&
                         eng_txn_stamp_running(begin));
            if (!live) continue;
            s->rows++;
            if (s->attnum == 0) continue;
            sql_value v;
            eng_part_read(part, slot, s->attnum, &v);
            s->nulls += v.is_null ? 1u : 0u;
        }
    }
}

/* Rows of `t` (as this transaction sees them, plus uncommitted inserts of others), and NULLs in
 * column `attnum`. */
static bool ddl_count_rows(sql_ddl_ctx *dc, const eng_table *t, uint16_t attnum, uint64_t *rows,
                           uint64_t *nulls, rt_err *err) {
    *rows = 0;
    if (nulls != NULL) *nulls = 0;
    if (t->kind != 'r') return true;
    uint32_t shards = eng_shard_count();
    eng_snap_reg reg = {0}; /* vacuum keeps what the scans read */
    eng_snap_register(&reg);
    bool ok = true;
    for (uint32_t s = 0; ok && s < shards && s < t->partition_count; s++) {
        ddl_scan sc = {.t = t, .attnum = attnum, .shard = s, .shards = shards};
        sc.snap.ts = eng_txn_snapshot_ts();
        sc.snap.own = eng_stamp_txn(dc->txn->id.slot, dc->txn->id.generation, 0);
        sc.snap.command = ENG_TXN_COMMANDS_MAX;
        ok = rt_run_on(s, ddl_scan_shard, &sc, err);
        *rows += sc.rows;
        if (nulls != NULL) *nulls += sc.nulls;
    }
    eng_snap_unregister(&reg);
    return ok;
}

static bool ddl_needs_empty(sql_ddl_ctx *dc, const eng_table *base, const char *what,
                            rt_err *err) {
    uint64_t rows;
    if (!ddl_count_rows(dc, base, 0, &rows, NULL, err)) return false;
    if (rows == 0) return true;
    rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
               "%s is not supported yet on a table with rows", what);
    rt_err_detail(err, "Table \"%s\" has rows; Dreambase cannot rewrite them yet.", base->name);
    return false;
}

/* ---- expressions ---- */

static bool ddl_expr_volatile(const sql_expr *e) {
    if (e == NULL) return false;
    if (e->kind == SQL_X_FUNC && e->func.def != NULL && (e->func.def->flags & SQL_F_VOLATILE)) {
        return true;
    }
    if (e->kind == SQL_X_SUBQUERY || e->kind == SQL_X_PARAM) return true;
    for (uint32_t i = 0; i < e->nargs; i++) {
        if (ddl_expr_volatile(e->args[i])) return true;
    }
    return false;
}

/* The value rows stored before ADD COLUMN read: the DEFAULT evaluated once, as PostgreSQL's
 * "missing value". */
static bool ddl_missing_value(sql_ddl_ctx *dc, eng_column *col, const sql_expr *e, rt_err *err) {
    sql_fmt fmt = {.extra_float_digits = 1};
    sql_eval_ctx ec = {.arena = dc->bc->arena, .err = err};
    ec.io = (sql_io_ctx){.arena = dc->bc->arena, .fmt = &fmt, .err = err};
    sql_value v;
    if (!sql_eval_scalar(&ec, e, &v)) return false;
    if (v.is_null) return true; /* rows read NULL: no missing value needed */
    if (sql_phys_of_type(col->type_oid) == SQL_PHYS_BYTES) {
        col->missing = v.b.len > 0 ? v.b.ptr : (const uint8_t *)"";
        col->missing_len = v.b.len;
    } else {
        uint8_t *buf = rt_arena_alloc(dc->bc->arena, 8);
        if (buf == NULL) return rt_arena_fail(dc->bc->arena, err);
        memcpy(buf, &v.i64, 8); /* i64 and f64 share the 8 bytes */
        col->missing = buf;
        col->missing_len = 8;
    }
    return true;
}

/* ---- ADD COLUMN ---- */

typedef struct ddl_alter {
    sql_ddl_ctx *dc;
    const eng_table *base;  /* the definition before this statement (rows are counted there) */
    eng_table *t;           /* the working copy */
    int64_t rows;           /* -1 until counted */
    bool new_storage;       /* the layout changes: fresh partitions */
    bool rewrite;           /* ... and the rows there are copied into them */
    uint32_t fk_check[SQL_DDL_ROOM]; /* foreign keys whose existing rows are checked at the end */
    uint32_t nfk_check;
    sql_expr **convert;     /* ALTER COLUMN ... TYPE on rows: new values by attnum - 1 */
    bool retyped;           /* some ALTER COLUMN ... TYPE changed a column */
    uint32_t *fk_recheck;   /* (table oid, constraint oid) pairs: foreign keys over a converted
                               column, whose rows are checked again after the rewrite */
    uint32_t nfk_recheck;
    bool persistence_set;   /* a SET LOGGED / UNLOGGED that changes it (PostgreSQL allows one) */
} ddl_alter;

/* Adds a foreign key to the working copy; its rows are checked once the table is replaced
 * (unless NOT VALID). */
static bool ddl_alter_add_fk(ddl_alter *a, const sql_constraint *con, const char *column,
                             rt_err *err) {
    if (a->nfk_check == SQL_DDL_ROOM) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many foreign keys added in one ALTER TABLE");
    }
    if (!sql_ddl_add_fk(a->dc, a->t, con, column, err)) return false;
    const eng_constraint *fk = &a->t->constraints[a->t->constraint_count - 1];
    if (fk->validated) a->fk_check[a->nfk_check++] = fk->oid;
    return true;
}

static bool ddl_alter_empty(ddl_alter *a, const char *what, rt_err *err) {
    if (a->rows < 0) {
        uint64_t rows;
        if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
        a->rows = (int64_t)rows;
    }
    if (a->rows == 0) return true;
    return ddl_needs_empty(a->dc, a->base, what, err);
}

static bool ddl_add_column_constraints(ddl_alter *a, const sql_columndef *cd, eng_column *col,
                                       const sql_node **def, rt_err *err) {
    for (uint32_t j = 0; j < cd->constraints.count; j++) {
        const sql_constraint *con = SQL_LIST_AT(cd->constraints, j);
        switch (con->constr_kind) {
        case SQL_CONSTR_NULL: col->not_null = false; break;
        case SQL_CONSTR_NOTNULL: col->not_null = true; break;
        case SQL_CONSTR_DEFAULT:
            *def = con->expr;
            col->default_text = con->expr_text;
            break;
        case SQL_CONSTR_CHECK:
            if (!ddl_alter_empty(a, "ADD COLUMN ... CHECK", err)) return false;
            if (!sql_ddl_add_check(a->dc, a->t, con, col->name, err)) return false;
            break;
        case SQL_CONSTR_PRIMARY: case SQL_CONSTR_UNIQUE: {
            if (con->constr_kind == SQL_CONSTR_PRIMARY &&
                !ddl_alter_empty(a, "ADD COLUMN ... PRIMARY KEY", err)) {
                return false;
            }
            sql_constraint k = *con;
            memset(&k.keys, 0, sizeof k.keys);
            if (!sql_list_push(a->dc->bc->arena, &k.keys, (void *)col->name)) {
                return rt_arena_fail(a->dc->bc->arena, err);
            }
            if (!sql_ddl_add_key(a->dc, a->t, &k, err)) return false;
            a->new_storage |= con->constr_kind == SQL_CONSTR_PRIMARY;
            break;
        }
        case SQL_CONSTR_FOREIGN:
            if (!ddl_alter_add_fk(a, con, col->name, err)) return false;
            break;
        default:
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "this column constraint in ADD COLUMN is not supported yet");
        }
    }
    return true;
}

static bool ddl_add_column(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    sql_ddl_ctx *dc = a->dc;
    eng_table *t = a->t;
    const sql_columndef *cd = c->column;
    if (eng_table_column_by_name(t, cd->name) != NULL &&
        !eng_table_column_by_name(t, cd->name)->dropped) {
        if (c->if_not_exists) {
            sql_ddl_notice(dc, SQLSTATE_DUPLICATE_COLUMN,
                           "column \"%s\" of relation \"%s\" already exists, skipping", cd->name,
                           t->name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                          "column \"%s\" of relation \"%s\" already exists", cd->name, t->name);
    }
    if (t->column_count >= ENG_COLUMNS_MAX) {
        return rt_err_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most %d columns",
                          ENG_COLUMNS_MAX);
    }
    /* The working copy has room for one more column (sql_ddl_table_copy). */
    eng_column *col = &t->columns[t->column_count];
    memset(col, 0, sizeof *col);
    snprintf(col->name, sizeof col->name, "%s", cd->name);
    col->attnum = (uint16_t)(t->column_count + 1);
    const char *tn = cd->type->name.parts[cd->type->name.count - 1];
    if (strstr(tn, "serial") != NULL && cd->type->name.count == 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ADD COLUMN of a serial column is not supported yet");
    }
    const eng_domain *domain;
    bool array;
    if (!sql_bind_typename_domain(dc->bc, cd->type, &col->type_oid, &col->typmod, &domain,
                                  &array)) {
        return false;
    }
    /* An array of a domain takes no default from it: existing rows are NULL arrays. */
    if (domain != NULL && (cd->constraints.count > 0 ||
                           (!array && (domain->not_null ||
                                       sql_domain_default(dc->bc->db, domain) != NULL)))) {
        /* The existing rows would take a default the domain must check. */
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ADD COLUMN of domain %s with a default, NOT NULL or constraints is "
                          "not supported yet", domain->name);
    }
    col->domain_oid = domain == NULL ? 0 : array ? domain->array_oid : domain->oid;
    if (col->type_oid == t->rowtype_oid) {
        return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                          "composite type %s cannot be made a member of itself", t->name);
    }
    if (col->type_oid == SQL_T_VECTOR) {
        if (col->typmod < 1) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "vector column \"%s\" needs a dimension", cd->name);
        }
        col->vector_dims = (uint32_t)col->typmod;
    }
    col->store = (uint8_t)eng_store_of_type(col->type_oid);
    col->collation = cd->collation.count > 0 &&
                     strcmp(cd->collation.parts[cd->collation.count - 1], "C") == 0 ? 950u : 0u;
    t->column_count++;
    if (cd->constraints.count > SQL_DDL_ROOM - 2) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "more than %u constraints in one ADD COLUMN are not supported",
                          SQL_DDL_ROOM - 2);
    }
    if (col->type_oid == SQL_T_VECTOR) sql_ddl_vector_index(dc, t, col);
    const sql_node *def = NULL;
    if (!ddl_add_column_constraints(a, cd, col, &def, err)) return false;
    sql_expr *e = NULL;
    if (def != NULL && !sql_bind_table_expr(dc->bc, NULL, def, col->type_oid, col->typmod, &e)) {
        return false;
    }
    if (e != NULL) col->default_seq = sql_ddl_default_sequence(e);
    if (e != NULL && ddl_expr_volatile(e)) {
        if (!ddl_alter_empty(a, "ADD COLUMN with a volatile DEFAULT", err)) return false;
    } else if (e != NULL) {
        if (!ddl_missing_value(dc, col, e, err)) return false;
    }
    if (col->not_null && col->missing == NULL) {
        uint64_t rows;
        if (!ddl_count_rows(dc, a->base, 0, &rows, NULL, err)) return false;
        if (rows > 0) {
            return rt_err_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                              "column \"%s\" of relation \"%s\" contains null values", col->name,
                              t->name);
        }
    }
    return true;
}

/* ---- columns ---- */

static eng_column *ddl_column(eng_table *t, const char *name, rt_err *err) {
    for (uint32_t i = 0; i < t->column_count; i++) {
        if (!t->columns[i].dropped && strcmp(t->columns[i].name, name) == 0) {
            return &t->columns[i];
        }
    }
    rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist",
               name, t->name);
    return NULL;
}

static bool ddl_in_pk(const eng_table *t, uint16_t attnum) {
    for (uint32_t i = 0; i < t->pk_count; i++) {
        if (t->pk_attnums[i] == attnum) return true;
    }
    return false;
}

static bool ddl_uses(const uint16_t *attnums, uint32_t n, uint16_t attnum) {
    for (uint32_t i = 0; i < n; i++) {
        if (attnums[i] == attnum) return true;
    }
    return false;
}

/* DROP COLUMN: indexes and constraints on it go with it, as in PostgreSQL; so does a sequence
 * it owns. The attnum stays (dropped columns keep theirs). */
/* Foreign keys of other tables referencing column `col`: 2BP01, or with CASCADE they go (a
 * NOTICE each). This table's own (referencing or referenced) go with the column below. */
static bool ddl_drop_column_fks(ddl_alter *a, const eng_column *col, bool cascade,
                                rt_err *err) {
    for (uint32_t k = 0; k < a->t->constraint_count; k++) { /* referring to itself */
        const eng_constraint *con = &a->t->constraints[k];
        if (con->kind != 'f' || con->ref_table_oid != a->t->oid ||
            !ddl_uses(con->ref_attnums, con->column_count, col->attnum) ||
            ddl_uses(con->attnums, con->column_count, col->attnum)) {
            continue;
        }
        if (!cascade) {
            rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                       "cannot drop column %s of table %s because other objects depend on it",
                       col->name, a->t->name);
            rt_err_detail(err, "constraint %s on table %s depends on column %s of table %s",
                          con->name, a->t->name, col->name, a->t->name);
            rt_err_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return false;
        }
        sql_ddl_notice(a->dc, "00000", "drop cascades to constraint %s on table %s", con->name,
                       a->t->name);
    }
    const eng_database *db = a->dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *c = &db->tables[i];
        for (uint32_t k = 0; c->oid != a->t->oid && k < c->constraint_count; k++) {
            const eng_constraint *con = &c->constraints[k];
            if (con->kind != 'f' || con->ref_table_oid != a->t->oid ||
                !ddl_uses(con->ref_attnums, con->column_count, col->attnum)) {
                continue;
            }
            if (!cascade) {
                rt_err_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                           "cannot drop column %s of table %s because other objects depend on "
                           "it", col->name, a->t->name);
                rt_err_detail(err, "constraint %s on table %s depends on column %s of table %s",
                              con->name, c->name, col->name, a->t->name);
                rt_err_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
                return false;
            }
            sql_ddl_notice(a->dc, "00000", "drop cascades to constraint %s on table %s",
                           con->name, c->name);
            eng_table *copy = sql_ddl_table_copy(a->dc, c, err);
            if (copy == NULL) return false;
            memmove(&copy->constraints[k], &copy->constraints[k + 1],
                    (copy->constraint_count - k - 1) * sizeof(eng_constraint));
            copy->constraint_count--;
            copy->def_gen = eng_catalog_def_gen();
            eng_draft_replace_table(sql_ddl_draft(a->dc), a->dc->db_oid, copy);
            db = sql_ddl_db(a->dc);
            i = (uint32_t)-1; /* the tables moved: look again from the start */
            break;
        }
    }
    return true;
}

static bool ddl_drop_column(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_table *t = a->t;
    const eng_column *cc = eng_table_column_by_name(t, c->name);
    if (cc == NULL || cc->dropped) {
        if (c->if_exists) {
            sql_ddl_notice(a->dc, "00000", "column \"%s\" of relation \"%s\" does not exist, "
                           "skipping", c->name, t->name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                          "column \"%s\" of relation \"%s\" does not exist", c->name, t->name);
    }
    eng_column *col = &t->columns[cc - t->columns];
    if (!ddl_drop_column_fks(a, col, c->cascade, err)) return false;
    if (ddl_in_pk(t, col->attnum)) {
        /* The primary key goes with its column (below): the table is keyed by the hidden row
         * id from now on, so its rows move to new partitions, as for ADD PRIMARY KEY. */
        if (a->rows < 0) {
            uint64_t rows;
            if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
            a->rows = (int64_t)rows;
        }
        if (a->rows > 0 && a->dc->x == NULL) return ddl_alter_empty(a, "DROP COLUMN", err);
        t->pk_count = 0;
        a->new_storage = true;
        a->rewrite |= a->rows > 0;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        /* Expressions and predicates name columns in their text (as CHECK does). */
        bool uses = ddl_uses(ix->attnums, ix->column_count, col->attnum) ||
                    (ix->predicate_text != NULL && sql_ddl_text_names(ix->predicate_text,
                                                                      col->name));
        for (uint32_t j = 0; j < ix->column_count && !uses; j++) {
            uses = ix->expr_text[j] != NULL && sql_ddl_text_names(ix->expr_text[j], col->name);
        }
        if (!uses) t->indexes[k++] = t->indexes[i];
    }
    t->index_count = k;
    k = 0;
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        const eng_constraint *con = &t->constraints[i];
        bool uses = ddl_uses(con->attnums, con->column_count, col->attnum) ||
                    (con->kind == 'c' && con->check_text != NULL &&
                     sql_ddl_text_names(con->check_text, col->name)) ||
                    (con->kind == 'f' && con->ref_table_oid == t->oid &&
                     ddl_uses(con->ref_attnums, con->column_count, col->attnum));
        if (!uses) t->constraints[k++] = *con;
    }
    t->constraint_count = k;
    const eng_database *db = a->dc->bc->db;
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        if (s->owned_by_table == t->oid && s->owned_by_attnum == col->attnum) {
            eng_draft_remove_sequence(sql_ddl_draft(a->dc), a->dc->db_oid, s->oid);
            db = sql_ddl_db(a->dc);
            i = (uint32_t)-1;
        }
    }
    col->dropped = true;
    col->acl = NULL; /* its grants go with it, as PostgreSQL's dependencies do */
    snprintf(col->name, sizeof col->name, "........pg.dropped.%u........", col->attnum);
    col->not_null = false;
    col->default_text = NULL;
    col->default_seq = 0;
    col->identity = 0;
    return true;
}

static bool ddl_set_default(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_column *col = ddl_column(a->t, c->name, err);
    if (col == NULL) return false;
    if (c->alter_kind == SQL_AT_DROP_DEFAULT) {
        col->default_text = NULL;
        if (col->identity == 0) col->default_seq = 0;
        return true;
    }
    if (col->identity != 0) {
        rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "column \"%s\" of relation \"%s\" is an identity "
                   "column", col->name, a->t->name);
        rt_err_hint(err, "Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.");
        return false;
    }
    sql_expr *e;
    if (!sql_bind_table_expr(a->dc->bc, NULL, c->expr, col->type_oid, col->typmod, &e)) {
        return false;
    }
    col->default_text = c->expr_text;
    col->default_seq = sql_ddl_default_sequence(e);
    return true;
}

static bool ddl_set_not_null(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_column *col = ddl_column(a->t, c->name, err);
    if (col == NULL) return false;
    if (c->alter_kind == SQL_AT_DROP_NOT_NULL) {
        if (ddl_in_pk(a->t, col->attnum)) {
            return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                              "column \"%s\" is in a primary key", col->name);
        }
        if (col->identity != 0) {
            return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                              "column \"%s\" of relation \"%s\" is an identity column",
                              col->name, a->t->name);
        }
        col->not_null = false;
        return true;
    }
    if (col->not_null) return true;
    const eng_column *old = eng_table_column_by_attnum(a->base, col->attnum);
    if ((old == NULL || old->dropped) && col->default_text == NULL) {
        /* A column this ALTER adds without a default is NULL in every row the table has. */
        uint64_t rows;
        if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
        if (rows > 0) {
            return rt_err_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                              "column \"%s\" of relation \"%s\" contains null values", col->name,
                              a->t->name);
        }
    }
    if (old != NULL && !old->dropped) {
        uint64_t rows, nulls;
        if (!ddl_count_rows(a->dc, a->base, col->attnum, &rows, &nulls, err)) return false;
        if (nulls > 0) {
            return rt_err_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                              "column \"%s\" of relation \"%s\" contains null values", col->name,
                              a->t->name);
        }
    }
    col->not_null = true;
    return true;
}

/* What a type change of a column of a table with rows cannot do yet: keys whose other copies
 * (UNIQUE companions, foreign keys, vectors' graphs) would keep the old type. */
/* A vector column's values are fixed-size arrays in the partitions' vector stores: their
 * dimension cannot change under existing rows, nor can a column become or stop being a
 * vector (pgvector itself fails such a change on the first row of another dimension). */
static bool ddl_alter_type_refused(const eng_column *col, uint32_t oid, int32_t typmod,
                                   rt_err *err) {
    if (col->type_oid == SQL_T_VECTOR && oid == SQL_T_VECTOR) {
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "cannot change the dimension of vector column \"%s\" of a table with rows",
                   col->name);
        rt_err_detail(err, "Its stored vectors have %u dimensions; vector(%d) needs %d.",
                      col->vector_dims, typmod, typmod);
        rt_err_hint(err, "Add a new vector(%d) column, fill it from \"%s\", and drop the old "
                    "column; or empty the table first.", typmod, col->name);
        return false;
    }
    if (col->type_oid != SQL_T_VECTOR && oid != SQL_T_VECTOR) return true;
    rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
               col->type_oid == SQL_T_VECTOR
                   ? "cannot change vector column \"%s\" of a table with rows to another type"
                   : "cannot change column \"%s\" of a table with rows to a vector type",
               col->name);
    rt_err_hint(err, "Add a new column of the wanted type, fill it from \"%s\", and drop the "
                "old column; or empty the table first.", col->name);
    return false;
}

/* A table with rows: the rows are rewritten with the column converted (as PostgreSQL does). */
static bool ddl_alter_type_rows(ddl_alter *a, const sql_alter_cmd *c, const eng_column *col,
                                uint32_t oid, int32_t typmod, rt_err *err) {
    if (a->rows < 0) {
        uint64_t rows;
        if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
        a->rows = (int64_t)rows;
    }
    const eng_column *old = eng_table_column_by_attnum(a->base, col->attnum);
    /* Without rows the new storage is empty: a key column's partitioning and its unique
     * companions (rebuilt by sql_ddl_unique_sync) follow the new type at once. */
    if (a->rows == 0 || old == NULL || old->dropped) return true;
    if (a->dc->x == NULL) return ddl_needs_empty(a->dc, a->base, "ALTER COLUMN ... TYPE", err);
    if (!ddl_alter_type_refused(col, oid, typmod, err)) return false;
    if (a->convert == NULL) {
        rt_arena *arena = a->dc->bc->arena;
        a->convert = rt_arena_zalloc(arena, sizeof(sql_expr *) * (a->base->column_count + 1u));
        if (a->convert == NULL) return rt_arena_fail(arena, err);
    }
    a->rewrite = true;
    return sql_ddl_type_conversion(a->dc, a->base, old, oid, typmod, c->expr,
                                   &a->convert[col->attnum - 1], err);
}

/* Whether an index's expressions or predicate name column `name` (they are kept as text). */
static bool ddl_index_texts_name(const eng_index *ix, const char *name) {
    if (ix->predicate_text != NULL && sql_ddl_text_names(ix->predicate_text, name)) return true;
    for (uint32_t k = 0; k < ix->column_count; k++) {
        if (ix->expr_text[k] != NULL && sql_ddl_text_names(ix->expr_text[k], name)) return true;
    }
    return false;
}

/* Index expressions and predicates are kept as the text PostgreSQL prints, which follows the
 * columns' types (lower((b)::text) for a varchar b, a + (1)::numeric for a numeric a). After
 * `col` changed type they are bound again over the new definition and printed anew, as
 * PostgreSQL rebuilds such an index from its definition; one the new type does not take fails
 * the ALTER with the binder's error. */
static bool ddl_alter_type_index_texts(ddl_alter *a, const eng_column *col, rt_err *err) {
    eng_table *t = a->t;
    rt_arena *arena = a->dc->bc->arena;
    for (uint32_t i = 0; i < t->index_count; i++) {
        eng_index *ix = &t->indexes[i];
        if (!sql_ixexpr_any(ix) || !ddl_index_texts_name(ix, col->name)) continue;
        sql_expr *exprs[ENG_INDEX_COLUMNS_MAX], *pred;
        if (!sql_ixexpr_bind(arena, t, ix, exprs, &pred, err)) return false;
        for (uint32_t k = 0; k <= ix->column_count; k++) {
            const sql_expr *e = k < ix->column_count ? exprs[k] : pred;
            if (e == NULL) continue;
            sql_strbuf sb;
            sql_strbuf_init(&sb, arena, 64);
            bool ok = k < ix->column_count ? sql_ixexpr_column_text(&sb, t, NULL, 0, e, false)
                                           : sql_ixexpr_deparse(&sb, t, NULL, 0, e, false);
            sql_strbuf_putc(&sb, '\0');
            if (!ok || sb.failed) continue; /* keep the text it has: it still binds */
            if (k < ix->column_count) ix->expr_text[k] = sb.data;
            else ix->predicate_text = sb.data;
        }
    }
    return true;
}

static bool ddl_alter_type(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_column *col = ddl_column(a->t, c->name, err);
    if (col == NULL) return false;
    uint32_t oid;
    int32_t typmod;
    if (!sql_bind_typename(a->dc->bc, c->type, &oid, &typmod)) return false;
    if (!sql_ddl_column_type_ok(oid, err)) return false;
    if (oid == col->type_oid && typmod == col->typmod && c->expr == NULL) return true;
    if (oid == SQL_T_VECTOR && typmod < 1) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "vector column \"%s\" needs a dimension", col->name);
    }
    if (!ddl_alter_type_rows(a, c, col, oid, typmod, err)) return false;
    /* The default follows the column as an assignment to the new type, as in PostgreSQL. */
    sql_expr *def;
    if (col->default_text != NULL && col->identity == 0) {
        /* Stored as an expression of the old type ('abc'::character varying) */
        if (!sql_bind_stored_default(a->dc->bc, col, col->type_oid, col->typmod, &def)) {
            return false;
        }
        if (def->type_oid == oid || sql_cast_allowed(def->type_oid, oid, SQL_CAST_ASSIGNMENT)) {
            def = NULL;
        }
    } else {
        def = NULL;
    }
    if (def != NULL) {
        sql_strbuf tn;
        sql_strbuf_init(&tn, a->dc->bc->arena, 32);
        sql_type_format(oid, typmod, &tn);
        sql_strbuf_putc(&tn, '\0');
        return rt_err_set(err, SQLSTATE_DATATYPE_MISMATCH,
                          "default for column \"%s\" cannot be cast automatically to type %s",
                          col->name, tn.failed ? "?" : tn.data);
    }
    col->type_oid = oid;
    col->domain_oid = 0;
    col->typmod = typmod;
    a->retyped = true;
    col->store = (uint8_t)eng_store_of_type(oid);
    col->vector_dims = oid == SQL_T_VECTOR ? (uint32_t)typmod : 0;
    a->new_storage = true;
    return ddl_alter_type_index_texts(a, col, err);
}

static bool ddl_add_identity(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_column *col = ddl_column(a->t, c->name, err);
    if (col == NULL) return false;
    const char *t = a->t->name;
    if (col->type_oid != SQL_T_INT2 && col->type_oid != SQL_T_INT4 &&
        col->type_oid != SQL_T_INT8) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "identity column type must be smallint, integer, or bigint");
    }
    if (!col->not_null) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "column \"%s\" of relation \"%s\" must be declared NOT NULL before "
                          "identity can be added", col->name, t);
    }
    if (col->identity != 0) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "column \"%s\" of relation \"%s\" is already an identity column",
                          col->name, t);
    }
    if (col->default_text != NULL) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "column \"%s\" of relation \"%s\" already has a default value",
                          col->name, t);
    }
    col->identity = c->constraint->identity_always ? 'a' : 'd';
    return sql_ddl_column_sequence(a->dc, a->t, col, &c->constraint->seq_options, err);
}

/* ALTER COLUMN c RESTART / SET INCREMENT BY ...: ALTER SEQUENCE of the identity's sequence. */
static bool ddl_identity_options(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_column *col = ddl_column(a->t, c->name, err);
    if (col == NULL) return false;
    const eng_database *db = a->dc->bc->db;
    const eng_sequence *seq = col->identity != 0 ? eng_db_sequence_by_oid(db, col->default_seq)
                                                 : NULL;
    const eng_schema *sc = seq != NULL ? eng_db_schema_by_oid(db, seq->schema_oid) : NULL;
    if (sc == NULL) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "column \"%s\" of relation \"%s\" is not an identity column",
                          col->name, a->t->name);
    }
    sql_alter_sequence as = {.hdr = c->hdr, .options = c->options};
    as.hdr.kind = SQL_N_ALTER_SEQUENCE;
    as.name = (sql_name){.count = 2, .parts = {sc->name, seq->name}, .location = c->hdr.location};
    return sql_ddl_alter_sequence(a->dc, &as, err);
}

static bool ddl_drop_identity(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_column *col = ddl_column(a->t, c->name, err);
    if (col == NULL) return false;
    if (col->identity == 0) {
        if (c->if_exists) {
            sql_ddl_notice(a->dc, "00000", "column \"%s\" of relation \"%s\" is not an identity "
                           "column, skipping", col->name, a->t->name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "column \"%s\" of relation \"%s\" is not an identity column",
                          col->name, a->t->name);
    }
    if (col->default_seq != 0) {
        eng_draft_remove_sequence(sql_ddl_draft(a->dc), a->dc->db_oid, col->default_seq);
        sql_ddl_db(a->dc);
    }
    col->identity = 0;
    col->default_seq = 0;
    col->default_text = NULL;
    return true;
}

/* ---- constraints ---- */

/* A new CHECK constraint over the rows the table has: one row for which the expression is
 * false (NULL passes, as in PostgreSQL) fails the ALTER with 23514. The rows are read by a
 * query in the statement's transaction. */
static bool ddl_check_rows(ddl_alter *a, const sql_constraint *con, const char *name,
                           rt_err *err) {
    sql_ddl_ctx *dc = a->dc;
    const eng_database *db = dc->bc->db;
    const eng_schema *sc = eng_db_schema_by_oid(db, a->base->schema_oid);
    if (a->base->kind != 'r' || sc == NULL || con->expr_text == NULL) return true;
    sql_strbuf sb;
    sql_strbuf_init(&sb, dc->bc->arena, 256);
    sql_strbuf_puts(&sb, "SELECT 1 FROM ");
    sql_fk_put_relname(&sb, db, a->base);
    sql_strbuf_printf(&sb, " WHERE NOT (%s) LIMIT 1", con->expr_text);
    sql_strbuf_putc(&sb, '\0');
    uint64_t rows;
    if (!sql_ddl_existing_rows(dc, &sb, &rows, NULL, err)) return false;
    if (rows == 0) return true;
    return rt_err_set(err, SQLSTATE_CHECK_VIOLATION,
                      "check constraint \"%s\" of relation \"%s\" is violated by some row", name,
                      a->t->name);
}

static bool ddl_add_constraint(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    const sql_constraint *con = c->constraint;
    switch (con->constr_kind) {
    case SQL_CONSTR_PRIMARY:
        if (a->t->pk_count > 0) {
            return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                              "multiple primary keys for table \"%s\" are not allowed",
                              a->t->name);
        }
        if (a->rows < 0) {
            uint64_t rows;
            if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
            a->rows = (int64_t)rows;
        }
        if (a->rows > 0 && a->dc->x == NULL) return ddl_alter_empty(a, "ADD PRIMARY KEY", err);
        a->new_storage = true; /* the partitioning key changes: rows move to new partitions */
        a->rewrite = a->rows > 0;
        return sql_ddl_add_key(a->dc, a->t, con, err);
    case SQL_CONSTR_UNIQUE: return sql_ddl_add_key(a->dc, a->t, con, err);
    case SQL_CONSTR_CHECK:
        if (!con->not_valid && a->rows < 0) {
            uint64_t rows;
            if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
            a->rows = (int64_t)rows;
        }
        if (!con->not_valid && a->rows > 0 && a->dc->x == NULL) {
            return ddl_alter_empty(a, "ADD CONSTRAINT ... CHECK", err);
        }
        if (!sql_ddl_add_check(a->dc, a->t, con, NULL, err)) return false;
        a->t->constraints[a->t->constraint_count - 1].validated = !con->not_valid;
        return con->not_valid || a->rows <= 0 ||
               ddl_check_rows(a, con, a->t->constraints[a->t->constraint_count - 1].name, err);
    case SQL_CONSTR_FOREIGN: return ddl_alter_add_fk(a, con, NULL, err);
    default:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this constraint is not supported yet");
    }
}

/* VALIDATE CONSTRAINT of a NOT VALID foreign key: its rows are checked at the end. */
static bool ddl_validate_constraint(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    for (uint32_t i = 0; i < a->t->constraint_count; i++) {
        eng_constraint *con = &a->t->constraints[i];
        if (strcmp(con->name, c->name) != 0) continue;
        if (con->kind != 'f' && con->kind != 'c') {
            return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                              "constraint \"%s\" of relation \"%s\" is not a foreign key or "
                              "check constraint", c->name, a->t->name);
        }
        if (con->validated) return true;
        if (con->kind == 'c') {
            if (!ddl_alter_empty(a, "VALIDATE CONSTRAINT", err)) return false;
            con->validated = true;
            return true;
        }
        if (a->nfk_check == SQL_DDL_ROOM) {
            return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                              "too many constraints validated in one ALTER TABLE");
        }
        con->validated = true;
        a->fk_check[a->nfk_check++] = con->oid;
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                      "constraint \"%s\" of relation \"%s\" does not exist", c->name,
                      a->t->name);
}

/* The existing rows against the foreign keys added or validated by this statement. */
static bool ddl_alter_check_fks(ddl_alter *a, rt_err *err) {
    const eng_table *t = eng_db_table_by_oid(a->dc->bc->db, a->t->oid);
    for (uint32_t k = 0; t != NULL && k < a->nfk_check; k++) {
        for (uint32_t i = 0; i < t->constraint_count; i++) {
            if (t->constraints[i].oid != a->fk_check[k]) continue;
            if (!sql_ddl_fk_validate(a->dc, t, &t->constraints[i], err)) return false;
        }
    }
    return true;
}

/* Whether column `attnum` of the table changed type, or has new values, in this statement. */
static bool ddl_alter_converted(const ddl_alter *a, uint16_t attnum) {
    if (attnum == 0 || attnum > a->base->column_count) return false;
    const eng_column *was = &a->base->columns[attnum - 1], *now = &a->t->columns[attnum - 1];
    return was->type_oid != now->type_oid || was->typmod != now->typmod ||
           (a->convert != NULL && a->convert[attnum - 1] != NULL);
}

/* One foreign key of `t` to `ref` over converted columns (`cols` of t or of ref): its types
 * must still match (42804, before any row moves, as PostgreSQL re-adds the constraint), and
 * if rows are rewritten it is checked on them afterwards. */
static bool ddl_alter_retyped_fk(ddl_alter *a, const eng_table *t, const eng_table *ref,
                                 const eng_constraint *con, const uint16_t *cols,
                                 rt_err *err) {
    bool hit = false;
    for (uint32_t k = 0; k < con->column_count; k++) hit |= ddl_alter_converted(a, cols[k]);
    if (!hit) return true;
    if (!sql_ddl_fk_check_types(a->dc, t, ref, con, err)) return false;
    if (!con->validated) return true;
    a->fk_recheck[2 * a->nfk_recheck] = t->oid;
    a->fk_recheck[2 * a->nfk_recheck + 1] = con->oid;
    a->nfk_recheck++;
    return true;
}

/* The foreign keys from and to the table that use a column ALTER COLUMN ... TYPE changed. */
static bool ddl_alter_retyped_fks(ddl_alter *a, rt_err *err) {
    const eng_database *db = a->dc->bc->db;
    uint32_t n = 2u * a->t->constraint_count; /* a self-reference may be met from both ends */
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (db->tables[i].oid != a->t->oid) n += db->tables[i].constraint_count;
    }
    a->fk_recheck = rt_arena_alloc(a->dc->bc->arena, sizeof(uint32_t) * 2 * (n + 1u));
    if (a->fk_recheck == NULL) return rt_arena_fail(a->dc->bc->arena, err);
    for (uint32_t i = 0; i < a->t->constraint_count; i++) {
        const eng_constraint *con = &a->t->constraints[i];
        if (con->kind != 'f') continue;
        const eng_table *ref = con->ref_table_oid == a->t->oid
                                   ? a->t : eng_db_table_by_oid(db, con->ref_table_oid);
        if (ref == NULL) continue;
        if (!ddl_alter_retyped_fk(a, a->t, ref, con, con->attnums, err) ||
            (ref == a->t && !ddl_alter_retyped_fk(a, a->t, ref, con, con->ref_attnums, err))) {
            return false;
        }
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        for (uint32_t j = 0; t->oid != a->t->oid && j < t->constraint_count; j++) {
            const eng_constraint *con = &t->constraints[j];
            if (con->kind == 'f' && con->ref_table_oid == a->t->oid &&
                !ddl_alter_retyped_fk(a, t, a->t, con, con->ref_attnums, err)) {
                return false;
            }
        }
    }
    return true;
}

/* After a rewrite: the foreign keys over converted columns, on the new values. */
static bool ddl_alter_recheck_fks(ddl_alter *a, rt_err *err) {
    if (!a->rewrite) return true;
    const eng_database *db = a->dc->bc->db;
    for (uint32_t k = 0; k < a->nfk_recheck; k++) {
        const eng_table *t = eng_db_table_by_oid(db, a->fk_recheck[2 * k]);
        for (uint32_t i = 0; t != NULL && i < t->constraint_count; i++) {
            if (t->constraints[i].oid != a->fk_recheck[2 * k + 1]) continue;
            if (!sql_ddl_fk_validate(a->dc, t, &t->constraints[i], err)) return false;
            break;
        }
    }
    return true;
}

static bool ddl_drop_constraint(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_table *t = a->t;
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        eng_constraint *con = &t->constraints[i];
        if (strcmp(con->name, c->name) != 0) continue;
        if (con->kind == 'p') {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "dropping the primary key is not supported yet");
        }
        uint32_t index_oid = con->index_oid;
        memmove(con, con + 1, (t->constraint_count - i - 1) * sizeof *con);
        t->constraint_count--;
        for (uint32_t j = 0; index_oid != 0 && j < t->index_count; j++) {
            if (t->indexes[j].oid != index_oid) continue;
            memmove(&t->indexes[j], &t->indexes[j + 1],
                    (t->index_count - j - 1) * sizeof(eng_index));
            t->index_count--;
            break;
        }
        return true;
    }
    if (c->if_exists) {
        sql_ddl_notice(a->dc, "00000",
                       "constraint \"%s\" of relation \"%s\" does not exist, skipping", c->name,
                       t->name);
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                      "constraint \"%s\" of relation \"%s\" does not exist", c->name, t->name);
}

/* ---- renames ---- */

/* `text` with every identifier `from` replaced by `to` (outside string literals). */
static const char *ddl_replace_word(sql_ddl_ctx *dc, const char *text, const char *from,
                                    const char *to) {
    size_t n = strlen(text), fl = strlen(from), tl = strlen(to);
    char *out = rt_arena_alloc(dc->bc->arena, n * (tl + 1) / (fl > 0 ? fl : 1) + n + 1);
    if (out == NULL) return text;
    size_t o = 0;
    bool quoted = false;
    for (size_t i = 0; i < n;) {
        if (text[i] == '\'') quoted = !quoted;
        bool left = i == 0 || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_');
        if (!quoted && left && strncmp(text + i, from, fl) == 0 &&
            !(isalnum((unsigned char)text[i + fl]) || text[i + fl] == '_')) {
            memcpy(out + o, to, tl);
            o += tl;
            i += fl;
            continue;
        }
        out[o++] = text[i++];
    }
    out[o] = '\0';
    return out;
}

static bool ddl_rename_column(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_table *t = a->t;
    const eng_column *named = eng_table_column_by_name(t, c->name);
    if (named == NULL || named->dropped) {
        /* PostgreSQL names no relation here, unlike the other ALTER COLUMN forms. */
        return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                          c->name);
    }
    eng_column *col = ddl_column(t, c->name, err);
    if (col == NULL) return false;
    const eng_column *other = eng_table_column_by_name(t, c->new_name);
    if (other != NULL && !other->dropped) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_COLUMN,
                          "column \"%s\" of relation \"%s\" already exists", c->new_name,
                          t->name);
    }
    /* CHECK constraints are stored as text: they follow the new name. */
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        eng_constraint *con = &t->constraints[i];
        if (con->kind == 'c' && con->check_text != NULL) {
            con->check_text = ddl_replace_word(a->dc, con->check_text, col->name, c->new_name);
        }
    }
    /* So are index expressions and predicates. */
    for (uint32_t i = 0; i < t->index_count; i++) {
        eng_index *ix = &t->indexes[i];
        for (uint32_t j = 0; j < ix->column_count; j++) {
            if (ix->expr_text[j] == NULL) continue;
            ix->expr_text[j] = ddl_replace_word(a->dc, ix->expr_text[j], col->name, c->new_name);
        }
        if (ix->predicate_text != NULL) {
            ix->predicate_text = ddl_replace_word(a->dc, ix->predicate_text, col->name,
                                                  c->new_name);
        }
    }
    snprintf(col->name, sizeof col->name, "%s", c->new_name);
    return true;
}

static bool ddl_rename_constraint(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    eng_table *t = a->t;
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        eng_constraint *con = &t->constraints[i];
        if (strcmp(con->name, c->new_name) == 0) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "constraint \"%s\" for relation \"%s\" already exists",
                              c->new_name, t->name);
        }
    }
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        eng_constraint *con = &t->constraints[i];
        if (strcmp(con->name, c->name) != 0) continue;
        if (con->index_oid != 0) {
            if (sql_ddl_relname_taken(a->dc->bc->db, t->schema_oid, c->new_name)) {
                return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE,
                                  "relation \"%s\" already exists", c->new_name);
            }
            for (uint32_t j = 0; j < t->index_count; j++) {
                if (t->indexes[j].oid == con->index_oid) {
                    snprintf(t->indexes[j].name, ENG_NAME_BYTES, "%s", c->new_name);
                }
            }
        }
        snprintf(con->name, sizeof con->name, "%s", c->new_name);
        return true;
    }
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                      "constraint \"%s\" for table \"%s\" does not exist", c->name, t->name);
}

static bool ddl_rename_rel(ddl_alter *a, const char *new_name, rt_err *err) {
    if (sql_ddl_relname_taken(a->dc->bc->db, a->t->schema_oid, new_name)) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                          new_name);
    }
    snprintf(a->t->name, sizeof a->t->name, "%s", new_name);
    return true;
}

/* ALTER TABLE ... SET SCHEMA s: the table moves, and with it its UNIQUE companions (found by
 * name in the table's schema) and the sequences it owns (serial, identity), as in PostgreSQL. */
static bool ddl_set_schema(ddl_alter *a, const char *schema, rt_err *err) {
    sql_ddl_ctx *dc = a->dc;
    const eng_schema *to = eng_db_schema_by_name(dc->bc->db, schema);
    if (to == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                          schema);
    }
    uint32_t to_oid = to->oid;
    if (to_oid == a->base->schema_oid) return true;
    if (to_oid == ENG_OID_PG_CATALOG || to_oid == ENG_OID_INFORMATION_SCHEMA ||
        a->base->persistence == 't' || a->base->kind != 'r') {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot move this relation to schema \"%s\"", schema);
    }
    if (sql_ddl_relname_taken(dc->bc->db, to_oid, a->t->name)) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE,
                          "relation \"%s\" already exists in schema \"%s\"", a->t->name, schema);
    }
    if (!sql_ddl_may_create(dc, to_oid, err)) return false;
    for (uint32_t i = 0; i < a->base->index_count; i++) {
        const eng_table *comp = sql_unique_companion(dc->bc->db, a->base, &a->base->indexes[i]);
        if (comp == NULL) continue;
        eng_table *copy = sql_ddl_table_copy(dc, comp, err);
        if (copy == NULL) return false;
        copy->schema_oid = to_oid;
        copy->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
        sql_ddl_db(dc);
    }
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        if (db->sequences[i].owned_by_table != a->base->oid) continue;
        eng_sequence q = db->sequences[i];
        q.schema_oid = to_oid;
        eng_draft_remove_sequence(sql_ddl_draft(dc), dc->db_oid, q.oid);
        eng_draft_add_sequence(sql_ddl_draft(dc), dc->db_oid, &q);
        db = sql_ddl_db(dc);
        /* The default names the sequence by text: it follows with the schema written out
         * (public stays unqualified, as serial writes it). */
        for (uint32_t c = 0; c < a->t->column_count; c++) {
            eng_column *col = &a->t->columns[c];
            if (col->dropped || col->default_seq != q.oid) continue;
            col->default_text = to_oid == ENG_OID_PUBLIC
                                    ? sql_ddl_printf(dc, err, "nextval('%s'::regclass)", q.name)
                                    : sql_ddl_printf(dc, err, "nextval('%s.%s'::regclass)",
                                                     to->name, q.name);
            if (col->default_text == NULL) return false;
        }
    }
    a->t->schema_oid = to_oid;
    return true;
}

static bool ddl_owner(ddl_alter *a, const char *role, uint32_t *owner, rt_err *err) {
    const eng_role *r = strcmp(role, "current_user") == 0 || strcmp(role, "session_user") == 0
                            ? eng_catalog_role_by_oid(sql_ddl_draft(a->dc), a->dc->user_oid)
                            : eng_catalog_role_by_name(sql_ddl_draft(a->dc), role);
    if (r == NULL) return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist",
                                     role);
    /* A non-superuser gives an object only to a role it could SET ROLE to (PostgreSQL 15). */
    if (!a->dc->superuser && !sql_acl_is_member_in(sql_ddl_draft(a->dc), sql_ddl_db_owner(a->dc),
                                                   a->dc->user_oid, r->oid)) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be member of role \"%s\"",
                          r->name);
    }
    *owner = r->oid;
    return true;
}

static bool ddl_set_options(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    for (uint32_t i = 0; i < c->options.count; i++) {
        const sql_defelem *d = SQL_LIST_AT(c->options, i);
        const sql_const *v = (const sql_const *)d->value;
        if (strcmp(d->name, "fillfactor") == 0) {
            if (c->alter_kind == SQL_AT_RESET_OPTIONS) {
                a->t->fillfactor = 100;
                continue;
            }
            if (v == NULL || SQL_NODE_KIND(v) != SQL_N_CONST ||
                v->const_kind != SQL_CONST_INTEGER || v->int_value < 10 || v->int_value > 100) {
                return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                  "value %s out of bounds for option \"fillfactor\"",
                                  v != NULL && SQL_NODE_KIND(v) == SQL_N_CONST && v->text
                                      ? v->text : "");
            }
            a->t->fillfactor = (uint16_t)v->int_value;
        } else if (strncmp(d->name, "autovacuum_", 11) != 0 &&
                   !(d->ns != NULL && strcmp(d->ns, "toast") == 0)) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "unrecognized parameter \"%s\"", d->name);
        }
    }
    return true;
}

/* ---- SET LOGGED / UNLOGGED ---- */

static bool ddl_persistence_refused(const char *fmt, const char *table, const char *other,
                                    rt_err *err) {
    return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION, fmt, table, other);
}

/* PostgreSQL's rule: a permanent table references only permanent ones. Becoming logged, t's
 * own foreign keys must reference no unlogged table; becoming unlogged, no permanent table
 * may reference t (PostgreSQL's message names that table as the one t "references"). */
static bool ddl_persistence_fks(ddl_alter *a, char want, rt_err *err) {
    const eng_database *db = a->dc->bc->db;
    const eng_table *t = a->t;
    for (uint32_t i = 0; want == 'p' && i < t->constraint_count; i++) {
        const eng_constraint *c = &t->constraints[i];
        const eng_table *ref = c->kind == 'f' && c->ref_table_oid != t->oid
                                   ? eng_db_table_by_oid(db, c->ref_table_oid) : NULL;
        if (ref != NULL && ref->persistence == 'u') {
            return ddl_persistence_refused("could not change table \"%s\" to logged because it "
                                           "references unlogged table \"%s\"", t->name,
                                           ref->name, err);
        }
    }
    for (uint32_t i = 0; want == 'u' && i < db->table_count; i++) {
        const eng_table *r = &db->tables[i];
        if (r->oid == t->oid || r->persistence != 'p') continue;
        for (uint32_t j = 0; j < r->constraint_count; j++) {
            const eng_constraint *c = &r->constraints[j];
            if (c->kind != 'f' || c->ref_table_oid != t->oid) continue;
            return ddl_persistence_refused("could not change table \"%s\" to unlogged because "
                                           "it references logged table \"%s\"", t->name,
                                           r->name, err);
        }
    }
    return true;
}

static bool ddl_seq_persistence(sql_ddl_ctx *dc, eng_sequence *s, char want, rt_err *err);

/* The sequences a table owns (serial, identity) follow its persistence, as in PostgreSQL 15. */
static bool ddl_persistence_sequences(ddl_alter *a, char want, rt_err *err) {
    const eng_database *db = a->dc->bc->db;
    /* Replacing one reorders the draft's list: look again from the start (the ones done are
     * skipped, having the wanted persistence). */
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        if (db->sequences[i].owned_by_table != a->t->oid ||
            db->sequences[i].persistence == want) {
            continue;
        }
        eng_sequence s = db->sequences[i];
        if (!ddl_seq_persistence(a->dc, &s, want, err)) return false;
        eng_draft_remove_sequence(sql_ddl_draft(a->dc), a->dc->db_oid, s.oid);
        eng_draft_add_sequence(sql_ddl_draft(a->dc), a->dc->db_oid, &s);
        db = sql_ddl_db(a->dc);
        i = (uint32_t)-1;
    }
    return true;
}

/* ALTER TABLE ... SET LOGGED / UNLOGGED rewrites the rows into new storage of the other
 * persistence, as PostgreSQL does: made logged, they are written to the WAL with the
 * statement's transaction and survive a crash from its commit on; made unlogged, the table
 * starts empty after any later crash (eng_part.c decides by the table's persistence). */
static bool ddl_set_persistence(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    char want = c->alter_kind == SQL_AT_SET_LOGGED ? 'p' : 'u';
    if (a->t->kind != 'r') {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                   "ALTER action %s cannot be performed on relation \"%s\"",
                   want == 'p' ? "SET LOGGED" : "SET UNLOGGED", a->t->name);
        rt_err_detail(err, "This operation is not supported for views.");
        return false;
    }
    if (a->persistence_set) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot change persistence setting twice");
    }
    if (a->base->persistence == 't') {
        return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                          "cannot change logged status of table \"%s\" because it is "
                          "temporary", a->t->name);
    }
    /* As PostgreSQL: compared with the table before the statement; a command that changes
     * nothing does not count as the one change allowed. */
    if (a->base->persistence == want) return true;
    a->persistence_set = true;
    if (!ddl_persistence_fks(a, want, err)) return false;
    if (a->rows < 0) {
        uint64_t rows;
        if (!ddl_count_rows(a->dc, a->base, 0, &rows, NULL, err)) return false;
        a->rows = (int64_t)rows;
    }
    if (a->rows > 0 && a->dc->x == NULL) {
        return ddl_alter_empty(a, want == 'p' ? "SET LOGGED" : "SET UNLOGGED", err);
    }
    a->t->persistence = want;
    if (!ddl_persistence_sequences(a, want, err)) return false;
    a->new_storage = true;
    a->rewrite |= a->rows > 0;
    return true;
}

static bool ddl_alter_cmd(ddl_alter *a, const sql_alter_cmd *c, rt_err *err) {
    switch (c->alter_kind) {
    case SQL_AT_ADD_COLUMN: return ddl_add_column(a, c, err);
    case SQL_AT_DROP_COLUMN: return ddl_drop_column(a, c, err);
    case SQL_AT_ALTER_TYPE: return ddl_alter_type(a, c, err);
    case SQL_AT_SET_DEFAULT: case SQL_AT_DROP_DEFAULT: return ddl_set_default(a, c, err);
    case SQL_AT_SET_NOT_NULL: case SQL_AT_DROP_NOT_NULL: return ddl_set_not_null(a, c, err);
    case SQL_AT_ADD_CONSTRAINT: return ddl_add_constraint(a, c, err);
    case SQL_AT_DROP_CONSTRAINT: return ddl_drop_constraint(a, c, err);
    case SQL_AT_VALIDATE_CONSTRAINT: return ddl_validate_constraint(a, c, err);
    case SQL_AT_RENAME_TABLE: return ddl_rename_rel(a, c->new_name, err);
    case SQL_AT_SET_SCHEMA: return ddl_set_schema(a, c->new_name, err);
    case SQL_AT_RENAME_COLUMN: return ddl_rename_column(a, c, err);
    case SQL_AT_RENAME_CONSTRAINT: return ddl_rename_constraint(a, c, err);
    case SQL_AT_OWNER: {
        uint32_t old = a->t->owner_oid;
        if (!ddl_owner(a, c->new_name, &a->t->owner_oid, err)) return false;
        eng_catalog *draft = sql_ddl_draft(a->dc);
        a->t->acl = sql_acl_new_owner(draft, a->t->acl, old, a->t->owner_oid);
        for (uint32_t k = 0; k < a->t->column_count; k++) { /* and its columns' grants */
            eng_column *col = &a->t->columns[k];
            col->acl = sql_acl_new_owner(draft, col->acl, old, a->t->owner_oid);
        }
        return true;
    }
    case SQL_AT_SET_OPTIONS: case SQL_AT_RESET_OPTIONS: return ddl_set_options(a, c, err);
    case SQL_AT_SET_STATISTICS: return true; /* a planner hint: nothing to keep */
    case SQL_AT_ADD_IDENTITY: return ddl_add_identity(a, c, err);
    case SQL_AT_DROP_IDENTITY: return ddl_drop_identity(a, c, err);
    case SQL_AT_IDENTITY_OPTIONS: return ddl_identity_options(a, c, err);
    case SQL_AT_SET_LOGGED: case SQL_AT_SET_UNLOGGED: return ddl_set_persistence(a, c, err);
    default:
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this form of ALTER TABLE is not supported yet");
    }
}

/* ---- ALTER INDEX / SEQUENCE ---- */

static bool ddl_alter_index(sql_ddl_ctx *dc, const sql_alter_table *at, rt_err *err) {
    const char *name = at->name.parts[at->name.count - 1];
    uint32_t schema = ENG_OID_PUBLIC;
    const eng_index *ix = NULL;
    const eng_table *t = NULL;
    for (uint32_t i = 0; i < dc->bc->db->schema_count && t == NULL; i++) {
        const eng_schema *s = &dc->bc->db->schemas[i];
        if (at->name.count >= 2 && strcmp(s->name, at->name.parts[at->name.count - 2]) != 0) {
            continue;
        }
        schema = s->oid;
        t = sql_ddl_index_by_name(dc->bc->db, schema, name, &ix);
    }
    if (t == NULL) {
        if (at->if_exists) {
            sql_ddl_notice(dc, "00000", "relation \"%s\" does not exist, skipping", name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
    }
    eng_table *copy = sql_ddl_table_copy(dc, t, err);
    if (copy == NULL) return false;
    eng_index *m = &copy->indexes[ix - t->indexes];
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        const sql_alter_cmd *c = SQL_LIST_AT(at->cmds, i);
        if (c->alter_kind == SQL_AT_SET_OPTIONS || c->alter_kind == SQL_AT_SET_STATISTICS) continue;
        if (c->alter_kind == SQL_AT_SET_LOGGED || c->alter_kind == SQL_AT_SET_UNLOGGED) {
            rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                       "ALTER action %s cannot be performed on relation \"%s\"",
                       c->alter_kind == SQL_AT_SET_LOGGED ? "SET LOGGED" : "SET UNLOGGED",
                       m->name);
            rt_err_detail(err, "This operation is not supported for indexes.");
            return false;
        }
        if (c->alter_kind != SQL_AT_RENAME_TABLE) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "this form of ALTER INDEX is not supported yet");
        }
        if (sql_ddl_relname_taken(dc->bc->db, t->schema_oid, c->new_name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                              c->new_name);
        }
        for (uint32_t j = 0; j < copy->constraint_count; j++) {
            if (copy->constraints[j].index_oid == m->oid) {
                snprintf(copy->constraints[j].name, ENG_NAME_BYTES, "%s", c->new_name);
            }
        }
        snprintf(m->name, sizeof m->name, "%s", c->new_name);
    }
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
    sql_ddl_db(dc);
    return true;
}

/* ALTER SEQUENCE ... SET LOGGED / UNLOGGED (PostgreSQL 15). Its values are in the WAL either
 * way (an unlogged one's are reset after a crash: eng_seq_reset_unlogged); made logged, its
 * current state is logged again so that it, not an older value from before a reset, is what
 * the next recovery finds last. */
static bool ddl_seq_persistence(sql_ddl_ctx *dc, eng_sequence *s, char want, rt_err *err) {
    if (s->persistence == 't') {
        return rt_err_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                          "cannot change logged status of table \"%s\" because it is "
                          "temporary", s->name);
    }
    if (s->persistence == want) return true;
    int64_t last;
    bool called;
    if (want == 'p' && eng_seq_peek(dc->db_oid, s, &last, &called) &&
        !eng_seq_set(dc->db_oid, s, last, called, err)) {
        return false;
    }
    s->persistence = want;
    return true;
}

static bool ddl_alter_seq_cmds(sql_ddl_ctx *dc, const sql_alter_table *at, rt_err *err) {
    const eng_sequence *cur = sql_bind_find_sequence(dc->bc, &at->name);
    const char *name = at->name.parts[at->name.count - 1];
    if (cur == NULL) {
        if (at->if_exists) {
            sql_ddl_notice(dc, "00000", "relation \"%s\" does not exist, skipping", name);
            return true;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
    }
    if (!sql_ddl_owns(dc, cur->owner_oid, "sequence", cur->name, err)) return false;
    eng_sequence s = *cur;
    ddl_alter a = {.dc = dc};
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        const sql_alter_cmd *c = SQL_LIST_AT(at->cmds, i);
        if (c->alter_kind == SQL_AT_RENAME_TABLE) {
            if (sql_ddl_relname_taken(dc->bc->db, s.schema_oid, c->new_name)) {
                return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE,
                                  "relation \"%s\" already exists", c->new_name);
            }
            snprintf(s.name, sizeof s.name, "%s", c->new_name);
        } else if (c->alter_kind == SQL_AT_OWNER) {
            uint32_t old = s.owner_oid;
            if (!ddl_owner(&a, c->new_name, &s.owner_oid, err)) return false;
            s.acl = sql_acl_new_owner(sql_ddl_draft(dc), s.acl, old, s.owner_oid);
        } else if (c->alter_kind == SQL_AT_SET_LOGGED || c->alter_kind == SQL_AT_SET_UNLOGGED) {
            if (!ddl_seq_persistence(dc, &s, c->alter_kind == SQL_AT_SET_LOGGED ? 'p' : 'u',
                                     err)) {
                return false;
            }
        } else {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "this form of ALTER SEQUENCE is not supported yet");
        }
    }
    eng_draft_remove_sequence(sql_ddl_draft(dc), dc->db_oid, s.oid);
    eng_draft_add_sequence(sql_ddl_draft(dc), dc->db_oid, &s);
    sql_ddl_db(dc);
    return true;
}

/* Views are stored as text: after a relation is renamed, the views that name it follow. */
static bool ddl_views_follow(sql_ddl_ctx *dc, const char *from, const char *to, rt_err *err) {
    const eng_database *db = dc->bc->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *v = &db->tables[i];
        if (v->kind != 'v' || !sql_ddl_text_names(v->view_text, from)) continue;
        eng_table *copy = sql_ddl_table_copy(dc, v, err);
        if (copy == NULL) return false;
        copy->view_text = ddl_replace_word(dc, v->view_text, from, to);
        copy->def_gen = eng_catalog_def_gen();
        eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, copy);
        db = sql_ddl_db(dc);
    }
    return true;
}

/* Columns of a table whose row type a column uses stay as they are: stored values of the row
 * type carry the columns they were written with. */
static bool ddl_alter_rowtype_free(sql_ddl_ctx *dc, const eng_table *base,
                                   const sql_alter_table *at, rt_err *err) {
    char detail[RT_ERR_DETAIL_BYTES_MAX];
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        const sql_alter_cmd *c = SQL_LIST_AT(at->cmds, i);
        if (c->alter_kind != SQL_AT_ADD_COLUMN && c->alter_kind != SQL_AT_DROP_COLUMN &&
            c->alter_kind != SQL_AT_ALTER_TYPE && c->alter_kind != SQL_AT_RENAME_COLUMN) {
            continue;
        }
        if (sql_ddl_rowtype_users(dc->bc->db, base, detail, sizeof detail) > 0) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "changing the columns of a table whose row type a column uses is "
                              "not supported yet");
        }
    }
    return true;
}

bool sql_ddl_alter_table(sql_ddl_ctx *dc, const sql_alter_table *at, char *tag, rt_err *err) {
    static const char *const tags[] = {[SQL_OBJ_TABLE] = "ALTER TABLE",
                                       [SQL_OBJ_INDEX] = "ALTER INDEX",
                                       [SQL_OBJ_SEQUENCE] = "ALTER SEQUENCE",
                                       [SQL_OBJ_VIEW] = "ALTER VIEW"};
    snprintf(tag, SQL_TAG_BYTES, "%s",
             at->object <= SQL_OBJ_VIEW && tags[at->object] ? tags[at->object] : "ALTER TABLE");
    if (at->object == SQL_OBJ_INDEX) return ddl_alter_index(dc, at, err);
    if (at->object == SQL_OBJ_SEQUENCE) return ddl_alter_seq_cmds(dc, at, err);
    bool missing;
    char kind = at->object == SQL_OBJ_VIEW ? 'v' : 0;
    const eng_table *base = sql_ddl_find_rel(dc, &at->name, kind, at->if_exists, &missing, err);
    if (base == NULL) return missing;
    if (!sql_ddl_owns(dc, base->owner_oid, base->kind == 'v' ? "view" : "table", base->name,
                      err)) {
        return false;
    }
    if (!ddl_alter_rowtype_free(dc, base, at, err)) return false;
    ddl_alter a = {.dc = dc, .base = base, .rows = -1};
    if ((a.t = sql_ddl_table_copy(dc, base, err)) == NULL) return false;
    for (uint32_t i = 0; i < at->cmds.count; i++) {
        /* Each command may add a column, an index and a constraint: keep room. */
        if (i > 0 && (a.t = sql_ddl_table_copy(dc, a.t, err)) == NULL) return false;
        if (!ddl_alter_cmd(&a, SQL_LIST_AT(at->cmds, i), err)) return false;
    }
    if (a.retyped && !ddl_alter_retyped_fks(&a, err)) return false;
    /* The old definition outlives the replace below (it may live in the draft). */
    const eng_table *old = a.rewrite ? sql_ddl_table_copy(dc, base, err) : NULL;
    if (a.rewrite && old == NULL) return false;
    if (a.new_storage) {
        a.t->storage_id = eng_catalog_new_storage_id(sql_ddl_draft(dc));
        /* The rows move: their statistics too (this transaction's own as well). */
        sql_stats_rewritten(sql_session_stats_mine(dc->bc->session), base, a.t->storage_id);
    }
    a.t->def_gen = eng_catalog_def_gen();
    char old_name[ENG_NAME_BYTES];
    snprintf(old_name, sizeof old_name, "%s", base->name);
    eng_draft_replace_table(sql_ddl_draft(dc), dc->db_oid, a.t);
    sql_ddl_db(dc);
    if (a.rewrite) {
        const eng_table *fresh = eng_db_table_by_oid(dc->bc->db, old->oid);
        if (fresh == NULL || !sql_ddl_rewrite(dc, old, fresh, a.convert, err)) return false;
    }
    if (!ddl_alter_check_fks(&a, err) || !ddl_alter_recheck_fks(&a, err)) return false;
    if (strcmp(old_name, a.t->name) != 0) return ddl_views_follow(dc, old_name, a.t->name, err);
    return true;
}
