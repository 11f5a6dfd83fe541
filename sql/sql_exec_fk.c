/* sql_exec_fk.c: enforcing FOREIGN KEY constraints at the end of each statement (sql_fk.h).
 * Writers note what changed; the coordinator then runs one internal statement per distinct
 * event, in the statement's transaction, through the parser, binder and planner (as
 * PostgreSQL's RI triggers run SQL through SPI): the planner picks the primary key or an index
 * for the lookup, a cascade DELETE or UPDATE goes to the shards owning the rows, and the
 * foreign keys of the rows it changes are enforced at its own end (cascades chain). */
#include <stdio.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "sql/sql_bind.h"
#include "sql/sql_fk.h"
#include "sql/sql_session.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"

typedef enum sql_fk_kind {
    SQL_FK_EV_CHECK = 1, /* a referencing row's key must exist in the referenced table */
    SQL_FK_EV_PARENT,    /* a referenced key went (deleted, or updated to another key) */
} sql_fk_kind;

typedef struct sql_fk_event {
    const eng_table *child;      /* the referencing table */
    const eng_constraint *con;   /* its foreign key */
    uint8_t kind;
    bool is_update;              /* PARENT: the key changed (else the row was deleted) */
    sql_value *old_key;          /* PARENT: the referenced key before (column_count values) */
    sql_value *new_key;          /* CHECK: the referencing key; PARENT update: after; else
                                    NULL once queued */
} sql_fk_event;

struct sql_fk_queue {
    rt_arena *arena;             /* the coordinator's statement arena */
    sql_fk_event **ev;
    uint32_t count, cap;
    uint32_t *slots;             /* open addressing: event index + 1, 0 = empty */
    uint32_t nslots;
    uint32_t depth;              /* internal statements this one runs inside */
};

sql_fk_queue *sql_fk_queue_new(rt_arena *arena) {
    sql_fk_queue *q = rt_arena_zalloc(arena, sizeof *q);
    if (q != NULL) q->arena = arena;
    return q;
}

/* ---- which foreign keys a table takes part in ---- */

static bool sql_fk_has_child(const eng_table *t) {
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        if (t->constraints[i].kind == 'f') return true;
    }
    return false;
}

bool sql_fk_involved(const eng_database *db, const eng_table *t) {
    if (sql_fk_has_child(t)) return true;
    const eng_table *child;
    return db != NULL && sql_fk_referencing(db, t, 0, &child) != NULL;
}

const eng_constraint *sql_fk_referencing(const eng_database *db, const eng_table *t,
                                         uint32_t skip_table, const eng_table **child) {
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *c = &db->tables[i];
        if (c->oid == skip_table) continue;
        for (uint32_t k = 0; k < c->constraint_count; k++) {
            if (c->constraints[k].kind == 'f' && c->constraints[k].ref_table_oid == t->oid) {
                *child = c;
                return &c->constraints[k];
            }
        }
    }
    return NULL;
}

/* ---- the queue ---- */

static uint64_t sql_fk_event_hash(const sql_fk_event *e) {
    uint64_t h = (uint64_t)e->con->oid * 0x9e3779b97f4a7c15ull ^ e->kind ^
                 (uint64_t)e->is_update << 8;
    for (uint32_t i = 0; i < e->con->column_count; i++) {
        if (e->kind == SQL_FK_EV_PARENT) h = h * 31 + sql_value_hash(&e->old_key[i]);
        if (e->kind == SQL_FK_EV_CHECK || e->is_update) {
            h = h * 31 + (e->new_key[i].is_null ? 7 : sql_value_hash(&e->new_key[i]));
        }
    }
    return h;
}

static bool sql_fk_values_equal(const sql_value *a, const sql_value *b, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].is_null != b[i].is_null) return false;
        if (!a[i].is_null && sql_value_cmp(&a[i], &b[i]) != 0) return false;
    }
    return true;
}

static bool sql_fk_event_equal(const sql_fk_event *a, const sql_fk_event *b) {
    uint32_t n = a->con->column_count;
    if (a->con != b->con || a->kind != b->kind || a->is_update != b->is_update) return false;
    if (a->kind == SQL_FK_EV_PARENT && !sql_fk_values_equal(a->old_key, b->old_key, n)) {
        return false;
    }
    return (a->kind == SQL_FK_EV_PARENT && !a->is_update) ||
           sql_fk_values_equal(a->new_key, b->new_key, n);
}

