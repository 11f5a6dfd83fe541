/* sql_copy_in.c: COPY FROM's input: text, csv and binary data split into rows and fields and
 * decoded through the type registry, one batch at a time, from input pieces of any size (a
 * line may span CopyData messages). The rules are PostgreSQL 15's: the first line's end
 * (\n, \r or \r\n) fixes the style for the rest; text escapes (\b \f \n \r \t \v, octal, \x);
 * "\." ends the data; CSV quotes may span lines; a field equal to the NULL string (raw, before
 * unescaping; in CSV only unquoted) is NULL. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sql/sql_copy.h"
#include "sql/sql_copy_int.h"

typedef enum rd_status { RD_ERR = 0, RD_ROW, RD_END } rd_status;

/* ---- errors ---- */

void sql_copy_context(rt_err *err, const char *fmt, ...) {
    char ctx[RT_ERR_DETAIL_BYTES_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    size_t used = strlen(err->detail), cap = sizeof err->detail;
    if (used > 0 && used + 1 < cap) err->detail[used++] = '\n';
    size_t n = strlen(ctx);
    if (n > cap - 1 - used) n = cap - 1 - used; /* cut, never overflow */
    memcpy(err->detail + used, ctx, n);
    err->detail[used + n] = '\0';
}

void sql_copy_clip(const uint8_t *text, uint32_t len, char *out, uint32_t cap) {
    uint32_t n = len;
    bool cut = n > SQL_COPY_CONTEXT_BYTES_MAX;
    if (cut) {
        n = SQL_COPY_CONTEXT_BYTES_MAX;
        while (n > 0 && (text[n] & 0xC0) == 0x80) n--; /* not inside a UTF-8 sequence */
    }
    if (n + 4 > cap) n = cap > 4 ? cap - 4 : 0;
    if (n > 0) memcpy(out, text, n);
    if (cut) memcpy(out + n, "...", 3), n += 3;
    out[n] = '\0';
}

static bool rd_fail(sql_copy_reader *r, rt_err *err, const char *sqlstate, const char *msg,
                    const char *hint) {
    rt_err_set(err, sqlstate, "%s", msg);
    if (hint != NULL) rt_err_hint(err, "%s", hint);
    sql_copy_context(err, "COPY %s, line %llu", r->relname, (unsigned long long)r->line_no);
    return false;
}

/* A data error about the whole line: the context quotes it. */
static bool rd_fail_line(sql_copy_reader *r, rt_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool rd_fail_line(sql_copy_reader *r, rt_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rt_err_setv(err, SQLSTATE_BAD_COPY_FILE_FORMAT, fmt, ap);
    va_end(ap);
    char text[SQL_COPY_CONTEXT_BYTES_MAX + 8];
    sql_copy_clip(r->line, r->line_len, text, sizeof text);
    sql_copy_context(err, "COPY %s, line %llu: \"%s\"", r->relname,
                     (unsigned long long)r->line_no, text);
    return false;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid (NUL included). */
static uint32_t rd_utf8_len(const uint8_t *p, uint32_t n) {
    uint8_t c = p[0];
    if (c != 0 && c < 0x80) return 1;
    uint32_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    for (uint32_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
    }
    if (c == 0xE0 && p[1] < 0xA0) return 0;                 /* overlong */
    if (c == 0xED && p[1] >= 0xA0) return 0;                /* surrogates */
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] >= 0x90) return 0;                /* past U+10FFFF */
    return len;
}

/* 22021 for the first invalid sequence in p[0..n), as PostgreSQL prints it; true if valid. */
static bool rd_utf8_check(const uint8_t *p, uint32_t n, rt_err *err) {
    uint32_t i = 0;
    while (i < n) {
        if (p[i] != 0 && p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t len = rd_utf8_len(p + i, n - i);
        if (len > 0) {
            i += len;
            continue;
        }
        uint8_t c = p[i];
        uint32_t show = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                        : (c & 0xF8) == 0xF0 ? 4 : 1; /* the sequence its first byte announces */
        if (show > n - i) show = n - i;
        char bytes[40] = "";
        for (uint32_t k = 0; k < show; k++) {
            size_t used = strlen(bytes);
            snprintf(bytes + used, sizeof bytes - used, "%s0x%02x", k ? " " : "", p[i + k]);
        }
        return rt_err_set(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                          "invalid byte sequence for encoding \"UTF8\": %s", bytes);
    }
    return true;
}

/* ---- input pieces ---- */

void sql_copy_reader_init(sql_copy_reader *r, const sql_copy_opts *o, const char *relname,
                          const sql_copy_col *cols, uint32_t ncols, sql_copy_read_fn read,
                          void *read_arg) {
    memset(r, 0, sizeof *r);
    r->o = o;
    r->relname = relname;
    r->cols = cols;
    r->ncols = ncols;
    r->read = read;
    r->read_arg = read_arg;
    /* Never NULL, so an empty line is a valid (empty) byte range. */
    r->line_cap = r->buf_cap = 256;
    r->line = rt_xmalloc(r->line_cap);
    r->buf = rt_xmalloc(r->buf_cap);
}

void sql_copy_reader_free(sql_copy_reader *r) {
    rt_free(r->line);
    rt_free(r->buf);
    rt_free(r->field_off);
    rt_free(r->field_len);
    rt_free(r->field_null);
    r->line = r->buf = NULL;
    r->field_off = r->field_len = NULL;
    r->field_null = NULL;
}

/* Makes input available: false on error; *eof when there is none left. */
static bool rd_fill(sql_copy_reader *r, bool *eof, rt_err *err) {
    *eof = false;
    while (r->in_pos >= r->in_len) {
        if (r->in_done) {
            *eof = true;
            return true;
        }
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bool done = false;
        if (!r->read(r->read_arg, &data, &len, &done, err)) return false;
        r->in = data;
        r->in_len = len;
        r->in_pos = 0;
        r->in_done = done;
    }
    return true;
}

/* The next byte without consuming it: -1 at the end of input, -2 on error. */
static int rd_peek(sql_copy_reader *r, rt_err *err) {
    bool eof;
    if (!rd_fill(r, &eof, err)) return -2;
    return eof ? -1 : r->in[r->in_pos];
}

static bool rd_line_append(sql_copy_reader *r, const uint8_t *p, uint32_t n, rt_err *err) {
    if (r->line_len + (uint64_t)n > SQL_COPY_LINE_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "COPY line %llu is longer than %u bytes",
                          (unsigned long long)r->line_no, SQL_COPY_LINE_BYTES_MAX);
    }
    if (r->line_len + n > r->line_cap) {
        uint32_t cap = r->line_cap < 256 ? 256 : r->line_cap;
        while (cap < r->line_len + n) cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
        r->line = rt_xrealloc(r->line, cap);
        r->line_cap = cap;
    }
    memcpy(r->line + r->line_len, p, n);
    r->line_len += n;
    return true;
}

/* ---- line splitting ---- */

/* A \r or \n ended a line (text: is_csv false). Checks it against the newline style. */
static rd_status rd_eol(sql_copy_reader *r, bool csv, rt_err *err) {
    uint8_t c = r->in[r->in_pos++];
    const char *cr_msg = csv ? "unquoted carriage return found in data"
                             : "literal carriage return found in data";
    const char *cr_hint = csv ? "Use quoted CSV field to represent carriage return."
                              : "Use \"\\r\" to represent carriage return.";
    const char *nl_msg = csv ? "unquoted newline found in data" : "literal newline found in data";
    const char *nl_hint = csv ? "Use quoted CSV field to represent newline."
                              : "Use \"\\n\" to represent newline.";
    if (c == '\n') {
        if (r->eol == SQL_COPY_EOL_UNKNOWN) r->eol = SQL_COPY_EOL_NL;
        if (r->eol != SQL_COPY_EOL_NL) {
            return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, nl_msg, nl_hint), RD_ERR;
        }
        return RD_ROW;
    }
    int next = rd_peek(r, err);
    if (next == -2) return RD_ERR;
    if (r->eol == SQL_COPY_EOL_UNKNOWN) r->eol = next == '\n' ? SQL_COPY_EOL_CRNL : SQL_COPY_EOL_CR;
    if (r->eol == SQL_COPY_EOL_NL) {
        return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, cr_msg, cr_hint), RD_ERR;
    }
    if (r->eol == SQL_COPY_EOL_CRNL) {
        if (next != '\n') {
            return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, cr_msg, cr_hint), RD_ERR;
        }
        r->in_pos++;
    }
    return RD_ROW;
}

