/* sql_copy_int.h: the parts of COPY shared by its files: options (sql_copy_opt.c), the input
 * decoder of text / csv / binary data (sql_copy_in.c), the output encoder (sql_copy_out.c).
 * None of them knows about tables or plans: they see column names and types, a function that
 * hands out input bytes, and a function that takes output bytes. sql_copy.c joins them to the
 * binder and the executor.
 * Memory:  options in the caller's arena; the reader's line and field buffers on the heap
 *          (freed by sql_copy_reader_free), bounded by SQL_COPY_LINE_BYTES_MAX; decoded values
 *          in the batch's arena; the writer's output buffer on the heap, holding one row
 *          (flushed after each).
 * Errors:  PostgreSQL 15's messages and SQLSTATEs; data errors carry the context
 *          "COPY t, line n[, column c][: "text"]" in the detail. */
#ifndef SQL_COPY_INT_H
#define SQL_COPY_INT_H

#include "sql/sql_batch.h"
#include "sql/sql_types.h"

/* Neither the parse tree nor the executor is needed by the codec: the binding side
 * (sql_copy.c) sees the parse tree, the running side (sql_copy_run.c) the executor. */
struct sql_defelem;
struct sql_list;

/* A value quoted in an error context is cut here, as PostgreSQL's MAX_COPY_DATA_DISPLAY. */
#define SQL_COPY_CONTEXT_BYTES_MAX 100u
/* Columns of one COPY: PostgreSQL's MaxTupleAttributeNumber. */
#define SQL_COPY_COLUMNS_MAX 1664u

typedef enum sql_copy_format {
    SQL_COPY_TEXT = 0,
    SQL_COPY_CSV,
    SQL_COPY_BINARY,
} sql_copy_format;

typedef enum sql_copy_header {
    SQL_COPY_HEADER_NONE = 0,
    SQL_COPY_HEADER_SKIP,   /* HEADER true: written on output, skipped on input */
    SQL_COPY_HEADER_MATCH,  /* HEADER match (input only): names must equal the columns */
} sql_copy_header;

/* A FORCE_* option's column list as written, resolved later against the copied columns. */
typedef struct sql_copy_force {
    const struct sql_defelem *opt;   /* NULL when not given */
    bool all;                 /* FORCE_QUOTE * */
} sql_copy_force;

typedef struct sql_copy_opts {
    sql_copy_format format;
    bool is_from;
    char delim;
    char quote;                /* CSV only */
    char escape;               /* CSV only */
    const char *null_str;
    uint32_t null_len;
    sql_copy_header header;
    bool freeze;               /* accepted; every load is visible only at commit anyway */
    sql_copy_force force_quote, force_not_null, force_null;
    /* Per copied column, set by sql_copy_opts_columns. */
    uint32_t ncols;
    bool *quote_col, *not_null_col, *null_col;
} sql_copy_opts;

/* Validates COPY's option list (sql_defelem*) as PostgreSQL's ProcessCopyOptions: 42601
 * unknown or repeated options, 22023 / 0A000 for values and combinations it refuses. */
bool sql_copy_opts_parse(const struct sql_list *options, bool is_from, sql_copy_opts *o,
                         rt_err *err);

/* Resolves the FORCE_* lists against the relation's columns (`rel_cols`, NULL for a query:
 * then the copied columns) and the copied columns: 42703, 42701, 42P10. */
bool sql_copy_opts_columns(sql_copy_opts *o, rt_arena *arena, const char *relname,
                           const char *const *rel_cols, uint32_t nrel,
                           const char *const *cols, uint32_t ncols, rt_err *err);

/* One copied column. */
typedef struct sql_copy_col {
    const char *name;
    uint32_t type_oid;
    int32_t typmod;
} sql_copy_col;

/* Hands out the next piece of input: *done at the end (then *len may be 0). */
typedef bool (*sql_copy_read_fn)(void *arg, const uint8_t **data, uint32_t *len, bool *done,
                                 rt_err *err);
/* Takes a piece of output. */
typedef bool (*sql_copy_write_fn)(void *arg, const void *data, uint32_t len, rt_err *err);

/* ---- input ---- */

typedef enum sql_copy_eol {
    SQL_COPY_EOL_UNKNOWN = 0,
    SQL_COPY_EOL_NL,
    SQL_COPY_EOL_CR,
    SQL_COPY_EOL_CRNL,
} sql_copy_eol;