/* The slot of an event equal to `e`, or of the empty place where it goes. */
static uint32_t *sql_fk_slot(sql_fk_queue *q, const sql_fk_event *e) {
    uint32_t mask = q->nslots - 1u;
    for (uint32_t i = (uint32_t)sql_fk_event_hash(e) & mask;; i = (i + 1u) & mask) {
        if (q->slots[i] == 0 || sql_fk_event_equal(q->ev[q->slots[i] - 1u], e)) {
            return &q->slots[i];
        }
    }
}

static bool sql_fk_grow(sql_fk_queue *q, rt_err *err) {
    uint32_t cap = q->cap == 0 ? 16u : q->cap * 2u;
    sql_fk_event **ev = rt_arena_alloc(q->arena, sizeof(sql_fk_event *) * cap);
    uint32_t *slots = rt_arena_zalloc(q->arena, sizeof(uint32_t) * cap * 2u);
    if (ev == NULL || slots == NULL) return rt_arena_fail(q->arena, err);
    if (q->count > 0) memcpy(ev, q->ev, sizeof(sql_fk_event *) * q->count);
    q->ev = ev;
    q->cap = cap;
    q->slots = slots;
    q->nslots = cap * 2u;
    for (uint32_t i = 0; i < q->count; i++) *sql_fk_slot(q, q->ev[i]) = i + 1u;
    return true;
}

/* Adds a copy of `e` (its values copied into the queue's arena) unless an equal one is in. */
static bool sql_fk_queue_add(sql_fk_queue *q, const sql_fk_event *e, rt_err *err) {
    if (q->count == q->cap && !sql_fk_grow(q, err)) return false;
    uint32_t *slot = sql_fk_slot(q, e);
    if (*slot != 0) return true;
    uint32_t n = e->con->column_count;
    bool has_old = e->kind == SQL_FK_EV_PARENT;
    bool has_new = e->kind == SQL_FK_EV_CHECK || e->is_update;
    sql_fk_event *copy = rt_arena_alloc(q->arena, sizeof *copy + sizeof(sql_value) * n * 2u);
    if (copy == NULL) return rt_arena_fail(q->arena, err);
    *copy = *e;
    sql_value *vals = (sql_value *)(copy + 1);
    copy->old_key = has_old ? vals : NULL;
    copy->new_key = has_new ? vals + n : NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (has_old) copy->old_key[i] = e->old_key[i];
        if (has_new) copy->new_key[i] = e->new_key[i];
        if ((has_old && !sql_value_copy(q->arena, &copy->old_key[i])) ||
            (has_new && !sql_value_copy(q->arena, &copy->new_key[i]))) {
            return rt_arena_fail(q->arena, err);
        }
    }
    q->ev[q->count++] = copy;
    *slot = q->count;
    return true;
}

/* ---- notes ---- */

typedef struct sql_fk_notes {
    sql_exec_ctx *x;
    sql_fk_event *ev;
    uint32_t n;
    rt_err err;
    bool ok;
} sql_fk_notes;

static void sql_fk_notes_run(void *arg) {
    sql_fk_notes *nb = arg;
    rt_err_clear(&nb->err);
    nb->ok = true;
    for (uint32_t i = 0; i < nb->n && nb->ok; i++) {
        nb->ok = sql_fk_queue_add(nb->x->fk, &nb->ev[i], &nb->err);
    }
}

/* 23503 for a MATCH FULL key with some but not all columns NULL. */
static bool sql_fk_full_mixed(sql_exec_ctx *x, const eng_table *t, const eng_constraint *con) {
    rt_err_set(x->err, SQLSTATE_FOREIGN_KEY_VIOLATION,
               "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
               t->name, con->name);
    rt_err_detail(x->err, "MATCH FULL does not allow mixing of null and nonnull key values.");
    rt_err_names(x->err, t->name, con->name);
    return false;
}