/* After "\." in text data: a line end in the data's style must follow. */
static rd_status rd_end_marker(sql_copy_reader *r, rt_err *err) {
    static const char corrupt[] = "end-of-copy marker corrupt";
    static const char style[] = "end-of-copy marker does not match previous newline style";
    int c = rd_peek(r, err);
    if (c == -2) return RD_ERR;
    if (c == '\r') {
        if (r->eol == SQL_COPY_EOL_NL) {
            return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, style, NULL), RD_ERR;
        }
        r->in_pos++;
        int c2 = rd_peek(r, err);
        if (c2 == -2) return RD_ERR;
        if (c2 == '\n') {
            if (r->eol == SQL_COPY_EOL_CR) {
                return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, style, NULL), RD_ERR;
            }
            r->in_pos++;
        } else if (r->eol == SQL_COPY_EOL_CRNL) {
            return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, corrupt, NULL), RD_ERR;
        }
    } else if (c == '\n') {
        if (r->eol == SQL_COPY_EOL_CR || r->eol == SQL_COPY_EOL_CRNL) {
            return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, style, NULL), RD_ERR;
        }
        r->in_pos++;
    } else {
        return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, corrupt, NULL), RD_ERR;
    }
    r->ended = true;
    return r->line_len > 0 ? RD_ROW : RD_END;
}