typedef struct sql_copy_reader {
    const sql_copy_opts *o;
    const char *relname;
    const sql_copy_col *cols;
    uint32_t ncols;
    sql_copy_read_fn read;
    void *read_arg;
    /* the current piece of input */
    const uint8_t *in;
    uint32_t in_len, in_pos;
    bool in_done;              /* the reader said so: no more pieces */
    bool ended;                /* end of data: "\." or the binary trailer */
    /* the current line (text, csv: raw, without its end of line) or row (binary: the fields'
       bytes back to back) */
    uint8_t *line;
    uint32_t line_len, line_cap;
    uint64_t line_no;
    sql_copy_eol eol;
    bool started;              /* header (line or binary signature) dealt with */
    /* the current row's fields: decoded bytes in `buf` (NUL after each) */
    uint8_t *buf;
    uint32_t buf_len, buf_cap;
    uint32_t nfields, fields_cap;
    uint32_t *field_off, *field_len;
    bool *field_null;
} sql_copy_reader;

void sql_copy_reader_init(sql_copy_reader *r, const sql_copy_opts *o, const char *relname,
                          const sql_copy_col *cols, uint32_t ncols, sql_copy_read_fn read,
                          void *read_arg);
void sql_copy_reader_free(sql_copy_reader *r);
/* Decodes up to b->cap rows into `b` (whose vectors have the columns' types); b->rows == 0
 * means the input has ended. Values are allocated in io->arena. */
bool sql_copy_read_batch(sql_copy_reader *r, sql_io_ctx *io, sql_batch *b, rt_err *err);
/* Reads what is left after the end of data (a client sends up to CopyDone). */
bool sql_copy_reader_drain(sql_copy_reader *r, rt_err *err);

/* ---- output ---- */

typedef struct sql_copy_writer {
    const sql_copy_opts *o;
    const sql_copy_col *cols;
    uint32_t ncols;
    sql_copy_write_fn write;
    void *write_arg;
    uint8_t *out;
    uint32_t out_len, out_cap;
    rt_arena *scratch;         /* one value's text, reset per row */
    uint64_t rows;
} sql_copy_writer;

bool sql_copy_writer_init(sql_copy_writer *w, const sql_copy_opts *o, const sql_copy_col *cols,
                          uint32_t ncols, sql_copy_write_fn write, void *write_arg, rt_err *err);
void sql_copy_writer_free(sql_copy_writer *w);
/* The binary signature or the header line. */
bool sql_copy_write_begin(sql_copy_writer *w, rt_err *err);
/* Rows from..to-1 of a batch (columns in the order of w->cols). */
bool sql_copy_write_rows(sql_copy_writer *w, const sql_fmt *fmt, const sql_batch *b,
                         uint32_t from, uint32_t to, rt_err *err);
/* The binary trailer, then everything buffered goes out. */
bool sql_copy_write_end(sql_copy_writer *w, rt_err *err);

/* ---- running (sql_copy_run.c: the executor's side) ---- */

struct sql_exec_ctx;
struct sql_sink;
struct sql_plan;

/* COPY FROM: CopyInResponse, then `insert` (the binder's INSERT into the copied columns) runs
 * with the input's rows as its child, batch by batch, those for which `where` (over the copied
 * columns; NULL = all) is true; the input is read to its end (CopyDone) even after a data
 * error. *rows: the rows inserted. */
struct sql_expr;
bool sql_copy_run_from(struct sql_exec_ctx *x, struct sql_plan *insert, struct sql_expr *where,
                       const sql_copy_opts *o,
                       const char *relname, const sql_copy_col *cols, uint32_t ncols,
                       const struct sql_sink *sink, uint64_t *rows, rt_err *err);
/* COPY TO: CopyOutResponse, the plan's rows encoded and written in chunks, CopyDone. */
bool sql_copy_run_to(struct sql_exec_ctx *x, const struct sql_plan *plan, const sql_copy_opts *o,
                     const sql_copy_col *cols, uint32_t ncols, const struct sql_sink *sink,
                     uint64_t *rows, rt_err *err);

/* ---- errors ---- */

/* Adds "COPY rel, line n..." to err's detail (after a detail the error already has). */
void sql_copy_context(rt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `text` cut to SQL_COPY_CONTEXT_BYTES_MAX bytes (on a UTF-8 boundary) with "..." after. */
void sql_copy_clip(const uint8_t *text, uint32_t len, char *out, uint32_t cap);

#endif