/* The check a new or changed referencing key needs (*add false: none). */
static bool sql_fk_child_event(sql_exec_ctx *x, const eng_table *t, const eng_constraint *con,
                               const sql_value *before, const sql_value *after,
                               sql_fk_event *e, bool *add) {
    uint32_t nulls = 0, n = con->column_count;
    *add = false;
    for (uint32_t i = 0; i < n; i++) {
        e->new_key[i] = after[con->attnums[i] - 1];
        nulls += e->new_key[i].is_null;
    }
    if (nulls == n || (nulls > 0 && con->match != 'f')) return true; /* nothing to check */
    if (nulls > 0) return sql_fk_full_mixed(x, t, con);
    if (before != NULL) { /* an UPDATE that left the key alone needs no check */
        sql_value old[ENG_INDEX_COLUMNS_MAX];
        for (uint32_t i = 0; i < n; i++) old[i] = before[con->attnums[i] - 1];
        if (sql_fk_values_equal(old, e->new_key, n)) return true;
    }
    e->child = t;
    e->con = con;
    e->kind = SQL_FK_EV_CHECK;
    *add = true;
    return true;
}

/* The action a deleted or changed referenced key needs (*add false: none). */
static void sql_fk_parent_event(const eng_table *child, const eng_constraint *con,
                                const sql_value *before, const sql_value *after,
                                sql_fk_event *e, bool *add) {
    uint32_t n = con->column_count;
    *add = false;
    for (uint32_t i = 0; i < n; i++) {
        e->old_key[i] = before[con->ref_attnums[i] - 1];
        if (e->old_key[i].is_null) return; /* a key with a NULL is referenced by no row */
        if (after != NULL) e->new_key[i] = after[con->ref_attnums[i] - 1];
    }
    if (after != NULL && sql_fk_values_equal(e->old_key, e->new_key, n)) return;
    e->child = child;
    e->con = con;
    e->kind = SQL_FK_EV_PARENT;
    e->is_update = after != NULL;
    *add = true;
}

/* An empty event whose keys go to vals[0..2 * ENG_INDEX_COLUMNS_MAX). */
static void sql_fk_event_init(sql_fk_event *e, sql_value *vals) {
    memset(e, 0, sizeof *e);
    e->old_key = vals;
    e->new_key = vals + ENG_INDEX_COLUMNS_MAX;
}

/* The foreign keys a change of a row of `t` may concern (at most SQL_FK_PER_TABLE_MAX). */
static uint32_t sql_fk_candidates(const eng_database *db, const eng_table *t, bool before,
                                  bool after) {
    uint32_t n = 0;
    for (uint32_t k = 0; after && k < t->constraint_count; k++) n += t->constraints[k].kind == 'f';
    for (uint32_t i = 0; before && i < db->table_count; i++) {
        const eng_table *c = &db->tables[i];
        for (uint32_t k = 0; k < c->constraint_count; k++) {
            n += c->constraints[k].kind == 'f' && c->constraints[k].ref_table_oid == t->oid;
        }
    }
    return n < SQL_FK_PER_TABLE_MAX ? n : SQL_FK_PER_TABLE_MAX;
}

/* Collects the events of one row change into ev[] (room for `cap`, keys in vals). */
static bool sql_fk_collect(sql_exec_ctx *x, const eng_table *t, const sql_value *before,
                           const sql_value *after, sql_fk_event *ev, sql_value *vals,
                           uint32_t cap, uint32_t *n) {
    *n = 0;
    for (uint32_t k = 0; after != NULL && k < t->constraint_count && *n < cap; k++) {
        const eng_constraint *con = &t->constraints[k];
        if (con->kind != 'f') continue;
        bool add;
        sql_fk_event_init(&ev[*n], vals + *n * 2u * ENG_INDEX_COLUMNS_MAX);
        if (!sql_fk_child_event(x, t, con, before, after, &ev[*n], &add)) return false;
        *n += add;
    }
    for (uint32_t i = 0; before != NULL && i < x->db->table_count; i++) {
        const eng_table *c = &x->db->tables[i];
        for (uint32_t k = 0; k < c->constraint_count && *n < cap; k++) {
            const eng_constraint *con = &c->constraints[k];
            if (con->kind != 'f' || con->ref_table_oid != t->oid) continue;
            bool add;
            sql_fk_event_init(&ev[*n], vals + *n * 2u * ENG_INDEX_COLUMNS_MAX);
            sql_fk_parent_event(c, con, before, after, &ev[*n], &add);
            *n += add;
        }
    }
    return true;
}