/* One line of text data into r->line. A backslash escapes the next byte, even a line end. */
static rd_status rd_line_text(sql_copy_reader *r, rt_err *err) {
    r->line_len = 0;
    r->line_no++;
    for (;;) {
        bool eof;
        if (!rd_fill(r, &eof, err)) return RD_ERR;
        if (eof) return r->line_len > 0 ? RD_ROW : (r->line_no--, RD_END);
        const uint8_t *p = r->in + r->in_pos;
        uint32_t n = r->in_len - r->in_pos, i = 0;
        while (i < n && p[i] != '\\' && p[i] != '\n' && p[i] != '\r') i++;
        if (i > 0 && !rd_line_append(r, p, i, err)) return RD_ERR;
        r->in_pos += i;
        if (i == n) continue;
        if (p[i] != '\\') return rd_eol(r, false, err);
        r->in_pos++;
        int c2 = rd_peek(r, err);
        if (c2 == -2) return RD_ERR;
        if (c2 == '.') {
            r->in_pos++;
            return rd_end_marker(r, err);
        }
        uint8_t esc[2] = {'\\', (uint8_t)c2};
        if (!rd_line_append(r, esc, c2 < 0 ? 1 : 2, err)) return RD_ERR;
        if (c2 >= 0) r->in_pos++;
    }
}

/* One line of CSV data: quoted fields may hold line ends. "\." alone on a line ends it. */
static rd_status rd_line_csv(sql_copy_reader *r, rt_err *err) {
    const sql_copy_opts *o = r->o;
    r->line_len = 0;
    r->line_no++;
    bool in_quote = false;
    for (;;) {
        bool eof;
        if (!rd_fill(r, &eof, err)) return RD_ERR;
        if (eof) {
            if (in_quote) return rd_fail_line(r, err, "unterminated CSV quoted field"), RD_ERR;
            return r->line_len > 0 ? RD_ROW : (r->line_no--, RD_END);
        }
        uint8_t c = r->in[r->in_pos];
        if (!in_quote && (c == '\n' || c == '\r')) {
            rd_status s = rd_eol(r, true, err);
            if (s == RD_ROW && r->line_len == 2 && r->line[0] == '\\' && r->line[1] == '.') {
                r->ended = true;
                return RD_END;
            }
            return s;
        }
        r->in_pos++;
        if (in_quote && c == (uint8_t)o->escape && o->escape != o->quote) {
            int next = rd_peek(r, err);
            if (next == -2) return RD_ERR;
            if (next == (uint8_t)o->quote || next == (uint8_t)o->escape) {
                uint8_t pair[2] = {c, (uint8_t)next};
                r->in_pos++;
                if (!rd_line_append(r, pair, 2, err)) return RD_ERR;
                continue;
            }
        } else if (c == (uint8_t)o->quote) {
            in_quote = !in_quote;
        }
        if (!rd_line_append(r, &c, 1, err)) return RD_ERR;
    }
}

