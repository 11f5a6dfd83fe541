/* sql_copy_out.c: COPY TO's output: rows encoded as text (escaped with backslashes), CSV
 * (quoted where a reader would misread the value) or binary (PostgreSQL's PGCOPY format), one
 * row per call of the write function (one CopyData message each, as PostgreSQL sends them:
 * clients such as psycopg 3's Copy.rows() parse each message as exactly one row). The text
 * header line is a message of its own, the binary signature goes with the first row and the
 * binary trailer is a message of its own. Lines end in \n. */
#include <string.h>

#include "sql/sql_copy_int.h"

/* One value's text: per value, it never grows past what that value needs. */
#define SQL_COPY_SCRATCH_BYTES (256ull * 1024 * 1024)

static const uint8_t WR_SIGNATURE[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0377, '\r', '\n', 0};

bool sql_copy_writer_init(sql_copy_writer *w, const sql_copy_opts *o, const sql_copy_col *cols,
                          uint32_t ncols, sql_copy_write_fn write, void *write_arg, rt_err *err) {
    memset(w, 0, sizeof *w);
    w->o = o;
    w->cols = cols;
    w->ncols = ncols;
    w->write = write;
    w->write_arg = write_arg;
    w->scratch = rt_arena_create(SQL_COPY_SCRATCH_BYTES);
    (void)err;
    return true;
}

void sql_copy_writer_free(sql_copy_writer *w) {
    rt_free(w->out);
    w->out = NULL;
    if (w->scratch != NULL) rt_arena_destroy(w->scratch);
    w->scratch = NULL;
}

static void wr_reserve(sql_copy_writer *w, uint32_t extra) {
    if (w->out_len + (uint64_t)extra <= w->out_cap) return;
    uint64_t cap = w->out_cap < 4096 ? 4096 : w->out_cap;
    while (cap < w->out_len + (uint64_t)extra) cap *= 2;
    RT_ASSERT(cap <= UINT32_MAX);
    w->out = rt_xrealloc(w->out, (size_t)cap);
    w->out_cap = (uint32_t)cap;
}

static void wr_put(sql_copy_writer *w, const void *p, uint32_t n) {
    wr_reserve(w, n);
    memcpy(w->out + w->out_len, p, n);
    w->out_len += n;
}

static void wr_byte(sql_copy_writer *w, uint8_t c) {
    if (w->out_len == w->out_cap) wr_reserve(w, 1);
    w->out[w->out_len++] = c;
}

static void wr_be(sql_copy_writer *w, uint32_t v, uint32_t bytes) {
    for (uint32_t i = bytes; i-- > 0;) wr_byte(w, (uint8_t)(v >> (8 * i)));
}

static bool wr_flush(sql_copy_writer *w, rt_err *err) {
    if (w->out_len == 0) return true;
    bool ok = w->write(w->write_arg, w->out, w->out_len, err);
    w->out_len = 0;
    return ok;
}

/* Text format: backslash before backslashes and the delimiter, letter escapes for the control
 * characters that have one; other bytes as they are. */
static void wr_text(sql_copy_writer *w, const uint8_t *p, uint32_t n) {
    uint8_t delim = (uint8_t)w->o->delim;
    wr_reserve(w, 2 * n);
    uint8_t *out = w->out + w->out_len;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        char esc = 0;
        if (c < 0x20) {
            switch (c) {
            case '\b': esc = 'b'; break;
            case '\f': esc = 'f'; break;
            case '\n': esc = 'n'; break;
            case '\r': esc = 'r'; break;
            case '\t': esc = 't'; break;
            case '\v': esc = 'v'; break;
            default: break;
            }
        }
        if (esc == 0 && (c == '\\' || c == delim)) esc = (char)c;
        if (esc != 0) {
            out[k++] = '\\';
            out[k++] = (uint8_t)esc;
        } else {
            out[k++] = c;
        }
    }
    w->out_len += k;
}

/* CSV: quoted when forced, when it equals the NULL string, when it holds the delimiter, the
 * quote or a line end, or when it is "\." alone on its line; inside quotes the quote and the
 * escape character are escaped. */