bool sql_fk_note(sql_exec_ctx *x, const eng_table *t, const sql_value *before,
                 const sql_value *after) {
    if (x->fk == NULL) return true; /* not under a statement that enforces (DDL copies) */
    uint32_t cap = sql_fk_candidates(x->db, t, before != NULL, after != NULL);
    if (cap == 0) return true;
    sql_fk_event *ev = rt_xmalloc(sizeof(sql_fk_event) * cap);
    sql_value *vals = rt_xmalloc(sizeof(sql_value) * cap * 2u * ENG_INDEX_COLUMNS_MAX);
    uint32_t n = 0;
    bool ok = sql_fk_collect(x, t, before, after, ev, vals, cap, &n);
    if (ok && n > 0) {
        sql_fk_notes nb = {.x = x, .ev = ev, .n = n};
        if (rt_core_id() == x->coordinator_core) {
            sql_fk_notes_run(&nb);
        } else {
            ok = rt_run_on(x->coordinator_core, sql_fk_notes_run, &nb, x->err);
        }
        if (ok && !nb.ok) {
            *x->err = nb.err;
            ok = false;
        }
    }
    rt_free(vals);
    rt_free(ev);
    return ok;
}

/* ---- internal statements ---- */

void sql_fk_put_relname(sql_strbuf *sb, const eng_database *db, const eng_table *t) {
    const eng_schema *s = eng_db_schema_by_oid(db, t->schema_oid);
    sql_strbuf_put_ident(sb, s != NULL ? s->name : "public");
    sql_strbuf_putc(sb, '.');
    sql_strbuf_put_ident(sb, t->name);
}

/* " WHERE x.a = $1 AND x.b = $2" over the columns `attnums` of `t`. */
static void sql_fk_where(sql_strbuf *sb, const eng_table *t, const uint16_t *attnums, uint32_t n) {
    sql_strbuf_puts(sb, " WHERE ");
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) sql_strbuf_puts(sb, " AND ");
        sql_strbuf_puts(sb, "x.");
        sql_strbuf_put_ident(sb, t->columns[attnums[i] - 1].name);
        sql_strbuf_printf(sb, " = $%u", i + 1);
    }
}

typedef struct sql_fk_rows {
    uint64_t count;
    sql_value *first;            /* the first row's values, copied into `keep` (may be NULL) */
    rt_arena *keep;
} sql_fk_rows;

static bool sql_fk_count_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                              rt_err *err) {
    sql_fk_rows *r = arg;
    if (r->count == 0 && r->first != NULL && to > from) {
        for (uint32_t c = 0; c < b->ncols; c++) {
            sql_vec_get(&b->cols[c], from, &r->first[c]);
            if (!sql_value_copy(r->keep, &r->first[c])) return rt_arena_fail(r->keep, err);
        }
    }
    r->count += to - from;
    return true;
}

/* Runs `text` with `params` in the statement's transaction: a command id of its own, a fresh
 * snapshot, its own end-of-statement enforcement one level deeper. *rows: rows returned (or
 * written, for DML). */