/* ---- field splitting ---- */

static void rd_fields_reserve(sql_copy_reader *r, uint32_t n) {
    if (n <= r->fields_cap) return;
    uint32_t cap = r->fields_cap < 16 ? 16 : r->fields_cap;
    while (cap < n) cap *= 2;
    r->field_off = rt_xrealloc(r->field_off, sizeof(uint32_t) * cap);
    r->field_len = rt_xrealloc(r->field_len, sizeof(uint32_t) * cap);
    r->field_null = rt_xrealloc(r->field_null, sizeof(bool) * cap);
    r->fields_cap = cap;
}

static void rd_buf_reserve(sql_copy_reader *r, uint32_t extra) {
    if (r->buf_len + extra <= r->buf_cap) return;
    uint32_t cap = r->buf_cap < 256 ? 256 : r->buf_cap;
    while (cap < r->buf_len + extra) cap *= 2;
    r->buf = rt_xrealloc(r->buf, cap);
    r->buf_cap = cap;
}

static int rd_hex(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Unescapes one text field into r->buf (never longer than the raw field). */
static uint32_t rd_unescape(sql_copy_reader *r, const uint8_t *p, uint32_t n) {
    uint8_t *out = r->buf + r->buf_len;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != '\\') {
            out[k++] = p[i];
            continue;
        }
        if (++i >= n) break; /* a backslash at the very end stands for nothing */
        uint8_t c = p[i];
        switch (c) {
        case 'b': out[k++] = '\b'; break;
        case 'f': out[k++] = '\f'; break;
        case 'n': out[k++] = '\n'; break;
        case 'r': out[k++] = '\r'; break;
        case 't': out[k++] = '\t'; break;
        case 'v': out[k++] = '\v'; break;
        case 'x':
            if (i + 1 < n && rd_hex(p[i + 1]) >= 0) {
                int v = rd_hex(p[++i]);
                if (i + 1 < n && rd_hex(p[i + 1]) >= 0) v = v * 16 + rd_hex(p[++i]);
                out[k++] = (uint8_t)v;
            } else {
                out[k++] = 'x';
            }
            break;
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0';
                for (int d = 0; d < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; d++) {
                    v = v * 8 + (p[++i] - '0');
                }
                out[k++] = (uint8_t)(v & 0377);
            } else {
                out[k++] = c;
            }
        }
    }
    return k;
}

static void rd_field_add(sql_copy_reader *r, uint32_t off, uint32_t len, bool is_null) {
    rd_fields_reserve(r, r->nfields + 1);
    r->field_off[r->nfields] = off;
    r->field_len[r->nfields] = len;
    r->field_null[r->nfields] = is_null;
    r->nfields++;
}

static bool rd_is_null_str(const sql_copy_opts *o, const uint8_t *p, uint32_t n) {
    return n == o->null_len && (n == 0 || memcmp(p, o->null_str, n) == 0);
}

/* Splits a text line at unescaped delimiters; stops after one field more than expected. */
static void rd_split_text(sql_copy_reader *r, uint32_t max_fields) {
    const sql_copy_opts *o = r->o;
    const uint8_t *p = r->line;
    uint32_t n = r->line_len, pos = 0;
    r->nfields = 0;
    r->buf_len = 0;
    rd_buf_reserve(r, 2 * n + 2); /* at most n + 1 fields, each NUL-ended */
    for (;;) {
        uint32_t start = pos;
        while (pos < n && p[pos] != (uint8_t)o->delim) pos += p[pos] == '\\' && pos + 1 < n ? 2 : 1;
        uint32_t off = r->buf_len;
        if (rd_is_null_str(o, p + start, pos - start)) {
            rd_field_add(r, off, 0, true);
        } else {
            uint32_t len = rd_unescape(r, p + start, pos - start);
            r->buf[off + len] = '\0';
            r->buf_len += len + 1;
            rd_field_add(r, off, len, false);
        }
        if (pos >= n || r->nfields >= max_fields) return;
        pos++;
    }
}