static void wr_csv(sql_copy_writer *w, const uint8_t *p, uint32_t n, bool force) {
    const sql_copy_opts *o = w->o;
    bool quote = force || (n == o->null_len && memcmp(p, o->null_str, n) == 0);
    if (!quote && w->ncols == 1 && n == 2 && p[0] == '\\' && p[1] == '.') quote = true;
    for (uint32_t i = 0; i < n && !quote; i++) {
        uint8_t c = p[i];
        quote = c == (uint8_t)o->delim || c == (uint8_t)o->quote || c == '\n' || c == '\r';
    }
    if (!quote) {
        wr_put(w, p, n);
        return;
    }
    wr_reserve(w, 2 * n + 2);
    uint8_t *out = w->out + w->out_len;
    uint32_t k = 0;
    out[k++] = (uint8_t)o->quote;
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == (uint8_t)o->quote || p[i] == (uint8_t)o->escape) out[k++] = (uint8_t)o->escape;
        out[k++] = p[i];
    }
    out[k++] = (uint8_t)o->quote;
    w->out_len += k;
}

static void wr_field(sql_copy_writer *w, uint32_t k, const uint8_t *p, uint32_t n, bool header) {
    if (k > 0) wr_byte(w, (uint8_t)w->o->delim);
    if (w->o->format == SQL_COPY_CSV) {
        wr_csv(w, p, n, !header && w->o->quote_col != NULL && w->o->quote_col[k]);
    } else {
        wr_text(w, p, n);
    }
}

bool sql_copy_write_begin(sql_copy_writer *w, rt_err *err) {
    if (w->o->format == SQL_COPY_BINARY) {
        wr_put(w, WR_SIGNATURE, sizeof WR_SIGNATURE);
        wr_be(w, 0, 4); /* flags */
        wr_be(w, 0, 4); /* header extension length */
        return true;
    }
    if (w->o->header == SQL_COPY_HEADER_NONE) return true;
    for (uint32_t k = 0; k < w->ncols; k++) {
        const char *name = w->cols[k].name;
        wr_field(w, k, (const uint8_t *)name, (uint32_t)strlen(name), true);
    }
    wr_byte(w, '\n');
    return wr_flush(w, err);
}

/* One value in the row being written; false with *err set when it cannot be encoded. */
static bool wr_value(sql_copy_writer *w, sql_io_ctx *io, uint32_t k, const sql_value *v,
                     rt_err *err) {
    bool binary = w->o->format == SQL_COPY_BINARY;
    if (v->is_null) {
        if (binary) {
            wr_be(w, UINT32_MAX, 4);
        } else {
            if (k > 0) wr_byte(w, (uint8_t)w->o->delim);
            wr_put(w, w->o->null_str, w->o->null_len);
        }
        return true;
    }
    sql_strbuf sb;
    sql_strbuf_init(&sb, w->scratch, 64);
    bool ok = binary ? sql_value_send(io, v, &sb) : sql_value_out(io, v, w->cols[k].typmod, &sb);
    if (ok && sb.failed) ok = rt_arena_fail(w->scratch, err);
    if (!ok) return rt_err_is_set(err) || rt_arena_fail(w->scratch, err);
    if (binary) {
        wr_be(w, sb.len, 4);
        wr_put(w, sb.data, sb.len);
    } else {
        wr_field(w, k, (const uint8_t *)sb.data, sb.len, false);
    }
    return true;
}

bool sql_copy_write_rows(sql_copy_writer *w, const sql_fmt *fmt, const sql_batch *b,
                         uint32_t from, uint32_t to, rt_err *err) {
    RT_ASSERT(b->ncols >= w->ncols);
    sql_io_ctx io = {.arena = w->scratch, .fmt = fmt, .err = err};
    for (uint32_t r = from; r < to; r++) {
        rt_arena_reset(w->scratch);
        if (w->o->format == SQL_COPY_BINARY) wr_be(w, w->ncols, 2);
        for (uint32_t k = 0; k < w->ncols; k++) {
            sql_value v;
            sql_vec_get(&b->cols[k], r, &v);
            if (!wr_value(w, &io, k, &v, err)) return false;
        }
        if (w->o->format != SQL_COPY_BINARY) wr_byte(w, '\n');
        w->rows++;
        if (!wr_flush(w, err)) return false;
    }
    return true;
}

bool sql_copy_write_end(sql_copy_writer *w, rt_err *err) {
    if (!wr_flush(w, err)) return false; /* the signature of a binary COPY without rows */
    if (w->o->format == SQL_COPY_BINARY) wr_be(w, 0xFFFF, 2);
    return wr_flush(w, err);
}