bool sql_fk_run_sql(sql_exec_ctx *x, const char *text, const sql_value *params,
                    uint32_t nparams, uint64_t *rows, sql_value *first, rt_arena *keep) {
    uint32_t depth = x->fk != NULL ? x->fk->depth + 1u : 1u;
    if (depth > SQL_FK_DEPTH_MAX) {
        return rt_err_set(x->err, SQLSTATE_STATEMENT_TOO_COMPLEX,
                          "stack depth limit exceeded");
    }
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    uint32_t types[ENG_INDEX_COLUMNS_MAX * 2];
    for (uint32_t i = 0; i < nparams; i++) types[i] = params[i].type_oid;
    sql_bind_ctx bc = {.arena = arena, .err = x->err, .catalog = x->catalog, .db = x->db,
                       .sql = text, .sql_len = (uint32_t)strlen(text), .nparams = nparams,
                       .param_types = types, .shard_count = eng_shard_count()};
    sql_stmt_list list;
    sql_query *q = NULL;
    bool ok = sql_parse(arena, text, bc.sql_len, &list, x->err) && list.count == 1 &&
              sql_bind_query(&bc, list.stmts[0].node, &q);
    sql_exec_ctx x2 = *x;
    if (ok) {
        x2.arena = arena;
        x2.params = params;
        x2.nparams = nparams;
        x2.snap.ts = eng_txn_snapshot_ts();
        x2.command = x->session != NULL ? sql_session_take_command(x->session) : x->command;
        x2.snap.command = x2.command;
        x2.subquery_cache = NULL;
        x2.materials = NULL;
        x2.nsubqueries = q->nsubqueries;
        x2.nmaterials = q->nmaterials;
        x2.outer_depth = 0;
        atomic_store(&x2.rows_affected, 0);
        x2.affected = &x2.rows_affected;
        x2.fk = sql_fk_queue_new(arena);
        memset(&x2.stats, 0, sizeof x2.stats);
        ok = x2.fk != NULL || rt_arena_fail(arena, x->err);
    }
    if (ok) {
        x2.fk->depth = depth;
        sql_cursor cur;
        uint64_t emitted = 0;
        bool more = false;
        sql_fk_rows got = {.first = first, .keep = keep};
        ok = sql_cursor_open(&cur, &x2, q->plan) &&
             sql_cursor_fetch(&cur, 0, sql_fk_count_rows, &got, &emitted, &more);
        sql_cursor_close(&cur);
        *rows = q->cmd != SQL_CMD_SELECT ? atomic_load(&x2.rows_affected) : got.count;
    }
    rt_arena_destroy(arena);
    return ok;
}

void sql_fk_key_text(sql_exec_ctx *x, const eng_table *t, const uint16_t *attnums,
                            const sql_value *key, uint32_t n, char *out, size_t size) {
    rt_arena *a = rt_arena_create(1u << 20);
    sql_strbuf cols, vals;
    sql_strbuf_init(&cols, a, 64);
    sql_strbuf_init(&vals, a, 64);
    rt_err tmp;
    rt_err_clear(&tmp);
    sql_io_ctx io = {.arena = a, .fmt = &x->fmt, .now_us = x->now_us, .err = &tmp};
    for (uint32_t i = 0; i < n; i++) {
        const eng_column *c = &t->columns[attnums[i] - 1];
        if (i > 0) {
            sql_strbuf_puts(&cols, ", ");
            sql_strbuf_puts(&vals, ", ");
        }
        sql_strbuf_puts(&cols, c->name);
        rt_err_clear(&tmp);
        if (key[i].is_null) sql_strbuf_puts(&vals, "null");
        else if (!sql_value_out(&io, &key[i], c->typmod, &vals)) sql_strbuf_puts(&vals, "?");
    }
    sql_strbuf_putc(&cols, '\0');
    sql_strbuf_putc(&vals, '\0');
    snprintf(out, size, "Key (%s)=(%s)", cols.failed ? "..." : cols.data,
             vals.failed ? "..." : vals.data);
    rt_arena_destroy(a);
}

/* Runs `SELECT 1 FROM parent WHERE <referenced key> = key FOR KEY SHARE`: the referenced
 * row, share-locked; *rows is how many there are (0 or 1). */
static bool sql_fk_lookup_parent(sql_exec_ctx *x, const sql_fk_event *e, const eng_table *parent,
                                 const sql_value *key, rt_arena *a, uint64_t *rows) {
    sql_strbuf sb;
    sql_strbuf_init(&sb, a, 256);
    sql_strbuf_puts(&sb, "SELECT 1 FROM ");
    sql_fk_put_relname(&sb, x->db, parent);
    sql_strbuf_puts(&sb, " x");
    sql_fk_where(&sb, parent, e->con->ref_attnums, e->con->column_count);
    sql_strbuf_puts(&sb, " FOR KEY SHARE OF x");
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(a, x->err);
    return sql_fk_run_sql(x, sb.data, key, e->con->column_count, rows, NULL, NULL);
}