/* One CSV field from p[*pos]: dequoted into r->buf; *quoted if any part was quoted. */
static void rd_csv_field(sql_copy_reader *r, uint32_t *pos, bool *quoted) {
    const sql_copy_opts *o = r->o;
    const uint8_t *p = r->line;
    uint32_t n = r->line_len, i = *pos;
    uint8_t *out = r->buf + r->buf_len;
    uint32_t k = 0;
    bool in_quote = false;
    *quoted = false;
    while (i < n) {
        uint8_t c = p[i];
        if (!in_quote) {
            if (c == (uint8_t)o->delim) break;
            if (c == (uint8_t)o->quote) in_quote = *quoted = true;
            else out[k++] = c;
            i++;
            continue;
        }
        if (c == (uint8_t)o->escape && i + 1 < n &&
            (p[i + 1] == (uint8_t)o->quote || p[i + 1] == (uint8_t)o->escape)) {
            out[k++] = p[i + 1];
            i += 2;
            continue;
        }
        if (c == (uint8_t)o->quote) in_quote = false;
        else out[k++] = c;
        i++;
    }
    out[k] = '\0';
    *pos = i;
    r->field_len[r->nfields] = k;
}

static void rd_split_csv(sql_copy_reader *r, uint32_t max_fields, bool use_force) {
    const sql_copy_opts *o = r->o;
    uint32_t n = r->line_len, pos = 0;
    r->nfields = 0;
    r->buf_len = 0;
    rd_buf_reserve(r, 2 * n + 2); /* at most n + 1 fields, each NUL-ended */
    for (;;) {
        uint32_t start = pos, k = r->nfields, off = r->buf_len;
        bool quoted;
        rd_fields_reserve(r, k + 1);
        rd_csv_field(r, &pos, &quoted);
        uint32_t len = r->field_len[k];
        bool is_null = false;
        bool not_null = use_force && k < o->ncols && o->not_null_col != NULL && o->not_null_col[k];
        bool force_null = use_force && k < o->ncols && o->null_col != NULL && o->null_col[k];
        if (!quoted && !not_null) is_null = rd_is_null_str(o, r->line + start, pos - start);
        else if (quoted && force_null) is_null = rd_is_null_str(o, r->buf + off, len);
        r->buf_len += len + 1;
        rd_field_add(r, off, is_null ? 0 : len, is_null);
        if (pos >= n || r->nfields >= max_fields) return;
        pos++;
    }
}

/* Splits the current line; a line of a zero-column COPY must be empty. */
static void rd_split(sql_copy_reader *r, uint32_t max_fields, bool use_force) {
    if (r->ncols == 0 && r->line_len == 0 && use_force) {
        r->nfields = 0;
        return;
    }
    if (r->o->format == SQL_COPY_CSV) rd_split_csv(r, max_fields, use_force);
    else rd_split_text(r, max_fields);
}

/* ---- header line ---- */

static bool rd_header(sql_copy_reader *r, rt_err *err) {
    rd_status s = r->o->format == SQL_COPY_CSV ? rd_line_csv(r, err) : rd_line_text(r, err);
    if (s == RD_ERR) return false;
    if (s == RD_END || r->o->header != SQL_COPY_HEADER_MATCH) return true;
    rd_split(r, UINT32_MAX, false);
    if (r->nfields != r->ncols) {
        return rd_fail_line(r, err, "wrong number of fields in header line: got %u, expected %u",
                            r->nfields, r->ncols);
    }
    for (uint32_t k = 0; k < r->nfields; k++) {
        if (r->field_null[k]) {
            return rd_fail_line(r, err, "column name mismatch in header line field %u: got null "
                                "value (\"%s\"), expected \"%s\"", k + 1, r->o->null_str,
                                r->cols[k].name);
        }
        const char *got = (const char *)r->buf + r->field_off[k];
        if (strcmp(got, r->cols[k].name) != 0) {
            return rd_fail_line(r, err, "column name mismatch in header line field %u: got "
                                "\"%s\", expected \"%s\"", k + 1, got, r->cols[k].name);
        }
    }
    return true;
}

/* ---- rows of text and csv ---- */

/* Reads and splits the next line into at most ncols fields: a missing one is reported when
 * rd_value reaches it, as PostgreSQL converts the fields in order. */
