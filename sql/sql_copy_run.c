/* sql_copy_run.c: COPY statements, the running side: COPY FROM feeds the decoded input to the
 * INSERT plan as an SQL_P_SOURCE child (one batch of SQL_BATCH_ROWS rows at a time, so memory
 * stays bounded whatever the input size), COPY TO streams the rows of its plan through the
 * encoder to the client. */
#include <string.h>

#include "sql/sql_copy_int.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_session.h"

/* The error of the statement is `err`; the operators write into x->err. */
static bool run_fail(sql_exec_ctx *x, rt_err *err) {
    if (!rt_err_is_set(err) && x->err != err && rt_err_is_set(x->err)) *err = *x->err;
    if (!rt_err_is_set(err)) rt_arena_fail(x->arena, err);
    return false;
}

typedef struct run_in {
    sql_copy_reader r;
    const sql_sink *sink;
    uint64_t rows;
    bool read_failed;          /* the client is gone or sent CopyFail: read no more */
} run_in;

static bool run_in_read(void *arg, const uint8_t **data, uint32_t *len, bool *done, rt_err *err) {
    run_in *st = arg;
    if (st->sink->copy_read(st->sink->arg, data, len, done, err)) return true;
    st->read_failed = true;
    return false;
}

static bool run_in_fill(void *arg, struct sql_exec_ctx *x, rt_arena *arena, sql_batch *b) {
    run_in *st = arg;
    /* names: a field of a row type reads its columns from the catalog */
    sql_io_ctx io = {.arena = arena, .fmt = &x->fmt, .now_us = x->now_us, .err = x->err,
                     .names = sql_pgcat_names(x, arena)};
    if (!sql_copy_read_batch(&st->r, &io, b, x->err)) return false;
    st->rows += b->rows;
    return true;
}

/* The SQL_P_SOURCE node that hands the input's rows to the INSERT. */
static sql_plan *run_in_source(sql_exec_ctx *x, const sql_copy_col *cols, uint32_t ncols,
                               run_in *st) {
    sql_plan *p = rt_arena_zalloc(x->arena, sizeof *p);
    sql_col *pc = rt_arena_zalloc(x->arena, sizeof(sql_col) * (ncols + 1u));
    if (p == NULL || pc == NULL) return NULL;
    for (uint32_t i = 0; i < ncols; i++) {
        pc[i] = (sql_col){.name = cols[i].name, .type_oid = cols[i].type_oid,
                          .typmod = cols[i].typmod};
    }
    p->kind = SQL_P_SOURCE;
    p->ncols = ncols;
    p->cols = pc;
    p->est_rows = SQL_BATCH_ROWS;
    p->source.fill = run_in_fill;
    p->source.arg = st;
    return p;
}

bool sql_copy_run_from(struct sql_exec_ctx *x, struct sql_plan *insert, struct sql_expr *where,
                       const sql_copy_opts *o,
                       const char *relname, const sql_copy_col *cols, uint32_t ncols,
                       const struct sql_sink *sink, uint64_t *rows, rt_err *err) {
    RT_ASSERT(insert->kind == SQL_P_INSERT);
    run_in *st = rt_arena_zalloc(x->arena, sizeof *st);
    if (st == NULL) return rt_arena_fail(x->arena, err);
    st->sink = sink;
    sql_plan *src = run_in_source(x, cols, ncols, st);
    if (src == NULL) return rt_arena_fail(x->arena, err);
    insert->left = src;
    if (where != NULL) {
        sql_plan *f = rt_arena_zalloc(x->arena, sizeof *f);
        if (f == NULL) return rt_arena_fail(x->arena, err);
        f->kind = SQL_P_FILTER;
        f->ncols = src->ncols;
        f->cols = src->cols;
        f->left = src;
        f->est_rows = src->est_rows;
        f->filter.pred = where;
        insert->left = f;
    }
    uint64_t affected_before = x->affected != NULL ? atomic_load(x->affected) : 0;
    sql_copy_desc d = {.binary = o->format == SQL_COPY_BINARY, .ncols = ncols};
    if (!sink->copy_in(sink->arg, &d, err)) return false;
    sql_copy_reader_init(&st->r, o, relname, cols, ncols, run_in_read, st);
    sql_op *root = sql_op_build(x, insert);
    bool ok = root != NULL;
    while (ok) {
        sql_batch *out = NULL;
        ok = sql_op_next(root, x, &out);
        if (!ok || out == NULL) break;
    }
    if (root != NULL) sql_op_close(root, x);
    /* The client sends everything up to CopyDone whatever happens: read it, so the protocol
     * is in step again when the statement ends. */
    if (ok) {
        ok = sql_copy_reader_drain(&st->r, x->err);
    } else if (!st->read_failed) {
        rt_err ignored;
        rt_err_clear(&ignored);
        sql_copy_reader_drain(&st->r, &ignored);
    }
    sql_copy_reader_free(&st->r);
    if (!ok) return run_fail(x, err);
    /* With WHERE only some rows go in: the INSERT counts them. */
    *rows = x->affected != NULL ? atomic_load(x->affected) - affected_before : st->rows;
    return true;
}

typedef struct run_out {
    sql_copy_writer w;
    sql_exec_ctx *x;
    const sql_sink *sink;
} run_out;

static bool run_out_write(void *arg, const void *data, uint32_t len, rt_err *err) {
    run_out *st = arg;
    return st->sink->copy_write(st->sink->arg, data, len, err);
}

static bool run_out_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                         rt_err *err) {
    run_out *st = arg;
    return sql_copy_write_rows(&st->w, &st->x->fmt, b, from, to, err);
}

bool sql_copy_run_to(struct sql_exec_ctx *x, const struct sql_plan *plan, const sql_copy_opts *o,
                     const sql_copy_col *cols, uint32_t ncols, const struct sql_sink *sink,
                     uint64_t *rows, rt_err *err) {
    run_out *st = rt_arena_zalloc(x->arena, sizeof *st);
    if (st == NULL) return rt_arena_fail(x->arena, err);
    st->x = x;
    st->sink = sink;
    sql_cursor cur;
    if (!sql_cursor_open(&cur, x, plan)) return run_fail(x, err);
    if (!sql_copy_writer_init(&st->w, o, cols, ncols, run_out_write, st, x->err)) {
        sql_cursor_close(&cur);
        return run_fail(x, err);
    }
    sql_copy_desc d = {.binary = o->format == SQL_COPY_BINARY, .ncols = ncols};
    uint64_t emitted = 0;
    bool more = false;
    bool ok = sink->copy_out(sink->arg, &d, x->err) && sql_copy_write_begin(&st->w, x->err) &&
              sql_cursor_fetch(&cur, 0, run_out_rows, st, &emitted, &more) &&
              sql_copy_write_end(&st->w, x->err) && sink->copy_done(sink->arg, x->err);
    sql_cursor_close(&cur);
    sql_copy_writer_free(&st->w);
    if (!ok) return run_fail(x, err);
    *rows = emitted;
    return true;
}