/* A referencing key: the referenced row must exist; it is share-locked (FOR KEY SHARE). */
static bool sql_fk_check(sql_exec_ctx *x, const sql_fk_event *e, rt_arena *a) {
    const eng_table *parent = eng_db_table_by_oid(x->db, e->con->ref_table_oid);
    if (parent == NULL) return true; /* dropped in this transaction along with the key */
    uint64_t rows;
    if (!sql_fk_lookup_parent(x, e, parent, e->new_key, a, &rows)) return false;
    if (rows > 0) return true;
    char key[RT_ERR_DETAIL_BYTES_MAX];
    sql_fk_key_text(x, e->child, e->con->attnums, e->new_key, e->con->column_count, key,
                    sizeof key);
    rt_err_set(x->err, SQLSTATE_FOREIGN_KEY_VIOLATION,
               "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
               e->child->name, e->con->name);
    rt_err_detail(x->err, "%.900s is not present in table \"%s\".", key, parent->name);
    rt_err_names(x->err, e->child->name, e->con->name);
    return false;
}

/* NO ACTION / RESTRICT: no referencing row may be left. */
static bool sql_fk_still_referenced(sql_exec_ctx *x, const sql_fk_event *e, rt_arena *a) {
    const eng_table *parent = eng_db_table_by_oid(x->db, e->con->ref_table_oid);
    sql_strbuf sb;
    sql_strbuf_init(&sb, a, 256);
    sql_strbuf_puts(&sb, "SELECT 1 FROM ");
    sql_fk_put_relname(&sb, x->db, e->child);
    sql_strbuf_puts(&sb, " x");
    sql_fk_where(&sb, e->child, e->con->attnums, e->con->column_count);
    sql_strbuf_puts(&sb, " LIMIT 1 FOR KEY SHARE OF x");
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(a, x->err);
    uint64_t rows;
    if (!sql_fk_run_sql(x, sb.data, e->old_key, e->con->column_count, &rows, NULL, NULL)) {
        return false;
    }
    if (rows == 0 || parent == NULL) return true;
    char key[RT_ERR_DETAIL_BYTES_MAX];
    sql_fk_key_text(x, parent, e->con->ref_attnums, e->old_key, e->con->column_count, key,
                    sizeof key);
    rt_err_set(x->err, SQLSTATE_FOREIGN_KEY_VIOLATION,
               "update or delete on table \"%s\" violates foreign key constraint \"%s\" on "
               "table \"%s\"", parent->name, e->con->name, e->child->name);
    rt_err_detail(x->err, "%.900s is still referenced from table \"%s\".", key, e->child->name);
    rt_err_names(x->err, e->child->name, e->con->name);
    return false;
}

/* CASCADE, SET NULL, SET DEFAULT: the referencing rows are deleted or updated. */
static bool sql_fk_apply(sql_exec_ctx *x, const sql_fk_event *e, char action, rt_arena *a) {
    const eng_constraint *con = e->con;
    uint32_t n = con->column_count;
    sql_strbuf sb;
    sql_strbuf_init(&sb, a, 256);
    sql_value params[ENG_INDEX_COLUMNS_MAX * 2];
    memcpy(params, e->old_key, sizeof(sql_value) * n);
    uint32_t nparams = n;
    if (action == 'c' && !e->is_update) {
        sql_strbuf_puts(&sb, "DELETE FROM ");
        sql_fk_put_relname(&sb, x->db, e->child);
        sql_strbuf_puts(&sb, " x");
    } else {
        sql_strbuf_puts(&sb, "UPDATE ");
        sql_fk_put_relname(&sb, x->db, e->child);
        sql_strbuf_puts(&sb, " x SET ");
        for (uint32_t i = 0; i < n; i++) {
            if (i > 0) sql_strbuf_puts(&sb, ", ");
            sql_strbuf_put_ident(&sb, e->child->columns[con->attnums[i] - 1].name);
            if (action == 'n') {
                sql_strbuf_puts(&sb, " = NULL");
            } else if (action == 'd') {
                sql_strbuf_puts(&sb, " = DEFAULT");
            } else {
                sql_strbuf_printf(&sb, " = $%u", n + i + 1);
                params[nparams++] = e->new_key[i];
            }
        }
    }
    sql_fk_where(&sb, e->child, con->attnums, n);
    sql_strbuf_putc(&sb, '\0');
    if (sb.failed) return rt_arena_fail(a, x->err);
    uint64_t rows;
    return sql_fk_run_sql(x, sb.data, params, nparams, &rows, NULL, NULL);
}