static rd_status rd_row_textual(sql_copy_reader *r, rt_err *err) {
    if (r->ended) return RD_END;
    rd_status s = r->o->format == SQL_COPY_CSV ? rd_line_csv(r, err) : rd_line_text(r, err);
    if (s != RD_ROW) return s;
    if (!rd_utf8_check(r->line, r->line_len, err)) {
        sql_copy_context(err, "COPY %s, line %llu", r->relname, (unsigned long long)r->line_no);
        return RD_ERR;
    }
    rd_split(r, r->ncols + 1, true);
    if (r->nfields > r->ncols) {
        return rd_fail_line(r, err, "extra data after last expected column"), RD_ERR;
    }
    return RD_ROW;
}

/* Decodes field k of the current row through its type's input function. */
static bool rd_value(sql_copy_reader *r, sql_io_ctx *io, uint32_t k, sql_value *v, rt_err *err) {
    const sql_copy_col *c = &r->cols[k];
    if (k >= r->nfields) return rd_fail_line(r, err, "missing data for column \"%s\"", c->name);
    if (r->field_null[k]) {
        *v = (sql_value){.type_oid = c->type_oid, .is_null = true};
        return true;
    }
    const uint8_t *p = r->buf + r->field_off[k];
    uint32_t n = r->field_len[k];
    bool ok;
    if (r->o->format == SQL_COPY_BINARY) {
        ok = sql_value_recv(io, c->type_oid, p, n, c->typmod, v);
    } else {
        ok = (r->o->format == SQL_COPY_CSV || rd_utf8_check(p, n, err)) &&
             sql_value_in(io, c->type_oid, (const char *)p, n, c->typmod, v);
    }
    if (ok) return true;
    if (!rt_err_is_set(err)) return rt_arena_fail(io->arena, err);
    if (rt_err_is(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE)) {
        char text[SQL_COPY_CONTEXT_BYTES_MAX + 8];
        sql_copy_clip(r->line, r->line_len, text, sizeof text);
        sql_copy_context(err, "COPY %s, line %llu: \"%s\"", r->relname,
                         (unsigned long long)r->line_no, text);
    } else if (r->o->format == SQL_COPY_BINARY) {
        sql_copy_context(err, "COPY %s, line %llu, column %s", r->relname,
                         (unsigned long long)r->line_no, c->name);
    } else {
        char text[SQL_COPY_CONTEXT_BYTES_MAX + 8];
        sql_copy_clip(p, n, text, sizeof text);
        sql_copy_context(err, "COPY %s, line %llu, column %s: \"%s\"", r->relname,
                         (unsigned long long)r->line_no, c->name, text);
    }
    return false;
}

/* ---- binary ---- */

static const uint8_t RD_SIGNATURE[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0377, '\r', '\n', 0};

/* Reads exactly n bytes into dst (or skips them if dst is NULL); *got says how many came. */
static bool rd_bytes(sql_copy_reader *r, uint8_t *dst, uint32_t n, uint32_t *got, rt_err *err) {
    *got = 0;
    while (*got < n) {
        bool eof;
        if (!rd_fill(r, &eof, err)) return false;
        if (eof) return true;
        uint32_t take = r->in_len - r->in_pos;
        if (take > n - *got) take = n - *got;
        if (dst != NULL) memcpy(dst + *got, r->in + r->in_pos, take);
        r->in_pos += take;
        *got += take;
    }
    return true;
}

static bool rd_be32(sql_copy_reader *r, int32_t *v, bool *ok, rt_err *err) {
    uint8_t b[4];
    uint32_t got;
    if (!rd_bytes(r, b, 4, &got, err)) return false;
    *ok = got == 4;
    *v = (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    return true;
}

static bool rd_binary_header(sql_copy_reader *r, rt_err *err) {
    uint8_t sig[sizeof RD_SIGNATURE];
    uint32_t got;
    bool ok;
    int32_t flags, ext;
    const char *bad = NULL;
    if (!rd_bytes(r, sig, sizeof sig, &got, err)) return false;
    if (got != sizeof sig || memcmp(sig, RD_SIGNATURE, sizeof sig) != 0) {
        bad = "COPY file signature not recognized";
    } else if (!rd_be32(r, &flags, &ok, err)) {
        return false;
    } else if (!ok) {
        bad = "invalid COPY file header (missing flags)";
    } else if (flags & (1 << 16)) {
        bad = "invalid COPY file header (WITH OIDS)";
    } else if (((uint32_t)flags >> 16) != 0) {
        bad = "unrecognized critical flags in COPY file header";
    } else if (!rd_be32(r, &ext, &ok, err)) {
        return false;
    } else if (!ok || ext < 0) {
        bad = "invalid COPY file header (missing length)";
    } else if (!rd_bytes(r, NULL, (uint32_t)ext, &got, err)) {
        return false;
    } else if (got != (uint32_t)ext) {
        bad = "invalid COPY file header (wrong length)";
    }
    /* No context: PostgreSQL reads the header before it reports lines. */
    return bad == NULL || rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "%s", bad);
}