/* A check of a deferred constraint goes to the session, to run at COMMIT (*kept). */
static bool sql_fk_maybe_defer(sql_exec_ctx *x, const sql_fk_event *e, bool *kept) {
    *kept = false;
    char action = e->is_update ? e->con->on_update : e->con->on_delete;
    if (x->session == NULL || (e->kind == SQL_FK_EV_PARENT && action != 'a') ||
        !sql_session_fk_is_deferred(x->session, e->con)) {
        return true;
    }
    sql_fk_deferred_ev d = {.con_oid = e->con->oid, .child_oid = e->child->oid,
                            .parent_check = e->kind == SQL_FK_EV_PARENT,
                            .command = x->command, .n = e->con->column_count};
    memcpy(d.key, d.parent_check ? e->old_key : e->new_key, sizeof(sql_value) * d.n);
    *kept = true;
    return sql_session_fk_defer(x->session, &d, x->err);
}

/* Whether the referenced key exists (again): a deferred NO ACTION check passes then. */
static bool sql_fk_key_exists(sql_exec_ctx *x, const sql_fk_event *e, rt_arena *a,
                              bool *exists) {
    const eng_table *parent = eng_db_table_by_oid(x->db, e->con->ref_table_oid);
    *exists = false;
    if (parent == NULL) return true;
    uint64_t rows;
    if (!sql_fk_lookup_parent(x, e, parent, e->old_key, a, &rows)) return false;
    *exists = rows > 0;
    return true;
}

bool sql_fk_run_deferred(sql_exec_ctx *x, const sql_fk_deferred_ev *ev) {
    const eng_table *child = eng_db_table_by_oid(x->db, ev->child_oid);
    const eng_constraint *con = NULL;
    for (uint32_t i = 0; child != NULL && i < child->constraint_count; i++) {
        if (child->constraints[i].oid == ev->con_oid) con = &child->constraints[i];
    }
    if (con == NULL) return true; /* dropped since */
    sql_value key[ENG_INDEX_COLUMNS_MAX];
    memcpy(key, ev->key, sizeof(sql_value) * ev->n);
    sql_fk_event e = {.child = child, .con = con,
                      .kind = ev->parent_check ? SQL_FK_EV_PARENT : SQL_FK_EV_CHECK,
                      .old_key = ev->parent_check ? key : NULL,
                      .new_key = ev->parent_check ? NULL : key};
    rt_arena *a = rt_arena_create(1u << 20);
    bool exists = false, ok = true;
    if (ev->parent_check) ok = sql_fk_key_exists(x, &e, a, &exists);
    if (ok && !exists) {
        ok = ev->parent_check ? sql_fk_still_referenced(x, &e, a) : sql_fk_check(x, &e, a);
    }
    rt_arena_destroy(a);
    return ok;
}

static bool sql_fk_run_event(sql_exec_ctx *x, const sql_fk_event *e, rt_arena *a) {
    bool kept;
    if (!sql_fk_maybe_defer(x, e, &kept)) return false;
    if (kept) return true;
    if (e->kind == SQL_FK_EV_CHECK) return sql_fk_check(x, e, a);
    char action = e->is_update ? e->con->on_update : e->con->on_delete;
    if (action == 'c' || action == 'n') return sql_fk_apply(x, e, action, a);
    /* SET DEFAULT to the key being removed leaves rows that still refer to it (their key did
     * not change, so their own check is skipped): look again afterwards, as PostgreSQL does. */
    if (action == 'd' && !sql_fk_apply(x, e, action, a)) return false;
    return sql_fk_still_referenced(x, e, a);
}

bool sql_fk_statement_end(sql_exec_ctx *x) {
    sql_fk_queue *q = x->fk;
    if (q == NULL || q->count == 0) return true;
    rt_arena *a = rt_arena_create(1u << 20);
    bool ok = true;
    /* Actions first (a cascade removes the rows a check would find), then the checks. */
    for (uint32_t pass = 0; pass < 2 && ok; pass++) {
        for (uint32_t i = 0; i < q->count && ok; i++) {
            const sql_fk_event *e = q->ev[i];
            if ((e->kind == SQL_FK_EV_CHECK) != (pass == 1)) continue;
            rt_arena_reset(a);
            ok = sql_fk_run_event(x, e, a);
        }
    }
    q->count = 0;
    if (q->nslots > 0) memset(q->slots, 0, sizeof(uint32_t) * q->nslots);
    rt_arena_destroy(a);
    return ok;
}