/* One binary tuple: field count, then length-prefixed fields (their bytes in r->buf). */
static rd_status rd_row_binary(sql_copy_reader *r, rt_err *err) {
    if (r->ended) return RD_END;
    uint8_t b[2];
    uint32_t got;
    if (!rd_bytes(r, b, 2, &got, err)) return RD_ERR;
    if (got == 0) return r->ended = true, RD_END; /* no trailer: accepted, as PostgreSQL */
    r->line_no++;
    if (got != 2) return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                                 "unexpected EOF in COPY data", NULL), RD_ERR;
    int16_t count = (int16_t)((uint16_t)b[0] << 8 | b[1]);
    if (count == -1) {
        r->ended = true;
        int c = rd_peek(r, err);
        if (c == -2) return RD_ERR;
        if (c >= 0) return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                                   "received copy data after EOF marker", NULL), RD_ERR;
        return RD_END;
    }
    if (count != (int32_t)r->ncols) {
        char msg[96];
        snprintf(msg, sizeof msg, "row field count is %d, expected %u", count, r->ncols);
        return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT, msg, NULL), RD_ERR;
    }
    r->nfields = 0;
    r->buf_len = 0;
    for (uint32_t k = 0; k < r->ncols; k++) {
        int32_t len;
        bool ok;
        if (!rd_be32(r, &len, &ok, err)) return RD_ERR;
        if (!ok) return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                                "unexpected EOF in COPY data", NULL), RD_ERR;
        if (len == -1) {
            rd_field_add(r, r->buf_len, 0, true);
            continue;
        }
        if (len < -1) return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                                     "invalid field size", NULL), RD_ERR;
        if (r->buf_len + (uint64_t)len + 1 > SQL_COPY_LINE_BYTES_MAX) {
            rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "COPY row %llu is longer than %u "
                       "bytes", (unsigned long long)r->line_no, SQL_COPY_LINE_BYTES_MAX);
            return RD_ERR;
        }
        rd_buf_reserve(r, (uint32_t)len + 1);
        if (!rd_bytes(r, r->buf + r->buf_len, (uint32_t)len, &got, err)) return RD_ERR;
        if (got != (uint32_t)len) return rd_fail(r, err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                                                 "unexpected EOF in COPY data", NULL), RD_ERR;
        r->buf[r->buf_len + (uint32_t)len] = '\0';
        rd_field_add(r, r->buf_len, (uint32_t)len, false);
        r->buf_len += (uint32_t)len + 1;
    }
    return RD_ROW;
}

/* ---- batches ---- */

bool sql_copy_read_batch(sql_copy_reader *r, sql_io_ctx *io, sql_batch *b, rt_err *err) {
    b->rows = 0;
    bool binary = r->o->format == SQL_COPY_BINARY;
    if (!r->started) {
        r->started = true;
        if (binary && !rd_binary_header(r, err)) return false;
        if (!binary && r->o->header != SQL_COPY_HEADER_NONE && !rd_header(r, err)) return false;
    }
    while (b->rows < b->cap) {
        rd_status s = binary ? rd_row_binary(r, err) : rd_row_textual(r, err);
        if (s == RD_ERR) return false;
        if (s == RD_END) break;
        for (uint32_t k = 0; k < r->ncols; k++) {
            sql_value v;
            if (!rd_value(r, io, k, &v, err)) return false;
            v.type_oid = r->cols[k].type_oid;
            sql_vec_set(&b->cols[k], b->rows, &v);
        }
        b->rows++;
    }
    return true;
}

bool sql_copy_reader_drain(sql_copy_reader *r, rt_err *err) {
    for (;;) {
        bool eof;
        if (!rd_fill(r, &eof, err)) return false;
        if (eof) return true;
        r->in_pos = r->in_len;
    }
}
